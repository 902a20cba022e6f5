/* plx-dpctl: looks at and clears plx-vswitchd's userspace datapath, with
 * the commands of ovs-dpctl.
 *
 *     plx-dpctl [--unixctl=SOCKET | -t TARGET] COMMAND [ARG...]
 *
 * ovs-dpctl talks to the kernel datapath directly; Plexus's datapath
 * lives inside plx-vswitchd, so each command is forwarded to the daemon's
 * control socket as the command ovs-appctl would use with Open vSwitch's
 * userspace datapath ("show" becomes "dpctl/show", "pmd-stats-show"
 * becomes "dpif-netdev/pmd-stats-show"), and the reply is printed.
 *
 * Exit status: 0 on success; 1 for a usage error (unknown command, bad
 * option, wrong number of arguments); 2 if the daemon could not be
 * reached or answered with an error (the message goes to stderr). */
#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include "command-line.h"
#include "unixctl-client.h"
#include "util.h"

/* Options that apply to the command. */
struct dpctl_options {
    const char *target;         /* -t: daemon name or socket path. */
    const char *unixctl;        /* --unixctl: socket path. */
    bool statistics;            /* -s: "show" prints port statistics. */
    bool more;                  /* -m: "dump-flows" prints more. */
};

/* A plx-dpctl command: ovs-dpctl's name, the daemon's unixctl name, and
 * the one-letter flag (besides positional arguments) it accepts. */
struct dpctl_command {
    const char *name;
    const char *unixctl_name;
    char flag;                  /* 's', 'm' or 0. */
};

static const struct dpctl_command dpctl_commands[] = {
    { "show", "dpctl/show", 's' },
    { "dump-flows", "dpctl/dump-flows", 'm' },
    { "del-flows", "dpctl/del-flows", 0 },
    { "pmd-stats-show", "dpif-netdev/pmd-stats-show", 0 },
    { "dump-conntrack", "dpctl/dump-conntrack", 'm' },
    { "flush-conntrack", "dpctl/flush-conntrack", 0 },
    { "ct-stats-show", "dpctl/ct-stats-show", 'm' },
    { "ct-set-maxconns", "dpctl/ct-set-maxconns", 0 },
    { "ct-get-maxconns", "dpctl/ct-get-maxconns", 0 },
    { "ct-get-nconns", "dpctl/ct-get-nconns", 0 },
    { "ct-set-limits", "dpctl/ct-set-limits", 0 },
    { "ct-get-limits", "dpctl/ct-get-limits", 0 },
    { "ct-del-limits", "dpctl/ct-del-limits", 0 },
    { "ipf-get-status", "dpctl/ipf-get-status", 'm' },
    { "ipf-set-enabled", "dpctl/ipf-set-enabled", 0 },
    { "ipf-set-min-frag", "dpctl/ipf-set-min-frag", 0 },
    { "ipf-set-max-nfrags", "dpctl/ipf-set-max-nfrags", 0 },
};

static void dpctl_handler(struct plx_cmdl_context *);

/* For argument-count checking and --help.  Counts include the optional
 * flag.  pmd-stats-show passes "-pmd CORE" through, as ovs-appctl
 * dpif-netdev/pmd-stats-show takes it. */
