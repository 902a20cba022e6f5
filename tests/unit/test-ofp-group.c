/* Tests for lib/ofp-group: GROUP_MOD and the group stats, description and
 * features messages round-trip through encode and decode; the bytes and
 * texts are the ones Debian's ovs-ofctl 3.1 sends and prints for the same
 * groups (see tests/interop/test_ofp_group.py); malformed messages and
 * text fail with Open vSwitch's errors. */
#include <config.h>
#include "ofp-group.h"

#include <arpa/inet.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-msgs.h"
#include "test.h"

static void
parse_ok(const char *text, int command, struct ofputil_group_mod *gm)
{
    char *error = ofputil_parse_group_mod(text, command, gm);
    CHECK_MSG(!error, "%s: %s", text, error);
}

static bool
buckets_equal(const struct ofputil_bucket *a, size_t na,
              const struct ofputil_bucket *b, size_t nb)
{
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (a[i].weight != b[i].weight
            || a[i].watch_port != b[i].watch_port
            || a[i].watch_group != b[i].watch_group
            || !ofpacts_same(a[i].ofpacts, a[i].ofpacts_len,
                             b[i].ofpacts, b[i].ofpacts_len)) {
            return false;
        }
    }
    return true;
}

/* The GROUP_MOD for GM in hex, with COMMAND and xid 2.  Decoding is
 * faithful to the wire (strip_vlan comes back as pop_vlan), so round trips
 * compare these. */
static char *
group_hex(const struct ofputil_group_mod *gm)
{
    struct ofpmsg *msg = ofputil_encode_group_mod(gm, OFP13_VERSION, 2);
    char *hex = test_ofpmsg_to_hex(msg);
    ofpmsg_delete(msg);
    return hex;
}

static void
check_same_group(const struct ofputil_group_mod *a,
                 const struct ofputil_group_mod *b)
{
    char *ha = group_hex(a), *hb = group_hex(b);
    CHECK_STREQ(ha, hb);
    free(ha);
    free(hb);
}

/* Text, the GROUP_MOD (xid 2) ovs-ofctl -O OpenFlow13 sends for it, and
 * what ovs-ofctl ofp-print prints for that message. */
static const struct {
    int command;
    const char *text;
    const char *hex;
    const char *printed;
} known_groups[] = {
    { OFPGC11_ADD,
      "group_id=1,type=select,bucket=weight:100,watch_port:1,"
      "actions=output:1,bucket=actions=output:2",
      "040f00500000000200000100000000010020006400000001ffffffff00000000"
      "0000001000000001000000000000000000200001ffffffffffffffff00000000"
      "00000010000000020000000000000000",
      "ADD group_id=1,type=select,bucket=weight:100,watch_port:1,"
      "actions=output:1,bucket=actions=output:2" },
    { OFPGC11_ADD,
      "group_id=3,type=ff,bucket=watch_port:1,output:1,"
      "bucket=watch_group:7,output:2",
      "040f00500000000200000300000000030020000000000001ffffffff00000000"
      "0000001000000001000000000000000000200000ffffffff0000000700000000"
      "00000010000000020000000000000000",
      "ADD group_id=3,type=ff,bucket=watch_port:1,actions=output:1,"
      "bucket=watch_group:7,actions=output:2" },
    { OFPGC11_ADD,
      "group_id=4,type=indirect,bucket=actions=output:1,output:2,"
      "strip_vlan",
      "040f004800000002000002000000000400380000ffffffffffffffff00000000"
      "0000001000000001000000000000000000000010000000020000000000000000"
      "0012000800000000",
      "ADD group_id=4,type=indirect,bucket=actions=output:1,output:2,"
      "pop_vlan" },
    { OFPGC11_MODIFY, "group_id=1,type=all,bucket=output:1",
      "040f003000000002000100000000000100200000ffffffffffffffff00000000"
      "00000010000000010000000000000000",
      "MOD group_id=1,type=all,bucket=actions=output:1" },
    { OFPGC11_DELETE, "", "040f00100000000200020000fffffffc",
      "DEL group_id=4294967292,type=all" },
    { OFPGC11_DELETE, "group_id=5", "040f0010000000020002000000000005",
      "DEL group_id=5,type=all" },
    { OFPGC11_ADD, "group_id=7,type=all", "040f0010000000020000000000000007",
      "ADD group_id=7,type=all" },
};

