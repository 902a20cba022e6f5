/* pmd: poll-mode-driver threads.  See pmd.h for the design. */
#include <config.h>
#include "pmd.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "latch.h"
#include "netdev.h"
#include "poll-loop.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(pmd);

/* One rx queue polled by a PMD.  Counters are written by the PMD only. */
struct pmd_rxq {
    struct netdev_rxq *rxq;
    void *aux;                          /* pmd_set_add_rxq_with_aux(). */
    uint64_t packets;
    uint64_t busy_ns;
    uint64_t busy_cycles;
    /* PMD only: while the thread is busy, a queue that was empty is
     * skipped for 'skip' iterations, doubling up to PMD_EMPTY_SKIP_MAX
     * each time it is empty again (an idle tap costs a read() system
     * call per poll). */
    unsigned int skip;
    unsigned int backoff;
};

#define PMD_EMPTY_SKIP_MAX 32

/* An immutable, RCU-published list of a PMD's queues. */
struct pmd_rxq_list {
    size_t n;
    struct pmd_rxq *rxqs[];
};

struct pmd_thread {
    pthread_t thread;
    int core_id;                        /* -1 if unpinned. */
    pmd_process_func *process;
    void *aux;
    const struct pmd_thread_hooks *hooks;   /* May be NULL. */
    void *thread_aux;                   /* From hooks->create. */
    void *cur_rxq_aux;                  /* PMD only: queue being handled. */

    struct pmd_rxq_list *rxqs;          /* RCU-protected. */
    struct latch exit_latch;
    bool exiting;                       /* Atomic: set with 'exit_latch'. */
    struct latch reload_latch;

    struct pmd_stats stats;             /* Relaxed atomics, PMD writes. */

    /* Main thread only: pmd_thread_clear_stats(). */
    struct pmd_stats base;              /* 'stats' when last cleared. */
    long long int stats_start_ms;       /* When last cleared (or created). */
};

struct pmd_set {
    pmd_process_func *process;
    const struct pmd_thread_hooks *hooks;
    void *aux;
    struct pmd_thread **pmds;
    size_t n_pmds;
};

#define STAT_ADD(FIELD, N) \
    __atomic_store_n(&(FIELD), (FIELD) + (N), __ATOMIC_RELAXED)
#define STAT_GET(FIELD) __atomic_load_n(&(FIELD), __ATOMIC_RELAXED)

static void
pmd_set_affinity(struct pmd_thread *pmd)
{
    cpu_set_t set;

    if (pmd->core_id < 0) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(pmd->core_id, &set);
    int error = pthread_setaffinity_np(pmd->thread, sizeof set, &set);
    if (error) {
        VLOG_WARN("pmd on core %d: cannot set CPU affinity (%s), "
                  "running unpinned", pmd->core_id, strerror(error));
    }
}

/* Polls every queue once.  Returns the number of packets received. */
static size_t
pmd_poll_once(struct pmd_thread *pmd, const struct pmd_rxq_list *list,
              bool busy)
{
    size_t total = 0;
    /* One clock read per busy queue, not per queue: idle queues (a VM's
     * unused queue pairs) then cost only their receive call.  'start'
     * is when the previous busy queue finished, or when polling began,
     * so a busy queue's time includes the idle receives before it. */
    long long int start = time_nsec();
    uint64_t start_tsc = pmd_rdtsc();

    for (size_t i = 0; i < list->n; i++) {
        struct pmd_rxq *q = list->rxqs[i];
        struct dp_packet_batch batch;

        if (q->skip && busy) {
            q->skip--;
            continue;
        }
        dp_packet_batch_init(&batch);
        int error = netdev_rxq_recv(q->rxq, &batch);
        if (error || !batch.count) {
            q->backoff = (busy
                          ? MIN(MAX(2 * q->backoff, 1), PMD_EMPTY_SKIP_MAX)
                          : 0);
            q->skip = q->backoff;
        } else {
            q->backoff = q->skip = 0;
        }
        if (!error && batch.count) {
            size_t n = batch.count;
            long long int end;
            uint64_t end_tsc;

            pmd->cur_rxq_aux = q->aux;
            pmd->process(pmd->aux, pmd, q->rxq, &batch);
            end = time_nsec();
            end_tsc = pmd_rdtsc();
            STAT_ADD(q->packets, n);
            STAT_ADD(q->busy_ns, end - start);
            STAT_ADD(q->busy_cycles, end_tsc - start_tsc);
            start = end;
            start_tsc = end_tsc;
            STAT_ADD(pmd->stats.batches, 1);
            total += n;
        } else if (error && error != EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "pmd on core %d: %s queue %d: receive "
                         "failed (%s)", pmd->core_id,
                         netdev_get_name(netdev_rxq_get_netdev(q->rxq)),
                         netdev_rxq_get_queue_id(q->rxq), strerror(error));
        }
    }
    return total;
}

