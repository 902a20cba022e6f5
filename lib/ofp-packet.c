/* PACKET_IN and PACKET_OUT codecs and text: see ofp-packet.h. */
#include <config.h>
#include "ofp-packet.h"

#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-match.h"
#include "ofp-msgs.h"
#include "util.h"

/* ---- Wire structures (bodies, after struct ofp_header). ---- */

struct ofp10_packet_in {
    plx_be32 buffer_id;
    plx_be16 total_len;
    plx_be16 in_port;
    uint8_t reason;
    uint8_t pad;
    /* Followed by the packet. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_packet_in) == 10);

struct ofp13_packet_in {
    plx_be32 buffer_id;
    plx_be16 total_len;
    uint8_t reason;
    uint8_t table_id;
    plx_be64 cookie;
    /* Followed by struct ofp_match (padded to 8), 2 bytes of padding and
     * the packet. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp13_packet_in) == 16);

struct ofp10_packet_out {
    plx_be32 buffer_id;
    plx_be16 in_port;
    plx_be16 actions_len;
    /* Followed by the actions and, if unbuffered, the packet. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp10_packet_out) == 8);

struct ofp11_packet_out {
    plx_be32 buffer_id;
    plx_be32 in_port;
    plx_be16 actions_len;
    uint8_t pad[6];
    /* Followed by the actions and, if unbuffered, the packet. */
} OFP_PACKED;
BUILD_ASSERT_DECL(sizeof(struct ofp11_packet_out) == 16);

/* Bytes of padding between a 1.3 PACKET_IN's match and its packet. */
#define OFP13_PACKET_IN_PAD 2

#define OFP_ACTION_ALIGN 8

/* match_format() leaves out a priority of 32768. */
#define OFP_DEFAULT_PRIORITY 32768

static plx_be64
be64_all_ones(void)
{
    return (plx_be64) UINT64_MAX;
}

/* The actions in OFPACTS from offset START on (NULL if there are none
 * and never were: no arithmetic on a null pointer). */
static const void *
ofpacts_at(const struct ofpa_buf *ofpacts, size_t start)
{
    return ofpacts->data ? (const uint8_t *) ofpacts->data + start : NULL;
}

/* ---- Reasons. ---- */

const char *
ofputil_packet_in_reason_to_string(uint8_t reason, char *buf, size_t bufsize)
{
    switch (reason) {
    case OFPR_NO_MATCH:
        return "no_match";
    case OFPR_ACTION:
        return "action";
    case OFPR_INVALID_TTL:
        return "invalid_ttl";
    case 3:
        return "action_set";    /* OpenFlow 1.4 reasons, named as by */
    case 4:                     /* Open vSwitch whatever the version. */
        return "group";
    case 5:
        return "packet_out";
    case 6:
    case 7:
        return "";              /* OVS's internal explicit/implicit miss. */
    default:
        snprintf(buf, bufsize, "%d", reason);
        return buf;
    }
}

/* ---- PACKET_IN. ---- */

