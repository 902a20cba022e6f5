/*
 * virtqueue: the device side of a virtio-net queue in guest memory.
 *
 * This is the one virtio engine of Plexus: the vhost-user backend drives
 * it for QEMU, DPDK virtio-user and plx-vm alike.  A struct vhost_vq is
 * one virtqueue, split (virtio 1.x section 2.7) or packed (2.8), whose
 * rings and buffers live in memory the frontend shared (vhost-mem.h).
 * The virtio-net logic sits above the ring layout and is shared by both:
 *
 *   vhost_vq_dequeue()  guest tx queue -> packets for the switch: walks
 *                       each available descriptor chain (direct or
 *                       indirect), copies it out, strips the virtio-net
 *                       header and applies what it asks for (finishing a
 *                       partial checksum, segmenting a TSO/UFO packet in
 *                       software) and returns the chain as used.
 *   vhost_vq_enqueue()  packets from the switch -> guest rx queue: copies
 *                       each packet behind a virtio-net header into the
 *                       guest's buffers, across several chains when
 *                       mergeable rx buffers were negotiated.
 *
 * Batching and notification.  Each call moves up to a batch of packets
 * and publishes the used entries once.  The guest is interrupted
 * (callfd written) by vhost_vq_notify() at most once per call to it and
 * only when it asked to be: VRING_AVAIL_F_NO_INTERRUPT (split) or the
 * event suppression structure (packed) without VIRTIO_RING_F_EVENT_IDX,
 * used_event / the event offset with it.  The same holds the other way:
 * while a thread polls a queue it tells the guest not to kick
 * (vhost_vq_set_kicks(false)); before sleeping it asks for kicks again,
 * and vhost_vq_set_kicks(true) returns true if buffers arrived
 * meanwhile, so that no kick is ever lost.
 *
 * Hostile guests.  Everything in guest memory may change at any moment:
 * each descriptor, index and header is read exactly once into a local
 * copy and validated there.  Every address goes through vhost_mem; a
 * chain is limited to the ring size in length (indirect tables to their
 * own length, no nested indirect) and to VHOST_VQ_MAX_PKT bytes; a
 * device-writable descriptor in a tx chain or a read-only one in an rx
 * chain is an error.  A bad chain is returned as used with length 0,
 * counted in 'errors', and its packet dropped.  A ring-level
 * inconsistency (an avail index more than 'size' ahead of what was
 * consumed, a packed ring id out of range) is not survivable: the queue
 * is marked broken, counted, and moves nothing until it is set up again.
 * No guest input ever asserts, faults or reads or writes outside the
 * shared regions.
 *
 * Threads.  A queue is used by one thread at a time; the caller
 * serializes (the backend holds a per-queue lock).  vhost_vq_start()
 * and the setters are for when no thread is using the queue.
 */
#ifndef PLX_VIRTQUEUE_H
#define PLX_VIRTQUEUE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dp-packet.h"
#include "vhost-mem.h"

/* Feature bits (virtio 1.x and vhost). */
#define VIRTIO_NET_F_CSUM                0
#define VIRTIO_NET_F_GUEST_CSUM          1
#define VIRTIO_NET_F_MTU                 3
#define VIRTIO_NET_F_MAC                 5
#define VIRTIO_NET_F_GUEST_TSO4          7
#define VIRTIO_NET_F_GUEST_TSO6          8
#define VIRTIO_NET_F_GUEST_UFO          10
#define VIRTIO_NET_F_HOST_TSO4          11
#define VIRTIO_NET_F_HOST_TSO6          12
#define VIRTIO_NET_F_HOST_UFO           14
#define VIRTIO_NET_F_MRG_RXBUF          15
#define VIRTIO_NET_F_STATUS             16
#define VIRTIO_NET_F_CTRL_VQ            17
#define VIRTIO_NET_F_GUEST_ANNOUNCE     21
#define VIRTIO_NET_F_MQ                 22
#define VIRTIO_F_NOTIFY_ON_EMPTY        24
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VHOST_USER_F_PROTOCOL_FEATURES  30
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_RING_PACKED            34
#define VIRTIO_F_IN_ORDER               35
#define VHOST_F_LOG_ALL                 26

#define VHOST_VQ_MAX_SIZE 32768         /* Largest ring, per virtio. */
#define VHOST_VQ_MAX_PKT (64 * 1024 + 128)  /* Longest chain, bytes. */

/* The virtio-net header (virtio 1.x 5.1.6), as it sits in guest memory. */
struct virtio_net_hdr {
    uint8_t flags;
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
    uint8_t gso_type;
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN 0x80
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;       /* Only with MRG_RXBUF or VERSION_1. */
};

