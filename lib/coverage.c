/* coverage: event counters with per-thread slots; see coverage.h. */
#include <config.h>
#include "coverage.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include "dynamic-string.h"
#include "hash.h"
#include "poll-loop.h"
#include "timeval.h"
#include "unixctl.h"

#define COVERAGE_N_SLOTS (COVERAGE_MIN_AVG_LEN * COVERAGE_HR_AVG_LEN)

_Thread_local struct coverage_thread_block *coverage_block__;

/* Protects everything below, and the sampling state in the counters. */
static pthread_mutex_t coverage_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Every registered counter; counters[i]->idx == i.  Only grows. */
static struct coverage_counter **counters;
static size_t n_counters, allocated_counters;

/* Blocks of live threads. */
static struct coverage_thread_block *blocks;

/* Sampling: time of the next sample (LLONG_MIN: never sampled yet), and
 * the number of 5-second intervals recorded, modulo COVERAGE_N_SLOTS. */
static long long int next_run_time = LLONG_MIN;
static unsigned int idx_count;

static pthread_key_t block_key;
static pthread_once_t block_key_once = PTHREAD_ONCE_INIT;

void
coverage_counter_register(struct coverage_counter *c)
{
    pthread_mutex_lock(&coverage_mutex);
    if (n_counters >= allocated_counters) {
        counters = x2nrealloc(counters, &allocated_counters,
                              sizeof *counters);
    }
    c->idx = n_counters;
    counters[n_counters++] = c;
    pthread_mutex_unlock(&coverage_mutex);
}

/* Thread exit: folds the block's counts into the counters' 'extra' and
 * frees it, atomically with respect to readers (who hold the mutex). */
static void
coverage_block_destroy(void *b_)
{
    struct coverage_thread_block *b = b_;
    struct coverage_thread_block **p;

    pthread_mutex_lock(&coverage_mutex);
    for (size_t i = 0; i < b->n; i++) {
        uint64_t n = atomic_load_explicit(&b->counts[i],
                                          memory_order_relaxed);
        if (n) {
            atomic_fetch_add_explicit(&counters[i]->extra, n,
                                      memory_order_relaxed);
        }
    }
    for (p = &blocks; *p != b; p = &(*p)->next) {
        continue;
    }
    *p = b->next;
    pthread_mutex_unlock(&coverage_mutex);

    coverage_block__ = NULL;
    free(b);
}

static void
coverage_make_key(void)
{
    int error = pthread_key_create(&block_key, coverage_block_destroy);
    if (error) {
        plx_fatal(error, "pthread_key_create");
    }
}

/* The rare path of coverage_add(): the thread's first increment, or a
 * counter registered after the thread's block was sized. */
void
coverage_add_slow__(struct coverage_counter *c, uint64_t n)
{
    struct coverage_thread_block *b = coverage_block__;

    if (!b) {
        pthread_once(&block_key_once, coverage_make_key);

        pthread_mutex_lock(&coverage_mutex);
        b = xzalloc(sizeof *b + n_counters * sizeof b->counts[0]);
        b->n = n_counters;
        for (size_t i = 0; i < b->n; i++) {
            atomic_init(&b->counts[i], 0);
        }
        b->next = blocks;
        blocks = b;
        pthread_mutex_unlock(&coverage_mutex);

        /* If this fails (out of memory), the block still counts but is
         * leaked at thread exit instead of folded in. */
        pthread_setspecific(block_key, b);
        coverage_block__ = b;
    }

    if (c->idx < b->n) {
        coverage_add(c, n);
    } else {
        atomic_fetch_add_explicit(&c->extra, n, memory_order_relaxed);
    }
}

/* Returns C's exact total.  Caller holds the mutex. */
static uint64_t
coverage_total(const struct coverage_counter *c)
{
    uint64_t total = atomic_load_explicit(&c->extra, memory_order_relaxed);

    for (const struct coverage_thread_block *b = blocks; b; b = b->next) {
        if (c->idx < b->n) {
            total += atomic_load_explicit(&b->counts[c->idx],
                                          memory_order_relaxed);
        }
    }
    return total;
}

