/* Tests for lib/classifier (and lib/prefix-trie): lookups against a
 * brute-force reference on thousands of random rules over mixed masks;
 * the megaflow promise (every flow that agrees on the un-wildcarded bits
 * gets the same rule); staged-lookup, prefix-tracking and ports-trie
 * wildcards (the promise again on port-heavy rule sets, and narrow
 * megaflows for packets from ports no rule matches); insert/replace/
 * remove; iteration and overlap checks; and a concurrent writer against
 * RCU readers. */
#include <config.h>
#include "classifier.h"
#include "classifier-private.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "match.h"
#include "rcu.h"
#include "test.h"

/* ---- Random rules and flows over realistic fields ---- */

enum field {
    F_IN_PORT, F_DL_TYPE, F_DL_SRC, F_DL_DST, F_VLAN_TCI, F_NW_SRC,
    F_NW_DST, F_NW_PROTO, F_NW_TOS, F_TP_SRC, F_TP_DST, F_IPV6_SRC,
    F_IPV6_DST, F_METADATA, F_REG0, F_TUN_ID, F_TUN_DST,
    F_TP_SRC_HI,                /* tp_src & 0xff00 (not a prefix field). */
    F_NW_DST_ODD,               /* nw_dst & 0xff00ff00 (not CIDR). */
    F_REG0_LO,                  /* reg0 & 0xf. */
};

#define T(...) { __VA_ARGS__, -1 }
static const int templates[][8] = {
    T(F_IN_PORT),
    T(F_IN_PORT, F_DL_DST),
    T(F_DL_TYPE, F_NW_DST),
    T(F_DL_TYPE, F_NW_SRC, F_NW_DST),
    T(F_DL_TYPE, F_NW_PROTO, F_TP_DST),
    T(F_DL_TYPE, F_NW_PROTO, F_NW_DST, F_TP_DST),
    T(F_IN_PORT, F_DL_TYPE, F_NW_SRC),
    T(F_DL_SRC),
    T(F_VLAN_TCI),
    T(F_DL_TYPE, F_IPV6_DST),
    T(F_DL_TYPE, F_IPV6_SRC, F_NW_PROTO, F_TP_SRC),
    T(F_METADATA, F_REG0),
    T(F_TUN_ID, F_IN_PORT),
    T(F_TUN_DST, F_DL_TYPE),
    T(F_NW_TOS, F_DL_TYPE),
    T(F_TP_SRC_HI),
    { -1 },                     /* Catchall. */
    T(F_IN_PORT, F_NW_DST_ODD),
    T(F_REG0_LO, F_TP_DST),
    T(F_DL_TYPE, F_NW_PROTO, F_NW_SRC, F_NW_DST, F_TP_SRC, F_TP_DST),
};
#undef T
#define N_TEMPLATES ARRAY_SIZE(templates)

static const int v4_plens[] = { 8, 16, 24, 32 };
static const int v6_plens[] = { 32, 48, 64, 128 };

static plx_be32
v4_prefix_mask(int plen)
{
    return plen ? htonl(UINT32_MAX << (32 - plen)) : 0;
}

static void
v6_prefix_mask(struct in6_addr *a, int plen)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < 16; i++, plen -= 8) {
        a->s6_addr[i] = plen >= 8 ? 0xff : plen > 0 ? 0xff << (8 - plen) : 0;
    }
}

static uint32_t
pick(uint32_t n)
{
    return test_random() % n;
}

/* A flow with every field drawn from a small pool, so that rules and
 * flows collide often. */
static void
random_pool_flow(struct flow *f)
{
    static const uint16_t ports[] = { 80, 443, 22, 53, 8080, 1234 };
    static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806 };
    static const uint8_t protos[] = { 6, 17, 1 };

    memset(f, 0, sizeof *f);
    f->in_port = 1 + pick(6);
    f->dl_type = htons(types[pick(3)]);
    f->dl_src.ea[5] = pick(4);
    f->dl_dst.ea[5] = pick(4);
    f->dl_dst.ea[0] = pick(2) ? 0x02 : 0;
    f->vlans[0].tci = htons(0x1000 | pick(4));
    f->nw_src = htonl(0x0a000000 | pick(4) << 16 | pick(4) << 8 | pick(256));
    f->nw_dst = htonl((pick(4) ? 0x0a000000 : 0xc0a80000)
                      | pick(4) << 16 | pick(4) << 8 | pick(256));
    f->nw_proto = protos[pick(3)];
    f->nw_tos = pick(4) << 2;
    f->tp_src = htons(ports[pick(6)]);
    f->tp_dst = htons(ports[pick(6)]);
    f->ipv6_src.s6_addr[0] = 0x20;
    f->ipv6_src.s6_addr[1] = 0x01;
    f->ipv6_src.s6_addr[5] = pick(4);
    f->ipv6_src.s6_addr[7] = pick(4);
    f->ipv6_src.s6_addr[15] = pick(8);
    f->ipv6_dst = f->ipv6_src;
    f->ipv6_dst.s6_addr[5] = pick(4);
    f->ipv6_dst.s6_addr[15] = pick(8);
    f->metadata = pick(3);
    f->regs[0] = pick(8);
    f->tunnel.tun_id = pick(3);
    f->tunnel.ip_dst = htonl(0xac100000 | pick(4) << 8 | pick(4));
}

static void
normalize(struct match *m)
{
    uint64_t *f = flow_u64(&m->flow);
    const uint64_t *w = flow_u64(&m->wc.masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        f[i] &= w[i];
    }
}

static void
set_field_mask(struct flow_wildcards *wc, int field)
{
    struct flow *m = &wc->masks;

    switch (field) {
    case F_IN_PORT: m->in_port = UINT32_MAX; break;
    case F_DL_TYPE: m->dl_type = UINT16_MAX; break;
    case F_DL_SRC: memset(&m->dl_src, 0xff, 6); break;
    case F_DL_DST: memset(&m->dl_dst, 0xff, 6); break;
    case F_VLAN_TCI: m->vlans[0].tci = htons(0x1fff); break;
    case F_NW_SRC: m->nw_src = v4_prefix_mask(v4_plens[pick(4)]); break;
    case F_NW_DST: m->nw_dst = v4_prefix_mask(v4_plens[pick(4)]); break;
    case F_NW_PROTO: m->nw_proto = UINT8_MAX; break;
    case F_NW_TOS: m->nw_tos = 0xfc; break;
    case F_TP_SRC: m->tp_src = UINT16_MAX; break;
    case F_TP_DST: m->tp_dst = UINT16_MAX; break;
    case F_IPV6_SRC: v6_prefix_mask(&m->ipv6_src, v6_plens[pick(4)]); break;
    case F_IPV6_DST: v6_prefix_mask(&m->ipv6_dst, v6_plens[pick(4)]); break;
    case F_METADATA: m->metadata = UINT64_MAX; break;
    case F_REG0: m->regs[0] = UINT32_MAX; break;
    case F_TUN_ID: m->tunnel.tun_id = UINT64_MAX; break;
    case F_TUN_DST: m->tunnel.ip_dst = v4_prefix_mask(v4_plens[pick(4)]);
        break;
    case F_TP_SRC_HI: m->tp_src = htons(0xff00); break;
    case F_NW_DST_ODD: m->nw_dst = htonl(0xff00ff00); break;
    case F_REG0_LO: m->regs[0] = 0xf; break;
    }
}

