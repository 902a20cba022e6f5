/* Tests for lib/packets (address parsing and formatting, header
 * helpers), lib/dp-packet (buffer management, offsets, batches) and
 * lib/pcap-file. */
#include <config.h>
#include "packets.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <unistd.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "pcap-file.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Ethernet. */

TEST(eth_addr_predicates)
{
    struct eth_addr bc = eth_addr_broadcast;
    struct eth_addr mc = { { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } } };
    struct eth_addr uc = { { { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 } } };
    struct eth_addr la = { { { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 } } };
    struct eth_addr lldp = { { { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e } } };

    CHECK(eth_addr_is_broadcast(bc));
    CHECK(eth_addr_is_multicast(bc));
    CHECK(!eth_addr_is_local(bc));
    CHECK(eth_addr_is_multicast(mc));
    CHECK(!eth_addr_is_broadcast(mc));
    CHECK(!eth_addr_is_multicast(uc));
    CHECK(!eth_addr_is_local(uc));
    CHECK(eth_addr_is_local(la));
    CHECK(eth_addr_is_zero(eth_addr_zero));
    CHECK(!eth_addr_is_zero(uc));
    CHECK(eth_addr_equals(uc, uc));
    CHECK(!eth_addr_equals(uc, la));
    CHECK(eth_addr_is_reserved(lldp));
    CHECK(!eth_addr_is_reserved(mc));
    CHECK_U64_EQ(eth_addr_to_uint64(uc), 0x001122334455ULL);
    CHECK(eth_addr_equals(eth_addr_from_uint64(0x001122334455ULL), uc));

    struct eth_addr r = uc;
    r.ea[0] = 0xff;
    eth_addr_mark_random(&r);
    CHECK(eth_addr_is_local(r));
}

TEST(eth_addr_parse_and_format)
{
    struct eth_addr ea, mask;
    struct ds s = DS_EMPTY_INITIALIZER;

    CHECK(eth_addr_from_string("00:11:22:aa:BB:cc", &ea));
    CHECK_U64_EQ(eth_addr_to_uint64(ea), 0x001122aabbccULL);
    CHECK(eth_addr_from_string("0:1:2:3:4:5", &ea));
    CHECK_U64_EQ(eth_addr_to_uint64(ea), 0x000102030405ULL);

    static const char *const bad[] = {
        "", "00:11:22:33:44", "00:11:22:33:44:55:66", "00:11:22:33:44:5g",
        "001:1:2:3:4:5", "00-11-22-33-44-55", "00:11:22:33:44:55 ",
        ":11:22:33:44:55",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK_MSG(!eth_addr_from_string(bad[i], &ea), "%s", bad[i]);
        CHECK(eth_addr_is_zero(ea));
        char *error = eth_addr_parse(bad[i], &ea);
        CHECK(error != NULL);
        free(error);
        error = eth_addr_parse_masked(bad[i], &ea, &mask);
        CHECK(error != NULL);
        free(error);
    }

    CHECK_NO_ERROR(eth_addr_parse_masked("01:00:00:00:00:00/"
                                         "01:00:00:00:00:00", &ea, &mask));
    CHECK_U64_EQ(eth_addr_to_uint64(mask), 0x010000000000ULL);
    CHECK_NO_ERROR(eth_addr_parse_masked("aa:bb:cc:dd:ee:ff", &ea, &mask));
    CHECK(eth_addr_is_broadcast(mask));
    char *error = eth_addr_parse_masked("aa:bb:cc:dd:ee:ff/ff", &ea, &mask);
    CHECK(error != NULL);
    free(error);

    ea = eth_addr_from_uint64(0xaabbccddeeffULL);
    mask = eth_addr_exact;
    eth_format_masked(ea, &mask, &s);
    CHECK_STREQ(ds_cstr(&s), "aa:bb:cc:dd:ee:ff");
    ds_clear(&s);
    mask = eth_addr_from_uint64(0xffffff000000ULL);
    eth_format_masked(ea, &mask, &s);
    CHECK_STREQ(ds_cstr(&s), "aa:bb:cc:dd:ee:ff/ff:ff:ff:00:00:00");
    ds_destroy(&s);
}

