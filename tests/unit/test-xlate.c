/* Tests for ofproto/xlate (translation on configuration snapshots, no
 * datapath): VLAN admission per mode,
 * flooding vs unicast after learning, learning moves and the
 * gratuitous-ARP lock, the exact datapath actions (VLAN push/pop kept
 * minimal across outputs), the exact wildcards, reserved multicast,
 * secure mode, OpenFlow output actions, and a randomized check that the
 * wildcards are sufficient (every flow agreeing on them gets the same
 * actions). */
#include <config.h>
#include "ofproto/xlate.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "datapath/odp-actions.h"
#include "dynamic-string.h"
#include "match.h"
#include "meta-flow.h"
#include "ofproto/mac-learning.h"
#include "ofproto/recirc.h"
#include "ofp-actions.h"
#include "openflow.h"
#include "packets.h"
#include "test.h"

/* Datapath port numbers are OpenFlow port numbers plus this, so that the
 * actions show the mapping was used. */
#define ODP_OFS 10

struct fx {
    struct classifier tables[OFPROTO_N_TABLES];
    struct mac_learning *ml;
    struct xlate_bridge *xb;
    struct rule *rules[32];
    size_t n_rules;
};

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr a = { .ea = { 0x50, 0x54, 0x00, 0x00, 0x00, last } };
    return a;
}

/* Adds a rule to table TABLE_ID; ACTIONS in ovs-ofctl syntax
 * (instructions included). */
static struct rule *
fx_add_rule_in(struct fx *fx, uint8_t table_id, const char *match_s,
               int priority, const char *actions)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct match match;
    struct rule *rule;

    CHECK(fx->n_rules < ARRAY_SIZE(fx->rules));
    if (match_s) {
        CHECK_NO_ERROR(match_parse(match_s, &match, NULL));
    } else {
        match_init_catchall(&match);
    }
    CHECK_NO_ERROR(ofpacts_text_parse(actions, &ofpacts));
    CHECK_EQ(ofpacts_check(ofpacts.data, ofpacts.size, &match, MF_OFPP_MAX,
                           table_id, OFPROTO_N_TABLES, OFPA_OF13), 0);
    rule = rule_create(&match, priority, table_id, ofpacts.data,
                       ofpacts.size);
    fx->rules[fx->n_rules++] = rule;
    classifier_insert(&fx->tables[table_id], &rule->cr);
    ofpa_buf_uninit(&ofpacts);
    return rule;
}

static void
fx_add_rule(struct fx *fx, const char *match_s, int priority,
            const char *actions)
{
    fx_add_rule_in(fx, 0, match_s, priority, actions);
}

/* A bridge whose table holds "priority=0 actions=ACTIONS" (none if
 * ACTIONS is NULL) and ports 1..N_PORTS, in no bundle yet. */
static void
fx_init(struct fx *fx, const char *actions, int n_ports)
{
    memset(fx, 0, sizeof *fx);
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        classifier_init(&fx->tables[i], NULL, 0);
    }
    fx->ml = mac_learning_create(300);
    fx->xb = xlate_bridge_create("br0", fx->tables, fx->ml);
    if (actions) {
        fx_add_rule(fx, NULL, 0, actions);
    }
    for (int i = 1; i <= n_ports; i++) {
        char name[16];

        snprintf(name, sizeof name, "p%d", i);
        CHECK_EQ(xlate_bridge_add_port(fx->xb, i, i + ODP_OFS, name), 0);
    }
}

static void
fx_destroy(struct fx *fx)
{
    for (size_t i = 0; i < fx->n_rules; i++) {
        classifier_remove(&fx->tables[fx->rules[i]->table_id],
                          &fx->rules[i]->cr);
        rule_unref(fx->rules[i]);
    }
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        classifier_destroy(&fx->tables[i]);
    }
    xlate_bridge_destroy(fx->xb);
    mac_learning_destroy(fx->ml);
}

/* TRUNKS: NULL for all, else a list like "10,20". */
static void
fx_bundle(struct fx *fx, enum port_vlan_mode mode, int vlan,
          const char *trunks, ofp_port_t port)
{
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
    CHECK_EQ(xlate_bridge_add_bundle(fx->xb, "b", mode, vlan, map, &port, 1),
             0);
    bitmap_free(map);
}

/* An IPv4 frame on IN_PORT from SRC to DST, untagged if VID < 0. */
static struct flow
mkflow(ofp_port_t in_port, struct eth_addr src, struct eth_addr dst,
       int vid, int pcp)
{
    struct flow flow;

    memset(&flow, 0, sizeof flow);
    flow.in_port = in_port;
    flow.dl_src = src;
    flow.dl_dst = dst;
    flow.dl_type = htons(ETH_TYPE_IP);
    flow.nw_src = htonl(0x0a000001);
    flow.nw_dst = htonl(0x0a000002);
    flow.nw_proto = 17;
    flow.nw_ttl = 64;
    if (vid >= 0) {
        flow.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        flow.vlans[0].tci = htons(vid | (pcp << VLAN_PCP_SHIFT) | VLAN_CFI);
    }
    return flow;
}

struct result {
    char *actions;
    char *wc;                   /* The megaflow, as a match. */
    struct flow_wildcards mask;
    struct xlate_out xout;
};

static void
run(struct fx *fx, const struct flow *flow, bool may_learn,
    long long int now, struct result *r)
{
    struct odp_buf buf = ODP_BUF_INITIALIZER;
    struct xlate_in xin = {
        .bridge = fx->xb,
        .flow = flow,
        .may_learn = may_learn,
        .now = now,
    };
    struct match m;

    flow_wildcards_init_catchall(&r->mask);
    xlate_actions(&xin, &buf, &r->mask, &r->xout);
    CHECK(!odp_actions_check(buf.data, buf.size));
    r->actions = odp_actions_to_string(buf.data, buf.size);
    m.flow = *flow;
    m.wc = r->mask;
    match_normalize(&m);
    r->wc = match_to_string(&m, 32768);
    odp_buf_uninit(&buf);
}

static void
result_free(struct result *r)
{
    free(r->actions);
    free(r->wc);
}

/* Translates FLOW (learning at time NOW) and checks the actions and, if
 * WC is nonnull, the megaflow text. */
