/* socket-util: see socket-util.h. */
#include <config.h>
#include "socket-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "dns-resolve.h"
#include "dynamic-string.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(socket_util);

int
set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
        int error = errno;
        VLOG_ERR("fcntl(O_NONBLOCK) on fd %d failed: %s", fd,
                 plx_strerror(error));
        return error;
    }
    return 0;
}

void
xset_nonblocking(int fd)
{
    if (set_nonblocking(fd)) {
        VLOG_FATAL("cannot make fd %d nonblocking", fd);
    }
}

int
set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD, 0);
    if (flags == -1 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1) {
        return errno;
    }
    return 0;
}

int
setsockopt_tcp_nodelay(int fd)
{
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on)) {
        int error = errno;
        VLOG_ERR("setsockopt(TCP_NODELAY) on fd %d failed: %s", fd,
                 plx_strerror(error));
        return error;
    }
    return 0;
}

int
get_socket_error(int fd)
{
    int error;
    socklen_t len = sizeof error;

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
        return errno;
    }
    return error;
}

/* Returns 0 if the nonblocking connect() on FD finished successfully,
 * EAGAIN if it is still in progress, otherwise its error. */
int
check_connection_completion(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int retval;

    do {
        retval = poll(&pfd, 1, 0);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        return errno;
    } else if (retval == 0) {
        return EAGAIN;
    } else if (pfd.revents & (POLLERR | POLLHUP)) {
        int error = get_socket_error(fd);
        return error ? error : ECONNREFUSED;
    }
    return get_socket_error(fd);
}

void
closep(int *fdp)
{
    if (*fdp >= 0) {
        close(*fdp);
        *fdp = -1;
    }
}

/* Address parsing. */

/* True if HOST (without brackets) is an IPv4 or IPv6 literal. */
bool
addr_is_ip_literal(const char *host)
{
    struct in6_addr in6;
    struct in_addr in4;

    return (inet_pton(AF_INET, host, &in4) == 1
            || inet_pton(AF_INET6, host, &in6) == 1);
}

/* Parses HOST, an IPv4 or IPv6 literal (IPv6 optionally in brackets),
 * into *SS with PORT.  Returns 0 or EINVAL. */
int
ip_parse_literal(const char *host, uint16_t port,
                 struct sockaddr_storage *ss)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t len = strlen(host);

    memset(ss, 0, sizeof *ss);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        if (len - 2 >= sizeof buf) {
            return EINVAL;
        }
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        host = buf;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
            return EINVAL;
        }
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        return 0;
    }

    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        return 0;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
    if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        return 0;
    }
    return EINVAL;
}

/* Splits TARGET, "HOST[:PORT]" with HOST possibly "[IPV6]", into newly
 * allocated *HOSTP (brackets removed) and *PORTP (NULL if absent).
 * Returns 0 or EINVAL (with both outputs NULL). */
int
inet_split_host_port(const char *target, char **hostp, char **portp)
{
    const char *host, *host_end, *port = NULL;

    *hostp = *portp = NULL;
    if (target[0] == '[') {
        host = target + 1;
        host_end = strchr(host, ']');
        if (!host_end) {
            return EINVAL;
        }
        if (host_end[1] == ':') {
            port = host_end + 2;
        } else if (host_end[1] != '\0') {
            return EINVAL;
        }
    } else {
        const char *colon = strchr(target, ':');
        host = target;
        if (colon && strchr(colon + 1, ':')) {
            /* A bare IPv6 address: OVS requires brackets when a port
             * follows; without one, the whole thing is the host. */
            host_end = target + strlen(target);
        } else if (colon) {
            host_end = colon;
            port = colon + 1;
        } else {
            host_end = target + strlen(target);
        }
    }
    if (host_end == host) {
        return EINVAL;
    }
    *hostp = xmemdup0(host, host_end - host);
    *portp = port ? xstrdup(port) : NULL;
    return 0;
}

/* Parses S, a decimal port number 0...65535, into *PORTP.  A null or empty
 * S means DEFAULT_PORT, which must then be nonnegative.  Returns 0 or
 * EINVAL. */
int
inet_parse_port(const char *s, int default_port, uint16_t *portp)
{
    if (!s || !*s) {
        if (default_port < 0 || default_port > UINT16_MAX) {
            return EINVAL;
        }
        *portp = default_port;
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return EINVAL;
        }
    }
    int port;
    if (strlen(s) > 5 || !str_to_int(s, 10, &port) || port > UINT16_MAX) {
        return EINVAL;
    }
    *portp = port;
    return 0;
}

/* Host names per RFC 1123 (letters, digits, '-', '.', '_' tolerated);
 * this only keeps junk away from the resolver. */
