/* match: a flow key plus a mask, and its canonical text (see match.h).
 *
 * The text form follows ovs-ofctl's match_format() field for field and in
 * the same order (priority, packet metadata, conntrack, protocol
 * shorthand, registers, tunnel, in_port, VLAN, Ethernet, L3, L4), so that
 * plx-ofctl dump-flows output reads like ovs-ofctl's.  Three small
 * differences keep every match that match_parse() can produce
 * round-tripping exactly: tun_tos is printed in decimal, ct_tp_src and
 * ct_tp_dst are printed even without ct_nw_proto, and an nw_frag
 * value/mask that has no name is printed as numbers (ovs-ofctl prints
 * "<error>").  The inner VLAN and MPLS fields, which ovs-ofctl prints but
 * cannot read, are read here too. */
#include <config.h>
#include "match.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "meta-flow.h"
#include "packets.h"
#include "util.h"

BUILD_ASSERT_DECL(MFF_N_IDS <= 128);

#define OFP_DEFAULT_PRIORITY 32768

void
match_init_catchall(struct match *match)
{
    memset(match, 0, sizeof *match);
}

void
match_init_exact(struct match *match, const struct flow *flow)
{
    match->flow = *flow;
    memset(&match->wc, 0xff, sizeof match->wc);
}

void
match_normalize(struct match *match)
{
    uint64_t *f = flow_u64(&match->flow);
    const uint64_t *m = flow_u64_const(&match->wc.masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        f[i] &= m[i];
    }
}

bool
match_equal(const struct match *a, const struct match *b)
{
    return !memcmp(a, b, sizeof *a);
}

uint32_t
match_hash(const struct match *match, uint32_t basis)
{
    uint32_t hash = hash_words64(flow_u64_const(&match->flow), FLOW_U64S,
                                 basis);
    return hash_words64(flow_u64_const(&match->wc.masks), FLOW_U64S, hash);
}

/* ------------------------------------------------------------------ */
/* Setters. */

void
match_set_in_port(struct match *m, uint32_t port)
{
    m->flow.in_port = port;
    m->wc.masks.in_port = UINT32_MAX;
}

void
match_set_reg(struct match *m, unsigned int idx, uint32_t value)
{
    match_set_reg_masked(m, idx, value, UINT32_MAX);
}

void
match_set_reg_masked(struct match *m, unsigned int idx, uint32_t value,
                     uint32_t mask)
{
    plx_assert(idx < FLOW_N_REGS);
    m->flow.regs[idx] = value & mask;
    m->wc.masks.regs[idx] = mask;
}

void
match_set_metadata_masked(struct match *m, plx_be64 value, plx_be64 mask)
{
    m->flow.metadata = value & mask;
    m->wc.masks.metadata = mask;
}

void
match_set_tun_id_masked(struct match *m, plx_be64 value, plx_be64 mask)
{
    m->flow.tunnel.tun_id = value & mask;
    m->wc.masks.tunnel.tun_id = mask;
}

void
match_set_pkt_mark_masked(struct match *m, uint32_t value, uint32_t mask)
{
    m->flow.pkt_mark = value & mask;
    m->wc.masks.pkt_mark = mask;
}

void
match_set_ct_state_masked(struct match *m, uint16_t state, uint16_t mask)
{
    mask &= 0xff;
    m->flow.ct_state = state & mask;
    m->wc.masks.ct_state = mask;
}

void
match_set_ct_zone(struct match *m, uint16_t zone)
{
    m->flow.ct_zone = zone;
    m->wc.masks.ct_zone = UINT16_MAX;
}

void
match_set_dl_type(struct match *m, plx_be16 dl_type)
{
    m->flow.dl_type = dl_type;
    m->wc.masks.dl_type = UINT16_MAX;
}

void
match_set_dl_src_masked(struct match *m, struct eth_addr value,
                        struct eth_addr mask)
{
    m->flow.dl_src = eth_addr_bitand(value, mask);
    m->wc.masks.dl_src = mask;
}

void
match_set_dl_dst_masked(struct match *m, struct eth_addr value,
                        struct eth_addr mask)
{
    m->flow.dl_dst = eth_addr_bitand(value, mask);
    m->wc.masks.dl_dst = mask;
}

void
match_set_dl_src(struct match *m, struct eth_addr value)
{
    match_set_dl_src_masked(m, value, eth_addr_exact);
}

void
match_set_dl_dst(struct match *m, struct eth_addr value)
{
    match_set_dl_dst_masked(m, value, eth_addr_exact);
}

