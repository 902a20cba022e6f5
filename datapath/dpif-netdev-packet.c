/* dpif-netdev-packet: the userspace datapath's packet path.  See dpif.h,
 * "Packet path", and dpif-netdev-private.h for the shared state.
 *
 * One pass over a batch (dp_process_batch()):
 *
 *   1. Extract each packet's key (struct flow, and a miniflow for the
 *      exact-match cache unless the cache is bypassed for this packet).
 *   2. Look it up in the thread's EMC, then in the shared megaflow cache;
 *      remember the packets that missed both.
 *   3. Group hits by megaflow, in arrival order within each group.
 *   4. For each miss, in order: look again (an earlier miss of this batch
 *      may have installed a megaflow that covers it), else make the upcall
 *      and install its result under the flow mutex, after checking that no
 *      other thread installed a matching megaflow meanwhile.
 *   5. Per group: update the megaflow's statistics once and execute its
 *      actions on the whole group.
 *
 * Actions that need the datapath come back through dp_execute_cb():
 * output appends to the thread's per-port batches (sent when the rx batch
 * is done, or when a batch fills), userspace makes a DPIF_UC_ACTION
 * upcall, recirc runs a nested pass with md.recirc_id set, meter runs the
 * packets through a datapath meter at the batch's time (dropping some).
 */
#include <config.h>
#include <errno.h>
#include <string.h>
#include "datapath/conntrack.h"
#include "datapath/dp-flow.h"
#include "datapath/dp-meter.h"
#include "datapath/dpif-netdev-private.h"
#include "datapath/emc.h"
#include "datapath/ipf.h"
#include "datapath/netdev.h"
#include "datapath/odp-execute.h"
#include "datapath/pmd.h"
#include "hash.h"
#include "match.h"
#include "packets.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev_packet);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* What odp_execute_actions() hands back to dp_execute_cb(). */
struct dp_exec_ctx {
    struct dp_thread *thread;
    int depth;                  /* Recirculation depth of this pass. */
};

static void dp_process_batch(struct dp_thread *, struct dp_packet_batch *,
                             int depth);
static odp_execute_cb dp_execute_cb;

/* ------------------------------------------------------------------ */
/* Output. */

static void
dp_output_send(struct dp_thread *t, struct dp_output *out)
{
    struct dp_port *port = out->port;
    size_t n = out->batch.count;

    if (!n) {
        return;
    }
    if (atomic_load_explicit(&port->dynamic_txqs, memory_order_relaxed)) {
        int qid = t->tx_qid % port->n_txq;

        pthread_mutex_lock(&port->txq_locks[qid]);
        netdev_send(port->netdev, qid, &out->batch, true);
        pthread_mutex_unlock(&port->txq_locks[qid]);
    } else {
        netdev_send(port->netdev, t->tx_qid, &out->batch, true);
    }
    dp_packet_batch_init(&out->batch);
    DP_STAT_ADD(t->stats.output_batches, 1);
    DP_STAT_ADD(t->stats.output_packets, n);
}

/* Sends every pending output batch of T. */
void
dp_thread_flush_outputs(struct dp_thread *t)
{
    for (size_t i = 0; i < t->n_outputs; i++) {
        dp_output_send(t, &t->outputs[i]);
    }
    t->n_outputs = 0;
}

static struct dp_output *
dp_output_get(struct dp_thread *t, struct dp_port *port)
{
    for (size_t i = 0; i < t->n_outputs; i++) {
        if (t->outputs[i].port == port) {
            return &t->outputs[i];
        }
    }
    if (t->n_outputs >= DP_MAX_OUTPUTS) {
        dp_thread_flush_outputs(t);
    }

    struct dp_output *out = &t->outputs[t->n_outputs++];
    out->port = port;
    dp_packet_batch_init(&out->batch);
    return out;
}

