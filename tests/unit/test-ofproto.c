/* End-to-end tests for ofproto on the userspace datapath: bridges on dummy
 * ports, frames injected with netdev_dummy_receive() and read back with
 * netdev_dummy_pop_sent() after the PMD thread switched them through
 * upcalls and megaflows.  Flooding then unicast, VLAN isolation, ports
 * added and deleted under traffic, revalidation after a MAC moves, idle
 * megaflow expiry, fail modes, bundle reconfiguration, two bridges on
 * one datapath, the fdb unixctl commands, and the OpenFlow tables
 * (flow_mod semantics, counters, timeouts, groups, packet-ins). */
#include <config.h>
#include "ofproto/ofproto.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "datapath/dpif.h"
#include "datapath/netdev.h"
#include "datapath/netdev-dummy.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofproto/ofproto-private.h"
#include "openflow.h"
#include "packets.h"
#include "poll-loop.h"
#include "test.h"
#include "timeval.h"
#include "unixctl.h"

#define WAIT_MS 5000            /* Upper bound for a packet to arrive. */
#define QUIET_MS 100            /* How long "nothing arrives" is checked. */
#define MAX_PORTS 8

struct env {
    struct dpif *dpif;
    struct ofproto *br;
    struct netdev *ports[MAX_PORTS + 1];    /* By OpenFlow port. */
    char aux[MAX_PORTS + 1];                /* Bundle keys. */
};

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr a = { .ea = { 0x50, 0x54, 0x00, 0x00, 0x00, last } };
    return a;
}

#define BCAST 0xff

static void
env_init(struct env *e, const char *br_name)
{
    memset(e, 0, sizeof *e);
    CHECK_EQ(dpif_create("plx-test", &e->dpif), 0);
    CHECK_EQ(ofproto_create(br_name, e->dpif, &e->br), 0);
}

/* Adds dummy port "pN" as OpenFlow port N. */
static struct netdev *
env_add_port(struct env *e, ofp_port_t n)
{
    struct netdev *netdev;
    ofp_port_t ofp = n;
    char name[16];

    snprintf(name, sizeof name, "p%"PRIu32, n);
    CHECK_EQ(netdev_open(name, "dummy", &netdev), 0);
    CHECK_EQ(ofproto_port_add(e->br, netdev, &ofp), 0);
    CHECK_EQ(ofp, n);
    e->ports[n] = netdev;
    return netdev;
}

/* TRUNKS: NULL for all, else a list like "10,20". */
static void
env_bundle(struct env *e, ofp_port_t n, enum port_vlan_mode mode, int vlan,
           const char *trunks)
{
    struct ofproto_bundle_settings s = {
        .name = ofproto_port_name(e->br, n),
        .members = &n,
        .n_members = 1,
        .vlan_mode = mode,
        .vlan = vlan,
    };
    unsigned long *map = NULL;

    if (trunks) {
        char *copy = xstrdup(trunks), *save = NULL;

        map = bitmap_allocate(4096);
        for (char *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            bitmap_set1(map, atoi(t));
        }
        free(copy);
    }
    s.trunks = map;
    CHECK_EQ(ofproto_bundle_register(e->br, &e->aux[n], &s), 0);
    bitmap_free(map);
}

static void
env_port(struct env *e, ofp_port_t n, enum port_vlan_mode mode, int vlan)
{
    env_add_port(e, n);
    env_bundle(e, n, mode, vlan, NULL);
}

static void
env_destroy(struct env *e)
{
    ofproto_destroy(e->br);
    dpif_destroy(e->dpif);
    for (int i = 0; i <= MAX_PORTS; i++) {
        netdev_close(e->ports[i]);
    }
}

/* Injects a UDP frame SRC -> DST (BCAST for broadcast) into NETDEV,
 * untagged if VID < 0. */
static void
send_frame(struct netdev *netdev, uint8_t src, uint8_t dst, int vid)
{
    struct dp_packet *pkt = dp_packet_new(128);
    struct flow f;

    memset(&f, 0, sizeof f);
    f.dl_src = mac(src);
    f.dl_dst = dst == BCAST ? eth_addr_broadcast : mac(dst);
    f.dl_type = htons(ETH_TYPE_IP);
    f.nw_src = htonl(0x0a000000 | src);
    f.nw_dst = htonl(0x0a000000 | dst);
    f.nw_proto = 17;
    f.nw_ttl = 64;
    f.tp_src = htons(1000);
    f.tp_dst = htons(2000);
    if (vid >= 0) {
        f.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f.vlans[0].tci = htons(vid | VLAN_CFI);
    }
    flow_compose(pkt, &f);
    CHECK_EQ(netdev_dummy_receive(netdev, 0, pkt), 0);
}

