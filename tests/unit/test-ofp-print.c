/* Tests for lib/ofp-print: the text of each switch-description message
 * against what Debian's ovs-ofctl 3.1 prints for the same bytes (the
 * expected strings below were produced by `ovs-ofctl ofp-print`;
 * tests/interop/test_ofp_table.py checks the same against the live
 * program), plus malformed messages. */
#include <config.h>
#include "ofp-print.h"

#include <arpa/inet.h>
#include "dynamic-string.h"
#include "test.h"

static char *
print_msg(struct ofpmsg *msg)
{
    char *s = ofp_print_to_string(msg->data, msg->size);
    ofpmsg_delete(msg);
    return s;
}

static char *
print_first(struct plx_list *list)
{
    struct ofpmsg *msg = CONTAINER_OF(plx_list_pop_front(list),
                                      struct ofpmsg, list_node);
    ofpmsg_list_delete(list);
    return print_msg(msg);
}

#define CHECK_TEXT(EXPR, WANT)                  \
    do {                                        \
        char *got__ = (EXPR);                   \
        CHECK_STREQ(got__, WANT);               \
        free(got__);                            \
    } while (0)

static void
sample_port(struct ofputil_phy_port *pp, uint32_t port_no, const char *name,
            int variant)
{
    memset(pp, 0, sizeof *pp);
    pp->port_no = port_no;
    memcpy(pp->hw_addr.ea, "\x52\x54\x00\x12\x34\x56", 6);
    pp->hw_addr.ea[5] += variant;
    snprintf(pp->name, sizeof pp->name, "%s", name);
    if (variant == 0) {
        pp->state = OFPPS_LINK_DOWN;
        pp->curr = OFPPF_10GB_FD | OFPPF11_COPPER;
        pp->curr_speed = 10000000;
    } else if (variant == 1) {
        pp->config = OFPPC_PORT_DOWN | OFPPC_NO_PACKET_IN;
        pp->curr = OFPPF_1GB_FD | OFPPF11_COPPER | OFPPF11_AUTONEG;
        pp->advertised = OFPPF_100MB_FD | OFPPF11_PAUSE;
        pp->supported = OFPPF_10GB_FD | OFPPF11_FIBER | OFPPF11_PAUSE_ASYM;
        pp->peer = OFPPF_10MB_HD | OFPPF_10MB_FD;
        pp->curr_speed = 1000000;
        pp->max_speed = 10000000;
    } else {
        pp->config = OFPPC_PORT_DOWN;
        pp->state = OFPPS_LINK_DOWN;
    }
}

static void
sample_ports(struct ofputil_phy_port ports[4])
{
    sample_port(&ports[0], OFPP11_LOCAL, "br0", 2);
    sample_port(&ports[1], 2, "veth-b", 1);
    sample_port(&ports[2], 1, "eth0", 0);
    sample_port(&ports[3], 10, "tap10", 2);
}

#define PORTS_TEXT \
    " 1(eth0): addr:52:54:00:12:34:56\n" \
    "     config:     0\n" \
    "     state:      LINK_DOWN\n" \
    "     current:    10GB-FD COPPER\n" \
    "     speed: 10000 Mbps now, 0 Mbps max\n" \
    " 2(veth-b): addr:52:54:00:12:34:57\n" \
    "     config:     PORT_DOWN NO_PACKET_IN\n" \
    "     state:      0\n" \
    "     current:    1GB-FD COPPER AUTO_NEG\n" \
    "     advertised: 100MB-FD AUTO_PAUSE\n" \
    "     supported:  10GB-FD FIBER AUTO_PAUSE_ASYM\n" \
    "     peer:       10MB-HD 10MB-FD\n" \
    "     speed: 1000 Mbps now, 10000 Mbps max\n" \
    " 10(tap10): addr:52:54:00:12:34:58\n" \
    "     config:     PORT_DOWN\n" \
    "     state:      LINK_DOWN\n" \
    "     speed: 0 Mbps now, 0 Mbps max\n" \
    " LOCAL(br0): addr:52:54:00:12:34:58\n" \
    "     config:     PORT_DOWN\n" \
    "     state:      LINK_DOWN\n" \
    "     speed: 0 Mbps now, 0 Mbps max\n"

