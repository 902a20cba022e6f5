/* Tests for datapath/dp-flow.h and datapath/dpcls.h. */
#include <config.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "datapath/dp-flow.h"
#include "datapath/dpcls.h"
#include "match.h"
#include "datapath/odp-actions.h"
#include "rcu.h"
#include "test.h"
#include "util.h"

/* Megaflow families, told apart by in_port so that flows of different
 * families never overlap; flows of one family differ in their keys. */
enum { FAM_5TUPLE, FAM_DST24, FAM_L2, FAM_SRC16_PROTO, N_FAMS };

/* A random packet flow; small value spaces so that megaflows hit. */
static void
random_packet(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + test_random() % N_FAMS;
    f->dl_type = htons(test_random() % 8 ? 0x0800 : 0x86dd);
    f->dl_dst.ea[5] = test_random() % 16;
    f->dl_src.ea[5] = test_random() % 16;
    f->nw_src = htonl(0x0a000000 | (test_random() % 4) << 16
                      | (test_random() % 4));
    f->nw_dst = htonl(0x0a010000 | (test_random() % 4) << 8
                      | (test_random() % 4));
    f->nw_proto = test_random() % 2 ? 6 : 17;
    f->nw_ttl = test_random();
    f->tp_src = htons(1000 + test_random() % 4);
    f->tp_dst = htons(80 + test_random() % 4);
    f->tcp_flags = htons(test_random() % 64);
}

/* The megaflow of family FAM that F would get. */
static void
megaflow_for(const struct flow *f, int fam, struct match *m)
{
    match_init_catchall(m);
    match_set_in_port(m, fam + 1);
    switch (fam) {
    case FAM_5TUPLE:
        match_set_dl_type(m, f->dl_type);
        match_set_nw_src(m, f->nw_src);
        match_set_nw_dst(m, f->nw_dst);
        match_set_nw_proto(m, f->nw_proto);
        match_set_tp_src(m, f->tp_src);
        match_set_tp_dst(m, f->tp_dst);
        break;
    case FAM_DST24:
        match_set_dl_type(m, f->dl_type);
        match_set_nw_dst_masked(m, f->nw_dst, htonl(0xffffff00));
        break;
    case FAM_L2:
        match_set_dl_dst(m, f->dl_dst);
        break;
    case FAM_SRC16_PROTO:
        match_set_dl_type(m, f->dl_type);
        match_set_nw_src_masked(m, f->nw_src, htonl(0xffff0000));
        match_set_nw_proto(m, f->nw_proto);
        break;
    }
}

static struct dp_flow *
make_flow(const struct match *m, uint32_t port)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dp_flow *flow;

    odp_put_output(&b, port);
    CHECK_EQ(dp_flow_create(m, b.data, b.size, &flow), 0);
    CHECK(flow != NULL);
    odp_buf_uninit(&b);
    return flow;
}

static uint32_t
flow_port(const struct dp_flow *flow)
{
    uint32_t port;

    plx_assert(flow->actions_len == 8);
    memcpy(&port, (const char *) dp_flow_actions(flow) + 4, 4);
    return port;
}

static struct dp_flow *
brute_force(struct dp_flow **flows, size_t n, const struct flow *f)
{
    struct dp_flow *found = NULL;

    for (size_t i = 0; i < n; i++) {
        if (flows[i] && dp_flow_matches(flows[i], f)) {
            CHECK_MSG(!found, "test megaflows overlap");
            found = flows[i];
        }
    }
    return found;
}

static void
check_against_brute_force(const struct dpcls *dpcls, struct dp_flow **flows,
                          size_t n)
{
    int hits = 0;

    for (int k = 0; k < 5000; k++) {
        struct flow f;

        random_packet(&f);
        struct dp_flow *expect = brute_force(flows, n, &f);
        struct dp_flow *got = dpcls_lookup(dpcls, &f);
        CHECK(got == expect);
        hits += got != NULL;
    }
    CHECK_GT(hits, 100);
}

