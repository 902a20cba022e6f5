/* dpif-netdev-pmd: rx queue to PMD scheduling for the userspace datapath,
 * its load history, automatic rebalancing, and the dpif-netdev/pmd-*
 * reports.  See dpif-netdev-private.h ("Rx queue scheduling") for the
 * design and datapath/pmd-sched.h for the algorithms.  Main thread only. */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dpif-netdev-private.h"
#include "datapath/netdev.h"
#include "datapath/pmd-sched.h"
#include "datapath/pmd.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "poll-loop.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev_pmd);

/* Interface other_config:pmd-rxq-affinity of one port, by name. */
struct dp_affinity {
    struct hmap_node node;      /* In dp_sched's 'affinities'. */
    char *port;
    struct pmd_sched_affinity aff;
};

struct dp_sched {
    enum pmd_sched_algo algo;
    bool isolate;               /* As configured. */
    struct hmap affinities;

    /* Load intervals: 'cur' is running since start_tsc[cur]; the
     * 'n_done' before it (ring order) are closed. */
    int cur;
    int n_done;
    uint64_t start_tsc[DP_SCHED_N_INTERVALS];
    long long int next_close_ms;

    /* Auto load balance. */
    bool alb;
    unsigned int alb_load_threshold;        /* Percent. */
    unsigned int alb_improvement_threshold; /* Percent. */
    long long int alb_interval_ms;
    long long int alb_next_ms;
};

#define DP_ALB_LOAD_THRESHOLD 95
#define DP_ALB_IMPROVEMENT_THRESHOLD 25
#define DP_ALB_INTERVAL_MIN 1

struct dp_sched *
dp_sched_create(void)
{
    struct dp_sched *s = xzalloc(sizeof *s);

    s->algo = PMD_SCHED_DEFAULT;
    s->isolate = true;
    hmap_init(&s->affinities);
    s->start_tsc[0] = pmd_rdtsc();
    s->next_close_ms = time_msec() + DP_SCHED_INTERVAL_MS;
    s->alb_load_threshold = DP_ALB_LOAD_THRESHOLD;
    s->alb_improvement_threshold = DP_ALB_IMPROVEMENT_THRESHOLD;
    s->alb_interval_ms = DP_ALB_INTERVAL_MIN * 60 * 1000LL;
    return s;
}

void
dp_sched_destroy(struct dp_sched *s)
{
    struct dp_affinity *a;

    if (!s) {
        return;
    }
    HMAP_FOR_EACH_POP (a, node, &s->affinities) {
        pmd_sched_affinity_destroy(&a->aff);
        free(a->port);
        free(a);
    }
    hmap_destroy(&s->affinities);
    free(s);
}

