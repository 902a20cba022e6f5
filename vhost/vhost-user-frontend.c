/* vhost-user-frontend: see vhost-user-frontend.h. */
#include <config.h>
#include "vhost-user-frontend.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <unistd.h>
#include "socket-util.h"
#include "timeval.h"
#include "util.h"
#include "virtqueue.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vhost_user_frontend);

struct vhost_user_frontend {
    int fd;
    char *name;                 /* For messages. */
    int timeout_ms;
    int broken;                 /* 0, or what broke the connection. */
    char *error;                /* Last failure, or NULL. */

    uint64_t offered_features;  /* GET_FEATURES. */
    uint64_t acked_features;    /* SET_FEATURES. */
    uint64_t offered_protocol;  /* GET_PROTOCOL_FEATURES. */
    uint64_t protocol_features; /* SET_PROTOCOL_FEATURES. */

    struct vhost_user_reader reader;
};

static void vuf_set_error(struct vhost_user_frontend *, const char *, ...)
    PLX_PRINTF_FORMAT(2, 3);

static void
vuf_set_error(struct vhost_user_frontend *fe, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    free(fe->error);
    fe->error = xvasprintf(format, args);
    va_end(args);
    VLOG_DBG("%s: %s", fe->name, fe->error);
}

/* Marks the connection unusable after ERROR, which is returned. */
static int
vuf_break(struct vhost_user_frontend *fe, int error)
{
    if (!fe->broken) {
        fe->broken = error;
    }
    return error;
}

static long long int
vuf_deadline(const struct vhost_user_frontend *fe)
{
    return time_msec() + fe->timeout_ms;
}

/* Waits until FD has EVENTS or DEADLINE (time_msec()) passes.  Returns 0,
 * ETIMEDOUT or an errno value. */
static int
vuf_poll(int fd, short events, long long int deadline)
{
    for (;;) {
        long long int left = deadline - time_msec();
        struct pollfd pfd = { .fd = fd, .events = events };
        int retval;

        if (left <= 0) {
            return ETIMEDOUT;
        }
        retval = poll(&pfd, 1, MIN(left, INT32_MAX));
        if (retval > 0) {
            return 0;
        } else if (retval < 0 && errno != EINTR) {
            return errno;
        }
    }
}

/* Creating and destroying. */

struct vhost_user_frontend *
vhost_user_frontend_create(int fd, const char *name)
{
    struct vhost_user_frontend *fe = xzalloc(sizeof *fe);

    set_nonblocking(fd);
    fe->fd = fd;
    fe->name = xstrdup(name);
    fe->timeout_ms = VHOST_USER_FRONTEND_TIMEOUT_MS;
    vhost_user_reader_init(&fe->reader);
    return fe;
}

int
vhost_user_frontend_connect(const char *path, int timeout_ms,
                            struct vhost_user_frontend **fep)
{
    long long int deadline = time_msec() + timeout_ms;

    *fep = NULL;
    for (;;) {
        int fd = make_unix_socket(SOCK_STREAM, true, NULL, path);

        if (fd >= 0) {
            /* A unix socket connects at once or not at all, but be ready
             * for a connection in progress. */
            int error = check_connection_completion(fd);
            if (error == EAGAIN) {
                error = vuf_poll(fd, POLLOUT, deadline);
                if (!error) {
                    error = check_connection_completion(fd);
                }
            }
            if (error) {
                close(fd);
                return error;
            }
            *fep = vhost_user_frontend_create(fd, path);
            return 0;
        }
        if (fd != -ENOENT && fd != -ECONNREFUSED && fd != -EAGAIN) {
            return -fd;
        }
        /* Nobody listens yet: try again shortly. */
        if (time_msec() >= deadline) {
            return ETIMEDOUT;
        }
        plx_msleep(MIN(10, MAX(1, deadline - time_msec())));
    }
}

int
vhost_user_frontend_listen(const char *path, int *listen_fdp)
{
    int fd = make_unix_socket(SOCK_STREAM, true, path, NULL);

    *listen_fdp = -1;
    if (fd < 0) {
        return -fd;
    }
    if (listen(fd, 1)) {
        int error = errno;
        close(fd);
        return error;
    }
    *listen_fdp = fd;
    return 0;
}

int
vhost_user_frontend_accept(int listen_fd, int timeout_ms, const char *name,
                           struct vhost_user_frontend **fep)
{
    long long int deadline = time_msec() + timeout_ms;

