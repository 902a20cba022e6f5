/* vhost-user backend: one frontend's virtio-net device (vhost-user.h). */
#include <config.h>
#include "vhost-user.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "packets.h"
#include "poll-loop.h"
#include "rcu.h"
#include "socket-util.h"
#include "util.h"
#include "vhost-mem.h"
#include "vhost-user-msg.h"
#include "virtqueue.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vhost_user);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define VU_N_VRINGS (2 * VHOST_USER_MAX_QP)

/* What the backend offers.  Checksum and segmentation offloads from the
 * guest are finished in software by the engine; the control queue is
 * the frontend's own business (QEMU and DPDK handle it themselves). */
#define VU_FEATURES                                                     \
    ((1ULL << VIRTIO_F_VERSION_1)                                       \
     | (1ULL << VIRTIO_F_RING_PACKED)                                   \
     | (1ULL << VIRTIO_RING_F_INDIRECT_DESC)                            \
     | (1ULL << VIRTIO_RING_F_EVENT_IDX)                                \
     | (1ULL << VIRTIO_NET_F_MRG_RXBUF)                                 \
     | (1ULL << VIRTIO_NET_F_CSUM)                                      \
     | (1ULL << VIRTIO_NET_F_GUEST_CSUM)                                \
     | (1ULL << VIRTIO_NET_F_HOST_TSO4)                                 \
     | (1ULL << VIRTIO_NET_F_HOST_TSO6)                                 \
     | (1ULL << VIRTIO_NET_F_HOST_UFO)                                  \
     | (1ULL << VIRTIO_NET_F_MQ)                                        \
     | (1ULL << VIRTIO_NET_F_CTRL_VQ)                                   \
     | (1ULL << VIRTIO_NET_F_MTU)                                       \
     | (1ULL << VIRTIO_NET_F_STATUS)                                    \
     | (1ULL << VIRTIO_NET_F_GUEST_ANNOUNCE)                            \
     | (1ULL << VHOST_F_LOG_ALL)                                        \
     | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))

#define VU_PROTOCOL_FEATURES                                            \
    ((1ULL << VHOST_USER_PROTOCOL_F_MQ)                                 \
     | (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD)                        \
     | (1ULL << VHOST_USER_PROTOCOL_F_RARP)                             \
     | (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)                        \
     | (1ULL << VHOST_USER_PROTOCOL_F_MTU)                              \
     | (1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE))

struct vu_vring {
    pthread_mutex_t mutex;      /* Datapath batch vs. main thread. */

    /* Configuration from the frontend (main thread only). */
    uint32_t num;               /* 0: not set. */
    struct vhost_vring_addr addr;
    bool addr_set;
    uint32_t base;
    int kickfd;                 /* -1: none (polled, or not set). */
    bool kick_set;              /* SET_VRING_KICK seen since the stop. */
    int callfd;
    int errfd;
    bool enabled;

    /* Under 'mutex'. */
    bool started;
    bool err_signalled;
    struct vhost_vq vq;

    /* Lock-free hint for the datapath: started && enabled. */
    bool ready;                 /* Atomic. */
    int kickfd_dp;              /* Atomic copy of 'kickfd' for waits. */
};

struct vhost_user_dev {
    char *name;
    int fd;
    struct vhost_user_reader reader;

    uint64_t features;
    bool features_set;
    uint64_t protocol_features;
    bool owner;
    int mtu;

    struct vhost_mem *mem;
    struct vhost_log *log;
    bool logging;               /* VHOST_F_LOG_ALL negotiated. */

    char *last_error;
    uint64_t n_errors;
    uint64_t n_msgs;

    uint64_t seq;               /* Atomic. */
    uint32_t rx_ready_mask;     /* Atomic: bit N = rx ring of pair N. */
    struct dp_packet *rarp;     /* Atomic exchange. */

    struct vu_vring vrings[VU_N_VRINGS];
};

static void vu_vring_stop(struct vhost_user_dev *, int idx);
static void vu_update_ready(struct vhost_user_dev *, int idx);

struct vhost_user_dev *
vhost_user_dev_create(int fd, const char *name)
{
    struct vhost_user_dev *dev = xzalloc(sizeof *dev);

    dev->name = xstrdup(name);
    dev->fd = fd;
    vhost_user_reader_init(&dev->reader);
    for (int i = 0; i < VU_N_VRINGS; i++) {
        struct vu_vring *vr = &dev->vrings[i];

        pthread_mutex_init(&vr->mutex, NULL);
        vr->kickfd = vr->callfd = vr->errfd = -1;
        vr->kickfd_dp = -1;
        vr->vq.callfd = -1;
    }
    return dev;
}

static void
vu_set_error(struct vhost_user_dev *dev, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);

static void
vu_set_error(struct vhost_user_dev *dev, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    free(dev->last_error);
    dev->last_error = xvasprintf(format, args);
    va_end(args);
    dev->n_errors++;
    VLOG_WARN_RL(&rl, "%s: %s", dev->name, dev->last_error);
}

