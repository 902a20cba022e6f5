/* Tests for datapath/ipf: IPv4 and IPv6 datagrams are split here into
 * fragments (by code independent of ipf), fed through ipf_preprocess()
 * in order, reversed and shuffled, and must come out as the exact
 * datagram, then, after ipf_postprocess(), as the exact fragments again;
 * NAT-like changes must carry over; malformed, overlapping, too small,
 * too many and timed-out fragments must be refused or freed and counted.
 * ASan checks that no packet leaks. */
#include <config.h>
#include "datapath/ipf.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "test.h"
#include "util.h"

#define MAX_FRAMES 64

static const uint8_t v4_src[4] = { 10, 0, 0, 1 };
static const uint8_t v4_dst[4] = { 10, 0, 0, 2 };
static const uint8_t v6_src[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};
static const uint8_t v6_dst[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
};

/* A frame as bytes. */
struct frame {
    uint8_t *data;
    size_t len;
};

static void
put16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
put_eth(uint8_t *p, uint16_t type)
{
    static const uint8_t macs[12] = {
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55
    };
    memcpy(p, macs, sizeof macs);
    put16(p + 12, type);
}

static void
frame_free(struct frame *f)
{
    free(f->data);
    f->data = NULL;
}

/* L4 header (UDP or TCP) with ports 1234 -> 80, then PAYLOAD bytes of a
 * pattern, at P; returns the L4 length.  The checksum is left zero. */
static size_t
put_l4(uint8_t *p, uint8_t proto, size_t payload)
{
    size_t hlen = proto == IPPROTO_TCP ? TCP_HEADER_LEN : UDP_HEADER_LEN;

    memset(p, 0, hlen);
    put16(p, 1234);
    put16(p + 2, 80);
    if (proto == IPPROTO_TCP) {
        p[12] = 5 << 4;
        p[13] = TCP_ACK;
        put16(p + 14, 8192);
    } else {
        put16(p + 4, hlen + payload);
    }
    for (size_t i = 0; i < payload; i++) {
        p[hlen + i] = i * 7 + 3;
    }
    return hlen + payload;
}

static size_t
l4_csum_ofs(uint8_t proto)
{
    return proto == IPPROTO_TCP ? 16 : 6;
}

/* An Ethernet/IPv4 datagram with IHL 5 + OPT_WORDS, carrying PROTO. */
static struct frame
build_v4(uint8_t proto, size_t payload, uint16_t id, int opt_words)
{
    size_t ihl = IP_HEADER_LEN + opt_words * 4;
    struct frame f;

    f.data = xzalloc(ETH_HEADER_LEN + ihl + TCP_HEADER_LEN + payload);
    put_eth(f.data, ETH_TYPE_IP);
    uint8_t *ip = f.data + ETH_HEADER_LEN;
    uint8_t *l4 = ip + ihl;
    size_t l4_len = put_l4(l4, proto, payload);

    ip[0] = 0x40 | (ihl / 4);
    put16(ip + 2, ihl + l4_len);
    put16(ip + 4, id);
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, v4_src, 4);
    memcpy(ip + 16, v4_dst, 4);
    memset(ip + IP_HEADER_LEN, 1, ihl - IP_HEADER_LEN);    /* NOPs. */
    plx_be16 c = csum(ip, ihl);
    memcpy(ip + 10, &c, 2);

    plx_be32 src, dst;
    memcpy(&src, v4_src, 4);
    memcpy(&dst, v4_dst, 4);
    c = csum_finish(csum_continue(csum_pseudoheader4(src, dst, proto,
                                                     l4_len),
                                  l4, l4_len));
    memcpy(l4 + l4_csum_ofs(proto), &c, 2);
    f.len = ETH_HEADER_LEN + ihl + l4_len;
    return f;
}

/* Splits DG into fragments of CHUNK data bytes (a multiple of 8). */
static size_t
frag_v4(const struct frame *dg, size_t chunk, struct frame *out)
{
    const uint8_t *ip = dg->data + ETH_HEADER_LEN;
    size_t ihl = (ip[0] & 15) * 4;
    size_t hdrs = ETH_HEADER_LEN + ihl;
    size_t data_len = dg->len - hdrs;
    size_t n = 0;

    for (size_t off = 0; off < data_len; off += chunk) {
        size_t len = MIN(chunk, data_len - off);
        bool more = off + len < data_len;
        struct frame *f = &out[n++];

        f->len = hdrs + len;
        f->data = xmalloc(f->len);
        memcpy(f->data, dg->data, hdrs);
        memcpy(f->data + hdrs, dg->data + hdrs + off, len);

        uint8_t *fip = f->data + ETH_HEADER_LEN;
        put16(fip + 2, ihl + len);
        put16(fip + 6, (more ? IP_MORE_FRAGMENTS : 0) | off / 8);
        memset(fip + 10, 0, 2);
        plx_be16 c = csum(fip, ihl);
        memcpy(fip + 10, &c, 2);
    }
    return n;
}

/* An Ethernet/IPv6 datagram carrying PROTO, with an 8-byte hop-by-hop
 * header first if HBH. */