    *fep = NULL;
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            *fep = vhost_user_frontend_create(fd, name);
            return 0;
        } else if (errno == EAGAIN || errno == EINTR
                   || errno == ECONNABORTED) {
            int error = vuf_poll(listen_fd, POLLIN, deadline);
            if (error) {
                return error;
            }
        } else {
            return errno;
        }
    }
}

void
vhost_user_frontend_destroy(struct vhost_user_frontend *fe)
{
    if (fe) {
        vhost_user_reader_destroy(&fe->reader);
        close(fe->fd);
        free(fe->name);
        free(fe->error);
        free(fe);
    }
}

void
vhost_user_frontend_set_timeout(struct vhost_user_frontend *fe,
                                int timeout_ms)
{
    fe->timeout_ms = timeout_ms;
}

int
vhost_user_frontend_get_fd(const struct vhost_user_frontend *fe)
{
    return fe->fd;
}

const char *
vhost_user_frontend_get_error(const struct vhost_user_frontend *fe)
{
    return fe->error;
}

uint64_t
vhost_user_frontend_offered_features(const struct vhost_user_frontend *fe)
{
    return fe->offered_features;
}

uint64_t
vhost_user_frontend_acked_features(const struct vhost_user_frontend *fe)
{
    return fe->acked_features;
}

uint64_t
vhost_user_frontend_acked_protocol_features(
    const struct vhost_user_frontend *fe)
{
    return fe->protocol_features;
}

bool
vhost_user_frontend_has_protocol_feature(
    const struct vhost_user_frontend *fe, int bit)
{
    return (fe->protocol_features >> bit) & 1;
}

/* Sending and receiving. */

static int
vuf_send_bytes(struct vhost_user_frontend *fe, const void *bytes, size_t n,
               const int *fds, size_t n_fds, const char *what,
               long long int deadline)
{
    if (fe->broken) {
        return fe->broken;
    }
    for (;;) {
        int error = vhost_user_msg_send_raw(fe->fd, bytes, n, fds, n_fds);

        if (error == EAGAIN) {
            error = vuf_poll(fe->fd, POLLOUT, deadline);
            if (!error) {
                continue;
            }
        }
        if (error) {
            vuf_set_error(fe, "sending %s failed (%s)", what,
                          plx_strerror(error));
            if (error != EINVAL) {
                vuf_break(fe, error);
            }
        }
        return error;
    }
}

static int
vuf_send(struct vhost_user_frontend *fe, const struct vhost_user_msg *msg,
         long long int deadline)
{
    uint8_t buf[VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD];

    if (msg->n_fds > VHOST_USER_MAX_FDS
        || msg->size > VHOST_USER_MAX_PAYLOAD) {
        return EINVAL;
    }
    return vuf_send_bytes(fe, buf, vhost_user_msg_encode(msg, buf),
                          msg->fds, msg->n_fds,
                          vhost_user_request_name(msg->request), deadline);
}

/* Waits until DEADLINE for a message from the backend. */
static int
vuf_recv(struct vhost_user_frontend *fe, struct vhost_user_msg *reply,
         const char *what, long long int deadline)
{
    if (fe->broken) {
        return fe->broken;
    }
    for (;;) {
        char *err = NULL;
        int error = vhost_user_reader_recv(&fe->reader, fe->fd, true, reply,
                                           &err);
        if (!error) {
            return 0;
        } else if (error == EAGAIN) {
            error = vuf_poll(fe->fd, POLLIN, deadline);
            if (!error) {
                continue;
            }
            if (error == ETIMEDOUT) {
                vuf_set_error(fe, "no reply to %s within %d ms", what,
                              fe->timeout_ms);
            } else {
                vuf_set_error(fe, "waiting for the reply to %s failed (%s)",
                              what, plx_strerror(error));
            }
        } else if (error == EOF) {
            vuf_set_error(fe, "backend closed the connection (waiting for "
                          "the reply to %s)", what);
            error = ECONNRESET;
        } else if (err) {
            vuf_set_error(fe, "bad reply to %s: %s", what, err);
            free(err);
        } else {
            vuf_set_error(fe, "receiving the reply to %s failed (%s)", what,
                          plx_strerror(error));
        }
        return vuf_break(fe, error);
    }
}

/* Sends MSG and, if REPLY is nonnull, receives the reply to it. */
static int
vuf_transact(struct vhost_user_frontend *fe, const struct vhost_user_msg *msg,
             struct vhost_user_msg *reply)
{
    const char *what = vhost_user_request_name(msg->request);
    long long int deadline = vuf_deadline(fe);
    int error;

