/* dpif-netdev-flow: the userspace datapath's flow table operations
 * (dpif_flow_put/del/get/flush/dump) and their text (dpif_flow_format()).
 * See dpif.h, "Flow table operations", and dpif-netdev-private.h.
 *
 * Every operation here runs in the main thread and holds the flow mutex
 * while it touches the megaflow cache, since PMD threads install upcall
 * results concurrently. */
#include <config.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dp-flow.h"
#include "datapath/dpif-netdev-private.h"
#include "datapath/netdev.h"
#include "dynamic-string.h"
#include "match.h"
#include "meta-flow.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Operations. */

static void
dp_flow_to_dpif_flow(const struct dp_flow *flow, struct dpif_flow *out)
{
    minimatch_expand(dp_flow_minimatch(flow), &out->match);
    out->actions_len = flow->actions_len;
    out->actions = xmalloc(MAX(flow->actions_len, 1));
    memcpy(out->actions, dp_flow_actions(flow), flow->actions_len);
    dp_flow_stats_get(flow, &out->stats);
}

int
dpif_flow_put(struct dpif *dpif, enum dpif_flow_put_flags flags,
              const struct match *match_, const void *actions,
              size_t actions_len, struct dp_flow_stats *stats)
{
    struct match match = *match_;
    struct dp_flow *new, *old;
    int error;

    if (stats) {
        memset(stats, 0, sizeof *stats);
    }
    match_normalize(&match);
    error = dp_flow_create(&match, actions, actions_len, &new);
    if (error) {
        return error;
    }

    pthread_mutex_lock(&dpif->flow_mutex);
    old = dpcls_find(&dpif->cls, &match);
    if (old && !(flags & DPIF_FP_MODIFY)) {
        error = EEXIST;
    } else if (!old && !(flags & DPIF_FP_CREATE)) {
        error = ENOENT;
    } else if (!old && dpcls_count(&dpif->cls) >= DPIF_MAX_FLOWS) {
        error = EFBIG;
    } else if (!old) {
        error = dpcls_insert(&dpif->cls, new);
    } else {
        struct dp_flow_stats old_stats;

        /* One atomic swap for the packet path: lookups find OLD or NEW,
         * and OLD is dead (so no exact-match cache returns it) before
         * this returns. */
        struct dp_flow *replaced = dpcls_replace(&dpif->cls, new);
        plx_assert(replaced == old);
        dp_flow_stats_get(old, &old_stats);
        if (!(flags & DPIF_FP_ZERO_STATS)) {
            dp_flow_stats_add(new, &old_stats);
        }
        if (stats) {
            *stats = old_stats;
        }
        dp_flow_unref(old);
    }
    pthread_mutex_unlock(&dpif->flow_mutex);

    dp_flow_unref(new);
    return error;
}

int
dpif_flow_del(struct dpif *dpif, const struct match *match_,
              struct dp_flow_stats *stats)
{
    struct match match = *match_;
    struct dp_flow *flow;

    match_normalize(&match);
    pthread_mutex_lock(&dpif->flow_mutex);
    flow = dpcls_find(&dpif->cls, &match);
    if (flow) {
        /* Dead first, so that these are the final statistics but for
         * batches already being executed.  The reference keeps FLOW
         * alive across dpcls_remove(), which may drop the last one: this
         * thread need not be an RCU reader, so a grace period would not
         * wait for it. */
        dp_flow_ref(flow);
        dpcls_remove(&dpif->cls, flow);
        if (stats) {
            dp_flow_stats_get(flow, stats);
        }
        dp_flow_unref(flow);
    }
    pthread_mutex_unlock(&dpif->flow_mutex);
    return flow ? 0 : ENOENT;
}

int
dpif_flow_get(const struct dpif *dpif_, const struct match *match_,
              struct dpif_flow *out)
{
    struct dpif *dpif = (struct dpif *) dpif_;
    struct match match = *match_;
    struct dp_flow *flow;

