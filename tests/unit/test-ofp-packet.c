/* Tests for lib/ofp-packet: PACKET_IN and PACKET_OUT in OpenFlow 1.0 and
 * 1.3 (exact bytes where Debian's ovs-ofctl 3.1 decoded the same bytes,
 * round trips, Open vSwitch's errors for malformed messages), the
 * packet-out text syntax and the ofp-print text (expected strings taken
 * from `ovs-ofctl ofp-print` of the same bytes). */
#include <config.h>
#include "ofp-packet.h"

#include <arpa/inet.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-msgs.h"
#include "test.h"
#include "util.h"

/* An ARP request, 42 bytes. */
static const char arp_hex[] =
    "ffffffffffff000000000001080600010800060400010000000000010a000001"
    "0000000000000a000002";

static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
    size_t n = 0;
    while (hex[0] && hex[1]) {
        unsigned int byte;
        CHECK(sscanf(hex, "%2x", &byte) == 1);
        CHECK(n < size);
        out[n++] = byte;
        hex += 2;
    }
    return n;
}


static struct ofpmsg *
msg_from_parts(const char *a, const char *b)
{
    char *hex = xasprintf("%s%s", a, b);
    struct ofpmsg *msg = test_ofpmsg_from_hex(hex);
    free(hex);
    ofpmsg_header(msg)->length = htons(msg->size);
    return msg;
}

static uint8_t arp[42];

static void
init_arp(void)
{
    CHECK_EQ(unhex(arp_hex, arp, sizeof arp), 42);
}

static struct ofputil_packet_in
sample_pin(void)
{
    struct ofputil_packet_in pin;

    init_arp();
    memset(&pin, 0, sizeof pin);
    pin.packet = arp;
    pin.packet_len = sizeof arp;
    pin.total_len = sizeof arp;
    pin.buffer_id = OFP_NO_BUFFER;
    pin.reason = OFPR_NO_MATCH;
    pin.cookie = htobe64(UINT64_MAX);
    match_init_catchall(&pin.flow_metadata);
    match_set_in_port(&pin.flow_metadata, 1);
    return pin;
}

static void
check_pin_equal(const struct ofputil_packet_in *a,
                const struct ofputil_packet_in *b)
{
    CHECK_EQ(a->packet_len, b->packet_len);
    CHECK_MEMEQ(a->packet, b->packet, a->packet_len);
    CHECK_EQ(a->total_len, b->total_len);
    CHECK_U64_EQ(a->buffer_id, b->buffer_id);
    CHECK_EQ(a->reason, b->reason);
    CHECK_EQ(a->table_id, b->table_id);
    CHECK_U64_EQ(a->cookie, b->cookie);
    CHECK(match_equal(&a->flow_metadata, &b->flow_metadata));
}

static char *
pin_text(const struct ofputil_packet_in *pin)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ofputil_packet_in_format(pin, &s);
    return ds_steal_cstr(&s);
}

TEST(packet_in_10_bytes)
{
    struct ofputil_packet_in pin = sample_pin(), back;
    struct ofpmsg *msg = ofputil_encode_packet_in(&pin, OFP10_VERSION);
    char *hex = test_ofpmsg_to_hex(msg), *want = xasprintf(
        "010a003c00000000ffffffff002a00010000%s", arp_hex);

    CHECK_STREQ(hex, want);
    CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &back), 0);
    CHECK_U64_EQ(back.cookie, htobe64(UINT64_MAX));
    check_pin_equal(&pin, &back);
    char *text = pin_text(&back);
    CHECK_STREQ(text, "total_len=42 in_port=1 (via no_match) data_len=42 "
                "(unbuffered)");
    free(text);
    free(hex);
    free(want);
    ofpmsg_delete(msg);
}

