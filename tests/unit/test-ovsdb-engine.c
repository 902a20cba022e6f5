/* Tests for the OVSDB engine's operations: every "transact" operation
 * and error class (ovsdb/execution), conditions, mutations, and what a
 * transaction does as a whole (atomicity, "wait", "commit", "abort",
 * "comment", "assert").  Commit-time integrity checks, replicas and the
 * storage form are in test-ovsdb-integrity.c; the test schema and the
 * helpers are in ovsdb-test-schema.h. */
#include <config.h>
#include "ovsdb/execution.h"

#include <limits.h>
#include <string.h>

#include "dynamic-string.h"
#include "json.h"
#include "ovsdb-test-schema.h"
#include "ovsdb/condition.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/transaction.h"
#include "test.h"

/* Operations. */

TEST(insert_and_select)
{
    struct ovsdb *db = create_db();
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row': "
                    "{'name': 'a', 'count': 5, 'ints': ['set', [3, 1]],"
                    " 'map': ['map', [['k', 'v']]]}},"
                    "{'op': 'select', 'table': 'Root', 'where': []}]");
    check_ok_n(r, 2);
    const char *uuid = result_uuid(r, 0);
    json_t *rows = result_rows(r, 1);
    CHECK_EQ(json_array_size(rows), 1);

    json_t *row = json_array_get(rows, 0);
    CHECK_STREQ(json_string_value(json_array_get(
                    json_object_get(row, "_uuid"), 1)), uuid);
    CHECK(json_object_get(row, "_version"));
    CHECK_EQ(json_integer_value(json_object_get(row, "count")), 5);
    /* Every column, defaults included. */
    CHECK_EQ(json_object_size(row), 14);
    json_decref(r);

    CHECK_ROOT(db, "a", "ints", "['set', [1, 3]]");
    CHECK_ROOT(db, "a", "map", "['map', [['k', 'v']]]");
    CHECK_ROOT(db, "a", "opt", "['set', []]");
    CHECK_EQ(n_rows(db, "Root"), 1);
    ovsdb_destroy(db);
}

TEST(select_columns_distinct_and_sort)
{
    struct ovsdb *db = create_db();
    insert_root(db, "c", "'count': 1");
    insert_root(db, "a", "'count': 1");
    insert_root(db, "b", "'count': 2");

    json_t *r = run(db, "[{'op': 'select', 'table': 'Root', 'where': [],"
                    " 'columns': ['count'], 'sort': ['count']},"
                    "{'op': 'select', 'table': 'Root', 'where': [],"
                    " 'columns': ['name'], 'sort': ['name']},"
                    "{'op': 'select', 'table': 'Root', 'where':"
                    " [['count', '==', 1]], 'columns': ['_uuid', 'name']}]");
    check_ok_n(r, 3);
    char *s = to_text(result_rows(r, 0));
    CHECK_STREQ(s, "[{\"count\":1},{\"count\":2}]");
    free(s);
    s = to_text(result_rows(r, 1));
    CHECK_STREQ(s, "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]");
    free(s);
    CHECK_EQ(json_array_size(result_rows(r, 2)), 2);
    json_decref(r);

    r = run(db, "[{'op': 'select', 'table': 'Root', 'where': [],"
            " 'columns': ['nope']}]");
    check_error(r, 1, 0, "syntax error", "nope is not a valid column name");
    json_decref(r);
    r = run(db, "[{'op': 'select', 'table': 'Root', 'where': [],"
            " 'columns': ['name', 'name']}]");
    check_error(r, 1, 0, "syntax error",
                "array of distinct column names expected");
    json_decref(r);
    ovsdb_destroy(db);
}

TEST(insert_explicit_uuid)
{
    struct ovsdb *db = create_db();
    const char *u = "5012ab9f-0df4-4c5d-aa92-a0b3f68d62b9";
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'uuid': '%s',"
                    " 'row': {'name': 'x'}}]", u);
    check_ok_n(r, 1);
    CHECK_STREQ(result_uuid(r, 0), u);
    json_decref(r);

    r = run(db, "[{'op': 'insert', 'table': 'Root', 'uuid': '%s',"
            " 'row': {'name': 'y'}}]", u);
    check_error(r, 1, 0, "duplicate uuid", "would duplicate a UUID");
    json_decref(r);

    /* Deleted within the same transaction: still refused. */
    r = run(db, "[{'op': 'delete', 'table': 'Root', 'where': []},"
            "{'op': 'insert', 'table': 'Root', 'uuid': '%s',"
            " 'row': {'name': 'y'}}]", u);
    check_error(r, 2, 1, "duplicate uuid", NULL);
    json_decref(r);

    r = run(db, "[{'op': 'insert', 'table': 'Root', 'uuid': 'xyz',"
            " 'row': {}}]");
    check_error(r, 1, 0, "syntax error", "bad uuid");
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 1);
    ovsdb_destroy(db);
}

