/* Tests for the vhost-user backend (vhost/vhost-user.c), driven by the
 * frontend library over a socketpair, with guest memory and rings from
 * the test virtio driver: the whole protocol and datapath of one device
 * in one process, so that the sanitizer build sees every access the
 * backend makes for good and for hostile frontends. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "packets.h"
#include "latch.h"
#include "poll-loop.h"
#include "rcu.h"
#include "test.h"
#include "vhost/vhost-user-frontend.h"
#include "vhost/vhost-user.h"
#include "vhost/virtqueue.h"
#include "vhost/virtqueue-private.h"
#include "virtio-driver.h"
#include "vlog.h"

/* EXPR returns an errno value that must be 0. */
#define CHECK_OK(EXPR) CHECK_EQ((EXPR), 0)

/* A backend device served by a thread of its own, as plx-vswitchd's
 * main thread serves it, plus a frontend and guest memory. */
struct fixture {
    struct vhost_user_dev *dev;
    struct vhost_user_frontend *fe;
    pthread_t thread;
    struct latch exit;
    int run_error;              /* What vhost_user_dev_run() ended with. */
    bool stopped;

    struct vdrv_mem mem;
    struct vdrv_queue q[4];     /* Two queue pairs. */
    int kick[4];
    int call[4];
    int err[4];
};

static void *
backend_main(void *f_)
{
    struct fixture *f = f_;

    while (!latch_is_set(&f->exit)) {
        int error = vhost_user_dev_run(f->dev);
        if (error) {
            __atomic_store_n(&f->run_error, error, __ATOMIC_RELEASE);
            __atomic_store_n(&f->stopped, true, __ATOMIC_RELEASE);
            break;
        }
        vhost_user_dev_wait(f->dev);
        latch_wait(&f->exit);
        poll_block();
    }
    return NULL;
}

static void
fixture_init(struct fixture *f, bool packed)
{
    int fds[2];

    memset(f, 0, sizeof *f);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    f->dev = vhost_user_dev_create(fds[0], "test0");
    f->fe = vhost_user_frontend_create(fds[1], "frontend");
    latch_init(&f->exit);
    CHECK_EQ(pthread_create(&f->thread, NULL, backend_main, f), 0);

    uint64_t features = ((1ULL << VIRTIO_F_VERSION_1)
                         | (1ULL << VIRTIO_NET_F_MRG_RXBUF)
                         | (1ULL << VIRTIO_RING_F_EVENT_IDX)
                         | (packed ? 1ULL << VIRTIO_F_RING_PACKED : 0));
    vdrv_mem_init(&f->mem, 0, 1, 0);
    for (int i = 0; i < 4; i++) {
        vdrv_queue_init(&f->q[i], &f->mem, 256, packed, features);
        f->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        f->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        f->err[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    }
}

/* Stops the backend thread (if it is still running) and frees all. */
static void
fixture_destroy(struct fixture *f)
{
    latch_set(&f->exit);
    pthread_join(f->thread, NULL);
    vhost_user_frontend_destroy(f->fe);
    vhost_user_dev_destroy(f->dev);
    rcu_wait_postponed();
    for (int i = 0; i < 4; i++) {
        vdrv_queue_destroy(&f->q[i]);
        close(f->kick[i]);
        close(f->call[i]);
        close(f->err[i]);
    }
    vdrv_mem_destroy(&f->mem);
    latch_destroy(&f->exit);
}

static struct vhost_mem_region_desc
region_of(const struct fixture *f)
{
    return (struct vhost_mem_region_desc) {
        .guest_phys_addr = 0,
        .memory_size = f->mem.size,
        .userspace_addr = VDRV_UVA_BASE,
        .mmap_offset = 0,
    };
}

static void
ring_of(const struct fixture *f, int i, struct vhost_user_net_ring *r)
{
    const struct vdrv_queue *q = &f->q[i];

    memset(r, 0, sizeof *r);
    r->num = q->size;
    r->base = vdrv_avail_pos(q);
    r->desc_user_addr = vdrv_gpa_to_uva(&f->mem, q->desc_gpa);
    r->avail_user_addr = vdrv_gpa_to_uva(&f->mem, q->avail_gpa);
    r->used_user_addr = vdrv_gpa_to_uva(&f->mem, q->used_gpa);
    r->kick_fd = f->kick[i];
    r->call_fd = f->call[i];
}

static void
setup_net(struct fixture *f, int n_qp)
{
    struct vhost_user_net_ring rings[4];
    struct vhost_mem_region_desc region = region_of(f);

    for (int i = 0; i < 2 * n_qp; i++) {
        ring_of(f, i, &rings[i]);
    }
    struct vhost_user_net_setup setup = {
        .features = f->q[0].features | (1ULL << VIRTIO_NET_F_MQ),
        .required_features = f->q[0].features,
        .protocol_features = 1ULL << VHOST_USER_PROTOCOL_F_MQ,
        .n_qp = n_qp,
        .regions = &region,
        .region_fds = &f->mem.fd,
        .n_regions = 1,
        .rings = rings,
    };
    CHECK_OK(vhost_user_frontend_setup_net(f->fe, &setup));
    /* The last reply came after the backend handled everything before
     * it, so every ring is running now. */
    CHECK_EQ(vhost_user_dev_n_rx_ready(f->dev), n_qp);
    for (int qp = 0; qp < n_qp; qp++) {
        CHECK(vhost_user_dev_tx_ready(f->dev, qp));
    }
}

static void
make_frame(uint8_t *frame, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        frame[i] = seed + i * 7;
    }
    memset(frame, 0xff, 6);                 /* Broadcast destination. */
}