TEST(packet_in_10_buffered_local_invalid_ttl)
{
    struct ofputil_packet_in pin = sample_pin(), back;
    struct ofpmsg *msg;
    char *hex, *want, *text;

    pin.buffer_id = 0x100;
    pin.total_len = 60;
    pin.reason = OFPR_INVALID_TTL;
    match_set_in_port(&pin.flow_metadata, MF_OFPP_LOCAL);
    msg = ofputil_encode_packet_in(&pin, OFP10_VERSION);
    hex = test_ofpmsg_to_hex(msg);
    want = xasprintf("010a003c0000000000000100003cfffe0200%s", arp_hex);
    CHECK_STREQ(hex, want);
    CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &back), 0);
    check_pin_equal(&pin, &back);
    text = pin_text(&back);
    CHECK_STREQ(text, "total_len=60 in_port=LOCAL (via invalid_ttl) "
                "data_len=42 buffer=0x00000100");
    free(text);
    free(hex);
    free(want);
    ofpmsg_delete(msg);
}

TEST(packet_in_13_round_trip)
{
    static const uint8_t reasons[] = { OFPR_NO_MATCH, OFPR_ACTION,
                                       OFPR_INVALID_TTL };

    for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
        for (int buffered = 0; buffered < 2; buffered++) {
            struct ofputil_packet_in pin = sample_pin(), back;

            pin.reason = reasons[i];
            pin.table_id = 3 + i;
            pin.cookie = htobe64(0xabcd + i);
            pin.buffer_id = buffered ? 0x42 : OFP_NO_BUFFER;
            pin.total_len = buffered ? 1500 : 42;
            match_set_in_port(&pin.flow_metadata, 5);
            match_set_metadata_masked(&pin.flow_metadata, htobe64(9),
                                      htobe64(UINT64_MAX));
            match_set_tun_id_masked(&pin.flow_metadata, htobe64(0xff),
                                    htobe64(UINT64_MAX));

            struct ofpmsg *msg = ofputil_encode_packet_in(&pin,
                                                          OFP13_VERSION);
            const struct ofp_header *oh = ofpmsg_header(msg);
            CHECK_EQ(oh->version, OFP13_VERSION);
            CHECK_EQ(oh->type, OFPT13_PACKET_IN);
            CHECK_EQ(ntohs(oh->length), msg->size);
            /* header 8 + fixed 16 + match 4+8+12+12 -> 40 + pad 2. */
            CHECK_EQ(msg->size, 8 + 16 + 40 + 2 + 42);
            CHECK_EQ(ofputil_decode_packet_in(oh, &back), 0);
            check_pin_equal(&pin, &back);
            ofpmsg_delete(msg);
        }
    }
}

TEST(packet_in_13_ovs_bytes)
{
    /* Bytes that ovs-ofctl ofp-print printed as below. */
    struct ofpmsg *msg = msg_from_parts(
        "040a006400000000000000420" "5dc0203ffffffffffffffff"
        "00010024800000040000000580000408000000000000000980004c08"
        "00000000000000ff000000000000", arp_hex);
    struct ofputil_packet_in pin;

    CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &pin), 0);
    CHECK_EQ(pin.reason, OFPR_INVALID_TTL);
    CHECK_EQ(pin.table_id, 3);
    CHECK_EQ(pin.buffer_id, 0x42);
    CHECK_EQ(pin.total_len, 1500);
    CHECK_EQ(pin.packet_len, 42);
    CHECK_EQ(pin.flow_metadata.flow.in_port, 5);
    CHECK_U64_EQ(be64toh(pin.flow_metadata.flow.metadata), 9);
    CHECK_U64_EQ(be64toh(pin.flow_metadata.flow.tunnel.tun_id), 0xff);
    char *text = pin_text(&pin);
    CHECK_STREQ(text, "table_id=3 total_len=1500 tun_id=0xff,metadata=0x9,"
                "in_port=5 (via invalid_ttl) data_len=42 "
                "buffer=0x00000042");
    free(text);
    ofpmsg_delete(msg);

    /* Empty match, total_len != data_len, cookie. */
    msg = msg_from_parts("040a00000000000" "0ffffffff003200070000000000"
                         "00abcd00010004000000000000", arp_hex);
    CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &pin), 0);
    text = pin_text(&pin);
    CHECK_STREQ(text, "table_id=7 cookie=0xabcd total_len=50  (via "
                "no_match) data_len=42 (unbuffered) "
                "(***total_len != data_len***)");
    free(text);
    ofpmsg_delete(msg);
}

