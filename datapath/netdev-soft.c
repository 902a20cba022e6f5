#include <config.h>
#include "netdev-soft.h"

#include <errno.h>
#include <string.h>

static struct netdev_soft *
netdev_soft_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_soft, up);
}

void
netdev_soft_init(struct netdev_soft *soft, uint8_t kind)
{
    static uint32_t next_id;
    uint32_t id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);

    pthread_mutex_init(&soft->mutex, NULL);
    soft->mac = (struct eth_addr) { { { 0xaa, kind, id >> 24, id >> 16,
                                        id >> 8, id } } };
    soft->mtu = 1500;
    soft->carrier = true;
    soft->flags = NETDEV_UP;
    memset(&soft->stats, 0, sizeof soft->stats);
}

void
netdev_soft_destroy(struct netdev_soft *soft)
{
    pthread_mutex_destroy(&soft->mutex);
}

int
netdev_soft_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    *mac = soft->mac;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_set_etheraddr(struct netdev *netdev, struct eth_addr mac)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    soft->mac = mac;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    *mtup = soft->mtu;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    soft->mtu = mtu;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_get_carrier(const struct netdev *netdev, bool *carrierp)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    *carrierp = soft->carrier;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_get_stats(const struct netdev *netdev,
                      struct netdev_stats *stats)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    *stats = soft->stats;
    pthread_mutex_unlock(&soft->mutex);
    return 0;
}

int
netdev_soft_change_flags(struct netdev_soft *soft, enum netdev_flags off,
                         enum netdev_flags on, enum netdev_flags *old)
{
    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    *old = soft->flags;
    soft->flags = (soft->flags & ~off) | on;
    return 0;
}

int
netdev_soft_update_flags(struct netdev *netdev, enum netdev_flags off,
                         enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_soft *soft = netdev_soft_cast(netdev);

    pthread_mutex_lock(&soft->mutex);
    int error = netdev_soft_change_flags(soft, off, on, old);
    pthread_mutex_unlock(&soft->mutex);
    return error;
}
