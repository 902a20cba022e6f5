/* Tests for lib/ofp-meter: METER_MOD and the meter stats, configuration
 * and features messages round-trip through encode and decode; bytes and
 * texts are what Debian's ovs-ofctl 3.1 sends and prints for the same
 * meters (see tests/interop/test_ofp_group.py); malformed messages and
 * text fail with Open vSwitch's errors. */
#include <config.h>
#include "ofp-meter.h"

#include <arpa/inet.h>
#include "dynamic-string.h"
#include "ofp-msgs.h"
#include "test.h"

static struct ofpmsg *
only_msg(struct plx_list *list)
{
    CHECK(plx_list_is_singleton(list));
    return CONTAINER_OF(plx_list_pop_front(list), struct ofpmsg, list_node);
}

static void
check_same_config(const struct ofputil_meter_config *a,
                  const struct ofputil_meter_config *b)
{
    CHECK_EQ(a->meter_id, b->meter_id);
    CHECK_EQ(a->flags, b->flags);
    CHECK_EQ(a->n_bands, b->n_bands);
    for (size_t i = 0; i < a->n_bands; i++) {
        CHECK_EQ(a->bands[i].type, b->bands[i].type);
        CHECK_EQ(a->bands[i].prec_level, b->bands[i].prec_level);
        CHECK_EQ(a->bands[i].rate, b->bands[i].rate);
        CHECK_EQ(a->bands[i].burst_size, b->bands[i].burst_size);
    }
}

/* Text, the METER_MOD (xid 2) ovs-ofctl -O OpenFlow13 sends, and what
 * ovs-ofctl ofp-print prints after the header line. */
static const struct {
    int command;
    const char *text;
    const char *hex;
    const char *printed;
} known_meters[] = {
    { OFPMC13_ADD,
      "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100 "
      "type=dscp_remark,rate=2000,burst_size=10,prec_level=1",
      "041d0030000000020000000d0000000100010010000003e80000006400000000"
      "00020010000007d00000000a01000000",
      " ADD meter=1 kbps burst stats bands=\ntype=drop rate=1000 "
      "burst_size=100\ntype=dscp_remark rate=2000 burst_size=10 "
      "prec_level=1\n" },
    { OFPMC13_ADD, "meter=2,pktps,band=type=drop,rate=5",
      "041d0020000000020000000200000002000100100000000500000000"
      "00000000",
      " ADD meter=2 pktps bands=\ntype=drop rate=5\n" },
    { OFPMC13_MODIFY,
      "meter=3,kbps,stats,bands=type=dscp_remark,rate=7,prec_level=3",
      "041d002000000002000100090000000300020010000000070000000003000000",
      " MOD meter=3 kbps stats bands=\ntype=dscp_remark rate=7 "
      "prec_level=3\n" },
    { OFPMC13_DELETE, "", "041d00100000000200020000ffffffff",
      " DEL meter=all bands=\n" },
    { OFPMC13_DELETE, "meter=4", "041d0010000000020002000000000004",
      " DEL meter=4 bands=\n" },
};

TEST(meter_mod_matches_ovs)
{
    for (size_t i = 0; i < ARRAY_SIZE(known_meters); i++) {
        struct ofputil_meter_mod mm, mm2;
        char *error = ofputil_parse_meter_mod(known_meters[i].text,
                                              known_meters[i].command, &mm);
        CHECK_MSG(!error, "%s: %s", known_meters[i].text, error);

        struct ofpmsg *msg = ofputil_encode_meter_mod(&mm, OFP13_VERSION, 2);
        char *hex = test_ofpmsg_to_hex(msg);
        CHECK_STREQ(hex, known_meters[i].hex);
        free(hex);

        CHECK_EQ(ofputil_decode_meter_mod(ofpmsg_header(msg), &mm2), 0);
        CHECK_EQ(mm2.command, mm.command);
        check_same_config(&mm.meter, &mm2.meter);

        struct ds s = DS_EMPTY_INITIALIZER;
        CHECK_EQ(ofputil_meter_msg_format(ofpmsg_header(msg), &s), 0);
        CHECK_STREQ(ds_cstr(&s), known_meters[i].printed);
        ds_destroy(&s);

        ofpmsg_delete(msg);
        ofputil_meter_mod_uninit(&mm);
        ofputil_meter_mod_uninit(&mm2);
    }
}

