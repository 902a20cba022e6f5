/*
 * dp-flow: one datapath flow (a "megaflow"), the unit both flow caches
 * (datapath/dpcls.h, datapath/emc.h) hand back to the packet path.
 *
 * A dp_flow is a masked match (a cls_rule, so that the megaflow cache can
 * index it without a second allocation), a list of datapath actions
 * (opaque bytes in the encoding of datapath/odp-actions.h, validated with
 * odp_actions_check() on creation) and statistics.
 *
 * Invariants:
 *
 *   - The match and the actions never change after dp_flow_create().  A
 *     flow whose actions must change is replaced by a new dp_flow (the
 *     dpif "modify" is dpcls_replace(): one atomic swap in the megaflow
 *     cache, the old flow marked dead), so a reader that holds a pointer
 *     always sees one coherent match/actions pair.
 *
 *   - Lifetime is by reference count.  dp_flow_create() returns one
 *     reference; the megaflow cache and every exact-match cache entry
 *     that points to the flow hold one more each.  When the last
 *     reference is dropped, the memory is freed through rcu_postpone(),
 *     so an RCU reader (a PMD thread between two rcu_quiesce() calls)
 *     may keep using a pointer it got from a lookup without taking a
 *     reference.
 *
 *   - "Dead" is one-way: dpcls_remove() marks the flow dead before it
 *     drops the cache's reference.  Exact-match cache entries that still
 *     point to a dead flow treat it as a miss, so a removed megaflow stops
 *     governing packets at once even though its memory lives on.
 *
 * Statistics are written without locks by any number of threads at once
 * (dp_flow_stats_update()): the megaflow cache is shared by every PMD
 * thread, and one flow may be hit by several of them (a port with several
 * rx queues on different PMDs, a queue that moves).  Each counter is a C11
 * atomic updated with one read-modify-write (fetch_add for the packet and
 * byte counts, fetch_or for the TCP flags, a compare-and-swap that only
 * moves 'used' forward), so no update is ever lost and no writer waits
 * for another.  A reader (dp_flow_stats_get(), any thread) sees each
 * counter exact and never going backwards, but the counters are read one
 * after the other: while writers run, the byte count may already include
 * a batch whose packets the packet count does not yet (or vice versa).
 * Once the writers stop, the counters are exact and consistent.
 */
#ifndef PLX_DP_FLOW_H
#define PLX_DP_FLOW_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "classifier.h"
#include "flow.h"

struct match;

struct dp_flow_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
    long long int used;         /* time_msec() of the last packet, or 0. */
    uint16_t tcp_flags;         /* OR of the TCP flags seen (host order). */
};

struct dp_flow {
    struct cls_rule cr;         /* Match; priority always 0. */
    atomic_uint ref_cnt;
    atomic_bool dead;

    /* Statistics, see the comment at the top. */
    atomic_uint_least64_t n_packets;
    atomic_uint_least64_t n_bytes;
    atomic_llong used;
    atomic_uint_least16_t tcp_flags;

    size_t actions_len;
    uint32_t actions[];         /* 4-byte aligned, as odp-actions needs. */
};

int dp_flow_create(const struct match *, const void *actions,
                   size_t actions_len, struct dp_flow **flowp);
struct dp_flow *dp_flow_ref(const struct dp_flow *);
void dp_flow_unref(struct dp_flow *);

static inline bool
dp_flow_is_dead(const struct dp_flow *flow)
{
    return atomic_load_explicit(&flow->dead, memory_order_relaxed);
}

void dp_flow_mark_dead(struct dp_flow *);

static inline const void *
dp_flow_actions(const struct dp_flow *flow)
{
    return flow->actions;
}

static inline const struct minimatch *
dp_flow_minimatch(const struct dp_flow *flow)
{
    return &flow->cr.match;
}

bool dp_flow_matches(const struct dp_flow *, const struct flow *);

/* Any thread, concurrently with others.  Adds N_PACKETS and N_BYTES, ORs
 * TCP_FLAGS in and moves 'used' forward to NOW (time_msec()). */
static inline void
dp_flow_stats_update(struct dp_flow *flow, uint32_t n_packets,
                     uint32_t n_bytes, uint16_t tcp_flags, long long int now)
{
    atomic_fetch_add_explicit(&flow->n_packets, n_packets,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&flow->n_bytes, n_bytes, memory_order_relaxed);
    if (tcp_flags) {
        atomic_fetch_or_explicit(&flow->tcp_flags, tcp_flags,
                                 memory_order_relaxed);
    }

    /* Only forward: within one millisecond this writes nothing, and of
     * two concurrent writers the later time wins. */
    long long int used = atomic_load_explicit(&flow->used,
                                              memory_order_relaxed);
    while (used < now
           && !atomic_compare_exchange_weak_explicit(&flow->used, &used, now,
                                                     memory_order_relaxed,
                                                     memory_order_relaxed)) {
        continue;
    }
}

/* Adds STATS to FLOW's statistics (any thread), e.g. to carry a replaced
 * flow's statistics over to its successor. */
void dp_flow_stats_add(struct dp_flow *, const struct dp_flow_stats *);
void dp_flow_stats_get(const struct dp_flow *, struct dp_flow_stats *);

#endif /* dp-flow.h */