/* A random rule match: a random template over a random pool flow. */
static void
random_match(struct match *m)
{
    const int *t = templates[pick(N_TEMPLATES)];

    memset(m, 0, sizeof *m);
    random_pool_flow(&m->flow);
    for (; *t >= 0; t++) {
        set_field_mask(&m->wc, *t);
    }
    normalize(m);
}

struct test_rule {
    struct cls_rule cr;
    int id;
};

static struct test_rule *
test_rule_create(const struct match *m, int priority, int id)
{
    struct test_rule *r = xmalloc(sizeof *r);

    cls_rule_init(&r->cr, m, priority);
    r->id = id;
    return r;
}

static void
test_rule_free(struct test_rule *r)
{
    cls_rule_destroy(&r->cr);
    free(r);
}

static struct test_rule *
tr(const struct cls_rule *cr)
{
    return cr ? CONTAINER_OF(cr, struct test_rule, cr) : NULL;
}

/* A flow that RULE matches, other bits from the pool. */
static void
flow_hitting(const struct cls_rule *rule, struct flow *f)
{
    struct match m;

    minimatch_expand(&rule->match, &m);
    random_pool_flow(f);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        uint64_t *w = &flow_u64(f)[i];
        *w = (*w & ~flow_u64(&m.wc.masks)[i]) | flow_u64(&m.flow)[i];
    }
}

/* The reference: the highest priority among RULES that match F, or -1. */
static int
brute_force_priority(struct test_rule **rules, size_t n, const struct flow *f)
{
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        if (rules[i] && rules[i]->cr.priority > best
            && minimatch_matches_flow(&rules[i]->cr.match, f)) {
            best = rules[i]->cr.priority;
        }
    }
    return best;
}

static void
check_lookup(const struct classifier *cls, struct test_rule **rules, size_t n,
             const struct flow *f)
{
    int expect = brute_force_priority(rules, n, f);
    struct flow_wildcards wc;
    const struct cls_rule *got, *got_nowc;

    memset(&wc, 0, sizeof wc);
    got = classifier_lookup(cls, f, &wc);
    got_nowc = classifier_lookup(cls, f, NULL);
    if (expect < 0) {
        CHECK_MSG(!got, "lookup found priority %d, expected no match",
                  got->priority);
    } else {
        CHECK_MSG(got, "lookup found nothing, expected priority %d",
                  expect);
        CHECK_EQ(got->priority, expect);
        CHECK(minimatch_matches_flow(&got->match, f));
    }
    CHECK(got == got_nowc);
}

/* Inserts N random rules with priorities below MAX_PRIORITY. */
static struct test_rule **
insert_random_rules(struct classifier *cls, size_t n, int max_priority)
{
    struct test_rule **rules = xcalloc(n, sizeof *rules);

    for (size_t i = 0; i < n; i++) {
        struct match m;
        int priority;

        do {
            random_match(&m);
            priority = pick(max_priority);
            rules[i] = test_rule_create(&m, priority, i);
        } while (classifier_find_rule_exactly(cls, &rules[i]->cr)
                 && (test_rule_free(rules[i]), true));
        classifier_insert(cls, &rules[i]->cr);
    }
    return rules;
}

static void
free_rules(struct classifier *cls, struct test_rule **rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rules[i]) {
            CHECK(classifier_remove(cls, &rules[i]->cr));
            test_rule_free(rules[i]);
        }
    }
    CHECK_EQ(classifier_count(cls), 0);
    CHECK_EQ(classifier_n_subtables(cls), 0);
    free(rules);
}

static void
random_flow_for(struct test_rule **rules, size_t n, struct flow *f)
{
    size_t i = pick(n);

    if (pick(2) && rules[i]) {
        flow_hitting(&rules[i]->cr, f);
    } else {
        random_pool_flow(f);
    }
}

/* ---- Tests ---- */

TEST(empty)
{
    struct classifier cls;
    struct flow_wildcards wc;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    random_pool_flow(&f);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK(classifier_is_empty(&cls));
    for (size_t i = 0; i < FLOW_U64S; i++) {
        CHECK_U64_EQ(flow_u64(&wc.masks)[i], 0);
    }
    classifier_destroy(&cls);
}

TEST(random_vs_brute_force)
{
    enum { N = 3000 };
    struct classifier cls;
    struct test_rule **rules;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    rules = insert_random_rules(&cls, N, 0x10000);
    CHECK_EQ(classifier_count(&cls), N);
    CHECK_GT(classifier_n_subtables(&cls), 20);
    for (int i = 0; i < 20000; i++) {
        random_flow_for(rules, N, &f);
        check_lookup(&cls, rules, N, &f);
    }

    /* Remove a random half, replace a few, and check again. */
    for (size_t i = 0; i < N; i++) {
        if (pick(2)) {
            CHECK(classifier_remove(&cls, &rules[i]->cr));
            CHECK(!classifier_remove(&cls, &rules[i]->cr));
            CHECK(!classifier_find_rule_exactly(&cls, &rules[i]->cr));
            test_rule_free(rules[i]);
            rules[i] = NULL;
        } else if (pick(8) == 0) {
            struct test_rule *copy = xmalloc(sizeof *copy);
            cls_rule_clone(&copy->cr, &rules[i]->cr);
            copy->id = rules[i]->id;
            CHECK(classifier_replace(&cls, &copy->cr) == &rules[i]->cr);
            test_rule_free(rules[i]);
            rules[i] = copy;
        }
    }
    for (size_t i = 0; i < N; i++) {
        if (rules[i]) {
            CHECK(classifier_find_rule_exactly(&cls, &rules[i]->cr)
                  == &rules[i]->cr);
        }
    }
    for (int i = 0; i < 20000; i++) {
        random_flow_for(rules, N, &f);
        check_lookup(&cls, rules, N, &f);
    }
    free_rules(&cls, rules, N);
    classifier_destroy(&cls);
}