/* Waits for one frame on NETDEV and checks it is SRC -> DST with VLAN VID
 * (-1: untagged). */
static void
expect_frame(struct netdev *netdev, uint8_t src, uint8_t dst, int vid)
{
    long long int deadline = time_msec() + WAIT_MS;
    struct dp_packet *pkt;
    struct flow f;

    while (!(pkt = netdev_dummy_pop_sent(netdev, NULL))) {
        CHECK_MSG(time_msec() < deadline, "%s: no frame %02x -> %02x",
                  netdev_get_name(netdev), src, dst);
        plx_msleep(1);
    }
    flow_extract(pkt, &f);
    dp_packet_delete(pkt);
    CHECK(eth_addr_equals(f.dl_src, mac(src)));
    CHECK(eth_addr_equals(f.dl_dst,
                          dst == BCAST ? eth_addr_broadcast : mac(dst)));
    if (vid < 0) {
        CHECK_MSG(!f.vlans[0].tci, "%s: frame tagged %d, not untagged",
                  netdev_get_name(netdev), vlan_tci_to_vid(f.vlans[0].tci));
    } else {
        CHECK_MSG(f.vlans[0].tci & htons(VLAN_CFI), "%s: frame untagged",
                  netdev_get_name(netdev));
        CHECK_EQ(vlan_tci_to_vid(f.vlans[0].tci), vid);
    }
}

/* Checks that nothing more arrives on any port of E. */
static void
expect_quiet(struct env *e)
{
    plx_msleep(QUIET_MS);
    for (int i = 0; i <= MAX_PORTS; i++) {
        if (e->ports[i]) {
            CHECK_MSG(!netdev_dummy_n_sent(e->ports[i]),
                      "%s got %zu unexpected frames",
                      netdev_get_name(e->ports[i]),
                      netdev_dummy_n_sent(e->ports[i]));
        }
    }
}

/* Runs E's bridge as plx-vswitchd's main loop would, for MS ms. */
static void
run_for(struct env *e, long long int ms)
{
    long long int end = time_msec() + ms;

    while (time_msec() < end) {
        ofproto_run(e->br);
        dpif_run(e->dpif);
        ofproto_wait(e->br);
        dpif_wait(e->dpif);
        poll_timer_wait_until(end);
        poll_block();
    }
}

static size_t
flows_from(const struct env *e, ofp_port_t n)
{
    odp_port_t odp = ofproto_port_to_odp(e->br, n);
    struct dpif_flow *flows;
    size_t n_flows, count = 0;

    dpif_flow_dump(e->dpif, &flows, &n_flows);
    for (size_t i = 0; i < n_flows; i++) {
        count += flows[i].match.flow.in_port == odp;
    }
    dpif_flow_dump_free(flows, n_flows);
    return count;
}

TEST(flood_then_unicast)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct env e;

    env_init(&e, "br0");
    for (int i = 1; i <= 3; i++) {
        env_port(&e, i, PORT_VLAN_TRUNK, -1);
    }

    /* A (on p1) to unknown B floods. */
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* B answers: A is known, unicast. */
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[1], 0xb, 0xa, -1);
    expect_quiet(&e);

    /* The main loop revalidates the flooding megaflow (B is now known):
     * A to B is unicast from the next frame on, without an upcall. */
    ofproto_run(e.br);
    for (int i = 0; i < 3; i++) {
        send_frame(e.ports[1], 0xa, 0xb, -1);
        expect_frame(e.ports[2], 0xa, 0xb, -1);
    }
    expect_quiet(&e);
    CHECK_EQ(dpif_flow_count(e.dpif), 2);

    ofproto_format_fdb(e.br, &ds);
    CHECK_STREQ(ds_cstr(&ds),
                " port  VLAN  MAC                Age\n"
                "    1     0  50:54:00:00:00:0a    0\n"
                "    2     0  50:54:00:00:00:0b    0\n");
    ds_clear(&ds);
    ofproto_format_memory(e.br, &ds);
    CHECK_STREQ(ds_cstr(&ds), "ports:3 rules:1 mac_entries:2");
    ds_destroy(&ds);
    env_destroy(&e);
}

