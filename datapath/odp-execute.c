/* odp-execute: executing datapath actions on packet batches.  See
 * odp-execute.h for ownership and checksum rules. */
#include <config.h>
#include "odp-execute.h"

#include <string.h>
#include <time.h>
#include "conntrack.h"
#include "csum.h"
#include "dp-packet.h"
#include "hash.h"
#include "packets.h"

/* ------------------------------------------------------------------ */
/* Finding headers. */

/* Walks PACKET's Ethernet header and VLAN tags.  On success stores the
 * length of L2 (up to and including the last EtherType) in *L2_LEN and
 * that EtherType in *TYPE. */
static bool
packet_l2(const struct dp_packet *packet, size_t *l2_len, plx_be16 *type)
{
    const uint8_t *d = dp_packet_data(packet);
    size_t n = dp_packet_size(packet);
    size_t ofs = 2 * ETH_ADDR_LEN;

    if (n < ETH_HEADER_LEN) {
        return false;
    }
    *type = get_unaligned_be16(d + ofs);
    while (eth_type_vlan(*type)) {
        if (ofs + VLAN_HEADER_LEN + 2 > n) {
            return false;
        }
        ofs += VLAN_HEADER_LEN;
        *type = get_unaligned_be16(d + ofs);
    }
    *l2_len = ofs + 2;
    return true;
}

/* Where a set action's headers are in one packet. */
struct l3l4 {
    struct ip_header *ip;       /* IPv4 header, or NULL. */
    struct ip6_header *ip6;     /* IPv6 header, or NULL. */
    uint8_t *l4;                /* Transport header, or NULL. */
    uint8_t l4_proto;           /* IPPROTO_* of 'l4'. */
    size_t l4_len;              /* Bytes from 'l4' to the end of the IP
                                 * payload. */
    bool rh_present;            /* IPv6 routing header with segments left
                                 * (so ip6_dst is not in the pseudo-header
                                 * of the L4 checksum). */
};

/* Walks the IPv6 extension headers of the PAYLOAD_LEN bytes after IP6
 * and sets L->l4 if the transport header they lead to is where the
 * packet's l4 offset says. */
static void
find_l4_ipv6(struct dp_packet *packet, struct l3l4 *l, size_t payload_len)
{
    uint8_t *p = (uint8_t *) (l->ip6 + 1);
    uint8_t next = l->ip6->ip6_next;
    size_t ofs = 0;

    for (;;) {
        size_t len;

        if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING
            || next == IPPROTO_DSTOPTS || next == IPPROTO_AH) {
            if (payload_len - ofs < 8) {
                return;
            }
            len = (next == IPPROTO_AH ? (p[ofs + 1] + 2) * 4
                   : (p[ofs + 1] + 1) * 8);
            if (next == IPPROTO_ROUTING && p[ofs + 3]) {
                l->rh_present = true;
            }
        } else if (next == IPPROTO_FRAGMENT) {
            if (payload_len - ofs < IP6_FRAG_HEADER_LEN
                || (get_unaligned_be16(p + ofs + 2)
                    & htons(IP6_FRAG_OFF_MASK))) {
                return;         /* Later fragments have no L4. */
            }
            len = IP6_FRAG_HEADER_LEN;
        } else {
            break;
        }
        if (len > payload_len - ofs) {
            return;
        }
        next = p[ofs];
        ofs += len;
    }
    if (dp_packet_l4(packet) == p + ofs) {
        l->l4 = p + ofs;
        l->l4_proto = next;
        l->l4_len = payload_len - ofs;
    }
}

/* Finds PACKET's IP header (and, if it is there, its transport header)
 * and checks them against the packet's offsets.  Returns false if PACKET
 * has no complete IP header at l3. */
