/* virtio-net: checksum completion and software GSO; see virtio-net.h. */
#include <config.h>
#include "vhost/virtio-net.h"

#include <errno.h>
#include <string.h>
#include "csum.h"
#include "packets.h"
#include "util.h"

static uint32_t vnet_frag_id_counter;

/* Stores checksum SUM at P, 0 becoming 0xffff. */
static inline void
vnet_put_csum(void *p, plx_be16 sum)
{
    if (!sum) {
        sum = 0xffff;
    }
    memcpy(p, &sum, sizeof sum);
}

static int
vnet_complete_csum(struct dp_packet *pkt, uint16_t start, uint16_t offset)
{
    uint8_t *data = dp_packet_data(pkt);
    uint32_t size = dp_packet_size(pkt);

    if (start >= size || size - start < 2 || offset > size - start - 2) {
        return EINVAL;
    }
    vnet_put_csum(data + start + offset, csum(data + start, size - start));
    return 0;
}

/* Finds the L3 and L4 headers of PKT for GSO->type, filling in GSO's
 * offsets.  Returns 0 or EINVAL. */
static int
vnet_gso_parse(const struct dp_packet *pkt, struct vnet_gso *gso)
{
    const uint8_t *data = dp_packet_data(pkt);
    uint32_t size = dp_packet_size(pkt);
    uint32_t ofs = 2 * ETH_ADDR_LEN;
    uint8_t proto;

    if (size < ETH_HEADER_LEN) {
        return EINVAL;
    }
    plx_be16 type = get_unaligned_be16(data + ofs);
    for (int i = 0; i < 2 && eth_type_vlan(type); i++) {
        ofs += VLAN_HEADER_LEN;
        if (ofs + 2 > size) {
            return EINVAL;
        }
        type = get_unaligned_be16(data + ofs);
    }
    uint32_t l3 = ofs + 2;

    if (type == htons(ETH_TYPE_IP)) {
        const struct ip_header *ip = (const void *) (data + l3);
        if (l3 + IP_HEADER_LEN > size
            || IP_VER(ip->ip_ihl_ver) != IP_VERSION) {
            return EINVAL;
        }
        uint32_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
        if (ihl < IP_HEADER_LEN || l3 + ihl > size
            || IP_IS_FRAGMENT(ip->ip_frag_off)
            || gso->type == VIRTIO_NET_HDR_GSO_TCPV6) {
            return EINVAL;
        }
        proto = ip->ip_proto;
        gso->ipv6 = false;
        gso->l4_ofs = l3 + ihl;
    } else if (type == htons(ETH_TYPE_IPV6)) {
        const struct ip6_header *ip6 = (const void *) (data + l3);
        if (l3 + IPV6_HEADER_LEN > size
            || (((const uint8_t *) ip6)[0] >> 4) != 6
            || gso->type == VIRTIO_NET_HDR_GSO_TCPV4) {
            return EINVAL;
        }
        proto = ip6->ip6_next;
        gso->ipv6 = true;
        gso->l4_ofs = l3 + IPV6_HEADER_LEN;
    } else {
        return EINVAL;
    }
    gso->l3_ofs = l3;

    uint32_t l4 = gso->l4_ofs;
    if (gso->type == VIRTIO_NET_HDR_GSO_UDP) {
        if (proto != IPPROTO_UDP || l4 + UDP_HEADER_LEN > size) {
            return EINVAL;
        }
        gso->hdrs_len = l4;
    } else {
        const struct tcp_header *tcp = (const void *) (data + l4);
        if (proto != IPPROTO_TCP || l4 + TCP_HEADER_LEN > size) {
            return EINVAL;
        }
        uint32_t thlen = TCP_OFFSET(tcp->tcp_ctl) * 4;
        if (thlen < TCP_HEADER_LEN || l4 + thlen > size) {
            return EINVAL;
        }
        gso->hdrs_len = l4 + thlen;
    }
    return 0;
}

/* Makes segment K of GSO, which is PKT with PAYLOAD bytes after the
 * headers, consistent: lengths, ids, flags and checksums.  Returns 0 or
 * EINVAL if a length does not fit its field. */
