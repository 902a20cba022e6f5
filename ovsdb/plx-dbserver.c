/* plx-dbserver: the Plexus OVSDB server, wire-compatible with Open
 * vSwitch's ovsdb-server for standalone databases.
 *
 *     plx-dbserver [DATABASE]... [--remote=REMOTE]... [OPTIONS]
 *
 * Serves each DATABASE file (default $PLX_DBDIR/conf.db) on every passive
 * REMOTE (punix:FILE, ptcp:PORT[:IP], pssl:PORT[:IP]); see
 * ovsdb/jsonrpc-server.h for the protocol and ovsdb/storage.h for the
 * files.  Control commands (plx-appctl -t plx-dbserver ...): exit,
 * ovsdb-server/compact [DB]..., ovsdb-server/reconnect,
 * ovsdb-server/add-remote REMOTE, ovsdb-server/remove-remote REMOTE,
 * ovsdb-server/list-remotes, ovsdb-server/list-dbs, memory/show. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "ovsdb/jsonrpc-server.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/storage.h"
#include "ovsdb/table.h"
#include "poll-loop.h"
#include "sset.h"
#include "stream-ssl.h"
#include "stream.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(plx_dbserver);

struct server_config {
    struct sset remotes;
    char *unixctl_path;
    size_t max_msg_bytes;
};

struct server_state {
    struct ovsdb_jsonrpc_server *jsonrpc;
    bool exiting;
};

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: Plexus database server\n"
           "usage: %s [OPTIONS] [DATABASE...]\n"
           "where each DATABASE is a database file in ovsdb format.\n"
           "The default DATABASE, if none is given, is\n%s/conf.db.\n"
           "\nOptions:\n"
           "  --remote=REMOTE         listen on REMOTE: punix:FILE,\n"
           "                          ptcp:PORT[:IP] or pssl:PORT[:IP]\n"
           "  --unixctl=SOCKET        override default control socket "
           "name\n"
           "  --private-key=FILE      SSL private key\n"
           "  --certificate=FILE      SSL certificate for the key\n"
           "  --ca-cert=FILE          CA certificate for peers\n"
           "  --max-msg-bytes=N       largest JSON-RPC message accepted\n"
           "  -v, --verbose[=SPEC]    set logging levels\n"
           "  --log-file[=FILE]       log to FILE\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           program_name, program_name, plx_dbdir());
    daemon_usage();
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[], struct server_config *cfg)
{
    enum {
        OPT_REMOTE = UCHAR_MAX + 1,
        OPT_UNIXCTL,
        OPT_MAX_MSG_BYTES,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"max-msg-bytes", required_argument, NULL, OPT_MAX_MSG_BYTES},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = plx_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_REMOTE:
            if (pstream_verify_name(optarg)) {
                plx_fatal(0, "%s: not a valid passive remote (expected "
                          "punix:FILE, ptcp:PORT[:IP] or pssl:PORT[:IP])",
                          optarg);
            }
            sset_add(&cfg->remotes, optarg);
            break;
        case OPT_UNIXCTL:
            free(cfg->unixctl_path);
            cfg->unixctl_path = xstrdup(optarg);
            break;
        case OPT_MAX_MSG_BYTES: {
            unsigned long long n;
            if (!str_to_ullong(optarg, 10, &n) || n < 1024) {
                plx_fatal(0, "--max-msg-bytes: %s is not a number >= 1024",
                          optarg);
            }
            cfg->max_msg_bytes = n;
            break;
        }
        case 'h':
            usage();
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);
}

/* unixctl commands. */

