/* Tests for lib/hash and lib/crc32c.
 *
 * The word hashes' exact values are not pinned down (they may change);
 * what is tested is what the containers rely on: spread over buckets,
 * avalanche, and consistency over alignment and length.
 *
 * hash_crc32c() is pinned down exactly, since it is a wire checksum.  Its
 * convention: hash_crc32c(p, n, 0) is the standard CRC32C (initial
 * register ~0, reflected, final complement: the "check" value of
 * "123456789" is 0xe3069283), and the CRC argument is a previous result,
 * so hash_crc32c(b, nb, hash_crc32c(a, na, 0)) is the CRC32C of a || b. */
#include <config.h>
#include "hash.h"

#include <math.h>
#include "test.h"

/* lib/crc32c.c's test-only entry points. */
uint32_t hash_crc32c_sw__(const void *, size_t, uint32_t crc);
uint32_t hash_crc32c_hw__(const void *, size_t, uint32_t crc);
bool hash_crc32c_hw_available__(void);

/* Chi-square statistic of COUNTS[0..N_BUCKETS) against a uniform
 * distribution of N_ITEMS. */
static double
chi_square(const unsigned *counts, size_t n_buckets, size_t n_items)
{
    double expect = (double) n_items / n_buckets, chi = 0;
    for (size_t i = 0; i < n_buckets; i++) {
        double d = counts[i] - expect;
        chi += d * d / expect;
    }
    return chi;
}

/* With B - 1 degrees of freedom, chi-square has mean B - 1 and standard
 * deviation sqrt(2(B - 1)); six deviations out is "badly non-uniform"
 * (a uniform hash exceeds it with probability ~1e-9). */
static void
check_uniform(const unsigned *counts, size_t n_buckets, size_t n_items,
              const char *what)
{
    double df = n_buckets - 1;
    double chi = chi_square(counts, n_buckets, n_items);
    CHECK_MSG(chi < df + 6 * sqrt(2 * df),
              "%s: chi-square %.1f over %zu buckets", what, chi, n_buckets);
}

/* Sequential integers, the classic worst case for weak hashes, land
 * evenly in the low bits (what hmap uses) and in the high bits. */
TEST(hash_int_sequential_distribution)
{
    enum { N_BUCKETS = 1024, N = 1024 * 64 };
    unsigned *low = xcalloc(N_BUCKETS, sizeof *low);
    unsigned *high = xcalloc(N_BUCKETS, sizeof *high);

    for (uint32_t i = 0; i < N; i++) {
        uint32_t h = hash_int(i, 0);
        low[h % N_BUCKETS]++;
        high[h >> 22]++;
    }
    check_uniform(low, N_BUCKETS, N, "hash_int low bits");
    check_uniform(high, N_BUCKETS, N, "hash_int high bits");

    /* Multiples of a large power of two, which defeat "hash = x". */
    memset(low, 0, N_BUCKETS * sizeof *low);
    for (uint32_t i = 0; i < N; i++) {
        low[hash_int(i << 16, 0) % N_BUCKETS]++;
    }
    check_uniform(low, N_BUCKETS, N, "hash_int of i << 16");
    free(low);
    free(high);
}

TEST(hash_bytes_and_words_distribution)
{
    enum { N_BUCKETS = 512, N = 512 * 64 };
    unsigned *a = xcalloc(N_BUCKETS, sizeof *a);
    unsigned *b = xcalloc(N_BUCKETS, sizeof *b);
    unsigned *c = xcalloc(N_BUCKETS, sizeof *c);

    for (uint32_t i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "eth%u", i);
        a[hash_string(name, 0) % N_BUCKETS]++;

        uint64_t words[2] = { i, 0x0a000001 };
        b[hash_words64(words, 2, 0) % N_BUCKETS]++;

        uint32_t w32[3] = { 0, i, 0 };
        c[hash_words(w32, 3, 0) % N_BUCKETS]++;
    }
    check_uniform(a, N_BUCKETS, N, "hash_string of ethN");
    check_uniform(b, N_BUCKETS, N, "hash_words64");
    check_uniform(c, N_BUCKETS, N, "hash_words");
    free(a);
    free(b);
    free(c);
}

/* Flipping any one input bit of hash_words64 flips each output bit with
 * probability close to 1/2: averaged over random inputs, about 16 of 32
 * output bits change, and no output bit is stuck. */
