/*
 * bitmap: fixed-size arrays of bits.
 *
 * A bitmap of N bits is an array of BITMAP_N_LONGS(N) unsigned longs; bit
 * i is bit (i % BITMAP_ULONG_BITS) of word (i / BITMAP_ULONG_BITS).  The
 * caller remembers N: it is passed to every operation that looks at the
 * whole map.  Bits at N and beyond in the last word are "padding": the
 * operations that read a whole map (count1, equal, is_all_zeros, scan)
 * ignore them, and bitmap_allocate(), bitmap_allocate1() and bitmap_not()
 * leave them clear (and and or keep them clear if the operands' are), so
 * a map's words may also be compared or hashed directly.
 *
 * Single-bit operations are inline; the caller checks indexes (they are
 * internal invariants, not outside input, so out-of-range indexes are
 * not checked at run time).
 */
#ifndef PLX_BITMAP_H
#define PLX_BITMAP_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

#define BITMAP_ULONG_BITS (sizeof(unsigned long) * CHAR_BIT)
#define BITMAP_N_LONGS(N_BITS) DIV_ROUND_UP(N_BITS, BITMAP_ULONG_BITS)

static inline unsigned long *
bitmap_unit__(const unsigned long *map, size_t offset)
{
    return (unsigned long *) &map[offset / BITMAP_ULONG_BITS];
}

static inline unsigned long
bitmap_bit__(size_t offset)
{
    return 1UL << (offset % BITMAP_ULONG_BITS);
}

/* The mask of the bits of the last word that belong to an N_BITS map
 * (all ones if N_BITS fills it). */
static inline unsigned long
bitmap_tail_mask__(size_t n_bits)
{
    size_t rem = n_bits % BITMAP_ULONG_BITS;
    return rem ? (1UL << rem) - 1 : ~0UL;
}

unsigned long *bitmap_allocate(size_t n_bits);
unsigned long *bitmap_allocate1(size_t n_bits);
unsigned long *bitmap_clone(const unsigned long *, size_t n_bits);
void bitmap_free(unsigned long *);

static inline bool
bitmap_is_set(const unsigned long *map, size_t offset)
{
    return (*bitmap_unit__(map, offset) & bitmap_bit__(offset)) != 0;
}

static inline void
bitmap_set1(unsigned long *map, size_t offset)
{
    *bitmap_unit__(map, offset) |= bitmap_bit__(offset);
}

static inline void
bitmap_set0(unsigned long *map, size_t offset)
{
    *bitmap_unit__(map, offset) &= ~bitmap_bit__(offset);
}

static inline void
bitmap_set(unsigned long *map, size_t offset, bool value)
{
    if (value) {
        bitmap_set1(map, offset);
    } else {
        bitmap_set0(map, offset);
    }
}

/* Sets bits [START, START + COUNT) to VALUE. */
void bitmap_set_multiple(unsigned long *, size_t start, size_t count,
                         bool value);

/* Returns the index of the first bit in [START, END) whose value is
 * TARGET, or END if there is none. */
size_t bitmap_scan(const unsigned long *, bool target,
                   size_t start, size_t end);

size_t bitmap_count1(const unsigned long *, size_t n_bits);
bool bitmap_equal(const unsigned long *, const unsigned long *,
                  size_t n_bits);
bool bitmap_is_all_zeros(const unsigned long *, size_t n_bits);

/* DST &= ARG, DST |= ARG, DST = ~DST, over N_BITS bits. */
void bitmap_and(unsigned long *dst, const unsigned long *arg, size_t n_bits);
void bitmap_or(unsigned long *dst, const unsigned long *arg, size_t n_bits);
void bitmap_not(unsigned long *dst, size_t n_bits);

/* Visits the 1-bits of MAP below N_BITS in increasing order. */
#define BITMAP_FOR_EACH_1(IDX, N_BITS, MAP)                               \
    for ((IDX) = bitmap_scan(MAP, true, 0, N_BITS); (IDX) < (N_BITS);     \
         (IDX) = bitmap_scan(MAP, true, (IDX) + 1, N_BITS))

#endif /* bitmap.h */
