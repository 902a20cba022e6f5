/* Tests for lib/ofp-table: round trips of TABLE_MOD, table features
 * (several tables, split over multipart messages), queue stats and queue
 * configuration in OpenFlow 1.0 and 1.3, and malformed input of each kind
 * with the error Open vSwitch gives. */
#include <config.h>
#include "ofp-table.h"

#include <arpa/inet.h>
#include "test.h"

static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

static const struct ofp_header *
oh_of(const struct ofpmsg *msg)
{
    return ofpmsg_header(msg);
}

/* Pops the first message of LIST. */
static struct ofpmsg *
pop(struct plx_list *list)
{
    return CONTAINER_OF(plx_list_pop_front(list), struct ofpmsg, list_node);
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* ---- TABLE_MOD. ---- */

TEST(table_mod_round_trip)
{
    struct ofputil_table_mod tm = { 7, 3 }, tm2;
    struct ofpmsg *msg = ofputil_encode_table_mod(&tm, OFP13_VERSION, 9);

    CHECK_EQ(msg->size, 16);
    CHECK_EQ(ntohl(oh_of(msg)->xid), 9);
    CHECK_EQ(ofputil_decode_table_mod(oh_of(msg), &tm2), 0);
    CHECK_EQ(tm2.table_id, 7);
    CHECK_EQ(tm2.config, 3);
    ofpmsg_delete(msg);
}

TEST(table_mod_checks_table)
{
    struct ofputil_table_mod tm = { 3, 0 };

    CHECK_EQ(ofputil_check_table_mod(&tm, 4), 0);
    CHECK_EQ(ofputil_check_table_mod(&tm, 3), OFPERR_OFPTMFC_BAD_TABLE);
    tm.table_id = OFPTT_ALL;
    CHECK_EQ(ofputil_check_table_mod(&tm, 1), 0);
    tm.table_id = OFPTT_MAX;
    CHECK_EQ(ofputil_check_table_mod(&tm, 254), OFPERR_OFPTMFC_BAD_TABLE);
    CHECK_EQ(ofputil_check_table_mod(&tm, 255), 0);
}

TEST(table_mod_malformed)
{
    struct ofputil_table_mod tm = { 1, 0 }, tm2;
    struct ofpmsg *msg = ofputil_encode_table_mod(&tm, OFP13_VERSION, 1);

    /* One byte short (length field fixed up): BAD_LEN. */
    msg->size -= 1;
    ofpmsg_finish(msg);
    CHECK_EQ(ofputil_decode_table_mod(oh_of(msg), &tm2),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(msg);

    /* Not a TABLE_MOD: BAD_TYPE. */
    msg = ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST, OFP13_VERSION,
                                     1);
    CHECK_EQ(ofputil_decode_table_mod(oh_of(msg), &tm2),
             OFPERR_OFPBRC_BAD_TYPE);
    ofpmsg_delete(msg);

    /* OpenFlow 1.0 has no TABLE_MOD: type 17 there is STATS_REPLY... so a
     * 1.0 message of 1.3's TABLE_MOD number is not a TABLE_MOD. */
    uint8_t raw[16] = { OFP10_VERSION, 17, 0, 16 };
    CHECK(ofputil_decode_table_mod((const void *) raw, &tm2) != 0);
}

/* ---- Table features. ---- */

static void
sample_features(struct ofputil_table_features *tf, uint8_t id)
{
    memset(tf, 0, sizeof *tf);
    tf->table_id = id;
    snprintf(tf->name, sizeof tf->name, "table%u", id);
    tf->metadata_match = UINT64_C(0xffff0000ffff0000);
    tf->metadata_write = 0xff;
    tf->max_entries = 1000 + id;
    for (int t = id + 1; t < 255; t += 3) {
        bitmap_set1(tf->nonmiss.next, t);
    }
    tf->nonmiss.instructions = 0x7e;
    tf->nonmiss.write_actions = (1u << 0) | (1u << 25) | (1u << 22);
    tf->nonmiss.apply_actions = (1u << 0) | (1u << 17) | (1u << 18);
    for (int i = 0; i < MFF_N_IDS; i++) {
        if (!ofputil_table_features_can_name(i)) {
            continue;
        }
        const struct mf_field *mf = mf_from_id(i);
        ofputil_field_set_add(&tf->match, i);
        if (mf->maskable == MFM_FULLY && i % 2) {
            ofputil_field_set_add(&tf->mask, i);
        }
        if (i % 3) {
            ofputil_field_set_add(&tf->wildcard, i);
        }
        if (mf->writable) {
            ofputil_field_set_add(&tf->nonmiss.apply_setfield, i);
            if (i % 2) {
                ofputil_field_set_add(&tf->nonmiss.write_setfield, i);
            }
        }
    }
    /* Decoding adds masked fields to the wildcards (Open vSwitch's
     * fix-up); start from the fixed-up form so that it round-trips. */
    bitmap_or(tf->wildcard.bm, tf->mask.bm, MFF_N_IDS);
    tf->miss = tf->nonmiss;
    tf->miss.instructions = 0x10;
    memset(tf->miss.next, 0, sizeof tf->miss.next);
}

TEST(table_features_round_trip_split)
{
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(5) };
    struct ofputil_table_features *tfs = xcalloc(254, sizeof *tfs);
    struct plx_list list;
    size_t total = 0, n_msgs = 0;

    for (int i = 0; i < 254; i++) {
        sample_features(&tfs[i], i);
    }
    ofputil_encode_table_features_reply(&list, &req, tfs, 254);
    CHECK_GT(plx_list_size(&list), 1);
    while (!plx_list_is_empty(&list)) {
        struct ofpmsg *msg = pop(&list);
        struct ofputil_table_features *got;
        size_t n;

        n_msgs++;
        CHECK_LE(msg->size, OFP_MAX_MSG_LEN);
        CHECK_EQ(ntohl(oh_of(msg)->xid), 5);
        CHECK_EQ(ofpmp_more(oh_of(msg)), !plx_list_is_empty(&list));
        CHECK_EQ(ofputil_decode_table_features(oh_of(msg), false, &got,
                                               &n), 0);
        CHECK_GT(n, 0);
        for (size_t i = 0; i < n; i++) {
            const struct ofputil_table_features *want = &tfs[total + i];
            CHECK_EQ(got[i].table_id, want->table_id);
            CHECK_STREQ(got[i].name, want->name);
            CHECK_MEMEQ(&got[i], want, sizeof *want);
        }
        total += n;
        free(got);
        ofpmsg_delete(msg);
    }
    CHECK_EQ(total, 254);
    CHECK_GT(n_msgs, 2);
    free(tfs);
}

