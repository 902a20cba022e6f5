/* dpcls: the megaflow cache; see dpcls.h. */
#include <config.h>
#include "dpcls.h"
#include <errno.h>
#include "match.h"

void
dpcls_init(struct dpcls *dpcls)
{
    /* A non-null, empty field list: no prefix tries. */
    static const enum cls_prefix_field no_fields[1];

    classifier_init(&dpcls->cls, no_fields, 0);
}

/* Removes every flow (as dpcls_remove()) and frees the cache. */
void
dpcls_destroy(struct dpcls *dpcls)
{
    if (dpcls) {
        dpcls_flush(dpcls);
        classifier_destroy(&dpcls->cls);
    }
}

/* Inserts FLOW, taking a reference to it.  Returns 0, EEXIST if a flow
 * with the same match is installed, or EINVAL if FLOW is dead (it was
 * removed before: a removed flow never comes back, so that an exact-match
 * cache entry that still points to it stays a miss). */
int
dpcls_insert(struct dpcls *dpcls, struct dp_flow *flow)
{
    if (dp_flow_is_dead(flow)) {
        return EINVAL;
    }
    if (classifier_find_rule_exactly(&dpcls->cls, &flow->cr)) {
        return EEXIST;
    }
    dp_flow_ref(flow);
    classifier_insert(&dpcls->cls, &flow->cr);
    return 0;
}

/* Inserts FLOW, taking a reference to it, in place of the installed flow
 * with the same match if there is one: that flow is then marked dead and
 * returned, with the cache's reference passed to the caller (who drops it
 * with dp_flow_unref()).  Returns NULL if no flow had FLOW's match.  FLOW
 * must not be dead. */
struct dp_flow *
dpcls_replace(struct dpcls *dpcls, struct dp_flow *flow)
{
    const struct cls_rule *old_cr;

    plx_assert(!dp_flow_is_dead(flow));
    dp_flow_ref(flow);
    old_cr = classifier_replace(&dpcls->cls, &flow->cr);
    if (!old_cr) {
        return NULL;
    }

    struct dp_flow *old = CONTAINER_OF(old_cr, struct dp_flow, cr);
    dp_flow_mark_dead(old);
    return old;
}

/* Removes FLOW, marks it dead and drops the cache's reference.  Returns
 * false (and does nothing) if FLOW is not in DPCLS. */
bool
dpcls_remove(struct dpcls *dpcls, struct dp_flow *flow)
{
    if (dp_flow_is_dead(flow) || !classifier_remove(&dpcls->cls, &flow->cr)) {
        return false;
    }
    dp_flow_mark_dead(flow);
    dp_flow_unref(flow);
    return true;
}

void
dpcls_flush(struct dpcls *dpcls)
{
    struct dp_flow *flow;

    DPCLS_FOR_EACH (flow, dpcls) {
        dpcls_remove(dpcls, flow);
    }
}

/* Writer side: the installed flow whose match equals MATCH, or NULL. */
struct dp_flow *
dpcls_find(const struct dpcls *dpcls, const struct match *match)
{
    const struct cls_rule *cr;

    cr = classifier_find_match_exactly(&dpcls->cls, match, 0);
    return cr ? CONTAINER_OF(cr, struct dp_flow, cr) : NULL;
}
