/* vhost-user-msg: see vhost-user-msg.h. */
#include <config.h>
#include "vhost-user-msg.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util.h"

/* How a payload is laid out on the wire. */
enum vu_payload {
    VU_P_NONE,                  /* No payload at all. */
    VU_P_U64,                   /* One little-endian u64. */
    VU_P_STATE,                 /* struct vhost_vring_state: 8 bytes. */
    VU_P_ADDR,                  /* struct vhost_vring_addr: 40 bytes. */
    VU_P_MEM,                   /* u32 count, u32 padding, regions. */
    VU_P_LOG,                   /* struct vhost_user_log: 16 bytes. */
    VU_P_CONFIG,                /* 3 x u32 header, then 'size' bytes. */
    VU_P_RAW,                   /* Opaque bytes, any size. */
};

/* Which fds a request carries. */
enum vu_fds {
    VU_FDS_NONE,                /* None: an fd is an error. */
    VU_FDS_ONE,                 /* Exactly one. */
    VU_FDS_PER_REGION,          /* One per memory region. */
    VU_FDS_VRING,               /* One unless VHOST_USER_VRING_NOFD. */
};

struct vu_request_info {
    const char *name;
    enum vu_payload payload;    /* In the request. */
    enum vu_fds fds;            /* With the request. */
};

#define VU_REQ(NAME, PAYLOAD, FDS) \
    [VHOST_USER_##NAME] = { #NAME, VU_P_##PAYLOAD, VU_FDS_##FDS }

static const struct vu_request_info vu_requests[] = {
    VU_REQ(GET_FEATURES, NONE, NONE),
    VU_REQ(SET_FEATURES, U64, NONE),
    VU_REQ(SET_OWNER, NONE, NONE),
    VU_REQ(RESET_OWNER, NONE, NONE),
    VU_REQ(SET_MEM_TABLE, MEM, PER_REGION),
    VU_REQ(SET_LOG_BASE, LOG, ONE),
    VU_REQ(SET_LOG_FD, NONE, ONE),
    VU_REQ(SET_VRING_NUM, STATE, NONE),
    VU_REQ(SET_VRING_ADDR, ADDR, NONE),
    VU_REQ(SET_VRING_BASE, STATE, NONE),
    VU_REQ(GET_VRING_BASE, STATE, NONE),
    VU_REQ(SET_VRING_KICK, U64, VRING),
    VU_REQ(SET_VRING_CALL, U64, VRING),
    VU_REQ(SET_VRING_ERR, U64, VRING),
    VU_REQ(GET_PROTOCOL_FEATURES, NONE, NONE),
    VU_REQ(SET_PROTOCOL_FEATURES, U64, NONE),
    VU_REQ(GET_QUEUE_NUM, NONE, NONE),
    VU_REQ(SET_VRING_ENABLE, STATE, NONE),
    VU_REQ(SEND_RARP, U64, NONE),
    VU_REQ(NET_SET_MTU, U64, NONE),
    VU_REQ(SET_BACKEND_REQ_FD, NONE, ONE),
    /* Its layout (struct vhost_iotlb_msg) matters only to a backend that
     * offers IOTLB, which Plexus does not: kept opaque. */
    VU_REQ(IOTLB_MSG, RAW, NONE),
    VU_REQ(SET_VRING_ENDIAN, STATE, NONE),
    VU_REQ(GET_CONFIG, CONFIG, NONE),
    VU_REQ(SET_CONFIG, CONFIG, NONE),
    VU_REQ(RESET_DEVICE, NONE, NONE),
    VU_REQ(GET_MAX_MEM_SLOTS, NONE, NONE),
    VU_REQ(SET_STATUS, U64, NONE),
    VU_REQ(GET_STATUS, NONE, NONE),
};

#define VU_MEM_HDR_SIZE 8
#define VU_MEM_REGION_SIZE 32
#define VU_CONFIG_HDR_SIZE 12

static const struct vu_request_info *
vu_request_info(uint32_t request)
{
    return (request < ARRAY_SIZE(vu_requests) && vu_requests[request].name
            ? &vu_requests[request] : NULL);
}

const char *
vhost_user_request_name(uint32_t request)
{
    const struct vu_request_info *info = vu_request_info(request);
    return info ? info->name : "UNKNOWN";
}

/* The payload layout of REQUEST, or of the reply to it if REPLY.  A
 * reply is a u64 (the value asked for, or REPLY_ACK's status) except
 * for the two requests that answer with a structure. */
static enum vu_payload
vu_payload_kind(uint32_t request, bool reply)
{
    const struct vu_request_info *info = vu_request_info(request);

    if (!info) {
        return VU_P_RAW;
    } else if (!reply) {
        return info->payload;
    } else if (request == VHOST_USER_GET_VRING_BASE) {
        return VU_P_STATE;
    } else if (request == VHOST_USER_GET_CONFIG) {
        return VU_P_CONFIG;
    } else {
        return VU_P_U64;
    }
}

/* Little-endian access, byte by byte: the wire format does not depend on
 * the host's byte order or alignment. */
static uint32_t
vu_get32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8
           | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
vu_get64(const uint8_t *p)
{
    return (uint64_t) vu_get32(p) | (uint64_t) vu_get32(p + 4) << 32;
}

static void
vu_put32(uint8_t *p, uint32_t x)
{
    p[0] = x;
    p[1] = x >> 8;
    p[2] = x >> 16;
    p[3] = x >> 24;
}

static void
vu_put64(uint8_t *p, uint64_t x)
{
    vu_put32(p, x);
    vu_put32(p + 4, x >> 32);
}

static void
vu_close_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
}

