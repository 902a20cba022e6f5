/* Tests for vhost/vhost-user-msg: the wire layout of every request and
 * reply, round trips, and every way a peer can send a bad message (to
 * decode and through the buffered reader over a real socket), with a
 * check that no fd is ever leaked. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test.h"
#include "vhost/vhost-user-msg.h"

#define BUF_SIZE (VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD)

/* Helpers. */

static int
new_fd(void)
{
    int fd = eventfd(0, EFD_CLOEXEC);
    CHECK_GE(fd, 0);
    return fd;
}

static bool
fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static int
count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    CHECK(dir != NULL);
    while ((de = readdir(dir)) != NULL) {
        n += de->d_name[0] != '.';
    }
    closedir(dir);
    return n - 1;               /* Not the directory's own fd. */
}

static void
make_socketpair(int fds[2])
{
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
}

static void
put32(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 4; i++) {
        p[i] = x >> (8 * i);
    }
}

static void
put64(uint8_t *p, uint64_t x)
{
    put32(p, x);
    put32(p + 4, x >> 32);
}

/* Writes a header for REQUEST with FLAGS and SIZE into BUF. */
static void
put_hdr(uint8_t *buf, uint32_t request, uint32_t flags, uint32_t size)
{
    put32(buf, request);
    put32(buf + 4, flags);
    put32(buf + 8, size);
}

/* Decodes LEN bytes of BUF with N_FDS fresh fds, expecting EPROTO, and
 * checks that the fds were closed and the error mentions RE. */
static void
check_decode_fails(const uint8_t *buf, size_t len, size_t n_fds,
                   bool is_reply, const char *re)
{
    struct vhost_user_msg msg;
    int fds[VHOST_USER_MAX_FDS + 4], orig[VHOST_USER_MAX_FDS + 4];
    char *err = NULL;

    plx_assert(n_fds <= ARRAY_SIZE(fds));
    for (size_t i = 0; i < n_fds; i++) {
        fds[i] = orig[i] = new_fd();
    }
    CHECK_EQ(vhost_user_msg_decode(buf, len, fds, n_fds, is_reply, &msg,
                                   &err), EPROTO);
    CHECK(err != NULL);
    CHECK_MSG(test_regex_match(err, re), "error \"%s\" does not match "
              "\"%s\"", err, re);
    free(err);
    CHECK_EQ(msg.n_fds, 0);
    for (size_t i = 0; i < n_fds; i++) {
        CHECK_MSG(!fd_is_open(orig[i]), "fd %zu leaked", i);
    }
}

/* Encodes MSG, decodes it back (taking N_FDS fresh fds) and returns the
 * decoded message in *OUT. */
static void
round_trip(const struct vhost_user_msg *msg, struct vhost_user_msg *out)
{
    uint8_t buf[BUF_SIZE];
    int fds[VHOST_USER_MAX_FDS];
    char *err = NULL;
    size_t len;

    len = vhost_user_msg_encode(msg, buf);
    CHECK_EQ(len, VHOST_USER_HDR_SIZE + msg->size);
    for (size_t i = 0; i < msg->n_fds; i++) {
        fds[i] = new_fd();
    }
    int error = vhost_user_msg_decode(buf, len, fds, msg->n_fds,
                                      msg->flags & VHOST_USER_REPLY, out,
                                      &err);
    CHECK_MSG(!error, "%s: %s", vhost_user_request_name(msg->request),
              err ? err : "?");
    CHECK_EQ(out->request, msg->request);
    CHECK_EQ(out->flags, msg->flags);
    CHECK_EQ(out->size, msg->size);
    CHECK_EQ(out->n_fds, msg->n_fds);
    for (size_t i = 0; i < out->n_fds; i++) {
        CHECK(fd_is_open(out->fds[i]));
    }
}

/* Round trips. */

TEST(round_trip_no_payload)
{
    static const uint32_t requests[] = {
        VHOST_USER_GET_FEATURES, VHOST_USER_SET_OWNER,
        VHOST_USER_RESET_OWNER, VHOST_USER_GET_PROTOCOL_FEATURES,
        VHOST_USER_GET_QUEUE_NUM, VHOST_USER_RESET_DEVICE,
        VHOST_USER_GET_MAX_MEM_SLOTS, VHOST_USER_GET_STATUS,
    };
    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct vhost_user_msg msg, out;

        vhost_user_msg_init(&msg, requests[i], false);
        round_trip(&msg, &out);
        CHECK_EQ(out.size, 0);
    }
}

TEST(round_trip_u64)
{
    static const uint32_t requests[] = {
        VHOST_USER_SET_FEATURES, VHOST_USER_SET_PROTOCOL_FEATURES,
        VHOST_USER_SEND_RARP, VHOST_USER_NET_SET_MTU,
        VHOST_USER_SET_STATUS,
    };
    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct vhost_user_msg msg, out;

        vhost_user_msg_init(&msg, requests[i], false);
        vhost_user_msg_set_u64(&msg, 0x0102030405060708ULL + i);
        msg.flags |= VHOST_USER_NEED_REPLY;
        round_trip(&msg, &out);
        CHECK_U64_EQ(out.u.u64, 0x0102030405060708ULL + i);
    }
}

