/*
 * ofp-msgs: OpenFlow message framing, types, and the decoded internal
 * form of the messages that need no match or action codec.
 *
 * Three layers:
 *
 * 1. Messages as bytes.  struct ofpmsg owns the bytes of one whole
 *    message (header included) and can sit in a list (struct plx_list),
 *    which is how connections queue them.  ofpmsg_start() writes the
 *    header of a given internal type and version (and, for a multipart
 *    message, the multipart header), the encoders append the body, and
 *    ofpmsg_finish() (called by every encoder) stores the final length.
 *    struct ofpmsg_framer cuts a byte stream into messages: feed it
 *    chunks split anywhere and take whole messages out.  A header whose
 *    length is below 8 (or above the framer's limit) is a framing error:
 *    a byte stream cannot be resynchronized, so the framer then stops
 *    (the messages before it are still returned).
 *
 * 2. Types.  enum ofptype names each message once, whatever its version:
 *    OpenFlow 1.0's STATS_REQUEST with type OFPST_PORT and 1.3's
 *    MULTIPART_REQUEST with type OFPMP_PORT_STATS are both
 *    OFPTYPE_PORT_STATS_REQUEST.  A table maps (version, wire type,
 *    multipart type) to an ofptype plus the body's length rule (exact,
 *    at least, or a minimum plus a multiple of an element size).
 *    ofptype_decode() checks a message against it and returns the error
 *    that the specifications prescribe: OFPBRC_BAD_VERSION for a version
 *    Plexus does not speak, OFPBRC_BAD_TYPE for an unknown type,
 *    OFPBRC_BAD_STAT (BAD_MULTIPART) for an unknown multipart type,
 *    OFPBRC_BAD_VENDOR (BAD_EXPERIMENTER) for vendor extensions, and
 *    OFPBRC_BAD_LEN when the header length disagrees with the bytes or
 *    with the type's length rule.  Messages whose codecs live elsewhere
 *    (FLOW_MOD, PACKET_IN/OUT, FLOW_REMOVED, GROUP_MOD, METER_MOD,
 *    TABLE_MOD, flow/aggregate/group/meter/queue/table-features stats)
 *    are in the table too, with their fixed minimum lengths, so a
 *    codec added later gets a message whose type and minimum length are
 *    already checked.
 *
 * 3. Codecs.  For each message handled here, a struct ofputil_* holds
 *    the decoded form, one per message whatever its version, in Plexus's
 *    internal conventions: 32-bit port numbers (lib/meta-flow.h
 *    MF_OFPP_*), port features in the OpenFlow 1.1 bit layout, port
 *    config and state as the union of both versions' bits (an encoder
 *    keeps the bits its version has), capabilities as enum
 *    ofputil_capabilities.  ofputil_encode_X(..., version, ...) returns a
 *    new struct ofpmsg; ofputil_decode_X(oh, ...) returns 0 or an enum
 *    ofperr.  Decoders take the header of a whole message whose length
 *    field is the number of readable bytes (the framer guarantees it)
 *    and re-run ofptype_decode() first, so they never read past the end
 *    and reject a message of the wrong type with OFPBRC_BAD_TYPE.
 *
 * Decoders never assert on their input.  Encoders assert on caller bugs
 * (a type that does not exist in the requested version).
 */
#ifndef PLX_OFP_MSGS_H
#define PLX_OFP_MSGS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "list.h"
#include "ofp-errors.h"
#include "openflow.h"
#include "types.h"
#include "util.h"

/* ---- Whole messages. ---- */

struct ofpmsg {
    struct plx_list list_node;  /* For the owner's queues. */
    uint8_t *data;              /* Starts with struct ofp_header. */
    size_t size;                /* Bytes in 'data'. */
    size_t allocated;
};

/* A new message holding a copy of the N bytes at DATA. */
struct ofpmsg *ofpmsg_clone_data(const void *data, size_t n);
struct ofpmsg *ofpmsg_clone(const struct ofpmsg *);
void ofpmsg_delete(struct ofpmsg *);

