/*
 * virtio-driver: the guest's side of a virtqueue, for tests.
 *
 * A struct vdrv_mem is "guest memory": a memfd of a few MiB that this
 * side maps for itself and that the device side maps through
 * vhost_mem_create() exactly as a vhost-user backend would, as one
 * region (or several) at guest-physical address 0 and a made-up frontend
 * virtual address VDRV_UVA_BASE, distinct from any real pointer, so that
 * uva -> hva translation is exercised.  Ring memory comes from a bump
 * allocator at the bottom; packet buffers from a wrap-around area above
 * it (tests never have more than that area in flight).
 *
 * A struct vdrv_queue is one virtqueue, split or packed, driven as a
 * virtio driver would drive it: add chains (tx from bytes, over one or
 * several descriptors, directly or through an indirect table; rx
 * buffers), collect used entries, set event suppression, and ask whether
 * the device wants a kick.  vdrv_queue_start() hands the device side a
 * struct vhost_vq set up on the queue.
 *
 * Every vdrv_add_*() makes its chain available at once (split: avail
 * entry, then avail->idx with release ordering; packed: descriptors,
 * then the head's flags with release ordering).  The raw functions at
 * the end write ring memory as given, for building malformed rings.
 *
 * Failures of the test's own setup (out of memory, bad arguments) fail
 * the running test case.
 */
#ifndef PLX_TESTS_UNIT_VIRTIO_DRIVER_H
#define PLX_TESTS_UNIT_VIRTIO_DRIVER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/vhost-mem.h"
#include "vhost/virtqueue-private.h"
#include "vhost/virtqueue.h"

#define VDRV_UVA_BASE 0x7f1200000000ULL  /* Frontend address of gpa 0. */
#define VDRV_UVA_GAP  0x40000000ULL       /* Between regions' uvas. */
#define VDRV_MEM_DEFAULT (8u << 20)
#define VDRV_MAX_BUFS 64                  /* Buffers per chain. */

struct vdrv_mem {
    int fd;
    uint8_t *base;              /* Our mapping of gpa 0. */
    uint64_t size;
    size_t n_regions;
    struct vhost_mem *mem;      /* The device side's table. */
    uint64_t next;              /* Bump allocator (gpa). */
    uint64_t buf_start;         /* Wrap-around buffer area [start,size). */
    uint64_t buf_next;
};

/* Creates SIZE bytes of guest memory (0: VDRV_MEM_DEFAULT), described to
 * the device as N_REGIONS equal regions (0: one), gpa-contiguous, whose
 * uvas are VDRV_UVA_GAP apart.  RING_AREA bytes at the bottom are for
 * vdrv_alloc() (0: a quarter). */
void vdrv_mem_init(struct vdrv_mem *, uint64_t size, size_t n_regions,
                   uint64_t ring_area);
void vdrv_mem_destroy(struct vdrv_mem *);
/* Permanent allocation from the ring area.  Returns a gpa. */
uint64_t vdrv_alloc(struct vdrv_mem *, uint64_t len, uint64_t align);
/* Buffer allocation from the wrap-around area (8-byte aligned), never
 * across a region boundary.  Returns a gpa. */
uint64_t vdrv_alloc_buf(struct vdrv_mem *, uint64_t len);
void *vdrv_ptr(const struct vdrv_mem *, uint64_t gpa);
uint64_t vdrv_gpa_to_uva(const struct vdrv_mem *, uint64_t gpa);

/* One buffer of a chain as the driver knows it. */
struct vdrv_buf {
    uint64_t gpa;
    uint32_t len;
};

struct vdrv_slot {              /* Per chain id. */
    bool in_use;
    uint16_t n_descs;           /* Split: table entries; packed: slots. */
    uint16_t n_bufs;
    struct vdrv_buf bufs[VDRV_MAX_BUFS];
};

struct vdrv_queue {
    struct vdrv_mem *m;
    bool packed;
    uint16_t size;
    uint64_t features;
    uint64_t desc_gpa;
    uint64_t avail_gpa;         /* Packed: driver event suppression. */
    uint64_t used_gpa;          /* Packed: device event suppression. */
    struct vdrv_slot *slots;    /* 'size', by id. */

    /* Split. */
    uint16_t avail_idx;         /* Next avail->idx to publish. */
    uint16_t last_used;         /* Next used entry to collect. */
    uint16_t free_head;
    uint16_t num_free;
    uint16_t *next_free;

    /* Packed. */
    uint16_t next_avail;        /* Slot, with the wrap counter. */
    bool avail_wrap;
    uint16_t next_used;
    bool used_wrap;
    uint16_t *free_ids;
    uint16_t n_free_ids;
    uint16_t n_free_slots;

