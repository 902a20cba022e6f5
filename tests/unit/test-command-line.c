/* Tests for lib/command-line: short options derived from long ones, and
 * the subcommand dispatcher's argument checks and messages. */
#include <config.h>
#include "command-line.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon.h"
#include "dynamic-string.h"
#include "test.h"
#include "vlog.h"

TEST(long_options_to_short_options)
{
    enum {
        OPT_LONG_ONLY = UCHAR_MAX + 1,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static int flag;
    static const struct option options[] = {
        {"verbose", optional_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"target", required_argument, NULL, 't'},
        {"long-only", required_argument, NULL, OPT_LONG_ONLY},
        {"flag", no_argument, &flag, 'f'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        {"log-file", optional_argument, NULL, OPT_LOG_FILE},
        {NULL, 0, NULL, 0},
    };

    char *s = plx_cmdl_long_options_to_short_options(options);
    CHECK_STREQ(s, "v::ht:V");
    free(s);

    static const struct option none[] = { {NULL, 0, NULL, 0} };
    s = plx_cmdl_long_options_to_short_options(none);
    CHECK_STREQ(s, "");
    free(s);
}

static int handled_argc;
static const char *handled_arg1;

static void
handler(struct plx_cmdl_context *ctx)
{
    handled_argc = ctx->argc;
    handled_arg1 = ctx->argc > 1 ? ctx->argv[1] : NULL;
    *(int *) ctx->pvt += 1;
}

static const struct plx_cmdl_command commands[] = {
    {"show", "[BRIDGE]", 0, 1, handler},
    {"add-flow", "BRIDGE FLOW", 2, 2, handler},
    {"del-port", "PORT", 1, 1, handler},
    {"echo", "ARG...", 0, INT_MAX, handler},
    {"ping", NULL, 0, 0, handler},
    {NULL, NULL, 0, 0, NULL},
};

static char *
find_error(int argc, char *argv[])
{
    struct plx_cmdl_context ctx = { argc, argv, NULL };
    const struct plx_cmdl_command *c;
    char *error = plx_cmdl_find_command(&ctx, commands, &c);
    CHECK(error ? !c : c != NULL);
    return error;
}

static void
check_find_error(int argc, char *argv[], const char *expected)
{
    char *error = find_error(argc, argv);
    CHECK_STREQ(error, expected);
    free(error);
}

TEST(dispatcher_errors)
{
    char *add_flow[] = { "add-flow", "br0", "x", "y" };
    check_find_error(2, add_flow,
                     "'add-flow' command requires at least 2 arguments");
    check_find_error(1, add_flow,
                     "'add-flow' command requires at least 2 arguments");
    check_find_error(4, add_flow,
                     "'add-flow' command takes at most 2 arguments");

    char *del_port[] = { "del-port", "a", "b" };
    check_find_error(1, del_port,
                     "'del-port' command requires at least 1 argument");
    check_find_error(3, del_port,
                     "'del-port' command takes at most 1 argument");

    char *ping[] = { "ping", "x" };
    check_find_error(2, ping, "'ping' command takes no arguments");

    char *bogus[] = { "bogus" };
    check_find_error(1, bogus, "unknown command 'bogus'; use --help for help");
    check_find_error(0, bogus, "missing command name; use --help for help");

    /* Prefixes and case variants are not commands. */
    char *prefix[] = { "add" };
    check_find_error(1, prefix, "unknown command 'add'; use --help for help");
    char *upper[] = { "SHOW" };
    check_find_error(1, upper, "unknown command 'SHOW'; use --help for help");
}

TEST(dispatcher_runs_handler)
{
    int calls = 0;
    char *add_flow[] = { "add-flow", "br0", "in_port=1,actions=drop" };
    struct plx_cmdl_context ctx = { 3, add_flow, &calls };

    plx_cmdl_run_command(&ctx, commands);
    CHECK_EQ(calls, 1);
    CHECK_EQ(handled_argc, 3);
    CHECK_STREQ(handled_arg1, "br0");

    char *echo[] = { "echo", "1", "2", "3", "4", "5", "6", "7", "8" };
    ctx = (struct plx_cmdl_context) { 9, echo, &calls };
    plx_cmdl_run_command(&ctx, commands);
    CHECK_EQ(calls, 2);
    CHECK_EQ(handled_argc, 9);

    char *show[] = { "show" };
    ctx = (struct plx_cmdl_context) { 1, show, &calls };
    plx_cmdl_run_command(&ctx, commands);
    CHECK_EQ(calls, 3);
    CHECK(handled_arg1 == NULL);
}

static char *
read_fd(int fd)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[256];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    return ds_steal_cstr(&s);
}

/* Runs FUNC in a child with stdout and stderr on a pipe; returns the wait
 * status and the output in *OUTPUT. */
static int
run_capturing(void (*func)(void), char **output)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        func();
        fflush(NULL);
        exit(0);
    }
    close(fds[1]);
    *output = read_fd(fds[0]);
    close(fds[0]);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    return status;
}

static void
run_bad_command(void)
{
    int calls = 0;
    char *argv[] = { "add-flow", "br0" };
    struct plx_cmdl_context ctx = { 2, argv, &calls };
    plx_cmdl_run_command(&ctx, commands);
    printf("handler ran %d times\n", calls);
}

TEST(dispatcher_error_exits)
{
    char *output;
    int status = run_capturing(run_bad_command, &output);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 1);
    CHECK_STREQ(output, "test-command-line: 'add-flow' command requires at "
                "least 2 arguments\n");
    free(output);
}

static void
print_help(void)
{
    plx_cmdl_print_commands(commands);
}

static void
print_version(void)
{
    plx_print_version();
}

TEST(help_and_version)
{
    char *output;
    int status = run_capturing(print_version, &output);
    CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
    CHECK_STREQ(output, "test-command-line (Plexus) " PACKAGE_VERSION "\n");
    free(output);

    status = run_capturing(print_help, &output);
    CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
    CHECK_STREQ(output, "The available commands are:\n"
                "  show [BRIDGE]\n"
                "  add-flow BRIDGE FLOW\n"
                "  del-port PORT\n"
                "  echo ARG...\n"
                "  ping\n");
    free(output);
}
