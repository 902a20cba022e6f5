/* Tests for lib/rcu: grace periods wait for online readers and only for
 * them, postponed callbacks run in order and never early, and a
 * publish/read stress test that would touch freed memory (caught by
 * poisoning, and by ASan) if reclamation were early. */
#include <config.h>
#include "rcu.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "test.h"

static void
sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int
load_int(const int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_int(int *p, int v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
wait_for(const int *flag, int value)
{
    while (load_int(flag) != value) {
        sleep_ms(1);
    }
}

TEST(register_idempotent)
{
    CHECK(!rcu_thread_is_registered());
    rcu_thread_register();
    rcu_thread_register();
    CHECK(rcu_thread_is_registered());
    rcu_quiesce();
    rcu_quiesce_start();
    rcu_quiesce_end();
    rcu_synchronize();          /* Registered caller: must not deadlock. */
    rcu_wait_postponed();
    rcu_thread_unregister();
    rcu_thread_unregister();
    CHECK(!rcu_thread_is_registered());
    rcu_quiesce();              /* No-op when unregistered. */
    rcu_synchronize();
}

/* A reader that stays online without quiescing until told. */
struct reader {
    int ready;
    int go;
    int quiescing;
    int offline;                /* Go offline while waiting. */
};

static void *
reader_main(void *r_)
{
    struct reader *r = r_;

    rcu_thread_register();
    if (r->offline) {
        rcu_quiesce_start();
    }
    store_int(&r->ready, 1);
    wait_for(&r->go, 1);
    if (r->offline) {
        rcu_quiesce_end();
    }
    store_int(&r->quiescing, 1);
    rcu_quiesce();
    rcu_thread_unregister();
    return NULL;
}

static void
set_flag(int *flag)
{
    store_int(flag, 1);
}

TEST(postpone_waits_for_online_reader)
{
    struct reader r = { 0 };
    int ran = 0;
    pthread_t t;

    pthread_create(&t, NULL, reader_main, &r);
    wait_for(&r.ready, 1);
    rcu_postpone(set_flag, &ran);
    sleep_ms(100);
    CHECK_EQ(load_int(&ran), 0);
    store_int(&r.go, 1);
    rcu_wait_postponed();
    CHECK_EQ(load_int(&ran), 1);
    pthread_join(t, NULL);
}

struct sync_arg {
    struct reader *reader;
    int returned;
};

static void *
synchronizer_main(void *arg_)
{
    struct sync_arg *arg = arg_;

    rcu_synchronize();
    /* The reader must have reached its quiescent state first. */
    CHECK_EQ(load_int(&arg->reader->quiescing), 1);
    store_int(&arg->returned, 1);
    return NULL;
}

TEST(synchronize_waits_for_online_reader)
{
    struct reader r = { 0 };
    struct sync_arg arg = { &r, 0 };
    pthread_t t, s;

    pthread_create(&t, NULL, reader_main, &r);
    wait_for(&r.ready, 1);
    pthread_create(&s, NULL, synchronizer_main, &arg);
    sleep_ms(100);
    CHECK_EQ(load_int(&arg.returned), 0);
    store_int(&r.go, 1);
    pthread_join(s, NULL);
    CHECK_EQ(load_int(&arg.returned), 1);
    pthread_join(t, NULL);
}

TEST(offline_reader_does_not_block)
{
    struct reader r = { .offline = 1 };
    int ran = 0;
    pthread_t t;

    pthread_create(&t, NULL, reader_main, &r);
    wait_for(&r.ready, 1);
    rcu_synchronize();                  /* Would hang if r counted. */
    rcu_postpone(set_flag, &ran);
    rcu_wait_postponed();
    CHECK_EQ(load_int(&ran), 1);
    CHECK_EQ(load_int(&r.quiescing), 0);
    store_int(&r.go, 1);
    pthread_join(t, NULL);
}

struct order_log {
    int n;
    int seen[1000];
};

struct order_item {
    struct order_log *log;
    int value;
};

static void
log_item(struct order_item *item)
{
    item->log->seen[item->log->n++] = item->value;
    free(item);
}

TEST(postpone_order)
{
    struct order_log log = { 0 };

    rcu_thread_register();
    for (int i = 0; i < 1000; i++) {
        struct order_item *item = xmalloc(sizeof *item);
        item->log = &log;
        item->value = i;
        rcu_postpone(log_item, item);
        if (i % 100 == 0) {
            rcu_quiesce();
        }
    }
    rcu_wait_postponed();
    CHECK_EQ(log.n, 1000);
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(log.seen[i], i);
    }
    rcu_thread_unregister();
}

static void *
postpone_and_exit(void *flag)
{
    rcu_postpone(set_flag, (int *) flag);
    return NULL;
}

TEST(postpone_from_unregistered_thread)
{
    int ran = 0;
    pthread_t t;

    pthread_create(&t, NULL, postpone_and_exit, &ran);
    pthread_join(t, NULL);
    CHECK(!rcu_thread_is_registered());
    rcu_wait_postponed();
    CHECK_EQ(load_int(&ran), 1);
}

/* Stress: a writer republishes a pair whose halves must agree; readers
 * check every pair they see.  The writer poisons a pair before freeing
 * it, so a pair freed while a reader could still see it shows up as a
 * mismatch even without ASan. */
struct pair {
    long a;
    long b;                     /* Always a * 3, until poisoned. */
};

static struct pair *shared_pair;
static int stop_readers;
static int readers_started;
static int reader_errors;

static void
free_pair(struct pair *p)
{
    p->a = -1;
    p->b = 1;
    free(p);
}

static void *
stress_reader(void *arg)
{
    long reads = 0, last = 0;

    rcu_thread_register();
    while (!load_int(&stop_readers)) {
        const struct pair *p = rcu_get(shared_pair);
        for (int spin = 0; spin < 50; spin++) {
            if (p->b != p->a * 3 || p->a < last) {
                __atomic_fetch_add(&reader_errors, 1, __ATOMIC_RELAXED);
            }
        }
        last = p->a;
        if (!reads++) {
            __atomic_fetch_add(&readers_started, 1, __ATOMIC_RELEASE);
        }
        if (reads % 4 == 0) {
            rcu_quiesce();
        }
    }
    rcu_thread_unregister();
    return (void *) reads;
}

TEST(publish_stress)
{
    pthread_t readers[2];
    struct pair *p = xmalloc(sizeof *p);

    p->a = 0;
    p->b = 0;
    rcu_init(shared_pair, p);
    for (int i = 0; i < 2; i++) {
        pthread_create(&readers[i], NULL, stress_reader, NULL);
    }
    wait_for(&readers_started, 2);
    rcu_thread_register();
    for (long i = 1; i <= 20000; i++) {
        struct pair *old = shared_pair;
        struct pair *new = xmalloc(sizeof *new);
        new->a = i;
        new->b = i * 3;
        rcu_set(shared_pair, new);
        rcu_postpone(free_pair, old);
        if (i % 16 == 0) {
            rcu_quiesce();
        }
    }
    store_int(&stop_readers, 1);
    for (int i = 0; i < 2; i++) {
        void *reads;
        pthread_join(readers[i], &reads);
        CHECK_GT((long) reads, 0);
    }
    CHECK_EQ(load_int(&reader_errors), 0);
    rcu_postpone(free_pair, shared_pair);
    rcu_thread_unregister();
    rcu_wait_postponed();
}
