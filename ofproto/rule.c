/* rule: OpenFlow flow-table entries (see rule.h). */
#include <config.h>
#include "ofproto/rule.h"

#include <stdlib.h>
#include <string.h>
#include "match.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"

struct rule_actions *
rule_actions_create(const void *ofpacts, size_t len)
{
    struct rule_actions *a = xzalloc(sizeof *a + ROUND_UP(len, 8));

    a->ofpacts_len = len;
    if (len) {
        memcpy(a->ofpacts, ofpacts, len);
    }
    return a;
}

void
rule_actions_destroy(struct rule_actions *a)
{
    free(a);
}

struct rule *
rule_create(const struct match *match, int priority, uint8_t table_id,
            const void *ofpacts, size_t ofpacts_len)
{
    struct rule *rule = xzalloc(sizeof *rule);
    long long int now = time_msec();

    cls_rule_init(&rule->cr, match, priority);
    rule->table_id = table_id;
    rule->actions = rule_actions_create(ofpacts, ofpacts_len);
    rule->refcount = 1;
    rule->created = rule->modified = rule->used = now;
    plx_list_init(&rule->expirable_node);
    return rule;
}

struct rule *
rule_ref(struct rule *rule)
{
    rule->refcount++;
    return rule;
}

static void
rule_free_cb(struct rule *rule)
{
    cls_rule_destroy(&rule->cr);
    rule_actions_destroy(rule->actions);
    free(rule);
}

void
rule_unref(struct rule *rule)
{
    if (rule) {
        plx_assert(rule->refcount > 0);
        if (!--rule->refcount) {
            rcu_postpone(rule_free_cb, rule);
        }
    }
}

static bool
ofpacts_output_to(const void *ofpacts, size_t len, bool group, uint32_t id)
{
    const struct ofpa *a;

    OFPA_FOR_EACH (a, ofpacts, len) {
        switch (a->type) {
        case OFPA_OUTPUT:
            if (!group && OFPA_CAST(ofpa_output, a)->port == id) {
                return true;
            }
            break;
        case OFPA_ENQUEUE:
            if (!group && OFPA_CAST(ofpa_enqueue, a)->port == id) {
                return true;
            }
            break;
        case OFPA_GROUP:
            if (group && OFPA_CAST(ofpa_group, a)->group_id == id) {
                return true;
            }
            break;
        case OFPA_WRITE_ACTIONS: {
            const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
            if (ofpacts_output_to(ofpa_nest_actions(n), ofpa_nest_size(n),
                                  group, id)) {
                return true;
            }
            break;
        }
        default:
            break;
        }
    }
    return false;
}

bool
rule_has_out_port(const struct rule *rule, uint32_t port)
{
    return (port == MF_OFPP_ANY
            || ofpacts_output_to(rule->actions->ofpacts,
                                 rule->actions->ofpacts_len, false, port));
}

bool
rule_has_out_group(const struct rule *rule, uint32_t group)
{
    return (group == 0xffffffffu
            || ofpacts_output_to(rule->actions->ofpacts,
                                 rule->actions->ofpacts_len, true, group));
}

bool
rule_has_meter(const struct rule *rule, uint32_t meter_id)
{
    const struct ofpa *a;

    OFPA_FOR_EACH (a, rule->actions->ofpacts, rule->actions->ofpacts_len) {
        if (a->type == OFPA_METER
            && OFPA_CAST(ofpa_meter, a)->meter_id == meter_id) {
            return true;
        }
    }
    return false;
}
