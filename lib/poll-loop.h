/*
 * poll-loop: one thread's event loop.
 *
 * Each iteration of a daemon's main loop (and of any other thread that
 * blocks) has two halves.  First every module does whatever work is ready
 * ("run") and registers what it is waiting for ("wait"): a file descriptor
 * becoming readable or writable, or a point in time.  Then poll_block()
 * sleeps until the first of those happens, and forgets them all: waits
 * are one-shot and re-registered every iteration.  A module that already
 * has more work calls poll_immediate_wake() so poll_block() does not
 * sleep.  State is per-thread.
 *
 * A thread registered with RCU (lib/rcu.h) is taken offline while
 * poll_block() sleeps: every iteration of its loop is a quiescent state,
 * and an idle thread never holds up RCU reclamation.
 *
 * The WHERE argument of the *_at() forms names the caller in debug logs
 * ("woken by fd 7 registered at lib/stream.c:120"); the plain macros fill
 * it in.
 *
 * poll_block() also waits for fatal signals and, after waking, runs
 * fatal_signal_run() (see fatal-signal.h): a daemon that runs a poll loop
 * cleans up its pid file and sockets on SIGTERM without doing anything
 * itself.  An interrupted poll() (EINTR) simply returns; the caller's
 * loop goes round again.  With the poll_loop module at DBG, each wakeup
 * is logged with its cause and WHERE.
 */
#ifndef PLX_POLL_LOOP_H
#define PLX_POLL_LOOP_H 1

#include <poll.h>
#include "util.h"

#define PLX_SOURCE_LOCATOR __FILE__ ":" PLX_STRINGIZE2(__LINE__)

/* Wakes when FD has any of EVENTS (POLLIN, POLLOUT). */
void poll_fd_wait_at(int fd, short int events, const char *where);
#define poll_fd_wait(FD, EVENTS) \
    poll_fd_wait_at(FD, EVENTS, PLX_SOURCE_LOCATOR)

/* Wakes after MSEC milliseconds (0 or negative: at once). */
void poll_timer_wait_at(long long int msec, const char *where);
#define poll_timer_wait(MSEC) poll_timer_wait_at(MSEC, PLX_SOURCE_LOCATOR)

/* Wakes at monotonic time WHEN (see time_msec()); LLONG_MAX: never. */
void poll_timer_wait_until_at(long long int when, const char *where);
#define poll_timer_wait_until(WHEN) \
    poll_timer_wait_until_at(WHEN, PLX_SOURCE_LOCATOR)

void poll_immediate_wake_at(const char *where);
#define poll_immediate_wake() poll_immediate_wake_at(PLX_SOURCE_LOCATOR)

/* Sleeps until a registered event, then clears every registration. */
void poll_block(void);

#endif /* poll-loop.h */
