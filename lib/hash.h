/*
 * hash: fast, well-mixed, non-cryptographic hashing.
 *
 * The word hashes are murmur3's 32-bit mixing steps: hash_add() folds one
 * 32-bit word into a running hash, hash_finish() avalanches the result.
 * Every container keyed by a hash (hmap, the classifier's subtables, the
 * datapath's flow caches) uses these, so a change here changes the
 * distribution everywhere; the unit tests pin down that nearby inputs
 * land far apart.
 *
 * hash_crc32c() is the Castagnoli CRC (hardware CRC32 instructions where
 * the CPU has SSE4.2, a table-driven fallback elsewhere); it is not a
 * good hash function on its own but is the checksum that SCTP and iSCSI
 * use.
 */
#ifndef PLX_HASH_H
#define PLX_HASH_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
hash_rot(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static inline uint32_t
mhash_add__(uint32_t hash, uint32_t data)
{
    data *= 0xcc9e2d51;
    data = hash_rot(data, 15);
    data *= 0x1b873593;
    return hash ^ data;
}

/* Folds DATA into HASH. */
static inline uint32_t
hash_add(uint32_t hash, uint32_t data)
{
    hash = mhash_add__(hash, data);
    hash = hash_rot(hash, 13);
    return hash * 5 + 0xe6546b64;
}

static inline uint32_t
hash_add64(uint32_t hash, uint64_t data)
{
    return hash_add(hash_add(hash, data), data >> 32);
}

/* Final avalanche.  FINAL is usually the number of bytes hashed. */
static inline uint32_t
hash_finish(uint32_t hash, uint32_t final)
{
    hash ^= final;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

uint32_t hash_bytes(const void *, size_t n_bytes, uint32_t basis);
uint32_t hash_words(const uint32_t *, size_t n_words, uint32_t basis);
uint32_t hash_words64(const uint64_t *, size_t n_words, uint32_t basis);

static inline uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return hash_finish(hash_add(basis, x), 4);
}

static inline uint32_t
hash_uint64_basis(uint64_t x, uint32_t basis)
{
    return hash_finish(hash_add64(basis, x), 8);
}

static inline uint32_t
hash_uint64(uint64_t x)
{
    return hash_uint64_basis(x, 0);
}

static inline uint32_t
hash_pointer(const void *p, uint32_t basis)
{
    return hash_uint64_basis((uintptr_t) p, basis);
}

static inline uint32_t
hash_string(const char *s, uint32_t basis)
{
    return hash_bytes(s, strlen(s), basis);
}

/* Combines two hashes, order-dependently. */
static inline uint32_t
hash_2words(uint32_t x, uint32_t y)
{
    return hash_finish(hash_add(hash_add(0, x), y), 8);
}

uint32_t hash_crc32c(const void *, size_t n_bytes, uint32_t crc);

#endif /* hash.h */