/* Setting up messages. */

void
vhost_user_msg_init(struct vhost_user_msg *msg, uint32_t request,
                    bool reply)
{
    msg->request = request;
    msg->flags = VHOST_USER_VERSION | (reply ? VHOST_USER_REPLY : 0);
    msg->size = 0;
    memset(&msg->u, 0, sizeof msg->u);
    for (size_t i = 0; i < VHOST_USER_MAX_FDS; i++) {
        msg->fds[i] = -1;
    }
    msg->n_fds = 0;
}

void
vhost_user_msg_set_u64(struct vhost_user_msg *msg, uint64_t value)
{
    msg->u.u64 = value;
    msg->size = 8;
}

void
vhost_user_msg_set_state(struct vhost_user_msg *msg, uint32_t index,
                         uint32_t num)
{
    msg->u.state.index = index;
    msg->u.state.num = num;
    msg->size = 8;
}

void
vhost_user_msg_set_addr(struct vhost_user_msg *msg,
                        const struct vhost_vring_addr *addr)
{
    msg->u.addr = *addr;
    msg->size = 40;
}

void
vhost_user_msg_set_mem_table(struct vhost_user_msg *msg,
                             const struct vhost_mem_region_desc *regions,
                             size_t n)
{
    plx_assert(n <= VHOST_MEM_MAX_REGIONS);
    msg->u.mem.n_regions = n;
    memcpy(msg->u.mem.regions, regions, n * sizeof *regions);
    msg->size = VU_MEM_HDR_SIZE + n * VU_MEM_REGION_SIZE;
}

void
vhost_user_msg_set_log(struct vhost_user_msg *msg, uint64_t mmap_size,
                       uint64_t mmap_offset)
{
    msg->u.log.mmap_size = mmap_size;
    msg->u.log.mmap_offset = mmap_offset;
    msg->size = 16;
}

void
vhost_user_msg_set_config(struct vhost_user_msg *msg, uint32_t offset,
                          uint32_t size, uint32_t flags, const void *data)
{
    plx_assert(size <= VHOST_USER_CONFIG_MAX);
    msg->u.config.offset = offset;
    msg->u.config.size = size;
    msg->u.config.flags = flags;
    memset(msg->u.config.region, 0, sizeof msg->u.config.region);
    if (data) {
        memcpy(msg->u.config.region, data, size);
    }
    msg->size = VU_CONFIG_HDR_SIZE + size;
}

