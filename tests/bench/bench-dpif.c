/* bench-dpif: megaflow-cache lookups per second through the whole
 * userspace datapath packet path (datapath/dpif.h): PMD receive, key
 * extraction, exact-match cache, megaflow cache, grouping, action
 * execution and batched output, with 1, 1k and 100k active megaflows.
 *
 * Megaflows are installed beforehand with dpif_flow_put(): in_port=1, ip,
 * nw_dst=10.x.y.z (one per flow) -> output:2.  UDP packets to destinations
 * drawn uniformly from the installed flows are injected in batches of 32
 * into dummy port 1 and drained from dummy port 2 by the main thread,
 * keeping at most a few batches in flight (dummy queues hold 1024
 * packets).  So the figure includes the dummy device's own costs (a
 * mutex per batch and a copy per sent packet) and the injecting thread's
 * allocation and freeing, which share this machine's cores with the one
 * PMD thread: it is a lower bound on the datapath's rate.
 *
 * "pmd_ns_per_pkt" is the PMD thread's busy time per packet over the
 * run, from dpif_format_pmd_stats(): the datapath's own cost per packet
 * (including the dummy device's receive and send).
 *
 *   {"bench":"dpif","flows":1000,"pkts_per_sec":...,"pmd_ns_per_pkt":...,
 *    "lost":0,"misses":0,"emc_hit_rate":0.98,"loadavg1":0.5}
 */
#include <config.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "datapath/dpif.h"
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "match.h"
#include "packets.h"
#include "rcu.h"
#include "util.h"
#include "vlog.h"

#define BATCH 32
#define IN_FLIGHT (8 * BATCH)
#define SECONDS_PER_RUN 3.0
#define N_TEMPLATES 4096
#define PKT_LEN 64

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

static uint32_t
flow_dst(size_t i)
{
    return 0x0a000000 | (uint32_t) i;
}

/* A UDP packet to flow_dst(I). */
static struct dp_packet *
make_packet(size_t i, uint16_t sport)
{
    uint8_t p[PKT_LEN];
    uint32_t dst = flow_dst(i);

    memset(p, 0, sizeof p);
    p[0] = 0x02;
    p[5] = 0x02;
    p[6] = 0x02;
    p[11] = 0x01;
    p[12] = 0x08;
    p[14] = 0x45;
    p[17] = PKT_LEN - 14;
    p[22] = 64;
    p[23] = 17;
    p[26] = 192;
    p[27] = 168;
    p[29] = 1;
    for (int b = 0; b < 4; b++) {
        p[30 + b] = dst >> (24 - 8 * b);
    }
    p[34] = sport >> 8;
    p[35] = sport;
    p[37] = 53;
    p[39] = PKT_LEN - 34;
    return dp_packet_clone_data(p, sizeof p);
}

static size_t
drain(struct netdev *out)
{
    struct dp_packet *pkt;
    size_t n = 0;

    while ((pkt = netdev_dummy_pop_sent(out, NULL))) {
        dp_packet_delete(pkt);
        n++;
    }
    return n;
}

/* Installs N_FLOWS megaflows in_port=1,ip,nw_dst=flow_dst(i) -> ACTIONS. */
static void
install_flows(struct dpif *dpif, size_t n_flows, const struct odp_buf *actions)
{
    for (size_t i = 0; i < n_flows; i++) {
        struct match m;

        match_init_catchall(&m);
        match_set_in_port(&m, 1);
        m.wc.masks.recirc_id = UINT32_MAX;
        match_set_dl_type(&m, htons(ETH_TYPE_IP));
        match_set_nw_dst(&m, htonl(flow_dst(i)));
        if (dpif_flow_put(dpif, DPIF_FP_CREATE, &m, actions->data,
                          actions->size, NULL)) {
            fprintf(stderr, "bench-dpif: flow_put failed\n");
            exit(1);
        }
    }
}

/* The datapath alone: batches of 32 packets, each to a random one of the
 * N_FLOWS megaflows (whose action is drop), go through dpif_receive() in
 * this thread: key extraction, EMC, megaflow lookup, grouping, action
 * execution.  No device, no other thread.  The packets are clones of
 * templates made outside the timed loop, so a packet's allocation and
 * copy (what a device's receive costs too) is included. */
static void
run_direct(size_t n_flows)
{
    struct odp_buf drop = ODP_BUF_INITIALIZER;
    struct dpif *dpif;

    if (dpif_create("plx-netdev", &dpif)) {
        abort();
    }
    install_flows(dpif, n_flows, &drop);

    enum { N = 65536 };
    struct dp_packet **templates = xmalloc(N * sizeof *templates);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < N; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        templates[i] = make_packet(rng % n_flows, 1024 + i % 1000);
    }

    struct dpif_stats s0, s1;
    size_t n = 0, t = 0;
    double start = 0, elapsed = 0;
    for (int phase = 0; phase < 2; phase++) {
        double limit = phase ? SECONDS_PER_RUN : SECONDS_PER_RUN / 3;

        n = 0;
        dpif_get_stats(dpif, &s0);
        start = now();
        do {
            for (int k = 0; k < 256; k++) {
                struct dp_packet_batch batch;

                dp_packet_batch_init(&batch);
                for (int j = 0; j < BATCH; j++) {
                    dp_packet_batch_add(&batch,
                                        dp_packet_clone(templates[t++ % N]));
                }
                dpif_receive(dpif, 1, &batch);
                n += BATCH;
            }
            rcu_quiesce();
            elapsed = now() - start;
        } while (elapsed < limit);
    }
    dpif_get_stats(dpif, &s1);

    uint64_t lookups = (s1.n_hit + s1.n_missed) - (s0.n_hit + s0.n_missed);
    printf("{\"bench\":\"dpif-direct\",\"flows\":%zu,"
           "\"pkts_per_sec\":%.0f,\"ns_per_pkt\":%.1f,"
           "\"misses\":%"PRIu64",\"emc_hit_rate\":%.3f,"
           "\"loadavg1\":%.2f}\n",
           n_flows, n / elapsed, elapsed * 1e9 / n,
           s1.n_missed - s0.n_missed,
           lookups ? (double) (s1.n_emc_hit - s0.n_emc_hit) / lookups : 0.0,
           loadavg1());
    fflush(stdout);

    for (size_t i = 0; i < N; i++) {
        dp_packet_delete(templates[i]);
    }
    free(templates);
    dpif_destroy(dpif);
}

