/* collectors: the set of collectors that export messages go to.
 *
 * NetFlow, IPFIX and sFlow all send self-contained messages to one or
 * more collectors named "IP:PORT" ("[IPv6]:PORT" for IPv6; the port may
 * be left out for a protocol's default).  Only IP literals are accepted:
 * a name would need a resolver on the main thread's path.  Every
 * function is for one thread at a time.
 *
 * UDP targets ("IP:PORT")
 * -----------------------
 * Each gets its own connected, non-blocking UDP socket, so that an ICMP
 * port unreachable from a collector that is down shows as ECONNREFUSED
 * on a later send rather than disappearing.  Sending never blocks and
 * never retries: a datagram that a target's socket does not take (its
 * buffer is full, the collector is down, the route is gone) is dropped
 * and counted for that target.  That is the whole of the flow control
 * an exporter has, and it is what keeps a slow collector from slowing
 * the switch.
 *
 * TCP targets ("tcp:IP:PORT", IPFIX only: RFC 7011 section 10.4)
 * --------------------------------------------------------------
 * Accepted only when the caller passes COLLECTORS_ALLOW_TCP; NetFlow and
 * sFlow are UDP-only protocols and get a clear refusal.  Each TCP target
 * is one non-blocking stream (lib/stream.h) whose connection attempts
 * are paced by a reconnect FSM (lib/reconnect.h: first attempt at once,
 * then exponential backoff from 1 s to 8 s; no inactivity probes, since
 * a collector never speaks).  Connecting, and noticing that the peer
 * closed (EOF or an error on a read: the collector's bytes are read and
 * discarded), happen in collectors_run(); the caller's main loop calls
 * collectors_run() and collectors_wait() every iteration.  The first
 * attempt is made by the first collectors_run(), so that every time the
 * FSM sees comes from the caller's 'now'.
 *
 * A message is sent whole or not at all, so that the byte stream always
 * splits into whole messages: it is appended to the target's output
 * queue (at most COLLECTORS_TCP_QUEUE_MAX bytes) and as much of the
 * queue as the socket takes is written at once; the rest goes out from
 * collectors_run() (partial writes continue where they stopped).  A
 * message is dropped and counted, never waited for, when the target is
 * not connected, or when it does not fit in the queue.  After such an
 * overflow the target refuses every message until its queue has
 * drained, so that whatever the exporter sends next (templates first)
 * reaches the collector in order.  Messages still queued when a
 * connection dies are dropped and counted; a new connection starts with
 * an empty queue, at a message boundary.
 *
 * Counters, per target: 'sent' counts messages written whole to the
 * socket (UDP: datagrams sent); 'dropped' counts messages refused or
 * lost in a dead connection's queue.  What is queued is neither yet.
 *
 * Resynchronisation
 * -----------------
 * collectors_get_seqno() changes whenever some target may have missed
 * earlier messages and now takes messages again: a TCP connection was
 * established (each new connection is a new transport session), a TCP
 * target drained its queue after an overflow, or a UDP target refused a
 * datagram (the collector may have restarted).  An exporter with state
 * at the collector (IPFIX and NetFlow v9 templates) compares it before
 * each send and re-sends that state first when it changed.  Only
 * collectors_run() and collectors_send() change it. */
#ifndef COLLECTORS_H
#define COLLECTORS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;
struct sset;

struct collectors;

/* Flags for collectors_create_with_flags(). */
enum {
    COLLECTORS_ALLOW_TCP = 1 << 0   /* Accept "tcp:IP:PORT" targets. */
};

/* Bytes a TCP target may hold queued (sent by nobody yet). */
#define COLLECTORS_TCP_QUEUE_MAX (1024 * 1024)

/* Returns NULL if TARGET is acceptable with FLAGS, else a malloc'd
 * reason (without the target's name), e.g. "not an IP address and
 * port" or "TCP is not supported by this protocol (UDP only)". */
char *collectors_check_target(const char *target, unsigned int flags);

/* Opens a socket to every UDP target in TARGETS and prepares every TCP
 * target (allowed by FLAGS), with DEFAULT_PORT for a target without one.
 * Stores the set (NULL if no target could be used) in '*COLLECTORSP'.
 * Returns NULL, or a malloc'd message naming each target that was
 * refused and why; the others are used anyway. */
char *collectors_create_with_flags(const struct sset *targets,
                                   uint16_t default_port, unsigned int flags,
                                   struct collectors **collectorsp);
/* The same with FLAGS 0: UDP targets only. */
char *collectors_create(const struct sset *targets, uint16_t default_port,
                        struct collectors **collectorsp);
void collectors_destroy(struct collectors *);

/* Connects, reconnects and flushes TCP targets; NOW is monotonic msec
 * (time_msec() in real use).  Nothing to do for UDP targets or NULL. */
void collectors_run(struct collectors *, long long int now);
void collectors_wait(struct collectors *, long long int now);

/* Sends the LEN bytes at DATA to every target (to a TCP target: queues
 * them whole, see above).  Returns the number of targets that did not
 * take it (each counted as a drop). */
size_t collectors_send(struct collectors *, const void *data, size_t len);

/* See "Resynchronisation" above.  0 for NULL. */
uint64_t collectors_get_seqno(const struct collectors *);

/* The number of targets, and of TCP targets among them (0 for NULL). */
size_t collectors_count(const struct collectors *);
size_t collectors_count_tcp(const struct collectors *);

/* Totals over all targets: messages sent and dropped, bytes queued. */
void collectors_get_stats(const struct collectors *, uint64_t *sent,
                          uint64_t *dropped);
size_t collectors_get_queued(const struct collectors *);

/* Appends one line per target:
 *     "    IP:PORT: sent N, dropped N"
 *     "    tcp:IP:PORT: STATE, sent N, dropped N, queued N bytes,
 *      connections N"
 * where STATE is "connected", "connecting", "backoff" or "not started",
 * and then the last error if there was one. */
void collectors_format(const struct collectors *, struct ds *);

#endif /* collectors.h */
