/*
 * conntrack-private: the connection table and the per-protocol trackers
 * behind datapath/conntrack.h.  Internal to conntrack*.c.
 *
 * The table.  A connection (struct conn) embeds two key nodes, one for
 * its original tuple and one for its reply tuple.  Each node is filed in
 * the shard its key's hash selects: CT_N_SHARDS hmaps, each behind its
 * own mutex, so that PMD threads looking up unrelated connections rarely
 * meet.  A lookup locks one shard; inserting or removing a connection
 * locks the shards of both its nodes, the lower-numbered first (once if
 * they are the same), so both nodes come and go together: a connection is
 * either findable by both tuples or by neither.
 *
 * Lifetime.  A connection is reference-counted.  The table holds one
 * reference from insertion until removal; a lookup takes one more under
 * the shard lock and the caller drops it when done with the packet, so a
 * connection removed by another thread (expiry, flush, "force") is freed
 * only after its last user lets go.  'removed' is set, under the shard
 * locks, exactly once, by whoever unlinks the connection; that thread
 * drops the table's reference.
 *
 * Per-connection state (protocol state, expiration, mark, label,
 * counters) is guarded by the connection's spinlock 'lock'.  Critical
 * sections are a few dozen instructions and take no lock but, to read a
 * timeout policy, ct->tp_lock for reading.
 * Lock order: shard, then connection, then (for reading timeout
 * policies) ct->tp_lock.  The packet path never holds a connection lock
 * while it takes a shard lock.  'expiration' is also
 * read without the connection lock (by the expiry sweep and by lookups),
 * so it is accessed with relaxed atomics.
 *
 * Expiry.  conntrack_run() sweeps a few shards per call, removing the
 * connections whose expiration has passed; lookups treat an expired
 * connection as absent (and remove it) even before the sweep reaches it.
 *
 * Counting.  The global and per-zone connection counts are atomics,
 * raised before insertion (and lowered again if the insertion is refused)
 * so that a limit can never be overshot by concurrent commits.
 *
 * Memory.  A connection is one malloc'd struct conn of about 250 bytes
 * (two 48-byte keys with their hmap nodes, TCP windows, counters, mark,
 * label); see conntrack_get_stats() for the figure reported.
 */
#ifndef PLX_CONNTRACK_PRIVATE_H
#define PLX_CONNTRACK_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "conntrack.h"
#include "hmap.h"

struct dp_packet;

enum ct_dir { CT_DIR_ORIG, CT_DIR_REPLY };

struct conn_key_node {
    struct hmap_node node;      /* In ct->shards[shard of hash(key)]. */
    struct ct_key key;
    uint8_t dir;                /* enum ct_dir. */
};

/* TCP window tracking for one direction (see conntrack-tcp.c). */
struct ct_tcp_peer {
    uint32_t seqlo;             /* Max sequence number sent. */
    uint32_t seqhi;             /* Max the other end ACKd + its window. */
    uint32_t max_win;           /* Largest window (unscaled). */
    uint8_t wscale;             /* CT_WSCALE_* flags and shift. */
    uint8_t state;              /* enum ct_tcp_state. */
};

/* Generic states for UDP, SCTP, ICMP and other protocols. */
enum ct_gen_state {
    CT_GEN_FIRST,               /* One packet seen, original direction. */
    CT_GEN_MULTIPLE,            /* More, original direction only. */
    CT_GEN_BIDIR,               /* Reply direction seen. */
    CT_GEN_CLOSING,             /* SCTP: SHUTDOWN seen. */
    CT_GEN_CLOSED,              /* SCTP: ABORT or SHUTDOWN COMPLETE. */
};

struct conn {
    struct conn_key_node kn[2];         /* CT_DIR_ORIG, CT_DIR_REPLY. */
    long long expiration;               /* Atomic; msec. */
    plx_u128 label;
    uint64_t packets[2];
    uint64_t bytes[2];
    uint32_t mark;
    uint32_t tp_id;                     /* Timeout policy, 0: default. */
    atomic_uint refcnt;
    pthread_spinlock_t lock;
    uint16_t nat_flags;                 /* CT_NAT_SRC and/or CT_NAT_DST. */
    uint8_t gen_state;                  /* enum ct_gen_state. */
    bool removed;                       /* Under both shard locks. */
    bool reply_seen;
    struct ct_tcp_peer tcp[2];          /* TCP only. */
};

