/* daemon: pid files and detaching.  See daemon.h. */
#include <config.h>
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dirs.h"
#include "fatal-signal.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(daemon);

static char *pidfile;               /* Absolute name, or NULL. */
static bool detach;
static bool chdir_ = true;
static bool overwrite_pidfile;

/* The pid file we created and hold locked, or -1. */
static int pidfile_fd = -1;
static dev_t pidfile_dev;
static ino_t pidfile_ino;

/* With --detach, the write end of the pipe to the waiting parent. */
static int daemonize_fd = -1;
static bool completed;

void
daemon_set_pidfile(const char *name)
{
    free(pidfile);
    if (!name) {
        pidfile = xasprintf("%s/%s.pid", plx_rundir(), program_name);
    } else if (name[0] == '/') {
        pidfile = xstrdup(name);
    } else {
        pidfile = xasprintf("%s/%s", plx_rundir(), name);
    }
}

const char *
daemon_get_pidfile(void)
{
    return pidfile;
}

void
daemon_set_detach(bool detach_)
{
    detach = detach_;
}

bool
daemon_get_detach(void)
{
    return detach;
}

void
daemon_set_no_chdir(bool no_chdir)
{
    chdir_ = !no_chdir;
}

void
daemon_set_overwrite_pidfile(bool overwrite)
{
    overwrite_pidfile = overwrite;
}

/* Is NAME the pid file this process created and still holds? */
static bool
is_own_pidfile(const char *name)
{
    struct stat s;

    return (pidfile_fd >= 0 && !stat(name, &s)
            && s.st_dev == pidfile_dev && s.st_ino == pidfile_ino);
}

pid_t
daemon_read_pidfile(const char *name)
{
    /* fcntl() locks do not conflict with the caller's own, and closing
     * any fd of the file would drop ours: answer for our own file
     * without opening it. */
    if (is_own_pidfile(name)) {
        return getpid();
    }

    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }

    struct flock lck = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
    };
    if (fcntl(fd, F_GETLK, &lck)) {
        int error = errno;
        close(fd);
        return -error;
    }
    if (lck.l_type == F_UNLCK) {
        close(fd);
        return -ESRCH;
    }

    char buf[32];
    ssize_t n;
    do {
        n = read(fd, buf, sizeof buf - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    close(fd);
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n') {
        buf[n - 1] = '\0';
    }

    int pid;
    if (buf[0] < '0' || buf[0] > '9'            /* No sign, no space. */
        || !str_to_int(buf, 10, &pid) || pid <= 0) {
        return -EINVAL;
    }
    if (lck.l_pid > 0 && lck.l_pid != pid) {
        /* Possible across pid namespaces; trust the file. */
        VLOG_DBG("%s: contains pid %d but is locked by pid %ld",
                 name, pid, (long) lck.l_pid);
    }
    return pid;
}

/* Hook: removes the pid file at exit, unless someone else has replaced it
 * since (--overwrite-pidfile). */
static void
remove_pidfile(void *aux PLX_UNUSED)
{
    if (pidfile && is_own_pidfile(pidfile)) {
        unlink(pidfile);
    }
}

static void
check_already_running(void)
{
    pid_t pid = daemon_read_pidfile(pidfile);
    if (pid > 0) {
        VLOG_FATAL("%s: already running as pid %ld, aborting",
                   pidfile, (long) pid);
    } else if (pid != -ENOENT && pid != -ESRCH) {
        VLOG_FATAL("%s: pidfile check failed (%s), aborting",
                   pidfile, plx_strerror(-pid));
    }
}

static void
write_fully_or_die(int fd, const char *buf, size_t n, const char *name)
{
    while (n > 0) {
        ssize_t retval = write(fd, buf, n);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            VLOG_FATAL("%s: write failed (%s)", name, plx_strerror(errno));
        }
        buf += retval;
        n -= retval;
    }
}

