/*
 * pmd: poll-mode-driver threads, which run the datapath's fast path.
 *
 * A struct pmd_thread is one thread, pinned to one core when it has one,
 * that polls a list of rx queues (struct netdev_rxq) it alone owns: for
 * each queue it receives a batch with netdev_rxq_recv() and hands it to
 * the 'process' callback the datapath gave it, which owns the packets
 * from then on.  A struct pmd_set is the group of PMD threads named by a
 * CPU mask (other_config:pmd-cpu-mask), with round-robin assignment of
 * rx queues to threads, or placement on a chosen thread
 * (pmd_set_add_rxq_on(), pmd_set_move_rxq()) for a caller that decides
 * itself, as the datapath does with datapath/pmd-sched.h.
 *
 * RCU.  Each PMD thread is an RCU reader (lib/rcu.h): it registers when
 * it starts, calls rcu_quiesce() once per loop iteration, is offline
 * while blocked in poll_block(), and unregisters before it exits.  The
 * callback may therefore read RCU-protected datapath state (flow tables)
 * as long as it keeps no pointer across calls.
 *
 * Reconfiguration without stopping traffic.  A PMD's rx queue list is an
 * immutable array published through RCU.  The main thread changes it by
 * building a new array, publishing it with rcu_set(), postponing the free
 * of the old one, and setting the PMD's 'reload' latch so that a PMD
 * asleep in poll() wakes and picks up the new list at once.  Other queues
 * (on this and other PMDs) keep being polled throughout.  Removing a
 * queue additionally waits for a grace period (rcu_synchronize()) before
 * returning, so that when pmd_thread_remove_rxq() returns the PMD can no
 * longer be inside netdev_rxq_recv() on it: the caller may then close the
 * queue or give it to another PMD.  Packets still queued in the device
 * meanwhile stay there and are received by the new owner, so moving a
 * queue loses none.  The per-queue counters move with the queue.
 *
 * Adaptive sleep.  An idle PMD must not burn a core.  After
 * PMD_SPIN_ITERATIONS consecutive iterations that received nothing, or
 * PMD_SPIN_NS nanoseconds without a packet if that comes first (so that
 * a trickle of traffic, a packet every few tens of microseconds, does
 * not keep the PMD spinning between packets), the PMD stops spinning
 * and blocks in poll_block() on every queue's
 * netdev_rxq_wait(), its reload and exit latches, and, only if one of
 * its queues' providers cannot wake a poll (netdev_rxq_wait() returns
 * false, as for a polled-only DPDK port), a timer of PMD_MAX_SLEEP_MS.
 * poll_block() takes it RCU-offline while it sleeps.  Once asleep it
 * polls its queues once per wakeup and sleeps again, until a packet
 * arrives: that resets the count, so under load the PMD makes no system
 * call of its own and a burst after idleness costs one wakeup.
 *
 * Busy PMDs skip empty queues.  While a PMD is receiving packets, a
 * queue that was empty is skipped for 1, 2, 4... up to 32 iterations
 * (reset when it yields packets), so that idle queues whose polling
 * costs a system call (a tap's read()) do not tax the busy ones; an idle
 * PMD polls every queue every time.
 *
 * Statistics.  Each PMD counts, with relaxed atomics written only by
 * itself, its iterations, received packets and batches, the time spent in
 * iterations that received packets ("processing") and those that did not
 * ("idle", sleeping included), and per queue the packets and processing
 * time.  The same times are also counted in TSC cycles (pmd_rdtsc(): the
 * x86 time-stamp counter, invariant on the machines we run on), as Open
 * vSwitch does, so that reports can say cycles per packet: busy cycles
 * (iterations with packets), idle cycles (empty iterations, not asleep)
 * and sleep cycles (blocked in poll_block()) separately.  Any thread may
 * read them; pmd_set_format_stats() renders them like Open vSwitch's
 * `dpif-netdev/pmd-stats-show`.  pmd_thread_clear_stats() (main thread)
 * makes pmd_thread_get_stats() count from zero again without writing
 * the PMD's counters (it keeps a baseline); per-queue counters and
 * pmd_thread_get_total_stats() are never cleared, since rx queue
 * scheduling measures load from them.
 *
 * Per-thread and per-queue state of the caller.  A datapath keeps state
 * that belongs to one PMD (its exact-match cache, its transmit queue id,
 * its counters) and state that belongs to one rx queue (the port it
 * reads).  struct pmd_thread_hooks lets it create the former for every
 * PMD a set creates, in the main thread before the PMD runs, and destroy
 * it after the PMD has exited (pmd_thread_get_aux() reaches it); and
 * pmd_set_add_rxq_with_aux() attaches a pointer to a queue that moves
 * with the queue and that the callback reads with pmd_thread_rxq_aux().
 *
 * Threads.  Every function here is for the main thread only, except
 * pmd_thread_get_stats(), pmd_thread_core_id(), pmd_thread_get_cpu_nsec(),
 * pmd_thread_get_aux() and the callback's own use of its struct
 * pmd_thread (pmd_thread_rxq_aux()).
 */
