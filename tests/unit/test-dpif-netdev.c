/* Tests for the userspace datapath (datapath/dpif.h, dpif-netdev*.c),
 * driven through dummy ports: packets injected with
 * netdev_dummy_receive() go through the PMD threads' packet path, and
 * what the datapath sends is read back with netdev_dummy_pop_sent(). */
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

TEST(create_destroy)
{
    struct dpif *dpif;
    struct dpif_stats s;

    CHECK_EQ(dpif_create("", &dpif), EINVAL);
    CHECK(dpif == NULL);
    CHECK_EQ(dpif_create("plx-netdev", &dpif), 0);
    CHECK_STREQ(dpif_name(dpif), "plx-netdev");
    dpif_get_stats(dpif, &s);
    CHECK_U64_EQ(s.n_hit + s.n_missed + s.n_lost + s.n_flows, 0);
    dpif_run(dpif);
    dpif_destroy(dpif);
    dpif_destroy(NULL);
}

TEST(ports)
{
    struct netdev *a = open_dummy("pa", 1), *b = open_dummy("pb", 2);
    struct netdev *c = open_dummy("pc", 1), *d = open_dummy("pd", 1);
    struct dpif_port port;
    struct dpif_port *ports;
    size_t n_ports;
    struct dpif *dpif;
    odp_port_t no;

    CHECK_EQ(dpif_create("plx-netdev", &dpif), 0);
    CHECK_EQ(add_port(dpif, a), 1);
    no = 5;
    CHECK_EQ(dpif_port_add(dpif, b, &no), 0);
    CHECK_EQ(no, 5);
    CHECK_EQ(add_port(dpif, c), 2);

    /* Errors change nothing. */
    no = ODPP_NONE;
    CHECK_EQ(dpif_port_add(dpif, a, &no), EEXIST);
    no = 5;
    CHECK_EQ(dpif_port_add(dpif, d, &no), EBUSY);
    no = ODPP_RESERVED;
    CHECK_EQ(dpif_port_add(dpif, d, &no), EINVAL);
    CHECK_EQ(dpif_port_del(dpif, 4), ENOENT);
    CHECK_EQ(dpif_port_query_by_number(dpif, 3, &port), ENOENT);
    CHECK_EQ(dpif_port_query_by_name(dpif, "pd", &port), ENOENT);
    CHECK(dpif_port_get_netdev(dpif, 3) == NULL);

    CHECK_EQ(dpif_port_query_by_number(dpif, 5, &port), 0);
    CHECK_STREQ(port.name, "pb");
    CHECK_STREQ(port.type, "dummy");
    CHECK_EQ(port.port_no, 5);
    dpif_port_destroy(&port);
    CHECK_EQ(dpif_port_query_by_name(dpif, "pc", &port), 0);
    CHECK_EQ(port.port_no, 2);
    dpif_port_destroy(&port);
    CHECK(dpif_port_get_netdev(dpif, 1) == a);

    dpif_port_dump(dpif, &ports, &n_ports);
    CHECK_EQ(n_ports, 3);
    CHECK_EQ(ports[0].port_no, 1);
    CHECK_STREQ(ports[0].name, "pa");
    CHECK_EQ(ports[1].port_no, 2);
    CHECK_EQ(ports[2].port_no, 5);
    CHECK_STREQ(ports[2].name, "pb");
    dpif_port_dump_free(ports, n_ports);

    /* Deleting frees the number and the name; the lowest gap is reused. */
    CHECK_EQ(dpif_port_del(dpif, 1), 0);
    CHECK_EQ(dpif_port_del(dpif, 1), ENOENT);
    CHECK_EQ(dpif_port_query_by_name(dpif, "pa", &port), ENOENT);
    CHECK_EQ(add_port(dpif, d), 1);
    CHECK_EQ(add_port(dpif, a), 3);

    /* The datapath's reference is dropped on delete: closing ours and
     * deleting destroys the device (its name becomes free for a new
     * type). */
    netdev_close(c);
    CHECK_EQ(dpif_port_del(dpif, 2), 0);
    struct netdev *again;
    CHECK_EQ(netdev_open("pc", "dummy", &again), 0);
    CHECK(netdev_n_rxq(again) == 1);
    netdev_close(again);

    dpif_destroy(dpif);
    netdev_close(a);
    netdev_close(b);
    netdev_close(d);
}

