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
 * Adaptive bypass.  With far more active flows than entries (100k) the
 * hit rate drops under 10% and probing the cache (two random cache-line
 * misses into a 3 MB array, plus insertions) cost 40% of the lookup rate
 * over the megaflow cache alone (bench-flowcache).  So the cache watches
 * its own hit rate over windows of EMC_WINDOW useful probes: a probe is
 * useful if it hits or if the caller then offers the missed key with
 * emc_probabilistic_insert() (the megaflow cache had a flow for it).  A
 * miss that the megaflow cache misses too (an upcall) says nothing about
 * whether the working set fits, so it does not count:
 *
 *   - Normal mode: every lookup probes.  At the end of a window whose
 *     hit rate is under EMC_BYPASS_ENTER_PCT, the cache enters bypass.
 *   - Bypass mode: emc_lookup() returns NULL at once, without touching
 *     the entries, for EMC_BYPASS_SAMPLE - 1 lookups out of every
 *     EMC_BYPASS_SAMPLE; the remaining one (the sample) probes as usual,
 *     and if it misses, the following emc_probabilistic_insert() inserts
 *     it unconditionally (skipped lookups never insert).  So about one
 *     packet in EMC_BYPASS_SAMPLE still feeds the cache (similar to the
 *     1/100 of normal mode), and when the working set shrinks to fit
 *     again, the samples start hitting.  A window is then EMC_WINDOW
 *     useful samples; at its end, a hit rate of at least
 *     EMC_BYPASS_EXIT_PCT returns the cache to normal mode.
 *
 * The exit threshold is above the entry threshold (hysteresis), so a
 * working set right at the boundary does not flip mode every window.  The
 * cost of bypass is a counter decrement per skipped lookup; the cost of
 * the detector in normal mode is a counter decrement per useful probe.
 * Thresholds: an EMC hit saves a megaflow lookup, a useful miss costs a
 * probe and sometimes an insertion; at 100k flows and 8.6% hits that is a
 * 40% loss, at 1k flows and 99% hits a 2x gain, so the break-even lies
 * between and 25% entry / 40% exit keeps clear of both.  The
 * state is plain per-cache fields: like the rest of the cache it belongs
 * to one thread, so nothing is shared, locked or atomic.
 * emc_set_bypass(emc, false) turns the detector off (and leaves bypass),
 * for callers that want a cache that always probes.  emc_insert() always
 * inserts, in either mode.
 *
 * Dead flows: an entry holds a reference, so the dp_flow it points to is
 * never freed under it; a lookup that finds a dead flow (one removed from
 * the megaflow cache) reports a miss.  emc_slow_sweep() clears a few
 * entries with dead flows per call so that their memory is released even
 * if no packet ever replaces them; PMD threads call it once per received
 * batch, and emc_sweep_all() before they sleep (see dpif-netdev.c).
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
#include "util.h"

#define EMC_SHIFT 13
#define EMC_ENTRIES (1u << EMC_SHIFT)
#define EMC_MASK (EMC_ENTRIES - 1)
#define EMC_WAYS 2
#define EMC_DEFAULT_INSERT_INV_PROB 100
#define EMC_SWEEP_BATCH 64

/* Adaptive bypass (see above). */
#define EMC_WINDOW 4096            /* Useful probes per window. */
#define EMC_BYPASS_SAMPLE 64       /* In bypass, 1 lookup in this probes. */
#define EMC_BYPASS_ENTER_PCT 25    /* Hit rate (%) under which to bypass. */
#define EMC_BYPASS_EXIT_PCT 40     /* Sampled hit rate (%) to stop. */

struct emc_entry {
    struct dp_flow *flow;       /* Null if the entry is free. */
    uint32_t hash;
    struct miniflow_buf key;    /* Only the map and its values are used. */
};

struct emc_stats {
    uint64_t hits;
    uint64_t misses;            /* Including hits on dead flows, not
                                 * counting skipped lookups. */
    uint64_t inserts;
    uint64_t bypassed;          /* Lookups skipped in bypass mode. */
    uint64_t bypass_starts;     /* Times the cache entered bypass. */
};

