/*
 * meta-flow: the table of match fields.
 *
 * Every field a match, a set_field action or an OXM/NXM encoding can
 * name is one entry of mf_fields[], indexed by enum mf_field_id.  An
 * entry says:
 *
 *   - its names: the one ovs-ofctl prints ("nw_src") and the aliases it
 *     accepts ("ip_src", "ipv4_src");
 *   - its OpenFlow identity: the OXM (OpenFlow 1.2+, class 0x8000) and/or
 *     NXM (Nicira, classes 0x0000/0x0001) header, and its width;
 *   - where it lives in struct flow: a member (offset and size, in host
 *     or network byte order) and, for fields that are bit ranges of a
 *     member (VLAN VID/PCP, DSCP/ECN, the MPLS label/TC/BoS, the IPv6 flow
 *     label, TCP flags...), which bits of that member and how far they
 *     are shifted;
 *   - whether it can be masked, what must already be matched for it to
 *     make sense (its prerequisites), and how its value is written as
 *     text.
 *
 * Values.  A field's value (union mf_value) is always its OpenFlow wire
 * form: 'n_bytes' bytes in network byte order, with the value in the low
 * 'n_bits' bits (so "ip_dscp" is 0..63 in one byte, "vlan_vid" is 13 bits
 * in a be16 with 0x1000 meaning "a VLAN header is present", as OFPVID_PRESENT
 * in OpenFlow 1.3).  Masks have the same form.  The accessors convert
 * between this form and struct flow's (host order for metadata such as
 * registers, network order for header fields).
 *
 * Several fields may share storage: "tp_src", "tcp_src", "udp_src",
 * "sctp_src" and "icmp_type" are all flow.tp_src; "dl_vlan", "vlan_vid" and
 * "vlan_tci" overlap in the VLAN TCI; "nw_tos" and "ip_dscp" are two views
 * of the same six bits.  Which one a match "really" uses is decided by its
 * prerequisites (dl_type, nw_proto), as in Open vSwitch.
 *
 * The VLAN fields that name a VLAN ID or priority without a presence bit
 * (OpenFlow 1.0's dl_vlan and dl_vlan_pcp, and OpenFlow 1.3's vlan_pcp)
 * imply "a VLAN header is present": setting them also matches the CFI bit
 * (VLAN_CFI, 0x1000) of the TCI, which flow.h keeps set in every present
 * header.
 *
 * Inner headers.  As ovs-ofctl prints them, "vlan_tci1", "dl_vlan1" and
 * "dl_vlan_pcp1" are the second VLAN header (the customer tag of 802.1ad
 * QinQ) and "mpls_lse1".."mpls_lse3" the second to fourth MPLS label
 * stack entries, whole.  They have no OXM or NXM header (Open vSwitch
 * gives them none either, and its ovs-ofctl prints but does not read
 * them); Plexus reads them back, so that parse-pcap output round-trips.
 * An inner VLAN field needs the outer VLAN header to be matched present.
 *
 * Unsupported fields.  IN_PHY_PORT, PBB_ISID and IPV6_EXTHDR are in the
 * table (so that an OXM decoder can name them) but struct flow has no
 * storage for them: 'supported' is false, mf_parse() and mf_set() refuse
 * them, and an OpenFlow decoder should answer OFPBMC_BAD_FIELD.
 */
#ifndef PLX_META_FLOW_H
#define PLX_META_FLOW_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "flow.h"
#include "types.h"

struct ds;
struct match;

enum mf_field_id {
    /* Metadata. */
    MFF_DP_HASH,
    MFF_RECIRC_ID,
    MFF_TUN_ID,
    MFF_TUN_SRC,
    MFF_TUN_DST,
    MFF_TUN_IPV6_SRC,
    MFF_TUN_IPV6_DST,
    MFF_TUN_FLAGS,
    MFF_TUN_TTL,
    MFF_TUN_TOS,
    MFF_METADATA,
    MFF_IN_PORT,
    MFF_IN_PHY_PORT,            /* Unsupported. */
    MFF_SKB_PRIORITY,
    MFF_PKT_MARK,
    MFF_CT_STATE,
    MFF_CT_ZONE,
    MFF_CT_MARK,
    MFF_CT_LABEL,
    MFF_CT_NW_PROTO,
    MFF_CT_NW_SRC,
    MFF_CT_NW_DST,
    MFF_CT_IPV6_SRC,
    MFF_CT_IPV6_DST,
    MFF_CT_TP_SRC,
    MFF_CT_TP_DST,
    MFF_REG0,
    MFF_REG1,
    MFF_REG2,
    MFF_REG3,
    MFF_REG4,
    MFF_REG5,
    MFF_REG6,
    MFF_REG7,
    MFF_REG8,
    MFF_REG9,
    MFF_REG10,
    MFF_REG11,
    MFF_REG12,
    MFF_REG13,
    MFF_REG14,
    MFF_REG15,