struct ofpmsg *
ofputil_encode_packet_in(const struct ofputil_packet_in *pin,
                         uint8_t version)
{
    uint16_t total_len = MIN(pin->total_len, UINT16_MAX);
    struct ofpmsg *msg;

    plx_assert(version == OFP10_VERSION || version == OFP13_VERSION);
    msg = ofpmsg_start(OFPTYPE_PACKET_IN, version, 0,
                       64 + MIN(pin->packet_len, OFP_MAX_MSG_LEN));
    if (version == OFP10_VERSION) {
        struct ofp10_packet_in *opi = ofpmsg_put_zeros(msg, sizeof *opi);
        uint16_t in_port;

        ofp_port_to_ofp10(pin->flow_metadata.flow.in_port, &in_port);
        opi->buffer_id = htonl(pin->buffer_id);
        opi->total_len = htons(total_len);
        opi->in_port = htons(in_port);
        opi->reason = pin->reason;
    } else {
        struct ofp13_packet_in *opi = ofpmsg_put_zeros(msg, sizeof *opi);
        size_t match_len;

        opi->buffer_id = htonl(pin->buffer_id);
        opi->total_len = htons(total_len);
        opi->reason = pin->reason;
        opi->table_id = pin->table_id;
        opi->cookie = pin->cookie;

        match_len = ofp13_match_encode(&pin->flow_metadata, NULL, 0);
        ofp13_match_encode(&pin->flow_metadata,
                           ofpmsg_put_zeros(msg, match_len), match_len);
        ofpmsg_put_zeros(msg, OFP13_PACKET_IN_PAD);
    }

    /* A packet too big for one message is cut, as a short max_len
     * would cut it: total_len still tells the whole length. */
    size_t room = msg->size < OFP_MAX_MSG_LEN
                  ? OFP_MAX_MSG_LEN - msg->size : 0;
    ofpmsg_put(msg, pin->packet, MIN(pin->packet_len, room));
    ofpmsg_finish(msg);
    return msg;
}

enum ofperr
ofputil_decode_packet_in(const struct ofp_header *oh,
                         struct ofputil_packet_in *pin)
{
    const uint8_t *body;
    size_t len;
    enum ofperr error;

    memset(pin, 0, sizeof *pin);
    pin->cookie = be64_all_ones();
    match_init_catchall(&pin->flow_metadata);

    error = ofpmsg_get_body(oh, OFPTYPE_PACKET_IN, (const void **) &body,
                            &len);
    if (error) {
        return error;
    }

    if (oh->version == OFP10_VERSION) {
        const struct ofp10_packet_in *opi = (const void *) body;

        /* ofpmsg_get_body() checked the fixed part's length. */
        pin->buffer_id = ntohl(opi->buffer_id);
        pin->total_len = ntohs(opi->total_len);
        pin->reason = opi->reason;
        match_set_in_port(&pin->flow_metadata,
                          ofp_port_from_ofp10(ntohs(opi->in_port)));
        pin->packet = body + sizeof *opi;
        pin->packet_len = len - sizeof *opi;
    } else {
        const struct ofp13_packet_in *opi = (const void *) body;
        size_t match_len;

        error = ofp13_match_decode(body + sizeof *opi, len - sizeof *opi,
                                   true, &pin->flow_metadata, &match_len);
        if (error) {
            match_init_catchall(&pin->flow_metadata);
            return error;
        }
        size_t ofs = sizeof *opi + match_len;
        if (len - ofs < OFP13_PACKET_IN_PAD) {
            match_init_catchall(&pin->flow_metadata);
            return OFPERR_OFPBRC_BAD_LEN;
        }
        ofs += OFP13_PACKET_IN_PAD;

        pin->buffer_id = ntohl(opi->buffer_id);
        pin->total_len = ntohs(opi->total_len);
        pin->reason = opi->reason;
        pin->table_id = opi->table_id;
        pin->cookie = opi->cookie;
        pin->packet = body + ofs;
        pin->packet_len = len - ofs;
    }
    return 0;
}

void
ofputil_packet_in_format(const struct ofputil_packet_in *pin, struct ds *s)
{
    char reasonbuf[8];

    if (pin->table_id) {
        ds_put_format(s, "table_id=%"PRIu8" ", pin->table_id);
    }
    if (pin->cookie != be64_all_ones()) {
        ds_put_format(s, "cookie=0x%"PRIx64" ", be64toh(pin->cookie));
    }
    ds_put_format(s, "total_len=%zu ", pin->total_len);
    match_format(&pin->flow_metadata, OFP_DEFAULT_PRIORITY, s);
    ds_put_format(s, " (via %s)",
                  ofputil_packet_in_reason_to_string(pin->reason, reasonbuf,
                                                     sizeof reasonbuf));
    ds_put_format(s, " data_len=%zu", pin->packet_len);
    if (pin->buffer_id == OFP_NO_BUFFER) {
        ds_put_cstr(s, " (unbuffered)");
        if (pin->total_len != pin->packet_len) {
            ds_put_cstr(s, " (***total_len != data_len***)");
        }
    } else {
        ds_put_format(s, " buffer=0x%08"PRIx32, pin->buffer_id);
        if (pin->total_len < pin->packet_len) {
            ds_put_cstr(s, " (***total_len < data_len***)");
        }
    }
}

