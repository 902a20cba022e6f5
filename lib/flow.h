/*
 * flow: the flow key, every header field a packet can be matched on.
 *
 * struct flow is the expanded key: one member per match field of the
 * OpenFlow 1.3 specification (§7.2.3.7), plus what the datapath and
 * Nicira extensions add (tunnel metadata, registers, recirculation id,
 * conntrack state/zone/mark/label and the original tuple).  All
 * multi-byte header fields are in network byte order; metadata is in host
 * order.
 *
 * Layout is part of the design, not an accident:
 *
 *   - The struct is a whole number of 64-bit words and has no holes the
 *     compiler chooses (every padding byte is named and kept zero), so a
 *     flow or a mask can be hashed, compared and masked a word at a time,
 *     and compressed into a miniflow (lib/miniflow.h) that stores only the
 *     nonzero words.
 *
 *   - Fields are grouped by layer, in the order a lookup should consider
 *     them: metadata, then L2, then L3, then L4.  The FLOW_SEGMENT_*
 *     boundaries between groups are word-aligned; the classifier's staged
 *     lookup checks a subtable one segment at a time and stops at the
 *     first mismatch, so that a miss reports (through the wildcards) only
 *     the layers it actually looked at.
 *
 * Some fields have more than one meaning, as in Open vSwitch:
 *   - ARP:   nw_proto = opcode (low 8 bits), nw_src/nw_dst = SPA/TPA,
 *            arp_sha/arp_tha = SHA/THA.
 *   - ND:    nd_target = target, arp_sha = source link-layer address,
 *            arp_tha = target link-layer address.
 *   - ICMP and ICMPv6: tp_src = type, tp_dst = code (in network order,
 *            value in the low byte).
 *   - A later IPv6 fragment: nw_proto = IPPROTO_FRAGMENT, since its
 *            transport header is in the first fragment (as in Open
 *            vSwitch; a later IPv4 fragment keeps ip_proto).
 *   - nw_tos holds the whole IPv4 TOS / IPv6 traffic class byte: DSCP in
 *     the top 6 bits, ECN in the low 2.
 */
#ifndef PLX_FLOW_H
#define PLX_FLOW_H 1

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "util.h"

#define FLOW_N_REGS 16
#define FLOW_MAX_VLAN_HEADERS 2
#define FLOW_MAX_MPLS_LABELS 4

/* Tunnel metadata: the outer headers of a packet that arrived through a
 * tunnel port, or the headers to build for one leaving through it. */
struct flow_tnl {
    plx_be64 tun_id;
    plx_be32 ip_src;
    plx_be32 ip_dst;
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;
    uint16_t flags;             /* FLOW_TNL_F_*. */
    uint8_t ip_tos;
    uint8_t ip_ttl;
    plx_be16 tp_src;
    plx_be16 tp_dst;
};

#define FLOW_TNL_F_DONT_FRAGMENT (1 << 0)
#define FLOW_TNL_F_CSUM (1 << 1)
#define FLOW_TNL_F_KEY (1 << 2)
#define FLOW_TNL_F_OAM (1 << 3)

/* One 802.1Q or 802.1ad header.  A zero 'qtag' means "no VLAN header";
 * a present header always has VLAN_CFI set in 'tci', even for VID 0, so
 * that "priority tagged" and "untagged" differ. */
union flow_vlan_hdr {
    plx_be32 qtag;
    struct {
        plx_be16 tpid;
        plx_be16 tci;
    };
};

/* nw_frag bits. */
#define FLOW_NW_FRAG_ANY   (1 << 0)  /* Some fragment (first or later). */
#define FLOW_NW_FRAG_LATER (1 << 1)  /* A fragment other than the first. */
#define FLOW_NW_FRAG_MASK  (FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER)

/* ct_state bits, as in Open vSwitch (and its OpenFlow ct_state field). */
#define CS_NEW         (1 << 0)
#define CS_ESTABLISHED (1 << 1)
#define CS_RELATED     (1 << 2)
#define CS_REPLY_DIR   (1 << 3)
#define CS_INVALID     (1 << 4)
#define CS_TRACKED     (1 << 5)
#define CS_SRC_NAT     (1 << 6)
#define CS_DST_NAT     (1 << 7)

