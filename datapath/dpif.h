/*
 * dpif: the seam between ofproto/ (OpenFlow, translation) and datapath/
 * (the fast path), as in Open vSwitch's lib/dpif.h.  See DESIGN.md, "The
 * packet path".
 *
 * A dpif is one userspace datapath ("netdev@plx-netdev"): a set of ports,
 * the PMD threads that poll them, and the flow caches those threads look
 * packets up in.  All of a plx-vswitchd's bridges share one dpif, as all
 * of an Open vSwitch's netdev bridges share "ovs-netdev"; a bridge knows
 * its packets by their datapath input port.  OpenFlow never reaches this
 * layer, and datapath actions (datapath/odp-actions.h) never leave it
 * except through this interface.
 *
 * Ports.  A datapath port is a netdev (datapath/netdev.h) with a number
 * (odp_port_t).  dpif_port_add() takes a reference to the netdev, opens
 * all of its rx queues and gives them to the PMD threads; from then on
 * every packet received on it carries md.in_port = that number.
 * dpif_port_del() returns only once no PMD thread can touch the port
 * (its queues are removed from the threads, an RCU grace period passes),
 * so the caller may then close the netdev.  Adding or deleting a port
 * never stops the traffic of the others.  Port 0 is never used for a
 * device (it is reserved, like OVS's "ovs-netdev" port), so 0 is free to
 * mean "none" in callers.
 *
 * Packet path (dpif-netdev.c).  A PMD thread receives a batch from a
 * queue, extracts each packet's key as a miniflow, looks it up in its
 * exact-match cache (datapath/emc.h), then in the megaflow cache
 * (datapath/dpcls.h) shared by all threads, and on a miss in both makes
 * an upcall (below).  Packets that matched the same flow within a batch
 * are executed together; flow statistics are updated once per batch.
 * Actions (datapath/odp-execute.h) run in the PMD thread; output to a
 * port is batched per port and sent at the end of the receive batch.
 * Recirculation re-runs the lookup with md.recirc_id set, at most
 * DPIF_MAX_RECIRC deep.  A userspace action makes a DPIF_UC_ACTION
 * upcall with a copy of the packet.
 *
 * Upcalls.  On a miss the PMD thread itself calls the registered
 * dpif_upcall_cb (as dpif-netdev does, no handler threads), with the
 * packet's extracted flow.  The callback translates it and fills in
 * datapath actions and the wildcards its decision depended on.  If it
 * returns 0 the datapath installs the megaflow (flow masked by the
 * wildcards → actions) unless an identical or overlapping one got in
 * first (another thread, same miss), then executes the actions on the
 * packet.  If it returns an error the packet is dropped and nothing is
 * installed.  Without a registered callback misses are dropped.  The
 * callback runs concurrently in several PMD threads: it must do its own
 * locking.  At most DPIF_MAX_FLOWS megaflows exist at a time; past that
 * a miss still executes the callback's actions but installs nothing.
 *
 * Flow table operations (main thread).  dpif_flow_put/del/get and the
 * dump identify a megaflow by its match (the masked key and the mask,
 * normalized with match_normalize()), as ovs-dpctl does.  A put with
 * DPIF_FP_MODIFY replaces the actions of the existing flow atomically for
 * the packet path: the old dp_flow is marked dead and a new one inserted,
 * and no packet is processed by neither.  Statistics are those of
 * datapath/dp-flow.h.  Changes are visible to the next packet any PMD
 * thread looks up after the call returns (dpif_flow_put() returns after
 * the insertion is published), and exact-match cache entries never
 * outlive a deleted or modified flow.
 *
 * Threads.  Every function here is for one "main" thread, except the
 * upcall callback, which runs in PMD threads.  The datapath creates its
 * PMD threads on dpif_create() (one, unpinned, until
 * dpif_set_pmd_cpu_mask() says otherwise) and they sleep while idle
 * (datapath/pmd.h), so an idle switch costs no CPU.
 *
 * Errors are positive errno values; names and messages are logged with
 * vlog, rate-limited where traffic can trigger them.
 */
#ifndef PLX_DPIF_H
#define PLX_DPIF_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-flow.h"
#include "datapath/dp-meter.h"
#include "flow.h"
#include "match.h"