static void *
pmd_thread_main(void *pmd_)
{
    struct pmd_thread *pmd = pmd_;
    unsigned int empty = 0;
    long long int last = time_nsec();
    long long int last_packet = last;
    uint64_t last_tsc = pmd_rdtsc();

    rcu_thread_register();
    while (!__atomic_load_n(&pmd->exiting, __ATOMIC_ACQUIRE)) {
        const struct pmd_rxq_list *list = rcu_get(pmd->rxqs);
        size_t n = pmd_poll_once(pmd, list, !empty);
        long long int now;
        uint64_t now_tsc;

        STAT_ADD(pmd->stats.iterations, 1);
        if (n) {
            empty = 0;
            STAT_ADD(pmd->stats.packets, n);
            STAT_ADD(pmd->stats.busy_iterations, 1);
            now = last_packet = time_nsec();
            now_tsc = pmd_rdtsc();
            STAT_ADD(pmd->stats.busy_ns, now - last);
            STAT_ADD(pmd->stats.busy_cycles, now_tsc - last_tsc);
        } else if (empty < PMD_SPIN_ITERATIONS
                   && (now = time_nsec()) - last_packet < PMD_SPIN_NS) {
            empty++;
            now_tsc = pmd_rdtsc();
            STAT_ADD(pmd->stats.idle_ns, now - last);
            STAT_ADD(pmd->stats.idle_cycles, now_tsc - last_tsc);
        } else {
            empty = PMD_SPIN_ITERATIONS;
            /* Idle: block until a queue, a latch or the timer wakes us.
             * poll_block() takes this thread RCU-offline meanwhile. */
            bool all_wake = true;
            for (size_t i = 0; i < list->n; i++) {
                all_wake &= netdev_rxq_wait(list->rxqs[i]->rxq);
            }
            latch_wait(&pmd->exit_latch);
            latch_wait(&pmd->reload_latch);
            if (!all_wake) {
                poll_timer_wait(PMD_MAX_SLEEP_MS);
            }
            if (pmd->hooks && pmd->hooks->idle) {
                long long int ms = pmd->hooks->idle(pmd->aux, pmd,
                                                    pmd->thread_aux);
                if (ms >= 0) {
                    poll_timer_wait(ms);
                }
            }
            uint64_t sleep_tsc = pmd_rdtsc();
            poll_block();
            latch_poll(&pmd->reload_latch);
            STAT_ADD(pmd->stats.sleeps, 1);
            /* Stay in sleep mode ('empty' is not reset) until a packet
             * arrives: one poll per wakeup, not another spin phase. */
            now = time_nsec();
            now_tsc = pmd_rdtsc();
            STAT_ADD(pmd->stats.idle_ns, now - last);
            STAT_ADD(pmd->stats.idle_cycles, sleep_tsc - last_tsc);
            STAT_ADD(pmd->stats.sleep_cycles, now_tsc - sleep_tsc);
        }
        last = now;
        last_tsc = now_tsc;
        rcu_quiesce();
    }
    rcu_thread_unregister();
    return NULL;
}