TEST(meter_mod_parse_details)
{
    struct ofputil_meter_mod mm;

    CHECK_NO_ERROR(ofputil_parse_meter_mod("meter=controller,pktps,"
                                           "bands=type=drop,rate=5",
                                           OFPMC13_ADD, &mm));
    CHECK_EQ(mm.meter.meter_id, OFPM13_CONTROLLER);
    ofputil_meter_mod_uninit(&mm);

    CHECK_NO_ERROR(ofputil_parse_meter_mod("meter=0x10 kbps bands=type=drop "
                                           "rate=9", OFPMC13_ADD, &mm));
    CHECK_EQ(mm.meter.meter_id, 16);
    CHECK_EQ(mm.meter.bands[0].rate, 9);
    ofputil_meter_mod_uninit(&mm);

    /* As ovs-ofctl, both units parse; a switch refuses the message. */
    CHECK_NO_ERROR(ofputil_parse_meter_mod("meter=1,kbps,pktps,bands=type="
                                           "drop,rate=5", OFPMC13_ADD, &mm));
    CHECK_EQ(mm.meter.flags, OFPMF13_KBPS | OFPMF13_PKTPS);
    struct ofpmsg *msg = ofputil_encode_meter_mod(&mm, OFP13_VERSION, 2);
    struct ofputil_meter_mod mm2;
    CHECK_EQ(ofputil_decode_meter_mod(ofpmsg_header(msg), &mm2),
             OFPERR_OFPMMFC_BAD_FLAGS);
    ofpmsg_delete(msg);
    ofputil_meter_mod_uninit(&mm);

    CHECK_NO_ERROR(ofputil_parse_meter_mod(NULL, -1, &mm));
    CHECK_EQ(mm.meter.meter_id, OFPM13_ALL);
    CHECK_NO_ERROR(ofputil_parse_meter_mod("meter=slowpath", -1, &mm));
    CHECK_EQ(mm.meter.meter_id, OFPM13_SLOWPATH);
    CHECK_NO_ERROR(ofputil_parse_meter_mod("meter=all", OFPMC13_DELETE,
                                           &mm));
    CHECK_EQ(mm.meter.meter_id, OFPM13_ALL);
}

static const struct {
    int command;
    const char *text;
    const char *error;
} bad_texts[] = {
    { OFPMC13_ADD, "meter=1,kbps,bands=type=drop,rate=1000,burst_size=100",
      "band may have 'burst_size' only when 'burst' flag is set" },
    { OFPMC13_ADD, "meter=1,kbps,burst,bands=type=drop,rate=1000",
      "band must have 'burst_size' when 'burst' flag is set" },
    { OFPMC13_ADD, "meter=1,bands=type=drop,rate=1",
      "meter must specify either 'kbps' or 'pktps'" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=dscp_remark,rate=1",
      "'dscp_remark' band must have 'prec_level'" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=drop,rate=1,prec_level=2",
      "Only 'dscp_remark' band may have 'prec_level'" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=drop", "band must have 'rate'" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=drop,burst_size=3",
      "band must have 'rate'" },
    { OFPMC13_ADD, "meter=0,kbps,bands=type=drop,rate=1",
      "invalid value for meter" },
    { OFPMC13_ADD, "meter=4294901761,kbps,bands=type=drop,rate=1",
      "invalid value for meter" },
    { OFPMC13_ADD, "meter=1,kbps", "must specify bands" },
    { OFPMC13_ADD, "meter=1,kbps,bands=rate=1",
      "band must start with the 'type' keyword" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=foo,rate=1",
      "field type unknown value foo" },
    { OFPMC13_ADD, "kbps,bands=type=drop,rate=1", "must specify 'meter'" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=drop,rate=x",
      "invalid numeric format x" },
    { OFPMC13_ADD, "meter=1,kbps,bands=type=dscp_remark,rate=1,"
      "prec_level=300", "invalid prec_level \"300\"" },
    { OFPMC13_ADD, "meter=1,kbps,bogus=1,bands=type=drop,rate=1",
      "unknown keyword bogus" },
    { OFPMC13_DELETE, "meter=1,kbps", "field kbps missing value" },
    { OFPMC13_DELETE, "meter", "field meter missing value" },
    { 9, "meter=1", "9: unknown meter command" },
};

