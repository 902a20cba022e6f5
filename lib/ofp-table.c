/* OpenFlow table and queue messages: see ofp-table.h. */
#include <config.h>
#include "ofp-table.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>
#include "ofp-match.h"

#define V10 OFP10_VERSION
#define V13 OFP13_VERSION

/* ---- Wire structures (OpenFlow 1.0 and 1.3). ---- */

struct ofp13_table_mod {
    uint8_t table_id;
    uint8_t pad[3];
    plx_be32 config;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_table_mod) == 8);

struct ofp13_table_features {
    plx_be16 length;            /* Including properties. */
    uint8_t table_id;
    uint8_t pad[5];
    char name[OFP_MAX_TABLE_NAME_LEN];
    plx_be64 metadata_match;
    plx_be64 metadata_write;
    plx_be32 config;
    plx_be32 max_entries;
    /* Followed by properties, each padded to 8 bytes. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_table_features) == 64);

/* Header of a table feature property, and of each instruction or action
 * id inside one. */
struct ofp13_prop_header {
    plx_be16 type;
    plx_be16 length;            /* Excluding padding. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_prop_header) == 4);

enum ofp13_table_feature_prop_type {
    OFPTFPT13_INSTRUCTIONS = 0,
    OFPTFPT13_INSTRUCTIONS_MISS = 1,
    OFPTFPT13_NEXT_TABLES = 2,
    OFPTFPT13_NEXT_TABLES_MISS = 3,
    OFPTFPT13_WRITE_ACTIONS = 4,
    OFPTFPT13_WRITE_ACTIONS_MISS = 5,
    OFPTFPT13_APPLY_ACTIONS = 6,
    OFPTFPT13_APPLY_ACTIONS_MISS = 7,
    OFPTFPT13_MATCH = 8,
    OFPTFPT13_WILDCARDS = 10,
    OFPTFPT13_WRITE_SETFIELD = 12,
    OFPTFPT13_WRITE_SETFIELD_MISS = 13,
    OFPTFPT13_APPLY_SETFIELD = 14,
    OFPTFPT13_APPLY_SETFIELD_MISS = 15,
    OFPTFPT13_EXPERIMENTER = 0xfffe,
    OFPTFPT13_EXPERIMENTER_MISS = 0xffff,
};

/* Valid OpenFlow 1.3 instruction types: GOTO_TABLE (1) .. METER (6). */
#define OFPIT13_VALID 0x7e

struct ofp10_queue_stats_request {
    plx_be16 port_no;           /* OFPP10_ALL: every port. */
    uint8_t pad[2];
    plx_be32 queue_id;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_queue_stats_request) == 8);

struct ofp11_queue_stats_request {
    plx_be32 port_no;           /* OFPP11_ANY: every port. */
    plx_be32 queue_id;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_queue_stats_request) == 8);

struct ofp10_queue_stats {
    plx_be16 port_no;
    uint8_t pad[2];
    plx_be32 queue_id;
    plx_be64 tx_bytes;
    plx_be64 tx_packets;
    plx_be64 tx_errors;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_queue_stats) == 32);

struct ofp13_queue_stats {
    plx_be32 port_no;
    plx_be32 queue_id;
    plx_be64 tx_bytes;
    plx_be64 tx_packets;
    plx_be64 tx_errors;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_queue_stats) == 40);

struct ofp10_queue_get_config_request {
    plx_be16 port;
    uint8_t pad[2];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_queue_get_config_request) == 4);

struct ofp11_queue_get_config_request {
    plx_be32 port;
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_queue_get_config_request) == 8);

struct ofp10_queue_get_config_reply {
    plx_be16 port;
    uint8_t pad[6];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_queue_get_config_reply) == 8);

struct ofp11_queue_get_config_reply {
    plx_be32 port;
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_queue_get_config_reply) == 8);

struct ofp10_packet_queue {
    plx_be32 queue_id;
    plx_be16 len;               /* Including properties. */
    uint8_t pad[2];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_packet_queue) == 8);

struct ofp12_packet_queue {
    plx_be32 queue_id;
    plx_be32 port;
    plx_be16 len;
    uint8_t pad[6];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp12_packet_queue) == 16);

enum {
    OFPQT_MIN_RATE = 1,
    OFPQT_MAX_RATE = 2,
};

