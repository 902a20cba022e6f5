/*
 * netdev-dpdk: DPDK ethdevs as ports (type "dpdk").
 *
 * An Interface of type "dpdk" names its device with options:dpdk-devargs:
 * a PCI address of a NIC bound to a DPDK driver, or a virtual device
 * string ("net_tap0,iface=foo", "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap",
 * "net_af_packet0,iface=veth0", "net_null0", ...).  The device's name is
 * the devargs up to the first comma.  A device that DPDK already knows
 * (probed at start, or still attached) is used as it is; otherwise it is
 * hot-plugged with rte_dev_probe(), and then removed again with
 * rte_dev_remove() when the port goes, so that adding and deleting ports
 * at run time attaches and detaches devices.  Two interfaces can never
 * use one device: the second gets an error naming the first.
 *
 * Other options: n_rxq (rx queues, spread by RSS when more than one),
 * n_rxq_desc and n_txq_desc (ring sizes, rounded to what the device
 * accepts), n_mbufs (at least this many buffers in the port's pool, a
 * Plexus option: by default the rings' sizes plus 8192).  The
 * Interface's mtu_request sets the MTU.  The device gets as many tx
 * queues as it allows up to the number of CPUs plus one, so
 * that usually every thread sends on its own queue (the datapath locks
 * shared ones).
 *
 * Buffers.  Each port has its own mempool of mbufs sized for its MTU.
 * The private area of every mbuf holds a struct dp_packet, so receiving
 * a packet costs no allocation and no copy: the dp_packet is "embedded"
 * (lib/dp-packet.h) and wraps the mbuf's buffer; freeing it frees the
 * mbuf.  Sending such a packet to any DPDK port (send_steal) hands the
 * very mbuf to the driver.  A packet from any other port is copied once,
 * into an mbuf of the sending port's pool; a DPDK packet sent to a
 * non-DPDK port is copied once by that port (into the kernel, a guest's
 * ring).  Because a forwarded mbuf may wait in another port's tx ring,
 * a removed port's mempool is freed only once all its mbufs are back.
 *
 * Changes that need the device stopped (devargs, queues, descriptors,
 * an MTU larger than the buffers hold) are requests that the caller
 * applies with netdev_reconfigure() while the port is out of the
 * datapath (netdev.h): a device that was already there is stopped,
 * reconfigured and started; one we hot-plugged is removed and plugged
 * again, because not every virtual device survives a stop and start.
 * The MTU is changed on the running device when the buffers allow it.
 *
 * Link state and statistics come from the ethdev; the link is polled
 * once a second in netdev_run(), which bumps the change sequence number
 * when it changes.  Rx queues cannot wake a poll (rxq_wait returns
 * false): an idle PMD polls them on its short timer.
 */

#include <config.h>
#include "netdev.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_version.h>
#include "dpdk.h"
#include "list.h"
#include "poll-loop.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_dpdk);

#define DPDK_DEFAULT_DESC 2048
#define DPDK_MAX_DESC 4096
#define DPDK_MAX_RXQ 64
#define DPDK_MTU_DEFAULT 1500
#define DPDK_MBUF_CACHE 256
#define DPDK_MIN_MBUFS 8192
#define DPDK_MAX_MBUFS (1 << 22)
/* Ethernet header, two VLAN tags and the CRC around the MTU. */
#define DPDK_FRAME_OVERHEAD (14 + 2 * 4 + 4)

struct netdev_dpdk {
    struct netdev up;
    struct plx_list list_node;  /* In 'dpdk_devs'. */

    /* What set_config() and set_mtu() asked for. */
    char *req_devargs;
    int req_n_rxq;
    int req_rxq_desc;
    int req_txq_desc;
    int req_mtu;
    int req_n_mbufs;            /* options:n_mbufs, 0: the default. */

    /* What the device runs with (requests as of the last apply). */
    char *devargs;              /* NULL: no device attached. */
    int applied_n_rxq;
    int rxq_desc, txq_desc;
    int mtu;
    int n_mbufs;                /* options:n_mbufs the pool was made for. */
    uint16_t port_id;
    struct rte_device *rte_dev;
    bool probed;                /* We hot-plugged it: remove on close. */
    bool started;
    struct rte_mempool *mp;
    uint32_t mbuf_room;         /* Largest frame an mbuf holds. */
    struct eth_addr mac;
    enum netdev_flags flags;
    bool link_up;

