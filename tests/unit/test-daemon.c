/* Tests for lib/daemon, lib/fatal-signal and lib/dirs: pid files and their
 * locks, detaching for real, cleanup hooks on signals and at exit, and
 * directory overrides. */
#include <config.h>
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dirs.h"
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "poll-loop.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

static char *
tmp_name(const char *base)
{
    return xasprintf("%s/%s", test_tmpdir(), base);
}

static bool
file_exists(const char *name)
{
    return !access(name, F_OK);
}

static void
write_file(const char *name, const char *contents)
{
    FILE *f = fopen(name, "w");
    CHECK(f != NULL);
    fputs(contents, f);
    CHECK_EQ(fclose(f), 0);
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

static int
wait_status(pid_t pid)
{
    int status;
    pid_t retval;

    do {
        retval = waitpid(pid, &status, 0);
    } while (retval < 0 && errno == EINTR);
    CHECK_EQ(retval, pid);
    return status;
}

/* Waits up to 5 s for PID (our child) to end; returns its status. */
static int
wait_status_timeout(pid_t pid)
{
    for (int i = 0; i < 500; i++) {
        int status;
        pid_t retval = waitpid(pid, &status, WNOHANG);
        if (retval == pid) {
            return status;
        }
        CHECK(retval == 0 || (retval < 0 && errno == EINTR));
        plx_msleep(10);
    }
    kill(pid, SIGKILL);
    test_fail(TEST_WHERE, "process %ld did not exit", (long) pid);
}

/* Forks a child that writes CONTENTS to NAME, locks it, reports ready
 * through a pipe and then waits to be killed.  Returns its pid. */
static pid_t
spawn_lock_holder(const char *name, const char *contents)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
        struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        if (fd < 0 || fcntl(fd, F_SETLK, &lck)
            || write(fd, contents, strlen(contents)) != strlen(contents)
            || write(fds[1], "", 1) != 1) {
            _exit(99);
        }
        for (int i = 0; i < 1000; i++) {
            plx_msleep(10);     /* At most 10 s, if the test dies. */
        }
        _exit(0);
    }
    close(fds[1]);
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    close(fds[0]);
    return pid;
}

TEST(read_pidfile_cases)
{
    char *name = tmp_name("x.pid");

    CHECK_EQ(read_pidfile(name), -ENOENT);

    /* Not locked: stale, whatever it says. */
    write_file(name, "1\n");
    CHECK_EQ(read_pidfile(name), -ESRCH);

    /* Locked by a live process. */
    pid_t pid = spawn_lock_holder(name, "4242\n");
    CHECK_EQ(read_pidfile(name), 4242);
    kill(pid, SIGKILL);
    wait_status(pid);
    CHECK_EQ(read_pidfile(name), -ESRCH);   /* Its lock died with it. */

    /* Locked, but garbage inside. */
    static const char *const bad[] = {
        "", "\n", "abc\n", "12abc\n", "-5\n", "0\n", "99999999999999999\n",
        "12\n\n", " 12\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        pid = spawn_lock_holder(name, bad[i]);
        CHECK_MSG(read_pidfile(name) == -EINVAL, "contents \"%s\"", bad[i]);
        kill(pid, SIGKILL);
        wait_status(pid);
    }

    /* No newline is fine. */
    pid = spawn_lock_holder(name, "77");
    CHECK_EQ(read_pidfile(name), 77);
    kill(pid, SIGKILL);
    wait_status(pid);
    free(name);
}

TEST(pidfile_names)
{
    setenv("PLX_RUNDIR", test_tmpdir(), 1);
    CHECK(daemon_get_pidfile() == NULL);

    daemon_set_pidfile(NULL);
    char *expected = tmp_name("test-daemon.pid");
    CHECK_STREQ(daemon_get_pidfile(), expected);
    free(expected);

    daemon_set_pidfile("other.pid");
    expected = tmp_name("other.pid");
    CHECK_STREQ(daemon_get_pidfile(), expected);
    free(expected);

    daemon_set_pidfile("/abs/x.pid");
    CHECK_STREQ(daemon_get_pidfile(), "/abs/x.pid");
}

static void
child_with_pidfile(const char *name)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    daemon_set_pidfile(name);
    daemonize();
    if (read_pidfile(name) != getpid()) {
        _exit(98);
    }
    exit(0);
}

TEST(pidfile_without_detach)
{
    char *name = tmp_name("fg.pid");

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        child_with_pidfile(name);
    }
    int status = wait_status(pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    CHECK(!file_exists(name));          /* Removed at exit. */

    /* No temporary file left behind either. */
    char *tmp = xasprintf("%s.tmp%ld", name, (long) pid);
    CHECK(!file_exists(tmp));
    free(tmp);
    free(name);
}

