/* OVSDB database files: see storage.h. */
#include <config.h>

#include "ovsdb/storage.h"

#include <errno.h>
#include <inttypes.h>
#include <unistd.h>

#include "json.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-log.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_storage);

struct ovsdb_storage {
    struct ovsdb_replica up;        /* Attached to 'db'. */
    struct ovsdb *db;
    struct ovsdb_log *log;
    bool read_write;
    bool dirty;                     /* Written since the last sync. */
    struct ovsdb_storage_stats stats;
};

static const struct ovsdb_replica_class storage_replica_class;

static struct ovsdb_storage *
storage_cast(struct ovsdb_replica *replica)
{
    return CONTAINER_OF(replica, struct ovsdb_storage, up);
}

static struct ovsdb_error *
storage_replica_commit(struct ovsdb_replica *replica,
                       const struct ovsdb_txn *txn, bool durable PLX_UNUSED)
{
    struct ovsdb_storage *s = storage_cast(replica);

    if (!s->read_write) {
        return ovsdb_error("not allowed", "database %s is open read-only",
                           ovsdb_log_get_name(s->log));
    }

    json_t *json = ovsdb_txn_to_json(txn);
    if (!json) {
        return NULL;            /* Only ephemeral columns changed. */
    }
    struct ovsdb_error *error = ovsdb_log_write(s->log, json);
    json_decref(json);
    if (!error) {
        s->dirty = true;
        s->stats.n_txns_written++;
    }
    return error;
}

static void
storage_replica_destroy(struct ovsdb_replica *replica)
{
    struct ovsdb_storage *s = storage_cast(replica);

    if (s->dirty) {
        struct ovsdb_error *error = ovsdb_log_commit_block(s->log);
        if (error) {
            char *msg = ovsdb_error_to_string_free(error);
            VLOG_ERR("%s", msg);
            free(msg);
        }
    }
    ovsdb_log_close(s->log);
    free(s);
}

static const struct ovsdb_replica_class storage_replica_class = {
    storage_replica_commit,
    storage_replica_destroy,
};

/* Reads the schema record of LOG. */
static struct ovsdb_error *
read_schema(struct ovsdb_log *log, const char *file_name,
            struct ovsdb_schema **schemap)
{
    json_t *json;
    struct ovsdb_error *error = ovsdb_log_read(log, &json);

    *schemap = NULL;
    if (error) {
        return error;
    } else if (!json) {
        return ovsdb_io_error(EOF, "%s: database file contains no schema",
                              file_name);
    }
    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    if (error) {
        return ovsdb_wrap_error(error, "failed to parse \"%s\" as ovsdb "
                                "schema", file_name);
    }
    return NULL;
}

static struct ovsdb_error *
replay(struct ovsdb_storage *s, const char *file_name)
{
    for (;;) {
        json_t *json;
        struct ovsdb_error *error = ovsdb_log_read(s->log, &json);
        if (error) {
            return error;
        } else if (!json) {
            return NULL;
        }

        struct ovsdb_txn *txn;
        error = ovsdb_txn_from_json(s->db, json, &txn);
        if (!error) {
            error = ovsdb_txn_replay_commit(txn);
        }
        json_decref(json);
        if (error) {
            return ovsdb_wrap_error(error, "%s: transaction record %"PRIu64
                                    " does not apply", file_name,
                                    s->stats.n_txns_replayed + 1);
        }
        s->stats.n_txns_replayed++;
    }
}

struct ovsdb_error *
ovsdb_storage_open(const char *file_name, bool read_write,
                   struct ovsdb **dbp, struct ovsdb_storage **storagep)
{
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    if (dbp) {
        *dbp = NULL;
    }
    if (storagep) {
        *storagep = NULL;
    }

    error = ovsdb_log_open(file_name, OVSDB_LOG_MAGIC,
                           read_write ? OVSDB_LOG_READ_WRITE
                           : OVSDB_LOG_READ_ONLY, -1, &log);
    if (error) {
        return error;
    }

    struct ovsdb_schema *schema;
    error = read_schema(log, file_name, &schema);
    if (error) {
        ovsdb_log_close(log);
        return error;
    }

    struct ovsdb_storage *s = xzalloc(sizeof *s);
    s->db = ovsdb_create(schema);
    s->log = log;
    s->read_write = read_write;
    ovsdb_replica_init(&s->up, &storage_replica_class);

    error = replay(s, file_name);
    if (error) {
        ovsdb_destroy(s->db);
        ovsdb_log_close(log);
        free(s);
        return error;
    }
    ovsdb_log_mark_base(log);

    /* First replica: the one commit that can fail must come first. */
    ovsdb_add_replica(s->db, &s->up);
    if (ovsdb_log_get_torn_bytes(log)) {
        VLOG_WARN("%s: ignoring %lld bytes of torn tail after %"PRIu64
                  " transactions", file_name,
                  (long long int) ovsdb_log_get_torn_bytes(log),
                  s->stats.n_txns_replayed);
    }

    if (dbp) {
        *dbp = s->db;
    } else {
        ovsdb_destroy(s->db);
        s = NULL;
    }
    if (storagep) {
        *storagep = s;
    }
    return NULL;
}

