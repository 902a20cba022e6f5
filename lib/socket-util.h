/*
 * socket-util: the socket plumbing under lib/stream*.c.
 *
 * Address parsing follows Open vSwitch's name syntax:
 *
 *   - active targets are "HOST[:PORT]" where HOST is an IPv4 literal,
 *     a bracketed IPv6 literal ("[fe80::1]"), or a host name;
 *   - passive targets are "[PORT][:IP]" where IP is an IPv4 or IPv6
 *     literal (brackets optional), defaulting to 0.0.0.0.
 *
 * Every parser takes text from users or configuration and reports bad
 * input as an errno value (EINVAL), never by asserting.  Functions that
 * return "int" return 0 or a positive errno value unless they say
 * otherwise.  Sockets are created nonblocking and close-on-exec.
 *
 * Unix domain socket paths may be longer than sun_path (108 bytes):
 * make_unix_socket() then opens the directory and names the socket as
 * "/proc/self/fd/N/BASENAME", so it never changes the working directory
 * (which would race with other threads).
 */
#ifndef PLX_SOCKET_UTIL_H
#define PLX_SOCKET_UTIL_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "util.h"

struct ds;

/* File descriptors. */
int set_nonblocking(int fd);
void xset_nonblocking(int fd);
int set_cloexec(int fd);
int setsockopt_tcp_nodelay(int fd);
int get_socket_error(int fd);               /* SO_ERROR, or errno. */
int check_connection_completion(int fd);    /* 0, EAGAIN, or errno. */
void closep(int *fdp);                      /* close(*fdp), *fdp = -1. */

/* Addresses. */
bool addr_is_ip_literal(const char *host);
int ip_parse_literal(const char *host, uint16_t port,
                     struct sockaddr_storage *);
int inet_split_host_port(const char *target, char **hostp, char **portp);
int inet_parse_port(const char *s, int default_port, uint16_t *portp);
int inet_parse_active(const char *target, int default_port,
                      struct sockaddr_storage *, bool resolve_host);
int inet_parse_passive(const char *target, int default_port,
                       struct sockaddr_storage *);
uint16_t ss_get_port(const struct sockaddr_storage *);
socklen_t ss_length(const struct sockaddr_storage *);
void ss_format_address(const struct sockaddr_storage *, struct ds *);
char *ss_format_address_port(const struct sockaddr_storage *);

/* IP sockets.  inet_open_active() returns 0 if connected at once or
 * EAGAIN while connecting, with the socket in *FDP either way;
 * otherwise an errno value with *FDP = -1. */
int inet_open_active(int style, const struct sockaddr_storage *,
                     int *fdp);
int inet_open_passive(int style, const struct sockaddr_storage *,
                      int *fdp, uint16_t *bound_portp);
int get_bound_port(int fd, uint16_t *portp);
int get_peer_address(int fd, struct sockaddr_storage *);

/* Unix domain sockets.  Creates a socket of STYLE (SOCK_STREAM), bound
 * to BIND_PATH if nonnull (unlinking a stale socket file first) and
 * connected to CONNECT_PATH if nonnull.  Returns the fd (>= 0) or a
 * negative errno value; a connect in progress is not an error (check
 * with check_connection_completion()). */
int make_unix_socket(int style, bool nonblock, const char *bind_path,
                     const char *connect_path);

#endif /* socket-util.h */
