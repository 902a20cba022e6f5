/* ofproto-flow: a bridge's OpenFlow tables: flow_mod semantics,
 * timeouts, statistics, flushing and failing open (see ofproto.h).
 *
 * Every change to a classifier happens under the backer's write lock,
 * so translation in PMD threads sees a table either before or after a
 * change.  A change bumps the bridge's 'cfg_seq', which makes every
 * megaflow of the bridge stale for the revalidator; ofproto_tables_sync()
 * (run once per batch of OpenFlow messages and before any reply that
 * promises ordering) waits for upcalls in flight and revalidates, so
 * that the next packet follows the new tables. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "match.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "ofproto/ofproto-private.h"
#include "openflow.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_flow);

/* The fail-open rule's priority: above every OpenFlow priority, as Open
 * vSwitch's FAIL_OPEN_PRIORITY. */
#define FAIL_OPEN_PRIORITY 0xf0f0f0

/* How often timeouts are checked, at most. */
#define EXPIRE_INTERVAL_MS 100

void
ofproto_tables_init(struct ofproto *p)
{
    p->tables = xcalloc(OFPROTO_N_TABLES, sizeof *p->tables);
    p->oftables = xcalloc(OFPROTO_N_TABLES, sizeof *p->oftables);
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        classifier_init(&p->tables[i], NULL, 0);
    }
    plx_list_init(&p->expirable);
}

static void
rule_forget(struct rule *rule)
{
    rule->in_table = false;
    plx_list_remove(&rule->expirable_node);
    plx_list_init(&rule->expirable_node);
    rule_unref(rule);
}

/* Removes RULES[0..N-1] from their tables under one write lock. */
static void
remove_rules(struct ofproto *p, struct rule **rules, size_t n)
{
    if (!n) {
        return;
    }
    pthread_rwlock_wrlock(&p->backer->rwlock);
    for (size_t i = 0; i < n; i++) {
        classifier_remove(&p->tables[rules[i]->table_id], &rules[i]->cr);
    }
    p->cfg_seq = ofproto_next_cfg_seq();
    pthread_rwlock_unlock(&p->backer->rwlock);
    p->tables_changed = true;
}

void
ofproto_tables_destroy(struct ofproto *p)
{
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        struct rule *rule;

        CLS_FOR_EACH (rule, cr, &p->tables[i]) {
            classifier_remove(&p->tables[i], &rule->cr);
            rule_forget(rule);
        }
        classifier_destroy(&p->tables[i]);
    }
    p->fail_open_rule = NULL;
    free(p->tables);
    free(p->oftables);
}

void
ofproto_rule_credit(struct rule *rule, uint64_t n_packets, uint64_t n_bytes,
                    long long int used)
{
    if (!(rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
        rule->n_packets += n_packets;
    }
    if (!(rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
        rule->n_bytes += n_bytes;
    }
    if (used > rule->used) {
        rule->used = used;
    }
}

/* Inserts RULE (taking its reference), replacing REPLACED if nonnull. */
static void
insert_rule(struct ofproto *p, struct rule *rule, struct rule *replaced)
{
    pthread_rwlock_wrlock(&p->backer->rwlock);
    if (replaced) {
        classifier_remove(&p->tables[replaced->table_id], &replaced->cr);
    }
    classifier_insert(&p->tables[rule->table_id], &rule->cr);
    p->cfg_seq = ofproto_next_cfg_seq();
    pthread_rwlock_unlock(&p->backer->rwlock);

    rule->in_table = true;
    if (rule->idle_timeout || rule->hard_timeout) {
        plx_list_push_back(&p->expirable, &rule->expirable_node);
    }
    if (replaced) {
        rule_forget(replaced);
    }
    p->tables_changed = true;
}

static struct rule *
add_hidden_rule(struct ofproto *p, int priority, uint32_t port)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct rule *rule;
    struct match match;

    match_init_catchall(&match);
    ofpa_put_output(&ofpacts, port, 0);
    rule = rule_create(&match, priority, 0, ofpacts.data, ofpacts.size);
    ofpa_buf_uninit(&ofpacts);
    insert_rule(p, rule, NULL);
    return rule;
}

void
ofproto_flush_flows(struct ofproto *p)
{
    struct rule **rules = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        struct rule *rule;

        CLS_FOR_EACH (rule, cr, &p->tables[i]) {
            if (!rule_is_hidden(rule)) {
                if (n >= allocated) {
                    rules = x2nrealloc(rules, &allocated, sizeof *rules);
                }
                rules[n++] = rule;
            }
        }
    }
    remove_rules(p, rules, n);
    for (size_t i = 0; i < n; i++) {
        rule_forget(rules[i]);
    }
    free(rules);

    if (p->fail_mode == OFPROTO_FAIL_STANDALONE && !p->has_controllers) {
        add_hidden_rule(p, 0, MF_OFPP_NORMAL);
    }
}

