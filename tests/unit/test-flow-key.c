/* Tests for lib/flow's flow keys as values: flow_compose() round trips
 * and checksums, hashing and equality, wildcards, and the match that
 * flow_wildcards_init_for_packet() makes of a packet, printed as
 * "ovs-ofctl parse-pcap" prints it. */
#include <config.h>
#include "flow.h"

#include <endian.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "match.h"
#include "packet-builder.h"
#include "packets.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* flow_compose() round trips. */

enum proto_kind {
    K_TCP4, K_UDP4, K_SCTP4, K_ICMP4, K_OTHER4,
    K_TCP6, K_UDP6, K_SCTP6, K_ICMP6, K_ND, K_OTHER6,
    K_ARP, K_RARP, K_MPLS, K_LLDP, K_8023,
    N_KINDS
};

static struct eth_addr
random_mac(void)
{
    return eth_addr_from_uint64(test_random64() & 0xffffffffffffULL);
}

static struct in6_addr
random_in6(void)
{
    struct in6_addr a;
    for (int i = 0; i < 16; i++) {
        a.s6_addr[i] = test_random();
    }
    return a;
}

static void
random_l4(struct flow *f, uint8_t proto)
{
    f->nw_proto = proto;
    if (f->nw_frag & FLOW_NW_FRAG_LATER) {
        return;
    }
    f->tp_src = test_random();
    f->tp_dst = test_random();
    if (proto == IPPROTO_TCP) {
        f->tcp_flags = htons(test_random() & TCP_FLAGS_MASK);
    }
}

static void
random_flow(struct flow *f, enum proto_kind kind)
{
    static const uint8_t frags[] = {
        0, 0, FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER,
    };

    memset(f, 0, sizeof *f);
    f->in_port = test_random();
    f->recirc_id = test_random() % 4;
    f->dp_hash = test_random();
    f->skb_priority = test_random() % 8;
    f->pkt_mark = test_random();
    f->ct_state = test_random() & 0xff;
    f->ct_zone = test_random();
    f->ct_mark = test_random();
    f->ct_label.u64.hi = test_random64();
    f->tunnel.tun_id = test_random64();
    f->tunnel.ip_dst = test_random();
    f->tunnel.tp_dst = htons(4789);
    f->dl_src = random_mac();
    f->dl_dst = random_mac();

    /* 0, 1 or 2 VLAN headers. */
    int n_vlans = test_random() % 3;
    for (int i = 0; i < n_vlans; i++) {
        f->vlans[i].tpid = htons(i == 0 && n_vlans == 2
                                 ? ETH_TYPE_VLAN_8021AD
                                 : ETH_TYPE_VLAN_8021Q);
        f->vlans[i].tci = htons((test_random() & ~VLAN_CFI) | VLAN_CFI);
    }

    bool v6 = kind >= K_TCP6 && kind <= K_OTHER6;
    bool v4 = kind <= K_OTHER4;
    if (v4 || v6) {
        f->dl_type = htons(v4 ? ETH_TYPE_IP : ETH_TYPE_IPV6);
        f->nw_tos = test_random();
        f->nw_ttl = test_random();
        f->nw_frag = frags[test_random() % ARRAY_SIZE(frags)];
        if (v4) {
            f->nw_src = test_random();
            f->nw_dst = test_random();
        } else {
            f->ipv6_src = random_in6();
            f->ipv6_dst = random_in6();
            f->ipv6_label = htonl(test_random() & IPV6_LABEL_MASK);
        }
    }

    switch (kind) {
    case K_TCP4: case K_TCP6:
        random_l4(f, IPPROTO_TCP);
        break;
    case K_UDP4: case K_UDP6:
        random_l4(f, IPPROTO_UDP);
        break;
    case K_SCTP4: case K_SCTP6:
        random_l4(f, IPPROTO_SCTP);
        break;
    case K_ICMP4: case K_ICMP6:
        f->nw_proto = kind == K_ICMP4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
        if (!(f->nw_frag & FLOW_NW_FRAG_LATER)) {
            f->tp_src = htons(test_random() % 256);
            f->tp_dst = htons(test_random() % 256);
            if (kind == K_ICMP6 && !f->tp_dst
                && (f->tp_src == htons(ND_NEIGHBOR_SOLICIT)
                    || f->tp_src == htons(ND_NEIGHBOR_ADVERT))) {
                f->tp_dst = htons(1);
            }
        }
        break;
    case K_ND:
        f->nw_proto = IPPROTO_ICMPV6;
        if (!(f->nw_frag & FLOW_NW_FRAG_LATER)) {
            f->tp_src = htons(test_random() % 2 ? ND_NEIGHBOR_SOLICIT
                              : ND_NEIGHBOR_ADVERT);
            f->nd_target = random_in6();
            if (test_random() % 2) {
                f->arp_sha = random_mac();
            }
            if (test_random() % 2) {
                f->arp_tha = random_mac();
            }
        }
        break;
    case K_OTHER4: case K_OTHER6:
        f->nw_proto = (const uint8_t[]) { 47, 89, 103, 253 }
                      [test_random() % 4];
        break;
    case K_ARP: case K_RARP:
        f->dl_type = htons(kind == K_ARP ? ETH_TYPE_ARP : ETH_TYPE_RARP);
        f->nw_proto = test_random();
        f->nw_src = test_random();
        f->nw_dst = test_random();
        f->arp_sha = random_mac();
        f->arp_tha = random_mac();
        break;
    case K_MPLS: {
        f->dl_type = htons(test_random() % 2 ? ETH_TYPE_MPLS
                           : ETH_TYPE_MPLS_MCAST);
        int n = 1 + test_random() % FLOW_MAX_MPLS_LABELS;
        for (int i = 0; i < n; i++) {
            f->mpls_lse[i] = mpls_lse_from_parts(test_random(),
                                                 test_random(), i == n - 1,
                                                 1 + test_random() % 255);
        }
        break;
    }
    case K_LLDP:
        f->dl_type = htons(ETH_TYPE_LLDP);
        break;
    case K_8023:
        f->dl_type = htons(FLOW_DL_TYPE_NONE);
        break;
    case N_KINDS:
    default:
        PLX_NOT_REACHED();
    }

    /* A later IPv6 fragment's flow names the fragment header, not the
     * transport (see flow_extract()). */
    if (v6 && f->nw_frag & FLOW_NW_FRAG_LATER) {
        f->nw_proto = IPPROTO_FRAGMENT;
    }
}