/* ------------------------------------------------------------------ */
/* IPv4. */

TEST(ip_parse_masked)
{
    plx_be32 ip, mask;
    unsigned int plen;

    CHECK(ip_parse("10.1.2.3", &ip));
    CHECK_EQ(ntohl(ip), 0x0a010203);
    CHECK(ip_parse("255.255.255.255", &ip));
    CHECK(!ip_parse("256.1.1.1", &ip));
    CHECK(!ip_parse("1.2.3", &ip));
    CHECK(!ip_parse("1.2.3.4.5", &ip));
    CHECK(!ip_parse("1.2.3.4 ", &ip));
    CHECK(!ip_parse("1..2.3", &ip));
    CHECK(!ip_parse("0001.2.3.4", &ip));

    CHECK_NO_ERROR(ip_parse_masked("10.0.0.0/8", &ip, &mask));
    CHECK_EQ(ntohl(mask), 0xff000000);
    CHECK_NO_ERROR(ip_parse_masked("10.0.0.0/255.0.255.0", &ip, &mask));
    CHECK_EQ(ntohl(mask), 0xff00ff00);
    CHECK_NO_ERROR(ip_parse_masked("10.0.0.1", &ip, &mask));
    CHECK_EQ(ntohl(mask), 0xffffffff);
    CHECK_NO_ERROR(ip_parse_masked("0.0.0.0/0", &ip, &mask));
    CHECK_EQ(mask, 0);
    CHECK_NO_ERROR(ip_parse_masked("1.2.3.4/32", &ip, &mask));
    CHECK_EQ(ntohl(mask), 0xffffffff);

    static const char *const bad[] = {
        "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x",
        "10.0.0/8", "x", "", "10.0.0.0//8", "10.0.0.0/1.2.3",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = ip_parse_masked(bad[i], &ip, &mask);
        CHECK_MSG(error != NULL, "%s accepted", bad[i]);
        free(error);
    }

    CHECK_NO_ERROR(ip_parse_cidr("192.168.0.0/16", &ip, &plen));
    CHECK_EQ(plen, 16);
    char *error = ip_parse_cidr("192.168.0.1/16", &ip, &plen);
    CHECK(error != NULL);
    free(error);
    error = ip_parse_cidr("192.168.0.0/255.0.255.0", &ip, &plen);
    CHECK(error != NULL);
    free(error);
}

TEST(ip_cidr_and_format)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int n = 0; n <= 32; n++) {
        CHECK_EQ(ip_count_cidr_bits(be32_prefix_mask(n)), n);
    }
    CHECK_EQ(ip_count_cidr_bits(htonl(0xff00ff00)), -1);
    CHECK_EQ(ip_count_cidr_bits(htonl(0x00000001)), -1);
    CHECK(!ip_is_cidr(htonl(0x7fffffff)));

    ip_format_masked(htonl(0x0a000000), htonl(0xff000000), &s);
    ds_put_char(&s, ' ');
    ip_format_masked(htonl(0x0a000001), htonl(0xffffffff), &s);
    ds_put_char(&s, ' ');
    ip_format_masked(htonl(0x0a000000), htonl(0xff00ff00), &s);
    CHECK_STREQ(ds_cstr(&s), "10.0.0.0/8 10.0.0.1 10.0.0.0/255.0.255.0");
    ds_destroy(&s);

    CHECK(ip_is_multicast(htonl(0xe0000001)));
    CHECK(ip_is_multicast(htonl(0xefffffff)));
    CHECK(!ip_is_multicast(htonl(0xf0000000)));
    CHECK(ip_is_local_multicast(htonl(0xe00000fb)));
    CHECK(!ip_is_local_multicast(htonl(0xe0000100)));
}

/* ------------------------------------------------------------------ */
/* IPv6. */

