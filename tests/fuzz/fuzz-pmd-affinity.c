/* Fuzz target for pmd_sched_affinity_parse() (Interface
 * other_config:pmd-rxq-affinity): arbitrary text never crashes the parser
 * or leaks; an error always comes with a message and an empty result;
 * what parses is sorted, one pin per queue, in range, and its canonical
 * text parses back to the same pins.  The pins then drive
 * pmd_sched_assign(), whose output must be consistent. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/pmd-sched.h"
#include "dynamic-string.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_assign(const struct pmd_sched_affinity *aff)
{
    struct pmd_sched_pmd pmds[3] = { { .core_id = 0 }, { .core_id = 1 },
                                     { .core_id = 3 } };
    struct pmd_sched_rxq rxqs[8];

    for (int i = 0; i < 8; i++) {
        rxqs[i] = (struct pmd_sched_rxq) {
            .port = i < 4 ? "a" : "b", .queue_id = i % 4,
            .load = (uint64_t) i * 7 % 5,
            .pin_core = pmd_sched_affinity_core(aff, i),
        };
    }
    for (int algo = PMD_SCHED_ROUNDROBIN; algo <= PMD_SCHED_GROUP; algo++) {
        pmd_sched_assign(algo, algo != PMD_SCHED_GROUP, pmds, 3, rxqs, 8);
        size_t n = 0;
        for (int i = 0; i < 8; i++) {
            if (rxqs[i].pmd < -1 || rxqs[i].pmd >= 3
                || (rxqs[i].how == PMD_SCHED_PINNED
                    && pmds[rxqs[i].pmd].core_id != rxqs[i].pin_core)) {
                abort();
            }
            n += rxqs[i].pmd >= 0;
        }
        if (n != pmds[0].n_rxq + pmds[1].n_rxq + pmds[2].n_rxq) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = xmemdup0((const char *) data, size);
    struct pmd_sched_affinity aff, aff2;
    char *error = NULL;

    if (pmd_sched_affinity_parse(input, &aff, &error)) {
        if (!error || aff.n || aff.pins) {
            abort();
        }
        free(error);
        free(input);
        return 0;
    }
    if (error) {
        abort();
    }
    for (size_t i = 0; i < aff.n; i++) {
        const struct pmd_sched_pin *p = &aff.pins[i];
        if (p->queue_id < 0 || p->queue_id > PMD_SCHED_MAX_QUEUE
            || p->core_id < 0 || p->core_id > PMD_SCHED_MAX_CORE
            || (i && p->queue_id <= aff.pins[i - 1].queue_id)) {
            abort();
        }
    }

    struct ds text = DS_EMPTY_INITIALIZER;
    pmd_sched_affinity_format(&aff, &text);
    if (pmd_sched_affinity_parse(ds_cstr(&text), &aff2, NULL)
        || aff2.n != aff.n
        || (aff.n && memcmp(aff.pins, aff2.pins,
                            aff.n * sizeof *aff.pins))) {
        abort();
    }
    check_assign(&aff);
    ds_destroy(&text);
    pmd_sched_affinity_destroy(&aff);
    pmd_sched_affinity_destroy(&aff2);
    free(input);
    return 0;
}
