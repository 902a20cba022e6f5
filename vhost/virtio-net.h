/*
 * virtio-net: what a guest's virtio_net_hdr asks of the device on
 * transmit (virtio 1.x 5.1.6.2), done in software.
 *
 *   NEEDS_CSUM   The guest left the L4 checksum for the device: the
 *                field at csum_start + csum_offset holds the pseudo-header
 *                sum, and the device stores the ones-complement sum of
 *                everything from csum_start to the end there (0 becomes
 *                0xffff, as Linux's skb_checksum_help() does).
 *   GSO TCPV4/6  A TCP segment larger than the path allows: cut it into
 *                segments of gso_size payload bytes, each with its own
 *                IPv4 total length / id / header checksum or IPv6 payload
 *                length, TCP sequence number, FIN and PSH only on the
 *                last segment, CWR only on the first, and a full TCP
 *                checksum.
 *   GSO UDP      (UFO) a UDP datagram larger than the MTU: checksum it
 *                whole, then fragment it at the IP layer as Linux did for
 *                UFO: fragments of gso_size bytes (rounded down to a
 *                multiple of 8) of the UDP header and payload; for IPv6 a
 *                fragment header is inserted.
 *
 * Headers are parsed here, not trusted from hdr_len / csum_start: the
 * packet must be Ethernet (up to two VLAN tags), then IPv4 (any options,
 * not a fragment) or IPv6 (no extension headers), then TCP or UDP as
 * gso_type says, all within the packet.  Anything else is EINVAL and the
 * caller drops the packet.
 *
 * Segmentation is lazy: vnet_apply_hdr() keeps the large packet in a
 * struct vnet_gso and vnet_gso_next() produces one segment per call, so
 * the caller never holds more segments than its batch has room for (a
 * guest asking for gso_size 1 gets its 64 kB cut into 1-byte segments,
 * a batch at a time).
 */
#ifndef PLX_VIRTIO_NET_H
#define PLX_VIRTIO_NET_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dp-packet.h"
#include "vhost/virtqueue.h"

/* The virtio-net header length for FEATURES: 12 bytes with
 * VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF, else 10. */
static inline size_t
vnet_hdr_len(uint64_t features)
{
    return (features & ((1ULL << VIRTIO_F_VERSION_1)
                        | (1ULL << VIRTIO_NET_F_MRG_RXBUF))) ? 12 : 10;
}

/* A packet being segmented. */
struct vnet_gso {
    struct dp_packet *pkt;      /* NULL when idle. */
    uint8_t type;               /* VIRTIO_NET_HDR_GSO_TCPV4/TCPV6/UDP. */
    bool ipv6;
    uint16_t l3_ofs;
    uint16_t l4_ofs;
    uint16_t hdrs_len;          /* Bytes repeated in every segment. */
    uint16_t seg_size;          /* Payload bytes per segment. */
    uint32_t ofs;               /* Next payload byte, after hdrs_len. */
    uint32_t k;                 /* Number of the next segment. */
    uint32_t frag_id;           /* IPv6 fragment identification. */
};

/* Applies HDR, as read from the guest, to PKT.  Returns 0 if PKT is
 * ready to go as it is, EINPROGRESS if PKT has moved into GSO (which
 * must be idle) and its segments come from vnet_gso_next(), or EINVAL if
 * the header does not fit the packet (PKT is unchanged; drop it). */
int vnet_apply_hdr(const struct virtio_net_hdr *hdr, struct dp_packet *pkt,
                   struct vnet_gso *gso);
/* Returns the next segment of GSO's packet, or NULL if there is none (GSO
 * is then idle). */
struct dp_packet *vnet_gso_next(struct vnet_gso *gso);
/* Frees GSO's packet, if any. */
void vnet_gso_clear(struct vnet_gso *gso);

#endif /* virtio-net.h */
