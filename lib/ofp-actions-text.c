/* ofp-actions: the ovs-ofctl action syntax (see ofp-actions.h). */
#include <config.h>
#include "ofp-actions.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "packets.h"
#include "util.h"

/* Formatting. */

static const char *
inst_name(enum ofpa_type type)
{
    return ofpa_is_instruction(type) ? ofpa_type_name(type)
                                     : "apply_actions";
}

static void
format_output(const struct ofpa_output *o, struct ds *s)
{
    if (o->port == MF_OFPP_CONTROLLER) {
        ds_put_format(s, "CONTROLLER:%"PRIu16, o->max_len);
    } else if (o->port >= MF_OFPP_MAX) {
        mf_format_port(o->port, s);
    } else {
        ds_put_format(s, "output:%"PRIu32, o->port);
    }
}

/* The name Open vSwitch gives field MF in a set_field action (its
 * OXM-style name, where matches print the older NXM-style one). */
static const char *
set_field_name(const struct mf_field *mf)
{
    switch (mf->id) {
    case MFF_ETH_SRC: case MFF_ETH_DST: case MFF_IPV4_SRC: case MFF_IPV4_DST:
        return mf->aliases[0];
    default:
        return mf->name;
    }
}

static void
format_set_field(const struct ofpa_set_field *sf, struct ds *s)
{
    const struct mf_field *mf = mf_from_id(sf->field);
    union mf_value exact;
    unsigned int i;

    if (sf->load) {
        ofpa_load_format(sf, s);
        return;
    }
    memset(&exact, 0, sizeof exact);
    for (i = 0; i < mf->n_bits; i++) {
        exact.bytes[mf->n_bytes - 1 - i / 8] |= 1u << (i % 8);
    }
    ds_put_cstr(s, "set_field:");
    mf_format(mf, &sf->value,
              memcmp(&exact, &sf->mask, mf->n_bytes) ? &sf->mask : NULL, s);
    ds_put_format(s, "->%s", set_field_name(mf));
}