static inline struct ofp_header *
ofpmsg_header(const struct ofpmsg *msg)
{
    return (struct ofp_header *) msg->data;
}

/* Appends N bytes (zeroed, or copied from DATA) and returns where they
 * start.  The pointer is valid until the next append. */
void *ofpmsg_put_zeros(struct ofpmsg *, size_t n);
void *ofpmsg_put(struct ofpmsg *, const void *data, size_t n);

/* Deletes every struct ofpmsg in LIST (linked by 'list_node'). */
void ofpmsg_list_delete(struct plx_list *);

/* ---- Framing. ---- */

struct ofpmsg_framer;

/* MAX_MSG 0 means OFP_MAX_MSG_LEN (65535), which is also the ceiling. */
struct ofpmsg_framer *ofpmsg_framer_create(size_t max_msg);
void ofpmsg_framer_destroy(struct ofpmsg_framer *);
/* Consumes all N bytes (ignored once the framer has failed). */
void ofpmsg_framer_feed(struct ofpmsg_framer *, const void *data, size_t n);
/* Returns 0 and the next whole message in '*msgp' (the caller owns it),
 * EAGAIN if none is complete yet, or EPROTO once every message before a
 * framing error has been taken ('*msgp' NULL in both cases). */
int ofpmsg_framer_next(struct ofpmsg_framer *, struct ofpmsg **msgp);
/* True if ofpmsg_framer_next() would return something other than
 * EAGAIN. */
bool ofpmsg_framer_has_output(const struct ofpmsg_framer *);
/* Bytes held of an incomplete message. */
size_t ofpmsg_framer_pending(const struct ofpmsg_framer *);
/* NULL, or why the framer failed. */
const char *ofpmsg_framer_get_error(const struct ofpmsg_framer *);

/* ---- Types. ---- */

enum ofptype {
    /* Immutable messages. */
    OFPTYPE_HELLO,
    OFPTYPE_ERROR,
    OFPTYPE_ECHO_REQUEST,
    OFPTYPE_ECHO_REPLY,

    /* Switch configuration. */
    OFPTYPE_FEATURES_REQUEST,
    OFPTYPE_FEATURES_REPLY,
    OFPTYPE_GET_CONFIG_REQUEST,
    OFPTYPE_GET_CONFIG_REPLY,
    OFPTYPE_SET_CONFIG,

    /* Asynchronous messages. */
    OFPTYPE_PACKET_IN,
    OFPTYPE_FLOW_REMOVED,
    OFPTYPE_PORT_STATUS,

    /* Controller command messages. */
    OFPTYPE_PACKET_OUT,
    OFPTYPE_FLOW_MOD,
    OFPTYPE_GROUP_MOD,
    OFPTYPE_PORT_MOD,
    OFPTYPE_TABLE_MOD,
    OFPTYPE_METER_MOD,

    /* Barrier, queues, roles, asynchronous configuration. */
    OFPTYPE_BARRIER_REQUEST,
    OFPTYPE_BARRIER_REPLY,
    OFPTYPE_QUEUE_GET_CONFIG_REQUEST,
    OFPTYPE_QUEUE_GET_CONFIG_REPLY,
    OFPTYPE_ROLE_REQUEST,
    OFPTYPE_ROLE_REPLY,
    OFPTYPE_GET_ASYNC_REQUEST,
    OFPTYPE_GET_ASYNC_REPLY,
    OFPTYPE_SET_ASYNC,

