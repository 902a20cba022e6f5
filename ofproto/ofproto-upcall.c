/* ofproto-upcall: the datapath's upcall callback and the revalidator (see
 * ofproto-private.h).
 *
 * Upcalls.  One callback per dpif, running in PMD threads: it maps the
 * datapath input port to (bridge, OpenFlow port) and translates with
 * side effects (MAC learning) under the backer's read lock.  When
 * learning changed a MAC table it sets the backer's latch, so that the
 * main thread revalidates at once rather than at the next period.
 *
 * Revalidator.  A pass dumps the dpif's megaflows and keeps, per
 * megaflow, what it last checked it against (an rv_flow: the bridge's
 * configuration sequence number, its MAC table version if the decision
 * consulted the table, and what NORMAL learns from it).  For each
 * megaflow it:
 *   - deletes it if its input port belongs to no bridge, or it has been
 *     idle longer than the idle timeout (10 s);
 *   - re-translates it, without side effects, if it is new to the
 *     revalidator or what it depended on moved; then deletes it if the
 *     new decision needs bits its mask lacks, modifies its actions if
 *     they changed, and keeps it otherwise;
 *   - re-learns its source MAC if it passed packets since the last pass,
 *     so that a MAC that only ever sends through a cached megaflow does
 *     not age out of the MAC table.
 * Passes run every REVALIDATE_PERIOD_MS (an empty datapath's are
 * cheap), at once when a bridge's configuration or MAC table moved, and
 * synchronously (after an RCU grace period, so that every upcall
 * translated under the old state has installed its megaflow) when
 * ofproto.c changes a configuration.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dpif.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "hash.h"
#include "match.h"
#include "openflow.h"
#include "ofproto/mac-learning.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/recirc.h"
#include "ofproto/xlate.h"
#include "poll-loop.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_upcall);

#define REVALIDATE_PERIOD_MS 500
#define DEFAULT_IDLE_TIMEOUT_MS 10000

static long long int idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;

struct rv_flow {
    struct hmap_node node;          /* In backer 'rv_flows'. */
    struct match match;
    uint64_t n_packets;             /* As of the last pass. */
    uint64_t n_bytes;
    uint64_t learned_packets;       /* As of the last re-learning. */
    long long int first_seen;
    bool seen;                      /* In the current pass's dump. */

    /* What the last translation depended on. */
    bool checked;
    uint64_t cfg_seq;
    bool uses_ml;
    uint64_t ml_version;

    /* The OpenFlow rules its packets went through (references held),
     * and the table whose lookup missed (OFPTT_ALL if none). */
    struct rule *rules[XLATE_MAX_RULES];
    size_t n_rules;
    uint8_t miss_table;
    struct {
        uint32_t group_id;
        uint32_t bucket;
    } buckets[XLATE_MAX_RULES];
    size_t n_buckets;

    /* What NORMAL learns from its packets. */
    bool learn;
    ofp_port_t learn_port;
    struct eth_addr learn_mac;
    uint16_t learn_vlan;
    bool learn_grat_arp;

    /* For NetFlow: the OpenFlow input port and where packets went. */
    ofp_port_t in_ofp;
    uint32_t n_outputs;
    uint32_t last_output;

    /* Recirculation ids held (recirc.h): the one it matches and those
     * its actions use. */
    uint32_t recirc_refs[XLATE_MAX_RECIRC + 1];
    size_t n_recirc_refs;
};

void
ofproto_set_flow_idle_timeout(long long int ms)
{
    idle_timeout_ms = ms > 0 ? ms : DEFAULT_IDLE_TIMEOUT_MS;
}

static long long int
revalidate_period(void)
{
    return MIN(REVALIDATE_PERIOD_MS, idle_timeout_ms);
}

/* ------------------------------------------------------------------ */
/* Upcalls. */

/* A userspace action of a translation that sent the packet to the
 * controller: queue it for the main thread. */
