/* Tests for datapath/odp-execute: actions on real packets built with
 * flow_compose(), checked with flow_extract() and with checksums
 * recomputed from scratch. */
#include <config.h>
#include "datapath/odp-execute.h"

#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "packets.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* What the callback saw. */

#define MAX_CALLS 16

struct call {
    uint16_t type;
    uint32_t arg;               /* Port or recirc id. */
    bool should_steal;
    size_t count;
    struct dp_packet *seen[NETDEV_MAX_BURST];   /* Pointers passed. */
    struct dp_packet *copy[NETDEV_MAX_BURST];   /* Owned copies. */
};

static struct call calls[MAX_CALLS];
static int n_calls;

static void
record_cb(void *aux, struct dp_packet_batch *batch,
          const struct odp_attr *a, bool should_steal)
{
    struct call *c = &calls[n_calls++];

    plx_assert(n_calls <= MAX_CALLS);
    CHECK(aux == &calls);
    c->type = odp_attr_type(a);
    c->arg = odp_attr_get_u32(a);
    c->should_steal = should_steal;
    c->count = batch->count;
    for (size_t i = 0; i < batch->count; i++) {
        c->seen[i] = batch->packets[i];
        c->copy[i] = (should_steal ? batch->packets[i]
                      : dp_packet_clone(batch->packets[i]));
    }
    if (should_steal) {
        dp_packet_batch_init(batch);
    }
}

static void
reset_calls(void)
{
    for (int i = 0; i < n_calls; i++) {
        for (size_t j = 0; j < calls[i].count; j++) {
            dp_packet_delete(calls[i].copy[j]);
        }
    }
    memset(calls, 0, sizeof calls);
    n_calls = 0;
}

/* Runs the actions TEXT on BATCH. */
static void
execute(const char *text, struct dp_packet_batch *batch, bool may_steal)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    CHECK_NO_ERROR(odp_actions_parse(text, &b));
    odp_execute_actions(&calls, batch, may_steal, b.data, b.size,
                        record_cb);
    odp_buf_uninit(&b);
}

/* Runs "TEXT,1" on a copy of P and returns what came out of port 1. */
static struct dp_packet *
run1(const char *text, const struct dp_packet *p)
{
    struct dp_packet_batch batch;
    char *full = xasprintf("%s,1", text);

    reset_calls();
    dp_packet_batch_init_packet(&batch, dp_packet_clone(p));
    execute(full, &batch, true);
    free(full);
    CHECK_EQ(n_calls, 1);
    CHECK(calls[0].should_steal);
    CHECK_EQ(calls[0].count, 1);
    CHECK_EQ(batch.count, 0);
    struct dp_packet *out = calls[0].copy[0];
    calls[0].count = 0;
    reset_calls();
    return out;
}

/* ------------------------------------------------------------------ */
/* Packets. */

static void
base_flow(struct flow *f, uint16_t dl_type, uint8_t proto)
{
    memset(f, 0, sizeof *f);
    f->dl_src = (struct eth_addr) { { { 0x00, 0x11, 0x22, 0x33, 0x44,
                                        0x55 } } };
    f->dl_dst = (struct eth_addr) { { { 0x66, 0x77, 0x88, 0x99, 0xaa,
                                        0xbb } } };
    f->dl_type = htons(dl_type);
    f->in_port = 3;
    if (dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_ARP) {
        f->nw_src = htonl(0x0a000001);
        f->nw_dst = htonl(0x0a000002);
    }
    if (dl_type == ETH_TYPE_IPV6) {
        CHECK(ipv6_parse("2001:db8::1", &f->ipv6_src));
        CHECK(ipv6_parse("2001:db8::2", &f->ipv6_dst));
        f->ipv6_label = htonl(0x12345);
    }
    if (dl_type == ETH_TYPE_ARP) {
        f->nw_proto = ARP_OP_REQUEST;
        return;
    }
    f->nw_proto = proto;
    f->nw_ttl = 64;
    f->nw_tos = 0x28;
    if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
        f->tp_src = htons(8);
    } else {
        f->tp_src = htons(1234);
        f->tp_dst = htons(80);
    }
}

static struct dp_packet *
compose(const struct flow *f)
{
    struct dp_packet *p = dp_packet_new(0);
    struct flow check;

    flow_compose(p, f);
    flow_extract(p, &check);
    return p;
}

static struct dp_packet *
compose_type(uint16_t dl_type, uint8_t proto)
{
    struct flow f;
    base_flow(&f, dl_type, proto);
    return compose(&f);
}

/* Checks every checksum in P by recomputing it from scratch, and
 * returns P's flow. */
static struct flow
check_packet(struct dp_packet *p)
{
    struct flow f;

    flow_extract(p, &f);
    uint8_t *l4 = dp_packet_l4(p);
    if (f.dl_type == htons(ETH_TYPE_IP)) {
        struct ip_header *ip = dp_packet_l3(p);
        size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
        CHECK_MSG(!csum(ip, ihl), "bad IPv4 header checksum");
        size_t l4_len = ntohs(ip->ip_tot_len) - ihl;
        uint32_t pseudo = packet_csum_pseudoheader(ip);
        if (f.nw_proto == IPPROTO_TCP
            || (f.nw_proto == IPPROTO_UDP
                && ((struct udp_header *) l4)->udp_csum)) {
            CHECK_MSG(!csum_finish(csum_continue(pseudo, l4, l4_len)),
                      "bad L4 checksum");
        } else if (f.nw_proto == IPPROTO_ICMP) {
            CHECK(!csum(l4, l4_len));
        }
    } else if (f.dl_type == htons(ETH_TYPE_IPV6)) {
        struct ip6_header *ip6 = dp_packet_l3(p);
        size_t l4_len = ntohs(ip6->ip6_payload_len);
        struct in6_addr src = get_16aligned_in6(&ip6->ip6_src);
        struct in6_addr dst = get_16aligned_in6(&ip6->ip6_dst);
        uint32_t pseudo = csum_pseudoheader6(&src, &dst, f.nw_proto,
                                             l4_len);
        if (f.nw_proto == IPPROTO_TCP || f.nw_proto == IPPROTO_UDP
            || f.nw_proto == IPPROTO_ICMPV6) {
            CHECK_MSG(!csum_finish(csum_continue(pseudo, l4, l4_len)),
                      "bad L4 checksum");
        }
    }
    if (f.nw_proto == IPPROTO_SCTP && l4) {
        struct sctp_header *sh = (void *) l4;
        size_t l4_len;
        if (f.dl_type == htons(ETH_TYPE_IP)) {
            struct ip_header *ip = dp_packet_l3(p);
            l4_len = ntohs(ip->ip_tot_len) - IP_IHL(ip->ip_ihl_ver) * 4;
        } else {
            struct ip6_header *ip6 = dp_packet_l3(p);
            l4_len = ntohs(ip6->ip6_payload_len);
        }
        plx_be32 saved = get_16aligned_be32(&sh->sctp_csum);
        put_16aligned_be32(&sh->sctp_csum, 0);
        CHECK_MSG(sctp_csum(sh, l4_len) == saved, "bad SCTP checksum");
        put_16aligned_be32(&sh->sctp_csum, saved);
    }
    return f;
}