/* A miss makes one upcall, installs exactly the callback's megaflow and
 * executes its actions; later packets of the megaflow hit. */
TEST(miss_upcall_install)
{
    struct fx *fx = fx_create(2, 1);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dpif_flow *flows;
    size_t n_flows;
    struct dpif_stats s;

    u->wc.masks.nw_dst = htonl(0xffffff00);
    output_actions(&b, 2);
    ucb_set_actions(u, &b);
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);

    inject(fx->dev[1], 0, make_udp(0x0a000001, 0x0a000102, 1, 2, 1));
    struct dp_packet *pkt = wait_sent(fx->dev[2]);
    uint8_t expect[PKT_LEN];
    build_udp(expect, 0x0a000001, 0x0a000102, 1, 2, 1);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN);
    CHECK_MEMEQ(dp_packet_data(pkt), expect, PKT_LEN);
    dp_packet_delete(pkt);
    CHECK_EQ(ucb_n_miss(u), 1);
    CHECK_EQ(u->miss_flow.in_port, 1);
    CHECK_EQ(u->miss_flow.recirc_id, 0);
    CHECK_EQ(u->miss_flow.nw_dst, htonl(0x0a000102));
    CHECK_EQ(u->miss_flow.tp_dst, htons(2));

    /* The megaflow's mask is exactly the callback's wildcards. */
    dpif_flow_dump(fx->dpif, &flows, &n_flows);
    CHECK_EQ(n_flows, 1);
    struct flow_wildcards wc;
    flow_wildcards_init_catchall(&wc);
    wc.masks.in_port = UINT32_MAX;
    wc.masks.recirc_id = UINT32_MAX;
    wc.masks.dl_type = htons(UINT16_MAX);
    wc.masks.nw_dst = htonl(0xffffff00);
    CHECK(flow_wildcards_equal(&flows[0].match.wc, &wc));
    CHECK_EQ(flows[0].match.flow.nw_dst, htonl(0x0a000100));
    CHECK_EQ(flows[0].match.flow.in_port, 1);
    CHECK_EQ(flows[0].match.flow.nw_src, 0);
    CHECK_EQ(flows[0].actions_len, b.size);
    CHECK_MEMEQ(flows[0].actions, b.data, b.size);
    dpif_flow_dump_free(flows, n_flows);

    /* Same /24, other source and ports: a hit, no upcall. */
    for (uint32_t i = 0; i < 10; i++) {
        inject(fx->dev[1], 0, make_udp(0x0a000009, 0x0a0001f0 + i, 7, 8,
                                       100 + i));
        pkt = wait_sent(fx->dev[2]);
        CHECK_EQ(packet_seq(pkt), 100 + i);
        dp_packet_delete(pkt);
    }
    CHECK_EQ(ucb_n_miss(u), 1);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_missed, 1);
    CHECK_U64_EQ(s.n_hit, 10);
    CHECK_U64_EQ(s.n_emc_hit + s.n_megaflow_hit, 10);
    CHECK_U64_EQ(s.n_lost, 0);
    CHECK_U64_EQ(s.n_flows, 1);

    /* Another /24 misses again. */
    inject(fx->dev[1], 0, make_udp(0x0a000001, 0x0a000202, 1, 2, 2));
    dp_packet_delete(wait_sent(fx->dev[2]));
    CHECK_EQ(ucb_n_miss(u), 2);
    CHECK_EQ(dpif_flow_count(fx->dpif), 2);

    struct dpif_flow f;
    struct match m;
    match_init_catchall(&m);
    m.flow.in_port = 1;
    m.wc = wc;
    m.flow.dl_type = htons(ETH_TYPE_IP);
    m.flow.nw_dst = htonl(0x0a0001ff);          /* Normalized to .0/24. */
    CHECK_EQ(dpif_flow_get(fx->dpif, &m, &f), 0);
    CHECK_U64_EQ(f.stats.n_packets, 11);
    CHECK_U64_EQ(f.stats.n_bytes, 11 * PKT_LEN);
    CHECK_GT(f.stats.used, 0);
    dpif_flow_uninit(&f);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    fx_destroy(fx);
    ucb_destroy(u);
    odp_buf_uninit(&b);
}