struct ofp_queue_prop_rate {
    plx_be16 property;          /* OFPQT_*. */
    plx_be16 len;               /* 16. */
    uint8_t pad[4];
    plx_be16 rate;
    uint8_t pad2[6];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_queue_prop_rate) == 16);

/* Unaligned big-endian access (properties sit at arbitrary offsets). */
static uint16_t
get_be16(const void *p)
{
    plx_be16 x;
    memcpy(&x, p, sizeof x);
    return ntohs(x);
}

static uint32_t
get_be32(const void *p)
{
    plx_be32 x;
    memcpy(&x, p, sizeof x);
    return ntohl(x);
}

static void
put_be16(void *p, uint16_t v)
{
    plx_be16 x = htons(v);
    memcpy(p, &x, sizeof x);
}

/* Copies the at most SRC_SIZE-byte string at SRC into DST (DST_SIZE bytes),
 * NUL-terminating and truncating. */
static void
copy_str(char *dst, size_t dst_size, const char *src, size_t src_size)
{
    size_t n = 0;

    while (n < src_size && n < dst_size - 1 && src[n]) {
        n++;
    }
    memcpy(dst, src, n);
    memset(dst + n, 0, dst_size - n);
}

/* ---- TABLE_MOD. ---- */

struct ofpmsg *
ofputil_encode_table_mod(const struct ofputil_table_mod *tm, uint8_t version,
                         uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_TABLE_MOD, version, xid, 8);
    struct ofp13_table_mod *otm = ofpmsg_put_zeros(msg, sizeof *otm);

    otm->table_id = tm->table_id;
    otm->config = htonl(tm->config);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_table_mod(const struct ofp_header *oh,
                         struct ofputil_table_mod *tm)
{
    const struct ofp13_table_mod *otm;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_TABLE_MOD,
                                        (const void **) &otm, &len);

    memset(tm, 0, sizeof *tm);
    if (!error) {
        tm->table_id = otm->table_id;
        tm->config = ntohl(otm->config);
    }
    return error;
}

enum ofperr
ofputil_check_table_mod(const struct ofputil_table_mod *tm,
                        unsigned int n_tables)
{
    return (tm->table_id == OFPTT_ALL || tm->table_id < n_tables
            ? 0 : OFPERR_OFPTMFC_BAD_TABLE);
}

/* ---- Table features: encoding. ---- */

bool
ofputil_table_features_can_name(enum mf_field_id id)
{
    const struct mf_field *mf = mf_from_id(id);

    return mf->supported && (ofp_oxm_header(mf) || id == MFF_TCP_FLAGS);
}

/* Writes FIELD's header (as Open vSwitch does for OpenFlow 1.3: OXM, else
 * NXM, else experimenter), with the has-mask bit if MASKED. */
static void
put_field_header(struct ofpmsg *msg, const struct mf_field *mf, bool masked)
{
    union mf_value zero;
    uint8_t tlv[80];

    memset(&zero, 0, sizeof zero);
    size_t n = ofp_oxm_encode_field(mf, &zero, masked ? &zero : NULL, tlv,
                                    sizeof tlv);
    if (n < 4 || n > sizeof tlv) {
        return;                 /* No header: nothing to say. */
    }
    size_t hlen = MF_HEADER_CLASS(get_be32(tlv)) == 0xffff ? 8 : 4;
    ofpmsg_put(msg, tlv, MIN(hlen, n));
}

/* Starts a property of TYPE; returns its offset for prop_end(). */
static size_t
prop_start(struct ofpmsg *msg, uint16_t type)
{
    size_t ofs = msg->size;
    struct ofp13_prop_header *ph = ofpmsg_put_zeros(msg, sizeof *ph);

    ph->type = htons(type);
    return ofs;
}

/* Sets the length of the property at OFS and pads it to 8 bytes. */
static void
prop_end(struct ofpmsg *msg, size_t ofs)
{
    put_be16(msg->data + ofs + 2, msg->size - ofs);
    ofpmsg_put_zeros(msg, ROUND_UP(msg->size - ofs, 8) - (msg->size - ofs));
}

/* A property listing the ids of the 1-bits of BITS (instructions or
 * actions), each as a 4-byte (type, length 4) header. */