/* ------------------------------------------------------------------ */

TEST(push_pop_vlan)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
    struct flow f0 = check_packet(p);

    struct dp_packet *q = run1("push_vlan(vid=10,pcp=3)", p);
    CHECK_EQ(dp_packet_size(q), dp_packet_size(p) + 4);
    /* The offsets still point at the IP and TCP headers. */
    CHECK_EQ(q->l3_ofs, 18);
    CHECK_EQ(((struct ip_header *) dp_packet_l3(q))->ip_ihl_ver, 0x45);
    CHECK_EQ(q->l4_ofs, 38);
    struct flow f = check_packet(q);
    CHECK_EQ(f.vlans[0].tpid, htons(ETH_TYPE_VLAN_8021Q));
    CHECK_EQ(f.vlans[0].tci, htons(10 | VLAN_CFI | (3 << VLAN_PCP_SHIFT)));
    CHECK_EQ(f.dl_type, htons(ETH_TYPE_IP));
    CHECK(eth_addr_equals(f.dl_src, f0.dl_src));
    CHECK_EQ(f.nw_src, f0.nw_src);

    /* 802.1ad outside 802.1Q. */
    struct dp_packet *r = run1("push_vlan(tpid=0x88a8,vid=20,pcp=0)", q);
    f = check_packet(r);
    CHECK_EQ(f.vlans[0].tpid, htons(ETH_TYPE_VLAN_8021AD));
    CHECK_EQ(vlan_tci_to_vid(f.vlans[0].tci), 20);
    CHECK_EQ(vlan_tci_to_vid(f.vlans[1].tci), 10);

    /* Two pops give back the original bytes and offsets. */
    struct dp_packet *s = run1("pop_vlan,pop_vlan", r);
    CHECK(dp_packet_equal(s, p));
    CHECK_EQ(s->l3_ofs, p->l3_ofs);
    CHECK_EQ(s->l4_ofs, p->l4_ofs);

    /* Popping an untagged packet changes nothing. */
    struct dp_packet *t = run1("pop_vlan", p);
    CHECK(dp_packet_equal(t, p));

    dp_packet_delete(p);
    dp_packet_delete(q);
    dp_packet_delete(r);
    dp_packet_delete(s);
    dp_packet_delete(t);
}

TEST(set_eth_masked)
{
    struct dp_packet *p = compose_type(ETH_TYPE_ARP, 0);
    struct dp_packet *q = run1("set(eth(src=aa:bb:cc:dd:ee:ff/ff:00:ff:00:"
                               "00:0f,dst=01:02:03:04:05:06))", p);
    struct flow f = check_packet(q);
    struct eth_addr src, dst;
    CHECK(eth_addr_from_string("aa:11:cc:33:44:5f", &src));
    CHECK(eth_addr_from_string("01:02:03:04:05:06", &dst));
    CHECK(eth_addr_equals(f.dl_src, src));
    CHECK(eth_addr_equals(f.dl_dst, dst));
    CHECK_EQ(dp_packet_size(q), dp_packet_size(p));
    CHECK(!memcmp((uint8_t *) dp_packet_data(q) + 12,
                  (uint8_t *) dp_packet_data(p) + 12,
                  dp_packet_size(p) - 12));
    dp_packet_delete(p);
    dp_packet_delete(q);
}

TEST(set_ipv4_fields_fix_checksums)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_ICMP, IPPROTO_SCTP };

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        struct dp_packet *p = compose_type(ETH_TYPE_IP, protos[i]);
        struct flow f0 = check_packet(p);
        struct dp_packet *q = run1("set(ipv4(src=192.168.7.9,"
                                   "dst=172.16.0.1,tos=0xb8,ttl=3))", p);
        struct flow f = check_packet(q);
        CHECK_EQ(f.nw_src, htonl(0xc0a80709));
        CHECK_EQ(f.nw_dst, htonl(0xac100001));
        CHECK_EQ(f.nw_tos, 0xb8);
        CHECK_EQ(f.nw_ttl, 3);
        CHECK_EQ(f.nw_proto, f0.nw_proto);
        CHECK_EQ(f.tp_src, f0.tp_src);
        dp_packet_delete(p);
        dp_packet_delete(q);
    }
}

TEST(set_ipv4_masked)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct dp_packet *q = run1("set(ipv4(src=192.168.0.0/255.255.0.0,"
                               "tos=0x3/0x3,ttl=0x80/0x80))", p);
    struct flow f = check_packet(q);
    CHECK_EQ(f.nw_src, htonl(0xc0a80001));     /* 10.0.0.1 -> x.x.0.1 */
    CHECK_EQ(f.nw_dst, htonl(0x0a000002));
    CHECK_EQ(f.nw_tos, 0x2b);
    CHECK_EQ(f.nw_ttl, 0xc0);
    dp_packet_delete(p);
    dp_packet_delete(q);
}

