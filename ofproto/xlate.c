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
#include "ofp-actions.h"
#include "ofproto/mac-learning.h"
#include "ofproto/netflow.h"
#include "ofproto/recirc.h"
#include "ofproto/xlate-private.h"
#include "openflow.h"
#include "packets.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Translation. */

/* The VLAN of a packet inside the bridge (Open vSwitch's xvlan, outer
 * header only). */
struct xvlan {
    uint16_t tpid;              /* Host order; 0 for "none yet". */
    uint16_t vid;
    uint16_t pcp;               /* Already shifted into place (0xe000). */
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

/* Outputs to PORT the packet as the actions made it, with outer VLAN
 * header *OUTER instead of its own if OUTER is nonnull (NORMAL's output
 * tagging).  Ports configured not to forward get nothing. */
static void
output_port(struct xctx *ctx, const struct xlate_port *port,
            const union flow_vlan_hdr *outer)
{
    if (port->config & (OFPPC_NO_FWD | OFPPC_PORT_DOWN)) {
        return;
    }
    xlate_commit(ctx, outer);
    odp_put_output(ctx->odp, port->odp_port);
    ctx->n_outputs++;
    ctx->last_output = port->ofp_port;
}

static void
output_normal(struct xctx *ctx, const struct xlate_bundle *b,
              const struct xvlan *xv)
{
    if (b->n_members) {
        union flow_vlan_hdr outer = xvlan_output_header(b, xv);

        output_port(ctx, b->members[0], &outer);
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
    const struct flow *flow = &ctx->flow;
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


/* ------------------------------------------------------------------ */
/* Committing the packet's changes as datapath actions. */

static size_t
vlan_depth(const union flow_vlan_hdr *vlans)
{
    size_t n = 0;

    while (n < FLOW_MAX_VLAN_HEADERS && (vlans[n].tci & htons(VLAN_CFI))) {
        n++;
    }
    return n;
}

/* Makes the datapath packet's VLAN stack ('base') equal to TARGET: pops
 * the outer tags that differ, then pushes the wanted ones, innermost
 * first. */
static void
commit_vlans(struct xctx *ctx, const union flow_vlan_hdr *target)
{
    union flow_vlan_hdr *base = ctx->base.vlans;
    size_t nb = vlan_depth(base), nt = vlan_depth(target);
    size_t k = MIN(nb, nt);

    /* The longest common innermost part. */
    while (k > 0) {
        bool same = true;
        for (size_t i = 0; i < k; i++) {
            if (base[nb - k + i].qtag != target[nt - k + i].qtag) {
                same = false;
                break;
            }
        }
        if (same) {
            break;
        }
        k--;
    }
    if (nb == k && nt == k) {
        return;
    }
    for (size_t i = 0; i < nb - k; i++) {
        odp_put_pop_vlan(ctx->odp);
    }
    for (size_t i = nt - k; i-- > 0;) {
        odp_put_push_vlan(ctx->odp, target[i].tpid, target[i].tci);
    }
    for (size_t i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        base[i] = i < nt ? target[i] : (union flow_vlan_hdr) { .qtag = 0 };
    }
    ctx->vlan_edited = true;
}

#define FIELD_DIFFERS(A, B, FIELD) \
    (memcmp(&(A)->FIELD, &(B)->FIELD, sizeof (A)->FIELD) != 0)
#define MASK_IF_DIFFERS(MASK, A, B, FIELD)                              \
    memset(&(MASK), FIELD_DIFFERS(A, B, FIELD) ? 0xff : 0, sizeof (MASK))

static void
commit_ethernet(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_ethernet key, mask;

    if (!FIELD_DIFFERS(f, b, dl_src) && !FIELD_DIFFERS(f, b, dl_dst)) {
        return;
    }
    key.src = f->dl_src;
    key.dst = f->dl_dst;
    MASK_IF_DIFFERS(mask.src, f, b, dl_src);
    MASK_IF_DIFFERS(mask.dst, f, b, dl_dst);
    odp_put_set_field(ctx->odp, ODP_KEY_ETHERNET, &key, &mask);
    b->dl_src = f->dl_src;
    b->dl_dst = f->dl_dst;
}

static void
commit_ipv4(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_ipv4 key, mask;

    if (!FIELD_DIFFERS(f, b, nw_src) && !FIELD_DIFFERS(f, b, nw_dst)
        && !FIELD_DIFFERS(f, b, nw_tos) && !FIELD_DIFFERS(f, b, nw_ttl)) {
        return;
    }
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.src = f->nw_src;
    key.dst = f->nw_dst;
    key.tos = f->nw_tos;
    key.ttl = f->nw_ttl;
    MASK_IF_DIFFERS(mask.src, f, b, nw_src);
    MASK_IF_DIFFERS(mask.dst, f, b, nw_dst);
    MASK_IF_DIFFERS(mask.tos, f, b, nw_tos);
    MASK_IF_DIFFERS(mask.ttl, f, b, nw_ttl);
    odp_put_set_field(ctx->odp, ODP_KEY_IPV4, &key, &mask);
    b->nw_src = f->nw_src;
    b->nw_dst = f->nw_dst;
    b->nw_tos = f->nw_tos;
    b->nw_ttl = f->nw_ttl;
}

static void
commit_ipv6(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_ipv6 key, mask;

    if (!FIELD_DIFFERS(f, b, ipv6_src) && !FIELD_DIFFERS(f, b, ipv6_dst)
        && !FIELD_DIFFERS(f, b, ipv6_label) && !FIELD_DIFFERS(f, b, nw_tos)
        && !FIELD_DIFFERS(f, b, nw_ttl)) {
        return;
    }
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.src = f->ipv6_src;
    key.dst = f->ipv6_dst;
    key.label = f->ipv6_label;
    key.tclass = f->nw_tos;
    key.hlimit = f->nw_ttl;
    MASK_IF_DIFFERS(mask.src, f, b, ipv6_src);
    MASK_IF_DIFFERS(mask.dst, f, b, ipv6_dst);
    if (FIELD_DIFFERS(f, b, ipv6_label)) {
        mask.label = htonl(0xfffff);
    }
    MASK_IF_DIFFERS(mask.tclass, f, b, nw_tos);
    MASK_IF_DIFFERS(mask.hlimit, f, b, nw_ttl);
    odp_put_set_field(ctx->odp, ODP_KEY_IPV6, &key, &mask);
    b->ipv6_src = f->ipv6_src;
    b->ipv6_dst = f->ipv6_dst;
    b->ipv6_label = f->ipv6_label;
    b->nw_tos = f->nw_tos;
    b->nw_ttl = f->nw_ttl;
}

static void
commit_l4(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_l4 key, mask;
    enum odp_key_type type;

    if (!FIELD_DIFFERS(f, b, tp_src) && !FIELD_DIFFERS(f, b, tp_dst)) {
        return;
    }
    switch (f->nw_proto) {
    case IPPROTO_TCP:
        type = ODP_KEY_TCP;
        break;
    case IPPROTO_UDP:
        type = ODP_KEY_UDP;
        break;
    case IPPROTO_SCTP:
        type = ODP_KEY_SCTP;
        break;
    default:
        return;
    }
    key.src = f->tp_src;
    key.dst = f->tp_dst;
    MASK_IF_DIFFERS(mask.src, f, b, tp_src);
    MASK_IF_DIFFERS(mask.dst, f, b, tp_dst);
    odp_put_set_field(ctx->odp, type, &key, &mask);
    b->tp_src = f->tp_src;
    b->tp_dst = f->tp_dst;
}

static void
commit_icmp(struct xctx *ctx, enum odp_key_type type)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_icmp key, mask;

    if (!FIELD_DIFFERS(f, b, tp_src) && !FIELD_DIFFERS(f, b, tp_dst)) {
        return;
    }
    key.type = ntohs(f->tp_src);
    key.code = ntohs(f->tp_dst);
    mask.type = FIELD_DIFFERS(f, b, tp_src) ? 0xff : 0;
    mask.code = FIELD_DIFFERS(f, b, tp_dst) ? 0xff : 0;
    odp_put_set_field(ctx->odp, type, &key, &mask);
    b->tp_src = f->tp_src;
    b->tp_dst = f->tp_dst;
}

static void
commit_nd(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_nd key, mask;

    if (!FIELD_DIFFERS(f, b, nd_target) && !FIELD_DIFFERS(f, b, arp_sha)
        && !FIELD_DIFFERS(f, b, arp_tha)) {
        return;
    }
    key.target = f->nd_target;
    key.sll = f->arp_sha;
    key.tll = f->arp_tha;
    MASK_IF_DIFFERS(mask.target, f, b, nd_target);
    MASK_IF_DIFFERS(mask.sll, f, b, arp_sha);
    MASK_IF_DIFFERS(mask.tll, f, b, arp_tha);
    odp_put_set_field(ctx->odp, ODP_KEY_ND, &key, &mask);
    b->nd_target = f->nd_target;
    b->arp_sha = f->arp_sha;
    b->arp_tha = f->arp_tha;
}

static void
commit_arp(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_arp key, mask;

    if (!FIELD_DIFFERS(f, b, nw_src) && !FIELD_DIFFERS(f, b, nw_dst)
        && !FIELD_DIFFERS(f, b, nw_proto) && !FIELD_DIFFERS(f, b, arp_sha)
        && !FIELD_DIFFERS(f, b, arp_tha)) {
        return;
    }
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.sip = f->nw_src;
    key.tip = f->nw_dst;
    key.op = htons(f->nw_proto);
    key.sha = f->arp_sha;
    key.tha = f->arp_tha;
    MASK_IF_DIFFERS(mask.sip, f, b, nw_src);
    MASK_IF_DIFFERS(mask.tip, f, b, nw_dst);
    mask.op = FIELD_DIFFERS(f, b, nw_proto) ? htons(0xff) : 0;
    MASK_IF_DIFFERS(mask.sha, f, b, arp_sha);
    MASK_IF_DIFFERS(mask.tha, f, b, arp_tha);
    odp_put_set_field(ctx->odp, ODP_KEY_ARP, &key, &mask);
    b->nw_src = f->nw_src;
    b->nw_dst = f->nw_dst;
    b->nw_proto = f->nw_proto;
    b->arp_sha = f->arp_sha;
    b->arp_tha = f->arp_tha;
}

static void
commit_mpls(struct xctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    struct odp_key_mpls key, mask;

    if (f->mpls_lse[0] == b->mpls_lse[0]) {
        return;
    }
    key.lse = f->mpls_lse[0];
    mask.lse = f->mpls_lse[0] ^ b->mpls_lse[0];
    odp_put_set_field(ctx->odp, ODP_KEY_MPLS, &key, &mask);
    b->mpls_lse[0] = f->mpls_lse[0];
}

/* Emits the datapath actions that make the packet what 'flow' says, with
 * outer VLAN header *OUTER instead of the flow's if OUTER is nonnull. */
void
xlate_commit(struct xctx *ctx, const union flow_vlan_hdr *outer)
{
    const struct flow *f = &ctx->flow;

    commit_ethernet(ctx);
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        commit_ipv4(ctx);
    } else if (f->dl_type == htons(ETH_TYPE_IPV6)) {
        commit_ipv6(ctx);
    } else if (f->dl_type == htons(ETH_TYPE_ARP)) {
        commit_arp(ctx);
    } else if (eth_type_mpls(f->dl_type)) {
        commit_mpls(ctx);
    }
    if (dl_type_is_ip_any(f->dl_type) && !(f->nw_frag & FLOW_NW_FRAG_LATER)) {
        if (f->nw_proto == IPPROTO_ICMP && f->dl_type == htons(ETH_TYPE_IP)) {
            commit_icmp(ctx, ODP_KEY_ICMP);
        } else if (f->nw_proto == IPPROTO_ICMPV6
                   && f->dl_type == htons(ETH_TYPE_IPV6)) {
            commit_icmp(ctx, ODP_KEY_ICMPV6);
            commit_nd(ctx);
        } else {
            commit_l4(ctx);
        }
    }

    if (outer) {
        union flow_vlan_hdr target[FLOW_MAX_VLAN_HEADERS];
        size_t n = 0;

        memset(target, 0, sizeof target);
        if (outer->tci & htons(VLAN_CFI)) {
            target[n++] = *outer;
        }
        for (size_t i = 1;
             i < FLOW_MAX_VLAN_HEADERS && n < FLOW_MAX_VLAN_HEADERS; i++) {
            if (f->vlans[i].tci & htons(VLAN_CFI)) {
                target[n++] = f->vlans[i];
            }
        }
        commit_vlans(ctx, target);
    } else {
        commit_vlans(ctx, f->vlans);
    }
}

/* ------------------------------------------------------------------ */
/* OpenFlow actions. */

bool
xlate_field_is_settable(enum mf_field_id id)
{
    if (id >= MFF_REG0 && id <= MFF_REG15) {
        return true;
    }
    switch (id) {
    case MFF_METADATA: case MFF_IN_PORT:
    case MFF_ETH_SRC: case MFF_ETH_DST:
    case MFF_VLAN_TCI: case MFF_DL_VLAN: case MFF_VLAN_VID:
    case MFF_DL_VLAN_PCP: case MFF_VLAN_PCP:
    case MFF_VLAN_TCI1: case MFF_DL_VLAN1: case MFF_DL_VLAN_PCP1:
    case MFF_MPLS_LABEL: case MFF_MPLS_TC: case MFF_MPLS_BOS:
    case MFF_MPLS_TTL:
    case MFF_IPV4_SRC: case MFF_IPV4_DST:
    case MFF_IPV6_SRC: case MFF_IPV6_DST: case MFF_IPV6_LABEL:
    case MFF_IP_DSCP: case MFF_IP_DSCP_SHIFTED: case MFF_IP_ECN:
    case MFF_IP_TTL:
    case MFF_ARP_OP: case MFF_ARP_SPA: case MFF_ARP_TPA:
    case MFF_ARP_SHA: case MFF_ARP_THA:
    case MFF_TP_SRC: case MFF_TP_DST:
    case MFF_TCP_SRC: case MFF_TCP_DST: case MFF_UDP_SRC: case MFF_UDP_DST:
    case MFF_SCTP_SRC: case MFF_SCTP_DST:
    case MFF_ICMPV4_TYPE: case MFF_ICMPV4_CODE:
    case MFF_ICMPV6_TYPE: case MFF_ICMPV6_CODE:
    case MFF_ND_TARGET: case MFF_ND_SLL: case MFF_ND_TLL:
        return true;
    default:
        return false;
    }
}

static void xlate_table(struct xctx *, uint8_t table_id);

static void
record_rule(struct xctx *ctx, const struct rule *rule)
{
    struct xlate_out *xout = ctx->xout;

    if (xout->n_rules < XLATE_MAX_RULES) {
        xout->rules[xout->n_rules++] = (struct rule *) rule;
    }
}

static void
xlate_controller(struct xctx *ctx, enum xlate_pin_reason reason,
                 uint16_t max_len)
{
    const struct xlate_port *in_port;
    struct xlate_pin_cookie c;

    in_port = xlate_bridge_find_port(ctx->xb, ctx->xin->flow->in_port);
    if (in_port && in_port->config & OFPPC_NO_PACKET_IN) {
        return;
    }

    xlate_commit(ctx, NULL);
    memset(&c, 0, sizeof c);
    c.magic = XLATE_PIN_MAGIC;
    c.reason = reason;
    c.table_id = ctx->table_id;
    c.max_len = max_len;
    c.in_port = ctx->xin->flow->in_port;
    c.cookie = ctx->rule ? ctx->rule->cookie : (plx_be64) UINT64_MAX;
    c.metadata = ctx->flow.metadata;
    odp_put_userspace(ctx->odp, 0, &c, sizeof c);
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
 * order; FLOOD also skips ports configured with NO_FLOOD. */
static void
xlate_flood(struct xctx *ctx, bool all)
{
    size_t n = hmap_count(&ctx->xb->ports), i = 0;
    const struct xlate_port **ports = xcalloc(n ? n : 1, sizeof *ports);
    const struct xlate_port *port;

    HMAP_FOR_EACH (port, node, &ctx->xb->ports) {
        ports[i++] = port;
    }
    qsort(ports, n, sizeof *ports, port_order);
    for (i = 0; i < n; i++) {
        if (ports[i]->ofp_port != ctx->xin->flow->in_port
            && (all || !(ports[i]->config & OFPPC10_NO_FLOOD))) {
            output_port(ctx, ports[i], NULL);
        }
    }
    free(ports);
}

static bool
rule_is_table_miss(const struct rule *rule)
{
    return rule && !rule->cr.priority && cls_rule_is_catchall(&rule->cr);
}

static void
xlate_output(struct xctx *ctx, uint32_t out, uint16_t max_len)
{
    uint32_t in = ctx->xin->flow->in_port;
    const struct xlate_port *port;

    switch (out) {
    case MF_OFPP_NORMAL:
        xlate_normal(ctx);
        return;
    case MF_OFPP_FLOOD:
    case MF_OFPP_ALL:
        xlate_flood(ctx, out == MF_OFPP_ALL);
        return;
    case MF_OFPP_IN_PORT:
        port = xlate_bridge_find_port(ctx->xb, in);
        break;
    case MF_OFPP_CONTROLLER:
        xlate_controller(ctx, (rule_is_table_miss(ctx->rule)
                               ? XLATE_PIN_EXPLICIT_MISS : XLATE_PIN_ACTION),
                         max_len);
        return;
    case MF_OFPP_TABLE:
        /* Only meaningful in a packet-out: run the flow table. */
        if (!ctx->rule && ctx->xin->ofpacts) {
            xlate_table(ctx, 0);
        }
        return;
    case MF_OFPP_ANY:
        return;
    default:
        port = out == in ? NULL : xlate_bridge_find_port(ctx->xb, out);
        break;
    }
    if (port) {
        output_port(ctx, port, NULL);
    }
}

static void
unwildcard_vlans(struct xctx *ctx)
{
    for (size_t i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        ctx->wc->masks.vlans[i].qtag = UINT32_MAX;
    }
}

static void
push_vlan(struct xctx *ctx, plx_be16 tpid)
{
    struct flow *f = &ctx->flow;
    plx_be16 tci = f->vlans[0].tci & htons(VLAN_VID_MASK | VLAN_PCP_MASK);

    unwildcard_vlans(ctx);
    memmove(&f->vlans[1], &f->vlans[0],
            (FLOW_MAX_VLAN_HEADERS - 1) * sizeof f->vlans[0]);
    f->vlans[0].tpid = tpid;
    f->vlans[0].tci = tci | htons(VLAN_CFI);
}

static void
pop_vlan(struct xctx *ctx)
{
    struct flow *f = &ctx->flow;

    unwildcard_vlans(ctx);
    memmove(&f->vlans[0], &f->vlans[1],
            (FLOW_MAX_VLAN_HEADERS - 1) * sizeof f->vlans[0]);
    f->vlans[FLOW_MAX_VLAN_HEADERS - 1].qtag = 0;
}

/* OpenFlow 1.0 mod_vlan_vid/mod_vlan_pcp: edit the tag, pushing one if
 * asked to and there is none. */
static void
set_vlan_tci(struct xctx *ctx, uint16_t mask, uint16_t value,
             bool push_if_needed)
{
    struct flow *f = &ctx->flow;

    unwildcard_vlans(ctx);
    if (!(f->vlans[0].tci & htons(VLAN_CFI))) {
        if (!push_if_needed) {
            return;
        }
        push_vlan(ctx, htons(ETH_TYPE_VLAN_8021Q));
    }
    f->vlans[0].tci = ((f->vlans[0].tci & ~htons(mask)) | htons(value & mask)
                       | htons(VLAN_CFI));
}

bool
xlate_is_l4_with_ports(const struct flow *f)
{
    return (dl_type_is_ip_any(f->dl_type)
            && !(f->nw_frag & FLOW_NW_FRAG_LATER)
            && (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                || f->nw_proto == IPPROTO_SCTP));
}

static void
xlate_set_field(struct xctx *ctx, const struct ofpa_set_field *sf)
{
    const struct mf_field *mf = mf_from_id(sf->field);
    union mf_value value;
    uint8_t *v = (uint8_t *) &value;
    const uint8_t *nv = (const uint8_t *) &sf->value;
    const uint8_t *m = (const uint8_t *) &sf->mask;

    if (!mf) {
        return;
    }
    ctx->wc->masks.dl_type = UINT16_MAX;
    if (mf->prereqs != MFP_NONE) {
        ctx->wc->masks.nw_proto = UINT8_MAX;
    }
    if (!mf_are_prereqs_ok(mf, &ctx->flow)) {
        return;
    }
    if ((sf->field == MFF_VLAN_VID || sf->field == MFF_DL_VLAN
         || sf->field == MFF_VLAN_PCP || sf->field == MFF_DL_VLAN_PCP)) {
        unwildcard_vlans(ctx);
        if (!(ctx->flow.vlans[0].tci & htons(VLAN_CFI))) {
            return;
        }
    }
    mf_get_value(mf, &ctx->flow, &value);
    for (size_t i = 0; i < mf->n_bytes; i++) {
        v[i] = (v[i] & ~m[i]) | (nv[i] & m[i]);
    }
    mf_set_flow_value(mf, &value, &ctx->flow);
    mf_storage_mask(mf, ctx->wc);
}

static void
xlate_dec_nw_ttl(struct xctx *ctx)
{
    struct flow *f = &ctx->flow;

    ctx->wc->masks.dl_type = UINT16_MAX;
    if (!dl_type_is_ip_any(f->dl_type)) {
        return;
    }
    ctx->wc->masks.nw_ttl = UINT8_MAX;
    if (f->nw_ttl > 1) {
        f->nw_ttl--;
    } else {
        xlate_controller(ctx, XLATE_PIN_INVALID_TTL, UINT16_MAX);
        ctx->exit = true;
    }
}

static void
set_mpls_ttl(struct xctx *ctx, uint8_t ttl)
{
    plx_be32 *lse = &ctx->flow.mpls_lse[0];

    *lse = (*lse & ~htonl(MPLS_TTL_MASK)) | htonl(ttl << MPLS_TTL_SHIFT);
}

static void
xlate_push_mpls(struct xctx *ctx, plx_be16 ethertype)
{
    struct flow *f = &ctx->flow;
    uint32_t lse;

    xlate_commit(ctx, NULL);
    ctx->wc->masks.dl_type = UINT16_MAX;
    if (eth_type_mpls(f->dl_type)) {
        ctx->wc->masks.mpls_lse[0] = UINT32_MAX;
        lse = ntohl(f->mpls_lse[0]) & ~MPLS_BOS_MASK;
    } else {
        lse = MPLS_BOS_MASK;
        if (dl_type_is_ip_any(f->dl_type)) {
            ctx->wc->masks.nw_tos |= IP_DSCP_MASK;
            ctx->wc->masks.nw_ttl = UINT8_MAX;
            lse |= ((uint32_t) ((f->nw_tos & IP_DSCP_MASK) >> 5)
                    << MPLS_TC_SHIFT);
            lse |= f->nw_ttl << MPLS_TTL_SHIFT;
        } else {
            lse |= 64 << MPLS_TTL_SHIFT;
        }
    }
    memmove(&f->mpls_lse[1], &f->mpls_lse[0],
            (FLOW_MAX_MPLS_LABELS - 1) * sizeof f->mpls_lse[0]);
    f->mpls_lse[0] = htonl(lse);
    f->dl_type = ethertype;
    odp_put_push_mpls(ctx->odp, f->mpls_lse[0], ethertype);
    ctx->base.dl_type = f->dl_type;
    memcpy(ctx->base.mpls_lse, f->mpls_lse, sizeof f->mpls_lse);
}

static void
xlate_pop_mpls(struct xctx *ctx, plx_be16 ethertype)
{
    struct flow *f = &ctx->flow;

    ctx->wc->masks.dl_type = UINT16_MAX;
    if (!eth_type_mpls(f->dl_type)) {
        return;
    }
    xlate_commit(ctx, NULL);
    ctx->wc->masks.mpls_lse[0] = UINT32_MAX;
    if (f->mpls_lse[0] & htonl(MPLS_BOS_MASK)) {
        f->dl_type = ethertype;
    }
    memmove(&f->mpls_lse[0], &f->mpls_lse[1],
            (FLOW_MAX_MPLS_LABELS - 1) * sizeof f->mpls_lse[0]);
    f->mpls_lse[FLOW_MAX_MPLS_LABELS - 1] = 0;
    odp_put_pop_mpls(ctx->odp, ethertype);
    ctx->base.dl_type = f->dl_type;
    memcpy(ctx->base.mpls_lse, f->mpls_lse, sizeof f->mpls_lse);
}

/* ---- Samples for the exporters. ---- */

uint32_t
xlate_sample_probability(uint32_t rate)
{
    return rate <= 1 ? UINT32_MAX : UINT32_MAX / rate;
}

/* Emits a sample action that sends 1 in PROBABILITY (of UINT32_MAX)
 * packets to userspace with cookie C.  Returns the offset of the
 * cookie's copy in the datapath actions. */
static size_t
put_sample(struct xctx *ctx, uint32_t probability,
           const struct xlate_sample_cookie *c)
{
    size_t sample = odp_start_sample(ctx->odp, probability);
    /* The userspace action's attribute header and pid precede it. */
    size_t cookie_ofs = ctx->odp->size + sizeof(struct odp_attr) + 4;

    odp_put_userspace(ctx->odp, 0, c, sizeof *c);
    odp_end_sample(ctx->odp, sample);
    return cookie_ofs;
}

/* sFlow's and the bridge IPFIX exporter's samples of every packet that
 * enters the bridge. */
static void
put_bridge_samples(struct xctx *ctx)
{
    const uint32_t magics[2] = { XLATE_SFLOW_MAGIC, XLATE_IPFIX_MAGIC };
    const uint32_t rates[2] = { ctx->xb->sflow_rate, ctx->xb->ipfix_rate };

    for (size_t i = 0; i < 2; i++) {
        if (rates[i]) {
            struct xlate_sample_cookie c = {
                .magic = magics[i],
                .in_port = ctx->xin->flow->in_port,
                .rate = rates[i],
            };
            ctx->sample_ofs[ctx->n_sample_ofs++]
                = put_sample(ctx, xlate_sample_probability(rates[i]), &c);
        }
    }
}

/* The OpenFlow sample action: the packet as the actions so far made it,
 * with 'probability' out of UINT16_MAX. */
static void
xlate_sample(struct xctx *ctx, const struct ofpa_sample *s)
{
    bool port = s->sampling_port < MF_OFPP_MAX;
    uint32_t p = MAX(s->probability, 1);
    struct xlate_sample_cookie c = {
        .magic = XLATE_FSAMPLE_MAGIC,
        .in_port = ctx->xin->flow->in_port,
        .n_outputs = port,
        .output = port ? s->sampling_port : 0,
        .rate = (UINT16_MAX + p / 2) / p,   /* Rounded. */
        .collector_set_id = s->collector_set_id,
        .obs_domain_id = s->obs_domain_id,
        .obs_point_id = s->obs_point_id,
    };

    xlate_commit(ctx, NULL);
    put_sample(ctx, (uint32_t) s->probability * 65537u, &c);
}

/* ---- The action loop. ---- */

void
xlate_do_actions(struct xctx *ctx, const void *ofpacts, size_t len)
{
    struct flow *f = &ctx->flow;
    struct flow_wildcards *wc = ctx->wc;
    const struct ofpa *a;

    OFPA_FOR_EACH (a, ofpacts, len) {
        if (ctx->exit) {
            break;
        }
        switch ((enum ofpa_type) a->type) {
        case OFPA_OUTPUT: {
            const struct ofpa_output *o = OFPA_CAST(ofpa_output, a);
            xlate_output(ctx, o->port, o->max_len);
            break;
        }
        case OFPA_ENQUEUE:
            xlate_output(ctx, OFPA_CAST(ofpa_enqueue, a)->port, 0);
            break;
        case OFPA_SAMPLE:
            xlate_sample(ctx, OFPA_CAST(ofpa_sample, a));
            break;
        case OFPA_GROUP:
            xlate_group(ctx, OFPA_CAST(ofpa_group, a)->group_id);
            break;
        case OFPA_SET_QUEUE:
            f->skb_priority = OFPA_CAST(ofpa_queue, a)->queue_id;
            break;
        case OFPA_PUSH_VLAN:
            push_vlan(ctx, OFPA_CAST(ofpa_ethertype, a)->ethertype);
            break;
        case OFPA_POP_VLAN:
        case OFPA_STRIP_VLAN:
            pop_vlan(ctx);
            break;
        case OFPA_PUSH_MPLS:
            xlate_push_mpls(ctx, OFPA_CAST(ofpa_ethertype, a)->ethertype);
            break;
        case OFPA_POP_MPLS:
            xlate_pop_mpls(ctx, OFPA_CAST(ofpa_ethertype, a)->ethertype);
            break;
        case OFPA_SET_MPLS_TTL:
            wc->masks.dl_type = UINT16_MAX;
            if (eth_type_mpls(f->dl_type)) {
                wc->masks.mpls_lse[0] |= htonl(MPLS_TTL_MASK);
                set_mpls_ttl(ctx, OFPA_CAST(ofpa_ttl, a)->ttl);
            }
            break;
        case OFPA_DEC_MPLS_TTL:
            wc->masks.dl_type = UINT16_MAX;
            if (eth_type_mpls(f->dl_type)) {
                uint8_t ttl = mpls_lse_to_ttl(f->mpls_lse[0]);

                wc->masks.mpls_lse[0] |= htonl(MPLS_TTL_MASK);
                if (ttl > 1) {
                    set_mpls_ttl(ctx, ttl - 1);
                } else {
                    xlate_controller(ctx, XLATE_PIN_INVALID_TTL,
                                     UINT16_MAX);
                    ctx->exit = true;
                }
            }
            break;
        case OFPA_SET_NW_TTL:
            wc->masks.dl_type = UINT16_MAX;
            if (dl_type_is_ip_any(f->dl_type)) {
                wc->masks.nw_ttl = UINT8_MAX;
                f->nw_ttl = OFPA_CAST(ofpa_ttl, a)->ttl;
            }
            break;
        case OFPA_DEC_NW_TTL:
            xlate_dec_nw_ttl(ctx);
            break;
        case OFPA_COPY_TTL_OUT:
            wc->masks.dl_type = UINT16_MAX;
            if (eth_type_mpls(f->dl_type)) {
                wc->masks.nw_ttl = UINT8_MAX;
                wc->masks.mpls_lse[0] |= htonl(MPLS_TTL_MASK);
                set_mpls_ttl(ctx, f->nw_ttl);
            }
            break;
        case OFPA_COPY_TTL_IN:
            wc->masks.dl_type = UINT16_MAX;
            if (eth_type_mpls(f->dl_type)
                && (f->mpls_lse[0] & htonl(MPLS_BOS_MASK))) {
                wc->masks.mpls_lse[0] |= htonl(MPLS_TTL_MASK | MPLS_BOS_MASK);
                wc->masks.nw_ttl = UINT8_MAX;
                f->nw_ttl = mpls_lse_to_ttl(f->mpls_lse[0]);
            }
            break;
        case OFPA_SET_FIELD:
            xlate_set_field(ctx, OFPA_CAST(ofpa_set_field, a));
            break;
        case OFPA_SET_VLAN_VID:
            set_vlan_tci(ctx, VLAN_VID_MASK, OFPA_CAST(ofpa_vlan_vid, a)->vid,
                         OFPA_CAST(ofpa_vlan_vid, a)->push_if_needed);
            break;
        case OFPA_SET_VLAN_PCP:
            set_vlan_tci(ctx, VLAN_PCP_MASK,
                         OFPA_CAST(ofpa_vlan_pcp, a)->pcp << VLAN_PCP_SHIFT,
                         OFPA_CAST(ofpa_vlan_pcp, a)->push_if_needed);
            break;
        case OFPA_SET_ETH_SRC:
            memset(&wc->masks.dl_src, 0xff, sizeof wc->masks.dl_src);
            f->dl_src = OFPA_CAST(ofpa_mac, a)->mac;
            break;
        case OFPA_SET_ETH_DST:
            memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
            f->dl_dst = OFPA_CAST(ofpa_mac, a)->mac;
            break;
        case OFPA_SET_IPV4_SRC:
        case OFPA_SET_IPV4_DST:
            wc->masks.dl_type = UINT16_MAX;
            if (f->dl_type == htons(ETH_TYPE_IP)) {
                if (a->type == OFPA_SET_IPV4_SRC) {
                    wc->masks.nw_src = UINT32_MAX;
                    f->nw_src = OFPA_CAST(ofpa_ipv4, a)->ipv4;
                } else {
                    wc->masks.nw_dst = UINT32_MAX;
                    f->nw_dst = OFPA_CAST(ofpa_ipv4, a)->ipv4;
                }
            }
            break;
        case OFPA_SET_IP_DSCP:
            wc->masks.dl_type = UINT16_MAX;
            if (dl_type_is_ip_any(f->dl_type)) {
                wc->masks.nw_tos |= IP_DSCP_MASK;
                f->nw_tos = ((f->nw_tos & ~IP_DSCP_MASK)
                             | (OFPA_CAST(ofpa_dscp, a)->dscp & IP_DSCP_MASK));
            }
            break;
        case OFPA_SET_L4_SRC_PORT:
        case OFPA_SET_L4_DST_PORT:
            wc->masks.dl_type = UINT16_MAX;
            wc->masks.nw_proto = UINT8_MAX;
            wc->masks.nw_frag |= FLOW_NW_FRAG_MASK;
            if (xlate_is_l4_with_ports(f)) {
                uint16_t port = OFPA_CAST(ofpa_l4_port, a)->port;
                if (a->type == OFPA_SET_L4_SRC_PORT) {
                    wc->masks.tp_src = UINT16_MAX;
                    f->tp_src = htons(port);
                } else {
                    wc->masks.tp_dst = UINT16_MAX;
                    f->tp_dst = htons(port);
                }
            }
            break;
        case OFPA_METER: {
            uint32_t dp_id;

            if (xlate_bridge_find_meter(ctx->xb,
                                        OFPA_CAST(ofpa_meter, a)->meter_id,
                                        &dp_id)) {
                odp_put_meter(ctx->odp, dp_id);
            }
            break;
        }
        case OFPA_CLEAR_ACTIONS:
            ofpa_buf_clear(&ctx->action_set);
            break;
        case OFPA_WRITE_ACTIONS: {
            const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
            const struct ofpa *w;

            OFPA_FOR_EACH (w, ofpa_nest_actions(n), ofpa_nest_size(n)) {
                memcpy(ofpa_put(&ctx->action_set, w->type, w->len), w,
                       w->len);
            }
            break;
        }
        case OFPA_WRITE_METADATA: {
            const struct ofpa_metadata *md = OFPA_CAST(ofpa_metadata, a);
            f->metadata = (f->metadata & ~md->mask) | (md->metadata
                                                       & md->mask);
            break;
        }
        case OFPA_CT:
            xlate_conntrack(ctx, OFPA_CAST(ofpa_conntrack, a));
            break;
        case OFPA_CT_CLEAR:
            xlate_ct_clear(ctx);
            break;
        case OFPA_NAT:
            /* Only inside ct(), which handles it. */
            break;
        case OFPA_GOTO_TABLE:
            xlate_table(ctx, OFPA_CAST(ofpa_goto_table, a)->table_id);
            return;
        case OFPA_N_TYPES:
        default:
            break;
        }
    }
}

/* Looks the packet up in TABLE_ID and runs the rule's instructions.  A
 * miss ends the pipeline: the packet goes to the controller if the
 * bridge wants misses there (xlate_bridge 'miss_to_controller'), and is
 * dropped otherwise, its action set with it. */
static void
xlate_table(struct xctx *ctx, uint8_t table_id)
{
    const struct rule *saved_rule = ctx->rule;
    uint8_t saved_table = ctx->table_id;
    const struct rule *rule;

    if (ctx->depth >= XLATE_MAX_DEPTH || table_id >= OFPROTO_N_TABLES) {
        ctx->exit = true;
        return;
    }
    ctx->table_id = table_id;
    rule = rule_from_cls_rule(classifier_lookup(&ctx->xb->tables[table_id],
                                                &ctx->flow, ctx->wc));
    if (!rule) {
        if (ctx->xb->miss_to_controller) {
            ctx->rule = NULL;
            xlate_controller(ctx, XLATE_PIN_IMPLICIT_MISS, UINT16_MAX);
        }
        ctx->xout->drop_reason = "no matching flow-table rule";
        ctx->xout->miss_table = table_id;
        ctx->exit = true;
    } else {
        record_rule(ctx, rule);
        if (!rule->actions->ofpacts_len) {
            ctx->xout->drop_reason = "rule drops";
        }
        ctx->rule = rule;
        ctx->depth++;
        xlate_do_actions(ctx, rule->actions->ofpacts,
                         rule->actions->ofpacts_len);
        ctx->depth--;
    }
    ctx->rule = saved_rule;
    ctx->table_id = saved_table;
}

void
xlate_actions(const struct xlate_in *xin, struct odp_buf *odp,
              struct flow_wildcards *wc, struct xlate_out *xout)
{
    struct xctx ctx = {
        .xin = xin,
        .xb = xin->bridge,
        .odp = odp,
        .wc = wc,
        .xout = xout,
        .flow = *xin->flow,
        .base = *xin->flow,
    };
    const struct xlate_port *in_port;

    memset(xout, 0, sizeof *xout);
    xout->miss_table = OFPTT_ALL;
    ofpa_buf_init(&ctx.action_set);
    wc->masks.in_port = UINT32_MAX;

    if (xin->ofpacts) {
        xlate_do_actions(&ctx, xin->ofpacts, xin->ofpacts_len);
    } else {
        const struct recirc_state *r = xin->resume;
        if (r) {
            /* A recirculated packet: the pipeline goes on where it
             * froze, with the pipeline fields it had. */
            ctx.flow.metadata = ctx.base.metadata = r->metadata;
            memcpy(ctx.flow.regs, r->regs, sizeof ctx.flow.regs);
            memcpy(ctx.base.regs, r->regs, sizeof ctx.base.regs);
            if (r->action_set_len) {
                memcpy(ofpa_buf_put_zeros(&ctx.action_set,
                                          r->action_set_len),
                       r->action_set, r->action_set_len);
            }
            xlate_table(&ctx, r->table_id);
        } else {
            in_port = xlate_bridge_find_port(ctx.xb, xin->flow->in_port);
            if (in_port
                && in_port->config & (OFPPC_NO_RECV | OFPPC_PORT_DOWN)) {
                xout->drop_reason = "input port does not receive";
                ofpa_buf_uninit(&ctx.action_set);
                return;
            }
            put_bridge_samples(&ctx);
            xlate_table(&ctx, 0);
        }
        if (!ctx.exit && ctx.action_set.size) {
            struct ofpa_buf ordered = OFPA_BUF_INITIALIZER;

            ofpacts_action_set_order(ctx.action_set.data,
                                     ctx.action_set.size, &ordered);
            xlate_do_actions(&ctx, ordered.data, ordered.size);
            ofpa_buf_uninit(&ordered);
        }
    }
    ofpa_buf_uninit(&ctx.action_set);

    /* A tagged input whose VLAN was edited, or that is priority-tagged
     * (whether it keeps its tag then depends on its PCP), depends on
     * its whole outer header. */
    if ((xin->flow->vlans[0].tci & htons(VLAN_CFI))
        && (ctx.vlan_edited
            || (ctx.normal_output
                && !vlan_tci_to_vid(xin->flow->vlans[0].tci)))) {
        wc->masks.vlans[0].qtag = UINT32_MAX;
    }

    xout->n_outputs = ctx.n_outputs;
    xout->last_output = ctx.n_outputs ? ctx.last_output : 0;
    for (size_t i = 0; i < ctx.n_sample_ofs; i++) {
        struct xlate_sample_cookie *c = (void *) ((uint8_t *) odp->data
                                                  + ctx.sample_ofs[i]);
        c->n_outputs = xout->n_outputs;
        c->output = xout->last_output;
    }
    if (ctx.xb->netflow) {
        netflow_mask_wc(xin->flow, wc);
    }
}
