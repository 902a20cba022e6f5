/*
 * dpif-netdev-private: the insides of the userspace datapath (dpif.h),
 * shared by its four files:
 *
 *   dpif-netdev.c          control: create/destroy, ports, PMD threads
 *                          and their per-thread state, configuration,
 *                          upcall registration, statistics, dpctl/show;
 *   dpif-netdev-pmd.c      rx queue to PMD scheduling (the decisions are
 *                          datapath/pmd-sched.c's), per-queue and
 *                          per-PMD load history, and the dpif-netdev/pmd-*
 *                          reports;
 *   dpif-netdev-packet.c   the packet path: lookup, upcalls, megaflow
 *                          install, action execution, per-port output;
 *   dpif-netdev-flow.c     flow table operations and their text.
 *
 * Shared state and who may touch it:
 *
 *   - The port table is an immutable array sorted by port number,
 *     published with RCU: the main thread builds a new one for every add
 *     or delete and PMD threads read it lock-free (dp_port_lookup()).  A
 *     deleted port is freed only after its rx queues left every PMD and
 *     a grace period passed, so a PMD that found a port in the table (or
 *     got it as its rx queue's aux, pmd_thread_rxq_aux()) may use it until
 *     it next quiesces.
 *
 *   - The megaflow cache (dpif->cls) is read lock-free by PMD threads
 *     (RCU) and written under 'flow_mutex' by the main thread (flow_put,
 *     del, flush) and by PMD threads installing upcall results.  The main
 *     thread is not necessarily an RCU reader, so everything it reads in
 *     the cache (lookups for dpif_execute() recirculation included) it
 *     reads under 'flow_mutex' too.
 *
 *   - The meter table (dpif->meters) does its own locking: PMD threads
 *     run meters lock-free to find them (RCU) and under each meter's
 *     mutex to update it; the main thread configures it.
 *
 *   - Each thread that runs the packet path has a struct dp_thread: every
 *     PMD (created and destroyed by the pmd_set hooks, in the main thread,
 *     while the PMD is not running) and the main thread (for
 *     dpif_execute()).  It holds the thread's exact-match cache, its
 *     transmit queue id, its pending output batches, scratch space for
 *     each recirculation depth and its counters.  Only its thread writes
 *     it; the counters are read by the main thread with relaxed atomics.
 *
 * Transmit queues.  netdev_send() wants each tx queue id used by one
 * thread at a time.  Every dp_thread has a distinct 'tx_qid' (the main
 * thread 0, PMDs the lowest free number from 1).  A port whose device has
 * more tx queues than the highest tx_qid in use sends on queue tx_qid
 * without a lock; otherwise ('dynamic_txqs', as Open vSwitch's XPS) a
 * thread sends on queue tx_qid % n_txq under that queue's mutex.  The
 * main thread switches a port to locking before a thread with a high
 * enough tx_qid can run (and waits a grace period so that no unlocked
 * send is still in progress), and back to lock-free once every thread's
 * tx_qid fits again (then no two threads share a queue).
 *
 * Rx queue scheduling (dpif-netdev-pmd.c, main thread only).  Every rx
 * queue of every port is on at most one PMD (none only when every PMD is
 * isolated by pmd-rxq-affinity pins, as in Open vSwitch).  The whole
 * assignment is recomputed with pmd_sched_assign() when a port is added,
 * the PMD set changes, the algorithm, isolation or an affinity changes,
 * or on request (pmd-rxq-rebalance, auto load balance); queues whose PMD
 * changes move with pmd_set_move_rxq(), which loses no packet.  Load is
 * measured in busy TSC cycles: every DP_SCHED_INTERVAL_MS dpif_run()
 * closes an interval, storing each queue's and each PMD's busy cycles in
 * it (a ring of DP_SCHED_N_INTERVALS); a queue's load is the sum of the
 * last DP_SCHED_RXQ_INTERVALS closed intervals plus the running one, so
 * a fresh datapath already has real numbers.
 */
#ifndef PLX_DPIF_NETDEV_PRIVATE_H
#define PLX_DPIF_NETDEV_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "datapath/dp-meter.h"
#include "datapath/dpcls.h"
#include "datapath/dpif.h"
#include "datapath/odp-actions.h"
#include "dp-packet.h"
#include "flow.h"
#include "miniflow.h"

struct emc;
struct netdev_rxq;
struct pmd_set;
struct pmd_thread;

#define DP_SCHED_INTERVAL_MS 5000     /* Length of a load interval. */
#define DP_SCHED_N_INTERVALS 12       /* Kept: 60 s for pmd-rxq-show. */
#define DP_SCHED_RXQ_INTERVALS 6      /* Used for scheduling: 30 s. */

/* Busy cycles of something (an rx queue, a PMD) per load interval.  Main
 * thread only. */
struct dp_load_hist {
    uint64_t hist[DP_SCHED_N_INTERVALS];
    uint64_t last;              /* Cumulative counter at the last close. */
};

struct dp_port {
    odp_port_t port_no;
    struct netdev *netdev;      /* One reference, dropped on delete. */
    char *type;                 /* Copy of the netdev's type. */
    struct netdev_rxq **rxqs;   /* Open rx queues, one per device queue. */
    int n_rxq;
    int n_txq;                  /* Device tx queues when added. */
    atomic_bool dynamic_txqs;   /* Lock txq_locks (see above). */
    pthread_mutex_t *txq_locks; /* One per tx queue. */
    struct dp_load_hist *rxq_loads;     /* n_rxq of them (main thread). */
};