TEST(udp_zero_checksum_stays_zero)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct udp_header *udp = dp_packet_l4(p);
    udp->udp_csum = 0;
    struct dp_packet *q = run1("set(ipv4(src=1.2.3.4)),set(udp(src=9))", p);
    struct flow f = check_packet(q);
    CHECK_EQ(f.nw_src, htonl(0x01020304));
    CHECK_EQ(f.tp_src, htons(9));
    CHECK_EQ(((struct udp_header *) dp_packet_l4(q))->udp_csum, 0);
    dp_packet_delete(p);
    dp_packet_delete(q);
}

TEST(set_ipv6_fields_fix_checksums)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_ICMPV6, IPPROTO_SCTP };

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        struct dp_packet *p = compose_type(ETH_TYPE_IPV6, protos[i]);
        struct dp_packet *q = run1("set(ipv6(src=fe80::1234,"
                                   "dst=2001:db8::ff/ffff::ffff,"
                                   "label=0xabcde,tclass=0x3,hlimit=7))", p);
        struct flow f = check_packet(q);
        struct in6_addr src, dst;
        CHECK(ipv6_parse("fe80::1234", &src));
        CHECK(ipv6_parse("2001:db8::ff", &dst));
        CHECK(ipv6_addr_equals(&f.ipv6_src, &src));
        CHECK(ipv6_addr_equals(&f.ipv6_dst, &dst));
        CHECK_EQ(ntohl(f.ipv6_label), 0xabcde);
        CHECK_EQ(f.nw_tos, 0x3);
        CHECK_EQ(f.nw_ttl, 7);
        CHECK_EQ(f.nw_proto, protos[i]);
        dp_packet_delete(p);
        dp_packet_delete(q);
    }
}

TEST(set_ports_fix_checksums)
{
    static const struct {
        uint16_t dl_type;
        uint8_t proto;
        const char *key;
    } cases[] = {
        { ETH_TYPE_IP, IPPROTO_TCP, "tcp" },
        { ETH_TYPE_IP, IPPROTO_UDP, "udp" },
        { ETH_TYPE_IP, IPPROTO_SCTP, "sctp" },
        { ETH_TYPE_IPV6, IPPROTO_TCP, "tcp" },
        { ETH_TYPE_IPV6, IPPROTO_UDP, "udp" },
        { ETH_TYPE_IPV6, IPPROTO_SCTP, "sctp" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct dp_packet *p = compose_type(cases[i].dl_type, cases[i].proto);
        char *text = xasprintf("set(%s(src=4000,dst=0x100/0xff00))",
                               cases[i].key);
        struct dp_packet *q = run1(text, p);
        struct flow f = check_packet(q);
        CHECK_EQ(ntohs(f.tp_src), 4000);
        CHECK_EQ(ntohs(f.tp_dst), 0x100 | 80);
        free(text);
        dp_packet_delete(p);
        dp_packet_delete(q);
    }

    /* A wrong SCTP checksum stays wrong. */
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_SCTP);
    struct sctp_header *sh = dp_packet_l4(p);
    plx_be32 bad = get_16aligned_be32(&sh->sctp_csum) ^ htonl(0x10);
    put_16aligned_be32(&sh->sctp_csum, bad);
    struct dp_packet *q = run1("set(sctp(src=1))", p);
    sh = dp_packet_l4(q);
    plx_be32 got = get_16aligned_be32(&sh->sctp_csum);
    put_16aligned_be32(&sh->sctp_csum, 0);
    struct ip_header *ip = dp_packet_l3(q);
    CHECK_EQ(got ^ htonl(0x10),
             sctp_csum(sh, ntohs(ip->ip_tot_len) - IP_HEADER_LEN));
    dp_packet_delete(p);
    dp_packet_delete(q);
}

