/* ovsdb/execution: the "transact" operations.  See execution.h. */
#include <config.h>
#include "ovsdb/execution.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hmap.h"
#include "ovsdb/condition.h"
#include "ovsdb/mutation.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/query.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"

struct ovsdb_execution {
    struct ovsdb *db;
    const struct ovsdb_exec_options *opts;
    struct ovsdb_txn *txn;
    struct ovsdb_symbol_table *symtab;
    bool durable;

    /* "wait". */
    long long int timeout_msec; /* Smallest "timeout" of any wait. */
    bool blocked;               /* A wait must be retried later. */
};

typedef struct ovsdb_error *ovsdb_operation_executor(struct ovsdb_execution *,
                                                     struct ovsdb_parser *,
                                                     json_t *result);

static ovsdb_operation_executor execute_insert;
static ovsdb_operation_executor execute_select;
static ovsdb_operation_executor execute_update;
static ovsdb_operation_executor execute_mutate;
static ovsdb_operation_executor execute_delete;
static ovsdb_operation_executor execute_wait;
static ovsdb_operation_executor execute_commit;
static ovsdb_operation_executor execute_abort;
static ovsdb_operation_executor execute_comment;
static ovsdb_operation_executor execute_assert;

static ovsdb_operation_executor *
lookup_executor(const char *name, bool *read_only)
{
    static const struct {
        const char *name;
        bool read_only;
        ovsdb_operation_executor *executor;
    } operations[] = {
        { "insert", false, execute_insert },
        { "select", true, execute_select },
        { "update", false, execute_update },
        { "mutate", false, execute_mutate },
        { "delete", false, execute_delete },
        { "wait", true, execute_wait },
        { "commit", false, execute_commit },
        { "abort", true, execute_abort },
        { "comment", true, execute_comment },
        { "assert", true, execute_assert },
    };

    for (size_t i = 0; i < ARRAY_SIZE(operations); i++) {
        if (!strcmp(operations[i].name, name)) {
            *read_only = operations[i].read_only;
            return operations[i].executor;
        }
    }
    return NULL;
}

/* Returns the error to report for operation OP_NAME, which would modify
 * the database, or NULL if it may. */
static struct ovsdb_error *
check_writable(const struct ovsdb_execution *x, const char *op_name)
{
    if (x->opts->read_only) {
        return ovsdb_error("not allowed", "%s operation not allowed when "
                           "database server is in read only mode", op_name);
    }
    if (x->db->schema->name[0] == '_') {
        return ovsdb_error("not allowed", "%s operation not allowed on "
                           "table in reserved database %s", op_name,
                           x->db->schema->name);
    }
    return NULL;
}

static bool
is_blocked_error(const struct ovsdb_execution *x,
                 const struct ovsdb_error *error)
{
    return x->blocked && !strcmp(ovsdb_error_get_tag(error),
                                 "not supported");
}

