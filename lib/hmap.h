/*
 * hmap: an intrusive hash map with incremental resizing.
 *
 * An element embeds a struct hmap_node and is filed under a caller-chosen
 * hash; the map never computes hashes and never compares keys, so one
 * element may sit in several maps at once and lookup is "walk the nodes
 * with this hash, compare keys yourself" (HMAP_FOR_EACH_WITH_HASH).
 *
 * Resizing is incremental, as in Redis's dict: when the map outgrows its
 * bucket array, a bucket array twice as large is allocated and the old
 * buckets are moved over a couple at a time by later insertions, so no
 * single insertion pays for rehashing the whole map.  Invariant while a
 * resize is in progress ('old' nonnull): a node whose hash selects old
 * bucket i (hash & old_mask) lives in the old array if i >= rehash_idx,
 * else in the new one.  All nodes with one hash therefore always share one
 * chain, which keeps lookups a single chain walk.
 *
 * Only insertion (and hmap_reserve() and hmap_shrink()) moves nodes
 * between arrays.  Removal, replacement and lookup never do, so
 * HMAP_FOR_EACH_SAFE may remove the current node; inserting while
 * iterating may make the iteration miss or repeat nodes.
 *
 * 'buckets' points at the in-struct 'one' exactly when 'mask' is 0, and
 * 'old' is never 'one' (growing out of one bucket moves its few nodes at
 * once), so after copying a struct hmap only hmap_moved() is needed.
 *
 * Not thread-safe: concurrent readers need the caller's locking, or a
 * structure built for RCU (the classifier uses one).
 */
#ifndef PLX_HMAP_H
#define PLX_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct hmap_node {
    size_t hash;                /* Hash value, chosen by the user. */
    struct hmap_node *next;     /* Next node in the same bucket. */
};

static inline size_t
hmap_node_hash(const struct hmap_node *node)
{
    return node->hash;
}

struct hmap {
    struct hmap_node **buckets; /* 'mask' + 1 buckets. */
    struct hmap_node *one;      /* Storage for 'buckets' when mask == 0. */
    size_t mask;
    size_t n;                   /* Nodes in the map, in both arrays. */

    /* Incremental resize (see the invariant above); NULL when idle. */
    struct hmap_node **old;
    size_t old_mask;
    size_t rehash_idx;          /* Old buckets below this are moved. */
};

#define HMAP_INITIALIZER(HMAP) \
    { (struct hmap_node **const) &(HMAP)->one, NULL, 0, 0, NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);
void hmap_clear(struct hmap *);
void hmap_swap(struct hmap *, struct hmap *);
void hmap_moved(struct hmap *);

static inline size_t hmap_count(const struct hmap *hmap) { return hmap->n; }
static inline bool hmap_is_empty(const struct hmap *hmap)
{
    return hmap->n == 0;
}

/* Sizing.  hmap_reserve() makes room for N nodes at once (finishing any
 * resize in progress); hmap_shrink() gives memory back after many
 * removals.  Neither is needed for correctness. */
void hmap_reserve(struct hmap *, size_t n);
void hmap_shrink(struct hmap *);

void hmap_insert(struct hmap *, struct hmap_node *, size_t hash);
void hmap_remove(struct hmap *, struct hmap_node *);
void hmap_replace(struct hmap *, const struct hmap_node *old,
                  struct hmap_node *new_node);
bool hmap_contains(const struct hmap *, const struct hmap_node *);

/* The chain that holds every node with HASH. */
static inline struct hmap_node **
hmap_chain__(const struct hmap *hmap, size_t hash)
{
    if (hmap->old && (hash & hmap->old_mask) >= hmap->rehash_idx) {
        return &hmap->old[hash & hmap->old_mask];
    }
    return &hmap->buckets[hash & hmap->mask];
}

static inline struct hmap_node *
hmap_next_with_hash__(const struct hmap_node *node, size_t hash)
{
    while (node && node->hash != hash) {
        node = node->next;
    }
    return (struct hmap_node *) node;
}

static inline struct hmap_node *
hmap_first_with_hash(const struct hmap *hmap, size_t hash)
{
    return hmap_next_with_hash__(*hmap_chain__(hmap, hash), hash);
}

static inline struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    return hmap_next_with_hash__(node->next, node->hash);
}

struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

/* Iteration.  NODE must be a plain variable name: the macros declare a
 * hidden cursor named after it. */
#define HMAP_FOR_EACH_WITH_HASH(NODE, MEMBER, HASH, HMAP)                 \
    for (struct hmap_node *NODE##__ = hmap_first_with_hash(HMAP, HASH);   \
         NODE##__ ? (ASSIGN_CONTAINER(NODE, NODE##__, MEMBER), 1) : 0;    \
         NODE##__ = hmap_next_with_hash(NODE##__))

#define HMAP_FOR_EACH(NODE, MEMBER, HMAP)                                 \
    for (struct hmap_node *NODE##__ = hmap_first(HMAP);                   \
         NODE##__ ? (ASSIGN_CONTAINER(NODE, NODE##__, MEMBER), 1) : 0;    \
         NODE##__ = hmap_next(HMAP, NODE##__))

/* Like HMAP_FOR_EACH, but the body may remove NODE. */
#define HMAP_FOR_EACH_SAFE(NODE, MEMBER, HMAP)                            \
    for (struct hmap_node *NODE##__ = hmap_first(HMAP), *NODE##__n = NULL;\
         NODE##__ ? (ASSIGN_CONTAINER(NODE, NODE##__, MEMBER),            \
                     NODE##__n = hmap_next(HMAP, NODE##__), 1) : 0;       \
         NODE##__ = NODE##__n)

/* Removes every node, visiting each once with NODE set; the body usually
 * frees it.  Leaves the map empty.  Linear in nodes plus buckets. */
struct hmap_pop_cursor__ {
    size_t pos;
    struct hmap_node *node;
};
struct hmap_node *hmap_pop_helper__(struct hmap *, size_t *pos);
#define HMAP_FOR_EACH_POP(NODE, MEMBER, HMAP)                             \
    for (struct hmap_pop_cursor__ NODE##__c = { 0, NULL };                \
         (NODE##__c.node = hmap_pop_helper__(HMAP, &NODE##__c.pos))       \
         ? (ASSIGN_CONTAINER(NODE, NODE##__c.node, MEMBER), 1) : 0;)

#endif /* hmap.h */
