/* netdev: the provider registry, the name table and the generic half of
 * every call (see netdev.h). */
#include <config.h>
#include "netdev.h"

#include <errno.h>
#include <pthread.h>
#include "hash.h"
#include "hmap.h"
#include "smap.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev);

struct netdev_registered_class {
    struct hmap_node node;      /* In 'netdev_classes', by type. */
    const struct netdev_class *class;
};

/* Both protected by 'netdev_mutex'.  Device operations other than open and
 * close do not take it: the threading rules in netdev.h keep them safe. */
static pthread_mutex_t netdev_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct hmap netdev_classes = HMAP_INITIALIZER(&netdev_classes);
static struct hmap netdev_by_name = HMAP_INITIALIZER(&netdev_by_name);

static const struct netdev_registered_class *
netdev_lookup_class__(const char *type)
{
    struct netdev_registered_class *rc;

    HMAP_FOR_EACH_WITH_HASH (rc, node, hash_string(type, 0),
                             &netdev_classes) {
        if (!strcmp(rc->class->type, type)) {
            return rc;
        }
    }
    return NULL;
}

static int
netdev_register_provider__(const struct netdev_class *class)
{
    if (netdev_lookup_class__(class->type)) {
        VLOG_WARN("attempted to register duplicate netdev provider: %s",
                  class->type);
        return EEXIST;
    }
    if (class->init) {
        int error = class->init();
        if (error) {
            VLOG_ERR("failed to initialize %s network device class: %s",
                     class->type, plx_strerror(error));
            return error;
        }
    }
    struct netdev_registered_class *rc = xmalloc(sizeof *rc);
    rc->class = class;
    hmap_insert(&netdev_classes, &rc->node, hash_string(class->type, 0));
    return 0;
}

static void
netdev_register_builtins(void)
{
    static const struct netdev_class *const builtins[] = {
        &netdev_linux_class,
        &netdev_internal_class,
        &netdev_tap_class,
        &netdev_pcap_class,
        &netdev_dummy_class,
        &netdev_vhost_server_class,
        &netdev_vhost_client_class,
        &netdev_vhost_vm_class,
#ifdef HAVE_DPDK
        &netdev_dpdk_class,
#endif
    };

    pthread_mutex_lock(&netdev_mutex);
    for (size_t i = 0; i < ARRAY_SIZE(builtins); i++) {
        netdev_register_provider__(builtins[i]);
    }
    pthread_mutex_unlock(&netdev_mutex);
}

static void
netdev_initialize(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, netdev_register_builtins);
}

int
netdev_register_provider(const struct netdev_class *class)
{
    netdev_initialize();
    pthread_mutex_lock(&netdev_mutex);
    int error = netdev_register_provider__(class);
    pthread_mutex_unlock(&netdev_mutex);
    return error;
}

bool
netdev_is_type_registered(const char *type)
{
    netdev_initialize();
    pthread_mutex_lock(&netdev_mutex);
    bool found = netdev_lookup_class__(type) != NULL;
    pthread_mutex_unlock(&netdev_mutex);
    return found;
}

static struct netdev *
netdev_lookup__(const char *name)
{
    struct netdev *netdev;

    HMAP_FOR_EACH_WITH_HASH (netdev, node, hash_string(name, 0),
                             &netdev_by_name) {
        if (!strcmp(netdev->name, name)) {
            return netdev;
        }
    }
    return NULL;
}

static const char *
netdev_normalize_type(const char *type)
{
    return type && type[0] ? type : "system";
}