TEST(group_mod_matches_ovs)
{
    for (size_t i = 0; i < ARRAY_SIZE(known_groups); i++) {
        struct ofputil_group_mod gm, gm2;
        struct ds s = DS_EMPTY_INITIALIZER;

        parse_ok(known_groups[i].text, known_groups[i].command, &gm);
        struct ofpmsg *msg = ofputil_encode_group_mod(&gm, OFP13_VERSION, 2);
        char *hex = test_ofpmsg_to_hex(msg);
        CHECK_STREQ(hex, known_groups[i].hex);
        free(hex);

        CHECK_EQ(ofputil_decode_group_mod(ofpmsg_header(msg), &gm2), 0);
        CHECK_EQ(gm2.command, gm.command);
        CHECK_EQ(gm2.type, gm.type);
        CHECK_EQ(gm2.group_id, gm.group_id);
        check_same_group(&gm, &gm2);
        for (size_t j = 0; j < gm2.n_buckets; j++) {
            CHECK_EQ(gm2.buckets[j].bucket_id, j);
        }
        ofputil_group_mod_format(&gm2, &s);
        CHECK_STREQ(ds_cstr(&s), known_groups[i].printed);

        ds_clear(&s);
        CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
        CHECK(s.string[0] == '\n' && s.string[1] == ' ');
        CHECK_STREQ(s.string + 2, known_groups[i].printed);

        ds_destroy(&s);
        ofpmsg_delete(msg);
        ofputil_group_mod_uninit(&gm);
        ofputil_group_mod_uninit(&gm2);
    }
}

TEST(group_mod_text_round_trip)
{
    static const char *texts[] = {
        "group_id=2,type=all,bucket=output:1,bucket=output:2,mod_vlan_vid:5",
        "group_id=5,type=all,bucket=mod_dl_src:00:11:22:33:44:55,"
        "set_field:1.2.3.4->ip_dst,output:1",
        "group_id=6,type=select,bucket=output:LOCAL,bucket=weight:0,"
        "output:IN_PORT,bucket=output:CONTROLLER",
        "group_id=8,type=all,bucket=actions=drop",
        "group_id=4294967040,type=select,bucket=weight:65535,"
        "watch_group:4294967040,output:1",
        "group_id=11,type=fast_failover,bucket=watch_port:ANY,"
        "watch_group:3,output:1",
        "add group_id=12,type=select,bucket=actions(output(3))",
    };

    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct ofputil_group_mod gm, gm2, gm3;
        struct ds s = DS_EMPTY_INITIALIZER;

        parse_ok(texts[i], i == 6 ? -2 : OFPGC11_ADD, &gm);
        struct ofpmsg *msg = ofputil_encode_group_mod(&gm, OFP13_VERSION, 9);
        CHECK_EQ(ofputil_decode_group_mod(ofpmsg_header(msg), &gm2), 0);
        check_same_group(&gm, &gm2);

        /* What dump-groups prints parses back to the same group. */
        struct ofputil_group_desc gd = { gm2.type, gm2.group_id,
                                         gm2.buckets, gm2.n_buckets };
        ofputil_group_desc_format(&gd, &s);
        parse_ok(ds_cstr(&s), OFPGC11_ADD, &gm3);
        CHECK_EQ(gm3.group_id, gm.group_id);
        CHECK_EQ(gm3.type, gm.type);
        check_same_group(&gm, &gm3);

        ds_destroy(&s);
        ofpmsg_delete(msg);
        ofputil_group_mod_uninit(&gm);
        ofputil_group_mod_uninit(&gm2);
        ofputil_group_mod_uninit(&gm3);
    }
}

