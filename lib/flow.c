/* flow: flow key extraction, formatting and hashing; see flow.h. */
#include <config.h>
#include "flow.h"

#include <endian.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "hash.h"
#include "packets.h"

/* A bounded view of the bytes still to parse.  Every read goes through
 * cursor_try_pull() or checks 'size' first, so that no header is read
 * past the end of the packet however its length fields lie. */
struct cursor {
    const uint8_t *data;
    size_t size;
};

/* Returns the next N bytes and consumes them, or NULL (consuming nothing)
 * if fewer than N remain. */
static inline const void *
cursor_try_pull(struct cursor *c, size_t n)
{
    if (PLX_UNLIKELY(c->size < n)) {
        return NULL;
    }
    const void *p = c->data;
    c->data += n;
    c->size -= n;
    return p;
}

static inline uint16_t
cursor_ofs(const struct cursor *c, const uint8_t *l2)
{
    size_t ofs = c->data - l2;
    return ofs < DP_PACKET_OFS_UNSET ? ofs : DP_PACKET_OFS_UNSET;
}

static void
flow_extract_metadata(const struct pkt_metadata *md, struct flow *flow)
{
    flow->tunnel = md->tunnel;
    flow->skb_priority = md->skb_priority;
    flow->pkt_mark = md->pkt_mark;
    flow->dp_hash = md->dp_hash;
    flow->in_port = md->in_port;
    flow->recirc_id = md->recirc_id;
    flow->ct_state = md->ct_state;
    flow->ct_zone = md->ct_zone;
    flow->ct_mark = md->ct_mark;
    flow->ct_label = md->ct_label;
    flow->ct_nw_proto = md->ct_nw_proto;
    flow->ct_nw_src = md->ct_nw_src;
    flow->ct_nw_dst = md->ct_nw_dst;
    flow->ct_ipv6_src = md->ct_ipv6_src;
    flow->ct_ipv6_dst = md->ct_ipv6_dst;
    flow->ct_tp_src = md->ct_tp_src;
    flow->ct_tp_dst = md->ct_tp_dst;
}

/* Parses up to FLOW_MAX_VLAN_HEADERS tags and the EtherType after them
 * (including 802.2 LLC/SNAP for 802.3 frames).  Returns false if the
 * frame ends before an EtherType could be read. */
static bool
parse_vlans_and_ethertype(struct cursor *c, struct flow *flow)
{
    const plx_be16 *type;

    for (int n = 0; ; n++) {
        if (c->size < 2) {
            return false;
        }
        plx_be16 tpid = get_unaligned_be16(c->data);
        if (n >= FLOW_MAX_VLAN_HEADERS || !eth_type_vlan(tpid)
            || c->size < 2 + VLAN_HEADER_LEN) {
            /* Not a tag, one tag too many, or a truncated tag: the TPID
             * is then the innermost EtherType and parsing stops there. */
            break;
        }
        const struct vlan_header *vh;
        cursor_try_pull(c, 2);
        vh = cursor_try_pull(c, 2);     /* TCI only; type is read next. */
        flow->vlans[n].tpid = tpid;
        flow->vlans[n].tci = vh->vlan_tci | htons(VLAN_CFI);
    }

    type = cursor_try_pull(c, 2);
    if (ntohs(*type) >= ETH_TYPE_MIN) {
        flow->dl_type = *type;
        return true;
    }

    /* 802.3 length: look for LLC/SNAP carrying an EtherType. */
    const struct llc_snap_header *llc = (const void *) c->data;
    if (c->size >= LLC_SNAP_HEADER_LEN
        && llc->llc_dsap == LLC_DSAP_SNAP
        && llc->llc_ssap == LLC_SSAP_SNAP
        && llc->llc_cntl == LLC_CNTL_SNAP
        && !llc->snap_org[0] && !llc->snap_org[1] && !llc->snap_org[2]
        && ntohs(get_unaligned_be16(llc->snap_type)) >= ETH_TYPE_MIN) {
        flow->dl_type = get_unaligned_be16(llc->snap_type);
        cursor_try_pull(c, LLC_SNAP_HEADER_LEN);
        return true;
    }
    flow->dl_type = htons(FLOW_DL_TYPE_NONE);
    return false;
}

