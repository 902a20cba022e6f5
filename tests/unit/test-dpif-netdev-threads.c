/* Tests for the userspace datapath under concurrency (traffic while ports
 * and threads change, concurrent misses, idle sleep) and for its reports
 * (dpctl/show, pmd-stats-show, dump-flows text), driven through dummy
 * ports as in test-dpif-netdev.c. */
#include <config.h>
#include "datapath/dpif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "datapath/dp-flow.h"
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "datapath/odp-actions.h"
#include "datapath/odp-execute.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "match.h"
#include "packets.h"
#include "smap.h"
#include "test.h"
#include "timeval.h"
#include "dpif-fixture.h"

/* ------------------------------------------------------------------ */
/* Concurrency. */

#define N_TRAFFIC 4000

struct traffic {
    struct netdev *in[2];
    int n_rxq;
    struct collector *c;        /* For flow control. */
};

static int collector_min_total(struct collector *);

/* Injects N_TRAFFIC packets into each input, interleaved, spread over
 * their rx queues. */
static void *
traffic_main(void *t_)
{
    struct traffic *t = t_;

    for (uint32_t seq = 0; seq < N_TRAFFIC; seq++) {
        /* Keep the output queues (NETDEV_DUMMY_QUEUE_LEN) from filling up
         * when the collector gets little CPU. */
        long long int deadline = time_msec() + WAIT_MS;
        while (seq - collector_min_total(t->c) > 256
               && time_msec() < deadline) {
            usleep(100);
        }
        for (int i = 0; i < 2; i++) {
            inject(t->in[i], seq % t->n_rxq,
                   make_udp(1, 0x0a000002, 1, 2, seq));
        }
    }
    return NULL;
}

/* Drains two output ports in a thread of its own (a dummy device holds
 * at most NETDEV_DUMMY_QUEUE_LEN sent packets), checking that each
 * sequence number arrives once. */
struct collector {
    struct netdev *out[2];
    uint8_t seen[2][N_TRAFFIC];
    int total[2];
    int extra;                  /* Packets with seq N_TRAFFIC + 1. */
    int errors;                 /* Duplicates, bad sequence numbers. */
    pthread_t thread;
};

static void *
collector_main(void *c_)
{
    struct collector *c = c_;
    long long int deadline = time_msec() + 6 * WAIT_MS;

    while ((c->total[0] < N_TRAFFIC || c->total[1] < N_TRAFFIC)
           && time_msec() < deadline) {
        for (int i = 0; i < 2; i++) {
            struct dp_packet *pkt;

            while ((pkt = netdev_dummy_pop_sent(c->out[i], NULL))) {
                uint32_t seq = packet_seq(pkt);
                if (seq == N_TRAFFIC + 1) {
                    c->extra++;
                } else if (seq >= N_TRAFFIC || c->seen[i][seq]) {
                    c->errors++;
                } else {
                    c->seen[i][seq] = 1;
                    __atomic_store_n(&c->total[i], c->total[i] + 1,
                                     __ATOMIC_RELAXED);
                }
                dp_packet_delete(pkt);
            }
        }
        usleep(100);
    }
    return NULL;
}

static int
collector_min_total(struct collector *c)
{
    return MIN(__atomic_load_n(&c->total[0], __ATOMIC_RELAXED),
               __atomic_load_n(&c->total[1], __ATOMIC_RELAXED));
}

static struct collector *
collector_start(struct netdev *a, struct netdev *b)
{
    struct collector *c = xzalloc(sizeof *c);

    c->out[0] = a;
    c->out[1] = b;
    pthread_create(&c->thread, NULL, collector_main, c);
    return c;
}

static void
collector_finish(struct collector *c)
{
    pthread_join(c->thread, NULL);
    for (int i = 0; i < 2; i++) {
        struct netdev_stats st;

        CHECK_EQ(netdev_get_stats(c->out[i], &st), 0);
        CHECK_MSG(c->total[i] == N_TRAFFIC, "lost packets: got %d of %d on "
                  "%s (%"PRIu64" tx drops)", c->total[i], N_TRAFFIC,
                  netdev_get_name(c->out[i]), st.tx_dropped);
    }
    CHECK_EQ(c->errors, 0);
    free(c);
}

/* p1 -> p2 and p3 -> p4 carry traffic while p5 is added and deleted
 * again and again: nothing is lost or duplicated. */