    atomic_uint_least64_t tx_dropped;   /* Any sending thread. */
};

struct netdev_rxq_dpdk {
    struct netdev_rxq up;
};

/* Main thread only. */
static struct plx_list dpdk_devs = PLX_LIST_INITIALIZER(&dpdk_devs);
static long long int next_link_poll;

/* Mempools of removed ports that still have mbufs out. */
struct dying_mp {
    struct plx_list node;
    struct rte_mempool *mp;
};
static struct plx_list dying_mps = PLX_LIST_INITIALIZER(&dying_mps);

static struct netdev_dpdk *
netdev_dpdk_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_dpdk, up);
}

/* ------------------------------------------------------------------ */
/* Mempools. */

static void
mempool_release(struct rte_mempool *mp)
{
    if (!mp) {
        return;
    }
    if (rte_mempool_full(mp)) {
        rte_mempool_free(mp);
    } else {
        struct dying_mp *d = xmalloc(sizeof *d);
        d->mp = mp;
        plx_list_push_back(&dying_mps, &d->node);
    }
}

static void
mempool_sweep(void)
{
    struct dying_mp *d;

    LIST_FOR_EACH_SAFE (d, node, &dying_mps) {
        if (rte_mempool_full(d->mp)) {
            VLOG_DBG("freeing mempool %s", d->mp->name);
            rte_mempool_free(d->mp);
            plx_list_remove(&d->node);
            free(d);
        }
    }
}

static uint32_t
mbuf_room_for_mtu(int mtu)
{
    uint32_t frame = mtu + DPDK_FRAME_OVERHEAD;
    return MAX(ROUND_UP(frame, 1024), 2048);
}

/* Creates the mempool DEV needs for MTU and its queue sizes. */
static struct rte_mempool *
mempool_create(struct netdev_dpdk *dev, int n_rxq, int n_txq, int mtu,
               char **errp)
{
    static unsigned int serial;
    uint32_t room = mbuf_room_for_mtu(mtu);
    uint32_t n = (n_rxq * dev->req_rxq_desc + n_txq * dev->req_txq_desc
                  + DPDK_MIN_MBUFS);

    /* A port that needs more (a pcap device with infinite_rx keeps its
     * whole file in mbufs) says so. */
    n = MAX(n, (uint32_t) dev->req_n_mbufs);
    char name[RTE_MEMPOOL_NAMESIZE];

    snprintf(name, sizeof name, "plx%u_%u", (unsigned int) getpid() % 100000,
             serial++);
    uint16_t priv = RTE_ALIGN(sizeof(struct dp_packet), RTE_MBUF_PRIV_ALIGN);
    int socket = rte_eth_dev_socket_id(dev->port_id);
    struct rte_mempool *mp = rte_pktmbuf_pool_create(
        name, n, DPDK_MBUF_CACHE, priv, room + RTE_PKTMBUF_HEADROOM,
        socket < 0 ? SOCKET_ID_ANY : socket);
    if (!mp) {
        *errp = xasprintf("could not allocate %"PRIu32" packet buffers of "
                          "%"PRIu32" bytes: %s (are enough hugepages "
                          "reserved?)", n, room, rte_strerror(rte_errno));
        return NULL;
    }
    VLOG_INFO("%s: mempool %s: %"PRIu32" mbufs of %"PRIu32" bytes",
              dev->up.name, name, n, room);
    return mp;
}

/* ------------------------------------------------------------------ */
/* Attaching and detaching devices. */

static struct netdev_dpdk *
find_user(uint16_t port_id, const struct netdev_dpdk *except)
{
    struct netdev_dpdk *dev;

    LIST_FOR_EACH (dev, list_node, &dpdk_devs) {
        if (dev != except && dev->devargs && dev->port_id == port_id) {
            return dev;
        }
    }
    return NULL;
}

/* The ethdev whose device is named NAME, or -1. */
static int
port_by_device_name(const char *name)
{
    uint16_t port_id;

    if (!rte_eth_dev_get_port_by_name(name, &port_id)) {
        return port_id;
    }
    RTE_ETH_FOREACH_DEV (port_id) {
        struct rte_eth_dev_info info;
        if (!rte_eth_dev_info_get(port_id, &info) && info.device
            && !strcmp(rte_dev_name(info.device), name)) {
            return port_id;
        }
    }
    return -1;
}

