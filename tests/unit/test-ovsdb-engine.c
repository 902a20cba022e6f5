/* Tests for the OVSDB engine: every "transact" operation and error class
 * (ovsdb/execution), commit-time integrity checks (ovsdb/transaction),
 * conditions, mutations, replicas, and the storage form of transactions
 * replayed into an identical database. */
#include <config.h>
#include "ovsdb/execution.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "bitmap.h"
#include "dynamic-string.h"
#include "json.h"
#include "ovsdb/condition.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "test.h"

/* The test schema, in JSON with ' for " to keep it readable.
 *   Root: a root table with strong and weak references to Child, sets,
 *         maps, constrained, ephemeral and immutable columns.
 *   Child: not a root (garbage-collected), unique index on "name", a
 *         strong reference to another Child and a weak one.
 *   Holder: a weak reference that may not be empty.
 *   Limited: at most 2 rows, two-column index. */
static const char schema_text[] =
"{'name': 'TestDB', 'version': '1.2.3', 'tables': {"
" 'Root': {'isRoot': true, 'columns': {"
"   'name': {'type': 'string'},"
"   'children': {'type': {'key': {'type': 'uuid', 'refTable': 'Child'},"
"                         'min': 0, 'max': 'unlimited'}},"
"   'weak': {'type': {'key': {'type': 'uuid', 'refTable': 'Child',"
"                             'refType': 'weak'},"
"                     'min': 0, 'max': 'unlimited'}},"
"   'count': {'type': {'key': {'type': 'integer', 'minInteger': 0,"
"                              'maxInteger': 100}}},"
"   'big': {'type': 'integer'},"
"   'ints': {'type': {'key': 'integer', 'min': 0, 'max': 3}},"
"   'reals': {'type': {'key': 'real', 'min': 0, 'max': 'unlimited'}},"
"   'real': {'type': 'real'},"
"   'map': {'type': {'key': 'string', 'value': 'string', 'min': 0,"
"                    'max': 'unlimited'}},"
"   'opt': {'type': {'key': 'integer', 'min': 0, 'max': 1}},"
"   'status': {'type': 'string', 'ephemeral': true},"
"   'frozen': {'type': 'string', 'mutable': false}}},"
" 'Child': {'isRoot': false, 'indexes': [['name']], 'columns': {"
"   'name': {'type': 'string'},"
"   'number': {'type': 'integer'},"
"   'sub': {'type': {'key': {'type': 'uuid', 'refTable': 'Child'},"
"                    'min': 0, 'max': 1}},"
"   'peer': {'type': {'key': {'type': 'uuid', 'refTable': 'Child',"
"                             'refType': 'weak'}, 'min': 0, 'max': 1}}}},"
" 'Holder': {'isRoot': true, 'columns': {"
"   'w': {'type': {'key': {'type': 'uuid', 'refTable': 'Child',"
"                          'refType': 'weak'}}},"
"   'keep': {'type': {'key': {'type': 'uuid', 'refTable': 'Child'},"
"                     'min': 0, 'max': 1}}}},"
" 'Limited': {'isRoot': true, 'maxRows': 2, 'indexes': [['x', 'y']],"
"   'columns': {'x': {'type': 'integer'}, 'y': {'type': 'string'}}}}}";

/* Helpers. */

static char *
vformat_json(const char *format, va_list args)
{
    char *s = xvasprintf(format, args);
    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return s;
}

static json_t *
parse_json(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static json_t *
parse_json(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = vformat_json(format, args);
    va_end(args);

    json_error_t error;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &error);
    CHECK_MSG(json, "bad test JSON %s: %s", s, error.text);
    free(s);
    return json;
}

static struct ovsdb *
create_db(void)
{
    json_t *json = parse_json("%s", schema_text);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    CHECK_MSG(!error, "%s", ovsdb_error_to_string(error));
    json_decref(json);
    return ovsdb_create(schema);
}

/* Runs the operations in OPS_JSON (an array) on DB. */
static json_t *
run_with(struct ovsdb *db, const struct ovsdb_exec_options *opts,
         long long int *timeout, const char *ops_json)
{
    json_t *ops = parse_json("%s", ops_json);
    json_t *params = json_pack("[s]", "TestDB");
    json_array_extend(params, ops);
    json_t *results = ovsdb_execute(db, params, opts, timeout);
    json_decref(params);
    json_decref(ops);
    return results;
}

static json_t *
run(struct ovsdb *db, const char *format, ...) PLX_PRINTF_FORMAT(2, 3);

