/* plx-dbtool: offline tool for OVSDB database files, as Open vSwitch's
 * ovsdb-tool for standalone databases.
 *
 *     plx-dbtool [OPTIONS] COMMAND [ARG...]
 *
 * create [DB [SCHEMA]]       new database DB from SCHEMA
 * compact [DB [DST]]         rewrite DB (or into DST) without history
 * convert DB SCHEMA [DST]    migrate DB (or a copy in DST) to SCHEMA
 * needs-conversion DB SCHEMA "yes" if DB's schema differs from SCHEMA
 * db-name DB, db-version DB, db-cksum DB
 * schema-name SCHEMA, schema-version SCHEMA, schema-cksum SCHEMA
 * query DB TRANSACTION       read-only transaction, prints the result
 * transact DB TRANSACTION    transaction, committed durably
 * show-log [-m] DB           the log's records (-m, -mm: in detail)
 *
 * DB defaults to $PLX_DBDIR/conf.db and SCHEMA to
 * $PLX_PKGDATADIR/vswitch.ovsschema.  Errors go to stderr with exit
 * status 1.  A database that a running server holds is locked: writing
 * commands fail on it rather than corrupt it. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

#include "command-line.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "hash.h"
#include "json.h"
#include "ovsdb/execution.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-log.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/storage.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

static int show_log_verbosity;

static void PLX_NO_RETURN
check_error(struct ovsdb_error *error)
{
    char *s = ovsdb_error_to_string_free(error);
    plx_fatal(0, "%s", s);
}

#define CHECK(EXPR)                                     \
    do {                                                \
        struct ovsdb_error *error__ = (EXPR);           \
        if (error__) {                                  \
            check_error(error__);                       \
        }                                               \
    } while (0)

static char *
default_db(void)
{
    return xasprintf("%s/conf.db", plx_dbdir());
}

static char *
default_schema(void)
{
    return xasprintf("%s/vswitch.ovsschema", plx_pkgdatadir());
}

static char *
arg_or(const struct plx_cmdl_context *ctx, int i, char *(*dflt)(void))
{
    return ctx->argc > i ? xstrdup(ctx->argv[i]) : dflt();
}

static struct ovsdb_schema *
read_schema(const char *file_name)
{
    struct ovsdb_schema *schema;
    CHECK(ovsdb_schema_from_file(file_name, &schema));
    return schema;
}

/* The schema record of database file FILE_NAME. */
static struct ovsdb_schema *
read_db_schema(const char *file_name)
{
    struct ovsdb_log *log;
    json_t *json;
    struct ovsdb_schema *schema;

    CHECK(ovsdb_log_open(file_name, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, 0,
                         &log));
    CHECK(ovsdb_log_read(log, &json));
    if (!json) {
        plx_fatal(0, "%s: database file contains no schema", file_name);
    }
    CHECK(ovsdb_schema_from_json(json, &schema));
    json_decref(json);
    ovsdb_log_close(log);
    return schema;
}

static void
do_create(struct plx_cmdl_context *ctx)
{
    char *db_file = arg_or(ctx, 1, default_db);
    char *schema_file = arg_or(ctx, 2, default_schema);
    struct ovsdb_schema *schema = read_schema(schema_file);

    CHECK(ovsdb_storage_create(db_file, schema));
    ovsdb_schema_destroy(schema);
    free(db_file);
    free(schema_file);
}

static void
do_compact(struct plx_cmdl_context *ctx)
{
    char *db_file = arg_or(ctx, 1, default_db);
    struct ovsdb_storage *storage;
    struct ovsdb *db;

    if (ctx->argc > 2) {
        CHECK(ovsdb_storage_open(db_file, false, &db, NULL));
        CHECK(ovsdb_storage_write_new(ctx->argv[2], db,
                                      "compacted by plx-dbtool"));
    } else {
        CHECK(ovsdb_storage_open(db_file, true, &db, &storage));
        CHECK(ovsdb_storage_compact(storage, "compacted by plx-dbtool"));
    }
    ovsdb_destroy(db);
    free(db_file);
}

