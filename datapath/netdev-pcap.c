/*
 * netdev-pcap: the "pcap" network device type, for tests and for
 * capturing a port.
 *
 * Options:
 *   rxpcap=FILE   packets read from FILE (a classic pcap capture of
 *                 Ethernet frames) are what the port receives, in order,
 *                 once; at the end of the file the port goes quiet.
 *   rx_rate=PPS   receive at most PPS packets per second (default 0: as
 *                 fast as the port is polled).
 *   txpcap=FILE   packets sent on the port are appended to FILE (created
 *                 or truncated when the option is set), which is flushed
 *                 after every batch, so that a reader sees whole packets.
 * Setting the same option again leaves the file as it is (a replay is not
 * restarted by an unrelated configuration change); a different FILE, or
 * removing the option, closes the old one.  Without txpcap, sent packets
 * are counted and discarded.
 *
 * A captured frame shorter than an Ethernet header is skipped and counted
 * as an rx error; a corrupt file ends the replay (logged, rate-limited).
 * MAC, MTU and flags live in memory; carrier is always on.
 *
 * One mutex guards the device, so that the main thread may reconfigure it
 * while a PMD thread receives or sends.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include "dp-packet.h"
#include "latch.h"
#include "netdev.h"
#include "netdev-soft.h"
#include "pcap-file.h"
#include "poll-loop.h"
#include "smap.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_pcap);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct netdev_pcap {
    struct netdev_soft soft;    /* First: see netdev-soft.h. */

    struct pcap_file *rx;       /* NULL if no rxpcap or at its end. */
    char *rx_name;              /* rxpcap option, or NULL. */
    unsigned int rx_rate;       /* Packets per second, 0 = unlimited. */
    long long int rx_next_usec; /* time_usec() when the next may go. */
    struct pcap_file *tx;
    char *tx_name;
    struct latch rx_latch;      /* Set when receiving may have resumed. */
};

static struct netdev_pcap *
netdev_pcap_cast(const struct netdev *netdev)
{
    plx_assert(netdev->netdev_class == &netdev_pcap_class);
    return CONTAINER_OF(netdev, struct netdev_pcap, soft.up);
}

static struct netdev *
netdev_pcap_alloc(void)
{
    struct netdev_pcap *dev = xzalloc(sizeof *dev);
    return &dev->soft.up;
}

static int
netdev_pcap_construct(struct netdev *netdev)
{
    struct netdev_pcap *dev = netdev_pcap_cast(netdev);

    netdev_soft_init(&dev->soft, 0x66);     /* aa:66:xx:xx:xx:xx */
    latch_init(&dev->rx_latch);
    return 0;
}

static void
netdev_pcap_close_rx(struct netdev_pcap *dev)
{
    pcap_file_close(dev->rx);
    dev->rx = NULL;
    free(dev->rx_name);
    dev->rx_name = NULL;
}

static void
netdev_pcap_close_tx(struct netdev_pcap *dev)
{
    pcap_file_close(dev->tx);
    dev->tx = NULL;
    free(dev->tx_name);
    dev->tx_name = NULL;
}

static void
netdev_pcap_destruct(struct netdev *netdev)
{
    struct netdev_pcap *dev = netdev_pcap_cast(netdev);

    netdev_pcap_close_rx(dev);
    netdev_pcap_close_tx(dev);
    latch_destroy(&dev->rx_latch);
    netdev_soft_destroy(&dev->soft);
}

static void
netdev_pcap_dealloc(struct netdev *netdev)
{
    free(netdev_pcap_cast(netdev));
}

