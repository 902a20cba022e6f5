/* Tests for lib/ofp-msgs: the type table and its length rules for every
 * type in both versions, every validation error, the framer with split,
 * garbage and oversized input, and encode/decode round trips of every
 * codec in OpenFlow 1.0 and 1.3. */
#include <config.h>
#include "ofp-msgs.h"

#include <arpa/inet.h>
#include <errno.h>
#include "test.h"

static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

static enum ofperr
decode_type(const struct ofpmsg *msg, enum ofptype *type)
{
    return ofptype_decode(msg->data, msg->size, type);
}

/* A message of LEN bytes with the given header fields, zero body. */
static struct ofpmsg *
raw_msg(uint8_t version, uint8_t type, size_t len)
{
    struct ofpmsg *msg = ofpmsg_clone_data("", 0);
    struct ofp_header *oh = ofpmsg_put_zeros(msg, len);

    oh->version = version;
    oh->type = type;
    oh->length = htons(len);
    oh->xid = htonl(42);
    return msg;
}

/* A multipart (stats) message with type STAT and BODY_LEN body bytes. */
static struct ofpmsg *
raw_mp(uint8_t version, bool reply, uint16_t stat, size_t body_len)
{
    size_t hdr = version == OFP10_VERSION ? 12 : 16;
    uint8_t type = (version == OFP10_VERSION
                    ? (reply ? OFPT10_STATS_REPLY : OFPT10_STATS_REQUEST)
                    : (reply ? OFPT13_MULTIPART_REPLY
                       : OFPT13_MULTIPART_REQUEST));
    struct ofpmsg *msg = raw_msg(version, type, hdr + body_len);
    struct ofp10_stats_msg *sm = (void *) (ofpmsg_header(msg) + 1);

    sm->type = htons(stat);
    return msg;
}

static enum ofperr
raw_error(uint8_t version, uint8_t type, size_t len)
{
    struct ofpmsg *msg = raw_msg(version, type, len);
    enum ofptype t;
    enum ofperr error = decode_type(msg, &t);

    CHECK(error ? t == OFPTYPE_N : t != OFPTYPE_N);
    ofpmsg_delete(msg);
    return error;
}

static enum ofperr
mp_error(uint8_t version, bool reply, uint16_t stat, size_t body_len)
{
    struct ofpmsg *msg = raw_mp(version, reply, stat, body_len);
    enum ofptype t;
    enum ofperr error = decode_type(msg, &t);

    ofpmsg_delete(msg);
    return error;
}

/* Every type that exists in a version: ofpmsg_start() writes something
 * ofptype_decode() maps back to it once the body reaches the minimum
 * length; one byte less is BAD_LEN; names exist. */
TEST(every_type_round_trips)
{
    int n_checked = 0;

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (enum ofptype type = 0; type < OFPTYPE_N; type++) {
            CHECK(strncmp(ofptype_get_name(type), "OFP", 3) == 0);
            if (!ofptype_exists(type, versions[v])) {
                continue;
            }
            struct ofpmsg *msg = ofpmsg_start(type, versions[v], 7, 0);
            size_t base = msg->size;
            enum ofptype decoded;
            enum ofperr error = OFPERR_OFPBRC_BAD_LEN;
            size_t extra;

            for (extra = 0; extra <= 1100; extra++) {
                ofpmsg_finish(msg);
                error = decode_type(msg, &decoded);
                if (error != OFPERR_OFPBRC_BAD_LEN) {
                    break;
                }
                ofpmsg_put_zeros(msg, 1);
            }
            CHECK_MSG(!error, "%s v%d: %s", ofptype_get_name(type),
                      versions[v], ofperr_get_name(error));
            CHECK_EQ(decoded, type);
            CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 7);
            if (extra > 0) {
                /* One byte short of the minimum. */
                msg->size--;
                ofpmsg_finish(msg);
                CHECK_EQ(decode_type(msg, &decoded), OFPERR_OFPBRC_BAD_LEN);
                CHECK_EQ(decoded, OFPTYPE_N);
            }
            CHECK_GE(msg->size, base);
            ofpmsg_delete(msg);
            n_checked++;
        }
    }
    /* 27 + 7*2 in 1.0 minus 1.3-only ones; just make sure most ran. */
    CHECK_GT(n_checked, 80);
    CHECK(!ofptype_exists(OFPTYPE_ROLE_REQUEST, OFP10_VERSION));
    CHECK(!ofptype_exists(OFPTYPE_GROUP_MOD, OFP10_VERSION));
    CHECK(ofptype_exists(OFPTYPE_PORT_DESC_STATS_REQUEST, OFP10_VERSION));
    CHECK(ofptype_exists(OFPTYPE_METER_FEATURES_STATS_REPLY,
                         OFP13_VERSION));
}

TEST(multipart_helpers)
{
    CHECK(ofptype_is_multipart(OFPTYPE_DESC_STATS_REQUEST));
    CHECK(!ofptype_is_multipart(OFPTYPE_BARRIER_REPLY));
    CHECK_EQ(ofptype_multipart_reply(OFPTYPE_PORT_STATS_REQUEST),
             OFPTYPE_PORT_STATS_REPLY);
    CHECK_EQ(ofptype_multipart_reply(OFPTYPE_METER_CONFIG_STATS_REQUEST),
             OFPTYPE_METER_CONFIG_STATS_REPLY);
    CHECK_EQ(ofptype_multipart_reply(OFPTYPE_PORT_STATS_REPLY), OFPTYPE_N);
    CHECK_EQ(ofptype_multipart_reply(OFPTYPE_HELLO), OFPTYPE_N);
}

