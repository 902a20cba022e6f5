/* odp-actions-text: the text form of datapath actions, as Open vSwitch's
 * ovs-dpctl prints them (see odp-actions.h), and its parser. */
#include <config.h>
#include "odp-actions.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "conntrack.h"
#include "dynamic-string.h"
#include "packets.h"

/* ------------------------------------------------------------------ */
/* Formatting. */

static void format_actions__(struct ds *, const void *, size_t);

/* Appends ",NAME=" (without the comma for the first field). */
static void
format_field_name(struct ds *s, bool *first, const char *name)
{
    ds_put_format(s, "%s%s=", *first ? "" : ",", name);
    *first = false;
}

/* An integer field: VALUE in decimal (or hex if HEX), "/0xMASK" when
 * MASK is neither zero nor FULL; nothing when MASK is zero. */
static void
format_uint(struct ds *s, bool *first, const char *name, uint32_t value,
            uint32_t mask, uint32_t full, bool hex)
{
    if (mask) {
        format_field_name(s, first, name);
        ds_put_format(s, hex ? "%#"PRIx32 : "%"PRIu32, value);
        if (mask != full) {
            ds_put_format(s, "/%#"PRIx32, mask);
        }
    }
}

static void
format_eth(struct ds *s, bool *first, const char *name,
           struct eth_addr value, struct eth_addr mask)
{
    if (!eth_addr_is_zero(mask)) {
        format_field_name(s, first, name);
        eth_format_masked(value, &mask, s);
    }
}

static void
format_ipv4(struct ds *s, bool *first, const char *name,
            plx_be32 value, plx_be32 mask)
{
    if (mask) {
        format_field_name(s, first, name);
        ds_put_format(s, IP_FMT, IP_ARGS(value));
        if (mask != htonl(UINT32_MAX)) {
            ds_put_format(s, "/"IP_FMT, IP_ARGS(mask));
        }
    }
}

static void
format_ipv6(struct ds *s, bool *first, const char *name,
            const struct in6_addr *value, const struct in6_addr *mask)
{
    if (ipv6_addr_is_set(mask)) {
        format_field_name(s, first, name);
        ipv6_format_addr(value, s);
        if (!ipv6_mask_is_exact(mask)) {
            ds_put_char(s, '/');
            ipv6_format_addr(mask, s);
        }
    }
}

static void
format_set(struct ds *s, const struct odp_attr *set)
{
    const struct odp_attr *key = odp_set_key(set);
    size_t n = odp_key_size(key->type);
    uint8_t v_[64], m_[64];     /* Aligned copies. */
    bool first = true;

    memcpy(v_, odp_attr_get(key), n);
    memcpy(m_, (const uint8_t *) odp_attr_get(key) + n, n);
    ds_put_format(s, "set(%s(", odp_key_name(key->type));
    switch ((enum odp_key_type) key->type) {
    case ODP_KEY_ETHERNET: {
        const struct odp_key_ethernet *v = (void *) v_, *m = (void *) m_;
        format_eth(s, &first, "src", v->src, m->src);
        format_eth(s, &first, "dst", v->dst, m->dst);
        break;
    }
    case ODP_KEY_IPV4: {
        const struct odp_key_ipv4 *v = (void *) v_, *m = (void *) m_;
        format_ipv4(s, &first, "src", v->src, m->src);
        format_ipv4(s, &first, "dst", v->dst, m->dst);
        format_uint(s, &first, "tos", v->tos, m->tos, 0xff, true);
        format_uint(s, &first, "ttl", v->ttl, m->ttl, 0xff, false);
        break;
    }
    case ODP_KEY_IPV6: {
        const struct odp_key_ipv6 *v = (void *) v_, *m = (void *) m_;
        format_ipv6(s, &first, "src", &v->src, &m->src);
        format_ipv6(s, &first, "dst", &v->dst, &m->dst);
        format_uint(s, &first, "label", ntohl(v->label), ntohl(m->label),
                    IPV6_LABEL_MASK, true);
        format_uint(s, &first, "tclass", v->tclass, m->tclass, 0xff, true);
        format_uint(s, &first, "hlimit", v->hlimit, m->hlimit, 0xff, false);
        break;
    }
    case ODP_KEY_TCP:
    case ODP_KEY_UDP:
    case ODP_KEY_SCTP: {
        const struct odp_key_l4 *v = (void *) v_, *m = (void *) m_;
        format_uint(s, &first, "src", ntohs(v->src), ntohs(m->src),
                    0xffff, false);
        format_uint(s, &first, "dst", ntohs(v->dst), ntohs(m->dst),
                    0xffff, false);
        break;
    }
    case ODP_KEY_MPLS: {
        const struct odp_key_mpls *v = (void *) v_, *m = (void *) m_;
        format_uint(s, &first, "label", mpls_lse_to_label(v->lse),
                    mpls_lse_to_label(m->lse), MPLS_LABEL_MASK
                    >> MPLS_LABEL_SHIFT, false);
        format_uint(s, &first, "tc", mpls_lse_to_tc(v->lse),
                    mpls_lse_to_tc(m->lse), 7, false);
        format_uint(s, &first, "ttl", mpls_lse_to_ttl(v->lse),
                    mpls_lse_to_ttl(m->lse), 0xff, false);
        format_uint(s, &first, "bos", mpls_lse_to_bos(v->lse),
                    mpls_lse_to_bos(m->lse), 1, false);
        break;
    }
    case ODP_KEY_ARP: {
        const struct odp_key_arp *v = (void *) v_, *m = (void *) m_;
        format_ipv4(s, &first, "sip", v->sip, m->sip);
        format_ipv4(s, &first, "tip", v->tip, m->tip);
        format_uint(s, &first, "op", ntohs(v->op), ntohs(m->op), 0xffff,
                    false);
        format_eth(s, &first, "sha", v->sha, m->sha);
        format_eth(s, &first, "tha", v->tha, m->tha);
        break;
    }
    case ODP_KEY_ICMP:
    case ODP_KEY_ICMPV6: {
        const struct odp_key_icmp *v = (void *) v_, *m = (void *) m_;
        format_uint(s, &first, "type", v->type, m->type, 0xff, false);
        format_uint(s, &first, "code", v->code, m->code, 0xff, false);
        break;
    }
    case ODP_KEY_ND: {
        const struct odp_key_nd *v = (void *) v_, *m = (void *) m_;
        format_ipv6(s, &first, "target", &v->target, &m->target);
        format_eth(s, &first, "sll", v->sll, m->sll);
        format_eth(s, &first, "tll", v->tll, m->tll);
        break;
    }
    case ODP_KEY_UNSPEC:
    case ODP_N_KEYS:
    default:
        PLX_NOT_REACHED();
    }
    ds_put_cstr(s, "))");
}