/* Guest transmits LEN bytes on queue pair QP; the backend receives them. */
static void
check_guest_to_switch(struct fixture *f, int qp, size_t len, uint8_t seed)
{
    uint8_t frame[2000];
    struct dp_packet_batch batch;

    make_frame(frame, len, seed);
    CHECK_GE(vdrv_add_tx(&f->q[2 * qp + 1], NULL, frame, len, NULL), 0);
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f->dev, qp, &batch), 1);
    CHECK_EQ(dp_packet_size(batch.packets[0]), len);
    CHECK_MEMEQ(dp_packet_data(batch.packets[0]), frame, len);
    dp_packet_delete_batch(&batch, true);

    struct vdrv_used used;
    CHECK(vdrv_get_used(&f->q[2 * qp + 1], &used));
}

/* The backend sends LEN bytes into queue pair QP; the guest gets them. */
static void
check_switch_to_guest(struct fixture *f, int qid, int expect_qp, size_t len,
                      uint8_t seed)
{
    uint8_t frame[2000], got[2000];
    struct dp_packet_batch batch;
    struct virtio_net_hdr hdr;
    int n_bufs;

    make_frame(frame, len, seed);
    CHECK_GE(vdrv_add_in(&f->q[2 * expect_qp], 2048, NULL), 0);
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, dp_packet_clone_data(frame, len));
    CHECK_EQ(vhost_user_dev_send(f->dev, qid, &batch), 1);
    dp_packet_delete_batch(&batch, true);
    CHECK_EQ(vdrv_recv(&f->q[2 * expect_qp], &hdr, got, sizeof got,
                       &n_bufs), (int) len);
    CHECK_MEMEQ(got, frame, len);
}

static void
traffic_both_ways(bool packed)
{
    struct fixture f;

    fixture_init(&f, packed);
    setup_net(&f, 2);
    for (int round = 0; round < 20; round++) {
        for (int qp = 0; qp < 2; qp++) {
            check_guest_to_switch(&f, qp, 60 + round * 37, round);
            check_switch_to_guest(&f, qp, qp, 60 + round * 41, round);
        }
    }
    struct vhost_user_stats s;
    vhost_user_dev_get_stats(f.dev, &s);
    CHECK_U64_EQ(s.rx_packets, 40);
    CHECK_U64_EQ(s.tx_packets, 40);

    /* GET_VRING_BASE stops a ring where it is; SET_VRING_BASE and a
     * kick restart it there, and traffic resumes. */
    uint32_t base;
    CHECK_OK(vhost_user_frontend_get_vring_base(f.fe, 1, &base));
    CHECK_EQ(base, vdrv_avail_pos(&f.q[1]));
    CHECK(!vhost_user_dev_tx_ready(f.dev, 0));
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 0);
    CHECK_OK(vhost_user_frontend_set_vring_base(f.fe, 1, base));
    CHECK_OK(vhost_user_frontend_set_vring_kick(f.fe, 1, f.kick[1]));
    CHECK(vhost_user_dev_tx_ready(f.dev, 0));
    check_guest_to_switch(&f, 0, 100, 9);

    struct ds s_text = DS_EMPTY_INITIALIZER;
    vhost_user_dev_format(f.dev, &s_text);
    CHECK(strstr(ds_cstr(&s_text), packed ? "ring_packed" : "event_idx"));
    CHECK(strstr(ds_cstr(&s_text), "queue 1 tx (from guest): size 256, "
                 "started, enabled"));
    ds_destroy(&s_text);
    fixture_destroy(&f);
}

