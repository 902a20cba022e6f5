/*
 * ofp-actions: OpenFlow 1.0 actions and OpenFlow 1.3 actions and
 * instructions, in one internal form, with per-version wire codecs, the
 * ovs-ofctl text syntax, and the consistency checks a switch applies
 * before accepting a flow (as Open vSwitch's lib/ofp-actions).
 *
 * Internal form.  An action list ("ofpacts") is a byte sequence of
 * actions, each a struct ofpa header (type, length) followed by its
 * type's fields, every action padded with zeros to a multiple of
 * OFPA_ALIGNTO (8) bytes, so that lists are position-independent and
 * compared with memcmp().  OpenFlow 1.3 instructions are actions too:
 * "apply_actions" is simply the plain actions of the list, and METER,
 * CLEAR_ACTIONS, WRITE_ACTIONS (a nested list), WRITE_METADATA and
 * GOTO_TABLE are entries of their own.  A valid list keeps them in the
 * order of the OpenFlow 1.3 pipeline: meter, the apply actions,
 * clear_actions, write_actions, write_metadata, goto_table, each
 * instruction at most once (ofpacts_verify()).  An empty list drops.
 *
 * One internal form, several origins.  OpenFlow 1.0's set actions
 * (mod_vlan_vid, mod_dl_src, mod_nw_tos, mod_tp_dst, ...) keep types of
 * their own, since their semantics differ (mod_vlan_vid pushes a tag if
 * there is none); OpenFlow 1.3's set_field is OFPA_SET_FIELD with any
 * writable field of lib/meta-flow.h.  Encoding converts between them
 * where the other version can express the action (mod_tp_dst becomes
 * set_field tcp_dst, udp_dst or sctp_dst according to the flow's
 * nw_proto, which ofpacts_check() records), and fails with an
 * OpenFlow error where it cannot.  Decoding is faithful, so formatting a
 * decoded list prints what ovs-ofctl prints for the same wire bytes.
 *
 * Nicira extensions.  Open vSwitch's vendor actions (type 0xffff,
 * vendor 0x00002320, a subtype) look the same in OpenFlow 1.0 and 1.3;
 * their codec and text live in ofp-actions-nx.c.  Plexus implements
 * "sample" (NXAST_SAMPLE 29, NXAST_SAMPLE2 38, NXAST_SAMPLE3 41, the
 * numbers ovs-ofctl uses), decoding all three forms and encoding the
 * oldest that can carry the action, as Open vSwitch does.  Like Open
 * vSwitch, it has no place in an OpenFlow 1.3 action set, so
 * write_actions refuses it (ofpa_is_allowed_in_action_set()).
 *
 * Connection tracking (ofp-actions-ct.c): "ct(...)" (NXAST_CT 35) with a
 * nested list that may hold only set_field/load of ct_mark and ct_label
 * and "nat(...)" (NXAST_NAT 36), and "ct_clear" (NXAST_CT_CLEAR 43).  As
 * in Open vSwitch, nat exists only inside ct, and ct_mark/ct_label may be
 * set only there (text, decoders and ofpacts_verify() refuse them
 * elsewhere with OFPBAC_BAD_SET_ARGUMENT); ct and ct_clear may sit in an
 * action set, where only one of group, output, ct_clear, ct (that
 * priority) runs.  Inside ct, a set_field that did not set a whole field
 * in OpenFlow 1.3, or any set_field in OpenFlow 1.0, goes on the wire as
 * NXAST_REG_LOAD and comes back as a set_field with 'load' set, printed
 * "load:...", exactly as ovs-ofctl does.
 *
 * Ports are 32-bit (OpenFlow 1.1+ numbering): OpenFlow 1.0's reserved
 * ports 0xfff8..0xfffe are MF_OFPP_IN_PORT..MF_OFPP_LOCAL of
 * lib/meta-flow.h.
 *
 * Names.  ofproto/ofpact.h still holds a minimal older version of this
 * module, so every name here is distinct from its names: the internal
 * form uses the ofpa_/OFPA_ prefix, a growable list is a struct
 * ofpa_buf, and whole-list operations are ofpacts_*() with names that
 * ofpact.h does not use.
 *
 * Errors.  Wire decoding and checks return an enum ofperr (0 for
 * success) exactly as Open vSwitch reports it; text parsing returns a
 * malloc'd message.  Nothing here asserts on outside input.
 */
