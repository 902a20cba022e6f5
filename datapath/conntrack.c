/*
 * conntrack: the connection table and the "ct" action (see conntrack.h
 * for the semantics, conntrack-private.h for the table and its locking).
 */
#include <config.h>
#include "conntrack.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conntrack-nat.h"
#include "conntrack-private.h"
#include "dp-packet.h"
#include "hash.h"
#include "packets.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(conntrack);

#define CT_DEFAULT_MAXCONNS 3000000
#define CT_N_ZONES 65536
#define CT_SWEEP_BUDGET 4096    /* Key nodes visited per conntrack_run(). */
#define CT_SWEEP_MAX_WAIT 1000  /* Msec between full sweeps, at most. */

/* The locks and atomics of a const conntrack still change. */
#define CT_CONST_CAST(TYPE, P) ((TYPE) (uintptr_t) (P))

/* A timeout policy: seconds per enum ct_timeout, 0 for the default. */
struct ct_policy {
    struct hmap_node node;      /* In ct->policies, by hash_int(id). */
    uint32_t id;
    uint32_t timeouts[CT_N_TIMEOUTS];
};

/* ------------------------------------------------------------------ */
/* Connections. */

static struct conn *
kn_conn(const struct conn_key_node *kn)
{
    return CONTAINER_OF(kn - kn->dir, struct conn, kn);
}

static long long
conn_expiration(const struct conn *conn)
{
    return __atomic_load_n(&conn->expiration, __ATOMIC_RELAXED);
}

static bool
conn_is_removed(const struct conn *conn)
{
    return __atomic_load_n(&conn->removed, __ATOMIC_ACQUIRE);
}

static void
conn_ref(struct conn *conn)
{
    atomic_fetch_add_explicit(&conn->refcnt, 1, memory_order_relaxed);
}

static void
conn_unref(struct conn *conn)
{
    if (atomic_fetch_sub_explicit(&conn->refcnt, 1,
                                  memory_order_acq_rel) == 1) {
        pthread_spin_destroy(&conn->lock);
        free(conn);
    }
}

static struct ct_shard *
ct_shard(struct conntrack *ct, size_t hash)
{
    return &ct->shards[(hash >> 24) % CT_N_SHARDS];
}

static uint32_t
ct_timeout_value(struct conntrack *ct, uint32_t tp_id, enum ct_timeout tm)
{
    uint32_t value = 0;

    if (tp_id) {
        struct ct_policy *policy;

        pthread_rwlock_rdlock(&ct->tp_lock);
        HMAP_FOR_EACH_WITH_HASH (policy, node, hash_int(tp_id, 0),
                                 &ct->policies) {
            if (policy->id == tp_id) {
                value = policy->timeouts[tm];
                break;
            }
        }
        pthread_rwlock_unlock(&ct->tp_lock);
    }
    return value ? value : ct_timeout_default(tm);
}

static void
conn_set_timeout(struct conntrack *ct, struct conn *conn,
                 enum ct_timeout tm, long long now)
{
    long long exp = now + ct_timeout_value(ct, conn->tp_id, tm) * 1000LL;
    __atomic_store_n(&conn->expiration, exp, __ATOMIC_RELAXED);
}

/* Finds KEY's node in SH (locked) under HASH. */
static struct conn_key_node *
shard_find(struct ct_shard *sh, const struct ct_key *key, size_t hash)
{
    struct conn_key_node *kn;

    HMAP_FOR_EACH_WITH_HASH (kn, node, hash, &sh->map) {
        if (!memcmp(&kn->key, key, sizeof *key)) {
            return kn;
        }
    }
    return NULL;
}

/* Returns the connection that KEY is a tuple of, with a reference the
 * caller must drop, and its direction in *DIR; or NULL. */
static struct conn *
ct_find(struct conntrack *ct, const struct ct_key *key, enum ct_dir *dir)
{
    size_t hash = ct_key_hash(key, ct->hash_basis);
    struct ct_shard *sh = ct_shard(ct, hash);
    struct conn *conn = NULL;

    pthread_mutex_lock(&sh->mutex);
    struct conn_key_node *kn = shard_find(sh, key, hash);
    if (kn) {
        conn = kn_conn(kn);
        conn_ref(conn);
        *dir = kn->dir;
    }
    pthread_mutex_unlock(&sh->mutex);
    return conn;
}

static void
lock_two(struct ct_shard *a, struct ct_shard *b)
{
    if (a > b) {
        struct ct_shard *tmp = a;
        a = b;
        b = tmp;
    }
    pthread_mutex_lock(&a->mutex);
    if (b != a) {
        pthread_mutex_lock(&b->mutex);
    }
}

