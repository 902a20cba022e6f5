/*
 * sset: a set of strings.
 *
 * Each string lives in its own struct sset_node, allocated with the name
 * stored inline after it, and filed in an hmap under hash_string(name, 0).
 * The set owns its strings: adding copies, deleting frees.  Names are
 * compared with strcmp(), so they are arbitrary NUL-terminated byte
 * strings (a name containing an embedded NUL is its prefix).
 *
 * Iteration (SSET_FOR_EACH) is in hash order; sset_sort() gives the
 * names in strcmp() order, for output that must be stable.
 *
 * Not thread-safe.
 */
#ifndef PLX_SSET_H
#define PLX_SSET_H 1

#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"

struct sset_node {
    struct hmap_node hmap_node;
    char name[];
};

struct sset {
    struct hmap map;
};

#define SSET_INITIALIZER(SSET) { HMAP_INITIALIZER(&(SSET)->map) }

void sset_init(struct sset *);
void sset_destroy(struct sset *);
void sset_clone(struct sset *dst, const struct sset *src);
void sset_swap(struct sset *, struct sset *);
void sset_moved(struct sset *);
void sset_clear(struct sset *);

static inline size_t sset_count(const struct sset *set)
{
    return hmap_count(&set->map);
}
static inline bool sset_is_empty(const struct sset *set)
{
    return hmap_is_empty(&set->map);
}

/* Adding.  sset_add() returns the new node, or NULL if NAME was already
 * present (the set is then unchanged).  sset_add_and_free() takes
 * ownership of NAME, which it frees. */
struct sset_node *sset_add(struct sset *, const char *name);
struct sset_node *sset_add_and_free(struct sset *, char *name);
void sset_add_array(struct sset *, const char *const names[], size_t n);

struct sset_node *sset_find(const struct sset *, const char *name);
bool sset_contains(const struct sset *, const char *name);

/* Removing.  sset_find_and_delete() returns whether NAME was there. */
void sset_delete(struct sset *, struct sset_node *);
bool sset_find_and_delete(struct sset *, const char *name);
/* Removes and returns some name, which the caller frees; NULL if empty. */
char *sset_pop(struct sset *);

bool sset_equals(const struct sset *, const struct sset *);

/* Returns a malloc'd array of the set's names (pointing into the set, so
 * valid until they are deleted) in strcmp() order, followed by a NULL
 * entry.  The caller frees the array, not the names. */
const char **sset_sort(const struct sset *);

/* Iteration helpers for the macros below. */
struct sset_node *sset_first(const struct sset *);
struct sset_node *sset_next(const struct sset *, const struct sset_node *);

/* Sets NAME (a const char *) to each name in SSET, in hash order. */
#define SSET_FOR_EACH(NAME, SSET)                                         \
    for (struct sset_node *NAME##__node = sset_first(SSET);               \
         NAME##__node ? ((NAME) = NAME##__node->name, 1) : 0;             \
         NAME##__node = sset_next(SSET, NAME##__node))

/* Like SSET_FOR_EACH, but the body may delete NAME (for example with
 * sset_find_and_delete()). */
#define SSET_FOR_EACH_SAFE(NAME, SSET)                                    \
    for (struct sset_node *NAME##__node = sset_first(SSET),               \
                          *NAME##__next = NULL;                           \
         NAME##__node                                                     \
         ? ((NAME) = NAME##__node->name,                                  \
            NAME##__next = sset_next(SSET, NAME##__node), 1) : 0;         \
         NAME##__node = NAME##__next)

#endif /* sset.h */