/* Parses an MPLS label stack of up to FLOW_MAX_MPLS_LABELS entries.
 * Returns true if it found the bottom of the stack. */
static bool
parse_mpls(struct cursor *c, struct flow *flow)
{
    for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
        const struct mpls_hdr *mh = cursor_try_pull(c, MPLS_HLEN);
        if (!mh) {
            return false;
        }
        plx_be32 lse = get_16aligned_be32(&mh->mpls_lse);
        flow->mpls_lse[i] = lse;
        if (lse & htonl(MPLS_BOS_MASK)) {
            return true;
        }
    }
    return false;
}

static void
parse_arp(struct cursor *c, struct flow *flow)
{
    const struct arp_eth_header *arp = cursor_try_pull(c, sizeof *arp);

    if (!arp
        || arp->ar_hrd != htons(ARP_HRD_ETHERNET)
        || arp->ar_pro != htons(ARP_PRO_IP)
        || arp->ar_hln != ETH_ADDR_LEN
        || arp->ar_pln != 4) {
        return;
    }
    /* Only the low 8 bits of the opcode fit; larger opcodes read as 0. */
    if (ntohs(arp->ar_op) <= 0xff) {
        flow->nw_proto = ntohs(arp->ar_op);
    }
    flow->nw_src = get_16aligned_be32(&arp->ar_spa);
    flow->nw_dst = get_16aligned_be32(&arp->ar_tpa);
    flow->arp_sha = arp->ar_sha;
    flow->arp_tha = arp->ar_tha;
}

/* Parses the ND target and link-layer address options of a neighbor
 * solicitation or advertisement, C being just past the 8-byte ICMPv6
 * header.  As in Open vSwitch: a message too short for its target leaves
 * all ND fields zero; a zero-length option, or one longer than what is
 * left, ends the walk keeping what was found before it; a second SLL or
 * TLL option invalidates all ND fields. */
static void
parse_nd(struct cursor *c, struct flow *flow)
{
    const uint8_t *target = cursor_try_pull(c, sizeof flow->nd_target);

    if (!target) {
        return;
    }
    memcpy(&flow->nd_target, target, sizeof flow->nd_target);

    while (c->size >= ND_LLADDR_OPT_LEN) {
        const uint8_t *opt = c->data;
        size_t opt_len = opt[1] * 8;

        if (!opt_len || opt_len > c->size) {
            return;
        }
        if (opt_len == ND_LLADDR_OPT_LEN) {
            const struct nd_lla_opt *lla = (const void *) opt;
            struct eth_addr *dst = NULL;

            if (opt[0] == ND_OPT_SOURCE_LINKADDR_TYPE) {
                dst = &flow->arp_sha;
            } else if (opt[0] == ND_OPT_TARGET_LINKADDR_TYPE) {
                dst = &flow->arp_tha;
            }
            if (dst) {
                if (!eth_addr_is_zero(*dst)) {
                    goto invalid;
                }
                *dst = lla->nd_opt_mac;
            }
        }
        cursor_try_pull(c, opt_len);
    }
    return;

invalid:
    memset(&flow->nd_target, 0, sizeof flow->nd_target);
    flow->arp_sha = eth_addr_zero;
    flow->arp_tha = eth_addr_zero;
}