static json_t *
run(struct ovsdb *db, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);

    json_t *results = run_with(db, NULL, NULL, s);
    free(s);
    return results;
}

static char *
to_text(const json_t *json)
{
    return json_to_string_canonical(json);
}

/* Checks that RESULTS is an array of N results without errors. */
static void
check_ok_n(json_t *results, size_t n)
{
    char *s = to_text(results);
    CHECK_MSG(json_is_array(results) && json_array_size(results) == n,
              "expected %zu results: %s", n, s);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(results, i);
        CHECK_MSG(json_is_object(r) && !json_object_get(r, "error"),
                  "result %zu is not a success: %s", i, s);
    }
    free(s);
}

/* Checks that RESULTS has N elements, the one at IDX an error with TAG
 * whose details contain DETAILS (if nonnull), all after it null. */
static void
check_error(json_t *results, size_t n, size_t idx, const char *tag,
            const char *details)
{
    char *s = to_text(results);
    CHECK_MSG(json_is_array(results) && json_array_size(results) == n,
              "expected %zu results: %s", n, s);
    for (size_t i = 0; i < idx; i++) {
        json_t *r = json_array_get(results, i);
        CHECK_MSG(json_is_object(r) && !json_object_get(r, "error"),
                  "result %zu is not a success: %s", i, s);
    }

    json_t *e = json_array_get(results, idx);
    const char *got_tag = json_object_get_string_or(e, "error", NULL);
    const char *got_details = json_object_get_string_or(e, "details", "");
    CHECK_MSG(got_tag && !strcmp(got_tag, tag),
              "result %zu: expected error \"%s\": %s", idx, tag, s);
    CHECK_MSG(!details || strstr(got_details, details),
              "result %zu: expected details \"%s\": %s", idx, details, s);
    for (size_t i = idx + 1; i < n; i++) {
        CHECK_MSG(json_is_null(json_array_get(results, i)),
                  "result %zu should be null: %s", i, s);
    }
    free(s);
}

/* The UUID string of the insert result at IDX (static buffer). */
static const char *
result_uuid(json_t *results, size_t idx)
{
    static char buf[4][UUID_LEN + 1];
    static int next;
    json_t *uuid = json_object_get(json_array_get(results, idx), "uuid");
    const char *s = json_string_value(json_array_get(uuid, 1));
    CHECK(s && strlen(s) == UUID_LEN);
    char *dst = buf[next++ % 4];
    strcpy(dst, s);
    return dst;
}

static size_t
result_count(json_t *results, size_t idx)
{
    return json_object_get_int_or(json_array_get(results, idx), "count",
                                  -1);
}

static json_t *
result_rows(json_t *results, size_t idx)
{
    return json_object_get(json_array_get(results, idx), "rows");
}

static size_t
n_rows(const struct ovsdb *db, const char *table)
{
    return ovsdb_table_n_rows(ovsdb_get_table(db, table));
}

/* Every row of DB, canonical: {"TABLE": {"UUID": ROW}}.  Without
 * EPHEMERAL, ephemeral columns are left out. */
static char *
dump_db(const struct ovsdb *db, bool ephemeral)
{
    json_t *json = json_object();

    for (size_t i = 0; i < db->n_tables; i++) {
        const struct ovsdb_table *table = db->tables[i];
        const struct ovsdb_table_schema *ts = table->schema;
        struct ovsdb_column_set columns;
        json_t *rows = json_object();
        const struct ovsdb_row *row;

        ovsdb_column_set_init(&columns);
        for (size_t j = 0; j < ts->n_columns; j++) {
            if (ephemeral || !ts->columns[j]->ephemeral) {
                ovsdb_column_set_add(&columns, ts->columns[j]);
            }
        }
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            char s[UUID_LEN + 1];
            json_object_set_new(rows, uuid_to_string(ovsdb_row_get_uuid(row),
                                                     s),
                                ovsdb_row_to_json(row, &columns));
        }
        ovsdb_column_set_destroy(&columns);
        json_object_set_new(json, ts->name, rows);
    }

    char *s = to_text(json);
    json_decref(json);
    return s;
}

/* Selects COLUMN of every Root row named NAME, as canonical JSON. */
static char *
root_column(struct ovsdb *db, const char *name, const char *column)
{
    json_t *r = run(db, "[{'op': 'select', 'table': 'Root', 'where': "
                    "[['name', '==', '%s']], 'columns': ['%s']}]",
                    name, column);
    check_ok_n(r, 1);
    json_t *rows = result_rows(r, 0);
    CHECK_EQ(json_array_size(rows), 1);
    char *s = to_text(json_object_get(json_array_get(rows, 0), column));
    json_decref(r);
    return s;
}

