/*
 * netdev-vhost: vhost-user ports, named as in Open vSwitch so that
 * libvirt and OpenStack configurations carry over:
 *
 *   "dpdkvhostuser"        Plexus listens on RUNDIR/NAME; the frontend
 *                          (QEMU) connects as a client.
 *   "dpdkvhostuserclient"  Plexus connects to options:vhost-server-path,
 *                          where the frontend listens, and connects again
 *                          (every second) whenever the frontend goes away.
 *   "vm"                   No socket path: plx-vswitchd's VM supervisor
 *                          (vswitchd/vm-supervisor.c) calls
 *                          netdev_vhost_vm_connect(), which creates a
 *                          connected socket pair, adopts one end as the
 *                          port's only connection (closing any previous
 *                          one) and hands the other to the plx-vm process
 *                          it is about to start.  The VM is wired in
 *                          before its first instruction, and a VM that
 *                          exits simply closes its end (link down).
 *
 * Neither needs DPDK: the virtio engine is Plexus's own (vhost/).
 *
 * Each connection is a struct vhost_user_dev (vhost/vhost-user.h), fed
 * its messages by netdev_vhost_run() in the main thread.  A listening
 * port may hold several connections at once: during a live migration on
 * one host the destination QEMU connects to the same socket while the
 * source still runs.  The port's datapath traffic goes to one of them,
 * the "active" device: the newest one with a ring ready, else the newest
 * one.  'active' is an RCU pointer that PMD threads load per batch; a
 * device that goes away is unpublished first and freed after a grace
 * period (vhost_user_dev_destroy()).
 *
 * Queues.  The port has VHOST_USER_MAX_QP rx and tx queues; rx queue N
 * polls queue pair N's tx ring and is idle until the frontend starts it.
 * Send queue ids map onto the rx rings the guest has enabled.  A PMD
 * thread sleeping on a queue whose ring is not running waits on that
 * queue's latch, which the main thread sets whenever the rings change.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "dirs.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "latch.h"
#include "list.h"
#include "netdev.h"
#include "netdev-soft.h"
#include "poll-loop.h"
#include "rcu.h"
#include "smap.h"
#include "socket-util.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vhost/vhost-user.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_vhost);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define VHOST_MAX_CONNS 4           /* Per listening port. */
#define VHOST_RECONNECT_MS 1000     /* Client mode retry interval. */

struct netdev_vhost_rxq {
    struct netdev_rxq up;
    struct latch wake;          /* Set when the rings changed. */
    bool woken;                 /* Atomic: 'wake' may be set. */
};

struct netdev_vhost {
    struct netdev_soft soft;    /* First: see netdev-soft.h. */
    struct plx_list node;       /* In 'vhost_ports'. */
    bool client;
    bool vm;                    /* Type "vm": connections come from
                                 * netdev_vhost_vm_connect() only. */

    /* Main thread. */
    char *path;                 /* Socket path, NULL until configured. */
    int listen_fd;              /* Server mode. */
    long long int next_connect; /* Client mode: next attempt, msec. */
    char *last_error;
    struct vhost_user_dev *devs[VHOST_MAX_CONNS];
    size_t n_devs;
    uint64_t dev_seq;           /* Sum of the devices' seqs, last seen. */
    bool conns_changed;         /* A connection came or went since. */
    uint64_t n_connects;

    /* Counters of devices already gone (main thread). */
    struct vhost_user_stats gone;
    uint64_t tx_no_device;      /* Atomic: sent while no ring was ready. */

    struct vhost_user_dev *active;          /* RCU. */
    struct netdev_vhost_rxq *rxqs[VHOST_USER_MAX_QP];   /* Main thread. */
};

static struct plx_list vhost_ports = PLX_LIST_INITIALIZER(&vhost_ports);

const struct netdev_class netdev_vhost_server_class;
const struct netdev_class netdev_vhost_client_class;
const struct netdev_class netdev_vhost_vm_class;