static bool
same_name(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

static int
netdev_pcap_set_config(struct netdev *netdev, const struct smap *options,
                       char **errp)
{
    struct netdev_pcap *dev = netdev_pcap_cast(netdev);
    struct smap_node *node;

    SMAP_FOR_EACH (node, options) {
        if (strcmp(node->key, "rxpcap") && strcmp(node->key, "txpcap")
            && strcmp(node->key, "rx_rate")) {
            *errp = xasprintf("%s: unknown option \"%s\"",
                              netdev->name, node->key);
            return EINVAL;
        }
    }

    const char *rate_s = smap_get(options, "rx_rate");
    unsigned int rate = 0;
    if (rate_s && (!str_to_uint(rate_s, 10, &rate) || rate > 100000000)) {
        *errp = xasprintf("%s: rx_rate must be a number of packets per "
                          "second, not \"%s\"", netdev->name, rate_s);
        return EINVAL;
    }

    /* Open new files before touching the device, so that a failure
     * changes nothing. */
    const char *rx_name = smap_get(options, "rxpcap");
    const char *tx_name = smap_get(options, "txpcap");
    struct pcap_file *rx = NULL, *tx = NULL;

    pthread_mutex_lock(&dev->soft.mutex);
    bool new_rx = rx_name && !same_name(rx_name, dev->rx_name);
    bool new_tx = tx_name && !same_name(tx_name, dev->tx_name);
    pthread_mutex_unlock(&dev->soft.mutex);

    char *err = NULL;
    if (new_rx) {
        err = pcap_file_open_read(rx_name, &rx);
    }
    if (!err && new_tx) {
        if (rx_name && !strcmp(rx_name, tx_name)) {
            err = xasprintf("rxpcap and txpcap cannot be the same file");
        } else {
            err = pcap_file_open_write(tx_name, &tx);
        }
    }
    if (err) {
        *errp = xasprintf("%s: %s", netdev->name, err);
        free(err);
        pcap_file_close(rx);
        return EINVAL;
    }

    pthread_mutex_lock(&dev->soft.mutex);
    if (new_rx || !rx_name) {
        netdev_pcap_close_rx(dev);
        if (rx) {
            dev->rx = rx;
            dev->rx_name = xstrdup(rx_name);
            dev->rx_next_usec = time_usec();
            latch_set(&dev->rx_latch);
        }
    }
    if (new_tx || !tx_name) {
        netdev_pcap_close_tx(dev);
        if (tx) {
            dev->tx = tx;
            dev->tx_name = xstrdup(tx_name);
        }
    }
    dev->rx_rate = rate;
    pthread_mutex_unlock(&dev->soft.mutex);
    return 0;
}

static struct netdev_rxq *
netdev_pcap_rxq_alloc(void)
{
    return xzalloc(sizeof(struct netdev_rxq));
}

static int
netdev_pcap_rxq_construct(struct netdev_rxq *rxq PLX_UNUSED)
{
    return 0;
}

static void
netdev_pcap_rxq_destruct(struct netdev_rxq *rxq PLX_UNUSED)
{
}

static void
netdev_pcap_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(rxq);
}

/* How many packets the rate allows now (with the lock held). */
static size_t
netdev_pcap_rx_allowance(struct netdev_pcap *dev, long long int now)
{
    if (!dev->rx_rate) {
        return NETDEV_MAX_BURST;
    }
    /* Never bank more than a burst's worth of idle time. */
    long long int interval = 1000000LL / dev->rx_rate;
    long long int earliest = now - interval * NETDEV_MAX_BURST;
    if (dev->rx_next_usec < earliest) {
        dev->rx_next_usec = earliest;
    }
    if (dev->rx_next_usec > now) {
        return 0;
    }
    long long int n = (now - dev->rx_next_usec) / MAX(interval, 1) + 1;
    return MIN(n, NETDEV_MAX_BURST);
}