TEST(round_trip_vring_state)
{
    static const uint32_t requests[] = {
        VHOST_USER_SET_VRING_NUM, VHOST_USER_SET_VRING_BASE,
        VHOST_USER_GET_VRING_BASE, VHOST_USER_SET_VRING_ENABLE,
        VHOST_USER_SET_VRING_ENDIAN,
    };
    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct vhost_user_msg msg, out;

        vhost_user_msg_init(&msg, requests[i], false);
        /* Indexes are not range-checked here. */
        vhost_user_msg_set_state(&msg, 1000 + i, 0xdeadbeef);
        round_trip(&msg, &out);
        CHECK_EQ(out.u.state.index, 1000 + i);
        CHECK_U64_EQ(out.u.state.num, 0xdeadbeef);
    }
}

TEST(round_trip_vring_addr_and_wire_layout)
{
    struct vhost_vring_addr addr = {
        .index = 3, .flags = 1 << VHOST_VRING_F_LOG,
        .desc_user_addr = 0x1111222233334444ULL,
        .used_user_addr = 0x5555666677778888ULL,
        .avail_user_addr = 0x99990000aaaabbbbULL,
        .log_guest_addr = 0xccccddddeeeeffffULL,
    };
    struct vhost_user_msg msg, out;
    uint8_t buf[BUF_SIZE], expect[12 + 40];

    vhost_user_msg_init(&msg, VHOST_USER_SET_VRING_ADDR, false);
    vhost_user_msg_set_addr(&msg, &addr);
    CHECK_EQ(msg.size, 40);

    /* The wire layout, spelled out: little-endian, no padding. */
    put_hdr(expect, 9, 1, 40);
    put32(expect + 12, 3);
    put32(expect + 16, 1);
    put64(expect + 20, addr.desc_user_addr);
    put64(expect + 28, addr.used_user_addr);
    put64(expect + 36, addr.avail_user_addr);
    put64(expect + 44, addr.log_guest_addr);
    CHECK_EQ(vhost_user_msg_encode(&msg, buf), sizeof expect);
    CHECK_MEMEQ(buf, expect, sizeof expect);

    round_trip(&msg, &out);
    CHECK_MEMEQ(&out.u.addr, &addr, sizeof addr);
}

TEST(round_trip_mem_table)
{
    for (size_t n = 1; n <= VHOST_MEM_MAX_REGIONS; n++) {
        struct vhost_mem_region_desc regions[VHOST_MEM_MAX_REGIONS];
        struct vhost_user_msg msg, out;
        uint8_t buf[BUF_SIZE];

        for (size_t i = 0; i < n; i++) {
            regions[i].guest_phys_addr = 0x100000 * i;
            regions[i].memory_size = 0x1000 * (i + 1);
            regions[i].userspace_addr = 0x7f0000000000ULL + 0x100000 * i;
            regions[i].mmap_offset = 0x10 * i;
        }
        vhost_user_msg_init(&msg, VHOST_USER_SET_MEM_TABLE, false);
        vhost_user_msg_set_mem_table(&msg, regions, n);
        msg.n_fds = n;
        CHECK_EQ(msg.size, 8 + 32 * n);

        vhost_user_msg_encode(&msg, buf);
        CHECK_EQ(buf[12], n);
        CHECK(is_all_zeros(buf + 13, 7));   /* Count and padding. */
        CHECK_EQ(buf[20 + 8], 0x00);        /* Region 0 size, LE. */
        CHECK_EQ(buf[20 + 9], 0x10);

        round_trip(&msg, &out);
        CHECK_EQ(out.u.mem.n_regions, n);
        CHECK_MEMEQ(out.u.mem.regions, regions, n * sizeof regions[0]);
        vhost_user_msg_close_fds(&out);
    }
}

TEST(round_trip_log_base_and_fd_requests)
{
    struct vhost_user_msg msg, out;

    vhost_user_msg_init(&msg, VHOST_USER_SET_LOG_BASE, false);
    vhost_user_msg_set_log(&msg, 0x123456, 0x1000);
    msg.n_fds = 1;
    round_trip(&msg, &out);
    CHECK_U64_EQ(out.u.log.mmap_size, 0x123456);
    CHECK_U64_EQ(out.u.log.mmap_offset, 0x1000);
    vhost_user_msg_close_fds(&out);

    static const uint32_t one_fd[] = {
        VHOST_USER_SET_LOG_FD, VHOST_USER_SET_BACKEND_REQ_FD,
    };
    for (size_t i = 0; i < ARRAY_SIZE(one_fd); i++) {
        vhost_user_msg_init(&msg, one_fd[i], false);
        msg.n_fds = 1;
        round_trip(&msg, &out);
        vhost_user_msg_close_fds(&out);
    }
}

