/* ofp-flow: the wire codecs of FLOW_MOD, FLOW_REMOVED and the flow and
 * aggregate statistics messages (see ofp-flow.h).  The ovs-ofctl text is
 * in ofp-flow-text.c.
 *
 * Each decoder checks what Open vSwitch checks, in the order it checks
 * it, so that a malformed message draws the same error from both. */
#include <config.h>
#include "ofp-flow.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ofp-actions.h"
#include "ofp-match.h"
#include "ofp-msgs.h"
#include "packets.h"
#include "util.h"

#define V10 OFP10_VERSION
#define V13 OFP13_VERSION

/* ---- Wire structures (private: only this file reads them). ---- */

struct ofp10_flow_mod {
    uint8_t match[OFP10_MATCH_LEN];     /* struct ofp10_match. */
    plx_be64 cookie;
    plx_be16 command;                   /* OFPUTIL_FC_*. */
    plx_be16 idle_timeout;
    plx_be16 hard_timeout;
    plx_be16 priority;
    plx_be32 buffer_id;
    plx_be16 out_port;
    plx_be16 flags;
    /* Followed by actions. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_flow_mod) == 64);

struct ofp11_flow_mod {
    plx_be64 cookie;
    plx_be64 cookie_mask;
    uint8_t table_id;
    uint8_t command;
    plx_be16 idle_timeout;
    plx_be16 hard_timeout;
    plx_be16 priority;
    plx_be32 buffer_id;
    plx_be32 out_port;
    plx_be32 out_group;
    plx_be16 flags;
    uint8_t pad[2];                     /* OpenFlow 1.4: importance. */
    /* Followed by struct ofp_match, then instructions. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_flow_mod) == 40);

struct ofp10_flow_removed {
    uint8_t match[OFP10_MATCH_LEN];
    plx_be64 cookie;
    plx_be16 priority;
    uint8_t reason;
    uint8_t pad;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    plx_be16 idle_timeout;
    uint8_t pad2[2];
    plx_be64 packet_count;
    plx_be64 byte_count;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_flow_removed) == 80);

struct ofp12_flow_removed {
    plx_be64 cookie;
    plx_be16 priority;
    uint8_t reason;
    uint8_t table_id;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    plx_be16 idle_timeout;
    plx_be16 hard_timeout;
    plx_be64 packet_count;
    plx_be64 byte_count;
    /* Followed by struct ofp_match. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp12_flow_removed) == 40);

struct ofp10_flow_stats_request {
    uint8_t match[OFP10_MATCH_LEN];
    uint8_t table_id;
    uint8_t pad;
    plx_be16 out_port;
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_flow_stats_request) == 44);

struct ofp11_flow_stats_request {
    uint8_t table_id;
    uint8_t pad[3];
    plx_be32 out_port;
    plx_be32 out_group;
    uint8_t pad2[4];
    plx_be64 cookie;
    plx_be64 cookie_mask;
    /* Followed by struct ofp_match. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_flow_stats_request) == 32);

struct ofp10_flow_stats {
    plx_be16 length;                    /* Of this entry, actions included. */
    uint8_t table_id;
    uint8_t pad;
    uint8_t match[OFP10_MATCH_LEN];
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    plx_be16 priority;
    plx_be16 idle_timeout;
    plx_be16 hard_timeout;
    uint8_t pad2[6];
    plx_be64 cookie;
    plx_be64 packet_count;
    plx_be64 byte_count;
    /* Followed by actions. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_flow_stats) == 88);

struct ofp11_flow_stats {
    plx_be16 length;
    uint8_t table_id;
    uint8_t pad;
    plx_be32 duration_sec;
    plx_be32 duration_nsec;
    plx_be16 priority;
    plx_be16 idle_timeout;
    plx_be16 hard_timeout;
    plx_be16 flags;                     /* OpenFlow 1.3+. */
    uint8_t pad2[4];
    plx_be64 cookie;
    plx_be64 packet_count;
    plx_be64 byte_count;
    /* Followed by struct ofp_match, then instructions. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_flow_stats) == 48);

struct ofp_aggregate_stats_reply {
    plx_be64 packet_count;
    plx_be64 byte_count;
    plx_be32 flow_count;
    uint8_t pad[4];
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp_aggregate_stats_reply) == 24);

/* ---- Flags. ---- */

/* Wire flag bits.  1.0's EMERG and 1.3's RESET_COUNTS share bit 2. */
#define OFPFF_SEND_FLOW_REM  (1 << 0)
#define OFPFF_CHECK_OVERLAP  (1 << 1)
#define OFPFF10_EMERG        (1 << 2)
#define OFPFF13_RESET_COUNTS (1 << 2)
#define OFPFF13_NO_PKT_COUNTS (1 << 3)
#define OFPFF13_NO_BYT_COUNTS (1 << 4)

struct flow_flag {
    uint16_t raw;
    uint8_t version;            /* Only this version, 0 for both. */
    uint32_t flag;              /* OFPUTIL_FF_*. */
};

static const struct flow_flag flow_flags[] = {
    { OFPFF_SEND_FLOW_REM, 0, OFPUTIL_FF_SEND_FLOW_REM },
    { OFPFF_CHECK_OVERLAP, 0, OFPUTIL_FF_CHECK_OVERLAP },
    { OFPFF10_EMERG, V10, OFPUTIL_FF_EMERG },
    { OFPFF13_RESET_COUNTS, V13, OFPUTIL_FF_RESET_COUNTS },
    { OFPFF13_NO_PKT_COUNTS, V13, OFPUTIL_FF_NO_PKT_COUNTS },
    { OFPFF13_NO_BYT_COUNTS, V13, OFPUTIL_FF_NO_BYT_COUNTS },
};

/* Decodes RAW flags of VERSION into '*flagsp'; bits the version does not
 * define are OFPFMFC_BAD_FLAGS.  COMMAND is the FLOW_MOD command, or -1
 * for a flow statistics reply: in OpenFlow 1.0 an add always resets the
 * counters, which the internal form says with OFPUTIL_FF_RESET_COUNTS
 * (as Open vSwitch does). */
static enum ofperr
decode_flow_flags(uint16_t raw, int command, uint8_t version,
                  uint32_t *flagsp)
{
    *flagsp = 0;
    for (size_t i = 0; i < ARRAY_SIZE(flow_flags); i++) {
        const struct flow_flag *f = &flow_flags[i];
        if (raw & f->raw && (!f->version || f->version == version)) {
            raw &= ~f->raw;
            *flagsp |= f->flag;
        }
    }
    if (version == V10 && command == OFPUTIL_FC_ADD) {
        *flagsp |= OFPUTIL_FF_RESET_COUNTS;
    }
    return raw ? OFPERR_OFPFMFC_BAD_FLAGS : 0;
}

static uint16_t
encode_flow_flags(uint32_t flags, uint8_t version)
{
    uint16_t raw = 0;

    for (size_t i = 0; i < ARRAY_SIZE(flow_flags); i++) {
        const struct flow_flag *f = &flow_flags[i];
        if (flags & f->flag && (!f->version || f->version == version)) {
            raw |= f->raw;
        }
    }
    return raw;
}

/* ---- Helpers. ---- */

static bool
is_delete(int command)
{
    return (command == OFPUTIL_FC_DELETE
            || command == OFPUTIL_FC_DELETE_STRICT);
}

/* OpenFlow 1.0 has no "unknown" counter value. */
static uint64_t
unknown_to_zero(uint64_t count)
{
    return count != UINT64_MAX ? count : 0;
}

static uint32_t
port_from_ofp10(plx_be16 port)
{
    return ofp_port_from_ofp10(ntohs(port));
}

static plx_be16
port_to_ofp10(uint32_t port)
{
    uint16_t port10;

    ofp_port_to_ofp10(port, &port10);
    return htons(port10);
}

/* Appends MATCH as an OpenFlow 1.3 struct ofp_match to MSG. */
static void
put_ofp13_match(struct ofpmsg *msg, const struct match *match)
{
    size_t len = ofp13_match_encode(match, NULL, 0);
    void *p = ofpmsg_put_zeros(msg, len);

    ofp13_match_encode(match, p, len);
}

static void
put_ofp10_match(uint8_t dst[OFP10_MATCH_LEN], const struct match *match)
{
    struct ofp10_match om;

    BUILD_ASSERT(sizeof om == OFP10_MATCH_LEN);
    ofp10_match_encode(match, &om);
    memcpy(dst, &om, sizeof om);
}

/* Encodes the actions (1.0) or instructions (1.3) in OFPACTS into BUF. */
static enum ofperr
encode_ofpacts(const void *ofpacts, size_t ofpacts_len, uint8_t version,
               struct ofpa_buf *buf)
{
    if (!ofpacts_len) {
        return 0;               /* Nothing to say (and 'ofpacts' may be
                                 * null). */
    }
    return (version == V10
            ? ofpacts_encode_actions(ofpacts, ofpacts_len, OFPA_OF10, buf)
            : ofpacts_encode_instructions(ofpacts, ofpacts_len, OFPA_OF13,
                                          buf));
}

/* Decodes the LEN bytes of actions (1.0) or instructions (1.3) at DATA,
 * of which AVAIL bytes are readable, appending them to OFPACTS and
 * pointing '*ofpactsp' and '*ofpacts_lenp' at them.  As in Open vSwitch,
 * a length that is not a multiple of 8 or runs past the message is
 * OFPBRC_BAD_LEN for 1.0 actions and OFPBIC_BAD_LEN for 1.3
 * instructions. */
static enum ofperr
decode_ofpacts(const uint8_t *data, size_t len, size_t avail,
               uint8_t version, struct ofpa_buf *ofpacts,
               const void **ofpactsp, size_t *ofpacts_lenp)
{
    size_t orig = ofpacts->size;
    enum ofperr error;

    if (len % 8 || len > avail) {
        return (version == V10 ? OFPERR_OFPBRC_BAD_LEN
                : OFPERR_OFPBIC_BAD_LEN);
    }
    error = (version == V10
             ? ofpacts_decode_actions(data, len, OFPA_OF10, ofpacts)
             : ofpacts_decode_instructions(data, len, OFPA_OF13, ofpacts));
    if (error) {
        return error;
    }
    *ofpactsp = (ofpacts->size > orig
                 ? (const uint8_t *) ofpacts->data + orig : NULL);
    *ofpacts_lenp = ofpacts->size - orig;
    return 0;
}

/* OpenFlow 1.3 FLOW_MOD, FLOW_REMOVED and flow statistics requests are
 * made of 8-byte units after their fixed part: Open vSwitch refuses
 * anything else with OFPBRC_BAD_LEN before it looks inside. */
static enum ofperr
check_ofp13_units(uint8_t version, size_t len, size_t fixed)
{
    return version != V10 && (len - fixed) % 8 ? OFPERR_OFPBRC_BAD_LEN : 0;
}

/* Open vSwitch refuses a FLOW_MOD that matches conntrack's original
 * direction addresses of an IP version other than the flow's own. */
static bool
ct_addresses_inconsistent(const struct match *m)
{
    const struct flow *mask = &m->wc.masks;
    static const struct in6_addr zero6;

    return (((mask->ct_nw_src || mask->ct_nw_dst)
             && m->flow.dl_type != htons(ETH_TYPE_IP))
            || ((memcmp(&mask->ct_ipv6_src, &zero6, sizeof zero6)
                 || memcmp(&mask->ct_ipv6_dst, &zero6, sizeof zero6))
                && m->flow.dl_type != htons(ETH_TYPE_IPV6)));
}

/* ---- FLOW_MOD. ---- */

struct ofpmsg *
ofputil_encode_flow_mod(const struct ofputil_flow_mod *fm, uint8_t version,
                        uint32_t xid, enum ofperr *errorp)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofpmsg *msg;
    enum ofperr error;

