/*
 * ofp-flow: the flow messages of OpenFlow 1.0 and 1.3 in one decoded
 * internal form each: FLOW_MOD, FLOW_REMOVED, and the flow and aggregate
 * statistics requests and replies; plus the ovs-ofctl text for them
 * (the flow syntax of add-flow/mod-flows/del-flows, and the lines
 * dump-flows prints).
 *
 * Conventions (those of lib/ofp-msgs.h): ports are 32-bit (MF_OFPP_*),
 * matches are struct match, actions and instructions are the internal
 * lists of lib/ofp-actions.h.  A decoded message's 'ofpacts' point into
 * a struct ofpa_buf the caller supplies and owns.  Encoders return a new
 * struct ofpmsg; decoders take a whole message (the framer's guarantee)
 * and return 0 or the enum ofperr that Open vSwitch returns for the same
 * bytes, never asserting on input.
 *
 * Version differences that the internal form hides:
 *   - OpenFlow 1.0 has no table id in a FLOW_MOD (table 0 for add,
 *     OFPTT_ALL for modify and delete, as Open vSwitch reads it), no
 *     cookie mask (a modify or delete in 1.0 matches any cookie; an add
 *     or modify sets the cookie), no out_group (OFPG_ANY), and 16-bit
 *     ports.
 *   - OpenFlow 1.3's modify with cookie_mask 0 leaves cookies alone;
 *     with a nonzero mask it selects by cookie and does not change it.
 *   - Flags are OFPUTIL_FF_*, the union of both versions; an encoder
 *     drops the flags its version lacks.  A decoded OpenFlow 1.0 add has
 *     OFPUTIL_FF_RESET_COUNTS set (1.0 always resets counters on add), as
 *     Open vSwitch decodes it.
 *   - FLOW_REMOVED in OpenFlow 1.0 has no table id (decoded as OFPTT_ALL)
 *     and no hard timeout (decoded as 0).
 *   - Counters of UINT64_MAX mean "unknown" inside Plexus.  As Open
 *     vSwitch does, flow statistics replies (both versions) and 1.0's
 *     FLOW_REMOVED and aggregate replies carry them as 0; 1.3's
 *     FLOW_REMOVED and aggregate replies carry them as they are.
 *
 * Errors.  Decoders check what Open vSwitch checks, in its order: a 1.3
 * FLOW_MOD, FLOW_REMOVED or flow statistics request whose length is not
 * its fixed part plus a multiple of 8 is OFPBRC_BAD_LEN (Open vSwitch's
 * message table says so; lib/ofp-msgs's checks only the minimum); the
 * match (OFPBMC_*), then for FLOW_MOD a 1.3 table id OFPTT_ALL on a
 * command other than delete (OFPFMFC_BAD_TABLE_ID), conntrack address
 * fields of the other IP version (OFPBAC_MATCH_INCONSISTENT), the
 * command (OFPFMFC_BAD_COMMAND), the actions or instructions (a length
 * that is not a multiple of 8 or runs past the message: OFPBRC_BAD_LEN in
 * 1.0, OFPBIC_BAD_LEN in 1.3; then lib/ofp-actions.h's errors), the
 * flags (OFPFMFC_BAD_FLAGS for bits the version does not define) and
 * last 1.0's EMERG flag.  Plexus ports are 32-bit, so a 1.3 out_port in
 * 0xff00..0xfffffeff is accepted (Open vSwitch, with 16-bit ports,
 * answers OFPBAC_BAD_OUT_PORT).  A decoder that fails leaves OFPACTS as
 * it found it.
 */
#ifndef PLX_OFP_FLOW_H
#define PLX_OFP_FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "types.h"
#include "util.h"
#include "match.h"
#include "ofp-errors.h"
#include "openflow.h"

struct ds;
struct ofpa_buf;
struct ofpmsg;
struct ofp_header;

