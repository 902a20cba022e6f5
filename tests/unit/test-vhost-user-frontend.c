/* Tests for vhost/vhost-user-frontend: the library drives a fake backend
 * thread at the other end of a socketpair, which checks what arrives and
 * answers (or refuses, stays silent, answers wrongly or hangs up). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "socket-util.h"
#include "test.h"
#include "timeval.h"
#include "vhost/vhost-user-frontend.h"
#include "vhost/vhost-user-msg.h"
#include "vhost/virtqueue.h"

#define N_RINGS 16
#define MAX_SEEN 256

struct seen {
    uint32_t request;
    uint32_t flags;
};

/* A scripted backend.  The test sets the first group of members, starts
 * the thread, and reads the second group after fake_join(). */
struct fake {
    int fd;
    pthread_t thread;

    /* Behaviour. */
    uint64_t features;              /* Offered. */
    uint64_t protocol;              /* Offered. */
    uint64_t max_qp;
    uint32_t refuse;                /* Ack this request with status 1. */
    uint32_t ignore;                /* Never answer this request. */
    uint32_t hang_up;               /* Close the connection on this. */
    uint32_t misanswer;             /* Answer this with GET_QUEUE_NUM. */
    bool empty_log_reply;           /* Answer SET_LOG_BASE as DPDK does. */

    /* What happened. */
    struct seen seen[MAX_SEEN];
    size_t n_seen;
    char error[256];                /* A bad message from the frontend. */
    uint64_t acked_features, acked_protocol;
    uint64_t mtu, rarp, status;
    bool owner;
    uint32_t num[N_RINGS], base[N_RINGS];
    bool enabled[N_RINGS];
    struct vhost_vring_addr addr[N_RINGS];
    ino_t kick_ino[N_RINGS], call_ino[N_RINGS], err_ino[N_RINGS];
    size_t n_regions;
    struct vhost_mem_region_desc regions[VHOST_MEM_MAX_REGIONS];
    ino_t region_ino[VHOST_MEM_MAX_REGIONS];
    struct vhost_user_log log;
    ino_t log_ino;
    uint8_t config[VHOST_USER_CONFIG_MAX];
};

static ino_t
fd_ino(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? 0 : st.st_ino;
}

static ino_t
vring_fd_ino(const struct vhost_user_msg *msg)
{
    return msg->u.u64 & VHOST_USER_VRING_NOFD ? 0 : fd_ino(msg->fds[0]);
}

static void
fake_reply(struct fake *f, const struct vhost_user_msg *reply)
{
    CHECK_EQ(vhost_user_msg_send(f->fd, reply), 0);
}

static void
fake_reply_u64(struct fake *f, uint32_t request, uint64_t value)
{
    struct vhost_user_msg reply;

    vhost_user_msg_init(&reply, request, true);
    vhost_user_msg_set_u64(&reply, value);
    fake_reply(f, &reply);
}