TEST(show_features_10)
{
    struct ofp_header req = { .version = OFP10_VERSION, .xid = htonl(0x42) };
    struct ofputil_phy_port ports[4];
    struct ofputil_switch_features sf = {
        .datapath_id = 0x0000525400123456ULL, .n_tables = 254,
        .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                         | OFPUTIL_C_PORT_STATS | OFPUTIL_C_QUEUE_STATS
                         | OFPUTIL_C_ARP_MATCH_IP),
        .ofp10_actions = 0xfff,
    };

    sample_ports(ports);
    CHECK_TEXT(print_msg(ofputil_encode_switch_features(&sf, &req, ports,
                                                        4)),
               "OFPT_FEATURES_REPLY (xid=0x42): dpid:0000525400123456\n"
               "n_tables:254, n_buffers:0\n"
               "capabilities: FLOW_STATS TABLE_STATS PORT_STATS "
               "QUEUE_STATS ARP_MATCH_IP\n"
               "actions: output enqueue set_vlan_vid set_vlan_pcp "
               "strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst "
               "mod_nw_tos mod_tp_src mod_tp_dst\n"
               PORTS_TEXT);
}

TEST(show_features_13_and_port_desc)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(7) };
    struct ofputil_phy_port ports[4];
    struct ofputil_switch_features sf = {
        .datapath_id = 1, .n_buffers = 256, .n_tables = 254,
        .auxiliary_id = 2,
        .capabilities = OFPUTIL_C_FLOW_STATS | OFPUTIL_C_GROUP_STATS,
    };
    struct plx_list list;

    CHECK_TEXT(print_msg(ofputil_encode_switch_features(&sf, &req, NULL,
                                                        0)),
               "OFPT_FEATURES_REPLY (OF1.3) (xid=0x7): "
               "dpid:0000000000000001\n"
               "n_tables:254, n_buffers:256, auxiliary_id:2\n"
               "capabilities: FLOW_STATS GROUP_STATS\n");
    sample_ports(ports);
    ofputil_encode_port_desc_reply(&list, &req, ports, 4);
    CHECK_TEXT(print_first(&list),
               "OFPST_PORT_DESC reply (OF1.3) (xid=0x7):\n" PORTS_TEXT);
}

TEST(show_config)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(1) };
    struct ofputil_switch_config sc = { OFPUTIL_FRAG_NORMAL, 0 };

    CHECK_TEXT(print_msg(ofputil_encode_get_config_reply(&sc, &req)),
               "OFPT_GET_CONFIG_REPLY (OF1.3) (xid=0x1): frags=normal "
               "miss_send_len=0\n");
    sc.frag = OFPUTIL_FRAG_REASM;
    sc.miss_send_len = 128;
    req.version = OFP10_VERSION;
    CHECK_TEXT(print_msg(ofputil_encode_get_config_reply(&sc, &req)),
               "OFPT_GET_CONFIG_REPLY (xid=0x1): frags=reassemble "
               "miss_send_len=128\n");
}

TEST(dump_desc)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(0x42) };
    struct ofputil_desc_stats *ds = xzalloc(sizeof *ds);

    snprintf(ds->mfr_desc, sizeof ds->mfr_desc, "Plexus project");
    snprintf(ds->hw_desc, sizeof ds->hw_desc, "Plexus userspace");
    snprintf(ds->sw_desc, sizeof ds->sw_desc, "0.1.0");
    snprintf(ds->serial_num, sizeof ds->serial_num, "None");
    snprintf(ds->dp_desc, sizeof ds->dp_desc, "br0 on host1");
    CHECK_TEXT(print_msg(ofputil_encode_desc_stats_reply(ds, &req)),
               "OFPST_DESC reply (OF1.3) (xid=0x42):\n"
               "Manufacturer: Plexus project\n"
               "Hardware: Plexus userspace\n"
               "Software: 0.1.0\n"
               "Serial Num: None\n"
               "DP Description: br0 on host1\n");
    free(ds);
}