TEST(meter_mod_text_errors)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
        struct ofputil_meter_mod mm;
        char *error = ofputil_parse_meter_mod(bad_texts[i].text,
                                              bad_texts[i].command, &mm);
        CHECK_MSG(error, "%s: accepted", bad_texts[i].text);
        CHECK_STREQ(error, bad_texts[i].error);
        CHECK(!mm.meter.bands && !mm.meter.n_bands);
        free(error);
    }
}

static const struct {
    const char *hex;
    enum ofperr error;
} bad_mods[] = {
    /* Command 5. */
    { "041d0020000000020005000100000001000100100000000a0000000000000000",
      OFPERR_OFPMMFC_BAD_COMMAND },
    /* KBPS and PKTPS. */
    { "041d0020000000020000000300000001000100100000000a0000000000000000",
      OFPERR_OFPMMFC_BAD_FLAGS },
    /* A band of length 8. */
    { "041d0020000000020000000100000001000100080000000a0000000000000000",
      OFPERR_OFPBRC_BAD_LEN },
    /* An experimenter band. */
    { "041d0020000000020000000100000001ffff00100000000a0000000000002320",
      OFPERR_OFPMMFC_BAD_BAND },
    /* Band type 3. */
    { "041d0020000000020000000100000001000300100000000a0000000000000000",
      OFPERR_OFPMMFC_BAD_BAND },
    /* 8 bytes after the band. */
    { "041d0028000000020000000100000001000100100000000a0000000000000000"
      "0000000000000000",
      OFPERR_OFPBRC_BAD_LEN },
    /* A body that is not a multiple of 8 bytes. */
    { "041d00140000000200000001000000010001000c", OFPERR_OFPBRC_BAD_LEN },
    /* Short body. */
    { "041d000c0000000200000001", OFPERR_OFPBRC_BAD_LEN },
};

TEST(meter_mod_malformed)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_mods); i++) {
        struct ofpmsg *msg = test_ofpmsg_from_hex(bad_mods[i].hex);
        struct ofputil_meter_mod mm;

        CHECK_EQ(ntohs(ofpmsg_header(msg)->length), msg->size);
        enum ofperr error = ofputil_decode_meter_mod(ofpmsg_header(msg), &mm);
        CHECK_MSG(error == bad_mods[i].error, "case %zu: %s, wanted %s", i,
                  ofperr_get_name(error),
                  ofperr_get_name(bad_mods[i].error));
        CHECK(!mm.meter.bands && !mm.meter.n_bands);
        ofpmsg_delete(msg);
    }

    /* A DELETE's flags and bands are ignored, as in Open vSwitch. */
    struct ofpmsg *msg = test_ofpmsg_from_hex(
        "041d0020000000020002000300000001"
        "000300100000000a0000000000000000");
    struct ofputil_meter_mod mm;
    CHECK_EQ(ofputil_decode_meter_mod(ofpmsg_header(msg), &mm), 0);
    CHECK_EQ(mm.command, OFPMC13_DELETE);
    CHECK_EQ(mm.meter.meter_id, 1);
    CHECK_EQ(mm.meter.n_bands, 0);
    ofpmsg_delete(msg);

    /* A group message is not a meter message. */
    msg = test_ofpmsg_from_hex("040f0010000000020000000000000007");
    CHECK_EQ(ofputil_decode_meter_mod(ofpmsg_header(msg), &mm),
             OFPERR_OFPBRC_BAD_TYPE);
    ofpmsg_delete(msg);
}