/* Handles one request as a plain backend would. */
static void
fake_handle(struct fake *f, const struct vhost_user_msg *msg)
{
    struct vhost_user_msg reply;
    bool has_reply = true;
    uint32_t i;

    vhost_user_msg_init(&reply, msg->request, true);
    switch (msg->request) {
    case VHOST_USER_GET_FEATURES:
        vhost_user_msg_set_u64(&reply, f->features);
        break;
    case VHOST_USER_GET_PROTOCOL_FEATURES:
        vhost_user_msg_set_u64(&reply, f->protocol);
        break;
    case VHOST_USER_GET_QUEUE_NUM:
        vhost_user_msg_set_u64(&reply, f->max_qp);
        break;
    case VHOST_USER_GET_VRING_BASE:
        i = msg->u.state.index % N_RINGS;
        vhost_user_msg_set_state(&reply, msg->u.state.index, f->base[i]);
        break;
    case VHOST_USER_GET_CONFIG:
        vhost_user_msg_set_config(&reply, msg->u.config.offset,
                                  msg->u.config.size, 0,
                                  f->config + msg->u.config.offset);
        break;
    case VHOST_USER_SET_LOG_BASE:
        f->log = msg->u.log;
        f->log_ino = fd_ino(msg->fds[0]);
        has_reply = (f->acked_protocol
                     & (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD));
        if (!f->empty_log_reply) {
            vhost_user_msg_set_u64(&reply, f->refuse == msg->request);
        }
        break;
    default:
        has_reply = false;
        break;
    }

    switch (msg->request) {
    case VHOST_USER_SET_FEATURES:
        f->acked_features = msg->u.u64;
        break;
    case VHOST_USER_SET_PROTOCOL_FEATURES:
        f->acked_protocol = msg->u.u64;
        break;
    case VHOST_USER_SET_OWNER:
        f->owner = true;
        break;
    case VHOST_USER_NET_SET_MTU:
        f->mtu = msg->u.u64;
        break;
    case VHOST_USER_SEND_RARP:
        f->rarp = msg->u.u64;
        break;
    case VHOST_USER_SET_STATUS:
        f->status = msg->u.u64;
        break;
    case VHOST_USER_SET_VRING_NUM:
        f->num[msg->u.state.index % N_RINGS] = msg->u.state.num;
        break;
    case VHOST_USER_SET_VRING_BASE:
        f->base[msg->u.state.index % N_RINGS] = msg->u.state.num;
        break;
    case VHOST_USER_SET_VRING_ENABLE:
        f->enabled[msg->u.state.index % N_RINGS] = msg->u.state.num;
        break;
    case VHOST_USER_SET_VRING_ADDR:
        f->addr[msg->u.addr.index % N_RINGS] = msg->u.addr;
        break;
    case VHOST_USER_SET_VRING_KICK:
        f->kick_ino[msg->u.u64 % N_RINGS] = vring_fd_ino(msg);
        break;
    case VHOST_USER_SET_VRING_CALL:
        f->call_ino[msg->u.u64 % N_RINGS] = vring_fd_ino(msg);
        break;
    case VHOST_USER_SET_VRING_ERR:
        f->err_ino[msg->u.u64 % N_RINGS] = vring_fd_ino(msg);
        break;
    case VHOST_USER_SET_MEM_TABLE:
        f->n_regions = msg->u.mem.n_regions;
        for (i = 0; i < msg->u.mem.n_regions; i++) {
            f->regions[i] = msg->u.mem.regions[i];
            f->region_ino[i] = fd_ino(msg->fds[i]);
        }
        break;
    case VHOST_USER_SET_CONFIG:
        memcpy(f->config + msg->u.config.offset, msg->u.config.region,
               msg->u.config.size);
        break;
    }

    if (!has_reply && msg->flags & VHOST_USER_NEED_REPLY
        && f->acked_protocol & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)) {
        vhost_user_msg_set_u64(&reply, f->refuse == msg->request);
        has_reply = true;
    }
    if (has_reply) {
        fake_reply(f, &reply);
    }
}

static void *
fake_main(void *f_)
{
    struct fake *f = f_;
    struct vhost_user_reader reader;

    vhost_user_reader_init(&reader);
    for (;;) {
        struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
        struct vhost_user_msg msg;
        char *err = NULL;
        int error;

        error = vhost_user_reader_recv(&reader, f->fd, false, &msg, &err);
        if (error == EAGAIN) {
            poll(&pfd, 1, -1);
            continue;
        } else if (error) {
            if (error != EOF) {
                snprintf(f->error, sizeof f->error, "%s",
                         err ? err : plx_strerror(error));
            }
            free(err);
            break;
        }

        if (f->n_seen < MAX_SEEN) {
            f->seen[f->n_seen].request = msg.request;
            f->seen[f->n_seen].flags = msg.flags;
            f->n_seen++;
        }
        if (msg.request == f->hang_up) {
            vhost_user_msg_close_fds(&msg);
            break;
        } else if (msg.request == f->misanswer) {
            fake_reply_u64(f, VHOST_USER_GET_QUEUE_NUM, 1);
        } else if (msg.request != f->ignore) {
            fake_handle(f, &msg);
        }
        vhost_user_msg_close_fds(&msg);
    }
    vhost_user_reader_destroy(&reader);
    close(f->fd);
    return NULL;
}

/* Creates a fake backend and a frontend connected to it. */
static struct vhost_user_frontend *
fake_start(struct fake *f)
{
    int sv[2];

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    f->fd = sv[1];
    CHECK_EQ(pthread_create(&f->thread, NULL, fake_main, f), 0);
    return vhost_user_frontend_create(sv[0], "test");
}

/* Destroys FE, which ends the fake's thread, and waits for it. */
static void
fake_join(struct fake *f, struct vhost_user_frontend *fe)
{
    vhost_user_frontend_destroy(fe);
    CHECK_EQ(pthread_join(f->thread, NULL), 0);
}