TEST(ipv6_parse_and_format)
{
    struct in6_addr a, m;
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[INET6_ADDRSTRLEN];
    unsigned int plen;

    CHECK(ipv6_parse("fe80::1", &a));
    CHECK_EQ(a.s6_addr[0], 0xfe);
    CHECK_EQ(a.s6_addr[15], 1);
    CHECK(!ipv6_parse("fe80:::1", &a));
    CHECK(!ipv6_parse("1.2.3.4", &a));

    CHECK_NO_ERROR(ipv6_parse_masked("2001:db8::/32", &a, &m));
    CHECK_EQ(ipv6_count_cidr_bits(&m), 32);
    CHECK_NO_ERROR(ipv6_parse_masked("2001:db8::1", &a, &m));
    CHECK(ipv6_mask_is_exact(&m));
    CHECK_NO_ERROR(ipv6_parse_masked("::/::", &a, &m));
    CHECK(ipv6_is_zero(&m));
    CHECK_NO_ERROR(ipv6_parse_masked("2001:db8::1/ffff::ffff", &a, &m));
    CHECK_EQ(ipv6_count_cidr_bits(&m), -1);

    static const char *const bad[] = {
        "2001:db8::/129", "2001:db8::/", "2001:db8::/x", "zz::1", "",
        "2001:db8::/-1",
        "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc/64",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = ipv6_parse_masked(bad[i], &a, &m);
        CHECK_MSG(error != NULL, "%s accepted", bad[i]);
        free(error);
    }

    for (int n = 0; n <= 128; n++) {
        m = ipv6_create_mask(n);
        CHECK_EQ(ipv6_count_cidr_bits(&m), n);
        CHECK(ipv6_is_cidr(&m));
    }

    CHECK_NO_ERROR(ipv6_parse_cidr("2001:db8::/48", &a, &plen));
    CHECK_EQ(plen, 48);
    char *error = ipv6_parse_cidr("2001:db8::1/48", &a, &plen);
    CHECK(error != NULL);
    free(error);

    ipv6_parse("2001:db8:0:0:1:0:0:1", &a);
    ipv6_format_addr(&a, &s);
    ds_put_char(&s, ' ');
    m = ipv6_create_mask(64);
    ipv6_format_masked(&a, &m, &s);
    ds_put_char(&s, ' ');
    ipv6_format_masked(&a, &in6addr_exact, &s);
    CHECK_STREQ(ds_cstr(&s),
                "2001:db8::1:0:0:1 2001:db8::1:0:0:1/64 2001:db8::1:0:0:1");
    ds_destroy(&s);

    a = in6_addr_mapped_ipv4(htonl(0x0a000001));
    CHECK_STREQ(ipv6_string_mapped(buf, &a), "10.0.0.1");
    CHECK_EQ(ntohl(in6_addr_get_mapped_ipv4(&a)), 0x0a000001);
    ipv6_parse("::1", &a);
    CHECK_STREQ(ipv6_string_mapped(buf, &a), "::1");
    CHECK_EQ(in6_addr_get_mapped_ipv4(&a), 0);
    CHECK(!ipv6_addr_is_multicast(&a));
    CHECK(ipv6_addr_is_multicast(&in6addr_all_hosts));
}

/* ------------------------------------------------------------------ */
/* Header helpers. */

