/*
 * recirc: recirculation ids and the translation state they freeze.
 *
 * A "ct(table=N)" action sends the packet through the connection tracker
 * and then back into the datapath ("recirculation") with a recirculation
 * id, so that it is looked up again, now with its conntrack fields set.
 * The datapath knows nothing of OpenFlow: the id stands for the state
 * translation must resume with (as Open vSwitch's frozen state): the
 * bridge, the OpenFlow table to continue in, the pipeline fields the
 * packet does not carry (metadata and registers) and the OpenFlow 1.3
 * action set collected so far.  Equal states share one id, so a
 * megaflow's actions, and the megaflows that match the id, stay the
 * same from one translation to the next.
 *
 * Lifetime.  Translation (recirc_get()) finds or creates a state and
 * marks it used; it takes no reference, because translations also run
 * for packets whose megaflow is never installed.  References belong to
 * the revalidator: each megaflow it knows holds one on every id its
 * actions use and on the id it matches (recirc_ref()/recirc_unref()).
 * recirc_run() frees the states that nothing references and that no
 * translation used for RECIRC_GRACE_MS: a megaflow installed by an
 * upcall is revalidated (and referenced) within one revalidator period,
 * much less than that.
 *
 * Ids are 32-bit, never 0 (0 means "from a port"), and not reused while
 * their state lives.  Every function is thread-safe (one mutex): upcalls
 * translate in PMD threads.
 */
#ifndef PLX_OFPROTO_RECIRC_H
#define PLX_OFPROTO_RECIRC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"

#define RECIRC_GRACE_MS 10000

/* A frozen translation state. */
struct recirc_state {
    const char *bridge;         /* The bridge's name. */
    uint8_t table_id;           /* Where the pipeline continues. */
    plx_be64 metadata;
    uint32_t regs[FLOW_N_REGS];
    const void *action_set;     /* OpenFlow 1.3 action set (ofpacts). */
    size_t action_set_len;
};

struct recirc_table;

struct recirc_table *recirc_table_create(void);
void recirc_table_destroy(struct recirc_table *);

/* Returns the id of STATE, creating it if new (0 when the table is full:
 * RECIRC_MAX states). */
#define RECIRC_MAX (1u << 20)
uint32_t recirc_get(struct recirc_table *, const struct recirc_state *,
                    long long now);

/* Copies the state of ID into *STATE (its strings and action set
 * malloc'd: free them with recirc_state_uninit()) and marks it used.
 * Returns false for an unknown id. */
bool recirc_find(struct recirc_table *, uint32_t id,
                 struct recirc_state *state, long long now);
void recirc_state_uninit(struct recirc_state *);

/* References from the revalidator's megaflows.  recirc_ref() of an
 * unknown id returns false. */
bool recirc_ref(struct recirc_table *, uint32_t id);
void recirc_unref(struct recirc_table *, uint32_t id);

/* Frees unreferenced states unused for RECIRC_GRACE_MS. */
void recirc_run(struct recirc_table *, long long now);
size_t recirc_count(const struct recirc_table *);

#endif /* recirc.h */
