/* Tests for lib/coverage: exact totals with several threads counting
 * (while they run and after they exit), counters registered late, rates
 * computed from samples taken at chosen times, the coverage/show format,
 * the never-hit count and hash, and the unixctl commands. */
#include <config.h>
#include "coverage.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include "jsonrpc.h"
#include "poll-loop.h"
#include "test.h"
#include "unixctl.h"

COVERAGE_DEFINE(test_alpha);
COVERAGE_DEFINE(test_beta);
COVERAGE_DEFINE(test_gamma);
COVERAGE_DEFINE(test_never1);
COVERAGE_DEFINE(test_never2);

static uint64_t
read_counter(const char *name)
{
    uint64_t count = UINT64_MAX;

    CHECK_MSG(coverage_read_counter(name, &count), "no counter %s", name);
    return count;
}

/* ---- Threads. ---- */

#define N_THREADS 4
#define N_INCS 1000000

static pthread_barrier_t counted, may_exit;

static void *
count_thread(void *arg)
{
    uintptr_t id = (uintptr_t) arg;

    for (int i = 0; i < N_INCS; i++) {
        COVERAGE_INC(test_alpha);
        if (i % 1000 == 0) {
            COVERAGE_ADD(test_beta, id + 1);
        }
    }
    pthread_barrier_wait(&counted);
    pthread_barrier_wait(&may_exit);
    return NULL;
}

TEST(threads_count_exactly)
{
    pthread_t threads[N_THREADS];
    uint64_t beta = 0;

    pthread_barrier_init(&counted, NULL, N_THREADS + 1);
    pthread_barrier_init(&may_exit, NULL, N_THREADS + 1);
    COVERAGE_INC(test_alpha);               /* The main thread's block. */
    for (uintptr_t i = 0; i < N_THREADS; i++) {
        pthread_create(&threads[i], NULL, count_thread, (void *) i);
        beta += (i + 1) * (N_INCS / 1000);
    }

    /* All threads alive: totals come from their blocks. */
    pthread_barrier_wait(&counted);
    CHECK_U64_EQ(read_counter("test_alpha"),
                 (uint64_t) N_THREADS * N_INCS + 1);
    CHECK_U64_EQ(read_counter("test_beta"), beta);

    /* All threads gone: their blocks were folded in, nothing lost. */
    pthread_barrier_wait(&may_exit);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK_U64_EQ(read_counter("test_alpha"),
                 (uint64_t) N_THREADS * N_INCS + 1);
    CHECK_U64_EQ(read_counter("test_beta"), beta);

    /* A second generation of threads adds to the folded counts. */
    pthread_barrier_destroy(&counted);
    pthread_barrier_destroy(&may_exit);
    pthread_barrier_init(&counted, NULL, 2);
    pthread_barrier_init(&may_exit, NULL, 2);
    pthread_create(&threads[0], NULL, count_thread, (void *) 0);
    pthread_barrier_wait(&counted);
    pthread_barrier_wait(&may_exit);
    pthread_join(threads[0], NULL);
    CHECK_U64_EQ(read_counter("test_alpha"),
                 (uint64_t) (N_THREADS + 1) * N_INCS + 1);
    CHECK_U64_EQ(read_counter("test_beta"), beta + N_INCS / 1000);
    CHECK_U64_EQ(read_counter("test_gamma"), 0);

    uint64_t dummy = 42;
    CHECK(!coverage_read_counter("no_such_counter", &dummy));
    CHECK(!coverage_read_counter("", &dummy));
    CHECK_U64_EQ(dummy, 42);
}

static atomic_bool stop_reading;

static void *
reader_thread(void *arg PLX_UNUSED)
{
    uint64_t last = 0;

    while (!atomic_load(&stop_reading)) {
        uint64_t now = read_counter("test_alpha");
        CHECK_GE(now, last);                    /* Never goes backward. */
        last = now;
    }
    return NULL;
}

static void *
short_thread(void *arg PLX_UNUSED)
{
    for (int i = 0; i < 1000; i++) {
        COVERAGE_INC(test_alpha);
    }
    return NULL;
}

/* Threads that come and go while another reads: totals stay monotonic
 * and end exact. */
