/* ofp-table-tool: lets tests/interop/test_ofp_table.py hold Plexus's
 * table and queue codecs (lib/ofp-table) and its ovs-ofctl text
 * (lib/ofp-print) against Debian's ovs-ofctl and OS-Ken.
 *
 *   ofp-table-tool encode
 *       prints "NAME HEX" lines, one per sample message (both versions;
 *       a multipart reply that needs several messages gives several
 *       lines with the same NAME);
 *   ofp-table-tool random SEED COUNT
 *       prints COUNT "random HEX" lines of table features replies with
 *       random contents, to compare text formatting broadly;
 *   ofp-table-tool print HEX
 *       prints what Plexus's ofp_print_to_string() makes of HEX, which
 *       must be what `ovs-ofctl ofp-print HEX` prints;
 *   ofp-table-tool decode HEX
 *       decodes one message and prints "key=value" lines (or
 *       "error=NAME" if Plexus rejects it). */
#include <config.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "ofp-msgs.h"
#include "ofp-print.h"
#include "ofp-table.h"
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

/* A table whose features look like a real switch's. */
static void
sample_features(struct ofputil_table_features *tf, uint8_t table_id,
                uint8_t n_tables)
{
    memset(tf, 0, sizeof *tf);
    tf->table_id = table_id;
    if (table_id == 0) {
        snprintf(tf->name, sizeof tf->name, "classifier");
    }
    tf->metadata_match = UINT64_MAX;
    tf->metadata_write = UINT64_MAX;
    tf->max_entries = 1000000;
    for (int t = table_id + 1; t < n_tables; t++) {
        bitmap_set1(tf->nonmiss.next, t);
    }
    tf->nonmiss.instructions = (1u << 1) | (1u << 2) | (1u << 3)
                               | (1u << 4) | (1u << 5) | (1u << 6);
    tf->nonmiss.write_actions = ((1u << 0) | (1u << 15) | (1u << 16)
                                 | (1u << 17) | (1u << 18) | (1u << 19)
                                 | (1u << 20) | (1u << 21) | (1u << 22)
                                 | (1u << 23) | (1u << 24) | (1u << 25));
    tf->nonmiss.apply_actions = tf->nonmiss.write_actions;
    for (int i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = mf_from_id(i);
        if (!ofputil_table_features_can_name(i)) {
            continue;
        }
        bitmap_set1(tf->match.bm, i);
        if (mf->maskable == MFM_FULLY) {
            bitmap_set1(tf->mask.bm, i);
        }
        bitmap_set1(tf->wildcard.bm, i);
        if (mf->writable) {
            bitmap_set1(tf->nonmiss.write_setfield.bm, i);
            bitmap_set1(tf->nonmiss.apply_setfield.bm, i);
        }
    }
    tf->miss = tf->nonmiss;
}

