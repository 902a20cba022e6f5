/*
 * lock: the named locks of RFC 7047 section 4.1.8 ("lock", "steal",
 * "unlock"), as ovsdb-server keeps them.
 *
 * A lock is a name and a queue of waiters, one per session that asked for
 * it; the waiter at the front of the queue owns the lock.  "lock" joins
 * the back of the queue, so the session owns the lock at once only if
 * nobody else wanted it.  "steal" jumps to the front: the previous owner
 * (the "victim") loses the lock but stays queued, second, so it gets the
 * lock back when the thief lets go, as in Open vSwitch.  "unlock" (and a
 * session going away) removes the waiter; if it was the owner, the next
 * waiter becomes the owner.
 *
 * The lock server knows nothing of sessions or JSON: each waiter carries
 * an opaque 'owner' pointer for the caller, and the functions that can
 * hand the lock to someone else return that waiter, so that the caller can
 * send it the "locked" (or "stolen") notification.
 *
 * Invariants: a lock exists exactly while its queue is non-empty; a
 * session has at most one waiter per lock name (the server checks this
 * before calling ovsdb_lock_server_lock()).
 */
#ifndef PLX_OVSDB_LOCK_H
#define PLX_OVSDB_LOCK_H 1

#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "list.h"

enum ovsdb_lock_mode {
    OVSDB_LOCK_WAIT,            /* "lock": queue at the back. */
    OVSDB_LOCK_STEAL            /* "steal": take it from the owner now. */
};

struct ovsdb_lock_server {
    struct hmap locks;          /* struct ovsdb_lock by name. */
};

struct ovsdb_lock {
    struct hmap_node hmap_node; /* In ovsdb_lock_server's 'locks'. */
    struct ovsdb_lock_server *server;
    char *name;
    struct plx_list waiters;    /* struct ovsdb_lock_waiter; front owns. */
};

struct ovsdb_lock_waiter {
    struct plx_list lock_node;  /* In ovsdb_lock's 'waiters'. */
    struct ovsdb_lock *lock;
    enum ovsdb_lock_mode mode;  /* How it was requested. */
    void *owner;                /* The caller's (a session). */

    /* For the caller's own map of its waiters (by name). */
    struct hmap_node owner_node;
};

void ovsdb_lock_server_init(struct ovsdb_lock_server *);
/* Every waiter must have been removed already. */
void ovsdb_lock_server_destroy(struct ovsdb_lock_server *);

/* Queues a new waiter for lock NAME on behalf of OWNER and returns it.
 * With OVSDB_LOCK_STEAL, if someone else owned the lock, stores its
 * waiter (which stays queued) in '*victimp', else NULL there. */
struct ovsdb_lock_waiter *ovsdb_lock_server_lock(
    struct ovsdb_lock_server *, const char *name, void *owner,
    enum ovsdb_lock_mode, struct ovsdb_lock_waiter **victimp);

/* Removes and frees WAITER.  If it owned its lock and another waiter now
 * owns it, returns that waiter (to be told "locked"), else NULL. */
struct ovsdb_lock_waiter *ovsdb_lock_waiter_remove(
    struct ovsdb_lock_waiter *);

bool ovsdb_lock_waiter_is_owner(const struct ovsdb_lock_waiter *);
const char *ovsdb_lock_waiter_get_name(const struct ovsdb_lock_waiter *);

/* The lock named NAME, or NULL if nobody holds or waits for it. */
struct ovsdb_lock *ovsdb_lock_server_find(const struct ovsdb_lock_server *,
                                          const char *name);
size_t ovsdb_lock_n_waiters(const struct ovsdb_lock *);

#endif /* ovsdb/lock.h */
