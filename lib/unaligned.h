/* unaligned: host-order integers loaded from and stored to big-endian
 * bytes with no alignment guarantee (wire formats).  packets.h's
 * load_be16() and _be32() load the same bytes as network-order
 * values instead. */
#ifndef PLX_UNALIGNED_H
#define PLX_UNALIGNED_H 1

#include <stdint.h>

static inline uint16_t
load_be16(const void *p_)
{
    const uint8_t *p = p_;
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
load_be32(const void *p_)
{
    const uint8_t *p = p_;
    return (uint32_t) load_be16(p) << 16
           | load_be16(p + 2);
}

static inline void
store_be16(void *p_, uint16_t x)
{
    uint8_t *p = p_;
    p[0] = x >> 8;
    p[1] = x;
}

static inline void
store_be32(void *p_, uint32_t x)
{
    uint8_t *p = p_;
    store_be16(p, x >> 16);
    store_be16(p + 2, x);
}

#endif /* unaligned.h */
