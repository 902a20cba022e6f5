/* Tests for datapath/pmd-sched: the pmd-rxq-affinity parser (valid text,
 * spaces, duplicates, every kind of malformed entry) and the rx queue
 * assignment of each algorithm, with pins, isolation, pins to missing
 * cores and no usable PMD, against hand-computed expectations. */
#include <config.h>
#include "datapath/pmd-sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "test.h"

TEST(algo_names)
{
    enum pmd_sched_algo a = PMD_SCHED_GROUP;

    CHECK(pmd_sched_algo_from_string("roundrobin", &a));
    CHECK_EQ(a, PMD_SCHED_ROUNDROBIN);
    CHECK(pmd_sched_algo_from_string("cycles", &a));
    CHECK_EQ(a, PMD_SCHED_CYCLES);
    CHECK(pmd_sched_algo_from_string("group", &a));
    CHECK_EQ(a, PMD_SCHED_GROUP);
    CHECK(!pmd_sched_algo_from_string("Cycles", &a));
    CHECK(!pmd_sched_algo_from_string("", &a));
    CHECK(!pmd_sched_algo_from_string(NULL, &a));
    CHECK_EQ(a, PMD_SCHED_GROUP);
    CHECK_STREQ(pmd_sched_algo_name(PMD_SCHED_CYCLES), "cycles");
    CHECK_EQ(PMD_SCHED_DEFAULT, PMD_SCHED_CYCLES);
}

static char *
parse_ok(const char *text)
{
    struct pmd_sched_affinity aff;
    struct ds ds = DS_EMPTY_INITIALIZER;
    char *error = (char *) 1;

    CHECK_EQ(pmd_sched_affinity_parse(text, &aff, &error), 0);
    CHECK(error == NULL);
    pmd_sched_affinity_format(&aff, &ds);
    pmd_sched_affinity_destroy(&aff);
    return ds_steal_cstr(&ds);
}

#define CHECK_PARSE(TEXT, CANON)                                          \
    do {                                                                  \
        char *c__ = parse_ok(TEXT);                                       \
        CHECK_STREQ(c__, CANON);                                          \
        free(c__);                                                        \
    } while (0)

TEST(affinity_valid)
{
    CHECK_PARSE("0:3", "0:3");
    CHECK_PARSE("0:3,1:7", "0:3,1:7");
    CHECK_PARSE("2:1,0:0,1:1", "0:0,1:1,2:1");          /* Sorted. */
    CHECK_PARSE(" 0:3 ,  1:7 ", "0:3,1:7");             /* Spaces. */
    CHECK_PARSE("0:3,0:5", "0:5");                      /* Last wins. */
    CHECK_PARSE("65535:1023", "65535:1023");
    CHECK_PARSE("007:01", "7:1");
    CHECK_PARSE("", "");
    CHECK_PARSE("   ", "");
    CHECK_PARSE(NULL, "");

    struct pmd_sched_affinity aff;
    CHECK_EQ(pmd_sched_affinity_parse("1:4,3:0", &aff, NULL), 0);
    CHECK_EQ(pmd_sched_affinity_core(&aff, 1), 4);
    CHECK_EQ(pmd_sched_affinity_core(&aff, 3), 0);
    CHECK_EQ(pmd_sched_affinity_core(&aff, 0), -1);
    CHECK_EQ(pmd_sched_affinity_core(NULL, 0), -1);
    pmd_sched_affinity_destroy(&aff);
}

static void
check_bad(const char *text, const char *expect)
{
    struct pmd_sched_affinity aff;
    char *error = NULL;

    CHECK_EQ(pmd_sched_affinity_parse(text, &aff, &error), EINVAL);
    CHECK(aff.n == 0 && aff.pins == NULL);
    CHECK_MSG(error && strstr(error, expect), "\"%s\": got \"%s\", want "
              "\"%s\"", text, error ? error : "(null)", expect);
    free(error);
    /* Without an error pointer too. */
    CHECK_EQ(pmd_sched_affinity_parse(text, &aff, NULL), EINVAL);
    pmd_sched_affinity_destroy(&aff);
}