/* Insertion and removal churn in few subtables: exercises the rule
 * tables' tombstones and rebuilds and the max-priority tracking. */
TEST(churn)
{
    enum { N = 400 };
    struct classifier cls;
    struct test_rule *rules[N] = { NULL };
    struct flow f;

    classifier_init(&cls, NULL, 0);
    for (int round = 0; round < 30000; round++) {
        size_t i = pick(N);

        if (rules[i]) {
            CHECK(classifier_remove(&cls, &rules[i]->cr));
            test_rule_free(rules[i]);
            rules[i] = NULL;
        } else {
            struct match m;
            memset(&m, 0, sizeof m);
            m.flow.in_port = i % 50;
            m.wc.masks.in_port = UINT32_MAX;
            if (i % 3 == 0) {
                m.flow.tp_dst = htons(i);
                m.wc.masks.tp_dst = UINT16_MAX;
            }
            /* Same match, different priorities: i and i + 50 share
             * in_port. */
            rules[i] = test_rule_create(&m, (int) (i * 7 % 1000), i);
            if (classifier_find_rule_exactly(&cls, &rules[i]->cr)) {
                test_rule_free(rules[i]);
                rules[i] = NULL;
                continue;
            }
            classifier_insert(&cls, &rules[i]->cr);
        }
        if (round % 100 == 0) {
            for (int k = 0; k < 50; k++) {
                memset(&f, 0, sizeof f);
                f.in_port = pick(60);
                f.tp_dst = htons(pick(N));
                check_lookup(&cls, rules, N, &f);
            }
        }
    }
    for (size_t i = 0; i < N; i++) {
        if (rules[i]) {
            CHECK(classifier_remove(&cls, &rules[i]->cr));
            test_rule_free(rules[i]);
        }
    }
    CHECK(classifier_is_empty(&cls));
    classifier_destroy(&cls);
    rcu_wait_postponed();
}

TEST(same_match_priorities)
{
    struct classifier cls;
    struct test_rule *r[4];
    struct match m;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    memset(&m, 0, sizeof m);
    m.flow.nw_dst = htonl(0x0a000000);
    m.wc.masks.nw_dst = htonl(0xff000000);
    r[0] = test_rule_create(&m, 10, 0);
    r[1] = test_rule_create(&m, 30, 1);
    r[2] = test_rule_create(&m, 20, 2);
    r[3] = test_rule_create(&m, 20, 3);
    classifier_insert(&cls, &r[0]->cr);
    classifier_insert(&cls, &r[1]->cr);
    classifier_insert(&cls, &r[2]->cr);
    CHECK_EQ(classifier_count(&cls), 3);
    CHECK_EQ(classifier_n_subtables(&cls), 1);

    memset(&f, 0, sizeof f);
    f.nw_dst = htonl(0x0a010203);
    CHECK_EQ(tr(classifier_lookup(&cls, &f, NULL))->id, 1);
    for (int i = 0; i < 3; i++) {
        CHECK(classifier_find_rule_exactly(&cls, &r[i]->cr) == &r[i]->cr);
    }
    CHECK(classifier_find_match_exactly(&cls, &m, 20) == &r[2]->cr);
    CHECK(!classifier_find_match_exactly(&cls, &m, 25));

    /* Replacing the priority-20 rule displaces it. */
    CHECK(classifier_replace(&cls, &r[3]->cr) == &r[2]->cr);
    CHECK_EQ(classifier_count(&cls), 3);
    CHECK(classifier_find_match_exactly(&cls, &m, 20) == &r[3]->cr);
    CHECK(!classifier_remove(&cls, &r[2]->cr));

    CHECK(classifier_remove(&cls, &r[1]->cr));
    CHECK_EQ(tr(classifier_lookup(&cls, &f, NULL))->id, 3);
    CHECK(classifier_remove(&cls, &r[3]->cr));
    CHECK_EQ(tr(classifier_lookup(&cls, &f, NULL))->id, 0);
    /* A removed rule may go back in. */
    classifier_insert(&cls, &r[1]->cr);
    CHECK_EQ(tr(classifier_lookup(&cls, &f, NULL))->id, 1);
    CHECK(classifier_remove(&cls, &r[1]->cr));
    CHECK(classifier_remove(&cls, &r[0]->cr));
    CHECK(!classifier_lookup(&cls, &f, NULL));
    CHECK(classifier_is_empty(&cls));
    for (int i = 0; i < 4; i++) {
        test_rule_free(r[i]);
    }
    classifier_destroy(&cls);
}

/* The megaflow promise, on random rule sets: changing any wildcarded bit
 * of a flow never changes the lookup result. */
static void
check_wildcards(const enum cls_prefix_field *fields, size_t n_fields)
{
    for (int set = 0; set < 60; set++) {
        size_t n = 1 + pick(set < 30 ? 20 : 200);
        struct classifier cls;
        struct test_rule **rules;

        classifier_init(&cls, fields, n_fields);
        rules = insert_random_rules(&cls, n, set % 2 ? 5 : 0x10000);
        for (int i = 0; i < 200; i++) {
            struct flow_wildcards wc;
            const struct cls_rule *first;
            struct flow f, g;

            random_flow_for(rules, n, &f);
            memset(&wc, 0, sizeof wc);
            first = classifier_lookup(&cls, &f, &wc);
            for (int k = 0; k < 20; k++) {
                struct flow_wildcards wc2;
                const struct cls_rule *again;

                /* Bits from a random flow or, adversarially, from a flow
                 * built to hit some rule. */
                random_flow_for(rules, n, &g);
                if (k % 4 == 0) {
                    for (size_t w = 0; w < FLOW_U64S; w++) {
                        flow_u64(&g)[w] = test_random64();
                    }
                }
                for (size_t w = 0; w < FLOW_U64S; w++) {
                    uint64_t m = flow_u64(&wc.masks)[w];
                    flow_u64(&g)[w] = ((flow_u64(&f)[w] & m)
                                       | (flow_u64(&g)[w] & ~m));
                }
                memset(&wc2, 0, sizeof wc2);
                again = classifier_lookup(&cls, &g, &wc2);
                CHECK_MSG(again == first,
                          "set %d flow %d: wildcarded bits changed the "
                          "result (priority %d -> %d)", set, i,
                          first ? first->priority : -1,
                          again ? again->priority : -1);
            }
        }
        free_rules(&cls, rules, n);
        classifier_destroy(&cls);
    }
}

TEST(wildcards_default_tries)
{
    check_wildcards(NULL, 0);
}

TEST(wildcards_no_tries)
{
    static const enum cls_prefix_field none[1];
    check_wildcards(none, 0);
}

