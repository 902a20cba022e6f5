/* Tests for the virtio engine against a hostile guest: malformed chains
 * are dropped and returned, ring-level nonsense breaks the queue, and
 * nothing outside guest memory is touched (ASan and the guard pages of
 * vhost-mem would catch it). */
#include <config.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "dp-packet.h"
#include "packets.h"
#include "test.h"
#include "tests/unit/virtio-driver.h"
#include "vhost/virtio-net.h"
#include "vhost/virtqueue.h"
#include "vlog.h"

#define F(BIT) (1ULL << (BIT))
#define FEATURES (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC))

struct fx {
    struct vdrv_mem m;
    struct vdrv_queue q;
    struct vhost_vq vq;
};

static void
fx_init(struct fx *fx, bool packed, uint16_t size, uint64_t features)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    vdrv_mem_init(&fx->m, 1 << 20, 1, 0);
    vdrv_queue_init(&fx->q, &fx->m, size, packed, features);
    vdrv_queue_start(&fx->q, &fx->vq, -1);
}

static void
fx_destroy(struct fx *fx)
{
    vhost_vq_stop(&fx->vq);
    vdrv_queue_destroy(&fx->q);
    vdrv_mem_destroy(&fx->m);
}

static size_t
fx_dequeue(struct fx *fx)
{
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    size_t n = vhost_vq_dequeue(&fx->vq, &batch);
    dp_packet_delete_batch(&batch, true);
    return n;
}

static size_t
fx_enqueue(struct fx *fx, size_t len)
{
    struct dp_packet *pkt = dp_packet_new(len);
    dp_packet_put_zeros(pkt, len);
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, pkt);
    size_t n = vhost_vq_enqueue(&fx->vq, &batch);
    dp_packet_delete(pkt);
    return n;
}

/* The queue still works: a good packet goes through each way the ring
 * is meant for. */
static void
check_still_works(struct fx *fx, bool rx)
{
    uint8_t frame[60] = { 1 };
    struct vdrv_used u;

    if (rx) {
        CHECK_GE(vdrv_add_in(&fx->q, 200, NULL), 0);
        CHECK_EQ(fx_enqueue(fx, 60), 1);
        CHECK(vdrv_get_used(&fx->q, &u));
        CHECK_EQ(u.len, 72);
    } else {
        CHECK_GE(vdrv_add_tx(&fx->q, NULL, frame, sizeof frame, NULL), 0);
        CHECK_EQ(fx_dequeue(fx), 1);
        CHECK(vdrv_get_used(&fx->q, &u));
        CHECK_EQ(u.len, 0);
    }
    CHECK(!vdrv_get_used(&fx->q, &u));
}

/* Checks that the bad chain with id ID came back used with length 0 and
 * was counted, and that the queue still works. */
static void
check_bad_chain(struct fx *fx, int id, bool rx, uint64_t errors)
{
    struct vdrv_used u;

    if (rx) {
        CHECK_EQ(fx_enqueue(fx, 60), 0);
        CHECK_EQ(fx->vq.stats.dropped, 1);
        fx->vq.stats.dropped = 0;
    } else {
        CHECK_EQ(fx_dequeue(fx), 0);
    }
    CHECK_EQ(fx->vq.stats.errors, errors);
    CHECK(!fx->vq.broken);
    CHECK(vdrv_get_used(&fx->q, &u));
    CHECK_EQ(u.id, id);
    CHECK_EQ(u.len, 0);
    check_still_works(fx, rx);
}

/* One split chain of raw descriptors DESCS (N of them, at table indexes
 * 0..N-1, 'next' as given), made available. */
struct raw_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static int
split_raw_chain(struct fx *fx, const struct raw_desc *descs, int n)
{
    /* Take the descriptors from the driver's free list so that later
     * normal use does not collide; they are 0..n-1 on a fresh queue. */
    CHECK_EQ(fx->q.free_head, 0);
    for (int i = 0; i < n; i++) {
        struct vring_desc *d = vdrv_split_desc(&fx->q, i);
        d->addr = descs[i].addr;
        d->len = descs[i].len;
        d->flags = descs[i].flags;
        d->next = descs[i].next;
    }
    fx->q.free_head = n;
    fx->q.num_free -= n;
    fx->q.slots[0].in_use = true;
    fx->q.slots[0].n_descs = 1;     /* Only the head goes back. */
    vdrv_split_push_head(&fx->q, 0);
    return 0;
}

