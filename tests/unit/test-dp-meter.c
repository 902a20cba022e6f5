/* Tests for datapath/dp-meter (token buckets on a clock the tests set,
 * bands, DSCP remarking, statistics) and for meters in the userspace
 * datapath through dpif_meter_*() and the meter(N) action. */
#include <config.h>
#include "datapath/dp-meter.h"

#include <errno.h>
#include <unistd.h>
#include "csum.h"
#include "datapath/dpif.h"
#include "datapath/netdev-dummy.h"
#include "datapath/netdev.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "dpif-fixture.h"
#include "flow.h"
#include "packets.h"
#include "rcu.h"
#include "test.h"
#include "timeval.h"

#define T0 1000000LL            /* An arbitrary start time, in ms. */

/* ------------------------------------------------------------------ */
/* Helpers. */

static struct dp_meter_config
one_band(uint16_t flags, uint16_t type, uint32_t rate, uint32_t burst)
{
    struct dp_meter_config c;

    memset(&c, 0, sizeof c);
    c.flags = flags;
    c.n_bands = 1;
    c.bands[0].type = type;
    c.bands[0].rate = rate;
    c.bands[0].burst_size = burst;
    return c;
}

/* An IPv4/UDP packet (or IPv6 if V6) with DSCP/ECN byte TOS, of LEN
 * bytes in all (at least 60), carrying SEQ in its last 4 bytes; a VLAN
 * tag if VLAN. */
static struct dp_packet *
make_packet(bool v6, uint8_t tos, size_t len, uint32_t seq, bool vlan)
{
    struct dp_packet *p = dp_packet_new(0);
    struct flow f;

    memset(&f, 0, sizeof f);
    f.dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    f.nw_proto = IPPROTO_UDP;
    f.nw_tos = tos;
    f.nw_ttl = 64;
    f.nw_src = htonl(0x0a000001);
    f.nw_dst = htonl(0x0a000002);
    CHECK(ipv6_parse("2001:db8::1", &f.ipv6_src));
    CHECK(ipv6_parse("2001:db8::2", &f.ipv6_dst));
    f.tp_src = htons(1);
    f.tp_dst = htons(2);
    if (vlan) {
        f.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f.vlans[0].tci = htons(7 | VLAN_CFI);
    }
    flow_compose(p, &f);
    CHECK_GE(len, dp_packet_size(p));
    dp_packet_put_zeros(p, len - dp_packet_size(p));
    uint8_t *tail = (uint8_t *) dp_packet_tail(p) - 4;
    for (int i = 0; i < 4; i++) {
        tail[i] = seq >> (24 - 8 * i);
    }
    return p;
}

static void
fill_batch(struct dp_packet_batch *b, size_t n, size_t len)
{
    dp_packet_batch_init(b);
    for (size_t i = 0; i < n; i++) {
        dp_packet_batch_add(b, make_packet(false, 0, len, i, false));
    }
}

/* Runs N packets of LEN bytes through meter ID at NOW and returns how
 * many passed, checking that those are the first ones, in order. */
static size_t
run_n(struct dp_meter_table *t, uint32_t id, size_t n, size_t len,
      long long int now)
{
    struct dp_packet_batch b;

    fill_batch(&b, n, len);
    dp_meter_run(t, id, &b, now);
    size_t passed = b.count;
    for (size_t i = 0; i < b.count; i++) {
        CHECK_EQ(packet_seq(b.packets[i]), i);
    }
    dp_packet_delete_batch(&b, true);
    return passed;
}

static uint8_t
packet_dscp_ecn(const struct dp_packet *p)
{
    struct dp_packet *copy = dp_packet_clone(p);
    struct flow f;

    flow_extract(copy, &f);
    uint8_t *l3 = dp_packet_l3(copy);
    if (f.dl_type == htons(ETH_TYPE_IP)) {
        CHECK_MSG(!csum(l3, IP_HEADER_LEN), "bad IPv4 header checksum");
    }
    dp_packet_delete(copy);
    return f.nw_tos;
}

/* ------------------------------------------------------------------ */
/* Configuration. */

