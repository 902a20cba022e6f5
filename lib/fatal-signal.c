/* fatal-signal: hooks run on fatal signals and at exit.  See
 * fatal-signal.h. */
#include <config.h>
#include "fatal-signal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(fatal_signal);

static const int fatal_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM };

struct fatal_hook {
    void (*hook)(void *aux);
    void *aux;
    bool run_at_exit;
    bool done;                  /* Already run: never again. */
};

/* Recursive, so that a hook may call back into this module (e.g. to
 * remove a file from the set). */
static pthread_mutex_t mutex;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static struct fatal_hook *hooks;
static size_t n_hooks, allocated_hooks;

static char **files;
static size_t n_files, allocated_files;
static bool files_hook_added;

/* Written by the handler, read by fatal_signal_run(). */
static volatile sig_atomic_t stored_sig_nr;
static int signal_fds[2] = { -1, -1 };

static void
fatal_signal_handler(int sig_nr)
{
    int save_errno = errno;

    /* Record the signal before waking anyone, so that whoever wakes sees
     * it.  The write can only fail if the pipe is full, and then a wakeup
     * is already pending. */
    stored_sig_nr = sig_nr;
    ssize_t retval = write(signal_fds[1], "", 1);
    (void) retval;
    errno = save_errno;
}

static void run_hooks(bool at_exit);

static void
fatal_signal_atexit(void)
{
    run_hooks(true);
}

static void
do_init(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mutex, &attr);
    pthread_mutexattr_destroy(&attr);

    if (pipe2(signal_fds, O_NONBLOCK | O_CLOEXEC)) {
        VLOG_FATAL("could not create fatal signal pipe: %s",
                   plx_strerror(errno));
    }

    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        int sig_nr = fatal_signals[i];
        struct sigaction old_sa;

        if (sigaction(sig_nr, NULL, &old_sa)) {
            continue;
        }
        if (old_sa.sa_handler == SIG_DFL) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = fatal_signal_handler;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_RESTART;
            sigaction(sig_nr, &sa, NULL);
        }
    }
    atexit(fatal_signal_atexit);
}

void
fatal_signal_init(void)
{
    pthread_once(&once, do_init);
}

void
fatal_signal_add_hook(void (*hook)(void *aux), void *aux, bool run_at_exit)
{
    fatal_signal_init();
    pthread_mutex_lock(&mutex);
    if (n_hooks >= allocated_hooks) {
        hooks = x2nrealloc(hooks, &allocated_hooks, sizeof *hooks);
    }
    hooks[n_hooks++] = (struct fatal_hook) {
        .hook = hook, .aux = aux, .run_at_exit = run_at_exit,
    };
    pthread_mutex_unlock(&mutex);
}

/* Runs each hook that has not run yet (and, if AT_EXIT, that asked to run
 * at exit).  A hook may add hooks; they run too. */
static void
run_hooks(bool at_exit)
{
    pthread_mutex_lock(&mutex);
    for (size_t i = 0; i < n_hooks; i++) {
        struct fatal_hook *h = &hooks[i];
        if (!h->done && (!at_exit || h->run_at_exit)) {
            void (*hook)(void *) = h->hook;
            void *aux = h->aux;

            h->done = true;
            hook(aux);      /* May realloc 'hooks': 'h' is dead now. */
        }
    }
    pthread_mutex_unlock(&mutex);
}

static void
unlink_files(void *aux PLX_UNUSED)
{
    /* Called with 'mutex' held. */
    for (size_t i = 0; i < n_files; i++) {
        unlink(files[i]);
    }
}

/* Returns the index of FILE in 'files', or SIZE_MAX.  Caller holds
 * 'mutex'. */
static size_t
find_file(const char *file)
{
    for (size_t i = 0; i < n_files; i++) {
        if (!strcmp(files[i], file)) {
            return i;
        }
    }
    return SIZE_MAX;
}

void
fatal_signal_add_file_to_unlink(const char *file)
{
    fatal_signal_init();
    pthread_mutex_lock(&mutex);
    if (!files_hook_added) {
        files_hook_added = true;
        fatal_signal_add_hook(unlink_files, NULL, true);
    }
    if (find_file(file) == SIZE_MAX) {
        if (n_files >= allocated_files) {
            files = x2nrealloc(files, &allocated_files, sizeof *files);
        }
        files[n_files++] = xstrdup(file);
    }
    pthread_mutex_unlock(&mutex);
}

void
fatal_signal_remove_file_to_unlink(const char *file)
{
    fatal_signal_init();
    pthread_mutex_lock(&mutex);
    size_t i = find_file(file);
    if (i != SIZE_MAX) {
        free(files[i]);
        files[i] = files[--n_files];
    }
    pthread_mutex_unlock(&mutex);
}

int
fatal_signal_unlink_file_now(const char *file)
{
    int error = unlink(file) ? errno : 0;
    if (error) {
        VLOG_WARN("could not unlink \"%s\": %s", file, plx_strerror(error));
    }
    fatal_signal_remove_file_to_unlink(file);
    return error;
}

void
fatal_signal_run(void)
{
    fatal_signal_init();

    int sig_nr = stored_sig_nr;
    if (!sig_nr) {
        return;
    }

    pthread_mutex_lock(&mutex);
    VLOG_WARN("terminating with signal %d (%s)", sig_nr, strsignal(sig_nr));
    run_hooks(false);

    /* Die the way the signal would have killed us without a handler. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig_nr, &sa, NULL);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig_nr);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig_nr);

    /* Not reached unless something blocks the signal after all. */
    _exit(128 + sig_nr);
}

void
fatal_signal_wait(void)
{
    fatal_signal_init();
    poll_fd_wait(signal_fds[0], POLLIN);
}

void
fatal_signal_fork(void)
{
    fatal_signal_init();
    pthread_mutex_lock(&mutex);
    for (size_t i = 0; i < n_hooks; i++) {
        hooks[i].done = true;
    }
    for (size_t i = 0; i < n_files; i++) {
        free(files[i]);
    }
    n_files = 0;
    files_hook_added = false;   /* Files added from now on need a hook. */
    pthread_mutex_unlock(&mutex);
}

void
fatal_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}