static void
dp_execute_output(struct dp_thread *t, struct dp_packet_batch *batch,
                  odp_port_t port_no, bool steal)
{
    struct dp_port *port = dp_port_lookup(t->dpif, port_no);
    struct dp_packet *packet;

    if (!port) {
        VLOG_DBG_RL(&rl, "%s: output to nonexistent port %"PRIu32,
                    t->dpif->name, port_no);
        dp_packet_delete_batch(batch, steal);
        return;
    }

    struct dp_output *out = dp_output_get(t, port);
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        if (dp_packet_batch_is_full(&out->batch)) {
            dp_output_send(t, out);
        }
        dp_packet_batch_add__(&out->batch,
                              steal ? packet : dp_packet_clone(packet));
    }
    if (steal) {
        dp_packet_batch_init(batch);
    }
}

/* ------------------------------------------------------------------ */
/* Upcalls. */

static const struct dp_upcall_hook *
dp_get_upcall_hook(const struct dp_thread *t)
{
    /* The main thread is the only writer of the pointer. */
    return t->pmd ? rcu_get(t->dpif->upcall) : t->dpif->upcall;
}

static void
dp_execute_userspace(struct dp_thread *t, struct dp_packet_batch *batch,
                     const struct odp_attr *a, bool steal)
{
    const struct dp_upcall_hook *hook = dp_get_upcall_hook(t);
    struct dp_packet *packet;

    if (hook) {
        struct dpif_upcall up;
        uint32_t pid;

        memcpy(&pid, odp_attr_get(a), sizeof pid);
        up.type = DPIF_UC_ACTION;
        up.pid = pid;
        up.userdata_len = odp_attr_get_size(a) - sizeof pid;
        up.userdata = (up.userdata_len
                       ? (const uint8_t *) odp_attr_get(a) + sizeof pid
                       : NULL);
        DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
            struct flow flow;

            /* The actions so far may have changed the packet: its key
             * now, not as it was received. */
            flow_extract(packet, &flow);
            up.packet = packet;
            up.flow = &flow;
            hook->cb(&up, NULL, NULL, hook->aux);
        }
    }
    dp_packet_delete_batch(batch, steal);
}

/* Looks FLOW up in the megaflow cache: lock-free in a PMD thread (an RCU
 * reader), under the flow mutex in the main thread (which need not be). */
static struct dp_flow *
dp_lookup(struct dp_thread *t, const struct flow *flow)
{
    struct dp_flow *found;

    if (t->pmd) {
        return dpcls_lookup(&t->dpif->cls, flow);
    }
    pthread_mutex_lock(&t->dpif->flow_mutex);
    found = dpcls_lookup(&t->dpif->cls, flow);
    pthread_mutex_unlock(&t->dpif->flow_mutex);
    return found;
}

/* Installs the megaflow FLOW/WC -> ACTIONS unless a megaflow that matches
 * FLOW is there already (another thread's, after the same miss).  Returns
 * the megaflow that now governs FLOW, or NULL if none was installed: the
 * cache is full, or the actions are invalid (*ERRORP = EINVAL). */
static struct dp_flow *
dp_install(struct dp_thread *t, const struct flow *flow,
           const struct flow_wildcards *wc, const struct odp_buf *actions,
           int *errorp)
{
    struct dpif *dpif = t->dpif;
    struct dp_flow *installed = NULL;
    struct match match;

    *errorp = 0;
    match.flow = *flow;
    match.wc = *wc;
    match_normalize(&match);

    pthread_mutex_lock(&dpif->flow_mutex);
    installed = dpcls_lookup(&dpif->cls, flow);
    if (!installed && dpcls_count(&dpif->cls) < DPIF_MAX_FLOWS) {
        struct dp_flow *new;

        *errorp = dp_flow_create(&match, actions->data, actions->size, &new);
        if (!*errorp) {
            if (!dpcls_insert(&dpif->cls, new)) {
                installed = new;
            }
            /* The cache holds a reference until the flow is deleted, and
             * the memory outlives this thread's next quiescent state. */
            dp_flow_unref(new);
        }
    }
    pthread_mutex_unlock(&dpif->flow_mutex);
    return installed;
}

