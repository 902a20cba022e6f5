/*
 * plx-vsctl: configures Plexus through its database, with ovs-vsctl's
 * command language, options, output and error messages.
 *
 * A run:
 *
 *   1. Parses the global options and splits the rest into commands
 *      separated by "--" (vsctl-parse.h).
 *   2. Reads the server's schema ("get_schema" on a connection of its
 *      own), builds an IDL class from it and replicates the whole
 *      database.  Nothing about the schema is compiled in, so tables the
 *      Plexus schema adds (VM) and future ones work with the generic
 *      commands.
 *   3. Runs every command inside ONE IDL transaction, in order, then
 *      commits: either all of them take effect or none.  What the commands
 *      read is verified, so if another client changed it meanwhile the
 *      commit fails with "try again"; plx-vsctl then waits for the replica
 *      to catch up and reruns all the commands from scratch.  A command
 *      that is not yet satisfied (wait-until) also makes it wait for the
 *      next change and rerun.
 *   4. Prints each command's output, in order, only after the commit.
 *   5. Unless --no-wait (or nothing changed, or the Open_vSwitch row was
 *      only just created), the transaction also incremented
 *      Open_vSwitch.next_cfg; plx-vsctl waits until cur_cfg reaches that
 *      value, which the switch daemon sets once it has applied the
 *      change.
 *
 * --timeout=SECS bounds the whole run, waiting included: when it expires
 * plx-vsctl prints "plx-vsctl: timeout: ..." saying what it was waiting
 * for and dies of SIGALRM, which is ovs-vsctl's exit status in that case.
 * Errors exit with status 1 (br-exists with 2 for "no") and nothing
 * committed.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "command-line.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-idl.h"
#include "ovsdb/ovsdb-schema.h"
#include "poll-loop.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"
#include "vsctl-output.h"
#include "vsctl-parse.h"

VLOG_DEFINE_THIS_MODULE(vsctl);

/* Global options. */
static const char *db;                  /* --db. */
static bool oneline;                    /* --oneline. */
static bool dry_run;                    /* --dry-run. */
static bool wait_for_reload = true;     /* Not --no-wait. */
static unsigned int timeout;            /* --timeout, in seconds. */
static bool retry;                      /* --retry. */
static struct vsctl_table_style table_style = VSCTL_TABLE_STYLE_DEFAULT;

/* All commands, concatenated from the per-file tables. */
static struct vsctl_command_syntax *all_syntaxes;

/* ---- --timeout. ---- */

/* What the SIGALRM handler prints: kept preformatted, since a signal
 * handler may only write(). */
static char alarm_message[256];