static struct frame
build_v6(uint8_t proto, size_t payload, bool hbh)
{
    size_t ext = hbh ? 8 : 0;
    struct frame f;

    f.data = xzalloc(ETH_HEADER_LEN + IPV6_HEADER_LEN + ext
                     + TCP_HEADER_LEN + payload);
    put_eth(f.data, ETH_TYPE_IPV6);
    uint8_t *ip6 = f.data + ETH_HEADER_LEN;
    uint8_t *l4 = ip6 + IPV6_HEADER_LEN + ext;
    size_t l4_len = put_l4(l4, proto, payload);

    ip6[0] = 0x60;
    put16(ip6 + 4, ext + l4_len);
    ip6[6] = hbh ? IPPROTO_HOPOPTS : proto;
    ip6[7] = 64;
    memcpy(ip6 + 8, v6_src, 16);
    memcpy(ip6 + 24, v6_dst, 16);
    if (hbh) {
        uint8_t *h = ip6 + IPV6_HEADER_LEN;
        h[0] = proto;
        h[1] = 0;
        h[2] = 1;               /* PadN, 4 bytes. */
        h[3] = 4;
    }

    struct in6_addr src, dst;
    memcpy(&src, v6_src, 16);
    memcpy(&dst, v6_dst, 16);
    plx_be16 c = csum_finish(csum_continue(csum_pseudoheader6(&src, &dst,
                                                              proto, l4_len),
                                           l4, l4_len));
    memcpy(l4 + l4_csum_ofs(proto), &c, 2);
    f.len = ETH_HEADER_LEN + IPV6_HEADER_LEN + ext + l4_len;
    return f;
}

/* Splits DG (built by build_v6()) into fragments of CHUNK bytes of its
 * fragmentable part, keeping the hop-by-hop header unfragmentable. */
static size_t
frag_v6(const struct frame *dg, size_t chunk, uint32_t ident,
        struct frame *out)
{
    const uint8_t *ip6 = dg->data + ETH_HEADER_LEN;
    bool hbh = ip6[6] == IPPROTO_HOPOPTS;
    size_t nxt_ofs = ETH_HEADER_LEN + (hbh ? IPV6_HEADER_LEN : 6);
    size_t hdrs = ETH_HEADER_LEN + IPV6_HEADER_LEN + (hbh ? 8 : 0);
    size_t data_len = dg->len - hdrs;
    size_t n = 0;

    for (size_t off = 0; off < data_len; off += chunk) {
        size_t len = MIN(chunk, data_len - off);
        bool more = off + len < data_len;
        struct frame *f = &out[n++];

        f->len = hdrs + IP6_FRAG_HEADER_LEN + len;
        f->data = xmalloc(f->len);
        memcpy(f->data, dg->data, hdrs);
        uint8_t *fh = f->data + hdrs;
        fh[0] = dg->data[nxt_ofs];
        fh[1] = 0;
        put16(fh + 2, off | more);
        put16(fh + 4, ident >> 16);
        put16(fh + 6, ident);
        f->data[nxt_ofs] = IPPROTO_FRAGMENT;
        memcpy(f->data + hdrs + IP6_FRAG_HEADER_LEN, dg->data + hdrs + off,
               len);
        put16(f->data + ETH_HEADER_LEN + 4,
              f->len - ETH_HEADER_LEN - IPV6_HEADER_LEN);
    }
    return n;
}

/* A packet holding F, from port 1, through flow_extract(). */
static struct dp_packet *
pkt_from(const struct frame *f)
{
    struct dp_packet *p = dp_packet_clone_data_with_headroom(f->data, f->len,
                                                             64);
    struct flow flow;

    pkt_metadata_init(&p->md, 1);
    flow_extract(p, &flow);
    return p;
}

static void
batch_of(struct dp_packet_batch *b, const struct frame *frames,
         const size_t *order, size_t n)
{
    dp_packet_batch_init(b);
    for (size_t i = 0; i < n; i++) {
        dp_packet_batch_add__(b, pkt_from(&frames[order ? order[i] : i]));
    }
}

static bool
pkt_is(const struct dp_packet *p, const struct frame *f)
{
    return (dp_packet_size(p) == f->len
            && !memcmp(dp_packet_data(p), f->data, f->len));
}

static void
make_order(size_t *order, size_t n, int how)
{
    for (size_t i = 0; i < n; i++) {
        order[i] = how == 1 ? n - 1 - i : i;
    }
    if (how == 2) {
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = test_random() % (i + 1);
            size_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}

/* True if the L4 checksum of the IPv4 or IPv6 packet P (through
 * flow_extract()) verifies. */
static bool
l4_csum_ok(const struct dp_packet *p)
{
    const uint8_t *l3 = dp_packet_l3(p);
    const uint8_t *l4 = dp_packet_l4(p);
    uint32_t partial;
    size_t l4_len;

    if (!l3 || !l4) {
        return false;
    }
    if ((l3[0] >> 4) == 4) {
        const struct ip_header *ip = (const void *) l3;
        l4_len = ntohs(ip->ip_tot_len) - (l4 - l3);
        partial = csum_pseudoheader4(get_16aligned_be32(&ip->ip_src),
                                     get_16aligned_be32(&ip->ip_dst),
                                     ip->ip_proto, l4_len);
    } else {
        const struct ip6_header *ip6 = (const void *) l3;
        struct in6_addr src = get_16aligned_in6(&ip6->ip6_src);
        struct in6_addr dst = get_16aligned_in6(&ip6->ip6_dst);
        struct flow flow;
        struct dp_packet copy = *p;

        flow_extract(&copy, &flow);
        l4_len = IPV6_HEADER_LEN + ntohs(ip6->ip6_payload_len) - (l4 - l3);
        partial = csum_pseudoheader6(&src, &dst, flow.nw_proto, l4_len);
    }
    return csum_finish(csum_continue(partial, l4, l4_len)) == 0;
}

static void
check_stats_clean(struct ipf *ipf)
{
    struct ipf_stats s;

    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.n_frags, 0);
    CHECK_EQ(s.n_lists, 0);
}