#define CHECK_ROOT(DB, NAME, COLUMN, EXPECTED)                          \
    do {                                                                \
        char *s__ = root_column(DB, NAME, COLUMN);                      \
        json_t *e__ = parse_json("%s", EXPECTED);                       \
        char *es__ = to_text(e__);                                      \
        CHECK_STREQ(s__, es__);                                         \
        free(s__);                                                      \
        free(es__);                                                     \
        json_decref(e__);                                               \
    } while (0)

/* Inserts a Root row named NAME with ROW_EXTRA members (JSON text). */
static void
insert_root(struct ovsdb *db, const char *name, const char *row_extra)
{
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row': "
                    "{'name': '%s'%s%s}}]", name, *row_extra ? ", " : "",
                    row_extra);
    check_ok_n(r, 1);
    json_decref(r);
}

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

/* Commit-time checks. */

TEST(referential_integrity)
{
    struct ovsdb *db = create_db();
    const char *ghost = "11111111-2222-3333-4444-555555555555";

    /* A strong reference to a row that does not exist: the commit fails,
     * so the result has one more element than there were operations. */
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row':"
                    " {'name': 'r', 'children': ['uuid', '%s']}}]", ghost);
    CHECK_EQ(json_array_size(r), 2);
    {
        json_t *e = json_array_get(r, 1);
        const char *uuid = result_uuid(r, 0);
        char *details = xasprintf("Table Root column children row %s "
                                  "references nonexistent row %s in table "
                                  "Child.", uuid, ghost);
        CHECK_STREQ(json_object_get_string_or(e, "error", ""),
                    "referential integrity violation");
        CHECK_STREQ(json_object_get_string_or(e, "details", ""), details);
        free(details);
    }
    json_decref(r);
    CHECK_EQ(n_rows(db, "Root"), 0);

    /* A named-uuid that no insert defines is just as dangling. */
    r = run(db, "[{'op': 'insert', 'table': 'Root', 'row':"
            " {'name': 'r', 'children': ['named-uuid', 'nobody']}}]");
    CHECK_EQ(json_array_size(r), 2);
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 1), "error", ""),
                "referential integrity violation");
    json_decref(r);

    /* Deleting a row that is still referenced. */
    r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name': 'c',"
            " 'row': {'name': 'c'}},"
            "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r',"
            " 'children': ['named-uuid', 'c']}}]");
    check_ok_n(r, 2);
    char *child = xstrdup(result_uuid(r, 0));
    json_decref(r);
    r = run(db, "[{'op': 'delete', 'table': 'Child', 'where': []}]");
    CHECK_EQ(json_array_size(r), 2);
    CHECK_EQ(result_count(r, 0), 1);
    char *details = xasprintf("cannot delete Child row %s because of 1 "
                              "remaining reference(s)", child);
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 1), "details",
                                          ""), details);
    free(details);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 1);

    /* Deleting both the referrer and the row works. */
    r = run(db, "[{'op': 'delete', 'table': 'Child', 'where': []},"
            "{'op': 'delete', 'table': 'Root', 'where': []}]");
    check_ok_n(r, 2);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 0);
    free(child);
    ovsdb_destroy(db);
}