int
netdev_open(const char *name, const char *type, struct netdev **netdevp)
{
    int error = 0;

    *netdevp = NULL;
    netdev_initialize();
    type = netdev_normalize_type(type);
    if (!name[0] || strlen(name) > 255) {
        return EINVAL;
    }

    pthread_mutex_lock(&netdev_mutex);
    struct netdev *netdev = netdev_lookup__(name);
    if (netdev) {
        if (strcmp(netdev->netdev_class->type, type)) {
            error = EEXIST;
        } else {
            netdev->ref_cnt++;
        }
    } else {
        const struct netdev_registered_class *rc
            = netdev_lookup_class__(type);
        if (!rc) {
            error = EAFNOSUPPORT;
        } else {
            netdev = rc->class->alloc();
            netdev->name = xstrdup(name);
            netdev->netdev_class = rc->class;
            netdev->ref_cnt = 1;
            netdev->n_rxq = 1;
            netdev->n_txq = 1;
            netdev->change_seq = 1;
            error = rc->class->construct(netdev);
            if (!error) {
                hmap_insert(&netdev_by_name, &netdev->node,
                            hash_string(name, 0));
            } else {
                char *name_copy = netdev->name;
                rc->class->dealloc(netdev);
                free(name_copy);
                netdev = NULL;
            }
        }
    }
    pthread_mutex_unlock(&netdev_mutex);

    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
        VLOG_WARN_RL(&rl, "%s: could not open network device of type %s "
                     "(%s)", name, type, plx_strerror(error));
        return error;
    }
    *netdevp = netdev;
    return 0;
}

char *
netdev_open_error_string(const char *name, const char *type, int error)
{
    type = netdev_normalize_type(type);
    switch (error) {
    case EAFNOSUPPORT:
        if (!strcmp(type, "dpdk")) {
            return xasprintf("could not open network device %s (interface "
                             "type dpdk is not supported: this Plexus was "
                             "built without DPDK)", name);
        }
        return xasprintf("could not open network device %s (unknown "
                         "interface type %s)", name, type);
    case EEXIST:
        return xasprintf("could not open network device %s (a device of "
                         "that name already exists with another type)",
                         name);
    case ENODEV:
        return xasprintf("could not open network device %s (No such "
                         "device)", name);
    default:
        return xasprintf("could not open network device %s (%s)",
                         name, plx_strerror(error));
    }
}

struct netdev *
netdev_ref(struct netdev *netdev)
{
    pthread_mutex_lock(&netdev_mutex);
    plx_assert(netdev->ref_cnt > 0);
    netdev->ref_cnt++;
    pthread_mutex_unlock(&netdev_mutex);
    return netdev;
}

void
netdev_close(struct netdev *netdev)
{
    if (!netdev) {
        return;
    }
    pthread_mutex_lock(&netdev_mutex);
    plx_assert(netdev->ref_cnt > 0);
    bool last = !--netdev->ref_cnt;
    if (last) {
        hmap_remove(&netdev_by_name, &netdev->node);
    }
    pthread_mutex_unlock(&netdev_mutex);

    if (last) {
        char *name = netdev->name;
        netdev->netdev_class->destruct(netdev);
        netdev->netdev_class->dealloc(netdev);
        free(name);
    }
}

const char *
netdev_get_name(const struct netdev *netdev)
{
    return netdev->name;
}

const char *
netdev_get_type(const struct netdev *netdev)
{
    return netdev->netdev_class->type;
}

int
netdev_set_config(struct netdev *netdev, const struct smap *options,
                  char **errp)
{
    struct smap empty = SMAP_INITIALIZER(&empty);
    char *err = NULL;
    int error;

    if (netdev->netdev_class->set_config) {
        error = netdev->netdev_class->set_config(netdev,
                                                 options ? options : &empty,
                                                 &err);
        if (error && !err) {
            err = xasprintf("%s: could not set configuration (%s)",
                            netdev->name, plx_strerror(error));
        }
    } else if (options && !smap_is_empty(options)) {
        error = EINVAL;
        err = xasprintf("%s: network device of type %s takes no options",
                        netdev->name, netdev->netdev_class->type);
    } else {
        error = 0;
    }
    if (!error) {
        netdev_changed(netdev);
    }
    if (errp) {
        *errp = err;
    } else {
        free(err);
    }
    return error;
}