TEST(packet_in_reasons_text)
{
    char buf[8];

    CHECK_STREQ(ofputil_packet_in_reason_to_string(0, buf, sizeof buf),
                "no_match");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(1, buf, sizeof buf),
                "action");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(2, buf, sizeof buf),
                "invalid_ttl");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(5, buf, sizeof buf),
                "packet_out");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(7, buf, sizeof buf), "");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(9, buf, sizeof buf), "9");
    CHECK_STREQ(ofputil_packet_in_reason_to_string(255, buf, sizeof buf),
                "255");
}

TEST(packet_in_decode_errors)
{
    static const struct {
        const char *hex;
        enum ofperr error;
    } cases[] = {
        /* 1.0 body shorter than its 10 fixed bytes. */
        { "010a0011000000000000000000000000ff", OFPERR_OFPBRC_BAD_LEN },
        /* 1.3: no room for the match header. */
        { "040a001a00000000ffffffff002a00000000000000000000ffff",
          OFPERR_OFPBMC_BAD_LEN },
        /* 1.3: match length runs past the end. */
        { "040a002000000000ffffffff002a00000000000000000000""0001002080000004",
          OFPERR_OFPBMC_BAD_LEN },
        /* 1.3: match of type STANDARD. */
        { "040a002200000000ffffffff002a00000000000000000000"
          "00000004000000000000", OFPERR_OFPBMC_BAD_TYPE },
        /* 1.3: match fine, pad bytes missing. */
        { "040a002000000000ffffffff002a00000000000000000000"
          "0001000400000000", OFPERR_OFPBRC_BAD_LEN },
        /* 1.3: a masked TLV with bits outside its mask. */
        { "040a003200000000ffffffff002a00000000000000000000"
          "000100188000051000000000000000030000000000000001"
          "0000", OFPERR_OFPBMC_BAD_WILDCARDS },
        /* Not a PACKET_IN. */
        { "010d001000000000ffffffff00010000", OFPERR_OFPBRC_BAD_TYPE },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpmsg *msg = test_ofpmsg_from_hex(cases[i].hex);
        struct ofputil_packet_in pin;
        enum ofperr error;

        /* Keep the header's length honest for cases that test the body. */
        ofpmsg_header(msg)->length = htons(msg->size);
        error = ofputil_decode_packet_in(ofpmsg_header(msg), &pin);
        CHECK_MSG(error == cases[i].error, "case %zu: %s, want %s", i,
                  ofperr_get_name(error), ofperr_get_name(cases[i].error));
        ofpmsg_delete(msg);
    }
}

TEST(packet_in_lenient_match)
{
    /* An unknown OXM field (class 0x8000, field 0x7f) in a switch's
     * PACKET_IN is skipped, as Open vSwitch's loose decoding does. */
    struct ofpmsg *msg = msg_from_parts(
        "040a000000000000ffffffff002a00000000000000000000"
        "0001001480000004000000028000fe0400000001000000000000", arp_hex);
    struct ofputil_packet_in pin;

    CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &pin), 0);
    CHECK_EQ(pin.flow_metadata.flow.in_port, 2);
    CHECK_EQ(pin.packet_len, 42);
    ofpmsg_delete(msg);
}

TEST(packet_in_huge_packet_is_cut)
{
    size_t n = 70000;
    uint8_t *big = xmalloc(n);
    struct ofputil_packet_in pin = sample_pin(), back;

    memset(big, 0xab, n);
    pin.packet = big;
    pin.packet_len = n;
    pin.total_len = n;
    for (int v = 0; v < 2; v++) {
        uint8_t version = v ? OFP13_VERSION : OFP10_VERSION;
        struct ofpmsg *msg = ofputil_encode_packet_in(&pin, version);

        CHECK_EQ(msg->size, OFP_MAX_MSG_LEN);
        CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &back), 0);
        CHECK_EQ(back.total_len, UINT16_MAX);
        CHECK_LT(back.packet_len, n);
        CHECK_MEMEQ(back.packet, big, back.packet_len);
        ofpmsg_delete(msg);
    }
    free(big);
}

/* ---- PACKET_OUT. ---- */

static char *
po_text(const struct ofputil_packet_out *po)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ofputil_packet_out_format(po, &s);
    return ds_steal_cstr(&s);
}

