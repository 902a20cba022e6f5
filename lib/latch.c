/* latch: a cross-thread wakeup over an eventfd.  See latch.h. */
#include <config.h>
#include "latch.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(latch);

void
latch_init(struct latch *latch)
{
    latch->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (latch->fd < 0) {
        VLOG_ABORT("eventfd failed: %s", plx_strerror(errno));
    }
}

void
latch_destroy(struct latch *latch)
{
    if (latch->fd >= 0) {
        close(latch->fd);
        latch->fd = -1;
    }
}

void
latch_set(struct latch *latch)
{
    int save_errno = errno;     /* May be in a signal handler. */
    uint64_t one = 1;
    ssize_t retval;

    /* EAGAIN means the counter is at its maximum: set already. */
    do {
        retval = write(latch->fd, &one, sizeof one);
    } while (retval < 0 && errno == EINTR);
    errno = save_errno;
}

bool
latch_poll(struct latch *latch)
{
    uint64_t value;
    ssize_t retval;

    do {
        retval = read(latch->fd, &value, sizeof value);
    } while (retval < 0 && errno == EINTR);
    return retval == sizeof value && value > 0;
}

bool
latch_is_set(const struct latch *latch)
{
    struct pollfd pfd = { .fd = latch->fd, .events = POLLIN };
    int retval;

    do {
        retval = poll(&pfd, 1, 0);
    } while (retval < 0 && errno == EINTR);
    return retval > 0 && (pfd.revents & POLLIN);
}

void
latch_wait_at(const struct latch *latch, const char *where)
{
    poll_fd_wait_at(latch->fd, POLLIN, where);
}
