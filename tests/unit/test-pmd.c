/* Tests for datapath/pmd: packets injected on dummy rx queues reach the
 * callback exactly once, on the PMD that owns the queue; an idle PMD
 * sleeps; queues move between PMDs and cores change with traffic flowing
 * and nothing lost; statistics add up; shutdown joins every thread. */
#include <config.h>
#include "datapath/pmd.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "smap.h"
#include "test.h"
#include "timeval.h"

#define MAX_Q 4
#define MAX_SEQ 20000

/* What the callback saw.  'owner' is what the test expects per queue. */
struct sink {
    pthread_mutex_t mutex;
    struct netdev_rxq *rxqs[MAX_Q];
    struct pmd_thread *owner[MAX_Q];    /* NULL: any PMD may own it. */
    uint8_t seen[MAX_Q][MAX_SEQ];
    uint64_t total;
    uint64_t wrong_pmd;
    uint64_t bad_packet;
};

static struct sink *
sink_create(void)
{
    struct sink *s = xzalloc(sizeof *s);
    pthread_mutex_init(&s->mutex, NULL);
    return s;
}

static void
sink_destroy(struct sink *s)
{
    pthread_mutex_destroy(&s->mutex);
    free(s);
}

static void
sink_process(void *aux, struct pmd_thread *pmd, struct netdev_rxq *rxq,
             struct dp_packet_batch *batch)
{
    struct sink *s = aux;

    pthread_mutex_lock(&s->mutex);
    int q = -1;
    for (int i = 0; i < MAX_Q; i++) {
        if (s->rxqs[i] == rxq) {
            q = i;
        }
    }
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *pkt = batch->packets[i];
        uint32_t seq;

        if (q < 0 || dp_packet_size(pkt) != sizeof seq) {
            s->bad_packet++;
        } else {
            memcpy(&seq, dp_packet_data(pkt), sizeof seq);
            if (seq >= MAX_SEQ) {
                s->bad_packet++;
            } else if (s->seen[q][seq] < 255) {
                s->seen[q][seq]++;
            }
            if (s->owner[q] && s->owner[q] != pmd) {
                s->wrong_pmd++;
            }
        }
        s->total++;
    }
    pthread_mutex_unlock(&s->mutex);
    dp_packet_delete_batch(batch, true);
}

static uint64_t
sink_total(struct sink *s)
{
    pthread_mutex_lock(&s->mutex);
    uint64_t t = s->total;
    pthread_mutex_unlock(&s->mutex);
    return t;
}

static void
sink_wait_total(struct sink *s, uint64_t want)
{
    long long int deadline = time_msec() + 20000;
    while (sink_total(s) < want && time_msec() < deadline) {
        plx_msleep(1);
    }
    CHECK_U64_EQ(sink_total(s), want);
}

static void
sink_check_once(struct sink *s, int n_q, uint32_t n_seq)
{
    for (int q = 0; q < n_q; q++) {
        for (uint32_t i = 0; i < n_seq; i++) {
            CHECK_MSG(s->seen[q][i] == 1, "queue %d seq %"PRIu32" seen %d "
                      "times", q, i, s->seen[q][i]);
        }
    }
    CHECK_U64_EQ(s->bad_packet, 0);
}

/* Injects SEQ on queue Q, waiting while the queue is full. */
static void
inject(struct netdev *netdev, int q, uint32_t seq)
{
    for (;;) {
        struct dp_packet *pkt = dp_packet_clone_data(&seq, sizeof seq);
        int error = netdev_dummy_receive(netdev, q, pkt);
        if (error != ENOBUFS) {
            CHECK_EQ(error, 0);
            return;
        }
        plx_msleep(1);
    }
}

static struct netdev *
open_dummy(const char *name, int n_rxq, struct netdev_rxq *rxqs[])
{
    struct netdev *netdev;
    struct smap opts;
    char buf[16];

    CHECK_EQ(netdev_open(name, "dummy", &netdev), 0);
    smap_init(&opts);
    snprintf(buf, sizeof buf, "%d", n_rxq);
    smap_add(&opts, "n_rxq", buf);
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    smap_destroy(&opts);
    for (int i = 0; i < n_rxq; i++) {
        CHECK_EQ(netdev_rxq_open(netdev, i, &rxqs[i]), 0);
    }
    return netdev;
}