void
vhost_user_msg_close_fds(struct vhost_user_msg *msg)
{
    vu_close_fds(msg->fds, msg->n_fds);
    msg->n_fds = 0;
}

/* Decoding. */

/* Checks that SIZE is the fixed size EXPECTED; returns NULL or an error
 * message. */
static char *
vu_check_size(const char *what, uint32_t size, uint32_t expected)
{
    return (size == expected ? NULL
            : xasprintf("%s: payload of %"PRIu32" bytes (expected %"
                        PRIu32")", what, size, expected));
}

/* Decodes the SIZE payload bytes at P of the given KIND into MSG->u.
 * Returns NULL or an error message. */
static char *
vu_decode_payload(enum vu_payload kind, const char *what, const uint8_t *p,
                  uint32_t size, struct vhost_user_msg *msg)
{
    char *error;

    switch (kind) {
    case VU_P_NONE:
        return vu_check_size(what, size, 0);

    case VU_P_U64:
        error = vu_check_size(what, size, 8);
        if (!error) {
            msg->u.u64 = vu_get64(p);
        }
        return error;

    case VU_P_STATE:
        error = vu_check_size(what, size, 8);
        if (!error) {
            msg->u.state.index = vu_get32(p);
            msg->u.state.num = vu_get32(p + 4);
        }
        return error;

    case VU_P_ADDR:
        error = vu_check_size(what, size, 40);
        if (!error) {
            struct vhost_vring_addr *a = &msg->u.addr;
            a->index = vu_get32(p);
            a->flags = vu_get32(p + 4);
            a->desc_user_addr = vu_get64(p + 8);
            a->used_user_addr = vu_get64(p + 16);
            a->avail_user_addr = vu_get64(p + 24);
            a->log_guest_addr = vu_get64(p + 32);
        }
        return error;

    case VU_P_LOG:
        error = vu_check_size(what, size, 16);
        if (!error) {
            msg->u.log.mmap_size = vu_get64(p);
            msg->u.log.mmap_offset = vu_get64(p + 8);
        }
        return error;

    case VU_P_MEM: {
        uint32_t n;

        if (size < VU_MEM_HDR_SIZE) {
            return xasprintf("%s: payload of %"PRIu32" bytes is too short "
                             "for a region count", what, size);
        }
        n = vu_get32(p);
        if (n < 1 || n > VHOST_MEM_MAX_REGIONS) {
            return xasprintf("%s: %"PRIu32" regions (must be 1 to %d)",
                             what, n, VHOST_MEM_MAX_REGIONS);
        }
        error = vu_check_size(what, size,
                              VU_MEM_HDR_SIZE + n * VU_MEM_REGION_SIZE);
        if (error) {
            return error;
        }
        msg->u.mem.n_regions = n;
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *r = p + VU_MEM_HDR_SIZE + i * VU_MEM_REGION_SIZE;
            struct vhost_mem_region_desc *d = &msg->u.mem.regions[i];

            d->guest_phys_addr = vu_get64(r);
            d->memory_size = vu_get64(r + 8);
            d->userspace_addr = vu_get64(r + 16);
            d->mmap_offset = vu_get64(r + 24);
        }
        return NULL;
    }

    case VU_P_CONFIG: {
        uint32_t csize;

        if (size < VU_CONFIG_HDR_SIZE) {
            return xasprintf("%s: payload of %"PRIu32" bytes is too short "
                             "for a config header", what, size);
        }
        csize = vu_get32(p + 4);
        if (csize > VHOST_USER_CONFIG_MAX) {
            return xasprintf("%s: config size %"PRIu32" exceeds %d", what,
                             csize, VHOST_USER_CONFIG_MAX);
        }
        error = vu_check_size(what, size, VU_CONFIG_HDR_SIZE + csize);
        if (error) {
            return error;
        }
        msg->u.config.offset = vu_get32(p);
        msg->u.config.size = csize;
        msg->u.config.flags = vu_get32(p + 8);
        memcpy(msg->u.config.region, p + VU_CONFIG_HDR_SIZE, csize);
        return NULL;
    }

    case VU_P_RAW:
        memcpy(msg->u.raw, p, size);
        return NULL;
    }
    PLX_NOT_REACHED();
}

