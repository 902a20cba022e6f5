/* dpif-netdev: the userspace datapath behind dpif.h, control side:
 * creation, ports, PMD threads and their per-thread state, configuration,
 * upcall registration, statistics and reports.  The packet path is in
 * dpif-netdev-packet.c, flow table operations in dpif-netdev-flow.c; the
 * state they share is described in dpif-netdev-private.h. */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/conntrack.h"
#include "datapath/dpif-netdev-private.h"
#include "datapath/emc.h"
#include "datapath/ipf.h"
#include "datapath/netdev.h"
#include "datapath/pmd.h"
#include "dynamic-string.h"
#include "poll-loop.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev);

/* ------------------------------------------------------------------ */
/* Per-thread state. */

static struct dp_thread *
dp_thread_create(struct dpif *dpif, struct pmd_thread *pmd, int tx_qid)
{
    struct dp_thread *t = xzalloc(sizeof *t);

    t->dpif = dpif;
    t->pmd = pmd;
    t->tx_qid = tx_qid;
    t->emc = emc_create(0x9e3779b9u * (uint32_t) (tx_qid + 1));
    t->emc_inv_prob = EMC_DEFAULT_INSERT_INV_PROB;
    t->passes = xcalloc(DPIF_MAX_RECIRC + 1, sizeof *t->passes);
    odp_buf_init(&t->upcall_actions);
    t->created_tsc = pmd_rdtsc();
    return t;
}

static void
dp_thread_destroy(struct dp_thread *t)
{
    if (t) {
        plx_assert(!t->n_outputs);
        emc_destroy(t->emc);
        odp_buf_uninit(&t->upcall_actions);
        free(t->passes);
        free(t);
    }
}

void
dp_thread_stats_get(const struct dp_thread_stats *src,
                    struct dp_thread_stats *dst)
{
    struct dp_thread_stats *s = (struct dp_thread_stats *) src;

    dst->packets = DP_STAT_GET(s->packets);
    dst->emc_hits = DP_STAT_GET(s->emc_hits);
    dst->megaflow_hits = DP_STAT_GET(s->megaflow_hits);
    dst->misses = DP_STAT_GET(s->misses);
    dst->lost = DP_STAT_GET(s->lost);
    dst->recirculations = DP_STAT_GET(s->recirculations);
    dst->output_batches = DP_STAT_GET(s->output_batches);
    dst->output_packets = DP_STAT_GET(s->output_packets);
}

static void
dp_thread_stats_accumulate(struct dp_thread_stats *sum,
                           const struct dp_thread_stats *s)
{
    sum->packets += s->packets;
    sum->emc_hits += s->emc_hits;
    sum->megaflow_hits += s->megaflow_hits;
    sum->misses += s->misses;
    sum->lost += s->lost;
    sum->recirculations += s->recirculations;
    sum->output_batches += s->output_batches;
    sum->output_packets += s->output_packets;
}

/* The highest tx queue id any thread of DPIF uses. */
static int
dp_max_tx_qid(const struct dpif *dpif)
{
    int max = 0;                        /* The main thread's. */

    for (size_t i = 0; i < dpif->n_threads; i++) {
        max = MAX(max, dpif->threads[i]->tx_qid);
    }
    return max;
}

/* Sets each port's 'dynamic_txqs' for the threads that now exist (see
 * dpif-netdev-private.h, "Transmit queues").  A port that must start
 * locking gets a grace period before this returns, so that no PMD is
 * still inside an unlocked send on it when a thread that shares its
 * queues starts. */
static void
dp_update_txq_modes(struct dpif *dpif)
{
    const struct dp_port_table *table = dpif->ports;
    int max_qid = dp_max_tx_qid(dpif);
    bool sync = false;

    for (size_t i = 0; i < table->n; i++) {
        struct dp_port *port = table->ports[i];
        bool dynamic = port->n_txq <= max_qid;
        bool was = atomic_load_explicit(&port->dynamic_txqs,
                                        memory_order_relaxed);

        if (dynamic != was) {
            atomic_store_explicit(&port->dynamic_txqs, dynamic,
                                  memory_order_relaxed);
            VLOG_DBG("%s: port %s: %s tx queues", dpif->name,
                     netdev_get_name(port->netdev),
                     dynamic ? "sharing (locked)" : "one per thread");
            sync |= dynamic;
        }
    }
    if (sync) {
        rcu_synchronize();
    }
}