static void
vu_free(struct vhost_user_dev *dev)
{
    for (int i = 0; i < VU_N_VRINGS; i++) {
        pthread_mutex_destroy(&dev->vrings[i].mutex);
    }
    dp_packet_delete(dev->rarp);
    free(dev->last_error);
    free(dev->name);
    free(dev);
}

static void
vu_lock_all(struct vhost_user_dev *dev)
{
    for (int i = 0; i < VU_N_VRINGS; i++) {
        pthread_mutex_lock(&dev->vrings[i].mutex);
    }
}

static void
vu_unlock_all(struct vhost_user_dev *dev)
{
    for (int i = VU_N_VRINGS - 1; i >= 0; i--) {
        pthread_mutex_unlock(&dev->vrings[i].mutex);
    }
}

static void
vu_reset(struct vhost_user_dev *dev)
{
    for (int i = 0; i < VU_N_VRINGS; i++) {
        struct vu_vring *vr = &dev->vrings[i];

        vu_vring_stop(dev, i);
        closep(&vr->kickfd);
        closep(&vr->callfd);
        closep(&vr->errfd);
        vr->num = 0;
        vr->addr_set = false;
        vr->base = 0;
        vr->kick_set = false;
        vr->enabled = false;
        vu_update_ready(dev, i);
    }
    dev->features = 0;
    dev->features_set = false;
    dev->logging = false;
}

void
vhost_user_dev_destroy(struct vhost_user_dev *dev)
{
    if (!dev) {
        return;
    }
    vu_reset(dev);
    vu_lock_all(dev);
    struct vhost_mem *mem = dev->mem;
    struct vhost_log *log = dev->log;
    dev->mem = NULL;
    dev->log = NULL;
    vu_unlock_all(dev);
    vhost_mem_destroy(mem);
    vhost_log_destroy(log);
    vhost_user_reader_destroy(&dev->reader);
    closep(&dev->fd);
    rcu_postpone(vu_free, dev);
}

/* ------------------------------------------------------------------ */
/* Rings. */

static bool
vu_packed(const struct vhost_user_dev *dev)
{
    return dev->features & (1ULL << VIRTIO_F_RING_PACKED);
}

static void
vu_bump_seq(struct vhost_user_dev *dev)
{
    __atomic_add_fetch(&dev->seq, 1, __ATOMIC_RELEASE);
}

/* Recomputes ring IDX's lock-free readiness hints. */
static void
vu_update_ready(struct vhost_user_dev *dev, int idx)
{
    struct vu_vring *vr = &dev->vrings[idx];
    bool ready = vr->started && vr->enabled;
    uint32_t bit = 1u << (idx / 2);

    __atomic_store_n(&vr->kickfd_dp, vr->kickfd, __ATOMIC_RELEASE);
    if (ready != __atomic_load_n(&vr->ready, __ATOMIC_RELAXED)) {
        __atomic_store_n(&vr->ready, ready, __ATOMIC_RELEASE);
        if (!(idx & 1)) {
            if (ready) {
                __atomic_or_fetch(&dev->rx_ready_mask, bit, __ATOMIC_RELEASE);
            } else {
                __atomic_and_fetch(&dev->rx_ready_mask, ~bit,
                                   __ATOMIC_RELEASE);
            }
        }
        vu_bump_seq(dev);
    }
}

/* Translates ring IDX's addresses into LAYOUT.  Returns 0 or EINVAL
 * (logged). */
static int
vu_vring_layout(struct vhost_user_dev *dev, int idx,
                struct vhost_vq_layout *layout)
{
    const struct vu_vring *vr = &dev->vrings[idx];
    const struct vhost_vring_addr *a = &vr->addr;
    uint64_t num = vr->num;
    uint64_t desc_len = 16 * num;
    uint64_t avail_len = vu_packed(dev) ? 4 : 6 + 2 * num;
    uint64_t used_len = vu_packed(dev) ? 4 : 6 + 8 * num;

    memset(layout, 0, sizeof *layout);
    layout->desc = vhost_mem_uva_to_hva(dev->mem, a->desc_user_addr,
                                        desc_len);
    layout->avail = vhost_mem_uva_to_hva(dev->mem, a->avail_user_addr,
                                         avail_len);
    layout->used = vhost_mem_uva_to_hva(dev->mem, a->used_user_addr,
                                        used_len);
    if (!layout->desc || !layout->avail || !layout->used) {
        vu_set_error(dev, "vring %d: ring addresses (desc %#"PRIx64", "
                     "avail %#"PRIx64", used %#"PRIx64", size %"PRIu64") "
                     "are not inside the shared memory", idx,
                     a->desc_user_addr, a->avail_user_addr,
                     a->used_user_addr, num);
        return EINVAL;
    }
    if (!vhost_mem_uva_to_gpa(dev->mem, a->desc_user_addr, desc_len,
                              &layout->desc_gpa)) {
        layout->desc_gpa = 0;
    }
    layout->log_used = a->flags & (1u << VHOST_VRING_F_LOG);
    if (layout->log_used) {
        layout->used_gpa = a->log_guest_addr;
    } else if (!vhost_mem_uva_to_gpa(dev->mem, a->used_user_addr, used_len,
                                     &layout->used_gpa)) {
        layout->used_gpa = 0;
    }
    return 0;
}

