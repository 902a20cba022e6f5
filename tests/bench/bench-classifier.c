/* bench-classifier: classifier lookup rate, insertion rate and memory per
 * rule with 1k, 10k and 100k rules over about 20 distinct masks (in_port,
 * Ethernet, IPv4 CIDR prefixes, transport ports) and random priorities.
 * Flows are drawn so that about half are built to hit some rule.  One
 * JSON line per rule count:
 *
 *   {"bench":"classifier","rules":10000,"subtables":20,
 *    "insert_per_sec":...,"bytes_per_rule":...,"memory_method":"mallinfo2",
 *    "lookups_per_sec":...,"lookups_wc_per_sec":...,"hit_rate":0.55}
 *
 * bytes_per_rule is the growth of malloc'd bytes in use (mallinfo2()
 * uordblks) across the insertions divided by the rules inserted: the
 * caller's rule structure (a struct cls_rule plus an int), the minimatch,
 * and the classifier's share (tables, indices, tries).
 * "lookups_wc" passes a flow_wildcards as the datapath's upcall path
 * does; "lookups" passes NULL.  Single thread. */
#include <config.h>
#include "classifier.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <time.h>
#include "match.h"
#include "rcu.h"
#include "util.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng >> 11;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static plx_be32
prefix(int plen)
{
    return plen ? htonl(UINT32_MAX << (32 - plen)) : 0;
}

/* A flow from the whole field space: rarely matches any rule. */
static void
wide_flow(struct flow *f)
{
    uint64_t *w = flow_u64(f);

    memset(f, 0, sizeof *f);
    f->in_port = rnd();
    for (size_t i = FLOW_U64_OFFSET(dl_dst); i < FLOW_U64S; i++) {
        w[i] = (uint64_t) rnd() << 32 | rnd();
    }
    f->dl_type = htons(rnd() % 8 ? 0x0800 : 0x86dd);
}

/* A flow from the pools that rules are drawn from. */
static void
random_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + rnd() % 64;
    f->dl_src.ea[0] = 0x02;
    f->dl_src.ea[4] = rnd() % 16;
    f->dl_src.ea[5] = rnd();
    f->dl_dst = f->dl_src;
    f->dl_dst.ea[5] = rnd();
    f->dl_type = htons(rnd() % 8 ? 0x0800 : 0x86dd);
    f->vlans[0].tci = htons(0x1000 | rnd() % 4096);
    f->nw_src = htonl(0x0a000000 | (rnd() & 0xffffff));
    f->nw_dst = htonl(0x0a000000 | (rnd() & 0xffffff));
    f->nw_proto = rnd() % 2 ? 6 : 17;
    f->nw_tos = (rnd() % 64) << 2;
    f->tp_src = htons(1 + rnd() % 65535);
    f->tp_dst = htons(1 + rnd() % 65535);
}

/* About 20 masks. */
static void
random_match(struct match *m)
{
    static const int p3[] = { 16, 24, 32 }, p2[] = { 24, 32 };
    static const int p3b[] = { 8, 16, 24 };
    struct flow *w = &m->wc.masks;

    memset(m, 0, sizeof *m);
    random_flow(&m->flow);
    switch (rnd() % 12) {
    case 0: w->in_port = UINT32_MAX; break;
    case 1: w->in_port = UINT32_MAX; memset(&w->dl_dst, 0xff, 6); break;
    case 2: w->dl_type = UINT16_MAX; w->nw_dst = prefix(p3[rnd() % 3]);
        break;
    case 3:
        w->dl_type = UINT16_MAX;
        w->nw_src = prefix(p3[rnd() % 2]);
        w->nw_dst = prefix(p2[rnd() % 2]);
        break;
    case 4:
        w->dl_type = UINT16_MAX; w->nw_proto = UINT8_MAX;
        w->tp_dst = UINT16_MAX;
        break;
    case 5:
        w->dl_type = UINT16_MAX; w->nw_proto = UINT8_MAX;
        w->nw_dst = prefix(p2[rnd() % 2]); w->tp_dst = UINT16_MAX;
        break;
    case 6:
        w->in_port = UINT32_MAX; w->dl_type = UINT16_MAX;
        w->nw_src = prefix(p3b[rnd() % 3]);
        break;
    case 7: memset(&w->dl_src, 0xff, 6); w->dl_type = UINT16_MAX; break;
    case 8:
        w->dl_type = UINT16_MAX; w->nw_proto = UINT8_MAX;
        w->nw_src = w->nw_dst = UINT32_MAX;
        w->tp_src = w->tp_dst = UINT16_MAX;
        break;
    case 9: w->in_port = UINT32_MAX; w->vlans[0].tci = htons(0x1fff); break;
    case 10:
        w->dl_type = UINT16_MAX; w->nw_proto = UINT8_MAX;
        w->tp_src = UINT16_MAX;
        break;
    case 11:
        w->dl_type = UINT16_MAX; w->nw_dst = prefix(8); w->nw_tos = 0xfc;
        break;
    }
    for (size_t i = 0; i < FLOW_U64S; i++) {
        flow_u64(&m->flow)[i] &= flow_u64(w)[i];
    }
}