static void
close_dummy(struct netdev *netdev, int n_rxq, struct netdev_rxq *rxqs[])
{
    for (int i = 0; i < n_rxq; i++) {
        netdev_rxq_close(rxqs[i]);
    }
    netdev_close(netdev);
}

TEST(parse_cpu_mask)
{
    int cores[8];
    size_t n;

    CHECK_EQ(pmd_parse_cpu_mask("0x5", cores, 8, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(cores[0], 0);
    CHECK_EQ(cores[1], 2);
    CHECK_EQ(pmd_parse_cpu_mask("F0", cores, 8, &n), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(cores[0], 4);
    CHECK_EQ(cores[3], 7);
    CHECK_EQ(pmd_parse_cpu_mask("0x100000000", cores, 8, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(cores[0], 32);

    CHECK_EQ(pmd_parse_cpu_mask("", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask("0x", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask("0x0", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask("0x1g", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask("-1", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask(" 3", cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask(NULL, cores, 8, &n), EINVAL);
    CHECK_EQ(pmd_parse_cpu_mask("1ff", cores, 8, &n), ERANGE);
    char big[300];
    memset(big, '0', sizeof big - 1);
    big[0] = '1';
    big[sizeof big - 1] = '\0';
    CHECK_EQ(pmd_parse_cpu_mask(big, cores, 8, &n), ERANGE);

    struct pmd_set *set = (struct pmd_set *) 1;
    CHECK_EQ(pmd_set_create("zz", sink_process, NULL, &set), EINVAL);
    CHECK(set == NULL);
}

TEST(delivery_exactly_once_on_owner)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[MAX_Q];
    struct netdev *netdev = open_dummy("p0", MAX_Q, rxqs);
    struct pmd_set *set;

    CHECK_EQ(pmd_set_create("0x3", sink_process, s, &set), 0);
    CHECK_EQ(pmd_set_n_pmds(set), 2);
    for (int q = 0; q < MAX_Q; q++) {
        s->rxqs[q] = rxqs[q];
        CHECK_EQ(pmd_set_add_rxq(set, rxqs[q]), 0);
        s->owner[q] = pmd_set_find_rxq(set, rxqs[q]);
        CHECK(s->owner[q] != NULL);
    }
    CHECK_EQ(pmd_set_add_rxq(set, rxqs[0]), EEXIST);
    /* Round-robin: two queues each. */
    CHECK_EQ(pmd_thread_n_rxq(pmd_set_get_pmd(set, 0)), 2);
    CHECK_EQ(pmd_thread_n_rxq(pmd_set_get_pmd(set, 1)), 2);
    CHECK(pmd_set_get_pmd(set, 2) == NULL);

    const uint32_t n = 3000;
    for (uint32_t i = 0; i < n; i++) {
        for (int q = 0; q < MAX_Q; q++) {
            inject(netdev, q, i);
        }
    }
    sink_wait_total(s, MAX_Q * n);
    plx_msleep(20);
    CHECK_U64_EQ(sink_total(s), MAX_Q * n);
    sink_check_once(s, MAX_Q, n);
    CHECK_U64_EQ(s->wrong_pmd, 0);

    /* Statistics add up: per PMD, per queue, in total. */
    uint64_t sum = 0;
    for (size_t i = 0; i < 2; i++) {
        struct pmd_thread *pmd = pmd_set_get_pmd(set, i);
        struct pmd_stats st;
        uint64_t qsum = 0;

        pmd_thread_get_stats(pmd, &st);
        for (int q = 0; q < MAX_Q; q++) {
            struct pmd_rxq_stats rs;
            int error = pmd_thread_get_rxq_stats(pmd, rxqs[q], &rs);
            if (s->owner[q] == pmd) {
                CHECK_EQ(error, 0);
                CHECK_U64_EQ(rs.packets, n);
                CHECK(rs.busy_ns > 0);
                CHECK(rs.busy_cycles > 0);
                qsum += rs.packets;
            } else {
                CHECK_EQ(error, ENOENT);
            }
        }
        CHECK_U64_EQ(st.packets, qsum);
        CHECK(st.batches > 0 && st.batches <= st.packets);
        CHECK(st.iterations >= st.batches / 2);
        CHECK(st.busy_ns > 0);
        CHECK(st.busy_cycles > 0);
        CHECK(st.busy_iterations > 0 && st.busy_iterations <= st.batches);
        sum += st.packets;
    }
    CHECK_U64_EQ(sum, MAX_Q * n);

    struct ds ds;
    ds_init(&ds);
    pmd_set_format_stats(set, &ds);
    CHECK(test_regex_match(ds_cstr(&ds),
                           "^pmd thread numa_id 0 core_id 0:$"));
    CHECK(test_regex_match(ds_cstr(&ds),
                           "^pmd thread numa_id 0 core_id 1:$"));
    CHECK(test_regex_match(ds_cstr(&ds), "^  packets received: 6000$"));
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^  processing cycles: [1-9][0-9]* \\("
                               "[0-9.]+%\\)$"), "%s", ds_cstr(&ds));
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^  avg processing cycles per packet: "
                               "[0-9.]+ \\([1-9][0-9]*/6000\\)$"),
              "%s", ds_cstr(&ds));
    CHECK(test_regex_match(ds_cstr(&ds),
                           "^  port: p0 queue-id: 3 packets: 3000 "));
    CHECK(test_regex_match(ds_cstr(&ds), "^  idle time: [0-9]+ us"));
    ds_destroy(&ds);

    CHECK_EQ(pmd_set_remove_rxq(set, rxqs[1]), 0);
    CHECK_EQ(pmd_set_remove_rxq(set, rxqs[1]), ENOENT);
    CHECK(pmd_set_find_rxq(set, rxqs[1]) == NULL);
    pmd_set_destroy(set);
    close_dummy(netdev, MAX_Q, rxqs);
    sink_destroy(s);
}

/* Runs an idle PMD on two dummy queues for a second and returns its CPU
 * time and sleep count.  RX_WAKEUP false makes the queues polled-only. */
static void
idle_pmd_run(bool rx_wakeup, long long int *cpup, long long int *wallp,
             uint64_t *sleepsp)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[2];
    struct netdev *netdev = open_dummy("p0", 2, rxqs);
    struct pmd_thread *pmd = pmd_thread_create(-1, sink_process, s);
    struct smap opts;

    smap_init(&opts);
    smap_add(&opts, "n_rxq", "2");
    smap_add(&opts, "rx_wakeup", rx_wakeup ? "true" : "false");
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    smap_destroy(&opts);

    s->rxqs[0] = rxqs[0];
    s->rxqs[1] = rxqs[1];
    CHECK_EQ(pmd_thread_add_rxq(pmd, rxqs[0]), 0);
    CHECK_EQ(pmd_thread_add_rxq(pmd, rxqs[1]), 0);
    CHECK_EQ(pmd_thread_add_rxq(pmd, rxqs[1]), EEXIST);
    plx_msleep(100);

    struct pmd_stats st0, st;
    pmd_thread_get_stats(pmd, &st0);
    long long int cpu0 = pmd_thread_get_cpu_nsec(pmd);
    long long int wall0 = time_nsec();
    CHECK(cpu0 >= 0);
    plx_msleep(1000);
    *cpup = pmd_thread_get_cpu_nsec(pmd) - cpu0;
    *wallp = time_nsec() - wall0;
    pmd_thread_get_stats(pmd, &st);
    *sleepsp = st.sleeps - st0.sleeps;
    CHECK_U64_EQ(st.packets, 0);

    /* It still wakes for traffic at once. */
    inject(netdev, 1, 7);
    sink_wait_total(s, 1);
    CHECK_EQ(s->seen[1][7], 1);

    CHECK_EQ(pmd_thread_remove_rxq(pmd, rxqs[0]), 0);
    CHECK_EQ(pmd_thread_remove_rxq(pmd, rxqs[0]), ENOENT);
    CHECK_EQ(pmd_thread_n_rxq(pmd), 1);
    pmd_thread_destroy(pmd);
    close_dummy(netdev, 2, rxqs);
    sink_destroy(s);
}

/* Cores the process cannot run on are ignored, as Open vSwitch ignores
 * cores that are not online: a mask of 1024 bits starts one thread per
 * available core, not 1024; a mask of only absent cores is refused. */
TEST(cpu_mask_limited_to_available_cores)
{
    struct sink *s = sink_create();
    struct pmd_set *set;
    cpu_set_t online;
    char mask[PMD_MAX_CORES / 4 + 3];

    CHECK_EQ(sched_getaffinity(0, sizeof online, &online), 0);
    snprintf(mask, sizeof mask, "0x");
    memset(mask + 2, 'f', PMD_MAX_CORES / 4);
    mask[2 + PMD_MAX_CORES / 4] = '\0';
    CHECK_EQ(pmd_set_create(mask, sink_process, s, &set), 0);
    CHECK_EQ(pmd_set_n_pmds(set), CPU_COUNT(&online));

    /* The highest possible core is not available on any machine that
     * runs this test. */
    CHECK(!CPU_ISSET(PMD_MAX_CORES - 1, &online));
    snprintf(mask, sizeof mask, "0x8%0*d", PMD_MAX_CORES / 4 - 1, 0);
    CHECK_EQ(pmd_set_set_cpu_mask(set, mask), EINVAL);
    CHECK_EQ(pmd_set_n_pmds(set), CPU_COUNT(&online));
    pmd_set_destroy(set);
    CHECK(pmd_set_create(mask, sink_process, s, &set) == EINVAL);
    sink_destroy(s);
}

TEST(idle_pmd_sleeps)
{
    long long int cpu, wall;
    uint64_t sleeps;

    /* Queues that can wake it: it blocks until traffic comes. */
    idle_pmd_run(true, &cpu, &wall, &sleeps);
    CHECK_MSG(cpu * 100 < wall, "idle PMD used %lld ns of CPU in %lld ns",
              cpu, wall);
    CHECK_MSG(sleeps <= 2, "idle PMD woke %"PRIu64" times", sleeps);
}

TEST(idle_pmd_polls_polled_only_queues_on_a_timer)
{
    long long int cpu, wall;
    uint64_t sleeps;

    /* A polled-only queue: it wakes every PMD_MAX_SLEEP_MS to poll, which
     * costs far less than spinning. */
    idle_pmd_run(false, &cpu, &wall, &sleeps);
    CHECK_MSG(cpu * 4 < wall, "idle PMD used %lld ns of CPU in %lld ns",
              cpu, wall);
    CHECK_MSG(sleeps > 100 && sleeps <= 1000 / PMD_MAX_SLEEP_MS + 50,
              "idle PMD slept %"PRIu64" times in a second", sleeps);
}

struct injector {
    struct netdev *netdev;
    int n_q;
    uint32_t n;
};

static void *
injector_main(void *inj_)
{
    struct injector *inj = inj_;
    for (uint32_t i = 0; i < inj->n; i++) {
        for (int q = 0; q < inj->n_q; q++) {
            inject(inj->netdev, q, i);
        }
    }
    return NULL;
}

TEST(move_rxq_while_flowing_loses_nothing)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[2];
    struct netdev *netdev = open_dummy("p0", 2, rxqs);
    struct pmd_set *set;

    CHECK_EQ(pmd_set_create("0x3", sink_process, s, &set), 0);
    s->rxqs[0] = rxqs[0];
    s->rxqs[1] = rxqs[1];
    CHECK_EQ(pmd_set_add_rxq(set, rxqs[0]), 0);
    CHECK_EQ(pmd_set_add_rxq(set, rxqs[1]), 0);

    struct injector inj = { netdev, 2, MAX_SEQ };
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, injector_main, &inj), 0);
    int moves = 0;
    while (sink_total(s) < 2 * MAX_SEQ - 2000 && moves < 10000) {
        int core = pmd_thread_core_id(pmd_set_find_rxq(set, rxqs[0]));
        CHECK_EQ(pmd_set_move_rxq(set, rxqs[0], !core), 0);
        moves++;
        plx_msleep(moves % 3);
    }
    CHECK_EQ(pmd_set_move_rxq(set, rxqs[0], 5), ENOENT);
    pthread_join(thread, NULL);
    sink_wait_total(s, 2 * MAX_SEQ);
    CHECK_GT(moves, 5);
    sink_check_once(s, 2, MAX_SEQ);

    /* The queue's counters moved with it.  A PMD counts a batch just
     * after handing it to the sink, so the last batch may still be
     * uncounted when the sink has seen everything: wait for it. */
    struct pmd_rxq_stats rs;
    long long int deadline = time_msec() + 5000;
    do {
        CHECK_EQ(pmd_thread_get_rxq_stats(pmd_set_find_rxq(set, rxqs[0]),
                                          rxqs[0], &rs), 0);
    } while (rs.packets < MAX_SEQ && time_msec() < deadline
             && (plx_msleep(1), true));
    CHECK_U64_EQ(rs.packets, MAX_SEQ);

    pmd_set_destroy(set);
    close_dummy(netdev, 2, rxqs);
    sink_destroy(s);
}

TEST(change_cpu_mask_while_flowing)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[MAX_Q];
    struct netdev *netdev = open_dummy("p0", MAX_Q, rxqs);
    struct pmd_set *set;

    CHECK_EQ(pmd_set_create("1", sink_process, s, &set), 0);
    for (int q = 0; q < MAX_Q; q++) {
        s->rxqs[q] = rxqs[q];
        CHECK_EQ(pmd_set_add_rxq(set, rxqs[q]), 0);
    }
    struct pmd_thread *first = pmd_set_get_pmd(set, 0);

    struct injector inj = { netdev, MAX_Q, 5000 };
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, injector_main, &inj), 0);

    /* Growing keeps the existing PMD and its queues. */
    CHECK_EQ(pmd_set_set_cpu_mask(set, "0x3"), 0);
    CHECK_EQ(pmd_set_n_pmds(set), 2);
    CHECK(pmd_set_get_pmd(set, 0) == first);
    CHECK_EQ(pmd_thread_n_rxq(first), MAX_Q);
    CHECK_EQ(pmd_thread_n_rxq(pmd_set_get_pmd(set, 1)), 0);

    /* A bad mask changes nothing. */
    CHECK_EQ(pmd_set_set_cpu_mask(set, "0xq"), EINVAL);
    CHECK_EQ(pmd_set_n_pmds(set), 2);

    /* Dropping core 0 moves its queues to core 1. */
    plx_msleep(5);
    CHECK_EQ(pmd_set_set_cpu_mask(set, "0x2"), 0);
    CHECK_EQ(pmd_set_n_pmds(set), 1);
    CHECK_EQ(pmd_thread_core_id(pmd_set_get_pmd(set, 0)), 1);
    CHECK_EQ(pmd_thread_n_rxq(pmd_set_get_pmd(set, 0)), MAX_Q);

    /* No mask: one unpinned PMD takes over every queue. */
    CHECK_EQ(pmd_set_set_cpu_mask(set, NULL), 0);
    CHECK_EQ(pmd_thread_core_id(pmd_set_get_pmd(set, 0)), -1);
    CHECK_EQ(pmd_thread_n_rxq(pmd_set_get_pmd(set, 0)), MAX_Q);

    pthread_join(thread, NULL);
    sink_wait_total(s, MAX_Q * 5000);
    sink_check_once(s, MAX_Q, 5000);

    pmd_set_destroy(set);
    close_dummy(netdev, MAX_Q, rxqs);
    sink_destroy(s);
}