static void
unlock_two(struct ct_shard *a, struct ct_shard *b)
{
    if (b != a) {
        pthread_mutex_unlock(&b->mutex);
    }
    pthread_mutex_unlock(&a->mutex);
}

static void
ct_unadmit(struct conntrack *ct, uint16_t zone)
{
    atomic_fetch_sub(&ct->zones[zone].count, 1);
    atomic_fetch_sub(&ct->n_conns, 1);
}

/* Unlinks CONN from the table, unless someone already did, and drops the
 * table's reference.  The caller must still hold a reference of its own
 * (and drops it itself). */
static void
conn_remove(struct conntrack *ct, struct conn *conn)
{
    struct ct_shard *a = ct_shard(ct, conn->kn[0].node.hash);
    struct ct_shard *b = ct_shard(ct, conn->kn[1].node.hash);
    bool unlinked = false;

    lock_two(a, b);
    if (!conn->removed) {
        hmap_remove(&a->map, &conn->kn[0].node);
        hmap_remove(&b->map, &conn->kn[1].node);
        __atomic_store_n(&conn->removed, true, __ATOMIC_RELEASE);
        unlinked = true;
    }
    unlock_two(a, b);

    if (unlinked) {
        ct_unadmit(ct, conn->kn[0].key.zone);
        conn_unref(conn);
    }
}

/* Links CONN into the table.  Returns 0, EEXIST if its original tuple is
 * already there (another thread committed it first), or EADDRINUSE if its
 * reply tuple is. */
static int
conn_insert(struct conntrack *ct, struct conn *conn)
{
    size_t h0 = ct_key_hash(&conn->kn[0].key, ct->hash_basis);
    size_t h1 = ct_key_hash(&conn->kn[1].key, ct->hash_basis);
    struct ct_shard *a = ct_shard(ct, h0);
    struct ct_shard *b = ct_shard(ct, h1);
    int error = 0;

    lock_two(a, b);
    if (shard_find(a, &conn->kn[0].key, h0)) {
        error = EEXIST;
    } else if (shard_find(b, &conn->kn[1].key, h1)) {
        error = EADDRINUSE;
    } else {
        hmap_insert(&a->map, &conn->kn[0].node, h0);
        hmap_insert(&b->map, &conn->kn[1].node, h1);
    }
    unlock_two(a, b);
    return error;
}

/* Like ct_find(), but an expired connection is removed and not found. */
static struct conn *
ct_find_live(struct conntrack *ct, const struct ct_key *key, long long now,
             enum ct_dir *dir)
{
    struct conn *conn = ct_find(ct, key, dir);

    if (conn && conn_expiration(conn) <= now) {
        conn_remove(ct, conn);
        conn_unref(conn);
        conn = NULL;
    }
    return conn;
}

static bool
ct_key_in_use(const struct ct_key *key, void *ct_)
{
    struct conntrack *ct = ct_;
    enum ct_dir dir;
    struct conn *conn = ct_find(ct, key, &dir);

    if (conn) {
        conn_unref(conn);
        return true;
    }
    return false;
}

/* Counts a new connection in ZONE against the limits.  Returns false,
 * counting nothing, if a limit refuses it. */
static bool
ct_admit(struct conntrack *ct, uint16_t zone)
{
    struct ct_zone_count *z = &ct->zones[zone];
    unsigned int max = atomic_load(&ct->maxconns);

    if (atomic_fetch_add(&ct->n_conns, 1) >= max && max) {
        atomic_fetch_sub(&ct->n_conns, 1);
        goto refused;
    }
    unsigned int limit = atomic_load(&z->limit);
    if (!limit) {
        limit = atomic_load(&ct->default_zone_limit);
    }
    if (atomic_fetch_add(&z->count, 1) >= limit && limit) {
        ct_unadmit(ct, zone);
        goto refused;
    }
    return true;

refused:
    atomic_fetch_add(&ct->n_commit_fail_limit, 1);
    return false;
}

/* Creates and inserts the connection that P starts, as EXEC says.  Returns
 * it with a reference for the caller, or NULL if a limit or NAT refuses
 * it.  Sets *RACED if another thread committed the same tuple first. */