/* Without a callback, or when it fails, misses are dropped and counted
 * as lost, and nothing is installed. */
TEST(miss_dropped)
{
    struct fx *fx = fx_create(2, 1);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dpif_stats s;

    inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, 1));
    expect_nothing_sent(fx->dev[2]);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_missed, 1);
    CHECK_U64_EQ(s.n_lost, 1);

    output_actions(&b, 2);
    ucb_set_actions(u, &b);
    u->error = EPERM;
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);
    inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, 2));
    expect_nothing_sent(fx->dev[2]);
    CHECK_EQ(ucb_n_miss(u), 1);
    CHECK_EQ(dpif_flow_count(fx->dpif), 0);

    /* Invalid actions from the callback: dropped, nothing installed. */
    u->error = 0;
    uint8_t junk[8] = { 8, 0, 99, 0 };
    memcpy(u->actions, junk, sizeof junk);
    u->actions_len = sizeof junk;
    inject(fx->dev[1], 0, make_udp(1, 2, 3, 4, 3));
    expect_nothing_sent(fx->dev[2]);
    CHECK_EQ(ucb_n_miss(u), 2);
    CHECK_EQ(dpif_flow_count(fx->dpif), 0);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_missed, 3);
    CHECK_U64_EQ(s.n_lost, 3);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    fx_destroy(fx);
    ucb_destroy(u);
    odp_buf_uninit(&b);
}

