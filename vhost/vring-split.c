/* vring-split: the split virtqueue layout (virtio 1.x section 2.7).
 *
 * The driver publishes chain heads in avail->ring and then avail->idx;
 * the device reads avail->idx with acquire ordering before any entry or
 * descriptor it covers.  The device writes used elements and then
 * used->idx with release ordering, once per batch.  Indexes are
 * free-running 16-bit counters; the ring position is the index modulo
 * the (power of 2) ring size. */
#include <config.h>
#include "vhost/virtqueue-private.h"

#include <inttypes.h>
#include <string.h>
#include "util.h"

static inline uint16_t *
split_used_event(const struct vhost_vq *vq)
{
    struct vring_avail *avail = vq->layout.avail;
    return &avail->ring[vq->size];
}

static inline uint16_t *
split_avail_event(const struct vhost_vq *vq)
{
    struct vring_used *used = vq->layout.used;
    return (uint16_t *) &used->ring[vq->size];
}

/* Walks the chain whose head is C->id.  Returns VQ_CHAIN_OK or
 * VQ_CHAIN_BAD. */
static enum vq_chain_result
split_walk_chain(struct vhost_vq *vq, bool rx, struct vq_chain *c)
{
    const struct vring_desc *table = vq->layout.desc;
    uint32_t n = vq->size;
    uint32_t idx = c->id;
    bool indirect = false;

    for (uint32_t visited = 0; ; ) {
        struct vring_desc d;

        if (idx >= n) {
            vq_warn_bad(vq, "descriptor %"PRIu32" out of range (%"PRIu32
                        ")%s", idx, n, indirect ? " in indirect table" : "");
            return VQ_CHAIN_BAD;
        }
        if (++visited > n) {
            vq_warn_bad(vq, "descriptor chain at %"PRIu16" loops",
                        c->id);
            return VQ_CHAIN_BAD;
        }
        vq_read_once(&d, &table[idx], sizeof d);

        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (indirect || visited != 1 || d.flags & VRING_DESC_F_NEXT) {
                vq_warn_bad(vq, "indirect descriptor %"PRIu32" %s", idx,
                            indirect ? "inside an indirect table"
                            : "not alone in its chain");
                return VQ_CHAIN_BAD;
            }
            if (!(vq->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC))) {
                vq_warn_bad(vq, "indirect descriptor without "
                            "VIRTIO_RING_F_INDIRECT_DESC");
                return VQ_CHAIN_BAD;
            }
            if (!d.len || d.len % sizeof d || d.len / sizeof d > n) {
                vq_warn_bad(vq, "indirect table of %"PRIu32" bytes",
                            d.len);
                return VQ_CHAIN_BAD;
            }
            table = vhost_mem_gpa_to_hva(vq->mem, d.addr, d.len);
            if (!table) {
                vq_warn_bad(vq, "indirect table %#"PRIx64"+%"PRIu32" is "
                            "outside guest memory", d.addr, d.len);
                return VQ_CHAIN_BAD;
            }
            n = d.len / sizeof d;
            idx = 0;
            visited = 0;
            indirect = true;
            continue;
        }

        if (!vq_add_seg(vq, c, rx, d.addr, d.len, d.flags)) {
            return VQ_CHAIN_BAD;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return VQ_CHAIN_OK;
        }
        idx = d.next;
    }
}