TEST(named_uuid_across_operations)
{
    struct ovsdb *db = create_db();
    /* The reference comes before the insert that defines the name. */
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row': "
                    "{'name': 'r', 'children': ['named-uuid', 'kid'],"
                    " 'weak': ['set', [['named-uuid', 'kid']]]}},"
                    "{'op': 'insert', 'table': 'Child', 'uuid-name': 'kid',"
                    " 'row': {'name': 'k', 'peer': ['named-uuid', 'kid']}},"
                    "{'op': 'mutate', 'table': 'Child', 'where':"
                    " [['_uuid', '==', ['named-uuid', 'kid']]],"
                    " 'mutations': [['number', '+=', 7]]}]");
    check_ok_n(r, 3);
    char *expect = xasprintf("['uuid', '%s']", result_uuid(r, 1));
    CHECK_EQ(result_count(r, 2), 1);
    CHECK_ROOT(db, "r", "children", expect);
    CHECK_ROOT(db, "r", "weak", expect);
    free(expect);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 1);

    r = run(db, "[{'op': 'select', 'table': 'Child', 'where': [],"
            " 'columns': ['number']}]");
    char *s = to_text(result_rows(r, 0));
    CHECK_STREQ(s, "[{\"number\":7}]");
    free(s);
    json_decref(r);
    ovsdb_destroy(db);
}

TEST(duplicate_uuid_name)
{
    struct ovsdb *db = create_db();
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'uuid-name':"
                    " 'a', 'row': {'name': 'one'}},"
                    "{'op': 'insert', 'table': 'Root', 'uuid-name': 'a',"
                    " 'row': {'name': 'two'}},"
                    "{'op': 'comment', 'comment': 'never'}]");
    check_error(r, 3, 1, "duplicate uuid-name",
                "This \"uuid-name\" appeared on an earlier \"insert\" "
                "operation.");
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 1), "syntax",
                                          ""), "\"a\"");
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 0);
    ovsdb_destroy(db);
}

