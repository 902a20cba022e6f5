/*
 * crc32c: the Castagnoli CRC (polynomial 0x1EDC6F41, bit-reflected form
 * 0x82F63B78), as used by iSCSI (RFC 3720), SCTP (RFC 4960) and ext4.
 *
 * Convention (the usual one, as in zlib's crc32()): the CRC register
 * starts at ~CRC, every byte is shifted in least significant bit first,
 * and the result is complemented.  Therefore hash_crc32c(p, n, 0) is the
 * standard CRC32C of p[0..n), and feeding one call's result to the next
 * continues the computation:
 *
 *     hash_crc32c(b, nb, hash_crc32c(a, na, 0)) == CRC32C(a || b)
 *
 * Two implementations compute the same function: the SSE4.2 CRC32
 * instruction (8 bytes per instruction) where the CPU has it, chosen once
 * at run time, and portable slicing-by-8 tables elsewhere.  The unit tests
 * run both against known vectors and against each other through the
 * "__"-suffixed entry points below, which nothing else should use.
 */
#include <config.h>
#include "hash.h"

#include <pthread.h>
#include <stdbool.h>
#include "util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define CRC32C_HAVE_SSE42 1
#else
#define CRC32C_HAVE_SSE42 0
#endif

/* For tests only (declared in tests/unit/test-hash.c). */
uint32_t hash_crc32c_sw__(const void *, size_t, uint32_t crc);
uint32_t hash_crc32c_hw__(const void *, size_t, uint32_t crc);
bool hash_crc32c_hw_available__(void);

#define CRC32C_POLY 0x82F63B78u   /* Reflected 0x1EDC6F41. */

/* crc32c_table[0] is the classic byte-at-a-time table; crc32c_table[k][b]
 * is the CRC of byte b followed by k zero bytes, so eight lookups advance
 * the CRC over eight bytes at once. */
static uint32_t crc32c_table[8][256];
static bool crc32c_use_hw;
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void
crc32c_init(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t crc = b;
        for (int i = 0; i < 8; i++) {
            crc = crc & 1 ? (crc >> 1) ^ CRC32C_POLY : crc >> 1;
        }
        crc32c_table[0][b] = crc;
    }
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t crc = crc32c_table[0][b];
        for (int k = 1; k < 8; k++) {
            crc = (crc >> 8) ^ crc32c_table[0][crc & 0xff];
            crc32c_table[k][b] = crc;
        }
    }

#if CRC32C_HAVE_SSE42
    __builtin_cpu_init();
    crc32c_use_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static inline uint32_t
load_le32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
           | (uint32_t) p[3] << 24;
}

/* The raw (uncomplemented) register update, slicing-by-8. */
static uint32_t
crc32c_sw_raw(uint32_t crc, const uint8_t *p, size_t n)
{
    const uint32_t (*t)[256] = crc32c_table;

    for (; n >= 8; p += 8, n -= 8) {
        uint32_t lo = load_le32(p) ^ crc;
        uint32_t hi = load_le32(p + 4);
        crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff]
              ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24]
              ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff]
              ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    }
    for (; n; p++, n--) {
        crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xff];
    }
    return crc;
}

#if CRC32C_HAVE_SSE42
__attribute__((target("sse4.2")))
static uint32_t
crc32c_hw_raw(uint32_t crc, const uint8_t *p, size_t n)
{
    /* Byte steps up to 8-byte alignment, then 8 bytes per instruction. */
    for (; n && ((uintptr_t) p & 7); p++, n--) {
        crc = _mm_crc32_u8(crc, *p);
    }
#ifdef __x86_64__
    uint64_t crc64 = crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc64 = _mm_crc32_u64(crc64, word);
    }
    crc = crc64;
#else
    for (; n >= 4; p += 4, n -= 4) {
        uint32_t word;
        memcpy(&word, p, 4);
        crc = _mm_crc32_u32(crc, word);
    }
#endif
    for (; n; p++, n--) {
        crc = _mm_crc32_u8(crc, *p);
    }
    return crc;
}
#endif

uint32_t
hash_crc32c(const void *p, size_t n, uint32_t crc)
{
    pthread_once(&crc32c_once, crc32c_init);
#if CRC32C_HAVE_SSE42
    if (crc32c_use_hw) {
        return ~crc32c_hw_raw(~crc, p, n);
    }
#endif
    return ~crc32c_sw_raw(~crc, p, n);
}

uint32_t
hash_crc32c_sw__(const void *p, size_t n, uint32_t crc)
{
    pthread_once(&crc32c_once, crc32c_init);
    return ~crc32c_sw_raw(~crc, p, n);
}

/* Like hash_crc32c() but always the CRC32 instruction; the caller checks
 * hash_crc32c_hw_available__() first. */
uint32_t
hash_crc32c_hw__(const void *p, size_t n, uint32_t crc)
{
    pthread_once(&crc32c_once, crc32c_init);
#if CRC32C_HAVE_SSE42
    plx_assert(crc32c_use_hw);
    return ~crc32c_hw_raw(~crc, p, n);
#else
    PLX_NOT_REACHED();
#endif
}

bool
hash_crc32c_hw_available__(void)
{
    pthread_once(&crc32c_once, crc32c_init);
    return crc32c_use_hw;
}
