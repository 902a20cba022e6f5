/* virtqueue: the virtio-net device engine over either ring layout; see
 * virtqueue.h (API) and virtqueue-private.h (the layer below). */
#include <config.h>
#include "vhost/virtqueue.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "packets.h"
#include "util.h"
#include "vhost/virtio-net.h"
#include "vhost/virtqueue-private.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(virtqueue);

static struct vlog_rate_limit bad_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* ------------------------------------------------------------------ */
/* Ring dispatch. */

static inline enum vq_chain_result
vq_next_chain(struct vhost_vq *vq, bool rx, struct vq_chain *c)
{
    /* A guest can claim more buffers than the ring holds before the
     * device has published anything; the shadow has room for 'size'. */
    if (vq->priv->n_shadow >= vq->size) {
        return VQ_CHAIN_NONE;
    }
    return (vq->packed
            ? vring_packed_next_chain(vq, rx, c)
            : vring_split_next_chain(vq, rx, c));
}

static inline void
vq_publish(struct vhost_vq *vq)
{
    if (vq->priv->n_shadow) {
        if (vq->packed) {
            vring_packed_publish(vq);
        } else {
            vring_split_publish(vq);
        }
    }
}

void
vq_warn_bad(const struct vhost_vq *vq, const char *format, ...)
{
    if (!vlog_should_drop(THIS_MODULE, VLL_WARN, &bad_rl)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        va_list args;

        va_start(args, format);
        ds_put_format_valist(&s, format, args);
        va_end(args);
        VLOG_WARN("%s virtqueue (size %"PRIu16"): bad descriptor chain "
                  "dropped: %s", vq->packed ? "packed" : "split", vq->size,
                  ds_cstr(&s));
        ds_destroy(&s);
    }
}

enum vq_chain_result
vq_set_broken(struct vhost_vq *vq, const char *format, ...)
{
    vq->broken = true;
    vq->stats.broken++;
    if (!vlog_should_drop(THIS_MODULE, VLL_WARN, &bad_rl)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        va_list args;

        va_start(args, format);
        ds_put_format_valist(&s, format, args);
        va_end(args);
        VLOG_WARN("%s virtqueue (size %"PRIu16") is broken and stops: %s",
                  vq->packed ? "packed" : "split", vq->size, ds_cstr(&s));
        ds_destroy(&s);
    }
    return VQ_CHAIN_BROKEN;
}

bool
vq_add_seg(struct vhost_vq *vq, struct vq_chain *c, bool rx,
           uint64_t addr, uint32_t len, uint16_t flags)
{
    if (!len) {
        vq_warn_bad(vq, "zero-length descriptor");
        return false;
    }
    if (rx != ((flags & VRING_DESC_F_WRITE) != 0)) {
        vq_warn_bad(vq, "%s descriptor in a%s chain",
                    rx ? "read-only" : "device-writable",
                    rx ? "n rx" : " tx");
        return false;
    }
    if (c->n_segs >= vq->size) {
        vq_warn_bad(vq, "chain longer than the ring");
        return false;
    }
    if (len > VHOST_VQ_MAX_PKT - c->len) {
        vq_warn_bad(vq, "chain longer than %d bytes", VHOST_VQ_MAX_PKT);
        return false;
    }
    uint8_t *hva = vhost_mem_gpa_to_hva(vq->mem, addr, len);
    if (!hva) {
        vq_warn_bad(vq, "buffer %#"PRIx64"+%"PRIu32" is outside guest "
                    "memory", addr, len);
        return false;
    }

    if (rx) {
        __builtin_prefetch(hva, 1);
    } else {
        __builtin_prefetch(hva, 0);
    }
    struct vq_seg *s = &vq->priv->segs[c->n_segs++];
    s->hva = hva;
    s->gpa = addr;
    s->len = len;
    c->len += len;
    return true;
}

/* ------------------------------------------------------------------ */
/* Setup. */

static bool
vq_size_valid(uint16_t size, bool packed, uint16_t base)
{
    if (!size || size > VHOST_VQ_MAX_SIZE) {
        return false;
    }
    return packed ? (base & 0x7fff) < size : IS_POW2(size);
}

