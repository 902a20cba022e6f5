/*
 * classifier: finds the highest-priority rule that matches a flow.
 *
 * One classifier serves both OpenFlow flow tables (many priorities,
 * arbitrary masks) and the datapath's megaflow cache (all rules at one
 * priority, disjoint).  A rule is a struct cls_rule embedded in the
 * user's own rule: a minimatch (masked key) and a priority.
 *
 * Design: tuple space search, as in Open vSwitch.
 *
 *   - Rules are grouped into one subtable per distinct mask.  Within a
 *     subtable, rules are found by a hash of the masked key; rules with
 *     identical matches but different priorities share one hash entry,
 *     as a list sorted by decreasing priority.
 *
 *   - Subtables are kept in a vector sorted by the highest priority they
 *     hold.  A lookup visits them in that order and stops as soon as the
 *     best rule found so far has a priority at least as high as the next
 *     subtable's maximum.  Among overlapping rules of equal priority (which
 *     OpenFlow leaves undefined) the one returned is the first found in
 *     this order: the same one for every flow that agrees on the
 *     un-wildcarded bits, while the classifier does not change.
 *
 *   - Staged lookup: struct flow's words are grouped into segments
 *     (metadata, L2, L3, L4: FLOW_SEGMENT_*).  Each subtable keeps, for
 *     every segment boundary its mask crosses, a counting set of hashes
 *     of its rules' keys up to that boundary.  A lookup hashes the flow
 *     one segment at a time and gives up on the subtable at the first
 *     hash no rule has, so a miss that is obvious from the metadata or L2
 *     never looks at (or un-wildcards) L3 and L4.
 *
 *   - Prefix tracking: up to CLS_MAX_TRIES address fields (by default
 *     nw_dst and nw_src) have a binary trie of every rule's prefix on
 *     that field (for rules whose mask on it is a CIDR prefix).  Before
 *     hashing the stage that holds such a field, a lookup asks the trie
 *     whether any rule with this subtable's prefix length matches the
 *     flow; if not, it skips the subtable and un-wildcards only the
 *     leading bits the trie needed to know that, so that megaflows stay
 *     wide (a flow to 192.168.1.1 that misses rules for 10.0.0.0/8 and
 *     10.1.0.0/16 needs only a few leading bits of nw_dst, not all 32).
 *
 *   - Ports tries: a subtable whose mask on the ports (tp_src, then
 *     tp_dst, as one 32-bit word) is a prefix mask keeps a trie of its
 *     rules' ports.  When a lookup misses in such a subtable's final (L4)
 *     stage and no rule there has the flow's ports, it un-wildcards only
 *     the leading port bits the trie needed to show that, not the whole
 *     port mask: with rules on udp,tp_src=P for many P, a packet from any
 *     other port un-wildcards a few bits of tp_src instead of all 16, so
 *     the datapath installs a handful of megaflows instead of one per
 *     source port.
 *
 * Wildcards: classifier_lookup() ORs into *WC every bit of the flow its
 * answer depended on.  Every flow that agrees with the looked-up flow on
 * the bits set in *WC (including bits that were set on entry) gets the
 * same answer from the same classifier.  The datapath installs megaflows
 * on that promise; the unit tests check it on random rule sets.
 *
 * Concurrency: classifier_lookup() is an RCU reader: lock-free, callable
 * from any thread registered with rcu_thread_register() concurrently with
 * one writer.  A concurrent lookup sees each rule either inserted or not,
 * never a rule's memory freed, and for a rule that was in the classifier
 * throughout the lookup, finds it (or one of at least equal priority).
 * Everything else (insert, replace, remove, find, count, overlap checks,
 * iteration, prefix configuration) is for the one writer thread, or any
 * thread while no writer runs; callers serialize writers.
 *
 * Rule lifetime: a rule removed from a classifier may still be in use by
 * concurrent lookups, so its owner frees it (and calls cls_rule_destroy())
 * only through rcu_postpone().  A removed rule may be inserted again.
 */
#ifndef PLX_CLASSIFIER_H
#define PLX_CLASSIFIER_H 1

#include <stdbool.h>
#include <stddef.h>
#include "flow.h"
#include "hmap.h"
#include "miniflow.h"
#include "prefix-trie.h"

struct match;

#define CLS_MAX_TRIES 3

/* Fields that prefix tracking can use. */
enum cls_prefix_field {
    CLS_PREFIX_NW_SRC,          /* IPv4 source (and ARP SPA). */
    CLS_PREFIX_NW_DST,          /* IPv4 destination (and ARP TPA). */
    CLS_PREFIX_IPV6_SRC,
    CLS_PREFIX_IPV6_DST,
    CLS_PREFIX_TUN_SRC,         /* Tunnel outer IPv4 source. */
    CLS_PREFIX_TUN_DST,         /* Tunnel outer IPv4 destination. */
    CLS_N_PREFIX_FIELDS
};

