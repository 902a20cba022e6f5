#include <config.h>
#include "hmap.h"

#include <string.h>

/* Old buckets moved per insertion while a resize is in progress.  Two is
 * enough to finish before the next doubling can be needed: the map must
 * gain at least as many nodes as the old array had buckets first. */
#define HMAP_MOVES_PER_INSERT 2

void
hmap_init(struct hmap *hmap)
{
    hmap->buckets = &hmap->one;
    hmap->one = NULL;
    hmap->mask = 0;
    hmap->n = 0;
    hmap->old = NULL;
    hmap->old_mask = 0;
    hmap->rehash_idx = 0;
}

/* 'buckets' is heap memory exactly when 'mask' is nonzero ('one' backs
 * the single-bucket case), and 'old' is always heap memory or NULL.
 * Deciding by 'mask' rather than by comparing with &hmap->one keeps
 * hmap_destroy() from freeing a struct member when a one-bucket map was
 * copied and hmap_moved() was forgotten. */
void
hmap_destroy(struct hmap *hmap)
{
    if (hmap) {
        if (hmap->mask) {
            free(hmap->buckets);
        }
        free(hmap->old);
        hmap->buckets = NULL;
        hmap->mask = 0;
        hmap->old = NULL;
    }
}

void
hmap_clear(struct hmap *hmap)
{
    hmap_destroy(hmap);
    hmap_init(hmap);
}

/* Fixes up HMAP after its struct was moved in memory (memcpy, realloc). */
void
hmap_moved(struct hmap *hmap)
{
    /* 'old' never points at 'one': see hmap_start_resize(). */
    if (!hmap->mask) {
        hmap->buckets = &hmap->one;
    }
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    hmap_moved(a);
    hmap_moved(b);
}

static struct hmap_node **
alloc_buckets(size_t n)
{
    return xcalloc(n, sizeof(struct hmap_node *));
}

/* Moves old bucket 'rehash_idx' into the new array. */
static void
hmap_move_one_bucket(struct hmap *hmap)
{
    struct hmap_node *node = hmap->old[hmap->rehash_idx];

    hmap->old[hmap->rehash_idx] = NULL;
    hmap->rehash_idx++;
    while (node) {
        struct hmap_node *next = node->next;
        struct hmap_node **chain = &hmap->buckets[node->hash & hmap->mask];
        node->next = *chain;
        *chain = node;
        node = next;
    }
    if (hmap->rehash_idx > hmap->old_mask) {
        struct hmap_node **old = hmap->old;
        hmap->old = NULL;
        hmap->old_mask = 0;
        hmap->rehash_idx = 0;
        free(old);
    }
}

static void
hmap_finish_resize(struct hmap *hmap)
{
    while (hmap->old) {
        hmap_move_one_bucket(hmap);
    }
}

/* Starts moving to an array of N_BUCKETS (a power of 2).  The caller makes
 * sure no resize is in progress. */
static void
hmap_start_resize(struct hmap *hmap, size_t n_buckets)
{
    plx_assert(!hmap->old);

    struct hmap_node **old = hmap->buckets;
    size_t old_mask = hmap->mask;

    if (old == &hmap->one) {
        /* The one-bucket storage lives inside the struct: move it out of
         * the way by draining it immediately, it holds few nodes. */
        hmap->buckets = n_buckets == 1 ? &hmap->one : alloc_buckets(n_buckets);
        hmap->mask = n_buckets - 1;
        struct hmap_node *node = hmap->one;
        if (hmap->buckets != &hmap->one) {
            hmap->one = NULL;
            while (node) {
                struct hmap_node *next = node->next;
                struct hmap_node **chain
                    = &hmap->buckets[node->hash & hmap->mask];
                node->next = *chain;
                *chain = node;
                node = next;
            }
        }
        return;
    }

    hmap->old = old;
    hmap->old_mask = old_mask;
    hmap->rehash_idx = 0;
    if (n_buckets == 1) {
        hmap->one = NULL;
        hmap->buckets = &hmap->one;
    } else {
        hmap->buckets = alloc_buckets(n_buckets);
    }
    hmap->mask = n_buckets - 1;
}

/* Bucket count we want for N nodes: the least power of 2 that
 * hmap_insert() would not grow at N nodes (it grows once n / 2 > mask,
 * i.e. n / 2 >= buckets), so that hmap_reserve(N) really saves every
 * resize for N nodes and hmap_shrink() does not leave a map that the next
 * insertion grows again. */
static size_t
buckets_for(size_t n)
{
    return round_up_pow2(n / 2 + 1);
}

void
hmap_reserve(struct hmap *hmap, size_t n)
{
    size_t want = buckets_for(n);
    if (want > hmap->mask + 1) {
        hmap_finish_resize(hmap);
        hmap_start_resize(hmap, want);
        hmap_finish_resize(hmap);
    }
}