/* Open vSwitch truncates (so "50.0%" is UINT32_MAX / 2); the quarter
 * added first absorbs the rounding of the 12-digit form below. */
static uint32_t
sample_pct_to_probability(double pct)
{
    double p = pct / 100.0 * UINT32_MAX + 0.25;
    return p <= 0 ? 0 : p >= UINT32_MAX ? UINT32_MAX : (uint32_t) p;
}

static void
format_sample(struct ds *s, const struct odp_attr *a)
{
    const struct odp_attr *actions;
    uint32_t probability;
    size_t size;
    char pct[32];

    odp_sample_get(a, &probability, &actions, &size);
    /* One decimal as Open vSwitch prints it, unless that would not read
     * back as the same probability. */
    double x = probability * 100.0 / UINT32_MAX;
    snprintf(pct, sizeof pct, "%.1f", x);
    if (sample_pct_to_probability(strtod(pct, NULL)) != probability) {
        snprintf(pct, sizeof pct, "%.12g", x);
    }
    ds_put_format(s, "sample(sample=%s%%,actions(", pct);
    format_actions__(s, actions, size);
    ds_put_cstr(s, "))");
}

static void
format_u128(struct ds *s, plx_u128 x)
{
    if (x.u64.hi) {
        ds_put_format(s, "%#"PRIx64"%016"PRIx64, x.u64.hi, x.u64.lo);
    } else {
        ds_put_format(s, "%#"PRIx64, x.u64.lo);
    }
}

static void
format_ct_addr(struct ds *s, const struct odp_ct *ct, const void *addr)
{
    if (ct->nat_ipv6) {
        ds_put_char(s, '[');
        ipv6_format_addr(addr, s);
        ds_put_char(s, ']');
    } else {
        plx_be32 ip;
        memcpy(&ip, addr, sizeof ip);
        ds_put_format(s, IP_FMT, IP_ARGS(ip));
    }
}

static void
format_ct_nat(struct ds *s, const struct odp_ct *ct)
{
    uint16_t f = ct->nat_flags;

    ds_put_cstr(s, "nat");
    if (!f) {
        return;
    }
    ds_put_format(s, "(%s", f & CT_NAT_SRC ? "src" : "dst");
    if (f & CT_NAT_RANGE_ADDR) {
        ds_put_char(s, '=');
        format_ct_addr(s, ct, &ct->nat_min_addr);
        if (memcmp(&ct->nat_min_addr, &ct->nat_max_addr,
                   sizeof ct->nat_min_addr)) {
            ds_put_char(s, '-');
            format_ct_addr(s, ct, &ct->nat_max_addr);
        }
    }
    if (f & CT_NAT_RANGE_PORT) {
        ds_put_format(s, "%s:%"PRIu16, f & CT_NAT_RANGE_ADDR ? "" : "=",
                      ct->nat_min_port);
        if (ct->nat_max_port != ct->nat_min_port) {
            ds_put_format(s, "-%"PRIu16, ct->nat_max_port);
        }
    }
    ds_put_format(s, "%s%s%s)", f & CT_NAT_PERSISTENT ? ",persistent" : "",
                  f & CT_NAT_HASH ? ",hash" : "",
                  f & CT_NAT_RANDOM ? ",random" : "");
}