TEST(shutdown_with_queues_and_traffic)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[2];
    struct netdev *netdev = open_dummy("p0", 2, rxqs);

    for (int round = 0; round < 20; round++) {
        struct pmd_set *set;
        CHECK_EQ(pmd_set_create("0x3", sink_process, s, &set), 0);
        s->rxqs[0] = rxqs[0];
        s->rxqs[1] = rxqs[1];
        CHECK_EQ(pmd_set_add_rxq(set, rxqs[0]), 0);
        CHECK_EQ(pmd_set_add_rxq(set, rxqs[1]), 0);
        inject(netdev, round % 2, round);
        pmd_set_destroy(set);
    }
    /* Whatever was not received is still queued, not lost. */
    struct pmd_thread *pmd = pmd_thread_create(-1, sink_process, s);
    CHECK_EQ(pmd_thread_add_rxq(pmd, rxqs[0]), 0);
    CHECK_EQ(pmd_thread_add_rxq(pmd, rxqs[1]), 0);
    sink_wait_total(s, 20);
    for (int round = 0; round < 20; round++) {
        CHECK_EQ(s->seen[round % 2][round], 1);
    }
    pmd_thread_destroy(pmd);
    close_dummy(netdev, 2, rxqs);
    sink_destroy(s);
}

/* Per-thread hooks and per-queue aux: 'create' runs for every PMD a set
 * creates (also on a mask change) before it processes anything, 'destroy'
 * once for each; a queue's aux reaches the callback and moves with the
 * queue. */