#define CT_N_SHARDS 256

struct ct_shard {
    pthread_mutex_t mutex;
    struct hmap map;                    /* struct conn_key_node. */
} __attribute__((aligned(64)));

struct ct_zone_count {
    atomic_uint limit;                  /* 0: ct->default_zone_limit. */
    atomic_uint count;
    atomic_uint tp_id;                  /* Zone's timeout policy. */
};

struct conntrack {
    struct ct_shard shards[CT_N_SHARDS];
    uint32_t hash_basis;

    atomic_uint n_conns;
    atomic_uint maxconns;
    struct ct_zone_count *zones;        /* 65536 entries. */
    atomic_uint default_zone_limit;     /* 0: none. */

    atomic_ullong n_commit_fail_limit;
    atomic_ullong n_invalid;
    atomic_ullong n_nat_fail;

    pthread_rwlock_t tp_lock;
    struct hmap policies;               /* struct ct_policy, by id. */

    /* Expiry sweep (main thread only). */
    unsigned int sweep_shard;
    long long sweep_min;                /* Earliest expiration seen. */
};

/* ------------------------------------------------------------------ */
/* Packet parsing (conntrack-proto.c). */

/* What conntrack needs from one packet. */
struct ct_pkt {
    struct ct_key key;          /* Tuple to look up (for an ICMP error: the
                                 * quoted tuple, reversed). */
    bool related;               /* An ICMP/ICMPv6 error. */
    const void *l4;             /* The (outer) L4 header. */
    uint32_t l4_len;            /* Its bytes, header included. */
    uint32_t l3_len;            /* IP bytes, for the counters. */
    uint16_t tcp_flags;         /* TCP. */
    uint8_t sctp_chunk;         /* SCTP: first chunk's type. */
};

/* Parses PKT (whose l3 offset flow_extract() set) as a packet of EtherType
 * DL_TYPE in ZONE.  Returns false if it is not a valid, whole IP packet
 * that conntrack can track: the caller marks it +inv. */
bool ct_pkt_parse(const struct dp_packet *pkt, plx_be16 dl_type,
                  uint16_t zone, struct ct_pkt *);

/* The reply tuple of a connection with original tuple KEY, before NAT. */
void ct_key_reverse(const struct ct_key *key, struct ct_key *reply);
uint32_t ct_key_hash(const struct ct_key *, uint32_t basis);

/* ------------------------------------------------------------------ */
/* Protocol state (conntrack-tcp.c, conntrack-proto.c). */

enum ct_update {
    CT_UPDATE_INVALID,          /* +inv; the connection is unchanged. */
    CT_UPDATE_VALID,            /* +est once the reply direction has
                                 * been seen, +new before. */
    CT_UPDATE_NEW,              /* The connection is over and this packet
                                 * starts a new one. */
};

/* Whether P may start a connection. */
bool ct_proto_valid_new(const struct ct_pkt *p);
/* Initializes a new CONN's protocol state from its first packet P and
 * returns the timeout its state calls for. */
enum ct_timeout ct_proto_new(struct conn *conn, const struct ct_pkt *p);
/* Updates CONN (locked) for P, travelling in direction DIR.  Sets *TM to
 * the timeout the new state calls for (when the result is not INVALID or
 * NEW). */
enum ct_update ct_proto_update(struct conn *conn, const struct ct_pkt *p,
                               enum ct_dir dir, enum ct_timeout *tm);

bool ct_tcp_valid_new(const struct ct_pkt *p);
enum ct_timeout ct_tcp_new(struct conn *conn, const struct ct_pkt *p);
enum ct_update ct_tcp_update(struct conn *conn, const struct ct_pkt *p,
                             enum ct_dir dir, enum ct_timeout *tm);
/* The state a dump shows for CONN (locked): the greater of the two. */
uint8_t ct_tcp_conn_state(const struct conn *conn);

#endif /* conntrack-private.h */