static void
put_bitmap_prop(struct ofpmsg *msg, uint16_t type, uint32_t bits)
{
    size_t ofs = prop_start(msg, type);
    int idx;

    ULLONG_FOR_EACH_1 (idx, bits) {
        uint8_t *p = ofpmsg_put_zeros(msg, 4);
        put_be16(p, idx);
        put_be16(p + 2, 4);
    }
    prop_end(msg, ofs);
}

static void
put_fields_prop(struct ofpmsg *msg, uint16_t type,
                const struct ofputil_field_set *fields,
                const struct ofputil_field_set *masks)
{
    size_t ofs = prop_start(msg, type);
    size_t id;

    BITMAP_FOR_EACH_1 (id, MFF_N_IDS, fields->bm) {
        if (ofputil_table_features_can_name(id)) {
            put_field_header(msg, mf_from_id(id),
                             masks && bitmap_is_set(masks->bm, id));
        }
    }
    prop_end(msg, ofs);
}

static void
put_instruction_features(struct ofpmsg *msg,
                         const struct ofputil_table_instruction_features *f,
                         int miss)
{
    put_bitmap_prop(msg, OFPTFPT13_INSTRUCTIONS + miss, f->instructions);

    size_t ofs = prop_start(msg, OFPTFPT13_NEXT_TABLES + miss);
    size_t id;
    BITMAP_FOR_EACH_1 (id, 255, f->next) {
        uint8_t t = id;
        ofpmsg_put(msg, &t, 1);
    }
    prop_end(msg, ofs);

    put_bitmap_prop(msg, OFPTFPT13_WRITE_ACTIONS + miss, f->write_actions);
    put_fields_prop(msg, OFPTFPT13_WRITE_SETFIELD + miss,
                    &f->write_setfield, NULL);
    put_bitmap_prop(msg, OFPTFPT13_APPLY_ACTIONS + miss, f->apply_actions);
    put_fields_prop(msg, OFPTFPT13_APPLY_SETFIELD + miss,
                    &f->apply_setfield, NULL);
}

/* Appends one table's features to MSG. */
static void
put_table_features(struct ofpmsg *msg, const struct ofputil_table_features *tf)
{
    size_t start = msg->size;
    struct ofp13_table_features *otf = ofpmsg_put_zeros(msg, sizeof *otf);
    size_t n = strnlen(tf->name, sizeof tf->name);

    otf->table_id = tf->table_id;
    memcpy(otf->name, tf->name, MIN(n, sizeof otf->name - 1));
    otf->metadata_match = htobe64(tf->metadata_match);
    otf->metadata_write = htobe64(tf->metadata_write);
    otf->config = htonl(tf->config);
    otf->max_entries = htonl(tf->max_entries);

    put_instruction_features(msg, &tf->nonmiss, 0);
    put_instruction_features(msg, &tf->miss, 1);
    put_fields_prop(msg, OFPTFPT13_MATCH, &tf->match, &tf->mask);
    put_fields_prop(msg, OFPTFPT13_WILDCARDS, &tf->wildcard, NULL);
    put_be16(msg->data + start, msg->size - start);
}

void
ofputil_encode_table_features_reply(struct plx_list *replies,
                                    const struct ofp_header *request,
                                    const struct ofputil_table_features *tfs,
                                    size_t n)
{
    ofpmp_init(replies, OFPTYPE_TABLE_FEATURES_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg tmp = { .data = NULL };

        put_table_features(&tmp, &tfs[i]);
        memcpy(ofpmp_append(replies, tmp.size), tmp.data, tmp.size);
        free(tmp.data);
    }
}

struct ofpmsg *
ofputil_encode_table_features_request(uint8_t version, uint32_t xid,
                                      const struct ofputil_table_features *tfs,
                                      size_t n)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_TABLE_FEATURES_STATS_REQUEST,
                                      version, xid, 0);

    for (size_t i = 0; i < n; i++) {
        put_table_features(msg, &tfs[i]);
    }
    ofpmsg_finish(msg);
    return msg;
}

/* ---- Table features: decoding. ---- */

/* Parses a list of instruction or action ids (4-byte headers, longer for
 * experimenter ones) into a bitmap of the types below 32. */