static void
dpdk_detach(struct netdev_dpdk *dev)
{
    if (!dev->devargs) {
        return;
    }
    if (dev->started) {
        rte_eth_dev_stop(dev->port_id);
        dev->started = false;
    }
    rte_eth_dev_close(dev->port_id);
    if (dev->probed) {
        int error = rte_dev_remove(dev->rte_dev);
        if (error && error != -ENOENT) {
            VLOG_WARN("%s: could not detach device %s: %s", dev->up.name,
                      dev->devargs, rte_strerror(-error));
        } else {
            VLOG_INFO("%s: detached device %s", dev->up.name, dev->devargs);
        }
    }
    free(dev->devargs);
    dev->devargs = NULL;
    dev->rte_dev = NULL;
    dev->probed = false;
    mempool_release(dev->mp);
    dev->mp = NULL;
}

static int
dpdk_attach(struct netdev_dpdk *dev, const char *devargs, char **errp)
{
    size_t len = strcspn(devargs, ",");
    char *name = xmemdup0(devargs, len);
    bool probed = false;
    int port_id = port_by_device_name(name);

    if (port_id < 0) {
        int error = rte_dev_probe(devargs);
        if (error) {
            *errp = xasprintf("could not attach DPDK device \"%s\": %s",
                              devargs, rte_strerror(-error));
            free(name);
            return EINVAL;
        }
        probed = true;
        port_id = port_by_device_name(name);
        if (port_id < 0) {
            *errp = xasprintf("DPDK device \"%s\" has no ethernet port",
                              devargs);
            free(name);
            return ENODEV;
        }
    }
    free(name);

    struct netdev_dpdk *user = find_user(port_id, dev);
    if (user) {
        *errp = xasprintf("DPDK device \"%s\" is already in use by "
                          "interface %s", devargs, user->up.name);
        return EBUSY;
    }

    struct rte_eth_dev_info info;
    int error = rte_eth_dev_info_get(port_id, &info);
    if (error) {
        *errp = xasprintf("could not query DPDK device \"%s\": %s", devargs,
                          rte_strerror(-error));
        return ENODEV;
    }
    dev->port_id = port_id;
    dev->rte_dev = info.device;
    dev->probed = probed;
    dev->devargs = xstrdup(devargs);
    VLOG_INFO("%s: %s DPDK device %s (port %d, driver %s)", dev->up.name,
              probed ? "attached" : "using", devargs, port_id,
              info.driver_name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Configuring the running device. */

static int
dpdk_setup_queues(struct netdev_dpdk *dev, int n_rxq, int n_txq,
                  const struct rte_eth_dev_info *info, char **errp)
{
    struct rte_eth_conf conf;

    memset(&conf, 0, sizeof conf);
    if (n_rxq > 1) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = ((RTE_ETH_RSS_IP
                                             | RTE_ETH_RSS_UDP
                                             | RTE_ETH_RSS_TCP)
                                            & info->flow_type_rss_offloads);
    }
    if (dev->req_mtu >= info->min_mtu && dev->req_mtu <= info->max_mtu) {
        conf.rxmode.mtu = dev->req_mtu;
    }

    int error = rte_eth_dev_configure(dev->port_id, n_rxq, n_txq, &conf);
    if (error && n_txq > 1) {
        VLOG_INFO("%s: %d tx queues refused (%s), using 1", dev->up.name,
                  n_txq, rte_strerror(-error));
        n_txq = 1;
        error = rte_eth_dev_configure(dev->port_id, n_rxq, n_txq, &conf);
    }
    if (error) {
        *errp = xasprintf("could not configure %d rx and %d tx queues: %s",
                          n_rxq, n_txq, rte_strerror(-error));
        return error < 0 ? -error : EINVAL;
    }

    uint16_t rxd = dev->req_rxq_desc, txd = dev->req_txq_desc;
    rte_eth_dev_adjust_nb_rx_tx_desc(dev->port_id, &rxd, &txd);
    int socket = rte_eth_dev_socket_id(dev->port_id);
    socket = socket < 0 ? SOCKET_ID_ANY : socket;
    for (int i = 0; i < n_rxq && !error; i++) {
        error = rte_eth_rx_queue_setup(dev->port_id, i, rxd, socket, NULL,
                                       dev->mp);
    }
    for (int i = 0; i < n_txq && !error; i++) {
        error = rte_eth_tx_queue_setup(dev->port_id, i, txd, socket, NULL);
    }
    if (error) {
        *errp = xasprintf("could not set up queues of %u/%u descriptors: "
                          "%s", rxd, txd, rte_strerror(-error));
        return error < 0 ? -error : EINVAL;
    }
    dev->rxq_desc = rxd;
    dev->txq_desc = txd;
    dev->up.n_rxq = n_rxq;
    dev->up.n_txq = n_txq;
    return 0;
}

/* Brings the device to the requested configuration; it is in no
 * datapath. */
static int
dpdk_apply(struct netdev_dpdk *dev, char **errp)
{
    int error;

    if (!dpdk_is_initialized()) {
        const char *why = dpdk_init_error();
        *errp = (why ? xstrdup(why)
                 : xstrdup("DPDK is not initialized: set the Open_vSwitch "
                           "table's other_config:dpdk-init=true"));
        return EOPNOTSUPP;
    }
    if (!dev->req_devargs) {
        *errp = xstrdup("options:dpdk-devargs is required");
        return EINVAL;
    }
    if (dev->devargs
        && (strcmp(dev->devargs, dev->req_devargs) || dev->probed)) {
        /* A device we hot-plugged is plugged again: virtual devices
         * (net_af_packet's sockets, net_pcap's files) do not all survive
         * a stop and start. */
        dpdk_detach(dev);
    }
    if (!dev->devargs) {
        error = dpdk_attach(dev, dev->req_devargs, errp);
        if (error) {
            return error;
        }
    }
    if (dev->started) {
        rte_eth_dev_stop(dev->port_id);
        dev->started = false;
    }

    struct rte_eth_dev_info info;
    error = rte_eth_dev_info_get(dev->port_id, &info);
    if (error) {
        *errp = xasprintf("could not query device: %s",
                          rte_strerror(-error));
        goto fail;
    }
    int n_rxq = MIN(dev->req_n_rxq, MAX(info.max_rx_queues, 1));
    if (n_rxq < dev->req_n_rxq) {
        VLOG_WARN("%s: device has at most %d rx queues, not %d",
                  dev->up.name, n_rxq, dev->req_n_rxq);
    }
    long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int n_txq = MIN(MAX(info.max_tx_queues, 1), MAX(n_cpus, 1) + 1);

    /* A new pool unless the old one fits. */
    uint32_t room = mbuf_room_for_mtu(dev->req_mtu);
    if (!dev->mp || dev->mbuf_room != room
        || n_rxq != dev->up.n_rxq || dev->rxq_desc != dev->req_rxq_desc
        || dev->txq_desc != dev->req_txq_desc
        || dev->n_mbufs != dev->req_n_mbufs) {
        struct rte_mempool *mp = mempool_create(dev, n_rxq, n_txq,
                                                dev->req_mtu, errp);
        if (!mp) {
            error = ENOMEM;
            goto fail;
        }
        mempool_release(dev->mp);
        dev->mp = mp;
        dev->mbuf_room = room;
        dev->n_mbufs = dev->req_n_mbufs;
    }

    error = dpdk_setup_queues(dev, n_rxq, n_txq, &info, errp);
    if (error) {
        goto fail;
    }
    error = rte_eth_dev_set_mtu(dev->port_id, dev->req_mtu);
    if (error && error != -ENOTSUP) {
        VLOG_WARN("%s: could not set MTU %d: %s", dev->up.name,
                  dev->req_mtu, rte_strerror(-error));
    }
    dev->mtu = dev->req_mtu;
    rte_eth_promiscuous_enable(dev->port_id);
    error = rte_eth_dev_start(dev->port_id);
    if (error) {
        *errp = xasprintf("could not start device: %s",
                          rte_strerror(-error));
        error = -error;
        goto fail;
    }
    dev->started = true;
    dev->applied_n_rxq = dev->req_n_rxq;

    struct rte_ether_addr mac;
    if (!rte_eth_macaddr_get(dev->port_id, &mac)) {
        memcpy(dev->mac.ea, mac.addr_bytes, ETH_ADDR_LEN);
    }
    struct rte_eth_link link;
    dev->link_up = (!rte_eth_link_get_nowait(dev->port_id, &link)
                    && link.link_status == RTE_ETH_LINK_UP);
    return 0;

fail:
    dpdk_detach(dev);
    return error ? error : EINVAL;
}

/* ------------------------------------------------------------------ */
/* The provider. */

static struct netdev *
netdev_dpdk_alloc(void)
{
    struct netdev_dpdk *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

static int
netdev_dpdk_construct(struct netdev *netdev)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);

    dev->req_n_rxq = 1;
    dev->req_rxq_desc = dev->req_txq_desc = DPDK_DEFAULT_DESC;
    dev->req_mtu = DPDK_MTU_DEFAULT;
    dev->mtu = DPDK_MTU_DEFAULT;
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    atomic_init(&dev->tx_dropped, 0);
    plx_list_push_back(&dpdk_devs, &dev->list_node);
    return 0;
}

