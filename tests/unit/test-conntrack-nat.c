/* Tests for datapath/conntrack-nat: tuple selection (ranges, classes,
 * exhaustion, uniqueness, persistence) and packet rewriting, checked
 * against packets built independently with from-scratch checksums. */
#include <config.h>
#include "datapath/conntrack-nat.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "hmap.h"
#include "packets.h"
#include "test.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Keys. */

static union ct_addr
A4(const char *s)
{
    union ct_addr a;
    memset(&a, 0, sizeof a);
    CHECK(inet_pton(AF_INET, s, &a.ipv4) == 1);
    return a;
}

static union ct_addr
A6(const char *s)
{
    union ct_addr a;
    memset(&a, 0, sizeof a);
    CHECK(inet_pton(AF_INET6, s, &a.ipv6) == 1);
    return a;
}

static bool
is_icmp(bool v6, uint8_t proto)
{
    return proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

/* For ICMP, SPORT is the echo id (and DPORT is ignored). */
static struct ct_key
mkkey(bool v6, uint8_t proto, union ct_addr src, uint16_t sport,
      union ct_addr dst, uint16_t dport)
{
    struct ct_key k;

    memset(&k, 0, sizeof k);
    k.dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    k.nw_proto = proto;
    k.src.addr = src;
    k.dst.addr = dst;
    if (is_icmp(v6, proto)) {
        k.icmp_type = v6 ? ICMP6_ECHO_REQUEST : ICMP4_ECHO_REQUEST;
        dport = sport;
    }
    k.src.port = htons(sport);
    k.dst.port = htons(dport);
    return k;
}

static struct ct_key
reverse(const struct ct_key *k)
{
    struct ct_key r = *k;

    r.src = k->dst;
    r.dst = k->src;
    if (is_icmp(k->dl_type == htons(ETH_TYPE_IPV6), k->nw_proto)) {
        r.icmp_type = (k->icmp_type == ICMP4_ECHO_REQUEST ? ICMP4_ECHO_REPLY
                       : k->icmp_type == ICMP6_ECHO_REQUEST
                       ? ICMP6_ECHO_REPLY : k->icmp_type);
    }
    return r;
}

static bool
ep_eq(const struct ct_endpoint *a, const struct ct_endpoint *b)
{
    return !memcmp(&a->addr, &b->addr, sizeof a->addr) && a->port == b->port;
}

static bool
key_eq(const struct ct_key *a, const struct ct_key *b)
{
    return (ep_eq(&a->src, &b->src) && ep_eq(&a->dst, &b->dst)
            && a->dl_type == b->dl_type && a->zone == b->zone
            && a->nw_proto == b->nw_proto && a->icmp_type == b->icmp_type
            && a->icmp_code == b->icmp_code);
}

static uint32_t
key_hash(const struct ct_key *k)
{
    uint32_t h = hash_bytes(&k->src.addr, sizeof k->src.addr, 0);
    h = hash_bytes(&k->dst.addr, sizeof k->dst.addr, h);
    h = hash_add(h, (uint32_t) k->src.port << 16 | k->dst.port);
    h = hash_add(h, (uint32_t) k->nw_proto << 16 | k->zone);
    return hash_finish(h, 0);
}

/* A set of reply tuples, as conntrack's table would hold them. */
struct tuple_set {
    struct hmap map;
    size_t n_calls;
};

struct tuple_node {
    struct hmap_node node;
    struct ct_key key;
};

static void
set_init(struct tuple_set *s)
{
    hmap_init(&s->map);
    s->n_calls = 0;
}

static bool
set_contains(const struct tuple_set *s, const struct ct_key *k)
{
    struct tuple_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, key_hash(k), &s->map) {
        if (key_eq(&n->key, k)) {
            return true;
        }
    }
    return false;
}

static void
set_add(struct tuple_set *s, const struct ct_key *k)
{
    struct tuple_node *n = xmalloc(sizeof *n);
    n->key = *k;
    hmap_insert(&s->map, &n->node, key_hash(k));
}

static void
set_destroy(struct tuple_set *s)
{
    struct tuple_node *n;

    HMAP_FOR_EACH_POP (n, node, &s->map) {
        free(n);
    }
    hmap_destroy(&s->map);
}

static bool
in_set(const struct ct_key *k, void *s_)
{
    struct tuple_set *s = s_;
    s->n_calls++;
    return set_contains(s, k);
}

static bool
always_in_use(const struct ct_key *k PLX_UNUSED, void *n_)
{
    size_t *n = n_;
    ++*n;
    return true;
}

static struct ct_nat_action
mknat(uint16_t flags, union ct_addr min, union ct_addr max,
      uint16_t min_port, uint16_t max_port)
{
    struct ct_nat_action nat;

    memset(&nat, 0, sizeof nat);
    nat.flags = flags;
    nat.min_addr = min;
    nat.max_addr = max;
    nat.min_port = min_port;
    nat.max_port = max_port;
    return nat;
}

/* Selects for ORIG and adds the result to S; returns false if none. */
static bool
select_into(const struct ct_nat_action *nat, const struct ct_key *orig,
            struct tuple_set *s, struct ct_key *reply)
{
    *reply = reverse(orig);
    if (!ct_nat_select(nat, orig, reply, 42, in_set, s)) {
        return false;
    }
    CHECK(!set_contains(s, reply));
    set_add(s, reply);
    return true;
}

/* ------------------------------------------------------------------ */
/* Selection. */

TEST(select_snat_addr_range_keeps_port)
{
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR,
                                     A4("10.0.0.1"), A4("10.0.0.3"), 0, 0);
    struct ct_key orig = mkkey(false, IPPROTO_TCP, A4("192.168.1.5"), 40000,
                               A4("8.8.8.8"), 80);
    struct tuple_set s;
    struct ct_key reply;

    set_init(&s);
    CHECK(select_into(&nat, &orig, &s, &reply));
    uint32_t a = ntohl(reply.dst.addr.ipv4);
    CHECK(a >= 0x0a000001 && a <= 0x0a000003);
    CHECK_EQ(ntohs(reply.dst.port), 40000);
    CHECK(ep_eq(&reply.src, &orig.dst));
    CHECK_EQ(ct_nat_applied(&orig, &reply), CT_NAT_SRC);

    /* The same tuple again (a different zone would be a different
     * connection; here the tuple is taken): the port or address must
     * move. */
    struct ct_key reply2;
    CHECK(select_into(&nat, &orig, &s, &reply2));
    CHECK(!key_eq(&reply, &reply2));
    set_destroy(&s);
}