#define XLATE(FX, FLOW, NOW, ACTIONS, WC)                               \
    do {                                                                \
        struct result r__;                                              \
        struct flow f__ = (FLOW);                                       \
        run(FX, &f__, true, NOW, &r__);                                 \
        CHECK_STREQ(r__.actions, ACTIONS);                              \
        if ((WC) != NULL) {                                             \
            CHECK_STREQ(r__.wc, (const char *) (WC));                   \
        }                                                               \
        result_free(&r__);                                              \
    } while (0)

#define A "50:54:00:00:00:0a"
#define B "50:54:00:00:00:0b"

/* Ports 1, 2 access VLAN 10; 3 access VLAN 20; 4 trunk (all VLANs). */
static void
fx_access_trunk(struct fx *fx)
{
    fx_init(fx, "NORMAL", 4);
    fx_bundle(fx, PORT_VLAN_ACCESS, 10, NULL, 1);
    fx_bundle(fx, PORT_VLAN_ACCESS, 10, NULL, 2);
    fx_bundle(fx, PORT_VLAN_ACCESS, 20, NULL, 3);
    fx_bundle(fx, PORT_VLAN_TRUNK, -1, NULL, 4);
}

TEST(access_flood_then_unicast)
{
    struct fx fx;

    fx_access_trunk(&fx);

    /* Unknown destination: flood within VLAN 10 only, tagging for the
     * trunk. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0,
          "12,push_vlan(vid=10,pcp=0),14",
          "ip,in_port=1,vlan_tci=0x0000/0x1fff,dl_src="A",dl_dst="B);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xa), 10, 0), 1);

    /* The reply on the trunk goes straight to A, untagged. */
    XLATE(&fx, mkflow(4, mac(0xb), mac(0xa), 10, 0), 1, "pop_vlan,11",
          "ip,in_port=4,dl_vlan=10,dl_vlan_pcp=0,dl_src="B",dl_dst="A);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xb), 10, 1), 4);

    /* Now A to B is unicast too. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 2,
          "push_vlan(vid=10,pcp=0),14", NULL);

    /* B is not known on VLAN 20: a frame from port 3 floods to the trunk
     * only, tagged 20. */
    XLATE(&fx, mkflow(3, mac(0xc), mac(0xb), -1, 0), 3,
          "push_vlan(vid=20,pcp=0),14", NULL);
    fx_destroy(&fx);
}

TEST(broadcast_floods_within_vlan)
{
    struct fx fx;

    fx_access_trunk(&fx);
    XLATE(&fx, mkflow(4, mac(0xa), eth_addr_broadcast, 20, 5), 0,
          "pop_vlan,13", NULL);
    XLATE(&fx, mkflow(4, mac(0xa), eth_addr_broadcast, 10, 0), 0,
          "pop_vlan,11,12", NULL);
    /* VLAN 30 exists only on the trunk, the input: nothing to flood to. */
    XLATE(&fx, mkflow(4, mac(0xa), eth_addr_broadcast, 30, 0), 0,
          "drop", NULL);
    fx_destroy(&fx);
}

TEST(access_admission)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_access_trunk(&fx);

    /* A tagged frame on an access port is dropped, and not learned. */
    f = mkflow(1, mac(0xa), mac(0xb), 10, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "VLAN not admitted by the input bundle");
    /* (Dropped before the gratuitous-ARP check looked at dl_type.) */
    CHECK_STREQ(r.wc, "in_port=1,dl_vlan=10,dl_src="A",dl_dst="B);
    result_free(&r);
    CHECK_EQ(mac_learning_count(fx.ml), 0);

    /* Priority-tagged (VID 0) frames are admitted; their PCP travels with
     * the frame and so is matched. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 0, 3), 0,
          "pop_vlan,12,push_vlan(vid=10,pcp=3),14",
          "ip,in_port=1,dl_vlan=0,dl_vlan_pcp=3,dl_src="A",dl_dst="B);
    fx_destroy(&fx);
}

TEST(trunk_admission)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, "NORMAL", 4);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, "10,20", 1);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 0, NULL, 3);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, "20", 4);

    /* VIDs outside 'trunks' and untagged frames (VLAN 0) are dropped. */
    f = mkflow(1, mac(0xa), mac(0xb), 30, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "VLAN not admitted by the input bundle");
    result_free(&r);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK(r.xout.drop_reason != NULL);
    result_free(&r);
    CHECK_EQ(mac_learning_count(fx.ml), 0);

    /* A trunk of every VLAN admits untagged frames as VLAN 0, as Open
     * vSwitch does: they reach the VLAN 0 access port untagged. */
    XLATE(&fx, mkflow(2, mac(0xa), mac(0xb), -1, 0), 0, "13", NULL);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xa), 0, 0), 2);

    /* VLAN 10 goes to the trunks carrying it, unchanged. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 10, 2), 0, "12", NULL);
    XLATE(&fx, mkflow(2, mac(0xc), mac(0xb), 20, 0), 0, "11,14", NULL);
    fx_destroy(&fx);
}

TEST(native_untagged)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, "NORMAL", 3);
    fx_bundle(&fx, PORT_VLAN_NATIVE_UNTAGGED, 10, "20", 1);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_NATIVE_UNTAGGED, 10, NULL, 3);

    /* Untagged in: native VLAN 10; out of the other native port
     * untagged, out of the trunk tagged. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0,
          "push_vlan(vid=10,pcp=0),12,pop_vlan,13", NULL);
    /* Tagged with the native VLAN: admitted (always trunked). */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 10, 0), 0,
          "12,pop_vlan,13", NULL);
    /* A trunked VLAN stays tagged everywhere. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 20, 0), 0, "12,13", NULL);
    /* Not trunked: dropped. */
    f = mkflow(1, mac(0xa), mac(0xb), 30, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    result_free(&r);
    /* Port 3 trunks everything but VLAN 0. */
    XLATE(&fx, mkflow(2, mac(0xc), mac(0xb), 30, 0), 0, "13", NULL);
    f = mkflow(2, mac(0xc), mac(0xb), 0, 1);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    result_free(&r);
    fx_destroy(&fx);
}

