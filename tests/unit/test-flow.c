/* Tests for lib/flow: flow_extract() on hand-built packets of every
 * protocol with exact field checks, and malformed and truncated packets.
 * (flow_compose(), hashing, wildcards and a packet's match text are
 * tested in test-flow-key.c, pcap files in test-packets.c.) */
#include <config.h>
#include "flow.h"

#include <endian.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "packet-builder.h"
#include "packets.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Each protocol, exactly. */

TEST(tcp_ipv4)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_TCP, 0x4000);   /* DF. */
    pb_tcp(&b, 12345, 80, TCP_SYN | TCP_ECE | TCP_NS);
    pb_bytes(&b, "payload", 7);
    pb_ipv4_end(&b, ip);

    struct dp_packet *p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_IP);
    CHECK_EQ(f.vlans[0].qtag, 0);
    CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
    CHECK_EQ(ntohl(f.nw_dst), 0xc0a80102);
    CHECK_EQ(f.nw_proto, IPPROTO_TCP);
    CHECK_EQ(f.nw_tos, 0xb9);
    CHECK_EQ(f.nw_ttl, 64);
    CHECK_EQ(f.nw_frag, 0);
    CHECK_EQ(ntohs(f.tp_src), 12345);
    CHECK_EQ(ntohs(f.tp_dst), 80);
    CHECK_EQ(ntohs(f.tcp_flags), TCP_SYN | TCP_ECE | TCP_NS);
    CHECK_EQ(p->l2_5_ofs, DP_PACKET_OFS_UNSET);
    CHECK_EQ(p->l3_ofs, 14);
    CHECK_EQ(p->l4_ofs, 34);

    char *s = flow_to_string(&f);
    CHECK_STREQ(s, "in_port=7,dl_src=00:11:22:33:44:55,"
                "dl_dst=66:77:88:99:aa:bb,dl_type=0x0800,nw_src=10.0.0.1,"
                "nw_dst=192.168.1.2,nw_proto=6,nw_tos=184,nw_ecn=1,"
                "nw_ttl=64,nw_frag=no,tp_src=12345,tp_dst=80,"
                "tcp_flags=syn|ece|ns");
    free(s);
    dp_packet_delete(p);
}

TEST(udp_ipv6)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_UDP);
    pb_udp(&b, 546, 547);
    pb_ipv6_end(&b, ip6);
    pb_zeros(&b, 6);                    /* Ethernet padding. */

    struct dp_packet *p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_IPV6);
    CHECK_MEMEQ(&f.ipv6_src, ip6_src, 16);
    CHECK_MEMEQ(&f.ipv6_dst, ip6_dst, 16);
    CHECK_EQ(ntohl(f.ipv6_label), 0xbeef1);
    CHECK_EQ(f.nw_tos, 0x2d);
    CHECK_EQ(f.nw_ttl, 255);
    CHECK_EQ(f.nw_proto, IPPROTO_UDP);
    CHECK_EQ(ntohs(f.tp_src), 546);
    CHECK_EQ(ntohs(f.tp_dst), 547);
    CHECK_EQ(f.tcp_flags, 0);
    CHECK_EQ(p->l3_ofs, 14);
    CHECK_EQ(p->l4_ofs, 54);
    CHECK(ipv6_is_zero(&f.nd_target));

    char *s = flow_to_string(&f);
    CHECK_STREQ(s, "in_port=7,dl_src=00:11:22:33:44:55,"
                "dl_dst=66:77:88:99:aa:bb,dl_type=0x86dd,"
                "ipv6_src=2001:db8::1,ipv6_dst=fe80::211:22ff:fe33:4455,"
                "ipv6_label=0xbeef1,nw_proto=17,nw_tos=44,nw_ecn=1,"
                "nw_ttl=255,nw_frag=no,tp_src=546,tp_dst=547");
    free(s);
    dp_packet_delete(p);
}

TEST(sctp_and_icmp_ipv4)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_SCTP, 0);
    pb_u16(&b, 2905);
    pb_u16(&b, 38412);
    pb_u32(&b, 0xdeadbeef);
    pb_u32(&b, 0);
    pb_ipv4_end(&b, ip);
    struct dp_packet *p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_SCTP);
    CHECK_EQ(ntohs(f.tp_src), 2905);
    CHECK_EQ(ntohs(f.tp_dst), 38412);
    dp_packet_delete(p);

    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    ip = pb_ipv4(&b, 5, IPPROTO_ICMP, 0);
    pb_u8(&b, ICMP4_DST_UNREACH);
    pb_u8(&b, 4);
    pb_u16(&b, 0);
    pb_u32(&b, 1400);
    pb_ipv4_end(&b, ip);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_ICMP);
    CHECK_EQ(ntohs(f.tp_src), 3);
    CHECK_EQ(ntohs(f.tp_dst), 4);
    CHECK_EQ(p->l4_ofs, 34);
    char *s = flow_to_string(&f);
    CHECK(strstr(s, ",icmp_type=3,icmp_code=4") != NULL);
    free(s);
    dp_packet_delete(p);
}

static void
pb_arp(struct pb *b, uint16_t hrd, uint16_t pro, uint8_t hln, uint8_t pln,
       uint16_t op)
{
    pb_eth_addrs(b);
    pb_u16(b, ETH_TYPE_ARP);
    pb_u16(b, hrd);
    pb_u16(b, pro);
    pb_u8(b, hln);
    pb_u8(b, pln);
    pb_u16(b, op);
    pb_bytes(b, mac_a.ea, 6);
    pb_u32(b, 0x0a000001);
    pb_bytes(b, mac_b.ea, 6);
    pb_u32(b, 0x0a0000fe);
}