struct pmd_thread *
pmd_thread_create(int core_id, pmd_process_func *process, void *aux)
{
    return pmd_thread_create_with_hooks(core_id, process, NULL, aux);
}

struct pmd_thread *
pmd_thread_create_with_hooks(int core_id, pmd_process_func *process,
                             const struct pmd_thread_hooks *hooks,
                             void *aux)
{
    struct pmd_thread *pmd = xzalloc(sizeof *pmd);

    pmd->core_id = core_id;
    pmd->process = process;
    pmd->aux = aux;
    pmd->hooks = hooks;
    pmd->stats_start_ms = time_msec();
    if (hooks && hooks->create) {
        /* Before pthread_create(), which orders it before the thread. */
        pmd->thread_aux = hooks->create(aux, pmd);
    }
    rcu_init(pmd->rxqs, xzalloc(sizeof *pmd->rxqs));
    latch_init(&pmd->exit_latch);
    latch_init(&pmd->reload_latch);

    int error = pthread_create(&pmd->thread, NULL, pmd_thread_main, pmd);
    if (error) {
        plx_fatal(error, "pmd: pthread_create failed");
    }
    pmd_set_affinity(pmd);
    VLOG_INFO("pmd thread created on core %d", core_id);
    return pmd;
}

void
pmd_thread_destroy(struct pmd_thread *pmd)
{
    if (!pmd) {
        return;
    }
    __atomic_store_n(&pmd->exiting, true, __ATOMIC_RELEASE);
    latch_set(&pmd->exit_latch);
    pthread_join(pmd->thread, NULL);
    if (pmd->hooks && pmd->hooks->destroy) {
        pmd->hooks->destroy(pmd->aux, pmd, pmd->thread_aux);
    }
    /* The thread is gone: nothing can read the list any more. */
    for (size_t i = 0; i < pmd->rxqs->n; i++) {
        free(pmd->rxqs->rxqs[i]);
    }
    free(pmd->rxqs);
    latch_destroy(&pmd->exit_latch);
    latch_destroy(&pmd->reload_latch);
    free(pmd);
}

int
pmd_thread_core_id(const struct pmd_thread *pmd)
{
    return pmd->core_id;
}

void *
pmd_thread_get_aux(const struct pmd_thread *pmd)
{
    return pmd->thread_aux;
}

void *
pmd_thread_rxq_aux(const struct pmd_thread *pmd)
{
    return pmd->cur_rxq_aux;
}

static struct pmd_rxq *
pmd_find_rxq(const struct pmd_thread *pmd, const struct netdev_rxq *rxq,
             size_t *idxp)
{
    /* Main thread: the only writer, so a plain read of the list is fine. */
    const struct pmd_rxq_list *list = pmd->rxqs;

    for (size_t i = 0; i < list->n; i++) {
        if (list->rxqs[i]->rxq == rxq) {
            if (idxp) {
                *idxp = i;
            }
            return list->rxqs[i];
        }
    }
    return NULL;
}

static void
pmd_publish(struct pmd_thread *pmd, struct pmd_rxq_list *new)
{
    struct pmd_rxq_list *old = pmd->rxqs;

    rcu_set(pmd->rxqs, new);
    rcu_postpone(free, old);
    latch_set(&pmd->reload_latch);
}

static int
pmd_thread_add_rxq__(struct pmd_thread *pmd, struct netdev_rxq *rxq,
                     void *rxq_aux, const struct pmd_rxq_stats *initial)
{
    if (pmd_find_rxq(pmd, rxq, NULL)) {
        return EEXIST;
    }

    struct pmd_rxq *q = xzalloc(sizeof *q);
    q->rxq = rxq;
    q->aux = rxq_aux;
    if (initial) {
        q->packets = initial->packets;
        q->busy_ns = initial->busy_ns;
        q->busy_cycles = initial->busy_cycles;
    }

    const struct pmd_rxq_list *old = pmd->rxqs;
    struct pmd_rxq_list *new = xmalloc(sizeof *new
                                       + (old->n + 1) * sizeof *new->rxqs);
    memcpy(new->rxqs, old->rxqs, old->n * sizeof *new->rxqs);
    new->rxqs[old->n] = q;
    new->n = old->n + 1;
    pmd_publish(pmd, new);
    return 0;
}