#ifndef PLX_OFP_ACTIONS_H
#define PLX_OFP_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "meta-flow.h"
#include "ofp-errors.h"
#include "types.h"
#include "util.h"

struct ds;
struct match;

/* OpenFlow wire versions understood here. */
#define OFPA_OF10 0x01
#define OFPA_OF13 0x04

enum ofpa_type {
    /* Output and queues. */
    OFPA_OUTPUT,                /* struct ofpa_output. */
    OFPA_GROUP,                 /* struct ofpa_group. */
    OFPA_ENQUEUE,               /* struct ofpa_enqueue (OpenFlow 1.0). */
    OFPA_SET_QUEUE,             /* struct ofpa_queue. */
    OFPA_SAMPLE,                /* struct ofpa_sample (Nicira extension). */

    /* Connection tracking (Nicira extensions, ofp-actions-ct.c). */
    OFPA_CT,                    /* struct ofpa_conntrack. */
    OFPA_CT_CLEAR,              /* struct ofpa. */
    OFPA_NAT,                   /* struct ofpa_nat, only inside OFPA_CT. */

    /* Tags. */
    OFPA_PUSH_VLAN,             /* struct ofpa_ethertype. */
    OFPA_POP_VLAN,              /* struct ofpa (OpenFlow 1.3 pop_vlan). */
    OFPA_STRIP_VLAN,            /* struct ofpa (OpenFlow 1.0 strip_vlan). */
    OFPA_PUSH_MPLS,             /* struct ofpa_ethertype. */
    OFPA_POP_MPLS,              /* struct ofpa_ethertype. */

    /* TTLs. */
    OFPA_SET_MPLS_TTL,          /* struct ofpa_ttl. */
    OFPA_DEC_MPLS_TTL,          /* struct ofpa. */
    OFPA_SET_NW_TTL,            /* struct ofpa_ttl. */
    OFPA_DEC_NW_TTL,            /* struct ofpa. */
    OFPA_COPY_TTL_OUT,          /* struct ofpa. */
    OFPA_COPY_TTL_IN,           /* struct ofpa. */

    /* Setting fields. */
    OFPA_SET_FIELD,             /* struct ofpa_set_field. */
    OFPA_SET_VLAN_VID,          /* struct ofpa_vlan_vid. */
    OFPA_SET_VLAN_PCP,          /* struct ofpa_vlan_pcp. */
    OFPA_SET_ETH_SRC,           /* struct ofpa_mac. */
    OFPA_SET_ETH_DST,           /* struct ofpa_mac. */
    OFPA_SET_IPV4_SRC,          /* struct ofpa_ipv4. */
    OFPA_SET_IPV4_DST,          /* struct ofpa_ipv4. */
    OFPA_SET_IP_DSCP,           /* struct ofpa_dscp. */
    OFPA_SET_L4_SRC_PORT,       /* struct ofpa_l4_port. */
    OFPA_SET_L4_DST_PORT,       /* struct ofpa_l4_port. */

    /* Instructions, in the order they must appear. */
    OFPA_METER,                 /* struct ofpa_meter. */
    OFPA_CLEAR_ACTIONS,         /* struct ofpa. */
    OFPA_WRITE_ACTIONS,         /* struct ofpa_nest. */
    OFPA_WRITE_METADATA,        /* struct ofpa_metadata. */
    OFPA_GOTO_TABLE,            /* struct ofpa_goto_table. */

    OFPA_N_TYPES
};

#define OFPA_ALIGNTO 8
#define OFPA_ALIGN(LEN) ROUND_UP((size_t) (LEN), OFPA_ALIGNTO)

/* Header of every action. */
struct ofpa {
    uint16_t type;              /* OFPA_*. */
    uint16_t len;               /* Header and fields, before padding. */
};

struct ofpa_output {
    struct ofpa ofpa;
    uint32_t port;              /* OpenFlow port or MF_OFPP_*. */
    uint16_t max_len;           /* For CONTROLLER: bytes to send. */
};

struct ofpa_group {
    struct ofpa ofpa;
    uint32_t group_id;
};

struct ofpa_enqueue {
    struct ofpa ofpa;
    uint32_t port;              /* Port, MF_OFPP_IN_PORT or _LOCAL. */
    uint32_t queue_id;
};

struct ofpa_queue {
    struct ofpa ofpa;
    uint32_t queue_id;
};