/* Checks every checksum in composed packet P. */
static void
check_checksums(const struct dp_packet *p, const struct flow *f)
{
    const uint8_t *l3 = dp_packet_l3(p);
    const uint8_t *l4 = dp_packet_l4(p);
    bool has_csum = (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                     || f->nw_proto == IPPROTO_ICMP
                     || f->nw_proto == IPPROTO_ICMPV6);

    if (f->nw_frag & FLOW_NW_FRAG_LATER) {
        CHECK(l4 == NULL);
        l4 = NULL;
    }

    if (f->dl_type == htons(ETH_TYPE_IP) && l3) {
        const struct ip_header *ip = (const void *) l3;
        CHECK_EQ(csum(ip, IP_HEADER_LEN), 0);
        size_t l4_len = ntohs(ip->ip_tot_len) - IP_HEADER_LEN;
        if (l4 && has_csum) {
            uint32_t partial = f->nw_proto == IPPROTO_ICMP ? 0
                : csum_pseudoheader4(f->nw_src, f->nw_dst, f->nw_proto,
                                     l4_len);
            CHECK_EQ(csum_finish(csum_continue(partial, l4, l4_len)), 0);
        }
    } else if (f->dl_type == htons(ETH_TYPE_IPV6) && l3 && l4
               && has_csum) {
        size_t l4_len = (const uint8_t *) dp_packet_tail(p) - l4;
        uint32_t partial = csum_pseudoheader6(&f->ipv6_src, &f->ipv6_dst,
                                              f->nw_proto, l4_len);
        CHECK_EQ(csum_finish(csum_continue(partial, l4, l4_len)), 0);
    }
    if (l4 && f->nw_proto == IPPROTO_SCTP) {
        struct sctp_header sh;
        memcpy(&sh, l4, sizeof sh);
        plx_be32 want = get_16aligned_be32(&sh.sctp_csum);
        put_16aligned_be32(&sh.sctp_csum, 0);
        CHECK_EQ(sctp_csum(&sh, sizeof sh), want);
    }
}

TEST(compose_extract_round_trip)
{
    struct dp_packet *p = dp_packet_new(0);

    for (int iter = 0; iter < 20000; iter++) {
        enum proto_kind kind = iter % N_KINDS;
        struct flow f, g;

        random_flow(&f, kind);
        flow_compose(p, &f);
        CHECK_GE(dp_packet_size(p), ETH_TOTAL_MIN);
        check_checksums(p, &f);

        /* Extract from an exact-size copy, whose metadata compose set. */
        struct dp_packet *q = dp_packet_clone(p);
        flow_extract(q, &g);
        if (!flow_equal(&f, &g)) {
            char *a = flow_to_string(&f), *b = flow_to_string(&g);
            test_fail(TEST_WHERE, "kind %d iter %d:\n  %s\n  %s",
                      kind, iter, a, b);
        }
        CHECK_EQ(q->l3_ofs, p->l3_ofs);
        CHECK_EQ(q->l4_ofs, p->l4_ofs);
        dp_packet_delete(q);
    }
    dp_packet_delete(p);
}

