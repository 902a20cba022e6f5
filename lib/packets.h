/*
 * packets: wire formats of the protocols Plexus parses and builds, and
 * helpers for the addresses they carry.
 *
 * Every header struct here mirrors its wire layout byte for byte (sizes
 * are checked with BUILD_ASSERT_DECL), with all multi-byte fields in
 * network byte order.
 *
 * Alignment invariant: a header may be cast from packet memory only at
 * a 2-byte-aligned address.  Ethernet puts the L3 header at offset 14,
 * so 32-bit fields (IPv4 addresses, TCP sequence numbers, MPLS label
 * stack entries) and IPv6 addresses may be only 2-byte aligned.  Such
 * fields therefore have the types plx_16aligned_be32 and union
 * plx_16aligned_in6, whose alignment is 2, and are read and written
 * only with get_16aligned_*() / put_16aligned_*(), which go through
 * memcpy() and never let the compiler assume 4-byte alignment.  Every
 * struct here has alignment at most 2.  struct dp_packet keeps its data
 * 2-byte aligned, so a parser that steps through headers of even length
 * from dp_packet_data() stays within the invariant.
 *
 * Text helpers (ETH_ADDR_FMT, IP_FMT, the *_parse*() functions) use the
 * forms ovs-ofctl uses, so that match and flow text round-trips with
 * Open vSwitch tools.  Parsers of user text return NULL on success or a
 * malloc'd error message that the caller frees.
 */
#ifndef PLX_PACKETS_H
#define PLX_PACKETS_H 1

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "types.h"
#include "util.h"

struct ds;

/* ------------------------------------------------------------------ */
/* 2-byte-aligned wide fields. */

/* A 32-bit network-order value that may be only 2-byte aligned. */
typedef struct {
    plx_be16 hi, lo;
} plx_16aligned_be32;

/* An IPv6 address that may be only 2-byte aligned. */
union plx_16aligned_in6 {
    plx_be16 be16[8];
    uint8_t u8[16];
};

static inline plx_be32
get_16aligned_be32(const plx_16aligned_be32 *x)
{
    plx_be32 v;
    memcpy(&v, x, sizeof v);
    return v;
}

static inline void
put_16aligned_be32(plx_16aligned_be32 *x, plx_be32 v)
{
    memcpy(x, &v, sizeof v);
}

static inline struct in6_addr
get_16aligned_in6(const union plx_16aligned_in6 *x)
{
    struct in6_addr a;
    memcpy(&a, x, sizeof a);
    return a;
}

static inline void
put_16aligned_in6(union plx_16aligned_in6 *x, const struct in6_addr *a)
{
    memcpy(x, a, sizeof *x);
}

