/*
 * dpcls: the datapath's megaflow cache.
 *
 * A megaflow is a dp_flow (datapath/dp-flow.h): a masked match plus
 * actions.  The upcall handler installs one per distinct decision, with
 * only the bits that decision depended on un-wildcarded, so megaflows in
 * one dpcls never overlap and there are no priorities: a packet matches
 * at most one megaflow.
 *
 * Implementation: a thin wrapper over the foundation's classifier
 * (lib/classifier.h), which already is the tuple-space search the
 * datapath needs (one subtable per distinct mask, a hash table per
 * subtable, staged lookup that gives up on a subtable at the first
 * metadata/L2/L3 stage no rule has).  Every flow goes in at priority 0,
 * with prefix tries disabled (they only serve to keep *wildcards*
 * narrow, and the datapath asks for no wildcards).  Measured before
 * deciding (tests/bench/bench-flowcache, 1 to 100k megaflows over 3
 * masks): a hand-written tuple-space lookup over minimasks with one hmap
 * per subtable (flow_hash_in_minimask() + miniflow_equal_flow_in_minimask)
 * was 15-45% SLOWER than the classifier, whose staged hashing rejects
 * most subtables after the first stage; so this stays a wrapper until a
 * profile says otherwise.
 *
 * Overlap: dpcls does not check that megaflows are disjoint (that costs
 * a scan of every subtable per insert).  If the caller breaks that rule,
 * a lookup still returns one matching flow, the same one every time while
 * the cache is unchanged, just not a specified one.  An insert of a match
 * identical to an installed one is refused.
 *
 * Concurrency: dpcls_lookup() is an RCU reader (lock-free, from any
 * thread registered with rcu_thread_register()), concurrent with one
 * writer.  Everything else is for the writer; callers serialize writers.
 *
 * Replacing: dpcls_replace() swaps a new flow in for the installed one
 * with the same match in one atomic step for concurrent lookups (each
 * finds either the old or the new flow, never neither), and marks the
 * old one dead.
 *
 * References: the dpcls holds one reference to every flow in it.
 * dpcls_remove() marks the flow dead (so exact-match caches stop
 * returning it) and drops that reference; the flow's memory is freed
 * after a grace period once every other holder has dropped theirs.
 * dpcls_lookup() takes no reference: the result is valid until the
 * calling thread next quiesces.
 */
#ifndef PLX_DPCLS_H
#define PLX_DPCLS_H 1

#include <stdbool.h>
#include <stddef.h>
#include "classifier.h"
#include "dp-flow.h"

struct flow;
struct match;

struct dpcls {
    struct classifier cls;
};

void dpcls_init(struct dpcls *);
void dpcls_destroy(struct dpcls *);

int dpcls_insert(struct dpcls *, struct dp_flow *);
struct dp_flow *dpcls_replace(struct dpcls *, struct dp_flow *);
bool dpcls_remove(struct dpcls *, struct dp_flow *);
void dpcls_flush(struct dpcls *);

/* RCU reader: the megaflow that matches FLOW, or NULL. */
static inline struct dp_flow *
dpcls_lookup(const struct dpcls *dpcls, const struct flow *flow)
{
    const struct cls_rule *cr = classifier_lookup(&dpcls->cls, flow, NULL);

    return cr ? CONTAINER_OF(cr, struct dp_flow, cr) : NULL;
}

struct dp_flow *dpcls_find(const struct dpcls *, const struct match *);

static inline size_t
dpcls_count(const struct dpcls *dpcls)
{
    return classifier_count(&dpcls->cls);
}

static inline size_t
dpcls_n_subtables(const struct dpcls *dpcls)
{
    return classifier_n_subtables(&dpcls->cls);
}

/* Iterates over every flow (writer side); the body may remove FLOW. */
#define DPCLS_FOR_EACH(FLOW, DPCLS) \
    CLS_FOR_EACH (FLOW, cr, &(DPCLS)->cls)

#endif /* dpcls.h */
