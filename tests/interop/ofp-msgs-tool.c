/* ofp-msgs-tool: lets tests/interop/test_ofp_msgs.py hold Plexus's
 * OpenFlow codecs against real peers.
 *
 *   ofp-msgs-tool encode
 *       prints "NAME HEX" lines, one per sample message that Plexus
 *       encodes (both versions), for ovs-ofctl ofp-print and os-ken;
 *   ofp-msgs-tool decode HEX
 *       decodes one message and prints "key=value" lines (or
 *       "error=NAME" if Plexus rejects it). */
#include <config.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include "dynamic-string.h"
#include "ofp-msgs.h"
#include "util.h"

static void
print_msg(const char *name, struct ofpmsg *msg)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_hex(&ds, msg->data, msg->size);
    printf("%s %s\n", name, ds_cstr(&ds));
    ds_destroy(&ds);
    ofpmsg_delete(msg);
}

static void
print_list(const char *name, struct plx_list *list)
{
    struct ofpmsg *msg;

    LIST_FOR_EACH_POP (msg, list_node, list) {
        print_msg(name, msg);
    }
}

static void
sample_port(struct ofputil_phy_port *pp, uint32_t port_no, const char *name)
{
    memset(pp, 0, sizeof *pp);
    pp->port_no = port_no;
    memcpy(pp->hw_addr.ea, "\x52\x54\x00\x12\x34\x56", 6);
    snprintf(pp->name, sizeof pp->name, "%s", name);
    pp->config = OFPPC_NO_PACKET_IN;
    pp->state = OFPPS_LINK_DOWN;
    pp->curr = OFPPF_1GB_FD | OFPPF11_COPPER;
    pp->advertised = OFPPF_100MB_FD | OFPPF11_AUTONEG;
    pp->supported = OFPPF_10GB_FD | OFPPF11_FIBER;
    pp->peer = OFPPF_10MB_HD;
    pp->curr_speed = 1000000;
    pp->max_speed = 10000000;
}

static void
encode_all(void)
{
    static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

    print_msg("hello", ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t ver = versions[v];
        struct ofp_header req = { .version = ver, .xid = htonl(0x42) };
        char name[64];
        struct plx_list list;

#define NAME(S) (snprintf(name, sizeof name, "%s_%d", S, ver), name)
        struct ofpmsg *bad = ofputil_encode_header_only(
            OFPTYPE_BARRIER_REQUEST, ver, 0x42);
        print_msg(NAME("error"), ofputil_encode_error_reply(
                      OFPERR_OFPBRC_BAD_TYPE, ver, bad->data, bad->size));
        ofpmsg_delete(bad);
        print_msg(NAME("echo"), ofputil_encode_echo_request(ver, 7, "hi!",
                                                            3));

        struct ofputil_phy_port ports[2];
        sample_port(&ports[0], 1, "eth1");
        sample_port(&ports[1], OFPP11_LOCAL, "br0");
        struct ofputil_switch_features sf = {
            .datapath_id = 0x0000123456789abcULL,
            .n_buffers = 256,
            .n_tables = 254,
            .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                             | OFPUTIL_C_PORT_STATS
                             | OFPUTIL_C_GROUP_STATS
                             | OFPUTIL_C_ARP_MATCH_IP),
            .ofp10_actions = 0xfff,
        };
        print_msg(NAME("features"),
                  ofputil_encode_switch_features(&sf, &req, ports, 2));

        struct ofputil_switch_config sc = { OFPUTIL_FRAG_DROP, 1500 };
        print_msg(NAME("set_config"), ofputil_encode_set_config(&sc, ver,
                                                                9));
        print_msg(NAME("get_config_reply"),
                  ofputil_encode_get_config_reply(&sc, &req));

        struct ofputil_port_status ps = { .reason = OFPPR_MODIFY };
        sample_port(&ps.desc, 3, "veth3");
        print_msg(NAME("port_status"), ofputil_encode_port_status(&ps, ver));

        struct ofputil_port_mod pm = {
            .port_no = 3, .hw_addr = { { { 2, 0, 0, 0, 0, 3 } } },
            .config = OFPPC_PORT_DOWN, .mask = OFPPC_PORT_DOWN,
            .advertise = OFPPF_1GB_FD,
        };
        print_msg(NAME("port_mod"), ofputil_encode_port_mod(&pm, ver, 10));
        print_msg(NAME("barrier_request"), ofputil_encode_header_only(
                      OFPTYPE_BARRIER_REQUEST, ver, 11));

        struct ofputil_desc_stats ds;
        memset(&ds, 0, sizeof ds);
        strcpy(ds.mfr_desc, "Plexus");
        strcpy(ds.hw_desc, "userspace");
        strcpy(ds.sw_desc, "0.1");
        strcpy(ds.serial_num, "None");
        strcpy(ds.dp_desc, "br0");
        print_msg(NAME("desc_reply"), ofputil_encode_desc_stats_reply(
                      &ds, &req));

        print_msg(NAME("port_stats_request"),
                  ofputil_encode_port_stats_request(ver, 12, 2));
        struct ofputil_port_stats pst = {
            .port_no = 2, .rx_packets = 10, .tx_packets = 20,
            .rx_bytes = 1000, .tx_bytes = 2000, .rx_dropped = 1,
            .tx_dropped = 2, .rx_errors = 3, .tx_errors = 4,
            .rx_frame_errors = 5, .rx_over_errors = 6, .rx_crc_errors = 7,
            .collisions = 8, .duration_sec = 30, .duration_nsec = 500,
        };
        ofputil_encode_port_stats_reply(&list, &req, &pst, 1);
        print_list(NAME("port_stats_reply"), &list);

        struct ofputil_table_stats ts = {
            .table_id = 0, .name = "classifier", .wildcards = 0x3fffff,
            .max_entries = 1000000, .active_count = 5,
            .lookup_count = 100, .matched_count = 60,
        };
        ofputil_encode_table_stats_reply(&list, &req, &ts, 1);
        print_list(NAME("table_stats_reply"), &list);

        ofputil_encode_port_desc_reply(&list, &req, ports, 2);
        print_list(NAME("port_desc_reply"), &list);

        if (ver == OFP13_VERSION) {
            struct ofputil_role_request rr = {
                OFPCR12_ROLE_MASTER, true, 0x1234,
            };
            print_msg(NAME("role_request"), ofputil_encode_role_request(
                          &rr, ver, 13));
            print_msg(NAME("role_reply"), ofputil_encode_role_reply(
                          &rr, &req));
            struct ofputil_async_cfg ac;
            ofputil_async_cfg_default(&ac);
            print_msg(NAME("set_async"), ofputil_encode_set_async(&ac, ver,
                                                                  14));
        }
    }
}

