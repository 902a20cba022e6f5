/*
 * csum: the Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624), as IPv4, ICMP, TCP and UDP use it.
 *
 * A checksum is computed in two steps: a "partial" sum, a 32-bit
 * accumulator of 16-bit words with end-around carry still pending, and
 * csum_finish(), which folds the carries and complements.  Partial sums
 * can be added in any order, so a pseudo-header sum, a header and a
 * payload can each be summed where they are (csum_continue()), then
 * finished once.  Every csum_continue() call but the last must cover an
 * even number of bytes, because the sum is over 16-bit words.
 *
 * Words are summed exactly as they sit in memory (loaded in host order).
 * The ones-complement sum is byte-order independent, so the result of
 * csum_finish(), stored into the packet as is, is the right checksum in
 * network order on any host; hence the plx_be16 return types.
 *
 * recalc_csum*() update a checksum for a changed field without touching
 * the rest of the packet (RFC 1624 equation 3, which gets -0 right).
 * They agree with full recomputation except when the covered data
 * becomes entirely zero, a case no real header reaches.
 */
#ifndef PLX_CSUM_H
#define PLX_CSUM_H 1

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"

struct ip_header;
struct ip6_header;

plx_be16 csum(const void *, size_t);
uint32_t csum_continue(uint32_t partial, const void *, size_t);
plx_be16 csum_finish(uint32_t partial);

static inline uint32_t
csum_add16(uint32_t partial, plx_be16 x)
{
    return partial + x;
}

static inline uint32_t
csum_add32(uint32_t partial, plx_be32 x)
{
    /* Each half goes in separately so that the sum cannot overflow in
     * the common case of a few dozen words. */
    return partial + (x >> 16) + (x & 0xffff);
}

plx_be16 recalc_csum16(plx_be16 old_csum, plx_be16 old_u16,
                       plx_be16 new_u16);
plx_be16 recalc_csum32(plx_be16 old_csum, plx_be32 old_u32,
                       plx_be32 new_u32);
plx_be16 recalc_csum48(plx_be16 old_csum, const void *old_bytes,
                       const void *new_bytes);
plx_be16 recalc_csum128(plx_be16 old_csum, const struct in6_addr *old_addr,
                        const struct in6_addr *new_addr);

/* The partial sum of the IPv4 pseudo-header (RFC 793 §3.1) for an L4
 * segment of L4_LEN bytes. */
uint32_t csum_pseudoheader4(plx_be32 src, plx_be32 dst, uint8_t proto,
                            uint16_t l4_len);
/* The same for IP, taking the L4 length from ip_tot_len and the IHL
 * (both of which the caller has validated). */
uint32_t packet_csum_pseudoheader(const struct ip_header *ip);
/* The partial sum of the IPv6 pseudo-header (RFC 8200 §8.1). */
uint32_t csum_pseudoheader6(const struct in6_addr *src,
                            const struct in6_addr *dst, uint8_t proto,
                            uint32_t l4_len);
/* The finished upper-layer checksum of L4_LEN bytes at L4 (with its
 * checksum field zeroed) carried in IPv6 header IP6 as protocol PROTO. */
plx_be16 packet_csum_upperlayer6(const struct ip6_header *ip6,
                                 const void *l4, uint8_t proto,
                                 uint32_t l4_len);

/* The SCTP checksum (CRC32c) of the N bytes at SCTP, whose checksum
 * field must be zero, in the form to store into sctp_csum. */
plx_be32 sctp_csum(const void *sctp, size_t n);

#endif /* csum.h */