/* Splits a datagram into fragments, feeds them in ORDER (0 in order, 1
 * reversed, 2 shuffled) in one batch or one per batch, and checks the
 * reassembled packet and the fragments that come back. */
static void
roundtrip(bool v6, uint8_t proto, size_t payload, size_t chunk, int how,
          bool one_batch)
{
    struct ipf *ipf = ipf_create();
    /* IPv4 options and an IPv6 hop-by-hop header now and then. */
    int opt_words = payload + 60 < 65535 ? payload % 3 : 0;
    struct frame dg = (v6 ? build_v6(proto, payload, payload % 2)
                       : build_v4(proto, payload, 0x4242, opt_words));
    struct frame frames[MAX_FRAMES];
    size_t n = (v6 ? frag_v6(&dg, chunk, 0xdeadbeef, frames)
                : frag_v4(&dg, chunk, frames));
    size_t order[MAX_FRAMES];
    plx_be16 dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    struct dp_packet_batch b;

    CHECK_GE(n, 2);
    if (!v6 && n > 1) {
        /* Ethernet padding on a short last fragment is ignored. */
        struct frame *last = &frames[n - 1];
        if (last->len < ETH_TOTAL_MIN) {
            last->data = xrealloc(last->data, ETH_TOTAL_MIN);
            memset(last->data + last->len, 0xee, ETH_TOTAL_MIN - last->len);
            last->len = ETH_TOTAL_MIN;
        }
    }
    make_order(order, n, how);

    if (one_batch) {
        batch_of(&b, frames, order, n);
        ipf_preprocess(ipf, &b, dl_type, 5, 1000);
    } else {
        for (size_t i = 0; i < n; i++) {
            batch_of(&b, frames, &order[i], 1);
            ipf_preprocess(ipf, &b, dl_type, 5, 1000 + i);
            CHECK_EQ(b.count, i == n - 1);
        }
    }
    CHECK_EQ(b.count, 1);

    /* The exact datagram, valid and parseable. */
    struct dp_packet *r = b.packets[0];
    CHECK(pkt_is(r, &dg));
    struct flow flow;
    flow_extract(r, &flow);
    CHECK_EQ(flow.nw_frag, 0);
    CHECK_EQ(flow.nw_proto, proto);
    CHECK_EQ(ntohs(flow.tp_src), 1234);
    CHECK_EQ(ntohs(flow.tp_dst), 80);
    CHECK_EQ(r->md.in_port, 1);
    CHECK(l4_csum_ok(r));
    if (!v6) {
        const struct ip_header *ip = dp_packet_l3(r);
        CHECK_EQ(csum(ip, IP_IHL(ip->ip_ihl_ver) * 4), 0);
    }

    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.n_frags, n);
    CHECK_EQ((v6 ? s.v6 : s.v4).n_accepted, n);

    /* Back to the original fragments, byte for byte, in arrival order,
     * with conntrack's verdict. */
    r->md.ct_state = CS_TRACKED | CS_NEW;
    r->md.ct_zone = 5;
    r->md.ct_mark = 77;
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, n);
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(pkt_is(b.packets[i], &frames[order[i]]),
                  "fragment %zu differs", i);
        CHECK_EQ(b.packets[i]->md.ct_state, CS_TRACKED | CS_NEW);
        CHECK_EQ(b.packets[i]->md.ct_zone, 5);
        CHECK_EQ(b.packets[i]->md.ct_mark, 77);
    }
    ipf_get_stats(ipf, &s);
    CHECK_EQ((v6 ? s.v6 : s.v4).n_completed, n);
    check_stats_clean(ipf);

    dp_packet_delete_batch(&b, true);
    for (size_t i = 0; i < n; i++) {
        frame_free(&frames[i]);
    }
    frame_free(&dg);
    ipf_destroy(ipf);
}

TEST(v4_in_order)
{
    for (size_t n = 2; n <= 6; n++) {
        roundtrip(false, IPPROTO_UDP, n * 1200 - 100, 1200, 0, true);
        roundtrip(false, IPPROTO_TCP, n * 1480 - 30, 1480, 0, false);
    }
}

TEST(v4_reversed)
{
    for (size_t n = 2; n <= 6; n++) {
        roundtrip(false, IPPROTO_UDP, n * 1200 - 1000, 1200, 1, true);
        roundtrip(false, IPPROTO_TCP, n * 1480 - 8, 1480, 1, false);
    }
}

TEST(v4_shuffled)
{
    for (int round = 0; round < 20; round++) {
        size_t n = 2 + test_random() % 30;
        roundtrip(false, round % 2 ? IPPROTO_TCP : IPPROTO_UDP,
                  n * 1200 - 1 - test_random() % 1000, 1200, 2,
                  round % 3 != 0);
    }
}

TEST(v4_largest)
{
    /* 65535 bytes of IP in 32 fragments of 2048 (the list maximum). */
    roundtrip(false, IPPROTO_UDP, 65535 - 20 - 8, 2048, 2, true);
}

TEST(v6_in_order)
{
    for (size_t n = 2; n <= 6; n++) {
        roundtrip(true, IPPROTO_UDP, n * 1280 - 100, 1280, 0, true);
        roundtrip(true, IPPROTO_TCP, n * 1448 - 31, 1448, 0, false);
    }
}

TEST(v6_reversed_shuffled)
{
    for (int round = 0; round < 20; round++) {
        size_t n = 2 + test_random() % 30;
        roundtrip(true, round % 2 ? IPPROTO_TCP : IPPROTO_UDP,
                  n * 1280 - 1 - test_random() % 1000, 1280,
                  1 + round % 2, round % 3 != 0);
    }
}