TEST(select_port_classes)
{
    static const struct {
        uint16_t port, min, max;
    } cases[] = {
        { 80, 1, 511 }, { 0, 1, 511 }, { 600, 512, 1023 },
        { 1023, 512, 1023 }, { 5000, 1024, 65535 }, { 65535, 1024, 65535 },
    };
    struct ct_nat_action nat = mknat(CT_NAT_SRC, A4("0.0.0.0"),
                                     A4("0.0.0.0"), 0, 0);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ct_key orig = mkkey(false, IPPROTO_UDP, A4("10.1.1.1"),
                                   cases[i].port, A4("10.2.2.2"), 53);
        struct tuple_set s;
        struct ct_key reply;

        set_init(&s);
        /* Free: the original port stays, and so does the address (no
         * address range). */
        CHECK(select_into(&nat, &orig, &s, &reply));
        CHECK_EQ(ntohs(reply.dst.port), cases[i].port);
        CHECK_EQ(reply.dst.addr.ipv4, orig.src.addr.ipv4);
        /* Taken: another port of the class. */
        for (int j = 0; j < 20; j++) {
            CHECK(select_into(&nat, &orig, &s, &reply));
            CHECK_EQ(reply.dst.addr.ipv4, orig.src.addr.ipv4);
            CHECK_GE(ntohs(reply.dst.port), cases[i].min);
            CHECK_LE(ntohs(reply.dst.port), cases[i].max);
            CHECK(ep_eq(&reply.src, &orig.dst));
        }
        set_destroy(&s);
    }
}

TEST(select_port_range_and_exhaustion)
{
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR
                                     | CT_NAT_RANGE_PORT,
                                     A4("10.0.0.9"), A4("10.0.0.8"),
                                     2002, 2000);   /* Both reversed. */
    struct tuple_set s;
    struct ct_key reply;

    set_init(&s);
    for (int i = 0; i < 6; i++) {
        struct ct_key orig = mkkey(false, IPPROTO_TCP, A4("192.168.0.1"),
                                   30000 + i, A4("1.1.1.1"), 443);
        CHECK(select_into(&nat, &orig, &s, &reply));
        uint32_t a = ntohl(reply.dst.addr.ipv4);
        CHECK(a == 0x0a000008 || a == 0x0a000009);
        CHECK_GE(ntohs(reply.dst.port), 2000);
        CHECK_LE(ntohs(reply.dst.port), 2002);
    }
    CHECK_EQ(hmap_count(&s.map), 6);

    /* All 6 taken: false, and *REPLY untouched. */
    struct ct_key orig = mkkey(false, IPPROTO_TCP, A4("192.168.0.1"), 31000,
                               A4("1.1.1.1"), 443);
    struct ct_key before = reverse(&orig);
    reply = before;
    CHECK(!ct_nat_select(&nat, &orig, &reply, 42, in_set, &s));
    CHECK(key_eq(&reply, &before));
    set_destroy(&s);
}

static void
check_unique_selections(uint16_t extra_flags)
{
    /* 4 addresses x 256 ports = 1024 tuples for 1000 connections. */
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR
                                     | CT_NAT_RANGE_PORT | extra_flags,
                                     A4("10.0.0.1"), A4("10.0.0.4"),
                                     5000, 5255);
    struct tuple_set s;
    struct ct_key reply;

    set_init(&s);
    for (int i = 0; i < 1000; i++) {
        struct ct_key orig = mkkey(false, IPPROTO_UDP,
                                   A4(i % 2 ? "192.168.0.1" : "192.168.0.2"),
                                   1000 + i / 2, A4("8.8.4.4"), 53);
        CHECK_MSG(select_into(&nat, &orig, &s, &reply),
                  "selection %d failed", i);
        uint32_t a = ntohl(reply.dst.addr.ipv4);
        CHECK(a >= 0x0a000001 && a <= 0x0a000004);
        CHECK_GE(ntohs(reply.dst.port), 5000);
        CHECK_LE(ntohs(reply.dst.port), 5255);
    }
    CHECK_EQ(hmap_count(&s.map), 1000);     /* select_into checks each. */
    set_destroy(&s);
}

TEST(select_1000_unique_hash)
{
    check_unique_selections(0);
    check_unique_selections(CT_NAT_HASH);
}

TEST(select_1000_unique_random)
{
    check_unique_selections(CT_NAT_RANDOM);
}

TEST(select_1000_unique_persistent)
{
    check_unique_selections(CT_NAT_PERSISTENT);
}

TEST(select_persistent_stable)
{
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR
                                     | CT_NAT_PERSISTENT,
                                     A4("10.0.0.0"), A4("10.0.0.255"), 0, 0);
    bool seen[256] = { false };
    int n_seen = 0;

    for (int src = 1; src <= 50; src++) {
        char buf[32];
        snprintf(buf, sizeof buf, "192.168.7.%d", src);
        union ct_addr first = { 0 };
        struct tuple_set s;

        set_init(&s);
        for (int i = 0; i < 20; i++) {
            struct ct_key orig = mkkey(false, IPPROTO_TCP, A4(buf),
                                       20000 + i, A4(i % 2 ? "1.2.3.4"
                                                     : "5.6.7.8"), 80 + i);
            struct ct_key reply;
            CHECK(select_into(&nat, &orig, &s, &reply));
            if (!i) {
                first = reply.dst.addr;
            }
            CHECK_EQ(reply.dst.addr.ipv4, first.ipv4);
        }
        uint8_t last = ntohl(first.ipv4) & 0xff;
        if (!seen[last]) {
            seen[last] = true;
            n_seen++;
        }
        set_destroy(&s);
    }
    /* 50 sources over 256 addresses: spread, not all on one. */
    CHECK_GE(n_seen, 10);
}