/* The same for a packed ring: N descriptors at the next slots, the last
 * with ID. */
static int
packed_raw_chain(struct fx *fx, const struct raw_desc *descs, int n,
                 uint16_t id)
{
    for (int i = 0; i < n; i++) {
        vdrv_packed_push(&fx->q, descs[i].addr, descs[i].len, id,
                         descs[i].flags, n);
    }
    for (uint16_t i = 0, j = 0; i < fx->q.n_free_ids; i++) {
        if (fx->q.free_ids[i] != id) {
            fx->q.free_ids[j++] = fx->q.free_ids[i];
        }
    }
    fx->q.n_free_ids--;
    fx->q.n_free_slots -= n;
    return id;
}

static int
raw_chain(struct fx *fx, const struct raw_desc *descs, int n)
{
    return (fx->q.packed
            ? packed_raw_chain(fx, descs, n, 3)
            : split_raw_chain(fx, descs, n));
}

/* A valid buffer of LEN bytes with a zero virtio-net header. */
static uint64_t
good_buf(struct fx *fx, uint32_t len)
{
    uint64_t gpa = vdrv_alloc_buf(&fx->m, len);
    memset(vdrv_ptr(&fx->m, gpa), 0, len);
    return gpa;
}

#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT
#define I VRING_DESC_F_INDIRECT

static void
bad_case(bool packed, bool rx, const struct raw_desc *descs, int n)
{
    struct fx fx;
    fx_init(&fx, packed, 16, FEATURES);
    struct raw_desc d[8];
    memcpy(d, descs, n * sizeof *d);
    for (int i = 0; i < n; i++) {
        if (d[i].addr == 1) {           /* Placeholder: a good buffer. */
            d[i].addr = good_buf(&fx, MAX(d[i].len, 16));
        }
    }
    int id = raw_chain(&fx, d, n);
    check_bad_chain(&fx, id, rx, 1);
    fx_destroy(&fx);
}