void
ofproto_set_fail_open(struct ofproto *p, bool fail_open)
{
    if (fail_open == p->fail_open) {
        return;
    }
    p->fail_open = fail_open;
    if (fail_open) {
        VLOG_WARN("%s: no controller reachable: failing open (NORMAL)",
                  p->name);
        p->fail_open_rule = add_hidden_rule(p, FAIL_OPEN_PRIORITY,
                                            MF_OFPP_NORMAL);
    } else if (p->fail_open_rule) {
        VLOG_INFO("%s: controller connected: leaving fail-open mode",
                  p->name);
        remove_rules(p, &p->fail_open_rule, 1);
        rule_forget(p->fail_open_rule);
        p->fail_open_rule = NULL;
    }
}

void
ofproto_tables_sync(struct ofproto *p)
{
    if (p->tables_changed) {
        p->tables_changed = false;
        ofproto_revalidator_sync(p->backer);
    }
}

/* ------------------------------------------------------------------ */
/* Flow mods. */

/* Checks what a list refers to: groups and meters that exist, fields
 * translation can set. */
enum ofperr
ofproto_check_action_refs(const struct ofproto *p, const void *ofpacts,
                          size_t len)
{
    const struct ofpa *a;

    OFPA_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPA_GROUP
            && !ofproto_group_exists(p, OFPA_CAST(ofpa_group, a)->group_id)) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        } else if (a->type == OFPA_METER
                   && !ofproto_meter_exists(p,
                                            OFPA_CAST(ofpa_meter, a)->meter_id)) {
            return OFPERR_OFPMMFC_INVALID_METER;
        } else if (a->type == OFPA_SET_FIELD
                   && !xlate_field_is_settable(
                       OFPA_CAST(ofpa_set_field, a)->field)) {
            return OFPERR_OFPBAC_BAD_SET_TYPE;
        } else if (a->type == OFPA_WRITE_ACTIONS) {
            const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
            enum ofperr error = ofproto_check_action_refs(
                p, ofpa_nest_actions(n), ofpa_nest_size(n));
            if (error) {
                return error;
            }
        }
    }
    return 0;
}

/* Checks FM's actions as Open vSwitch does before accepting them for
 * TABLE_ID; on success OFPACTS holds the checked copy. */
static enum ofperr
check_actions(const struct ofproto *p, const struct ofputil_flow_mod *fm,
              uint8_t table_id, int version, struct ofpa_buf *ofpacts)
{
    enum ofperr error;

    ofpa_buf_clear(ofpacts);
    if (fm->ofpacts_len) {
        /* A raw copy: ofpacts_check() records what it learns in it. */
        const struct ofpa *a;

        OFPA_FOR_EACH (a, fm->ofpacts, fm->ofpacts_len) {
            memcpy(ofpa_put(ofpacts, a->type, a->len), a, a->len);
        }
    }
    error = ofpacts_check(ofpacts->data, ofpacts->size, &fm->match,
                          OFPROTO_MAX_PORTS, table_id,
                          OFPROTO_N_OPENFLOW_TABLES, version);
    if (!error) {
        error = ofproto_check_action_refs(p, ofpacts->data, ofpacts->size);
    }
    return error;
}