TEST(dump_tables_ditto)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(0x42) };
    struct ofputil_table_stats ts[254];
    struct plx_list list;

    memset(ts, 0, sizeof ts);
    for (int i = 0; i < 254; i++) {
        ts[i].table_id = i;
    }
    ts[0].active_count = 5;
    ts[0].lookup_count = 100;
    ts[0].matched_count = 60;
    ts[3].active_count = 1;
    ts[3].lookup_count = 40;
    ts[3].matched_count = 40;
    ofputil_encode_table_stats_reply(&list, &req, ts, 254);
    CHECK_TEXT(print_first(&list),
               "OFPST_TABLE reply (OF1.3) (xid=0x42):\n"
               "  table 0:\n"
               "    active=5, lookup=100, matched=60\n\n"
               "  table 1:\n"
               "    active=0, lookup=0, matched=0\n\n"
               "  table 2: ditto\n\n"
               "  table 3:\n"
               "    active=1, lookup=40, matched=40\n\n"
               "  table 4:\n"
               "    active=0, lookup=0, matched=0\n\n"
               "  tables 5...253: ditto\n");
}

TEST(dump_tables_10_named)
{
    struct ofp_header req = { .version = OFP10_VERSION, .xid = htonl(0x42) };
    struct ofputil_table_stats ts[3];
    struct plx_list list;

    memset(ts, 0, sizeof ts);
    for (int i = 0; i < 3; i++) {
        ts[i].table_id = i;
        snprintf(ts[i].name, sizeof ts[i].name, i ? "table%d" : "classifier",
                 i);
        ts[i].wildcards = 0x3fffff;
        ts[i].max_entries = 1000000;
    }
    ts[0].active_count = 5;
    ofputil_encode_table_stats_reply(&list, &req, ts, 3);
    CHECK_TEXT(print_first(&list),
               "OFPST_TABLE reply (xid=0x42):\n"
               "  table 0 (\"classifier\"):\n"
               "    active=5, lookup=0, matched=0\n"
               "    max_entries=1000000\n"
               "    matching:\n"
               "      exact match or wildcard: in_port eth_{src,dst,type} "
               "vlan_{vid,pcp} ip_{src,dst} nw_{proto,tos} tcp_{src,dst}\n"
               "\n"
               "  table 1 (\"table1\"):\n"
               "    active=0, lookup=0, matched=0\n"
               "    (same features)\n"
               "\n"
               "  table 2 (\"table2\"): ditto\n");
}

static void
add(struct ofputil_field_set *fs, const char *name)
{
    const struct mf_field *mf = mf_from_name(name);
    plx_assert(mf);
    ofputil_field_set_add(fs, mf->id);
}

TEST(dump_table_features_compressed_names)
{
    struct ofputil_table_features tf;
    struct ds s = DS_EMPTY_INITIALIZER;

    memset(&tf, 0, sizeof tf);
    add(&tf.nonmiss.write_setfield, "ct_nw_src");
    add(&tf.nonmiss.write_setfield, "ct_nw_dst");
    add(&tf.nonmiss.write_setfield, "ct_ipv6_src");
    add(&tf.mask, "tun_id");
    add(&tf.mask, "tun_src");
    add(&tf.wildcard, "reg1");
    add(&tf.wildcard, "reg2");
    add(&tf.wildcard, "reg3");
    static const char *const exact[] = {
        "in_port", "tun_id", "tun_src", "reg1", "reg2", "reg3",
        "tun_ipv6_src", "tun_ipv6_dst", "tun_flags",
    };
    for (size_t i = 0; i < ARRAY_SIZE(exact); i++) {
        add(&tf.match, exact[i]);
    }
    ofp_print_table_features(&s, &tf, 1);
    CHECK_STREQ(ds_cstr(&s),
                "\n  table 0:\n"
                "    instructions (other than table miss):\n"
                "      Write-Actions features:\n"
                "        supported on Set-Field: ct_nw_{src,dst,6_src}\n"
                "      Apply-Actions features:\n"
                "    instructions (table miss):\n"
                "    matching:\n"
                "      arbitrary mask: tun_{id,src}\n"
                "      exact match or wildcard: reg1...reg3\n"
                "      must exact match: tun_ipv6_{src,dst,} in_port_oxm\n");
    ds_destroy(&s);
}