TEST(brute_force)
{
    enum { N = 400 };
    struct dp_flow *flows[N] = { NULL };
    struct dpcls dpcls;
    size_t n_live = 0;

    rcu_thread_register();
    dpcls_init(&dpcls);
    for (size_t i = 0; i < N; i++) {
        struct flow f;
        struct match m;

        random_packet(&f);
        megaflow_for(&f, i % N_FAMS, &m);
        struct dp_flow *flow = make_flow(&m, i);
        int error = dpcls_insert(&dpcls, flow);
        if (error) {
            CHECK_EQ(error, EEXIST);
            CHECK(dpcls_find(&dpcls, &m) != NULL);
            CHECK(dpcls_find(&dpcls, &m) != flow);
        } else {
            CHECK(dpcls_find(&dpcls, &m) == flow);
            flows[i] = dp_flow_ref(flow);
            n_live++;
        }
        dp_flow_unref(flow);
    }
    CHECK_EQ(dpcls_count(&dpcls), n_live);
    CHECK_EQ(dpcls_n_subtables(&dpcls), N_FAMS);   /* One per mask. */
    CHECK_GT(n_live, 50);
    check_against_brute_force(&dpcls, flows, N);

    /* Remove every other flow. */
    for (size_t i = 0; i < N; i += 2) {
        if (flows[i]) {
            CHECK(dpcls_remove(&dpcls, flows[i]));
            CHECK(dp_flow_is_dead(flows[i]));
            CHECK(!dpcls_remove(&dpcls, flows[i]));
            CHECK_EQ(dpcls_insert(&dpcls, flows[i]), EINVAL);
            dp_flow_unref(flows[i]);
            flows[i] = NULL;
            n_live--;
        }
    }
    CHECK_EQ(dpcls_count(&dpcls), n_live);
    check_against_brute_force(&dpcls, flows, N);

    dpcls_destroy(&dpcls);
    for (size_t i = 0; i < N; i++) {
        if (flows[i]) {
            CHECK(dp_flow_is_dead(flows[i]));
            dp_flow_unref(flows[i]);
        }
    }
    rcu_thread_unregister();
    rcu_wait_postponed();
}

TEST(bad_actions)
{
    struct match m;
    struct dp_flow *flow = (struct dp_flow *) 1;
    uint8_t junk[8] = { 8, 0, 0xff, 0xff, 1, 2, 3, 4 };

    match_init_catchall(&m);
    CHECK_EQ(dp_flow_create(&m, junk, sizeof junk, &flow), EINVAL);
    CHECK(flow == NULL);
    CHECK_EQ(dp_flow_create(&m, junk, 3, &flow), EINVAL);
    CHECK_EQ(dp_flow_create(&m, NULL, 4, &flow), EINVAL);

    /* A valid list at an odd address is copied, then accepted. */
    {
        struct odp_buf b = ODP_BUF_INITIALIZER;
        uint8_t *odd = xmalloc(64);

        odp_put_output(&b, 9);
        memcpy(odd + 1, b.data, b.size);
        CHECK_EQ(dp_flow_create(&m, odd + 1, b.size, &flow), 0);
        CHECK_EQ(flow->actions_len, b.size);
        CHECK_MEMEQ(dp_flow_actions(flow), b.data, b.size);
        dp_flow_unref(flow);
        free(odd);
        odp_buf_uninit(&b);
    }

    /* The empty list (drop) is fine. */
    CHECK_EQ(dp_flow_create(&m, NULL, 0, &flow), 0);
    CHECK_EQ(flow->actions_len, 0);
    CHECK(dp_flow_matches(flow, &(struct flow) { .in_port = 7 }));
    dp_flow_unref(flow);
    rcu_wait_postponed();
}

TEST(stats)
{
    struct dp_flow_stats s;
    struct dp_flow *flow;
    struct match m;

    match_init_catchall(&m);
    flow = make_flow(&m, 1);
    dp_flow_stats_get(flow, &s);
    CHECK_U64_EQ(s.n_packets, 0);
    CHECK_U64_EQ(s.n_bytes, 0);
    CHECK_EQ(s.used, 0);
    dp_flow_stats_update(flow, 3, 180, 0x02, 1000);
    dp_flow_stats_update(flow, 1, 60, 0x10, 1005);
    dp_flow_stats_update(flow, 2, 100, 0, 1010);
    dp_flow_stats_get(flow, &s);
    CHECK_U64_EQ(s.n_packets, 6);
    CHECK_U64_EQ(s.n_bytes, 340);
    CHECK_EQ(s.used, 1010);
    CHECK_EQ(s.tcp_flags, 0x12);
    dp_flow_unref(flow);
    rcu_wait_postponed();
}

enum { N_STATS_WRITERS = 3, STATS_UPDATES = 200000 };

struct stats_conc {
    struct dp_flow *flow;
    int started;
};