TEST(split_traffic_two_queue_pairs)
{
    traffic_both_ways(false);
}

TEST(packed_traffic_two_queue_pairs)
{
    traffic_both_ways(true);
}

TEST(send_spreads_over_ready_queue_pairs)
{
    struct fixture f;

    fixture_init(&f, false);
    setup_net(&f, 2);
    /* qid 0 -> pair 0, 1 -> 1, 2 -> 0, 3 -> 1. */
    for (int qid = 0; qid < 4; qid++) {
        check_switch_to_guest(&f, qid, qid % 2, 64, qid);
    }
    /* With pair 1's rx ring disabled, everything goes to pair 0. */
    CHECK_OK(vhost_user_frontend_set_vring_enable(f.fe, 2, false));
    CHECK_EQ(vhost_user_dev_n_rx_ready(f.dev), 1);
    for (int qid = 0; qid < 4; qid++) {
        check_switch_to_guest(&f, qid, 0, 64, qid);
    }
    fixture_destroy(&f);
}

TEST(kick_wakes_and_event_idx_suppresses)
{
    struct fixture f;
    uint8_t frame[64];

    fixture_init(&f, false);
    setup_net(&f, 1);

    /* Before sleeping the datapath asks for kicks; a frame added then
     * kicks, and the kick fd is what its poll waits on. */
    CHECK(vhost_user_dev_recv_wait(f.dev, 0));
    poll_immediate_wake();      /* Discard the waits registered above. */
    poll_block();
    make_frame(frame, sizeof frame, 1);
    CHECK_GE(vdrv_add_tx(&f.q[1], NULL, frame, sizeof frame, NULL), 0);
    CHECK(vdrv_kick_wanted(&f.q[1]));
    /* While polling, kicks are off. */
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 1);
    dp_packet_delete_batch(&batch, true);
    CHECK_GE(vdrv_add_tx(&f.q[1], NULL, frame, sizeof frame, NULL), 0);
    CHECK(!vdrv_kick_wanted(&f.q[1]));
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 1);
    dp_packet_delete_batch(&batch, true);
    fixture_destroy(&f);
}

TEST(dirty_log_marks_written_pages)
{
    struct fixture f;

    fixture_init(&f, false);
    setup_net(&f, 1);

    uint64_t log_size = (f.mem.size / VHOST_LOG_PAGE + 7) / 8;
    int log_fd = memfd_create("log", MFD_CLOEXEC);
    CHECK_EQ(ftruncate(log_fd, log_size), 0);
    uint8_t *log = mmap(NULL, log_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                        log_fd, 0);
    CHECK(log != MAP_FAILED);
    CHECK_OK(vhost_user_frontend_set_log_base(f.fe, log_fd, log_size,
                                                    0));
    CHECK_OK(vhost_user_frontend_set_features(
                       f.fe, vhost_user_frontend_acked_features(f.fe)
                       | (1ULL << VHOST_F_LOG_ALL)));

    /* The buffer the guest posts is written by the backend: its page
     * must be marked. */
    int id = vdrv_add_in(&f.q[0], 2048, NULL);
    CHECK_GE(id, 0);
    uint64_t buf_gpa = f.q[0].slots[id].bufs[0].gpa;
    uint64_t page = buf_gpa / VHOST_LOG_PAGE;
    CHECK(!(log[page / 8] & (1u << (page % 8))));
    uint8_t frame[100];
    make_frame(frame, sizeof frame, 3);
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, dp_packet_clone_data(frame, sizeof frame));
    CHECK_EQ(vhost_user_dev_send(f.dev, 0, &batch), 1);
    dp_packet_delete_batch(&batch, true);
    CHECK(log[page / 8] & (1u << (page % 8)));

    struct ds text = DS_EMPTY_INITIALIZER;
    vhost_user_dev_format(f.dev, &text);
    CHECK(strstr(ds_cstr(&text), "dirty page logging: on"));
    ds_destroy(&text);
    munmap(log, log_size);
    close(log_fd);
    fixture_destroy(&f);
}