static bool
find_l3l4(struct dp_packet *packet, struct l3l4 *l)
{
    size_t l2_len;
    plx_be16 type;

    memset(l, 0, sizeof *l);
    if (!packet_l2(packet, &l2_len, &type) || packet->l3_ofs != l2_len) {
        return false;
    }

    uint8_t *l3 = dp_packet_l3(packet);
    size_t l3_size = dp_packet_l3_size(packet);
    if (type == htons(ETH_TYPE_IP)) {
        struct ip_header *ip = (void *) l3;
        if (l3_size < IP_HEADER_LEN) {
            return false;
        }
        size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
        size_t tot_len = ntohs(ip->ip_tot_len);
        if (ihl < IP_HEADER_LEN || ihl > l3_size) {
            return false;
        }
        l->ip = ip;
        if (tot_len >= ihl && tot_len <= l3_size
            && !(ntohs(ip->ip_frag_off) & IP_FRAG_OFF_MASK)
            && dp_packet_l4(packet) == l3 + ihl) {
            l->l4 = l3 + ihl;
            l->l4_proto = ip->ip_proto;
            l->l4_len = tot_len - ihl;
        }
        return true;
    } else if (type == htons(ETH_TYPE_IPV6)) {
        if (l3_size < IPV6_HEADER_LEN) {
            return false;
        }
        l->ip6 = (void *) l3;
        size_t payload_len = ntohs(l->ip6->ip6_payload_len);
        if (payload_len <= l3_size - IPV6_HEADER_LEN) {
            find_l4_ipv6(packet, l, payload_len);
        }
        return true;
    }
    return false;
}

/* Returns L's transport header if it is PROTO and at least MIN_LEN bytes
 * long, else NULL. */
static void *
l4_header(const struct l3l4 *l, uint8_t proto, size_t min_len)
{
    return (l->l4 && l->l4_proto == proto && l->l4_len >= min_len
            ? l->l4 : NULL);
}

/* ------------------------------------------------------------------ */
/* Set actions. */

#define MASKED(OLD, VALUE, MASK) (((OLD) & ~(MASK)) | (VALUE))

static void
set_eth(struct dp_packet *packet, const struct odp_key_ethernet *v,
        const struct odp_key_ethernet *m)
{
    struct eth_header *eth = dp_packet_eth(packet);

    if (eth && dp_packet_size(packet) >= ETH_HEADER_LEN) {
        for (int i = 0; i < ETH_ADDR_LEN; i++) {
            eth->eth_src.ea[i] = MASKED(eth->eth_src.ea[i], v->src.ea[i],
                                        m->src.ea[i]);
            eth->eth_dst.ea[i] = MASKED(eth->eth_dst.ea[i], v->dst.ea[i],
                                        m->dst.ea[i]);
        }
    }
}

/* Updates the L4 checksum of L for a change of OLD to NEW in a 32-bit
 * word of the pseudo-header. */
static void
l4_csum_update32(const struct l3l4 *l, plx_be32 old, plx_be32 new)
{
    struct tcp_header *tcp = l4_header(l, IPPROTO_TCP, TCP_HEADER_LEN);
    struct udp_header *udp = l4_header(l, IPPROTO_UDP, UDP_HEADER_LEN);

    if (tcp) {
        tcp->tcp_csum = recalc_csum32(tcp->tcp_csum, old, new);
    } else if (udp && udp->udp_csum) {
        udp->udp_csum = recalc_csum32(udp->udp_csum, old, new);
        if (!udp->udp_csum) {
            udp->udp_csum = htons(0xffff);
        }
    }
}

static void
set_ipv4_addr(const struct l3l4 *l, plx_16aligned_be32 *field,
              plx_be32 value, plx_be32 mask)
{
    plx_be32 old = get_16aligned_be32(field);
    plx_be32 new = MASKED(old, value, mask);

    if (old != new) {
        l4_csum_update32(l, old, new);
        l->ip->ip_csum = recalc_csum32(l->ip->ip_csum, old, new);
        put_16aligned_be32(field, new);
    }
}

