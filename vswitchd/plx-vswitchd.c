/* plx-vswitchd: the Plexus switch daemon.
 *
 *     plx-vswitchd [unix:DB_SOCKET] [OPTIONS]
 *
 * An IDL client of the configuration database (plx-dbserver, or Open
 * vSwitch's ovsdb-server) at DB_SOCKET (default: the run directory's
 * db.sock).  It runs one userspace datapath and a bridge per Bridge row,
 * reconciled with the database by vswitchd/bridge.c, and writes status
 * back.  Control commands (plx-appctl -t plx-vswitchd ...): exit,
 * memory/show, dpctl/show [-s], dpctl/dump-flows [-m], dpctl/del-flows,
 * dpif-netdev/pmd-stats-show, pmd-stats-clear, pmd-rxq-show,
 * pmd-perf-show and pmd-rxq-rebalance, fdb/show BRIDGE, fdb/flush
 * [BRIDGE], coverage/show, vlog/..., as ovs-vswitchd's. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "command-line.h"
#include "coverage.h"
#include "daemon.h"
#include "datapath/dpif.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "poll-loop.h"
#include "unixctl.h"
#include "stream-ssl.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/bridge.h"
#include "vswitchd/dpctl-ct.h"

VLOG_DEFINE_THIS_MODULE(plx_vswitchd);

static char *unixctl_path;
static bool want_mlockall;
static bool exiting;

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: Plexus virtual switch daemon\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "where DATABASE is a socket on which the database server is "
           "listening\n(default: \"unix:%s/db.sock\").\n"
           "\nOptions:\n"
           "  --unixctl=SOCKET        override default control socket "
           "name\n"
           "  --mlockall              lock all memory into RAM\n"
           "  --private-key=FILE      SSL private key (else the database's "
           "SSL table)\n"
           "  --certificate=FILE      SSL certificate\n"
           "  --ca-cert=FILE          SSL CA certificate\n"
           "  -v, --verbose[=SPEC]    set logging levels\n"
           "  --log-file[=FILE]       log to FILE\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           program_name, program_name, plx_rundir());
    daemon_usage();
    exit(EXIT_SUCCESS);
}

static char *
parse_options(int argc, char *argv[])
{
    enum {
        OPT_UNIXCTL = UCHAR_MAX + 1,
        OPT_MLOCKALL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"mlockall", no_argument, NULL, OPT_MLOCKALL},
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
        case OPT_UNIXCTL:
            free(unixctl_path);
            unixctl_path = xstrdup(optarg);
            break;
        case OPT_MLOCKALL:
            want_mlockall = true;
            break;
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

    argc -= optind;
    argv += optind;
    if (argc > 1) {
        plx_fatal(0, "at most one non-option argument accepted; "
                  "use --help for usage");
    }
    if (argc == 1) {
        if (strncmp(argv[0], "unix:", 5) && strncmp(argv[0], "tcp:", 4)
            && strncmp(argv[0], "ssl:", 4)) {
            plx_fatal(0, "%s: database must be unix:FILE, tcp:IP:PORT or "
                      "ssl:IP:PORT", argv[0]);
        }
        return xstrdup(argv[0]);
    }
    return xasprintf("unix:%s/db.sock", plx_rundir());
}

/* ------------------------------------------------------------------ */
/* unixctl commands. */