/* Where a queue's rings are, as guest-visible addresses already
 * translated by the caller (vhost_mem_uva_to_hva()) and checked to span
 * the whole ring of 'size' entries. */
struct vhost_vq_layout {
    void *desc;                 /* Descriptor table / packed ring. */
    void *avail;                /* Split: avail ring; packed: driver
                                 * event suppression. */
    void *used;                 /* Split: used ring; packed: device
                                 * event suppression. */
    uint64_t used_gpa;          /* Guest-physical address of 'used' (and
                                 * of the packed ring in 'desc_gpa'), for
                                 * the dirty log. */
    uint64_t desc_gpa;
    bool log_used;              /* Log writes to the used ring. */
};

struct vhost_vq_stats {
    uint64_t packets;           /* Moved (dequeue: segments out). */
    uint64_t bytes;
    uint64_t errors;            /* Bad chains or headers, dropped. */
    uint64_t dropped;           /* No guest buffer for an rx packet. */
    uint64_t calls;             /* Interrupts sent to the guest. */
    uint64_t kicks_asked;       /* Times the queue re-enabled kicks. */
    uint64_t broken;            /* Times the ring was found broken. */
};

struct vhost_vq {
    /* Set up by vhost_vq_start(); read-only while running. */
    uint16_t size;
    uint64_t features;          /* Negotiated device features. */
    struct vhost_vq_layout layout;
    const struct vhost_mem *mem;
    struct vhost_log *log;      /* NULL unless logging. */
    int callfd;                 /* -1: never interrupt. */
    bool packed;
    bool broken;

    /* Ring state.  Split: 'last_avail' and 'last_used' are free-running
     * 16-bit indexes.  Packed: the low 15 bits are the ring position and
     * bit 15 the wrap counter, as in GET/SET_VRING_BASE. */
    uint16_t last_avail;
    uint16_t last_used;
    uint16_t signalled_used;    /* last_used when the guest was last
                                 * interrupted (EVENT_IDX). */
    bool signalled_used_valid;
    bool kicks_enabled;

    /* Engine state private to vhost/ (segment and shadow used arrays,
     * the TSO/UFO packet whose segments did not fit the caller's batch
     * and are returned first by the next dequeue).  Allocated by
     * vhost_vq_start() and freed by vhost_vq_stop(): a struct vhost_vq
     * must be zero-initialized before its first start. */
    struct vhost_vq_priv *priv;

    struct vhost_vq_stats stats;
};

/* Prepares VQ to run with the given layout.  'base' is the frontend's
 * SET_VRING_BASE value.  Returns 0, or EINVAL if SIZE is not a valid
 * ring size (split: a power of 2 up to 32768; packed: 1 to 32768) or
 * BASE is out of range for it (packed: position >= SIZE).  Starting a
 * started queue stops it first.  Stats are kept across restarts. */
int vhost_vq_start(struct vhost_vq *, uint16_t size, bool packed,
                   uint64_t features, const struct vhost_vq_layout *,
                   const struct vhost_mem *, struct vhost_log *,
                   int callfd, uint16_t base);
/* Stops VQ and returns the base that GET_VRING_BASE reports (the next
 * avail index the device would have read, with the packed wrap bit).
 * Frees pending packets. */
uint16_t vhost_vq_stop(struct vhost_vq *);
/* Swaps the memory table, log or callfd of a running queue.  The caller
 * holds off every user of VQ meanwhile. */
void vhost_vq_set_mem(struct vhost_vq *, const struct vhost_mem *);
void vhost_vq_set_log(struct vhost_vq *, struct vhost_log *);
void vhost_vq_set_callfd(struct vhost_vq *, int callfd);

/* Appends up to NETDEV_MAX_BURST - BATCH->count packets taken from the
 * guest (tx queue) to BATCH.  Returns the number added. */
size_t vhost_vq_dequeue(struct vhost_vq *, struct dp_packet_batch *batch);
/* Copies the packets of BATCH into the guest (rx queue), in order, until
 * the guest runs out of buffers.  Returns the number delivered; the
 * caller still owns every packet (and counts the rest as dropped:
 * 'stats.dropped' counts them here too). */
size_t vhost_vq_enqueue(struct vhost_vq *, struct dp_packet_batch *batch);
/* Interrupts the guest if entries were used since the last interrupt
 * and the guest wants to hear about them. */
void vhost_vq_notify(struct vhost_vq *);
/* Asks the guest to kick (ENABLE) or not to kick.  Returns true if the
 * guest has made buffers available that the device has not consumed
 * (the caller must then poll again rather than sleep). */
bool vhost_vq_set_kicks(struct vhost_vq *, bool enable);
/* True if the guest has made buffers available not yet consumed. */
bool vhost_vq_has_avail(const struct vhost_vq *);

#endif /* virtqueue.h */