static struct dp_affinity *
dp_affinity_find(const struct dp_sched *s, const char *port)
{
    struct dp_affinity *a;

    HMAP_FOR_EACH_WITH_HASH (a, node, hash_string(port, 0),
                             &s->affinities) {
        if (!strcmp(a->port, port)) {
            return a;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Load history. */

static int
ring_idx(int idx)
{
    return ((idx % DP_SCHED_N_INTERVALS) + DP_SCHED_N_INTERVALS)
           % DP_SCHED_N_INTERVALS;
}

/* The increase of a cumulative counter from LAST to NOW; a counter that
 * went back (a queue that was unpolled and polled again starts from 0)
 * counts from 0. */
static uint64_t
counter_delta(uint64_t now, uint64_t last)
{
    return now >= last ? now - last : now;
}

/* Busy cycles in the last K closed intervals plus the running one, where
 * NOW is the counter's current cumulative value. */
static uint64_t
load_window(const struct dp_sched *s, const struct dp_load_hist *h,
            uint64_t now, int k)
{
    uint64_t sum = counter_delta(now, h->last);

    k = MIN(k, s->n_done);
    for (int j = 1; j <= k; j++) {
        sum += h->hist[ring_idx(s->cur - j)];
    }
    return sum;
}

/* When the window of the last K closed intervals began. */
static uint64_t
window_start(const struct dp_sched *s, int k)
{
    return s->start_tsc[ring_idx(s->cur - MIN(k, s->n_done))];
}

static uint64_t
rxq_busy_now(const struct dpif *dpif, const struct dp_port *port, int i)
{
    struct pmd_rxq_stats st;

    return (pmd_set_get_rxq_stats(dpif->pmds, port->rxqs[i], &st)
            ? port->rxq_loads[i].last : st.busy_cycles);
}

static uint64_t
rxq_load(const struct dpif *dpif, const struct dp_port *port, int i, int k)
{
    return load_window(dpif->sched, &port->rxq_loads[i],
                       rxq_busy_now(dpif, port, i), k);
}

static uint64_t
pmd_busy_now(const struct pmd_thread *pmd)
{
    struct pmd_stats st;

    pmd_thread_get_total_stats(pmd, &st);
    return st.busy_cycles;
}

/* All of a PMD's cycles in the window of K intervals: the wall-clock
 * time, since a PMD exists (busy, idle or asleep) all the time, from
 * the window's start or the PMD's creation. */
static uint64_t
pmd_window_cycles(const struct dp_sched *s, const struct dp_thread *t,
                  int k, uint64_t now_tsc)
{
    uint64_t start = MAX(window_start(s, k), t->created_tsc);

    return now_tsc > start ? now_tsc - start : 0;
}

static void dp_alb_interval_closed(struct dpif *, uint64_t interval_cycles);

static void
dp_sched_close_interval(struct dpif *dpif)
{
    struct dp_sched *s = dpif->sched;
    const struct dp_port_table *table = dpif->ports;
    uint64_t now_tsc = pmd_rdtsc();

    for (size_t p = 0; p < table->n; p++) {
        struct dp_port *port = table->ports[p];
        for (int i = 0; i < port->n_rxq; i++) {
            struct dp_load_hist *h = &port->rxq_loads[i];
            uint64_t now = rxq_busy_now(dpif, port, i);

            h->hist[s->cur] = counter_delta(now, h->last);
            h->last = now;
        }
    }
    for (size_t i = 0; i < dpif->n_threads; i++) {
        struct dp_thread *t = dpif->threads[i];
        uint64_t now = pmd_busy_now(t->pmd);

        t->busy.hist[s->cur] = counter_delta(now, t->busy.last);
        t->busy.last = now;
    }

    uint64_t interval_cycles = now_tsc - s->start_tsc[s->cur];
    s->cur = ring_idx(s->cur + 1);
    s->start_tsc[s->cur] = now_tsc;
    s->n_done = MIN(s->n_done + 1, DP_SCHED_N_INTERVALS - 1);
    dp_alb_interval_closed(dpif, interval_cycles);
}

/* ------------------------------------------------------------------ */
/* Scheduling. */

/* The inputs of pmd_sched_assign() for DPIF as it is now. */
struct dp_sched_input {
    struct pmd_sched_pmd *pmds;
    struct pmd_thread **threads;        /* Parallel to 'pmds'. */
    size_t n_pmds;
    struct pmd_sched_rxq *rxqs;
    struct dp_port **ports;             /* Parallel to 'rxqs'. */
    size_t n_rxqs;
};

static bool
dp_sched_isolate(const struct dp_sched *s)
{
    return s->isolate || s->algo != PMD_SCHED_GROUP;
}

static void
dp_sched_input_init(const struct dpif *dpif, struct dp_sched_input *in)
{
    const struct dp_port_table *table = dpif->ports;
    size_t n_rxqs = 0;

    in->n_pmds = pmd_set_n_pmds(dpif->pmds);
    in->pmds = xcalloc(MAX(in->n_pmds, 1), sizeof *in->pmds);
    in->threads = xcalloc(MAX(in->n_pmds, 1), sizeof *in->threads);
    for (size_t i = 0; i < in->n_pmds; i++) {
        /* pmd_set keeps its PMDs in ascending core order. */
        in->threads[i] = pmd_set_get_pmd(dpif->pmds, i);
        in->pmds[i].core_id = pmd_thread_core_id(in->threads[i]);
    }

    for (size_t p = 0; p < table->n; p++) {
        n_rxqs += table->ports[p]->n_rxq;
    }
    in->rxqs = xcalloc(MAX(n_rxqs, 1), sizeof *in->rxqs);
    in->ports = xcalloc(MAX(n_rxqs, 1), sizeof *in->ports);
    in->n_rxqs = 0;
    for (size_t p = 0; p < table->n; p++) {
        struct dp_port *port = table->ports[p];
        const char *name = netdev_get_name(port->netdev);
        const struct dp_affinity *a = dp_affinity_find(dpif->sched, name);

        for (int i = 0; i < port->n_rxq; i++) {
            struct pmd_sched_rxq *q = &in->rxqs[in->n_rxqs];

            q->port = name;
            q->queue_id = i;
            q->load = rxq_load(dpif, port, i, DP_SCHED_RXQ_INTERVALS);
            q->pin_core = a ? pmd_sched_affinity_core(&a->aff, i) : -1;
            in->ports[in->n_rxqs++] = port;
        }
    }
}

static void
dp_sched_input_destroy(struct dp_sched_input *in)
{
    free(in->pmds);
    free(in->threads);
    free(in->rxqs);
    free(in->ports);
}

static struct dp_thread *
dp_thread_of(const struct pmd_thread *pmd)
{
    return pmd_thread_get_aux(pmd);
}

void
dp_sched_reschedule(struct dpif *dpif, const char *why)
{
    struct dp_sched *s = dpif->sched;
    struct dp_sched_input in;

    dp_sched_input_init(dpif, &in);
    pmd_sched_assign(s->algo, dp_sched_isolate(s), in.pmds, in.n_pmds,
                     in.rxqs, in.n_rxqs);
    VLOG_INFO("%s: %s: Performing pmd to rx queue assignment using %s "
              "algorithm.", dpif->name, why, pmd_sched_algo_name(s->algo));

    for (size_t i = 0; i < in.n_rxqs; i++) {
        const struct pmd_sched_rxq *q = &in.rxqs[i];
        struct dp_port *port = in.ports[i];
        struct netdev_rxq *rxq = port->rxqs[q->queue_id];
        struct pmd_thread *cur = pmd_set_find_rxq(dpif->pmds, rxq);
        struct pmd_thread *to = q->pmd >= 0 ? in.threads[q->pmd] : NULL;
        int core = q->pmd >= 0 ? in.pmds[q->pmd].core_id : -1;

        if (q->how == PMD_SCHED_PIN_MISSING) {
            VLOG_WARN("Core %2d cannot be pinned with port '%s' rx queue "
                      "%d. Use pmd-cpu-mask to enable a pmd on core %d. "
                      "An alternative core will be assigned.",
                      q->pin_core, q->port, q->queue_id, q->pin_core);
        }
        if (!to) {
            VLOG_WARN("No non-isolated pmd on any numa available for port "
                      "'%s' rx queue %d. This rx queue will not be polled.",
                      q->port, q->queue_id);
            if (cur) {
                pmd_set_remove_rxq(dpif->pmds, rxq);
            }
            continue;
        }
        if (q->how == PMD_SCHED_PINNED) {
            VLOG_INFO("Core %2d on numa node 0 is pinned with port '%s' rx "
                      "queue %d", core, q->port, q->queue_id);
        } else {
            VLOG_INFO("Core %2d on numa node 0 assigned port '%s' rx queue "
                      "%d (measured processing cycles %"PRIu64").",
                      core, q->port, q->queue_id, q->load);
        }
        if (!cur) {
            pmd_set_add_rxq_on(dpif->pmds, rxq, port, core);
        } else if (cur != to) {
            pmd_set_move_rxq(dpif->pmds, rxq, core);
        }
    }
    for (size_t i = 0; i < in.n_pmds; i++) {
        dp_thread_of(in.threads[i])->isolated = in.pmds[i].isolated;
    }
    dp_sched_input_destroy(&in);
}

void
dp_sched_port_added(struct dpif *dpif, struct dp_port *port)
{
    port->rxq_loads = xcalloc(MAX(port->n_rxq, 1), sizeof *port->rxq_loads);
    if (port->n_rxq) {
        char *why = xasprintf("port %s added",
                              netdev_get_name(port->netdev));
        dp_sched_reschedule(dpif, why);
        free(why);
    }
}

void
dp_sched_port_free(struct dp_port *port)
{
    free(port->rxq_loads);
    port->rxq_loads = NULL;
}

/* ------------------------------------------------------------------ */
/* Automatic load balancing (other_config:pmd-auto-lb), as Open
 * vSwitch's: a PMD counts as overloaded once it was busier than the load
 * threshold for DP_SCHED_RXQ_INTERVALS intervals in a row; at most once
 * per rebalance interval, if one is, a dry run of the algorithm decides
 * whether reassigning would improve the variance of the PMDs' loads
 * enough. */

/* Whether T was over the load threshold in each of the last
 * DP_SCHED_RXQ_INTERVALS closed intervals (from its busy history). */
static bool
dp_alb_pmd_overloaded(const struct dp_sched *s, const struct dp_thread *t,
                      uint64_t interval_cycles)
{
    int n = MIN(s->n_done, DP_SCHED_RXQ_INTERVALS);

    if (n < DP_SCHED_RXQ_INTERVALS || !interval_cycles) {
        return false;
    }
    for (int j = 1; j <= n; j++) {
        uint64_t busy = t->busy.hist[ring_idx(s->cur - j)];
        if (busy * 100 / interval_cycles < s->alb_load_threshold) {
            return false;
        }
    }
    return true;
}

/* Variance of the current and of the dry-run assignment, in Open
 * vSwitch's units (percent of a PMD's cycles, squared).  Returns false
 * if there is nothing to compare (fewer than two non-isolated PMDs). */
static bool
dp_alb_dry_run(struct dpif *dpif, uint64_t *cur_var, uint64_t *new_var)
{
    struct dp_sched *s = dpif->sched;
    struct dp_sched_input in;
    uint64_t now_tsc = pmd_rdtsc();
    uint64_t total = now_tsc - window_start(s, DP_SCHED_RXQ_INTERVALS);
    size_t n_noniso = 0;

    dp_sched_input_init(dpif, &in);
    pmd_sched_assign(s->algo, dp_sched_isolate(s), in.pmds, in.n_pmds,
                     in.rxqs, in.n_rxqs);
    *new_var = pmd_sched_variance(in.pmds, in.n_pmds, total);

    /* The current assignment, as the same kind of estimate. */
    struct pmd_sched_pmd *now = xmemdup(in.pmds,
                                        MAX(in.n_pmds, 1) * sizeof *now);
    for (size_t i = 0; i < in.n_pmds; i++) {
        now[i].load = 0;
        now[i].isolated = dp_thread_of(in.threads[i])->isolated;
        n_noniso += !now[i].isolated;
    }
    for (size_t i = 0; i < in.n_rxqs; i++) {
        struct netdev_rxq *rxq = in.ports[i]->rxqs[in.rxqs[i].queue_id];
        struct pmd_thread *pmd = pmd_set_find_rxq(dpif->pmds, rxq);
        for (size_t j = 0; pmd && j < in.n_pmds; j++) {
            if (in.threads[j] == pmd) {
                now[j].load += in.rxqs[i].load;
            }
        }
    }
    *cur_var = pmd_sched_variance(now, in.n_pmds, total);
    free(now);
    dp_sched_input_destroy(&in);
    return n_noniso >= 2 && in.n_rxqs >= 2;
}

static void
dp_alb_interval_closed(struct dpif *dpif, uint64_t interval_cycles)
{
    struct dp_sched *s = dpif->sched;
    long long int now = time_msec();
    bool overloaded = false;

    if (!s->alb || now < s->alb_next_ms) {
        return;
    }
    for (size_t i = 0; i < dpif->n_threads; i++) {
        const struct dp_thread *t = dpif->threads[i];
        if (!t->isolated
            && dp_alb_pmd_overloaded(s, t, interval_cycles)) {
            overloaded = true;
        }
    }
    if (!overloaded) {
        return;
    }
    s->alb_next_ms = now + s->alb_interval_ms;
    if (s->algo == PMD_SCHED_ROUNDROBIN) {
        VLOG_DBG("PMD auto load balance nothing to do, "
                 "pmd-rxq-assign=roundrobin assignment type configured.");
        return;
    }

    uint64_t cur_var, new_var;
    VLOG_DBG("PMD auto load balance performing dry run.");
    if (!dp_alb_dry_run(dpif, &cur_var, &new_var)) {
        VLOG_DBG("PMD auto load balance nothing to do, not enough "
                 "non-isolated PMDs or RxQs.");
        return;
    }
    uint64_t improvement = (cur_var && new_var < cur_var
                            ? (cur_var - new_var) * 100 / cur_var : 0);
    VLOG_DBG("Numa node 0. Current variance %"PRIu64" Estimated variance "
             "%"PRIu64". Variance improvement %"PRIu64"%%.",
             cur_var, new_var, improvement);
    if (improvement >= s->alb_improvement_threshold) {
        VLOG_INFO("PMD auto load balance dry run. Requesting datapath "
                  "reconfigure.");
        dp_sched_reschedule(dpif, "auto load balance");
    }
}

/* ------------------------------------------------------------------ */
/* Main loop. */

void
dp_sched_run(struct dpif *dpif)
{
    struct dp_sched *s = dpif->sched;
    long long int now = time_msec();

    if (now >= s->next_close_ms) {
        dp_sched_close_interval(dpif);
        s->next_close_ms = now + DP_SCHED_INTERVAL_MS;
    }
}

void
dp_sched_wait(struct dpif *dpif)
{
    poll_timer_wait_until(dpif->sched->next_close_ms);
}

/* ------------------------------------------------------------------ */
/* Configuration (dpif.h). */

int
dpif_set_pmd_rxq_assign(struct dpif *dpif, const char *name)
{
    struct dp_sched *s = dpif->sched;
    enum pmd_sched_algo algo = PMD_SCHED_DEFAULT;

    if (name && !pmd_sched_algo_from_string(name, &algo)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: unsupported rx queue to PMD assignment "
                     "mode \"%s\" in pmd-rxq-assign (use roundrobin, "
                     "cycles or group); keeping '%s'.", dpif->name, name,
                     pmd_sched_algo_name(s->algo));
        return EINVAL;
    }
    if (algo != s->algo) {
        bool was_isolated = dp_sched_isolate(s);

        s->algo = algo;
        VLOG_INFO("%s: rx queue to PMD assignment mode changed to: '%s'.",
                  dpif->name, pmd_sched_algo_name(algo));
        if (!s->isolate && was_isolated != dp_sched_isolate(s)) {
            VLOG_INFO("%s: pmd-rxq-affinity %s PMD core", dpif->name,
                      dp_sched_isolate(s) ? "isolates"
                                          : "does not isolate");
        }
        dp_sched_reschedule(dpif, "pmd-rxq-assign changed");
    }
    return 0;
}

void
dpif_set_pmd_rxq_isolate(struct dpif *dpif, bool isolate)
{
    struct dp_sched *s = dpif->sched;

    if (isolate == s->isolate) {
        return;
    }
    bool was = dp_sched_isolate(s);
    s->isolate = isolate;
    if (!isolate && s->algo != PMD_SCHED_GROUP) {
        VLOG_WARN("%s: pmd-rxq-isolate can only be set false when using "
                  "pmd-rxq-assign=group", dpif->name);
    }
    if (was != dp_sched_isolate(s)) {
        VLOG_INFO("%s: pmd-rxq-affinity %s PMD core", dpif->name,
                  dp_sched_isolate(s) ? "isolates" : "does not isolate");
        dp_sched_reschedule(dpif, "pmd-rxq-isolate changed");
    }
}

static bool
affinity_equal(const struct pmd_sched_affinity *a,
               const struct pmd_sched_affinity *b)
{
    return (a->n == b->n
            && (!a->n || !memcmp(a->pins, b->pins, a->n * sizeof *a->pins)));
}

static bool
port_exists(const struct dpif *dpif, const char *name)
{
    const struct dp_port_table *table = dpif->ports;

    for (size_t i = 0; i < table->n; i++) {
        if (!strcmp(netdev_get_name(table->ports[i]->netdev), name)) {
            return true;
        }
    }
    return false;
}

int
dpif_set_rxq_affinity(struct dpif *dpif, const char *port_name,
                      const char *text, char **errp)
{
    struct dp_sched *s = dpif->sched;
    struct pmd_sched_affinity aff;
    char *error = NULL;

    if (errp) {
        *errp = NULL;
    }
    if (!port_name) {
        if (errp) {
            *errp = xstrdup("pmd-rxq-affinity: no port name");
        }
        return EINVAL;
    }
    if (pmd_sched_affinity_parse(text, &aff, &error)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: port %s: %s", dpif->name, port_name, error);
        if (errp) {
            *errp = error;
        } else {
            free(error);
        }
        return EINVAL;
    }

    struct dp_affinity *a = dp_affinity_find(s, port_name);
    if (a ? affinity_equal(&a->aff, &aff) : !aff.n) {
        pmd_sched_affinity_destroy(&aff);
        return 0;               /* No change. */
    }
    if (!aff.n) {
        hmap_remove(&s->affinities, &a->node);
        pmd_sched_affinity_destroy(&a->aff);
        free(a->port);
        free(a);
    } else {
        if (!a) {
            a = xzalloc(sizeof *a);
            a->port = xstrdup(port_name);
            hmap_insert(&s->affinities, &a->node, hash_string(port_name, 0));
        }
        pmd_sched_affinity_destroy(&a->aff);
        a->aff = aff;
    }
    if (port_exists(dpif, port_name)) {
        char *why = xasprintf("pmd-rxq-affinity of %s changed", port_name);
        dp_sched_reschedule(dpif, why);
        free(why);
    }
    return 0;
}

void
dpif_set_pmd_auto_lb(struct dpif *dpif, const struct smap *oc)
{
    struct dp_sched *s = dpif->sched;
    bool enable = oc && smap_get_bool(oc, "pmd-auto-lb", false);
    unsigned int load = oc ? smap_get_uint(oc, "pmd-auto-lb-load-threshold",
                                           DP_ALB_LOAD_THRESHOLD)
                           : DP_ALB_LOAD_THRESHOLD;
    unsigned int impr = oc ? smap_get_uint(
        oc, "pmd-auto-lb-improvement-threshold",
        DP_ALB_IMPROVEMENT_THRESHOLD) : DP_ALB_IMPROVEMENT_THRESHOLD;
    unsigned int mins = oc ? smap_get_uint(oc, "pmd-auto-lb-rebal-interval",
                                           DP_ALB_INTERVAL_MIN)
                           : DP_ALB_INTERVAL_MIN;

    load = MIN(load, 100);
    impr = MIN(impr, 100);
    mins = mins ? MIN(mins, 20000) : DP_ALB_INTERVAL_MIN;
    if (enable == s->alb && load == s->alb_load_threshold
        && impr == s->alb_improvement_threshold
        && mins * 60000LL == s->alb_interval_ms) {
        return;
    }
    s->alb = enable;
    s->alb_load_threshold = load;
    s->alb_improvement_threshold = impr;
    s->alb_interval_ms = mins * 60000LL;
    s->alb_next_ms = time_msec() + s->alb_interval_ms;
    if (enable) {
        VLOG_INFO("PMD auto load balance is enabled, interval %u mins, pmd "
                  "load threshold %u%%, improvement threshold %u%%.",
                  mins, load, impr);
    } else {
        VLOG_INFO("PMD auto load balance is disabled.");
    }
}

void
dpif_pmd_rxq_rebalance(struct dpif *dpif)
{
    VLOG_INFO("%s: pmd rxq rebalance requested.", dpif->name);
    dp_sched_reschedule(dpif, "pmd-rxq-rebalance");
}

/* ------------------------------------------------------------------ */
/* Reports (dpif.h). */

static bool
core_selected(const struct pmd_thread *pmd, int core_id)
{
    return core_id == DPIF_PMD_ALL || pmd_thread_core_id(pmd) == core_id;
}

/* Counters of T since the last clear. */
static void
dp_thread_stats_since_clear(const struct dp_thread *t,
                            struct dp_thread_stats *s)
{
    const struct dp_thread_stats *b = &t->base;

    dp_thread_stats_get(&t->stats, s);
    s->packets -= b->packets;
    s->emc_hits -= b->emc_hits;
    s->megaflow_hits -= b->megaflow_hits;
    s->misses -= b->misses;
    s->lost -= b->lost;
    s->recirculations -= b->recirculations;
    s->output_batches -= b->output_batches;
    s->output_packets -= b->output_packets;
}

static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double) a / b : 0.0;
}