    /* Ethernet and VLAN. */
    MFF_ETH_SRC,
    MFF_ETH_DST,
    MFF_ETH_TYPE,
    MFF_VLAN_TCI,
    MFF_DL_VLAN,                /* OpenFlow 1.0 VLAN ID. */
    MFF_VLAN_VID,               /* OpenFlow 1.2+ VLAN ID + OFPVID_PRESENT. */
    MFF_DL_VLAN_PCP,            /* OpenFlow 1.0 VLAN priority. */
    MFF_VLAN_PCP,               /* OpenFlow 1.2+ VLAN priority. */
    MFF_VLAN_TCI1,              /* Second (inner) VLAN header's TCI. */
    MFF_DL_VLAN1,               /* Its VLAN ID. */
    MFF_DL_VLAN_PCP1,           /* Its priority. */
    MFF_PBB_ISID,               /* Unsupported. */

    /* MPLS: the outermost label stack entry's parts, then the whole of
     * each inner entry. */
    MFF_MPLS_LABEL,
    MFF_MPLS_TC,
    MFF_MPLS_BOS,
    MFF_MPLS_TTL,
    MFF_MPLS_LSE1,
    MFF_MPLS_LSE2,
    MFF_MPLS_LSE3,

    /* IPv4, IPv6 and what they share. */
    MFF_IPV4_SRC,
    MFF_IPV4_DST,
    MFF_IPV6_SRC,
    MFF_IPV6_DST,
    MFF_IPV6_LABEL,
    MFF_IPV6_EXTHDR,            /* Unsupported. */
    MFF_IP_PROTO,
    MFF_IP_DSCP,                /* "nw_tos": DSCP in place (ECN bits 0). */
    MFF_IP_DSCP_SHIFTED,        /* "ip_dscp": DSCP shifted right 2. */
    MFF_IP_ECN,
    MFF_IP_TTL,
    MFF_IP_FRAG,

    /* ARP. */
    MFF_ARP_OP,
    MFF_ARP_SPA,
    MFF_ARP_TPA,
    MFF_ARP_SHA,
    MFF_ARP_THA,

    /* L4. */
    MFF_TP_SRC,                 /* TCP, UDP or SCTP source port. */
    MFF_TP_DST,                 /* TCP, UDP or SCTP destination port. */
    MFF_TCP_SRC,
    MFF_TCP_DST,
    MFF_TCP_FLAGS,
    MFF_UDP_SRC,
    MFF_UDP_DST,
    MFF_SCTP_SRC,
    MFF_SCTP_DST,
    MFF_ICMPV4_TYPE,
    MFF_ICMPV4_CODE,
    MFF_ICMPV6_TYPE,
    MFF_ICMPV6_CODE,
    MFF_ND_TARGET,
    MFF_ND_SLL,
    MFF_ND_TLL,

    MFF_N_IDS
};

/* What must be matched for a field to apply.  See mf_are_prereqs_ok(). */
enum mf_prereqs {
    MFP_NONE,
    MFP_ETHERNET,               /* Always true: every packet is Ethernet. */
    MFP_ARP,                    /* dl_type is ARP or RARP. */
    MFP_VLAN_VID,               /* A VLAN header is present. */
    MFP_INNER_VLAN,             /* Same test, for the inner VLAN fields. */
    MFP_IPV4,
    MFP_IPV6,
    MFP_IP_ANY,                 /* IPv4 or IPv6. */
    MFP_MPLS,                   /* MPLS unicast or multicast. */
    MFP_CT,                     /* A valid conntrack entry (see below). */
    MFP_TCP,                    /* IPv4 or IPv6, nw_proto TCP. */
    MFP_UDP,
    MFP_SCTP,
    MFP_TP_ANY,                 /* TCP, UDP or SCTP. */
    MFP_ICMPV4,
    MFP_ICMPV6,
    MFP_ND,                     /* ICMPv6 type 135 or 136, code 0. */
    MFP_ND_SOLICIT,             /* ICMPv6 type 135, code 0. */
    MFP_ND_ADVERT,              /* ICMPv6 type 136, code 0. */
};

