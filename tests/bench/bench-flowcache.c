/* bench-flowcache: the datapath's flow-cache lookup rate (issue 4's
 * "megaflow-cache lookups per second with 1, 1k and 100k active flows
 * inside the datapath alone").
 *
 * Megaflows as the NORMAL pipeline with connection-oriented rules would
 * install them: mostly 5-tuple megaflows (in_port, dl_type, nw_src,
 * nw_dst, nw_proto, tp_src, tp_dst) plus a few L2-only ones (in_port,
 * dl_src, dl_dst) and a few destination-/24 ones, disjoint by in_port.
 * Each active flow is one connection: one packet key (with fields the
 * megaflow wildcards, such as TTL and MACs, filled in).  Packets are
 * drawn uniformly at random from the active connections.
 *
 * Two paths, one JSON line per flow count and path:
 *   "dpcls":     dpcls_lookup() alone;
 *   "emc+dpcls": the PMD's path: miniflow_hash() of the packet's
 *                miniflow key (standing in for the NIC's RSS hash, so
 *                counted), emc_lookup(), on a miss dpcls_lookup() and
 *                emc_probabilistic_insert() (1/100), with the EMC's
 *                adaptive bypass on (its default; see emc.h), so with
 *                100k flows it mostly skips the EMC, and then the
 *                hash too (emc_will_skip()).
 * Keys are prepared beforehand in both forms (struct flow and miniflow),
 * as flow extraction leaves them; extraction is not timed here (see
 * bench-flow-extract).
 * The EMC is warmed with two passes first.  Single thread; the load
 * average is printed with each line, as the machine is shared.
 *
 *   {"bench":"flowcache","path":"emc+dpcls","flows":1000,"subtables":3,
 *    "lookups_per_sec":...,"emc_hit_rate":0.99,"emc_bypassed":0.0,
 *    "loadavg1":0.5} */
#include <config.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "datapath/dp-flow.h"
#include "datapath/dpcls.h"
#include "datapath/emc.h"
#include "datapath/odp-actions.h"
#include "match.h"
#include "miniflow.h"
#include "rcu.h"
#include "util.h"

#define STREAM_LEN (1u << 20)
#define SECONDS_PER_RUN 1.0

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

static double
loadavg1(void)
{
    double l[1];

    return getloadavg(l, 1) == 1 ? l[0] : -1.0;
}

enum { KIND_5TUPLE, KIND_L2, KIND_DST24 };

/* Packet key of connection I of kind KIND. */
static void
make_key(struct flow *f, size_t i, int kind)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + kind;
    f->dl_src.ea[0] = 0x02;
    f->dl_src.ea[3] = i >> 16;
    f->dl_src.ea[4] = i >> 8;
    f->dl_src.ea[5] = i;
    f->dl_dst.ea[0] = 0x02;
    f->dl_dst.ea[1] = 1;
    f->dl_dst.ea[5] = i % 7;
    f->dl_type = htons(0x0800);
    f->nw_src = htonl(0x0a000000 | (uint32_t) i);
    f->nw_dst = htonl(0xc0a80000 | (uint32_t) (i * 2654435761u) % 65536);
    f->nw_proto = 6;
    f->nw_ttl = 64;
    f->tp_src = htons(1024 + i % 50000);
    f->tp_dst = htons(i % 3 ? 443 : 80);
    f->tcp_flags = htons(0x10);
}

static void
make_match(const struct flow *f, int kind, struct match *m)
{
    match_init_catchall(m);
    match_set_in_port(m, f->in_port);
    switch (kind) {
    case KIND_5TUPLE:
        match_set_dl_type(m, f->dl_type);
        match_set_nw_src(m, f->nw_src);
        match_set_nw_dst(m, f->nw_dst);
        match_set_nw_proto(m, f->nw_proto);
        match_set_tp_src(m, f->tp_src);
        match_set_tp_dst(m, f->tp_dst);
        break;
    case KIND_L2:
        match_set_dl_src(m, f->dl_src);
        match_set_dl_dst(m, f->dl_dst);
        break;
    case KIND_DST24:
        match_set_dl_type(m, f->dl_type);
        match_set_nw_dst_masked(m, f->nw_dst, htonl(0xffffff00));
        break;
    }
}