TEST(round_trip_vring_fds)
{
    static const uint32_t requests[] = {
        VHOST_USER_SET_VRING_KICK, VHOST_USER_SET_VRING_CALL,
        VHOST_USER_SET_VRING_ERR,
    };
    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct vhost_user_msg msg, out;

        vhost_user_msg_init(&msg, requests[i], false);
        vhost_user_msg_set_u64(&msg, 5);
        msg.n_fds = 1;
        round_trip(&msg, &out);
        CHECK_U64_EQ(out.u.u64, 5);
        vhost_user_msg_close_fds(&out);

        vhost_user_msg_init(&msg, requests[i], false);
        vhost_user_msg_set_u64(&msg, 7 | VHOST_USER_VRING_NOFD);
        round_trip(&msg, &out);
        CHECK_U64_EQ(out.u.u64, 7 | VHOST_USER_VRING_NOFD);
    }
}

TEST(round_trip_config)
{
    uint8_t data[VHOST_USER_CONFIG_MAX];
    struct vhost_user_msg msg, out;

    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = i * 7;
    }
    for (uint32_t size = 0; size <= VHOST_USER_CONFIG_MAX; size += 64) {
        vhost_user_msg_init(&msg, VHOST_USER_SET_CONFIG, false);
        vhost_user_msg_set_config(&msg, 4, size, 1, data);
        CHECK_EQ(msg.size, 12 + size);
        round_trip(&msg, &out);
        CHECK_EQ(out.u.config.offset, 4);
        CHECK_EQ(out.u.config.size, size);
        CHECK_EQ(out.u.config.flags, 1);
        CHECK_MEMEQ(out.u.config.region, data, size);

        /* GET_CONFIG asks with zeros; the reply carries the data. */
        vhost_user_msg_init(&msg, VHOST_USER_GET_CONFIG, false);
        vhost_user_msg_set_config(&msg, 0, size, 0, NULL);
        round_trip(&msg, &out);
        CHECK(is_all_zeros(out.u.config.region, size));
        vhost_user_msg_init(&msg, VHOST_USER_GET_CONFIG, true);
        vhost_user_msg_set_config(&msg, 0, size, 0, data);
        round_trip(&msg, &out);
        CHECK_MEMEQ(out.u.config.region, data, size);
    }
}

TEST(round_trip_replies)
{
    static const uint32_t u64_replies[] = {
        VHOST_USER_GET_FEATURES, VHOST_USER_GET_PROTOCOL_FEATURES,
        VHOST_USER_GET_QUEUE_NUM, VHOST_USER_GET_MAX_MEM_SLOTS,
        VHOST_USER_GET_STATUS, VHOST_USER_SET_LOG_BASE,
        /* REPLY_ACKs to set-type requests. */
        VHOST_USER_SET_MEM_TABLE, VHOST_USER_SET_VRING_ADDR,
        VHOST_USER_SET_VRING_KICK, VHOST_USER_SET_CONFIG,
    };
    struct vhost_user_msg msg, out;

    for (size_t i = 0; i < ARRAY_SIZE(u64_replies); i++) {
        vhost_user_msg_init(&msg, u64_replies[i], true);
        vhost_user_msg_set_u64(&msg, 0xabcdef + i);
        round_trip(&msg, &out);
        CHECK_U64_EQ(out.u.u64, 0xabcdef + i);
    }

    vhost_user_msg_init(&msg, VHOST_USER_GET_VRING_BASE, true);
    vhost_user_msg_set_state(&msg, 2, 12345);
    round_trip(&msg, &out);
    CHECK_EQ(out.u.state.index, 2);
    CHECK_EQ(out.u.state.num, 12345);

    /* DPDK answers SET_LOG_BASE with no payload. */
    vhost_user_msg_init(&msg, VHOST_USER_SET_LOG_BASE, true);
    round_trip(&msg, &out);
    CHECK_U64_EQ(out.u.u64, 0);
}