/* Copies every row of OLD_DB into NEW_DB (whose schema is newer) within
 * TXN: see do_convert(). */
static void
convert_rows(const struct ovsdb *old_db, struct ovsdb *new_db,
             struct ovsdb_txn *txn)
{
    for (size_t i = 0; i < new_db->n_tables; i++) {
        struct ovsdb_table *new_table = new_db->tables[i];
        const struct ovsdb_table_schema *nts = new_table->schema;
        const struct ovsdb_table *old_table
            = ovsdb_get_table(old_db, nts->name);
        const struct ovsdb_row *old_row;

        if (!old_table) {
            continue;
        }
        HMAP_FOR_EACH (old_row, hmap_node, &old_table->rows) {
            struct ovsdb_row *row = ovsdb_row_create(new_table);
            *ovsdb_row_get_uuid_rw(row) = *ovsdb_row_get_uuid(old_row);
            *ovsdb_row_get_version_rw(row) = *ovsdb_row_get_version(old_row);

            for (size_t j = OVSDB_N_STD_COLUMNS; j < nts->n_columns; j++) {
                const struct ovsdb_column_schema *nc = nts->columns[j];
                const struct ovsdb_column_schema *oc
                    = ovsdb_table_schema_get_column(old_table->schema,
                                                    nc->name);
                if (!oc) {
                    continue;       /* New column: default value. */
                }

                /* Through JSON, so that every constraint of the new type
                 * is checked. */
                json_t *json = ovsdb_datum_to_json(
                    &old_row->fields[oc->index], &oc->type);
                struct ovsdb_datum datum;
                struct ovsdb_error *error = ovsdb_datum_from_json(
                    &datum, &nc->type, json, NULL);
                json_decref(json);
                if (error) {
                    char *s = ovsdb_error_to_string_free(error);
                    plx_fatal(0, "table %s, row "UUID_FMT", column %s: "
                              "value does not fit the new schema: %s",
                              nts->name,
                              UUID_ARGS(ovsdb_row_get_uuid(old_row)),
                              nc->name, s);
                }
                ovsdb_datum_swap(&row->fields[j], &datum);
                ovsdb_datum_destroy(&datum, &nc->type);
            }
            ovsdb_txn_row_insert(txn, row);
        }
    }
}

static void
do_convert(struct plx_cmdl_context *ctx)
{
    const char *db_file = ctx->argv[1];
    const char *dst = ctx->argc > 3 ? ctx->argv[3] : NULL;
    struct ovsdb_schema *new_schema = read_schema(ctx->argv[2]);
    struct ovsdb_storage *storage = NULL;
    struct ovsdb *old_db;

    CHECK(ovsdb_storage_open(db_file, !dst, &old_db, dst ? NULL : &storage));

    struct ovsdb *new_db = ovsdb_create(new_schema);
    struct ovsdb_txn *txn = ovsdb_txn_create(new_db);
    convert_rows(old_db, new_db, txn);
    struct ovsdb_error *error = ovsdb_txn_replay_commit(txn);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        plx_fatal(0, "%s: cannot convert to schema %s: %s", db_file,
                  ctx->argv[2], s);
    }

    char *comment = xasprintf("converted by plx-dbtool to schema version "
                              "%s", new_db->schema->version);
    if (dst) {
        CHECK(ovsdb_storage_write_new(dst, new_db, comment));
    } else {
        json_t *entries[2] = {
            ovsdb_schema_to_json(new_db->schema),
            ovsdb_storage_snapshot_json(new_db, comment),
        };
        CHECK(ovsdb_log_replace(ovsdb_storage_get_log(storage), entries, 2));
        json_decref(entries[0]);
        json_decref(entries[1]);
    }
    free(comment);
    ovsdb_destroy(new_db);
    ovsdb_destroy(old_db);
}

static void
do_needs_conversion(struct plx_cmdl_context *ctx)
{
    struct ovsdb_schema *db_schema = read_db_schema(ctx->argv[1]);
    struct ovsdb_schema *schema = read_schema(ctx->argv[2]);
    puts(ovsdb_schema_equal(db_schema, schema) ? "no" : "yes");
    ovsdb_schema_destroy(db_schema);
    ovsdb_schema_destroy(schema);
}