/* Starts ring IDX if it has everything it needs.  Main thread. */
static int
vu_vring_start(struct vhost_user_dev *dev, int idx)
{
    struct vu_vring *vr = &dev->vrings[idx];
    struct vhost_vq_layout layout;
    int error;

    if (!vr->num || !vr->addr_set || !dev->mem) {
        vu_set_error(dev, "vring %d kicked before its %s was set", idx,
                     !vr->num ? "size" : !vr->addr_set ? "address"
                     : "memory table");
        return EINVAL;
    }
    error = vu_vring_layout(dev, idx, &layout);
    if (error) {
        return error;
    }

    pthread_mutex_lock(&vr->mutex);
    if (vr->started) {
        vhost_vq_stop(&vr->vq);
        vr->started = false;
    }
    error = vhost_vq_start(&vr->vq, vr->num, vu_packed(dev), dev->features,
                           &layout, dev->mem,
                           dev->logging ? dev->log : NULL, vr->callfd,
                           vr->base);
    vr->started = !error;
    vr->err_signalled = false;
    pthread_mutex_unlock(&vr->mutex);
    if (error) {
        vu_set_error(dev, "vring %d: size %"PRIu32" is not valid for a %s "
                     "ring", idx, vr->num,
                     vu_packed(dev) ? "packed" : "split");
    }
    vu_update_ready(dev, idx);
    return error;
}

/* Stops ring IDX (if started) and remembers where it stopped. */
static void
vu_vring_stop(struct vhost_user_dev *dev, int idx)
{
    struct vu_vring *vr = &dev->vrings[idx];

    pthread_mutex_lock(&vr->mutex);
    if (vr->started) {
        vr->base = vhost_vq_stop(&vr->vq);
        vr->started = false;
    }
    pthread_mutex_unlock(&vr->mutex);
    vu_update_ready(dev, idx);
}

/* Restarts a running ring IDX so that it picks up a new layout (after a
 * new memory table or ring address). */