TEST(vlan_isolation)
{
    struct env e;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_ACCESS, 10);
    env_port(&e, 2, PORT_VLAN_ACCESS, 20);
    env_port(&e, 3, PORT_VLAN_ACCESS, 10);
    env_port(&e, 4, PORT_VLAN_TRUNK, -1);
    env_add_port(&e, 5);
    env_bundle(&e, 5, PORT_VLAN_NATIVE_UNTAGGED, 20, "20,30");

    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[3], 0xa, BCAST, -1);
    expect_frame(e.ports[4], 0xa, BCAST, 10);
    expect_quiet(&e);

    send_frame(e.ports[2], 0xb, BCAST, -1);
    expect_frame(e.ports[4], 0xb, BCAST, 20);
    expect_frame(e.ports[5], 0xb, BCAST, -1);
    expect_quiet(&e);

    /* A on VLAN 10 is unknown on VLAN 20: B's frame to it floods VLAN 20
     * only. */
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[4], 0xb, 0xa, 20);
    expect_frame(e.ports[5], 0xb, 0xa, -1);
    expect_quiet(&e);

    /* The trunk reaches A on VLAN 10 only; VLAN 30 reaches p5 tagged. */
    send_frame(e.ports[4], 0xc, 0xa, 10);
    expect_frame(e.ports[1], 0xc, 0xa, -1);
    expect_quiet(&e);
    send_frame(e.ports[4], 0xc, 0xa, 30);
    expect_frame(e.ports[5], 0xc, 0xa, 30);
    expect_quiet(&e);

    /* Tagged frames on an access port are dropped. */
    send_frame(e.ports[1], 0xa, BCAST, 20);
    expect_quiet(&e);
    env_destroy(&e);
}

TEST(port_add_del)
{
    struct env e;
    struct netdev *extra;
    ofp_port_t ofp;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[1], 0xb, 0xa, -1);
    expect_quiet(&e);

    /* A new port is in the flood at once: the flooding megaflow changed
     * under the traffic, the unicast one did not. */
    env_port(&e, 3, PORT_VLAN_TRUNK, -1);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    expect_frame(e.ports[3], 0xa, BCAST, -1);
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[1], 0xb, 0xa, -1);
    expect_quiet(&e);

    /* Deleting p2 deletes its megaflows and its MACs. */
    CHECK_GT(flows_from(&e, 2), 0);
    odp_port_t odp2 = ofproto_port_to_odp(e.br, 2);
    CHECK_EQ(ofproto_port_del(e.br, 2), 0);
    CHECK_EQ(ofproto_port_to_odp(e.br, 2), ODPP_NONE);
    CHECK(ofproto_port_name(e.br, 2) == NULL);
    {
        struct dpif_flow *flows;
        size_t n;

        dpif_flow_dump(e.dpif, &flows, &n);
        for (size_t i = 0; i < n; i++) {
            CHECK(flows[i].match.flow.in_port != odp2);
        }
        dpif_flow_dump_free(flows, n);
    }
    netdev_close(e.ports[2]);
    e.ports[2] = NULL;
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);
    CHECK_EQ(ofproto_port_del(e.br, 2), ENOENT);

    /* Numbering: lowest free number, a requested one, the LOCAL port
     * named like the bridge, and the errors. */
    CHECK_EQ(netdev_open("br0", "dummy", &extra), 0);
    ofp = MF_OFPP_ANY;
    CHECK_EQ(ofproto_port_add(e.br, extra, &ofp), 0);
    CHECK_EQ(ofp, MF_OFPP_LOCAL);
    CHECK_STREQ(ofproto_port_name(e.br, MF_OFPP_LOCAL), "br0");
    ofp = MF_OFPP_ANY;
    CHECK_EQ(ofproto_port_add(e.br, extra, &ofp), EEXIST);
    CHECK_EQ(ofproto_port_del(e.br, MF_OFPP_LOCAL), 0);
    netdev_close(extra);

    CHECK_EQ(netdev_open("p7", "dummy", &e.ports[7]), 0);
    ofp = 1;
    CHECK_EQ(ofproto_port_add(e.br, e.ports[7], &ofp), EEXIST);
    ofp = 0;
    CHECK_EQ(ofproto_port_add(e.br, e.ports[7], &ofp), EINVAL);
    ofp = MF_OFPP_NORMAL;
    CHECK_EQ(ofproto_port_add(e.br, e.ports[7], &ofp), EINVAL);
    ofp = MF_OFPP_ANY;
    CHECK_EQ(ofproto_port_add(e.br, e.ports[7], &ofp), 0);
    CHECK_EQ(ofp, 2);
    CHECK(ofproto_port_to_odp(e.br, 2) != ODPP_NONE);
    env_destroy(&e);
}

TEST(bundle_errors)
{
    static const ofp_port_t missing = 9;
    struct ofproto_bundle_settings s = {
        .name = "x", .members = &missing, .n_members = 1,
        .vlan_mode = PORT_VLAN_ACCESS, .vlan = 10,
    };
    ofp_port_t one = 1;
    struct env e;

    env_init(&e, "br0");
    env_add_port(&e, 1);
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[0], &s), EINVAL);
    s.members = &one;
    s.vlan = 4096;
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[0], &s), EINVAL);
    s.vlan = -2;
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[0], &s), EINVAL);
    s.vlan = 10;
    s.vlan_mode = (enum port_vlan_mode) 7;
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[0], &s), EINVAL);
    s.vlan_mode = PORT_VLAN_ACCESS;
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[0], &s), 0);
    /* Registering the same port under another key moves it. */
    CHECK_EQ(ofproto_bundle_register(e.br, &e.aux[1], &s), 0);
    ofproto_bundle_unregister(e.br, &e.aux[0]);
    ofproto_bundle_unregister(e.br, &e.aux[5]);     /* Unknown: no-op. */
    env_destroy(&e);
}

