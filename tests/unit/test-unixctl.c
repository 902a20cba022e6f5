/* Tests for lib/unixctl and lib/vlog-unixctl, with a server running in a
 * thread of the test process: built-in commands, vlog/set reflected in
 * vlog/list, argument checking, unknown commands, deferred replies,
 * default socket names; and the plx-appctl binary run as a real process
 * against such a server (needs PLX_BUILDDIR, set by make check). */
#include <config.h>
#include "unixctl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "test.h"
#include "vlog.h"

/* ---- The server thread. ---- */

struct test_server {
    struct unixctl_server *server;
    pthread_t thread;
    atomic_bool exit;
    struct unixctl_conn *deferred;      /* Reply on next iteration. */
};

static void
cmd_echo(struct unixctl_conn *conn, int argc, const char *argv[],
          void *aux PLX_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, argv[0]);
    for (int i = 1; i < argc; i++) {
        ds_put_format(&ds, " <%s>", argv[i]);
    }
    ds_put_char(&ds, '\n');
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
cmd_fail(struct unixctl_conn *conn, int argc PLX_UNUSED,
          const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    unixctl_command_reply_error(conn, "it failed as asked");
}

static void
cmd_defer(struct unixctl_conn *conn, int argc PLX_UNUSED,
           const char *argv[] PLX_UNUSED, void *ts_)
{
    struct test_server *ts = ts_;
    ts->deferred = conn;
}

static void *
server_main(void *ts_)
{
    struct test_server *ts = ts_;

    while (!atomic_load(&ts->exit)) {
        unixctl_server_run(ts->server);
        if (ts->deferred) {
            unixctl_command_reply(ts->deferred, "deferred reply\n");
            ts->deferred = NULL;
            poll_immediate_wake();
        }
        unixctl_server_wait(ts->server);
        poll_timer_wait(50);
        poll_block();
    }
    unixctl_server_destroy(ts->server);
    return NULL;
}

static struct test_server *
start_server(const char *path)
{
    struct test_server *ts = xzalloc(sizeof *ts);

    unixctl_command_register("test/echo", "ARG [ARG [ARG]]", 1, 3,
                             cmd_echo, NULL);
    unixctl_command_register("test/fail", "", 0, 0, cmd_fail, NULL);
    unixctl_command_register("test/defer", "", 0, 0, cmd_defer, ts);
    CHECK_EQ(unixctl_server_create(path, &ts->server), 0);
    CHECK(ts->server);
    atomic_init(&ts->exit, false);
    pthread_create(&ts->thread, NULL, server_main, ts);
    return ts;
}

static void
stop_server(struct test_server *ts)
{
    atomic_store(&ts->exit, true);
    pthread_join(ts->thread, NULL);
    free(ts);
}

static char *
ctl_path(void)
{
    return xasprintf("%s/test.ctl", test_tmpdir());
}

/* Runs COMMAND with ARGS (NULL-terminated) on a new client connection to
 * PATH; expects success if RESULT is nonnull (returning it), else an
 * error reply (returning its text). */
static char *
run(const char *path, bool expect_success, const char *command, ...)
{
    const char *argv[16];
    int argc = 0;
    struct jsonrpc *client;
    char *result, *error;
    va_list args;

    va_start(args, command);
    for (const char *arg; (arg = va_arg(args, const char *)); ) {
        argv[argc++] = arg;
    }
    va_end(args);

    CHECK_EQ(unixctl_client_create(path, 5000, &client), 0);
    CHECK_EQ(unixctl_client_transact(client, command, argc, argv,
                                     &result, &error), 0);
    jsonrpc_close(client);
    if (expect_success) {
        CHECK_MSG(result && !error, "%s: unexpected error: %s", command,
                  error);
        return result;
    } else {
        CHECK_MSG(error && !result, "%s: unexpected success: %s", command,
                  result);
        return error;
    }
}

static void
check_contains(char *s, const char *needle)
{
    CHECK_MSG(strstr(s, needle), "\"%s\" lacks \"%s\"", s, needle);
    free(s);
}