static void
fake_init(struct fake *f)
{
    memset(f, 0, sizeof *f);
    f->refuse = f->ignore = f->hang_up = f->misanswer = UINT32_MAX;
    f->max_qp = 8;
}

#define PROTO(BIT) (1ULL << VHOST_USER_PROTOCOL_F_##BIT)
#define ALL_PROTOCOL (PROTO(MQ) | PROTO(LOG_SHMFD) | PROTO(RARP) \
                      | PROTO(REPLY_ACK) | PROTO(MTU) | PROTO(CONFIG))
#define NET_FEATURES ((1ULL << VIRTIO_F_VERSION_1)        \
                      | (1ULL << VIRTIO_NET_F_MRG_RXBUF)  \
                      | (1ULL << VIRTIO_NET_F_MTU)        \
                      | (1ULL << VIRTIO_NET_F_MQ))
#define F_PROTO (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

static int
new_eventfd(void)
{
    int fd = eventfd(0, EFD_CLOEXEC);
    CHECK_GE(fd, 0);
    return fd;
}

/* Features. */

TEST(features_without_protocol_features)
{
    struct vhost_user_frontend *fe;
    struct fake f;
    uint64_t features;

    fake_init(&f);
    f.features = NET_FEATURES;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &features), 0);
    CHECK_U64_EQ(features, NET_FEATURES);
    CHECK_U64_EQ(vhost_user_frontend_offered_features(fe), NET_FEATURES);
    CHECK_EQ(vhost_user_frontend_set_features(fe, 1ULL << 32), 0);
    CHECK_U64_EQ(vhost_user_frontend_acked_features(fe), 1ULL << 32);
    CHECK_EQ(vhost_user_frontend_set_owner(fe), 0);
    uint8_t config[4];
    CHECK_EQ(vhost_user_frontend_get_config(fe, 0, 4, 0, config),
             EOPNOTSUPP);
    CHECK_EQ(vhost_user_frontend_set_config(fe, 0, 4, 0, config),
             EOPNOTSUPP);
    fake_join(&f, fe);

    CHECK_STREQ(f.error, "");
    CHECK_EQ(f.n_seen, 3);
    CHECK_EQ(f.seen[0].request, VHOST_USER_GET_FEATURES);
    CHECK_EQ(f.seen[0].flags, VHOST_USER_VERSION);
    CHECK_EQ(f.seen[1].request, VHOST_USER_SET_FEATURES);
    CHECK_EQ(f.seen[1].flags, VHOST_USER_VERSION);   /* No NEED_REPLY. */
    CHECK_EQ(f.seen[2].request, VHOST_USER_SET_OWNER);
    CHECK_U64_EQ(f.acked_features, 1ULL << 32);
    CHECK(f.owner);
}

TEST(negotiation_turns_on_reply_ack)
{
    struct vhost_user_frontend *fe;
    uint64_t negotiated;
    struct fake f;

    fake_init(&f);
    f.features = NET_FEATURES | F_PROTO;
    f.protocol = PROTO(MQ) | PROTO(REPLY_ACK) | PROTO(RARP);
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_negotiate_protocol_features(
                 fe, PROTO(MQ) | PROTO(MTU), &negotiated), 0);
    CHECK_U64_EQ(negotiated, PROTO(MQ) | PROTO(REPLY_ACK));
    CHECK_U64_EQ(vhost_user_frontend_acked_protocol_features(fe),
                 negotiated);
    CHECK(vhost_user_frontend_has_protocol_feature(
              fe, VHOST_USER_PROTOCOL_F_REPLY_ACK));
    /* Acked: when the call returns, the backend has done it. */
    CHECK_EQ(vhost_user_frontend_set_owner(fe), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_num(fe, 3, 256), 0);
    CHECK_EQ(f.num[3], 256);
    fake_join(&f, fe);

    CHECK_EQ(f.n_seen, 4);
    CHECK_EQ(f.seen[1].request, VHOST_USER_SET_PROTOCOL_FEATURES);
    CHECK_EQ(f.seen[1].flags, VHOST_USER_VERSION);
    CHECK_EQ(f.seen[2].flags, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY);
    CHECK_EQ(f.seen[3].flags, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY);
    CHECK_U64_EQ(f.acked_protocol, PROTO(MQ) | PROTO(REPLY_ACK));
}