    *errorp = 0;
    error = encode_ofpacts(fm->ofpacts, fm->ofpacts_len, version, &acts);
    if (error) {
        ofpa_buf_uninit(&acts);
        *errorp = error;
        return NULL;
    }

    msg = ofpmsg_start(OFPTYPE_FLOW_MOD, version, xid, 64 + acts.size);
    if (version == V10) {
        struct ofp10_flow_mod *ofm = ofpmsg_put_zeros(msg, sizeof *ofm);

        put_ofp10_match(ofm->match, &fm->match);
        ofm->cookie = fm->new_cookie;
        ofm->command = htons(fm->command);
        ofm->idle_timeout = htons(fm->idle_timeout);
        ofm->hard_timeout = htons(fm->hard_timeout);
        ofm->priority = htons(fm->priority);
        ofm->buffer_id = htonl(fm->buffer_id);
        ofm->out_port = port_to_ofp10(fm->out_port);
        ofm->flags = htons(encode_flow_flags(fm->flags, version));
    } else {
        struct ofp11_flow_mod *ofm = ofpmsg_put_zeros(msg, sizeof *ofm);

        ofm->cookie = (fm->command == OFPUTIL_FC_ADD ? fm->new_cookie
                       : fm->cookie & fm->cookie_mask);
        ofm->cookie_mask = fm->cookie_mask;
        /* Only a delete may name every table; Open vSwitch sends table 0
         * for an add or modify of "any" table. */
        ofm->table_id = (fm->table_id != OFPTT_ALL || is_delete(fm->command)
                         ? fm->table_id : 0);
        ofm->command = fm->command;
        ofm->idle_timeout = htons(fm->idle_timeout);
        ofm->hard_timeout = htons(fm->hard_timeout);
        ofm->priority = htons(fm->priority);
        ofm->buffer_id = htonl(fm->buffer_id);
        ofm->out_port = htonl(fm->out_port);
        ofm->out_group = htonl(fm->out_group);
        ofm->flags = htons(encode_flow_flags(fm->flags, version));
        put_ofp13_match(msg, &fm->match);
    }
    if (msg->size + acts.size > OFP_MAX_MSG_LEN) {
        ofpa_buf_uninit(&acts);
        ofpmsg_delete(msg);
        *errorp = OFPERR_OFPBRC_BAD_LEN;
        return NULL;
    }
    ofpmsg_put(msg, acts.data, acts.size);
    ofpa_buf_uninit(&acts);
    ofpmsg_finish(msg);
    return msg;
}