/* FLOW_MOD commands (the same numbers in both versions). */
enum ofputil_flow_mod_command {
    OFPUTIL_FC_ADD = 0,
    OFPUTIL_FC_MODIFY = 1,
    OFPUTIL_FC_MODIFY_STRICT = 2,
    OFPUTIL_FC_DELETE = 3,
    OFPUTIL_FC_DELETE_STRICT = 4,
};

/* Flow flags: the union of OpenFlow 1.0's and 1.3's, each named once. */
enum ofputil_flow_flags {
    OFPUTIL_FF_SEND_FLOW_REM = 1 << 0,
    OFPUTIL_FF_CHECK_OVERLAP = 1 << 1,
    OFPUTIL_FF_EMERG = 1 << 2,          /* 1.0 only; always rejected. */
    OFPUTIL_FF_RESET_COUNTS = 1 << 3,   /* 1.3; 1.0 always resets on add. */
    OFPUTIL_FF_NO_PKT_COUNTS = 1 << 4,  /* 1.3 only. */
    OFPUTIL_FF_NO_BYT_COUNTS = 1 << 5,  /* 1.3 only. */
};

struct ofputil_flow_mod {
    enum ofputil_flow_mod_command command;
    struct match match;
    int priority;               /* 0..65535. */
    uint8_t table_id;           /* OFPTT_ALL: every table (modify/delete). */

    /* Cookies.  For add, 'new_cookie' is the flow's cookie.  For modify
     * and delete, 'cookie'/'cookie_mask' select flows (mask 0: any) and,
     * for modify, 'modify_cookie' says whether matching flows take
     * 'new_cookie' (OpenFlow 1.0 modify, and 1.3 with a zero mask per
     * Open vSwitch: no). */
    plx_be64 cookie;
    plx_be64 cookie_mask;
    plx_be64 new_cookie;
    bool modify_cookie;

    uint16_t idle_timeout;      /* Seconds, 0: none. */
    uint16_t hard_timeout;
    uint32_t buffer_id;         /* OFP_NO_BUFFER if none. */
    uint32_t out_port;          /* Delete filter; MF_OFPP_ANY: none. */
    uint32_t out_group;         /* Delete filter; OFPG_ANY: none. */
    uint32_t flags;             /* OFPUTIL_FF_*. */

    const void *ofpacts;        /* lib/ofp-actions.h list. */
    size_t ofpacts_len;
};

/* The OpenFlow 1.1+ "any group" wildcard. */
#define OFPUTIL_GROUP_ANY 0xffffffffu

/* The flow priority ovs-ofctl assumes and does not print. */
#define OFPUTIL_DEFAULT_PRIORITY 32768

/* FLOW_REMOVED reasons (OFPRR_METER_DELETE is OpenFlow 1.4's; encoders
 * for 1.0 and 1.3 send OFPRR_DELETE instead, as Open vSwitch does). */
#ifndef OFPRR_IDLE_TIMEOUT
#define OFPRR_IDLE_TIMEOUT 0
#define OFPRR_HARD_TIMEOUT 1
#define OFPRR_DELETE 2
#define OFPRR_GROUP_DELETE 3
#define OFPRR_METER_DELETE 4
#endif

/* Encodes FM in VERSION.  Fails (returning NULL with '*errorp' set) only
 * when the actions cannot be expressed in VERSION (ofpacts encoders) or
 * the message would pass 65535 bytes (OFPBRC_BAD_LEN).
 *
 * OpenFlow 1.3: an add carries 'new_cookie', a modify or delete
 * 'cookie & cookie_mask' and 'cookie_mask'; table OFPTT_ALL goes out as
 * table 0 except for a delete.  OpenFlow 1.0: the cookie field carries
 * 'new_cookie' whatever the command (cookie masks and table ids have no
 * 1.0 form and are dropped), out_group is dropped. */
struct ofpmsg *ofputil_encode_flow_mod(const struct ofputil_flow_mod *,
                                       uint8_t version, uint32_t xid,
                                       enum ofperr *errorp);