static void
cmd_exit(struct unixctl_conn *conn, int argc PLX_UNUSED,
         const char *argv[] PLX_UNUSED, void *state_)
{
    struct server_state *state = state_;
    state->exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_compact(struct unixctl_conn *conn, int argc, const char *argv[],
            void *state_)
{
    struct server_state *state = state_;
    struct ds errors = DS_EMPTY_INITIALIZER;

    if (argc < 2) {
        char *error = ovsdb_jsonrpc_server_compact(state->jsonrpc, NULL);
        if (error) {
            ds_put_format(&errors, "%s\n", error);
            free(error);
        }
    }
    for (int i = 1; i < argc; i++) {
        char *error = ovsdb_jsonrpc_server_compact(state->jsonrpc, argv[i]);
        if (error) {
            ds_put_format(&errors, "%s\n", error);
            free(error);
        }
    }
    if (errors.length) {
        unixctl_command_reply_error(conn, ds_cstr(&errors));
    } else {
        unixctl_command_reply(conn, NULL);
    }
    ds_destroy(&errors);
}

static void
cmd_reconnect(struct unixctl_conn *conn, int argc PLX_UNUSED,
              const char *argv[] PLX_UNUSED, void *state_)
{
    struct server_state *state = state_;
    ovsdb_jsonrpc_server_reconnect(state->jsonrpc);
    unixctl_command_reply(conn, NULL);
}

static void
cmd_add_remote(struct unixctl_conn *conn, int argc PLX_UNUSED,
               const char *argv[], void *state_)
{
    struct server_state *state = state_;
    int error;

    if (pstream_verify_name(argv[1])) {
        unixctl_command_reply_error(conn, "not a valid passive remote");
        return;
    }
    error = ovsdb_jsonrpc_server_add_remote(state->jsonrpc, argv[1]);
    if (error) {
        unixctl_command_reply_error(conn, plx_strerror(error));
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_remove_remote(struct unixctl_conn *conn, int argc PLX_UNUSED,
                  const char *argv[], void *state_)
{
    struct server_state *state = state_;
    if (ovsdb_jsonrpc_server_remove_remote(state->jsonrpc, argv[1])) {
        unixctl_command_reply(conn, NULL);
    } else {
        unixctl_command_reply_error(conn, "no such remote");
    }
}

static void
reply_sset(struct unixctl_conn *conn, const struct sset *set)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char **names = sset_sort(set);
    for (size_t i = 0; names[i]; i++) {
        ds_put_format(&s, "%s\n", names[i]);
    }
    free(names);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_list_remotes(struct unixctl_conn *conn, int argc PLX_UNUSED,
                 const char *argv[] PLX_UNUSED, void *state_)
{
    struct server_state *state = state_;
    struct sset remotes = SSET_INITIALIZER(&remotes);
    ovsdb_jsonrpc_server_get_remotes(state->jsonrpc, &remotes);
    reply_sset(conn, &remotes);
    sset_destroy(&remotes);
}

static void
cmd_list_dbs(struct unixctl_conn *conn, int argc PLX_UNUSED,
             const char *argv[] PLX_UNUSED, void *state_)
{
    struct server_state *state = state_;
    struct sset names = SSET_INITIALIZER(&names);
    ovsdb_jsonrpc_server_get_db_names(state->jsonrpc, &names);
    reply_sset(conn, &names);
    sset_destroy(&names);
}

static void
cmd_memory_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[] PLX_UNUSED, void *state_)
{
    struct server_state *state = state_;
    struct sset names = SSET_INITIALIZER(&names);
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ds per_db = DS_EMPTY_INITIALIZER;
    size_t rows = 0, cells = 0;

    ovsdb_jsonrpc_server_get_db_names(state->jsonrpc, &names);
    const char **sorted = sset_sort(&names);
    for (size_t i = 0; sorted[i]; i++) {
        struct ovsdb *db = ovsdb_jsonrpc_server_get_db(state->jsonrpc,
                                                       sorted[i]);
        size_t db_rows = 0, db_cells = 0;
        for (size_t j = 0; j < db->n_tables; j++) {
            size_t n = ovsdb_table_n_rows(db->tables[j]);
            db_rows += n;
            db_cells += n * (db->tables[j]->schema->n_columns
                             - OVSDB_N_STD_COLUMNS);
        }
        ds_put_format(&per_db, "%s: rows:%zu cells:%zu\n", sorted[i],
                      db_rows, db_cells);
        rows += db_rows;
        cells += db_cells;
    }
    free(sorted);
    sset_destroy(&names);

    ds_put_format(&s, "cells:%zu rows:%zu ", cells, rows);
    ovsdb_jsonrpc_server_get_memory_usage(state->jsonrpc, &s);
    ds_put_format(&s, "\n%s", ds_cstr(&per_db));
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    ds_destroy(&per_db);
}

static void
open_databases(struct ovsdb_jsonrpc_server *jsonrpc, int argc, char *argv[])
{
    char *default_db = NULL;
    if (!argc) {
        default_db = xasprintf("%s/conf.db", plx_dbdir());
        argc = 1;
    }

    for (int i = 0; i < argc; i++) {
        const char *file_name = default_db ? default_db : argv[i];
        struct ovsdb_storage *storage;
        struct ovsdb *db;
        struct ovsdb_error *error = ovsdb_storage_open(file_name, true, &db,
                                                       &storage);
        if (error) {
            char *s = ovsdb_error_to_string_free(error);
            VLOG_FATAL("%s", s);
        }
        if (!ovsdb_jsonrpc_server_add_db(jsonrpc, db, storage)) {
            VLOG_FATAL("%s: duplicate database name %s", file_name,
                       db->schema->name);
        }
        VLOG_INFO("%s: serving database %s", file_name, db->schema->name);
    }
    free(default_db);
}

int
main(int argc, char *argv[])
{
    struct server_config cfg = { .remotes = SSET_INITIALIZER(&cfg.remotes) };
    struct server_state state = { NULL, false };
    struct unixctl_server *unixctl;

    set_program_name(argv[0]);
    parse_options(argc, argv, &cfg);
    argc -= optind;
    argv += optind;

    daemonize_start();

    state.jsonrpc = ovsdb_jsonrpc_server_create();
    if (cfg.max_msg_bytes) {
        ovsdb_jsonrpc_server_set_max_msg_bytes(state.jsonrpc,
                                               cfg.max_msg_bytes);
    }
    open_databases(state.jsonrpc, argc, argv);

    const char *remote;
    SSET_FOR_EACH (remote, &cfg.remotes) {
        int error = ovsdb_jsonrpc_server_add_remote(state.jsonrpc, remote);
        if (error) {
            VLOG_FATAL("%s: cannot listen: %s", remote, plx_strerror(error));
        }
    }

    int error = unixctl_server_create(cfg.unixctl_path, &unixctl);
    if (error) {
        VLOG_FATAL("could not create control socket: %s",
                   plx_strerror(error));
    }
    unixctl_command_register("exit", "", 0, 0, cmd_exit, &state);
    unixctl_command_register("ovsdb-server/compact", "[DB]...", 0, INT_MAX,
                             cmd_compact, &state);
    unixctl_command_register("ovsdb-server/reconnect", "", 0, 0,
                             cmd_reconnect, &state);
    unixctl_command_register("ovsdb-server/add-remote", "REMOTE", 1, 1,
                             cmd_add_remote, &state);
    unixctl_command_register("ovsdb-server/remove-remote", "REMOTE", 1, 1,
                             cmd_remove_remote, &state);
    unixctl_command_register("ovsdb-server/list-remotes", "", 0, 0,
                             cmd_list_remotes, &state);
    unixctl_command_register("ovsdb-server/list-dbs", "", 0, 0,
                             cmd_list_dbs, &state);
    unixctl_command_register("memory/show", "", 0, 0, cmd_memory_show,
                             &state);

    daemonize_complete();
    VLOG_INFO("%s (Plexus) %s", program_name, PACKAGE_VERSION);

    while (!state.exiting) {
        unixctl_server_run(unixctl);
        struct ovsdb_error *run_error
            = ovsdb_jsonrpc_server_run(state.jsonrpc);
        if (run_error) {
            /* Memory may now hold transactions that are not on disk: stop
             * before anyone is told about them; a restart replays the
             * file. */
            char *s = ovsdb_error_to_string_free(run_error);
            VLOG_FATAL("storage failure, exiting: %s", s);
        }
        if (state.exiting) {
            break;
        }
        unixctl_server_wait(unixctl);
        ovsdb_jsonrpc_server_wait(state.jsonrpc);
        poll_block();
    }

    ovsdb_jsonrpc_server_destroy(state.jsonrpc);
    unixctl_server_destroy(unixctl);
    sset_destroy(&cfg.remotes);
    free(cfg.unixctl_path);
    return 0;
}
