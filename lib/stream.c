/* stream: see stream.h and stream-provider.h.
 *
 * This file dispatches names to classes, runs the connection state
 * machine common to all classes, and resolves host names: a "tcp:" or
 * "ssl:" name whose host is not an IP literal becomes a "resolving"
 * stream that asks dns-resolve on each stream_connect() and, once it has
 * an address, opens the real stream with the literal and forwards to it
 * from then on. */
#include <config.h>
#include "stream.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include "dns-resolve.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "stream-provider.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static const struct stream_class *stream_classes[] = {
    &tcp_stream_class,
    &unix_stream_class,
    &ssl_stream_class,
};

static const struct pstream_class *pstream_classes[] = {
    &ptcp_pstream_class,
    &punix_pstream_class,
    &pssl_pstream_class,
};

/* Classes whose suffix is "HOST:PORT" (active) or "PORT[:IP]" (passive),
 * as opposed to a file name. */
static bool
stream_class_is_inet(const struct stream_class *class)
{
    return class != &unix_stream_class;
}

static bool
pstream_class_is_inet(const struct pstream_class *class)
{
    return class != &punix_pstream_class;
}

/* Finds the class for NAME ("CLASS:SUFFIX"); returns 0, EAFNOSUPPORT
 * (unknown or no class), storing the class and suffix position. */
static int
stream_lookup_class(const char *name, const struct stream_class **classp,
                    const char **suffixp)
{
    const char *colon = strchr(name, ':');

    *classp = NULL;
    if (colon) {
        size_t len = colon - name;
        for (size_t i = 0; i < ARRAY_SIZE(stream_classes); i++) {
            const struct stream_class *class = stream_classes[i];
            if (strlen(class->name) == len
                && !strncmp(class->name, name, len)) {
                *classp = class;
                *suffixp = colon + 1;
                return 0;
            }
        }
    }
    return EAFNOSUPPORT;
}

static int
pstream_lookup_class(const char *name, const struct pstream_class **classp,
                     const char **suffixp)
{
    const char *colon = strchr(name, ':');

    *classp = NULL;
    if (colon) {
        size_t len = colon - name;
        for (size_t i = 0; i < ARRAY_SIZE(pstream_classes); i++) {
            const struct pstream_class *class = pstream_classes[i];
            if (strlen(class->name) == len
                && !strncmp(class->name, name, len)) {
                *classp = class;
                *suffixp = colon + 1;
                return 0;
            }
        }
    }
    return EAFNOSUPPORT;
}

/* Returns 0 if NAME is a valid active stream name, EAFNOSUPPORT if its
 * class is unknown, EINVAL if the rest is malformed. */
int
stream_verify_name(const char *name)
{
    const struct stream_class *class;
    const char *suffix;
    int error = stream_lookup_class(name, &class, &suffix);

    if (error) {
        return error;
    }
    if (!*suffix) {
        return EINVAL;
    }
    if (stream_class_is_inet(class)) {
        error = inet_parse_active(suffix, -1, NULL, false);
        return error == EAGAIN ? 0 : error;
    }
    return 0;
}

/* As stream_verify_name(), for passive names. */
int
pstream_verify_name(const char *name)
{
    const struct pstream_class *class;
    const char *suffix;
    int error = pstream_lookup_class(name, &class, &suffix);

    if (error) {
        return error;
    }
    if (pstream_class_is_inet(class)) {
        struct sockaddr_storage ss;
        return inet_parse_passive(suffix, -1, &ss);
    }
    return *suffix ? 0 : EINVAL;
}

bool
stream_or_pstream_needs_probes(const char *name)
{
    const struct stream_class *class;
    const struct pstream_class *pclass;
    const char *suffix;

    if (!stream_lookup_class(name, &class, &suffix)) {
        return class->needs_probes;
    } else if (!pstream_lookup_class(name, &pclass, &suffix)) {
        return pclass->needs_probes;
    }
    return true;
}

/* The resolving stream: see the comment at the top of the file. */

struct resolving_stream {
    struct stream stream;
    const struct stream_class *class;   /* Class to open once resolved. */
    char *host;
    char *port;
    struct stream *inner;               /* Nonnull once resolved. */
};

