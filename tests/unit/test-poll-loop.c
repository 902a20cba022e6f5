/* Tests for lib/poll-loop: what wakes poll_block(), when, and that every
 * registration is forgotten afterwards. */
#include <config.h>
#include "poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

/* Timing tolerance: sanitizer builds and a loaded two-core machine are
 * slow, so upper bounds are generous; lower bounds are exact. */
#define SLACK 400

/* Registers a timer for MSEC ms, calls poll_block(), and returns how long
 * that took, measured from before the registration (a timer registered
 * at 10.9 ms for 150 ms fires at 160 ms, 149.1 ms later). */
static long long int
timed_poll_block__(long long int msec)
{
    long long int start = time_msec();
    if (msec >= 0) {
        poll_timer_wait(msec);
    }
    poll_block();
    return time_msec() - start;
}
#define timed_poll_block() timed_poll_block__(-1)
#define timed_timer_block(MSEC) timed_poll_block__(MSEC)

static void
make_pipe(int fds[2])
{
    CHECK_EQ(pipe(fds), 0);
}

TEST(immediate_wake)
{
    poll_timer_wait(10000);
    poll_immediate_wake();
    CHECK_LT(timed_poll_block(), SLACK);
}

TEST(zero_and_negative_timers_wake_at_once)
{
    poll_timer_wait(0);
    CHECK_LT(timed_poll_block(), SLACK);
    poll_timer_wait(-5);
    CHECK_LT(timed_poll_block(), SLACK);
    poll_timer_wait_until(time_msec() - 1000);
    CHECK_LT(timed_poll_block(), SLACK);
}

TEST(timer_wakes_on_time)
{
    poll_timer_wait(5000);
    poll_timer_wait(3000);
    long long int elapsed = timed_timer_block(150);  /* Earliest wins. */
    CHECK_GE(elapsed, 150);
    CHECK_LT(elapsed, 150 + SLACK);
}

TEST(timer_wait_until_wakes_on_time)
{
    long long int start = time_msec();
    poll_timer_wait_until(start + 120);
    poll_timer_wait_until(LLONG_MAX);   /* Never: no effect. */
    poll_block();
    long long int elapsed = time_msec() - start;
    CHECK_GE(elapsed, 120);
    CHECK_LT(elapsed, 120 + SLACK);
}

struct delayed_write {
    int fd;
    unsigned int delay;
};

static void *
delayed_write_thread(void *dw_)
{
    struct delayed_write *dw = dw_;
    plx_msleep(dw->delay);
    if (write(dw->fd, "x", 1) != 1) {
        abort();
    }
    return NULL;
}

TEST(fd_readiness_wakes)
{
    int fds[2];
    make_pipe(fds);

    struct delayed_write dw = { fds[1], 100 };
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, delayed_write_thread, &dw), 0);

    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(10000);
    long long int elapsed = timed_poll_block();
    CHECK_GE(elapsed, 90);
    CHECK_LT(elapsed, 100 + SLACK);
    pthread_join(thread, NULL);

    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    close(fds[0]);
    close(fds[1]);
}

TEST(duplicate_fd_events_are_ored)
{
    int fds[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);

    /* fds[0] is writable, not readable.  If the second registration
     * replaced the first instead of adding to it, only the timer could
     * wake us. */
    poll_fd_wait(fds[0], POLLOUT);
    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(3000);
    CHECK_LT(timed_poll_block(), SLACK);

    /* Nothing ready: the timer wakes us. */
    poll_fd_wait(fds[0], POLLIN);
    poll_fd_wait(fds[0], POLLIN);
    CHECK_GE(timed_timer_block(100), 100);

    close(fds[0]);
    close(fds[1]);
}

TEST(many_fds)
{
    enum { N = 200 };
    int fds[N][2];

    for (int i = 0; i < N; i++) {
        make_pipe(fds[i]);
    }
    /* Only the last one, registered after all the others, is ready. */
    CHECK_EQ(write(fds[N - 1][1], "x", 1), 1);
    for (int i = 0; i < N; i++) {
        poll_fd_wait(fds[i][0], POLLIN);
    }
    poll_timer_wait(5000);
    CHECK_LT(timed_poll_block(), SLACK);

    for (int i = 0; i < N; i++) {
        close(fds[i][0]);
        close(fds[i][1]);
    }
}

TEST(registrations_are_cleared)
{
    int fds[2];
    make_pipe(fds);
    CHECK_EQ(write(fds[1], "x", 1), 1);     /* Stays readable. */

    poll_fd_wait(fds[0], POLLIN);
    CHECK_LT(timed_poll_block(), SLACK);

    /* The fd is still readable but no longer registered. */
    CHECK_GE(timed_timer_block(100), 100);

    /* Immediate wake is one-shot as well. */
    poll_immediate_wake();
    CHECK_LT(timed_poll_block(), SLACK);
    CHECK_GE(timed_timer_block(100), 100);

    /* And so is a timer: a short one does not linger into the next
     * iteration. */
    poll_timer_wait(10);
    poll_block();
    CHECK_GE(timed_timer_block(150), 150);

    close(fds[0]);
    close(fds[1]);
}

static void *
thread_with_own_loop(void *elapsed_)
{
    long long int *elapsed = elapsed_;
    *elapsed = timed_timer_block(150);
    return NULL;
}

TEST(state_is_per_thread)
{
    long long int elapsed = 0;
    pthread_t thread;

    /* The main thread's immediate wake must not wake the other thread. */
    poll_immediate_wake();
    CHECK_EQ(pthread_create(&thread, NULL, thread_with_own_loop, &elapsed),
             0);
    pthread_join(thread, NULL);
    CHECK_GE(elapsed, 150);

    /* ...and it is still registered here. */
    CHECK_LT(timed_poll_block(), SLACK);
}

TEST(debug_log_names_the_waker)
{
    char *log = xasprintf("%s/poll.log", test_tmpdir());
    CHECK_EQ(vlog_set_log_file(log), 0);
    CHECK_NO_ERROR(vlog_set_levels_from_string("poll_loop:file:dbg"));

    int fds[2];
    make_pipe(fds);
    CHECK_EQ(write(fds[1], "x", 1), 1);
    poll_fd_wait(fds[0], POLLIN);
    poll_block();

    poll_timer_wait(20);
    poll_block();

    poll_immediate_wake();
    poll_block();

    char *s = test_read_file(log, NULL);
    char *re = xasprintf("\\|poll_loop\\|DBG\\|wakeup due to \\[POLLIN\\] "
                         "on fd %d \\(registered at "
                         ".*test-poll-loop\\.c:[0-9]+\\)$", fds[0]);
    CHECK_MSG(test_regex_match(s, re), "log was:\n%s", s);
    CHECK(test_regex_match(s, "\\|wakeup due to (19|20)-ms timeout at "
                  ".*test-poll-loop\\.c:[0-9]+$"));
    CHECK(test_regex_match(s, "\\|wakeup due to 0-ms timeout at "
                  ".*test-poll-loop\\.c:[0-9]+$"));
    free(re);
    free(s);
    free(log);
    close(fds[0]);
    close(fds[1]);
}