TEST(select_dnat)
{
    struct ct_nat_action nat = mknat(CT_NAT_DST | CT_NAT_RANGE_ADDR,
                                     A4("172.16.0.10"), A4("172.16.0.11"),
                                     0, 0);
    struct ct_key orig = mkkey(false, IPPROTO_TCP, A4("192.168.1.5"), 40000,
                               A4("10.10.10.10"), 80);
    struct tuple_set s;
    struct ct_key reply;

    set_init(&s);
    CHECK(select_into(&nat, &orig, &s, &reply));
    uint32_t a = ntohl(reply.src.addr.ipv4);
    CHECK(a == 0xac10000a || a == 0xac10000b);
    CHECK_EQ(ntohs(reply.src.port), 80);
    CHECK(ep_eq(&reply.dst, &orig.src));
    CHECK_EQ(ct_nat_applied(&orig, &reply), CT_NAT_DST);

    /* The other server next. */
    struct ct_key reply2;
    CHECK(select_into(&nat, &orig, &s, &reply2));
    CHECK_NE(reply2.src.addr.ipv4, reply.src.addr.ipv4);
    CHECK_EQ(ntohs(reply2.src.port), 80);
    CHECK(ep_eq(&reply2.dst, &orig.src));

    /* Both servers taken for this source port: the source port moves
     * within its class, and the keys show both translations. */
    struct ct_key reply3;
    CHECK(select_into(&nat, &orig, &s, &reply3));
    CHECK_EQ(ntohs(reply3.src.port), 80);
    CHECK_NE(ntohs(reply3.dst.port), 40000);
    CHECK_GE(ntohs(reply3.dst.port), 1024);
    CHECK_EQ(reply3.dst.addr.ipv4, orig.src.addr.ipv4);
    CHECK_EQ(ct_nat_applied(&orig, &reply3), CT_NAT_SRC | CT_NAT_DST);

    /* With a port range. */
    nat = mknat(CT_NAT_DST | CT_NAT_RANGE_ADDR | CT_NAT_RANGE_PORT,
                A4("172.16.0.10"), A4("172.16.0.10"), 8080, 8081);
    CHECK(select_into(&nat, &orig, &s, &reply));
    CHECK_EQ(ntohl(reply.src.addr.ipv4), 0xac10000a);
    CHECK(ntohs(reply.src.port) == 8080 || ntohs(reply.src.port) == 8081);
    set_destroy(&s);
}

TEST(select_icmp_id)
{
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR
                                     | CT_NAT_RANGE_PORT,
                                     A4("10.0.0.1"), A4("10.0.0.1"),
                                     7, 7);     /* Ignored for ICMP. */
    struct ct_key orig = mkkey(false, IPPROTO_ICMP, A4("192.168.1.5"),
                               0x1234, A4("8.8.8.8"), 0);
    struct tuple_set s;
    struct ct_key reply;

    set_init(&s);
    CHECK(select_into(&nat, &orig, &s, &reply));
    CHECK_EQ(ntohl(reply.dst.addr.ipv4), 0x0a000001);
    CHECK_EQ(ntohs(reply.dst.port), 0x1234);
    CHECK_EQ(ntohs(reply.src.port), 0x1234);
    for (int i = 0; i < 50; i++) {
        CHECK(select_into(&nat, &orig, &s, &reply));
        CHECK_EQ(reply.src.port, reply.dst.port);
        CHECK_NE(ntohs(reply.dst.port), 0x1234);
    }
    set_destroy(&s);
}

TEST(select_ipv6_and_no_ports)
{
    /* 2001:db8::ff..2001:db8::101 crosses a byte boundary: 3 addresses.
     * GRE has no ports: address only. */
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR,
                                     A6("2001:db8::ff"), A6("2001:db8::101"),
                                     0, 0);
    struct tuple_set s;
    struct ct_key reply;
    union ct_addr lo = A6("2001:db8::ff"), hi = A6("2001:db8::101");

    set_init(&s);
    for (int i = 0; i < 3; i++) {
        struct ct_key orig = mkkey(true, 47, A6("fd00::1"), 0,
                                   A6("2001:db8:1::1"), 0);
        CHECK(select_into(&nat, &orig, &s, &reply));
        CHECK_GE(memcmp(&reply.dst.addr, &lo, 16), 0);
        CHECK_LE(memcmp(&reply.dst.addr, &hi, 16), 0);
        CHECK_EQ(reply.dst.port, 0);
        CHECK_EQ(reply.src.port, 0);
    }
    struct ct_key orig = mkkey(true, 47, A6("fd00::1"), 0,
                               A6("2001:db8:1::1"), 0);
    reply = reverse(&orig);
    CHECK(!ct_nat_select(&nat, &orig, &reply, 1, in_set, &s));
    set_destroy(&s);

    /* A huge range is fine, and TCP over IPv6 keeps its port. */
    nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR, A6("::"),
                A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0, 0);
    set_init(&s);
    orig = mkkey(true, IPPROTO_TCP, A6("fd00::1"), 33333, A6("fd00::2"), 22);
    CHECK(select_into(&nat, &orig, &s, &reply));
    CHECK_EQ(ntohs(reply.dst.port), 33333);
    set_destroy(&s);
}

TEST(select_bounded)
{
    /* Everything taken, full port range over 2**16 addresses: gives up
     * after a bounded number of attempts. */
    struct ct_nat_action nat = mknat(CT_NAT_SRC | CT_NAT_RANGE_ADDR,
                                     A4("10.0.0.0"), A4("10.0.255.255"),
                                     0, 0);
    struct ct_key orig = mkkey(false, IPPROTO_TCP, A4("192.168.1.5"), 40000,
                               A4("8.8.8.8"), 80);
    struct ct_key reply = reverse(&orig);
    size_t n = 0;

    CHECK(!ct_nat_select(&nat, &orig, &reply, 0, always_in_use, &n));
    CHECK_GT(n, 64511 * 4);     /* Every port of at least 4 addresses. */
    CHECK_LE(n, 1u << 18);

    /* DNAT: two phases, each bounded. */
    nat = mknat(CT_NAT_DST | CT_NAT_RANGE_ADDR | CT_NAT_RANGE_PORT,
                A4("10.0.0.0"), A4("10.0.255.255"), 1, 65535);
    n = 0;
    CHECK(!ct_nat_select(&nat, &orig, &reply, 0, always_in_use, &n));
    CHECK_LE(n, 2u << 18);
}

/* ------------------------------------------------------------------ */
/* Packets, built independently of the code under test. */