static void
set_phase(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static void
set_phase(const char *format, ...)
{
    char phase[160];
    va_list args;

    if (!timeout) {
        return;
    }
    va_start(args, format);
    vsnprintf(phase, sizeof phase, format, args);
    va_end(args);
    snprintf(alarm_message, sizeof alarm_message,
             "%s: timeout: no result after %u seconds (%s)\n",
             program_name, timeout, phase);
}

static void
alarm_handler(int sig)
{
    ssize_t retval PLX_UNUSED;

    retval = write(STDERR_FILENO, alarm_message, strlen(alarm_message));
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- Command line. ---- */

static void
build_syntaxes(void)
{
    const struct vsctl_command_syntax *tables[] = {
        vsctl_db_syntaxes, vsctl_bridge_syntaxes, vsctl_switch_syntaxes,
        vsctl_vm_syntaxes, vsctl_zone_syntaxes,
    };
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        for (const struct vsctl_command_syntax *p = tables[i]; p->name; p++) {
            all_syntaxes = xrealloc(all_syntaxes,
                                    (n + 2) * sizeof *all_syntaxes);
            all_syntaxes[n++] = *p;
        }
    }
    memset(&all_syntaxes[n], 0, sizeof all_syntaxes[n]);
}

static void
usage(void)
{
    printf("\
%s: Plexus configuration utility (ovs-vsctl compatible)\n\
usage: %s [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...\n\
\n\
Open vSwitch commands:\n\
  init                        initialize database, if not yet initialized\n\
  show                        print overview of database contents\n\
  emer-reset                  reset configuration to clean state\n\
\n\
Bridge commands:\n\
  add-br BRIDGE               create a new bridge named BRIDGE\n\
  add-br BRIDGE PARENT VLAN   create new fake BRIDGE in PARENT on VLAN\n\
  del-br BRIDGE               delete BRIDGE and all of its ports\n\
  list-br                     print the names of all the bridges\n\
  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n\
  br-to-vlan BRIDGE           print the VLAN which BRIDGE is on\n\
  br-to-parent BRIDGE         print the parent of BRIDGE\n\
  br-set-external-id BRIDGE KEY VALUE  set KEY on BRIDGE to VALUE\n\
  br-set-external-id BRIDGE KEY  unset KEY on BRIDGE\n\
  br-get-external-id BRIDGE KEY  print value of KEY on BRIDGE\n\
  br-get-external-id BRIDGE  list key-value pairs on BRIDGE\n\
\n\
Port commands (a bond is considered to be a single port):\n\
  list-ports BRIDGE           print the names of all the ports on BRIDGE\n\
  add-port BRIDGE PORT        add network device PORT to BRIDGE\n\
  add-bond BRIDGE PORT IFACE...  add bonded port PORT in BRIDGE from IFACES\n\
  del-port [BRIDGE] PORT      delete PORT (which may be bonded) from BRIDGE\n\
  port-to-br PORT             print name of bridge that contains PORT\n\
\n\
Interface commands (a bond consists of multiple interfaces):\n\
  list-ifaces BRIDGE          print the names of all interfaces on BRIDGE\n\
  iface-to-br IFACE           print name of bridge that contains IFACE\n\
\n\
VM commands (Plexus):\n\
  add-vm VM KERNEL [KEY=VALUE]...  create VM booting KERNEL; KEYs: initrd,\n\
                              cmdline, memory_mb, cpus, other_config:KEY\n\
  del-vm VM                   delete VM and the ports of its NICs\n\
  add-vm-port BRIDGE PORT VM [mac=MAC]  add PORT to BRIDGE as a NIC of VM\n\
\n\
Controller commands:\n\
  get-controller BRIDGE      print the controllers for BRIDGE\n\
  del-controller BRIDGE      delete the controllers for BRIDGE\n\
  set-controller BRIDGE TARGET...  set the controllers for BRIDGE\n\
  get-fail-mode BRIDGE       print the fail-mode for BRIDGE\n\
  del-fail-mode BRIDGE       delete the fail-mode for BRIDGE\n\
  set-fail-mode BRIDGE MODE  set the fail-mode for BRIDGE to MODE\n\
\n\
Manager commands:\n\
  get-manager                print the managers\n\
  del-manager                delete the managers\n\
  set-manager TARGET...      set the list of managers to TARGET...\n\
\n\
SSL commands:\n\
  get-ssl                     print the SSL configuration\n\
  del-ssl                     delete the SSL configuration\n\
  set-ssl PRIV-KEY CERT CA-CERT  set the SSL configuration\n\
\n\
Database commands:\n\
  list TBL [REC]              list RECord (or all records) in TBL\n\
  find TBL CONDITION...       list records satisfying CONDITION in TBL\n\
  get TBL REC COL[:KEY]       print values of COLumns in RECord in TBL\n\
  set TBL REC COL[:KEY]=VALUE set COLumn values in RECord in TBL\n\
  add TBL REC COL [KEY=]VALUE add (KEY=)VALUE to COLumn in RECord in TBL\n\
  remove TBL REC COL [KEY=]VALUE  remove (KEY=)VALUE from COLumn\n\
  clear TBL REC COL           clear values from COLumn in RECord in TBL\n\
  create TBL COL[:KEY]=VALUE  create and initialize new record\n\
  destroy TBL REC             delete RECord from TBL\n\
  wait-until TBL REC [COL[:KEY]=VALUE]  wait until condition is true\n\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE\n\
                              (default: unix:%s/db.sock)\n\
  --no-wait                   do not wait for plx-vswitchd to reconfigure\n\
  --retry                     keep trying to connect to server forever\n\
  -t, --timeout=SECS          wait at most SECS seconds for plx-vswitchd\n\
  --dry-run                   do not commit changes to database\n\
  --oneline                   print exactly one line of output per command\n\
\n\
Output formatting options:\n\
  -f, --format=FORMAT         set output formatting to FORMAT\n\
                              (\"list\", \"table\", \"html\", \"csv\",\n\
                              or \"json\")\n\
  -d, --data=FORMAT           set table cell output formatting to\n\
                              FORMAT (\"string\", \"bare\", or \"json\")\n\
  --no-headings               omit table heading row\n\
  --pretty                    pretty-print JSON in output\n\
  --bare                      equivalent to \"--format=list --data=bare\n\
                              --no-headings\"\n\
\n\
Logging options:\n\
  -v, --verbose=[SPEC]        set logging levels\n\
  --log-file[=FILE]           log to FILE\n\
\n\
Other options:\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n",
           program_name, program_name, plx_rundir());
}

/* Adds each per-command option of every command to OPTIONS (as OPT_LOCAL,
 * with its argument requirement), so that getopt accepts them among the
 * global options. */
static void
add_command_options(struct option **options, size_t *n, int opt_local)
{
    for (const struct vsctl_command_syntax *p = all_syntaxes; p->name; p++) {
        char *s = xstrdup(p->options);
        char *save_ptr = NULL;

        for (char *name = strtok_r(s, ",", &save_ptr); name;
             name = strtok_r(NULL, ",", &save_ptr)) {
            size_t len = strlen(name);
            bool has_arg = len && name[len - 1] == '=';
            bool found = false;

            if (has_arg) {
                name[len - 1] = '\0';
            }
            for (size_t i = 0; i < *n; i++) {
                if (!strcmp((*options)[i].name, name + 2)) {
                    found = true;
                }
            }
            if (!found) {
                *options = xrealloc(*options, (*n + 2) * sizeof **options);
                (*options)[*n] = (struct option) {
                    xstrdup(name + 2),
                    has_arg ? required_argument : no_argument,
                    NULL, opt_local
                };
                (*n)++;
            }
        }
        free(s);
    }
    memset(&(*options)[*n], 0, sizeof (*options)[*n]);
}

static void
parse_options(int argc, char *argv[], struct vsctl_option **local,
              size_t *n_local)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_NO_SYSLOG,
        OPT_NO_WAIT,
        OPT_DRY_RUN,
        OPT_LOCAL,
        OPT_RETRY,
        OPT_COMMANDS,
        OPT_OPTIONS,
        OPT_NO_HEADINGS,
        OPT_PRETTY,
        OPT_BARE,
        OPT_MAX_COLUMN_WIDTH,
        OPT_PEER_CA_CERT,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS
    };
    static const struct option global_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"no-syslog", no_argument, NULL, OPT_NO_SYSLOG},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"timeout", required_argument, NULL, 't'},
        {"retry", no_argument, NULL, OPT_RETRY},
        {"help", no_argument, NULL, 'h'},
        {"commands", no_argument, NULL, OPT_COMMANDS},
        {"options", no_argument, NULL, OPT_OPTIONS},
        {"version", no_argument, NULL, 'V'},
        {"format", required_argument, NULL, 'f'},
        {"data", required_argument, NULL, 'd'},
        {"no-headings", no_argument, NULL, OPT_NO_HEADINGS},
        {"pretty", no_argument, NULL, OPT_PRETTY},
        {"bare", no_argument, NULL, OPT_BARE},
        {"max-column-width", required_argument, NULL, OPT_MAX_COLUMN_WIDTH},
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    size_t n_global = ARRAY_SIZE(global_options) - 1;
    size_t n_options = n_global;
    struct option *options = xmemdup(global_options, sizeof global_options);

    add_command_options(&options, &n_options, OPT_LOCAL);

    char *tmp = plx_cmdl_long_options_to_short_options(global_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        char *error;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_ONELINE:
            oneline = true;
            break;
        case OPT_NO_SYSLOG:
            break;
        case OPT_NO_WAIT:
            wait_for_reload = false;
            break;
        case OPT_DRY_RUN:
            dry_run = true;
            break;
        case OPT_LOCAL: {
            char *name = xasprintf("--%s", options[idx].name);
            error = vsctl_option_add(local, n_local, name, optarg);
            free(name);
            vsctl_die_if_error(error);
            break;
        }
        case 'h':
            usage();
            exit(EXIT_SUCCESS);
        case OPT_COMMANDS:
            for (const struct vsctl_command_syntax *p = all_syntaxes;
                 p->name; p++) {
                printf("%s %s\n", p->name, p->arguments);
            }
            exit(EXIT_SUCCESS);
        case OPT_OPTIONS:
            for (const struct option *o = global_options; o->name; o++) {
                printf("--%s%s\n", o->name, o->has_arg ? "=ARG" : "");
                if (o->val > 0 && o->val <= UCHAR_MAX) {
                    printf("-%c%s\n", o->val, o->has_arg ? " ARG" : "");
                }
            }
            exit(EXIT_SUCCESS);
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        case 't': {
            unsigned int secs;
            if (!str_to_uint(optarg, 10, &secs)) {
                vsctl_fatal("value %s on -t or --timeout is invalid",
                            optarg);
            }
            timeout = secs;
            break;
        }
        case OPT_RETRY:
            retry = true;
            break;
        case 'f':
            vsctl_die_if_error(vsctl_table_parse_format(&table_style,
                                                        optarg));
            break;
        case 'd':
            vsctl_die_if_error(vsctl_table_parse_cell_format(&table_style,
                                                             optarg));
            break;
        case OPT_NO_HEADINGS:
            table_style.headings = false;
            break;
        case OPT_PRETTY:
            table_style.pretty = true;
            break;
        case OPT_BARE:
            table_style.format = VSCTL_TF_LIST;
            table_style.cell_format = VSCTL_CF_BARE;
            table_style.headings = false;
            break;
        case OPT_MAX_COLUMN_WIDTH: {
            int width;
            if (!str_to_int(optarg, 10, &width) || width < 0) {
                vsctl_fatal("value %s on --max-column-width is invalid",
                            optarg);
            }
            table_style.max_column_width = width;
            break;
        }
        case OPT_PEER_CA_CERT:
            /* Accepted for compatibility: the CA certificate given with
             * --ca-cert is what verifies the peer. */
            break;
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);
    for (size_t i = n_global; i < n_options; i++) {
        free((char *) options[i].name);
    }
    free(options);
}