struct emc {
    uint32_t insert_inv_prob;   /* 0: never insert; 1: always. */
    uint32_t rng;               /* xorshift32 state, never 0. */
    uint32_t sweep_pos;

    /* Adaptive bypass. */
    bool bypass_enabled;        /* Detector on (the default). */
    bool bypass;                /* In bypass mode. */
    bool skipped;               /* Last lookup was skipped (bypass only). */
    uint32_t skip;              /* Lookups still to skip before a sample. */
    uint32_t window_left;       /* Useful probes left in this window. */
    uint64_t window_hits0;      /* stats.hits at the window's start. */

    struct emc_stats stats;
    struct emc_entry entries[EMC_ENTRIES];
};

struct emc *emc_create(uint32_t seed);
void emc_destroy(struct emc *);
void emc_flush(struct emc *);
void emc_set_insert_inv_prob(struct emc *, uint32_t inv_prob);
void emc_set_bypass(struct emc *, bool enable);
void emc_end_window__(struct emc *);    /* Internal. */

/* True if the cache is in bypass mode (see above). */
static inline bool
emc_in_bypass(const struct emc *emc)
{
    return emc->bypass;
}

static inline bool
emc_entry_alive(const struct emc_entry *e)
{
    return e->flow && !dp_flow_is_dead(e->flow);
}

/* True if the next emc_lookup() will skip the cache (bypass mode, and
 * not a sample): it will then read neither its key nor its hash, so a
 * caller that computes the hash only for the EMC may skip that and pass
 * 0.  (A NIC's RSS hash costs nothing; a software hash of a key that is
 * not in the CPU cache costs a memory access.) */
static inline bool
emc_will_skip(const struct emc *emc)
{
    return emc->bypass && emc->skip;
}

/* The flow cached for KEY, whose hash is HASH (miniflow_hash(KEY, 0) or
 * the NIC's RSS hash: any function of the key, used consistently), or
 * NULL.
 * The result is valid until the thread next quiesces (the entry holds a
 * reference, but the next insertion may drop it).
 * In bypass mode most lookups return NULL without probing. */
static inline struct dp_flow *
emc_lookup(struct emc *emc, const struct miniflow *key, uint32_t hash)
{
    uint32_t h = hash;

    if (PLX_UNLIKELY(emc->bypass)) {
        if (emc->skip) {
            emc->skip--;
            emc->skipped = true;
            emc->stats.bypassed++;
            return NULL;
        }
        emc->skip = EMC_BYPASS_SAMPLE - 1;
        emc->skipped = false;
    }

    for (int i = 0; i < EMC_WAYS; i++, h >>= EMC_SHIFT) {
        struct emc_entry *e = &emc->entries[h & EMC_MASK];

        if (e->hash == hash && e->flow && miniflow_equal(&e->key.mf, key)) {
            if (!dp_flow_is_dead(e->flow)) {
                emc->stats.hits++;
                if (PLX_UNLIKELY(!--emc->window_left)) {
                    emc_end_window__(emc);
                }
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

/* Inserts as emc_insert() with probability 1 / insert_inv_prob.  Call it
 * only after emc_lookup() of the same key missed.  In bypass mode, inserts
 * if that lookup was a sample (and insert_inv_prob is not 0), else not. */
static inline void
emc_probabilistic_insert(struct emc *emc, const struct miniflow *key,
                         uint32_t hash, struct dp_flow *flow)
{
    uint32_t x = emc->rng;

    if (!emc->insert_inv_prob) {
        return;                 /* Cache off: no useful probes to count. */
    }
    if (PLX_UNLIKELY(emc->bypass)) {
        if (emc->skipped) {
            return;
        }
        emc_insert(emc, key, hash, flow);
    } else {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        emc->rng = x;
        if (emc->insert_inv_prob == 1 || x % emc->insert_inv_prob == 0) {
            emc_insert(emc, key, hash, flow);
        }
    }
    if (PLX_UNLIKELY(!--emc->window_left)) {
        emc_end_window__(emc);
    }
}

size_t emc_slow_sweep(struct emc *);
/* Clears every entry whose flow is dead, in one pass, and returns the
 * number of entries that still hold a flow. */
size_t emc_sweep_all(struct emc *);
size_t emc_count(const struct emc *);

#endif /* emc.h */