/* Output, push/pop VLAN, several outputs and drop, byte for byte. */
TEST(actions_bytes)
{
    struct fx *fx = fx_create(4, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    uint8_t plain[PKT_LEN], tagged[PKT_LEN + 4];
    struct dp_packet *pkt;

    build_udp(plain, 0x0a000001, 0x0a000002, 5, 6, 42);
    memcpy(tagged, plain, 12);
    tagged[12] = 0x81;
    tagged[13] = 0x00;
    tagged[14] = 0x20;                  /* PCP 1, DEI 0, VID 10. */
    tagged[15] = 0x0a;
    memcpy(tagged + 16, plain + 12, PKT_LEN - 12);

    /* 1 -> push_vlan(vid=10,pcp=1),2,pop_vlan,3 */
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021Q),
                      htons(VLAN_CFI | 1 << 13 | 10));
    odp_put_output(&b, 2);
    odp_put_pop_vlan(&b);
    odp_put_output(&b, 3);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000002, &b);
    /* 1, to .3 -> drop */
    odp_buf_clear(&b);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000003, &b);
    /* 4 (a tagged packet) -> pop_vlan,2 */
    struct match m;
    match_init_catchall(&m);
    match_set_in_port(&m, 4);
    odp_put_pop_vlan(&b);
    odp_put_output(&b, 2);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);

    inject(fx->dev[1], 0, dp_packet_clone_data(plain, PKT_LEN));
    pkt = wait_sent(fx->dev[2]);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN + 4);
    CHECK_MEMEQ(dp_packet_data(pkt), tagged, PKT_LEN + 4);
    dp_packet_delete(pkt);
    pkt = wait_sent(fx->dev[3]);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN);
    CHECK_MEMEQ(dp_packet_data(pkt), plain, PKT_LEN);
    dp_packet_delete(pkt);

    build_udp(plain, 0x0a000001, 0x0a000003, 5, 6, 43);
    inject(fx->dev[1], 0, dp_packet_clone_data(plain, PKT_LEN));

    inject(fx->dev[4], 0, dp_packet_clone_data(tagged, PKT_LEN + 4));
    pkt = wait_sent(fx->dev[2]);
    build_udp(plain, 0x0a000001, 0x0a000002, 5, 6, 42);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN);
    CHECK_MEMEQ(dp_packet_data(pkt), plain, PKT_LEN);
    dp_packet_delete(pkt);

    /* The dropped packet went nowhere. */
    for (int i = 1; i <= 4; i++) {
        expect_nothing_sent(fx->dev[i]);
    }
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* Flow table operations and their errors and statistics. */
TEST(flow_ops)
{
    struct fx *fx = fx_create(3, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER, b3 = ODP_BUF_INITIALIZER;
    struct dp_flow_stats st;
    struct dpif_flow f;
    struct match m, other;

    output_actions(&b, 2);
    output_actions(&b3, 3);
    match_init_catchall(&m);
    match_set_in_port(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&m, htonl(0x0a000000), htonl(0xff000000));
    other = m;
    match_set_nw_dst_masked(&other, htonl(0x0b000000), htonl(0xff000000));

    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_MODIFY, &m, b.data, b.size,
                           NULL), ENOENT);
    CHECK_EQ(dpif_flow_del(fx->dpif, &m, NULL), ENOENT);
    CHECK_EQ(dpif_flow_get(fx->dpif, &m, &f), ENOENT);
    uint8_t junk[4] = { 4, 0, 77, 0 };
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, junk, sizeof junk,
                           NULL), EINVAL);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, junk, 3, NULL),
             EINVAL);
    CHECK_EQ(dpif_flow_count(fx->dpif), 0);

    memset(&st, 0xff, sizeof st);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           &st), 0);
    CHECK_U64_EQ(st.n_packets, 0);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), EEXIST);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &other, b3.data,
                           b3.size, NULL), 0);
    CHECK_EQ(dpif_flow_count(fx->dpif), 2);

    /* Traffic: 3 packets of 46 bytes to m, 1 to other. */
    for (int i = 0; i < 3; i++) {
        inject(fx->dev[1], 0, make_udp(0x0b000001, 0x0a000005, 1, 2, i));
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    inject(fx->dev[1], 0, make_udp(1, 0x0b000005, 1, 2, 9));
    dp_packet_delete(wait_sent(fx->dev[3]));

    CHECK_EQ(dpif_flow_get(fx->dpif, &m, &f), 0);
    CHECK(match_equal(&f.match, &m));
    CHECK_EQ(f.actions_len, b.size);
    CHECK_MEMEQ(f.actions, b.data, b.size);
    CHECK_U64_EQ(f.stats.n_packets, 3);
    CHECK_U64_EQ(f.stats.n_bytes, 3 * PKT_LEN);
    long long int used = f.stats.used;
    CHECK_GT(used, 0);
    CHECK_LE(used, time_msec());
    dpif_flow_uninit(&f);

    /* Modify keeps the statistics, and reports them. */
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_MODIFY, &m, b3.data, b3.size,
                           &st), 0);
    CHECK_U64_EQ(st.n_packets, 3);
    CHECK_EQ(dpif_flow_get(fx->dpif, &m, &f), 0);
    CHECK_U64_EQ(f.stats.n_packets, 3);
    CHECK_MEMEQ(f.actions, b3.data, b3.size);
    dpif_flow_uninit(&f);
    CHECK_EQ(dpif_flow_count(fx->dpif), 2);

    /* ...unless asked to zero them. */
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_MODIFY | DPIF_FP_ZERO_STATS,
                           &m, b.data, b.size, &st), 0);
    CHECK_U64_EQ(st.n_packets, 3);
    CHECK_EQ(dpif_flow_get(fx->dpif, &m, &f), 0);
    CHECK_U64_EQ(f.stats.n_packets, 0);
    CHECK_EQ(f.stats.used, 0);
    dpif_flow_uninit(&f);

    /* CREATE|MODIFY on an existing flow modifies. */
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE | DPIF_FP_MODIFY, &m,
                           b.data, b.size, NULL), 0);
    /* Invalid actions on modify leave the flow alone. */
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_MODIFY, &m, junk, sizeof junk,
                           NULL), EINVAL);

    /* A match is a match after normalization. */
    struct match unnorm = m;
    unnorm.flow.nw_dst = htonl(0x0a123456);
    CHECK_EQ(dpif_flow_get(fx->dpif, &unnorm, &f), 0);
    dpif_flow_uninit(&f);

    /* Dump. */
    struct dpif_flow *flows;
    size_t n;
    dpif_flow_dump(fx->dpif, &flows, &n);
    CHECK_EQ(n, 2);
    int seen_m = 0, seen_other = 0;
    for (size_t i = 0; i < n; i++) {
        seen_m += match_equal(&flows[i].match, &m);
        seen_other += match_equal(&flows[i].match, &other);
    }
    CHECK_EQ(seen_m, 1);
    CHECK_EQ(seen_other, 1);
    dpif_flow_dump_free(flows, n);

    /* Delete reports the final statistics. */
    CHECK_EQ(dpif_flow_del(fx->dpif, &other, &st), 0);
    CHECK_U64_EQ(st.n_packets, 1);
    CHECK_U64_EQ(st.n_bytes, PKT_LEN);
    CHECK_EQ(dpif_flow_del(fx->dpif, &other, &st), ENOENT);
    CHECK_EQ(dpif_flow_count(fx->dpif), 1);

    /* Its packets now miss (no callback: lost). */
    inject(fx->dev[1], 0, make_udp(1, 0x0b000005, 1, 2, 10));
    expect_nothing_sent(fx->dev[3]);
    struct dpif_stats s;
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_lost, 1);
    dpif_flow_flush(fx->dpif);
    CHECK_EQ(dpif_flow_count(fx->dpif), 0);
    dpif_flow_dump(fx->dpif, &flows, &n);
    CHECK_EQ(n, 0);
    dpif_flow_dump_free(flows, n);
    inject(fx->dev[1], 0, make_udp(1, 0x0a000005, 1, 2, 11));
    expect_nothing_sent(fx->dev[2]);
    expect_nothing_sent(fx->dev[3]);

    fx_destroy(fx);
    odp_buf_uninit(&b);
    odp_buf_uninit(&b3);
}