static struct conn *
conn_commit(struct conntrack *ct, const struct ct_pkt *p,
            const struct ct_exec *exec, long long now, bool *raced)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (!ct_admit(ct, p->key.zone)) {
        return NULL;
    }

    struct conn *conn = xzalloc(sizeof *conn);
    conn->kn[CT_DIR_ORIG].key = p->key;
    conn->kn[CT_DIR_ORIG].dir = CT_DIR_ORIG;
    ct_key_reverse(&p->key, &conn->kn[CT_DIR_REPLY].key);
    conn->kn[CT_DIR_REPLY].dir = CT_DIR_REPLY;
    conn->tp_id = (exec->timeout_policy ? exec->timeout_policy
                   : atomic_load(&ct->zones[p->key.zone].tp_id));
    atomic_init(&conn->refcnt, 2);      /* The table's and the caller's. */
    pthread_spin_init(&conn->lock, PTHREAD_PROCESS_PRIVATE);
    conn_set_timeout(ct, conn, ct_proto_new(conn, p), now);
    conn->packets[CT_DIR_ORIG] = 1;
    conn->bytes[CT_DIR_ORIG] = p->l3_len;

    int error = 0;
    if (exec->nat && exec->nat->flags & (CT_NAT_SRC | CT_NAT_DST)) {
        conn->nat_flags = exec->nat->flags & (CT_NAT_SRC | CT_NAT_DST);
        if (!ct_nat_select(exec->nat, &conn->kn[CT_DIR_ORIG].key,
                           &conn->kn[CT_DIR_REPLY].key, ct->hash_basis,
                           ct_key_in_use, ct)) {
            error = EADDRINUSE;
        }
    }
    if (!error) {
        error = conn_insert(ct, conn);
    }
    if (error) {
        if (error == EEXIST) {
            *raced = true;
        } else if (conn->nat_flags) {
            atomic_fetch_add(&ct->n_nat_fail, 1);
            VLOG_WARN_RL(&rl, "Unable to NAT due to tuple space exhaustion "
                         "- if DoS attack, use firewalling and/or zone "
                         "partitioning.");
        }
        pthread_spin_destroy(&conn->lock);
        free(conn);
        ct_unadmit(ct, p->key.zone);
        return NULL;
    }
    return conn;
}

/* ------------------------------------------------------------------ */
/* Packets. */

static bool
key_is_icmp(const struct ct_key *key)
{
    return ((key->nw_proto == IPPROTO_ICMP
             && key->dl_type == htons(ETH_TYPE_IP))
            || (key->nw_proto == IPPROTO_ICMPV6
                && key->dl_type == htons(ETH_TYPE_IPV6)));
}

/* Sets PKT's conntrack metadata but ct_state: ZONE, MARK, LABEL and the
 * original tuple KEY (none if null). */
static void
write_md(struct dp_packet *pkt, uint16_t zone, uint32_t mark,
         const plx_u128 *label, const struct ct_key *key)
{
    struct pkt_metadata *md = &pkt->md;

    md->ct_zone = zone;
    md->ct_mark = mark;
    if (label) {
        md->ct_label = *label;
    } else {
        memset(&md->ct_label, 0, sizeof md->ct_label);
    }
    md->ct_nw_src = md->ct_nw_dst = 0;
    memset(&md->ct_ipv6_src, 0, sizeof md->ct_ipv6_src);
    memset(&md->ct_ipv6_dst, 0, sizeof md->ct_ipv6_dst);
    if (!key) {
        md->ct_nw_proto = 0;
        md->ct_tp_src = md->ct_tp_dst = 0;
        return;
    }
    md->ct_nw_proto = key->nw_proto;
    if (key->dl_type == htons(ETH_TYPE_IP)) {
        md->ct_nw_src = key->src.addr.ipv4;
        md->ct_nw_dst = key->dst.addr.ipv4;
    } else {
        md->ct_ipv6_src = key->src.addr.ipv6;
        md->ct_ipv6_dst = key->dst.addr.ipv6;
    }
    if (key_is_icmp(key)) {
        /* As Open vSwitch: ICMP type and code in the port fields. */
        md->ct_tp_src = htons(key->icmp_type);
        md->ct_tp_dst = htons(key->icmp_code);
    } else {
        md->ct_tp_src = key->src.port;
        md->ct_tp_dst = key->dst.port;
    }
}

static void
mark_invalid(struct conntrack *ct, struct dp_packet *pkt, uint16_t zone)
{
    pkt->md.ct_state = CS_TRACKED | CS_INVALID;
    write_md(pkt, zone, 0, NULL, NULL);
    atomic_fetch_add_explicit(&ct->n_invalid, 1, memory_order_relaxed);
}