TEST(compose_matches_hand_built)
{
    /* A composed TCP packet is byte-compatible with a hand-built one in
     * every field flow_extract() looks at, and its UDP twin has a correct
     * length. */
    struct flow f;
    memset(&f, 0, sizeof f);
    f.dl_src = mac_a;
    f.dl_dst = mac_b;
    f.dl_type = htons(ETH_TYPE_IP);
    f.nw_src = htonl(0x0a000001);
    f.nw_dst = htonl(0x0a000002);
    f.nw_proto = IPPROTO_UDP;
    f.nw_ttl = 64;
    f.tp_src = htons(1234);
    f.tp_dst = htons(53);

    struct dp_packet *p = dp_packet_new(0);
    flow_compose(p, &f);
    const uint8_t *d = dp_packet_data(p);
    CHECK_EQ(dp_packet_size(p), 60);
    CHECK_EQ(d[12], 0x08);
    CHECK_EQ(d[14], 0x45);
    CHECK_EQ((d[16] << 8) | d[17], 28);         /* IP total length. */
    CHECK_EQ((d[38] << 8) | d[39], 8);          /* UDP length. */
    CHECK_EQ((d[36] << 8) | d[37], 53);
    dp_packet_delete(p);
}

/* ------------------------------------------------------------------ */
/* Hashing, equality, wildcards. */

TEST(hash_and_equal)
{
    struct flow a, b;

    random_flow(&a, K_TCP4);
    b = a;
    CHECK(flow_equal(&a, &b));
    CHECK_EQ(flow_hash(&a, 0), flow_hash(&b, 0));
    CHECK_NE(flow_hash(&a, 0), flow_hash(&a, 1));

    int collisions = 0;
    for (size_t i = 0; i < sizeof b; i++) {
        b = a;
        ((uint8_t *) &b)[i] ^= 1;
        CHECK(!flow_equal(&a, &b));
        collisions += flow_hash(&a, 0) == flow_hash(&b, 0);
    }
    CHECK_LE(collisions, 1);
}

TEST(wildcards)
{
    struct flow_wildcards wc, wc2;
    struct flow f, g;

    flow_wildcards_init_catchall(&wc);
    CHECK(flow_wildcards_is_catchall(&wc));
    random_flow(&f, K_UDP6);
    g = f;
    flow_zero_wildcards(&g, &wc);
    struct flow zero;
    memset(&zero, 0, sizeof zero);
    CHECK(flow_equal(&g, &zero));

    flow_wildcards_init_exact(&wc);
    CHECK(!flow_wildcards_is_catchall(&wc));
    CHECK_EQ(wc.masks.pad3[0], 0);
    CHECK_EQ(wc.masks.nw_src, 0xffffffff);
    CHECK_EQ(ntohs(wc.masks.tcp_flags), TCP_FLAGS_MASK);
    g = f;
    flow_zero_wildcards(&g, &wc);
    CHECK(flow_equal(&g, &f));

    /* Keep only nw_proto and tp_dst. */
    flow_wildcards_init_catchall(&wc2);
    CHECK(!flow_wildcards_equal(&wc, &wc2));
    wc2.masks.nw_proto = 0xff;
    wc2.masks.tp_dst = htons(0xff00);
    g = f;
    flow_zero_wildcards(&g, &wc2);
    CHECK_EQ(g.nw_proto, IPPROTO_UDP);
    CHECK_EQ(g.tp_dst, f.tp_dst & htons(0xff00));
    CHECK_EQ(g.tp_src, 0);
    CHECK(ipv6_is_zero(&g.ipv6_src));
}

/* ------------------------------------------------------------------ */
/* A packet's match, as "ovs-ofctl parse-pcap" prints it. */

/* Extracts B, makes the match flow_wildcards_init_for_packet() says, and
 * checks that its text contains each of the NULL-terminated WANT strings
 * and none of the NOT strings, and that the text parses back to itself. */