TEST(unknown_request_passes_through_without_fds)
{
    uint8_t buf[BUF_SIZE];
    struct vhost_user_msg msg;
    int fds[2] = { new_fd(), new_fd() };
    int orig[2] = { fds[0], fds[1] };
    char *err = NULL;

    put_hdr(buf, 77, VHOST_USER_VERSION, 5);
    memcpy(buf + 12, "hello", 5);
    CHECK_EQ(vhost_user_msg_decode(buf, 17, fds, 2, false, &msg, &err), 0);
    CHECK_EQ(msg.request, 77);
    CHECK_EQ(msg.size, 5);
    CHECK_MEMEQ(msg.u.raw, "hello", 5);
    CHECK_EQ(msg.n_fds, 0);
    CHECK(!fd_is_open(orig[0]));
    CHECK(!fd_is_open(orig[1]));
    CHECK_STREQ(vhost_user_request_name(77), "UNKNOWN");
    CHECK_STREQ(vhost_user_request_name(VHOST_USER_SET_MEM_TABLE),
                "SET_MEM_TABLE");
    CHECK_STREQ(vhost_user_request_name(0), "UNKNOWN");

    /* A raw encode reproduces the bytes. */
    uint8_t again[BUF_SIZE];
    CHECK_EQ(vhost_user_msg_encode(&msg, again), 17);
    CHECK_MEMEQ(again, buf, 17);

    /* The biggest unknown payload is fine; one more byte is not. */
    memset(buf + 12, 0xa5, VHOST_USER_MAX_PAYLOAD);
    put_hdr(buf, 1000, VHOST_USER_VERSION, VHOST_USER_MAX_PAYLOAD);
    CHECK_EQ(vhost_user_msg_decode(buf, BUF_SIZE, NULL, 0, false, &msg,
                                   &err), 0);
    put_hdr(buf, 1000, VHOST_USER_VERSION, VHOST_USER_MAX_PAYLOAD + 1);
    check_decode_fails(buf, BUF_SIZE, 0, false, "exceeds");
}

/* Malformed messages given to decode. */

TEST(decode_short_header)
{
    uint8_t buf[BUF_SIZE] = { 1, 0, 0, 0, 1, 0, 0, 0 };

    for (size_t len = 0; len < VHOST_USER_HDR_SIZE; len++) {
        check_decode_fails(buf, len, 1, false, "shorter than the");
    }
}

TEST(decode_bad_version)
{
    uint8_t buf[BUF_SIZE];

    for (uint32_t v = 0; v < 4; v++) {
        if (v != VHOST_USER_VERSION) {
            put_hdr(buf, VHOST_USER_GET_FEATURES, v, 0);
            check_decode_fails(buf, 12, 0, false, "version");
            put_hdr(buf, VHOST_USER_GET_FEATURES, v | VHOST_USER_REPLY, 8);
            check_decode_fails(buf, 20, 0, true, "version");
        }
    }
}

TEST(decode_wrong_direction)
{
    uint8_t buf[BUF_SIZE] = { 0 };

    put_hdr(buf, VHOST_USER_SET_FEATURES,
            VHOST_USER_VERSION | VHOST_USER_REPLY, 8);
    check_decode_fails(buf, 20, 0, false, "reply where a request");
    put_hdr(buf, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 8);
    check_decode_fails(buf, 20, 0, true, "request where a reply");
}

TEST(decode_size_too_big_or_not_what_arrived)
{
    uint8_t buf[BUF_SIZE] = { 0 };

    put_hdr(buf, VHOST_USER_SET_FEATURES, VHOST_USER_VERSION, 0xffffffff);
    check_decode_fails(buf, BUF_SIZE, 0, false, "exceeds");
    put_hdr(buf, VHOST_USER_SET_FEATURES, VHOST_USER_VERSION, 8);
    check_decode_fails(buf, 19, 0, false, "8 payload bytes but 7");
    check_decode_fails(buf, 21, 0, false, "8 payload bytes but 9");
}