/* Unaligned loads from raw bytes, for code that has no struct at hand. */
static inline plx_be16
get_unaligned_be16(const void *p)
{
    plx_be16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline plx_be32
get_unaligned_be32(const void *p)
{
    plx_be32 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ------------------------------------------------------------------ */
/* Ethernet. */

#define ETH_ADDR_LEN 6
#define ETH_HEADER_LEN 14
#define ETH_PAYLOAD_MIN 46
#define ETH_PAYLOAD_MAX 1500
#define ETH_TOTAL_MIN (ETH_HEADER_LEN + ETH_PAYLOAD_MIN)
#define ETH_TOTAL_MAX (ETH_HEADER_LEN + ETH_PAYLOAD_MAX)
#define ETH_VLAN_TOTAL_MAX (ETH_HEADER_LEN + VLAN_HEADER_LEN \
                            + ETH_PAYLOAD_MAX)

#define ETH_TYPE_IP            0x0800
#define ETH_TYPE_ARP           0x0806
#define ETH_TYPE_TEB           0x6558   /* Transparent Ethernet bridging. */
#define ETH_TYPE_RARP          0x8035
#define ETH_TYPE_VLAN_8021Q    0x8100
#define ETH_TYPE_VLAN          ETH_TYPE_VLAN_8021Q
#define ETH_TYPE_IPV6          0x86dd
#define ETH_TYPE_LACP          0x8809
#define ETH_TYPE_MPLS          0x8847
#define ETH_TYPE_MPLS_MCAST    0x8848
#define ETH_TYPE_VLAN_8021AD   0x88a8
#define ETH_TYPE_LLDP          0x88cc
#define ETH_TYPE_NSH           0x894f

/* EtherType values below this are 802.3 lengths, not types. */
#define ETH_TYPE_MIN           0x0600

/* The dl_type that flow extraction reports for an 802.3 frame without
 * a SNAP header that carries an EtherType (as Open vSwitch's
 * FLOW_DL_TYPE_NONE). */
#define FLOW_DL_TYPE_NONE      0x05ff

static inline bool
eth_type_mpls(plx_be16 eth_type)
{
    return eth_type == htons(ETH_TYPE_MPLS)
           || eth_type == htons(ETH_TYPE_MPLS_MCAST);
}

static inline bool
eth_type_vlan(plx_be16 eth_type)
{
    return eth_type == htons(ETH_TYPE_VLAN_8021Q)
           || eth_type == htons(ETH_TYPE_VLAN_8021AD);
}

static inline bool
dl_type_is_ip_any(plx_be16 dl_type)
{
    return dl_type == htons(ETH_TYPE_IP) || dl_type == htons(ETH_TYPE_IPV6);
}

struct eth_header {
    struct eth_addr eth_dst;
    struct eth_addr eth_src;
    plx_be16 eth_type;
};
BUILD_ASSERT_DECL(sizeof(struct eth_header) == ETH_HEADER_LEN);

/* 802.2 LLC followed by a SNAP header, for 802.3 frames. */
#define LLC_DSAP_SNAP 0xaa
#define LLC_SSAP_SNAP 0xaa
#define LLC_CNTL_SNAP 3
#define LLC_HEADER_LEN 3
#define SNAP_HEADER_LEN 5
#define LLC_SNAP_HEADER_LEN (LLC_HEADER_LEN + SNAP_HEADER_LEN)
struct llc_snap_header {
    uint8_t llc_dsap;
    uint8_t llc_ssap;
    uint8_t llc_cntl;
    uint8_t snap_org[3];
    uint8_t snap_type[2];       /* Big-endian; at an odd offset. */
};
BUILD_ASSERT_DECL(sizeof(struct llc_snap_header) == LLC_SNAP_HEADER_LEN);

static const struct eth_addr eth_addr_broadcast PLX_UNUSED
    = { { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } } };
static const struct eth_addr eth_addr_exact PLX_UNUSED
    = { { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } } };
static const struct eth_addr eth_addr_zero PLX_UNUSED
    = { { { 0, 0, 0, 0, 0, 0 } } };
/* 01:80:c2:00:00:0x, the 802.1D reserved range (STP, LACP, LLDP...). */
static const struct eth_addr eth_addr_stp PLX_UNUSED
    = { { { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 } } };

#define ETH_ADDR_FMT \
    "%02"PRIx8":%02"PRIx8":%02"PRIx8":%02"PRIx8":%02"PRIx8":%02"PRIx8
#define ETH_ADDR_ARGS(EA) ETH_ADDR_BYTES_ARGS((EA).ea)
#define ETH_ADDR_BYTES_ARGS(EAB) \
    (EAB)[0], (EAB)[1], (EAB)[2], (EAB)[3], (EAB)[4], (EAB)[5]
/* For sscanf(): pass ETH_ADDR_SCAN_ARGS(ea) with a struct eth_addr. */
#define ETH_ADDR_SCAN_FMT "%"SCNx8":%"SCNx8":%"SCNx8":%"SCNx8":%"SCNx8":%"SCNx8
#define ETH_ADDR_SCAN_ARGS(EA) \
    &(EA).ea[0], &(EA).ea[1], &(EA).ea[2], &(EA).ea[3], &(EA).ea[4], \
    &(EA).ea[5]