TEST(meter_mod_check)
{
    struct ofputil_meter_features mf = {
        .max_meters = 100,
        .band_types = 1u << OFPMBT13_DROP,
        .capabilities = OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST,
        .max_bands = 1,
    };
    struct ofputil_meter_band drop = { OFPMBT13_DROP, 0, 10, 0 };
    struct ofputil_meter_band remark = { OFPMBT13_DSCP_REMARK, 1, 10, 0 };
    struct ofputil_meter_band zero = { OFPMBT13_DROP, 0, 0, 0 };
    struct ofputil_meter_band two[2] = { { OFPMBT13_DROP, 0, 10, 0 },
                                         { OFPMBT13_DROP, 0, 20, 0 } };
    static const struct {
        uint16_t command;
        uint32_t id;
        uint16_t flags;
        int band;
        enum ofperr error;
    } cases[] = {
        { OFPMC13_ADD, 1, OFPMF13_KBPS, 0, 0 },
        { OFPMC13_ADD, 0, OFPMF13_KBPS, 0, OFPERR_OFPMMFC_INVALID_METER },
        { OFPMC13_ADD, OFPM13_CONTROLLER, OFPMF13_KBPS, 0,
          OFPERR_OFPMMFC_INVALID_METER },
        { OFPMC13_MODIFY, 101, OFPMF13_KBPS, 0,
          OFPERR_OFPMMFC_OUT_OF_METERS },
        { OFPMC13_ADD, 1, OFPMF13_KBPS, 3, OFPERR_OFPMMFC_OUT_OF_BANDS },
        { OFPMC13_ADD, 1, OFPMF13_KBPS | OFPMF13_STATS, 0,
          OFPERR_OFPMMFC_BAD_FLAGS },
        { OFPMC13_ADD, 1, OFPMF13_KBPS, 1, OFPERR_OFPMMFC_BAD_BAND },
        { OFPMC13_ADD, 1, OFPMF13_KBPS, 2, OFPERR_OFPMMFC_BAD_RATE },
        { OFPMC13_DELETE, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofputil_meter_mod mm = {
            .command = cases[i].command,
            .meter = { cases[i].id, cases[i].flags,
                       cases[i].band == 3 ? 2 : 1,
                       (cases[i].band == 0 ? &drop
                        : cases[i].band == 1 ? &remark
                        : cases[i].band == 2 ? &zero : two) },
        };
        CHECK_MSG(ofputil_meter_mod_check(&mm, &mf) == cases[i].error,
                  "case %zu: %s", i,
                  ofperr_get_name(ofputil_meter_mod_check(&mm, &mf)));
    }
}

TEST(meter_requests)
{
    static const uint32_t ids[] = { 1, OFPM13_MAX, OFPM13_ALL };

    for (int stats = 0; stats < 2; stats++) {
        for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
            struct ofpmsg *msg = ofputil_encode_meter_request(
                stats, OFP13_VERSION, 3, ids[i]);
            uint32_t id;
            enum ofptype type;
            CHECK_EQ(ofptype_decode(msg->data, msg->size, &type), 0);
            CHECK_EQ(type, stats ? OFPTYPE_METER_STATS_REQUEST
                     : OFPTYPE_METER_CONFIG_STATS_REQUEST);
            CHECK_EQ(ofputil_decode_meter_request(ofpmsg_header(msg), &id),
                     0);
            CHECK_EQ(id, ids[i]);

            struct ds s = DS_EMPTY_INITIALIZER;
            CHECK_EQ(ofputil_meter_msg_format(ofpmsg_header(msg), &s), 0);
            CHECK_STREQ(ds_cstr(&s), (i == 0 ? " meter=1"
                                      : i == 1 ? " meter=4294901760"
                                      : " meter=all"));
            ds_destroy(&s);
            ofpmsg_delete(msg);
        }
    }
    uint32_t id;
    struct ofpmsg *msg = ofputil_encode_multipart_request(
        OFPTYPE_METER_FEATURES_STATS_REQUEST, OFP13_VERSION, 1);
    CHECK_EQ(ofputil_decode_meter_request(ofpmsg_header(msg), &id),
             OFPERR_OFPBRC_BAD_TYPE);
    ofpmsg_delete(msg);
}