TEST(threads_exit_while_reading)
{
    pthread_t reader;

    atomic_init(&stop_reading, false);
    pthread_create(&reader, NULL, reader_thread, NULL);
    for (int round = 0; round < 50; round++) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++) {
            pthread_create(&t[i], NULL, short_thread, NULL);
        }
        for (int i = 0; i < 3; i++) {
            pthread_join(t[i], NULL);
        }
    }
    atomic_store(&stop_reading, true);
    pthread_join(reader, NULL);
    CHECK_U64_EQ(read_counter("test_alpha"), 50 * 3 * 1000);
}

/* A counter registered after the thread's block was sized still counts
 * (through its 'extra'), from this and other threads. */
static struct coverage_counter late_counter = { "test_late", 0, 0, 0,
                                                {0}, {0} };

static void *
late_thread(void *arg PLX_UNUSED)
{
    COVERAGE_INC(test_alpha);            /* Block sized before "late". */
    pthread_barrier_wait(&counted);
    pthread_barrier_wait(&may_exit);
    for (int i = 0; i < 500; i++) {
        coverage_add(&late_counter, 2);
    }
    return NULL;
}

TEST(late_registration)
{
    pthread_t t;

    pthread_barrier_init(&counted, NULL, 2);
    pthread_barrier_init(&may_exit, NULL, 2);
    COVERAGE_INC(test_alpha);
    pthread_create(&t, NULL, late_thread, NULL);
    pthread_barrier_wait(&counted);

    coverage_counter_register(&late_counter);
    CHECK_U64_EQ(read_counter("test_late"), 0);
    coverage_add(&late_counter, 7);
    pthread_barrier_wait(&may_exit);
    pthread_join(t, NULL);
    CHECK_U64_EQ(read_counter("test_late"), 1007);
    CHECK_U64_EQ(read_counter("test_alpha"), 2);

    char *show = coverage_show();
    CHECK_MSG(test_regex_match(show, "^test_late .* total: 1007$"),
              "%s", show);
    free(show);
}

/* ---- Rates and output. ---- */

struct rates {
    double sec5, min, hr;
    unsigned long long int total;
};

/* Parses counter NAME's line of coverage/show output TEXT; returns false
 * if there is none. */
static bool
parse_line(const char *text, const char *name, struct rates *r)
{
    char *re = xasprintf("^%s +[0-9]+\\.[0-9]/sec +[0-9]+\\.[0-9]{3}/sec "
                         "+[0-9]+\\.[0-9]{4}/sec   total: [0-9]+$", name);
    bool well_formed = test_regex_match(text, re);
    free(re);
    if (!well_formed) {
        return false;
    }

    char *key = xasprintf("\n%s ", name);
    const char *p = strstr(text, key);
    free(key);
    CHECK(p);
    char got[64];
    CHECK_EQ(sscanf(p + 1, "%63s %lf/sec %lf/sec %lf/sec total: %llu",
                    got, &r->sec5, &r->min, &r->hr, &r->total), 5);
    CHECK_STREQ(got, name);
    return true;
}

static struct rates
rates_of(const char *name)
{
    char *text = coverage_show();
    struct rates r;

    CHECK_MSG(parse_line(text, name, &r), "no line for %s in:\n%s", name,
              text);
    free(text);
    return r;
}