static inline bool
eth_addr_equals(struct eth_addr a, struct eth_addr b)
{
    return !memcmp(a.ea, b.ea, ETH_ADDR_LEN);
}

static inline bool
eth_addr_is_broadcast(struct eth_addr a)
{
    return (a.be16[0] & a.be16[1] & a.be16[2]) == 0xffff;
}

static inline bool
eth_addr_is_multicast(struct eth_addr a)
{
    return a.ea[0] & 1;
}

static inline bool
eth_addr_is_local(struct eth_addr a)
{
    /* Broadcast is multicast, not locally administered. */
    return (a.ea[0] & 2) && !eth_addr_is_multicast(a);
}

static inline bool
eth_addr_is_zero(struct eth_addr a)
{
    return !(a.be16[0] | a.be16[1] | a.be16[2]);
}

/* True for 01:80:c2:00:00:00 through 01:80:c2:00:00:0f, frames a bridge
 * must not forward. */
static inline bool
eth_addr_is_reserved(struct eth_addr a)
{
    return !memcmp(a.ea, eth_addr_stp.ea, 5) && (a.ea[5] & 0xf0) == 0;
}

static inline uint64_t
eth_addr_to_uint64(struct eth_addr a)
{
    return ((uint64_t) a.ea[0] << 40) | ((uint64_t) a.ea[1] << 32)
           | ((uint64_t) a.ea[2] << 24) | ((uint64_t) a.ea[3] << 16)
           | ((uint64_t) a.ea[4] << 8) | a.ea[5];
}

static inline struct eth_addr
eth_addr_from_uint64(uint64_t x)
{
    struct eth_addr a;
    for (int i = ETH_ADDR_LEN - 1; i >= 0; i--) {
        a.ea[i] = x;
        x >>= 8;
    }
    return a;
}

static inline struct eth_addr
eth_addr_bitand(struct eth_addr a, struct eth_addr b)
{
    struct eth_addr r;
    for (int i = 0; i < 3; i++) {
        r.be16[i] = a.be16[i] & b.be16[i];
    }
    return r;
}

/* Makes 'a' a random-looking unicast, locally administered address. */
static inline void
eth_addr_mark_random(struct eth_addr *a)
{
    a->ea[0] &= ~1;             /* Unicast. */
    a->ea[0] |= 2;              /* Locally administered. */
}

/* Parses "xx:xx:xx:xx:xx:xx" (hex digits, one or two per byte) with
 * nothing after it.  Returns true on success; *EA is zeroed on failure. */
bool eth_addr_from_string(const char *, struct eth_addr *ea);
/* Same, returning NULL or an error message the caller frees. */
char *eth_addr_parse(const char *, struct eth_addr *ea)
    PLX_WARN_UNUSED_RESULT;
/* Parses "ADDR" or "ADDR/MASK" (an arbitrary 48-bit mask), setting
 * *MASK to all-ones without "/MASK".  Returns NULL or an error message
 * the caller frees. */
char *eth_addr_parse_masked(const char *, struct eth_addr *ea,
                            struct eth_addr *mask) PLX_WARN_UNUSED_RESULT;
void eth_format_masked(struct eth_addr ea, const struct eth_addr *mask,
                       struct ds *);

/* ------------------------------------------------------------------ */
/* VLAN (802.1Q and 802.1ad). */

#define VLAN_HEADER_LEN 4
#define VLAN_VID_MASK   0x0fff
#define VLAN_VID_SHIFT  0
#define VLAN_CFI        0x1000
#define VLAN_CFI_SHIFT  12
#define VLAN_PCP_MASK   0xe000
#define VLAN_PCP_SHIFT  13

/* The 4 bytes that follow the TPID: TCI, then the next EtherType. */
struct vlan_header {
    plx_be16 vlan_tci;
    plx_be16 vlan_next_type;
};
BUILD_ASSERT_DECL(sizeof(struct vlan_header) == VLAN_HEADER_LEN);