static void
vu_vring_restart(struct vhost_user_dev *dev, int idx)
{
    struct vu_vring *vr = &dev->vrings[idx];

    if (vr->started) {
        vu_vring_stop(dev, idx);
        if (vu_vring_start(dev, idx)) {
            vr->kick_set = false;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Messages. */

/* Validates a ring index from the frontend. */
static bool
vu_check_index(struct vhost_user_dev *dev, const struct vhost_user_msg *msg,
               uint32_t index)
{
    if (index >= VU_N_VRINGS) {
        vu_set_error(dev, "%s: ring index %"PRIu32" out of range "
                     "(the device has %d rings)",
                     vhost_user_request_name(msg->request), index,
                     VU_N_VRINGS);
        return false;
    }
    return true;
}

/* Takes the fd of a SET_VRING_KICK/CALL/ERR message into *FDP (closing
 * the previous one), or -1 for "no fd". */
static void
vu_take_vring_fd(struct vhost_user_msg *msg, int *fdp)
{
    closep(fdp);
    if (!(msg->u.u64 & VHOST_USER_VRING_NOFD) && msg->n_fds) {
        *fdp = msg->fds[0];
        msg->fds[0] = -1;
    }
}

static int
vu_set_features(struct vhost_user_dev *dev, uint64_t features)
{
    if (features & ~VU_FEATURES) {
        vu_set_error(dev, "frontend set features %#"PRIx64" that were not "
                     "offered (%#"PRIx64")", features,
                     (uint64_t) (features & ~VU_FEATURES));
        return EINVAL;
    }
    bool logging = features & (1ULL << VHOST_F_LOG_ALL);
    bool changed_ring_format = dev->features_set
        && ((dev->features ^ features)
            & ~(1ULL << VHOST_F_LOG_ALL));

    dev->features = features;
    dev->features_set = true;
    if (logging != dev->logging) {
        dev->logging = logging;
        vu_lock_all(dev);
        for (int i = 0; i < VU_N_VRINGS; i++) {
            if (dev->vrings[i].started) {
                vhost_vq_set_log(&dev->vrings[i].vq,
                                 logging ? dev->log : NULL);
            }
        }
        vu_unlock_all(dev);
        VLOG_INFO("%s: dirty page logging %s", dev->name,
                  logging ? "started" : "stopped");
    }
    if (changed_ring_format) {
        for (int i = 0; i < VU_N_VRINGS; i++) {
            vu_vring_restart(dev, i);
        }
    }
    return 0;
}

static int
vu_set_mem_table(struct vhost_user_dev *dev, struct vhost_user_msg *msg)
{
    struct vhost_mem *mem, *old;
    char *err = NULL;
    int error;

    error = vhost_mem_create(msg->u.mem.regions, msg->fds,
                             msg->u.mem.n_regions, &mem, &err);
    if (error) {
        vu_set_error(dev, "memory table refused: %s", err);
        free(err);
        return error;
    }

    vu_lock_all(dev);
    old = dev->mem;
    dev->mem = mem;
    for (int i = 0; i < VU_N_VRINGS; i++) {
        struct vu_vring *vr = &dev->vrings[i];
        if (vr->started) {
            vr->base = vhost_vq_stop(&vr->vq);
            vr->started = false;
        }
    }
    vu_unlock_all(dev);
    vhost_mem_destroy(old);

    /* Rings that were running continue with the new table. */
    for (int i = 0; i < VU_N_VRINGS; i++) {
        struct vu_vring *vr = &dev->vrings[i];
        if (vr->kick_set && vu_vring_start(dev, i)) {
            vr->kick_set = false;
        }
        vu_update_ready(dev, i);
    }
    return 0;
}

static int
vu_set_log_base(struct vhost_user_dev *dev, struct vhost_user_msg *msg)
{
    struct vhost_log *log, *old;
    char *err = NULL;
    int error;

    error = vhost_log_create(msg->fds[0], msg->u.log.mmap_size,
                             msg->u.log.mmap_offset, &log, &err);
    if (error) {
        vu_set_error(dev, "dirty log refused: %s", err);
        free(err);
        return error;
    }
    vu_lock_all(dev);
    old = dev->log;
    dev->log = log;
    for (int i = 0; i < VU_N_VRINGS; i++) {
        if (dev->vrings[i].started) {
            vhost_vq_set_log(&dev->vrings[i].vq,
                             dev->logging ? log : NULL);
        }
    }
    vu_unlock_all(dev);
    vhost_log_destroy(old);
    return 0;
}

/* A RARP request announcing MAC, as QEMU sends for a migrated guest. */
static struct dp_packet *
vu_compose_rarp(struct eth_addr mac)
{
    struct dp_packet *p = dp_packet_new_with_headroom(
        ETH_HEADER_LEN + ARP_ETH_HEADER_LEN, DP_PACKET_DEFAULT_HEADROOM);
    struct eth_header *eth = dp_packet_put_zeros(p, sizeof *eth);
    struct arp_eth_header *arp = dp_packet_put_zeros(p, sizeof *arp);

    eth->eth_dst = eth_addr_broadcast;
    eth->eth_src = mac;
    eth->eth_type = htons(ETH_TYPE_RARP);
    arp->ar_hrd = htons(ARP_HRD_ETHERNET);
    arp->ar_pro = htons(ARP_PRO_IP);
    arp->ar_hln = ETH_ADDR_LEN;
    arp->ar_pln = 4;
    arp->ar_op = htons(ARP_OP_RARP);
    arp->ar_sha = mac;
    arp->ar_tha = mac;
    return p;
}

static void
vu_queue_rarp(struct vhost_user_dev *dev, uint64_t payload)
{
    struct eth_addr mac;
    uint8_t bytes[8];

    for (int i = 0; i < 8; i++) {
        bytes[i] = payload >> (8 * i);
    }
    memcpy(mac.ea, bytes, ETH_ADDR_LEN);
    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
        vu_set_error(dev, "SEND_RARP for invalid address "ETH_ADDR_FMT,
                     ETH_ADDR_ARGS(mac));
        return;
    }

    struct dp_packet *p = vu_compose_rarp(mac);
    p = __atomic_exchange_n(&dev->rarp, p, __ATOMIC_ACQ_REL);
    dp_packet_delete(p);
    VLOG_INFO("%s: announcing "ETH_ADDR_FMT" by RARP", dev->name,
              ETH_ADDR_ARGS(mac));
}

/* Handles MSG.  Returns 0 or an errno value for a refused request; sets
 * *REPLY and *HAS_REPLY for requests that answer with data. */
static int
vu_handle(struct vhost_user_dev *dev, struct vhost_user_msg *msg,
          struct vhost_user_msg *reply, bool *has_reply)
{
    struct vu_vring *vr;
    uint32_t index;

    *has_reply = false;
    switch (msg->request) {
    case VHOST_USER_GET_FEATURES:
        vhost_user_msg_init(reply, msg->request, true);
        vhost_user_msg_set_u64(reply, VU_FEATURES);
        *has_reply = true;
        return 0;

    case VHOST_USER_SET_FEATURES:
        return vu_set_features(dev, msg->u.u64);

    case VHOST_USER_GET_PROTOCOL_FEATURES:
        vhost_user_msg_init(reply, msg->request, true);
        vhost_user_msg_set_u64(reply, VU_PROTOCOL_FEATURES);
        *has_reply = true;
        return 0;

    case VHOST_USER_SET_PROTOCOL_FEATURES:
        if (msg->u.u64 & ~VU_PROTOCOL_FEATURES) {
            vu_set_error(dev, "frontend set protocol features %#"PRIx64
                         " that were not offered", msg->u.u64);
            return EINVAL;
        }
        dev->protocol_features = msg->u.u64;
        return 0;

    case VHOST_USER_SET_OWNER:
        dev->owner = true;
        return 0;

    case VHOST_USER_RESET_OWNER:
    case VHOST_USER_RESET_DEVICE:
        vu_reset(dev);
        return 0;

    case VHOST_USER_GET_QUEUE_NUM:
        vhost_user_msg_init(reply, msg->request, true);
        vhost_user_msg_set_u64(reply, VHOST_USER_MAX_QP);
        *has_reply = true;
        return 0;

    case VHOST_USER_SET_MEM_TABLE:
        return vu_set_mem_table(dev, msg);

    case VHOST_USER_SET_LOG_BASE: {
        int error = vu_set_log_base(dev, msg);

        if (dev->protocol_features
            & (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD)) {
            /* QEMU waits for this reply, whatever REPLY_ACK says. */
            vhost_user_msg_init(reply, msg->request, true);
            vhost_user_msg_set_u64(reply, error ? 1 : 0);
            *has_reply = true;
        }
        return error;
    }

    case VHOST_USER_SET_LOG_FD:
        /* Plexus never signals the log fd: it writes the bitmap only. */
        return 0;

    case VHOST_USER_SET_VRING_NUM:
        index = msg->u.state.index;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        if (!msg->u.state.num || msg->u.state.num > VHOST_VQ_MAX_SIZE) {
            vu_set_error(dev, "vring %"PRIu32": size %"PRIu32" out of "
                         "range", index, msg->u.state.num);
            return EINVAL;
        }
        dev->vrings[index].num = msg->u.state.num;
        return 0;

    case VHOST_USER_SET_VRING_ADDR:
        index = msg->u.addr.index;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        vr = &dev->vrings[index];
        vr->addr = msg->u.addr;
        vr->addr_set = true;
        vu_vring_restart(dev, index);
        return 0;

    case VHOST_USER_SET_VRING_BASE:
        index = msg->u.state.index;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        vr = &dev->vrings[index];
        if (vr->started) {
            vu_set_error(dev, "vring %"PRIu32": SET_VRING_BASE on a "
                         "running ring", index);
            return EBUSY;
        }
        vr->base = msg->u.state.num;
        return 0;

    case VHOST_USER_GET_VRING_BASE:
        index = msg->u.state.index;
        vhost_user_msg_init(reply, msg->request, true);
        *has_reply = true;
        if (!vu_check_index(dev, msg, index)) {
            vhost_user_msg_set_state(reply, index, 0);
            return EINVAL;
        }
        vr = &dev->vrings[index];
        vu_vring_stop(dev, index);
        vr->kick_set = false;
        closep(&vr->kickfd);
        vu_update_ready(dev, index);
        vhost_user_msg_set_state(reply, index, vr->base);
        return 0;

    case VHOST_USER_SET_VRING_KICK:
        index = msg->u.u64 & VHOST_USER_VRING_IDX_MASK;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        vr = &dev->vrings[index];
        vu_take_vring_fd(msg, &vr->kickfd);
        if (vr->kickfd >= 0) {
            set_nonblocking(vr->kickfd);
        }
        vr->kick_set = true;
        if (!(dev->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))) {
            vr->enabled = true;
        }
        if (vu_vring_start(dev, index)) {
            vr->kick_set = false;
            return EINVAL;
        }
        return 0;

    case VHOST_USER_SET_VRING_CALL:
        index = msg->u.u64 & VHOST_USER_VRING_IDX_MASK;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        vr = &dev->vrings[index];
        pthread_mutex_lock(&vr->mutex);
        vu_take_vring_fd(msg, &vr->callfd);
        if (vr->started) {
            vhost_vq_set_callfd(&vr->vq, vr->callfd);
        }
        pthread_mutex_unlock(&vr->mutex);
        return 0;

    case VHOST_USER_SET_VRING_ERR:
        index = msg->u.u64 & VHOST_USER_VRING_IDX_MASK;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        vr = &dev->vrings[index];
        pthread_mutex_lock(&vr->mutex);
        vu_take_vring_fd(msg, &vr->errfd);
        pthread_mutex_unlock(&vr->mutex);
        return 0;

    case VHOST_USER_SET_VRING_ENABLE:
        index = msg->u.state.index;
        if (!vu_check_index(dev, msg, index)) {
            return EINVAL;
        }
        if (msg->u.state.num > 1) {
            vu_set_error(dev, "vring %"PRIu32": SET_VRING_ENABLE %"PRIu32
                         " is neither 0 nor 1", index, msg->u.state.num);
            return EINVAL;
        }
        dev->vrings[index].enabled = msg->u.state.num;
        vu_update_ready(dev, index);
        return 0;

    case VHOST_USER_NET_SET_MTU:
        if (msg->u.u64 < 68 || msg->u.u64 > 65535) {
            vu_set_error(dev, "NET_SET_MTU %"PRIu64" out of range",
                         msg->u.u64);
            return EINVAL;
        }
        dev->mtu = msg->u.u64;
        return 0;

    case VHOST_USER_SEND_RARP:
        vu_queue_rarp(dev, msg->u.u64);
        return 0;

    default:
        vu_set_error(dev, "request %s (%"PRIu32") is not supported",
                     vhost_user_request_name(msg->request), msg->request);
        return EOPNOTSUPP;
    }
}

static int
vu_dispatch(struct vhost_user_dev *dev, struct vhost_user_msg *msg)
{
    struct vhost_user_msg reply;
    bool has_reply;
    int result;

    dev->n_msgs++;
    VLOG_DBG("%s: %s", dev->name, vhost_user_request_name(msg->request));
    result = vu_handle(dev, msg, &reply, &has_reply);
    if (!has_reply
        && (msg->flags & VHOST_USER_NEED_REPLY)
        && (dev->protocol_features
            & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
        vhost_user_msg_init(&reply, msg->request, true);
        vhost_user_msg_set_u64(&reply, result ? 1 : 0);
        has_reply = true;
    }
    if (has_reply) {
        int error = vhost_user_msg_send(dev->fd, &reply);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: sending reply to %s failed (%s)",
                         dev->name, vhost_user_request_name(msg->request),
                         strerror(error));
            return error;
        }
    }
    return 0;
}