static void
queue_packet_in(struct backer *backer, const struct dpif_upcall *upcall)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const struct xlate_pin_cookie *c = upcall->userdata;
    const struct ofport *port;
    struct ofproto *p;

    if (upcall->userdata_len != sizeof *c || c->magic != XLATE_PIN_MAGIC) {
        VLOG_DBG_RL(&rl, "userspace action with unknown userdata");
        return;
    }
    pthread_rwlock_rdlock(&backer->rwlock);
    /* A recirculated packet keeps its input port. */
    port = ofproto_backer_find_odp_port(backer, upcall->flow->in_port);
    p = port ? port->ofproto : NULL;
    if (p) {
        size_t len = dp_packet_size(upcall->packet);
        struct ofproto_pin *pin;

        pthread_mutex_lock(&p->pin_mutex);
        if (p->n_pins >= OFPROTO_MAX_PINS) {
            p->n_pins_dropped++;
        } else {
            pin = xmalloc(sizeof *pin + len);
            pin->cookie = *c;
            pin->tunnel = upcall->flow->tunnel;
            pin->len = len;
            memcpy(pin->packet, dp_packet_data(upcall->packet), len);
            plx_list_push_back(&p->pins, &pin->node);
            p->n_pins++;
        }
        pthread_mutex_unlock(&p->pin_mutex);
        latch_set(&backer->wake);
    }
    pthread_rwlock_unlock(&backer->rwlock);
}

/* An exporter's sample: queue it for its bridge's main thread. */
static void
queue_sample(struct backer *backer, const struct dpif_upcall *upcall)
{
    const struct xlate_sample_cookie *c = upcall->userdata;
    const struct ofport *port;

    pthread_rwlock_rdlock(&backer->rwlock);
    port = ofproto_backer_find_odp_port(backer, upcall->flow->in_port);
    if (port && port->ofp_port == c->in_port) {
        ofproto_export_queue_sample(port->ofproto, upcall);
    }
    pthread_rwlock_unlock(&backer->rwlock);
}

static int
upcall_cb(const struct dpif_upcall *upcall, struct odp_buf *actions,
          struct flow_wildcards *wc, void *backer_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct backer *backer = backer_;
    const struct ofport *port;
    struct xlate_out xout;
    struct xlate_in xin;
    struct flow flow;
    uint64_t before;

    if (upcall->type != DPIF_UC_MISS) {
        if (ofproto_export_is_sample(upcall)) {
            queue_sample(backer, upcall);
        } else {
            queue_packet_in(backer, upcall);
        }
        return 0;
    }
    struct recirc_state resume;
    bool resumed = upcall->flow->recirc_id != 0;
    if (resumed && !recirc_find(backer->recirc, upcall->flow->recirc_id,
                                &resume, time_msec())) {
        VLOG_WARN_RL(&rl, "upcall with unknown recirculation id %#"PRIx32,
                     upcall->flow->recirc_id);
        return EINVAL;
    }

    pthread_rwlock_rdlock(&backer->rwlock);
    port = ofproto_backer_find_odp_port(backer, upcall->flow->in_port);
    if (!port || !port->ofproto->xbridge
        || (resumed && strcmp(resume.bridge, port->ofproto->name))) {
        pthread_rwlock_unlock(&backer->rwlock);
        VLOG_DBG_RL(&rl, "upcall on datapath port %"PRIu32" of no bridge",
                    upcall->flow->in_port);
        if (resumed) {
            recirc_state_uninit(&resume);
        }
        return ENODEV;
    }

    flow = *upcall->flow;
    flow.in_port = port->ofp_port;
    before = ofproto_ml_version(port->ofproto);
    xin = (struct xlate_in) {
        .bridge = port->ofproto->xbridge,
        .flow = &flow,
        .may_learn = true,
        .now = time_msec(),
        .resume = resumed ? &resume : NULL,
    };
    xlate_actions(&xin, actions, wc, &xout);
    pthread_rwlock_unlock(&backer->rwlock);
    if (resumed) {
        recirc_state_uninit(&resume);
    }

    if (xout.used_mac_table && xout.ml_version != before) {
        latch_set(&backer->wake);
    }
    return 0;
}

void
ofproto_upcall_register(struct backer *backer)
{
    dpif_register_upcall_cb(backer->dpif, upcall_cb, backer);
}