TEST(group_mod_parse_details)
{
    struct ofputil_group_mod gm;

    parse_ok("modify group_id=0x10,type=select,bucket=output:1", -2, &gm);
    CHECK_EQ(gm.command, OFPGC11_MODIFY);
    CHECK_EQ(gm.group_id, 16);
    CHECK_EQ(gm.buckets[0].weight, 1);
    CHECK_EQ(gm.buckets[0].watch_port, MF_OFPP_ANY);
    CHECK_EQ(gm.buckets[0].watch_group, OFPG_ANY);
    ofputil_group_mod_uninit(&gm);

    parse_ok("delete", -2, &gm);
    CHECK_EQ(gm.command, OFPGC11_DELETE);
    CHECK_EQ(gm.group_id, OFPG_ALL);
    ofputil_group_mod_uninit(&gm);

    parse_ok("group_id=all", OFPGC11_DELETE, &gm);
    CHECK_EQ(gm.group_id, OFPG_ALL);
    ofputil_group_mod_uninit(&gm);

    parse_ok("group_id=1,type=all,bucket=bucket_id:5,output:1",
             OFPGC11_ADD, &gm);
    CHECK_EQ(gm.n_buckets, 1);
    ofputil_group_mod_uninit(&gm);
}

/* ovs-ofctl's messages for text it refuses. */
static const struct {
    int command;
    const char *text;
    const char *error;
} bad_texts[] = {
    { OFPGC11_ADD, "group_id=1,type=indirect,bucket=output:1,"
      "bucket=output:2", "Indirect groups can have at most one bucket." },
    { OFPGC11_ADD, "group_id=1,type=ff,bucket=output:1",
      "fast failover bucket requires watch_port or watch_group" },
    { OFPGC11_ADD, "group_id=1,type=all,bucket=weight:5,output:1",
      "Only select groups can have bucket weights." },
    { OFPGC11_ADD, "group_id=1,type=select,bucket=watch_port:LOCAL,"
      "output:1", "LOCAL: invalid watch_port" },
    { OFPGC11_ADD, "group_id=1,type=select,bucket=watch_port:65280,"
      "output:1", "65280: invalid watch_port" },
    { OFPGC11_ADD, "group_id=1,type=select,bucket=weight:7",
      "bucket must specify actions" },
    { OFPGC11_ADD, "type=all,bucket=output:1", "must specify a group_id" },
    { OFPGC11_ADD, "group_id=1,bucket=output:1", "must specify a type" },
    { OFPGC11_ADD, "group_id=1,type=bogus", "invalid group type bogus" },
    { OFPGC11_ADD, "group_id=4294967041,type=all",
      "invalid group id 4294967041" },
    { OFPGC11_ADD, "group_id=1,type=all,bogus=1", "unknown keyword bogus" },
    { OFPGC11_ADD, "group_id=1,type=select,bucket=weight:65536,output:1",
      "invalid weight \"65536\"" },
    { OFPGC11_ADD, "group_id=x,type=all", "invalid numeric format x" },
    { OFPGC11_ADD, "group_id=1,type=all,bucket=watch_group:4294967295,"
      "output:1", "invalid watch_group id 4294967295" },
    { OFPGC11_DELETE, "group_id=1,type=all", "type is not needed" },
    { OFPGC11_DELETE, "group_id=1,bucket=output:1", "bucket is not needed" },
    { OFPGC11_ADD, "group_id=1,type=all,selection_method=hash",
      "selection_method needs OpenFlow 1.5 or later" },
    { OFPGC11_ADD, "group_id=1,type=all,bucket=output:1,goto_table:1",
      "goto_table instruction not allowed in a bucket" },
    { 77, "group_id=1,type=all", "77: unknown group command" },
};