static void
netdev_dpdk_destruct(struct netdev *netdev)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);

    dpdk_detach(dev);
    plx_list_remove(&dev->list_node);
    free(dev->req_devargs);
}

static void
netdev_dpdk_dealloc(struct netdev *netdev)
{
    free(netdev_dpdk_cast(netdev));
}

static bool
netdev_dpdk_reconf_required(const struct netdev *netdev)
{
    const struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);

    return (!dev->devargs
            || !dev->req_devargs || strcmp(dev->devargs, dev->req_devargs)
            || dev->req_n_rxq != dev->applied_n_rxq
            || dev->req_rxq_desc != dev->rxq_desc
            || dev->req_txq_desc != dev->txq_desc
            || dev->req_n_mbufs != dev->n_mbufs
            || dev->req_mtu != dev->mtu);
}

static int
netdev_dpdk_reconfigure(struct netdev *netdev, char **errp)
{
    return dpdk_apply(netdev_dpdk_cast(netdev), errp);
}

/* Parses OPTIONS[KEY] as an integer in [MIN, MAX], DEF if absent. */
static int
parse_int_option(const struct smap *options, const char *key, int def,
                 int min, int max, int *valuep, char **errp)
{
    const char *s = smap_get(options, key);
    if (!s) {
        *valuep = def;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        *errp = xasprintf("options:%s \"%s\" is not an integer between %d "
                          "and %d", key, s, min, max);
        return EINVAL;
    }
    *valuep = v;
    return 0;
}