TEST(wildcards_all_tries)
{
    static const enum cls_prefix_field f[] = {
        CLS_PREFIX_IPV6_DST, CLS_PREFIX_TUN_DST, CLS_PREFIX_NW_SRC,
    };
    check_wildcards(f, ARRAY_SIZE(f));
}

static struct test_rule *
insert_nw_dst_rule(struct classifier *cls, uint32_t addr, int plen,
                   int priority, int id)
{
    struct test_rule *r;
    struct match m;

    memset(&m, 0, sizeof m);
    m.wc.masks.dl_type = UINT16_MAX;
    m.flow.dl_type = htons(0x0800);
    m.wc.masks.nw_dst = v4_prefix_mask(plen);
    m.flow.nw_dst = htonl(addr) & m.wc.masks.nw_dst;
    r = test_rule_create(&m, priority, id);
    classifier_insert(cls, &r->cr);
    return r;
}

TEST(prefix_tracking)
{
    static const enum cls_prefix_field none[1];
    struct classifier cls;
    struct flow_wildcards wc;
    struct test_rule *r8, *r16;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    r8 = insert_nw_dst_rule(&cls, 0x0a000000, 8, 10, 8);
    r16 = insert_nw_dst_rule(&cls, 0x0a010000, 16, 20, 16);

    memset(&f, 0, sizeof f);
    f.dl_type = htons(0x0800);

    /* 192.168.1.1 differs from 10/8 in the first bit: one bit is
     * enough to rule both out. */
    f.nw_dst = htonl(0xc0a80101);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0x80000000);

    /* 11.0.0.1 agrees with 10/8 on 7 bits: 8 are needed. */
    f.nw_dst = htonl(0x0b000001);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0xff000000);

    /* 10.2.3.4 matches /8 and leaves 10.1/16 at bit 14: a /15. */
    f.nw_dst = htonl(0x0a020304);
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r8->cr);
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0xfffe0000);

    /* 10.1.2.3 matches both; the /16 wins. */
    f.nw_dst = htonl(0x0a010203);
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r16->cr);
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0xffff0000);

    /* Without prefix tracking the miss costs the subtables' masks. */
    CHECK(classifier_set_prefix_fields(&cls, none, 0));
    f.nw_dst = htonl(0xc0a80101);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0xffff0000);

    /* Switching tracking back on rebuilds the trie from the rules. */
    static const enum cls_prefix_field dst[] = { CLS_PREFIX_NW_DST };
    CHECK(classifier_set_prefix_fields(&cls, dst, 1));
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(ntohl(wc.masks.nw_dst), 0x80000000);

    CHECK(classifier_remove(&cls, &r8->cr));
    CHECK(classifier_remove(&cls, &r16->cr));
    test_rule_free(r8);
    test_rule_free(r16);
    classifier_destroy(&cls);
}

/* IPv6: a 128-bit trie spans several nodes of at most 32 bits. */
TEST(prefix_tracking_ipv6)
{
    static const enum cls_prefix_field v6[] = { CLS_PREFIX_IPV6_DST };
    struct classifier cls;
    struct flow_wildcards wc;
    struct test_rule *r[3];
    static const int plens[] = { 32, 64, 128 };
    struct flow f;

    classifier_init(&cls, v6, 1);
    for (int i = 0; i < 3; i++) {
        struct match m;

        memset(&m, 0, sizeof m);
        m.flow.dl_type = htons(0x86dd);
        m.wc.masks.dl_type = UINT16_MAX;
        inet_pton(AF_INET6, "2001:db8:0:1::5", &m.flow.ipv6_dst);
        v6_prefix_mask(&m.wc.masks.ipv6_dst, plens[i]);
        normalize(&m);
        r[i] = test_rule_create(&m, 10 + i, i);
        classifier_insert(&cls, &r[i]->cr);
    }
    memset(&f, 0, sizeof f);
    f.dl_type = htons(0x86dd);

    /* 2001:db8:0:2::5 leaves the /64 path at bit 62: /63. */
    inet_pton(AF_INET6, "2001:db8:0:2::5", &f.ipv6_dst);
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r[0]->cr);
    struct in6_addr expect;
    v6_prefix_mask(&expect, 63);
    CHECK_MEMEQ(&wc.masks.ipv6_dst, &expect, sizeof expect);

    /* 2001:db8:0:1::4 leaves the /128 at its last bit. */
    inet_pton(AF_INET6, "2001:db8:0:1::4", &f.ipv6_dst);
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r[1]->cr);
    v6_prefix_mask(&expect, 128);
    CHECK_MEMEQ(&wc.masks.ipv6_dst, &expect, sizeof expect);

    /* 3000:: differs in the third bit. */
    inet_pton(AF_INET6, "3000::", &f.ipv6_dst);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    v6_prefix_mask(&expect, 4);
    CHECK_MEMEQ(&wc.masks.ipv6_dst, &expect, sizeof expect);

    for (int i = 0; i < 3; i++) {
        CHECK(classifier_remove(&cls, &r[i]->cr));
        test_rule_free(r[i]);
    }
    classifier_destroy(&cls);
    rcu_wait_postponed();
}

TEST(prefix_fields_config)
{
    static const enum cls_prefix_field dup[] = {
        CLS_PREFIX_NW_DST, CLS_PREFIX_NW_DST,
    };
    static const enum cls_prefix_field four[] = {
        CLS_PREFIX_NW_DST, CLS_PREFIX_NW_SRC, CLS_PREFIX_IPV6_SRC,
        CLS_PREFIX_IPV6_DST,
    };
    const enum cls_prefix_field bad[] = { CLS_N_PREFIX_FIELDS };
    enum cls_prefix_field field;
    struct classifier cls;

    classifier_init(&cls, NULL, 0);
    CHECK_EQ(cls.n_tries, 2);
    CHECK(!classifier_set_prefix_fields(&cls, dup, 2));
    CHECK(!classifier_set_prefix_fields(&cls, four, 4));
    CHECK(!classifier_set_prefix_fields(&cls, bad, 1));
    CHECK_EQ(cls.n_tries, 2);
    CHECK(classifier_set_prefix_fields(&cls, four, 3));
    CHECK_EQ(cls.n_tries, 3);
    classifier_destroy(&cls);

    classifier_init(&cls, dup, 2);      /* Invalid: no tracking. */
    CHECK_EQ(cls.n_tries, 0);
    classifier_destroy(&cls);

    CHECK(cls_prefix_field_from_name("ip_dst", &field));
    CHECK_EQ(field, CLS_PREFIX_NW_DST);
    CHECK(cls_prefix_field_from_name("ipv6_src", &field));
    CHECK_EQ(field, CLS_PREFIX_IPV6_SRC);
    CHECK_STREQ(cls_prefix_field_name(CLS_PREFIX_TUN_DST), "tun_dst");
    CHECK(!cls_prefix_field_from_name("tp_dst", &field));
    CHECK(!cls_prefix_field_from_name("", &field));
}

