/* Tests for the virtio engine (vhost/virtqueue.c, vring-split.c,
 * vring-packed.c, virtio-net.c) driven by tests/unit/virtio-driver.c.
 * Most cases run twice, on a split and on a packed ring. */
#include <config.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "test.h"
#include "tests/unit/virtio-driver.h"
#include "vhost/virtio-net.h"
#include "vhost/virtqueue.h"
#include "vlog.h"

#define F(BIT) (1ULL << (BIT))
#define BASE_FEATURES (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC))

#define TEST_BOTH(NAME)                                    \
    static void NAME(bool packed);                         \
    TEST(split_##NAME) { NAME(false); }                    \
    TEST(packed_##NAME) { NAME(true); }                    \
    static void NAME(bool packed)

struct fx {
    struct vdrv_mem m;
    struct vdrv_queue q;
    struct vhost_vq vq;
    int callfd;
};

static void
fx_init(struct fx *fx, bool packed, uint16_t size, uint64_t features)
{
    /* Bad-input tests provoke warnings on purpose. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    vdrv_mem_init(&fx->m, 0, 1, 0);
    vdrv_queue_init(&fx->q, &fx->m, size, packed, features);
    fx->callfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(fx->callfd >= 0);
    vdrv_queue_start(&fx->q, &fx->vq, fx->callfd);
}

static void
fx_destroy(struct fx *fx)
{
    vhost_vq_stop(&fx->vq);
    vdrv_queue_destroy(&fx->q);
    vdrv_mem_destroy(&fx->m);
    close(fx->callfd);
}

/* Interrupts sent since the last call. */
static uint64_t
fx_calls(struct fx *fx)
{
    uint64_t n;
    return read(fx->callfd, &n, sizeof n) == sizeof n ? n : 0;
}

/* ------------------------------------------------------------------ */
/* Frames. */

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

struct frame {
    uint8_t *data;
    size_t len;
    size_t l3, l4, payload;     /* Offsets. */
    bool v6;
    uint8_t proto;
};

static void
put16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static void
put32(uint8_t *p, uint32_t x)
{
    put16(p, x >> 16);
    put16(p + 2, x);
}

/* An Ethernet + IPv4/IPv6 + TCP (with 12 bytes of options) or UDP frame
 * with PAYLOAD bytes of pattern, all lengths and the IPv4 header
 * checksum right, the L4 checksum left as the pseudo-header sum (as a
 * guest leaves it for NEEDS_CSUM). */
static struct frame
frame_build(bool v6, uint8_t proto, size_t payload, uint16_t tcp_flags)
{
    struct frame f = { .v6 = v6, .proto = proto };
    size_t l4_hlen = proto == IPPROTO_TCP ? 32 : 8;

    f.l3 = ETH_HEADER_LEN;
    f.l4 = f.l3 + (v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN);
    f.payload = f.l4 + l4_hlen;
    f.len = f.payload + payload;
    f.data = xzalloc(f.len);

    uint8_t *d = f.data;
    memcpy(d, mac_b, 6);
    memcpy(d + 6, mac_a, 6);
    put16(d + 12, v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    uint8_t *ip = d + f.l3;
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, f.len - f.l4);
        ip[6] = proto;
        ip[7] = 64;
        ip[8] = 0x20;
        ip[9] = 0x01;
        ip[23] = 1;
        ip[24] = 0x20;
        ip[25] = 0x01;
        ip[39] = 2;
    } else {
        ip[0] = 0x45;
        put16(ip + 2, f.len - f.l3);
        put16(ip + 4, 0x1234);
        put16(ip + 6, proto == IPPROTO_TCP ? IP_DONT_FRAGMENT : 0);
        ip[8] = 64;
        ip[9] = proto;
        put32(ip + 12, 0x0a000001);
        put32(ip + 16, 0x0a000002);
        plx_be16 sum = csum(ip, IP_HEADER_LEN);
        memcpy(ip + 10, &sum, 2);
    }
    uint8_t *l4 = d + f.l4;
    put16(l4, 1234);
    put16(l4 + 2, 80);
    if (proto == IPPROTO_TCP) {
        put32(l4 + 4, 0xfffff000);      /* Wraps during segmentation. */
        put32(l4 + 8, 77);
        put16(l4 + 12, (8 << 12) | tcp_flags);
        put16(l4 + 14, 65535);
        memset(l4 + 20, 1, 12);         /* NOP options. */
    } else {
        put16(l4 + 4, f.len - f.l4);
    }
    for (size_t i = 0; i < payload; i++) {
        d[f.payload + i] = i * 7 + 3;
    }

    /* Pseudo-header sum, folded, not complemented. */
    uint32_t ps = (v6
                   ? csum_pseudoheader6((const void *) (ip + 8),
                                        (const void *) (ip + 24), proto,
                                        f.len - f.l4)
                   : csum_pseudoheader4(get_unaligned_be32(ip + 12),
                                        get_unaligned_be32(ip + 16),
                                        proto, f.len - f.l4));
    plx_be16 folded = ~csum_finish(ps);
    memcpy(l4 + (proto == IPPROTO_TCP ? 16 : 6), &folded, 2);
    return f;
}

/* True if the L4 checksum of the IP packet at IP (L3 header length
 * IP_HLEN, L4 length L4_LEN) verifies. */
static bool
l4_csum_ok(const uint8_t *ip, bool v6, size_t ip_hlen, uint8_t proto,
           size_t l4_len)
{
    uint32_t ps = (v6
                   ? csum_pseudoheader6((const void *) (ip + 8),
                                        (const void *) (ip + 24), proto,
                                        l4_len)
                   : csum_pseudoheader4(get_unaligned_be32(ip + 12),
                                        get_unaligned_be32(ip + 16),
                                        proto, l4_len));
    return csum_finish(csum_continue(ps, ip + ip_hlen, l4_len)) == 0;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

/* Dequeues everything the guest has sent into at most MAX packets. */
static size_t
dequeue_all(struct fx *fx, struct dp_packet **pkts, size_t max)
{
    size_t n = 0;
    for (;;) {
        struct dp_packet_batch batch;
        dp_packet_batch_init(&batch);
        size_t got = vhost_vq_dequeue(&fx->vq, &batch);
        CHECK_EQ(got, batch.count);
        if (!got) {
            return n;
        }
        for (size_t i = 0; i < got; i++) {
            CHECK(n < max);
            pkts[n++] = batch.packets[i];
        }
    }
}

static void
delete_all(struct dp_packet **pkts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_packet_delete(pkts[i]);
    }
}

/* Collects used entries and checks there are N, all of length 0. */
static void
check_tx_used(struct fx *fx, int n)
{
    struct vdrv_used u;
    for (int i = 0; i < n; i++) {
        CHECK_MSG(vdrv_get_used(&fx->q, &u), "used entry %d missing", i);
        CHECK_EQ(u.len, 0);
    }
    CHECK(!vdrv_get_used(&fx->q, &u));
}

/* ------------------------------------------------------------------ */
/* Round trips. */

TEST_BOTH(tx_round_trip)
{
    struct fx fx;
    fx_init(&fx, packed, 256, BASE_FEATURES);
    static const size_t sizes[] = { 14, 60, 61, 64, 127, 1500, 1514, 2048,
                                    4000, 9000, 9018, 16384, 65000 };
    uint8_t *frame = xmalloc(65536);
    int n_sent = 0;

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (int variant = 0; variant < 4; variant++) {
            size_t len = sizes[s];
            struct vdrv_chain_opts opts = {
                .n_descs = variant == 0 ? 1 : MIN(variant * 3, (int) len),
                .indirect = variant == 3,
            };
            for (size_t i = 0; i < len; i++) {
                frame[i] = i * 13 + s + variant;
            }
            CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, len, &opts), 0);
            n_sent++;

            struct dp_packet *pkts[4];
            CHECK_EQ(dequeue_all(&fx, pkts, 4), 1);
            CHECK_EQ(dp_packet_size(pkts[0]), len);
            CHECK_MEMEQ(dp_packet_data(pkts[0]), frame, len);
            CHECK_EQ(dp_packet_headroom(pkts[0]), DP_PACKET_DEFAULT_HEADROOM);
            CHECK_EQ(pkts[0]->md.in_port, 0);
            CHECK_EQ(pkts[0]->l3_ofs, DP_PACKET_OFS_UNSET);
            delete_all(pkts, 1);
            check_tx_used(&fx, 1);
        }
    }
    CHECK_EQ(fx.vq.stats.packets, n_sent);
    CHECK_EQ(fx.vq.stats.errors, 0);
    free(frame);
    fx_destroy(&fx);
}