TEST(port_churn_no_loss)
{
    struct fx *fx = fx_create(4, 1);
    struct netdev *extra = open_dummy("p5", 2);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct traffic t = { { fx->dev[1], fx->dev[3] }, 1, NULL };
    pthread_t thread;

    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000002, &b);
    output_actions(&b, 4);
    put_flow(fx->dpif, DPIF_FP_CREATE, 3, 0x0a000002, &b);
    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "0x3"), 0);

    struct collector *c = collector_start(fx->dev[2], fx->dev[4]);
    t.c = c;
    pthread_create(&thread, NULL, traffic_main, &t);
    for (int i = 0; i < 20; i++) {
        odp_port_t no = ODPP_NONE;
        CHECK_EQ(dpif_port_add(fx->dpif, extra, &no), 0);
        CHECK_EQ(no, 5);
        /* Traffic through the new port too, to an old one. */
        output_actions(&b, 2);
        put_flow(fx->dpif, DPIF_FP_CREATE, 5, 0x0a000009, &b);
        inject(extra, i % 2, make_udp(1, 0x0a000009, 1, 2, N_TRAFFIC + 1));
        usleep(2000);
        CHECK_EQ(dpif_port_del(fx->dpif, 5), 0);
        struct match m;
        match_init_catchall(&m);
        match_set_in_port(&m, 5);
        match_set_dl_type(&m, htons(ETH_TYPE_IP));
        match_set_nw_dst(&m, htonl(0x0a000009));
        CHECK_EQ(dpif_flow_del(fx->dpif, &m, NULL), 0);
    }
    pthread_join(thread, NULL);
    /* Packets from p5 may or may not have been received before their port
     * went away; those of p1 and p3 must all arrive. */
    int n_extra = c->extra;
    collector_finish(c);
    CHECK_LE(n_extra, 20);

    netdev_close(extra);
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* The same traffic while the PMD threads change under it: queues move
 * between threads and nothing is lost or duplicated. */
TEST(pmd_mask_change_no_loss)
{
    struct fx *fx = fx_create(4, 2);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct traffic t = { { fx->dev[1], fx->dev[3] }, 2, NULL };
    static const char *masks[] = { "0x3", "0x1", "0x2", "", "0x3", NULL,
                                   "0x1" };
    pthread_t thread;

    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000002, &b);
    output_actions(&b, 4);
    put_flow(fx->dpif, DPIF_FP_CREATE, 3, 0x0a000002, &b);

    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "zz"), EINVAL);
    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "0"), EINVAL);

    struct collector *c = collector_start(fx->dev[2], fx->dev[4]);
    t.c = c;
    pthread_create(&thread, NULL, traffic_main, &t);
    for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
        CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, masks[i]), 0);
        usleep(5000);
    }
    pthread_join(thread, NULL);
    collector_finish(c);

    /* Both flows saw every packet: statistics from several PMDs add up
     * (each input has two queues, on different PMDs part of the time). */
    struct dpif_flow *flows;
    size_t n;
    dpif_flow_dump(fx->dpif, &flows, &n);
    CHECK_EQ(n, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_U64_EQ(flows[i].stats.n_packets, N_TRAFFIC);
        CHECK_U64_EQ(flows[i].stats.n_bytes, (uint64_t) N_TRAFFIC * PKT_LEN);
    }
    dpif_flow_dump_free(flows, n);

    struct dpif_stats s;
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_hit, 2 * N_TRAFFIC);

    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* Two PMDs miss on the same flow at once: one megaflow is installed and
 * every packet goes out once. */
TEST(concurrent_misses_one_megaflow)
{
    struct fx *fx = fx_create(2, 2);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;

    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "0x3"), 0);
    u->delay_us = 20000;
    output_actions(&b, 2);
    ucb_set_actions(u, &b);
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);

    for (uint32_t i = 0; i < 8; i++) {
        inject(fx->dev[1], i % 2, make_udp(1, 2, 3, 4, i));
    }
    for (uint32_t i = 0; i < 8; i++) {
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    expect_nothing_sent(fx->dev[2]);
    CHECK_EQ(dpif_flow_count(fx->dpif), 1);
    CHECK_GE(ucb_n_miss(u), 1);
    CHECK_LE(ucb_n_miss(u), 2);

    struct dpif_stats s;
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_hit + s.n_missed, 8);
    CHECK_U64_EQ(s.n_lost, 0);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    fx_destroy(fx);
    ucb_destroy(u);
    odp_buf_uninit(&b);
}