/* Applies EXEC's mark and label to CONN (locked). */
static void
conn_set_mark_label(struct conn *conn, const struct ct_exec *exec)
{
    if (exec->set_mark) {
        conn->mark = (conn->mark & ~exec->mark_mask)
                     | (exec->mark & exec->mark_mask);
    }
    if (exec->set_label) {
        conn->label.u64.lo = ((conn->label.u64.lo & ~exec->label_mask.u64.lo)
                              | (exec->label.u64.lo
                                 & exec->label_mask.u64.lo));
        conn->label.u64.hi = ((conn->label.u64.hi & ~exec->label_mask.u64.hi)
                              | (exec->label.u64.hi
                                 & exec->label_mask.u64.hi));
    }
}

/* Translates PKT for its connection ORIG/REPLY with NAT_FLAGS, travelling
 * in DIR, and returns the ct_state bits that says. */
static uint16_t
apply_nat(struct dp_packet *pkt, const struct ct_key *orig,
          const struct ct_key *reply, uint16_t nat_flags, enum ct_dir dir,
          bool related)
{
    bool reply_dir = dir == CT_DIR_REPLY;

    if (related) {
        ct_nat_icmp_error(pkt, orig, reply, nat_flags, reply_dir);
    } else {
        ct_nat_packet(pkt, orig, reply, nat_flags, reply_dir);
    }
    /* A reply's destination is what SNAT changed, and vice versa. */
    if (nat_flags & CT_NAT_SRC) {
        return reply_dir ? CS_DST_NAT : CS_SRC_NAT;
    } else {
        return reply_dir ? CS_SRC_NAT : CS_DST_NAT;
    }
}

enum process_result { PROCESS_DONE, PROCESS_RESTART };

/* With CONN's lock held: applies EXEC's mark and label to CONN if
 * SET_MARK_LABEL, writes CONN's metadata into PKT, and copies out what
 * NAT needs after the lock is released: the tuples (into *ORIG and
 * *REPLY) and the return value, CONN's NAT flags. */
static uint16_t
conn_to_packet(struct conn *conn, struct dp_packet *pkt,
               const struct ct_exec *exec, bool set_mark_label,
               struct ct_key *orig, struct ct_key *reply)
{
    if (set_mark_label) {
        conn_set_mark_label(conn, exec);
    }
    write_md(pkt, exec->zone, conn->mark, &conn->label,
             &conn->kn[CT_DIR_ORIG].key);
    *orig = conn->kn[CT_DIR_ORIG].key;
    *reply = conn->kn[CT_DIR_REPLY].key;
    return conn->nat_flags;
}

/* Tracks PKT (parsed into P) as a packet of CONN in direction DIR. */
static enum process_result
process_existing(struct conntrack *ct, struct dp_packet *pkt,
                 const struct ct_pkt *p, struct conn *conn, enum ct_dir dir,
                 const struct ct_exec *exec, long long now,
                 uint16_t nat_bits)
{
    uint16_t state;

    pthread_spin_lock(&conn->lock);
    if (conn_is_removed(conn)) {
        pthread_spin_unlock(&conn->lock);
        return PROCESS_RESTART;
    }
    if (p->related) {
        state = CS_RELATED | (dir == CT_DIR_REPLY ? CS_REPLY_DIR : 0);
    } else {
        enum ct_timeout tm = CT_TM_OTHER_FIRST;
        enum ct_update u = ct_proto_update(conn, p, dir, &tm);

        if (u == CT_UPDATE_NEW) {
            pthread_spin_unlock(&conn->lock);
            conn_remove(ct, conn);
            return PROCESS_RESTART;
        } else if (u == CT_UPDATE_INVALID) {
            state = CS_INVALID;
        } else {
            if (dir == CT_DIR_REPLY) {
                conn->reply_seen = true;
                state = CS_ESTABLISHED | CS_REPLY_DIR;
            } else {
                state = conn->reply_seen ? CS_ESTABLISHED : CS_NEW;
            }
            conn_set_timeout(ct, conn, tm, now);
            conn->packets[dir]++;
            conn->bytes[dir] += p->l3_len;
        }
    }
    struct ct_key orig, reply;
    uint16_t nat_flags = conn_to_packet(conn, pkt, exec,
                                        !(state & CS_INVALID),
                                        &orig, &reply);
    pthread_spin_unlock(&conn->lock);

    if (state & CS_INVALID) {
        pkt->md.ct_state = CS_TRACKED | CS_INVALID;
        atomic_fetch_add_explicit(&ct->n_invalid, 1, memory_order_relaxed);
        return PROCESS_DONE;
    }
    state |= CS_TRACKED | nat_bits;
    if (exec->nat && nat_flags && !nat_bits) {
        state |= apply_nat(pkt, &orig, &reply, nat_flags, dir, p->related);
    }
    pkt->md.ct_state = state;
    return PROCESS_DONE;
}

