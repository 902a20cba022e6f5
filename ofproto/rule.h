/*
 * rule: one entry of an OpenFlow flow table.
 *
 * A rule is a classifier entry (match and priority) plus what OpenFlow
 * says about it: its table, cookie, flags, timeouts, creation time, and
 * its actions (an instruction list of lib/ofp-actions.h).  Statistics
 * and the last-used time are fed by the revalidator from the datapath
 * megaflows whose translation went through the rule.
 *
 * Concurrency.  Translation (PMD threads, on upcalls) reads rules and
 * their actions under the backer's read lock (ofproto-private.h).  The
 * main thread inserts, removes and modifies rules only under that lock
 * held for writing; a modify swaps 'actions' and frees the old list once
 * the lock is released, since no reader can then hold it.  Everything
 * else in a rule (statistics, timestamps, reference count) belongs to
 * the main thread.
 *
 * Lifetime.  The flow table holds one reference; each revalidator record
 * of a megaflow that went through the rule holds another, so that
 * statistics of packets that used a rule just before it was deleted can
 * still be counted (and then dropped).  The last rule_unref() frees it
 * through rcu_postpone().
 *
 * Hidden rules.  Priorities above 65535 are Plexus's own rules (the
 * fail-open NORMAL rule): OpenFlow never sees, dumps or deletes them.
 */
#ifndef PLX_RULE_H
#define PLX_RULE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "classifier.h"
#include "list.h"
#include "types.h"

struct match;

/* Tables 0..254 exist (255 is OFPTT_ALL); OpenFlow sees 0..253, as in
 * Open vSwitch, which keeps the last one for itself. */
#define OFPROTO_N_TABLES 255
#define OFPROTO_N_OPENFLOW_TABLES 254

/* OpenFlow port numbers a bridge may use are below this (OpenFlow 1.0's
 * OFPP_MAX, as Open vSwitch's max_ports), so that every port has a
 * number in both versions. */
#define OFPROTO_MAX_PORTS 0xff00

/* Priorities above this are hidden (see above). */
#define RULE_MAX_OPENFLOW_PRIORITY 65535

/* Why a rule was removed: OpenFlow's OFPRR_* values. */
enum rule_removed_reason {
    RULE_RR_IDLE_TIMEOUT = 0,
    RULE_RR_HARD_TIMEOUT = 1,
    RULE_RR_DELETE = 2,
    RULE_RR_GROUP_DELETE = 3,
    RULE_RR_METER_DELETE = 4,
};

/* An immutable action list. */
struct rule_actions {
    size_t ofpacts_len;
    uint64_t ofpacts[];         /* struct ofpa list, 8-byte aligned. */
};

struct rule_actions *rule_actions_create(const void *ofpacts, size_t len);
void rule_actions_destroy(struct rule_actions *);

struct rule {
    struct cls_rule cr;             /* Match and priority. */
    uint8_t table_id;
    plx_be64 cookie;
    uint32_t flags;                 /* OFPUTIL_FF_* (lib/ofp-flow.h). */
    uint16_t idle_timeout;          /* Seconds, 0 for none. */
    uint16_t hard_timeout;
    struct rule_actions *actions;   /* Guarded by the backer's lock. */

    /* Main thread only. */
    int refcount;
    bool in_table;                  /* False once removed. */
    long long int created;          /* Milliseconds (time_msec()). */
    long long int modified;         /* Last add or modify. */
    long long int used;             /* Last packet (or 'modified'). */
    uint64_t n_packets;
    uint64_t n_bytes;
    struct plx_list expirable_node; /* In ofproto 'expirable' if timed. */
};

/* A new rule with one reference.  ACTIONS are copied. */
struct rule *rule_create(const struct match *, int priority,
                         uint8_t table_id, const void *ofpacts,
                         size_t ofpacts_len);
struct rule *rule_ref(struct rule *);
void rule_unref(struct rule *);

static inline const struct rule *
rule_from_cls_rule(const struct cls_rule *cr)
{
    return cr ? CONTAINER_OF(cr, struct rule, cr) : NULL;
}

static inline bool
rule_is_hidden(const struct rule *rule)
{
    return rule->cr.priority > RULE_MAX_OPENFLOW_PRIORITY;
}

/* True if the rule's actions (write_actions included) output to PORT
 * (MF_OFPP_ANY: always true) or to GROUP (0xffffffff: always true). */
bool rule_has_out_port(const struct rule *, uint32_t port);
bool rule_has_out_group(const struct rule *, uint32_t group);
/* True if the rule's instructions apply meter METER_ID. */
bool rule_has_meter(const struct rule *, uint32_t meter_id);

#endif /* rule.h */