/* Many packets at once: batches of NETDEV_MAX_BURST, the ring wrapping
 * several times. */
TEST_BOTH(tx_batches_wrap)
{
    struct fx fx;
    fx_init(&fx, packed, 64, BASE_FEATURES);
    uint8_t frame[200];
    uint32_t next = 0;

    for (int round = 0; round < 10; round++) {
        int n = 40 + round;
        for (int i = 0; i < n; i++) {
            memset(frame, 0, sizeof frame);
            put32(frame + 20, next + i);
            CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60 + i, NULL), 0);
        }
        struct dp_packet_batch batch;
        dp_packet_batch_init(&batch);
        CHECK_EQ(vhost_vq_dequeue(&fx.vq, &batch), NETDEV_MAX_BURST);
        CHECK(vhost_vq_has_avail(&fx.vq));
        dp_packet_delete_batch(&batch, true);
        dp_packet_batch_init(&batch);
        CHECK_EQ(vhost_vq_dequeue(&fx.vq, &batch), n - NETDEV_MAX_BURST);
        for (size_t i = 0; i < batch.count; i++) {
            const uint8_t *d = dp_packet_data(batch.packets[i]);
            CHECK_EQ(get32(d + 20), next + NETDEV_MAX_BURST + i);
        }
        dp_packet_delete_batch(&batch, true);
        check_tx_used(&fx, n);
        CHECK(!vhost_vq_has_avail(&fx.vq));
        next += n;
    }
    fx_destroy(&fx);
}

