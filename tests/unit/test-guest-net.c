/* Tests for the test guest's protocol code (tests/guest/plx-guest/net.c,
 * cmdline.c, fmt.c), compiled hosted: ARP and ICMP echo answers byte by
 * byte with checksums verified by an independent implementation, UDP
 * frames built and parsed back, hostile frames (truncated, bad IHL,
 * bad lengths, wrong checksums, fragments, random corruption) ignored
 * without reading out of bounds, command-line parsing and formatting. */
#include <config.h>

#include <stdlib.h>
#include "test.h"
#include "tests/guest/plx-guest/cmdline.h"
#include "tests/guest/plx-guest/fmt.h"
#include "tests/guest/plx-guest/lib.h"
#include "tests/guest/plx-guest/net.h"

/* ---- Capturing transmit callback. ---- */

#define MAX_TX 8

struct tx_log {
    int n;
    bool fail;
    size_t len[MAX_TX];
    uint8_t frame[MAX_TX][PG_ETH_FRAME_MAX];
};

static int
capture_tx(void *log_, const void *frame, size_t len)
{
    struct tx_log *log = log_;

    CHECK_LE(len, PG_ETH_FRAME_MAX);
    CHECK_GE(len, PG_ETH_FRAME_MIN);
    if (log->fail || log->n >= MAX_TX) {
        return -1;
    }
    memcpy(log->frame[log->n], frame, len);
    log->len[log->n++] = len;
    return 0;
}

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
#define OUR_IP 0x0a000001u      /* 10.0.0.1 */
#define PEER_IP 0x0a000002u     /* 10.0.0.2 */

static void
make_netif(struct pg_netif *netif, struct tx_log *log)
{
    memset(log, 0, sizeof *log);
    pg_netif_init(netif, our_mac, OUR_IP, 24, capture_tx, log);
}

/* ---- Reference checksum, written independently of net.c. ---- */

static uint16_t
ref_csum(const uint8_t *p, size_t n, uint32_t initial)
{
    uint32_t sum = initial;

    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t) p[i] * 256 + p[i + 1];
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (n & 1) {
        sum += (uint32_t) p[n - 1] * 256;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t) ~sum;
}

static uint16_t
rd16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static void
wr16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v >> 16);
    wr16(p + 2, v);
}

static uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t) rd16(p) << 16 | rd16(p + 2);
}

static uint32_t
pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff)
                 + proto + len;
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}

/* ---- Hand-built input frames. ---- */

/* An ARP packet from the peer. */
static size_t
build_arp_in(uint8_t *f, uint16_t op, uint32_t target_ip)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, peer_mac, 6);
    wr16(f + 12, 0x0806);
    wr16(f + 14, 1);
    wr16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    wr16(f + 20, op);
    memcpy(f + 22, peer_mac, 6);
    wr32(f + 28, PEER_IP);
    wr32(f + 38, target_ip);
    return 60;
}

/* An IPv4 packet from the peer to us with IHL words of header (options
 * are NOPs) and PAYLOAD; checksums are filled in. */
static size_t
build_ip_in(uint8_t *f, int ihl, uint8_t proto, const uint8_t *payload,
            size_t payload_len)
{
    size_t hlen = ihl * 4;
    uint8_t *ip = f + 14;

    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    wr16(f + 12, 0x0800);
    memset(ip, 1, hlen);        /* Options: NOP. */
    ip[0] = 0x40 | ihl;
    ip[1] = 0;
    wr16(ip + 2, hlen + payload_len);
    wr16(ip + 4, 0x1234);
    wr16(ip + 6, 0);
    ip[8] = 63;
    ip[9] = proto;
    wr16(ip + 10, 0);
    wr32(ip + 12, PEER_IP);
    wr32(ip + 16, OUR_IP);
    wr16(ip + 10, ref_csum(ip, hlen, 0));
    memcpy(ip + hlen, payload, payload_len);
    return 14 + hlen + payload_len;
}

static size_t
build_echo_in(uint8_t *f, int ihl, uint8_t type, uint16_t id, uint16_t seq,
              size_t data_len)
{
    uint8_t icmp[1500];

    icmp[0] = type;
    icmp[1] = 0;
    wr16(icmp + 2, 0);
    wr16(icmp + 4, id);
    wr16(icmp + 6, seq);
    for (size_t i = 0; i < data_len; i++) {
        icmp[8 + i] = (uint8_t) (i * 3 + 1);
    }
    wr16(icmp + 2, ref_csum(icmp, 8 + data_len, 0));
    return build_ip_in(f, ihl, 1, icmp, 8 + data_len);
}