TEST(native_tagged)
{
    struct fx fx;

    fx_init(&fx, "NORMAL", 3);
    fx_bundle(&fx, PORT_VLAN_NATIVE_TAGGED, 10, NULL, 1);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 10, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_NATIVE_TAGGED, 10, NULL, 3);

    /* Untagged in belongs to VLAN 10 and leaves native-tagged ports
     * tagged. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0,
          "12,push_vlan(vid=10,pcp=0),13", NULL);
    XLATE(&fx, mkflow(2, mac(0xb), mac(0xc), -1, 0), 0,
          "push_vlan(vid=10,pcp=0),11,13", NULL);
    fx_destroy(&fx);
}

TEST(minimal_vlan_edits)
{
    struct fx fx;

    fx_init(&fx, "NORMAL", 7);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 1);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 10, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 10, NULL, 3);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 4);
    fx_bundle(&fx, PORT_VLAN_NATIVE_TAGGED, 10, NULL, 5);
    fx_bundle(&fx, PORT_VLAN_NATIVE_UNTAGGED, 10, NULL, 6);
    fx_bundle(&fx, PORT_VLAN_NATIVE_UNTAGGED, 5, NULL, 7);

    /* Untag once for two access ports, tag once for a trunk and a
     * native-tagged port, untag for native VLAN 10, tag again for a port
     * whose native VLAN is 5. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 10, 4), 0,
          "pop_vlan,12,13,push_vlan(vid=10,pcp=4),14,15,pop_vlan,16,"
          "push_vlan(vid=10,pcp=4),17",
          "ip,in_port=1,dl_vlan=10,dl_vlan_pcp=4,dl_src="A",dl_dst="B);
    /* From an access port: the packet starts untagged. */
    XLATE(&fx, mkflow(2, mac(0xc), mac(0xb), -1, 0), 0,
          "push_vlan(vid=10,pcp=0),11,pop_vlan,13,"
          "push_vlan(vid=10,pcp=0),14,15,pop_vlan,16,"
          "push_vlan(vid=10,pcp=0),17",
          "ip,in_port=2,vlan_tci=0x0000/0x1fff,dl_src=50:54:00:00:00:0c,"
          "dl_dst="B);
    fx_destroy(&fx);
}

TEST(learning_moves)
{
    struct fx fx;
    uint64_t v;

    fx_access_trunk(&fx);
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0,
          "12,push_vlan(vid=10,pcp=0),14", NULL);
    XLATE(&fx, mkflow(4, mac(0xb), mac(0xa), 10, 0), 0, "pop_vlan,11", NULL);
    v = mac_learning_version(fx.ml);

    /* A moves to port 2: learning follows at once. */
    XLATE(&fx, mkflow(2, mac(0xa), mac(0xb), -1, 0), 1,
          "push_vlan(vid=10,pcp=0),14", NULL);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xa), 10, 1), 2);
    CHECK_GT(mac_learning_version(fx.ml), v);
    XLATE(&fx, mkflow(4, mac(0xb), mac(0xa), 10, 0), 1, "pop_vlan,12", NULL);

    /* A destination learned on the input bundle: dropped. */
    {
        struct flow f = mkflow(2, mac(0xc), mac(0xa), -1, 0);
        struct result r;

        run(&fx, &f, true, 2, &r);
        CHECK_STREQ(r.actions, "drop");
        CHECK_STREQ(r.xout.drop_reason, "learned port is the input bundle");
        CHECK(r.xout.used_mac_table);
        CHECK_EQ(r.xout.ml_version, mac_learning_version(fx.ml));
        result_free(&r);
    }
    fx_destroy(&fx);
}

TEST(no_side_effects_without_may_learn)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_access_trunk(&fx);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    run(&fx, &f, false, 0, &r);
    CHECK_STREQ(r.actions, "12,push_vlan(vid=10,pcp=0),14");
    CHECK_EQ(mac_learning_count(fx.ml), 0);
    CHECK(r.xout.learn);
    CHECK_EQ(r.xout.learn_port, 1);
    CHECK_EQ(r.xout.learn_vlan, 10);
    CHECK(eth_addr_equals(r.xout.learn_mac, mac(0xa)));
    CHECK(!r.xout.learn_grat_arp);
    result_free(&r);

    /* A multicast source is never learned. */
    f = mkflow(1, eth_addr_broadcast, mac(0xb), -1, 0);
    run(&fx, &f, true, 0, &r);
    CHECK(!r.xout.learn);
    CHECK_EQ(mac_learning_count(fx.ml), 0);
    result_free(&r);
    fx_destroy(&fx);
}

TEST(reserved_multicast_dropped)
{
    static const struct eth_addr stp = {
        .ea = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 } };
    static const struct eth_addr lldp = {
        .ea = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e } };
    static const struct eth_addr not_reserved = {
        .ea = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x10 } };
    struct fx fx;
    struct result r;
    struct flow f;

    fx_access_trunk(&fx);
    f = mkflow(1, mac(0xa), stp, -1, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "reserved multicast destination");
    result_free(&r);
    f = mkflow(4, mac(0xa), lldp, 10, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    result_free(&r);
    CHECK_EQ(mac_learning_count(fx.ml), 0);

    XLATE(&fx, mkflow(1, mac(0xa), not_reserved, -1, 0), 0,
          "12,push_vlan(vid=10,pcp=0),14", NULL);
    fx_destroy(&fx);
}

TEST(secure_mode_drops)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 1);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 2);
    f = mkflow(1, mac(0xa), eth_addr_broadcast, 7, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.wc, "in_port=1");
    CHECK_STREQ(r.xout.drop_reason, "no matching flow-table rule");
    CHECK(!r.xout.used_mac_table);
    result_free(&r);
    CHECK_EQ(mac_learning_count(fx.ml), 0);
    fx_destroy(&fx);
}

static struct flow
mkarp(ofp_port_t in_port, struct eth_addr src, struct eth_addr dst,
      int op, uint32_t spa, uint32_t tpa)
{
    struct flow flow = mkflow(in_port, src, dst, -1, 0);

    flow.dl_type = htons(ETH_TYPE_ARP);
    flow.nw_proto = op;
    flow.nw_src = htonl(spa);
    flow.nw_dst = htonl(tpa);
    flow.nw_ttl = 0;
    flow.arp_sha = src;
    return flow;
}