TEST(vlan_mpls_tcp_helpers)
{
    plx_be16 tci = htons((5 << VLAN_PCP_SHIFT) | VLAN_CFI | 100);
    CHECK_EQ(vlan_tci_to_vid(tci), 100);
    CHECK_EQ(vlan_tci_to_pcp(tci), 5);
    CHECK_EQ(vlan_tci_to_cfi(tci), 1);

    plx_be32 lse = mpls_lse_from_parts(0xabcde, 5, 1, 64);
    CHECK_EQ(ntohl(lse), 0xabcdeb40);
    CHECK_EQ(mpls_lse_to_label(lse), 0xabcde);
    CHECK_EQ(mpls_lse_to_tc(lse), 5);
    CHECK_EQ(mpls_lse_to_bos(lse), 1);
    CHECK_EQ(mpls_lse_to_ttl(lse), 64);

    plx_be16 ctl = TCP_CTL(TCP_SYN | TCP_ACK | TCP_NS, 5);
    CHECK_EQ(TCP_OFFSET(ctl), 5);
    CHECK_EQ(TCP_FLAGS(ctl), TCP_SYN | TCP_ACK | TCP_NS);

    struct ds s = DS_EMPTY_INITIALIZER;
    packet_format_tcp_flags(&s, TCP_SYN | TCP_ACK);
    ds_put_char(&s, ' ');
    packet_format_tcp_flags(&s, 0);
    ds_put_char(&s, ' ');
    packet_format_tcp_flags(&s, TCP_FIN | 0x800);
    CHECK_STREQ(ds_cstr(&s), "syn|ack 0 fin|[11]");
    ds_destroy(&s);

    CHECK_STREQ(ip_proto_to_string(IPPROTO_TCP), "tcp");
    CHECK_STREQ(ip_proto_to_string(IPPROTO_ICMPV6), "icmp6");
    CHECK(ip_proto_to_string(253) == NULL);
}

TEST(aligned_accessors)
{
    uint8_t buf[20] = { 0 };
    plx_16aligned_be32 *p = (plx_16aligned_be32 *) (void *) (buf + 2);
    put_16aligned_be32(p, htonl(0x01020304));
    CHECK_EQ(buf[2], 1);
    CHECK_EQ(buf[5], 4);
    CHECK_EQ(ntohl(get_16aligned_be32(p)), 0x01020304);
    CHECK_EQ(ntohs(get_unaligned_be16(buf + 3)), 0x0203);
    CHECK_EQ(ntohl(get_unaligned_be32(buf + 3)), 0x02030400);
}

/* ------------------------------------------------------------------ */
/* dp_packet. */

TEST(dp_packet_put_push_pull)
{
    struct dp_packet *p = dp_packet_new_with_headroom(64, 32);

    CHECK_EQ(dp_packet_size(p), 0);
    CHECK_EQ(dp_packet_headroom(p), 32);
    CHECK_GE(dp_packet_tailroom(p), 64);
    CHECK_EQ((uintptr_t) dp_packet_data(p) % 2, 0);

    dp_packet_put(p, "world", 5);
    dp_packet_push(p, "hello ", 6);
    CHECK_EQ(dp_packet_size(p), 11);
    CHECK_MEMEQ(dp_packet_data(p), "hello world", 11);
    CHECK_EQ(dp_packet_headroom(p), 26);

    /* Pushing past the headroom reallocates and keeps the data. */
    char big[200];
    memset(big, 'x', sizeof big);
    dp_packet_push(p, big, sizeof big);
    CHECK_EQ(dp_packet_size(p), 211);
    CHECK_MEMEQ((char *) dp_packet_data(p) + 200, "hello world", 11);
    CHECK_EQ((uintptr_t) dp_packet_data(p) % 2, 0);

    /* Putting past the tailroom reallocates too. */
    dp_packet_put_zeros(p, 5000);
    CHECK_EQ(dp_packet_size(p), 5211);
    CHECK_MEMEQ((char *) dp_packet_data(p) + 200, "hello world", 11);

    CHECK(dp_packet_pull(p, 200) != NULL);
    CHECK_MEMEQ(dp_packet_data(p), "hello world", 11);
    CHECK(dp_packet_pull(p, 100000) == NULL);
    CHECK_EQ(dp_packet_size(p), 5011);
    dp_packet_trim(p, 5000);
    CHECK_EQ(dp_packet_size(p), 11);

    struct dp_packet *c = dp_packet_clone(p);
    CHECK(dp_packet_equal(p, c));
    CHECK_EQ(dp_packet_headroom(c), dp_packet_headroom(p));
    dp_packet_delete(c);

    dp_packet_clear(p);
    CHECK_EQ(dp_packet_size(p), 0);
    dp_packet_delete(p);
    dp_packet_delete(NULL);
}