/* Tracks PKT as the first packet of a connection, committing it if EXEC
 * says so.  Returns PROCESS_RESTART if another thread committed it
 * meanwhile. */
static enum process_result
process_new(struct conntrack *ct, struct dp_packet *pkt,
            const struct ct_pkt *p, const struct ct_exec *exec,
            long long now, uint16_t nat_bits)
{
    if (!ct_proto_valid_new(p)) {
        mark_invalid(ct, pkt, exec->zone);
        return PROCESS_DONE;
    }

    struct conn *conn = NULL;
    if (exec->commit) {
        bool raced = false;
        conn = conn_commit(ct, p, exec, now, &raced);
        if (raced) {
            return PROCESS_RESTART;
        }
    }

    uint16_t state = CS_TRACKED | CS_NEW | nat_bits;
    if (conn) {
        struct ct_key orig, reply;
        pthread_spin_lock(&conn->lock);
        uint16_t nat_flags = conn_to_packet(conn, pkt, exec, true, &orig,
                                            &reply);
        pthread_spin_unlock(&conn->lock);
        conn_unref(conn);

        if (nat_flags && !nat_bits) {
            state |= apply_nat(pkt, &orig, &reply, nat_flags, CT_DIR_ORIG,
                               false);
        }
    } else {
        write_md(pkt, exec->zone, 0, NULL, &p->key);
    }
    pkt->md.ct_state = state;
    return PROCESS_DONE;
}

/* PKT was translated by an earlier "ct(nat)" in this zone (Open vSwitch
 * remembers the connection in the packet's metadata; Plexus finds it
 * again): its tuple reversed is a tuple of its connection, in the other
 * direction.  Like Open vSwitch's fast path, this keeps the state the
 * packet has, translates nothing again and only applies mark and label.
 * Returns false if there is no such connection. */
static bool
process_natted(struct conntrack *ct, struct dp_packet *pkt,
               const struct ct_pkt *p, const struct ct_exec *exec,
               long long now)
{
    struct ct_key rev;
    enum ct_dir dir;

    ct_key_reverse(&p->key, &rev);
    struct conn *conn = ct_find_live(ct, &rev, now, &dir);
    if (!conn) {
        return false;
    }
    pthread_spin_lock(&conn->lock);
    if (!(pkt->md.ct_state & CS_INVALID)) {
        conn_set_mark_label(conn, exec);
    }
    write_md(pkt, exec->zone, conn->mark, &conn->label,
             &conn->kn[CT_DIR_ORIG].key);
    pthread_spin_unlock(&conn->lock);
    conn_unref(conn);
    return true;
}

static void
process_one(struct conntrack *ct, struct dp_packet *pkt,
            const struct ct_exec *exec, long long now)
{
    struct pkt_metadata *md = &pkt->md;
    struct ct_pkt p;

    /* As in Open vSwitch: the state is kept from an earlier "ct" in the
     * same zone (so that a packet is not NATed twice there), and starts
     * afresh in another. */
    if (md->ct_state && md->ct_zone != exec->zone) {
        md->ct_state = 0;
    }
    uint16_t nat_bits = md->ct_state & (CS_SRC_NAT | CS_DST_NAT);

    if (!ct_pkt_parse(pkt, exec->dl_type, exec->zone, &p)) {
        mark_invalid(ct, pkt, exec->zone);
        return;
    }

    if (nat_bits && process_natted(ct, pkt, &p, exec, now)) {
        return;
    }

    /* A few tries, in case other threads commit or remove the connection
     * under us; each try makes progress, so this ends quickly. */
    for (int tries = 0; tries < 4; tries++) {
        enum ct_dir dir;
        struct conn *conn = ct_find_live(ct, &p.key, now, &dir);
        enum process_result r;

        if (conn && exec->force && dir == CT_DIR_REPLY && !p.related) {
            /* "force": the connection ends, this packet starts anew. */
            conn_remove(ct, conn);
            conn_unref(conn);
            conn = NULL;
        }
        if (conn) {
            r = process_existing(ct, pkt, &p, conn, dir, exec, now,
                                 nat_bits);
            conn_unref(conn);
        } else if (p.related) {
            /* No connection is ever created by an ICMP error. */
            mark_invalid(ct, pkt, exec->zone);
            return;
        } else {
            r = process_new(ct, pkt, &p, exec, now, nat_bits);
        }
        if (r == PROCESS_DONE) {
            return;
        }
    }
    /* Lost every race: leave it new and uncommitted. */
    md->ct_state = CS_TRACKED | CS_NEW | nat_bits;
    write_md(pkt, exec->zone, 0, NULL, &p.key);
}