static double
percent(uint64_t a, uint64_t b)
{
    return b ? 100.0 * a / b : 0.0;
}

/* Open vSwitch's per-thread lines, from "packets received" to "avg.
 * packets per output batch". */
static void
dp_format_thread_stats(uint64_t received, const struct dp_thread_stats *s,
                       struct ds *ds)
{
    ds_put_format(ds, "  packets received: %"PRIu64"\n", received);
    ds_put_format(ds, "  packet recirculations: %"PRIu64"\n",
                  s->recirculations);
    ds_put_format(ds, "  avg. datapath passes per packet: %.02f\n",
                  ratio(received + s->recirculations, received));
    ds_put_format(ds, "  emc hits: %"PRIu64"\n", s->emc_hits);
    ds_put_format(ds, "  megaflow hits: %"PRIu64"\n", s->megaflow_hits);
    ds_put_format(ds, "  miss with success upcall: %"PRIu64"\n",
                  s->misses - MIN(s->lost, s->misses));
    ds_put_format(ds, "  miss with failed upcall: %"PRIu64"\n", s->lost);
    ds_put_format(ds, "  avg. packets per output batch: %.02f\n",
                  ratio(s->output_packets, s->output_batches));
}

void
dpif_format_pmd_stats_core(const struct dpif *dpif, int core_id,
                           struct ds *ds)
{
    struct dp_thread_stats s;

