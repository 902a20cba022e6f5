/* OpenFlow message framing, types and codecs: see ofp-msgs.h. */
#include <config.h>
#include "ofp-msgs.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

/* ---- Whole messages. ---- */

static struct ofpmsg *
ofpmsg_new(size_t capacity)
{
    struct ofpmsg *msg = xzalloc(sizeof *msg);

    msg->allocated = MAX(capacity, sizeof(struct ofp_header));
    msg->data = xmalloc(msg->allocated);
    plx_list_init(&msg->list_node);
    return msg;
}

struct ofpmsg *
ofpmsg_clone_data(const void *data, size_t n)
{
    struct ofpmsg *msg = ofpmsg_new(n);

    memcpy(msg->data, data, n);
    msg->size = n;
    return msg;
}

struct ofpmsg *
ofpmsg_clone(const struct ofpmsg *msg)
{
    return ofpmsg_clone_data(msg->data, msg->size);
}

void
ofpmsg_delete(struct ofpmsg *msg)
{
    if (msg) {
        free(msg->data);
        free(msg);
    }
}

void *
ofpmsg_put_zeros(struct ofpmsg *msg, size_t n)
{
    if (msg->size + n > msg->allocated) {
        msg->allocated = MAX(msg->size + n, msg->allocated * 2);
        msg->data = xrealloc(msg->data, msg->allocated);
    }
    void *p = msg->data + msg->size;
    memset(p, 0, n);
    msg->size += n;
    return p;
}

void *
ofpmsg_put(struct ofpmsg *msg, const void *data, size_t n)
{
    void *p = ofpmsg_put_zeros(msg, n);

    if (n) {
        memcpy(p, data, n);
    }
    return p;
}

void
ofpmsg_list_delete(struct plx_list *list)
{
    struct ofpmsg *msg;

    LIST_FOR_EACH_POP (msg, list_node, list) {
        ofpmsg_delete(msg);
    }
}

/* ---- Framing. ---- */

struct ofpmsg_framer {
    uint8_t *buf;
    size_t start;               /* First unconsumed byte. */
    size_t end;                 /* One past the last byte held. */
    size_t allocated;
    size_t max_msg;
    char *error;                /* Sticky. */
};

struct ofpmsg_framer *
ofpmsg_framer_create(size_t max_msg)
{
    struct ofpmsg_framer *f = xzalloc(sizeof *f);

    f->max_msg = (max_msg && max_msg < OFP_MAX_MSG_LEN
                  ? max_msg : OFP_MAX_MSG_LEN);
    return f;
}

void
ofpmsg_framer_destroy(struct ofpmsg_framer *f)
{
    if (f) {
        free(f->buf);
        free(f->error);
        free(f);
    }
}

void
ofpmsg_framer_feed(struct ofpmsg_framer *f, const void *data, size_t n)
{
    if (f->error || !n) {
        return;
    }
    if (f->start && f->end + n > f->allocated) {
        memmove(f->buf, f->buf + f->start, f->end - f->start);
        f->end -= f->start;
        f->start = 0;
    }
    if (f->end + n > f->allocated) {
        f->allocated = MAX(f->end + n, MAX(2 * f->allocated, 4096));
        f->buf = xrealloc(f->buf, f->allocated);
    }
    memcpy(f->buf + f->end, data, n);
    f->end += n;
}

int
ofpmsg_framer_next(struct ofpmsg_framer *f, struct ofpmsg **msgp)
{
    *msgp = NULL;
    if (f->error) {
        return EPROTO;
    }

    size_t avail = f->end - f->start;
    if (avail < sizeof(struct ofp_header)) {
        return EAGAIN;
    }

    const struct ofp_header *oh = (const void *) (f->buf + f->start);
    size_t len = ntohs(oh->length);
    if (len < sizeof *oh || len > f->max_msg) {
        f->error = xasprintf("OpenFlow message length %zu %s (version "
                             "0x%02x, type %u)", len,
                             len < sizeof *oh ? "below header size"
                             : "exceeds limit", oh->version, oh->type);
        f->start = f->end = 0;
        return EPROTO;
    }
    if (avail < len) {
        return EAGAIN;
    }
    *msgp = ofpmsg_clone_data(oh, len);
    f->start += len;
    if (f->start == f->end) {
        f->start = f->end = 0;
    }
    return 0;
}

bool
ofpmsg_framer_has_output(const struct ofpmsg_framer *f)
{
    size_t avail = f->end - f->start;

    if (f->error) {
        return true;
    } else if (avail < sizeof(struct ofp_header)) {
        return false;
    } else {
        const struct ofp_header *oh = (const void *) (f->buf + f->start);
        size_t len = ntohs(oh->length);
        return len < sizeof *oh || len > f->max_msg || avail >= len;
    }
}

size_t
ofpmsg_framer_pending(const struct ofpmsg_framer *f)
{
    return f->end - f->start;
}

