/* Tests for lib/responder's ARP, ICMP echo and IPv6 router and neighbor
 * discovery, with VLAN tags and malformed requests, and tshark as an
 * independent decoder of a sample of replies (DHCP ones included).  The
 * shared builders and decoders are in responder-fixture.c; the DHCPv4
 * tests are in test-responder.c. */
#include <config.h>
#include "responder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "packets.h"
#include "pcap-file.h"
#include "test-tshark.h"
#include "test.h"
#include "util.h"
#include "responder-fixture.h"

/* ------------------------------------------------------------------ */
/* ARP and ICMP. */

static void
build_arp(struct pkt *p, uint16_t op, plx_be32 spa, plx_be32 tpa, int n_tags)
{
    p->n = 0;
    put_eth(p, eth_addr_broadcast, mac1, n_tags, 0x0123, ETH_TYPE_ARP);
    put16(p, 1);
    put16(p, 0x0800);
    put8(p, 6);
    put8(p, 4);
    put16(p, op);
    putn(p, mac1.ea, 6);
    putn(p, &spa, 4);
    putn(p, eth_addr_zero.ea, 6);
    putn(p, &tpa, 4);
}

TEST(arp)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct pkt p;
    struct frame f;
    dp_packet_init(&rp, 0);

    for (int tags = 0; tags <= 1; tags++) {
        build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), tags);
        CHECK_EQ(run(r, &p, 0, &rp), 0);
        decode_eth(&rp, &f);
        CHECK_EQ(f.n_tags, tags);
        if (tags) {
            CHECK_EQ(f.tci[0], 0x0123);
        }
        CHECK(eth_addr_equals(f.dst, mac1));
        CHECK_EQ(f.type, ETH_TYPE_ARP);
        CHECK_EQ(dp_packet_size(&rp), 60 + 4 * tags);
        const uint8_t *a = f.l3;
        CHECK_EQ(get16(a), 1);
        CHECK_EQ(get16(a + 2), 0x0800);
        CHECK_EQ(a[4], 6);
        CHECK_EQ(a[5], 4);
        CHECK_EQ(get16(a + 6), 2);
        CHECK_MEMEQ(a + 8, gw_mac.ea, 6);
        CHECK_EQ(getbe32(a + 14), ip("10.0.0.1"));
        CHECK_MEMEQ(a + 18, mac1.ea, 6);
        CHECK_EQ(getbe32(a + 24), ip("10.0.0.100"));
    }

    /* An ARP probe (SPA 0) is answered too. */
    build_arp(&p, 1, 0, ip("10.0.0.1"), 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);

    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.2"), 0);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    build_arp(&p, 2, ip("10.0.0.100"), ip("10.0.0.1"), 0);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), 0);
    CHECK_EQ(run_n(r, &p, p.n - 1, 0, &rp), EINVAL);
    CHECK_EQ(run_n(r, &p, 13, 0, &rp), EINVAL);
    /* Cut inside the VLAN tag. */
    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), 1);
    CHECK_EQ(run_n(r, &p, 16, 0, &rp), EINVAL);
    /* Unicast to someone else's MAC. */
    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), 0);
    memcpy(p.b, mac2.ea, 6);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* A multicast source is malformed. */
    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), 0);
    p.b[6] |= 1;
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

static void
build_ping(struct pkt *p, plx_be32 dst, size_t payload)
{
    p->n = 0;
    put_eth(p, gw_mac, mac1, 0, 0, ETH_TYPE_IP);
    size_t ofs = put_ip4(p, IPPROTO_ICMP, ip("10.0.0.100"), dst);
    put8(p, 8);
    put8(p, 0);
    put16(p, 0);
    put16(p, 0x77);
    put16(p, 3);
    for (size_t i = 0; i < payload; i++) {
        put8(p, i);
    }
    end_ip4(p, ofs);
}