#ifndef PLX_PMD_H
#define PLX_PMD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "timeval.h"

struct dp_packet_batch;
struct ds;
struct netdev_rxq;
struct pmd_thread;

#define PMD_SPIN_ITERATIONS 1024   /* Empty iterations before sleeping. */
#define PMD_SPIN_NS 30000          /* Or time without a packet. */
#define PMD_MAX_SLEEP_MS 1         /* Sleep when a queue cannot wake us. */
#define PMD_MAX_CORES 1024         /* Highest core id + 1 in a CPU mask. */

/* Called in PMD thread PMD with a nonempty BATCH received from RXQ; the
 * callback owns the packets and must free or send them all. */
typedef void pmd_process_func(void *aux, struct pmd_thread *pmd,
                              struct netdev_rxq *rxq,
                              struct dp_packet_batch *batch);

struct pmd_stats {
    uint64_t iterations;        /* Loop iterations. */
    uint64_t busy_iterations;   /* Iterations that received packets. */
    uint64_t packets;           /* Packets received and processed. */
    uint64_t batches;           /* Nonempty batches received. */
    uint64_t busy_ns;           /* Time in iterations with packets. */
    uint64_t idle_ns;           /* Time in empty iterations and sleeping. */
    uint64_t sleeps;            /* Times the thread blocked in poll(). */
    uint64_t busy_cycles;       /* TSC cycles in iterations with packets. */
    uint64_t idle_cycles;       /* In empty iterations, not sleeping. */
    uint64_t sleep_cycles;      /* Blocked in poll(). */
};

struct pmd_rxq_stats {
    uint64_t packets;
    uint64_t busy_ns;           /* Receive plus callback time. */
    uint64_t busy_cycles;       /* The same in TSC cycles. */
};

/* The time-stamp counter (nanoseconds where there is none). */
static inline uint64_t
pmd_rdtsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return time_nsec();
#endif
}

/* pmd_rdtsc() ticks per second, measured once (the first call sleeps
 * about 20 ms). */
uint64_t pmd_tsc_hz(void);

/* Optional per-thread state (see "Per-thread and per-queue state").
 * Both run in the main thread: 'create' inside pmd_thread_create(), before
 * the new thread runs, returning its thread aux; 'destroy' inside
 * pmd_thread_destroy(), after the thread has exited. */
struct pmd_thread_hooks {
    void *(*create)(void *aux, struct pmd_thread *);
    void (*destroy)(void *aux, struct pmd_thread *, void *thread_aux);
    /* In the PMD thread, each time it is about to sleep: housekeeping
     * that must not wait for traffic.  Returns the longest it may then
     * sleep, in ms, before being called again, or -1 for no limit.  May
     * be NULL. */
    long long int (*idle)(void *aux, struct pmd_thread *, void *thread_aux);
};

/* One thread.  CORE_ID >= 0 pins it to that core (failure is logged, not
 * fatal); -1 leaves it unpinned. */
struct pmd_thread *pmd_thread_create(int core_id, pmd_process_func *,
                                     void *aux);
/* The same, calling HOOKS (if nonnull; it must outlive the thread). */
struct pmd_thread *pmd_thread_create_with_hooks(
    int core_id, pmd_process_func *, const struct pmd_thread_hooks *,
    void *aux);
/* What the 'create' hook returned, or NULL. */
void *pmd_thread_get_aux(const struct pmd_thread *);
/* In the process callback only: the aux given with the queue whose batch
 * is being processed (NULL if none was). */
void *pmd_thread_rxq_aux(const struct pmd_thread *);
/* Stops the thread (exit latch), joins it and frees it.  Its rx queues
 * are not closed: they belong to the caller. */
void pmd_thread_destroy(struct pmd_thread *);

int pmd_thread_core_id(const struct pmd_thread *);
/* Returns 0, EEXIST if RXQ is already polled by PMD. */
int pmd_thread_add_rxq(struct pmd_thread *, struct netdev_rxq *);
/* Returns 0 once PMD no longer polls RXQ; ENOENT if it did not. */
int pmd_thread_remove_rxq(struct pmd_thread *, struct netdev_rxq *);
bool pmd_thread_has_rxq(const struct pmd_thread *, const struct netdev_rxq *);
size_t pmd_thread_n_rxq(const struct pmd_thread *);
/* Main thread: the IDX'th queue PMD polls (0 <= IDX < n_rxq), or NULL. */
struct netdev_rxq *pmd_thread_get_rxq(const struct pmd_thread *, size_t idx);
/* Counters since the last pmd_thread_clear_stats() (or creation). */
void pmd_thread_get_stats(const struct pmd_thread *, struct pmd_stats *);
/* Counters since creation, never cleared. */
void pmd_thread_get_total_stats(const struct pmd_thread *,
                                struct pmd_stats *);