/* Sets byte *FIELD, the byte at offset OFS of IP, updating the header
 * checksum. */
static void
set_ipv4_byte(struct ip_header *ip, uint8_t *field, uint8_t value,
              uint8_t mask)
{
    uint8_t *word = (uint8_t *) ip + (((uint8_t *) field
                                       - (uint8_t *) ip) & ~1);
    plx_be16 old = get_unaligned_be16(word);

    *field = MASKED(*field, value, mask);
    ip->ip_csum = recalc_csum16(ip->ip_csum, old, get_unaligned_be16(word));
}

static void
set_ipv4(struct dp_packet *packet, const struct odp_key_ipv4 *v,
         const struct odp_key_ipv4 *m)
{
    struct l3l4 l;

    if (!find_l3l4(packet, &l) || !l.ip) {
        return;
    }
    if (m->src) {
        set_ipv4_addr(&l, &l.ip->ip_src, v->src, m->src);
    }
    if (m->dst) {
        set_ipv4_addr(&l, &l.ip->ip_dst, v->dst, m->dst);
    }
    if (m->tos) {
        set_ipv4_byte(l.ip, &l.ip->ip_tos, v->tos, m->tos);
    }
    if (m->ttl) {
        set_ipv4_byte(l.ip, &l.ip->ip_ttl, v->ttl, m->ttl);
    }
}

static void
set_ipv6_addr(const struct l3l4 *l, union plx_16aligned_in6 *field,
              const struct in6_addr *value, const struct in6_addr *mask,
              bool in_pseudo_header)
{
    struct in6_addr old = get_16aligned_in6(field), new;

    for (int i = 0; i < 16; i++) {
        new.s6_addr[i] = MASKED(old.s6_addr[i], value->s6_addr[i],
                                mask->s6_addr[i]);
    }
    if (in_pseudo_header) {
        struct tcp_header *tcp = l4_header(l, IPPROTO_TCP, TCP_HEADER_LEN);
        struct udp_header *udp = l4_header(l, IPPROTO_UDP, UDP_HEADER_LEN);
        struct icmp6_header *icmp6 = l4_header(l, IPPROTO_ICMPV6,
                                               ICMP6_HEADER_LEN);
        if (tcp) {
            tcp->tcp_csum = recalc_csum128(tcp->tcp_csum, &old, &new);
        } else if (udp && udp->udp_csum) {
            udp->udp_csum = recalc_csum128(udp->udp_csum, &old, &new);
            if (!udp->udp_csum) {
                udp->udp_csum = htons(0xffff);
            }
        } else if (icmp6) {
            icmp6->icmp6_cksum = recalc_csum128(icmp6->icmp6_cksum,
                                                &old, &new);
        }
    }
    put_16aligned_in6(field, &new);
}

static void
set_ipv6(struct dp_packet *packet, const struct odp_key_ipv6 *v,
         const struct odp_key_ipv6 *m)
{
    struct l3l4 l;

    if (!find_l3l4(packet, &l) || !l.ip6) {
        return;
    }
    if (ipv6_addr_is_set(&m->src)) {
        set_ipv6_addr(&l, &l.ip6->ip6_src, &v->src, &m->src, true);
    }
    if (ipv6_addr_is_set(&m->dst)) {
        set_ipv6_addr(&l, &l.ip6->ip6_dst, &v->dst, &m->dst,
                      !l.rh_present);
    }
    if (m->label || m->tclass) {
        uint32_t vfl = ntohl(get_16aligned_be32(&l.ip6->ip6_vfl));
        uint32_t tc_mask = (uint32_t) m->tclass << 20;
        vfl = MASKED(vfl, ntohl(v->label), ntohl(m->label));
        vfl = MASKED(vfl, (uint32_t) v->tclass << 20, tc_mask);
        put_16aligned_be32(&l.ip6->ip6_vfl, htonl(vfl));
    }
    if (m->hlimit) {
        l.ip6->ip6_hop_limit = MASKED(l.ip6->ip6_hop_limit, v->hlimit,
                                      m->hlimit);
    }
}

