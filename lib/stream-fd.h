/*
 * stream-fd: streams and listeners over a plain socket file descriptor.
 *
 * The unix and tcp classes differ only in how they create the socket;
 * once they have one, everything else (nonblocking read and write,
 * connect completion, poll waits, accept) is the same and lives here.
 * A stream-fd owns its descriptor and closes it in close().  Writes use
 * MSG_NOSIGNAL, so a peer that went away yields -EPIPE, never SIGPIPE.
 */
#ifndef PLX_STREAM_FD_H
#define PLX_STREAM_FD_H 1

#include <stdint.h>
#include <sys/socket.h>

struct stream;
struct pstream;

/* Wraps connected (or connecting) socket FD, of address family FAMILY, in
 * a new stream named NAME (which it takes).  CONNECT_STATUS as for
 * stream_init(). */
int new_fd_stream(char *name, int fd, int connect_status, int family,
                  struct stream **streamp);

/* Called by a listener for each accepted socket FD with peer address SS:
 * creates the stream (it owns FD even on failure). */
typedef int fd_pstream_accept_func(int fd, const struct sockaddr_storage *ss,
                                   socklen_t ss_len, struct stream **);

/* Wraps listening socket FD in a new pstream named NAME (taken).  If
 * UNLINK_PATH is nonnull (taken), that file is unlinked on close and on
 * a fatal signal. */
int new_fd_pstream(char *name, int fd, fd_pstream_accept_func *,
                   char *unlink_path, struct pstream **pstreamp);

/* Opens a TCP listener for "ptcp"-style SUFFIX "PORT[:IP]" whose
 * accepted sockets ACCEPT_CB wraps; PREFIX names the class ("ptcp",
 * "pssl") in the pstream's name.  Returns 0 or an errno value. */
int new_inet_pstream(const char *prefix, const char *name,
                     const char *suffix, fd_pstream_accept_func *accept_cb,
                     struct pstream **pstreamp);

#endif /* stream-fd.h */