TEST(arp)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_arp(&b, 1, 0x0800, 6, 4, ARP_OP_REPLY);
    pb_zeros(&b, 18);
    struct dp_packet *p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_ARP);
    CHECK_EQ(f.nw_proto, ARP_OP_REPLY);
    CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
    CHECK_EQ(ntohl(f.nw_dst), 0x0a0000fe);
    CHECK(eth_addr_equals(f.arp_sha, mac_a));
    CHECK(eth_addr_equals(f.arp_tha, mac_b));
    CHECK_EQ(p->l3_ofs, 14);
    CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
    char *s = flow_to_string(&f);
    CHECK_STREQ(s, "in_port=7,dl_src=00:11:22:33:44:55,"
                "dl_dst=66:77:88:99:aa:bb,dl_type=0x0806,"
                "arp_spa=10.0.0.1,arp_tpa=10.0.0.254,arp_op=2,"
                "arp_sha=00:11:22:33:44:55,arp_tha=66:77:88:99:aa:bb");
    free(s);
    dp_packet_delete(p);

    /* Opcodes above 255 do not fit in nw_proto. */
    b.n = 0;
    pb_arp(&b, 1, 0x0800, 6, 4, 0x1234);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, 0);
    CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
    dp_packet_delete(p);

    /* Not Ethernet/IPv4: no ARP fields. */
    static const uint16_t bad[][4] = {
        { 6, 0x0800, 6, 4 }, { 1, 0x86dd, 6, 4 }, { 1, 0x0800, 8, 4 },
        { 1, 0x0800, 6, 16 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        b.n = 0;
        pb_arp(&b, bad[i][0], bad[i][1], bad[i][2], bad[i][3], 1);
        p = extract(&b, &f);
        check_l2(&f, ETH_TYPE_ARP);
        CHECK_EQ(f.nw_proto, 0);
        CHECK_EQ(f.nw_src, 0);
        CHECK(eth_addr_is_zero(f.arp_sha));
        dp_packet_delete(p);
    }
}

/* ------------------------------------------------------------------ */
/* VLAN, QinQ, MPLS, 802.3. */

TEST(vlan_and_qinq)
{
    struct pb b = { .n = 0 };
    struct flow f;

    /* Priority-tagged (VID 0): present, so CFI is set. */
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_VLAN_8021Q);
    pb_u16(&b, (3 << 13) | 0);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_UDP, 0);
    pb_udp(&b, 1, 2);
    pb_ipv4_end(&b, ip);
    struct dp_packet *p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_IP);
    CHECK_EQ(ntohs(f.vlans[0].tpid), ETH_TYPE_VLAN_8021Q);
    CHECK_EQ(ntohs(f.vlans[0].tci), (3 << 13) | VLAN_CFI);
    CHECK_EQ(f.vlans[1].qtag, 0);
    CHECK_EQ(p->l3_ofs, 18);
    CHECK_EQ(p->l4_ofs, 38);
    CHECK_EQ(ntohs(f.tp_dst), 2);
    dp_packet_delete(p);

    /* 802.1ad outer, 802.1Q inner. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_VLAN_8021AD);
    pb_u16(&b, (5 << 13) | 100);
    pb_u16(&b, ETH_TYPE_VLAN_8021Q);
    pb_u16(&b, VLAN_CFI | 200);         /* DEI set on the wire. */
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_TCP);
    pb_tcp(&b, 22, 33, TCP_ACK);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_IPV6);
    CHECK_EQ(ntohs(f.vlans[0].tpid), ETH_TYPE_VLAN_8021AD);
    CHECK_EQ(ntohs(f.vlans[0].tci), (5 << 13) | VLAN_CFI | 100);
    CHECK_EQ(ntohs(f.vlans[1].tpid), ETH_TYPE_VLAN_8021Q);
    CHECK_EQ(ntohs(f.vlans[1].tci), VLAN_CFI | 200);
    CHECK_EQ(p->l3_ofs, 22);
    CHECK_EQ(ntohs(f.tp_src), 22);
    CHECK_EQ(ntohs(f.tcp_flags), TCP_ACK);
    char *s = flow_to_string(&f);
    CHECK(strstr(s, "vlan_tpid=0x88a8,dl_vlan=100,dl_vlan_pcp=5,"
                 "vlan_tpid2=0x8100,dl_vlan2=200,dl_vlan_pcp2=0,"
                 "dl_type=0x86dd") != NULL);
    free(s);
    dp_packet_delete(p);

    /* A third tag is not parsed: it becomes the EtherType. */
    b.n = 0;
    pb_eth_addrs(&b);
    for (int i = 0; i < 3; i++) {
        pb_u16(&b, ETH_TYPE_VLAN_8021Q);
        pb_u16(&b, 10 + i);
    }
    pb_u16(&b, ETH_TYPE_IP);
    ip = pb_ipv4(&b, 5, IPPROTO_UDP, 0);
    pb_udp(&b, 1, 2);
    pb_ipv4_end(&b, ip);
    p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_VLAN_8021Q);
    CHECK_EQ(ntohs(f.vlans[1].tci), VLAN_CFI | 11);
    CHECK_EQ(f.nw_src, 0);
    CHECK_EQ(f.tp_src, 0);
    CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
    dp_packet_delete(p);
}