TEST(decode_size_mismatch_per_request)
{
    static const struct {
        uint32_t request;
        uint32_t size;
        bool reply;
        int n_fds;
    } cases[] = {
        { VHOST_USER_GET_FEATURES, 0, false, 0 },
        { VHOST_USER_SET_FEATURES, 8, false, 0 },
        { VHOST_USER_SET_OWNER, 0, false, 0 },
        { VHOST_USER_RESET_OWNER, 0, false, 0 },
        { VHOST_USER_SET_LOG_BASE, 16, false, 1 },
        { VHOST_USER_SET_LOG_FD, 0, false, 1 },
        { VHOST_USER_SET_VRING_NUM, 8, false, 0 },
        { VHOST_USER_SET_VRING_ADDR, 40, false, 0 },
        { VHOST_USER_SET_VRING_BASE, 8, false, 0 },
        { VHOST_USER_GET_VRING_BASE, 8, false, 0 },
        { VHOST_USER_SET_VRING_KICK, 8, false, 1 },
        { VHOST_USER_SET_VRING_CALL, 8, false, 1 },
        { VHOST_USER_SET_VRING_ERR, 8, false, 1 },
        { VHOST_USER_GET_PROTOCOL_FEATURES, 0, false, 0 },
        { VHOST_USER_SET_PROTOCOL_FEATURES, 8, false, 0 },
        { VHOST_USER_GET_QUEUE_NUM, 0, false, 0 },
        { VHOST_USER_SET_VRING_ENABLE, 8, false, 0 },
        { VHOST_USER_SEND_RARP, 8, false, 0 },
        { VHOST_USER_NET_SET_MTU, 8, false, 0 },
        { VHOST_USER_SET_BACKEND_REQ_FD, 0, false, 1 },
        { VHOST_USER_SET_VRING_ENDIAN, 8, false, 0 },
        { VHOST_USER_RESET_DEVICE, 0, false, 0 },
        { VHOST_USER_GET_MAX_MEM_SLOTS, 0, false, 0 },
        { VHOST_USER_SET_STATUS, 8, false, 0 },
        { VHOST_USER_GET_STATUS, 0, false, 0 },
        { VHOST_USER_GET_FEATURES, 8, true, 0 },
        { VHOST_USER_GET_VRING_BASE, 8, true, 0 },
        { VHOST_USER_SET_VRING_ADDR, 8, true, 0 },
        { VHOST_USER_GET_QUEUE_NUM, 8, true, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t flags = VHOST_USER_VERSION
                         | (cases[i].reply ? VHOST_USER_REPLY : 0);
        static const int deltas[] = { -8, -1, 1, 4, 8, 100 };
        uint8_t buf[BUF_SIZE] = { 0 };
        struct vhost_user_msg msg;
        int fds[1];
        char *err = NULL;

        /* The right size decodes. */
        put_hdr(buf, cases[i].request, flags, cases[i].size);
        if (cases[i].n_fds) {
            fds[0] = new_fd();
        }
        CHECK_MSG(!vhost_user_msg_decode(buf, 12 + cases[i].size, fds,
                                         cases[i].n_fds, cases[i].reply,
                                         &msg, &err),
                  "%s: %s", vhost_user_request_name(cases[i].request), err);
        vhost_user_msg_close_fds(&msg);

        for (size_t j = 0; j < ARRAY_SIZE(deltas); j++) {
            int size = (int) cases[i].size + deltas[j];
            if (size >= 0) {
                put_hdr(buf, cases[i].request, flags, size);
                check_decode_fails(buf, 12 + size, cases[i].n_fds,
                                   cases[i].reply, "payload of");
            }
        }
    }
}

TEST(decode_mem_table_region_counts)
{
    uint8_t buf[BUF_SIZE] = { 0 };

    /* 0 and 9 regions, with the size those counts imply. */
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8);
    put32(buf + 12, 0);
    check_decode_fails(buf, 20, 0, false, "0 regions");
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 9 * 32);
    put32(buf + 12, 9);
    check_decode_fails(buf, 20 + 9 * 32, 8, false, "9 regions");
    put32(buf + 12, 0xffffffff);
    check_decode_fails(buf, 20 + 9 * 32, 8, false, "4294967295 regions");

    /* Too short for the count. */
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 4);
    check_decode_fails(buf, 16, 0, false, "too short");

    /* Count 2 but room for 1 or 3. */
    put32(buf + 12, 2);
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 32);
    check_decode_fails(buf, 20 + 32, 2, false, "expected 72");
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 3 * 32);
    check_decode_fails(buf, 20 + 3 * 32, 2, false, "expected 72");
}

TEST(decode_mem_table_fd_count_mismatch)
{
    uint8_t buf[BUF_SIZE] = { 0 };
    struct vhost_user_msg msg;
    int fds[3];
    char *err = NULL;

    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 2 * 32);
    put32(buf + 12, 2);
    check_decode_fails(buf, 20 + 2 * 32, 0, false, "0 fds \\(expected 2\\)");
    check_decode_fails(buf, 20 + 2 * 32, 1, false, "1 fds \\(expected 2\\)");
    check_decode_fails(buf, 20 + 2 * 32, 3, false, "3 fds \\(expected 2\\)");

    fds[0] = new_fd();
    fds[1] = new_fd();
    CHECK_EQ(vhost_user_msg_decode(buf, 20 + 2 * 32, fds, 2, false, &msg,
                                   &err), 0);
    /* The message took the fds over. */
    CHECK_EQ(fds[0], -1);
    CHECK_EQ(fds[1], -1);
    CHECK_EQ(msg.n_fds, 2);
    int saved[2] = { msg.fds[0], msg.fds[1] };
    msg.fds[1] = -1;            /* "Taken" by the receiver. */
    vhost_user_msg_close_fds(&msg);
    CHECK(!fd_is_open(saved[0]));
    CHECK(fd_is_open(saved[1]));
    close(saved[1]);
}

TEST(decode_vring_fd_rules)
{
    uint8_t buf[BUF_SIZE] = { 0 };
    static const uint32_t requests[] = {
        VHOST_USER_SET_VRING_KICK, VHOST_USER_SET_VRING_CALL,
        VHOST_USER_SET_VRING_ERR,
    };

    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        put_hdr(buf, requests[i], VHOST_USER_VERSION, 8);
        put64(buf + 12, 1);
        check_decode_fails(buf, 20, 0, false, "0 fds \\(expected 1\\)");
        check_decode_fails(buf, 20, 2, false, "2 fds \\(expected 1\\)");
        put64(buf + 12, 1 | VHOST_USER_VRING_NOFD);
        check_decode_fails(buf, 20, 1, false, "1 fds \\(expected 0\\)");
    }
    put_hdr(buf, VHOST_USER_SET_LOG_BASE, VHOST_USER_VERSION, 16);
    check_decode_fails(buf, 28, 0, false, "0 fds \\(expected 1\\)");
    check_decode_fails(buf, 28, 2, false, "2 fds \\(expected 1\\)");
}

