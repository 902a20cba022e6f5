/* recirc: recirculation ids and their frozen translation state.  See
 * recirc.h. */
#include <config.h>
#include "recirc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "hmap.h"
#include "util.h"

struct recirc_node {
    struct hmap_node by_id;
    struct hmap_node by_state;
    uint32_t id;
    uint32_t refs;
    long long last_used;
    struct recirc_state state;  /* Strings and action set owned. */
};

struct recirc_table {
    pthread_mutex_t mutex;
    struct hmap by_id;
    struct hmap by_state;
    uint32_t next_id;
};

static uint32_t
state_hash(const struct recirc_state *s)
{
    uint32_t h = hash_string(s->bridge, s->table_id);
    h = hash_bytes(&s->metadata, sizeof s->metadata, h);
    h = hash_bytes(s->regs, sizeof s->regs, h);
    return hash_bytes(s->action_set, s->action_set_len, h);
}

static bool
state_equal(const struct recirc_state *a, const struct recirc_state *b)
{
    return (a->table_id == b->table_id
            && a->metadata == b->metadata
            && !memcmp(a->regs, b->regs, sizeof a->regs)
            && a->action_set_len == b->action_set_len
            && (!a->action_set_len
                || !memcmp(a->action_set, b->action_set, a->action_set_len))
            && !strcmp(a->bridge, b->bridge));
}

static void
state_clone(struct recirc_state *dst, const struct recirc_state *src)
{
    *dst = *src;
    dst->bridge = xstrdup(src->bridge);
    dst->action_set = (src->action_set_len
                       ? xmemdup(src->action_set, src->action_set_len)
                       : NULL);
}

void
recirc_state_uninit(struct recirc_state *s)
{
    free((char *) s->bridge);
    free((void *) s->action_set);
    s->bridge = NULL;
    s->action_set = NULL;
}

struct recirc_table *
recirc_table_create(void)
{
    struct recirc_table *t = xzalloc(sizeof *t);
    pthread_mutex_init(&t->mutex, NULL);
    hmap_init(&t->by_id);
    hmap_init(&t->by_state);
    t->next_id = 1;
    return t;
}

void
recirc_table_destroy(struct recirc_table *t)
{
    struct recirc_node *n;

    if (!t) {
        return;
    }
    HMAP_FOR_EACH_POP (n, by_id, &t->by_id) {
        recirc_state_uninit(&n->state);
        free(n);
    }
    hmap_destroy(&t->by_id);
    hmap_destroy(&t->by_state);
    pthread_mutex_destroy(&t->mutex);
    free(t);
}

static struct recirc_node *
find_by_id(const struct recirc_table *t, uint32_t id)
{
    struct recirc_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, by_id, hash_int(id, 0), &t->by_id) {
        if (n->id == id) {
            return n;
        }
    }
    return NULL;
}

/* The next free id after the last one handed out, skipping 0. */
static uint32_t
alloc_id(struct recirc_table *t)
{
    for (;;) {
        uint32_t id = t->next_id++;
        if (id && !find_by_id(t, id)) {
            return id;
        }
    }
}

uint32_t
recirc_get(struct recirc_table *t, const struct recirc_state *s,
           long long now)
{
    uint32_t hash = state_hash(s);
    struct recirc_node *n;
    uint32_t id = 0;

    pthread_mutex_lock(&t->mutex);
    HMAP_FOR_EACH_WITH_HASH (n, by_state, hash, &t->by_state) {
        if (state_equal(&n->state, s)) {
            n->last_used = now;
            id = n->id;
            goto out;
        }
    }
    if (hmap_count(&t->by_id) < RECIRC_MAX) {
        n = xzalloc(sizeof *n);
        state_clone(&n->state, s);
        n->id = id = alloc_id(t);
        n->last_used = now;
        hmap_insert(&t->by_id, &n->by_id, hash_int(id, 0));
        hmap_insert(&t->by_state, &n->by_state, hash);
    }
out:
    pthread_mutex_unlock(&t->mutex);
    return id;
}

bool
recirc_find(struct recirc_table *t, uint32_t id, struct recirc_state *s,
            long long now)
{
    struct recirc_node *n;

    pthread_mutex_lock(&t->mutex);
    n = find_by_id(t, id);
    if (n) {
        n->last_used = now;
        state_clone(s, &n->state);
    }
    pthread_mutex_unlock(&t->mutex);
    return n != NULL;
}

bool
recirc_ref(struct recirc_table *t, uint32_t id)
{
    struct recirc_node *n;

    pthread_mutex_lock(&t->mutex);
    n = find_by_id(t, id);
    if (n) {
        n->refs++;
    }
    pthread_mutex_unlock(&t->mutex);
    return n != NULL;
}

void
recirc_unref(struct recirc_table *t, uint32_t id)
{
    struct recirc_node *n;

    pthread_mutex_lock(&t->mutex);
    n = find_by_id(t, id);
    if (n && n->refs) {
        n->refs--;
    }
    pthread_mutex_unlock(&t->mutex);
}

void
recirc_run(struct recirc_table *t, long long now)
{
    struct recirc_node *n;

    pthread_mutex_lock(&t->mutex);
    HMAP_FOR_EACH_SAFE (n, by_id, &t->by_id) {
        if (!n->refs && now - n->last_used >= RECIRC_GRACE_MS) {
            hmap_remove(&t->by_id, &n->by_id);
            hmap_remove(&t->by_state, &n->by_state);
            recirc_state_uninit(&n->state);
            free(n);
        }
    }
    pthread_mutex_unlock(&t->mutex);
}

size_t
recirc_count(const struct recirc_table *t)
{
    return hmap_count(&t->by_id);
}