/* Receives one packet and checks it equals FRAME/LEN. */
static void
check_recv(struct fx *fx, const uint8_t *frame, size_t len, int nbufs)
{
    struct virtio_net_hdr hdr;
    uint8_t *buf = xmalloc(VHOST_VQ_MAX_PKT);
    int n_buffers;

    int got = vdrv_recv(&fx->q, &hdr, buf, VHOST_VQ_MAX_PKT, &n_buffers);
    CHECK_EQ(got, len);
    CHECK_MEMEQ(buf, frame, len);
    CHECK_EQ(hdr.flags, 0);
    CHECK_EQ(hdr.gso_type, 0);
    CHECK_EQ(hdr.gso_size, 0);
    CHECK_EQ(hdr.csum_start, 0);
    if (vnet_hdr_len(fx->q.features) == 12) {
        CHECK_EQ(hdr.num_buffers, nbufs);
    }
    if (nbufs) {
        CHECK_EQ(n_buffers, nbufs);
    }
    free(buf);
}

static void
enqueue_one(struct fx *fx, const uint8_t *frame, size_t len, size_t expect)
{
    struct dp_packet *pkt = dp_packet_clone_data(frame, len);
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, pkt);
    CHECK_EQ(vhost_vq_enqueue(&fx->vq, &batch), expect);
    dp_packet_delete(pkt);
}

static void
rx_round_trip(bool packed, uint64_t features)
{
    struct fx fx;
    fx_init(&fx, packed, 128, features);
    static const size_t sizes[] = { 14, 60, 64, 100, 1000, 1514, 1518 };
    uint8_t frame[1600];

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (int variant = 0; variant < 3; variant++) {
            struct vdrv_chain_opts opts = {
                .n_descs = variant ? 4 : 1, .indirect = variant == 2,
            };
            CHECK_GE(vdrv_add_in(&fx.q, 1600, &opts), 0);
            for (size_t i = 0; i < sizes[s]; i++) {
                frame[i] = i ^ s ^ variant;
            }
            enqueue_one(&fx, frame, sizes[s], 1);
            check_recv(&fx, frame, sizes[s], 1);
        }
    }
    CHECK_EQ(fx.vq.stats.packets, ARRAY_SIZE(sizes) * 3);
    CHECK_EQ(fx.vq.stats.dropped, 0);
    fx_destroy(&fx);
}

TEST_BOTH(rx_round_trip_v1)
{
    rx_round_trip(packed, BASE_FEATURES);
}

TEST_BOTH(rx_round_trip_legacy_hdr)
{
    rx_round_trip(packed, F(VIRTIO_RING_F_INDIRECT_DESC));
}

TEST_BOTH(rx_round_trip_mergeable)
{
    rx_round_trip(packed, BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
}

TEST_BOTH(rx_mergeable_jumbo)
{
    struct fx fx;
    fx_init(&fx, packed, 64, BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    uint8_t *frame = xmalloc(9000);
    for (int i = 0; i < 9000; i++) {
        frame[i] = i * 31;
    }

    /* 12 + 9000 bytes into 1500-byte buffers: 7 of them. */
    for (int i = 0; i < 6; i++) {
        CHECK_GE(vdrv_add_in(&fx.q, 1500, NULL), 0);
    }
    enqueue_one(&fx, frame, 9000, 0);      /* One buffer short. */
    CHECK_EQ(fx.vq.stats.dropped, 1);
    struct vdrv_used u;
    CHECK(!vdrv_get_used(&fx.q, &u));      /* Nothing taken. */

    CHECK_GE(vdrv_add_in(&fx.q, 1500, NULL), 0);
    CHECK_GE(vdrv_add_in(&fx.q, 1500, NULL), 0);
    enqueue_one(&fx, frame, 9000, 1);
    check_recv(&fx, frame, 9000, 7);

    /* The eighth buffer is still there for a small packet. */
    enqueue_one(&fx, frame, 100, 1);
    check_recv(&fx, frame, 100, 1);
    free(frame);
    fx_destroy(&fx);
}

TEST_BOTH(rx_no_buffers_and_too_small)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES);
    uint8_t frame[2000];
    memset(frame, 0x42, sizeof frame);

    enqueue_one(&fx, frame, 60, 0);
    CHECK_EQ(fx.vq.stats.dropped, 1);

    /* Without mergeable buffers a packet must fit one chain: the 1514
     * byte one is dropped and its buffer serves the next one. */
    CHECK_GE(vdrv_add_in(&fx.q, 1000, NULL), 0);
    struct dp_packet *big = dp_packet_clone_data(frame, 1514);
    struct dp_packet *small = dp_packet_clone_data(frame, 500);
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, big);
    dp_packet_batch_add(&batch, small);
    CHECK_EQ(vhost_vq_enqueue(&fx.vq, &batch), 1);
    CHECK_EQ(fx.vq.stats.dropped, 2);
    check_recv(&fx, frame, 500, 1);
    dp_packet_delete_batch(&batch, true);
    fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* Notifications. */

static void
post_and_deliver(struct fx *fx, int n)
{
    uint8_t frame[64] = { 0 };
    for (int i = 0; i < n; i++) {
        CHECK_GE(vdrv_add_in(&fx->q, 256, NULL), 0);
        enqueue_one(fx, frame, sizeof frame, 1);
    }
}