/* Set actions whose headers are absent leave the packet unchanged. */
TEST(absent_headers_unchanged)
{
    static const struct {
        uint16_t dl_type;
        uint8_t proto;
        const char *actions;
    } cases[] = {
        { ETH_TYPE_ARP, 0, "set(ipv4(src=1.2.3.4,ttl=1))" },
        { ETH_TYPE_ARP, 0, "set(tcp(src=1))" },
        { ETH_TYPE_IPV6, IPPROTO_TCP, "set(ipv4(src=1.2.3.4))" },
        { ETH_TYPE_IP, IPPROTO_TCP, "set(ipv6(hlimit=1))" },
        { ETH_TYPE_IP, IPPROTO_UDP, "set(tcp(src=1))" },
        { ETH_TYPE_IP, IPPROTO_TCP, "set(udp(src=1))" },
        { ETH_TYPE_IP, IPPROTO_ICMP, "set(sctp(dst=1))" },
        { ETH_TYPE_IPV6, IPPROTO_UDP, "set(sctp(dst=1))" },
        { ETH_TYPE_MPLS, 0, "set(ipv4(src=1.2.3.4)),pop_vlan" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct flow fl;
        base_flow(&fl, cases[i].dl_type, cases[i].proto);
        if (cases[i].dl_type == ETH_TYPE_MPLS) {
            fl.mpls_lse[0] = mpls_lse_from_parts(5, 0, 1, 9);
        }
        struct dp_packet *p = compose(&fl);
        struct dp_packet *q = run1(cases[i].actions, p);
        CHECK_MSG(dp_packet_equal(p, q), "%s changed the packet",
                  cases[i].actions);
        dp_packet_delete(p);
        dp_packet_delete(q);
    }

    /* A truncated IPv4 packet, and one whose l3 offset was never set. */
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
    dp_packet_set_size(p, 14 + 19);
    struct dp_packet *q = run1("set(ipv4(ttl=1))", p);
    CHECK(dp_packet_equal(p, q));
    dp_packet_delete(q);
    dp_packet_reset_offsets(p);
    dp_packet_set_size(p, 60);
    q = run1("set(ipv4(ttl=1)),set(tcp(src=1))", p);
    CHECK(dp_packet_equal(p, q));
    dp_packet_delete(p);
    dp_packet_delete(q);

    /* Too short for Ethernet. */
    p = dp_packet_clone_data("\1\2\3", 3);
    q = run1("push_vlan(vid=1,pcp=0),pop_vlan,set(eth(src=1:2:3:4:5:6)),"
             "push_mpls(label=1,tc=0,ttl=1,bos=1,eth_type=0x8847),"
             "pop_mpls(eth_type=0x800),hash(l4(0))", p);
    CHECK(dp_packet_equal(p, q));
    dp_packet_delete(p);
    dp_packet_delete(q);
}

TEST(push_pop_mpls)
{
    struct flow f0;
    base_flow(&f0, ETH_TYPE_IP, IPPROTO_TCP);
    f0.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    f0.vlans[0].tci = htons(5 | VLAN_CFI);
    struct dp_packet *p = compose(&f0);

    struct dp_packet *q = run1("push_mpls(label=100,tc=2,ttl=64,bos=1,"
                               "eth_type=0x8847),push_mpls(label=200,tc=0,"
                               "ttl=63,bos=0,eth_type=0x8847)", p);
    struct flow f;
    flow_extract(q, &f);
    CHECK_EQ(f.dl_type, htons(ETH_TYPE_MPLS));
    CHECK_EQ(vlan_tci_to_vid(f.vlans[0].tci), 5);
    CHECK_EQ(f.mpls_lse[0], mpls_lse_from_parts(200, 0, 0, 63));
    CHECK_EQ(f.mpls_lse[1], mpls_lse_from_parts(100, 2, 1, 64));
    CHECK_EQ(q->l2_5_ofs, 18);

    struct dp_packet *r = run1("pop_mpls(eth_type=0x8847)", q);
    CHECK_EQ(r->l2_5_ofs, 18);
    struct dp_packet *s = run1("pop_mpls(eth_type=0x800)", r);
    CHECK(dp_packet_equal(s, p));
    CHECK_EQ(s->l3_ofs, p->l3_ofs);
    CHECK_EQ(s->l2_5_ofs, DP_PACKET_OFS_UNSET);
    /* l3 is right, so a set on the result works. */
    struct dp_packet *t = run1("set(ipv4(ttl=1))", s);
    f = check_packet(t);
    CHECK_EQ(f.nw_ttl, 1);

    /* pop_mpls of a non-MPLS packet does nothing. */
    struct dp_packet *u = run1("pop_mpls(eth_type=0x800)", p);
    CHECK(dp_packet_equal(u, p));

    dp_packet_delete(p);
    dp_packet_delete(q);
    dp_packet_delete(r);
    dp_packet_delete(s);
    dp_packet_delete(t);
    dp_packet_delete(u);
}

TEST(hash_l4)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
    struct dp_packet *q = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
    struct dp_packet *r = compose_type(ETH_TYPE_IPV6, IPPROTO_UDP);

    struct dp_packet *a = run1("hash(l4(0))", p);
    struct dp_packet *b = run1("hash(l4(0))", q);
    struct dp_packet *c = run1("hash(l4(1))", p);
    struct dp_packet *d = run1("set(tcp(dst=81)),hash(l4(0))", p);
    struct dp_packet *e = run1("hash(l4(0))", r);
    CHECK_NE(a->md.dp_hash, 0);
    CHECK_EQ(a->md.dp_hash, b->md.dp_hash);
    CHECK_NE(a->md.dp_hash, c->md.dp_hash);
    CHECK_NE(a->md.dp_hash, d->md.dp_hash);
    CHECK_NE(e->md.dp_hash, 0);
    CHECK(dp_packet_equal(a, p));

    struct dp_packet *pp[] = { p, q, r, a, b, c, d, e };
    for (size_t i = 0; i < ARRAY_SIZE(pp); i++) {
        dp_packet_delete(pp[i]);
    }
}

TEST(sample)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct dp_packet_batch batch;

    /* Never, always, and about a quarter of the time. */
    static const struct {
        const char *text;
        int min, max;
    } cases[] = {
        { "sample(sample=0.0%,actions(2))", 0, 0 },
        { "sample(sample=100.0%,actions(2))", 400, 400 },
        { "sample(sample=25.0%,actions(2))", 60, 140 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int hits = 0;
        odp_execute_set_seed(test_seed());
        for (int j = 0; j < 400; j++) {
            reset_calls();
            dp_packet_batch_init_packet(&batch, p);
            execute(cases[i].text, &batch, false);
            hits += n_calls;
        }
        CHECK_GE(hits, cases[i].min);
        CHECK_LE(hits, cases[i].max);
    }

    /* Same seed, same choices. */
    int first[64], second[64];
    for (int round = 0; round < 2; round++) {
        odp_execute_set_seed(42);
        for (int j = 0; j < 64; j++) {
            reset_calls();
            dp_packet_batch_init_packet(&batch, p);
            execute("sample(sample=50.0%,actions(2))", &batch, false);
            (round ? second : first)[j] = n_calls;
        }
    }
    CHECK(!memcmp(first, second, sizeof first));

    /* Nested actions run on a copy: the outer packet is unchanged, the
     * sampled copy is changed. */
    reset_calls();
    dp_packet_batch_init_packet(&batch, dp_packet_clone(p));
    execute("sample(sample=100.0%,actions(set(udp(src=7)),2)),3", &batch,
            true);
    CHECK_EQ(n_calls, 2);
    CHECK_EQ(calls[0].arg, 2);
    CHECK(calls[0].should_steal);
    CHECK_EQ(ntohs(check_packet(calls[0].copy[0]).tp_src), 7);
    CHECK_EQ(calls[1].arg, 3);
    CHECK(dp_packet_equal(calls[1].copy[0], p));
    reset_calls();
    dp_packet_delete(p);
}

/* Output, modify, output: the first output sees the packets as they
 * were, the second as modified; only the last output may steal. */
