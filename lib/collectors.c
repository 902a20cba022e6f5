/* collectors: UDP and TCP export targets (see collectors.h). */
#include <config.h>

#include "collectors.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "list.h"
#include "poll-loop.h"
#include "reconnect.h"
#include "socket-util.h"
#include "sset.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(collectors);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

/* A message waiting in a TCP target's queue. */
struct collector_msg {
    struct plx_list list_node;  /* In collector->queue. */
    size_t len;
    size_t ofs;                 /* Bytes already written. */
    uint8_t data[];
};

struct collector {
    char *name;                 /* "IP:PORT" or "tcp:IP:PORT", resolved. */
    bool tcp;
    uint64_t n_sent;
    uint64_t n_dropped;
    int last_error;             /* errno of the last drop, or 0. */

    /* UDP only. */
    int fd;                     /* Connected UDP socket. */

    /* TCP only. */
    struct reconnect *fsm;      /* NULL until the first collectors_run(). */
    struct stream *stream;      /* NULL while in backoff. */
    bool connected;             /* 'stream' is up and takes messages. */
    bool overflowed;            /* Refuse messages until 'queue' drains. */
    struct plx_list queue;      /* struct collector_msg, oldest first. */
    size_t queued;              /* Bytes of messages in 'queue'. */
    uint64_t n_connects;        /* Connections established. */
};

struct collectors {
    struct collector *c;
    size_t n;
    uint64_t seqno;             /* See collectors_get_seqno(). */
    long long int now;          /* Latest collectors_run() time. */
};

static const char tcp_prefix[] = "tcp:";
#define TCP_PREFIX_LEN (sizeof tcp_prefix - 1)

static bool
target_is_tcp(const char *target)
{
    return !strncmp(target, tcp_prefix, TCP_PREFIX_LEN);
}

/* Parses TARGET into '*SS' (allowing "tcp:" as FLAGS say).  Returns 0 or
 * a positive errno value: EPROTONOSUPPORT for a TCP target not allowed,
 * EINVAL for anything that is not an IP literal and port. */
static int
target_parse(const char *target, uint16_t default_port, unsigned int flags,
             struct sockaddr_storage *ss)
{
    if (target_is_tcp(target)) {
        if (!(flags & COLLECTORS_ALLOW_TCP)) {
            return EPROTONOSUPPORT;
        }
        target += TCP_PREFIX_LEN;
    }
    int error = inet_parse_active(target, default_port, ss, false);
    return error == EAGAIN ? EINVAL : error;
}

static char *
target_error(int error)
{
    return (error == EINVAL ? xstrdup("not an IP address and port")
            : error == EPROTONOSUPPORT
            ? xstrdup("TCP is not supported by this protocol (UDP only)")
            : xstrdup(plx_strerror(error)));
}

char *
collectors_check_target(const char *target, unsigned int flags)
{
    struct sockaddr_storage ss;
    int error = target_parse(target, 1, flags, &ss);

    return error ? target_error(error) : NULL;
}

static int
collector_open(const char *target, uint16_t default_port, unsigned int flags,
               struct collector *c)
{
    struct sockaddr_storage ss;
    int error = target_parse(target, default_port, flags, &ss);
    if (error) {
        return error;
    }

    memset(c, 0, sizeof *c);
    c->fd = -1;
    plx_list_init(&c->queue);
    char *addr = ss_format_address_port(&ss);
    if (target_is_tcp(target)) {
        c->tcp = true;
        c->name = xasprintf("%s%s", tcp_prefix, addr);
        free(addr);
        return 0;
    }

    int fd;
    error = inet_open_active(SOCK_DGRAM, &ss, &fd);
    if (error && error != EAGAIN) {
        free(addr);
        return error;
    }
    c->name = addr;
    c->fd = fd;
    return 0;
}

static void
collector_queue_clear(struct collector *c)
{
    struct collector_msg *msg;

    LIST_FOR_EACH_POP (msg, list_node, &c->queue) {
        free(msg);
    }
    c->queued = 0;
}

static void
collector_close(struct collector *c)
{
    if (c->tcp) {
        collector_queue_clear(c);
        stream_close(c->stream);
        reconnect_destroy(c->fsm);
    } else {
        close(c->fd);
    }
    free(c->name);
}

char *
collectors_create_with_flags(const struct sset *targets,
                             uint16_t default_port, unsigned int flags,
                             struct collectors **collectorsp)
{
    struct collectors *cs = xzalloc(sizeof *cs);
    struct ds errors = DS_EMPTY_INITIALIZER;
    const char *target;

    cs->c = xcalloc(MAX(sset_count(targets), 1), sizeof *cs->c);
    SSET_FOR_EACH (target, targets) {
        int error = collector_open(target, default_port, flags,
                                   &cs->c[cs->n]);
        if (error) {
            char *why = target_error(error);
            ds_put_format(&errors, "%s%s: %s", errors.length ? "; " : "",
                          target, why);
            free(why);
        } else {
            cs->n++;
        }
    }
    if (!cs->n) {
        collectors_destroy(cs);
        cs = NULL;
    }
    *collectorsp = cs;
    return errors.length ? ds_steal_cstr(&errors) : (ds_destroy(&errors),
                                                     NULL);
}

