/* flow-compose: builds a packet from a flow key; see flow_compose() in
 * flow.h.
 *
 * The packet is the smallest well-formed one that carries the flow:
 * no IP options, no TCP options, no payload beyond what a header needs,
 * padded to the Ethernet minimum.  Lengths and checksums (IPv4 header,
 * TCP, UDP, ICMP, ICMPv6 with the IPv6 pseudo-header, SCTP CRC32c) are
 * computed, so that real stacks and tools such as tshark accept it.
 * Fields that the flow's protocols do not carry are ignored. */
#include <config.h>
#include "flow.h"

#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "packets.h"

/* Enough for the largest packet composed here (Ethernet, two VLAN tags,
 * IPv6 and a fragment header, ND with two options) with room to spare,
 * so that no put reallocates and header pointers stay valid. */
#define FLOW_COMPOSE_MAX 256

static void
compose_metadata(struct pkt_metadata *md, const struct flow *flow)
{
    pkt_metadata_init(md, flow->in_port);
    md->recirc_id = flow->recirc_id;
    md->dp_hash = flow->dp_hash;
    md->skb_priority = flow->skb_priority;
    md->pkt_mark = flow->pkt_mark;
    md->ct_state = flow->ct_state;
    md->ct_zone = flow->ct_zone;
    md->ct_mark = flow->ct_mark;
    md->ct_label = flow->ct_label;
    md->ct_nw_proto = flow->ct_nw_proto;
    md->ct_nw_src = flow->ct_nw_src;
    md->ct_nw_dst = flow->ct_nw_dst;
    md->ct_ipv6_src = flow->ct_ipv6_src;
    md->ct_ipv6_dst = flow->ct_ipv6_dst;
    md->ct_tp_src = flow->ct_tp_src;
    md->ct_tp_dst = flow->ct_tp_dst;
    md->tunnel = flow->tunnel;
}

static void
put_lla_opt(struct dp_packet *p, uint8_t type, struct eth_addr mac)
{
    struct nd_lla_opt *opt = dp_packet_put_zeros(p, sizeof *opt);
    opt->nd_opt_type = type;
    opt->nd_opt_len = 1;
    opt->nd_opt_mac = mac;
}

/* Appends the transport header for FLOW, with its checksum field zero.
 * Returns the header, or NULL if FLOW's nw_proto has none here. */
static void *
compose_l4(struct dp_packet *p, const struct flow *flow, bool is_ipv6)
{
    void *l4 = dp_packet_tail(p);

    /* As flow_extract() does, L4 starts after the IP headers even for a
     * protocol without a header parsed here. */
    dp_packet_set_l4(p, l4);
    switch (flow->nw_proto) {
    case IPPROTO_TCP: {
        struct tcp_header *tcp = dp_packet_put_zeros(p, sizeof *tcp);
        tcp->tcp_src = flow->tp_src;
        tcp->tcp_dst = flow->tp_dst;
        put_16aligned_be32(&tcp->tcp_seq, htonl(1));
        tcp->tcp_ctl = TCP_CTL(ntohs(flow->tcp_flags) & TCP_FLAGS_MASK,
                               TCP_HEADER_LEN / 4);
        tcp->tcp_winsz = htons(65535);
        break;
    }

    case IPPROTO_UDP: {
        struct udp_header *udp = dp_packet_put_zeros(p, sizeof *udp);
        udp->udp_src = flow->tp_src;
        udp->udp_dst = flow->tp_dst;
        udp->udp_len = htons(sizeof *udp);
        break;
    }

    case IPPROTO_SCTP: {
        struct sctp_header *sctp = dp_packet_put_zeros(p, sizeof *sctp);
        sctp->sctp_src = flow->tp_src;
        sctp->sctp_dst = flow->tp_dst;
        put_16aligned_be32(&sctp->sctp_vtag, htonl(0x12345678));
        put_16aligned_be32(&sctp->sctp_csum,
                           sctp_csum(sctp, sizeof *sctp));
        break;
    }

    case IPPROTO_ICMP: {
        if (is_ipv6) {
            return NULL;
        }
        struct icmp_header *icmp = dp_packet_put_zeros(p, sizeof *icmp);
        icmp->icmp_type = ntohs(flow->tp_src);
        icmp->icmp_code = ntohs(flow->tp_dst);
        icmp->icmp_csum = csum(icmp, sizeof *icmp);
        break;
    }

    case IPPROTO_ICMPV6: {
        if (!is_ipv6) {
            return NULL;
        }
        uint8_t type = ntohs(flow->tp_src), code = ntohs(flow->tp_dst);
        if (code == 0 && (type == ND_NEIGHBOR_SOLICIT
                          || type == ND_NEIGHBOR_ADVERT)) {
            struct nd_msg *nd = dp_packet_put_zeros(p, sizeof *nd);
            nd->icmph.icmp6_type = type;
            if (type == ND_NEIGHBOR_ADVERT) {
                put_16aligned_be32(&nd->rso_flags,
                                   htonl(ND_RSO_SOLICITED));
            }
            put_16aligned_in6(&nd->target, &flow->nd_target);
            if (!eth_addr_is_zero(flow->arp_sha)) {
                put_lla_opt(p, ND_OPT_SOURCE_LINKADDR_TYPE, flow->arp_sha);
            }
            if (!eth_addr_is_zero(flow->arp_tha)) {
                put_lla_opt(p, ND_OPT_TARGET_LINKADDR_TYPE, flow->arp_tha);
            }
        } else {
            struct icmp6_data_header *icmp6
                = dp_packet_put_zeros(p, sizeof *icmp6);
            icmp6->icmp6_base.icmp6_type = type;
            icmp6->icmp6_base.icmp6_code = code;
        }
        break;
    }

    default:
        return NULL;
    }
    return l4;
}