static int
netdev_dpdk_set_config(struct netdev *netdev, const struct smap *options,
                       char **errp)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    const char *devargs = smap_get(options, "dpdk-devargs");
    int n_rxq, rxd, txd, n_mbufs;

    if (parse_int_option(options, "n_rxq", 1, 1, DPDK_MAX_RXQ, &n_rxq, errp)
        || parse_int_option(options, "n_mbufs", 0, 0, DPDK_MAX_MBUFS,
                            &n_mbufs, errp)
        || parse_int_option(options, "n_rxq_desc", DPDK_DEFAULT_DESC, 1,
                            DPDK_MAX_DESC, &rxd, errp)
        || parse_int_option(options, "n_txq_desc", DPDK_DEFAULT_DESC, 1,
                            DPDK_MAX_DESC, &txd, errp)) {
        return EINVAL;
    }
    if (!devargs || !devargs[0]) {
        *errp = xstrdup("options:dpdk-devargs is required");
        return EINVAL;
    }
    free(dev->req_devargs);
    dev->req_devargs = xstrdup(devargs);
    dev->req_n_rxq = n_rxq;
    dev->req_rxq_desc = rxd;
    dev->req_txq_desc = txd;
    dev->req_n_mbufs = n_mbufs;

    /* The first configuration starts the device at once, so that the
     * port has its queues when it joins the datapath. */
    if (!dev->devargs) {
        return dpdk_apply(dev, errp);
    }
    return 0;
}

