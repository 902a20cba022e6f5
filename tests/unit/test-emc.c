/* Tests for datapath/emc.h (with datapath/dpcls.h behind it). */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include "datapath/dp-flow.h"
#include "datapath/dpcls.h"
#include "datapath/emc.h"
#include "datapath/odp-actions.h"
#include "match.h"
#include "rcu.h"
#include "test.h"
#include "util.h"

/* The miniflow key of F, in one of a few rotating buffers (the tests are
 * single-threaded and use at most two keys per call). */
static const struct miniflow *
mf_of(const struct flow *f)
{
    static struct miniflow_buf bufs[4];
    static unsigned int next;
    struct miniflow_buf *b = &bufs[next++ % 4];

    miniflow_init(&b->mf, f);
    return &b->mf;
}

static struct dp_flow *
make_flow(const struct match *m)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dp_flow *flow;

    odp_put_output(&b, 1);
    CHECK_EQ(dp_flow_create(m, b.data, b.size, &flow), 0);
    odp_buf_uninit(&b);
    return flow;
}

static struct dp_flow *
catchall_flow(void)
{
    struct match m;

    match_init_catchall(&m);
    return make_flow(&m);
}

static void
packet_key(struct flow *f, uint32_t n)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1;
    f->dl_type = htons(0x0800);
    f->nw_src = htonl(0x0a000000 | n);
    f->nw_dst = htonl(0x0a000001);
    f->nw_proto = 17;
    f->tp_src = htons(n % 65536);
    f->tp_dst = htons(53);
}