static void
print_port(const char *prefix, const struct ofputil_phy_port *pp)
{
    printf("%sport_no=%"PRIu32"\n%sname=%s\n%shw_addr="
           "%02x:%02x:%02x:%02x:%02x:%02x\n%sconfig=%"PRIu32"\n"
           "%sstate=%"PRIu32"\n%scurr=%"PRIu32"\n%sadvertised=%"PRIu32"\n"
           "%ssupported=%"PRIu32"\n%speer=%"PRIu32"\n"
           "%scurr_speed=%"PRIu32"\n%smax_speed=%"PRIu32"\n",
           prefix, pp->port_no, prefix, pp->name, prefix,
           pp->hw_addr.ea[0], pp->hw_addr.ea[1], pp->hw_addr.ea[2],
           pp->hw_addr.ea[3], pp->hw_addr.ea[4], pp->hw_addr.ea[5],
           prefix, pp->config, prefix, pp->state, prefix, pp->curr,
           prefix, pp->advertised, prefix, pp->supported, prefix, pp->peer,
           prefix, pp->curr_speed, prefix, pp->max_speed);
}

static int
decode(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = xmalloc(n + 1);
    enum ofptype type;
    enum ofperr error;

    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            fprintf(stderr, "bad hex\n");
            return 1;
        }
        buf[i] = byte;
    }
    const struct ofp_header *oh = (const void *) buf;
    error = ofptype_decode(buf, n, &type);
    if (error) {
        printf("error=%s\n", ofperr_get_name(error));
        free(buf);
        return 0;
    }
    printf("type=%s\nversion=%d\nxid=%"PRIu32"\n", ofptype_get_name(type),
           oh->version, (uint32_t) ntohl(oh->xid));

    switch (type) {
    case OFPTYPE_HELLO: {
        uint32_t versions;
        error = ofputil_decode_hello(oh, &versions);
        printf("versions=0x%"PRIx32"\n", versions);
        break;
    }
    case OFPTYPE_ERROR: {
        enum ofperr e;
        uint16_t t, c;
        const void *data;
        size_t len;
        error = ofputil_decode_error(oh, &e, &t, &c, &data, &len);
        printf("error_type=%u\nerror_code=%u\nerror_name=%s\n"
               "data_len=%zu\n", t, c, ofperr_get_name(e), len);
        break;
    }
    case OFPTYPE_FEATURES_REPLY: {
        struct ofputil_switch_features sf;
        struct ofputil_phy_port *ports;
        size_t n_ports;
        error = ofputil_decode_switch_features(oh, &sf, &ports, &n_ports);
        if (!error) {
            printf("datapath_id=%"PRIu64"\nn_buffers=%"PRIu32"\n"
                   "n_tables=%u\nauxiliary_id=%u\ncapabilities=%"PRIu32"\n"
                   "n_ports=%zu\n", sf.datapath_id, sf.n_buffers,
                   sf.n_tables, sf.auxiliary_id, sf.capabilities, n_ports);
            for (size_t i = 0; i < n_ports; i++) {
                char prefix[32];
                snprintf(prefix, sizeof prefix, "port%zu.", i);
                print_port(prefix, &ports[i]);
            }
            free(ports);
        }
        break;
    }
    case OFPTYPE_SET_CONFIG:
    case OFPTYPE_GET_CONFIG_REPLY: {
        struct ofputil_switch_config sc;
        error = (type == OFPTYPE_SET_CONFIG
                 ? ofputil_decode_set_config(oh, &sc)
                 : ofputil_decode_get_config_reply(oh, &sc));
        if (!error) {
            printf("frag=%d\nmiss_send_len=%u\n", sc.frag,
                   sc.miss_send_len);
        }
        break;
    }
    case OFPTYPE_PORT_STATUS: {
        struct ofputil_port_status ps;
        error = ofputil_decode_port_status(oh, &ps);
        if (!error) {
            printf("reason=%u\n", ps.reason);
            print_port("", &ps.desc);
        }
        break;
    }
    case OFPTYPE_PORT_MOD: {
        struct ofputil_port_mod pm;
        error = ofputil_decode_port_mod(oh, &pm);
        if (!error) {
            printf("port_no=%"PRIu32"\nhw_addr=%02x:%02x:%02x:%02x:%02x:%02x"
                   "\nconfig=%"PRIu32"\nmask=%"PRIu32"\n"
                   "advertise=%"PRIu32"\n", pm.port_no,
                   pm.hw_addr.ea[0], pm.hw_addr.ea[1], pm.hw_addr.ea[2],
                   pm.hw_addr.ea[3], pm.hw_addr.ea[4], pm.hw_addr.ea[5],
                   pm.config, pm.mask, pm.advertise);
        }
        break;
    }
    case OFPTYPE_ROLE_REQUEST:
    case OFPTYPE_ROLE_REPLY: {
        struct ofputil_role_request rr;
        error = ofputil_decode_role_message(oh, &rr);
        if (!error) {
            printf("role=%d\ngeneration_id=%"PRIu64"\n", rr.role,
                   rr.generation_id);
        }
        break;
    }
    case OFPTYPE_SET_ASYNC:
    case OFPTYPE_GET_ASYNC_REPLY: {
        struct ofputil_async_cfg ac;
        error = ofputil_decode_async_cfg(oh, &ac);
        if (!error) {
            printf("packet_in=%"PRIu32",%"PRIu32"\n"
                   "port_status=%"PRIu32",%"PRIu32"\n"
                   "flow_removed=%"PRIu32",%"PRIu32"\n",
                   ac.packet_in[0], ac.packet_in[1], ac.port_status[0],
                   ac.port_status[1], ac.flow_removed[0],
                   ac.flow_removed[1]);
        }
        break;
    }
    case OFPTYPE_DESC_STATS_REPLY: {
        struct ofputil_desc_stats ds;
        error = ofputil_decode_desc_stats_reply(oh, &ds);
        if (!error) {
            printf("mfr_desc=%s\nhw_desc=%s\nsw_desc=%s\nserial_num=%s\n"
                   "dp_desc=%s\n", ds.mfr_desc, ds.hw_desc, ds.sw_desc,
                   ds.serial_num, ds.dp_desc);
        }
        break;
    }
    case OFPTYPE_PORT_STATS_REQUEST: {
        uint32_t port;
        error = ofputil_decode_port_stats_request(oh, &port);
        printf("port_no=%"PRIu32"\n", port);
        break;
    }
    case OFPTYPE_PORT_STATS_REPLY: {
        struct ofputil_port_stats *ps;
        size_t n_stats;
        error = ofputil_decode_port_stats_reply(oh, &ps, &n_stats);
        for (size_t i = 0; !error && i < n_stats; i++) {
            printf("%zu.port_no=%"PRIu32"\n%zu.rx_packets=%"PRIu64"\n"
                   "%zu.tx_bytes=%"PRIu64"\n%zu.collisions=%"PRIu64"\n"
                   "%zu.duration_sec=%"PRIu32"\n", i, ps[i].port_no,
                   i, ps[i].rx_packets, i, ps[i].tx_bytes, i,
                   ps[i].collisions, i, ps[i].duration_sec);
        }
        free(ps);
        break;
    }
    case OFPTYPE_PORT_DESC_STATS_REPLY: {
        struct ofputil_phy_port *ports;
        size_t n_ports;
        error = ofputil_decode_port_desc_reply(oh, &ports, &n_ports);
        printf("n_ports=%zu\n", n_ports);
        for (size_t i = 0; i < n_ports; i++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "port%zu.", i);
            print_port(prefix, &ports[i]);
        }
        free(ports);
        break;
    }
    default:
        break;
    }
    if (error) {
        printf("error=%s\n", ofperr_get_name(error));
    }
    free(buf);
    return 0;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc == 2 && !strcmp(argv[1], "encode")) {
        encode_all();
        return 0;
    } else if (argc == 3 && !strcmp(argv[1], "decode")) {
        return decode(argv[2]);
    }
    fprintf(stderr, "usage: %s encode | decode HEX\n", argv[0]);
    return 2;
}