/* Parses the transport header of protocol NW_PROTO at C. */
static void
parse_l4(struct cursor *c, struct flow *flow, struct dp_packet *packet,
         const uint8_t *l2)
{
    packet->l4_ofs = cursor_ofs(c, l2);

    switch (flow->nw_proto) {
    case IPPROTO_TCP: {
        const struct tcp_header *tcp = (const void *) c->data;
        if (c->size >= TCP_HEADER_LEN) {
            size_t hdr_len = TCP_OFFSET(tcp->tcp_ctl) * 4;
            if (hdr_len >= TCP_HEADER_LEN && hdr_len <= c->size) {
                flow->tp_src = tcp->tcp_src;
                flow->tp_dst = tcp->tcp_dst;
                flow->tcp_flags = TCP_FLAGS_BE16(tcp->tcp_ctl);
            }
        }
        break;
    }

    case IPPROTO_UDP: {
        const struct udp_header *udp = cursor_try_pull(c, sizeof *udp);
        if (udp) {
            flow->tp_src = udp->udp_src;
            flow->tp_dst = udp->udp_dst;
        }
        break;
    }

    case IPPROTO_SCTP: {
        const struct sctp_header *sctp = cursor_try_pull(c, sizeof *sctp);
        if (sctp) {
            flow->tp_src = sctp->sctp_src;
            flow->tp_dst = sctp->sctp_dst;
        }
        break;
    }

    /* ICMP and ICMPv6 need their whole 8-byte header, as in Open
     * vSwitch, though type and code are its first two bytes. */
    case IPPROTO_ICMP:
        if (flow->dl_type == htons(ETH_TYPE_IP)
            && c->size >= ICMP_HEADER_LEN) {
            flow->tp_src = htons(c->data[0]);
            flow->tp_dst = htons(c->data[1]);
        }
        break;

    case IPPROTO_ICMPV6:
        if (flow->dl_type == htons(ETH_TYPE_IPV6)
            && c->size >= ICMP_HEADER_LEN) {
            uint8_t type = c->data[0], code = c->data[1];
            flow->tp_src = htons(type);
            flow->tp_dst = htons(code);
            cursor_try_pull(c, ICMP_HEADER_LEN);
            if (code == 0 && (type == ND_NEIGHBOR_SOLICIT
                              || type == ND_NEIGHBOR_ADVERT)) {
                parse_nd(c, flow);
            }
        }
        break;

    default:
        break;
    }
}

/* Parses an IPv4 header and what follows it.  C must be at the start of
 * the IP header.  As Open vSwitch does, extracts nothing at all unless
 * the header is complete (20 <= IHL*4 <= bytes present) and its total
 * length is consistent (IHL*4 <= ip_tot_len <= bytes present); the
 * version field is not checked. */
static void
parse_ipv4(struct cursor *c, struct flow *flow, struct dp_packet *packet,
           const uint8_t *l2)
{
    const struct ip_header *ip = (const void *) c->data;
    size_t ihl, tot_len;

    if (c->size < IP_HEADER_LEN) {
        return;
    }
    ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    tot_len = ntohs(ip->ip_tot_len);
    if (ihl < IP_HEADER_LEN || ihl > c->size
        || tot_len > c->size || ihl > tot_len) {
        return;
    }

    flow->nw_src = get_16aligned_be32(&ip->ip_src);
    flow->nw_dst = get_16aligned_be32(&ip->ip_dst);
    flow->nw_tos = ip->ip_tos;
    flow->nw_ttl = ip->ip_ttl;
    flow->nw_proto = ip->ip_proto;
    if (IP_IS_FRAGMENT(ip->ip_frag_off)) {
        flow->nw_frag = FLOW_NW_FRAG_ANY;
        if (ip->ip_frag_off & htons(IP_FRAG_OFF_MASK)) {
            flow->nw_frag |= FLOW_NW_FRAG_LATER;
        }
    }

    c->size = tot_len;          /* Ethernet padding is not L4 payload. */
    cursor_try_pull(c, ihl);
    if (!(flow->nw_frag & FLOW_NW_FRAG_LATER)) {
        parse_l4(c, flow, packet, l2);
    }
}

/* Walks the IPv6 extension header chain that starts with next header
 * *NW_PROTO, as Open vSwitch does: hop-by-hop, routing and destination
 * options, AH and fragment headers are skipped; any other header ends the
 * walk and is the flow's nw_proto (the transport, or ESP, no-next-header
 * or an unknown header).  A fragment header with offset, M flag and
 * reserved bits all zero (an atomic fragment) does not make the packet a
 * fragment; for a later fragment the walk stops at the fragment header,
 * so nw_proto is IPPROTO_FRAGMENT.  Every header is at least 8 bytes, so
 * the walk ends within size/8 steps.  Returns false if an extension
 * header is cut short. */