/* Unregistering the callback returns only once it cannot run anymore. */
TEST(unregister_upcall)
{
    struct fx *fx = fx_create(2, 1);
    struct ucb *u = ucb_create();

    u->error = EPERM;
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);
    for (uint32_t i = 0; i < 200; i++) {
        struct dp_packet *pkt = make_udp(1, i, 3, 4, i);
        CHECK_EQ(netdev_dummy_receive(fx->dev[1], 0, pkt), 0);
        if (i == 100) {
            dpif_register_upcall_cb(fx->dpif, NULL, NULL);
            int n = ucb_n_miss(u);
            settle();
            CHECK_EQ(ucb_n_miss(u), n);
            break;
        }
    }
    fx_destroy(fx);
    ucb_destroy(u);
}

/* An idle datapath sleeps: its PMDs use (almost) no CPU. */
TEST(idle_sleeps)
{
    struct fx *fx = fx_create(2, 1);
    struct dpif_stats s;

    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, ""), 0);
    usleep(100 * 1000);                 /* Let it reach sleep mode. */

    struct ds ds = DS_EMPTY_INITIALIZER;
    dpif_format_pmd_stats(fx->dpif, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds), "^  sleeps: [1-9][0-9]*$"),
              "%s", ds_cstr(&ds));
    ds_destroy(&ds);

    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    usleep(300 * 1000);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    long long int cpu_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL
                           + (t1.tv_nsec - t0.tv_nsec);
    CHECK_MSG(cpu_ns < 60 * 1000000LL, "idle datapath used %lld ms of CPU "
              "in 300 ms", cpu_ns / 1000000);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_hit + s.n_missed, 0);
    fx_destroy(fx);
}

/* ------------------------------------------------------------------ */
/* Reports. */

TEST(format_show)
{
    struct fx *fx = fx_create(2, 1);
    struct ds ds = DS_EMPTY_INITIALIZER;

    inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, 5));    /* A lost miss. */
    settle();
    dpif_format_show(fx->dpif, false, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^netdev@plx-netdev:\n"
                               "  lookups: hit:0 missed:1 lost:1\n"
                               "  flows: 0\n"
                               "  port 1: p1 \\(dummy\\)\n"
                               "  port 2: p2 \\(dummy\\)\n$"),
              "%s", ds_cstr(&ds));
    ds_clear(&ds);
    dpif_format_show(fx->dpif, true, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^  port 1: p1 \\(dummy\\)\n"
                               "    RX packets:1 errors:0 dropped:0\n"
                               "    TX packets:0 errors:0 dropped:0\n"
                               "    RX bytes:46  TX bytes:0\n"
                               "  port 2: p2 \\(dummy\\)\n"),
              "%s", ds_cstr(&ds));
    ds_destroy(&ds);
    fx_destroy(fx);
}

TEST(format_pmd_stats)
{
    struct fx *fx = fx_create(2, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct ds ds = DS_EMPTY_INITIALIZER;

    dpif_set_emc_insert_inv_prob(fx->dpif, 1);
    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 2, &b);
    for (int i = 0; i < 3; i++) {
        inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, i));
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    inject(fx->dev[1], 0, make_udp(1, 3, 3, 4, 9));   /* Lost. */
    settle();
    dpif_format_pmd_stats(fx->dpif, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^pmd thread \\(unpinned\\):\n"
                               "  packets received: 4\n"
                               "  packet recirculations: 0\n"
                               "  avg. datapath passes per packet: 1.00\n"
                               "  emc hits: 2\n"
                               "  megaflow hits: 1\n"
                               "  miss with success upcall: 0\n"
                               "  miss with failed upcall: 1\n"
                               "  avg. packets per output batch: 1.00\n"
                               "  idle cycles: [0-9]+ \\([0-9.]+%\\)\n"
                               "  processing cycles: [1-9][0-9]* "
                               "\\([0-9.]+%\\)\n"
                               "  avg cycles per packet: [0-9.]+ "
                               "\\([0-9]+/4\\)\n"
                               "  avg processing cycles per packet: "
                               "[0-9.]+ \\([0-9]+/4\\)\n"
                               "(  .*\n)*"
                               "main thread:\n"
                               "  packets received: 0\n"),
              "%s", ds_cstr(&ds));
    ds_destroy(&ds);
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

static char *
format_one(const struct dpif *dpif, const struct dpif *names)
{
    struct dpif_flow *flows;
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t n;

    dpif_flow_dump(dpif, &flows, &n);
    CHECK_EQ(n, 1);
    dpif_flow_format(names, &flows[0], &ds);
    dpif_flow_dump_free(flows, n);
    return ds_steal_cstr(&ds);
}