TEST(list_commands_and_version)
{
    char *path = ctl_path();
    struct test_server *ts = start_server(path);
    char *s;

    s = run(path, true, "list-commands", NULL);
    CHECK(!strncmp(s, "The available commands are:\n", 28));
    char *lc = strstr(s, "\n  list-commands ");
    char *te = strstr(s, "\n  test/echo               ARG [ARG [ARG]]\n");
    char *ve = strstr(s, "\n  version ");
    char *vs = strstr(s, "\n  vlog/set                SPEC...\n");
    CHECK(lc && te && ve && vs && strstr(s, "\n  vlog/list")
          && strstr(s, "\n  vlog/reopen"));
    CHECK(lc < te && te < ve && ve < vs);       /* Sorted. */
    free(s);

    s = run(path, true, "version", NULL);
    char *expected = xasprintf("%s (Plexus) %s\n", program_name,
                               PACKAGE_VERSION);
    CHECK_STREQ(s, expected);
    free(expected);
    free(s);

    stop_server(ts);
    free(path);
}

/* The vlog/list line for MODULE, in a new string. */
static char *
vlog_line(const char *list, const char *module)
{
    char *key = xasprintf("\n%s ", module);
    const char *p = strstr(list, key);
    free(key);
    CHECK(p);
    p++;
    return xmemdup0(p, strcspn(p, "\n"));
}

/* Splits the vlog/list line LINE into its module and three levels. */
static void
vlog_levels(const char *line, char levels[4][32])
{
    CHECK_EQ(sscanf(line, "%31s %31s %31s %31s", levels[0], levels[1],
                    levels[2], levels[3]), 4);
}

TEST(vlog_set_and_list)
{
    char *path = ctl_path();
    struct test_server *ts = start_server(path);
    char before[4][32], after[4][32];
    char *list, *line;

    list = run(path, true, "vlog/list", NULL);
    CHECK(strstr(list, "console    syslog    file"));
    line = vlog_line(list, "unixctl");
    vlog_levels(line, before);
    CHECK_MSG(strcasecmp(before[3], "dbg"), "%s", line);
    free(line);
    free(list);

    /* Two specs at once; the file destination, so nothing is printed. */
    free(run(path, true, "vlog/set", "unixctl:file:dbg", "jsonrpc:file:err",
             NULL));
    list = run(path, true, "vlog/list", NULL);
    line = vlog_line(list, "unixctl");
    vlog_levels(line, after);
    CHECK_STREQ(after[0], "unixctl");
    CHECK_STREQ(after[1], before[1]);       /* Console unchanged. */
    CHECK_STREQ(after[2], before[2]);       /* Syslog unchanged. */
    CHECK_MSG(!strcasecmp(after[3], "dbg"), "%s", line);
    free(line);
    line = vlog_line(list, "jsonrpc");
    vlog_levels(line, after);
    CHECK_MSG(!strcasecmp(after[3], "err"), "%s", line);
    free(line);
    free(list);

    check_contains(run(path, false, "vlog/set", "nosuchmodule:dbg", NULL),
                   "nosuchmodule");
    check_contains(run(path, false, "vlog/set", NULL),
                   "\"vlog/set\" command requires at least 1 arguments");

    /* No log file is configured: reopening succeeds trivially. */
    free(run(path, true, "vlog/reopen", NULL));

    stop_server(ts);
    free(path);
}

TEST(errors)
{
    char *path = ctl_path();
    struct test_server *ts = start_server(path);

    check_contains(run(path, false, "no/such/command", NULL),
                   "\"no/such/command\" is not a valid command (use "
                   "\"list-commands\"");
    check_contains(run(path, false, "test/echo", NULL),
                   "\"test/echo\" command requires at least 1 arguments");
    check_contains(run(path, false, "test/echo", "1", "2", "3", "4", NULL),
                   "\"test/echo\" command takes at most 3 arguments");
    check_contains(run(path, false, "version", "extra", NULL),
                   "\"version\" command takes at most 0 arguments");
    check_contains(run(path, false, "test/fail", NULL),
                   "it failed as asked");

    /* Non-string arguments, sent raw. */
    struct jsonrpc *client;
    struct jsonrpc_msg *reply;
    CHECK_EQ(unixctl_client_create(path, 5000, &client), 0);
    CHECK_EQ(jsonrpc_transact_block(
                 client, jsonrpc_create_request(
                     "test/echo", json_pack("[s,i]", "a", 5), NULL),
                 &reply), 0);
    CHECK_EQ(reply->type, JSONRPC_ERROR);
    CHECK(strstr(json_string_value(reply->error),
                 "non-string argument 2 (integer)"));
    jsonrpc_msg_destroy(reply);

    /* A notification is a protocol error: the server hangs up. */
    CHECK_EQ(jsonrpc_send(client, jsonrpc_create_notify("version", NULL)),
             0);
    struct jsonrpc_msg *msg;
    CHECK_EQ(jsonrpc_recv_block(client, &msg), EOF);
    jsonrpc_close(client);

    /* The server still works. */
    check_contains(run(path, true, "test/echo", "still", NULL),
                   "test/echo <still>");

    stop_server(ts);
    free(path);
}