/* Checks that N_FDS fds are what MSG (a decoded request) takes.  Returns
 * NULL or an error message. */
static char *
vu_check_fds(enum vu_fds rule, const char *what,
             const struct vhost_user_msg *msg, size_t n_fds)
{
    size_t expected;

    switch (rule) {
    case VU_FDS_NONE:
        expected = 0;
        break;
    case VU_FDS_ONE:
        expected = 1;
        break;
    case VU_FDS_PER_REGION:
        expected = msg->u.mem.n_regions;
        break;
    case VU_FDS_VRING:
        expected = msg->u.u64 & VHOST_USER_VRING_NOFD ? 0 : 1;
        break;
    default:
        PLX_NOT_REACHED();
    }
    return (n_fds == expected ? NULL
            : xasprintf("%s: %zu fds (expected %zu)", what, n_fds,
                        expected));
}

static int
vu_fail(char **errp, char *error)
{
    if (errp) {
        *errp = error;
    } else {
        free(error);
    }
    return EPROTO;
}

int
vhost_user_msg_decode(const uint8_t *buf, size_t len, int *fds,
                      size_t n_fds, bool is_reply,
                      struct vhost_user_msg *msg, char **errp)
{
    const struct vu_request_info *info;
    uint32_t request, flags, size;
    char *error = NULL;
    const char *what;

    vhost_user_msg_init(msg, VHOST_USER_NONE, false);
    if (len < VHOST_USER_HDR_SIZE) {
        error = xasprintf("message of %zu bytes is shorter than the "
                          "%d-byte header", len, VHOST_USER_HDR_SIZE);
        goto fail;
    }
    request = vu_get32(buf);
    flags = vu_get32(buf + 4);
    size = vu_get32(buf + 8);
    info = vu_request_info(request);
    what = info ? info->name : "unknown request";

