/* virtio-driver: the guest's side of a virtqueue, for tests; see
 * virtio-driver.h. */
#include <config.h>
#include "tests/unit/virtio-driver.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "test.h"
#include "util.h"
#include "vhost/virtio-net.h"

/* ------------------------------------------------------------------ */
/* Guest memory. */

void
vdrv_mem_init(struct vdrv_mem *m, uint64_t size, size_t n_regions,
              uint64_t ring_area)
{
    struct vhost_mem_region_desc descs[VHOST_MEM_MAX_REGIONS];
    int fds[VHOST_MEM_MAX_REGIONS];
    char *err = NULL;

    memset(m, 0, sizeof *m);
    m->size = size ? size : VDRV_MEM_DEFAULT;
    m->n_regions = n_regions ? n_regions : 1;
    CHECK(m->n_regions <= VHOST_MEM_MAX_REGIONS);
    CHECK(m->size % (m->n_regions * 4096) == 0);

    m->fd = memfd_create("vdrv-guest", MFD_CLOEXEC);
    CHECK_MSG(m->fd >= 0, "memfd_create: %s", strerror(errno));
    CHECK(!ftruncate(m->fd, m->size));
    m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   m->fd, 0);
    CHECK(m->base != MAP_FAILED);

    uint64_t rsize = m->size / m->n_regions;
    for (size_t i = 0; i < m->n_regions; i++) {
        descs[i].guest_phys_addr = i * rsize;
        descs[i].memory_size = rsize;
        descs[i].userspace_addr = VDRV_UVA_BASE + i * (rsize + VDRV_UVA_GAP);
        descs[i].mmap_offset = i * rsize;
        fds[i] = m->fd;
    }
    int error = vhost_mem_create(descs, fds, m->n_regions, &m->mem, &err);
    CHECK_MSG(!error, "vhost_mem_create: %s", err);

    m->next = 0;
    m->buf_start = ring_area ? ring_area : m->size / 4;
    m->buf_next = m->buf_start;
}

void
vdrv_mem_destroy(struct vdrv_mem *m)
{
    vhost_mem_destroy(m->mem);
    munmap(m->base, m->size);
    close(m->fd);
    memset(m, 0, sizeof *m);
}

uint64_t
vdrv_alloc(struct vdrv_mem *m, uint64_t len, uint64_t align)
{
    uint64_t gpa = ROUND_UP(m->next, align ? align : 1);
    CHECK_MSG(gpa + len <= m->buf_start, "vdrv ring area exhausted");
    m->next = gpa + len;
    return gpa;
}

uint64_t
vdrv_alloc_buf(struct vdrv_mem *m, uint64_t len)
{
    uint64_t rsize = m->size / m->n_regions;
    uint64_t gpa = ROUND_UP(m->buf_next, 8);

    CHECK(len && len <= m->size - m->buf_start && len <= rsize);
    for (int tries = 0; ; tries++) {
        CHECK(tries < 4);
        if (gpa + len > m->size) {
            gpa = m->buf_start;
        } else if (gpa / rsize != (gpa + len - 1) / rsize) {
            gpa = ROUND_UP(gpa, rsize);
        } else {
            break;
        }
    }
    m->buf_next = gpa + len;
    return gpa;
}

void *
vdrv_ptr(const struct vdrv_mem *m, uint64_t gpa)
{
    return m->base + gpa;
}

uint64_t
vdrv_gpa_to_uva(const struct vdrv_mem *m, uint64_t gpa)
{
    uint64_t rsize = m->size / m->n_regions;
    return VDRV_UVA_BASE + gpa + (gpa / rsize) * VDRV_UVA_GAP;
}

/* ------------------------------------------------------------------ */
/* Queue setup. */

void
vdrv_queue_init(struct vdrv_queue *q, struct vdrv_mem *m, uint16_t size,
                bool packed, uint64_t features)
{
    memset(q, 0, sizeof *q);
    q->m = m;
    q->packed = packed;
    q->size = size;
    q->features = features;
    q->slots = xcalloc(size, sizeof *q->slots);

    q->desc_gpa = vdrv_alloc(m, 16ULL * size, 4096);
    if (packed) {
        q->avail_gpa = vdrv_alloc(m, 4, 4);
        q->used_gpa = vdrv_alloc(m, 4, 4);
        q->avail_wrap = q->used_wrap = true;
        q->free_ids = xmalloc(size * sizeof *q->free_ids);
        for (uint16_t i = 0; i < size; i++) {
            q->free_ids[i] = size - 1 - i;
        }
        q->n_free_ids = q->n_free_slots = size;
        q->kick_old = 1 << 15;
    } else {
        q->avail_gpa = vdrv_alloc(m, 6 + 2ULL * size, 2);
        q->used_gpa = vdrv_alloc(m, 6 + 8ULL * size, 4096);
        q->next_free = xmalloc(size * sizeof *q->next_free);
        for (uint16_t i = 0; i < size; i++) {
            q->next_free[i] = i + 1;
        }
        q->free_head = 0;
        q->num_free = size;
    }
}

