/* Tests for datapath/odp-actions: encoding, validation, text. */
#include <config.h>
#include "datapath/odp-actions.h"

#include <errno.h>
#include "datapath/conntrack.h"
#include "dynamic-string.h"
#include "packets.h"
#include "test.h"

static void
check_text(const struct odp_buf *b, const char *expected)
{
    CHECK(!odp_actions_check(b->data, b->size));
    char *s = odp_actions_to_string(b->data, b->size);
    CHECK_STREQ(s, expected);
    free(s);
}

/* Parses TEXT, checks that it formats back to itself and that it encodes
 * to the same bytes as EXPECTED (if nonnull). */
static void
check_round_trip(const char *text, const struct odp_buf *expected)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    char *error = odp_actions_parse(text, &b);
    CHECK_MSG(!error, "%s: %s", text, error);
    CHECK_MSG(!odp_actions_check(b.data, b.size), "%s: %s", text,
              odp_actions_check(b.data, b.size));
    char *s = odp_actions_to_string(b.data, b.size);
    CHECK_STREQ(s, text);
    free(s);
    if (expected) {
        CHECK(odp_actions_equal(b.data, b.size,
                                expected->data, expected->size));
    }
    odp_buf_uninit(&b);
}

TEST(format_each_action)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;

    check_text(&b, "drop");

    odp_put_output(&b, 2);
    check_text(&b, "2");

    odp_buf_clear(&b);
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021Q), htons(10 | VLAN_CFI));
    odp_put_output(&b, 2);
    check_text(&b, "push_vlan(vid=10,pcp=0),2");
    check_round_trip("push_vlan(vid=10,pcp=0),2", &b);

    odp_buf_clear(&b);
    odp_put_push_vlan(&b, htons(ETH_TYPE_VLAN_8021AD),
                      htons(100 | VLAN_CFI | (5 << VLAN_PCP_SHIFT)));
    check_text(&b, "push_vlan(tpid=0x88a8,vid=100,pcp=5)");

    odp_buf_clear(&b);
    odp_put_pop_vlan(&b);
    odp_put_output(&b, 1);
    odp_put_output(&b, 2);
    check_text(&b, "pop_vlan,1,2");
    check_round_trip("pop_vlan,1,2", &b);

    odp_buf_clear(&b);
    odp_put_recirc(&b, 1);
    check_text(&b, "recirc(0x1)");
    check_round_trip("recirc(0x1)", &b);

    odp_buf_clear(&b);
    odp_put_hash(&b, 7);
    check_text(&b, "hash(l4(7))");

    odp_buf_clear(&b);
    odp_put_userspace(&b, 0, NULL, 0);
    check_text(&b, "userspace(pid=0)");
    odp_buf_clear(&b);
    odp_put_userspace(&b, 4000, "\x01\x02\xab", 3);
    check_text(&b, "userspace(pid=4000,userdata(0102ab))");
    check_round_trip("userspace(pid=4000,userdata(0102ab))", &b);

    odp_buf_clear(&b);
    odp_put_push_mpls(&b, mpls_lse_from_parts(13, 0, 1, 64),
                      htons(ETH_TYPE_MPLS));
    odp_put_pop_mpls(&b, htons(ETH_TYPE_IP));
    check_text(&b, "push_mpls(label=13,tc=0,ttl=64,bos=1,eth_type=0x8847),"
               "pop_mpls(eth_type=0x800)");

    odp_buf_clear(&b);
    size_t ofs = odp_start_sample(&b, UINT32_MAX / 2);
    odp_put_output(&b, 1);
    odp_put_pop_vlan(&b);
    odp_end_sample(&b, ofs);
    odp_put_output(&b, 3);
    check_text(&b, "sample(sample=50.0%,actions(1,pop_vlan)),3");
    check_round_trip("sample(sample=50.0%,actions(1,pop_vlan)),3", &b);

    odp_buf_uninit(&b);
}

