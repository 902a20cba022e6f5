/* vmm/virtio-net-dev.c: virtio-net as a vhost-user frontend (see
 * virtio-net-dev.h). */
#include <config.h>
#include "vmm/virtio-net-dev.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "poll-loop.h"
#include "util.h"
#include "vhost/vhost-mem.h"
#include "vhost/vhost-user-frontend.h"
#include "vhost/virtqueue.h"
#include "vlog.h"
#include "vmm/pci.h"
#include "vmm/platform.h"
#include "vmm/virtio-pci.h"

VLOG_DEFINE_THIS_MODULE(virtio_net_dev);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define VIRTIO_ID_NET 1
#define N_RINGS 2               /* One queue pair: rx 0, tx 1. */
#define DEFAULT_QUEUE_SIZE 1024

/* Features the backend implements, passed through when it offers them. */
#define PASSTHROUGH_FEATURES                                            \
    ((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM)    \
     | (1ULL << VIRTIO_NET_F_MRG_RXBUF)                                 \
     | (1ULL << VIRTIO_NET_F_HOST_TSO4)                                 \
     | (1ULL << VIRTIO_NET_F_HOST_TSO6)                                 \
     | (1ULL << VIRTIO_NET_F_GUEST_TSO4)                                \
     | (1ULL << VIRTIO_NET_F_GUEST_TSO6)                                \
     | (1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_GUEST_UFO) \
     | (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_F_RING_PACKED) \
     | (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

/* Features plx-vm implements itself. */
#define LOCAL_FEATURES                                                  \
    ((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MAC)          \
     | (1ULL << VIRTIO_NET_F_STATUS))

#define WANTED_PROTOCOL_FEATURES                                        \
    ((1ULL << VHOST_USER_PROTOCOL_F_MQ)                                 \
     | (1ULL << VHOST_USER_PROTOCOL_F_MTU)                              \
     | (1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE))

struct virtio_net_dev {
    char *name;
    struct vmm_platform *platform;
    struct virtio_pci *vp;
    struct vhost_user_frontend *fe;     /* NULL once disconnected. */
    uint8_t mac[6];
    uint16_t mtu;
    uint64_t offered;           /* To the guest. */
    bool running;               /* The backend's rings are set up. */
};

/* Connection. */

static void
vnd_disconnect(struct virtio_net_dev *dev, const char *why)
{
    if (!dev->fe) {
        return;
    }
    VLOG_ERR("%s: vhost-user backend lost (%s): link down", dev->name, why);
    vhost_user_frontend_destroy(dev->fe);
    dev->fe = NULL;
    dev->running = false;
    virtio_pci_config_changed(dev->vp);
}

/* After a failed request: errors that break the stream (see
 * vhost-user-frontend.h) end the connection; a refusal does not. */
static void
vnd_check_error(struct virtio_net_dev *dev, int error, const char *what)
{
    if (!error || !dev->fe) {
        return;
    }
    const char *msg = vhost_user_frontend_get_error(dev->fe);
    VLOG_WARN_RL(&rl, "%s: %s failed: %s%s%s", dev->name, what,
                 plx_strerror(error), msg ? ": " : "", msg ? msg : "");
    if (error != EREMOTEIO && error != EOPNOTSUPP && error != EINVAL) {
        char *why = xasprintf("%s: %s", what, plx_strerror(error));
        vnd_disconnect(dev, why);
        free(why);
    }
}

static void vnd_stop(void *);

/* Translates guest-physical [GPA, GPA + LEN) into a plx-vm virtual
 * address through REGIONS. */
static bool
vnd_gpa_to_uva(const struct vhost_mem_region_desc *regions, size_t n,
               uint64_t gpa, uint64_t len, uint64_t *uva)
{
    for (size_t i = 0; i < n; i++) {
        const struct vhost_mem_region_desc *r = &regions[i];

        if (gpa >= r->guest_phys_addr
            && gpa - r->guest_phys_addr < r->memory_size
            && len <= r->memory_size - (gpa - r->guest_phys_addr)) {
            *uva = r->userspace_addr + (gpa - r->guest_phys_addr);
            return true;
        }
    }
    return false;
}

/* Transport callbacks (transport lock held). */

static void
vnd_get_config(void *dev_, uint8_t *config)
{
    struct virtio_net_dev *dev = dev_;
    uint16_t status = dev->fe ? VIRTIO_NET_S_LINK_UP : 0;

    memcpy(config, dev->mac, 6);
    config[6] = status;
    config[7] = status >> 8;
    config[8] = 1;                      /* max_virtqueue_pairs. */
    config[9] = 0;
    config[10] = dev->mtu;
    config[11] = dev->mtu >> 8;
}

static int
vnd_start(void *dev_)
{
    struct virtio_net_dev *dev = dev_;
    struct vhost_mem_region_desc regions[VHOST_MEM_MAX_REGIONS];
    int region_fds[VHOST_MEM_MAX_REGIONS];
    struct vhost_user_net_ring rings[N_RINGS];
    uint64_t acked = virtio_pci_get_driver_features(dev->vp);
    bool packed = acked & (1ULL << VIRTIO_F_RING_PACKED);
    size_t n_regions;
    int error;

    if (!dev->fe) {
        VLOG_WARN_RL(&rl, "%s: guest started the device without a backend",
                     dev->name);
        return ENOTCONN;
    }
    n_regions = dev->platform->class->mem_regions(dev->platform, regions,
                                                  region_fds,
                                                  ARRAY_SIZE(regions));
    if (!n_regions || n_regions > ARRAY_SIZE(regions)) {
        VLOG_ERR("%s: %zu memory regions", dev->name, n_regions);
        return EINVAL;
    }

    for (int i = 0; i < N_RINGS; i++) {
        struct vhost_user_net_ring *r = &rings[i];
        struct virtio_pci_queue q;
        uint64_t n;

        virtio_pci_get_queue(dev->vp, i, &q);
        n = q.size;
        if (!q.enabled) {
            VLOG_WARN_RL(&rl, "%s: DRIVER_OK with queue %d not enabled",
                         dev->name, i);
            return EINVAL;
        }
        memset(r, 0, sizeof *r);
        r->num = q.size;
        r->base = packed ? 0x8000 : 0;  /* Packed: wrap counter 1. */
        if (!vnd_gpa_to_uva(regions, n_regions, q.desc_gpa, 16 * n,
                            &r->desc_user_addr)
            || !vnd_gpa_to_uva(regions, n_regions, q.driver_gpa,
                               packed ? 4 : 6 + 2 * n, &r->avail_user_addr)
            || !vnd_gpa_to_uva(regions, n_regions, q.device_gpa,
                               packed ? 4 : 6 + 8 * n, &r->used_user_addr)) {
            VLOG_WARN_RL(&rl, "%s: queue %d: rings not inside one memory "
                         "region", dev->name, i);
            return EINVAL;
        }
        r->kick_fd = q.kick_fd;
        r->call_fd = q.has_interrupt ? q.call_fd : -1;
    }

    uint64_t features = acked & (PASSTHROUGH_FEATURES
                                 | (1ULL << VIRTIO_F_VERSION_1)
                                 | (1ULL << VIRTIO_NET_F_MTU)
                                 | (1ULL << VIRTIO_NET_F_STATUS));
    features &= vhost_user_frontend_offered_features(dev->fe);
    struct vhost_user_net_setup setup = {
        .features = features,
        .required_features = features,
        .protocol_features = WANTED_PROTOCOL_FEATURES,
        .n_qp = 1,
        .mtu = (acked & (1ULL << VIRTIO_NET_F_MTU)) ? dev->mtu : 0,
        .regions = regions,
        .region_fds = region_fds,
        .n_regions = n_regions,
        .rings = rings,
    };
    error = vhost_user_frontend_setup_net(dev->fe, &setup);
    if (error) {
        vnd_check_error(dev, error, "starting the backend");
        /* Some rings may have started before the failure: stop them all,
         * or the next start would find them running. */
        dev->running = true;
        vnd_stop(dev);
        return error;
    }
    dev->running = true;
    VLOG_INFO("%s: started, features %#"PRIx64"%s", dev->name, acked,
              packed ? " (packed rings)" : "");
    return 0;
}

/* Stops ring I in the backend. */
static void
vnd_stop_ring(struct virtio_net_dev *dev, int i)
{
    uint32_t base;
    int error;

    if (dev->fe) {
        error = vhost_user_frontend_get_vring_base(dev->fe, i, &base);
        vnd_check_error(dev, error, "stopping a ring");
    }
}

static void
vnd_stop(void *dev_)
{
    struct virtio_net_dev *dev = dev_;

    if (!dev->running) {
        return;
    }
    for (int i = 0; i < N_RINGS; i++) {
        vnd_stop_ring(dev, i);
    }
    if (dev->fe && vhost_user_frontend_has_protocol_feature(
            dev->fe, VHOST_USER_PROTOCOL_F_RESET_DEVICE)) {
        vnd_check_error(dev, vhost_user_frontend_reset_device(dev->fe),
                        "resetting the backend");
    }
    dev->running = false;
    VLOG_INFO("%s: reset", dev->name);
}

static void
vnd_queue_disable(void *dev_, int q)
{
    struct virtio_net_dev *dev = dev_;

    if (dev->running && q < N_RINGS) {
        vnd_stop_ring(dev, q);
    }
}

static const struct virtio_pci_dev_ops vnd_ops = {
    .get_config = vnd_get_config,
    .start = vnd_start,
    .stop = vnd_stop,
    .queue_disable = vnd_queue_disable,
};

/* Creation. */

static int
vnd_connect(const struct virtio_net_dev_options *o, const char *name,
            struct vhost_user_frontend **fep, char **errp)
{
    int timeout = o->timeout_ms > 0 ? o->timeout_ms
                                    : VHOST_USER_FRONTEND_TIMEOUT_MS;
    int error;

    *fep = NULL;
    if (o->fd >= 0) {
        *fep = vhost_user_frontend_create(o->fd, name);
        return 0;
    }
    if (!o->path || !o->path[0]) {
        *errp = xasprintf("%s: no vhost-user socket fd or path", name);
        return EINVAL;
    }
    if (!o->server) {
        error = vhost_user_frontend_connect(o->path, timeout, fep);
        if (error) {
            *errp = xasprintf("%s: cannot connect to vhost-user backend "
                              "at %s: %s", name, o->path,
                              plx_strerror(error));
        }
        return error;
    }

    int listen_fd;
    error = vhost_user_frontend_listen(o->path, &listen_fd);
    if (error) {
        *errp = xasprintf("%s: cannot listen on %s: %s", name, o->path,
                          plx_strerror(error));
        return error;
    }
    error = vhost_user_frontend_accept(listen_fd, timeout, name, fep);
    close(listen_fd);
    unlink(o->path);
    if (error) {
        *errp = xasprintf("%s: no vhost-user backend connected to %s: %s",
                          name, o->path, plx_strerror(error));
    }
    return error;
}

static void
vnd_random_mac(uint8_t mac[6])
{
    if (getrandom(mac, 6, 0) != 6) {
        uint64_t x = time(NULL) ^ ((uint64_t) getpid() << 24);
        for (int i = 0; i < 6; i++) {
            mac[i] = x >> (8 * i);
        }
    }
    mac[0] = (mac[0] & ~1u) | 2u;       /* Unicast, locally administered. */
}

struct virtio_net_dev *
virtio_net_dev_create(struct vmm_platform *platform, struct pci_bus *bus,
                      const struct virtio_net_dev_options *o, char **errp)
{
    const char *name = o->name ? o->name : "net";
    struct vhost_user_frontend *fe;
    uint64_t backend;
    int error;

    *errp = NULL;
    if (o->n_qp > 1) {
        if (o->fd >= 0) {
            close(o->fd);
        }
        *errp = xasprintf("%s: %d queue pairs requested, but plx-vm has no "
                          "control queue and supports only 1", name,
                          o->n_qp);
        return NULL;
    }
    if (o->queue_size && (!IS_POW2(o->queue_size)
                          || o->queue_size > VIRTIO_PCI_MAX_QUEUE_SIZE)) {
        if (o->fd >= 0) {
            close(o->fd);
        }
        *errp = xasprintf("%s: queue size %"PRIu16" is not a power of two "
                          "up to %d", name, o->queue_size,
                          VIRTIO_PCI_MAX_QUEUE_SIZE);
        return NULL;
    }
    if (vnd_connect(o, name, &fe, errp)) {
        return NULL;
    }

    error = vhost_user_frontend_get_features(fe, &backend);
    if (error) {
        const char *msg = vhost_user_frontend_get_error(fe);
        *errp = xasprintf("%s: vhost-user GET_FEATURES failed: %s%s%s",
                          name, plx_strerror(error), msg ? ": " : "",
                          msg ? msg : "");
        vhost_user_frontend_destroy(fe);
        return NULL;
    }
    if (!(backend & (1ULL << VIRTIO_F_VERSION_1))) {
        *errp = xasprintf("%s: vhost-user backend does not offer "
                          "VIRTIO_F_VERSION_1 (features %#"PRIx64")", name,
                          backend);
        vhost_user_frontend_destroy(fe);
        return NULL;
    }

    struct virtio_net_dev *dev = xzalloc(sizeof *dev);
    dev->name = xstrdup(name);
    dev->platform = platform;
    dev->fe = fe;
    dev->mtu = o->mtu;
    if (o->has_mac) {
        memcpy(dev->mac, o->mac, 6);
    } else {
        vnd_random_mac(dev->mac);
    }
    dev->offered = LOCAL_FEATURES | (backend & PASSTHROUGH_FEATURES);
    if (o->mtu) {
        if (backend & (1ULL << VIRTIO_NET_F_MTU)) {
            dev->offered |= 1ULL << VIRTIO_NET_F_MTU;
        } else {
            VLOG_WARN("%s: backend does not support an MTU; %"PRIu16
                      " not offered to the guest", name, o->mtu);
        }
    }

    struct virtio_pci_options vpo = {
        .device_type = VIRTIO_ID_NET,
        .class_code = 0x020000,
        .features = dev->offered,
        .n_queues = N_RINGS,
        .max_queue_size = o->queue_size ? o->queue_size : DEFAULT_QUEUE_SIZE,
        .config_size = VIRTIO_NET_DEV_CONFIG_SIZE,
        .name = name,
    };
    error = virtio_pci_create(bus, &vpo, &vnd_ops, dev, &dev->vp);
    if (error) {
        *errp = xasprintf("%s: cannot add the virtio-net PCI function: %s",
                          name, plx_strerror(error));
        vhost_user_frontend_destroy(dev->fe);
        free(dev->name);
        free(dev);
        return NULL;
    }
    VLOG_INFO("%s: virtio-net at 00:%02x.0, MAC "
              "%02x:%02x:%02x:%02x:%02x:%02x, features %#"PRIx64, name,
              pci_dev_slot(virtio_pci_get_pci_dev(dev->vp)), dev->mac[0],
              dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4],
              dev->mac[5], dev->offered);
    return dev;
}

void
virtio_net_dev_destroy(struct virtio_net_dev *dev)
{
    if (!dev) {
        return;
    }
    virtio_pci_destroy(dev->vp);
    vhost_user_frontend_destroy(dev->fe);
    free(dev->name);
    free(dev);
}

/* Main loop. */

void
virtio_net_dev_run(struct virtio_net_dev *dev)
{
    virtio_pci_run(dev->vp);

    virtio_pci_lock(dev->vp);
    if (dev->fe) {
        char c;
        ssize_t n = recv(vhost_user_frontend_get_fd(dev->fe), &c, 1,
                         MSG_PEEK | MSG_DONTWAIT);
        if (!n) {
            vnd_disconnect(dev, "connection closed");
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            vnd_disconnect(dev, plx_strerror(errno));
        } else if (n > 0) {
            /* Replies come only while a request waits for them, under the
             * lock we hold; anything else breaks the protocol. */
            vnd_disconnect(dev, "unsolicited message");
        }
    }
    virtio_pci_unlock(dev->vp);
}

void
virtio_net_dev_wait(struct virtio_net_dev *dev)
{
    int fd = virtio_net_dev_get_fd(dev);

    virtio_pci_wait(dev->vp);
    if (fd >= 0) {
        poll_fd_wait(fd, POLLIN);
    }
}

int
virtio_net_dev_get_fd(struct virtio_net_dev *dev)
{
    virtio_pci_lock(dev->vp);
    int fd = dev->fe ? vhost_user_frontend_get_fd(dev->fe) : -1;
    virtio_pci_unlock(dev->vp);
    return fd;
}

bool
virtio_net_dev_is_link_up(struct virtio_net_dev *dev)
{
    virtio_pci_lock(dev->vp);
    bool up = dev->fe != NULL;
    virtio_pci_unlock(dev->vp);
    return up;
}

void
virtio_net_dev_get_mac(const struct virtio_net_dev *dev, uint8_t mac[6])
{
    memcpy(mac, dev->mac, 6);
}

uint64_t
virtio_net_dev_get_offered_features(const struct virtio_net_dev *dev)
{
    return dev->offered;
}

struct virtio_pci *
virtio_net_dev_get_transport(struct virtio_net_dev *dev)
{
    return dev->vp;
}