struct ovsdb_txn *
ovsdb_execute_compose(struct ovsdb *db, const json_t *params,
                      const struct ovsdb_exec_options *opts,
                      long long int *timeout_msec, bool *durable,
                      json_t **resultsp)
{
    static const struct ovsdb_exec_options default_opts;
    struct ovsdb_error *error = NULL;

    *durable = false;
    *resultsp = NULL;
    if (!json_is_array(params) || !json_array_size(params)
        || !ovsdb_json_is_cstring(json_array_get(params, 0))
        || strcmp(json_string_value(json_array_get(params, 0)),
                  db->schema->name)) {
        error = (!json_is_array(params)
                 ? ovsdb_syntax_error(params, NULL, "array expected")
                 : ovsdb_syntax_error(params, NULL, "database name "
                                      "expected as first parameter"));
        *resultsp = ovsdb_error_to_json(error);
        ovsdb_error_destroy(error);
        return NULL;
    }

    struct ovsdb_execution x = {
        .db = db,
        .opts = opts ? opts : &default_opts,
        .txn = ovsdb_txn_create(db),
        .symtab = ovsdb_symbol_table_create(),
        .timeout_msec = LLONG_MAX,
    };
    size_t n_operations = json_array_size(params) - 1;
    json_t *results = json_array();

    for (size_t i = 1; i <= n_operations; i++) {
        struct ovsdb_parser parser;
        const char *op_name = NULL;
        json_t *result = json_object();
        bool read_only = false;

        ovsdb_parser_init(&parser, json_array_get(params, i),
                          "ovsdb operation %zu of %zu", i, n_operations);
        const json_t *op = ovsdb_parser_member(&parser, "op", OP_ID);
        if (op) {
            op_name = json_string_value(op);
            ovsdb_operation_executor *executor
                = lookup_executor(op_name, &read_only);
            if (executor) {
                error = executor(&x, &parser, result);
            } else {
                ovsdb_parser_raise_error(&parser, "No operation \"%s\"",
                                         op_name);
            }
        }

        /* A parse error overrides any other error, and an error any
         * result. */
        struct ovsdb_error *parse_error = ovsdb_parser_finish(&parser);
        if (parse_error) {
            ovsdb_error_destroy(error);
            error = parse_error;
        }
        if (!error && !read_only) {
            error = check_writable(&x, op_name);
        }
        if (error) {
            json_decref(result);
            if (timeout_msec && is_blocked_error(&x, error)) {
                *timeout_msec = x.timeout_msec;
                json_decref(results);
                results = NULL;
            } else {
                json_array_append_new(results, ovsdb_error_to_json(error));
            }
            break;
        }
        json_array_append_new(results, result);
    }

    if (results) {
        while (json_array_size(results) < n_operations) {
            json_array_append_new(results, json_null());
        }
    }
    if (error) {
        ovsdb_txn_abort(x.txn);
        x.txn = NULL;
        ovsdb_error_destroy(error);
    }
    ovsdb_symbol_table_destroy(x.symtab);
    *durable = x.durable;
    *resultsp = results;
    return x.txn;
}

json_t *
ovsdb_execute(struct ovsdb *db, const json_t *params,
              const struct ovsdb_exec_options *opts,
              long long int *timeout_msec)
{
    json_t *results;
    bool durable;
    struct ovsdb_txn *txn = ovsdb_execute_compose(db, params, opts,
                                                  timeout_msec, &durable,
                                                  &results);
    if (txn) {
        struct ovsdb_error *error = ovsdb_txn_commit(txn, durable);
        if (error) {
            json_array_append_new(results, ovsdb_error_to_json(error));
            ovsdb_error_destroy(error);
        }
    }
    return results;
}

/* Helpers. */

static struct ovsdb_table *
parse_table(struct ovsdb_execution *x, struct ovsdb_parser *parser,
            const char *member)
{
    const json_t *json = ovsdb_parser_member(parser, member, OP_ID);
    if (!json) {
        return NULL;
    }

    const char *name = json_string_value(json);
    struct ovsdb_table *table = ovsdb_get_table(x->db, name);
    if (!table) {
        ovsdb_parser_raise_error(parser, "No table named %s.", name);
    }
    return table;
}

/* Parses the optional column list JSON, all columns if it is absent. */
static struct ovsdb_error *
parse_columns(const json_t *json, const struct ovsdb_table_schema *ts,
              struct ovsdb_column_set *columns)
{
    if (json) {
        return ovsdb_column_set_from_json(json, ts, columns);
    }
    ovsdb_column_set_init(columns);
    ovsdb_column_set_add_all(columns, ts);
    return NULL;
}

/* insert. */