static int
netdev_pcap_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch)
{
    struct netdev_pcap *dev = netdev_pcap_cast(rxq->netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    if (dev->rx && dev->soft.flags & NETDEV_UP) {
        size_t allowed = netdev_pcap_rx_allowance(dev, time_usec());
        while (batch->count < allowed && dev->rx) {
            struct dp_packet *pkt;
            int error = pcap_file_read(dev->rx, &pkt, NULL);
            if (error) {
                if (error != EOF) {
                    VLOG_WARN_RL(&rl, "%s: error reading %s, replay "
                                 "stops (%s)", rxq->netdev->name,
                                 dev->rx_name, plx_strerror(error));
                    dev->soft.stats.rx_errors++;
                }
                /* Keep the name, so that the same configuration does not
                 * restart the replay. */
                pcap_file_close(dev->rx);
                dev->rx = NULL;
                break;
            }
            if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
                dev->soft.stats.rx_errors++;
                dp_packet_delete(pkt);
                continue;
            }
            dev->soft.stats.rx_packets++;
            dev->soft.stats.rx_bytes += dp_packet_size(pkt);
            dp_packet_batch_add__(batch, pkt);
            if (dev->rx_rate) {
                dev->rx_next_usec += 1000000LL / dev->rx_rate;
            }
        }
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return batch->count ? 0 : EAGAIN;
}

static bool
netdev_pcap_rxq_wait(struct netdev_rxq *rxq)
{
    struct netdev_pcap *dev = netdev_pcap_cast(rxq->netdev);

    /* Every change that may resume receiving is made under the mutex and
     * then sets the latch, so clearing it first loses no wakeup. */
    pthread_mutex_lock(&dev->soft.mutex);
    latch_poll(&dev->rx_latch);
    if (dev->rx && dev->soft.flags & NETDEV_UP) {
        if (!dev->rx_rate || dev->rx_next_usec <= time_usec()) {
            poll_immediate_wake();
        } else {
            poll_timer_wait_until(DIV_ROUND_UP(dev->rx_next_usec, 1000));
        }
    } else {
        latch_wait(&dev->rx_latch);
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return true;
}

static int
netdev_pcap_send(struct netdev *netdev, int qid PLX_UNUSED,
                 struct dp_packet_batch *batch)
{
    struct netdev_pcap *dev = netdev_pcap_cast(netdev);
    long long int now = time_wall_msec() * 1000;
    struct dp_packet *pkt;
    int error = 0;

    pthread_mutex_lock(&dev->soft.mutex);
    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        int err = 0;
        if (!(dev->soft.flags & NETDEV_UP)) {
            err = ENETDOWN;
            dev->soft.stats.tx_dropped++;
        } else if (dev->tx && (err = pcap_file_write(dev->tx, pkt, now))) {
            dev->soft.stats.tx_errors++;
        } else {
            dev->soft.stats.tx_packets++;
            dev->soft.stats.tx_bytes += dp_packet_size(pkt);
        }
        error = error ? error : err;
    }
    if (dev->tx) {
        int err = pcap_file_flush(dev->tx);
        error = error ? error : err;
    }
    pthread_mutex_unlock(&dev->soft.mutex);

    if (error) {
        VLOG_WARN_RL(&rl, "%s: error sending (%s)", netdev->name,
                     plx_strerror(error));
    }
    return error;
}

static int
netdev_pcap_update_flags(struct netdev *netdev, enum netdev_flags off,
                         enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_pcap *dev = netdev_pcap_cast(netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    int error = netdev_soft_change_flags(&dev->soft, off, on, old);
    if (!error && on & NETDEV_UP) {
        latch_set(&dev->rx_latch);
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return error;
}

const struct netdev_class netdev_pcap_class = {
    .type = "pcap",
    .alloc = netdev_pcap_alloc,
    .construct = netdev_pcap_construct,
    .destruct = netdev_pcap_destruct,
    .dealloc = netdev_pcap_dealloc,
    .set_config = netdev_pcap_set_config,
    .rxq_alloc = netdev_pcap_rxq_alloc,
    .rxq_construct = netdev_pcap_rxq_construct,
    .rxq_destruct = netdev_pcap_rxq_destruct,
    .rxq_dealloc = netdev_pcap_rxq_dealloc,
    .rxq_recv = netdev_pcap_rxq_recv,
    .rxq_wait = netdev_pcap_rxq_wait,
    .send = netdev_pcap_send,
    .get_etheraddr = netdev_soft_get_etheraddr,
    .set_etheraddr = netdev_soft_set_etheraddr,
    .get_mtu = netdev_soft_get_mtu,
    .set_mtu = netdev_soft_set_mtu,
    .get_carrier = netdev_soft_get_carrier,
    .get_stats = netdev_soft_get_stats,
    .update_flags = netdev_pcap_update_flags,
};