    /* Multipart (OpenFlow 1.0: statistics) requests and replies. */
    OFPTYPE_DESC_STATS_REQUEST,
    OFPTYPE_DESC_STATS_REPLY,
    OFPTYPE_FLOW_STATS_REQUEST,
    OFPTYPE_FLOW_STATS_REPLY,
    OFPTYPE_AGGREGATE_STATS_REQUEST,
    OFPTYPE_AGGREGATE_STATS_REPLY,
    OFPTYPE_TABLE_STATS_REQUEST,
    OFPTYPE_TABLE_STATS_REPLY,
    OFPTYPE_PORT_STATS_REQUEST,
    OFPTYPE_PORT_STATS_REPLY,
    OFPTYPE_QUEUE_STATS_REQUEST,
    OFPTYPE_QUEUE_STATS_REPLY,
    OFPTYPE_GROUP_STATS_REQUEST,
    OFPTYPE_GROUP_STATS_REPLY,
    OFPTYPE_GROUP_DESC_STATS_REQUEST,
    OFPTYPE_GROUP_DESC_STATS_REPLY,
    OFPTYPE_GROUP_FEATURES_STATS_REQUEST,
    OFPTYPE_GROUP_FEATURES_STATS_REPLY,
    OFPTYPE_METER_STATS_REQUEST,
    OFPTYPE_METER_STATS_REPLY,
    OFPTYPE_METER_CONFIG_STATS_REQUEST,
    OFPTYPE_METER_CONFIG_STATS_REPLY,
    OFPTYPE_METER_FEATURES_STATS_REQUEST,
    OFPTYPE_METER_FEATURES_STATS_REPLY,
    OFPTYPE_TABLE_FEATURES_STATS_REQUEST,
    OFPTYPE_TABLE_FEATURES_STATS_REPLY,
    OFPTYPE_PORT_DESC_STATS_REQUEST,
    OFPTYPE_PORT_DESC_STATS_REPLY,

    OFPTYPE_N
};

/* "OFPT_HELLO", "OFPST_PORT_DESC request", ...; never null. */
const char *ofptype_get_name(enum ofptype);
/* True if TYPE exists in wire VERSION. */
bool ofptype_exists(enum ofptype, uint8_t version);
bool ofptype_is_multipart(enum ofptype);
/* For a multipart request type, the reply type; otherwise OFPTYPE_N. */
enum ofptype ofptype_multipart_reply(enum ofptype);

/* Checks the LEN bytes at DATA, which must be exactly one whole message,
 * and stores its type in '*typep'.  Returns 0 or an ofperr (see above);
 * '*typep' is OFPTYPE_N on error. */
enum ofperr ofptype_decode(const void *data, size_t len,
                           enum ofptype *typep);
/* The same for a message whose header length field is trusted to be
 * the number of readable bytes. */
enum ofperr ofptype_decode_msg(const struct ofp_header *,
                               enum ofptype *typep);

/* Body of a message of type TYPE (after the multipart header for a
 * multipart message): validates OH as ofptype_decode_msg() does, checks
 * that it is a TYPE, and stores the body and its length. */
enum ofperr ofpmsg_get_body(const struct ofp_header *, enum ofptype type,
                            const void **bodyp, size_t *body_lenp);
/* The same, for messages whose body Open vSwitch requires to be a
 * multiple of 8 bytes (lists of 8-byte-aligned entries: GROUP_MOD,
 * METER_MOD and their multipart replies): OFPBRC_BAD_LEN otherwise. */
enum ofperr ofpmsg_get_body8(const struct ofp_header *, enum ofptype type,
                             const uint8_t **bodyp, size_t *body_lenp);
/* Multipart flags (OFPMPF_MORE) of a multipart message, else 0. */
uint16_t ofpmp_flags(const struct ofp_header *);
static inline bool
ofpmp_more(const struct ofp_header *oh)
{
    return (ofpmp_flags(oh) & OFPMPF_MORE) != 0;
}

/* Starts a message of TYPE in VERSION with transaction id XID: header
 * (and multipart header), room for EXTRA more bytes.  TYPE must exist in
 * VERSION. */
struct ofpmsg *ofpmsg_start(enum ofptype, uint8_t version, uint32_t xid,
                            size_t extra);
/* The same, with REQUEST's version and xid. */
struct ofpmsg *ofpmsg_start_reply(enum ofptype,
                                  const struct ofp_header *request,
                                  size_t extra);
/* Stores MSG's size in its header length.  The size must fit. */
void ofpmsg_finish(struct ofpmsg *);
/* A fresh transaction id (never 0). */
uint32_t ofpmsg_next_xid(void);