/* With every miss inserted into the exact-match cache, a modified or
 * deleted megaflow still governs the very next packet. */
TEST(modify_not_stale)
{
    struct fx *fx = fx_create(3, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dpif_stats s;

    dpif_set_emc_insert_inv_prob(fx->dpif, 1);
    for (int round = 0; round < 20; round++) {
        uint32_t out = 2 + round % 2;

        output_actions(&b, out);
        put_flow(fx->dpif, round ? DPIF_FP_MODIFY : DPIF_FP_CREATE, 1,
                 0x0a000002, &b);
        for (int i = 0; i < 3; i++) {
            inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, i));
            dp_packet_delete(wait_sent(fx->dev[out]));
        }
        CHECK_EQ(netdev_dummy_n_sent(fx->dev[5 - out]), 0);
    }
    dpif_get_stats(fx->dpif, &s);
    CHECK_GT(s.n_emc_hit, 0);          /* The EMC was really in play. */

    struct match m;
    match_init_catchall(&m);
    match_set_in_port(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_dst(&m, htonl(0x0a000002));
    CHECK_EQ(dpif_flow_del(fx->dpif, &m, NULL), 0);
    inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, 99));
    expect_nothing_sent(fx->dev[2]);
    expect_nothing_sent(fx->dev[3]);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_lost, 1);

    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* emc-insert-inv-prob 0 turns the exact-match cache off. */
TEST(emc_disable)
{
    struct fx *fx = fx_create(2, 1);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dpif_stats s;

    dpif_set_emc_insert_inv_prob(fx->dpif, 0);
    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000002, &b);
    for (int i = 0; i < 50; i++) {
        inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, i));
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_emc_hit, 0);
    CHECK_U64_EQ(s.n_megaflow_hit, 50);

    dpif_set_emc_insert_inv_prob(fx->dpif, 1);
    for (int i = 0; i < 50; i++) {
        inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, i));
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_emc_hit, 49);
    CHECK_U64_EQ(s.n_megaflow_hit, 51);
    fx_destroy(fx);
    odp_buf_uninit(&b);
}

/* A userspace action makes a DPIF_UC_ACTION upcall with the packet as the
 * actions before it left it, and the list goes on. */