TEST(parse_errors)
{
    struct ovsdb *db = create_db();
    static const struct {
        const char *ops, *tag, *details;
    } cases[] = {
        { "[{'op': 'insert', 'table': 'Nope', 'row': {}}]", "syntax error",
          "Parsing ovsdb operation 1 of 1 failed: No table named Nope." },
        { "[{'op': 'frob'}]", "syntax error",
          "Parsing ovsdb operation 1 of 1 failed: No operation \"frob\"" },
        { "[{'table': 'Root'}]", "syntax error",
          "Required 'op' member is missing." },
        { "[7]", "syntax error", "Object expected." },
        { "[{'op': 'insert', 'table': 'Root'}]", "syntax error",
          "Required 'row' member is missing." },
        { "[{'op': 'insert', 'table': 'Root', 'row': {}, 'extra': 1}]",
          "syntax error", "Member 'extra' is present but not allowed here." },
        { "[{'op': 'insert', 'table': 'Root', 'row': {'foo': 1}}]",
          "unknown column", "No column foo in table Root." },
        { "[{'op': 'insert', 'table': 'Root', 'row': {'count': 'x'}}]",
          "syntax error", NULL },
        { "[{'op': 'insert', 'table': 'Root', 'row': {'count': 101}}]",
          "constraint violation", NULL },
        { "[{'op': 'insert', 'table': 'Root', 'row': {'ints':"
          " ['set', [1, 2, 3, 4]]}}]", "syntax error", NULL },
        { "[{'op': 'select', 'table': 'Root', 'where': [['x', '==', 1]]}]",
          "unknown column", "No column x in table Root." },
        { "[{'op': 'select', 'table': 'Root', 'where': [['name', '~', 1]]}]",
          "unknown function", "No function named ~." },
        { "[{'op': 'select', 'table': 'Root', 'where': [['name']]}]",
          "syntax error", "Parse error in condition." },
        { "[{'op': 'select', 'table': 'Root', 'where':"
          " [['name', '<', 'a']]}]", "syntax error",
          "Type mismatch: \"<\" operator may not be applied to column name "
          "of type string." },
        { "[{'op': 'select', 'table': 'Root', 'where':"
          " [['ints', '>', 1]]}]", "syntax error", "Type mismatch" },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['name', 'insert', 'x']]}]", "syntax error",
          "Type mismatch: \"insert\" operator may not be applied to column "
          "name of type string." },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['real', '%=', 2]]}]", "syntax error", "Type mismatch" },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['count', '^=', 2]]}]", "unknown mutator",
          "No mutator named ^=." },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['count']]}]", "syntax error", "Parse error in mutation." },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['frozen', 'insert', 'x']]}]", "constraint violation",
          "Cannot mutate immutable column frozen in table Root." },
        { "[{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
          " [['_version', 'insert', 'x']]}]", "constraint violation",
          "Cannot mutate immutable column _version in table Root." },
        { "[{'op': 'update', 'table': 'Root', 'where': [], 'row':"
          " {'frozen': 'x'}}]", "constraint violation",
          "Cannot update immutable column frozen in table Root." },
        { "[{'op': 'update', 'table': 'Root', 'where': [], 'row':"
          " {'_uuid': ['uuid', '5012ab9f-0df4-4c5d-aa92-a0b3f68d62b9']}}]",
          "constraint violation",
          "Cannot update immutable column _uuid in table Root." },
        { "[{'op': 'wait', 'table': 'Root', 'where': [], 'until': '<',"
          " 'rows': []}]", "syntax error",
          "\"until\" must be \"==\" or \"!=\"" },
        { "[{'op': 'wait', 'table': 'Root', 'where': [], 'until': '==',"
          " 'rows': [], 'timeout': -1}]", "syntax error",
          "timeout must be nonnegative" },
        { "[{'op': 'commit'}]", "syntax error",
          "Required 'durable' member is missing." },
        { "[{'op': 'comment', 'comment': 5}]", "syntax error",
          "Type mismatch for member 'comment'." },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *r = run(db, "%s", cases[i].ops);
        check_error(r, 1, 0, cases[i].tag, cases[i].details);
        json_decref(r);
    }

    /* Not an array, or another database. */
    json_t *params = parse_json("{'a': 1}");
    json_t *r = ovsdb_execute(db, params, NULL, NULL);
    CHECK_STREQ(json_object_get_string_or(r, "error", ""), "syntax error");
    CHECK_STREQ(json_object_get_string_or(r, "details", ""),
                "array expected");
    json_decref(r);
    json_decref(params);
    params = parse_json("['Other', {'op': 'abort'}]");
    r = ovsdb_execute(db, params, NULL, NULL);
    CHECK_STREQ(json_object_get_string_or(r, "details", ""),
                "database name expected as first parameter");
    json_decref(r);
    json_decref(params);

    /* No operations at all: an empty result. */
    r = run(db, "[]");
    check_ok_n(r, 0);
    json_decref(r);
    ovsdb_destroy(db);
}

TEST(update_and_delete)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "'count': 1");
    insert_root(db, "b", "'count': 2");
    insert_root(db, "c", "'count': 3");

    json_t *r = run(db, "[{'op': 'update', 'table': 'Root', 'where':"
                    " [['count', '>=', 2]], 'row': {'map': ['map',"
                    " [['x', 'y']]], 'opt': 9}},"
                    "{'op': 'update', 'table': 'Root', 'where':"
                    " [['name', '==', 'zzz']], 'row': {'count': 50}},"
                    "{'op': 'delete', 'table': 'Root', 'where':"
                    " [['name', '==', 'a']]}]");
    check_ok_n(r, 3);
    CHECK_EQ(result_count(r, 0), 2);
    CHECK_EQ(result_count(r, 1), 0);
    CHECK_EQ(result_count(r, 2), 1);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 2);
    CHECK_ROOT(db, "b", "opt", "9");
    CHECK_ROOT(db, "c", "map", "['map', [['x', 'y']]]");

    /* An update to the same values matches but changes nothing, so the
     * row keeps its _version. */
    char *v1 = root_column(db, "b", "_version");
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where':"
            " [['name', '==', 'b']], 'row': {'opt': 9}}]");
    CHECK_EQ(result_count(r, 0), 1);
    json_decref(r);
    char *v2 = root_column(db, "b", "_version");
    CHECK_STREQ(v1, v2);
    free(v2);
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where':"
            " [['name', '==', 'b']], 'row': {'opt': 10}}]");
    json_decref(r);
    v2 = root_column(db, "b", "_version");
    CHECK(strcmp(v1, v2));
    free(v1);
    free(v2);

    r = run(db, "[{'op': 'delete', 'table': 'Root', 'where': []}]");
    CHECK_EQ(result_count(r, 0), 2);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 0);
    ovsdb_destroy(db);
}