TEST(icmp_echo)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct pkt p;
    struct frame f;
    dp_packet_init(&rp, 0);

    build_ping(&p, ip("10.0.0.1"), 57);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    CHECK(eth_addr_equals(f.dst, mac1));
    CHECK_EQ(f.type, ETH_TYPE_IP);
    const uint8_t *h = f.l3;
    CHECK_EQ(get16(h + 2), 20 + 8 + 57);
    CHECK_EQ(fold(sum16(0, h, 20)), 0);
    CHECK_EQ(h[9], IPPROTO_ICMP);
    CHECK_EQ(getbe32(h + 12), ip("10.0.0.1"));
    CHECK_EQ(getbe32(h + 16), ip("10.0.0.100"));
    CHECK_EQ(h[20], 0);
    CHECK_EQ(h[21], 0);
    CHECK_EQ(get16(h + 24), 0x77);
    CHECK_EQ(get16(h + 26), 3);
    CHECK_MEMEQ(h + 28, p.b + 42, 57);
    CHECK_EQ(fold(sum16(0, h + 20, 8 + 57)), 0);

    build_ping(&p, ip("10.0.0.2"), 8);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    build_ping(&p, ip("10.0.0.1"), 8);
    p.b[40] ^= 0xff;                    /* ICMP checksum. */
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    build_ping(&p, ip("10.0.0.1"), 8);
    p.b[20] = 0x20;                     /* More fragments. */
    end_ip4(&p, 14);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

/* ------------------------------------------------------------------ */
/* IPv6. */

/* Builds an ICMPv6 message from SRC to DST, BODY being the bytes after
 * the 4-byte ICMPv6 header; fixes the checksum unless BAD_CSUM. */
static void
build_icmp6(struct pkt *p, struct eth_addr eth_dst, const struct in6_addr *src,
            const struct in6_addr *dst, uint8_t type, uint8_t hop_limit,
            const uint8_t *body, size_t n, int n_tags)
{
    p->n = 0;
    put_eth(p, eth_dst, mac1, n_tags, 0x0042, ETH_TYPE_IPV6);
    size_t ofs = p->n;
    put32(p, 0x60000000);
    put16(p, 4 + n);
    put8(p, IPPROTO_ICMPV6);
    put8(p, hop_limit);
    putn(p, src, 16);
    putn(p, dst, 16);
    put8(p, type);
    put8(p, 0);
    put16(p, 0);
    putn(p, body, n);
    uint32_t acc = sum16(0, &p->b[ofs + 8], 32) + (4 + n) + IPPROTO_ICMPV6;
    set16(p, ofs + 42, fold(sum16(acc, &p->b[ofs + 40], 4 + n)));
}

/* Checks an ICMPv6 reply's IPv6 header and checksum and returns the
 * ICMPv6 message and its length. */
static const uint8_t *
decode_icmp6(const struct frame *f, const struct in6_addr *dst, size_t *n)
{
    struct in6_addr gw_ll = responder_link_local(gw_mac);
    const uint8_t *h = f->l3;

    CHECK_EQ(f->type, ETH_TYPE_IPV6);
    CHECK_GE(f->l3_len, 44);
    CHECK_EQ(get32(h), 0x60000000);
    *n = get16(h + 4);
    CHECK_LE(*n + 40, f->l3_len);
    CHECK_EQ(h[6], IPPROTO_ICMPV6);
    CHECK_MEMEQ(h + 8, &gw_ll, 16);
    CHECK_MEMEQ(h + 24, dst, 16);
    uint32_t acc = sum16(0, h + 8, 32) + *n + IPPROTO_ICMPV6;
    CHECK_EQ(fold(sum16(acc, h + 40, *n)), 0);
    return h + 40;
}