/* Changes the source address and L4 source port of the reassembled
 * packet R as NAT would, with incremental checksum updates. */
static void
fake_nat(struct dp_packet *r, uint8_t proto)
{
    const uint8_t *l3 = dp_packet_l3(r);
    uint8_t *l4 = dp_packet_l4(r);
    plx_be16 *l4_csum = (plx_be16 *) (l4 + l4_csum_ofs(proto));
    plx_be16 *sport = (plx_be16 *) l4;
    plx_be16 new_port = htons(40000);

    if ((l3[0] >> 4) == 4) {
        struct ip_header *ip = dp_packet_l3(r);
        plx_be32 old = get_16aligned_be32(&ip->ip_src);
        plx_be32 new = htonl(0xc0a80a0a);

        ip->ip_csum = recalc_csum32(ip->ip_csum, old, new);
        *l4_csum = recalc_csum32(*l4_csum, old, new);
        put_16aligned_be32(&ip->ip_src, new);
    } else {
        struct ip6_header *ip6 = dp_packet_l3(r);
        struct in6_addr old = get_16aligned_in6(&ip6->ip6_src);
        struct in6_addr new = old;

        new.s6_addr[15] = 0x99;
        new.s6_addr[8] = 0x17;
        *l4_csum = recalc_csum128(*l4_csum, &old, &new);
        put_16aligned_in6(&ip6->ip6_src, &new);
    }
    *l4_csum = recalc_csum16(*l4_csum, *sport, new_port);
    *sport = new_port;
    r->md.ct_state = CS_TRACKED | CS_NEW | CS_SRC_NAT;
}

static void
nat_case(bool v6, uint8_t proto)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = (v6 ? build_v6(proto, 5000, true)
                       : build_v4(proto, 5000, 7, 0));
    struct frame frames[MAX_FRAMES];
    size_t n = v6 ? frag_v6(&dg, 1280, 99, frames) : frag_v4(&dg, 1480,
                                                              frames);
    plx_be16 dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    size_t order[MAX_FRAMES];
    struct dp_packet_batch b;

    make_order(order, n, 2);
    batch_of(&b, frames, order, n);
    ipf_preprocess(ipf, &b, dl_type, 0, 0);
    CHECK_EQ(b.count, 1);
    fake_nat(b.packets[0], proto);
    CHECK(l4_csum_ok(b.packets[0]));
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, n);

    for (size_t i = 0; i < n; i++) {
        struct dp_packet *p = b.packets[i];
        const uint8_t *l3 = dp_packet_l3(p);

        CHECK_EQ(p->md.ct_state, CS_TRACKED | CS_NEW | CS_SRC_NAT);
        CHECK_EQ(dp_packet_size(p), frames[order[i]].len);
        if (v6) {
            CHECK_EQ(l3[8 + 15], 0x99);
            CHECK_EQ(l3[8 + 8], 0x17);
        } else {
            CHECK_EQ(get16(l3 + 12), 0xc0a8);
            CHECK_EQ(get16(l3 + 14), 0x0a0a);
            CHECK_EQ(csum(l3, 20), 0);
        }
    }

    /* Reassembled again (by a fresh ipf, from copies), the datagram has
     * the new port and a valid L4 checksum. */
    struct ipf *ipf2 = ipf_create();
    struct dp_packet_batch b2;
    dp_packet_batch_init(&b2);
    for (size_t i = 0; i < n; i++) {
        struct dp_packet *c = dp_packet_clone(b.packets[i]);
        struct flow flow;
        flow_extract(c, &flow);
        dp_packet_batch_add__(&b2, c);
    }
    ipf_preprocess(ipf2, &b2, dl_type, 0, 0);
    CHECK_EQ(b2.count, 1);
    struct flow flow;
    flow_extract(b2.packets[0], &flow);
    CHECK_EQ(ntohs(flow.tp_src), 40000);
    CHECK_EQ(ntohs(flow.tp_dst), 80);
    CHECK(l4_csum_ok(b2.packets[0]));
    ipf_postprocess(ipf2, &b2);
    CHECK_EQ(b2.count, n);

    dp_packet_delete_batch(&b2, true);
    dp_packet_delete_batch(&b, true);
    for (size_t i = 0; i < n; i++) {
        frame_free(&frames[i]);
    }
    frame_free(&dg);
    ipf_destroy(ipf2);
    ipf_destroy(ipf);
}

TEST(nat_v4_tcp)
{
    nat_case(false, IPPROTO_TCP);
}

TEST(nat_v4_udp)
{
    nat_case(false, IPPROTO_UDP);
}

TEST(nat_v6_tcp)
{
    nat_case(true, IPPROTO_TCP);
}

TEST(nat_v6_udp)
{
    nat_case(true, IPPROTO_UDP);
}

/* Runs one frame through preprocess and returns what stayed (or NULL). */
static struct dp_packet *
feed(struct ipf *ipf, const struct frame *f, bool v6, long long now)
{
    struct dp_packet_batch b;

    batch_of(&b, f, NULL, 1);
    ipf_preprocess(ipf, &b, htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP), 0,
                   now);
    CHECK_LE(b.count, 1);
    return b.count ? b.packets[0] : NULL;
}

static void
free_frames(struct frame *frames, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        frame_free(&frames[i]);
    }
}

