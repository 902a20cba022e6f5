/* odp-actions: encoding, validation, building and text of datapath
 * actions.  See odp-actions.h for the format and its invariants. */
#include <config.h>
#include "odp-actions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "conntrack.h"
#include "packets.h"

static const char *const action_names[ODP_N_ACTIONS] = {
    [ODP_ACTION_OUTPUT] = "output",
    [ODP_ACTION_USERSPACE] = "userspace",
    [ODP_ACTION_PUSH_VLAN] = "push_vlan",
    [ODP_ACTION_POP_VLAN] = "pop_vlan",
    [ODP_ACTION_SET] = "set",
    [ODP_ACTION_RECIRC] = "recirc",
    [ODP_ACTION_HASH] = "hash",
    [ODP_ACTION_PUSH_MPLS] = "push_mpls",
    [ODP_ACTION_POP_MPLS] = "pop_mpls",
    [ODP_ACTION_SAMPLE] = "sample",
    [ODP_ACTION_METER] = "meter",
    [ODP_ACTION_CT] = "ct",
    [ODP_ACTION_CT_CLEAR] = "ct_clear",
};

static const char *const key_names[ODP_N_KEYS] = {
    [ODP_KEY_ETHERNET] = "eth",
    [ODP_KEY_IPV4] = "ipv4",
    [ODP_KEY_IPV6] = "ipv6",
    [ODP_KEY_TCP] = "tcp",
    [ODP_KEY_UDP] = "udp",
    [ODP_KEY_SCTP] = "sctp",
    [ODP_KEY_MPLS] = "mpls",
    [ODP_KEY_ARP] = "arp",
    [ODP_KEY_ICMP] = "icmp",
    [ODP_KEY_ICMPV6] = "icmpv6",
    [ODP_KEY_ND] = "nd",
};

const char *
odp_key_name(enum odp_key_type type)
{
    return (type < ODP_N_KEYS && key_names[type]
            ? key_names[type] : "unknown");
}

const char *
odp_action_name(enum odp_action_type type)
{
    return (type < ODP_N_ACTIONS && action_names[type]
            ? action_names[type] : "unknown");
}

size_t
odp_key_size(enum odp_key_type type)
{
    switch (type) {
    case ODP_KEY_ETHERNET:
        return sizeof(struct odp_key_ethernet);
    case ODP_KEY_IPV4:
        return sizeof(struct odp_key_ipv4);
    case ODP_KEY_IPV6:
        return sizeof(struct odp_key_ipv6);
    case ODP_KEY_TCP:
    case ODP_KEY_UDP:
    case ODP_KEY_SCTP:
        return sizeof(struct odp_key_l4);
    case ODP_KEY_MPLS:
        return sizeof(struct odp_key_mpls);
    case ODP_KEY_ARP:
        return sizeof(struct odp_key_arp);
    case ODP_KEY_ICMP:
    case ODP_KEY_ICMPV6:
        return sizeof(struct odp_key_icmp);
    case ODP_KEY_ND:
        return sizeof(struct odp_key_nd);
    case ODP_KEY_UNSPEC:
    case ODP_N_KEYS:
    default:
        return 0;
    }
}

const struct odp_attr *
odp_set_key(const struct odp_attr *set)
{
    return odp_attr_get(set);
}

void
odp_sample_get(const struct odp_attr *sample, uint32_t *probability,
               const struct odp_attr **actions, size_t *size)
{
    *probability = odp_attr_get_u32(sample);
    *actions = (const void *) ((const uint8_t *) odp_attr_get(sample) + 4);
    *size = odp_attr_get_size(sample) - 4;
}

/* ------------------------------------------------------------------ */
/* Validation. */