/* Handles PACKET (key FLOW), which missed both caches.  Returns the
 * megaflow to execute it with, or NULL if it was consumed: dropped, or
 * executed with the upcall's actions because nothing could be
 * installed. */
static struct dp_flow *
dp_handle_miss(struct dp_thread *t, struct dp_packet *packet,
               const struct flow *flow, int depth)
{
    struct dp_flow *found = dp_lookup(t, flow);
    if (found) {
        /* An earlier miss of this batch installed it. */
        DP_STAT_ADD(t->stats.megaflow_hits, 1);
        return found;
    }

    DP_STAT_ADD(t->stats.misses, 1);
    const struct dp_upcall_hook *hook = dp_get_upcall_hook(t);
    if (!hook) {
        DP_STAT_ADD(t->stats.lost, 1);
        dp_packet_delete(packet);
        return NULL;
    }

    struct flow_wildcards wc;
    flow_wildcards_init_catchall(&wc);
    wc.masks.in_port = UINT32_MAX;
    wc.masks.recirc_id = UINT32_MAX;
    wc.masks.dl_type = htons(UINT16_MAX);

    struct dpif_upcall up = {
        .type = DPIF_UC_MISS,
        .packet = packet,
        .flow = flow,
    };
    odp_buf_clear(&t->upcall_actions);
    int error = hook->cb(&up, &t->upcall_actions, &wc, hook->aux);
    if (error) {
        VLOG_DBG_RL(&rl, "%s: upcall failed (%s), packet dropped",
                    t->dpif->name, plx_strerror(error));
        DP_STAT_ADD(t->stats.lost, 1);
        dp_packet_delete(packet);
        return NULL;
    }

    found = dp_install(t, flow, &wc, &t->upcall_actions, &error);
    if (found) {
        return found;
    }
    if (error || odp_actions_check(t->upcall_actions.data,
                                   t->upcall_actions.size)) {
        VLOG_WARN_RL(&rl, "%s: upcall returned invalid actions, packet "
                     "dropped", t->dpif->name);
        DP_STAT_ADD(t->stats.lost, 1);
        dp_packet_delete(packet);
        return NULL;
    }

    /* Megaflow cache full: execute without installing. */
    struct dp_exec_ctx ctx = { t, depth };
    struct dp_packet_batch one;
    dp_packet_batch_init_packet(&one, packet);
    odp_execute_actions(&ctx, &one, true, t->upcall_actions.data,
                        t->upcall_actions.size, dp_execute_cb);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Execution. */

static void
dp_execute_recirc(struct dp_thread *t, struct dp_packet_batch *batch,
                  uint32_t recirc_id, int depth, bool steal)
{
    struct dp_packet_batch copy;
    struct dp_packet *packet;

    if (depth >= DPIF_MAX_RECIRC) {
        VLOG_WARN_RL(&rl, "%s: recirculation deeper than %d, packets "
                     "dropped", t->dpif->name, DPIF_MAX_RECIRC);
        dp_packet_delete_batch(batch, steal);
        return;
    }
    if (!steal) {
        dp_packet_batch_clone(&copy, batch);
        batch = &copy;
    }
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        packet->md.recirc_id = recirc_id;
    }
    DP_STAT_ADD(t->stats.recirculations, batch->count);
    dp_process_batch(t, batch, depth + 1);
}

/* The EtherType of the batch's packets for conntrack: the two bytes
 * before their L3 header (after any VLAN tags), which flow_extract()
 * found.  A datapath flow with a ct action matches dl_type (translation
 * only emits ct for IPv4 and IPv6 flows), so one packet tells for all. */
static plx_be16
dp_ct_dl_type(const struct dp_packet_batch *batch)
{
    const struct dp_packet *p = batch->packets[0];
    const uint8_t *l3 = dp_packet_l3(p);
    plx_be16 type;

    if (!l3 || l3 - (const uint8_t *) dp_packet_data(p) < 2) {
        return 0;
    }
    memcpy(&type, l3 - 2, sizeof type);
    return type;
}

