/*
 * ovsdb-test-schema: the test database and helpers shared by the OVSDB
 * engine unit tests (test-ovsdb-engine.c, test-ovsdb-integrity.c).
 *
 * create_db() makes an in-memory database from the schema below.  Tests
 * write operations as JSON with ' for " (parse_json(), run()), run them
 * through ovsdb_execute() as one "transact" on "TestDB", and check the
 * results with check_ok_n() and check_error(), which stop the case with
 * the whole result array on failure.  dump_db() gives a canonical text
 * of every row, for comparing whole databases.
 *
 * Everything is static (inline), like packet-builder.h, so that each
 * test program gets its own copy and no helper needs a module prefix.
 */
#ifndef PLX_TESTS_UNIT_OVSDB_TEST_SCHEMA_H
#define PLX_TESTS_UNIT_OVSDB_TEST_SCHEMA_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "hmap.h"
#include "json.h"
#include "ovsdb/execution.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/uuid.h"
#include "test.h"
#include "util.h"

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

static inline char *
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

static inline json_t *
parse_json(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static inline json_t *
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

static inline struct ovsdb *
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
static inline json_t *
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

static inline json_t *
run(struct ovsdb *db, const char *format, ...) PLX_PRINTF_FORMAT(2, 3);

static inline json_t *
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

static inline char *
to_text(const json_t *json)
{
    return json_to_string_canonical(json);
}

/* Checks that RESULTS is an array of N results without errors. */
static inline void
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
static inline void
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
static inline const char *
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

static inline size_t
result_count(json_t *results, size_t idx)
{
    return json_object_get_int_or(json_array_get(results, idx), "count",
                                  -1);
}

static inline json_t *
result_rows(json_t *results, size_t idx)
{
    return json_object_get(json_array_get(results, idx), "rows");
}

static inline size_t
n_rows(const struct ovsdb *db, const char *table)
{
    return ovsdb_table_n_rows(ovsdb_get_table(db, table));
}

/* Every row of DB, canonical: {"TABLE": {"UUID": ROW}}.  Without
 * EPHEMERAL, ephemeral columns are left out. */
static inline char *
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
static inline char *
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
static inline void
insert_root(struct ovsdb *db, const char *name, const char *row_extra)
{
    json_t *r = run(db, "[{'op': 'insert', 'table': 'Root', 'row': "
                    "{'name': '%s'%s%s}}]", name, *row_extra ? ", " : "",
                    row_extra);
    check_ok_n(r, 1);
    json_decref(r);
}

#endif /* tests/unit/ovsdb-test-schema.h */