TEST(format_set_fields)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;

    struct odp_key_ipv4 ip = {
        .src = htonl(0x0a000001), .dst = htonl(0x0a000002),
        .tos = 0, .ttl = 64,
    };
    odp_put_set_field(&b, ODP_KEY_IPV4, &ip, NULL);
    check_text(&b, "set(ipv4(src=10.0.0.1,dst=10.0.0.2,tos=0,ttl=64))");

    odp_buf_clear(&b);
    struct odp_key_ipv4 ipm = { .src = htonl(0xffffff00) };
    odp_put_set_field(&b, ODP_KEY_IPV4, &ip, &ipm);
    check_text(&b, "set(ipv4(src=10.0.0.0/255.255.255.0))");

    odp_buf_clear(&b);
    struct odp_key_ethernet eth = {
        .src = { { { 0, 1, 2, 3, 4, 5 } } },
        .dst = { { { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf } } },
    };
    odp_put_set_field(&b, ODP_KEY_ETHERNET, &eth, NULL);
    check_text(&b, "set(eth(src=00:01:02:03:04:05,dst=0a:0b:0c:0d:0e:0f))");

    odp_buf_clear(&b);
    struct odp_key_l4 l4 = { .src = htons(80), .dst = htons(8080) };
    struct odp_key_l4 l4m = { .dst = htons(0xff00) };
    odp_put_set_field(&b, ODP_KEY_TCP, &l4, NULL);
    odp_put_set_field(&b, ODP_KEY_UDP, &l4, &l4m);
    odp_put_set_field(&b, ODP_KEY_SCTP, &l4, NULL);
    check_text(&b, "set(tcp(src=80,dst=8080)),set(udp(dst=7936/0xff00)),"
               "set(sctp(src=80,dst=8080))");

    odp_buf_clear(&b);
    struct odp_key_ipv6 ip6;
    memset(&ip6, 0, sizeof ip6);
    CHECK(ipv6_parse("2001:db8::1", &ip6.src));
    CHECK(ipv6_parse("fe80::2", &ip6.dst));
    ip6.label = htonl(0x12345);
    ip6.tclass = 0x10;
    ip6.hlimit = 3;
    odp_put_set_field(&b, ODP_KEY_IPV6, &ip6, NULL);
    check_text(&b, "set(ipv6(src=2001:db8::1,dst=fe80::2,label=0x12345,"
               "tclass=0x10,hlimit=3))");

    odp_buf_clear(&b);
    struct odp_key_mpls mpls = { mpls_lse_from_parts(100, 3, 1, 64) };
    struct odp_key_mpls mplsm = { htonl(MPLS_TTL_MASK | MPLS_TC_MASK) };
    odp_put_set_field(&b, ODP_KEY_MPLS, &mpls, NULL);
    odp_put_set_field(&b, ODP_KEY_MPLS, &mpls, &mplsm);
    check_text(&b, "set(mpls(label=100,tc=3,ttl=64,bos=1)),"
               "set(mpls(tc=3,ttl=64))");

    odp_buf_clear(&b);
    struct odp_key_arp arp = {
        .sip = htonl(0xc0a80001), .tip = htonl(0xc0a80002),
        .op = htons(ARP_OP_REPLY),
        .sha = { { { 0, 1, 2, 3, 4, 5 } } },
        .tha = { { { 6, 7, 8, 9, 10, 11 } } },
        .pad = { 0xff, 0xff },          /* Ignored by the builder. */
    };
    odp_put_set_field(&b, ODP_KEY_ARP, &arp, NULL);
    check_text(&b, "set(arp(sip=192.168.0.1,tip=192.168.0.2,op=2,"
               "sha=00:01:02:03:04:05,tha=06:07:08:09:0a:0b))");
    /* 4 + 4 + 24 + 24 bytes; the reserved bytes are zero. */
    CHECK_EQ(b.size, 56);
    CHECK_EQ(((uint8_t *) b.data)[8 + 22], 0);
    CHECK_EQ(((uint8_t *) b.data)[8 + 24 + 22], 0);

    odp_buf_clear(&b);
    struct odp_key_icmp icmp = { .type = 3, .code = 4 };
    struct odp_key_icmp icmpm = { .type = 0xff };
    odp_put_set_field(&b, ODP_KEY_ICMP, &icmp, NULL);
    odp_put_set_field(&b, ODP_KEY_ICMPV6, &icmp, &icmpm);
    check_text(&b, "set(icmp(type=3,code=4)),set(icmpv6(type=3))");

    odp_buf_clear(&b);
    struct odp_key_nd nd;
    memset(&nd, 0, sizeof nd);
    CHECK(ipv6_parse("2001:db8::7", &nd.target));
    nd.sll = (struct eth_addr) { { { 0xa, 0, 0, 0, 0, 1 } } };
    nd.tll = (struct eth_addr) { { { 0xa, 0, 0, 0, 0, 2 } } };
    odp_put_set_field(&b, ODP_KEY_ND, &nd, NULL);
    check_text(&b, "set(nd(target=2001:db8::7,sll=0a:00:00:00:00:01,"
               "tll=0a:00:00:00:00:02))");

    odp_buf_clear(&b);
    odp_put_meter(&b, 12);
    odp_put_output(&b, 1);
    check_text(&b, "meter(12),1");
    check_round_trip("meter(12),1", &b);
    CHECK_EQ(b.size, 16);
    CHECK_EQ(((struct odp_attr *) b.data)->type, ODP_ACTION_METER);
    odp_buf_uninit(&b);
}