TEST(decode_extra_fds_are_closed)
{
    uint8_t buf[BUF_SIZE] = { 0 };

    put_hdr(buf, VHOST_USER_SET_FEATURES, VHOST_USER_VERSION, 8);
    check_decode_fails(buf, 20, 1, false, "1 fds \\(expected 0\\)");
    check_decode_fails(buf, 20, VHOST_USER_MAX_FDS, false, "expected 0");
    check_decode_fails(buf, 20, VHOST_USER_MAX_FDS + 1, false, "at most");
    put_hdr(buf, VHOST_USER_GET_FEATURES,
            VHOST_USER_VERSION | VHOST_USER_REPLY, 8);
    check_decode_fails(buf, 20, 1, true, "expected 0");
}

TEST(decode_config_sizes)
{
    uint8_t buf[BUF_SIZE] = { 0 };

    put_hdr(buf, VHOST_USER_SET_CONFIG, VHOST_USER_VERSION, 8);
    check_decode_fails(buf, 20, 0, false, "too short");
    put_hdr(buf, VHOST_USER_SET_CONFIG, VHOST_USER_VERSION, 12 + 257);
    put32(buf + 16, 257);
    check_decode_fails(buf, 12 + 12 + 257, 0, false, "exceeds 256");
    put_hdr(buf, VHOST_USER_GET_CONFIG, VHOST_USER_VERSION, 12 + 10);
    put32(buf + 16, 11);
    check_decode_fails(buf, 12 + 12 + 10, 0, false, "expected 23");
}

/* The reader, over a real socket. */

/* Receives one message on FD, expecting EXPECTED. */
static int
reader_recv(struct vhost_user_reader *r, int fd, bool is_reply,
            struct vhost_user_msg *msg, char **errp)
{
    *errp = NULL;
    return vhost_user_reader_recv(r, fd, is_reply, msg, errp);
}

static void
send_bytes(int fd, const void *bytes, size_t n, const int *fds,
           size_t n_fds)
{
    CHECK_EQ(vhost_user_msg_send_raw(fd, bytes, n, fds, n_fds), 0);
}

TEST(reader_send_and_receive_with_fds)
{
    struct vhost_mem_region_desc regions[2] = {
        { 0, 0x1000, 0x7000, 0 }, { 0x1000, 0x2000, 0x9000, 0 },
    };
    struct vhost_user_reader r;
    struct vhost_user_msg msg, in;
    int sv[2], fds[2] = { new_fd(), new_fd() };
    struct stat st_sent, st_got;
    char *err;

    make_socketpair(sv);
    vhost_user_reader_init(&r);

    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);

    vhost_user_msg_init(&msg, VHOST_USER_SET_MEM_TABLE, false);
    vhost_user_msg_set_mem_table(&msg, regions, 2);
    msg.fds[0] = fds[0];
    msg.fds[1] = fds[1];
    msg.n_fds = 2;
    CHECK_EQ(vhost_user_msg_send(sv[0], &msg), 0);
    /* A second message right behind it, without fds. */
    vhost_user_msg_init(&msg, VHOST_USER_SET_OWNER, false);
    CHECK_EQ(vhost_user_msg_send(sv[0], &msg), 0);

    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), 0);
    CHECK_EQ(in.request, VHOST_USER_SET_MEM_TABLE);
    CHECK_EQ(in.u.mem.n_regions, 2);
    CHECK_MEMEQ(in.u.mem.regions, regions, sizeof regions);
    CHECK_EQ(in.n_fds, 2);
    for (int i = 0; i < 2; i++) {
        /* The same file, a new descriptor, close-on-exec. */
        CHECK_EQ(fstat(fds[i], &st_sent), 0);
        CHECK_EQ(fstat(in.fds[i], &st_got), 0);
        CHECK_EQ(st_sent.st_ino, st_got.st_ino);
        CHECK_NE(in.fds[i], fds[i]);
        CHECK(fcntl(in.fds[i], F_GETFD) & FD_CLOEXEC);
    }
    vhost_user_msg_close_fds(&in);

    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), 0);
    CHECK_EQ(in.request, VHOST_USER_SET_OWNER);
    CHECK_EQ(in.n_fds, 0);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);

    close(sv[0]);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EOF);
    vhost_user_reader_destroy(&r);
    close(sv[1]);
    close(fds[0]);
    close(fds[1]);
}