static size_t
build_udp_in(uint8_t *f, uint16_t sport, uint16_t dport, size_t data_len,
             bool with_csum)
{
    uint8_t udp[1500];
    uint16_t len = 8 + data_len;

    wr16(udp, sport);
    wr16(udp + 2, dport);
    wr16(udp + 4, len);
    wr16(udp + 6, 0);
    for (size_t i = 0; i < data_len; i++) {
        udp[8 + i] = (uint8_t) (i ^ 0x5a);
    }
    if (with_csum) {
        uint16_t c = ref_csum(udp, len, pseudo(PEER_IP, OUR_IP, 17, len));
        wr16(udp + 6, c ? c : 0xffff);
    }
    return build_ip_in(f, 5, 17, udp, len);
}

/* Runs pg_net_input() on an exact-size heap copy, so that ASan catches
 * any read past LEN. */
static enum pg_rx_kind
input(struct pg_netif *netif, const uint8_t *frame, size_t len,
      struct pg_rx_info *info)
{
    uint8_t *copy = xmalloc(len ? len : 1);
    struct pg_rx_info dummy;

    memcpy(copy, frame, len);
    enum pg_rx_kind kind = pg_net_input(netif, copy, len,
                                        info ? info : &dummy);
    free(copy);
    return kind;
}

/* ---- ARP. ---- */

TEST(arp_request_gets_exact_reply)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[60];

    make_netif(&netif, &log);
    size_t len = build_arp_in(f, 1, OUR_IP);
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_ARP);
    CHECK_EQ(log.n, 1);
    CHECK_EQ(log.len[0], 60);

    static const uint8_t expected[60] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,     /* dst: peer */
        0x52, 0x54, 0x00, 0x00, 0x00, 0x01,     /* src: us */
        0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
        0x52, 0x54, 0x00, 0x00, 0x00, 0x01, 10, 0, 0, 1,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 10, 0, 0, 2,
        /* 18 bytes of padding, zero. */
    };
    CHECK_MEMEQ(log.frame[0], expected, 60);
    CHECK_EQ(netif.stats.arp_replies, 1);

    /* The requester was learned. */
    const uint8_t *mac = pg_arp_lookup(&netif, PEER_IP);
    CHECK(mac != NULL);
    CHECK_MEMEQ(mac, peer_mac, 6);
}

TEST(arp_for_other_address_ignored)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[60];

    make_netif(&netif, &log);
    build_arp_in(f, 1, 0x0a000063);
    CHECK_EQ(input(&netif, f, 60, NULL), PG_RX_DROP);
    CHECK_EQ(log.n, 0);
    CHECK(pg_arp_lookup(&netif, PEER_IP) == NULL);

    /* Unconfigured interface: no answers at all. */
    pg_netif_init(&netif, our_mac, 0, 0, capture_tx, &log);
    build_arp_in(f, 1, OUR_IP);
    CHECK_EQ(input(&netif, f, 60, NULL), PG_RX_DROP);
    CHECK_EQ(log.n, 0);
}

TEST(arp_reply_learned_and_request_built)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[60], req[64];

    make_netif(&netif, &log);
    size_t n = pg_net_build_arp_request(&netif, PEER_IP, req, sizeof req);
    CHECK_EQ(n, 60);
    CHECK_MEMEQ(req, "\xff\xff\xff\xff\xff\xff", 6);
    CHECK_MEMEQ(req + 6, our_mac, 6);
    CHECK_EQ(rd16(req + 12), 0x0806);
    CHECK_EQ(rd16(req + 20), 1);
    CHECK_EQ(rd32(req + 28), OUR_IP);
    CHECK_EQ(rd32(req + 38), PEER_IP);
    CHECK_EQ(pg_net_build_arp_request(&netif, PEER_IP, req, 59), 0);

    build_arp_in(f, 2, OUR_IP);
    memcpy(f, our_mac, 6);
    CHECK_EQ(input(&netif, f, 60, NULL), PG_RX_ARP);
    CHECK_EQ(log.n, 0);         /* Replies are not answered. */
    CHECK(pg_arp_lookup(&netif, PEER_IP) != NULL);

    /* Truncated ARP, wrong hardware type. */
    make_netif(&netif, &log);
    CHECK_EQ(input(&netif, f, 41, NULL), PG_RX_DROP);
    f[15] = 6;
    CHECK_EQ(input(&netif, f, 60, NULL), PG_RX_DROP);
    CHECK(pg_arp_lookup(&netif, PEER_IP) == NULL);
}