TEST(table_features_request_empty_and_set)
{
    struct ofputil_table_features tf, *got;
    struct ofpmsg *msg;
    size_t n;

    msg = ofputil_encode_table_features_request(OFP13_VERSION, 3, NULL, 0);
    CHECK_EQ(msg->size, 16);
    CHECK(!ofputil_table_features_request_is_set(oh_of(msg)));
    CHECK_EQ(ofputil_decode_table_features(oh_of(msg), false, &got, &n), 0);
    CHECK_EQ(n, 0);
    CHECK(got == NULL);
    ofpmsg_delete(msg);

    sample_features(&tf, 9);
    msg = ofputil_encode_table_features_request(OFP13_VERSION, 3, &tf, 1);
    CHECK(ofputil_table_features_request_is_set(oh_of(msg)));
    CHECK_EQ(ofputil_decode_table_features(oh_of(msg), false, &got, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_MEMEQ(got, &tf, sizeof tf);
    free(got);
    ofpmsg_delete(msg);
}

TEST(table_features_fixups)
{
    struct ofputil_table_features tf, *got;
    size_t n;

    memset(&tf, 0, sizeof tf);
    ofputil_field_set_add(&tf.mask, MFF_ETH_SRC);     /* Not in match. */
    ofputil_field_set_add(&tf.match, MFF_ETH_SRC);
    ofputil_field_set_add(&tf.wildcard, MFF_IP_PROTO);  /* Not matchable. */
    ofputil_field_set_add(&tf.match, MFF_TCP_FLAGS);    /* Experimenter. */
    struct ofpmsg *msg = ofputil_encode_table_features_request(
        OFP13_VERSION, 3, &tf, 1);
    CHECK_EQ(ofputil_decode_table_features(oh_of(msg), false, &got, &n), 0);
    CHECK(ofputil_field_set_contains(&got->match, MFF_ETH_SRC));
    CHECK(ofputil_field_set_contains(&got->wildcard, MFF_ETH_SRC));
    CHECK(!ofputil_field_set_contains(&got->wildcard, MFF_IP_PROTO));
    CHECK(ofputil_field_set_contains(&got->match, MFF_TCP_FLAGS));
    free(got);
    ofpmsg_delete(msg);
}

/* A table features request holding one table with one property of TYPE
 * whose payload is the LEN bytes at DATA. */
static struct ofpmsg *
tf_with_prop(uint16_t type, const void *data, size_t len)
{
    struct ofpmsg *msg = ofputil_encode_table_features_request(
        OFP13_VERSION, 1, NULL, 0);
    size_t start = msg->size;
    uint8_t *otf = ofpmsg_put_zeros(msg, 64);
    size_t plen = 4 + len;

    otf[2] = 1;                                 /* table_id. */
    uint8_t *p = ofpmsg_put_zeros(msg, ROUND_UP(plen, 8));
    put16(p, type);
    put16(p + 2, plen);
    memcpy(p + 4, data, len);
    put16(msg->data + start, msg->size - start);
    ofpmsg_finish(msg);
    return msg;
}

static enum ofperr
decode_tf(const struct ofpmsg *msg, bool loose)
{
    struct ofputil_table_features *got;
    size_t n;
    enum ofperr error = ofputil_decode_table_features(oh_of(msg), loose,
                                                      &got, &n);
    if (error) {
        CHECK(got == NULL && n == 0);
    }
    free(got);
    return error;
}

TEST(table_features_malformed)
{
    struct ofpmsg *msg;
    uint8_t buf[16];

    /* Unknown property: strict BAD_TYPE, loose ignores it. */
    memset(buf, 0, sizeof buf);
    msg = tf_with_prop(9, buf, 4);
    CHECK_EQ(decode_tf(msg, false), OFPERR_OFPTFFC_BAD_TYPE);
    CHECK_EQ(decode_tf(msg, true), 0);
    ofpmsg_delete(msg);

    /* Next table 255: BAD_ARGUMENT. */
    buf[0] = 1;
    buf[1] = 255;
    msg = tf_with_prop(2, buf, 2);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_ARGUMENT);
    ofpmsg_delete(msg);

    /* Unknown instruction 9: strict OFPBIC_UNKNOWN_INST. */
    put16(buf, 9);
    put16(buf + 2, 4);
    msg = tf_with_prop(0, buf, 4);
    CHECK_EQ(decode_tf(msg, false), OFPERR_OFPBIC_UNKNOWN_INST);
    CHECK_EQ(decode_tf(msg, true), 0);
    ofpmsg_delete(msg);

    /* Instruction id of length 2: BAD_LEN. */
    put16(buf, 1);
    put16(buf + 2, 2);
    msg = tf_with_prop(0, buf, 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    ofpmsg_delete(msg);

    /* Action id longer than the property: BAD_LEN. */
    put16(buf, 0);
    put16(buf + 2, 12);
    msg = tf_with_prop(4, buf, 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    ofpmsg_delete(msg);

    /* A masked OXM in set-field: OFPBMC_BAD_MASK. */
    put32(buf, MF_HEADER(OXM_CLASS_OPENFLOW_BASIC, 6, 4) | 0x100);
    msg = tf_with_prop(14, buf, 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPBMC_BAD_MASK);
    ofpmsg_delete(msg);

    /* An unknown OXM: strict BAD_FIELD, loose skips it. */
    put32(buf, 0x80007f04);     /* Class 0x8000, field 63. */
    msg = tf_with_prop(8, buf, 4);
    CHECK_EQ(decode_tf(msg, false), OFPERR_OFPBMC_BAD_FIELD);
    CHECK_EQ(decode_tf(msg, true), 0);
    ofpmsg_delete(msg);

    /* A truncated OXM header: OFPBMC_BAD_LEN. */
    msg = tf_with_prop(8, buf, 3);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPBMC_BAD_LEN);
    ofpmsg_delete(msg);

    /* An experimenter OXM header cut to 4 bytes: OFPBMC_BAD_LEN. */
    put32(buf, 0xffff5406);
    msg = tf_with_prop(8, buf, 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPBMC_BAD_LEN);
    ofpmsg_delete(msg);

    /* Experimenter property shorter than 12 bytes: BAD_LEN. */
    msg = tf_with_prop(0xfffe, buf, 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    ofpmsg_delete(msg);
}

TEST(table_features_malformed_entries)
{
    struct ofputil_table_features tf;
    struct ofpmsg *msg;

    memset(&tf, 0, sizeof tf);
    msg = ofputil_encode_table_features_request(OFP13_VERSION, 1, &tf, 1);
    uint8_t *otf = msg->data + 16;

    /* Table 255 (OFPTT_ALL): BAD_TABLE. */
    otf[2] = 0xff;
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_TABLE);
    otf[2] = 0;
    CHECK_EQ(decode_tf(msg, true), 0);

    /* Entry length not a multiple of 8, too short, too long. */
    size_t len = (otf[0] << 8) | otf[1];
    put16(otf, len - 4);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    put16(otf, 56);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    put16(otf, len + 8);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    put16(otf, len);

    /* A property length past the entry: BAD_LEN. */
    put16(otf + 64 + 2, 200);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    put16(otf + 64 + 2, 3);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    ofpmsg_delete(msg);

    /* A body too short for an entry header. */
    msg = ofputil_encode_table_features_request(OFP13_VERSION, 1, NULL, 0);
    ofpmsg_put_zeros(msg, 8);
    ofpmsg_finish(msg);
    CHECK_EQ(decode_tf(msg, true), OFPERR_OFPTFFC_BAD_LEN);
    ofpmsg_delete(msg);

    /* A TABLE_FEATURES message in OpenFlow 1.0 does not exist. */
    uint8_t raw[16] = { OFP10_VERSION, OFPT10_STATS_REPLY, 0, 12, 0, 0, 0,
                        1, 0, OFPMP_TABLE_FEATURES };
    struct ofputil_table_features *got;
    size_t n;
    CHECK_EQ(ofputil_decode_table_features((const void *) raw, true, &got,
                                           &n), OFPERR_OFPBRC_BAD_STAT);
}

/* ---- Queue statistics. ---- */

TEST(queue_stats_request_round_trip)
{
    static const struct ofputil_queue_stats_request reqs[] = {
        { OFPP11_ANY, OFPUTIL_QUEUE_ALL }, { 3, 7 }, { OFPP11_LOCAL, 0 },
    };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
            struct ofputil_queue_stats_request got;
            struct ofpmsg *msg = ofputil_encode_queue_stats_request(
                &reqs[i], versions[v], 4);

            CHECK_EQ(ofputil_decode_queue_stats_request(oh_of(msg), &got),
                     0);
            CHECK_EQ(got.port_no, reqs[i].port_no);
            CHECK_EQ(got.queue_id, reqs[i].queue_id);
            if (versions[v] == OFP10_VERSION && i == 0) {
                /* "Every port" is OFPP_ALL on the 1.0 wire. */
                CHECK_EQ(msg->data[12] << 8 | msg->data[13], OFPP10_ALL);
            }
            ofpmsg_delete(msg);
        }
    }
}