/* Nicira extension "sample": sends a sample of the packets to the IPFIX
 * collector set COLLECTOR_SET_ID, tagged with the observation domain and
 * point ids (as Open vSwitch's NXAST_SAMPLE, NXAST_SAMPLE2 and
 * NXAST_SAMPLE3). */
enum ofpa_sample_direction {
    OFPA_SAMPLE_DEFAULT,        /* The bridge's exporter decides. */
    OFPA_SAMPLE_INGRESS,        /* Sampled on ingress. */
    OFPA_SAMPLE_EGRESS,         /* Sampled on egress. */
};

/* 'sampling_port' when the action names none (OpenFlow 1.0's OFPP_NONE,
 * 0xffff on the wire). */
#define OFPA_SAMPLE_NO_PORT MF_OFPP_ANY

struct ofpa_sample {
    struct ofpa ofpa;
    uint16_t probability;       /* Packets sampled out of UINT16_MAX. */
    uint32_t collector_set_id;
    uint32_t obs_domain_id;
    uint32_t obs_point_id;
    uint32_t sampling_port;     /* OpenFlow port, or OFPA_SAMPLE_NO_PORT. */
    uint8_t direction;          /* enum ofpa_sample_direction. */
};

struct ofpa_ethertype {
    struct ofpa ofpa;
    plx_be16 ethertype;
};

struct ofpa_ttl {
    struct ofpa ofpa;
    uint8_t ttl;
};

struct ofpa_set_field {
    struct ofpa ofpa;
    uint16_t field;             /* enum mf_field_id. */
    uint8_t load;               /* Came as (or was written as) Nicira's
                                 * "load" (NXAST_REG_LOAD): encoded and
                                 * printed that way, as Open vSwitch does.
                                 * Only ct()'s exec list makes these. */
    uint8_t pad;
    union mf_value value;       /* Wire form, see meta-flow.h. */
    union mf_value mask;        /* All-ones for an unmasked set. */
};

struct ofpa_vlan_vid {
    struct ofpa ofpa;
    uint16_t vid;               /* 0..4095. */
    bool push_if_needed;        /* OpenFlow 1.0: tag an untagged packet. */
    bool flow_has_vlan;         /* Set by ofpacts_check(). */
};

struct ofpa_vlan_pcp {
    struct ofpa ofpa;
    uint8_t pcp;                /* 0..7. */
    bool push_if_needed;
    bool flow_has_vlan;         /* Set by ofpacts_check(). */
};

struct ofpa_mac {
    struct ofpa ofpa;
    struct eth_addr mac;
};

struct ofpa_ipv4 {
    struct ofpa ofpa;
    plx_be32 ipv4;
};

struct ofpa_dscp {
    struct ofpa ofpa;
    uint8_t dscp;               /* DSCP in place: ToS byte, ECN bits 0. */
};

struct ofpa_l4_port {
    struct ofpa ofpa;
    uint16_t port;              /* Host order. */
    uint8_t flow_ip_proto;      /* Set by ofpacts_check(); 0 unknown. */
};

struct ofpa_meter {
    struct ofpa ofpa;
    uint32_t meter_id;
};

/* Connection tracking: "ct(...)" (NXAST_CT), "ct_clear" (NXAST_CT_CLEAR,
 * a bare struct ofpa) and "nat(...)" (NXAST_NAT), as Open vSwitch.
 *
 * OFPA_CT sends the packet through the connection tracker in zone
 * 'zone_imm', or in the zone read from bits zone_ofs..zone_ofs+15 of field
 * 'zone_src' (then not OFPA_CT_ZONE_IMM), commits it if 'flags' has
 * OFPA_CT_F_COMMIT (OFPA_CT_F_FORCE: first ends a connection that started
 * in the other direction), and, if 'recirc_table' is not
 * OFPA_CT_NO_RECIRC, continues processing a clone of the packet, with
 * ct_state & co. filled in, in that table; the original packet carries on
 * with the actions after ct() untouched.  'alg' is the helper port (21
 * ftp, 69 tftp, 0 none).  'flags' keeps unknown wire bits, which Open
 * vSwitch ignores but re-encodes.
 *
 * The nested actions follow (8-byte aligned, like write_actions' struct
 * ofpa_nest): only OFPA_SET_FIELD of MFF_CT_MARK or MFF_CT_LABEL (applied
 * to the connection when it is committed; they need OFPA_CT_F_COMMIT) and
 * OFPA_NAT.  A bare "nat" (flags 0) applies the translation an existing
 * connection already has; it is the only nested action allowed without
 * commit.  ofpacts_verify() enforces all of this. */