int
vhost_user_dev_run(struct vhost_user_dev *dev)
{
    for (int i = 0; i < 64; i++) {
        struct vhost_user_msg msg;
        char *err = NULL;
        int error;

        error = vhost_user_reader_recv(&dev->reader, dev->fd, false, &msg,
                                       &err);
        if (error == EAGAIN) {
            return 0;
        } else if (error == EOF) {
            VLOG_INFO("%s: vhost-user frontend disconnected", dev->name);
            return EOF;
        } else if (error) {
            if (err) {
                vu_set_error(dev, "bad message, closing the connection: %s",
                             err);
                free(err);
            } else {
                VLOG_WARN("%s: vhost-user connection failed (%s)",
                          dev->name, strerror(error));
            }
            return error;
        }
        error = vu_dispatch(dev, &msg);
        vhost_user_msg_close_fds(&msg);
        if (error) {
            return error;
        }
    }
    poll_immediate_wake();
    return 0;
}

void
vhost_user_dev_wait(const struct vhost_user_dev *dev)
{
    poll_fd_wait(dev->fd, POLLIN);
}

/* ------------------------------------------------------------------ */
/* Datapath. */

int
vhost_user_dev_n_rx_ready(const struct vhost_user_dev *dev)
{
    return __builtin_popcount(__atomic_load_n(&dev->rx_ready_mask,
                                              __ATOMIC_ACQUIRE));
}