static void
format_ct(struct ds *s, const struct odp_attr *a)
{
    struct odp_ct ct;
    size_t start;

    memcpy(&ct, odp_attr_get(a), sizeof ct);
    ds_put_cstr(s, "ct(");
    start = s->length;
    if (ct.flags & ODP_CT_COMMIT) {
        ds_put_cstr(s, "commit,");
    }
    if (ct.flags & ODP_CT_FORCE) {
        ds_put_cstr(s, "force,");
    }
    if (ct.zone) {
        ds_put_format(s, "zone=%"PRIu16",", ct.zone);
    }
    if (ct.flags & ODP_CT_SET_MARK) {
        ds_put_format(s, "mark=%#"PRIx32"/%#"PRIx32",", ct.mark,
                      ct.mark_mask);
    }
    if (ct.flags & ODP_CT_SET_LABEL) {
        ds_put_cstr(s, "label=");
        format_u128(s, ct.label);
        ds_put_char(s, '/');
        format_u128(s, ct.label_mask);
        ds_put_char(s, ',');
    }
    if (ct.timeout_policy) {
        ds_put_format(s, "timeout=%"PRIu32",", ct.timeout_policy);
    }
    if (ct.flags & ODP_CT_NAT) {
        format_ct_nat(s, &ct);
        ds_put_char(s, ',');
    }
    if (s->length == start) {
        ds_truncate(s, start - 1);      /* Plain "ct". */
    } else {
        s->string[s->length - 1] = ')';
    }
}

static void
format_action(struct ds *s, const struct odp_attr *a)
{
    const uint8_t *p = odp_attr_get(a);

    switch ((enum odp_action_type) a->type) {
    case ODP_ACTION_OUTPUT:
        ds_put_format(s, "%"PRIu32, odp_attr_get_u32(a));
        break;
    case ODP_ACTION_USERSPACE:
        ds_put_format(s, "userspace(pid=%"PRIu32, odp_attr_get_u32(a));
        if (odp_attr_get_size(a) > 4) {
            ds_put_cstr(s, ",userdata(");
            ds_put_hex(s, p + 4, odp_attr_get_size(a) - 4);
            ds_put_char(s, ')');
        }
        ds_put_char(s, ')');
        break;
    case ODP_ACTION_PUSH_VLAN: {
        struct odp_push_vlan v;
        memcpy(&v, p, sizeof v);
        ds_put_cstr(s, "push_vlan(");
        if (v.tpid != htons(ETH_TYPE_VLAN_8021Q)) {
            ds_put_format(s, "tpid=0x%04"PRIx16",", ntohs(v.tpid));
        }
        ds_put_format(s, "vid=%"PRIu16",pcp=%d", vlan_tci_to_vid(v.tci),
                      vlan_tci_to_pcp(v.tci));
        if (!vlan_tci_to_cfi(v.tci)) {
            ds_put_cstr(s, ",cfi=0");
        }
        ds_put_char(s, ')');
        break;
    }
    case ODP_ACTION_POP_VLAN:
        ds_put_cstr(s, "pop_vlan");
        break;
    case ODP_ACTION_SET:
        format_set(s, a);
        break;
    case ODP_ACTION_RECIRC:
        ds_put_format(s, "recirc(%#"PRIx32")", odp_attr_get_u32(a));
        break;
    case ODP_ACTION_HASH: {
        struct odp_hash h;
        memcpy(&h, p, sizeof h);
        ds_put_format(s, "hash(l4(%"PRIu32"))", h.basis);
        break;
    }
    case ODP_ACTION_PUSH_MPLS: {
        struct odp_push_mpls m;
        memcpy(&m, p, sizeof m);
        ds_put_format(s, "push_mpls(label=%"PRIu32",tc=%d,ttl=%d,bos=%d,"
                      "eth_type=%#"PRIx16")",
                      mpls_lse_to_label(m.lse), mpls_lse_to_tc(m.lse),
                      mpls_lse_to_ttl(m.lse), mpls_lse_to_bos(m.lse),
                      ntohs(m.ethertype));
        break;
    }
    case ODP_ACTION_POP_MPLS:
        ds_put_format(s, "pop_mpls(eth_type=%#"PRIx16")",
                      ntohs(get_unaligned_be16(p)));
        break;
    case ODP_ACTION_SAMPLE:
        format_sample(s, a);
        break;
    case ODP_ACTION_METER:
        ds_put_format(s, "meter(%"PRIu32")", odp_attr_get_u32(a));
        break;
    case ODP_ACTION_CT:
        format_ct(s, a);
        break;
    case ODP_ACTION_CT_CLEAR:
        ds_put_cstr(s, "ct_clear");
        break;
    case ODP_ACTION_UNSPEC:
    case ODP_N_ACTIONS:
    default:
        PLX_NOT_REACHED();
    }
}

static void
format_actions__(struct ds *s, const void *actions, size_t size)
{
    const struct odp_attr *a;
    size_t left;

    if (!size) {
        ds_put_cstr(s, "drop");
        return;
    }
    const char *error = odp_actions_check(actions, size);
    if ((uintptr_t) actions % ODP_ALIGNTO) {
        ds_put_format(s, "<malformed: %s>", error);
        return;
    }
    ODP_ATTR_FOR_EACH (a, left, actions, size) {
        if (error && (ODP_ALIGN(a->len) > left
                      || odp_actions_check(a, ODP_ALIGN(a->len)))) {
            break;
        }
        if (a != actions) {
            ds_put_char(s, ',');
        }
        format_action(s, a);
    }
    if (error) {
        ds_put_format(s, "%s<malformed: %s>",
                      (const void *) a != actions ? "," : "", error);
    }
}

void
odp_actions_format(struct ds *s, const void *actions, size_t size)
{
    format_actions__(s, actions, size);
}

char *
odp_actions_to_string(const void *actions, size_t size)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    odp_actions_format(&s, actions, size);
    return ds_steal_cstr(&s);
}