/* Multipart replies that may not fit in one message.  ofpmp_init()
 * starts REPLIES (a list of struct ofpmsg) with one empty reply of TYPE
 * to REQUEST; ofpmp_append() returns room for LEN more bytes, starting a
 * new message (and setting OFPMPF_MORE on the previous one) if the
 * current one would pass 65535 bytes.  Call ofpmsg_finish() on none of
 * them: ofpmp_append() keeps the lengths right. */
void ofpmp_init(struct plx_list *replies, enum ofptype type,
                const struct ofp_header *request);
void *ofpmp_append(struct plx_list *replies, size_t len);

/* ---- HELLO and version negotiation. ---- */

/* A HELLO offering ALLOWED_VERSIONS (a bitmap of OFP_VERSION_BIT()s,
 * nonempty): header version is the highest, with a version bitmap
 * element unless the versions are exactly 1..highest (as Open vSwitch
 * does, so that pre-1.3.1 peers see a plain HELLO). */
struct ofpmsg *ofputil_encode_hello(uint32_t allowed_versions);
/* Stores the versions a peer's HELLO offers: its bitmap element if it has
 * one, else every version from 1.0 up to its header version.  Unknown
 * elements are ignored.  Returns 0, or OFPBRC_BAD_LEN for a malformed
 * element (then '*versionsp' is as if there were no bitmap). */
enum ofperr ofputil_decode_hello(const struct ofp_header *,
                                 uint32_t *versionsp);
/* The highest version in both bitmaps, or 0 if none. */
uint8_t ofputil_negotiate_version(uint32_t ours, uint32_t theirs);
/* Highest version in a bitmap (0 if empty). */
uint8_t ofputil_version_bitmap_max(uint32_t versions);

/* ---- ERROR. ---- */

/* An error reply to the REQUEST_LEN bytes at REQUEST (a message, maybe
 * malformed), carrying at most its first 64 bytes, in VERSION with the
 * request's xid (0 if REQUEST_LEN < 8).  Errors without an encoding in
 * VERSION become NXBRC_UNENCODABLE_ERROR, as in Open vSwitch. */
struct ofpmsg *ofputil_encode_error_reply(enum ofperr, uint8_t version,
                                          const void *request,
                                          size_t request_len);
/* OFPET_HELLO_FAILED with ASCII text, as HELLO_FAILED errors carry. */
struct ofpmsg *ofputil_encode_hello_failed(enum ofperr, uint8_t version,
                                           uint32_t xid, const char *text);
/* Decodes an ERROR: the error (0 if Plexus does not know the type and
 * code, whose raw values are then in '*typep' and '*codep'), and the
 * data it carries.  TYPEP and CODEP may be NULL. */
enum ofperr ofputil_decode_error(const struct ofp_header *,
                                 enum ofperr *errorp,
                                 uint16_t *typep, uint16_t *codep,
                                 const void **datap, size_t *data_lenp);

/* ---- ECHO and BARRIER. ---- */

struct ofpmsg *ofputil_encode_echo_request(uint8_t version, uint32_t xid,
                                           const void *data, size_t n);
/* Echoes REQUEST's payload, version and xid. */
struct ofpmsg *ofputil_encode_echo_reply(const struct ofp_header *request);
/* Any message that is just a header: FEATURES_REQUEST, GET_CONFIG_REQUEST,
 * BARRIER_REQUEST/REPLY, GET_ASYNC_REQUEST. */
struct ofpmsg *ofputil_encode_header_only(enum ofptype, uint8_t version,
                                          uint32_t xid);

/* ---- Ports. ---- */

/* Port state: the union of both versions' bits (they do not overlap
 * except LINK_DOWN, which means the same in both). */