struct hooked {
    pthread_mutex_t mutex;
    int created, destroyed;
    int wrong;                  /* Callbacks that saw a bad aux. */
    int packets;
    struct netdev_rxq *rxqs[2];
};

static void *
hooked_create(void *h_, struct pmd_thread *pmd)
{
    struct hooked *h = h_;
    struct pmd_thread **self = xmalloc(sizeof *self);

    *self = pmd;
    pthread_mutex_lock(&h->mutex);
    h->created++;
    pthread_mutex_unlock(&h->mutex);
    return self;
}

static void
hooked_destroy(void *h_, struct pmd_thread *pmd, void *thread_aux)
{
    struct hooked *h = h_;
    struct pmd_thread **self = thread_aux;

    pthread_mutex_lock(&h->mutex);
    h->destroyed++;
    h->wrong += *self != pmd;
    pthread_mutex_unlock(&h->mutex);
    free(self);
}

static void
hooked_process(void *h_, struct pmd_thread *pmd, struct netdev_rxq *rxq,
               struct dp_packet_batch *batch)
{
    struct hooked *h = h_;
    struct pmd_thread **self = pmd_thread_get_aux(pmd);
    struct netdev_rxq **expect = pmd_thread_rxq_aux(pmd);

    pthread_mutex_lock(&h->mutex);
    h->wrong += !self || *self != pmd || !expect || *expect != rxq;
    h->packets += batch->count;
    pthread_mutex_unlock(&h->mutex);
    dp_packet_delete_batch(batch, true);
}