#define CHECK_NEAR(A, B)                                                 \
    do {                                                                 \
        double a__ = (A), b__ = (B);                                     \
        CHECK_MSG(a__ - b__ < 0.0006 && b__ - a__ < 0.0006,             \
                  "%s == %s: %.6f vs %.6f", #A, #B, a__, b__);           \
    } while (0)

TEST(rates_from_samples)
{
    long long int t = 1000000;
    struct rates r;

    coverage_run_at(t);                 /* Starts the clock. */
    COVERAGE_ADD(test_alpha, 50);
    coverage_run_at(t + 4999);          /* Too early: no sample. */
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 0.0);
    CHECK_EQ(r.total, 50);

    t += 5000;
    coverage_run_at(t);
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 10.0);           /* 50 in 5 s. */
    CHECK_NEAR(r.min, 50 / 60.0);
    CHECK_NEAR(r.hr, 50 / 3600.0);
    CHECK_EQ(r.total, 50);

    /* A quiet interval: the 5-second rate drops, the others keep it. */
    t += 5000;
    coverage_run_at(t);
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 0.0);
    CHECK_NEAR(r.min, 50 / 60.0);
    CHECK_NEAR(r.hr, 50 / 3600.0);

    /* Twelve busy intervals: the first 50 leave the minute window but
     * stay in the hour. */
    for (int i = 0; i < 12; i++) {
        COVERAGE_ADD(test_alpha, 60);
        t += 5000;
        coverage_run_at(t);
    }
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 12.0);
    CHECK_NEAR(r.min, 720 / 60.0);
    CHECK_NEAR(r.hr, (50 + 720) / 3600.0);
    CHECK_EQ(r.total, 770);

    /* Sampling late by two intervals: 30 spread over three. */
    COVERAGE_ADD(test_alpha, 30);
    t += 15000;
    coverage_run_at(t);
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 2.0);
    CHECK_NEAR(r.min, (9 * 60 + 30) / 60.0);
    CHECK_NEAR(r.hr, (50 + 720 + 30) / 3600.0);
    CHECK_EQ(r.total, 800);

    /* An hour of silence: every window empties, the total stays. */
    for (int i = 0; i < 720; i++) {
        t += 5000;
        coverage_run_at(t);
    }
    r = rates_of("test_alpha");
    CHECK_NEAR(r.sec5, 0.0);
    CHECK_NEAR(r.min, 0.0);
    CHECK_NEAR(r.hr, 0.0);
    CHECK_EQ(r.total, 800);
}

TEST(rates_after_long_stall)
{
    long long int t = 0;
    struct rates r;

    coverage_run_at(t);
    COVERAGE_ADD(test_beta, 3600);
    t += 5000;
    coverage_run_at(t);
    r = rates_of("test_beta");
    CHECK_NEAR(r.hr, 1.0);

    /* Two hours without sampling: 1441 intervals missed, of which only
     * the last 720 can be shown; the old hour's 3600 are gone.  As in
     * OVS, the hour ring holds 59 whole minutes plus the current one so
     * far (here its first two intervals), so the hour sum is
     * 59 * 120 + 20, not 7200. */
    COVERAGE_ADD(test_beta, 14410);
    t += 1441 * 5000;
    coverage_run_at(t);
    r = rates_of("test_beta");
    CHECK_NEAR(r.sec5, 2.0);            /* 10 per interval. */
    CHECK_NEAR(r.min, 120 / 60.0);
    CHECK_NEAR(r.hr, (59 * 120 + 20) / 3600.0);
    CHECK_EQ(r.total, 3600 + 14410);
}

/* The "N events never hit" count, from its line in TEXT. */
static int
never_hit(const char *text)
{
    const char *p = strstr(text, "\n");
    int n = -1;

    CHECK(p);
    CHECK_MSG(test_regex_match(text, "^[0-9]+ events never hit$"),
              "%s", text);
    p = strstr(text, " events never hit\n");
    CHECK(p && p[strlen(" events never hit\n")] == '\0');
    while (p > text && p[-1] >= '0' && p[-1] <= '9') {
        p--;
    }
    CHECK_EQ(sscanf(p, "%d", &n), 1);
    return n;
}

static uint32_t
hash_of(const char *text)
{
    unsigned int hash;

    CHECK_EQ(sscanf(text, "Event coverage, avg rate over last: 5 seconds, "
                    "last minute, last hour,  hash=%8x:", &hash), 1);
    return hash;
}