TEST(mpls_stacks)
{
    struct pb b;
    struct flow f;

    for (int n = 1; n <= 4; n++) {
        b.n = 0;
        pb_mpls(&b, n, true);
        size_t ip = pb_ipv4(&b, 5, IPPROTO_UDP, 0);
        pb_udp(&b, 1, 2);
        pb_ipv4_end(&b, ip);
        struct dp_packet *p = extract(&b, &f);
        check_l2(&f, ETH_TYPE_MPLS);
        for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
            if (i < n) {
                plx_be32 lse = f.mpls_lse[i];
                CHECK_EQ(mpls_lse_to_label(lse), 1000 + i);
                CHECK_EQ(mpls_lse_to_tc(lse), i % 8);
                CHECK_EQ(mpls_lse_to_ttl(lse), 64 - i);
                CHECK_EQ(mpls_lse_to_bos(lse), i == n - 1);
            } else {
                CHECK_EQ(f.mpls_lse[i], 0);
            }
        }
        /* Nothing beyond L2.5 is parsed. */
        CHECK_EQ(f.nw_src, 0);
        CHECK_EQ(f.nw_proto, 0);
        CHECK_EQ(p->l2_5_ofs, 14);
        CHECK_EQ(p->l3_ofs, 14 + 4 * n);
        CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
        dp_packet_delete(p);
    }

    /* Five labels: four recorded, no bottom of stack, no L3. */
    b.n = 0;
    pb_mpls(&b, 5, true);
    struct dp_packet *p = extract(&b, &f);
    CHECK_EQ(mpls_lse_to_label(f.mpls_lse[3]), 1003);
    CHECK_EQ(mpls_lse_to_bos(f.mpls_lse[3]), 0);
    CHECK_EQ(p->l3_ofs, DP_PACKET_OFS_UNSET);
    char *s = flow_to_string(&f);
    CHECK(strstr(s, "dl_type=0x8847,mpls0(label=1000,tc=0,ttl=64,bos=0),"
                 "mpls1(label=1001,tc=1,ttl=63,bos=0)") != NULL);
    free(s);
    dp_packet_delete(p);

    /* MPLS behind a VLAN tag, multicast EtherType. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_VLAN_8021Q);
    pb_u16(&b, 7);
    pb_u16(&b, ETH_TYPE_MPLS_MCAST);
    pb_u32(&b, (42 << 12) | MPLS_BOS_MASK | 5);
    p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_MPLS_MCAST);
    CHECK_EQ(vlan_tci_to_vid(f.vlans[0].tci), 7);
    CHECK_EQ(mpls_lse_to_label(f.mpls_lse[0]), 42);
    CHECK_EQ(p->l2_5_ofs, 18);
    dp_packet_delete(p);
}

TEST(ieee802_3_llc_snap)
{
    struct pb b = { .n = 0 };
    struct flow f;

    /* STP BPDU: 802.3 length, LLC 42/42/03. */
    pb_eth_addrs(&b);
    pb_u16(&b, 38);
    pb_u8(&b, 0x42);
    pb_u8(&b, 0x42);
    pb_u8(&b, 0x03);
    pb_zeros(&b, 35);
    struct dp_packet *p = extract(&b, &f);
    check_l2(&f, FLOW_DL_TYPE_NONE);
    CHECK_EQ(p->l3_ofs, DP_PACKET_OFS_UNSET);
    dp_packet_delete(p);

    /* SNAP with OUI 0 carries a real EtherType, parsed as usual. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, 8 + 28);
    pb_u8(&b, 0xaa);
    pb_u8(&b, 0xaa);
    pb_u8(&b, 0x03);
    pb_u8(&b, 0);
    pb_u8(&b, 0);
    pb_u8(&b, 0);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_UDP, 0);
    pb_udp(&b, 67, 68);
    pb_ipv4_end(&b, ip);
    p = extract(&b, &f);
    check_l2(&f, ETH_TYPE_IP);
    CHECK_EQ(p->l3_ofs, 22);
    CHECK_EQ(ntohs(f.tp_dst), 68);
    dp_packet_delete(p);

    /* SNAP with another OUI: no EtherType. */
    b.buf[17] = 0x0c;
    p = extract(&b, &f);
    check_l2(&f, FLOW_DL_TYPE_NONE);
    CHECK_EQ(f.nw_src, 0);
    dp_packet_delete(p);
}

/* ------------------------------------------------------------------ */
/* IPv4 options, fragments, bogus lengths. */

TEST(ipv4_options)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 8, IPPROTO_TCP, 0);
    pb_u8(&b, 7);                       /* Record route, 11 bytes. */
    pb_u8(&b, 11);
    pb_u8(&b, 4);
    pb_zeros(&b, 8);
    pb_u8(&b, 0);                       /* End of options. */
    pb_tcp(&b, 1111, 2222, TCP_FIN | TCP_ACK);
    pb_ipv4_end(&b, ip);
    struct dp_packet *p = extract(&b, &f);
    CHECK_EQ(ntohs(f.tp_src), 1111);
    CHECK_EQ(ntohs(f.tp_dst), 2222);
    CHECK_EQ(ntohs(f.tcp_flags), TCP_FIN | TCP_ACK);
    CHECK_EQ(p->l4_ofs, 14 + 32);
    dp_packet_delete(p);
}