TEST(arp_cache_replacement)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t mac[6] = { 2, 0, 0, 0, 0, 0 };

    make_netif(&netif, &log);
    for (int i = 1; i <= 20; i++) {
        mac[5] = i;
        pg_arp_learn(&netif, 0x0a000100 + i, mac);
    }
    for (int i = 1; i <= 20; i++) {
        const uint8_t *m = pg_arp_lookup(&netif, 0x0a000100 + i);
        if (i <= 4) {
            CHECK(m == NULL);
        } else {
            CHECK(m != NULL);
            CHECK_EQ(m[5], i);
        }
    }
    /* Updating an entry does not take a new slot. */
    mac[5] = 99;
    pg_arp_learn(&netif, 0x0a000100 + 20, mac);
    CHECK_EQ(pg_arp_lookup(&netif, 0x0a000100 + 20)[5], 99);
    CHECK(pg_arp_lookup(&netif, 0x0a000100 + 5) != NULL);
    /* No broadcast or multicast mappings. */
    mac[0] = 1;
    pg_arp_learn(&netif, 0x0a000200, mac);
    CHECK(pg_arp_lookup(&netif, 0x0a000200) == NULL);
    CHECK(pg_arp_lookup(&netif, 0) == NULL);
}

/* ---- ICMP. ---- */

static void
check_echo_reply(const uint8_t *r, size_t len, const uint8_t *req_data,
                 size_t data_len, uint16_t id, uint16_t seq)
{
    const uint8_t *ip = r + 14, *icmp = r + 34;

    CHECK_EQ(len, PG_MAX(60, 42 + data_len));
    CHECK_MEMEQ(r, peer_mac, 6);
    CHECK_MEMEQ(r + 6, our_mac, 6);
    CHECK_EQ(rd16(r + 12), 0x0800);
    CHECK_EQ(ip[0], 0x45);
    CHECK_EQ(rd16(ip + 2), 28 + data_len);
    CHECK_EQ(ip[8], 64);
    CHECK_EQ(ip[9], 1);
    CHECK_EQ(rd32(ip + 12), OUR_IP);
    CHECK_EQ(rd32(ip + 16), PEER_IP);
    CHECK_EQ(ref_csum(ip, 20, 0), 0);
    CHECK_EQ(icmp[0], 0);
    CHECK_EQ(icmp[1], 0);
    CHECK_EQ(rd16(icmp + 4), id);
    CHECK_EQ(rd16(icmp + 6), seq);
    CHECK_MEMEQ(icmp + 8, req_data, data_len);
    CHECK_EQ(ref_csum(icmp, 8 + data_len, 0), 0);
}

TEST(icmp_echo_request_answered)
{
    static const size_t sizes[] = { 0, 1, 17, 56, 1472 };
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[PG_ETH_FRAME_MAX + 64];

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        struct pg_rx_info info;

        make_netif(&netif, &log);
        size_t len = build_echo_in(f, 5, 8, 0x4242, 7 + i, sizes[i]);
        CHECK_EQ(input(&netif, f, len, &info), PG_RX_ECHO_REQUEST);
        CHECK_EQ(log.n, 1);
        check_echo_reply(log.frame[0], log.len[0], f + 42, sizes[i],
                         0x4242, 7 + i);
        CHECK_EQ(netif.stats.echo_replies, 1);
    }

    /* Too big to answer within 1514 bytes: dropped, not truncated. */
    make_netif(&netif, &log);
    size_t len = build_echo_in(f, 5, 8, 1, 1, 1473);
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_DROP);
    CHECK_EQ(log.n, 0);
}

TEST(icmp_echo_request_with_ip_options)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[200];

    make_netif(&netif, &log);
    size_t len = build_echo_in(f, 7, 8, 1, 2, 32);
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_ECHO_REQUEST);
    CHECK_EQ(log.n, 1);
    check_echo_reply(log.frame[0], log.len[0], f + 14 + 28 + 8, 32, 1, 2);
}

TEST(icmp_echo_request_with_ethernet_padding)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[200];

    /* 14 + 20 + 8 + 4 = 46 bytes padded to 60 with junk. */
    make_netif(&netif, &log);
    size_t len = build_echo_in(f, 5, 8, 3, 4, 4);
    memset(f + len, 0xee, 60 - len);
    CHECK_EQ(input(&netif, f, 60, NULL), PG_RX_ECHO_REQUEST);
    CHECK_EQ(log.n, 1);
    check_echo_reply(log.frame[0], log.len[0], f + 42, 4, 3, 4);
}