void
match_set_vlan_tci_masked(struct match *m, plx_be16 tci, plx_be16 mask)
{
    m->flow.vlans[0].tci = tci & mask;
    m->wc.masks.vlans[0].tci = mask;
}

void
match_set_dl_vlan(struct match *m, uint16_t vid)
{
    plx_be16 bits = htons(VLAN_VID_MASK | VLAN_CFI);

    m->flow.vlans[0].tci &= ~bits;
    m->flow.vlans[0].tci |= htons((vid & VLAN_VID_MASK) | VLAN_CFI);
    m->wc.masks.vlans[0].tci |= bits;
}

void
match_set_dl_vlan_pcp(struct match *m, uint8_t pcp)
{
    plx_be16 bits = htons(VLAN_PCP_MASK | VLAN_CFI);

    m->flow.vlans[0].tci &= ~bits;
    m->flow.vlans[0].tci |= htons(((pcp << VLAN_PCP_SHIFT) & VLAN_PCP_MASK)
                                  | VLAN_CFI);
    m->wc.masks.vlans[0].tci |= bits;
}

void
match_set_no_vlan(struct match *m)
{
    match_set_vlan_tci_masked(m, 0, UINT16_MAX);
}

void
match_set_nw_proto(struct match *m, uint8_t nw_proto)
{
    m->flow.nw_proto = nw_proto;
    m->wc.masks.nw_proto = UINT8_MAX;
}

void
match_set_nw_src(struct match *m, plx_be32 ip)
{
    match_set_nw_src_masked(m, ip, UINT32_MAX);
}

void
match_set_nw_src_masked(struct match *m, plx_be32 ip, plx_be32 mask)
{
    m->flow.nw_src = ip & mask;
    m->wc.masks.nw_src = mask;
}

void
match_set_nw_dst(struct match *m, plx_be32 ip)
{
    match_set_nw_dst_masked(m, ip, UINT32_MAX);
}

void
match_set_nw_dst_masked(struct match *m, plx_be32 ip, plx_be32 mask)
{
    m->flow.nw_dst = ip & mask;
    m->wc.masks.nw_dst = mask;
}

void
match_set_ipv6_src_masked(struct match *m, const struct in6_addr *addr,
                          const struct in6_addr *mask)
{
    m->flow.ipv6_src = ipv6_addr_bitand(addr, mask);
    m->wc.masks.ipv6_src = *mask;
}

void
match_set_ipv6_dst_masked(struct match *m, const struct in6_addr *addr,
                          const struct in6_addr *mask)
{
    m->flow.ipv6_dst = ipv6_addr_bitand(addr, mask);
    m->wc.masks.ipv6_dst = *mask;
}

void
match_set_nw_tos(struct match *m, uint8_t tos)
{
    m->flow.nw_tos = (m->flow.nw_tos & ~IP_DSCP_MASK) | (tos & IP_DSCP_MASK);
    m->wc.masks.nw_tos |= IP_DSCP_MASK;
}

void
match_set_nw_ttl(struct match *m, uint8_t ttl)
{
    m->flow.nw_ttl = ttl;
    m->wc.masks.nw_ttl = UINT8_MAX;
}

void
match_set_nw_frag_masked(struct match *m, uint8_t frag, uint8_t mask)
{
    mask &= FLOW_NW_FRAG_MASK;
    m->flow.nw_frag = frag & mask;
    m->wc.masks.nw_frag = mask;
}

void
match_set_tp_src(struct match *m, plx_be16 port)
{
    match_set_tp_src_masked(m, port, UINT16_MAX);
}

void
match_set_tp_src_masked(struct match *m, plx_be16 port, plx_be16 mask)
{
    m->flow.tp_src = port & mask;
    m->wc.masks.tp_src = mask;
}

void
match_set_tp_dst(struct match *m, plx_be16 port)
{
    match_set_tp_dst_masked(m, port, UINT16_MAX);
}

void
match_set_tp_dst_masked(struct match *m, plx_be16 port, plx_be16 mask)
{
    m->flow.tp_dst = port & mask;
    m->wc.masks.tp_dst = mask;
}

void
match_set_tcp_flags_masked(struct match *m, plx_be16 flags, plx_be16 mask)
{
    mask &= htons(TCP_FLAGS_MASK);
    m->flow.tcp_flags = flags & mask;
    m->wc.masks.tcp_flags = mask;
}

