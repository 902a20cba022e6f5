/*
 * packet-builder: a byte-wise packet builder for the flow unit tests
 * (test-flow.c, test-flow-key.c), independent of the code under test.
 *
 * A struct pb is a fixed buffer that the pb_*() functions append to in
 * network byte order; pb_ipv4()/pb_ipv6() start an IP header and return
 * its offset, and pb_ipv4_end()/pb_ipv6_end() fill in its length once the
 * payload is in.  extract() and extract_n() run flow_extract() on an
 * exact-size copy, so that ASan catches any read past the end, with
 * in_port 7.  Every frame goes from mac_a to mac_b.
 */
#ifndef PLX_TESTS_UNIT_PACKET_BUILDER_H
#define PLX_TESTS_UNIT_PACKET_BUILDER_H 1

#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "test.h"
#include "util.h"

struct pb {
    uint8_t buf[2048];
    size_t n;
};

static inline void
pb_u8(struct pb *b, uint8_t x)
{
    plx_assert(b->n < sizeof b->buf);
    b->buf[b->n++] = x;
}

static inline void
pb_u16(struct pb *b, uint16_t x)
{
    pb_u8(b, x >> 8);
    pb_u8(b, x);
}

static inline void
pb_u32(struct pb *b, uint32_t x)
{
    pb_u16(b, x >> 16);
    pb_u16(b, x);
}

static inline void
pb_bytes(struct pb *b, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pb_u8(b, ((const uint8_t *) p)[i]);
    }
}

static inline void
pb_zeros(struct pb *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pb_u8(b, 0);
    }
}

static inline void
pb_set16(struct pb *b, size_t ofs, uint16_t x)
{
    b->buf[ofs] = x >> 8;
    b->buf[ofs + 1] = x;
}

static const struct eth_addr mac_a PLX_UNUSED = {
    { { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } }
};
static const struct eth_addr mac_b PLX_UNUSED = {
    { { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb } }
};

/* dst = mac_b, src = mac_a. */
static inline void
pb_eth_addrs(struct pb *b)
{
    pb_bytes(b, mac_b.ea, 6);
    pb_bytes(b, mac_a.ea, 6);
}

/* Starts an IPv4 header (no options); returns its offset. */
static inline size_t
pb_ipv4(struct pb *b, uint8_t ihl, uint8_t proto, uint16_t frag_off)
{
    size_t ofs = b->n;
    pb_u8(b, 0x40 | ihl);
    pb_u8(b, 0xb9);                     /* DSCP 46, ECN 1. */
    pb_u16(b, 0);                       /* tot_len, fixed by pb_ipv4_end. */
    pb_u16(b, 0x1234);
    pb_u16(b, frag_off);
    pb_u8(b, 64);
    pb_u8(b, proto);
    pb_u16(b, 0);
    pb_u32(b, 0x0a000001);
    pb_u32(b, 0xc0a80102);
    return ofs;
}

static inline void
pb_ipv4_end(struct pb *b, size_t ofs)
{
    pb_set16(b, ofs + 2, b->n - ofs);
}

static const uint8_t ip6_src[16] PLX_UNUSED = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};
static const uint8_t ip6_dst[16] PLX_UNUSED = {
    0xfe, 0x80, 0, 0, 0, 0, 0, 0,
    0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55
};

static inline size_t
pb_ipv6(struct pb *b, uint8_t next)
{
    size_t ofs = b->n;
    pb_u32(b, (6u << 28) | (0x2d << 20) | 0xbeef1);
    pb_u16(b, 0);                       /* plen, fixed by pb_ipv6_end. */
    pb_u8(b, next);
    pb_u8(b, 255);
    pb_bytes(b, ip6_src, 16);
    pb_bytes(b, ip6_dst, 16);
    return ofs;
}

static inline void
pb_ipv6_end(struct pb *b, size_t ofs)
{
    pb_set16(b, ofs + 4, b->n - ofs - 40);
}

static inline void
pb_tcp(struct pb *b, uint16_t src, uint16_t dst, uint16_t flags)
{
    pb_u16(b, src);
    pb_u16(b, dst);
    pb_u32(b, 1000);
    pb_u32(b, 2000);
    pb_u16(b, (5 << 12) | flags);
    pb_u16(b, 8192);
    pb_u16(b, 0);
    pb_u16(b, 0);
}

static inline void
pb_udp(struct pb *b, uint16_t src, uint16_t dst)
{
    pb_u16(b, src);
    pb_u16(b, dst);
    pb_u16(b, 8);
    pb_u16(b, 0);
}

/* Extracts from an exact-size copy of the first N bytes of B (so that
 * ASan catches any read past the end). */
static inline struct dp_packet *
extract_n(const struct pb *b, size_t n, struct flow *flow)
{
    struct dp_packet *p = dp_packet_clone_data(b->buf, n);
    p->md.in_port = 7;
    flow_extract(p, flow);
    return p;
}

static inline struct dp_packet *
extract(const struct pb *b, struct flow *flow)
{
    return extract_n(b, b->n, flow);
}

static inline void
check_l2(const struct flow *f, uint16_t dl_type)
{
    CHECK(eth_addr_equals(f->dl_dst, mac_b));
    CHECK(eth_addr_equals(f->dl_src, mac_a));
    CHECK_EQ(ntohs(f->dl_type), dl_type);
    CHECK_EQ(f->in_port, 7);
}


static inline void
pb_mpls(struct pb *b, int n_labels, bool with_bos)
{
    pb_eth_addrs(b);
    pb_u16(b, ETH_TYPE_MPLS);
    for (int i = 0; i < n_labels; i++) {
        bool bos = with_bos && i == n_labels - 1;
        pb_u32(b, ((1000u + i) << 12) | (i % 8) << 9 | bos << 8 | (64 - i));
    }
}

#endif /* packet-builder.h */