int
netdev_n_rxq(const struct netdev *netdev)
{
    return netdev->n_rxq;
}

int
netdev_rxq_open(struct netdev *netdev, int queue_id,
                struct netdev_rxq **rxqp)
{
    const struct netdev_class *class = netdev->netdev_class;

    *rxqp = NULL;
    if (!class->rxq_alloc) {
        return EOPNOTSUPP;
    }
    if (queue_id < 0 || queue_id >= netdev->n_rxq) {
        return EINVAL;
    }
    struct netdev_rxq *rxq = class->rxq_alloc();
    rxq->netdev = netdev_ref(netdev);
    rxq->queue_id = queue_id;
    int error = class->rxq_construct(rxq);
    if (error) {
        class->rxq_dealloc(rxq);
        netdev_close(netdev);
        return error;
    }
    *rxqp = rxq;
    return 0;
}

void
netdev_rxq_close(struct netdev_rxq *rxq)
{
    if (rxq) {
        struct netdev *netdev = rxq->netdev;
        netdev->netdev_class->rxq_destruct(rxq);
        netdev->netdev_class->rxq_dealloc(rxq);
        netdev_close(netdev);
    }
}

struct netdev *
netdev_rxq_get_netdev(const struct netdev_rxq *rxq)
{
    return rxq->netdev;
}

int
netdev_rxq_get_queue_id(const struct netdev_rxq *rxq)
{
    return rxq->queue_id;
}

int
netdev_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch)
{
    dp_packet_batch_init(batch);
    int error = rxq->netdev->netdev_class->rxq_recv(rxq, batch);
    if (!error && !batch->count) {
        error = EAGAIN;
    } else if (error) {
        /* A provider that failed must not hand back packets. */
        plx_assert(!batch->count);
    }
    return error;
}

bool
netdev_rxq_wait(struct netdev_rxq *rxq)
{
    const struct netdev_class *class = rxq->netdev->netdev_class;

    return class->rxq_wait && class->rxq_wait(rxq);
}

int
netdev_send(struct netdev *netdev, int qid, struct dp_packet_batch *batch,
            bool may_steal)
{
    const struct netdev_class *class = netdev->netdev_class;
    int error = 0;

    if (batch->count && may_steal && class->send_steal) {
        error = class->send_steal(netdev, (unsigned int) qid % netdev->n_txq,
                                  batch);
        dp_packet_batch_init(batch);
        return error;
    }
    if (batch->count) {
        error = (netdev->netdev_class->send
                 ? netdev->netdev_class->send(netdev,
                                              (unsigned int) qid
                                              % netdev->n_txq, batch)
                 : EOPNOTSUPP);
    }
    dp_packet_delete_batch(batch, may_steal);
    return error;
}

int
netdev_get_status(const struct netdev *netdev, struct smap *status)
{
    const struct netdev_class *class = netdev->netdev_class;
    return class->get_status ? class->get_status(netdev, status) : EOPNOTSUPP;
}

bool
netdev_reconf_required(const struct netdev *netdev)
{
    const struct netdev_class *class = netdev->netdev_class;
    return class->reconf_required && class->reconf_required(netdev);
}

int
netdev_reconfigure(struct netdev *netdev, char **errp)
{
    const struct netdev_class *class = netdev->netdev_class;
    int error = 0;

    if (errp) {
        *errp = NULL;
    }
    if (class->reconfigure && netdev_reconf_required(netdev)) {
        char *msg = NULL;
        error = class->reconfigure(netdev, &msg);
        if (errp) {
            *errp = msg;
        } else {
            free(msg);
        }
        netdev_changed(netdev);
    }
    return error;
}

void
netdev_send_wait(struct netdev *netdev, int qid)
{
    if (netdev->netdev_class->send_wait) {
        netdev->netdev_class->send_wait(netdev,
                                        (unsigned int) qid % netdev->n_txq);
    }
}