enum schema_field { FIELD_NAME, FIELD_VERSION, FIELD_CKSUM };

static void
print_schema_field(const struct ovsdb_schema *schema, enum schema_field f)
{
    puts(f == FIELD_NAME ? schema->name
         : f == FIELD_VERSION ? schema->version
         : schema->cksum);
}

static void
db_field(struct plx_cmdl_context *ctx, enum schema_field f)
{
    char *db_file = arg_or(ctx, 1, default_db);
    struct ovsdb_schema *schema = read_db_schema(db_file);
    print_schema_field(schema, f);
    ovsdb_schema_destroy(schema);
    free(db_file);
}

static void
schema_field(struct plx_cmdl_context *ctx, enum schema_field f)
{
    char *schema_file = arg_or(ctx, 1, default_schema);
    struct ovsdb_schema *schema = read_schema(schema_file);
    print_schema_field(schema, f);
    ovsdb_schema_destroy(schema);
    free(schema_file);
}

static void do_db_name(struct plx_cmdl_context *c) { db_field(c, FIELD_NAME); }
static void do_db_version(struct plx_cmdl_context *c)
{
    db_field(c, FIELD_VERSION);
}
static void do_db_cksum(struct plx_cmdl_context *c)
{
    db_field(c, FIELD_CKSUM);
}
static void do_schema_name(struct plx_cmdl_context *c)
{
    schema_field(c, FIELD_NAME);
}
static void do_schema_version(struct plx_cmdl_context *c)
{
    schema_field(c, FIELD_VERSION);
}
static void do_schema_cksum(struct plx_cmdl_context *c)
{
    schema_field(c, FIELD_CKSUM);
}

static void
transact(struct plx_cmdl_context *ctx, bool read_only)
{
    const char *db_file = ctx->argv[1];
    char *jerror;
    json_t *params = json_from_string_bounded(ctx->argv[2], NULL, &jerror);
    if (!params) {
        plx_fatal(0, "transaction is not valid JSON: %s", jerror);
    }

    struct ovsdb_storage *storage;
    struct ovsdb *db;
    CHECK(ovsdb_storage_open(db_file, !read_only, &db, &storage));

    struct ovsdb_exec_options opts = { .read_only = read_only };
    json_t *result = ovsdb_execute(db, params, &opts, NULL);
    if (!read_only) {
        CHECK(ovsdb_storage_commit_block(storage));
    }
    char *s = json_to_string_canonical(result);
    puts(s);
    free(s);
    json_decref(result);
    json_decref(params);
    ovsdb_destroy(db);
}

static void do_query(struct plx_cmdl_context *ctx) { transact(ctx, true); }
static void do_transact(struct plx_cmdl_context *ctx) { transact(ctx, false); }

/* show-log. */

static void
print_record_header(size_t i, const json_t *record)
{
    const json_t *date = json_object_get(record, "_date");
    const json_t *comment = json_object_get(record, "_comment");

    printf("record %zu:", i);
    if (json_is_integer(date)) {
        char *s = xastrftime_msec(" %Y-%m-%d %H:%M:%S.###",
                                  json_integer_value(date), true);
        fputs(s, stdout);
        free(s);
    }
    if (json_is_string(comment)) {
        char *s = json_to_string_canonical(comment);
        printf(" %s", s);
        free(s);
    }
    putchar('\n');
}

static void
print_record_details(const json_t *record, struct sset *rows)
{
    const char *table;
    json_t *table_json;

    json_object_foreach ((json_t *) record, table, table_json) {
        const char *uuid;
        json_t *row;

        if (table[0] == '_' || !json_is_object(table_json)) {
            continue;
        }
        json_object_foreach (table_json, uuid, row) {
            const char *action;
            if (json_is_null(row)) {
                action = "delete";
                sset_find_and_delete(rows, uuid);
            } else if (sset_contains(rows, uuid)) {
                action = "modify";
            } else {
                action = "insert";
                sset_add(rows, uuid);
            }
            printf("\ttable %s %s row %.8s:\n", table, action, uuid);

            const char *column;
            json_t *value;
            if (show_log_verbosity > 1 && json_is_object(row)) {
                json_object_foreach (row, column, value) {
                    char *s = json_to_string_canonical(value);
                    printf("\t\t%s=%s\n", column, s);
                    free(s);
                }
            }
        }
    }
}