struct spec {
    bool v6;
    uint8_t proto;
    union ct_addr src, dst;
    uint16_t sport, dport;      /* ICMP echo: id in 'sport'. */
    uint8_t icmp_type;          /* ICMP: the type and code. */
    uint8_t icmp_code;
    bool udp_zero_csum;
    const uint8_t *payload;     /* Payload (ICMP error: the quote). */
    size_t payload_len;
};

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* Writes S as an IP packet into BUF, with every checksum computed from
 * scratch; returns its length. */
static size_t
build_ip(uint8_t *buf, const struct spec *s)
{
    size_t l3_len = s->v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN;
    uint8_t *l4 = buf + l3_len;
    size_t l4_hdr;

    switch (s->proto) {
    case IPPROTO_TCP: l4_hdr = TCP_HEADER_LEN; break;
    case IPPROTO_UDP: l4_hdr = UDP_HEADER_LEN; break;
    case IPPROTO_SCTP: l4_hdr = SCTP_HEADER_LEN; break;
    case IPPROTO_ICMP: case IPPROTO_ICMPV6: l4_hdr = 8; break;
    default: l4_hdr = 0; break;
    }
    size_t l4_len = l4_hdr + s->payload_len;
    memset(buf, 0, l3_len + l4_hdr);
    memcpy(l4 + l4_hdr, s->payload, s->payload_len);

    if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP
        || s->proto == IPPROTO_SCTP) {
        put16(l4, s->sport);
        put16(l4 + 2, s->dport);
    }
    if (s->proto == IPPROTO_TCP) {
        put16(l4 + 4, 0x1111);          /* seq, ack. */
        put16(l4 + 8, 0x2222);
        put16(l4 + 12, 0x5018);         /* Offset 5, PSH|ACK. */
        put16(l4 + 14, 8192);
    } else if (s->proto == IPPROTO_UDP) {
        put16(l4 + 4, l4_len);
    } else if (s->proto == IPPROTO_SCTP) {
        put16(l4 + 4, 0xabcd);          /* vtag. */
    } else if (is_icmp(s->v6, s->proto)) {
        l4[0] = s->icmp_type;
        l4[1] = s->icmp_code;
        if (s->icmp_type == ICMP4_ECHO_REQUEST
            || s->icmp_type == ICMP4_ECHO_REPLY
            || s->icmp_type == ICMP6_ECHO_REQUEST
            || s->icmp_type == ICMP6_ECHO_REPLY) {
            put16(l4 + 4, s->sport);
            put16(l4 + 6, 77);          /* seq. */
        } else if (s->v6 && s->icmp_type == ICMP6_PACKET_TOO_BIG) {
            put16(l4 + 6, 1280);
        }
    }

    /* IP header. */
    if (!s->v6) {
        buf[0] = 0x45;
        put16(buf + 2, l3_len + l4_len);
        put16(buf + 4, 0x3344);
        buf[8] = 63;
        buf[9] = s->proto;
        memcpy(buf + 12, &s->src.ipv4, 4);
        memcpy(buf + 16, &s->dst.ipv4, 4);
        plx_be16 c = csum(buf, IP_HEADER_LEN);
        memcpy(buf + 10, &c, 2);
    } else {
        buf[0] = 0x60;
        put16(buf + 4, l4_len);
        buf[6] = s->proto;
        buf[7] = 64;
        memcpy(buf + 8, &s->src.ipv6, 16);
        memcpy(buf + 24, &s->dst.ipv6, 16);
    }

    /* Transport checksum. */
    uint32_t pseudo = (s->v6
                       ? csum_pseudoheader6(&s->src.ipv6, &s->dst.ipv6,
                                            s->proto, l4_len)
                       : csum_pseudoheader4(s->src.ipv4, s->dst.ipv4,
                                            s->proto, l4_len));
    plx_be16 c;
    switch (s->proto) {
    case IPPROTO_TCP:
        c = csum_finish(csum_continue(pseudo, l4, l4_len));
        memcpy(l4 + 16, &c, 2);
        break;
    case IPPROTO_UDP:
        if (!s->udp_zero_csum) {
            c = csum_finish(csum_continue(pseudo, l4, l4_len));
            if (!c) {
                c = htons(0xffff);      /* Zero means "none". */
            }
            memcpy(l4 + 6, &c, 2);
        }
        break;
    case IPPROTO_SCTP: {
        plx_be32 crc = sctp_csum(l4, l4_len);
        memcpy(l4 + 8, &crc, 4);
        break;
    }
    case IPPROTO_ICMP:
        c = csum(l4, l4_len);
        memcpy(l4 + 2, &c, 2);
        break;
    case IPPROTO_ICMPV6:
        c = csum_finish(csum_continue(pseudo, l4, l4_len));
        memcpy(l4 + 2, &c, 2);
        break;
    }
    return l3_len + l4_len;
}

/* An Ethernet frame around the N-byte IP packet IP, run through
 * flow_extract() (which sets the layer offsets) on an exact-size copy. */