static bool
is_vhost_class(const struct netdev_class *class)
{
    return (class == &netdev_vhost_server_class
            || class == &netdev_vhost_client_class
            || class == &netdev_vhost_vm_class);
}

/* Where the port's connections come from, for log messages. */
static const char *
vhost_origin(const struct netdev_vhost *dev)
{
    return dev->path ? dev->path : dev->vm ? "a socket pair" : "(no path)";
}

static struct netdev_vhost *
netdev_vhost_cast(const struct netdev *netdev)
{
    plx_assert(is_vhost_class(netdev->netdev_class));
    return CONTAINER_OF(netdev, struct netdev_vhost, soft.up);
}

static struct netdev_vhost_rxq *
netdev_vhost_rxq_cast(const struct netdev_rxq *rxq)
{
    return CONTAINER_OF(rxq, struct netdev_vhost_rxq, up);
}

static void
vhost_set_error(struct netdev_vhost *dev, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);

static void
vhost_set_error(struct netdev_vhost *dev, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    free(dev->last_error);
    dev->last_error = xvasprintf(format, args);
    va_end(args);
    VLOG_WARN_RL(&rl, "%s: %s", dev->soft.up.name, dev->last_error);
}

/* ------------------------------------------------------------------ */
/* Connections (main thread). */

static void
vhost_wake_rxqs(struct netdev_vhost *dev)
{
    for (int i = 0; i < VHOST_USER_MAX_QP; i++) {
        struct netdev_vhost_rxq *rxq = dev->rxqs[i];
        if (rxq) {
            __atomic_store_n(&rxq->woken, true, __ATOMIC_RELEASE);
            latch_set(&rxq->wake);
        }
    }
}

static bool
vhost_dev_any_ready(const struct vhost_user_dev *vdev)
{
    if (vhost_user_dev_n_rx_ready(vdev)) {
        return true;
    }
    for (int qp = 0; qp < VHOST_USER_MAX_QP; qp++) {
        if (vhost_user_dev_tx_ready(vdev, qp)) {
            return true;
        }
    }
    return false;
}

/* Picks the active device and publishes it if it changed; keeps the
 * carrier in step. */
static void
vhost_update_active(struct netdev_vhost *dev)
{
    struct vhost_user_dev *best = NULL;
    uint64_t seq = 0;

    for (size_t i = 0; i < dev->n_devs; i++) {
        struct vhost_user_dev *vdev = dev->devs[i];

        seq += vhost_user_dev_get_seq(vdev);
        if (vhost_dev_any_ready(vdev) || !best
            || !vhost_dev_any_ready(best)) {
            best = vdev;
        }
    }
    if (best != dev->active) {
        rcu_set(dev->active, best);
    }

    if (seq != dev->dev_seq || dev->conns_changed) {
        bool carrier = best && vhost_dev_any_ready(best);

        dev->dev_seq = seq;
        dev->conns_changed = false;
        pthread_mutex_lock(&dev->soft.mutex);
        dev->soft.carrier = carrier;
        pthread_mutex_unlock(&dev->soft.mutex);
        vhost_wake_rxqs(dev);
        netdev_changed(&dev->soft.up);
    }
}

static void
vhost_add_conn(struct netdev_vhost *dev, int fd)
{
    if (dev->n_devs >= VHOST_MAX_CONNS) {
        vhost_set_error(dev, "refusing a vhost-user connection: already "
                        "%d connections", VHOST_MAX_CONNS);
        close(fd);
        return;
    }
    xset_nonblocking(fd);
    dev->devs[dev->n_devs++] = vhost_user_dev_create(fd, dev->soft.up.name);
    dev->n_connects++;
    dev->conns_changed = true;
    VLOG_INFO("%s: vhost-user frontend connected on %s",
              dev->soft.up.name, vhost_origin(dev));
}