static struct ovsdb_error *
execute_insert(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result)
{
    struct ovsdb_table *table = parse_table(x, parser, "table");
    const json_t *uuid_json = ovsdb_parser_member(parser, "uuid",
                                                  OP_STRING | OP_OPTIONAL);
    const json_t *uuid_name = ovsdb_parser_member(parser, "uuid-name",
                                                  OP_ID | OP_OPTIONAL);
    const json_t *row_json = ovsdb_parser_member(parser, "row", OP_OBJECT);
    struct ovsdb_error *error;
    struct uuid row_uuid;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    if (uuid_json) {
        if (!uuid_from_string(&row_uuid, json_string_value(uuid_json))) {
            return ovsdb_syntax_error(uuid_json, NULL, "bad uuid");
        }
        if (!ovsdb_txn_may_create_row(table, &row_uuid)) {
            return ovsdb_syntax_error(uuid_json, "duplicate uuid",
                                      "This UUID would duplicate a UUID "
                                      "already present within the table or "
                                      "deleted within the same "
                                      "transaction.");
        }
    }
    if (uuid_name) {
        struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(
            x->symtab, json_string_value(uuid_name));
        if (symbol->created) {
            return ovsdb_syntax_error(uuid_name, "duplicate uuid-name",
                                      "This \"uuid-name\" appeared on an "
                                      "earlier \"insert\" operation.");
        }
        if (uuid_json) {
            symbol->uuid = row_uuid;
        } else {
            row_uuid = symbol->uuid;
        }
        symbol->created = true;
    } else if (!uuid_json) {
        uuid_generate(&row_uuid);
    }
    if (!uuid_json && !ovsdb_txn_may_create_row(table, &row_uuid)) {
        /* A named-uuid's random UUID cannot really collide, but a row
         * with a duplicate _uuid must never reach a table. */
        return ovsdb_error("duplicate uuid", "UUID " UUID_FMT " is "
                           "already in use", UUID_ARGS(&row_uuid));
    }

    struct ovsdb_row *row = ovsdb_row_create(table);
    error = ovsdb_row_from_json(row, row_json, x->symtab, NULL);
    if (!error) {
        /* Defaults of the columns that "row" left out must satisfy the
         * constraints too.  A datum with 0 elements has nothing to check
         * and one with 2 or more came from "row" and is checked. */
        const struct ovsdb_table_schema *ts = table->schema;
        for (size_t i = 0; i < ts->n_columns && !error; i++) {
            if (row->fields[i].n == 1) {
                error = ovsdb_datum_check_constraints(
                    &row->fields[i], &ts->columns[i]->type);
            }
        }
    }
    if (error) {
        ovsdb_row_destroy(row);
        return error;
    }

    char uuid_s[UUID_LEN + 1];
    *ovsdb_row_get_uuid_rw(row) = row_uuid;
    uuid_zero(ovsdb_row_get_version_rw(row));
    ovsdb_txn_row_insert(x->txn, row);
    json_object_set_new(result, "uuid",
                        json_pack("[s, s]", "uuid",
                                  uuid_to_string(&row_uuid, uuid_s)));
    return NULL;
}

/* select. */

static struct ovsdb_error *
execute_select(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result)
{
    struct ovsdb_table *table = parse_table(x, parser, "table");
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *columns_json = ovsdb_parser_member(parser, "columns",
                                                     OP_ARRAY | OP_OPTIONAL);
    const json_t *sort_json = ovsdb_parser_member(parser, "sort",
                                                  OP_ARRAY | OP_OPTIONAL);
    struct ovsdb_condition condition = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_column_set columns, sort;
    struct ovsdb_error *error;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    ovsdb_column_set_init(&columns);
    ovsdb_column_set_init(&sort);
    error = ovsdb_condition_from_json(table->schema, where, x->symtab,
                                      &condition);
    if (!error) {
        error = parse_columns(columns_json, table->schema, &columns);
    }
    if (!error && sort_json) {
        error = ovsdb_column_set_from_json(sort_json, table->schema, &sort);
    }
    if (!error) {
        struct ovsdb_row_set rows = OVSDB_ROW_SET_INITIALIZER;

        ovsdb_query_distinct(table, &condition, &columns, &rows);
        ovsdb_row_set_sort(&rows, &sort);
        json_object_set_new(result, "rows",
                            ovsdb_row_set_to_json(&rows, &columns));
        ovsdb_row_set_destroy(&rows);
    }

    ovsdb_column_set_destroy(&columns);
    ovsdb_column_set_destroy(&sort);
    ovsdb_condition_destroy(&condition);
    return error;
}