TEST_BOTH(notify_flags)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES);

    vhost_vq_notify(&fx.vq);            /* Nothing used yet. */
    CHECK_EQ(fx_calls(&fx), 0);

    vdrv_set_interrupts(&fx.q, false);
    post_and_deliver(&fx, 1);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 0);

    vdrv_set_interrupts(&fx.q, true);
    post_and_deliver(&fx, 2);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 1);
    vhost_vq_notify(&fx.vq);            /* Nothing new. */
    CHECK_EQ(fx_calls(&fx), 0);
    post_and_deliver(&fx, 1);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 1);
    CHECK_EQ(fx.vq.stats.calls, 2);

    /* No callfd: nothing written, nothing counted. */
    vhost_vq_set_callfd(&fx.vq, -1);
    post_and_deliver(&fx, 1);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 0);
    CHECK_EQ(fx.vq.stats.calls, 2);
    fx_destroy(&fx);
}

TEST_BOTH(notify_event_idx)
{
    struct fx fx;
    fx_init(&fx, packed, 8, BASE_FEATURES | F(VIRTIO_RING_F_EVENT_IDX));

    /* The first notification always goes (nothing signalled yet). */
    post_and_deliver(&fx, 1);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 1);
    struct vdrv_used u0;
    CHECK(vdrv_get_used(&fx.q, &u0));

    /* Ask for an interrupt once entry 3 (the fourth) is used.  Used
     * positions: 1 now.  In the packed ring positions wrap at 8. */
    uint16_t want = vdrv_used_pos(&fx.q);
    for (int step = 0; step < 12; step++) {
        /* Event at the entry two past the one the driver has seen. */
        uint16_t ev = want;
        if (fx.q.packed) {
            uint16_t pos = (ev & 0x7fff) + 2, wrap = ev >> 15;
            if (pos >= 8) {
                pos -= 8;
                wrap ^= 1;
            }
            ev = pos | wrap << 15;
        } else {
            ev += 2;
        }
        vdrv_set_used_event(&fx.q, ev);

        struct vdrv_used u;
        uint64_t calls[3];
        for (int i = 0; i < 3; i++) {
            CHECK_GE(vdrv_add_in(&fx.q, 256, NULL), 0);
            uint8_t frame[64] = { 0 };
            enqueue_one(&fx, frame, sizeof frame, 1);
            vhost_vq_notify(&fx.vq);
            calls[i] = fx_calls(&fx);
        }
        /* Used entries want, want+1, want+2: only the third crosses. */
        CHECK_EQ(calls[0], 0);
        CHECK_EQ(calls[1], 0);
        CHECK_EQ(calls[2], 1);
        for (int i = 0; i < 3; i++) {
            CHECK(vdrv_get_used(&fx.q, &u));
        }
        want = vdrv_used_pos(&fx.q);
    }

    /* Several entries in one batch crossing the event: one call. */
    vdrv_set_used_event(&fx.q, vdrv_used_pos(&fx.q));
    for (int i = 0; i < 4; i++) {
        CHECK_GE(vdrv_add_in(&fx.q, 256, NULL), 0);
    }
    uint8_t frame[64] = { 0 };
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    for (int i = 0; i < 4; i++) {
        dp_packet_batch_add(&batch, dp_packet_clone_data(frame, 64));
    }
    CHECK_EQ(vhost_vq_enqueue(&fx.vq, &batch), 4);
    dp_packet_delete_batch(&batch, true);
    vhost_vq_notify(&fx.vq);
    CHECK_EQ(fx_calls(&fx), 1);
    fx_destroy(&fx);
}

TEST_BOTH(kicks_flags)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES);
    uint8_t frame[64] = { 0 };

    CHECK(fx.vq.kicks_enabled);
    CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
    CHECK(vdrv_kick_wanted(&fx.q));

    CHECK(!vhost_vq_set_kicks(&fx.vq, false));
    CHECK(!fx.vq.kicks_enabled);
    CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
    CHECK(!vdrv_kick_wanted(&fx.q));

    /* Re-enabling reports the two buffers that arrived meanwhile. */
    CHECK(vhost_vq_set_kicks(&fx.vq, true));
    CHECK_EQ(fx.vq.stats.kicks_asked, 1);
    struct dp_packet *pkts[4];
    CHECK_EQ(dequeue_all(&fx, pkts, 4), 2);
    delete_all(pkts, 2);
    CHECK(!vhost_vq_set_kicks(&fx.vq, true));
    CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
    CHECK(vdrv_kick_wanted(&fx.q));
    fx_destroy(&fx);
}

TEST_BOTH(kicks_event_idx)
{
    struct fx fx;
    fx_init(&fx, packed, 8, BASE_FEATURES | F(VIRTIO_RING_F_EVENT_IDX));
    uint8_t frame[64] = { 0 };
    struct dp_packet *pkts[8];

    for (int round = 0; round < 6; round++) {
        CHECK(!vhost_vq_set_kicks(&fx.vq, true));
        /* The first buffer after enabling kicks... */
        CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
        CHECK(vdrv_kick_wanted(&fx.q));
        /* ...and no more until the device looks again. */
        CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, 60, NULL), 0);
        CHECK(!vdrv_kick_wanted(&fx.q));
        CHECK(vhost_vq_has_avail(&fx.vq));
        CHECK(!vhost_vq_set_kicks(&fx.vq, false));
        CHECK_EQ(dequeue_all(&fx, pkts, 8), 2);
        delete_all(pkts, 2);
        check_tx_used(&fx, 2);
    }
    fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* Offloads. */