/* ------------------------------------------------------------------ */
/* Parsing.
 *
 * The parser works on a private copy of the text, which it cuts into
 * NUL-terminated pieces: an action list into actions at its top-level
 * commas, an action into its name and the text inside its parentheses,
 * which is again a comma-separated list ("key=value" pairs, a key
 * attribute, or a nested action list). */

static char *parse_actions__(char *s, struct odp_buf *, int depth);

/* Trims white space from both ends of S in place. */
static char *
trim(char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n && isspace((unsigned char) s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

/* True if every parenthesis in S is matched. */
static bool
parens_balanced(const char *s)
{
    int depth = 0;
    for (; *s; s++) {
        if (*s == '(') {
            depth++;
        } else if (*s == ')' && --depth < 0) {
            return false;
        }
    }
    return !depth;
}

/* Returns the next top-level comma-separated piece of *SP (trimmed) and
 * advances *SP past it, or NULL at the end. */
static char *
next_piece(char **sp)
{
    char *start = *sp, *p;
    int depth = 0;

    if (!start) {
        return NULL;
    }
    for (p = start; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == ',' && !depth) {
            *p = '\0';
            *sp = p + 1;
            return trim(start);
        }
    }
    *sp = NULL;
    return trim(start);
}

/* Splits "name(args)" into NAME and ARGS (NULL if there are no
 * parentheses).  Returns false if something follows the ')'. */
static bool
split_call(char *s, char **name, char **args)
{
    char *open = strchr(s, '(');

    *name = s;
    *args = NULL;
    if (!open) {
        return true;
    }
    size_t n = strlen(s);
    if (s[n - 1] != ')') {
        return false;
    }
    *open = '\0';
    s[n - 1] = '\0';
    *name = trim(s);
    *args = open + 1;
    return true;
}

/* Splits "key=value".  Returns false if there is no '='. */
static bool
split_kv(char *s, char **key, char **value)
{
    char *eq = strchr(s, '=');
    if (!eq) {
        return false;
    }
    *eq = '\0';
    *key = trim(s);
    *value = trim(eq + 1);
    return true;
}

static bool
parse_uint(const char *s, uint32_t max, uint32_t *x)
{
    char *end;

    if (!isdigit((unsigned char) *s)) {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max) {
        return false;
    }
    *x = v;
    return true;
}

/* Parses "VALUE" or "VALUE/MASK", each at most MAX; *MASK is MAX without
 * a mask. */
static char *
parse_uint_masked(const char *name, const char *s, uint32_t max,
                  uint32_t *value, uint32_t *mask)
{
    char *copy = xstrdup(s);
    char *slash = strchr(copy, '/');
    bool ok;

    if (slash) {
        *slash = '\0';
        ok = parse_uint(copy, max, value) && parse_uint(slash + 1, max, mask);
    } else {
        ok = parse_uint(copy, max, value);
        *mask = max;
    }
    free(copy);
    if (!ok) {
        return xasprintf("%s: \"%s\" is not a number from 0 to %#"PRIx32
                         " (with an optional /MASK)", name, s, max);
    }
    *value &= *mask;
    return NULL;
}

/* Sets the field named KEY of a set action's TYPE from VALUE into V and
 * M, the key and mask structs. */
static char *
parse_set_field(enum odp_key_type type, const char *key, const char *value,
                void *v_, void *m_)
{
    uint32_t x, mx;
    char *error;

#define FIELD_UINT(NAME, MAX, FIELD, CONV)                              \
    if (!strcmp(key, NAME)) {                                           \
        error = parse_uint_masked(NAME, value, MAX, &x, &mx);           \
        if (!error) {                                                   \
            v->FIELD = CONV(x);                                         \
            m->FIELD = CONV(mx);                                        \
        }                                                               \
        return error;                                                   \
    }
#define SAME(X) (X)

    switch (type) {
    case ODP_KEY_ETHERNET: {
        struct odp_key_ethernet *v = v_, *m = m_;
        if (!strcmp(key, "src") || !strcmp(key, "dst")) {
            bool src = !strcmp(key, "src");
            return eth_addr_parse_masked(value, src ? &v->src : &v->dst,
                                         src ? &m->src : &m->dst);
        }
        break;
    }
    case ODP_KEY_IPV4: {
        struct odp_key_ipv4 *v = v_, *m = m_;
        if (!strcmp(key, "src") || !strcmp(key, "dst")) {
            bool src = !strcmp(key, "src");
            return ip_parse_masked(value, src ? &v->src : &v->dst,
                                   src ? &m->src : &m->dst);
        }
        FIELD_UINT("tos", 0xff, tos, SAME);
        FIELD_UINT("ttl", 0xff, ttl, SAME);
        break;
    }
    case ODP_KEY_IPV6: {
        struct odp_key_ipv6 *v = v_, *m = m_;
        if (!strcmp(key, "src") || !strcmp(key, "dst")) {
            bool src = !strcmp(key, "src");
            return ipv6_parse_masked(value, src ? &v->src : &v->dst,
                                     src ? &m->src : &m->dst);
        }
        FIELD_UINT("label", IPV6_LABEL_MASK, label, htonl);
        FIELD_UINT("tclass", 0xff, tclass, SAME);
        FIELD_UINT("hlimit", 0xff, hlimit, SAME);
        break;
    }
    case ODP_KEY_TCP:
    case ODP_KEY_UDP:
    case ODP_KEY_SCTP: {
        struct odp_key_l4 *v = v_, *m = m_;
        FIELD_UINT("src", 0xffff, src, htons);
        FIELD_UINT("dst", 0xffff, dst, htons);
        break;
    }
    case ODP_KEY_MPLS: {
        struct odp_key_mpls *v = v_, *m = m_;
        static const struct {
            const char *name;
            uint32_t mask;
            int shift;
        } fields[] = {
            { "label", MPLS_LABEL_MASK, MPLS_LABEL_SHIFT },
            { "tc", MPLS_TC_MASK, MPLS_TC_SHIFT },
            { "ttl", MPLS_TTL_MASK, MPLS_TTL_SHIFT },
            { "bos", MPLS_BOS_MASK, MPLS_BOS_SHIFT },
        };
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
            if (!strcmp(key, fields[i].name)) {
                plx_be32 bits = htonl(fields[i].mask);
                error = parse_uint_masked(fields[i].name, value,
                                          fields[i].mask >> fields[i].shift,
                                          &x, &mx);
                if (!error) {
                    v->lse = (v->lse & ~bits) | htonl(x << fields[i].shift);
                    m->lse = (m->lse & ~bits) | htonl(mx << fields[i].shift);
                }
                return error;
            }
        }
        break;
    }
    case ODP_KEY_ARP: {
        struct odp_key_arp *v = v_, *m = m_;
        if (!strcmp(key, "sip") || !strcmp(key, "tip")) {
            bool sip = !strcmp(key, "sip");
            return ip_parse_masked(value, sip ? &v->sip : &v->tip,
                                   sip ? &m->sip : &m->tip);
        }
        if (!strcmp(key, "sha") || !strcmp(key, "tha")) {
            bool sha = !strcmp(key, "sha");
            return eth_addr_parse_masked(value, sha ? &v->sha : &v->tha,
                                         sha ? &m->sha : &m->tha);
        }
        FIELD_UINT("op", 0xffff, op, htons);
        break;
    }
    case ODP_KEY_ICMP:
    case ODP_KEY_ICMPV6: {
        struct odp_key_icmp *v = v_, *m = m_;
        FIELD_UINT("type", 0xff, type, SAME);
        FIELD_UINT("code", 0xff, code, SAME);
        break;
    }
    case ODP_KEY_ND: {
        struct odp_key_nd *v = v_, *m = m_;
        if (!strcmp(key, "target")) {
            return ipv6_parse_masked(value, &v->target, &m->target);
        }
        if (!strcmp(key, "sll") || !strcmp(key, "tll")) {
            bool sll = !strcmp(key, "sll");
            return eth_addr_parse_masked(value, sll ? &v->sll : &v->tll,
                                         sll ? &m->sll : &m->tll);
        }
        break;
    }
    case ODP_KEY_UNSPEC:
    case ODP_N_KEYS:
    default:
        PLX_NOT_REACHED();
    }
#undef FIELD_UINT
#undef SAME
    return xasprintf("set(%s): unknown or read-only field \"%s\"",
                     odp_key_name(type), key);
}

