/*
 * classifier-private: the classifier's internal data structures.  Only
 * lib/classifier.c and its tests include this.
 *
 * ctab: an RCU-readable hash table from 32-bit hashes to pointers, used
 * for a subtable's rules (key hash -> highest-priority rule with that
 * key) and for its stage indices (stage hash -> number of rules, a
 * counting set).  Open addressing with linear probing over two parallel
 * arrays, so that a probe walks packed 32-bit hashes:
 *
 *   - A slot's hash is CTAB_EMPTY, CTAB_DELETED (a tombstone) or a real
 *     hash (real hashes 0 and 1 are mapped to 2 and 3 by ctab_hash()).
 *   - Readers walk from 'hash & mask' until an empty slot, loading each
 *     hash with acquire semantics, and the value after a hash matches.
 *   - The one writer fills a free (empty or tombstone) slot by storing
 *     the value and then, with release semantics, the hash; it empties a
 *     slot by storing CTAB_DELETED; it may replace a live slot's value
 *     in place.  Slots never become empty and live entries never move,
 *     so an entry present throughout a probe is always found.  A reader
 *     can pair a stale hash with a newer value of a reused slot; readers
 *     of rule tables therefore compare the whole key, and a stage index
 *     is only a filter (a false "present" costs a probe, never a result).
 *   - When empty slots run low (live + tombstones > 3/4 of the slots),
 *     the writer builds a fresh table, publishes it with rcu_set() and
 *     frees the old one after a grace period.
 */
#ifndef PLX_CLASSIFIER_PRIVATE_H
#define PLX_CLASSIFIER_PRIVATE_H 1

#include "classifier.h"

#define CTAB_EMPTY 0u
#define CTAB_DELETED 1u

struct ctab {
    uint32_t mask;              /* Number of slots - 1. */
    uint32_t n;                 /* Writer: live slots. */
    uint32_t n_deleted;         /* Writer: tombstones. */
    uint32_t pad;
    void **values;              /* Points after 'hashes'. */
    uint32_t hashes[];
};

static inline uint32_t
ctab_hash(uint32_t hash)
{
    return hash < 2 ? hash + 2 : hash;
}

static inline uint32_t
ctab_load_hash(const struct ctab *t, uint32_t i)
{
    return __atomic_load_n(&t->hashes[i], __ATOMIC_ACQUIRE);
}

static inline void *
ctab_load_value(const struct ctab *t, uint32_t i)
{
    return __atomic_load_n(&t->values[i], __ATOMIC_ACQUIRE);
}

/* Whether some live slot has HASH (already passed through ctab_hash()). */
static inline bool
ctab_contains(const struct ctab *t, uint32_t hash)
{
    for (uint32_t i = hash & t->mask; ; i = (i + 1) & t->mask) {
        uint32_t h = ctab_load_hash(t, i);
        if (h == hash) {
            return true;
        } else if (h == CTAB_EMPTY) {
            return false;
        }
    }
}

/* Stages of a staged lookup: at most one per segment. */
#define CLS_MAX_STAGES FLOW_N_SEGMENTS
#define CLS_MAX_INDICES (CLS_MAX_STAGES - 1)

struct cls_subtable {
    /* Read by lookups.  Immutable while published, except the ctab
     * pointers and contents (RCU) and 'trie_plen'/'trie_stage', which
     * change only while the classifier's tries are switched off. */
    struct ctab *rules;                     /* RCU.  Key hash -> rule. */
    struct ctab *indices[CLS_MAX_INDICES];  /* RCU.  Counting sets. */
    const uint64_t *mask_values;            /* The mask's values. */
    uint8_t n_words;                        /* Words in the mask's map. */
    uint8_t n_indices;
    uint8_t stage_end[CLS_MAX_STAGES];      /* Stage i: values < this. */
    uint8_t trie_plen[CLS_MAX_TRIES];       /* 0: trie not usable. */
    uint8_t trie_stage[CLS_MAX_TRIES];      /* Stage of the trie field. */
    uint8_t idx[FLOW_U64S];                 /* Word index of each value. */
    struct minimask *mask;

    /* Writer only. */
    struct hmap_node hmap_node;             /* In 'subtables_map'. */
    int max_priority;
    unsigned int max_count;                 /* Rules at 'max_priority'. */
    unsigned int n_rules;
    uint32_t seq;                           /* Creation order. */
};

/* The published, immutable, priority-ordered list of subtables. */
struct cls_subtables {
    size_t n;
    struct cls_subtable_entry {
        int max_priority;                   /* Copy, >= the real max. */
        uint32_t seq;
        struct cls_subtable *subtable;
    } e[];
};

#endif /* classifier-private.h */