TEST(config_errors)
{
    struct dp_meter_table *t = dp_meter_table_create();
    struct dp_meter_config c = one_band(DP_METER_PKTPS, DP_METER_BAND_DROP,
                                        10, 0);

    CHECK_EQ(dp_meter_set(t, DP_METER_MAX, &c, T0), EFBIG);
    CHECK_EQ(dp_meter_set(t, UINT32_MAX, &c, T0), EFBIG);

    c.flags = 0;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EBADF);        /* No unit. */
    c.flags = DP_METER_PKTPS | DP_METER_KBPS;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EBADF);        /* Both units. */
    c.flags = DP_METER_PKTPS | 0x10;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EBADF);        /* Unknown flag. */
    c.flags = DP_METER_PKTPS;

    c.n_bands = 0;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EINVAL);
    c.n_bands = DP_METER_MAX_BANDS + 1;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EINVAL);
    c.n_bands = 1;

    c.bands[0].type = 0xffff;                           /* Experimenter. */
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), ENODEV);
    c.bands[0].type = 3;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), ENODEV);
    c.bands[0].type = DP_METER_BAND_DROP;
    c.bands[0].rate = 0;
    CHECK_EQ(dp_meter_set(t, 1, &c, T0), EDOM);

    /* Nothing was created by the failures. */
    CHECK_EQ(dp_meter_count(t), 0);
    struct dp_meter_stats s;
    CHECK_EQ(dp_meter_get_stats(t, 1, &s, T0), ENOENT);
    CHECK_EQ(dp_meter_del(t, 1, NULL, T0), ENOENT);
    CHECK_EQ(dp_meter_del(t, DP_METER_MAX, NULL, T0), ENOENT);
    CHECK_EQ(dp_meter_get_stats(t, UINT32_MAX, &s, T0), ENOENT);

    /* The largest id and the most bands work. */
    c.bands[0].rate = 1;
    c.n_bands = DP_METER_MAX_BANDS;
    for (int i = 1; i < DP_METER_MAX_BANDS; i++) {
        c.bands[i] = c.bands[0];
        c.bands[i].type = DP_METER_BAND_DSCP_REMARK;
        c.bands[i].rate = i + 1;
    }
    CHECK_EQ(dp_meter_set(t, DP_METER_MAX - 1, &c, T0), 0);
    CHECK_EQ(dp_meter_set(t, 0, &c, T0), 0);
    CHECK_EQ(dp_meter_count(t), 2);
    CHECK_EQ(dp_meter_get_stats(t, DP_METER_MAX - 1, &s, T0), 0);
    CHECK_EQ(s.n_bands, DP_METER_MAX_BANDS);

    struct dp_meter_features f;
    dp_meter_get_features(&f);
    CHECK_EQ(f.max_meters, DP_METER_MAX);
    CHECK_EQ(f.band_types, (1 << 1) | (1 << 2));
    CHECK_EQ(f.capabilities, 0xf);
    CHECK_EQ(f.max_bands, 8);
    CHECK_EQ(f.max_color, 0);

    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

/* ------------------------------------------------------------------ */
/* Token buckets. */

TEST(pktps_bucket)
{
    struct dp_meter_table *t = dp_meter_table_create();
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DROP, 10, 5);
    struct dp_meter_stats s;

    CHECK_EQ(dp_meter_set(t, 7, &c, T0), 0);

    /* Starts full: 5 of 8 pass, the first 5. */
    CHECK_EQ(run_n(t, 7, 8, 60, T0), 5);
    /* Empty now, and no time passed. */
    CHECK_EQ(run_n(t, 7, 3, 60, T0), 0);
    /* 10 packets/s: 100 ms is one packet. */
    CHECK_EQ(run_n(t, 7, 3, 60, T0 + 99), 0);
    CHECK_EQ(run_n(t, 7, 3, 60, T0 + 100), 1);
    /* 250 ms: 2.5 packets, the half stays in the bucket... */
    CHECK_EQ(run_n(t, 7, 4, 60, T0 + 350), 2);
    /* ...and 50 ms more make it whole. */
    CHECK_EQ(run_n(t, 7, 4, 60, T0 + 400), 1);
    /* A batch the bucket holds entirely. */
    CHECK_EQ(run_n(t, 7, 2, 60, T0 + 600), 2);
    /* A long pause fills it to the burst size only. */
    CHECK_EQ(run_n(t, 7, 32, 60, T0 + 3600 * 1000LL), 5);
    /* A clock that goes back (another thread was first) adds nothing. */
    CHECK_EQ(run_n(t, 7, 2, 60, T0), 0);

    CHECK_EQ(dp_meter_get_stats(t, 7, &s, T0 + 3600 * 1000LL + 1500), 0);
    CHECK_U64_EQ(s.packet_in_count, 8 + 3 + 3 + 3 + 4 + 4 + 2 + 32 + 2);
    CHECK_U64_EQ(s.byte_in_count, 61 * 60);
    CHECK_EQ(s.n_bands, 1);
    CHECK_U64_EQ(s.bands[0].packet_count, 61 - 16);
    CHECK_U64_EQ(s.bands[0].byte_count, (61 - 16) * 60);
    CHECK_EQ(s.duration_sec, 3601);
    CHECK_EQ(s.duration_nsec, 500000000);

    /* Without the BURST flag the burst size is the rate, whatever the
     * band says. */
    c = one_band(DP_METER_PKTPS, DP_METER_BAND_DROP, 10, 3);
    CHECK_EQ(dp_meter_set(t, 8, &c, T0), 0);
    CHECK_EQ(run_n(t, 8, 32, 60, T0), 10);
    /* With the flag and a zero burst size, too. */
    c = one_band(DP_METER_PKTPS | DP_METER_BURST, DP_METER_BAND_DROP, 12, 0);
    CHECK_EQ(dp_meter_set(t, 9, &c, T0), 0);
    CHECK_EQ(run_n(t, 9, 32, 60, T0), 12);

    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