TEST(validation_errors)
{
    enum ofptype t;

    /* Length problems. */
    CHECK_EQ(ofptype_decode("\x04\x00\x00", 3, &t), OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(ofptype_decode("\x04\x00\x00\x09\0\0\0\0", 8, &t),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(ofptype_decode("\x04\x00\x00\x07\0\0\0\0", 8, &t),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(ofptype_decode("\x04\x00\x00\x08\0\0\0\0", 8, &t), 0);
    CHECK_EQ(t, OFPTYPE_HELLO);

    /* Versions. */
    CHECK_EQ(raw_error(0x00, 0, 8), OFPERR_OFPBRC_BAD_VERSION);
    CHECK_EQ(raw_error(0x02, 0, 8), OFPERR_OFPBRC_BAD_VERSION);
    CHECK_EQ(raw_error(0x03, 5, 8), OFPERR_OFPBRC_BAD_VERSION);
    CHECK_EQ(raw_error(0x05, 0, 8), OFPERR_OFPBRC_BAD_VERSION);
    CHECK_EQ(raw_error(0xff, 0, 8), OFPERR_OFPBRC_BAD_VERSION);

    /* Types. */
    CHECK_EQ(raw_error(OFP10_VERSION, 22, 8), OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(raw_error(OFP10_VERSION, 24, 24), OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(raw_error(OFP13_VERSION, 30, 8), OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(raw_error(OFP13_VERSION, 255, 8), OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(raw_error(OFP10_VERSION, 4, 16), OFPERR_OFPBRC_BAD_VENDOR);
    CHECK_EQ(raw_error(OFP13_VERSION, 4, 16), OFPERR_OFPBRC_BAD_VENDOR);

    /* Exact, minimum and multiple-of rules. */
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FEATURES_REQUEST, 9),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_BARRIER_REQUEST, 12),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_ROLE_REQUEST, 23),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_ROLE_REQUEST, 25),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_ROLE_REQUEST, 24), 0);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FEATURES_REPLY, 32), 0);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FEATURES_REPLY, 32 + 48), 0);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FEATURES_REPLY, 32 + 47),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_FEATURES_REPLY, 32 + 64),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_ERROR, 11),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FLOW_MOD, 71),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_FLOW_MOD, 72 + 8), 0);
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_PORT_STATUS, 79),
             OFPERR_OFPBRC_BAD_LEN);

    /* Multipart. */
    CHECK_EQ(raw_error(OFP13_VERSION, OFPT13_MULTIPART_REQUEST, 15),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(raw_error(OFP10_VERSION, OFPT10_STATS_REPLY, 11),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(mp_error(OFP13_VERSION, false, OFPMP_DESC, 0), 0);
    CHECK_EQ(mp_error(OFP13_VERSION, false, OFPMP_DESC, 8),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(mp_error(OFP13_VERSION, false, 14, 0),
             OFPERR_OFPBRC_BAD_MULTIPART);
    CHECK_EQ(mp_error(OFP13_VERSION, true, 200, 0),
             OFPERR_OFPBRC_BAD_MULTIPART);
    CHECK_EQ(mp_error(OFP10_VERSION, false, OFPMP_GROUP, 8),
             OFPERR_OFPBRC_BAD_STAT);
    CHECK_EQ(mp_error(OFP10_VERSION, false, OFPMP_METER_FEATURES, 0),
             OFPERR_OFPBRC_BAD_STAT);
    CHECK_EQ(mp_error(OFP13_VERSION, false, OFPMP_EXPERIMENTER, 8),
             OFPERR_OFPBRC_BAD_EXPERIMENTER);
    CHECK_EQ(mp_error(OFP10_VERSION, true, OFPMP_EXPERIMENTER, 8),
             OFPERR_OFPBRC_BAD_VENDOR);
    CHECK_EQ(mp_error(OFP13_VERSION, true, OFPMP_PORT_STATS, 112 * 3), 0);
    CHECK_EQ(mp_error(OFP13_VERSION, true, OFPMP_PORT_STATS, 112 * 3 + 8),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(mp_error(OFP10_VERSION, true, OFPMP_PORT_STATS, 104), 0);
    CHECK_EQ(mp_error(OFP10_VERSION, true, OFPMP_PORT_STATS, 112),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(mp_error(OFP10_VERSION, true, OFPMP_DESC, 1055),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(mp_error(OFP13_VERSION, false, OFPMP_TABLE_FEATURES, 100), 0);

    /* More flag. */
    struct ofpmsg *msg = raw_mp(OFP13_VERSION, true, OFPMP_DESC, 1056);
    CHECK(!ofpmp_more(ofpmsg_header(msg)));
    ((struct ofp10_stats_msg *) (ofpmsg_header(msg) + 1))->flags
        = htons(OFPMPF_MORE);
    CHECK(ofpmp_more(ofpmsg_header(msg)));
    ofpmsg_delete(msg);
}

/* A decoder given another type's message refuses it. */
TEST(decoder_wrong_type)
{
    struct ofpmsg *msg = ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                                    OFP13_VERSION, 1);
    struct ofputil_switch_config sc;
    struct ofputil_role_request rr;
    struct ofputil_async_cfg ac;
    struct ofputil_port_mod pm;
    uint32_t port;

    CHECK_EQ(ofputil_decode_set_config(ofpmsg_header(msg), &sc),
             OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &rr),
             OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(ofputil_decode_async_cfg(ofpmsg_header(msg), &ac),
             OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(ofputil_decode_port_mod(ofpmsg_header(msg), &pm),
             OFPERR_OFPBRC_BAD_TYPE);
    CHECK_EQ(ofputil_decode_port_stats_request(ofpmsg_header(msg), &port),
             OFPERR_OFPBRC_BAD_TYPE);
    ofpmsg_delete(msg);

    /* A truncated ROLE_REQUEST: BAD_LEN from the decoder itself. */
    msg = raw_msg(OFP13_VERSION, OFPT13_ROLE_REQUEST, 20);
    CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &rr),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(msg);
}

/* ---- Framer. ---- */

static struct ofpmsg *
sample_stream(size_t *n_msgs)
{
    struct ofpmsg *all = ofpmsg_clone_data("", 0);
    struct ofpmsg *m;

    m = ofputil_encode_hello(OFP_SUPPORTED_VERSIONS);
    ofpmsg_put(all, m->data, m->size);
    ofpmsg_delete(m);
    m = ofputil_encode_echo_request(OFP13_VERSION, 5, "abcdefghij", 10);
    ofpmsg_put(all, m->data, m->size);
    ofpmsg_delete(m);
    m = ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST, OFP10_VERSION,
                                   6);
    ofpmsg_put(all, m->data, m->size);
    ofpmsg_delete(m);
    struct ofputil_desc_stats ds = { .mfr_desc = "x" };
    struct ofp_header req = { .version = OFP13_VERSION, .xid = htonl(9) };
    m = ofputil_encode_desc_stats_reply(&ds, &req);
    ofpmsg_put(all, m->data, m->size);
    ofpmsg_delete(m);
    *n_msgs = 4;
    return all;
}

static size_t
drain(struct ofpmsg_framer *f, int *last_error)
{
    struct ofpmsg *msg;
    size_t n = 0;
    int error;

    while (!(error = ofpmsg_framer_next(f, &msg))) {
        enum ofptype t;
        CHECK_EQ(decode_type(msg, &t), 0);
        ofpmsg_delete(msg);
        n++;
    }
    CHECK(!msg);
    *last_error = error;
    return n;
}

TEST(framer_split_anywhere)
{
    size_t n_msgs;
    struct ofpmsg *all = sample_stream(&n_msgs);

    for (size_t chunk = 1; chunk <= all->size; chunk = chunk * 3 + 1) {
        struct ofpmsg_framer *f = ofpmsg_framer_create(0);
        size_t n = 0;
        int error;

        for (size_t ofs = 0; ofs < all->size; ofs += chunk) {
            ofpmsg_framer_feed(f, all->data + ofs,
                               MIN(chunk, all->size - ofs));
            n += drain(f, &error);
            CHECK_EQ(error, EAGAIN);
        }
        CHECK_EQ(n, n_msgs);
        CHECK_EQ(ofpmsg_framer_pending(f), 0);
        CHECK(!ofpmsg_framer_has_output(f));
        CHECK(!ofpmsg_framer_get_error(f));
        ofpmsg_framer_destroy(f);
    }
    ofpmsg_delete(all);
}

TEST(framer_garbage_after_messages)
{
    size_t n_msgs;
    struct ofpmsg *all = sample_stream(&n_msgs);
    struct ofpmsg_framer *f = ofpmsg_framer_create(0);
    int error;

    ofpmsg_framer_feed(f, all->data, all->size);
    /* A header claiming 4 bytes: cannot be resynchronized. */
    ofpmsg_framer_feed(f, "\x04\x02\x00\x04\0\0\0\1", 8);
    CHECK(ofpmsg_framer_has_output(f));
    CHECK_EQ(drain(f, &error), n_msgs);
    CHECK_EQ(error, EPROTO);
    CHECK(ofpmsg_framer_get_error(f) != NULL);
    CHECK(ofpmsg_framer_has_output(f));
    /* Sticky, and later input is ignored. */
    ofpmsg_framer_feed(f, all->data, all->size);
    CHECK_EQ(drain(f, &error), 0);
    CHECK_EQ(error, EPROTO);
    ofpmsg_framer_destroy(f);

    /* Length 0 as the very first thing. */
    f = ofpmsg_framer_create(0);
    ofpmsg_framer_feed(f, "\x01\x00\x00\x00\0\0\0\0", 8);
    CHECK_EQ(drain(f, &error), 0);
    CHECK_EQ(error, EPROTO);
    ofpmsg_framer_destroy(f);
    ofpmsg_delete(all);
}

TEST(framer_oversize_and_partial)
{
    struct ofpmsg_framer *f = ofpmsg_framer_create(100);
    int error;

    /* A 65535-byte message header against a 100-byte limit. */
    ofpmsg_framer_feed(f, "\x04\x02\xff\xff\0\0\0\1", 8);
    CHECK_EQ(drain(f, &error), 0);
    CHECK_EQ(error, EPROTO);
    ofpmsg_framer_destroy(f);

    /* The default limit takes a full 65535-byte message. */
    f = ofpmsg_framer_create(0);
    uint8_t *big = xzalloc(65535 + 3);
    big[0] = OFP13_VERSION;
    big[1] = OFPT13_ECHO_REQUEST;
    big[2] = big[3] = 0xff;
    ofpmsg_framer_feed(f, big, 65535 - 1);
    CHECK(!ofpmsg_framer_has_output(f));
    CHECK_EQ(drain(f, &error), 0);
    CHECK_EQ(error, EAGAIN);
    CHECK_EQ(ofpmsg_framer_pending(f), 65534);
    ofpmsg_framer_feed(f, big + 65534, 1);
    CHECK(ofpmsg_framer_has_output(f));
    CHECK_EQ(drain(f, &error), 1);
    /* A partial header is just pending. */
    ofpmsg_framer_feed(f, big, 3);
    CHECK_EQ(drain(f, &error), 0);
    CHECK_EQ(error, EAGAIN);
    CHECK_EQ(ofpmsg_framer_pending(f), 3);
    free(big);
    ofpmsg_framer_destroy(f);
}

/* ---- HELLO. ---- */

TEST(hello_bitmap)
{
    uint32_t v;
    struct ofpmsg *msg;

    /* 1.0 and 1.3: not contiguous, so a bitmap is needed. */
    msg = ofputil_encode_hello(OFP_SUPPORTED_VERSIONS);
    CHECK_EQ(ofpmsg_header(msg)->version, OFP13_VERSION);
    CHECK_EQ(msg->size, 16);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x12);
    ofpmsg_delete(msg);

    /* 1.0 alone: plain hello. */
    msg = ofputil_encode_hello(OFP_VERSION_BIT(OFP10_VERSION));
    CHECK_EQ(ofpmsg_header(msg)->version, OFP10_VERSION);
    CHECK_EQ(msg->size, 8);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x2);
    ofpmsg_delete(msg);

    /* 1.3 alone: bitmap (1.0..1.2 not offered). */
    msg = ofputil_encode_hello(OFP_VERSION_BIT(OFP13_VERSION));
    CHECK_EQ(msg->size, 16);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x10);
    ofpmsg_delete(msg);

    /* No bitmap: every version up to the header's. */
    msg = raw_msg(OFP13_VERSION, 0, 8);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x1e);
    ofpmsg_delete(msg);
    msg = raw_msg(0x06, 0, 8);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x7e);
    ofpmsg_delete(msg);

    /* An unknown element first, then a bitmap (bit 0 ignored). */
    msg = raw_msg(0x06, 0, 8 + 8 + 8);
    uint8_t *b = msg->data + 8;
    memcpy(b, "\x00\x07\x00\x05\xaa\0\0\0", 8);
    memcpy(b + 8, "\x00\x01\x00\x08\x00\x00\x00\x43", 8);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v), 0);
    CHECK_EQ(v, 0x42);
    /* Element length past the end. */
    memcpy(b, "\x00\x07\x00\x19", 4);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v),
             OFPERR_OFPBRC_BAD_LEN);
    CHECK_EQ(v, 0x7e);
    /* Element length below 4. */
    memcpy(b, "\x00\x07\x00\x02", 4);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v),
             OFPERR_OFPBRC_BAD_LEN);
    /* Bitmap element with no bitmap. */
    memcpy(b, "\x00\x01\x00\x04", 4);
    CHECK_EQ(ofputil_decode_hello(ofpmsg_header(msg), &v),
             OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(msg);
}