void
hmap_shrink(struct hmap *hmap)
{
    size_t want = buckets_for(hmap->n);
    if (want < hmap->mask + 1) {
        hmap_finish_resize(hmap);
        hmap_start_resize(hmap, want);
        hmap_finish_resize(hmap);
    }
}

void
hmap_insert(struct hmap *hmap, struct hmap_node *node, size_t hash)
{
    for (int i = 0; i < HMAP_MOVES_PER_INSERT && hmap->old; i++) {
        hmap_move_one_bucket(hmap);
    }

    struct hmap_node **chain = hmap_chain__(hmap, hash);
    node->hash = hash;
    node->next = *chain;
    *chain = node;
    hmap->n++;

    if (hmap->n / 2 > hmap->mask) {
        /* A resize in progress is always done by now: it started at
         * n == 2 * old buckets, and reaching the next threshold takes at
         * least that many more insertions, each moving two old buckets.
         * Finishing is thus a no-op kept for safety. */
        hmap_finish_resize(hmap);
        hmap_start_resize(hmap, (hmap->mask + 1) * 2);
    }
}

/* Returns the link that points to NODE; NODE must be in HMAP. */
static struct hmap_node **
hmap_link_to(const struct hmap *hmap, const struct hmap_node *node)
{
    struct hmap_node **link = hmap_chain__(hmap, node->hash);
    while (*link != node) {
        plx_assert(*link);
        link = &(*link)->next;
    }
    return link;
}

void
hmap_remove(struct hmap *hmap, struct hmap_node *node)
{
    struct hmap_node **link = hmap_link_to(hmap, node);
    *link = node->next;
    hmap->n--;
}

/* Puts NEW_NODE where OLD is; both must have the same hash. */
void
hmap_replace(struct hmap *hmap, const struct hmap_node *old,
             struct hmap_node *new_node)
{
    struct hmap_node **link = hmap_link_to(hmap, old);
    new_node->hash = old->hash;
    new_node->next = old->next;
    *link = new_node;
}

bool
hmap_contains(const struct hmap *hmap, const struct hmap_node *node)
{
    for (const struct hmap_node *p = *hmap_chain__(hmap, node->hash);
         p; p = p->next) {
        if (p == node) {
            return true;
        }
    }
    return false;
}

/* Iteration order: the old array's unmoved buckets, then the new array. */
static struct hmap_node *
first_in(struct hmap_node **buckets, size_t start, size_t mask)
{
    for (size_t i = start; i <= mask; i++) {
        if (buckets[i]) {
            return buckets[i];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *hmap)
{
    struct hmap_node *node = NULL;
    if (hmap->old) {
        node = first_in(hmap->old, hmap->rehash_idx, hmap->old_mask);
    }
    return node ? node : first_in(hmap->buckets, 0, hmap->mask);
}

struct hmap_node *
hmap_next(const struct hmap *hmap, const struct hmap_node *node)
{
    if (node->next) {
        return node->next;
    }

    size_t hash = node->hash;
    if (hmap->old && (hash & hmap->old_mask) >= hmap->rehash_idx) {
        struct hmap_node *next = first_in(hmap->old,
                                          (hash & hmap->old_mask) + 1,
                                          hmap->old_mask);
        return next ? next : first_in(hmap->buckets, 0, hmap->mask);
    }
    return first_in(hmap->buckets, (hash & hmap->mask) + 1, hmap->mask);
}

/* HMAP_FOR_EACH_POP's helper: removes and returns some node of HMAP, or
 * returns NULL if HMAP is empty.  *POS is a cursor over the unmoved old
 * buckets followed by the new ones, so that popping every node costs
 * O(n + buckets) instead of rescanning the emptied front of the bucket
 * array on every call.  If the loop body inserted into HMAP (possibly
 * starting or finishing a resize, which shifts the meaning of *POS), the
 * scan from *POS may come up empty while nodes remain: then it rescans
 * from the start, so the loop still ends with HMAP empty. */
struct hmap_node *
hmap_pop_helper__(struct hmap *hmap, size_t *pos)
{
    if (!hmap->n) {
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++, *pos = 0) {
        struct hmap_node **bucket = NULL;
        size_t base = 0;

        if (hmap->old) {
            for (size_t i = MAX(*pos, hmap->rehash_idx);
                 i <= hmap->old_mask; i++) {
                if (hmap->old[i]) {
                    *pos = i;
                    bucket = &hmap->old[i];
                    break;
                }
            }
            base = hmap->old_mask + 1;
        }
        for (size_t i = MAX(*pos, base) - base; !bucket && i <= hmap->mask;
             i++) {
            if (hmap->buckets[i]) {
                *pos = base + i;
                bucket = &hmap->buckets[i];
            }
        }
        if (bucket) {
            struct hmap_node *node = *bucket;
            *bucket = node->next;
            hmap->n--;
            return node;
        }
    }
    PLX_NOT_REACHED();          /* 'n' is nonzero but no bucket has a node. */
}