TEST(nonzero_ack_is_an_error_but_not_fatal)
{
    struct vhost_user_frontend *fe;
    struct fake f;

    fake_init(&f);
    f.protocol = PROTO(REPLY_ACK);
    f.refuse = VHOST_USER_SET_VRING_NUM;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_negotiate_protocol_features(fe, 0, NULL),
             0);
    CHECK_EQ(vhost_user_frontend_set_vring_num(fe, 0, 255), EREMOTEIO);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe),
                           "refused SET_VRING_NUM \\(status 1\\)"));
    /* The connection goes on. */
    CHECK_EQ(vhost_user_frontend_set_vring_base(fe, 0, 7), 0);
    uint32_t base;
    CHECK_EQ(vhost_user_frontend_get_vring_base(fe, 0, &base), 0);
    CHECK_EQ(base, 7);
    fake_join(&f, fe);
    CHECK_STREQ(f.error, "");
}

TEST(silent_backend_times_out)
{
    struct vhost_user_frontend *fe;
    uint64_t features;
    struct fake f;
    long long int start;

    fake_init(&f);
    f.ignore = VHOST_USER_GET_FEATURES;
    fe = fake_start(&f);
    vhost_user_frontend_set_timeout(fe, 100);
    start = time_msec();
    CHECK_EQ(vhost_user_frontend_get_features(fe, &features), ETIMEDOUT);
    CHECK_GE(time_msec() - start, 90);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe),
                           "no reply to GET_FEATURES within 100 ms"));
    /* The stream is out of step now: every call fails at once. */
    CHECK_EQ(vhost_user_frontend_set_owner(fe), ETIMEDOUT);
    CHECK_EQ(vhost_user_frontend_get_queue_num(fe, &features), ETIMEDOUT);
    fake_join(&f, fe);
    CHECK_EQ(f.n_seen, 1);
}

TEST(backend_hanging_up)
{
    struct vhost_user_frontend *fe;
    uint64_t features;
    struct fake f;

    fake_init(&f);
    f.hang_up = VHOST_USER_GET_PROTOCOL_FEATURES;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &features), 0);
    CHECK_EQ(vhost_user_frontend_get_protocol_features(fe, &features),
             ECONNRESET);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe), "closed"));
    CHECK_EQ(vhost_user_frontend_set_owner(fe), ECONNRESET);
    fake_join(&f, fe);
}

TEST(sending_to_a_closed_backend)
{
    struct vhost_user_frontend *fe;
    struct fake f;
    int error = 0;

    fake_init(&f);
    f.hang_up = VHOST_USER_SET_OWNER;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_set_owner(fe), 0);
    CHECK_EQ(pthread_join(f.thread, NULL), 0);
    /* Without acks, a send is the only way to notice. */
    for (int i = 0; i < 3 && !error; i++) {
        error = vhost_user_frontend_set_vring_num(fe, 0, 256);
    }
    CHECK(error == EPIPE || error == ECONNRESET);
    vhost_user_frontend_destroy(fe);
}

TEST(wrong_or_malformed_replies)
{
    struct vhost_user_frontend *fe;
    uint64_t value;
    struct fake f;

    fake_init(&f);
    f.misanswer = VHOST_USER_GET_FEATURES;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &value), EPROTO);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe),
                           "answered GET_FEATURES with GET_QUEUE_NUM"));
    CHECK_EQ(vhost_user_frontend_get_features(fe, &value), EPROTO);
    fake_join(&f, fe);

    /* A reply with a bad size. */
    int sv[2];
    uint8_t bad[12 + 4] = { 1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0 };
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    fe = vhost_user_frontend_create(sv[0], "test");
    CHECK_EQ(vhost_user_msg_send_raw(sv[1], bad, sizeof bad, NULL, 0), 0);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &value), EPROTO);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe),
                           "bad reply to GET_FEATURES: .*4 bytes"));
    vhost_user_frontend_destroy(fe);
    close(sv[1]);
}

/* Each request. */