TEST(version_negotiation)
{
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x1e), OFP13_VERSION);
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x02), OFP10_VERSION);
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x0e), OFP10_VERSION);
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x7e), OFP13_VERSION);
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x60), 0);
    CHECK_EQ(ofputil_negotiate_version(0x10, 0x02), 0);
    CHECK_EQ(ofputil_negotiate_version(0x12, 0x01), 0);
    CHECK_EQ(ofputil_version_bitmap_max(0), 0);
    CHECK_EQ(ofputil_version_bitmap_max(0x12), 4);
}

/* ---- ERROR. ---- */

TEST(error_round_trip)
{
    uint8_t request[100];

    for (size_t i = 0; i < sizeof request; i++) {
        request[i] = i;
    }
    struct ofp_header *rh = (void *) request;
    rh->xid = htonl(0x1234);

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        static const enum ofperr errors[] = {
            OFPERR_OFPBRC_BAD_TYPE, OFPERR_OFPBRC_BAD_LEN,
            OFPERR_OFPPMFC_BAD_PORT, OFPERR_OFPBRC_BAD_VERSION,
            OFPERR_OFPFMFC_OVERLAP,
        };
        for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
            struct ofpmsg *msg = ofputil_encode_error_reply(
                errors[i], versions[v], request, sizeof request);
            const struct ofp_header *oh = ofpmsg_header(msg);
            enum ofperr error;
            uint16_t type, code;
            const uint8_t *data;
            size_t n;

            CHECK_EQ(oh->version, versions[v]);
            CHECK_EQ(ntohl(oh->xid), 0x1234);
            CHECK_EQ(ofputil_decode_error(oh, &error, &type, &code,
                                          (const void **) &data, &n), 0);
            CHECK_EQ(error, errors[i]);
            CHECK_EQ(n, 64);
            CHECK_MEMEQ(data, request, 64);
            ofpmsg_delete(msg);
        }
    }

    /* The standard numbers, as the specs give them. */
    struct ofpmsg *msg = ofputil_encode_error_reply(
        OFPERR_OFPBRC_BAD_LEN, OFP13_VERSION, request, 10);
    const struct ofp_error_msg *em = (void *) (ofpmsg_header(msg) + 1);
    CHECK_EQ(ntohs(em->type), 1);
    CHECK_EQ(ntohs(em->code), 6);
    CHECK_EQ(msg->size, 12 + 10);
    ofpmsg_delete(msg);

    /* 1.0 (3,?) is FLOW_MOD_FAILED, 1.3 (5,?). */
    msg = ofputil_encode_error_reply(OFPERR_OFPFMFC_OVERLAP, OFP10_VERSION,
                                     request, 8);
    em = (void *) (ofpmsg_header(msg) + 1);
    CHECK_EQ(ntohs(em->type), 3);
    ofpmsg_delete(msg);
    msg = ofputil_encode_error_reply(OFPERR_OFPFMFC_OVERLAP, OFP13_VERSION,
                                     request, 8);
    em = (void *) (ofpmsg_header(msg) + 1);
    CHECK_EQ(ntohs(em->type), 5);
    ofpmsg_delete(msg);
}

