/* Tests for lib/miniflow: compression round-trips, word access, hashing
 * and equality by meaning, masked comparisons, and minimatch semantics
 * against a plain struct flow reference. */
#include <config.h>
#include "miniflow.h"

#include "match.h"
#include "test.h"

/* A flow with about N_WORDS random nonzero words. */
static void
random_sparse_flow(struct flow *flow, int n_words)
{
    uint64_t *w = flow_u64(flow);

    memset(flow, 0, sizeof *flow);
    for (int i = 0; i < n_words; i++) {
        w[test_random() % FLOW_U64S] = test_random64();
    }
}

/* A random normalized match with a few masked words. */
static void
random_match(struct match *match)
{
    uint64_t *f = flow_u64(&match->flow);
    uint64_t *m = flow_u64(&match->wc.masks);
    int n = test_random() % 5;

    memset(match, 0, sizeof *match);
    for (int i = 0; i < n; i++) {
        size_t idx = test_random() % FLOW_U64S;
        m[idx] = test_random64() & test_random64();
        f[idx] = test_random64() & m[idx];
    }
}

TEST(flowmap_basics)
{
    struct flowmap map, r;
    size_t idx, count = 0, last = 0;

    flowmap_init(&map);
    CHECK(flowmap_is_empty(map));
    flowmap_set(&map, 0);
    flowmap_set(&map, 7);
    flowmap_set(&map, FLOW_U64S - 1);
    CHECK_EQ(flowmap_n_1bits(map), 3);
    CHECK(flowmap_is_set(&map, 7));
    CHECK(!flowmap_is_set(&map, 8));
    FLOWMAP_FOR_EACH_INDEX (idx, map) {
        CHECK(count == 0 || idx > last);
        last = idx;
        count++;
    }
    CHECK_EQ(count, 3);
    CHECK_EQ(last, FLOW_U64S - 1);

    r = flowmap_range(5, 10);
    CHECK_EQ(flowmap_n_1bits(r), 5);
    CHECK_EQ(flowmap_n_1bits(flowmap_and(map, r)), 1);
    CHECK_EQ(flowmap_n_1bits(flowmap_or(map, r)), 7);
    CHECK(flowmap_equal(flowmap_range(0, FLOW_U64S),
                        flowmap_range(0, 1000)));
    CHECK(flowmap_is_empty(flowmap_range(3, 3)));
}

TEST(miniflow_roundtrip)
{
    for (int iter = 0; iter < 2000; iter++) {
        struct flow flow, back;
        struct miniflow_buf buf;
        struct miniflow *mf;
        size_t nonzero = 0;

        random_sparse_flow(&flow, iter % 12);
        for (size_t i = 0; i < FLOW_U64S; i++) {
            nonzero += flow_u64(&flow)[i] != 0;
        }

        mf = miniflow_alloc(&flow);
        CHECK_EQ(miniflow_n_values(mf), nonzero);
        CHECK_EQ(miniflow_size_of_flow(&flow),
                 sizeof(struct miniflow) + 8 * nonzero);
        miniflow_expand(mf, &back);
        CHECK_MEMEQ(&flow, &back, sizeof flow);
        CHECK(miniflow_equal_flow(mf, &flow));
        for (size_t i = 0; i < FLOW_U64S; i++) {
            CHECK_U64_EQ(miniflow_get(mf, i), flow_u64(&flow)[i]);
        }

        miniflow_init(&buf.mf, &flow);
        CHECK(miniflow_equal(mf, &buf.mf));
        CHECK_EQ(miniflow_hash(mf, 7), miniflow_hash(&buf.mf, 7));

        struct miniflow *clone = miniflow_clone(mf);
        CHECK(miniflow_equal(clone, mf));
        free(clone);

        /* A different flow is not equal (and usually hashes apart). */
        flow_u64(&flow)[test_random() % FLOW_U64S] ^= 1;
        CHECK(!miniflow_equal_flow(mf, &flow));
        struct miniflow *mf2 = miniflow_alloc(&flow);
        CHECK(!miniflow_equal(mf, mf2));
        free(mf2);
        free(mf);
    }
}

/* Equality and hashing are by meaning: an explicit zero word in the map
 * changes neither. */
TEST(miniflow_explicit_zero_words)
{
    struct flow flow;
    struct miniflow_buf a, b;

    memset(&flow, 0, sizeof flow);
    flow.nw_src = htonl(0x0a000001);
    flow.in_port = 3;
    miniflow_init(&a.mf, &flow);

    /* Same flow, map with two extra zero words. */
    b.mf.map = a.mf.map;
    flowmap_set(&b.mf.map, FLOW_U64_OFFSET(tp_src));
    flowmap_set(&b.mf.map, 0);
    {
        uint64_t *v = miniflow_values(&b.mf);
        size_t idx;
        FLOWMAP_FOR_EACH_INDEX (idx, b.mf.map) {
            *v++ = flow_u64(&flow)[idx];
        }
    }
    CHECK_EQ(miniflow_n_values(&b.mf), miniflow_n_values(&a.mf) + 2);
    CHECK(miniflow_equal(&a.mf, &b.mf));
    CHECK(miniflow_equal(&b.mf, &a.mf));
    CHECK_EQ(miniflow_hash(&a.mf, 1), miniflow_hash(&b.mf, 1));
    CHECK(miniflow_equal_flow(&b.mf, &flow));
    CHECK_NE(miniflow_hash(&a.mf, 1), miniflow_hash(&a.mf, 2));
}