TEST(affinity_malformed)
{
    check_bad("0", "\"0\": expected QUEUE:CORE");
    check_bad("0:1,2", "\"2\": expected QUEUE:CORE");
    check_bad("a:1", "queue id must be a number from 0 to 65535");
    check_bad(":1", "queue id must be");
    check_bad("-1:2", "queue id must be");
    check_bad("65536:1", "queue id must be");
    check_bad("99999999999:1", "queue id must be");
    check_bad("0:", "core id must be a number from 0 to 1023");
    check_bad("0:x", "core id must be");
    check_bad("0:1024", "core id must be");
    check_bad("0:1:2", "core id must be");
    check_bad("0 :1", "queue id must be");
    check_bad("0:+1", "core id must be");
    check_bad("0:1,", "trailing comma");
    check_bad("0:1, ", "trailing comma");
    check_bad(",0:1", "empty entry");
    check_bad("0:1,,1:2", "empty entry");
    check_bad("0:1;1:2", "core id must be");
}

/* N_PMDS PMDs on CORES, and queues given as "port:queue:load:pin". */
struct scenario {
    struct pmd_sched_pmd pmds[8];
    size_t n_pmds;
    struct pmd_sched_rxq rxqs[16];
    char names[16][8];
    size_t n_rxqs;
};

static void
scenario_init(struct scenario *s, const int cores[], size_t n_pmds)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n_pmds; i++) {
        s->pmds[i].core_id = cores[i];
    }
    s->n_pmds = n_pmds;
}

static void
scenario_rxq(struct scenario *s, const char *port, int qid, uint64_t load,
             int pin)
{
    size_t i = s->n_rxqs++;

    snprintf(s->names[i], sizeof s->names[i], "%s", port);
    s->rxqs[i].port = s->names[i];
    s->rxqs[i].queue_id = qid;
    s->rxqs[i].load = load;
    s->rxqs[i].pin_core = pin;
}

/* The core each queue went to, as "core core ...", -1 for none. */
static char *
scenario_run(struct scenario *s, enum pmd_sched_algo algo, bool isolate)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    pmd_sched_assign(algo, isolate, s->pmds, s->n_pmds, s->rxqs,
                     s->n_rxqs);
    for (size_t i = 0; i < s->n_rxqs; i++) {
        int idx = s->rxqs[i].pmd;
        CHECK(idx >= -1 && idx < (int) s->n_pmds);
        ds_put_format(&ds, "%s%d", i ? " " : "",
                      idx >= 0 ? s->pmds[idx].core_id : -1);
    }
    /* Per-PMD totals agree with the queues. */
    for (size_t p = 0; p < s->n_pmds; p++) {
        uint64_t load = 0;
        size_t n = 0;
        for (size_t i = 0; i < s->n_rxqs; i++) {
            if (s->rxqs[i].pmd == (int) p) {
                load += s->rxqs[i].load;
                n++;
            }
        }
        CHECK_U64_EQ(s->pmds[p].load, load);
        CHECK_EQ(s->pmds[p].n_rxq, n);
    }
    return ds_steal_cstr(&ds);
}

#define CHECK_RUN(S, ALGO, ISO, EXPECT)                                   \
    do {                                                                  \
        char *r__ = scenario_run(S, ALGO, ISO);                           \
        CHECK_STREQ(r__, EXPECT);                                         \
        free(r__);                                                        \
    } while (0)