TEST(garbage_collection)
{
    struct ovsdb *db = create_db();

    /* An unreferenced row of a non-root table does not survive. */
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Child', 'row':"
                    " {'name': 'orphan'}}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 0);

    /* Root -> c1 -> c2 (strong): dropping the root's reference collects
     * both, but c3 stays while the Holder keeps it. */
    r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name': 'c2',"
            " 'row': {'name': 'c2'}},"
            "{'op': 'insert', 'table': 'Child', 'uuid-name': 'c1',"
            " 'row': {'name': 'c1', 'sub': ['named-uuid', 'c2']}},"
            "{'op': 'insert', 'table': 'Child', 'uuid-name': 'c3',"
            " 'row': {'name': 'c3', 'sub': ['named-uuid', 'c3']}},"
            "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r',"
            " 'children': ['set', [['named-uuid', 'c1'],"
            " ['named-uuid', 'c3']]]}},"
            "{'op': 'insert', 'table': 'Holder', 'row': {"
            " 'w': ['named-uuid', 'c3'], 'keep': ['named-uuid', 'c3']}}]");
    check_ok_n(r, 5);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 3);

    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [],"
            " 'row': {'children': ['set', []]}}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 1);
    r = run(db, "[{'op': 'select', 'table': 'Child', 'where': [],"
            " 'columns': ['name']}]");
    char *s = to_text(result_rows(r, 0));
    CHECK_STREQ(s, "[{\"name\":\"c3\"}]");
    free(s);
    json_decref(r);

    /* A self-reference does not keep a row alive, and its Holder's weak
     * reference may not become empty: the commit fails as a whole. */
    char *before = dump_db(db, true);
    r = run(db, "[{'op': 'update', 'table': 'Holder', 'where': [],"
            " 'row': {'keep': ['set', []]}}]");
    CHECK_EQ(json_array_size(r), 2);
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 1), "error", ""),
                "constraint violation");
    CHECK(strstr(json_object_get_string_or(json_array_get(r, 1), "details",
                                           ""),
                 "Deletion of 1 weak reference(s) to deleted (or "
                 "never-existing) rows from column \"w\" in \"Holder\" "
                 "row "));
    json_decref(r);
    char *after = dump_db(db, true);
    CHECK_STREQ(before, after);
    free(before);
    free(after);
    ovsdb_destroy(db);
}

TEST(weak_references)
{
    struct ovsdb *db = create_db();
    const char *ghost = "11111111-2222-3333-4444-555555555555";

    /* Weak references to rows that do not exist are dropped silently. */
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name':"
                    " 'a', 'row': {'name': 'a', 'peer': ['named-uuid', 'b']}},"
                    "{'op': 'insert', 'table': 'Child', 'uuid-name': 'b',"
                    " 'row': {'name': 'b', 'peer': ['uuid', '%s']}},"
                    "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r',"
                    " 'children': ['set', [['named-uuid', 'a'],"
                    " ['named-uuid', 'b']]], 'weak': ['set', ["
                    "['named-uuid', 'a'], ['named-uuid', 'b'],"
                    " ['uuid', '%s']]]}}]", ghost, ghost);
    check_ok_n(r, 3);
    char *a = xasprintf("['uuid', '%s']", result_uuid(r, 0));
    char *b = xasprintf("['uuid', '%s']", result_uuid(r, 1));
    json_decref(r);
    /* The ghost is gone; a and b stay (in UUID order). */
    char *got = root_column(db, "r", "weak");
    json_t *gotj = parse_json("%s", got);
    json_t *set = json_array_get(gotj, 1);
    CHECK_EQ(json_array_size(set), 2);
    for (size_t i = 0; i < 2; i++) {
        char *elem = to_text(json_array_get(set, i));
        json_t *aj = parse_json("%s", a), *bj = parse_json("%s", b);
        char *as = to_text(aj), *bs = to_text(bj);
        CHECK(!strcmp(elem, as) || !strcmp(elem, bs));
        free(elem);
        free(as);
        free(bs);
        json_decref(aj);
        json_decref(bj);
    }
    json_decref(gotj);
    free(got);

    /* Deleting b (the root drops its strong reference, b becomes garbage)
     * removes the weak references to it from the root and from a. */
    r = run(db, "[{'op': 'mutate', 'table': 'Root', 'where': [],"
            " 'mutations': [['children', 'delete', %s]]}]", b);
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 1);
    CHECK_ROOT(db, "r", "weak", a);
    r = run(db, "[{'op': 'select', 'table': 'Child', 'where': [],"
            " 'columns': ['name', 'peer']}]");
    char *s = to_text(result_rows(r, 0));
    CHECK_STREQ(s, "[{\"name\":\"a\",\"peer\":[\"set\",[]]}]");
    free(s);
    json_decref(r);

    /* A weak reference column with min 1 whose default (all-zeros UUID)
     * points nowhere. */
    r = run(db, "[{'op': 'insert', 'table': 'Holder', 'row': {}}]");
    CHECK_EQ(json_array_size(r), 2);
    CHECK(strstr(json_object_get_string_or(json_array_get(r, 1), "details",
                                           ""),
                 "(inserted within this transaction) contained all-zeros "
                 "UUID"));
    json_decref(r);
    CHECK_EQ(n_rows(db, "Holder"), 0);
    free(a);
    free(b);
    ovsdb_destroy(db);
}