enum mf_maskable {
    MFM_NONE,                   /* Exact match or wildcard only. */
    MFM_FULLY,                  /* Any bitwise mask. */
};

/* How a value is written as text. */
enum mf_string {
    MFS_DECIMAL,
    MFS_HEXADECIMAL,
    MFS_ETHERNET,
    MFS_IPV4,
    MFS_IPV6,
    MFS_OFP_PORT,               /* Port number or name (LOCAL, ...). */
    MFS_FRAG,                   /* no, yes, first, later, not_later. */
    MFS_TNL_FLAGS,              /* oam: the one flag OpenFlow sees. */
    MFS_TCP_FLAGS,              /* fin, syn, rst, ... */
    MFS_CT_STATE,               /* new, est, rel, rpl, inv, trk, ... */
};

/* OXM/NXM header: class (16 bits), field (7), has-mask (1), length (8). */
#define MF_HEADER(CLASS, FIELD, LENGTH) \
    (((uint32_t) (CLASS) << 16) | ((uint32_t) (FIELD) << 9) | (LENGTH))
#define MF_HEADER_CLASS(H) ((H) >> 16)
#define MF_HEADER_FIELD(H) (((H) >> 9) & 0x7f)
#define MF_HEADER_HASMASK(H) (((H) >> 8) & 1)
#define MF_HEADER_LENGTH(H) ((H) & 0xff)

#define OXM_CLASS_NXM0 0x0000       /* NXM_OF_*. */
#define OXM_CLASS_NXM1 0x0001       /* NXM_NX_*. */
#define OXM_CLASS_OPENFLOW_BASIC 0x8000

/* Where a field lives in struct flow. */
struct mf_storage {
    uint16_t ofs;               /* Byte offset of the member. */
    uint8_t size;               /* Member size: 1, 2, 4, 8, 6 or 16. */
    bool host_order;            /* Member is in host byte order. */
    uint32_t bits;              /* Integer members: bits used (in the
                                 * member's host-order value); 0 = all. */
    uint8_t shift;              /* Value = (member & bits) >> shift. */
    uint32_t implied;           /* Bits set in key and mask whenever the
                                 * field is matched (the VLAN CFI bit). */
};

struct mf_field {
    enum mf_field_id id;
    const char *name;           /* ovs-ofctl's name, as printed. */
    const char *aliases[3];     /* Other accepted names, NULL-padded. */
    unsigned int n_bytes;       /* Width of the value. */
    unsigned int n_bits;        /* Significant low bits of the value. */
    enum mf_maskable maskable;
    enum mf_string string;
    enum mf_prereqs prereqs;
    bool writable;              /* May a set_field action write it? */
    bool supported;             /* False: no storage in struct flow. */
    uint32_t oxm_header;        /* OpenFlow 1.2+ header, 0 if none. */
    uint32_t nxm_header;        /* Nicira header, 0 if none. */
    struct mf_storage storage;
};

/* A field's value or mask in wire form (see the comment at the top). */
union mf_value {
    uint8_t u8;
    plx_be16 be16;
    plx_be32 be32;
    plx_be64 be64;
    struct eth_addr mac;
    struct in6_addr ipv6;
    plx_be128 be128;
    uint8_t bytes[16];
};

extern const struct mf_field mf_fields[MFF_N_IDS];

static inline const struct mf_field *
mf_from_id(enum mf_field_id id)
{
    return &mf_fields[id];
}

const struct mf_field *mf_from_name(const char *name);
const struct mf_field *mf_from_name_len(const char *name, size_t len);
/* Looks up an OXM or NXM header; the has-mask bit and length are
 * ignored.  Returns NULL for unknown headers. */
const struct mf_field *mf_from_oxm_header(uint32_t header);

/* Value checks. */
bool mf_is_value_valid(const struct mf_field *, const union mf_value *);
bool mf_is_mask_valid(const struct mf_field *, const union mf_value *);
bool mf_is_all_wild(const struct mf_field *, const struct flow_wildcards *);
bool mf_is_exact(const struct mf_field *, const struct flow_wildcards *);

