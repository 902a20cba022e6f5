/* pmd-sched: rx queue to PMD assignment.  See pmd-sched.h. */
#include <config.h>
#include "pmd-sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

static const char *const algo_names[] = {
    [PMD_SCHED_ROUNDROBIN] = "roundrobin",
    [PMD_SCHED_CYCLES] = "cycles",
    [PMD_SCHED_GROUP] = "group",
};

bool
pmd_sched_algo_from_string(const char *s, enum pmd_sched_algo *algo)
{
    for (size_t i = 0; s && i < ARRAY_SIZE(algo_names); i++) {
        if (!strcmp(s, algo_names[i])) {
            *algo = i;
            return true;
        }
    }
    return false;
}

const char *
pmd_sched_algo_name(enum pmd_sched_algo algo)
{
    return (unsigned) algo < ARRAY_SIZE(algo_names) ? algo_names[algo]
                                                     : "unknown";
}

/* ------------------------------------------------------------------ */
/* pmd-rxq-affinity. */

/* Parses the decimal number at S[0..LEN) into *VALUE (at most MAX). */
static bool
parse_number(const char *s, size_t len, int max, int *value)
{
    long v = 0;

    if (!len || len > 10) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *value = v;
    return true;
}

static int
affinity_error(char **errp, struct pmd_sched_affinity *aff,
               const char *entry, size_t len, const char *why)
{
    if (errp) {
        *errp = xasprintf("invalid pmd-rxq-affinity entry \"%.*s\": %s",
                          (int) MIN(len, 64), entry, why);
    }
    pmd_sched_affinity_destroy(aff);
    return EINVAL;
}

static int
compare_pins(const void *a_, const void *b_)
{
    const struct pmd_sched_pin *a = a_, *b = b_;

    return a->queue_id < b->queue_id ? -1 : a->queue_id > b->queue_id;
}

int
pmd_sched_affinity_parse(const char *text, struct pmd_sched_affinity *aff,
                         char **errp)
{
    size_t allocated = 0;

    aff->pins = NULL;
    aff->n = 0;
    if (errp) {
        *errp = NULL;
    }
    if (!text) {
        return 0;
    }

    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;              /* Blank text (a comma is never last). */
        }

        /* One entry: up to the next comma or the end. */
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t')) {
            trimmed--;
        }
        if (!trimmed) {
            return affinity_error(errp, aff, p, len,
                                  "empty entry (expected QUEUE:CORE)");
        }
        const char *colon = memchr(p, ':', trimmed);
        if (!colon) {
            return affinity_error(errp, aff, p, trimmed,
                                  "expected QUEUE:CORE");
        }

        size_t qlen = colon - p, clen = trimmed - qlen - 1;
        int queue, core;
        if (!parse_number(p, qlen, PMD_SCHED_MAX_QUEUE, &queue)) {
            return affinity_error(errp, aff, p, trimmed,
                                  "queue id must be a number from 0 to "
                                  PLX_STRINGIZE2(PMD_SCHED_MAX_QUEUE));
        }
        if (!parse_number(colon + 1, clen, PMD_SCHED_MAX_CORE, &core)) {
            return affinity_error(errp, aff, p, trimmed,
                                  "core id must be a number from 0 to "
                                  PLX_STRINGIZE2(PMD_SCHED_MAX_CORE));
        }

        /* A queue named again keeps its last core. */
        size_t i;
        for (i = 0; i < aff->n; i++) {
            if (aff->pins[i].queue_id == queue) {
                aff->pins[i].core_id = core;
                break;
            }
        }
        if (i == aff->n) {
            if (aff->n >= allocated) {
                aff->pins = x2nrealloc(aff->pins, &allocated,
                                       sizeof *aff->pins);
            }
            aff->pins[aff->n].queue_id = queue;
            aff->pins[aff->n].core_id = core;
            aff->n++;
        }

        p += len;
        if (!*p) {
            break;
        }
        p++;                    /* The comma: another entry must follow. */
        if (!p[strspn(p, " \t")]) {
            return affinity_error(errp, aff, p - 1, 1,
                                  "trailing comma");
        }
    }
    if (aff->n > 1) {
        qsort(aff->pins, aff->n, sizeof *aff->pins, compare_pins);
    }
    return 0;
}

void
pmd_sched_affinity_destroy(struct pmd_sched_affinity *aff)
{
    if (aff) {
        free(aff->pins);
        aff->pins = NULL;
        aff->n = 0;
    }
}

int
pmd_sched_affinity_core(const struct pmd_sched_affinity *aff, int queue_id)
{
    for (size_t i = 0; aff && i < aff->n; i++) {
        if (aff->pins[i].queue_id == queue_id) {
            return aff->pins[i].core_id;
        }
    }
    return -1;
}

void
pmd_sched_affinity_format(const struct pmd_sched_affinity *aff,
                          struct ds *ds)
{
    for (size_t i = 0; i < aff->n; i++) {
        ds_put_format(ds, "%s%d:%d", i ? "," : "", aff->pins[i].queue_id,
                      aff->pins[i].core_id);
    }
}

/* ------------------------------------------------------------------ */
/* Assignment. */

/* Open vSwitch's round-robin cursor over the PMDs, optionally sweeping
 * up and down instead of wrapping around. */
struct rr_cursor {
    size_t idx;
    bool inc;
};