    match_normalize(&match);
    pthread_mutex_lock(&dpif->flow_mutex);
    flow = dpcls_find(&dpif->cls, &match);
    if (flow) {
        dp_flow_to_dpif_flow(flow, out);
    }
    pthread_mutex_unlock(&dpif->flow_mutex);
    return flow ? 0 : ENOENT;
}

void
dpif_flow_flush(struct dpif *dpif)
{
    pthread_mutex_lock(&dpif->flow_mutex);
    dpcls_flush(&dpif->cls);
    pthread_mutex_unlock(&dpif->flow_mutex);
}

size_t
dpif_flow_count(const struct dpif *dpif_)
{
    struct dpif *dpif = (struct dpif *) dpif_;
    size_t n;

    pthread_mutex_lock(&dpif->flow_mutex);
    n = dpcls_count(&dpif->cls);
    pthread_mutex_unlock(&dpif->flow_mutex);
    return n;
}

void
dpif_flow_dump(const struct dpif *dpif_, struct dpif_flow **flowsp,
               size_t *n_flowsp)
{
    struct dpif *dpif = (struct dpif *) dpif_;
    struct dpif_flow *flows;
    struct dp_flow *flow;
    size_t n = 0;

    pthread_mutex_lock(&dpif->flow_mutex);
    flows = xmalloc(MAX(dpcls_count(&dpif->cls), 1) * sizeof *flows);
    DPCLS_FOR_EACH (flow, &dpif->cls) {
        dp_flow_to_dpif_flow(flow, &flows[n++]);
    }
    pthread_mutex_unlock(&dpif->flow_mutex);
    *flowsp = flows;
    *n_flowsp = n;
}

void
dpif_flow_uninit(struct dpif_flow *flow)
{
    if (flow) {
        free(flow->actions);
        flow->actions = NULL;
        flow->actions_len = 0;
    }
}

void
dpif_flow_dump_free(struct dpif_flow *flows, size_t n_flows)
{
    for (size_t i = 0; i < n_flows; i++) {
        dpif_flow_uninit(&flows[i]);
    }
    free(flows);
}

/* ------------------------------------------------------------------ */
/* Text.
 *
 * Items are separated by commas; an item is "name(...)" holding fields
 * "field=value" or "field=value/mask" (partly masked), and a group with no
 * unwildcarded field is not printed at all. */

static void
put_sep(struct ds *ds, size_t start)
{
    if (ds->length > start && ds->string[ds->length - 1] != '(') {
        ds_put_char(ds, ',');
    }
}

static size_t
group_open(struct ds *ds, size_t start, const char *name)
{
    size_t ofs = ds->length;

    put_sep(ds, start);
    ds_put_format(ds, "%s(", name);
    return ofs;
}

static void
group_close(struct ds *ds, size_t ofs)
{
    if (ds->string[ds->length - 1] == '(') {
        ds_truncate(ds, ofs);           /* Nothing in it. */
    } else {
        ds_put_char(ds, ')');
    }
}

/* FIELD=VALUE in decimal, "/0xMASK" unless MASK is FULL. */
static void
put_dec(struct ds *ds, const char *field, uint32_t value, uint32_t mask,
        uint32_t full)
{
    if (mask) {
        put_sep(ds, 0);
        ds_put_format(ds, "%s=%"PRIu32, field, value);
        if (mask != full) {
            ds_put_format(ds, "/%#"PRIx32, mask);
        }
    }
}

static void
put_hex(struct ds *ds, const char *field, uint32_t value, uint32_t mask,
        uint32_t full)
{
    if (mask) {
        put_sep(ds, 0);
        ds_put_format(ds, "%s=%#"PRIx32, field, value);
        if (mask != full) {
            ds_put_format(ds, "/%#"PRIx32, mask);
        }
    }
}

static void
put_ip(struct ds *ds, const char *field, plx_be32 value, plx_be32 mask)
{
    if (mask) {
        put_sep(ds, 0);
        ds_put_format(ds, "%s="IP_FMT, field, IP_ARGS(value));
        if (mask != htonl(UINT32_MAX)) {
            ds_put_format(ds, "/"IP_FMT, IP_ARGS(mask));
        }
    }
}