static bool
cookie_matches(const struct rule *rule, const struct ofputil_flow_mod *fm)
{
    return !((rule->cookie ^ fm->cookie) & fm->cookie_mask);
}

struct rule_set {
    struct rule **rules;
    size_t n, allocated;
};

static void
rule_set_add(struct rule_set *set, struct rule *rule)
{
    if (set->n >= set->allocated) {
        set->rules = x2nrealloc(set->rules, &set->allocated,
                                sizeof *set->rules);
    }
    set->rules[set->n++] = rule;
}

/* The rules FM selects: strictly (same match and priority) or loosely
 * (every rule the match covers), in one table or all of them, with the
 * cookie and, for deletes, out_port/out_group filters.  Hidden rules
 * are never selected. */
static enum ofperr
collect_rules(const struct ofproto *p, const struct ofputil_flow_mod *fm,
              bool strict, bool filter_out, struct rule_set *set)
{
    struct cls_rule target;
    size_t first, last;

    if (fm->table_id == OFPTT_ALL) {
        first = 0;
        last = OFPROTO_N_OPENFLOW_TABLES - 1;
    } else if (fm->table_id < OFPROTO_N_OPENFLOW_TABLES) {
        first = last = fm->table_id;
    } else {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }

    cls_rule_init(&target, &fm->match, fm->priority);
    for (size_t t = first; t <= last; t++) {
        const struct classifier *cls = &p->tables[t];
        struct rule *rule;

        if (classifier_is_empty(cls)) {
            continue;
        }
        if (strict) {
            rule = (struct rule *) (rule_from_cls_rule(
                                  classifier_find_rule_exactly(cls,
                                                               &target)));
            if (rule && !rule_is_hidden(rule) && cookie_matches(rule, fm)
                && (!filter_out
                    || (rule_has_out_port(rule, fm->out_port)
                        && rule_has_out_group(rule, fm->out_group)))) {
                rule_set_add(set, rule);
            }
        } else {
            CLS_FOR_EACH_TARGET (rule, cr, cls, &target) {
                if (!rule_is_hidden(rule) && cookie_matches(rule, fm)
                    && (!filter_out
                        || (rule_has_out_port(rule, fm->out_port)
                            && rule_has_out_group(rule, fm->out_group)))) {
                    rule_set_add(set, rule);
                }
            }
        }
    }
    cls_rule_destroy(&target);
    return 0;
}

static enum ofperr
add_flow(struct ofproto *p, const struct ofputil_flow_mod *fm, int version)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    uint8_t table_id = fm->table_id;
    struct rule *rule, *old;
    struct cls_rule target;
    enum ofperr error;

    if (table_id == OFPTT_ALL) {
        /* As Open vSwitch: an add for "all tables" goes to table 0. */
        table_id = 0;
    } else if (table_id >= OFPROTO_N_OPENFLOW_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }

    error = check_actions(p, fm, table_id, version, &ofpacts);
    if (error) {
        ofpa_buf_uninit(&ofpacts);
        return error;
    }

    cls_rule_init(&target, &fm->match, fm->priority);
    if (fm->flags & OFPUTIL_FF_CHECK_OVERLAP
        && classifier_rule_overlaps(&p->tables[table_id], &target)) {
        cls_rule_destroy(&target);
        ofpa_buf_uninit(&ofpacts);
        return OFPERR_OFPFMFC_OVERLAP;
    }
    old = (struct rule *) (rule_from_cls_rule(
                         classifier_find_rule_exactly(&p->tables[table_id],
                                                      &target)));
    cls_rule_destroy(&target);

    rule = rule_create(&fm->match, fm->priority, table_id, ofpacts.data,
                       ofpacts.size);
    ofpa_buf_uninit(&ofpacts);
    rule->cookie = fm->new_cookie;
    rule->flags = fm->flags & (OFPUTIL_FF_SEND_FLOW_REM
                               | OFPUTIL_FF_NO_PKT_COUNTS
                               | OFPUTIL_FF_NO_BYT_COUNTS);
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    if (old && !(fm->flags & OFPUTIL_FF_RESET_COUNTS)) {
        /* OpenFlow 1.3.1+, 6.4: the duration restarts, the counters are
         * carried over unless asked to reset. */
        rule->n_packets = old->n_packets;
        rule->n_bytes = old->n_bytes;
    }
    insert_rule(p, rule, old);
    return 0;
}