struct flow {
    /* Metadata (segment 0). */
    struct flow_tnl tunnel;
    plx_be64 metadata;                  /* OpenFlow metadata field. */
    uint32_t regs[FLOW_N_REGS];         /* Nicira registers. */
    uint32_t skb_priority;
    uint32_t pkt_mark;
    uint32_t dp_hash;
    uint32_t in_port;                   /* Input port number. */
    uint32_t recirc_id;                 /* 0 for a packet from a port. */
    uint16_t ct_state;                  /* CS_*. */
    uint16_t ct_zone;
    uint32_t ct_mark;
    uint8_t ct_nw_proto;                /* Conntrack original tuple... */
    uint8_t pad1[3];
    plx_u128 ct_label;
    plx_be32 ct_nw_src;
    plx_be32 ct_nw_dst;
    struct in6_addr ct_ipv6_src;
    struct in6_addr ct_ipv6_dst;
    plx_be16 ct_tp_src;
    plx_be16 ct_tp_dst;                 /* ...ends here. */
    uint8_t pad2[4];

    /* L2 (segment 1). */
    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    plx_be16 dl_type;                   /* Innermost EtherType. */
    uint8_t pad3[2];
    union flow_vlan_hdr vlans[FLOW_MAX_VLAN_HEADERS];   /* Outermost first. */
    plx_be32 mpls_lse[FLOW_MAX_MPLS_LABELS];            /* Outermost first. */

    /* L3 (segment 2). */
    plx_be32 nw_src;                    /* IPv4 source, or ARP SPA. */
    plx_be32 nw_dst;                    /* IPv4 destination, or ARP TPA. */
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;
    plx_be32 ipv6_label;                /* Flow label, low 20 bits. */
    uint8_t nw_frag;                    /* FLOW_NW_FRAG_*. */
    uint8_t nw_tos;                     /* DSCP and ECN. */
    uint8_t nw_ttl;                     /* TTL or hop limit. */
    uint8_t nw_proto;                   /* IP protocol, or ARP opcode. */
    struct in6_addr nd_target;
    struct eth_addr arp_sha;            /* ARP SHA, or ND SLL. */
    struct eth_addr arp_tha;            /* ARP THA, or ND TLL. */
    uint8_t pad4[4];

    /* L4 (segment 3). */
    plx_be16 tp_src;                    /* Port, or ICMP type. */
    plx_be16 tp_dst;                    /* Port, or ICMP code. */
    plx_be16 tcp_flags;                 /* TCP flags, low 12 bits. */
    uint8_t pad5[2];
};

#define FLOW_U64S (sizeof(struct flow) / sizeof(uint64_t))
#define FLOW_U64_OFFSET(FIELD) (offsetof(struct flow, FIELD) / 8)

/* Segment boundaries, in bytes; see the comment at the top. */
#define FLOW_SEGMENT_1_STARTS_AT offsetof(struct flow, dl_dst)
#define FLOW_SEGMENT_2_STARTS_AT offsetof(struct flow, nw_src)
#define FLOW_SEGMENT_3_STARTS_AT offsetof(struct flow, tp_src)
#define FLOW_N_SEGMENTS 4

BUILD_ASSERT_DECL(sizeof(struct flow_tnl) % 8 == 0);
BUILD_ASSERT_DECL(sizeof(struct flow) % 8 == 0);
BUILD_ASSERT_DECL(FLOW_SEGMENT_1_STARTS_AT % 8 == 0);
BUILD_ASSERT_DECL(FLOW_SEGMENT_2_STARTS_AT % 8 == 0);
BUILD_ASSERT_DECL(FLOW_SEGMENT_3_STARTS_AT % 8 == 0);
/* Changing the layout changes hashes, miniflow maps and every cache:
 * update this when (and only when) a field is added on purpose. */
BUILD_ASSERT_DECL(sizeof(struct flow) == 352);

/* The flow viewed as 64-bit words, for hashing and masking. */
static inline const uint64_t *
flow_u64_const(const struct flow *flow)
{
    return (const uint64_t *) (const void *) flow;
}

static inline uint64_t *
flow_u64(struct flow *flow)
{
    return (uint64_t *) (void *) flow;
}