/* update. */

struct update_aux {
    struct ovsdb_txn *txn;
    const struct ovsdb_row *row;
    const struct ovsdb_column_set *columns;
    size_t n_matches;
};

static bool
update_row_cb(const struct ovsdb_row *row, void *aux_)
{
    struct update_aux *aux = aux_;

    aux->n_matches++;
    if (!ovsdb_row_equal_columns(row, aux->row, aux->columns)) {
        ovsdb_row_update_columns(ovsdb_txn_row_modify(aux->txn, row),
                                 aux->row, aux->columns);
    }
    return true;
}

static struct ovsdb_error *
execute_update(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result)
{
    struct ovsdb_table *table = parse_table(x, parser, "table");
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *row_json = ovsdb_parser_member(parser, "row", OP_OBJECT);
    struct ovsdb_condition condition = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_column_set columns;
    struct ovsdb_error *error;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    ovsdb_column_set_init(&columns);
    struct ovsdb_row *row = ovsdb_row_create(table);
    error = ovsdb_row_from_json(row, row_json, x->symtab, &columns);
    for (size_t i = 0; !error && i < columns.n_columns; i++) {
        const struct ovsdb_column_schema *column = columns.columns[i];
        if (!column->mutable) {
            error = ovsdb_syntax_error(parser->json, "constraint violation",
                                       "Cannot update immutable column %s "
                                       "in table %s.", column->name,
                                       table->schema->name);
        }
    }
    if (!error) {
        error = ovsdb_condition_from_json(table->schema, where, x->symtab,
                                          &condition);
    }
    if (!error) {
        struct update_aux aux = { x->txn, row, &columns, 0 };
        ovsdb_query(table, &condition, update_row_cb, &aux);
        json_object_set_new(result, "count", json_integer(aux.n_matches));
    }

    ovsdb_row_destroy(row);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&condition);
    return error;
}

/* mutate. */

struct mutate_aux {
    struct ovsdb_txn *txn;
    const struct ovsdb_mutation_set *mutations;
    struct ovsdb_error *error;
    size_t n_matches;
};

static bool
mutate_row_cb(const struct ovsdb_row *row, void *aux_)
{
    struct mutate_aux *aux = aux_;

    aux->n_matches++;
    aux->error = ovsdb_mutation_set_execute(
        ovsdb_txn_row_modify(aux->txn, row), aux->mutations);
    return !aux->error;
}

static struct ovsdb_error *
execute_mutate(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result)
{
    struct ovsdb_table *table = parse_table(x, parser, "table");
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *mutations_json = ovsdb_parser_member(parser, "mutations",
                                                       OP_ARRAY);
    struct ovsdb_condition condition = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_mutation_set mutations = OVSDB_MUTATION_SET_INITIALIZER;
    struct ovsdb_error *error;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    error = ovsdb_mutation_set_from_json(table->schema, mutations_json,
                                         x->symtab, &mutations);
    if (!error) {
        error = ovsdb_condition_from_json(table->schema, where, x->symtab,
                                          &condition);
    }
    if (!error) {
        struct mutate_aux aux = { x->txn, &mutations, NULL, 0 };
        ovsdb_query(table, &condition, mutate_row_cb, &aux);
        error = aux.error;
        json_object_set_new(result, "count", json_integer(aux.n_matches));
    }

    ovsdb_mutation_set_destroy(&mutations);
    ovsdb_condition_destroy(&condition);
    return error;
}

/* delete. */

struct delete_aux {
    struct ovsdb_txn *txn;
    size_t n_matches;
};

