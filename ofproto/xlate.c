/* xlate: flow translation for a bridge (see xlate.h). */
#include <config.h>
#include "ofproto/xlate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "datapath/odp-actions.h"
#include "hash.h"
#include "match.h"
#include "meta-flow.h"
#include "ofproto/mac-learning.h"
#include "packets.h"
#include "util.h"

#define VLAN_N_IDS 4096

/* ------------------------------------------------------------------ */
/* Rules. */

struct xlate_rule *
xlate_rule_create(const struct match *match, int priority,
                  const void *ofpacts, size_t ofpacts_len)
{
    struct xlate_rule *rule = xzalloc(sizeof *rule
                                      + ROUND_UP(ofpacts_len, 8));

    cls_rule_init(&rule->cr, match, priority);
    rule->ofpacts_len = ofpacts_len;
    if (ofpacts_len) {
        memcpy(rule->ofpacts, ofpacts, ofpacts_len);
    }
    return rule;
}

void
xlate_rule_destroy(struct xlate_rule *rule)
{
    if (rule) {
        cls_rule_destroy(&rule->cr);
        free(rule);
    }
}

/* ------------------------------------------------------------------ */
/* Snapshots. */

struct xlate_bridge *
xlate_bridge_create(const char *name, const struct classifier *table,
                    struct mac_learning *ml)
{
    struct xlate_bridge *xb = xzalloc(sizeof *xb);

    xb->name = xstrdup(name);
    xb->table = table;
    xb->ml = ml;
    hmap_init(&xb->ports);
    return xb;
}

static void
xlate_bundle_destroy(struct xlate_bundle *b)
{
    free(b->name);
    bitmap_free(b->trunks);
    free(b->members);
    free(b);
}

void
xlate_bridge_destroy(struct xlate_bridge *xb)
{
    struct xlate_port *port;

    if (!xb) {
        return;
    }
    HMAP_FOR_EACH_POP (port, node, &xb->ports) {
        free(port->name);
        free(port);
    }
    hmap_destroy(&xb->ports);
    for (size_t i = 0; i < xb->n_bundles; i++) {
        xlate_bundle_destroy(xb->bundles[i]);
    }
    free(xb->bundles);
    free(xb->name);
    free(xb);
}