int
pmd_thread_add_rxq(struct pmd_thread *pmd, struct netdev_rxq *rxq)
{
    return pmd_thread_add_rxq__(pmd, rxq, NULL, NULL);
}

static int
pmd_thread_remove_rxq__(struct pmd_thread *pmd, struct netdev_rxq *rxq,
                        void **rxq_auxp, struct pmd_rxq_stats *final)
{
    size_t idx;
    struct pmd_rxq *q = pmd_find_rxq(pmd, rxq, &idx);
    if (!q) {
        return ENOENT;
    }

    const struct pmd_rxq_list *old = pmd->rxqs;
    struct pmd_rxq_list *new = xmalloc(sizeof *new
                                       + old->n * sizeof *new->rxqs);
    memcpy(new->rxqs, old->rxqs, idx * sizeof *new->rxqs);
    memcpy(&new->rxqs[idx], &old->rxqs[idx + 1],
           (old->n - idx - 1) * sizeof *new->rxqs);
    new->n = old->n - 1;
    pmd_publish(pmd, new);

    /* After a grace period the PMD has finished any iteration that could
     * have seen the old list, so it no longer touches RXQ or Q. */
    rcu_synchronize();
    if (final) {
        final->packets = STAT_GET(q->packets);
        final->busy_ns = STAT_GET(q->busy_ns);
        final->busy_cycles = STAT_GET(q->busy_cycles);
    }
    if (rxq_auxp) {
        *rxq_auxp = q->aux;
    }
    free(q);
    return 0;
}

int
pmd_thread_remove_rxq(struct pmd_thread *pmd, struct netdev_rxq *rxq)
{
    return pmd_thread_remove_rxq__(pmd, rxq, NULL, NULL);
}

struct netdev_rxq *
pmd_thread_get_rxq(const struct pmd_thread *pmd, size_t idx)
{
    return idx < pmd->rxqs->n ? pmd->rxqs->rxqs[idx]->rxq : NULL;
}

bool
pmd_thread_has_rxq(const struct pmd_thread *pmd,
                   const struct netdev_rxq *rxq)
{
    return pmd_find_rxq(pmd, rxq, NULL) != NULL;
}

size_t
pmd_thread_n_rxq(const struct pmd_thread *pmd)
{
    return pmd->rxqs->n;
}

void
pmd_thread_get_total_stats(const struct pmd_thread *pmd_,
                           struct pmd_stats *s)
{
    struct pmd_thread *pmd = (struct pmd_thread *) pmd_;

    s->iterations = STAT_GET(pmd->stats.iterations);
    s->busy_iterations = STAT_GET(pmd->stats.busy_iterations);
    s->packets = STAT_GET(pmd->stats.packets);
    s->batches = STAT_GET(pmd->stats.batches);
    s->busy_ns = STAT_GET(pmd->stats.busy_ns);
    s->idle_ns = STAT_GET(pmd->stats.idle_ns);
    s->sleeps = STAT_GET(pmd->stats.sleeps);
    s->busy_cycles = STAT_GET(pmd->stats.busy_cycles);
    s->idle_cycles = STAT_GET(pmd->stats.idle_cycles);
    s->sleep_cycles = STAT_GET(pmd->stats.sleep_cycles);
}

void
pmd_thread_get_stats(const struct pmd_thread *pmd, struct pmd_stats *s)
{
    const struct pmd_stats *b = &pmd->base;

    pmd_thread_get_total_stats(pmd, s);
    s->iterations -= b->iterations;
    s->busy_iterations -= b->busy_iterations;
    s->packets -= b->packets;
    s->batches -= b->batches;
    s->busy_ns -= b->busy_ns;
    s->idle_ns -= b->idle_ns;
    s->sleeps -= b->sleeps;
    s->busy_cycles -= b->busy_cycles;
    s->idle_cycles -= b->idle_cycles;
    s->sleep_cycles -= b->sleep_cycles;
}