TEST(show_format_and_never_hit)
{
    static const char header_re[] =
        "^Event coverage, avg rate over last: 5 seconds, last minute, "
        "last hour,  hash=[0-9a-f]{8}:$";
    char *text = coverage_show();
    int n0 = never_hit(text);
    uint32_t hash0 = hash_of(text);
    struct rates r;

    CHECK_MSG(test_regex_match(text, header_re), "%s", text);
    CHECK_GE(n0, 5);                    /* At least this file's five. */
    CHECK(!strstr(text, "test_alpha"));
    CHECK(!strstr(text, "test_never1"));
    free(text);

    COVERAGE_INC(test_alpha);
    text = coverage_show();
    CHECK_EQ(never_hit(text), n0 - 1);
    CHECK(parse_line(text, "test_alpha", &r));
    CHECK_EQ(r.total, 1);
    uint32_t hash1 = hash_of(text);
    CHECK_NE(hash1, hash0);
    free(text);

    /* Same counters hit, more often: never-hit and hash unchanged. */
    COVERAGE_ADD(test_alpha, 41);
    text = coverage_show();
    CHECK_EQ(never_hit(text), n0 - 1);
    CHECK_EQ(hash_of(text), hash1);
    CHECK(parse_line(text, "test_alpha", &r));
    CHECK_EQ(r.total, 42);
    free(text);

    /* Adding zero hits nothing. */
    COVERAGE_ADD(test_gamma, 0);
    COVERAGE_ADD(test_beta, 1);
    text = coverage_show();
    CHECK_EQ(never_hit(text), n0 - 2);
    CHECK(!strstr(text, "test_gamma"));
    CHECK(!strstr(text, "test_never2"));
    uint32_t hash2 = hash_of(text);
    CHECK_NE(hash2, hash1);
    free(text);

    /* The hash depends on the ranking: beta overtaking alpha changes
     * it, and beta going on to any higher count does not. */
    COVERAGE_ADD(test_beta, 100);
    text = coverage_show();
    uint32_t hash3 = hash_of(text);
    CHECK_NE(hash3, hash2);
    free(text);
    COVERAGE_ADD(test_beta, 1000);
    text = coverage_show();
    CHECK_EQ(hash_of(text), hash3);
    /* Lines end the text in order; the last line is the never-hit one. */
    CHECK(strstr(text, "\ntest_alpha ") && strstr(text, "\ntest_beta "));
    free(text);
}

/* ---- The unixctl commands, with a server in a thread. ---- */

struct server {
    struct unixctl_server *server;
    pthread_t thread;
    atomic_bool exit;
};

static void *
server_main(void *s_)
{
    struct server *s = s_;

    while (!atomic_load(&s->exit)) {
        unixctl_server_run(s->server);
        coverage_run();
        unixctl_server_wait(s->server);
        coverage_wait();
        poll_timer_wait(50);
        poll_block();
    }
    unixctl_server_destroy(s->server);
    return NULL;
}

static char *
run(const char *path, bool expect_success, const char *command,
    const char *arg)
{
    const char *argv[1] = { arg };
    struct jsonrpc *client;
    char *result, *error;

    CHECK_EQ(unixctl_client_create(path, 5000, &client), 0);
    CHECK_EQ(unixctl_client_transact(client, command, arg ? 1 : 0, argv,
                                     &result, &error), 0);
    jsonrpc_close(client);
    if (expect_success) {
        CHECK_MSG(result && !error, "%s: error: %s", command, error);
        return result;
    }
    CHECK_MSG(error && !result, "%s: success: %s", command, result);
    return error;
}

TEST(unixctl_commands)
{
    char *path = xasprintf("%s/cov.ctl", test_tmpdir());
    struct server s;
    char *text;

    coverage_init();
    coverage_init();                    /* Idempotent. */
    CHECK_EQ(unixctl_server_create(path, &s.server), 0);
    atomic_init(&s.exit, false);
    pthread_create(&s.thread, NULL, server_main, &s);

    COVERAGE_ADD(test_gamma, 17);
    text = run(path, true, "coverage/show", NULL);
    CHECK_MSG(test_regex_match(text, "^Event coverage, avg rate over last: "
                               "5 seconds, last minute, last hour,  "
                               "hash=[0-9a-f]{8}:$"), "%s", text);
    CHECK_MSG(test_regex_match(text, "^test_gamma +0\\.0/sec +0\\.000/sec "
                               "+0\\.0000/sec   total: 17$"), "%s", text);
    CHECK_MSG(test_regex_match(text, "^[0-9]+ events never hit$"), "%s",
              text);
    free(text);

    text = run(path, true, "coverage/read-counter", "test_gamma");
    CHECK_STREQ(text, "17\n");
    free(text);
    text = run(path, true, "coverage/read-counter", "test_never1");
    CHECK_STREQ(text, "0\n");
    free(text);
    text = run(path, false, "coverage/read-counter", "bogus");
    CHECK(strstr(text, "No such counter \"bogus\""));
    free(text);
    text = run(path, false, "coverage/show", "extra");
    free(text);

    text = run(path, true, "list-commands", NULL);
    CHECK(strstr(text, "coverage/show"));
    CHECK(strstr(text, "coverage/read-counter"));
    free(text);

    atomic_store(&s.exit, true);
    pthread_join(s.thread, NULL);
    free(path);
}
