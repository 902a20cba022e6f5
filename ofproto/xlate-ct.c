/* xlate-ct: translation of ct() and ct_clear into the datapath's ct
 * action and recirculation.  See xlate-private.h. */
#include <config.h>

#include <string.h>
#include "datapath/conntrack.h"
#include "datapath/odp-actions.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofproto/recirc.h"
#include "ofproto/xlate-private.h"
#include "packets.h"
#include "util.h"

BUILD_ASSERT_DECL((int) OFPA_NAT_SRC == (int) CT_NAT_SRC
                  && (int) OFPA_NAT_DST == (int) CT_NAT_DST
                  && (int) OFPA_NAT_RANGE_ADDR == (int) CT_NAT_RANGE_ADDR
                  && (int) OFPA_NAT_RANGE_PORT == (int) CT_NAT_RANGE_PORT
                  && (int) OFPA_NAT_PERSISTENT == (int) CT_NAT_PERSISTENT
                  && (int) OFPA_NAT_HASH == (int) CT_NAT_HASH
                  && (int) OFPA_NAT_RANDOM == (int) CT_NAT_RANDOM);

/* Emits a recirculation that resumes this translation's pipeline in
 * TABLE_ID (ct(table=N)): the pipeline fields the datapath does not carry
 * and the action set are frozen with the id. */
static void
xlate_recirc(struct xctx *ctx, uint8_t table_id)
{
    struct recirc_state state = {
        .bridge = ctx->xb->name,
        .table_id = table_id,
        .metadata = ctx->flow.metadata,
        .action_set = ctx->action_set.data,
        .action_set_len = ctx->action_set.size,
    };
    struct xlate_out *xout = ctx->xout;
    uint32_t id;

    memcpy(state.regs, ctx->flow.regs, sizeof state.regs);
    id = ctx->xb->recirc ? recirc_get(ctx->xb->recirc, &state,
                                      ctx->xin->now) : 0;
    if (!id) {
        xout->drop_reason = "no recirculation id for ct(table=N)";
        return;
    }
    for (size_t i = 0; i < xout->n_recirc_ids; i++) {
        if (xout->recirc_ids[i] == id) {
            odp_put_recirc(ctx->odp, id);
            return;
        }
    }
    if (xout->n_recirc_ids >= XLATE_MAX_RECIRC) {
        xout->drop_reason = "too many recirculations in one translation";
        return;
    }
    xout->recirc_ids[xout->n_recirc_ids++] = id;
    odp_put_recirc(ctx->odp, id);
}

/* The zone of ct() C: its immediate zone or bits of a field. */
static uint16_t
ct_zone(struct xctx *ctx, const struct ofpa_conntrack *c)
{
    const struct mf_field *mf;
    union mf_value v;
    uint64_t x = 0;

    if (c->zone_src == OFPA_CT_ZONE_IMM || c->zone_src >= MFF_N_IDS) {
        return c->zone_imm;
    }
    mf = mf_from_id(c->zone_src);
    mf_get_value(mf, &ctx->flow, &v);
    mf_storage_mask(mf, ctx->wc);
    for (int i = 0; i < mf->n_bytes && i < 8; i++) {
        x = (x << 8) | v.bytes[mf->n_bytes > 8 ? mf->n_bytes - 8 + i : i];
    }
    return x >> c->zone_ofs;
}

/* ct(): commits what the actions so far changed, then emits the datapath
 * ct action (with the exec() list's mark and label, and nat()), and for
 * ct(table=N) a recirculation that resumes in table N.  The ct_* fields
 * of the flow are not changed here: their new values are known only
 * after the datapath ran the tracker, to the recirculated pass. */
