/*
 * virtqueue-private: what virtqueue.c (the virtio-net logic) and the two
 * ring formats (vring-split.c, vring-packed.c) share, and the ring
 * layouts in guest memory, which the test driver uses too.
 *
 * The interface between the two layers is three operations:
 *
 *   next chain   Takes the next available descriptor chain, validates
 *                every descriptor in it (direction, length, address
 *                translation, loops, indirect rules) and lists its
 *                buffers as segments (hva, gpa, len) in vq->priv->segs.
 *                A chain that is bad but identifiable is consumed and
 *                reported as VQ_CHAIN_BAD with its id, for the caller to
 *                return as used with length 0.
 *   mark used    vq_mark_used() queues (id, len, n_descs) in the shadow
 *                used array; nothing is visible to the guest yet.
 *   publish      Writes the queued entries to the ring and makes them
 *                visible at once (split: one used->idx store; packed: the
 *                flags of each descriptor), with the barriers virtio
 *                needs, and logs the writes.
 *
 * Because nothing reaches the guest before publish, the caller may undo
 * the chains it took since a checkpoint (enqueue does when a packet does
 * not fit the guest's buffers): vq_checkpoint() / vq_rollback().
 *
 * All ring indexes and ids read from guest memory are read once, with
 * the acquire ordering virtio requires, into locals that are validated
 * before use.
 */
#ifndef PLX_VIRTQUEUE_PRIVATE_H
#define PLX_VIRTQUEUE_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "vhost/virtqueue.h"

/* ------------------------------------------------------------------ */
/* Ring layouts (little-endian; Plexus runs on little-endian hosts). */

#define VRING_DESC_F_NEXT       1
#define VRING_DESC_F_WRITE      2
#define VRING_DESC_F_INDIRECT   4
#define VRING_PACKED_DESC_F_AVAIL (1 << 7)
#define VRING_PACKED_DESC_F_USED  (1 << 15)

#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY     1

#define VRING_PACKED_EVENT_FLAG_ENABLE  0
#define VRING_PACKED_EVENT_FLAG_DISABLE 1
#define VRING_PACKED_EVENT_FLAG_DESC    2
#define VRING_PACKED_WRAP_BIT 15

struct vring_desc {             /* Split descriptor table entry. */
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {            /* Followed by used_event (EVENT_IDX). */
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {             /* Followed by avail_event (EVENT_IDX). */
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};

struct vring_packed_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t id;
    uint16_t flags;
};

struct vring_packed_event {     /* Event suppression structure. */
    uint16_t off_wrap;
    uint16_t flags;
};

BUILD_ASSERT_DECL(sizeof(struct vring_desc) == 16);
BUILD_ASSERT_DECL(sizeof(struct vring_packed_desc) == 16);
BUILD_ASSERT_DECL(sizeof(struct vring_used_elem) == 8);

/* The "should I notify" test of virtio 2.7.10: true if EVENT_IDX lies in
 * the window of indexes (OLD, NEW]. */
static inline bool
vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old)
{
    return (uint16_t) (new_idx - event_idx - 1) < (uint16_t) (new_idx - old);
}

/* Copies N bytes of guest memory at SRC to DST once: the compiler
 * barrier forbids re-reading SRC in place of the copy later, so a value
 * that was validated is the value that is used. */
static inline void
vq_read_once(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    __asm__ __volatile__("" ::: "memory");
}

/* ------------------------------------------------------------------ */
/* Engine state. */

/* One buffer of a chain. */
struct vq_seg {
    uint8_t *hva;
    uint64_t gpa;               /* For the dirty log. */
    uint32_t len;               /* Nonzero. */
};

/* A chain taken from the ring. */
struct vq_chain {
    uint16_t id;                /* Split: head index; packed: buffer id. */
    uint16_t n_descs;           /* Ring slots used (packed; 1 if split). */
    uint32_t n_segs;            /* In vq->priv->segs. */
    uint32_t len;               /* Sum of the segment lengths. */
};

struct vq_used {
    uint16_t id;
    uint16_t n_descs;
    uint32_t len;
};

enum vq_chain_result {
    VQ_CHAIN_OK,
    VQ_CHAIN_NONE,              /* Nothing available. */
    VQ_CHAIN_BAD,               /* Consumed; return as used, length 0. */
    VQ_CHAIN_BROKEN,            /* vq->broken is now set. */
};

struct vhost_vq_priv {
    struct vq_seg *segs;        /* 'size' entries. */
    struct vq_used *shadow;     /* 'size' entries: used, not published. */
    uint32_t n_shadow;
    uint16_t avail_idx;         /* Split: last avail->idx read. */
    uint16_t ring_mask;         /* Split: size - 1. */
    struct vnet_gso *gso;       /* TSO/UFO packet being segmented. */
};

/* Where enqueue can return to. */
struct vq_checkpoint {
    uint16_t last_avail;
    uint16_t avail_idx;
    uint32_t n_shadow;
};

static inline void
vq_checkpoint(const struct vhost_vq *vq, struct vq_checkpoint *cp)
{
    cp->last_avail = vq->last_avail;
    cp->avail_idx = vq->priv->avail_idx;
    cp->n_shadow = vq->priv->n_shadow;
}

static inline void
vq_rollback(struct vhost_vq *vq, const struct vq_checkpoint *cp)
{
    vq->last_avail = cp->last_avail;
    vq->priv->avail_idx = cp->avail_idx;
    vq->priv->n_shadow = cp->n_shadow;
}

static inline void
vq_mark_used(struct vhost_vq *vq, const struct vq_chain *c, uint32_t len)
{
    struct vhost_vq_priv *p = vq->priv;
    struct vq_used *u = &p->shadow[p->n_shadow++];

    u->id = c->id;
    u->n_descs = c->n_descs;
    u->len = len;
}

/* vring-split.c. */
enum vq_chain_result vring_split_next_chain(struct vhost_vq *, bool rx,
                                            struct vq_chain *);
void vring_split_publish(struct vhost_vq *);
/* Whether the guest wants an interrupt now that the used position moved
 * from OLD (meaningful if VALID) to NEW; the caller has fenced. */
bool vring_split_need_call(struct vhost_vq *, uint16_t old, uint16_t new,
                           bool valid);
void vring_split_set_kicks(struct vhost_vq *, bool enable);
bool vring_split_has_avail(const struct vhost_vq *);

/* vring-packed.c. */
enum vq_chain_result vring_packed_next_chain(struct vhost_vq *, bool rx,
                                             struct vq_chain *);
void vring_packed_publish(struct vhost_vq *);
bool vring_packed_need_call(struct vhost_vq *, uint16_t old, uint16_t new,
                            bool valid);
void vring_packed_set_kicks(struct vhost_vq *, bool enable);
bool vring_packed_has_avail(const struct vhost_vq *);

/* Validates one descriptor's buffer for a chain: nonzero length, the
 * right direction, inside guest memory, and the chain within
 * VHOST_VQ_MAX_PKT bytes and 'size' segments.  Appends it to the
 * segments of C.  Returns false (logging why) if the chain is bad. */
bool vq_add_seg(struct vhost_vq *, struct vq_chain *c, bool rx,
                uint64_t addr, uint32_t len, uint16_t flags);
/* Logs the rate-limited warning for a bad chain or a broken ring. */
void vq_warn_bad(const struct vhost_vq *, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);
enum vq_chain_result vq_set_broken(struct vhost_vq *, const char *format,
                                   ...) PLX_PRINTF_FORMAT(2, 3);

#endif /* virtqueue-private.h */