static void
put_ipv6(struct ds *ds, const char *field, const struct in6_addr *value,
         const struct in6_addr *mask)
{
    if (ipv6_addr_is_set(mask)) {
        put_sep(ds, 0);
        ds_put_format(ds, "%s=", field);
        ipv6_format_addr(value, ds);
        if (!ipv6_mask_is_exact(mask)) {
            ds_put_char(ds, '/');
            ipv6_format_addr(mask, ds);
        }
    }
}

static void
put_mac(struct ds *ds, const char *field, struct eth_addr value,
        struct eth_addr mask)
{
    if (!eth_addr_is_zero(mask)) {
        put_sep(ds, 0);
        ds_put_format(ds, "%s="ETH_ADDR_FMT, field, ETH_ADDR_ARGS(value));
        if (!eth_addr_equals(mask, eth_addr_exact)) {
            ds_put_format(ds, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask));
        }
    }
}

static void
put_frag(struct ds *ds, uint8_t value, uint8_t mask)
{
    if (mask == FLOW_NW_FRAG_MASK) {
        put_sep(ds, 0);
        ds_put_format(ds, "frag=%s",
                      !(value & FLOW_NW_FRAG_ANY) ? "no"
                      : value & FLOW_NW_FRAG_LATER ? "later" : "first");
    } else {
        put_hex(ds, "frag", value, mask, FLOW_NW_FRAG_MASK);
    }
}

/* "eth_type(0x0800)", as ovs-dpctl prints it. */
static void
put_eth_type(struct ds *ds, size_t start, plx_be16 value, plx_be16 mask)
{
    if (mask) {
        put_sep(ds, start);
        ds_put_format(ds, "eth_type(0x%04"PRIx16, ntohs(value));
        if (mask != htons(UINT16_MAX)) {
            ds_put_format(ds, "/0x%04"PRIx16, ntohs(mask));
        }
        ds_put_char(ds, ')');
    }
}

/* A top-level item "NAME(VALUE)" or "NAME(VALUE/MASK)", VALUE in hex if
 * HEX, else decimal; MASK always in hex. */
static void
put_item(struct ds *ds, size_t start, const char *name, uint32_t value,
         uint32_t mask, uint32_t full, bool hex)
{
    if (mask) {
        put_sep(ds, start);
        ds_put_format(ds, hex ? "%s(%#"PRIx32 : "%s(%"PRIu32, name, value);
        if (mask != full) {
            ds_put_format(ds, "/%#"PRIx32, mask);
        }
        ds_put_char(ds, ')');
    }
}

static void
put_item_hex(struct ds *ds, size_t start, const char *name, uint32_t value,
             uint32_t mask, uint32_t full)
{
    put_item(ds, start, name, value, mask, full, true);
}

static void
put_item_dec(struct ds *ds, size_t start, const char *name, uint32_t value,
             uint32_t mask, uint32_t full)
{
    put_item(ds, start, name, value, mask, full, false);
}

static void
format_ct_state(struct ds *ds, size_t start, uint16_t value, uint16_t mask)
{
    if (!mask) {
        return;
    }
    put_sep(ds, start);
    ds_put_cstr(ds, "ct_state(");
    for (int bit = 0; bit < 8; bit++) {
        uint16_t b = 1u << bit;
        if (mask & b) {
            ds_put_format(ds, "%c%s", value & b ? '+' : '-',
                          mf_ct_state_to_string(b));
        }
    }
    ds_put_char(ds, ')');
}