TEST(round_trips)
{
    static const char *const texts[] = {
        "drop",
        "1",
        "4294967295",
        "push_vlan(vid=4095,pcp=7),push_vlan(tpid=0x88a8,vid=0,pcp=0),5",
        "set(eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:ff))",
        "set(eth(dst=ff:ff:ff:ff:ff:ff))",
        "set(ipv4(dst=192.168.0.7/255.255.0.255,ttl=3/0xf))",
        "set(ipv4(tos=0xfc))",
        "set(ipv6(src=2001::/ffff::,hlimit=255))",
        "set(ipv6(label=0xf0f0f/0xf0f0f))",
        "set(ipv4())",
        "set(tcp(src=1/0x1,dst=65535))",
        "recirc(0xffffffff),hash(l4(4294967295))",
        "userspace(pid=1,userdata(00))",
        "push_mpls(label=1048575,tc=7,ttl=255,bos=0,eth_type=0x8848)",
        "pop_mpls(eth_type=0x8847),pop_mpls(eth_type=0x86dd)",
        "sample(sample=0.0%,actions(drop))",
        "sample(sample=100.0%,actions(sample(sample=12.5%,actions(1)),2))",
        "sample(sample=33.3333333333%,actions(1))",
        "set(mpls(label=1048575,tc=7,ttl=255,bos=1))",
        "set(mpls(label=10/0xff,ttl=64))",
        "set(mpls(tc=5/0x5,bos=0))",
        "set(arp(sip=10.0.0.1,tip=10.0.0.2,op=2,sha=00:01:02:03:04:05,"
        "tha=ff:ff:ff:ff:ff:ff))",
        "set(arp(sip=10.0.0.0/255.0.0.0,op=1/0xff,"
        "tha=00:00:00:00:00:01/00:00:00:00:00:ff))",
        "set(icmp(type=8,code=0))",
        "set(icmp(code=3/0xf))",
        "set(icmpv6(type=129,code=0)),set(icmpv6(type=128/0x80))",
        "set(nd(target=2001:db8::1,sll=00:11:22:33:44:55,"
        "tll=66:77:88:99:aa:bb))",
        "set(nd(target=fe80::/ffff::))",
        "set(nd(tll=00:00:00:00:00:01/00:00:00:00:00:ff))",
        "meter(0)",
        "meter(4294967295),2,meter(7),sample(sample=50.0%,actions(meter(1)))",
        "ct", "ct_clear", "ct(commit)", "ct(commit,force,zone=65535)",
        "ct(zone=1,mark=0x5/0xff)", "ct(commit,mark=0/0xffffffff)",
        "ct(commit,label=0x1/0x1)",
        "ct(commit,label=0xff000000000000000000000000000001/"
        "0xffffffffffffffffffffffffffffffff)",
        "ct(timeout=7)", "ct(nat)", "ct(commit,nat(src))",
        "ct(commit,nat(src=10.0.0.1))",
        "ct(commit,nat(src=10.0.0.1-10.0.0.255:1024-65535,persistent,"
        "random))",
        "ct(commit,nat(dst=192.168.1.2:80,hash))",
        "ct(commit,nat(dst=:8080))",
        "ct(commit,zone=3,nat(src=[fe80::1]-[fe80::ff]:1-2))",
        "ct(commit,nat(dst=[2001:db8::1]))",
        "ct(zone=2,nat),ct_clear,recirc(0x5),1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        check_round_trip(texts[i], NULL);
    }

    /* White space and leading zeros are accepted, not kept. */
    struct odp_buf b = ODP_BUF_INITIALIZER;
    CHECK_NO_ERROR(odp_actions_parse(" pop_vlan , 0x2 ,recirc( 1 )", &b));
    check_text(&b, "pop_vlan,2,recirc(0x1)");
    odp_buf_uninit(&b);
}