TEST(reader_payload_across_several_reads)
{
    struct vhost_vring_addr addr = { .index = 1, .desc_user_addr = 42 };
    struct vhost_user_reader r;
    struct vhost_user_msg msg, in;
    uint8_t buf[BUF_SIZE];
    int sv[2];
    char *err;
    size_t len;

    make_socketpair(sv);
    vhost_user_reader_init(&r);
    vhost_user_msg_init(&msg, VHOST_USER_SET_VRING_ADDR, false);
    vhost_user_msg_set_addr(&msg, &addr);
    len = vhost_user_msg_encode(&msg, buf);

    /* Byte by byte: EAGAIN until the last byte. */
    for (size_t i = 0; i < len; i++) {
        send_bytes(sv[0], buf + i, 1, NULL, 0);
        int error = reader_recv(&r, sv[1], false, &in, &err);
        if (i + 1 < len) {
            CHECK_EQ(error, EAGAIN);
            CHECK_EQ(r.len, i + 1);
        } else {
            CHECK_EQ(error, 0);
        }
    }
    CHECK_EQ(in.request, VHOST_USER_SET_VRING_ADDR);
    CHECK_EQ(in.u.addr.index, 1);
    CHECK_U64_EQ(in.u.addr.desc_user_addr, 42);
    CHECK_EQ(r.len, 0);

    vhost_user_reader_destroy(&r);
    close(sv[0]);
    close(sv[1]);
}

TEST(reader_fds_with_first_or_later_byte)
{
    struct vhost_user_reader r;
    struct vhost_user_msg msg, in;
    uint8_t buf[BUF_SIZE];
    int sv[2];
    char *err;
    size_t len;
    int base = count_open_fds();

    make_socketpair(sv);
    vhost_user_reader_init(&r);
    vhost_user_msg_init(&msg, VHOST_USER_SET_VRING_CALL, false);
    vhost_user_msg_set_u64(&msg, 3);
    len = vhost_user_msg_encode(&msg, buf);

    /* Where the fd rides: the first byte, a header byte, the payload. */
    static const size_t splits[] = { 1, 5, 12, 15 };
    for (size_t s = 0; s < ARRAY_SIZE(splits); s++) {
        for (int with_second = 0; with_second < 2; with_second++) {
            int fd = new_fd();
            size_t cut = splits[s];

            send_bytes(sv[0], buf, cut, with_second ? NULL : &fd,
                       !with_second);
            CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);
            send_bytes(sv[0], buf + cut, len - cut, with_second ? &fd : NULL,
                       with_second);
            CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), 0);
            CHECK_EQ(in.n_fds, 1);
            CHECK_U64_EQ(in.u.u64, 3);
            vhost_user_msg_close_fds(&in);
            close(fd);
        }
    }
    vhost_user_reader_destroy(&r);
    close(sv[0]);
    close(sv[1]);
    CHECK_EQ(count_open_fds(), base);
}

TEST(reader_eof_mid_message_closes_fds)
{
    struct vhost_user_reader r;
    struct vhost_user_msg in;
    uint8_t buf[BUF_SIZE] = { 0 };
    int sv[2], fd = new_fd();
    int base;
    char *err;

    make_socketpair(sv);
    base = count_open_fds();
    vhost_user_reader_init(&r);

    /* Mid-header. */
    put_hdr(buf, VHOST_USER_SET_VRING_KICK, VHOST_USER_VERSION, 8);
    send_bytes(sv[0], buf, 6, &fd, 1);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);
    CHECK_EQ(count_open_fds(), base + 1);   /* Buffered. */
    send_bytes(sv[0], buf + 6, 10, NULL, 0);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);
    close(sv[0]);
    base--;
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EOF);
    CHECK(err == NULL);
    CHECK_EQ(count_open_fds(), base);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EOF);

    vhost_user_reader_destroy(&r);
    close(sv[1]);
    close(fd);
}

TEST(reader_too_many_fds)
{
    static const size_t counts[] = { VHOST_USER_MAX_FDS + 1, 20, 253 };

    for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
        struct vhost_user_reader r;
        struct vhost_user_msg in;
        uint8_t buf[BUF_SIZE] = { 0 };
        int fds[253];
        int sv[2], base;
        char *err;

        make_socketpair(sv);
        fds[0] = new_fd();
        for (size_t i = 1; i < counts[c]; i++) {
            fds[i] = dup(fds[0]);
            CHECK_GE(fds[i], 0);
        }
        base = count_open_fds();
        vhost_user_reader_init(&r);

        /* A mem table with 8 regions would take 8 fds, not more. */
        put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION,
                8 + 8 * 32);
        put32(buf + 12, 8);
        send_bytes(sv[0], buf, 20 + 8 * 32, fds, counts[c]);
        CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EPROTO);
        CHECK(err != NULL);
        CHECK_MSG(test_regex_match(err, "more than 8 fds"), "%s", err);
        free(err);
        CHECK_EQ(count_open_fds(), base);

        vhost_user_reader_destroy(&r);
        for (size_t i = 0; i < counts[c]; i++) {
            close(fds[i]);
        }
        close(sv[0]);
        close(sv[1]);
    }
}