static void
do_show_log(struct plx_cmdl_context *ctx)
{
    char *db_file = arg_or(ctx, 1, default_db);
    struct sset rows = SSET_INITIALIZER(&rows);
    struct ovsdb_log *log;

    CHECK(ovsdb_log_open(db_file, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, 0,
                         &log));
    for (size_t i = 0; ; i++) {
        json_t *json;
        CHECK(ovsdb_log_read(log, &json));
        if (!json) {
            break;
        }
        if (i == 0) {
            struct ovsdb_schema *schema;
            CHECK(ovsdb_schema_from_json(json, &schema));
            printf("record 0: \"%s\" schema, version=\"%s\", cksum=\"%s\"\n",
                   schema->name, schema->version, schema->cksum);
            ovsdb_schema_destroy(schema);
        } else {
            print_record_header(i, json);
            if (show_log_verbosity) {
                print_record_details(json, &rows);
            }
        }
        json_decref(json);
    }
    if (ovsdb_log_get_torn_bytes(log)) {
        printf("(%lld bytes of torn tail ignored)\n",
               (long long int) ovsdb_log_get_torn_bytes(log));
    }
    ovsdb_log_close(log);
    sset_destroy(&rows);
    free(db_file);
}

static void do_help(struct plx_cmdl_context *ctx PLX_UNUSED);

static const struct plx_cmdl_command commands[] = {
    { "create", "[DB [SCHEMA]]", 0, 2, do_create },
    { "compact", "[DB [DST]]", 0, 2, do_compact },
    { "convert", "DB SCHEMA [DST]", 2, 3, do_convert },
    { "needs-conversion", "DB SCHEMA", 2, 2, do_needs_conversion },
    { "db-name", "[DB]", 0, 1, do_db_name },
    { "db-version", "[DB]", 0, 1, do_db_version },
    { "db-cksum", "[DB]", 0, 1, do_db_cksum },
    { "schema-name", "[SCHEMA]", 0, 1, do_schema_name },
    { "schema-version", "[SCHEMA]", 0, 1, do_schema_version },
    { "schema-cksum", "[SCHEMA]", 0, 1, do_schema_cksum },
    { "query", "DB TRANSACTION", 2, 2, do_query },
    { "transact", "DB TRANSACTION", 2, 2, do_transact },
    { "show-log", "[DB]", 0, 1, do_show_log },
    { "help", NULL, 0, 0, do_help },
    { NULL, NULL, 0, 0, NULL },
};

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: Plexus database management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n", program_name,
           program_name);
    plx_cmdl_print_commands(commands);
    printf("DB defaults to %s/conf.db, SCHEMA to %s/vswitch.ovsschema.\n"
           "Options:\n"
           "  -m, --more              increase show-log verbosity\n"
           "  -v, --verbose[=SPEC]    set logging levels\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           plx_dbdir(), plx_pkgdatadir());
    exit(EXIT_SUCCESS);
}

static void
do_help(struct plx_cmdl_context *ctx PLX_UNUSED)
{
    usage();
}

int
main(int argc, char *argv[])
{
    enum { VLOG_OPTION_ENUMS = UCHAR_MAX + 1 };
    static const struct option long_options[] = {
        {"more", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    set_program_name(argv[0]);
    char *short_options = plx_cmdl_long_options_to_short_options(
        long_options);
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'm':
            show_log_verbosity++;
            break;
        case 'h':
            usage();
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);

    if (optind >= argc) {
        plx_fatal(0, "missing command name; use --help for help");
    }
    struct plx_cmdl_context ctx = {
        .argc = argc - optind,
        .argv = argv + optind,
    };
    plx_cmdl_run_command(&ctx, commands);
    return 0;
}