static void
cmd_exit(struct unixctl_conn *conn, int argc PLX_UNUSED,
         const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
cmd_memory_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    bridge_format_memory(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Checks that a dpctl command's optional datapath argument names ours
 * ("netdev@plx-netdev", "plx-netdev" or "netdev@NAME" as ovs-dpctl
 * writes it).  Returns false, having replied with an error, if not. */
bool
dpctl_check_dp(struct unixctl_conn *conn, const char *name)
{
    const char *ours = dpif_name(bridge_get_dpif());
    const char *bare = !strncmp(name, "netdev@", 7) ? name + 7 : name;

    if (strcmp(bare, ours)) {
        char *msg = xasprintf("datapath \"%s\" not found (this switch "
                              "has netdev@%s)", name, ours);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return false;
    }
    return true;
}

static void
cmd_dpctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux PLX_UNUSED)
{
    bool verbose = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--statistics")) {
            verbose = true;
        } else if (argv[i][0] == '-') {
            char *msg = xasprintf("unknown option %s", argv[i]);
            unixctl_command_reply_error(conn, msg);
            free(msg);
            return;
        } else if (!dpctl_check_dp(conn, argv[i])) {
            return;
        }
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    dpif_format_show(bridge_get_dpif(), verbose, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_dpctl_dump_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *aux PLX_UNUSED)
{
    struct dpif *dp = bridge_get_dpif();
    bool names = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--more")
            || !strcmp(argv[i], "--names")) {
            names = true;
        } else if (!strcmp(argv[i], "--no-names")) {
            names = false;
        } else if (argv[i][0] == '-') {
            char *msg = xasprintf("unknown option %s", argv[i]);
            unixctl_command_reply_error(conn, msg);
            free(msg);
            return;
        } else if (!dpctl_check_dp(conn, argv[i])) {
            return;
        }
    }

    struct dpif_flow *flows;
    size_t n_flows;
    struct ds s = DS_EMPTY_INITIALIZER;

    dpif_flow_dump(dp, &flows, &n_flows);
    for (size_t i = 0; i < n_flows; i++) {
        dpif_flow_format(names ? dp : NULL, &flows[i], &s);
        ds_put_char(&s, '\n');
    }
    dpif_flow_dump_free(flows, n_flows);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_dpctl_del_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux PLX_UNUSED)
{
    if (argc > 1 && !dpctl_check_dp(conn, argv[1])) {
        return;
    }
    dpif_flow_flush(bridge_get_dpif());
    unixctl_command_reply(conn, NULL);
}

/* The options of the dpif-netdev/pmd-* commands, as ovs-vswitchd's. */
struct pmd_cmd_args {
    int core_id;                /* -pmd CORE, or DPIF_PMD_ALL. */
    int secs;                   /* -secs SECS (pmd-rxq-show), or 0. */
};

static bool
parse_uint_arg(const char *s, int max, int *value)
{
    char *end;
    long v;

    if (!s[0] || s[0] == '-' || s[0] == '+') {
        return false;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v > max) {
        return false;
    }
    *value = v;
    return true;
}

/* Parses [-pmd CORE] [-secs SECS] [DP] (SECS only if ALLOW_SECS; -nh,
 * -it N and -ms N of pmd-perf-show, which we have no histograms for, are
 * accepted and ignored if ALLOW_PERF).  Returns false, having replied
 * with an error, on bad arguments. */
static bool
parse_pmd_cmd_args(struct unixctl_conn *conn, int argc, const char *argv[],
                   bool allow_secs, bool allow_perf,
                   struct pmd_cmd_args *args)
{
    args->core_id = DPIF_PMD_ALL;
    args->secs = 0;
    for (int i = 1; i < argc; i++) {
        const char *error = NULL;
        int v;

        if (!strcmp(argv[i], "-pmd")) {
            if (i + 1 >= argc || !parse_uint_arg(argv[++i], INT_MAX, &v)) {
                error = "Error: -pmd option requires a thread id argument.";
            } else {
                args->core_id = v;
            }
        } else if (allow_secs && !strcmp(argv[i], "-secs")) {
            if (i + 1 >= argc || !parse_uint_arg(argv[++i], INT_MAX, &v)
                || !v) {
                error = "Error: -secs option requires a positive number "
                        "of seconds.";
            } else {
                args->secs = v;
            }
        } else if (allow_perf && !strcmp(argv[i], "-nh")) {
            continue;
        } else if (allow_perf && (!strcmp(argv[i], "-it")
                                  || !strcmp(argv[i], "-ms"))) {
            if (i + 1 >= argc || !parse_uint_arg(argv[++i], INT_MAX, &v)) {
                error = "Error: -it and -ms require a number.";
            }
        } else if (argv[i][0] == '-') {
            char *msg = xasprintf("unknown option %s", argv[i]);
            unixctl_command_reply_error(conn, msg);
            free(msg);
            return false;
        } else if (!dpctl_check_dp(conn, argv[i])) {
            return false;
        }
        if (error) {
            unixctl_command_reply_error(conn, error);
            return false;
        }
    }
    return true;
}

