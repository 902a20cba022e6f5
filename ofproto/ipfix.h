/*
 * ipfix: an IPFIX (RFC 7011/7012) exporter fed with sampled packets.
 *
 * As in Open vSwitch, one 'struct ipfix' serves a bridge and holds up to
 * one "bridge exporter" (per-bridge sampling, the IPFIX table referenced
 * from Bridge) and any number of "flow exporters" (one per
 * Flow_Sample_Collector_Set id, fed by the OpenFlow sample action).  The
 * module is single-threaded (main thread only), takes plain data in and
 * sends messages out through lib/collectors (UDP datagrams, or a TCP
 * stream for "tcp:" targets); it knows nothing of
 * bridges or translation.  ofproto/ipfix.c holds the caches, exporters
 * and options; ofproto/ipfix-encode.c the templates and the wire format.
 *
 * Flow cache
 * ----------
 * Each exporter aggregates samples in a cache of flow records.  A record
 * is keyed on the observation domain and point, the template it uses and
 * every key field that template exports (below), encoded as it goes on
 * the wire, so that two samples aggregate exactly when the collector
 * would see the same key.  A record is exported, and leaves the cache:
 *
 *   - at the first ipfix_run() at or after first-packet time plus
 *     cache_active_timeout seconds (flowEndReason 2, active timeout;
 *     timeout 0 means no aggregation: each sample is exported by the
 *     next ipfix_run());
 *   - when a new record needs room and the cache holds cache_max_flows
 *     records: the oldest is evicted (flowEndReason 5, lack of
 *     resources) and counted;
 *   - when ipfix_set_options() removes its exporter, or ipfix_destroy()
 *     (flowEndReason 4, forced end).
 * cache_max_flows 0 means IPFIX_DEFAULT_MAX_FLOWS (65536); larger than
 * IPFIX_MAX_MAX_FLOWS is an error.  Evicted records wait in a short
 * queue that is sent when it fills a datagram or at the next run, so
 * nothing grows without bound.  There is no idle timeout: a sampled flow
 * has no reliable "last packet".
 *
 * Counters are estimates, as in Open vSwitch: each sample adds its
 * sampling_rate to packetDeltaCount and packet_len times sampling_rate
 * to layer2OctetDeltaCount.  Data records carry no sampling IE, since
 * the counts already account for sampling (a collector that scaled them
 * again would double count).
 *
 * Templates and Information Elements (standard IANA IEs only)
 * -----------------------------------------------------------
 * Template ids 256..283: 256 + 14 * tunnel + 2 * l3l4 + vlan, where
 * l3l4 is 0 L2 only, 1 IPv4, 2 IPv4+TCP/UDP/SCTP, 3 IPv4+ICMP, 4 IPv6,
 * 5 IPv6+TCP/UDP/SCTP, 6 IPv6+ICMPv6.  Fields, in wire order:
 *
 *   key, always: observationPointId (138, 4), ingressInterface (10, 4,
 *     the OpenFlow in_port), egressInterface (14, 4, the OpenFlow output
 *     port or 0 if unknown), sourceMacAddress (56, 6),
 *     destinationMacAddress (80, 6), ethernetType (256, 2; the innermost
 *     EtherType);
 *   key, VLAN (an 802.1Q/802.1ad tag present; the outermost is used):
 *     vlanId (58, 2), dot1qVlanId (243, 2), dot1qPriority (244, 1);
 *   key, IPv4: ipVersion (60, 1), ipTTL (192, 1), protocolIdentifier
 *     (4, 1), ipClassOfService (5, 1), sourceIPv4Address (8, 4),
 *     destinationIPv4Address (12, 4);
 *   key, IPv6: ipVersion, ipTTL (hop limit), protocolIdentifier,
 *     ipClassOfService (traffic class), sourceIPv6Address (27, 16),
 *     destinationIPv6Address (28, 16), flowLabelIPv6 (31, 4);
 *   key, TCP/UDP/SCTP: sourceTransportPort (7, 2),
 *     destinationTransportPort (11, 2);
 *   key, ICMP: icmpTypeIPv4 (176, 1) and icmpCodeIPv4 (177, 1), or
 *     icmpTypeIPv6 (178, 1) and icmpCodeIPv6 (179, 1);
 *   key, tunnel (the sample's flow->tunnel has an IPv4 or IPv6
 *     destination and enable_tunnel_sampling is set): layer2SegmentId
 *     (351, 8): the encapsulation type in the top byte (0x01 VXLAN when
 *     the tunnel's UDP destination port is 4789, 0x02 NVGRE when it is 0,
 *     i.e. GRE, otherwise 0x00 "unknown") and the low 56 bits of the
 *     tunnel key.  The outer addresses and ports, and the tunnel type,
 *     have no standard IE (Open vSwitch uses VMware enterprise IEs); they
 *     are not exported;
 *   aggregated: flowStartMilliseconds (152, 8) and flowEndMilliseconds
 *     (153, 8), wall clock of the first and last sample;
 *     packetDeltaCount (2, 8); octetDeltaCount (1, 8): bytes after the
 *     L2 headers (Ethernet, VLAN tags, MPLS labels), i.e. the IP packet
 *     for IP flows, estimated from the frame length (Ethernet padding of
 *     short frames is counted); layer2OctetDeltaCount (352, 8): the whole
 *     frame; tcpControlBits (6, 2; TCP/UDP/SCTP templates only, the OR
 *     of flow->tcp_flags, 0 for UDP and SCTP); flowEndReason (136, 1).
 * A later IPv4 or IPv6 fragment has no L4 fields, so it uses the plain
 * IPv4/IPv6 template.  ARP and other EtherTypes use the L2 template.
 *
 * Messages
 * --------
 * Version 10; export time is the wall clock in seconds; the sequence
 * number counts the data records sent before the message in its
 * observation domain; every datagram stays under IPFIX_MAX_MSG_LEN
 * bytes.  Templates are per observation domain (the bridge exporter has
 * one, a flow exporter has one per obs_domain_id its samples carry, at
 * most IPFIX_MAX_DOMAINS; a sample beyond that is dropped and counted).
 * All 28 templates of a domain are sent, in their own messages, before
 * its first data message, again every template_interval seconds (with
 * the next data; only if some target is UDP), after the targets change
 * and whenever lib/collectors reports a resynchronisation (a datagram
 * refused by a UDP collector, which may have restarted; a new TCP
 * connection; a TCP target that overflowed and drained its queue).
 *
 * Transport
 * ---------
 * A target "IP[:PORT]" is UDP (RFC 7011 §10.3), the default.  A target
 * "tcp:IP[:PORT]" is a TCP connection (RFC 7011 §10.4) that the exporter
 * opens, and re-opens with backoff (1 s to 8 s) whenever it breaks,
 * from ipfix_run(); ipfix_wait() waits on it.  Nothing blocks: a
 * message is queued whole (at most COLLECTORS_TCP_QUEUE_MAX bytes per
 * target) and dropped and counted while the connection is down or the
 * queue is full, so the byte stream always splits into whole messages
 * by the header's length field.  Every new connection is a new
 * transport session: each observation domain sends its templates on it
 * before its next data, and there is no periodic template refresh on
 * TCP.  The sequence number keeps counting across connections (it is
 * per domain, shared by every target of the exporter), so a collector
 * sees the records lost while the connection was down as a gap.  One
 * exporter may mix UDP and TCP targets; they then get the same
 * messages.  SCTP is not done.
 *
 * Options
 * -------
 * ipfix_set_options() first checks everything; on any error it returns
 * a message and changes nothing.  (One exception: a target that parses
 * but whose socket cannot be opened is named in the returned message,
 * and the exporter runs with the others, counting every message as
 * dropped if none is left.)  Otherwise the change takes effect at
 * once: new targets are opened (templates re-sent), a smaller cache
 * evicts at once, a new timeout applies to the records already cached;
 * the records of an exporter that stays are kept; an exporter that goes
 * is flushed first.  Ranges: targets non-empty "IP:PORT" or
 * "tcp:IP:PORT" literals (default port 4739); sampling_rate >= 1
 * (bridge only);
 * cache_active_timeout 0..4200; cache_max_flows 0..IPFIX_MAX_MAX_FLOWS;
 * template_interval 0..3600 (0 = 60).  enable_input_sampling and
 * enable_output_sampling concern where the datapath samples; the module
 * only keeps them for the glue (ipfix_get_bridge_sampling()).
 */