static void
format_tunnel(struct ds *ds, size_t start, const struct flow_tnl *k,
              const struct flow_tnl *m)
{
    size_t g = group_open(ds, start, "tunnel");

    if (m->tun_id) {
        put_sep(ds, 0);
        ds_put_format(ds, "tun_id=%#"PRIx64, be64toh(k->tun_id));
        if (m->tun_id != UINT64_MAX) {
            ds_put_format(ds, "/%#"PRIx64, be64toh(m->tun_id));
        }
    }
    put_ip(ds, "src", k->ip_src, m->ip_src);
    put_ip(ds, "dst", k->ip_dst, m->ip_dst);
    put_ipv6(ds, "ipv6_src", &k->ipv6_src, &m->ipv6_src);
    put_ipv6(ds, "ipv6_dst", &k->ipv6_dst, &m->ipv6_dst);
    put_hex(ds, "tos", k->ip_tos, m->ip_tos, UINT8_MAX);
    put_dec(ds, "ttl", k->ip_ttl, m->ip_ttl, UINT8_MAX);
    put_dec(ds, "tp_src", ntohs(k->tp_src), ntohs(m->tp_src), UINT16_MAX);
    put_dec(ds, "tp_dst", ntohs(k->tp_dst), ntohs(m->tp_dst), UINT16_MAX);
    put_hex(ds, "flags", k->flags, m->flags, UINT16_MAX);
    group_close(ds, g);
}