/* Fills in the L4 checksum of the L4_LEN bytes at L4 given the
 * pseudo-header sum PSEUDO (not used by ICMPv4 and SCTP, which were
 * finished by compose_l4()). */
static void
compose_l4_csum(const struct flow *flow, void *l4, size_t l4_len,
                uint32_t pseudo)
{
    plx_be16 sum;

    switch (flow->nw_proto) {
    case IPPROTO_TCP:
        sum = csum_finish(csum_continue(pseudo, l4, l4_len));
        ((struct tcp_header *) l4)->tcp_csum = sum;
        break;
    case IPPROTO_UDP:
        ((struct udp_header *) l4)->udp_len = htons(l4_len);
        sum = csum_finish(csum_continue(pseudo, l4, l4_len));
        /* Zero means "no checksum" in UDP; send the other zero. */
        ((struct udp_header *) l4)->udp_csum = sum ? sum : htons(0xffff);
        break;
    case IPPROTO_ICMPV6:
        sum = csum_finish(csum_continue(pseudo, l4, l4_len));
        ((struct icmp6_header *) l4)->icmp6_cksum = sum;
        break;
    default:
        break;
    }
}

static void
compose_ipv4(struct dp_packet *p, const struct flow *flow)
{
    struct ip_header *ip = dp_packet_put_zeros(p, sizeof *ip);
    void *l4 = NULL;

    dp_packet_set_l3(p, ip);
    ip->ip_ihl_ver = IP_IHL_VER(5, IP_VERSION);
    ip->ip_tos = flow->nw_tos;
    ip->ip_id = htons(0x4242);
    ip->ip_ttl = flow->nw_ttl;
    ip->ip_proto = flow->nw_proto;
    put_16aligned_be32(&ip->ip_src, flow->nw_src);
    put_16aligned_be32(&ip->ip_dst, flow->nw_dst);

    if (flow->nw_frag & FLOW_NW_FRAG_LATER) {
        /* A later fragment: offset 1480, some payload, no L4 header. */
        ip->ip_frag_off = htons(1480 / 8);
        memset(dp_packet_put_uninit(p, 16), 0xab, 16);
    } else {
        if (flow->nw_frag & FLOW_NW_FRAG_ANY) {
            ip->ip_frag_off = htons(IP_MORE_FRAGMENTS);
        }
        l4 = compose_l4(p, flow, false);
    }

    size_t tot_len = (char *) dp_packet_tail(p) - (char *) ip;
    ip->ip_tot_len = htons(tot_len);
    ip->ip_csum = csum(ip, sizeof *ip);
    if (l4) {
        size_t l4_len = tot_len - sizeof *ip;
        compose_l4_csum(flow, l4, l4_len,
                        csum_pseudoheader4(flow->nw_src, flow->nw_dst,
                                           flow->nw_proto, l4_len));
    }
}