TEST(parse_errors)
{
    static const char *const bad[] = {
        "", "  ", "drop,1", "1,drop", "1,,2", "1,", "foo", "foo(1)",
        "99999999999", "-1", "1x", "pop_vlan(1)", "pop_vlan)", "(",
        "push_vlan(vid=4096)", "push_vlan(pcp=1)", "push_vlan(vid=1,pcp=8)",
        "push_vlan(tpid=0x800,vid=1)", "push_vlan(vid=1,cfi=0)",
        "push_vlan(vid=1,vid=2)", "push_vlan(vid=1,x=2)", "push_vlan(vid)",
        "set()", "set(ipv4)", "set(arp(sip=1))", "set(ipv4(proto=6))",
        "set(arp(op=65536))", "set(arp(sha=1:2:3))", "set(arp(ttl=1))",
        "set(mpls(label=1048576))", "set(mpls(tc=8))", "set(mpls(bos=2))",
        "set(mpls(ttl=256))", "set(mpls(eth_type=1))", "set(icmp(type=256))",
        "set(icmp(code=-1))", "set(icmpv6(type=1,id=2))",
        "set(nd(target=1.2.3.4))", "set(nd(sll=x))", "set(nd(tll))",
        "set(nd(op=1))", "set(vlan(vid=1))", "meter()", "meter(x)",
        "meter(4294967296)", "meter(1,2)", "meter", "meter(-1)",
        "set(ipv4(src=1.2.3))", "set(ipv4(ttl=256))", "set(ipv4(ttl=1/x))",
        "set(ipv6(label=0x100000))", "set(eth(src=zz))", "set(tcp(src))",
        "set(ipv4(src=1.1.1.1))x", "recirc()", "recirc(x)", "hash(l3(0))",
        "hash(l4())", "userspace()", "userspace(pid=1,userdata(0))",
        "userspace(pid=1,userdata(zz))", "userspace(pid=1,pid=2)",
        "userspace(userdata(00))", "push_mpls(label=1)",
        "push_mpls(label=1,tc=0,ttl=1,bos=1,eth_type=0x800)",
        "pop_mpls(0x800)", "pop_mpls(eth_type=0x10000)",
        "sample(sample=50%)", "sample(sample=101%,actions(1))",
        "sample(sample=-1%,actions(1))", "sample(sample=50,actions(1))",
        "sample(sample=nan%,actions(1))", "sample(sample=1%,actions())",
        "sample(sample=1%,actions(1),x)",
        "sample(sample=1%,actions(sample(sample=1%,actions(sample("
        "sample=1%,actions(sample(sample=1%,actions(sample(sample=1%,"
        "actions(1))))))))))",
        "1)", "((1)",
        "ct(", "ct(x)", "ct(zone=65536)", "ct(zone=x)", "ct(mark=0x1/0x0)",
        "ct(label=0x1/0x0)", "ct(label=0xg)",
        "ct(label=0x112233445566778899aabbccddeeff001)", "ct(commit=1)",
        "ct(nat(src,dst))", "ct(nat(persistent))", "ct(nat(src,hash,random))",
        "ct(nat(src=10.0.0.2-10.0.0.1))", "ct(nat(src=:0))",
        "ct(nat(src=:5-4))", "ct(nat(src=10.0.0.1:70000))",
        "ct(nat(src=[fe80::1]-10.0.0.1))", "ct(nat(src=[fe80::1))",
        "ct(nat(src=1.2.3))", "ct(nat(bogus))", "ct(nat(random=1))",
        "ct(timeout=-1)", "ct_clear(1)",
    };
    struct odp_buf b = ODP_BUF_INITIALIZER;

    odp_put_output(&b, 9);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = odp_actions_parse(bad[i], &b);
        CHECK_MSG(error, "\"%s\" parsed without error", bad[i]);
        CHECK_GT(strlen(error), 5);
        CHECK_EQ(b.size, 8);        /* Restored. */
        free(error);
    }
    odp_buf_uninit(&b);

    /* The messages say what is wrong. */
    char *error = odp_actions_parse("set(ipv4(proto=6))", &b);
    CHECK(strstr(error, "proto"));
    free(error);
    error = odp_actions_parse("bogus", &b);
    CHECK(strstr(error, "bogus"));
    free(error);
    odp_buf_uninit(&b);
}