enum ofputil_port_state {
    OFPUTIL_PS_LINK_DOWN = OFPPS_LINK_DOWN,
    OFPUTIL_PS_BLOCKED = OFPPS11_BLOCKED,       /* 1.1+ */
    OFPUTIL_PS_LIVE = OFPPS11_LIVE,             /* 1.1+ */
    OFPUTIL_PS_STP_LISTEN = OFPPS10_STP_LISTEN, /* 1.0 only, 2-bit field */
    OFPUTIL_PS_STP_LEARN = OFPPS10_STP_LEARN,
    OFPUTIL_PS_STP_FORWARD = OFPPS10_STP_FORWARD,
    OFPUTIL_PS_STP_BLOCK = OFPPS10_STP_BLOCK,
    OFPUTIL_PS_STP_MASK = OFPPS10_STP_MASK,
};

struct ofputil_phy_port {
    uint32_t port_no;           /* Internal (32-bit) numbering. */
    struct eth_addr hw_addr;
    char name[OFP_MAX_PORT_NAME_LEN];   /* NUL-terminated. */
    uint32_t config;            /* OFPPC_* (1.0's bits are a superset). */
    uint32_t state;             /* OFPUTIL_PS_*. */
    uint32_t curr;              /* OFPPF_* in the 1.1 layout. */
    uint32_t advertised;
    uint32_t supported;
    uint32_t peer;
    uint32_t curr_speed;        /* kbps; OpenFlow 1.0: from 'curr'. */
    uint32_t max_speed;         /* kbps; OpenFlow 1.0: from 'supported'. */
};

/* Port features between the 1.0 and 1.1 layouts. */
uint32_t ofputil_port_features_from_ofp10(uint32_t);
uint32_t ofputil_port_features_to_ofp10(uint32_t);
/* The speed of the fastest speed bit in FEATURES (1.1 layout), in kbps, or
 * 0. */
uint32_t ofputil_port_features_to_kbps(uint32_t features);

/* Size of one port description on the wire in VERSION. */
size_t ofputil_phy_port_size(uint8_t version);
/* Appends PORT's description in VERSION.  A port number with no 1.0 form
 * is written as OFPP10_NONE. */
void ofputil_put_phy_port(struct ofpmsg *, uint8_t version,
                          const struct ofputil_phy_port *);
/* Decodes the ofputil_phy_port_size(VERSION) bytes at DATA. */
void ofputil_pull_phy_port(uint8_t version, const void *data,
                           struct ofputil_phy_port *);

/* PORT_STATUS. */
struct ofputil_port_status {
    uint8_t reason;             /* OFPPR_*. */
    struct ofputil_phy_port desc;
};
struct ofpmsg *ofputil_encode_port_status(const struct ofputil_port_status *,
                                          uint8_t version);
/* Reasons other than OFPPR_* are passed through, not rejected. */
enum ofperr ofputil_decode_port_status(const struct ofp_header *,
                                       struct ofputil_port_status *);

/* PORT_MOD. */
struct ofputil_port_mod {
    uint32_t port_no;
    struct eth_addr hw_addr;
    uint32_t config;            /* OFPPC_*, bits the version has. */
    uint32_t mask;              /* Which config bits to change. */
    uint32_t advertise;         /* OFPPF_* 1.1 layout; 0: no change. */
};
struct ofpmsg *ofputil_encode_port_mod(const struct ofputil_port_mod *,
                                       uint8_t version, uint32_t xid);
/* Config, mask and advertise bits the version does not have are
 * dropped, as in Open vSwitch; whether the port exists is the caller's
 * business (OFPPMFC_BAD_PORT). */
enum ofperr ofputil_decode_port_mod(const struct ofp_header *,
                                    struct ofputil_port_mod *);

/* ---- FEATURES. ---- */

enum ofputil_capabilities {
    OFPUTIL_C_FLOW_STATS = 1 << 0,
    OFPUTIL_C_TABLE_STATS = 1 << 1,
    OFPUTIL_C_PORT_STATS = 1 << 2,
    OFPUTIL_C_STP = 1 << 3,             /* 1.0 only. */
    OFPUTIL_C_GROUP_STATS = 1 << 4,     /* 1.1+ only. */
    OFPUTIL_C_IP_REASM = 1 << 5,
    OFPUTIL_C_QUEUE_STATS = 1 << 6,
    OFPUTIL_C_ARP_MATCH_IP = 1 << 7,    /* 1.0 only. */
    OFPUTIL_C_PORT_BLOCKED = 1 << 8,    /* 1.2+ only. */
};