static void
encode_all(void)
{
    static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t ver = versions[v];
        struct ofp_header req = { .version = ver, .xid = htonl(0x42) };
        struct plx_list list;
        char name[64];

#define NAME(S) (snprintf(name, sizeof name, "%s_%d", S, ver), name)
        /* show: features reply (+ 1.3 port descriptions), config. */
        struct ofputil_phy_port ports[4];
        sample_port(&ports[0], OFPP11_LOCAL, "br0", 2);
        sample_port(&ports[1], 2, "veth-b", 1);
        sample_port(&ports[2], 1, "eth0", 0);
        sample_port(&ports[3], 10, "tap10", 2);
        struct ofputil_switch_features sf = {
            .datapath_id = 0x0000525400123456ULL,
            .n_buffers = 0,
            .n_tables = 254,
            .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                             | OFPUTIL_C_PORT_STATS | OFPUTIL_C_QUEUE_STATS
                             | OFPUTIL_C_ARP_MATCH_IP
                             | OFPUTIL_C_GROUP_STATS),
            .ofp10_actions = 0xfff,
        };
        print_msg(NAME("features_request"), ofputil_encode_header_only(
                      OFPTYPE_FEATURES_REQUEST, ver, 0x42));
        print_msg(NAME("features"), ofputil_encode_switch_features(
                      &sf, &req, ports, ARRAY_SIZE(ports)));
        ofputil_encode_port_desc_reply(&list, &req, ports,
                                       ARRAY_SIZE(ports));
        print_list(NAME("port_desc"), &list);
        print_msg(NAME("port_desc_request"),
                  ofputil_encode_multipart_request(
                      OFPTYPE_PORT_DESC_STATS_REQUEST, ver, 0x42));
        struct ofputil_switch_config sc = { OFPUTIL_FRAG_NORMAL, 0 };
        print_msg(NAME("get_config_reply"),
                  ofputil_encode_get_config_reply(&sc, &req));
        sc.frag = OFPUTIL_FRAG_REASM;
        sc.miss_send_len = 128;
        print_msg(NAME("get_config_reply_reasm"),
                  ofputil_encode_get_config_reply(&sc, &req));
        print_msg(NAME("barrier_reply"), ofputil_encode_header_only(
                      OFPTYPE_BARRIER_REPLY, ver, 0x1234abcd));

        /* dump-desc. */
        struct ofputil_desc_stats *ds = xzalloc(sizeof *ds);
        snprintf(ds->mfr_desc, sizeof ds->mfr_desc, "Plexus project");
        snprintf(ds->hw_desc, sizeof ds->hw_desc, "Plexus userspace");
        snprintf(ds->sw_desc, sizeof ds->sw_desc, "0.1.0");
        snprintf(ds->serial_num, sizeof ds->serial_num, "None");
        snprintf(ds->dp_desc, sizeof ds->dp_desc, "br0 on host1");
        print_msg(NAME("desc"), ofputil_encode_desc_stats_reply(ds, &req));
        free(ds);

        /* dump-tables. */
        struct ofputil_table_stats ts[254];
        memset(ts, 0, sizeof ts);
        for (int i = 0; i < 254; i++) {
            ts[i].table_id = i;
            if (ver == OFP10_VERSION) {
                snprintf(ts[i].name, sizeof ts[i].name,
                         i ? "table%d" : "classifier", i);
                ts[i].wildcards = 0x3fffff;
                ts[i].max_entries = 1000000;
            }
        }
        ts[0].active_count = 5;
        ts[0].lookup_count = 100;
        ts[0].matched_count = 60;
        ts[3].active_count = 1;
        ts[3].lookup_count = 40;
        ts[3].matched_count = 40;
        ts[7].wildcards = 0x3820ff;
        ofputil_encode_table_stats_reply(&list, &req, ts,
                                         ver == OFP10_VERSION ? 10 : 254);
        print_list(NAME("table_stats"), &list);

        /* dump-ports. */
        struct ofputil_port_stats ps[3];
        memset(ps, 0, sizeof ps);
        ps[0].port_no = OFPP11_LOCAL;
        ps[1].port_no = 2;
        ps[1].rx_packets = 10;
        ps[1].tx_packets = 20;
        ps[1].rx_bytes = 1000;
        ps[1].tx_bytes = 2000;
        ps[1].rx_dropped = 1;
        ps[1].tx_dropped = 2;
        ps[1].rx_errors = 3;
        ps[1].tx_errors = 4;
        ps[1].rx_frame_errors = 5;
        ps[1].rx_over_errors = 6;
        ps[1].rx_crc_errors = 7;
        ps[1].collisions = 8;
        ps[1].duration_sec = 30;
        ps[1].duration_nsec = 500000000;
        ps[2].port_no = 12;
        ps[2].rx_packets = UINT64_MAX;
        ps[2].duration_sec = 1;
        ps[2].duration_nsec = 123;
        ofputil_encode_port_stats_reply(&list, &req, ps, 3);
        print_list(NAME("port_stats"), &list);
        print_msg(NAME("port_stats_request"),
                  ofputil_encode_port_stats_request(ver, 0x42, 2));
        print_msg(NAME("port_stats_request_any"),
                  ofputil_encode_port_stats_request(ver, 0x42, OFPP11_ANY));

        /* queue-stats. */
        struct ofputil_queue_stats_request qr = { OFPP11_ANY,
                                                  OFPUTIL_QUEUE_ALL };
        print_msg(NAME("queue_stats_request_all"),
                  ofputil_encode_queue_stats_request(&qr, ver, 0x42));
        qr.port_no = 3;
        qr.queue_id = 7;
        print_msg(NAME("queue_stats_request"),
                  ofputil_encode_queue_stats_request(&qr, ver, 0x42));
        struct ofputil_queue_stats qs[3] = {
            { 1, 0, 1500, 10, 0, 5, 0 },
            { 1, 1, 3000, 2, 1, 5, 250000000 },
            { OFPP11_LOCAL, 7, 0, 0, 0, UINT32_MAX, UINT32_MAX },
        };
        ofputil_encode_queue_stats_reply(&list, &req, qs, 3);
        print_list(NAME("queue_stats"), &list);

        /* queue-get-config. */
        print_msg(NAME("queue_get_config_request"),
                  ofputil_encode_queue_get_config_request(ver, 0x42, 1));
        struct ofputil_queue_config qc[3] = {
            { 1, 2, 500, OFPUTIL_QUEUE_RATE_NONE },
            { 1, 0, OFPUTIL_QUEUE_RATE_NONE, OFPUTIL_QUEUE_RATE_NONE },
            { 1, 1, 100, 1000 },
        };
        print_msg(NAME("queue_get_config_reply"),
                  ofputil_encode_queue_get_config_reply(&req, 1, qc, 3));

        if (ver != OFP13_VERSION) {
            continue;
        }
        /* OpenFlow 1.3 only: table features and TABLE_MOD. */
        struct ofputil_table_mod tm = { 3, 0 };
        print_msg(NAME("table_mod"), ofputil_encode_table_mod(&tm, ver, 5));
        tm.table_id = OFPTT_ALL;
        print_msg(NAME("table_mod_all"),
                  ofputil_encode_table_mod(&tm, ver, 5));

        print_msg(NAME("table_features_request"),
                  ofputil_encode_table_features_request(ver, 0x42, NULL, 0));
        struct ofputil_table_features *tfs = xcalloc(254, sizeof *tfs);
        for (int i = 0; i < 254; i++) {
            sample_features(&tfs[i], i, 254);
        }
        tfs[3].max_entries = 1000;
        memset(tfs[200].nonmiss.write_setfield.bm, 0,
               sizeof tfs[200].nonmiss.write_setfield.bm);
        ofputil_encode_table_features_reply(&list, &req, tfs, 254);
        print_list(NAME("table_features"), &list);
        print_msg(NAME("table_features_set"),
                  ofputil_encode_table_features_request(ver, 0x43, tfs, 2));
        free(tfs);
    }
}