/* An Ethernet header with one VLAN tag. */
struct vlan_eth_header {
    struct eth_addr veth_dst;
    struct eth_addr veth_src;
    plx_be16 veth_type;         /* TPID. */
    plx_be16 veth_tci;
    plx_be16 veth_next_type;
};
BUILD_ASSERT_DECL(sizeof(struct vlan_eth_header) == 18);

static inline uint16_t
vlan_tci_to_vid(plx_be16 tci)
{
    return ntohs(tci) & VLAN_VID_MASK;
}

static inline int
vlan_tci_to_pcp(plx_be16 tci)
{
    return (ntohs(tci) & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT;
}

static inline int
vlan_tci_to_cfi(plx_be16 tci)
{
    return (ntohs(tci) & VLAN_CFI) != 0;
}

/* ------------------------------------------------------------------ */
/* MPLS. */

#define MPLS_HLEN 4

#define MPLS_LABEL_MASK  0xfffff000
#define MPLS_LABEL_SHIFT 12
#define MPLS_TC_MASK     0x00000e00
#define MPLS_TC_SHIFT    9
#define MPLS_BOS_MASK    0x00000100
#define MPLS_BOS_SHIFT   8
#define MPLS_TTL_MASK    0x000000ff
#define MPLS_TTL_SHIFT   0

struct mpls_hdr {
    plx_16aligned_be32 mpls_lse;
};
BUILD_ASSERT_DECL(sizeof(struct mpls_hdr) == MPLS_HLEN);

static inline uint32_t
mpls_lse_to_label(plx_be32 lse)
{
    return (ntohl(lse) & MPLS_LABEL_MASK) >> MPLS_LABEL_SHIFT;
}

static inline uint8_t
mpls_lse_to_tc(plx_be32 lse)
{
    return (ntohl(lse) & MPLS_TC_MASK) >> MPLS_TC_SHIFT;
}

static inline uint8_t
mpls_lse_to_bos(plx_be32 lse)
{
    return (ntohl(lse) & MPLS_BOS_MASK) != 0;
}

static inline uint8_t
mpls_lse_to_ttl(plx_be32 lse)
{
    return ntohl(lse) & MPLS_TTL_MASK;
}

static inline plx_be32
mpls_lse_from_parts(uint32_t label, uint8_t tc, uint8_t bos, uint8_t ttl)
{
    return htonl(((label << MPLS_LABEL_SHIFT) & MPLS_LABEL_MASK)
                 | (((uint32_t) tc << MPLS_TC_SHIFT) & MPLS_TC_MASK)
                 | (bos ? MPLS_BOS_MASK : 0)
                 | ttl);
}

/* ------------------------------------------------------------------ */
/* ARP (Ethernet/IPv4 only). */

#define ARP_HRD_ETHERNET 1
#define ARP_PRO_IP       0x0800
#define ARP_OP_REQUEST   1
#define ARP_OP_REPLY     2
#define ARP_OP_RARP      3
#define ARP_ETH_HEADER_LEN 28

struct arp_eth_header {
    plx_be16 ar_hrd;            /* ARP_HRD_ETHERNET. */
    plx_be16 ar_pro;            /* ARP_PRO_IP. */
    uint8_t ar_hln;             /* 6. */
    uint8_t ar_pln;             /* 4. */
    plx_be16 ar_op;             /* ARP_OP_*. */
    struct eth_addr ar_sha;
    plx_16aligned_be32 ar_spa;
    struct eth_addr ar_tha;
    plx_16aligned_be32 ar_tpa;
};
BUILD_ASSERT_DECL(sizeof(struct arp_eth_header) == ARP_ETH_HEADER_LEN);

/* ------------------------------------------------------------------ */
/* IPv4. */

#define IP_HEADER_LEN 20
#define IP_VERSION 4

#define IP_VER(IP_IHL_VER) ((IP_IHL_VER) >> 4)
#define IP_IHL(IP_IHL_VER) ((IP_IHL_VER) & 15)
#define IP_IHL_VER(IHL, VER) (((VER) << 4) | (IHL))

/* TOS byte. */
#define IP_DSCP_MASK 0xfc
#define IP_DSCP_SHIFT 2
#define IP_ECN_MASK  0x03
#define IP_ECN_NOT_ECT 0x0
#define IP_ECN_ECT_1   0x1
#define IP_ECN_ECT_0   0x2
#define IP_ECN_CE      0x3

/* ip_frag_off, in host order after ntohs(). */
#define IP_DONT_FRAGMENT  0x4000
#define IP_MORE_FRAGMENTS 0x2000
#define IP_FRAG_OFF_MASK  0x1fff
#define IP_IS_FRAGMENT(IP_FRAG_OFF) \
    ((IP_FRAG_OFF) & htons(IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK))

struct ip_header {
    uint8_t ip_ihl_ver;
    uint8_t ip_tos;
    plx_be16 ip_tot_len;
    plx_be16 ip_id;
    plx_be16 ip_frag_off;
    uint8_t ip_ttl;
    uint8_t ip_proto;
    plx_be16 ip_csum;
    plx_16aligned_be32 ip_src;
    plx_16aligned_be32 ip_dst;
};
BUILD_ASSERT_DECL(sizeof(struct ip_header) == IP_HEADER_LEN);

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif
#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

#define IP_FMT "%"PRIu32".%"PRIu32".%"PRIu32".%"PRIu32
#define IP_ARGS(IP)                                      \
    (ntohl(IP) >> 24), ((ntohl(IP) >> 16) & 0xff),       \
    ((ntohl(IP) >> 8) & 0xff), (ntohl(IP) & 0xff)
/* For sscanf(): with four uint8_t lvalues. */
#define IP_SCAN_FMT "%"SCNu8".%"SCNu8".%"SCNu8".%"SCNu8
#define IP_SCAN_ARGS(IP)                                 \
    &((uint8_t *) (IP))[0], &((uint8_t *) (IP))[1],      \
    &((uint8_t *) (IP))[2], &((uint8_t *) (IP))[3]

static inline bool
ip_is_multicast(plx_be32 ip)
{
    return (ip & htonl(0xf0000000)) == htonl(0xe0000000);
}

static inline bool
ip_is_local_multicast(plx_be32 ip)
{
    return (ip & htonl(0xffffff00)) == htonl(0xe0000000);
}

/* Returns the netmask with the N high-order bits set (0 <= N <= 32). */
static inline plx_be32
be32_prefix_mask(int n)
{
    return (n >= 32 ? htonl(0xffffffff)
            : n <= 0 ? 0
            : htonl(~(0xffffffffu >> n)));
}

/* If NETMASK is a CIDR mask, the number of 1-bits in it, else -1. */
int ip_count_cidr_bits(plx_be32 netmask);
bool ip_is_cidr(plx_be32 netmask);
/* Formats "IP" if MASK is all-ones, "IP/N" for a CIDR mask, and
 * "IP/MASK" otherwise. */
void ip_format_masked(plx_be32 ip, plx_be32 mask, struct ds *);

/* Parses a dotted quad into *IP (network order).  Returns true on
 * success. */
bool ip_parse(const char *, plx_be32 *ip);
/* Parses "IP", "IP/N" (0 <= N <= 32) or "IP/MASK" (any dotted-quad mask).
 * *MASK is all-ones without a mask.  Returns NULL or an error message
 * the caller frees. */
char *ip_parse_masked(const char *, plx_be32 *ip, plx_be32 *mask)
    PLX_WARN_UNUSED_RESULT;
/* Parses "IP/N" or "IP" (N = 32), requiring a CIDR prefix. */
char *ip_parse_cidr(const char *, plx_be32 *ip, unsigned int *plen)
    PLX_WARN_UNUSED_RESULT;

/* ------------------------------------------------------------------ */
/* ICMPv4. */

#define ICMP_HEADER_LEN 8

#define ICMP4_ECHO_REPLY    0
#define ICMP4_DST_UNREACH   3
#define ICMP4_REDIRECT      5
#define ICMP4_ECHO_REQUEST  8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROB    12

struct icmp_header {
    uint8_t icmp_type;
    uint8_t icmp_code;
    plx_be16 icmp_csum;
    union {
        struct {
            plx_be16 id;
            plx_be16 seq;
        } echo;
        struct {
            plx_be16 empty;
            plx_be16 mtu;
        } frag;
        plx_16aligned_be32 gateway;
    } icmp_fields;
};
BUILD_ASSERT_DECL(sizeof(struct icmp_header) == ICMP_HEADER_LEN);

/* ------------------------------------------------------------------ */
/* IPv6. */

#define IPV6_HEADER_LEN 40
#define IPV6_LABEL_MASK 0x000fffff
#define IPV6_SCAN_LEN 46        /* INET6_ADDRSTRLEN. */

struct ip6_header {
    plx_16aligned_be32 ip6_vfl;         /* Version 4, TC 8, label 20. */
    plx_be16 ip6_payload_len;
    uint8_t ip6_next;
    uint8_t ip6_hop_limit;
    union plx_16aligned_in6 ip6_src;
    union plx_16aligned_in6 ip6_dst;
};
BUILD_ASSERT_DECL(sizeof(struct ip6_header) == IPV6_HEADER_LEN);

/* Generic extension header (hop-by-hop, routing, destination options):
 * length in 8-byte units not counting the first 8.  AH is the exception:
 * its length is in 4-byte units not counting the first 8. */
struct ip6_ext_header {
    uint8_t ip6e_nxt;
    uint8_t ip6e_len;
};
BUILD_ASSERT_DECL(sizeof(struct ip6_ext_header) == 2);

#define IP6_FRAG_HEADER_LEN 8
/* ip6f_offlg, in host order after ntohs(). */
#define IP6_FRAG_OFF_MASK 0xfff8
#define IP6_FRAG_MORE     0x0001

struct ip6_frag_header {
    uint8_t ip6f_nxt;
    uint8_t ip6f_reserved;
    plx_be16 ip6f_offlg;
    plx_16aligned_be32 ip6f_ident;
};
BUILD_ASSERT_DECL(sizeof(struct ip6_frag_header) == IP6_FRAG_HEADER_LEN);

static const struct in6_addr in6addr_exact PLX_UNUSED
    = { { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } } };
static const struct in6_addr in6addr_all_hosts PLX_UNUSED
    = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } } };

static inline bool
ipv6_addr_equals(const struct in6_addr *a, const struct in6_addr *b)
{
    return !memcmp(a, b, sizeof *a);
}

static inline bool
ipv6_is_zero(const struct in6_addr *a)
{
    return ipv6_addr_equals(a, &in6addr_any);
}

static inline bool
ipv6_mask_is_exact(const struct in6_addr *mask)
{
    return ipv6_addr_equals(mask, &in6addr_exact);
}

static inline bool
ipv6_addr_is_multicast(const struct in6_addr *a)
{
    return a->s6_addr[0] == 0xff;
}

static inline bool
ipv6_addr_is_set(const struct in6_addr *a)
{
    return !ipv6_is_zero(a);
}

/* ::ffff:IP, the IPv4-mapped address. */
static inline struct in6_addr
in6_addr_mapped_ipv4(plx_be32 ip)
{
    struct in6_addr a;
    memset(&a, 0, sizeof a);
    a.s6_addr[10] = a.s6_addr[11] = 0xff;
    memcpy(&a.s6_addr[12], &ip, 4);
    return a;
}

/* The IPv4 address in ::ffff:IP, or 0 if A is not IPv4-mapped. */
static inline plx_be32
in6_addr_get_mapped_ipv4(const struct in6_addr *a)
{
    plx_be32 ip;
    if (!IN6_IS_ADDR_V4MAPPED(a)) {
        return 0;
    }
    memcpy(&ip, &a->s6_addr[12], 4);
    return ip;
}