    uint16_t kick_old;          /* avail position at the last kick check. */
};

/* Lays out a queue of SIZE entries in M for FEATURES (used only for the
 * header length and for EVENT_IDX). */
void vdrv_queue_init(struct vdrv_queue *, struct vdrv_mem *, uint16_t size,
                     bool packed, uint64_t features);
void vdrv_queue_destroy(struct vdrv_queue *);
/* Translates the ring addresses as a backend would (uva -> hva). */
void vdrv_queue_layout(const struct vdrv_queue *, struct vhost_vq_layout *);
/* Starts VQ on the queue (zeroing it first) at the driver's current
 * avail position (a fresh packed ring: 0x8000, wrap counter 1). */
void vdrv_queue_start(struct vdrv_queue *, struct vhost_vq *, int callfd);

/* Options for a chain.  Zero-initialized means one direct descriptor. */
struct vdrv_chain_opts {
    int n_descs;                /* Spread over this many descriptors. */
    bool indirect;              /* Through an indirect table. */
};

/* Makes LEN bytes available as a device-readable chain.  Returns the id,
 * or -1 if the ring has no room. */
int vdrv_add_out(struct vdrv_queue *, const void *bytes, size_t len,
                 const struct vdrv_chain_opts *);
/* The same for a frame behind HDR (NULL: all zeros), header length from
 * the features. */
int vdrv_add_tx(struct vdrv_queue *, const struct virtio_net_hdr *hdr,
                const void *frame, size_t len,
                const struct vdrv_chain_opts *);
/* Makes a LEN-byte device-writable chain available. */
int vdrv_add_in(struct vdrv_queue *, size_t len,
                const struct vdrv_chain_opts *);

struct vdrv_used {
    uint16_t id;
    uint32_t len;
    struct vdrv_slot slot;      /* The chain's buffers. */
};

/* Collects the next used entry, freeing its descriptors.  Returns false
 * if there is none. */
bool vdrv_get_used(struct vdrv_queue *, struct vdrv_used *);
/* Copies the first MIN(U->len, SIZE) bytes U's buffers hold into DST. */
size_t vdrv_used_read(const struct vdrv_queue *, const struct vdrv_used *,
                      void *dst, size_t size);
/* Receives one packet on an rx queue: its header (12 or 10 bytes) into
 * *HDR, its frame into BUF.  With mergeable buffers, collects
 * num_buffers used entries.  Returns the frame length, or -1 if nothing
 * was used, or -2 if an entry was malformed (e.g. shorter than a
 * header, or num_buffers more than were used). */
int vdrv_recv(struct vdrv_queue *, struct virtio_net_hdr *hdr, void *buf,
              size_t size, int *n_buffers);

/* Event suppression, driver side. */
void vdrv_set_interrupts(struct vdrv_queue *, bool enable);
/* EVENT_IDX: interrupt once the device has used entry IDX (split: a
 * used index; packed: slot | wrap << 15). */
void vdrv_set_used_event(struct vdrv_queue *, uint16_t idx);
/* True if the device asked to be kicked for what was made available
 * since the previous call (vring_need_event() with EVENT_IDX). */
bool vdrv_kick_wanted(struct vdrv_queue *);
/* The driver's current avail position (split: avail idx; packed: slot |
 * wrap << 15) and used position. */
uint16_t vdrv_avail_pos(const struct vdrv_queue *);
uint16_t vdrv_used_pos(const struct vdrv_queue *);

/* Raw ring access. */
struct vring_desc *vdrv_split_desc(const struct vdrv_queue *, uint16_t idx);
/* Puts HEAD in the avail ring and publishes avail->idx + 1. */
void vdrv_split_push_head(struct vdrv_queue *, uint16_t head);
/* Publishes avail->idx = IDX as is. */
void vdrv_split_set_avail_idx(struct vdrv_queue *, uint16_t idx);
struct vring_packed_desc *vdrv_packed_desc(const struct vdrv_queue *,
                                           uint16_t slot);
/* Writes a descriptor at the next avail slot with the AVAIL/USED bits of
 * the current wrap counter (FLAGS gives NEXT, WRITE, INDIRECT) and
 * advances.  If FLAGS has no NEXT and ID is in range, remembers that
 * the chain ending here took N_DESCS slots. */
void vdrv_packed_push(struct vdrv_queue *, uint64_t addr, uint32_t len,
                      uint16_t id, uint16_t flags, uint16_t n_descs);

#endif /* virtio-driver.h */
