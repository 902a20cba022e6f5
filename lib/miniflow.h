/*
 * miniflow: compressed flow keys and masks.
 *
 * A struct flow is FLOW_U64S 64-bit words, nearly all of them zero in any
 * one packet or rule.  A miniflow stores only a bitmap of words (a
 * struct flowmap) and, right after it in memory, the values of the words
 * whose bits are set, in increasing word order:
 *
 *     struct miniflow | values[0] | values[1] | ... (one per 1-bit of map)
 *
 * so a rule that matches on three words costs 8 + 24 bytes, not 352.
 * Words outside the map are zero.  The converse need not hold: a map may
 * include words whose value is zero (a minimatch's key carries its mask's
 * map, so that key and mask values line up one for one), and every
 * comparison and hash here is by meaning (the expanded flow), not by
 * representation, so such a miniflow equals and hashes like the one
 * miniflow_init() would have made.
 *
 * A minimask is a miniflow of a struct flow_wildcards; its map holds
 * exactly the nonzero mask words.  A minimatch is a key and a mask stored
 * in one allocation, with the key normalized (key & mask == key) and
 * built over the mask's map.
 *
 * The flowmap is a fixed array of 64-bit units, so struct flow could grow
 * to 128 words without changing callers; today it is one unit.
 */
#ifndef PLX_MINIFLOW_H
#define PLX_MINIFLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "hash.h"
#include "util.h"

struct match;

/* ---- flowmap: a set of word indexes in [0, FLOW_U64S) ---- */

#define FLOWMAP_UNIT_BITS 64
#define FLOWMAP_UNITS DIV_ROUND_UP(FLOW_U64S, FLOWMAP_UNIT_BITS)
BUILD_ASSERT_DECL(FLOW_U64S <= 128);

struct flowmap {
    uint64_t bits[FLOWMAP_UNITS];
};

static inline void
flowmap_init(struct flowmap *map)
{
    memset(map, 0, sizeof *map);
}

static inline bool
flowmap_is_set(const struct flowmap *map, size_t idx)
{
    return (map->bits[idx / 64] >> (idx % 64)) & 1;
}

static inline void
flowmap_set(struct flowmap *map, size_t idx)
{
    map->bits[idx / 64] |= UINT64_C(1) << (idx % 64);
}

static inline bool
flowmap_is_empty(struct flowmap map)
{
    for (size_t u = 0; u < FLOWMAP_UNITS; u++) {
        if (map.bits[u]) {
            return false;
        }
    }
    return true;
}

static inline bool
flowmap_equal(struct flowmap a, struct flowmap b)
{
    return !memcmp(&a, &b, sizeof a);
}

static inline struct flowmap
flowmap_or(struct flowmap a, struct flowmap b)
{
    for (size_t u = 0; u < FLOWMAP_UNITS; u++) {
        a.bits[u] |= b.bits[u];
    }
    return a;
}

static inline struct flowmap
flowmap_and(struct flowmap a, struct flowmap b)
{
    for (size_t u = 0; u < FLOWMAP_UNITS; u++) {
        a.bits[u] &= b.bits[u];
    }
    return a;
}

static inline size_t
flowmap_n_1bits(struct flowmap map)
{
    size_t n = 0;

    for (size_t u = 0; u < FLOWMAP_UNITS; u++) {
        n += count_1bits(map.bits[u]);
    }
    return n;
}

/* The words with index in [START, END). */
struct flowmap flowmap_range(size_t start, size_t end);

/* Iteration over the set indexes, lowest first.  MAP is evaluated once;
 * IDX must be a size_t lvalue. */
struct flowmap_iter {
    struct flowmap map;
    size_t unit;
};

static inline bool
flowmap_iter_next__(struct flowmap_iter *it, size_t *idx)
{
    for (; it->unit < FLOWMAP_UNITS; it->unit++) {
        uint64_t *bits = &it->map.bits[it->unit];
        if (*bits) {
            *idx = it->unit * 64 + raw_ctz(*bits);
            *bits = zero_rightmost_1bit(*bits);
            return true;
        }
    }
    return false;
}

#define FLOWMAP_FOR_EACH_INDEX(IDX, MAP)                                \
    for (struct flowmap_iter iter__ = { (MAP), 0 };                     \
         flowmap_iter_next__(&iter__, &(IDX)); )

/* ---- miniflow ---- */

struct miniflow {
    struct flowmap map;
    /* uint64_t values[n], n = flowmap_n_1bits(map), follow. */
};
BUILD_ASSERT_DECL(sizeof(struct miniflow) % 8 == 0);

/* Room for any miniflow, for building one on the stack. */
struct miniflow_buf {
    struct miniflow mf;
    uint64_t buf[FLOW_U64S];
};