char *
collectors_create(const struct sset *targets, uint16_t default_port,
                  struct collectors **collectorsp)
{
    return collectors_create_with_flags(targets, default_port, 0,
                                        collectorsp);
}

void
collectors_destroy(struct collectors *cs)
{
    if (cs) {
        for (size_t i = 0; i < cs->n; i++) {
            collector_close(&cs->c[i]);
        }
        free(cs->c);
        free(cs);
    }
}

/* ------------------------------------------------------------------ */
/* TCP targets. */

/* Ends C's connection (or connection attempt) with ERROR (a positive
 * errno value, EOF for a close by the peer, or 0), dropping whatever it
 * still had queued. */
static void
tcp_disconnect(struct collectors *cs, struct collector *c, int error)
{
    size_t n_lost = plx_list_size(&c->queue);

    if (c->connected) {
        VLOG_WARN_RL(&rl, "%s: connection lost (%s), %zu queued "
                     "messages dropped", c->name,
                     error == EOF ? "closed by peer" : plx_strerror(error),
                     n_lost);
        reconnect_disconnected(c->fsm, cs->now, error);
    } else {
        VLOG_DBG_RL(&rl, "%s: connection attempt failed (%s)", c->name,
                    error ? plx_strerror(error) : "timed out");
        reconnect_connect_failed(c->fsm, cs->now, error);
    }
    c->n_dropped += n_lost;
    collector_queue_clear(c);
    stream_close(c->stream);
    c->stream = NULL;
    c->connected = false;
    c->overflowed = false;
    c->last_error = (error == EOF ? ECONNRESET
                     : error ? error : ETIMEDOUT);
}

/* Writes as much of C's queue as its socket takes. */
static void
tcp_flush(struct collectors *cs, struct collector *c)
{
    while (c->connected && !plx_list_is_empty(&c->queue)) {
        struct collector_msg *msg = CONTAINER_OF(plx_list_front(&c->queue),
                                                 struct collector_msg,
                                                 list_node);
        int n = stream_send(c->stream, msg->data + msg->ofs,
                            msg->len - msg->ofs);
        if (n == -EAGAIN) {
            return;
        } else if (n <= 0) {
            tcp_disconnect(cs, c, n < 0 ? -n : EPIPE);
            return;
        }
        reconnect_activity(c->fsm, cs->now);
        msg->ofs += n;
        if (msg->ofs == msg->len) {
            plx_list_remove(&msg->list_node);
            c->queued -= msg->len;
            c->n_sent++;
            free(msg);
        }
    }
    if (c->connected && c->overflowed) {
        /* Drained: take messages again, from a fresh start. */
        c->overflowed = false;
        cs->seqno++;
    }
}

/* Reads and discards what the collector sent; notices a close. */
static void
tcp_poll_peer(struct collectors *cs, struct collector *c)
{
    for (int i = 0; i < 4; i++) {
        uint8_t buf[512];
        int n = stream_recv(c->stream, buf, sizeof buf);
        if (n == -EAGAIN) {
            return;
        } else if (n <= 0) {
            tcp_disconnect(cs, c, n < 0 ? -n : EOF);
            return;
        }
    }
}

static void
tcp_run(struct collectors *cs, struct collector *c)
{
    long long int now = cs->now;

    if (!c->fsm) {
        c->fsm = reconnect_create(now);
        reconnect_set_name(c->fsm, c->name);
        reconnect_set_quiet(c->fsm, true);
        reconnect_set_probe_interval(c->fsm, 0);
        reconnect_enable(c->fsm, now);
    }

    switch (reconnect_run(c->fsm, now)) {
    case RECONNECT_CONNECT: {
        plx_assert(!c->stream);
        reconnect_connecting(c->fsm, now);
        int error = stream_open(c->name, &c->stream);
        if (error) {
            c->stream = NULL;
            tcp_disconnect(cs, c, error);
        }
        break;
    }
    case RECONNECT_DISCONNECT:
        /* Only a connection attempt can time out (no probes). */
        if (c->stream) {
            tcp_disconnect(cs, c, c->connected ? ECONNRESET : ETIMEDOUT);
        }
        break;
    case RECONNECT_PROBE:
    default:
        break;
    }

    if (c->stream) {
        stream_run(c->stream);
    }
    if (c->stream && !c->connected) {
        int error = stream_connect(c->stream);
        if (!error) {
            c->connected = true;
            c->n_connects++;
            cs->seqno++;
            reconnect_connected(c->fsm, now);
            VLOG_INFO_RL(&rl, "%s: connected", c->name);
        } else if (error != EAGAIN) {
            tcp_disconnect(cs, c, error);
        }
    }
    if (c->connected) {
        tcp_poll_peer(cs, c);
        tcp_flush(cs, c);
    }
}