TEST(rings_memory_and_the_rest)
{
    struct vhost_mem_region_desc regions[2] = {
        { 0, 0x10000, 0x7f0000000000ULL, 0 },
        { 0x100000, 0x20000, 0x7f0000100000ULL, 0x1000 },
    };
    struct vhost_vring_addr addr = {
        .index = 1, .desc_user_addr = 0x7f0000000000ULL,
        .avail_user_addr = 0x7f0000001000ULL,
        .used_user_addr = 0x7f0000002000ULL,
    };
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    int mem_fds[2] = { new_eventfd(), new_eventfd() };
    int kick = new_eventfd(), call = new_eventfd();
    struct vhost_user_frontend *fe;
    uint8_t config[16], back[16];
    struct fake f;
    uint64_t n;

    fake_init(&f);
    f.protocol = ALL_PROTOCOL;
    f.max_qp = 4;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_negotiate_protocol_features(
                 fe, ALL_PROTOCOL, NULL), 0);
    CHECK_EQ(vhost_user_frontend_get_queue_num(fe, &n), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(vhost_user_frontend_set_mem_table(fe, regions, mem_fds, 2), 0);
    CHECK_EQ(vhost_user_frontend_set_mem_table(fe, regions, mem_fds, 0),
             EINVAL);
    CHECK_EQ(vhost_user_frontend_set_vring_addr(fe, &addr), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_kick(fe, 1, kick), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_call(fe, 1, call), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_err(fe, 1, -1), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_kick(fe, 2, -1), 0);
    CHECK_EQ(vhost_user_frontend_set_vring_kick(fe, 256, -1), EINVAL);
    CHECK_EQ(vhost_user_frontend_set_vring_enable(fe, 1, true), 0);
    CHECK_EQ(vhost_user_frontend_net_set_mtu(fe, 9000), 0);
    CHECK_EQ(vhost_user_frontend_send_rarp(fe, mac), 0);
    for (size_t i = 0; i < sizeof config; i++) {
        config[i] = 0xa0 + i;
    }
    CHECK_EQ(vhost_user_frontend_set_config(fe, 8, 16, 0, config), 0);
    CHECK_EQ(vhost_user_frontend_get_config(fe, 8, 16, 0, back), 0);
    CHECK_MEMEQ(back, config, 16);
    CHECK_EQ(vhost_user_frontend_reset_owner(fe), 0);
    CHECK_EQ(vhost_user_frontend_reset_device(fe), 0);
    fake_join(&f, fe);

    CHECK_STREQ(f.error, "");
    CHECK_EQ(f.n_regions, 2);
    CHECK_MEMEQ(f.regions, regions, sizeof regions);
    CHECK_EQ(f.region_ino[0], fd_ino(mem_fds[0]));
    CHECK_EQ(f.region_ino[1], fd_ino(mem_fds[1]));
    CHECK_MEMEQ(&f.addr[1], &addr, sizeof addr);
    CHECK_EQ(f.kick_ino[1], fd_ino(kick));
    CHECK_EQ(f.call_ino[1], fd_ino(call));
    CHECK_EQ(f.err_ino[1], 0);
    CHECK_EQ(f.kick_ino[2], 0);
    CHECK(f.enabled[1]);
    CHECK_EQ(f.mtu, 9000);
    CHECK_U64_EQ(f.rarp, 0x563412005452ULL);   /* MAC in the low bytes. */
    for (size_t i = 0; i < f.n_seen; i++) {
        uint32_t r = f.seen[i].request;
        bool gets = (r == VHOST_USER_GET_PROTOCOL_FEATURES
                     || r == VHOST_USER_GET_QUEUE_NUM
                     || r == VHOST_USER_GET_CONFIG
                     || r == VHOST_USER_SET_PROTOCOL_FEATURES);
        CHECK_MSG(!(f.seen[i].flags & VHOST_USER_NEED_REPLY) == gets,
                  "%s: flags %#x", vhost_user_request_name(r),
                  f.seen[i].flags);
    }
    close(mem_fds[0]);
    close(mem_fds[1]);
    close(kick);
    close(call);
}

TEST(log_base_reply_rules)
{
    for (int variant = 0; variant < 4; variant++) {
        struct vhost_user_frontend *fe;
        int log_fd = new_eventfd();
        struct fake f;
        int error;

        fake_init(&f);
        /* 0: LOG_SHMFD + ack; 1: LOG_SHMFD, DPDK's empty reply;
         * 2: refused; 3: no LOG_SHMFD, no REPLY_ACK (no reply). */
        f.protocol = variant == 3 ? 0 : PROTO(LOG_SHMFD) | PROTO(REPLY_ACK);
        f.empty_log_reply = variant == 1;
        if (variant == 2) {
            f.refuse = VHOST_USER_SET_LOG_BASE;
        }
        fe = fake_start(&f);
        CHECK_EQ(vhost_user_frontend_negotiate_protocol_features(
                     fe, ALL_PROTOCOL, NULL), 0);
        error = vhost_user_frontend_set_log_base(fe, log_fd, 0x4000, 0x10);
        CHECK_EQ(error, variant == 2 ? EREMOTEIO : 0);
        /* One reply only: the next request gets the right answer. */
        CHECK_EQ(vhost_user_frontend_set_vring_base(fe, 0, 5), 0);
        fake_join(&f, fe);

        CHECK_STREQ(f.error, "");
        CHECK_EQ(f.n_seen, 4);
        CHECK_EQ(f.seen[2].request, VHOST_USER_SET_LOG_BASE);
        CHECK_EQ(f.seen[2].flags, VHOST_USER_VERSION);
        CHECK_U64_EQ(f.log.mmap_size, 0x4000);
        CHECK_U64_EQ(f.log.mmap_offset, 0x10);
        CHECK_EQ(f.log_ino, fd_ino(log_fd));
        CHECK_EQ(f.base[0], 5);
        close(log_fd);
    }
}