/* ---- The database. ---- */

/* Reads the server's schema of the Open_vSwitch database. */
static struct ovsdb_schema *
fetch_schema(void)
{
    for (;;) {
        struct stream *stream;
        int error;

        set_phase("connecting to %s", db);
        error = stream_open_block(stream_open(db, &stream), -1, &stream);
        if (!error) {
            struct jsonrpc *rpc = jsonrpc_open(stream);
            struct jsonrpc_msg *request, *reply;

            set_phase("reading the schema from %s", db);
            request = jsonrpc_create_request(
                "get_schema", json_pack("[s]", "Open_vSwitch"), NULL);
            error = jsonrpc_transact_block(rpc, request, &reply);
            jsonrpc_close(rpc);
            if (!error) {
                struct ovsdb_schema *schema = NULL;
                char *s = NULL;

                if (reply->type != JSONRPC_REPLY) {
                    char *text = json_to_string_canonical(reply->error);
                    s = xasprintf("%s: get_schema failed: %s", db, text);
                    free(text);
                } else {
                    struct ovsdb_error *e
                        = ovsdb_schema_from_json(reply->result, &schema);
                    if (e) {
                        s = xasprintf("%s: bad schema from server: %s", db,
                                      ovsdb_error_to_string_free(e));
                    }
                }
                jsonrpc_msg_destroy(reply);
                vsctl_die_if_error(s);
                return schema;
            }
        }
        if (!retry) {
            vsctl_fatal("%s: database connection failed (%s)", db,
                        plx_strerror(error));
        }
        plx_msleep(1000);
    }
}