static bool
is_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static const char *
check_set(const struct odp_attr *a)
{
    const struct odp_attr *key = odp_attr_get(a);
    size_t size = odp_attr_get_size(a);

    if (!odp_attr_is_valid(key, size) || ODP_ALIGN(key->len) != size) {
        return "set action must hold exactly one key attribute";
    }

    size_t n = odp_key_size(key->type);
    if (!n) {
        return "set action has an unknown key type";
    }
    if (odp_attr_get_size(key) != 2 * n) {
        return "set action key has the wrong length";
    }

    const uint8_t *value = odp_attr_get(key);
    const uint8_t *mask = value + n;
    for (size_t i = 0; i < n; i++) {
        if (value[i] & ~mask[i]) {
            return "set action value has bits outside its mask";
        }
    }
    if (key->type == ODP_KEY_IPV4) {
        const struct odp_key_ipv4 *m = (const void *) mask;
        if (!is_zero(m->pad, sizeof m->pad)) {
            return "set ipv4 reserved bytes must be zero";
        }
    } else if (key->type == ODP_KEY_IPV6) {
        const struct odp_key_ipv6 *m = (const void *) mask;
        if (!is_zero(m->pad, sizeof m->pad)) {
            return "set ipv6 reserved bytes must be zero";
        }
        plx_be32 label;
        memcpy(&label, &m->label, sizeof label);
        if (label & ~htonl(IPV6_LABEL_MASK)) {
            return "set ipv6 label is wider than 20 bits";
        }
    } else if (key->type == ODP_KEY_ARP) {
        const struct odp_key_arp *m = (const void *) mask;
        if (!is_zero(m->pad, sizeof m->pad)) {
            return "set arp reserved bytes must be zero";
        }
    }
    return NULL;
}

static const char *check_actions__(const void *actions, size_t size,
                                   int depth);

static bool
u128_within(plx_u128 value, plx_u128 mask)
{
    return !(value.u64.lo & ~mask.u64.lo) && !(value.u64.hi & ~mask.u64.hi);
}

/* The invariants of a ct action: a field its flag does not enable is
 * zero, values lie within their masks, and the NAT range is one that
 * conntrack can use. */
static const char *
check_ct(const struct odp_ct *ct)
{
    static const uint16_t nat_flags = CT_NAT_SRC | CT_NAT_DST
        | CT_NAT_RANGE_ADDR | CT_NAT_RANGE_PORT | CT_NAT_PERSISTENT
        | CT_NAT_HASH | CT_NAT_RANDOM;

    if (ct->flags & ~ODP_CT_FLAGS) {
        return "ct action has unknown flags";
    }
    if (ct->pad || ct->nat_ipv6 > 1) {
        return "ct reserved bytes must be zero";
    }
    if (ct->flags & ODP_CT_SET_MARK
        ? ct->mark & ~ct->mark_mask || !ct->mark_mask
        : ct->mark || ct->mark_mask) {
        return "ct mark must lie within a nonzero mask, or be unset";
    }
    if (ct->flags & ODP_CT_SET_LABEL
        ? !u128_within(ct->label, ct->label_mask)
          || (!ct->label_mask.u64.lo && !ct->label_mask.u64.hi)
        : !is_zero(&ct->label, sizeof ct->label)
          || !is_zero(&ct->label_mask, sizeof ct->label_mask)) {
        return "ct label must lie within a nonzero mask, or be unset";
    }

    uint16_t nf = ct->nat_flags;
    if (!(ct->flags & ODP_CT_NAT)) {
        if (nf || ct->nat_min_port || ct->nat_max_port || ct->nat_ipv6
            || !is_zero(&ct->nat_min_addr, sizeof ct->nat_min_addr)
            || !is_zero(&ct->nat_max_addr, sizeof ct->nat_max_addr)) {
            return "ct nat fields must be zero without nat";
        }
    } else if (nf & ~nat_flags) {
        return "ct nat has unknown flags";
    } else if ((nf & CT_NAT_SRC) && (nf & CT_NAT_DST)) {
        return "ct nat cannot translate both source and destination";
    } else if (!(nf & (CT_NAT_SRC | CT_NAT_DST)) && nf) {
        return "ct nat options need src or dst";
    } else if ((nf & CT_NAT_HASH) && (nf & CT_NAT_RANDOM)) {
        return "ct nat cannot be both hash and random";
    } else if (!(nf & CT_NAT_RANGE_PORT)
               ? ct->nat_min_port || ct->nat_max_port
               : !ct->nat_min_port || ct->nat_min_port > ct->nat_max_port) {
        return "ct nat port range is not MIN-MAX with 0 < MIN <= MAX";
    } else if (!(nf & CT_NAT_RANGE_ADDR)
               ? !is_zero(&ct->nat_min_addr, sizeof ct->nat_min_addr)
                 || !is_zero(&ct->nat_max_addr, sizeof ct->nat_max_addr)
                 || ct->nat_ipv6
               : memcmp(&ct->nat_min_addr, &ct->nat_max_addr,
                        sizeof ct->nat_min_addr) > 0) {
        return "ct nat address range is not MIN-MAX with MIN <= MAX";
    }
    return NULL;
}

