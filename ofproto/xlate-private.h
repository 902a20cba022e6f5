/*
 * xlate-private: what the parts of translation share (xlate.c, the
 * pipeline and actions; xlate-group.c, groups; xlate-ct.c, conntrack and
 * recirculation).  Not for use outside ofproto/xlate*.c.
 *
 * struct xctx is one translation in progress; see xlate.h for what
 * translation promises.  Every function here appends datapath actions to
 * ctx->odp and ORs what it depended on into ctx->wc.
 */
#ifndef PLX_XLATE_PRIVATE_H
#define PLX_XLATE_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "ofp-actions.h"
#include "ofproto/xlate.h"

/* Nesting of goto_table, groups and output:TABLE. */
#define XLATE_MAX_DEPTH 64

struct xctx {
    const struct xlate_in *xin;
    const struct xlate_bridge *xb;
    struct odp_buf *odp;
    struct flow_wildcards *wc;
    struct xlate_out *xout;

    /* 'flow' is the packet as the OpenFlow actions so far made it;
     * 'base' is the packet as the datapath actions emitted so far leave
     * it.  An output first commits the difference (xlate_commit()).  Every
     * action that writes a field un-wildcards it, so the comparison
     * that xlate_commit() makes never depends on an unmatched input bit. */
    struct flow flow;
    struct flow base;

    struct ofpa_buf action_set;     /* OpenFlow 1.3 write_actions. */
    const struct rule *rule;        /* The rule being executed, or NULL. */
    uint8_t table_id;
    int depth;
    bool exit;                      /* Stop: the pipeline ended. */
    bool vlan_edited;               /* Emitted a push or pop. */
    bool normal_output;             /* NORMAL output something. */

    /* Outputs to ports so far, and the last port output to. */
    uint32_t n_outputs;
    ofp_port_t last_output;
    /* Offsets in 'odp' of the bridge samples' cookies, whose 'output'
     * is filled in once translation is done. */
    size_t sample_ofs[2];
    size_t n_sample_ofs;
};

/* Emits the datapath set and VLAN actions that make the packet what
 * ctx->flow says (with OUTER as the outer VLAN header wanted, or the
 * flow's own if NULL). */
void xlate_commit(struct xctx *, const union flow_vlan_hdr *outer);
/* Runs the LEN bytes of OpenFlow actions OFPACTS. */
void xlate_do_actions(struct xctx *, const void *ofpacts, size_t len);

/* True if F is a first (or only) IP fragment with TCP, UDP or SCTP
 * ports. */
bool xlate_is_l4_with_ports(const struct flow *);

/* xlate-group.c: OpenFlow "group:GROUP_ID". */
void xlate_group(struct xctx *, uint32_t group_id);

/* xlate-ct.c: "ct(...)" and "ct_clear". */
void xlate_conntrack(struct xctx *, const struct ofpa_conntrack *);
void xlate_ct_clear(struct xctx *);

#endif /* xlate-private.h */