    if ((flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
        error = xasprintf("%s: protocol version %"PRIu32" (expected %d)",
                          what, flags & VHOST_USER_VERSION_MASK,
                          VHOST_USER_VERSION);
    } else if (!(flags & VHOST_USER_REPLY) != !is_reply) {
        error = xasprintf(is_reply
                          ? "%s: request where a reply was expected"
                          : "%s: reply where a request was expected", what);
    } else if (size > VHOST_USER_MAX_PAYLOAD) {
        error = xasprintf("%s: payload of %"PRIu32" bytes exceeds %d",
                          what, size, VHOST_USER_MAX_PAYLOAD);
    } else if (len != VHOST_USER_HDR_SIZE + (size_t) size) {
        error = xasprintf("%s: header says %"PRIu32" payload bytes but %zu "
                          "arrived", what, size, len - VHOST_USER_HDR_SIZE);
    } else if (n_fds > VHOST_USER_MAX_FDS) {
        error = xasprintf("%s: %zu fds (at most %d)", what, n_fds,
                          VHOST_USER_MAX_FDS);
    }
    if (error) {
        goto fail;
    }

    msg->request = request;
    msg->flags = flags;
    msg->size = size;
    if (is_reply && request == VHOST_USER_SET_LOG_BASE && !size) {
        /* DPDK answers SET_LOG_BASE with an empty reply; QEMU accepts it
         * and so do we (status 0). */
        error = NULL;
    } else {
        error = vu_decode_payload(vu_payload_kind(request, is_reply), what,
                                  buf + VHOST_USER_HDR_SIZE, size, msg);
    }
    if (error) {
        goto fail;
    }

    if (!info) {
        /* Unknown: the fds mean nothing to us; drop them, keep the
         * message for the receiver to refuse. */
        vu_close_fds(fds, n_fds);
        return 0;
    }
    error = vu_check_fds(is_reply ? VU_FDS_NONE : info->fds, what, msg,
                         n_fds);
    if (error) {
        goto fail;
    }
    for (size_t i = 0; i < n_fds; i++) {
        msg->fds[i] = fds[i];
        fds[i] = -1;
    }
    msg->n_fds = n_fds;
    return 0;

fail:
    vu_close_fds(fds, n_fds);
    vhost_user_msg_init(msg, VHOST_USER_NONE, false);
    return vu_fail(errp, error);
}

/* Encoding. */

size_t
vhost_user_msg_encode(const struct vhost_user_msg *msg, uint8_t *buf)
{
    uint8_t *p = buf + VHOST_USER_HDR_SIZE;
    bool reply = msg->flags & VHOST_USER_REPLY;

    plx_assert(msg->size <= VHOST_USER_MAX_PAYLOAD);
    vu_put32(buf, msg->request);
    vu_put32(buf + 4, msg->flags);
    vu_put32(buf + 8, msg->size);

    /* The typed payload is written in full (it always fits in the
     * buffer) and then 'size' bytes of it are sent: a size that differs
     * from the layout's, which only a test would set, truncates it or
     * pads it with zeros. */
    memset(p, 0, msg->size);
    switch (vu_payload_kind(msg->request, reply)) {
    case VU_P_NONE:
        break;

    case VU_P_U64:
        vu_put64(p, msg->u.u64);
        break;

    case VU_P_STATE:
        vu_put32(p, msg->u.state.index);
        vu_put32(p + 4, msg->u.state.num);
        break;

    case VU_P_ADDR: {
        const struct vhost_vring_addr *a = &msg->u.addr;
        vu_put32(p, a->index);
        vu_put32(p + 4, a->flags);
        vu_put64(p + 8, a->desc_user_addr);
        vu_put64(p + 16, a->used_user_addr);
        vu_put64(p + 24, a->avail_user_addr);
        vu_put64(p + 32, a->log_guest_addr);
        break;
    }

    case VU_P_LOG:
        vu_put64(p, msg->u.log.mmap_size);
        vu_put64(p + 8, msg->u.log.mmap_offset);
        break;

    case VU_P_MEM: {
        size_t n = MIN(msg->u.mem.n_regions, VHOST_MEM_MAX_REGIONS);

        vu_put32(p, msg->u.mem.n_regions);
        vu_put32(p + 4, 0);
        for (size_t i = 0; i < n; i++) {
            const struct vhost_mem_region_desc *d = &msg->u.mem.regions[i];
            uint8_t *r = p + VU_MEM_HDR_SIZE + i * VU_MEM_REGION_SIZE;

            vu_put64(r, d->guest_phys_addr);
            vu_put64(r + 8, d->memory_size);
            vu_put64(r + 16, d->userspace_addr);
            vu_put64(r + 24, d->mmap_offset);
        }
        break;
    }

    case VU_P_CONFIG: {
        size_t n = MIN(msg->u.config.size, VHOST_USER_CONFIG_MAX);

        vu_put32(p, msg->u.config.offset);
        vu_put32(p + 4, msg->u.config.size);
        vu_put32(p + 8, msg->u.config.flags);
        memcpy(p + VU_CONFIG_HDR_SIZE, msg->u.config.region, n);
        break;
    }

    case VU_P_RAW:
        memcpy(p, msg->u.raw, msg->size);
        break;
    }
    return VHOST_USER_HDR_SIZE + msg->size;
}

/* Sending. */

int
vhost_user_msg_send_raw(int fd, const void *bytes, size_t n,
                        const int *fds, size_t n_fds)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_SEND_MAX_FDS)];
    } cmsg_buf;
    struct iovec iov = { .iov_base = (void *) bytes, .iov_len = n };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t retval;

    if (!n || n_fds > VHOST_USER_SEND_MAX_FDS) {
        return EINVAL;
    }
    if (n_fds) {
        struct cmsghdr *cmsg;

        memset(&cmsg_buf, 0, sizeof cmsg_buf);
        mh.msg_control = cmsg_buf.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
        cmsg = CMSG_FIRSTHDR(&mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n_fds);
    }
    do {
        retval = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        return errno;
    }
    return (size_t) retval == n ? 0 : EIO;
}