static enum ofperr
modify_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict, int version)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct rule_set set = { NULL, 0, 0 };
    struct rule_actions **old;
    long long int now = time_msec();
    enum ofperr error;

    error = collect_rules(p, fm, strict, false, &set);
    if (error) {
        return error;
    }
    if (!set.n) {
        free(set.rules);
        /* As Open vSwitch: a modify that selects nothing adds the flow,
         * unless it selected by cookie. */
        return fm->cookie_mask ? 0 : add_flow(p, fm, version);
    }

    error = check_actions(p, fm, fm->table_id == OFPTT_ALL ? 0 : fm->table_id,
                          version, &ofpacts);
    if (error) {
        ofpa_buf_uninit(&ofpacts);
        free(set.rules);
        return error;
    }

    old = xcalloc(set.n, sizeof *old);
    pthread_rwlock_wrlock(&p->backer->rwlock);
    for (size_t i = 0; i < set.n; i++) {
        struct rule *rule = set.rules[i];

        old[i] = rule->actions;
        rule->actions = rule_actions_create(ofpacts.data, ofpacts.size);
        if (fm->modify_cookie) {
            rule->cookie = fm->new_cookie;
        }
    }
    p->cfg_seq = ofproto_next_cfg_seq();
    pthread_rwlock_unlock(&p->backer->rwlock);

    for (size_t i = 0; i < set.n; i++) {
        struct rule *rule = set.rules[i];

        rule_actions_destroy(old[i]);
        rule->modified = now;
        if (rule->used < now) {
            rule->used = now;
        }
        if (fm->flags & OFPUTIL_FF_RESET_COUNTS) {
            rule->n_packets = rule->n_bytes = 0;
        }
    }
    p->tables_changed = true;
    free(old);
    free(set.rules);
    ofpa_buf_uninit(&ofpacts);
    return 0;
}

static void
delete_rules(struct ofproto *p, struct rule **rules, size_t n,
             uint8_t reason)
{
    remove_rules(p, rules, n);
    for (size_t i = 0; i < n; i++) {
        struct rule *rule = rules[i];

        if (rule->flags & OFPUTIL_FF_SEND_FLOW_REM && p->flow_removed) {
            p->flow_removed(p, rule, reason);
        }
        rule_forget(rule);
    }
}

static enum ofperr
delete_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict)
{
    struct rule_set set = { NULL, 0, 0 };
    enum ofperr error;

    error = collect_rules(p, fm, strict, true, &set);
    if (!error) {
        delete_rules(p, set.rules, set.n, RULE_RR_DELETE);
    }
    free(set.rules);
    return error;
}

enum ofperr
ofproto_flow_mod(struct ofproto *p, const struct ofputil_flow_mod *fm,
                 int version)
{
    enum ofperr error;

    switch (fm->command) {
    case OFPUTIL_FC_ADD:
        error = add_flow(p, fm, version);
        break;
    case OFPUTIL_FC_MODIFY:
    case OFPUTIL_FC_MODIFY_STRICT:
        error = modify_flows(p, fm, fm->command == OFPUTIL_FC_MODIFY_STRICT,
                             version);
        break;
    case OFPUTIL_FC_DELETE:
    case OFPUTIL_FC_DELETE_STRICT:
        error = delete_flows(p, fm, fm->command == OFPUTIL_FC_DELETE_STRICT);
        break;
    default:
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
    if (!error && fm->buffer_id != OFP_NO_BUFFER
        && fm->command <= OFPUTIL_FC_MODIFY_STRICT) {
        /* Plexus buffers no packets (n_buffers is 0), as Open vSwitch. */
        error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }
    return error;
}

/* The OpenFlow rules for which PRED(rule, ID) holds. */
static void
select_rules(const struct ofproto *p,
             bool (*pred)(const struct rule *, uint32_t), uint32_t id,
             struct rule_set *set)
{
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        struct rule *rule;

        CLS_FOR_EACH (rule, cr, &p->tables[t]) {
            if (!rule_is_hidden(rule) && pred(rule, id)) {
                rule_set_add(set, rule);
            }
        }
    }
}