static int
hooked_packets(struct hooked *h)
{
    pthread_mutex_lock(&h->mutex);
    int n = h->packets;
    pthread_mutex_unlock(&h->mutex);
    return n;
}

static const struct pmd_thread_hooks test_hooks = {
    .create = hooked_create,
    .destroy = hooked_destroy,
};

TEST(thread_hooks_and_rxq_aux)
{
    struct hooked *h = xzalloc(sizeof *h);
    struct netdev *netdev;
    struct pmd_set *set;
    int expect = 0;

    pthread_mutex_init(&h->mutex, NULL);
    netdev = open_dummy("hk0", 2, h->rxqs);
    CHECK_EQ(pmd_set_create_with_hooks("0x1", hooked_process, &test_hooks,
                                       h, &set), 0);
    CHECK_EQ(h->created, 1);
    for (int i = 0; i < 2; i++) {
        /* The aux is the queue's own slot, so the callback can check. */
        CHECK_EQ(pmd_set_add_rxq_with_aux(set, h->rxqs[i], &h->rxqs[i]), 0);
    }
    CHECK_EQ(pmd_set_add_rxq_with_aux(set, h->rxqs[0], NULL), EEXIST);

    static const char *masks[] = { "0x3", "0x2", "", "0x1" };
    for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
        CHECK_EQ(pmd_set_set_cpu_mask(set, masks[m]), 0);
        for (int i = 0; i < 2; i++) {
            struct dp_packet *pkt = dp_packet_new(64);
            dp_packet_put_zeros(pkt, 4);
            CHECK_EQ(netdev_dummy_receive(netdev, i, pkt), 0);
            expect++;
        }
        long long int deadline = time_msec() + 5000;
        while (hooked_packets(h) < expect) {
            CHECK_LT(time_msec(), deadline);
            plx_msleep(1);
        }
    }
    /* Core 0, then core 1 (0x3 keeps core 0), none (0x2 keeps core 1),
     * unpinned (""), core 0 again (0x1). */
    CHECK_EQ(h->created, 4);
    CHECK_EQ(h->destroyed, 3);
    pmd_set_destroy(set);
    CHECK_EQ(h->destroyed, 4);
    CHECK_EQ(h->wrong, 0);
    CHECK_EQ(h->packets, expect);
    close_dummy(netdev, 2, h->rxqs);
    pthread_mutex_destroy(&h->mutex);
    free(h);
}