/* A miss in an early stage reports only that stage's fields. */
TEST(staged_lookup_wildcards)
{
    struct classifier cls;
    struct flow_wildcards wc;
    struct test_rule *r;
    struct match m;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    memset(&m, 0, sizeof m);
    m.flow.in_port = 1;
    m.wc.masks.in_port = UINT32_MAX;
    m.flow.dl_type = htons(0x0800);
    m.wc.masks.dl_type = UINT16_MAX;
    m.flow.nw_proto = 6;
    m.wc.masks.nw_proto = UINT8_MAX;
    m.flow.tp_dst = htons(80);
    m.wc.masks.tp_dst = UINT16_MAX;
    r = test_rule_create(&m, 100, 1);
    classifier_insert(&cls, &r->cr);

    memset(&f, 0, sizeof f);
    f.in_port = 2;
    f.dl_type = htons(0x0800);
    f.nw_proto = 6;
    f.tp_dst = htons(80);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(wc.masks.in_port, UINT32_MAX);
    CHECK_EQ(wc.masks.dl_type, 0);
    CHECK_EQ(wc.masks.nw_proto, 0);
    CHECK_EQ(wc.masks.tp_dst, 0);

    f.in_port = 1;
    f.nw_proto = 17;                    /* Miss at L3. */
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(wc.masks.dl_type, UINT16_MAX);
    CHECK_EQ(wc.masks.nw_proto, UINT8_MAX);
    CHECK_EQ(wc.masks.tp_dst, 0);

    f.nw_proto = 6;                     /* Hit: the whole mask. */
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r->cr);
    CHECK_MEMEQ(&wc, &m.wc, sizeof wc);

    CHECK(classifier_remove(&cls, &r->cr));
    test_rule_free(r);
    classifier_destroy(&cls);
}

/* ---- Ports tries ---- */

/* Port masks: prefixes of the 32-bit word (tp_src << 16 | tp_dst), which
 * get a ports trie, and others, which do not. */
static const struct {
    uint16_t src, dst;
} port_masks[] = {
    { 0xffff, 0 }, { 0xffff, 0 }, { 0xffff, 0xffff }, { 0xff00, 0 },
    { 0xfff0, 0 }, { 0xc000, 0 }, { 0xfffe, 0 }, { 0xffff, 0xfc00 },
    { 0xffff, 0xff00 }, { 0xffff, 0x8000 },
    { 0, 0xffff }, { 0xff00, 0x00ff }, { 0x00ff, 0 },     /* Not prefixes. */
};

/* A port near a small set of hot ports, so that rules share prefixes and
 * flows fall just inside and just outside them. */
static uint16_t
random_port(void)
{
    static const uint16_t hot[] = { 80, 443, 10000, 10001, 10007, 40000 };

    switch (pick(4)) {
    case 0:
        return test_random();
    case 1:
        return hot[pick(ARRAY_SIZE(hot))] ^ (1u << pick(16));
    default:
        return hot[pick(ARRAY_SIZE(hot))] + pick(20);
    }
}

static void
random_port_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + pick(2);
    f->dl_type = htons(pick(8) ? 0x0800 : 0x86dd);
    f->nw_proto = pick(2) ? 17 : 6;
    f->tp_src = htons(random_port());
    f->tp_dst = htons(random_port());
    f->tcp_flags = htons(pick(4));
}

/* A rule over the ports, sometimes also over nw_proto, in_port or (in the
 * same final stage as the ports) tcp_flags. */
static void
random_port_match(struct match *m)
{
    size_t k = pick(ARRAY_SIZE(port_masks));

    memset(m, 0, sizeof *m);
    random_port_flow(&m->flow);
    m->wc.masks.dl_type = UINT16_MAX;
    m->wc.masks.tp_src = htons(port_masks[k].src);
    m->wc.masks.tp_dst = htons(port_masks[k].dst);
    if (pick(2)) {
        m->wc.masks.nw_proto = UINT8_MAX;
    }
    if (!pick(4)) {
        m->wc.masks.in_port = UINT32_MAX;
    }
    if (!pick(6)) {
        m->wc.masks.tcp_flags = htons(3);
    }
    normalize(m);
}

/* The megaflow promise on port-heavy rule sets, across insertions and
 * removals: every flow that agrees with a looked-up flow on the
 * un-wildcarded bits gets the same rule. */
TEST(ports_trie_wildcards)
{
    for (int set = 0; set < 40; set++) {
        size_t n = 1 + pick(set < 20 ? 30 : 400);
        struct test_rule **rules = xcalloc(n, sizeof *rules);
        struct classifier cls;

        classifier_init(&cls, NULL, 0);
        for (size_t i = 0; i < n; i++) {
            struct match m;

            random_port_match(&m);
            rules[i] = test_rule_create(&m, pick(set % 2 ? 4 : 1000), i);
            if (classifier_find_rule_exactly(&cls, &rules[i]->cr)) {
                test_rule_free(rules[i]);
                rules[i] = NULL;
            } else {
                classifier_insert(&cls, &rules[i]->cr);
            }
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 150; i++) {
                struct flow_wildcards wc;
                const struct cls_rule *first;
                struct flow f, g;

                if (pick(3) || !rules[i % n]) {
                    random_port_flow(&f);
                } else {
                    flow_hitting(&rules[i % n]->cr, &f);
                }
                check_lookup(&cls, rules, n, &f);
                memset(&wc, 0, sizeof wc);
                first = classifier_lookup(&cls, &f, &wc);
                for (int k = 0; k < 30; k++) {
                    const struct cls_rule *again;

                    if (k % 3 == 0) {
                        for (size_t w = 0; w < FLOW_U64S; w++) {
                            flow_u64(&g)[w] = test_random64();
                        }
                    } else if (k % 3 == 1 && rules[k % n]) {
                        flow_hitting(&rules[k % n]->cr, &g);
                    } else {
                        random_port_flow(&g);
                    }
                    for (size_t w = 0; w < FLOW_U64S; w++) {
                        uint64_t m = flow_u64(&wc.masks)[w];
                        flow_u64(&g)[w] = ((flow_u64(&f)[w] & m)
                                           | (flow_u64(&g)[w] & ~m));
                    }
                    again = classifier_lookup(&cls, &g, NULL);
                    CHECK_MSG(again == first,
                              "set %d round %d flow %d: wildcarded bits "
                              "changed the result (priority %d -> %d)",
                              set, round, i, first ? first->priority : -1,
                              again ? again->priority : -1);
                }
            }

            /* Keep the tries in step: remove some rules, add others. */
            for (size_t i = 0; i < n; i++) {
                if (rules[i] && !pick(3)) {
                    CHECK(classifier_remove(&cls, &rules[i]->cr));
                    test_rule_free(rules[i]);
                    rules[i] = NULL;
                } else if (!rules[i] && pick(2)) {
                    struct match m;

                    random_port_match(&m);
                    rules[i] = test_rule_create(&m, pick(1000), i);
                    if (classifier_find_rule_exactly(&cls, &rules[i]->cr)) {
                        test_rule_free(rules[i]);
                        rules[i] = NULL;
                    } else {
                        classifier_insert(&cls, &rules[i]->cr);
                    }
                }
            }
        }
        free_rules(&cls, rules, n);
        classifier_destroy(&cls);
    }
    rcu_wait_postponed();
}