TEST(index_uniqueness)
{
    struct ovsdb *db = create_db();

    json_t *r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name':"
                    " 'x', 'row': {'name': 'dup'}},"
                    "{'op': 'insert', 'table': 'Child', 'uuid-name': 'y',"
                    " 'row': {'name': 'dup'}},"
                    "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r',"
                    " 'children': ['set', [['named-uuid', 'x'],"
                    " ['named-uuid', 'y']]]}}]");
    CHECK_EQ(json_array_size(r), 4);
    const char *details = json_object_get_string_or(json_array_get(r, 3),
                                                    "details", "");
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 3), "error", ""),
                "constraint violation");
    CHECK_MSG(strstr(details, "Transaction causes multiple rows in \"Child\" "
                     "table to have identical values (dup) for index on "
                     "column \"name\".  First row, with UUID ")
              && strstr(details, ", was inserted by this transaction.  "
                        "Second row, with UUID ")
              && strstr(details, result_uuid(r, 0))
              && strstr(details, result_uuid(r, 1)), "%s", details);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 0);

    /* Against a committed row. */
    r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name': 'x',"
            " 'row': {'name': 'one'}},"
            "{'op': 'insert', 'table': 'Child', 'uuid-name': 'y',"
            " 'row': {'name': 'two'}},"
            "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r',"
            " 'children': ['set', [['named-uuid', 'x'],"
            " ['named-uuid', 'y']]]}}]");
    check_ok_n(r, 3);
    json_decref(r);
    r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name': 'z',"
            " 'row': {'name': 'one'}},"
            "{'op': 'mutate', 'table': 'Root', 'where': [], 'mutations':"
            " [['children', 'insert', ['named-uuid', 'z']]]}]");
    CHECK_EQ(json_array_size(r), 3);
    details = json_object_get_string_or(json_array_get(r, 2), "details", "");
    CHECK_MSG(strstr(details, "existed in the database before this "
                     "transaction and was not modified by the transaction.")
              && strstr(details, "was inserted by this transaction."),
              "%s", details);
    json_decref(r);

    /* Renaming onto an existing name, with the old values reported. */
    r = run(db, "[{'op': 'update', 'table': 'Child', 'where':"
            " [['name', '==', 'two']], 'row': {'name': 'one'}}]");
    CHECK_EQ(json_array_size(r), 2);
    details = json_object_get_string_or(json_array_get(r, 1), "details", "");
    CHECK_MSG(strstr(details, "had the following index values before the "
                     "transaction: two."), "%s", details);
    json_decref(r);

    /* Swapping two names in one transaction is fine. */
    r = run(db, "[{'op': 'update', 'table': 'Child', 'where':"
            " [['name', '==', 'two']], 'row': {'name': 'tmp'}},"
            "{'op': 'update', 'table': 'Child', 'where':"
            " [['name', '==', 'one']], 'row': {'name': 'two'}},"
            "{'op': 'update', 'table': 'Child', 'where':"
            " [['name', '==', 'tmp']], 'row': {'name': 'one'}}]");
    check_ok_n(r, 3);
    json_decref(r);

    /* A two-column index: equal in one column is not a duplicate. */
    r = run(db, "[{'op': 'insert', 'table': 'Limited', 'row': {'x': 1,"
            " 'y': 'a'}}, {'op': 'insert', 'table': 'Limited', 'row':"
            " {'x': 1, 'y': 'b'}}]");
    check_ok_n(r, 2);
    json_decref(r);
    r = run(db, "[{'op': 'update', 'table': 'Limited', 'where': [],"
            " 'row': {'y': 'c'}}]");
    CHECK_EQ(json_array_size(r), 2);
    details = json_object_get_string_or(json_array_get(r, 1), "details", "");
    CHECK_MSG(strstr(details, "(1 and c) for index on columns \"x\" and "
                     "\"y\"."), "%s", details);
    json_decref(r);
    ovsdb_destroy(db);
}

TEST(max_rows)
{
    struct ovsdb *db = create_db();
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Limited', 'row':"
                    " {'x': 1}}, {'op': 'insert', 'table': 'Limited', 'row':"
                    " {'x': 2}}, {'op': 'insert', 'table': 'Limited', 'row':"
                    " {'x': 3}}]");
    CHECK_EQ(json_array_size(r), 4);
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 3), "details",
                                          ""),
                "transaction causes \"Limited\" table to contain 3 rows, "
                "greater than the schema-defined limit of 2 row(s)");
    json_decref(r);
    CHECK_EQ(n_rows(db, "Limited"), 0);

    /* Replacing a row within the limit is fine. */
    r = run(db, "[{'op': 'insert', 'table': 'Limited', 'row': {'x': 1}},"
            "{'op': 'insert', 'table': 'Limited', 'row': {'x': 2}}]");
    check_ok_n(r, 2);
    json_decref(r);
    r = run(db, "[{'op': 'delete', 'table': 'Limited', 'where':"
            " [['x', '==', 1]]}, {'op': 'insert', 'table': 'Limited',"
            " 'row': {'x': 3}}]");
    check_ok_n(r, 2);
    json_decref(r);
    ovsdb_destroy(db);
}

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