TEST(meter_stats_reply)
{
    struct ofpmsg *req = ofputil_encode_meter_request(true, OFP13_VERSION,
                                                      13, OFPM13_ALL);
    struct ofputil_meter_band_stats mbs[2] = { { 5, 500 }, { 6, 600 } };
    struct ofputil_meter_stats ms[2] = {
        { 1, 4, 100, 10000, 30, 250000000, 2, mbs },
        { 2, 0, 0, 0, 1, 0, 0, NULL },
    };
    struct plx_list list;
    struct ofputil_meter_stats *out;
    size_t n;

    ofputil_encode_meter_stats_reply(&list, ofpmsg_header(req), ms, 2);
    struct ofpmsg *msg = only_msg(&list);
    CHECK_EQ(ofputil_decode_meter_stats_reply(ofpmsg_header(msg), &out, &n),
             0);
    CHECK_EQ(n, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(out[i].meter_id, ms[i].meter_id);
        CHECK_EQ(out[i].flow_count, ms[i].flow_count);
        CHECK_U64_EQ(out[i].packet_in_count, ms[i].packet_in_count);
        CHECK_U64_EQ(out[i].byte_in_count, ms[i].byte_in_count);
        CHECK_EQ(out[i].duration_sec, ms[i].duration_sec);
        CHECK_EQ(out[i].duration_nsec, ms[i].duration_nsec);
        CHECK_EQ(out[i].n_bands, ms[i].n_bands);
        CHECK(!ms[i].n_bands || !memcmp(out[i].bands, ms[i].bands,
                                        ms[i].n_bands * sizeof *mbs));
    }
    ofputil_meter_stats_free(out, n);

    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_meter_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\nmeter:1 flow_count:4 packet_in_count:100 "
                "byte_in_count:10000 duration:30.250s bands:\n"
                "0: packet_count:5 byte_count:500\n"
                "1: packet_count:6 byte_count:600\n"
                "\nmeter:2 flow_count:0 packet_in_count:0 byte_in_count:0 "
                "duration:1s bands:\n");
    ds_destroy(&s);

    static const uint16_t lengths[] = { 8, 48, 0x200 };
    for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
        struct ofpmsg *bad = ofpmsg_clone(msg);
        bad->data[16 + 4] = lengths[i] >> 8;
        bad->data[16 + 5] = lengths[i];
        CHECK_EQ(ofputil_decode_meter_stats_reply(ofpmsg_header(bad), &out,
                                                  &n),
                 OFPERR_OFPBRC_BAD_LEN);
        CHECK(!out && !n);
        ofpmsg_delete(bad);
    }
    ofpmsg_delete(msg);
    ofpmsg_delete(req);
}