static void
vhost_remove_conn(struct netdev_vhost *dev, size_t i)
{
    struct vhost_user_dev *vdev = dev->devs[i];
    struct vhost_user_stats s;

    dev->devs[i] = dev->devs[--dev->n_devs];
    dev->conns_changed = true;
    if (dev->active == vdev) {
        rcu_set(dev->active, NULL);
    }
    const char *error = vhost_user_dev_get_last_error(vdev);
    if (error) {
        /* Keep what the frontend did wrong after it is gone. */
        free(dev->last_error);
        dev->last_error = xstrdup(error);
    }
    vhost_user_dev_get_stats(vdev, &s);
    dev->gone.rx_packets += s.rx_packets;
    dev->gone.rx_bytes += s.rx_bytes;
    dev->gone.rx_errors += s.rx_errors;
    dev->gone.tx_packets += s.tx_packets;
    dev->gone.tx_bytes += s.tx_bytes;
    dev->gone.tx_dropped += s.tx_dropped;
    vhost_user_dev_destroy(vdev);
    vhost_update_active(dev);
    if (dev->client && !dev->n_devs) {
        dev->next_connect = time_msec() + VHOST_RECONNECT_MS;
    }
}

static void
vhost_close_all(struct netdev_vhost *dev)
{
    while (dev->n_devs) {
        vhost_remove_conn(dev, dev->n_devs - 1);
    }
    closep(&dev->listen_fd);
}

static void
vhost_accept(struct netdev_vhost *dev)
{
    for (;;) {
        int fd = accept4(dev->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                vhost_set_error(dev, "accept on %s failed (%s)", dev->path,
                                strerror(errno));
            }
            return;
        }
        vhost_add_conn(dev, fd);
    }
}

static void
vhost_try_connect(struct netdev_vhost *dev)
{
    int fd = make_unix_socket(SOCK_STREAM, false, NULL, dev->path);

    if (fd < 0) {
        /* The frontend is not there (yet, or any more): normal while a VM
         * is down, so not an error worth more than a debug line. */
        VLOG_DBG("%s: connecting to %s failed (%s)", dev->soft.up.name,
                 dev->path, strerror(-fd));
        dev->next_connect = time_msec() + VHOST_RECONNECT_MS;
        return;
    }
    vhost_add_conn(dev, fd);
}

static void
netdev_vhost_run_one(struct netdev_vhost *dev)
{
    if (!dev->path && !dev->vm) {
        return;
    }
    if (dev->client) {
        if (!dev->n_devs && time_msec() >= dev->next_connect) {
            vhost_try_connect(dev);
        }
    } else if (dev->listen_fd >= 0) {
        vhost_accept(dev);
    }
    for (size_t i = 0; i < dev->n_devs; ) {
        if (vhost_user_dev_run(dev->devs[i])) {
            vhost_remove_conn(dev, i);
        } else {
            i++;
        }
    }
    vhost_update_active(dev);
}

static void
netdev_vhost_run(const struct netdev_class *class)
{
    struct netdev_vhost *dev;

    LIST_FOR_EACH (dev, node, &vhost_ports) {
        if (dev->soft.up.netdev_class == class) {
            netdev_vhost_run_one(dev);
        }
    }
}