void
match_set_icmp_type(struct match *m, uint8_t type)
{
    match_set_tp_src_masked(m, htons(type), htons(0xff));
}

void
match_set_icmp_code(struct match *m, uint8_t code)
{
    match_set_tp_dst_masked(m, htons(code), htons(0xff));
}

/* ------------------------------------------------------------------ */
/* Formatting. */

/* Writes "NAME=VALUE," for field ID if MATCH matches on it at all. */
static void
format_field_as(struct ds *s, const char *name, enum mf_field_id id,
                const struct match *match)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value value, mask;

    if (mf_is_all_wild(mf, &match->wc)) {
        return;
    }
    mf_get_value(mf, &match->flow, &value);
    mf_get_mask(mf, &match->wc, &mask);
    ds_put_format(s, "%s=", name);
    mf_format(mf, &value, &mask, s);
    ds_put_char(s, ',');
}

static void
format_field(struct ds *s, enum mf_field_id id, const struct match *match)
{
    format_field_as(s, mf_from_id(id)->name, id, match);
}

/* The protocol shorthands, as ovs-ofctl prints and reads them.  NW_PROTO
 * is -1 for those that name only an EtherType.  "igmp" is read (as older
 * ovs-ofctl wrote it) but never written: Open vSwitch 3.x prints IGMP as
 * "ip,nw_proto=2" and no longer reads "igmp". */
struct proto_shorthand {
    const char *name;
    uint16_t dl_type;
    int nw_proto;
    bool parse_only;
};

static const struct proto_shorthand shorthands[] = {
    { "ip", ETH_TYPE_IP, -1, false },
    { "ipv6", ETH_TYPE_IPV6, -1, false },
    { "icmp", ETH_TYPE_IP, IPPROTO_ICMP, false },
    { "icmp6", ETH_TYPE_IPV6, IPPROTO_ICMPV6, false },
    { "igmp", ETH_TYPE_IP, IPPROTO_IGMP, true },
    { "tcp", ETH_TYPE_IP, IPPROTO_TCP, false },
    { "tcp6", ETH_TYPE_IPV6, IPPROTO_TCP, false },
    { "udp", ETH_TYPE_IP, IPPROTO_UDP, false },
    { "udp6", ETH_TYPE_IPV6, IPPROTO_UDP, false },
    { "sctp", ETH_TYPE_IP, IPPROTO_SCTP, false },
    { "sctp6", ETH_TYPE_IPV6, IPPROTO_SCTP, false },
    { "arp", ETH_TYPE_ARP, -1, false },
    { "rarp", ETH_TYPE_RARP, -1, false },
    { "mpls", ETH_TYPE_MPLS, -1, false },
    { "mplsm", ETH_TYPE_MPLS_MCAST, -1, false },
};

static const struct proto_shorthand *
shorthand_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        if (!strcmp(shorthands[i].name, name)) {
            return &shorthands[i];
        }
    }
    return NULL;
}

/* Writes the shorthand for MATCH's dl_type (and nw_proto), if there is
 * one.  Sets *SKIP_TYPE and *SKIP_PROTO to say what it covered. */
static void
format_shorthand(struct ds *s, const struct match *match,
                 bool *skip_type, bool *skip_proto)
{
    const struct flow *f = &match->flow;
    const struct flow_wildcards *wc = &match->wc;
    const struct proto_shorthand *best = NULL;

    *skip_type = *skip_proto = false;
    if (wc->masks.dl_type != UINT16_MAX) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        const struct proto_shorthand *p = &shorthands[i];
        if (htons(p->dl_type) != f->dl_type || p->parse_only) {
            continue;
        }
        if (p->nw_proto < 0) {
            if (!best) {
                best = p;
            }
        } else if (wc->masks.nw_proto == UINT8_MAX
                   && f->nw_proto == p->nw_proto) {
            best = p;
            break;
        }
    }
    if (best) {
        ds_put_format(s, "%s,", best->name);
        *skip_type = true;
        *skip_proto = best->nw_proto >= 0;
    }
}

/* VLAN headers, outermost first, as ovs-ofctl prints them: for each header
 * whose TCI the match looks at (stopping at the first it does not),
 * "dl_vlanN=" and "dl_vlan_pcpN=" when the match says "tagged, with this
 * VID and/or PCP", "vlan_tciN=" otherwise, N being "" for the outer
 * header and "1" for the inner one. */