struct bench_rule {
    struct cls_rule cr;
    int id;
};

static void
run(size_t n_rules)
{
    enum { N_FLOWS = 1 << 16 };
    struct bench_rule **rules = xcalloc(n_rules, sizeof *rules);
    struct match *matches = xmalloc(n_rules * sizeof *matches);
    struct flow *flows = xmalloc(N_FLOWS * sizeof *flows);
    struct classifier cls;
    size_t n = 0, hits = 0;
    double t0, t1;

    for (size_t i = 0; i < n_rules; i++) {
        random_match(&matches[i]);
    }

    classifier_init(&cls, NULL, 0);
    struct mallinfo2 before = mallinfo2();
    t0 = now();
    for (size_t i = 0; i < n_rules; i++) {
        struct bench_rule *r = xmalloc(sizeof *r);
        const struct cls_rule *displaced;

        cls_rule_init(&r->cr, &matches[i], rnd() % 65536);
        r->id = i;
        displaced = classifier_replace(&cls, &r->cr);
        if (displaced) {
            struct bench_rule *d = CONTAINER_OF(displaced, struct bench_rule,
                                                cr);
            rules[d->id] = NULL;
            cls_rule_destroy(&d->cr);
            free(d);
            n--;
        }
        rules[i] = r;
        n++;
    }
    t1 = now();
    rcu_wait_postponed();
    struct mallinfo2 after = mallinfo2();
    double insert_rate = n_rules / (t1 - t0);
    double bytes_per_rule = ((double) after.uordblks - before.uordblks) / n;

    /* Flows: half built to hit a random rule, half from the whole field
     * space. */
    for (size_t i = 0; i < N_FLOWS; i++) {
        if (i % 2) {
            random_flow(&flows[i]);
            const struct match *m = &matches[rnd() % n_rules];
            for (size_t w = 0; w < FLOW_U64S; w++) {
                uint64_t *fw = &flow_u64(&flows[i])[w];
                *fw = (*fw & ~flow_u64_const(&m->wc.masks)[w])
                      | flow_u64_const(&m->flow)[w];
            }
        } else {
            wide_flow(&flows[i]);
        }
    }

    /* Lookups without and with wildcards, about 1 s each. */
    double rates[2];
    for (int with_wc = 0; with_wc < 2; with_wc++) {
        size_t done = 0;
        uintptr_t sink = 0;

        hits = 0;
        t0 = now();
        do {
            for (size_t i = 0; i < N_FLOWS; i++) {
                struct flow_wildcards wc;
                const struct cls_rule *r;

                if (with_wc) {
                    memset(&wc, 0, sizeof wc);
                }
                r = classifier_lookup(&cls, &flows[i],
                                      with_wc ? &wc : NULL);
                hits += r != NULL;
                sink += (uintptr_t) r;
            }
            done += N_FLOWS;
            rcu_quiesce();
            t1 = now();
        } while (t1 - t0 < 1.0);
        rates[with_wc] = done / (t1 - t0);
        hits = hits * N_FLOWS / done;
        if (sink == 1) {
            printf("#");
        }
    }

    printf("{\"bench\":\"classifier\",\"rules\":%zu,\"subtables\":%zu,"
           "\"insert_per_sec\":%.0f,\"bytes_per_rule\":%.1f,"
           "\"classifier_bytes_per_rule\":%.1f,"
           "\"memory_method\":\"mallinfo2\","
           "\"lookups_per_sec\":%.0f,\"lookups_wc_per_sec\":%.0f,"
           "\"hit_rate\":%.2f}\n",
           n, classifier_n_subtables(&cls), insert_rate, bytes_per_rule,
           (double) classifier_memory_usage(&cls) / n,
           rates[0], rates[1], (double) hits / N_FLOWS);
    fflush(stdout);

    for (size_t i = 0; i < n_rules; i++) {
        if (rules[i]) {
            classifier_remove(&cls, &rules[i]->cr);
            cls_rule_destroy(&rules[i]->cr);
            free(rules[i]);
        }
    }
    classifier_destroy(&cls);
    rcu_wait_postponed();
    free(rules);
    free(matches);
    free(flows);
}

int
main(int argc, char *argv[])
{
    static const size_t sizes[] = { 1000, 10000, 100000 };

    rcu_thread_register();
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        if (argc > 1 && (size_t) atoi(argv[1]) != sizes[i]) {
            continue;
        }
        run(sizes[i]);
    }
    rcu_thread_unregister();
    return 0;
}
