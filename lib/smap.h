/*
 * smap: a map from strings to strings.
 *
 * The shape of OVSDB's map<string,string> columns (other_config,
 * external_ids, options, status): each pair is a struct smap_node, filed
 * in an hmap under hash_string(key, 0).  The map owns its keys and
 * values (malloc'd copies).  Keys are unique: smap_add() refuses a key
 * that is present, smap_replace() overwrites it.  Because such maps
 * come from outside (the database, the command line), a duplicate key is
 * a return value, never an assertion.
 *
 * Typed getters (smap_get_int() and friends) return the caller's default
 * when the key is absent or its value does not parse, so a bad config
 * value degrades to the default instead of to garbage.
 *
 * Iteration (SMAP_FOR_EACH) is in hash order; smap_sort() gives the
 * nodes in key order, for output that must be stable.
 *
 * Not thread-safe.
 */
#ifndef PLX_SMAP_H
#define PLX_SMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "util.h"

struct ds;

struct smap_node {
    struct hmap_node node;      /* In struct smap's 'map'. */
    char *key;
    char *value;
};

struct smap {
    struct hmap map;
};

#define SMAP_INITIALIZER(SMAP) { HMAP_INITIALIZER(&(SMAP)->map) }

void smap_init(struct smap *);
void smap_destroy(struct smap *);
void smap_clone(struct smap *dst, const struct smap *src);
void smap_swap(struct smap *, struct smap *);
void smap_moved(struct smap *);
void smap_clear(struct smap *);

static inline size_t smap_count(const struct smap *smap)
{
    return hmap_count(&smap->map);
}
static inline bool smap_is_empty(const struct smap *smap)
{
    return hmap_is_empty(&smap->map);
}

/* Adding.  smap_add() and smap_add_format() return the new node, or NULL
 * if KEY was already present (the map is then unchanged).
 * smap_add_nocopy() takes ownership of KEY and VALUE (malloc'd), freeing
 * both if it returns NULL.  smap_replace() adds KEY or changes its
 * value. */
struct smap_node *smap_add(struct smap *, const char *key, const char *value);
struct smap_node *smap_add_nocopy(struct smap *, char *key, char *value);
struct smap_node *smap_add_format(struct smap *, const char *key,
                                  const char *format, ...)
    PLX_PRINTF_FORMAT(3, 4);
void smap_replace(struct smap *, const char *key, const char *value);

/* Removing.  smap_remove() returns whether KEY was present.
 * smap_remove_node() frees NODE; smap_steal() frees NODE and its key and
 * returns its value, which the caller frees. */
bool smap_remove(struct smap *, const char *key);
void smap_remove_node(struct smap *, struct smap_node *);
char *smap_steal(struct smap *, struct smap_node *);

/* Lookup. */
struct smap_node *smap_get_node(const struct smap *, const char *key);
const char *smap_get(const struct smap *, const char *key);
const char *smap_get_def(const struct smap *, const char *key,
                         const char *def);
bool smap_contains(const struct smap *, const char *key);

/* Typed lookup: the value parsed as a base-10 number the way
 * str_to_int() and friends parse it (leading blanks and a sign allowed,
 * no "0x", nothing after the digits; no '-' for the unsigned getters),
 * or "true"/"false" in any case for smap_get_bool().  DEF if KEY is
 * absent or its value is not a valid, in-range number of the type. */
int smap_get_int(const struct smap *, const char *key, int def);
unsigned int smap_get_uint(const struct smap *, const char *key,
                           unsigned int def);
unsigned long long smap_get_ullong(const struct smap *, const char *key,
                                   unsigned long long def);
bool smap_get_bool(const struct smap *, const char *key, bool def);

bool smap_equal(const struct smap *, const struct smap *);

/* Returns a malloc'd array of the map's nodes in strcmp() order of their
 * keys, followed by a NULL entry.  The caller frees the array only. */
const struct smap_node **smap_sort(const struct smap *);

/* Appends "key1=value1, key2=value2" in key order, quoting nothing. */
void smap_format(const struct smap *, struct ds *);

/* Sets NODE (a struct smap_node *) to each pair, in hash order. */
#define SMAP_FOR_EACH(NODE, SMAP)                                         \
    HMAP_FOR_EACH (NODE, node, &(SMAP)->map)

/* Like SMAP_FOR_EACH, but the body may remove NODE. */
#define SMAP_FOR_EACH_SAFE(NODE, SMAP)                                    \
    HMAP_FOR_EACH_SAFE (NODE, node, &(SMAP)->map)

#endif /* smap.h */