/* ODP_ACTION_CT on BATCH, whose packets the executor owns: reassembles
 * fragments (holding them until their datagram is whole), tracks and
 * NATs, then turns reassembled datagrams back into their fragments. */
static void
dp_execute_ct(struct dp_thread *t, struct dp_packet_batch *batch,
              const struct odp_attr *a)
{
    struct ct_nat_action nat;
    struct ct_exec exec;
    struct odp_ct ct;

    if (dp_packet_batch_is_empty(batch)) {
        return;
    }
    memcpy(&ct, odp_attr_get(a), sizeof ct);
    exec = (struct ct_exec) {
        .dl_type = dp_ct_dl_type(batch),
        .zone = ct.zone,
        .commit = (ct.flags & ODP_CT_COMMIT) != 0,
        .force = (ct.flags & ODP_CT_FORCE) != 0,
        .set_mark = (ct.flags & ODP_CT_SET_MARK) != 0,
        .mark = ct.mark,
        .mark_mask = ct.mark_mask,
        .set_label = (ct.flags & ODP_CT_SET_LABEL) != 0,
        .label = ct.label,
        .label_mask = ct.label_mask,
        .timeout_policy = ct.timeout_policy,
    };
    if (ct.flags & ODP_CT_NAT) {
        nat = (struct ct_nat_action) {
            .flags = ct.nat_flags,
            .min_port = ct.nat_min_port,
            .max_port = ct.nat_max_port,
        };
        memcpy(&nat.min_addr, &ct.nat_min_addr, sizeof nat.min_addr);
        memcpy(&nat.max_addr, &ct.nat_max_addr, sizeof nat.max_addr);
        exec.nat = &nat;
    }

    ipf_preprocess(t->dpif->ipf, batch, exec.dl_type, exec.zone, t->now);
    if (!dp_packet_batch_is_empty(batch)) {
        conntrack_execute(t->dpif->conntrack, batch, &exec, t->now);
        ipf_postprocess(t->dpif->ipf, batch);
    }
}

static void
dp_execute_cb(void *ctx_, struct dp_packet_batch *batch,
              const struct odp_attr *a, bool should_steal)
{
    struct dp_exec_ctx *ctx = ctx_;

    switch ((enum odp_action_type) odp_attr_type(a)) {
    case ODP_ACTION_OUTPUT:
        dp_execute_output(ctx->thread, batch, odp_attr_get_u32(a),
                          should_steal);
        break;
    case ODP_ACTION_USERSPACE:
        dp_execute_userspace(ctx->thread, batch, a, should_steal);
        break;
    case ODP_ACTION_RECIRC:
        dp_execute_recirc(ctx->thread, batch, odp_attr_get_u32(a),
                          ctx->depth, should_steal);
        break;
    case ODP_ACTION_METER:
        /* The executor hands over packets it owns (odp-execute.h). */
        dp_meter_run(ctx->thread->dpif->meters, odp_attr_get_u32(a), batch,
                     ctx->thread->now);
        break;
    case ODP_ACTION_CT:
        /* The executor hands over packets it owns (odp-execute.h). */
        dp_execute_ct(ctx->thread, batch, a);
        break;
    case ODP_ACTION_UNSPEC:
    case ODP_ACTION_PUSH_VLAN:
    case ODP_ACTION_POP_VLAN:
    case ODP_ACTION_SET:
    case ODP_ACTION_HASH:
    case ODP_ACTION_PUSH_MPLS:
    case ODP_ACTION_POP_MPLS:
    case ODP_ACTION_SAMPLE:
    case ODP_ACTION_CT_CLEAR:
    case ODP_N_ACTIONS:
    default:
        /* The executor handles these itself. */
        dp_packet_delete_batch(batch, should_steal);
        break;
    }
}

/* Runs the ACTIONS_LEN bytes of valid ACTIONS on BATCH (whose packets T
 * owns) in thread T.  The caller flushes T's outputs. */