TEST(format_flow)
{
    struct fx *fx = fx_create(2, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct match m;
    char *s;

    match_init_catchall(&m);
    match_set_in_port(&m, 1);
    m.wc.masks.recirc_id = UINT32_MAX;
    match_set_dl_src(&m, (struct eth_addr) { { { 2, 0, 0, 0, 0, 1 } } });
    match_set_dl_dst(&m, (struct eth_addr) { { { 2, 0, 0, 0, 0, 2 } } });
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&m, htonl(0x0a000000), htonl(0xffffff00));
    match_set_nw_proto(&m, 17);
    match_set_tp_dst(&m, htons(4));
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021Q), htons(VLAN_CFI | 10));
    odp_put_output(&b, 2);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);

    s = format_one(fx->dpif, NULL);
    CHECK_STREQ(s, "recirc_id(0),in_port(1),eth(src=02:00:00:00:00:01,"
                "dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(dst=10.0.0.0/"
                "255.255.255.0,proto=17),udp(dst=4), packets:0, bytes:0, "
                "used:never, actions:push_vlan(vid=10,pcp=0),2");
    free(s);

    inject(fx->dev[1], 0, make_udp(1, 0x0a000007, 3, 4, 5));
    dp_packet_delete(wait_sent(fx->dev[2]));
    s = format_one(fx->dpif, fx->dpif);
    CHECK_MSG(test_regex_match(s, "^recirc_id\\(0\\),in_port\\(p1\\),eth\\("
                               "[^)]*\\),eth_type\\(0x0800\\),ipv4\\(dst="
                               "10\\.0\\.0\\.0/255\\.255\\.255\\.0,proto=17"
                               "\\),udp\\(dst=4\\), packets:1, bytes:46, "
                               "used:[0-9]+\\.[0-9]{3}s, actions:push_vlan"
                               "\\(vid=10,pcp=0\\),p2$"), "%s", s);
    free(s);

    /* Partial masks, VLAN encapsulation, IPv6, TCP flags, drop. */
    dpif_flow_flush(fx->dpif);
    match_init_catchall(&m);
    match_set_in_port(&m, 2);
    m.flow.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    m.flow.vlans[0].tci = htons(VLAN_CFI | 5);
    m.wc.masks.vlans[0].qtag = UINT32_MAX;
    match_set_dl_type(&m, htons(ETH_TYPE_IPV6));
    struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, [15] = 1 } };
    struct in6_addr m6 = { .s6_addr = { 0xff, 0xff, 0xff, 0xff } };
    match_set_ipv6_src_masked(&m, &a6, &m6);
    match_set_nw_proto(&m, 6);
    match_set_tp_src_masked(&m, htons(0x100), htons(0xff00));
    match_set_tcp_flags_masked(&m, htons(0x002), htons(0x012));
    odp_buf_clear(&b);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);
    s = format_one(fx->dpif, NULL);
    CHECK_STREQ(s, "in_port(2),eth_type(0x8100),vlan(vid=5,pcp=0),encap("
                "eth_type(0x86dd),ipv6(src=2001::/ffff:ffff::,proto=6),"
                "tcp(src=256/0xff00),tcp_flags(0x002/0x012)), packets:0, "
                "bytes:0, used:never, actions:drop");
    free(s);

    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* The megaflow limit: EFBIG past DPIF_MAX_FLOWS. */
TEST(max_flows)
{
    struct dpif *dpif;
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct match m;

    CHECK_EQ(dpif_create("plx-netdev", &dpif), 0);
    odp_put_output(&b, 1);
    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    for (uint32_t i = 0; i < DPIF_MAX_FLOWS; i++) {
        match_set_nw_dst(&m, htonl(i));
        CHECK_EQ(dpif_flow_put(dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                               NULL), 0);
    }
    match_set_nw_dst(&m, htonl(DPIF_MAX_FLOWS));
    CHECK_EQ(dpif_flow_put(dpif, DPIF_FP_CREATE, &m, b.data, b.size, NULL),
             EFBIG);
    /* Modifying an existing one is still fine. */
    match_set_nw_dst(&m, htonl(7));
    CHECK_EQ(dpif_flow_put(dpif, DPIF_FP_MODIFY, &m, b.data, b.size, NULL),
             0);
    CHECK_EQ(dpif_flow_count(dpif), DPIF_MAX_FLOWS);
    dpif_destroy(dpif);
    odp_buf_uninit(&b);
}