static void
make_pidfile(void)
{
    if (!overwrite_pidfile) {
        check_already_running();
    }

    /* Write a temporary file, lock it, and rename it into place, so that
     * whoever reads the pid file sees either nothing or a complete file
     * whose lock is already held. */
    char *tmpfile = xasprintf("%s.tmp%ld", pidfile, (long) getpid());
    fatal_signal_add_file_to_unlink(tmpfile);
    int fd = open(tmpfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        VLOG_FATAL("%s: create failed (%s)", tmpfile, plx_strerror(errno));
    }

    struct flock lck = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
    };
    if (fcntl(fd, F_SETLK, &lck)) {
        VLOG_FATAL("%s: fcntl(F_SETLK) failed (%s)",
                   tmpfile, plx_strerror(errno));
    }

    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());
    write_fully_or_die(fd, buf, len, tmpfile);

    struct stat s;
    if (fstat(fd, &s)) {
        VLOG_FATAL("%s: fstat failed (%s)", tmpfile, plx_strerror(errno));
    }
    pidfile_fd = fd;
    pidfile_dev = s.st_dev;
    pidfile_ino = s.st_ino;
    fatal_signal_add_hook(remove_pidfile, NULL, true);

    if (rename(tmpfile, pidfile)) {
        VLOG_FATAL("failed to rename \"%s\" to \"%s\" (%s)",
                   tmpfile, pidfile, plx_strerror(errno));
    }
    fatal_signal_remove_file_to_unlink(tmpfile);
    free(tmpfile);
}

/* Describes wait() status STATUS in a new string. */
static char *
describe_status(int status)
{
    if (WIFEXITED(status)) {
        return xasprintf("exit status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        return xasprintf("killed (%s)%s", strsignal(WTERMSIG(status)),
                         WCOREDUMP(status) ? ", core dumped" : "");
    } else {
        return xasprintf("unknown status 0x%x", (unsigned) status);
    }
}

/* In the parent after fork(): waits until the child reports that it
 * started (and exits 0) or dies (and exits 1). */
static void PLX_NO_RETURN
wait_for_child_startup(pid_t pid, int fd)
{
    char c;
    ssize_t n;

    do {
        n = read(fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) {
        exit(EXIT_SUCCESS);
    }

    int status;
    pid_t retval;
    do {
        retval = waitpid(pid, &status, 0);
    } while (retval < 0 && errno == EINTR);
    if (retval == pid) {
        char *s = describe_status(status);
        VLOG_FATAL("fork child died before signaling startup (%s)", s);
    }
    VLOG_FATAL("fork child died before signaling startup");
}

void
daemonize_start(void)
{
    if (detach && !completed && daemonize_fd < 0) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC)) {
            VLOG_FATAL("pipe failed (%s)", plx_strerror(errno));
        }
        fflush(stdout);
        fflush(stderr);

        pid_t pid = fork();
        if (pid < 0) {
            VLOG_FATAL("fork failed (%s)", plx_strerror(errno));
        } else if (pid > 0) {
            /* The parent: what it leaves behind now belongs to the
             * child, so its exit must not clean up. */
            fatal_signal_fork();
            close(fds[1]);
            wait_for_child_startup(pid, fds[0]);
        }

        close(fds[0]);
        daemonize_fd = fds[1];
        setsid();
    }

    if (pidfile && pidfile_fd < 0) {
        make_pidfile();
    }
}

static void
close_standard_fds(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
        VLOG_ERR("could not open /dev/null (%s)", plx_strerror(errno));
        return;
    }
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) {
        close(fd);
    }
}

void
daemonize_complete(void)
{
    if (completed) {
        return;
    }
    completed = true;

    if (daemonize_fd >= 0) {
        if (chdir_ && chdir("/")) {
            VLOG_WARN("chdir(\"/\") failed (%s)", plx_strerror(errno));
        }
        /* Before telling the parent: whoever waits for the parent's
         * stdout to close (a shell's $(...)) must not wait for ours. */
        fflush(stdout);
        fflush(stderr);
        close_standard_fds();

        ssize_t n;
        do {
            n = write(daemonize_fd, "", 1);
        } while (n < 0 && errno == EINTR);
        close(daemonize_fd);
        daemonize_fd = -1;
    }
}

void
daemonize(void)
{
    daemonize_start();
    daemonize_complete();
}

void
daemon_usage(void)
{
    printf("\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --no-chdir              do not chdir to '/'\n"
           "  --pidfile[=FILE]        create pidfile (default: %s/%s.pid)\n"
           "  --overwrite-pidfile     with --pidfile, start even if "
           "already running\n",
           plx_rundir(), program_name);
}