void
pmd_thread_clear_stats(struct pmd_thread *pmd)
{
    pmd_thread_get_total_stats(pmd, &pmd->base);
    pmd->stats_start_ms = time_msec();
}

long long int
pmd_thread_stats_start_msec(const struct pmd_thread *pmd)
{
    return pmd->stats_start_ms;
}

int
pmd_thread_get_rxq_stats(const struct pmd_thread *pmd,
                         const struct netdev_rxq *rxq,
                         struct pmd_rxq_stats *s)
{
    struct pmd_rxq *q = pmd_find_rxq(pmd, rxq, NULL);

    if (!q) {
        return ENOENT;
    }
    s->packets = STAT_GET(q->packets);
    s->busy_ns = STAT_GET(q->busy_ns);
    s->busy_cycles = STAT_GET(q->busy_cycles);
    return 0;
}

long long int
pmd_thread_get_cpu_nsec(const struct pmd_thread *pmd)
{
    clockid_t cid;
    struct timespec ts;

    if (pthread_getcpuclockid(pmd->thread, &cid)
        || clock_gettime(cid, &ts)) {
        return -1;
    }
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* TSC rate: measured once, over PMD_TSC_CALIBRATE_MS against the
 * monotonic clock (an invariant TSC runs at a constant rate). */
#define PMD_TSC_CALIBRATE_MS 20

static uint64_t pmd_tsc_hz_value;

static void
pmd_tsc_calibrate(void)
{
    struct timespec t0, t1, req = { 0, PMD_TSC_CALIBRATE_MS * 1000000L };
    uint64_t c0, c1;

    clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
    c0 = pmd_rdtsc();
    while (nanosleep(&req, &req) && errno == EINTR) {
        continue;
    }
    clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
    c1 = pmd_rdtsc();

    long long int ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL
                       + (t1.tv_nsec - t0.tv_nsec);
    pmd_tsc_hz_value = ns > 0 ? (uint64_t) ((double) (c1 - c0) * 1e9 / ns)
                              : 1000000000;
    if (!pmd_tsc_hz_value) {
        pmd_tsc_hz_value = 1000000000;
    }
}

uint64_t
pmd_tsc_hz(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, pmd_tsc_calibrate);
    return pmd_tsc_hz_value;
}

static int
hexdigit_value(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

int
pmd_parse_cpu_mask(const char *mask, int cores[], size_t max,
                   size_t *n_cores)
{
    *n_cores = 0;
    if (!mask) {
        return EINVAL;
    }
    if (mask[0] == '0' && (mask[1] == 'x' || mask[1] == 'X')) {
        mask += 2;
    }

    size_t len = strlen(mask);
    if (!len) {
        return EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if (hexdigit_value((unsigned char) mask[i]) < 0) {
            return EINVAL;
        }
    }

    /* Walk from the least significant digit, so cores come ascending. */
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = hexdigit_value((unsigned char) mask[len - 1 - i]);
        for (int bit = 0; bit < 4; bit++) {
            if (v & (1 << bit)) {
                size_t core = i * 4 + bit;
                if (core >= PMD_MAX_CORES || n >= max) {
                    return ERANGE;
                }
                cores[n++] = core;
            }
        }
    }
    if (!n) {
        return EINVAL;
    }
    *n_cores = n;
    return 0;
}

/* Drops from CORES[*NP] the cores this process may not run on (as Open
 * vSwitch ignores cores that are not online): a mask with bits for cores
 * the machine lacks must not start a thread per bit.  Returns EINVAL if
 * no core is left. */