static const struct stream_class resolving_stream_class;

static struct resolving_stream *
resolving_stream_cast(const struct stream *stream)
{
    plx_assert(stream->class == &resolving_stream_class);
    return CONTAINER_OF(stream, struct resolving_stream, stream);
}

static void
resolving_close(struct stream *stream)
{
    struct resolving_stream *s = resolving_stream_cast(stream);

    stream_close(s->inner);
    free(s->host);
    free(s->port);
    free(s);
}

static int
resolving_connect(struct stream *stream)
{
    struct resolving_stream *s = resolving_stream_cast(stream);

    if (!s->inner) {
        char *addr = NULL;
        int error = dns_resolve_status(s->host, &addr);
        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&rl, "%s: cannot resolve %s: %s",
                             stream->name, s->host, plx_strerror(error));
            }
            return error;
        }

        bool v6 = strchr(addr, ':') != NULL;
        char *suffix = xasprintf("%s%s%s:%s", v6 ? "[" : "", addr,
                                 v6 ? "]" : "", s->port);
        VLOG_DBG("%s: resolved %s to %s", stream->name, s->host, addr);
        error = s->class->open(stream->name, suffix, &s->inner);
        free(suffix);
        free(addr);
        if (error) {
            s->inner = NULL;
            return error;
        }
    }
    return stream_connect(s->inner);
}

static ssize_t
resolving_recv(struct stream *stream, void *buffer, size_t n)
{
    return stream_recv(resolving_stream_cast(stream)->inner, buffer, n);
}

static ssize_t
resolving_send(struct stream *stream, const void *buffer, size_t n)
{
    return stream_send(resolving_stream_cast(stream)->inner, buffer, n);
}

static void
resolving_run(struct stream *stream)
{
    struct resolving_stream *s = resolving_stream_cast(stream);
    if (s->inner) {
        stream_run(s->inner);
    } else {
        dns_resolve_run();
    }
}

static void
resolving_run_wait(struct stream *stream)
{
    struct resolving_stream *s = resolving_stream_cast(stream);
    if (s->inner) {
        stream_run_wait(s->inner);
    }
}

static void
resolving_wait(struct stream *stream, enum stream_wait_type wait)
{
    struct resolving_stream *s = resolving_stream_cast(stream);
    if (s->inner) {
        stream_wait(s->inner, wait);
    } else {
        dns_resolve_wait();
    }
}

static char *
resolving_get_peer_address(const struct stream *stream)
{
    struct resolving_stream *s = resolving_stream_cast(stream);
    return s->inner ? stream_get_peer_address(s->inner) : NULL;
}

static const struct stream_class resolving_stream_class = {
    .name = "resolving",
    .needs_probes = true,
    .open = NULL,
    .close = resolving_close,
    .connect = resolving_connect,
    .recv = resolving_recv,
    .send = resolving_send,
    .run = resolving_run,
    .run_wait = resolving_run_wait,
    .wait = resolving_wait,
    .get_peer_address = resolving_get_peer_address,
};

/* Opening and closing. */

/* Opens the active stream NAME without blocking.  Returns 0 with the new
 * stream in *STREAMP (possibly still connecting: see stream_connect()),
 * or a positive errno value with *STREAMP = NULL: EAFNOSUPPORT for an
 * unknown class, EINVAL for a malformed name, or the error from creating
 * the socket. */
int
stream_open(const char *name, struct stream **streamp)
{
    const struct stream_class *class;
    const char *suffix;
    int error;

    *streamp = NULL;
    error = stream_verify_name(name);
    if (error) {
        VLOG_DBG("%s: bad stream name: %s", name, plx_strerror(error));
        return error;
    }
    stream_lookup_class(name, &class, &suffix);

    char *host = NULL, *port = NULL;
    if (stream_class_is_inet(class)) {
        /* Syntax was checked by stream_verify_name(). */
        inet_split_host_port(suffix, &host, &port);
    }
    if (host && !addr_is_ip_literal(host)) {
        struct resolving_stream *s = xmalloc(sizeof *s);
        stream_init(&s->stream, &resolving_stream_class, EAGAIN,
                    xstrdup(name));
        s->class = class;
        s->host = host;
        s->port = port;
        s->inner = NULL;
        *streamp = &s->stream;

        /* Start the query now; answers may already be cached. */
        char *addr;
        if (dns_resolve(host, &addr)) {
            free(addr);
        }
        return 0;
    }
    free(host);
    free(port);

    char *suffix_copy = xstrdup(suffix);
    error = class->open(name, suffix_copy, streamp);
    free(suffix_copy);
    if (error) {
        *streamp = NULL;
    }
    return error;
}