TEST(batch_output_modify_output)
{
    struct dp_packet *orig[3];
    struct dp_packet_batch batch;

    dp_packet_batch_init(&batch);
    for (int i = 0; i < 3; i++) {
        orig[i] = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
        dp_packet_batch_add(&batch, dp_packet_clone(orig[i]));
    }

    reset_calls();
    execute("1,set(ipv4(ttl=9)),push_vlan(vid=7,pcp=0),2", &batch, true);
    CHECK_EQ(n_calls, 2);
    CHECK_EQ(batch.count, 0);
    CHECK(!calls[0].should_steal);
    CHECK(calls[1].should_steal);
    for (int i = 0; i < 3; i++) {
        CHECK(dp_packet_equal(calls[0].copy[i], orig[i]));
        struct flow f = check_packet(calls[1].copy[i]);
        CHECK_EQ(f.nw_ttl, 9);
        CHECK_EQ(vlan_tci_to_vid(f.vlans[0].tci), 7);
        /* Stolen, not copied: the executor handed over its packets. */
        CHECK(calls[1].seen[i] == calls[1].copy[i]);
    }
    reset_calls();
    for (int i = 0; i < 3; i++) {
        dp_packet_delete(orig[i]);
    }
}

/* Without MAY_STEAL the caller's packets are never freed or modified. */
TEST(batch_no_steal)
{
    struct dp_packet *p = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct dp_packet *keep = dp_packet_clone(p);
    struct dp_packet_batch batch;

    /* Outputs only: no clone at all, nothing stolen. */
    reset_calls();
    dp_packet_batch_init_packet(&batch, p);
    execute("1,userspace(pid=5),recirc(0x3)", &batch, false);
    CHECK_EQ(n_calls, 3);
    for (int i = 0; i < 3; i++) {
        CHECK(!calls[i].should_steal);
        CHECK(calls[i].seen[0] == p);
    }
    CHECK_EQ(calls[0].type, ODP_ACTION_OUTPUT);
    CHECK_EQ(calls[1].type, ODP_ACTION_USERSPACE);
    CHECK_EQ(calls[2].type, ODP_ACTION_RECIRC);
    CHECK_EQ(calls[2].arg, 3);
    CHECK_EQ(batch.count, 1);

    /* A modification works on a private clone, which the last output
     * may then steal. */
    reset_calls();
    execute("1,set(udp(dst=53)),2", &batch, false);
    CHECK_EQ(n_calls, 2);
    CHECK(calls[0].seen[0] == p);
    CHECK(!calls[0].should_steal);
    CHECK(calls[1].seen[0] != p);
    CHECK(calls[1].should_steal);
    CHECK_EQ(ntohs(check_packet(calls[1].copy[0]).tp_dst), 53);
    CHECK_EQ(batch.count, 1);
    CHECK(batch.packets[0] == p);
    CHECK(dp_packet_equal(p, keep));

    /* Modifications with no output at all: clones are freed (LSan would
     * see a leak), the caller's packet is untouched. */
    reset_calls();
    execute("set(udp(dst=1)),pop_vlan,hash(l4(0))", &batch, false);
    CHECK_EQ(n_calls, 0);
    CHECK(dp_packet_equal(p, keep));

    /* With MAY_STEAL and no output, the packets are freed. */
    execute("set(udp(dst=1))", &batch, true);
    CHECK_EQ(batch.count, 0);
    dp_packet_batch_init_packet(&batch, dp_packet_clone(keep));
    execute("drop", &batch, true);
    CHECK_EQ(batch.count, 0);

    /* No callback: datapath actions are skipped. */
    dp_packet_batch_init_packet(&batch, keep);
    struct odp_buf b = ODP_BUF_INITIALIZER;
    CHECK_NO_ERROR(odp_actions_parse("1,set(udp(dst=2)),2", &b));
    odp_execute_actions(NULL, &batch, true, b.data, b.size, NULL);
    CHECK_EQ(batch.count, 0);
    odp_buf_uninit(&b);
    reset_calls();
}

TEST(set_mpls_top_entry)
{
    struct flow fl;
    base_flow(&fl, ETH_TYPE_MPLS, 0);
    fl.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    fl.vlans[0].tci = htons(9 | VLAN_CFI);
    fl.mpls_lse[0] = mpls_lse_from_parts(100, 1, 0, 64);
    fl.mpls_lse[1] = mpls_lse_from_parts(200, 2, 1, 32);
    struct dp_packet *p = compose(&fl);

    struct dp_packet *q = run1("set(mpls(label=555,tc=7,ttl=9,bos=0))", p);
    struct flow f;
    flow_extract(q, &f);
    CHECK_EQ(f.mpls_lse[0], mpls_lse_from_parts(555, 7, 0, 9));
    CHECK_EQ(f.mpls_lse[1], fl.mpls_lse[1]);
    CHECK_EQ(dp_packet_size(q), dp_packet_size(p));

    /* Masked: only the low byte of the label and the TTL. */
    struct dp_packet *r = run1("set(mpls(label=0x3ff/0xff,ttl=1))", p);
    flow_extract(r, &f);
    CHECK_EQ(f.mpls_lse[0], mpls_lse_from_parts((100 & ~0xff) | 0xff, 1, 0,
                                                1));

    /* Not MPLS, or too short for a label: unchanged. */
    struct dp_packet *ip = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct dp_packet *s2 = run1("set(mpls(label=1,ttl=1))", ip);
    CHECK(dp_packet_equal(s2, ip));
    dp_packet_set_size(p, 18 + 2);
    struct dp_packet *t = run1("set(mpls(label=1,ttl=1))", p);
    CHECK(dp_packet_equal(t, p));

    struct dp_packet *pp[] = { p, q, r, ip, s2, t };
    for (size_t i = 0; i < ARRAY_SIZE(pp); i++) {
        dp_packet_delete(pp[i]);
    }
}