static enum ofperr
parse_id_list(const uint8_t *p, size_t len, uint32_t *bits,
              uint32_t valid, bool loose, enum ofperr unknown)
{
    *bits = 0;
    while (len > 0) {
        if (len < 4) {
            return OFPERR_OFPTFFC_BAD_LEN;
        }
        uint16_t type = get_be16(p);
        size_t id_len = get_be16(p + 2);
        if (id_len < 4 || id_len > len) {
            return OFPERR_OFPTFFC_BAD_LEN;
        }
        if (type < 32 && valid & (1u << type)) {
            *bits |= 1u << type;
        } else if (!loose && unknown) {
            return unknown;
        }
        p += id_len;
        len -= id_len;
    }
    return 0;
}

static enum ofperr
parse_next_tables(const uint8_t *p, size_t len, unsigned long *next)
{
    memset(next, 0, BITMAP_N_LONGS(256) * sizeof *next);
    for (size_t i = 0; i < len; i++) {
        if (p[i] == OFPTT_ALL) {
            return OFPERR_OFPTFFC_BAD_ARGUMENT;
        }
        bitmap_set1(next, p[i]);
    }
    return 0;
}

/* Parses a list of OXM headers into EXACTP and (for masked headers)
 * MASKEDP; with MASKEDP null a masked header is OFPBMC_BAD_MASK. */
static enum ofperr
parse_oxms(const uint8_t *p, size_t len, bool loose,
           struct ofputil_field_set *exactp,
           struct ofputil_field_set *maskedp)
{
    memset(exactp, 0, sizeof *exactp);
    if (maskedp) {
        memset(maskedp, 0, sizeof *maskedp);
    }
    while (len > 0) {
        if (len < 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        uint32_t header = get_be32(p);
        const struct mf_field *mf = NULL;
        size_t hlen = 4;

        if (MF_HEADER_CLASS(header) == 0xffff) {
            if (len < 8 || MF_HEADER_LENGTH(header) < 4) {
                return OFPERR_OFPBMC_BAD_LEN;
            }
            hlen = 8;
            if (get_be32(p + 4) == OFPERR_ONF_VENDOR_ID
                && MF_HEADER_FIELD(header) == 42) {
                mf = mf_from_id(MFF_TCP_FLAGS);
            }
        } else {
            mf = mf_from_oxm_header(header);
        }
        p += hlen;
        len -= hlen;

        if (!mf || !mf->supported) {
            if (!loose) {
                return OFPERR_OFPBMC_BAD_FIELD;
            }
            continue;
        }
        if (MF_HEADER_HASMASK(header)) {
            if (!maskedp) {
                return OFPERR_OFPBMC_BAD_MASK;
            }
            bitmap_set1(maskedp->bm, mf->id);
        } else {
            bitmap_set1(exactp->bm, mf->id);
        }
    }
    return 0;
}

static enum ofperr
parse_property(uint16_t type, const uint8_t *p, size_t len, bool loose,
               struct ofputil_table_features *tf)
{
    struct ofputil_table_instruction_features *f
        = type & 1 ? &tf->miss : &tf->nonmiss;
    struct ofputil_field_set masked;

    switch (type) {
    case OFPTFPT13_INSTRUCTIONS:
    case OFPTFPT13_INSTRUCTIONS_MISS:
        return parse_id_list(p, len, &f->instructions, OFPIT13_VALID, loose,
                             OFPERR_OFPBIC_UNKNOWN_INST);
    case OFPTFPT13_NEXT_TABLES:
    case OFPTFPT13_NEXT_TABLES_MISS:
        return parse_next_tables(p, len, f->next);
    case OFPTFPT13_WRITE_ACTIONS:
    case OFPTFPT13_WRITE_ACTIONS_MISS:
        return parse_id_list(p, len, &f->write_actions, UINT32_MAX, loose,
                             0);
    case OFPTFPT13_APPLY_ACTIONS:
    case OFPTFPT13_APPLY_ACTIONS_MISS:
        return parse_id_list(p, len, &f->apply_actions, UINT32_MAX, loose,
                             0);
    case OFPTFPT13_MATCH: {
        enum ofperr error = parse_oxms(p, len, loose, &tf->match, &masked);
        if (!error) {
            tf->mask = masked;
        }
        return error;
    }
    case OFPTFPT13_WILDCARDS:
        return parse_oxms(p, len, loose, &tf->wildcard, NULL);
    case OFPTFPT13_WRITE_SETFIELD:
    case OFPTFPT13_WRITE_SETFIELD_MISS:
        return parse_oxms(p, len, loose, &f->write_setfield, NULL);
    case OFPTFPT13_APPLY_SETFIELD:
    case OFPTFPT13_APPLY_SETFIELD_MISS:
        return parse_oxms(p, len, loose, &f->apply_setfield, NULL);
    default:
        return loose ? 0 : OFPERR_OFPTFFC_BAD_TYPE;
    }
}

/* Decodes the table features entry at the start of the LEFT bytes at P
 * and stores its length in '*lenp'. */
static enum ofperr
decode_one_table(const uint8_t *p, size_t left, bool loose,
                 struct ofputil_table_features *tf, size_t *lenp)
{
    const struct ofp13_table_features *otf = (const void *) p;

