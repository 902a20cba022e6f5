/*
 * conntrack: stateful connection tracking and NAT for the userspace
 * datapath, as the datapath's "ct" action runs it.
 *
 * A connection is known by two keys: its original tuple (the addresses,
 * ports or ICMP id/type/code, L3 and L4 protocol and zone of the packet
 * that committed it) and its reply tuple (the same reversed, after NAT).
 * Both keys find the same struct conn, so a packet in either direction
 * finds its connection with one lookup.  Every packet that goes through
 * conntrack_execute() leaves with pkt_metadata.ct_state set (CS_TRACKED
 * plus new/established/related/reply/invalid and snat/dnat), and, when it
 * belongs to a connection, ct_zone, ct_mark, ct_label and the original
 * tuple (ct_nw_proto and friends) as Open vSwitch sets them.
 *
 * Protocols.  TCP follows each direction's sequence window (as in
 * Open vSwitch and the BSD pf code it comes from): a segment outside the
 * window, or one that cannot start a connection (no SYN on a new tuple),
 * is +inv and creates nothing.  UDP, SCTP (by ports and chunk flags),
 * ICMP/ICMPv6 echo (by id) and every other protocol (by addresses) have
 * first/multiple-packet states.  An ICMP or ICMPv6 error whose quoted
 * header belongs to a connection is +rel to it and, when that
 * connection is NATed, translated with it (outer and inner headers,
 * checksums).
 *
 * Limits.  A global limit (conntrack_set_maxconns()) and per-zone limits
 * (conntrack_set_zone_limit()): a commit beyond a limit leaves the packet
 * +trk+new without a connection (and is counted), as in Open vSwitch.
 *
 * Timeouts.  Each state has a timeout; the defaults are Open vSwitch's.
 * A timeout policy (conntrack_set_timeout_policy(), as the database's
 * CT_Timeout_Policy row for a zone) overrides some of them for the
 * connections committed with its id.  Expired connections are removed by
 * conntrack_run() from the thread that owns the conntrack (the main
 * thread in plx-vswitchd), a bounded number per call, and are never
 * matched after their expiry even before they are removed.
 *
 * Threads.  conntrack_execute() may run in any number of threads at once
 * (PMD threads); everything else is for one thread, and may run
 * concurrently with conntrack_execute().
 */
#ifndef PLX_CONNTRACK_H
#define PLX_CONNTRACK_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "util.h"

struct conntrack;
struct dp_packet_batch;
struct ds;

/* An address: IPv4 in the first 4 bytes (the rest zero) or IPv6. */
union ct_addr {
    plx_be32 ipv4;
    struct in6_addr ipv6;
};

/* One end of a tuple.  For ICMP and ICMPv6 echo, 'port' is the
 * identifier in both ends; for protocols without ports it is 0. */
struct ct_endpoint {
    union ct_addr addr;
    plx_be16 port;
};

/* A connection tuple.  'icmp_type' and 'icmp_code' are the request's
 * type and code in the original tuple and the reply's in the reply
 * tuple (echo request 8 ↔ echo reply 0). */
struct ct_key {
    struct ct_endpoint src;
    struct ct_endpoint dst;
    plx_be16 dl_type;           /* ETH_TYPE_IP or ETH_TYPE_IPV6. */
    uint16_t zone;
    uint8_t nw_proto;
    uint8_t icmp_type;
    uint8_t icmp_code;
};

/* NAT, as a "ct(nat(...))" action asks for it. */
enum ct_nat_flags {
    CT_NAT_SRC = 1 << 0,        /* Translate the source. */
    CT_NAT_DST = 1 << 1,        /* Translate the destination. */
    CT_NAT_RANGE_ADDR = 1 << 2, /* min_addr..max_addr given. */
    CT_NAT_RANGE_PORT = 1 << 3, /* min_port..max_port given. */
    CT_NAT_PERSISTENT = 1 << 4, /* Same address for a source every time. */
    CT_NAT_HASH = 1 << 5,       /* Pick the port by a hash of the tuple. */
    CT_NAT_RANDOM = 1 << 6,     /* Pick the port at random. */
};

struct ct_nat_action {
    uint16_t flags;             /* CT_NAT_*.  0: "nat" alone, which only
                                 * applies the NAT of an existing
                                 * connection (reverse NAT included). */
    union ct_addr min_addr;     /* Inclusive, network order. */
    union ct_addr max_addr;
    uint16_t min_port;          /* Inclusive, host order. */
    uint16_t max_port;
};

