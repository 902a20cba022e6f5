#include <config.h>
#include "sset.h"

#include <stdlib.h>
#include <string.h>
#include "hash.h"

void
sset_init(struct sset *set)
{
    hmap_init(&set->map);
}

void
sset_destroy(struct sset *set)
{
    if (set) {
        sset_clear(set);
        hmap_destroy(&set->map);
    }
}

/* Initializes DST as a copy of SRC. */
void
sset_clone(struct sset *dst, const struct sset *src)
{
    struct sset_node *node;

    sset_init(dst);
    hmap_reserve(&dst->map, sset_count(src));
    HMAP_FOR_EACH (node, hmap_node, &src->map) {
        size_t size = strlen(node->name) + 1;
        struct sset_node *copy = xmalloc(sizeof *copy + size);
        memcpy(copy->name, node->name, size);
        hmap_insert(&dst->map, &copy->hmap_node,
                    hmap_node_hash(&node->hmap_node));
    }
}

void
sset_swap(struct sset *a, struct sset *b)
{
    hmap_swap(&a->map, &b->map);
}

/* Fixes up SET after its struct was moved in memory. */
void
sset_moved(struct sset *set)
{
    hmap_moved(&set->map);
}

void
sset_clear(struct sset *set)
{
    struct sset_node *node;

    HMAP_FOR_EACH_POP (node, hmap_node, &set->map) {
        free(node);
    }
}

static struct sset_node *
sset_find__(const struct sset *set, const char *name, uint32_t hash)
{
    struct sset_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &set->map) {
        if (!strcmp(node->name, name)) {
            return node;
        }
    }
    return NULL;
}

struct sset_node *
sset_find(const struct sset *set, const char *name)
{
    return sset_find__(set, name, hash_string(name, 0));
}

bool
sset_contains(const struct sset *set, const char *name)
{
    return sset_find(set, name) != NULL;
}

struct sset_node *
sset_add(struct sset *set, const char *name)
{
    uint32_t hash = hash_string(name, 0);

    if (sset_find__(set, name, hash)) {
        return NULL;
    }

    size_t size = strlen(name) + 1;
    struct sset_node *node = xmalloc(sizeof *node + size);
    memcpy(node->name, name, size);
    hmap_insert(&set->map, &node->hmap_node, hash);
    return node;
}

struct sset_node *
sset_add_and_free(struct sset *set, char *name)
{
    struct sset_node *node = sset_add(set, name);
    free(name);
    return node;
}

void
sset_add_array(struct sset *set, const char *const names[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sset_add(set, names[i]);
    }
}

/* Removes NODE, which must be in SET, and frees it. */
void
sset_delete(struct sset *set, struct sset_node *node)
{
    hmap_remove(&set->map, &node->hmap_node);
    free(node);
}

bool
sset_find_and_delete(struct sset *set, const char *name)
{
    struct sset_node *node = sset_find(set, name);
    if (node) {
        sset_delete(set, node);
    }
    return node != NULL;
}

char *
sset_pop(struct sset *set)
{
    struct sset_node *node = sset_first(set);
    if (!node) {
        return NULL;
    }
    char *name = xstrdup(node->name);
    sset_delete(set, node);
    return name;
}

bool
sset_equals(const struct sset *a, const struct sset *b)
{
    struct sset_node *node;

    if (sset_count(a) != sset_count(b)) {
        return false;
    }
    HMAP_FOR_EACH (node, hmap_node, &a->map) {
        if (!sset_find__(b, node->name, hmap_node_hash(&node->hmap_node))) {
            return false;
        }
    }
    return true;
}

static int
compare_string_pointers(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

const char **
sset_sort(const struct sset *set)
{
    size_t n = sset_count(set);
    const char **array = xmalloc((n + 1) * sizeof *array);
    struct sset_node *node;
    size_t i = 0;

    HMAP_FOR_EACH (node, hmap_node, &set->map) {
        array[i++] = node->name;
    }
    plx_assert(i == n);
    array[n] = NULL;
    if (n > 1) {
        qsort(array, n, sizeof *array, compare_string_pointers);
    }
    return array;
}

struct sset_node *
sset_first(const struct sset *set)
{
    struct hmap_node *hmap_node = hmap_first(&set->map);
    return hmap_node ? CONTAINER_OF(hmap_node, struct sset_node, hmap_node)
                     : NULL;
}

struct sset_node *
sset_next(const struct sset *set, const struct sset_node *node)
{
    struct hmap_node *hmap_node = hmap_next(&set->map, &node->hmap_node);
    return hmap_node ? CONTAINER_OF(hmap_node, struct sset_node, hmap_node)
                     : NULL;
}