void
vdrv_queue_destroy(struct vdrv_queue *q)
{
    free(q->slots);
    free(q->next_free);
    free(q->free_ids);
    memset(q, 0, sizeof *q);
}

void
vdrv_queue_layout(const struct vdrv_queue *q, struct vhost_vq_layout *l)
{
    const struct vhost_mem *mem = q->m->mem;
    uint64_t desc_len = 16ULL * q->size;
    uint64_t avail_len = q->packed ? 4 : 6 + 2ULL * q->size;
    uint64_t used_len = q->packed ? 4 : 6 + 8ULL * q->size;

    memset(l, 0, sizeof *l);
    l->desc = vhost_mem_uva_to_hva(mem, vdrv_gpa_to_uva(q->m, q->desc_gpa),
                                   desc_len);
    l->avail = vhost_mem_uva_to_hva(mem, vdrv_gpa_to_uva(q->m,
                                                         q->avail_gpa),
                                    avail_len);
    l->used = vhost_mem_uva_to_hva(mem, vdrv_gpa_to_uva(q->m, q->used_gpa),
                                   used_len);
    CHECK(l->desc && l->avail && l->used);
    l->desc_gpa = q->desc_gpa;
    l->used_gpa = q->used_gpa;
    l->log_used = true;
}

void
vdrv_queue_start(struct vdrv_queue *q, struct vhost_vq *vq, int callfd)
{
    struct vhost_vq_layout layout;

    vdrv_queue_layout(q, &layout);
    memset(vq, 0, sizeof *vq);
    CHECK_EQ(vhost_vq_start(vq, q->size, q->packed, q->features, &layout,
                            q->m->mem, NULL, callfd, vdrv_avail_pos(q)), 0);
}

/* ------------------------------------------------------------------ */
/* Adding chains. */

static uint16_t *
split_avail_ring(const struct vdrv_queue *q)
{
    return ((struct vring_avail *) vdrv_ptr(q->m, q->avail_gpa))->ring;
}

struct vring_desc *
vdrv_split_desc(const struct vdrv_queue *q, uint16_t idx)
{
    return (struct vring_desc *) vdrv_ptr(q->m, q->desc_gpa) + idx;
}

struct vring_packed_desc *
vdrv_packed_desc(const struct vdrv_queue *q, uint16_t slot)
{
    return (struct vring_packed_desc *) vdrv_ptr(q->m, q->desc_gpa) + slot;
}

void
vdrv_split_set_avail_idx(struct vdrv_queue *q, uint16_t idx)
{
    struct vring_avail *avail = vdrv_ptr(q->m, q->avail_gpa);
    q->avail_idx = idx;
    __atomic_store_n(&avail->idx, idx, __ATOMIC_RELEASE);
}

void
vdrv_split_push_head(struct vdrv_queue *q, uint16_t head)
{
    split_avail_ring(q)[q->avail_idx & (q->size - 1)] = head;
    vdrv_split_set_avail_idx(q, q->avail_idx + 1);
}

static uint16_t
packed_avail_flags(bool wrap, uint16_t flags)
{
    return flags | (wrap ? VRING_PACKED_DESC_F_AVAIL
                    : VRING_PACKED_DESC_F_USED);
}

void
vdrv_packed_push(struct vdrv_queue *q, uint64_t addr, uint32_t len,
                 uint16_t id, uint16_t flags, uint16_t n_descs)
{
    struct vring_packed_desc *d = vdrv_packed_desc(q, q->next_avail);

    d->addr = addr;
    d->len = len;
    d->id = id;
    __atomic_store_n(&d->flags, packed_avail_flags(q->avail_wrap, flags),
                     __ATOMIC_RELEASE);
    if (!(flags & VRING_DESC_F_NEXT) && id < q->size) {
        q->slots[id].n_descs = n_descs;
        q->slots[id].in_use = true;
    }
    if (++q->next_avail >= q->size) {
        q->next_avail = 0;
        q->avail_wrap = !q->avail_wrap;
    }
}

/* Adds a chain of N_BUFS buffers BUFS (already filled), all with FLAGS
 * (0 or VRING_DESC_F_WRITE), per OPTS.  Returns the id or -1. */