/* What one "ct" datapath action asks for. */
struct ct_exec {
    plx_be16 dl_type;           /* The packets' EtherType (IPv4 or IPv6). */
    uint16_t zone;
    bool commit;                /* Create the connection if it is new. */
    bool force;                 /* A connection in the other direction
                                 * is ended and tracked anew. */
    bool set_mark;
    uint32_t mark, mark_mask;   /* New mark = (old & ~mask) | mark. */
    bool set_label;
    plx_u128 label, label_mask;
    const struct ct_nat_action *nat;  /* NULL for no NAT. */
    uint32_t timeout_policy;    /* 0: the default timeouts. */
};

struct conntrack *conntrack_create(void);
void conntrack_destroy(struct conntrack *);

/* Tracks (and, as EXEC says, commits, marks, labels and NATs) each packet
 * of BATCH at time NOW (msec, time_msec()).  Packets must have been
 * through flow_extract() (their l3 and l4 offsets are used) and must be
 * whole (see datapath/ipf.h for fragments).  A packet whose dl_type is not
 * EXEC->dl_type, or that is not a valid IP packet, leaves +trk+inv. */
void conntrack_execute(struct conntrack *, struct dp_packet_batch *,
                       const struct ct_exec *exec, long long now);

/* "ct_clear": forgets PKT's conntrack metadata. */
struct dp_packet;
void conntrack_clear(struct dp_packet *pkt);

/* Removes expired connections (at most a bounded number per call) and
 * returns when it next needs to run (msec), for poll_timer_wait_until(). */
long long conntrack_run(struct conntrack *, long long now);

/* Flush: every connection (ZONE null, KEY null), every connection of
 * *ZONE, or the one whose original tuple (or reply tuple) is *KEY in
 * zone KEY->zone.  Returns 0, or ENOENT when KEY finds nothing. */
int conntrack_flush(struct conntrack *, const uint16_t *zone,
                    const struct ct_key *key);

/* Limits.  0 means no limit.  The default global limit is 3,000,000. */
void conntrack_set_maxconns(struct conntrack *, uint32_t);
uint32_t conntrack_get_maxconns(const struct conntrack *);
uint32_t conntrack_get_nconns(const struct conntrack *);
void conntrack_set_zone_limit(struct conntrack *, uint16_t zone,
                              uint32_t limit);
/* Returns the limit that applies to ZONE (its own, else the default; 0:
 * none) and stores its count in *COUNT (if nonnull). */
uint32_t conntrack_get_zone_limit(const struct conntrack *, uint16_t zone,
                                  uint32_t *count);
/* The limit for zones without one of their own (0, the default: none),
 * as "ovs-appctl dpctl/ct-set-limits default=N" sets it. */
void conntrack_set_default_zone_limit(struct conntrack *, uint32_t limit);
uint32_t conntrack_get_default_zone_limit(const struct conntrack *);

/* Timeout policies (seconds).  A value of 0 keeps the default. */
enum ct_timeout {
    CT_TM_TCP_SYN_SENT, CT_TM_TCP_SYN_RECV, CT_TM_TCP_ESTABLISHED,
    CT_TM_TCP_FIN_WAIT, CT_TM_TCP_CLOSE_WAIT, CT_TM_TCP_LAST_ACK,
    CT_TM_TCP_TIME_WAIT, CT_TM_TCP_CLOSE, CT_TM_TCP_SYN_SENT2,
    CT_TM_TCP_RETRANSMIT, CT_TM_TCP_UNACK,
    CT_TM_UDP_FIRST, CT_TM_UDP_SINGLE, CT_TM_UDP_MULTIPLE,
    CT_TM_ICMP_FIRST, CT_TM_ICMP_REPLY,
    CT_TM_OTHER_FIRST, CT_TM_OTHER_MULTIPLE,
    CT_N_TIMEOUTS
};
/* The database's key for each (CT_Timeout_Policy timeouts column), e.g.
 * "tcp_established"; NULL for an out-of-range value. */
const char *ct_timeout_name(enum ct_timeout);
bool ct_timeout_from_name(const char *, enum ct_timeout *);
uint32_t ct_timeout_default(enum ct_timeout);

/* Sets policy ID (nonzero) to TIMEOUTS[CT_N_TIMEOUTS] (0: default), or
 * deletes it with TIMEOUTS null.  Existing connections keep the timeout
 * they have until their next packet, which uses the new values. */