static enum ofperr
decode_flow_mod10(const uint8_t *body, struct ofputil_flow_mod *fm,
                  uint16_t *commandp, uint16_t *raw_flagsp)
{
    const struct ofp10_flow_mod *ofm = (const void *) body;
    plx_be32 wildcards;
    enum ofperr error;

    error = ofp10_match_decode(ofm->match, OFP10_MATCH_LEN, &fm->match);
    if (error) {
        return error;
    }
    /* OpenFlow 1.0 gives an exact-match flow the highest priority. */
    memcpy(&wildcards, ofm->match, sizeof wildcards);
    fm->priority = (wildcards & htonl(OFPFW10_ALL)
                    ? ntohs(ofm->priority) : UINT16_MAX);

    *commandp = ntohs(ofm->command);
    fm->cookie = 0;
    fm->cookie_mask = 0;
    fm->new_cookie = ofm->cookie;
    fm->modify_cookie = fm->new_cookie != UINT64_MAX;
    fm->table_id = *commandp == OFPUTIL_FC_ADD ? 0 : OFPTT_ALL;
    fm->idle_timeout = ntohs(ofm->idle_timeout);
    fm->hard_timeout = ntohs(ofm->hard_timeout);
    fm->buffer_id = ntohl(ofm->buffer_id);
    fm->out_port = port_from_ofp10(ofm->out_port);
    fm->out_group = OFPUTIL_GROUP_ANY;
    *raw_flagsp = ntohs(ofm->flags);
    return 0;
}