static struct dp_packet *
make_frame(const uint8_t *ip, size_t n, bool v6)
{
    uint8_t buf[2200];
    struct flow flow;

    plx_assert(n + ETH_HEADER_LEN <= sizeof buf);
    memset(buf, 0, ETH_HEADER_LEN);
    buf[0] = buf[6] = 0x02;
    buf[5] = 1;
    buf[11] = 2;
    put16(buf + 12, v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    memcpy(buf + ETH_HEADER_LEN, ip, n);

    struct dp_packet *p = dp_packet_clone_data(buf, ETH_HEADER_LEN + n);
    flow_extract(p, &flow);
    CHECK(dp_packet_l3(p) != NULL);
    return p;
}

static struct dp_packet *
spec_frame(const struct spec *s)
{
    uint8_t ip[2048];
    size_t n = build_ip(ip, s);
    return make_frame(ip, n, s->v6);
}

/* Checks every checksum of the IP packet at L3 (AVAIL bytes) from
 * scratch, and those of the packet an ICMP error quotes (its IP header
 * always; its transport checksum when it is quoted whole). */
static void
verify_ip(const uint8_t *l3, size_t avail, bool v6, bool quoted)
{
    size_t hl, tot;
    uint8_t proto;
    union ct_addr src, dst;

    memset(&src, 0, sizeof src);
    memset(&dst, 0, sizeof dst);
    if (!v6) {
        CHECK_GE(avail, IP_HEADER_LEN);
        hl = (l3[0] & 15) * 4;
        tot = l3[2] << 8 | l3[3];
        CHECK_EQ(csum(l3, hl), 0);
        proto = l3[9];
        memcpy(&src.ipv4, l3 + 12, 4);
        memcpy(&dst.ipv4, l3 + 16, 4);
    } else {
        CHECK_GE(avail, IPV6_HEADER_LEN);
        hl = IPV6_HEADER_LEN;
        tot = hl + (l3[4] << 8 | l3[5]);
        proto = l3[6];
        memcpy(&src.ipv6, l3 + 8, 16);
        memcpy(&dst.ipv6, l3 + 24, 16);
    }
    if (tot > avail) {
        CHECK(quoted);
        return;
    }

    const uint8_t *l4 = l3 + hl;
    size_t l4_len = tot - hl;
    uint32_t pseudo = (v6
                       ? csum_pseudoheader6(&src.ipv6, &dst.ipv6, proto,
                                            l4_len)
                       : csum_pseudoheader4(src.ipv4, dst.ipv4, proto,
                                            l4_len));
    switch (proto) {
    case IPPROTO_TCP:
        CHECK_EQ(csum_finish(csum_continue(pseudo, l4, l4_len)), 0);
        break;
    case IPPROTO_UDP:
        if (l4[6] || l4[7]) {
            CHECK_EQ(csum_finish(csum_continue(pseudo, l4, l4_len)), 0);
        }
        break;
    case IPPROTO_SCTP: {
        uint8_t copy[2048];
        plx_be32 crc, zero = 0;
        memcpy(copy, l4, l4_len);
        memcpy(&crc, copy + 8, 4);
        memcpy(copy + 8, &zero, 4);
        CHECK_U64_EQ(sctp_csum(copy, l4_len), crc);
        break;
    }
    case IPPROTO_ICMP:
        CHECK(!v6);
        CHECK_EQ(csum(l4, l4_len), 0);
        if (l4[0] == ICMP4_DST_UNREACH || l4[0] == ICMP4_TIME_EXCEEDED
            || l4[0] == ICMP4_PARAM_PROB) {
            verify_ip(l4 + 8, l4_len - 8, v6, true);
        }
        break;
    case IPPROTO_ICMPV6:
        CHECK(v6);
        CHECK_EQ(csum_finish(csum_continue(pseudo, l4, l4_len)), 0);
        if (l4[0] < 128) {
            verify_ip(l4 + 8, l4_len - 8, v6, true);
        }
        break;
    }
}

static void
verify_frame(const struct dp_packet *p, bool v6)
{
    verify_ip(dp_packet_l3(p), dp_packet_l3_size(p), v6, false);
}

static const uint8_t payload[] = "Plexus NAT test payload, odd: x";

static struct spec
mkspec(bool v6, uint8_t proto, const struct ct_endpoint *src,
       const struct ct_endpoint *dst, bool request)
{
    struct spec s;

    memset(&s, 0, sizeof s);
    s.v6 = v6;
    s.proto = proto;
    s.src = src->addr;
    s.dst = dst->addr;
    s.sport = ntohs(src->port);
    s.dport = ntohs(dst->port);
    s.icmp_type = (v6 ? (request ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY)
                   : (request ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY));
    s.payload = payload;
    s.payload_len = sizeof payload;     /* Odd length. */
    return s;
}

enum nat_mode { MODE_SNAT, MODE_DNAT, MODE_BOTH };

/* A connection A:40000 -> V:80 translated per MODE: SNAT to
 * A':61000, DNAT to B:8080 (ICMP: SNAT changes the id 0x1234 to
 * 0x4321). */
static void
mkconn(bool v6, uint8_t proto, enum nat_mode mode, struct ct_key *orig,
       struct ct_key *reply)
{
    union ct_addr a = v6 ? A6("fd00:1::5") : A4("192.168.1.5");
    union ct_addr v = v6 ? A6("2001:db8::10") : A4("10.10.10.10");
    union ct_addr a2 = v6 ? A6("2001:db8:ffff::7") : A4("203.0.113.7");
    union ct_addr b = v6 ? A6("fd00:2::a") : A4("172.16.0.10");
    bool snat = mode != MODE_DNAT, dnat = mode != MODE_SNAT;

    *orig = mkkey(v6, proto, a, is_icmp(v6, proto) ? 0x1234 : 40000, v, 80);
    *reply = reverse(orig);
    if (snat) {
        reply->dst.addr = a2;
        reply->dst.port = htons(is_icmp(v6, proto) ? 0x4321 : 61000);
        if (is_icmp(v6, proto)) {
            reply->src.port = reply->dst.port;
        }
    }
    if (dnat) {
        reply->src.addr = b;
        if (!is_icmp(v6, proto)) {
            reply->src.port = htons(8080);
        }
    }
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP
        && proto != IPPROTO_SCTP && !is_icmp(v6, proto)) {
        orig->src.port = orig->dst.port = 0;
        reply->src.port = reply->dst.port = 0;
    }
}

static uint16_t
mode_flags(enum nat_mode mode)
{
    return (mode == MODE_SNAT ? CT_NAT_SRC
            : mode == MODE_DNAT ? CT_NAT_DST
            : CT_NAT_SRC | CT_NAT_DST);
}

/* Translates the packet IN with ct_nat_packet() and checks that it
 * becomes exactly OUT, with right checksums. */
static void
check_translate(const struct spec *in, const struct spec *out,
                const struct ct_key *orig, const struct ct_key *reply,
                uint16_t flags, bool reply_dir)
{
    struct dp_packet *p = spec_frame(in);
    struct dp_packet *q = spec_frame(out);

    ct_nat_packet(p, orig, reply, flags, reply_dir);
    verify_frame(p, in->v6);
    CHECK_EQ(dp_packet_size(p), dp_packet_size(q));
    CHECK_MEMEQ(dp_packet_data(p), dp_packet_data(q), dp_packet_size(p));
    dp_packet_delete(p);
    dp_packet_delete(q);
}