/* Writes the schema record of SCHEMA and, if DB is nonnull, a snapshot of
 * it into a new file FILE_NAME. */
static struct ovsdb_error *
write_new_file(const char *file_name, const struct ovsdb_schema *schema,
               const struct ovsdb *db, const char *comment)
{
    struct ovsdb_log *log;
    struct ovsdb_error *error = ovsdb_log_open(file_name, OVSDB_LOG_MAGIC,
                                               OVSDB_LOG_CREATE_EXCL, -1,
                                               &log);
    if (error) {
        return error;
    }

    json_t *schema_json = ovsdb_schema_to_json(schema);
    error = ovsdb_log_write(log, schema_json);
    json_decref(schema_json);
    if (!error && db) {
        json_t *snapshot = ovsdb_storage_snapshot_json(db, comment);
        error = ovsdb_log_write(log, snapshot);
        json_decref(snapshot);
    }
    if (!error) {
        error = ovsdb_log_commit_block(log);
    }
    ovsdb_log_close(log);
    if (error) {
        unlink(file_name);
    }
    return error;
}

struct ovsdb_error *
ovsdb_storage_create(const char *file_name, const struct ovsdb_schema *schema)
{
    return write_new_file(file_name, schema, NULL, NULL);
}

struct ovsdb_error *
ovsdb_storage_write_new(const char *file_name, const struct ovsdb *db,
                        const char *comment)
{
    return write_new_file(file_name, db->schema, db, comment);
}

const char *
ovsdb_storage_get_name(const struct ovsdb_storage *s)
{
    return ovsdb_log_get_name(s->log);
}

struct ovsdb_log *
ovsdb_storage_get_log(struct ovsdb_storage *s)
{
    return s->log;
}

bool
ovsdb_storage_is_dirty(const struct ovsdb_storage *s)
{
    return s->dirty;
}

struct ovsdb_error *
ovsdb_storage_commit_block(struct ovsdb_storage *s)
{
    if (!s->dirty) {
        return NULL;
    }
    struct ovsdb_error *error = ovsdb_log_commit_block(s->log);
    if (!error) {
        s->dirty = false;
        s->stats.n_commits++;
    }
    return error;
}

bool
ovsdb_storage_should_compact(const struct ovsdb_storage *s)
{
    return s->read_write && ovsdb_log_grew_lots(s->log);
}

json_t *
ovsdb_storage_snapshot_json(const struct ovsdb *db, const char *comment)
{
    json_t *json = json_object();

    for (size_t i = 0; i < db->n_tables; i++) {
        const struct ovsdb_table *table = db->tables[i];
        const struct ovsdb_table_schema *ts = table->schema;
        const struct ovsdb_row *row;
        json_t *rows = NULL;

        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            json_t *row_json = json_object();
            for (size_t j = 0; j < ts->n_columns; j++) {
                const struct ovsdb_column_schema *c = ts->columns[j];
                const struct ovsdb_datum *d = &row->fields[j];
                if (j != OVSDB_COL_UUID && !c->ephemeral
                    && (j == OVSDB_COL_VERSION
                        || !ovsdb_datum_is_default(d, &c->type))) {
                    json_object_set_new(row_json, c->name,
                                        ovsdb_datum_to_json(d, &c->type));
                }
            }
            if (!rows) {
                rows = json_object();
            }
            char s[UUID_LEN + 1];
            json_object_set_new(rows, uuid_to_string(ovsdb_row_get_uuid(row),
                                                     s), row_json);
        }
        if (rows) {
            json_object_set_new(json, ts->name, rows);
        }
    }
    json_object_set_new(json, "_date", json_integer(time_wall_msec()));
    if (comment) {
        json_object_set_new(json, "_comment",
                            json_string_sanitized(comment));
    }
    return json;
}

struct ovsdb_error *
ovsdb_storage_compact(struct ovsdb_storage *s, const char *comment)
{
    if (!s->read_write) {
        return ovsdb_error("not allowed", "%s: database is open read-only",
                           ovsdb_storage_get_name(s));
    }

    /* Whatever is buffered must be durable in the old file first: once
     * the new file replaces it, the old buffer has nowhere to go. */
    struct ovsdb_error *error = ovsdb_storage_commit_block(s);
    if (error) {
        return error;
    }

    json_t *entries[2];
    entries[0] = ovsdb_schema_to_json(s->db->schema);
    entries[1] = ovsdb_storage_snapshot_json(s->db, comment);
    off_t old_size = ovsdb_log_get_offset(s->log);
    error = ovsdb_log_replace(s->log, entries, 2);
    json_decref(entries[0]);
    json_decref(entries[1]);
    if (!error) {
        s->stats.n_compactions++;
        VLOG_INFO("%s: compacted database from %lld to %lld bytes",
                  ovsdb_storage_get_name(s), (long long int) old_size,
                  (long long int) ovsdb_log_get_offset(s->log));
    }
    return error;
}

void
ovsdb_storage_get_stats(const struct ovsdb_storage *s,
                        struct ovsdb_storage_stats *stats)
{
    *stats = s->stats;
}