TEST(mutate_arithmetic)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "'count': 10, 'big': 100, 'ints': ['set', [1, 2]],"
                " 'reals': ['set', [1.5, 2.5]], 'real': 3.0");

    json_t *r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
                    " 'mutations': [['count', '+=', 5], ['count', '*=', 2],"
                    " ['count', '-=', 4], ['count', '/=', 3],"
                    " ['count', '%%=', 5], ['ints', '+=', 10],"
                    " ['reals', '*=', 2], ['real', '/=', 2],"
                    " ['big', '/=', -3]]}]");
    check_ok_n(r, 1);
    CHECK_EQ(result_count(r, 0), 1);
    json_decref(r);
    CHECK_ROOT(db, "a", "count", "3");           /* ((10+5)*2-4)/3 % 5 */
    CHECK_ROOT(db, "a", "ints", "['set', [11, 12]]");
    CHECK_ROOT(db, "a", "reals", "['set', [3.0, 5.0]]");
    CHECK_ROOT(db, "a", "real", "1.5");
    CHECK_ROOT(db, "a", "big", "-33");

    static const struct {
        const char *mutations, *tag, *details;
    } errors[] = {
        { "[['big', '/=', 0]]", "domain error", "Division by zero." },
        { "[['big', '%=', 0]]", "domain error", "Division by zero." },
        { "[['real', '/=', 0]]", "domain error", "Division by zero." },
        { "[['big', '+=', 9223372036854775807], ['big', '+=', 100]]",
          "range error", "Result of \"+=\" operation is out of range." },
        { "[['big', '-=', 9223372036854775807], ['big', '-=', 100]]",
          "range error", "Result of \"-=\" operation is out of range." },
        { "[['big', '*=', 4611686018427387904]]",
          "range error", "Result of \"*=\" operation is out of range." },
        { "[['real', '*=', 1e308], ['real', '*=', 1e308]]",
          "range error", "Result of \"*=\" operation is out of range." },
        { "[['count', '+=', 98]]", "constraint violation", NULL },
        { "[['count', '-=', 4]]", "constraint violation", NULL },
        { "[['ints', '*=', 0]]", "constraint violation",
          "Result of \"*=\" operation contains duplicates." },
    };
    char *before = dump_db(db, true);
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
        r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
                " 'mutations': %s}]", errors[i].mutations);
        check_error(r, 1, 0, errors[i].tag, errors[i].details);
        json_decref(r);
        char *after = dump_db(db, true);
        CHECK_STREQ(before, after);
        free(after);
    }
    free(before);

    /* INT64_MIN / -1 overflows; INT64_MIN % -1 is 0. */
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [], 'row':"
            " {'big': -9223372036854775807}},"
            "{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
            " [['big', '-=', 1]]}]");
    check_ok_n(r, 2);
    json_decref(r);
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['big', '/=', -1]]}]");
    check_error(r, 1, 0, "range error", NULL);
    json_decref(r);
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['big', '%%=', -1]]}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_ROOT(db, "a", "big", "0");
    ovsdb_destroy(db);
}