TEST(revalidation_after_mac_move)
{
    struct env e;

    env_init(&e, "br0");
    for (int i = 1; i <= 3; i++) {
        env_port(&e, i, PORT_VLAN_ACCESS, 5);
    }
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[1], 0xb, 0xa, -1);
    ofproto_run(e.br);
    expect_quiet(&e);

    /* A moves to p3. */
    send_frame(e.ports[3], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* The upcall learned the move and woke the main loop; one run
     * revalidates B's megaflow to the new port. */
    ofproto_run(e.br);
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_frame(e.ports[3], 0xb, 0xa, -1);
    expect_quiet(&e);
    env_destroy(&e);
}

TEST(idle_megaflows_expire)
{
    struct env e;

    ofproto_set_flow_idle_timeout(400);
    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    CHECK_EQ(dpif_flow_count(e.dpif), 1);

    /* Kept while in use... */
    for (int i = 0; i < 4; i++) {
        run_for(&e, 100);
        send_frame(e.ports[1], 0xa, 0xb, -1);
        expect_frame(e.ports[2], 0xa, 0xb, -1);
    }
    CHECK_EQ(dpif_flow_count(e.dpif), 1);
    /* ...deleted once idle. */
    run_for(&e, 1500);
    CHECK_EQ(dpif_flow_count(e.dpif), 0);
    ofproto_set_flow_idle_timeout(0);
    env_destroy(&e);
}

TEST(learning_refreshed_by_megaflow_traffic)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct env e;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);

    /* After a flush the megaflow still carries A's frames, without
     * upcalls; the revalidator re-learns A from its statistics. */
    ofproto_flush_fdb(e.br);
    ofproto_format_fdb(e.br, &ds);
    CHECK_STREQ(ds_cstr(&ds), " port  VLAN  MAC                Age\n");
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    ofproto_revalidate(e.br);
    ds_clear(&ds);
    ofproto_format_fdb(e.br, &ds);
    CHECK_STREQ(ds_cstr(&ds), " port  VLAN  MAC                Age\n"
                "    1     0  50:54:00:00:00:0a    0\n");
    ds_destroy(&ds);
    env_destroy(&e);
}

TEST(fail_modes)
{
    struct env e;
    struct dpif_flow *flows;
    size_t n;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    ofproto_set_fail_mode(e.br, OFPROTO_FAIL_SECURE);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_quiet(&e);

    /* One drop megaflow, matching only what the datapath always
     * matches. */
    dpif_flow_dump(e.dpif, &flows, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(flows[0].actions_len, 0);
    {
        struct flow_wildcards wc;

        flow_wildcards_init_catchall(&wc);
        wc.masks.in_port = UINT32_MAX;
        wc.masks.recirc_id = UINT32_MAX;
        wc.masks.dl_type = UINT16_MAX;
        CHECK(flow_wildcards_equal(&wc, &flows[0].match.wc));
    }
    dpif_flow_dump_free(flows, n);

    /* Standalone takes effect for the very next frame. */
    ofproto_set_fail_mode(e.br, OFPROTO_FAIL_STANDALONE);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    expect_quiet(&e);
    ofproto_set_fail_mode(e.br, OFPROTO_FAIL_SECURE);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_quiet(&e);
    env_destroy(&e);
}

TEST(bundle_reconfiguration)
{
    struct env e;

    env_init(&e, "br0");
    for (int i = 1; i <= 3; i++) {
        env_port(&e, i, PORT_VLAN_ACCESS, 10);
    }
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    expect_frame(e.ports[3], 0xa, BCAST, -1);
    expect_quiet(&e);

    env_bundle(&e, 3, PORT_VLAN_ACCESS, 20, NULL);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    expect_quiet(&e);

    env_bundle(&e, 3, PORT_VLAN_TRUNK, -1, NULL);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    expect_frame(e.ports[3], 0xa, BCAST, 10);
    expect_quiet(&e);

    /* Without a bundle a port is out of NORMAL. */
    ofproto_bundle_unregister(e.br, &e.aux[2]);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[3], 0xa, BCAST, 10);
    expect_quiet(&e);
    send_frame(e.ports[2], 0xb, BCAST, -1);
    expect_quiet(&e);
    env_destroy(&e);
}