struct ofputil_switch_features {
    uint64_t datapath_id;
    uint32_t n_buffers;
    uint8_t n_tables;
    uint8_t auxiliary_id;       /* 1.3 only. */
    uint32_t capabilities;      /* OFPUTIL_C_*. */
    uint32_t ofp10_actions;     /* 1.0 only: raw OFPAT10 bitmap. */
};

/* OpenFlow 1.0 carries the N_PORTS PORTS; 1.3 ignores them. */
struct ofpmsg *ofputil_encode_switch_features(
    const struct ofputil_switch_features *, const struct ofp_header *request,
    const struct ofputil_phy_port *ports, size_t n_ports);
/* For 1.0, '*portsp' is a malloc'd array of '*n_portsp' ports (NULL if
 * none) that the caller frees; PORTSP may be NULL to skip them. */
enum ofperr ofputil_decode_switch_features(const struct ofp_header *,
                                           struct ofputil_switch_features *,
                                           struct ofputil_phy_port **portsp,
                                           size_t *n_portsp);

/* ---- GET_CONFIG_REPLY, SET_CONFIG. ---- */

enum ofputil_frag_handling {
    OFPUTIL_FRAG_NORMAL = OFPC_FRAG_NORMAL,
    OFPUTIL_FRAG_DROP = OFPC_FRAG_DROP,
    OFPUTIL_FRAG_REASM = OFPC_FRAG_REASM,
    OFPUTIL_FRAG_NX_MATCH = OFPC_FRAG_NX_MATCH,     /* 1.0 only. */
};

struct ofputil_switch_config {
    enum ofputil_frag_handling frag;
    uint16_t miss_send_len;     /* OFPCML_NO_BUFFER: whole packets. */
};

struct ofpmsg *ofputil_encode_get_config_reply(
    const struct ofputil_switch_config *, const struct ofp_header *request);
struct ofpmsg *ofputil_encode_set_config(const struct ofputil_switch_config *,
                                         uint8_t version, uint32_t xid);
/* Fragment handling 3 in OpenFlow 1.3 is OFPSCFC_BAD_FLAGS; other
 * unknown flag bits are ignored, as in Open vSwitch. */
enum ofperr ofputil_decode_get_config_reply(const struct ofp_header *,
                                            struct ofputil_switch_config *);
enum ofperr ofputil_decode_set_config(const struct ofp_header *,
                                      struct ofputil_switch_config *);

/* ---- ROLE_REQUEST/REPLY (1.3). ---- */

struct ofputil_role_request {
    enum ofp12_controller_role role;
    bool have_generation_id;    /* False for NOCHANGE and EQUAL. */
    uint64_t generation_id;
};
struct ofpmsg *ofputil_encode_role_request(const struct ofputil_role_request *,
                                           uint8_t version, uint32_t xid);
/* RR is the role now in force and the current generation id. */
struct ofpmsg *ofputil_encode_role_reply(const struct ofputil_role_request *,
                                         const struct ofp_header *request);
/* A role above SLAVE is OFPRRFC_BAD_ROLE. */
enum ofperr ofputil_decode_role_message(const struct ofp_header *,
                                        struct ofputil_role_request *);

/* ---- GET_ASYNC_REPLY, SET_ASYNC (1.3). ---- */

/* [0]: master or equal role, [1]: slave role; bit N of a mask enables
 * messages with reason N. */
struct ofputil_async_cfg {
    uint32_t packet_in[2];
    uint32_t port_status[2];
    uint32_t flow_removed[2];
};
/* OpenFlow 1.3's defaults (section 6.1.1 / 7.3.10). */
void ofputil_async_cfg_default(struct ofputil_async_cfg *);
struct ofpmsg *ofputil_encode_set_async(const struct ofputil_async_cfg *,
                                        uint8_t version, uint32_t xid);