/* Sends F with HDR and returns the packets that come out. */
static size_t
send_with_hdr(struct fx *fx, const struct frame *f,
              const struct virtio_net_hdr *hdr, struct dp_packet **pkts,
              size_t max)
{
    struct vdrv_chain_opts opts = { .n_descs = 3 };
    CHECK_GE(vdrv_add_tx(&fx->q, hdr, f->data, f->len, &opts), 0);
    size_t n = dequeue_all(fx, pkts, max);
    check_tx_used(fx, 1);
    return n;
}

TEST_BOTH(csum_completion)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES | F(VIRTIO_NET_F_CSUM));

    for (int v6 = 0; v6 < 2; v6++) {
        for (int tcp = 0; tcp < 2; tcp++) {
            for (size_t payload = 0; payload < 1400; payload += 333) {
                uint8_t proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
                struct frame f = frame_build(v6, proto, payload, TCP_ACK);
                struct virtio_net_hdr hdr = {
                    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
                    .csum_start = f.l4,
                    .csum_offset = tcp ? 16 : 6,
                };
                CHECK(!l4_csum_ok(f.data + f.l3, v6, f.l4 - f.l3, proto,
                                  f.len - f.l4) || payload == 0);
                struct dp_packet *pkts[2];
                CHECK_EQ(send_with_hdr(&fx, &f, &hdr, pkts, 2), 1);
                const uint8_t *d = dp_packet_data(pkts[0]);
                CHECK_EQ(dp_packet_size(pkts[0]), f.len);
                CHECK(l4_csum_ok(d + f.l3, v6, f.l4 - f.l3, proto,
                                 f.len - f.l4));
                /* Nothing but the checksum changed. */
                size_t cofs = f.l4 + hdr.csum_offset;
                CHECK_MEMEQ(d, f.data, cofs);
                CHECK_MEMEQ(d + cofs + 2, f.data + cofs + 2,
                            f.len - cofs - 2);
                delete_all(pkts, 1);
                free(f.data);
            }
        }
    }
    CHECK_EQ(fx.vq.stats.errors, 0);

    /* Offsets outside the packet: dropped, counted, chain returned. */
    struct frame f = frame_build(false, IPPROTO_UDP, 100, 0);
    const uint16_t bad[][2] = { { f.len, 0 }, { f.len - 1, 0 },
                                { f.l4, f.len - f.l4 - 1 },
                                { f.l4, 0xffff }, { 0xffff, 0xffff } };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct virtio_net_hdr hdr = {
            .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
            .csum_start = bad[i][0], .csum_offset = bad[i][1],
        };
        struct dp_packet *pkts[2];
        CHECK_EQ(send_with_hdr(&fx, &f, &hdr, pkts, 2), 0);
        CHECK_EQ(fx.vq.stats.errors, i + 1);
    }
    /* The last two bytes are still a valid place. */
    struct virtio_net_hdr hdr = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .csum_start = f.l4, .csum_offset = f.len - f.l4 - 2,
    };
    struct dp_packet *pkts[2];
    CHECK_EQ(send_with_hdr(&fx, &f, &hdr, pkts, 2), 1);
    delete_all(pkts, 1);
    free(f.data);
    fx_destroy(&fx);
}

/* Checks TSO segments PKTS[0..N) of F (MSS bytes of payload each). */
static void
check_tso(const struct frame *f, struct dp_packet **pkts, size_t n,
          size_t mss)
{
    size_t payload = f->len - f->payload;
    CHECK_EQ(n, DIV_ROUND_UP(payload, mss));
    uint8_t *joined = xmalloc(payload);
    size_t ofs = 0;

    for (size_t k = 0; k < n; k++) {
        const uint8_t *d = dp_packet_data(pkts[k]);
        size_t len = dp_packet_size(pkts[k]);
        size_t seg = MIN(mss, payload - ofs);
        bool last = k == n - 1;

        CHECK_EQ(len, f->payload + seg);
        CHECK_MEMEQ(d, f->data, f->l3 - 2 + 2);
        const uint8_t *ip = d + f->l3;
        if (f->v6) {
            CHECK_EQ(get16(ip + 4), len - f->l4);
            CHECK_MEMEQ(ip + 6, f->data + f->l3 + 6, 34);
        } else {
            CHECK_EQ(get16(ip + 2), len - f->l3);
            CHECK_EQ(get16(ip + 4), (uint16_t) (0x1234 + k));
            CHECK_EQ(get16(ip + 6), IP_DONT_FRAGMENT);
            CHECK_EQ(csum(ip, IP_HEADER_LEN), 0);
        }
        const uint8_t *tcp = d + f->l4;
        CHECK_EQ(get32(tcp + 4), (uint32_t) (0xfffff000 + k * mss));
        CHECK_EQ(get32(tcp + 8), 77);
        uint16_t flags = get16(tcp + 12) & 0x0fff;
        uint16_t orig = get16(f->data + f->l4 + 12) & 0x0fff;
        uint16_t want = orig & ~((last ? 0 : TCP_FIN | TCP_PSH)
                                 | (k == 0 ? 0 : TCP_CWR));
        CHECK_EQ(flags, want);
        CHECK_EQ(get16(tcp + 12) >> 12, 8);
        CHECK(l4_csum_ok(ip, f->v6, f->l4 - f->l3, IPPROTO_TCP,
                         len - f->l4));

        /* A real parser agrees. */
        struct flow flow;
        flow_extract(pkts[k], &flow);
        CHECK_EQ(flow.nw_proto, IPPROTO_TCP);
        CHECK_EQ(ntohs(flow.tp_src), 1234);
        CHECK_EQ(ntohs(flow.tp_dst), 80);
        CHECK_EQ(ntohs(flow.tcp_flags), want);
        CHECK_EQ(flow.nw_frag, 0);

        memcpy(joined + ofs, d + f->payload, seg);
        ofs += seg;
    }
    CHECK_MEMEQ(joined, f->data + f->payload, payload);
    free(joined);
}

