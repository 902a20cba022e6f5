/*
 * netflow: a NetFlow v5 and v9 (RFC 3954) exporter fed with datapath flow
 * statistics.
 *
 * Records.  A record is keyed on (OpenFlow input port, IP version, source
 * and destination address, IP protocol, DSCP, L4 source and destination
 * port).  netflow_mask_wc() makes each megaflow match exactly those
 * fields (plus dl_type and the presence of VLAN tags, which the L3 byte
 * count needs), so one megaflow maps to one record; several megaflows with
 * the same key simply add up.  netflow_flow_update() adds a delta of a
 * datapath flow's statistics to its record, creating the record on the
 * first delta with packets (a delta without packets never creates one).
 * v5 records IPv4 flows only; v9 records IPv4 and IPv6.  Other flows are
 * ignored.
 *
 * Counters: packets as given; octets are layer-3 bytes, the NetFlow
 * definition: the datapath's bytes minus packets x the L2 header (14 bytes
 * plus 4 per VLAN tag present in the flow, i.e. per nonzero vlans[].qtag),
 * never below zero.  TCP flags are ORed (the low 8 bits are exported).
 * The output interface and IPv4 next hop are those of the latest update.
 *
 * Times.  sysUptime and FIRST/LAST_SWITCHED are milliseconds since
 * netflow_create() (as Open vSwitch does), on the time_msec() clock.
 * FIRST_SWITCHED is the 'used' time of the first update with packets in
 * this export period, LAST_SWITCHED the latest 'used' time.
 *
 * Expiry.  A record is exported:
 *   - at the next netflow_run() after netflow_flow_removed() (the record is
 *     encoded at once and the datagram sent by the next run);
 *   - when its active timeout has passed since its first packet of this
 *     export period: it is exported and its counters, first and last
 *     switched restart while the record stays in the cache;
 *   - when it has seen no new packet (by 'used') for NETFLOW_INACTIVE_MS:
 *     it is exported and freed;
 *   - when it is evicted because the cache holds NETFLOW_MAX_RECORDS
 *     records and a new flow arrives: the least recently updated record
 *     is exported early and counted as an eviction;
 *   - when the version changes: every record is exported under the old
 *     version and freed.
 * A record with zero packets is never exported.  Each record sits in a
 * heap under its next deadline (the earlier of first + active timeout
 * while it has packets, and last + NETFLOW_INACTIVE_MS), so that
 * netflow_run(now) touches only the records whose time has come and
 * netflow_wait() knows when to wake.
 *
 * Encoding.  Finished records wait in a queue of datagram bodies (bounded
 * by NETFLOW_MAX_RECORDS records; records beyond it are counted as lost)
 * and netflow_run() sends each to every collector with a header written
 * at send time.
 *   - v5: 24-byte header (count, sysUptime, unix secs/nsecs, flow_sequence
 *     = records sent before this datagram, engine type/id, sampling 0)
 *     and at most 28 48-byte records (the protocol allows 30, but 30 make
 *     1464 bytes, over NETFLOW_MAX_DATAGRAM).  Counters are 32 bits: a
 *     record with more packets or octets is split into several records
 *     that add up to it (at most 1024, each saturating at 2^32 - 1).
 *     src_as, dst_as and the masks are 0.  ICMP type and code go into the
 *     destination port as type << 8 | code (as Cisco does), source port 0.
 *   - v9: 20-byte header (count = template + data records, sysUptime, unix
 *     secs, sequence = datagrams built before this one, source id =
 *     engine_type << 8 | engine_id), then optionally a template flowset
 *     with templates 256 (IPv4) and 257 (IPv6), then data flowsets padded
 *     to 4 bytes; datagrams stay under NETFLOW_MAX_DATAGRAM bytes.  Fields,
 *     as RFC 3954 numbers them (length in bytes):
 *         IN_BYTES(1,8) IN_PKTS(2,8) PROTOCOL(4,1) SRC_TOS(5,1)
 *         TCP_FLAGS(6,1) L4_SRC_PORT(7,2) IPV4_SRC_ADDR(8,4) |
 *         IPV6_SRC_ADDR(27,16) INPUT_SNMP(10,4) L4_DST_PORT(11,2)
 *         IPV4_DST_ADDR(12,4) | IPV6_DST_ADDR(28,16) OUTPUT_SNMP(14,4)
 *         IPV4_NEXT_HOP(15,4) [IPv4 only] LAST_SWITCHED(21,4)
 *         FIRST_SWITCHED(22,4) ICMP_TYPE(32,2) [IPv4] |
 *         ICMP_TYPE_IPV6(139,2) [IPv6]
 *     ICMP type and code are type << 8 | code in the ICMP field and in
 *     L4_DST_PORT (0 in the ICMP field for other protocols).  The templates
 *     go in the first datagram, in the first after template_interval
 *     seconds, after any send that a collector refused, and after the
 *     collectors change.
 *   - SRC_TOS is the DSCP part of the TOS byte (ECN masked off), as OVS.
 *   - Interfaces: the OpenFlow port; reserved OpenFlow 1.1+ ports in their
 *     16-bit OpenFlow 1.0 form; NETFLOW_OUT_NONE as 0, NETFLOW_OUT_FLOOD
 *     as 0xffff; with add_id_to_iface, other ports become
 *     (engine_id & 0x7f) << 9 | (port & 0x1ff).  v5 keeps the low 16 bits.
 *
 * Everything here runs on the main thread only.
 */