/* An aligned copy of raw bytes, for the validator. */
struct raw {
    uint32_t words[64];
    size_t size;
};

static void
raw_put(struct raw *r, const void *p, size_t n)
{
    plx_assert(r->size + n <= sizeof r->words);
    if (!n) {
        return;
    }
    memcpy((uint8_t *) r->words + r->size, p, n);
    r->size += n;
}

static void
raw_attr(struct raw *r, uint16_t len, uint16_t type, const void *payload,
         size_t n)
{
    struct odp_attr a = { .len = len, .type = type };
    raw_put(r, &a, sizeof a);
    raw_put(r, payload, n);
}

static void
check_invalid(const struct raw *r)
{
    const char *error = odp_actions_check(r->words, r->size);
    CHECK(error);
    CHECK_EQ(odp_actions_validate(r->words, r->size), EINVAL);
    /* Formatting malformed input never crashes and says so. */
    char *s = odp_actions_to_string(r->words, r->size);
    CHECK(strstr(s, "<malformed: "));
    free(s);
}

TEST(validate_rejects_malformed)
{
    static const uint8_t zeros[64];
    uint32_t u32 = 5;
    struct raw r;

#define RESET() memset(&r, 0, sizeof r)
    RESET(); raw_put(&r, zeros, 2); check_invalid(&r);           /* Short. */
    RESET(); raw_attr(&r, 3, ODP_ACTION_OUTPUT, NULL, 0);
    check_invalid(&r);                                            /* len<4 */
    RESET(); raw_attr(&r, 12, ODP_ACTION_OUTPUT, &u32, 4);
    check_invalid(&r);                                  /* len past end. */
    RESET(); raw_attr(&r, 6, ODP_ACTION_OUTPUT, zeros, 4);
    check_invalid(&r);                                    /* Wrong size. */
    RESET(); raw_attr(&r, 8, 99, &u32, 4); check_invalid(&r);  /* Type. */
    RESET(); raw_attr(&r, 8, 0, &u32, 4); check_invalid(&r);
    RESET(); raw_attr(&r, 8, ODP_ACTION_OUTPUT, &u32, 4);
    raw_put(&r, zeros, 2); check_invalid(&r);              /* Trailing. */
    RESET(); raw_attr(&r, 5, ODP_ACTION_USERSPACE, "\0\0\0\0\1\1\0\0", 8);
    check_invalid(&r);                                /* Nonzero padding. */
    RESET(); raw_attr(&r, 4, ODP_ACTION_USERSPACE, NULL, 0);
    check_invalid(&r);                                 /* No pid. */
    RESET(); raw_attr(&r, 8, ODP_ACTION_PUSH_VLAN, "\x08\x00\x10\x01", 4);
    check_invalid(&r);                                      /* TPID. */
    RESET(); raw_attr(&r, 8, ODP_ACTION_PUSH_VLAN, "\x81\x00\x00\x01", 4);
    check_invalid(&r);                                      /* No CFI. */
    RESET(); raw_attr(&r, 12, ODP_ACTION_HASH, "\1\0\0\0\0\0\0\0", 8);
    check_invalid(&r);                                    /* Algorithm. */
    RESET(); raw_attr(&r, 12, ODP_ACTION_PUSH_MPLS,
                      "\0\0\x11\0\x08\x00\0\0", 8);
    check_invalid(&r);                              /* MPLS ethertype. */
    RESET(); raw_attr(&r, 8, ODP_ACTION_POP_MPLS, "\x08\x00\1\0", 4);
    check_invalid(&r);                                   /* Reserved. */
    RESET(); raw_attr(&r, 4, ODP_ACTION_SAMPLE, NULL, 0);
    check_invalid(&r);                             /* No probability. */

    /* Set: value outside mask, wrong key size, unknown key, two keys,
     * nonzero reserved bytes, wide label. */
    struct {
        struct odp_attr set, key;
        struct odp_key_l4 v, m;
    } s = { { 16, ODP_ACTION_SET }, { 12, ODP_KEY_TCP },
            { htons(3), 0 }, { htons(1), 0 } };
    RESET(); raw_put(&r, &s, sizeof s); check_invalid(&r);
    s.v.src = htons(1);
    RESET(); raw_put(&r, &s, sizeof s);
    CHECK(!odp_actions_check(r.words, r.size));
    s.key.type = ODP_KEY_IPV4;
    RESET(); raw_put(&r, &s, sizeof s); check_invalid(&r);
    s.key.type = 77;
    RESET(); raw_put(&r, &s, sizeof s); check_invalid(&r);
    s.key.type = ODP_KEY_TCP;
    s.set.len = 20;
    RESET(); raw_put(&r, &s, sizeof s); raw_put(&r, zeros, 4);
    check_invalid(&r);

    struct {
        struct odp_attr set, key;
        struct odp_key_ipv4 v, m;
    } s4 = { { 32, ODP_ACTION_SET }, { 28, ODP_KEY_IPV4 }, { 0 }, { 0 } };
    RESET(); raw_put(&r, &s4, sizeof s4);
    CHECK(!odp_actions_check(r.words, r.size));
    s4.m.pad[1] = 1;
    RESET(); raw_put(&r, &s4, sizeof s4); check_invalid(&r);

    struct {
        struct odp_attr set, key;
        struct odp_key_ipv6 v, m;
    } s6;
    memset(&s6, 0, sizeof s6);
    s6.set = (struct odp_attr) { 88, ODP_ACTION_SET };
    s6.key = (struct odp_attr) { 84, ODP_KEY_IPV6 };
    s6.m.label = htonl(0x100000);
    RESET(); raw_put(&r, &s6, sizeof s6); check_invalid(&r);

    /* Set arp: reserved bytes; the new keys' sizes are exact. */
    struct {
        struct odp_attr set, key;
        struct odp_key_arp v, m;
    } sa;
    memset(&sa, 0, sizeof sa);
    sa.set = (struct odp_attr) { 56, ODP_ACTION_SET };
    sa.key = (struct odp_attr) { 52, ODP_KEY_ARP };
    RESET(); raw_put(&r, &sa, sizeof sa);
    CHECK(!odp_actions_check(r.words, r.size));
    sa.m.pad[0] = 0x80;
    RESET(); raw_put(&r, &sa, sizeof sa); check_invalid(&r);
    sa.m.pad[0] = 0;
    sa.v.op = htons(1);                         /* Outside the mask. */
    RESET(); raw_put(&r, &sa, sizeof sa); check_invalid(&r);
    sa.v.op = 0;
    sa.key.type = ODP_KEY_ND;                   /* 2 * 28 != 48. */
    RESET(); raw_put(&r, &sa, sizeof sa); check_invalid(&r);

    struct {
        struct odp_attr set, key;
        struct odp_key_icmp v, m;
    } si = { { 12, ODP_ACTION_SET }, { 8, ODP_KEY_ICMPV6 },
             { 1, 0 }, { 0xff, 0 } };
    RESET(); raw_put(&r, &si, sizeof si);
    CHECK(!odp_actions_check(r.words, r.size));
    si.key.type = ODP_KEY_MPLS;                 /* 2 * 4 != 4. */
    RESET(); raw_put(&r, &si, sizeof si); check_invalid(&r);
    si.key.type = ODP_N_KEYS;
    RESET(); raw_put(&r, &si, sizeof si); check_invalid(&r);

    /* Meter: exactly a 32-bit id. */
    RESET(); raw_attr(&r, 8, ODP_ACTION_METER, &u32, 4);
    CHECK(!odp_actions_check(r.words, r.size));
    RESET(); raw_attr(&r, 6, ODP_ACTION_METER, &u32, 4); check_invalid(&r);
    RESET(); raw_attr(&r, 4, ODP_ACTION_METER, NULL, 0); check_invalid(&r);
    RESET(); raw_attr(&r, 12, ODP_ACTION_METER, zeros, 8);
    check_invalid(&r);
    RESET(); raw_attr(&r, 8, ODP_N_ACTIONS, &u32, 4); check_invalid(&r);

    /* Misaligned. */
    struct odp_buf b = ODP_BUF_INITIALIZER;
    odp_put_output(&b, 1);
    RESET(); raw_put(&r, zeros, 1); raw_put(&r, b.data, b.size);
    CHECK(odp_actions_check((uint8_t *) r.words + 1, b.size));
    odp_buf_uninit(&b);
#undef RESET
}