#define DP_IDLE_SWEEP_MS 1000

/* pmd_thread_hooks 'create': runs in the main thread before PMD runs. */
static void *
dp_pmd_create(void *dpif_, struct pmd_thread *pmd)
{
    struct dpif *dpif = dpif_;
    int qid;

    /* The lowest tx queue id no thread uses (0 is the main thread's). */
    for (qid = 1; ; qid++) {
        size_t i;
        for (i = 0; i < dpif->n_threads; i++) {
            if (dpif->threads[i]->tx_qid == qid) {
                break;
            }
        }
        if (i == dpif->n_threads) {
            break;
        }
    }

    struct dp_thread *t = dp_thread_create(dpif, pmd, qid);
    if (dpif->n_threads >= dpif->allocated_threads) {
        dpif->threads = x2nrealloc(dpif->threads, &dpif->allocated_threads,
                                   sizeof *dpif->threads);
    }
    dpif->threads[dpif->n_threads++] = t;
    dp_update_txq_modes(dpif);
    return t;
}

/* pmd_thread_hooks 'destroy': runs in the main thread after PMD exited. */
static void
dp_pmd_destroy(void *dpif_, struct pmd_thread *pmd PLX_UNUSED,
               void *thread_aux)
{
    struct dpif *dpif = dpif_;
    struct dp_thread *t = thread_aux;
    struct dp_thread_stats s;

    for (size_t i = 0; i < dpif->n_threads; i++) {
        if (dpif->threads[i] == t) {
            dpif->threads[i] = dpif->threads[--dpif->n_threads];
            break;
        }
    }
    dp_thread_stats_get(&t->stats, &s);
    dp_thread_stats_accumulate(&dpif->gone_stats, &s);
    dp_thread_destroy(t);
    dp_update_txq_modes(dpif);
}

/* pmd_thread_hooks 'idle': in the PMD, before it sleeps.  Flows deleted
 * while it sleeps must not stay pinned by its exact-match cache until
 * traffic returns, so while the cache holds any flow it looks again once
 * a second (a wakeup per second, nothing when the cache is empty). */
static long long int
dp_pmd_idle(void *dpif_ PLX_UNUSED, struct pmd_thread *pmd PLX_UNUSED,
            void *thread_aux)
{
    struct dp_thread *t = thread_aux;

    return emc_sweep_all(t->emc) ? DP_IDLE_SWEEP_MS : -1;
}

static const struct pmd_thread_hooks dp_pmd_hooks = {
    .create = dp_pmd_create,
    .destroy = dp_pmd_destroy,
    .idle = dp_pmd_idle,
};

/* ------------------------------------------------------------------ */
/* Creation. */

int
dpif_create(const char *name, struct dpif **dpifp)
{
    *dpifp = NULL;
    if (!name || !name[0]) {
        return EINVAL;
    }

    struct dpif *dpif = xzalloc(sizeof *dpif);
    dpif->name = xstrdup(name);
    dpif->main_thread = dp_thread_create(dpif, NULL, 0);
    rcu_init(dpif->ports, xzalloc(sizeof *dpif->ports));
    rcu_init(dpif->upcall, NULL);
    atomic_init(&dpif->emc_inv_prob, EMC_DEFAULT_INSERT_INV_PROB);
    pthread_mutex_init(&dpif->flow_mutex, NULL);
    dpcls_init(&dpif->cls);
    dpif->meters = dp_meter_table_create();
    dpif->conntrack = conntrack_create();
    dpif->ipf = ipf_create();
    dpif->sched = dp_sched_create();

    int error = pmd_set_create_with_hooks(NULL, dp_netdev_process_rxq,
                                          &dp_pmd_hooks, dpif, &dpif->pmds);
    if (error) {
        /* Cannot happen for a NULL mask, but keep the promise. */
        dpif_destroy(dpif);
        return error;
    }
    VLOG_INFO("%s: datapath created", name);
    *dpifp = dpif;
    return 0;
}