static char *
parse_set(char *args, struct odp_buf *b)
{
    char *name, *fields;
    int type;

    if (!split_call(trim(args), &name, &fields) || !fields) {
        return xasprintf("set: expected set(KEY(FIELD=VALUE,...)), "
                         "got \"%s\"", args);
    }
    for (type = 1; type < ODP_N_KEYS; type++) {
        if (!strcmp(name, odp_key_name(type))) {
            break;
        }
    }
    if (type == ODP_N_KEYS) {
        return xasprintf("set: unknown key \"%s\" (expected eth, ipv4, "
                         "ipv6, tcp, udp, sctp, mpls, arp, icmp, icmpv6 "
                         "or nd)", name);
    }

    uint64_t v[8], m[8];        /* Big enough and aligned for any key. */
    memset(v, 0, sizeof v);
    memset(m, 0, sizeof m);
    for (char *f; (f = next_piece(&fields)) != NULL; ) {
        char *key, *value;
        if (!*f && !fields) {
            break;              /* "ipv4()": sets nothing. */
        }
        if (!split_kv(f, &key, &value)) {
            return xasprintf("set(%s): expected FIELD=VALUE, got \"%s\"",
                             name, f);
        }
        char *error = parse_set_field(type, key, value, v, m);
        if (error) {
            return error;
        }
    }
    odp_put_set_field(b, type, v, m);
    return NULL;
}

/* Parses the arguments of ACTION as "key=value" pairs into VALUES
 * according to KEYS (all of which are required unless OPTIONAL has its
 * bit set), each at most its MAX. */
struct kv_spec {
    const char *key;
    uint32_t max;
    bool optional;
    uint32_t dflt;
};

static char *
parse_kv_args(const char *action, char *args, const struct kv_spec *specs,
              size_t n, uint32_t *values)
{
    bool seen[8] = { false };

    plx_assert(n <= ARRAY_SIZE(seen));
    for (char *piece; (piece = next_piece(&args)) != NULL; ) {
        char *key, *value;
        size_t i;

        if (!split_kv(piece, &key, &value)) {
            return xasprintf("%s: expected KEY=VALUE, got \"%s\"",
                             action, piece);
        }
        for (i = 0; i < n && strcmp(key, specs[i].key); i++) {
            continue;
        }
        if (i == n) {
            return xasprintf("%s: unknown argument \"%s\"", action, key);
        }
        if (seen[i]) {
            return xasprintf("%s: \"%s\" given twice", action, key);
        }
        if (!parse_uint(value, specs[i].max, &values[i])) {
            return xasprintf("%s: %s=\"%s\" is not a number from 0 to %"
                             PRIu32, action, key, value, specs[i].max);
        }
        seen[i] = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (!seen[i]) {
            if (!specs[i].optional) {
                return xasprintf("%s: missing %s=", action, specs[i].key);
            }
            values[i] = specs[i].dflt;
        }
    }
    return NULL;
}