TEST(group_mod_text_errors)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
        struct ofputil_group_mod gm;
        char *error = ofputil_parse_group_mod(bad_texts[i].text,
                                              bad_texts[i].command, &gm);
        CHECK_MSG(error, "%s: accepted", bad_texts[i].text);
        CHECK_STREQ(error, bad_texts[i].error);
        CHECK(!gm.buckets && !gm.n_buckets);
        ofputil_group_mod_uninit(&gm);
        free(error);
    }

    /* Errors from the action parser pass through. */
    struct ofputil_group_mod gm;
    char *error = ofputil_parse_group_mod(
        "group_id=1,type=all,bucket=frobnicate:1", OFPGC11_ADD, &gm);
    CHECK(error != NULL);
    free(error);
}

/* Malformed GROUP_MODs and the error Open vSwitch gives. */
static const struct {
    const char *hex;
    enum ofperr error;
} bad_mods[] = {
    /* Bucket length 8. */
    { "040f003000000002000000000000000100080000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_BAD_BUCKET },
    /* Bucket length past the end. */
    { "040f003000000002000000000000000100300000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_BAD_BUCKET },
    /* 8 bytes left over after a bucket. */
    { "040f003800000002000000000000000100200000ffffffffffffffff00000000"
      "000000100000000100000000000000000000000000000000",
      OFPERR_OFPGMFC_BAD_BUCKET },
    /* Watch port 0xff00 (select group). */
    { "040f0030000000020000010000000001002000000000ff00ffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_BAD_WATCH },
    /* Type 7. */
    { "040f003000000002000007000000000100200000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_BAD_TYPE },
    /* Command 9. */
    { "040f003000000002000900000000000100200000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_BAD_COMMAND },
    /* Weight 5 in an all group. */
    { "040f003000000002000000000000000100200005ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_INVALID_GROUP },
    /* Indirect group without buckets. */
    { "040f0010000000020000020000000001", OFPERR_OFPGMFC_INVALID_GROUP },
    /* Fast failover bucket watching nothing. */
    { "040f003000000002000003000000000100200000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_INVALID_GROUP },
    /* All group watching port 1. */
    { "040f00300000000200000000000000010020000000000001ffffffff00000000"
      "00000010000000010000000000000000",
      OFPERR_OFPGMFC_WATCH_UNSUPPORTED },
    /* DELETE with a bucket. */
    { "040f003000000002000200000000000100200000ffffffffffffffff00000000"
      "00000010000000010000000000000000", OFPERR_OFPGMFC_INVALID_GROUP },
    /* Unknown action type 0x77. */
    { "040f002800000002000000000000000100180000ffffffffffffffff00000000"
      "0077000800000000", OFPERR_OFPBAC_BAD_TYPE },
    /* Body not a multiple of 8 bytes. */
    { "040f002400000002000000000000000100140000ffffffffffffffff00000000"
      "00770004", OFPERR_OFPBRC_BAD_LEN },
    /* Body shorter than the group_mod header. */
    { "040f000c0000000200000000", OFPERR_OFPBRC_BAD_LEN },
    /* OpenFlow 1.0 type 15 is PORT_MOD, not a group message. */
    { "010f0020000000020001000000000000000000000000000000000000000000"
      "00", OFPERR_OFPBRC_BAD_TYPE },
    /* Version 5. */
    { "050f0010000000020000000000000001", OFPERR_OFPBRC_BAD_VERSION },
};

TEST(group_mod_malformed)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_mods); i++) {
        struct ofpmsg *msg = test_ofpmsg_from_hex(bad_mods[i].hex);
        struct ofputil_group_mod gm;
        struct ofp_header *oh = ofpmsg_header(msg);

        CHECK_EQ(ntohs(oh->length), msg->size);
        enum ofperr error = ofputil_decode_group_mod(oh, &gm);
        CHECK_MSG(error == bad_mods[i].error, "case %zu: %s, wanted %s", i,
                  ofperr_get_name(error),
                  ofperr_get_name(bad_mods[i].error));
        CHECK(!gm.buckets && !gm.n_buckets);
        ofputil_group_mod_uninit(&gm);

        struct ds s = DS_EMPTY_INITIALIZER;
        CHECK_EQ(ofputil_group_msg_format(oh, &s), error);
        ds_destroy(&s);
        ofpmsg_delete(msg);
    }
}

TEST(group_mod_check)
{
    struct ofputil_group_features gf = {
        .types = (1u << OFPGT11_ALL) | (1u << OFPGT11_SELECT),
        .capabilities = 0,
        .max_groups = { 10, 10, 0, 0 },
    };
    static const struct {
        int command;
        const char *text;
        enum ofperr error;
    } cases[] = {
        { OFPGC11_ADD, "group_id=1,type=all,bucket=output:1", 0 },
        { OFPGC11_ADD, "group_id=1,type=indirect,bucket=output:1",
          OFPERR_OFPGMFC_BAD_TYPE },
        { OFPGC11_ADD, "group_id=1,type=all,bucket=group:2",
          OFPERR_OFPGMFC_CHAINING_UNSUPPORTED },
        { OFPGC11_ADD, "group_id=1,type=select,bucket=watch_port:1,output:1",
          OFPERR_OFPGMFC_WATCH_UNSUPPORTED },
        { OFPGC11_ADD, "group_id=1,type=select,bucket=weight:2,output:1",
          OFPERR_OFPGMFC_WEIGHT_UNSUPPORTED },
        { OFPGC11_ADD, "group_id=1,type=select,bucket=output:1", 0 },
        { OFPGC11_ADD, "group_id=all,type=all", OFPERR_OFPGMFC_INVALID_GROUP },
        { OFPGC11_DELETE, "", 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofputil_group_mod gm;
        parse_ok(cases[i].text, cases[i].command, &gm);
        CHECK_MSG(ofputil_group_mod_check(&gm, &gf) == cases[i].error,
                  "%s: %s", cases[i].text,
                  ofperr_get_name(ofputil_group_mod_check(&gm, &gf)));
        ofputil_group_mod_uninit(&gm);
    }
    gf.capabilities = OFPGFC_CHAINING | OFPGFC_SELECT_WEIGHT
                      | OFPGFC_SELECT_LIVENESS;
    struct ofputil_group_mod gm;
    parse_ok("group_id=1,type=select,bucket=weight:2,watch_group:3,group:3",
             OFPGC11_ADD, &gm);
    CHECK_EQ(ofputil_group_mod_check(&gm, &gf), 0);
    ofputil_group_mod_uninit(&gm);
}

TEST(group_stats_request)
{
    static const uint32_t ids[] = { 0, 7, OFPG_MAX, OFPG_ALL };

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        struct ofpmsg *msg = ofputil_encode_group_stats_request(
            OFP13_VERSION, 5, ids[i]);
        uint32_t id;
        CHECK_EQ(ofputil_decode_group_stats_request(ofpmsg_header(msg), &id),
                 0);
        CHECK_EQ(id, ids[i]);
        ofpmsg_delete(msg);
    }
    struct ofpmsg *msg = ofputil_encode_group_stats_request(OFP13_VERSION, 9,
                                                            OFPG_ALL);
    char *hex = test_ofpmsg_to_hex(msg);
    CHECK_STREQ(hex, "04120018000000090006000000000000fffffffc00000000");
    free(hex);
    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s), " group_id=ALL");
    ds_destroy(&s);

    ofpmsg_delete(msg);

    /* A description request is not a stats request. */
    uint32_t id;
    msg = ofputil_encode_multipart_request(OFPTYPE_GROUP_DESC_STATS_REQUEST,
                                           OFP13_VERSION, 1);
    CHECK_EQ(ofputil_decode_group_stats_request(ofpmsg_header(msg), &id),
             OFPERR_OFPBRC_BAD_TYPE);
    ds_init(&s);
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s), " group_id=ALL");
    ds_destroy(&s);
    ofpmsg_delete(msg);

    /* Nor is a 1.0 stats request of type 6 anything Plexus knows. */
    msg = test_ofpmsg_from_hex("0110001000000001000600000000ffffffff0000");
    ofpmsg_header(msg)->length = htons(msg->size);
    CHECK_EQ(ofputil_decode_group_stats_request(ofpmsg_header(msg), &id),
             OFPERR_OFPBRC_BAD_STAT);
    ofpmsg_delete(msg);
}