TEST(kbps_bucket)
{
    struct dp_meter_table *t = dp_meter_table_create();
    /* 8 kbit/s = 8 bits (one byte) per ms; burst 1 kbit = 1000 bits. */
    struct dp_meter_config c = one_band(DP_METER_KBPS | DP_METER_BURST,
                                        DP_METER_BAND_DROP, 8, 1);
    struct dp_packet_batch b;

    CHECK_EQ(dp_meter_set(t, 1, &c, T0), 0);

    /* 3 x 60 bytes = 1440 bits > 1000: two pass (960 bits), 40 left. */
    CHECK_EQ(run_n(t, 1, 3, 60, T0), 2);
    /* 40 + 8 * 65 = 560 bits: not enough for 480 + 480. */
    CHECK_EQ(run_n(t, 1, 2, 60, T0 + 65), 1);
    /* 80 left; back to full after 115 ms (capped). */

    /* Packet sizes matter: 60, 100 (800 bits), 60 bytes with 1000 bits:
     * the first takes 480, the second exceeds, the third takes 480. */
    dp_packet_batch_init(&b);
    dp_packet_batch_add(&b, make_packet(false, 0, 60, 0, false));
    dp_packet_batch_add(&b, make_packet(false, 0, 100, 1, false));
    dp_packet_batch_add(&b, make_packet(false, 0, 60, 2, false));
    dp_meter_run(t, 1, &b, T0 + 1000);
    CHECK_EQ(b.count, 2);
    CHECK_EQ(packet_seq(b.packets[0]), 0);
    CHECK_EQ(packet_seq(b.packets[1]), 2);
    dp_packet_delete_batch(&b, true);

    struct dp_meter_stats s;
    CHECK_EQ(dp_meter_get_stats(t, 1, &s, T0 + 1000), 0);
    CHECK_U64_EQ(s.packet_in_count, 8);
    CHECK_U64_EQ(s.byte_in_count, 7 * 60 + 100);
    CHECK_U64_EQ(s.bands[0].packet_count, 3);
    CHECK_U64_EQ(s.bands[0].byte_count, 60 + 60 + 100);

    /* Huge rates and bursts neither overflow nor starve. */
    c = one_band(DP_METER_KBPS | DP_METER_BURST, DP_METER_BAND_DROP,
                 UINT32_MAX, UINT32_MAX);
    c.n_bands = 2;
    c.bands[1] = c.bands[0];
    c.bands[1].rate = 1;
    c.bands[1].burst_size = 1;
    CHECK_EQ(dp_meter_set(t, 2, &c, T0), 0);
    CHECK_EQ(run_n(t, 2, 32, 1500, T0), 0);   /* Band 1 drops: 1 kbit. */
    CHECK_EQ(run_n(t, 2, 1, 100, T0 + 100000000000LL), 1);

    /* An unknown meter lets everything through. */
    CHECK_EQ(run_n(t, 12345, 32, 60, T0), 32);
    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

/* ------------------------------------------------------------------ */
/* Bands. */

/* Each exceeding packet meets the exceeded band of the highest rate. */
TEST(highest_exceeded_band_applies)
{
    struct dp_meter_table *t = dp_meter_table_create();
    struct dp_meter_config c;
    struct dp_packet_batch b;

    memset(&c, 0, sizeof c);
    c.flags = DP_METER_PKTPS | DP_METER_BURST;
    c.n_bands = 2;
    c.bands[0] = (struct dp_meter_band_config) {
        .type = DP_METER_BAND_DSCP_REMARK, .prec_level = 1,
        .rate = 5, .burst_size = 4,
    };
    c.bands[1] = (struct dp_meter_band_config) {
        .type = DP_METER_BAND_DROP, .rate = 50, .burst_size = 6,
    };
    CHECK_EQ(dp_meter_set(t, 3, &c, T0), 0);

    /* AF21 (DSCP 18) with ECN ECT(0). */
    uint8_t af21 = (18 << 2) | IP_ECN_ECT_0;
    dp_packet_batch_init(&b);
    for (int i = 0; i < 8; i++) {
        dp_packet_batch_add(&b, make_packet(false, af21, 60, i, false));
    }
    dp_meter_run(t, 3, &b, T0);

    /* 0-3 pass both bands; 4-5 exceed the remark band only; 6-7 exceed
     * both, and the drop band's rate is higher. */
    CHECK_EQ(b.count, 6);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(packet_seq(b.packets[i]), i);
        uint8_t want = i < 4 ? af21 : (20 << 2) | IP_ECN_ECT_0;
        CHECK_EQ(packet_dscp_ecn(b.packets[i]), want);
    }
    dp_packet_delete_batch(&b, true);

    struct dp_meter_stats s;
    CHECK_EQ(dp_meter_get_stats(t, 3, &s, T0), 0);
    CHECK_U64_EQ(s.packet_in_count, 8);
    CHECK_EQ(s.n_bands, 2);
    CHECK_U64_EQ(s.bands[0].packet_count, 2);
    CHECK_U64_EQ(s.bands[0].byte_count, 120);
    CHECK_U64_EQ(s.bands[1].packet_count, 2);

    /* Swap the rates: now packets 6-7 are remarked, not dropped. */
    c.bands[0].rate = 500;
    CHECK_EQ(dp_meter_set(t, 3, &c, T0), 0);
    fill_batch(&b, 8, 60);
    dp_meter_run(t, 3, &b, T0);
    CHECK_EQ(b.count, 8);
    dp_packet_delete_batch(&b, true);
    CHECK_EQ(dp_meter_get_stats(t, 3, &s, T0), 0);
    CHECK_U64_EQ(s.bands[0].packet_count, 4);       /* 4-7. */
    CHECK_U64_EQ(s.bands[1].packet_count, 0);

    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

/* Remarking raises the AF drop precedence and keeps the packet valid. */
TEST(dscp_remark_values)
{
    static const struct {
        uint8_t dscp;
        uint8_t prec_level;
        uint8_t expected;
    } cases[] = {
        { 10, 1, 12 },          /* AF11 -> AF12. */
        { 10, 2, 14 },          /* AF11 -> AF13. */
        { 12, 5, 14 },          /* AF12 -> AF13, saturating. */
        { 38, 1, 38 },          /* AF43 stays. */
        { 34, 0, 34 },          /* AF41, level 0. */
        { 26, 1, 28 },          /* AF31 -> AF32. */
        { 46, 1, 46 },          /* EF: no drop precedence. */
        { 0, 1, 0 },            /* Best effort. */
        { 8, 1, 8 },            /* CS1. */
        { 42, 1, 42 },          /* Class 5: not AF. */
        { 11, 1, 11 },          /* Odd: not AF. */
    };

    struct dp_meter_table *t = dp_meter_table_create();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        for (int kind = 0; kind < 3; kind++) {
            bool v6 = kind == 1, vlan = kind == 2;
            struct dp_meter_config c = one_band(
                DP_METER_PKTPS | DP_METER_BURST, DP_METER_BAND_DSCP_REMARK,
                1, 1);
            c.bands[0].prec_level = cases[i].prec_level;
            CHECK_EQ(dp_meter_set(t, 1, &c, T0), 0);

            struct dp_packet_batch b;
            uint8_t tos = cases[i].dscp << 2 | IP_ECN_CE;
            dp_packet_batch_init(&b);
            dp_packet_batch_add(&b, make_packet(v6, tos, 80, 0, vlan));
            dp_packet_batch_add(&b, make_packet(v6, tos, 80, 1, vlan));
            struct dp_packet *orig = dp_packet_clone(b.packets[1]);
            dp_meter_run(t, 1, &b, T0);
            CHECK_EQ(b.count, 2);
            CHECK_EQ(packet_dscp_ecn(b.packets[0]), tos);
            CHECK_MSG(packet_dscp_ecn(b.packets[1])
                      == (cases[i].expected << 2 | IP_ECN_CE),
                      "dscp %d level %d %s: got tos %#x", cases[i].dscp,
                      cases[i].prec_level, v6 ? "ipv6" : "ipv4",
                      packet_dscp_ecn(b.packets[1]));
            /* Nothing else changed (IPv4: the checksum, checked above). */
            if (cases[i].dscp == cases[i].expected) {
                CHECK(dp_packet_equal(orig, b.packets[1]));
            }
            if (v6) {
                /* Flow label untouched. */
                struct flow f;
                flow_extract(b.packets[1], &f);
                CHECK_EQ(f.ipv6_label, 0);
            }
            dp_packet_delete(orig);
            dp_packet_delete_batch(&b, true);
        }
    }

    /* Packets without IP are counted by the band and left alone. */
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DSCP_REMARK, 1, 1);
    c.bands[0].prec_level = 1;
    CHECK_EQ(dp_meter_set(t, 2, &c, T0), 0);
    static const uint8_t junk[][20] = {
        { 1, 2, 3 },                                    /* Runt. */
        { [12] = 0x08, [13] = 0x06, [14] = 0x45 },      /* ARP. */
        { [12] = 0x08, [13] = 0x00, [14] = 0x45 },      /* Short IPv4. */
        { [12] = 0x81, [13] = 0x00, [16] = 0x81 },      /* Tags only. */
    };
    struct dp_packet_batch b;
    dp_packet_batch_init(&b);
    for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
        dp_packet_batch_add(&b, dp_packet_clone_data(junk[i],
                                                     i ? 20 : 3));
    }
    dp_meter_run(t, 2, &b, T0);
    CHECK_EQ(b.count, ARRAY_SIZE(junk));
    for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
        CHECK_MEMEQ(dp_packet_data(b.packets[i]), junk[i],
                    dp_packet_size(b.packets[i]));
    }
    dp_packet_delete_batch(&b, true);
    struct dp_meter_stats s;
    CHECK_EQ(dp_meter_get_stats(t, 2, &s, T0), 0);
    CHECK_U64_EQ(s.bands[0].packet_count, ARRAY_SIZE(junk) - 1);

    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