static int
netdev_dpdk_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);

    if (mtu < 68 || mtu > 9702) {
        return EINVAL;
    }
    if (dev->devargs) {
        /* What the device can frame, at most. */
        struct rte_eth_dev_info info;
        if (!rte_eth_dev_info_get(dev->port_id, &info)
            && (mtu > info.max_mtu || mtu < info.min_mtu
                || (info.max_rx_pktlen
                    && (uint32_t) mtu + 18 > info.max_rx_pktlen))) {
            VLOG_WARN("%s: MTU %d is outside what the device supports "
                      "(%u to %u)", dev->up.name, mtu, info.min_mtu,
                      MIN(info.max_mtu, info.max_rx_pktlen - 18));
            return EINVAL;
        }
    }
    dev->req_mtu = mtu;
    if (dev->devargs && mbuf_room_for_mtu(mtu) <= dev->mbuf_room) {
        /* The buffers hold it: change the running device. */
        int error = rte_eth_dev_set_mtu(dev->port_id, mtu);
        if (!error || error == -ENOTSUP) {
            dev->mtu = mtu;
        }
    }
    return 0;
}

static int
netdev_dpdk_get_mtu(const struct netdev *netdev, int *mtup)
{
    *mtup = netdev_dpdk_cast(netdev)->mtu;
    return 0;
}

static int
netdev_dpdk_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    const struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    if (!dev->devargs) {
        return ENODEV;
    }
    *mac = dev->mac;
    return 0;
}

static int
netdev_dpdk_set_etheraddr(struct netdev *netdev, struct eth_addr mac)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    struct rte_ether_addr ea;

    if (!dev->devargs) {
        return ENODEV;
    }
    memcpy(ea.addr_bytes, mac.ea, ETH_ADDR_LEN);
    int error = rte_eth_dev_default_mac_addr_set(dev->port_id, &ea);
    if (error) {
        return -error;
    }
    dev->mac = mac;
    return 0;
}

static int
netdev_dpdk_get_carrier(const struct netdev *netdev, bool *carrier)
{
    const struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    *carrier = dev->devargs && dev->started && dev->link_up;
    return 0;
}

static int
netdev_dpdk_get_stats(const struct netdev *netdev, struct netdev_stats *s)
{
    const struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    struct rte_eth_stats st;

    memset(s, 0, sizeof *s);
    if (!dev->devargs) {
        return ENODEV;
    }
    int error = rte_eth_stats_get(dev->port_id, &st);
    if (error) {
        return -error;
    }
    s->rx_packets = st.ipackets;
    s->tx_packets = st.opackets;
    s->rx_bytes = st.ibytes;
    s->tx_bytes = st.obytes;
    s->rx_errors = st.ierrors;
    s->tx_errors = st.oerrors;
    s->rx_dropped = st.imissed + st.rx_nombuf;
    s->tx_dropped = atomic_load_explicit(
        &((struct netdev_dpdk *) dev)->tx_dropped, memory_order_relaxed);
    return 0;
}

static int
netdev_dpdk_get_status(const struct netdev *netdev, struct smap *status)
{
    const struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    struct rte_eth_dev_info info;

    if (!dev->devargs || rte_eth_dev_info_get(dev->port_id, &info)) {
        return ENODEV;
    }
    smap_add_format(status, "port_no", "%u", dev->port_id);
    smap_add_format(status, "numa_id", "%d",
                    rte_eth_dev_socket_id(dev->port_id));
    smap_add(status, "driver_name", info.driver_name);
    smap_add_format(status, "if_descr", "%s %s", rte_version(),
                    info.driver_name);
    smap_add(status, "devargs", dev->devargs);
    smap_add_format(status, "max_rx_queues", "%u", info.max_rx_queues);
    smap_add_format(status, "max_tx_queues", "%u", info.max_tx_queues);
    smap_add_format(status, "n_rxq", "%d", dev->up.n_rxq);
    smap_add_format(status, "n_txq", "%d", dev->up.n_txq);
    smap_add_format(status, "n_rxq_desc", "%d", dev->rxq_desc);
    smap_add_format(status, "n_txq_desc", "%d", dev->txq_desc);
    smap_add_format(status, "max_rx_pktlen", "%u", info.max_rx_pktlen);
    smap_add_format(status, "mbuf_size", "%u", dev->mbuf_room);
    return 0;
}