#define OFPA_CT_F_COMMIT 0x0001
#define OFPA_CT_F_FORCE 0x0002
#define OFPA_CT_NO_RECIRC 0xff
#define OFPA_CT_ZONE_IMM MFF_N_IDS      /* 'zone_src' of an immediate zone. */
#define OFPA_CT_ALG_FTP 21
#define OFPA_CT_ALG_TFTP 69

struct ofpa_conntrack {
    struct ofpa ofpa;
    uint16_t flags;             /* OFPA_CT_F_* (and unknown wire bits). */
    uint16_t zone_imm;          /* Zone, if zone_src == OFPA_CT_ZONE_IMM. */
    uint16_t zone_src;          /* enum mf_field_id or OFPA_CT_ZONE_IMM. */
    uint8_t zone_ofs;           /* First bit of zone_src (its NXM width). */
    uint8_t zone_nbits;         /* Always 16 for a field zone. */
    uint8_t recirc_table;       /* Table, or OFPA_CT_NO_RECIRC. */
    uint8_t pad;
    uint16_t alg;               /* OFPA_CT_ALG_* or another port, 0 none. */
    /* struct ofpa actions[]; */
};
BUILD_ASSERT_DECL(sizeof(struct ofpa_conntrack) % OFPA_ALIGNTO == 0);

/* OFPA_NAT flags.  They have the values (and meaning) of the datapath's
 * enum ct_nat_flags (datapath/conntrack.h, CT_NAT_*), so that xlate can
 * pass them straight through; lib/ must not include datapath headers, so
 * they are repeated here and a BUILD_ASSERT in the xlate code should tie
 * them together.  The wire (NX_NAT_F_*) numbers differ and are converted
 * by the codec.  OFPA_NAT_RANGE_ADDR and OFPA_NAT_RANGE_PORT are derived:
 * set exactly when an address (range_af != OFPA_NAT_AF_NONE) or a port
 * (proto_min != 0) is given. */
enum ofpa_nat_flags {
    OFPA_NAT_SRC = 1 << 0,      /* nat(src...). */
    OFPA_NAT_DST = 1 << 1,      /* nat(dst...). */
    OFPA_NAT_RANGE_ADDR = 1 << 2,
    OFPA_NAT_RANGE_PORT = 1 << 3,
    OFPA_NAT_PERSISTENT = 1 << 4,
    OFPA_NAT_HASH = 1 << 5,     /* "hash": port picked by a tuple hash. */
    OFPA_NAT_RANDOM = 1 << 6,   /* "random": port picked at random. */
};

enum ofpa_nat_af {
    OFPA_NAT_AF_NONE,           /* No address range. */
    OFPA_NAT_AF_IPV4,           /* ipv4_min..ipv4_max. */
    OFPA_NAT_AF_IPV6,           /* ipv6_min..ipv6_max. */
};

/* Ranges are inclusive; a zero max (0.0.0.0, ::, port 0) means "the same
 * as min".  min is never zero when its range is present. */
struct ofpa_nat {
    struct ofpa ofpa;
    uint16_t flags;             /* OFPA_NAT_*. */
    uint8_t range_af;           /* enum ofpa_nat_af. */
    uint8_t pad;
    plx_be32 ipv4_min;
    plx_be32 ipv4_max;
    struct in6_addr ipv6_min;
    struct in6_addr ipv6_max;
    uint16_t proto_min;         /* L4 port range, host order; 0 none. */
    uint16_t proto_max;
};

/* WRITE_ACTIONS: the nested list follows, 8-byte aligned. */
struct ofpa_nest {
    struct ofpa ofpa;
    uint8_t pad[4];
    /* struct ofpa actions[]; */
};
BUILD_ASSERT_DECL(sizeof(struct ofpa_nest) == OFPA_ALIGNTO);

struct ofpa_metadata {
    struct ofpa ofpa;
    uint8_t pad[4];
    plx_be64 metadata;
    plx_be64 mask;
};

struct ofpa_goto_table {
    struct ofpa ofpa;
    uint8_t table_id;
};

/* Walking a list. */
static inline const struct ofpa *
ofpa_next(const struct ofpa *a)
{
    return (const void *) ((const uint8_t *) a + OFPA_ALIGN(a->len));
}