TEST(two_bridges_one_datapath)
{
    struct netdev *q1, *q2;
    struct ofproto *br1;
    ofp_port_t ofp;
    struct env e;
    size_t n;
    struct dpif_port *ports;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    CHECK_EQ(ofproto_create("br0", e.dpif, &br1), EEXIST);
    CHECK_EQ(ofproto_create("br1", e.dpif, &br1), 0);
    CHECK(ofproto_lookup("br1") == br1);
    CHECK_STREQ(ofproto_name(br1), "br1");
    CHECK_EQ(netdev_open("q1", "dummy", &q1), 0);
    CHECK_EQ(netdev_open("q2", "dummy", &q2), 0);
    ofp = MF_OFPP_ANY;
    CHECK_EQ(ofproto_port_add(br1, q1, &ofp), 0);
    CHECK_EQ(ofp, 1);
    ofp = MF_OFPP_ANY;
    CHECK_EQ(ofproto_port_add(br1, q2, &ofp), 0);
    for (ofp_port_t i = 1; i <= 2; i++) {
        struct ofproto_bundle_settings s = {
            .name = "q", .members = &i, .n_members = 1,
            .vlan_mode = PORT_VLAN_TRUNK, .vlan = -1,
        };
        CHECK_EQ(ofproto_bundle_register(br1, &e.aux[i], &s), 0);
    }

    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    send_frame(q1, 0xc, BCAST, -1);
    expect_frame(q2, 0xc, BCAST, -1);
    expect_quiet(&e);
    CHECK_EQ(netdev_dummy_n_sent(q1), 0);

    /* Destroying br1 takes its ports out of the datapath and leaves br0
     * working. */
    ofproto_destroy(br1);
    CHECK(ofproto_lookup("br1") == NULL);
    dpif_port_dump(e.dpif, &ports, &n);
    CHECK_EQ(n, 2);
    dpif_port_dump_free(ports, n);
    send_frame(e.ports[2], 0xb, BCAST, -1);
    expect_frame(e.ports[1], 0xb, BCAST, -1);
    netdev_close(q1);
    netdev_close(q2);
    env_destroy(&e);
}

/* ---- fdb unixctl commands, through a real control socket. ---- */

struct server {
    struct unixctl_server *server;
    pthread_t thread;
    atomic_bool exit;
};

static void *
server_main(void *s_)
{
    struct server *s = s_;

    while (!atomic_load(&s->exit)) {
        unixctl_server_run(s->server);
        unixctl_server_wait(s->server);
        poll_timer_wait(20);
        poll_block();
    }
    return NULL;
}

static void
transact(const char *path, const char *cmd, const char *arg,
         char **result, char **error)
{
    const char *argv[] = { arg };
    struct jsonrpc *client;

    CHECK_EQ(unixctl_client_create(path, 5000, &client), 0);
    CHECK_EQ(unixctl_client_transact(client, cmd, arg ? 1 : 0, argv,
                                     result, error), 0);
    jsonrpc_close(client);
}

TEST(fdb_unixctl)
{
    struct server s;
    char *path, *result, *error;
    struct env e;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_ACCESS, 7);
    env_port(&e, 2, PORT_VLAN_ACCESS, 7);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);

    ofproto_init();
    path = xasprintf("%s/test.ctl", test_tmpdir());
    CHECK_EQ(unixctl_server_create(path, &s.server), 0);
    atomic_init(&s.exit, false);
    pthread_create(&s.thread, NULL, server_main, &s);

    transact(path, "fdb/show", "br0", &result, &error);
    CHECK(!error);
    CHECK_STREQ(result, " port  VLAN  MAC                Age\n"
                "    1     7  50:54:00:00:00:0a    0\n");
    free(result);

    transact(path, "fdb/stats-show", "br0", &result, &error);
    CHECK(!error);
    CHECK_STREQ(result,
                "Statistics for bridge \"br0\":\n"
                "  Current/maximum MAC entries in the table: 1/2048\n"
                "  Total number of learned MAC entries     : 1\n"
                "  Total number of expired MAC entries     : 0\n"
                "  Total number of evicted MAC entries     : 0\n"
                "  Total number of port moved MAC entries  : 0\n");
    free(result);

    transact(path, "fdb/show", "nosuch", &result, &error);
    CHECK(!result);
    CHECK_STREQ(error, "no such bridge");
    free(error);
    transact(path, "fdb/flush", "nosuch", &result, &error);
    CHECK_STREQ(error, "no such bridge");
    free(error);

    transact(path, "fdb/flush", "br0", &result, &error);
    CHECK_STREQ(result, "table successfully flushed");
    free(result);
    transact(path, "fdb/show", "br0", &result, &error);
    CHECK_STREQ(result, " port  VLAN  MAC                Age\n");
    free(result);

    send_frame(e.ports[2], 0xb, BCAST, -1);
    expect_frame(e.ports[1], 0xb, BCAST, -1);
    transact(path, "fdb/flush", NULL, &result, &error);
    CHECK_STREQ(result, "table successfully flushed");
    free(result);
    transact(path, "fdb/show", "br0", &result, &error);
    CHECK_STREQ(result, " port  VLAN  MAC                Age\n");
    free(result);

    atomic_store(&s.exit, true);
    pthread_join(s.thread, NULL);
    unixctl_server_destroy(s.server);
    free(path);
    env_destroy(&e);
}

