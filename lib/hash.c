#include <config.h>
#include "hash.h"

#include "util.h"

uint32_t
hash_bytes(const void *p_, size_t n, uint32_t basis)
{
    const uint8_t *p = p_;
    size_t orig_n = n;
    uint32_t hash = basis;

    while (n >= 4) {
        uint32_t word;
        memcpy(&word, p, 4);
        hash = hash_add(hash, word);
        p += 4;
        n -= 4;
    }
    if (n) {
        uint32_t tail = 0;
        memcpy(&tail, p, n);
        hash = mhash_add__(hash, tail);
    }
    return hash_finish(hash, orig_n);
}

uint32_t
hash_words(const uint32_t *p, size_t n, uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < n; i++) {
        hash = hash_add(hash, p[i]);
    }
    return hash_finish(hash, n * 4);
}

uint32_t
hash_words64(const uint64_t *p, size_t n, uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < n; i++) {
        hash = hash_add64(hash, p[i]);
    }
    return hash_finish(hash, n * 8);
}