int
vhost_vq_start(struct vhost_vq *vq, uint16_t size, bool packed,
               uint64_t features, const struct vhost_vq_layout *layout,
               const struct vhost_mem *mem, struct vhost_log *log,
               int callfd, uint16_t base)
{
    if (vq->priv) {
        vhost_vq_stop(vq);
    }
    if (!vq_size_valid(size, packed, base)) {
        return EINVAL;
    }

    vq->size = size;
    vq->features = features;
    vq->layout = *layout;
    vq->mem = mem;
    vq->log = log;
    vq->callfd = callfd;
    vq->packed = packed;
    vq->broken = false;
    vq->last_avail = base;
    if (packed) {
        vq->last_used = base;
    } else {
        /* Where the guest last saw us, as Linux's vhost does: normally
         * 'base', since a stopped queue has returned all it took. */
        const struct vring_used *used = layout->used;
        vq->last_used = __atomic_load_n(&used->idx, __ATOMIC_RELAXED);
    }
    vq->signalled_used = vq->last_used;
    vq->signalled_used_valid = false;
    vq->kicks_enabled = true;

    struct vhost_vq_priv *p = xzalloc(sizeof *p);
    p->segs = xmalloc(size * sizeof *p->segs);
    p->shadow = xmalloc(size * sizeof *p->shadow);
    p->avail_idx = base;
    p->ring_mask = size - 1;
    p->gso = xzalloc(sizeof *p->gso);
    vq->priv = p;
    return 0;
}

uint16_t
vhost_vq_stop(struct vhost_vq *vq)
{
    struct vhost_vq_priv *p = vq->priv;

    if (p) {
        vq_publish(vq);
        vnet_gso_clear(p->gso);
        free(p->gso);
        free(p->segs);
        free(p->shadow);
        free(p);
        vq->priv = NULL;
    }
    return vq->last_avail;
}

void
vhost_vq_set_mem(struct vhost_vq *vq, const struct vhost_mem *mem)
{
    vq->mem = mem;
}

void
vhost_vq_set_log(struct vhost_vq *vq, struct vhost_log *log)
{
    vq->log = log;
}

void
vhost_vq_set_callfd(struct vhost_vq *vq, int callfd)
{
    vq->callfd = callfd;
}

/* ------------------------------------------------------------------ */
/* Dequeue: guest tx. */

/* Copies chain C (header and frame) out of guest memory: the header into
 * *HDR (zero-filled past HDR_LEN), the frame into a new packet.  Returns
 * NULL if the chain is too short to hold a header and an Ethernet
 * header. */
static struct dp_packet *
vq_chain_to_packet(struct vhost_vq *vq, const struct vq_chain *c,
                   size_t hdr_len, struct virtio_net_hdr *hdr)
{
    const struct vq_seg *seg = vq->priv->segs;

    memset(hdr, 0, sizeof *hdr);
    if (c->len < hdr_len + ETH_HEADER_LEN) {
        vq_warn_bad(vq, "%"PRIu32"-byte tx chain is too short", c->len);
        return NULL;
    }

    struct dp_packet *pkt = dp_packet_new_with_headroom(
        c->len - hdr_len, DP_PACKET_DEFAULT_HEADROOM);
    uint8_t *dst = dp_packet_put_uninit(pkt, c->len - hdr_len);
    uint8_t *h = (uint8_t *) hdr;
    size_t skip = hdr_len;

    for (uint32_t i = 0; i < c->n_segs; i++, seg++) {
        const uint8_t *src = seg->hva;
        uint32_t len = seg->len;

        if (skip) {
            size_t n = MIN(skip, len);
            memcpy(h, src, n);
            h += n;
            src += n;
            len -= n;
            skip -= n;
        }
        memcpy(dst, src, len);
        dst += len;
    }
    return pkt;
}

static inline void
vq_add_to_batch(struct vhost_vq *vq, struct dp_packet_batch *batch,
                struct dp_packet *pkt)
{
    vq->stats.packets++;
    vq->stats.bytes += dp_packet_size(pkt);
    dp_packet_batch_add__(batch, pkt);
}

/* Moves segments of the packet being segmented into BATCH while it has
 * room. */
static void
vq_drain_gso(struct vhost_vq *vq, struct dp_packet_batch *batch)
{
    struct vnet_gso *gso = vq->priv->gso;

    while (gso->pkt && batch->count < NETDEV_MAX_BURST) {
        struct dp_packet *seg = vnet_gso_next(gso);
        if (seg) {
            vq_add_to_batch(vq, batch, seg);
        }
    }
}

