/* Tests for lib/csum: known vectors, agreement with a byte-wise
 * reference at every length and alignment, incremental updates against
 * full recomputation, pseudo-headers and the SCTP CRC. */
#include <config.h>
#include "csum.h"

#include "packets.h"
#include "test.h"

/* Reference RFC 1071 checksum, one big-endian 16-bit word at a time.
 * Returns the checksum in host order. */
static uint16_t
ref_csum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static void
random_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = test_random();
    }
}

TEST(rfc1071_example)
{
    static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7 };
    /* RFC 1071 §3: the sum is 0xddf2, so the checksum is 0x220d. */
    CHECK_EQ(ntohs(csum(data, sizeof data)), 0x220d);
    CHECK_EQ(ref_csum(data, sizeof data), 0x220d);
}

TEST(ipv4_header_vector)
{
    /* A real IPv4 header (192.168.0.1 -> 192.168.0.199, UDP), whose
     * checksum is 0xb861. */
    uint8_t hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
                        0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
                        0xc0, 0xa8, 0x00, 0xc7 };
    plx_be16 sum = csum(hdr, sizeof hdr);
    CHECK_EQ(ntohs(sum), 0xb861);
    memcpy(&hdr[10], &sum, 2);
    /* A header with its checksum in place sums to zero. */
    CHECK_EQ(csum(hdr, sizeof hdr), 0);
}

TEST(matches_reference_all_lengths_and_alignments)
{
    uint8_t buf[300];

    for (int iter = 0; iter < 20; iter++) {
        random_bytes(buf, sizeof buf);
        for (size_t ofs = 0; ofs < 4; ofs++) {
            for (size_t n = 0; n + ofs <= 260; n++) {
                CHECK_EQ(ntohs(csum(buf + ofs, n)), ref_csum(buf + ofs, n));
            }
        }
    }
    /* All-ones data: the sum is -0 and the checksum 0. */
    memset(buf, 0xff, sizeof buf);
    CHECK_EQ(ntohs(csum(buf, 100)), ref_csum(buf, 100));
}

TEST(continue_in_pieces)
{
    uint8_t buf[2000];

    random_bytes(buf, sizeof buf);
    for (int iter = 0; iter < 200; iter++) {
        size_t n = test_random() % sizeof buf;
        size_t split = (test_random() % (n + 1)) & ~(size_t) 1;
        uint32_t partial = csum_continue(0, buf, split);
        partial = csum_continue(partial, buf + split, n - split);
        CHECK_EQ(csum_finish(partial), csum(buf, n));
    }
}

TEST(large_buffer_does_not_overflow)
{
    /* 64 kB of 0xff words would overflow a naive 32-bit accumulator. */
    size_t n = 65535;
    uint8_t *buf = xmalloc(n);
    memset(buf, 0xfe, n);
    CHECK_EQ(ntohs(csum(buf, n)), ref_csum(buf, n));
    free(buf);
}

/* Changes the field at OFS (of WIDTH bytes) in a random buffer and checks
 * that the incremental update equals a full recomputation. */
static void
check_recalc(size_t width)
{
    uint8_t buf[64], old[16], new[16];

    for (int iter = 0; iter < 5000; iter++) {
        size_t n = 2 * (width / 2 + 4 + test_random() % 20);
        size_t ofs = 2 * (test_random() % ((n - width) / 2 + 1));
        plx_be16 before, after;

        random_bytes(buf, n);
        before = csum(buf, n);
        memcpy(old, buf + ofs, width);
        random_bytes(new, width);
        if (iter % 7 == 0) {
            memset(new, iter % 2 ? 0xff : 0, width);   /* Edge values. */
        }
        memcpy(buf + ofs, new, width);
        after = csum(buf, n);

        plx_be16 incr;
        if (width == 2) {
            plx_be16 o, nw;
            memcpy(&o, old, 2);
            memcpy(&nw, new, 2);
            incr = recalc_csum16(before, o, nw);
        } else if (width == 4) {
            plx_be32 o, nw;
            memcpy(&o, old, 4);
            memcpy(&nw, new, 4);
            incr = recalc_csum32(before, o, nw);
        } else if (width == 6) {
            incr = recalc_csum48(before, old, new);
        } else {
            struct in6_addr o, nw;
            memcpy(&o, old, 16);
            memcpy(&nw, new, 16);
            incr = recalc_csum128(before, &o, &nw);
        }
        /* Equal, except that an all-zero buffer has two representations
         * of zero, which random data of this size never reaches. */
        CHECK_MSG(incr == after, "width %zu iter %d: %#x vs %#x", width,
                  iter, ntohs(incr), ntohs(after));
    }
}

