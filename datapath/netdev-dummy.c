/* netdev-dummy: in-memory network devices for tests (see
 * netdev-dummy.h).  One mutex per device guards everything in it, since
 * tests and PMD threads touch the queues from different threads. */
#include <config.h>
#include "netdev-dummy.h"

#include <errno.h>
#include <pthread.h>
#include "dp-packet.h"
#include "latch.h"
#include "netdev.h"
#include "netdev-soft.h"
#include "poll-loop.h"
#include "smap.h"
#include "util.h"

/* A bounded FIFO of packets. */
struct dummy_fifo {
    struct dp_packet *pkts[NETDEV_DUMMY_QUEUE_LEN];
    int qids[NETDEV_DUMMY_QUEUE_LEN];
    size_t head;                /* Index of the oldest packet. */
    size_t n;
};

static bool
dummy_fifo_push(struct dummy_fifo *f, struct dp_packet *pkt, int qid)
{
    if (f->n >= NETDEV_DUMMY_QUEUE_LEN) {
        return false;
    }
    size_t i = (f->head + f->n++) % NETDEV_DUMMY_QUEUE_LEN;
    f->pkts[i] = pkt;
    f->qids[i] = qid;
    return true;
}

static struct dp_packet *
dummy_fifo_pop(struct dummy_fifo *f, int *qidp)
{
    if (!f->n) {
        return NULL;
    }
    struct dp_packet *pkt = f->pkts[f->head];
    if (qidp) {
        *qidp = f->qids[f->head];
    }
    f->head = (f->head + 1) % NETDEV_DUMMY_QUEUE_LEN;
    f->n--;
    return pkt;
}

static void
dummy_fifo_clear(struct dummy_fifo *f)
{
    struct dp_packet *pkt;
    while ((pkt = dummy_fifo_pop(f, NULL))) {
        dp_packet_delete(pkt);
    }
}

struct netdev_dummy {
    struct netdev_soft soft;    /* First: see netdev-soft.h. */

    bool rx_wakeup;             /* False: emulate a polled-only device. */
    int n_open_rxqs;
    struct dummy_fifo *rx[NETDEV_DUMMY_MAX_RXQ];  /* One per rx queue. */
    struct latch rx_latch[NETDEV_DUMMY_MAX_RXQ];  /* Set on injection. */
    struct dummy_fifo sent;
};

struct netdev_rxq_dummy {
    struct netdev_rxq up;
};

static struct netdev_dummy *
netdev_dummy_cast(const struct netdev *netdev)
{
    plx_assert(netdev->netdev_class == &netdev_dummy_class);
    return CONTAINER_OF(netdev, struct netdev_dummy, soft.up);
}

bool
netdev_is_dummy(const struct netdev *netdev)
{
    return netdev->netdev_class == &netdev_dummy_class;
}

static struct netdev *
netdev_dummy_alloc(void)
{
    struct netdev_dummy *dev = xzalloc(sizeof *dev);
    return &dev->soft.up;
}

static int
netdev_dummy_construct(struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    netdev_soft_init(&dev->soft, 0x55);     /* aa:55:xx:xx:xx:xx */
    dev->rx_wakeup = true;
    for (int i = 0; i < NETDEV_DUMMY_MAX_RXQ; i++) {
        dev->rx[i] = xzalloc(sizeof *dev->rx[i]);
        latch_init(&dev->rx_latch[i]);
    }
    return 0;
}

static void
netdev_dummy_destruct(struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    for (int i = 0; i < NETDEV_DUMMY_MAX_RXQ; i++) {
        dummy_fifo_clear(dev->rx[i]);
        free(dev->rx[i]);
        latch_destroy(&dev->rx_latch[i]);
    }
    dummy_fifo_clear(&dev->sent);
    netdev_soft_destroy(&dev->soft);
}

static void
netdev_dummy_dealloc(struct netdev *netdev)
{
    free(netdev_dummy_cast(netdev));
}