TEST(hit_and_miss)
{
    struct emc *emc = emc_create(1);
    struct dp_flow *flow = catchall_flow();
    struct flow k1, k2;

    rcu_thread_register();
    packet_key(&k1, 1);
    k2 = k1;
    k2.nw_ttl = 63;            /* Differs in one byte only. */

    CHECK(emc_lookup(emc, mf_of(&k1), flow_hash(&k1, 0)) == NULL);
    emc_insert(emc, mf_of(&k1), flow_hash(&k1, 0), flow);
    dp_flow_unref(flow);       /* The cache's reference keeps it. */
    CHECK(emc_lookup(emc, mf_of(&k1), flow_hash(&k1, 0)) == flow);
    CHECK(emc_lookup(emc, mf_of(&k2), flow_hash(&k2, 0)) == NULL);
    /* Same hash, different key: a miss, not a false hit. */
    CHECK(emc_lookup(emc, mf_of(&k2), flow_hash(&k1, 0)) == NULL);
    CHECK_U64_EQ(emc->stats.hits, 1);
    CHECK_U64_EQ(emc->stats.misses, 3);
    CHECK_U64_EQ(emc->stats.inserts, 1);
    CHECK_EQ(emc_count(emc), 1);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

TEST(replace_same_key)
{
    struct emc *emc = emc_create(1);
    struct dp_flow *a = catchall_flow(), *b = catchall_flow();
    struct flow k;
    uint32_t h;

    rcu_thread_register();
    packet_key(&k, 7);
    h = flow_hash(&k, 0);
    emc_insert(emc, mf_of(&k), h, a);
    emc_insert(emc, mf_of(&k), h, b);
    CHECK(emc_lookup(emc, mf_of(&k), h) == b);
    CHECK_EQ(emc_count(emc), 1);
    CHECK_EQ(atomic_load(&a->ref_cnt), 1);     /* Entry let go of A. */
    CHECK_EQ(atomic_load(&b->ref_cnt), 2);
    dp_flow_unref(a);
    dp_flow_unref(b);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* Three keys whose hashes select the same two slots. */
static uint32_t
colliding_hash(uint32_t k)
{
    return 5 | (7u << EMC_SHIFT) | (k << (2 * EMC_SHIFT));
}

TEST(two_way_eviction)
{
    struct emc *emc = emc_create(1);
    struct dp_flow *f[3];
    struct flow k[3];

    rcu_thread_register();
    for (int i = 0; i < 3; i++) {
        f[i] = catchall_flow();
        packet_key(&k[i], i);
    }
    /* Two fit, one per way. */
    emc_insert(emc, mf_of(&k[1]), colliding_hash(1), f[1]);
    emc_insert(emc, mf_of(&k[2]), colliding_hash(2), f[2]);
    CHECK(emc_lookup(emc, mf_of(&k[1]), colliding_hash(1)) == f[1]);
    CHECK(emc_lookup(emc, mf_of(&k[2]), colliding_hash(2)) == f[2]);

    /* A third evicts the entry with the smaller hash (key 1). */
    emc_insert(emc, mf_of(&k[0]), colliding_hash(0), f[0]);
    CHECK(emc_lookup(emc, mf_of(&k[0]), colliding_hash(0)) == f[0]);
    CHECK(emc_lookup(emc, mf_of(&k[1]), colliding_hash(1)) == NULL);
    CHECK(emc_lookup(emc, mf_of(&k[2]), colliding_hash(2)) == f[2]);
    CHECK_EQ(emc_count(emc), 2);

    /* A dead entry is evicted first, whatever its hash. */
    dp_flow_mark_dead(f[2]);
    CHECK(emc_lookup(emc, mf_of(&k[2]), colliding_hash(2)) == NULL);
    emc_insert(emc, mf_of(&k[1]), colliding_hash(1), f[1]);
    CHECK(emc_lookup(emc, mf_of(&k[0]), colliding_hash(0)) == f[0]);
    CHECK(emc_lookup(emc, mf_of(&k[1]), colliding_hash(1)) == f[1]);
    CHECK_EQ(atomic_load(&f[2]->ref_cnt), 1);

    for (int i = 0; i < 3; i++) {
        dp_flow_unref(f[i]);
    }
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

TEST(dead_flow_and_sweep)
{
    struct emc *emc = emc_create(1);
    struct dpcls dpcls;
    struct dp_flow *flow;
    struct match m;
    struct flow k;
    uint32_t h;
    size_t swept = 0;

    rcu_thread_register();
    dpcls_init(&dpcls);
    packet_key(&k, 3);
    h = flow_hash(&k, 0);
    match_init_catchall(&m);
    match_set_in_port(&m, 1);
    flow = make_flow(&m);
    CHECK_EQ(dpcls_insert(&dpcls, flow), 0);
    dp_flow_unref(flow);                        /* dpcls holds it. */
    CHECK(dpcls_lookup(&dpcls, &k) == flow);
    emc_insert(emc, mf_of(&k), h, flow);
    CHECK(emc_lookup(emc, mf_of(&k), h) == flow);

    CHECK(dpcls_remove(&dpcls, flow));          /* Dead; EMC still refs. */
    CHECK(emc_lookup(emc, mf_of(&k), h) == NULL);
    CHECK(dpcls_lookup(&dpcls, &k) == NULL);
    CHECK_EQ(emc_count(emc), 0);
    CHECK_EQ(atomic_load(&flow->ref_cnt), 1);
    for (size_t i = 0; i < EMC_ENTRIES / EMC_SWEEP_BATCH; i++) {
        swept += emc_slow_sweep(emc);
    }
    CHECK_EQ(swept, 1);                         /* Freed (ASan checks). */
    CHECK_EQ(emc_slow_sweep(emc), 0);

    emc_destroy(emc);
    dpcls_destroy(&dpcls);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* emc_sweep_all() clears every dead entry at once and counts the rest. */
TEST(sweep_all)
{
    struct emc *emc = emc_create(1);
    struct dp_flow *live = catchall_flow();
    struct dp_flow *dead = catchall_flow();
    struct flow k;

    rcu_thread_register();
    CHECK_EQ(emc_sweep_all(emc), 0);
    for (uint32_t n = 0; n < 10; n++) {
        packet_key(&k, n);
        emc_insert(emc, mf_of(&k), flow_hash(&k, 0), n < 4 ? dead : live);
    }
    CHECK_EQ(emc_sweep_all(emc), 10);           /* Nothing dead yet. */
    dp_flow_mark_dead(dead);
    CHECK_EQ(atomic_load(&dead->ref_cnt), 5);   /* Ours + 4 entries. */
    CHECK_EQ(emc_sweep_all(emc), 6);
    CHECK_EQ(atomic_load(&dead->ref_cnt), 1);
    CHECK_EQ(emc_count(emc), 6);

    dp_flow_unref(dead);
    dp_flow_unref(live);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

static uint64_t
count_inserts(uint32_t seed, uint32_t inv_prob, int n)
{
    struct emc *emc = emc_create(seed);
    struct dp_flow *flow = catchall_flow();
    uint64_t inserts;

    emc_set_insert_inv_prob(emc, inv_prob);
    emc_set_bypass(emc, false);     /* All misses: would bypass. */
    for (int i = 0; i < n; i++) {
        struct flow k;

        packet_key(&k, i);
        if (!emc_lookup(emc, mf_of(&k), flow_hash(&k, 0))) {
            emc_probabilistic_insert(emc, mf_of(&k), flow_hash(&k, 0), flow);
        }
    }
    inserts = emc->stats.inserts;
    dp_flow_unref(flow);
    emc_destroy(emc);
    return inserts;
}

TEST(insert_probability)
{
    rcu_thread_register();
    uint64_t a = count_inserts(42, EMC_DEFAULT_INSERT_INV_PROB, 100000);
    uint64_t b = count_inserts(42, EMC_DEFAULT_INSERT_INV_PROB, 100000);
    uint64_t c = count_inserts(43, EMC_DEFAULT_INSERT_INV_PROB, 100000);

    CHECK_U64_EQ(a, b);                         /* Seedable. */
    CHECK(a >= 800 && a <= 1200);               /* About 1 in 100. */
    CHECK(c >= 800 && c <= 1200);
    CHECK_U64_EQ(count_inserts(1, 0, 1000), 0);
    CHECK_U64_EQ(count_inserts(1, 1, 1000), 1000);
    uint64_t d = count_inserts(7, 10, 20000);
    CHECK(d >= 1600 && d <= 2400);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* A steady flow gets into the cache after about insert_inv_prob misses
 * and then hits. */
TEST(steady_flow_gets_in)
{
    struct emc *emc = emc_create(test_random() | 1);
    struct dp_flow *flow = catchall_flow();
    struct flow k;
    uint32_t h;
    int misses = 0;

    rcu_thread_register();
    packet_key(&k, 99);
    h = flow_hash(&k, 0);
    for (int i = 0; i < 10000; i++) {
        if (!emc_lookup(emc, mf_of(&k), h)) {
            misses++;
            emc_probabilistic_insert(emc, mf_of(&k), h, flow);
        }
    }
    CHECK_GT(misses, 0);
    CHECK_LT(misses, 2000);
    CHECK(emc_lookup(emc, mf_of(&k), h) == flow);
    CHECK_U64_EQ(emc->stats.inserts, 1);
    dp_flow_unref(flow);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* EMC in front of dpcls always answers as dpcls alone would, while
 * megaflows come and go. */
TEST(consistent_with_dpcls)
{
    enum { N_FLOWS = 32, N_KEYS = 20000 };
    struct emc *emc = emc_create(test_random() | 1);
    struct dp_flow *live[N_FLOWS] = { NULL };
    struct match ms[N_FLOWS];
    struct dpcls dpcls;
    long hits = 0;

    rcu_thread_register();
    dpcls_init(&dpcls);
    emc_set_insert_inv_prob(emc, 4);
    for (int i = 0; i < N_FLOWS; i++) {
        match_init_catchall(&ms[i]);
        match_set_in_port(&ms[i], 1);
        match_set_dl_type(&ms[i], htons(0x0800));
        match_set_nw_src_masked(&ms[i], htonl(0x0a000000 | i << 4),
                                htonl(0xfffffff0));
    }
    for (int op = 0; op < 200000; op++) {
        if (op % 500 == 0) {
            int i = test_random() % N_FLOWS;
            if (live[i]) {
                CHECK(dpcls_remove(&dpcls, live[i]));
                dp_flow_unref(live[i]);
                live[i] = NULL;
            } else {
                live[i] = make_flow(&ms[i]);
                CHECK_EQ(dpcls_insert(&dpcls, live[i]), 0);
            }
            emc_slow_sweep(emc);
        }

        struct flow k;
        packet_key(&k, test_random() % (N_FLOWS * 16));
        k.nw_ttl = test_random() % 4;
        uint32_t h = flow_hash(&k, 0);
        struct dp_flow *expect = dpcls_lookup(&dpcls, &k);
        struct dp_flow *got = emc_lookup(emc, mf_of(&k), h);
        if (got) {
            hits++;
        } else {
            got = dpcls_lookup(&dpcls, &k);
            if (got) {
                emc_probabilistic_insert(emc, mf_of(&k), h, got);
            }
        }
        CHECK(got == expect);
    }
    CHECK_GT(hits, 10000);

    emc_destroy(emc);
    for (int i = 0; i < N_FLOWS; i++) {
        dp_flow_unref(live[i]);
    }
    dpcls_destroy(&dpcls);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* Runs N lookups of keys drawn uniformly from [BASE, BASE + N_KEYS) through
 * EMC, inserting misses as a PMD does, with FLOWS[key % 2] as each key's
 * megaflow.  Checks every hit is the right flow.  Returns the hits. */
static uint64_t
drive(struct emc *emc, struct dp_flow *flows[2], uint32_t base,
      uint32_t n_keys, int n)
{
    uint64_t hits = 0;

    for (int i = 0; i < n; i++) {
        uint32_t key = base + test_random() % n_keys;
        struct flow k;

        packet_key(&k, key);
        uint32_t h = flow_hash(&k, 0);
        const struct miniflow *mf = mf_of(&k);
        struct dp_flow *got = emc_lookup(emc, mf, h);
        if (got) {
            CHECK(got == flows[key % 2]);
            hits++;
        } else {
            emc_probabilistic_insert(emc, mf, h, flows[key % 2]);
        }
    }
    return hits;
}

/* A thrashing working set (far more keys than entries) puts the cache in
 * bypass, where it skips all but 1 in EMC_BYPASS_SAMPLE lookups; when the
 * working set shrinks to fit, the samples refill it and it leaves bypass
 * and hits again. */
TEST(bypass_enter_and_leave)
{
    struct emc *emc = emc_create(test_random() | 1);
    struct dp_flow *flows[2] = { catchall_flow(), catchall_flow() };
    enum { WINDOW_LOOKUPS = EMC_WINDOW * EMC_BYPASS_SAMPLE };

    rcu_thread_register();
    CHECK(!emc_in_bypass(emc));

    /* 100k keys: a hit rate of at most about 8%. */
    drive(emc, flows, 0, 100000, 4 * EMC_WINDOW);
    CHECK(emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, 1);

    /* emc_will_skip() predicts exactly which lookups skip: all but 1 in
     * EMC_BYPASS_SAMPLE. */
    int n_probed = 0;
    for (int i = 0; i < 3 * EMC_BYPASS_SAMPLE; i++) {
        uint64_t bypassed = emc->stats.bypassed;
        bool will_skip = emc_will_skip(emc);
        struct flow k;

        packet_key(&k, 300000 + i);
        CHECK(!emc_lookup(emc, mf_of(&k), will_skip ? 0 : flow_hash(&k, 0)));
        CHECK_EQ(will_skip, emc->stats.bypassed == bypassed + 1);
        n_probed += !will_skip;
    }
    CHECK_EQ(n_probed, 3);

    /* In bypass: all but 1 in EMC_BYPASS_SAMPLE lookups skipped, inserts
     * only from samples, and it stays in bypass while the thrashing goes
     * on. */
    struct emc_stats s0 = emc->stats;
    drive(emc, flows, 0, 100000, 2 * WINDOW_LOOKUPS);
    CHECK(emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, 1);
    uint64_t skipped = emc->stats.bypassed - s0.bypassed;
    uint64_t probed = (emc->stats.hits + emc->stats.misses
                       - s0.hits - s0.misses);
    CHECK_U64_EQ(skipped + probed, 2 * WINDOW_LOOKUPS);
    CHECK_U64_EQ(probed, 2 * WINDOW_LOOKUPS / EMC_BYPASS_SAMPLE);
    CHECK(emc->stats.inserts - s0.inserts <= probed);
    CHECK_GT(emc->stats.inserts - s0.inserts, probed / 2);

    /* The working set shrinks to 500 other keys: the samples refill the
     * cache, and within a few windows it leaves bypass. */
    drive(emc, flows, 200000, 500, 4 * WINDOW_LOOKUPS);
    CHECK(!emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, 1);
    s0 = emc->stats;
    uint64_t hits = drive(emc, flows, 200000, 500, 20000);
    CHECK_GT(hits, 19000);                      /* Hits again. */
    CHECK_U64_EQ(emc->stats.bypassed, s0.bypassed);

    /* Thrashing again enters bypass again; turning the detector off
     * leaves it, and then nothing is skipped. */
    drive(emc, flows, 0, 100000, 4 * EMC_WINDOW);
    CHECK(emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, 2);
    emc_set_bypass(emc, false);
    CHECK(!emc_in_bypass(emc));
    s0 = emc->stats;
    drive(emc, flows, 0, 100000, 4 * EMC_WINDOW);
    CHECK(!emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypassed, s0.bypassed);
    CHECK_U64_EQ(emc->stats.hits + emc->stats.misses,
                 s0.hits + s0.misses + 4 * EMC_WINDOW);

    dp_flow_unref(flows[0]);
    dp_flow_unref(flows[1]);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}

/* A working set that fits never enters bypass once warm, and a cache in
 * bypass still answers correctly when flows die. */
TEST(bypass_fitting_set_and_dead_flows)
{
    struct emc *emc = emc_create(test_random() | 1);
    struct dp_flow *flows[2] = { catchall_flow(), catchall_flow() };

    rcu_thread_register();
    emc_set_insert_inv_prob(emc, 1);
    drive(emc, flows, 0, 1000, 20000);          /* Warm. */
    uint64_t starts = emc->stats.bypass_starts;
    drive(emc, flows, 0, 1000, 20 * EMC_WINDOW);
    CHECK(!emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, starts);

    /* Both flows die and (as in an upcall) nothing is inserted: no lookup
     * returns a dead flow, and misses that the megaflow cache misses too
     * do not count against the EMC, so it does not bypass. */
    dp_flow_mark_dead(flows[0]);
    dp_flow_mark_dead(flows[1]);
    for (int i = 0; i < 4 * EMC_WINDOW * EMC_BYPASS_SAMPLE; i++) {
        struct flow k;

        packet_key(&k, test_random() % 1000);
        CHECK(emc_lookup(emc, mf_of(&k), flow_hash(&k, 0)) == NULL);
    }
    CHECK(!emc_in_bypass(emc));
    CHECK_U64_EQ(emc->stats.bypass_starts, starts);

    dp_flow_unref(flows[0]);
    dp_flow_unref(flows[1]);
    emc_destroy(emc);
    rcu_thread_unregister();
    rcu_wait_postponed();
}
