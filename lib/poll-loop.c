/* poll-loop: one thread's event loop.  See poll-loop.h.
 *
 * Each thread has its own 'struct poll_loop', created on first use and
 * freed when the thread exits.  Registrations for the same fd are merged
 * into one pollfd (their events ORed), found through 'fd_slots', an array
 * indexed by fd, so that registering is O(1) however many connections a
 * daemon has.  poll_block() also waits on the fatal-signal pipe and runs
 * the fatal-signal hooks afterwards (see fatal-signal.h). */
#include <config.h>
#include "poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);

struct poll_loop {
    /* Registered fds for this iteration: pollfds[i] was (last) registered
     * at wheres[i]. */
    struct pollfd *pollfds;
    const char **wheres;
    size_t n_fds, allocated_fds;

    /* fd_slots[fd] is 1 + the index of 'fd' in 'pollfds', or 0. */
    size_t *fd_slots;
    size_t n_fd_slots;

    /* Earliest time to wake up (LLONG_MAX: none), and who asked. */
    long long int timeout_when;
    const char *timeout_where;

    /* When the last poll_block() returned, for the CPU-hog warning. */
    long long int last_wakeup_cpu_ns;
    long long int last_wakeup_msec;
};

static __thread struct poll_loop *thread_loop;
static pthread_key_t loop_key;
static pthread_once_t loop_key_once = PTHREAD_ONCE_INIT;

static void
free_poll_loop(void *loop_)
{
    struct poll_loop *loop = loop_;

    free(loop->pollfds);
    free(loop->wheres);
    free(loop->fd_slots);
    free(loop);
}

static void
create_loop_key(void)
{
    if (pthread_key_create(&loop_key, free_poll_loop)) {
        out_of_memory();
    }
}

static long long int
thread_cpu_nsec(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) {
        return 0;
    }
    return (long long int) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct poll_loop *
poll_loop(void)
{
    if (PLX_UNLIKELY(!thread_loop)) {
        struct poll_loop *loop = xzalloc(sizeof *loop);

        loop->timeout_when = LLONG_MAX;
        loop->last_wakeup_cpu_ns = thread_cpu_nsec();
        loop->last_wakeup_msec = time_msec();
        pthread_once(&loop_key_once, create_loop_key);
        pthread_setspecific(loop_key, loop);
        thread_loop = loop;
    }
    return thread_loop;
}

void
poll_fd_wait_at(int fd, short int events, const char *where)
{
    struct poll_loop *loop = poll_loop();

    plx_assert(fd >= 0);
    if ((size_t) fd >= loop->n_fd_slots) {
        size_t n = MAX(64, loop->n_fd_slots);
        while (n <= (size_t) fd) {
            n *= 2;
        }
        loop->fd_slots = xrealloc(loop->fd_slots, n * sizeof *loop->fd_slots);
        memset(&loop->fd_slots[loop->n_fd_slots], 0,
               (n - loop->n_fd_slots) * sizeof *loop->fd_slots);
        loop->n_fd_slots = n;
    }

    size_t slot = loop->fd_slots[fd];
    if (slot) {
        loop->pollfds[slot - 1].events |= events;
        loop->wheres[slot - 1] = where;
        return;
    }

    if (loop->n_fds >= loop->allocated_fds) {
        size_t allocated = loop->allocated_fds;
        loop->pollfds = x2nrealloc(loop->pollfds, &loop->allocated_fds,
                                   sizeof *loop->pollfds);
        loop->wheres = x2nrealloc(loop->wheres, &allocated,
                                  sizeof *loop->wheres);
    }
    loop->pollfds[loop->n_fds] = (struct pollfd) {
        .fd = fd, .events = events,
    };
    loop->wheres[loop->n_fds] = where;
    loop->fd_slots[fd] = ++loop->n_fds;
}

void
poll_timer_wait_until_at(long long int when, const char *where)
{
    struct poll_loop *loop = poll_loop();

    if (when < loop->timeout_when) {
        loop->timeout_when = when;
        loop->timeout_where = where;
    }
}