const char *
ofpmsg_framer_get_error(const struct ofpmsg_framer *f)
{
    return f->error;
}

/* ---- The type table. ---- */

/* One wire encoding of one ofptype.  'stat' is the multipart type, or -1
 * for other messages.  The body (after the header and any multipart
 * header) must be exactly 'min_body' bytes ('unit' 0), at least that
 * ('unit' 1), or 'min_body' plus a multiple of 'unit'. */
struct ofpmsg_type_info {
    uint8_t version;
    uint8_t type;
    int32_t stat;
    enum ofptype ofptype;
    uint16_t min_body;
    uint16_t unit;
};

#define V10 OFP10_VERSION
#define V13 OFP13_VERSION

static const struct ofpmsg_type_info ofpmsg_types[] = {
    /* OpenFlow 1.0. */
    { V10, OFPT10_HELLO, -1, OFPTYPE_HELLO, 0, 1 },
    { V10, OFPT10_ERROR, -1, OFPTYPE_ERROR, 4, 1 },
    { V10, OFPT10_ECHO_REQUEST, -1, OFPTYPE_ECHO_REQUEST, 0, 1 },
    { V10, OFPT10_ECHO_REPLY, -1, OFPTYPE_ECHO_REPLY, 0, 1 },
    { V10, OFPT10_FEATURES_REQUEST, -1, OFPTYPE_FEATURES_REQUEST, 0, 0 },
    { V10, OFPT10_FEATURES_REPLY, -1, OFPTYPE_FEATURES_REPLY, 24, 48 },
    { V10, OFPT10_GET_CONFIG_REQUEST, -1, OFPTYPE_GET_CONFIG_REQUEST, 0, 0 },
    { V10, OFPT10_GET_CONFIG_REPLY, -1, OFPTYPE_GET_CONFIG_REPLY, 4, 0 },
    { V10, OFPT10_SET_CONFIG, -1, OFPTYPE_SET_CONFIG, 4, 0 },
    { V10, OFPT10_PACKET_IN, -1, OFPTYPE_PACKET_IN, 10, 1 },
    { V10, OFPT10_FLOW_REMOVED, -1, OFPTYPE_FLOW_REMOVED, 80, 0 },
    { V10, OFPT10_PORT_STATUS, -1, OFPTYPE_PORT_STATUS, 56, 0 },
    { V10, OFPT10_PACKET_OUT, -1, OFPTYPE_PACKET_OUT, 8, 1 },
    { V10, OFPT10_FLOW_MOD, -1, OFPTYPE_FLOW_MOD, 64, 1 },
    { V10, OFPT10_PORT_MOD, -1, OFPTYPE_PORT_MOD, 24, 0 },
    { V10, OFPT10_BARRIER_REQUEST, -1, OFPTYPE_BARRIER_REQUEST, 0, 0 },
    { V10, OFPT10_BARRIER_REPLY, -1, OFPTYPE_BARRIER_REPLY, 0, 0 },
    { V10, OFPT10_QUEUE_GET_CONFIG_REQUEST, -1,
      OFPTYPE_QUEUE_GET_CONFIG_REQUEST, 4, 0 },
    { V10, OFPT10_QUEUE_GET_CONFIG_REPLY, -1,
      OFPTYPE_QUEUE_GET_CONFIG_REPLY, 8, 1 },

    /* OpenFlow 1.0 statistics. */
#define ST10(STAT, REQ, REQ_MIN, REQ_UNIT, REPLY, REPLY_MIN, REPLY_UNIT)   \
    { V10, OFPT10_STATS_REQUEST, STAT, REQ, REQ_MIN, REQ_UNIT },          \
    { V10, OFPT10_STATS_REPLY, STAT, REPLY, REPLY_MIN, REPLY_UNIT }
    ST10(OFPMP_DESC, OFPTYPE_DESC_STATS_REQUEST, 0, 0,
         OFPTYPE_DESC_STATS_REPLY, 1056, 0),
    ST10(OFPMP_FLOW, OFPTYPE_FLOW_STATS_REQUEST, 44, 0,
         OFPTYPE_FLOW_STATS_REPLY, 0, 1),
    ST10(OFPMP_AGGREGATE, OFPTYPE_AGGREGATE_STATS_REQUEST, 44, 0,
         OFPTYPE_AGGREGATE_STATS_REPLY, 24, 0),
    ST10(OFPMP_TABLE, OFPTYPE_TABLE_STATS_REQUEST, 0, 0,
         OFPTYPE_TABLE_STATS_REPLY, 0, 64),
    ST10(OFPMP_PORT_STATS, OFPTYPE_PORT_STATS_REQUEST, 8, 0,
         OFPTYPE_PORT_STATS_REPLY, 0, 104),
    ST10(OFPMP_QUEUE, OFPTYPE_QUEUE_STATS_REQUEST, 8, 0,
         OFPTYPE_QUEUE_STATS_REPLY, 0, 32),
    /* Open vSwitch extension: port descriptions in OpenFlow 1.0. */
    ST10(OFPMP_PORT_DESC, OFPTYPE_PORT_DESC_STATS_REQUEST, 0, 0,
         OFPTYPE_PORT_DESC_STATS_REPLY, 0, 48),

    /* OpenFlow 1.3. */
    { V13, OFPT13_HELLO, -1, OFPTYPE_HELLO, 0, 1 },
    { V13, OFPT13_ERROR, -1, OFPTYPE_ERROR, 4, 1 },
    { V13, OFPT13_ECHO_REQUEST, -1, OFPTYPE_ECHO_REQUEST, 0, 1 },
    { V13, OFPT13_ECHO_REPLY, -1, OFPTYPE_ECHO_REPLY, 0, 1 },
    { V13, OFPT13_FEATURES_REQUEST, -1, OFPTYPE_FEATURES_REQUEST, 0, 0 },
    { V13, OFPT13_FEATURES_REPLY, -1, OFPTYPE_FEATURES_REPLY, 24, 0 },
    { V13, OFPT13_GET_CONFIG_REQUEST, -1, OFPTYPE_GET_CONFIG_REQUEST, 0, 0 },
    { V13, OFPT13_GET_CONFIG_REPLY, -1, OFPTYPE_GET_CONFIG_REPLY, 4, 0 },
    { V13, OFPT13_SET_CONFIG, -1, OFPTYPE_SET_CONFIG, 4, 0 },
    { V13, OFPT13_PACKET_IN, -1, OFPTYPE_PACKET_IN, 16, 1 },
    { V13, OFPT13_FLOW_REMOVED, -1, OFPTYPE_FLOW_REMOVED, 40, 1 },
    { V13, OFPT13_PORT_STATUS, -1, OFPTYPE_PORT_STATUS, 72, 0 },
    { V13, OFPT13_PACKET_OUT, -1, OFPTYPE_PACKET_OUT, 16, 1 },
    { V13, OFPT13_FLOW_MOD, -1, OFPTYPE_FLOW_MOD, 40, 1 },
    { V13, OFPT13_GROUP_MOD, -1, OFPTYPE_GROUP_MOD, 8, 1 },
    { V13, OFPT13_PORT_MOD, -1, OFPTYPE_PORT_MOD, 32, 0 },
    { V13, OFPT13_TABLE_MOD, -1, OFPTYPE_TABLE_MOD, 8, 0 },
    { V13, OFPT13_BARRIER_REQUEST, -1, OFPTYPE_BARRIER_REQUEST, 0, 0 },
    { V13, OFPT13_BARRIER_REPLY, -1, OFPTYPE_BARRIER_REPLY, 0, 0 },
    { V13, OFPT13_QUEUE_GET_CONFIG_REQUEST, -1,
      OFPTYPE_QUEUE_GET_CONFIG_REQUEST, 8, 0 },
    { V13, OFPT13_QUEUE_GET_CONFIG_REPLY, -1,
      OFPTYPE_QUEUE_GET_CONFIG_REPLY, 8, 1 },
    { V13, OFPT13_ROLE_REQUEST, -1, OFPTYPE_ROLE_REQUEST, 16, 0 },
    { V13, OFPT13_ROLE_REPLY, -1, OFPTYPE_ROLE_REPLY, 16, 0 },
    { V13, OFPT13_GET_ASYNC_REQUEST, -1, OFPTYPE_GET_ASYNC_REQUEST, 0, 0 },
    { V13, OFPT13_GET_ASYNC_REPLY, -1, OFPTYPE_GET_ASYNC_REPLY, 24, 0 },
    { V13, OFPT13_SET_ASYNC, -1, OFPTYPE_SET_ASYNC, 24, 0 },
    { V13, OFPT13_METER_MOD, -1, OFPTYPE_METER_MOD, 8, 1 },

    /* OpenFlow 1.3 multipart. */
#define MP13(STAT, REQ, REQ_MIN, REQ_UNIT, REPLY, REPLY_MIN, REPLY_UNIT)   \
    { V13, OFPT13_MULTIPART_REQUEST, STAT, REQ, REQ_MIN, REQ_UNIT },      \
    { V13, OFPT13_MULTIPART_REPLY, STAT, REPLY, REPLY_MIN, REPLY_UNIT }
    MP13(OFPMP_DESC, OFPTYPE_DESC_STATS_REQUEST, 0, 0,
         OFPTYPE_DESC_STATS_REPLY, 1056, 0),
    MP13(OFPMP_FLOW, OFPTYPE_FLOW_STATS_REQUEST, 32, 1,
         OFPTYPE_FLOW_STATS_REPLY, 0, 1),
    MP13(OFPMP_AGGREGATE, OFPTYPE_AGGREGATE_STATS_REQUEST, 32, 1,
         OFPTYPE_AGGREGATE_STATS_REPLY, 24, 0),
    MP13(OFPMP_TABLE, OFPTYPE_TABLE_STATS_REQUEST, 0, 0,
         OFPTYPE_TABLE_STATS_REPLY, 0, 24),
    MP13(OFPMP_PORT_STATS, OFPTYPE_PORT_STATS_REQUEST, 8, 0,
         OFPTYPE_PORT_STATS_REPLY, 0, 112),
    MP13(OFPMP_QUEUE, OFPTYPE_QUEUE_STATS_REQUEST, 8, 0,
         OFPTYPE_QUEUE_STATS_REPLY, 0, 40),
    MP13(OFPMP_GROUP, OFPTYPE_GROUP_STATS_REQUEST, 8, 0,
         OFPTYPE_GROUP_STATS_REPLY, 0, 1),
    MP13(OFPMP_GROUP_DESC, OFPTYPE_GROUP_DESC_STATS_REQUEST, 0, 0,
         OFPTYPE_GROUP_DESC_STATS_REPLY, 0, 1),
    MP13(OFPMP_GROUP_FEATURES, OFPTYPE_GROUP_FEATURES_STATS_REQUEST, 0, 0,
         OFPTYPE_GROUP_FEATURES_STATS_REPLY, 40, 0),
    MP13(OFPMP_METER, OFPTYPE_METER_STATS_REQUEST, 8, 0,
         OFPTYPE_METER_STATS_REPLY, 0, 1),
    MP13(OFPMP_METER_CONFIG, OFPTYPE_METER_CONFIG_STATS_REQUEST, 8, 0,
         OFPTYPE_METER_CONFIG_STATS_REPLY, 0, 1),
    MP13(OFPMP_METER_FEATURES, OFPTYPE_METER_FEATURES_STATS_REQUEST, 0, 0,
         OFPTYPE_METER_FEATURES_STATS_REPLY, 16, 0),
    MP13(OFPMP_TABLE_FEATURES, OFPTYPE_TABLE_FEATURES_STATS_REQUEST, 0, 1,
         OFPTYPE_TABLE_FEATURES_STATS_REPLY, 0, 1),
    MP13(OFPMP_PORT_DESC, OFPTYPE_PORT_DESC_STATS_REQUEST, 0, 0,
         OFPTYPE_PORT_DESC_STATS_REPLY, 0, 64),
};