static int
vdrv_add_chain(struct vdrv_queue *q, const struct vdrv_buf *bufs,
               int n_bufs, uint16_t flags, bool indirect)
{
    int n_ring = indirect ? 1 : n_bufs;
    uint64_t table_gpa = 0;

    CHECK(n_bufs >= 1 && n_bufs <= VDRV_MAX_BUFS);
    if (indirect) {
        table_gpa = vdrv_alloc_buf(q->m, 16ULL * n_bufs);
    }

    if (!q->packed) {
        if (q->num_free < n_ring) {
            return -1;
        }
        uint16_t head = q->free_head;
        uint16_t idx = head;
        if (indirect) {
            struct vring_desc *t = vdrv_ptr(q->m, table_gpa);
            for (int i = 0; i < n_bufs; i++) {
                t[i].addr = bufs[i].gpa;
                t[i].len = bufs[i].len;
                t[i].flags = flags | (i + 1 < n_bufs ? VRING_DESC_F_NEXT
                                      : 0);
                t[i].next = i + 1;
            }
            struct vring_desc *d = vdrv_split_desc(q, idx);
            d->addr = table_gpa;
            d->len = 16 * n_bufs;
            d->flags = VRING_DESC_F_INDIRECT;
            d->next = 0;
            q->free_head = q->next_free[idx];
        } else {
            for (int i = 0; i < n_bufs; i++) {
                struct vring_desc *d = vdrv_split_desc(q, idx);
                d->addr = bufs[i].gpa;
                d->len = bufs[i].len;
                d->flags = flags | (i + 1 < n_bufs ? VRING_DESC_F_NEXT
                                    : 0);
                d->next = q->next_free[idx];
                if (i + 1 < n_bufs) {
                    idx = q->next_free[idx];
                }
            }
            q->free_head = q->next_free[idx];
        }
        q->num_free -= n_ring;

        struct vdrv_slot *s = &q->slots[head];
        s->in_use = true;
        s->n_descs = n_ring;
        s->n_bufs = n_bufs;
        memcpy(s->bufs, bufs, n_bufs * sizeof *bufs);
        vdrv_split_push_head(q, head);
        return head;
    }

    if (q->n_free_slots < n_ring || !q->n_free_ids) {
        return -1;
    }
    uint16_t id = q->free_ids[--q->n_free_ids];
    uint16_t head_pos = q->next_avail;
    bool head_wrap = q->avail_wrap;
    uint16_t head_flags;
    q->n_free_slots -= n_ring;

    if (indirect) {
        struct vring_packed_desc *t = vdrv_ptr(q->m, table_gpa);
        for (int i = 0; i < n_bufs; i++) {
            t[i].addr = bufs[i].gpa;
            t[i].len = bufs[i].len;
            t[i].id = id;
            t[i].flags = flags;
        }
        head_flags = VRING_DESC_F_INDIRECT;
    } else {
        head_flags = flags | (n_bufs > 1 ? VRING_DESC_F_NEXT : 0);
    }

    /* Everything but the head's flags first. */
    struct vring_packed_desc *head = vdrv_packed_desc(q, head_pos);
    head->addr = indirect ? table_gpa : bufs[0].gpa;
    head->len = indirect ? 16 * n_bufs : bufs[0].len;
    head->id = id;
    if (++q->next_avail >= q->size) {
        q->next_avail = 0;
        q->avail_wrap = !q->avail_wrap;
    }
    for (int i = 1; i < n_ring; i++) {
        struct vring_packed_desc *d = vdrv_packed_desc(q, q->next_avail);
        d->addr = bufs[i].gpa;
        d->len = bufs[i].len;
        d->id = id;
        d->flags = packed_avail_flags(q->avail_wrap, flags
                                      | (i + 1 < n_ring
                                         ? VRING_DESC_F_NEXT : 0));
        if (++q->next_avail >= q->size) {
            q->next_avail = 0;
            q->avail_wrap = !q->avail_wrap;
        }
    }

    struct vdrv_slot *s = &q->slots[id];
    s->in_use = true;
    s->n_descs = n_ring;
    s->n_bufs = n_bufs;
    memcpy(s->bufs, bufs, n_bufs * sizeof *bufs);
    __atomic_store_n(&head->flags, packed_avail_flags(head_wrap, head_flags),
                     __ATOMIC_RELEASE);
    return id;
}