static void
compose_ipv6(struct dp_packet *p, const struct flow *flow)
{
    struct ip6_header *ip6 = dp_packet_put_zeros(p, sizeof *ip6);
    void *l4 = NULL;

    dp_packet_set_l3(p, ip6);
    put_16aligned_be32(&ip6->ip6_vfl,
                       htonl((6u << 28) | ((uint32_t) flow->nw_tos << 20))
                       | (flow->ipv6_label & htonl(IPV6_LABEL_MASK)));
    ip6->ip6_next = flow->nw_proto;
    ip6->ip6_hop_limit = flow->nw_ttl;
    put_16aligned_in6(&ip6->ip6_src, &flow->ipv6_src);
    put_16aligned_in6(&ip6->ip6_dst, &flow->ipv6_dst);

    if (flow->nw_frag & FLOW_NW_FRAG_ANY) {
        struct ip6_frag_header *fh = dp_packet_put_zeros(p, sizeof *fh);
        ip6->ip6_next = IPPROTO_FRAGMENT;
        /* A later fragment's flow says only IPPROTO_FRAGMENT (see
         * flow_extract()); its header's next header is then unknown. */
        fh->ip6f_nxt = (flow->nw_frag & FLOW_NW_FRAG_LATER
                        && flow->nw_proto == IPPROTO_FRAGMENT
                        ? IPPROTO_NONE : flow->nw_proto);
        fh->ip6f_offlg = htons(flow->nw_frag & FLOW_NW_FRAG_LATER
                               ? 1448 : IP6_FRAG_MORE);
        put_16aligned_be32(&fh->ip6f_ident, htonl(0x42));
    }
    if (flow->nw_frag & FLOW_NW_FRAG_LATER) {
        memset(dp_packet_put_uninit(p, 16), 0xab, 16);
    } else {
        l4 = compose_l4(p, flow, true);
    }

    size_t plen = (char *) dp_packet_tail(p) - (char *) (ip6 + 1);
    ip6->ip6_payload_len = htons(plen);
    if (l4) {
        size_t l4_len = (char *) dp_packet_tail(p) - (char *) l4;
        compose_l4_csum(flow, l4, l4_len,
                        csum_pseudoheader6(&flow->ipv6_src, &flow->ipv6_dst,
                                           flow->nw_proto, l4_len));
    }
}

static void
compose_arp(struct dp_packet *p, const struct flow *flow)
{
    struct arp_eth_header *arp = dp_packet_put_zeros(p, sizeof *arp);

    dp_packet_set_l3(p, arp);
    arp->ar_hrd = htons(ARP_HRD_ETHERNET);
    arp->ar_pro = htons(ARP_PRO_IP);
    arp->ar_hln = ETH_ADDR_LEN;
    arp->ar_pln = 4;
    arp->ar_op = htons(flow->nw_proto);
    arp->ar_sha = flow->arp_sha;
    arp->ar_tha = flow->arp_tha;
    put_16aligned_be32(&arp->ar_spa, flow->nw_src);
    put_16aligned_be32(&arp->ar_tpa, flow->nw_dst);
}

static void
compose_mpls(struct dp_packet *p, const struct flow *flow)
{
    dp_packet_set_l2_5(p, dp_packet_tail(p));
    for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
        plx_be32 lse = flow->mpls_lse[i];
        struct mpls_hdr *mh = dp_packet_put_uninit(p, sizeof *mh);

        put_16aligned_be32(&mh->mpls_lse, lse);
        if (lse & htonl(MPLS_BOS_MASK)) {
            dp_packet_set_l3(p, dp_packet_tail(p));
            break;
        }
    }
}

void
flow_compose(struct dp_packet *p, const struct flow *flow)
{
    uint16_t dl_type = ntohs(flow->dl_type);

    dp_packet_clear(p);
    dp_packet_prealloc_tailroom(p, FLOW_COMPOSE_MAX);
    compose_metadata(&p->md, flow);
    p->rss_hash_valid = false;

    struct eth_header *eth = dp_packet_put_zeros(p, 2 * ETH_ADDR_LEN);
    eth->eth_dst = flow->dl_dst;
    eth->eth_src = flow->dl_src;
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS && flow->vlans[i].qtag; i++) {
        /* TPID and TCI; the CFI bit only marks presence in the flow. */
        plx_be16 *tag = dp_packet_put_uninit(p, VLAN_HEADER_LEN);
        tag[0] = flow->vlans[i].tpid;
        tag[1] = flow->vlans[i].tci & ~htons(VLAN_CFI);
    }

    if (dl_type < ETH_TYPE_MIN) {
        /* 802.3 with an LLC header that is not SNAP (STP's 0x42). */
        plx_be16 *len = dp_packet_put_uninit(p, 2);
        uint8_t llc[LLC_HEADER_LEN] = { 0x42, 0x42, 0x03 };
        dp_packet_put(p, llc, sizeof llc);
        dp_packet_put_zeros(p, ETH_PAYLOAD_MIN - LLC_HEADER_LEN);
        *len = htons(ETH_PAYLOAD_MIN);
        return;
    }
    *(plx_be16 *) dp_packet_put_uninit(p, 2) = flow->dl_type;

    if (eth_type_mpls(flow->dl_type)) {
        compose_mpls(p, flow);
        goto pad;
    }

    /* L3 starts after the EtherType whatever it is (as in extraction). */
    dp_packet_set_l3(p, dp_packet_tail(p));
    if (dl_type == ETH_TYPE_IP) {
        compose_ipv4(p, flow);
    } else if (dl_type == ETH_TYPE_IPV6) {
        compose_ipv6(p, flow);
    } else if (dl_type == ETH_TYPE_ARP || dl_type == ETH_TYPE_RARP) {
        compose_arp(p, flow);
    }

pad:
    if (dp_packet_size(p) < ETH_TOTAL_MIN) {
        dp_packet_put_zeros(p, ETH_TOTAL_MIN - dp_packet_size(p));
    }
}