void
conntrack_execute(struct conntrack *ct, struct dp_packet_batch *batch,
                  const struct ct_exec *exec, long long now)
{
    struct dp_packet *pkt;

    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        process_one(ct, pkt, exec, now);
    }
}

void
conntrack_clear(struct dp_packet *pkt)
{
    pkt->md.ct_state = 0;
    write_md(pkt, 0, 0, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Life cycle. */

struct conntrack *
conntrack_create(void)
{
    struct conntrack *ct;

    if (posix_memalign((void **) &ct, 64, sizeof *ct)) {
        plx_fatal(0, "conntrack: out of memory");
    }
    memset(ct, 0, sizeof *ct);
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        pthread_mutex_init(&ct->shards[i].mutex, NULL);
        hmap_init(&ct->shards[i].map);
    }
    ct->hash_basis = hash_2words(time_msec() ^ getpid(),
                                 (uint32_t) (uintptr_t) ct);
    atomic_init(&ct->n_conns, 0);
    atomic_init(&ct->maxconns, CT_DEFAULT_MAXCONNS);
    atomic_init(&ct->default_zone_limit, 0);
    ct->zones = xcalloc(CT_N_ZONES, sizeof *ct->zones);
    atomic_init(&ct->n_commit_fail_limit, 0);
    atomic_init(&ct->n_invalid, 0);
    atomic_init(&ct->n_nat_fail, 0);
    pthread_rwlock_init(&ct->tp_lock, NULL);
    hmap_init(&ct->policies);
    ct->sweep_min = LLONG_MAX;
    return ct;
}

void
conntrack_destroy(struct conntrack *ct)
{
    if (!ct) {
        return;
    }
    /* No thread may be in conntrack_execute() any more: free directly.
     * Each connection is freed through its original-direction node, after
     * every map has let go of its nodes. */
    struct conn **conns = NULL;
    size_t n = 0, allocated = 0;
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct conn_key_node *kn;

        HMAP_FOR_EACH (kn, node, &ct->shards[i].map) {
            if (kn->dir == CT_DIR_ORIG) {
                if (n >= allocated) {
                    conns = x2nrealloc(conns, &allocated, sizeof *conns);
                }
                conns[n++] = kn_conn(kn);
            }
        }
        hmap_destroy(&ct->shards[i].map);
        pthread_mutex_destroy(&ct->shards[i].mutex);
    }
    for (size_t i = 0; i < n; i++) {
        pthread_spin_destroy(&conns[i]->lock);
        free(conns[i]);
    }
    free(conns);

    struct ct_policy *policy;
    HMAP_FOR_EACH_POP (policy, node, &ct->policies) {
        free(policy);
    }
    hmap_destroy(&ct->policies);
    pthread_rwlock_destroy(&ct->tp_lock);
    free(ct->zones);
    free(ct);
}

/* Takes a reference to each connection of shard I whose original-direction
 * node passes FILTER(conn, AUX), appending them to *CONNS (*N of them,
 * *ALLOCATED room), and returns the number of nodes visited. */
static size_t
shard_collect(struct conntrack *ct, size_t i,
              bool (*filter)(const struct conn *, void *aux), void *aux,
              struct conn ***conns, size_t *n, size_t *allocated)
{
    struct ct_shard *sh = &ct->shards[i];
    struct conn_key_node *kn;
    size_t visited = 0;

    pthread_mutex_lock(&sh->mutex);
    HMAP_FOR_EACH (kn, node, &sh->map) {
        visited++;
        if (kn->dir == CT_DIR_ORIG && filter(kn_conn(kn), aux)) {
            if (*n >= *allocated) {
                *conns = x2nrealloc(*conns, allocated, sizeof **conns);
            }
            conn_ref(kn_conn(kn));
            (*conns)[(*n)++] = kn_conn(kn);
        }
    }
    pthread_mutex_unlock(&sh->mutex);
    return visited;
}

struct sweep_aux {
    long long now;
    long long next;             /* Earliest expiration not yet due. */
};

static bool
sweep_filter(const struct conn *conn, void *aux_)
{
    struct sweep_aux *aux = aux_;
    long long exp = conn_expiration(conn);

    if (exp <= aux->now) {
        return true;
    }
    aux->next = MIN(aux->next, exp);
    return false;
}