#define BAD_BOTH(NAME, RX, ...)                                         \
    TEST(split_bad_##NAME)                                              \
    {                                                                   \
        static const struct raw_desc d_[] = { __VA_ARGS__ };            \
        bad_case(false, RX, d_, ARRAY_SIZE(d_));                        \
    }                                                                   \
    TEST(packed_bad_##NAME)                                             \
    {                                                                   \
        static const struct raw_desc d_[] = { __VA_ARGS__ };            \
        bad_case(true, RX, d_, ARRAY_SIZE(d_));                         \
    }

/* Address 1 stands for a good buffer of the given length. */
BAD_BOTH(addr_outside, false, { (1 << 20) + 4096, 100, 0, 0 })
BAD_BOTH(addr_straddles_end, false, { (1 << 20) - 50, 100, 0, 0 })
BAD_BOTH(addr_len_overflow, false, { UINT64_MAX - 10, 100, 0, 0 })
BAD_BOTH(len_zero, false, { 1, 100, N, 1 }, { 1, 0, 0, 0 })
BAD_BOTH(len_absurd, false, { 4096, 0xffffffff, 0, 0 })
BAD_BOTH(chain_too_many_bytes, false, { 4096, 60000, N, 1 },
         { 4096, 60000, 0, 0 })
BAD_BOTH(too_short_for_header, false, { 1, 20, 0, 0 })
BAD_BOTH(writable_in_tx, false, { 1, 100, N, 1 }, { 1, 100, W, 0 })
BAD_BOTH(readonly_in_rx, true, { 1, 100, W | N, 1 }, { 1, 100, 0, 0 })
BAD_BOTH(indirect_bad_size, false, { 1, 17, I, 0 })
BAD_BOTH(indirect_empty, false, { 1, 0, I, 0 })
BAD_BOTH(indirect_outside, false, { (1 << 20) - 16, 32, I, 0 })
BAD_BOTH(indirect_with_next, false, { 1, 32, I | N, 1 }, { 1, 100, 0, 0 })
BAD_BOTH(indirect_too_long, false, { 1, 16 * 17, I, 0 })

/* Split-only chain shapes. */
TEST(split_bad_next_out_of_range)
{
    static const struct raw_desc d[] = { { 1, 100, N, 99 } };
    bad_case(false, false, d, 1);
}

TEST(split_bad_loop)
{
    struct fx fx;
    fx_init(&fx, false, 16, FEATURES);
    struct raw_desc d[] = { { good_buf(&fx, 100), 100, N, 1 },
                            { good_buf(&fx, 100), 100, N, 0 } };
    check_bad_chain(&fx, raw_chain(&fx, d, 2), false, 1);
    fx_destroy(&fx);
}

TEST(split_bad_long_chain_inside_ring)
{
    /* 16 descriptors chained: as long as the ring, fine; the 17th would
     * be a loop.  Each 10 bytes: the chain holds 160. */
    struct fx fx;
    fx_init(&fx, false, 16, FEATURES);
    struct raw_desc d[16];
    for (int i = 0; i < 16; i++) {
        d[i] = (struct raw_desc) { good_buf(&fx, 10), 10,
                                   i < 15 ? N : 0, i + 1 };
    }
    for (int i = 0; i < 16; i++) {
        struct vring_desc *v = vdrv_split_desc(&fx.q, i);
        v->addr = d[i].addr;
        v->len = d[i].len;
        v->flags = d[i].flags;
        v->next = d[i].next;
    }
    vdrv_split_push_head(&fx.q, 0);
    CHECK_EQ(fx_dequeue(&fx), 1);
    CHECK_EQ(fx.vq.stats.errors, 0);
    fx_destroy(&fx);
}

/* Indirect tables: nested indirect, and indirect without the feature. */
static void
indirect_case(bool packed, bool nested, uint64_t features)
{
    struct fx fx;
    fx_init(&fx, packed, 16, features);
    uint64_t table = vdrv_alloc_buf(&fx.m, 32);
    uint64_t buf = good_buf(&fx, 100);

    if (packed) {
        struct vring_packed_desc *t = vdrv_ptr(&fx.m, table);
        t[0] = (struct vring_packed_desc) { buf, 50, 3, 0 };
        t[1] = (struct vring_packed_desc) { nested ? table : buf + 50,
                                            nested ? 32 : 50, 3,
                                            nested ? I : 0 };
    } else {
        struct vring_desc *t = vdrv_ptr(&fx.m, table);
        t[0] = (struct vring_desc) { buf, 50, N, 1 };
        t[1] = (struct vring_desc) { nested ? table : buf + 50,
                                     nested ? 32 : 50, nested ? I : 0, 0 };
    }
    struct raw_desc d = { table, 32, I, 0 };
    check_bad_chain(&fx, raw_chain(&fx, &d, 1), false, 1);
    fx_destroy(&fx);
}

TEST(split_bad_indirect_nested)
{
    indirect_case(false, true, FEATURES);
}

TEST(packed_bad_indirect_nested)
{
    indirect_case(true, true, FEATURES);
}

TEST(split_bad_indirect_not_negotiated)
{
    indirect_case(false, false, F(VIRTIO_F_VERSION_1));
}

TEST(packed_bad_indirect_not_negotiated)
{
    indirect_case(true, false, F(VIRTIO_F_VERSION_1));
}

/* A bad rx chain in the middle of a mergeable packet's buffers is
 * returned before them, so that the packet's buffers stay together. */
TEST(split_bad_chain_inside_mergeable_packet)
{
    struct fx fx;
    fx_init(&fx, false, 16, FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    int a = vdrv_add_in(&fx.q, 1000, NULL);
    /* A read-only "rx" buffer, by hand at descriptor 1. */
    uint16_t bad = fx.q.free_head;
    struct vring_desc *d = vdrv_split_desc(&fx.q, bad);
    d->addr = good_buf(&fx, 100);
    d->len = 100;
    d->flags = 0;
    fx.q.free_head = fx.q.next_free[bad];
    fx.q.num_free--;
    fx.q.slots[bad] = (struct vdrv_slot) { .in_use = true, .n_descs = 1 };
    vdrv_split_push_head(&fx.q, bad);
    int b = vdrv_add_in(&fx.q, 1000, NULL);

    CHECK_EQ(fx_enqueue(&fx, 1500), 1);
    CHECK_EQ(fx.vq.stats.errors, 1);
    struct vdrv_used u;
    CHECK(vdrv_get_used(&fx.q, &u));
    CHECK_EQ(u.id, bad);
    CHECK_EQ(u.len, 0);
    CHECK(vdrv_get_used(&fx.q, &u));
    CHECK_EQ(u.id, a);
    CHECK_EQ(u.len, 1000);
    const uint8_t *h = vdrv_ptr(&fx.m, u.slot.bufs[0].gpa);
    CHECK_EQ(h[10], 2);         /* num_buffers, little-endian. */
    CHECK_EQ(h[11], 0);
    CHECK(vdrv_get_used(&fx.q, &u));
    CHECK_EQ(u.id, b);
    CHECK_EQ(u.len, 512);
    fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* Ring-level nonsense: the queue breaks. */

static void
check_broken(struct fx *fx)
{
    CHECK(fx->vq.broken);
    CHECK_EQ(fx->vq.stats.broken, 1);
    CHECK(!vhost_vq_has_avail(&fx->vq));
    CHECK_EQ(fx_dequeue(fx), 0);
    CHECK_EQ(fx_enqueue(fx, 60), 0);
    CHECK_EQ(fx->vq.stats.broken, 1);
}

TEST(split_broken_avail_idx_jump)
{
    struct fx fx;
    fx_init(&fx, false, 16, FEATURES);
    uint8_t frame[60] = { 0 };
    CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
    CHECK_EQ(fx_dequeue(&fx), 1);
    vdrv_split_set_avail_idx(&fx.q, 1 + 17);
    CHECK_EQ(fx_dequeue(&fx), 0);
    check_broken(&fx);

    /* A restart (new SET_VRING_BASE) recovers. */
    struct vhost_vq_layout layout;
    vdrv_queue_layout(&fx.q, &layout);
    vdrv_split_set_avail_idx(&fx.q, 1);
    CHECK_EQ(vhost_vq_start(&fx.vq, 16, false, FEATURES, &layout, fx.m.mem,
                            NULL, -1, 1), 0);
    CHECK(!fx.vq.broken);
    struct vdrv_used u;
    CHECK(vdrv_get_used(&fx.q, &u));
    check_still_works(&fx, false);
    fx_destroy(&fx);
}

TEST(split_broken_head_out_of_range)
{
    struct fx fx;
    fx_init(&fx, false, 16, FEATURES);
    vdrv_split_push_head(&fx.q, 16);
    CHECK_EQ(fx_dequeue(&fx), 0);
    check_broken(&fx);
    fx_destroy(&fx);
}

TEST(packed_broken_id_out_of_range)
{
    struct fx fx;
    fx_init(&fx, true, 16, FEATURES);
    uint64_t buf = good_buf(&fx, 100);
    vdrv_packed_push(&fx.q, buf, 100, 16, 0, 1);
    CHECK_EQ(fx_dequeue(&fx), 0);
    check_broken(&fx);
    fx_destroy(&fx);
}

TEST(packed_broken_chain_longer_than_ring)
{
    struct fx fx;
    fx_init(&fx, true, 8, FEATURES);
    uint64_t buf = good_buf(&fx, 100);
    for (int i = 0; i < 8; i++) {
        vdrv_packed_push(&fx.q, buf, 10, 0, N, 8);
    }
    CHECK_EQ(fx_dequeue(&fx), 0);
    check_broken(&fx);
    fx_destroy(&fx);
}

/* A mergeable packet that does not fit takes nothing; the next one
 * that fits gets the buffers. */
TEST(split_mergeable_rollback)
{
    struct fx fx;
    fx_init(&fx, false, 8, FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    for (int i = 0; i < 8; i++) {
        CHECK_GE(vdrv_add_in(&fx.q, 100, NULL), 0);
    }
    /* A 2000-byte packet needs 21 buffers; only 8 exist. */
    CHECK_EQ(fx_enqueue(&fx, 2000), 0);
    CHECK(!fx.vq.broken);
    CHECK_EQ(fx.vq.priv->n_shadow, 0);
    CHECK_EQ(fx_enqueue(&fx, 700), 1);
    fx_destroy(&fx);
}
