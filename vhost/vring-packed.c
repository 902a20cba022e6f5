/* vring-packed: the packed virtqueue layout (virtio 1.x section 2.8).
 *
 * One ring of descriptors serves both directions.  The driver makes a
 * chain available by writing its descriptors, then (release) the flags
 * of the first one, with AVAIL equal to its wrap counter and USED the
 * opposite; the device reads that flags word with acquire ordering, and
 * the rest of the chain after it.  The buffer id is in the chain's last
 * descriptor.  The device returns a chain by writing one descriptor at
 * its own used position (id, length, then flags with AVAIL and USED both
 * equal to its wrap counter, release) and advances that position by the
 * number of descriptors the chain took.
 *
 * Positions are kept as in GET_VRING_BASE: bits 0-14 the slot, bit 15
 * the wrap counter. */
#include <config.h>
#include "vhost/virtqueue-private.h"

#include <inttypes.h>
#include <string.h>
#include "util.h"

#define POS_MASK 0x7fff

static inline bool
packed_desc_is_avail(uint16_t flags, bool wrap)
{
    bool avail = (flags & VRING_PACKED_DESC_F_AVAIL) != 0;
    bool used = (flags & VRING_PACKED_DESC_F_USED) != 0;
    return avail != used && avail == wrap;
}

/* Walks the indirect table of descriptor D into C.  Returns false if the
 * chain is bad. */
static bool
packed_walk_indirect(struct vhost_vq *vq, bool rx, struct vq_chain *c,
                     const struct vring_packed_desc *d)
{
    if (!(vq->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC))) {
        vq_warn_bad(vq, "indirect descriptor without "
                    "VIRTIO_RING_F_INDIRECT_DESC");
        return false;
    }
    if (!d->len || d->len % sizeof *d || d->len / sizeof *d > vq->size) {
        vq_warn_bad(vq, "indirect table of %"PRIu32" bytes", d->len);
        return false;
    }
    const struct vring_packed_desc *table
        = vhost_mem_gpa_to_hva(vq->mem, d->addr, d->len);
    if (!table) {
        vq_warn_bad(vq, "indirect table %#"PRIx64"+%"PRIu32" is outside "
                    "guest memory", d->addr, d->len);
        return false;
    }
    for (uint32_t i = 0; i < d->len / sizeof *d; i++) {
        struct vring_packed_desc e;

        vq_read_once(&e, &table[i], sizeof e);
        if (e.flags & VRING_DESC_F_INDIRECT) {
            vq_warn_bad(vq, "indirect descriptor inside an indirect "
                        "table");
            return false;
        }
        if (!vq_add_seg(vq, c, rx, e.addr, e.len, e.flags)) {
            return false;
        }
    }
    return true;
}

enum vq_chain_result
vring_packed_next_chain(struct vhost_vq *vq, bool rx, struct vq_chain *c)
{
    struct vring_packed_desc *descs = vq->layout.desc;
    uint32_t pos = vq->last_avail & POS_MASK;
    bool wrap = vq->last_avail >> VRING_PACKED_WRAP_BIT;
    uint16_t flags = __atomic_load_n(&descs[pos].flags, __ATOMIC_ACQUIRE);

    if (!packed_desc_is_avail(flags, wrap)) {
        return VQ_CHAIN_NONE;
    }

    bool bad = false;
    uint16_t id;
    c->n_descs = 0;
    c->n_segs = 0;
    c->len = 0;
    for (;;) {
        struct vring_packed_desc d;

        if (c->n_descs >= vq->size) {
            return vq_set_broken(vq, "descriptor chain at %"PRIu16" is "
                                 "longer than the ring",
                                 vq->last_avail);
        }
        vq_read_once(&d, &descs[pos], sizeof d);
        if (!c->n_descs) {
            d.flags = flags;    /* The value that was checked. */
        }
        c->n_descs++;
        if (++pos >= vq->size) {
            pos = 0;
            wrap = !wrap;
        }

        if (bad) {
            /* Skip to the end of a bad chain. */
        } else if (d.flags & VRING_DESC_F_INDIRECT) {
            if (c->n_descs != 1 || d.flags & VRING_DESC_F_NEXT) {
                vq_warn_bad(vq, "indirect descriptor not alone in its "
                            "chain");
                bad = true;
            } else {
                bad = !packed_walk_indirect(vq, rx, c, &d);
            }
        } else {
            bad = !vq_add_seg(vq, c, rx, d.addr, d.len, d.flags);
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            id = d.id;
            break;
        }
    }

    if (id >= vq->size) {
        return vq_set_broken(vq, "buffer id %"PRIu16" is out of range (%"
                             PRIu16")", id, vq->size);
    }
    vq->last_avail = pos | (uint16_t) wrap << VRING_PACKED_WRAP_BIT;
    c->id = id;
    return bad ? VQ_CHAIN_BAD : VQ_CHAIN_OK;
}