static char *
parse_push_vlan(char *args, struct odp_buf *b)
{
    static const struct kv_spec specs[] = {
        { "tpid", 0xffff, true, ETH_TYPE_VLAN_8021Q },
        { "vid", VLAN_VID_MASK, false, 0 },
        { "pcp", 7, true, 0 },
        { "cfi", 1, true, 1 },
    };
    uint32_t v[ARRAY_SIZE(specs)];
    char *error = parse_kv_args("push_vlan", args, specs, ARRAY_SIZE(specs),
                                v);
    if (error) {
        return error;
    }
    if (!eth_type_vlan(htons(v[0]))) {
        return xasprintf("push_vlan: tpid must be 0x8100 or 0x88a8");
    }
    if (!v[3]) {
        return xasprintf("push_vlan: cfi=0 is not supported");
    }
    odp_put_push_vlan(b, htons(v[0]), htons(v[1] | (v[2] << VLAN_PCP_SHIFT)
                                           | VLAN_CFI));
    return NULL;
}

static char *
parse_push_mpls(char *args, struct odp_buf *b)
{
    static const struct kv_spec specs[] = {
        { "label", 0xfffff, false, 0 },
        { "tc", 7, false, 0 },
        { "ttl", 255, false, 0 },
        { "bos", 1, false, 0 },
        { "eth_type", 0xffff, false, 0 },
    };
    uint32_t v[ARRAY_SIZE(specs)];
    char *error = parse_kv_args("push_mpls", args, specs, ARRAY_SIZE(specs),
                                v);
    if (error) {
        return error;
    }
    if (!eth_type_mpls(htons(v[4]))) {
        return xasprintf("push_mpls: eth_type must be 0x8847 or 0x8848");
    }
    odp_put_push_mpls(b, mpls_lse_from_parts(v[0], v[1], v[3], v[2]),
                      htons(v[4]));
    return NULL;
}

static char *
parse_userspace(char *args, struct odp_buf *b)
{
    uint8_t userdata[ODP_USERDATA_MAX];
    bool have_pid = false;
    size_t n = 0;
    uint32_t pid = 0;

    for (char *piece; (piece = next_piece(&args)) != NULL; ) {
        char *key, *value, *hex;

        if (split_kv(piece, &key, &value)) {
            if (strcmp(key, "pid") || have_pid
                || !parse_uint(value, UINT32_MAX, &pid)) {
                return xasprintf("userspace: bad argument \"%s=%s\"",
                                 key, value);
            }
            have_pid = true;
        } else if (split_call(piece, &key, &hex) && hex
                   && !strcmp(key, "userdata") && !n) {
            size_t len = strlen(hex);
            if (len % 2 || len / 2 > ODP_USERDATA_MAX) {
                return xasprintf("userspace: userdata must be an even "
                                 "number of hex digits, at most %d bytes",
                                 ODP_USERDATA_MAX);
            }
            for (size_t i = 0; i < len; i += 2) {
                char byte[3] = { hex[i], hex[i + 1], '\0' };
                char *end;
                if (!isxdigit((unsigned char) byte[0])
                    || !isxdigit((unsigned char) byte[1])) {
                    return xasprintf("userspace: bad hex in userdata");
                }
                userdata[n++] = strtoul(byte, &end, 16);
            }
        } else {
            return xasprintf("userspace: bad argument \"%s\"", piece);
        }
    }
    if (!have_pid) {
        return xasprintf("userspace: missing pid=");
    }
    odp_put_userspace(b, pid, userdata, n);
    return NULL;
}

static char *
parse_sample(char *args, struct odp_buf *b, int depth)
{
    char *pct_s = next_piece(&args);
    char *actions_s = next_piece(&args);
    char *key, *value, *name, *inner;

    if (!pct_s || !split_kv(pct_s, &key, &value) || strcmp(key, "sample")
        || !actions_s || next_piece(&args)
        || !split_call(actions_s, &name, &inner) || !inner
        || strcmp(name, "actions")) {
        return xasprintf("sample: expected sample(sample=N%%,actions(...))");
    }

    char *end;
    errno = 0;
    double pct = strtod(value, &end);
    if (errno || end == value || strcmp(end, "%") || !(pct >= 0)
        || pct > 100) {
        return xasprintf("sample: \"%s\" is not a percentage from 0%% to "
                         "100%%", value);
    }
    if (depth >= ODP_MAX_NESTING) {
        return xasprintf("sample: actions nested too deeply");
    }

    size_t ofs = odp_start_sample(b, sample_pct_to_probability(pct));
    char *error = parse_actions__(inner, b, depth + 1);
    if (!error && b->size - ofs > UINT16_MAX) {
        error = xasprintf("sample: nested actions are too long");
    }
    if (!error) {
        odp_end_sample(b, ofs);
    }
    return error;
}