static void
set_l4_port(plx_be16 *port, plx_be16 *csum, plx_be16 value, plx_be16 mask,
            bool zero_csum_means_none)
{
    plx_be16 old = *port, new = MASKED(old, value, mask);

    *port = new;
    if (csum && (*csum || !zero_csum_means_none)) {
        *csum = recalc_csum16(*csum, old, new);
        if (zero_csum_means_none && !*csum) {
            *csum = htons(0xffff);
        }
    }
}

static void
set_l4(struct dp_packet *packet, enum odp_key_type type,
       const struct odp_key_l4 *v, const struct odp_key_l4 *m)
{
    struct l3l4 l;

    if (!find_l3l4(packet, &l)) {
        return;
    }
    if (type == ODP_KEY_TCP) {
        struct tcp_header *tcp = l4_header(&l, IPPROTO_TCP, TCP_HEADER_LEN);
        if (tcp) {
            set_l4_port(&tcp->tcp_src, &tcp->tcp_csum, v->src, m->src, false);
            set_l4_port(&tcp->tcp_dst, &tcp->tcp_csum, v->dst, m->dst, false);
        }
    } else if (type == ODP_KEY_UDP) {
        struct udp_header *udp = l4_header(&l, IPPROTO_UDP, UDP_HEADER_LEN);
        if (udp) {
            set_l4_port(&udp->udp_src, &udp->udp_csum, v->src, m->src, true);
            set_l4_port(&udp->udp_dst, &udp->udp_csum, v->dst, m->dst, true);
        }
    } else {
        struct sctp_header *sh = l4_header(&l, IPPROTO_SCTP,
                                           SCTP_HEADER_LEN);
        if (sh) {
            /* CRC32c is affine, so adding the difference of the correct
             * CRCs before and after keeps a wrong checksum wrong. */
            plx_be32 old_csum = get_16aligned_be32(&sh->sctp_csum);
            put_16aligned_be32(&sh->sctp_csum, 0);
            plx_be32 old_correct = sctp_csum(sh, l.l4_len);
            set_l4_port(&sh->sctp_src, NULL, v->src, m->src, false);
            set_l4_port(&sh->sctp_dst, NULL, v->dst, m->dst, false);
            plx_be32 new_correct = sctp_csum(sh, l.l4_len);
            put_16aligned_be32(&sh->sctp_csum,
                               old_csum ^ old_correct ^ new_correct);
        }
    }
}

static void
set_mpls(struct dp_packet *packet, const struct odp_key_mpls *v,
         const struct odp_key_mpls *m)
{
    size_t l2_len;
    plx_be16 type;

    if (packet_l2(packet, &l2_len, &type) && eth_type_mpls(type)
        && dp_packet_size(packet) >= l2_len + MPLS_HLEN) {
        uint8_t *lse = (uint8_t *) dp_packet_data(packet) + l2_len;
        plx_be32 new = MASKED(get_unaligned_be32(lse), v->lse, m->lse);
        memcpy(lse, &new, sizeof new);
    }
}

static void
set_eth_addr_masked(struct eth_addr *field, const struct eth_addr *value,
                    const struct eth_addr *mask)
{
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        field->ea[i] = MASKED(field->ea[i], value->ea[i], mask->ea[i]);
    }
}

/* ARP has no checksum.  Only Ethernet/IPv4 ARP, the kind flow_extract()
 * parses, at the packet's l3 offset. */