void
dp_thread_execute(struct dp_thread *t, struct dp_packet_batch *batch,
                  const void *actions, size_t actions_len)
{
    struct dp_exec_ctx ctx = { t, 0 };

    DP_STAT_ADD(t->stats.packets, batch->count);
    odp_execute_actions(&ctx, batch, true, actions, actions_len,
                        dp_execute_cb);
}

/* ------------------------------------------------------------------ */
/* Lookup. */

static struct dp_flow_group *
dp_group_for(struct dp_flow_group *groups, size_t *n_groups,
             struct dp_flow *flow)
{
    /* Consecutive packets usually belong to the same flow. */
    for (size_t i = *n_groups; i-- > 0; ) {
        if (groups[i].flow == flow) {
            return &groups[i];
        }
    }

    struct dp_flow_group *g = &groups[(*n_groups)++];
    g->flow = flow;
    dp_packet_batch_init(&g->batch);
    g->n_bytes = 0;
    g->tcp_flags = 0;
    return g;
}

static void
dp_group_add(struct dp_flow_group *g, struct dp_packet *packet,
             const struct flow *key)
{
    dp_packet_batch_add__(&g->batch, packet);
    g->n_bytes += dp_packet_size(packet);
    g->tcp_flags |= ntohs(key->tcp_flags);
}

static void
dp_refresh_emc(struct dp_thread *t)
{
    uint32_t inv_prob = atomic_load_explicit(&t->dpif->emc_inv_prob,
                                             memory_order_relaxed);
    if (inv_prob != t->emc_inv_prob) {
        t->emc_inv_prob = inv_prob;
        emc_set_insert_inv_prob(t->emc, inv_prob);
        if (!inv_prob) {
            emc_flush(t->emc);
        }
    }
}

/* The exact-match cache's hash of KEY at recirculation DEPTH, for
 * packets whose port supplied no RSS hash: the words that tell flows
 * apart in practice (input port, Ethernet addresses and type, IP
 * addresses, protocol, L4 ports), at fixed places, rather than all of
 * the key's nonzero words; the IPv6 address words only for IPv6, since
 * they are zero otherwise.  Equal keys hash equally, which is all the
 * cache needs; keys that differ only elsewhere share a bucket and are
 * told apart by the full comparison.  On x86 with SSE4.2 each word is
 * folded in with one CRC32C instruction rather than murmur's rounds:
 * this runs for every packet. */
static const uint8_t emc_words[] = {
    FLOW_U64_OFFSET(in_port),
    FLOW_U64_OFFSET(dl_dst),
    FLOW_U64_OFFSET(dl_dst) + 1,
    FLOW_U64_OFFSET(nw_src),
    FLOW_U64_OFFSET(nw_proto),
    FLOW_U64_OFFSET(tp_src),
};
static const uint8_t emc_words_ipv6[] = {
    FLOW_U64_OFFSET(ipv6_src),
    FLOW_U64_OFFSET(ipv6_src) + 1,
    FLOW_U64_OFFSET(ipv6_dst),
    FLOW_U64_OFFSET(ipv6_dst) + 1,
};

/* True if the CPU has SSE4.2's CRC32 instruction. */
static bool
dp_have_crc32(void)
{
#if defined(__x86_64__)
    static int have = -1;       /* Racy but idempotent. */
    if (have < 0) {
        have = __builtin_cpu_supports("sse4.2");
    }
    return have;
#else
    return false;
#endif
}

/* HASH with W folded in: one CRC32C instruction if CRC, else murmur. */
static inline uint32_t
dp_emc_mix(uint32_t hash, uint64_t w, bool crc)
{
#if defined(__x86_64__)
    if (crc) {
        uint64_t h = hash;
        __asm__("crc32q %1, %0" : "+r" (h) : "rm" (w));
        return h;
    }
#endif
    (void) crc;
    return hash_add64(hash, w);
}