    memset(tf, 0, sizeof *tf);
    if (left < sizeof *otf) {
        return OFPERR_OFPTFFC_BAD_LEN;
    }
    size_t len = ntohs(otf->length);
    if (len < sizeof *otf || len % 8 || len > left) {
        return OFPERR_OFPTFFC_BAD_LEN;
    }
    *lenp = len;
    if (otf->table_id == OFPTT_ALL) {
        return OFPERR_OFPTFFC_BAD_TABLE;
    }
    tf->table_id = otf->table_id;
    copy_str(tf->name, sizeof tf->name, otf->name, sizeof otf->name);
    tf->metadata_match = be64toh(otf->metadata_match);
    tf->metadata_write = be64toh(otf->metadata_write);
    tf->config = ntohl(otf->config);
    tf->max_entries = ntohl(otf->max_entries);

    p += sizeof *otf;
    len -= sizeof *otf;
    while (len > 0) {
        if (len < sizeof(struct ofp13_prop_header)) {
            return OFPERR_OFPTFFC_BAD_LEN;
        }
        uint16_t type = get_be16(p);
        size_t plen = get_be16(p + 2);
        if (plen < 4 || ROUND_UP(plen, 8) > len
            || (type >= OFPTFPT13_EXPERIMENTER && plen < 12)) {
            return OFPERR_OFPTFFC_BAD_LEN;
        }
        enum ofperr error = parse_property(type, p + 4, plen - 4, loose, tf);
        if (error) {
            return error;
        }
        p += ROUND_UP(plen, 8);
        len -= ROUND_UP(plen, 8);
    }

    /* Open vSwitch's fix-ups: maskable fields are matchable and may be
     * wildcarded; only matchable fields may be wildcarded. */
    bitmap_or(tf->match.bm, tf->mask.bm, MFF_N_IDS);
    bitmap_or(tf->wildcard.bm, tf->mask.bm, MFF_N_IDS);
    bitmap_and(tf->wildcard.bm, tf->match.bm, MFF_N_IDS);
    return 0;
}

enum ofperr
ofputil_decode_table_features(const struct ofp_header *oh, bool loose,
                              struct ofputil_table_features **tfsp,
                              size_t *np)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);
    const uint8_t *body;
    size_t len;

    *tfsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }
    if (type != OFPTYPE_TABLE_FEATURES_STATS_REQUEST
        && type != OFPTYPE_TABLE_FEATURES_STATS_REPLY) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    error = ofpmsg_get_body(oh, type, (const void **) &body, &len);
    if (error) {
        return error;
    }

    struct ofputil_table_features *tfs = NULL;
    size_t n = 0, allocated = 0;
    while (len > 0) {
        size_t tlen = 0;

        if (n >= allocated) {
            tfs = x2nrealloc(tfs, &allocated, sizeof *tfs);
        }
        error = decode_one_table(body, len, loose, &tfs[n], &tlen);
        if (error) {
            free(tfs);
            return error;
        }
        n++;
        body += tlen;
        len -= tlen;
    }
    *tfsp = tfs;
    *np = n;
    return 0;
}

bool
ofputil_table_features_request_is_set(const struct ofp_header *oh)
{
    const void *body;
    size_t len;

    return (!ofpmsg_get_body(oh, OFPTYPE_TABLE_FEATURES_STATS_REQUEST,
                             &body, &len)
            && (len > 0 || ofpmp_more(oh)));
}

