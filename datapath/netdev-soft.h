/*
 * netdev-soft: the state that software-only netdevs ("dummy", "pcap")
 * keep for themselves, where a real device's provider would ask the
 * kernel: Ethernet address, MTU, carrier, administrative flags and
 * statistics, under one mutex.
 *
 * A provider embeds struct netdev_soft as the first member of its device
 * (in place of a bare struct netdev) and points its class's
 * get/set_etheraddr, get/set_mtu, get_carrier, get_stats and (unless it
 * must react to a flag change) update_flags at the
 * netdev_soft_*() functions below, which work for any such device.  The
 * provider's own code takes 'mutex' around every use of these fields.
 */
#ifndef PLX_NETDEV_SOFT_H
#define PLX_NETDEV_SOFT_H 1

#include <pthread.h>
#include <stdbool.h>
#include "netdev.h"

struct netdev_soft {
    struct netdev up;
    pthread_mutex_t mutex;
    struct eth_addr mac;
    int mtu;
    bool carrier;
    enum netdev_flags flags;
    struct netdev_stats stats;
};

/* Initializes the soft state: MTU 1500, carrier and NETDEV_UP, zero
 * statistics, and
 * a locally administered MAC aa:KIND:xx:xx:xx:xx that is unique among the
 * soft devices of this process (KIND tells the providers apart). */
void netdev_soft_init(struct netdev_soft *, uint8_t kind);
void netdev_soft_destroy(struct netdev_soft *);

int netdev_soft_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_soft_set_etheraddr(struct netdev *, struct eth_addr);
int netdev_soft_get_mtu(const struct netdev *, int *mtup);
int netdev_soft_set_mtu(struct netdev *, int mtu);
int netdev_soft_get_carrier(const struct netdev *, bool *carrierp);
int netdev_soft_get_stats(const struct netdev *, struct netdev_stats *);
int netdev_soft_update_flags(struct netdev *, enum netdev_flags off,
                             enum netdev_flags on, enum netdev_flags *old);
/* The same with the caller holding SOFT's mutex, for a provider whose own
 * update_flags must do more under it. */
int netdev_soft_change_flags(struct netdev_soft *, enum netdev_flags off,
                             enum netdev_flags on, enum netdev_flags *old);

#endif /* netdev-soft.h */