/* Immutable once published. */
struct dp_port_table {
    size_t n;
    struct dp_port *ports[];    /* Ascending port_no. */
};

struct dp_upcall_hook {
    dpif_upcall_cb *cb;
    void *aux;
};

/* Per-thread counters: written by the owner with relaxed atomic stores,
 * read by the main thread with relaxed atomic loads. */
struct dp_thread_stats {
    uint64_t packets;           /* Packets that entered the packet path. */
    uint64_t emc_hits;
    uint64_t megaflow_hits;
    uint64_t misses;            /* Missed both caches. */
    uint64_t lost;              /* Misses dropped: no callback, error. */
    uint64_t recirculations;    /* Packets recirculated. */
    uint64_t output_batches;    /* netdev_send() calls. */
    uint64_t output_packets;
};

#define DP_STAT_ADD(FIELD, N) \
    __atomic_store_n(&(FIELD), (FIELD) + (N), __ATOMIC_RELAXED)
#define DP_STAT_GET(FIELD) __atomic_load_n(&(FIELD), __ATOMIC_RELAXED)

/* Packets of one rx batch going to one port. */
struct dp_output {
    struct dp_port *port;
    struct dp_packet_batch batch;
};
#define DP_MAX_OUTPUTS 16       /* Distinct ports per batch before flush. */

/* Packets of one batch that matched one megaflow. */
struct dp_flow_group {
    struct dp_flow *flow;
    struct dp_packet_batch batch;
    uint32_t n_bytes;
    uint16_t tcp_flags;
};

/* Scratch space for one pass of a batch through the lookup (one per
 * recirculation depth, since a recirculation starts a nested pass). */
struct dp_pass {
    struct flow keys[NETDEV_MAX_BURST];
    struct miniflow_buf mkeys[NETDEV_MAX_BURST];
    struct dp_flow_group groups[NETDEV_MAX_BURST];
};

struct dp_thread {
    struct dpif *dpif;
    struct pmd_thread *pmd;     /* NULL for the main thread. */
    struct emc *emc;            /* NULL for the main thread. */
    uint32_t emc_inv_prob;      /* What 'emc' is set to. */
    int tx_qid;
    long long int now;          /* time_msec() for this batch. */

    struct dp_output outputs[DP_MAX_OUTPUTS];
    size_t n_outputs;
    struct dp_pass *passes;     /* DPIF_MAX_RECIRC + 1 of them. */
    struct odp_buf upcall_actions;

    struct dp_thread_stats stats;

    /* Main thread only. */
    struct dp_thread_stats base;        /* 'stats' at pmd-stats-clear. */
    struct dp_load_hist busy;           /* PMDs: busy cycles history. */
    uint64_t created_tsc;               /* pmd_rdtsc() at creation. */
    bool isolated;                      /* PMDs: by the last assignment. */
};

struct dpif {
    char *name;
    struct pmd_set *pmds;
    struct dp_thread *main_thread;

    /* Main thread only. */
    struct dp_thread **threads;         /* PMD threads' state. */
    size_t n_threads, allocated_threads;
    struct dp_thread_stats gone_stats;  /* Of destroyed PMD threads. */

    struct dp_port_table *ports;        /* RCU. */
    struct dp_upcall_hook *upcall;      /* RCU; NULL if none. */
    atomic_uint emc_inv_prob;

    pthread_mutex_t flow_mutex;         /* Serializes writers of 'cls'. */
    struct dpcls cls;

    struct dp_meter_table *meters;      /* Thread-safe (dp-meter.h). */
    struct conntrack *conntrack;        /* Thread-safe (conntrack.h). */
    struct ipf *ipf;                    /* Thread-safe (ipf.h). */
    long long ct_next_run;              /* Main thread: conntrack_run(). */

    struct dp_sched *sched;             /* dpif-netdev-pmd.c; main thread. */
};

/* dpif-netdev.c. */
struct dp_port *dp_port_lookup(const struct dpif *, odp_port_t);
void dp_thread_stats_get(const struct dp_thread_stats *,
                         struct dp_thread_stats *);

/* dpif-netdev-pmd.c (main thread). */
struct dp_sched *dp_sched_create(void);
void dp_sched_destroy(struct dp_sched *);
void dp_sched_port_added(struct dpif *, struct dp_port *);
void dp_sched_port_free(struct dp_port *);
void dp_sched_reschedule(struct dpif *, const char *why);
void dp_sched_run(struct dpif *);
void dp_sched_wait(struct dpif *);

/* dpif-netdev-packet.c. */
void dp_netdev_process_rxq(void *dpif, struct pmd_thread *,
                           struct netdev_rxq *, struct dp_packet_batch *);
void dp_thread_receive(struct dp_thread *, odp_port_t in_port,
                       struct dp_packet_batch *);
void dp_thread_execute(struct dp_thread *, struct dp_packet_batch *,
                       const void *actions, size_t actions_len);
void dp_thread_flush_outputs(struct dp_thread *);

#endif /* dpif-netdev-private.h */