TEST(nesting_limit)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;
    size_t ofs[ODP_MAX_NESTING + 1];

    for (int i = 0; i <= ODP_MAX_NESTING; i++) {
        ofs[i] = odp_start_sample(&b, 1);
    }
    odp_put_output(&b, 1);
    for (int i = ODP_MAX_NESTING; i >= 0; i--) {
        odp_end_sample(&b, ofs[i]);
    }
    CHECK(odp_actions_check(b.data, b.size));

    /* One level fewer is fine; a truncated nested list is not. */
    odp_buf_clear(&b);
    for (int i = 0; i < ODP_MAX_NESTING; i++) {
        ofs[i] = odp_start_sample(&b, 1);
    }
    odp_put_output(&b, 1);
    for (int i = ODP_MAX_NESTING - 1; i >= 0; i--) {
        odp_end_sample(&b, ofs[i]);
    }
    CHECK(!odp_actions_check(b.data, b.size));
    ((struct odp_attr *) b.data)->len -= 4;
    CHECK(odp_actions_check(b.data, b.size - 4));
    odp_buf_uninit(&b);
}

TEST(hash_and_equal)
{
    struct odp_buf a = ODP_BUF_INITIALIZER, b = ODP_BUF_INITIALIZER;

    CHECK_NO_ERROR(odp_actions_parse("push_vlan(vid=1,pcp=0),2", &a));
    CHECK_NO_ERROR(odp_actions_parse("push_vlan(vid=1,pcp=0), 2", &b));
    CHECK(odp_actions_equal(a.data, a.size, b.data, b.size));
    CHECK_EQ(odp_actions_hash(a.data, a.size, 0),
             odp_actions_hash(b.data, b.size, 0));
    odp_buf_clear(&b);
    CHECK_NO_ERROR(odp_actions_parse("push_vlan(vid=1,pcp=0),3", &b));
    CHECK(!odp_actions_equal(a.data, a.size, b.data, b.size));
    CHECK(odp_actions_equal(NULL, 0, NULL, 0));
    odp_buf_uninit(&a);
    odp_buf_uninit(&b);
}