    error = vuf_send(fe, msg, deadline);
    if (error || !reply) {
        return error;
    }
    error = vuf_recv(fe, reply, what, deadline);
    if (error) {
        return error;
    }
    if (reply->request != msg->request) {
        vuf_set_error(fe, "backend answered %s with %s (%"PRIu32")", what,
                      vhost_user_request_name(reply->request),
                      reply->request);
        vhost_user_msg_close_fds(reply);
        return vuf_break(fe, EPROTO);
    }
    return 0;
}

static bool
vuf_reply_ack(const struct vhost_user_frontend *fe)
{
    return vhost_user_frontend_has_protocol_feature(
        fe, VHOST_USER_PROTOCOL_F_REPLY_ACK);
}

/* Checks the u64 status in REPLY, a reply to a set-type request. */
static int
vuf_check_status(struct vhost_user_frontend *fe,
                 const struct vhost_user_msg *reply)
{
    if (reply->u.u64) {
        vuf_set_error(fe, "backend refused %s (status %"PRIu64")",
                      vhost_user_request_name(reply->request),
                      reply->u.u64);
        return EREMOTEIO;
    }
    return 0;
}

/* Sends MSG, a request without a reply of its own: with NEED_REPLY and
 * a check of the ack once REPLY_ACK is negotiated. */
static int
vuf_set(struct vhost_user_frontend *fe, struct vhost_user_msg *msg)
{
    struct vhost_user_msg reply;
    int error;

    if (!vuf_reply_ack(fe)) {
        return vuf_transact(fe, msg, NULL);
    }
    msg->flags |= VHOST_USER_NEED_REPLY;
    error = vuf_transact(fe, msg, &reply);
    return error ? error : vuf_check_status(fe, &reply);
}

/* Sends REQUEST without payload and receives a u64 in *VALUEP. */
static int
vuf_get_u64(struct vhost_user_frontend *fe, uint32_t request,
            uint64_t *valuep)
{
    struct vhost_user_msg msg, reply;
    int error;

    vhost_user_msg_init(&msg, request, false);
    error = vuf_transact(fe, &msg, &reply);
    *valuep = error ? 0 : reply.u.u64;
    return error;
}

static int
vuf_set_u64(struct vhost_user_frontend *fe, uint32_t request, uint64_t value)
{
    struct vhost_user_msg msg;

    vhost_user_msg_init(&msg, request, false);
    vhost_user_msg_set_u64(&msg, value);
    return vuf_set(fe, &msg);
}

static int
vuf_set_none(struct vhost_user_frontend *fe, uint32_t request)
{
    struct vhost_user_msg msg;

    vhost_user_msg_init(&msg, request, false);
    return vuf_set(fe, &msg);
}

static int
vuf_set_state(struct vhost_user_frontend *fe, uint32_t request,
              uint32_t index, uint32_t num)
{
    struct vhost_user_msg msg;

    vhost_user_msg_init(&msg, request, false);
    vhost_user_msg_set_state(&msg, index, num);
    return vuf_set(fe, &msg);
}

/* Requests. */

int
vhost_user_frontend_get_features(struct vhost_user_frontend *fe,
                                 uint64_t *features)
{
    int error = vuf_get_u64(fe, VHOST_USER_GET_FEATURES, features);
    if (!error) {
        fe->offered_features = *features;
    }
    return error;
}

int
vhost_user_frontend_set_features(struct vhost_user_frontend *fe,
                                 uint64_t features)
{
    int error = vuf_set_u64(fe, VHOST_USER_SET_FEATURES, features);
    if (!error) {
        fe->acked_features = features;
    }
    return error;
}

int
vhost_user_frontend_get_protocol_features(struct vhost_user_frontend *fe,
                                          uint64_t *features)
{
    int error = vuf_get_u64(fe, VHOST_USER_GET_PROTOCOL_FEATURES, features);
    if (!error) {
        fe->offered_protocol = *features;
    }
    return error;
}

int
vhost_user_frontend_set_protocol_features(struct vhost_user_frontend *fe,
                                          uint64_t features)
{
    /* Sent under the old protocol features (so, the first time, without
     * NEED_REPLY); the new ones apply from the next request. */
    int error = vuf_set_u64(fe, VHOST_USER_SET_PROTOCOL_FEATURES, features);
    if (!error) {
        fe->protocol_features = features;
    }
    return error;
}