static int
vnet_tso_fixup(const struct vnet_gso *gso, struct dp_packet *pkt,
               uint32_t k, bool last)
{
    uint8_t *data = dp_packet_data(pkt);
    uint32_t size = dp_packet_size(pkt);
    struct tcp_header *tcp = (void *) (data + gso->l4_ofs);
    uint32_t l4_len = size - gso->l4_ofs;

    if (size - gso->l3_ofs > UINT16_MAX) {
        return EINVAL;
    }

    put_16aligned_be32(&tcp->tcp_seq,
                       htonl(ntohl(get_16aligned_be32(&tcp->tcp_seq))
                             + k * (uint32_t) gso->seg_size));
    uint16_t ctl = ntohs(tcp->tcp_ctl);
    if (!last) {
        ctl &= ~(TCP_FIN | TCP_PSH);
    }
    if (k) {
        ctl &= ~TCP_CWR;
    }
    tcp->tcp_ctl = htons(ctl);
    tcp->tcp_csum = 0;

    if (gso->ipv6) {
        struct ip6_header *ip6 = (void *) (data + gso->l3_ofs);
        ip6->ip6_payload_len = htons(size - gso->l3_ofs - IPV6_HEADER_LEN);
        tcp->tcp_csum = packet_csum_upperlayer6(ip6, tcp, IPPROTO_TCP,
                                                l4_len);
    } else {
        struct ip_header *ip = (void *) (data + gso->l3_ofs);
        ip->ip_tot_len = htons(size - gso->l3_ofs);
        ip->ip_id = htons(ntohs(ip->ip_id) + k);
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
        uint32_t sum = csum_pseudoheader4(get_16aligned_be32(&ip->ip_src),
                                          get_16aligned_be32(&ip->ip_dst),
                                          IPPROTO_TCP, l4_len);
        tcp->tcp_csum = csum_finish(csum_continue(sum, tcp, l4_len));
    }
    return 0;
}

/* Checksums the whole UDP datagram of GSO's packet.  Returns 0 or
 * EINVAL. */
static int
vnet_udp_csum(struct vnet_gso *gso)
{
    uint8_t *data = dp_packet_data(gso->pkt);
    struct udp_header *udp = (void *) (data + gso->l4_ofs);
    uint32_t l4_len = dp_packet_size(gso->pkt) - gso->l4_ofs;

    if (l4_len > UINT16_MAX) {
        return EINVAL;
    }
    udp->udp_len = htons(l4_len);
    udp->udp_csum = 0;
    if (gso->ipv6) {
        const struct ip6_header *ip6 = (const void *) (data + gso->l3_ofs);
        vnet_put_csum(&udp->udp_csum,
                      packet_csum_upperlayer6(ip6, udp, IPPROTO_UDP,
                                              l4_len));
    } else {
        const struct ip_header *ip = (const void *) (data + gso->l3_ofs);
        uint32_t sum = csum_pseudoheader4(get_16aligned_be32(&ip->ip_src),
                                          get_16aligned_be32(&ip->ip_dst),
                                          IPPROTO_UDP, l4_len);
        vnet_put_csum(&udp->udp_csum,
                      csum_finish(csum_continue(sum, udp, l4_len)));
    }
    return 0;
}

int
vnet_apply_hdr(const struct virtio_net_hdr *hdr, struct dp_packet *pkt,
               struct vnet_gso *gso)
{
    uint8_t type = hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

    if (type == VIRTIO_NET_HDR_GSO_NONE) {
        return (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM
                ? vnet_complete_csum(pkt, hdr->csum_start, hdr->csum_offset)
                : 0);
    }
    if ((type != VIRTIO_NET_HDR_GSO_TCPV4
         && type != VIRTIO_NET_HDR_GSO_TCPV6
         && type != VIRTIO_NET_HDR_GSO_UDP) || !hdr->gso_size) {
        return EINVAL;
    }