/* ---- Queue statistics. ---- */

/* Converts an OpenFlow 1.1+ port number to the internal form, refusing
 * (as Open vSwitch does) the numbers that have no 16-bit form. */
static enum ofperr
port_from_ofp11(plx_be32 port_, uint32_t *portp)
{
    uint32_t port = ntohl(port_);

    *portp = port;
    if (port >= OFPP10_MAX && port < OFPP11_MAX) {
        *portp = OFPP11_ANY;
        return OFPERR_OFPBAC_BAD_OUT_PORT;
    }
    return 0;
}

static plx_be16
port_to_ofp10(uint32_t port)
{
    uint16_t port10;

    ofp_port_to_ofp10(port, &port10);
    return htons(port10);
}

struct ofpmsg *
ofputil_encode_queue_stats_request(const struct ofputil_queue_stats_request *r,
                                   uint8_t version, uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_QUEUE_STATS_REQUEST, version,
                                      xid, 8);

    if (version == V10) {
        struct ofp10_queue_stats_request *q = ofpmsg_put_zeros(msg,
                                                               sizeof *q);
        q->port_no = (r->port_no == OFPP11_ANY ? htons(OFPP10_ALL)
                      : port_to_ofp10(r->port_no));
        q->queue_id = htonl(r->queue_id);
    } else {
        struct ofp11_queue_stats_request *q = ofpmsg_put_zeros(msg,
                                                               sizeof *q);
        q->port_no = htonl(r->port_no);
        q->queue_id = htonl(r->queue_id);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_queue_stats_request(const struct ofp_header *oh,
                                   struct ofputil_queue_stats_request *r)
{
    const void *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_QUEUE_STATS_REQUEST,
                                        &body, &len);

    r->port_no = OFPP11_ANY;
    r->queue_id = OFPUTIL_QUEUE_ALL;
    if (error) {
        return error;
    }
    if (oh->version == V10) {
        const struct ofp10_queue_stats_request *q = body;
        uint16_t port10 = ntohs(q->port_no);

        r->port_no = (port10 == OFPP10_ALL ? OFPP11_ANY
                      : ofp_port_from_ofp10(port10));
        r->queue_id = ntohl(q->queue_id);
        return 0;
    } else {
        const struct ofp11_queue_stats_request *q = body;

        r->queue_id = ntohl(q->queue_id);
        return port_from_ofp11(q->port_no, &r->port_no);
    }
}

void
ofputil_encode_queue_stats_reply(struct plx_list *replies,
                                 const struct ofp_header *request,
                                 const struct ofputil_queue_stats *stats,
                                 size_t n)
{
    ofpmp_init(replies, OFPTYPE_QUEUE_STATS_REPLY, request);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_queue_stats *qs = &stats[i];

        if (request->version == V10) {
            struct ofp10_queue_stats *q = ofpmp_append(replies, sizeof *q);

            q->port_no = port_to_ofp10(qs->port_no);
            q->queue_id = htonl(qs->queue_id);
            q->tx_bytes = htobe64(qs->tx_bytes);
            q->tx_packets = htobe64(qs->tx_packets);
            q->tx_errors = htobe64(qs->tx_errors);
        } else {
            struct ofp13_queue_stats *q = ofpmp_append(replies, sizeof *q);

            q->port_no = htonl(qs->port_no);
            q->queue_id = htonl(qs->queue_id);
            q->tx_bytes = htobe64(qs->tx_bytes);
            q->tx_packets = htobe64(qs->tx_packets);
            q->tx_errors = htobe64(qs->tx_errors);
            q->duration_sec = htonl(qs->duration_sec);
            q->duration_nsec = htonl(qs->duration_sec == UINT32_MAX
                                     ? UINT32_MAX : qs->duration_nsec);
        }
    }
}