static inline uint64_t *
miniflow_values(struct miniflow *mf)
{
    return (uint64_t *) (mf + 1);
}

static inline const uint64_t *
miniflow_values_const(const struct miniflow *mf)
{
    return (const uint64_t *) (mf + 1);
}

static inline size_t
miniflow_n_values(const struct miniflow *mf)
{
    return flowmap_n_1bits(mf->map);
}

/* Bytes taken by a miniflow with N_VALUES values. */
static inline size_t
miniflow_size(size_t n_values)
{
    return sizeof(struct miniflow) + n_values * sizeof(uint64_t);
}

size_t miniflow_size_of_flow(const struct flow *);
void miniflow_init(struct miniflow *, const struct flow *);
struct miniflow *miniflow_alloc(const struct flow *);
struct miniflow *miniflow_clone(const struct miniflow *);
void miniflow_expand(const struct miniflow *, struct flow *);

/* Word IDX of the flow that MF represents. */
static inline uint64_t
miniflow_get(const struct miniflow *mf, size_t idx)
{
    size_t unit = idx / 64;
    uint64_t bit = UINT64_C(1) << (idx % 64);
    size_t ofs;

    if (!(mf->map.bits[unit] & bit)) {
        return 0;
    }
    ofs = count_1bits(mf->map.bits[unit] & (bit - 1));
    for (size_t u = 0; u < unit; u++) {
        ofs += count_1bits(mf->map.bits[u]);
    }
    return miniflow_values_const(mf)[ofs];
}

uint32_t miniflow_hash(const struct miniflow *, uint32_t basis);
bool miniflow_equal(const struct miniflow *, const struct miniflow *);
bool miniflow_equal_flow(const struct miniflow *, const struct flow *);

/* ---- minimask ---- */

struct minimask {
    struct miniflow masks;
};

void minimask_init(struct minimask *, const struct flow_wildcards *);
struct minimask *minimask_alloc(const struct flow_wildcards *);
struct minimask *minimask_clone(const struct minimask *);
void minimask_expand(const struct minimask *, struct flow_wildcards *);
uint32_t minimask_hash(const struct minimask *, uint32_t basis);
bool minimask_equal(const struct minimask *, const struct minimask *);
bool minimask_is_catchall(const struct minimask *);
/* Whether B has a 1-bit where A has a 0-bit. */
bool minimask_has_extra(const struct minimask *a, const struct minimask *b);

static inline uint64_t
minimask_get(const struct minimask *mask, size_t idx)
{
    return miniflow_get(&mask->masks, idx);
}

bool miniflow_equal_in_minimask(const struct miniflow *,
                                const struct miniflow *,
                                const struct minimask *);
bool miniflow_equal_flow_in_minimask(const struct miniflow *,
                                     const struct flow *,
                                     const struct minimask *);

/* Hash of FLOW's words selected by MASK's map, each ANDed with the mask.
 * Equals minimatch_hash_masked() of a minimatch with the same mask whose
 * key is FLOW & MASK: the subtable lookup hash. */
static inline uint32_t
flow_hash_in_minimask(const struct flow *flow, const struct minimask *mask,
                      uint32_t basis)
{
    const uint64_t *fw = flow_u64_const(flow);
    const uint64_t *mp = miniflow_values_const(&mask->masks);
    uint32_t hash = basis;
    size_t idx;

    FLOWMAP_FOR_EACH_INDEX (idx, mask->masks.map) {
        hash = hash_add64(hash, fw[idx] & *mp++);
    }
    return hash_finish(hash, (mp - miniflow_values_const(&mask->masks)) * 8);
}

/* ---- minimatch ---- */

/* Key and mask share one allocation, owned through 'flow'.  'flow' has
 * exactly 'mask''s map and holds the normalized key values. */
struct minimatch {
    struct miniflow *flow;
    struct minimask *mask;
};

void minimatch_init(struct minimatch *, const struct match *);
void minimatch_init_catchall(struct minimatch *);
void minimatch_clone(struct minimatch *, const struct minimatch *);
void minimatch_destroy(struct minimatch *);
void minimatch_expand(const struct minimatch *, struct match *);
size_t minimatch_size(const struct minimatch *);

bool minimatch_equal(const struct minimatch *, const struct minimatch *);
uint32_t minimatch_hash(const struct minimatch *, uint32_t basis);
/* Hash of the key words alone, the same as flow_hash_in_minimask() of
 * any flow the minimatch matches, with the same BASIS. */
uint32_t minimatch_hash_masked(const struct minimatch *, uint32_t basis);
bool minimatch_matches_flow(const struct minimatch *, const struct flow *);

#endif /* miniflow.h */
