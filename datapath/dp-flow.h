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
 *     dpif "modify" is remove + insert), so a reader that holds a pointer
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
 * Statistics are written without locks by the one PMD thread that owns
 * the flow (dp_flow_stats_update()), and read by any thread
 * (dp_flow_stats_get()) with a sequence counter: the writer makes the
 * counter odd, stores the fields, makes it even again; a reader retries
 * until it saw the same even value before and after reading the fields.
 * So a reader never sees, say, the packet count of one update and the
 * byte count of another.  All accesses are C11 atomics (relaxed loads and
 * stores plus fences), which cost nothing extra on x86; the writer never
 * waits.  Only ONE thread may update a given flow's statistics at a time
 * (the owning PMD); others must not call dp_flow_stats_update().
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
    atomic_uint stats_seq;
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

/* Owning PMD thread only.  Adds N_PACKETS and N_BYTES, ORs TCP_FLAGS in
 * and sets 'used' to NOW (time_msec()). */
static inline void
dp_flow_stats_update(struct dp_flow *flow, uint32_t n_packets,
                     uint32_t n_bytes, uint16_t tcp_flags, long long int now)
{
    unsigned int seq = atomic_load_explicit(&flow->stats_seq,
                                            memory_order_relaxed);
    uint64_t v;

    atomic_store_explicit(&flow->stats_seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);

    v = atomic_load_explicit(&flow->n_packets, memory_order_relaxed);
    atomic_store_explicit(&flow->n_packets, v + n_packets,
                          memory_order_relaxed);
    v = atomic_load_explicit(&flow->n_bytes, memory_order_relaxed);
    atomic_store_explicit(&flow->n_bytes, v + n_bytes, memory_order_relaxed);
    atomic_store_explicit(&flow->used, now, memory_order_relaxed);
    if (tcp_flags) {
        uint16_t f = atomic_load_explicit(&flow->tcp_flags,
                                          memory_order_relaxed);
        atomic_store_explicit(&flow->tcp_flags, f | tcp_flags,
                              memory_order_relaxed);
    }

    atomic_store_explicit(&flow->stats_seq, seq + 2, memory_order_release);
}

void dp_flow_stats_get(const struct dp_flow *, struct dp_flow_stats *);

#endif /* dp-flow.h */