TEST(userspace_action)
{
    struct fx *fx = fx_create(2, 1);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;
    static const uint8_t userdata[] = { 1, 2, 3, 4, 5 };

    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021Q), htons(VLAN_CFI | 7));
    odp_put_userspace(&b, 77, userdata, sizeof userdata);
    odp_put_pop_vlan(&b);
    odp_put_output(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 0x0a000002, &b);

    inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, 5));
    struct dp_packet *pkt = wait_sent(fx->dev[2]);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN);
    dp_packet_delete(pkt);

    pthread_mutex_lock(&u->mutex);
    CHECK_EQ(u->n_action, 1);
    CHECK_EQ(u->n_miss, 0);
    CHECK_EQ(u->pid, 77);
    CHECK_EQ(u->userdata_len, sizeof userdata);
    CHECK_MEMEQ(u->userdata, userdata, sizeof userdata);
    CHECK(u->action_packet != NULL);
    CHECK_EQ(dp_packet_size(u->action_packet), PKT_LEN + 4);
    CHECK_EQ(packet_seq(u->action_packet), 5);
    CHECK_EQ(u->action_flow.in_port, 1);
    CHECK_EQ(u->action_flow.vlans[0].tci, htons(VLAN_CFI | 7));
    pthread_mutex_unlock(&u->mutex);

    /* Without userdata. */
    odp_buf_clear(&b);
    odp_put_userspace(&b, 9, NULL, 0);
    put_flow(fx->dpif, DPIF_FP_MODIFY, 1, 0x0a000002, &b);
    inject(fx->dev[1], 0, make_udp(1, 0x0a000002, 1, 2, 6));
    long long int deadline = time_msec() + WAIT_MS;
    for (;;) {
        pthread_mutex_lock(&u->mutex);
        int n = u->n_action;
        pthread_mutex_unlock(&u->mutex);
        if (n == 2) {
            break;
        }
        CHECK_LT(time_msec(), deadline);
        usleep(100);
    }
    CHECK_EQ(u->pid, 9);
    CHECK_EQ(u->userdata_len, 0);
    expect_nothing_sent(fx->dev[2]);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    fx_destroy(fx);
    ucb_destroy(u);
    odp_buf_uninit(&b);
}

static void
put_recirc_flow(struct dpif *dpif, uint32_t recirc_id, uint32_t dp_hash,
                uint32_t dp_hash_mask, const struct odp_buf *b)
{
    struct match m;

    match_init_catchall(&m);
    match_set_in_port(&m, 1);
    m.flow.recirc_id = recirc_id;
    m.wc.masks.recirc_id = UINT32_MAX;
    m.flow.dp_hash = dp_hash;
    m.wc.masks.dp_hash = dp_hash_mask;
    match_normalize(&m);
    CHECK_EQ(dpif_flow_put(dpif, DPIF_FP_CREATE, &m, b->data, b->size,
                           NULL), 0);
}

/* hash + recirc: the second pass matches recirc_id and dp_hash; misses
 * after recirculation make upcalls that carry the recirc_id; loops end at
 * DPIF_MAX_RECIRC. */
/* dpif_receive(): the whole packet path in the calling thread, as if the
 * batch arrived on a port: a miss upcalls and installs, the rest hit. */
TEST(receive_in_calling_thread)
{
    struct fx *fx = fx_create(2, 1);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;
    struct dp_packet_batch batch;
    struct dpif_stats s;

    output_actions(&b, 2);
    ucb_set_actions(u, &b);
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);

    dp_packet_batch_init(&batch);
    for (uint32_t i = 0; i < 5; i++) {
        dp_packet_batch_add(&batch, make_udp(0x0a000001, 0x0a000002, 1, 2,
                                             i));
    }
    dpif_receive(fx->dpif, 1, &batch);
    CHECK_EQ(batch.count, 0);
    CHECK_EQ(ucb_n_miss(u), 1);
    CHECK_EQ(u->miss_flow.in_port, 1);
    for (uint32_t i = 0; i < 5; i++) {
        struct dp_packet *pkt = netdev_dummy_pop_sent(fx->dev[2], NULL);
        CHECK(pkt != NULL);
        CHECK_EQ(packet_seq(pkt), i);
        dp_packet_delete(pkt);
    }
    CHECK(netdev_dummy_pop_sent(fx->dev[2], NULL) == NULL);
    CHECK_EQ(dpif_flow_count(fx->dpif), 1);
    dpif_get_stats(fx->dpif, &s);
    CHECK_U64_EQ(s.n_missed, 1);
    CHECK_U64_EQ(s.n_hit, 4);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    odp_buf_uninit(&b);
    ucb_destroy(u);
    fx_destroy(fx);
}

