/*
 * ofp-packet: PACKET_IN and PACKET_OUT of OpenFlow 1.0 and 1.3 in one
 * decoded internal form each, plus ovs-ofctl's packet-out text and the
 * text ovs-ofctl prints for both messages.
 *
 * Conventions as lib/ofp-msgs.h and lib/ofp-flow.h: 32-bit ports
 * (MF_OFPP_*), actions as lib/ofp-actions.h lists, decoders return 0 or
 * the enum ofperr that Open vSwitch returns, never asserting on input and
 * never logging (the daemon that received the message logs).
 *
 * PACKET_IN.  The internal form carries the packet's metadata as a
 * struct match whose only fields are the pipeline fields (in_port,
 * metadata, tunnel id; 'in_port' is what OpenFlow 1.0 carries in its own
 * field), the reason (OFPR_NO_MATCH, OFPR_ACTION, OFPR_INVALID_TTL, or
 * any other byte, passed through), the table and cookie (1.3 only), the
 * buffer id and the frame's total length, and the bytes sent (all of
 * them, or the first max_len).
 *
 *   Wire layouts (after struct ofp_header):
 *     1.0: buffer_id(4) total_len(2) in_port(2) reason(1) pad(1) data
 *     1.3: buffer_id(4) total_len(2) reason(1) table_id(1) cookie(8)
 *          ofp_match (OXM, padded to 8) pad(2) data
 *   A 1.3 match is decoded leniently (as Open vSwitch's
 *   oxm_pull_match_loose: unknown fields skipped, prerequisites not
 *   checked); a malformed one is its OFPBMC_* error, missing pad bytes
 *   OFPBRC_BAD_LEN.  A decoded 1.0 PACKET_IN has table_id 0 and cookie
 *   all-ones ("none").  The encoder writes 'total_len' clamped to 65535
 *   and, if the message would pass 65535 bytes, only as much of the
 *   packet as fits.
 *
 * PACKET_OUT.  Either a buffer id or the packet itself, the input port,
 * and the actions (plain actions, no instructions).
 *
 *   Wire layouts:
 *     1.0: buffer_id(4) in_port(2) actions_len(2) actions data
 *     1.3: buffer_id(4) in_port(4) actions_len(2) pad(6) actions data
 *   The data is the packet only if buffer_id is OFP_NO_BUFFER; with a
 *   buffer id, trailing bytes are ignored (as in Open vSwitch).
 *
 *   Input port "none".  OpenFlow 1.0's OFPP_NONE and 1.3's OFPP_ANY
 *   both decode to MF_OFPP_CONTROLLER, so that code above needs to know
 *   only one "from the controller" port.  (Open vSwitch keeps OFPP_NONE
 *   and prints it as "in_port=ANY"; re-encoding such a message therefore
 *   gives 0xfffd/0xfffffffd where the original had 0xffff/0xffffffff.
 *   Nothing in a switch can tell the two apart.)
 *
 *   Errors, in Open vSwitch's order: a 1.3 in_port in 0xff00..0xfffffeff
 *   is OFPBAC_BAD_OUT_PORT (OVS's ofputil_port_from_ofp11); then the
 *   actions: actions_len not a multiple of 8 or past the end of the
 *   message is OFPBRC_BAD_LEN, a bad action its OFPBAC_* error; then a
 *   reserved in_port other than LOCAL, CONTROLLER and NONE/ANY is
 *   OFPBRC_BAD_PORT.  Whether a plain port number exists on the bridge
 *   is the caller's check (OFPBRC_BAD_PORT too, in ofproto).
 */
#ifndef PLX_OFP_PACKET_H
#define PLX_OFP_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "ofp-errors.h"
#include "openflow.h"

struct ds;
struct ofpa_buf;
struct ofpmsg;
struct ofp_header;

/* PACKET_IN reasons, as on the wire in OpenFlow 1.0 and 1.3. */
enum ofp_packet_in_reason {
    OFPR_NO_MATCH = 0,          /* No matching flow (table miss). */
    OFPR_ACTION = 1,            /* Output to controller action. */
    OFPR_INVALID_TTL = 2,       /* Packet has an invalid TTL. */
};

/* "no_match", "action", "invalid_ttl" (and, as Open vSwitch, the names of
 * OpenFlow 1.4's reasons 3..5, "" for 6 and 7, else the number), written
 * into BUF of BUFSIZE bytes (at least 4) when it is not a constant. */
const char *ofputil_packet_in_reason_to_string(uint8_t reason, char *buf,
                                               size_t bufsize);