enum ofperr
ofputil_decode_queue_stats_reply(const struct ofp_header *oh,
                                 struct ofputil_queue_stats **statsp,
                                 size_t *np)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_QUEUE_STATS_REPLY,
                                        (const void **) &body, &len);

    *statsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }

    size_t size = (oh->version == V10 ? sizeof(struct ofp10_queue_stats)
                   : sizeof(struct ofp13_queue_stats));
    size_t n = len / size;
    struct ofputil_queue_stats *stats = n ? xcalloc(n, sizeof *stats) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct ofputil_queue_stats *qs = &stats[i];
        const void *p = body + i * size;

        if (oh->version == V10) {
            const struct ofp10_queue_stats *q = p;

            qs->port_no = ofp_port_from_ofp10(ntohs(q->port_no));
            qs->queue_id = ntohl(q->queue_id);
            qs->tx_bytes = be64toh(q->tx_bytes);
            qs->tx_packets = be64toh(q->tx_packets);
            qs->tx_errors = be64toh(q->tx_errors);
            qs->duration_sec = qs->duration_nsec = UINT32_MAX;
        } else {
            const struct ofp13_queue_stats *q = p;

            error = port_from_ofp11(q->port_no, &qs->port_no);
            if (error) {
                free(stats);
                return error;
            }
            qs->queue_id = ntohl(q->queue_id);
            qs->tx_bytes = be64toh(q->tx_bytes);
            qs->tx_packets = be64toh(q->tx_packets);
            qs->tx_errors = be64toh(q->tx_errors);
            qs->duration_sec = ntohl(q->duration_sec);
            qs->duration_nsec = ntohl(q->duration_nsec);
        }
    }
    *statsp = stats;
    *np = n;
    return 0;
}

/* ---- Queue configuration. ---- */

struct ofpmsg *
ofputil_encode_queue_get_config_request(uint8_t version, uint32_t xid,
                                        uint32_t port_no)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_QUEUE_GET_CONFIG_REQUEST,
                                      version, xid, 8);

    if (version == V10) {
        struct ofp10_queue_get_config_request *r = ofpmsg_put_zeros(
            msg, sizeof *r);
        r->port = port_to_ofp10(port_no);
    } else {
        struct ofp11_queue_get_config_request *r = ofpmsg_put_zeros(
            msg, sizeof *r);
        r->port = htonl(port_no);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_queue_get_config_request(const struct ofp_header *oh,
                                        uint32_t *port_nop)
{
    const void *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_QUEUE_GET_CONFIG_REQUEST,
                                        &body, &len);

    *port_nop = OFPP11_ANY;
    if (error) {
        return error;
    }
    if (oh->version == V10) {
        const struct ofp10_queue_get_config_request *r = body;
        *port_nop = ofp_port_from_ofp10(ntohs(r->port));
    } else {
        const struct ofp11_queue_get_config_request *r = body;
        error = port_from_ofp11(r->port, port_nop);
        if (error || *port_nop == OFPP11_ANY) {
            return error;
        }
    }
    return *port_nop < OFPP10_MAX ? 0 : OFPERR_OFPQOFC_BAD_PORT;
}

static void
put_queue_rate(struct ofpmsg *msg, uint16_t property, uint16_t rate)
{
    if (rate != OFPUTIL_QUEUE_RATE_NONE) {
        struct ofp_queue_prop_rate *pr = ofpmsg_put_zeros(msg, sizeof *pr);

        pr->property = htons(property);
        pr->len = htons(sizeof *pr);
        pr->rate = htons(rate);
    }
}

struct ofpmsg *
ofputil_encode_queue_get_config_reply(const struct ofp_header *request,
                                      uint32_t port_no,
                                      const struct ofputil_queue_config *qs,
                                      size_t n)
{
    struct ofpmsg *msg = ofpmsg_start_reply(OFPTYPE_QUEUE_GET_CONFIG_REPLY,
                                            request, 8 + n * 48);
    uint8_t version = request->version;

    if (version == V10) {
        struct ofp10_queue_get_config_reply *r = ofpmsg_put_zeros(
            msg, sizeof *r);
        r->port = port_to_ofp10(port_no);
    } else {
        struct ofp11_queue_get_config_reply *r = ofpmsg_put_zeros(
            msg, sizeof *r);
        r->port = htonl(port_no);
    }
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_queue_config *qc = &qs[i];
        size_t start = msg->size, len_ofs;

        if (msg->size + 16 + 2 * sizeof(struct ofp_queue_prop_rate)
            > OFP_MAX_MSG_LEN) {
            break;              /* No room: the message cannot say more. */
        }
        if (version == V10) {
            struct ofp10_packet_queue *pq = ofpmsg_put_zeros(msg,
                                                             sizeof *pq);
            pq->queue_id = htonl(qc->queue_id);
            len_ofs = start + offsetof(struct ofp10_packet_queue, len);
        } else {
            struct ofp12_packet_queue *pq = ofpmsg_put_zeros(msg,
                                                             sizeof *pq);
            pq->queue_id = htonl(qc->queue_id);
            pq->port = htonl(qc->port_no);
            len_ofs = start + offsetof(struct ofp12_packet_queue, len);
        }
        put_queue_rate(msg, OFPQT_MIN_RATE, qc->min_rate);
        if (version != V10) {
            /* OpenFlow 1.0 has no MAX_RATE (Open vSwitch writes one
             * anyway, which 1.0 controllers such as OS-Ken reject). */
            put_queue_rate(msg, OFPQT_MAX_RATE, qc->max_rate);
        }
        put_be16(msg->data + len_ofs, msg->size - start);
    }
    ofpmsg_finish(msg);
    return msg;
}