/* pmd_set_add_rxq_on() places a queue on a chosen core; statistics
 * clear to zero without touching the queue's own counters; the TSC rate
 * is plausible. */
/* Waits (up to 5 s) until PMD has counted N packets since its stats
 * were last cleared. */
static void
pmd_wait_packets(struct pmd_thread *pmd, uint64_t n)
{
    long long int deadline = time_msec() + 5000;
    struct pmd_stats st;

    for (;;) {
        pmd_thread_get_stats(pmd, &st);
        if (st.packets >= n || time_msec() >= deadline) {
            return;
        }
        plx_msleep(1);
    }
}

TEST(add_on_core_clear_stats_and_tsc)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[2];
    struct netdev *netdev = open_dummy("p0", 2, rxqs);
    struct pmd_set *set;

    CHECK_EQ(pmd_set_create("0x3", sink_process, s, &set), 0);
    s->rxqs[0] = rxqs[0];
    s->rxqs[1] = rxqs[1];
    CHECK_EQ(pmd_set_add_rxq_on(set, rxqs[0], NULL, 1), 0);
    CHECK_EQ(pmd_set_add_rxq_on(set, rxqs[1], NULL, 1), 0);
    CHECK_EQ(pmd_set_add_rxq_on(set, rxqs[1], NULL, 0), EEXIST);
    CHECK_EQ(pmd_set_add_rxq_on(set, rxqs[1], NULL, 7), ENOENT);
    struct pmd_thread *pmd1 = pmd_set_find_core(set, 1);
    CHECK(pmd1 != NULL);
    CHECK(pmd_set_find_core(set, 2) == NULL);
    CHECK(pmd_set_find_rxq(set, rxqs[0]) == pmd1);
    CHECK_EQ(pmd_thread_n_rxq(pmd1), 2);
    CHECK(pmd_thread_get_rxq(pmd1, 0) == rxqs[0]);
    CHECK(pmd_thread_get_rxq(pmd1, 2) == NULL);

    for (uint32_t i = 0; i < 500; i++) {
        inject(netdev, 0, i);
    }
    sink_wait_total(s, 500);

    struct pmd_stats st, total;
    struct pmd_rxq_stats rs;
    /* The PMD counts a batch after handing it to the sink, and its own
     * totals at the end of the iteration: let it finish that. */
    pmd_wait_packets(pmd1, 500);
    plx_msleep(20);
    pmd_thread_get_stats(pmd1, &st);
    CHECK_U64_EQ(st.packets, 500);
    CHECK(st.busy_cycles > 0);
    CHECK_EQ(pmd_set_get_rxq_stats(set, rxqs[0], &rs), 0);
    CHECK_U64_EQ(rs.packets, 500);
    CHECK(rs.busy_cycles > 0 && rs.busy_cycles <= st.busy_cycles);

    long long int before = pmd_thread_stats_start_msec(pmd1);
    plx_msleep(5);
    pmd_thread_clear_stats(pmd1);
    CHECK(pmd_thread_stats_start_msec(pmd1) > before);
    pmd_thread_get_stats(pmd1, &st);
    CHECK_U64_EQ(st.packets, 0);
    CHECK_U64_EQ(st.busy_cycles, 0);
    pmd_thread_get_total_stats(pmd1, &total);
    CHECK_U64_EQ(total.packets, 500);
    CHECK_EQ(pmd_set_get_rxq_stats(set, rxqs[0], &rs), 0);
    CHECK_U64_EQ(rs.packets, 500);      /* Queue counters are kept. */

    inject(netdev, 1, 0);
    sink_wait_total(s, 501);
    pmd_wait_packets(pmd1, 1);
    pmd_thread_get_stats(pmd1, &st);
    CHECK_U64_EQ(st.packets, 1);

    /* A move keeps the queue's counters, cycles included. */
    uint64_t cycles = rs.busy_cycles;
    CHECK_EQ(pmd_set_move_rxq(set, rxqs[0], 0), 0);
    CHECK_EQ(pmd_set_get_rxq_stats(set, rxqs[0], &rs), 0);
    CHECK_U64_EQ(rs.busy_cycles, cycles);
    CHECK(pmd_set_find_rxq(set, rxqs[0]) == pmd_set_find_core(set, 0));

    /* Wall-clock and TSC agree on the rate to within a few percent. */
    uint64_t hz = pmd_tsc_hz();
    long long int t0 = time_nsec();
    uint64_t c0 = pmd_rdtsc();
    plx_msleep(50);
    double measured = (double) (pmd_rdtsc() - c0) * 1e9
                      / (time_nsec() - t0);
    CHECK_MSG(measured > hz * 0.95 && measured < hz * 1.05,
              "tsc %"PRIu64" Hz, measured %.0f", hz, measured);

    pmd_set_destroy(set);
    close_dummy(netdev, 2, rxqs);
    sink_destroy(s);
}

