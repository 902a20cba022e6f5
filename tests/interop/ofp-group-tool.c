/* ofp-group-tool: lets tests/interop/test_ofp_group.py hold Plexus's group
 * and meter codecs against Open vSwitch and OS-Ken.
 *
 *   ofp-group-tool encode
 *       prints "NAME HEX" lines, one per sample group or meter message
 *       Plexus encodes (OpenFlow 1.3);
 *   ofp-group-tool group add|mod|del TEXT
 *   ofp-group-tool meter add|mod|del TEXT
 *       parses TEXT as ovs-ofctl add-group (etc.) would and prints the
 *       GROUP_MOD or METER_MOD in hex (xid 2), or "error: MESSAGE";
 *   ofp-group-tool print HEX
 *       prints the message the way `ovs-ofctl ofp-print` does (header line
 *       and body), or "error NAME";
 *   ofp-group-tool decode HEX
 *       decodes a GROUP_MOD or METER_MOD and prints "key=value" lines, or
 *       "error=NAME". */
#include <config.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dynamic-string.h"
#include "ofp-actions.h"
#include "ofp-group.h"
#include "ofp-meter.h"
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
parse_group_or_die(const char *text, struct ofputil_group_mod *gm)
{
    char *error = ofputil_parse_group_mod(text, OFPGC11_ADD, gm);
    if (error) {
        plx_fatal(0, "%s: %s", text, error);
    }
}

