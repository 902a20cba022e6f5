/* emc: the exact-match cache; see emc.h. */
#include <config.h>
#include "emc.h"
#include <string.h>
#include "util.h"

/* Creates an empty cache whose insertion decisions are driven by SEED. */
struct emc *
emc_create(uint32_t seed)
{
    struct emc *emc = xzalloc(sizeof *emc);

    emc->insert_inv_prob = EMC_DEFAULT_INSERT_INV_PROB;
    emc->rng = seed ? seed : 0x9e3779b9;
    emc->bypass_enabled = true;
    emc->window_left = EMC_WINDOW;
    return emc;
}

static void
emc_clear_entry(struct emc_entry *e)
{
    if (e->flow) {
        dp_flow_unref(e->flow);
        e->flow = NULL;
        e->hash = 0;
    }
}

void
emc_destroy(struct emc *emc)
{
    if (emc) {
        emc_flush(emc);
        free(emc);
    }
}

/* Drops every entry. */
void
emc_flush(struct emc *emc)
{
    for (size_t i = 0; i < EMC_ENTRIES; i++) {
        emc_clear_entry(&emc->entries[i]);
    }
}

void
emc_set_insert_inv_prob(struct emc *emc, uint32_t inv_prob)
{
    emc->insert_inv_prob = inv_prob;
}

/* Turns the adaptive bypass detector on or off (it is on in a new cache).
 * Turning it off leaves bypass mode; either way a new window starts. */
void
emc_set_bypass(struct emc *emc, bool enable)
{
    emc->bypass_enabled = enable;
    emc->bypass = false;
    emc->skipped = false;
    emc->skip = 0;
    emc->window_left = EMC_WINDOW;
    emc->window_hits0 = emc->stats.hits;
}

/* Called by emc_lookup() and emc_probabilistic_insert() when a window of
 * EMC_WINDOW useful probes is over: enters or leaves bypass mode by the
 * window's hit rate. */
void
emc_end_window__(struct emc *emc)
{
    uint64_t hits = emc->stats.hits - emc->window_hits0;

    if (emc->bypass_enabled) {
        if (!emc->bypass) {
            if (hits * 100 < (uint64_t) EMC_WINDOW * EMC_BYPASS_ENTER_PCT) {
                emc->bypass = true;
                emc->skipped = false;
                emc->skip = EMC_BYPASS_SAMPLE - 1;
                emc->stats.bypass_starts++;
            }
        } else if (hits * 100
                   >= (uint64_t) EMC_WINDOW * EMC_BYPASS_EXIT_PCT) {
            emc->bypass = false;
            emc->skipped = false;
            emc->skip = 0;
        }
    }
    emc->window_left = EMC_WINDOW;
    emc->window_hits0 = emc->stats.hits;
}

static void
emc_set_entry(struct emc *emc, struct emc_entry *e,
              const struct miniflow *key, uint32_t hash, struct dp_flow *flow)
{
    if (e->flow != flow) {
        dp_flow_ref(flow);
        emc_clear_entry(e);
        e->flow = flow;
    }
    if (!miniflow_equal(&e->key.mf, key)) {
        memcpy(&e->key, key, miniflow_size(miniflow_n_values(key)));
    }
    e->hash = hash;
    emc->stats.inserts++;
}

/* Caches FLOW (a live flow that KEY matches) for KEY, whose hash is HASH,
 * taking a reference to FLOW. */
void
emc_insert(struct emc *emc, const struct miniflow *key, uint32_t hash,
           struct dp_flow *flow)
{
    struct emc_entry *victim = NULL;
    uint32_t h = hash;

    for (int i = 0; i < EMC_WAYS; i++, h >>= EMC_SHIFT) {
        struct emc_entry *e = &emc->entries[h & EMC_MASK];

        if (e->flow && e->hash == hash && miniflow_equal(&e->key.mf, key)) {
            emc_set_entry(emc, e, key, hash, flow);
            return;
        }
        /* Prefer a free or dead slot; else the smaller hash. */
        if (!victim) {
            victim = e;
        } else if (!emc_entry_alive(e)) {
            if (emc_entry_alive(victim)) {
                victim = e;
            }
        } else if (emc_entry_alive(victim) && e->hash < victim->hash) {
            victim = e;
        }
    }
    emc_set_entry(emc, victim, key, hash, flow);
}

/* Drops the entries with dead flows among the next EMC_SWEEP_BATCH slots,
 * round robin.  Returns how many it dropped. */
size_t
emc_slow_sweep(struct emc *emc)
{
    size_t n = 0;

    for (size_t i = 0; i < EMC_SWEEP_BATCH; i++) {
        struct emc_entry *e = &emc->entries[emc->sweep_pos];

        if (e->flow && dp_flow_is_dead(e->flow)) {
            emc_clear_entry(e);
            n++;
        }
        emc->sweep_pos = (emc->sweep_pos + 1) & EMC_MASK;
    }
    return n;
}

size_t
emc_sweep_all(struct emc *emc)
{
    size_t n = 0;

    for (size_t i = 0; i < EMC_ENTRIES; i++) {
        struct emc_entry *e = &emc->entries[i];

        if (e->flow && dp_flow_is_dead(e->flow)) {
            emc_clear_entry(e);
        }
        n += e->flow != NULL;
    }
    return n;
}

/* The number of entries that hold a live flow. */
size_t
emc_count(const struct emc *emc)
{
    size_t n = 0;

    for (size_t i = 0; i < EMC_ENTRIES; i++) {
        n += emc_entry_alive(&emc->entries[i]);
    }
    return n;
}