static const char *
check_action(const struct odp_attr *a, int depth)
{
    static const int sizes[ODP_N_ACTIONS] = {
        [ODP_ACTION_OUTPUT] = 4,
        [ODP_ACTION_USERSPACE] = -1,
        [ODP_ACTION_PUSH_VLAN] = sizeof(struct odp_push_vlan),
        [ODP_ACTION_POP_VLAN] = 0,
        [ODP_ACTION_SET] = -1,
        [ODP_ACTION_RECIRC] = 4,
        [ODP_ACTION_HASH] = sizeof(struct odp_hash),
        [ODP_ACTION_PUSH_MPLS] = sizeof(struct odp_push_mpls),
        [ODP_ACTION_POP_MPLS] = 4,
        [ODP_ACTION_SAMPLE] = -1,
        [ODP_ACTION_METER] = 4,
        [ODP_ACTION_CT] = sizeof(struct odp_ct),
        [ODP_ACTION_CT_CLEAR] = 0,
    };
    size_t size = odp_attr_get_size(a);
    const uint8_t *p = odp_attr_get(a);

    if (a->type == ODP_ACTION_UNSPEC || a->type >= ODP_N_ACTIONS) {
        return "unknown action type";
    }
    if (sizes[a->type] >= 0 && size != (size_t) sizes[a->type]) {
        return "action has the wrong length";
    }

    switch ((enum odp_action_type) a->type) {
    case ODP_ACTION_USERSPACE:
        if (size < 4 || size > 4 + ODP_USERDATA_MAX) {
            return "userspace action has the wrong length";
        }
        return NULL;

    case ODP_ACTION_PUSH_VLAN: {
        struct odp_push_vlan v;
        memcpy(&v, p, sizeof v);
        if (!eth_type_vlan(v.tpid)) {
            return "push_vlan TPID must be 0x8100 or 0x88a8";
        }
        if (!(v.tci & htons(VLAN_CFI))) {
            return "push_vlan TCI must have the CFI bit set";
        }
        return NULL;
    }

    case ODP_ACTION_SET:
        return check_set(a);

    case ODP_ACTION_HASH: {
        struct odp_hash h;
        memcpy(&h, p, sizeof h);
        return h.alg != ODP_HASH_ALG_L4 ? "unknown hash algorithm" : NULL;
    }

    case ODP_ACTION_PUSH_MPLS: {
        struct odp_push_mpls m;
        memcpy(&m, p, sizeof m);
        if (!eth_type_mpls(m.ethertype)) {
            return "push_mpls ethertype must be 0x8847 or 0x8848";
        }
        return is_zero(m.pad, sizeof m.pad) ? NULL
               : "push_mpls reserved bytes must be zero";
    }

    case ODP_ACTION_POP_MPLS:
        return p[2] || p[3] ? "pop_mpls reserved bytes must be zero" : NULL;

    case ODP_ACTION_SAMPLE:
        if (size < 4) {
            return "sample action is too short";
        }
        if (depth >= ODP_MAX_NESTING) {
            return "actions nested too deeply";
        }
        return check_actions__(p + 4, size - 4, depth + 1);

    case ODP_ACTION_CT: {
        struct odp_ct ct;
        memcpy(&ct, p, sizeof ct);
        return check_ct(&ct);
    }

    case ODP_ACTION_OUTPUT:
    case ODP_ACTION_POP_VLAN:
    case ODP_ACTION_RECIRC:
    case ODP_ACTION_METER:
    case ODP_ACTION_CT_CLEAR:
        return NULL;

    case ODP_ACTION_UNSPEC:
    case ODP_N_ACTIONS:
    default:
        return "unknown action type";
    }
}