size_t
vhost_vq_dequeue(struct vhost_vq *vq, struct dp_packet_batch *batch)
{
    size_t n0 = batch->count;

    if (!vq->priv || vq->broken) {
        return 0;
    }

    vq_drain_gso(vq, batch);

    size_t hdr_len = vnet_hdr_len(vq->features);
    for (int budget = NETDEV_MAX_BURST;
         budget > 0 && batch->count < NETDEV_MAX_BURST; budget--) {
        struct virtio_net_hdr hdr;
        struct vq_chain c;

        enum vq_chain_result r = vq_next_chain(vq, false, &c);
        if (r == VQ_CHAIN_NONE || r == VQ_CHAIN_BROKEN) {
            break;
        }
        vq_mark_used(vq, &c, 0);
        if (r == VQ_CHAIN_BAD) {
            vq->stats.errors++;
            continue;
        }

        struct dp_packet *pkt = vq_chain_to_packet(vq, &c, hdr_len, &hdr);
        if (!pkt) {
            vq->stats.errors++;
            continue;
        }
        int error = vnet_apply_hdr(&hdr, pkt, vq->priv->gso);
        if (!error) {
            vq_add_to_batch(vq, batch, pkt);
        } else if (error == EINPROGRESS) {
            vq_drain_gso(vq, batch);
        } else {
            vq_warn_bad(vq, "virtio-net header (flags %#"PRIx8", gso type "
                        "%#"PRIx8", gso size %"PRIu16", csum %"PRIu16"+%"
                        PRIu16") does not fit the %"PRIu32"-byte packet",
                        hdr.flags, hdr.gso_type, hdr.gso_size,
                        hdr.csum_start, hdr.csum_offset,
                        dp_packet_size(pkt));
            vq->stats.errors++;
            dp_packet_delete(pkt);
        }
    }
    vq_publish(vq);
    return batch->count - n0;
}

/* ------------------------------------------------------------------ */
/* Enqueue: guest rx. */

/* Where the num_buffers field of the header landed in guest memory (each
 * byte may be in a different buffer). */
struct vq_nb_loc {
    uint8_t *hva[2];
    uint64_t gpa[2];
    int n;
};

/* Copies bytes into the segments of chain C: first the *HDR_LEFT bytes
 * left of the HDR_LEN-byte header at *HDRP, then up to *PKT_LEFT bytes
 * of *SRCP (advancing the pointers and counts).  Records where header
 * bytes 10 and 11 (num_buffers) go in NB.  Returns the
 * number of bytes written. */
static uint32_t
vq_copy_to_chain(struct vhost_vq *vq, const struct vq_chain *c,
                 size_t hdr_len, const uint8_t **hdrp, size_t *hdr_left,
                 const uint8_t **srcp, size_t *pkt_left,
                 struct vq_nb_loc *nb)
{
    const struct vq_seg *seg = vq->priv->segs;
    uint32_t written = 0;

    for (uint32_t i = 0; i < c->n_segs && (*hdr_left || *pkt_left);
         i++, seg++) {
        uint8_t *dst = seg->hva;
        uint32_t room = seg->len;

        while (*hdr_left && room) {
            /* The header is at most 12 bytes: byte by byte is fine, and
             * lets num_buffers be found wherever it lands. */
            size_t pos = hdr_len - *hdr_left;
            if (pos >= 10 && nb->n < 2) {
                nb->hva[nb->n] = dst;
                nb->gpa[nb->n] = seg->gpa + (dst - seg->hva);
                nb->n++;
            }
            *dst++ = *(*hdrp)++;
            (*hdr_left)--;
            room--;
        }
        size_t n = MIN(room, *pkt_left);
        memcpy(dst, *srcp, n);
        *srcp += n;
        *pkt_left -= n;
        room -= n;

        uint32_t used = seg->len - room;
        if (vq->log && used) {
            vhost_log_write(vq->log, seg->gpa, used);
        }
        written += used;
    }
    return written;
}

enum vq_enqueue_result {
    VQ_ENQ_OK,
    VQ_ENQ_NO_ROOM,             /* Out of guest buffers: stop. */
    VQ_ENQ_TOO_BIG,             /* This packet cannot go: drop it. */
};

/* Queues the used entry for bad chain C ahead of the N_PKT entries of the
 * packet being written, so that a mergeable packet's buffers stay
 * consecutive in the used ring. */
static void
vq_mark_used_before(struct vhost_vq *vq, const struct vq_chain *c,
                    uint32_t n_pkt)
{
    struct vhost_vq_priv *p = vq->priv;
    struct vq_used *first = &p->shadow[p->n_shadow - n_pkt];

    memmove(first + 1, first, n_pkt * sizeof *first);
    p->n_shadow++;
    first->id = c->id;
    first->n_descs = c->n_descs;
    first->len = 0;
}

