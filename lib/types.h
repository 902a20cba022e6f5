/*
 * types: fixed-width and network-byte-order types.
 *
 * plx_be16/32/64 hold values in network byte order.  They are plain
 * integers to the compiler; the names say which order a field is in, and
 * sparse-style discipline (htons() on the way in, ntohs() on the way out)
 * keeps them straight.
 */
#ifndef PLX_TYPES_H
#define PLX_TYPES_H 1

#include <stdint.h>

typedef uint16_t plx_be16;
typedef uint32_t plx_be32;
typedef uint64_t plx_be64;

/* A 128-bit value in host order (conntrack labels), accessible as two
 * 64-bit halves. */
typedef union {
    uint32_t u32[4];
    struct {
        uint64_t lo, hi;
    } u64;
} plx_u128;

/* A 128-bit value in network byte order. */
typedef union {
    plx_be32 be32[4];
    struct {
        plx_be64 hi, lo;
    } be64;
} plx_be128;

/* An Ethernet address, 2-byte aligned so that it can be compared and
 * copied as three 16-bit words. */
struct eth_addr {
    union {
        uint8_t ea[6];
        plx_be16 be16[3];
    };
};

#endif /* types.h */