struct dp_packet;
struct dp_packet_batch;
struct ds;
struct netdev;
struct odp_buf;
struct smap;

typedef uint32_t odp_port_t;
#define ODPP_NONE UINT32_MAX            /* "Allocate one" / no port. */
#define ODPP_RESERVED 0                 /* Never a device's number. */

#define DPIF_MAX_FLOWS 200000           /* Megaflows at a time. */
#define DPIF_MAX_RECIRC 6               /* Recirculation depth. */

struct dpif;

/* Creates the datapath NAME (e.g. "plx-netdev") with one idle PMD
 * thread.  Returns 0 or an errno value. */
int dpif_create(const char *name, struct dpif **dpifp);
/* Deletes every port and flow, stops the threads, frees DPIF. */
void dpif_destroy(struct dpif *);
const char *dpif_name(const struct dpif *);

/* Main loop: periodic work (per-thread cache sweeps, port change
 * checks); cheap when there is nothing to do. */
void dpif_run(struct dpif *);
void dpif_wait(struct dpif *);

/* ------------------------------------------------------------------ */
/* Ports. */

struct dpif_port {
    char *name;                 /* Owned. */
    char *type;                 /* Owned: the netdev's type. */
    odp_port_t port_no;
};

void dpif_port_destroy(struct dpif_port *);

/* Adds NETDEV as a port.  If *PORT_NOP is ODPP_NONE a free number is
 * chosen, otherwise that number is requested (EBUSY if taken, EINVAL if
 * ODPP_RESERVED).  Stores the number in *PORT_NOP.  EEXIST if a port of
 * that name exists.  Returns 0 or an errno value (e.g. from opening the
 * rx queues); on error nothing changed. */
int dpif_port_add(struct dpif *, struct netdev *, odp_port_t *port_nop);
/* Deletes port PORT_NO (ENOENT if none); see "Ports" above. */
int dpif_port_del(struct dpif *, odp_port_t port_no);
/* Fills *PORT (which the caller then destroys) or returns ENOENT. */
int dpif_port_query_by_number(const struct dpif *, odp_port_t,
                              struct dpif_port *);
int dpif_port_query_by_name(const struct dpif *, const char *name,
                            struct dpif_port *);
/* The netdev of port PORT_NO (no new reference), or NULL. */
struct netdev *dpif_port_get_netdev(const struct dpif *, odp_port_t);
/* Every port, ascending by number, in a malloc'd array of *N_PORTS
 * elements that the caller frees with dpif_port_dump_free(). */
void dpif_port_dump(const struct dpif *, struct dpif_port **portsp,
                    size_t *n_portsp);
void dpif_port_dump_free(struct dpif_port *, size_t n_ports);

/* ------------------------------------------------------------------ */
/* Configuration. */

/* other_config:pmd-cpu-mask; NULL or "" for one unpinned thread.  Queues
 * move to the new threads without loss.  Returns 0 or EINVAL/ERANGE. */
int dpif_set_pmd_cpu_mask(struct dpif *, const char *mask);
/* other_config:emc-insert-inv-prob (0 disables the exact-match cache). */
void dpif_set_emc_insert_inv_prob(struct dpif *, uint32_t inv_prob);

/* Rx queue to PMD thread assignment, as Open vSwitch 3.1 (algorithms in
 * datapath/pmd-sched.h).  The assignment of every queue is recomputed
 * when a port is added, the PMD set changes (dpif_set_pmd_cpu_mask()),
 * any setting below actually changes (setting the same value again does
 * nothing), and on dpif_pmd_rxq_rebalance(); queues that change PMD move
 * without losing packets.  'cycles' and 'group' order queues by their
 * busy TSC cycles over the last 30 s (six 5 s intervals plus the running
 * one).  Everything is logged (module dpif_netdev) as ovs-vswitchd does:
 * "Performing pmd to rx queue assignment using cycles algorithm." and a
 * line per queue. */

/* other_config:pmd-rxq-assign: "roundrobin", "cycles" or "group"; NULL
 * means the default, "cycles".  Returns 0, or EINVAL (logged) for any
 * other value, keeping the current algorithm. */