/* Inserts dl_type=0x0800,nw_proto=PROTO,tp_src=PORT. */
static struct test_rule *
insert_tp_src_rule(struct classifier *cls, uint8_t proto, uint16_t port,
                   int id)
{
    struct test_rule *r;
    struct match m;

    memset(&m, 0, sizeof m);
    m.flow.dl_type = htons(0x0800);
    m.wc.masks.dl_type = UINT16_MAX;
    m.flow.nw_proto = proto;
    m.wc.masks.nw_proto = UINT8_MAX;
    m.flow.tp_src = htons(port);
    m.wc.masks.tp_src = UINT16_MAX;
    r = test_rule_create(&m, 100, id);
    classifier_insert(cls, &r->cr);
    return r;
}

static bool
is_prefix16(uint16_t mask)
{
    return !(uint16_t) ((uint32_t) mask << __builtin_popcount(mask));
}

/* A packet from a source port that no tp_src rule has un-wildcards only a
 * short prefix of tp_src; a hit, and a non-prefix port mask, still
 * un-wildcard the whole mask. */
TEST(ports_trie_narrow_megaflows)
{
    enum { N = 1000 };
    struct test_rule *r[N], *rdst;
    struct flow_wildcards wc;
    struct classifier cls;
    struct flow f, g;
    uint16_t mask;

    classifier_init(&cls, NULL, 0);
    for (int i = 0; i < N; i++) {
        r[i] = insert_tp_src_rule(&cls, 17, 10000 + i, i);
    }
    memset(&f, 0, sizeof f);
    f.dl_type = htons(0x0800);
    f.nw_proto = 17;
    f.tp_src = htons(40000);
    f.tp_dst = htons(53);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    mask = ntohs(wc.masks.tp_src);
    CHECK(is_prefix16(mask));
    CHECK_LT(__builtin_popcount(mask), 16);
    CHECK_LE(__builtin_popcount(mask), 4);
    CHECK_EQ(wc.masks.tp_dst, 0);
    CHECK_EQ(wc.masks.dl_type, UINT16_MAX);
    CHECK_EQ(wc.masks.nw_proto, UINT8_MAX);

    /* Every source port that agrees on those bits misses too. */
    g = f;
    for (uint32_t p = 0; p <= UINT16_MAX; p++) {
        if ((p & mask) == (40000 & mask)) {
            g.tp_src = htons(p);
            CHECK(!classifier_lookup(&cls, &g, NULL));
        }
    }

    /* A port just outside the rules' range needs more bits, still not
     * all 16 unless the trie needs them. */
    f.tp_src = htons(11000);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    mask = ntohs(wc.masks.tp_src);
    CHECK(is_prefix16(mask));
    g = f;
    for (uint32_t p = 0; p <= UINT16_MAX; p++) {
        if ((p & mask) == (11000 & mask)) {
            g.tp_src = htons(p);
            CHECK(!classifier_lookup(&cls, &g, NULL));
        }
    }

    /* A hit un-wildcards the whole mask. */
    f.tp_src = htons(10500);
    memset(&wc, 0, sizeof wc);
    CHECK(classifier_lookup(&cls, &f, &wc) == &r[500]->cr);
    CHECK_EQ(wc.masks.tp_src, UINT16_MAX);

    /* A miss at L3 never looks at the ports. */
    f.nw_proto = 6;
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(wc.masks.tp_src, 0);

    /* Removing rules keeps the trie in step: with only 10999 left, port
     * 10500 misses with a prefix that 10999 does not share. */
    for (int i = 0; i < N - 1; i++) {
        CHECK(classifier_remove(&cls, &r[i]->cr));
        test_rule_free(r[i]);
    }
    f.nw_proto = 17;
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    mask = ntohs(wc.masks.tp_src);
    CHECK(is_prefix16(mask));
    CHECK_NE(10999 & mask, 10500 & mask);
    CHECK_LT(__builtin_popcount(mask), 16);
    f.tp_src = htons(10999);
    CHECK(classifier_lookup(&cls, &f, NULL) == &r[N - 1]->cr);
    CHECK(classifier_remove(&cls, &r[N - 1]->cr));
    test_rule_free(r[N - 1]);

    /* tp_dst alone is not a prefix of the ports word: whole mask. */
    {
        struct match m;

        memset(&m, 0, sizeof m);
        m.flow.tp_dst = htons(80);
        m.wc.masks.tp_dst = UINT16_MAX;
        rdst = test_rule_create(&m, 5, 0);
        classifier_insert(&cls, &rdst->cr);
    }
    f.tp_dst = htons(8080);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(wc.masks.tp_dst, UINT16_MAX);
    CHECK(classifier_remove(&cls, &rdst->cr));
    test_rule_free(rdst);
    classifier_destroy(&cls);
    rcu_wait_postponed();
}

/* When the ports match a rule but another final-stage field (tcp_flags)
 * does not, the ports trie proves nothing: the whole mask is reported. */