static void
run(size_t n_flows)
{
    struct netdev *in, *out;
    struct dpif *dpif;
    odp_port_t no;

    if (dpif_create("plx-netdev", &dpif)
        || netdev_open("bench-in", "dummy", &in)
        || netdev_open("bench-out", "dummy", &out)) {
        fprintf(stderr, "bench-dpif: setup failed\n");
        exit(1);
    }
    no = 1;
    if (dpif_port_add(dpif, in, &no)) {
        abort();
    }
    no = 2;
    if (dpif_port_add(dpif, out, &no)) {
        abort();
    }

    struct odp_buf actions = ODP_BUF_INITIALIZER;
    odp_put_output(&actions, 2);
    install_flows(dpif, n_flows, &actions);

    /* Packet templates, cloned for each injection. */
    struct dp_packet **templates = xmalloc(N_TEMPLATES * sizeof *templates);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < N_TEMPLATES; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        templates[i] = make_packet(n_flows > N_TEMPLATES ? rng % n_flows
                                   : i % n_flows, 1024 + i % 1000);
    }
    /* With more flows than templates, rotate through fresh packets so
     * that every flow stays active. */
    size_t next_flow = 0;

    size_t sent = 0, received = 0, tmpl = 0;
    struct dpif_stats s0, s1;
    double start = 0, elapsed = 0;
    for (int phase = 0; phase < 2; phase++) {
        /* Phase 0 warms up the caches for a third of the time. */
        double limit = phase ? SECONDS_PER_RUN : SECONDS_PER_RUN / 3;

        received = sent = 0;
        dpif_get_stats(dpif, &s0);
        start = now();
        do {
            for (int k = 0; k < 64; k++) {
                if (sent - received + BATCH <= IN_FLIGHT) {
                    for (int j = 0; j < BATCH; j++) {
                        struct dp_packet *pkt;
                        if (n_flows > N_TEMPLATES && tmpl % 4 == 0) {
                            pkt = make_packet(next_flow, 7);
                            next_flow = (next_flow + 7919) % n_flows;
                        } else {
                            pkt = dp_packet_clone(templates[tmpl
                                                            % N_TEMPLATES]);
                        }
                        tmpl++;
                        if (!netdev_dummy_receive(in, 0, pkt)) {
                            sent++;
                        }
                    }
                }
                received += drain(out);
            }
            elapsed = now() - start;
        } while (elapsed < limit);
        /* Let the packets in flight through. */
        for (int w = 0; w < 1000 && received < sent; w++) {
            usleep(1000);
            received += drain(out);
        }
        elapsed = now() - start;
    }
    dpif_get_stats(dpif, &s1);

    /* The PMD's own view: busy time per packet (receive, lookup,
     * execute, send into the dummy device), from pmd-stats-show. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    double pmd_ns = 0;
    dpif_format_pmd_stats(dpif, &ds);
    const char *p = strstr(ds_cstr(&ds), "avg. processing time per packet: ");
    if (p) {
        pmd_ns = atof(p + strlen("avg. processing time per packet: "));
    }
    ds_destroy(&ds);

    uint64_t lookups = (s1.n_hit + s1.n_missed) - (s0.n_hit + s0.n_missed);
    printf("{\"bench\":\"dpif\",\"flows\":%zu,\"pkts_per_sec\":%.0f,"
           "\"pmd_ns_per_pkt\":%.1f,\"lost\":%zu,\"misses\":%"PRIu64","
           "\"emc_hit_rate\":%.3f,\"loadavg1\":%.2f}\n",
           n_flows, received / elapsed, pmd_ns, sent - received,
           s1.n_missed - s0.n_missed,
           lookups ? (double) (s1.n_emc_hit - s0.n_emc_hit) / lookups : 0.0,
           loadavg1());
    fflush(stdout);

    for (size_t i = 0; i < N_TEMPLATES; i++) {
        dp_packet_delete(templates[i]);
    }
    free(templates);
    odp_buf_uninit(&actions);
    dpif_destroy(dpif);
    netdev_close(in);
    netdev_close(out);
}

int
main(void)
{
    static const size_t counts[] = { 1, 1000, 100000 };

    free(vlog_set_levels_from_string("ANY:ANY:WARN"));
    /* A PMD that goes to sleep after seconds of work trips poll_loop's
     * "long poll interval" warning; that is expected here. */
    free(vlog_set_levels_from_string("poll_loop:ANY:ERR"));
    rcu_thread_register();
    for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
        run_direct(counts[i]);
    }
    rcu_thread_unregister();
    for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
        run(counts[i]);
    }
    return 0;
}