struct in6_addr ipv6_addr_bitand(const struct in6_addr *,
                                 const struct in6_addr *);
struct in6_addr ipv6_addr_bitxor(const struct in6_addr *,
                                 const struct in6_addr *);
/* The mask with the N high-order bits set (0 <= N <= 128). */
struct in6_addr ipv6_create_mask(int n);
/* The number of 1-bits if MASK is a CIDR mask, else -1. */
int ipv6_count_cidr_bits(const struct in6_addr *mask);
bool ipv6_is_cidr(const struct in6_addr *mask);

/* Formats A in RFC 5952 form ("fe80::1"). */
void ipv6_format_addr(const struct in6_addr *, struct ds *);
/* Like ipv6_format_addr() but an IPv4-mapped address as a dotted quad
 * ("1.2.3.4"). */
void ipv6_format_mapped(const struct in6_addr *, struct ds *);
/* Writes A to BUF (at least INET6_ADDRSTRLEN bytes) as
 * ipv6_format_mapped() would; returns BUF. */
const char *ipv6_string_mapped(char *buf, const struct in6_addr *);
/* "ADDR", "ADDR/N" for a CIDR mask, "ADDR/MASK" otherwise. */
void ipv6_format_masked(const struct in6_addr *addr,
                        const struct in6_addr *mask, struct ds *);