TEST(roundrobin_by_name_and_queue)
{
    static const int cores[] = { 0, 1 };
    struct scenario s;

    scenario_init(&s, cores, 2);
    /* Given out of order; dealt in (name, queue) order: a:0 a:1 b:0 b:1
     * c:0 to cores 0 1 0 1 0, whatever the loads. */
    scenario_rxq(&s, "c", 0, 1, -1);
    scenario_rxq(&s, "b", 1, 900, -1);
    scenario_rxq(&s, "a", 1, 5, -1);
    scenario_rxq(&s, "b", 0, 7, -1);
    scenario_rxq(&s, "a", 0, 3, -1);
    CHECK_RUN(&s, PMD_SCHED_ROUNDROBIN, true, "0 1 1 0 0");
    for (size_t i = 0; i < s.n_rxqs; i++) {
        CHECK_EQ(s.rxqs[i].how, PMD_SCHED_ASSIGNED);
    }
}

TEST(cycles_sweeps_up_and_down)
{
    static const int cores[] = { 2, 5, 7 };
    struct scenario s;

    scenario_init(&s, cores, 3);
    /* Heaviest first: q0 100, q1 90, .. q6 40; PMD order of the sweep:
     * 0 1 2 2 1 0 0 → cores 2 5 7 7 5 2 2. */
    for (int i = 0; i < 7; i++) {
        scenario_rxq(&s, "p", i, 100 - 10 * i, -1);
    }
    CHECK_RUN(&s, PMD_SCHED_CYCLES, true, "2 5 7 7 5 2 2");
    CHECK_U64_EQ(s.pmds[0].load, 100 + 50 + 40);
    CHECK_U64_EQ(s.pmds[1].load, 90 + 60);
    CHECK_U64_EQ(s.pmds[2].load, 80 + 70);

    /* Equal loads: by name then queue, so a fresh datapath is
     * deterministic. */
    scenario_init(&s, cores, 2);
    scenario_rxq(&s, "b", 0, 0, -1);
    scenario_rxq(&s, "a", 1, 0, -1);
    scenario_rxq(&s, "a", 0, 0, -1);
    CHECK_RUN(&s, PMD_SCHED_CYCLES, true, "5 5 2");
}

TEST(group_fills_the_least_loaded)
{
    static const int cores[] = { 0, 1 };
    struct scenario s;

    scenario_init(&s, cores, 2);
    /* 100 → 0 (tie: lowest), 60 → 1, 50 → 1 (60 < 100), 40 → 0 (100 <
     * 110), 10 → 1 (110 < 140). */
    scenario_rxq(&s, "p", 0, 60, -1);
    scenario_rxq(&s, "p", 1, 100, -1);
    scenario_rxq(&s, "p", 2, 40, -1);
    scenario_rxq(&s, "p", 3, 50, -1);
    scenario_rxq(&s, "p", 4, 10, -1);
    CHECK_RUN(&s, PMD_SCHED_GROUP, true, "1 0 0 1 1");
    CHECK_U64_EQ(s.pmds[0].load, 140);
    CHECK_U64_EQ(s.pmds[1].load, 120);

    /* No load yet: ties go to the PMD with fewer queues. */
    scenario_init(&s, cores, 2);
    for (int i = 0; i < 4; i++) {
        scenario_rxq(&s, "p", i, 0, -1);
    }
    CHECK_RUN(&s, PMD_SCHED_GROUP, true, "0 1 0 1");
}

TEST(pins_isolate)
{
    static const int cores[] = { 0, 1 };
    struct scenario s;

    scenario_init(&s, cores, 2);
    scenario_rxq(&s, "p", 0, 10, 1);          /* Pinned to core 1. */
    scenario_rxq(&s, "p", 1, 50, -1);
    scenario_rxq(&s, "p", 2, 40, -1);
    scenario_rxq(&s, "q", 0, 30, -1);
    for (int algo = PMD_SCHED_ROUNDROBIN; algo <= PMD_SCHED_GROUP;
         algo++) {
        CHECK_RUN(&s, algo, true, "1 0 0 0");
        CHECK_EQ(s.rxqs[0].how, PMD_SCHED_PINNED);
        CHECK(!s.pmds[0].isolated);
        CHECK(s.pmds[1].isolated);
    }

    /* Without isolation (group): the pinned PMD's load counts.  50 → 0,
     * 40 → 1 (10 < 50), 30 → 0 (50 = 50, but fewer queues). */
    CHECK_RUN(&s, PMD_SCHED_GROUP, false, "1 0 1 0");
    CHECK(!s.pmds[1].isolated);
    CHECK_U64_EQ(s.pmds[1].load, 10 + 40);
    CHECK_EQ(s.pmds[1].n_rxq, 2);
}