static void *
stats_writer(void *sc_)
{
    struct stats_conc *sc = sc_;

    __atomic_fetch_add(&sc->started, 1, __ATOMIC_RELEASE);
    for (long long i = 1; i <= STATS_UPDATES; i++) {
        dp_flow_stats_update(sc->flow, 1, 64, 1u << (i % 3), i);
    }
    return NULL;
}

/* Several threads update one flow at once (as PMDs sharing the megaflow
 * cache do): no update is lost, and a concurrent reader sees every
 * counter only grow. */
TEST(stats_concurrent)
{
    pthread_t writers[N_STATS_WRITERS];
    struct stats_conc sc;
    struct dp_flow_stats s;
    struct match m;
    uint64_t last_packets = 0, last_bytes = 0;
    long long int last_used = 0;
    int reads = 0;

    match_init_catchall(&m);
    sc.flow = make_flow(&m, 1);
    sc.started = 0;
    for (int i = 0; i < N_STATS_WRITERS; i++) {
        pthread_create(&writers[i], NULL, stats_writer, &sc);
    }
    while (__atomic_load_n(&sc.started, __ATOMIC_ACQUIRE) < N_STATS_WRITERS
           || last_packets < (uint64_t) N_STATS_WRITERS * STATS_UPDATES) {
        dp_flow_stats_get(sc.flow, &s);
        CHECK(s.n_packets >= last_packets);
        CHECK(s.n_bytes >= last_bytes);
        CHECK(s.used >= last_used);
        CHECK_LE(s.used, STATS_UPDATES);
        last_packets = s.n_packets;
        last_bytes = s.n_bytes;
        last_used = s.used;
        reads++;
    }
    for (int i = 0; i < N_STATS_WRITERS; i++) {
        pthread_join(writers[i], NULL);
    }
    dp_flow_stats_get(sc.flow, &s);
    CHECK_U64_EQ(s.n_packets, (uint64_t) N_STATS_WRITERS * STATS_UPDATES);
    CHECK_U64_EQ(s.n_bytes, 64 * s.n_packets);
    CHECK_EQ(s.used, STATS_UPDATES);
    CHECK_EQ(s.tcp_flags, 0x7);
    CHECK_GT(reads, 0);
    dp_flow_unref(sc.flow);
    rcu_wait_postponed();
}

TEST(stats_add)
{
    struct dp_flow_stats s, add = { 10, 1000, 500, 0x12 };
    struct match m;
    struct dp_flow *flow;

    match_init_catchall(&m);
    flow = make_flow(&m, 1);
    dp_flow_stats_update(flow, 1, 60, 0x01, 700);
    dp_flow_stats_add(flow, &add);
    dp_flow_stats_get(flow, &s);
    CHECK_U64_EQ(s.n_packets, 11);
    CHECK_U64_EQ(s.n_bytes, 1060);
    CHECK_EQ(s.used, 700);              /* Never moves backward. */
    CHECK_EQ(s.tcp_flags, 0x13);
    dp_flow_unref(flow);
    rcu_wait_postponed();
}

/* dpcls_replace() swaps flows with equal matches and marks the old dead;
 * with no equal match it just inserts. */
TEST(replace)
{
    struct dpcls dpcls;
    struct match m, m2;
    struct flow pkt;

    dpcls_init(&dpcls);
    random_packet(&pkt);
    pkt.in_port = 7;
    match_init_catchall(&m);
    match_set_in_port(&m, 7);
    m2 = m;
    match_set_dl_type(&m2, htons(0x0800));

    struct dp_flow *a = make_flow(&m, 1);
    struct dp_flow *b = make_flow(&m, 2);
    struct dp_flow *c = make_flow(&m2, 3);
    CHECK(dpcls_replace(&dpcls, a) == NULL);
    CHECK(dpcls_lookup(&dpcls, &pkt) == a);
    CHECK(dpcls_replace(&dpcls, b) == a);
    CHECK(dp_flow_is_dead(a));
    CHECK(!dp_flow_is_dead(b));
    dp_flow_unref(a);                   /* The cache's reference. */
    CHECK(dpcls_lookup(&dpcls, &pkt) == b);
    CHECK_EQ(dpcls_count(&dpcls), 1);
    CHECK(dpcls_find(&dpcls, &m) == b);
    /* A different mask is a different match: no replacement. */
    CHECK(dpcls_replace(&dpcls, c) == NULL);
    CHECK_EQ(dpcls_count(&dpcls), 2);
    CHECK(!dp_flow_is_dead(b));
    dpcls_destroy(&dpcls);
    CHECK(dp_flow_is_dead(b) && dp_flow_is_dead(c));
    dp_flow_unref(a);
    dp_flow_unref(b);
    dp_flow_unref(c);
    rcu_wait_postponed();
}