/* The start-up sequence. */

static void
check_sequence(const struct fake *f, const uint32_t *expected, size_t n)
{
    for (size_t i = 0; i < MIN(n, f->n_seen); i++) {
        CHECK_MSG(f->seen[i].request == expected[i],
                  "request %zu: %s, expected %s", i,
                  vhost_user_request_name(f->seen[i].request),
                  vhost_user_request_name(expected[i]));
    }
    CHECK_EQ(f->n_seen, n);
}

TEST(setup_net_two_queue_pairs)
{
    struct vhost_user_net_ring rings[4];
    struct vhost_mem_region_desc region = {
        0, 1 << 20, 0x7f0000000000ULL, 0,
    };
    int mem_fd = new_eventfd();
    struct vhost_user_net_setup s = {
        .features = NET_FEATURES | (1ULL << VIRTIO_RING_F_EVENT_IDX),
        .required_features = 1ULL << VIRTIO_F_VERSION_1,
        .protocol_features = PROTO(MQ) | PROTO(MTU),
        .n_qp = 2,
        .mtu = 1500,
        .regions = &region,
        .region_fds = &mem_fd,
        .n_regions = 1,
        .rings = rings,
    };
    struct vhost_user_frontend *fe;
    struct fake f;

    for (int i = 0; i < 4; i++) {
        rings[i] = (struct vhost_user_net_ring) {
            .num = 256, .base = i,
            .desc_user_addr = 0x7f0000000000ULL + 0x10000 * i,
            .avail_user_addr = 0x7f0000001000ULL + 0x10000 * i,
            .used_user_addr = 0x7f0000002000ULL + 0x10000 * i,
            .kick_fd = i == 3 ? -1 : new_eventfd(),
            .call_fd = new_eventfd(),
        };
    }
    fake_init(&f);
    f.features = NET_FEATURES | F_PROTO | (1ULL << VIRTIO_NET_F_CSUM);
    f.protocol = ALL_PROTOCOL;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), 0);
    CHECK_U64_EQ(vhost_user_frontend_acked_features(fe),
                 NET_FEATURES | F_PROTO);
    CHECK_U64_EQ(vhost_user_frontend_acked_protocol_features(fe),
                 PROTO(MQ) | PROTO(MTU) | PROTO(REPLY_ACK));
    fake_join(&f, fe);

    static const uint32_t per_ring[] = {
        VHOST_USER_SET_VRING_NUM, VHOST_USER_SET_VRING_BASE,
        VHOST_USER_SET_VRING_ADDR, VHOST_USER_SET_VRING_KICK,
        VHOST_USER_SET_VRING_CALL,
    };
    uint32_t expected[64];
    size_t n = 0;
    expected[n++] = VHOST_USER_GET_FEATURES;
    expected[n++] = VHOST_USER_GET_PROTOCOL_FEATURES;
    expected[n++] = VHOST_USER_SET_PROTOCOL_FEATURES;
    expected[n++] = VHOST_USER_GET_QUEUE_NUM;
    expected[n++] = VHOST_USER_SET_OWNER;
    expected[n++] = VHOST_USER_SET_FEATURES;
    expected[n++] = VHOST_USER_NET_SET_MTU;
    expected[n++] = VHOST_USER_SET_MEM_TABLE;
    for (int i = 0; i < 4; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(per_ring); j++) {
            expected[n++] = per_ring[j];
        }
    }
    for (int i = 0; i < 4; i++) {
        expected[n++] = VHOST_USER_SET_VRING_ENABLE;
    }
    check_sequence(&f, expected, n);

    CHECK_STREQ(f.error, "");
    CHECK_U64_EQ(f.acked_features, NET_FEATURES | F_PROTO);
    CHECK_EQ(f.mtu, 1500);
    CHECK_EQ(f.n_regions, 1);
    CHECK_EQ(f.region_ino[0], fd_ino(mem_fd));
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(f.num[i], 256);
        CHECK_EQ(f.base[i], i);
        CHECK_EQ(f.addr[i].index, i);
        CHECK_U64_EQ(f.addr[i].desc_user_addr, rings[i].desc_user_addr);
        CHECK_U64_EQ(f.addr[i].avail_user_addr, rings[i].avail_user_addr);
        CHECK_U64_EQ(f.addr[i].used_user_addr, rings[i].used_user_addr);
        CHECK_EQ(f.kick_ino[i], i == 3 ? 0 : fd_ino(rings[i].kick_fd));
        CHECK_EQ(f.call_ino[i], fd_ino(rings[i].call_fd));
        CHECK(f.enabled[i]);
        if (rings[i].kick_fd >= 0) {
            close(rings[i].kick_fd);
        }
        close(rings[i].call_fd);
    }
    close(mem_fd);
}