/* Fills TOTALS[i] with counters[i]'s total.  Caller holds the mutex. */
static void
coverage_read_totals(uint64_t *totals)
{
    for (size_t i = 0; i < n_counters; i++) {
        totals[i] = atomic_load_explicit(&counters[i]->extra,
                                         memory_order_relaxed);
    }
    for (const struct coverage_thread_block *b = blocks; b; b = b->next) {
        for (size_t i = 0; i < b->n; i++) {
            totals[i] += atomic_load_explicit(&b->counts[i],
                                              memory_order_relaxed);
        }
    }
}

bool
coverage_read_counter(const char *name, uint64_t *count)
{
    bool found = false;

    pthread_mutex_lock(&coverage_mutex);
    for (size_t i = 0; i < n_counters; i++) {
        if (!strcmp(counters[i]->name, name)) {
            *count = coverage_total(counters[i]);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&coverage_mutex);
    return found;
}

/* Records COUNT increments of C that happened over SLOTS intervals, the
 * first of which is interval number IDX: spread evenly, the remainder
 * going to the last one (as OVS does).  Caller holds the mutex. */
static void
coverage_record(struct coverage_counter *c, uint64_t count,
                unsigned long long int slots, unsigned int idx)
{
    uint64_t portion = count / slots;
    unsigned long long int skip = 0;

    /* Intervals more than an hour ago fall out of every ring anyway. */
    if (slots > COVERAGE_N_SLOTS) {
        skip = slots - COVERAGE_N_SLOTS;
        idx = (idx + skip) % COVERAGE_N_SLOTS;
    }
    for (unsigned long long int j = skip; j < slots; j++) {
        unsigned int m_idx = idx % COVERAGE_MIN_AVG_LEN;
        unsigned int h_idx = idx / COVERAGE_MIN_AVG_LEN;

        c->min[m_idx] = portion + (j == slots - 1 ? count % slots : 0);
        c->hr[h_idx] = (m_idx == 0 ? c->min[m_idx]
                        : c->hr[h_idx] + c->min[m_idx]);
        idx = (idx + 1) % COVERAGE_N_SLOTS;
    }
}

void
coverage_run_at(long long int now)
{
    pthread_mutex_lock(&coverage_mutex);
    if (next_run_time == LLONG_MIN) {
        /* First call: the first interval starts now; what was counted
         * before it is attributed to it. */
        next_run_time = now + COVERAGE_RUN_INTERVAL;
    } else if (now >= next_run_time) {
        unsigned long long int slots
            = (unsigned long long int) (now - next_run_time)
              / COVERAGE_RUN_INTERVAL + 1;
        uint64_t *totals = xmalloc((n_counters + 1) * sizeof *totals);

        coverage_read_totals(totals);
        for (size_t i = 0; i < n_counters; i++) {
            struct coverage_counter *c = counters[i];

            coverage_record(c, totals[i] - c->last_total, slots, idx_count);
            c->last_total = totals[i];
        }
        free(totals);

        idx_count = (idx_count + slots % COVERAGE_N_SLOTS)
                    % COVERAGE_N_SLOTS;
        next_run_time = now + COVERAGE_RUN_INTERVAL;
    }
    pthread_mutex_unlock(&coverage_mutex);
}

void
coverage_run(void)
{
    coverage_run_at(time_msec());
}

void
coverage_wait(void)
{
    long long int when;

    pthread_mutex_lock(&coverage_mutex);
    when = next_run_time;
    pthread_mutex_unlock(&coverage_mutex);

    if (when == LLONG_MIN) {
        poll_immediate_wake();
    } else {
        poll_timer_wait_until(when);
    }
}

static uint64_t
coverage_array_sum(const uint64_t *array, size_t n)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += array[i];
    }
    return sum;
}

