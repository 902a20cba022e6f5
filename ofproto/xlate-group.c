/* xlate-group: translation of OpenFlow groups (all, select, indirect,
 * fast failover) with bucket liveness, as Open vSwitch.  See
 * xlate-private.h. */
#include <config.h>

#include <string.h>
#include "hash.h"
#include "ofp-actions.h"
#include "ofproto/xlate-private.h"
#include "packets.h"
#include "util.h"

static bool group_is_live(const struct xctx *, const struct xlate_group *,
                          int depth);

static bool
bucket_is_live(const struct xctx *ctx, const struct xlate_bucket *b,
               int depth)
{
    if (b->watch_port != MF_OFPP_ANY) {
        const struct xlate_port *p = xlate_bridge_find_port(ctx->xb,
                                                            b->watch_port);
        if (!p || !p->live) {
            return false;
        }
    }
    if (b->watch_group != 0xffffffffu) {
        const struct xlate_group *g = xlate_bridge_find_group(ctx->xb,
                                                              b->watch_group);
        if (!g || depth >= XLATE_MAX_DEPTH || !group_is_live(ctx, g,
                                                             depth + 1)) {
            return false;
        }
    }
    return true;
}

static bool
group_is_live(const struct xctx *ctx, const struct xlate_group *g,
              int depth)
{
    for (size_t i = 0; i < g->n_buckets; i++) {
        if (bucket_is_live(ctx, &g->buckets[i], depth)) {
            return true;
        }
    }
    return false;
}

/* Runs a bucket on a copy of the packet: the packet the group got is
 * what the next bucket and the actions after the group see. */
static void
xlate_bucket(struct xctx *ctx, const struct xlate_group *g,
             const struct xlate_bucket *b)
{
    struct xlate_out *xout = ctx->xout;
    struct flow saved = ctx->flow;
    struct ofpa_buf saved_set = ctx->action_set;
    bool saved_exit = ctx->exit;

    if (xout->n_buckets < ARRAY_SIZE(xout->buckets)) {
        xout->buckets[xout->n_buckets].group_id = g->group_id;
        xout->buckets[xout->n_buckets].bucket = b - g->buckets;
        xout->n_buckets++;
    }
    /* A bucket's actions are executed as an action set (OpenFlow 1.3,
     * 5.6.1), in their own order. */
    ofpa_buf_init(&ctx->action_set);
    ctx->depth++;
    {
        struct ofpa_buf ordered = OFPA_BUF_INITIALIZER;

        ofpacts_action_set_order(b->actions->ofpacts,
                                 b->actions->ofpacts_len, &ordered);
        xlate_do_actions(ctx, ordered.data, ordered.size);
        ofpa_buf_uninit(&ordered);
    }
    ctx->depth--;
    ofpa_buf_uninit(&ctx->action_set);
    ctx->action_set = saved_set;
    ctx->flow = saved;
    ctx->exit = saved_exit;
}

/* A hash of two N-byte values that does not depend on their order. */
static uint32_t
hash_pair_sym(const void *a, const void *b, size_t n, uint32_t basis)
{
    bool a_first = memcmp(a, b, n) <= 0;

    return hash_bytes(a_first ? b : a, n,
                      hash_bytes(a_first ? a : b, n, basis));
}

static const struct xlate_bucket *
select_bucket(struct xctx *ctx, const struct xlate_group *g)
{
    struct flow_wildcards *wc = ctx->wc;
    const struct flow *f = &ctx->flow;
    uint32_t total = 0, hash, pick;

    /* The hash covers addresses, protocol and ports in both directions
     * (a connection's two directions pick the same bucket). */
    memset(&wc->masks.dl_src, 0xff, sizeof wc->masks.dl_src);
    memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
    wc->masks.dl_type = UINT16_MAX;
    hash = hash_pair_sym(f->dl_src.ea, f->dl_dst.ea, ETH_ADDR_LEN, 0);
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        wc->masks.nw_src = wc->masks.nw_dst = UINT32_MAX;
        wc->masks.nw_proto = UINT8_MAX;
        hash = hash_add(hash, (uint32_t) f->nw_src ^ (uint32_t) f->nw_dst);
        hash = hash_add(hash, f->nw_proto);
    } else if (f->dl_type == htons(ETH_TYPE_IPV6)) {
        memset(&wc->masks.ipv6_src, 0xff, sizeof wc->masks.ipv6_src);
        memset(&wc->masks.ipv6_dst, 0xff, sizeof wc->masks.ipv6_dst);
        wc->masks.nw_proto = UINT8_MAX;
        hash = hash_add(hash, hash_pair_sym(&f->ipv6_src, &f->ipv6_dst,
                                             sizeof f->ipv6_src, 0));
        hash = hash_add(hash, f->nw_proto);
    }
    if (xlate_is_l4_with_ports(f)) {
        wc->masks.tp_src = wc->masks.tp_dst = UINT16_MAX;
        hash = hash_add(hash, (uint32_t) (f->tp_src ^ f->tp_dst));
    }
    hash = hash_finish(hash, 0);

    for (size_t i = 0; i < g->n_buckets; i++) {
        if (bucket_is_live(ctx, &g->buckets[i], ctx->depth)) {
            total += g->buckets[i].weight;
        }
    }
    if (!total) {
        return NULL;
    }
    pick = hash % total;
    for (size_t i = 0; i < g->n_buckets; i++) {
        const struct xlate_bucket *b = &g->buckets[i];

        if (bucket_is_live(ctx, b, ctx->depth)) {
            if (pick < b->weight) {
                return b;
            }
            pick -= b->weight;
        }
    }
    return NULL;
}

void
xlate_group(struct xctx *ctx, uint32_t group_id)
{
    const struct xlate_group *g = xlate_bridge_find_group(ctx->xb, group_id);
    const struct xlate_bucket *b = NULL;

    if (!g || ctx->depth >= XLATE_MAX_DEPTH) {
        return;
    }
    switch (g->type) {
    case OFPROTO_GT_ALL:
        for (size_t i = 0; i < g->n_buckets; i++) {
            xlate_bucket(ctx, g, &g->buckets[i]);
        }
        return;
    case OFPROTO_GT_INDIRECT:
        b = g->n_buckets ? &g->buckets[0] : NULL;
        break;
    case OFPROTO_GT_SELECT:
        b = select_bucket(ctx, g);
        break;
    case OFPROTO_GT_FF:
        for (size_t i = 0; i < g->n_buckets; i++) {
            if (bucket_is_live(ctx, &g->buckets[i], ctx->depth)) {
                b = &g->buckets[i];
                break;
            }
        }
        break;
    }
    if (b) {
        xlate_bucket(ctx, g, b);
    }
}