static const char *const ofptype_names[OFPTYPE_N] = {
    [OFPTYPE_HELLO] = "OFPT_HELLO",
    [OFPTYPE_ERROR] = "OFPT_ERROR",
    [OFPTYPE_ECHO_REQUEST] = "OFPT_ECHO_REQUEST",
    [OFPTYPE_ECHO_REPLY] = "OFPT_ECHO_REPLY",
    [OFPTYPE_FEATURES_REQUEST] = "OFPT_FEATURES_REQUEST",
    [OFPTYPE_FEATURES_REPLY] = "OFPT_FEATURES_REPLY",
    [OFPTYPE_GET_CONFIG_REQUEST] = "OFPT_GET_CONFIG_REQUEST",
    [OFPTYPE_GET_CONFIG_REPLY] = "OFPT_GET_CONFIG_REPLY",
    [OFPTYPE_SET_CONFIG] = "OFPT_SET_CONFIG",
    [OFPTYPE_PACKET_IN] = "OFPT_PACKET_IN",
    [OFPTYPE_FLOW_REMOVED] = "OFPT_FLOW_REMOVED",
    [OFPTYPE_PORT_STATUS] = "OFPT_PORT_STATUS",
    [OFPTYPE_PACKET_OUT] = "OFPT_PACKET_OUT",
    [OFPTYPE_FLOW_MOD] = "OFPT_FLOW_MOD",
    [OFPTYPE_GROUP_MOD] = "OFPT_GROUP_MOD",
    [OFPTYPE_PORT_MOD] = "OFPT_PORT_MOD",
    [OFPTYPE_TABLE_MOD] = "OFPT_TABLE_MOD",
    [OFPTYPE_METER_MOD] = "OFPT_METER_MOD",
    [OFPTYPE_BARRIER_REQUEST] = "OFPT_BARRIER_REQUEST",
    [OFPTYPE_BARRIER_REPLY] = "OFPT_BARRIER_REPLY",
    [OFPTYPE_QUEUE_GET_CONFIG_REQUEST] = "OFPT_QUEUE_GET_CONFIG_REQUEST",
    [OFPTYPE_QUEUE_GET_CONFIG_REPLY] = "OFPT_QUEUE_GET_CONFIG_REPLY",
    [OFPTYPE_ROLE_REQUEST] = "OFPT_ROLE_REQUEST",
    [OFPTYPE_ROLE_REPLY] = "OFPT_ROLE_REPLY",
    [OFPTYPE_GET_ASYNC_REQUEST] = "OFPT_GET_ASYNC_REQUEST",
    [OFPTYPE_GET_ASYNC_REPLY] = "OFPT_GET_ASYNC_REPLY",
    [OFPTYPE_SET_ASYNC] = "OFPT_SET_ASYNC",
    [OFPTYPE_DESC_STATS_REQUEST] = "OFPST_DESC request",
    [OFPTYPE_DESC_STATS_REPLY] = "OFPST_DESC reply",
    [OFPTYPE_FLOW_STATS_REQUEST] = "OFPST_FLOW request",
    [OFPTYPE_FLOW_STATS_REPLY] = "OFPST_FLOW reply",
    [OFPTYPE_AGGREGATE_STATS_REQUEST] = "OFPST_AGGREGATE request",
    [OFPTYPE_AGGREGATE_STATS_REPLY] = "OFPST_AGGREGATE reply",
    [OFPTYPE_TABLE_STATS_REQUEST] = "OFPST_TABLE request",
    [OFPTYPE_TABLE_STATS_REPLY] = "OFPST_TABLE reply",
    [OFPTYPE_PORT_STATS_REQUEST] = "OFPST_PORT request",
    [OFPTYPE_PORT_STATS_REPLY] = "OFPST_PORT reply",
    [OFPTYPE_QUEUE_STATS_REQUEST] = "OFPST_QUEUE request",
    [OFPTYPE_QUEUE_STATS_REPLY] = "OFPST_QUEUE reply",
    [OFPTYPE_GROUP_STATS_REQUEST] = "OFPST_GROUP request",
    [OFPTYPE_GROUP_STATS_REPLY] = "OFPST_GROUP reply",
    [OFPTYPE_GROUP_DESC_STATS_REQUEST] = "OFPST_GROUP_DESC request",
    [OFPTYPE_GROUP_DESC_STATS_REPLY] = "OFPST_GROUP_DESC reply",
    [OFPTYPE_GROUP_FEATURES_STATS_REQUEST] = "OFPST_GROUP_FEATURES request",
    [OFPTYPE_GROUP_FEATURES_STATS_REPLY] = "OFPST_GROUP_FEATURES reply",
    [OFPTYPE_METER_STATS_REQUEST] = "OFPST_METER request",
    [OFPTYPE_METER_STATS_REPLY] = "OFPST_METER reply",
    [OFPTYPE_METER_CONFIG_STATS_REQUEST] = "OFPST_METER_CONFIG request",
    [OFPTYPE_METER_CONFIG_STATS_REPLY] = "OFPST_METER_CONFIG reply",
    [OFPTYPE_METER_FEATURES_STATS_REQUEST] = "OFPST_METER_FEATURES request",
    [OFPTYPE_METER_FEATURES_STATS_REPLY] = "OFPST_METER_FEATURES reply",
    [OFPTYPE_TABLE_FEATURES_STATS_REQUEST] = "OFPST_TABLE_FEATURES request",
    [OFPTYPE_TABLE_FEATURES_STATS_REPLY] = "OFPST_TABLE_FEATURES reply",
    [OFPTYPE_PORT_DESC_STATS_REQUEST] = "OFPST_PORT_DESC request",
    [OFPTYPE_PORT_DESC_STATS_REPLY] = "OFPST_PORT_DESC reply",
};