TEST(error_extension_and_unknown)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        /* An error with only an extension encoding survives the trip. */
        struct ofpmsg *msg = ofputil_encode_error_reply(
            OFPERR_NXBRC_MUST_BE_ZERO, versions[v], "\x01\x02", 2);
        enum ofperr error;
        const void *data;
        size_t n;

        CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL,
                                      NULL, &data, &n), 0);
        CHECK_EQ(error, OFPERR_NXBRC_MUST_BE_ZERO);
        CHECK_EQ(n, 2);
        ofpmsg_delete(msg);

        /* Unknown (type, code): valid message, error 0, raw values. */
        msg = raw_msg(versions[v], OFPT10_ERROR, 12 + 3);
        struct ofp_error_msg *em = (void *) (ofpmsg_header(msg) + 1);
        uint16_t type, code;
        em->type = htons(0x7777);
        em->code = htons(3);
        CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, &type,
                                      &code, &data, &n), 0);
        CHECK_EQ(error, 0);
        CHECK_EQ(type, 0x7777);
        CHECK_EQ(code, 3);
        CHECK_EQ(n, 3);

        /* A vendor/experimenter error cut short. */
        em->type = htons(versions[v] == OFP10_VERSION ? 0xb0c2 : 0xffff);
        msg->size = 12 + (versions[v] == OFP10_VERSION ? 7 : 3);
        ofpmsg_finish(msg);
        CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL,
                                      NULL, &data, &n),
                 OFPERR_OFPBRC_BAD_LEN);
        ofpmsg_delete(msg);
    }

    struct ofpmsg *msg = ofputil_encode_hello_failed(
        OFPERR_OFPHFC_INCOMPATIBLE, OFP13_VERSION, 3, "no common version");
    enum ofperr error;
    uint16_t type, code;
    const char *text;
    size_t n;
    CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, &type, &code,
                                  (const void **) &text, &n), 0);
    CHECK_EQ(error, OFPERR_OFPHFC_INCOMPATIBLE);
    CHECK_EQ(type, 0);
    CHECK_EQ(code, 0);
    CHECK_EQ(n, strlen("no common version"));
    CHECK(!memcmp(text, "no common version", n));
    ofpmsg_delete(msg);
}

TEST(echo)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofpmsg *req = ofputil_encode_echo_request(versions[v], 77,
                                                         "payload", 7);
        struct ofpmsg *rep = ofputil_encode_echo_reply(ofpmsg_header(req));
        enum ofptype t;

        CHECK_EQ(decode_type(req, &t), 0);
        CHECK_EQ(t, OFPTYPE_ECHO_REQUEST);
        CHECK_EQ(decode_type(rep, &t), 0);
        CHECK_EQ(t, OFPTYPE_ECHO_REPLY);
        CHECK_EQ(rep->size, 15);
        CHECK_EQ(ntohl(ofpmsg_header(rep)->xid), 77);
        CHECK_MEMEQ(rep->data + 8, "payload", 7);
        ofpmsg_delete(req);
        ofpmsg_delete(rep);
    }
}

