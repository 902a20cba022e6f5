/* stream-unix: "unix:FILE" and "punix:FILE" streams.
 *
 * A relative FILE is taken relative to the run directory (plx_rundir()),
 * as Open vSwitch does, so "unix:db.sock" names the database socket.
 * Paths longer than sun_path work (see make_unix_socket()).  A listener
 * removes a stale socket file left by a dead process before binding, and
 * its file is removed when it closes or the process dies of a signal. */
#include <config.h>

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dirs.h"
#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_unix);

static char *
unix_abs_path(const char *suffix)
{
    return suffix[0] == '/' ? xstrdup(suffix)
                            : xasprintf("%s/%s", plx_rundir(), suffix);
}

static int
unix_open(const char *name, char *suffix, struct stream **streamp)
{
    char *path;
    int fd;

    if (!*suffix) {
        return EINVAL;
    }
    path = unix_abs_path(suffix);
    fd = make_unix_socket(SOCK_STREAM, true, NULL, path);
    free(path);
    if (fd < 0) {
        VLOG_DBG("%s: connect: %s", name, plx_strerror(-fd));
        return -fd;
    }
    return new_fd_stream(xstrdup(name), fd, check_connection_completion(fd),
                         AF_UNIX, streamp);
}

const struct stream_class unix_stream_class = {
    .name = "unix",
    .needs_probes = false,
    .open = unix_open,
};

static int
punix_accept(int fd, const struct sockaddr_storage *ss PLX_UNUSED,
             socklen_t ss_len PLX_UNUSED, struct stream **streamp)
{
    /* Unix peers are usually unnamed; name the stream after the
     * listener's class, as OVS does. */
    return new_fd_stream(xstrdup("unix"), fd, 0, AF_UNIX, streamp);
}

static int
punix_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    char *path;
    int fd;

    if (!*suffix) {
        return EINVAL;
    }
    path = unix_abs_path(suffix);
    fd = make_unix_socket(SOCK_STREAM, true, path, NULL);
    if (fd < 0) {
        VLOG_ERR("%s: binding failed: %s", path, plx_strerror(-fd));
        free(path);
        return -fd;
    }
    if (listen(fd, 64) < 0) {
        int error = errno;
        VLOG_ERR("%s: listen: %s", path, plx_strerror(error));
        close(fd);
        unlink(path);
        free(path);
        return error;
    }
    return new_fd_pstream(xstrdup(name), fd, punix_accept, path, pstreamp);
}

const struct pstream_class punix_pstream_class = {
    .name = "punix",
    .needs_probes = false,
    .listen = punix_listen,
};