/* Splits LEN bytes into the buffers OPTS asks for. */
static int
vdrv_make_bufs(struct vdrv_queue *q, size_t len,
               const struct vdrv_chain_opts *opts, struct vdrv_buf *bufs)
{
    int n = opts && opts->n_descs > 1 ? opts->n_descs : 1;

    CHECK(n <= VDRV_MAX_BUFS && (size_t) n <= len);
    for (int i = 0; i < n; i++) {
        size_t part = len / n + (i == n - 1 ? len % n : 0);
        bufs[i].len = part;
        bufs[i].gpa = vdrv_alloc_buf(q->m, part);
    }
    return n;
}

int
vdrv_add_out(struct vdrv_queue *q, const void *bytes, size_t len,
             const struct vdrv_chain_opts *opts)
{
    struct vdrv_buf bufs[VDRV_MAX_BUFS];
    int n = vdrv_make_bufs(q, len, opts, bufs);
    const uint8_t *p = bytes;

    for (int i = 0; i < n; i++) {
        memcpy(vdrv_ptr(q->m, bufs[i].gpa), p, bufs[i].len);
        p += bufs[i].len;
    }
    return vdrv_add_chain(q, bufs, n, 0, opts && opts->indirect);
}

int
vdrv_add_tx(struct vdrv_queue *q, const struct virtio_net_hdr *hdr,
            const void *frame, size_t len,
            const struct vdrv_chain_opts *opts)
{
    size_t hdr_len = vnet_hdr_len(q->features);
    uint8_t *bytes = xmalloc(hdr_len + len);
    struct virtio_net_hdr zero;

    memset(&zero, 0, sizeof zero);
    memcpy(bytes, hdr ? hdr : &zero, hdr_len);
    memcpy(bytes + hdr_len, frame, len);
    int id = vdrv_add_out(q, bytes, hdr_len + len, opts);
    free(bytes);
    return id;
}

int
vdrv_add_in(struct vdrv_queue *q, size_t len,
            const struct vdrv_chain_opts *opts)
{
    struct vdrv_buf bufs[VDRV_MAX_BUFS];
    int n = vdrv_make_bufs(q, len, opts, bufs);

    for (int i = 0; i < n; i++) {
        memset(vdrv_ptr(q->m, bufs[i].gpa), 0xa5, bufs[i].len);
    }
    return vdrv_add_chain(q, bufs, n, VRING_DESC_F_WRITE,
                          opts && opts->indirect);
}

/* ------------------------------------------------------------------ */
/* Used entries. */

bool
vdrv_get_used(struct vdrv_queue *q, struct vdrv_used *u)
{
    if (!q->packed) {
        struct vring_used *used = vdrv_ptr(q->m, q->used_gpa);
        uint16_t idx = __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
        if (idx == q->last_used) {
            return false;
        }
        struct vring_used_elem *e = &used->ring[q->last_used
                                                & (q->size - 1)];
        q->last_used++;
        u->id = e->id;
        u->len = e->len;
        CHECK_MSG(u->id < q->size && q->slots[u->id].in_use,
                  "used id %"PRIu16" was not in flight", u->id);
        struct vdrv_slot *s = &q->slots[u->id];
        u->slot = *s;
        s->in_use = false;

        /* Free the descriptors (our own record of the chain). */
        uint16_t idx2 = u->id;
        for (int i = 1; i < s->n_descs; i++) {
            idx2 = vdrv_split_desc(q, idx2)->next;
        }
        q->next_free[idx2] = q->free_head;
        q->free_head = u->id;
        q->num_free += s->n_descs;
        return true;
    }

    struct vring_packed_desc *d = vdrv_packed_desc(q, q->next_used);
    uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
    bool avail = flags & VRING_PACKED_DESC_F_AVAIL;
    bool used = flags & VRING_PACKED_DESC_F_USED;
    if (avail != used || used != q->used_wrap) {
        return false;
    }
    u->id = d->id;
    u->len = d->len;
    CHECK_MSG(u->id < q->size && q->slots[u->id].in_use,
              "used id %"PRIu16" was not in flight", u->id);
    struct vdrv_slot *s = &q->slots[u->id];
    u->slot = *s;
    s->in_use = false;
    q->next_used += s->n_descs;
    if (q->next_used >= q->size) {
        q->next_used -= q->size;
        q->used_wrap = !q->used_wrap;
    }
    q->n_free_slots += s->n_descs;
    q->free_ids[q->n_free_ids++] = u->id;
    return true;
}

size_t
vdrv_used_read(const struct vdrv_queue *q, const struct vdrv_used *u,
               void *dst_, size_t size)
{
    uint8_t *dst = dst_;
    size_t left = MIN(u->len, size);
    size_t done = 0;

    for (int i = 0; i < u->slot.n_bufs && left; i++) {
        size_t n = MIN(left, u->slot.bufs[i].len);
        memcpy(dst + done, vdrv_ptr(q->m, u->slot.bufs[i].gpa), n);
        done += n;
        left -= n;
    }
    return done;
}