TEST(gratuitous_arp_wildcards_and_lock)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, "NORMAL", 3);
    for (int i = 1; i <= 3; i++) {
        fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, i);
    }

    /* Unicast IP: the gratuitous-ARP check only looked at dl_type. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0, "12,13",
          "ip,in_port=1,vlan_tci=0x0000/0x1fff,dl_src="A",dl_dst="B);
    /* Unicast ARP: also not broadcast, so no ARP fields. */
    XLATE(&fx, mkarp(1, mac(0xa), mac(0xb), 1, 0x0a000001, 0x0a000002), 0,
          "12,13", "arp,in_port=1,vlan_tci=0x0000/0x1fff,dl_src="A
          ",dl_dst="B);
    /* Broadcast ARP request: opcode and both IPs examined. */
    XLATE(&fx, mkarp(1, mac(0xa), eth_addr_broadcast, 1, 0x0a000001,
                     0x0a000002), 0, "12,13",
          "arp,in_port=1,vlan_tci=0x0000/0x1fff,dl_src="A
          ",dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,"
          "arp_op=1");
    /* Broadcast ARP reply: gratuitous, opcode only. */
    f = mkarp(1, mac(0xa), eth_addr_broadcast, 2, 0x0a000001, 0x0a000002);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.wc, "arp,in_port=1,vlan_tci=0x0000/0x1fff,dl_src="A
                ",dl_dst=ff:ff:ff:ff:ff:ff,arp_op=2");
    CHECK(r.xout.learn_grat_arp);
    result_free(&r);

    /* Learned from a gratuitous ARP on port 1 (time 1000): another
     * gratuitous ARP from port 2 within the lock does not move it... */
    f = mkarp(1, mac(0xc), eth_addr_broadcast, 1, 0x0a000003, 0x0a000003);
    run(&fx, &f, true, 1000, &r);
    CHECK(r.xout.learn_grat_arp);
    result_free(&r);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xc), 0, 1000), 1);
    f.in_port = 2;
    run(&fx, &f, true, 2000, &r);
    result_free(&r);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xc), 0, 2000), 1);
    /* ...but an ordinary frame does. */
    XLATE(&fx, mkflow(2, mac(0xc), mac(0xa), -1, 0), 2500, "11", NULL);
    CHECK_EQ(mac_learning_lookup(fx.ml, mac(0xc), 0, 2500), 2);
    fx_destroy(&fx);
}

TEST(partial_vlan_and_unknown_input)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_access_trunk(&fx);
    CHECK_EQ(xlate_bridge_add_port(fx.xb, 5, 15, "p5"), 0);

    f = mkflow(4, mac(0xa), mac(0xb), -1, 0);
    f.dl_type = htons(ETH_TYPE_VLAN_8021Q);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "partial VLAN tag");
    result_free(&r);

    /* Port 5 is in no bundle; port 9 does not exist. */
    f = mkflow(5, mac(0xa), mac(0xb), -1, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "no input bundle");
    result_free(&r);
    f.in_port = 9;
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    result_free(&r);
    CHECK_EQ(mac_learning_count(fx.ml), 0);

    /* A MAC learned on a port the snapshot does not have. */
    mac_learning_learn(fx.ml, mac(0xb), 10, 9, false, 0);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    run(&fx, &f, true, 0, &r);
    CHECK_STREQ(r.actions, "drop");
    CHECK_STREQ(r.xout.drop_reason, "learned port is unknown");
    result_free(&r);
    fx_destroy(&fx);
}

TEST(multi_member_bundle)
{
    static const ofp_port_t members[] = { 2, 3 };
    struct fx fx;

    fx_init(&fx, "NORMAL", 4);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 1);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "bond", PORT_VLAN_TRUNK, -1,
                                     NULL, members, 2), 0);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 4);

    /* Output to the bundle uses its first member. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0, "12,14", NULL);
    /* Input on its second member floods to neither member. */
    XLATE(&fx, mkflow(3, mac(0xb), eth_addr_broadcast, -1, 0), 0, "11,14",
          NULL);
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0, "12", NULL);
    fx_destroy(&fx);
}

TEST(snapshot_errors)
{
    static const ofp_port_t dup[] = { 1, 1 };
    static const ofp_port_t missing[] = { 7 };
    static const ofp_port_t one[] = { 1 };
    struct fx fx;

    fx_init(&fx, "NORMAL", 2);
    CHECK_EQ(xlate_bridge_add_port(fx.xb, 1, 99, "again"), EEXIST);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", PORT_VLAN_ACCESS, 10,
                                     NULL, dup, 2), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", PORT_VLAN_ACCESS, 10,
                                     NULL, missing, 1), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", PORT_VLAN_ACCESS, 4096,
                                     NULL, one, 1), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", PORT_VLAN_ACCESS, -2,
                                     NULL, one, 1), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", (enum port_vlan_mode) 9,
                                     10, NULL, one, 1), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "x", PORT_VLAN_ACCESS, 10,
                                     NULL, one, 1), 0);
    /* A port is in one bundle at most. */
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "y", PORT_VLAN_ACCESS, 10,
                                     NULL, one, 1), EINVAL);
    CHECK_EQ(xlate_bridge_add_bundle(fx.xb, "empty", PORT_VLAN_TRUNK, -1,
                                     NULL, NULL, 0), 0);
    CHECK(xlate_bridge_find_port(fx.xb, 1)->bundle != NULL);
    CHECK(xlate_bridge_find_port(fx.xb, 2)->bundle == NULL);
    CHECK(!xlate_bridge_find_port(fx.xb, 3));
    fx_destroy(&fx);
}

TEST(openflow_outputs)
{
    struct fx fx;

    fx_init(&fx, NULL, 3);
    CHECK_EQ(xlate_bridge_add_port(fx.xb, MF_OFPP_LOCAL, 1, "br0"), 0);
    fx_add_rule(&fx, "in_port=1", 10, "FLOOD");
    fx_add_rule(&fx, "in_port=2", 10, "IN_PORT,output:2,output:3,LOCAL");
    fx_add_rule(&fx, "in_port=3", 10, "ALL");
    fx_add_rule(&fx, "in_port=LOCAL", 10, "output:9,LOCAL,output:1");
    fx_add_rule(&fx, "in_port=3,ip,nw_src=10.0.0.9", 20, "drop");

    /* FLOOD and ALL: every other port, ascending, frame as received. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), 10, 0), 0, "12,13,1",
          "in_port=1");
    /* Output to the input port is ignored, IN_PORT is the way back. */
    XLATE(&fx, mkflow(2, mac(0xa), mac(0xb), -1, 0), 0, "12,13,1",
          "in_port=2");
    XLATE(&fx, mkflow(3, mac(0xa), mac(0xb), -1, 0), 0, "11,12,1", NULL);
    /* Unknown ports and LOCAL as the input are skipped. */
    XLATE(&fx, mkflow(MF_OFPP_LOCAL, mac(0xa), mac(0xb), -1, 0), 0, "11",
          NULL);
    {
        struct flow f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
        struct result r;

        f.nw_src = htonl(0x0a000009);
        run(&fx, &f, true, 0, &r);
        CHECK_STREQ(r.actions, "drop");
        CHECK_STREQ(r.xout.drop_reason, "rule drops");
        CHECK(test_regex_match(r.wc, "nw_src=10.0.0.9"));
        result_free(&r);
    }
    fx_destroy(&fx);
}

