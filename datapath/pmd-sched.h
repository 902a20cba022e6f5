/*
 * pmd-sched: which PMD thread polls which rx queue, as pure functions.
 *
 * This module decides; it does not act.  Given the PMD threads (their
 * cores), the rx queues (port name, queue id, measured load and an
 * optional pin to a core) and an algorithm, pmd_sched_assign() says which
 * PMD each queue goes to.  The datapath (dpif-netdev-pmd.c) measures the
 * loads, calls it and moves the queues; keeping the decision free of
 * threads, clocks and devices makes it deterministic and unit-testable.
 * The behaviour is Open vSwitch 3.1's (other_config:pmd-rxq-assign,
 * pmd-rxq-isolate, Interface other_config:pmd-rxq-affinity):
 *
 *   1. Pinned queues first.  A queue pinned to a core that has a PMD goes
 *      to it, and with 'isolate' that PMD is then "isolated": it gets no
 *      unpinned queue.  A queue pinned to a core without a PMD is
 *      reported (PMD_SCHED_PIN_MISSING) and scheduled like the others.
 *      Pinned queues count in their PMD's load and queue count.
 *
 *   2. The other queues, in an algorithm-specific order, each to one
 *      non-isolated PMD:
 *        - roundrobin: queues in (port name, queue id) order, dealt to
 *          the PMDs in turn (ascending core order, wrapping around);
 *        - cycles: queues by load, heaviest first (ties: port name, then
 *          queue id), dealt in an up-and-down sweep: PMDs 0, 1, .., n-1,
 *          n-1, .., 1, 0, 0, 1, .. so that the heaviest and the lightest
 *          queues pair up;
 *        - group: queues in the same order as cycles, each to the PMD
 *          with the lowest total load so far (ties: fewest queues, then
 *          lowest core).
 *      If every PMD is isolated, an unpinned queue gets no PMD
 *      (PMD_SCHED_UNPOLLED), as in Open vSwitch: it is not polled.
 *
 * PMDs are given in ascending core order (a core id of -1, an unpinned
 * PMD, can never match a pin).  Loads are opaque numbers (the datapath
 * uses busy TSC cycles over recent intervals); only their order and sums
 * matter.
 *
 * pmd_sched_affinity_parse() parses pmd-rxq-affinity text, which is
 * outside input: it never asserts, and returns a message for the user.
 */
#ifndef PLX_PMD_SCHED_H
#define PLX_PMD_SCHED_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;

enum pmd_sched_algo {
    PMD_SCHED_ROUNDROBIN,
    PMD_SCHED_CYCLES,
    PMD_SCHED_GROUP,
};
#define PMD_SCHED_DEFAULT PMD_SCHED_CYCLES

/* "roundrobin", "cycles", "group".  Returns false for anything else
 * (NULL included), leaving *ALGO alone. */
bool pmd_sched_algo_from_string(const char *, enum pmd_sched_algo *algo);
const char *pmd_sched_algo_name(enum pmd_sched_algo);

/* ------------------------------------------------------------------ */
/* pmd-rxq-affinity: "QUEUE:CORE[,QUEUE:CORE]...". */

#define PMD_SCHED_MAX_QUEUE 65535       /* Highest queue id accepted. */
#define PMD_SCHED_MAX_CORE 1023         /* Highest core id accepted. */

struct pmd_sched_pin {
    int queue_id;
    int core_id;
};

/* Pins ascending by queue id, one per queue. */
struct pmd_sched_affinity {
    struct pmd_sched_pin *pins;
    size_t n;
};

/* Parses TEXT into *AFF (which the caller later destroys, even on
 * error, where it is left empty).  Entries are separated by commas and
 * may be surrounded by spaces; each is QUEUE:CORE with decimal
 * non-negative numbers.  A queue named twice keeps its last core, as
 * Open vSwitch.  NULL or "" (or only spaces) is an empty affinity.
 * Returns 0, or EINVAL with a malloc'd message in *ERRP (if ERRP is
 * nonnull) naming the bad entry. */
int pmd_sched_affinity_parse(const char *text, struct pmd_sched_affinity *,
                             char **errp);
void pmd_sched_affinity_destroy(struct pmd_sched_affinity *);
/* The core QUEUE_ID is pinned to, or -1. */
int pmd_sched_affinity_core(const struct pmd_sched_affinity *, int queue_id);
/* Appends the canonical text ("0:3,1:7"). */
void pmd_sched_affinity_format(const struct pmd_sched_affinity *,
                               struct ds *);

/* ------------------------------------------------------------------ */
/* Assignment. */

enum pmd_sched_how {
    PMD_SCHED_ASSIGNED,         /* By the algorithm. */
    PMD_SCHED_PINNED,           /* To the core it is pinned to. */
    PMD_SCHED_PIN_MISSING,      /* Pinned to a core with no PMD: assigned
                                 * by the algorithm instead. */
    PMD_SCHED_UNPOLLED,         /* No non-isolated PMD: none. */
};

struct pmd_sched_rxq {
    /* Input. */
    const char *port;           /* Port name (not copied). */
    int queue_id;
    uint64_t load;              /* Measured load, e.g. busy cycles. */
    int pin_core;               /* Core it is pinned to, or -1. */

    /* Output. */
    int pmd;                    /* Index into the PMD array, or -1. */
    enum pmd_sched_how how;
};

struct pmd_sched_pmd {
    /* Input. */
    int core_id;                /* Ascending across the array; -1 for an
                                 * unpinned PMD. */

    /* Output. */
    bool isolated;              /* Has pinned queues and 'isolate'. */
    uint64_t load;              /* Sum of its queues' loads. */
    size_t n_rxq;
};

/* Assigns each of the N_RXQS queues in RXQS to one of the N_PMDS PMDs in
 * PMDS (see the top of this file), filling in the output members of
 * both.  N_PMDS may be 0 (every queue is then PMD_SCHED_UNPOLLED, or
 * PMD_SCHED_PIN_MISSING with pmd -1 if pinned).  Does not reorder
 * either array. */
void pmd_sched_assign(enum pmd_sched_algo, bool isolate,
                      struct pmd_sched_pmd *pmds, size_t n_pmds,
                      struct pmd_sched_rxq *rxqs, size_t n_rxqs);

/* The variance of the N_PMDS PMDs' loads, each as a percentage of
 * TOTAL (the cycles one PMD has in the measured window), as Open
 * vSwitch's auto load balancer compares before and after a dry run.
 * 0 if N_PMDS or TOTAL is 0. */
uint64_t pmd_sched_variance(const struct pmd_sched_pmd *pmds, size_t n_pmds,
                            uint64_t total);

#endif /* pmd-sched.h */