void conntrack_set_timeout_policy(struct conntrack *, uint32_t id,
                                  const uint32_t *timeouts);

/* TCP states, numbered and named as Open vSwitch's CT_DPIF_TCPS_* (the
 * BSD states).  The tracker keeps one per direction, as pf does, and
 * reports the greater; it produces CLOSED, SYN_SENT, ESTABLISHED, CLOSING,
 * FIN_WAIT_2 and TIME_WAIT.  The dump prints FIN_WAIT_2 as TIME_WAIT and
 * SYN_RECV as ESTABLISHED, as ovs-dpctl does without --more. */
enum ct_tcp_state {
    CT_TCP_STATE_CLOSED, CT_TCP_STATE_LISTEN, CT_TCP_STATE_SYN_SENT,
    CT_TCP_STATE_SYN_RECV, CT_TCP_STATE_ESTABLISHED, CT_TCP_STATE_CLOSE_WAIT,
    CT_TCP_STATE_FIN_WAIT_1, CT_TCP_STATE_CLOSING, CT_TCP_STATE_LAST_ACK,
    CT_TCP_STATE_FIN_WAIT_2, CT_TCP_STATE_TIME_WAIT,
    CT_N_TCP_STATES
};

/* Makes commits in ZONE whose ct action names no timeout policy use
 * policy POLICY_ID (0: the default timeouts), as a CT_Zone row's
 * timeout_policy does. */
void conntrack_set_zone_timeout_policy(struct conntrack *, uint16_t zone,
                                       uint32_t policy_id);

/* Statistics for dpctl/ct-stats-show. */
struct conntrack_stats {
    uint32_t n_conns;
    uint32_t n_by_proto[256];           /* By IP protocol number. */
    uint32_t n_tcp_by_state[16];        /* By CT_TCP_STATE_*; see
                                         * ct_tcp_state_name(). */
    uint64_t n_commit_fail_limit;       /* Commits refused by a limit. */
    uint64_t n_invalid;                 /* Packets marked +inv. */
    uint64_t n_nat_fail;                /* NAT found no free tuple. */
    size_t bytes_per_conn;              /* Memory one connection takes,
                                         * both keys and bookkeeping. */
};
void conntrack_get_stats(const struct conntrack *, struct conntrack_stats *);
/* "ESTABLISHED"..., or NULL for an out-of-range STATE. */
const char *ct_tcp_state_name(int state);

/* Dumping: one entry per connection, for dpctl/dump-conntrack. */
struct ct_dump_entry {
    struct ct_key orig;
    struct ct_key reply;
    uint32_t mark;
    plx_u128 label;
    uint32_t timeout_policy;
    long long expiration;               /* msec, absolute. */
    uint8_t tcp_state;                  /* CT_TCP_STATE_*, for TCP. */
    uint64_t packets_orig, bytes_orig;
    uint64_t packets_reply, bytes_reply;
};

/* Calls CB for each connection (of *ZONE, when ZONE is nonnull).  CB may
 * not call into the conntrack.  Connections added or removed meanwhile
 * may or may not be seen; none is seen twice. */
void conntrack_dump(struct conntrack *, const uint16_t *zone,
                    void (*cb)(const struct ct_dump_entry *, void *aux),
                    void *aux);

/* Formats ENTRY as Open vSwitch's dpctl/dump-conntrack does, e.g.
 * "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,dport=80),
 *  reply=(src=10.0.0.2,dst=10.0.0.1,sport=80,dport=1234),zone=1,
 *  mark=5,protoinfo=(state=ESTABLISHED)"; with VERBOSE, also the
 * timeout left ("timeout=N" seconds, from NOW) and the counters. */
void ct_dump_entry_format(struct ds *, const struct ct_dump_entry *,
                          bool verbose, long long now);

/* Parses a tuple as dpctl/flush-conntrack takes it ("ct_nw_src=...,
 * ct_nw_dst=...,ct_nw_proto=6,ct_tp_src=...,ct_tp_dst=..." and the
 * ct_ipv6_* and icmp_* forms of Open vSwitch's ovs-dpctl).  Returns NULL
 * or a malloc'd error. */
char *ct_key_parse(const char *, struct ct_key *) PLX_WARN_UNUSED_RESULT;

#endif /* conntrack.h */