int dpif_set_pmd_rxq_assign(struct dpif *, const char *algo);
/* other_config:pmd-rxq-isolate (default true): whether a PMD that has a
 * pinned queue (dpif_set_rxq_affinity()) is kept free of unpinned ones.
 * As in Open vSwitch, false is honoured only with the "group" algorithm
 * (otherwise a warning is logged and PMDs stay isolated). */
void dpif_set_pmd_rxq_isolate(struct dpif *, bool isolate);
/* Interface other_config:pmd-rxq-affinity of port PORT_NAME:
 * "QUEUE:CORE[,QUEUE:CORE]..." pins rx queue QUEUE to the PMD on core
 * CORE.  NULL or "" clears it.  Stored by name, so it may be set before
 * the port exists and applies to a port of that name added later; the
 * caller clears it (NULL) when the interface goes away.  A pin to a core
 * without a PMD is logged and that queue assigned as if unpinned; pins
 * to queues the port does not have are ignored.  Returns 0, or EINVAL
 * for malformed text, with a malloc'd message in *ERRP (if ERRP is
 * nonnull; NULL on success) and the previous affinity kept. */
int dpif_set_rxq_affinity(struct dpif *, const char *port_name,
                          const char *affinity, char **errp);
/* Open_vSwitch other_config keys of automatic rebalancing, as Open
 * vSwitch 3.1's: pmd-auto-lb (bool, default false),
 * pmd-auto-lb-load-threshold (percent busy, default 95),
 * pmd-auto-lb-improvement-threshold (percent, default 25) and
 * pmd-auto-lb-rebal-interval (minutes, default 1; 0 means 1).  When
 * enabled, a non-isolated PMD that was busier than the load threshold
 * in each of the last six 5 s intervals triggers, at most once per
 * rebalance interval, a dry run of the current algorithm (not
 * roundrobin, which has nothing to improve); if it lowers the variance
 * of the PMDs' loads by at least the improvement threshold, the queues
 * are reassigned.  Needs at least two non-isolated PMDs and two queues.
 * OTHER_CONFIG may be NULL (everything default: disabled). */
void dpif_set_pmd_auto_lb(struct dpif *, const struct smap *other_config);
/* `dpif-netdev/pmd-rxq-rebalance`: recomputes the assignment now. */
void dpif_pmd_rxq_rebalance(struct dpif *);

/* ------------------------------------------------------------------ */
/* Flows. */

enum dpif_flow_put_flags {
    DPIF_FP_CREATE = 1 << 0,    /* May create a new flow. */
    DPIF_FP_MODIFY = 1 << 1,    /* May change an existing flow's actions. */
    DPIF_FP_ZERO_STATS = 1 << 2 /* Zero the statistics of a modified flow. */
};

struct dpif_flow {
    struct match match;         /* Masked key and mask, normalized. */
    void *actions;              /* Owned copy, 4-byte aligned. */
    size_t actions_len;
    struct dp_flow_stats stats;
};

/* Installs or changes the megaflow MATCH → ACTIONS.  Without
 * DPIF_FP_MODIFY an existing flow with MATCH fails with EEXIST; without
 * DPIF_FP_CREATE a missing one fails with ENOENT.  EINVAL for invalid
 * actions (odp_actions_check()), EFBIG past DPIF_MAX_FLOWS.  If STATS is
 * nonnull it receives the replaced flow's statistics (zero if none). */
int dpif_flow_put(struct dpif *, enum dpif_flow_put_flags,
                  const struct match *, const void *actions,
                  size_t actions_len, struct dp_flow_stats *stats);
/* Deletes the megaflow MATCH (ENOENT if none), storing its final
 * statistics in *STATS if nonnull. */
int dpif_flow_del(struct dpif *, const struct match *,
                  struct dp_flow_stats *stats);
/* Fills *FLOW (caller frees with dpif_flow_uninit()) or ENOENT. */
int dpif_flow_get(const struct dpif *, const struct match *,
                  struct dpif_flow *flow);
/* Deletes every megaflow. */
void dpif_flow_flush(struct dpif *);
size_t dpif_flow_count(const struct dpif *);
/* A snapshot of every megaflow, in a malloc'd array the caller frees
 * with dpif_flow_dump_free(). */