static int
netdev_dummy_set_config(struct netdev *netdev, const struct smap *options,
                        char **errp)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct smap_node *node;
    int error = 0;

    SMAP_FOR_EACH (node, options) {
        if (strcmp(node->key, "n_rxq") && strcmp(node->key, "rx_wakeup")) {
            *errp = xasprintf("%s: unknown option \"%s\"",
                              netdev->name, node->key);
            return EINVAL;
        }
    }

    const char *n_rxq_s = smap_get(options, "n_rxq");
    int n_rxq = 1;
    if (n_rxq_s && (!str_to_int(n_rxq_s, 10, &n_rxq)
                    || n_rxq < 1 || n_rxq > NETDEV_DUMMY_MAX_RXQ)) {
        *errp = xasprintf("%s: n_rxq must be between 1 and %d, not \"%s\"",
                          netdev->name, NETDEV_DUMMY_MAX_RXQ, n_rxq_s);
        return EINVAL;
    }

    const char *wakeup_s = smap_get(options, "rx_wakeup");
    if (wakeup_s && strcmp(wakeup_s, "true") && strcmp(wakeup_s, "false")) {
        *errp = xasprintf("%s: rx_wakeup must be \"true\" or \"false\", "
                          "not \"%s\"", netdev->name, wakeup_s);
        return EINVAL;
    }

    pthread_mutex_lock(&dev->soft.mutex);
    dev->rx_wakeup = !wakeup_s || !strcmp(wakeup_s, "true");
    if (n_rxq != netdev->n_rxq) {
        if (dev->n_open_rxqs) {
            *errp = xasprintf("%s: cannot change n_rxq while rx queues are "
                              "open", netdev->name);
            error = EBUSY;
        } else {
            for (int i = n_rxq; i < NETDEV_DUMMY_MAX_RXQ; i++) {
                dummy_fifo_clear(dev->rx[i]);
            }
            netdev->n_rxq = n_rxq;
            netdev->n_txq = n_rxq;
        }
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return error;
}

static struct netdev_rxq *
netdev_dummy_rxq_alloc(void)
{
    struct netdev_rxq_dummy *rxq = xzalloc(sizeof *rxq);
    return &rxq->up;
}

static int
netdev_dummy_rxq_construct(struct netdev_rxq *rxq)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    dev->n_open_rxqs++;
    pthread_mutex_unlock(&dev->soft.mutex);
    return 0;
}

static void
netdev_dummy_rxq_destruct(struct netdev_rxq *rxq)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    dev->n_open_rxqs--;
    pthread_mutex_unlock(&dev->soft.mutex);
}

static void
netdev_dummy_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(CONTAINER_OF(rxq, struct netdev_rxq_dummy, up));
}

static int
netdev_dummy_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);
    struct dummy_fifo *fifo = dev->rx[rxq->queue_id];

    latch_poll(&dev->rx_latch[rxq->queue_id]);
    pthread_mutex_lock(&dev->soft.mutex);
    while (batch->count < NETDEV_MAX_BURST && fifo->n) {
        struct dp_packet *pkt = dummy_fifo_pop(fifo, NULL);
        dev->soft.stats.rx_packets++;
        dev->soft.stats.rx_bytes += dp_packet_size(pkt);
        dp_packet_batch_add__(batch, pkt);
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return batch->count ? 0 : EAGAIN;
}

static bool
netdev_dummy_rxq_wait(struct netdev_rxq *rxq)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    bool ready = dev->rx[rxq->queue_id]->n > 0;
    bool wakeup = dev->rx_wakeup;
    pthread_mutex_unlock(&dev->soft.mutex);
    if (!wakeup) {
        return false;
    }
    if (ready) {
        poll_immediate_wake();
    } else {
        latch_wait(&dev->rx_latch[rxq->queue_id]);
    }
    return true;
}