static void
format_vlans(struct ds *s, const struct match *match)
{
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        uint16_t tci = ntohs(match->flow.vlans[i].tci);
        uint16_t mask = ntohs(match->wc.masks.vlans[i].tci);
        uint16_t vid_mask = mask & VLAN_VID_MASK;
        uint16_t pcp_mask = mask & VLAN_PCP_MASK;
        char n[12] = "";

        if (!mask) {
            break;
        }
        if (i) {
            snprintf(n, sizeof n, "%d", i);
        }
        if (mask & tci & VLAN_CFI
            && (!vid_mask || vid_mask == VLAN_VID_MASK)
            && (!pcp_mask || pcp_mask == VLAN_PCP_MASK)
            && (vid_mask || pcp_mask)) {
            if (vid_mask) {
                ds_put_format(s, "dl_vlan%s=%d,", n, tci & VLAN_VID_MASK);
            }
            if (pcp_mask) {
                ds_put_format(s, "dl_vlan_pcp%s=%d,", n,
                              tci >> VLAN_PCP_SHIFT);
            }
        } else if (mask == UINT16_MAX) {
            ds_put_format(s, "vlan_tci%s=0x%04"PRIx16",", n, tci);
        } else {
            ds_put_format(s, "vlan_tci%s=0x%04"PRIx16"/0x%04"PRIx16",",
                          n, tci, mask);
        }
    }
}

void
match_format(const struct match *match, int priority, struct ds *s)
{
    const struct flow *f = &match->flow;
    size_t start = s->length;
    bool skip_type, skip_proto;
    bool is_arp = (f->dl_type == htons(ETH_TYPE_ARP)
                   || f->dl_type == htons(ETH_TYPE_RARP));

    if (priority != OFP_DEFAULT_PRIORITY) {
        ds_put_format(s, "priority=%d,", priority);
    }

    format_field(s, MFF_PKT_MARK, match);
    format_field(s, MFF_RECIRC_ID, match);
    format_field(s, MFF_DP_HASH, match);
    format_field(s, MFF_SKB_PRIORITY, match);
    format_field(s, MFF_CT_STATE, match);
    format_field(s, MFF_CT_ZONE, match);
    format_field(s, MFF_CT_MARK, match);
    format_field(s, MFF_CT_LABEL, match);
    format_field(s, MFF_CT_NW_SRC, match);
    format_field(s, MFF_CT_IPV6_SRC, match);
    format_field(s, MFF_CT_NW_DST, match);
    format_field(s, MFF_CT_IPV6_DST, match);
    format_field(s, MFF_CT_NW_PROTO, match);
    format_field(s, MFF_CT_TP_SRC, match);
    format_field(s, MFF_CT_TP_DST, match);

    format_shorthand(s, match, &skip_type, &skip_proto);

    for (int i = 0; i < FLOW_N_REGS; i++) {
        format_field(s, MFF_REG0 + i, match);
    }
    format_field(s, MFF_TUN_ID, match);
    format_field(s, MFF_TUN_SRC, match);
    format_field(s, MFF_TUN_DST, match);
    format_field(s, MFF_TUN_IPV6_SRC, match);
    format_field(s, MFF_TUN_IPV6_DST, match);
    format_field(s, MFF_TUN_TOS, match);
    format_field(s, MFF_TUN_TTL, match);
    format_field(s, MFF_TUN_FLAGS, match);
    format_field(s, MFF_METADATA, match);
    format_field(s, MFF_IN_PORT, match);
    format_vlans(s, match);
    format_field(s, MFF_ETH_SRC, match);
    format_field(s, MFF_ETH_DST, match);
    if (!skip_type) {
        format_field(s, MFF_ETH_TYPE, match);
    }

    if (f->dl_type == htons(ETH_TYPE_IPV6)) {
        format_field(s, MFF_IPV6_SRC, match);
        format_field(s, MFF_IPV6_DST, match);
        format_field(s, MFF_IPV6_LABEL, match);
    } else if (is_arp) {
        format_field(s, MFF_ARP_SPA, match);
        format_field(s, MFF_ARP_TPA, match);
    } else {
        format_field(s, MFF_IPV4_SRC, match);
        format_field(s, MFF_IPV4_DST, match);
    }
    if (!skip_proto) {
        format_field(s, is_arp ? MFF_ARP_OP : MFF_IP_PROTO, match);
    }
    if (is_arp) {
        format_field(s, MFF_ARP_SHA, match);
        format_field(s, MFF_ARP_THA, match);
    }
    format_field(s, MFF_IP_DSCP, match);
    format_field(s, MFF_IP_ECN, match);
    format_field(s, MFF_IP_TTL, match);
    format_field(s, MFF_MPLS_LABEL, match);
    format_field(s, MFF_MPLS_TC, match);
    format_field(s, MFF_MPLS_TTL, match);
    format_field(s, MFF_MPLS_BOS, match);
    format_field(s, MFF_MPLS_LSE1, match);
    format_field(s, MFF_MPLS_LSE2, match);
    format_field(s, MFF_MPLS_LSE3, match);
    format_field(s, MFF_IP_FRAG, match);

    if (f->dl_type == htons(ETH_TYPE_IP) && f->nw_proto == IPPROTO_ICMP) {
        format_field(s, MFF_ICMPV4_TYPE, match);
        format_field(s, MFF_ICMPV4_CODE, match);
    } else if (f->dl_type == htons(ETH_TYPE_IPV6)
               && f->nw_proto == IPPROTO_ICMPV6) {
        /* ovs-ofctl prints ICMPv6 type and code as "icmp_type" and
         * "icmp_code"; match_parse() reads them back. */
        format_field_as(s, "icmp_type", MFF_ICMPV6_TYPE, match);
        format_field_as(s, "icmp_code", MFF_ICMPV6_CODE, match);
        format_field(s, MFF_ND_TARGET, match);
        format_field(s, MFF_ND_SLL, match);
        format_field(s, MFF_ND_TLL, match);
    } else {
        format_field(s, MFF_TP_SRC, match);
        format_field(s, MFF_TP_DST, match);
    }
    if (dl_type_is_ip_any(f->dl_type) && f->nw_proto == IPPROTO_TCP) {
        format_field(s, MFF_TCP_FLAGS, match);
    }

    if (s->length > start) {
        ds_chomp(s, ',');
    }
}