/* ---- Ports. ---- */

static void
sample_port(struct ofputil_phy_port *pp, uint32_t port_no)
{
    memset(pp, 0, sizeof *pp);
    pp->port_no = port_no;
    memcpy(pp->hw_addr.ea, "\x52\x54\x00\x12\x34\x56", 6);
    snprintf(pp->name, sizeof pp->name, "eth%u", (unsigned) port_no);
    pp->config = OFPPC_NO_FWD | OFPPC_PORT_DOWN;
    pp->state = OFPPS_LINK_DOWN;
    pp->curr = OFPPF_1GB_FD | OFPPF11_COPPER | OFPPF11_AUTONEG;
    pp->advertised = OFPPF_100MB_FD | OFPPF11_PAUSE;
    pp->supported = OFPPF_10GB_FD | OFPPF11_FIBER | OFPPF11_PAUSE_ASYM;
    pp->peer = OFPPF_10MB_HD;
    pp->curr_speed = 1000000;
    pp->max_speed = 10000000;
}

static void
check_port_eq(const struct ofputil_phy_port *a,
              const struct ofputil_phy_port *b)
{
    CHECK_EQ(a->port_no, b->port_no);
    CHECK_MEMEQ(a->hw_addr.ea, b->hw_addr.ea, 6);
    CHECK_STREQ(a->name, b->name);
    CHECK_EQ(a->config, b->config);
    CHECK_EQ(a->state, b->state);
    CHECK_EQ(a->curr, b->curr);
    CHECK_EQ(a->advertised, b->advertised);
    CHECK_EQ(a->supported, b->supported);
    CHECK_EQ(a->peer, b->peer);
    CHECK_EQ(a->curr_speed, b->curr_speed);
    CHECK_EQ(a->max_speed, b->max_speed);
}

TEST(port_numbers_and_features)
{
    uint16_t p;

    CHECK_EQ(ofp_port_from_ofp10(5), 5);
    CHECK_EQ(ofp_port_from_ofp10(OFPP10_LOCAL), OFPP11_LOCAL);
    CHECK_EQ(ofp_port_from_ofp10(OFPP10_NONE), OFPP11_ANY);
    CHECK_EQ(ofp_port_from_ofp10(OFPP10_CONTROLLER), OFPP11_CONTROLLER);
    CHECK(ofp_port_to_ofp10(OFPP11_IN_PORT, &p));
    CHECK_EQ(p, OFPP10_IN_PORT);
    CHECK(ofp_port_to_ofp10(0xfeff, &p));
    CHECK_EQ(p, 0xfeff);
    CHECK(!ofp_port_to_ofp10(0xff00, &p));
    CHECK_EQ(p, OFPP10_NONE);
    CHECK(!ofp_port_to_ofp10(0x12345, &p));

    /* 1.0's media bits move up 4 places; its 12 bits survive a trip. */
    CHECK_EQ(ofputil_port_features_from_ofp10(OFPPF10_COPPER),
             OFPPF11_COPPER);
    CHECK_EQ(ofputil_port_features_from_ofp10(OFPPF10_PAUSE_ASYM),
             OFPPF11_PAUSE_ASYM);
    for (uint32_t f = 0; f <= OFPPF10_ALL; f++) {
        CHECK_EQ(ofputil_port_features_to_ofp10(
                     ofputil_port_features_from_ofp10(f)), f);
    }
    CHECK_EQ(ofputil_port_features_to_ofp10(OFPPF11_40GB_FD), 0);
    CHECK_EQ(ofputil_port_features_to_kbps(OFPPF_10GB_FD | OFPPF_1GB_FD),
             10000000);
    CHECK_EQ(ofputil_port_features_to_kbps(OFPPF11_COPPER), 0);
}

TEST(port_status_round_trip)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofputil_port_status ps, ps2;

        ps.reason = OFPPR_MODIFY;
        sample_port(&ps.desc, 7);
        if (versions[v] == OFP10_VERSION) {
            /* 1.0 derives speeds from the feature bits. */
            ps.desc.state |= OFPUTIL_PS_STP_FORWARD;
            ps.desc.config |= OFPPC10_NO_FLOOD;
        } else {
            ps.desc.state |= OFPUTIL_PS_LIVE;
            ps.desc.port_no = 0xabcdef;
        }
        struct ofpmsg *msg = ofputil_encode_port_status(&ps, versions[v]);
        CHECK_EQ(msg->size, versions[v] == OFP10_VERSION ? 64 : 80);
        CHECK_EQ(ofputil_decode_port_status(ofpmsg_header(msg), &ps2), 0);
        CHECK_EQ(ps2.reason, OFPPR_MODIFY);
        check_port_eq(&ps.desc, &ps2.desc);
        ofpmsg_delete(msg);
    }

    /* Bits of the other version are dropped on encoding. */
    struct ofputil_port_status ps, ps2;
    ps.reason = 9;                      /* Passed through. */
    sample_port(&ps.desc, 1);
    ps.desc.state = OFPUTIL_PS_LIVE | OFPUTIL_PS_STP_BLOCK;
    ps.desc.config = OFPPC10_NO_STP | OFPPC_NO_RECV;
    struct ofpmsg *msg = ofputil_encode_port_status(&ps, OFP13_VERSION);
    CHECK_EQ(ofputil_decode_port_status(ofpmsg_header(msg), &ps2), 0);
    CHECK_EQ(ps2.reason, 9);
    CHECK_EQ(ps2.desc.state, OFPUTIL_PS_LIVE);
    CHECK_EQ(ps2.desc.config, OFPPC_NO_RECV);
    ofpmsg_delete(msg);
    msg = ofputil_encode_port_status(&ps, OFP10_VERSION);
    CHECK_EQ(ofputil_decode_port_status(ofpmsg_header(msg), &ps2), 0);
    CHECK_EQ(ps2.desc.state, OFPUTIL_PS_STP_BLOCK);
    CHECK_EQ(ps2.desc.config, OFPPC10_NO_STP | OFPPC_NO_RECV);
    ofpmsg_delete(msg);
}

