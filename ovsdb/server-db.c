/* The _Server database: see server-db.h. */
#include <config.h>

#include "ovsdb/server-db.h"

#include "json.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server_db);

/* Open vSwitch's _server.ovsschema, version 1.2.0. */
static const char server_schema_json[] =
    "{\"name\": \"_Server\", \"version\": \"1.2.0\","
    " \"cksum\": \"3009684573 744\","
    " \"tables\": {\"Database\": {\"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"model\": {\"type\": {\"key\": {\"type\": \"string\","
    "             \"enum\": [\"set\", [\"standalone\", \"clustered\","
    "                                  \"relay\"]]}}},"
    "   \"connected\": {\"type\": \"boolean\"},"
    "   \"leader\": {\"type\": \"boolean\"},"
    "   \"schema\": {\"type\": {\"key\": {\"type\": \"string\"},"
    "              \"min\": 0, \"max\": 1}},"
    "   \"cid\": {\"type\": {\"key\": {\"type\": \"uuid\"},"
    "           \"min\": 0, \"max\": 1}},"
    "   \"sid\": {\"type\": {\"key\": {\"type\": \"uuid\"},"
    "           \"min\": 0, \"max\": 1}},"
    "   \"index\": {\"type\": {\"key\": {\"type\": \"integer\"},"
    "             \"min\": 0, \"max\": 1}}},"
    "  \"isRoot\": true}}}";

struct ovsdb *
ovsdb_server_db_create(void)
{
    json_error_t jerror;
    json_t *json = json_loads(server_schema_json, 0, &jerror);
    struct ovsdb_schema *schema;

    plx_assert(json);
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    plx_assert(!error);
    return ovsdb_create(schema);
}

static char *
schema_string(const struct ovsdb *db)
{
    json_t *json = ovsdb_schema_to_json(db->schema);
    char *s = json_to_string_canonical(json);
    json_decref(json);
    return s;
}

static const struct ovsdb *
find_db(const char *name, struct ovsdb *const *dbs, size_t n_dbs,
        const struct ovsdb *server_db)
{
    if (!strcmp(name, server_db->schema->name)) {
        return server_db;
    }
    for (size_t i = 0; i < n_dbs; i++) {
        if (!strcmp(name, dbs[i]->schema->name)) {
            return dbs[i];
        }
    }
    return NULL;
}

static const struct ovsdb_row *
find_row(const struct ovsdb_table *table, const char *name)
{
    const struct ovsdb_column_schema *c
        = ovsdb_table_schema_get_column(table->schema, "name");
    const struct ovsdb_row *row;

    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_datum *d = &row->fields[c->index];
        if (d->n == 1 && !strcmp(d->keys[0].string, name)) {
            return row;
        }
    }
    return NULL;
}

static void
set_row(struct ovsdb_row *row, const struct ovsdb *db, bool new)
{
    char *schema = schema_string(db);
    json_t *json = json_pack("{ss}", "schema", schema);
    free(schema);
    if (new) {
        json_object_set_new(json, "name", json_string(db->schema->name));
        json_object_set_new(json, "model", json_string("standalone"));
        json_object_set_new(json, "connected", json_true());
        json_object_set_new(json, "leader", json_true());
    }

    struct ovsdb_error *error = ovsdb_row_from_json(row, json, NULL, NULL);
    plx_assert(!error);
    json_decref(json);
}

static void
sync_one(struct ovsdb_txn *txn, struct ovsdb_table *table,
         const struct ovsdb *db)
{
    const struct ovsdb_row *row = find_row(table, db->schema->name);
    if (!row) {
        struct ovsdb_row *new = ovsdb_row_create(table);
        uuid_generate(ovsdb_row_get_uuid_rw(new));
        set_row(new, db, true);
        ovsdb_txn_row_insert(txn, new);
    } else {
        const struct ovsdb_column_schema *c
            = ovsdb_table_schema_get_column(table->schema, "schema");
        const struct ovsdb_datum *d = &row->fields[c->index];
        char *schema = schema_string(db);
        if (d->n != 1 || strcmp(d->keys[0].string, schema)) {
            set_row(ovsdb_txn_row_modify(txn, row), db, false);
        }
        free(schema);
    }
}

void
ovsdb_server_db_sync(struct ovsdb *server_db, struct ovsdb *const *dbs,
                     size_t n_dbs)
{
    struct ovsdb_table *table = ovsdb_get_table(server_db, "Database");
    const struct ovsdb_column_schema *name_col
        = ovsdb_table_schema_get_column(table->schema, "name");
    struct ovsdb_txn *txn = ovsdb_txn_create(server_db);
    const struct ovsdb_row *row;

    /* Rows of databases no longer served.  (Collect first: deleting
     * changes the table's view.) */
    struct ovsdb_row_set stale = OVSDB_ROW_SET_INITIALIZER;
    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_datum *d = &row->fields[name_col->index];
        if (d->n != 1 || !find_db(d->keys[0].string, dbs, n_dbs, server_db)) {
            ovsdb_row_set_add_row(&stale, row);
        }
    }
    for (size_t i = 0; i < stale.n; i++) {
        ovsdb_txn_row_delete(txn, stale.rows[i]);
    }
    ovsdb_row_set_destroy(&stale);

    sync_one(txn, table, server_db);
    for (size_t i = 0; i < n_dbs; i++) {
        sync_one(txn, table, dbs[i]);
    }

    struct ovsdb_error *error = ovsdb_txn_commit(txn, false);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        VLOG_ERR("updating _Server database failed: %s", s);
        free(s);
    }
}