const char *cls_prefix_field_name(enum cls_prefix_field);
bool cls_prefix_field_from_name(const char *, enum cls_prefix_field *);

/* A rule, embedded in the user's structure.  Initialize with
 * cls_rule_init(); 'match' and 'priority' must not change while the rule
 * is in a classifier. */
struct cls_rule {
    struct cls_rule *next;      /* RCU.  Same match, lower priority. */
    struct minimatch match;
    int priority;
};

void cls_rule_init(struct cls_rule *, const struct match *, int priority);
void cls_rule_init_from_minimatch(struct cls_rule *,
                                  const struct minimatch *, int priority);
void cls_rule_clone(struct cls_rule *, const struct cls_rule *);
void cls_rule_destroy(struct cls_rule *);
bool cls_rule_equal(const struct cls_rule *, const struct cls_rule *);
bool cls_rule_is_catchall(const struct cls_rule *);
bool cls_rule_matches_flow(const struct cls_rule *, const struct flow *);

struct cls_subtable;
struct cls_subtables;

struct cls_trie {
    enum cls_prefix_field field;
    struct prefix_trie trie;
};

struct classifier {
    struct cls_subtables *subtables;    /* RCU.  Sorted by max priority. */
    unsigned int n_tries;               /* Atomic.  Tries in use. */
    struct cls_trie tries[CLS_MAX_TRIES];

    /* Writer only. */
    struct hmap subtables_map;          /* Indexed by mask hash. */
    size_t n_rules;
    uint32_t next_seq;                  /* Subtable creation order. */
};

/* FIELDS == NULL selects the default, nw_dst and nw_src.  Invalid
 * FIELDS (see classifier_set_prefix_fields()) mean no prefix tracking. */
void classifier_init(struct classifier *, const enum cls_prefix_field *fields,
                     size_t n_fields);
void classifier_destroy(struct classifier *);
bool classifier_set_prefix_fields(struct classifier *,
                                  const enum cls_prefix_field *fields,
                                  size_t n_fields);

void classifier_insert(struct classifier *, struct cls_rule *);
const struct cls_rule *classifier_replace(struct classifier *,
                                          struct cls_rule *);
bool classifier_remove(struct classifier *, const struct cls_rule *);

const struct cls_rule *classifier_lookup(const struct classifier *,
                                         const struct flow *,
                                         struct flow_wildcards *wc);

const struct cls_rule *classifier_find_rule_exactly(
    const struct classifier *, const struct cls_rule *target);
const struct cls_rule *classifier_find_match_exactly(
    const struct classifier *, const struct match *, int priority);
bool classifier_rule_overlaps(const struct classifier *,
                              const struct cls_rule *target);

static inline size_t
classifier_count(const struct classifier *cls)
{
    return cls->n_rules;
}

static inline bool
classifier_is_empty(const struct classifier *cls)
{
    return !cls->n_rules;
}

size_t classifier_n_subtables(const struct classifier *);
size_t classifier_memory_usage(const struct classifier *);

/* Iteration (writer side).  CLS_FOR_EACH visits every rule;
 * CLS_FOR_EACH_TARGET visits the rules that TARGET loosely matches: those
 * whose mask includes every bit of TARGET's mask and whose key agrees
 * with TARGET's on those bits, i.e. rules that match only packets TARGET
 * also matches (OpenFlow's non-strict modify and delete).  TARGET's
 * priority is ignored; a null TARGET visits every rule.  The body may
 * remove the current rule, but must not insert. */
struct cls_cursor {
    const struct classifier *cls;
    const struct cls_rule *target;
    const struct cls_subtable *subtable;
    uint32_t slot;
    const struct cls_rule *rule;
};

struct cls_cursor cls_cursor_start(const struct classifier *,
                                   const struct cls_rule *target);
void cls_cursor_advance(struct cls_cursor *);

#define CLS_FOR_EACH_TARGET(RULE, MEMBER, CLS, TARGET)                  \
    for (struct cls_cursor cursor__ = cls_cursor_start(CLS, TARGET);    \
         (cursor__.rule                                                 \
          ? (INIT_CONTAINER(RULE, cursor__.rule, MEMBER),               \
             cls_cursor_advance(&cursor__), true)                       \
          : false);                                                     \
        )
#define CLS_FOR_EACH(RULE, MEMBER, CLS) \
    CLS_FOR_EACH_TARGET(RULE, MEMBER, CLS, NULL)

#endif /* classifier.h */