void
xlate_conntrack(struct xctx *ctx, const struct ofpa_conntrack *c)
{
    struct odp_ct ct;
    const struct ofpa *a;

    if (!dl_type_is_ip_any(ctx->flow.dl_type)) {
        /* ofpacts_check() allows ct() only for IP flows; a flow whose
         * actions changed the EtherType no longer qualifies. */
        ctx->xout->drop_reason = "ct() on a packet that is not IP";
        return;
    }
    ctx->wc->masks.dl_type = UINT16_MAX;
    xlate_commit(ctx, NULL);

    memset(&ct, 0, sizeof ct);
    ct.zone = ct_zone(ctx, c);
    if (c->flags & OFPA_CT_F_COMMIT) {
        ct.flags |= ODP_CT_COMMIT;
    }
    if (c->flags & OFPA_CT_F_FORCE) {
        ct.flags |= ODP_CT_FORCE;
    }
    OFPA_FOR_EACH (a, ofpa_conntrack_actions(c),
                   ofpa_conntrack_actions_size(c)) {
        if (a->type == OFPA_SET_FIELD) {
            const struct ofpa_set_field *sf = OFPA_CAST(ofpa_set_field, a);
            const struct mf_field *mf = mf_from_id(sf->field);
            struct flow value, mask;

            memset(&value, 0, sizeof value);
            memset(&mask, 0, sizeof mask);
            mf_set_flow_value(mf, &sf->value, &value);
            mf_set_flow_value(mf, &sf->mask, &mask);
            if (sf->field == MFF_CT_MARK) {
                ct.flags |= ODP_CT_SET_MARK;
                ct.mark_mask |= mask.ct_mark;
                ct.mark = (ct.mark & ~mask.ct_mark)
                          | (value.ct_mark & mask.ct_mark);
            } else if (sf->field == MFF_CT_LABEL) {
                ct.flags |= ODP_CT_SET_LABEL;
                ct.label_mask.u64.hi |= mask.ct_label.u64.hi;
                ct.label_mask.u64.lo |= mask.ct_label.u64.lo;
                ct.label.u64.hi = ((ct.label.u64.hi & ~mask.ct_label.u64.hi)
                                   | (value.ct_label.u64.hi
                                      & mask.ct_label.u64.hi));
                ct.label.u64.lo = ((ct.label.u64.lo & ~mask.ct_label.u64.lo)
                                   | (value.ct_label.u64.lo
                                      & mask.ct_label.u64.lo));
            }
        } else if (a->type == OFPA_NAT) {
            const struct ofpa_nat *n = OFPA_CAST(ofpa_nat, a);

            ct.flags |= ODP_CT_NAT;
            ct.nat_flags = n->flags;
            if (n->range_af == OFPA_NAT_AF_IPV4) {
                ct.nat_min_addr.ipv4 = n->ipv4_min;
                ct.nat_max_addr.ipv4 = n->ipv4_max ? n->ipv4_max
                                                   : n->ipv4_min;
            } else if (n->range_af == OFPA_NAT_AF_IPV6) {
                ct.nat_ipv6 = 1;
                ct.nat_min_addr.ipv6 = n->ipv6_min;
                ct.nat_max_addr.ipv6 = (ipv6_addr_is_set(&n->ipv6_max)
                                        ? n->ipv6_max : n->ipv6_min);
            }
            if (n->proto_min) {
                ct.nat_min_port = n->proto_min;
                ct.nat_max_port = n->proto_max ? n->proto_max
                                               : n->proto_min;
            }
        }
    }
    if (ct.flags & ODP_CT_NAT) {
        /* The address family of a range must be the packet's. */
        bool v6 = ctx->flow.dl_type == htons(ETH_TYPE_IPV6);
        if ((ct.nat_flags & CT_NAT_RANGE_ADDR) && ct.nat_ipv6 != v6) {
            ctx->xout->drop_reason = "nat() range of another IP version";
            return;
        }
    }
    odp_put_ct(ctx->odp, &ct);
    if (c->recirc_table != OFPA_CT_NO_RECIRC) {
        xlate_recirc(ctx, c->recirc_table);
    }
}

/* ct_clear: the datapath forgets the packet's conntrack state, and so
 * does the rest of this translation. */
void
xlate_ct_clear(struct xctx *ctx)
{
    struct flow *f = &ctx->flow;

    odp_put_ct_clear(ctx->odp);
    f->ct_state = 0;
    f->ct_zone = 0;
    f->ct_mark = 0;
    memset(&f->ct_label, 0, sizeof f->ct_label);
    f->ct_nw_proto = 0;
    f->ct_nw_src = f->ct_nw_dst = 0;
    memset(&f->ct_ipv6_src, 0, sizeof f->ct_ipv6_src);
    memset(&f->ct_ipv6_dst, 0, sizeof f->ct_ipv6_dst);
    f->ct_tp_src = f->ct_tp_dst = 0;
}