static void
set_arp(struct dp_packet *packet, const struct odp_key_arp *v,
        const struct odp_key_arp *m)
{
    size_t l2_len;
    plx_be16 type;

    if (!packet_l2(packet, &l2_len, &type)
        || (type != htons(ETH_TYPE_ARP) && type != htons(ETH_TYPE_RARP))
        || packet->l3_ofs != l2_len
        || dp_packet_l3_size(packet) < ARP_ETH_HEADER_LEN) {
        return;
    }

    struct arp_eth_header *arp = dp_packet_l3(packet);
    if (arp->ar_hrd != htons(ARP_HRD_ETHERNET)
        || arp->ar_pro != htons(ARP_PRO_IP)
        || arp->ar_hln != ETH_ADDR_LEN || arp->ar_pln != 4) {
        return;
    }
    put_16aligned_be32(&arp->ar_spa, MASKED(get_16aligned_be32(&arp->ar_spa),
                                            v->sip, m->sip));
    put_16aligned_be32(&arp->ar_tpa, MASKED(get_16aligned_be32(&arp->ar_tpa),
                                            v->tip, m->tip));
    arp->ar_op = MASKED(arp->ar_op, v->op, m->op);
    set_eth_addr_masked(&arp->ar_sha, &v->sha, &m->sha);
    set_eth_addr_masked(&arp->ar_tha, &v->tha, &m->tha);
}

/* Type and code are the first 16-bit word of ICMPv4 and ICMPv6 alike, and
 * neither is in the IPv6 pseudo-header, so the incremental update of that
 * word is all either checksum needs. */
static void
set_icmp_type_code(uint8_t *hdr, plx_be16 *csum,
                   const struct odp_key_icmp *v, const struct odp_key_icmp *m)
{
    plx_be16 old = get_unaligned_be16(hdr);

    hdr[0] = MASKED(hdr[0], v->type, m->type);
    hdr[1] = MASKED(hdr[1], v->code, m->code);
    *csum = recalc_csum16(*csum, old, get_unaligned_be16(hdr));
}

static void
set_icmp(struct dp_packet *packet, enum odp_key_type type,
         const struct odp_key_icmp *v, const struct odp_key_icmp *m)
{
    struct l3l4 l;

    if (!find_l3l4(packet, &l)) {
        return;
    }
    /* Both need the whole 8-byte header, as flow_extract() does. */
    if (type == ODP_KEY_ICMP && l.ip) {
        struct icmp_header *icmp = l4_header(&l, IPPROTO_ICMP,
                                             ICMP_HEADER_LEN);
        if (icmp) {
            set_icmp_type_code(&icmp->icmp_type, &icmp->icmp_csum, v, m);
        }
    } else if (type == ODP_KEY_ICMPV6 && l.ip6) {
        struct icmp6_header *icmp6 = l4_header(&l, IPPROTO_ICMPV6,
                                               ICMP_HEADER_LEN);
        if (icmp6) {
            set_icmp_type_code(&icmp6->icmp6_type, &icmp6->icmp6_cksum,
                               v, m);
        }
    }
}

/* Rewrites the MAC of the link-layer address option OPT of the ND message
 * whose checksum is *CSUM. */
static void
set_nd_lla(struct nd_lla_opt *opt, plx_be16 *csum,
           const struct eth_addr *value, const struct eth_addr *mask)
{
    struct eth_addr old = opt->nd_opt_mac;

    set_eth_addr_masked(&opt->nd_opt_mac, value, mask);
    *csum = recalc_csum48(*csum, &old, &opt->nd_opt_mac);
}

/* Neighbor solicitations and advertisements only (code 0, as
 * flow_extract() requires).  The target is rewritten in place; so are the
 * first source and first target link-layer address options of Ethernet
 * size, if the message has them (none is ever added).  The option walk
 * stops, as flow_extract()'s does, at an option of length zero or one
 * that overruns the message. */