static uint32_t
dp_emc_hash(const struct flow *key, int depth)
{
    const uint64_t *w = flow_u64_const(key);
    bool crc = dp_have_crc32();
    uint32_t hash = depth;

    for (size_t i = 0; i < ARRAY_SIZE(emc_words); i++) {
        hash = dp_emc_mix(hash, w[emc_words[i]], crc);
    }
    if (key->dl_type == htons(ETH_TYPE_IPV6)) {
        for (size_t i = 0; i < ARRAY_SIZE(emc_words_ipv6); i++) {
            hash = dp_emc_mix(hash, w[emc_words_ipv6[i]], crc);
        }
    }
    return hash_finish(hash, 0);
}

/* One pass of BATCH, whose packets T owns and whose metadata is set,
 * through the caches and actions at recirculation depth DEPTH. */
static void
dp_process_batch(struct dp_thread *t, struct dp_packet_batch *batch,
                 int depth)
{
    struct dp_pass *pass = &t->passes[depth];
    struct emc *emc = t->emc && t->emc_inv_prob ? t->emc : NULL;
    uint8_t misses[NETDEV_MAX_BURST];
    size_t n_misses = 0, n_groups = 0;
    struct dp_packet *packet;

    if (!depth) {
        DP_STAT_ADD(t->stats.packets, batch->count);
    }
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        struct flow *key = &pass->keys[i];
        struct miniflow *mkey = &pass->mkeys[i].mf;
        struct dp_flow *flow = NULL;
        uint32_t hash = 0;

        flow_extract(packet, key);
        if (emc) {
            if (!emc_will_skip(emc)) {
                miniflow_init(mkey, key);
                hash = (!depth && dp_packet_rss_valid(packet)
                        ? dp_packet_get_rss_hash(packet)
                        : dp_emc_hash(key, depth));
            }
            flow = emc_lookup(emc, mkey, hash);
        }
        if (flow) {
            DP_STAT_ADD(t->stats.emc_hits, 1);
        } else {
            flow = dp_lookup(t, key);
            if (!flow) {
                misses[n_misses++] = i;
                continue;
            }
            DP_STAT_ADD(t->stats.megaflow_hits, 1);
            if (emc) {
                emc_probabilistic_insert(emc, mkey, hash, flow);
            }
        }
        dp_group_add(dp_group_for(pass->groups, &n_groups, flow), packet,
                     key);
    }

    for (size_t j = 0; j < n_misses; j++) {
        size_t i = misses[j];
        struct dp_flow *flow = dp_handle_miss(t, batch->packets[i],
                                              &pass->keys[i], depth);
        if (flow) {
            dp_group_add(dp_group_for(pass->groups, &n_groups, flow),
                         batch->packets[i], &pass->keys[i]);
        }
    }
    dp_packet_batch_init(batch);

    struct dp_exec_ctx ctx = { t, depth };
    for (size_t i = 0; i < n_groups; i++) {
        struct dp_flow_group *g = &pass->groups[i];

        dp_flow_stats_update(g->flow, g->batch.count, g->n_bytes,
                             g->tcp_flags, t->now);
        odp_execute_actions(&ctx, &g->batch, true, dp_flow_actions(g->flow),
                            g->flow->actions_len, dp_execute_cb);
    }
}

/* Runs BATCH, whose packets T owns, through the whole packet path in T
 * as if received on IN_PORT, and sends its output. */
void
dp_thread_receive(struct dp_thread *t, odp_port_t in_port,
                  struct dp_packet_batch *batch)
{
    struct dp_packet *packet;

    dp_refresh_emc(t);
    t->now = time_msec();
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        pkt_metadata_init(&packet->md, in_port);
    }
    dp_process_batch(t, batch, 0);
    dp_thread_flush_outputs(t);
    emc_slow_sweep(t->emc);
}

/* The pmd_process_func of every PMD thread. */
void
dp_netdev_process_rxq(void *dpif_ PLX_UNUSED, struct pmd_thread *pmd,
                      struct netdev_rxq *rxq PLX_UNUSED,
                      struct dp_packet_batch *batch)
{
    const struct dp_port *port = pmd_thread_rxq_aux(pmd);

    dp_thread_receive(pmd_thread_get_aux(pmd), port->port_no, batch);
}