static int
pmd_keep_available_cores(const char *cpu_mask, int cores[], size_t *np)
{
    cpu_set_t online;
    size_t n = 0;

    CPU_ZERO(&online);
    if (sched_getaffinity(0, sizeof online, &online)) {
        return 0;               /* Unknown: keep the mask as given. */
    }
    for (size_t i = 0; i < *np; i++) {
        if (cores[i] < CPU_SETSIZE && CPU_ISSET(cores[i], &online)) {
            cores[n++] = cores[i];
        }
    }
    if (n < *np) {
        VLOG_WARN("pmd-cpu-mask %s: %zu of its cores are not "
                  "available to this process, ignored", cpu_mask, *np - n);
    }
    *np = n;
    if (!n) {
        VLOG_WARN("pmd-cpu-mask %s: no available core", cpu_mask);
        return EINVAL;
    }
    return 0;
}

static int
pmd_cores_from_mask(const char *cpu_mask, int **coresp, size_t *np)
{
    int *cores = xmalloc(PMD_MAX_CORES * sizeof *cores);

    if (!cpu_mask || !cpu_mask[0]) {
        cores[0] = -1;
        *np = 1;
    } else {
        int error = pmd_parse_cpu_mask(cpu_mask, cores, PMD_MAX_CORES, np);
        if (!error) {
            error = pmd_keep_available_cores(cpu_mask, cores, np);
        }
        if (error) {
            free(cores);
            *coresp = NULL;
            return error;
        }
    }
    *coresp = cores;
    return 0;
}

int
pmd_set_create(const char *cpu_mask, pmd_process_func *process, void *aux,
               struct pmd_set **setp)
{
    return pmd_set_create_with_hooks(cpu_mask, process, NULL, aux, setp);
}

int
pmd_set_create_with_hooks(const char *cpu_mask, pmd_process_func *process,
                          const struct pmd_thread_hooks *hooks, void *aux,
                          struct pmd_set **setp)
{
    int *cores;
    size_t n;
    int error = pmd_cores_from_mask(cpu_mask, &cores, &n);

    *setp = NULL;
    if (error) {
        return error;
    }

    struct pmd_set *set = xzalloc(sizeof *set);
    set->process = process;
    set->hooks = hooks;
    set->aux = aux;
    set->pmds = xmalloc(n * sizeof *set->pmds);
    for (size_t i = 0; i < n; i++) {
        set->pmds[i] = pmd_thread_create_with_hooks(cores[i], process,
                                                    hooks, aux);
    }
    set->n_pmds = n;
    free(cores);
    *setp = set;
    return 0;
}

void
pmd_set_destroy(struct pmd_set *set)
{
    if (!set) {
        return;
    }
    for (size_t i = 0; i < set->n_pmds; i++) {
        pmd_thread_destroy(set->pmds[i]);
    }
    free(set->pmds);
    free(set);
}

static struct pmd_thread *
pmd_set_least_loaded(struct pmd_thread **pmds, size_t n)
{
    struct pmd_thread *best = NULL;

    for (size_t i = 0; i < n; i++) {
        if (!best || pmds[i]->rxqs->n < best->rxqs->n) {
            best = pmds[i];
        }
    }
    return best;
}

int
pmd_set_set_cpu_mask(struct pmd_set *set, const char *cpu_mask)
{
    int *cores;
    size_t n;
    int error = pmd_cores_from_mask(cpu_mask, &cores, &n);
    if (error) {
        return error;
    }

    /* Keep PMDs whose core remains, create the missing ones. */
    struct pmd_thread **pmds = xmalloc(n * sizeof *pmds);
    bool *kept = xzalloc(set->n_pmds * sizeof *kept);
    for (size_t i = 0; i < n; i++) {
        pmds[i] = NULL;
        for (size_t j = 0; j < set->n_pmds; j++) {
            if (!kept[j] && set->pmds[j]->core_id == cores[i]) {
                pmds[i] = set->pmds[j];
                kept[j] = true;
                break;
            }
        }
        if (!pmds[i]) {
            pmds[i] = pmd_thread_create_with_hooks(cores[i], set->process,
                                                   set->hooks, set->aux);
        }
    }

    /* Move the queues of PMDs that go, one at a time, then stop them. */
    for (size_t j = 0; j < set->n_pmds; j++) {
        struct pmd_thread *old = set->pmds[j];
        if (kept[j]) {
            continue;
        }
        while (old->rxqs->n) {
            struct netdev_rxq *rxq = old->rxqs->rxqs[0]->rxq;
            struct pmd_rxq_stats st;
            void *rxq_aux;

            pmd_thread_remove_rxq__(old, rxq, &rxq_aux, &st);
            pmd_thread_add_rxq__(pmd_set_least_loaded(pmds, n), rxq,
                                 rxq_aux, &st);
        }
        pmd_thread_destroy(old);
    }

    free(set->pmds);
    free(kept);
    free(cores);
    set->pmds = pmds;
    set->n_pmds = n;
    return 0;
}