const char *
ofptype_get_name(enum ofptype type)
{
    return (unsigned) type < OFPTYPE_N ? ofptype_names[type] : "<invalid>";
}

static const struct ofpmsg_type_info *
ofpmsg_type_info_find(enum ofptype type, uint8_t version)
{
    for (size_t i = 0; i < ARRAY_SIZE(ofpmsg_types); i++) {
        const struct ofpmsg_type_info *info = &ofpmsg_types[i];
        if (info->ofptype == type && info->version == version) {
            return info;
        }
    }
    return NULL;
}

bool
ofptype_exists(enum ofptype type, uint8_t version)
{
    return ofpmsg_type_info_find(type, version) != NULL;
}

bool
ofptype_is_multipart(enum ofptype type)
{
    return type >= OFPTYPE_DESC_STATS_REQUEST && type < OFPTYPE_N;
}

enum ofptype
ofptype_multipart_reply(enum ofptype type)
{
    return (ofptype_is_multipart(type)
            && !((type - OFPTYPE_DESC_STATS_REQUEST) & 1)
            ? type + 1 : OFPTYPE_N);
}

static bool
ofpmsg_is_multipart_wire(uint8_t version, uint8_t type)
{
    return (version == V10
            ? type == OFPT10_STATS_REQUEST || type == OFPT10_STATS_REPLY
            : type == OFPT13_MULTIPART_REQUEST
              || type == OFPT13_MULTIPART_REPLY);
}

