/* collectors: a set of UDP collectors (see collectors.h). */
#include <config.h>

#include "collectors.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "socket-util.h"
#include "sset.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(collectors);

struct collector {
    char *name;                 /* "IP:PORT" as resolved. */
    int fd;                     /* Connected UDP socket. */
    uint64_t n_sent;
    uint64_t n_dropped;
    int last_error;             /* errno of the last drop, or 0. */
};

struct collectors {
    struct collector *c;
    size_t n;
};

static int
collector_open(const char *target, uint16_t default_port,
               struct collector *c)
{
    struct sockaddr_storage ss;
    int error = inet_parse_active(target, default_port, &ss, false);
    if (error) {
        return error == EAGAIN ? EINVAL : error;
    }
    int fd;
    error = inet_open_active(SOCK_DGRAM, &ss, &fd);
    if (error && error != EAGAIN) {
        return error;
    }
    memset(c, 0, sizeof *c);
    c->name = ss_format_address_port(&ss);
    c->fd = fd;
    return 0;
}

char *
collectors_create(const struct sset *targets, uint16_t default_port,
                  struct collectors **collectorsp)
{
    struct collectors *cs = xzalloc(sizeof *cs);
    struct ds errors = DS_EMPTY_INITIALIZER;
    const char *target;

    cs->c = xcalloc(MAX(sset_count(targets), 1), sizeof *cs->c);
    SSET_FOR_EACH (target, targets) {
        int error = collector_open(target, default_port, &cs->c[cs->n]);
        if (error) {
            ds_put_format(&errors, "%s%s: %s", errors.length ? "; " : "",
                          target, error == EINVAL
                          ? "not an IP address and port"
                          : plx_strerror(error));
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

void
collectors_destroy(struct collectors *cs)
{
    if (cs) {
        for (size_t i = 0; i < cs->n; i++) {
            close(cs->c[i].fd);
            free(cs->c[i].name);
        }
        free(cs->c);
        free(cs);
    }
}

size_t
collectors_send(struct collectors *cs, const void *data, size_t len)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    size_t n_failed = 0;

    for (size_t i = 0; cs && i < cs->n; i++) {
        struct collector *c = &cs->c[i];
        ssize_t n = send(c->fd, data, len, MSG_DONTWAIT);
        if (n == (ssize_t) len) {
            c->n_sent++;
            continue;
        }
        /* A refused send (the ICMP error of an earlier one) drops this
         * datagram too, and clears the error for the next. */
        int error = n < 0 ? errno : EMSGSIZE;
        if (c->last_error != error) {
            VLOG_WARN_RL(&rl, "%s: export datagram dropped (%s)",
                         c->name, plx_strerror(error));
        }
        c->last_error = error;
        c->n_dropped++;
        n_failed++;
    }
    return n_failed;
}

size_t
collectors_count(const struct collectors *cs)
{
    return cs ? cs->n : 0;
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

void
collectors_format(const struct collectors *cs, struct ds *s)
{
    for (size_t i = 0; cs && i < cs->n; i++) {
        const struct collector *c = &cs->c[i];
        ds_put_format(s, "    %s: sent %"PRIu64", dropped %"PRIu64,
                      c->name, c->n_sent, c->n_dropped);
        if (c->last_error) {
            ds_put_format(s, " (last error: %s)",
                          plx_strerror(c->last_error));
        }
        ds_put_char(s, '\n');
    }
}