static void
format_one(const struct ofpa *a, struct ds *s)
{
    switch ((enum ofpa_type) a->type) {
    case OFPA_OUTPUT:
        format_output(OFPA_CAST(ofpa_output, a), s);
        break;
    case OFPA_GROUP:
        ds_put_format(s, "group:%"PRIu32, OFPA_CAST(ofpa_group, a)->group_id);
        break;
    case OFPA_ENQUEUE: {
        const struct ofpa_enqueue *e = OFPA_CAST(ofpa_enqueue, a);
        ds_put_cstr(s, "enqueue:");
        mf_format_port(e->port, s);
        ds_put_format(s, ":%"PRIu32, e->queue_id);
        break;
    }
    case OFPA_SET_QUEUE:
        ds_put_format(s, "set_queue:%"PRIu32,
                      OFPA_CAST(ofpa_queue, a)->queue_id);
        break;
    case OFPA_SAMPLE:
        ofpa_sample_format(OFPA_CAST(ofpa_sample, a), s);
        break;
    case OFPA_CT: case OFPA_CT_CLEAR: case OFPA_NAT:
        ofpa_ct_format(a, s);
        break;
    case OFPA_PUSH_VLAN: case OFPA_PUSH_MPLS: case OFPA_POP_MPLS:
        ds_put_format(s, "%s:0x%04"PRIx16, ofpa_type_name(a->type),
                      ntohs(OFPA_CAST(ofpa_ethertype, a)->ethertype));
        break;
    case OFPA_SET_MPLS_TTL:
        ds_put_format(s, "set_mpls_ttl(%d)", OFPA_CAST(ofpa_ttl, a)->ttl);
        break;
    case OFPA_SET_NW_TTL:
        ds_put_format(s, "mod_nw_ttl:%d", OFPA_CAST(ofpa_ttl, a)->ttl);
        break;
    case OFPA_POP_VLAN: case OFPA_STRIP_VLAN: case OFPA_DEC_MPLS_TTL:
    case OFPA_DEC_NW_TTL: case OFPA_COPY_TTL_OUT: case OFPA_COPY_TTL_IN:
    case OFPA_CLEAR_ACTIONS:
        ds_put_cstr(s, ofpa_type_name(a->type));
        break;
    case OFPA_SET_FIELD:
        format_set_field(OFPA_CAST(ofpa_set_field, a), s);
        break;
    case OFPA_SET_VLAN_VID:
        ds_put_format(s, "mod_vlan_vid:%d", OFPA_CAST(ofpa_vlan_vid, a)->vid);
        break;
    case OFPA_SET_VLAN_PCP:
        ds_put_format(s, "mod_vlan_pcp:%d", OFPA_CAST(ofpa_vlan_pcp, a)->pcp);
        break;
    case OFPA_SET_ETH_SRC: case OFPA_SET_ETH_DST:
        ds_put_format(s, "%s:"ETH_ADDR_FMT, ofpa_type_name(a->type),
                      ETH_ADDR_ARGS(OFPA_CAST(ofpa_mac, a)->mac));
        break;
    case OFPA_SET_IPV4_SRC: case OFPA_SET_IPV4_DST:
        ds_put_format(s, "%s:"IP_FMT, ofpa_type_name(a->type),
                      IP_ARGS(OFPA_CAST(ofpa_ipv4, a)->ipv4));
        break;
    case OFPA_SET_IP_DSCP:
        ds_put_format(s, "mod_nw_tos:%d", OFPA_CAST(ofpa_dscp, a)->dscp);
        break;
    case OFPA_SET_L4_SRC_PORT: case OFPA_SET_L4_DST_PORT:
        ds_put_format(s, "%s:%d", ofpa_type_name(a->type),
                      OFPA_CAST(ofpa_l4_port, a)->port);
        break;
    case OFPA_METER:
        ds_put_format(s, "meter:%"PRIu32, OFPA_CAST(ofpa_meter, a)->meter_id);
        break;
    case OFPA_WRITE_ACTIONS: {
        const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
        ds_put_cstr(s, "write_actions(");
        ofpacts_text_format(ofpa_nest_actions(n), ofpa_nest_size(n), s);
        ds_put_char(s, ')');
        break;
    }
    case OFPA_WRITE_METADATA: {
        const struct ofpa_metadata *m = OFPA_CAST(ofpa_metadata, a);
        uint64_t md, mask;
        memcpy(&md, &m->metadata, 8);
        memcpy(&mask, &m->mask, 8);
        md = be64toh(md);
        mask = be64toh(mask);
        ds_put_format(s, "write_metadata:0x%"PRIx64, md);
        if (mask != UINT64_MAX) {
            ds_put_format(s, "/0x%"PRIx64, mask);
        }
        break;
    }
    case OFPA_GOTO_TABLE:
        ds_put_format(s, "goto_table:%d",
                      OFPA_CAST(ofpa_goto_table, a)->table_id);
        break;
    case OFPA_N_TYPES:
    default:
        ds_put_format(s, "<unknown action %d>", a->type);
        break;
    }
}

void
ofpacts_text_format(const void *ofpacts, size_t size, struct ds *s)
{
    const struct ofpa *a;

    if (!size) {
        ds_put_cstr(s, "drop");
        return;
    }
    OFPA_FOR_EACH (a, ofpacts, size) {
        if (a != ofpacts) {
            ds_put_char(s, ',');
        }
        format_one(a, s);
    }
}

char *
ofpacts_text(const void *ofpacts, size_t size)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ofpacts_text_format(ofpacts, size, &s);
    return ds_steal_cstr(&s);
}

/* Parsing. */

static char *
parse_uint(const char *s, const char *what, uint64_t max, uint64_t *out)
{
    unsigned long long x;
    if (!s || !str_to_ullong(s, 0, &x) || x > max) {
        return xasprintf("%s: invalid %s", s ? s : "(missing)", what);
    }
    *out = x;
    return NULL;
}

static char *
parse_ethertype(const char *key, const char *arg, uint16_t a, uint16_t b,
                enum ofpa_type type, struct ofpa_buf *out)
{
    uint64_t x = 0;
    char *error = parse_uint(arg, "ethertype", UINT16_MAX, &x);
    if (error) {
        return error;
    }
    if (a && x != a && x != b) {
        return xasprintf("%s: not a valid %s ethertype", arg, key);
    }
    struct ofpa_ethertype *e = ofpa_put(out, type, sizeof *e);
    e->ethertype = htons(x);
    return NULL;
}

static char *
parse_output_port(const char *arg, uint32_t *port)
{
    if (!arg || !mf_port_from_string(arg, port)
        || (*port >= MF_OFPP_MAX && *port != MF_OFPP_IN_PORT
            && *port != MF_OFPP_TABLE && *port != MF_OFPP_NORMAL
            && *port != MF_OFPP_FLOOD && *port != MF_OFPP_ALL
            && *port != MF_OFPP_CONTROLLER && *port != MF_OFPP_LOCAL)) {
        return xasprintf("%s: output to unknown port",
                         arg ? arg : "(missing)");
    }
    return NULL;
}