TEST(set_arp_fields)
{
    struct dp_packet *p = compose_type(ETH_TYPE_ARP, 0);
    struct dp_packet *q = run1("set(arp(sip=192.168.1.1,tip=192.168.1.2,"
                               "op=2,sha=00:00:5e:00:53:01,"
                               "tha=00:00:5e:00:53:02))", p);
    struct flow f = check_packet(q);
    struct eth_addr sha, tha;
    CHECK(eth_addr_from_string("00:00:5e:00:53:01", &sha));
    CHECK(eth_addr_from_string("00:00:5e:00:53:02", &tha));
    CHECK_EQ(f.nw_src, htonl(0xc0a80101));
    CHECK_EQ(f.nw_dst, htonl(0xc0a80102));
    CHECK_EQ(f.nw_proto, ARP_OP_REPLY);
    CHECK(eth_addr_equals(f.arp_sha, sha));
    CHECK(eth_addr_equals(f.arp_tha, tha));
    CHECK_EQ(dp_packet_size(q), dp_packet_size(p));
    /* Ethernet header untouched. */
    CHECK_MEMEQ(dp_packet_data(q), dp_packet_data(p), ETH_HEADER_LEN);

    /* Masked. */
    struct dp_packet *r = run1("set(arp(tip=0.0.0.99/0.0.0.255,"
                               "sha=ff:00:00:00:00:00/ff:00:00:00:00:00))",
                               p);
    f = check_packet(r);
    CHECK_EQ(f.nw_src, htonl(0x0a000001));
    CHECK_EQ(f.nw_dst, htonl(0x0a000063));
    CHECK_EQ(f.arp_sha.ea[0], 0xff);
    CHECK_EQ(f.arp_sha.ea[5], 0);
    CHECK_EQ(f.nw_proto, ARP_OP_REQUEST);

    /* Not ARP, not Ethernet/IPv4 ARP, truncated: unchanged. */
    struct dp_packet *ip = compose_type(ETH_TYPE_IP, IPPROTO_TCP);
    struct dp_packet *s2 = run1("set(arp(sip=1.1.1.1,op=2))", ip);
    CHECK(dp_packet_equal(s2, ip));
    struct arp_eth_header *arp = dp_packet_l3(p);
    arp->ar_hrd = htons(6);
    struct dp_packet *t = run1("set(arp(sip=1.1.1.1,op=2))", p);
    CHECK(dp_packet_equal(t, p));
    arp->ar_hrd = htons(ARP_HRD_ETHERNET);
    dp_packet_set_size(p, ETH_HEADER_LEN + ARP_ETH_HEADER_LEN - 1);
    struct dp_packet *u = run1("set(arp(tip=1.1.1.1))", p);
    CHECK(dp_packet_equal(u, p));

    struct dp_packet *pp[] = { p, q, r, ip, s2, t, u };
    for (size_t i = 0; i < ARRAY_SIZE(pp); i++) {
        dp_packet_delete(pp[i]);
    }
}

TEST(set_icmp_type_code_fix_checksums)
{
    struct dp_packet *p4 = compose_type(ETH_TYPE_IP, IPPROTO_ICMP);
    struct dp_packet *p6 = compose_type(ETH_TYPE_IPV6, IPPROTO_ICMPV6);

    struct dp_packet *q = run1("set(icmp(type=0,code=5))", p4);
    struct flow f = check_packet(q);
    CHECK_EQ(ntohs(f.tp_src), 0);
    CHECK_EQ(ntohs(f.tp_dst), 5);
    struct dp_packet *r = run1("set(icmp(code=0xf0/0xf0))", q);
    f = check_packet(r);
    CHECK_EQ(ntohs(f.tp_src), 0);
    CHECK_EQ(ntohs(f.tp_dst), 0xf5);

    /* ICMPv6: the checksum covers the pseudo-header; check_packet()
     * recomputes it in full. */
    struct dp_packet *s2 = run1("set(icmpv6(type=129,code=1))", p6);
    f = check_packet(s2);
    CHECK_EQ(f.nw_proto, IPPROTO_ICMPV6);
    CHECK_EQ(ntohs(f.tp_src), 129);
    CHECK_EQ(ntohs(f.tp_dst), 1);

    /* Each key only on its own IP version. */
    struct dp_packet *t = run1("set(icmpv6(type=1))", p4);
    CHECK(dp_packet_equal(t, p4));
    struct dp_packet *u = run1("set(icmp(type=1))", p6);
    CHECK(dp_packet_equal(u, p6));
    struct dp_packet *udp = compose_type(ETH_TYPE_IP, IPPROTO_UDP);
    struct dp_packet *v = run1("set(icmp(type=1))", udp);
    CHECK(dp_packet_equal(v, udp));

    struct dp_packet *pp[] = { p4, p6, q, r, s2, t, u, udp, v };
    for (size_t i = 0; i < ARRAY_SIZE(pp); i++) {
        dp_packet_delete(pp[i]);
    }
}

static struct dp_packet *
compose_nd(uint8_t type, bool sll, bool tll)
{
    struct flow fl;
    base_flow(&fl, ETH_TYPE_IPV6, IPPROTO_ICMPV6);
    fl.tp_src = htons(type);
    fl.tp_dst = 0;
    CHECK(ipv6_parse("2001:db8::99", &fl.nd_target));
    if (sll) {
        CHECK(eth_addr_from_string("00:00:5e:00:53:aa", &fl.arp_sha));
    }
    if (tll) {
        CHECK(eth_addr_from_string("00:00:5e:00:53:bb", &fl.arp_tha));
    }
    struct dp_packet *p = compose(&fl);
    struct flow f = check_packet(p);
    CHECK(ipv6_addr_equals(&f.nd_target, &fl.nd_target));
    return p;
}