static void
set_nd(struct dp_packet *packet, const struct odp_key_nd *v,
       const struct odp_key_nd *m)
{
    struct l3l4 l;

    if (!find_l3l4(packet, &l) || !l.ip6) {
        return;
    }

    struct nd_msg *nd = l4_header(&l, IPPROTO_ICMPV6, ND_MSG_LEN);
    if (!nd || nd->icmph.icmp6_code
        || (nd->icmph.icmp6_type != ND_NEIGHBOR_SOLICIT
            && nd->icmph.icmp6_type != ND_NEIGHBOR_ADVERT)) {
        return;
    }

    plx_be16 *csum = &nd->icmph.icmp6_cksum;
    if (ipv6_addr_is_set(&m->target)) {
        struct in6_addr old = get_16aligned_in6(&nd->target), new;
        for (int i = 0; i < 16; i++) {
            new.s6_addr[i] = MASKED(old.s6_addr[i], v->target.s6_addr[i],
                                    m->target.s6_addr[i]);
        }
        *csum = recalc_csum128(*csum, &old, &new);
        put_16aligned_in6(&nd->target, &new);
    }

    bool want_sll = !eth_addr_is_zero(m->sll);
    bool want_tll = !eth_addr_is_zero(m->tll);
    uint8_t *opt = (uint8_t *) (nd + 1);
    size_t left = l.l4_len - ND_MSG_LEN;
    while ((want_sll || want_tll) && left >= ND_LLADDR_OPT_LEN) {
        size_t opt_len = opt[1] * 8;
        if (!opt_len || opt_len > left) {
            break;
        }
        if (opt_len == ND_LLADDR_OPT_LEN) {
            if (opt[0] == ND_OPT_SOURCE_LINKADDR_TYPE && want_sll) {
                set_nd_lla((void *) opt, csum, &v->sll, &m->sll);
                want_sll = false;
            } else if (opt[0] == ND_OPT_TARGET_LINKADDR_TYPE && want_tll) {
                set_nd_lla((void *) opt, csum, &v->tll, &m->tll);
                want_tll = false;
            }
        }
        opt += opt_len;
        left -= opt_len;
    }
}