static void
format_vlan(struct ds *ds, size_t start, const union flow_vlan_hdr *k,
            const union flow_vlan_hdr *m)
{
    uint16_t tci = ntohs(k->tci), tci_m = ntohs(m->tci);
    size_t g;

    put_eth_type(ds, start, k->tpid, m->tpid);
    g = group_open(ds, start, "vlan");
    put_dec(ds, "vid", tci & VLAN_VID_MASK, tci_m & VLAN_VID_MASK,
            VLAN_VID_MASK);
    put_dec(ds, "pcp", (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT,
            (tci_m & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT,
            VLAN_PCP_MASK >> VLAN_PCP_SHIFT);
    if (tci_m & VLAN_CFI && !(tci & VLAN_CFI)) {
        put_sep(ds, 0);
        ds_put_cstr(ds, "cfi=0");
    }
    group_close(ds, g);
}

static void
format_l4(struct ds *ds, size_t start, const struct flow *k,
          const struct flow *m)
{
    const char *name = "l4";
    bool icmp = false;

    if (m->nw_proto) {
        switch (k->nw_proto) {
        case IPPROTO_TCP: name = "tcp"; break;
        case IPPROTO_UDP: name = "udp"; break;
        case IPPROTO_SCTP: name = "sctp"; break;
        case IPPROTO_ICMP:
            if (k->dl_type == htons(ETH_TYPE_IP)) {
                name = "icmp";
                icmp = true;
            }
            break;
        case IPPROTO_ICMPV6:
            if (k->dl_type == htons(ETH_TYPE_IPV6)) {
                name = "icmpv6";
                icmp = true;
            }
            break;
        default:
            break;
        }
    }

    size_t g = group_open(ds, start, name);
    put_dec(ds, icmp ? "type" : "src", ntohs(k->tp_src), ntohs(m->tp_src),
            UINT16_MAX);
    put_dec(ds, icmp ? "code" : "dst", ntohs(k->tp_dst), ntohs(m->tp_dst),
            UINT16_MAX);
    group_close(ds, g);

    if (m->tcp_flags) {
        put_sep(ds, start);
        ds_put_format(ds, "tcp_flags(%#05"PRIx16, ntohs(k->tcp_flags));
        if (ntohs(m->tcp_flags) != TCP_FLAGS_MASK) {
            ds_put_format(ds, "/%#05"PRIx16, ntohs(m->tcp_flags));
        }
        ds_put_char(ds, ')');
    }

    if (icmp && k->dl_type == htons(ETH_TYPE_IPV6)
        && (ipv6_addr_is_set(&m->nd_target)
            || !eth_addr_is_zero(m->arp_sha)
            || !eth_addr_is_zero(m->arp_tha))) {
        g = group_open(ds, start, "nd");
        put_ipv6(ds, "target", &k->nd_target, &m->nd_target);
        put_mac(ds, "sll", k->arp_sha, m->arp_sha);
        put_mac(ds, "tll", k->arp_tha, m->arp_tha);
        group_close(ds, g);
    }
}

static void
format_l3(struct ds *ds, size_t start, const struct flow *k,
          const struct flow *m)
{
    plx_be16 dl_type = m->dl_type ? k->dl_type : 0;
    size_t g;

    if (dl_type == htons(ETH_TYPE_IP)) {
        g = group_open(ds, start, "ipv4");
        put_ip(ds, "src", k->nw_src, m->nw_src);
        put_ip(ds, "dst", k->nw_dst, m->nw_dst);
        put_dec(ds, "proto", k->nw_proto, m->nw_proto, UINT8_MAX);
        put_hex(ds, "tos", k->nw_tos, m->nw_tos, UINT8_MAX);
        put_dec(ds, "ttl", k->nw_ttl, m->nw_ttl, UINT8_MAX);
        put_frag(ds, k->nw_frag, m->nw_frag);
        group_close(ds, g);
    } else if (dl_type == htons(ETH_TYPE_IPV6)) {
        g = group_open(ds, start, "ipv6");
        put_ipv6(ds, "src", &k->ipv6_src, &m->ipv6_src);
        put_ipv6(ds, "dst", &k->ipv6_dst, &m->ipv6_dst);
        put_hex(ds, "label", ntohl(k->ipv6_label), ntohl(m->ipv6_label),
                0xfffff);
        put_dec(ds, "proto", k->nw_proto, m->nw_proto, UINT8_MAX);
        put_hex(ds, "tclass", k->nw_tos, m->nw_tos, UINT8_MAX);
        put_dec(ds, "hlimit", k->nw_ttl, m->nw_ttl, UINT8_MAX);
        put_frag(ds, k->nw_frag, m->nw_frag);
        group_close(ds, g);
    } else if (dl_type == htons(ETH_TYPE_ARP)) {
        g = group_open(ds, start, "arp");
        put_ip(ds, "sip", k->nw_src, m->nw_src);
        put_ip(ds, "tip", k->nw_dst, m->nw_dst);
        put_dec(ds, "op", k->nw_proto, m->nw_proto, UINT8_MAX);
        put_mac(ds, "sha", k->arp_sha, m->arp_sha);
        put_mac(ds, "tha", k->arp_tha, m->arp_tha);
        group_close(ds, g);
        return;
    } else if (eth_type_mpls(dl_type)) {
        uint32_t lse = ntohl(k->mpls_lse[0]), lse_m = ntohl(m->mpls_lse[0]);

        g = group_open(ds, start, "mpls");
        put_dec(ds, "label", (lse & MPLS_LABEL_MASK) >> MPLS_LABEL_SHIFT,
                (lse_m & MPLS_LABEL_MASK) >> MPLS_LABEL_SHIFT,
                MPLS_LABEL_MASK >> MPLS_LABEL_SHIFT);
        put_dec(ds, "tc", (lse & MPLS_TC_MASK) >> MPLS_TC_SHIFT,
                (lse_m & MPLS_TC_MASK) >> MPLS_TC_SHIFT,
                MPLS_TC_MASK >> MPLS_TC_SHIFT);
        put_dec(ds, "ttl", lse & MPLS_TTL_MASK, lse_m & MPLS_TTL_MASK,
                MPLS_TTL_MASK);
        put_dec(ds, "bos", (lse & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT,
                (lse_m & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT, 1);
        group_close(ds, g);
        return;
    } else {
        return;
    }
    format_l4(ds, start, k, m);
}

static void
format_port(const struct dpif *dpif, odp_port_t port_no, struct ds *ds)
{
    struct netdev *netdev = dpif ? dpif_port_get_netdev(dpif, port_no)
                                 : NULL;
    if (netdev) {
        ds_put_cstr(ds, netdev_get_name(netdev));
    } else {
        ds_put_format(ds, "%"PRIu32, port_no);
    }
}

static void
format_key(const struct dpif *dpif, const struct match *match, struct ds *ds)
{
    const struct flow *k = &match->flow;
    const struct flow *m = &match->wc.masks;
    size_t start = ds->length;
    size_t n_encaps = 0;

    put_item_hex(ds, start, "recirc_id", k->recirc_id, m->recirc_id,
                 UINT32_MAX);
    put_item_hex(ds, start, "dp_hash", k->dp_hash, m->dp_hash, UINT32_MAX);
    put_item_hex(ds, start, "skb_priority", k->skb_priority,
                 m->skb_priority, UINT32_MAX);
    put_item_hex(ds, start, "skb_mark", k->pkt_mark, m->pkt_mark,
                 UINT32_MAX);
    format_ct_state(ds, start, k->ct_state, m->ct_state);
    put_item_dec(ds, start, "ct_zone", k->ct_zone, m->ct_zone, UINT16_MAX);
    put_item_hex(ds, start, "ct_mark", k->ct_mark, m->ct_mark, UINT32_MAX);
    if (m->ct_label.u64.hi || m->ct_label.u64.lo) {
        put_sep(ds, start);
        ds_put_format(ds, "ct_label(%#018"PRIx64"%016"PRIx64"/%#018"PRIx64
                      "%016"PRIx64")",
                      k->ct_label.u64.hi, k->ct_label.u64.lo,
                      m->ct_label.u64.hi, m->ct_label.u64.lo);
    }
    format_tunnel(ds, start, &k->tunnel, &m->tunnel);
    if (m->in_port) {
        put_sep(ds, start);
        ds_put_cstr(ds, "in_port(");
        format_port(dpif, k->in_port, ds);
        if (m->in_port != UINT32_MAX) {
            ds_put_format(ds, "/%#"PRIx32, m->in_port);
        }
        ds_put_char(ds, ')');
    }

    size_t g = group_open(ds, start, "eth");
    put_mac(ds, "src", k->dl_src, m->dl_src);
    put_mac(ds, "dst", k->dl_dst, m->dl_dst);
    group_close(ds, g);

    /* VLAN headers that the match requires, each enclosing the rest. */
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        if (!m->vlans[i].qtag || !(k->vlans[i].tci & htons(VLAN_CFI))) {
            break;
        }
        format_vlan(ds, start, &k->vlans[i], &m->vlans[i]);
        put_sep(ds, start);
        ds_put_cstr(ds, "encap(");
        n_encaps++;
    }

    put_eth_type(ds, start, k->dl_type, m->dl_type);
    format_l3(ds, start, k, m);
    while (n_encaps--) {
        ds_put_char(ds, ')');
    }
}

static void
format_actions(const struct dpif *dpif, const void *actions, size_t size,
               struct ds *ds)
{
    const struct odp_attr *a;
    size_t left;

    if (!dpif || !size || odp_actions_check(actions, size)) {
        odp_actions_format(ds, actions, size);
        return;
    }
    /* Top-level outputs by port name; the rest as odp-actions has it. */
    ODP_ACTION_FOR_EACH (a, left, actions, size) {
        if (a != actions) {
            ds_put_char(ds, ',');
        }
        if (odp_attr_type(a) == ODP_ACTION_OUTPUT) {
            format_port(dpif, odp_attr_get_u32(a), ds);
        } else {
            odp_actions_format(ds, a, ODP_ALIGN(a->len));
        }
    }
}

void
dpif_flow_format(const struct dpif *dpif, const struct dpif_flow *flow,
                 struct ds *ds)
{
    const struct dp_flow_stats *s = &flow->stats;

    format_key(dpif, &flow->match, ds);
    ds_put_format(ds, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                  s->n_packets, s->n_bytes);
    if (s->used) {
        long long int age = MAX(time_msec() - s->used, 0);
        ds_put_format(ds, "%lld.%03llds", age / 1000, age % 1000);
    } else {
        ds_put_cstr(ds, "never");
    }
    if (s->tcp_flags) {
        /* As ovs-dpctl: FIN SYN RST PSH ACK URG ECE CWR. */
        static const char letters[] = "FSRP.UEC";

        ds_put_cstr(ds, ", flags:");
        for (int i = 0; i < 8; i++) {
            if (s->tcp_flags & (1u << i)) {
                ds_put_char(ds, letters[i]);
            }
        }
    }
    ds_put_cstr(ds, ", actions:");
    format_actions(dpif, flow->actions, flow->actions_len, ds);
}