TEST(icmp_echo_reply_reported)
{
    struct pg_netif netif;
    struct tx_log log;
    struct pg_rx_info info;
    uint8_t f[200];

    make_netif(&netif, &log);
    size_t len = build_echo_in(f, 5, 0, 0x5047, 3, 56);
    CHECK_EQ(input(&netif, f, len, &info), PG_RX_ECHO_REPLY);
    CHECK_EQ(log.n, 0);
    CHECK_EQ(info.src_ip, PEER_IP);
    CHECK_EQ(info.id, 0x5047);
    CHECK_EQ(info.seq, 3);
    CHECK_EQ(info.payload_len, 56);

    /* Other ICMP types are dropped. */
    len = build_echo_in(f, 5, 3, 0, 0, 8);
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_DROP);
}

TEST(echo_request_built)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[PG_ETH_FRAME_MAX], data[56];

    make_netif(&netif, &log);
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = i;
    }
    size_t len = pg_net_build_echo(&netif, peer_mac, PEER_IP, 8, 9, 10,
                                   data, sizeof data, f, sizeof f);
    CHECK_EQ(len, 98);
    CHECK_MEMEQ(f, peer_mac, 6);
    CHECK_EQ(ref_csum(f + 14, 20, 0), 0);
    CHECK_EQ(rd16(f + 16), 84);
    CHECK_EQ(f[34], 8);
    CHECK_EQ(ref_csum(f + 34, 64, 0), 0);
    CHECK_MEMEQ(f + 42, data, 56);

    /* Does not fit. */
    CHECK_EQ(pg_net_build_echo(&netif, peer_mac, PEER_IP, 8, 9, 10, data,
                               sizeof data, f, 97), 0);
}

/* ---- UDP. ---- */

TEST(udp_build_and_parse)
{
    static const size_t sizes[] = { 60, 61, 64, 128, 1000, 1513, 1514 };
    struct pg_netif tx_if, rx_if;
    struct tx_log log;
    uint8_t f[PG_ETH_FRAME_MAX + 16];

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        struct pg_rx_info info;
        size_t size = sizes[i];

        pg_netif_init(&tx_if, peer_mac, PEER_IP, 24, capture_tx, &log);
        make_netif(&rx_if, &log);
        size_t len = pg_net_build_udp(&tx_if, our_mac, OUR_IP, 5000, 9,
                                      size, f, sizeof f);
        CHECK_EQ(len, size);
        CHECK_MEMEQ(f, our_mac, 6);
        CHECK_MEMEQ(f + 6, peer_mac, 6);
        CHECK_EQ(rd16(f + 12), 0x0800);
        CHECK_EQ(ref_csum(f + 14, 20, 0), 0);
        CHECK_EQ(rd16(f + 16), size - 14);
        CHECK_EQ(f[23], 17);
        uint16_t udp_len = size - 34;
        CHECK_EQ(rd16(f + 38), udp_len);
        CHECK_NE(rd16(f + 40), 0);
        CHECK_EQ(ref_csum(f + 34, udp_len,
                          pseudo(PEER_IP, OUR_IP, 17, udp_len)), 0);

        CHECK_EQ(input(&rx_if, f, len, &info), PG_RX_UDP);
        CHECK_EQ(info.src_ip, PEER_IP);
        CHECK_EQ(info.dst_ip, OUR_IP);
        CHECK_EQ(info.src_port, 5000);
        CHECK_EQ(info.dst_port, 9);
        CHECK_EQ(info.payload_len, size - 42);
        CHECK_EQ(log.n, 0);
    }

    pg_netif_init(&tx_if, peer_mac, PEER_IP, 24, capture_tx, &log);
    CHECK_EQ(pg_net_build_udp(&tx_if, our_mac, OUR_IP, 1, 2, 59, f,
                              sizeof f), 0);
    CHECK_EQ(pg_net_build_udp(&tx_if, our_mac, OUR_IP, 1, 2, 1515, f,
                              sizeof f), 0);
    CHECK_EQ(pg_net_build_udp(&tx_if, our_mac, OUR_IP, 1, 2, 100, f, 99),
             0);
}

TEST(udp_checksum_zero_accepted_bad_rejected)
{
    struct pg_netif netif;
    struct tx_log log;
    struct pg_rx_info info;
    uint8_t f[200];

    make_netif(&netif, &log);
    size_t len = build_udp_in(f, 7, 8, 20, false);
    CHECK_EQ(input(&netif, f, len, &info), PG_RX_UDP);
    CHECK_EQ(info.payload_len, 20);

    len = build_udp_in(f, 7, 8, 20, true);
    CHECK_EQ(input(&netif, f, len, &info), PG_RX_UDP);
    f[len - 1] ^= 1;
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_DROP);
}

/* ---- Hostile frames. ---- */