static char *
parse_controller(const char *arg, bool parens, struct ofpa_buf *out)
{
    uint64_t max_len = UINT16_MAX;
    char *error;

    if (arg && *arg) {
        const char *value = arg;
        if (parens) {
            if (strncmp(arg, "max_len=", 8)) {
                return xasprintf("%s: unsupported controller option", arg);
            }
            value = arg + 8;
        }
        error = parse_uint(value, "max_len", UINT16_MAX, &max_len);
        if (error) {
            return error;
        }
    }
    ofpa_put_output(out, MF_OFPP_CONTROLLER, max_len);
    return NULL;
}

static char *
parse_enqueue(char *arg, struct ofpa_buf *out)
{
    char *sep = arg ? strpbrk(arg, ":,") : NULL;
    uint32_t port;
    uint64_t queue = 0;
    char *error;

    if (!sep) {
        return xstrdup("enqueue: syntax is \"enqueue:PORT:QUEUE\"");
    }
    *sep = '\0';
    if (!mf_port_from_string(arg, &port)
        || (port >= MF_OFPP_MAX && port != MF_OFPP_IN_PORT
            && port != MF_OFPP_LOCAL)) {
        return xasprintf("%s: invalid enqueue port", arg);
    }
    error = parse_uint(sep + 1, "queue", UINT32_MAX, &queue);
    if (error) {
        return error;
    }
    struct ofpa_enqueue *e = ofpa_put(out, OFPA_ENQUEUE, sizeof *e);
    e->port = port;
    e->queue_id = queue;
    return NULL;
}