void
ofproto_upcall_unregister(struct backer *backer)
{
    dpif_register_upcall_cb(backer->dpif, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Revalidator. */

void
ofproto_revalidator_init(struct backer *backer)
{
    hmap_init(&backer->rv_flows);
    backer->next_pass = LLONG_MIN;
}

static void
rv_drop_rules(struct rv_flow *rv)
{
    for (size_t i = 0; i < rv->n_rules; i++) {
        rule_unref(rv->rules[i]);
    }
    rv->n_rules = 0;
}

static void
rv_destroy(struct backer *backer, struct rv_flow *rv)
{
    rv_drop_rules(rv);
    for (size_t i = 0; i < rv->n_recirc_refs; i++) {
        recirc_unref(backer->recirc, rv->recirc_refs[i]);
    }
    free(rv);
}

/* Makes RV hold references on the recirculation ids its match and its
 * new actions (XOUT) use, and drops those it held before. */
static void
rv_set_recirc_refs(struct backer *backer, struct rv_flow *rv,
                   const struct xlate_out *xout)
{
    uint32_t old[ARRAY_SIZE(rv->recirc_refs)];
    size_t n_old = rv->n_recirc_refs;

    memcpy(old, rv->recirc_refs, n_old * sizeof *old);
    rv->n_recirc_refs = 0;
    if (rv->match.flow.recirc_id
        && recirc_ref(backer->recirc, rv->match.flow.recirc_id)) {
        rv->recirc_refs[rv->n_recirc_refs++] = rv->match.flow.recirc_id;
    }
    for (size_t i = 0; i < xout->n_recirc_ids; i++) {
        if (recirc_ref(backer->recirc, xout->recirc_ids[i])) {
            rv->recirc_refs[rv->n_recirc_refs++] = xout->recirc_ids[i];
        }
    }
    for (size_t i = 0; i < n_old; i++) {
        recirc_unref(backer->recirc, old[i]);
    }
}

void
ofproto_revalidator_destroy(struct backer *backer)
{
    struct rv_flow *rv;

    HMAP_FOR_EACH_POP (rv, node, &backer->rv_flows) {
        rv_destroy(backer, rv);
    }
    hmap_destroy(&backer->rv_flows);
}

/* Credits the packets megaflow F passed since the last pass to the
 * rules and tables its translation went through. */
static void
rv_credit(struct ofproto *p, struct rv_flow *rv, const struct dpif_flow *f)
{
    uint64_t d_packets, d_bytes;

    if (f->stats.n_packets <= rv->n_packets) {
        return;
    }
    d_packets = f->stats.n_packets - rv->n_packets;
    d_bytes = f->stats.n_bytes - rv->n_bytes;
    for (size_t i = 0; i < rv->n_rules; i++) {
        struct rule *rule = rv->rules[i];

        ofproto_rule_credit(rule, d_packets, d_bytes, f->stats.used);
        if (rule->in_table && rule->table_id < OFPROTO_N_TABLES) {
            p->oftables[rule->table_id].lookup_count += d_packets;
            p->oftables[rule->table_id].matched_count += d_packets;
        }
    }
    if (rv->miss_table < OFPROTO_N_TABLES) {
        p->oftables[rv->miss_table].lookup_count += d_packets;
    }
    for (size_t i = 0; i < rv->n_buckets; i++) {
        /* A group counts each packet once, however many of its buckets
         * (or how many times) the packet went through. */
        bool first = true;

        for (size_t j = 0; j < i; j++) {
            if (rv->buckets[j].group_id == rv->buckets[i].group_id) {
                first = false;
                break;
            }
        }
        ofproto_group_credit(p, rv->buckets[i].group_id,
                             rv->buckets[i].bucket, first, d_packets,
                             d_bytes);
    }
    ofproto_export_flow_stats(p, &f->match, rv->in_ofp, rv->n_outputs,
                              rv->last_output, d_packets, d_bytes,
                              f->stats.tcp_flags, f->stats.used);
    rv->n_packets = f->stats.n_packets;
    rv->n_bytes = f->stats.n_bytes;
}

static struct rv_flow *
rv_find(const struct backer *backer, const struct match *match,
        uint32_t hash)
{
    struct rv_flow *rv;

    HMAP_FOR_EACH_WITH_HASH (rv, node, hash, &backer->rv_flows) {
        if (match_equal(&rv->match, match)) {
            return rv;
        }
    }
    return NULL;
}

/* Deletes megaflow F.  If it belongs to bridge P (NULL: to no bridge any
 * more), the packets it passed since it was dumped are credited too, and
 * the exporters are told it is gone. */
static void
delete_flow(struct backer *backer, struct ofproto *p,
            const struct dpif_flow *f, struct rv_flow *rv)
{
    struct dpif_flow final = *f;
    int error = dpif_flow_del(backer->dpif, &f->match, &final.stats);

    if (error && error != ENOENT) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: deleting a megaflow failed (%s)",
                     dpif_name(backer->dpif), plx_strerror(error));
    }
    if (p && rv && rv->checked) {
        if (!error) {
            rv_credit(p, rv, &final);
        }
        ofproto_export_flow_removed(p, &f->match, rv->in_ofp);
    }
    if (rv) {
        hmap_remove(&backer->rv_flows, &rv->node);
        rv_destroy(backer, rv);
    }
}