/* ------------------------------------------------------------------ */
/* Lifetime. */

TEST(replace_and_delete)
{
    struct dp_meter_table *t = dp_meter_table_create();
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DROP, 1, 2);
    struct dp_meter_stats s;

    CHECK_EQ(dp_meter_set(t, 40000, &c, T0), 0);
    CHECK_EQ(run_n(t, 40000, 5, 60, T0), 2);

    /* Replacing starts over: full bucket, zero counters, new age. */
    CHECK_EQ(dp_meter_set(t, 40000, &c, T0 + 2500), 0);
    CHECK_EQ(dp_meter_count(t), 1);
    CHECK_EQ(dp_meter_get_stats(t, 40000, &s, T0 + 2500), 0);
    CHECK_U64_EQ(s.packet_in_count, 0);
    CHECK_U64_EQ(s.bands[0].packet_count, 0);
    CHECK_EQ(s.duration_sec, 0);
    CHECK_EQ(run_n(t, 40000, 5, 60, T0 + 2500), 2);

    /* Deleting returns the final counts; then packets pass. */
    CHECK_EQ(dp_meter_del(t, 40000, &s, T0 + 4250), 0);
    CHECK_U64_EQ(s.packet_in_count, 5);
    CHECK_U64_EQ(s.byte_in_count, 300);
    CHECK_U64_EQ(s.bands[0].packet_count, 3);
    CHECK_U64_EQ(s.bands[0].byte_count, 180);
    CHECK_EQ(s.duration_sec, 1);
    CHECK_EQ(s.duration_nsec, 750000000);
    CHECK_EQ(dp_meter_count(t), 0);
    CHECK_EQ(dp_meter_get_stats(t, 40000, &s, T0), ENOENT);
    CHECK_EQ(dp_meter_del(t, 40000, &s, T0), ENOENT);
    CHECK_EQ(run_n(t, 40000, 5, 60, T0 + 5000), 5);
    /* A neighbour in the same chunk never existed. */
    CHECK_EQ(dp_meter_get_stats(t, 40001, &s, T0), ENOENT);

    /* Many meters. */
    for (uint32_t id = 0; id < 5000; id += 3) {
        CHECK_EQ(dp_meter_set(t, id * 37 % DP_METER_MAX, &c, T0), 0);
    }
    CHECK_EQ(dp_meter_count(t), 1667);
    CHECK_EQ(dp_meter_del(t, 3 * 37, NULL, T0), 0);
    CHECK_EQ(dp_meter_count(t), 1666);
    dp_meter_table_destroy(t);
    rcu_wait_postponed();
}