/* Parses "0xHEX" (at most 32 digits) or a decimal 64-bit number. */
static bool
parse_u128(const char *s, plx_u128 *x)
{
    memset(x, 0, sizeof *x);
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        uint32_t lo;
        return parse_uint(s, UINT32_MAX, &lo) && (x->u64.lo = lo, true);
    }
    s += 2;
    size_t n = strlen(s);
    if (!n || n > 32 || strspn(s, "0123456789abcdefABCDEF") != n) {
        return false;
    }
    for (; *s; s++) {
        int d = isdigit((unsigned char) *s) ? *s - '0'
                : tolower((unsigned char) *s) - 'a' + 10;
        x->u64.hi = (x->u64.hi << 4) | (x->u64.lo >> 60);
        x->u64.lo = (x->u64.lo << 4) | d;
    }
    return true;
}

/* Parses one NAT address, IPv4 or "[IPv6]", into ADDR; the first one
 * decides the family (*IPV6 is -1 before it). */
static bool
parse_ct_addr(const char *s, int *ipv6, void *addr)
{
    size_t n = strlen(s);

    if (s[0] == '[') {
        char *copy = xmemdup0(s + 1, n >= 2 ? n - 2 : 0);
        bool ok = (n > 2 && s[n - 1] == ']' && *ipv6 != 0
                   && ipv6_parse(copy, addr));
        free(copy);
        *ipv6 = 1;
        return ok;
    }
    plx_be32 ip;
    if (*ipv6 == 1 || !ip_parse(s, &ip)) {
        return false;
    }
    memcpy(addr, &ip, sizeof ip);
    *ipv6 = 0;
    return true;
}

/* Parses "ADDR[-ADDR][:PORT[-PORT]]" or ":PORT[-PORT]". */
static char *
parse_ct_nat_range(char *v, struct odp_ct *ct)
{
    char *ports = NULL;
    char *close = strrchr(v, ']');
    char *colon = strrchr(close ? close : v, ':');
    int ipv6 = -1;

    if (colon) {
        *colon = '\0';
        ports = colon + 1;
    }
    if (*v) {
        char *dash = v[0] == '[' ? strstr(v, "]-") : strchr(v, '-');
        char *max = v;
        if (dash) {
            dash += v[0] == '[';
            *dash = '\0';
            max = dash + 1;
        }
        if (!parse_ct_addr(v, &ipv6, &ct->nat_min_addr)
            || !parse_ct_addr(max, &ipv6, &ct->nat_max_addr)) {
            return xasprintf("nat: bad address range");
        }
        ct->nat_flags |= CT_NAT_RANGE_ADDR;
        ct->nat_ipv6 = ipv6;
    }
    if (ports) {
        char *dash = strchr(ports, '-');
        uint32_t min, max;
        if (dash) {
            *dash = '\0';
        }
        if (!parse_uint(ports, UINT16_MAX, &min)
            || !parse_uint(dash ? dash + 1 : ports, UINT16_MAX, &max)) {
            return xasprintf("nat: bad port range");
        }
        ct->nat_flags |= CT_NAT_RANGE_PORT;
        ct->nat_min_port = min;
        ct->nat_max_port = max;
    }
    return NULL;
}

static char *
parse_ct_nat(char *args, struct odp_ct *ct)
{
    ct->flags |= ODP_CT_NAT;
    if (args && !*trim(args)) {
        args = NULL;
    }
    for (char *piece; args && (piece = next_piece(&args)) != NULL; ) {
        char *key = piece, *value = NULL;
        split_kv(piece, &key, &value);
        if (!strcmp(key, "src") || !strcmp(key, "dst")) {
            if (ct->nat_flags & (CT_NAT_SRC | CT_NAT_DST)) {
                return xasprintf("nat: src and dst given twice");
            }
            ct->nat_flags |= key[0] == 's' ? CT_NAT_SRC : CT_NAT_DST;
            char *error = value ? parse_ct_nat_range(value, ct) : NULL;
            if (error) {
                return error;
            }
        } else if (value) {
            return xasprintf("nat: unexpected value for \"%s\"", key);
        } else if (!strcmp(key, "persistent")) {
            ct->nat_flags |= CT_NAT_PERSISTENT;
        } else if (!strcmp(key, "hash")) {
            ct->nat_flags |= CT_NAT_HASH;
        } else if (!strcmp(key, "random")) {
            ct->nat_flags |= CT_NAT_RANDOM;
        } else {
            return xasprintf("nat: unknown argument \"%s\"", key);
        }
    }
    return NULL;
}