bool ipv6_parse(const char *, struct in6_addr *);
/* Parses "ADDR", "ADDR/N" (0 <= N <= 128) or "ADDR/MASK".  *MASK is
 * all-ones without a mask.  Returns NULL or an error message the caller
 * frees. */
char *ipv6_parse_masked(const char *, struct in6_addr *addr,
                        struct in6_addr *mask) PLX_WARN_UNUSED_RESULT;
char *ipv6_parse_cidr(const char *, struct in6_addr *addr,
                      unsigned int *plen) PLX_WARN_UNUSED_RESULT;

/* ------------------------------------------------------------------ */
/* ICMPv6 and neighbor discovery. */

#define ICMP6_HEADER_LEN 4

#ifndef ICMP6_DST_UNREACH
#define ICMP6_DST_UNREACH 1
#endif
#ifndef ICMP6_PACKET_TOO_BIG
#define ICMP6_PACKET_TOO_BIG 2
#endif
#ifndef ICMP6_TIME_EXCEEDED
#define ICMP6_TIME_EXCEEDED 3
#endif
#ifndef ICMP6_PARAM_PROB
#define ICMP6_PARAM_PROB 4
#endif
#ifndef ICMP6_ECHO_REQUEST
#define ICMP6_ECHO_REQUEST 128
#endif
#ifndef ICMP6_ECHO_REPLY
#define ICMP6_ECHO_REPLY 129
#endif
#ifndef MLD_LISTENER_QUERY
#define MLD_LISTENER_QUERY 130
#endif
#ifndef ND_ROUTER_SOLICIT
#define ND_ROUTER_SOLICIT 133
#endif
#ifndef ND_ROUTER_ADVERT
#define ND_ROUTER_ADVERT 134
#endif
#ifndef ND_NEIGHBOR_SOLICIT
#define ND_NEIGHBOR_SOLICIT 135
#endif
#ifndef ND_NEIGHBOR_ADVERT
#define ND_NEIGHBOR_ADVERT 136
#endif
#ifndef ND_REDIRECT
#define ND_REDIRECT 137
#endif

/* ND option types; lengths are in units of 8 bytes, type and length
 * included. */
#define ND_OPT_SOURCE_LINKADDR_TYPE 1
#define ND_OPT_TARGET_LINKADDR_TYPE 2
#define ND_OPT_PREFIX_INFO_TYPE     3
#define ND_OPT_MTU_TYPE             5

/* Neighbor advertisement flags (rso_flags, host order after ntohl()). */
#define ND_RSO_ROUTER    0x80000000
#define ND_RSO_SOLICITED 0x40000000
#define ND_RSO_OVERRIDE  0x20000000

struct icmp6_header {
    uint8_t icmp6_type;
    uint8_t icmp6_code;
    plx_be16 icmp6_cksum;
};
BUILD_ASSERT_DECL(sizeof(struct icmp6_header) == ICMP6_HEADER_LEN);