TEST(non_fragments_untouched)
{
    struct ipf *ipf = ipf_create();
    struct frame f[5];
    struct dp_packet_batch b;

    f[0] = build_v4(IPPROTO_UDP, 3000, 1, 0);         /* Whole. */
    f[1] = build_v6(IPPROTO_TCP, 100, false);
    /* An IPv6 atomic fragment: offset 0, M clear. */
    struct frame dg = build_v6(IPPROTO_UDP, 100, true);
    CHECK_EQ(frag_v6(&dg, 4096, 5, &f[2]), 1);
    frame_free(&dg);
    f[3].len = 42;                                     /* ARP. */
    f[3].data = xzalloc(42);
    put_eth(f[3].data, ETH_TYPE_ARP);
    f[4].len = 10;                                     /* Runt. */
    f[4].data = xzalloc(10);

    for (int v6 = 0; v6 < 2; v6++) {
        batch_of(&b, f, NULL, 5);
        struct dp_packet *before[5];
        memcpy(before, b.packets, sizeof before);
        ipf_preprocess(ipf, &b, htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP), 0,
                       0);
        CHECK_EQ(b.count, 5);
        for (int i = 0; i < 5; i++) {
            CHECK(b.packets[i] == before[i]);
            CHECK(pkt_is(b.packets[i], &f[i]));
            CHECK_EQ(b.packets[i]->md.ct_state, 0);
        }
        ipf_postprocess(ipf, &b);
        CHECK_EQ(b.count, 5);
        dp_packet_delete_batch(&b, true);
    }

    /* IPv6 fragments in an IPv4 ct action are not ours, and back. */
    struct frame frames[MAX_FRAMES];
    dg = build_v6(IPPROTO_UDP, 3000, false);
    size_t n = frag_v6(&dg, 1280, 5, frames);
    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, n);
    dp_packet_delete_batch(&b, true);
    free_frames(frames, n);
    frame_free(&dg);

    /* Disabled: fragments pass untouched. */
    dg = build_v4(IPPROTO_UDP, 3000, 1, 0);
    n = frag_v4(&dg, 1200, frames);
    ipf_set_enabled(ipf, false, false);
    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, n);
    for (size_t i = 0; i < n; i++) {
        CHECK(pkt_is(b.packets[i], &frames[i]));
        CHECK_EQ(b.packets[i]->md.ct_state, 0);
    }
    dp_packet_delete_batch(&b, true);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK(!s.v4.enabled);
    CHECK(s.v6.enabled);
    CHECK_EQ(s.v4.n_accepted + s.v6.n_accepted, 0);
    free_frames(frames, n);
    frame_free(&dg);

    free_frames(f, 5);
    ipf_destroy(ipf);
}

TEST(overlap_discards_datagram)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 4000, 9, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 1200, frames);
    struct frame bad[MAX_FRAMES];
    struct dp_packet *p;

    /* 1192 bytes at offset 1192: overlaps the first fragment's end. */
    struct frame dg2 = build_v4(IPPROTO_UDP, 4000, 9, 0);
    size_t n2 = frag_v4(&dg2, 1192, bad);   /* Only the first is used. */
    CHECK_GE(n2, 2);
    uint8_t *ip = bad[0].data + ETH_HEADER_LEN;
    put16(ip + 6, IP_MORE_FRAGMENTS | (1192 / 8));
    memset(ip + 10, 0, 2);
    plx_be16 c = csum(ip, 20);
    memcpy(ip + 10, &c, 2);

    CHECK(!feed(ipf, &frames[0], false, 0));
    p = feed(ipf, &bad[0], false, 0);
    CHECK(p && pkt_is(p, &bad[0]));
    CHECK_EQ(p->md.ct_state, CS_INVALID);
    dp_packet_delete(p);

    /* The rest of the datagram is refused too. */
    for (size_t i = 1; i < n; i++) {
        p = feed(ipf, &frames[i], false, 0);
        CHECK(p && pkt_is(p, &frames[i]));
        CHECK_EQ(p->md.ct_state, CS_INVALID);
        dp_packet_delete(p);
    }

    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_overlap, 2);
    CHECK_EQ(s.v4.n_invalid, n - 1);
    CHECK_EQ(s.n_frags, 0);

    /* Once the discarded datagram has timed out, it can come again. */
    CHECK_EQ(ipf_run(ipf, IPF_TIMEOUT_MS + 1), LLONG_MAX);
    struct dp_packet_batch b;
    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, IPF_TIMEOUT_MS + 2);
    CHECK_EQ(b.count, 1);
    CHECK(pkt_is(b.packets[0], &dg));
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, n);
    dp_packet_delete_batch(&b, true);

    free_frames(frames, n);
    for (size_t i = 0; i < n2; i++) {
        frame_free(&bad[i]);
    }
    frame_free(&dg);
    frame_free(&dg2);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}

TEST(duplicate_refused_list_kept)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v6(IPPROTO_UDP, 3000, false);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v6(&dg, 1280, 1, frames);
    struct dp_packet *p;

    CHECK(!feed(ipf, &frames[0], true, 0));
    p = feed(ipf, &frames[0], true, 0);
    CHECK(p && pkt_is(p, &frames[0]) && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);

    struct dp_packet_batch b;
    batch_of(&b, frames + 1, NULL, n - 1);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IPV6), 0, 0);
    CHECK_EQ(b.count, 1);
    CHECK(pkt_is(b.packets[0], &dg));

    /* A duplicate while the datagram is out in conntrack is refused. */
    p = feed(ipf, &frames[1], true, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);

    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, n);
    for (size_t i = 0; i < n; i++) {
        CHECK(pkt_is(b.packets[i], &frames[i]));
    }
    dp_packet_delete_batch(&b, true);

    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v6.n_overlap, 2);
    CHECK_EQ(s.v6.n_accepted, n);
    CHECK_EQ(s.v6.n_completed, n);
    free_frames(frames, n);
    frame_free(&dg);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}