static void
encode_all(void)
{
    const uint8_t V = OFP13_VERSION;
    struct plx_list list;
    struct ofputil_group_mod gm;

    parse_group_or_die("group_id=1,type=select,bucket=weight:100,"
                       "watch_port:1,actions=output:1,"
                       "bucket=weight:50,actions=output:2", &gm);
    print_msg("group_mod", ofputil_encode_group_mod(&gm, V, 2));

    /* Request headers for the replies. */
    struct ofpmsg *gsr = ofputil_encode_group_stats_request(V, 9, OFPG_ALL);
    print_msg("group_stats_request_all", ofpmsg_clone(gsr));
    print_msg("group_stats_request",
              ofputil_encode_group_stats_request(V, 10, 7));

    struct ofputil_bucket_counter bc[2] = { { 10, 1000 }, { 20, 2000 } };
    struct ofputil_group_stats gs[2] = {
        { 1, 3, 30, 3000, 12, 500000000, bc, 2 },
        { 7, 0, 0, 0, 5, 123456, NULL, 0 },
    };
    ofputil_encode_group_stats_reply(&list, ofpmsg_header(gsr), gs, 2);
    print_list("group_stats_reply", &list);

    struct ofpmsg *gdr = ofputil_encode_multipart_request(
        OFPTYPE_GROUP_DESC_STATS_REQUEST, V, 11);
    print_msg("group_desc_request", ofpmsg_clone(gdr));
    struct ofputil_group_mod gm2, gm3;
    parse_group_or_die("group_id=2,type=all,bucket=output:3,"
                       "bucket=mod_vlan_vid:5,output:4", &gm2);
    parse_group_or_die("group_id=3,type=ff,bucket=watch_port:5,output:5,"
                       "bucket=watch_group:2,group:2", &gm3);
    struct ofputil_group_desc gd[3] = {
        { gm.type, gm.group_id, gm.buckets, gm.n_buckets },
        { gm2.type, gm2.group_id, gm2.buckets, gm2.n_buckets },
        { gm3.type, gm3.group_id, gm3.buckets, gm3.n_buckets },
    };
    ofputil_encode_group_desc_reply(&list, ofpmsg_header(gdr), gd, 3);
    print_list("group_desc_reply", &list);
    ofputil_group_mod_uninit(&gm);
    ofputil_group_mod_uninit(&gm2);
    ofputil_group_mod_uninit(&gm3);

    struct ofpmsg *gfr = ofputil_encode_multipart_request(
        OFPTYPE_GROUP_FEATURES_STATS_REQUEST, V, 12);
    print_msg("group_features_request", ofpmsg_clone(gfr));
    struct ofputil_group_features gf = {
        .types = 0xf,
        .capabilities = OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS
                        | OFPGFC_CHAINING,
        .max_groups = { 65535, 65535, 16, 256 },
        .actions = { 0x03ff8001, 0x03ff8001, 0x1, 0x00400001 },
    };
    print_msg("group_features_reply",
              ofputil_encode_group_features_reply(&gf, ofpmsg_header(gfr)));

    /* Meters. */
    struct ofputil_meter_mod mm;
    char *error = ofputil_parse_meter_mod(
        "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100 "
        "type=dscp_remark,rate=2000,burst_size=10,prec_level=1",
        OFPMC13_ADD, &mm);
    if (error) {
        plx_fatal(0, "%s", error);
    }
    print_msg("meter_mod", ofputil_encode_meter_mod(&mm, V, 2));

    struct ofpmsg *msr = ofputil_encode_meter_request(true, V, 13,
                                                      OFPM13_ALL);
    struct ofpmsg *mcr = ofputil_encode_meter_request(false, V, 14, 1);
    print_msg("meter_stats_request", ofpmsg_clone(msr));
    print_msg("meter_config_request", ofpmsg_clone(mcr));

    struct ofputil_meter_band_stats mbs[2] = { { 5, 500 }, { 6, 600 } };
    struct ofputil_meter_stats ms[2] = {
        { 1, 4, 100, 10000, 30, 250000000, 2, mbs },
        { 2, 0, 0, 0, 1, 0, 0, NULL },
    };
    ofputil_encode_meter_stats_reply(&list, ofpmsg_header(msr), ms, 2);
    print_list("meter_stats_reply", &list);

    struct ofputil_meter_band drop = { OFPMBT13_DROP, 0, 5000, 0 };
    struct ofputil_meter_config mc[2] = {
        mm.meter,
        { 2, OFPMF13_PKTPS, 1, &drop },
    };
    ofputil_encode_meter_config_reply(&list, ofpmsg_header(mcr), mc, 2);
    print_list("meter_config_reply", &list);
    ofputil_meter_mod_uninit(&mm);

    struct ofpmsg *mfr = ofputil_encode_multipart_request(
        OFPTYPE_METER_FEATURES_STATS_REQUEST, V, 15);
    print_msg("meter_features_request", ofpmsg_clone(mfr));
    struct ofputil_meter_features mf = {
        .max_meters = 65536,
        .band_types = 1u << OFPMBT13_DROP,
        .capabilities = OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST
                        | OFPMF13_STATS,
        .max_bands = 1,
        .max_color = 0,
    };
    print_msg("meter_features_reply",
              ofputil_encode_meter_features_reply(&mf, ofpmsg_header(mfr)));

    ofpmsg_delete(gsr);
    ofpmsg_delete(gdr);
    ofpmsg_delete(gfr);
    ofpmsg_delete(msr);
    ofpmsg_delete(mcr);
    ofpmsg_delete(mfr);
}

static int
command_of(const char *word, int add, int mod, int del)
{
    return (!strcmp(word, "add") ? add : !strcmp(word, "mod") ? mod
            : !strcmp(word, "del") ? del : -3);
}

static int
parse_text(bool group, const char *word, const char *text)
{
    char *error;
    struct ofpmsg *msg;

    if (group) {
        struct ofputil_group_mod gm;
        error = ofputil_parse_group_mod(text, command_of(word, OFPGC11_ADD,
                                                         OFPGC11_MODIFY,
                                                         OFPGC11_DELETE),
                                        &gm);
        msg = error ? NULL : ofputil_encode_group_mod(&gm, OFP13_VERSION, 2);
        ofputil_group_mod_uninit(&gm);
    } else {
        struct ofputil_meter_mod mm;
        error = ofputil_parse_meter_mod(text, command_of(word, OFPMC13_ADD,
                                                         OFPMC13_MODIFY,
                                                         OFPMC13_DELETE),
                                        &mm);
        msg = error ? NULL : ofputil_encode_meter_mod(&mm, OFP13_VERSION, 2);
        ofputil_meter_mod_uninit(&mm);
    }
    if (error) {
        printf("error: %s\n", error);
        free(error);
        return 0;
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_hex(&ds, msg->data, msg->size);
    printf("%s\n", ds_cstr(&ds));
    ds_destroy(&ds);
    ofpmsg_delete(msg);
    return 0;
}

static struct ofpmsg *
msg_from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *data = xmalloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            plx_fatal(0, "bad hex");
        }
        data[i] = byte;
    }
    struct ofpmsg *msg = ofpmsg_clone_data(data, n);
    free(data);
    return msg;
}