/* ICMPv6 header plus its first 4 data bytes (echo id/seq, MTU...). */
struct icmp6_data_header {
    struct icmp6_header icmp6_base;
    union {
        plx_16aligned_be32 be32;
        plx_be16 be16[2];
        uint8_t u8[4];
    } icmp6_data;
};
BUILD_ASSERT_DECL(sizeof(struct icmp6_data_header) == 8);

#define ND_MSG_LEN 24
/* Neighbor solicitation and advertisement (options follow). */
struct nd_msg {
    struct icmp6_header icmph;
    plx_16aligned_be32 rso_flags;
    union plx_16aligned_in6 target;
};
BUILD_ASSERT_DECL(sizeof(struct nd_msg) == ND_MSG_LEN);

#define ND_LLADDR_OPT_LEN 8
/* A source or target link-layer address option for Ethernet. */
struct nd_lla_opt {
    uint8_t nd_opt_type;
    uint8_t nd_opt_len;         /* 1, i.e. 8 bytes. */
    struct eth_addr nd_opt_mac;
};
BUILD_ASSERT_DECL(sizeof(struct nd_lla_opt) == ND_LLADDR_OPT_LEN);

/* ------------------------------------------------------------------ */
/* TCP, UDP, SCTP. */

#define TCP_FIN 0x001
#define TCP_SYN 0x002
#define TCP_RST 0x004
#define TCP_PSH 0x008
#define TCP_ACK 0x010
#define TCP_URG 0x020
#define TCP_ECE 0x040
#define TCP_CWR 0x080
#define TCP_NS  0x100
#define TCP_FLAGS_MASK 0x0fff

#define TCP_HEADER_LEN 20
/* tcp_ctl: data offset (4 bits, in 32-bit words), then 12 flag bits. */
#define TCP_CTL(FLAGS, OFFSET) htons(((OFFSET) << 12) | (FLAGS))
#define TCP_FLAGS(TCP_CTL) (ntohs(TCP_CTL) & TCP_FLAGS_MASK)
#define TCP_FLAGS_BE16(TCP_CTL) ((TCP_CTL) & htons(TCP_FLAGS_MASK))
#define TCP_OFFSET(TCP_CTL) (ntohs(TCP_CTL) >> 12)

struct tcp_header {
    plx_be16 tcp_src;
    plx_be16 tcp_dst;
    plx_16aligned_be32 tcp_seq;
    plx_16aligned_be32 tcp_ack;
    plx_be16 tcp_ctl;
    plx_be16 tcp_winsz;
    plx_be16 tcp_csum;
    plx_be16 tcp_urg;
};
BUILD_ASSERT_DECL(sizeof(struct tcp_header) == TCP_HEADER_LEN);

#define UDP_HEADER_LEN 8
struct udp_header {
    plx_be16 udp_src;
    plx_be16 udp_dst;
    plx_be16 udp_len;
    plx_be16 udp_csum;
};
BUILD_ASSERT_DECL(sizeof(struct udp_header) == UDP_HEADER_LEN);

/* SCTP's checksum is CRC32c (hash_crc32c()), stored little-endian as
 * the byte sequence the CRC produces (RFC 4960 appendix B). */
#define SCTP_HEADER_LEN 12
struct sctp_header {
    plx_be16 sctp_src;
    plx_be16 sctp_dst;
    plx_16aligned_be32 sctp_vtag;
    plx_16aligned_be32 sctp_csum;
};
BUILD_ASSERT_DECL(sizeof(struct sctp_header) == SCTP_HEADER_LEN);

/* ------------------------------------------------------------------ */
/* Names. */

/* "tcp", "udp", "icmp6"... or NULL for an IP protocol without a name. */
const char *ip_proto_to_string(uint8_t ip_proto);
/* Formats TCP_FLAGS (host order) in ovs-ofctl's "syn|ack" form, or "0"
 * when no flag is set. */
void packet_format_tcp_flags(struct ds *, uint16_t tcp_flags);

#endif /* packets.h */
