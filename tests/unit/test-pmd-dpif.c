/* Tests for rx queue scheduling in the userspace datapath
 * (dpif-netdev-pmd.c) through the dpif API, with two PMDs on cores 0 and
 * 1 and dummy ports: every algorithm places queues as pmd-sched.h says,
 * measured load drives 'cycles' and 'group', affinity pins and isolates
 * (also for ports added later), bad affinity is refused with a message,
 * reassignment under traffic loses nothing, and the pmd-rxq-show,
 * pmd-stats-show, pmd-stats-clear and pmd-perf-show reports say so. */
#include <config.h>
#include "datapath/dpif.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "test.h"
#include "timeval.h"
#include "dpif-fixture.h"

/* A datapath with N dummy ports of N_RXQ queues on PMDs on cores 0, 1. */
static struct fx *
fx2(int n, int n_rxq)
{
    struct fx *fx = fx_create(n, n_rxq);

    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "0x3"), 0);
    return fx;
}

static char *
rxq_show(const struct dpif *dpif)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    dpif_format_pmd_rxqs(dpif, DPIF_PMD_ALL, 0, &ds);
    return ds_steal_cstr(&ds);
}

/* The core pmd-rxq-show lists PORT queue QID under, or -1 if absent. */
static int
core_of(const struct dpif *dpif, const char *port, int qid)
{
    char *text = rxq_show(dpif);
    char want[64];
    int core = -1, found = -1;

    snprintf(want, sizeof want, "  port: %-16s  queue-id: %2d ", port, qid);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (sscanf(line, "pmd thread numa_id 0 core_id %d:", &core) == 1) {
            continue;
        }
        if (!strncmp(line, want, strlen(want))) {
            found = core;
        }
    }
    free(text);
    return found;
}

/* "c c c c": the cores of p1:0 p1:1 p2:0 p2:1. */
static char *
placement(const struct dpif *dpif)
{
    return xasprintf("%d %d %d %d", core_of(dpif, "p1", 0),
                     core_of(dpif, "p1", 1), core_of(dpif, "p2", 0),
                     core_of(dpif, "p2", 1));
}

#define CHECK_PLACEMENT(DPIF, EXPECT)                                     \
    do {                                                                  \
        char *p__ = placement(DPIF);                                      \
        char *t__ = rxq_show(DPIF);                                       \
        CHECK_MSG(!strcmp(p__, EXPECT), "placement %s, want %s:\n%s",     \
                  p__, EXPECT, t__);                                      \
        free(p__);                                                        \
        free(t__);                                                        \
    } while (0)

TEST(roundrobin_and_rxq_show)
{
    struct fx *fx = fx2(2, 2);

    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "roundrobin"), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 0 1");

    char *text = rxq_show(fx->dpif);
    CHECK_MSG(test_regex_match(text,
                               "^Displaying last 60 seconds pmd usage %\n"
                               "pmd thread numa_id 0 core_id 0:\n"
                               "  isolated : false\n"
                               "  port: p1                queue-id:  0 "
                               "\\(enabled\\)   pmd usage: +[0-9]+ %\n"
                               "  port: p2                queue-id:  0 "
                               "\\(enabled\\)   pmd usage: +[0-9]+ %\n"
                               "  overhead: +[0-9]+ %\n"
                               "pmd thread numa_id 0 core_id 1:\n"),
              "%s", text);
    free(text);

    /* -pmd and -secs. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    dpif_format_pmd_rxqs(fx->dpif, 1, 7, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^Displaying last 10 seconds pmd usage %\n"
                               "pmd thread numa_id 0 core_id 1:\n"),
              "%s", ds_cstr(&ds));
    CHECK(!strstr(ds_cstr(&ds), "core_id 0"));
    ds_clear(&ds);
    dpif_format_pmd_rxqs(fx->dpif, 5, 0, &ds);
    CHECK(!strstr(ds_cstr(&ds), "pmd thread"));
    ds_destroy(&ds);

    /* Unknown algorithm: refused, the old one kept. */
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "fastest"), EINVAL);
    CHECK_PLACEMENT(fx->dpif, "0 1 0 1");
    /* Default (cycles, no load yet): by name, up and down. */
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, NULL), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 1 0");
    fx_destroy(fx);
}

/* Sends N packets into P2 queue 1 (misses: dropped). */
static void
load_p2q1(struct fx *fx, int n)
{
    for (int i = 0; i < n; i++) {
        inject(fx->dev[2], 1, make_udp(1, 2, 3, 4, i));
    }
    settle();
}