TEST(too_small)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 1500, 3, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 600, frames);
    struct dp_packet_batch b;

    CHECK_EQ(n, 3);
    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    /* The first two are too small; the last is held. */
    CHECK_EQ(b.count, 2);
    for (size_t i = 0; i < 2; i++) {
        CHECK(pkt_is(b.packets[i], &frames[i]));
        CHECK_EQ(b.packets[i]->md.ct_state, CS_INVALID);
    }
    dp_packet_delete_batch(&b, true);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_too_small, 2);
    CHECK_EQ(s.n_frags, 1);

    /* With a smaller minimum they are accepted. */
    CHECK_EQ(ipf_set_min_frag(ipf, false, 399), EINVAL);
    CHECK_EQ(ipf_set_min_frag(ipf, false, 65536), EINVAL);
    CHECK_EQ(ipf_set_min_frag(ipf, false, 600), 0);
    batch_of(&b, frames, NULL, 2);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 1);
    CHECK(pkt_is(b.packets[0], &dg));
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, 3);
    CHECK(pkt_is(b.packets[0], &frames[2]));
    dp_packet_delete_batch(&b, true);
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.min_frag, 600);
    CHECK_EQ(s.v6.min_frag, IPF_V6_MIN_FRAG_DEFAULT);

    /* IPv6: 1280 by default. */
    struct frame dg6 = build_v6(IPPROTO_UDP, 3000, false);
    struct frame f6[MAX_FRAMES];
    size_t n6 = frag_v6(&dg6, 1024, 8, f6);
    struct dp_packet *p = feed(ipf, &f6[0], true, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v6.n_too_small, 1);

    free_frames(f6, n6);
    frame_free(&dg6);
    free_frames(frames, n);
    frame_free(&dg);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}

TEST(too_many_fragments)
{
    struct ipf *ipf = ipf_create();
    struct frame frames[MAX_FRAMES];
    struct dp_packet_batch b;

    CHECK_EQ(ipf_set_min_frag(ipf, false, 400), 0);
    struct frame dg = build_v4(IPPROTO_UDP, 33 * 384 - 8, 3, 0);
    size_t n = frag_v4(&dg, 384, frames);
    CHECK_EQ(n, 33);

    batch_of(&b, frames, NULL, 32);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 0);
    batch_of(&b, frames + 32, NULL, 1);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 1);
    CHECK(pkt_is(b.packets[0], &frames[32]));
    CHECK_EQ(b.packets[0]->md.ct_state, CS_INVALID);
    dp_packet_delete_batch(&b, true);

    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_accepted, 32);
    CHECK_EQ(s.v4.n_purged, 32);
    CHECK_EQ(s.v4.n_invalid, 1);
    CHECK_EQ(s.n_frags, 0);

    free_frames(frames, n);
    frame_free(&dg);
    ipf_run(ipf, LLONG_MAX / 2);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}

TEST(max_frags)
{
    struct ipf *ipf = ipf_create();
    struct frame frames[3][MAX_FRAMES];
    struct frame dg[3];
    size_t n[3];

    CHECK_EQ(ipf_set_max_frags(ipf, IPF_MAX_FRAGS_UBOUND + 1), EINVAL);
    CHECK_EQ(ipf_set_max_frags(ipf, 2), 0);
    for (int i = 0; i < 3; i++) {
        dg[i] = build_v4(IPPROTO_UDP, 2000, 100 + i, 0);
        n[i] = frag_v4(&dg[i], 1200, frames[i]);
        struct dp_packet *p = feed(ipf, &frames[i][0], false, 0);
        if (i < 2) {
            CHECK(!p);
        } else {
            CHECK(p && p->md.ct_state == CS_INVALID);
            dp_packet_delete(p);
        }
    }
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.n_frags, 2);
    CHECK_EQ(s.max_frags, 2);
    CHECK_EQ(s.v4.n_full, 1);

    /* Destroying with fragments held frees them (ASan checks). */
    ipf_destroy(ipf);
    for (int i = 0; i < 3; i++) {
        free_frames(frames[i], n[i]);
        frame_free(&dg[i]);
    }
}

/* Rewrites a 20-byte IPv4 header's checksum. */
static void
fix_ip_csum(struct frame *f)
{
    uint8_t *ip = f->data + ETH_HEADER_LEN;
    memset(ip + 10, 0, 2);
    plx_be16 c = csum(ip, (ip[0] & 15) * 4);
    memcpy(ip + 10, &c, 2);
}

