/*
 * netdev-dummy: test hooks of the "dummy" network device type.
 *
 * A dummy device is a pair of in-memory queues: packets that a test
 * injects with netdev_dummy_receive() are what the device's rx queues
 * receive, and packets sent on the device wait, in order, for
 * netdev_dummy_pop_sent().  Its MAC, MTU, flags and carrier live in
 * memory; it starts up, with carrier, MTU 1500 and a random local MAC.
 *
 * Options (netdev_set_config()): "n_rxq" (1 to 16, default 1; only while
 * no rx queue is open) and "rx_wakeup" ("true", the default, or "false":
 * then its rx queues cannot wake a poll, like a polled-only DPDK port's).  Every function here is thread-safe: a test may
 * inject from one thread while a PMD thread receives in another.
 */
#ifndef PLX_NETDEV_DUMMY_H
#define PLX_NETDEV_DUMMY_H 1

#include <stdbool.h>
#include <stddef.h>

struct dp_packet;
struct netdev;

#define NETDEV_DUMMY_MAX_RXQ 16
#define NETDEV_DUMMY_QUEUE_LEN 1024   /* Packets held per queue, at most. */

bool netdev_is_dummy(const struct netdev *);

/* Queues PACKET (taking ownership) for rx queue RXQ_ID of dummy NETDEV.
 * Returns 0; ENETDOWN if the device is down or has no carrier, ENOBUFS if
 * the queue is full (the packet is then freed and counted as an rx drop),
 * EINVAL for a bad queue id or a device that is not a dummy. */
int netdev_dummy_receive(struct netdev *, int rxq_id, struct dp_packet *);

/* Returns the oldest packet sent on NETDEV, which the caller then owns,
 * with the tx queue id it was sent on in *QIDP if QIDP is nonnull; NULL
 * if none is waiting. */
struct dp_packet *netdev_dummy_pop_sent(struct netdev *, int *qidp);
size_t netdev_dummy_n_sent(const struct netdev *);

void netdev_dummy_set_carrier(struct netdev *, bool carrier);

#endif /* netdev-dummy.h */