/* Frees the outputs of COMMANDS (before a rerun). */
static void
reset_outputs(struct vsctl_command *commands, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_clear(&commands[i].output);
        vsctl_table_destroy(commands[i].table);
        commands[i].table = NULL;
    }
}

static void
check_symbols(const struct ovsdb_symbol_table *symtab)
{
    const struct ovsdb_symbol *symbol;

    HMAP_FOR_EACH (symbol, hmap_node, &symtab->symbols) {
        if (!symbol->created) {
            vsctl_fatal("row id \"%s\" is referenced but never created "
                        "(e.g. with \"-- --id=%s create ...\")",
                        symbol->name, symbol->name);
        }
        if (!symbol->strong_ref) {
            if (!symbol->weak_ref) {
                VLOG_WARN("row id \"%s\" was created but no reference to it "
                          "was inserted, so it will not actually appear in "
                          "the database", symbol->name);
            } else {
                VLOG_WARN("row id \"%s\" was created but only a weak "
                          "reference to it was inserted, so it will not "
                          "actually appear in the database", symbol->name);
            }
        }
    }
}

static void
print_outputs(struct vsctl_command *commands, size_t n)
{
    static bool first_table = true;
    struct ds out = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        struct vsctl_command *c = &commands[i];
        if (c->table) {
            vsctl_table_format(c->table, &table_style, &first_table, &out);
        } else if (oneline) {
            vsctl_put_oneline(ds_cstr(&c->output), &out);
        } else {
            ds_put_cstr(&out, ds_cstr(&c->output));
        }
    }
    fputs(ds_cstr(&out), stdout);
    fflush(stdout);
    ds_destroy(&out);
}