TEST(recalc_csum16) { check_recalc(2); }
TEST(recalc_csum32) { check_recalc(4); }
TEST(recalc_csum48) { check_recalc(6); }
TEST(recalc_csum128) { check_recalc(16); }

TEST(pseudoheader4)
{
    for (int iter = 0; iter < 1000; iter++) {
        uint8_t ph[12 + 40];
        plx_be32 src = test_random(), dst = test_random();
        uint8_t proto = test_random();
        uint16_t len = 40;

        memcpy(ph, &src, 4);
        memcpy(ph + 4, &dst, 4);
        ph[8] = 0;
        ph[9] = proto;
        ph[10] = len >> 8;
        ph[11] = len;
        random_bytes(ph + 12, len);

        uint32_t partial = csum_pseudoheader4(src, dst, proto, len);
        partial = csum_continue(partial, ph + 12, len);
        CHECK_EQ(ntohs(csum_finish(partial)), ref_csum(ph, sizeof ph));
    }
}

TEST(pseudoheader_from_ip_header)
{
    struct {
        struct ip_header ip;
        uint8_t l4[30];
    } pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ip.ip_ihl_ver = IP_IHL_VER(5, 4);
    pkt.ip.ip_tot_len = htons(sizeof pkt);
    pkt.ip.ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&pkt.ip.ip_src, htonl(0x0a000001));
    put_16aligned_be32(&pkt.ip.ip_dst, htonl(0x0a000002));
    CHECK_EQ(packet_csum_pseudoheader(&pkt.ip),
             csum_pseudoheader4(htonl(0x0a000001), htonl(0x0a000002),
                                IPPROTO_UDP, 30));
}

TEST(pseudoheader6)
{
    for (int iter = 0; iter < 1000; iter++) {
        uint8_t ph[40 + 24];
        struct {
            struct ip6_header ip6;
            uint8_t l4[24];
        } pkt;
        struct in6_addr src, dst;
        uint8_t proto = test_random();
        uint32_t len = sizeof pkt.l4;

        random_bytes((uint8_t *) &src, 16);
        random_bytes((uint8_t *) &dst, 16);
        random_bytes(pkt.l4, len);
        memcpy(ph, &src, 16);
        memcpy(ph + 16, &dst, 16);
        ph[32] = ph[33] = ph[34] = 0;
        ph[35] = len;
        ph[36] = ph[37] = ph[38] = 0;
        ph[39] = proto;
        memcpy(ph + 40, pkt.l4, len);

        uint32_t partial = csum_pseudoheader6(&src, &dst, proto, len);
        partial = csum_continue(partial, pkt.l4, len);
        CHECK_EQ(ntohs(csum_finish(partial)), ref_csum(ph, sizeof ph));

        memset(&pkt.ip6, 0, sizeof pkt.ip6);
        put_16aligned_in6(&pkt.ip6.ip6_src, &src);
        put_16aligned_in6(&pkt.ip6.ip6_dst, &dst);
        CHECK_EQ(ntohs(packet_csum_upperlayer6(&pkt.ip6, pkt.l4, proto,
                                               len)),
                 ref_csum(ph, sizeof ph));
    }
}

TEST(sctp_crc32c)
{
    /* RFC 3720 B.4: CRC32c of 32 zero bytes is 0x8a9136aa, and SCTP
     * puts it on the wire least significant byte first. */
    uint8_t zeros[32] = { 0 };
    plx_be32 crc = sctp_csum(zeros, sizeof zeros);
    uint8_t wire[4];
    memcpy(wire, &crc, 4);
    CHECK_EQ(wire[0], 0xaa);
    CHECK_EQ(wire[1], 0x36);
    CHECK_EQ(wire[2], 0x91);
    CHECK_EQ(wire[3], 0x8a);
}