TEST(ports_trie_other_l4_fields)
{
    struct flow_wildcards wc;
    struct classifier cls;
    struct test_rule *r;
    struct match m;
    struct flow f;

    classifier_init(&cls, NULL, 0);
    memset(&m, 0, sizeof m);
    m.flow.dl_type = htons(0x0800);
    m.wc.masks.dl_type = UINT16_MAX;
    m.flow.nw_proto = 6;
    m.wc.masks.nw_proto = UINT8_MAX;
    m.flow.tp_src = htons(80);
    m.wc.masks.tp_src = UINT16_MAX;
    m.flow.tcp_flags = htons(2);
    m.wc.masks.tcp_flags = htons(2);
    r = test_rule_create(&m, 10, 0);
    classifier_insert(&cls, &r->cr);

    memset(&f, 0, sizeof f);
    f.dl_type = htons(0x0800);
    f.nw_proto = 6;
    f.tp_src = htons(80);
    f.tcp_flags = htons(0x10);
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK_EQ(wc.masks.tp_src, UINT16_MAX);
    CHECK_EQ(wc.masks.tcp_flags, htons(2));

    f.tp_src = htons(81);               /* Ports miss: a prefix only. */
    memset(&wc, 0, sizeof wc);
    CHECK(!classifier_lookup(&cls, &f, &wc));
    CHECK(is_prefix16(ntohs(wc.masks.tp_src)));
    CHECK_EQ(wc.masks.tcp_flags, 0);

    CHECK(classifier_remove(&cls, &r->cr));
    test_rule_free(r);
    classifier_destroy(&cls);
}

/* Megaflows a datapath would install for an OpenFlow table of
 * udp,tp_src=P for 1000 ports P, given packets from 1000 other source
 * ports: a packet covered by an installed megaflow reuses it, any other
 * installs (packet & wc, wc).  Without the ports trie every packet would
 * install its own (tp_src exact).  With it, rules on a contiguous range
 * of ports leave a handful; ports scattered over all 65536 values leave a
 * trie about 11 levels deep, so packets still share megaflows, though
 * many fewer of them. */
static size_t
count_tp_src_megaflows(bool contiguous)
{
    enum { N = 1000 };
    struct test_rule *r[N];
    struct classifier cls;
    struct flow (*keys)[2] = xcalloc(N, sizeof *keys);
    bool used[65536] = { false };
    size_t n_megaflows = 0;

    classifier_init(&cls, NULL, 0);
    for (int i = 0; i < N; i++) {
        uint16_t port;

        do {
            port = contiguous ? 10000 + i : test_random();
        } while (used[port]);
        used[port] = true;
        r[i] = insert_tp_src_rule(&cls, 17, port, i);
    }
    for (int i = 0; i < N; i++) {
        struct flow_wildcards wc;
        struct flow f;
        uint16_t port;
        size_t k;

        do {
            port = test_random();
        } while (used[port]);
        used[port] = true;
        memset(&f, 0, sizeof f);
        f.dl_type = htons(0x0800);
        f.nw_proto = 17;
        f.tp_src = htons(port);
        f.tp_dst = htons(test_random());

        for (k = 0; k < n_megaflows; k++) {
            size_t w;

            for (w = 0; w < FLOW_U64S; w++) {
                if ((flow_u64(&f)[w] & flow_u64(&keys[k][1])[w])
                    != flow_u64(&keys[k][0])[w]) {
                    break;
                }
            }
            if (w == FLOW_U64S) {
                break;
            }
        }
        if (k < n_megaflows) {
            continue;
        }
        memset(&wc, 0, sizeof wc);
        CHECK(!classifier_lookup(&cls, &f, &wc));
        keys[n_megaflows][1] = wc.masks;
        for (size_t w = 0; w < FLOW_U64S; w++) {
            flow_u64(&keys[n_megaflows][0])[w]
                = flow_u64(&f)[w] & flow_u64(&wc.masks)[w];
        }
        n_megaflows++;
    }
    for (int i = 0; i < N; i++) {
        CHECK(classifier_remove(&cls, &r[i]->cr));
        test_rule_free(r[i]);
    }
    classifier_destroy(&cls);
    free(keys);
    return n_megaflows;
}

TEST(ports_trie_megaflow_count)
{
    size_t contiguous = count_tp_src_megaflows(true);
    size_t scattered = count_tp_src_megaflows(false);

    if (getenv("PLX_TEST_MEGAFLOWS")) {
        printf("megaflows: contiguous %zu, scattered %zu\n",
               contiguous, scattered);
    }
    CHECK_LE(contiguous, 40);
    CHECK_LT(scattered, 900);
    rcu_wait_postponed();
}

TEST(iteration_and_targets)
{
    enum { N = 500 };
    struct classifier cls;
    struct test_rule **rules, *r;
    bool seen[N];

    classifier_init(&cls, NULL, 0);
    rules = insert_random_rules(&cls, N, 100);

    memset(seen, 0, sizeof seen);
    CLS_FOR_EACH (r, cr, &cls) {
        CHECK(!seen[r->id]);
        seen[r->id] = true;
    }
    for (size_t i = 0; i < N; i++) {
        CHECK(seen[i]);
    }

    /* Targets: random rules' matches, and looser versions of them. */
    for (int t = 0; t < 200; t++) {
        struct match tm;
        struct cls_rule target;

        if (t % 2) {
            minimatch_expand(&rules[pick(N)]->cr.match, &tm);
            flow_u64(&tm.wc.masks)[pick(FLOW_U64S)] = 0;
            normalize(&tm);
        } else {
            random_match(&tm);
        }
        cls_rule_init(&target, &tm, 0);
        memset(seen, 0, sizeof seen);
        CLS_FOR_EACH_TARGET (r, cr, &cls, &target) {
            CHECK(!seen[r->id]);
            seen[r->id] = true;
        }
        for (size_t i = 0; i < N; i++) {
            /* Expected: RULE's mask covers the target's and the keys
             * agree on the target's mask. */
            struct match rm;
            bool expect = true;
            minimatch_expand(&rules[i]->cr.match, &rm);
            for (size_t w = 0; w < FLOW_U64S; w++) {
                uint64_t tmw = flow_u64(&tm.wc.masks)[w];
                if ((tmw & ~flow_u64(&rm.wc.masks)[w])
                    || ((flow_u64(&rm.flow)[w] ^ flow_u64(&tm.flow)[w])
                        & tmw)) {
                    expect = false;
                }
            }
            CHECK_MSG(seen[i] == expect, "target %d rule %zu: %d vs %d",
                      t, i, seen[i], expect);
        }

        /* Overlap: a same-priority rule agreeing on common bits. */
        bool overlap = false;
        target.priority = pick(100);
        for (size_t i = 0; i < N; i++) {
            struct match rm;
            bool agree = true;
            if (rules[i]->cr.priority != target.priority) {
                continue;
            }
            minimatch_expand(&rules[i]->cr.match, &rm);
            for (size_t w = 0; w < FLOW_U64S; w++) {
                uint64_t both = (flow_u64(&tm.wc.masks)[w]
                                 & flow_u64(&rm.wc.masks)[w]);
                if ((flow_u64(&rm.flow)[w] ^ flow_u64(&tm.flow)[w]) & both) {
                    agree = false;
                }
            }
            overlap |= agree;
        }
        CHECK_EQ(classifier_rule_overlaps(&cls, &target), overlap);
        cls_rule_destroy(&target);
    }

    /* Removing the current rule inside the loop is allowed. */
    size_t removed = 0;
    CLS_FOR_EACH (r, cr, &cls) {
        CHECK(classifier_remove(&cls, &r->cr));
        rules[r->id] = NULL;
        test_rule_free(r);
        removed++;
    }
    CHECK_EQ(removed, N);
    CHECK(classifier_is_empty(&cls));
    free(rules);
    classifier_destroy(&cls);
    rcu_wait_postponed();
}