TEST(rarp_is_received_from_queue_pair_0)
{
    struct fixture f;
    static const uint8_t mac_bytes[6] = { 0x52, 0x54, 0x00, 0x12, 0x34,
                                          0x56 };
    struct eth_addr mac;

    memcpy(mac.ea, mac_bytes, sizeof mac_bytes);

    fixture_init(&f, false);
    setup_net(&f, 1);
    CHECK_OK(vhost_user_frontend_send_rarp(f.fe, mac_bytes));
    /* An acked request: handled by now. */
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 1);
    const struct eth_header *eth = dp_packet_data(batch.packets[0]);
    CHECK(eth_addr_equals(eth->eth_src, mac));
    CHECK(eth_addr_is_broadcast(eth->eth_dst));
    CHECK_EQ(ntohs(eth->eth_type), ETH_TYPE_RARP);
    dp_packet_delete_batch(&batch, true);
    fixture_destroy(&f);
}

/* ------------------------------------------------------------------ */
/* Hostile frontends. */

static void
wait_stopped(struct fixture *f, int expect)
{
    for (int i = 0; i < 500; i++) {
        if (__atomic_load_n(&f->stopped, __ATOMIC_ACQUIRE)) {
            CHECK_EQ(f->run_error, expect);
            return;
        }
        usleep(10000);
    }
    CHECK_MSG(false, "backend kept the connection");
}

static void
check_refused(struct fixture *f, int error, const char *text)
{
    CHECK_EQ(error, EREMOTEIO);
    const char *last = vhost_user_dev_get_last_error(f->dev);
    CHECK_MSG(last && strstr(last, text), "'%s' not in '%s'", text,
              last ? last : "(none)");
}

TEST(undecodable_messages_end_the_connection)
{
    static const struct {
        uint32_t request, flags, size;
    } cases[] = {
        { VHOST_USER_GET_FEATURES, 0x2, 0 },                /* Version. */
        { VHOST_USER_SET_FEATURES, 0x1, 4 },                /* Size. */
        { VHOST_USER_SET_FEATURES, 0x1, 1 << 20 },          /* Too big. */
        { VHOST_USER_SET_MEM_TABLE, 0x1, 8 },               /* 0 regions. */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct fixture f;
        uint8_t buf[VHOST_USER_HDR_SIZE + 8] = { 0 };

        fixture_init(&f, false);
        memcpy(buf, &cases[i].request, 4);
        memcpy(buf + 4, &cases[i].flags, 4);
        memcpy(buf + 8, &cases[i].size, 4);
        size_t n = VHOST_USER_HDR_SIZE + MIN(cases[i].size, 8);
        CHECK_OK(vhost_user_frontend_send_raw(f.fe, buf, n, NULL, 0));
        wait_stopped(&f, EPROTO);
        fixture_destroy(&f);
    }
}