bool
vhost_user_dev_tx_ready(const struct vhost_user_dev *dev, int qp)
{
    return (qp >= 0 && qp < VHOST_USER_MAX_QP
            && __atomic_load_n(&dev->vrings[2 * qp + 1].ready,
                               __ATOMIC_ACQUIRE));
}

uint64_t
vhost_user_dev_get_seq(const struct vhost_user_dev *dev)
{
    return __atomic_load_n(&dev->seq, __ATOMIC_ACQUIRE);
}

int
vhost_user_dev_get_mtu(const struct vhost_user_dev *dev)
{
    return dev->mtu;
}

/* Signals ring VR's error fd the first time the engine finds it broken.
 * Called with the ring's mutex held. */
static void
vu_check_broken(struct vhost_user_dev *dev, struct vu_vring *vr)
{
    if (vr->vq.broken && !vr->err_signalled) {
        vr->err_signalled = true;
        VLOG_WARN_RL(&rl, "%s: vring %d is broken: it stops until the "
                     "frontend sets it up again", dev->name,
                     (int) (vr - dev->vrings));
        if (vr->errfd >= 0) {
            uint64_t one = 1;
            if (write(vr->errfd, &one, sizeof one) < 0) {
                /* The frontend reads it or not: nothing to do. */
            }
        }
    }
}

size_t
vhost_user_dev_recv(struct vhost_user_dev *dev, int qp,
                    struct dp_packet_batch *batch)
{
    size_t n = 0;