TEST(mac_table_config)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct env e;

    env_init(&e, "br0");
    env_port(&e, 1, PORT_VLAN_TRUNK, -1);
    env_port(&e, 2, PORT_VLAN_TRUNK, -1);
    ofproto_set_mac_table_config(e.br, 60, 1);
    send_frame(e.ports[1], 0xa, BCAST, -1);
    expect_frame(e.ports[2], 0xa, BCAST, -1);
    send_frame(e.ports[2], 0xb, BCAST, -1);
    expect_frame(e.ports[1], 0xb, BCAST, -1);
    /* A table of one entry: B evicted A. */
    ofproto_format_fdb_stats(e.br, &ds);
    CHECK(test_regex_match(ds_cstr(&ds), "table: 1/1$"));
    CHECK(test_regex_match(ds_cstr(&ds), "evicted MAC entries +: 1$"));
    ds_destroy(&ds);
    env_destroy(&e);
}

/* ------------------------------------------------------------------ */
/* OpenFlow tables: flow_mod semantics, statistics, timeouts, groups and
 * meters, checked with frames through the datapath. */

/* Applies FLOW (ovs-ofctl syntax) as COMMAND in OpenFlow 1.3 and returns
 * the OpenFlow error (0 for success). */
static enum ofperr
flow_mod(struct env *e, int command, const char *flow)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    enum ofperr error;

    CHECK_NO_ERROR(ofputil_parse_flow_mod_str(flow, command, &fm,
                                              &ofpacts));
    error = ofproto_flow_mod(e->br, &fm, OFP13_VERSION);
    ofpa_buf_uninit(&ofpacts);
    ofproto_run(e->br);
    return error;
}

struct dump {
    struct ds ds;
    size_t n;
};

static void
dump_cb(const struct rule *rule, void *aux)
{
    struct dump *d = aux;
    struct match match;

    minimatch_expand(&rule->cr.match, &match);
    ds_put_format(&d->ds, "table=%d,", rule->table_id);
    match_format(&match, rule->cr.priority, &d->ds);
    ds_put_format(&d->ds, " cookie=%#"PRIx64" n_packets=%"PRIu64" ",
                  be64toh(rule->cookie), rule->n_packets);
    ofpacts_text_format(rule->actions->ofpacts, rule->actions->ofpacts_len,
                        &d->ds);
    ds_put_char(&d->ds, '\n');
    d->n++;
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* S with its lines sorted (S is freed). */
static char *
sort_lines(char *s)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    char *lines[64], *save = NULL;
    size_t n = 0;

    for (char *l = strtok_r(s, "\n", &save); l && n < ARRAY_SIZE(lines);
         l = strtok_r(NULL, "\n", &save)) {
        lines[n++] = l;
    }
    qsort(lines, n, sizeof *lines, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&out, "%s\n", lines[i]);
    }
    free(s);
    return ds_steal_cstr(&out);
}

/* The OpenFlow rules (all tables), sorted text, caller frees. */
static char *
dump_flows(struct env *e, const char *filter)
{
    struct ofputil_flow_stats_request req;
    struct dump d = { DS_EMPTY_INITIALIZER, 0 };

    CHECK_NO_ERROR(ofputil_parse_flow_stats_request_str(filter ? filter : "",
                                                        false, &req));
    ofproto_collect_flows(e->br, &req, dump_cb, &d);
    return sort_lines(ds_steal_cstr(&d.ds));
}

static void
env_openflow(struct env *e, int n_ports)
{
    env_init(e, "br0");
    for (int i = 1; i <= n_ports; i++) {
        env_port(e, i, PORT_VLAN_TRUNK, -1);
    }
    CHECK_EQ(flow_mod(e, OFPUTIL_FC_DELETE, ""), 0);
}