int
vhost_user_frontend_negotiate_protocol_features(
    struct vhost_user_frontend *fe, uint64_t wanted, uint64_t *negotiatedp)
{
    uint64_t offered, negotiated;
    int error;

    error = vhost_user_frontend_get_protocol_features(fe, &offered);
    if (!error) {
        wanted |= 1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK;
        negotiated = offered & wanted;
        error = vhost_user_frontend_set_protocol_features(fe, negotiated);
    }
    if (negotiatedp) {
        *negotiatedp = error ? 0 : negotiated;
    }
    return error;
}

int
vhost_user_frontend_set_owner(struct vhost_user_frontend *fe)
{
    return vuf_set_none(fe, VHOST_USER_SET_OWNER);
}

int
vhost_user_frontend_reset_owner(struct vhost_user_frontend *fe)
{
    return vuf_set_none(fe, VHOST_USER_RESET_OWNER);
}

int
vhost_user_frontend_reset_device(struct vhost_user_frontend *fe)
{
    return vuf_set_none(fe, VHOST_USER_RESET_DEVICE);
}

int
vhost_user_frontend_get_queue_num(struct vhost_user_frontend *fe,
                                  uint64_t *n_qp)
{
    return vuf_get_u64(fe, VHOST_USER_GET_QUEUE_NUM, n_qp);
}

int
vhost_user_frontend_set_mem_table(struct vhost_user_frontend *fe,
                                  const struct vhost_mem_region_desc *regions,
                                  const int *fds, size_t n)
{
    struct vhost_user_msg msg;

    if (!n || n > VHOST_MEM_MAX_REGIONS) {
        return EINVAL;
    }
    vhost_user_msg_init(&msg, VHOST_USER_SET_MEM_TABLE, false);
    vhost_user_msg_set_mem_table(&msg, regions, n);
    memcpy(msg.fds, fds, n * sizeof *fds);
    msg.n_fds = n;
    return vuf_set(fe, &msg);
}

int
vhost_user_frontend_set_log_base(struct vhost_user_frontend *fe, int fd,
                                 uint64_t mmap_size, uint64_t mmap_offset)
{
    struct vhost_user_msg msg, reply;
    int error;

    vhost_user_msg_init(&msg, VHOST_USER_SET_LOG_BASE, false);
    vhost_user_msg_set_log(&msg, mmap_size, mmap_offset);
    msg.fds[0] = fd;
    msg.n_fds = 1;
    if (!vhost_user_frontend_has_protocol_feature(
            fe, VHOST_USER_PROTOCOL_F_LOG_SHMFD)) {
        return vuf_set(fe, &msg);
    }
    /* With LOG_SHMFD the backend always answers, once, with a status. */
    error = vuf_transact(fe, &msg, &reply);
    return error ? error : vuf_check_status(fe, &reply);
}

int
vhost_user_frontend_set_vring_num(struct vhost_user_frontend *fe,
                                  uint32_t index, uint32_t num)
{
    return vuf_set_state(fe, VHOST_USER_SET_VRING_NUM, index, num);
}

int
vhost_user_frontend_set_vring_addr(struct vhost_user_frontend *fe,
                                   const struct vhost_vring_addr *addr)
{
    struct vhost_user_msg msg;

    vhost_user_msg_init(&msg, VHOST_USER_SET_VRING_ADDR, false);
    vhost_user_msg_set_addr(&msg, addr);
    return vuf_set(fe, &msg);
}

int
vhost_user_frontend_set_vring_base(struct vhost_user_frontend *fe,
                                   uint32_t index, uint32_t base)
{
    return vuf_set_state(fe, VHOST_USER_SET_VRING_BASE, index, base);
}

int
vhost_user_frontend_get_vring_base(struct vhost_user_frontend *fe,
                                   uint32_t index, uint32_t *basep)
{
    struct vhost_user_msg msg, reply;
    int error;

    *basep = 0;
    vhost_user_msg_init(&msg, VHOST_USER_GET_VRING_BASE, false);
    vhost_user_msg_set_state(&msg, index, 0);
    error = vuf_transact(fe, &msg, &reply);
    if (error) {
        return error;
    }
    if (reply.u.state.index != index) {
        vuf_set_error(fe, "GET_VRING_BASE for ring %"PRIu32" answered for "
                      "ring %"PRIu32, index, reply.u.state.index);
        return vuf_break(fe, EPROTO);
    }
    *basep = reply.u.state.num;
    return 0;
}