static struct ofpmsg *
only_msg(struct plx_list *list)
{
    CHECK(plx_list_is_singleton(list));
    return CONTAINER_OF(plx_list_pop_front(list), struct ofpmsg, list_node);
}

TEST(group_stats_reply)
{
    struct ofpmsg *req = ofputil_encode_group_stats_request(OFP13_VERSION, 9,
                                                            OFPG_ALL);
    struct ofputil_bucket_counter bc[2] = { { 10, 1000 }, { 20, 2000 } };
    struct ofputil_group_stats gs[2] = {
        { 1, 3, 30, 3000, 12, 500000000, bc, 2 },
        { 7, 0, 0, 0, 5, 123456, NULL, 0 },
    };
    struct plx_list list;

    ofputil_encode_group_stats_reply(&list, ofpmsg_header(req), gs, 2);
    struct ofpmsg *msg = only_msg(&list);
    struct ofputil_group_stats *out;
    size_t n;
    CHECK_EQ(ofputil_decode_group_stats_reply(ofpmsg_header(msg), &out, &n),
             0);
    CHECK_EQ(n, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(out[i].group_id, gs[i].group_id);
        CHECK_EQ(out[i].ref_count, gs[i].ref_count);
        CHECK_U64_EQ(out[i].packet_count, gs[i].packet_count);
        CHECK_U64_EQ(out[i].byte_count, gs[i].byte_count);
        CHECK_EQ(out[i].duration_sec, gs[i].duration_sec);
        CHECK_EQ(out[i].duration_nsec, gs[i].duration_nsec);
        CHECK_EQ(out[i].n_buckets, gs[i].n_buckets);
        for (size_t j = 0; j < gs[i].n_buckets; j++) {
            CHECK_U64_EQ(out[i].bucket_stats[j].packet_count,
                         bc[j].packet_count);
            CHECK_U64_EQ(out[i].bucket_stats[j].byte_count,
                         bc[j].byte_count);
        }
    }
    ofputil_group_stats_free(out, n);

    /* What ovs-ofctl ofp-print prints for it. */
    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\n group_id=1,duration=12.500s,ref_count=3,packet_count=30,"
                "byte_count=3000,bucket0:packet_count=10,byte_count=1000,"
                "bucket1:packet_count=20,byte_count=2000"
                "\n group_id=7,duration=5.000123456s,ref_count=0,"
                "packet_count=0,byte_count=0");
    ds_destroy(&s);

    /* Malformed entries: length 30, 41, past the end, 4 bytes left. */
    static const uint16_t lengths[] = { 30, 41, 200 };
    for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
        struct ofpmsg *bad = ofpmsg_clone(msg);
        uint8_t *entry = bad->data + 16;
        entry[0] = lengths[i] >> 8;
        entry[1] = lengths[i];
        CHECK_EQ(ofputil_decode_group_stats_reply(ofpmsg_header(bad), &out,
                                                  &n),
                 OFPERR_OFPBRC_BAD_LEN);
        CHECK(!out && !n);
        ofpmsg_delete(bad);
    }
    struct ofpmsg *bad = ofpmsg_clone(msg);
    ofpmsg_put_zeros(bad, 4);
    ofpmsg_finish(bad);
    CHECK_EQ(ofputil_decode_group_stats_reply(ofpmsg_header(bad), &out, &n),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(bad);
    ofpmsg_delete(msg);

    /* Many groups: several messages, all but the last flagged MORE. */
    size_t many = 2000;
    struct ofputil_group_stats *big = xcalloc(many, sizeof *big);
    for (size_t i = 0; i < many; i++) {
        big[i].group_id = i;
        big[i].packet_count = i * 3;
    }
    ofputil_encode_group_stats_reply(&list, ofpmsg_header(req), big, many);
    size_t total = 0, n_msgs = plx_list_size(&list);
    CHECK_EQ(n_msgs, 2);
    LIST_FOR_EACH_POP (msg, list_node, &list) {
        CHECK_EQ(ofpmp_more(ofpmsg_header(msg)), --n_msgs > 0);
        CHECK_EQ(ofputil_decode_group_stats_reply(ofpmsg_header(msg), &out,
                                                  &n), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK_EQ(out[i].group_id, total + i);
            CHECK_U64_EQ(out[i].packet_count, (total + i) * 3);
        }
        total += n;
        ofputil_group_stats_free(out, n);
        ofpmsg_delete(msg);
    }
    CHECK_EQ(total, many);
    free(big);
    ofpmsg_delete(req);
}