/* Decodes a FLOW_MOD, appending its actions to OFPACTS (FM's 'ofpacts'
 * then point into it).  Checks the match (ofp-match) and the actions'
 * wire form, but not the actions against the match or the switch
 * (ofpacts_check() is the switch's business): bad commands are
 * OFPFMFC_BAD_COMMAND, OpenFlow 1.0's EMERG flag OFPFMFC_BAD_EMERG_TIMEOUT
 * with timeouts, else OFPFMFC_TABLE_FULL, and so on as Open vSwitch
 * reports (see "Errors" above).  An OpenFlow 1.0 exact match (no
 * wildcard bit set) gets priority 65535, as 1.0 prescribes. */
enum ofperr ofputil_decode_flow_mod(const struct ofp_header *,
                                    struct ofputil_flow_mod *,
                                    struct ofpa_buf *ofpacts);

/* FLOW_REMOVED. */
struct ofputil_flow_removed {
    struct match match;
    int priority;
    plx_be64 cookie;
    uint8_t reason;             /* OFPRR_*: idle, hard, delete, group
                                 * delete, meter delete. */
    uint8_t table_id;           /* 1.3 only. */
    uint32_t duration_sec;
    uint32_t duration_nsec;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint64_t packet_count;
    uint64_t byte_count;
};

struct ofpmsg *ofputil_encode_flow_removed(
    const struct ofputil_flow_removed *, uint8_t version);
enum ofperr ofputil_decode_flow_removed(const struct ofp_header *,
                                        struct ofputil_flow_removed *);

/* Flow and aggregate statistics requests (the same body). */
struct ofputil_flow_stats_request {
    bool aggregate;             /* Aggregate, not individual flows. */
    struct match match;
    uint8_t table_id;           /* OFPTT_ALL: all tables. */
    uint32_t out_port;          /* MF_OFPP_ANY: no filter. */
    uint32_t out_group;         /* OFPUTIL_GROUP_ANY: no filter. */
    plx_be64 cookie;
    plx_be64 cookie_mask;       /* 0: any cookie. */
};

struct ofpmsg *ofputil_encode_flow_stats_request(
    const struct ofputil_flow_stats_request *, uint8_t version,
    uint32_t xid);
enum ofperr ofputil_decode_flow_stats_request(
    const struct ofp_header *, struct ofputil_flow_stats_request *);

/* One flow in a flow statistics reply. */
struct ofputil_flow_stats {
    struct match match;
    int priority;
    uint8_t table_id;
    plx_be64 cookie;
    uint32_t duration_sec;
    uint32_t duration_nsec;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint32_t flags;             /* OFPUTIL_FF_*, 1.3 only. */
    uint64_t packet_count;      /* UINT64_MAX: not counted. */
    uint64_t byte_count;        /* UINT64_MAX: not counted. */
    const void *ofpacts;
    size_t ofpacts_len;
};

/* Appends FS to REPLIES (a list started by ofpmp_init() for the
 * request), splitting into several messages as needed.  Returns 0, or
 * (appending nothing) the error of an action list that REPLIES' version
 * cannot express, or OFPBRC_BAD_LEN for an entry too long for one
 * message. */
enum ofperr ofputil_append_flow_stats_reply(const struct ofputil_flow_stats *,
                                            struct plx_list *replies);

/* Pulls the next flow from a flow statistics reply: set '*ofsp' to 0
 * first (it is the offset of the next entry in the body); returns 0 with
 * FS filled (its actions appended to OFPACTS, which the caller may clear
 * between calls), EOF after the last flow, or an enum ofperr.  (An int,
 * not an enum ofperr, so that EOF fits.) */
int ofputil_decode_flow_stats_reply(const struct ofp_header *, size_t *ofsp,
                                    struct ofputil_flow_stats *,
                                    struct ofpa_buf *ofpacts);