/* A mask over struct flow: a 1-bit means "the match cares about this
 * bit".  Kept as a whole struct flow so that masks and keys line up word
 * for word. */
struct flow_wildcards {
    struct flow masks;
};

/* ------------------------------------------------------------------ */
/* Flow functions (lib/flow.c, lib/flow-compose.c). */

struct dp_packet;
struct ds;

/* Extracts the flow key of PACKET into FLOW: PACKET's metadata, then
 * every header field the packet carries, and sets PACKET's l2_5/l3/l4
 * offsets.  Fields the packet does not carry are zero.  Never reads
 * outside the packet.  What a truncated or malformed packet yields is
 * what Open vSwitch's flow_extract() yields, field for field (checked
 * against ovs-ofctl by tests/interop/test_parse_pcap.py):
 *   - shorter than 14 bytes: metadata only;
 *   - VLAN: up to FLOW_MAX_VLAN_HEADERS tags (802.1Q or 802.1ad) with
 *     VLAN_CFI set in 'tci'; a third tag, or a tag cut short, becomes
 *     dl_type and parsing stops;
 *   - 802.3 frames: the SNAP EtherType if there is one, else dl_type =
 *     FLOW_DL_TYPE_NONE;
 *   - MPLS: up to FLOW_MAX_MPLS_LABELS entries, nothing after them;
 *   - IPv4: no L3 fields at all unless 20 <= IHL*4 <= ip_tot_len <= bytes
 *     present (so a truncated capture has none; the version field is not
 *     checked); Ethernet padding beyond ip_tot_len is ignored; no L4 for
 *     later fragments;
 *   - IPv6: no L3 fields at all unless the 40-byte header is complete and
 *     payload length <= bytes present (version not checked; padding
 *     ignored).  Hop-by-hop, routing, destination options, AH and
 *     fragment headers are walked; nw_proto is the header that ends the
 *     walk (the transport, ESP, no-next-header...).  A later fragment has
 *     nw_proto = IPPROTO_FRAGMENT (44) and no L4; an atomic fragment
 *     (offset, M and reserved bits zero) is not a fragment.  An extension
 *     header cut short leaves only the addresses and the flow label;
 *   - TCP needs a complete header with a sane data offset, UDP 8 bytes,
 *     SCTP 12, ICMP and ICMPv6 8 (else their fields read as 0; IGMP has
 *     no L4 fields here); ND needs its 16-byte target, an option of
 *     length zero or running past the end ends the option walk (keeping
 *     what came before), and a second SLL or TLL clears nd_target,
 *     arp_sha and arp_tha.
 * PACKET's data must be 2-byte aligned (see dp-packet.h). */
void flow_extract(struct dp_packet *packet, struct flow *flow);

/* Replaces PACKET's contents by a well-formed packet (checksums and
 * lengths right) that flow_extract() maps back to FLOW, as far as FLOW
 * is self-consistent, and sets PACKET's metadata from FLOW's. */
void flow_compose(struct dp_packet *packet, const struct flow *flow);

/* Human-readable text: metadata that is set, in_port, L2, then only the
 * fields that FLOW's protocols carry, e.g. "in_port=1,dl_src=...,
 * dl_dst=...,dl_type=0x0800,nw_src=10.0.0.1,...,tp_dst=80". */
void flow_format(struct ds *, const struct flow *);
char *flow_to_string(const struct flow *);

uint32_t flow_hash(const struct flow *, uint32_t basis);
bool flow_equal(const struct flow *, const struct flow *);

/* Wildcards: catchall matches everything; exact matches every field
 * (not padding; tcp_flags' low 12 bits). */
void flow_wildcards_init_catchall(struct flow_wildcards *);
void flow_wildcards_init_exact(struct flow_wildcards *);
void flow_wildcards_init_for_packet(struct flow_wildcards *,
                                    const struct flow *);
bool flow_wildcards_is_catchall(const struct flow_wildcards *);
bool flow_wildcards_equal(const struct flow_wildcards *,
                          const struct flow_wildcards *);
/* Zeroes every bit of FLOW that WC wildcards. */
void flow_zero_wildcards(struct flow *, const struct flow_wildcards *);

#endif /* flow.h */