TEST(setup_net_legacy_backend)
{
    struct vhost_user_net_ring rings[2] = {
        { .num = 128, .kick_fd = -1, .call_fd = -1 },
        { .num = 128, .kick_fd = -1, .call_fd = -1 },
    };
    struct vhost_mem_region_desc region = { 0, 4096, 0x1000, 0 };
    int mem_fd = new_eventfd();
    struct vhost_user_net_setup s = {
        .features = NET_FEATURES, .n_qp = 1, .mtu = 9000,
        .regions = &region, .region_fds = &mem_fd, .n_regions = 1,
        .rings = rings,
    };
    struct vhost_user_frontend *fe;
    struct fake f;

    fake_init(&f);
    f.features = 1ULL << VIRTIO_F_VERSION_1;    /* No protocol features. */
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), 0);
    fake_join(&f, fe);

    static const uint32_t expected[] = {
        VHOST_USER_GET_FEATURES, VHOST_USER_SET_OWNER,
        VHOST_USER_SET_FEATURES, VHOST_USER_SET_MEM_TABLE,
        VHOST_USER_SET_VRING_NUM, VHOST_USER_SET_VRING_BASE,
        VHOST_USER_SET_VRING_ADDR, VHOST_USER_SET_VRING_KICK,
        VHOST_USER_SET_VRING_CALL,
        VHOST_USER_SET_VRING_NUM, VHOST_USER_SET_VRING_BASE,
        VHOST_USER_SET_VRING_ADDR, VHOST_USER_SET_VRING_KICK,
        VHOST_USER_SET_VRING_CALL,
    };
    check_sequence(&f, expected, ARRAY_SIZE(expected));
    for (size_t i = 0; i < f.n_seen; i++) {
        CHECK_EQ(f.seen[i].flags, VHOST_USER_VERSION);
    }
    CHECK_U64_EQ(f.acked_features, 1ULL << VIRTIO_F_VERSION_1);
    CHECK_EQ(f.mtu, 0);
    close(mem_fd);
}

