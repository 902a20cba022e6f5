/* Tests for lib/latch: set/poll semantics and waking another thread's
 * poll loop. */
#include <config.h>
#include "latch.h"

#include <pthread.h>
#include "poll-loop.h"
#include "test.h"
#include "timeval.h"

TEST(set_poll_is_set)
{
    struct latch latch;

    latch_init(&latch);
    CHECK(!latch_is_set(&latch));
    CHECK(!latch_poll(&latch));

    latch_set(&latch);
    CHECK(latch_is_set(&latch));
    CHECK(latch_is_set(&latch));        /* Testing does not clear. */
    CHECK(latch_poll(&latch));
    CHECK(!latch_is_set(&latch));
    CHECK(!latch_poll(&latch));

    /* Setting twice does not count twice. */
    latch_set(&latch);
    latch_set(&latch);
    CHECK(latch_poll(&latch));
    CHECK(!latch_poll(&latch));
    latch_destroy(&latch);
    CHECK_EQ(latch.fd, -1);
}

TEST(wait_on_set_latch_wakes_at_once)
{
    struct latch latch;

    latch_init(&latch);
    latch_set(&latch);
    latch_wait(&latch);
    poll_timer_wait(5000);
    long long int start = time_msec();
    poll_block();
    CHECK_LT(time_msec() - start, 400);

    /* Cleared: now the timer wakes us. */
    CHECK(latch_poll(&latch));
    start = time_msec();
    latch_wait(&latch);
    poll_timer_wait(100);
    poll_block();
    CHECK_GE(time_msec() - start, 100);
    latch_destroy(&latch);
}

struct worker {
    struct latch exit_latch;
    int iterations;
    long long int stopped_at;
};

static void *
worker_main(void *w_)
{
    struct worker *w = w_;

    for (;;) {
        w->iterations++;
        if (latch_poll(&w->exit_latch)) {
            break;
        }
        latch_wait(&w->exit_latch);
        poll_timer_wait(10000);
        poll_block();
    }
    w->stopped_at = time_msec();
    return NULL;
}

TEST(stops_a_thread)
{
    struct worker w = { .iterations = 0 };
    pthread_t thread;

    latch_init(&w.exit_latch);
    CHECK_EQ(pthread_create(&thread, NULL, worker_main, &w), 0);
    plx_msleep(100);
    long long int set_at = time_msec();
    latch_set(&w.exit_latch);
    pthread_join(thread, NULL);

    /* It slept until told (one iteration before, one after), and woke
     * promptly. */
    CHECK_EQ(w.iterations, 2);
    CHECK_GE(w.stopped_at, set_at);
    CHECK_LT(w.stopped_at - set_at, 400);
    latch_destroy(&w.exit_latch);
}