/* Adds ":PORT" to NAME if it is a tcp/ssl name without a port (or a
 * ptcp/pssl name with none), otherwise returns a copy. */
static char *
name_with_default_port(const char *name, bool active, uint16_t port)
{
    const struct stream_class *class;
    const struct pstream_class *pclass;
    const char *suffix;

    if (active && !stream_lookup_class(name, &class, &suffix)
        && stream_class_is_inet(class)) {
        char *host, *port_s;
        if (!inet_split_host_port(suffix, &host, &port_s)) {
            bool need = !port_s;
            bool v6 = strchr(host, ':') != NULL;
            char *result = (need
                            ? xasprintf("%s:%s%s%s:%u", class->name,
                                        v6 ? "[" : "", host, v6 ? "]" : "",
                                        port)
                            : NULL);
            free(host);
            free(port_s);
            if (result) {
                return result;
            }
        }
    } else if (!active && !pstream_lookup_class(name, &pclass, &suffix)
               && pstream_class_is_inet(pclass)
               && (!*suffix || *suffix == ':')) {
        return xasprintf("%s:%u%s", pclass->name, port, suffix);
    }
    return xstrdup(name);
}

int
stream_open_with_default_port(const char *name, uint16_t default_port,
                              struct stream **streamp)
{
    char *full = name_with_default_port(name, true, default_port);
    int error = stream_open(full, streamp);
    free(full);
    return error;
}

int
stream_open_block(int error, long long int timeout_ms,
                  struct stream **streamp)
{
    struct stream *stream = *streamp;
    long long int deadline = (timeout_ms >= 0
                              ? time_msec() + timeout_ms : LLONG_MAX);

    if (!error) {
        while ((error = stream_connect(stream)) == EAGAIN) {
            if (time_msec() >= deadline) {
                error = ETIMEDOUT;
                break;
            }
            stream_run(stream);
            stream_run_wait(stream);
            stream_connect_wait(stream);
            if (deadline != LLONG_MAX) {
                poll_timer_wait_until(deadline);
            }
            poll_block();
        }
    }
    if (error) {
        stream_close(stream);
        *streamp = NULL;
    }
    return error;
}

void
stream_close(struct stream *stream)
{
    if (stream) {
        char *name = stream->name;
        stream->class->close(stream);
        free(name);
    }
}

const char *
stream_get_name(const struct stream *stream)
{
    return stream ? stream->name : "(null)";
}

char *
stream_get_peer_address(const struct stream *stream)
{
    if (stream->state != SCS_CONNECTED || !stream->class->get_peer_address) {
        return NULL;
    }
    return stream->class->get_peer_address(stream);
}

/* Connecting, receiving, sending. */

/* Returns 0 once STREAM is connected, EAGAIN while connecting, otherwise
 * the (sticky) error that ended the attempt. */
int
stream_connect(struct stream *stream)
{
    if (stream->state == SCS_CONNECTING) {
        int retval = stream->class->connect
                     ? stream->class->connect(stream) : 0;
        if (!retval) {
            stream->state = SCS_CONNECTED;
        } else if (retval != EAGAIN) {
            stream->state = SCS_DISCONNECTED;
            stream->error = retval;
        }
    }
    switch (stream->state) {
    case SCS_CONNECTING:
        return EAGAIN;
    case SCS_CONNECTED:
        return 0;
    case SCS_DISCONNECTED:
        return stream->error;
    default:
        PLX_NOT_REACHED();
    }
}

int
stream_recv(struct stream *stream, void *buffer, size_t n)
{
    int retval = stream_connect(stream);
    if (retval) {
        return -retval;
    } else if (!n) {
        return 0;
    }
    return stream->class->recv(stream, buffer, MIN(n, INT_MAX));
}