static uint32_t rnd_state;

static uint32_t
rnd(void)
{
    rnd_state = rnd_state * 1103515245 + 12345;
    return rnd_state >> 8;
}

static void
random_field_set(struct ofputil_field_set *fs, int density)
{
    memset(fs, 0, sizeof *fs);
    for (int i = 0; i < MFF_N_IDS; i++) {
        if (ofputil_table_features_can_name(i) && rnd() % 100 < density) {
            bitmap_set1(fs->bm, i);
        }
    }
}

static void
random_instructions(struct ofputil_table_instruction_features *f)
{
    memset(f, 0, sizeof *f);
    for (int t = 0; t < 255; t++) {
        if (rnd() % 4 == 0) {
            bitmap_set1(f->next, t);
        }
    }
    f->instructions = rnd() & 0x7e;
    f->write_actions = rnd() & 0xfffffff;
    f->apply_actions = rnd() % 2 ? f->write_actions : rnd() & 0xfffffff;
    random_field_set(&f->write_setfield, rnd() % 60);
    if (rnd() % 2) {
        f->apply_setfield = f->write_setfield;
    } else {
        random_field_set(&f->apply_setfield, rnd() % 60);
    }
}

static void
random_all(uint32_t seed, int count)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(9) };

    rnd_state = seed;
    for (int c = 0; c < count; c++) {
        struct ofputil_table_features tfs[6];
        int n = 1 + rnd() % 6;

        for (int i = 0; i < n; i++) {
            struct ofputil_table_features *tf = &tfs[i];
            if (i && rnd() % 3 == 0) {
                *tf = tfs[i - 1];       /* Exercise "ditto" and "same". */
                tf->table_id = tfs[i - 1].table_id + 1;
                if (rnd() % 2) {
                    tf->name[0] = '\0';
                }
                continue;
            }
            memset(tf, 0, sizeof *tf);
            tf->table_id = (i ? tfs[i - 1].table_id + 1 + rnd() % 2
                            : rnd() % 3);
            if (rnd() % 3 == 0) {
                snprintf(tf->name, sizeof tf->name, "t%d", tf->table_id);
            }
            tf->metadata_match = rnd() % 2 ? UINT64_MAX : rnd();
            tf->metadata_write = rnd() % 3 ? 0 : rnd();
            tf->max_entries = rnd() % 2 ? 0 : rnd();
            random_instructions(&tf->nonmiss);
            if (rnd() % 2) {
                tf->miss = tf->nonmiss;
            } else {
                random_instructions(&tf->miss);
            }
            random_field_set(&tf->match, rnd() % 100);
            random_field_set(&tf->mask, rnd() % 50);
            random_field_set(&tf->wildcard, rnd() % 100);
            for (int k = 0; k < MFF_N_IDS; k++) {
                if (mf_from_id(k)->maskable != MFM_FULLY) {
                    bitmap_set0(tf->mask.bm, k);
                }
            }
            bitmap_and(tf->mask.bm, tf->match.bm, MFF_N_IDS);
            bitmap_and(tf->wildcard.bm, tf->match.bm, MFF_N_IDS);
        }
        struct plx_list list;
        ofputil_encode_table_features_reply(&list, &req, tfs, n);
        print_list("random", &list);
    }
}