/* Bytes before the body of a multipart message in VERSION. */
static size_t
ofpmp_header_len(uint8_t version)
{
    return sizeof(struct ofp_header) + (version == V10
                                        ? sizeof(struct ofp10_stats_msg)
                                        : sizeof(struct ofp11_stats_msg));
}

static size_t
ofpmsg_header_len(const struct ofpmsg_type_info *info)
{
    return (info->stat >= 0 ? ofpmp_header_len(info->version)
            : sizeof(struct ofp_header));
}

/* Finds the table row for OH (LEN readable bytes, LEN >= 8). */
static enum ofperr
ofpmsg_classify(const struct ofp_header *oh, size_t len,
                const struct ofpmsg_type_info **infop)
{
    *infop = NULL;
    if (oh->version != V10 && oh->version != V13) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    if (oh->type == OFPT10_VENDOR) {    /* Same number in every version. */
        return OFPERR_OFPBRC_BAD_VENDOR;
    }

    int stat = -1;
    if (ofpmsg_is_multipart_wire(oh->version, oh->type)) {
        if (len < ofpmp_header_len(oh->version)) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        const struct ofp10_stats_msg *sm = (const void *) (oh + 1);
        stat = ntohs(sm->type);
        if (stat == OFPMP_EXPERIMENTER) {
            return OFPERR_OFPBRC_BAD_VENDOR;
        }
    }

    for (size_t i = 0; i < ARRAY_SIZE(ofpmsg_types); i++) {
        const struct ofpmsg_type_info *info = &ofpmsg_types[i];
        if (info->version == oh->version && info->type == oh->type
            && info->stat == stat) {
            *infop = info;
            return 0;
        }
    }
    return stat >= 0 ? OFPERR_OFPBRC_BAD_STAT : OFPERR_OFPBRC_BAD_TYPE;
}