static bool
delete_row_cb(const struct ovsdb_row *row, void *aux_)
{
    struct delete_aux *aux = aux_;

    aux->n_matches++;
    ovsdb_txn_row_delete(aux->txn, row);
    return true;
}

static struct ovsdb_error *
execute_delete(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result)
{
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    struct ovsdb_table *table = parse_table(x, parser, "table");
    struct ovsdb_condition condition = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    error = ovsdb_condition_from_json(table->schema, where, x->symtab,
                                      &condition);
    if (!error) {
        struct delete_aux aux = { x->txn, 0 };
        ovsdb_query(table, &condition, delete_row_cb, &aux);
        json_object_set_new(result, "count", json_integer(aux.n_matches));
    }
    ovsdb_condition_destroy(&condition);
    return error;
}

/* wait. */

/* A set of rows distinct in some columns. */
struct row_hash {
    struct hmap map;
    const struct ovsdb_column_set *columns;
};

struct row_hash_node {
    struct hmap_node node;
    const struct ovsdb_row *row;
};

static void
row_hash_init(struct row_hash *rh, const struct ovsdb_column_set *columns)
{
    hmap_init(&rh->map);
    rh->columns = columns;
}

static bool
row_hash_contains(const struct row_hash *rh, const struct ovsdb_row *row)
{
    uint32_t hash = ovsdb_row_hash_columns(row, rh->columns, 0);
    const struct row_hash_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, hash, &rh->map) {
        if (ovsdb_row_equal_columns(row, n->row, rh->columns)) {
            return true;
        }
    }
    return false;
}

/* Adds ROW unless an equal row is there; returns whether it did. */
static bool
row_hash_insert(struct row_hash *rh, const struct ovsdb_row *row)
{
    if (row_hash_contains(rh, row)) {
        return false;
    }

    struct row_hash_node *n = xmalloc(sizeof *n);
    n->row = row;
    hmap_insert(&rh->map, &n->node, ovsdb_row_hash_columns(row, rh->columns,
                                                           0));
    return true;
}

static void
row_hash_destroy(struct row_hash *rh, bool destroy_rows)
{
    struct row_hash_node *n;

    HMAP_FOR_EACH_POP (n, node, &rh->map) {
        if (destroy_rows) {
            ovsdb_row_destroy((struct ovsdb_row *) n->row);
        }
        free(n);
    }
    hmap_destroy(&rh->map);
}

/* Compares the rows of TABLE that satisfy CONDITION with EXPECTED. */
static bool
wait_rows_equal(const struct ovsdb_table *table,
                const struct ovsdb_condition *condition,
                const struct row_hash *expected)
{
    struct ovsdb_row_set rows = OVSDB_ROW_SET_INITIALIZER;
    struct row_hash actual;
    bool equal = true;

    row_hash_init(&actual, expected->columns);
    ovsdb_query_row_set(table, condition, &rows);
    for (size_t i = 0; i < rows.n && equal; i++) {
        if (row_hash_contains(expected, rows.rows[i])) {
            row_hash_insert(&actual, rows.rows[i]);
        } else {
            equal = false;
        }
    }
    /* Every actual row is expected, both sets are distinct: they are equal
     * if they are the same size. */
    equal = equal && hmap_count(&actual.map) == hmap_count(&expected->map);
    row_hash_destroy(&actual, false);
    ovsdb_row_set_destroy(&rows);
    return equal;
}