struct pmd_thread *
pmd_set_find_rxq(const struct pmd_set *set, const struct netdev_rxq *rxq)
{
    for (size_t i = 0; i < set->n_pmds; i++) {
        if (pmd_thread_has_rxq(set->pmds[i], rxq)) {
            return set->pmds[i];
        }
    }
    return NULL;
}

struct pmd_thread *
pmd_set_find_core(const struct pmd_set *set, int core_id)
{
    for (size_t i = 0; i < set->n_pmds; i++) {
        if (set->pmds[i]->core_id == core_id) {
            return set->pmds[i];
        }
    }
    return NULL;
}

int
pmd_set_get_rxq_stats(const struct pmd_set *set,
                      const struct netdev_rxq *rxq, struct pmd_rxq_stats *s)
{
    struct pmd_thread *pmd = pmd_set_find_rxq(set, rxq);

    return pmd ? pmd_thread_get_rxq_stats(pmd, rxq, s) : ENOENT;
}

int
pmd_set_add_rxq_on(struct pmd_set *set, struct netdev_rxq *rxq,
                   void *rxq_aux, int core_id)
{
    struct pmd_thread *pmd = pmd_set_find_core(set, core_id);

    if (!pmd) {
        return ENOENT;
    }
    if (pmd_set_find_rxq(set, rxq)) {
        return EEXIST;
    }
    return pmd_thread_add_rxq__(pmd, rxq, rxq_aux, NULL);
}

int
pmd_set_add_rxq(struct pmd_set *set, struct netdev_rxq *rxq)
{
    return pmd_set_add_rxq_with_aux(set, rxq, NULL);
}

int
pmd_set_add_rxq_with_aux(struct pmd_set *set, struct netdev_rxq *rxq,
                         void *rxq_aux)
{
    if (pmd_set_find_rxq(set, rxq)) {
        return EEXIST;
    }
    return pmd_thread_add_rxq__(pmd_set_least_loaded(set->pmds,
                                                     set->n_pmds),
                                rxq, rxq_aux, NULL);
}

int
pmd_set_remove_rxq(struct pmd_set *set, struct netdev_rxq *rxq)
{
    struct pmd_thread *pmd = pmd_set_find_rxq(set, rxq);

    return pmd ? pmd_thread_remove_rxq(pmd, rxq) : ENOENT;
}

int
pmd_set_move_rxq(struct pmd_set *set, struct netdev_rxq *rxq, int core_id)
{
    struct pmd_thread *from = pmd_set_find_rxq(set, rxq);
    struct pmd_thread *to = pmd_set_find_core(set, core_id);

    if (!from || !to) {
        return ENOENT;
    }
    if (from == to) {
        return 0;
    }

    struct pmd_rxq_stats st;
    void *rxq_aux;
    pmd_thread_remove_rxq__(from, rxq, &rxq_aux, &st);
    return pmd_thread_add_rxq__(to, rxq, rxq_aux, &st);
}

size_t
pmd_set_n_pmds(const struct pmd_set *set)
{
    return set->n_pmds;
}