    for (size_t i = 0; i < pmd_set_n_pmds(dpif->pmds); i++) {
        const struct pmd_thread *pmd = pmd_set_get_pmd(dpif->pmds, i);
        struct pmd_stats ps;

        if (!core_selected(pmd, core_id)) {
            continue;
        }
        pmd_thread_get_stats(pmd, &ps);
        dp_thread_stats_since_clear(dp_thread_of(pmd), &s);
        pmd_thread_format_heading(pmd, ds);
        dp_format_thread_stats(ps.packets, &s, ds);
        pmd_thread_format_cycles(pmd, ds);
    }
    if (core_id == DPIF_PMD_ALL) {
        dp_thread_stats_since_clear(dpif->main_thread, &s);
        ds_put_cstr(ds, "main thread:\n");
        dp_format_thread_stats(s.packets, &s, ds);
    }
}

void
dpif_format_pmd_stats(const struct dpif *dpif, struct ds *ds)
{
    dpif_format_pmd_stats_core(dpif, DPIF_PMD_ALL, ds);
}

void
dpif_pmd_stats_clear(struct dpif *dpif, int core_id)
{
    for (size_t i = 0; i < pmd_set_n_pmds(dpif->pmds); i++) {
        struct pmd_thread *pmd = pmd_set_get_pmd(dpif->pmds, i);

        if (core_selected(pmd, core_id)) {
            struct dp_thread *t = dp_thread_of(pmd);

            pmd_thread_clear_stats(pmd);
            dp_thread_stats_get(&t->stats, &t->base);
        }
    }
    if (core_id == DPIF_PMD_ALL) {
        struct dp_thread *t = dpif->main_thread;
        dp_thread_stats_get(&t->stats, &t->base);
    }
}