static bool
is_valid_host_name(const char *s)
{
    size_t len = strlen(s);
    if (!len || len > 253) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'
              || *p == '_')) {
            return false;
        }
    }
    return true;
}

/* Parses an active TARGET "HOST[:PORT]" into *SS.  DEFAULT_PORT is used
 * when TARGET has no port; if it is negative, a port is required.
 *
 * Returns 0 on success, EINVAL if TARGET is malformed.  If HOST is a host
 * name: with RESOLVE_HOST, asks dns-resolve, returning EAGAIN while the
 * answer is pending and its error if resolution failed; without
 * RESOLVE_HOST, returns EAGAIN (syntax valid, address unknown).  SS may
 * be NULL to check syntax only. */
int
inet_parse_active(const char *target, int default_port,
                  struct sockaddr_storage *ss, bool resolve_host)
{
    struct sockaddr_storage dummy;
    char *host, *port_s;
    uint16_t port;
    int error;

    if (!ss) {
        ss = &dummy;
    }
    memset(ss, 0, sizeof *ss);
    error = inet_split_host_port(target, &host, &port_s);
    if (error) {
        return error;
    }
    error = inet_parse_port(port_s, default_port, &port);
    if (!error && target[0] == '[') {
        /* Brackets are for IPv6 literals only. */
        if (ip_parse_literal(host, port, ss) || ss->ss_family != AF_INET6) {
            error = EINVAL;
        }
    } else if (!error && !ip_parse_literal(host, port, ss)) {
        /* Literal. */
    } else if (!error) {
        if (strchr(target, '[') || strchr(host, ':')
            || !is_valid_host_name(host)) {
            error = EINVAL;
        } else if (!resolve_host) {
            error = EAGAIN;
        } else {
            char *addr = NULL;
            error = dns_resolve_status(host, &addr);
            if (!error) {
                error = ip_parse_literal(addr, port, ss);
                free(addr);
            }
        }
    }
    free(host);
    free(port_s);
    return error;
}

/* Parses a passive TARGET "[PORT][:IP]" into *SS.  DEFAULT_PORT as for
 * inet_parse_active().  IP defaults to 0.0.0.0.  Returns 0 or EINVAL. */
int
inet_parse_passive(const char *target, int default_port,
                   struct sockaddr_storage *ss)
{
    const char *colon = strchr(target, ':');
    char *port_s = colon ? xmemdup0(target, colon - target)
                         : xstrdup(target);
    const char *ip = colon ? colon + 1 : "0.0.0.0";
    uint16_t port;
    int error;

    memset(ss, 0, sizeof *ss);
    error = inet_parse_port(port_s, default_port, &port);
    if (!error) {
        error = ip_parse_literal(*ip ? ip : "0.0.0.0", port, ss);
    }
    free(port_s);
    return error;
}

uint16_t
ss_get_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        return ntohs(((const struct sockaddr_in *) ss)->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        return ntohs(((const struct sockaddr_in6 *) ss)->sin6_port);
    }
    return 0;
}

socklen_t
ss_length(const struct sockaddr_storage *ss)
{
    switch (ss->ss_family) {
    case AF_INET:
        return sizeof(struct sockaddr_in);
    case AF_INET6:
        return sizeof(struct sockaddr_in6);
    default:
        return sizeof *ss;
    }
}

/* Appends SS's address, without port, to S: "192.0.2.1" or "::1". */
void
ss_format_address(const struct sockaddr_storage *ss, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];
    const void *addr;

    if (ss->ss_family == AF_INET) {
        addr = &((const struct sockaddr_in *) ss)->sin_addr;
    } else if (ss->ss_family == AF_INET6) {
        addr = &((const struct sockaddr_in6 *) ss)->sin6_addr;
    } else {
        ds_put_format(s, "(family %d)", ss->ss_family);
        return;
    }
    if (inet_ntop(ss->ss_family, addr, buf, sizeof buf)) {
        ds_put_cstr(s, buf);
    }
}

/* Returns "IP:PORT" or "[IPV6]:PORT" for SS; the caller frees it. */
char *
ss_format_address_port(const struct sockaddr_storage *ss)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    bool v6 = ss->ss_family == AF_INET6;

    ds_put_cstr(&s, v6 ? "[" : "");
    ss_format_address(ss, &s);
    ds_put_format(&s, "%s:%u", v6 ? "]" : "", ss_get_port(ss));
    return ds_steal_cstr(&s);
}

/* IP sockets. */