static bool
sink_seen(struct sink *s, int q, uint32_t seq)
{
    pthread_mutex_lock(&s->mutex);
    bool seen = s->seen[q][seq] != 0;
    pthread_mutex_unlock(&s->mutex);
    return seen;
}

/* A busy PMD skips queues that were empty for a few iterations (pmd.h),
 * but a quiet queue's packet is still received at once, not after the
 * busy queue goes idle. */
TEST(busy_pmd_still_serves_quiet_queue)
{
    struct sink *s = sink_create();
    struct netdev_rxq *rxqs[2];
    struct netdev *netdev = open_dummy("p0", 2, rxqs);
    struct pmd_set *set;

    CHECK_EQ(pmd_set_create(NULL, sink_process, s, &set), 0);
    s->rxqs[0] = rxqs[0];
    s->rxqs[1] = rxqs[1];
    CHECK_EQ(pmd_set_add_rxq(set, rxqs[0]), 0);
    CHECK_EQ(pmd_set_add_rxq(set, rxqs[1]), 0);

    struct injector inj = { netdev, 1, MAX_SEQ };   /* Queue 0 only. */
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, injector_main, &inj), 0);
    int n_quiet = 0;
    while (sink_total(s) < MAX_SEQ / 2 && n_quiet < 50) {
        inject(netdev, 1, n_quiet);
        long long int deadline = time_msec() + 200;
        while (!sink_seen(s, 1, n_quiet) && time_msec() < deadline) {
            sched_yield();
        }
        CHECK_MSG(sink_seen(s, 1, n_quiet), "quiet packet %d not received "
                  "within 200 ms of a busy PMD", n_quiet);
        n_quiet++;
    }
    pthread_join(thread, NULL);
    sink_wait_total(s, MAX_SEQ + n_quiet);
    CHECK_GT(n_quiet, 0);
    for (int i = 0; i < n_quiet; i++) {
        CHECK(sink_seen(s, 1, i));
    }
    pmd_set_destroy(set);
    close_dummy(netdev, 2, rxqs);
    sink_destroy(s);
}