static size_t
rr_next(struct rr_cursor *c, size_t n_pmds, bool updown)
{
    size_t idx = c->idx;

    if (c->inc) {
        if (c->idx == n_pmds - 1) {
            if (updown) {
                c->inc = false;
            } else {
                c->idx = 0;
            }
        } else {
            c->idx++;
        }
    } else {
        if (c->idx == 0) {
            c->inc = true;
        } else {
            c->idx--;
        }
    }
    return idx;
}

/* The next non-isolated PMD from the cursor, or -1 if all are isolated.
 * Up-and-down may return a PMD twice in a row, so look 2n times. */
static int
rr_next_noniso(struct rr_cursor *c, const struct pmd_sched_pmd *pmds,
               size_t n_pmds, bool updown)
{
    for (size_t i = 0; i < 2 * n_pmds; i++) {
        size_t idx = rr_next(c, n_pmds, updown);
        if (!pmds[idx].isolated) {
            return idx;
        }
    }
    return -1;
}

static int
lowest_noniso(const struct pmd_sched_pmd *pmds, size_t n_pmds)
{
    int best = -1;

    for (size_t i = 0; i < n_pmds; i++) {
        const struct pmd_sched_pmd *p = &pmds[i];
        if (p->isolated) {
            continue;
        }
        if (best < 0 || p->load < pmds[best].load
            || (p->load == pmds[best].load
                && p->n_rxq < pmds[best].n_rxq)) {
            best = i;
        }
    }
    return best;
}

static int
compare_name_queue(const struct pmd_sched_rxq *a,
                   const struct pmd_sched_rxq *b)
{
    int cmp = strcmp(a->port, b->port);

    return cmp ? cmp : (a->queue_id > b->queue_id) - (a->queue_id
                                                      < b->queue_id);
}

static int
compare_rr(const void *a_, const void *b_)
{
    const struct pmd_sched_rxq *const *a = a_, *const *b = b_;

    return compare_name_queue(*a, *b);
}

static int
compare_load(const void *a_, const void *b_)
{
    const struct pmd_sched_rxq *const *a = a_, *const *b = b_;

    if ((*a)->load != (*b)->load) {
        return (*a)->load > (*b)->load ? -1 : 1;
    }
    return compare_name_queue(*a, *b);
}

static void
pmd_add(struct pmd_sched_pmd *pmd, const struct pmd_sched_rxq *rxq)
{
    pmd->load += rxq->load;
    pmd->n_rxq++;
}

void
pmd_sched_assign(enum pmd_sched_algo algo, bool isolate,
                 struct pmd_sched_pmd *pmds, size_t n_pmds,
                 struct pmd_sched_rxq *rxqs, size_t n_rxqs)
{
    for (size_t i = 0; i < n_pmds; i++) {
        pmds[i].isolated = false;
        pmds[i].load = 0;
        pmds[i].n_rxq = 0;
    }

    /* Pinned queues, and the list of the others. */
    struct pmd_sched_rxq **todo = xmalloc(MAX(n_rxqs, 1) * sizeof *todo);
    size_t n_todo = 0;
    for (size_t i = 0; i < n_rxqs; i++) {
        struct pmd_sched_rxq *q = &rxqs[i];

        q->pmd = -1;
        q->how = PMD_SCHED_ASSIGNED;
        if (q->pin_core >= 0) {
            for (size_t j = 0; j < n_pmds; j++) {
                if (pmds[j].core_id == q->pin_core) {
                    q->pmd = j;
                    break;
                }
            }
            if (q->pmd >= 0) {
                q->how = PMD_SCHED_PINNED;
                pmd_add(&pmds[q->pmd], q);
                if (isolate) {
                    pmds[q->pmd].isolated = true;
                }
                continue;
            }
            q->how = PMD_SCHED_PIN_MISSING;
        }
        todo[n_todo++] = q;
    }

    qsort(todo, n_todo, sizeof *todo,
          algo == PMD_SCHED_ROUNDROBIN ? compare_rr : compare_load);

    struct rr_cursor cursor = { .idx = 0, .inc = true };
    for (size_t i = 0; i < n_todo; i++) {
        struct pmd_sched_rxq *q = todo[i];
        int idx = (!n_pmds ? -1
                   : algo == PMD_SCHED_GROUP ? lowest_noniso(pmds, n_pmds)
                   : rr_next_noniso(&cursor, pmds, n_pmds,
                                    algo == PMD_SCHED_CYCLES));
        q->pmd = idx;
        if (idx < 0) {
            if (q->how != PMD_SCHED_PIN_MISSING) {
                q->how = PMD_SCHED_UNPOLLED;
            }
            continue;
        }
        pmd_add(&pmds[idx], q);
    }
    free(todo);
}

uint64_t
pmd_sched_variance(const struct pmd_sched_pmd *pmds, size_t n_pmds,
                   uint64_t total)
{
    uint64_t sum = 0;
    size_t n = 0;

    if (!n_pmds || !total) {
        return 0;
    }
    for (size_t i = 0; i < n_pmds; i++) {
        if (!pmds[i].isolated) {
            sum += pmds[i].load * 100 / total;
            n++;
        }
    }
    if (!n || !sum) {
        return 0;
    }

    int64_t mean = sum / n;
    uint64_t sq = 0;
    for (size_t i = 0; i < n_pmds; i++) {
        if (!pmds[i].isolated) {
            int64_t d = (int64_t) (pmds[i].load * 100 / total) - mean;
            sq += d * d;
        }
    }
    return sq / n;
}