static int
netdev_dpdk_update_flags(struct netdev *netdev, enum netdev_flags off,
                         enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    enum netdev_flags new = (dev->flags & ~off) | on;

    *old = dev->flags;
    if (dev->devargs && (new ^ dev->flags) & NETDEV_UP) {
        int error = (new & NETDEV_UP
                     ? rte_eth_dev_set_link_up(dev->port_id)
                     : rte_eth_dev_set_link_down(dev->port_id));
        if (error && error != -ENOTSUP) {
            return -error;
        }
    }
    if (dev->devargs && (new ^ dev->flags) & NETDEV_PROMISC) {
        if (new & NETDEV_PROMISC) {
            rte_eth_promiscuous_enable(dev->port_id);
        } else {
            rte_eth_promiscuous_disable(dev->port_id);
        }
    }
    dev->flags = new;
    return 0;
}

static void
netdev_dpdk_run(const struct netdev_class *class PLX_UNUSED)
{
    struct netdev_dpdk *dev;

    if (!dpdk_is_initialized() || time_msec() < next_link_poll) {
        return;
    }
    next_link_poll = time_msec() + 1000;
    mempool_sweep();
    LIST_FOR_EACH (dev, list_node, &dpdk_devs) {
        struct rte_eth_link link;
        if (!dev->started
            || rte_eth_link_get_nowait(dev->port_id, &link)) {
            continue;
        }
        bool up = link.link_status == RTE_ETH_LINK_UP;
        if (up != dev->link_up) {
            VLOG_INFO("%s: link is %s", dev->up.name, up ? "up" : "down");
            dev->link_up = up;
            netdev_changed(&dev->up);
        }
    }
}

static void
netdev_dpdk_wait(const struct netdev_class *class PLX_UNUSED)
{
    if (dpdk_is_initialized() && !plx_list_is_empty(&dpdk_devs)) {
        poll_timer_wait_until(next_link_poll);
    }
}

/* ------------------------------------------------------------------ */
/* The packet path. */

static void
mbuf_release(struct dp_packet *p PLX_UNUSED, void *m)
{
    rte_pktmbuf_free(m);
}

static struct netdev_rxq *
netdev_dpdk_rxq_alloc(void)
{
    struct netdev_rxq_dpdk *rxq = xzalloc(sizeof *rxq);
    return &rxq->up;
}

static int
netdev_dpdk_rxq_construct(struct netdev_rxq *rxq PLX_UNUSED)
{
    return 0;
}

static void
netdev_dpdk_rxq_destruct(struct netdev_rxq *rxq PLX_UNUSED)
{
}

static void
netdev_dpdk_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(CONTAINER_OF(rxq, struct netdev_rxq_dpdk, up));
}

/* A packet made of a chain of mbufs, copied into one malloc'd buffer. */
static struct dp_packet *
linearize(struct rte_mbuf *m)
{
    struct dp_packet *p = dp_packet_new_with_headroom(
        m->pkt_len, DP_PACKET_DEFAULT_HEADROOM);
    void *dst = dp_packet_put_uninit(p, m->pkt_len);
    const void *src = rte_pktmbuf_read(m, 0, m->pkt_len, dst);
    if (src != dst) {
        memcpy(dst, src, m->pkt_len);
    }
    rte_pktmbuf_free(m);
    return p;
}

static int
netdev_dpdk_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(rxq->netdev);
    struct rte_mbuf *mbufs[NETDEV_MAX_BURST];

    dpdk_thread_register();
    uint16_t n = rte_eth_rx_burst(dev->port_id, rxq->queue_id, mbufs,
                                  NETDEV_MAX_BURST);
    if (!n) {
        return EAGAIN;
    }
    dp_packet_batch_init(batch);
    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = mbufs[i];
        struct dp_packet *p;

        if (PLX_UNLIKELY(m->nb_segs > 1)) {
            p = linearize(m);
        } else {
            p = rte_mbuf_to_priv(m);
            dp_packet_use_embedded(p, m->buf_addr, m->buf_len, m->data_off,
                                   m->data_len, mbuf_release, m);
            if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) {
                p->rss_hash = m->hash.rss;
                p->rss_hash_valid = true;
            }
        }
        dp_packet_batch_add(batch, p);
    }
    return 0;
}

static bool
netdev_dpdk_rxq_wait(struct netdev_rxq *rxq PLX_UNUSED)
{
    return false;
}

/* The mbuf that P wraps, if P is a received DPDK packet whose data still
 * lives in it; otherwise NULL. */