static bool
parse_ipv6_ext_hdrs(struct cursor *c, uint8_t *nw_proto, uint8_t *nw_frag)
{
    for (;;) {
        uint8_t next = *nw_proto;

        if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING
            && next != IPPROTO_DSTOPTS && next != IPPROTO_AH
            && next != IPPROTO_FRAGMENT) {
            return true;
        }
        if (c->size < 8) {
            return false;
        }

        if (next == IPPROTO_FRAGMENT) {
            const struct ip6_frag_header *fh = cursor_try_pull(c, sizeof *fh);

            *nw_proto = fh->ip6f_nxt;
            if (fh->ip6f_offlg) {
                *nw_frag = FLOW_NW_FRAG_ANY;
                if (fh->ip6f_offlg & htons(IP6_FRAG_OFF_MASK)) {
                    *nw_frag |= FLOW_NW_FRAG_LATER;
                    *nw_proto = IPPROTO_FRAGMENT;
                    return true;
                }
            }
        } else {
            const struct ip6_ext_header *eh = (const void *) c->data;
            size_t len = (next == IPPROTO_AH
                          ? (eh->ip6e_len + 2) * 4
                          : (eh->ip6e_len + 1) * 8);

            *nw_proto = eh->ip6e_nxt;
            if (!cursor_try_pull(c, len)) {
                return false;
            }
        }
    }
}

/* Parses an IPv6 header and what follows it.  As Open vSwitch does:
 * extracts nothing unless the 40-byte header is complete and the payload
 * length does not run past the bytes present (the version field is not
 * checked); extracts only the addresses and flow label if an extension
 * header is cut short. */
static void
parse_ipv6(struct cursor *c, struct flow *flow, struct dp_packet *packet,
           const uint8_t *l2)
{
    const struct ip6_header *ip6 = cursor_try_pull(c, sizeof *ip6);
    uint8_t nw_proto, nw_frag = 0;
    plx_be32 vfl;
    size_t plen;

    if (!ip6) {
        return;
    }
    plen = ntohs(ip6->ip6_payload_len);
    if (plen > c->size) {
        return;
    }
    c->size = plen;             /* Ethernet padding is not payload. */

    vfl = get_16aligned_be32(&ip6->ip6_vfl);
    flow->ipv6_src = get_16aligned_in6(&ip6->ip6_src);
    flow->ipv6_dst = get_16aligned_in6(&ip6->ip6_dst);
    flow->ipv6_label = vfl & htonl(IPV6_LABEL_MASK);

    nw_proto = ip6->ip6_next;
    if (!parse_ipv6_ext_hdrs(c, &nw_proto, &nw_frag)) {
        return;
    }
    flow->nw_tos = ntohl(vfl) >> 20;
    flow->nw_ttl = ip6->ip6_hop_limit;
    flow->nw_proto = nw_proto;
    flow->nw_frag = nw_frag;
    if (!(nw_frag & FLOW_NW_FRAG_LATER)) {
        parse_l4(c, flow, packet, l2);
    }
}

