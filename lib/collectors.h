/* collectors: a set of UDP collectors that export datagrams go to.
 *
 * NetFlow, IPFIX and sFlow all send self-contained datagrams to one or
 * more collectors named "IP:PORT" ("[IPv6]:PORT" for IPv6; the port may
 * be left out for a protocol's default).  Each target gets its own
 * connected, non-blocking UDP socket, so that an ICMP port unreachable
 * from a collector that is down shows as ECONNREFUSED on a later send
 * rather than disappearing.
 *
 * Sending never blocks and never retries: a datagram that a target's
 * socket does not take (its buffer is full, the collector is down, the
 * route is gone) is dropped and counted for that target.  That is the
 * whole of the flow control an exporter has, and it is what keeps a slow
 * collector from slowing the switch.
 *
 * Only IP literals are accepted: a name would need a resolver on the
 * main thread's path.  Every function is for one thread at a time. */
#ifndef COLLECTORS_H
#define COLLECTORS_H 1

#include <stddef.h>
#include <stdint.h>

struct ds;
struct sset;

struct collectors;

/* Opens a socket to every target in TARGETS, with DEFAULT_PORT for a
 * target without one.  Stores the set (NULL if no target could be
 * opened) in '*COLLECTORSP'.  Returns NULL, or a malloc'd message naming
 * each target that was refused and why; the others are used anyway. */
char *collectors_create(const struct sset *targets, uint16_t default_port,
                        struct collectors **collectorsp);
void collectors_destroy(struct collectors *);

/* Sends the LEN bytes at DATA to every target.  Returns the number of
 * targets that did not take it (each counted as a drop). */
size_t collectors_send(struct collectors *, const void *data, size_t len);

/* The number of targets (0 for NULL). */
size_t collectors_count(const struct collectors *);

/* Totals over all targets: datagrams sent and dropped. */
void collectors_get_stats(const struct collectors *, uint64_t *sent,
                          uint64_t *dropped);

/* Appends one line per target: "    IP:PORT: sent N, dropped N" and
 * the last error if there was one. */
void collectors_format(const struct collectors *, struct ds *);

#endif /* collectors.h */