    if (qp == 0 && __atomic_load_n(&dev->rarp, __ATOMIC_RELAXED)) {
        struct dp_packet *rarp = __atomic_exchange_n(&dev->rarp, NULL,
                                                     __ATOMIC_ACQ_REL);
        if (rarp) {
            dp_packet_batch_add(batch, rarp);
            n++;
        }
    }
    if (!vhost_user_dev_tx_ready(dev, qp)) {
        return n;
    }

    struct vu_vring *vr = &dev->vrings[2 * qp + 1];
    pthread_mutex_lock(&vr->mutex);
    if (vr->started && !vr->vq.broken) {
        if (vr->vq.kicks_enabled) {
            vhost_vq_set_kicks(&vr->vq, false);
        }
        size_t got = vhost_vq_dequeue(&vr->vq, batch);
        if (got) {
            vhost_vq_notify(&vr->vq);
        }
        n += got;
        vu_check_broken(dev, vr);
    }
    pthread_mutex_unlock(&vr->mutex);
    return n;
}

size_t
vhost_user_dev_send(struct vhost_user_dev *dev, int qid,
                    struct dp_packet_batch *batch)
{
    uint32_t mask = __atomic_load_n(&dev->rx_ready_mask, __ATOMIC_ACQUIRE);
    size_t n = 0;

    if (!mask) {
        return 0;
    }

    /* The (qid % ready)th ready queue pair. */
    int k = (unsigned int) qid % __builtin_popcount(mask);
    while (k--) {
        mask &= mask - 1;
    }
    struct vu_vring *vr = &dev->vrings[2 * __builtin_ctz(mask)];

    pthread_mutex_lock(&vr->mutex);
    if (vr->started && !vr->vq.broken) {
        n = vhost_vq_enqueue(&vr->vq, batch);
        if (n) {
            vhost_vq_notify(&vr->vq);
        }
        vu_check_broken(dev, vr);
    }
    pthread_mutex_unlock(&vr->mutex);
    return n;
}

bool
vhost_user_dev_recv_wait(struct vhost_user_dev *dev, int qp)
{
    if (qp == 0 && __atomic_load_n(&dev->rarp, __ATOMIC_RELAXED)) {
        poll_immediate_wake();
        return true;
    }
    if (!vhost_user_dev_tx_ready(dev, qp)) {
        return true;
    }

    struct vu_vring *vr = &dev->vrings[2 * qp + 1];
    bool avail = false;
    int kickfd;

    pthread_mutex_lock(&vr->mutex);
    kickfd = __atomic_load_n(&vr->kickfd_dp, __ATOMIC_ACQUIRE);
    if (vr->started && !vr->vq.broken && kickfd >= 0) {
        uint64_t count;

        /* Drain old kicks, then ask for new ones and look once more, so
         * that a kick between the two is never lost. */
        if (read(kickfd, &count, sizeof count) < 0) {
            /* EAGAIN: no kick was pending. */
        }
        avail = vhost_vq_set_kicks(&vr->vq, true);
    }
    pthread_mutex_unlock(&vr->mutex);

    if (kickfd < 0) {
        return false;
    } else if (avail) {
        poll_immediate_wake();
    } else {
        poll_fd_wait(kickfd, POLLIN);
    }
    return true;
}

struct dp_packet *
vhost_user_dev_take_rarp(struct vhost_user_dev *dev)
{
    return __atomic_exchange_n(&dev->rarp, NULL, __ATOMIC_ACQ_REL);
}

