/*
 * latch: a wakeup one thread sends and another waits for in its poll loop.
 *
 * A latch is a flag backed by an eventfd, so that setting it wakes any
 * poll_block() that waits on it.  The usual use is stopping a thread:
 *
 *     thread:                                  main:
 *         for (;;) {                               latch_set(&exit_latch);
 *             if (latch_is_set(&exit_latch)) {     pthread_join(...);
 *                 break;
 *             }
 *             ...work, register waits...
 *             latch_wait(&exit_latch);
 *             poll_block();
 *         }
 *
 * latch_set() is safe from any thread and from a signal handler
 * (write(2) only).  latch_poll() reads and clears it; latch_is_set()
 * tests it without clearing.  Setting an already set latch changes
 * nothing: it does not count.
 */
#ifndef PLX_LATCH_H
#define PLX_LATCH_H 1

#include <stdbool.h>

struct latch {
    int fd;                     /* eventfd. */
};

/* Aborts if no eventfd can be created (out of fds is not recoverable
 * here, as out of memory is not). */
void latch_init(struct latch *);
void latch_destroy(struct latch *);

void latch_set(struct latch *);
/* Returns true if the latch was set, and clears it. */
bool latch_poll(struct latch *);
bool latch_is_set(const struct latch *);

/* Makes the next poll_block() wake up when the latch is set. */
void latch_wait_at(const struct latch *, const char *where);
#define latch_wait(LATCH) latch_wait_at(LATCH, PLX_SOURCE_LOCATOR)

#endif /* latch.h */