static void
netdev_vhost_wait(const struct netdev_class *class)
{
    struct netdev_vhost *dev;

    LIST_FOR_EACH (dev, node, &vhost_ports) {
        if (dev->soft.up.netdev_class != class
            || (!dev->path && !dev->vm)) {
            continue;
        }
        if (dev->client) {
            if (!dev->n_devs) {
                poll_timer_wait_until(dev->next_connect);
            }
        } else if (dev->listen_fd >= 0) {
            poll_fd_wait(dev->listen_fd, POLLIN);
        }
        for (size_t i = 0; i < dev->n_devs; i++) {
            vhost_user_dev_wait(dev->devs[i]);
        }
        /* Rings change state under the datapath too (a broken ring):
         * look again now and then. */
        if (dev->n_devs) {
            poll_timer_wait(1000);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Life cycle and configuration. */

static struct netdev *
netdev_vhost_alloc(void)
{
    struct netdev_vhost *dev = xzalloc(sizeof *dev);
    return &dev->soft.up;
}

static int
vhost_listen(struct netdev_vhost *dev)
{
    int fd = make_unix_socket(SOCK_STREAM, true, dev->path, NULL);

    if (fd < 0) {
        vhost_set_error(dev, "could not listen on %s (%s)", dev->path,
                        strerror(-fd));
        return -fd;
    }
    if (listen(fd, VHOST_MAX_CONNS) < 0) {
        int error = errno;
        vhost_set_error(dev, "listen on %s failed (%s)", dev->path,
                        strerror(error));
        close(fd);
        return error;
    }
    /* QEMU may run as another user (libvirt's qemu user). */
    chmod(dev->path, 0770);
    dev->listen_fd = fd;
    return 0;
}

static int
netdev_vhost_construct(struct netdev *netdev)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);

    netdev_soft_init(&dev->soft, 0x76);     /* aa:76:xx:xx:xx:xx */
    dev->soft.carrier = false;
    dev->client = netdev->netdev_class == &netdev_vhost_client_class;
    dev->vm = netdev->netdev_class == &netdev_vhost_vm_class;
    dev->listen_fd = -1;
    netdev->n_rxq = VHOST_USER_MAX_QP;
    netdev->n_txq = VHOST_USER_MAX_QP;
    if (!dev->client && !dev->vm) {
        dev->path = xasprintf("%s/%s", plx_rundir(), netdev->name);
        int error = vhost_listen(dev);
        if (error) {
            free(dev->path);
            free(dev->last_error);
            netdev_soft_destroy(&dev->soft);
            return error;
        }
        VLOG_INFO("%s: vhost-user socket %s", netdev->name, dev->path);
    }
    plx_list_push_back(&vhost_ports, &dev->node);
    return 0;
}

static void
netdev_vhost_destruct(struct netdev *netdev)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);

    plx_list_remove(&dev->node);
    vhost_close_all(dev);
    if (!dev->client && dev->path) {
        unlink(dev->path);
    }
    free(dev->path);
    free(dev->last_error);
    netdev_soft_destroy(&dev->soft);
}

static void
netdev_vhost_dealloc(struct netdev *netdev)
{
    free(netdev_vhost_cast(netdev));
}

static int
netdev_vhost_set_config(struct netdev *netdev, const struct smap *options,
                        char **errp)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);

    if (!dev->client) {
        /* A "vm" port's options:vm is the supervisor's business. */
        return 0;
    }

    const char *path = smap_get(options, "vhost-server-path");
    if (!path || !path[0]) {
        *errp = xasprintf("%s: dpdkvhostuserclient needs "
                          "options:vhost-server-path", netdev->name);
        return EINVAL;
    }
    if (strlen(path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path) {
        *errp = xasprintf("%s: vhost-server-path %s is too long",
                          netdev->name, path);
        return ENAMETOOLONG;
    }
    if (!dev->path || strcmp(path, dev->path)) {
        vhost_close_all(dev);
        free(dev->path);
        dev->path = xstrdup(path);
        dev->next_connect = time_msec();
        VLOG_INFO("%s: vhost-user client of %s", netdev->name, path);
        vhost_try_connect(dev);
        vhost_update_active(dev);
    }
    return 0;
}

/* Type "vm": see the comment at the top of the file and netdev.h. */
int
netdev_vhost_vm_connect(struct netdev *netdev, int *peer_fdp)
{
    int fds[2];

    *peer_fdp = -1;
    if (netdev->netdev_class != &netdev_vhost_vm_class) {
        return EINVAL;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)) {
        int error = errno;
        VLOG_WARN_RL(&rl, "%s: socketpair failed (%s)", netdev->name,
                     strerror(error));
        return error;
    }

    struct netdev_vhost *dev = netdev_vhost_cast(netdev);
    vhost_close_all(dev);
    vhost_add_conn(dev, fds[0]);
    vhost_update_active(dev);
    *peer_fdp = fds[1];
    return 0;
}