TEST(normal_then_output_restores_vlan)
{
    struct fx fx;

    fx_init(&fx, "NORMAL,output:3", 3);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 10, NULL, 1);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 2);

    /* NORMAL tags for the trunk; the plain output that follows gets the
     * frame as it arrived. */
    XLATE(&fx, mkflow(1, mac(0xa), mac(0xb), -1, 0), 0,
          "push_vlan(vid=10,pcp=0),12,pop_vlan,13", NULL);
    XLATE(&fx, mkflow(2, mac(0xb), mac(0xa), 10, 6), 0,
          "pop_vlan,11,push_vlan(vid=10,pcp=6),13", NULL);
    fx_destroy(&fx);
}

/* Randomized: a flow that agrees with a translated flow on every bit of
 * the wildcards gets the same actions (what a megaflow promises). */
static struct flow
random_flow(void)
{
    static const int vids[] = { -1, 0, 10, 20, 30 };
    int vid = vids[test_random() % ARRAY_SIZE(vids)];
    struct eth_addr src = mac(test_random() % 4);
    struct eth_addr dst;
    struct flow f;

    switch (test_random() % 4) {
    case 0:
        dst = eth_addr_broadcast;
        break;
    case 1:
        dst = eth_addr_stp;
        break;
    default:
        dst = mac(test_random() % 4);
        break;
    }
    if (test_random() % 2) {
        f = mkflow(1 + test_random() % 6, src, dst, vid,
                   test_random() % 8);
    } else {
        uint32_t spa = 0x0a000000 + test_random() % 2;
        uint32_t tpa = 0x0a000000 + test_random() % 2;
        f = mkarp(1 + test_random() % 6, src, dst, 1 + test_random() % 3,
                  spa, tpa);
        if (vid >= 0) {
            f.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
            f.vlans[0].tci = htons(vid | VLAN_CFI
                                   | ((test_random() % 8)
                                      << VLAN_PCP_SHIFT));
        }
    }
    if (test_random() % 8 == 0 && vid >= 0) {
        f.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021AD);
    }
    return f;
}

TEST(wildcards_are_sufficient)
{
    struct fx fx;

    fx_init(&fx, "NORMAL", 6);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 10, NULL, 1);
    fx_bundle(&fx, PORT_VLAN_ACCESS, 20, NULL, 2);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, NULL, 3);
    fx_bundle(&fx, PORT_VLAN_TRUNK, -1, "10,30", 4);
    fx_bundle(&fx, PORT_VLAN_NATIVE_UNTAGGED, 10, "20", 5);
    fx_bundle(&fx, PORT_VLAN_NATIVE_TAGGED, 20, NULL, 6);
    for (int i = 0; i < 12; i++) {
        mac_learning_learn(fx.ml, mac(test_random() % 4),
                           (uint16_t[]) { 0, 10, 20, 30 }[test_random() % 4],
                           1 + test_random() % 6, false, 0);
    }

    for (int i = 0; i < 3000; i++) {
        struct flow f1 = random_flow(), f2 = random_flow();
        uint64_t *w2 = flow_u64(&f2);
        const uint64_t *w1 = flow_u64_const(&f1);
        struct result r1, r2;
        const uint64_t *m;

        run(&fx, &f1, false, 0, &r1);
        m = flow_u64_const(&r1.mask.masks);
        /* The datapath always matches in_port and dl_type. */
        r1.mask.masks.dl_type = UINT16_MAX;
        for (size_t j = 0; j < FLOW_U64S; j++) {
            w2[j] = (w1[j] & m[j]) | (w2[j] & ~m[j]);
        }
        /* Keep F2 a frame flow_extract() could produce. */
        if (!(f2.vlans[0].tci & htons(VLAN_CFI))) {
            f2.vlans[0].qtag = 0;
        } else if (!eth_type_vlan(f2.vlans[0].tpid)) {
            f2.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        }
        run(&fx, &f2, false, 0, &r2);
        CHECK_MSG(!strcmp(r1.actions, r2.actions),
                  "megaflow %s: %s vs %s", r1.wc, r1.actions, r2.actions);
        result_free(&r1);
        result_free(&r2);
    }
    fx_destroy(&fx);
}


/* ------------------------------------------------------------------ */
/* The OpenFlow pipeline: several tables, instructions, the action set,
 * field edits committed as datapath set actions, groups, the controller. */

/* Runs FLOW and returns its datapath actions (caller frees). */
static char *
actions_of(struct fx *fx, const struct flow *flow, struct result *r)
{
    run(fx, flow, false, 0, r);
    return r->actions;
}

TEST(goto_table_and_metadata)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_init(&fx, NULL, 3);
    fx_add_rule_in(&fx, 0, NULL, 0,
                   "write_metadata:0x5/0xff,goto_table:3");
    fx_add_rule_in(&fx, 3, "metadata=0x5", 10, "output:2");
    fx_add_rule_in(&fx, 3, "metadata=0x6", 10, "output:3");
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "12");
    CHECK_EQ(r.xout.n_rules, 2);
    CHECK_EQ(r.xout.rules[0]->table_id, 0);
    CHECK_EQ(r.xout.rules[1]->table_id, 3);
    CHECK_EQ(r.xout.miss_table, OFPTT_ALL);
    result_free(&r);
    fx_destroy(&fx);
}