TEST(hash_words64_avalanche)
{
    enum { N_WORDS = 3, TRIALS = 200 };
    unsigned flips_per_out_bit[32] = { 0 };
    uint64_t total = 0, samples = 0;

    for (int t = 0; t < TRIALS; t++) {
        uint64_t words[N_WORDS];
        for (int w = 0; w < N_WORDS; w++) {
            words[w] = test_random64();
        }
        uint32_t basis = test_random();
        uint32_t h = hash_words64(words, N_WORDS, basis);

        for (int bit = 0; bit < N_WORDS * 64; bit++) {
            uint64_t flipped[N_WORDS];
            memcpy(flipped, words, sizeof flipped);
            flipped[bit / 64] ^= UINT64_C(1) << (bit % 64);
            uint32_t diff = h ^ hash_words64(flipped, N_WORDS, basis);

            CHECK_MSG(diff, "flipping bit %d did not change the hash", bit);
            total += count_1bits(diff);
            samples++;
            int j;
            ULLONG_FOR_EACH_1 (j, diff) {
                flips_per_out_bit[j]++;
            }
        }
    }

    double mean = (double) total / samples;
    CHECK_MSG(mean > 15.5 && mean < 16.5, "mean flipped bits %.3f", mean);
    for (int j = 0; j < 32; j++) {
        double p = (double) flips_per_out_bit[j] / samples;
        CHECK_MSG(p > 0.45 && p < 0.55, "output bit %d flips with p=%.3f",
                  j, p);
    }
}

/* Same avalanche property for the single-word hashes. */
TEST(hash_int_and_uint64_avalanche)
{
    uint64_t total32 = 0, total64 = 0;
    enum { TRIALS = 2000 };

    for (int t = 0; t < TRIALS; t++) {
        uint32_t x = test_random();
        uint64_t y = test_random64();
        for (int bit = 0; bit < 32; bit++) {
            total32 += count_1bits(hash_int(x, 7)
                                   ^ hash_int(x ^ (1u << bit), 7));
        }
        for (int bit = 0; bit < 64; bit++) {
            total64 += count_1bits(hash_uint64(y)
                                   ^ hash_uint64(y ^ (UINT64_C(1) << bit)));
        }
    }
    double mean32 = (double) total32 / (TRIALS * 32);
    double mean64 = (double) total64 / (TRIALS * 64);
    CHECK_MSG(mean32 > 15.5 && mean32 < 16.5, "hash_int: %.3f", mean32);
    CHECK_MSG(mean64 > 15.5 && mean64 < 16.5, "hash_uint64: %.3f", mean64);
}

/* hash_bytes() depends only on the bytes, not on their alignment, and
 * every length from 0 to 40 is distinct from its neighbours (the length
 * is mixed in, so trailing zero bytes matter). */
TEST(hash_bytes_unaligned_and_odd_lengths)
{
    uint8_t data[48];
    uint8_t buffer[48 + 8];

    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = test_random();
    }
    for (size_t len = 0; len <= 40; len++) {
        uint32_t h = hash_bytes(data, len, 99);
        for (size_t ofs = 1; ofs < 8; ofs++) {
            memcpy(buffer + ofs, data, len);
            CHECK_EQ(hash_bytes(buffer + ofs, len, 99), h);
        }
        CHECK_NE(hash_bytes(data, len, 100), h);     /* Basis matters. */
    }

    uint8_t zeros[41] = { 0 };
    for (size_t len = 0; len < 40; len++) {
        CHECK_NE(hash_bytes(zeros, len, 0), hash_bytes(zeros, len + 1, 0));
    }

    /* Each byte of an odd-length tail matters. */
    for (size_t len = 1; len <= 7; len++) {
        uint32_t h = hash_bytes(data, len, 0);
        for (size_t i = 0; i < len; i++) {
            uint8_t copy[8];
            memcpy(copy, data, len);
            copy[i] ^= 0x01;
            CHECK_NE(hash_bytes(copy, len, 0), h);
        }
    }

    /* hash_words() and hash_bytes() agree on whole words (both fold in
     * 32-bit words and mix in the byte count). */
    uint32_t words[5];
    memcpy(words, data, sizeof words);
    CHECK_EQ(hash_words(words, 5, 3), hash_bytes(words, 20, 3));
    CHECK_EQ(hash_string("", 5), hash_bytes("", 0, 5));
}

TEST(hash_combining)
{
    CHECK_NE(hash_2words(1, 2), hash_2words(2, 1));
    CHECK_NE(hash_pointer(&hash_2words, 0), hash_pointer(&hash_2words, 1));
    CHECK_EQ(hash_uint64(12345), hash_uint64_basis(12345, 0));
    CHECK(hash_rot(0x80000001u, 1) == 0x00000003u);
}

/* RFC 3720 appendix B.4 vectors plus the CRC catalogue's "check" value;
 * run through whichever implementations this CPU has. */
struct crc_vector {
    const char *name;
    uint8_t data[48];
    size_t len;
    uint32_t crc;
};