/* Reading and writing a flow or a match. */
void mf_get_value(const struct mf_field *, const struct flow *,
                  union mf_value *);
void mf_get_mask(const struct mf_field *, const struct flow_wildcards *,
                 union mf_value *);
void mf_set_flow_value(const struct mf_field *, const union mf_value *,
                       struct flow *);
void mf_set_value(const struct mf_field *, const union mf_value *,
                  struct match *);
/* Sets FIELD in MATCH to VALUE under MASK (MASK NULL means exact; an
 * all-zero MASK wildcards the field).  Keeps the match normalized.  The
 * caller checks values, masks and prerequisites first (mf_parse() and
 * mf_is_*_valid() do). */
void mf_set(const struct mf_field *, const union mf_value *value,
            const union mf_value *mask, struct match *);
void mf_set_wild(const struct mf_field *, struct match *);
/* ORs into WC every bit of struct flow that FIELD can touch (not counting
 * implied bits), whatever its mask. */
void mf_storage_mask(const struct mf_field *, struct flow_wildcards *);

/* Prerequisites, checked against a flow (a packet's, or a normalized
 * match's key: wildcarded fields are zero there, so they fail). */
bool mf_are_prereqs_ok(const struct mf_field *, const struct flow *);
/* Same for a match: also looks at its masks (for conntrack, "-inv" must
 * be matched, not just absent). */
bool mf_are_match_prereqs_ok(const struct mf_field *, const struct match *);
const char *mf_prereqs_to_string(enum mf_prereqs);

/* Text.  mf_parse() reads "VALUE", "VALUE/MASK" (CIDR "/N" for
 * addresses) or "*" into VALUE and MASK; it returns NULL or a malloc'd
 * error message.  mf_format() writes the value (and mask, if not exact;
 * MASK may be NULL) the way ovs-ofctl does, so that mf_parse() reads it
 * back to the same value and mask. */
char *mf_parse(const struct mf_field *, const char *string,
               union mf_value *value, union mf_value *mask)
    PLX_WARN_UNUSED_RESULT;
char *mf_parse_value(const struct mf_field *, const char *string,
                     union mf_value *value) PLX_WARN_UNUSED_RESULT;
void mf_format(const struct mf_field *, const union mf_value *value,
               const union mf_value *mask, struct ds *);

/* OpenFlow port numbers as held in flow.in_port: 32-bit OpenFlow 1.1+
 * numbering.  OpenFlow 1.0's reserved ports 0xff00..0xffff correspond
 * to 0xffffff00..0xffffffff. */
#define MF_OFPP_MAX        0xffffff00u
#define MF_OFPP_IN_PORT    0xfffffff8u
#define MF_OFPP_TABLE      0xfffffff9u
#define MF_OFPP_NORMAL     0xfffffffau
#define MF_OFPP_FLOOD      0xfffffffbu
#define MF_OFPP_ALL        0xfffffffcu
#define MF_OFPP_CONTROLLER 0xfffffffdu
#define MF_OFPP_LOCAL      0xfffffffeu
#define MF_OFPP_ANY        0xffffffffu

/* Parses a port name or number as ovs-ofctl does; returns false if
 * STRING is neither.  Formats reserved ports by name. */
bool mf_port_from_string(const char *string, uint32_t *port);
void mf_format_port(uint32_t port, struct ds *);

/* Flag names for tcp_flags, ct_state and tun_flags (NULL for an unnamed
 * bit), by bit of the field's value: for tun_flags, bit 0 is "oam"
 * (FLOW_TNL_F_OAM in struct flow). */
const char *mf_tcp_flag_to_string(uint32_t bit);
const char *mf_ct_state_to_string(uint32_t bit);
const char *mf_tnl_flag_to_string(uint32_t bit);

/* Writes FLAGS as "name|name" ("0" if none), or, when MASK is not
 * MAX_MASK, as "+name-name" over the bits of MASK.  Shared by mf_format()
 * and match_format(). */
void mf_format_flags_masked(struct ds *,
                            const char *(*bit_to_string)(uint32_t),
                            uint32_t flags, uint32_t mask, uint32_t max_mask);

#endif /* meta-flow.h */