static enum ofperr
ofpmsg_check_len(const struct ofpmsg_type_info *info, size_t len)
{
    size_t hdr = ofpmsg_header_len(info);

    if (len < hdr + info->min_body) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    size_t extra = len - hdr - info->min_body;
    if (info->unit == 0 ? extra != 0
        : info->unit > 1 && extra % info->unit) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    return 0;
}

enum ofperr
ofptype_decode(const void *data, size_t len, enum ofptype *typep)
{
    const struct ofp_header *oh = data;
    const struct ofpmsg_type_info *info;
    enum ofperr error;

    *typep = OFPTYPE_N;
    if (len < sizeof *oh || ntohs(oh->length) != len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    error = ofpmsg_classify(oh, len, &info);
    if (!error) {
        error = ofpmsg_check_len(info, len);
    }
    if (!error) {
        *typep = info->ofptype;
    }
    return error;
}

enum ofperr
ofptype_decode_msg(const struct ofp_header *oh, enum ofptype *typep)
{
    return ofptype_decode(oh, ntohs(oh->length), typep);
}

enum ofperr
ofpmsg_get_body(const struct ofp_header *oh, enum ofptype type,
                const void **bodyp, size_t *body_lenp)
{
    enum ofptype actual;
    enum ofperr error = ofptype_decode_msg(oh, &actual);

    *bodyp = NULL;
    *body_lenp = 0;
    if (error) {
        return error;
    }
    if (actual != type) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }

    size_t len = ntohs(oh->length);
    size_t hdr = (ofpmsg_is_multipart_wire(oh->version, oh->type)
                  ? ofpmp_header_len(oh->version) : sizeof *oh);
    *bodyp = (const uint8_t *) oh + hdr;
    *body_lenp = len - hdr;
    return 0;
}

enum ofperr
ofpmsg_get_body8(const struct ofp_header *oh, enum ofptype type,
                 const uint8_t **bodyp, size_t *body_lenp)
{
    enum ofperr error = ofpmsg_get_body(oh, type, (const void **) bodyp,
                                        body_lenp);
    return !error && *body_lenp % 8 ? OFPERR_OFPBRC_BAD_LEN : error;
}

uint16_t
ofpmp_flags(const struct ofp_header *oh)
{
    if (ofpmsg_is_multipart_wire(oh->version, oh->type)
        && ntohs(oh->length) >= ofpmp_header_len(oh->version)) {
        const struct ofp10_stats_msg *sm = (const void *) (oh + 1);
        return ntohs(sm->flags);
    }
    return 0;
}

uint32_t
ofpmsg_next_xid(void)
{
    static uint32_t next_xid = 1;
    uint32_t xid;

    do {
        xid = __atomic_fetch_add(&next_xid, 1, __ATOMIC_RELAXED);
    } while (!xid);
    return xid;
}

struct ofpmsg *
ofpmsg_start(enum ofptype type, uint8_t version, uint32_t xid, size_t extra)
{
    const struct ofpmsg_type_info *info = ofpmsg_type_info_find(type,
                                                                version);
    plx_assert(info);

    size_t hdr = ofpmsg_header_len(info);
    struct ofpmsg *msg = ofpmsg_new(hdr + info->min_body + extra);
    struct ofp_header *oh = ofpmsg_put_zeros(msg, hdr);

    oh->version = version;
    oh->type = info->type;
    oh->xid = htonl(xid);
    if (info->stat >= 0) {
        struct ofp10_stats_msg *sm = (void *) (oh + 1);
        sm->type = htons(info->stat);
    }
    oh->length = htons(msg->size);
    return msg;
}

