/* Tests for lib/bitmap, checked against a plain bool array across word
 * boundaries and odd sizes. */
#include <config.h>
#include "bitmap.h"

#include "test.h"

/* Checks that MAP's bits [0, N) are exactly REF's. */
static void
check_map(const unsigned long *map, const bool *ref, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(bitmap_is_set(map, i) == ref[i], "bit %zu", i);
        count += ref[i];
    }
    CHECK_EQ(bitmap_count1(map, n), count);
    CHECK_EQ(bitmap_is_all_zeros(map, n), count == 0);
}

static size_t
ref_scan(const bool *ref, bool target, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++) {
        if (ref[i] == target) {
            return i;
        }
    }
    return end;
}

TEST(allocate_and_single_bits)
{
    static const size_t sizes[] = { 0, 1, 63, 64, 65, 127, 128, 129, 1000 };

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        size_t n = sizes[s];
        unsigned long *map = bitmap_allocate(n);
        bool *ref = xcalloc(n + 1, sizeof *ref);

        check_map(map, ref, n);
        for (size_t i = 0; i < n; i += 3) {
            bitmap_set1(map, i);
            ref[i] = true;
        }
        check_map(map, ref, n);
        for (size_t i = 0; i < n; i += 6) {
            bitmap_set0(map, i);
            ref[i] = false;
        }
        check_map(map, ref, n);
        if (n) {
            bitmap_set(map, n - 1, true);
            ref[n - 1] = true;
            check_map(map, ref, n);
        }

        unsigned long *ones = bitmap_allocate1(n);
        CHECK_EQ(bitmap_count1(ones, n), n);
        /* Padding stays clear: the last word holds exactly the tail. */
        if (n % BITMAP_ULONG_BITS) {
            CHECK_EQ(__builtin_popcountl(ones[n / BITMAP_ULONG_BITS]),
                     n % BITMAP_ULONG_BITS);
        }
        bitmap_free(ones);
        bitmap_free(map);
        free(ref);
    }
}

TEST(set_multiple_randomized)
{
    enum { N = 300 };
    unsigned long *map = bitmap_allocate(N);
    bool ref[N] = { false };

    for (int iter = 0; iter < 2000; iter++) {
        size_t start = test_random() % (N + 1);
        size_t count = test_random() % (N - start + 1);
        bool value = test_random() % 2;
        bitmap_set_multiple(map, start, count, value);
        for (size_t i = start; i < start + count; i++) {
            ref[i] = value;
        }
        if (iter % 50 == 0) {
            check_map(map, ref, N);
        }
    }
    check_map(map, ref, N);

    /* Whole-map set then clear. */
    bitmap_set_multiple(map, 0, N, true);
    CHECK_EQ(bitmap_count1(map, N), N);
    bitmap_set_multiple(map, 0, N, false);
    CHECK(bitmap_is_all_zeros(map, N));
    bitmap_free(map);
}

TEST(scan_against_reference)
{
    enum { N = 517 };
    unsigned long *map = bitmap_allocate(N);
    bool ref[N] = { false };

    for (int density = 0; density < 4; density++) {
        for (size_t i = 0; i < N; i++) {
            /* Sparse, half, dense, all-but-one patterns. */
            bool v = density == 0 ? test_random() % 97 == 0
                     : density == 1 ? test_random() % 2
                     : density == 2 ? test_random() % 97 != 0
                     : i != N / 2;
            bitmap_set(map, i, v);
            ref[i] = v;
        }
        for (int k = 0; k < 1000; k++) {
            size_t start = test_random() % (N + 1);
            size_t end = start + test_random() % (N - start + 1);
            for (int t = 0; t < 2; t++) {
                CHECK_EQ(bitmap_scan(map, t, start, end),
                         ref_scan(ref, t, start, end));
            }
        }
        /* Full-range scans and BITMAP_FOR_EACH_1. */
        CHECK_EQ(bitmap_scan(map, true, 0, N), ref_scan(ref, true, 0, N));
        CHECK_EQ(bitmap_scan(map, false, 0, N), ref_scan(ref, false, 0, N));
        size_t idx, expect = ref_scan(ref, true, 0, N), visited = 0;
        BITMAP_FOR_EACH_1 (idx, N, map) {
            CHECK_EQ(idx, expect);
            expect = ref_scan(ref, true, idx + 1, N);
            visited++;
        }
        CHECK_EQ(visited, bitmap_count1(map, N));
    }

    /* Empty ranges return END, even past the last bit. */
    CHECK_EQ(bitmap_scan(map, true, 10, 10), 10);
    CHECK_EQ(bitmap_scan(map, false, 20, 5), 5);
    bitmap_free(map);
}

/* Set bits in the padding must not leak into results. */
TEST(padding_is_ignored)
{
    enum { N = 70 };
    unsigned long *a = bitmap_allocate(N);
    unsigned long *b = bitmap_allocate(N);

    a[1] |= 1UL << 20;                  /* Bit 84: padding. */
    CHECK_EQ(bitmap_count1(a, N), 0);
    CHECK(bitmap_is_all_zeros(a, N));
    CHECK(bitmap_equal(a, b, N));
    CHECK_EQ(bitmap_scan(a, true, 0, N), N);
    bitmap_set1(a, N - 1);
    CHECK(!bitmap_equal(a, b, N));
    CHECK_EQ(bitmap_scan(a, true, 0, N), N - 1);
    bitmap_free(a);
    bitmap_free(b);
}

TEST(equal_and_or_not_clone)
{
    enum { N = 200 };
    unsigned long *a = bitmap_allocate(N), *b = bitmap_allocate(N);
    bool ra[N], rb[N];

    for (size_t i = 0; i < N; i++) {
        ra[i] = test_random() % 2;
        rb[i] = test_random() % 3 == 0;
        bitmap_set(a, i, ra[i]);
        bitmap_set(b, i, rb[i]);
    }

    unsigned long *c = bitmap_clone(a, N);
    CHECK(bitmap_equal(a, c, N));
    bitmap_set(c, 137, !ra[137]);
    CHECK(!bitmap_equal(a, c, N));
    /* Differences beyond N_BITS do not count. */
    CHECK(bitmap_equal(a, c, 137));

    bool r[N];
    bitmap_free(c);
    c = bitmap_clone(a, N);
    bitmap_and(c, b, N);
    for (size_t i = 0; i < N; i++) {
        r[i] = ra[i] && rb[i];
    }
    check_map(c, r, N);

    bitmap_free(c);
    c = bitmap_clone(a, N);
    bitmap_or(c, b, N);
    for (size_t i = 0; i < N; i++) {
        r[i] = ra[i] || rb[i];
    }
    check_map(c, r, N);

    bitmap_not(c, N);
    for (size_t i = 0; i < N; i++) {
        r[i] = !r[i];
    }
    check_map(c, r, N);
    /* Padding of the last word stayed clear. */
    CHECK_EQ(c[N / BITMAP_ULONG_BITS] >> (N % BITMAP_ULONG_BITS), 0);

    bitmap_free(a);
    bitmap_free(b);
    bitmap_free(c);
}