static int
new_socket(int domain, int style, int *fdp)
{
    *fdp = socket(domain, style | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return *fdp < 0 ? errno : 0;
}

int
inet_open_active(int style, const struct sockaddr_storage *ss, int *fdp)
{
    int error = new_socket(ss->ss_family, style, fdp);
    if (error) {
        return error;
    }
    if (style == SOCK_STREAM) {
        setsockopt_tcp_nodelay(*fdp);
    }
    if (connect(*fdp, (const struct sockaddr *) ss, ss_length(ss)) < 0) {
        error = errno == EINPROGRESS ? EAGAIN : errno;
        if (error != EAGAIN) {
            closep(fdp);
        }
        return error;
    }
    return 0;
}

int
inet_open_passive(int style, const struct sockaddr_storage *ss, int *fdp,
                  uint16_t *bound_portp)
{
    int error = new_socket(ss->ss_family, style, fdp);
    int on = 1;

    if (error) {
        return error;
    }
    if (style == SOCK_STREAM
        && setsockopt(*fdp, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)) {
        error = errno;
    } else if (bind(*fdp, (const struct sockaddr *) ss, ss_length(ss))) {
        error = errno;
    } else if (style == SOCK_STREAM && listen(*fdp, 64)) {
        error = errno;
    } else if (bound_portp) {
        error = get_bound_port(*fdp, bound_portp);
    }
    if (error) {
        closep(fdp);
    }
    return error;
}

int
get_bound_port(int fd, uint16_t *portp)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    *portp = 0;
    if (getsockname(fd, (struct sockaddr *) &ss, &len)) {
        return errno;
    }
    *portp = ss_get_port(&ss);
    return 0;
}

int
get_peer_address(int fd, struct sockaddr_storage *ss)
{
    socklen_t len = sizeof *ss;

    memset(ss, 0, sizeof *ss);
    return getpeername(fd, (struct sockaddr *) ss, &len) ? errno : 0;
}

/* Unix domain sockets. */

/* Fills *UN with PATH.  If PATH does not fit in sun_path, opens PATH's
 * directory into *DIRFDP and uses "/proc/self/fd/N/BASENAME" instead.
 * Returns 0 or an errno value (ENAMETOOLONG if even that does not fit). */
static int
make_sockaddr_un(const char *path, struct sockaddr_un *un, socklen_t *lenp,
                 int *dirfdp)
{
    size_t len = strlen(path);

    *dirfdp = -1;
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    if (!len) {
        return EINVAL;
    }
    if (len >= sizeof un->sun_path) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1]) {
            return ENAMETOOLONG;
        }
        char *dir = slash == path ? xstrdup("/")
                                  : xmemdup0(path, slash - path);
        *dirfdp = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int error = *dirfdp < 0 ? errno : 0;
        free(dir);
        if (error) {
            return error;
        }
        int n = snprintf(un->sun_path, sizeof un->sun_path,
                         "/proc/self/fd/%d/%s", *dirfdp, slash + 1);
        if (n < 0 || (size_t) n >= sizeof un->sun_path) {
            closep(dirfdp);
            return ENAMETOOLONG;
        }
        len = n;
    } else {
        memcpy(un->sun_path, path, len);
    }
    *lenp = offsetof(struct sockaddr_un, sun_path) + len + 1;
    return 0;
}

/* If PATH names a socket nobody listens on any more, removes it, so that
 * a daemon restarted after a crash can bind again.  A live socket is left
 * alone (bind() then fails with EADDRINUSE). */
static void
unlink_stale_socket(const char *path, const struct sockaddr_un *un,
                    socklen_t un_len)
{
    struct stat st;

    if (lstat(path, &st) || !S_ISSOCK(st.st_mode)) {
        return;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return;
    }
    if (connect(fd, (const struct sockaddr *) un, un_len) < 0
        && errno == ECONNREFUSED) {
        VLOG_DBG("removing stale socket %s", path);
        unlink(path);
    }
    close(fd);
}

int
make_unix_socket(int style, bool nonblock, const char *bind_path,
                 const char *connect_path)
{
    int flags = SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
    int fd = socket(AF_UNIX, style | flags, 0);
    int error = 0;

    if (fd < 0) {
        return -errno;
    }
    if (bind_path) {
        struct sockaddr_un un;
        socklen_t un_len;
        int dirfd;

        error = make_sockaddr_un(bind_path, &un, &un_len, &dirfd);
        if (!error) {
            unlink_stale_socket(bind_path, &un, un_len);
            if (bind(fd, (struct sockaddr *) &un, un_len)) {
                error = errno;
            }
            closep(&dirfd);
        }
    }
    if (!error && connect_path) {
        struct sockaddr_un un;
        socklen_t un_len;
        int dirfd;

        error = make_sockaddr_un(connect_path, &un, &un_len, &dirfd);
        if (!error) {
            if (connect(fd, (struct sockaddr *) &un, un_len)
                && errno != EINPROGRESS) {
                error = errno;
            }
            closep(&dirfd);
        }
    }
    if (error) {
        close(fd);
        return -error;
    }
    return fd;
}