TEST(queue_stats_reply_round_trip)
{
    struct ofputil_queue_stats qs[300];

    for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
        qs[i] = (struct ofputil_queue_stats) {
            .port_no = i % 7 ? i : OFPP11_LOCAL, .queue_id = i * 3,
            .tx_bytes = UINT64_C(1) << (i % 64), .tx_packets = i,
            .tx_errors = i / 2, .duration_sec = i, .duration_nsec = i * 11,
        };
    }
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofp_header req = { .version = versions[v],
                                  .xid = htonl(8) };
        struct plx_list list;

        ofputil_encode_queue_stats_reply(&list, &req, qs, ARRAY_SIZE(qs));
        struct ofpmsg *msg = pop(&list);
        CHECK(plx_list_is_empty(&list));

        struct ofputil_queue_stats *got;
        size_t n;
        CHECK_EQ(ofputil_decode_queue_stats_reply(oh_of(msg), &got, &n), 0);
        CHECK_EQ(n, ARRAY_SIZE(qs));
        for (size_t i = 0; i < n; i++) {
            CHECK_EQ(got[i].port_no, qs[i].port_no);
            CHECK_EQ(got[i].queue_id, qs[i].queue_id);
            CHECK_U64_EQ(got[i].tx_bytes, qs[i].tx_bytes);
            CHECK_U64_EQ(got[i].tx_packets, qs[i].tx_packets);
            CHECK_U64_EQ(got[i].tx_errors, qs[i].tx_errors);
            if (versions[v] == OFP10_VERSION) {
                CHECK_EQ(got[i].duration_sec, UINT32_MAX);
            } else {
                CHECK_EQ(got[i].duration_sec, qs[i].duration_sec);
                CHECK_EQ(got[i].duration_nsec, qs[i].duration_nsec);
            }
        }
        free(got);
        ofpmsg_delete(msg);
    }
}