static const char *
check_actions__(const void *actions, size_t size, int depth)
{
    const struct odp_attr *a;
    size_t left;

    if ((uintptr_t) actions % ODP_ALIGNTO) {
        return "action list is not 4-byte aligned";
    }
    ODP_ATTR_FOR_EACH (a, left, actions, size) {
        if (ODP_ALIGN(a->len) > left) {
            return "action list ends in the middle of an action";
        }
        if (!is_zero((const uint8_t *) a + a->len,
                     ODP_ALIGN(a->len) - a->len)) {
            return "action padding must be zero";
        }
        const char *error = check_action(a, depth);
        if (error) {
            return error;
        }
    }
    return left ? "action list ends in the middle of an action" : NULL;
}

const char *
odp_actions_check(const void *actions, size_t size)
{
    return check_actions__(actions, size, 0);
}

int
odp_actions_validate(const void *actions, size_t size)
{
    return odp_actions_check(actions, size) ? EINVAL : 0;
}

uint32_t
odp_actions_hash(const void *actions, size_t size, uint32_t basis)
{
    return hash_bytes(actions, size, basis);
}

bool
odp_actions_equal(const void *a, size_t a_size, const void *b, size_t b_size)
{
    return a_size == b_size && (!a_size || !memcmp(a, b, a_size));
}

/* ------------------------------------------------------------------ */
/* Building. */

void
odp_buf_init(struct odp_buf *b)
{
    b->data = NULL;
    b->size = b->allocated = 0;
}

void
odp_buf_uninit(struct odp_buf *b)
{
    free(b->data);
    odp_buf_init(b);
}

void
odp_buf_clear(struct odp_buf *b)
{
    b->size = 0;
}

void *
odp_buf_put_zeros(struct odp_buf *b, size_t n)
{
    if (b->allocated - b->size < n) {
        size_t want = MAX(64, MAX(2 * b->allocated, b->size + n));
        b->data = xrealloc(b->data, want);
        b->allocated = want;
    }
    void *p = (uint8_t *) b->data + b->size;
    b->size += n;
    return memset(p, 0, n);
}

void *
odp_put_attr(struct odp_buf *b, uint16_t type, const void *data, size_t n)
{
    plx_assert(n <= UINT16_MAX - ODP_ATTR_HDRLEN - 3);
    struct odp_attr *a = odp_buf_put_zeros(b, ODP_ALIGN(ODP_ATTR_HDRLEN + n));
    a->len = ODP_ATTR_HDRLEN + n;
    a->type = type;
    if (data && n) {
        memcpy(a + 1, data, n);
    }
    return a + 1;
}

size_t
odp_start_nested(struct odp_buf *b, uint16_t type)
{
    size_t ofs = b->size;
    odp_put_attr(b, type, NULL, 0);
    return ofs;
}

void
odp_end_nested(struct odp_buf *b, size_t ofs)
{
    struct odp_attr *a = (void *) ((uint8_t *) b->data + ofs);
    plx_assert(b->size - ofs <= UINT16_MAX);
    a->len = b->size - ofs;
}

void
odp_put_output(struct odp_buf *b, uint32_t port)
{
    odp_put_attr(b, ODP_ACTION_OUTPUT, &port, sizeof port);
}

void
odp_put_userspace(struct odp_buf *b, uint32_t pid,
                  const void *userdata, size_t n)
{
    plx_assert(n <= ODP_USERDATA_MAX);
    uint8_t *p = odp_put_attr(b, ODP_ACTION_USERSPACE, NULL, 4 + n);
    memcpy(p, &pid, 4);
    if (n) {
        memcpy(p + 4, userdata, n);
    }
}

