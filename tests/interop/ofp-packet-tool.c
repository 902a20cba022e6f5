/* ofp-packet-tool: lets tests/interop/test_ofp_packet.py hold Plexus's
 * PACKET_IN and PACKET_OUT codecs against real peers.
 *
 *   ofp-packet-tool encode
 *       prints "NAME HEX" lines, one per sample PACKET_IN and PACKET_OUT
 *       that Plexus encodes (names end in _1 or _4, the version);
 *   ofp-packet-tool decode HEX
 *       decodes one PACKET_IN or PACKET_OUT and prints "key=value" lines
 *       (or "error=NAME" if Plexus rejects it), "text=" being what
 *       ofputil_packet_in_format() / ofputil_packet_out_format() print;
 *   ofp-packet-tool packet-out VERSION TEXT
 *       parses ovs-ofctl packet-out TEXT and prints the encoded message's
 *       hex (xid 0), or "error=MESSAGE". */
#include <config.h>
#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "util.h"

/* An ARP request and a TCP SYN, as test frames. */
static const char arp_hex[] =
    "ffffffffffff000000000001080600010800060400010000000000010a000001"
    "0000000000000a000002";
static const char tcp_hex[] =
    "0000000000020000000000010800450000280001000040067ccd0a0000010a000002"
    "04d2005000000000000000005002200091a00000";

static uint8_t *
unhex(const char *hex, size_t *np)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = xmalloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            fprintf(stderr, "bad hex\n");
            exit(1);
        }
        p[i] = byte;
    }
    *np = n;
    return p;
}

static void
print_msg(const char *name, uint8_t version, struct ofpmsg *msg)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_hex(&ds, msg->data, msg->size);
    printf("%s_%d %s\n", name, version, ds_cstr(&ds));
    ds_destroy(&ds);
    ofpmsg_delete(msg);
}

static void
encode_all(void)
{
    static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };
    size_t arp_len, tcp_len;
    uint8_t *arp = unhex(arp_hex, &arp_len);
    uint8_t *tcp = unhex(tcp_hex, &tcp_len);

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t ver = versions[v];
        struct ofputil_packet_in pin;

        /* Table miss, unbuffered. */
        memset(&pin, 0, sizeof pin);
        pin.packet = arp;
        pin.packet_len = pin.total_len = arp_len;
        pin.buffer_id = OFP_NO_BUFFER;
        pin.reason = OFPR_NO_MATCH;
        pin.cookie = htobe64(UINT64_MAX);
        match_init_catchall(&pin.flow_metadata);
        match_set_in_port(&pin.flow_metadata, 3);
        print_msg("pin_miss", ver, ofputil_encode_packet_in(&pin, ver));

        /* Controller action, buffered, first 20 of 54 bytes, in table 2
         * with a cookie, from LOCAL. */
        pin.packet = tcp;
        pin.packet_len = 20;
        pin.total_len = tcp_len;
        pin.buffer_id = 0x1234;
        pin.reason = OFPR_ACTION;
        pin.table_id = 2;
        pin.cookie = htobe64(0xfeedbeef);
        match_init_catchall(&pin.flow_metadata);
        match_set_in_port(&pin.flow_metadata, MF_OFPP_LOCAL);
        print_msg("pin_action", ver, ofputil_encode_packet_in(&pin, ver));

        /* Invalid TTL, unbuffered, with metadata and a tunnel id. */
        pin.packet = tcp;
        pin.packet_len = pin.total_len = tcp_len;
        pin.buffer_id = OFP_NO_BUFFER;
        pin.reason = OFPR_INVALID_TTL;
        pin.table_id = 9;
        pin.cookie = htobe64(1);
        match_init_catchall(&pin.flow_metadata);
        match_set_in_port(&pin.flow_metadata, 7);
        match_set_metadata_masked(&pin.flow_metadata,
                                  htobe64(0x1122334455667788ull),
                                  htobe64(UINT64_MAX));
        match_set_tun_id_masked(&pin.flow_metadata, htobe64(0x5000),
                                htobe64(UINT64_MAX));
        print_msg("pin_ttl", ver, ofputil_encode_packet_in(&pin, ver));

        /* PACKET_OUTs. */
        static const struct {
            const char *name;
            uint32_t buffer_id;
            uint32_t in_port;
            const char *actions;
        } pos[] = {
            { "po_packet", OFP_NO_BUFFER, 1, "output:2" },
            { "po_controller", OFP_NO_BUFFER, MF_OFPP_CONTROLLER,
              "strip_vlan,output:1,output:3" },
            { "po_buffered", 0x55, MF_OFPP_LOCAL, "NORMAL" },
            { "po_drop", OFP_NO_BUFFER, 9, "" },
            { "po_set", OFP_NO_BUFFER, 4,
              "mod_dl_src:00:11:22:33:44:55,mod_nw_tos:16,"
              "enqueue:5:7,CONTROLLER:64,IN_PORT" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(pos); i++) {
            struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
            char *error = ofpacts_text_parse(pos[i].actions, &acts);
            plx_assert(!error);
            if (ver == OFP13_VERSION && !strcmp(pos[i].name, "po_set")) {
                /* 1.3 has no enqueue, and mod_nw_tos needs an IP flow. */
                ofpa_buf_clear(&acts);
                error = ofpacts_text_parse(
                    "set_field:00:11:22:33:44:55->eth_src,set_queue:7,"
                    "group:3,CONTROLLER:64,IN_PORT", &acts);
                plx_assert(!error);
            }
            struct ofputil_packet_out po = {
                .packet = i % 2 ? tcp : arp,
                .packet_len = i % 2 ? tcp_len : arp_len,
                .buffer_id = pos[i].buffer_id,
                .in_port = pos[i].in_port,
                .ofpacts = acts.data,
                .ofpacts_len = acts.size,
            };
            enum ofperr err;
            struct ofpmsg *msg = ofputil_encode_packet_out(&po, ver, 0x99,
                                                           &err);
            if (!msg) {
                fprintf(stderr, "%s: %s\n", pos[i].name,
                        ofperr_get_name(err));
                exit(1);
            }
            print_msg(pos[i].name, ver, msg);
            ofpa_buf_uninit(&acts);
        }
    }
    free(arp);
    free(tcp);
}