struct coverage_sorted {
    const char *name;
    uint64_t total;
};

/* Descending by total, then by name, so that the order is a function of
 * the counts alone. */
static int
coverage_compare_sorted(const void *a_, const void *b_)
{
    const struct coverage_sorted *a = a_, *b = b_;

    if (a->total != b->total) {
        return a->total > b->total ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* As OVS's coverage_hash(): a hash of the names of the counters that were
 * hit, grouped by equal totals and ranked, so that two processes (or two
 * runs) that took the same code paths the same number of times show the
 * same hash.  Caller holds the mutex. */
static uint32_t
coverage_hash(const uint64_t *totals)
{
    struct coverage_sorted *s = xmalloc((n_counters + 1) * sizeof *s);
    uint32_t hash = 0;
    int n_groups = 0;
    size_t i;

    for (i = 0; i < n_counters; i++) {
        s[i].name = counters[i]->name;
        s[i].total = totals[i];
    }
    qsort(s, n_counters, sizeof *s, coverage_compare_sorted);

    for (i = 0; i < n_counters && s[i].total; ) {
        size_t j;

        n_groups++;
        hash = hash_int(i, hash);
        for (j = i; j < n_counters && s[j].total == s[i].total; j++) {
            hash = hash_string(s[j].name, hash);
        }
        i = j;
    }
    free(s);
    return hash_int(n_groups, hash);
}

char *
coverage_show(void)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t n_never_hit = 0;
    uint64_t *totals;

    pthread_mutex_lock(&coverage_mutex);
    totals = xmalloc((n_counters + 1) * sizeof *totals);
    coverage_read_totals(totals);

    ds_put_format(&ds, "Event coverage, avg rate over last: %d seconds, "
                  "last minute, last hour,  hash=%08"PRIx32":\n",
                  COVERAGE_RUN_INTERVAL / 1000, coverage_hash(totals));
    for (size_t i = 0; i < n_counters; i++) {
        const struct coverage_counter *c = counters[i];
        unsigned int last = ((idx_count + COVERAGE_N_SLOTS - 1)
                             % COVERAGE_MIN_AVG_LEN);

        if (!totals[i]) {
            n_never_hit++;
            continue;
        }
        ds_put_format(&ds, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   "
                      "total: %"PRIu64"\n", c->name,
                      c->min[last] * 1000.0 / COVERAGE_RUN_INTERVAL,
                      coverage_array_sum(c->min, COVERAGE_MIN_AVG_LEN)
                      / 60.0,
                      coverage_array_sum(c->hr, COVERAGE_HR_AVG_LEN)
                      / 3600.0,
                      totals[i]);
    }
    pthread_mutex_unlock(&coverage_mutex);
    free(totals);

    ds_put_format(&ds, "%"PRIuMAX" events never hit\n",
                  (uintmax_t) n_never_hit);
    return ds_steal_cstr(&ds);
}

static void
coverage_unixctl_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                      const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    char *text = coverage_show();

    unixctl_command_reply(conn, text);
    free(text);
}

static void
coverage_unixctl_read_counter(struct unixctl_conn *conn,
                              int argc PLX_UNUSED, const char *argv[],
                              void *aux PLX_UNUSED)
{
    uint64_t count;

    if (coverage_read_counter(argv[1], &count)) {
        char *reply = xasprintf("%"PRIu64"\n", count);

        unixctl_command_reply(conn, reply);
        free(reply);
    } else {
        char *error = xasprintf("No such counter \"%s\"", argv[1]);

        unixctl_command_reply_error(conn, error);
        free(error);
    }
}

void
coverage_init(void)
{
    static bool inited;

    if (!inited) {
        inited = true;
        unixctl_command_register("coverage/show", "", 0, 0,
                                 coverage_unixctl_show, NULL);
        unixctl_command_register("coverage/read-counter", "COUNTER", 1, 1,
                                 coverage_unixctl_read_counter, NULL);
    }
}