/* ------------------------------------------------------------------ */
/* Datapath. */

static struct netdev_rxq *
netdev_vhost_rxq_alloc(void)
{
    struct netdev_vhost_rxq *rxq = xzalloc(sizeof *rxq);
    return &rxq->up;
}

static int
netdev_vhost_rxq_construct(struct netdev_rxq *rxq_)
{
    struct netdev_vhost_rxq *rxq = netdev_vhost_rxq_cast(rxq_);
    struct netdev_vhost *dev = netdev_vhost_cast(rxq_->netdev);

    latch_init(&rxq->wake);
    dev->rxqs[rxq_->queue_id] = rxq;
    return 0;
}

static void
netdev_vhost_rxq_destruct(struct netdev_rxq *rxq_)
{
    struct netdev_vhost_rxq *rxq = netdev_vhost_rxq_cast(rxq_);
    struct netdev_vhost *dev = netdev_vhost_cast(rxq_->netdev);

    dev->rxqs[rxq_->queue_id] = NULL;
    latch_destroy(&rxq->wake);
}

static void
netdev_vhost_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(netdev_vhost_rxq_cast(rxq));
}

static int
netdev_vhost_rxq_recv(struct netdev_rxq *rxq_, struct dp_packet_batch *batch)
{
    struct netdev_vhost_rxq *rxq = netdev_vhost_rxq_cast(rxq_);
    struct netdev_vhost *dev = netdev_vhost_cast(rxq_->netdev);

    if (__atomic_load_n(&rxq->woken, __ATOMIC_RELAXED)) {
        __atomic_store_n(&rxq->woken, false, __ATOMIC_RELAXED);
        latch_poll(&rxq->wake);
    }

    struct vhost_user_dev *vdev = rcu_get(dev->active);
    if (!vdev) {
        return EAGAIN;
    }
    return vhost_user_dev_recv(vdev, rxq_->queue_id, batch) ? 0 : EAGAIN;
}

static bool
netdev_vhost_rxq_wait(struct netdev_rxq *rxq_)
{
    struct netdev_vhost_rxq *rxq = netdev_vhost_rxq_cast(rxq_);
    struct netdev_vhost *dev = netdev_vhost_cast(rxq_->netdev);
    struct vhost_user_dev *vdev = rcu_get(dev->active);

    latch_wait(&rxq->wake);
    return !vdev || vhost_user_dev_recv_wait(vdev, rxq_->queue_id);
}

static int
netdev_vhost_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);
    struct vhost_user_dev *vdev = rcu_get(dev->active);
    size_t sent = vdev ? vhost_user_dev_send(vdev, qid, batch) : 0;

    if (sent < batch->count) {
        if (!vdev || !vhost_user_dev_n_rx_ready(vdev)) {
            __atomic_add_fetch(&dev->tx_no_device, batch->count - sent,
                               __ATOMIC_RELAXED);
        }
        return ENOBUFS;
    }
    return 0;
}

static int
netdev_vhost_get_stats(const struct netdev *netdev, struct netdev_stats *s)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);
    struct vhost_user_stats sum = dev->gone;

    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < dev->n_devs; i++) {
        struct vhost_user_stats vs;

        vhost_user_dev_get_stats(dev->devs[i], &vs);
        sum.rx_packets += vs.rx_packets;
        sum.rx_bytes += vs.rx_bytes;
        sum.rx_errors += vs.rx_errors;
        sum.tx_packets += vs.tx_packets;
        sum.tx_bytes += vs.tx_bytes;
        sum.tx_dropped += vs.tx_dropped;
    }
    s->rx_packets = sum.rx_packets;
    s->rx_bytes = sum.rx_bytes;
    s->rx_errors = sum.rx_errors;
    s->tx_packets = sum.tx_packets;
    s->tx_bytes = sum.tx_bytes;
    s->tx_dropped = (sum.tx_dropped
                     + __atomic_load_n(&dev->tx_no_device,
                                       __ATOMIC_RELAXED));
    return 0;
}