static void
check_conn_rewrite(bool v6, uint8_t proto, enum nat_mode mode,
                   bool udp_zero, uint16_t flags)
{
    struct ct_key orig, reply;
    struct spec in, out;

    mkconn(v6, proto, mode, &orig, &reply);

    /* Original direction: A -> V becomes reply.dst -> reply.src. */
    in = mkspec(v6, proto, &orig.src, &orig.dst, true);
    out = mkspec(v6, proto, &reply.dst, &reply.src, true);
    in.udp_zero_csum = out.udp_zero_csum = udp_zero;
    check_translate(&in, &out, &orig, &reply, flags, false);

    /* Reply direction: reply.src -> reply.dst becomes V -> A. */
    in = mkspec(v6, proto, &reply.src, &reply.dst, false);
    out = mkspec(v6, proto, &orig.dst, &orig.src, false);
    in.udp_zero_csum = out.udp_zero_csum = udp_zero;
    check_translate(&in, &out, &orig, &reply, flags, true);
}

static void
check_all_modes(bool v6, uint8_t proto, bool udp_zero)
{
    for (int mode = MODE_SNAT; mode <= MODE_BOTH; mode++) {
        check_conn_rewrite(v6, proto, mode, udp_zero, mode_flags(mode));
        /* The keys decide even when the flags say less (a DNAT whose
         * source port moved), or nothing. */
        check_conn_rewrite(v6, proto, mode, udp_zero, CT_NAT_DST);
        check_conn_rewrite(v6, proto, mode, udp_zero, 0);
    }
}

TEST(rewrite_ipv4_tcp) { check_all_modes(false, IPPROTO_TCP, false); }
TEST(rewrite_ipv4_udp) { check_all_modes(false, IPPROTO_UDP, false); }
TEST(rewrite_ipv4_udp_zero_csum) { check_all_modes(false, IPPROTO_UDP, true); }
TEST(rewrite_ipv4_sctp) { check_all_modes(false, IPPROTO_SCTP, false); }
TEST(rewrite_ipv4_icmp_echo) { check_all_modes(false, IPPROTO_ICMP, false); }
TEST(rewrite_ipv4_gre) { check_all_modes(false, 47, false); }
TEST(rewrite_ipv6_tcp) { check_all_modes(true, IPPROTO_TCP, false); }
TEST(rewrite_ipv6_udp) { check_all_modes(true, IPPROTO_UDP, false); }
TEST(rewrite_ipv6_sctp) { check_all_modes(true, IPPROTO_SCTP, false); }
TEST(rewrite_ipv6_icmp_echo) { check_all_modes(true, IPPROTO_ICMPV6, false); }

/* A UDP checksum that the translation makes zero goes out as 0xffff
 * (zero would mean "no checksum"). */
TEST(rewrite_udp_csum_becomes_ffff)
{
    struct ct_key orig, reply;
    uint8_t data[sizeof payload];
    bool found = false;

    mkconn(false, IPPROTO_UDP, MODE_SNAT, &orig, &reply);
    memcpy(data, payload, sizeof data);
    for (uint32_t w = 0; w < 0x10000 && !found; w++) {
        struct spec out = mkspec(false, IPPROTO_UDP, &reply.dst, &reply.src,
                                 true);
        uint8_t ip[2048];

        put16(data, w);
        out.payload = data;
        build_ip(ip, &out);
        if (ip[IP_HEADER_LEN + 6] == 0xff && ip[IP_HEADER_LEN + 7] == 0xff) {
            struct spec in = mkspec(false, IPPROTO_UDP, &orig.src, &orig.dst,
                                    true);
            in.payload = data;
            check_translate(&in, &out, &orig, &reply, CT_NAT_SRC, false);
            found = true;
        }
    }
    CHECK(found);
}

/* IPv6 with a destination options header before TCP. */
static struct dp_packet *
frame_with_dstopts(const struct spec *s)
{
    uint8_t ip[2048], ip2[2048];
    size_t n = build_ip(ip, s);

    memcpy(ip2, ip, IPV6_HEADER_LEN);
    ip2[6] = IPPROTO_DSTOPTS;
    put16(ip2 + 4, n - IPV6_HEADER_LEN + 8);
    uint8_t opts[8] = { s->proto, 0, 1, 4, 0, 0, 0, 0 };   /* PadN. */
    memcpy(ip2 + IPV6_HEADER_LEN, opts, 8);
    memcpy(ip2 + IPV6_HEADER_LEN + 8, ip + IPV6_HEADER_LEN,
           n - IPV6_HEADER_LEN);
    return make_frame(ip2, n + 8, true);
}

TEST(rewrite_ipv6_extension_header)
{
    struct ct_key orig, reply;
    mkconn(true, IPPROTO_TCP, MODE_BOTH, &orig, &reply);
    struct spec in = mkspec(true, IPPROTO_TCP, &orig.src, &orig.dst, true);
    struct spec out = mkspec(true, IPPROTO_TCP, &reply.dst, &reply.src,
                             true);
    struct dp_packet *p = frame_with_dstopts(&in);
    struct dp_packet *q = frame_with_dstopts(&out);

    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC | CT_NAT_DST, false);
    CHECK(dp_packet_equal(p, q));

    /* Every prefix (some end inside the extension header) unchanged. */
    dp_packet_delete(p);
    p = frame_with_dstopts(&in);
    for (size_t n = 0; n < dp_packet_size(p); n++) {
        struct dp_packet *t = dp_packet_clone_data(dp_packet_data(p), n);
        t->l3_ofs = p->l3_ofs;
        t->l4_ofs = p->l4_ofs;
        ct_nat_packet(t, &orig, &reply, CT_NAT_SRC | CT_NAT_DST, false);
        CHECK(!memcmp(dp_packet_data(t), dp_packet_data(p), n));
        dp_packet_delete(t);
    }

    /* An extension header whose length runs past the payload. */
    uint8_t *opts = (uint8_t *) dp_packet_l3(p) + IPV6_HEADER_LEN;
    opts[1] = 200;
    struct dp_packet *copy = dp_packet_clone(p);
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC | CT_NAT_DST, false);
    CHECK(dp_packet_equal(p, copy));
    dp_packet_delete(copy);
    dp_packet_delete(p);
    dp_packet_delete(q);
}