long long
conntrack_run(struct conntrack *ct, long long now)
{
    struct sweep_aux aux = { .now = now, .next = ct->sweep_min };
    struct conn **conns = NULL;
    size_t visited = 0, allocated = 0;
    bool wrapped = false;

    while (visited < CT_SWEEP_BUDGET && !wrapped) {
        size_t n = 0;

        visited += shard_collect(ct, ct->sweep_shard, sweep_filter, &aux,
                                 &conns, &n, &allocated);
        for (size_t i = 0; i < n; i++) {
            if (conn_expiration(conns[i]) <= now) {
                conn_remove(ct, conns[i]);
            }
            conn_unref(conns[i]);
        }
        if (++ct->sweep_shard >= CT_N_SHARDS) {
            ct->sweep_shard = 0;
            wrapped = true;
        }
    }
    free(conns);

    if (!wrapped) {
        ct->sweep_min = aux.next;
        return now;             /* More to sweep: come back at once. */
    }
    ct->sweep_min = LLONG_MAX;
    return MAX(now, MIN(aux.next, now + CT_SWEEP_MAX_WAIT));
}

/* ------------------------------------------------------------------ */
/* Flushing. */

static bool
zone_filter(const struct conn *conn, void *zone_)
{
    const uint16_t *zone = zone_;
    return !zone || conn->kn[CT_DIR_ORIG].key.zone == *zone;
}

int
conntrack_flush(struct conntrack *ct, const uint16_t *zone,
                const struct ct_key *key)
{
    if (key) {
        struct ct_key k;
        enum ct_dir dir;

        /* Rebuild the key field by field, so that whatever the caller's
         * padding bytes hold, it compares equal to the table's. */
        memset(&k, 0, sizeof k);
        if (key->dl_type == htons(ETH_TYPE_IP)) {
            k.src.addr.ipv4 = key->src.addr.ipv4;
            k.dst.addr.ipv4 = key->dst.addr.ipv4;
        } else {
            k.src.addr.ipv6 = key->src.addr.ipv6;
            k.dst.addr.ipv6 = key->dst.addr.ipv6;
        }
        k.src.port = key->src.port;
        k.dst.port = key->dst.port;
        k.dl_type = key->dl_type;
        k.zone = key->zone;
        k.nw_proto = key->nw_proto;
        k.icmp_type = key->icmp_type;
        k.icmp_code = key->icmp_code;
        struct conn *conn = ct_find(ct, &k, &dir);
        if (!conn) {
            return ENOENT;
        }
        conn_remove(ct, conn);
        conn_unref(conn);
        return 0;
    }

    struct conn **conns = NULL;
    size_t allocated = 0;
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        size_t n = 0;

        shard_collect(ct, i, zone_filter, CT_CONST_CAST(uint16_t *, zone),
                      &conns, &n, &allocated);
        for (size_t j = 0; j < n; j++) {
            conn_remove(ct, conns[j]);
            conn_unref(conns[j]);
        }
    }
    free(conns);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Limits. */

void
conntrack_set_maxconns(struct conntrack *ct, uint32_t maxconns)
{
    atomic_store(&ct->maxconns, maxconns);
}

uint32_t
conntrack_get_maxconns(const struct conntrack *ct)
{
    return atomic_load(&CT_CONST_CAST(struct conntrack *, ct)->maxconns);
}

uint32_t
conntrack_get_nconns(const struct conntrack *ct)
{
    return atomic_load(&CT_CONST_CAST(struct conntrack *, ct)->n_conns);
}

void
conntrack_set_zone_limit(struct conntrack *ct, uint16_t zone, uint32_t limit)
{
    atomic_store(&ct->zones[zone].limit, limit);
}

uint32_t
conntrack_get_zone_limit(const struct conntrack *ct, uint16_t zone,
                         uint32_t *count)
{
    struct ct_zone_count *z = &ct->zones[zone];

    if (count) {
        *count = atomic_load(&z->count);
    }
    uint32_t limit = atomic_load(&z->limit);
    return (limit ? limit
            : atomic_load(&CT_CONST_CAST(struct conntrack *, ct)
                          ->default_zone_limit));
}

void
conntrack_set_default_zone_limit(struct conntrack *ct, uint32_t limit)
{
    atomic_store(&ct->default_zone_limit, limit);
}

uint32_t
conntrack_get_default_zone_limit(const struct conntrack *ct)
{
    return atomic_load(&CT_CONST_CAST(struct conntrack *, ct)
                       ->default_zone_limit);
}