/* Waits until every Open_vSwitch row's cur_cfg reaches NEXT_CFG. */
static void
wait_for_cur_cfg(struct ovsdb_idl *idl, const struct vsctl_schema *schema,
                 int64_t next_cfg)
{
    const struct ovsdb_idl_table_class *ovs_table
        = schema->tables[VSCTL_T_OPEN_VSWITCH];
    const struct ovsdb_idl_column *cur_cfg
        = schema->columns[VSCTL_C_OVS_CUR_CFG];

    set_phase("waiting for plx-vswitchd to apply configuration %"PRId64
              " (Open_vSwitch cur_cfg to reach next_cfg)", next_cfg);
    for (;;) {
        const struct ovsdb_idl_row *row;

        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            vsctl_fatal("%s: database connection failed (%s)", db,
                        plx_strerror(ovsdb_idl_get_last_error(idl)));
        }
        OVSDB_IDL_FOR_EACH_ROW (row, ovs_table, idl) {
            const struct ovsdb_datum *d = ovsdb_idl_read(row, cur_cfg);
            if (d->n == 1 && d->keys[0].integer >= next_cfg) {
                return;
            }
        }
        ovsdb_idl_wait(idl);
        poll_block();
    }
}

/* One attempt at running all COMMANDS in a transaction.  Returns true if
 * done, false to try again once the database changes. */