TEST(rs_ra)
{
    struct responder *r = make_responder();
    struct in6_addr src = ip6("fe80::5054:ff:fe12:3456");
    struct in6_addr all_routers = ip6("ff02::2");
    struct eth_addr mc2 = { { { 0x33, 0x33, 0, 0, 0, 2 } } };
    uint8_t body[12] = { 0, 0, 0, 0, 1, 1 };
    struct dp_packet rp;
    struct pkt p;
    struct frame f;
    size_t n;
    dp_packet_init(&rp, 0);

    memcpy(body + 6, mac1.ea, 6);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, body, 12, 1);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    CHECK(eth_addr_equals(f.dst, mac1));
    CHECK_EQ(f.n_tags, 1);
    CHECK_EQ(f.tci[0], 0x42);
    const uint8_t *m = decode_icmp6(&f, &src, &n);
    CHECK_EQ(f.l3[7], 255);
    CHECK_EQ(n, 16 + 8 + 8 + 32 + 24);
    CHECK_EQ(m[0], 134);
    CHECK_EQ(m[1], 0);
    CHECK_EQ(m[4], 64);                 /* Cur hop limit. */
    CHECK_EQ(m[5], 0);                  /* M, O. */
    CHECK_EQ(get16(m + 6), 1800);
    CHECK_EQ(get32(m + 8), 0);
    CHECK_EQ(get32(m + 12), 0);
    /* Source link-layer address. */
    CHECK_EQ(m[16], 1);
    CHECK_EQ(m[17], 1);
    CHECK_MEMEQ(m + 18, gw_mac.ea, 6);
    /* MTU. */
    CHECK_EQ(m[24], 5);
    CHECK_EQ(m[25], 1);
    CHECK_EQ(get16(m + 26), 0);
    CHECK_EQ(get32(m + 28), 1450);
    /* Prefix information. */
    const uint8_t *pi = m + 32;
    CHECK_EQ(pi[0], 3);
    CHECK_EQ(pi[1], 4);
    CHECK_EQ(pi[2], 64);
    CHECK_EQ(pi[3], 0xc0);              /* L, A. */
    CHECK_EQ(get32(pi + 4), 86400);
    CHECK_EQ(get32(pi + 8), 14400);
    CHECK_EQ(get32(pi + 12), 0);
    struct in6_addr prefix = ip6("2001:db8:1:2::");
    CHECK_MEMEQ(pi + 16, &prefix, 16);
    /* RDNSS. */
    const uint8_t *rd = m + 64;
    CHECK_EQ(rd[0], 25);
    CHECK_EQ(rd[1], 3);
    CHECK_EQ(get16(rd + 2), 0);
    CHECK_EQ(get32(rd + 4), 5400);
    struct in6_addr dns = ip6("2001:db8::53");
    CHECK_MEMEQ(rd + 8, &dns, 16);

    /* From ::, without SLLA: to all nodes. */
    struct in6_addr any = in6addr_any;
    build_icmp6(&p, mc2, &any, &all_routers, 133, 255, body, 4, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    struct eth_addr mc1 = { { { 0x33, 0x33, 0, 0, 0, 1 } } };
    CHECK(eth_addr_equals(f.dst, mc1));
    decode_icmp6(&f, &in6addr_all_hosts, &n);

    /* Malformed: from :: with SLLA, hop limit, checksum, zero-length
     * option, truncation. */
    build_icmp6(&p, mc2, &any, &all_routers, 133, 255, body, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 64, body, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, body, 12, 0);
    p.b[p.n - 1] ^= 1;
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    uint8_t zopt[12] = { 0, 0, 0, 0, 1, 0 };
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, zopt, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, body, 12, 0);
    for (size_t len = 0; len < p.n; len++) {
        CHECK_EQ(run_n(r, &p, len, 0, &rp), EINVAL);
    }

    /* Not ours: another destination; IPv6 off. */
    struct in6_addr other = ip6("ff02::16");
    build_icmp6(&p, mc2, &src, &other, 133, 255, body, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    struct responder_config cfg;
    base_config(&cfg);
    memset(&cfg.prefix6, 0, sizeof cfg.prefix6);
    CHECK_EQ(responder_reconfigure(r, &cfg), 0);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, body, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

TEST(ns_na)
{
    struct responder *r = make_responder();
    struct in6_addr src = ip6("fe80::5054:ff:fe12:3456");
    struct in6_addr gw_ll = responder_link_local(gw_mac);
    struct in6_addr snm = ip6("ff02::1:ff00:1");    /* Of ...:fe00:1. */
    struct eth_addr mc = { { { 0x33, 0x33, 0xff, 0, 0, 1 } } };
    uint8_t body[28] = { 0 };
    struct dp_packet rp;
    struct pkt p;
    struct frame f;
    size_t n;
    dp_packet_init(&rp, 0);

    memcpy(body + 4, &gw_ll, 16);
    body[20] = 1;
    body[21] = 1;
    memcpy(body + 22, mac1.ea, 6);
    build_icmp6(&p, mc, &src, &snm, 135, 255, body, 28, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    CHECK(eth_addr_equals(f.dst, mac1));
    const uint8_t *m = decode_icmp6(&f, &src, &n);
    CHECK_EQ(f.l3[7], 255);
    CHECK_EQ(n, 32);
    CHECK_EQ(m[0], 136);
    CHECK_EQ(m[1], 0);
    CHECK_EQ(get32(m + 4), 0xe0000000);         /* R, S, O. */
    CHECK_MEMEQ(m + 8, &gw_ll, 16);
    CHECK_EQ(m[24], 2);
    CHECK_EQ(m[25], 1);
    CHECK_MEMEQ(m + 26, gw_mac.ea, 6);

    /* Unicast NUD probe to the gateway. */
    build_icmp6(&p, gw_mac, &src, &gw_ll, 135, 255, body, 28, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);

    /* DAD from ::, no SLLA: unsolicited NA to all nodes. */
    struct in6_addr any = in6addr_any;
    build_icmp6(&p, mc, &any, &snm, 135, 255, body, 20, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    m = decode_icmp6(&f, &in6addr_all_hosts, &n);
    CHECK_EQ(get32(m + 4), 0xa0000000);         /* R, O. */

    /* For another target: not ours. */
    struct in6_addr other = ip6("fe80::1");
    memcpy(body + 4, &other, 16);
    build_icmp6(&p, mc, &src, &snm, 135, 255, body, 28, 0);
    CHECK_EQ(run(r, &p, 0, &rp), ENOENT);
    /* Multicast target, short message, bad hop limit: malformed. */
    memcpy(body + 4, &snm, 16);
    build_icmp6(&p, mc, &src, &snm, 135, 255, body, 28, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    memcpy(body + 4, &gw_ll, 16);
    build_icmp6(&p, mc, &src, &snm, 135, 255, body, 16, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);
    build_icmp6(&p, mc, &src, &snm, 135, 1, body, 28, 0);
    CHECK_EQ(run(r, &p, 0, &rp), EINVAL);

    /* Ping the gateway's link-local address. */
    uint8_t echo[12] = { 0, 9, 0, 1, 'p', 'i', 'n', 'g', 1, 2, 3 };
    build_icmp6(&p, gw_mac, &src, &gw_ll, 128, 64, echo, 11, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    decode_eth(&rp, &f);
    m = decode_icmp6(&f, &src, &n);
    CHECK_EQ(n, 15);
    CHECK_EQ(m[0], 129);
    CHECK_MEMEQ(m + 4, echo, 11);

    dp_packet_uninit(&rp);
    responder_destroy(r);
}

/* ------------------------------------------------------------------ */
/* tshark, as an independent decoder of the replies. */

TEST(tshark_decodes_replies)
{
    struct responder *r = make_responder();
    struct dp_packet rp;
    struct pkt p;
    dp_packet_init(&rp, 0);

    char *file = xasprintf("%s/responder.pcap", test_tmpdir());
    struct pcap_file *pcap;
    CHECK_NO_ERROR(pcap_file_open_write(file, &pcap));

    /* 1: OFFER, 2: ACK (both tagged), 3: NAK, 4: ARP reply, 5: RA,
     * 6: NA. */
    struct dhcp_spec s = { .type = 1, .mac = mac1, .xid = 0x1234,
                           .client_id = true, .hostname = "vm",
                           .n_tags = 1, .tci = 10 };
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 1000000), 0);
    s.type = 3;
    s.req_ip = ip("10.0.0.100");
    s.server_id = ip("10.0.0.1");
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 2000000), 0);
    s.mac = mac2;
    s.n_tags = 0;
    s.server_id = 0;
    build_dhcp(&p, &s);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 3000000), 0);
    build_arp(&p, 1, ip("10.0.0.100"), ip("10.0.0.1"), 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 4000000), 0);
    struct in6_addr src = ip6("fe80::5054:ff:fe12:3456");
    struct in6_addr all_routers = ip6("ff02::2");
    struct eth_addr mc2 = { { { 0x33, 0x33, 0, 0, 0, 2 } } };
    uint8_t body[28] = { 0, 0, 0, 0, 1, 1 };
    memcpy(body + 6, mac1.ea, 6);
    build_icmp6(&p, mc2, &src, &all_routers, 133, 255, body, 12, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 5000000), 0);
    struct in6_addr gw_ll = responder_link_local(gw_mac);
    memset(body, 0, sizeof body);
    memcpy(body + 4, &gw_ll, 16);
    build_icmp6(&p, gw_mac, &src, &gw_ll, 135, 255, body, 20, 0);
    CHECK_EQ(run(r, &p, 0, &rp), 0);
    CHECK_EQ(pcap_file_write(pcap, &rp, 6000000), 0);
    pcap_file_close(pcap);

    char *text = test_tshark(file,
        "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
        "-T fields -E separator=/t -E aggregator=, "
        "-e vlan.id -e ip.checksum.status -e udp.checksum.status "
        "-e dhcp.option.dhcp -e dhcp.ip.your -e dhcp.hw.mac_addr "
        "-e dhcp.option.dhcp_server_id -e dhcp.option.ip_address_lease_time "
        "-e dhcp.option.subnet_mask -e dhcp.option.router "
        "-e dhcp.option.domain_name_server -e dhcp.option.domain_name "
        "-e dhcp.option.interface_mtu -e arp.opcode -e arp.src.proto_ipv4 "
        "-e icmpv6.checksum.status -e icmpv6.type "
        "-e icmpv6.opt.prefix -e icmpv6.opt.prefix.flag.a "
        "-e icmpv6.opt.mtu -e icmpv6.opt.rdnss -e icmpv6.nd.na.flag.r "
        "-e _ws.malformed -e _ws.expert.severity");
    char *lines[10];
    CHECK_EQ(test_split(text, '\n', lines, ARRAY_SIZE(lines)), 7);
    /* Checksum status 1 is "good"; the last two columns (malformed
     * packet, expert info) must stay empty. */
    static const char *const expected[6] = {
        "10/1/1/2/10.0.0.100/52:54:00:12:34:56,52:54:00:12:34:56/10.0.0.1/"
        "3600/255.255.255.0/10.0.0.1/10.0.0.1,9.9.9.9/vm.example/1450"
        "///////////",
        "10/1/1/5/10.0.0.100/52:54:00:12:34:56,52:54:00:12:34:56/10.0.0.1/"
        "3600/255.255.255.0/10.0.0.1/10.0.0.1,9.9.9.9/vm.example/1450"
        "///////////",
        "/1/1/6/0.0.0.0/52:54:00:ab:cd:ef,52:54:00:ab:cd:ef/10.0.0.1"
        "/////////////////",
        "/////////////2/10.0.0.1/////////",
        "///////////////1/134/2001:db8:1:2::/1/1450/2001:db8::53///",
        "///////////////1/136/////1//",
    };
    for (int i = 0; i < 6; i++) {
        for (char *c = lines[i]; *c; c++) {
            *c = *c == '\t' ? '/' : *c;
        }
        CHECK_STREQ(lines[i], expected[i]);
    }
    free(text);
    free(file);
    dp_packet_uninit(&rp);
    responder_destroy(r);
}