static enum vq_enqueue_result
vq_enqueue_one(struct vhost_vq *vq, const struct dp_packet *pkt,
               size_t hdr_len, bool mergeable)
{
    struct virtio_net_hdr hdr;
    struct vq_checkpoint cp;
    struct vq_nb_loc nb = { .n = 0 };
    const uint8_t *src = dp_packet_data(pkt);
    const uint8_t *h = (const uint8_t *) &hdr;
    size_t pkt_left = dp_packet_size(pkt);
    size_t hdr_left = hdr_len;
    uint32_t nbufs = 0;
    uint32_t n_bad = 0;

    if (pkt_left + hdr_len > VHOST_VQ_MAX_PKT) {
        return VQ_ENQ_TOO_BIG;
    }

    memset(&hdr, 0, sizeof hdr);

    vq_checkpoint(vq, &cp);
    while (hdr_left || pkt_left) {
        struct vq_chain c;
        enum vq_chain_result r = vq_next_chain(vq, true, &c);

        if (r == VQ_CHAIN_NONE || r == VQ_CHAIN_BROKEN) {
            vq->stats.errors -= n_bad;
            vq_rollback(vq, &cp);
            return VQ_ENQ_NO_ROOM;
        } else if (r == VQ_CHAIN_BAD) {
            vq->stats.errors++;
            if (!nbufs) {
                /* Return it for good: nothing of this packet is in the
                 * ring yet. */
                vq_mark_used(vq, &c, 0);
                vq_checkpoint(vq, &cp);
            } else {
                vq_mark_used_before(vq, &c, nbufs);
                n_bad++;
            }
            continue;
        }

        if (!mergeable && c.len < hdr_len + pkt_left) {
            /* Without mergeable buffers one chain must hold it all.  The
             * buffer goes back for a smaller packet. */
            vq_rollback(vq, &cp);
            vq->stats.errors -= n_bad;
            return VQ_ENQ_TOO_BIG;
        }
        uint32_t len = vq_copy_to_chain(vq, &c, hdr_len, &h, &hdr_left,
                                        &src, &pkt_left, &nb);
        vq_mark_used(vq, &c, len);
        nbufs++;
    }

    if (hdr_len == 12) {
        uint16_t n = mergeable ? nbufs : 1;
        uint8_t le[2] = { n & 0xff, n >> 8 };
        for (int i = 0; i < nb.n; i++) {
            *nb.hva[i] = le[i];
            vhost_log_write(vq->log, nb.gpa[i], 1);
        }
    }
    return VQ_ENQ_OK;
}

size_t
vhost_vq_enqueue(struct vhost_vq *vq, struct dp_packet_batch *batch)
{
    size_t delivered = 0;

    if (vq->priv && !vq->broken) {
        size_t hdr_len = vnet_hdr_len(vq->features);
        bool mergeable = vq->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);

        for (size_t i = 0; i < batch->count; i++) {
            const struct dp_packet *pkt = batch->packets[i];
            enum vq_enqueue_result r = vq_enqueue_one(vq, pkt, hdr_len,
                                                      mergeable);
            if (r == VQ_ENQ_OK) {
                vq->stats.packets++;
                vq->stats.bytes += dp_packet_size(pkt);
                delivered++;
            } else if (r == VQ_ENQ_NO_ROOM) {
                break;
            }
        }
        vq_publish(vq);
    }
    vq->stats.dropped += batch->count - delivered;
    return delivered;
}

/* ------------------------------------------------------------------ */
/* Notifications. */

void
vhost_vq_notify(struct vhost_vq *vq)
{
    if (!vq->priv || vq->last_used == vq->signalled_used) {
        return;                 /* Nothing used since the last look. */
    }
    uint16_t old = vq->signalled_used;
    uint16_t new = vq->last_used;
    bool valid = vq->signalled_used_valid;

    vq->signalled_used = new;
    vq->signalled_used_valid = true;

    /* The used index must be visible before the guest's wishes are read,
     * or a guest that re-enabled interrupts meanwhile could miss one. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    bool call = (vq->packed
                 ? vring_packed_need_call(vq, old, new, valid)
                 : vring_split_need_call(vq, old, new, valid));
    if (call && vq->callfd >= 0) {
        uint64_t one = 1;
        if (write(vq->callfd, &one, sizeof one) == sizeof one) {
            vq->stats.calls++;
        }
    }
}

bool
vhost_vq_set_kicks(struct vhost_vq *vq, bool enable)
{
    if (!vq->priv) {
        return false;
    }
    if (vq->packed) {
        vring_packed_set_kicks(vq, enable);
    } else {
        vring_split_set_kicks(vq, enable);
    }
    vq->kicks_enabled = enable;
    if (!enable) {
        return false;
    }
    vq->stats.kicks_asked++;
    /* The guest may have added buffers before it saw kicks enabled: look
     * again after making the enable visible. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return vhost_vq_has_avail(vq);
}

bool
vhost_vq_has_avail(const struct vhost_vq *vq)
{
    if (!vq->priv || vq->broken) {
        return false;
    }
    return (vq->packed
            ? vring_packed_has_avail(vq)
            : vring_split_has_avail(vq));
}