static bool
do_vsctl(const char *args, struct vsctl_command *commands, size_t n,
         struct ovsdb_idl *idl, const struct vsctl_schema *schema)
{
    const struct ovsdb_idl_table_class *ovs_table
        = schema->tables[VSCTL_T_OPEN_VSWITCH];
    const struct ovsdb_idl_column *next_cfg_column
        = schema->columns[VSCTL_C_OVS_NEXT_CFG];
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    struct vsctl_context ctx;
    bool done = false;

    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "%s: %s", program_name, args);

    const struct ovsdb_idl_row *ovs = NULL;
    bool wait = false;
    if (ovs_table) {
        ovs = ovsdb_idl_first_row(idl, ovs_table);
        if (!ovs) {
            ovs = ovsdb_idl_txn_insert(txn, ovs_table, NULL);
        } else if (wait_for_reload && !dry_run && next_cfg_column
                   && schema->columns[VSCTL_C_OVS_CUR_CFG]) {
            ovsdb_idl_txn_increment(txn, ovs, next_cfg_column, false);
            wait = true;
        }
    }

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    vsctl_context_init(&ctx, idl, txn, symtab, schema, ovs);
    for (size_t i = 0; i < n; i++) {
        vsctl_context_set_command(&ctx, &commands[i]);
        commands[i].syntax->run(&ctx);
        if (ctx.try_again) {
            goto out;
        }
    }
    check_symbols(symtab);

    set_phase("committing the transaction to %s", db);
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    int64_t next_cfg = 0;
    if (wait && status == TXN_SUCCESS) {
        next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    }

    switch (status) {
    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        for (size_t i = 0; i < n; i++) {
            if (commands[i].syntax->postprocess) {
                vsctl_context_set_command(&ctx, &commands[i]);
                commands[i].syntax->postprocess(&ctx);
            }
        }
        break;
    case TXN_TRY_AGAIN:
        VLOG_DBG("transaction must be retried");
        goto out;
    case TXN_ERROR:
        vsctl_fatal("transaction error: %s", ovsdb_idl_txn_get_error(txn));
    case TXN_ABORTED:
        vsctl_fatal("transaction aborted");
    case TXN_NOT_LOCKED:
        vsctl_fatal("database not locked");
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    default:
        PLX_NOT_REACHED();
    }

    print_outputs(commands, n);
    if (wait && status == TXN_SUCCESS) {
        wait_for_cur_cfg(idl, schema, next_cfg);
    }
    done = true;

out:
    vsctl_context_destroy(&ctx);
    ovsdb_symbol_table_destroy(symtab);
    if (!done) {
        ovsdb_idl_txn_abort(txn);
        reset_outputs(commands, n);
    }
    ovsdb_idl_txn_destroy(txn);
    return done;
}

int
main(int argc, char *argv[])
{
    struct vsctl_option *local = NULL;
    size_t n_local = 0;
    struct vsctl_command *commands;
    size_t n_commands;

    set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    build_syntaxes();
    parse_options(argc, argv, &local, &n_local);
    if (!db) {
        db = xasprintf("unix:%s/db.sock", plx_rundir());
    }
    vsctl_die_if_error(vsctl_parse_commands(argc - optind, argv + optind,
                                            local, n_local, all_syntaxes,
                                            &commands, &n_commands));

    struct ds args = DS_EMPTY_INITIALIZER;
    vsctl_put_args(&args, argv + 1, argc - 1);
    bool writes = false;
    for (size_t i = 0; i < n_commands; i++) {
        writes |= commands[i].syntax->mode == VSCTL_RW;
    }
    VLOG(writes ? VLL_INFO : VLL_DBG, "Called as %s", ds_cstr(&args));

    if (timeout) {
        signal(SIGALRM, alarm_handler);
        set_phase("starting");
        alarm(timeout);
    }

    struct ovsdb_schema *schema = fetch_schema();
    struct ovsdb_idl_class *class = ovsdb_idl_class_create(schema);
    ovsdb_schema_destroy(schema);
    struct vsctl_schema vschema;
    vsctl_schema_bind(&vschema, class);

    struct ovsdb_idl *idl = ovsdb_idl_create(db, class, true, retry);
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    bool tried = false;
    set_phase("reading the database %s", db);
    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            vsctl_fatal("%s: database connection failed (%s)", db,
                        plx_strerror(ovsdb_idl_get_last_error(idl)));
        }
        if (ovsdb_idl_is_connected(idl)
            && (!tried || seqno != ovsdb_idl_get_seqno(idl))) {
            seqno = ovsdb_idl_get_seqno(idl);
            tried = true;
            if (do_vsctl(ds_cstr(&args), commands, n_commands, idl,
                         &vschema)) {
                break;
            }
            set_phase("waiting for the database to change");
        }
        if (seqno == ovsdb_idl_get_seqno(idl)) {
            ovsdb_idl_wait(idl);
            poll_block();
        }
    }

    /* The commands' tables point into the class's types. */
    vsctl_commands_destroy(commands, n_commands);
    ovsdb_idl_destroy(idl);
    ovsdb_idl_class_destroy(class);
    ds_destroy(&args);
    free(all_syntaxes);
    return 0;
}
