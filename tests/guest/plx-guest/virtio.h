/*
 * tests/guest/plx-guest/virtio.h: a polling virtio-net driver over
 * virtio-pci (modern, virtio 1.x).
 *
 * Per device: queue 0 receives, queue 1 transmits, both split rings of
 * up to PG_VQ_MAX entries.  Descriptor i of a queue always points at
 * packet buffer i (PG_VNET_BUF_SIZE bytes: a 12-byte virtio_net_hdr_v1
 * followed by the frame), so a used-ring id names its buffer directly.
 * The rx ring is kept full: each buffer is handed back as soon as its
 * frame has been processed.  Tx buffers are reclaimed from the used ring.
 *
 * Negotiated: VIRTIO_F_VERSION_1 (required) and VIRTIO_NET_F_MAC, nothing
 * else: no offloads, no mergeable buffers, no event index, no MSI-X
 * (every vector is VIRTIO_MSI_NO_VECTOR) and avail->flags has
 * VRING_AVAIL_F_NO_INTERRUPT: the guest polls.
 *
 * Notifications ("kicks", a 16-bit MMIO write of the queue index, ~3 us
 * through an ioeventfd) are sent only when needed: for tx after new
 * buffers unless the device set VRING_USED_F_NO_NOTIFY; for rx only when
 * the device had (nearly) run out of buffers and the flag is clear.
 *
 * Ring memory comes from a bump allocator over the free RAM the boot
 * info describes; guest-physical = virtual, so pointers are what the
 * device sees.
 */
#ifndef PLX_GUEST_VIRTIO_H
#define PLX_GUEST_VIRTIO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

struct pg_buf;

#define PG_VIRTIO_VENDOR 0x1af4
#define PG_VIRTIO_NET_DEVICE 0x1041     /* 0x1040 + device type 1. */
#define PG_VQ_MAX 1024
#define PG_VNET_BUF_SIZE 2048
#define PG_VNET_HDR_LEN 12              /* struct virtio_net_hdr_v1. */

/* Page-aligned bump allocator over [next, end). */
struct pg_alloc {
    uint64_t next, end;
};

/* Returns zeroed, page-aligned memory of at least SIZE bytes, or NULL. */
void *pg_alloc_pages(struct pg_alloc *, uint64_t size);

struct pg_vq {
    uint16_t index;             /* Queue number (0 rx, 1 tx). */
    uint16_t size;              /* Entries, a power of 2. */
    uint8_t *desc;              /* 16 bytes each. */
    uint16_t *avail;            /* flags, idx, ring[size], used_event. */
    uint8_t *used;              /* flags, idx, {id, len}[size]. */
    uint8_t *bufs;              /* size * PG_VNET_BUF_SIZE. */
    uintptr_t notify;           /* Notify address. */
    uint16_t avail_idx;         /* Next avail->idx to publish. */
    uint16_t last_used;         /* Next used entry to consume. */
    uint16_t n_free;            /* Tx: ids in 'free'. */
    uint16_t free[PG_VQ_MAX];   /* Tx: stack of free descriptor ids. */
    uint64_t kicks;
};

struct pg_vnet {
    struct pg_pci_dev pci;
    uintptr_t common;           /* struct virtio_pci_common_cfg. */
    uintptr_t device_cfg;       /* struct virtio_net_config or 0. */
    uintptr_t notify_base;
    uint32_t notify_mult;
    uint64_t features;          /* Negotiated. */
    uint8_t mac[6];
    bool has_mac;               /* MAC came from the device. */
    struct pg_vq rx, tx;
    uint16_t tx_unkicked;       /* Tx buffers published since the last
                                 * kick decision. */
    uint64_t rx_packets, tx_packets;
};

/* Brings up the virtio-net device DEV.  Returns 0, or -1 with the reason
 * in ERR (the device is then left FAILED or reset). */
int pg_vnet_init(struct pg_vnet *, const struct pg_pci_dev *dev,
                 struct pg_alloc *, struct pg_buf *err);

/* Calls CB for up to BUDGET received frames (pointer into the rx buffer,
 * valid only during the call; length clamped to the buffer), recycles
 * their buffers and kicks rx if the device was running dry.  Returns the
 * number of frames. */
typedef void pg_vnet_rx_cb(void *aux, const uint8_t *frame, size_t len);
int pg_vnet_rx_poll(struct pg_vnet *, int budget, pg_vnet_rx_cb *,
                    void *aux);

/* Copies a LEN-byte frame (at most PG_VNET_BUF_SIZE - PG_VNET_HDR_LEN)
 * into a free tx buffer and publishes it, without kicking.  Returns 0,
 * or -1 if the ring is full (after reclaiming) or LEN is too big. */
int pg_vnet_tx(struct pg_vnet *, const void *frame, size_t len);

/* Kicks tx if buffers were published since the last call and the device
 * wants notifications. */
void pg_vnet_tx_kick(struct pg_vnet *);

/* Takes completed tx buffers back from the used ring; returns how many. */
int pg_vnet_tx_reclaim(struct pg_vnet *);

/* Tx buffers the device has not completed yet. */
static inline unsigned int
pg_vnet_tx_in_flight(const struct pg_vnet *vnet)
{
    return vnet->tx.size - vnet->tx.n_free;
}

#endif /* virtio.h */