TEST(cycles_and_group_follow_load)
{
    struct fx *fx = fx2(2, 2);

    /* Only p2:1 has load.  cycles: it goes first, to core 0, then the
     * rest by name sweeping 1 1 0. */
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "roundrobin"), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 0 1");
    load_p2q1(fx, 300);
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "cycles"), 0);
    CHECK_PLACEMENT(fx->dpif, "1 1 0 0");

    /* group: the loaded queue alone on core 0, since core 1 stays the
     * least loaded for all the idle ones. */
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "group"), 0);
    CHECK_PLACEMENT(fx->dpif, "1 1 1 0");

    /* Its usage shows in pmd-rxq-show. */
    char *text = rxq_show(fx->dpif);
    CHECK_MSG(test_regex_match(text, "^  port: p2                "
                               "queue-id:  1 \\(enabled\\)   pmd usage: "
                               "+[0-9]+ %$"), "%s", text);
    free(text);

    /* Rebalance recomputes with the same result. */
    dpif_pmd_rxq_rebalance(fx->dpif);
    CHECK_PLACEMENT(fx->dpif, "1 1 1 0");
    fx_destroy(fx);
}

TEST(affinity_pins_and_isolates)
{
    struct fx *fx = fx2(2, 2);
    char *err = NULL;

    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "roundrobin"), 0);
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "0:1", &err), 0);
    CHECK(err == NULL);
    /* p1:0 on 1, which is isolated: everything else on 0. */
    CHECK_PLACEMENT(fx->dpif, "1 0 0 0");
    char *text = rxq_show(fx->dpif);
    CHECK_MSG(test_regex_match(text, "core_id 0:\n  isolated : false\n")
              && test_regex_match(text, "core_id 1:\n  isolated : true\n"),
              "%s", text);
    free(text);

    /* Malformed: refused with a message, the old pins kept. */
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "0:1,x", &err), EINVAL);
    CHECK_MSG(err && strstr(err, "\"x\": expected QUEUE:CORE"), "%s",
              err ? err : "(null)");
    free(err);
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "0:-1", NULL), EINVAL);
    CHECK_PLACEMENT(fx->dpif, "1 0 0 0");

    /* Isolation off: honoured with group only. */
    dpif_set_pmd_rxq_isolate(fx->dpif, false);
    CHECK_PLACEMENT(fx->dpif, "1 0 0 0");
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "group"), 0);
    /* Pinned p1:0 on 1 (load 0, one queue); then p1:1 → 0 (fewer
     * queues), p2:0 → 0 (tie: the first), p2:1 → 1 (fewer queues). */
    CHECK_PLACEMENT(fx->dpif, "1 0 0 1");
    dpif_set_pmd_rxq_isolate(fx->dpif, true);
    CHECK_PLACEMENT(fx->dpif, "1 0 0 0");

    /* A pin to a core without a PMD: assigned as if unpinned. */
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "roundrobin"), 0);
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "0:9", NULL), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 0 1");

    /* Pins for a port that does not exist yet apply when it is added. */
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "", NULL), 0);
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p9", "1:0", NULL), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 0 1");
    struct netdev *p9 = open_dummy("p9", 2);
    add_port(fx->dpif, p9);
    CHECK_EQ(core_of(fx->dpif, "p9", 1), 0);
    CHECK_PLACEMENT(fx->dpif, "1 1 1 1");
    CHECK_EQ(core_of(fx->dpif, "p9", 0), 1);
    netdev_close(p9);
    fx_destroy(fx);
}

TEST(all_isolated_leaves_queues_unpolled_until_unpinned)
{
    struct fx *fx = fx2(2, 2);
    struct odp_buf b = ODP_BUF_INITIALIZER;

    output_actions(&b, 1);
    put_flow(fx->dpif, DPIF_FP_CREATE, 2, 2, &b);
    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", "0:0,1:1", NULL), 0);
    CHECK_PLACEMENT(fx->dpif, "0 1 -1 -1");

    /* p2 is not polled: its packet waits in the device. */
    inject(fx->dev[2], 0, make_udp(1, 2, 3, 4, 1));
    expect_nothing_sent(fx->dev[1]);

    CHECK_EQ(dpif_set_rxq_affinity(fx->dpif, "p1", NULL, NULL), 0);
    CHECK(core_of(fx->dpif, "p2", 0) >= 0);
    dp_packet_delete(wait_sent(fx->dev[1]));
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* Traffic keeps flowing, every packet once, while queues are reassigned
 * over and over. */
TEST(reassignment_under_traffic_loses_nothing)
{
    struct fx *fx = fx2(2, 2);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    static const char *const algos[] = { "roundrobin", "cycles", "group" };
    const int n = 3000;

    uint8_t *seen = xzalloc(n);
    int got = 0;

    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 2, &b);
    for (int i = 0; i < n; i++) {
        struct dp_packet *pkt;

        /* The dummy keeps at most NETDEV_DUMMY_QUEUE_LEN sent packets:
         * keep fewer than that in flight, and drain as we go. */
        while (i - got >= NETDEV_DUMMY_QUEUE_LEN / 2) {
            pkt = wait_sent(fx->dev[2]);
            CHECK_LT(packet_seq(pkt), n);
            seen[packet_seq(pkt)]++;
            got++;
            dp_packet_delete(pkt);
        }
        inject(fx->dev[1], i % 2, make_udp(1, 2, 3, 4, i));
        while ((pkt = netdev_dummy_pop_sent(fx->dev[2], NULL))) {
            uint32_t seq = packet_seq(pkt);
            CHECK_LT(seq, n);
            seen[seq]++;
            got++;
            dp_packet_delete(pkt);
        }
        if (i % 300 == 0) {
            CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, algos[i / 300 % 3]),
                     0);
            dpif_set_rxq_affinity(fx->dpif, "p1", i % 600 ? "1:0" : "1:1",
                                  NULL);
            dpif_pmd_rxq_rebalance(fx->dpif);
        }
    }
    while (got < n) {
        struct dp_packet *pkt = wait_sent(fx->dev[2]);
        uint32_t seq = packet_seq(pkt);
        CHECK_LT(seq, n);
        seen[seq]++;
        got++;
        dp_packet_delete(pkt);
    }
    expect_nothing_sent(fx->dev[2]);
    for (int i = 0; i < n; i++) {
        CHECK_MSG(seen[i] == 1, "packet %d seen %d times", i, seen[i]);
    }
    free(seen);
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