/* The daemon side of the detach tests: daemonizes with NAME as pid file,
 * then runs a poll loop for at most 10 s. */
static void PLX_NO_RETURN
run_daemon(const char *name, bool overwrite, bool die_early)
{
    daemon_set_pidfile(name);
    daemon_set_detach(true);
    daemon_set_overwrite_pidfile(overwrite);
    daemonize_start();
    if (die_early) {
        exit(7);
    }
    daemonize_complete();

    long long int deadline = time_msec() + 10000;
    while (time_msec() < deadline) {
        poll_timer_wait_until(deadline);
        poll_block();
    }
    exit(3);
}

/* Starts run_daemon() in a child and waits for that child (the parent of
 * the daemon) to exit; returns its status and its stderr in *OUTPUT. */
static int
start_daemon(const char *name, bool overwrite, bool die_early,
             char **output)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        run_daemon(name, overwrite, die_early);
    }
    close(fds[1]);
    *output = read_fd(fds[0]);      /* EOF when both have closed it. */
    close(fds[0]);
    return wait_status(pid);
}

TEST(detach_pidfile_and_sigterm)
{
    char *name = tmp_name("d.pid");
    char *output;

    /* Adopt the daemon when its parent exits, so we can reap it. */
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

    int status = start_daemon(name, false, false, &output);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "status 0x%x, output: %s", status, output);
    free(output);

    /* The pid file names a live process, other than the parent, in its
     * own session, which holds the lock. */
    pid_t pid = read_pidfile(name);
    CHECK_GT(pid, 0);
    CHECK_NE(pid, getpid());
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_EQ(getsid(pid), pid);

    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0);
    struct flock lck = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    CHECK_EQ(fcntl(fd, F_GETLK, &lck), 0);
    CHECK_EQ(lck.l_type, F_WRLCK);
    CHECK_EQ(lck.l_pid, pid);
    close(fd);

    /* Its working directory is "/". */
    char *cwd_link = xasprintf("/proc/%ld/cwd", (long) pid);
    char cwd[64];
    ssize_t n = readlink(cwd_link, cwd, sizeof cwd - 1);
    if (n >= 0) {
        cwd[n] = '\0';
        CHECK_STREQ(cwd, "/");
    }
    free(cwd_link);

    /* A second instance refuses to start. */
    status = start_daemon(name, false, false, &output);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    char *expected = xasprintf("%s: already running as pid %ld, aborting",
                               name, (long) pid);
    CHECK_MSG(strstr(output, expected), "output: %s", output);
    free(expected);
    free(output);
    CHECK_EQ(read_pidfile(name), pid);

    /* SIGTERM: the daemon dies by it and removes its pid file. */
    CHECK_EQ(kill(pid, SIGTERM), 0);
    status = wait_status_timeout(pid);
    CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
              "status 0x%x", status);
    CHECK(!file_exists(name));
    free(name);
}

TEST(detach_overwrite_pidfile)
{
    char *name = tmp_name("o.pid");
    char *output;

    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    CHECK_EQ(start_daemon(name, false, false, &output), 0);
    free(output);
    pid_t first = read_pidfile(name);
    CHECK_GT(first, 0);

    CHECK_EQ(start_daemon(name, true, false, &output), 0);
    free(output);
    pid_t second = read_pidfile(name);
    CHECK_GT(second, 0);
    CHECK_NE(first, second);

    /* The first one's exit must not remove the second one's file. */
    kill(first, SIGTERM);
    wait_status_timeout(first);
    CHECK_EQ(read_pidfile(name), second);

    kill(second, SIGTERM);
    wait_status_timeout(second);
    CHECK(!file_exists(name));
    free(name);
}

TEST(detach_child_dies_before_ready)
{
    char *name = tmp_name("dead.pid");
    char *output;

    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int status = start_daemon(name, false, true, &output);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CHECK_MSG(strstr(output, "fork child died before signaling startup "
                     "(exit status 7)"), "output: %s", output);
    free(output);
    CHECK(!file_exists(name));          /* Removed by the child's exit. */
    free(name);
}

TEST(pidfile_in_missing_directory_is_fatal)
{
    char *name = tmp_name("no/such/dir/x.pid");
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
        daemon_set_pidfile(name);
        daemonize_start();
        _exit(0);
    }
    int status = wait_status(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    free(name);
}

/* fatal-signal. */

static void
touch_hook(void *name_)
{
    const char *name = name_;
    FILE *f = fopen(name, "a");
    if (f) {
        fputs("x", f);
        fclose(f);
    }
}