TEST(pin_to_missing_core_is_assigned_normally)
{
    static const int cores[] = { 0, 1 };
    struct scenario s;

    scenario_init(&s, cores, 2);
    scenario_rxq(&s, "p", 0, 0, 5);
    scenario_rxq(&s, "p", 1, 0, -1);
    CHECK_RUN(&s, PMD_SCHED_ROUNDROBIN, true, "0 1");
    CHECK_EQ(s.rxqs[0].how, PMD_SCHED_PIN_MISSING);
    CHECK_EQ(s.rxqs[1].how, PMD_SCHED_ASSIGNED);
    CHECK(!s.pmds[0].isolated && !s.pmds[1].isolated);

    /* An unpinned PMD (core -1) never matches a pin. */
    static const int unpinned[] = { -1 };
    scenario_init(&s, unpinned, 1);
    scenario_rxq(&s, "p", 0, 0, 0);
    CHECK_RUN(&s, PMD_SCHED_CYCLES, true, "-1");
    CHECK_EQ(s.rxqs[0].pmd, 0);
    CHECK_EQ(s.rxqs[0].how, PMD_SCHED_PIN_MISSING);
}

TEST(all_isolated_leaves_unpinned_unpolled)
{
    static const int cores[] = { 0, 1 };
    struct scenario s;

    scenario_init(&s, cores, 2);
    scenario_rxq(&s, "p", 0, 0, 0);
    scenario_rxq(&s, "p", 1, 0, 1);
    scenario_rxq(&s, "p", 2, 0, -1);
    scenario_rxq(&s, "p", 3, 0, 9);
    for (int algo = PMD_SCHED_ROUNDROBIN; algo <= PMD_SCHED_GROUP;
         algo++) {
        CHECK_RUN(&s, algo, true, "0 1 -1 -1");
        CHECK_EQ(s.rxqs[2].how, PMD_SCHED_UNPOLLED);
        CHECK_EQ(s.rxqs[3].how, PMD_SCHED_PIN_MISSING);
    }
    /* Not isolated: everything polled. */
    CHECK_RUN(&s, PMD_SCHED_GROUP, false, "0 1 0 1");

    /* No PMD at all. */
    scenario_init(&s, cores, 0);
    scenario_rxq(&s, "p", 0, 0, -1);
    scenario_rxq(&s, "p", 1, 0, 1);
    CHECK_RUN(&s, PMD_SCHED_CYCLES, true, "-1 -1");
    CHECK_EQ(s.rxqs[0].how, PMD_SCHED_UNPOLLED);
    CHECK_EQ(s.rxqs[1].how, PMD_SCHED_PIN_MISSING);

    /* No queue at all. */
    scenario_init(&s, cores, 2);
    CHECK_RUN(&s, PMD_SCHED_GROUP, true, "");
}

TEST(variance)
{
    struct pmd_sched_pmd pmds[3] = {
        { .core_id = 0, .load = 80 },
        { .core_id = 1, .load = 20 },
        { .core_id = 2, .load = 50, .isolated = true },
    };

    /* 80% and 20%: mean 50, variance (900 + 900) / 2. */
    CHECK_U64_EQ(pmd_sched_variance(pmds, 3, 100), 900);
    pmds[1].load = 80;
    CHECK_U64_EQ(pmd_sched_variance(pmds, 3, 100), 0);
    CHECK_U64_EQ(pmd_sched_variance(pmds, 3, 0), 0);
    CHECK_U64_EQ(pmd_sched_variance(pmds, 0, 100), 0);
}