TEST(flow_mod_add_replace_overlap)
{
    struct env e;
    char *s;

    env_openflow(&e, 3);
    s = dump_flows(&e, NULL);
    CHECK_STREQ(s, "");
    free(s);

    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD,
                      "priority=10,in_port=1,actions=output:2"), 0);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* Same match and priority: replaced, counters kept. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD,
                      "priority=10,in_port=1,cookie=0x5,actions=output:3"),
             0);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);
    s = dump_flows(&e, NULL);
    CHECK_STREQ(s, "table=0,priority=10,in_port=1 cookie=0x5 n_packets=2 "
                "output:3\n");
    free(s);
    /* reset_counts. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=10,in_port=1,"
                      "reset_counts,actions=output:3"), 0);
    s = dump_flows(&e, NULL);
    CHECK(strstr(s, "n_packets=0"));
    free(s);

    /* check_overlap: same priority, overlapping match. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=10,ip,check_overlap,"
                      "actions=drop"), OFPERR_OFPFMFC_OVERLAP);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=11,ip,check_overlap,"
                      "actions=drop"), 0);
    /* Tables beyond the last. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "table=254,actions=drop"),
             OFPERR_OFPBRC_BAD_TABLE_ID);
    /* An unknown group or meter. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "actions=group:7"),
             OFPERR_OFPBAC_BAD_OUT_GROUP);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "actions=meter:7"),
             OFPERR_OFPMMFC_INVALID_METER);
    env_destroy(&e);
}

TEST(flow_mod_modify_delete_cookies)
{
    struct env e;
    char *s;

    env_openflow(&e, 3);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=10,in_port=1,ip,"
                      "cookie=0x11,actions=output:2"), 0);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=20,in_port=1,udp,"
                      "cookie=0x21,actions=output:2"), 0);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "table=1,priority=10,in_port=2,"
                      "cookie=0x12,actions=output:3"), 0);

    /* Loose modify of "in_port=1" covers both table-0 rules; cookie
     * unchanged (1.3). */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_MODIFY, "in_port=1,actions=output:3"),
             0);
    s = dump_flows(&e, "table=0");
    CHECK_STREQ(s, "table=0,priority=10,ip,in_port=1 cookie=0x11 "
                "n_packets=0 output:3\n"
                "table=0,priority=20,udp,in_port=1 cookie=0x21 "
                "n_packets=0 output:3\n");
    free(s);
    /* The datapath follows. */
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* Strict modify needs the exact match and priority. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_MODIFY_STRICT,
                      "priority=10,in_port=1,ip,actions=output:2"), 0);
    s = dump_flows(&e, "table=0,cookie=0x11/-1");
    CHECK(strstr(s, "output:2"));
    free(s);
    s = dump_flows(&e, "table=0,cookie=0x21/-1");
    CHECK(strstr(s, "output:3"));
    free(s);

    /* Modify selecting by cookie: only matching cookies. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_MODIFY,
                      "cookie=0x20/0xf0,actions=drop"), 0);
    s = dump_flows(&e, "cookie=0x21/-1");
    CHECK(strstr(s, " drop"));
    free(s);
    /* A modify that selects nothing adds, unless it selected by cookie. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_MODIFY,
                      "cookie=0x99/-1,in_port=3,actions=drop"), 0);
    s = dump_flows(&e, "in_port=3");
    CHECK_STREQ(s, "");
    free(s);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_MODIFY,
                      "priority=5,in_port=3,actions=drop"), 0);
    s = dump_flows(&e, "in_port=3");
    CHECK(strstr(s, "priority=5,in_port=3"));
    free(s);

    /* Delete with out_port: only rules that output there. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_DELETE, "out_port=3"), 0);
    s = dump_flows(&e, "table=1");
    CHECK_STREQ(s, "");
    free(s);
    /* Strict delete leaves the other priority. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_DELETE_STRICT,
                      "priority=20,in_port=1,udp"), 0);
    s = dump_flows(&e, NULL);
    CHECK(!strstr(s, "priority=20"));
    CHECK(strstr(s, "priority=10,ip,in_port=1"));
    free(s);
    /* Delete by cookie mask. */
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_DELETE, "cookie=0x10/0xf0"), 0);
    s = dump_flows(&e, NULL);
    CHECK(!strstr(s, "in_port=1"));
    free(s);
    env_destroy(&e);
}

static int n_removed;
static uint8_t last_removed_reason;

static void
count_removed(struct ofproto *p PLX_UNUSED, const struct rule *rule PLX_UNUSED,
              uint8_t reason)
{
    n_removed++;
    last_removed_reason = reason;
}