static inline const struct ofpa *
ofpa_end(const void *ofpacts, size_t size)
{
    return size ? (const void *) ((const uint8_t *) ofpacts + size)
                : ofpacts;
}

#define OFPA_FOR_EACH(POS, OFPACTS, SIZE)                               \
    for ((POS) = (const void *) (OFPACTS);                              \
         (POS) < ofpa_end(OFPACTS, SIZE);                               \
         (POS) = ofpa_next(POS))

/* The nested list of a WRITE_ACTIONS. */
static inline const struct ofpa *
ofpa_nest_actions(const struct ofpa_nest *n)
{
    return (const void *) (n + 1);
}

static inline size_t
ofpa_nest_size(const struct ofpa_nest *n)
{
    return n->ofpa.len - sizeof *n;
}

/* The nested list of a ct(): set_fields of ct_mark/ct_label and nat. */
static inline const struct ofpa *
ofpa_conntrack_actions(const struct ofpa_conntrack *c)
{
    return (const void *) (c + 1);
}

static inline size_t
ofpa_conntrack_actions_size(const struct ofpa_conntrack *c)
{
    return c->ofpa.len - sizeof *c;
}

/* The first nat() of ct() C, or NULL (a valid ct() has at most one that
 * xlate needs: the datapath applies one translation per pass). */
const struct ofpa_nat *ofpa_conntrack_nat(const struct ofpa_conntrack *c);

/* Casts, e.g. OFPA_CAST(ofpa_output, a). */
#define OFPA_CAST(STRUCT, A) ((const struct STRUCT *) (const void *) (A))

const char *ofpa_type_name(enum ofpa_type);
bool ofpa_is_instruction(enum ofpa_type);
/* True if an OpenFlow 1.3 action set (write_actions) may hold an action
 * of TYPE: not instructions, and not Nicira extensions such as sample,
 * whose place in the action set's order OpenFlow does not define (Open
 * vSwitch rejects them there too). */
bool ofpa_is_allowed_in_action_set(enum ofpa_type);

/* A growable list under construction, or a finished one. */
struct ofpa_buf {
    void *data;
    size_t size;
    size_t allocated;
};

#define OFPA_BUF_INITIALIZER { NULL, 0, 0 }

void ofpa_buf_init(struct ofpa_buf *);
void ofpa_buf_uninit(struct ofpa_buf *);
void ofpa_buf_clear(struct ofpa_buf *);
void ofpa_buf_truncate(struct ofpa_buf *, size_t size);
/* Appends N zero bytes and returns them. */
void *ofpa_buf_put_zeros(struct ofpa_buf *, size_t n);

/* Appends a zeroed action of TYPE with LEN bytes (header included) and
 * returns it, for the caller to fill in.  Pointers into the buffer are
 * invalidated by the next append. */
void *ofpa_put(struct ofpa_buf *, enum ofpa_type, size_t len);
void ofpa_put_output(struct ofpa_buf *, uint32_t port, uint16_t max_len);
/* Starts a WRITE_ACTIONS; append its actions, then close it with
 * ofpa_nest_end() given the offset ofpa_nest_start() returned. */
size_t ofpa_nest_start(struct ofpa_buf *);
void ofpa_nest_end(struct ofpa_buf *, size_t start_ofs);

bool ofpacts_same(const void *a, size_t a_size,
                  const void *b, size_t b_size);

/* Wire codecs.  Decoders append to OUT and, on error, restore it to its
 * size on entry.  'ofpacts_decode_actions' reads a plain action list
 * (OpenFlow 1.0 flow_mod/packet_out, or the nested list of an OpenFlow
 * 1.3 instruction, bucket or packet_out); 'ofpacts_decode_instructions'
 * reads an OpenFlow 1.3 instruction list.  Both leave OUT in canonical
 * instruction order and verified. */
enum ofperr ofpacts_decode_actions(const void *, size_t, int ofp_version,
                                   struct ofpa_buf *out);
enum ofperr ofpacts_decode_instructions(const void *, size_t,
                                        int ofp_version,
                                        struct ofpa_buf *out);
/* Encoders append wire bytes to OUT (a plain byte buffer here).  They
 * fail, leaving OUT unchanged, with OFPBAC_BAD_TYPE (or
 * OFPBIC_UNSUP_INST for an instruction) if OFP_VERSION cannot express an
 * action, e.g. group in OpenFlow 1.0 or a masked set_field, and with
 * OFPBAC_MATCH_INCONSISTENT for an OpenFlow 1.0 mod_tp_* whose protocol
 * ofpacts_check() could not determine. */