    plx_assert(!gso->pkt);
    struct vnet_gso g = { .type = type, .seg_size = hdr->gso_size };
    int error = vnet_gso_parse(pkt, &g);
    if (error) {
        return error;
    }
    uint32_t payload = dp_packet_size(pkt) - g.hdrs_len;
    if (type == VIRTIO_NET_HDR_GSO_UDP) {
        g.seg_size &= ~7;
        if (!g.seg_size
            || (g.hdrs_len - g.l3_ofs + IP6_FRAG_HEADER_LEN
                + MIN(g.seg_size, payload) > UINT16_MAX)) {
            return EINVAL;
        }
        g.pkt = pkt;
        error = vnet_udp_csum(&g);
        if (error || payload <= g.seg_size) {
            return error;
        }
        g.frag_id = __atomic_add_fetch(&vnet_frag_id_counter, 1,
                                       __ATOMIC_RELAXED);
    } else {
        /* Every segment's IP length must fit in 16 bits. */
        if (g.hdrs_len - g.l3_ofs + MIN(g.seg_size, payload) > UINT16_MAX) {
            return EINVAL;
        }
        if (payload <= g.seg_size) {
            g.seg_size = MAX(payload, 1);
            return vnet_tso_fixup(&g, pkt, 0, true);
        }
        g.pkt = pkt;
    }
    *gso = g;
    return EINPROGRESS;
}

/* Builds fragment K of a UFO datagram: the headers before L4, then N
 * bytes of the datagram from OFS. */
static struct dp_packet *
vnet_ufo_fragment(const struct vnet_gso *gso, uint32_t ofs, uint32_t n,
                  bool last)
{
    const uint8_t *src = dp_packet_data(gso->pkt);
    uint32_t extra = gso->ipv6 ? IP6_FRAG_HEADER_LEN : 0;
    struct dp_packet *seg = dp_packet_new_with_headroom(
        gso->hdrs_len + extra + n, DP_PACKET_DEFAULT_HEADROOM);

    dp_packet_put(seg, src, gso->hdrs_len);
    if (gso->ipv6) {
        struct ip6_frag_header *fh = dp_packet_put_zeros(seg, sizeof *fh);
        uint8_t *data = dp_packet_data(seg);
        struct ip6_header *ip6 = (void *) (data + gso->l3_ofs);

        fh->ip6f_nxt = IPPROTO_UDP;
        fh->ip6f_offlg = htons(ofs | (last ? 0 : IP6_FRAG_MORE));
        put_16aligned_be32(&fh->ip6f_ident, htonl(gso->frag_id));
        ip6->ip6_next = IPPROTO_FRAGMENT;
        ip6->ip6_payload_len = htons(extra + n);
    }
    dp_packet_put(seg, src + gso->hdrs_len + ofs, n);
    if (!gso->ipv6) {
        struct ip_header *ip = (void *) ((uint8_t *) dp_packet_data(seg)
                                         + gso->l3_ofs);
        ip->ip_tot_len = htons(dp_packet_size(seg) - gso->l3_ofs);
        ip->ip_frag_off = htons((ofs / 8) | (last ? 0 : IP_MORE_FRAGMENTS));
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
    }
    return seg;
}

struct dp_packet *
vnet_gso_next(struct vnet_gso *gso)
{
    if (!gso->pkt) {
        return NULL;
    }

    uint32_t total = dp_packet_size(gso->pkt) - gso->hdrs_len;
    uint32_t n = MIN(gso->seg_size, total - gso->ofs);
    bool last = gso->ofs + n >= total;
    struct dp_packet *seg;

    if (gso->type == VIRTIO_NET_HDR_GSO_UDP) {
        seg = vnet_ufo_fragment(gso, gso->ofs, n, last);
    } else {
        const uint8_t *src = dp_packet_data(gso->pkt);
        seg = dp_packet_new_with_headroom(gso->hdrs_len + n,
                                          DP_PACKET_DEFAULT_HEADROOM);
        dp_packet_put(seg, src, gso->hdrs_len);
        dp_packet_put(seg, src + gso->hdrs_len + gso->ofs, n);
        /* Cannot fail: every segment is shorter than the whole. */
        vnet_tso_fixup(gso, seg, gso->k, last);
    }
    gso->ofs += n;
    gso->k++;
    if (last) {
        vnet_gso_clear(gso);
    }
    return seg;
}

void
vnet_gso_clear(struct vnet_gso *gso)
{
    dp_packet_delete(gso->pkt);
    gso->pkt = NULL;
}