TEST(dump_table_features_instructions)
{
    struct ofputil_table_features tf[3];
    struct ds s = DS_EMPTY_INITIALIZER;

    memset(tf, 0, sizeof tf);
    for (int i = 0; i < 3; i++) {
        tf[i].table_id = i;
        tf[i].max_entries = 100;
        tf[i].metadata_match = UINT64_MAX;
        for (int t = i + 1; t < 4; t++) {
            bitmap_set1(tf[i].nonmiss.next, t);
        }
        tf[i].nonmiss.instructions = 0x7e;
        tf[i].nonmiss.write_actions = 0x3ffffff;
        tf[i].nonmiss.apply_actions = 0x3ffffff;
        tf[i].miss = tf[i].nonmiss;
    }
    ofp_print_table_features(&s, tf, 3);
    CHECK_STREQ(ds_cstr(&s),
                "\n  table 0:\n"
                "    metadata: match=0xffffffffffffffff write=0\n"
                "    max_entries=100\n"
                "    instructions (table miss and others):\n"
                "      next tables: 1-3\n"
                "      instructions: meter apply_actions clear_actions "
                "write_actions write_metadata goto_table\n"
                "      Write-Actions and Apply-Actions features:\n"
                "        actions: output group set_field strip_vlan "
                "push_vlan mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl "
                "push_mpls pop_mpls set_queue\n"
                "\n  tables 1...2: ditto\n");
    ds_destroy(&s);
}

TEST(dump_ports)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(0x42) };
    struct ofputil_port_stats ps[2];
    struct plx_list list;

    memset(ps, 0, sizeof ps);
    ps[0].port_no = OFPP11_LOCAL;
    ps[1] = (struct ofputil_port_stats) {
        .port_no = 2, .rx_packets = 10, .tx_packets = 20, .rx_bytes = 1000,
        .tx_bytes = 2000, .rx_dropped = 1, .tx_dropped = 2, .rx_errors = 3,
        .tx_errors = 4, .rx_frame_errors = 5, .rx_over_errors = 6,
        .rx_crc_errors = 7, .collisions = 8, .duration_sec = 30,
        .duration_nsec = 500000000,
    };
    ofputil_encode_port_stats_reply(&list, &req, ps, 2);
    CHECK_TEXT(print_first(&list),
               "OFPST_PORT reply (OF1.3) (xid=0x42): 2 ports\n"
               "  port LOCAL: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, "
               "over=0, crc=0\n"
               "           tx pkts=0, bytes=0, drop=0, errs=0, coll=0\n"
               "           duration=0s\n"
               "  port  2: rx pkts=10, bytes=1000, drop=1, errs=3, "
               "frame=5, over=6, crc=7\n"
               "           tx pkts=20, bytes=2000, drop=2, errs=4, "
               "coll=8\n"
               "           duration=30.500s\n");
    CHECK_TEXT(print_msg(ofputil_encode_port_stats_request(OFP10_VERSION, 3,
                                                           OFPP11_ANY)),
               "OFPST_PORT request (xid=0x3): port_no=ANY\n");
}

TEST(queue_stats_and_config)
{
    struct ofp_header req = { .version = OFP10_VERSION, .xid = htonl(0x42) };
    struct ofputil_queue_stats qs[3] = {
        { 1, 0, 1500, 10, 0, 5, 0 },
        { 1, 1, 3000, 2, 1, 5, 250000000 },
        { OFPP11_LOCAL, 7, 0, 0, 0, UINT32_MAX, UINT32_MAX },
    };
    struct plx_list list;

    ofputil_encode_queue_stats_reply(&list, &req, qs, 3);
    CHECK_TEXT(print_first(&list),
               "OFPST_QUEUE reply (xid=0x42): 3 queues\n"
               "  port 1 queue 0: bytes=1500, pkts=10, errors=0, "
               "duration=?\n"
               "  port 1 queue 1: bytes=3000, pkts=2, errors=1, "
               "duration=?\n"
               "  port LOCAL queue 7: bytes=0, pkts=0, errors=0, "
               "duration=?\n");

    struct ofputil_queue_stats_request r = { OFPP11_ANY, OFPUTIL_QUEUE_ALL };
    CHECK_TEXT(print_msg(ofputil_encode_queue_stats_request(&r,
                                                            OFP13_VERSION,
                                                            2)),
               "OFPST_QUEUE request (OF1.3) (xid=0x2): port=ANY "
               "queue=ALL\n");

    req.version = OFP13_VERSION;
    struct ofputil_queue_config qc[3] = {
        { 1, 2, 500, OFPUTIL_QUEUE_RATE_NONE },
        { 1, 0, OFPUTIL_QUEUE_RATE_NONE, OFPUTIL_QUEUE_RATE_NONE },
        { 1, 1, 100, 1000 },
    };
    CHECK_TEXT(print_msg(ofputil_encode_queue_get_config_reply(&req, 1, qc,
                                                               3)),
               "OFPT_QUEUE_GET_CONFIG_REPLY (OF1.3) (xid=0x42): port=1\n"
               "queue 0:\n"
               "queue 1: min_rate:10.0% max_rate:100.0%\n"
               "queue 2: min_rate:50.0%\n");
    CHECK_TEXT(print_msg(ofputil_encode_queue_get_config_request(
                             OFP10_VERSION, 4, 1)),
               "OFPT_QUEUE_GET_CONFIG_REQUEST (xid=0x4): port=1\n");
}