void
flow_extract(struct dp_packet *packet, struct flow *flow)
{
    const uint8_t *l2 = dp_packet_data(packet);
    struct cursor c = { l2, dp_packet_size(packet) };
    const struct eth_header *eth;

    plx_zero_words(flow, sizeof *flow);
    flow_extract_metadata(&packet->md, flow);
    dp_packet_reset_offsets(packet);

    eth = cursor_try_pull(&c, 2 * ETH_ADDR_LEN);
    if (!eth || c.size < 2) {
        return;
    }
    flow->dl_dst = eth->eth_dst;
    flow->dl_src = eth->eth_src;
    if (!parse_vlans_and_ethertype(&c, flow)) {
        return;
    }

    if (eth_type_mpls(flow->dl_type)) {
        packet->l2_5_ofs = cursor_ofs(&c, l2);
        if (parse_mpls(&c, flow)) {
            packet->l3_ofs = cursor_ofs(&c, l2);
        }
        return;
    }

    packet->l3_ofs = cursor_ofs(&c, l2);
    switch (ntohs(flow->dl_type)) {
    case ETH_TYPE_IP:
        parse_ipv4(&c, flow, packet, l2);
        break;
    case ETH_TYPE_IPV6:
        parse_ipv6(&c, flow, packet, l2);
        break;
    case ETH_TYPE_ARP:
    case ETH_TYPE_RARP:
        parse_arp(&c, flow);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Formatting. */

static void
format_nw_frag(struct ds *s, uint8_t nw_frag)
{
    ds_put_cstr(s, ",nw_frag=");
    ds_put_cstr(s, (!(nw_frag & FLOW_NW_FRAG_ANY) ? "no"
                    : nw_frag & FLOW_NW_FRAG_LATER ? "later"
                    : "first"));
}

static void
format_metadata(struct ds *s, const struct flow *flow)
{
    const struct flow_tnl *tnl = &flow->tunnel;

    if (flow->recirc_id) {
        ds_put_format(s, "recirc_id=%#"PRIx32",", flow->recirc_id);
    }
    if (flow->dp_hash) {
        ds_put_format(s, "dp_hash=%#"PRIx32",", flow->dp_hash);
    }
    if (flow->skb_priority) {
        ds_put_format(s, "skb_priority=%#"PRIx32",", flow->skb_priority);
    }
    if (flow->pkt_mark) {
        ds_put_format(s, "pkt_mark=%#"PRIx32",", flow->pkt_mark);
    }
    if (tnl->ip_dst || ipv6_addr_is_set(&tnl->ipv6_dst) || tnl->tun_id) {
        ds_put_format(s, "tun_id=%#"PRIx64",",
                      (uint64_t) be64toh(tnl->tun_id));
        if (tnl->ip_dst) {
            ds_put_format(s, "tun_src="IP_FMT",tun_dst="IP_FMT",",
                          IP_ARGS(tnl->ip_src), IP_ARGS(tnl->ip_dst));
        }
        if (ipv6_addr_is_set(&tnl->ipv6_dst)) {
            ds_put_cstr(s, "tun_ipv6_src=");
            ipv6_format_addr(&tnl->ipv6_src, s);
            ds_put_cstr(s, ",tun_ipv6_dst=");
            ipv6_format_addr(&tnl->ipv6_dst, s);
            ds_put_char(s, ',');
        }
    }
    if (flow->ct_state) {
        ds_put_format(s, "ct_state=%#"PRIx16",", flow->ct_state);
    }
    if (flow->ct_zone) {
        ds_put_format(s, "ct_zone=%"PRIu16",", flow->ct_zone);
    }
    if (flow->ct_mark) {
        ds_put_format(s, "ct_mark=%#"PRIx32",", flow->ct_mark);
    }
    if (flow->ct_label.u64.hi) {
        ds_put_format(s, "ct_label=0x%"PRIx64"%016"PRIx64",",
                      flow->ct_label.u64.hi, flow->ct_label.u64.lo);
    } else if (flow->ct_label.u64.lo) {
        ds_put_format(s, "ct_label=%#"PRIx64",", flow->ct_label.u64.lo);
    }
    if (flow->ct_nw_proto) {
        if (flow->dl_type == htons(ETH_TYPE_IPV6)) {
            ds_put_cstr(s, "ct_ipv6_src=");
            ipv6_format_addr(&flow->ct_ipv6_src, s);
            ds_put_cstr(s, ",ct_ipv6_dst=");
            ipv6_format_addr(&flow->ct_ipv6_dst, s);
        } else {
            ds_put_format(s, "ct_nw_src="IP_FMT",ct_nw_dst="IP_FMT,
                          IP_ARGS(flow->ct_nw_src), IP_ARGS(flow->ct_nw_dst));
        }
        ds_put_format(s, ",ct_nw_proto=%"PRIu8",ct_tp_src=%"PRIu16
                      ",ct_tp_dst=%"PRIu16",", flow->ct_nw_proto,
                      ntohs(flow->ct_tp_src), ntohs(flow->ct_tp_dst));
    }
    ds_put_format(s, "in_port=%"PRIu32, flow->in_port);
}

static void
format_l4(struct ds *s, const struct flow *flow)
{
    if (flow->nw_frag & FLOW_NW_FRAG_LATER) {
        return;
    }
    switch (flow->nw_proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        ds_put_format(s, ",tp_src=%"PRIu16",tp_dst=%"PRIu16,
                      ntohs(flow->tp_src), ntohs(flow->tp_dst));
        if (flow->nw_proto == IPPROTO_TCP) {
            ds_put_cstr(s, ",tcp_flags=");
            packet_format_tcp_flags(s, ntohs(flow->tcp_flags));
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        ds_put_format(s, ",icmp_type=%"PRIu16",icmp_code=%"PRIu16,
                      ntohs(flow->tp_src), ntohs(flow->tp_dst));
        if (flow->nw_proto == IPPROTO_ICMPV6 && !flow->tp_dst
            && (flow->tp_src == htons(ND_NEIGHBOR_SOLICIT)
                || flow->tp_src == htons(ND_NEIGHBOR_ADVERT))) {
            ds_put_cstr(s, ",nd_target=");
            ipv6_format_addr(&flow->nd_target, s);
            ds_put_format(s, ",nd_sll="ETH_ADDR_FMT",nd_tll="ETH_ADDR_FMT,
                          ETH_ADDR_ARGS(flow->arp_sha),
                          ETH_ADDR_ARGS(flow->arp_tha));
        }
        break;
    default:
        break;
    }
}

void
flow_format(struct ds *s, const struct flow *flow)
{
    plx_be16 dl_type = flow->dl_type;

    format_metadata(s, flow);
    ds_put_format(s, ",dl_src="ETH_ADDR_FMT",dl_dst="ETH_ADDR_FMT,
                  ETH_ADDR_ARGS(flow->dl_src), ETH_ADDR_ARGS(flow->dl_dst));
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS && flow->vlans[i].qtag; i++) {
        plx_be16 tci = flow->vlans[i].tci;
        ds_put_format(s, ",%s=0x%04"PRIx16",dl_vlan%s=%"PRIu16
                      ",dl_vlan_pcp%s=%d",
                      i ? "vlan_tpid2" : "vlan_tpid",
                      ntohs(flow->vlans[i].tpid),
                      i ? "2" : "", vlan_tci_to_vid(tci),
                      i ? "2" : "", vlan_tci_to_pcp(tci));
    }
    ds_put_format(s, ",dl_type=0x%04"PRIx16, ntohs(dl_type));

    if (eth_type_mpls(dl_type)) {
        for (int i = 0; i < FLOW_MAX_MPLS_LABELS && flow->mpls_lse[i]; i++) {
            plx_be32 lse = flow->mpls_lse[i];
            ds_put_format(s, ",mpls%d(label=%"PRIu32",tc=%d,ttl=%d,bos=%d)",
                          i, mpls_lse_to_label(lse), mpls_lse_to_tc(lse),
                          mpls_lse_to_ttl(lse), mpls_lse_to_bos(lse));
        }
    } else if (dl_type == htons(ETH_TYPE_ARP)
               || dl_type == htons(ETH_TYPE_RARP)) {
        ds_put_format(s, ",arp_spa="IP_FMT",arp_tpa="IP_FMT",arp_op=%d"
                      ",arp_sha="ETH_ADDR_FMT",arp_tha="ETH_ADDR_FMT,
                      IP_ARGS(flow->nw_src), IP_ARGS(flow->nw_dst),
                      flow->nw_proto, ETH_ADDR_ARGS(flow->arp_sha),
                      ETH_ADDR_ARGS(flow->arp_tha));
    } else if (dl_type == htons(ETH_TYPE_IP)) {
        ds_put_format(s, ",nw_src="IP_FMT",nw_dst="IP_FMT,
                      IP_ARGS(flow->nw_src), IP_ARGS(flow->nw_dst));
    } else if (dl_type == htons(ETH_TYPE_IPV6)) {
        ds_put_cstr(s, ",ipv6_src=");
        ipv6_format_addr(&flow->ipv6_src, s);
        ds_put_cstr(s, ",ipv6_dst=");
        ipv6_format_addr(&flow->ipv6_dst, s);
        ds_put_format(s, ",ipv6_label=0x%05"PRIx32,
                      (uint32_t) ntohl(flow->ipv6_label));
    }

    if (dl_type_is_ip_any(dl_type)) {
        ds_put_format(s, ",nw_proto=%"PRIu8",nw_tos=%d,nw_ecn=%d"
                      ",nw_ttl=%"PRIu8, flow->nw_proto,
                      flow->nw_tos & IP_DSCP_MASK,
                      flow->nw_tos & IP_ECN_MASK, flow->nw_ttl);
        format_nw_frag(s, flow->nw_frag);
        format_l4(s, flow);
    }
}

char *
flow_to_string(const struct flow *flow)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    flow_format(&s, flow);
    return ds_steal_cstr(&s);
}

/* ------------------------------------------------------------------ */
/* Hashing, comparison, wildcards. */

uint32_t
flow_hash(const struct flow *flow, uint32_t basis)
{
    return hash_words64(flow_u64_const(flow), FLOW_U64S, basis);
}

bool
flow_equal(const struct flow *a, const struct flow *b)
{
    return !memcmp(a, b, sizeof *a);
}

void
flow_wildcards_init_catchall(struct flow_wildcards *wc)
{
    memset(&wc->masks, 0, sizeof wc->masks);
}

void
flow_wildcards_init_exact(struct flow_wildcards *wc)
{
    struct flow *m = &wc->masks;

    memset(m, 0xff, sizeof *m);
    /* Padding is never part of a match. */
    memset(m->pad1, 0, sizeof m->pad1);
    memset(m->pad2, 0, sizeof m->pad2);
    memset(m->pad3, 0, sizeof m->pad3);
    memset(m->pad4, 0, sizeof m->pad4);
    memset(m->pad5, 0, sizeof m->pad5);
    m->tcp_flags = htons(TCP_FLAGS_MASK);
}

/* How many MPLS label stack entries a packet's match covers: as many as
 * Open vSwitch keeps (its FLOW_MAX_MPLS_LABELS), so that parse-pcap
 * prints what ovs-ofctl prints.  A fourth entry, which only Plexus keeps,
 * stays wildcarded. */
#define FLOW_PACKET_MPLS_LSES 3
BUILD_ASSERT_DECL(FLOW_PACKET_MPLS_LSES <= FLOW_MAX_MPLS_LABELS);

/* Sets WC to match exactly the fields that a packet with key FLOW carries:
 * the input port and Ethernet header always; each VLAN header present and
 * the TCI of the first absent one (so "vlan_tci=0x0000" says "no tag" and
 * "vlan_tci1=0x0000" "no inner tag"); tunnel metadata when the packet came
 * from a tunnel; for MPLS, the label stack entries down to the bottom of
 * the stack (at most FLOW_PACKET_MPLS_LSES); then the ARP or IP fields,
 * and the L4 fields that flow_extract() reads unless the packet is a
 * later fragment.  Formatted with match_format(), this is how "ovs-ofctl
 * parse-pcap" prints a packet, except for IGMP and for ICMP over the
 * wrong IP version, whose type and code Open vSwitch prints as "tp_src"
 * and "tp_dst" (text that does not parse back). */
void
flow_wildcards_init_for_packet(struct flow_wildcards *wc,
                               const struct flow *flow)
{
    struct flow *m = &wc->masks;

    flow_wildcards_init_catchall(wc);
    if (flow->tunnel.ip_dst || ipv6_addr_is_set(&flow->tunnel.ipv6_dst)) {
        m->tunnel = (struct flow_tnl) {
            .tun_id = UINT64_MAX, .ip_src = UINT32_MAX,
            .ip_dst = UINT32_MAX, .ipv6_src = in6addr_exact,
            .ipv6_dst = in6addr_exact, .flags = UINT16_MAX,
            .ip_tos = UINT8_MAX, .ip_ttl = UINT8_MAX,
            .tp_src = UINT16_MAX, .tp_dst = UINT16_MAX,
        };
    }
    m->in_port = UINT32_MAX;
    m->recirc_id = flow->recirc_id ? UINT32_MAX : 0;
    memset(&m->dl_dst, 0xff, sizeof m->dl_dst);
    memset(&m->dl_src, 0xff, sizeof m->dl_src);
    m->dl_type = UINT16_MAX;
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        m->vlans[i].tci = UINT16_MAX;
        if (!flow->vlans[i].tci) {
            break;
        }
        m->vlans[i].tpid = UINT16_MAX;
    }

    if (eth_type_mpls(flow->dl_type)) {
        for (int i = 0; i < FLOW_PACKET_MPLS_LSES; i++) {
            m->mpls_lse[i] = UINT32_MAX;
            if (flow->mpls_lse[i] & htonl(MPLS_BOS_MASK)) {
                break;
            }
        }
    } else if (flow->dl_type == htons(ETH_TYPE_ARP)
               || flow->dl_type == htons(ETH_TYPE_RARP)) {
        m->nw_src = m->nw_dst = UINT32_MAX;
        m->nw_proto = UINT8_MAX;
        memset(&m->arp_sha, 0xff, sizeof m->arp_sha);
        memset(&m->arp_tha, 0xff, sizeof m->arp_tha);
    } else if (dl_type_is_ip_any(flow->dl_type)) {
        if (flow->dl_type == htons(ETH_TYPE_IP)) {
            m->nw_src = m->nw_dst = UINT32_MAX;
        } else {
            m->ipv6_src = m->ipv6_dst = in6addr_exact;
            m->ipv6_label = htonl(IPV6_LABEL_MASK);
        }
        m->nw_tos = UINT8_MAX;
        m->nw_ttl = UINT8_MAX;
        m->nw_proto = UINT8_MAX;
        /* A packet that is no fragment cannot be a later one: matching
         * FLOW_NW_FRAG_ANY alone says all there is ("nw_frag=no"). */
        m->nw_frag = (flow->nw_frag & FLOW_NW_FRAG_ANY
                      ? FLOW_NW_FRAG_MASK : FLOW_NW_FRAG_ANY);
        if (flow->nw_frag & FLOW_NW_FRAG_LATER) {
            return;
        }
        switch (flow->nw_proto) {
        case IPPROTO_TCP:
            m->tcp_flags = htons(TCP_FLAGS_MASK);
            /* Fall through. */
        case IPPROTO_UDP:
        case IPPROTO_SCTP:
            m->tp_src = m->tp_dst = UINT16_MAX;
            break;
        /* ICMP type and code only over the IP version they belong to
         * (flow_extract() reads them only there).  Open vSwitch reads and
         * matches them over either, and prints them as "tp_src" and
         * "tp_dst", which no parser accepts for ICMP: a deliberate
         * difference in what parse-pcap prints (see
         * DELIBERATE_DIFFERENCES in tests/interop/test_parse_pcap.py). */
        case IPPROTO_ICMP:
            if (flow->dl_type == htons(ETH_TYPE_IP)) {
                m->tp_src = m->tp_dst = UINT16_MAX;
            }
            break;
        case IPPROTO_ICMPV6:
            if (flow->dl_type != htons(ETH_TYPE_IPV6)) {
                break;
            }
            m->tp_src = m->tp_dst = UINT16_MAX;
            if (flow->tp_dst == 0
                && (flow->tp_src == htons(ND_NEIGHBOR_SOLICIT)
                    || flow->tp_src == htons(ND_NEIGHBOR_ADVERT))) {
                m->nd_target = in6addr_exact;
                memset(&m->arp_sha, 0xff, sizeof m->arp_sha);
                memset(&m->arp_tha, 0xff, sizeof m->arp_tha);
            }
            break;
        }
    }
}

bool
flow_wildcards_is_catchall(const struct flow_wildcards *wc)
{
    const uint64_t *m = flow_u64_const(&wc->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (m[i]) {
            return false;
        }
    }
    return true;
}

bool
flow_wildcards_equal(const struct flow_wildcards *a,
                     const struct flow_wildcards *b)
{
    return flow_equal(&a->masks, &b->masks);
}

void
flow_zero_wildcards(struct flow *flow, const struct flow_wildcards *wc)
{
    uint64_t *f = flow_u64(flow);
    const uint64_t *m = flow_u64_const(&wc->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        f[i] &= m[i];
    }
}