void
poll_timer_wait_at(long long int msec, const char *where)
{
    long long int now = time_msec();
    long long int when;

    if (msec <= 0) {
        when = LLONG_MIN;       /* At once. */
    } else if (msec < LLONG_MAX - now) {
        when = now + msec;
    } else {
        when = LLONG_MAX;       /* Never. */
    }
    poll_timer_wait_until_at(when, where);
}

void
poll_immediate_wake_at(const char *where)
{
    poll_timer_wait_until_at(LLONG_MIN, where);
}

static void
put_revents(struct ds *s, short int revents)
{
    static const struct {
        short int bit;
        const char *name;
    } bits[] = {
        { POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
        { POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" },
        { POLLNVAL, "POLLNVAL" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
        if (revents & bits[i].bit) {
            ds_put_format(s, "[%s]", bits[i].name);
        }
    }
}

/* Logs (at debug level) what ended the poll() that returned RETVAL after
 * waiting TIMEOUT ms. */
static void
log_wakeup(const struct poll_loop *loop, int retval, int timeout)
{
    if (retval > 0) {
        for (size_t i = 0; i < loop->n_fds; i++) {
            const struct pollfd *p = &loop->pollfds[i];
            if (p->revents) {
                struct ds s = DS_EMPTY_INITIALIZER;

                ds_put_cstr(&s, "wakeup due to ");
                put_revents(&s, p->revents);
                ds_put_format(&s, " on fd %d (registered at %s)",
                              p->fd, loop->wheres[i]);
                if (retval > 1) {
                    ds_put_format(&s, " and %d more fds", retval - 1);
                }
                VLOG_DBG("%s", ds_cstr(&s));
                ds_destroy(&s);
                break;
            }
        }
    } else if (retval == 0 && loop->timeout_where) {
        VLOG_DBG("wakeup due to %d-ms timeout at %s",
                 timeout, loop->timeout_where);
    }
}

void
poll_block(void)
{
    static struct vlog_rate_limit hog_rl = VLOG_RATE_LIMIT_INIT(3, 3);
    static struct vlog_rate_limit err_rl = VLOG_RATE_LIMIT_INIT(10, 10);
    struct poll_loop *loop = poll_loop();

    fatal_signal_wait();

    long long int now = time_msec();
    long long int cpu_ms = (thread_cpu_nsec()
                            - loop->last_wakeup_cpu_ns) / 1000000;
    if (cpu_ms > 1000) {
        VLOG_WARN_RL(&hog_rl, "Unreasonably long poll interval: %lld ms "
                     "of CPU in %lld ms since the last wakeup",
                     cpu_ms, now - loop->last_wakeup_msec);
    }

    int timeout;
    if (loop->timeout_when == LLONG_MAX) {
        timeout = -1;
    } else if (loop->timeout_when <= now) {
        timeout = 0;
    } else {
        timeout = MIN(loop->timeout_when - now, INT_MAX);
    }

    /* A thread registered with RCU holds no RCU pointers while it sleeps
     * (its caller is between iterations), so it goes offline and cannot
     * delay a grace period however long it sleeps. */
    rcu_quiesce_start();
    int retval = poll(loop->pollfds, loop->n_fds, timeout);
    int poll_errno = errno;
    rcu_quiesce_end();
    errno = poll_errno;
    if (retval < 0) {
        if (errno != EINTR) {
            VLOG_ERR_RL(&err_rl, "poll: %s", plx_strerror(errno));
        }
    } else if (VLOG_IS_DBG_ENABLED()) {
        log_wakeup(loop, retval, timeout);
    }

    /* Waits are one-shot. */
    for (size_t i = 0; i < loop->n_fds; i++) {
        loop->fd_slots[loop->pollfds[i].fd] = 0;
    }
    loop->n_fds = 0;
    loop->timeout_when = LLONG_MAX;
    loop->timeout_where = NULL;

    fatal_signal_run();

    loop->last_wakeup_cpu_ns = thread_cpu_nsec();
    loop->last_wakeup_msec = time_msec();
}