#ifndef NETFLOW_H
#define NETFLOW_H 1

#include <stdbool.h>
#include <stdint.h>
#include "sset.h"
#include "types.h"

struct ds;
struct flow;
struct flow_wildcards;

#define NETFLOW_DEFAULT_PORT 2055
#define NETFLOW_ACTIVE_TIMEOUT_DEFAULT 600      /* Seconds. */
#define NETFLOW_TEMPLATE_INTERVAL_DEFAULT 60    /* Seconds. */
#define NETFLOW_INACTIVE_MS 15000
#define NETFLOW_MAX_RECORDS 65536
#define NETFLOW_MAX_DATAGRAM 1400

struct netflow_options {
    struct sset collectors;     /* "IP:PORT" (default port 2055). */
    int version;                /* 5 or 9. */
    uint8_t engine_type, engine_id;
    int active_timeout;         /* Seconds; 0 = default 600; -1 = none. */
    bool add_id_to_iface;       /* Interface index =
                                 * (engine_id & 0x7f) << 9 | (port & 0x1ff). */
    int template_interval;      /* v9: seconds between template resends;
                                 * 0 = default 60. */
};

/* Output ports that are not a port: the flow's packets were dropped
 * (output interface 0), or went out more than one port (0xffff, as OVS
 * reports it). */
#define NETFLOW_OUT_NONE  0xffffffffu   /* OFPP11_ANY: no port. */
#define NETFLOW_OUT_FLOOD 0xfffffffbu   /* OFPP11_FLOOD. */

void netflow_options_init(struct netflow_options *);
void netflow_options_destroy(struct netflow_options *);

struct netflow *netflow_create(void);
void netflow_destroy(struct netflow *);

/* Validates and applies OPTIONS.  Returns NULL, or a malloc'd message.
 * An invalid version or timeout changes nothing.  A collector that cannot
 * be opened is named in the message while the others are used; if none
 * can be, the other options still apply and every datagram is dropped
 * until a later call succeeds. */
char *netflow_set_options(struct netflow *, const struct netflow_options *);

/* ORs into WC the fields that a record is keyed on, for FLOW. */
void netflow_mask_wc(const struct flow *, struct flow_wildcards *);

/* Adds a delta of a datapath flow's statistics.  FLOW's in_port is the
 * OpenFlow input port; OUTPUT the OpenFlow output port (or NETFLOW_OUT_*);
 * NEXT_HOP an IPv4 next hop if known (0 otherwise); USED the time_msec()
 * of its last packet; TCP_FLAGS in host order. */
void netflow_flow_update(struct netflow *, const struct flow *,
                         uint32_t output, uint64_t packets, uint64_t bytes,
                         uint16_t tcp_flags, long long int used,
                         plx_be32 next_hop);

/* The datapath flow is gone: its record is exported at the next run. */
void netflow_flow_removed(struct netflow *, const struct flow *);

/* Expires records whose time has come and sends the datagrams waiting. */
void netflow_run(struct netflow *, long long int now);
/* Exports every record now, whatever its timers say, and sends what is
 * queued (before the exporter is destroyed, so that nothing counted is
 * lost). */
void netflow_flush(struct netflow *, long long int now);
/* True once netflow_set_options() has accepted a set of collectors. */
bool netflow_is_configured(const struct netflow *);
void netflow_wait(const struct netflow *, long long int now);

/* Counters, for tests and the status block. */
struct netflow_stats {
    uint64_t n_records;         /* In the cache now. */
    uint64_t n_exported;        /* Records exported (put in a datagram). */
    uint64_t n_evicted;         /* Exported early: the cache was full. */
    uint64_t n_lost;            /* Dropped because the send queue was full. */
    uint64_t n_datagrams;       /* Datagrams built. */
    uint64_t n_sent;            /* Datagram deliveries collectors took. */
    uint64_t n_dropped;         /* Deliveries refused, or no collector. */
    uint64_t n_templates;       /* Template flowsets sent (v9). */
};
void netflow_get_stats(const struct netflow *, struct netflow_stats *);

void netflow_format_status(const struct netflow *, struct ds *);

#endif /* netflow.h */