static struct ovsdb_error *
execute_wait(struct ovsdb_execution *x, struct ovsdb_parser *parser,
             json_t *result PLX_UNUSED)
{
    const json_t *timeout = ovsdb_parser_member(parser, "timeout",
                                                OP_INTEGER | OP_OPTIONAL);
    const json_t *where = ovsdb_parser_member(parser, "where", OP_ARRAY);
    const json_t *columns_json = ovsdb_parser_member(parser, "columns",
                                                     OP_ARRAY | OP_OPTIONAL);
    const json_t *until = ovsdb_parser_member(parser, "until", OP_STRING);
    const json_t *rows = ovsdb_parser_member(parser, "rows", OP_ARRAY);
    struct ovsdb_table *table = parse_table(x, parser, "table");
    struct ovsdb_condition condition = OVSDB_CONDITION_INITIALIZER;
    long long int timeout_msec = LLONG_MAX;
    struct ovsdb_column_set columns;
    struct row_hash expected;
    struct ovsdb_error *error;

    if (ovsdb_parser_has_error(parser)) {
        return NULL;
    }

    ovsdb_column_set_init(&columns);
    row_hash_init(&expected, &columns);
    error = ovsdb_condition_from_json(table->schema, where, x->symtab,
                                      &condition);
    if (!error) {
        error = parse_columns(columns_json, table->schema, &columns);
    }
    if (!error && timeout) {
        timeout_msec = json_integer_value(timeout);
        if (timeout_msec < 0) {
            error = ovsdb_syntax_error(timeout, NULL,
                                       "timeout must be nonnegative");
        } else if (timeout_msec < x->timeout_msec) {
            x->timeout_msec = timeout_msec;
        }
    }
    bool until_eq = !strcmp(json_string_value(until), "==");
    if (!error && !until_eq && strcmp(json_string_value(until), "!=")) {
        error = ovsdb_syntax_error(until, NULL,
                                   "\"until\" must be \"==\" or \"!=\"");
    }
    for (size_t i = 0; !error && i < json_array_size(rows); i++) {
        struct ovsdb_row *row = ovsdb_row_create(table);

        error = ovsdb_row_from_json(row, json_array_get(rows, i), x->symtab,
                                    NULL);
        if (error || !row_hash_insert(&expected, row)) {
            ovsdb_row_destroy(row);
        }
    }
    if (!error && until_eq != wait_rows_equal(table, &condition, &expected)) {
        long long int elapsed = x->opts->elapsed_msec;
        if (timeout && elapsed >= timeout_msec) {
            error = (elapsed
                     ? ovsdb_error("timed out", "\"wait\" timed out after "
                                   "%lld ms", elapsed)
                     : ovsdb_error("timed out",
                                   "\"where\" clause test failed"));
        } else {
            x->blocked = true;
            error = ovsdb_error("not supported", "triggers not supported");
        }
    }

    row_hash_destroy(&expected, true);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&condition);
    return error;
}

/* commit, abort, comment, assert. */

static struct ovsdb_error *
execute_commit(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result PLX_UNUSED)
{
    const json_t *durable = ovsdb_parser_member(parser, "durable",
                                                OP_BOOLEAN);
    if (durable && json_is_true(durable)) {
        x->durable = true;
    }
    return NULL;
}

static struct ovsdb_error *
execute_abort(struct ovsdb_execution *x PLX_UNUSED,
              struct ovsdb_parser *parser PLX_UNUSED,
              json_t *result PLX_UNUSED)
{
    return ovsdb_error("aborted", "aborted by request");
}

static struct ovsdb_error *
execute_comment(struct ovsdb_execution *x, struct ovsdb_parser *parser,
                json_t *result PLX_UNUSED)
{
    const json_t *comment = ovsdb_parser_member(parser, "comment",
                                                OP_STRING);
    if (comment) {
        ovsdb_txn_add_comment(x->txn, json_string_value(comment));
    }
    return NULL;
}

static struct ovsdb_error *
execute_assert(struct ovsdb_execution *x, struct ovsdb_parser *parser,
               json_t *result PLX_UNUSED)
{
    const json_t *lock = ovsdb_parser_member(parser, "lock", OP_ID);
    if (!lock) {
        return NULL;
    }

    const char *name = json_string_value(lock);
    if (x->opts->lock_held && x->opts->lock_held(name, x->opts->aux)) {
        return NULL;
    }
    return ovsdb_error("not owner", "Asserted lock %s not held.", name);
}