TEST(mutate_sets_and_maps)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "'ints': ['set', [1]], 'map': ['map', [['a', '1'],"
                " ['b', '2']]]");

    json_t *r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
                    " 'mutations': [['ints', 'insert', ['set', [2, 3]]],"
                    " ['ints', 'delete', 1],"
                    " ['map', 'insert', ['map', [['a', 'X'], ['c', '3']]]],"
                    " ['map', 'delete', ['map', [['b', 'wrong']]]]]}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_ROOT(db, "a", "ints", "['set', [2, 3]]");
    CHECK_ROOT(db, "a", "map",
               "['map', [['a', '1'], ['b', '2'], ['c', '3']]]");

    /* Delete from a map by pairs and by keys. */
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['map', 'delete', ['map', [['a', '1']]]],"
            " ['map', 'delete', ['set', ['c', 'zz']]]]}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_ROOT(db, "a", "map", "['map', [['b', '2']]]");

    /* Too many elements for the set. */
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['ints', 'insert', ['set', [7, 8]]]]}]");
    check_error(r, 1, 0, "constraint violation",
                "Attempted to store 4 elements in");
    json_decref(r);
    CHECK_ROOT(db, "a", "ints", "['set', [2, 3]]");

    /* Too few: a scalar-with-minimum column cannot be emptied. */
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['name', 'delete', 'a']]}]");
    check_error(r, 1, 0, "syntax error", "Type mismatch");
    json_decref(r);
    ovsdb_destroy(db);
}

TEST(conditions)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "'count': 1, 'real': 1.5, 'ints': ['set', [1, 2]],"
                " 'map': ['map', [['k', 'v']]], 'opt': 4");
    insert_root(db, "b", "'count': 2, 'real': 2.5, 'ints': ['set', [2]]");
    insert_root(db, "c", "'count': 3, 'real': -1, 'opt': 5");

    static const struct {
        const char *where;
        const char *names;      /* Expected matches, sorted. */
    } cases[] = {
        { "[]", "abc" },
        { "[['count', '<', 2]]", "a" },
        { "[['count', '<=', 2]]", "ab" },
        { "[['count', '>', 1], ['count', '<', 3]]", "b" },
        { "[['count', '>=', 2]]", "bc" },
        { "[['count', '!=', 2]]", "ac" },
        { "[['real', '<', 0]]", "c" },
        { "[['real', '>=', 1.5]]", "ab" },
        { "[['opt', '<', 5]]", "a" },
        { "[['opt', '>', 0]]", "ac" },
        { "[['opt', '==', ['set', []]]]", "b" },
        { "[['opt', '!=', 4]]", "bc" },
        { "[['ints', 'includes', 2]]", "ab" },
        { "[['ints', 'includes', ['set', [1, 2]]]]", "a" },
        { "[['ints', 'excludes', 1]]", "bc" },
        { "[['ints', '==', ['set', [2]]]]", "b" },
        { "[['ints', 'includes', ['set', []]]]", "abc" },
        { "[['map', 'includes', ['map', [['k', 'v']]]]]", "a" },
        { "[['map', 'includes', ['map', [['k', 'x']]]]]", "" },
        { "[['map', 'excludes', ['map', [['k', 'x']]]]]", "abc" },
        { "[['name', 'includes', 'b']]", "b" },
        { "[['name', 'excludes', 'b']]", "ac" },
        { "[true]", "abc" },
        { "[false]", "" },
        { "[true, ['name', '==', 'c']]", "c" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *r = run(db, "[{'op': 'select', 'table': 'Root', 'where': %s,"
                        " 'columns': ['name'], 'sort': ['name']}]",
                        cases[i].where);
        check_ok_n(r, 1);
        json_t *rows = result_rows(r, 0);
        struct ds names = DS_EMPTY_INITIALIZER;
        for (size_t j = 0; j < json_array_size(rows); j++) {
            ds_put_cstr(&names, json_object_get_string_or(
                            json_array_get(rows, j), "name", "?"));
        }
        CHECK_MSG(!strcmp(ds_cstr(&names), cases[i].names),
                  "where %s: got \"%s\", expected \"%s\"", cases[i].where,
                  ds_cstr(&names), cases[i].names);
        ds_destroy(&names);
        json_decref(r);
    }

    /* _uuid and _version. */
    char *uuid = root_column(db, "b", "_uuid");
    char *version = root_column(db, "b", "_version");
    json_t *r = run(db, "[{'op': 'select', 'table': 'Root', 'where':"
                    " [['_uuid', '==', %s]], 'columns': ['name']},"
                    "{'op': 'select', 'table': 'Root', 'where':"
                    " [['_version', '==', %s]], 'columns': ['name']},"
                    "{'op': 'select', 'table': 'Root', 'where':"
                    " [['_uuid', '!=', %s]], 'columns': ['name']}]",
                    uuid, version, uuid);
    check_ok_n(r, 3);
    char *s = to_text(result_rows(r, 0));
    CHECK_STREQ(s, "[{\"name\":\"b\"}]");
    free(s);
    s = to_text(result_rows(r, 1));
    CHECK_STREQ(s, "[{\"name\":\"b\"}]");
    free(s);
    CHECK_EQ(json_array_size(result_rows(r, 2)), 2);
    json_decref(r);
    free(uuid);
    free(version);

    /* A condition round-trips through JSON. */
    json_t *where = parse_json("[['count', '<', 2], true, ['ints',"
                               " 'includes', ['set', [1, 2]]]]");
    struct ovsdb_condition cond;
    CHECK(!ovsdb_condition_from_json(ovsdb_get_table(db, "Root")->schema,
                                     where, NULL, &cond));
    json_t *back = ovsdb_condition_to_json(&cond);
    CHECK(json_equal(where, back));
    json_decref(back);
    json_decref(where);
    ovsdb_condition_destroy(&cond);
    ovsdb_destroy(db);
}