/* ------------------------------------------------------------------ */
/* Meters in the datapath. */

/* in_port=1,ip,nw_dst=10.0.0.2 -> meter(ID),2. */
static void
put_metered_flow(struct fx *fx, uint32_t id)
{
    struct odp_buf b = ODP_BUF_INITIALIZER;

    odp_put_meter(&b, id);
    odp_put_output(&b, 2);
    put_flow(fx->dpif, DPIF_FP_CREATE | DPIF_FP_MODIFY, 1, 0x0a000002, &b);
    odp_buf_uninit(&b);
}

static size_t
receive_n(struct fx *fx, uint32_t first_seq, size_t n, uint8_t tos)
{
    struct dp_packet_batch batch;

    dp_packet_batch_init(&batch);
    for (size_t i = 0; i < n; i++) {
        struct dp_packet *p = make_udp(0x0a000001, 0x0a000002, 1, 2,
                                       first_seq + i);
        struct ip_header *ip = (void *) ((uint8_t *) dp_packet_data(p) + 14);
        ip->ip_tos = tos;
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_HEADER_LEN);
        dp_packet_batch_add(&batch, p);
    }
    dpif_receive(fx->dpif, 1, &batch);
    CHECK_EQ(batch.count, 0);
    return netdev_dummy_n_sent(fx->dev[2]);
}

