/*
 * coverage: event counters, as Open vSwitch's lib/coverage.
 *
 * A source file counts how often something happens with
 *
 *     COVERAGE_DEFINE(flow_extract_miss);        (at file scope, once)
 *     ...
 *     COVERAGE_INC(flow_extract_miss);
 *     COVERAGE_ADD(flow_extract_miss, n_packets);
 *
 * and an operator reads the counters with "plx-appctl coverage/show",
 * which prints, for every counter that has ever been hit, its average
 * rate per second over the last 5 seconds, the last minute and the last
 * hour, and its total since the process started.
 *
 * Counter names are global (COVERAGE_DEFINE defines an external symbol
 * named coverage_counter_NAME), so defining one name twice is a link
 * error, as in OVS.  Counters register themselves from a constructor
 * before main() runs.
 *
 * Hot path: COVERAGE_INC takes no lock and executes no atomic
 * read-modify-write instruction.  Each thread that counts gets a block of
 * 64-bit slots, one per counter, allocated on its first increment and
 * linked into a global list; only that thread writes its slots (relaxed
 * atomic load and store of its own slot, a plain add on x86-64), so a
 * PMD thread's counters never bounce between caches.  A reader sums, under
 * a mutex, every live block's slot plus the counter's 'extra' (what
 * exited threads counted, and increments of counters registered after
 * the thread's block was sized).  When a thread exits, its block is
 * folded into 'extra' and freed under the same mutex, so totals are exact
 * at every moment: no increment is ever lost or counted twice.
 *
 * Rates: coverage_run(), called from a daemon's main loop (with
 * coverage_wait() before it blocks), samples every total every
 * COVERAGE_RUN_INTERVAL (5 s) and keeps, per counter, the increments of
 * the last 12 intervals (one minute) and of the last 60 minutes, exactly
 * as OVS does: the 5-second rate is the last interval's count / 5, the
 * minute rate the sum of the 12 intervals / 60, the hour rate the sum of
 * the 60 minute sums / 3600 (the current minute included).  If sampling
 * was late by several intervals, the increments are spread evenly over
 * the intervals missed.
 *
 * Thread safety: COVERAGE_INC/ADD and coverage_read_counter() from any
 * thread; coverage_init(), coverage_run() and coverage_wait() from the
 * main thread (the unixctl thread).
 */
#ifndef PLX_COVERAGE_H
#define PLX_COVERAGE_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "util.h"

/* Sampling period and the lengths of the two rings (as in OVS). */
#define COVERAGE_RUN_INTERVAL 5000      /* Milliseconds. */
#define COVERAGE_MIN_AVG_LEN 12         /* 5-second slots in a minute. */
#define COVERAGE_HR_AVG_LEN 60          /* Minute slots in an hour. */

/* One counter.  Everything here is private to coverage.c: use the
 * macros and functions below. */
struct coverage_counter {
    const char *name;
    size_t idx;                         /* Slot in per-thread blocks. */
    atomic_uint_least64_t extra;        /* Exited threads, late slots. */

    /* Sampling state, under coverage.c's mutex. */
    uint64_t last_total;                /* Total at the last sample. */
    uint64_t min[COVERAGE_MIN_AVG_LEN]; /* Per 5-second interval. */
    uint64_t hr[COVERAGE_HR_AVG_LEN];   /* Per minute. */
};

/* A thread's counts: 'counts[i]' belongs to the counter with idx i, for
 * i < n.  Written only by its thread. */
struct coverage_thread_block {
    struct coverage_thread_block *next; /* In the global list. */
    size_t n;
    atomic_uint_least64_t counts[];
};

extern _Thread_local struct coverage_thread_block *coverage_block__;

void coverage_counter_register(struct coverage_counter *);
void coverage_add_slow__(struct coverage_counter *, uint64_t n);

#define COVERAGE_DEFINE(NAME)                                             \
    struct coverage_counter coverage_counter_##NAME = { #NAME, 0, 0, 0,  \
                                                        {0}, {0} };      \
    static void coverage_register_##NAME(void)                           \
        __attribute__((constructor));                                    \
    static void coverage_register_##NAME(void)                           \
    {                                                                    \
        coverage_counter_register(&coverage_counter_##NAME);             \
    }                                                                    \
    extern struct coverage_counter coverage_counter_##NAME

#define COVERAGE_INC(NAME) coverage_add(&coverage_counter_##NAME, 1)
#define COVERAGE_ADD(NAME, N) coverage_add(&coverage_counter_##NAME, N)

static inline void
coverage_add(struct coverage_counter *c, uint64_t n)
{
    struct coverage_thread_block *b = coverage_block__;

    if (PLX_LIKELY(b && c->idx < b->n)) {
        atomic_uint_least64_t *slot = &b->counts[c->idx];
        uint64_t old = atomic_load_explicit(slot, memory_order_relaxed);

        atomic_store_explicit(slot, old + n, memory_order_relaxed);
    } else {
        coverage_add_slow__(c, n);
    }
}

/* Registers the unixctl commands "coverage/show" and
 * "coverage/read-counter COUNTER".  Idempotent. */
void coverage_init(void);

/* Samples the counters if COVERAGE_RUN_INTERVAL has passed since the last
 * sample (the first call starts the clock); coverage_wait() makes the
 * poll loop wake for the next sample. */
void coverage_run(void);
void coverage_wait(void);

/* coverage_run() with NOW (monotonic milliseconds) as the time: for tests,
 * and for callers that already read the clock. */
void coverage_run_at(long long int now);

/* Stores counter NAME's total in '*count' and returns true, or returns
 * false if there is no such counter. */
bool coverage_read_counter(const char *name, uint64_t *count);

/* The text that "coverage/show" prints, ending in a new-line; the caller
 * frees it.  Example:
 *
 *   Event coverage, avg rate over last: 5 seconds, last minute, last hour,
 *   hash=6d1a4e0f:                            (one line, wrapped here)
 *   flow_extract               0.2/sec     0.017/sec        0.0003/sec
 *   total: 1                                  (one line, wrapped here)
 *   41 events never hit
 */
char *coverage_show(void);

#endif /* coverage.h */