/* One queue of a PMD in pmd-rxq-show order. */
struct dp_rxq_line {
    const char *port;
    int queue_id;
    uint64_t busy;
};

static int
compare_rxq_lines(const void *a_, const void *b_)
{
    const struct dp_rxq_line *a = a_, *b = b_;
    int cmp = strcmp(a->port, b->port);

    return cmp ? cmp : a->queue_id - b->queue_id;
}

void
dpif_format_pmd_rxqs(const struct dpif *dpif, int core_id, int secs,
                     struct ds *ds)
{
    const struct dp_sched *s = dpif->sched;
    int secs_per = DP_SCHED_INTERVAL_MS / 1000;
    int k = (secs <= 0 ? DP_SCHED_N_INTERVALS
             : MIN((secs + secs_per - 1) / secs_per, DP_SCHED_N_INTERVALS));
    uint64_t now_tsc = pmd_rdtsc();

    ds_put_format(ds, "Displaying last %d seconds pmd usage %%\n",
                  k * secs_per);
    for (size_t i = 0; i < pmd_set_n_pmds(dpif->pmds); i++) {
        const struct pmd_thread *pmd = pmd_set_get_pmd(dpif->pmds, i);
        const struct dp_thread *t = dp_thread_of(pmd);

        if (!core_selected(pmd, core_id)) {
            continue;
        }

        size_t n = pmd_thread_n_rxq(pmd);
        struct dp_rxq_line *lines = xcalloc(MAX(n, 1), sizeof *lines);
        uint64_t rxq_busy = 0;
        for (size_t j = 0; j < n; j++) {
            struct netdev_rxq *rxq = pmd_thread_get_rxq(pmd, j);
            const struct dp_port *port = NULL;
            int qid = netdev_rxq_get_queue_id(rxq);
            struct pmd_rxq_stats st;

            lines[j].port = netdev_get_name(netdev_rxq_get_netdev(rxq));
            lines[j].queue_id = qid;
            /* Find the queue's port for its history. */
            const struct dp_port_table *table = dpif->ports;
            for (size_t p = 0; p < table->n && !port; p++) {
                if (qid < table->ports[p]->n_rxq
                    && table->ports[p]->rxqs[qid] == rxq) {
                    port = table->ports[p];
                }
            }
            if (port && !pmd_thread_get_rxq_stats(pmd, rxq, &st)) {
                lines[j].busy = load_window(s, &port->rxq_loads[qid],
                                            st.busy_cycles, k);
            }
            rxq_busy += lines[j].busy;
        }
        qsort(lines, n, sizeof *lines, compare_rxq_lines);

        uint64_t total = pmd_window_cycles(s, t, k, now_tsc);
        pmd_thread_format_heading(pmd, ds);
        ds_put_format(ds, "  isolated : %s\n",
                      t->isolated ? "true" : "false");
        for (size_t j = 0; j < n; j++) {
            ds_put_format(ds, "  port: %-16s  queue-id: %2d (enabled)   "
                          "pmd usage: ", lines[j].port, lines[j].queue_id);
            if (total) {
                ds_put_format(ds, "%2"PRIu64" %%\n",
                              MIN(lines[j].busy * 100 / total, 100));
            } else {
                ds_put_cstr(ds, "NOT AVAIL\n");
            }
        }
        if (n) {
            uint64_t busy = load_window(s, &t->busy, pmd_busy_now(pmd), k);
            uint64_t overhead = busy > rxq_busy ? busy - rxq_busy : 0;

            ds_put_cstr(ds, "  overhead: ");
            if (total) {
                ds_put_format(ds, "%2"PRIu64" %%\n",
                              MIN(overhead * 100 / total, 100));
            } else {
                ds_put_cstr(ds, "NOT AVAIL\n");
            }
        }
        free(lines);
    }
}