void
vhost_user_dev_get_stats(const struct vhost_user_dev *dev,
                         struct vhost_user_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < VU_N_VRINGS; i++) {
        const struct vhost_vq_stats *vs = &dev->vrings[i].vq.stats;

        if (i & 1) {
            s->rx_packets += vs->packets;
            s->rx_bytes += vs->bytes;
            s->rx_errors += vs->errors;
        } else {
            s->tx_packets += vs->packets;
            s->tx_bytes += vs->bytes;
            s->tx_dropped += vs->dropped;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Description. */

const char *
vhost_user_dev_get_last_error(const struct vhost_user_dev *dev)
{
    return dev->last_error;
}

static void
vu_format_bits(struct ds *s, uint64_t bits, const char *const names[64])
{
    bool first = true;

    ds_put_format(s, "%#"PRIx64, bits);
    for (int i = 0; i < 64; i++) {
        if (bits & (1ULL << i)) {
            ds_put_format(s, "%s", first ? " (" : " ");
            if (names[i]) {
                ds_put_cstr(s, names[i]);
            } else {
                ds_put_format(s, "bit%d", i);
            }
            first = false;
        }
    }
    if (!first) {
        ds_put_char(s, ')');
    }
}

static const char *const feature_names[64] = {
    [VIRTIO_NET_F_CSUM] = "csum",
    [VIRTIO_NET_F_GUEST_CSUM] = "guest_csum",
    [VIRTIO_NET_F_MTU] = "mtu",
    [VIRTIO_NET_F_MAC] = "mac",
    [VIRTIO_NET_F_GUEST_TSO4] = "guest_tso4",
    [VIRTIO_NET_F_GUEST_TSO6] = "guest_tso6",
    [VIRTIO_NET_F_GUEST_UFO] = "guest_ufo",
    [VIRTIO_NET_F_HOST_TSO4] = "host_tso4",
    [VIRTIO_NET_F_HOST_TSO6] = "host_tso6",
    [VIRTIO_NET_F_HOST_UFO] = "host_ufo",
    [VIRTIO_NET_F_MRG_RXBUF] = "mrg_rxbuf",
    [VIRTIO_NET_F_STATUS] = "status",
    [VIRTIO_NET_F_CTRL_VQ] = "ctrl_vq",
    [VIRTIO_NET_F_GUEST_ANNOUNCE] = "guest_announce",
    [VIRTIO_NET_F_MQ] = "mq",
    [VIRTIO_F_NOTIFY_ON_EMPTY] = "notify_on_empty",
    [VHOST_F_LOG_ALL] = "log_all",
    [VIRTIO_RING_F_INDIRECT_DESC] = "indirect_desc",
    [VIRTIO_RING_F_EVENT_IDX] = "event_idx",
    [VHOST_USER_F_PROTOCOL_FEATURES] = "protocol_features",
    [VIRTIO_F_VERSION_1] = "version_1",
    [VIRTIO_F_RING_PACKED] = "ring_packed",
    [VIRTIO_F_IN_ORDER] = "in_order",
};

static const char *const protocol_feature_names[64] = {
    [VHOST_USER_PROTOCOL_F_MQ] = "mq",
    [VHOST_USER_PROTOCOL_F_LOG_SHMFD] = "log_shmfd",
    [VHOST_USER_PROTOCOL_F_RARP] = "rarp",
    [VHOST_USER_PROTOCOL_F_REPLY_ACK] = "reply_ack",
    [VHOST_USER_PROTOCOL_F_MTU] = "mtu",
    [VHOST_USER_PROTOCOL_F_BACKEND_REQ] = "backend_req",
    [VHOST_USER_PROTOCOL_F_CONFIG] = "config",
    [VHOST_USER_PROTOCOL_F_RESET_DEVICE] = "reset_device",
    [VHOST_USER_PROTOCOL_F_STATUS] = "status",
};

void
vhost_user_dev_format(const struct vhost_user_dev *dev, struct ds *s)
{
    ds_put_cstr(s, "  features: ");
    vu_format_bits(s, dev->features, feature_names);
    ds_put_cstr(s, "\n  protocol features: ");
    vu_format_bits(s, dev->protocol_features, protocol_feature_names);
    ds_put_format(s, "\n  messages: %"PRIu64", refused: %"PRIu64"\n",
                  dev->n_msgs, dev->n_errors);
    if (dev->mtu) {
        ds_put_format(s, "  mtu: %d\n", dev->mtu);
    }
    if (dev->mem) {
        for (size_t i = 0; i < dev->mem->n_regions; i++) {
            const struct vhost_mem_region *r = &dev->mem->regions[i];
            ds_put_format(s, "  memory region %zu: guest %#"PRIx64
                          "-%#"PRIx64" (%"PRIu64" MiB)\n", i, r->gpa,
                          r->gpa + r->size - 1, r->size >> 20);
        }
    } else {
        ds_put_cstr(s, "  memory: none\n");
    }
    if (dev->logging) {
        ds_put_cstr(s, "  dirty page logging: on\n");
    }
    for (int i = 0; i < VU_N_VRINGS; i++) {
        const struct vu_vring *vr = &dev->vrings[i];
        const struct vhost_vq_stats *vs = &vr->vq.stats;

        if (!vr->num && !vr->started) {
            continue;
        }
        ds_put_format(s, "  queue %d %s: size %"PRIu32", %s, %s%s",
                      i / 2, i & 1 ? "tx (from guest)" : "rx (to guest)",
                      vr->num,
                      vr->started ? "started" : "stopped",
                      vr->enabled ? "enabled" : "disabled",
                      vr->vq.broken ? ", BROKEN" : "");
        if (vr->started) {
            ds_put_format(s, ", avail %u used %u",
                          (unsigned int) vr->vq.last_avail,
                          (unsigned int) vr->vq.last_used);
        }
        ds_put_format(s, "\n    packets %"PRIu64" bytes %"PRIu64
                      " errors %"PRIu64" dropped %"PRIu64
                      " interrupts %"PRIu64" kick-requests %"PRIu64"\n",
                      vs->packets, vs->bytes, vs->errors, vs->dropped,
                      vs->calls, vs->kicks_asked);
    }
    if (dev->last_error) {
        ds_put_format(s, "  last error: %s\n", dev->last_error);
    }
}