/* Decodes one queue (and its properties) at the start of the LEFT bytes
 * at P into QC; stores its length in '*lenp'. */
static enum ofperr
decode_one_queue(uint8_t version, const uint8_t *p, size_t left,
                 struct ofputil_queue_config *qc, size_t *lenp)
{
    size_t hdr_len, len;

    qc->min_rate = qc->max_rate = OFPUTIL_QUEUE_RATE_NONE;
    if (version == V10) {
        const struct ofp10_packet_queue *pq = (const void *) p;
        if (left < sizeof *pq) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        qc->queue_id = ntohl(pq->queue_id);
        len = ntohs(pq->len);
        hdr_len = sizeof *pq;
    } else {
        const struct ofp12_packet_queue *pq = (const void *) p;
        if (left < sizeof *pq) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        qc->queue_id = ntohl(pq->queue_id);
        qc->port_no = ntohl(pq->port);  /* Open vSwitch ignores it. */
        len = ntohs(pq->len);
        hdr_len = sizeof *pq;
    }
    if (len < hdr_len || len > left || len % 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *lenp = len;

    p += hdr_len;
    len -= hdr_len;
    while (len > 0) {
        if (len < 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint16_t property = get_be16(p);
        size_t plen = get_be16(p + 2);
        if (plen < 8 || plen > len || plen % 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (property == OFPQT_MIN_RATE || property == OFPQT_MAX_RATE) {
            if (plen != sizeof(struct ofp_queue_prop_rate)) {
                return OFPERR_OFPBRC_BAD_LEN;
            }
            uint16_t rate = get_be16(p + 8);
            if (property == OFPQT_MIN_RATE) {
                qc->min_rate = rate;
            } else {
                qc->max_rate = rate;
            }
        }
        /* Other properties are skipped, as Open vSwitch does. */
        p += plen;
        len -= plen;
    }
    return 0;
}

enum ofperr
ofputil_decode_queue_get_config_reply(const struct ofp_header *oh,
                                      uint32_t *port_nop,
                                      struct ofputil_queue_config **queuesp,
                                      size_t *np)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_QUEUE_GET_CONFIG_REPLY,
                                        (const void **) &body, &len);

    *port_nop = OFPP11_ANY;
    *queuesp = NULL;
    *np = 0;
    if (error) {
        return error;
    }
    if (oh->version == V10) {
        const struct ofp10_queue_get_config_reply *r = (const void *) body;
        *port_nop = ofp_port_from_ofp10(ntohs(r->port));
    } else {
        const struct ofp11_queue_get_config_reply *r = (const void *) body;
        error = port_from_ofp11(r->port, port_nop);
        if (error) {
            return error;
        }
    }
    body += 8;
    len -= 8;

    struct ofputil_queue_config *qs = NULL;
    size_t n = 0, allocated = 0;
    while (len > 0) {
        size_t qlen = 0;

        if (n >= allocated) {
            qs = x2nrealloc(qs, &allocated, sizeof *qs);
        }
        memset(&qs[n], 0, sizeof qs[n]);
        qs[n].port_no = *port_nop;
        error = decode_one_queue(oh->version, body, len, &qs[n], &qlen);
        if (error) {
            free(qs);
            return error;
        }
        n++;
        body += qlen;
        len -= qlen;
    }
    *queuesp = qs;
    *np = n;
    return 0;
}