TEST(malformed)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 3000, 3, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 1200, frames);
    struct frame *f = &frames[0];
    uint8_t *ip = f->data + ETH_HEADER_LEN;
    struct dp_packet *p;
    int n_bad = 0;

    /* Total length beyond the frame (truncated). */
    put16(ip + 2, 1300);
    fix_ip_csum(f);
    p = feed(ipf, f, false, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    n_bad++;
    put16(ip + 2, 1220);

    /* Bad header checksum. */
    ip[10] ^= 1;
    p = feed(ipf, f, false, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    n_bad++;

    /* IHL below 5. */
    ip[0] = 0x44;
    fix_ip_csum(f);
    p = feed(ipf, f, false, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    n_bad++;
    ip[0] = 0x45;
    fix_ip_csum(f);

    /* Data not a multiple of 8 in a non-last fragment. */
    f->len -= 3;
    put16(ip + 2, 1217);
    fix_ip_csum(f);
    p = feed(ipf, f, false, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    n_bad++;
    f->len += 3;
    put16(ip + 2, 1220);
    fix_ip_csum(f);

    /* Ending beyond 65535 ("ping of death"). */
    put16(ip + 6, IP_MORE_FRAGMENTS | 8100);
    fix_ip_csum(f);
    p = feed(ipf, f, false, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    n_bad++;
    put16(ip + 6, IP_MORE_FRAGMENTS);
    fix_ip_csum(f);

    /* A last fragment that would make the datagram longer than 65535 with
     * the first fragment's options: dropped at reassembly. */
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_invalid, n_bad);
    CHECK_EQ(s.n_frags, 0);

    /* IPv6: payload length beyond the frame, and a fragment header cut
     * short. */
    struct frame dg6 = build_v6(IPPROTO_UDP, 3000, true);
    struct frame f6[MAX_FRAMES];
    size_t n6 = frag_v6(&dg6, 1280, 8, f6);
    uint8_t *ip6 = f6[0].data + ETH_HEADER_LEN;
    put16(ip6 + 4, get16(ip6 + 4) + 1);
    p = feed(ipf, &f6[0], true, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    put16(ip6 + 4, get16(ip6 + 4) - 1);

    struct frame cut = { xmalloc(ETH_HEADER_LEN + 40 + 8 + 4),
                         ETH_HEADER_LEN + 40 + 8 + 4 };
    memcpy(cut.data, f6[0].data, cut.len);
    put16(cut.data + ETH_HEADER_LEN + 4, 12);
    p = feed(ipf, &cut, true, 0);
    CHECK(p && p->md.ct_state == CS_INVALID);
    dp_packet_delete(p);
    frame_free(&cut);

    /* A hop-by-hop header running past the packet: not a fragment we can
     * see, so untouched. */
    ip6[IPV6_HEADER_LEN + 1] = 200;
    p = feed(ipf, &f6[0], true, 0);
    CHECK(p && p->md.ct_state == 0);
    dp_packet_delete(p);

    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v6.n_invalid, 2);

    free_frames(f6, n6);
    frame_free(&dg6);
    free_frames(frames, n);
    frame_free(&dg);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}

TEST(too_long_at_reassembly)
{
    struct ipf *ipf = ipf_create();
    /* 65535 - 20 bytes of data, but the first fragment has 40 bytes of
     * options: 65555 bytes of IP. */
    struct frame dg = build_v4(IPPROTO_UDP, 65535 - 20 - 8, 3, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 2048, frames);
    struct frame *f0 = &frames[0];
    struct frame big = { xmalloc(f0->len + 40), f0->len + 40 };

    memcpy(big.data, f0->data, ETH_HEADER_LEN + 20);
    memset(big.data + ETH_HEADER_LEN + 20, 1, 40);
    memcpy(big.data + ETH_HEADER_LEN + 60, f0->data + ETH_HEADER_LEN + 20,
           f0->len - ETH_HEADER_LEN - 20);
    big.data[ETH_HEADER_LEN] = 0x4f;
    put16(big.data + ETH_HEADER_LEN + 2, big.len - ETH_HEADER_LEN);
    fix_ip_csum(&big);
    frame_free(f0);
    *f0 = big;

    struct dp_packet_batch b;
    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 0);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_purged, n);
    CHECK_EQ(s.n_frags, 0);

    free_frames(frames, n);
    frame_free(&dg);
    ipf_destroy(ipf);
}

TEST(timeout)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 3000, 3, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 1200, frames);
    struct frame dg6 = build_v6(IPPROTO_UDP, 3000, false);
    struct frame f6[MAX_FRAMES];
    size_t n6 = frag_v6(&dg6, 1280, 8, f6);

    CHECK_EQ(ipf_run(ipf, 0), LLONG_MAX);
    CHECK(!feed(ipf, &frames[0], false, 1000));
    CHECK(!feed(ipf, &frames[1], false, 1000));
    CHECK(!feed(ipf, &f6[1], true, 2000));
    CHECK_EQ(ipf_run(ipf, 1000 + IPF_TIMEOUT_MS - 1),
             1000 + IPF_TIMEOUT_MS);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.n_frags, 3);

    CHECK_EQ(ipf_run(ipf, 1000 + IPF_TIMEOUT_MS), 2000 + IPF_TIMEOUT_MS);
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.n_frags, 1);
    CHECK_EQ(s.v4.n_expired, 2);

    /* The last fragment, too late, starts a new list. */
    CHECK(!feed(ipf, &frames[n - 1], false, 1000 + IPF_TIMEOUT_MS));

    /* A later preprocess expires lists by itself too. */
    CHECK(!feed(ipf, &frames[0], false, 1000 + 2 * IPF_TIMEOUT_MS));
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_expired, 3);
    CHECK_EQ(s.v6.n_expired, 1);
    CHECK_EQ(s.n_frags, 1);

    CHECK_EQ(ipf_run(ipf, LLONG_MAX / 2), LLONG_MAX);
    check_stats_clean(ipf);
    free_frames(frames, n);
    free_frames(f6, n6);
    frame_free(&dg);
    frame_free(&dg6);
    ipf_destroy(ipf);
}

TEST(reassembled_never_returned)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 3000, 3, 0);
    struct frame frames[MAX_FRAMES];
    size_t n = frag_v4(&dg, 1200, frames);
    struct dp_packet_batch b;

    batch_of(&b, frames, NULL, n);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 1);
    dp_packet_delete_batch(&b, true);       /* The caller lost it. */

    /* A new packet, perhaps at the same address, is not mistaken for
     * it. */
    struct frame other = build_v4(IPPROTO_UDP, 100, 3, 0);
    batch_of(&b, &other, NULL, 1);
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, 1);
    CHECK(pkt_is(b.packets[0], &other));
    dp_packet_delete_batch(&b, true);

    ipf_run(ipf, IPF_TIMEOUT_MS + 1);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_purged, n);
    check_stats_clean(ipf);

    frame_free(&other);
    free_frames(frames, n);
    frame_free(&dg);
    ipf_destroy(ipf);
}