/* ---- Concurrency ---- */

/* Transient rule pairs: HI (priority 3000 + i) and LO (2000 + i) share
 * a match that only flow i hits, above every base rule. */
enum { N_BASE = 300, N_PAIRS = 32 };

struct conc {
    struct classifier cls;
    struct flow flows[N_PAIRS];
    int base_id[N_PAIRS];               /* Base answer, -1 for none. */
    int present[N_PAIRS][2];            /* [HI, LO]. */
    unsigned int version[N_PAIRS][2];
    int stop;
    int errors;
    long lookups;
};

static uint32_t
xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void *
conc_reader(void *c_)
{
    struct conc *c = c_;
    uint32_t seed = (uint32_t) (uintptr_t) &seed | 1;
    long n = 0;

    rcu_thread_register();
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
        size_t i = xorshift(&seed) % N_PAIRS;
        unsigned int v1[2], v2[2];
        int p[2];
        struct flow_wildcards wc;
        const struct cls_rule *r;
        int got;

        for (int k = 0; k < 2; k++) {
            v1[k] = __atomic_load_n(&c->version[i][k], __ATOMIC_ACQUIRE);
            p[k] = __atomic_load_n(&c->present[i][k], __ATOMIC_ACQUIRE);
        }
        memset(&wc, 0, sizeof wc);
        r = classifier_lookup(&c->cls, &c->flows[i], n % 2 ? &wc : NULL);
        for (int k = 0; k < 2; k++) {
            v2[k] = __atomic_load_n(&c->version[i][k], __ATOMIC_ACQUIRE);
        }
        got = r ? tr(r)->id : -1;
        if (r && !minimatch_matches_flow(&r->match, &c->flows[i])) {
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
        }
        if (got != c->base_id[i] && got != 10000 + (int) i
            && got != 20000 + (int) i) {
            __atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
        }
        if (v1[0] == v2[0] && v1[1] == v2[1] && !(v1[0] % 2)
            && !(v1[1] % 2)) {
            /* Stable throughout: the answer is determined. */
            int expect = (p[0] ? 10000 + (int) i
                          : p[1] ? 20000 + (int) i : c->base_id[i]);
            if (got != expect) {
                __atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
            }
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
    struct test_rule **base;
    struct test_rule *live[N_PAIRS][2] = { { NULL } };
    struct match pair_match[N_PAIRS];
    pthread_t readers[2];

    classifier_init(&c->cls, NULL, 0);
    base = insert_random_rules(&c->cls, N_BASE, 1000);
    for (size_t i = 0; i < N_PAIRS; i++) {
        struct match *m = &pair_match[i];

        random_pool_flow(&c->flows[i]);
        c->flows[i].in_port = 1000 + i;
        memset(m, 0, sizeof *m);
        m->flow.in_port = 1000 + i;
        m->wc.masks.in_port = UINT32_MAX;
        if (i % 2) {
            m->wc.masks.nw_dst = v4_prefix_mask(8 + i % 24);
            m->flow.nw_dst = c->flows[i].nw_dst & m->wc.masks.nw_dst;
        }
        if (i % 3 == 0) {
            m->wc.masks.tp_dst = UINT16_MAX;
            m->flow.tp_dst = c->flows[i].tp_dst;
        } else if (i % 3 == 1) {
            /* A ports trie, which lookups may walk as a rule goes. */
            m->wc.masks.tp_src = UINT16_MAX;
            m->flow.tp_src = c->flows[i].tp_src;
        }
        int best = -1;
        c->base_id[i] = -1;
        for (size_t k = 0; k < N_BASE; k++) {
            if (base[k]->cr.priority > best
                && minimatch_matches_flow(&base[k]->cr.match,
                                          &c->flows[i])) {
                best = base[k]->cr.priority;
                c->base_id[i] = base[k]->id;
            }
        }
        /* Ties among base rules make the base answer ambiguous: use the
         * classifier's own (deterministic) choice. */
        const struct cls_rule *r = classifier_lookup(&c->cls, &c->flows[i],
                                                     NULL);
        CHECK_EQ(r ? r->priority : -1, best);
        c->base_id[i] = r ? tr(r)->id : -1;
    }

    for (int i = 0; i < 2; i++) {
        pthread_create(&readers[i], NULL, conc_reader, c);
    }
    rcu_thread_register();
    for (int op = 0; op < 20000; op++) {
        size_t i = pick(N_PAIRS);
        int k = pick(2);
        struct test_rule *r = live[i][k];

        __atomic_store_n(&c->version[i][k], c->version[i][k] + 1,
                         __ATOMIC_RELEASE);
        if (!r) {
            r = test_rule_create(&pair_match[i], k ? 2000 + i : 3000 + i,
                                 (k ? 20000 : 10000) + i);
            classifier_insert(&c->cls, &r->cr);
            live[i][k] = r;
            __atomic_store_n(&c->present[i][k], 1, __ATOMIC_RELEASE);
        } else if (pick(4) == 0) {
            struct test_rule *copy = test_rule_create(&pair_match[i],
                                                      r->cr.priority, r->id);
            CHECK(classifier_replace(&c->cls, &copy->cr) == &r->cr);
            live[i][k] = copy;
            rcu_postpone(test_rule_free, r);
        } else {
            CHECK(classifier_remove(&c->cls, &r->cr));
            __atomic_store_n(&c->present[i][k], 0, __ATOMIC_RELEASE);
            live[i][k] = NULL;
            rcu_postpone(test_rule_free, r);
        }
        __atomic_store_n(&c->version[i][k], c->version[i][k] + 1,
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

    for (size_t i = 0; i < N_PAIRS; i++) {
        for (int k = 0; k < 2; k++) {
            if (live[i][k]) {
                CHECK(classifier_remove(&c->cls, &live[i][k]->cr));
                test_rule_free(live[i][k]);
            }
        }
    }
    free_rules(&c->cls, base, N_BASE);
    rcu_thread_unregister();
    classifier_destroy(&c->cls);
    rcu_wait_postponed();
    free(c);
}