TEST(set_nd_rewrites_in_place)
{
    struct in6_addr target;
    struct eth_addr sll, tll, old_sll, old_tll;
    CHECK(ipv6_parse("fe80::1:2", &target));
    CHECK(eth_addr_from_string("02:00:00:00:00:01", &sll));
    CHECK(eth_addr_from_string("02:00:00:00:00:02", &tll));
    CHECK(eth_addr_from_string("00:00:5e:00:53:aa", &old_sll));
    CHECK(eth_addr_from_string("00:00:5e:00:53:bb", &old_tll));
    const char *all = "set(nd(target=fe80::1:2,sll=02:00:00:00:00:01,"
                      "tll=02:00:00:00:00:02))";

    /* Solicitation with SLL: target and SLL change; no TLL appears. */
    struct dp_packet *ns = compose_nd(ND_NEIGHBOR_SOLICIT, true, false);
    struct dp_packet *q = run1(all, ns);
    struct flow f = check_packet(q);
    CHECK(ipv6_addr_equals(&f.nd_target, &target));
    CHECK(eth_addr_equals(f.arp_sha, sll));
    CHECK(eth_addr_is_zero(f.arp_tha));
    CHECK_EQ(dp_packet_size(q), dp_packet_size(ns));

    /* Advertisement with TLL. */
    struct dp_packet *na = compose_nd(ND_NEIGHBOR_ADVERT, false, true);
    struct dp_packet *r = run1(all, na);
    f = check_packet(r);
    CHECK(ipv6_addr_equals(&f.nd_target, &target));
    CHECK(eth_addr_is_zero(f.arp_sha));
    CHECK(eth_addr_equals(f.arp_tha, tll));

    /* Both options, only the TLL asked for (masked), and the target
     * masked. */
    struct dp_packet *both = compose_nd(ND_NEIGHBOR_ADVERT, true, true);
    struct dp_packet *s2 = run1("set(nd(target=::ff/::ff,"
                                "tll=00:00:00:00:00:77/00:00:00:00:00:ff))",
                                both);
    f = check_packet(s2);
    struct in6_addr t2;
    CHECK(ipv6_parse("2001:db8::ff", &t2));
    CHECK(ipv6_addr_equals(&f.nd_target, &t2));
    CHECK(eth_addr_equals(f.arp_sha, old_sll));
    old_tll.ea[5] = 0x77;
    CHECK(eth_addr_equals(f.arp_tha, old_tll));

    /* An option of length zero ends the walk: the SLL after it stays.
     * (The checksum is made right again first.) */
    struct dp_packet *bad = compose_nd(ND_NEIGHBOR_SOLICIT, true, false);
    uint8_t *l4 = dp_packet_l4(bad);
    struct ip6_header *ip6 = dp_packet_l3(bad);
    size_t l4_len = ntohs(ip6->ip6_payload_len);
    uint8_t *opt = l4 + ND_MSG_LEN;
    opt[1] = 0;
    ((struct icmp6_header *) l4)->icmp6_cksum = 0;
    ((struct icmp6_header *) l4)->icmp6_cksum
        = packet_csum_upperlayer6(ip6, l4, IPPROTO_ICMPV6, l4_len);
    struct dp_packet *t = run1("set(nd(sll=02:00:00:00:00:01))", bad);
    CHECK(dp_packet_equal(t, bad));
    /* Truncated options (the IPv6 payload length says where ND ends). */
    opt[1] = 2;
    ((struct icmp6_header *) l4)->icmp6_cksum = 0;
    ((struct icmp6_header *) l4)->icmp6_cksum
        = packet_csum_upperlayer6(ip6, l4, IPPROTO_ICMPV6, l4_len);
    struct dp_packet *u = run1("set(nd(sll=02:00:00:00:00:01))", bad);
    CHECK(dp_packet_equal(u, bad));

    /* Not ND: unchanged. */
    struct dp_packet *echo = compose_type(ETH_TYPE_IPV6, IPPROTO_ICMPV6);
    struct dp_packet *v = run1(all, echo);
    CHECK(dp_packet_equal(v, echo));
    struct dp_packet *ip4 = compose_type(ETH_TYPE_IP, IPPROTO_ICMP);
    struct dp_packet *w = run1(all, ip4);
    CHECK(dp_packet_equal(w, ip4));
    /* Too short for the target. */
    dp_packet_set_size(ns, ETH_HEADER_LEN + IPV6_HEADER_LEN + 20);
    ip6 = dp_packet_l3(ns);
    ip6->ip6_payload_len = htons(20);
    struct dp_packet *x = run1(all, ns);
    CHECK(dp_packet_equal(x, ns));

    struct dp_packet *pp[] = { ns, q, na, r, both, s2, bad, t, u, echo, v,
                               ip4, w, x };
    for (size_t i = 0; i < ARRAY_SIZE(pp); i++) {
        dp_packet_delete(pp[i]);
    }
}

/* A callback that, for meter actions, drops the packets whose sequence
 * (the index in 'calls') is odd, as a meter's drop band would, and
 * otherwise records like record_cb(). */
static void
meter_cb(void *aux, struct dp_packet_batch *batch,
         const struct odp_attr *a, bool should_steal)
{
    struct dp_packet *packet;

    if (odp_attr_type(a) != ODP_ACTION_METER) {
        record_cb(aux, batch, a, should_steal);
        return;
    }
    CHECK(!should_steal);
    record_cb(aux, batch, a, false);
    uint32_t keep_mask = odp_attr_get_u32(a);
    DP_PACKET_BATCH_REFILL_FOR_EACH (i, n, packet, batch) {
        if (keep_mask & (1u << i)) {
            dp_packet_batch_refill(batch, packet, i);
        } else {
            dp_packet_delete(packet);
        }
    }
}