void
conntrack_set_zone_timeout_policy(struct conntrack *ct, uint16_t zone,
                                  uint32_t policy_id)
{
    atomic_store(&ct->zones[zone].tp_id, policy_id);
}

/* ------------------------------------------------------------------ */
/* Timeout policies. */

void
conntrack_set_timeout_policy(struct conntrack *ct, uint32_t id,
                             const uint32_t *timeouts)
{
    struct ct_policy *policy, *found = NULL;

    if (!id) {
        return;
    }
    pthread_rwlock_wrlock(&ct->tp_lock);
    HMAP_FOR_EACH_WITH_HASH (policy, node, hash_int(id, 0), &ct->policies) {
        if (policy->id == id) {
            found = policy;
            break;
        }
    }
    if (!timeouts) {
        if (found) {
            hmap_remove(&ct->policies, &found->node);
            free(found);
        }
    } else {
        if (!found) {
            found = xzalloc(sizeof *found);
            found->id = id;
            hmap_insert(&ct->policies, &found->node, hash_int(id, 0));
        }
        memcpy(found->timeouts, timeouts, sizeof found->timeouts);
    }
    pthread_rwlock_unlock(&ct->tp_lock);
}

/* ------------------------------------------------------------------ */
/* Statistics and dumping. */

static bool
all_filter(const struct conn *conn PLX_UNUSED, void *aux PLX_UNUSED)
{
    return true;
}

void
conntrack_get_stats(const struct conntrack *ct_, struct conntrack_stats *s)
{
    struct conntrack *ct = CT_CONST_CAST(struct conntrack *, ct_);
    struct conn **conns = NULL;
    size_t allocated = 0;

    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        size_t n = 0;

        shard_collect(ct, i, all_filter, NULL, &conns, &n, &allocated);
        for (size_t j = 0; j < n; j++) {
            struct conn *conn = conns[j];
            uint8_t proto = conn->kn[CT_DIR_ORIG].key.nw_proto;

            s->n_by_proto[proto]++;
            if (proto == IPPROTO_TCP) {
                pthread_spin_lock(&conn->lock);
                uint8_t state = ct_tcp_conn_state(conn);
                pthread_spin_unlock(&conn->lock);
                s->n_tcp_by_state[MIN(state, 15)]++;
            }
            conn_unref(conn);
        }
    }
    free(conns);

    s->n_conns = atomic_load(&ct->n_conns);
    s->n_commit_fail_limit = atomic_load(&ct->n_commit_fail_limit);
    s->n_invalid = atomic_load(&ct->n_invalid);
    s->n_nat_fail = atomic_load(&ct->n_nat_fail);
    /* The struct as malloc() rounds it (8 bytes of header, 16-byte
     * granules), plus the hash buckets of its two nodes: an hmap has at
     * most one bucket pointer per node (it doubles once the nodes number
     * twice the buckets), so at most 8 bytes per node. */
    s->bytes_per_conn = (ROUND_UP(sizeof(struct conn) + 8, 16)
                         + 2 * sizeof(struct hmap_node *));
}

void
conntrack_dump(struct conntrack *ct, const uint16_t *zone,
               void (*cb)(const struct ct_dump_entry *, void *aux),
               void *aux)
{
    struct conn **conns = NULL;
    size_t allocated = 0;

    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        size_t n = 0;

        shard_collect(ct, i, zone_filter, CT_CONST_CAST(uint16_t *, zone),
                      &conns, &n, &allocated);
        for (size_t j = 0; j < n; j++) {
            struct conn *conn = conns[j];
            struct ct_dump_entry e;

            memset(&e, 0, sizeof e);
            pthread_spin_lock(&conn->lock);
            e.orig = conn->kn[CT_DIR_ORIG].key;
            e.reply = conn->kn[CT_DIR_REPLY].key;
            e.mark = conn->mark;
            e.label = conn->label;
            e.timeout_policy = conn->tp_id;
            e.expiration = conn_expiration(conn);
            if (e.orig.nw_proto == IPPROTO_TCP) {
                e.tcp_state = ct_tcp_conn_state(conn);
            }
            e.packets_orig = conn->packets[CT_DIR_ORIG];
            e.bytes_orig = conn->bytes[CT_DIR_ORIG];
            e.packets_reply = conn->packets[CT_DIR_REPLY];
            e.bytes_reply = conn->bytes[CT_DIR_REPLY];
            bool removed = conn_is_removed(conn);
            pthread_spin_unlock(&conn->lock);

            if (!removed) {
                cb(&e, aux);
            }
            conn_unref(conn);
        }
    }
    free(conns);
}