TEST(meter_config_reply)
{
    struct ofpmsg *req = ofputil_encode_meter_request(false, OFP13_VERSION,
                                                      14, 1);
    struct ofputil_meter_band bands[2] = {
        { OFPMBT13_DROP, 0, 1000, 100 },
        { OFPMBT13_DSCP_REMARK, 1, 2000, 10 },
    };
    struct ofputil_meter_band drop = { OFPMBT13_DROP, 0, 5000, 0 };
    struct ofputil_meter_config mc[2] = {
        { 1, OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS, 2, bands },
        { 2, OFPMF13_PKTPS, 1, &drop },
    };
    struct plx_list list;
    struct ofputil_meter_config *out;
    size_t n;

    ofputil_encode_meter_config_reply(&list, ofpmsg_header(req), mc, 2);
    struct ofpmsg *msg = only_msg(&list);
    CHECK_EQ(ofputil_decode_meter_config_reply(ofpmsg_header(msg), &out, &n),
             0);
    CHECK_EQ(n, 2);
    check_same_config(&out[0], &mc[0]);
    check_same_config(&out[1], &mc[1]);
    ofputil_meter_config_free(out, n);

    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_meter_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\nmeter=1 kbps burst stats bands=\n"
                "type=drop rate=1000 burst_size=100\n"
                "type=dscp_remark rate=2000 burst_size=10 prec_level=1\n"
                "\nmeter=2 pktps bands=\ntype=drop rate=5000\n");
    ds_destroy(&s);

    /* Entry length 4; past the end; an experimenter band. */
    static const struct {
        size_t ofs;
        uint16_t value;
        enum ofperr error;
    } pokes[] = {
        { 16, 4, OFPERR_OFPBRC_BAD_LEN },
        { 16, 0x400, OFPERR_OFPBRC_BAD_LEN },
        { 24, 0xffff, OFPERR_OFPMMFC_BAD_BAND },
        { 26, 24, OFPERR_OFPBRC_BAD_LEN },
    };
    for (size_t i = 0; i < ARRAY_SIZE(pokes); i++) {
        struct ofpmsg *bad = ofpmsg_clone(msg);
        bad->data[pokes[i].ofs] = pokes[i].value >> 8;
        bad->data[pokes[i].ofs + 1] = pokes[i].value;
        CHECK_EQ(ofputil_decode_meter_config_reply(ofpmsg_header(bad), &out,
                                                   &n), pokes[i].error);
        CHECK(!out && !n);
        ofpmsg_delete(bad);
    }

    ofpmsg_delete(msg);

    /* Many meters split across messages. */
    size_t many = 3000;
    struct ofputil_meter_config *big = xcalloc(many, sizeof *big);
    for (size_t i = 0; i < many; i++) {
        big[i] = (struct ofputil_meter_config) { i + 1, OFPMF13_KBPS, 1,
                                                 &drop };
    }
    ofputil_encode_meter_config_reply(&list, ofpmsg_header(req), big, many);
    CHECK_GT(plx_list_size(&list), 1);
    size_t total = 0;
    LIST_FOR_EACH_POP (msg, list_node, &list) {
        CHECK_EQ(ofputil_decode_meter_config_reply(ofpmsg_header(msg), &out,
                                                   &n), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK_EQ(out[i].meter_id, total + i + 1);
        }
        total += n;
        ofputil_meter_config_free(out, n);
        ofpmsg_delete(msg);
    }
    CHECK_EQ(total, many);
    free(big);
    ofpmsg_delete(req);
}

TEST(meter_features)
{
    struct ofpmsg *req = ofputil_encode_multipart_request(
        OFPTYPE_METER_FEATURES_STATS_REQUEST, OFP13_VERSION, 15);
    struct ofputil_meter_features mf = {
        .max_meters = 65536,
        .band_types = (1u << OFPMBT13_DROP) | (1u << 9),
        .capabilities = OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST
                        | OFPMF13_STATS,
        .max_bands = 1,
        .max_color = 7,
    }, out;

    struct ofpmsg *msg = ofputil_encode_meter_features_reply(
        &mf, ofpmsg_header(req));
    CHECK_EQ(ofputil_decode_meter_features_reply(ofpmsg_header(msg), &out),
             0);
    CHECK_EQ(out.max_meters, mf.max_meters);
    CHECK_EQ(out.band_types, mf.band_types);
    CHECK_EQ(out.capabilities, mf.capabilities);
    CHECK_EQ(out.max_bands, mf.max_bands);
    CHECK_EQ(out.max_color, mf.max_color);

    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_meter_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\nmax_meter:65536 max_bands:1 max_color:7\n"
                "band_types: drop 0x200\n"
                "capabilities: kbps pktps burst stats\n");
    ds_destroy(&s);

    struct ofpmsg *bad = ofpmsg_clone(msg);
    ofpmsg_put_zeros(bad, 8);
    ofpmsg_finish(bad);
    CHECK_EQ(ofputil_decode_meter_features_reply(ofpmsg_header(bad), &out),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(bad);
    ofpmsg_delete(msg);
    ofpmsg_delete(req);
}
