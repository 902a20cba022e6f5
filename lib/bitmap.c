#include <config.h>
#include "bitmap.h"

#include <stdlib.h>
#include <string.h>

unsigned long *
bitmap_allocate(size_t n_bits)
{
    return xcalloc(BITMAP_N_LONGS(n_bits), sizeof(unsigned long));
}

/* Allocates a map with bits [0, N_BITS) set and the padding clear. */
unsigned long *
bitmap_allocate1(size_t n_bits)
{
    unsigned long *map = bitmap_allocate(n_bits);
    bitmap_set_multiple(map, 0, n_bits, true);
    return map;
}

unsigned long *
bitmap_clone(const unsigned long *map, size_t n_bits)
{
    return xmemdup(map, BITMAP_N_LONGS(n_bits) * sizeof(unsigned long));
}

void
bitmap_free(unsigned long *map)
{
    free(map);
}

void
bitmap_set_multiple(unsigned long *map, size_t start, size_t count,
                    bool value)
{
    size_t end = start + count;

    /* Leading partial word, bit by bit. */
    for (; start < end && start % BITMAP_ULONG_BITS; start++) {
        bitmap_set(map, start, value);
    }
    /* Whole words. */
    for (; end - start >= BITMAP_ULONG_BITS; start += BITMAP_ULONG_BITS) {
        *bitmap_unit__(map, start) = value ? ~0UL : 0;
    }
    /* Trailing partial word. */
    for (; start < end; start++) {
        bitmap_set(map, start, value);
    }
}

size_t
bitmap_scan(const unsigned long *map, bool target, size_t start, size_t end)
{
    if (start >= end) {
        return end;
    }

    /* Look at the word holding START with the bits below START masked
     * off, then at whole words; the XOR turns a scan for 0-bits into a
     * scan for 1-bits. */
    unsigned long flip = target ? 0 : ~0UL;
    size_t i = start / BITMAP_ULONG_BITS;
    unsigned long word = (map[i] ^ flip)
                         & (~0UL << (start % BITMAP_ULONG_BITS));
    size_t last = (end - 1) / BITMAP_ULONG_BITS;

    while (!word) {
        if (++i > last) {
            return end;
        }
        word = map[i] ^ flip;
    }
    size_t idx = i * BITMAP_ULONG_BITS + __builtin_ctzl(word);
    return MIN(idx, end);
}

size_t
bitmap_count1(const unsigned long *map, size_t n_bits)
{
    size_t n_longs = n_bits / BITMAP_ULONG_BITS;
    size_t count = 0;

    for (size_t i = 0; i < n_longs; i++) {
        count += __builtin_popcountl(map[i]);
    }
    if (n_bits % BITMAP_ULONG_BITS) {
        count += __builtin_popcountl(map[n_longs]
                                     & bitmap_tail_mask__(n_bits));
    }
    return count;
}

/* Compares bits [0, N_BITS); padding bits do not matter. */
bool
bitmap_equal(const unsigned long *a, const unsigned long *b, size_t n_bits)
{
    size_t n_longs = n_bits / BITMAP_ULONG_BITS;

    if (memcmp(a, b, n_longs * sizeof(unsigned long))) {
        return false;
    }
    if (n_bits % BITMAP_ULONG_BITS) {
        unsigned long mask = bitmap_tail_mask__(n_bits);
        return !((a[n_longs] ^ b[n_longs]) & mask);
    }
    return true;
}

bool
bitmap_is_all_zeros(const unsigned long *map, size_t n_bits)
{
    return bitmap_scan(map, true, 0, n_bits) == n_bits;
}

void
bitmap_and(unsigned long *dst, const unsigned long *arg, size_t n_bits)
{
    for (size_t i = 0; i < BITMAP_N_LONGS(n_bits); i++) {
        dst[i] &= arg[i];
    }
}

void
bitmap_or(unsigned long *dst, const unsigned long *arg, size_t n_bits)
{
    for (size_t i = 0; i < BITMAP_N_LONGS(n_bits); i++) {
        dst[i] |= arg[i];
    }
}

/* Inverts bits [0, N_BITS), leaving the padding clear. */
void
bitmap_not(unsigned long *dst, size_t n_bits)
{
    size_t n_longs = BITMAP_N_LONGS(n_bits);

    for (size_t i = 0; i < n_longs; i++) {
        dst[i] = ~dst[i];
    }
    if (n_longs) {
        dst[n_longs - 1] &= bitmap_tail_mask__(n_bits);
    }
}