TEST(queue_stats_malformed)
{
    struct ofputil_queue_stats qs = { .port_no = 1 }, *got;
    struct ofputil_queue_stats_request r = { 1, 1 };
    struct ofp_header req = { .version = OFP13_VERSION };
    struct plx_list list;
    size_t n;

    /* A partial entry: BAD_LEN (from the type table). */
    ofputil_encode_queue_stats_reply(&list, &req, &qs, 1);
    struct ofpmsg *msg = pop(&list);
    ofpmsg_put_zeros(msg, 8);
    ofpmsg_finish(msg);
    CHECK_EQ(ofputil_decode_queue_stats_reply(oh_of(msg), &got, &n),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK(got == NULL && n == 0);

    /* A 1.3 port number with no 16-bit form: BAD_OUT_PORT. */
    msg->size -= 8;
    ofpmsg_finish(msg);
    put32(msg->data + 16, 0xff00);
    CHECK_EQ(ofputil_decode_queue_stats_reply(oh_of(msg), &got, &n),
             OFPERR_OFPBAC_BAD_OUT_PORT);
    ofpmsg_delete(msg);

    msg = ofputil_encode_queue_stats_request(&r, OFP13_VERSION, 1);
    put32(msg->data + 16, 0xfffff000);
    CHECK_EQ(ofputil_decode_queue_stats_request(oh_of(msg), &r),
             OFPERR_OFPBAC_BAD_OUT_PORT);
    msg->size -= 4;
    ofpmsg_finish(msg);
    CHECK_EQ(ofputil_decode_queue_stats_request(oh_of(msg), &r),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(msg);
}

/* ---- Queue configuration. ---- */

TEST(queue_config_round_trip)
{
    static const struct ofputil_queue_config qc[] = {
        { 5, 0, OFPUTIL_QUEUE_RATE_NONE, OFPUTIL_QUEUE_RATE_NONE },
        { 5, 1, 100, 900 },
        { 5, 2, 0, OFPUTIL_QUEUE_RATE_NONE },
        { 5, 3, OFPUTIL_QUEUE_RATE_NONE, 1000 },
    };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t ver = versions[v];
        struct ofpmsg *req = ofputil_encode_queue_get_config_request(ver, 6,
                                                                     5);
        uint32_t port;

        CHECK_EQ(ofputil_decode_queue_get_config_request(oh_of(req), &port),
                 0);
        CHECK_EQ(port, 5);

        struct ofpmsg *msg = ofputil_encode_queue_get_config_reply(
            oh_of(req), 5, qc, ARRAY_SIZE(qc));
        struct ofputil_queue_config *got;
        size_t n;
        CHECK_EQ(ntohl(oh_of(msg)->xid), 6);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n), 0);
        CHECK_EQ(port, 5);
        CHECK_EQ(n, ARRAY_SIZE(qc));
        for (size_t i = 0; i < n; i++) {
            CHECK_EQ(got[i].port_no, 5);
            CHECK_EQ(got[i].queue_id, qc[i].queue_id);
            CHECK_EQ(got[i].min_rate, qc[i].min_rate);
            /* OpenFlow 1.0 has no max rate. */
            CHECK_EQ(got[i].max_rate, (ver == OFP10_VERSION
                                       ? OFPUTIL_QUEUE_RATE_NONE
                                       : qc[i].max_rate));
        }
        free(got);
        ofpmsg_delete(msg);
        ofpmsg_delete(req);
    }
}