TEST(rewrite_keeps_wrong_sctp_crc_wrong)
{
    struct ct_key orig, reply;
    mkconn(false, IPPROTO_SCTP, MODE_SNAT, &orig, &reply);
    struct spec in = mkspec(false, IPPROTO_SCTP, &orig.src, &orig.dst, true);
    struct dp_packet *p = spec_frame(&in);
    uint8_t *l4 = dp_packet_l4(p);

    l4[8] ^= 0x5a;
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC, false);
    plx_be32 crc, zero = 0;
    memcpy(&crc, l4 + 8, 4);
    memcpy(l4 + 8, &zero, 4);
    CHECK(crc != sctp_csum(l4, dp_packet_l4_size(p)));
    dp_packet_delete(p);
}

TEST(rewrite_ipv4_later_fragment_address_only)
{
    struct ct_key orig, reply;
    mkconn(false, IPPROTO_UDP, MODE_SNAT, &orig, &reply);
    struct spec in = mkspec(false, IPPROTO_UDP, &orig.src, &orig.dst, true);
    uint8_t ip[2048];
    size_t n = build_ip(ip, &in);

    put16(ip + 6, 185);                 /* Offset 1480, no L4 here. */
    memset(ip + 10, 0, 2);
    plx_be16 c = csum(ip, IP_HEADER_LEN);
    memcpy(ip + 10, &c, 2);

    struct dp_packet *p = make_frame(ip, n, false);
    uint8_t *l3 = dp_packet_l3(p);
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC, false);
    CHECK_MEMEQ(l3 + 12, &reply.dst.addr.ipv4, 4);
    CHECK_EQ(csum(l3, IP_HEADER_LEN), 0);
    CHECK_MEMEQ(l3 + IP_HEADER_LEN, ip + IP_HEADER_LEN, n - IP_HEADER_LEN);
    dp_packet_delete(p);
}

TEST(rewrite_mismatch_unchanged)
{
    struct ct_key orig, reply;
    mkconn(false, IPPROTO_TCP, MODE_SNAT, &orig, &reply);

    /* A UDP packet for a TCP connection; an IPv6 packet for IPv4. */
    struct spec in = mkspec(false, IPPROTO_UDP, &orig.src, &orig.dst, true);
    struct dp_packet *p = spec_frame(&in);
    struct dp_packet *copy = dp_packet_clone(p);
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC, false);
    CHECK(dp_packet_equal(p, copy));
    ct_nat_icmp_error(p, &orig, &reply, CT_NAT_SRC, false);
    CHECK(dp_packet_equal(p, copy));
    dp_packet_delete(p);
    dp_packet_delete(copy);

    struct ct_key orig6, reply6;
    mkconn(true, IPPROTO_TCP, MODE_SNAT, &orig6, &reply6);
    in = mkspec(true, IPPROTO_TCP, &orig6.src, &orig6.dst, true);
    p = spec_frame(&in);
    copy = dp_packet_clone(p);
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC, false);
    CHECK(dp_packet_equal(p, copy));
    dp_packet_delete(p);
    dp_packet_delete(copy);
}

/* ------------------------------------------------------------------ */
/* ICMP errors. */

/* The error R -> TO quoting the first QUOTE_L4 bytes of the transport
 * part of QUOTED (all of it if larger). */
static size_t
build_error(uint8_t *buf, bool v6, const union ct_addr *r,
            const union ct_addr *to, const struct spec *quoted,
            size_t quote_l4)
{
    uint8_t inner[2048];
    size_t n = build_ip(inner, quoted);
    size_t hl = v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN;
    struct spec e;

    memset(&e, 0, sizeof e);
    e.v6 = v6;
    e.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    e.src = *r;
    e.dst = *to;
    e.icmp_type = v6 ? ICMP6_PACKET_TOO_BIG : ICMP4_DST_UNREACH;
    e.icmp_code = v6 ? 0 : 1;
    e.payload = inner;
    e.payload_len = MIN(n, hl + quote_l4);
    return build_ip(buf, &e);
}

static void
check_error(bool v6, uint8_t proto, enum nat_mode mode, bool reply_dir,
            size_t quote_l4)
{
    union ct_addr r = v6 ? A6("fe80::99") : A4("198.51.100.99");
    struct ct_key orig, reply;
    struct spec qin, qout;
    union ct_addr to_in, from_out, to_out;
    bool snat = mode != MODE_DNAT, dnat = mode != MODE_SNAT;
    uint8_t in[2200], out[2200];
    size_t n_in, n_out;

    mkconn(v6, proto, mode, &orig, &reply);
    if (reply_dir) {
        /* R, on the far side, could not deliver the translated
         * original-direction packet; the error goes back to its source
         * and gets un-NATed to A, quoting what A sent. */
        qin = mkspec(v6, proto, &reply.dst, &reply.src, true);
        qout = mkspec(v6, proto, &orig.src, &orig.dst, true);
        to_in = reply.dst.addr;
        from_out = dnat ? orig.dst.addr : r;
        to_out = orig.src.addr;
    } else {
        /* R, on A's side, could not deliver the translated reply. */
        qin = mkspec(v6, proto, &orig.dst, &orig.src, false);
        qout = mkspec(v6, proto, &reply.src, &reply.dst, false);
        to_in = orig.dst.addr;
        from_out = snat ? reply.dst.addr : r;
        to_out = reply.src.addr;
    }
    n_in = build_error(in, v6, &r, &to_in, &qin, quote_l4);
    n_out = build_error(out, v6, &from_out, &to_out, &qout, quote_l4);

    struct dp_packet *p = make_frame(in, n_in, v6);
    ct_nat_icmp_error(p, &orig, &reply, mode_flags(mode), reply_dir);
    verify_frame(p, v6);
    CHECK_EQ(dp_packet_l3_size(p), n_out);
    CHECK_MEMEQ(dp_packet_l3(p), out, n_out);
    dp_packet_delete(p);
}

static void
check_errors(bool v6, uint8_t proto)
{
    for (int mode = MODE_SNAT; mode <= MODE_BOTH; mode++) {
        for (int dir = 0; dir < 2; dir++) {
            check_error(v6, proto, mode, dir, 8);
            check_error(v6, proto, mode, dir, 18);
            check_error(v6, proto, mode, dir, 1000);
        }
    }
}