static void
check_packet_text(const struct pb *b, const char *const *want,
                  const char *const *not)
{
    struct match m, m2;
    struct dp_packet *p = extract(b, &m.flow);

    flow_wildcards_init_for_packet(&m.wc, &m.flow);
    match_normalize(&m);
    char *s = match_to_string(&m, 32768);
    for (; *want; want++) {
        CHECK_MSG(strstr(s, *want) != NULL, "\"%s\" lacks \"%s\"", s, *want);
    }
    for (; not && *not; not++) {
        CHECK_MSG(strstr(s, *not) == NULL, "\"%s\" has \"%s\"", s, *not);
    }
    char *error = match_parse(s, &m2, NULL);
    CHECK_MSG(!error, "\"%s\": %s", s, error);
    char *s2 = match_to_string(&m2, 32768);
    CHECK_STREQ(s2, s);
    free(s2);
    free(s);
    dp_packet_delete(p);
}

static void
pb_udp4(struct pb *b)
{
    size_t ip = pb_ipv4(b, 5, IPPROTO_UDP, 0);
    pb_udp(b, 1, 2);
    pb_ipv4_end(b, ip);
}

TEST(packet_match_text)
{
    struct pb b;

    /* Untagged: "vlan_tci=0x0000" says so; no inner header. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    pb_udp4(&b);
    check_packet_text(&b, (const char *[]) {
        "udp,in_port=7,vlan_tci=0x0000,dl_src=00:11:22:33:44:55,"
        "dl_dst=66:77:88:99:aa:bb,nw_src=10.0.0.1,nw_dst=192.168.1.2,"
        "nw_tos=184,nw_ecn=1,nw_ttl=64,nw_frag=no,tp_src=1,tp_dst=2",
        NULL }, (const char *[]) { "vlan_tci1", NULL });

    /* One tag: the absent inner one is "vlan_tci1=0x0000". */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_VLAN_8021Q);
    pb_u16(&b, (5 << 13) | 100);
    pb_u16(&b, ETH_TYPE_IP);
    pb_udp4(&b);
    check_packet_text(&b, (const char *[]) {
        "udp,in_port=7,dl_vlan=100,dl_vlan_pcp=5,vlan_tci1=0x0000,dl_src=",
        NULL }, NULL);

    /* QinQ, and three tags (the third is the EtherType). */
    for (int n = 2; n <= 3; n++) {
        b.n = 0;
        pb_eth_addrs(&b);
        for (int i = 0; i < n; i++) {
            pb_u16(&b, i ? ETH_TYPE_VLAN_8021Q : ETH_TYPE_VLAN_8021AD);
            pb_u16(&b, (i << 13) | (10 * (i + 1)));
        }
        pb_u16(&b, ETH_TYPE_IP);
        pb_udp4(&b);
        check_packet_text(&b, (const char *[]) {
            ",dl_vlan=10,dl_vlan_pcp=0,dl_vlan1=20,dl_vlan_pcp1=1,dl_src=",
            n == 3 ? "dl_type=0x8100" : "udp,", NULL },
            (const char *[]) { "vlan_tci", "dl_vlan2", NULL });
    }

    /* MPLS: the label stack entries down to the bottom of the stack, at
     * most three (as many as Open vSwitch keeps). */
    static const struct {
        int n;
        bool bos;
        const char *want;
        const char *not;
    } mpls[] = {
        { 1, true, "mpls_ttl=64,mpls_bos=1", "mpls_lse1" },
        { 2, true, "mpls_bos=0,mpls_lse1=4100927", "mpls_lse2" },
        { 3, true, "mpls_lse1=4100671,mpls_lse2=4105534", "mpls_lse3" },
        { 4, true, "mpls_lse1=4100671,mpls_lse2=4105278", "mpls_lse3" },
        { 2, false, "mpls_lse1=4100671,mpls_lse2=0", "mpls_lse3" },
        { 0, false, "mpls_label=0,mpls_tc=0,mpls_ttl=0,mpls_bos=0,"
          "mpls_lse1=0,mpls_lse2=0", "mpls_lse3" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(mpls); i++) {
        b.n = 0;
        pb_mpls(&b, mpls[i].n, mpls[i].bos);
        check_packet_text(&b, (const char *[]) { "mpls,", mpls[i].want,
                                                 NULL },
                          (const char *[]) { mpls[i].not, NULL });
    }

    /* A later IPv6 fragment: nw_proto is the fragment header's. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_FRAGMENT);
    pb_u8(&b, IPPROTO_UDP);
    pb_u8(&b, 0);
    pb_u16(&b, 1448);
    pb_u32(&b, 1);
    pb_udp(&b, 1, 2);
    pb_ipv6_end(&b, ip6);
    check_packet_text(&b, (const char *[]) {
        "ipv6,", ",ipv6_label=0xbeef1,nw_proto=44,nw_tos=44,nw_ecn=1,"
        "nw_ttl=255,nw_frag=later", NULL },
        (const char *[]) { "tp_src", NULL });

    /* IPv4 whose total length runs past the capture: no L3 at all. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    pb_udp4(&b);
    b.n--;
    check_packet_text(&b, (const char *[]) {
        "ip,in_port=7,", ",nw_src=0.0.0.0,nw_dst=0.0.0.0,nw_proto=0,"
        "nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no", NULL },
        (const char *[]) { "tp_src", NULL });

    /* ICMP with fewer than 8 bytes: type and code read as 0. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_ICMP, 0);
    pb_u8(&b, 3);
    pb_u8(&b, 1);
    pb_u16(&b, 0);
    pb_ipv4_end(&b, ip);
    check_packet_text(&b, (const char *[]) {
        "icmp,", "nw_frag=no,icmp_type=0,icmp_code=0", NULL }, NULL);
    pb_zeros(&b, 4);
    pb_ipv4_end(&b, ip);
    check_packet_text(&b, (const char *[]) {
        "nw_frag=no,icmp_type=3,icmp_code=1", NULL }, NULL);
}

/* Whatever flow_extract() makes of a packet, well-formed (composed from a
 * random flow) or not (random bytes behind plausible headers), its packet
 * match prints as text that parses back to the same text.
 *
 * One known exception, inherited from ovs-ofctl: for ND, the packet match
 * covers both nd_sll and nd_tll (ovs-ofctl prints both), but nd_tll only
 * applies to a solicitation and nd_sll to an advertisement, so that text
 * does not parse back (ovs-ofctl drops the field, Plexus refuses it).
 * The test drops that field itself before checking the rest. */
TEST(packet_text_parses_back)
{
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_RARP,
        ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_VLAN_8021Q,
        ETH_TYPE_VLAN_8021AD, 0x0020,
    };
    struct dp_packet *p = dp_packet_new(0);

    for (int iter = 0; iter < 30000; iter++) {
        struct match m, m2;

        if (iter % 2) {
            struct flow f;
            random_flow(&f, iter / 2 % N_KINDS);
            flow_compose(p, &f);
        } else {
            struct pb b = { .n = 0 };
            size_t len = 14 + test_random() % 120;

            pb_eth_addrs(&b);
            pb_u16(&b, types[test_random() % ARRAY_SIZE(types)]);
            while (b.n < len) {
                pb_u8(&b, test_random());
            }
            if (iter % 3 == 0 && len >= 24) {
                /* An IPv4 or IPv6 header whose length fits the frame,
                 * with a protocol worth parsing. */
                static const uint8_t protos[] = {
                    IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP,
                    IPPROTO_ICMPV6, IPPROTO_IGMP, IPPROTO_FRAGMENT,
                    IPPROTO_HOPOPTS, IPPROTO_AH,
                };
                uint8_t proto = protos[test_random() % ARRAY_SIZE(protos)];
                bool v4 = iter % 4;

                pb_set16(&b, 12, v4 ? ETH_TYPE_IP : ETH_TYPE_IPV6);
                b.buf[14] = v4 ? 0x45 : 0x60;
                if (v4) {
                    pb_set16(&b, 16, len - 14);
                    pb_set16(&b, 20, test_random() % 4 ? 0 : 0x2000);
                    b.buf[23] = proto;
                } else if (len >= 54) {
                    pb_set16(&b, 18, len - 54);
                    b.buf[20] = proto;
                }
            }
            dp_packet_clear(p);
            dp_packet_put(p, b.buf, b.n);
        }
        flow_extract(p, &m.flow);
        flow_wildcards_init_for_packet(&m.wc, &m.flow);
        match_normalize(&m);
        if (m.wc.masks.tp_src && m.flow.nw_proto == IPPROTO_ICMPV6
            && !m.flow.tp_dst) {
            if (m.flow.tp_src == htons(ND_NEIGHBOR_SOLICIT)) {
                CHECK(!eth_addr_is_zero(m.wc.masks.arp_tha));
                m.wc.masks.arp_tha = eth_addr_zero;
            } else if (m.flow.tp_src == htons(ND_NEIGHBOR_ADVERT)) {
                CHECK(!eth_addr_is_zero(m.wc.masks.arp_sha));
                m.wc.masks.arp_sha = eth_addr_zero;
            }
            match_normalize(&m);
        }

        char *s = match_to_string(&m, 32768);
        char *error = match_parse(s, &m2, NULL);
        CHECK_MSG(!error, "\"%s\": %s", s, error);
        char *s2 = match_to_string(&m2, 32768);
        CHECK_MSG(!strcmp(s, s2), "\n  %s\n  %s", s, s2);
        free(s);
        free(s2);
    }
    dp_packet_delete(p);
}