static int
print_hex(const char *hex)
{
    struct ofpmsg *msg = msg_from_hex(hex);
    const struct ofp_header *oh = ofpmsg_header(msg);
    struct ds ds = DS_EMPTY_INITIALIZER;
    enum ofptype type;
    enum ofperr error = ofptype_decode(msg->data, msg->size, &type);

    if (!error) {
        ds_put_format(&ds, "%s (OF1.3) (xid=0x%"PRIx32"):",
                      ofptype_get_name(type), ntohl(oh->xid));
        error = ofputil_group_msg_format(oh, &ds);
        if (error == OFPERR_OFPBRC_BAD_TYPE) {
            error = ofputil_meter_msg_format(oh, &ds);
        }
    }
    if (error) {
        printf("error %s\n", ofperr_get_name(error));
    } else {
        /* ovs-ofctl ends the text with one newline. */
        ds_chomp(&ds, '\n');
        printf("%s\n", ds_cstr(&ds));
    }
    ds_destroy(&ds);
    ofpmsg_delete(msg);
    return 0;
}

static int
decode_hex(const char *hex)
{
    struct ofpmsg *msg = msg_from_hex(hex);
    const struct ofp_header *oh = ofpmsg_header(msg);
    enum ofperr error;

    if (oh->type == OFPT13_GROUP_MOD) {
        struct ofputil_group_mod gm;
        error = ofputil_decode_group_mod(oh, &gm);
        if (!error) {
            printf("command=%"PRIu16"\ntype=%"PRIu8"\ngroup_id=%"PRIu32"\n"
                   "n_buckets=%zu\n", gm.command, gm.type, gm.group_id,
                   gm.n_buckets);
            for (size_t i = 0; i < gm.n_buckets; i++) {
                const struct ofputil_bucket *b = &gm.buckets[i];
                char *acts = ofpacts_text(b->ofpacts, b->ofpacts_len);
                printf("bucket%zu=weight:%"PRIu16",watch_port:%"PRIu32
                       ",watch_group:%"PRIu32",actions=%s\n", i, b->weight,
                       b->watch_port, b->watch_group, acts);
                free(acts);
            }
            ofputil_group_mod_uninit(&gm);
        }
    } else {
        struct ofputil_meter_mod mm;
        error = ofputil_decode_meter_mod(oh, &mm);
        if (!error) {
            printf("command=%"PRIu16"\nmeter_id=%"PRIu32"\nflags=%"PRIu16
                   "\nn_bands=%"PRIu16"\n", mm.command, mm.meter.meter_id,
                   mm.meter.flags, mm.meter.n_bands);
            for (size_t i = 0; i < mm.meter.n_bands; i++) {
                const struct ofputil_meter_band *b = &mm.meter.bands[i];
                printf("band%zu=type:%"PRIu16",rate:%"PRIu32",burst:%"PRIu32
                       ",prec_level:%"PRIu8"\n", i, b->type, b->rate,
                       b->burst_size, b->prec_level);
            }
            ofputil_meter_mod_uninit(&mm);
        }
    }
    if (error) {
        printf("error=%s\n", ofperr_get_name(error));
    }
    ofpmsg_delete(msg);
    return 0;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc == 2 && !strcmp(argv[1], "encode")) {
        encode_all();
        return 0;
    } else if (argc == 4 && (!strcmp(argv[1], "group")
                             || !strcmp(argv[1], "meter"))) {
        return parse_text(!strcmp(argv[1], "group"), argv[2], argv[3]);
    } else if (argc == 3 && !strcmp(argv[1], "print")) {
        return print_hex(argv[2]);
    } else if (argc == 3 && !strcmp(argv[1], "decode")) {
        return decode_hex(argv[2]);
    }
    fprintf(stderr, "usage: %s encode | group|meter add|mod|del TEXT | "
            "print HEX | decode HEX\n", argv[0]);
    return 2;
}
