/* miniflow: see miniflow.h. */
#include <config.h>
#include "miniflow.h"

#include "hash.h"
#include "match.h"

struct flowmap
flowmap_range(size_t start, size_t end)
{
    struct flowmap map;

    flowmap_init(&map);
    for (size_t idx = start; idx < end && idx < FLOW_U64S; idx++) {
        flowmap_set(&map, idx);
    }
    return map;
}

/* The map of FLOW's nonzero words. */
static struct flowmap
flow_nonzero_map(const struct flow *flow)
{
    const uint64_t *fw = flow_u64_const(flow);
    struct flowmap map;

    flowmap_init(&map);
    for (size_t idx = 0; idx < FLOW_U64S; idx++) {
        map.bits[idx / FLOWMAP_UNIT_BITS]
            |= (uint64_t) (fw[idx] != 0) << (idx % FLOWMAP_UNIT_BITS);
    }
    return map;
}

/* Bytes miniflow_init() needs for FLOW. */
size_t
miniflow_size_of_flow(const struct flow *flow)
{
    return miniflow_size(flowmap_n_1bits(flow_nonzero_map(flow)));
}

/* Compresses FLOW into DST, which must have room for its nonzero words
 * (miniflow_size_of_flow() bytes, or a struct miniflow_buf).
 *
 * The datapath does this for every packet, and most of a flow is zero
 * (no tunnel, no conntrack, no IPv6 for an IPv4 packet): four words are
 * tested at once and skipped together, a branch that is well predicted
 * for a stream of packets of one kind. */
void
miniflow_init(struct miniflow *dst, const struct flow *flow)
{
    const uint64_t *fw = flow_u64_const(flow);
    uint64_t *values = miniflow_values(dst);

    BUILD_ASSERT(FLOW_U64S % 4 == 0);
    flowmap_init(&dst->map);
    for (size_t group = 0; group < FLOW_U64S; group += 4) {
        if (!(fw[group] | fw[group + 1] | fw[group + 2] | fw[group + 3])) {
            continue;
        }
        for (size_t idx = group; idx < group + 4; idx++) {
            if (fw[idx]) {
                *values++ = fw[idx];
                flowmap_set(&dst->map, idx);
            }
        }
    }
}

/* Returns a malloc'd miniflow of FLOW, sized exactly. */
struct miniflow *
miniflow_alloc(const struct flow *flow)
{
    struct miniflow *mf = xmalloc(miniflow_size_of_flow(flow));

    miniflow_init(mf, flow);
    return mf;
}

struct miniflow *
miniflow_clone(const struct miniflow *src)
{
    return xmemdup(src, miniflow_size(miniflow_n_values(src)));
}

void
miniflow_expand(const struct miniflow *mf, struct flow *flow)
{
    const uint64_t *values = miniflow_values_const(mf);
    uint64_t *fw = flow_u64(flow);
    size_t idx;

    memset(flow, 0, sizeof *flow);
    FLOWMAP_FOR_EACH_INDEX (idx, mf->map) {
        fw[idx] = *values++;
    }
}

/* Hashes the nonzero words with their indexes, so that equal flows hash
 * equally whatever their maps. */
uint32_t
miniflow_hash(const struct miniflow *mf, uint32_t basis)
{
    const uint64_t *values = miniflow_values_const(mf);
    struct flowmap nonzero;
    uint32_t hash = basis;
    size_t idx;

    flowmap_init(&nonzero);
    FLOWMAP_FOR_EACH_INDEX (idx, mf->map) {
        uint64_t v = *values++;
        if (v) {
            hash = hash_add64(hash, v);
            flowmap_set(&nonzero, idx);
        }
    }
    for (size_t u = 0; u < FLOWMAP_UNITS; u++) {
        hash = hash_add64(hash, nonzero.bits[u]);
    }
    return hash_finish(hash, sizeof nonzero);
}

bool
miniflow_equal(const struct miniflow *a, const struct miniflow *b)
{
    const uint64_t *ap = miniflow_values_const(a);
    const uint64_t *bp = miniflow_values_const(b);
    size_t idx;

    if (flowmap_equal(a->map, b->map)) {
        return !memcmp(ap, bp, miniflow_n_values(a) * sizeof *ap);
    }
    FLOWMAP_FOR_EACH_INDEX (idx, flowmap_or(a->map, b->map)) {
        uint64_t av = flowmap_is_set(&a->map, idx) ? *ap++ : 0;
        uint64_t bv = flowmap_is_set(&b->map, idx) ? *bp++ : 0;
        if (av != bv) {
            return false;
        }
    }
    return true;
}

/* Whether MF represents exactly FLOW. */
bool
miniflow_equal_flow(const struct miniflow *mf, const struct flow *flow)
{
    const uint64_t *fw = flow_u64_const(flow);
    const uint64_t *values = miniflow_values_const(mf);

    for (size_t idx = 0; idx < FLOW_U64S; idx++) {
        uint64_t v = flowmap_is_set(&mf->map, idx) ? *values++ : 0;
        if (v != fw[idx]) {
            return false;
        }
    }
    return true;
}

/* Whether A & MASK == B & MASK. */
bool
miniflow_equal_in_minimask(const struct miniflow *a, const struct miniflow *b,
                           const struct minimask *mask)
{
    const uint64_t *mp = miniflow_values_const(&mask->masks);
    size_t idx;

    FLOWMAP_FOR_EACH_INDEX (idx, mask->masks.map) {
        uint64_t m = *mp++;
        if ((miniflow_get(a, idx) ^ miniflow_get(b, idx)) & m) {
            return false;
        }
    }
    return true;
}