static enum ofperr
decode_flow_mod13(const uint8_t *body, size_t len,
                  struct ofputil_flow_mod *fm, uint16_t *commandp,
                  uint16_t *raw_flagsp, size_t *match_lenp)
{
    const struct ofp11_flow_mod *ofm = (const void *) body;
    enum ofperr error;

    error = ofp13_match_decode(body + sizeof *ofm, len - sizeof *ofm, false,
                               &fm->match, match_lenp);
    if (error) {
        return error;
    }

    fm->priority = ntohs(ofm->priority);
    if (ofm->command == OFPUTIL_FC_ADD) {
        fm->cookie = 0;
        fm->cookie_mask = 0;
        fm->new_cookie = ofm->cookie;
    } else {
        fm->cookie = ofm->cookie;
        fm->cookie_mask = ofm->cookie_mask;
        fm->new_cookie = UINT64_MAX;
    }
    fm->modify_cookie = false;
    *commandp = ofm->command;

    /* Only a delete may name every table. */
    fm->table_id = ofm->table_id;
    if (fm->table_id == OFPTT_ALL && !is_delete(ofm->command)) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    fm->idle_timeout = ntohs(ofm->idle_timeout);
    fm->hard_timeout = ntohs(ofm->hard_timeout);
    fm->buffer_id = ntohl(ofm->buffer_id);
    fm->out_port = ntohl(ofm->out_port);
    fm->out_group = (is_delete(ofm->command) ? ntohl(ofm->out_group)
                     : OFPUTIL_GROUP_ANY);
    *raw_flagsp = ntohs(ofm->flags);
    return 0;
}