char *
match_to_string(const struct match *match, int priority)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    match_format(match, priority, &s);
    return ds_steal_cstr(&s);
}

/* ------------------------------------------------------------------ */
/* Parsing. */

bool
match_is_keyword(const char *key)
{
    return shorthand_from_name(key) || mf_from_name(key);
}

void
match_parser_init(struct match_parser *p, struct match *match)
{
    memset(p, 0, sizeof *p);
    p->match = match;
}

/* Records that the storage in WC is being named; fails if any of it was
 * named before.  The VLAN CFI bits are exempt: dl_vlan, dl_vlan_pcp,
 * vlan_vid and vlan_pcp all touch the outer one (dl_vlan1 and
 * dl_vlan_pcp1 the inner one) and may be combined. */
static bool
claim_storage(struct match_parser *p, struct flow_wildcards *wc)
{
    uint64_t *new = flow_u64(&wc->masks);
    uint64_t *seen = flow_u64(&p->seen.masks);

    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        wc->masks.vlans[i].tci &= ~htons(VLAN_CFI);
    }
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (new[i] & seen[i]) {
            return false;
        }
    }
    for (size_t i = 0; i < FLOW_U64S; i++) {
        seen[i] |= new[i];
    }
    return true;
}

static char *
add_shorthand(struct match_parser *p, const struct proto_shorthand *sh)
{
    struct flow_wildcards wc;

    memset(&wc, 0, sizeof wc);
    mf_storage_mask(mf_from_id(MFF_ETH_TYPE), &wc);
    if (sh->nw_proto >= 0) {
        mf_storage_mask(mf_from_id(MFF_IP_PROTO), &wc);
    }
    if (!claim_storage(p, &wc)) {
        return xasprintf("%s: conflicts with an earlier protocol or field",
                         sh->name);
    }
    match_set_dl_type(p->match, htons(sh->dl_type));
    if (sh->nw_proto >= 0) {
        match_set_nw_proto(p->match, sh->nw_proto);
    }
    return NULL;
}