TEST(recirculation)
{
    struct fx *fx = fx_create(3, 1);
    struct ucb *u = ucb_create();
    struct odp_buf b = ODP_BUF_INITIALIZER;

    /* Recirc 0: hash(l4(0)), recirc(5).  Recirc 5: by dp_hash's low bit,
     * to port 2 or 3. */
    odp_put_hash(&b, 0);
    odp_put_recirc(&b, 5);
    put_recirc_flow(fx->dpif, 0, 0, 0, &b);
    output_actions(&b, 2);
    put_recirc_flow(fx->dpif, 5, 0, 1, &b);
    output_actions(&b, 3);
    put_recirc_flow(fx->dpif, 5, 1, 1, &b);

    int n2 = 0, n3 = 0;
    for (uint16_t sport = 1; sport <= 16; sport++) {
        struct dp_packet *pkt = make_udp(1, 2, sport, 80, sport);
        struct dp_packet *probe = dp_packet_clone(pkt);
        struct flow f;

        flow_extract(probe, &f);
        odp_execute_hash_l4(probe, 0);
        int expect = probe->md.dp_hash & 1 ? 3 : 2;
        dp_packet_delete(probe);

        inject(fx->dev[1], 0, pkt);
        struct dp_packet *out = wait_sent(fx->dev[expect]);
        CHECK_EQ(packet_seq(out), sport);
        dp_packet_delete(out);
        n2 += expect == 2;
        n3 += expect == 3;
    }
    CHECK_GT(n2, 0);
    CHECK_GT(n3, 0);
    expect_nothing_sent(fx->dev[2]);
    expect_nothing_sent(fx->dev[3]);

    /* A miss after recirculation: the upcall sees recirc_id 6. */
    dpif_register_upcall_cb(fx->dpif, ucb_cb, u);
    output_actions(&b, 2);
    ucb_set_actions(u, &b);
    odp_buf_clear(&b);
    odp_put_recirc(&b, 6);
    struct match m;
    match_init_catchall(&m);
    match_set_in_port(&m, 2);
    m.wc.masks.recirc_id = UINT32_MAX;
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);
    inject(fx->dev[2], 0, make_udp(1, 2, 3, 4, 1));
    dp_packet_delete(wait_sent(fx->dev[2]));
    CHECK_EQ(ucb_n_miss(u), 1);
    CHECK_EQ(u->miss_flow.recirc_id, 6);
    CHECK_EQ(u->miss_flow.in_port, 2);

    /* A loop: recirc 7 -> recirc 7 -> ... is cut off. */
    match_init_catchall(&m);
    match_set_in_port(&m, 3);
    m.wc.masks.recirc_id = UINT32_MAX;
    odp_buf_clear(&b);
    odp_put_recirc(&b, 7);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);
    m.flow.recirc_id = 7;
    odp_buf_clear(&b);
    odp_put_output(&b, 2);
    odp_put_recirc(&b, 7);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);
    inject(fx->dev[3], 0, make_udp(1, 2, 3, 4, 1));
    for (int i = 0; i < DPIF_MAX_RECIRC; i++) {
        dp_packet_delete(wait_sent(fx->dev[2]));
    }
    expect_nothing_sent(fx->dev[2]);

    struct ds ds = DS_EMPTY_INITIALIZER;
    dpif_format_pmd_stats(fx->dpif, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds),
                               "^  packet recirculations: [1-9][0-9]+$"),
              "%s", ds_cstr(&ds));
    ds_destroy(&ds);

    dpif_register_upcall_cb(fx->dpif, NULL, NULL);
    fx_destroy(fx);
    ucb_destroy(u);
    odp_buf_uninit(&b);
}