TEST(table_mod_and_headers)
{
    struct ofputil_table_mod tm = { OFPTT_ALL, 3 };

    CHECK_TEXT(print_msg(ofputil_encode_table_mod(&tm, OFP13_VERSION, 5)),
               "OFPT_TABLE_MOD (OF1.3) (xid=0x5): table_id: ALL_TABLES\n");
    tm.table_id = 254;
    CHECK_TEXT(print_msg(ofputil_encode_table_mod(&tm, OFP13_VERSION, 5)),
               "OFPT_TABLE_MOD (OF1.3) (xid=0x5): table_id=254\n");
    CHECK_TEXT(print_msg(ofputil_encode_header_only(
                             OFPTYPE_BARRIER_REPLY, OFP13_VERSION,
                             0x1234abcd)),
               "OFPT_BARRIER_REPLY (OF1.3) (xid=0x1234abcd):\n");
    CHECK_TEXT(print_msg(ofputil_encode_multipart_request(
                             OFPTYPE_TABLE_FEATURES_STATS_REQUEST,
                             OFP13_VERSION, 1)),
               "OFPST_TABLE_FEATURES request (OF1.3) (xid=0x1):\n");
}

TEST(malformed_messages)
{
    /* A table features reply whose entry claims table 255. */
    struct ofputil_table_features tf;
    memset(&tf, 0, sizeof tf);
    struct ofpmsg *msg = ofputil_encode_table_features_request(
        OFP13_VERSION, 1, &tf, 1);
    msg->data[16 + 2] = 0xff;
    char *s = print_msg(msg);
    CHECK(test_regex_match(s, "^OFPST_TABLE_FEATURES request \\(OF1.3\\) "
                           "\\(xid=0x1\\): \\*\\*\\*decode error: "
                           "OFPTFFC_BAD_TABLE\\*\\*\\*$"));
    CHECK(test_regex_match(s, "^00000000  04 12 "));
    free(s);

    /* Truncated and empty input. */
    uint8_t raw[8] = { OFP13_VERSION, OFPT13_BARRIER_REQUEST, 0, 16 };
    CHECK_TEXT(ofp_print_to_string(raw, 8),
               "OFPT_BARRIER_REQUEST (OF1.3) (xid=0x0):\n"
               "(***truncated to 8 bytes from 16***)\n"
               "00000000  04 14 00 10 00 00 00 00-"
               "                        |........        |\n");
    CHECK_TEXT(ofp_print_to_string(raw, 0), "OpenFlow message is empty\n");
    s = ofp_print_to_string(raw, 3);
    CHECK(test_regex_match(s, "^OpenFlow packet too short"));
    free(s);

    /* An unknown version. */
    raw[0] = 9;
    raw[3] = 8;
    s = ofp_print_to_string(raw, 8);
    CHECK(test_regex_match(s, "decode error: OFPBRC_BAD_VERSION"));
    free(s);
}

TEST(port_names)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ofp_print_port_no(&s, 7);
    ds_put_char(&s, ' ');
    ofp_print_port_no(&s, OFPP11_CONTROLLER);
    ds_put_char(&s, ' ');
    ofp_print_port_no(&s, OFPP11_ANY);
    ds_put_char(&s, ' ');
    ofp_print_port_no(&s, 0xfffffff7);
    ds_put_char(&s, ' ');
    ofp_print_port_no(&s, 0xffffff00);
    CHECK_STREQ(ds_cstr(&s), "7 CONTROLLER ANY UNSET 65280");
    ds_destroy(&s);
}