/* Transactions as a whole. */

TEST(atomicity)
{
    struct ovsdb *db = create_db();
    insert_root(db, "keep", "'count': 1, 'ints': ['set', [1]]");
    char *before = dump_db(db, true);

    /* Each later failure undoes inserts, updates, mutates and deletes. */
    static const char *const failures[] = {
        "{'op': 'abort'}",
        "{'op': 'insert', 'table': 'Nope', 'row': {}}",
        "{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
        " [['count', '/=', 0]]}",
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'z',"
        " 'children': ['uuid', '11111111-2222-3333-4444-555555555555']}}",
        "{'op': 'wait', 'table': 'Root', 'timeout': 0, 'where': [],"
        " 'until': '==', 'rows': []}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(failures); i++) {
        json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row':"
                        " {'name': 'new'}},"
                        "{'op': 'update', 'table': 'Root', 'where': [],"
                        " 'row': {'count': 9}},"
                        "{'op': 'mutate', 'table': 'Root', 'where': [],"
                        " 'mutations': [['ints', 'insert', 2]]},"
                        "{'op': 'delete', 'table': 'Root', 'where':"
                        " [['name', '==', 'keep']]},"
                        "{'op': 'insert', 'table': 'Child', 'row':"
                        " {'name': 'c'}}, %s]", failures[i]);
        size_t n = json_array_size(r);
        CHECK_MSG(n == 6 || n == 7, "%zu results", n);
        json_t *last = json_array_get(r, n - 1);
        CHECK(json_object_get(last, "error"));
        json_decref(r);

        char *after = dump_db(db, true);
        CHECK_STREQ(before, after);
        free(after);
    }

    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row':"
                    " {'name': 'x'}}, {'op': 'abort'}, {'op': 'comment',"
                    " 'comment': 'y'}]");
    check_error(r, 3, 1, "aborted", "aborted by request");
    json_decref(r);
    free(before);
    ovsdb_destroy(db);
}

TEST(wait_operation)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "'count': 1");

    /* Satisfied now. */
    json_t *r = run(db, "[{'op': 'wait', 'table': 'Root', 'timeout': 0,"
                    " 'where': [['name', '==', 'a']], 'columns': ['count'],"
                    " 'until': '==', 'rows': [{'count': 1}]},"
                    "{'op': 'wait', 'table': 'Root', 'timeout': 0,"
                    " 'where': [], 'columns': ['count'], 'until': '!=',"
                    " 'rows': [{'count': 2}]},"
                    "{'op': 'wait', 'table': 'Root', 'timeout': 0,"
                    " 'where': [['name', '==', 'zz']], 'until': '==',"
                    " 'rows': []}]");
    check_ok_n(r, 3);
    json_decref(r);