void
dpif_destroy(struct dpif *dpif)
{
    if (!dpif) {
        return;
    }
    while (dpif->ports->n) {
        dpif_port_del(dpif, dpif->ports->ports[dpif->ports->n - 1]->port_no);
    }
    pmd_set_destroy(dpif->pmds);        /* Destroys every PMD's state. */
    dp_thread_destroy(dpif->main_thread);
    dpcls_destroy(&dpif->cls);
    pthread_mutex_destroy(&dpif->flow_mutex);
    dp_meter_table_destroy(dpif->meters);
    conntrack_destroy(dpif->conntrack);
    ipf_destroy(dpif->ipf);
    dp_sched_destroy(dpif->sched);
    rcu_postpone(free, dpif->ports);
    free(dpif->upcall);
    free(dpif->threads);
    VLOG_INFO("%s: datapath destroyed", dpif->name);
    free(dpif->name);
    free(dpif);
}

const char *
dpif_name(const struct dpif *dpif)
{
    return dpif->name;
}

/* Each PMD sweeps its own exact-match cache as it processes batches,
 * counters are read on demand, and devices are reconfigured by the caller
 * (port delete and add); what is periodic is rx queue load measurement
 * and automatic rebalancing (dpif-netdev-pmd.c). */
void
dpif_run(struct dpif *dpif)
{
    long long now = time_msec();

    dp_sched_run(dpif);
    if (now >= dpif->ct_next_run) {
        long long ct_next = conntrack_run(dpif->conntrack, now);
        long long ipf_next = ipf_run(dpif->ipf, now);
        dpif->ct_next_run = MIN(ct_next, ipf_next);
    }
}

void
dpif_wait(struct dpif *dpif)
{
    dp_sched_wait(dpif);
    poll_timer_wait_until(dpif->ct_next_run);
}

struct conntrack *
dpif_conntrack(const struct dpif *dpif)
{
    return dpif->conntrack;
}

struct ipf *
dpif_ipf(const struct dpif *dpif)
{
    return dpif->ipf;
}

/* ------------------------------------------------------------------ */
/* Ports. */