static void
tso_case(bool packed, bool v6)
{
    struct fx fx;
    fx_init(&fx, packed, 32, BASE_FEATURES | F(VIRTIO_NET_F_HOST_TSO4)
            | F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_CSUM));
    static const size_t payloads[] = { 1, 1448, 1449, 20000, 65000 };
    static const size_t msses[] = { 1448, 536, 9000 };

    for (size_t p = 0; p < ARRAY_SIZE(payloads); p++) {
        for (size_t m = 0; m < ARRAY_SIZE(msses); m++) {
            struct frame f = frame_build(v6, IPPROTO_TCP, payloads[p],
                                         TCP_ACK | TCP_PSH | TCP_FIN
                                         | TCP_CWR);
            struct virtio_net_hdr hdr = {
                .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
                .gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6
                                : VIRTIO_NET_HDR_GSO_TCPV4,
                .hdr_len = f.payload, .gso_size = msses[m],
                .csum_start = f.l4, .csum_offset = 16,
            };
            size_t max = DIV_ROUND_UP(payloads[p], msses[m]);
            struct dp_packet **pkts = xmalloc(max * sizeof *pkts);
            size_t n = send_with_hdr(&fx, &f, &hdr, pkts, max);
            check_tso(&f, pkts, n, msses[m]);
            delete_all(pkts, n);
            free(pkts);
            free(f.data);
        }
    }
    CHECK_EQ(fx.vq.stats.errors, 0);

    /* gso_size 0, a wrong gso type for the packet, an unknown type. */
    struct frame f = frame_build(v6, IPPROTO_TCP, 3000, TCP_ACK);
    const uint8_t types[] = { v6 ? VIRTIO_NET_HDR_GSO_TCPV6
                                 : VIRTIO_NET_HDR_GSO_TCPV4,
                              v6 ? VIRTIO_NET_HDR_GSO_TCPV4
                                 : VIRTIO_NET_HDR_GSO_TCPV6,
                              VIRTIO_NET_HDR_GSO_UDP, 2 };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        struct virtio_net_hdr hdr = {
            .gso_type = types[i], .gso_size = i ? 1000 : 0,
        };
        struct dp_packet *pkts[4];
        CHECK_EQ(send_with_hdr(&fx, &f, &hdr, pkts, 4), 0);
        CHECK_EQ(fx.vq.stats.errors, i + 1);
    }
    free(f.data);
    fx_destroy(&fx);
}

TEST_BOTH(tso4)
{
    tso_case(packed, false);
}

TEST_BOTH(tso6)
{
    tso_case(packed, true);
}

/* A TSO packet cut into more segments than a batch holds: the rest come
 * first in the next dequeue, and packets behind it wait their turn. */
TEST_BOTH(tso_more_than_a_batch)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES);
    struct frame f = frame_build(false, IPPROTO_TCP, 10000, TCP_ACK);
    struct virtio_net_hdr hdr = {
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 100,
    };
    uint8_t small[60] = { 0xee };

    CHECK_GE(vdrv_add_tx(&fx.q, &hdr, f.data, f.len, NULL), 0);
    CHECK_GE(vdrv_add_tx(&fx.q, NULL, small, sizeof small, NULL), 0);

    struct dp_packet *pkts[101];
    size_t n = 0;
    int calls = 0;
    for (;;) {
        struct dp_packet_batch batch;
        dp_packet_batch_init(&batch);
        size_t got = vhost_vq_dequeue(&fx.vq, &batch);
        if (!got) {
            break;
        }
        calls++;
        for (size_t i = 0; i < got; i++) {
            CHECK(n < ARRAY_SIZE(pkts));
            pkts[n++] = batch.packets[i];
        }
    }
    CHECK_EQ(n, 101);
    CHECK_EQ(calls, 4);
    CHECK_EQ(dp_packet_size(pkts[100]), sizeof small);
    CHECK_MEMEQ(dp_packet_data(pkts[100]), small, sizeof small);
    check_tso(&f, pkts, 100, 100);
    CHECK_EQ(fx.vq.stats.packets, 101);
    delete_all(pkts, n);
    check_tx_used(&fx, 2);

    /* Stopping with segments pending frees them (ASan would tell). */
    CHECK_GE(vdrv_add_tx(&fx.q, &hdr, f.data, f.len, NULL), 0);
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_vq_dequeue(&fx.vq, &batch), NETDEV_MAX_BURST);
    dp_packet_delete_batch(&batch, true);
    free(f.data);
    fx_destroy(&fx);
}