TEST(ipv4_fragments)
{
    static const struct {
        uint16_t frag_off;
        uint8_t nw_frag;
        const char *text;
    } cases[] = {
        { 0x4000, 0, "nw_frag=no" },
        { 0x2000, FLOW_NW_FRAG_ANY, "nw_frag=first" },
        { 0x2000 | 185, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER,
          "nw_frag=later" },
        { 185, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER, "nw_frag=later" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct pb b = { .n = 0 };
        struct flow f;

        pb_eth_addrs(&b);
        pb_u16(&b, ETH_TYPE_IP);
        size_t ip = pb_ipv4(&b, 5, IPPROTO_UDP, cases[i].frag_off);
        pb_udp(&b, 500, 4500);
        pb_ipv4_end(&b, ip);
        struct dp_packet *p = extract(&b, &f);
        CHECK_EQ(f.nw_frag, cases[i].nw_frag);
        CHECK_EQ(f.nw_proto, IPPROTO_UDP);
        CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
        if (cases[i].nw_frag & FLOW_NW_FRAG_LATER) {
            /* Bytes where a UDP header would be are payload: ignored. */
            CHECK_EQ(f.tp_src, 0);
            CHECK_EQ(f.tp_dst, 0);
            CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
        } else {
            CHECK_EQ(ntohs(f.tp_src), 500);
            CHECK_EQ(ntohs(f.tp_dst), 4500);
            CHECK_EQ(p->l4_ofs, 34);
        }
        char *s = flow_to_string(&f);
        CHECK_MSG(strstr(s, cases[i].text) != NULL, "%s", s);
        free(s);
        dp_packet_delete(p);
    }
}

TEST(ipv4_bogus_lengths)
{
    struct pb b = { .n = 0 };
    struct flow f;
    struct dp_packet *p;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_TCP, 0);
    pb_tcp(&b, 1, 2, TCP_SYN);
    pb_ipv4_end(&b, ip);

    /* IHL below 5, or beyond the packet: no L3 fields at all. */
    for (int ihl = 0; ihl < 16; ihl++) {
        if (ihl >= 5 && ihl * 4 <= 40) {
            continue;
        }
        b.buf[ip] = 0x40 | ihl;
        p = extract(&b, &f);
        CHECK_MSG(f.nw_src == 0 && f.nw_proto == 0 && f.tp_src == 0,
                  "ihl %d", ihl);
        check_l2(&f, ETH_TYPE_IP);
        CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
        dp_packet_delete(p);
    }
    b.buf[ip] = 0x45;

    /* The version field is not checked (as in Open vSwitch). */
    b.buf[ip] = 0x65;
    p = extract(&b, &f);
    CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
    CHECK_EQ(ntohs(f.tp_dst), 2);
    dp_packet_delete(p);
    b.buf[ip] = 0x45;

    /* Total length shorter than the header: no L3 fields at all. */
    pb_set16(&b, ip + 2, 19);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_src, 0);
    CHECK_EQ(f.nw_proto, 0);
    CHECK_EQ(f.nw_ttl, 0);
    CHECK_EQ(f.tp_src, 0);
    check_l2(&f, ETH_TYPE_IP);
    CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
    dp_packet_delete(p);

    /* Total length covering only part of the TCP header: the frame's
     * extra bytes are padding, so no L4 fields. */
    pb_set16(&b, ip + 2, 30);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_TCP);
    CHECK_EQ(f.tp_src, 0);
    dp_packet_delete(p);

    /* Total length beyond the frame (a truncated capture), even by one
     * byte: no L3 fields at all (as in Open vSwitch). */
    static const uint16_t too_long[] = { 41, 1500, 65535 };
    for (size_t i = 0; i < ARRAY_SIZE(too_long); i++) {
        pb_set16(&b, ip + 2, too_long[i]);
        p = extract(&b, &f);
        CHECK_EQ(f.nw_src, 0);
        CHECK_EQ(f.nw_proto, 0);
        CHECK_EQ(f.tp_dst, 0);
        check_l2(&f, ETH_TYPE_IP);
        CHECK_EQ(p->l3_ofs, 14);
        CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
        dp_packet_delete(p);
    }
    pb_set16(&b, ip + 2, 40);

    /* Ethernet padding after the datagram, however long, is ignored. */
    for (size_t pad = 1; pad < 600; pad += 97) {
        struct pb padded = b;
        pb_zeros(&padded, pad);
        p = extract(&padded, &f);
        CHECK_EQ(ntohs(f.tp_dst), 2);
        CHECK_EQ(ntohs(f.tcp_flags), TCP_SYN);
        dp_packet_delete(p);
    }

    /* TCP data offset below 5, or beyond the segment: no L4 fields. */
    size_t tcp = ip + 20;
    static const uint8_t bad_offsets[] = { 0, 4, 6, 15 };
    for (size_t i = 0; i < ARRAY_SIZE(bad_offsets); i++) {
        b.buf[tcp + 12] = bad_offsets[i] << 4;
        p = extract(&b, &f);
        CHECK_EQ(f.nw_proto, IPPROTO_TCP);
        CHECK_EQ(f.tp_src, 0);
        CHECK_EQ(f.tcp_flags, 0);
        dp_packet_delete(p);
    }
}

/* ------------------------------------------------------------------ */
/* IPv6 extension headers. */

static void
pb_ext(struct pb *b, uint8_t next, size_t len8)
{
    pb_u8(b, next);
    pb_u8(b, len8);
    pb_zeros(b, 6 + 8 * len8);
}