TEST(packet_out_10_bytes)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER, back_acts;
    struct ofputil_packet_out po, back;
    enum ofperr error;

    init_arp();
    ofpa_put_output(&acts, 2, 0);
    po = (struct ofputil_packet_out) {
        .packet = arp, .packet_len = sizeof arp,
        .buffer_id = OFP_NO_BUFFER, .in_port = 1,
        .ofpacts = acts.data, .ofpacts_len = acts.size,
    };
    struct ofpmsg *msg = ofputil_encode_packet_out(&po, OFP10_VERSION, 0,
                                                   &error);
    CHECK(msg && !error);
    char *hex = test_ofpmsg_to_hex(msg);
    char *want = xasprintf("010d004200000000ffffffff000100080000000800020000"
                           "%s", arp_hex);
    CHECK_STREQ(hex, want);

    ofpa_buf_init(&back_acts);
    CHECK_EQ(ofputil_decode_packet_out(ofpmsg_header(msg), &back,
                                       &back_acts), 0);
    CHECK_EQ(back.in_port, 1);
    CHECK_EQ(back.buffer_id, OFP_NO_BUFFER);
    CHECK_EQ(back.packet_len, 42);
    CHECK_MEMEQ(back.packet, arp, 42);
    CHECK(ofpacts_same(back.ofpacts, back.ofpacts_len, acts.data,
                       acts.size));
    char *text = po_text(&back);
    CHECK_STREQ(text, "in_port=1 actions=output:2 data_len=42");
    free(text);
    free(hex);
    free(want);
    ofpmsg_delete(msg);
    ofpa_buf_uninit(&acts);
    ofpa_buf_uninit(&back_acts);
}

TEST(packet_out_round_trip)
{
    static const uint32_t ports[] = { 1, 7, 0xfeff, MF_OFPP_LOCAL,
                                      MF_OFPP_CONTROLLER };

    init_arp();
    for (int v = 0; v < 2; v++) {
        uint8_t version = v ? OFP13_VERSION : OFP10_VERSION;
        for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
            for (int buffered = 0; buffered < 2; buffered++) {
                struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
                struct ofpa_buf back_acts = OFPA_BUF_INITIALIZER;
                struct ofputil_packet_out po, back;
                enum ofperr error;

                CHECK_NO_ERROR(ofpacts_text_parse(
                    v ? "set_field:00:11:22:33:44:55->eth_dst,output:3,"
                        "CONTROLLER:128"
                      : "mod_dl_dst:00:11:22:33:44:55,output:3,"
                        "CONTROLLER:128", &acts));
                po = (struct ofputil_packet_out) {
                    .packet = buffered ? NULL : arp,
                    .packet_len = buffered ? 0 : sizeof arp,
                    .buffer_id = buffered ? 77 : OFP_NO_BUFFER,
                    .in_port = ports[i],
                    .ofpacts = acts.data, .ofpacts_len = acts.size,
                };
                struct ofpmsg *msg = ofputil_encode_packet_out(
                    &po, version, 0x1234, &error);
                CHECK(msg && !error);
                CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 0x1234);
                CHECK_EQ(ofputil_decode_packet_out(ofpmsg_header(msg),
                                                   &back, &back_acts), 0);
                CHECK_EQ(back.in_port, ports[i]);
                CHECK_EQ(back.buffer_id, po.buffer_id);
                CHECK_EQ(back.packet_len, po.packet_len);
                CHECK(buffered ? !back.packet
                      : !memcmp(back.packet, arp, sizeof arp));
                CHECK(ofpacts_same(back.ofpacts, back.ofpacts_len,
                                   acts.data, acts.size));
                ofpmsg_delete(msg);
                ofpa_buf_uninit(&acts);
                ofpa_buf_uninit(&back_acts);
            }
        }
    }
}