int
stream_send(struct stream *stream, const void *buffer, size_t n)
{
    int retval = stream_connect(stream);
    if (retval) {
        return -retval;
    } else if (!n) {
        return 0;
    }
    return stream->class->send(stream, buffer, MIN(n, INT_MAX));
}

void
stream_run(struct stream *stream)
{
    if (stream->class->run) {
        stream->class->run(stream);
    }
}

void
stream_run_wait(struct stream *stream)
{
    if (stream->class->run_wait) {
        stream->class->run_wait(stream);
    }
}

void
stream_wait(struct stream *stream, enum stream_wait_type wait)
{
    plx_assert(wait == STREAM_CONNECT || wait == STREAM_RECV
               || wait == STREAM_SEND);

    switch (stream->state) {
    case SCS_CONNECTING:
        wait = STREAM_CONNECT;
        break;
    case SCS_DISCONNECTED:
        poll_immediate_wake();
        return;
    case SCS_CONNECTED:
    default:
        break;
    }
    stream->class->wait(stream, wait);
}

void
stream_connect_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_CONNECT);
}

void
stream_recv_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_RECV);
}

void
stream_send_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_SEND);
}

/* Passive streams. */

/* Opens the listener NAME.  Returns 0 with it in *PSTREAMP, or a positive
 * errno value (EAFNOSUPPORT, EINVAL, EADDRINUSE, ...) with NULL. */
int
pstream_open(const char *name, struct pstream **pstreamp)
{
    const struct pstream_class *class;
    const char *suffix;
    int error;

    *pstreamp = NULL;
    error = pstream_verify_name(name);
    if (error) {
        VLOG_DBG("%s: bad listener name: %s", name, plx_strerror(error));
        return error;
    }
    pstream_lookup_class(name, &class, &suffix);

    char *suffix_copy = xstrdup(suffix);
    error = class->listen(name, suffix_copy, pstreamp);
    free(suffix_copy);
    if (error) {
        *pstreamp = NULL;
    }
    return error;
}

int
pstream_open_with_default_port(const char *name, uint16_t default_port,
                               struct pstream **pstreamp)
{
    char *full = name_with_default_port(name, false, default_port);
    int error = pstream_open(full, pstreamp);
    free(full);
    return error;
}

const char *
pstream_get_name(const struct pstream *pstream)
{
    return pstream ? pstream->name : "(null)";
}

void
pstream_close(struct pstream *pstream)
{
    if (pstream) {
        char *name = pstream->name;
        pstream->class->close(pstream);
        free(name);
    }
}

/* Accepts one connection: 0 with the new stream in *NEW_STREAMP (which
 * may still be completing a handshake), EAGAIN if none is waiting, or an
 * errno value. */
int
pstream_accept(struct pstream *pstream, struct stream **new_streamp)
{
    int retval = pstream->class->accept(pstream, new_streamp);
    if (retval) {
        *new_streamp = NULL;
    }
    return retval;
}

int
pstream_accept_block(struct pstream *pstream, struct stream **new_streamp)
{
    int error;

    while ((error = pstream_accept(pstream, new_streamp)) == EAGAIN) {
        pstream_wait(pstream);
        poll_block();
    }
    return error;
}

void
pstream_wait(struct pstream *pstream)
{
    pstream->class->wait(pstream);
}

uint16_t
pstream_get_bound_port(const struct pstream *pstream)
{
    return pstream->bound_port;
}

/* For providers. */

void
stream_init(struct stream *stream, const struct stream_class *class,
            int connect_status, char *name)
{
    memset(stream, 0, sizeof *stream);
    stream->class = class;
    stream->state = (connect_status == EAGAIN ? SCS_CONNECTING
                     : !connect_status ? SCS_CONNECTED
                     : SCS_DISCONNECTED);
    stream->error = connect_status == EAGAIN ? 0 : connect_status;
    stream->name = name;
}

void
pstream_init(struct pstream *pstream, const struct pstream_class *class,
             char *name)
{
    memset(pstream, 0, sizeof *pstream);
    pstream->class = class;
    pstream->name = name;
}

void
pstream_set_bound_port(struct pstream *pstream, uint16_t port)
{
    pstream->bound_port = port;
}