static void
expect_drop(const uint8_t *f, size_t len, const char *what)
{
    struct pg_netif netif;
    struct tx_log log;

    make_netif(&netif, &log);
    enum pg_rx_kind kind = input(&netif, f, len, NULL);
    CHECK_MSG(kind == PG_RX_DROP, "%s: kind %d", what, kind);
    CHECK_MSG(log.n == 0, "%s: answered", what);
    CHECK_EQ(netif.stats.rx_dropped, 1);
}

TEST(truncated_frames_ignored)
{
    uint8_t f[200];
    size_t len;

    len = build_echo_in(f, 6, 8, 1, 1, 20);
    for (size_t n = 0; n < len; n++) {
        expect_drop(f, n, "truncated echo request");
    }
    len = build_udp_in(f, 1, 2, 30, true);
    for (size_t n = 0; n < len; n++) {
        expect_drop(f, n, "truncated udp");
    }
    len = build_arp_in(f, 1, OUR_IP);
    for (size_t n = 0; n < 42; n++) {
        expect_drop(f, n, "truncated arp");
    }
}

/* Recomputes the IP header checksum after a header edit. */
static void
fix_ip_csum(uint8_t *f)
{
    size_t hlen = (f[14] & 0xf) * 4;
    wr16(f + 24, 0);
    wr16(f + 24, ref_csum(f + 14, hlen < 20 ? 20 : hlen, 0));
}

TEST(malformed_ip_ignored)
{
    uint8_t f[200], g[200];
    size_t len = build_echo_in(f, 5, 8, 1, 1, 20);

    /* IHL 0..4, and larger than the frame. */
    for (int ihl = 0; ihl < 5; ihl++) {
        memcpy(g, f, len);
        g[14] = 0x40 | ihl;
        fix_ip_csum(g);
        expect_drop(g, len, "ihl < 5");
    }
    memcpy(g, f, len);
    g[14] = 0x4f;
    expect_drop(g, len, "ihl 15 beyond the frame");
    expect_drop(g, 14 + 40, "ihl 15 with short frame");

    /* Version 6 in an IPv4 ethertype. */
    memcpy(g, f, len);
    g[14] = 0x65;
    fix_ip_csum(g);
    expect_drop(g, len, "version 6");

    /* Total length beyond the frame, below the header, 0. */
    static const uint16_t totals[] = { 0, 19, 200, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(totals); i++) {
        memcpy(g, f, len);
        wr16(g + 16, totals[i]);
        fix_ip_csum(g);
        expect_drop(g, len, "bad total length");
    }
    /* Total length cuts into the ICMP header. */
    memcpy(g, f, len);
    wr16(g + 16, 20 + 7);
    fix_ip_csum(g);
    expect_drop(g, len, "icmp shorter than its header");

    /* Wrong IP checksum, wrong ICMP checksum. */
    memcpy(g, f, len);
    g[24] ^= 0x10;
    expect_drop(g, len, "ip checksum");
    memcpy(g, f, len);
    g[len - 1] ^= 0x10;
    expect_drop(g, len, "icmp checksum");

    /* Fragments: MF set, nonzero offset. */
    memcpy(g, f, len);
    wr16(g + 20, 0x2000);
    fix_ip_csum(g);
    expect_drop(g, len, "more fragments");
    memcpy(g, f, len);
    wr16(g + 20, 0x0001);
    fix_ip_csum(g);
    expect_drop(g, len, "fragment offset");

    /* Not for us: other IP, other MAC, multicast or own source MAC. */
    memcpy(g, f, len);
    wr32(g + 30, 0x0a000009);
    fix_ip_csum(g);
    expect_drop(g, len, "other ip");
    memcpy(g, f, len);
    g[5] ^= 1;
    expect_drop(g, len, "other mac");
    memcpy(g, f, len);
    g[6] |= 1;
    expect_drop(g, len, "multicast source");
    memcpy(g, f, len);
    memcpy(g + 6, our_mac, 6);
    expect_drop(g, len, "our own source mac");

    /* Unknown protocol and ethertype, VLAN tag. */
    memcpy(g, f, len);
    g[23] = 6;
    fix_ip_csum(g);
    expect_drop(g, len, "tcp");
    memcpy(g, f, len);
    wr16(g + 12, 0x86dd);
    expect_drop(g, len, "ipv6 ethertype");
    memcpy(g, f, len);
    wr16(g + 12, 0x8100);
    expect_drop(g, len, "vlan");
}