enum ofperr
ofputil_decode_flow_mod(const struct ofp_header *oh,
                        struct ofputil_flow_mod *fm,
                        struct ofpa_buf *ofpacts)
{
    const void *body_;
    size_t len, fixed;
    uint16_t command, raw_flags;
    enum ofperr error;

    memset(fm, 0, sizeof *fm);
    error = ofpmsg_get_body(oh, OFPTYPE_FLOW_MOD, &body_, &len);
    if (error) {
        return error;
    }

    error = check_ofp13_units(oh->version, len,
                              sizeof(struct ofp11_flow_mod));
    if (error) {
        return error;
    }

    const uint8_t *body = body_;
    if (oh->version == V10) {
        fixed = sizeof(struct ofp10_flow_mod);
        error = decode_flow_mod10(body, fm, &command, &raw_flags);
    } else {
        size_t match_len = 0;
        error = decode_flow_mod13(body, len, fm, &command, &raw_flags,
                                  &match_len);
        fixed = sizeof(struct ofp11_flow_mod) + match_len;
    }
    if (error) {
        return error;
    }

    if (ct_addresses_inconsistent(&fm->match)) {
        return OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    if (command > OFPUTIL_FC_DELETE_STRICT) {
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
    fm->command = command;

    size_t orig = ofpacts->size;
    error = decode_ofpacts(body + fixed, len - fixed, len - fixed,
                           oh->version, ofpacts, &fm->ofpacts,
                           &fm->ofpacts_len);
    if (!error) {
        error = decode_flow_flags(raw_flags, command, oh->version,
                                  &fm->flags);
    }
    if (!error && fm->flags & OFPUTIL_FF_EMERG) {
        /* Plexus, like Open vSwitch, has no emergency flow cache (gone
         * from OpenFlow 1.0.1 on).  1.0 prescribes an error only for
         * emergency flows with timeouts; otherwise "table full". */
        error = (fm->idle_timeout || fm->hard_timeout
                 ? OFPERR_OFPFMFC_BAD_EMERG_TIMEOUT
                 : OFPERR_OFPFMFC_TABLE_FULL);
    }
    if (error) {
        ofpa_buf_truncate(ofpacts, orig);
        fm->ofpacts = NULL;
        fm->ofpacts_len = 0;
    }
    return error;
}

/* ---- FLOW_REMOVED. ---- */

struct ofpmsg *
ofputil_encode_flow_removed(const struct ofputil_flow_removed *fr,
                            uint8_t version)
{
    uint8_t reason = fr->reason;
    struct ofpmsg *msg;

    /* OpenFlow 1.4 added "meter delete"; earlier versions say delete. */
    if (reason == OFPRR_METER_DELETE) {
        reason = OFPRR_DELETE;
    }

    msg = ofpmsg_start(OFPTYPE_FLOW_REMOVED, version, 0, 64);
    if (version == V10) {
        struct ofp10_flow_removed *ofr = ofpmsg_put_zeros(msg, sizeof *ofr);

        put_ofp10_match(ofr->match, &fr->match);
        ofr->cookie = fr->cookie;
        ofr->priority = htons(fr->priority);
        ofr->reason = reason;
        ofr->duration_sec = htonl(fr->duration_sec);
        ofr->duration_nsec = htonl(fr->duration_nsec);
        ofr->idle_timeout = htons(fr->idle_timeout);
        ofr->packet_count = htobe64(unknown_to_zero(fr->packet_count));
        ofr->byte_count = htobe64(unknown_to_zero(fr->byte_count));
    } else {
        struct ofp12_flow_removed *ofr = ofpmsg_put_zeros(msg, sizeof *ofr);

        ofr->cookie = fr->cookie;
        ofr->priority = htons(fr->priority);
        ofr->reason = reason;
        ofr->table_id = fr->table_id;
        ofr->duration_sec = htonl(fr->duration_sec);
        ofr->duration_nsec = htonl(fr->duration_nsec);
        ofr->idle_timeout = htons(fr->idle_timeout);
        ofr->hard_timeout = htons(fr->hard_timeout);
        ofr->packet_count = htobe64(fr->packet_count);
        ofr->byte_count = htobe64(fr->byte_count);
        put_ofp13_match(msg, &fr->match);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_flow_removed(const struct ofp_header *oh,
                            struct ofputil_flow_removed *fr)
{
    const void *body;
    size_t len;
    enum ofperr error;

    memset(fr, 0, sizeof *fr);
    error = ofpmsg_get_body(oh, OFPTYPE_FLOW_REMOVED, &body, &len);
    if (!error) {
        error = check_ofp13_units(oh->version, len,
                                  sizeof(struct ofp12_flow_removed));
    }
    if (error) {
        return error;
    }

    if (oh->version == V10) {
        const struct ofp10_flow_removed *ofr = body;

        error = ofp10_match_decode(ofr->match, OFP10_MATCH_LEN, &fr->match);
        if (error) {
            return error;
        }
        fr->priority = ntohs(ofr->priority);
        fr->cookie = ofr->cookie;
        fr->reason = ofr->reason;
        fr->table_id = OFPTT_ALL;
        fr->duration_sec = ntohl(ofr->duration_sec);
        fr->duration_nsec = ntohl(ofr->duration_nsec);
        fr->idle_timeout = ntohs(ofr->idle_timeout);
        fr->hard_timeout = 0;
        fr->packet_count = be64toh(ofr->packet_count);
        fr->byte_count = be64toh(ofr->byte_count);
    } else {
        const struct ofp12_flow_removed *ofr = body;

        error = ofp13_match_decode(ofr + 1, len - sizeof *ofr, false,
                                   &fr->match, NULL);
        if (error) {
            return error;
        }
        fr->priority = ntohs(ofr->priority);
        fr->cookie = ofr->cookie;
        fr->reason = ofr->reason;
        fr->table_id = ofr->table_id;
        fr->duration_sec = ntohl(ofr->duration_sec);
        fr->duration_nsec = ntohl(ofr->duration_nsec);
        fr->idle_timeout = ntohs(ofr->idle_timeout);
        fr->hard_timeout = ntohs(ofr->hard_timeout);
        fr->packet_count = be64toh(ofr->packet_count);
        fr->byte_count = be64toh(ofr->byte_count);
    }
    return 0;
}

/* ---- Flow and aggregate statistics requests. ---- */

struct ofpmsg *
ofputil_encode_flow_stats_request(const struct ofputil_flow_stats_request *fsr,
                                  uint8_t version, uint32_t xid)
{
    enum ofptype type = (fsr->aggregate ? OFPTYPE_AGGREGATE_STATS_REQUEST
                         : OFPTYPE_FLOW_STATS_REQUEST);
    struct ofpmsg *msg = ofpmsg_start(type, version, xid, 64);

    if (version == V10) {
        struct ofp10_flow_stats_request *ofsr;

        ofsr = ofpmsg_put_zeros(msg, sizeof *ofsr);
        put_ofp10_match(ofsr->match, &fsr->match);
        ofsr->table_id = fsr->table_id;
        ofsr->out_port = port_to_ofp10(fsr->out_port);
    } else {
        struct ofp11_flow_stats_request *ofsr;

        ofsr = ofpmsg_put_zeros(msg, sizeof *ofsr);
        ofsr->table_id = fsr->table_id;
        ofsr->out_port = htonl(fsr->out_port);
        ofsr->out_group = htonl(fsr->out_group);
        ofsr->cookie = fsr->cookie;
        ofsr->cookie_mask = fsr->cookie_mask;
        put_ofp13_match(msg, &fsr->match);
    }
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_flow_stats_request(const struct ofp_header *oh,
                                  struct ofputil_flow_stats_request *fsr)
{
    enum ofptype type;
    const void *body;
    size_t len;
    enum ofperr error;

    memset(fsr, 0, sizeof *fsr);
    error = ofptype_decode_msg(oh, &type);
    if (error) {
        return error;
    }
    if (type != OFPTYPE_FLOW_STATS_REQUEST
        && type != OFPTYPE_AGGREGATE_STATS_REQUEST) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    error = ofpmsg_get_body(oh, type, &body, &len);
    if (!error) {
        error = check_ofp13_units(oh->version, len,
                                  sizeof(struct ofp11_flow_stats_request));
    }
    if (error) {
        return error;
    }

    fsr->aggregate = type == OFPTYPE_AGGREGATE_STATS_REQUEST;
    if (oh->version == V10) {
        const struct ofp10_flow_stats_request *ofsr = body;

        error = ofp10_match_decode(ofsr->match, OFP10_MATCH_LEN,
                                   &fsr->match);
        fsr->out_port = port_from_ofp10(ofsr->out_port);
        fsr->out_group = OFPUTIL_GROUP_ANY;
        fsr->table_id = ofsr->table_id;
        fsr->cookie = fsr->cookie_mask = 0;
    } else {
        const struct ofp11_flow_stats_request *ofsr = body;

        fsr->table_id = ofsr->table_id;
        fsr->out_port = ntohl(ofsr->out_port);
        fsr->out_group = ntohl(ofsr->out_group);
        fsr->cookie = ofsr->cookie;
        fsr->cookie_mask = ofsr->cookie_mask;
        error = ofp13_match_decode(ofsr + 1, len - sizeof *ofsr, false,
                                   &fsr->match, NULL);
    }
    return error;
}

/* ---- Flow statistics replies. ---- */

/* Stores in '*entryp' a buffer (a struct ofpmsg used as a plain byte
 * buffer) holding one flow statistics entry for FS in VERSION. */
static enum ofperr
encode_flow_stats(const struct ofputil_flow_stats *fs, uint8_t version,
                  struct ofpmsg **entryp)
{
    static const uint8_t nothing;
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    struct ofpmsg *entry;
    enum ofperr error;

    *entryp = NULL;
    error = encode_ofpacts(fs->ofpacts, fs->ofpacts_len, version, &acts);
    if (error) {
        ofpa_buf_uninit(&acts);
        return error;
    }

    entry = ofpmsg_clone_data(&nothing, 0);
    if (version == V10) {
        struct ofp10_flow_stats *ofs = ofpmsg_put_zeros(entry, sizeof *ofs);

        ofs->table_id = fs->table_id;
        put_ofp10_match(ofs->match, &fs->match);
        ofs->duration_sec = htonl(fs->duration_sec);
        ofs->duration_nsec = htonl(fs->duration_nsec);
        ofs->priority = htons(fs->priority);
        ofs->idle_timeout = htons(fs->idle_timeout);
        ofs->hard_timeout = htons(fs->hard_timeout);
        ofs->cookie = fs->cookie;
        ofs->packet_count = htobe64(unknown_to_zero(fs->packet_count));
        ofs->byte_count = htobe64(unknown_to_zero(fs->byte_count));
    } else {
        struct ofp11_flow_stats *ofs = ofpmsg_put_zeros(entry, sizeof *ofs);

        ofs->table_id = fs->table_id;
        ofs->duration_sec = htonl(fs->duration_sec);
        ofs->duration_nsec = htonl(fs->duration_nsec);
        ofs->priority = htons(fs->priority);
        ofs->idle_timeout = htons(fs->idle_timeout);
        ofs->hard_timeout = htons(fs->hard_timeout);
        ofs->flags = htons(encode_flow_flags(fs->flags, version));
        ofs->cookie = fs->cookie;
        ofs->packet_count = htobe64(unknown_to_zero(fs->packet_count));
        ofs->byte_count = htobe64(unknown_to_zero(fs->byte_count));
        put_ofp13_match(entry, &fs->match);
    }
    ofpmsg_put(entry, acts.data, acts.size);
    ofpa_buf_uninit(&acts);

    /* The entry's length is 16 bits, and the entry must fit in one reply
     * after the reply's 16-byte header. */
    if (entry->size > OFP_MAX_MSG_LEN - 16) {
        ofpmsg_delete(entry);
        return OFPERR_OFPBRC_BAD_LEN;
    }
    plx_be16 length = htons(entry->size);
    memcpy(entry->data, &length, sizeof length);
    *entryp = entry;
    return 0;
}

enum ofperr
ofputil_append_flow_stats_reply(const struct ofputil_flow_stats *fs,
                                struct plx_list *replies)
{
    struct ofpmsg *last = CONTAINER_OF(plx_list_back(replies), struct ofpmsg,
                                       list_node);
    struct ofpmsg *entry;
    enum ofperr error;

    error = encode_flow_stats(fs, ofpmsg_header(last)->version, &entry);
    if (!error) {
        memcpy(ofpmp_append(replies, entry->size), entry->data, entry->size);
        ofpmsg_delete(entry);
    }
    return error;
}

int
ofputil_decode_flow_stats_reply(const struct ofp_header *oh, size_t *ofsp,
                                struct ofputil_flow_stats *fs,
                                struct ofpa_buf *ofpacts)
{
    const void *body_;
    size_t len, length, fixed;
    enum ofperr error;

    memset(fs, 0, sizeof *fs);
    error = ofpmsg_get_body(oh, OFPTYPE_FLOW_STATS_REPLY, &body_, &len);
    if (error) {
        return error;
    }
    if (*ofsp >= len) {
        return EOF;
    }

    const uint8_t *p = (const uint8_t *) body_ + *ofsp;
    size_t avail = len - *ofsp;
    if (oh->version == V10) {
        const struct ofp10_flow_stats *ofs = (const void *) p;

        if (avail < sizeof *ofs) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        length = ntohs(ofs->length);
        if (length < sizeof *ofs) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        fixed = sizeof *ofs;

        fs->cookie = ofs->cookie;
        error = ofp10_match_decode(ofs->match, OFP10_MATCH_LEN, &fs->match);
        if (error) {
            return error;
        }
        fs->priority = ntohs(ofs->priority);
        fs->table_id = ofs->table_id;
        fs->duration_sec = ntohl(ofs->duration_sec);
        fs->duration_nsec = ntohl(ofs->duration_nsec);
        fs->idle_timeout = ntohs(ofs->idle_timeout);
        fs->hard_timeout = ntohs(ofs->hard_timeout);
        fs->packet_count = be64toh(ofs->packet_count);
        fs->byte_count = be64toh(ofs->byte_count);
        fs->flags = 0;
    } else {
        const struct ofp11_flow_stats *ofs = (const void *) p;
        size_t match_len;

        if (avail < sizeof *ofs) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        length = ntohs(ofs->length);
        if (length < sizeof *ofs) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        error = ofp13_match_decode(ofs + 1, avail - sizeof *ofs, false,
                                   &fs->match, &match_len);
        if (error) {
            return error;
        }
        fixed = sizeof *ofs + match_len;
        if (length < fixed) {
            /* The instructions' length would be negative. */
            return OFPERR_OFPBIC_BAD_LEN;
        }

        fs->priority = ntohs(ofs->priority);
        fs->table_id = ofs->table_id;
        fs->duration_sec = ntohl(ofs->duration_sec);
        fs->duration_nsec = ntohl(ofs->duration_nsec);
        fs->idle_timeout = ntohs(ofs->idle_timeout);
        fs->hard_timeout = ntohs(ofs->hard_timeout);
        error = decode_flow_flags(ntohs(ofs->flags), -1, oh->version,
                                  &fs->flags);
        if (error) {
            return error;
        }
        fs->cookie = ofs->cookie;
        fs->packet_count = be64toh(ofs->packet_count);
        fs->byte_count = be64toh(ofs->byte_count);
    }

    error = decode_ofpacts(p + fixed, length - fixed, avail - fixed,
                           oh->version, ofpacts, &fs->ofpacts,
                           &fs->ofpacts_len);
    if (error) {
        return error;
    }
    *ofsp += length;
    return 0;
}

/* ---- Aggregate statistics replies. ---- */

struct ofpmsg *
ofputil_encode_aggregate_stats_reply(const struct ofputil_aggregate_stats *as,
                                     const struct ofp_header *request)
{
    struct ofpmsg *msg = ofpmsg_start_reply(OFPTYPE_AGGREGATE_STATS_REPLY,
                                            request, 0);
    struct ofp_aggregate_stats_reply *asr = ofpmsg_put_zeros(msg,
                                                             sizeof *asr);
    bool v10 = request->version == V10;

    asr->packet_count = htobe64(v10 ? unknown_to_zero(as->packet_count)
                                : as->packet_count);
    asr->byte_count = htobe64(v10 ? unknown_to_zero(as->byte_count)
                              : as->byte_count);
    asr->flow_count = htonl(as->flow_count);
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_aggregate_stats_reply(const struct ofp_header *oh,
                                     struct ofputil_aggregate_stats *as)
{
    const struct ofp_aggregate_stats_reply *asr;
    const void *body;
    size_t len;
    enum ofperr error;

    memset(as, 0, sizeof *as);
    error = ofpmsg_get_body(oh, OFPTYPE_AGGREGATE_STATS_REPLY, &body, &len);
    if (error) {
        return error;
    }
    asr = body;
    as->packet_count = be64toh(asr->packet_count);
    as->byte_count = be64toh(asr->byte_count);
    as->flow_count = ntohl(asr->flow_count);
    return 0;
}
