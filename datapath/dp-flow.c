/* dp-flow: a datapath flow; see dp-flow.h. */
#include <config.h>
#include "dp-flow.h"
#include <errno.h>
#include <string.h>
#include "match.h"
#include "odp-actions.h"
#include "rcu.h"
#include "util.h"

/* Creates a flow matching MATCH with a copy of the ACTIONS_LEN bytes of
 * ACTIONS.  Returns 0 and the new flow (one reference) in *FLOWP, or
 * EINVAL (and a null *FLOWP) if the actions are not a valid list. */
int
dp_flow_create(const struct match *match, const void *actions,
               size_t actions_len, struct dp_flow **flowp)
{
    static const uint32_t empty[1];
    struct dp_flow *flow;

    *flowp = NULL;
    if (actions_len && !actions) {
        return EINVAL;
    }

    /* Check the aligned copy: ACTIONS itself need not be aligned. */
    flow = xzalloc(sizeof *flow + ROUND_UP(actions_len, 4));
    if (actions_len) {
        memcpy(flow->actions, actions, actions_len);
    }
    if (odp_actions_check(actions_len ? flow->actions : empty,
                          actions_len)) {
        free(flow);
        return EINVAL;
    }

    cls_rule_init(&flow->cr, match, 0);
    atomic_init(&flow->ref_cnt, 1);
    atomic_init(&flow->dead, false);
    atomic_init(&flow->n_packets, 0);
    atomic_init(&flow->n_bytes, 0);
    atomic_init(&flow->used, 0);
    atomic_init(&flow->tcp_flags, 0);
    flow->actions_len = actions_len;
    *flowp = flow;
    return 0;
}

/* Takes a new reference to FLOW (which must already have one: the caller
 * holds a reference, or is an RCU reader that found FLOW in a cache). */
struct dp_flow *
dp_flow_ref(const struct dp_flow *flow_)
{
    struct dp_flow *flow = (struct dp_flow *) flow_;

    if (flow) {
        atomic_fetch_add_explicit(&flow->ref_cnt, 1, memory_order_relaxed);
    }
    return flow;
}

static void
dp_flow_free__(struct dp_flow *flow)
{
    cls_rule_destroy(&flow->cr);
    free(flow);
}

/* Drops a reference; the last one frees FLOW after an RCU grace period. */
void
dp_flow_unref(struct dp_flow *flow)
{
    if (flow) {
        unsigned int old = atomic_fetch_sub_explicit(&flow->ref_cnt, 1,
                                                     memory_order_acq_rel);
        plx_assert(old > 0);
        if (old == 1) {
            rcu_postpone(dp_flow_free__, flow);
        }
    }
}

void
dp_flow_mark_dead(struct dp_flow *flow)
{
    atomic_store_explicit(&flow->dead, true, memory_order_relaxed);
}

bool
dp_flow_matches(const struct dp_flow *flow, const struct flow *key)
{
    return minimatch_matches_flow(&flow->cr.match, key);
}

/* Reads FLOW's statistics into *STATS (any thread); see dp-flow.h for
 * what a read concurrent with updates sees. */
void
dp_flow_stats_get(const struct dp_flow *flow_, struct dp_flow_stats *stats)
{
    struct dp_flow *flow = (struct dp_flow *) flow_;

    stats->n_packets = atomic_load_explicit(&flow->n_packets,
                                            memory_order_relaxed);
    stats->n_bytes = atomic_load_explicit(&flow->n_bytes,
                                          memory_order_relaxed);
    stats->used = atomic_load_explicit(&flow->used, memory_order_relaxed);
    stats->tcp_flags = atomic_load_explicit(&flow->tcp_flags,
                                            memory_order_relaxed);
}

void
dp_flow_stats_add(struct dp_flow *flow, const struct dp_flow_stats *stats)
{
    atomic_fetch_add_explicit(&flow->n_packets, stats->n_packets,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&flow->n_bytes, stats->n_bytes,
                              memory_order_relaxed);
    atomic_fetch_or_explicit(&flow->tcp_flags, stats->tcp_flags,
                             memory_order_relaxed);

    long long int used = atomic_load_explicit(&flow->used,
                                              memory_order_relaxed);
    while (used < stats->used
           && !atomic_compare_exchange_weak_explicit(&flow->used, &used,
                                                     stats->used,
                                                     memory_order_relaxed,
                                                     memory_order_relaxed)) {
        continue;
    }
}