/* ---- PACKET_OUT. ---- */

/* True if IN_PORT (internal numbering) may be a PACKET_OUT's input port:
 * a plain port number, or LOCAL, CONTROLLER or ANY ("none"). */
static bool
packet_out_in_port_ok(uint32_t in_port)
{
    return (in_port < MF_OFPP_MAX
            || in_port == MF_OFPP_LOCAL
            || in_port == MF_OFPP_CONTROLLER
            || in_port == MF_OFPP_ANY);
}

struct ofpmsg *
ofputil_encode_packet_out(const struct ofputil_packet_out *po,
                          uint8_t version, uint32_t xid,
                          enum ofperr *errorp)
{
    struct ofpa_buf actions = OFPA_BUF_INITIALIZER;
    size_t packet_len = po->buffer_id == OFP_NO_BUFFER ? po->packet_len : 0;
    uint16_t in_port10 = 0;
    struct ofpmsg *msg;
    enum ofperr error;

    plx_assert(version == OFP10_VERSION || version == OFP13_VERSION);
    *errorp = 0;
    if (version == OFP10_VERSION
        && !ofp_port_to_ofp10(po->in_port, &in_port10)) {
        *errorp = OFPERR_OFPBRC_BAD_PORT;
        return NULL;
    }
    error = ofpacts_encode_actions(po->ofpacts, po->ofpacts_len, version,
                                   &actions);
    if (error) {
        ofpa_buf_uninit(&actions);
        *errorp = error;
        return NULL;
    }

    size_t fixed = (sizeof(struct ofp_header)
                    + (version == OFP10_VERSION
                       ? sizeof(struct ofp10_packet_out)
                       : sizeof(struct ofp11_packet_out)));
    if (actions.size > OFP_MAX_MSG_LEN - fixed
        || packet_len > OFP_MAX_MSG_LEN - fixed - actions.size) {
        ofpa_buf_uninit(&actions);
        *errorp = OFPERR_OFPBRC_BAD_LEN;
        return NULL;
    }

    msg = ofpmsg_start(OFPTYPE_PACKET_OUT, version, xid,
                       actions.size + packet_len);
    if (version == OFP10_VERSION) {
        struct ofp10_packet_out *opo = ofpmsg_put_zeros(msg, sizeof *opo);

        opo->buffer_id = htonl(po->buffer_id);
        opo->in_port = htons(in_port10);
        opo->actions_len = htons(actions.size);
    } else {
        struct ofp11_packet_out *opo = ofpmsg_put_zeros(msg, sizeof *opo);

        opo->buffer_id = htonl(po->buffer_id);
        opo->in_port = htonl(po->in_port);
        opo->actions_len = htons(actions.size);
    }
    ofpmsg_put(msg, actions.data, actions.size);
    ofpmsg_put(msg, po->packet, packet_len);
    ofpmsg_finish(msg);
    ofpa_buf_uninit(&actions);
    return msg;
}

enum ofperr
ofputil_decode_packet_out(const struct ofp_header *oh,
                          struct ofputil_packet_out *po,
                          struct ofpa_buf *ofpacts)
{
    const uint8_t *body;
    size_t len, fixed, actions_len;
    uint32_t in_port;
    enum ofperr error;

    memset(po, 0, sizeof *po);
    error = ofpmsg_get_body(oh, OFPTYPE_PACKET_OUT, (const void **) &body,
                            &len);
    if (error) {
        return error;
    }