static char *
read_name(const char *name)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0) {
        return xstrdup("");
    }
    char *s = read_fd(fd);
    close(fd);
    return s;
}

TEST(fatal_signal_hooks_on_sigterm)
{
    char *marker = tmp_name("marker");
    char *not_at_exit = tmp_name("not-at-exit");
    char *victim = tmp_name("victim");
    char *kept = tmp_name("kept");
    int fds[2];
    CHECK_EQ(pipe(fds), 0);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
        fatal_signal_add_hook(touch_hook, marker, true);
        fatal_signal_add_hook(touch_hook, not_at_exit, false);
        write_file(victim, "");
        write_file(kept, "");
        fatal_signal_add_file_to_unlink(victim);
        fatal_signal_add_file_to_unlink(kept);
        fatal_signal_remove_file_to_unlink(kept);
        if (write(fds[1], "", 1) != 1) {
            _exit(99);
        }
        for (int i = 0; i < 1000; i++) {
            poll_timer_wait(10);
            poll_block();
        }
        _exit(3);
    }
    close(fds[1]);
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    close(fds[0]);

    CHECK_EQ(kill(pid, SIGTERM), 0);
    int status = wait_status(pid);
    CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
              "status 0x%x", status);

    /* Each hook ran once, signal or not-at-exit alike. */
    char *s = read_name(marker);
    CHECK_STREQ(s, "x");
    free(s);
    s = read_name(not_at_exit);
    CHECK_STREQ(s, "x");
    free(s);
    CHECK(!file_exists(victim));
    CHECK(file_exists(kept));
    free(marker);
    free(not_at_exit);
    free(victim);
    free(kept);
}

TEST(fatal_signal_hooks_at_exit)
{
    char *marker = tmp_name("marker");
    char *not_at_exit = tmp_name("not-at-exit");
    char *victim = tmp_name("victim");
    char *now = tmp_name("now");

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        fatal_signal_add_hook(touch_hook, marker, true);
        fatal_signal_add_hook(touch_hook, not_at_exit, false);
        write_file(victim, "");
        write_file(now, "");
        fatal_signal_add_file_to_unlink(victim);
        fatal_signal_add_file_to_unlink(now);
        if (fatal_signal_unlink_file_now(now) || file_exists(now)) {
            _exit(98);
        }
        exit(0);
    }
    int status = wait_status(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *s = read_name(marker);
    CHECK_STREQ(s, "x");
    free(s);
    CHECK(!file_exists(not_at_exit));
    CHECK(!file_exists(victim));
    free(marker);
    free(not_at_exit);
    free(victim);
    free(now);
}

TEST(fatal_signal_fork_forgets)
{
    char *marker = tmp_name("marker");
    char *victim = tmp_name("victim");
    char *later = tmp_name("later");

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        fatal_signal_add_hook(touch_hook, marker, true);
        write_file(victim, "");
        fatal_signal_add_file_to_unlink(victim);
        fatal_signal_fork();
        /* Registered after the fork: still honored. */
        write_file(later, "");
        fatal_signal_add_file_to_unlink(later);
        exit(0);
    }
    int status = wait_status(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(!file_exists(marker));
    CHECK(file_exists(victim));
    CHECK(!file_exists(later));
    free(marker);
    free(victim);
    free(later);
}

TEST(ignored_signal_stays_ignored)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        signal(SIGHUP, SIG_IGN);
        fatal_signal_init();
        raise(SIGHUP);
        poll_immediate_wake();
        poll_block();
        exit(0);
    }
    int status = wait_status(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* dirs. */

TEST(dirs_environment_overrides)
{
    static const struct {
        const char *var;
        const char *(*func)(void);
    } dirs[] = {
        { "PLX_RUNDIR", plx_rundir },
        { "PLX_DBDIR", plx_dbdir },
        { "PLX_LOGDIR", plx_logdir },
        { "PLX_PKGDATADIR", plx_pkgdatadir },
        { "PLX_SYSCONFDIR", plx_sysconfdir },
    };

    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        unsetenv(dirs[i].var);
        char *def = xstrdup(dirs[i].func());
        CHECK_MSG(def[0] == '/', "%s default \"%s\"", dirs[i].var, def);

        setenv(dirs[i].var, "/some/where", 1);
        CHECK_STREQ(dirs[i].func(), "/some/where");

        setenv(dirs[i].var, "", 1);         /* Empty counts as unset. */
        CHECK_STREQ(dirs[i].func(), def);
        unsetenv(dirs[i].var);
        free(def);
    }
    CHECK(strstr(plx_rundir(), "plexus") != NULL);
}