TEST(queue_config_request_bad_port)
{
    uint32_t port;

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofpmsg *msg = ofputil_encode_queue_get_config_request(
            versions[v], 1, OFPP11_LOCAL);
        CHECK_EQ(ofputil_decode_queue_get_config_request(oh_of(msg), &port),
                 OFPERR_OFPQOFC_BAD_PORT);
        ofpmsg_delete(msg);
    }
    /* 1.3 OFPP_ANY is allowed (every port), 1.0's is not. */
    struct ofpmsg *msg = ofputil_encode_queue_get_config_request(
        OFP13_VERSION, 1, OFPP11_ANY);
    CHECK_EQ(ofputil_decode_queue_get_config_request(oh_of(msg), &port), 0);
    CHECK_EQ(port, OFPP11_ANY);
    ofpmsg_delete(msg);
    msg = ofputil_encode_queue_get_config_request(OFP10_VERSION, 1,
                                                  OFPP11_ANY);
    CHECK_EQ(ofputil_decode_queue_get_config_request(oh_of(msg), &port),
             OFPERR_OFPQOFC_BAD_PORT);
    ofpmsg_delete(msg);
}

TEST(queue_config_reply_malformed)
{
    static const struct ofputil_queue_config qc = { 1, 1, 100, 200 };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t ver = versions[v];
        struct ofp_header req = { .version = ver };
        struct ofpmsg *msg = ofputil_encode_queue_get_config_reply(
            &req, 1, &qc, 1);
        size_t q = 16;                          /* First queue. */
        size_t qlen_ofs = q + (ver == OFP10_VERSION ? 4 : 8);
        size_t prop = q + (ver == OFP10_VERSION ? 8 : 16);
        struct ofputil_queue_config *got;
        uint32_t port;
        size_t n;

        /* Queue length not a multiple of 8, or past the end. */
        uint16_t qlen = msg->data[qlen_ofs] << 8 | msg->data[qlen_ofs + 1];
        put16(msg->data + qlen_ofs, qlen + 4);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n),
                 OFPERR_OFPBRC_BAD_LEN);
        CHECK(got == NULL && n == 0);
        put16(msg->data + qlen_ofs, qlen + 8);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n),
                 OFPERR_OFPBRC_BAD_LEN);
        put16(msg->data + qlen_ofs, qlen);

        /* A rate property of the wrong length. */
        put16(msg->data + prop + 2, 8);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n),
                 OFPERR_OFPBRC_BAD_LEN);
        /* An unknown property is skipped. */
        put16(msg->data + prop, 0x77);
        put16(msg->data + prop + 2, 16);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n), 0);
        CHECK_EQ(n, 1);
        CHECK_EQ(got[0].min_rate, OFPUTIL_QUEUE_RATE_NONE);
        free(got);

        /* A queue header cut short. */
        msg->size = q + 4;
        ofpmsg_finish(msg);
        CHECK_EQ(ofputil_decode_queue_get_config_reply(oh_of(msg), &port,
                                                       &got, &n),
                 OFPERR_OFPBRC_BAD_LEN);
        ofpmsg_delete(msg);
    }
}