/* dpif_execute() runs actions in the calling thread through the same
 * transmit path, on tx queue 0. */
TEST(execute)
{
    struct fx *fx = fx_create(3, 4);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    uint8_t plain[PKT_LEN];
    struct dp_packet *pkt;
    int qid;

    build_udp(plain, 1, 2, 3, 4, 5);
    odp_put_output(&b, 2);
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021AD), htons(VLAN_CFI | 3));
    odp_put_output(&b, 3);
    odp_put_output(&b, 99);             /* No such port: ignored. */
    pkt = dp_packet_clone_data(plain, PKT_LEN);
    pkt->md.in_port = ODPP_NONE;
    CHECK_EQ(dpif_execute(fx->dpif, pkt, b.data, b.size), 0);
    pkt = netdev_dummy_pop_sent(fx->dev[2], &qid);
    CHECK(pkt != NULL);
    CHECK_EQ(qid, 0);
    CHECK_MEMEQ(dp_packet_data(pkt), plain, PKT_LEN);
    dp_packet_delete(pkt);
    pkt = netdev_dummy_pop_sent(fx->dev[3], &qid);
    CHECK(pkt != NULL);
    CHECK_EQ(dp_packet_size(pkt), PKT_LEN + 4);
    CHECK_EQ(((uint8_t *) dp_packet_data(pkt))[12], 0x88);
    dp_packet_delete(pkt);

    /* Unaligned and empty actions; invalid ones. */
    uint8_t *buf = xmalloc(b.size + 1);
    memcpy(buf + 1, b.data, 8);          /* Just "output(2)". */
    CHECK_EQ(dpif_execute(fx->dpif, dp_packet_clone_data(plain, PKT_LEN),
                          buf + 1, 8), 0);
    dp_packet_delete(wait_sent(fx->dev[2]));
    free(buf);
    CHECK_EQ(dpif_execute(fx->dpif, dp_packet_clone_data(plain, PKT_LEN),
                          NULL, 0), 0);
    uint8_t junk[4] = { 4, 0, 200, 0 };
    CHECK_EQ(dpif_execute(fx->dpif, dp_packet_clone_data(plain, PKT_LEN),
                          junk, sizeof junk), EINVAL);
    CHECK_EQ(dpif_execute(fx->dpif, dp_packet_clone_data(plain, PKT_LEN),
                          NULL, 4), EINVAL);

    /* Recirculation from dpif_execute() looks up the megaflow cache. */
    struct match m;
    match_init_catchall(&m);
    m.flow.recirc_id = 3;
    m.wc.masks.recirc_id = UINT32_MAX;
    output_actions(&b, 3);
    CHECK_EQ(dpif_flow_put(fx->dpif, DPIF_FP_CREATE, &m, b.data, b.size,
                           NULL), 0);
    odp_buf_clear(&b);
    odp_put_recirc(&b, 3);
    pkt = dp_packet_clone_data(plain, PKT_LEN);
    pkt->md.in_port = 1;
    CHECK_EQ(dpif_execute(fx->dpif, pkt, b.data, b.size), 0);
    pkt = netdev_dummy_pop_sent(fx->dev[3], NULL);
    CHECK(pkt != NULL);
    CHECK_MEMEQ(dp_packet_data(pkt), plain, PKT_LEN);
    dp_packet_delete(pkt);

    /* PMD traffic uses the PMD's own tx queue (not 0: 4 queues, 1 PMD). */
    output_actions(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE, 1, 2, &b);
    inject(fx->dev[1], 0, dp_packet_clone_data(plain, PKT_LEN));
    long long int deadline = time_msec() + WAIT_MS;
    while (!(pkt = netdev_dummy_pop_sent(fx->dev[2], &qid))) {
        CHECK_LT(time_msec(), deadline);
        usleep(100);
    }
    CHECK_EQ(qid, 1);
    dp_packet_delete(pkt);

    for (int i = 1; i <= 3; i++) {
        expect_nothing_sent(fx->dev[i]);
    }
    fx_destroy(fx);
    odp_buf_uninit(&b);
}
