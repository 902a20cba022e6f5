/* Tests for what the OVSDB engine checks and produces at commit
 * (ovsdb/transaction): referential integrity, garbage collection of
 * non-root rows, weak references, unique indexes, maxRows, replicas, and
 * the storage form of transactions replayed into an identical database.
 * Operations as such are in test-ovsdb-engine.c; the test schema and the
 * helpers are in ovsdb-test-schema.h. */
#include <config.h>
#include "ovsdb/execution.h"

#include <string.h>

#include "bitmap.h"
#include "dynamic-string.h"
#include "json.h"
#include "ovsdb-test-schema.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/transaction.h"
#include "test.h"

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