static void
ufo_case(bool packed, bool v6)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES | F(VIRTIO_NET_F_HOST_UFO));
    struct frame f = frame_build(v6, IPPROTO_UDP, 4000, 0);
    struct virtio_net_hdr hdr = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = VIRTIO_NET_HDR_GSO_UDP, .gso_size = 1475,
        .csum_start = f.l4, .csum_offset = 6,
    };
    size_t fs = 1475 & ~7;          /* 1472 */
    size_t l4_len = f.len - f.l4;
    size_t fh = v6 ? IP6_FRAG_HEADER_LEN : 0;
    struct dp_packet *pkts[8];
    size_t n = send_with_hdr(&fx, &f, &hdr, pkts, 8);

    CHECK_EQ(n, DIV_ROUND_UP(l4_len, fs));
    uint8_t *joined = xmalloc(l4_len);
    uint32_t ident = 0;
    for (size_t k = 0; k < n; k++) {
        const uint8_t *d = dp_packet_data(pkts[k]);
        size_t len = dp_packet_size(pkts[k]);
        size_t chunk = MIN(fs, l4_len - k * fs);
        bool last = k == n - 1;
        const uint8_t *ip = d + f.l3;

        CHECK_EQ(len, f.l4 + fh + chunk);
        CHECK_MEMEQ(d, f.data, f.l3);
        if (v6) {
            CHECK_EQ(ip[6], IPPROTO_FRAGMENT);
            CHECK_EQ(get16(ip + 4), fh + chunk);
            const uint8_t *frag = d + f.l4;
            CHECK_EQ(frag[0], IPPROTO_UDP);
            CHECK_EQ(get16(frag + 2), (k * fs) | (last ? 0 : 1));
            if (!k) {
                ident = get32(frag + 4);
            }
            CHECK_EQ(get32(frag + 4), ident);
        } else {
            CHECK_EQ(get16(ip + 2), len - f.l3);
            CHECK_EQ(get16(ip + 4), 0x1234);
            CHECK_EQ(get16(ip + 6), (k * fs / 8)
                     | (last ? 0 : IP_MORE_FRAGMENTS));
            CHECK_EQ(csum(ip, IP_HEADER_LEN), 0);
        }
        struct flow flow;
        flow_extract(pkts[k], &flow);
        CHECK(flow.nw_frag & FLOW_NW_FRAG_ANY);
        CHECK_EQ(!!(flow.nw_frag & FLOW_NW_FRAG_LATER), k > 0);
        memcpy(joined + k * fs, d + f.l4 + fh, chunk);
    }
    /* Reassembled: the original datagram with a valid checksum. */
    CHECK_MEMEQ(joined, f.data + f.l4, 6);
    CHECK_MEMEQ(joined + 8, f.data + f.l4 + 8, l4_len - 8);
    memcpy(f.data + f.l4, joined, l4_len);
    CHECK(l4_csum_ok(f.data + f.l3, v6, f.l4 - f.l3, IPPROTO_UDP, l4_len));
    free(joined);
    delete_all(pkts, n);

    /* gso_size below 8 cannot make fragments. */
    hdr.gso_size = 7;
    CHECK_EQ(send_with_hdr(&fx, &f, &hdr, pkts, 8), 0);
    CHECK_EQ(fx.vq.stats.errors, 1);
    free(f.data);
    fx_destroy(&fx);
}

TEST_BOTH(ufo4)
{
    ufo_case(packed, false);
}

TEST_BOTH(ufo6)
{
    ufo_case(packed, true);
}

/* ------------------------------------------------------------------ */
/* Stop and start, dirty log. */