#ifndef PLX_OFPROTO_IPFIX_H
#define PLX_OFPROTO_IPFIX_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sset.h"

struct ds;
struct flow;

#define IPFIX_DEFAULT_PORT 4739
#define IPFIX_DEFAULT_MAX_FLOWS 65536
#define IPFIX_MAX_MAX_FLOWS (1u << 20)
#define IPFIX_MAX_ACTIVE_TIMEOUT 4200
#define IPFIX_DEFAULT_TEMPLATE_INTERVAL 60
#define IPFIX_MAX_TEMPLATE_INTERVAL 3600
#define IPFIX_MAX_DOMAINS 256
#define IPFIX_MAX_MSG_LEN 1400

/* Template ids: see the comment at the top. */
#define IPFIX_TEMPLATE_ID_MIN 256
#define IPFIX_N_TEMPLATES 28

struct ipfix_options {
    struct sset targets;          /* "[tcp:]IP[:PORT]", port 4739. */
    uint32_t sampling_rate;       /* Bridge exporter only: 1 in N. */
    uint32_t obs_domain_id;       /* Bridge exporter only. */
    uint32_t obs_point_id;        /* Bridge exporter only. */
    int cache_active_timeout;     /* Seconds, 0..4200; 0 = no aggregation. */
    uint32_t cache_max_flows;     /* 0 = IPFIX_DEFAULT_MAX_FLOWS. */
    int template_interval;        /* Seconds; 0 = 60. */
    bool enable_tunnel_sampling;  /* Export tunnel fields (default true). */
    bool enable_input_sampling;   /* For the glue (default true). */
    bool enable_output_sampling;  /* For the glue (default true). */
};