static void
fill_vectors(struct crc_vector *v, size_t *n)
{
    size_t i = 0;

    v[i] = (struct crc_vector) { .name = "32 zeros", .len = 32,
                                 .crc = 0x8a9136aa };
    i++;
    v[i] = (struct crc_vector) { .name = "32 0xff", .len = 32,
                                 .crc = 0x62a8ab43 };
    memset(v[i].data, 0xff, 32);
    i++;
    v[i] = (struct crc_vector) { .name = "32 incrementing", .len = 32,
                                 .crc = 0x46dd794e };
    for (int j = 0; j < 32; j++) {
        v[i].data[j] = j;
    }
    i++;
    v[i] = (struct crc_vector) { .name = "32 decrementing", .len = 32,
                                 .crc = 0x113fdb5c };
    for (int j = 0; j < 32; j++) {
        v[i].data[j] = 31 - j;
    }
    i++;
    /* An iSCSI read PDU header (RFC 3720 B.4). */
    static const uint8_t iscsi[48] = {
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    v[i] = (struct crc_vector) { .name = "iSCSI read", .len = 48,
                                 .crc = 0xd9963a56 };
    memcpy(v[i].data, iscsi, 48);
    i++;
    v[i] = (struct crc_vector) { .name = "123456789", .len = 9,
                                 .crc = 0xe3069283 };
    memcpy(v[i].data, "123456789", 9);
    i++;
    v[i] = (struct crc_vector) { .name = "empty", .len = 0, .crc = 0 };
    i++;
    *n = i;
}

typedef uint32_t crc_func(const void *, size_t, uint32_t);

static void
check_vectors(crc_func *crc, const char *impl)
{
    struct crc_vector v[8];
    size_t n;

    fill_vectors(v, &n);
    for (size_t i = 0; i < n; i++) {
        uint32_t got = crc(v[i].data, v[i].len, 0);
        CHECK_MSG(got == v[i].crc, "%s: %s: got 0x%08" PRIx32
                  ", expected 0x%08" PRIx32, impl, v[i].name, got, v[i].crc);

        /* Chaining at every split point gives the same CRC. */
        for (size_t k = 0; k <= v[i].len; k++) {
            uint32_t part = crc(v[i].data, k, 0);
            CHECK_MSG(crc(v[i].data + k, v[i].len - k, part) == v[i].crc,
                      "%s: %s: split at %zu", impl, v[i].name, k);
        }
    }
}

TEST(crc32c_vectors_dispatch)
{
    check_vectors(hash_crc32c, "hash_crc32c");
}

TEST(crc32c_vectors_table)
{
    check_vectors(hash_crc32c_sw__, "table");
}

TEST(crc32c_vectors_sse42)
{
    if (!hash_crc32c_hw_available__()) {
        test_skip("this CPU has no SSE4.2");
    }
    check_vectors(hash_crc32c_hw__, "sse4.2");
}

/* Both implementations agree on random data of every length 0..300 at
 * every alignment 0..7, with random chaining values; and whatever the
 * CPU, hash_crc32c() agrees with the table. */
TEST(crc32c_implementations_agree)
{
    enum { MAX = 300 };
    uint8_t *buf = xmalloc(MAX + 8);
    bool hw = hash_crc32c_hw_available__();

    for (size_t i = 0; i < MAX + 8; i++) {
        buf[i] = test_random();
    }
    for (size_t len = 0; len <= MAX; len++) {
        for (size_t ofs = 0; ofs < 8; ofs++) {
            uint32_t init = len % 3 ? test_random() : 0;
            uint32_t sw = hash_crc32c_sw__(buf + ofs, len, init);
            CHECK_EQ(hash_crc32c(buf + ofs, len, init), sw);
            if (hw) {
                CHECK_EQ(hash_crc32c_hw__(buf + ofs, len, init), sw);
            }
        }
    }

    /* A larger buffer, chained in uneven pieces. */
    enum { BIG = 1 << 16 };
    uint8_t *big = xmalloc(BIG);
    for (size_t i = 0; i < BIG; i++) {
        big[i] = test_random();
    }
    uint32_t whole = hash_crc32c_sw__(big, BIG, 0);
    uint32_t crc = 0;
    for (size_t pos = 0; pos < BIG;) {
        size_t piece = 1 + test_random() % 5000;
        size_t n = MIN(BIG - pos, piece);
        crc = hash_crc32c(big + pos, n, crc);
        pos += n;
    }
    CHECK_EQ(crc, whole);
    if (hw) {
        CHECK_EQ(hash_crc32c_hw__(big, BIG, 0), whole);
    }
    /* A single flipped bit always changes a CRC. */
    big[BIG / 2] ^= 0x10;
    CHECK_NE(hash_crc32c(big, BIG, 0), whole);

    free(big);
    free(buf);
}