char *
match_parser_add(struct match_parser *p, const char *key, const char *value)
{
    const struct proto_shorthand *sh = shorthand_from_name(key);
    const struct mf_field *mf;
    struct flow_wildcards wc;
    union mf_value v, m;
    char *error;

    if (sh) {
        if (value) {
            return xasprintf("%s: unexpected value \"%s\"", key, value);
        }
        return add_shorthand(p, sh);
    }

    mf = mf_from_name(key);
    if (!mf) {
        return xasprintf("unknown keyword %s", key);
    }
    if (!value) {
        return xasprintf("field %s missing value", key);
    }
    error = mf_parse(mf, value, &v, &m);
    if (error) {
        return error;
    }

    memset(&wc, 0, sizeof wc);
    mf_storage_mask(mf, &wc);
    if (!claim_storage(p, &wc)) {
        return xasprintf("%s: field set more than once", key);
    }
    mf_set(mf, &v, &m, p->match);

    plx_assert(p->n_fields < ARRAY_SIZE(p->fields));
    p->fields[p->n_fields] = mf->id;
    p->names[p->n_fields] = mf->name;
    for (size_t i = 0; i < ARRAY_SIZE(mf->aliases) && mf->aliases[i]; i++) {
        if (!strcmp(key, mf->aliases[i])) {
            p->names[p->n_fields] = mf->aliases[i];
        }
    }
    p->n_fields++;
    return NULL;
}

char *
match_parser_finish(struct match_parser *p)
{
    for (size_t i = 0; i < p->n_fields; i++) {
        const struct mf_field *mf = mf_from_id(p->fields[i]);

        if (mf_is_all_wild(mf, &p->match->wc)
            || mf_are_match_prereqs_ok(mf, p->match)) {
            continue;
        }
        /* ovs-ofctl writes ICMPv6 type and code as icmp_type and
         * icmp_code, so accept those names for ICMPv6 too. */
        if ((mf->id == MFF_ICMPV4_TYPE || mf->id == MFF_ICMPV4_CODE)
            && mf_are_match_prereqs_ok(mf_from_id(MFF_ICMPV6_TYPE),
                                       p->match)) {
            continue;
        }
        return xasprintf("%s: prerequisites not met (requires %s)",
                         p->names[i], mf_prereqs_to_string(mf->prereqs));
    }
    return NULL;
}

static char *
parse_priority(const char *value, int *priority)
{
    unsigned int x;

    if (!value || !value[0] || !isdigit((unsigned char) value[0])
        || !str_to_uint(value, 0, &x) || x > UINT16_MAX) {
        return xasprintf("invalid priority \"%s\"", value ? value : "");
    }
    *priority = x;
    return NULL;
}

/* Splits the next "KEY", "KEY=VALUE", "KEY:VALUE" or "KEY(VALUE)" off *SP,
 * in place, the way ovs-ofctl does.  Returns false at the end of the
 * string; *ERROR is set (and false returned) on a syntax error. */
static bool
next_key_value(char **sp, char **keyp, char **valuep, char **error)
{
    char *s = *sp;
    char *key, *value = NULL;
    size_t key_len;
    char c;

    *error = NULL;
    s += strspn(s, ", \t\r\n");
    if (!*s) {
        return false;
    }

    key = s;
    key_len = strcspn(s, ":=(, \t\r\n");
    c = s[key_len];
    s[key_len] = '\0';
    s += key_len;
    if (!key_len) {
        *error = xasprintf("missing keyword before '%c'", c);
        return false;
    }

    if (c == '=' || c == ':') {
        size_t len;

        value = ++s;
        len = strcspn(s, ", \t\r\n");
        s += len;
        if (*s) {
            *s++ = '\0';
        }
    } else if (c == '(') {
        int depth = 1;

        value = ++s;
        for (; *s; s++) {
            if (*s == '(') {
                depth++;
            } else if (*s == ')' && !--depth) {
                break;
            }
        }
        if (!*s) {
            *error = xasprintf("%s: unbalanced parentheses", key);
            return false;
        }
        *s++ = '\0';
    } else if (c) {
        s++;                    /* Skip the delimiter. */
    }

    *sp = s;
    *keyp = key;
    *valuep = value;
    return true;
}

char *
match_parse(const char *string, struct match *match, int *priority)
{
    struct match_parser p;
    char *copy = xstrdup(string);
    char *s = copy;
    char *key, *value, *error = NULL;
    bool have_priority = false;
    int prio = 0;

    match_init_catchall(match);
    match_parser_init(&p, match);
    while (next_key_value(&s, &key, &value, &error)) {
        if (!strcmp(key, "priority")) {
            if (!priority) {
                error = xstrdup("priority: not allowed here");
            } else if (have_priority) {
                error = xstrdup("priority: set more than once");
            } else {
                error = parse_priority(value, &prio);
                have_priority = true;
            }
        } else {
            error = match_parser_add(&p, key, value);
        }
        if (error) {
            break;
        }
    }
    if (!error) {
        error = match_parser_finish(&p);
    }
    if (!error && have_priority) {
        *priority = prio;
    }
    free(copy);
    return error;
}