TEST(action_set_order_and_clear)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_init(&fx, NULL, 3);
    /* Written in the wrong order on purpose: the set runs set_field
     * before output whatever the write order. */
    fx_add_rule_in(&fx, 0, "in_port=1", 10,
                   "write_actions(output:3),goto_table:1");
    fx_add_rule_in(&fx, 1, "ip", 0,
                   "output:2,write_actions(set_field:10.0.0.9->ip_dst)");
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r),
                "12,set(ipv4(dst=10.0.0.9)),13");
    result_free(&r);

    /* clear_actions empties the set. */
    fx_add_rule_in(&fx, 0, "in_port=2", 10,
                   "write_actions(output:3),goto_table:2");
    fx_add_rule_in(&fx, 2, NULL, 0, "clear_actions");
    f = mkflow(2, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "drop");
    result_free(&r);

    /* A miss in a later table drops: what was applied stays, the action
     * set is discarded. */
    fx_add_rule_in(&fx, 0, "in_port=3", 10,
                   "output:1,write_actions(output:2),goto_table:9");
    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "11");
    CHECK_EQ(r.xout.miss_table, 9);
    result_free(&r);
    fx_destroy(&fx);
}

TEST(table_miss_to_controller)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_init(&fx, NULL, 2);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "drop");
    result_free(&r);

    fx.xb->miss_to_controller = true;
    CHECK(test_regex_match(actions_of(&fx, &f, &r), "^userspace\\(pid=0,"));
    result_free(&r);

    /* An explicit table-miss rule that sends to the controller. */
    fx.xb->miss_to_controller = false;
    fx_add_rule_in(&fx, 0, NULL, 0, "CONTROLLER:128");
    CHECK(test_regex_match(actions_of(&fx, &f, &r), "^userspace\\(pid=0,"));
    result_free(&r);
    fx_destroy(&fx);
}

TEST(field_edits_are_committed_per_output)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_init(&fx, NULL, 3);
    fx_add_rule(&fx, "in_port=1,udp", 10,
                "output:2,set_field:50:54:00:00:00:0c->eth_dst,"
                "mod_tp_dst:99,output:3");
    fx_add_rule(&fx, "in_port=2", 10,
                "push_vlan:0x8100,set_field:4196->vlan_vid,output:3,"
                "pop_vlan,output:1");
    fx_add_rule(&fx, "in_port=3,ip", 10, "dec_ttl,output:1");
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    f.tp_dst = htons(53);
    CHECK_STREQ(actions_of(&fx, &f, &r),
                "12,set(eth(dst=50:54:00:00:00:0c)),set(udp(dst=99)),13");
    CHECK(test_regex_match(r.wc, "udp"));
    result_free(&r);

    f = mkflow(2, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r),
                "push_vlan(vid=100,pcp=0),13,pop_vlan,11");
    result_free(&r);

    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    f.nw_ttl = 64;
    CHECK_STREQ(actions_of(&fx, &f, &r), "set(ipv4(ttl=63)),11");
    CHECK(test_regex_match(r.wc, "nw_ttl=64"));
    result_free(&r);
    /* TTL 1 cannot be decremented: to the controller, and stop. */
    f.nw_ttl = 1;
    CHECK(test_regex_match(actions_of(&fx, &f, &r), "^userspace\\("));
    CHECK(!strstr(r.actions, ",11"));
    result_free(&r);
    fx_destroy(&fx);
}

static void
add_group(struct fx *fx, uint32_t id, enum ofproto_group_type type,
          const char *const *buckets, const uint16_t *weights,
          const uint32_t *watch, size_t n)
{
    struct xlate_bucket xb[8] = { { 0 } };
    struct ofpa_buf acts[8];

    CHECK(n <= ARRAY_SIZE(xb));
    for (size_t i = 0; i < n; i++) {
        ofpa_buf_init(&acts[i]);
        CHECK_NO_ERROR(ofpacts_text_parse(buckets[i], &acts[i]));
        xb[i].weight = weights ? weights[i] : 0;
        xb[i].watch_port = watch ? watch[i] : MF_OFPP_ANY;
        xb[i].watch_group = 0xffffffffu;
        xb[i].actions = rule_actions_create(acts[i].data, acts[i].size);
    }
    CHECK_EQ(xlate_bridge_add_group(fx->xb, id, type, xb, n), 0);
    for (size_t i = 0; i < n; i++) {
        rule_actions_destroy(xb[i].actions);
        ofpa_buf_uninit(&acts[i]);
    }
}

TEST(groups)
{
    static const char *const all[] = {
        "set_field:50:54:00:00:00:0c->eth_dst,output:1", "output:2",
    };
    static const char *const sel[] = { "output:1", "output:2" };
    static const uint16_t weights[] = { 50, 50 };
    static const uint32_t watch[] = { 1, 2 };
    struct fx fx;
    struct flow f;
    struct result r;
    bool seen[2] = { false, false };

    fx_init(&fx, NULL, 3);
    add_group(&fx, 1, OFPROTO_GT_ALL, all, NULL, NULL, 2);
    add_group(&fx, 2, OFPROTO_GT_SELECT, sel, weights, NULL, 2);
    add_group(&fx, 3, OFPROTO_GT_FF, sel, NULL, watch, 2);
    add_group(&fx, 4, OFPROTO_GT_INDIRECT, sel + 1, NULL, NULL, 1);
    CHECK_EQ(xlate_bridge_add_group(fx.xb, 4, OFPROTO_GT_ALL, NULL, 0),
             EEXIST);
    fx_add_rule(&fx, "in_port=3,udp", 10, "group:1");
    fx_add_rule(&fx, "in_port=3,tcp", 10, "group:2");
    fx_add_rule(&fx, "in_port=3,icmp", 10, "group:3");
    fx_add_rule(&fx, "in_port=3,arp", 10, "group:4");

    /* ALL: each bucket sees the packet the group got. */
    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r),
                "set(eth(dst=50:54:00:00:00:0c)),11,"
                "set(eth(dst=50:54:00:00:00:0b)),12");
    result_free(&r);

    /* SELECT: a flow always picks the same bucket, flows spread over
     * both, and the choice depends on the addresses and ports. */
    for (int i = 0; i < 64; i++) {
        f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
        f.nw_proto = IPPROTO_TCP;
        f.tp_src = htons(1000 + i);
        actions_of(&fx, &f, &r);
        CHECK(!strcmp(r.actions, "11") || !strcmp(r.actions, "12"));
        seen[r.actions[1] - '1'] = true;
        CHECK(test_regex_match(r.wc, "tp_src="));
        {
            struct result r2;
            CHECK_STREQ(actions_of(&fx, &f, &r2), r.actions);
            result_free(&r2);
        }
        result_free(&r);
    }
    CHECK(seen[0] && seen[1]);

    /* FAST FAILOVER: the first live bucket. */
    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    f.nw_proto = IPPROTO_ICMP;
    CHECK_STREQ(actions_of(&fx, &f, &r), "11");
    result_free(&r);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 1, 0, false), 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "12");
    result_free(&r);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 2, OFPPC_PORT_DOWN, true),
             0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "drop");
    result_free(&r);

    /* INDIRECT. */
    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    f.dl_type = htons(ETH_TYPE_ARP);
    f.nw_proto = 1;
    CHECK_STREQ(actions_of(&fx, &f, &r), "drop");  /* Port 2 is down. */
    result_free(&r);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 2, 0, true), 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "12");
    result_free(&r);
    fx_destroy(&fx);
}