TEST(flow_timeouts_and_counters)
{
    void (*saved)(struct ofproto *, const struct rule *, uint8_t);
    struct env e;
    char *s;

    env_openflow(&e, 2);
    saved = e.br->flow_removed;
    e.br->flow_removed = count_removed;
    n_removed = 0;

    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=10,in_port=1,"
                      "hard_timeout=1,send_flow_rem,actions=output:2"), 0);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "priority=10,in_port=2,"
                      "idle_timeout=1,send_flow_rem,actions=output:1"), 0);
    /* Traffic keeps the idle flow alive past its timeout; the hard one
     * goes at 1 s whatever. */
    for (int i = 0; i < 6; i++) {
        send_frame(e.ports[2], 0xb, 0xa, -1);
        expect_frame(e.ports[1], 0xb, 0xa, -1);
        run_for(&e, 300);
    }
    CHECK_EQ(n_removed, 1);
    CHECK_EQ(last_removed_reason, RULE_RR_HARD_TIMEOUT);
    s = dump_flows(&e, NULL);
    CHECK_STREQ(s, "table=0,priority=10,in_port=2 cookie=0 n_packets=6 "
                "output:1\n");
    free(s);
    /* Idle now: gone within about a second. */
    run_for(&e, 1600);
    CHECK_EQ(n_removed, 2);
    CHECK_EQ(last_removed_reason, RULE_RR_IDLE_TIMEOUT);
    s = dump_flows(&e, NULL);
    CHECK_STREQ(s, "");
    free(s);
    send_frame(e.ports[2], 0xb, 0xa, -1);
    expect_quiet(&e);
    e.br->flow_removed = saved;
    env_destroy(&e);
}

TEST(groups_and_meters_through_the_datapath)
{
    struct ofpa_buf b1 = OFPA_BUF_INITIALIZER, b2 = OFPA_BUF_INITIALIZER;
    struct ofproto_bucket buckets[2];
    struct env e;
    char *s;

    env_openflow(&e, 3);
    CHECK_NO_ERROR(ofpacts_text_parse("output:2", &b1));
    CHECK_NO_ERROR(ofpacts_text_parse("output:3", &b2));
    buckets[0] = (struct ofproto_bucket) {
        .watch_port = MF_OFPP_ANY, .watch_group = OFPROTO_GROUP_ANY,
        .ofpacts = b1.data, .ofpacts_len = b1.size,
    };
    buckets[1] = (struct ofproto_bucket) {
        .watch_port = MF_OFPP_ANY, .watch_group = OFPROTO_GROUP_ANY,
        .ofpacts = b2.data, .ofpacts_len = b2.size,
    };
    CHECK_EQ(ofproto_group_add(e.br, 1, OFPROTO_GT_ALL, buckets, 2), 0);
    CHECK_EQ(ofproto_group_add(e.br, 1, OFPROTO_GT_ALL, buckets, 2),
             OFPERR_OFPGMFC_GROUP_EXISTS);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD, "in_port=1,actions=group:1"), 0);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[2], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* Modify to one bucket: the datapath follows at once. */
    CHECK_EQ(ofproto_group_modify(e.br, 1, OFPROTO_GT_INDIRECT, buckets + 1,
                                  1), 0);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_frame(e.ports[3], 0xa, 0xb, -1);
    expect_quiet(&e);

    /* Deleting the group deletes its flows. */
    ofproto_group_delete(e.br, 1);
    ofproto_run(e.br);
    s = dump_flows(&e, NULL);
    CHECK_STREQ(s, "");
    free(s);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    expect_quiet(&e);
    ofpa_buf_uninit(&b1);
    ofpa_buf_uninit(&b2);
    env_destroy(&e);
}

TEST(packet_ins_are_queued_for_the_controller)
{
    struct env e;

    env_openflow(&e, 2);
    CHECK_EQ(flow_mod(&e, OFPUTIL_FC_ADD,
                      "in_port=1,cookie=0x77,actions=CONTROLLER:64"), 0);
    send_frame(e.ports[1], 0xa, 0xb, -1);
    {
        long long int deadline = time_msec() + WAIT_MS;
        size_t n;

        do {
            plx_msleep(1);
            pthread_mutex_lock(&e.br->pin_mutex);
            n = e.br->n_pins;
            if (n) {
                const struct ofproto_pin *pin;

                pin = CONTAINER_OF(plx_list_front(&e.br->pins),
                                   struct ofproto_pin, node);
                CHECK_EQ(pin->cookie.reason, XLATE_PIN_ACTION);
                CHECK_EQ(be64toh(pin->cookie.cookie), 0x77);
                CHECK_EQ(pin->cookie.max_len, 64);
                CHECK_EQ(pin->cookie.in_port, 1);
                CHECK(pin->len >= 42);
            }
            pthread_mutex_unlock(&e.br->pin_mutex);
        } while (!n && time_msec() < deadline);
        CHECK_EQ(n, 1);
    }
    /* Delivered (and freed) by the main loop. */
    ofproto_run(e.br);
    CHECK_EQ(e.br->n_pins, 0);
    expect_quiet(&e);
    env_destroy(&e);
}