TEST(packet_out_decode_appends)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    struct ofpmsg *msg = test_ofpmsg_from_hex(
        "040d002800000000ffffffff0000000100100000000000000000001000000002"
        "0000000000000000");

    ofpa_put_output(&acts, 9, 0);
    size_t before = acts.size;
    CHECK_EQ(ofputil_decode_packet_out(ofpmsg_header(msg), &po, &acts), 0);
    CHECK_EQ(acts.size, 2 * before);
    CHECK(po.ofpacts == (uint8_t *) acts.data + before);
    CHECK_EQ(po.ofpacts_len, before);
    CHECK_EQ(OFPA_CAST(ofpa_output, po.ofpacts)->port, 2);
    CHECK_EQ(po.packet_len, 0);
    CHECK(po.packet != NULL);
    ofpmsg_delete(msg);
    ofpa_buf_uninit(&acts);
}

TEST(packet_out_none_is_controller)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    struct ofpmsg *msg;

    /* 1.0 OFPP_NONE, buffered: trailing bytes ignored. */
    msg = test_ofpmsg_from_hex(
        "010d001a0000000000000100ffff00080000000800020000"
        "abcd");
    CHECK_EQ(ofputil_decode_packet_out(ofpmsg_header(msg), &po, &acts), 0);
    CHECK_EQ(po.in_port, MF_OFPP_CONTROLLER);
    CHECK_EQ(po.buffer_id, 0x100);
    CHECK(po.packet == NULL && po.packet_len == 0);
    char *text = po_text(&po);
    CHECK_STREQ(text, "in_port=CONTROLLER actions=output:2 "
                "buffer=0x00000100");
    free(text);
    ofpmsg_delete(msg);

    /* 1.3 OFPP_ANY. */
    ofpa_buf_clear(&acts);
    msg = test_ofpmsg_from_hex(
        "040d001800000000ffffffffffffffff0000000000000000");
    CHECK_EQ(ofputil_decode_packet_out(ofpmsg_header(msg), &po, &acts), 0);
    CHECK_EQ(po.in_port, MF_OFPP_CONTROLLER);
    CHECK_EQ(po.ofpacts_len, 0);
    text = po_text(&po);
    CHECK_STREQ(text, "in_port=CONTROLLER actions=drop data_len=0");
    free(text);
    ofpmsg_delete(msg);
    ofpa_buf_uninit(&acts);
}

TEST(packet_out_decode_errors)
{
    /* Each with the error ovs-ofctl 3.1 ofp-print reports for it. */
    static const struct {
        const char *hex;
        enum ofperr error;
    } cases[] = {
        /* 1.0 reserved in_ports that are not LOCAL/CONTROLLER/NONE. */
        { "010d001800000000ffffffffff0000080000000800020000",
          OFPERR_OFPBRC_BAD_PORT },
        { "010d001800000000fffffffffff800080000000800020000",
          OFPERR_OFPBRC_BAD_PORT },
        { "010d001800000000fffffffffffa00080000000800020000",
          OFPERR_OFPBRC_BAD_PORT },
        /* 1.3: IN_PORT reserved port, OFPP_MAX. */
        { "040d002800000000fffffffffffffff800100000000000000000001000000002"
          "0000000000000000", OFPERR_OFPBRC_BAD_PORT },
        { "040d002800000000ffffffffffffff0000100000000000000000001000000002"
          "0000000000000000", OFPERR_OFPBRC_BAD_PORT },
        /* 1.3: a port Open vSwitch's 16-bit ports cannot hold. */
        { "040d002800000000ffffffff0000ff0000100000000000000000001000000002"
          "0000000000000000", OFPERR_OFPBAC_BAD_OUT_PORT },
        /* actions_len past the end, or not a multiple of 8. */
        { "010d001800000000ffffffff000100100000000800020000",
          OFPERR_OFPBRC_BAD_LEN },
        { "010d001800000000ffffffff000100040000000800020000",
          OFPERR_OFPBRC_BAD_LEN },
        { "040d002000000000ffffffff0000000100180000000000000000000800000002",
          OFPERR_OFPBRC_BAD_LEN },
        /* A bad action, with a bad in_port too: the action error wins,
         * as in Open vSwitch. */
        { "010d001800000000ffffffffff0000080063000800020000",
          OFPERR_OFPBAC_BAD_TYPE },
        /* An action whose length runs past actions_len. */
        { "010d001800000000ffffffff000100080000001000020000",
          OFPERR_OFPBAC_BAD_LEN },
        /* Shorter than the fixed part. */
        { "040d001400000000ffffffff00000001", OFPERR_OFPBRC_BAD_LEN },
        /* An unknown 1.3 action type. */
        { "040d002000000000ffffffff000000010008000000000000"
          "0063000800000000", OFPERR_OFPBAC_BAD_TYPE },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpmsg *msg = test_ofpmsg_from_hex(cases[i].hex);
        struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
        struct ofputil_packet_out po;
        enum ofperr error;

        ofpmsg_header(msg)->length = htons(msg->size);
        ofpa_put_output(&acts, 1, 0);
        size_t before = acts.size;
        error = ofputil_decode_packet_out(ofpmsg_header(msg), &po, &acts);
        CHECK_MSG(error == cases[i].error, "case %zu: %s, want %s", i,
                  ofperr_get_name(error), ofperr_get_name(cases[i].error));
        CHECK_EQ(acts.size, before);
        ofpmsg_delete(msg);
        ofpa_buf_uninit(&acts);
    }
}