static void
run(size_t n_flows, uint32_t *stream)
{
    struct flow *keys = xmalloc(n_flows * sizeof *keys);
    struct miniflow **mkeys = xmalloc(n_flows * sizeof *mkeys);
    struct odp_buf actions = ODP_BUF_INITIALIZER;
    struct dpcls dpcls;
    size_t n_keys = 0;

    odp_put_output(&actions, 2);
    dpcls_init(&dpcls);
    /* A few L2-only and /24 megaflows once there are enough flows. */
    size_t n_l2 = n_flows >= 1000 ? 8 : 0;
    size_t n_dst24 = n_flows >= 1000 ? 8 : 0;
    for (size_t i = 0; i < n_flows; i++) {
        int kind = (i < n_l2 ? KIND_L2
                    : i < n_l2 + n_dst24 ? KIND_DST24 : KIND_5TUPLE);
        struct dp_flow *flow;
        struct match m;

        make_key(&keys[n_keys], i, kind);
        if (kind == KIND_DST24) {
            keys[n_keys].nw_dst = htonl(0xc0a80000 | i << 8 | 1);
        }
        make_match(&keys[n_keys], kind, &m);
        if (dp_flow_create(&m, actions.data, actions.size, &flow)) {
            abort();
        }
        if (!dpcls_insert(&dpcls, flow)) {
            mkeys[n_keys] = miniflow_alloc(&keys[n_keys]);
            n_keys++;
        }
        dp_flow_unref(flow);
    }
    if (n_keys != n_flows) {
        fprintf(stderr, "bench-flowcache: %zu duplicate flows\n",
                n_flows - n_keys);
        exit(1);
    }
    for (size_t i = 0; i < STREAM_LEN; i++) {
        stream[i] = rnd() % n_keys;
    }

    /* dpcls alone. */
    size_t n = 0, found = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < STREAM_LEN; i++) {
            found += dpcls_lookup(&dpcls, &keys[stream[i]]) != NULL;
        }
        n += STREAM_LEN;
        rcu_quiesce();
        elapsed = now() - start;
    } while (elapsed < SECONDS_PER_RUN);
    if (found != n) {
        fprintf(stderr, "bench-flowcache: dpcls missed %zu\n", n - found);
        exit(1);
    }
    printf("{\"bench\":\"flowcache\",\"path\":\"dpcls\",\"flows\":%zu,"
           "\"subtables\":%zu,\"lookups_per_sec\":%.0f,\"loadavg1\":%.2f}\n",
           n_keys, dpcls_n_subtables(&dpcls), n / elapsed, loadavg1());
    fflush(stdout);

    /* EMC + dpcls, as a PMD does it. */
    struct emc *emc = emc_create(12345);
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 2) {
            memset(&emc->stats, 0, sizeof emc->stats);
            n = found = 0;
            start = now();
        }
        do {
            for (size_t i = 0; i < STREAM_LEN; i++) {
                const struct miniflow *mkey = mkeys[stream[i]];
                uint32_t hash = (emc_will_skip(emc) ? 0
                                 : miniflow_hash(mkey, 0));
                struct dp_flow *flow = emc_lookup(emc, mkey, hash);

                if (!flow) {
                    flow = dpcls_lookup(&dpcls, &keys[stream[i]]);
                    if (flow) {
                        emc_probabilistic_insert(emc, mkey, hash, flow);
                    }
                }
                found += flow != NULL;
            }
            n += STREAM_LEN;
            rcu_quiesce();
            elapsed = now() - start;
        } while (pass == 2 && elapsed < SECONDS_PER_RUN);
    }
    if (found != n) {
        fprintf(stderr, "bench-flowcache: emc+dpcls missed %zu\n",
                n - found);
        exit(1);
    }
    printf("{\"bench\":\"flowcache\",\"path\":\"emc+dpcls\",\"flows\":%zu,"
           "\"subtables\":%zu,\"lookups_per_sec\":%.0f,"
           "\"emc_hit_rate\":%.3f,\"emc_bypassed\":%.3f,"
           "\"loadavg1\":%.2f}\n",
           n_keys, dpcls_n_subtables(&dpcls), n / elapsed,
           (double) emc->stats.hits / n,
           (double) emc->stats.bypassed / n, loadavg1());
    fflush(stdout);

    emc_destroy(emc);
    dpcls_destroy(&dpcls);
    odp_buf_uninit(&actions);
    for (size_t i = 0; i < n_keys; i++) {
        free(mkeys[i]);
    }
    free(mkeys);
    free(keys);
}

int
main(void)
{
    static const size_t counts[] = { 1, 1000, 100000 };
    uint32_t *stream = xmalloc(STREAM_LEN * sizeof *stream);

    rcu_thread_register();
    for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
        run(counts[i], stream);
    }
    rcu_thread_unregister();
    rcu_wait_postponed();
    free(stream);
    return 0;
}