TEST(dpif_drop_band)
{
    struct fx *fx = fx_create(2, 1);
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DROP, 1, 10);
    struct dp_meter_stats s;
    struct dp_meter_features f;

    dpif_meter_get_features(fx->dpif, &f);
    CHECK_EQ(f.max_meters, DP_METER_MAX);
    CHECK_EQ(dpif_meter_set(fx->dpif, DP_METER_MAX, &c), EFBIG);

    /* No meter yet: everything passes. */
    put_metered_flow(fx, 5);
    CHECK_EQ(receive_n(fx, 0, 4, 0), 4);
    for (int i = 0; i < 4; i++) {
        dp_packet_delete(netdev_dummy_pop_sent(fx->dev[2], NULL));
    }

    /* 1 packet/s, burst 10: 10 of 32 pass (one more per second the test
     * may take). */
    long long int start = time_msec();
    CHECK_EQ(dpif_meter_set(fx->dpif, 5, &c), 0);
    size_t sent = receive_n(fx, 100, 32, 0);
    long long int extra = (time_msec() - start) / 1000;
    CHECK_GE(sent, 10);
    CHECK_LE(sent, 10 + extra);
    for (size_t i = 0; i < sent; i++) {
        struct dp_packet *p = netdev_dummy_pop_sent(fx->dev[2], NULL);
        CHECK_EQ(packet_seq(p), 100 + i);
        dp_packet_delete(p);
    }

    /* dpif_execute() (packet-out) goes through the meter too. */
    CHECK_EQ(dpif_meter_get_stats(fx->dpif, 5, &s), 0);
    uint64_t dropped = s.bands[0].packet_count;
    struct odp_buf b = ODP_BUF_INITIALIZER;
    CHECK_NO_ERROR(odp_actions_parse("meter(5),2", &b));
    CHECK_EQ(dpif_execute(fx->dpif, make_udp(1, 2, 3, 4, 5), b.data,
                          b.size), 0);
    CHECK_EQ(dpif_meter_get_stats(fx->dpif, 5, &s), 0);
    CHECK_U64_EQ(s.packet_in_count, 33);
    CHECK_U64_EQ(s.byte_in_count, 33 * PKT_LEN);
    CHECK_U64_EQ(s.bands[0].packet_count + netdev_dummy_n_sent(fx->dev[2]),
                 dropped + 1);
    dp_packet_delete(netdev_dummy_pop_sent(fx->dev[2], NULL));
    odp_buf_uninit(&b);

    /* Deleted: packets pass again. */
    CHECK_EQ(dpif_meter_del(fx->dpif, 5, &s), 0);
    CHECK_U64_EQ(s.packet_in_count, 33);
    CHECK_EQ(dpif_meter_del(fx->dpif, 5, NULL), ENOENT);
    CHECK_EQ(dpif_meter_get_stats(fx->dpif, 5, &s), ENOENT);
    CHECK_EQ(receive_n(fx, 200, 32, 0), 32);
    for (int i = 0; i < 32; i++) {
        dp_packet_delete(netdev_dummy_pop_sent(fx->dev[2], NULL));
    }
    fx_destroy(fx);
}