TEST(packet_out_encode_errors)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    enum ofperr error;

    init_arp();
    /* group has no OpenFlow 1.0 form. */
    CHECK_NO_ERROR(ofpacts_text_parse("group:5", &acts));
    po = (struct ofputil_packet_out) {
        .packet = arp, .packet_len = sizeof arp,
        .buffer_id = OFP_NO_BUFFER, .in_port = 1,
        .ofpacts = acts.data, .ofpacts_len = acts.size,
    };
    CHECK(!ofputil_encode_packet_out(&po, OFP10_VERSION, 0, &error));
    CHECK_EQ(error, OFPERR_OFPBAC_BAD_TYPE);
    struct ofpmsg *msg = ofputil_encode_packet_out(&po, OFP13_VERSION, 0,
                                                   &error);
    CHECK(msg && !error);
    ofpmsg_delete(msg);

    /* A port with no 16-bit form. */
    ofpa_buf_clear(&acts);
    po.ofpacts_len = 0;
    po.in_port = 0x10000;
    CHECK(!ofputil_encode_packet_out(&po, OFP10_VERSION, 0, &error));
    CHECK_EQ(error, OFPERR_OFPBRC_BAD_PORT);

    /* Too big for one message. */
    uint8_t *big = xzalloc(65535);
    po.in_port = 1;
    po.packet = big;
    po.packet_len = 65535 - 16;
    msg = ofputil_encode_packet_out(&po, OFP10_VERSION, 0, &error);
    CHECK(msg && !error);
    CHECK_EQ(msg->size, 65535);
    ofpmsg_delete(msg);
    CHECK(!ofputil_encode_packet_out(&po, OFP13_VERSION, 0, &error));
    CHECK_EQ(error, OFPERR_OFPBRC_BAD_LEN);
    /* ...unless buffered: then the packet is not sent. */
    po.buffer_id = 3;
    msg = ofputil_encode_packet_out(&po, OFP13_VERSION, 0, &error);
    CHECK(msg && !error);
    CHECK_EQ(msg->size, 24);
    ofpmsg_delete(msg);
    free(big);
    ofpa_buf_uninit(&acts);
}

/* ---- Text. ---- */

static char *
parse_encode(const char *text, uint8_t version)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofputil_packet_out po;
    void *packet;
    enum ofperr error;

    CHECK_NO_ERROR(ofputil_parse_packet_out_str(text, &po, &packet, &acts));
    CHECK(po.packet == packet);
    struct ofpmsg *msg = ofputil_encode_packet_out(&po, version, 0, &error);
    CHECK_MSG(msg, "%s: %s", text, ofperr_get_name(error));
    char *hex = test_ofpmsg_to_hex(msg);
    ofpmsg_delete(msg);
    free(packet);
    ofpa_buf_uninit(&acts);
    return hex;
}

