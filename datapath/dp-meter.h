/*
 * dp-meter: OpenFlow meters in the userspace datapath, as Open vSwitch's
 * dpif-netdev implements them (OpenFlow 1.3 §5.7; ofproto reaches them
 * through dpif_meter_*() in datapath/dpif.h, packets through the
 * ODP_ACTION_METER datapath action).
 *
 * A meter has a rate unit (DP_METER_KBPS or DP_METER_PKTPS, exactly one)
 * and 1 to DP_METER_MAX_BANDS bands, each a token bucket:
 *
 *   - rate: kilobits or packets per second;
 *   - burst size: kilobits or packets, taken from the band when the meter
 *     has DP_METER_BURST and the band's burst_size is nonzero, otherwise
 *     equal to the rate (one second's worth), as Open vSwitch does;
 *   - the bucket holds at most burst * 1000 tokens and starts full.  A
 *     token is a bit (kbps: 1 kbit/s is 1 bit per millisecond) or a
 *     thousandth of a packet (pktps), so that 'rate' tokens arrive per
 *     elapsed millisecond.
 *
 * Running a batch through a meter at time NOW (milliseconds): every
 * band's bucket first gains rate * (NOW - last time) tokens, up to its
 * size.  Then, per band: if the bucket holds the whole batch (its bits,
 * or 1000 per packet), the batch is taken from it; otherwise, in pktps
 * mode the first floor(bucket / 1000) packets pass that band and the
 * rest exceed it (the bucket keeps the remainder below 1000), and in kbps
 * mode each packet in turn takes its bits if the bucket still has them
 * and exceeds the band if not.  Each packet that exceeds one or more
 * bands is handled by the exceeded band of the highest rate (ties: the
 * first such band): a drop band deletes it; a dscp_remark band raises
 * its drop precedence by prec_level.  Either way that band counts the
 * packet and its bytes.  The meter counts every packet that entered it.
 *
 * DSCP remark.  Only the Assured Forwarding codepoints (RFC 2597: AFcd,
 * DSCP = 8c + 2d with class c 1..4 and drop precedence d 1..3) carry a
 * drop precedence; d becomes min(d + prec_level, 3) in the IPv4 TOS (the
 * header checksum updated incrementally) or the IPv6 traffic class.  Any
 * other DSCP, and a packet without an IP header after its VLAN tags, is
 * left unchanged but still counted by the band.
 *
 * Meter ids are 0 .. DP_METER_MAX - 1.  Running an id with no meter lets
 * every packet pass, as in Open vSwitch.  Setting an existing id replaces
 * the meter: full buckets and zeroed counters.
 *
 * Threads.  dp_meter_run() is called from packet-processing threads that
 * are RCU readers (datapath/pmd.h threads, or a thread registered with
 * rcu_thread_register()); it finds the meter lock-free and updates it
 * under the meter's own mutex, held for one batch.  Configuration
 * (set, delete, statistics) may come from any thread; writers serialize
 * on the table's mutex, publish with RCU and free replaced or deleted
 * meters after a grace period.  Time is passed in (NOW, monotonic
 * milliseconds, as time_msec()) so that tests control the clock; a NOW
 * older than the meter's last use (another thread got there first) adds
 * no tokens.
 *
 * Errors (for mapping to OpenFlow meter-mod errors, as Open vSwitch's
 * ofproto-dpif maps them): EFBIG id out of range (OUT_OF_METERS), EBADF
 * bad flags (BAD_FLAGS), EINVAL no bands or too many (OUT_OF_BANDS),
 * ENODEV unknown band type (BAD_BAND), EDOM zero rate (BAD_RATE), ENOENT
 * no such meter (UNKNOWN_METER).
 */
#ifndef PLX_DP_METER_H
#define PLX_DP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_packet_batch;

#define DP_METER_MAX (1u << 18)         /* Meter ids. */
#define DP_METER_MAX_BANDS 8            /* Bands per meter. */

/* Meter flags: the values of OpenFlow 1.3's OFPMF13_*. */
enum dp_meter_flags {
    DP_METER_KBPS = 1 << 0,             /* Rates in kilobits per second. */
    DP_METER_PKTPS = 1 << 1,            /* Rates in packets per second. */
    DP_METER_BURST = 1 << 2,            /* Use the bands' burst sizes. */
    DP_METER_STATS = 1 << 3,            /* Statistics (always kept). */
};
#define DP_METER_FLAGS_ALL \
    (DP_METER_KBPS | DP_METER_PKTPS | DP_METER_BURST | DP_METER_STATS)

/* Band types: the values of OpenFlow 1.3's OFPMBT13_*. */
enum dp_meter_band_type {
    DP_METER_BAND_DROP = 1,
    DP_METER_BAND_DSCP_REMARK = 2,
};

struct dp_meter_band_config {
    uint16_t type;                      /* DP_METER_BAND_*. */
    uint8_t prec_level;                 /* DSCP_REMARK: levels to add. */
    uint32_t rate;                      /* kbps or pktps, nonzero. */
    uint32_t burst_size;                /* kbits or packets (see top). */
};

struct dp_meter_config {
    uint16_t flags;                     /* DP_METER_*. */
    uint16_t n_bands;
    struct dp_meter_band_config bands[DP_METER_MAX_BANDS];
};

struct dp_meter_band_stats {
    uint64_t packet_count;              /* Packets this band handled. */
    uint64_t byte_count;
};

struct dp_meter_stats {
    uint64_t packet_in_count;           /* Packets that entered. */
    uint64_t byte_in_count;
    uint32_t duration_sec;              /* Since the meter was set. */
    uint32_t duration_nsec;
    uint16_t n_bands;
    struct dp_meter_band_stats bands[DP_METER_MAX_BANDS];
};

/* As OpenFlow 1.3's struct ofp_meter_features. */
struct dp_meter_features {
    uint32_t max_meters;
    uint32_t band_types;                /* 1 << DP_METER_BAND_*. */
    uint32_t capabilities;              /* DP_METER_* flags. */
    uint8_t max_bands;
    uint8_t max_color;
};

struct dp_meter_table;

struct dp_meter_table *dp_meter_table_create(void);
/* Frees TABLE and its meters; no thread may be running them. */
void dp_meter_table_destroy(struct dp_meter_table *);

/* 0 if CONFIG is a meter this datapath can run, else an errno value (see
 * the top). */
int dp_meter_check_config(const struct dp_meter_config *);

/* Creates or replaces meter ID with CONFIG at time NOW.  Returns 0 or an
 * errno value, changing nothing on error. */
int dp_meter_set(struct dp_meter_table *, uint32_t id,
                 const struct dp_meter_config *, long long int now);
/* Fills *STATS for meter ID as of NOW, or returns ENOENT. */
int dp_meter_get_stats(struct dp_meter_table *, uint32_t id,
                       struct dp_meter_stats *, long long int now);
/* Deletes meter ID (ENOENT if none), storing its final statistics in
 * *STATS if nonnull. */
int dp_meter_del(struct dp_meter_table *, uint32_t id,
                 struct dp_meter_stats *, long long int now);
size_t dp_meter_count(struct dp_meter_table *);

void dp_meter_get_features(struct dp_meter_features *);

/* Runs BATCH, whose packets the caller owns, through meter ID at time
 * NOW: packets a drop band drops are deleted and taken out of BATCH (the
 * others keep their order), dscp_remark bands rewrite the DSCP of the
 * packets they handle.  See "Threads" for who may call it. */
void dp_meter_run(struct dp_meter_table *, uint32_t id,
                  struct dp_packet_batch *, long long int now);

#endif /* dp-meter.h */