static int
vuf_set_vring_fd(struct vhost_user_frontend *fe, uint32_t request,
                 uint32_t index, int fd)
{
    struct vhost_user_msg msg;

    if (index > VHOST_USER_VRING_IDX_MASK) {
        return EINVAL;
    }
    vhost_user_msg_init(&msg, request, false);
    if (fd >= 0) {
        vhost_user_msg_set_u64(&msg, index);
        msg.fds[0] = fd;
        msg.n_fds = 1;
    } else {
        vhost_user_msg_set_u64(&msg, index | VHOST_USER_VRING_NOFD);
    }
    return vuf_set(fe, &msg);
}

int
vhost_user_frontend_set_vring_kick(struct vhost_user_frontend *fe,
                                   uint32_t index, int fd)
{
    return vuf_set_vring_fd(fe, VHOST_USER_SET_VRING_KICK, index, fd);
}

int
vhost_user_frontend_set_vring_call(struct vhost_user_frontend *fe,
                                   uint32_t index, int fd)
{
    return vuf_set_vring_fd(fe, VHOST_USER_SET_VRING_CALL, index, fd);
}

int
vhost_user_frontend_set_vring_err(struct vhost_user_frontend *fe,
                                  uint32_t index, int fd)
{
    return vuf_set_vring_fd(fe, VHOST_USER_SET_VRING_ERR, index, fd);
}

int
vhost_user_frontend_set_vring_enable(struct vhost_user_frontend *fe,
                                     uint32_t index, bool enable)
{
    return vuf_set_state(fe, VHOST_USER_SET_VRING_ENABLE, index, enable);
}

int
vhost_user_frontend_net_set_mtu(struct vhost_user_frontend *fe,
                                uint64_t mtu)
{
    return vuf_set_u64(fe, VHOST_USER_NET_SET_MTU, mtu);
}

int
vhost_user_frontend_send_rarp(struct vhost_user_frontend *fe,
                              const uint8_t mac[6])
{
    uint64_t value = 0;

    /* The MAC is the first 6 bytes of the u64, which is little-endian. */
    for (int i = 0; i < 6; i++) {
        value |= (uint64_t) mac[i] << (8 * i);
    }
    return vuf_set_u64(fe, VHOST_USER_SEND_RARP, value);
}

/* A backend that did not agree to CONFIG would leave GET_CONFIG
 * unanswered, so neither is sent without it (as in QEMU). */
static bool
vuf_has_config(struct vhost_user_frontend *fe)
{
    if (!vhost_user_frontend_has_protocol_feature(
            fe, VHOST_USER_PROTOCOL_F_CONFIG)) {
        vuf_set_error(fe, "the CONFIG protocol feature was not negotiated");
        return false;
    }
    return true;
}

int
vhost_user_frontend_get_config(struct vhost_user_frontend *fe,
                               uint32_t offset, uint32_t size,
                               uint32_t flags, uint8_t *data)
{
    struct vhost_user_msg msg, reply;
    int error;

    if (size > VHOST_USER_CONFIG_MAX) {
        return EINVAL;
    }
    if (!vuf_has_config(fe)) {
        return EOPNOTSUPP;
    }
    vhost_user_msg_init(&msg, VHOST_USER_GET_CONFIG, false);
    vhost_user_msg_set_config(&msg, offset, size, flags, NULL);
    error = vuf_transact(fe, &msg, &reply);
    if (error) {
        return error;
    }
    if (reply.u.config.size != size) {
        vuf_set_error(fe, "GET_CONFIG of %"PRIu32" bytes answered with %"
                      PRIu32, size, reply.u.config.size);
        return vuf_break(fe, EPROTO);
    }
    memcpy(data, reply.u.config.region, size);
    return 0;
}

int
vhost_user_frontend_set_config(struct vhost_user_frontend *fe,
                               uint32_t offset, uint32_t size,
                               uint32_t flags, const uint8_t *data)
{
    struct vhost_user_msg msg;

    if (size > VHOST_USER_CONFIG_MAX) {
        return EINVAL;
    }
    if (!vuf_has_config(fe)) {
        return EOPNOTSUPP;
    }
    vhost_user_msg_init(&msg, VHOST_USER_SET_CONFIG, false);
    vhost_user_msg_set_config(&msg, offset, size, flags, data);
    return vuf_set(fe, &msg);
}

/* For tests. */