struct ofputil_aggregate_stats {
    uint64_t packet_count;
    uint64_t byte_count;
    uint32_t flow_count;
};

struct ofpmsg *ofputil_encode_aggregate_stats_reply(
    const struct ofputil_aggregate_stats *, const struct ofp_header *req);
enum ofperr ofputil_decode_aggregate_stats_reply(
    const struct ofp_header *, struct ofputil_aggregate_stats *);

/* ---- ovs-ofctl text. ---- */

/* Parses one flow in ovs-ofctl's syntax for COMMAND (add-flow,
 * mod-flows, del-flows, with "--strict" turning MODIFY/DELETE into their
 * strict forms): match fields (lib/match.h), "priority=", "table=",
 * "cookie=" ("cookie=V/M" for modify and delete), "idle_timeout=",
 * "hard_timeout=", "out_port=", "out_group=", "send_flow_rem",
 * "check_overlap", "reset_counts", "no_packet_counts", "no_byte_counts",
 * and "actions=..." (lib/ofp-actions.h text, which also takes
 * instructions), the last keyword.  For add-flows files, a leading
 * "add", "modify", "modify_strict", "delete" or "delete_strict" word
 * sets COMMAND when COMMAND is -1 (no word: add; as in ovs-ofctl, a
 * prefix of a word names it).  Appends the actions to OFPACTS.
 *
 * As in ovs-ofctl: each command takes only its own keywords (add:
 * actions, timeouts, priority, flags, importance; modify: the same but
 * importance; delete: out_port and out_group; delete --strict: those and
 * priority), others are "unknown keyword"; the defaults are priority
 * 32768, table OFPTT_ALL ("any"; an add goes to table 0), buffer
 * OFP_NO_BUFFER, out_port MF_OFPP_ANY, out_group OFPUTIL_GROUP_ANY; a
 * modify without "cookie=" has new_cookie 0 and modify_cookie false;
 * "duration", "n_packets", "n_bytes", "idle_age" and "hard_age" are
 * ignored so that dump-flows output can be fed back; the actions are
 * checked against the match (ofpacts_check() for OpenFlow 1.3, or else
 * for 1.0, which tolerates its own set actions on flows they do not fit;
 * the check also records what the 1.0 encoder needs; goto_table must
 * lead past 'table_id', table 0 when unspecified).  "importance" (OpenFlow 1.4) is checked and
 * dropped.  Returns NULL or a malloc'd error; '*usable_protocols' is not
 * part of this API: the caller picks the version. */
char *ofputil_parse_flow_mod_str(const char *string, int command,
                                 struct ofputil_flow_mod *,
                                 struct ofpa_buf *ofpacts)
    PLX_WARN_UNUSED_RESULT;

/* Parses the argument of dump-flows / dump-aggregate (match fields,
 * "table=", "out_port=", "out_group=", "cookie=V/M") into FSR. */
char *ofputil_parse_flow_stats_request_str(
    const char *string, bool aggregate, struct ofputil_flow_stats_request *)
    PLX_WARN_UNUSED_RESULT;

/* Writes each OFPUTIL_FF_* flag in FLAGS as ovs-ofctl names it
 * ("send_flow_rem "), each followed by a space. */
void ofputil_format_flow_flags(struct ds *, uint32_t flags);

/* Writes FS the way ovs-ofctl dump-flows prints it, without the one
 * leading space dump-flows prints before each flow, e.g. "cookie=0x0,
 * duration=1.234s, table=0, n_packets=0, n_bytes=0, idle_timeout=10,
 * send_flow_rem priority=100,ip,nw_src=10.0.0.1 actions=output:2".
 * SHOW_STATS false (--no-stats) omits duration and counters, and the
 * cookie and table when they are 0.  Timeouts of 0, no flags and
 * priority 32768 are never printed. */
void ofputil_flow_stats_format(const struct ofputil_flow_stats *,
                               bool show_stats, struct ds *);

#endif /* ofp-flow.h */