/* Main thread: restarts pmd_thread_get_stats() from zero, now. */
void pmd_thread_clear_stats(struct pmd_thread *);
/* time_msec() of the last clear (or of creation). */
long long int pmd_thread_stats_start_msec(const struct pmd_thread *);
/* Stats of RXQ on PMD; ENOENT if PMD does not poll it. */
int pmd_thread_get_rxq_stats(const struct pmd_thread *,
                             const struct netdev_rxq *,
                             struct pmd_rxq_stats *);
/* CPU time the thread has consumed, in ns, or -1 if unknown. */
long long int pmd_thread_get_cpu_nsec(const struct pmd_thread *);

/* Parses a CPU mask: hexadecimal with optional "0x", e.g. "0x6" for cores
 * 1 and 2.  Stores up to MAX core ids, ascending, in CORES and their
 * number in *N_CORES.  Returns 0, or EINVAL (malformed, or no bit set),
 * or ERANGE (a core id >= PMD_MAX_CORES or more than MAX cores). */
int pmd_parse_cpu_mask(const char *mask, int cores[], size_t max,
                       size_t *n_cores);

/* A set of PMD threads. */
struct pmd_set;

/* Creates one PMD per core of CPU_MASK, or a single unpinned PMD if
 * CPU_MASK is NULL or empty.  Returns 0 or an errno value from
 * pmd_parse_cpu_mask(), with *SETP NULL then. */
int pmd_set_create(const char *cpu_mask, pmd_process_func *, void *aux,
                   struct pmd_set **setp);
/* The same, with HOOKS (if nonnull; it must outlive the set) for every PMD
 * the set ever creates. */
int pmd_set_create_with_hooks(const char *cpu_mask, pmd_process_func *,
                              const struct pmd_thread_hooks *, void *aux,
                              struct pmd_set **setp);
void pmd_set_destroy(struct pmd_set *);

/* Changes the cores: PMDs on cores that remain keep their queues and
 * run on undisturbed; new cores get new PMDs; the queues of PMDs on
 * cores that go are moved round-robin to the others before those PMDs
 * stop.  On error nothing changes. */
int pmd_set_set_cpu_mask(struct pmd_set *, const char *cpu_mask);

/* Assigns RXQ to the PMD with fewest queues (round-robin as queues are
 * added).  Returns 0 or EEXIST. */
int pmd_set_add_rxq(struct pmd_set *, struct netdev_rxq *);
/* The same, attaching RXQ_AUX to the queue (pmd_thread_rxq_aux()). */
int pmd_set_add_rxq_with_aux(struct pmd_set *, struct netdev_rxq *,
                             void *rxq_aux);
/* Returns 0 once no PMD polls RXQ any more, or ENOENT. */
int pmd_set_remove_rxq(struct pmd_set *, struct netdev_rxq *);
/* Moves RXQ to the PMD on CORE_ID.  Returns 0, or ENOENT if RXQ is not
 * in the set or no PMD runs on CORE_ID. */
int pmd_set_move_rxq(struct pmd_set *, struct netdev_rxq *, int core_id);
/* Assigns RXQ, with RXQ_AUX, to the PMD on CORE_ID.  Returns 0, ENOENT if
 * no PMD runs on CORE_ID, EEXIST if RXQ is already in the set. */
int pmd_set_add_rxq_on(struct pmd_set *, struct netdev_rxq *, void *rxq_aux,
                       int core_id);
/* The PMD on CORE_ID (-1: the unpinned one), or NULL. */
struct pmd_thread *pmd_set_find_core(const struct pmd_set *, int core_id);
/* Stats of RXQ on whichever PMD polls it; ENOENT if none does. */
int pmd_set_get_rxq_stats(const struct pmd_set *, const struct netdev_rxq *,
                          struct pmd_rxq_stats *);

size_t pmd_set_n_pmds(const struct pmd_set *);
struct pmd_thread *pmd_set_get_pmd(const struct pmd_set *, size_t idx);
struct pmd_thread *pmd_set_find_rxq(const struct pmd_set *,
                                    const struct netdev_rxq *);

/* Appends a report in the style of `dpif-netdev/pmd-stats-show`: for every
 * PMD, pmd_thread_format_stats() followed by pmd_thread_format_rxqs(). */
void pmd_set_format_stats(const struct pmd_set *, struct ds *);
/* The parts of that report for one PMD: its heading line and counters
 * (the heading, "packets received", then pmd_thread_format_cycles()),
 * and its per-queue lines. */
void pmd_thread_format_stats(const struct pmd_thread *, struct ds *);
void pmd_thread_format_rxqs(const struct pmd_thread *, struct ds *);
/* "pmd thread numa_id 0 core_id N:" ("pmd thread (unpinned):"). */
void pmd_thread_format_heading(const struct pmd_thread *, struct ds *);
/* Open vSwitch's cycle lines ("idle cycles", "processing cycles", "avg
 * cycles per packet", "avg processing cycles per packet", the first two
 * only once the PMD has run, the last two once it has received packets),
 * then Plexus's own (iterations, sleeps, idle and processing time in us,
 * avg. processing time per packet in ns). */
void pmd_thread_format_cycles(const struct pmd_thread *, struct ds *);

#endif /* pmd.h */