TEST(dp_packet_offsets_follow_headers)
{
    struct dp_packet *p = dp_packet_new(256);
    dp_packet_reserve(p, 64);
    char *l2 = dp_packet_put_zeros(p, 14);
    char *l3 = dp_packet_put_zeros(p, 20);
    char *l4 = dp_packet_put_zeros(p, 8);

    dp_packet_reset_offsets(p);
    CHECK(dp_packet_l3(p) == NULL);
    CHECK_EQ(dp_packet_l3_size(p), 0);
    dp_packet_set_l3(p, l3);
    dp_packet_set_l4(p, l4);
    CHECK(dp_packet_eth(p) == l2);
    CHECK(dp_packet_l3(p) == l3);
    CHECK(dp_packet_l4(p) == l4);
    CHECK_EQ(dp_packet_l3_size(p), 28);
    CHECK_EQ(dp_packet_l4_size(p), 8);

    /* A pushed VLAN tag moves the offsets with their headers. */
    dp_packet_push_zeros(p, 4);
    CHECK(dp_packet_l3(p) == l3);
    CHECK_EQ(p->l3_ofs, 18);
    CHECK_EQ(p->l4_ofs, 38);

    /* Pulling past L3 unsets it but keeps L4. */
    dp_packet_pull(p, 30);
    CHECK(dp_packet_l3(p) == NULL);
    CHECK(dp_packet_l4(p) == l4);
    CHECK_EQ(p->l4_ofs, 8);
    dp_packet_delete(p);
}

TEST(dp_packet_stub_and_const)
{
    uint8_t stub[64];
    struct dp_packet p;

    dp_packet_use_stub(&p, stub, sizeof stub);
    dp_packet_put_zeros(&p, 60);
    CHECK(dp_packet_data(&p) == (void *) stub);
    CHECK_EQ(p.source, DPBUF_STUB);
    dp_packet_put(&p, "abcdefgh", 8);     /* Outgrows the stub. */
    CHECK_EQ(p.source, DPBUF_MALLOC);
    CHECK(dp_packet_data(&p) != (void *) stub);
    CHECK_MEMEQ((char *) dp_packet_data(&p) + 60, "abcdefgh", 8);
    dp_packet_uninit(&p);

    static const uint8_t bytes[] = { 1, 2, 3, 4 };
    dp_packet_use_const(&p, bytes, sizeof bytes);
    CHECK_EQ(dp_packet_size(&p), 4);
    CHECK(dp_packet_data(&p) == (const void *) bytes);
    CHECK_EQ(dp_packet_tailroom(&p), 0);
    dp_packet_uninit(&p);
}

static int n_released;

static void
count_release(struct dp_packet *p PLX_UNUSED, void *aux)
{
    n_released++;
    free(aux);
}

TEST(dp_packet_external_buffer)
{
    /* Wrapping (as for a DPDK mbuf) does not copy; deleting releases. */
    uint8_t *buf = xmalloc(256);
    struct dp_packet *p = xmalloc(sizeof *p);

    memset(buf, 0x5a, 256);
    dp_packet_use_external(p, buf, 256, 128, 64, count_release, buf);
    CHECK(dp_packet_data(p) == (void *) (buf + 128));
    CHECK_EQ(dp_packet_size(p), 64);
    dp_packet_put_zeros(p, 10);                 /* Fits: stays wrapped. */
    CHECK_EQ(p->source, DPBUF_DPDK);
    CHECK_EQ(n_released, 0);
    dp_packet_delete(p);
    CHECK_EQ(n_released, 1);

    /* Outgrowing the buffer copies and releases it at once. */
    buf = xmalloc(256);
    memset(buf, 0x5a, 256);
    p = xmalloc(sizeof *p);
    dp_packet_use_external(p, buf, 256, 128, 64, count_release, buf);
    dp_packet_put_zeros(p, 1000);
    CHECK_EQ(n_released, 2);
    CHECK_EQ(p->source, DPBUF_MALLOC);
    CHECK_EQ(((uint8_t *) dp_packet_data(p))[63], 0x5a);
    dp_packet_delete(p);
    CHECK_EQ(n_released, 2);
}

/* An "embedded" packet: the struct lives at the start of the block its
 * release frees, as in a DPDK mbuf's private area. */
static int n_embedded_released;