/* Binary search of TABLE for PORT_NO. */
static struct dp_port *
dp_port_table_find(const struct dp_port_table *table, odp_port_t port_no)
{
    size_t lo = 0, hi = table->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct dp_port *port = table->ports[mid];

        if (port->port_no == port_no) {
            return port;
        } else if (port->port_no < port_no) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* Any thread: the port numbered PORT_NO, valid until the caller next
 * quiesces (or, in the main thread, until it deletes the port). */
struct dp_port *
dp_port_lookup(const struct dpif *dpif, odp_port_t port_no)
{
    return dp_port_table_find(rcu_get(dpif->ports), port_no);
}

static struct dp_port *
dp_port_find_by_name(const struct dpif *dpif, const char *name)
{
    const struct dp_port_table *table = dpif->ports;

    for (size_t i = 0; i < table->n; i++) {
        if (!strcmp(netdev_get_name(table->ports[i]->netdev), name)) {
            return table->ports[i];
        }
    }
    return NULL;
}

/* Publishes a copy of the port table with ADD inserted (if nonnull) and
 * DEL left out (if nonnull). */
static void
dp_port_table_publish(struct dpif *dpif, struct dp_port *add,
                      const struct dp_port *del)
{
    struct dp_port_table *old = dpif->ports;
    struct dp_port_table *new = xmalloc(sizeof *new + (old->n + 1)
                                        * sizeof *new->ports);
    size_t n = 0;

    for (size_t i = 0; i < old->n; i++) {
        struct dp_port *port = old->ports[i];

        if (add && add->port_no < port->port_no) {
            new->ports[n++] = add;
            add = NULL;
        }
        if (port != del) {
            new->ports[n++] = port;
        }
    }
    if (add) {
        new->ports[n++] = add;
    }
    new->n = n;
    rcu_set(dpif->ports, new);
    rcu_postpone(free, old);
}

static void
dp_port_free(struct dp_port *port)
{
    for (int i = 0; i < port->n_rxq; i++) {
        netdev_rxq_close(port->rxqs[i]);
    }
    free(port->rxqs);
    for (int i = 0; i < port->n_txq; i++) {
        pthread_mutex_destroy(&port->txq_locks[i]);
    }
    free(port->txq_locks);
    dp_sched_port_free(port);
    netdev_close(port->netdev);
    free(port->type);
    free(port);
}

static odp_port_t
dp_choose_port_no(const struct dpif *dpif)
{
    const struct dp_port_table *table = dpif->ports;
    odp_port_t port_no = 1;

    /* Ascending: the first gap. */
    for (size_t i = 0; i < table->n; i++) {
        if (table->ports[i]->port_no == port_no) {
            port_no++;
        } else if (table->ports[i]->port_no > port_no) {
            break;
        }
    }
    return port_no;
}

int
dpif_port_add(struct dpif *dpif, struct netdev *netdev, odp_port_t *port_nop)
{
    const char *name = netdev_get_name(netdev);
    odp_port_t port_no = *port_nop;

    if (port_no == ODPP_RESERVED) {
        return EINVAL;
    }
    if (dp_port_find_by_name(dpif, name)) {
        return EEXIST;
    }
    if (port_no == ODPP_NONE) {
        port_no = dp_choose_port_no(dpif);
        if (port_no == ODPP_NONE) {
            return EFBIG;
        }
    } else if (dp_port_table_find(dpif->ports, port_no)) {
        return EBUSY;
    }

    int n_rxq = netdev_n_rxq(netdev);
    struct netdev_rxq **rxqs = xcalloc(MAX(n_rxq, 1), sizeof *rxqs);
    for (int i = 0; i < n_rxq; i++) {
        int error = netdev_rxq_open(netdev, i, &rxqs[i]);
        if (error) {
            VLOG_WARN("%s: %s: cannot open rx queue %d (%s)", dpif->name,
                      name, i, plx_strerror(error));
            while (i-- > 0) {
                netdev_rxq_close(rxqs[i]);
            }
            free(rxqs);
            return error;
        }
    }

    struct dp_port *port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->netdev = netdev_ref(netdev);
    port->type = xstrdup(netdev_get_type(netdev));
    port->rxqs = rxqs;
    port->n_rxq = n_rxq;
    port->n_txq = MAX(netdev->n_txq, 1);
    port->txq_locks = xmalloc(port->n_txq * sizeof *port->txq_locks);
    for (int i = 0; i < port->n_txq; i++) {
        pthread_mutex_init(&port->txq_locks[i], NULL);
    }
    atomic_init(&port->dynamic_txqs, port->n_txq <= dp_max_tx_qid(dpif));

    dp_port_table_publish(dpif, port, NULL);
    VLOG_INFO("%s: added port %"PRIu32": %s (%s), %d rx and %d tx queues",
              dpif->name, port_no, name, port->type, n_rxq, port->n_txq);
    /* Gives the queues to PMDs (and may move others: the assignment is
     * recomputed as a whole, as Open vSwitch does). */
    dp_sched_port_added(dpif, port);
    *port_nop = port_no;
    return 0;
}

int
dpif_port_del(struct dpif *dpif, odp_port_t port_no)
{
    struct dp_port *port = dp_port_table_find(dpif->ports, port_no);

    if (!port) {
        return ENOENT;
    }

    /* No new output to it, then no more input from it... */
    dp_port_table_publish(dpif, NULL, port);
    for (int i = 0; i < port->n_rxq; i++) {
        pmd_set_remove_rxq(dpif->pmds, port->rxqs[i]);
    }
    /* ...and no PMD still holding it from a lookup before the first
     * step (outputs are sent before a PMD quiesces). */
    rcu_synchronize();

    VLOG_INFO("%s: deleted port %"PRIu32": %s", dpif->name, port_no,
              netdev_get_name(port->netdev));
    dp_port_free(port);
    return 0;
}

void
dpif_port_destroy(struct dpif_port *port)
{
    if (port) {
        free(port->name);
        free(port->type);
        port->name = port->type = NULL;
    }
}

static void
dp_port_to_dpif_port(const struct dp_port *port, struct dpif_port *out)
{
    out->name = xstrdup(netdev_get_name(port->netdev));
    out->type = xstrdup(port->type);
    out->port_no = port->port_no;
}

int
dpif_port_query_by_number(const struct dpif *dpif, odp_port_t port_no,
                          struct dpif_port *out)
{
    const struct dp_port *port = dp_port_table_find(dpif->ports, port_no);

    if (!port) {
        return ENOENT;
    }
    dp_port_to_dpif_port(port, out);
    return 0;
}

int
dpif_port_query_by_name(const struct dpif *dpif, const char *name,
                        struct dpif_port *out)
{
    const struct dp_port *port = name ? dp_port_find_by_name(dpif, name)
                                      : NULL;
    if (!port) {
        return ENOENT;
    }
    dp_port_to_dpif_port(port, out);
    return 0;
}

struct netdev *
dpif_port_get_netdev(const struct dpif *dpif, odp_port_t port_no)
{
    const struct dp_port *port = dp_port_table_find(dpif->ports, port_no);

    return port ? port->netdev : NULL;
}

void
dpif_port_dump(const struct dpif *dpif, struct dpif_port **portsp,
               size_t *n_portsp)
{
    const struct dp_port_table *table = dpif->ports;
    struct dpif_port *ports = xcalloc(MAX(table->n, 1), sizeof *ports);

    for (size_t i = 0; i < table->n; i++) {
        dp_port_to_dpif_port(table->ports[i], &ports[i]);
    }
    *portsp = ports;
    *n_portsp = table->n;
}

void
dpif_port_dump_free(struct dpif_port *ports, size_t n_ports)
{
    for (size_t i = 0; i < n_ports; i++) {
        dpif_port_destroy(&ports[i]);
    }
    free(ports);
}

/* ------------------------------------------------------------------ */
/* Configuration. */

int
dpif_set_pmd_cpu_mask(struct dpif *dpif, const char *mask)
{
    int error = pmd_set_set_cpu_mask(dpif->pmds, mask);

    if (error) {
        VLOG_WARN("%s: bad pmd-cpu-mask \"%s\" (%s)", dpif->name,
                  mask ? mask : "", plx_strerror(error));
        return error;
    }
    /* The hooks raised the ports' tx queue modes as threads came and
     * lowered them as threads went. */
    VLOG_INFO("%s: pmd-cpu-mask \"%s\": %zu pmd thread(s)", dpif->name,
              mask ? mask : "", pmd_set_n_pmds(dpif->pmds));
    dp_sched_reschedule(dpif, "pmd-cpu-mask changed");
    return 0;
}

void
dpif_set_emc_insert_inv_prob(struct dpif *dpif, uint32_t inv_prob)
{
    /* Each PMD picks it up at its next batch. */
    atomic_store_explicit(&dpif->emc_inv_prob, inv_prob,
                          memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Executing and upcalls. */

/* The caller's thread reads the megaflow cache (a recirculation, or
 * dpif_receive()), which only RCU-registered threads may do.  A thread
 * that is not (plx-vswitchd's main thread) is registered for the call;
 * one that is (a benchmark's) pays nothing. */
static bool
dp_rcu_enter(void)
{
    bool was_registered = rcu_thread_is_registered();

    if (!was_registered) {
        rcu_thread_register();
    }
    return was_registered;
}

static void
dp_rcu_leave(bool was_registered)
{
    if (!was_registered) {
        rcu_thread_unregister();
    }
}

int
dpif_execute(struct dpif *dpif, struct dp_packet *packet,
             const void *actions, size_t actions_len)
{
    static const uint32_t empty[1];
    struct dp_thread *t = dpif->main_thread;
    void *copy = NULL;

    if (!actions_len) {
        actions = empty;
    } else if (!actions) {
        dp_packet_delete(packet);
        return EINVAL;
    } else if ((uintptr_t) actions % ODP_ALIGNTO) {
        actions = copy = xmemdup(actions, actions_len);
    }
    if (odp_actions_check(actions, actions_len)) {
        free(copy);
        dp_packet_delete(packet);
        return EINVAL;
    }

    struct dp_packet_batch batch;
    bool was_registered = dp_rcu_enter();
    dp_packet_batch_init_packet(&batch, packet);
    t->now = time_msec();
    dp_thread_execute(t, &batch, actions, actions_len);
    dp_thread_flush_outputs(t);
    dp_rcu_leave(was_registered);
    free(copy);
    return 0;
}

void
dpif_receive(struct dpif *dpif, odp_port_t in_port,
             struct dp_packet_batch *batch)
{
    bool was_registered = dp_rcu_enter();
    dp_thread_receive(dpif->main_thread, in_port, batch);
    dp_rcu_leave(was_registered);
}

void
dpif_register_upcall_cb(struct dpif *dpif, dpif_upcall_cb *cb, void *aux)
{
    struct dp_upcall_hook *old = dpif->upcall;
    struct dp_upcall_hook *new = NULL;

    if (cb) {
        new = xmalloc(sizeof *new);
        new->cb = cb;
        new->aux = aux;
    }
    rcu_set(dpif->upcall, new);
    if (old) {
        rcu_synchronize();
        free(old);
    }
}

/* ------------------------------------------------------------------ */
/* Meters: the table runs in the packet path (dpif-netdev-packet.c) and
 * locks itself, so these only add the clock. */

int
dpif_meter_set(struct dpif *dpif, uint32_t meter_id,
               const struct dp_meter_config *config)
{
    int error = dp_meter_set(dpif->meters, meter_id, config, time_msec());

    if (error) {
        VLOG_DBG("%s: cannot set meter %"PRIu32" (%s)", dpif->name,
                 meter_id, plx_strerror(error));
    }
    return error;
}

int
dpif_meter_get_stats(const struct dpif *dpif, uint32_t meter_id,
                     struct dp_meter_stats *stats)
{
    return dp_meter_get_stats(dpif->meters, meter_id, stats, time_msec());
}

int
dpif_meter_del(struct dpif *dpif, uint32_t meter_id,
               struct dp_meter_stats *stats)
{
    return dp_meter_del(dpif->meters, meter_id, stats, time_msec());
}

void
dpif_meter_get_features(const struct dpif *dpif PLX_UNUSED,
                        struct dp_meter_features *features)
{
    dp_meter_get_features(features);
}

/* ------------------------------------------------------------------ */
/* Statistics and reports. */

static void
dp_total_stats(const struct dpif *dpif, struct dp_thread_stats *sum)
{
    struct dp_thread_stats s;

    *sum = dpif->gone_stats;
    dp_thread_stats_get(&dpif->main_thread->stats, &s);
    dp_thread_stats_accumulate(sum, &s);
    for (size_t i = 0; i < dpif->n_threads; i++) {
        dp_thread_stats_get(&dpif->threads[i]->stats, &s);
        dp_thread_stats_accumulate(sum, &s);
    }
}

void
dpif_get_stats(const struct dpif *dpif, struct dpif_stats *stats)
{
    struct dp_thread_stats s;

    dp_total_stats(dpif, &s);
    stats->n_emc_hit = s.emc_hits;
    stats->n_megaflow_hit = s.megaflow_hits;
    stats->n_hit = s.emc_hits + s.megaflow_hits;
    stats->n_missed = s.misses;
    stats->n_lost = s.lost;
    stats->n_flows = dpif_flow_count(dpif);
}

void
dpif_format_show(const struct dpif *dpif, bool verbose, struct ds *ds)
{
    const struct dp_port_table *table = dpif->ports;
    struct dpif_stats s;

    dpif_get_stats(dpif, &s);
    ds_put_format(ds, "netdev@%s:\n", dpif->name);
    ds_put_format(ds, "  lookups: hit:%"PRIu64" missed:%"PRIu64
                  " lost:%"PRIu64"\n", s.n_hit, s.n_missed, s.n_lost);
    ds_put_format(ds, "  flows: %"PRIu64"\n", s.n_flows);
    for (size_t i = 0; i < table->n; i++) {
        const struct dp_port *port = table->ports[i];
        struct netdev_stats ns;

        ds_put_format(ds, "  port %"PRIu32": %s (%s)\n", port->port_no,
                      netdev_get_name(port->netdev), port->type);
        if (!verbose) {
            continue;
        }
        int error = netdev_get_stats(port->netdev, &ns);
        if (error) {
            ds_put_format(ds, "    (statistics unavailable: %s)\n",
                          plx_strerror(error));
            continue;
        }
        ds_put_format(ds, "    RX packets:%"PRIu64" errors:%"PRIu64
                      " dropped:%"PRIu64"\n",
                      ns.rx_packets, ns.rx_errors, ns.rx_dropped);
        ds_put_format(ds, "    TX packets:%"PRIu64" errors:%"PRIu64
                      " dropped:%"PRIu64"\n",
                      ns.tx_packets, ns.tx_errors, ns.tx_dropped);
        ds_put_format(ds, "    RX bytes:%"PRIu64"  TX bytes:%"PRIu64"\n",
                      ns.rx_bytes, ns.tx_bytes);
    }
}