int
netdev_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    int error = (netdev->netdev_class->get_etheraddr
                 ? netdev->netdev_class->get_etheraddr(netdev, mac)
                 : EOPNOTSUPP);
    if (error) {
        *mac = eth_addr_zero;
    }
    return error;
}

int
netdev_set_etheraddr(struct netdev *netdev, struct eth_addr mac)
{
    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
        return EINVAL;
    }
    int error = (netdev->netdev_class->set_etheraddr
                 ? netdev->netdev_class->set_etheraddr(netdev, mac)
                 : EOPNOTSUPP);
    if (!error) {
        netdev_changed(netdev);
    }
    return error;
}

int
netdev_get_mtu(const struct netdev *netdev, int *mtup)
{
    int error = (netdev->netdev_class->get_mtu
                 ? netdev->netdev_class->get_mtu(netdev, mtup)
                 : EOPNOTSUPP);
    if (error) {
        *mtup = 0;
    }
    return error;
}

int
netdev_set_mtu(struct netdev *netdev, int mtu)
{
    if (mtu < 68 || mtu > 65535) {
        return EINVAL;
    }
    int error = (netdev->netdev_class->set_mtu
                 ? netdev->netdev_class->set_mtu(netdev, mtu)
                 : EOPNOTSUPP);
    if (!error) {
        netdev_changed(netdev);
    }
    return error;
}

int
netdev_get_carrier(const struct netdev *netdev, bool *carrierp)
{
    int error = (netdev->netdev_class->get_carrier
                 ? netdev->netdev_class->get_carrier(netdev, carrierp)
                 : EOPNOTSUPP);
    if (error) {
        *carrierp = false;
    }
    return error;
}

int
netdev_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    int error = (netdev->netdev_class->get_stats
                 ? netdev->netdev_class->get_stats(netdev, stats)
                 : EOPNOTSUPP);
    if (error) {
        memset(stats, 0, sizeof *stats);
    }
    return error;
}

int
netdev_get_ifindex(const struct netdev *netdev)
{
    return (netdev->netdev_class->get_ifindex
            ? netdev->netdev_class->get_ifindex(netdev)
            : -EOPNOTSUPP);
}

int
netdev_update_flags(struct netdev *netdev, enum netdev_flags off,
                    enum netdev_flags on, enum netdev_flags *old_flags)
{
    enum netdev_flags old = 0;
    int error = (netdev->netdev_class->update_flags
                 ? netdev->netdev_class->update_flags(netdev, off & ~on, on,
                                                      &old)
                 : EOPNOTSUPP);
    if (old_flags) {
        *old_flags = error ? 0 : old;
    }
    if (!error && ((old & ~off) | on) != old) {
        netdev_changed(netdev);
    }
    return error;
}

int
netdev_get_flags(const struct netdev *netdev, enum netdev_flags *flagsp)
{
    return netdev_update_flags((struct netdev *) netdev, 0, 0,
                               flagsp);
}

uint64_t
netdev_get_change_seq(const struct netdev *netdev)
{
    return __atomic_load_n(&netdev->change_seq, __ATOMIC_ACQUIRE);
}

void
netdev_changed(struct netdev *netdev)
{
    __atomic_add_fetch(&netdev->change_seq, 1, __ATOMIC_RELEASE);
}

/* Runs every registered class's periodic work.  The class list only
 * grows, and only the main thread changes it or calls this. */
void
netdev_run(void)
{
    struct netdev_registered_class *rc;

    netdev_initialize();
    HMAP_FOR_EACH (rc, node, &netdev_classes) {
        if (rc->class->run) {
            rc->class->run(rc->class);
        }
    }
}

void
netdev_wait(void)
{
    struct netdev_registered_class *rc;

    netdev_initialize();
    HMAP_FOR_EACH (rc, node, &netdev_classes) {
        if (rc->class->wait) {
            rc->class->wait(rc->class);
        }
    }
}