/* ------------------------------------------------------------------ */
/* plx-appctl vhost/show [PORT] */

static void
vhost_format(const struct netdev_vhost *dev, struct ds *s)
{
    const struct netdev *netdev = &dev->soft.up;

    ds_put_format(s, "%s: %s, %s %s, %zu connection%s, %"PRIu64
                  " connect%s so far\n", netdev->name,
                  netdev->netdev_class->type,
                  (dev->client ? "client of"
                   : dev->vm ? "connected by" : "listening on"),
                  vhost_origin(dev),
                  dev->n_devs, dev->n_devs == 1 ? "" : "s",
                  dev->n_connects, dev->n_connects == 1 ? "" : "s");
    for (size_t i = 0; i < dev->n_devs; i++) {
        ds_put_format(s, " connection %zu%s:\n", i,
                      dev->devs[i] == dev->active ? " (active)" : "");
        vhost_user_dev_format(dev->devs[i], s);
    }
    uint64_t no_dev = __atomic_load_n(&dev->tx_no_device, __ATOMIC_RELAXED);
    if (no_dev) {
        ds_put_format(s, " dropped while no guest ring was ready: %"PRIu64
                      "\n", no_dev);
    }
    if (dev->last_error) {
        ds_put_format(s, " last error: %s\n", dev->last_error);
    }
}

static void
vhost_unixctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux PLX_UNUSED)
{
    struct netdev_vhost *dev;
    struct ds s = DS_EMPTY_INITIALIZER;
    bool found = false;

    LIST_FOR_EACH (dev, node, &vhost_ports) {
        if (argc > 1 && strcmp(argv[1], dev->soft.up.name)) {
            continue;
        }
        vhost_format(dev, &s);
        found = true;
    }
    if (argc > 1 && !found) {
        unixctl_command_reply_error(conn, "no such vhost-user port");
    } else {
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    ds_destroy(&s);
}

static int
netdev_vhost_init(void)
{
    static bool registered;

    if (!registered) {
        registered = true;
        unixctl_command_register("vhost/show", "[PORT]", 0, 1,
                                 vhost_unixctl_show, NULL);
    }
    return 0;
}

#define NETDEV_VHOST_CLASS(TYPE)                                \
    {                                                           \
        .type = TYPE,                                           \
        .init = netdev_vhost_init,                              \
        .run = netdev_vhost_run,                                \
        .wait = netdev_vhost_wait,                              \
        .alloc = netdev_vhost_alloc,                            \
        .construct = netdev_vhost_construct,                    \
        .destruct = netdev_vhost_destruct,                      \
        .dealloc = netdev_vhost_dealloc,                        \
        .set_config = netdev_vhost_set_config,                  \
        .rxq_alloc = netdev_vhost_rxq_alloc,                    \
        .rxq_construct = netdev_vhost_rxq_construct,            \
        .rxq_destruct = netdev_vhost_rxq_destruct,              \
        .rxq_dealloc = netdev_vhost_rxq_dealloc,                \
        .rxq_recv = netdev_vhost_rxq_recv,                      \
        .rxq_wait = netdev_vhost_rxq_wait,                      \
        .send = netdev_vhost_send,                              \
        .get_etheraddr = netdev_soft_get_etheraddr,             \
        .set_etheraddr = netdev_soft_set_etheraddr,             \
        .get_mtu = netdev_soft_get_mtu,                         \
        .set_mtu = netdev_soft_set_mtu,                         \
        .get_carrier = netdev_soft_get_carrier,                 \
        .get_stats = netdev_vhost_get_stats,                    \
        .update_flags = netdev_soft_update_flags,               \
    }

const struct netdev_class netdev_vhost_server_class =
    NETDEV_VHOST_CLASS("dpdkvhostuser");
const struct netdev_class netdev_vhost_client_class =
    NETDEV_VHOST_CLASS("dpdkvhostuserclient");
const struct netdev_class netdev_vhost_vm_class = NETDEV_VHOST_CLASS("vm");