/* Replicas and the storage form. */

struct recorder {
    struct ovsdb_replica up;
    json_t *txns;               /* ovsdb_txn_to_json() of each commit. */
    struct ds changes;          /* One line per changed row. */
    bool fail;
    bool destroyed;
};

static bool
record_change(const struct ovsdb_row *old, const struct ovsdb_row *new,
              const unsigned long *changed, void *aux)
{
    struct recorder *rec = aux;
    const struct ovsdb_row *row = new ? new : old;
    const struct ovsdb_table_schema *ts = row->table->schema;

    ds_put_format(&rec->changes, "%s %s", ts->name,
                  !old ? "insert" : !new ? "delete" : "modify");
    if (old && new) {
        for (size_t i = 0; i < ts->n_columns; i++) {
            if (bitmap_is_set(changed, i)) {
                ds_put_format(&rec->changes, " %s", ts->columns[i]->name);
            }
        }
    }
    ds_put_char(&rec->changes, '\n');
    return true;
}

static struct ovsdb_error *
recorder_commit(struct ovsdb_replica *replica, const struct ovsdb_txn *txn,
                bool durable PLX_UNUSED)
{
    struct recorder *rec = CONTAINER_OF(replica, struct recorder, up);

    if (rec->fail) {
        return ovsdb_io_error(5, "disk on fire");
    }
    json_t *json = ovsdb_txn_to_json(txn);
    if (json) {
        json_array_append_new(rec->txns, json);
    }
    ovsdb_txn_for_each_change(txn, record_change, rec);
    return NULL;
}

static void
recorder_destroy(struct ovsdb_replica *replica)
{
    struct recorder *rec = CONTAINER_OF(replica, struct recorder, up);
    rec->destroyed = true;
}

static const struct ovsdb_replica_class recorder_class = {
    recorder_commit, recorder_destroy,
};

static void
recorder_init(struct recorder *rec, struct ovsdb *db)
{
    memset(rec, 0, sizeof *rec);
    ovsdb_replica_init(&rec->up, &recorder_class);
    rec->txns = json_array();
    ds_init(&rec->changes);
    ovsdb_add_replica(db, &rec->up);
}

TEST(replica_sees_changes)
{
    struct ovsdb *db = create_db();
    struct recorder rec;
    recorder_init(&rec, db);

    insert_root(db, "a", "'count': 1");
    json_t *r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [],"
                    " 'row': {'count': 2, 'name': 'a'}},"
                    "{'op': 'select', 'table': 'Root', 'where': []}]");
    json_decref(r);
    r = run(db, "[{'op': 'select', 'table': 'Root', 'where': []}]");
    json_decref(r);
    r = run(db, "[{'op': 'delete', 'table': 'Root', 'where': []}]");
    json_decref(r);
    CHECK_STREQ(ds_cstr(&rec.changes),
                "Root insert\n"
                "Root modify _version count\n"
                "Root delete\n");
    CHECK_EQ(json_array_size(rec.txns), 3);
    CHECK_EQ(ovsdb_get_seqno(db), 3);

    /* A failing replica aborts the commit with its error. */
    rec.fail = true;
    char *before = dump_db(db, true);
    r = run(db, "[{'op': 'insert', 'table': 'Root', 'row': {}}]");
    CHECK_EQ(json_array_size(r), 2);
    CHECK_STREQ(json_object_get_string_or(json_array_get(r, 1), "error", ""),
                "I/O error");
    json_decref(r);
    char *after = dump_db(db, true);
    CHECK_STREQ(before, after);
    CHECK_EQ(ovsdb_get_seqno(db), 3);
    free(before);
    free(after);

    ds_destroy(&rec.changes);
    json_decref(rec.txns);
    ovsdb_destroy(db);
    CHECK(rec.destroyed);
}