static void
dp_format_perf(const struct pmd_thread *pmd, struct ds *ds)
{
    struct pmd_stats ps;
    struct dp_thread_stats s;
    double tsc_hz = pmd_tsc_hz();
    double us_per_cycle = 1e6 / tsc_hz;
    double duration = (time_msec() - pmd_thread_stats_start_msec(pmd))
                      / 1000.0;

    pmd_thread_get_stats(pmd, &ps);
    dp_thread_stats_since_clear(dp_thread_of(pmd), &s);

    char *time_str = xastrftime_msec("%H:%M:%S.###", time_wall_msec(),
                                     false);
    ds_put_cstr(ds, "\n");
    ds_put_format(ds, "Time: %s\n", time_str);
    ds_put_format(ds, "Measurement duration: %.3f s\n", duration);
    ds_put_cstr(ds, "\n");
    free(time_str);
    pmd_thread_format_heading(pmd, ds);
    ds_put_cstr(ds, "\n");
    /* Right after a clear the duration may be 0 ms: rates are then 0
     * (Open vSwitch prints nothing at all, which helps nobody). */
    double per_sec = duration > 0 ? 1.0 / duration : 0.0;

    uint64_t used = ps.busy_cycles + ps.idle_cycles;
    uint64_t idle_iter = ps.iterations - MIN(ps.busy_iterations,
                                             ps.iterations);
    uint64_t rx = ps.packets;
    uint64_t passes = rx + s.recirculations;

    ds_put_format(ds,
        "  Iterations:         %12"PRIu64"  (%.2f us/it)\n"
        "  - Used TSC cycles:  %12"PRIu64"  (%5.1f %% of total cycles)\n"
        "  - idle iterations:  %12"PRIu64"  (%5.1f %% of used cycles)\n"
        "  - busy iterations:  %12"PRIu64"  (%5.1f %% of used cycles)\n"
        "  - sleep iterations: %12"PRIu64"  (%5.1f %% of iterations)\n"
        "  Sleep time (us):    %12.0f  (%3.0f us/iteration avg.)\n",
        ps.iterations,
        ps.iterations ? (used + ps.sleep_cycles) * us_per_cycle
                        / ps.iterations : 0.0,
        used, 100.0 * used * per_sec / tsc_hz,
        idle_iter, percent(ps.idle_cycles, used),
        ps.busy_iterations, percent(ps.busy_cycles, used),
        ps.sleeps, percent(ps.sleeps, ps.iterations),
        ps.sleep_cycles * us_per_cycle,
        ps.sleeps ? ps.sleep_cycles * us_per_cycle / ps.sleeps : 0.0);
    if (rx) {
        ds_put_format(ds,
            "  Rx packets:         %12"PRIu64"  (%.0f Kpps, %.0f "
            "cycles/pkt)\n"
            "  Datapath passes:    %12"PRIu64"  (%.2f passes/pkt)\n"
            "  - EMC hits:         %12"PRIu64"  (%5.1f %%)\n"
            "  - Megaflow hits:    %12"PRIu64"  (%5.1f %%)\n"
            "  - Upcalls:          %12"PRIu64"  (%5.1f %%)\n"
            "  - Lost upcalls:     %12"PRIu64"  (%5.1f %%)\n",
            rx, rx * per_sec / 1000, ratio(ps.busy_cycles, rx),
            passes, ratio(passes, rx),
            s.emc_hits, percent(s.emc_hits, passes),
            s.megaflow_hits, percent(s.megaflow_hits, passes),
            s.misses, percent(s.misses, passes),
            s.lost, percent(s.lost, passes));
    } else {
        ds_put_format(ds, "  Rx packets:         %12d\n", 0);
    }
    if (s.output_packets) {
        ds_put_format(ds,
            "  Tx packets:         %12"PRIu64"  (%.0f Kpps)\n"
            "  Tx batches:         %12"PRIu64"  (%.2f pkts/batch)\n",
            s.output_packets, s.output_packets * per_sec / 1000,
            s.output_batches, ratio(s.output_packets, s.output_batches));
    } else {
        ds_put_format(ds, "  Tx packets:         %12d\n\n", 0);
    }
}

void
dpif_format_pmd_perf(const struct dpif *dpif, int core_id, struct ds *ds)
{
    for (size_t i = 0; i < pmd_set_n_pmds(dpif->pmds); i++) {
        const struct pmd_thread *pmd = pmd_set_get_pmd(dpif->pmds, i);

        if (core_selected(pmd, core_id)) {
            dp_format_perf(pmd, ds);
        }
    }
}