TEST(stats_clear_and_perf_show)
{
    struct fx *fx = fx2(2, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct ds ds = DS_EMPTY_INITIALIZER;

    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 2, &b);
    CHECK_EQ(dpif_set_pmd_rxq_assign(fx->dpif, "roundrobin"), 0);
    CHECK_EQ(core_of(fx->dpif, "p1", 0), 0);
    for (int i = 0; i < 100; i++) {
        inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, i));
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    settle();

    dpif_format_pmd_stats_core(fx->dpif, 0, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^pmd thread numa_id 0 core_id 0:\n"
                               "  packets received: 100\n"
                               "  packet recirculations: 0\n"
                               "  avg. datapath passes per packet: 1.00\n"
                               "  emc hits: [0-9]+\n"
                               "  megaflow hits: [0-9]+\n"),
              "%s", ds_cstr(&ds));
    CHECK(!strstr(ds_cstr(&ds), "core_id 1") && !strstr(ds_cstr(&ds),
                                                        "main thread"));
    ds_clear(&ds);

    dpif_format_pmd_perf(fx->dpif, 0, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^Time: [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\n"
                               "Measurement duration: [0-9]+\\.[0-9]{3} s\n"
                               "\n"
                               "pmd thread numa_id 0 core_id 0:\n"
                               "\n"
                               "  Iterations: +[1-9][0-9]*  \\([0-9.]+ "
                               "us/it\\)\n"
                               "  - Used TSC cycles: +[1-9][0-9]*  "),
              "%s", ds_cstr(&ds));
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^  Rx packets: +100  \\([0-9]+ Kpps, "
                               "[1-9][0-9]* cycles/pkt\\)\n"
                               "  Datapath passes: +100  \\(1.00 "
                               "passes/pkt\\)\n"
                               "  - EMC hits: +[0-9]+  \\( *[0-9.]+ %\\)\n"
                               "  - Megaflow hits: +[0-9]+ "
                               " \\( *[0-9.]+ %\\)\n"
                               "  - Upcalls: +0  \\(  0.0 %\\)\n"
                               "  - Lost upcalls: +0  \\(  0.0 %\\)\n"
                               "  Tx packets: +100  \\([0-9]+ Kpps\\)\n"
                               "  Tx batches: +100  \\(1.00 pkts/batch\\)"
                               "\n"),
              "%s", ds_cstr(&ds));
    ds_clear(&ds);

    /* Clear one PMD, then all. */
    dpif_pmd_stats_clear(fx->dpif, 1);
    dpif_format_pmd_stats(fx->dpif, &ds);
    CHECK(test_regex_match(ds_cstr(&ds), "^  packets received: 100$"));
    ds_clear(&ds);
    dpif_pmd_stats_clear(fx->dpif, DPIF_PMD_ALL);
    dpif_format_pmd_stats(fx->dpif, &ds);
    CHECK_MSG(!test_regex_match(ds_cstr(&ds),
                                "^  packets received: [1-9]")
              && !test_regex_match(ds_cstr(&ds), "^  emc hits: [1-9]")
              && !test_regex_match(ds_cstr(&ds), "^  megaflow hits: [1-9]"),
              "%s", ds_cstr(&ds));
    ds_clear(&ds);
    dpif_format_pmd_perf(fx->dpif, 0, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds), "^  Rx packets: +0$")
              && test_regex_match(ds_cstr(&ds), "^  Tx packets: +0$"),
              "%s", ds_cstr(&ds));
    ds_destroy(&ds);

    /* The datapath's own statistics are not cleared. */
    struct dpif_stats st;
    dpif_get_stats(fx->dpif, &st);
    CHECK_U64_EQ(st.n_hit, 100);
    fx_destroy(fx);
    odp_buf_uninit(&b);
}