/* Whether MF & MASK == FLOW & MASK. */
bool
miniflow_equal_flow_in_minimask(const struct miniflow *mf,
                                const struct flow *flow,
                                const struct minimask *mask)
{
    const uint64_t *fw = flow_u64_const(flow);
    const uint64_t *mp = miniflow_values_const(&mask->masks);
    size_t idx;

    FLOWMAP_FOR_EACH_INDEX (idx, mask->masks.map) {
        uint64_t m = *mp++;
        if ((miniflow_get(mf, idx) ^ fw[idx]) & m) {
            return false;
        }
    }
    return true;
}

/* ---- minimask ---- */

/* Compresses WC into MASK, which must have room for its nonzero words. */
void
minimask_init(struct minimask *mask, const struct flow_wildcards *wc)
{
    miniflow_init(&mask->masks, &wc->masks);
}

struct minimask *
minimask_alloc(const struct flow_wildcards *wc)
{
    return CONTAINER_OF(miniflow_alloc(&wc->masks), struct minimask, masks);
}

struct minimask *
minimask_clone(const struct minimask *mask)
{
    return CONTAINER_OF(miniflow_clone(&mask->masks), struct minimask,
                        masks);
}

void
minimask_expand(const struct minimask *mask, struct flow_wildcards *wc)
{
    miniflow_expand(&mask->masks, &wc->masks);
}

uint32_t
minimask_hash(const struct minimask *mask, uint32_t basis)
{
    return miniflow_hash(&mask->masks, basis);
}

bool
minimask_equal(const struct minimask *a, const struct minimask *b)
{
    return miniflow_equal(&a->masks, &b->masks);
}

bool
minimask_is_catchall(const struct minimask *mask)
{
    const uint64_t *mp = miniflow_values_const(&mask->masks);
    size_t n = miniflow_n_values(&mask->masks);

    for (size_t i = 0; i < n; i++) {
        if (mp[i]) {
            return false;
        }
    }
    return true;
}

bool
minimask_has_extra(const struct minimask *a, const struct minimask *b)
{
    const uint64_t *bp = miniflow_values_const(&b->masks);
    size_t idx;

    FLOWMAP_FOR_EACH_INDEX (idx, b->masks.map) {
        uint64_t bv = *bp++;
        if (bv & ~minimask_get(a, idx)) {
            return true;
        }
    }
    return false;
}

/* ---- minimatch ---- */

/* Initializes MM from MATCH, normalizing the key (MATCH need not be). */
void
minimatch_init(struct minimatch *mm, const struct match *match)
{
    const uint64_t *fw = flow_u64_const(&match->flow);
    const uint64_t *mw = flow_u64_const(&match->wc.masks);
    struct flowmap map;
    size_t n, idx;
    uint64_t *kv, *mv;

    flowmap_init(&map);
    for (idx = 0; idx < FLOW_U64S; idx++) {
        if (mw[idx]) {
            flowmap_set(&map, idx);
        }
    }
    n = flowmap_n_1bits(map);

    mm->flow = xmalloc(2 * miniflow_size(n));
    mm->mask = (struct minimask *) (void *)
        ((char *) mm->flow + miniflow_size(n));
    mm->flow->map = mm->mask->masks.map = map;
    kv = miniflow_values(mm->flow);
    mv = miniflow_values(&mm->mask->masks);
    FLOWMAP_FOR_EACH_INDEX (idx, map) {
        *mv++ = mw[idx];
        *kv++ = fw[idx] & mw[idx];
    }
}

/* The match that matches every flow. */
void
minimatch_init_catchall(struct minimatch *mm)
{
    mm->flow = xzalloc(2 * miniflow_size(0));
    mm->mask = (struct minimask *) (void *) (mm->flow + 1);
}

void
minimatch_clone(struct minimatch *dst, const struct minimatch *src)
{
    size_t size = minimatch_size(src);

    dst->flow = xmemdup(src->flow, size);
    dst->mask = (struct minimask *) (void *)
        ((char *) dst->flow + size / 2);
}

void
minimatch_destroy(struct minimatch *mm)
{
    free(mm->flow);
    mm->flow = NULL;
    mm->mask = NULL;
}

void
minimatch_expand(const struct minimatch *mm, struct match *match)
{
    miniflow_expand(mm->flow, &match->flow);
    minimask_expand(mm->mask, &match->wc);
}

/* Bytes of heap memory MM owns. */
size_t
minimatch_size(const struct minimatch *mm)
{
    return 2 * miniflow_size(miniflow_n_values(&mm->mask->masks));
}

bool
minimatch_equal(const struct minimatch *a, const struct minimatch *b)
{
    return (minimask_equal(a->mask, b->mask)
            && miniflow_equal(a->flow, b->flow));
}

uint32_t
minimatch_hash(const struct minimatch *mm, uint32_t basis)
{
    return miniflow_hash(mm->flow, minimask_hash(mm->mask, basis));
}

uint32_t
minimatch_hash_masked(const struct minimatch *mm, uint32_t basis)
{
    const uint64_t *kv = miniflow_values_const(mm->flow);
    size_t n = miniflow_n_values(mm->flow);
    uint32_t hash = basis;

    for (size_t i = 0; i < n; i++) {
        hash = hash_add64(hash, kv[i]);
    }
    return hash_finish(hash, n * 8);
}

bool
minimatch_matches_flow(const struct minimatch *mm, const struct flow *flow)
{
    const uint64_t *fw = flow_u64_const(flow);
    const uint64_t *kv = miniflow_values_const(mm->flow);
    const uint64_t *mv = miniflow_values_const(&mm->mask->masks);
    size_t idx;

    FLOWMAP_FOR_EACH_INDEX (idx, mm->mask->masks.map) {
        if ((fw[idx] & *mv++) != *kv++) {
            return false;
        }
    }
    return true;
}
