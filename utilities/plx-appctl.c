/* plx-appctl: runs a command on a running Plexus daemon's control socket,
 * as ovs-appctl does for Open vSwitch.
 *
 *     plx-appctl [-t TARGET] [-T SECS] COMMAND [ARG...]
 *
 * TARGET is a daemon name (default plx-vswitchd), whose control socket is
 * RUNDIR/TARGET.PID.ctl with PID read from RUNDIR/TARGET.pid, or the
 * control socket's absolute file name.  The command's output goes to
 * stdout (exit status 0); an error reply goes to stderr (exit status 2);
 * failing to reach the daemon exits with status 1. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>
#include "unixctl-client.h"
#include "util.h"

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: runs a command on a running Plexus daemon\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "Common commands:\n"
           "  list-commands      list the daemon's commands\n"
           "  version            print the daemon's version\n"
           "  vlog/list          list logging levels\n"
           "  vlog/set SPEC      set logging levels, SPEC as for "
           "--verbose\n"
           "  vlog/reopen        reopen the log file\n"
           "Options:\n"
           "  -t, --target=TARGET  daemon name or control socket path\n"
           "                       (default: plx-vswitchd)\n"
           "  -T, --timeout=SECS   give up after SECS seconds\n"
           "  -h, --help           print this help\n"
           "  -V, --version        print the version\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
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
    _exit(EXIT_FAILURE);
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *target = "plx-vswitchd";
    unsigned int timeout = 0;
    char *socket_name, *result, *error, *msg;

    set_program_name(argv[0]);
    for (;;) {
        int c = getopt_long(argc, argv, "+t:T:hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            target = optarg;
            break;
        case 'T':
            if (!str_to_uint(optarg, 10, &timeout)) {
                plx_fatal(0, "--timeout takes a number of seconds, not "
                          "\"%s\"", optarg);
            }
            break;
        case 'h':
            usage();
        case 'V':
            printf("%s (Plexus) %s\n", program_name, PACKAGE_VERSION);
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "Try `%s --help' for more information.\n",
                    program_name);
            exit(EXIT_FAILURE);
        }
    }
    if (optind >= argc) {
        plx_fatal(0, "at least one non-option argument is required "
                  "(use --help for help)");
    }

    if (timeout) {
        signal(SIGALRM, alarm_handler);
        alarm(timeout);
    }
    signal(SIGPIPE, SIG_IGN);

    msg = unixctl_client_target_to_socket(target, &socket_name);
    if (!msg) {
        msg = unixctl_client_run(socket_name, -1, argv[optind],
                                 argc - optind - 1,
                                 (const char *const *) argv + optind + 1,
                                 &result, &error);
        free(socket_name);
    }
    if (msg) {
        plx_fatal(0, "%s", msg);
    }

    if (error) {
        fputs(error, stderr);
        if (error[0] && error[strlen(error) - 1] != '\n') {
            putc('\n', stderr);
        }
        fprintf(stderr, "%s: %s: server returned an error\n",
                program_name, target);
        free(error);
        exit(2);
    }
    fputs(result, stdout);
    free(result);
    return 0;
}