struct pmd_thread *
pmd_set_get_pmd(const struct pmd_set *set, size_t idx)
{
    return idx < set->n_pmds ? set->pmds[idx] : NULL;
}

static double
pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * part / whole : 0.0;
}

void
pmd_thread_format_heading(const struct pmd_thread *pmd, struct ds *ds)
{
    if (pmd->core_id >= 0) {
        ds_put_format(ds, "pmd thread numa_id 0 core_id %d:\n",
                      pmd->core_id);
    } else {
        ds_put_cstr(ds, "pmd thread (unpinned):\n");
    }
}

void
pmd_thread_format_stats(const struct pmd_thread *pmd, struct ds *ds)
{
    struct pmd_stats s;

    pmd_thread_get_stats(pmd, &s);
    pmd_thread_format_heading(pmd, ds);
    ds_put_format(ds, "  packets received: %"PRIu64"\n", s.packets);
    pmd_thread_format_cycles(pmd, ds);
}

void
pmd_thread_format_cycles(const struct pmd_thread *pmd, struct ds *ds)
{
    struct pmd_stats s;

    pmd_thread_get_stats(pmd, &s);
    uint64_t cycles = s.busy_cycles + s.idle_cycles;
    if (cycles) {
        ds_put_format(ds, "  idle cycles: %"PRIu64" (%.02f%%)\n",
                      s.idle_cycles, pct(s.idle_cycles, cycles));
        ds_put_format(ds, "  processing cycles: %"PRIu64" (%.02f%%)\n",
                      s.busy_cycles, pct(s.busy_cycles, cycles));
        if (s.packets) {
            ds_put_format(ds, "  avg cycles per packet: %.02f "
                          "(%"PRIu64"/%"PRIu64")\n",
                          (double) cycles / s.packets, cycles, s.packets);
            ds_put_format(ds, "  avg processing cycles per packet: %.02f "
                          "(%"PRIu64"/%"PRIu64")\n",
                          (double) s.busy_cycles / s.packets,
                          s.busy_cycles, s.packets);
        }
    }

    uint64_t total = s.busy_ns + s.idle_ns;
    ds_put_format(ds, "  iterations: %"PRIu64"\n", s.iterations);
    ds_put_format(ds, "  avg. packets per batch: %.02f\n",
                  s.batches ? (double) s.packets / s.batches : 0.0);
    ds_put_format(ds, "  sleeps: %"PRIu64"\n", s.sleeps);
    ds_put_format(ds, "  idle time: %"PRIu64" us (%.02f%%)\n",
                  s.idle_ns / 1000, pct(s.idle_ns, total));
    ds_put_format(ds, "  processing time: %"PRIu64" us (%.02f%%)\n",
                  s.busy_ns / 1000, pct(s.busy_ns, total));
    if (s.packets) {
        ds_put_format(ds, "  avg. processing time per packet: "
                      "%.02f ns\n", (double) s.busy_ns / s.packets);
    }
}

void
pmd_thread_format_rxqs(const struct pmd_thread *pmd, struct ds *ds)
{
    struct pmd_stats s;

    pmd_thread_get_stats(pmd, &s);
    uint64_t total = s.busy_ns + s.idle_ns;
    const struct pmd_rxq_list *list = pmd->rxqs;
    for (size_t j = 0; j < list->n; j++) {
        struct pmd_rxq *q = list->rxqs[j];
        ds_put_format(ds, "  port: %s queue-id: %d packets: %"PRIu64
                      " pmd usage: %.02f%%\n",
                      netdev_get_name(netdev_rxq_get_netdev(q->rxq)),
                      netdev_rxq_get_queue_id(q->rxq),
                      STAT_GET(q->packets), pct(STAT_GET(q->busy_ns), total));
    }
}

void
pmd_set_format_stats(const struct pmd_set *set, struct ds *ds)
{
    for (size_t i = 0; i < set->n_pmds; i++) {
        pmd_thread_format_stats(set->pmds[i], ds);
        pmd_thread_format_rxqs(set->pmds[i], ds);
    }
}