static void
embedded_release(struct dp_packet *p, void *block)
{
    CHECK(block == (void *) p);
    n_embedded_released++;
    free(block);
}

TEST(dp_packet_embedded)
{
    size_t room = 512;
    uint8_t *block = xmalloc(sizeof(struct dp_packet) + room);
    struct dp_packet *p = (struct dp_packet *) block;
    uint8_t *buf = block + sizeof *p;

    memset(buf, 0x33, room);
    dp_packet_use_embedded(p, buf, room, 128, 100, embedded_release, block);
    CHECK(p->embedded);
    dp_packet_push_zeros(p, 4);             /* Headroom: in place. */
    CHECK_EQ(p->source, DPBUF_DPDK);
    CHECK(dp_packet_data(p) == (void *) (buf + 124));

    /* Growing copies the data but keeps the block (and so the struct). */
    dp_packet_put_zeros(p, 2000);
    CHECK_EQ(p->source, DPBUF_MALLOC);
    CHECK(p->embedded);
    CHECK_EQ(n_embedded_released, 0);
    CHECK_EQ(dp_packet_size(p), 2104);
    CHECK_EQ(((uint8_t *) dp_packet_data(p))[4], 0x33);
    dp_packet_put_zeros(p, 5000);           /* Again, from malloc. */

    /* Deleting frees the copy and releases the block once. */
    dp_packet_delete(p);
    CHECK_EQ(n_embedded_released, 1);

    /* Never grown: deleting only releases. */
    block = xmalloc(sizeof(struct dp_packet) + room);
    p = (struct dp_packet *) block;
    dp_packet_use_embedded(p, block + sizeof *p, room, 64, 60,
                           embedded_release, block);
    dp_packet_delete(p);
    CHECK_EQ(n_embedded_released, 2);
}

TEST(dp_packet_batch)
{
    struct dp_packet_batch batch, copy;
    struct dp_packet *p;

    dp_packet_batch_init(&batch);
    CHECK(dp_packet_batch_is_empty(&batch));
    for (int i = 0; i < NETDEV_MAX_BURST + 3; i++) {
        p = dp_packet_new(16);
        dp_packet_put(p, &i, sizeof i);
        dp_packet_batch_add(&batch, p);   /* The extras are deleted. */
    }
    CHECK(dp_packet_batch_is_full(&batch));
    CHECK_EQ(dp_packet_batch_size(&batch), NETDEV_MAX_BURST);

    dp_packet_batch_clone(&copy, &batch);
    CHECK_EQ(dp_packet_batch_size(&copy), NETDEV_MAX_BURST);

    /* Keep the even packets. */
    DP_PACKET_BATCH_REFILL_FOR_EACH (i, n, p, &batch) {
        int v;
        memcpy(&v, dp_packet_data(p), sizeof v);
        CHECK_EQ(v, (int) i);
        if (v % 2 == 0) {
            dp_packet_batch_refill(&batch, p, i);
        } else {
            dp_packet_delete(p);
        }
    }
    CHECK_EQ(dp_packet_batch_size(&batch), NETDEV_MAX_BURST / 2);
    int expect = 0;
    DP_PACKET_BATCH_FOR_EACH (i, p, &batch) {
        int v;
        memcpy(&v, dp_packet_data(p), sizeof v);
        CHECK_EQ(v, expect);
        expect += 2;
    }
    dp_packet_delete_batch(&batch, true);
    CHECK(dp_packet_batch_is_empty(&batch));
    dp_packet_delete_batch(&copy, true);
}

/* ------------------------------------------------------------------ */
/* pcap files. */

/* Packet number I of a test capture: TCP, some VLAN-tagged, sizes
 * varying from the Ethernet minimum up. */