static int
netdev_dummy_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct dp_packet *pkt;
    int error = 0;

    pthread_mutex_lock(&dev->soft.mutex);
    bool up = dev->soft.carrier && dev->soft.flags & NETDEV_UP;
    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        size_t size = dp_packet_size(pkt);
        if (!up) {
            error = error ? error : ENETDOWN;
            dev->soft.stats.tx_dropped++;
        } else if (size > ((size_t) dev->soft.mtu + ETH_HEADER_LEN
                           + VLAN_HEADER_LEN)
                   || size < ETH_HEADER_LEN) {
            error = error ? error : EMSGSIZE;
            dev->soft.stats.tx_errors++;
        } else {
            struct dp_packet *copy = dp_packet_clone(pkt);
            if (!dummy_fifo_push(&dev->sent, copy, qid)) {
                dp_packet_delete(copy);
                error = error ? error : ENOBUFS;
                dev->soft.stats.tx_dropped++;
            } else {
                dev->soft.stats.tx_packets++;
                dev->soft.stats.tx_bytes += size;
            }
        }
    }
    pthread_mutex_unlock(&dev->soft.mutex);
    return error;
}

int
netdev_dummy_receive(struct netdev *netdev, int rxq_id,
                     struct dp_packet *pkt)
{
    if (!netdev_is_dummy(netdev) || rxq_id < 0
        || rxq_id >= netdev->n_rxq) {
        dp_packet_delete(pkt);
        return EINVAL;
    }

    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    int error = 0;

    pthread_mutex_lock(&dev->soft.mutex);
    if (!dev->soft.carrier || !(dev->soft.flags & NETDEV_UP)) {
        dev->soft.stats.rx_dropped++;
        error = ENETDOWN;
    } else if (!dummy_fifo_push(dev->rx[rxq_id], pkt, rxq_id)) {
        dev->soft.stats.rx_dropped++;
        error = ENOBUFS;
    }
    pthread_mutex_unlock(&dev->soft.mutex);

    if (error) {
        dp_packet_delete(pkt);
    } else {
        latch_set(&dev->rx_latch[rxq_id]);
    }
    return error;
}

struct dp_packet *
netdev_dummy_pop_sent(struct netdev *netdev, int *qidp)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    struct dp_packet *pkt = dummy_fifo_pop(&dev->sent, qidp);
    pthread_mutex_unlock(&dev->soft.mutex);
    return pkt;
}

size_t
netdev_dummy_n_sent(const struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    size_t n = dev->sent.n;
    pthread_mutex_unlock(&dev->soft.mutex);
    return n;
}

void
netdev_dummy_set_carrier(struct netdev *netdev, bool carrier)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->soft.mutex);
    bool changed = dev->soft.carrier != carrier;
    dev->soft.carrier = carrier;
    pthread_mutex_unlock(&dev->soft.mutex);
    if (changed) {
        netdev_changed(netdev);
    }
}

const struct netdev_class netdev_dummy_class = {
    .type = "dummy",
    .alloc = netdev_dummy_alloc,
    .construct = netdev_dummy_construct,
    .destruct = netdev_dummy_destruct,
    .dealloc = netdev_dummy_dealloc,
    .set_config = netdev_dummy_set_config,
    .rxq_alloc = netdev_dummy_rxq_alloc,
    .rxq_construct = netdev_dummy_rxq_construct,
    .rxq_destruct = netdev_dummy_rxq_destruct,
    .rxq_dealloc = netdev_dummy_rxq_dealloc,
    .rxq_recv = netdev_dummy_rxq_recv,
    .rxq_wait = netdev_dummy_rxq_wait,
    .send = netdev_dummy_send,
    .get_etheraddr = netdev_soft_get_etheraddr,
    .set_etheraddr = netdev_soft_set_etheraddr,
    .get_mtu = netdev_soft_get_mtu,
    .set_mtu = netdev_soft_set_mtu,
    .get_carrier = netdev_soft_get_carrier,
    .get_stats = netdev_soft_get_stats,
    .update_flags = netdev_soft_update_flags,
};