void dpif_flow_dump(const struct dpif *, struct dpif_flow **flowsp,
                    size_t *n_flowsp);
void dpif_flow_uninit(struct dpif_flow *);
void dpif_flow_dump_free(struct dpif_flow *, size_t n_flows);

/* Appends FLOW as ovs-appctl dpctl/dump-flows prints it:
 *   recirc_id(0),in_port(2),eth(src=..,dst=..),eth_type(0x0800),...,
 *       packets:3, bytes:294, used:0.512s, actions:1
 * Only unwildcarded fields are shown, with "/MASK" where partly masked;
 * ports by number, or by name if DPIF is nonnull. */
void dpif_flow_format(const struct dpif *, const struct dpif_flow *,
                      struct ds *);

/* ------------------------------------------------------------------ */
/* Executing actions on one packet (OpenFlow packet-out, tests). */

/* Runs ACTIONS on PACKET (taking ownership of it), whose md.in_port says
 * where it came from (ODPP_NONE: nowhere), in the calling thread.
 * Output goes through the same per-port transmit path as the PMDs'.
 * Returns 0 or EINVAL for invalid actions. */
int dpif_execute(struct dpif *, struct dp_packet *, const void *actions,
                 size_t actions_len);

/* Runs BATCH (taking ownership of its packets) through the whole packet
 * path, caches, upcalls and actions included, in the calling thread, as
 * if received on IN_PORT.  For tests and benchmarks that measure the
 * datapath without a device; like OVS's netdev-dummy/receive. */
void dpif_receive(struct dpif *, odp_port_t in_port,
                  struct dp_packet_batch *batch);

/* ------------------------------------------------------------------ */
/* Meters (datapath/dp-meter.h), for OpenFlow meters.  A datapath flow
 * applies meter ID with the action meter(ID) (ODP_ACTION_METER); packets
 * run through a meter that does not exist pass.  Main thread; changes
 * govern the next batch any thread runs. */

/* Creates or replaces meter METER_ID (0 .. DP_METER_MAX - 1).  Returns 0
 * or an errno value as dp-meter.h lists (EFBIG, EBADF, EINVAL, ENODEV,
 * EDOM); on error nothing changed. */
int dpif_meter_set(struct dpif *, uint32_t meter_id,
                   const struct dp_meter_config *);
/* Fills *STATS or returns ENOENT. */
int dpif_meter_get_stats(const struct dpif *, uint32_t meter_id,
                         struct dp_meter_stats *stats);
/* Deletes meter METER_ID (ENOENT if none), storing its final statistics
 * in *STATS if nonnull. */
int dpif_meter_del(struct dpif *, uint32_t meter_id,
                   struct dp_meter_stats *stats);
void dpif_meter_get_features(const struct dpif *,
                             struct dp_meter_features *);

/* ------------------------------------------------------------------ */
/* Connection tracking.  The datapath's conntrack (datapath/conntrack.h)
 * and fragment reassembly (datapath/ipf.h), which the ct action uses;
 * dpif_run() expires their entries.  Their own functions are
 * thread-safe as their headers say. */
struct conntrack;
struct ipf;
struct conntrack *dpif_conntrack(const struct dpif *);
struct ipf *dpif_ipf(const struct dpif *);

/* ------------------------------------------------------------------ */
/* Upcalls. */

enum dpif_upcall_type {
    DPIF_UC_MISS,               /* Missed every cache. */
    DPIF_UC_ACTION              /* A userspace action. */
};

struct dpif_upcall {
    enum dpif_upcall_type type;
    const struct dp_packet *packet;     /* Valid during the call only. */
    const struct flow *flow;            /* Its key (in_port, recirc_id). */
    uint32_t pid;                       /* DPIF_UC_ACTION: the action's. */
    const void *userdata;               /* DPIF_UC_ACTION: or NULL. */
    size_t userdata_len;
};

/* For DPIF_UC_MISS: appends datapath actions to ACTIONS and narrows WC
 * (initialized to "everything wildcarded" except what the datapath
 * itself must match: in_port, recirc_id and dl_type) to the fields the
 * actions depend on; returns 0 to install and execute, or an errno value
 * to drop.  For DPIF_UC_ACTION: ACTIONS and WC are NULL and the return
 * value is ignored; the callback copies what it keeps.  Runs in PMD
 * threads, concurrently. */