TEST(sequential_concurrent_and_deferred)
{
    char *path = ctl_path();
    struct test_server *ts = start_server(path);
    struct jsonrpc *c1, *c2;
    char *result, *error;

    CHECK_EQ(unixctl_client_create(path, 5000, &c1), 0);
    CHECK_EQ(unixctl_client_create(path, 5000, &c2), 0);
    for (int i = 0; i < 20; i++) {
        char arg[16];
        snprintf(arg, sizeof arg, "%d", i);
        const char *argv[] = { arg, "\xff" };
        struct jsonrpc *c = i % 2 ? c1 : c2;

        CHECK_EQ(unixctl_client_transact(c, "test/echo", 2, argv, &result,
                                         &error), 0);
        char *expected = xasprintf("test/echo <%d> <\xef\xbf\xbd>\n", i);
        CHECK_STREQ(result, expected);
        free(expected);
        free(result);
    }

    CHECK_EQ(unixctl_client_transact(c1, "test/defer", 0, NULL, &result,
                                     &error), 0);
    CHECK_STREQ(result, "deferred reply\n");
    free(result);

    /* A client that goes away while its reply is deferred does not
     * upset the server. */
    CHECK_EQ(jsonrpc_send_block(c2, jsonrpc_create_request("test/defer",
                                                           NULL, NULL)), 0);
    jsonrpc_close(c2);
    check_contains(run(path, true, "version", NULL), "(Plexus)");

    jsonrpc_close(c1);
    stop_server(ts);
    free(path);
}

TEST(socket_names)
{
    struct unixctl_server *server;
    char *expected;

    setenv("PLX_RUNDIR", test_tmpdir(), 1);

    CHECK_EQ(unixctl_server_create("none", &server), 0);
    CHECK(!server);

    CHECK_EQ(unixctl_server_create(NULL, &server), 0);
    expected = xasprintf("%s/%s.%ld.ctl", test_tmpdir(), program_name,
                         (long int) getpid());
    CHECK_STREQ(unixctl_server_get_path(server), expected);
    struct stat st;
    CHECK_EQ(stat(expected, &st), 0);
    CHECK(S_ISSOCK(st.st_mode));
    unixctl_server_destroy(server);
    free(expected);

    CHECK_EQ(unixctl_server_create("rel.ctl", &server), 0);
    expected = xasprintf("%s/rel.ctl", test_tmpdir());
    CHECK_STREQ(unixctl_server_get_path(server), expected);
    free(expected);

    /* A relative client name resolves the same way. */
    struct jsonrpc *client;
    CHECK_EQ(unixctl_client_create("rel.ctl", 5000, &client), 0);
    jsonrpc_close(client);
    unixctl_server_destroy(server);

    /* Nothing listening: an error, not a hang or crash. */
    CHECK_EQ(unixctl_client_create("/nonexistent/dir/x.ctl", 1000, &client),
             ENOENT);
    CHECK(!client);
}

/* ---- plx-appctl as a real process. ---- */

static const char *
appctl_binary(void)
{
    static char *binary;
    const char *builddir = getenv("PLX_BUILDDIR");

    if (!builddir) {
        test_skip("PLX_BUILDDIR not set (run through make check)");
    }
    free(binary);
    binary = xasprintf("%s/utilities/plx-appctl", builddir);
    if (access(binary, X_OK)) {
        test_skip("%s not built", binary);
    }
    return binary;
}

/* Runs plx-appctl with ARGS (NULL-terminated); returns its exit status
 * and its stdout and stderr in OUT and ERR. */
static int
appctl(struct ds *out, struct ds *err, ...)
{
    const char *argv[16];
    int argc = 0;
    int out_pipe[2], err_pipe[2];
    va_list args;
    pid_t pid;
    int status;

    argv[argc++] = appctl_binary();
    va_start(args, err);
    for (const char *arg; (arg = va_arg(args, const char *)); ) {
        argv[argc++] = arg;
    }
    va_end(args);
    argv[argc] = NULL;

    CHECK_EQ(pipe(out_pipe), 0);
    CHECK_EQ(pipe(err_pipe), 0);
    pid = fork();
    CHECK_GE(pid, 0);
    if (!pid) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);

    /* Outputs are small: read stdout to EOF, then stderr. */
    ds_clear(out);
    ds_clear(err);
    int fds[2] = { out_pipe[0], err_pipe[0] };
    struct ds *dss[2] = { out, err };
    for (int i = 0; i < 2; i++) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fds[i], buf, sizeof buf)) > 0) {
            ds_put_buffer(dss[i], buf, n);
        }
        close(fds[i]);
    }
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    return WEXITSTATUS(status);
}

