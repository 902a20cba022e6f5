/* stream-fd: see stream-fd.h. */
#include <config.h>
#include "stream-fd.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fatal-signal.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "stream-provider.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_fd);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 25);

/* Active fd stream. */

struct stream_fd {
    struct stream stream;
    int fd;
    int family;
};

static const struct stream_class stream_fd_class;

static struct stream_fd *
stream_fd_cast(struct stream *stream)
{
    stream_assert_class(stream, &stream_fd_class);
    return CONTAINER_OF(stream, struct stream_fd, stream);
}

int
new_fd_stream(char *name, int fd, int connect_status, int family,
              struct stream **streamp)
{
    struct stream_fd *s = xmalloc(sizeof *s);

    stream_init(&s->stream, &stream_fd_class, connect_status, name);
    s->fd = fd;
    s->family = family;
    *streamp = &s->stream;
    return 0;
}

static void
fd_close(struct stream *stream)
{
    struct stream_fd *s = stream_fd_cast(stream);
    close(s->fd);
    free(s);
}

static int
fd_connect(struct stream *stream)
{
    struct stream_fd *s = stream_fd_cast(stream);
    return check_connection_completion(s->fd);
}

static ssize_t
fd_recv(struct stream *stream, void *buffer, size_t n)
{
    struct stream_fd *s = stream_fd_cast(stream);
    ssize_t retval;

    do {
        retval = recv(s->fd, buffer, n, 0);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        int error = errno == EWOULDBLOCK ? EAGAIN : errno;
        if (error != EAGAIN) {
            VLOG_DBG_RL(&rl, "%s: recv: %s", stream->name,
                        plx_strerror(error));
        }
        return -error;
    }
    return retval;
}

static ssize_t
fd_send(struct stream *stream, const void *buffer, size_t n)
{
    struct stream_fd *s = stream_fd_cast(stream);
    ssize_t retval;

    do {
        retval = send(s->fd, buffer, n, MSG_NOSIGNAL);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        int error = errno == EWOULDBLOCK ? EAGAIN : errno;
        if (error != EAGAIN) {
            VLOG_DBG_RL(&rl, "%s: send: %s", stream->name,
                        plx_strerror(error));
        }
        return -error;
    }
    return retval ? retval : -EAGAIN;
}

static void
fd_wait(struct stream *stream, enum stream_wait_type wait)
{
    struct stream_fd *s = stream_fd_cast(stream);

    switch (wait) {
    case STREAM_CONNECT:
    case STREAM_SEND:
        poll_fd_wait(s->fd, POLLOUT);
        break;
    case STREAM_RECV:
        poll_fd_wait(s->fd, POLLIN);
        break;
    default:
        PLX_NOT_REACHED();
    }
}

static char *
fd_get_peer_address(const struct stream *stream)
{
    const struct stream_fd *s = CONTAINER_OF(stream, struct stream_fd,
                                             stream);
    struct sockaddr_storage ss;

    if ((s->family != AF_INET && s->family != AF_INET6)
        || get_peer_address(s->fd, &ss)) {
        return NULL;
    }
    return ss_format_address_port(&ss);
}

static const struct stream_class stream_fd_class = {
    .name = "fd",
    .needs_probes = false,
    .open = NULL,
    .close = fd_close,
    .connect = fd_connect,
    .recv = fd_recv,
    .send = fd_send,
    .run = NULL,
    .run_wait = NULL,
    .wait = fd_wait,
    .get_peer_address = fd_get_peer_address,
};

/* Passive fd stream. */

struct fd_pstream {
    struct pstream pstream;
    int fd;
    fd_pstream_accept_func *accept_cb;
    char *unlink_path;
};

static const struct pstream_class fd_pstream_class;

static struct fd_pstream *
fd_pstream_cast(struct pstream *pstream)
{
    plx_assert(pstream->class == &fd_pstream_class);
    return CONTAINER_OF(pstream, struct fd_pstream, pstream);
}

int
new_fd_pstream(char *name, int fd, fd_pstream_accept_func *accept_cb,
               char *unlink_path, struct pstream **pstreamp)
{
    struct fd_pstream *ps = xmalloc(sizeof *ps);

    pstream_init(&ps->pstream, &fd_pstream_class, name);
    ps->fd = fd;
    ps->accept_cb = accept_cb;
    ps->unlink_path = unlink_path;
    if (unlink_path) {
        fatal_signal_add_file_to_unlink(unlink_path);
    }
    *pstreamp = &ps->pstream;
    return 0;
}

static void
pfd_close(struct pstream *pstream)
{
    struct fd_pstream *ps = fd_pstream_cast(pstream);

    close(ps->fd);
    if (ps->unlink_path) {
        fatal_signal_unlink_file_now(ps->unlink_path);
        free(ps->unlink_path);
    }
    free(ps);
}

static int
pfd_accept(struct pstream *pstream, struct stream **new_streamp)
{
    struct fd_pstream *ps = fd_pstream_cast(pstream);
    struct sockaddr_storage ss;
    socklen_t ss_len = sizeof ss;
    int new_fd;

    do {
        new_fd = accept4(ps->fd, (struct sockaddr *) &ss, &ss_len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (new_fd < 0 && errno == EINTR);
    if (new_fd < 0) {
        int error = errno == EWOULDBLOCK ? EAGAIN : errno;
        if (error != EAGAIN) {
            VLOG_WARN_RL(&rl, "%s: accept: %s", pstream->name,
                         plx_strerror(error));
        }
        return error;
    }
    return ps->accept_cb(new_fd, &ss, ss_len, new_streamp);
}

static void
pfd_wait(struct pstream *pstream)
{
    struct fd_pstream *ps = fd_pstream_cast(pstream);
    poll_fd_wait(ps->fd, POLLIN);
}

static const struct pstream_class fd_pstream_class = {
    .name = "pfd",
    .needs_probes = false,
    .listen = NULL,
    .close = pfd_close,
    .accept = pfd_accept,
    .wait = pfd_wait,
};