static void
put_random_action(struct odp_buf *b, int depth)
{
    uint8_t key[64], mask[64];

    for (size_t i = 0; i < sizeof key; i++) {
        key[i] = test_random();
        mask[i] = test_random() % 3 ? 0xff : test_random();
    }
    switch (test_random() % 14) {
    case 0:
        odp_put_output(b, test_random());
        break;
    case 1: {
        uint8_t data[16];
        memcpy(data, key, sizeof data);
        odp_put_userspace(b, test_random(), data, test_random() % 17);
        break;
    }
    case 2:
        odp_put_push_vlan(b, htons(test_random() % 2 ? ETH_TYPE_VLAN_8021Q
                                   : ETH_TYPE_VLAN_8021AD),
                          htons(test_random() | VLAN_CFI));
        break;
    case 3:
        odp_put_pop_vlan(b);
        break;
    case 4:
        odp_put_set_field(b, 1 + test_random() % (ODP_N_KEYS - 1), key,
                          test_random() % 2 ? mask : NULL);
        break;
    case 5:
        odp_put_recirc(b, test_random());
        break;
    case 6:
        odp_put_hash(b, test_random());
        break;
    case 7:
        odp_put_push_mpls(b, test_random(), htons(ETH_TYPE_MPLS));
        break;
    case 8:
        odp_put_pop_mpls(b, test_random());
        break;
    case 9:
        odp_put_meter(b, test_random());
        break;
    case 10: {
        struct odp_ct ct;
        memset(&ct, 0, sizeof ct);
        ct.flags = test_random() & (ODP_CT_COMMIT | ODP_CT_FORCE);
        ct.zone = test_random();
        if (test_random() % 2) {
            ct.flags |= ODP_CT_SET_MARK;
            ct.mark_mask = test_random() | 1;
            ct.mark = test_random() & ct.mark_mask;
        }
        if (test_random() % 2) {
            ct.flags |= ODP_CT_SET_LABEL;
            ct.label_mask.u64.hi = test_random();
            ct.label_mask.u64.lo = test_random() | 1;
            ct.label.u64.lo = test_random() & ct.label_mask.u64.lo;
        }
        if (test_random() % 2) {
            ct.flags |= ODP_CT_NAT;
            ct.nat_flags = test_random() % 2 ? CT_NAT_SRC : CT_NAT_DST;
            ct.nat_flags |= test_random() % 2 ? CT_NAT_PERSISTENT : 0;
            ct.nat_flags |= test_random() % 2 ? CT_NAT_HASH : 0;
            if (test_random() % 2) {
                ct.nat_flags |= CT_NAT_RANGE_PORT;
                ct.nat_min_port = 1 + test_random() % 1000;
                ct.nat_max_port = ct.nat_min_port + test_random() % 1000;
            }
            if (test_random() % 2) {
                ct.nat_flags |= CT_NAT_RANGE_ADDR;
                ct.nat_ipv6 = test_random() % 2;
                if (ct.nat_ipv6) {
                    ct.nat_min_addr.ipv6.s6_addr[0] = 0xfe;
                    ct.nat_max_addr.ipv6.s6_addr[0] = 0xfe;
                    ct.nat_max_addr.ipv6.s6_addr[15] = test_random();
                } else {
                    ct.nat_min_addr.ipv4 = htonl(0x0a000001);
                    ct.nat_max_addr.ipv4 = htonl(0x0a000001
                                                 + test_random() % 9);
                }
            }
        }
        ct.timeout_policy = test_random() % 2 ? test_random() : 0;
        odp_put_ct(b, &ct);
        break;
    }
    case 11:
        odp_put_ct_clear(b);
        break;
    default:
        if (depth < ODP_MAX_NESTING) {
            size_t ofs = odp_start_sample(b, test_random());
            for (int n = test_random() % 3; n > 0; n--) {
                put_random_action(b, depth + 1);
            }
            odp_end_sample(b, ofs);
        }
        break;
    }
}