TEST(ipv6_extension_chain)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_HOPOPTS);
    pb_ext(&b, IPPROTO_ROUTING, 0);
    pb_ext(&b, IPPROTO_DSTOPTS, 1);
    pb_ext(&b, IPPROTO_AH, 2);
    /* AH: length in 4-byte units minus 2; 4 => 24 bytes. */
    pb_u8(&b, IPPROTO_TCP);
    pb_u8(&b, 4);
    pb_zeros(&b, 22);
    size_t l4 = b.n;
    pb_tcp(&b, 179, 50000, TCP_PSH | TCP_ACK);
    pb_ipv6_end(&b, ip6);

    struct dp_packet *p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_TCP);
    CHECK_EQ(ntohs(f.tp_src), 179);
    CHECK_EQ(ntohs(f.tcp_flags), TCP_PSH | TCP_ACK);
    CHECK_EQ(f.nw_frag, 0);
    CHECK_EQ(p->l4_ofs, l4);
    dp_packet_delete(p);

    /* ESP ends the walk. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_DSTOPTS);
    pb_ext(&b, IPPROTO_ESP, 0);
    pb_u32(&b, 0x1000);
    pb_u32(&b, 1);
    pb_zeros(&b, 16);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_ESP);
    CHECK_EQ(f.tp_src, 0);
    CHECK_EQ(p->l4_ofs, 14 + 40 + 8);
    dp_packet_delete(p);

    /* A header longer than the packet: only the addresses and flow label
     * are kept (as in Open vSwitch). */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_HOPOPTS);
    pb_u8(&b, IPPROTO_UDP);
    pb_u8(&b, 200);
    pb_zeros(&b, 14);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, 0);
    CHECK_EQ(f.nw_ttl, 0);
    CHECK_EQ(f.nw_tos, 0);
    CHECK_MEMEQ(&f.ipv6_src, ip6_src, 16);
    CHECK_MEMEQ(&f.ipv6_dst, ip6_dst, 16);
    CHECK_EQ(ntohl(f.ipv6_label), 0xbeef1);
    CHECK_EQ(f.tp_src, 0);
    CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
    dp_packet_delete(p);

    /* Fewer than 8 bytes where an extension header should be: the
     * same. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_DSTOPTS);
    pb_u8(&b, IPPROTO_UDP);
    pb_zeros(&b, 6);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, 0);
    CHECK_EQ(f.nw_ttl, 0);
    CHECK_MEMEQ(&f.ipv6_src, ip6_src, 16);
    dp_packet_delete(p);

    /* A long chain of options headers is walked to its end: each header
     * takes at least 8 bytes, so the work is bounded by the packet. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_DSTOPTS);
    for (int i = 0; i < 100; i++) {
        pb_ext(&b, i < 99 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 0);
    }
    pb_udp(&b, 1, 2);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_UDP);
    CHECK_EQ(ntohs(f.tp_src), 1);
    CHECK_EQ(ntohs(f.tp_dst), 2);
    CHECK_EQ(p->l4_ofs, 14 + 40 + 100 * 8);
    dp_packet_delete(p);

    /* No next header. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_NONE);
    pb_zeros(&b, 8);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_NONE);
    dp_packet_delete(p);

    /* The version field is not checked (as in Open vSwitch); the traffic
     * class is the 8 bits after it. */
    b.buf[14] = 0x45;
    p = extract(&b, &f);
    CHECK_MEMEQ(&f.ipv6_src, ip6_src, 16);
    CHECK_EQ(f.nw_ttl, 255);
    CHECK_EQ(f.nw_tos, 0x5d);
    CHECK_EQ(f.nw_proto, IPPROTO_NONE);
    dp_packet_delete(p);

    /* Payload length beyond the frame (a truncated capture), even by one
     * byte: no L3 fields at all.  Shorter: the rest is padding. */
    b.buf[14] = 0x62;
    pb_set16(&b, ip6 + 4, 9);
    p = extract(&b, &f);
    CHECK(ipv6_is_zero(&f.ipv6_src));
    CHECK_EQ(f.ipv6_label, 0);
    CHECK_EQ(f.nw_ttl, 0);
    CHECK_EQ(f.nw_proto, 0);
    CHECK_EQ(ntohs(f.dl_type), ETH_TYPE_IPV6);
    CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);
    dp_packet_delete(p);
    pb_set16(&b, ip6 + 4, 0);
    p = extract(&b, &f);
    CHECK_MEMEQ(&f.ipv6_src, ip6_src, 16);
    CHECK_EQ(f.nw_proto, IPPROTO_NONE);
    CHECK_EQ(f.nw_ttl, 255);
    dp_packet_delete(p);

    /* A 40-byte header cut short: nothing. */
    p = extract_n(&b, 14 + 39, &f);
    CHECK(ipv6_is_zero(&f.ipv6_src));
    CHECK_EQ(f.nw_ttl, 0);
    dp_packet_delete(p);
}