TEST(meter_action_hands_over_owned_packets)
{
    struct dp_packet *orig[4];
    struct dp_packet_batch batch;
    struct odp_buf b = ODP_BUF_INITIALIZER;

    dp_packet_batch_init(&batch);
    for (int i = 0; i < 4; i++) {
        struct flow fl;
        base_flow(&fl, ETH_TYPE_IP, IPPROTO_UDP);
        fl.tp_src = htons(i);
        orig[i] = compose(&fl);
        dp_packet_batch_add(&batch, orig[i]);
    }

    /* Without MAY_STEAL the meter works on clones: the caller's batch
     * keeps all four packets, unchanged; output 1 sees the packets the
     * meter kept (mask 0b0101: 0 and 2). */
    reset_calls();
    CHECK_NO_ERROR(odp_actions_parse("meter(5),1", &b));
    odp_execute_actions(&calls, &batch, false, b.data, b.size, meter_cb);
    CHECK_EQ(n_calls, 2);
    CHECK_EQ(calls[0].type, ODP_ACTION_METER);
    CHECK_EQ(calls[0].count, 4);
    CHECK(calls[0].seen[0] != orig[0]);
    CHECK(!calls[0].should_steal);
    CHECK_EQ(calls[1].type, ODP_ACTION_OUTPUT);
    CHECK_EQ(calls[1].count, 2);
    CHECK(calls[1].should_steal);
    CHECK_EQ(ntohs(check_packet(calls[1].copy[0]).tp_src), 0);
    CHECK_EQ(ntohs(check_packet(calls[1].copy[1]).tp_src), 2);
    CHECK_EQ(batch.count, 4);
    for (int i = 0; i < 4; i++) {
        CHECK(batch.packets[i] == orig[i]);
    }

    /* A meter that drops everything ends the list. */
    reset_calls();
    odp_buf_clear(&b);
    CHECK_NO_ERROR(odp_actions_parse("meter(0),1,userspace(pid=1)", &b));
    odp_execute_actions(&calls, &batch, false, b.data, b.size, meter_cb);
    CHECK_EQ(n_calls, 1);
    CHECK_EQ(batch.count, 4);

    /* Without a callback meters let everything through, and no clone is
     * made for them. */
    reset_calls();
    odp_buf_clear(&b);
    CHECK_NO_ERROR(odp_actions_parse("meter(0),meter(1)", &b));
    odp_execute_actions(&calls, &batch, false, b.data, b.size, NULL);
    CHECK_EQ(batch.count, 4);

    /* With MAY_STEAL the meter gets the caller's packets themselves, and
     * the packets after output 1 are freed. */
    reset_calls();
    odp_buf_clear(&b);
    CHECK_NO_ERROR(odp_actions_parse("meter(14),1,set(udp(src=9))", &b));
    odp_execute_actions(&calls, &batch, true, b.data, b.size, meter_cb);
    CHECK_EQ(n_calls, 2);
    CHECK(calls[0].seen[1] == orig[1]);
    CHECK_EQ(calls[1].count, 3);
    CHECK(!calls[1].should_steal);
    CHECK_EQ(batch.count, 0);
    reset_calls();
    odp_buf_uninit(&b);
}

/* Random action lists on random packets keep every checksum valid. */
TEST(random_actions_keep_checksums_valid)
{
    static const uint16_t dl_types[] = { ETH_TYPE_IP, ETH_TYPE_IPV6,
                                         ETH_TYPE_ARP, ETH_TYPE_MPLS };
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
                                      IPPROTO_ICMP, IPPROTO_ICMPV6 };

    for (int iter = 0; iter < 1000; iter++) {
        struct flow fl;
        uint16_t dl_type = dl_types[test_random() % ARRAY_SIZE(dl_types)];
        uint8_t proto = protos[test_random() % ARRAY_SIZE(protos)];
        if ((proto == IPPROTO_ICMP && dl_type == ETH_TYPE_IPV6)
            || (proto == IPPROTO_ICMPV6 && dl_type == ETH_TYPE_IP)) {
            proto = IPPROTO_UDP;
        }
        base_flow(&fl, dl_type, proto);
        fl.nw_src ^= test_random();
        fl.nw_dst ^= test_random();
        fl.ipv6_src.s6_addr[test_random() % 16] ^= test_random();
        fl.tp_src ^= test_random();
        fl.nw_ttl = test_random();
        if (dl_type == ETH_TYPE_MPLS) {
            fl.mpls_lse[0] = htonl(test_random()) | htonl(MPLS_BOS_MASK);
        } else if (proto == IPPROTO_ICMPV6 && test_random() % 2) {
            fl.tp_src = htons(test_random() % 2 ? ND_NEIGHBOR_SOLICIT
                              : ND_NEIGHBOR_ADVERT);
            fl.tp_dst = 0;
            fl.nd_target = fl.ipv6_dst;
            fl.nd_target.s6_addr[15] ^= test_random();
            fl.arp_sha = eth_addr_from_uint64(test_random() % 2
                                              ? test_random64() : 0);
            fl.arp_tha = eth_addr_from_uint64(test_random() % 2
                                              ? test_random64() : 0);
        }
        if (test_random() % 2) {
            fl.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
            fl.vlans[0].tci = htons(test_random() | VLAN_CFI);
        }
        struct dp_packet *p = compose(&fl);
        struct flow f0 = check_packet(p);

        /* flow_extract() sees at most two tags, so keep to that. */
        int tags = fl.vlans[0].qtag ? 1 : 0;
        struct odp_buf b = ODP_BUF_INITIALIZER;
        for (int n = 1 + test_random() % 6; n > 0; n--) {
            uint8_t key[64], mask[64];
            for (size_t i = 0; i < sizeof key; i++) {
                key[i] = test_random();
                mask[i] = test_random() % 2 ? 0xff : test_random();
            }
            int r = test_random() % (ODP_N_KEYS + 1);
            if (r < ODP_N_KEYS - 1) {
                odp_put_set_field(&b, 1 + r, key,
                                  test_random() % 2 ? mask : NULL);
            } else if (r == ODP_N_KEYS - 1 && tags < 2) {
                tags++;
                odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021AD),
                                  htons(test_random() | VLAN_CFI));
            } else if (r == ODP_N_KEYS && tags > 0) {
                tags--;
                odp_put_pop_vlan(&b);
            }
        }
        odp_put_output(&b, 1);
        CHECK(!odp_actions_check(b.data, b.size));

        struct dp_packet_batch batch;
        dp_packet_batch_init_packet(&batch, p);
        reset_calls();
        odp_execute_actions(&calls, &batch, false, b.data, b.size,
                            record_cb);
        CHECK_EQ(n_calls, 1);
        struct flow f = check_packet(calls[0].copy[0]);
        CHECK_EQ(f.dl_type, fl.dl_type);
        if (dl_type != ETH_TYPE_ARP) {      /* set(arp(op=..)) changes it. */
            CHECK_EQ(f.nw_proto, f0.nw_proto);
        }
        reset_calls();
        dp_packet_delete(p);
        odp_buf_uninit(&b);
    }
}