TEST(appctl_by_path)
{
    appctl_binary();                /* Skip early if unavailable. */

    char *path = ctl_path();
    struct test_server *ts = start_server(path);
    struct ds out = DS_EMPTY_INITIALIZER, err = DS_EMPTY_INITIALIZER;

    CHECK_EQ(appctl(&out, &err, "-t", path, "version", NULL), 0);
    char *expected = xasprintf("%s (Plexus) %s\n", program_name,
                               PACKAGE_VERSION);
    CHECK_STREQ(ds_cstr(&out), expected);
    free(expected);
    CHECK_EQ(err.length, 0);

    /* Arguments that look like options pass through to the command. */
    CHECK_EQ(appctl(&out, &err, "--target", path, "test/echo", "-x",
                    "a b", NULL), 0);
    CHECK_STREQ(ds_cstr(&out), "test/echo <-x> <a b>\n");

    CHECK_EQ(appctl(&out, &err, "-t", path, "test/fail", NULL), 2);
    CHECK_EQ(out.length, 0);
    CHECK(strstr(ds_cstr(&err), "it failed as asked\n"));
    CHECK(strstr(ds_cstr(&err), "server returned an error"));

    CHECK_EQ(appctl(&out, &err, "-t", path, "bogus", NULL), 2);
    CHECK(strstr(ds_cstr(&err), "\"bogus\" is not a valid command"));

    /* Transport failures exit 1. */
    CHECK_EQ(appctl(&out, &err, "-t", "/nonexistent/x.ctl", "version",
                    NULL), 1);
    CHECK(strstr(ds_cstr(&err), "cannot connect"));
    CHECK_EQ(appctl(&out, &err, "-t", path, NULL), 1);
    CHECK(strstr(ds_cstr(&err), "non-option argument"));
    CHECK_EQ(appctl(&out, &err, "--timeout", "x", "version", NULL), 1);

    ds_destroy(&out);
    ds_destroy(&err);
    stop_server(ts);
    free(path);
}

TEST(appctl_by_name_and_timeout)
{
    appctl_binary();

    const char *rundir = test_tmpdir();
    setenv("PLX_RUNDIR", rundir, 1);

    /* A pid file, locked as a live daemon's is. */
    char *pidfile = xasprintf("%s/fakedaemon.pid", rundir);
    int fd = open(pidfile, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_GE(fd, 0);
    struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    CHECK_EQ(fcntl(fd, F_SETLK, &lck), 0);
    char pidbuf[32];
    int len = snprintf(pidbuf, sizeof pidbuf, "%ld\n", (long int) getpid());
    CHECK_EQ(write(fd, pidbuf, len), len);

    char *sock = xasprintf("%s/fakedaemon.%ld.ctl", rundir,
                           (long int) getpid());
    struct test_server *ts = start_server(sock);
    struct ds out = DS_EMPTY_INITIALIZER, err = DS_EMPTY_INITIALIZER;

    CHECK_EQ(appctl(&out, &err, "-t", "fakedaemon", "test/echo", "hi",
                    NULL), 0);
    CHECK_STREQ(ds_cstr(&out), "test/echo <hi>\n");

    CHECK_EQ(appctl(&out, &err, "-t", "otherdaemon", "version", NULL), 1);
    CHECK(strstr(ds_cstr(&err), "otherdaemon.pid"));

    stop_server(ts);

    /* A listener that accepts but never answers: --timeout expires. */
    char *name = xasprintf("punix:%s", sock);
    struct pstream *mute;
    CHECK_EQ(pstream_open(name, &mute), 0);
    long long start = time(NULL);
    CHECK_EQ(appctl(&out, &err, "-T", "1", "-t", "fakedaemon", "version",
                    NULL), 1);
    CHECK(strstr(ds_cstr(&err), "timed out"));
    CHECK_LT(time(NULL) - start, 10);
    pstream_close(mute);

    free(name);
    ds_destroy(&out);
    ds_destroy(&err);
    free(sock);
    close(fd);
    free(pidfile);
}