struct ofpmsg *ofputil_encode_get_async_reply(const struct ofputil_async_cfg *,
                                              const struct ofp_header *req);
/* Decodes either SET_ASYNC or GET_ASYNC_REPLY. */
enum ofperr ofputil_decode_async_cfg(const struct ofp_header *,
                                     struct ofputil_async_cfg *);

/* ---- Multipart: generic requests. ---- */

/* A multipart request of TYPE with an empty body (desc, table, port_desc,
 * group_desc, group_features, meter_features, table_features). */
struct ofpmsg *ofputil_encode_multipart_request(enum ofptype,
                                                uint8_t version,
                                                uint32_t xid);

/* ---- Multipart: desc. ---- */

struct ofputil_desc_stats {
    char mfr_desc[DESC_STR_LEN];        /* All NUL-terminated (so at most */
    char hw_desc[DESC_STR_LEN];         /* 255 or 31 characters). */
    char sw_desc[DESC_STR_LEN];
    char serial_num[SERIAL_NUM_LEN];
    char dp_desc[DESC_STR_LEN];
};
struct ofpmsg *ofputil_encode_desc_stats_reply(
    const struct ofputil_desc_stats *, const struct ofp_header *request);
enum ofperr ofputil_decode_desc_stats_reply(const struct ofp_header *,
                                            struct ofputil_desc_stats *);

/* ---- Multipart: port stats. ---- */

struct ofpmsg *ofputil_encode_port_stats_request(uint8_t version,
                                                 uint32_t xid,
                                                 uint32_t port_no);
/* '*port_nop' is MF_OFPP_ANY for "all ports" in either version. */
enum ofperr ofputil_decode_port_stats_request(const struct ofp_header *,
                                              uint32_t *port_nop);

struct ofputil_port_stats {
    uint32_t port_no;
    uint64_t rx_packets, tx_packets;
    uint64_t rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped;
    uint64_t rx_errors, tx_errors;
    uint64_t rx_frame_errors, rx_over_errors, rx_crc_errors;
    uint64_t collisions;
    uint32_t duration_sec;      /* UINT32_MAX: unknown (1.0). */
    uint32_t duration_nsec;
};
/* Appends replies to REQUEST carrying the N STATS to REPLIES (a list of
 * struct ofpmsg, as ofpmp_init() makes). */
void ofputil_encode_port_stats_reply(struct plx_list *replies,
                                     const struct ofp_header *request,
                                     const struct ofputil_port_stats *,
                                     size_t n);
/* '*statsp' is a malloc'd array of '*np' (NULL if 0); caller frees. */
enum ofperr ofputil_decode_port_stats_reply(const struct ofp_header *,
                                            struct ofputil_port_stats **,
                                            size_t *np);

/* ---- Multipart: table stats. ---- */

struct ofputil_table_stats {
    uint8_t table_id;
    char name[OFP_MAX_TABLE_NAME_LEN];  /* 1.0 only; NUL-terminated. */
    uint32_t wildcards;                 /* 1.0 only. */
    uint32_t max_entries;               /* 1.0 only. */
    uint32_t active_count;
    uint64_t lookup_count;
    uint64_t matched_count;
};
void ofputil_encode_table_stats_reply(struct plx_list *replies,
                                      const struct ofp_header *request,
                                      const struct ofputil_table_stats *,
                                      size_t n);
enum ofperr ofputil_decode_table_stats_reply(const struct ofp_header *,
                                             struct ofputil_table_stats **,
                                             size_t *np);

/* ---- Multipart: port descriptions. ---- */

/* OpenFlow 1.3's OFPMP_PORT_DESC; also OpenFlow 1.0 stats type 13, the
 * Open vSwitch extension that ovs-ofctl uses. */
void ofputil_encode_port_desc_reply(struct plx_list *replies,
                                    const struct ofp_header *request,
                                    const struct ofputil_phy_port *,
                                    size_t n);
enum ofperr ofputil_decode_port_desc_reply(const struct ofp_header *,
                                           struct ofputil_phy_port **,
                                           size_t *np);

#endif /* ofp-msgs.h */