    if (oh->version == OFP10_VERSION) {
        const struct ofp10_packet_out *opo = (const void *) body;

        po->buffer_id = ntohl(opo->buffer_id);
        in_port = ofp_port_from_ofp10(ntohs(opo->in_port));
        actions_len = ntohs(opo->actions_len);
        fixed = sizeof *opo;
    } else {
        const struct ofp11_packet_out *opo = (const void *) body;

        po->buffer_id = ntohl(opo->buffer_id);
        in_port = ntohl(opo->in_port);
        actions_len = ntohs(opo->actions_len);
        fixed = sizeof *opo;
        if (in_port >= OFPP10_MAX && in_port < MF_OFPP_MAX) {
            /* Open vSwitch's ports are 16 bits: it cannot convert these
             * and says so with this error. */
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
    }

    if (actions_len % OFP_ACTION_ALIGN || actions_len > len - fixed) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    size_t start = ofpacts->size;
    error = ofpacts_decode_actions(body + fixed, actions_len, oh->version,
                                   ofpacts);
    if (error) {
        return error;
    }
    if (!packet_out_in_port_ok(in_port)) {
        ofpa_buf_truncate(ofpacts, start);
        return OFPERR_OFPBRC_BAD_PORT;
    }

    po->in_port = in_port == MF_OFPP_ANY ? MF_OFPP_CONTROLLER : in_port;
    po->ofpacts = ofpacts_at(ofpacts, start);
    po->ofpacts_len = ofpacts->size - start;
    if (po->buffer_id == OFP_NO_BUFFER) {
        po->packet = body + fixed + actions_len;
        po->packet_len = len - fixed - actions_len;
    }
    return 0;
}

void
ofputil_packet_out_format(const struct ofputil_packet_out *po,
                          struct ds *s)
{
    ds_put_cstr(s, "in_port=");
    mf_format_port(po->in_port, s);
    ds_put_cstr(s, " actions=");
    ofpacts_text_format(po->ofpacts, po->ofpacts_len, s);
    if (po->buffer_id == OFP_NO_BUFFER) {
        ds_put_format(s, " data_len=%zu", po->packet_len);
    } else {
        ds_put_format(s, " buffer=0x%08"PRIx32, po->buffer_id);
    }
}

/* ---- packet-out text. ---- */

/* Splits the next "key=value", "key:value", "key(value)" or bare "key"
 * off '*stringp' (modified in place), as ovs-ofctl's
 * ofputil_parse_key_value() does; false at the end of the string. */
static bool
parse_key_value(char **stringp, char **keyp, char **valuep)
{
    char *s = *stringp + strspn(*stringp, ", \t\r\n");

    if (!*s) {
        return false;
    }
    char *key = s;
    size_t key_len = strcspn(key, ":=(, \t\r\n");
    char key_delim = key[key_len];
    key[key_len] = '\0';
    s += key_len + (key_delim != '\0');

    const char *value_delims;
    if (key_delim == ':' || key_delim == '=') {
        value_delims = ", \t\r\n";
    } else if (key_delim == '(') {
        value_delims = ")";
    } else {
        *keyp = key;
        *valuep = key + key_len;
        *stringp = s;
        return true;
    }

    char *value = s;
    size_t value_len = strcspn(value, value_delims);
    char value_delim = value[value_len];
    value[value_len] = '\0';
    s += value_len + (value_delim != '\0');

    *keyp = key;
    *valuep = value;
    *stringp = s;
    return true;
}

static int
hexit_value(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Parses HEX (pairs of hex digits, white space allowed between pairs) into
 * a malloc'd '*datap' of '*lenp' bytes, as ovs-ofctl's eth_from_hex().
 * Returns NULL or a static error message. */
static const char *
parse_packet_hex(const char *hex, uint8_t **datap, size_t *lenp)
{
    uint8_t *data = xmalloc(strlen(hex) / 2 + 1);
    size_t n = 0;

    for (;;) {
        hex += strspn(hex, " \t\r\n");
        int hi = hexit_value((unsigned char) hex[0]);
        int lo = hi < 0 ? -1 : hexit_value((unsigned char) hex[1]);
        if (lo < 0) {
            break;
        }
        data[n++] = hi * 16 + lo;
        hex += 2;
    }
    if (*hex) {
        free(data);
        return "Trailing garbage in packet data";
    }
    if (n < 14) {
        free(data);
        return "Packet data too short for Ethernet";
    }
    *datap = data;
    *lenp = n;
    return NULL;
}

static char * PLX_WARN_UNUSED_RESULT
parse_packet_out__(char *string, struct ofputil_packet_out *po,
                   uint8_t **packetp, struct ofpa_buf *ofpacts)
{
    char *act_str = NULL;
    char *key, *value;

    /* Everything after the first "action...=" is the action list. */
    char *act = strstr(string, "action");
    if (act) {
        *act = '\0';
        act_str = strchr(act + 1, '=');
        if (act_str) {
            act_str++;
        }
    }

    while (parse_key_value(&string, &key, &value)) {
        if (!*value) {
            return xasprintf("field %s missing value", key);
        }
        if (!strcmp(key, "in_port")) {
            uint32_t port;

            /* (mf_port_from_string() maps 0xff00..0xffff to their 32-bit
             * forms, so nothing in 0xff00..0xffff is left here.) */
            if (value[0] == '-' || !mf_port_from_string(value, &port)
                || (port > UINT16_MAX && port < MF_OFPP_MAX)) {
                return xasprintf("%s is not a valid OpenFlow port", value);
            }
            /* ovs-ofctl lets 0xff00 (OFPP_MAX) itself through; so do we,
             * although a switch will refuse it. */
            if (port != MF_OFPP_MAX && !packet_out_in_port_ok(port)) {
                return xasprintf("%s is not a valid OpenFlow port for "
                                 "PACKET_OUT", value);
            }
            po->in_port = port == MF_OFPP_ANY ? MF_OFPP_CONTROLLER : port;
        } else if (!strcmp(key, "packet")) {
            const char *msg;

            free(*packetp);
            *packetp = NULL;
            msg = parse_packet_hex(value, packetp, &po->packet_len);
            if (msg) {
                return xasprintf("%s: %s", key, msg);
            }
        } else if (mf_from_name(key)) {
            return xasprintf("%s: setting a pipeline field in PACKET_OUT "
                             "needs OpenFlow 1.5, which Plexus does not "
                             "speak", key);
        } else {
            return xasprintf("unknown keyword %s", key);
        }
    }

    if (!*packetp) {
        return xstrdup("must specify packet");
    }
    if (act_str) {
        size_t start = ofpacts->size;
        char *error = ofpacts_text_parse(act_str, ofpacts);
        if (error) {
            return error;
        }

        const struct ofpa *a;
        OFPA_FOR_EACH (a, ofpacts_at(ofpacts, start),
                       ofpacts->size - start) {
            if (ofpa_is_instruction(a->type)) {
                return xasprintf("%s: instruction not allowed in "
                                 "PACKET_OUT", ofpa_type_name(a->type));
            }
        }
    }
    return NULL;
}

char *
ofputil_parse_packet_out_str(const char *string,
                             struct ofputil_packet_out *po,
                             void **packetp, struct ofpa_buf *ofpacts)
{
    char *copy = xstrdup(string);
    uint8_t *packet = NULL;
    size_t start = ofpacts->size;
    char *error;

    memset(po, 0, sizeof *po);
    po->buffer_id = OFP_NO_BUFFER;
    po->in_port = MF_OFPP_CONTROLLER;
    error = parse_packet_out__(copy, po, &packet, ofpacts);
    free(copy);
    if (error) {
        free(packet);
        ofpa_buf_truncate(ofpacts, start);
        memset(po, 0, sizeof *po);
        *packetp = NULL;
        return error;
    }
    po->packet = packet;
    po->ofpacts = ofpacts_at(ofpacts, start);
    po->ofpacts_len = ofpacts->size - start;
    *packetp = packet;
    return NULL;
}