int
vhost_user_msg_send(int fd, const struct vhost_user_msg *msg)
{
    uint8_t buf[VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD];
    size_t len;

    if (msg->n_fds > VHOST_USER_MAX_FDS
        || msg->size > VHOST_USER_MAX_PAYLOAD) {
        return EINVAL;
    }
    len = vhost_user_msg_encode(msg, buf);
    return vhost_user_msg_send_raw(fd, buf, len, msg->fds, msg->n_fds);
}

/* Receiving. */

void
vhost_user_reader_init(struct vhost_user_reader *r)
{
    r->len = 0;
    for (size_t i = 0; i < VHOST_USER_MAX_FDS; i++) {
        r->fds[i] = -1;
    }
    r->n_fds = 0;
}

/* Forgets the partial message and closes its fds. */
static void
vu_reader_discard(struct vhost_user_reader *r)
{
    vu_close_fds(r->fds, r->n_fds);
    r->n_fds = 0;
    r->len = 0;
}

void
vhost_user_reader_destroy(struct vhost_user_reader *r)
{
    vu_reader_discard(r);
}

/* Adds the fds that came with MH to R.  Every fd received is either kept
 * in R or closed here.  Returns NULL or an error message. */
static char *
vu_reader_take_fds(struct vhost_user_reader *r, struct msghdr *mh)
{
    bool too_many = false;

    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(mh); cmsg;
         cmsg = CMSG_NXTHDR(mh, cmsg)) {
        const uint8_t *data;
        size_t n;

        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
            || cmsg->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        data = CMSG_DATA(cmsg);
        n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;

            memcpy(&fd, data + i * sizeof fd, sizeof fd);
            if (r->n_fds < VHOST_USER_MAX_FDS) {
                r->fds[r->n_fds++] = fd;
            } else {
                close(fd);
                too_many = true;
            }
        }
    }
    if (too_many || mh->msg_flags & MSG_CTRUNC) {
        vu_close_fds(r->fds, r->n_fds);
        r->n_fds = 0;
        return xasprintf("more than %d fds with one message",
                         VHOST_USER_MAX_FDS);
    }
    return NULL;
}

int
vhost_user_reader_recv(struct vhost_user_reader *r, int fd, bool is_reply,
                       struct vhost_user_msg *msg, char **errp)
{
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
        } cmsg_buf;
        size_t need = VHOST_USER_HDR_SIZE;
        struct iovec iov;
        struct msghdr mh;
        ssize_t n;
        char *error;

        if (r->len >= VHOST_USER_HDR_SIZE) {
            uint32_t size = vu_get32(r->buf + 8);

            if (size > VHOST_USER_MAX_PAYLOAD) {
                /* Refused before reading the payload: we have no room for
                 * it and could never find the next message anyway. */
                error = xasprintf("%s: payload of %"PRIu32" bytes exceeds "
                                  "%d",
                                  vhost_user_request_name(vu_get32(r->buf)),
                                  size, VHOST_USER_MAX_PAYLOAD);
                vu_reader_discard(r);
                return vu_fail(errp, error);
            }
            need += size;
            if (r->len == need) {
                int retval = vhost_user_msg_decode(r->buf, r->len, r->fds,
                                                   r->n_fds, is_reply, msg,
                                                   errp);
                /* Decoding took the fds (or closed them). */
                r->n_fds = 0;
                r->len = 0;
                return retval;
            }
        }

        /* Read no further than the end of this message, so that the fds
         * of the next one stay in the socket for the next call. */
        iov.iov_base = r->buf + r->len;
        iov.iov_len = need - r->len;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cmsg_buf.buf;
        mh.msg_controllen = sizeof cmsg_buf.buf;
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        error = vu_reader_take_fds(r, &mh);
        if (error) {
            vu_reader_discard(r);
            return vu_fail(errp, error);
        }
        if (n == 0) {
            /* The peer closed, perhaps in the middle of a message: either
             * way there is nothing more to read. */
            vu_reader_discard(r);
            return EOF;
        }
        r->len += n;
    }
}