static void
execute_set(struct dp_packet *packet, const struct odp_attr *set)
{
    const struct odp_attr *key = odp_set_key(set);
    size_t n = odp_key_size(key->type);
    uint64_t v_[8], m_[8];      /* Aligned copies of key and mask. */

    memcpy(v_, odp_attr_get(key), n);
    memcpy(m_, (const uint8_t *) odp_attr_get(key) + n, n);
    switch ((enum odp_key_type) key->type) {
    case ODP_KEY_ETHERNET:
        set_eth(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_IPV4:
        set_ipv4(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_IPV6:
        set_ipv6(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_TCP:
    case ODP_KEY_UDP:
    case ODP_KEY_SCTP:
        set_l4(packet, key->type, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_MPLS:
        set_mpls(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_ARP:
        set_arp(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_ICMP:
    case ODP_KEY_ICMPV6:
        set_icmp(packet, key->type, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_ND:
        set_nd(packet, (void *) v_, (void *) m_);
        break;
    case ODP_KEY_UNSPEC:
    case ODP_N_KEYS:
    default:
        PLX_NOT_REACHED();
    }
}

/* ------------------------------------------------------------------ */
/* Push and pop. */

static void
push_vlan(struct dp_packet *packet, const struct odp_push_vlan *vlan)
{
    if (dp_packet_size(packet) >= ETH_HEADER_LEN) {
        uint8_t *d = dp_packet_push_uninit(packet, VLAN_HEADER_LEN);
        memmove(d, d + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
        /* VLAN_CFI in the action says "a tag is present", as in a flow;
         * the frame gets the tag without it (DEI 0), as in OVS. */
        plx_be16 tci = vlan->tci & ~htons(VLAN_CFI);

        memcpy(d + 12, &vlan->tpid, 2);
        memcpy(d + 14, &tci, 2);
    }
}

static void
pop_vlan(struct dp_packet *packet)
{
    uint8_t *d = dp_packet_data(packet);

    if (dp_packet_size(packet) >= ETH_HEADER_LEN + VLAN_HEADER_LEN
        && eth_type_vlan(get_unaligned_be16(d + 12))) {
        memmove(d + VLAN_HEADER_LEN, d, 2 * ETH_ADDR_LEN);
        dp_packet_pull(packet, VLAN_HEADER_LEN);
    }
}

static void
push_mpls(struct dp_packet *packet, const struct odp_push_mpls *mpls)
{
    size_t l2_len;
    plx_be16 type;

    if (packet_l2(packet, &l2_len, &type)) {
        uint8_t *d = dp_packet_push_uninit(packet, MPLS_HLEN);
        memmove(d, d + MPLS_HLEN, l2_len);
        memcpy(d + l2_len - 2, &mpls->ethertype, 2);
        memcpy(d + l2_len, &mpls->lse, MPLS_HLEN);
        packet->l2_5_ofs = l2_len;
    }
}

static void
pop_mpls(struct dp_packet *packet, plx_be16 ethertype)
{
    size_t l2_len;
    plx_be16 type;

    if (packet_l2(packet, &l2_len, &type) && eth_type_mpls(type)
        && dp_packet_size(packet) >= l2_len + MPLS_HLEN) {
        uint8_t *d = dp_packet_data(packet);
        plx_be32 lse = get_unaligned_be32(d + l2_len);

        memcpy(d + l2_len - 2, &ethertype, 2);
        memmove(d + MPLS_HLEN, d, l2_len);
        dp_packet_pull(packet, MPLS_HLEN);
        if (lse & htonl(MPLS_BOS_MASK)) {
            packet->l2_5_ofs = DP_PACKET_OFS_UNSET;
            packet->l3_ofs = l2_len;
            packet->l4_ofs = DP_PACKET_OFS_UNSET;
        } else {
            packet->l2_5_ofs = l2_len;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Hash and sample. */

void
odp_execute_hash_l4(struct dp_packet *packet, uint32_t basis)
{
    uint32_t hash = basis;
    struct l3l4 l;

    if (find_l3l4(packet, &l)) {
        if (l.ip) {
            hash = hash_add(hash, get_16aligned_be32(&l.ip->ip_src));
            hash = hash_add(hash, get_16aligned_be32(&l.ip->ip_dst));
        } else {
            hash = hash_bytes(&l.ip6->ip6_src, 32, hash);
        }
        if (l.l4 && (l.l4_proto == IPPROTO_TCP || l.l4_proto == IPPROTO_UDP
                     || l.l4_proto == IPPROTO_SCTP) && l.l4_len >= 4) {
            hash = hash_add(hash, l.l4_proto);
            hash = hash_add(hash, get_unaligned_be32(l.l4));
        }
    } else if (dp_packet_size(packet) >= ETH_HEADER_LEN) {
        hash = hash_bytes(dp_packet_data(packet), ETH_HEADER_LEN, hash);
    }
    hash = hash_finish(hash, 0);
    packet->md.dp_hash = hash ? hash : 1;   /* 0 means "no hash". */
}

static _Thread_local uint32_t sample_state;

void
odp_execute_set_seed(uint32_t seed)
{
    sample_state = seed ? seed : 1;
}

static uint32_t
sample_random(void)
{
    if (!sample_state) {
        odp_execute_set_seed(hash_pointer(&sample_state, time(NULL)));
    }
    /* xorshift32. */
    uint32_t x = sample_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return sample_state = x;
}

static void
execute_sample(void *aux, struct dp_packet_batch *batch,
               const struct odp_attr *a, odp_execute_cb *cb)
{
    const struct odp_attr *actions;
    uint32_t probability;
    struct dp_packet *packet;
    size_t size;

    odp_sample_get(a, &probability, &actions, &size);
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        if (probability && sample_random() <= probability) {
            struct dp_packet_batch one;
            dp_packet_batch_init_packet(&one, dp_packet_clone(packet));
            odp_execute_actions(aux, &one, true, actions, size, cb);
        }
    }
}

/* ------------------------------------------------------------------ */

void
odp_execute_actions(void *aux, struct dp_packet_batch *batch,
                    bool may_steal, const void *actions, size_t size,
                    odp_execute_cb *dp_execute_action)
{
    struct dp_packet_batch clone;
    bool owned = may_steal;
    const struct odp_attr *a;
    struct dp_packet *packet;
    size_t left;

    ODP_ACTION_FOR_EACH (a, left, actions, size) {
        bool last = left <= ODP_ALIGN(a->len);
        const void *p = odp_attr_get(a);

        switch ((enum odp_action_type) a->type) {
        case ODP_ACTION_OUTPUT:
        case ODP_ACTION_USERSPACE:
        case ODP_ACTION_RECIRC:
            if (dp_execute_action) {
                bool should_steal = owned && last;
                dp_execute_action(aux, batch, a, should_steal);
                if (should_steal) {
                    return;
                }
            }
            continue;

        case ODP_ACTION_SAMPLE:
            execute_sample(aux, batch, a, dp_execute_action);
            continue;

        case ODP_ACTION_METER:
        case ODP_ACTION_CT:
            /* The datapath may drop or change packets (a meter drops or
             * remarks them, conntrack tracks, NATs and holds fragments):
             * give it packets the executor owns. */
            if (!dp_execute_action) {
                continue;
            }
            if (!owned) {
                dp_packet_batch_clone(&clone, batch);
                batch = &clone;
                owned = true;
            }
            dp_execute_action(aux, batch, a, false);
            if (dp_packet_batch_is_empty(batch)) {
                return;
            }
            continue;

        case ODP_ACTION_PUSH_VLAN:
        case ODP_ACTION_POP_VLAN:
        case ODP_ACTION_SET:
        case ODP_ACTION_HASH:
        case ODP_ACTION_PUSH_MPLS:
        case ODP_ACTION_POP_MPLS:
        case ODP_ACTION_CT_CLEAR:
            break;

        case ODP_ACTION_UNSPEC:
        case ODP_N_ACTIONS:
        default:
            PLX_NOT_REACHED();
        }

        /* A modifying action: from here on, work on packets we own. */
        if (!owned) {
            dp_packet_batch_clone(&clone, batch);
            batch = &clone;
            owned = true;
        }
        DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
            switch ((enum odp_action_type) a->type) {
            case ODP_ACTION_PUSH_VLAN: {
                struct odp_push_vlan vlan;
                memcpy(&vlan, p, sizeof vlan);
                push_vlan(packet, &vlan);
                break;
            }
            case ODP_ACTION_POP_VLAN:
                pop_vlan(packet);
                break;
            case ODP_ACTION_SET:
                execute_set(packet, a);
                break;
            case ODP_ACTION_HASH: {
                struct odp_hash h;
                memcpy(&h, p, sizeof h);
                odp_execute_hash_l4(packet, h.basis);
                break;
            }
            case ODP_ACTION_PUSH_MPLS: {
                struct odp_push_mpls mpls;
                memcpy(&mpls, p, sizeof mpls);
                push_mpls(packet, &mpls);
                break;
            }
            case ODP_ACTION_POP_MPLS:
                pop_mpls(packet, get_unaligned_be16(p));
                break;
            case ODP_ACTION_CT_CLEAR:
                conntrack_clear(packet);
                break;
            case ODP_ACTION_OUTPUT:
            case ODP_ACTION_USERSPACE:
            case ODP_ACTION_RECIRC:
            case ODP_ACTION_SAMPLE:
            case ODP_ACTION_METER:
            case ODP_ACTION_CT:
            case ODP_ACTION_UNSPEC:
            case ODP_N_ACTIONS:
            default:
                PLX_NOT_REACHED();
            }
        }
    }
    dp_packet_delete_batch(batch, owned);
}