static struct xlate_port *
find_port__(const struct xlate_bridge *xb, ofp_port_t ofp_port)
{
    struct xlate_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(ofp_port, 0),
                             &xb->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

const struct xlate_port *
xlate_bridge_find_port(const struct xlate_bridge *xb, ofp_port_t ofp_port)
{
    return find_port__(xb, ofp_port);
}

int
xlate_bridge_add_port(struct xlate_bridge *xb, ofp_port_t ofp_port,
                      odp_port_t odp_port, const char *name)
{
    struct xlate_port *port;

    if (xlate_bridge_find_port(xb, ofp_port)) {
        return EEXIST;
    }
    port = xzalloc(sizeof *port);
    port->ofp_port = ofp_port;
    port->odp_port = odp_port;
    port->name = xstrdup(name);
    hmap_insert(&xb->ports, &port->node, hash_int(ofp_port, 0));
    return 0;
}

/* Flood order: by first member; bundles without members last. */
static int
bundle_order(const struct xlate_bundle *a, const struct xlate_bundle *b)
{
    if (a->n_members && b->n_members) {
        ofp_port_t pa = a->members[0]->ofp_port;
        ofp_port_t pb = b->members[0]->ofp_port;
        return pa < pb ? -1 : pa > pb;
    }
    return (int) !a->n_members - (int) !b->n_members;
}

/* The effective 'trunks' of a bundle, as Open vSwitch derives it (NULL
 * for all VLANs). */
static unsigned long *
effective_trunks(enum port_vlan_mode mode, int vlan,
                 const unsigned long *trunks)
{
    unsigned long *t;

    switch (mode) {
    case PORT_VLAN_ACCESS:
        return NULL;
    case PORT_VLAN_TRUNK:
        return trunks ? bitmap_clone(trunks, VLAN_N_IDS) : NULL;
    case PORT_VLAN_NATIVE_TAGGED:
    case PORT_VLAN_NATIVE_UNTAGGED:
    default:
        if (vlan != 0 && (!trunks || !bitmap_is_set(trunks, vlan)
                          || bitmap_is_set(trunks, 0))) {
            /* Force trunking the native VLAN, never VLAN 0. */
            t = (trunks ? bitmap_clone(trunks, VLAN_N_IDS)
                 : bitmap_allocate1(VLAN_N_IDS));
            bitmap_set1(t, vlan);
            bitmap_set0(t, 0);
            return t;
        }
        return trunks ? bitmap_clone(trunks, VLAN_N_IDS) : NULL;
    }
}

int
xlate_bridge_add_bundle(struct xlate_bridge *xb, const char *name,
                        enum port_vlan_mode mode, int vlan,
                        const unsigned long *trunks,
                        const ofp_port_t *members, size_t n_members)
{
    struct xlate_bundle *b;
    size_t i;

    if (vlan < -1 || vlan >= VLAN_N_IDS
        || (mode != PORT_VLAN_ACCESS && mode != PORT_VLAN_TRUNK
            && mode != PORT_VLAN_NATIVE_TAGGED
            && mode != PORT_VLAN_NATIVE_UNTAGGED)) {
        return EINVAL;
    }
    for (i = 0; i < n_members; i++) {
        const struct xlate_port *p = xlate_bridge_find_port(xb, members[i]);
        if (!p || p->bundle) {
            return EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (members[j] == members[i]) {
                return EINVAL;
            }
        }
    }

    b = xzalloc(sizeof *b);
    b->name = xstrdup(name ? name : "");
    b->vlan_mode = mode;
    b->vlan = (mode == PORT_VLAN_TRUNK ? -1 : vlan >= 0 ? vlan : 0);
    b->trunks = effective_trunks(mode, b->vlan, trunks);
    b->members = xcalloc(n_members ? n_members : 1, sizeof *b->members);
    b->n_members = n_members;
    for (i = 0; i < n_members; i++) {
        struct xlate_port *p = find_port__(xb, members[i]);
        p->bundle = b;
        b->members[i] = p;
    }

    /* Insertion sort into flood order. */
    xb->bundles = xrealloc(xb->bundles,
                           (xb->n_bundles + 1) * sizeof *xb->bundles);
    for (i = xb->n_bundles; i > 0 && bundle_order(b, xb->bundles[i - 1]) < 0;
         i--) {
        xb->bundles[i] = xb->bundles[i - 1];
    }
    xb->bundles[i] = b;
    xb->n_bundles++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Translation. */

/* The VLAN of a packet inside the bridge (Open vSwitch's xvlan, outer
 * header only). */
struct xvlan {
    uint16_t tpid;              /* Host order; 0 for "none yet". */
    uint16_t vid;
    uint16_t pcp;               /* Already shifted into place (0xe000). */
};

struct xctx {
    const struct xlate_in *xin;
    const struct xlate_bridge *xb;
    const struct flow *flow;
    struct odp_buf *odp;
    struct flow_wildcards *wc;
    struct xlate_out *xout;

    union flow_vlan_hdr base;   /* Outer VLAN header the packet now has. */
    bool vlan_edited;           /* Emitted a push or pop. */
    bool normal_output;         /* NORMAL output something. */
};

static bool
bundle_trunks_vlan(const struct xlate_bundle *b, uint16_t vlan)
{
    return (b->vlan_mode != PORT_VLAN_ACCESS
            && (!b->trunks || bitmap_is_set(b->trunks, vlan)));
}

static bool
bundle_includes_vlan(const struct xlate_bundle *b, uint16_t vlan)
{
    return (b->vlan_mode == PORT_VLAN_ACCESS
            ? vlan == b->vlan
            : bundle_trunks_vlan(b, vlan));
}

static bool
input_vid_is_valid(const struct xlate_bundle *b, uint16_t vid)
{
    switch (b->vlan_mode) {
    case PORT_VLAN_ACCESS:
        return vid == 0;
    case PORT_VLAN_NATIVE_TAGGED:
    case PORT_VLAN_NATIVE_UNTAGGED:
        if (!vid) {
            return true;
        }
        return bundle_trunks_vlan(b, vid);
    case PORT_VLAN_TRUNK:
    default:
        return bundle_trunks_vlan(b, vid);
    }
}

static void
xvlan_extract(const struct flow *flow, struct xvlan *xv)
{
    plx_be16 tci = flow->vlans[0].tci;

    if (tci & htons(VLAN_CFI)) {
        xv->tpid = ntohs(flow->vlans[0].tpid);
        xv->vid = vlan_tci_to_vid(tci);
        xv->pcp = ntohs(tci) & VLAN_PCP_MASK;
    } else {
        memset(xv, 0, sizeof *xv);
    }
}

static void
xvlan_input_translate(const struct xlate_bundle *b, const struct xvlan *in,
                      struct xvlan *xv)
{
    *xv = *in;
    if (b->vlan_mode == PORT_VLAN_ACCESS
        || (b->vlan_mode != PORT_VLAN_TRUNK && !in->vid)) {
        xv->tpid = in->tpid ? in->tpid : ETH_TYPE_VLAN_8021Q;
        xv->vid = b->vlan;
    }
}

/* The outer VLAN header with which bundle B should get a frame in
 * internal VLAN XV. */
static union flow_vlan_hdr
xvlan_output_header(const struct xlate_bundle *b, const struct xvlan *xv)
{
    union flow_vlan_hdr hdr = { .qtag = 0 };
    uint16_t tci;

    if (b->vlan_mode == PORT_VLAN_ACCESS
        || (b->vlan_mode == PORT_VLAN_NATIVE_UNTAGGED && xv->vid == b->vlan)) {
        return hdr;
    }
    tci = xv->vid | xv->pcp;
    if (tci) {
        hdr.tpid = htons(xv->tpid ? xv->tpid : ETH_TYPE_VLAN_8021Q);
        hdr.tci = htons(tci | VLAN_CFI);
    }
    return hdr;
}

/* Outputs to PORT a frame whose outer VLAN header is WANT, editing the
 * VLAN only if the packet's current header differs. */
static void
output_port(struct xctx *ctx, const struct xlate_port *port,
            union flow_vlan_hdr want)
{
    if (ctx->base.qtag != want.qtag) {
        if (ctx->base.qtag) {
            odp_put_pop_vlan(ctx->odp);
        }
        if (want.qtag) {
            odp_put_push_vlan(ctx->odp, want.tpid, want.tci);
        }
        ctx->base = want;
        ctx->vlan_edited = true;
    }
    odp_put_output(ctx->odp, port->odp_port);
}

static void
output_normal(struct xctx *ctx, const struct xlate_bundle *b,
              const struct xvlan *xv)
{
    if (b->n_members) {
        output_port(ctx, b->members[0], xvlan_output_header(b, xv));
        ctx->normal_output = true;
    }
}

/* A VM announces with a gratuitous ARP that it moved (a broadcast ARP
 * reply, or a broadcast request whose sender and target IP are equal). */
static bool
is_gratuitous_arp(const struct flow *flow, struct flow_wildcards *wc)
{
    wc->masks.dl_type = UINT16_MAX;
    if (flow->dl_type != htons(ETH_TYPE_ARP)) {
        return false;
    }
    memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
    if (!eth_addr_is_broadcast(flow->dl_dst)) {
        return false;
    }
    wc->masks.nw_proto = 0xff;
    if (flow->nw_proto == ARP_OP_REPLY) {
        return true;
    } else if (flow->nw_proto == ARP_OP_REQUEST) {
        wc->masks.nw_src = UINT32_MAX;
        wc->masks.nw_dst = UINT32_MAX;
        return flow->nw_src == flow->nw_dst;
    }
    return false;
}

static void
normal_drop(struct xctx *ctx, const char *reason)
{
    ctx->xout->drop_reason = reason;
}

static void
xlate_normal(struct xctx *ctx)
{
    const struct flow *flow = ctx->flow;
    struct flow_wildcards *wc = ctx->wc;
    struct mac_learning *ml = ctx->xb->ml;
    const struct xlate_port *in_port, *out_port;
    const struct xlate_bundle *in_bundle;
    struct xvlan in_xv, xv;
    uint32_t mac_port;
    bool grat_arp;

    memset(&wc->masks.dl_src, 0xff, sizeof wc->masks.dl_src);
    memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
    wc->masks.vlans[0].tci |= htons(VLAN_VID_MASK | VLAN_CFI);

    in_port = xlate_bridge_find_port(ctx->xb, flow->in_port);
    in_bundle = in_port ? in_port->bundle : NULL;
    if (!in_bundle) {
        normal_drop(ctx, "no input bundle");
        return;
    }
    if (eth_type_vlan(flow->dl_type)
        && !(flow->vlans[0].tci & htons(VLAN_CFI))) {
        normal_drop(ctx, "partial VLAN tag");
        return;
    }

    xvlan_extract(flow, &in_xv);
    if (!input_vid_is_valid(in_bundle, in_xv.vid)) {
        normal_drop(ctx, "VLAN not admitted by the input bundle");
        return;
    }
    xvlan_input_translate(in_bundle, &in_xv, &xv);

    if (eth_addr_is_reserved(flow->dl_dst)) {
        normal_drop(ctx, "reserved multicast destination");
        return;
    }

    /* Learn the source. */
    grat_arp = is_gratuitous_arp(flow, wc);
    if (mac_learning_may_learn(flow->dl_src, xv.vid)) {
        struct xlate_out *xout = ctx->xout;

        xout->learn = true;
        xout->learn_port = flow->in_port;
        xout->learn_mac = flow->dl_src;
        xout->learn_vlan = xv.vid;
        xout->learn_grat_arp = grat_arp;
        if (ctx->xin->may_learn) {
            pthread_rwlock_wrlock(&ml->rwlock);
            mac_learning_learn(ml, flow->dl_src, xv.vid, flow->in_port,
                               grat_arp, ctx->xin->now);
            pthread_rwlock_unlock(&ml->rwlock);
        }
    }

    /* Find the destination. */
    pthread_rwlock_rdlock(&ml->rwlock);
    mac_port = mac_learning_lookup(ml, flow->dl_dst, xv.vid, ctx->xin->now);
    ctx->xout->ml_version = mac_learning_version(ml);
    pthread_rwlock_unlock(&ml->rwlock);
    ctx->xout->used_mac_table = true;

    if (mac_port != MAC_LEARNING_PORT_NONE) {
        out_port = xlate_bridge_find_port(ctx->xb, mac_port);
        if (!out_port || !out_port->bundle) {
            normal_drop(ctx, "learned port is unknown");
        } else if (out_port->bundle == in_bundle) {
            normal_drop(ctx, "learned port is the input bundle");
        } else if (!bundle_includes_vlan(out_port->bundle, xv.vid)) {
            /* Defense in depth: ports leaving a VLAN have their entries
             * flushed, but a frame must never leave on a port outside
             * its VLAN whatever the table says. */
            normal_drop(ctx, "learned port is not in the VLAN");
        } else {
            output_normal(ctx, out_port->bundle, &xv);
        }
    } else {
        for (size_t i = 0; i < ctx->xb->n_bundles; i++) {
            const struct xlate_bundle *b = ctx->xb->bundles[i];

            if (b != in_bundle && bundle_includes_vlan(b, xv.vid)) {
                output_normal(ctx, b, &xv);
            }
        }
        if (!ctx->normal_output) {
            normal_drop(ctx, "no bundle to flood to");
        }
    }
}

static int
port_order(const void *a_, const void *b_)
{
    const struct xlate_port *const *a = a_;
    const struct xlate_port *const *b = b_;

    return ((*a)->ofp_port < (*b)->ofp_port ? -1
            : (*a)->ofp_port > (*b)->ofp_port);
}

/* OpenFlow FLOOD and ALL: every port but the input port, in ascending
 * order, as the packet arrived. */
static void
xlate_flood(struct xctx *ctx)
{
    size_t n = hmap_count(&ctx->xb->ports), i = 0;
    const struct xlate_port **ports = xcalloc(n ? n : 1, sizeof *ports);
    const struct xlate_port *port;

    HMAP_FOR_EACH (port, node, &ctx->xb->ports) {
        ports[i++] = port;
    }
    qsort(ports, n, sizeof *ports, port_order);
    for (i = 0; i < n; i++) {
        if (ports[i]->ofp_port != ctx->flow->in_port) {
            output_port(ctx, ports[i], ctx->flow->vlans[0]);
        }
    }
    free(ports);
}

static void
xlate_output(struct xctx *ctx, const struct ofpact_output *o)
{
    const struct flow *flow = ctx->flow;
    const struct xlate_port *port;

    switch (o->port) {
    case MF_OFPP_NORMAL:
        xlate_normal(ctx);
        return;
    case MF_OFPP_FLOOD:
    case MF_OFPP_ALL:
        xlate_flood(ctx);
        return;
    case MF_OFPP_IN_PORT:
        port = xlate_bridge_find_port(ctx->xb, flow->in_port);
        break;
    case MF_OFPP_CONTROLLER:
        /* No controller connections yet (issue 5): nothing to send to. */
        return;
    default:
        port = (o->port == flow->in_port ? NULL
                : xlate_bridge_find_port(ctx->xb, o->port));
        break;
    }
    if (port) {
        output_port(ctx, port, flow->vlans[0]);
    }
}

void
xlate_actions(const struct xlate_in *xin, struct odp_buf *odp,
              struct flow_wildcards *wc, struct xlate_out *xout)
{
    const struct xlate_rule *rule;
    const struct ofpact *a;
    struct xctx ctx = {
        .xin = xin,
        .xb = xin->bridge,
        .flow = xin->flow,
        .odp = odp,
        .wc = wc,
        .xout = xout,
        .base = xin->flow->vlans[0],
    };

    memset(xout, 0, sizeof *xout);
    wc->masks.in_port = UINT32_MAX;

    rule = xlate_rule_cast(classifier_lookup(ctx.xb->table, ctx.flow, wc));
    if (!rule) {
        xout->drop_reason = "no matching flow-table rule";
        return;
    }
    if (!rule->ofpacts_len) {
        xout->drop_reason = "rule drops";
    }
    OFPACT_FOR_EACH (a, rule->ofpacts, rule->ofpacts_len) {
        switch ((enum ofpact_type) a->type) {
        case OFPACT_OUTPUT:
            xlate_output(&ctx, ofpact_get_output(a));
            break;
        case OFPACT_N_TYPES:
        default:
            break;
        }
    }

    /* A tagged input whose VLAN was edited, or that is priority-tagged
     * (whether it keeps its tag then depends on its PCP), depends on
     * its whole outer header. */
    if ((ctx.flow->vlans[0].tci & htons(VLAN_CFI))
        && (ctx.vlan_edited
            || (ctx.normal_output
                && !vlan_tci_to_vid(ctx.flow->vlans[0].tci)))) {
        wc->masks.vlans[0].qtag = UINT32_MAX;
    }
}