TEST(reader_too_many_fds_across_reads)
{
    struct vhost_user_reader r;
    struct vhost_user_msg in;
    uint8_t buf[BUF_SIZE] = { 0 };
    int fds[VHOST_USER_MAX_FDS];
    int sv[2], base;
    char *err;

    make_socketpair(sv);
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        fds[i] = new_fd();
    }
    base = count_open_fds();
    vhost_user_reader_init(&r);
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 8 * 32);
    put32(buf + 12, 8);

    /* 8 fds with the header, 1 more with the payload. */
    send_bytes(sv[0], buf, 12, fds, 8);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);
    send_bytes(sv[0], buf + 12, 8 + 8 * 32, fds, 1);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EPROTO);
    free(err);
    CHECK_EQ(count_open_fds(), base);

    vhost_user_reader_destroy(&r);
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        close(fds[i]);
    }
    close(sv[0]);
    close(sv[1]);
}

TEST(reader_refuses_huge_size_before_payload)
{
    struct vhost_user_reader r;
    struct vhost_user_msg in;
    uint8_t buf[BUF_SIZE] = { 0 };
    int sv[2], fd = new_fd(), base;
    char *err;

    make_socketpair(sv);
    base = count_open_fds();
    vhost_user_reader_init(&r);
    put_hdr(buf, VHOST_USER_SET_FEATURES, VHOST_USER_VERSION,
            VHOST_USER_MAX_PAYLOAD + 1);
    send_bytes(sv[0], buf, 12, &fd, 1);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EPROTO);
    CHECK_MSG(test_regex_match(err, "exceeds 4096"), "%s", err);
    free(err);
    CHECK_EQ(count_open_fds(), base);

    vhost_user_reader_destroy(&r);
    close(fd);
    close(sv[0]);
    close(sv[1]);
}

TEST(reader_bad_message_and_extra_fds)
{
    struct vhost_user_reader r;
    struct vhost_user_msg in;
    uint8_t buf[BUF_SIZE] = { 0 };
    int sv[2], fds[3], base;
    char *err;

    make_socketpair(sv);
    for (int i = 0; i < 3; i++) {
        fds[i] = new_fd();
    }
    base = count_open_fds();
    vhost_user_reader_init(&r);

    /* GET_FEATURES takes no fds. */
    put_hdr(buf, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0);
    send_bytes(sv[0], buf, 12, fds, 3);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EPROTO);
    CHECK_MSG(test_regex_match(err, "GET_FEATURES: 3 fds"), "%s", err);
    free(err);
    CHECK_EQ(count_open_fds(), base);

    /* Bad version. */
    put_hdr(buf, VHOST_USER_GET_FEATURES, 2, 0);
    send_bytes(sv[0], buf, 12, NULL, 0);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EPROTO);
    free(err);

    /* An unknown request with fds is accepted; the fds are dropped. */
    put_hdr(buf, 99, VHOST_USER_VERSION, 3);
    send_bytes(sv[0], buf, 15, fds, 2);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), 0);
    CHECK_EQ(in.request, 99);
    CHECK_EQ(in.n_fds, 0);
    CHECK_EQ(count_open_fds(), base);

    /* A null errp is allowed. */
    put_hdr(buf, VHOST_USER_SET_FEATURES, VHOST_USER_VERSION, 0);
    send_bytes(sv[0], buf, 12, NULL, 0);
    CHECK_EQ(vhost_user_reader_recv(&r, sv[1], false, &in, NULL), EPROTO);

    vhost_user_reader_destroy(&r);
    for (int i = 0; i < 3; i++) {
        close(fds[i]);
    }
    close(sv[0]);
    close(sv[1]);
}

TEST(reader_destroy_closes_buffered_fds)
{
    struct vhost_user_reader r;
    struct vhost_user_msg in;
    uint8_t buf[BUF_SIZE] = { 0 };
    int sv[2], fds[2] = { new_fd(), new_fd() }, base;
    char *err;

    make_socketpair(sv);
    base = count_open_fds();
    vhost_user_reader_init(&r);
    put_hdr(buf, VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 8 + 2 * 32);
    send_bytes(sv[0], buf, 14, fds, 2);
    CHECK_EQ(reader_recv(&r, sv[1], false, &in, &err), EAGAIN);
    CHECK_EQ(count_open_fds(), base + 2);
    vhost_user_reader_destroy(&r);
    CHECK_EQ(count_open_fds(), base);

    close(fds[0]);
    close(fds[1]);
    close(sv[0]);
    close(sv[1]);
}

TEST(send_errors)
{
    struct vhost_user_msg msg;
    int sv[2];

    make_socketpair(sv);
    vhost_user_msg_init(&msg, VHOST_USER_SET_OWNER, false);
    msg.n_fds = VHOST_USER_MAX_FDS + 1;
    CHECK_EQ(vhost_user_msg_send(sv[0], &msg), EINVAL);
    msg.n_fds = 0;
    close(sv[1]);
    /* MSG_NOSIGNAL: an error, not SIGPIPE. */
    CHECK_EQ(vhost_user_msg_send(sv[0], &msg), EPIPE);
    close(sv[0]);
}