/* Replays the storage form of every transaction into a fresh database. */
static struct ovsdb *
replay_all(const json_t *txns)
{
    struct ovsdb *db = create_db();

    for (size_t i = 0; i < json_array_size(txns); i++) {
        struct ovsdb_txn *txn;
        struct ovsdb_error *error = ovsdb_txn_from_json(
            db, json_array_get(txns, i), &txn);
        CHECK_MSG(!error, "%s", ovsdb_error_to_string(error));
        error = ovsdb_txn_replay_commit(txn);
        CHECK_MSG(!error, "%s", ovsdb_error_to_string(error));
    }
    return db;
}

TEST(storage_form_replays_identically)
{
    struct ovsdb *db = create_db();
    struct recorder rec;
    recorder_init(&rec, db);

    insert_root(db, "a", "'count': 1, 'status': 'eph', 'frozen': 'f',"
                " 'map': ['map', [['k', 'v']]], 'reals': 2.5");
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Child', 'uuid-name':"
                    " 'c1', 'row': {'name': 'c1', 'peer': ['named-uuid',"
                    " 'c2']}},"
                    "{'op': 'insert', 'table': 'Child', 'uuid-name': 'c2',"
                    " 'row': {'name': 'c2', 'sub': ['named-uuid', 'c1']}},"
                    "{'op': 'mutate', 'table': 'Root', 'where': [],"
                    " 'mutations': [['children', 'insert', ['named-uuid',"
                    " 'c2']], ['weak', 'insert', ['set', [['named-uuid',"
                    " 'c1'], ['named-uuid', 'c2']]]]]},"
                    "{'op': 'comment', 'comment': 'kids'}]");
    check_ok_n(r, 4);
    json_decref(r);
    /* Only an ephemeral column: nothing to store. */
    size_t n_stored = json_array_size(rec.txns);
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [],"
            " 'row': {'status': 'other'}}]");
    json_decref(r);
    CHECK_EQ(json_array_size(rec.txns), n_stored);
    /* GC and weak-reference cleanup, all stored as explicit changes. */
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [],"
            " 'row': {'children': ['set', []], 'count': 7}},"
            "{'op': 'insert', 'table': 'Limited', 'row': {'x': 1}}]");
    check_ok_n(r, 2);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 0);

    json_t *first = json_array_get(rec.txns, 1);
    CHECK_STREQ(json_object_get_string_or(first, "_comment", ""), "kids");
    CHECK(json_is_integer(json_object_get(first, "_date")));

    struct ovsdb *db2 = replay_all(rec.txns);
    char *a = dump_db(db, false);
    char *b = dump_db(db2, false);
    CHECK_STREQ(a, b);
    free(a);
    free(b);

    /* The replayed database keeps working: same uniqueness, same refs. */
    r = run(db2, "[{'op': 'insert', 'table': 'Limited', 'row': {'x': 1}}]");
    CHECK_EQ(json_array_size(r), 2);
    json_decref(r);
    ovsdb_destroy(db2);

    ds_destroy(&rec.changes);
    json_decref(rec.txns);
    ovsdb_destroy(db);
}

TEST(storage_form_diff)
{
    struct ovsdb *db = create_db();
    json_t *txn_json = parse_json(
        "{'Root': {'5012ab9f-0df4-4c5d-aa92-a0b3f68d62b9': {'name': 'a',"
        " 'ints': ['set', [1, 2]], 'map': ['map', [['a', '1'], ['b', '2']]],"
        " 'count': 4}}}");
    struct ovsdb_txn *txn;
    CHECK(!ovsdb_txn_from_json(db, txn_json, &txn));
    CHECK(!ovsdb_txn_replay_commit(txn));
    json_decref(txn_json);

    txn_json = parse_json(
        "{'_is_diff': true, 'Root': {'5012ab9f-0df4-4c5d-aa92-a0b3f68d62b9':"
        " {'ints': ['set', [2, 3]], 'map': ['map', [['a', '1'],"
        " ['b', 'B'], ['c', '3']]], 'count': 5}}, '_date': 1}");
    CHECK(!ovsdb_txn_from_json(db, txn_json, &txn));
    CHECK(!ovsdb_txn_replay_commit(txn));
    json_decref(txn_json);
    CHECK_ROOT(db, "a", "ints", "['set', [1, 3]]");
    CHECK_ROOT(db, "a", "map", "['map', [['b', 'B'], ['c', '3']]]");
    CHECK_ROOT(db, "a", "count", "5");

    /* A diff that overfills the set. */
    txn_json = parse_json(
        "{'_is_diff': true, 'Root': {'5012ab9f-0df4-4c5d-aa92-a0b3f68d62b9':"
        " {'ints': ['set', [5, 6]]}}}");
    struct ovsdb_error *error = ovsdb_txn_from_json(db, txn_json, &txn);
    CHECK(error && !txn);
    ovsdb_error_destroy(error);
    json_decref(txn_json);
    ovsdb_destroy(db);
}