static struct dp_packet *
make_test_packet(int i, struct flow *f)
{
    struct dp_packet *p = dp_packet_new(0);

    memset(f, 0, sizeof *f);
    f->dl_src = eth_addr_from_uint64(0x020000000000ULL + i);
    f->dl_dst = eth_addr_from_uint64(0x020000000100ULL + i);
    if (i % 2) {
        f->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f->vlans[0].tci = htons(VLAN_CFI | i);
    }
    f->dl_type = htons(ETH_TYPE_IP);
    f->nw_src = htonl(0x0a000000 + i);
    f->nw_dst = htonl(0x0a010000 + i);
    f->nw_proto = IPPROTO_TCP;
    f->nw_ttl = 64;
    f->tp_src = htons(1000 + i);
    f->tp_dst = htons(80);
    flow_compose(p, f);
    dp_packet_put_zeros(p, i * 37);     /* Trailing bytes of all sizes. */
    return p;
}

TEST(pcap_round_trip)
{
    char *name = xasprintf("%s/t.pcap", test_tmpdir());
    struct pcap_file *pf;
    enum { N = 20 };

    CHECK_NO_ERROR(pcap_file_open_write(name, &pf));
    for (int i = 0; i < N; i++) {
        struct flow f;
        struct dp_packet *p = make_test_packet(i, &f);
        CHECK_EQ(pcap_file_write(pf, p, 1700000000123456LL + i), 0);
        dp_packet_delete(p);
    }
    CHECK_EQ(pcap_file_flush(pf), 0);
    pcap_file_close(pf);

    CHECK_NO_ERROR(pcap_file_open_read(name, &pf));
    struct dp_packet *p;
    long long int when;
    for (int i = 0; i < N; i++) {
        struct flow f, g;
        struct dp_packet *want = make_test_packet(i, &f);

        CHECK_EQ(pcap_file_read(pf, &p, &when), 0);
        CHECK_EQ(when, 1700000000123456LL + i);
        CHECK(dp_packet_equal(p, want));
        CHECK_EQ((uintptr_t) dp_packet_data(p) % 2, 0);
        flow_extract(p, &g);
        CHECK(flow_equal(&f, &g));
        dp_packet_delete(p);
        dp_packet_delete(want);
    }
    CHECK_EQ(pcap_file_read(pf, &p, NULL), EOF);
    CHECK(p == NULL);
    pcap_file_close(pf);
    free(name);
}

TEST(pcap_errors)
{
    struct pcap_file *pf;
    char *error;

    error = pcap_file_open_read("/nonexistent/x.pcap", &pf);
    CHECK(error != NULL && pf == NULL);
    free(error);
    error = pcap_file_open_write("/nonexistent/x.pcap", &pf);
    CHECK(error != NULL && pf == NULL);
    free(error);

    /* Not a pcap file. */
    char *name = xasprintf("%s/junk.pcap", test_tmpdir());
    FILE *file = fopen(name, "w");
    CHECK(file != NULL);
    fputs("this is not a capture file at all, not even close\n", file);
    fclose(file);
    error = pcap_file_open_read(name, &pf);
    CHECK(error != NULL);
    free(error);

    /* A valid capture of another link type is refused. */
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *dumper = pcap_dump_open(dead, name);
    CHECK(dumper != NULL);
    pcap_dump_close(dumper);
    pcap_close(dead);
    error = pcap_file_open_read(name, &pf);
    CHECK(error != NULL && strstr(error, "not Ethernet"));
    free(error);

    /* Reading a file open for writing, and vice versa, is refused. */
    struct flow f;
    struct dp_packet *p = make_test_packet(3, &f), *q;
    CHECK_NO_ERROR(pcap_file_open_write(name, &pf));
    CHECK_EQ(pcap_file_write(pf, p, 0), 0);
    CHECK_EQ(pcap_file_read(pf, &q, NULL), EBADF);
    pcap_file_close(pf);

    /* A record cut short is an error, not a crash. */
    CHECK_EQ(truncate(name, 24 + 16 + 10), 0);
    CHECK_NO_ERROR(pcap_file_open_read(name, &pf));
    CHECK_EQ(pcap_file_read(pf, &q, NULL), EINVAL);
    CHECK(q == NULL);
    CHECK_EQ(pcap_file_write(pf, p, 0), EBADF);
    pcap_file_close(pf);
    dp_packet_delete(p);
    free(name);
}