TEST(port_name_edge_cases)
{
    struct ofputil_phy_port pp;
    struct ofpmsg *msg = ofpmsg_clone_data("", 0);

    /* A 16-byte name with no NUL on the wire becomes 15 characters. */
    uint8_t wire[64] = { 0 };
    memset(wire + 16, 'a', 16);
    ofputil_pull_phy_port(OFP13_VERSION, wire, &pp);
    CHECK_EQ(strlen(pp.name), 15);
    memset(wire + 8, 'b', 16);
    ofputil_pull_phy_port(OFP10_VERSION, wire, &pp);
    CHECK_EQ(strlen(pp.name), 15);

    /* A 15-character name is written NUL-padded. */
    sample_port(&pp, 1);
    strcpy(pp.name, "abcdefghijklmno");
    ofputil_put_phy_port(msg, OFP13_VERSION, &pp);
    CHECK_EQ(msg->size, 64);
    CHECK_MEMEQ(msg->data + 16, "abcdefghijklmno\0", 16);
    ofpmsg_delete(msg);
}

TEST(port_mod_round_trip)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofputil_port_mod pm = {
            .port_no = versions[v] == OFP10_VERSION ? 3 : 0x10000,
            .hw_addr = { { { 2, 0, 0, 0, 0, 9 } } },
            .config = OFPPC_PORT_DOWN,
            .mask = OFPPC_PORT_DOWN | OFPPC_NO_PACKET_IN,
            .advertise = OFPPF_1GB_FD | OFPPF11_AUTONEG,
        }, pm2;
        struct ofpmsg *msg = ofputil_encode_port_mod(&pm, versions[v], 11);

        CHECK_EQ(msg->size, versions[v] == OFP10_VERSION ? 32 : 40);
        CHECK_EQ(ofputil_decode_port_mod(ofpmsg_header(msg), &pm2), 0);
        CHECK_EQ(pm2.port_no, pm.port_no);
        CHECK_MEMEQ(pm2.hw_addr.ea, pm.hw_addr.ea, 6);
        CHECK_EQ(pm2.config, pm.config);
        CHECK_EQ(pm2.mask, pm.mask);
        CHECK_EQ(pm2.advertise, pm.advertise);
        ofpmsg_delete(msg);
    }

    /* 1.0 LOCAL maps to the 32-bit LOCAL. */
    struct ofputil_port_mod pm = { .port_no = OFPP11_LOCAL }, pm2;
    struct ofpmsg *msg = ofputil_encode_port_mod(&pm, OFP10_VERSION, 1);
    CHECK_EQ(ntohs(*(plx_be16 *) (msg->data + 8)), OFPP10_LOCAL);
    CHECK_EQ(ofputil_decode_port_mod(ofpmsg_header(msg), &pm2), 0);
    CHECK_EQ(pm2.port_no, OFPP11_LOCAL);
    ofpmsg_delete(msg);
}

/* ---- FEATURES. ---- */

TEST(features_round_trip)
{
    struct ofputil_phy_port ports[3];
    for (int i = 0; i < 3; i++) {
        sample_port(&ports[i], i + 1);
    }

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofp_header req = { .version = versions[v],
                                  .xid = htonl(99) };
        struct ofputil_switch_features sf = {
            .datapath_id = 0x0123456789abcdefULL,
            .n_buffers = 256,
            .n_tables = 254,
            .auxiliary_id = versions[v] == OFP13_VERSION ? 3 : 0,
            .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_PORT_STATS
                             | OFPUTIL_C_QUEUE_STATS
                             | (versions[v] == OFP10_VERSION
                                ? OFPUTIL_C_ARP_MATCH_IP | OFPUTIL_C_STP
                                : OFPUTIL_C_GROUP_STATS
                                  | OFPUTIL_C_PORT_BLOCKED)),
            .ofp10_actions = versions[v] == OFP10_VERSION ? 0xfff : 0,
        }, sf2;
        struct ofputil_phy_port *ports2;
        size_t n;

        struct ofpmsg *msg = ofputil_encode_switch_features(&sf, &req,
                                                            ports, 3);
        CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 99);
        CHECK_EQ(msg->size, versions[v] == OFP10_VERSION ? 32 + 3 * 48 : 32);
        CHECK_EQ(ofputil_decode_switch_features(ofpmsg_header(msg), &sf2,
                                                &ports2, &n), 0);
        CHECK_U64_EQ(sf2.datapath_id, sf.datapath_id);
        CHECK_EQ(sf2.n_buffers, 256);
        CHECK_EQ(sf2.n_tables, 254);
        CHECK_EQ(sf2.auxiliary_id, sf.auxiliary_id);
        CHECK_EQ(sf2.capabilities, sf.capabilities);
        CHECK_EQ(sf2.ofp10_actions, sf.ofp10_actions);
        if (versions[v] == OFP10_VERSION) {
            CHECK_EQ(n, 3);
            for (int i = 0; i < 3; i++) {
                struct ofputil_phy_port expect = ports[i];
                expect.curr_speed = 1000000;
                expect.max_speed = 10000000;
                check_port_eq(&ports2[i], &expect);
            }
        } else {
            CHECK_EQ(n, 0);
            CHECK(!ports2);
        }
        free(ports2);
        ofpmsg_delete(msg);
    }

    /* Capability bits: GROUP_STATS is bit 3 in 1.3, where 1.0 has STP. */
    struct ofp_header req = { .version = OFP13_VERSION };
    struct ofputil_switch_features sf = {
        .capabilities = OFPUTIL_C_GROUP_STATS | OFPUTIL_C_STP
                        | OFPUTIL_C_ARP_MATCH_IP,
    };
    struct ofpmsg *msg = ofputil_encode_switch_features(&sf, &req, NULL, 0);
    CHECK_EQ(ntohl(*(plx_be32 *) (msg->data + 24)), OFPC13_GROUP_STATS);
    ofpmsg_delete(msg);
    req.version = OFP10_VERSION;
    msg = ofputil_encode_switch_features(&sf, &req, NULL, 0);
    CHECK_EQ(ntohl(*(plx_be32 *) (msg->data + 24)),
             OFPC10_STP | OFPC10_ARP_MATCH_IP);
    ofpmsg_delete(msg);
}