#define UNSATISFIED \
        "[{'op': 'insert', 'table': 'Root', 'row': {'name': 'b'}},"    \
        " {'op': 'wait', 'table': 'Root', 'timeout': %d,"               \
        " 'where': [['name', '==', 'a']], 'columns': ['count'],"        \
        " 'until': '==', 'rows': [{'count': 5}]}]"

    /* Timeout 0 fails at once. */
    r = run(db, UNSATISFIED, 0);
    check_error(r, 2, 1, "timed out", "\"where\" clause test failed");
    json_decref(r);

    /* With time left and a caller that can retry: blocked, no result. */
    char *ops = xasprintf(UNSATISFIED, 1000);
    long long int timeout = -1;
    r = run_with(db, NULL, &timeout, ops);
    CHECK(!r);
    CHECK_EQ(timeout, 1000);
    CHECK_EQ(n_rows(db, "Root"), 1);

    /* Still waiting after 999 ms; timed out after 1500. */
    struct ovsdb_exec_options opts = { .elapsed_msec = 999 };
    r = run_with(db, &opts, &timeout, ops);
    CHECK(!r);
    opts.elapsed_msec = 1500;
    r = run_with(db, &opts, &timeout, ops);
    check_error(r, 2, 1, "timed out", "\"wait\" timed out after 1500 ms");
    json_decref(r);

    /* A caller that cannot retry gets "not supported". */
    r = run_with(db, NULL, NULL, ops);
    check_error(r, 2, 1, "not supported", NULL);
    json_decref(r);

    /* Once the database changes, the retry succeeds. */
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [], 'row':"
            " {'count': 5}}]");
    json_decref(r);
    opts.elapsed_msec = 10;
    r = run_with(db, &opts, &timeout, ops);
    check_ok_n(r, 2);
    json_decref(r);
    free(ops);

    /* No timeout: waits forever. */
    timeout = 0;
    r = run_with(db, NULL, &timeout, "[{'op': 'wait', 'table': 'Root',"
                 " 'where': [], 'until': '==', 'rows': []}]");
    CHECK(!r);
    CHECK_EQ(timeout, LLONG_MAX);
    ovsdb_destroy(db);
}

static bool
lock_held(const char *name, void *aux)
{
    return !strcmp(name, (const char *) aux);
}

TEST(commit_abort_comment_assert)
{
    struct ovsdb *db = create_db();
    bool durable = true;
    json_t *results;

    json_t *params = parse_json("['TestDB', {'op': 'insert', 'table':"
                                " 'Root', 'row': {}}, {'op': 'commit',"
                                " 'durable': true}, {'op': 'comment',"
                                " 'comment': 'hello'}, {'op': 'comment',"
                                " 'comment': 'world'}]");
    struct ovsdb_txn *txn = ovsdb_execute_compose(db, params, NULL, NULL,
                                                  &durable, &results);
    CHECK(txn);
    CHECK(durable);
    check_ok_n(results, 4);
    CHECK_STREQ(ovsdb_txn_get_comment(txn), "hello\nworld");
    CHECK(!ovsdb_txn_commit(txn, durable));
    json_decref(results);
    json_decref(params);
    CHECK_EQ(n_rows(db, "Root"), 1);

    params = parse_json("['TestDB', {'op': 'commit', 'durable': false}]");
    txn = ovsdb_execute_compose(db, params, NULL, NULL, &durable, &results);
    CHECK(!durable);
    ovsdb_txn_abort(txn);
    json_decref(results);
    json_decref(params);

    /* assert. */
    struct ovsdb_exec_options opts = { .lock_held = lock_held,
                                       .aux = (void *) "mine" };
    json_t *r = run_with(db, &opts, NULL, "[{'op': 'assert', 'lock':"
                         " 'mine'}]");
    check_ok_n(r, 1);
    json_decref(r);
    r = run_with(db, &opts, NULL, "[{'op': 'assert', 'lock': 'theirs'},"
                 " {'op': 'insert', 'table': 'Root', 'row': {}}]");
    check_error(r, 2, 0, "not owner", "Asserted lock theirs not held.");
    json_decref(r);
    r = run(db, "[{'op': 'assert', 'lock': 'mine'}]");
    check_error(r, 1, 0, "not owner", NULL);
    json_decref(r);

    /* Read-only sessions may read but not write. */
    struct ovsdb_exec_options ro = { .read_only = true };
    r = run_with(db, &ro, NULL, "[{'op': 'select', 'table': 'Root',"
                 " 'where': []}, {'op': 'comment', 'comment': 'x'},"
                 " {'op': 'delete', 'table': 'Root', 'where': []}]");
    check_error(r, 3, 2, "not allowed", "delete operation not allowed when "
                "database server is in read only mode");
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 1);
    ovsdb_destroy(db);
}