void
odp_put_push_vlan(struct odp_buf *b, plx_be16 tpid, plx_be16 tci)
{
    struct odp_push_vlan v = { .tpid = tpid, .tci = tci };
    odp_put_attr(b, ODP_ACTION_PUSH_VLAN, &v, sizeof v);
}

void
odp_put_pop_vlan(struct odp_buf *b)
{
    odp_put_attr(b, ODP_ACTION_POP_VLAN, NULL, 0);
}

void
odp_put_set_field(struct odp_buf *b, enum odp_key_type type,
                  const void *key_, const void *mask_)
{
    size_t n = odp_key_size(type);
    plx_assert(n);

    size_t ofs = odp_start_nested(b, ODP_ACTION_SET);
    uint8_t *p = odp_put_attr(b, type, NULL, 2 * n);
    const uint8_t *key = key_, *mask = mask_;
    for (size_t i = 0; i < n; i++) {
        p[n + i] = mask ? mask[i] : 0xff;
        p[i] = key[i] & p[n + i];
    }
    /* Reserved bytes are never set. */
    if (type == ODP_KEY_IPV4) {
        struct odp_key_ipv4 *v = (void *) p, *m = (void *) (p + n);
        memset(v->pad, 0, sizeof v->pad);
        memset(m->pad, 0, sizeof m->pad);
    } else if (type == ODP_KEY_IPV6) {
        struct odp_key_ipv6 *v = (void *) p, *m = (void *) (p + n);
        plx_be32 label;
        memset(v->pad, 0, sizeof v->pad);
        memset(m->pad, 0, sizeof m->pad);
        memcpy(&label, &m->label, 4);
        label &= htonl(IPV6_LABEL_MASK);
        memcpy(&m->label, &label, 4);
        memcpy(&label, &v->label, 4);
        label &= htonl(IPV6_LABEL_MASK);
        memcpy(&v->label, &label, 4);
    } else if (type == ODP_KEY_ARP) {
        struct odp_key_arp *v = (void *) p, *m = (void *) (p + n);
        memset(v->pad, 0, sizeof v->pad);
        memset(m->pad, 0, sizeof m->pad);
    }
    odp_end_nested(b, ofs);
}

void
odp_put_recirc(struct odp_buf *b, uint32_t recirc_id)
{
    odp_put_attr(b, ODP_ACTION_RECIRC, &recirc_id, sizeof recirc_id);
}

void
odp_put_hash(struct odp_buf *b, uint32_t basis)
{
    struct odp_hash h = { .alg = ODP_HASH_ALG_L4, .basis = basis };
    odp_put_attr(b, ODP_ACTION_HASH, &h, sizeof h);
}

void
odp_put_push_mpls(struct odp_buf *b, plx_be32 lse, plx_be16 ethertype)
{
    struct odp_push_mpls m = { .lse = lse, .ethertype = ethertype };
    odp_put_attr(b, ODP_ACTION_PUSH_MPLS, &m, sizeof m);
}

void
odp_put_pop_mpls(struct odp_buf *b, plx_be16 ethertype)
{
    uint8_t p[4] = { 0 };
    memcpy(p, &ethertype, 2);
    odp_put_attr(b, ODP_ACTION_POP_MPLS, p, sizeof p);
}

size_t
odp_start_sample(struct odp_buf *b, uint32_t probability)
{
    size_t ofs = odp_start_nested(b, ODP_ACTION_SAMPLE);
    memcpy(odp_buf_put_zeros(b, 4), &probability, 4);
    return ofs;
}

void
odp_end_sample(struct odp_buf *b, size_t ofs)
{
    odp_end_nested(b, ofs);
}

void
odp_put_meter(struct odp_buf *b, uint32_t meter_id)
{
    odp_put_attr(b, ODP_ACTION_METER, &meter_id, sizeof meter_id);
}

void
odp_put_ct(struct odp_buf *b, const struct odp_ct *ct)
{
    odp_put_attr(b, ODP_ACTION_CT, ct, sizeof *ct);
}

void
odp_put_ct_clear(struct odp_buf *b)
{
    odp_put_attr(b, ODP_ACTION_CT_CLEAR, NULL, 0);
}