/* ---- Config. ---- */

TEST(switch_config)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofputil_switch_config sc = { OFPUTIL_FRAG_DROP, 0xffff }, sc2;
        struct ofpmsg *msg = ofputil_encode_set_config(&sc, versions[v], 4);

        CHECK_EQ(msg->size, 12);
        CHECK_EQ(ofputil_decode_set_config(ofpmsg_header(msg), &sc2), 0);
        CHECK_EQ(sc2.frag, OFPUTIL_FRAG_DROP);
        CHECK_EQ(sc2.miss_send_len, 0xffff);
        CHECK_EQ(ofputil_decode_get_config_reply(ofpmsg_header(msg), &sc2),
                 OFPERR_OFPBRC_BAD_TYPE);
        ofpmsg_delete(msg);

        struct ofp_header req = { .version = versions[v], .xid = htonl(5) };
        sc.frag = OFPUTIL_FRAG_REASM;
        sc.miss_send_len = 128;
        msg = ofputil_encode_get_config_reply(&sc, &req);
        CHECK_EQ(ofputil_decode_get_config_reply(ofpmsg_header(msg), &sc2),
                 0);
        CHECK_EQ(sc2.frag, OFPUTIL_FRAG_REASM);
        CHECK_EQ(sc2.miss_send_len, 128);

        /* Fragment handling 3, and unknown flag bits. */
        *(plx_be16 *) (msg->data + 8) = htons(0x8003);
        enum ofperr error = ofputil_decode_get_config_reply(
            ofpmsg_header(msg), &sc2);
        if (versions[v] == OFP10_VERSION) {
            CHECK_EQ(error, 0);
            CHECK_EQ(sc2.frag, OFPUTIL_FRAG_NX_MATCH);
        } else {
            CHECK_EQ(error, OFPERR_OFPSCFC_BAD_FLAGS);
        }
        ofpmsg_delete(msg);
    }
}

/* ---- Roles and async. ---- */

TEST(role_messages)
{
    static const enum ofp12_controller_role roles[] = {
        OFPCR12_ROLE_NOCHANGE, OFPCR12_ROLE_EQUAL, OFPCR12_ROLE_MASTER,
        OFPCR12_ROLE_SLAVE,
    };
    for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
        struct ofputil_role_request rr = { roles[i], true, 0x55aa }, rr2;
        struct ofpmsg *msg = ofputil_encode_role_request(&rr, OFP13_VERSION,
                                                         8);
        bool has_gen = (roles[i] == OFPCR12_ROLE_MASTER
                        || roles[i] == OFPCR12_ROLE_SLAVE);

        CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &rr2), 0);
        CHECK_EQ(rr2.role, roles[i]);
        CHECK_EQ(rr2.have_generation_id, has_gen);
        CHECK_U64_EQ(rr2.generation_id, has_gen ? 0x55aa : 0);

        struct ofpmsg *reply = ofputil_encode_role_reply(&rr,
                                                         ofpmsg_header(msg));
        enum ofptype t;
        CHECK_EQ(decode_type(reply, &t), 0);
        CHECK_EQ(t, OFPTYPE_ROLE_REPLY);
        CHECK_EQ(ntohl(ofpmsg_header(reply)->xid), 8);
        CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(reply), &rr2), 0);
        CHECK_EQ(rr2.role, roles[i]);

        /* Role 4 and beyond. */
        *(plx_be32 *) (msg->data + 8) = htonl(4);
        CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &rr2),
                 OFPERR_OFPRRFC_BAD_ROLE);
        *(plx_be32 *) (msg->data + 8) = htonl(0xffffffff);
        CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &rr2),
                 OFPERR_OFPRRFC_BAD_ROLE);
        ofpmsg_delete(msg);
        ofpmsg_delete(reply);
    }
}

TEST(async_config)
{
    struct ofputil_async_cfg ac, ac2;

    ofputil_async_cfg_default(&ac);
    CHECK_EQ(ac.packet_in[0], 3);
    CHECK_EQ(ac.packet_in[1], 0);
    CHECK_EQ(ac.port_status[1], 7);
    CHECK_EQ(ac.flow_removed[1], 0);

    ac.packet_in[1] = 0x80000001;
    ac.flow_removed[1] = 0x12345678;
    struct ofpmsg *msg = ofputil_encode_set_async(&ac, OFP13_VERSION, 2);
    CHECK_EQ(msg->size, 32);
    CHECK_EQ(ofputil_decode_async_cfg(ofpmsg_header(msg), &ac2), 0);
    CHECK_MEMEQ(&ac, &ac2, sizeof ac);

    struct ofpmsg *reply = ofputil_encode_get_async_reply(&ac,
                                                          ofpmsg_header(msg));
    CHECK_EQ(ofputil_decode_async_cfg(ofpmsg_header(reply), &ac2), 0);
    CHECK_MEMEQ(&ac, &ac2, sizeof ac);
    enum ofptype t;
    CHECK_EQ(decode_type(reply, &t), 0);
    CHECK_EQ(t, OFPTYPE_GET_ASYNC_REPLY);
    ofpmsg_delete(msg);
    ofpmsg_delete(reply);
}

/* ---- Multipart. ---- */

TEST(desc_stats)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofpmsg *req = ofputil_encode_multipart_request(
            OFPTYPE_DESC_STATS_REQUEST, versions[v], 21);
        struct ofputil_desc_stats ds, ds2;
        enum ofptype t;

        CHECK_EQ(decode_type(req, &t), 0);
        CHECK_EQ(t, OFPTYPE_DESC_STATS_REQUEST);
        memset(&ds, 0, sizeof ds);
        strcpy(ds.mfr_desc, "Plexus project");
        strcpy(ds.hw_desc, "userspace");
        strcpy(ds.sw_desc, "0.1");
        memset(ds.serial_num, 's', sizeof ds.serial_num - 1);
        memset(ds.dp_desc, 'd', sizeof ds.dp_desc - 1);

        struct ofpmsg *reply = ofputil_encode_desc_stats_reply(
            &ds, ofpmsg_header(req));
        CHECK_EQ(reply->size, (versions[v] == OFP10_VERSION ? 12 : 16)
                 + 1056);
        CHECK_EQ(ofputil_decode_desc_stats_reply(ofpmsg_header(reply),
                                                 &ds2), 0);
        CHECK_MEMEQ(&ds, &ds2, sizeof ds);
        ofpmsg_delete(req);
        ofpmsg_delete(reply);
    }
}