TEST_BOTH(stop_start_resumes)
{
    struct fx fx;
    fx_init(&fx, packed, 4, BASE_FEATURES);
    uint8_t frame[60];
    struct dp_packet *pkts[8];
    uint32_t seq = 0;

    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 3; i++) {
            put32(frame, seq + i);
            CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, sizeof frame, NULL),
                     0);
        }
        CHECK_EQ(dequeue_all(&fx, pkts, 8), 3);
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(get32(dp_packet_data(pkts[i])), seq + i);
        }
        delete_all(pkts, 3);
        seq += 3;
        check_tx_used(&fx, 3);

        /* GET_VRING_BASE, then more buffers while stopped, then
         * SET_VRING_BASE with what was reported. */
        uint16_t base = vhost_vq_stop(&fx.vq);
        CHECK_EQ(base, vdrv_avail_pos(&fx.q));
        put32(frame, seq);
        CHECK_GE(vdrv_add_tx(&fx.q, NULL, frame, sizeof frame, NULL), 0);
        struct vhost_vq_layout layout;
        vdrv_queue_layout(&fx.q, &layout);
        CHECK_EQ(vhost_vq_start(&fx.vq, 4, packed, BASE_FEATURES, &layout,
                                fx.m.mem, NULL, fx.callfd, base), 0);
        CHECK_EQ(dequeue_all(&fx, pkts, 8), 1);
        CHECK_EQ(get32(dp_packet_data(pkts[0])), seq);
        delete_all(pkts, 1);
        seq++;
        check_tx_used(&fx, 1);
    }
    /* Stop twice is harmless; bad sizes and bases are refused. */
    vhost_vq_stop(&fx.vq);
    struct vhost_vq_layout layout;
    vdrv_queue_layout(&fx.q, &layout);
    CHECK_EQ(vhost_vq_start(&fx.vq, 0, packed, 0, &layout, fx.m.mem, NULL,
                            -1, 0), EINVAL);
    CHECK_EQ(vhost_vq_start(&fx.vq, packed ? 4 : 6, packed, 0, &layout,
                            fx.m.mem, NULL, -1, packed ? 4 : 0), EINVAL);
    CHECK(!fx.vq.priv);
    CHECK_EQ(vhost_vq_dequeue(&fx.vq, &(struct dp_packet_batch) { 0 }), 0);
    fx_destroy(&fx);
}

static bool
log_bit(const struct vhost_log *log, uint64_t gpa)
{
    uint64_t page = gpa / VHOST_LOG_PAGE;
    return log->bits[page / 8] & (1u << (page % 8));
}

TEST_BOTH(dirty_log)
{
    struct fx fx;
    fx_init(&fx, packed, 16, BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    uint64_t log_size = fx.m.size / VHOST_LOG_PAGE / 8;
    int fd = memfd_create("log", MFD_CLOEXEC);
    CHECK(fd >= 0 && !ftruncate(fd, 4096 + log_size));
    struct vhost_log *log;
    char *err;
    CHECK_EQ(vhost_log_create(fd, log_size, 4096, &log, &err), 0);
    vhost_vq_set_log(&fx.vq, log);

    /* Two buffers, 3 pages apart; the packet fills the first and spills
     * 100 bytes into the second. */
    int id0 = vdrv_add_in(&fx.q, 3000, NULL);
    fx.m.buf_next += 3 * 4096;
    int id1 = vdrv_add_in(&fx.q, 5000, NULL);
    CHECK(id0 >= 0 && id1 >= 0);
    uint64_t b0 = fx.q.slots[id0].bufs[0].gpa;
    uint64_t b1 = fx.q.slots[id1].bufs[0].gpa;
    CHECK_GE(b1, b0 + 3000 + 3 * 4096);
    CHECK(is_all_zeros(log->bits, log_size));

    uint8_t frame[3088];
    memset(frame, 1, sizeof frame);
    enqueue_one(&fx, frame, sizeof frame, 1);
    CHECK(log_bit(log, b0));
    CHECK(log_bit(log, b0 + 2999));
    CHECK(!log_bit(log, b0 + 2999 + 4096));     /* The gap. */
    CHECK(log_bit(log, b1));
    CHECK(!log_bit(log, b1 + 4096));            /* Only 100 bytes. */
    uint64_t ring = packed ? fx.q.desc_gpa : fx.q.used_gpa;
    CHECK(log_bit(log, ring));
    check_recv(&fx, frame, sizeof frame, 2);

    /* Bits beyond the bitmap are ignored; logging off logs nothing. */
    vhost_log_write(log, UINT64_MAX - 10, 100);
    vhost_vq_set_log(&fx.vq, NULL);
    memset(log->bits, 0, log_size);
    CHECK_GE(vdrv_add_in(&fx.q, 3000, NULL), 0);
    enqueue_one(&fx, frame, 100, 1);
    CHECK(is_all_zeros(log->bits, log_size));
    vhost_log_destroy(log);
    close(fd);
    fx_destroy(&fx);
}

TEST(log_write_pages)
{
    int fd = memfd_create("log", MFD_CLOEXEC);
    CHECK(fd >= 0 && !ftruncate(fd, 64));
    struct vhost_log *log;
    char *err;
    CHECK_EQ(vhost_log_create(fd, 64, 0, &log, &err), 0);

    vhost_log_write(log, 4095, 2);              /* Pages 0 and 1. */
    CHECK_EQ(log->bits[0], 3);
    vhost_log_write(log, 7 * 4096, 4096 * 3);   /* 7, 8, 9. */
    CHECK_EQ(log->bits[0], 0x83);
    CHECK_EQ(log->bits[1], 3);
    vhost_log_write(log, 511 * 4096, UINT64_MAX);   /* Last page only. */
    CHECK_EQ(log->bits[63], 0x80);
    vhost_log_write(log, 512 * 4096, 1);        /* Beyond: ignored. */
    vhost_log_write(log, 0, 0);
    CHECK_EQ(log->bits[0], 0x83);
    vhost_log_write(NULL, 0, 100);
    vhost_log_destroy(log);

    CHECK_EQ(vhost_log_create(fd, 65, 0, &log, &err), EINVAL);
    free(err);
    CHECK_EQ(vhost_log_create(fd, 0, 0, &log, &err), EINVAL);
    free(err);
    close(fd);
}