TEST(random_round_trip)
{
    for (int iter = 0; iter < 2000; iter++) {
        struct odp_buf b = ODP_BUF_INITIALIZER;
        struct odp_buf c = ODP_BUF_INITIALIZER;

        for (int n = test_random() % 6; n > 0; n--) {
            put_random_action(&b, 0);
        }
        CHECK_MSG(!odp_actions_check(b.data, b.size), "%s",
                  odp_actions_check(b.data, b.size));
        char *s = odp_actions_to_string(b.data, b.size);
        char *error = odp_actions_parse(s, &c);
        CHECK_MSG(!error, "%s: %s", s, error);
        CHECK_MSG(odp_actions_equal(b.data, b.size, c.data, c.size),
                  "%s did not round-trip", s);
        free(s);

        /* Flipping any one byte either keeps the list valid or is
         * caught; either way the formatter copes. */
        if (b.size) {
            size_t i = test_random() % b.size;
            ((uint8_t *) b.data)[i] ^= 1 << (test_random() % 8);
            odp_actions_check(b.data, b.size);
            free(odp_actions_to_string(b.data, b.size));
            /* Truncation is always caught (sizes are exact). */
            size_t cut = test_random() % b.size;
            if (cut % 4) {
                CHECK(odp_actions_check(b.data, cut));
            }
            free(odp_actions_to_string(b.data, cut));
        }
        odp_buf_uninit(&b);
        odp_buf_uninit(&c);
    }
}