/* True if WC needs a bit that MASK wildcards. */
static bool
wc_exceeds(const struct flow_wildcards *wc, const struct flow_wildcards *mask)
{
    const uint64_t *w = flow_u64_const(&wc->masks);
    const uint64_t *m = flow_u64_const(&mask->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (w[i] & ~m[i]) {
            return true;
        }
    }
    return false;
}

/* Re-translates megaflow F of bridge P (input port PORT).  Returns false
 * if F must be deleted. */
static bool
revalidate_flow(struct backer *backer, const struct ofport *port,
                const struct dpif_flow *f, struct rv_flow *rv,
                long long int now)
{
    const struct ofproto *p = port->ofproto;
    struct odp_buf actions = ODP_BUF_INITIALIZER;
    struct flow_wildcards wc;
    struct xlate_out xout;
    struct flow flow;
    bool keep = true;

    struct recirc_state resume;
    bool resumed = f->match.flow.recirc_id != 0;
    if (resumed) {
        /* A state that is gone (or of another bridge) would not be
         * translated the same. */
        if (!recirc_find(backer->recirc, f->match.flow.recirc_id, &resume,
                         now)) {
            return false;
        }
        if (strcmp(resume.bridge, p->name)) {
            recirc_state_uninit(&resume);
            return false;
        }
    }

    flow = f->match.flow;
    flow.in_port = port->ofp_port;
    flow_wildcards_init_catchall(&wc);
    wc.masks.in_port = UINT32_MAX;
    wc.masks.recirc_id = UINT32_MAX;
    wc.masks.dl_type = UINT16_MAX;

    xlate_actions(&(struct xlate_in) {
                      .bridge = p->xbridge,
                      .flow = &flow,
                      .may_learn = false,
                      .now = now,
                      .resume = resumed ? &resume : NULL,
                  }, &actions, &wc, &xout);
    if (resumed) {
        recirc_state_uninit(&resume);
    }
    rv_set_recirc_refs(backer, rv, &xout);

    if (wc_exceeds(&wc, &f->match.wc)) {
        /* The decision now depends on bits the megaflow does not match:
         * let the next packet make a new one. */
        keep = false;
    } else if (!odp_actions_equal(actions.data, actions.size,
                                  f->actions, f->actions_len)) {
        int error = dpif_flow_put(backer->dpif, DPIF_FP_MODIFY, &f->match,
                                  actions.data, actions.size, NULL);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: modifying a megaflow failed (%s)",
                         p->name, plx_strerror(error));
            keep = false;
        }
    }
    odp_buf_uninit(&actions);

    rv_drop_rules(rv);
    for (size_t i = 0; i < xout.n_rules; i++) {
        rv->rules[rv->n_rules++] = rule_ref(xout.rules[i]);
    }
    rv->miss_table = xout.miss_table;
    rv->n_buckets = xout.n_buckets;
    for (size_t i = 0; i < xout.n_buckets; i++) {
        rv->buckets[i].group_id = xout.buckets[i].group_id;
        rv->buckets[i].bucket = xout.buckets[i].bucket;
    }
    rv->checked = true;
    rv->cfg_seq = p->cfg_seq;
    rv->uses_ml = xout.used_mac_table;
    rv->ml_version = xout.ml_version;
    rv->learn = xout.learn;
    rv->learn_port = xout.learn_port;
    rv->learn_mac = xout.learn_mac;
    rv->learn_vlan = xout.learn_vlan;
    rv->learn_grat_arp = xout.learn_grat_arp;
    rv->in_ofp = port->ofp_port;
    rv->n_outputs = xout.n_outputs;
    rv->last_output = xout.last_output;
    return keep;
}

static bool
rv_is_stale(const struct rv_flow *rv, const struct ofproto *p)
{
    return (!rv->checked
            || rv->cfg_seq != p->cfg_seq
            || (rv->uses_ml && rv->ml_version != ofproto_ml_version(p)));
}

