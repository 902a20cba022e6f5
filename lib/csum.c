/* csum: Internet checksums; see csum.h. */
#include <config.h>
#include "csum.h"

#include <endian.h>
#include <string.h>
#include "hash.h"
#include "packets.h"

/* Folds a 64-bit accumulator into 32 bits, keeping the ones-complement
 * value (2**32 == 1 mod 0xffff). */
static inline uint32_t
csum_fold64(uint64_t acc)
{
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    return acc;
}

/* Folds a 32-bit partial sum into 16 bits. */
static inline uint16_t
csum_fold32(uint32_t partial)
{
    partial = (partial & 0xffff) + (partial >> 16);
    partial = (partial & 0xffff) + (partial >> 16);
    return partial;
}

uint32_t
csum_continue(uint32_t partial, const void *data_, size_t n)
{
    const uint8_t *data = data_;
    uint64_t acc = partial;

    /* 32-bit loads: 2**16 == 1 mod 0xffff, so a 32-bit word adds the same
     * ones-complement value as its two 16-bit halves. */
    for (; n >= 4; n -= 4, data += 4) {
        uint32_t w;
        memcpy(&w, data, 4);
        acc += w;
    }
    if (n >= 2) {
        uint16_t w;
        memcpy(&w, data, 2);
        acc += w;
        n -= 2;
        data += 2;
    }
    if (n) {
        /* A trailing odd byte is padded with a zero byte after it. */
        uint16_t w = 0;
        memcpy(&w, data, 1);
        acc += w;
    }
    return csum_fold64(acc);
}

plx_be16
csum_finish(uint32_t partial)
{
    return (uint16_t) ~csum_fold32(partial);
}

plx_be16
csum(const void *data, size_t n)
{
    return csum_finish(csum_continue(0, data, n));
}

plx_be16
recalc_csum16(plx_be16 old_csum, plx_be16 old_u16, plx_be16 new_u16)
{
    /* HC' = ~(~HC + ~m + m') */
    uint32_t sum = (uint16_t) ~old_csum;
    sum += (uint16_t) ~old_u16;
    sum += new_u16;
    return (uint16_t) ~csum_fold32(sum);
}

plx_be16
recalc_csum32(plx_be16 old_csum, plx_be32 old_u32, plx_be32 new_u32)
{
    return recalc_csum16(recalc_csum16(old_csum, old_u32, new_u32),
                         old_u32 >> 16, new_u32 >> 16);
}

plx_be16
recalc_csum48(plx_be16 old_csum, const void *old_bytes,
              const void *new_bytes)
{
    plx_be16 o[3], n[3];

    memcpy(o, old_bytes, sizeof o);
    memcpy(n, new_bytes, sizeof n);
    for (int i = 0; i < 3; i++) {
        old_csum = recalc_csum16(old_csum, o[i], n[i]);
    }
    return old_csum;
}

plx_be16
recalc_csum128(plx_be16 old_csum, const struct in6_addr *old_addr,
               const struct in6_addr *new_addr)
{
    plx_be16 o[8], n[8];

    memcpy(o, old_addr, sizeof o);
    memcpy(n, new_addr, sizeof n);
    for (int i = 0; i < 8; i++) {
        old_csum = recalc_csum16(old_csum, o[i], n[i]);
    }
    return old_csum;
}

uint32_t
csum_pseudoheader4(plx_be32 src, plx_be32 dst, uint8_t proto,
                   uint16_t l4_len)
{
    uint32_t partial = 0;

    partial = csum_add32(partial, src);
    partial = csum_add32(partial, dst);
    partial = csum_add16(partial, htons(proto));
    partial = csum_add16(partial, htons(l4_len));
    return partial;
}

uint32_t
packet_csum_pseudoheader(const struct ip_header *ip)
{
    uint16_t l4_len = ntohs(ip->ip_tot_len) - IP_IHL(ip->ip_ihl_ver) * 4;

    return csum_pseudoheader4(get_16aligned_be32(&ip->ip_src),
                              get_16aligned_be32(&ip->ip_dst),
                              ip->ip_proto, l4_len);
}

uint32_t
csum_pseudoheader6(const struct in6_addr *src, const struct in6_addr *dst,
                   uint8_t proto, uint32_t l4_len)
{
    uint32_t partial = 0;

    partial = csum_continue(partial, src, sizeof *src);
    partial = csum_continue(partial, dst, sizeof *dst);
    partial = csum_add32(partial, htonl(l4_len));
    partial = csum_add32(partial, htonl(proto));
    return partial;
}

plx_be16
packet_csum_upperlayer6(const struct ip6_header *ip6, const void *l4,
                        uint8_t proto, uint32_t l4_len)
{
    struct in6_addr src = get_16aligned_in6(&ip6->ip6_src);
    struct in6_addr dst = get_16aligned_in6(&ip6->ip6_dst);
    uint32_t partial = csum_pseudoheader6(&src, &dst, proto, l4_len);

    return csum_finish(csum_continue(partial, l4, l4_len));
}

plx_be32
sctp_csum(const void *sctp, size_t n)
{
    /* The CRC goes on the wire least significant byte first. */
    return htole32(hash_crc32c(sctp, n, 0));
}