static const struct plx_cmdl_command commands[] = {
    { "show", "[-s] [DP]", 0, 2, dpctl_handler },
    { "dump-flows", "[-m] [--names|--no-names] [DP]", 0, 3,
      dpctl_handler },
    { "del-flows", "[DP]", 0, 1, dpctl_handler },
    { "pmd-stats-show", "[-pmd CORE] [DP]", 0, 3, dpctl_handler },
    { "dump-conntrack", "[-m] [-s] [DP] [zone=N]", 0, 4, dpctl_handler },
    { "flush-conntrack", "[DP] [zone=N] [CT-TUPLE]", 0, 3, dpctl_handler },
    { "ct-stats-show", "[DP] [zone=N] [-m]", 0, 3, dpctl_handler },
    { "ct-set-maxconns", "[DP] MAXCONNS", 1, 2, dpctl_handler },
    { "ct-get-maxconns", "[DP]", 0, 1, dpctl_handler },
    { "ct-get-nconns", "[DP]", 0, 1, dpctl_handler },
    { "ct-set-limits", "[DP] [default=L] [zone=N,limit=L]...", 0, 8,
      dpctl_handler },
    { "ct-get-limits", "[DP] [zone=N[,N]...]", 0, 8, dpctl_handler },
    { "ct-del-limits", "[DP] zone=N[,N]...", 1, 8, dpctl_handler },
    { "ipf-get-status", "[DP] [-m]", 0, 2, dpctl_handler },
    { "ipf-set-enabled", "[DP] v4|v6 enable|disable", 2, 3,
      dpctl_handler },
    { "ipf-set-min-frag", "[DP] v4|v6 SIZE", 2, 3, dpctl_handler },
    { "ipf-set-max-nfrags", "[DP] N", 1, 2, dpctl_handler },
    { NULL, NULL, 0, 0, NULL },
};

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: Plexus datapath management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "Each command runs in the running plx-vswitchd, through its "
           "control socket.\n\n", program_name, program_name);
    plx_cmdl_print_commands(commands);
    printf("\nOptions:\n"
           "  -t, --target=TARGET  daemon name or control socket path\n"
           "                       (default: plx-vswitchd, found through "
           "its pid file\n"
           "                       in the run directory, $PLX_RUNDIR)\n"
           "      --unixctl=SOCKET control socket path\n"
           "  -s, --statistics     show: print statistics for each port;\n"
           "                       dump-conntrack: counters and timeouts\n"
           "  -m, --more           dump-flows, dump-conntrack, ct-stats-show,\n"
           "                       ipf-get-status: print more detail\n"
           "  -T, --timeout=SECS   give up after SECS seconds\n"
           "  -h, --help           print this help\n"
           "  -V, --version        print the version\n"
           "Exit status: 0 on success, 1 for a usage error, 2 if the "
           "daemon could not\n"
           "be reached or reported an error.\n");
    exit(EXIT_SUCCESS);
}

static void PLX_NO_RETURN
usage_error(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static void PLX_NO_RETURN
usage_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, " (use --help for help)\n");
    exit(EXIT_FAILURE);
}

static void
alarm_handler(int sig PLX_UNUSED)
{
    static const char msg[] = ": timed out\n";

    /* Only async-signal-safe calls here. */
    if (write(STDERR_FILENO, program_name, strlen(program_name)) >= 0
        && write(STDERR_FILENO, msg, sizeof msg - 1) >= 0) {
        /* Nothing more to say. */
    }
    _exit(2);
}

static const struct dpctl_command *
dpctl_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(dpctl_commands); i++) {
        if (!strcmp(dpctl_commands[i].name, name)) {
            return &dpctl_commands[i];
        }
    }
    PLX_NOT_REACHED();          /* plx_cmdl_run_command() checked. */
}

/* Does ARG name flag FLAG ('s' or 'm')? */
static bool
dpctl_is_flag(const char *arg, char flag)
{
    return ((flag == 's' && (!strcmp(arg, "-s")
                             || !strcmp(arg, "--statistics")))
            || (flag == 'm' && (!strcmp(arg, "-m")
                                || !strcmp(arg, "--more"))));
}

/* Options the daemon takes that plx-dpctl passes on as they are. */
static bool
dpctl_is_passed_option(const struct dpctl_command *cmd, const char *arg)
{
    return ((!strcmp(cmd->name, "dump-flows")
             && (!strcmp(arg, "--names") || !strcmp(arg, "--no-names")))
            || (!strcmp(cmd->name, "dump-conntrack")
                && (!strcmp(arg, "-s") || !strcmp(arg, "--statistics"))));
}

static void PLX_NO_RETURN
dpctl_fail(char *msg)
{
    fprintf(stderr, "%s: %s\n", program_name, msg);
    free(msg);
    exit(2);
}