TEST(ipv6_fragments)
{
    /* As in Open vSwitch: an atomic fragment (offset, reserved bits and
     * M all zero) is no fragment; a later fragment's nw_proto is the
     * fragment header's own number, since its transport header is in
     * the first fragment. */
    static const struct {
        uint16_t offlg;
        uint8_t nw_frag;
    } cases[] = {
        { IP6_FRAG_MORE, FLOW_NW_FRAG_ANY },
        { 0, 0 },                               /* Atomic fragment. */
        { 0x0006, FLOW_NW_FRAG_ANY },           /* Reserved bits only. */
        { 1448 | IP6_FRAG_MORE, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
        { 1448, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
        { 8 | 0x0006, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct pb b = { .n = 0 };
        struct flow f;

        pb_eth_addrs(&b);
        pb_u16(&b, ETH_TYPE_IPV6);
        size_t ip6 = pb_ipv6(&b, IPPROTO_HOPOPTS);
        pb_ext(&b, IPPROTO_FRAGMENT, 0);
        pb_u8(&b, IPPROTO_UDP);
        pb_u8(&b, 0);
        pb_u16(&b, cases[i].offlg);
        pb_u32(&b, 0xabcd);
        pb_udp(&b, 53, 5353);
        pb_ipv6_end(&b, ip6);

        struct dp_packet *p = extract(&b, &f);
        CHECK_MSG(f.nw_frag == cases[i].nw_frag, "case %zu: nw_frag %d",
                  i, f.nw_frag);
        if (cases[i].nw_frag & FLOW_NW_FRAG_LATER) {
            CHECK_EQ(f.nw_proto, IPPROTO_FRAGMENT);
            CHECK_EQ(f.tp_src, 0);
            CHECK_EQ(p->l4_ofs, DP_PACKET_OFS_UNSET);

            char *s = flow_to_string(&f);
            CHECK_MSG(strstr(s, ",nw_proto=44,") && strstr(s, "=later"),
                      "%s", s);
            free(s);
        } else {
            CHECK_EQ(f.nw_proto, IPPROTO_UDP);
            CHECK_EQ(ntohs(f.tp_src), 53);
            CHECK_EQ(ntohs(f.tp_dst), 5353);
            CHECK_EQ(p->l4_ofs, 14 + 40 + 8 + 8);
        }
        dp_packet_delete(p);
    }
}

/* ------------------------------------------------------------------ */
/* ICMPv6 and neighbor discovery. */

static const uint8_t nd_target[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 0x99 };

/* An NS or NA with the given options (type, length in 8-byte units,
 * MAC), NOPTS of them. */
static size_t
pb_nd(struct pb *b, uint8_t type, const uint8_t (*opts)[2], size_t nopts)
{
    pb_eth_addrs(b);
    pb_u16(b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(b, IPPROTO_ICMPV6);
    pb_u8(b, type);
    pb_u8(b, 0);
    pb_u16(b, 0);
    pb_u32(b, type == ND_NEIGHBOR_ADVERT ? 0x60000000 : 0);
    pb_bytes(b, nd_target, 16);
    for (size_t i = 0; i < nopts; i++) {
        pb_u8(b, opts[i][0]);
        pb_u8(b, opts[i][1]);
        if (opts[i][1] == 1) {
            pb_bytes(b, (opts[i][0] == 2 ? mac_b : mac_a).ea, 6);
        } else {
            pb_zeros(b, MAX(opts[i][1] * 8, 8) - 2);
        }
    }
    pb_ipv6_end(b, ip6);
    return ip6;
}

TEST(nd_with_options)
{
    struct pb b = { .n = 0 };
    struct flow f;
    struct dp_packet *p;

    /* NS with SLL. */
    static const uint8_t sll[][2] = { { 1, 1 } };
    pb_nd(&b, ND_NEIGHBOR_SOLICIT, sll, 1);
    p = extract(&b, &f);
    CHECK_EQ(f.nw_proto, IPPROTO_ICMPV6);
    CHECK_EQ(ntohs(f.tp_src), ND_NEIGHBOR_SOLICIT);
    CHECK_EQ(ntohs(f.tp_dst), 0);
    CHECK_MEMEQ(&f.nd_target, nd_target, 16);
    CHECK(eth_addr_equals(f.arp_sha, mac_a));
    CHECK(eth_addr_is_zero(f.arp_tha));
    CHECK_EQ(p->l4_ofs, 54);
    char *s = flow_to_string(&f);
    CHECK(strstr(s, ",nw_proto=58,nw_tos=44,nw_ecn=1,nw_ttl=255,nw_frag=no,"
                 "icmp_type=135,icmp_code=0,nd_target=fe80::99,"
                 "nd_sll=00:11:22:33:44:55,nd_tll=00:00:00:00:00:00")
          != NULL);
    free(s);
    dp_packet_delete(p);

    /* NA with an unknown (prefix-like, 32-byte) option, then TLL. */
    static const uint8_t tll[][2] = { { 3, 4 }, { 2, 1 } };
    b.n = 0;
    pb_nd(&b, ND_NEIGHBOR_ADVERT, tll, 2);
    p = extract(&b, &f);
    CHECK_EQ(ntohs(f.tp_src), ND_NEIGHBOR_ADVERT);
    CHECK_MEMEQ(&f.nd_target, nd_target, 16);
    CHECK(eth_addr_is_zero(f.arp_sha));
    CHECK(eth_addr_equals(f.arp_tha, mac_b));
    dp_packet_delete(p);

    /* As in Open vSwitch: an option of length zero, or longer than what
     * is left, ends the walk, keeping the target and the options before
     * it; a second SLL (or TLL) invalidates every ND field; type and code
     * stay either way. */
    static const uint8_t zero_len[][2] = { { 1, 1 }, { 2, 0 }, { 2, 1 } };
    static const uint8_t too_long[][2] = { { 2, 1 }, { 5, 1 } };
    static const uint8_t dup_sll[][2] = { { 1, 1 }, { 2, 1 }, { 1, 1 } };
    static const uint8_t dup_tll[][2] = { { 2, 1 }, { 2, 1 } };
    const struct {
        const uint8_t (*opts)[2];
        size_t n;
        bool shorten;
        bool valid;
        bool sll, tll;
    } bad[] = {
        { zero_len, 3, false, true, true, false },
        { too_long, 2, true, true, false, true },
        { dup_sll, 3, false, false, false, false },
        { dup_tll, 2, false, false, false, false },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        b.n = 0;
        size_t ip6 = pb_nd(&b, ND_NEIGHBOR_ADVERT, bad[i].opts, bad[i].n);
        if (bad[i].shorten) {
            /* Make the last option claim 16 bytes where 8 remain. */
            b.buf[b.n - 7] = 2;
            pb_ipv6_end(&b, ip6);
        }
        p = extract(&b, &f);
        CHECK_EQ(ntohs(f.tp_src), ND_NEIGHBOR_ADVERT);
        CHECK_EQ(ntohs(f.tp_dst), 0);
        if (bad[i].valid) {
            CHECK_MSG(!memcmp(&f.nd_target, nd_target, 16), "case %zu", i);
        } else {
            CHECK_MSG(ipv6_is_zero(&f.nd_target), "case %zu", i);
        }
        CHECK_MSG(bad[i].sll ? eth_addr_equals(f.arp_sha, mac_a)
                  : eth_addr_is_zero(f.arp_sha), "case %zu", i);
        CHECK_MSG(bad[i].tll ? eth_addr_equals(f.arp_tha, mac_b)
                  : eth_addr_is_zero(f.arp_tha), "case %zu", i);
        dp_packet_delete(p);
    }

    /* A message too short for its target: type and code only. */
    b.n = 0;
    size_t nd_ip6 = pb_nd(&b, ND_NEIGHBOR_SOLICIT, sll, 1);
    b.n = 14 + 40 + 8 + 15;
    pb_ipv6_end(&b, nd_ip6);
    p = extract(&b, &f);
    CHECK_EQ(ntohs(f.tp_src), ND_NEIGHBOR_SOLICIT);
    CHECK(ipv6_is_zero(&f.nd_target));
    CHECK(eth_addr_is_zero(f.arp_sha));
    dp_packet_delete(p);

    /* ND with a nonzero code, or an echo request: no ND fields. */
    b.n = 0;
    pb_nd(&b, ND_NEIGHBOR_SOLICIT, sll, 1);
    b.buf[55] = 1;
    p = extract(&b, &f);
    CHECK_EQ(ntohs(f.tp_dst), 1);
    CHECK(ipv6_is_zero(&f.nd_target));
    CHECK(eth_addr_is_zero(f.arp_sha));
    dp_packet_delete(p);

    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_ICMPV6);
    pb_u8(&b, ICMP6_ECHO_REQUEST);
    pb_u8(&b, 0);
    pb_zeros(&b, 30);
    pb_ipv6_end(&b, ip6);
    p = extract(&b, &f);
    CHECK_EQ(ntohs(f.tp_src), ICMP6_ECHO_REQUEST);
    CHECK(ipv6_is_zero(&f.nd_target));
    dp_packet_delete(p);
}

/* ------------------------------------------------------------------ */
/* Truncation at every length. */

/* Checks that F, extracted from a prefix of the packet that yields FULL,
 * is a "sane partial" result: every byte is either what the full packet
 * gives or zero, except dl_type and nw_proto, which name the header
 * where parsing stopped. */
static void
check_partial(const struct flow *f, const struct flow *full, size_t len)
{
    const uint8_t *a = (const uint8_t *) f, *b = (const uint8_t *) full;
    size_t dl_type = offsetof(struct flow, dl_type);
    size_t nw_proto = offsetof(struct flow, nw_proto);

    for (size_t i = 0; i < sizeof *f; i++) {
        if (i == dl_type || i == dl_type + 1 || i == nw_proto) {
            continue;
        }
        CHECK_MSG(a[i] == b[i] || a[i] == 0,
                  "length %zu: byte %zu of the flow is %#x, not %#x or 0",
                  len, i, a[i], b[i]);
    }
}

static void
check_all_truncations(const struct pb *b)
{
    struct flow full, f;
    struct dp_packet *p = extract(b, &full);
    dp_packet_delete(p);

    for (size_t len = 0; len <= b->n; len++) {
        p = extract_n(b, len, &f);
        check_partial(&f, &full, len);
        CHECK_EQ(f.in_port, 7);
        CHECK(p->l2_5_ofs == DP_PACKET_OFS_UNSET || p->l2_5_ofs <= len);
        CHECK(p->l3_ofs == DP_PACKET_OFS_UNSET || p->l3_ofs <= len);
        CHECK(p->l4_ofs == DP_PACKET_OFS_UNSET || p->l4_ofs <= len);
        if (len < ETH_HEADER_LEN) {
            CHECK(eth_addr_is_zero(f.dl_src));
            CHECK_EQ(f.dl_type, 0);
        } else {
            CHECK(eth_addr_equals(f.dl_src, full.dl_src));
        }
        /* Formatting a partial flow works too. */
        free(flow_to_string(&f));
        dp_packet_delete(p);
    }
    p = extract_n(b, b->n, &f);
    CHECK(flow_equal(&f, &full));
    dp_packet_delete(p);
}

TEST(truncated_tcp_ipv4_thresholds)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 5, IPPROTO_TCP, 0);
    pb_tcp(&b, 1, 2, TCP_RST);
    pb_ipv4_end(&b, ip);
    check_all_truncations(&b);

    /* The IP header says 40 bytes: with fewer present, a truncated
     * capture, there are no L3 fields at all (as in Open vSwitch). */
    for (size_t len = 0; len <= b.n; len++) {
        struct dp_packet *p = extract_n(&b, len, &f);
        CHECK_EQ(f.dl_type != 0, len >= 14);
        CHECK_EQ(f.nw_src != 0, len == 54);
        CHECK_EQ(f.tp_src != 0, len == 54);
        CHECK_EQ(p->l3_ofs != DP_PACKET_OFS_UNSET, len >= 14);
        CHECK_EQ(p->l4_ofs != DP_PACKET_OFS_UNSET, len == 54);
        dp_packet_delete(p);
    }

    /* With the total length saying what is there, each layer appears as
     * soon as its header is complete. */
    for (size_t len = 34; len <= b.n; len++) {
        struct pb cut = b;
        cut.n = len;
        pb_set16(&cut, ip + 2, len - 14);
        struct dp_packet *p = extract(&cut, &f);
        CHECK_EQ(ntohl(f.nw_src), 0x0a000001);
        CHECK_EQ(f.tp_src != 0, len == 54);
        CHECK_EQ(p->l4_ofs, 34);
        dp_packet_delete(p);
    }
}

TEST(truncated_every_protocol)
{
    struct pb b;

    /* QinQ + IPv4 with options + UDP. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_VLAN_8021AD);
    pb_u16(&b, 100);
    pb_u16(&b, ETH_TYPE_VLAN_8021Q);
    pb_u16(&b, 200);
    pb_u16(&b, ETH_TYPE_IP);
    size_t ip = pb_ipv4(&b, 6, IPPROTO_UDP, 0x2000);
    pb_u32(&b, 0x01010100);
    pb_udp(&b, 1, 2);
    pb_ipv4_end(&b, ip);
    check_all_truncations(&b);

    /* IPv6 extension chain + fragment + TCP. */
    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    size_t ip6 = pb_ipv6(&b, IPPROTO_HOPOPTS);
    pb_ext(&b, IPPROTO_FRAGMENT, 1);
    pb_u8(&b, IPPROTO_TCP);
    pb_u8(&b, 0);
    pb_u16(&b, IP6_FRAG_MORE);
    pb_u32(&b, 7);
    pb_tcp(&b, 1, 2, TCP_SYN);
    pb_ipv6_end(&b, ip6);
    check_all_truncations(&b);

    /* ND with options. */
    static const uint8_t opts[][2] = { { 1, 1 }, { 2, 1 } };
    b.n = 0;
    pb_nd(&b, ND_NEIGHBOR_ADVERT, opts, 2);
    check_all_truncations(&b);

    /* ARP, MPLS, SCTP over IPv6, ICMP. */
    b.n = 0;
    pb_arp(&b, 1, 0x0800, 6, 4, 1);
    check_all_truncations(&b);

    b.n = 0;
    pb_mpls(&b, 3, true);
    check_all_truncations(&b);

    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IPV6);
    ip6 = pb_ipv6(&b, IPPROTO_SCTP);
    pb_u16(&b, 5);
    pb_u16(&b, 6);
    pb_zeros(&b, 8);
    pb_ipv6_end(&b, ip6);
    check_all_truncations(&b);

    b.n = 0;
    pb_eth_addrs(&b);
    pb_u16(&b, ETH_TYPE_IP);
    ip = pb_ipv4(&b, 5, IPPROTO_ICMP, 0);
    pb_u8(&b, 8);
    pb_u8(&b, 0);
    pb_zeros(&b, 6);
    pb_ipv4_end(&b, ip);
    check_all_truncations(&b);
}