/* Concurrent lookups while one writer inserts and removes megaflows. */
enum { N_SLOTS = 64 };

struct conc {
    struct dpcls dpcls;
    struct flow pkts[N_SLOTS];
    unsigned int version[N_SLOTS];  /* Odd while slot is changing. */
    int present[N_SLOTS];
    int stop;
    long errors;
    long lookups;
};

static void *
conc_reader(void *c_)
{
    struct conc *c = c_;
    uint32_t seed = (uint32_t) (uintptr_t) &seed | 1;
    long n = 0;

    rcu_thread_register();
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        size_t i = seed % N_SLOTS;
        unsigned int v1 = __atomic_load_n(&c->version[i], __ATOMIC_ACQUIRE);
        int p = __atomic_load_n(&c->present[i], __ATOMIC_ACQUIRE);
        struct dp_flow *flow = dpcls_lookup(&c->dpcls, &c->pkts[i]);
        unsigned int v2 = __atomic_load_n(&c->version[i], __ATOMIC_ACQUIRE);

        /* Touching the flow's memory lets ASan catch an early free. */
        if (flow && (flow_port(flow) != i
                     || !dp_flow_matches(flow, &c->pkts[i]))) {
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
        }
        if (v1 == v2 && !(v1 % 2) && p != (flow != NULL)) {
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
        }
        n++;
        rcu_quiesce();
    }
    __atomic_fetch_add(&c->lookups, n, __ATOMIC_RELAXED);
    rcu_thread_unregister();
    return NULL;
}

TEST(concurrent_readers)
{
    struct conc *c = xzalloc(sizeof *c);
    struct dp_flow *live[N_SLOTS] = { NULL };
    struct match ms[N_SLOTS];
    pthread_t readers[2];

    dpcls_init(&c->dpcls);
    for (size_t i = 0; i < N_SLOTS; i++) {
        random_packet(&c->pkts[i]);
        c->pkts[i].in_port = 100 + i;
        match_init_catchall(&ms[i]);
        match_set_in_port(&ms[i], 100 + i);
        if (i % 2) {
            match_set_dl_type(&ms[i], c->pkts[i].dl_type);
            match_set_nw_dst(&ms[i], c->pkts[i].nw_dst);
        }
        if (i % 3 == 0) {
            match_set_dl_dst(&ms[i], c->pkts[i].dl_dst);
        }
    }
    for (int i = 0; i < 2; i++) {
        pthread_create(&readers[i], NULL, conc_reader, c);
    }
    rcu_thread_register();
    for (int op = 0; op < 20000; op++) {
        size_t i = test_random() % N_SLOTS;

        __atomic_store_n(&c->version[i], c->version[i] + 1,
                         __ATOMIC_RELEASE);
        if (!live[i]) {
            live[i] = make_flow(&ms[i], i);
            CHECK_EQ(dpcls_insert(&c->dpcls, live[i]), 0);
            __atomic_store_n(&c->present[i], 1, __ATOMIC_RELEASE);
        } else {
            CHECK(dpcls_remove(&c->dpcls, live[i]));
            __atomic_store_n(&c->present[i], 0, __ATOMIC_RELEASE);
            dp_flow_unref(live[i]);
            live[i] = NULL;
        }
        __atomic_store_n(&c->version[i], c->version[i] + 1,
                         __ATOMIC_RELEASE);
        if (op % 8 == 0) {
            rcu_quiesce();
        }
    }
    __atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++) {
        pthread_join(readers[i], NULL);
    }
    CHECK_EQ(c->errors, 0);
    CHECK_GT(c->lookups, 1000);

    dpcls_flush(&c->dpcls);
    CHECK_EQ(dpcls_count(&c->dpcls), 0);
    for (size_t i = 0; i < N_SLOTS; i++) {
        CHECK(!live[i] || dp_flow_is_dead(live[i]));
        dp_flow_unref(live[i]);
    }
    dpcls_destroy(&c->dpcls);
    rcu_thread_unregister();
    rcu_wait_postponed();
    free(c);
}