TEST(packet_out_text)
{
    char *text = xasprintf("in_port=1 packet=%s actions=output:2", arp_hex);
    char *hex = parse_encode(text, OFP10_VERSION);
    char *want = xasprintf("010d004200000000ffffffff000100080000000800020000"
                           "%s", arp_hex);
    CHECK_STREQ(hex, want);
    free(hex);
    free(text);

    /* Comma-separated, keywords in another order, same bytes. */
    text = xasprintf("packet=%s,in_port=1,actions=output:2", arp_hex);
    hex = parse_encode(text, OFP10_VERSION);
    CHECK_STREQ(hex, want);
    free(hex);
    free(text);
    free(want);

    /* Default in_port CONTROLLER; 1.3; several actions. */
    text = xasprintf("packet=%s actions=output:1,output:3", arp_hex);
    hex = parse_encode(text, OFP13_VERSION);
    want = xasprintf("040d006200000000fffffffffffffffd0020000000000000"
                     "00000010000000010000000000000000"
                     "00000010000000030000000000000000%s", arp_hex);
    CHECK_STREQ(hex, want);
    free(hex);
    free(text);
    free(want);

    /* in_port names, case-insensitively; NONE is CONTROLLER. */
    static const struct {
        const char *port;
        uint32_t value;
    } ports[] = {
        { "LOCAL", MF_OFPP_LOCAL }, { "local", MF_OFPP_LOCAL },
        { "controller", MF_OFPP_CONTROLLER },
        { "none", MF_OFPP_CONTROLLER }, { "ANY", MF_OFPP_CONTROLLER },
        { "65534", MF_OFPP_LOCAL }, { "4294967293", MF_OFPP_CONTROLLER },
        { "65279", 65279 }, { "65280", MF_OFPP_MAX },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
        struct ofputil_packet_out po;
        void *packet;

        text = xasprintf("in_port=%s,packet=%s", ports[i].port, arp_hex);
        CHECK_NO_ERROR(ofputil_parse_packet_out_str(text, &po, &packet,
                                                    &acts));
        CHECK_EQ(po.in_port, ports[i].value);
        CHECK_EQ(po.ofpacts_len, 0);
        CHECK_EQ(po.buffer_id, OFP_NO_BUFFER);
        free(packet);
        free(text);
        ofpa_buf_uninit(&acts);
    }
}

TEST(packet_out_text_errors)
{
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        { "in_port=1 actions=drop", "must specify packet" },
        { "in_port=1", "must specify packet" },
        { "in_port=1 packet=ffffffffffff0000 actions=drop",
          "packet: Packet data too short for Ethernet" },
        { "packet=ffffffffffff00000000000108060x", "packet: Trailing "
          "garbage in packet data" },
        { "packet=ffffffffffff0000000000010806f", "packet: Trailing "
          "garbage in packet data" },
        { "in_port=IN_PORT,packet=ffffffffffff000000000001080600",
          "IN_PORT is not a valid OpenFlow port for PACKET_OUT" },
        { "in_port=65281,packet=ffffffffffff000000000001080600",
          "65281 is not a valid OpenFlow port for PACKET_OUT" },
        { "in_port=70000,packet=ffffffffffff000000000001080600",
          "70000 is not a valid OpenFlow port" },
        { "in_port=-1,packet=ffffffffffff000000000001080600",
          "-1 is not a valid OpenFlow port" },
        { "in_port=eth0,packet=ffffffffffff000000000001080600",
          "eth0 is not a valid OpenFlow port" },
        { "in_port,packet=ffffffffffff000000000001080600",
          "field in_port missing value" },
        { "bogus=1,packet=ffffffffffff000000000001080600",
          "unknown keyword bogus" },
        { "packet=ffffffffffff000000000001080600 actions=output:bad",
          NULL },
        { "packet=ffffffffffff000000000001080600 actions=goto_table:1",
          NULL },
        { "tun_id=5,packet=ffffffffffff000000000001080600", NULL },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
        struct ofputil_packet_out po;
        void *packet = (void *) 1;

        ofpa_put_output(&acts, 1, 0);
        size_t before = acts.size;
        char *error = ofputil_parse_packet_out_str(cases[i].text, &po,
                                                   &packet, &acts);
        CHECK_MSG(error, "case %zu (%s) parsed", i, cases[i].text);
        if (cases[i].error) {
            CHECK_STREQ(error, cases[i].error);
        }
        CHECK(packet == NULL);
        CHECK_EQ(acts.size, before);
        free(error);
        ofpa_buf_uninit(&acts);
    }
}