struct ofputil_packet_in {
    const void *packet;         /* The bytes carried (not owned). */
    size_t packet_len;
    size_t total_len;           /* Length of the whole frame. */
    uint32_t buffer_id;         /* OFP_NO_BUFFER if unbuffered. */
    uint8_t reason;             /* OFPR_*. */
    uint8_t table_id;           /* 1.3 only. */
    plx_be64 cookie;            /* 1.3 only; all-ones if none. */
    struct match flow_metadata; /* in_port, metadata, tunnel id. */
};

/* A PACKET_IN with xid 0 (as Open vSwitch sends them). */
struct ofpmsg *ofputil_encode_packet_in(const struct ofputil_packet_in *,
                                        uint8_t version);
/* PIN's 'packet' points into the message.  OFPBRC_BAD_TYPE if OH is not
 * a PACKET_IN. */
enum ofperr ofputil_decode_packet_in(const struct ofp_header *,
                                     struct ofputil_packet_in *);

struct ofputil_packet_out {
    const void *packet;         /* NULL if buffered. */
    size_t packet_len;
    uint32_t buffer_id;         /* OFP_NO_BUFFER if 'packet' is given. */
    uint32_t in_port;           /* MF_OFPP_CONTROLLER: none. */
    const void *ofpacts;        /* lib/ofp-actions.h list. */
    size_t ofpacts_len;
};

/* NULL with '*errorp' if the actions cannot be expressed in VERSION (the
 * ofpacts_encode_actions() error), if 'in_port' has no OpenFlow 1.0 form
 * (OFPBRC_BAD_PORT), or if the message would pass 65535 bytes
 * (OFPBRC_BAD_LEN).  The packet goes in only if 'buffer_id' is
 * OFP_NO_BUFFER. */
struct ofpmsg *ofputil_encode_packet_out(const struct ofputil_packet_out *,
                                         uint8_t version, uint32_t xid,
                                         enum ofperr *errorp);
/* Appends the actions to OFPACTS ('ofpacts' points at them, at the end of
 * what OFPACTS held before; OFPACTS is left as it was on error);
 * 'packet' points into the message.  Errors: see the top. */
enum ofperr ofputil_decode_packet_out(const struct ofp_header *,
                                      struct ofputil_packet_out *,
                                      struct ofpa_buf *ofpacts);

/* ovs-ofctl packet-out text: "in_port=N,packet=HEX,actions=..." (the
 * keywords separated by commas or white space, in any order; everything
 * after the first "action...=" is the action list, ofpacts_text_parse()
 * syntax).  in_port is a number or a port name ("none", "controller",
 * "local", case-insensitive), defaults to CONTROLLER, and must be below
 * 0xff00 (or 0xffffff00..) or LOCAL, CONTROLLER or NONE, which is stored
 * as CONTROLLER (see the top).  packet is at least 14 bytes of hex.  The
 * result is unbuffered; the packet bytes are malloc'd into '*packetp' for
 * the caller to free, the actions appended to OFPACTS.  Returns NULL or a
 * malloc'd error (then '*packetp' is NULL and OFPACTS as it was). */
char *ofputil_parse_packet_out_str(const char *string,
                                   struct ofputil_packet_out *,
                                   void **packetp,
                                   struct ofpa_buf *ofpacts)
    PLX_WARN_UNUSED_RESULT;

/* Text, as ovs-ofctl ofp-print / monitor print it after the message
 * prefix.  Neither function writes the prefix ("OFPT_PACKET_IN (OF1.3)
 * (xid=0x0):"), which depends on the message rather than on its decoded
 * form; Open vSwitch's line is that prefix, one space, and this text.
 * Neither writes the packet dump that follows on the next line, nor a
 * newline.
 *
 * ofputil_packet_in_format(): "[table_id=N ][cookie=0xC ]total_len=N
 * MATCH (via REASON) data_len=N (unbuffered)" or "... buffer=0x%08x",
 * with Open vSwitch's "(***total_len != data_len***)" remark when an
 * unbuffered packet is not whole (or "< data_len" for a buffered one).
 * MATCH is match_format() of 'flow_metadata' (e.g. "in_port=1", empty
 * for a 1.3 PACKET_IN with an empty match). */
void ofputil_packet_in_format(const struct ofputil_packet_in *, struct ds *);

/* ofputil_packet_out_format(): "in_port=N actions=ACTIONS data_len=N" or
 * "in_port=N actions=ACTIONS buffer=0x%08x". */
void ofputil_packet_out_format(const struct ofputil_packet_out *,
                               struct ds *);

#endif /* ofp-packet.h */