static void
print_hex_field(const char *key, const void *p, size_t n)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_hex(&ds, p, n);
    printf("%s=%s\n", key, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
decode(const char *hex)
{
    size_t n;
    uint8_t *data = unhex(hex, &n);
    enum ofptype type;
    enum ofperr error = ofptype_decode(data, n, &type);
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (error) {
        printf("error=%s\n", ofperr_get_name(error));
    } else if (type == OFPTYPE_PACKET_IN) {
        struct ofputil_packet_in pin;

        error = ofputil_decode_packet_in((const void *) data, &pin);
        if (error) {
            printf("error=%s\n", ofperr_get_name(error));
        } else {
            const struct flow *f = &pin.flow_metadata.flow;
            const struct flow_wildcards *wc = &pin.flow_metadata.wc;

            printf("type=OFPT_PACKET_IN\n");
            printf("buffer_id=%"PRIu32"\n", pin.buffer_id);
            printf("total_len=%zu\n", pin.total_len);
            printf("reason=%d\n", pin.reason);
            printf("table_id=%d\n", pin.table_id);
            printf("cookie=%"PRIu64"\n", be64toh(pin.cookie));
            printf("in_port=%"PRIu32"\n", f->in_port);
            if (wc->masks.metadata) {
                printf("metadata=%"PRIu64"\n", be64toh(f->metadata));
            }
            if (wc->masks.tunnel.tun_id) {
                printf("tun_id=%"PRIu64"\n", be64toh(f->tunnel.tun_id));
            }
            print_hex_field("data", pin.packet, pin.packet_len);
            ofputil_packet_in_format(&pin, &ds);
            printf("text=%s\n", ds_cstr(&ds));
        }
    } else if (type == OFPTYPE_PACKET_OUT) {
        struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
        struct ofputil_packet_out po;

        error = ofputil_decode_packet_out((const void *) data, &po, &acts);
        if (error) {
            printf("error=%s\n", ofperr_get_name(error));
        } else {
            printf("type=OFPT_PACKET_OUT\n");
            printf("buffer_id=%"PRIu32"\n", po.buffer_id);
            printf("in_port=%"PRIu32"\n", po.in_port);
            ofpacts_text_format(po.ofpacts, po.ofpacts_len, &ds);
            printf("actions=%s\n", ds_cstr(&ds));
            ds_clear(&ds);
            print_hex_field("data", po.packet, po.packet_len);
            ofputil_packet_out_format(&po, &ds);
            printf("text=%s\n", ds_cstr(&ds));
        }
        ofpa_buf_uninit(&acts);
    } else {
        printf("type=%s\n", ofptype_get_name(type));
    }
    ds_destroy(&ds);
    free(data);
}

static void
packet_out(const char *version, const char *text)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    void *packet;
    char *error = ofputil_parse_packet_out_str(text, &po, &packet, &acts);

    if (error) {
        printf("error=%s\n", error);
        free(error);
    } else {
        enum ofperr err;
        struct ofpmsg *msg = ofputil_encode_packet_out(&po, atoi(version),
                                                       0, &err);
        if (msg) {
            print_hex_field("hex", msg->data, msg->size);
            ofpmsg_delete(msg);
        } else {
            printf("error=%s\n", ofperr_get_name(err));
        }
        free(packet);
    }
    ofpa_buf_uninit(&acts);
}

int
main(int argc, char *argv[])
{
    if (argc == 2 && !strcmp(argv[1], "encode")) {
        encode_all();
    } else if (argc == 3 && !strcmp(argv[1], "decode")) {
        decode(argv[2]);
    } else if (argc == 4 && !strcmp(argv[1], "packet-out")) {
        packet_out(argv[2], argv[3]);
    } else {
        fprintf(stderr, "usage: %s encode | decode HEX | "
                "packet-out VERSION TEXT\n", argv[0]);
        return 1;
    }
    return 0;
}