TEST(storage_form_rejects_corrupt_input)
{
    struct ovsdb *db = create_db();
    insert_root(db, "a", "");
    char *before = dump_db(db, true);
    static const char *const bad[] = {
        "[]",
        "{'Nope': {}}",
        "{'Root': []}",
        "{'Root': {'not-a-uuid': {}}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555': null}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555': 5}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555': {'x': 1}}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555':"
        " {'count': 1000}}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555':"
        " {'_uuid': ['uuid', '11111111-2222-3333-4444-555555555555']}}}",
        "{'Root': {'11111111-2222-3333-4444-555555555555': {'name': 'b'}},"
        " 'Limited': {'11111111-2222-3333-4444-555555555556': {'x': 1}},"
        " 'Child': {'11111111-2222-3333-4444-555555555557': {'name': 7}}}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        json_t *json = parse_json("%s", bad[i]);
        struct ovsdb_txn *txn;
        struct ovsdb_error *error = ovsdb_txn_from_json(db, json, &txn);
        CHECK_MSG(error && !txn, "accepted %s", bad[i]);
        ovsdb_error_destroy(error);
        json_decref(json);
    }

    /* Well-formed but inconsistent: the replay commit refuses it. */
    static const char *const inconsistent[] = {
        "{'Root': {'11111111-2222-3333-4444-555555555555': {'children':"
        " ['uuid', '11111111-2222-3333-4444-555555555556']}}}",
        "{'Limited': {'11111111-2222-3333-4444-555555555555': {'x': 1},"
        " '11111111-2222-3333-4444-555555555556': {'x': 2},"
        " '11111111-2222-3333-4444-555555555557': {'x': 3}}}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(inconsistent); i++) {
        json_t *json = parse_json("%s", inconsistent[i]);
        struct ovsdb_txn *txn;
        CHECK(!ovsdb_txn_from_json(db, json, &txn));
        struct ovsdb_error *error = ovsdb_txn_replay_commit(txn);
        CHECK_MSG(error, "committed %s", inconsistent[i]);
        ovsdb_error_destroy(error);
        json_decref(json);
    }

    char *after = dump_db(db, true);
    CHECK_STREQ(before, after);
    free(before);
    free(after);
    ovsdb_destroy(db);
}

TEST(many_rows_and_indexes)
{
    struct ovsdb *db = create_db();
    struct ds ops = DS_EMPTY_INITIALIZER;

    /* 500 children kept alive by one root, then each renamed. */
    ds_put_cstr(&ops, "[");
    for (int i = 0; i < 500; i++) {
        ds_put_format(&ops, "{'op': 'insert', 'table': 'Child', 'uuid-name':"
                      " 'c%d', 'row': {'name': 'n%d', 'number': %d}},",
                      i, i, i);
    }
    ds_put_cstr(&ops, "{'op': 'insert', 'table': 'Root', 'row': {'name':"
                " 'r', 'children': ['set', [");
    for (int i = 0; i < 500; i++) {
        ds_put_format(&ops, "%s['named-uuid', 'c%d']", i ? ", " : "", i);
    }
    ds_put_cstr(&ops, "]]}}]");
    json_t *r = run(db, "%s", ds_cstr(&ops));
    check_ok_n(r, 501);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 500);

    r = run(db, "[{'op': 'mutate', 'table': 'Child', 'where': [['number',"
            " '>=', 250]], 'mutations': [['number', '+=', 1000]]}]");
    CHECK_EQ(result_count(r, 0), 250);
    json_decref(r);
    r = run(db, "[{'op': 'update', 'table': 'Child', 'where': [['number',"
            " '==', 1499]], 'row': {'name': 'n0'}}]");
    CHECK_EQ(json_array_size(r), 2);
    json_decref(r);
    r = run(db, "[{'op': 'update', 'table': 'Root', 'where': [], 'row':"
            " {'children': ['set', []]}}]");
    check_ok_n(r, 1);
    json_decref(r);
    CHECK_EQ(n_rows(db, "Child"), 0);
    ds_destroy(&ops);
    ovsdb_destroy(db);
}
