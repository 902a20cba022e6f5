/*
 * emc: the per-PMD-thread exact-match cache, in front of the megaflow
 * cache (datapath/dpcls.h).
 *
 * A fixed array of EMC_ENTRIES entries, each holding a packet's whole
 * flow key as a miniflow (lib/miniflow.h: the nonzero words of the
 * struct flow, typically 8 to 12 of its 44), the key's hash and a
 * reference to the dp_flow that key matched in the megaflow cache.
 * Keys are miniflows because the PMD extracts each packet's key once in
 * that form, and comparing and hashing a dozen words instead of 44 is
 * what makes the EMC faster than the megaflow cache (measured: with the
 * full struct flow as key, flow_hash() plus memcmp() made an EMC hit
 * slower than a one-subtable dpcls lookup).  A key
 * may live in one of two slots (2-way set associative): the low
 * EMC_SHIFT bits of its hash, and the next EMC_SHIFT bits.  A lookup
 * compares hashes first and the full key only on a hash match.
 *
 * Insertion is probabilistic: emc_probabilistic_insert() inserts one miss
 * in 'insert_inv_prob' (default EMC_DEFAULT_INSERT_INV_PROB, 100, as Open
 * vSwitch's emc-insert-inv-prob), so that with more active flows than
 * entries the cache is not rewritten on every packet (thrashing), while a
 * flow that keeps sending gets in soon.  The random numbers come from a
 * per-cache generator seeded at creation, so tests are repeatable.  On
 * insertion into a full set, an entry whose flow is dead is replaced
 * first; otherwise the entry with the smaller hash (an arbitrary but cheap
 * and unbiased choice, as OVS does).
 *
 * With far more active flows than entries (100k) the hit rate drops to
 * under 10% and the EMC costs about a third of the lookup rate over the
 * megaflow cache alone (bench-flowcache); a PMD may then lower the
 * insertion probability or skip the EMC, which is its decision, not
 * this module's.
 *
 * Dead flows: an entry holds a reference, so the dp_flow it points to is
 * never freed under it; a lookup that finds a dead flow (one removed from
 * the megaflow cache) reports a miss.  emc_slow_sweep() clears a few
 * entries with dead flows per call so that their memory is released even
 * if no packet ever replaces them; PMD threads call it once per loop.
 *
 * Concurrency: none.  An emc belongs to one thread, which alone calls
 * every function here, so nothing is atomic or locked.  It must be an
 * RCU-registered thread (dp_flow references are dropped with
 * rcu_postpone()).
 */
#ifndef PLX_EMC_H
#define PLX_EMC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp-flow.h"
#include "flow.h"
#include "miniflow.h"

#define EMC_SHIFT 13
#define EMC_ENTRIES (1u << EMC_SHIFT)
#define EMC_MASK (EMC_ENTRIES - 1)
#define EMC_WAYS 2
#define EMC_DEFAULT_INSERT_INV_PROB 100
#define EMC_SWEEP_BATCH 64

struct emc_entry {
    struct dp_flow *flow;       /* Null if the entry is free. */
    uint32_t hash;
    struct miniflow_buf key;    /* Only the map and its values are used. */
};

struct emc_stats {
    uint64_t hits;
    uint64_t misses;            /* Including hits on dead flows. */
    uint64_t inserts;
};

struct emc {
    uint32_t insert_inv_prob;   /* 0: never insert; 1: always. */
    uint32_t rng;               /* xorshift32 state, never 0. */
    uint32_t sweep_pos;
    struct emc_stats stats;
    struct emc_entry entries[EMC_ENTRIES];
};

struct emc *emc_create(uint32_t seed);
void emc_destroy(struct emc *);
void emc_flush(struct emc *);
void emc_set_insert_inv_prob(struct emc *, uint32_t inv_prob);

static inline bool
emc_entry_alive(const struct emc_entry *e)
{
    return e->flow && !dp_flow_is_dead(e->flow);
}

/* The flow cached for KEY, whose hash is HASH (miniflow_hash(KEY, 0) or
 * the NIC's RSS hash: any function of the key, used consistently), or
 * NULL.
 * The result is valid until the thread next quiesces (the entry holds a
 * reference, but the next insertion may drop it). */
static inline struct dp_flow *
emc_lookup(struct emc *emc, const struct miniflow *key, uint32_t hash)
{
    uint32_t h = hash;

    for (int i = 0; i < EMC_WAYS; i++, h >>= EMC_SHIFT) {
        struct emc_entry *e = &emc->entries[h & EMC_MASK];

        if (e->hash == hash && e->flow && miniflow_equal(&e->key.mf, key)) {
            if (!dp_flow_is_dead(e->flow)) {
                emc->stats.hits++;
                return e->flow;
            }
            break;
        }
    }
    emc->stats.misses++;
    return NULL;
}

void emc_insert(struct emc *, const struct miniflow *key, uint32_t hash,
                struct dp_flow *);

/* Inserts as emc_insert() with probability 1 / insert_inv_prob. */
static inline void
emc_probabilistic_insert(struct emc *emc, const struct miniflow *key,
                         uint32_t hash, struct dp_flow *flow)
{
    uint32_t x = emc->rng;

    if (!emc->insert_inv_prob) {
        return;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    emc->rng = x;
    if (emc->insert_inv_prob == 1 || x % emc->insert_inv_prob == 0) {
        emc_insert(emc, key, hash, flow);
    }
}

size_t emc_slow_sweep(struct emc *);
size_t emc_count(const struct emc *);

#endif /* emc.h */