enum ofperr ofpacts_encode_actions(const void *, size_t, int ofp_version,
                                   struct ofpa_buf *out);
enum ofperr ofpacts_encode_instructions(const void *, size_t,
                                        int ofp_version,
                                        struct ofpa_buf *out);

/* Checks that the list is well-ordered (see the top): returns 0 or
 * OFPBIC_DUP_INST / OFPBAC_UNSUPPORTED_ORDER, or OFPBIC_UNSUP_INST /
 * OFPBAC_BAD_TYPE for an action that write_actions may not hold (see
 * ofpa_is_allowed_in_action_set()). */
enum ofperr ofpacts_verify(const void *, size_t);

/* Checks actions against the flow MATCH they belong to, as Open vSwitch
 * does before accepting a flow: output ports below MAX_PORTS or
 * reserved (OFPBAC_BAD_OUT_PORT), set_field and OpenFlow 1.1+ actions
 * whose prerequisites the match (as modified by earlier push/pop
 * actions) does not meet (OFPBAC_MATCH_INCONSISTENT; OpenFlow 1.0's own
 * set actions are tolerated when OFP_VERSION is OFPA_OF10, where they
 * do nothing to packets they do not fit), goto_table to a table not
 * after TABLE_ID or not below N_TABLES (OFPBIC_BAD_TABLE_ID), and
 * meter ids (OFPMMFC_INVALID_METER).  Records in the actions what the
 * encoders need from the match (L4 protocol, VLAN presence). */
enum ofperr ofpacts_check(void *ofpacts, size_t size,
                          const struct match *, uint32_t max_ports,
                          uint8_t table_id, uint8_t n_tables,
                          int ofp_version);

/* The OpenFlow 1.3 action set.  SET is an action list (the actions of
 * every write_actions so far, in write order).  Appends to OUT the
 * actions to execute, in the order of the 1.3 spec (section 5.10): copy
 * TTL in, pop, push MPLS, push PBB, push VLAN, copy TTL out, decrement
 * TTL, set, qos, then one "final" action: group, else output, else
 * ct_clear, else ct (Open vSwitch's priority); at most one action of each
 * type (one set_field per field), the last written winning. */
void ofpacts_action_set_order(const void *set, size_t size,
                              struct ofpa_buf *out);

/* Text: the ovs-ofctl action syntax.  ofpacts_text_parse() appends the
 * actions in S to OUT and returns NULL, or a malloc'd error message (OUT
 * then restored).  ofpacts_text_format() writes what ovs-ofctl's
 * dump-flows prints for the same actions; the parser reads it back. */
char *ofpacts_text_parse(const char *s, struct ofpa_buf *out)
    PLX_WARN_UNUSED_RESULT;
void ofpacts_text_format(const void *, size_t, struct ds *);
char *ofpacts_text(const void *, size_t);

/* Nicira extension actions (ofp-actions-nx.c), for ofp-actions.c and
 * ofp-actions-text.c only.
 *
 * ofpacts_nx_decode() decodes the vendor action of LEN bytes at P (type
 * 0xffff; LEN a multiple of 8, as the caller checked) of OFP_VERSION,
 * appending it to OUT: OFPBAC_BAD_VENDOR (OpenFlow 1.3: BAD_EXPERIMENTER)
 * for a vendor other than Nicira, OFPBAC_BAD_VENDOR_TYPE (BAD_EXP_TYPE)
 * for a subtype Plexus does not implement, OFPBAC_BAD_LEN, or
 * OFPBAC_BAD_ARGUMENT for a zero probability or an unknown direction.
 * ofpacts_nx_encode() appends the wire form of A, a Nicira extension
 * action, to OUT.
 *
 * ofpa_sample_parse() parses the argument of "sample(...)" (ARG, which it
 * modifies, may be NULL) and appends the action to OUT, or returns a
 * malloc'd error; ofpa_sample_format() prints it as ovs-ofctl does. */
enum ofperr ofpacts_nx_decode(const uint8_t *p, size_t len,
                              int ofp_version, struct ofpa_buf *out);
enum ofperr ofpacts_nx_encode(const struct ofpa *, struct ofpa_buf *out);
char *ofpa_sample_parse(char *arg, struct ofpa_buf *out)
    PLX_WARN_UNUSED_RESULT;