TEST(minimatch_semantics)
{
    for (int iter = 0; iter < 3000; iter++) {
        struct match match, back;
        struct minimatch mm, clone;
        struct flow flow;
        const uint64_t *mw, *kw;
        bool expect;

        random_match(&match);
        minimatch_init(&mm, &match);
        minimatch_expand(&mm, &back);
        CHECK_MEMEQ(&match, &back, sizeof match);

        /* Key and mask share the mask's map; size is lean. */
        CHECK(flowmap_equal(mm.flow->map, mm.mask->masks.map));
        CHECK_EQ(minimatch_size(&mm),
                 2 * (sizeof(struct miniflow)
                      + 8 * miniflow_n_values(mm.flow)));

        /* A flow that matches by construction, then perturbed. */
        random_sparse_flow(&flow, 6);
        mw = flow_u64(&match.wc.masks);
        kw = flow_u64(&match.flow);
        for (size_t i = 0; i < FLOW_U64S; i++) {
            uint64_t *fw = &flow_u64(&flow)[i];
            *fw = (*fw & ~mw[i]) | kw[i];
        }
        CHECK(minimatch_matches_flow(&mm, &flow));
        CHECK_EQ(flow_hash_in_minimask(&flow, mm.mask, 0),
                 minimatch_hash_masked(&mm, 0));
        if (iter % 2) {
            flow_u64(&flow)[test_random() % FLOW_U64S] ^=
                UINT64_C(1) << (test_random() % 64);
        }
        expect = true;
        for (size_t i = 0; i < FLOW_U64S; i++) {
            if ((flow_u64(&flow)[i] ^ kw[i]) & mw[i]) {
                expect = false;
            }
        }
        CHECK_EQ(minimatch_matches_flow(&mm, &flow), expect);

        /* Masked comparison of a miniflow of the flow with the key. */
        struct miniflow *fmf = miniflow_alloc(&flow);
        CHECK_EQ(miniflow_equal_in_minimask(fmf, mm.flow, mm.mask), expect);
        CHECK_EQ(miniflow_equal_flow_in_minimask(mm.flow, &flow, mm.mask),
                 expect);
        free(fmf);

        minimatch_clone(&clone, &mm);
        CHECK(minimatch_equal(&clone, &mm));
        CHECK_EQ(minimatch_hash(&clone, 5), minimatch_hash(&mm, 5));
        minimatch_destroy(&clone);
        minimatch_destroy(&mm);
    }
}

/* minimatch_init() normalizes: key bits outside the mask are dropped. */
TEST(minimatch_normalizes)
{
    struct match a, b;
    struct minimatch ma, mb;

    memset(&a, 0, sizeof a);
    a.wc.masks.nw_dst = htonl(0xffffff00);
    a.flow.nw_dst = htonl(0x0a0b0c0d);
    b = a;
    b.flow.nw_dst = htonl(0x0a0b0cff);
    b.flow.tp_dst = htons(80);          /* Unmasked: ignored. */
    minimatch_init(&ma, &a);
    minimatch_init(&mb, &b);
    CHECK(minimatch_equal(&ma, &mb));
    CHECK_EQ(minimatch_hash(&ma, 0), minimatch_hash(&mb, 0));
    CHECK_EQ(miniflow_n_values(ma.flow), 1);
    CHECK_U64_EQ(miniflow_get(ma.flow, FLOW_U64_OFFSET(nw_dst)),
                 miniflow_get(mb.flow, FLOW_U64_OFFSET(nw_dst)));

    /* Different masks with equal keys differ. */
    b.wc.masks.nw_dst = htonl(0xffff0000);
    minimatch_destroy(&mb);
    minimatch_init(&mb, &b);
    CHECK(!minimatch_equal(&ma, &mb));
    CHECK(!minimask_equal(ma.mask, mb.mask));
    CHECK(minimask_has_extra(mb.mask, ma.mask));
    CHECK(!minimask_has_extra(ma.mask, mb.mask));
    minimatch_destroy(&ma);
    minimatch_destroy(&mb);
}

TEST(minimask_catchall)
{
    struct minimatch mm;
    struct flow flow;
    struct match m;

    minimatch_init_catchall(&mm);
    CHECK(minimask_is_catchall(mm.mask));
    CHECK_EQ(minimatch_size(&mm), 2 * sizeof(struct miniflow));
    random_sparse_flow(&flow, 10);
    CHECK(minimatch_matches_flow(&mm, &flow));
    minimatch_expand(&mm, &m);
    CHECK(flowmap_is_empty(mm.mask->masks.map));
    for (size_t i = 0; i < FLOW_U64S; i++) {
        CHECK_U64_EQ(flow_u64(&m.wc.masks)[i], 0);
    }
    minimatch_destroy(&mm);

    struct flow_wildcards wc;
    memset(&wc, 0, sizeof wc);
    wc.masks.in_port = UINT32_MAX;
    struct minimask *mask = minimask_alloc(&wc);
    CHECK(!minimask_is_catchall(mask));
    struct minimask *copy = minimask_clone(mask);
    CHECK(minimask_equal(mask, copy));
    CHECK_EQ(minimask_hash(mask, 0), minimask_hash(copy, 0));
    struct flow_wildcards back;
    minimask_expand(copy, &back);
    CHECK_MEMEQ(&wc, &back, sizeof wc);
    free(mask);
    free(copy);
}