enum vq_chain_result
vring_split_next_chain(struct vhost_vq *vq, bool rx, struct vq_chain *c)
{
    struct vhost_vq_priv *p = vq->priv;
    struct vring_avail *avail = vq->layout.avail;
    uint16_t last = vq->last_avail;

    if (p->avail_idx == last) {
        uint16_t idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
        if ((uint16_t) (idx - last) > vq->size) {
            return vq_set_broken(vq, "avail index %"PRIu16" is more than "
                                 "the ring size %"PRIu16" ahead of %"
                                 PRIu16, idx, vq->size, last);
        }
        p->avail_idx = idx;
        if (idx == last) {
            return VQ_CHAIN_NONE;
        }
        /* The guest's CPU wrote these heads' descriptors: start bringing
         * a batch's worth in at once.  (Prefetches only: each entry is
         * read and checked properly when its turn comes.) */
        const struct vring_desc *table = vq->layout.desc;
        uint16_t n = MIN((uint16_t) (idx - last), NETDEV_MAX_BURST);
        for (uint16_t i = 0; i < n; i++) {
            uint16_t h = avail->ring[(uint16_t) (last + i) & p->ring_mask];
            __builtin_prefetch(&table[h & p->ring_mask]);
        }
    }

    uint16_t head = __atomic_load_n(&avail->ring[last & p->ring_mask],
                                    __ATOMIC_RELAXED);
    if (head >= vq->size) {
        return vq_set_broken(vq, "avail ring entry %"PRIu16" is out of "
                             "range (%"PRIu16")", head, vq->size);
    }
    vq->last_avail = last + 1;
    c->id = head;
    c->n_descs = 1;
    c->n_segs = 0;
    c->len = 0;
    return split_walk_chain(vq, rx, c);
}

void
vring_split_publish(struct vhost_vq *vq)
{
    struct vhost_vq_priv *p = vq->priv;
    struct vring_used *used = vq->layout.used;
    uint32_t n = p->n_shadow;
    uint16_t start = vq->last_used;

    if (!n) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct vring_used_elem *e = &used->ring[(start + i) & p->ring_mask];
        e->id = p->shadow[i].id;
        e->len = p->shadow[i].len;
    }
    __atomic_store_n(&used->idx, (uint16_t) (start + n), __ATOMIC_RELEASE);

    if (vq->log && vq->layout.log_used) {
        uint64_t ring_gpa = vq->layout.used_gpa
                            + offsetof(struct vring_used, ring);
        uint32_t pos = start & p->ring_mask;
        uint32_t first = MIN(n, vq->size - pos);
        vhost_log_write(vq->log, ring_gpa + pos * 8ULL, first * 8ULL);
        if (first < n) {
            vhost_log_write(vq->log, ring_gpa, (n - first) * 8ULL);
        }
        vhost_log_write(vq->log, vq->layout.used_gpa
                        + offsetof(struct vring_used, idx), 2);
    }
    vq->last_used = start + n;
    p->n_shadow = 0;
}

bool
vring_split_need_call(struct vhost_vq *vq, uint16_t old, uint16_t new,
                      bool valid)
{
    const struct vring_avail *avail = vq->layout.avail;
    if (vq->features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t event = __atomic_load_n(split_used_event(vq),
                                         __ATOMIC_RELAXED);
        return !valid || vring_need_event(event, new, old);
    } else {
        uint16_t flags = __atomic_load_n(&avail->flags, __ATOMIC_RELAXED);
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
}

void
vring_split_set_kicks(struct vhost_vq *vq, bool enable)
{
    struct vring_used *used = vq->layout.used;

    if (vq->features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) {
        /* Disabling cannot be expressed: the guest kicks at most once
         * more, when it passes the old avail_event. */
        if (enable) {
            __atomic_store_n(split_avail_event(vq), vq->last_avail,
                             __ATOMIC_RELAXED);
            if (vq->log && vq->layout.log_used) {
                vhost_log_write(vq->log, vq->layout.used_gpa
                                + offsetof(struct vring_used, ring)
                                + vq->size * 8ULL, 2);
            }
        }
    } else {
        __atomic_store_n(&used->flags, enable ? 0 : VRING_USED_F_NO_NOTIFY,
                         __ATOMIC_RELAXED);
        if (vq->log && vq->layout.log_used) {
            vhost_log_write(vq->log, vq->layout.used_gpa, 2);
        }
    }
}

bool
vring_split_has_avail(const struct vhost_vq *vq)
{
    const struct vring_avail *avail = vq->layout.avail;
    uint16_t idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
    return idx != vq->last_avail;
}
