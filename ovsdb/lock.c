/* Named OVSDB locks: see lock.h. */
#include <config.h>

#include "ovsdb/lock.h"

#include "hash.h"
#include "util.h"

void
ovsdb_lock_server_init(struct ovsdb_lock_server *server)
{
    hmap_init(&server->locks);
}

void
ovsdb_lock_server_destroy(struct ovsdb_lock_server *server)
{
    plx_assert(hmap_is_empty(&server->locks));
    hmap_destroy(&server->locks);
}

struct ovsdb_lock *
ovsdb_lock_server_find(const struct ovsdb_lock_server *server,
                       const char *name)
{
    struct ovsdb_lock *lock;

    HMAP_FOR_EACH_WITH_HASH (lock, hmap_node, hash_string(name, 0),
                             &server->locks) {
        if (!strcmp(lock->name, name)) {
            return lock;
        }
    }
    return NULL;
}

static struct ovsdb_lock_waiter *
lock_owner(const struct ovsdb_lock *lock)
{
    return (plx_list_is_empty(&lock->waiters) ? NULL
            : CONTAINER_OF(plx_list_front(&lock->waiters),
                           struct ovsdb_lock_waiter, lock_node));
}

struct ovsdb_lock_waiter *
ovsdb_lock_server_lock(struct ovsdb_lock_server *server, const char *name,
                       void *owner, enum ovsdb_lock_mode mode,
                       struct ovsdb_lock_waiter **victimp)
{
    struct ovsdb_lock *lock = ovsdb_lock_server_find(server, name);
    if (!lock) {
        lock = xzalloc(sizeof *lock);
        lock->server = server;
        lock->name = xstrdup(name);
        plx_list_init(&lock->waiters);
        hmap_insert(&server->locks, &lock->hmap_node, hash_string(name, 0));
    }

    struct ovsdb_lock_waiter *waiter = xzalloc(sizeof *waiter);
    waiter->lock = lock;
    waiter->mode = mode;
    waiter->owner = owner;

    struct ovsdb_lock_waiter *victim = NULL;
    if (mode == OVSDB_LOCK_STEAL) {
        victim = lock_owner(lock);
        plx_list_push_front(&lock->waiters, &waiter->lock_node);
    } else {
        plx_list_push_back(&lock->waiters, &waiter->lock_node);
    }
    if (victimp) {
        *victimp = victim;
    }
    return waiter;
}

struct ovsdb_lock_waiter *
ovsdb_lock_waiter_remove(struct ovsdb_lock_waiter *waiter)
{
    struct ovsdb_lock *lock = waiter->lock;
    bool was_owner = ovsdb_lock_waiter_is_owner(waiter);
    struct ovsdb_lock_waiter *new_owner = NULL;

    plx_list_remove(&waiter->lock_node);
    free(waiter);

    if (plx_list_is_empty(&lock->waiters)) {
        hmap_remove(&lock->server->locks, &lock->hmap_node);
        free(lock->name);
        free(lock);
    } else if (was_owner) {
        new_owner = lock_owner(lock);
    }
    return new_owner;
}

bool
ovsdb_lock_waiter_is_owner(const struct ovsdb_lock_waiter *waiter)
{
    return lock_owner(waiter->lock) == waiter;
}

const char *
ovsdb_lock_waiter_get_name(const struct ovsdb_lock_waiter *waiter)
{
    return waiter->lock->name;
}

size_t
ovsdb_lock_n_waiters(const struct ovsdb_lock *lock)
{
    return plx_list_size(&lock->waiters);
}