/* See ofp-actions.h. */
char *
ofpa_set_field_parse(char *arg, bool in_ct, struct ofpa_buf *out)
{
    char *arrow = arg ? strstr(arg, "->") : NULL;
    const struct mf_field *mf;
    union mf_value value, mask, exact;
    char *error;

    if (!arrow) {
        return xasprintf("%s: missing `->'", arg ? arg : "set_field");
    }
    *arrow = '\0';
    mf = mf_from_name(arrow + 2);
    if (!mf) {
        return xasprintf("%s is not a valid OXM field name", arrow + 2);
    }
    if (!mf->writable || !mf->supported) {
        return xasprintf("%s is read-only", mf->name);
    }
    if (in_ct && mf->id != MFF_CT_MARK && mf->id != MFF_CT_LABEL) {
        return xasprintf("ct action doesn't support nested modification "
                         "of %s", mf->name);
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    error = mf_parse(mf, arg, &value, &mask);
    if (error) {
        return error;
    }
    memset(&exact, 0, sizeof exact);
    for (unsigned int i = 0; i < mf->n_bits; i++) {
        exact.bytes[mf->n_bytes - 1 - i / 8] |= 1u << (i % 8);
    }
    for (size_t i = 0; i < mf->n_bytes; i++) {
        mask.bytes[i] &= exact.bytes[i];
        value.bytes[i] &= mask.bytes[i];
    }
    if (!memcmp(mask.bytes, (uint8_t[16]) { 0 }, mf->n_bytes)) {
        return xasprintf("%s: set_field with an all-zero mask", arg);
    }
    if (!mf_is_value_valid(mf, &value)) {
        return xasprintf("%s is not a valid value for field %s",
                         arg, mf->name);
    }
    if (mf->id == MFF_VLAN_VID && !(ntohs(value.be16) & VLAN_CFI)) {
        return xasprintf("%s: vlan_vid set_field needs the OFPVID_PRESENT "
                         "bit (0x1000); use mod_vlan_vid for a bare VID",
                         arg);
    }
    struct ofpa_set_field *sf = ofpa_put(out, OFPA_SET_FIELD, sizeof *sf);
    sf->field = mf->id;
    sf->value = value;
    sf->mask = mask;
    return NULL;
}

static char *
parse_write_metadata(const char *arg, struct ofpa_buf *out)
{
    unsigned long long md, mask = UINT64_MAX;
    const char *slash = arg ? strchr(arg, '/') : NULL;
    char *md_s;
    bool ok;

    if (!arg) {
        return xstrdup("write_metadata: missing value");
    }
    md_s = xmemdup0(arg, slash ? (size_t) (slash - arg) : strlen(arg));
    ok = str_to_ullong(md_s, 0, &md)
         && (!slash || str_to_ullong(slash + 1, 0, &mask));
    free(md_s);
    if (!ok) {
        return xasprintf("%s: invalid metadata", arg);
    }
    struct ofpa_metadata *m = ofpa_put(out, OFPA_WRITE_METADATA, sizeof *m);
    uint64_t be_md = htobe64(md), be_mask = htobe64(mask);
    memcpy(&m->metadata, &be_md, 8);
    memcpy(&m->mask, &be_mask, 8);
    return NULL;
}

static char *parse_list(char *s, bool nested, struct ofpa_buf *out);

/* Parses one action KEY with argument ARG (NULL if none); PARENS if ARG
 * came in parentheses. */
static char *
parse_one(const char *key, char *arg, bool parens, bool nested,
          struct ofpa_buf *out)
{
    uint64_t x = 0;
    char *error;
    uint32_t port;

#define SIMPLE(NAME, TYPE)                                     \
    if (!strcasecmp(key, NAME)) {                              \
        if (arg) {                                             \
            return xasprintf("%s: takes no argument", key);    \
        }                                                      \
        ofpa_put(out, TYPE, sizeof(struct ofpa));              \
        return NULL;                                           \
    }
    SIMPLE("pop_vlan", OFPA_POP_VLAN);
    SIMPLE("strip_vlan", OFPA_STRIP_VLAN);
    SIMPLE("dec_mpls_ttl", OFPA_DEC_MPLS_TTL);
    SIMPLE("dec_ttl", OFPA_DEC_NW_TTL);
    SIMPLE("copy_ttl_out", OFPA_COPY_TTL_OUT);
    SIMPLE("copy_ttl_in", OFPA_COPY_TTL_IN);
    SIMPLE("clear_actions", OFPA_CLEAR_ACTIONS);
#undef SIMPLE

    /* Actions with one unsigned argument. */
    static const struct {
        const char *name;
        enum ofpa_type type;
        uint64_t max;
    } ints[] = {
        { "group", OFPA_GROUP, UINT32_MAX },
        { "set_queue", OFPA_SET_QUEUE, UINT32_MAX },
        { "meter", OFPA_METER, UINT32_MAX },
        { "goto_table", OFPA_GOTO_TABLE, UINT8_MAX },
        { "set_mpls_ttl", OFPA_SET_MPLS_TTL, UINT8_MAX },
        { "mod_nw_ttl", OFPA_SET_NW_TTL, UINT8_MAX },
        { "set_nw_ttl", OFPA_SET_NW_TTL, UINT8_MAX },
        { "mod_vlan_vid", OFPA_SET_VLAN_VID, VLAN_VID_MASK },
        { "mod_vlan_pcp", OFPA_SET_VLAN_PCP, 7 },
        { "mod_nw_tos", OFPA_SET_IP_DSCP, UINT8_MAX },
        { "mod_tp_src", OFPA_SET_L4_SRC_PORT, UINT16_MAX },
        { "mod_tp_dst", OFPA_SET_L4_DST_PORT, UINT16_MAX },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
        if (strcasecmp(key, ints[i].name)) {
            continue;
        }
        error = parse_uint(arg, key, ints[i].max, &x);
        if (error) {
            return error;
        }
        switch (ints[i].type) {
        case OFPA_GROUP:
            ((struct ofpa_group *) ofpa_put(out, OFPA_GROUP,
                                            sizeof(struct ofpa_group)))
                ->group_id = x;
            break;
        case OFPA_SET_QUEUE:
            ((struct ofpa_queue *) ofpa_put(out, OFPA_SET_QUEUE,
                                            sizeof(struct ofpa_queue)))
                ->queue_id = x;
            break;
        case OFPA_METER:
            ((struct ofpa_meter *) ofpa_put(out, OFPA_METER,
                                            sizeof(struct ofpa_meter)))
                ->meter_id = x;
            break;
        case OFPA_GOTO_TABLE:
            ((struct ofpa_goto_table *)
             ofpa_put(out, OFPA_GOTO_TABLE, sizeof(struct ofpa_goto_table)))
                ->table_id = x;
            break;
        case OFPA_SET_MPLS_TTL: case OFPA_SET_NW_TTL:
            ((struct ofpa_ttl *) ofpa_put(out, ints[i].type,
                                          sizeof(struct ofpa_ttl)))->ttl = x;
            break;
        case OFPA_SET_VLAN_VID: {
            struct ofpa_vlan_vid *v = ofpa_put(out, OFPA_SET_VLAN_VID,
                                               sizeof *v);
            v->vid = x;
            v->push_if_needed = true;
            break;
        }
        case OFPA_SET_VLAN_PCP: {
            struct ofpa_vlan_pcp *v = ofpa_put(out, OFPA_SET_VLAN_PCP,
                                               sizeof *v);
            v->pcp = x;
            v->push_if_needed = true;
            break;
        }
        case OFPA_SET_IP_DSCP:
            if (x & ~IP_DSCP_MASK) {
                return xasprintf("%s: not a valid TOS", arg);
            }
            ((struct ofpa_dscp *) ofpa_put(out, OFPA_SET_IP_DSCP,
                                           sizeof(struct ofpa_dscp)))
                ->dscp = x;
            break;
        default:
            ((struct ofpa_l4_port *) ofpa_put(out, ints[i].type,
                                              sizeof(struct ofpa_l4_port)))
                ->port = x;
            break;
        }
        return NULL;
    }

    if (!strcasecmp(key, "output")) {
        error = parse_output_port(arg, &port);
        if (error) {
            return error;
        }
        ofpa_put_output(out, port, port == MF_OFPP_CONTROLLER
                        ? UINT16_MAX : 0);
        return NULL;
    } else if (!strcasecmp(key, "controller")) {
        return parse_controller(arg, parens, out);
    } else if (!strcasecmp(key, "enqueue")) {
        return parse_enqueue(arg, out);
    } else if (!strcasecmp(key, "push_vlan")) {
        return parse_ethertype(key, arg, ETH_TYPE_VLAN_8021Q,
                               ETH_TYPE_VLAN_8021AD, OFPA_PUSH_VLAN, out);
    } else if (!strcasecmp(key, "push_mpls")) {
        return parse_ethertype(key, arg, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST,
                               OFPA_PUSH_MPLS, out);
    } else if (!strcasecmp(key, "pop_mpls")) {
        return parse_ethertype(key, arg, 0, 0, OFPA_POP_MPLS, out);
    } else if (!strcasecmp(key, "set_field")) {
        return ofpa_set_field_parse(arg, false, out);
    } else if (!strcasecmp(key, "sample")) {
        return ofpa_sample_parse(arg, out);
    } else if (!strcasecmp(key, "ct")) {
        return ofpa_ct_parse(arg, out);
    } else if (!strcasecmp(key, "ct_clear")) {
        /* ovs-ofctl ignores an argument here. */
        ofpa_put(out, OFPA_CT_CLEAR, sizeof(struct ofpa));
        return NULL;
    } else if (!strcasecmp(key, "nat")) {
        return xstrdup("Cannot have NAT action outside of \"ct\" action");
    } else if (!strcasecmp(key, "mod_dl_src")
               || !strcasecmp(key, "mod_dl_dst")) {
        struct eth_addr mac;
        if (!arg || !eth_addr_from_string(arg, &mac)) {
            return xasprintf("%s: invalid Ethernet address",
                             arg ? arg : key);
        }
        struct ofpa_mac *m = ofpa_put(out, (!strcasecmp(key, "mod_dl_src")
                                            ? OFPA_SET_ETH_SRC
                                            : OFPA_SET_ETH_DST), sizeof *m);
        m->mac = mac;
        return NULL;
    } else if (!strcasecmp(key, "mod_nw_src")
               || !strcasecmp(key, "mod_nw_dst")) {
        struct in_addr ip;
        if (!arg || inet_pton(AF_INET, arg, &ip) != 1) {
            return xasprintf("%s: invalid IP address", arg ? arg : key);
        }
        struct ofpa_ipv4 *i4 = ofpa_put(out, (!strcasecmp(key, "mod_nw_src")
                                              ? OFPA_SET_IPV4_SRC
                                              : OFPA_SET_IPV4_DST),
                                        sizeof *i4);
        i4->ipv4 = ip.s_addr;
        return NULL;
    } else if (!strcasecmp(key, "write_metadata")) {
        return parse_write_metadata(arg, out);
    } else if (!strcasecmp(key, "write_actions")) {
        if (nested) {
            return xstrdup("write_actions instruction not allowed here");
        }
        size_t ofs = ofpa_nest_start(out);
        error = parse_list(arg ? arg : (char *) "", true, out);
        if (error) {
            return error;
        }
        if (out->size - ofs > UINT16_MAX) {
            return xstrdup("write_actions: too many actions");
        }
        ofpa_nest_end(out, ofs);
        return NULL;
    } else if (!arg && mf_port_from_string(key, &port)) {
        if (port == MF_OFPP_CONTROLLER) {
            return parse_controller(NULL, false, out);
        }
        error = parse_output_port(key, &port);
        if (error) {
            return error;
        }
        ofpa_put_output(out, port, 0);
        return NULL;
    }
    return xasprintf("unknown action %s", key);
}

/* Splits S at commas outside parentheses and parses each action. */
static char *
parse_list(char *s, bool nested, struct ofpa_buf *out)
{
    bool any = false, drop = false;

    while (*s) {
        int depth = 0;
        char *p;

        for (p = s; *p && (depth || *p != ','); p++) {
            if (*p == '(') {
                depth++;
            } else if (*p == ')' && --depth < 0) {
                return xasprintf("%s: unbalanced parentheses", s);
            }
        }
        if (depth) {
            return xasprintf("%s: unbalanced parentheses", s);
        }
        char *next = *p ? p + 1 : p;
        *p = '\0';

        /* Trim blanks. */
        while (isspace((unsigned char) *s)) {
            s++;
        }
        for (char *e = p; e > s && isspace((unsigned char) e[-1]); ) {
            *--e = '\0';
        }
        if (!*s) {
            return xstrdup("empty action");
        }

        /* KEY, KEY:ARG, KEY=ARG or KEY(ARG). */
        size_t key_len = strcspn(s, ":=(");
        char *arg = NULL;
        bool parens = false;
        if (s[key_len] == '(') {
            char *close = s + strlen(s) - 1;
            if (*close != ')') {
                return xasprintf("%s: syntax error after `)'", s);
            }
            *close = '\0';
            arg = s + key_len + 1;
            parens = true;
        } else if (s[key_len]) {
            arg = s + key_len + 1;
        }
        s[key_len] = '\0';

        if (!strcasecmp(s, "drop")) {
            if (arg) {
                return xstrdup("drop: takes no argument");
            }
            drop = true;
        } else {
            size_t ofs = out->size;
            char *error = parse_one(s, arg, parens, nested, out);
            if (error) {
                return error;
            }
            const struct ofpa *a = (const void *) ((uint8_t *) out->data
                                                   + ofs);
            if (ofpa_sets_ct_field(a)) {
                return xstrdup("cannot set CT fields outside of ct action");
            } else if (nested && ofpa_is_instruction(a->type)) {
                return xasprintf("%s instruction not allowed here",
                                 ofpa_type_name(a->type));
            } else if (nested && !ofpa_is_allowed_in_action_set(a->type)) {
                return xasprintf("%s action not allowed in write_actions",
                                 ofpa_type_name(a->type));
            }
            any = true;
        }
        if (drop && any) {
            return xstrdup("\"drop\" must not be accompanied by any other "
                           "action or instruction");
        }
        s = next;
    }
    return NULL;
}

/* Rank in the pipeline order, as ofpacts_verify(). */
static int
text_rank(enum ofpa_type type)
{
    return (type == OFPA_METER ? 0
            : !ofpa_is_instruction(type) ? 1
            : 2 + (type - OFPA_CLEAR_ACTIONS));
}

char *
ofpacts_text_parse(const char *s_, struct ofpa_buf *out)
{
    size_t orig = out->size;
    char *s = xstrdup(s_);
    char *error = parse_list(s, false, out);
    free(s);

    if (!error && out->size > orig) {
        const struct ofpa *a;
        enum ofpa_type prev = OFPA_N_TYPES;
        OFPA_FOR_EACH (a, (uint8_t *) out->data + orig, out->size - orig) {
            enum ofpa_type t = a->type;
            if (prev != OFPA_N_TYPES) {
                int cmp = text_rank(t) - text_rank(prev);
                if (cmp < 0) {
                    error = xasprintf("invalid instruction ordering: %s must "
                                      "appear before %s, for OpenFlow 1.1+ "
                                      "compatibility", inst_name(t),
                                      inst_name(prev));
                    break;
                } else if (cmp == 0 && ofpa_is_instruction(t)) {
                    error = xasprintf("instruction %s may be specified "
                                      "only once", inst_name(t));
                    break;
                }
            }
            prev = t;
        }
    }
    if (error) {
        out->size = orig;
    }
    return error;
}