struct ofpmsg *
ofpmsg_start_reply(enum ofptype type, const struct ofp_header *request,
                   size_t extra)
{
    return ofpmsg_start(type, request->version, ntohl(request->xid), extra);
}

void
ofpmsg_finish(struct ofpmsg *msg)
{
    plx_assert(msg->size <= OFP_MAX_MSG_LEN);
    ofpmsg_header(msg)->length = htons(msg->size);
}

struct ofpmsg *
ofputil_encode_header_only(enum ofptype type, uint8_t version, uint32_t xid)
{
    struct ofpmsg *msg = ofpmsg_start(type, version, xid, 0);
    ofpmsg_finish(msg);
    return msg;
}

void
ofpmp_init(struct plx_list *replies, enum ofptype type,
           const struct ofp_header *request)
{
    plx_assert(ofptype_is_multipart(type));
    plx_list_init(replies);
    struct ofpmsg *msg = ofpmsg_start_reply(type, request, 0);
    plx_list_push_back(replies, &msg->list_node);
}

void *
ofpmp_append(struct plx_list *replies, size_t len)
{
    struct ofpmsg *msg = CONTAINER_OF(plx_list_back(replies), struct ofpmsg,
                                      list_node);
    const struct ofp_header *oh = ofpmsg_header(msg);
    size_t hdr = ofpmp_header_len(oh->version);

    plx_assert(hdr + len <= OFP_MAX_MSG_LEN);
    if (msg->size + len > OFP_MAX_MSG_LEN) {
        struct ofpmsg *next = ofpmsg_new(hdr + len);

        ofpmsg_put(next, msg->data, hdr);
        struct ofp10_stats_msg *sm = (void *) (ofpmsg_header(msg) + 1);
        sm->flags |= htons(OFPMPF_MORE);
        plx_list_push_back(replies, &next->list_node);
        msg = next;
    }
    void *p = ofpmsg_put_zeros(msg, len);
    ofpmsg_finish(msg);
    return p;
}

/* ---- HELLO. ---- */

uint8_t
ofputil_version_bitmap_max(uint32_t versions)
{
    return versions ? 31 - __builtin_clz(versions) : 0;
}

uint8_t
ofputil_negotiate_version(uint32_t ours, uint32_t theirs)
{
    return ofputil_version_bitmap_max(ours & theirs & ~1u);
}

/* Versions 1..MAX. */
static uint32_t
ofputil_versions_upto(uint8_t max)
{
    return max >= 31 ? UINT32_MAX - 1 : ((1u << (max + 1)) - 2);
}

