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
    struct netdev up;

    pthread_mutex_t mutex;
    struct eth_addr mac;
    int mtu;
    bool carrier;
    enum netdev_flags flags;
    struct netdev_stats stats;
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
    return CONTAINER_OF(netdev, struct netdev_dummy, up);
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
    return &dev->up;
}

static int
netdev_dummy_construct(struct netdev *netdev)
{
    static uint32_t next_id;
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    uint32_t id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);

    pthread_mutex_init(&dev->mutex, NULL);
    /* aa:55:xx:xx:xx:xx, unique per device in this process. */
    dev->mac = (struct eth_addr) { { { 0xaa, 0x55, id >> 24, id >> 16,
                                       id >> 8, id } } };
    dev->mtu = 1500;
    dev->carrier = true;
    dev->flags = NETDEV_UP;
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
    pthread_mutex_destroy(&dev->mutex);
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
        if (strcmp(node->key, "n_rxq")) {
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

    pthread_mutex_lock(&dev->mutex);
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
    pthread_mutex_unlock(&dev->mutex);
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

    pthread_mutex_lock(&dev->mutex);
    dev->n_open_rxqs++;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static void
netdev_dummy_rxq_destruct(struct netdev_rxq *rxq)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);

    pthread_mutex_lock(&dev->mutex);
    dev->n_open_rxqs--;
    pthread_mutex_unlock(&dev->mutex);
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
    pthread_mutex_lock(&dev->mutex);
    while (batch->count < NETDEV_MAX_BURST && fifo->n) {
        struct dp_packet *pkt = dummy_fifo_pop(fifo, NULL);
        dev->stats.rx_packets++;
        dev->stats.rx_bytes += dp_packet_size(pkt);
        dp_packet_batch_add__(batch, pkt);
    }
    pthread_mutex_unlock(&dev->mutex);
    return batch->count ? 0 : EAGAIN;
}

static void
netdev_dummy_rxq_wait(struct netdev_rxq *rxq)
{
    struct netdev_dummy *dev = netdev_dummy_cast(rxq->netdev);

    pthread_mutex_lock(&dev->mutex);
    bool ready = dev->rx[rxq->queue_id]->n > 0;
    pthread_mutex_unlock(&dev->mutex);
    if (ready) {
        poll_immediate_wake();
    } else {
        latch_wait(&dev->rx_latch[rxq->queue_id]);
    }
}

static int
netdev_dummy_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct dp_packet *pkt;
    int error = 0;

    pthread_mutex_lock(&dev->mutex);
    bool up = dev->carrier && dev->flags & NETDEV_UP;
    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        size_t size = dp_packet_size(pkt);
        if (!up) {
            error = error ? error : ENETDOWN;
            dev->stats.tx_dropped++;
        } else if (size > (size_t) dev->mtu + ETH_HEADER_LEN + VLAN_HEADER_LEN
                   || size < ETH_HEADER_LEN) {
            error = error ? error : EMSGSIZE;
            dev->stats.tx_errors++;
        } else {
            struct dp_packet *copy = dp_packet_clone(pkt);
            if (!dummy_fifo_push(&dev->sent, copy, qid)) {
                dp_packet_delete(copy);
                error = error ? error : ENOBUFS;
                dev->stats.tx_dropped++;
            } else {
                dev->stats.tx_packets++;
                dev->stats.tx_bytes += size;
            }
        }
    }
    pthread_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dummy_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    *mac = dev->mac;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_set_etheraddr(struct netdev *netdev, struct eth_addr mac)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    dev->mac = mac;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    *mtup = dev->mtu;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    dev->mtu = mtu;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_get_carrier(const struct netdev *netdev, bool *carrierp)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    *carrierp = dev->carrier;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    *stats = dev->stats;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_dummy_update_flags(struct netdev *netdev, enum netdev_flags off,
                          enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    pthread_mutex_lock(&dev->mutex);
    *old = dev->flags;
    dev->flags = (dev->flags & ~off) | on;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
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

    pthread_mutex_lock(&dev->mutex);
    if (!dev->carrier || !(dev->flags & NETDEV_UP)) {
        dev->stats.rx_dropped++;
        error = ENETDOWN;
    } else if (!dummy_fifo_push(dev->rx[rxq_id], pkt, rxq_id)) {
        dev->stats.rx_dropped++;
        error = ENOBUFS;
    }
    pthread_mutex_unlock(&dev->mutex);

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

    pthread_mutex_lock(&dev->mutex);
    struct dp_packet *pkt = dummy_fifo_pop(&dev->sent, qidp);
    pthread_mutex_unlock(&dev->mutex);
    return pkt;
}

size_t
netdev_dummy_n_sent(const struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    size_t n = dev->sent.n;
    pthread_mutex_unlock(&dev->mutex);
    return n;
}

void
netdev_dummy_set_carrier(struct netdev *netdev, bool carrier)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    bool changed = dev->carrier != carrier;
    dev->carrier = carrier;
    pthread_mutex_unlock(&dev->mutex);
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
    .get_etheraddr = netdev_dummy_get_etheraddr,
    .set_etheraddr = netdev_dummy_set_etheraddr,
    .get_mtu = netdev_dummy_get_mtu,
    .set_mtu = netdev_dummy_set_mtu,
    .get_carrier = netdev_dummy_get_carrier,
    .get_stats = netdev_dummy_get_stats,
    .update_flags = netdev_dummy_update_flags,
};