static struct rte_mbuf *
packet_mbuf(struct dp_packet *p)
{
    if (p->embedded && p->source == DPBUF_DPDK
        && p->release == mbuf_release) {
        struct rte_mbuf *m = p->release_aux;
        m->data_off = p->data_ofs_;
        m->data_len = m->pkt_len = dp_packet_size(p);
        m->ol_flags = 0;
        return m;
    }
    return NULL;
}

/* A copy of P in an mbuf of DEV's pool, or NULL. */
static struct rte_mbuf *
copy_to_mbuf(struct netdev_dpdk *dev, const struct dp_packet *p)
{
    uint32_t size = dp_packet_size(p);
    struct rte_mbuf *m = rte_pktmbuf_alloc(dev->mp);

    if (m && size <= rte_pktmbuf_tailroom(m)) {
        memcpy(rte_pktmbuf_mtod(m, void *), dp_packet_data(p), size);
        m->data_len = m->pkt_len = size;
        return m;
    }
    rte_pktmbuf_free(m);
    return NULL;
}

static int
dpdk_send__(struct netdev *netdev, int qid, struct dp_packet_batch *batch,
            bool steal)
{
    struct netdev_dpdk *dev = netdev_dpdk_cast(netdev);
    struct rte_mbuf *mbufs[NETDEV_MAX_BURST];
    uint32_t max_frame = dev->mtu + DPDK_FRAME_OVERHEAD;
    unsigned int n = 0, dropped = 0;

    dpdk_thread_register();
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        struct rte_mbuf *m = NULL;

        if (dp_packet_size(p) > max_frame) {
            /* Too big for the port's MTU. */
        } else if (steal && (m = packet_mbuf(p)) != NULL) {
            mbufs[n++] = m;         /* The driver frees it, and P. */
            continue;
        } else {
            m = copy_to_mbuf(dev, p);
        }
        if (m) {
            mbufs[n++] = m;
        } else {
            dropped++;
        }
        if (steal) {
            dp_packet_delete(p);
        }
    }

    unsigned int sent = 0;
    while (sent < n) {
        uint16_t k = rte_eth_tx_burst(dev->port_id, qid, mbufs + sent,
                                      n - sent);
        if (!k) {
            break;
        }
        sent += k;
    }
    if (sent < n) {
        rte_pktmbuf_free_bulk(mbufs + sent, n - sent);
        dropped += n - sent;
    }
    if (dropped) {
        atomic_fetch_add_explicit(&dev->tx_dropped, dropped,
                                  memory_order_relaxed);
        return ENOBUFS;
    }
    return 0;
}

static int
netdev_dpdk_send(struct netdev *netdev, int qid,
                 struct dp_packet_batch *batch)
{
    return dpdk_send__(netdev, qid, batch, false);
}

static int
netdev_dpdk_send_steal(struct netdev *netdev, int qid,
                       struct dp_packet_batch *batch)
{
    return dpdk_send__(netdev, qid, batch, true);
}

const struct netdev_class netdev_dpdk_class = {
    .type = "dpdk",
    .run = netdev_dpdk_run,
    .wait = netdev_dpdk_wait,
    .alloc = netdev_dpdk_alloc,
    .construct = netdev_dpdk_construct,
    .destruct = netdev_dpdk_destruct,
    .dealloc = netdev_dpdk_dealloc,
    .set_config = netdev_dpdk_set_config,
    .rxq_alloc = netdev_dpdk_rxq_alloc,
    .rxq_construct = netdev_dpdk_rxq_construct,
    .rxq_destruct = netdev_dpdk_rxq_destruct,
    .rxq_dealloc = netdev_dpdk_rxq_dealloc,
    .rxq_recv = netdev_dpdk_rxq_recv,
    .rxq_wait = netdev_dpdk_rxq_wait,
    .send = netdev_dpdk_send,
    .send_steal = netdev_dpdk_send_steal,
    .reconf_required = netdev_dpdk_reconf_required,
    .reconfigure = netdev_dpdk_reconfigure,
    .get_etheraddr = netdev_dpdk_get_etheraddr,
    .set_etheraddr = netdev_dpdk_set_etheraddr,
    .get_mtu = netdev_dpdk_get_mtu,
    .set_mtu = netdev_dpdk_set_mtu,
    .get_carrier = netdev_dpdk_get_carrier,
    .get_stats = netdev_dpdk_get_stats,
    .get_status = netdev_dpdk_get_status,
    .update_flags = netdev_dpdk_update_flags,
};