TEST(group_desc_reply)
{
    struct ofpmsg *req = ofputil_encode_multipart_request(
        OFPTYPE_GROUP_DESC_STATS_REQUEST, OFP13_VERSION, 11);
    struct ofputil_group_mod gm[3];
    parse_ok("group_id=1,type=select,bucket=weight:100,watch_port:1,"
             "actions=output:1,bucket=weight:50,actions=output:2",
             OFPGC11_ADD, &gm[0]);
    parse_ok("group_id=2,type=all,bucket=output:3,bucket=mod_vlan_vid:5,"
             "output:4", OFPGC11_ADD, &gm[1]);
    parse_ok("group_id=3,type=ff,bucket=watch_port:5,output:5,"
             "bucket=watch_group:2,group:2", OFPGC11_ADD, &gm[2]);
    struct ofputil_group_desc gd[3];
    for (int i = 0; i < 3; i++) {
        gd[i] = (struct ofputil_group_desc) { gm[i].type, gm[i].group_id,
                                              gm[i].buckets,
                                              gm[i].n_buckets };
    }

    struct plx_list list;
    ofputil_encode_group_desc_reply(&list, ofpmsg_header(req), gd, 3);
    struct ofpmsg *msg = only_msg(&list);
    struct ofputil_group_desc *out;
    size_t n;
    CHECK_EQ(ofputil_decode_group_desc_reply(ofpmsg_header(msg), &out, &n),
             0);
    CHECK_EQ(n, 3);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(out[i].type, gd[i].type);
        CHECK_EQ(out[i].group_id, gd[i].group_id);
        CHECK(buckets_equal(out[i].buckets, out[i].n_buckets,
                            gm[i].buckets, gm[i].n_buckets) == (i != 1));
    }
    /* Re-encoding the decoded groups gives the same bytes. */
    struct ofpmsg *again;
    ofputil_encode_group_desc_reply(&list, ofpmsg_header(req), out, n);
    again = only_msg(&list);
    CHECK_EQ(again->size, msg->size);
    CHECK_MEMEQ(again->data, msg->data, msg->size);
    ofpmsg_delete(again);
    ofputil_group_desc_free(out, n);

    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\n group_id=1,type=select,bucket=weight:100,watch_port:1,"
                "actions=output:1,bucket=weight:50,actions=output:2"
                "\n group_id=2,type=all,bucket=actions=output:3,"
                "bucket=actions=push_vlan:0x8100,set_field:4101->vlan_vid,"
                "output:4"
                "\n group_id=3,type=ff,bucket=watch_port:5,actions=output:5,"
                "bucket=watch_group:2,actions=group:2");
    ds_destroy(&s);

    /* Entry length 4, past the end; a bucket of length 8. */
    static const struct {
        size_t ofs;
        uint16_t value;
        enum ofperr error;
    } pokes[] = {
        { 16, 4, OFPERR_OFPBRC_BAD_LEN },
        { 16, 0x400, OFPERR_OFPBRC_BAD_LEN },
        { 24, 8, OFPERR_OFPGMFC_BAD_BUCKET },
    };
    for (size_t i = 0; i < ARRAY_SIZE(pokes); i++) {
        struct ofpmsg *bad = ofpmsg_clone(msg);
        bad->data[pokes[i].ofs] = pokes[i].value >> 8;
        bad->data[pokes[i].ofs + 1] = pokes[i].value;
        CHECK_EQ(ofputil_decode_group_desc_reply(ofpmsg_header(bad), &out,
                                                 &n), pokes[i].error);
        CHECK(!out && !n);
        ofpmsg_delete(bad);
    }

    /* An empty reply. */
    ofputil_encode_group_desc_reply(&list, ofpmsg_header(req), NULL, 0);
    struct ofpmsg *empty = only_msg(&list);
    CHECK_EQ(ofputil_decode_group_desc_reply(ofpmsg_header(empty), &out, &n),
             0);
    CHECK(!out && !n);
    ofpmsg_delete(empty);

    for (int i = 0; i < 3; i++) {
        ofputil_group_mod_uninit(&gm[i]);
    }
    ofpmsg_delete(msg);
    ofpmsg_delete(req);
}