static char *
parse_ct(char *args, struct odp_buf *b)
{
    struct odp_ct ct;
    char *error = NULL;

    memset(&ct, 0, sizeof ct);
    if (args && !*trim(args)) {
        args = NULL;
    }
    for (char *piece; args && (piece = next_piece(&args)) != NULL
         && !error; ) {
        char *key = piece, *value = NULL, *name, *nat_args;
        uint32_t x;

        if (!strcmp(piece, "commit")) {
            ct.flags |= ODP_CT_COMMIT;
        } else if (!strcmp(piece, "force")) {
            ct.flags |= ODP_CT_FORCE;
        } else if (split_call(piece, &name, &nat_args)
                   && !strcmp(name, "nat")) {
            error = parse_ct_nat(nat_args, &ct);
        } else if (!split_kv(piece, &key, &value)) {
            error = xasprintf("ct: unknown argument \"%s\"", piece);
        } else if (!strcmp(key, "zone")) {
            if (!parse_uint(value, UINT16_MAX, &x)) {
                error = xasprintf("ct: bad zone \"%s\"", value);
            }
            ct.zone = x;
        } else if (!strcmp(key, "timeout")) {
            if (!parse_uint(value, UINT32_MAX, &ct.timeout_policy)) {
                error = xasprintf("ct: bad timeout \"%s\"", value);
            }
        } else if (!strcmp(key, "mark")) {
            ct.flags |= ODP_CT_SET_MARK;
            error = parse_uint_masked("ct: mark", value, UINT32_MAX,
                                      &ct.mark, &ct.mark_mask);
        } else if (!strcmp(key, "label")) {
            char *slash = strchr(value, '/');
            ct.flags |= ODP_CT_SET_LABEL;
            if (slash) {
                *slash = '\0';
            }
            if (!parse_u128(value, &ct.label)
                || (slash ? !parse_u128(slash + 1, &ct.label_mask)
                    : (memset(&ct.label_mask, 0xff, 16), false))) {
                error = xasprintf("ct: bad label");
            }
        } else {
            error = xasprintf("ct: unknown argument \"%s\"", key);
        }
    }
    if (!error) {
        struct odp_buf tmp = ODP_BUF_INITIALIZER;
        odp_put_ct(&tmp, &ct);
        const char *why = odp_actions_check(tmp.data, tmp.size);
        if (why) {
            error = xasprintf("ct: %s", why);
        } else {
            odp_put_ct(b, &ct);
        }
        odp_buf_uninit(&tmp);
    }
    return error;
}

static char *
parse_action(char *s, struct odp_buf *b, int depth)
{
    char *name, *args;
    uint32_t x;

    if (isdigit((unsigned char) *s)) {
        if (!parse_uint(s, UINT32_MAX, &x)) {
            return xasprintf("\"%s\" is not a port number", s);
        }
        odp_put_output(b, x);
        return NULL;
    }
    if (!split_call(s, &name, &args)) {
        return xasprintf("unexpected text after ')' in \"%s\"", s);
    }
    if (!args) {
        if (!strcmp(name, "pop_vlan")) {
            odp_put_pop_vlan(b);
            return NULL;
        } else if (!strcmp(name, "ct")) {
            return parse_ct(NULL, b);
        } else if (!strcmp(name, "ct_clear")) {
            odp_put_ct_clear(b);
            return NULL;
        } else if (!strcmp(name, "drop")) {
            return xasprintf("\"drop\" must be the only action");
        }
        return xasprintf("unknown action \"%s\"", name);
    }

    if (!strcmp(name, "set")) {
        return parse_set(args, b);
    } else if (!strcmp(name, "push_vlan")) {
        return parse_push_vlan(args, b);
    } else if (!strcmp(name, "recirc")) {
        if (!parse_uint(trim(args), UINT32_MAX, &x)) {
            return xasprintf("recirc: \"%s\" is not a 32-bit number", args);
        }
        odp_put_recirc(b, x);
        return NULL;
    } else if (!strcmp(name, "hash")) {
        char *alg, *basis;
        if (!split_call(trim(args), &alg, &basis) || !basis
            || strcmp(alg, "l4") || !parse_uint(trim(basis), UINT32_MAX, &x)) {
            return xasprintf("hash: expected hash(l4(BASIS))");
        }
        odp_put_hash(b, x);
        return NULL;
    } else if (!strcmp(name, "push_mpls")) {
        return parse_push_mpls(args, b);
    } else if (!strcmp(name, "pop_mpls")) {
        char *key, *value;
        if (!split_kv(args, &key, &value) || strcmp(key, "eth_type")
            || !parse_uint(value, 0xffff, &x)) {
            return xasprintf("pop_mpls: expected pop_mpls(eth_type=TYPE)");
        }
        odp_put_pop_mpls(b, htons(x));
        return NULL;
    } else if (!strcmp(name, "userspace")) {
        return parse_userspace(args, b);
    } else if (!strcmp(name, "sample")) {
        return parse_sample(args, b, depth);
    } else if (!strcmp(name, "ct")) {
        return parse_ct(args, b);
    } else if (!strcmp(name, "meter")) {
        if (!parse_uint(trim(args), UINT32_MAX, &x)) {
            return xasprintf("meter: \"%s\" is not a 32-bit meter id",
                             args);
        }
        odp_put_meter(b, x);
        return NULL;
    }
    return xasprintf("unknown action \"%s\"", name);
}

static char *
parse_actions__(char *s, struct odp_buf *b, int depth)
{
    s = trim(s);
    if (!strcmp(s, "drop")) {
        return NULL;
    }
    if (!*s) {
        return xasprintf("empty action list (use \"drop\")");
    }
    for (char *piece; (piece = next_piece(&s)) != NULL; ) {
        if (!*piece) {
            return xasprintf("empty action in list");
        }
        char *error = parse_action(piece, b, depth);
        if (error) {
            return error;
        }
    }
    return NULL;
}

char *
odp_actions_parse(const char *s, struct odp_buf *b)
{
    size_t orig_size = b->size;
    char *copy = xstrdup(s);
    char *error;

    if (!parens_balanced(copy)) {
        error = xasprintf("unbalanced parentheses in \"%s\"", s);
    } else {
        error = parse_actions__(copy, b, 0);
    }
    free(copy);
    if (error) {
        b->size = orig_size;
    }
    return error;
}