/* Initializes OPTS with no targets, sampling_rate 400 (as Open vSwitch),
 * ids and timers 0 and the three enable_* flags true; the caller
 * destroys it with ipfix_options_destroy(). */
void ipfix_options_init(struct ipfix_options *opts);
void ipfix_options_destroy(struct ipfix_options *opts);

struct ipfix *ipfix_create(void);
void ipfix_destroy(struct ipfix *);

/* BRIDGE NULL = no bridge exporter.  FLOWS[i] configures the flow
 * exporter of collector set IDS[i].  Returns NULL or a malloc'd error
 * message (see the top of the file). */
char *ipfix_set_options(struct ipfix *, const struct ipfix_options *bridge,
                        const struct ipfix_options *flows,
                        const uint32_t *ids, size_t n_flows);

uint32_t ipfix_bridge_sampling_rate(const struct ipfix *); /* 0 if none */
bool ipfix_has_flow_exporter(const struct ipfix *, uint32_t id);
/* The bridge exporter's sampling points; all false without one. */
void ipfix_get_bridge_sampling(const struct ipfix *, bool *input,
                               bool *output, bool *tunnel);

struct ipfix_sample {
    const struct flow *flow;      /* Extracted from the packet. */
    uint32_t packet_len;          /* Bytes on the wire (frame). */
    uint32_t output_port;         /* OpenFlow port, or 0 if not known. */
    uint32_t sampling_rate;       /* 1 in N in the datapath (0 = 1). */
};

void ipfix_bridge_sample(struct ipfix *, const struct ipfix_sample *,
                         long long int now);
void ipfix_flow_sample(struct ipfix *, const struct ipfix_sample *,
                       uint32_t collector_set_id, uint32_t obs_domain_id,
                       uint32_t obs_point_id, long long int now);

/* Exports what is due at NOW (msec, time_msec() scale) and runs the TCP
 * connections; ipfix_wait() arranges to wake when either needs it. */
void ipfix_run(struct ipfix *, long long int now);
void ipfix_wait(const struct ipfix *, long long int now);

struct ipfix_stats {
    uint64_t n_samples;           /* Samples taken into the cache. */
    uint64_t n_samples_dropped;   /* Too many observation domains. */
    uint64_t n_records;           /* Data records sent. */
    uint64_t n_messages;          /* Every target took (TCP: queued). */
    uint64_t n_messages_dropped;  /* Some target dropped them. */
    uint64_t n_templates;         /* Template records sent. */
    uint64_t n_evictions;         /* Records evicted by cache_max_flows. */
    size_t cache_size;
    size_t n_domains;
};

/* Fills STATS for the bridge exporter (BRIDGE) or the flow exporter
 * COLLECTOR_SET_ID; returns false if there is no such exporter. */
bool ipfix_get_stats(const struct ipfix *, bool bridge,
                     uint32_t collector_set_id, struct ipfix_stats *stats);

void ipfix_format_status(const struct ipfix *, struct ds *);

#endif /* ipfix.h */
