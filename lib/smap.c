#include <config.h>
#include "smap.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "hash.h"

void
smap_init(struct smap *smap)
{
    hmap_init(&smap->map);
}

void
smap_destroy(struct smap *smap)
{
    if (smap) {
        smap_clear(smap);
        hmap_destroy(&smap->map);
    }
}

static void
smap_node_free(struct smap_node *node)
{
    free(node->key);
    free(node->value);
    free(node);
}

void
smap_clear(struct smap *smap)
{
    struct smap_node *node;

    HMAP_FOR_EACH_POP (node, node, &smap->map) {
        smap_node_free(node);
    }
}

static struct smap_node *
smap_insert__(struct smap *smap, char *key, char *value, uint32_t hash)
{
    struct smap_node *node = xmalloc(sizeof *node);
    node->key = key;
    node->value = value;
    hmap_insert(&smap->map, &node->node, hash);
    return node;
}

/* Initializes DST as a copy of SRC. */
void
smap_clone(struct smap *dst, const struct smap *src)
{
    const struct smap_node *node;

    smap_init(dst);
    hmap_reserve(&dst->map, smap_count(src));
    SMAP_FOR_EACH (node, src) {
        smap_insert__(dst, xstrdup(node->key), xstrdup(node->value),
                      hmap_node_hash(&node->node));
    }
}

void
smap_swap(struct smap *a, struct smap *b)
{
    hmap_swap(&a->map, &b->map);
}

/* Fixes up SMAP after its struct was moved in memory. */
void
smap_moved(struct smap *smap)
{
    hmap_moved(&smap->map);
}

static struct smap_node *
smap_find__(const struct smap *smap, const char *key, uint32_t hash)
{
    struct smap_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, node, hash, &smap->map) {
        if (!strcmp(node->key, key)) {
            return node;
        }
    }
    return NULL;
}

struct smap_node *
smap_add_nocopy(struct smap *smap, char *key, char *value)
{
    uint32_t hash = hash_string(key, 0);

    if (smap_find__(smap, key, hash)) {
        free(key);
        free(value);
        return NULL;
    }
    return smap_insert__(smap, key, value, hash);
}

struct smap_node *
smap_add(struct smap *smap, const char *key, const char *value)
{
    uint32_t hash = hash_string(key, 0);

    if (smap_find__(smap, key, hash)) {
        return NULL;
    }
    return smap_insert__(smap, xstrdup(key), xstrdup(value), hash);
}

struct smap_node *
smap_add_format(struct smap *smap, const char *key, const char *format, ...)
{
    uint32_t hash = hash_string(key, 0);

    if (smap_find__(smap, key, hash)) {
        return NULL;
    }

    va_list args;
    va_start(args, format);
    char *value = xvasprintf(format, args);
    va_end(args);
    return smap_insert__(smap, xstrdup(key), value, hash);
}

void
smap_replace(struct smap *smap, const char *key, const char *value)
{
    uint32_t hash = hash_string(key, 0);
    struct smap_node *node = smap_find__(smap, key, hash);

    if (node) {
        char *old = node->value;
        node->value = xstrdup(value);   /* VALUE may point into 'old'. */
        free(old);
    } else {
        smap_insert__(smap, xstrdup(key), xstrdup(value), hash);
    }
}

bool
smap_remove(struct smap *smap, const char *key)
{
    struct smap_node *node = smap_get_node(smap, key);
    if (node) {
        smap_remove_node(smap, node);
    }
    return node != NULL;
}

/* Removes NODE, which must be in SMAP, and frees it. */
void
smap_remove_node(struct smap *smap, struct smap_node *node)
{
    hmap_remove(&smap->map, &node->node);
    smap_node_free(node);
}

char *
smap_steal(struct smap *smap, struct smap_node *node)
{
    char *value = node->value;

    hmap_remove(&smap->map, &node->node);
    free(node->key);
    free(node);
    return value;
}

struct smap_node *
smap_get_node(const struct smap *smap, const char *key)
{
    return smap_find__(smap, key, hash_string(key, 0));
}

/* Returns KEY's value, or NULL if KEY is absent. */
const char *
smap_get(const struct smap *smap, const char *key)
{
    return smap_get_def(smap, key, NULL);
}

const char *
smap_get_def(const struct smap *smap, const char *key, const char *def)
{
    const struct smap_node *node = smap_get_node(smap, key);
    return node ? node->value : def;
}

bool
smap_contains(const struct smap *smap, const char *key)
{
    return smap_get_node(smap, key) != NULL;
}

int
smap_get_int(const struct smap *smap, const char *key, int def)
{
    const char *value = smap_get(smap, key);
    int x;
    return value && str_to_int(value, 10, &x) ? x : def;
}

unsigned int
smap_get_uint(const struct smap *smap, const char *key, unsigned int def)
{
    const char *value = smap_get(smap, key);
    unsigned int x;
    return value && str_to_uint(value, 10, &x) ? x : def;
}

unsigned long long
smap_get_ullong(const struct smap *smap, const char *key,
                unsigned long long def)
{
    const char *value = smap_get(smap, key);
    unsigned long long x;
    return value && str_to_ullong(value, 10, &x) ? x : def;
}

bool
smap_get_bool(const struct smap *smap, const char *key, bool def)
{
    const char *value = smap_get(smap, key);
    if (value) {
        if (!strcasecmp(value, "true")) {
            return true;
        } else if (!strcasecmp(value, "false")) {
            return false;
        }
    }
    return def;
}

bool
smap_equal(const struct smap *a, const struct smap *b)
{
    const struct smap_node *node;

    if (smap_count(a) != smap_count(b)) {
        return false;
    }
    SMAP_FOR_EACH (node, a) {
        const struct smap_node *other
            = smap_find__(b, node->key, hmap_node_hash(&node->node));
        if (!other || strcmp(node->value, other->value)) {
            return false;
        }
    }
    return true;
}

static int
compare_nodes_by_key(const void *a_, const void *b_)
{
    const struct smap_node *const *a = a_;
    const struct smap_node *const *b = b_;
    return strcmp((*a)->key, (*b)->key);
}

const struct smap_node **
smap_sort(const struct smap *smap)
{
    size_t n = smap_count(smap);
    const struct smap_node **array = xmalloc((n + 1) * sizeof *array);
    const struct smap_node *node;
    size_t i = 0;

    SMAP_FOR_EACH (node, smap) {
        array[i++] = node;
    }
    plx_assert(i == n);
    array[n] = NULL;
    if (n > 1) {
        qsort(array, n, sizeof *array, compare_nodes_by_key);
    }
    return array;
}

void
smap_format(const struct smap *smap, struct ds *ds)
{
    const struct smap_node **nodes = smap_sort(smap);

    for (size_t i = 0; nodes[i]; i++) {
        if (i) {
            ds_put_cstr(ds, ", ");
        }
        ds_put_format(ds, "%s=%s", nodes[i]->key, nodes[i]->value);
    }
    free(nodes);
}