TEST(malformed_udp_ignored)
{
    uint8_t f[200], g[200];
    size_t len = build_udp_in(f, 1, 2, 30, true);

    /* UDP length below 8, beyond the IP payload. */
    static const uint16_t lens[] = { 0, 7, 39, 1000, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        memcpy(g, f, len);
        wr16(g + 38, lens[i]);
        expect_drop(g, len, "bad udp length");
    }
    /* IP total length shorter than the UDP header. */
    memcpy(g, f, len);
    wr16(g + 16, 20 + 4);
    fix_ip_csum(g);
    expect_drop(g, len, "udp header cut");
}

TEST(random_corruption_never_crashes)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t base[4][200], g[200];
    size_t lens[4];

    lens[0] = build_echo_in(base[0], 5, 8, 1, 1, 40);
    lens[1] = build_udp_in(base[1], 1, 2, 50, true);
    lens[2] = build_arp_in(base[2], 1, OUR_IP);
    lens[3] = build_echo_in(base[3], 9, 8, 1, 1, 20);

    for (int iter = 0; iter < 20000; iter++) {
        int which = test_random() % 4;
        size_t len = lens[which];

        memcpy(g, base[which], len);
        int flips = 1 + test_random() % 4;
        for (int i = 0; i < flips; i++) {
            g[test_random() % len] ^= 1 << (test_random() % 8);
        }
        if (test_random() % 4 == 0) {
            len = test_random() % (len + 1);
        }
        make_netif(&netif, &log);
        input(&netif, g, len, NULL);
        CHECK_LE(log.n, 1);
        if (log.n) {
            /* Whatever we sent is well-formed. */
            uint16_t type = rd16(log.frame[0] + 12);
            CHECK(type == 0x0800 || type == 0x0806);
            if (type == 0x0800) {
                CHECK_EQ(ref_csum(log.frame[0] + 14, 20, 0), 0);
            }
        }
    }
}

TEST(tx_failure_counted)
{
    struct pg_netif netif;
    struct tx_log log;
    uint8_t f[200];

    make_netif(&netif, &log);
    log.fail = true;
    size_t len = build_echo_in(f, 5, 8, 1, 1, 8);
    CHECK_EQ(input(&netif, f, len, NULL), PG_RX_ECHO_REQUEST);
    CHECK_EQ(netif.stats.tx_failed, 1);
}

/* ---- Checksums, subnets, formatting. ---- */