static void
cmd_pmd_stats_show(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux PLX_UNUSED)
{
    struct pmd_cmd_args args;

    if (parse_pmd_cmd_args(conn, argc, argv, false, false, &args)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        dpif_format_pmd_stats_core(bridge_get_dpif(), args.core_id, &s);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

static void
cmd_pmd_stats_clear(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux PLX_UNUSED)
{
    struct pmd_cmd_args args;

    if (parse_pmd_cmd_args(conn, argc, argv, false, false, &args)) {
        dpif_pmd_stats_clear(bridge_get_dpif(), args.core_id);
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_pmd_rxq_show(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux PLX_UNUSED)
{
    struct pmd_cmd_args args;

    if (parse_pmd_cmd_args(conn, argc, argv, true, false, &args)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        dpif_format_pmd_rxqs(bridge_get_dpif(), args.core_id, args.secs,
                             &s);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

static void
cmd_pmd_perf_show(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux PLX_UNUSED)
{
    struct pmd_cmd_args args;

    if (parse_pmd_cmd_args(conn, argc, argv, false, true, &args)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        dpif_format_pmd_perf(bridge_get_dpif(), args.core_id, &s);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

static void
cmd_pmd_rxq_rebalance(struct unixctl_conn *conn, int argc,
                      const char *argv[], void *aux PLX_UNUSED)
{
    if (argc > 1 && !dpctl_check_dp(conn, argv[1])) {
        return;
    }
    dpif_pmd_rxq_rebalance(bridge_get_dpif());
    unixctl_command_reply(conn, "pmd rxq rebalance requested.");
}

static void
register_commands(void)
{
    unixctl_command_register("exit", "", 0, 0, cmd_exit, NULL);
    unixctl_command_register("memory/show", "", 0, 0, cmd_memory_show,
                             NULL);
    unixctl_command_register("dpctl/show", "[-s] [DP]", 0, 2,
                             cmd_dpctl_show, NULL);
    unixctl_command_register("dpctl/dump-flows", "[-m] [--names] [DP]", 0,
                             3, cmd_dpctl_dump_flows, NULL);
    unixctl_command_register("dpctl/del-flows", "[DP]", 0, 1,
                             cmd_dpctl_del_flows, NULL);
    unixctl_command_register("dpif-netdev/pmd-stats-show",
                             "[-pmd core] [dp]", 0, 3,
                             cmd_pmd_stats_show, NULL);
    unixctl_command_register("dpif-netdev/pmd-stats-clear",
                             "[-pmd core] [dp]", 0, 3,
                             cmd_pmd_stats_clear, NULL);
    unixctl_command_register("dpif-netdev/pmd-rxq-show",
                             "[-pmd core] [-secs secs] [dp]", 0, 5,
                             cmd_pmd_rxq_show, NULL);
    unixctl_command_register("dpif-netdev/pmd-perf-show",
                             "[-nh] [-it iter-history-len] "
                             "[-ms ms-history-len] [-pmd core] [dp]", 0, 8,
                             cmd_pmd_perf_show, NULL);
    unixctl_command_register("dpif-netdev/pmd-rxq-rebalance", "[dp]", 0, 1,
                             cmd_pmd_rxq_rebalance, NULL);
    dpctl_ct_register_commands();
    coverage_init();
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;

    set_program_name(argv[0]);
    char *remote = parse_options(argc, argv);
    fatal_ignore_sigpipe();

    daemonize_start();

    if (want_mlockall && mlockall(MCL_CURRENT | MCL_FUTURE)) {
        VLOG_ERR("mlockall failed: %s", plx_strerror(errno));
    }

    int error = unixctl_server_create(unixctl_path, &unixctl);
    if (error) {
        VLOG_FATAL("could not create control socket: %s",
                   plx_strerror(error));
    }
    register_commands();
    bridge_init(remote);

    daemonize_complete();
    VLOG_INFO("%s (Plexus) %s, database %s", program_name, PACKAGE_VERSION,
              remote);

    while (!exiting) {
        unixctl_server_run(unixctl);
        bridge_run();
        coverage_run();
        if (exiting) {
            break;
        }
        unixctl_server_wait(unixctl);
        bridge_wait();
        coverage_wait();
        poll_block();
    }

    bridge_exit();
    unixctl_server_destroy(unixctl);
    free(unixctl_path);
    free(remote);
    return 0;
}