static void
dpctl_handler(struct plx_cmdl_context *ctx)
{
    const struct dpctl_options *opts = ctx->pvt;
    const struct dpctl_command *cmd = dpctl_find(ctx->argv[0]);
    const char **args = xcalloc(ctx->argc + 1, sizeof *args);
    char *socket_name, *result, *error, *msg;
    bool flag_given = false;
    int n_args = 0;

    /* The flag goes first, as ovs-appctl dpctl/... expects it; given
     * both before the command and after it, it is passed once. */
    for (int i = 1; i < ctx->argc; i++) {
        flag_given |= cmd->flag && dpctl_is_flag(ctx->argv[i], cmd->flag);
    }
    if (!flag_given && ((cmd->flag == 's' && opts->statistics)
                        || (cmd->flag == 'm' && opts->more))) {
        args[n_args++] = cmd->flag == 's' ? "-s" : "-m";
    }
    if (opts->statistics && !strcmp(cmd->name, "dump-conntrack")) {
        args[n_args++] = "-s";  /* Its second flag. */
    }
    for (int i = 1; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];

        if (cmd->flag && dpctl_is_flag(arg, cmd->flag)) {
            args[n_args++] = cmd->flag == 's' ? "-s" : "-m";
        } else if (arg[0] == '-' && strcmp(cmd->name, "pmd-stats-show")
                   && !dpctl_is_passed_option(cmd, arg)) {
            usage_error("%s: unknown option \"%s\"", cmd->name, arg);
        } else {
            args[n_args++] = arg;
        }
    }

    if (opts->unixctl) {
        socket_name = xstrdup(opts->unixctl);
    } else {
        msg = unixctl_client_target_to_socket(opts->target, &socket_name);
        if (msg) {
            dpctl_fail(msg);
        }
    }

    msg = unixctl_client_run(socket_name, -1, cmd->unixctl_name, n_args,
                             args, &result, &error);
    if (msg) {
        dpctl_fail(msg);
    }
    free(args);

    if (error) {
        size_t len = strlen(error);

        fprintf(stderr, "%s: %s: %s%s", program_name, cmd->name, error,
                len && error[len - 1] == '\n' ? "" : "\n");
        free(error);
        free(socket_name);
        exit(2);
    }
    fputs(result, stdout);
    free(result);
    free(socket_name);
}

int
main(int argc, char *argv[])
{
    enum { OPT_UNIXCTL = UCHAR_MAX + 1 };
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"statistics", no_argument, NULL, 's'},
        {"more", no_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct dpctl_options opts = { .target = "plx-vswitchd" };
    struct plx_cmdl_context ctx;
    unsigned int timeout = 0;
    char *short_options;

    set_program_name(argv[0]);
    short_options = plx_cmdl_long_options_to_short_options(long_options);
    /* '+': options end at the command, whose own flags it parses. */
    char *optstring = xasprintf("+%s", short_options);
    free(short_options);
    for (;;) {
        int c = getopt_long(argc, argv, optstring, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            opts.target = optarg;
            opts.unixctl = NULL;
            break;
        case OPT_UNIXCTL:
            opts.unixctl = optarg;
            break;
        case 's':
            opts.statistics = true;
            break;
        case 'm':
            opts.more = true;
            break;
        case 'T':
            if (!str_to_uint(optarg, 10, &timeout)) {
                usage_error("--timeout takes a number of seconds, not "
                            "\"%s\"", optarg);
            }
            break;
        case 'h':
            usage();
        case 'V':
            plx_print_version();
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "Try `%s --help' for more information.\n",
                    program_name);
            exit(EXIT_FAILURE);
        }
    }
    free(optstring);
    if (optind >= argc) {
        usage_error("missing command name");
    }

    if (timeout) {
        signal(SIGALRM, alarm_handler);
        alarm(timeout);
    }
    signal(SIGPIPE, SIG_IGN);

    ctx.argc = argc - optind;
    ctx.argv = argv + optind;
    ctx.pvt = &opts;
    plx_cmdl_run_command(&ctx, commands);
    return 0;
}