TEST(inet_checksum_known_answer)
{
    /* A well-known IPv4 header whose checksum is 0xb861. */
    uint8_t h[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    CHECK_EQ(pg_inet_csum(h, 20, 0), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    CHECK_EQ(pg_inet_csum(h, 20, 0), 0);

    /* Odd lengths and random data agree with the reference. */
    for (int i = 0; i < 200; i++) {
        uint8_t d[101];
        size_t n = test_random() % sizeof d;
        uint32_t init = test_random() % 0x10000;
        for (size_t j = 0; j < n; j++) {
            d[j] = test_random();
        }
        CHECK_EQ(pg_inet_csum(d, n, init), ref_csum(d, n, init));
    }
}

TEST(on_link)
{
    struct pg_netif netif;
    struct tx_log log;

    make_netif(&netif, &log);
    CHECK(pg_netif_on_link(&netif, 0x0a0000fe));
    CHECK(!pg_netif_on_link(&netif, 0x0a000100));
    netif.prefix_len = 32;
    CHECK(pg_netif_on_link(&netif, OUR_IP));
    CHECK(!pg_netif_on_link(&netif, PEER_IP));
    netif.prefix_len = 0;
    CHECK(pg_netif_on_link(&netif, 0xc0a80001));
    netif.ip = 0;
    CHECK(!pg_netif_on_link(&netif, 0xc0a80001));
}

TEST(format_ip_and_mac)
{
    char ip[PG_IP_STRLEN], mac[PG_MAC_STRLEN];
    static const uint8_t m[6] = { 0x52, 0x54, 0x00, 0xab, 0x0c, 0xff };

    CHECK_STREQ(pg_format_ip(0x0a000001, ip), "10.0.0.1");
    CHECK_STREQ(pg_format_ip(0xffffffff, ip), "255.255.255.255");
    CHECK_STREQ(pg_format_ip(0, ip), "0.0.0.0");
    CHECK_STREQ(pg_format_ip(0xc0a80a64, ip), "192.168.10.100");
    CHECK_STREQ(pg_format_mac(m, mac), "52:54:00:ab:0c:ff");
}

TEST(buf_truncates_and_formats_numbers)
{
    char s[8];
    struct pg_buf b;

    pg_buf_init(&b, s, sizeof s);
    pg_buf_str(&b, "abcdefghij");
    CHECK_STREQ(s, "abcdefg");
    CHECK_EQ(b.len, 7);

    char big[64];
    pg_buf_init(&b, big, sizeof big);
    pg_buf_u64(&b, 0);
    pg_buf_char(&b, ' ');
    pg_buf_u64(&b, UINT64_MAX);
    pg_buf_char(&b, ' ');
    pg_buf_hex(&b, 0xa, 2);
    pg_buf_char(&b, ' ');
    pg_buf_hex(&b, 0x1234, 2);
    CHECK_STREQ(big, "0 18446744073709551615 0a 1234");
}

/* ---- Command line. ---- */

static int
parse(const char *s, struct pg_config *cfg, char *err, char *warn)
{
    struct pg_buf e, w;

    pg_buf_init(&e, err, 128);
    pg_buf_init(&w, warn, 128);
    return pg_cmdline_parse(s, strlen(s), cfg, &e, &w);
}

TEST(cmdline_defaults_and_ping)
{
    struct pg_config cfg;
    char err[128], warn[128];

    CHECK_EQ(parse("", &cfg, err, warn), 0);
    CHECK_EQ(cfg.action, PG_ACTION_NONE);
    CHECK(!cfg.ifs[0].set);
    CHECK(!cfg.exit);

    CHECK_EQ(parse("  ip=10.0.0.1/24\tping=10.0.0.2  exit=1 ", &cfg, err,
                   warn), 0);
    CHECK_STREQ(warn, "");
    CHECK(cfg.ifs[0].set);
    CHECK_EQ(cfg.ifs[0].ip, 0x0a000001);
    CHECK_EQ(cfg.ifs[0].prefix_len, 24);
    CHECK_EQ(cfg.action, PG_ACTION_PING);
    CHECK_EQ(cfg.dst_ip, 0x0a000002);
    CHECK_EQ(cfg.count, 5);
    CHECK_EQ(cfg.interval_ms, 100);
    CHECK(cfg.exit);
    CHECK(!cfg.fault);

    CHECK_EQ(parse("fault=1", &cfg, err, warn), 0);
    CHECK(cfg.fault);
    CHECK(parse("fault=2", &cfg, err, warn) != 0);

    CHECK_EQ(parse("ping=192.168.1.1 count=3 interval_ms=0 ip=1.2.3.4 "
                   "ip1=172.16.0.1/12 ip3=9.9.9.9/32", &cfg, err, warn), 0);
    CHECK_EQ(cfg.count, 3);
    CHECK_EQ(cfg.interval_ms, 0);
    CHECK_EQ(cfg.ifs[0].prefix_len, 24);      /* Default. */
    CHECK_EQ(cfg.ifs[1].ip, 0xac100001);
    CHECK_EQ(cfg.ifs[1].prefix_len, 12);
    CHECK(!cfg.ifs[2].set);
    CHECK_EQ(cfg.ifs[3].prefix_len, 32);
}

TEST(cmdline_udp_tx_and_sink)
{
    struct pg_config cfg;
    char err[128], warn[128];

    CHECK_EQ(parse("udp-tx=10.0.0.2:5001", &cfg, err, warn), 0);
    CHECK_EQ(cfg.action, PG_ACTION_UDP_TX);
    CHECK_EQ(cfg.dst_port, 5001);
    CHECK_EQ(cfg.size, 64);
    CHECK_EQ(cfg.rate, 0);
    CHECK_EQ(cfg.count, 0);
    CHECK_EQ(cfg.duration_ms, 0);
    CHECK_EQ(cfg.src_port, 1024);

    CHECK_EQ(parse("udp-tx=10.0.0.2:9 size=1514 rate=100000 count=1000000 "
                   "duration_ms=2000 src-port=65535", &cfg, err, warn), 0);
    CHECK_EQ(cfg.size, 1514);
    CHECK_EQ(cfg.rate, 100000);
    CHECK_EQ(cfg.count, 1000000);
    CHECK_EQ(cfg.duration_ms, 2000);
    CHECK_EQ(cfg.src_port, 65535);
    CHECK_EQ(parse("udp-tx=10.0.0.2:9 size=60", &cfg, err, warn), 0);
    CHECK_EQ(cfg.size, 60);

    CHECK_EQ(parse("sink=9 duration_ms=500 exit=0", &cfg, err, warn), 0);
    CHECK_EQ(cfg.action, PG_ACTION_SINK);
    CHECK_EQ(cfg.sink_port, 9);
    CHECK_EQ(cfg.duration_ms, 500);
    CHECK_EQ(cfg.count, 0);
    CHECK(!cfg.exit);
}

TEST(cmdline_unknown_words_warned)
{
    struct pg_config cfg;
    char err[128], warn[128];

    CHECK_EQ(parse("console=ttyS0 ip=10.0.0.1/8 quiet ip4=1.2.3.4", &cfg,
                   err, warn), 0);
    CHECK_STREQ(warn, "console=ttyS0 quiet ip4=1.2.3.4");
    CHECK_EQ(cfg.ifs[0].prefix_len, 8);

    /* A NUL inside LEN ends the command line. */
    struct pg_buf e, w;
    pg_buf_init(&e, err, sizeof err);
    pg_buf_init(&w, warn, sizeof warn);
    static const char s[] = "sink=7\0ping=1.2.3.4";
    CHECK_EQ(pg_cmdline_parse(s, sizeof s - 1, &cfg, &e, &w), 0);
    CHECK_EQ(cfg.action, PG_ACTION_SINK);
}

TEST(cmdline_bad_values)
{
    static const char *const bad[] = {
        "ip=10.0.0.256", "ip=10.0.0.1/33", "ip=1.2.3", "ip=1.2.3.4.5",
        "ip=", "ip=0.0.0.0/8", "ip=1..2.3", "ip=1.2.3.4/", "ip=01234.0.0.1",
        "ip=a.b.c.d", "ip=1.2.3.4/-1", "ip2=10.0.0.1/x",
        "ping=", "ping=10.0.0.2:7", "ping=0.0.0.0",
        "count=0", "count=abc", "count=", "count=-1",
        "count=99999999999999999999999", "count=4294967296",
        "size=59", "size=1515", "size=0x40",
        "udp-tx=10.0.0.2", "udp-tx=10.0.0.2:0", "udp-tx=10.0.0.2:65536",
        "udp-tx=10.0.0.2:", "udp-tx=:9",
        "sink=0", "sink=65536", "sink=", "src-port=0",
        "exit=2", "exit=yes", "rate=1000000001", "duration_ms=0",
        "interval_ms=3600001",
        "ping=10.0.0.2 sink=9", "sink=9 udp-tx=10.0.0.2:9",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct pg_config cfg;
        char err[128], warn[128];

        CHECK_MSG(parse(bad[i], &cfg, err, warn) == -1,
                  "\"%s\" accepted", bad[i]);
        CHECK_MSG(err[0] != '\0', "\"%s\": no error text", bad[i]);
    }

    struct pg_config cfg;
    char err[128], warn[128];
    CHECK_EQ(parse("size=59", &cfg, err, warn), -1);
    CHECK_STREQ(err, "bad value for size: \"59\"");
    CHECK_EQ(parse("ping=1.1.1.1 sink=9", &cfg, err, warn), -1);
    CHECK_STREQ(err, "more than one action (ping=, udp-tx=, sink=)");
}

TEST(parse_ip_and_numbers)
{
    uint32_t ip;
    uint64_t v;

    CHECK_EQ(pg_parse_ip("0.0.0.0", 7, &ip), 0);
    CHECK_EQ(ip, 0);
    CHECK_EQ(pg_parse_ip("255.255.255.255", 15, &ip), 0);
    CHECK_EQ(ip, 0xffffffff);
    CHECK_EQ(pg_parse_ip("10.0.0.1x", 9, &ip), -1);
    CHECK_EQ(pg_parse_ip("10.0.0.12", 8, &ip), 0);  /* Only LEN bytes. */
    CHECK_EQ(ip, 0x0a000001);
    CHECK_EQ(pg_parse_ip("10.0.0.1", 7, &ip), -1);
    CHECK_EQ(pg_parse_ip("", 0, &ip), -1);
    CHECK_EQ(pg_parse_ip("1.2.3.", 6, &ip), -1);

    CHECK_EQ(pg_parse_u64("18446744073709551615", 20, UINT64_MAX, &v), 0);
    CHECK_U64_EQ(v, UINT64_MAX);
    CHECK_EQ(pg_parse_u64("18446744073709551616", 20, UINT64_MAX, &v), -1);
    CHECK_EQ(pg_parse_u64("256", 3, 255, &v), -1);
    CHECK_EQ(pg_parse_u64("255", 3, 255, &v), 0);
    CHECK_EQ(pg_parse_u64("", 0, 255, &v), -1);
    CHECK_EQ(pg_parse_u64("2", 1, 1, &v), -1);
    CHECK_EQ(pg_parse_u64("1", 1, 1, &v), 0);
    CHECK_EQ(pg_parse_u64("0", 1, 0, &v), 0);
    CHECK_EQ(pg_parse_u64("33", 2, 32, &v), -1);
}
