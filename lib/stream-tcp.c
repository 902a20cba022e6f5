/* stream-tcp: "tcp:IP:PORT" and "ptcp:PORT[:IP]" streams.
 *
 * stream.c resolves host names before calling tcp_open(), so the suffix
 * here is always an IP literal.  A listener's name is rewritten to the
 * port it actually bound ("ptcp:0" becomes e.g. "ptcp:41234:0.0.0.0"), and
 * an accepted stream is named after its peer ("tcp:192.0.2.1:5000"). */
#include <config.h>

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_tcp);

static int
tcp_open(const char *name, char *suffix, struct stream **streamp)
{
    struct sockaddr_storage ss;
    int error, fd;

    error = inet_parse_active(suffix, -1, &ss, false);
    if (error) {
        return error == EAGAIN ? EINVAL : error;
    }
    error = inet_open_active(SOCK_STREAM, &ss, &fd);
    if (error && error != EAGAIN) {
        VLOG_DBG("%s: connect: %s", name, plx_strerror(error));
        return error;
    }
    return new_fd_stream(xstrdup(name), fd, error, ss.ss_family, streamp);
}

const struct stream_class tcp_stream_class = {
    .name = "tcp",
    .needs_probes = true,
    .open = tcp_open,
};

static int
ptcp_accept(int fd, const struct sockaddr_storage *ss,
            socklen_t ss_len PLX_UNUSED, struct stream **streamp)
{
    char *peer = ss_format_address_port(ss);
    char *name = xasprintf("tcp:%s", peer);

    free(peer);
    setsockopt_tcp_nodelay(fd);
    return new_fd_stream(name, fd, 0, ss->ss_family, streamp);
}

/* Listens on the TCP address that SUFFIX ("PORT[:IP]") names, naming the
 * pstream "PREFIX:PORT:IP" with the port actually bound (so "ptcp:0"
 * reports the port the kernel chose). */
int
new_inet_pstream(const char *prefix, const char *name, const char *suffix,
                 fd_pstream_accept_func *accept_cb, struct pstream **pstreamp)
{
    struct sockaddr_storage ss;
    uint16_t port;
    int error, fd;

    error = inet_parse_passive(suffix, -1, &ss);
    if (error) {
        return error;
    }
    error = inet_open_passive(SOCK_STREAM, &ss, &fd, &port);
    if (error) {
        VLOG_ERR("%s: listen: %s", name, plx_strerror(error));
        return error;
    }

    struct ds bound = DS_EMPTY_INITIALIZER;
    ds_put_format(&bound, "%s:%u:", prefix, port);
    ss_format_address(&ss, &bound);
    error = new_fd_pstream(ds_steal_cstr(&bound), fd, accept_cb, NULL,
                           pstreamp);
    if (!error) {
        pstream_set_bound_port(*pstreamp, port);
    }
    return error;
}

static int
ptcp_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    return new_inet_pstream("ptcp", name, suffix, ptcp_accept, pstreamp);
}

const struct pstream_class ptcp_pstream_class = {
    .name = "ptcp",
    .needs_probes = true,
    .listen = ptcp_listen,
};
