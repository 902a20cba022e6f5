/*
 * match: a flow key plus a mask, the unit the classifier stores.
 *
 * Invariant: every bit that is 0 in 'wc' is 0 in 'flow' too (the match
 * is "normalized"), so two matches are equal exactly when their bytes
 * are.  The match_set_*() setters keep it; code that writes fields
 * directly calls match_normalize() afterwards.
 *
 * Text form: the canonical form is ovs-ofctl's ("tcp,in_port=1,
 * nw_src=10.0.0.0/8,tp_dst=80"): match_format() writes it and
 * match_parse() reads it back, so that every match round-trips.
 */
#ifndef PLX_MATCH_H
#define PLX_MATCH_H 1

#include "flow.h"

struct ds;

struct match {
    struct flow flow;
    struct flow_wildcards wc;
};

void match_init_catchall(struct match *);
void match_init_exact(struct match *, const struct flow *);
void match_normalize(struct match *);
bool match_equal(const struct match *, const struct match *);
uint32_t match_hash(const struct match *, uint32_t basis);

/* Canonical text.  PRIORITY is printed first when it is not
 * the default (32768, as in ovs-ofctl). */
void match_format(const struct match *, int priority, struct ds *);
char *match_to_string(const struct match *, int priority);
/* Parses STRING into MATCH (and *PRIORITY if "priority=" is given and
 * PRIORITY is nonnull).  Returns NULL on success, otherwise an error
 * message the caller frees; MATCH is then unspecified. */
char *match_parse(const char *string, struct match *, int *priority)
    PLX_WARN_UNUSED_RESULT;

#endif /* match.h */