void ofpa_sample_format(const struct ofpa_sample *, struct ds *);

/* Connection tracking actions (ofp-actions-ct.c), for ofp-actions.c,
 * ofp-actions-nx.c and ofp-actions-text.c only.
 *
 * ofpacts_ct_decode() decodes Nicira subtype SUBTYPE (NXAST_CT 35,
 * NXAST_NAT 36, NXAST_CT_CLEAR 43) of LEN bytes at P; the nested actions
 * of a ct() are read in OFP_VERSION.  Errors as Open vSwitch:
 * OFPBAC_BAD_LEN, OFPBAC_BAD_ARGUMENT (bad flags or ranges, a nested
 * action other than set_field/load of ct_mark or ct_label and nat, or
 * such actions without commit), OFPBAC_BAD_SET_TYPE / _SET_LEN /
 * _SET_ARGUMENT (bad zone field or load), and OFPBAC_BAD_SET_ARGUMENT for
 * nat outside ct.  ofpacts_ct_encode() appends the wire form of A (one of
 * the three types) for OFP_VERSION.
 *
 * ofpa_ct_parse() parses the argument of "ct(...)" (ARG, modified, may be
 * NULL); ofpa_ct_format() prints any of the three types as ovs-ofctl does;
 * ofpa_load_format() prints a set_field whose 'load' is set.
 *
 * ofpa_ct_verify() checks what ofpacts_verify() must for A, which is at
 * the top level of a list (NESTED false) or in write_actions (true).
 * ofpa_ct_check() checks A (one of the three types) against match M as
 * ofpacts_check() does.  ofpa_sets_ct_field() is true for a set_field of
 * ct_mark or ct_label, which only ct()'s exec may hold. */
enum ofperr ofpacts_ct_decode(uint16_t subtype, const uint8_t *p,
                              size_t len, int ofp_version,
                              struct ofpa_buf *out);
enum ofperr ofpacts_ct_encode(const struct ofpa *, int ofp_version,
                              struct ofpa_buf *out);
char *ofpa_ct_parse(char *arg, struct ofpa_buf *out) PLX_WARN_UNUSED_RESULT;
void ofpa_ct_format(const struct ofpa *, struct ds *);
void ofpa_load_format(const struct ofpa_set_field *, struct ds *);
enum ofperr ofpa_ct_verify(const struct ofpa *);
enum ofperr ofpa_ct_check(const struct ofpa *, const struct match *m);
bool ofpa_sets_ct_field(const struct ofpa *);

/* The set_field codec (ofp-actions.c, ofp-actions-text.c), for those files
 * and ofp-actions-ct.c only, so that ct()'s exec, which holds set_fields
 * of ct_mark and ct_label, and the top level read and write set_field the
 * same way.  IN_CT says which of the two places: ct_mark and ct_label may
 * stand only inside ct(), and only they there.
 *
 * ofpa_set_field_decode() decodes the OpenFlow 1.3 set_field action of LEN
 * bytes at P (LEN >= 8, a multiple of 8, as the caller checked) into an
 * exact OFPA_SET_FIELD appended to OUT.  Errors as Open vSwitch:
 * OFPBAC_BAD_SET_LEN (padding or value length), OFPBAC_BAD_SET_TYPE (an
 * experimenter, unknown or read-only field), OFPBAC_BAD_SET_ARGUMENT (a
 * bad value; a mask, and ct_mark or ct_label, at the top level; a mask in
 * ct() is OFPBAC_BAD_SET_LEN), OFPBAC_BAD_ARGUMENT (another field in
 * ct()).  ofpa_set_field_encode() appends the OpenFlow 1.3 set_field that
 * sets all of field ID to VALUE, or returns OFPBAC_BAD_TYPE if ID has no
 * OXM form.
 *
 * ofpa_set_field_parse() parses "VALUE[/MASK]->FIELD" (ARG, which it
 * modifies, may be NULL) and appends the action to OUT, or returns a
 * malloc'd error. */
enum ofperr ofpa_set_field_decode(const uint8_t *p, size_t len, bool in_ct,
                                  struct ofpa_buf *out);
enum ofperr ofpa_set_field_encode(enum mf_field_id id,
                                  const union mf_value *value,
                                  struct ofpa_buf *out);
char *ofpa_set_field_parse(char *arg, bool in_ct, struct ofpa_buf *out)
    PLX_WARN_UNUSED_RESULT;

#endif /* ofp-actions.h */