TEST(icmp_error_ipv4_tcp) { check_errors(false, IPPROTO_TCP); }
TEST(icmp_error_ipv4_udp) { check_errors(false, IPPROTO_UDP); }
TEST(icmp_error_ipv4_icmp) { check_errors(false, IPPROTO_ICMP); }
TEST(icmp_error_ipv6_tcp) { check_errors(true, IPPROTO_TCP); }
TEST(icmp_error_ipv6_udp) { check_errors(true, IPPROTO_UDP); }
TEST(icmp_error_ipv6_icmp) { check_errors(true, IPPROTO_ICMPV6); }

TEST(icmp_error_sctp_ports)
{
    /* The quoted SCTP CRC covers bytes that are not there: ports only. */
    struct ct_key orig, reply;
    mkconn(false, IPPROTO_SCTP, MODE_SNAT, &orig, &reply);
    struct spec q = mkspec(false, IPPROTO_SCTP, &reply.dst, &reply.src, true);
    union ct_addr r = A4("198.51.100.99");
    uint8_t buf[2200];
    size_t n = build_error(buf, false, &r, &reply.dst.addr, &q, 8);
    struct dp_packet *p = make_frame(buf, n, false);
    uint8_t *inner = (uint8_t *) dp_packet_l4(p) + 8;

    ct_nat_icmp_error(p, &orig, &reply, CT_NAT_SRC, true);
    verify_frame(p, false);
    CHECK_MEMEQ(inner + 12, &orig.src.addr.ipv4, 4);
    CHECK_MEMEQ(inner + 20, &orig.src.port, 2);
    CHECK_MEMEQ(inner + 22, &orig.dst.port, 2);
    dp_packet_delete(p);
}

TEST(icmp_error_short_quote_unchanged)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct ct_key orig, reply;
        mkconn(v6, IPPROTO_TCP, MODE_BOTH, &orig, &reply);
        struct spec q = mkspec(v6, IPPROTO_TCP, &reply.dst, &reply.src,
                               true);
        union ct_addr r = v6 ? A6("fe80::99") : A4("198.51.100.99");
        size_t hl = v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN;

        /* The quote ends inside the IP header or within the ports. */
        for (size_t k = 0; k < hl + 8; k++) {
            uint8_t inner[2048], buf[2200];
            size_t n = build_ip(inner, &q);
            struct spec e;

            plx_assert(k < n);
            memset(&e, 0, sizeof e);
            e.v6 = v6;
            e.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
            e.src = r;
            e.dst = reply.dst.addr;
            e.icmp_type = v6 ? ICMP6_DST_UNREACH : ICMP4_TIME_EXCEEDED;
            e.payload = inner;
            e.payload_len = k;
            n = build_ip(buf, &e);

            struct dp_packet *p = make_frame(buf, n, v6);
            struct dp_packet *copy = dp_packet_clone(p);
            ct_nat_icmp_error(p, &orig, &reply, CT_NAT_SRC | CT_NAT_DST,
                              true);
            CHECK_MSG(dp_packet_equal(p, copy), "changed with %zu bytes", k);
            dp_packet_delete(p);
            dp_packet_delete(copy);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Truncated packets. */

/* Every prefix of P, with P's layer offsets, stays unchanged (and, under
 * ASan, nothing past it is read). */
static void
check_prefixes_unchanged(const struct dp_packet *p, const struct ct_key *orig,
                         const struct ct_key *reply, uint16_t flags)
{
    for (size_t n = 0; n < dp_packet_size(p); n++) {
        for (int dir = 0; dir < 2; dir++) {
            struct dp_packet *t = dp_packet_clone_data(dp_packet_data(p), n);
            t->l3_ofs = p->l3_ofs;
            t->l4_ofs = p->l4_ofs;
            ct_nat_packet(t, orig, reply, flags, dir);
            CHECK_MSG(!memcmp(dp_packet_data(t), dp_packet_data(p), n),
                      "prefix %zu changed", n);
            ct_nat_icmp_error(t, orig, reply, flags, dir);
            CHECK_MSG(!memcmp(dp_packet_data(t), dp_packet_data(p), n),
                      "prefix %zu changed (error)", n);
            dp_packet_delete(t);
        }
    }
}

TEST(truncated_unchanged)
{
    static const struct {
        bool v6;
        uint8_t proto;
    } protos[] = {
        { false, IPPROTO_TCP }, { false, IPPROTO_UDP },
        { false, IPPROTO_SCTP }, { false, IPPROTO_ICMP },
        { true, IPPROTO_TCP }, { true, IPPROTO_UDP },
        { true, IPPROTO_SCTP }, { true, IPPROTO_ICMPV6 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        bool v6 = protos[i].v6;
        struct ct_key orig, reply;
        mkconn(v6, protos[i].proto, MODE_BOTH, &orig, &reply);
        uint16_t flags = CT_NAT_SRC | CT_NAT_DST;

        struct spec s = mkspec(v6, protos[i].proto, &orig.src, &orig.dst,
                               true);
        struct dp_packet *p = spec_frame(&s);
        check_prefixes_unchanged(p, &orig, &reply, flags);
        dp_packet_delete(p);

        union ct_addr r = v6 ? A6("fe80::99") : A4("198.51.100.99");
        uint8_t buf[2200];
        struct spec q = mkspec(v6, protos[i].proto, &reply.dst, &reply.src,
                               true);
        size_t n = build_error(buf, v6, &r, &reply.dst.addr, &q, 1000);
        p = make_frame(buf, n, v6);
        check_prefixes_unchanged(p, &orig, &reply, flags);
        dp_packet_delete(p);
    }
}

TEST(no_l3_unchanged)
{
    struct ct_key orig, reply;
    mkconn(false, IPPROTO_TCP, MODE_SNAT, &orig, &reply);
    struct spec s = mkspec(false, IPPROTO_TCP, &orig.src, &orig.dst, true);
    struct dp_packet *p = spec_frame(&s);
    struct dp_packet *copy = dp_packet_clone(p);

    p->l3_ofs = p->l4_ofs = DP_PACKET_OFS_UNSET;
    ct_nat_packet(p, &orig, &reply, CT_NAT_SRC, false);
    ct_nat_icmp_error(p, &orig, &reply, CT_NAT_SRC, false);
    CHECK(dp_packet_equal(p, copy));
    dp_packet_delete(p);
    dp_packet_delete(copy);
}