TEST(port_config)
{
    struct fx fx;
    struct flow f;
    struct result r;

    fx_init(&fx, "ALL", 3);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 2, OFPPC_NO_FWD, true), 0);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "13");
    result_free(&r);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 1, OFPPC_NO_RECV, true), 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "drop");
    result_free(&r);
    CHECK_EQ(xlate_bridge_set_port_state(fx.xb, 9, 0, true), EINVAL);
    fx_destroy(&fx);
}

TEST(packet_out_actions)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct odp_buf odp = ODP_BUF_INITIALIZER;
    struct flow_wildcards wc;
    struct xlate_out xout;
    struct fx fx;
    struct flow f;
    char *s;

    fx_init(&fx, NULL, 3);
    fx_add_rule(&fx, "in_port=1", 10, "output:3");
    CHECK_NO_ERROR(ofpacts_text_parse("output:2,TABLE", &acts));
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    flow_wildcards_init_catchall(&wc);
    xlate_actions(&(struct xlate_in) {
                      .bridge = fx.xb, .flow = &f,
                      .ofpacts = acts.data, .ofpacts_len = acts.size,
                  }, &odp, &wc, &xout);
    s = odp_actions_to_string(odp.data, odp.size);
    CHECK_STREQ(s, "12,13");
    free(s);
    odp_buf_uninit(&odp);
    ofpa_buf_uninit(&acts);
    fx_destroy(&fx);
}

/* The datapath action that samples 1 in RATE packets into userspace
 * with cookie C, as odp_actions_to_string() prints it. */
static char *
sample_text(const char *pct, const struct xlate_sample_cookie *c)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "sample(sample=%s%%,actions(userspace(pid=0,"
                  "userdata(", pct);
    ds_put_hex(&s, c, sizeof *c);
    ds_put_cstr(&s, "))))");
    return ds_steal_cstr(&s);
}

TEST(export_samples_and_netflow_output)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, NULL, 3);
    fx_add_rule(&fx, "in_port=1", 10, "output:2");
    fx_add_rule(&fx, "in_port=2", 10, "FLOOD");
    fx_add_rule(&fx, "in_port=3", 10, "drop");
    fx.xb->sflow_rate = 4;
    fx.xb->ipfix_rate = 1;

    /* Both bridge samples come first, the packet as received, and name
     * where the packet went. */
    struct xlate_sample_cookie sf = {
        .magic = XLATE_SFLOW_MAGIC, .in_port = 1, .n_outputs = 1,
        .output = 2, .rate = 4,
    };
    struct xlate_sample_cookie ipfix = {
        .magic = XLATE_IPFIX_MAGIC, .in_port = 1, .n_outputs = 1,
        .output = 2, .rate = 1,
    };
    char *a = sample_text("24.9999999825", &sf);
    char *b = sample_text("100.0", &ipfix);
    char *want = xasprintf("%s,%s,12", a, b);
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), want);
    CHECK_EQ(r.xout.n_outputs, 1);
    CHECK_EQ(r.xout.last_output, 2);
    result_free(&r);
    free(a);
    free(b);
    free(want);

    /* Several outputs: "multiple", with their number. */
    fx.xb->ipfix_rate = 0;
    sf.in_port = 2;
    sf.n_outputs = 2;
    sf.output = 3;
    a = sample_text("24.9999999825", &sf);
    want = xasprintf("%s,11,13", a);
    f = mkflow(2, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), want);
    CHECK_EQ(r.xout.n_outputs, 2);
    CHECK_EQ(r.xout.last_output, 3);
    result_free(&r);
    free(a);
    free(want);

    /* Dropped: no output; sFlow still sees the packet. */
    f = mkflow(3, mac(0xa), mac(0xb), -1, 0);
    CHECK(test_regex_match(actions_of(&fx, &f, &r), "^sample\\(.*\\)$"));
    CHECK_EQ(r.xout.n_outputs, 0);
    CHECK_EQ(r.xout.last_output, 0);
    result_free(&r);

    /* Sampling off: no sample action at all. */
    fx.xb->sflow_rate = 0;
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "12");
    CHECK_STREQ(r.wc, "in_port=1");
    result_free(&r);

    /* NetFlow: the megaflow is one NetFlow flow (addresses, protocol,
     * DSCP, ports), though the rule looked at none of them. */
    fx.xb->netflow = true;
    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    f.tp_src = htons(5000);
    f.tp_dst = htons(53);
    CHECK_STREQ(actions_of(&fx, &f, &r), "12");
    CHECK(test_regex_match(r.wc, "nw_src=10\\.0\\.0\\.1"));
    CHECK(test_regex_match(r.wc, "nw_dst=10\\.0\\.0\\.2"));
    CHECK(test_regex_match(r.wc, "tp_src=5000"));
    CHECK(test_regex_match(r.wc, "tp_dst=53"));
    result_free(&r);
    fx_destroy(&fx);
}

