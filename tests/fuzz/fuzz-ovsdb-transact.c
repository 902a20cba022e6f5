/* Fuzz target for the OVSDB engine: ovsdb/execution, transaction,
 * condition, mutation, query, row.
 *
 * The input is JSON (parsed with the bounded parser, as a server would):
 *   - an array: the params of one "transact" (if its first element is not
 *     a string, the database name is put in front), or an array of such
 *     arrays run one after another (at most 8);
 *   - an object: a transaction in storage form, replayed.
 * Each runs against a fresh small database with references of both
 * kinds, a non-root table, indexes, maxRows and constrained columns.
 *
 * Oracle: every committed transaction's storage form, replayed into a
 * second database, must give the same persistent contents; otherwise the
 * target aborts.  Nothing may crash or leak. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ovsdb/execution.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "util.h"

static const char schema_json[] =
"{\"name\": \"F\", \"tables\": {"
" \"R\": {\"isRoot\": true, \"columns\": {"
"   \"s\": {\"type\": \"string\"},"
"   \"i\": {\"type\": {\"key\": {\"type\": \"integer\", \"minInteger\": -5,"
"                     \"maxInteger\": 1000}}},"
"   \"r\": {\"type\": {\"key\": \"real\", \"min\": 0, \"max\": 4}},"
"   \"b\": {\"type\": {\"key\": \"boolean\", \"min\": 0, \"max\": 1}},"
"   \"e\": {\"type\": {\"key\": {\"type\": \"string\", \"enum\": [\"set\","
"                     [\"x\", \"y\"]]}, \"min\": 0, \"max\": 1}},"
"   \"m\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
"                     \"min\": 0, \"max\": 3}},"
"   \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\"},"
"                        \"min\": 0, \"max\": \"unlimited\"}},"
"   \"wk\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\","
"                      \"refType\": \"weak\"}, \"min\": 0,"
"                      \"max\": \"unlimited\"}},"
"   \"kv\": {\"type\": {\"key\": \"string\", \"value\": {\"type\": \"uuid\","
"                      \"refTable\": \"C\", \"refType\": \"weak\"},"
"                      \"min\": 0, \"max\": \"unlimited\"}},"
"   \"eph\": {\"type\": \"integer\", \"ephemeral\": true},"
"   \"imm\": {\"type\": \"string\", \"mutable\": false}}},"
" \"C\": {\"isRoot\": false, \"indexes\": [[\"n\"]], \"columns\": {"
"   \"n\": {\"type\": \"string\"},"
"   \"sub\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\"},"
"                       \"min\": 0, \"max\": 2}},"
"   \"peer\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\","
"                        \"refType\": \"weak\"}}}}},"
" \"L\": {\"maxRows\": 3, \"isRoot\": true, \"indexes\": [[\"a\", \"b\"]],"
"   \"columns\": {\"a\": {\"type\": \"integer\"},"
"                 \"b\": {\"type\": \"string\"}}}}}";

static struct ovsdb *
create_db(void)
{
    json_error_t jerror;
    json_t *json = json_loads(schema_json, 0, &jerror);
    struct ovsdb_schema *schema;

    if (!json || ovsdb_schema_from_json(json, &schema)) {
        abort();
    }
    json_decref(json);
    return ovsdb_create(schema);
}

/* Persistent contents of DB, canonical. */
static char *
dump_db(const struct ovsdb *db)
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
            if (!ts->columns[j]->ephemeral) {
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
    char *s = json_to_string_canonical(json);
    json_decref(json);
    return s;
}

/* A replica that replays each commit into a mirror database. */
struct mirror {
    struct ovsdb_replica up;
    struct ovsdb *db;
};

static struct ovsdb_error *
mirror_commit(struct ovsdb_replica *replica, const struct ovsdb_txn *txn,
              bool durable PLX_UNUSED)
{
    struct mirror *m = CONTAINER_OF(replica, struct mirror, up);
    json_t *json = ovsdb_txn_to_json(txn);
    struct ovsdb_txn *copy;

    if (json) {
        if (ovsdb_txn_from_json(m->db, json, &copy)
            || ovsdb_txn_replay_commit(copy)) {
            abort();            /* Our own output must replay. */
        }
        json_decref(json);
    }
    return NULL;
}

static void
mirror_destroy(struct ovsdb_replica *replica PLX_UNUSED)
{
}

static const struct ovsdb_replica_class mirror_class = {
    mirror_commit, mirror_destroy,
};

static bool
lock_held(const char *name, void *aux PLX_UNUSED)
{
    return name[0] == 'a';
}

static void
run_transact(struct ovsdb *db, const json_t *ops, long long int elapsed)
{
    json_t *params;

    if (json_array_size(ops) && json_is_string(json_array_get(ops, 0))) {
        params = json_incref((json_t *) ops);
    } else {
        params = json_pack("[s]", "F");
        json_array_extend(params, (json_t *) ops);
    }

    struct ovsdb_exec_options opts = {
        .read_only = false,
        .elapsed_msec = elapsed,
        .lock_held = lock_held,
    };
    long long int timeout = 0;
    json_t *results = ovsdb_execute(db, params, &opts,
                                    elapsed & 1 ? &timeout : NULL);
    free(json_to_string_canonical(results ? results : json_null()));
    json_decref(results);
    json_decref(params);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_limits limits = { .max_depth = 64,
                                  .max_bytes = 256 * 1024 };
    char *error_s;
    json_t *json = json_from_buffer_bounded(data, size, &limits, &error_s);
    if (!json) {
        free(error_s);
        return 0;
    }

    struct ovsdb *db = create_db();
    struct mirror mirror = { .db = create_db() };
    ovsdb_replica_init(&mirror.up, &mirror_class);
    ovsdb_add_replica(db, &mirror.up);

    if (json_is_object(json)) {
        struct ovsdb_txn *txn;
        struct ovsdb_error *error = ovsdb_txn_from_json(db, json, &txn);
        if (!error) {
            error = ovsdb_txn_replay_commit(txn);
        }
        if (error) {
            free(ovsdb_error_to_string(error));
            ovsdb_error_destroy(error);
        }
    } else if (json_is_array(json)) {
        if (json_is_array(json_array_get(json, 0))) {
            for (size_t i = 0; i < json_array_size(json) && i < 8; i++) {
                run_transact(db, json_array_get(json, i), i * 500);
            }
        } else {
            run_transact(db, json, size);
        }

        char *a = dump_db(db);
        char *b = dump_db(mirror.db);
        if (strcmp(a, b)) {
            abort();            /* Replay gave a different database. */
        }
        free(a);
        free(b);
    }

    ovsdb_remove_replica(db, &mirror.up);
    ovsdb_destroy(mirror.db);
    ovsdb_destroy(db);
    json_decref(json);
    return 0;
}