TEST(random_bytes_never_crash)
{
    /* Random garbage behind plausible headers: no crash, no OOB read
     * (under ASan), and offsets within the packet. */
    struct pb b;
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_MPLS,
        ETH_TYPE_VLAN_8021Q, ETH_TYPE_VLAN_8021AD, 0x0020,
    };

    for (int iter = 0; iter < 20000; iter++) {
        struct flow f;
        size_t len = test_random() % 160;

        b.n = 0;
        pb_eth_addrs(&b);
        pb_u16(&b, types[iter % ARRAY_SIZE(types)]);
        while (b.n < len) {
            pb_u8(&b, test_random());
        }
        if (iter % 3 == 0 && len > 14) {
            b.buf[14] = iter % 2 ? 0x45 : 0x60;
        }
        struct dp_packet *p = extract_n(&b, b.n, &f);
        CHECK(p->l3_ofs == DP_PACKET_OFS_UNSET || p->l3_ofs <= b.n);
        CHECK(p->l4_ofs == DP_PACKET_OFS_UNSET || p->l4_ofs <= b.n);
        free(flow_to_string(&f));
        dp_packet_delete(p);
    }
}

TEST(metadata_is_copied)
{
    struct pb b = { .n = 0 };
    struct flow f;

    pb_arp(&b, 1, 0x0800, 6, 4, 1);
    struct dp_packet *p = dp_packet_clone_data(b.buf, b.n);
    pkt_metadata_init(&p->md, 42);
    p->md.recirc_id = 5;
    p->md.dp_hash = 0xabc;
    p->md.skb_priority = 3;
    p->md.pkt_mark = 0x77;
    p->md.ct_state = CS_TRACKED | CS_ESTABLISHED;
    p->md.ct_zone = 9;
    p->md.ct_mark = 0x1234;
    p->md.ct_label.u64.lo = 1;
    p->md.tunnel.tun_id = htobe64(0x99);
    p->md.tunnel.ip_src = htonl(0x01020304);
    p->md.tunnel.ip_dst = htonl(0x05060708);
    flow_extract(p, &f);
    CHECK_EQ(f.in_port, 42);
    CHECK_EQ(f.recirc_id, 5);
    CHECK_EQ(f.dp_hash, 0xabc);
    CHECK_EQ(f.skb_priority, 3);
    CHECK_EQ(f.pkt_mark, 0x77);
    CHECK_EQ(f.ct_state, CS_TRACKED | CS_ESTABLISHED);
    CHECK_EQ(f.ct_zone, 9);
    CHECK_EQ(f.ct_mark, 0x1234);
    CHECK_U64_EQ(f.ct_label.u64.lo, 1);
    CHECK_U64_EQ(be64toh(f.tunnel.tun_id), 0x99);
    CHECK_EQ(ntohl(f.tunnel.ip_dst), 0x05060708);
    char *s = flow_to_string(&f);
    CHECK(!strncmp(s, "recirc_id=0x5,dp_hash=0xabc,skb_priority=0x3,"
                   "pkt_mark=0x77,tun_id=0x99,tun_src=1.2.3.4,"
                   "tun_dst=5.6.7.8,ct_state=0x22,ct_zone=9,ct_mark=0x1234,"
                   "ct_label=0x1,in_port=42,", 136));
    free(s);
    dp_packet_delete(p);
}