TEST(batch_room)
{
    struct ipf *ipf = ipf_create();
    struct frame dg[16], frames[16][MAX_FRAMES], plain;
    struct dp_packet_batch b;

    plain = build_v4(IPPROTO_TCP, 10, 1, 0);
    for (int i = 0; i < 16; i++) {
        dg[i] = build_v4(IPPROTO_UDP, 2000, 500 + i, 0);
        CHECK_EQ(frag_v4(&dg[i], 1200, frames[i]), 2);
    }

    /* 16 first fragments: all held. */
    dp_packet_batch_init(&b);
    for (int i = 0; i < 16; i++) {
        dp_packet_batch_add__(&b, pkt_from(&frames[i][0]));
    }
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 0);

    /* 16 last fragments and 16 other packets: 16 datagrams would need 32
     * slots besides the 16 others, so only some go now. */
    dp_packet_batch_init(&b);
    for (int i = 0; i < 16; i++) {
        dp_packet_batch_add__(&b, pkt_from(&frames[i][1]));
        dp_packet_batch_add__(&b, pkt_from(&plain));
    }
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    size_t n_reass = b.count - 16;
    CHECK_GT(n_reass, 0);
    CHECK_LE(b.count + n_reass, NETDEV_MAX_BURST);
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, 16 + 2 * n_reass);
    dp_packet_delete_batch(&b, true);

    /* A batch in another zone does not get them; the next one in the
     * right context does. */
    batch_of(&b, &plain, NULL, 1);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 1, 0);
    CHECK_EQ(b.count, 1);
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, 1 + 16 - n_reass);
    ipf_postprocess(ipf, &b);
    CHECK_EQ(b.count, 1 + 2 * (16 - n_reass));
    dp_packet_delete_batch(&b, true);

    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_completed, 32);
    check_stats_clean(ipf);

    for (int i = 0; i < 16; i++) {
        free_frames(frames[i], 2);
        frame_free(&dg[i]);
    }
    frame_free(&plain);
    ipf_destroy(ipf);
}

TEST(pending_freed)
{
    struct ipf *ipf = ipf_create();
    struct frame dg = build_v4(IPPROTO_UDP, 2000, 1, 0);
    struct frame frames[MAX_FRAMES], plain = build_v4(IPPROTO_TCP, 10, 1, 0);
    struct dp_packet_batch b;

    CHECK_EQ(frag_v4(&dg, 1200, frames), 2);
    CHECK(!feed(ipf, &frames[0], false, 0));
    dp_packet_batch_init(&b);
    dp_packet_batch_add__(&b, pkt_from(&frames[1]));
    for (int i = 1; i < NETDEV_MAX_BURST; i++) {
        dp_packet_batch_add__(&b, pkt_from(&plain));
    }
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 0, 0);
    CHECK_EQ(b.count, NETDEV_MAX_BURST - 1);
    dp_packet_delete_batch(&b, true);

    /* Never picked up: expires; or freed by ipf_destroy(). */
    ipf_run(ipf, IPF_TIMEOUT_MS);
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_expired, 2);
    check_stats_clean(ipf);

    CHECK(!feed(ipf, &frames[0], false, 0));
    batch_of(&b, &frames[1], NULL, 1);
    for (int i = 1; i < NETDEV_MAX_BURST; i++) {
        dp_packet_batch_add__(&b, pkt_from(&plain));
    }
    ipf_preprocess(ipf, &b, htons(ETH_TYPE_IP), 7, 0);
    dp_packet_delete_batch(&b, true);
    ipf_destroy(ipf);

    free_frames(frames, 2);
    frame_free(&dg);
    frame_free(&plain);
}

struct thread_arg {
    struct ipf *ipf;
    int id;
};

static void *
thread_main(void *arg_)
{
    struct thread_arg *arg = arg_;

    for (int round = 0; round < 200; round++) {
        struct frame dg = build_v4(IPPROTO_UDP, 4000,
                                   arg->id * 1000 + round, 0);
        struct frame frames[MAX_FRAMES];
        size_t n = frag_v4(&dg, 1200, frames);
        struct dp_packet_batch b;

        batch_of(&b, frames, NULL, n);
        ipf_preprocess(arg->ipf, &b, htons(ETH_TYPE_IP), 0, round);
        if (b.count != 1 || !pkt_is(b.packets[0], &dg)) {
            abort();
        }
        ipf_postprocess(arg->ipf, &b);
        if (b.count != n) {
            abort();
        }
        for (size_t i = 0; i < n; i++) {
            if (!pkt_is(b.packets[i], &frames[i])) {
                abort();
            }
        }
        dp_packet_delete_batch(&b, true);
        for (size_t i = 0; i < n; i++) {
            frame_free(&frames[i]);
        }
        frame_free(&dg);
    }
    return NULL;
}

TEST(threads)
{
    struct ipf *ipf = ipf_create();
    struct thread_arg args[4];
    pthread_t threads[4];

    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg) { ipf, i };
        pthread_create(&threads[i], NULL, thread_main, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    struct ipf_stats s;
    ipf_get_stats(ipf, &s);
    CHECK_EQ(s.v4.n_completed, 4 * 200 * 4);
    check_stats_clean(ipf);
    ipf_destroy(ipf);
}