void
vring_packed_publish(struct vhost_vq *vq)
{
    struct vhost_vq_priv *p = vq->priv;
    struct vring_packed_desc *descs = vq->layout.desc;
    uint32_t pos = vq->last_used & POS_MASK;
    bool wrap = vq->last_used >> VRING_PACKED_WRAP_BIT;
    bool log = vq->log && vq->layout.log_used;

    for (uint32_t i = 0; i < p->n_shadow; i++) {
        const struct vq_used *u = &p->shadow[i];
        struct vring_packed_desc *d = &descs[pos];
        uint16_t flags = (wrap ? VRING_PACKED_DESC_F_AVAIL
                          | VRING_PACKED_DESC_F_USED : 0)
                         | (u->len ? VRING_DESC_F_WRITE : 0);

        d->id = u->id;
        d->len = u->len;
        __atomic_store_n(&d->flags, flags, __ATOMIC_RELEASE);
        if (log) {
            vhost_log_write(vq->log, vq->layout.desc_gpa
                            + pos * (uint64_t) sizeof *d, sizeof *d);
        }
        pos += u->n_descs;
        if (pos >= vq->size) {
            pos -= vq->size;
            wrap = !wrap;
        }
    }
    vq->last_used = pos | (uint16_t) wrap << VRING_PACKED_WRAP_BIT;
    p->n_shadow = 0;
}

bool
vring_packed_need_call(struct vhost_vq *vq, uint16_t old, uint16_t new,
                       bool valid)
{
    const struct vring_packed_event *ev = vq->layout.avail;
    uint16_t flags = __atomic_load_n(&ev->flags, __ATOMIC_RELAXED);
    if (flags == VRING_PACKED_EVENT_FLAG_DISABLE) {
        return false;
    } else if (flags != VRING_PACKED_EVENT_FLAG_DESC
               || !(vq->features & (1ULL << VIRTIO_RING_F_EVENT_IDX))
               || !valid) {
        return true;
    }

    /* Compare positions on one line: unwrap OLD and the event offset
     * into the same lap as NEW (as DPDK's vhost does). */
    uint16_t off_wrap = __atomic_load_n(&ev->off_wrap, __ATOMIC_RELAXED);
    uint16_t off = off_wrap & POS_MASK;
    uint16_t new_pos = new & POS_MASK;
    uint16_t old_pos = old & POS_MASK;
    if (new_pos <= old_pos) {
        old_pos -= vq->size;
    }
    if ((off_wrap ^ new) >> VRING_PACKED_WRAP_BIT) {
        off -= vq->size;
    }
    return vring_need_event(off, new_pos, old_pos);
}

void
vring_packed_set_kicks(struct vhost_vq *vq, bool enable)
{
    struct vring_packed_event *ev = vq->layout.used;
    uint16_t flags;

    if (!enable) {
        flags = VRING_PACKED_EVENT_FLAG_DISABLE;
    } else if (vq->features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) {
        __atomic_store_n(&ev->off_wrap, vq->last_avail, __ATOMIC_RELAXED);
        flags = VRING_PACKED_EVENT_FLAG_DESC;
    } else {
        flags = VRING_PACKED_EVENT_FLAG_ENABLE;
    }
    __atomic_store_n(&ev->flags, flags, __ATOMIC_RELEASE);
    if (vq->log && vq->layout.log_used) {
        vhost_log_write(vq->log, vq->layout.used_gpa, sizeof *ev);
    }
}

bool
vring_packed_has_avail(const struct vhost_vq *vq)
{
    const struct vring_packed_desc *descs = vq->layout.desc;
    uint32_t pos = vq->last_avail & POS_MASK;
    uint16_t flags = __atomic_load_n(&descs[pos].flags, __ATOMIC_ACQUIRE);
    return packed_desc_is_avail(flags,
                                vq->last_avail >> VRING_PACKED_WRAP_BIT);
}