typedef int dpif_upcall_cb(const struct dpif_upcall *,
                           struct odp_buf *actions,
                           struct flow_wildcards *wc, void *aux);

/* Registers CB (NULL to unregister).  Returns once no PMD thread can
 * still be running the previous callback. */
void dpif_register_upcall_cb(struct dpif *, dpif_upcall_cb *cb, void *aux);

/* ------------------------------------------------------------------ */
/* Statistics and reports. */

struct dpif_stats {
    uint64_t n_hit;             /* Exact-match or megaflow cache hits. */
    uint64_t n_missed;          /* Upcalls made. */
    uint64_t n_lost;            /* Misses dropped (no callback, error). */
    uint64_t n_flows;
    uint64_t n_emc_hit;
    uint64_t n_megaflow_hit;
};

void dpif_get_stats(const struct dpif *, struct dpif_stats *);

/* `dpctl/show`: the datapath, its lookup statistics and its ports:
 *   netdev@plx-netdev:
 *     lookups: hit:12 missed:3 lost:0
 *     flows: 2
 *     port 1: br0 (internal)
 *     port 2: p1 (system)
 * With VERBOSE, each port's netdev statistics follow it. */
void dpif_format_show(const struct dpif *, bool verbose, struct ds *);
/* The dpif-netdev/pmd-* reports below cover every PMD with
 * DPIF_PMD_ALL, or only the PMD on core CORE_ID (`-pmd CORE`; -1 is the
 * unpinned PMD); nothing is printed for a core that has no PMD. */
#define DPIF_PMD_ALL INT_MIN

/* `dpif-netdev/pmd-stats-show` as Open vSwitch 3.1 prints it, for every
 * PMD and then the main thread:
 *   pmd thread numa_id 0 core_id 1:
 *     packets received: 4
 *     packet recirculations: 0
 *     avg. datapath passes per packet: 1.00
 *     emc hits: 2
 *     megaflow hits: 1
 *     miss with success upcall: 0
 *     miss with failed upcall: 1
 *     avg. packets per output batch: 1.00
 *     idle cycles: 5329394 (98.80%)
 *     processing cycles: 64655 (1.20%)
 *     avg cycles per packet: 1348512.25 (5394049/4)
 *     avg processing cycles per packet: 16163.75 (64655/4)
 * followed by Plexus's "iterations", "sleeps", "idle time", "processing
 * time" and "avg. processing time per packet" lines (datapath/pmd.h).
 * Counts run from the last dpif_pmd_stats_clear().  An unpinned PMD's
 * heading is "pmd thread (unpinned):". */
void dpif_format_pmd_stats(const struct dpif *, struct ds *);
void dpif_format_pmd_stats_core(const struct dpif *, int core_id,
                                struct ds *);
/* `dpif-netdev/pmd-stats-clear`: restarts the counters of
 * pmd-stats-show and pmd-perf-show (not the datapath's or the rx
 * queues' load history). */
void dpif_pmd_stats_clear(struct dpif *, int core_id);
/* `dpif-netdev/pmd-rxq-show [-secs SECS]`: which queues each PMD polls
 * and what share of its cycles each took over the last SECS seconds
 * (rounded up to whole 5 s intervals, 5..60; 0 means 60):
 *   Displaying last 60 seconds pmd usage %
 *   pmd thread numa_id 0 core_id 1:
 *     isolated : false
 *     port: p1                queue-id:  0 (enabled)   pmd usage: 12 %
 *     overhead:  1 %
 */
void dpif_format_pmd_rxqs(const struct dpif *, int core_id, int secs,
                          struct ds *);
/* `dpif-netdev/pmd-perf-show`: Open vSwitch's overall performance
 * metrics per PMD since the last clear ("Time:", "Measurement
 * duration:", iterations, used TSC cycles, Rx packets with Kpps and
 * cycles/pkt, datapath passes, cache hits, upcalls, Tx packets and
 * batches). */
void dpif_format_pmd_perf(const struct dpif *, int core_id, struct ds *);

#endif /* dpif.h */