TEST(impossible_requests_are_refused)
{
    struct fixture f;

    fixture_init(&f, false);
    CHECK_OK(vhost_user_frontend_negotiate_protocol_features(f.fe, 0,
                                                           NULL));
    CHECK_OK(vhost_user_frontend_set_features(
                       f.fe, (1ULL << VIRTIO_F_VERSION_1)
                       | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)));

    /* Features that were not offered. */
    check_refused(&f, vhost_user_frontend_set_features(f.fe, 1ULL << 60),
                  "not offered");

    /* Memory tables: overlapping, past the end of the fd, zero-sized. */
    struct vhost_mem_region_desc two[2] = { region_of(&f), region_of(&f) };
    int fds[2] = { f.mem.fd, f.mem.fd };
    two[1].userspace_addr += 1ULL << 40;
    check_refused(&f, vhost_user_frontend_set_mem_table(f.fe, two, fds, 2),
                  "memory table refused");
    struct vhost_mem_region_desc one = region_of(&f);
    one.memory_size = f.mem.size * 4;
    check_refused(&f, vhost_user_frontend_set_mem_table(f.fe, &one, fds, 1),
                  "memory table refused");
    one.memory_size = 0;
    check_refused(&f, vhost_user_frontend_set_mem_table(f.fe, &one, fds, 1),
                  "memory table refused");

    /* Ring indexes and sizes. */
    check_refused(&f, vhost_user_frontend_set_vring_num(f.fe, 16, 256),
                  "out of range");
    check_refused(&f, vhost_user_frontend_set_vring_num(f.fe, 0, 65536),
                  "out of range");
    check_refused(&f, vhost_user_frontend_set_vring_enable(f.fe, 99, true),
                  "out of range");
    check_refused(&f, vhost_user_frontend_set_vring_kick(f.fe, 1, -1),
                  "before its size was set");

    /* A ring whose addresses lie outside the memory. */
    one = region_of(&f);
    CHECK_OK(vhost_user_frontend_set_mem_table(f.fe, &one, fds, 1));
    CHECK_OK(vhost_user_frontend_set_vring_num(f.fe, 1, 256));
    struct vhost_vring_addr addr = {
        .index = 1,
        .desc_user_addr = VDRV_UVA_BASE + f.mem.size - 100,
        .avail_user_addr = VDRV_UVA_BASE,
        .used_user_addr = VDRV_UVA_BASE + 4096,
    };
    CHECK_OK(vhost_user_frontend_set_vring_addr(f.fe, &addr));
    check_refused(&f, vhost_user_frontend_set_vring_kick(f.fe, 1, -1),
                  "not inside the shared memory");
    /* A split ring whose size is not a power of 2. */
    CHECK_OK(vhost_user_frontend_set_vring_num(f.fe, 1, 100));
    addr.desc_user_addr = VDRV_UVA_BASE;
    CHECK_OK(vhost_user_frontend_set_vring_addr(f.fe, &addr));
    check_refused(&f, vhost_user_frontend_set_vring_kick(f.fe, 1, -1),
                  "not valid for a split ring");
    CHECK(!vhost_user_dev_tx_ready(f.dev, 0));

    /* The connection is still good. */
    uint64_t n;
    CHECK_OK(vhost_user_frontend_get_queue_num(f.fe, &n));
    CHECK_EQ(n, VHOST_USER_MAX_QP);
    CHECK(!__atomic_load_n(&f.stopped, __ATOMIC_ACQUIRE));
    fixture_destroy(&f);
}

TEST(poisoned_descriptors_drop_packets_broken_ring_stops)
{
    struct fixture f;
    struct dp_packet_batch batch;

    fixture_init(&f, false);
    setup_net(&f, 1);
    CHECK_OK(vhost_user_frontend_set_vring_err(f.fe, 1, f.err[1]));

    /* Descriptors outside guest memory, wrapping, absurdly long, looping:
     * each packet is dropped and counted, and the ring goes on. */
    static const struct {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
    } bad[] = {
        { 1ULL << 40, 100, 0 },
        { UINT64_MAX - 15, 100, 0 },
        { 0, UINT32_MAX, 0 },
        { 0, 64, 1 /* NEXT, to itself */ },
        { 0, 64, 2 /* WRITE in a tx chain */ },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint16_t head = 7;
        struct vring_desc *d = vdrv_split_desc(&f.q[1], head);
        d->addr = bad[i].addr;
        d->len = bad[i].len;
        d->flags = bad[i].flags;
        d->next = head;
        vdrv_split_push_head(&f.q[1], head);

        dp_packet_batch_init(&batch);
        CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 0);
        struct vhost_user_stats s;
        vhost_user_dev_get_stats(f.dev, &s);
        CHECK_U64_EQ(s.rx_errors, i + 1);
        /* The bad chain came back with length 0, in order. */
        struct vring_used_elem {
            uint32_t id, len;
        } *used = (void *) ((uint8_t *) vdrv_ptr(&f.mem, f.q[1].used_gpa)
                            + 4);
        CHECK_EQ(used[i].id, head);
        CHECK_EQ(used[i].len, 0);
    }
    f.q[1].last_used = f.q[1].avail_idx;

    /* An avail index far ahead breaks the ring: it stops for good, the
     * error fd fires, the rx ring still works. */
    vdrv_split_set_avail_idx(&f.q[1], f.q[1].avail_idx + 1000);
    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f.dev, 0, &batch), 0);
    uint64_t count = 0;
    CHECK_EQ(read(f.err[1], &count, sizeof count), (ssize_t) sizeof count);
    CHECK_U64_EQ(count, 1);
    struct ds text = DS_EMPTY_INITIALIZER;
    vhost_user_dev_format(f.dev, &text);
    CHECK(strstr(ds_cstr(&text), "BROKEN"));
    ds_destroy(&text);
    check_switch_to_guest(&f, 0, 0, 80, 5);
    fixture_destroy(&f);
}