TEST(openflow_sample_action)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, NULL, 3);
    fx_add_rule(&fx, "in_port=1", 10,
                "mod_vlan_vid:7,sample(probability=32768,collector_set_id=5,"
                "obs_domain_id=6,obs_point_id=7),output:2");

    /* The sample sees the packet as the actions before it made it: the
     * VLAN push is committed first.  No output port is known.  The rate
     * is rounded: 1 in 2 for 32768 of 65535 (not 1 in 1). */
    struct xlate_sample_cookie c = {
        .magic = XLATE_FSAMPLE_MAGIC, .in_port = 1, .rate = 2,
        .collector_set_id = 5, .obs_domain_id = 6, .obs_point_id = 7,
    };
    struct odp_buf buf = ODP_BUF_INITIALIZER;
    odp_put_userspace(&buf, 0, &c, sizeof c);
    char *user = odp_actions_to_string(buf.data, buf.size);
    odp_buf_uninit(&buf);

    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    actions_of(&fx, &f, &r);
    CHECK(test_regex_match(r.actions, "^push_vlan\\(.*\\),sample\\("));
    CHECK(strstr(r.actions, user));
    CHECK(test_regex_match(r.actions, "\\)\\)\\)?,12$"));
    /* 32768 of 65535: just over half. */
    CHECK(test_regex_match(r.actions, "sample=50\\.0"));
    result_free(&r);

    /* With a sampling port, that is the output. */
    fx_add_rule(&fx, "in_port=2", 10,
                "sample(probability=32768,collector_set_id=5,"
                "sampling_port=3),output:1");
    c.in_port = 2;
    c.n_outputs = 1;
    c.output = 3;
    c.obs_domain_id = c.obs_point_id = 0;
    free(user);
    buf = (struct odp_buf) ODP_BUF_INITIALIZER;
    odp_put_userspace(&buf, 0, &c, sizeof c);
    user = odp_actions_to_string(buf.data, buf.size);
    odp_buf_uninit(&buf);
    f = mkflow(2, mac(0xa), mac(0xb), -1, 0);
    actions_of(&fx, &f, &r);
    CHECK(strstr(r.actions, user));
    result_free(&r);
    free(user);
    fx_destroy(&fx);
}

/* ct(): the datapath action carries the zone (immediate or from a
 * register), commit, the exec() list's mark and label and nat(); the
 * actions after it follow; ct_clear is passed on. */
TEST(conntrack_actions)
{
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, NULL, 3);
    fx_add_rule(&fx, "in_port=1,ip", 10,
                "ct(commit,zone=5,exec(set_field:0x2a->ct_mark,"
                "set_field:0x1/0x1->ct_label),nat(src=10.0.0.9)),"
                "output:2");
    fx_add_rule(&fx, "in_port=2,ip", 10,
                "set_field:0x10007->reg0,ct(zone=NXM_NX_REG0[0..15],nat),"
                "ct_clear,output:1");

    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r),
                "ct(commit,zone=5,mark=0x2a/0xffffffff,label=0x1/0x1,"
                "nat(src=10.0.0.9)),12");
    CHECK_EQ(r.xout.n_recirc_ids, 0);
    result_free(&r);

    f = mkflow(2, mac(0xa), mac(0xb), -1, 0);
    CHECK_STREQ(actions_of(&fx, &f, &r), "ct(zone=7,nat),ct_clear,11");
    result_free(&r);
    fx_destroy(&fx);
}

/* ct(table=N) freezes the pipeline: a recirculation id whose state is the
 * table, the registers, the metadata and the action set; translating the
 * recirculated packet with that state goes on in table N.  Equal states
 * share an id. */
TEST(conntrack_recirculation)
{
    struct recirc_state st;
    struct fx fx;
    struct result r;
    struct flow f;

    fx_init(&fx, NULL, 3);
    fx.xb->recirc = recirc_table_create();
    fx_add_rule(&fx, "in_port=1,ip", 10,
                "write_actions(output:3),write_metadata:0x4,goto_table:1");
    fx_add_rule_in(&fx, 1, "ip", 10,
                   "set_field:0x9->reg3,ct(zone=2,table=7)");
    fx_add_rule_in(&fx, 7, "ip,reg3=0x9,ct_state=+trk+new", 10,
                   "ct(commit,zone=2),output:2");
    fx_add_rule_in(&fx, 7, "ip,reg3=0x9,ct_state=+trk+est", 10,
                   "output:2");

    f = mkflow(1, mac(0xa), mac(0xb), -1, 0);
    actions_of(&fx, &f, &r);
    CHECK_EQ(r.xout.n_recirc_ids, 1);
    uint32_t id = r.xout.recirc_ids[0];
    char *want = xasprintf("ct(zone=2),recirc(%#"PRIx32"),13", id);
    CHECK_STREQ(r.actions, want);
    free(want);
    result_free(&r);

    /* The same translation again: the same id. */
    actions_of(&fx, &f, &r);
    CHECK_EQ(r.xout.recirc_ids[0], id);
    result_free(&r);
    CHECK_EQ(recirc_count(fx.xb->recirc), 1);

    CHECK(recirc_find(fx.xb->recirc, id, &st, 0));
    CHECK_EQ(st.table_id, 7);
    CHECK_EQ(st.regs[3], 9);
    CHECK_EQ(st.metadata, htobe64(4));
    CHECK_STREQ(st.bridge, "br0");

    /* The recirculated packet, new and then established.  The action
     * set frozen with the id (output:3) runs at the end. */
    for (int est = 0; est < 2; est++) {
        struct odp_buf buf = ODP_BUF_INITIALIZER;
        struct flow_wildcards wc;
        struct xlate_in xin = {
            .bridge = fx.xb, .flow = &f, .now = 0, .resume = &st,
        };
        f.recirc_id = id;
        f.ct_state = CS_TRACKED | (est ? CS_ESTABLISHED : CS_NEW);
        flow_wildcards_init_catchall(&wc);
        xlate_actions(&xin, &buf, &wc, &r.xout);
        char *s = odp_actions_to_string(buf.data, buf.size);
        CHECK_STREQ(s, est ? "12,13" : "ct(commit,zone=2),12,13");
        free(s);
        odp_buf_uninit(&buf);
    }
    recirc_state_uninit(&st);

    /* Unreferenced and unused for the grace period: freed. */
    recirc_run(fx.xb->recirc, RECIRC_GRACE_MS - 1);
    CHECK_EQ(recirc_count(fx.xb->recirc), 1);
    recirc_run(fx.xb->recirc, RECIRC_GRACE_MS + 1);
    CHECK_EQ(recirc_count(fx.xb->recirc), 0);
    CHECK(!recirc_find(fx.xb->recirc, id, &st, 0));

    recirc_table_destroy(fx.xb->recirc);
    fx_destroy(&fx);
}