struct ofpmsg *
ofputil_encode_hello(uint32_t allowed_versions)
{
    uint8_t max = ofputil_version_bitmap_max(allowed_versions);
    struct ofpmsg *msg;

    plx_assert(max >= V10);
    /* HELLO has the same layout in every version, so the 1.3 row serves
     * any header version. */
    msg = ofpmsg_start(OFPTYPE_HELLO, V13, ofpmsg_next_xid(), 8);
    ofpmsg_header(msg)->version = max;
    if (allowed_versions != ofputil_versions_upto(max)) {
        struct ofp_hello_elem_header *eh = ofpmsg_put_zeros(msg, sizeof *eh);
        plx_be32 bitmap = htonl(allowed_versions);

        eh->type = htons(OFPHET_VERSIONBITMAP);
        eh->length = htons(sizeof *eh + sizeof bitmap);
        ofpmsg_put(msg, &bitmap, sizeof bitmap);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_hello(const struct ofp_header *oh, uint32_t *versionsp)
{
    size_t len = ntohs(oh->length);
    const uint8_t *p = (const uint8_t *) (oh + 1);
    size_t left = len >= sizeof *oh ? len - sizeof *oh : 0;

    /* A HELLO of any version is understood: that is the point of it. */
    *versionsp = ofputil_versions_upto(oh->version);
    if (len < sizeof *oh || oh->type != OFPT10_HELLO) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    while (left >= sizeof(struct ofp_hello_elem_header)) {
        const struct ofp_hello_elem_header *eh = (const void *) p;
        size_t elen = ntohs(eh->length);

        if (elen < sizeof *eh || elen > left) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (ntohs(eh->type) == OFPHET_VERSIONBITMAP) {
            size_t n = (elen - sizeof *eh) / 4;
            if ((elen - sizeof *eh) % 4 || !n) {
                return OFPERR_OFPBRC_BAD_LEN;
            }
            plx_be32 word;
            memcpy(&word, eh + 1, sizeof word);
            /* Versions past 31 (later words) are none that we know. */
            *versionsp = ntohl(word) & ~1u;
            return 0;
        }
        size_t padded = ROUND_UP(elen, 8);
        if (padded >= left) {
            break;
        }
        p += padded;
        left -= padded;
    }
    return 0;
}

/* ---- ERROR. ---- */

/* Nicira vendor error, inside an OpenFlow 1.0 error of type
 * OFPERR_NXET_VENDOR. */
struct nx_vendor_error {
    plx_be32 vendor;
    plx_be16 type;
    plx_be16 code;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct nx_vendor_error) == 8);

static struct ofpmsg *
ofputil_encode_error__(enum ofperr error, uint8_t version, uint32_t xid,
                       const void *data, size_t n)
{
    struct ofperr_wire wire;
    struct ofpmsg *msg;
    struct ofp_error_msg *em;

    ofperr_encode(error, version, &wire);
    msg = ofpmsg_start(OFPTYPE_ERROR, version == V10 ? V10 : V13, xid,
                       8 + n);
    ofpmsg_header(msg)->version = version;
    em = ofpmsg_put_zeros(msg, sizeof *em);
    if (!wire.vendor) {
        em->type = htons(wire.type);
        em->code = htons(wire.code);
    } else if (version == V10) {
        em->type = htons(OFPERR_NXET_VENDOR);
        em->code = htons(OFPERR_NXVC_VENDOR_ERROR);
        struct nx_vendor_error *nve = ofpmsg_put_zeros(msg, sizeof *nve);
        nve->vendor = htonl(wire.vendor);
        nve->type = htons(wire.type);
        nve->code = htons(wire.code);
    } else {
        em->type = htons(OFPERR_OFPET_EXPERIMENTER);
        em->code = htons(wire.type);            /* exp_type */
        plx_be32 exp = htonl(wire.vendor);
        ofpmsg_put(msg, &exp, sizeof exp);
    }
    ofpmsg_put(msg, data, n);
    ofpmsg_finish(msg);
    return msg;
}

struct ofpmsg *
ofputil_encode_error_reply(enum ofperr error, uint8_t version,
                           const void *request, size_t request_len)
{
    uint32_t xid = 0;

    if (request_len >= sizeof(struct ofp_header)) {
        const struct ofp_header *oh = request;
        xid = ntohl(oh->xid);
    }
    return ofputil_encode_error__(error, version, xid, request,
                                  MIN(request_len, 64));
}

struct ofpmsg *
ofputil_encode_hello_failed(enum ofperr error, uint8_t version,
                            uint32_t xid, const char *text)
{
    return ofputil_encode_error__(error, version, xid, text,
                                  MIN(strlen(text), 1024));
}

enum ofperr
ofputil_decode_error(const struct ofp_header *oh, enum ofperr *errorp,
                     uint16_t *typep, uint16_t *codep,
                     const void **datap, size_t *data_lenp)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error = ofpmsg_get_body(oh, OFPTYPE_ERROR,
                                        (const void **) &body, &len);

    *errorp = 0;
    *datap = NULL;
    *data_lenp = 0;
    if (error) {
        return error;
    }

    const struct ofp_error_msg *em = (const void *) body;
    uint16_t type = ntohs(em->type);
    uint16_t code = ntohs(em->code);
    body += sizeof *em;
    len -= sizeof *em;

    if (oh->version == V10 && type == OFPERR_NXET_VENDOR) {
        if (len < sizeof(struct nx_vendor_error)) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        const struct nx_vendor_error *nve = (const void *) body;
        *errorp = ofperr_decode_vendor(oh->version, ntohl(nve->vendor),
                                       ntohs(nve->type), ntohs(nve->code));
        body += sizeof *nve;
        len -= sizeof *nve;
    } else if (oh->version != V10 && type == OFPERR_OFPET_EXPERIMENTER) {
        if (len < 4) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        plx_be32 exp;
        memcpy(&exp, body, sizeof exp);
        *errorp = ofperr_decode_vendor(oh->version, ntohl(exp), code, 0);
        body += 4;
        len -= 4;
    } else {
        *errorp = ofperr_decode(oh->version, type, code);
    }
    if (typep) {
        *typep = type;
    }
    if (codep) {
        *codep = code;
    }
    *datap = body;
    *data_lenp = len;
    return 0;
}

/* ---- ECHO. ---- */

struct ofpmsg *
ofputil_encode_echo_request(uint8_t version, uint32_t xid,
                            const void *data, size_t n)
{
    struct ofpmsg *msg = ofpmsg_start(OFPTYPE_ECHO_REQUEST, version, xid, n);

    ofpmsg_put(msg, data, MIN(n, OFP_MAX_MSG_LEN - sizeof(struct ofp_header)));
    ofpmsg_finish(msg);
    return msg;
}

struct ofpmsg *
ofputil_encode_echo_reply(const struct ofp_header *request)
{
    size_t len = ntohs(request->length);
    size_t n = len > sizeof *request ? len - sizeof *request : 0;
    struct ofpmsg *msg = ofpmsg_start_reply(OFPTYPE_ECHO_REPLY, request, n);

    ofpmsg_put(msg, request + 1, n);
    ofpmsg_finish(msg);
    return msg;
}