/* Deletes the rules for which PRED(rule, ID) holds, for REASON. */
static void
delete_rules_using(struct ofproto *p,
                   bool (*pred)(const struct rule *, uint32_t), uint32_t id,
                   uint8_t reason)
{
    struct rule_set set = { NULL, 0, 0 };

    select_rules(p, pred, id, &set);
    delete_rules(p, set.rules, set.n, reason);
    free(set.rules);
}

void
ofproto_delete_flows_to_group(struct ofproto *p, uint32_t group_id)
{
    delete_rules_using(p, rule_has_out_group, group_id,
                       RULE_RR_GROUP_DELETE);
}

void
ofproto_delete_flows_to_meter(struct ofproto *p, uint32_t meter_id)
{
    delete_rules_using(p, rule_has_meter, meter_id, RULE_RR_METER_DELETE);
}

uint32_t
ofproto_meter_ref_count(const struct ofproto *p, uint32_t meter_id)
{
    struct rule_set set = { NULL, 0, 0 };

    select_rules(p, rule_has_meter, meter_id, &set);
    free(set.rules);
    return set.n;
}

/* Removes the rules whose timeouts expired, reporting them. */
void
ofproto_expire_rules(struct ofproto *p, long long int now)
{
    struct rule_set idle = { NULL, 0, 0 }, hard = { NULL, 0, 0 };
    struct rule *rule;

    LIST_FOR_EACH (rule, expirable_node, &p->expirable) {
        if (rule->hard_timeout
            && now >= rule->modified + rule->hard_timeout * 1000LL) {
            rule_set_add(&hard, rule);
        } else if (rule->idle_timeout
                   && now >= rule->used + rule->idle_timeout * 1000LL) {
            rule_set_add(&idle, rule);
        }
    }
    delete_rules(p, hard.rules, hard.n, RULE_RR_HARD_TIMEOUT);
    delete_rules(p, idle.rules, idle.n, RULE_RR_IDLE_TIMEOUT);
    free(hard.rules);
    free(idle.rules);
}

void
ofproto_expire_wait(const struct ofproto *p)
{
    if (!plx_list_is_empty(&p->expirable)) {
        poll_timer_wait(EXPIRE_INTERVAL_MS);
    }
}

/* ------------------------------------------------------------------ */
/* Statistics. */

void
ofproto_collect_flows(struct ofproto *p,
                      const struct ofputil_flow_stats_request *req,
                      void (*cb)(const struct rule *, void *aux), void *aux)
{
    struct ofputil_flow_mod fm;
    struct rule_set set = { NULL, 0, 0 };

    /* Bring the counters up to date first. */
    ofproto_revalidator_run_now(p->backer);

    memset(&fm, 0, sizeof fm);
    fm.match = req->match;
    fm.table_id = req->table_id;
    fm.cookie = req->cookie;
    fm.cookie_mask = req->cookie_mask;
    fm.out_port = req->out_port;
    fm.out_group = req->out_group;
    if (!collect_rules(p, &fm, false, true, &set)) {
        for (size_t i = 0; i < set.n; i++) {
            cb(set.rules[i], aux);
        }
    }
    free(set.rules);
}

bool
ofproto_table_id_is_valid(uint8_t table_id)
{
    return table_id < OFPROTO_N_OPENFLOW_TABLES || table_id == OFPTT_ALL;
}