TEST(dpif_dscp_remark_band)
{
    struct fx *fx = fx_create(2, 1);
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DSCP_REMARK, 1, 3);
    c.bands[0].prec_level = 1;

    CHECK_EQ(dpif_meter_set(fx->dpif, 9, &c), 0);
    put_metered_flow(fx, 9);
    uint8_t af11 = 10 << 2;
    CHECK_EQ(receive_n(fx, 0, 8, af11), 8);
    int remarked = 0;
    for (int i = 0; i < 8; i++) {
        struct dp_packet *p = netdev_dummy_pop_sent(fx->dev[2], NULL);
        const struct ip_header *ip
            = (const void *) ((uint8_t *) dp_packet_data(p) + 14);
        CHECK_EQ(packet_seq(p), i);
        CHECK_MSG(!csum(ip, IP_HEADER_LEN), "bad IPv4 header checksum");
        if (ip->ip_tos == (12 << 2)) {
            remarked++;
            CHECK_GE(i, 3);
        } else {
            CHECK_EQ(ip->ip_tos, af11);
        }
        dp_packet_delete(p);
    }
    CHECK_GE(remarked, 4);
    CHECK_LE(remarked, 5);

    struct dp_meter_stats s;
    CHECK_EQ(dpif_meter_get_stats(fx->dpif, 9, &s), 0);
    CHECK_U64_EQ(s.packet_in_count, 8);
    CHECK_EQ(s.bands[0].packet_count, remarked);
    fx_destroy(fx);
}

/* PMD threads run a meter while the main thread replaces and deletes it
 * over and over (ASan would see a meter freed under a PMD); every packet
 * the meter lets through arrives, and the final counters add up. */
TEST(pmd_threads_while_reconfiguring)
{
    struct fx *fx = fx_create(2, 2);
    struct dp_meter_config c = one_band(DP_METER_PKTPS | DP_METER_BURST,
                                        DP_METER_BAND_DROP, 1000, 50);
    const int n = 400;

    CHECK_EQ(dpif_set_pmd_cpu_mask(fx->dpif, "0x3"), 0);
    put_metered_flow(fx, 77);
    for (int i = 0; i < n; i++) {
        if (i % 2) {
            CHECK_EQ(dpif_meter_set(fx->dpif, 77, &c), 0);
        } else {
            dpif_meter_del(fx->dpif, 77, NULL);
        }
        inject(fx->dev[1], i % 2, make_udp(0x0a000001, 0x0a000002, 1, 2, i));
    }

    /* Last one set: with the meter gone, whatever arrives now passes. */
    CHECK_EQ(dpif_meter_del(fx->dpif, 77, NULL), 0);
    inject(fx->dev[1], 0, make_udp(0x0a000001, 0x0a000002, 1, 2, n));
    long long int deadline = time_msec() + WAIT_MS;
    bool got_last = false;
    size_t received = 0;
    while (!got_last) {
        struct dp_packet *p = netdev_dummy_pop_sent(fx->dev[2], NULL);
        if (!p) {
            CHECK_LT(time_msec(), deadline);
            usleep(1000);
            continue;
        }
        got_last = packet_seq(p) == (uint32_t) n;
        received++;
        dp_packet_delete(p);
    }
    /* Queue 1's last packets may still be on their way. */
    settle();
    while (netdev_dummy_n_sent(fx->dev[2])) {
        dp_packet_delete(netdev_dummy_pop_sent(fx->dev[2], NULL));
        received++;
    }
    /* 1000 packets/s with a burst of 50 and fresh buckets each time:
     * almost everything passes. */
    CHECK_GE(received, n / 2);
    CHECK_LE(received, n + 1);
    fx_destroy(fx);
    rcu_wait_postponed();
}