TEST(setup_net_refusals)
{
    struct vhost_user_net_ring rings[4];
    struct vhost_mem_region_desc region = { 0, 4096, 0x1000, 0 };
    int mem_fd = new_eventfd();
    struct vhost_user_net_setup s = {
        .features = NET_FEATURES, .n_qp = 2,
        .regions = &region, .region_fds = &mem_fd, .n_regions = 1,
        .rings = rings,
    };
    struct vhost_user_frontend *fe;
    struct fake f;

    for (int i = 0; i < 4; i++) {
        rings[i] = (struct vhost_user_net_ring) {
            .num = 64, .kick_fd = -1, .call_fd = -1,
        };
    }

    /* Two queue pairs, but no MQ. */
    fake_init(&f);
    f.features = NET_FEATURES | F_PROTO;
    f.protocol = PROTO(REPLY_ACK);
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), EOPNOTSUPP);
    CHECK(test_regex_match(vhost_user_frontend_get_error(fe), "MQ"));
    fake_join(&f, fe);

    /* MQ, but only one queue pair. */
    fake_init(&f);
    f.features = NET_FEATURES | F_PROTO;
    f.protocol = PROTO(MQ);
    f.max_qp = 1;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), EOPNOTSUPP);
    fake_join(&f, fe);

    /* A required feature is missing: nothing is set. */
    s.n_qp = 1;
    s.required_features = 1ULL << VIRTIO_F_RING_PACKED;
    fake_init(&f);
    f.features = NET_FEATURES;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), EOPNOTSUPP);
    fake_join(&f, fe);
    CHECK_EQ(f.n_seen, 1);

    /* The backend refuses the memory table: the setup stops there. */
    s.required_features = 0;
    fake_init(&f);
    f.features = NET_FEATURES | F_PROTO;
    f.protocol = PROTO(REPLY_ACK);
    f.refuse = VHOST_USER_SET_MEM_TABLE;
    fe = fake_start(&f);
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), EREMOTEIO);
    fake_join(&f, fe);
    CHECK_EQ(f.seen[f.n_seen - 1].request, VHOST_USER_SET_MEM_TABLE);

    /* Bad arguments. */
    fake_init(&f);
    fe = fake_start(&f);
    s.n_qp = 0;
    CHECK_EQ(vhost_user_frontend_setup_net(fe, &s), EINVAL);
    fake_join(&f, fe);
    CHECK_EQ(f.n_seen, 0);
    close(mem_fd);
}

/* For hostile tests. */

TEST(raw_messages_and_transact)
{
    struct vhost_user_frontend *fe;
    struct vhost_user_msg msg, reply;
    struct fake f;

    fake_init(&f);
    f.features = 0x1234;
    fe = fake_start(&f);

    /* A request sent as is, flags and all. */
    vhost_user_msg_init(&msg, VHOST_USER_GET_FEATURES, false);
    msg.flags |= VHOST_USER_NEED_REPLY;
    CHECK_EQ(vhost_user_frontend_transact(fe, &msg, &reply), 0);
    CHECK_U64_EQ(reply.u.u64, 0x1234);

    /* Bytes no encoder would write: the backend drops the connection. */
    static const uint8_t garbage[12] = { 1, 0, 0, 0, 3, 0, 0, 0 };
    CHECK_EQ(vhost_user_frontend_send_raw(fe, garbage, sizeof garbage,
                                          NULL, 0), 0);
    CHECK_EQ(vhost_user_frontend_recv(fe, &reply), ECONNRESET);
    fake_join(&f, fe);
    CHECK_MSG(test_regex_match(f.error, "version 3"), "%s", f.error);
}

/* Connecting and accepting. */

TEST(connect_and_accept)
{
    char *path = xasprintf("%s/vhost.sock", test_tmpdir());
    struct vhost_user_frontend *fe;
    int listen_fd, fd, error;
    uint64_t features;
    struct fake f;

    /* Nobody listens: retried until the timeout. */
    CHECK_EQ(vhost_user_frontend_connect(path, 50, &fe), ETIMEDOUT);
    CHECK(fe == NULL);

    /* Server-mode backend. */
    listen_fd = make_unix_socket(SOCK_STREAM, false, path, NULL);
    CHECK_GE(listen_fd, 0);
    CHECK_EQ(listen(listen_fd, 1), 0);
    CHECK_EQ(vhost_user_frontend_connect(path, 1000, &fe), 0);
    fake_init(&f);
    f.features = 77;
    f.fd = accept(listen_fd, NULL, NULL);
    CHECK_GE(f.fd, 0);
    CHECK_EQ(pthread_create(&f.thread, NULL, fake_main, &f), 0);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &features), 0);
    CHECK_EQ(features, 77);
    fake_join(&f, fe);
    close(listen_fd);

    /* Client-mode backend: we listen. */
    CHECK_EQ(vhost_user_frontend_listen(path, &listen_fd), 0);
    CHECK_EQ(vhost_user_frontend_accept(listen_fd, 50, "x", &fe), ETIMEDOUT);
    fd = make_unix_socket(SOCK_STREAM, false, NULL, path);
    CHECK_GE(fd, 0);
    error = vhost_user_frontend_accept(listen_fd, 1000, "backend", &fe);
    CHECK_EQ(error, 0);
    fake_init(&f);
    f.features = 88;
    f.fd = fd;
    CHECK_EQ(pthread_create(&f.thread, NULL, fake_main, &f), 0);
    CHECK_EQ(vhost_user_frontend_get_features(fe, &features), 0);
    CHECK_EQ(features, 88);
    fake_join(&f, fe);
    close(listen_fd);
    free(path);
}