int
vdrv_recv(struct vdrv_queue *q, struct virtio_net_hdr *hdr, void *buf_,
          size_t size, int *n_buffers)
{
    size_t hdr_len = vnet_hdr_len(q->features);
    bool mergeable = q->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
    uint8_t *buf = buf_;
    struct vdrv_used u;
    uint8_t first[VHOST_VQ_MAX_PKT];

    if (!vdrv_get_used(q, &u)) {
        return -1;
    }
    size_t n = vdrv_used_read(q, &u, first, sizeof first);
    if (n < hdr_len) {
        return -2;
    }
    memset(hdr, 0, sizeof *hdr);
    memcpy(hdr, first, hdr_len);
    size_t len = MIN(n - hdr_len, size);
    memcpy(buf, first + hdr_len, len);

    int nbufs = mergeable ? hdr->num_buffers : 1;
    if (n_buffers) {
        *n_buffers = nbufs;
    }
    for (int i = 1; i < nbufs; i++) {
        if (!vdrv_get_used(q, &u)) {
            return -2;
        }
        len += vdrv_used_read(q, &u, buf + len, size - len);
    }
    return len;
}

/* ------------------------------------------------------------------ */
/* Event suppression. */

void
vdrv_set_interrupts(struct vdrv_queue *q, bool enable)
{
    if (q->packed) {
        struct vring_packed_event *ev = vdrv_ptr(q->m, q->avail_gpa);
        __atomic_store_n(&ev->flags, enable ? VRING_PACKED_EVENT_FLAG_ENABLE
                         : VRING_PACKED_EVENT_FLAG_DISABLE,
                         __ATOMIC_SEQ_CST);
    } else {
        struct vring_avail *avail = vdrv_ptr(q->m, q->avail_gpa);
        __atomic_store_n(&avail->flags,
                         enable ? 0 : VRING_AVAIL_F_NO_INTERRUPT,
                         __ATOMIC_SEQ_CST);
    }
}

void
vdrv_set_used_event(struct vdrv_queue *q, uint16_t idx)
{
    if (q->packed) {
        struct vring_packed_event *ev = vdrv_ptr(q->m, q->avail_gpa);
        ev->off_wrap = idx;
        __atomic_store_n(&ev->flags, VRING_PACKED_EVENT_FLAG_DESC,
                         __ATOMIC_SEQ_CST);
    } else {
        struct vring_avail *avail = vdrv_ptr(q->m, q->avail_gpa);
        __atomic_store_n(&avail->ring[q->size], idx, __ATOMIC_SEQ_CST);
    }
}

uint16_t
vdrv_avail_pos(const struct vdrv_queue *q)
{
    return (q->packed
            ? q->next_avail | (uint16_t) q->avail_wrap << 15
            : q->avail_idx);
}

uint16_t
vdrv_used_pos(const struct vdrv_queue *q)
{
    return (q->packed
            ? q->next_used | (uint16_t) q->used_wrap << 15
            : q->last_used);
}

bool
vdrv_kick_wanted(struct vdrv_queue *q)
{
    bool event_idx = q->features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
    uint16_t old = q->kick_old;
    uint16_t new = vdrv_avail_pos(q);
    q->kick_old = new;

    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (q->packed) {
        const struct vring_packed_event *ev = vdrv_ptr(q->m, q->used_gpa);
        uint16_t flags = ev->flags;
        if (flags != VRING_PACKED_EVENT_FLAG_DESC || !event_idx) {
            return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
        }
        /* As Linux's virtqueue_kick_prepare_packed(). */
        uint16_t off_wrap = ev->off_wrap;
        uint16_t wrap = off_wrap >> 15;
        uint16_t off = off_wrap & 0x7fff;
        uint16_t new_pos = new & 0x7fff, old_pos = old & 0x7fff;
        if (new_pos <= old_pos && new != old) {
            old_pos -= q->size;
        }
        if (wrap != (new >> 15)) {
            off -= q->size;
        }
        return vring_need_event(off, new_pos, old_pos);
    }

    const struct vring_used *used = vdrv_ptr(q->m, q->used_gpa);
    if (event_idx) {
        uint16_t avail_event;
        memcpy(&avail_event, &used->ring[q->size], sizeof avail_event);
        return vring_need_event(avail_event, new, old);
    }
    return !(used->flags & VRING_USED_F_NO_NOTIFY);
}