static void
tcp_wait(struct collectors *cs, struct collector *c)
{
    if (!c->fsm) {
        poll_immediate_wake();
        return;
    }
    reconnect_wait(c->fsm, cs->now);
    if (c->stream) {
        stream_run_wait(c->stream);
        if (!c->connected) {
            stream_connect_wait(c->stream);
        } else {
            stream_recv_wait(c->stream);
            if (!plx_list_is_empty(&c->queue)) {
                stream_send_wait(c->stream);
            }
        }
    }
}

/* Queues DATA for C, whole, and writes what the socket takes.  Returns
 * 0 if the message was taken, otherwise the errno value of its drop. */
static int
tcp_send(struct collectors *cs, struct collector *c, const void *data,
         size_t len)
{
    if (!c->connected) {
        return ENOTCONN;
    } else if (c->overflowed) {
        return ENOBUFS;
    } else if (len > COLLECTORS_TCP_QUEUE_MAX - c->queued) {
        c->overflowed = true;
        return ENOBUFS;
    }

    struct collector_msg *msg = xmalloc(sizeof *msg + len);
    msg->len = len;
    msg->ofs = 0;
    memcpy(msg->data, data, len);
    plx_list_push_back(&c->queue, &msg->list_node);
    c->queued += len;
    tcp_flush(cs, c);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Public interface. */

void
collectors_run(struct collectors *cs, long long int now)
{
    if (cs) {
        cs->now = now;
        for (size_t i = 0; i < cs->n; i++) {
            if (cs->c[i].tcp) {
                tcp_run(cs, &cs->c[i]);
            }
        }
    }
}

void
collectors_wait(struct collectors *cs, long long int now)
{
    if (cs) {
        cs->now = MAX(cs->now, now);
        for (size_t i = 0; i < cs->n; i++) {
            if (cs->c[i].tcp) {
                tcp_wait(cs, &cs->c[i]);
            }
        }
    }
}

static int
udp_send(struct collectors *cs, struct collector *c, const void *data,
         size_t len)
{
    ssize_t n = send(c->fd, data, len, MSG_DONTWAIT);
    if (n == (ssize_t) len) {
        c->n_sent++;
        return 0;
    }
    /* A refused send (the ICMP error of an earlier one) drops this
     * datagram too, and clears the error for the next; the collector
     * may have restarted and lost what the exporter told it before. */
    cs->seqno++;
    return n < 0 ? errno : EMSGSIZE;
}

size_t
collectors_send(struct collectors *cs, const void *data, size_t len)
{
    size_t n_failed = 0;

    for (size_t i = 0; cs && i < cs->n; i++) {
        struct collector *c = &cs->c[i];
        int error = (c->tcp ? tcp_send(cs, c, data, len)
                     : udp_send(cs, c, data, len));
        if (error == ENOTCONN) {
            /* The connection's own failure is logged and kept. */
            c->n_dropped++;
            n_failed++;
        } else if (error) {
            if (c->last_error != error) {
                VLOG_WARN_RL(&rl, "%s: export message dropped (%s)",
                             c->name, plx_strerror(error));
            }
            c->last_error = error;
            c->n_dropped++;
            n_failed++;
        }
    }
    return n_failed;
}

uint64_t
collectors_get_seqno(const struct collectors *cs)
{
    return cs ? cs->seqno : 0;
}

size_t
collectors_count(const struct collectors *cs)
{
    return cs ? cs->n : 0;
}

size_t
collectors_count_tcp(const struct collectors *cs)
{
    size_t n = 0;

    for (size_t i = 0; cs && i < cs->n; i++) {
        n += cs->c[i].tcp;
    }
    return n;
}

void
collectors_get_stats(const struct collectors *cs, uint64_t *sent,
                     uint64_t *dropped)
{
    *sent = *dropped = 0;
    for (size_t i = 0; cs && i < cs->n; i++) {
        *sent += cs->c[i].n_sent;
        *dropped += cs->c[i].n_dropped;
    }
}

size_t
collectors_get_queued(const struct collectors *cs)
{
    size_t n = 0;

    for (size_t i = 0; cs && i < cs->n; i++) {
        n += cs->c[i].queued;
    }
    return n;
}

static const char *
tcp_state(const struct collector *c)
{
    return (!c->fsm ? "not started"
            : c->connected ? "connected"
            : c->stream ? "connecting"
            : "backoff");
}

void
collectors_format(const struct collectors *cs, struct ds *s)
{
    for (size_t i = 0; cs && i < cs->n; i++) {
        const struct collector *c = &cs->c[i];
        ds_put_format(s, "    %s: ", c->name);
        if (c->tcp) {
            ds_put_format(s, "%s, ", tcp_state(c));
        }
        ds_put_format(s, "sent %"PRIu64", dropped %"PRIu64,
                      c->n_sent, c->n_dropped);
        if (c->tcp) {
            ds_put_format(s, ", queued %zu bytes, connections %"
                          PRIu64, c->queued, c->n_connects);
        }
        if (c->last_error) {
            ds_put_format(s, " (last error: %s)",
                          plx_strerror(c->last_error));
        }
        ds_put_char(s, '\n');
    }
}
