/*
 * netdev-linux: what the Linux network device providers share.
 *
 * netdev-linux-nl.c talks rtnetlink through libnl3 so that the providers
 * in netdev-linux.c ("system", "internal", "tap") never parse netlink
 * themselves:
 *
 *   - queries and changes by ifindex: link flags, carrier, MTU, MAC and
 *     the kernel's 64-bit statistics (netdev_linux_nl_get_link() and the
 *     setters), over one request socket;
 *
 *   - change notifications: a socket subscribed to RTNLGRP_LINK, shared
 *     by every notifier.  netdev_linux_notifier_run() (called from the
 *     main loop, e.g. through netdev_run()) drains it without blocking and
 *     calls each notifier's callback once per link message: a link that
 *     appeared, changed (up/down, carrier, MTU, MAC) or vanished.  If the
 *     kernel dropped notifications (socket overflow), each notifier gets
 *     one change with ifindex 0, meaning "anything may have changed".
 *     netdev_linux_notifier_wait() makes poll_block() wake when a
 *     notification arrives.
 *
 * Everything here is for the main thread only.  Errors are positive
 * errno values; a link that does not exist is ENODEV.
 */
#ifndef PLX_NETDEV_LINUX_H
#define PLX_NETDEV_LINUX_H 1

#include <net/if.h>
#include <stdbool.h>
#include "netdev.h"
#include "types.h"

/* One link's state as the kernel reports it.  'stats' are the kernel's
 * counters, from the interface's point of view ('rx' = received by the
 * interface). */
struct netdev_linux_link {
    int ifindex;
    char name[IF_NAMESIZE];
    unsigned int flags;         /* IFF_UP, IFF_LOWER_UP, IFF_PROMISC... */
    bool carrier;
    int mtu;
    bool has_mac;
    struct eth_addr mac;
    struct netdev_stats stats;
};

int netdev_linux_nl_get_link(int ifindex, struct netdev_linux_link *);
int netdev_linux_nl_get_ifindex(const char *name, int *ifindexp);
int netdev_linux_nl_set_mtu(int ifindex, int mtu);
int netdev_linux_nl_set_mac(int ifindex, struct eth_addr);
/* Clears OFF and sets ON among the IFF_* flags of link IFINDEX. */
int netdev_linux_nl_update_flags(int ifindex, unsigned int off,
                                 unsigned int on);

/* A change notification.  'deleted' is true if the link vanished (then
 * only 'ifindex' and 'name' in 'link' are meaningful).  ifindex 0 means
 * notifications were lost. */
struct netdev_linux_change {
    bool deleted;
    struct netdev_linux_link link;
};

typedef void netdev_linux_notify_func(const struct netdev_linux_change *,
                                      void *aux);

/* Returns NULL if no notification socket could be opened (logged). */
struct netdev_linux_notifier *netdev_linux_notifier_create(
    netdev_linux_notify_func *, void *aux);
void netdev_linux_notifier_destroy(struct netdev_linux_notifier *);
void netdev_linux_notifier_run(void);
void netdev_linux_notifier_wait(void);

#endif /* netdev-linux.h */