int
vhost_user_frontend_transact(struct vhost_user_frontend *fe,
                             const struct vhost_user_msg *msg,
                             struct vhost_user_msg *reply)
{
    return vuf_transact(fe, msg, reply);
}

int
vhost_user_frontend_send_raw(struct vhost_user_frontend *fe,
                             const void *bytes, size_t n, const int *fds,
                             size_t n_fds)
{
    return vuf_send_bytes(fe, bytes, n, fds, n_fds, "raw message",
                          vuf_deadline(fe));
}

int
vhost_user_frontend_recv(struct vhost_user_frontend *fe,
                         struct vhost_user_msg *reply)
{
    return vuf_recv(fe, reply, "a message", vuf_deadline(fe));
}

/* Starting a virtio-net device. */

int
vhost_user_frontend_setup_net(struct vhost_user_frontend *fe,
                              const struct vhost_user_net_setup *s)
{
    const uint64_t proto_bit = 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;
    uint64_t offered, features;
    int n_rings;
    int error;

    if (s->n_qp < 1 || s->n_qp > (VHOST_USER_VRING_IDX_MASK + 1) / 2
        || !s->rings || !s->n_regions
        || s->n_regions > VHOST_MEM_MAX_REGIONS) {
        return EINVAL;
    }
    n_rings = 2 * s->n_qp;

    /* 1-2. Features and protocol features. */
    error = vhost_user_frontend_get_features(fe, &offered);
    if (error) {
        return error;
    }
    if (s->required_features & ~offered) {
        vuf_set_error(fe, "backend lacks required features %#"PRIx64,
                      s->required_features & ~offered);
        return EOPNOTSUPP;
    }
    if (offered & proto_bit) {
        error = vhost_user_frontend_negotiate_protocol_features(
            fe, s->protocol_features, NULL);
        if (error) {
            return error;
        }
    }

    /* 3. Queue pairs. */
    if (s->n_qp > 1) {
        uint64_t max_qp;

        if (!vhost_user_frontend_has_protocol_feature(
                fe, VHOST_USER_PROTOCOL_F_MQ)) {
            vuf_set_error(fe, "%d queue pairs need the MQ protocol "
                          "feature", s->n_qp);
            return EOPNOTSUPP;
        }
        error = vhost_user_frontend_get_queue_num(fe, &max_qp);
        if (error) {
            return error;
        }
        if (max_qp < (uint64_t) s->n_qp) {
            vuf_set_error(fe, "backend supports %"PRIu64" queue pairs, not "
                          "%d", max_qp, s->n_qp);
            return EOPNOTSUPP;
        }
    }

    /* 4-6. Owner, features, MTU. */
    error = vhost_user_frontend_set_owner(fe);
    if (error) {
        return error;
    }
    features = (s->features & offered) | (offered & proto_bit);
    error = vhost_user_frontend_set_features(fe, features);
    if (error) {
        return error;
    }
    if (s->mtu && vhost_user_frontend_has_protocol_feature(
            fe, VHOST_USER_PROTOCOL_F_MTU)) {
        error = vhost_user_frontend_net_set_mtu(fe, s->mtu);
        if (error) {
            return error;
        }
    }

    /* 7. Memory. */
    error = vhost_user_frontend_set_mem_table(fe, s->regions, s->region_fds,
                                              s->n_regions);
    if (error) {
        return error;
    }

    /* 8. Rings. */
    for (int i = 0; i < n_rings && !error; i++) {
        const struct vhost_user_net_ring *r = &s->rings[i];
        struct vhost_vring_addr addr = {
            .index = i,
            .desc_user_addr = r->desc_user_addr,
            .used_user_addr = r->used_user_addr,
            .avail_user_addr = r->avail_user_addr,
        };

        error = vhost_user_frontend_set_vring_num(fe, i, r->num);
        if (!error) {
            error = vhost_user_frontend_set_vring_base(fe, i, r->base);
        }
        if (!error) {
            error = vhost_user_frontend_set_vring_addr(fe, &addr);
        }
        if (!error) {
            error = vhost_user_frontend_set_vring_kick(fe, i, r->kick_fd);
        }
        if (!error) {
            error = vhost_user_frontend_set_vring_call(fe, i, r->call_fd);
        }
    }

    /* 9. Enabling. */
    for (int i = 0; i < n_rings && !error && (features & proto_bit); i++) {
        error = vhost_user_frontend_set_vring_enable(fe, i, true);
    }
    return error;
}