static struct ofpmsg *
msg_from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = xmalloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            plx_fatal(0, "bad hex");
        }
        buf[i] = byte;
    }
    struct ofpmsg *msg = ofpmsg_clone_data(buf, n);
    free(buf);
    return msg;
}

static void
put_field_set(const char *key, const struct ofputil_field_set *fs)
{
    size_t id;

    printf("%s=", key);
    BITMAP_FOR_EACH_1 (id, MFF_N_IDS, fs->bm) {
        printf("%s,", mf_from_id(id)->name);
    }
    printf("\n");
}

static void
decode(const char *hex)
{
    struct ofpmsg *msg = msg_from_hex(hex);
    const struct ofp_header *oh = ofpmsg_header(msg);
    enum ofptype type;
    enum ofperr error;

    if (msg->size < sizeof *oh || ntohs(oh->length) != msg->size) {
        printf("error=%s\n", ofperr_get_name(OFPERR_OFPBRC_BAD_LEN));
        ofpmsg_delete(msg);
        return;
    }
    error = ofptype_decode_msg(oh, &type);
    if (!error) {
        printf("type=%s\n", ofptype_get_name(type));
        switch (type) {
        case OFPTYPE_TABLE_MOD: {
            struct ofputil_table_mod tm;
            error = ofputil_decode_table_mod(oh, &tm);
            if (!error) {
                printf("table_id=%u\nconfig=%"PRIu32"\n", tm.table_id,
                       tm.config);
            }
            break;
        }
        case OFPTYPE_QUEUE_STATS_REQUEST: {
            struct ofputil_queue_stats_request r;
            error = ofputil_decode_queue_stats_request(oh, &r);
            if (!error) {
                printf("port_no=%"PRIu32"\nqueue_id=%"PRIu32"\n",
                       r.port_no, r.queue_id);
            }
            break;
        }
        case OFPTYPE_QUEUE_GET_CONFIG_REQUEST: {
            uint32_t port;
            error = ofputil_decode_queue_get_config_request(oh, &port);
            if (!error) {
                printf("port_no=%"PRIu32"\n", port);
            }
            break;
        }
        case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
        case OFPTYPE_TABLE_FEATURES_STATS_REPLY: {
            struct ofputil_table_features *tfs;
            size_t n;
            bool req = type == OFPTYPE_TABLE_FEATURES_STATS_REQUEST;
            if (req) {
                printf("set=%d\n", ofputil_table_features_request_is_set(oh));
            }
            error = ofputil_decode_table_features(oh, !req, &tfs, &n);
            if (!error) {
                printf("n_tables=%zu\n", n);
                for (size_t i = 0; i < n; i++) {
                    const struct ofputil_table_features *tf = &tfs[i];
                    printf("table_id=%u\nname=%s\nmax_entries=%"PRIu32"\n"
                           "metadata_match=0x%"PRIx64"\n"
                           "instructions=0x%"PRIx32"\n"
                           "write_actions=0x%"PRIx32"\n"
                           "apply_actions=0x%"PRIx32"\n", tf->table_id,
                           tf->name, tf->max_entries, tf->metadata_match,
                           tf->nonmiss.instructions,
                           tf->nonmiss.write_actions,
                           tf->nonmiss.apply_actions);
                    put_field_set("match", &tf->match);
                    put_field_set("mask", &tf->mask);
                    put_field_set("wildcard", &tf->wildcard);
                    put_field_set("apply_setfield",
                                  &tf->nonmiss.apply_setfield);
                }
                free(tfs);
            }
            break;
        }
        default:
            break;
        }
    }
    if (error) {
        printf("error=%s\n", ofperr_get_name(error));
    }
    ofpmsg_delete(msg);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc == 2 && !strcmp(argv[1], "encode")) {
        encode_all();
    } else if (argc == 4 && !strcmp(argv[1], "random")) {
        random_all(strtoul(argv[2], NULL, 0), atoi(argv[3]));
    } else if (argc == 3 && !strcmp(argv[1], "print")) {
        struct ofpmsg *msg = msg_from_hex(argv[2]);
        char *s = ofp_print_to_string(msg->data, msg->size);
        fputs(s, stdout);
        free(s);
        ofpmsg_delete(msg);
    } else if (argc == 3 && !strcmp(argv[1], "decode")) {
        decode(argv[2]);
    } else {
        plx_fatal(0, "usage: %s encode | random SEED COUNT | print HEX | "
                  "decode HEX", argv[0]);
    }
    return 0;
}