TEST(group_features)
{
    struct ofpmsg *req = ofputil_encode_multipart_request(
        OFPTYPE_GROUP_FEATURES_STATS_REQUEST, OFP13_VERSION, 12);
    struct ofputil_group_features gf = {
        .types = 0xf,
        .capabilities = OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS
                        | OFPGFC_CHAINING,
        .max_groups = { 65535, 65535, 16, 256 },
        .actions = { 0x03ff8001, 0x03ff8001, 0x1, 0x00400001 },
    }, out;

    struct ofpmsg *msg = ofputil_encode_group_features_reply(
        &gf, ofpmsg_header(req));
    CHECK_EQ(ofputil_decode_group_features_reply(ofpmsg_header(msg), &out),
             0);
    CHECK(!memcmp(&gf, &out, sizeof gf));

    struct ds s = DS_EMPTY_INITIALIZER;
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(msg), &s), 0);
    CHECK_STREQ(ds_cstr(&s),
                "\n Group table:\n    Types:  0xf\n    Capabilities:  0x7\n"
                "    all group:\n       max_groups=0xffff\n"
                "       actions: output group set_field strip_vlan push_vlan "
                "mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl push_mpls "
                "pop_mpls set_queue\n"
                "    select group:\n       max_groups=0xffff\n"
                "       actions: output group set_field strip_vlan push_vlan "
                "mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl push_mpls "
                "pop_mpls set_queue\n"
                "    indirect group:\n       max_groups=0x10\n"
                "       actions: output\n"
                "    fast failover group:\n       max_groups=0x100\n"
                "       actions: output group\n");
    ds_destroy(&s);

    /* Wrong length: the type table's exact-size rule. */
    struct ofpmsg *bad = ofpmsg_clone(msg);
    ofpmsg_put_zeros(bad, 8);
    ofpmsg_finish(bad);
    CHECK_EQ(ofputil_decode_group_features_reply(ofpmsg_header(bad), &out),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(bad);

    /* The request formats as nothing; another type is not ours. */
    ds_init(&s);
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(req), &s), 0);
    CHECK_EQ(s.length, 0);
    struct ofpmsg *other = ofputil_encode_header_only(
        OFPTYPE_BARRIER_REQUEST, OFP13_VERSION, 1);
    CHECK_EQ(ofputil_group_msg_format(ofpmsg_header(other), &s),
             OFPERR_OFPBRC_BAD_TYPE);
    ds_destroy(&s);
    ofpmsg_delete(other);
    ofpmsg_delete(msg);
    ofpmsg_delete(req);
}