TEST(port_stats)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint32_t port;
        struct ofpmsg *req = ofputil_encode_port_stats_request(
            versions[v], 3, OFPP11_ANY);

        CHECK_EQ(req->size, versions[v] == OFP10_VERSION ? 20 : 24);
        CHECK_EQ(ofputil_decode_port_stats_request(ofpmsg_header(req),
                                                   &port), 0);
        CHECK_EQ(port, OFPP11_ANY);
        if (versions[v] == OFP10_VERSION) {
            CHECK_EQ(ntohs(*(plx_be16 *) (req->data + 12)), OFPP10_NONE);
        }

        struct ofputil_port_stats stats[3];
        memset(stats, 0, sizeof stats);
        for (int i = 0; i < 3; i++) {
            uint64_t *c = &stats[i].rx_packets;
            stats[i].port_no = i == 2 ? OFPP11_LOCAL : i + 1;
            for (int j = 0; j < 12; j++) {
                c[j] = ((uint64_t) i << 40) | (j + 1);
            }
            stats[i].duration_sec = versions[v] == OFP10_VERSION
                                    ? UINT32_MAX : 100 + i;
            stats[i].duration_nsec = versions[v] == OFP10_VERSION
                                     ? UINT32_MAX : 5000;
        }
        struct plx_list replies;
        ofputil_encode_port_stats_reply(&replies, ofpmsg_header(req),
                                        stats, 3);
        CHECK(plx_list_is_singleton(&replies));
        struct ofpmsg *reply = CONTAINER_OF(plx_list_front(&replies),
                                            struct ofpmsg, list_node);
        struct ofputil_port_stats *got;
        size_t n;
        CHECK_EQ(ofputil_decode_port_stats_reply(ofpmsg_header(reply),
                                                 &got, &n), 0);
        CHECK_EQ(n, 3);
        CHECK_MEMEQ(got, stats, sizeof stats);
        CHECK(!ofpmp_more(ofpmsg_header(reply)));
        free(got);
        ofpmsg_list_delete(&replies);
        ofpmsg_delete(req);
    }
}

TEST(table_stats)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        bool v10 = versions[v] == OFP10_VERSION;
        struct ofp_header req = { .version = versions[v] };
        struct ofputil_table_stats ts[2];

        memset(ts, 0, sizeof ts);
        for (int i = 0; i < 2; i++) {
            ts[i].table_id = i * 100;
            if (v10) {
                snprintf(ts[i].name, sizeof ts[i].name, "table%d", i);
                ts[i].wildcards = 0x3fffff;
                ts[i].max_entries = 1000000;
            }
            ts[i].active_count = 10 + i;
            ts[i].lookup_count = 1ULL << 40;
            ts[i].matched_count = 12345;
        }
        struct plx_list replies;
        ofputil_encode_table_stats_reply(&replies, &req, ts, 2);
        struct ofpmsg *reply = CONTAINER_OF(plx_list_front(&replies),
                                            struct ofpmsg, list_node);
        CHECK_EQ(reply->size, v10 ? 12 + 128 : 16 + 48);
        struct ofputil_table_stats *got;
        size_t n;
        CHECK_EQ(ofputil_decode_table_stats_reply(ofpmsg_header(reply),
                                                  &got, &n), 0);
        CHECK_EQ(n, 2);
        CHECK_MEMEQ(got, ts, sizeof ts);
        free(got);
        ofpmsg_list_delete(&replies);
    }
}

/* Enough port descriptions to need several replies: all but the last
 * carry OFPMPF_MORE, none passes 65535 bytes, all ports come back. */
TEST(port_desc_split)
{
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        size_t n_ports = 3000;
        struct ofputil_phy_port *ports = xcalloc(n_ports, sizeof *ports);
        struct ofp_header req = { .version = versions[v],
                                  .xid = htonl(17) };

        for (size_t i = 0; i < n_ports; i++) {
            sample_port(&ports[i], i + 1);
            if (versions[v] == OFP10_VERSION) {
                ports[i].curr_speed = 1000000;
                ports[i].max_speed = 10000000;
            }
        }
        struct plx_list replies;
        ofputil_encode_port_desc_reply(&replies, &req, ports, n_ports);
        CHECK_GT(plx_list_size(&replies), 1);

        size_t total = 0, i = 0, n_msgs = plx_list_size(&replies);
        struct ofpmsg *reply;
        LIST_FOR_EACH (reply, list_node, &replies) {
            struct ofputil_phy_port *got;
            size_t n;

            i++;
            CHECK_LE(reply->size, 65535);
            CHECK_EQ(ntohl(ofpmsg_header(reply)->xid), 17);
            CHECK_EQ(ofpmp_more(ofpmsg_header(reply)), i < n_msgs);
            CHECK_EQ(ofputil_decode_port_desc_reply(ofpmsg_header(reply),
                                                    &got, &n), 0);
            for (size_t j = 0; j < n; j++) {
                check_port_eq(&got[j], &ports[total + j]);
            }
            total += n;
            free(got);
        }
        CHECK_EQ(total, n_ports);
        ofpmsg_list_delete(&replies);
        free(ports);
    }
}

TEST(empty_multipart_requests)
{
    static const enum ofptype types[] = {
        OFPTYPE_DESC_STATS_REQUEST, OFPTYPE_TABLE_STATS_REQUEST,
        OFPTYPE_PORT_DESC_STATS_REQUEST, OFPTYPE_GROUP_DESC_STATS_REQUEST,
        OFPTYPE_GROUP_FEATURES_STATS_REQUEST,
        OFPTYPE_METER_FEATURES_STATS_REQUEST,
        OFPTYPE_TABLE_FEATURES_STATS_REQUEST,
    };
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
            if (!ofptype_exists(types[i], versions[v])) {
                continue;
            }
            struct ofpmsg *msg = ofputil_encode_multipart_request(
                types[i], versions[v], 1);
            enum ofptype t;
            CHECK_EQ(decode_type(msg, &t), 0);
            CHECK_EQ(t, types[i]);
            CHECK_EQ(msg->size, versions[v] == OFP10_VERSION ? 12 : 16);
            ofpmsg_delete(msg);
        }
    }
}