static void
revalidate_one(struct backer *backer, const struct dpif_flow *f,
               long long int now)
{
    uint32_t hash = match_hash(&f->match, 0);
    struct rv_flow *rv = rv_find(backer, &f->match, hash);
    const struct ofport *port;
    struct ofproto *p;
    long long int used;

    port = ofproto_backer_find_odp_port(backer, f->match.flow.in_port);
    p = port ? port->ofproto : NULL;
    if (!p || !p->xbridge) {
        delete_flow(backer, NULL, f, rv);
        return;
    }

    if (!rv) {
        rv = xzalloc(sizeof *rv);
        rv->match = f->match;
        rv->first_seen = now;
        rv->miss_table = OFPTT_ALL;
        /* The upcall that made it learned from its first packets. */
        rv->learned_packets = f->stats.n_packets;
        hmap_insert(&backer->rv_flows, &rv->node, hash);
    }
    rv->seen = true;

    used = f->stats.used ? f->stats.used : rv->first_seen;
    bool idle = now - used >= idle_timeout_ms;
    if (rv->checked) {
        /* Credit the rules the packets went through so far; a new
         * megaflow's first translation below tells which they are. */
        rv_credit(p, rv, f);
        if (idle) {
            delete_flow(backer, p, f, rv);
            return;
        }
    }

    /* A megaflow already idle when first seen (a short flow, a small
     * max-idle) is translated once all the same, so that its packets
     * are credited before it goes. */
    if (idle || rv_is_stale(rv, p)) {
        bool was_checked = rv->checked;
        bool keep = revalidate_flow(backer, port, f, rv, now) && !idle;

        if (!was_checked) {
            rv_credit(p, rv, f);
        }
        if (!keep) {
            delete_flow(backer, p, f, rv);
            return;
        }
    }

    if (f->stats.n_packets > rv->learned_packets && rv->learn) {
        pthread_rwlock_wrlock(&p->ml->rwlock);
        mac_learning_learn(p->ml, rv->learn_mac, rv->learn_vlan,
                           rv->learn_port, rv->learn_grat_arp, now);
        pthread_rwlock_unlock(&p->ml->rwlock);
    }
    rv->learned_packets = f->stats.n_packets;
}

static void
revalidate_pass(struct backer *backer)
{
    long long int now = time_msec();
    struct dpif_flow *flows;
    struct rv_flow *rv;
    struct ofproto *p;
    size_t n_flows;

    HMAP_FOR_EACH (rv, node, &backer->rv_flows) {
        rv->seen = false;
    }
    dpif_flow_dump(backer->dpif, &flows, &n_flows);
    for (size_t i = 0; i < n_flows; i++) {
        revalidate_one(backer, &flows[i], now);
    }
    dpif_flow_dump_free(flows, n_flows);

    /* Forget megaflows that are gone. */
    HMAP_FOR_EACH_SAFE (rv, node, &backer->rv_flows) {
        if (!rv->seen) {
            hmap_remove(&backer->rv_flows, &rv->node);
            rv_destroy(backer, rv);
        }
    }

    recirc_run(backer->recirc, now);

    LIST_FOR_EACH (p, backer_node, &backer->ofprotos) {
        p->rv_cfg_seq = p->cfg_seq;
        p->rv_ml_version = ofproto_ml_version(p);
    }
    backer->next_pass = now + revalidate_period();
}

static bool
backer_moved(const struct backer *backer)
{
    const struct ofproto *p;

    LIST_FOR_EACH (p, backer_node, &backer->ofprotos) {
        if (p->rv_cfg_seq != p->cfg_seq
            || p->rv_ml_version != ofproto_ml_version(p)) {
            return true;
        }
    }
    return false;
}

void
ofproto_revalidator_run(struct backer *backer)
{
    bool woke = latch_poll(&backer->wake);

    if (woke || backer_moved(backer) || time_msec() >= backer->next_pass) {
        revalidate_pass(backer);
    }
}

void
ofproto_revalidator_wait(struct backer *backer)
{
    latch_wait(&backer->wake);
    if (backer_moved(backer)) {
        poll_immediate_wake();
    } else {
        /* Even with no megaflow now: PMD threads install them without
         * waking this thread, and their statistics (rules, NetFlow)
         * should not wait for something else to happen. */
        poll_timer_wait_until(backer->next_pass);
    }
}

void
ofproto_revalidator_run_now(struct backer *backer)
{
    revalidate_pass(backer);
}

void
ofproto_revalidator_sync(struct backer *backer)
{
    rcu_synchronize();
    latch_poll(&backer->wake);
    revalidate_pass(backer);
}
