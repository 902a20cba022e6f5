/* ofp-actions: internal form, wire codecs, checks and the action set.
 * See ofp-actions.h; the text syntax is in ofp-actions-text.c. */
#include <config.h>
#include "ofp-actions.h"
#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <string.h>
#include "match.h"
#include "meta-flow.h"
#include "ofp-match.h"
#include "packets.h"
#include "unaligned.h"
#include "util.h"

/* OpenFlow 1.0 action types. */
enum {
    OFPAT10_OUTPUT, OFPAT10_SET_VLAN_VID, OFPAT10_SET_VLAN_PCP,
    OFPAT10_STRIP_VLAN, OFPAT10_SET_DL_SRC, OFPAT10_SET_DL_DST,
    OFPAT10_SET_NW_SRC, OFPAT10_SET_NW_DST, OFPAT10_SET_NW_TOS,
    OFPAT10_SET_TP_SRC, OFPAT10_SET_TP_DST, OFPAT10_ENQUEUE,
    OFPAT10_VENDOR = 0xffff
};

/* OpenFlow 1.3 action types. */
enum {
    OFPAT13_OUTPUT = 0, OFPAT13_COPY_TTL_OUT = 11, OFPAT13_COPY_TTL_IN = 12,
    OFPAT13_SET_MPLS_TTL = 15, OFPAT13_DEC_MPLS_TTL = 16,
    OFPAT13_PUSH_VLAN = 17, OFPAT13_POP_VLAN = 18, OFPAT13_PUSH_MPLS = 19,
    OFPAT13_POP_MPLS = 20, OFPAT13_SET_QUEUE = 21, OFPAT13_GROUP = 22,
    OFPAT13_SET_NW_TTL = 23, OFPAT13_DEC_NW_TTL = 24,
    OFPAT13_SET_FIELD = 25, OFPAT13_PUSH_PBB = 26, OFPAT13_POP_PBB = 27,
    OFPAT13_EXPERIMENTER = 0xffff
};

/* OpenFlow 1.3 instruction types. */
enum {
    OFPIT13_GOTO_TABLE = 1, OFPIT13_WRITE_METADATA = 2,
    OFPIT13_WRITE_ACTIONS = 3, OFPIT13_APPLY_ACTIONS = 4,
    OFPIT13_CLEAR_ACTIONS = 5, OFPIT13_METER = 6,
    OFPIT13_EXPERIMENTER = 0xffff
};

#define OFPM13_MAX 0xffff0000u

/* ofpa_buf. */

void
ofpa_buf_init(struct ofpa_buf *b)
{
    b->data = NULL;
    b->size = b->allocated = 0;
}

void
ofpa_buf_uninit(struct ofpa_buf *b)
{
    free(b->data);
    ofpa_buf_init(b);
}

void
ofpa_buf_clear(struct ofpa_buf *b)
{
    b->size = 0;
}

void
ofpa_buf_truncate(struct ofpa_buf *b, size_t size)
{
    if (size < b->size) {
        b->size = size;
    }
}

void *
ofpa_buf_put_zeros(struct ofpa_buf *b, size_t n)
{
    if (b->size + n > b->allocated) {
        size_t want = MAX(b->size + n, b->allocated * 2);
        b->allocated = MAX(want, 64);
        b->data = xrealloc(b->data, b->allocated);
    }
    uint8_t *p = (uint8_t *) b->data + b->size;
    memset(p, 0, n);
    b->size += n;
    return p;
}

void *
ofpa_put(struct ofpa_buf *b, enum ofpa_type type, size_t len)
{
    struct ofpa *a = (void *) ofpa_buf_put_zeros(b, OFPA_ALIGN(len));
    a->type = type;
    a->len = len;
    return a;
}

void
ofpa_put_output(struct ofpa_buf *b, uint32_t port, uint16_t max_len)
{
    struct ofpa_output *o = ofpa_put(b, OFPA_OUTPUT, sizeof *o);
    o->port = port;
    o->max_len = max_len;
}

size_t
ofpa_nest_start(struct ofpa_buf *b)
{
    size_t ofs = b->size;
    ofpa_put(b, OFPA_WRITE_ACTIONS, sizeof(struct ofpa_nest));
    return ofs;
}

void
ofpa_nest_end(struct ofpa_buf *b, size_t start_ofs)
{
    struct ofpa *a = (void *) ((uint8_t *) b->data + start_ofs);
    a->len = b->size - start_ofs;
}

bool
ofpacts_same(const void *a, size_t a_size, const void *b, size_t b_size)
{
    return a_size == b_size && (!a_size || !memcmp(a, b, a_size));
}

const char *
ofpa_type_name(enum ofpa_type type)
{
    static const char *const names[OFPA_N_TYPES] = {
        [OFPA_OUTPUT] = "output", [OFPA_GROUP] = "group",
        [OFPA_ENQUEUE] = "enqueue", [OFPA_SET_QUEUE] = "set_queue",
        [OFPA_SAMPLE] = "sample", [OFPA_CT] = "ct",
        [OFPA_CT_CLEAR] = "ct_clear", [OFPA_NAT] = "nat",
        [OFPA_PUSH_VLAN] = "push_vlan", [OFPA_POP_VLAN] = "pop_vlan",
        [OFPA_STRIP_VLAN] = "strip_vlan", [OFPA_PUSH_MPLS] = "push_mpls",
        [OFPA_POP_MPLS] = "pop_mpls", [OFPA_SET_MPLS_TTL] = "set_mpls_ttl",
        [OFPA_DEC_MPLS_TTL] = "dec_mpls_ttl",
        [OFPA_SET_NW_TTL] = "mod_nw_ttl", [OFPA_DEC_NW_TTL] = "dec_ttl",
        [OFPA_COPY_TTL_OUT] = "copy_ttl_out",
        [OFPA_COPY_TTL_IN] = "copy_ttl_in", [OFPA_SET_FIELD] = "set_field",
        [OFPA_SET_VLAN_VID] = "mod_vlan_vid",
        [OFPA_SET_VLAN_PCP] = "mod_vlan_pcp",
        [OFPA_SET_ETH_SRC] = "mod_dl_src", [OFPA_SET_ETH_DST] = "mod_dl_dst",
        [OFPA_SET_IPV4_SRC] = "mod_nw_src",
        [OFPA_SET_IPV4_DST] = "mod_nw_dst",
        [OFPA_SET_IP_DSCP] = "mod_nw_tos",
        [OFPA_SET_L4_SRC_PORT] = "mod_tp_src",
        [OFPA_SET_L4_DST_PORT] = "mod_tp_dst",
        [OFPA_METER] = "meter", [OFPA_CLEAR_ACTIONS] = "clear_actions",
        [OFPA_WRITE_ACTIONS] = "write_actions",
        [OFPA_WRITE_METADATA] = "write_metadata",
        [OFPA_GOTO_TABLE] = "goto_table",
    };
    return (unsigned) type < OFPA_N_TYPES ? names[type] : "<unknown>";
}

bool
ofpa_is_instruction(enum ofpa_type type)
{
    return type >= OFPA_METER && type < OFPA_N_TYPES;
}

bool
ofpa_is_allowed_in_action_set(enum ofpa_type type)
{
    return (type != OFPA_SAMPLE && type != OFPA_NAT
            && !ofpa_is_instruction(type));
}

/* Instruction rank in the pipeline order: meter 0, apply_actions 1 (any
 * plain action), clear 2, write 3, metadata 4, goto 5. */
static int
inst_rank(enum ofpa_type type)
{
    switch (type) {
    case OFPA_METER: return 0;
    case OFPA_CLEAR_ACTIONS: return 2;
    case OFPA_WRITE_ACTIONS: return 3;
    case OFPA_WRITE_METADATA: return 4;
    case OFPA_GOTO_TABLE: return 5;
    default: return 1;
    }
}

enum ofperr
ofpacts_verify(const void *ofpacts, size_t size)
{
    const struct ofpa *a;
    int last = -1;

    OFPA_FOR_EACH (a, ofpacts, size) {
        int rank = inst_rank(a->type);
        enum ofperr error = ofpa_ct_verify(a);
        if (error) {
            return error;
        } else if (rank < last) {
            return OFPERR_OFPBAC_UNSUPPORTED_ORDER;
        } else if (rank == last && rank != 1) {
            return OFPERR_OFPBIC_DUP_INST;
        }
        last = rank;
        if (a->type == OFPA_WRITE_ACTIONS) {
            const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
            const struct ofpa *b;
            OFPA_FOR_EACH (b, ofpa_nest_actions(n), ofpa_nest_size(n)) {
                error = ofpa_ct_verify(b);
                if (error) {
                    return error;
                } else if (ofpa_is_instruction(b->type)) {
                    return OFPERR_OFPBIC_UNSUP_INST;
                } else if (!ofpa_is_allowed_in_action_set(b->type)) {
                    return OFPERR_OFPBAC_BAD_TYPE;
                }
            }
        }
    }
    return 0;
}

/* Ports. */

static bool
is_reserved_output(uint32_t port)
{
    switch (port) {
    case MF_OFPP_IN_PORT: case MF_OFPP_TABLE: case MF_OFPP_NORMAL:
    case MF_OFPP_FLOOD: case MF_OFPP_ALL: case MF_OFPP_CONTROLLER:
    case MF_OFPP_LOCAL:
        return true;
    default:
        return false;
    }
}

static bool
output_port_ok(uint32_t port, uint32_t max_ports)
{
    return port < max_ports || is_reserved_output(port);
}

static uint32_t
port_from_of10(uint16_t port)
{
    return port >= 0xff00 ? port + 0xffff0000u : port;
}

/* Returns false if PORT has no OpenFlow 1.0 form. */
static bool
port_to_of10(uint32_t port, uint16_t *out)
{
    if (port >= MF_OFPP_MAX) {
        *out = port - 0xffff0000u;
        return true;
    } else if (port < 0xff00) {
        *out = port;
        return true;
    }
    return false;
}

/* set_field values. */

/* The mask that sets every bit of MF. */
static void
sf_exact_mask(const struct mf_field *mf, union mf_value *mask)
{
    memset(mask, 0, sizeof *mask);
    for (unsigned int i = 0; i < mf->n_bits; i++) {
        mask->bytes[mf->n_bytes - 1 - i / 8] |= 1u << (i % 8);
    }
}

static bool
sf_is_exact(const struct ofpa_set_field *sf)
{
    union mf_value exact;
    const struct mf_field *mf = mf_from_id(sf->field);
    sf_exact_mask(mf, &exact);
    return !memcmp(&exact, &sf->mask, mf->n_bytes);
}

static void
put_set_field(struct ofpa_buf *out, enum mf_field_id id,
              const void *value)
{
    const struct mf_field *mf = mf_from_id(id);
    struct ofpa_set_field *sf = ofpa_put(out, OFPA_SET_FIELD, sizeof *sf);
    sf->field = id;
    memcpy(sf->value.bytes, value, mf->n_bytes);
    sf_exact_mask(mf, &sf->mask);
}

/* See ofp-actions.h.  The TLV itself is ofp-match's
 * (ofp_oxm_decode_field()); what is checked here is what set_field adds:
 * the action's padding, a writable field, no mask, a valid value, and
 * where the field may stand (ct_mark and ct_label only inside ct(), and
 * only they there).  The error for a mask, and where the ct() check comes,
 * differ between the two places as in Open vSwitch. */
enum ofperr
ofpa_set_field_decode(const uint8_t *p, size_t len, bool in_ct,
                      struct ofpa_buf *out)
{
    uint32_t header = load_be32(p + 4);
    unsigned int length = MF_HEADER_LENGTH(header);
    const struct mf_field *mf;

    if (8 + length > len || OFPA_ALIGN(8 + length) != len) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (MF_HEADER_CLASS(header) == 0xffff) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    mf = mf_from_oxm_header(header);
    if (!mf || !mf->supported || !mf->writable) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    if (MF_HEADER_HASMASK(header)) {
        return (in_ct ? OFPERR_OFPBAC_BAD_SET_LEN
                : OFPERR_OFPBAC_BAD_SET_ARGUMENT);
    }

    bool ct_field = mf->id == MFF_CT_MARK || mf->id == MFF_CT_LABEL;
    if (ct_field && !in_ct) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (length != mf->n_bytes) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }

    union mf_value value;
    size_t consumed;
    if (ofp_oxm_decode_field(p + 4, 4 + length, &mf, &value, NULL,
                             &consumed)
        || !mf_is_value_valid(mf, &value)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (in_ct && !ct_field) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;      /* Not allowed in ct(). */
    }
    if (mf->id == MFF_VLAN_VID && !(ntohs(value.be16) & VLAN_CFI)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    put_set_field(out, mf->id, value.bytes);
    return 0;
}

/* See ofp-actions.h.  The TLV is ofp-match's (ofp_oxm_encode_field()),
 * padded to 8 bytes. */
enum ofperr
ofpa_set_field_encode(enum mf_field_id id, const union mf_value *value,
                      struct ofpa_buf *out)
{
    const struct mf_field *mf = mf_from_id(id);
    uint8_t tlv[16 + sizeof(union mf_value)];
    size_t n = ofp_oxm_encode_field(mf, value, NULL, tlv, sizeof tlv);

    if (!n || n > sizeof tlv) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    size_t len = OFPA_ALIGN(4 + n);
    uint8_t *p = ofpa_buf_put_zeros(out, len);
    store_be16(p, OFPAT13_SET_FIELD);
    store_be16(p + 2, len);
    memcpy(p + 4, tlv, n);
    return 0;
}

/* Decoding actions. */

static void *
put_simple(struct ofpa_buf *out, enum ofpa_type type, size_t len)
{
    return ofpa_put(out, type, len);
}

static enum ofperr
decode_of10_action(uint16_t type, const uint8_t *p, size_t len,
                   struct ofpa_buf *out)
{
    const int version = OFPA_OF10;
    size_t want;

    switch (type) {
    case OFPAT10_SET_DL_SRC: case OFPAT10_SET_DL_DST:
    case OFPAT10_ENQUEUE:
        want = 16;
        break;
    case OFPAT10_VENDOR:
        return ofpacts_nx_decode(p, len, version, out);
    default:
        if (type > OFPAT10_ENQUEUE) {
            return OFPERR_OFPBAC_BAD_TYPE;
        }
        want = 8;
        break;
    }
    if (len != want) {
        return OFPERR_OFPBAC_BAD_LEN;
    }

    switch (type) {
    case OFPAT10_OUTPUT: {
        uint32_t port = port_from_of10(load_be16(p + 4));
        if (!output_port_ok(port, MF_OFPP_MAX)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        ofpa_put_output(out, port, load_be16(p + 6));
        return 0;
    }
    case OFPAT10_SET_VLAN_VID: {
        uint16_t vid = load_be16(p + 4);
        if (vid & ~VLAN_VID_MASK) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        struct ofpa_vlan_vid *v = put_simple(out, OFPA_SET_VLAN_VID,
                                             sizeof *v);
        v->vid = vid;
        v->push_if_needed = true;
        return 0;
    }
    case OFPAT10_SET_VLAN_PCP: {
        if (p[4] > 7) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        struct ofpa_vlan_pcp *v = put_simple(out, OFPA_SET_VLAN_PCP,
                                             sizeof *v);
        v->pcp = p[4];
        v->push_if_needed = true;
        return 0;
    }
    case OFPAT10_STRIP_VLAN:
        put_simple(out, OFPA_STRIP_VLAN, sizeof(struct ofpa));
        return 0;
    case OFPAT10_SET_DL_SRC: case OFPAT10_SET_DL_DST: {
        struct ofpa_mac *m = put_simple(out, (type == OFPAT10_SET_DL_SRC
                                              ? OFPA_SET_ETH_SRC
                                              : OFPA_SET_ETH_DST),
                                        sizeof *m);
        memcpy(m->mac.ea, p + 4, 6);
        return 0;
    }
    case OFPAT10_SET_NW_SRC: case OFPAT10_SET_NW_DST: {
        struct ofpa_ipv4 *ip = put_simple(out, (type == OFPAT10_SET_NW_SRC
                                                ? OFPA_SET_IPV4_SRC
                                                : OFPA_SET_IPV4_DST),
                                          sizeof *ip);
        memcpy(&ip->ipv4, p + 4, 4);
        return 0;
    }
    case OFPAT10_SET_NW_TOS: {
        if (p[4] & ~IP_DSCP_MASK) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        struct ofpa_dscp *d = put_simple(out, OFPA_SET_IP_DSCP, sizeof *d);
        d->dscp = p[4];
        return 0;
    }
    case OFPAT10_SET_TP_SRC: case OFPAT10_SET_TP_DST: {
        struct ofpa_l4_port *l4 = put_simple(out,
                                             (type == OFPAT10_SET_TP_SRC
                                              ? OFPA_SET_L4_SRC_PORT
                                              : OFPA_SET_L4_DST_PORT),
                                             sizeof *l4);
        l4->port = load_be16(p + 4);
        return 0;
    }
    case OFPAT10_ENQUEUE: {
        uint32_t port = port_from_of10(load_be16(p + 4));
        if (port >= 0xff00 && port != MF_OFPP_IN_PORT
            && port != MF_OFPP_LOCAL) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        struct ofpa_enqueue *e = put_simple(out, OFPA_ENQUEUE, sizeof *e);
        e->port = port;
        e->queue_id = load_be32(p + 12);
        return 0;
    }
    }
    return OFPERR_OFPBAC_BAD_TYPE;
}

static enum ofperr
decode_of13_action(uint16_t type, const uint8_t *p, size_t len,
                   struct ofpa_buf *out)
{
    const int version = OFPA_OF13;
    switch (type) {
    case OFPAT13_OUTPUT:
    case OFPAT13_COPY_TTL_OUT: case OFPAT13_COPY_TTL_IN:
    case OFPAT13_SET_MPLS_TTL: case OFPAT13_DEC_MPLS_TTL:
    case OFPAT13_PUSH_VLAN: case OFPAT13_POP_VLAN:
    case OFPAT13_PUSH_MPLS: case OFPAT13_POP_MPLS:
    case OFPAT13_SET_QUEUE: case OFPAT13_GROUP:
    case OFPAT13_SET_NW_TTL: case OFPAT13_DEC_NW_TTL:
        if (len != (type == OFPAT13_OUTPUT ? 16 : 8)) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        break;
    case OFPAT13_SET_FIELD:
        return ofpa_set_field_decode(p, len, false, out);
    case OFPAT13_EXPERIMENTER:
        return ofpacts_nx_decode(p, len, version, out);
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }

    switch (type) {
    case OFPAT13_OUTPUT: {
        uint32_t port = load_be32(p + 4);
        if (!output_port_ok(port, MF_OFPP_MAX)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        ofpa_put_output(out, port, load_be16(p + 8));
        return 0;
    }
    case OFPAT13_COPY_TTL_OUT:
        put_simple(out, OFPA_COPY_TTL_OUT, sizeof(struct ofpa));
        return 0;
    case OFPAT13_COPY_TTL_IN:
        put_simple(out, OFPA_COPY_TTL_IN, sizeof(struct ofpa));
        return 0;
    case OFPAT13_SET_MPLS_TTL: case OFPAT13_SET_NW_TTL: {
        struct ofpa_ttl *t = put_simple(out, (type == OFPAT13_SET_MPLS_TTL
                                              ? OFPA_SET_MPLS_TTL
                                              : OFPA_SET_NW_TTL),
                                        sizeof *t);
        t->ttl = p[4];
        return 0;
    }
    case OFPAT13_DEC_MPLS_TTL:
        put_simple(out, OFPA_DEC_MPLS_TTL, sizeof(struct ofpa));
        return 0;
    case OFPAT13_DEC_NW_TTL:
        put_simple(out, OFPA_DEC_NW_TTL, sizeof(struct ofpa));
        return 0;
    case OFPAT13_PUSH_VLAN: case OFPAT13_PUSH_MPLS: {
        uint16_t et = load_be16(p + 4);
        bool ok = (type == OFPAT13_PUSH_VLAN
                   ? et == ETH_TYPE_VLAN_8021Q || et == ETH_TYPE_VLAN_8021AD
                   : et == ETH_TYPE_MPLS || et == ETH_TYPE_MPLS_MCAST);
        if (!ok) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        struct ofpa_ethertype *e = put_simple(out, (type == OFPAT13_PUSH_VLAN
                                                    ? OFPA_PUSH_VLAN
                                                    : OFPA_PUSH_MPLS),
                                              sizeof *e);
        e->ethertype = htons(et);
        return 0;
    }
    case OFPAT13_POP_MPLS: {
        struct ofpa_ethertype *e = put_simple(out, OFPA_POP_MPLS, sizeof *e);
        e->ethertype = htons(load_be16(p + 4));
        return 0;
    }
    case OFPAT13_POP_VLAN:
        put_simple(out, OFPA_POP_VLAN, sizeof(struct ofpa));
        return 0;
    case OFPAT13_SET_QUEUE: {
        struct ofpa_queue *q = put_simple(out, OFPA_SET_QUEUE, sizeof *q);
        q->queue_id = load_be32(p + 4);
        return 0;
    }
    case OFPAT13_GROUP: {
        struct ofpa_group *g = put_simple(out, OFPA_GROUP, sizeof *g);
        g->group_id = load_be32(p + 4);
        return 0;
    }
    }
    return OFPERR_OFPBAC_BAD_TYPE;
}

static enum ofperr
decode_actions__(const uint8_t *p, size_t size, int version,
                 struct ofpa_buf *out)
{
    if (version != OFPA_OF10 && version != OFPA_OF13) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    while (size) {
        if (size < 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        uint16_t type = load_be16(p);
        uint16_t len = load_be16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        enum ofperr error = (version == OFPA_OF10
                             ? decode_of10_action(type, p, len, out)
                             : decode_of13_action(type, p, len, out));
        if (error) {
            return error;
        }
        p += len;
        size -= len;
    }
    return 0;
}

enum ofperr
ofpacts_decode_actions(const void *data, size_t size, int version,
                       struct ofpa_buf *out)
{
    size_t orig = out->size;
    enum ofperr error = decode_actions__(data, size, version, out);
    if (error) {
        out->size = orig;
    }
    return error;
}

enum ofperr
ofpacts_decode_instructions(const void *data, size_t size, int version,
                            struct ofpa_buf *out)
{
    const uint8_t *insts[7] = { NULL };
    uint16_t lens[7] = { 0 };
    const uint8_t *p = data;
    size_t orig = out->size;
    enum ofperr error = 0;

    if (version != OFPA_OF13) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    while (size) {
        if (size < 8) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        uint16_t type = load_be16(p);
        uint16_t len = load_be16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        if (type == OFPIT13_EXPERIMENTER) {
            return OFPERR_OFPBIC_BAD_EXPERIMENTER;
        } else if (type < OFPIT13_GOTO_TABLE || type > OFPIT13_METER) {
            return OFPERR_OFPBIC_UNKNOWN_INST;
        }
        size_t want = (type == OFPIT13_WRITE_METADATA ? 24
                       : type == OFPIT13_WRITE_ACTIONS
                       || type == OFPIT13_APPLY_ACTIONS ? 0 : 8);
        if (want ? len != want : len < 8) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        if (insts[type]) {
            return OFPERR_OFPBIC_DUP_INST;
        }
        insts[type] = p;
        lens[type] = len;
        p += len;
        size -= len;
    }

    if (insts[OFPIT13_METER]) {
        struct ofpa_meter *m = ofpa_put(out, OFPA_METER, sizeof *m);
        m->meter_id = load_be32(insts[OFPIT13_METER] + 4);
    }
    if (insts[OFPIT13_APPLY_ACTIONS]) {
        error = decode_actions__(insts[OFPIT13_APPLY_ACTIONS] + 8,
                                 lens[OFPIT13_APPLY_ACTIONS] - 8,
                                 version, out);
        if (error) {
            goto fail;
        }
    }
    if (insts[OFPIT13_CLEAR_ACTIONS]) {
        ofpa_put(out, OFPA_CLEAR_ACTIONS, sizeof(struct ofpa));
    }
    if (insts[OFPIT13_WRITE_ACTIONS]) {
        size_t ofs = ofpa_nest_start(out);
        error = decode_actions__(insts[OFPIT13_WRITE_ACTIONS] + 8,
                                 lens[OFPIT13_WRITE_ACTIONS] - 8,
                                 version, out);
        if (error) {
            goto fail;
        }
        if (out->size - ofs > UINT16_MAX) {
            error = OFPERR_OFPBIC_BAD_LEN;
            goto fail;
        }
        ofpa_nest_end(out, ofs);

        /* As Open vSwitch, refuse actions with no place in the set. */
        const struct ofpa_nest *n = (const void *) ((uint8_t *) out->data
                                                    + ofs);
        const struct ofpa *a;
        OFPA_FOR_EACH (a, ofpa_nest_actions(n), ofpa_nest_size(n)) {
            if (!ofpa_is_allowed_in_action_set(a->type)) {
                error = OFPERR_OFPBAC_BAD_TYPE;
                goto fail;
            }
        }
    }
    if (insts[OFPIT13_WRITE_METADATA]) {
        const uint8_t *q = insts[OFPIT13_WRITE_METADATA];
        struct ofpa_metadata *m = ofpa_put(out, OFPA_WRITE_METADATA,
                                           sizeof *m);
        memcpy(&m->metadata, q + 8, 8);
        memcpy(&m->mask, q + 16, 8);
    }
    if (insts[OFPIT13_GOTO_TABLE]) {
        struct ofpa_goto_table *g = ofpa_put(out, OFPA_GOTO_TABLE,
                                             sizeof *g);
        g->table_id = insts[OFPIT13_GOTO_TABLE][4];
    }
    return 0;

fail:
    out->size = orig;
    return error;
}

/* Encoding. */

static void
put_wire_action(struct ofpa_buf *out, uint16_t type, size_t len,
                uint8_t **bodyp)
{
    uint8_t *p = ofpa_buf_put_zeros(out, len);
    store_be16(p, type);
    store_be16(p + 2, len);
    *bodyp = p;
}

static void
put_wire_u8(struct ofpa_buf *out, uint16_t type, uint8_t x)
{
    uint8_t *p;
    put_wire_action(out, type, 8, &p);
    p[4] = x;
}

static void
put_wire_u16(struct ofpa_buf *out, uint16_t type, uint16_t x)
{
    uint8_t *p;
    put_wire_action(out, type, 8, &p);
    store_be16(p + 4, x);
}

static void
put_wire_u32(struct ofpa_buf *out, uint16_t type, uint32_t x)
{
    uint8_t *p;
    put_wire_action(out, type, 8, &p);
    store_be32(p + 4, x);
}

/* Maps an exact OpenFlow 1.3 set_field to an OpenFlow 1.0 action. */
static enum ofperr
encode_of10_set_field(const struct ofpa_set_field *sf, struct ofpa_buf *out)
{
    const union mf_value *v = &sf->value;
    uint8_t *p;

    if (!sf_is_exact(sf)) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    switch ((enum mf_field_id) sf->field) {
    case MFF_ETH_SRC: case MFF_ETH_DST:
        put_wire_action(out, (sf->field == MFF_ETH_SRC ? OFPAT10_SET_DL_SRC
                              : OFPAT10_SET_DL_DST), 16, &p);
        memcpy(p + 4, v->bytes, 6);
        return 0;
    case MFF_IPV4_SRC: case MFF_IPV4_DST:
        put_wire_action(out, (sf->field == MFF_IPV4_SRC ? OFPAT10_SET_NW_SRC
                              : OFPAT10_SET_NW_DST), 8, &p);
        memcpy(p + 4, v->bytes, 4);
        return 0;
    case MFF_IP_DSCP:
        put_wire_u8(out, OFPAT10_SET_NW_TOS, v->u8 & IP_DSCP_MASK);
        return 0;
    case MFF_IP_DSCP_SHIFTED:
        put_wire_u8(out, OFPAT10_SET_NW_TOS, v->u8 << 2);
        return 0;
    case MFF_TP_SRC: case MFF_TCP_SRC: case MFF_UDP_SRC: case MFF_SCTP_SRC:
        put_wire_u16(out, OFPAT10_SET_TP_SRC, ntohs(v->be16));
        return 0;
    case MFF_TP_DST: case MFF_TCP_DST: case MFF_UDP_DST: case MFF_SCTP_DST:
        put_wire_u16(out, OFPAT10_SET_TP_DST, ntohs(v->be16));
        return 0;
    case MFF_VLAN_VID: case MFF_DL_VLAN:
        put_wire_u16(out, OFPAT10_SET_VLAN_VID,
                     ntohs(v->be16) & VLAN_VID_MASK);
        return 0;
    case MFF_VLAN_PCP: case MFF_DL_VLAN_PCP:
        put_wire_u8(out, OFPAT10_SET_VLAN_PCP, v->u8 & 7);
        return 0;
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

static enum ofperr
encode_of10_action(const struct ofpa *a, struct ofpa_buf *out)
{
    uint8_t *p;
    uint16_t port;

    switch ((enum ofpa_type) a->type) {
    case OFPA_OUTPUT: {
        const struct ofpa_output *o = OFPA_CAST(ofpa_output, a);
        if (!port_to_of10(o->port, &port)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        put_wire_action(out, OFPAT10_OUTPUT, 8, &p);
        store_be16(p + 4, port);
        store_be16(p + 6, o->max_len);
        return 0;
    }
    case OFPA_ENQUEUE: {
        const struct ofpa_enqueue *e = OFPA_CAST(ofpa_enqueue, a);
        if (!port_to_of10(e->port, &port)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        put_wire_action(out, OFPAT10_ENQUEUE, 16, &p);
        store_be16(p + 4, port);
        store_be32(p + 12, e->queue_id);
        return 0;
    }
    case OFPA_POP_VLAN: case OFPA_STRIP_VLAN:
        put_wire_action(out, OFPAT10_STRIP_VLAN, 8, &p);
        return 0;
    case OFPA_SET_FIELD:
        return encode_of10_set_field(OFPA_CAST(ofpa_set_field, a), out);
    case OFPA_SET_VLAN_VID:
        put_wire_u16(out, OFPAT10_SET_VLAN_VID,
                     OFPA_CAST(ofpa_vlan_vid, a)->vid);
        return 0;
    case OFPA_SET_VLAN_PCP:
        put_wire_u8(out, OFPAT10_SET_VLAN_PCP,
                    OFPA_CAST(ofpa_vlan_pcp, a)->pcp);
        return 0;
    case OFPA_SET_ETH_SRC: case OFPA_SET_ETH_DST:
        put_wire_action(out, (a->type == OFPA_SET_ETH_SRC
                              ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST),
                        16, &p);
        memcpy(p + 4, OFPA_CAST(ofpa_mac, a)->mac.ea, 6);
        return 0;
    case OFPA_SET_IPV4_SRC: case OFPA_SET_IPV4_DST:
        put_wire_action(out, (a->type == OFPA_SET_IPV4_SRC
                              ? OFPAT10_SET_NW_SRC : OFPAT10_SET_NW_DST),
                        8, &p);
        memcpy(p + 4, &OFPA_CAST(ofpa_ipv4, a)->ipv4, 4);
        return 0;
    case OFPA_SET_IP_DSCP:
        put_wire_u8(out, OFPAT10_SET_NW_TOS, OFPA_CAST(ofpa_dscp, a)->dscp);
        return 0;
    case OFPA_SET_L4_SRC_PORT: case OFPA_SET_L4_DST_PORT:
        put_wire_u16(out, (a->type == OFPA_SET_L4_SRC_PORT
                           ? OFPAT10_SET_TP_SRC : OFPAT10_SET_TP_DST),
                     OFPA_CAST(ofpa_l4_port, a)->port);
        return 0;
    case OFPA_SAMPLE:
        return ofpacts_nx_encode(a, out);
    case OFPA_CT: case OFPA_CT_CLEAR: case OFPA_NAT:
        return ofpacts_ct_encode(a, OFPA_OF10, out);
    case OFPA_METER: case OFPA_CLEAR_ACTIONS: case OFPA_WRITE_ACTIONS:
    case OFPA_WRITE_METADATA: case OFPA_GOTO_TABLE:
        return OFPERR_OFPBIC_UNSUP_INST;
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

static void
encode_push_vlan(struct ofpa_buf *out)
{
    put_wire_u16(out, OFPAT13_PUSH_VLAN, ETH_TYPE_VLAN_8021Q);
}

static enum ofperr
encode_of13_action(const struct ofpa *a, struct ofpa_buf *out)
{
    union mf_value v;
    uint8_t *p;

    memset(&v, 0, sizeof v);
    switch ((enum ofpa_type) a->type) {
    case OFPA_OUTPUT: {
        const struct ofpa_output *o = OFPA_CAST(ofpa_output, a);
        put_wire_action(out, OFPAT13_OUTPUT, 16, &p);
        store_be32(p + 4, o->port);
        store_be16(p + 8, o->max_len);
        return 0;
    }
    case OFPA_GROUP:
        put_wire_u32(out, OFPAT13_GROUP, OFPA_CAST(ofpa_group, a)->group_id);
        return 0;
    case OFPA_ENQUEUE: {
        const struct ofpa_enqueue *e = OFPA_CAST(ofpa_enqueue, a);
        put_wire_u32(out, OFPAT13_SET_QUEUE, e->queue_id);
        put_wire_action(out, OFPAT13_OUTPUT, 16, &p);
        store_be32(p + 4, e->port);
        return 0;
    }
    case OFPA_SET_QUEUE:
        put_wire_u32(out, OFPAT13_SET_QUEUE,
                     OFPA_CAST(ofpa_queue, a)->queue_id);
        return 0;
    case OFPA_SAMPLE:
        return ofpacts_nx_encode(a, out);
    case OFPA_CT: case OFPA_CT_CLEAR: case OFPA_NAT:
        return ofpacts_ct_encode(a, OFPA_OF13, out);
    case OFPA_PUSH_VLAN: case OFPA_PUSH_MPLS: case OFPA_POP_MPLS:
        put_wire_u16(out, (a->type == OFPA_PUSH_VLAN ? OFPAT13_PUSH_VLAN
                           : a->type == OFPA_PUSH_MPLS ? OFPAT13_PUSH_MPLS
                           : OFPAT13_POP_MPLS),
                     ntohs(OFPA_CAST(ofpa_ethertype, a)->ethertype));
        return 0;
    case OFPA_POP_VLAN: case OFPA_STRIP_VLAN:
        put_wire_u8(out, OFPAT13_POP_VLAN, 0);
        return 0;
    case OFPA_SET_MPLS_TTL:
        put_wire_u8(out, OFPAT13_SET_MPLS_TTL, OFPA_CAST(ofpa_ttl, a)->ttl);
        return 0;
    case OFPA_DEC_MPLS_TTL:
        put_wire_u8(out, OFPAT13_DEC_MPLS_TTL, 0);
        return 0;
    case OFPA_SET_NW_TTL:
        put_wire_u8(out, OFPAT13_SET_NW_TTL, OFPA_CAST(ofpa_ttl, a)->ttl);
        return 0;
    case OFPA_DEC_NW_TTL:
        put_wire_u8(out, OFPAT13_DEC_NW_TTL, 0);
        return 0;
    case OFPA_COPY_TTL_OUT:
        put_wire_u8(out, OFPAT13_COPY_TTL_OUT, 0);
        return 0;
    case OFPA_COPY_TTL_IN:
        put_wire_u8(out, OFPAT13_COPY_TTL_IN, 0);
        return 0;
    case OFPA_SET_FIELD: {
        const struct ofpa_set_field *sf = OFPA_CAST(ofpa_set_field, a);
        if (!sf_is_exact(sf)) {
            return OFPERR_OFPBAC_BAD_TYPE;
        }
        return ofpa_set_field_encode(sf->field, &sf->value, out);
    }
    case OFPA_SET_VLAN_VID: {
        const struct ofpa_vlan_vid *vv = OFPA_CAST(ofpa_vlan_vid, a);
        if (vv->push_if_needed && !vv->flow_has_vlan) {
            encode_push_vlan(out);
        }
        v.be16 = htons(vv->vid | VLAN_CFI);
        return ofpa_set_field_encode(MFF_VLAN_VID, &v, out);
    }
    case OFPA_SET_VLAN_PCP: {
        const struct ofpa_vlan_pcp *vp = OFPA_CAST(ofpa_vlan_pcp, a);
        if (vp->push_if_needed && !vp->flow_has_vlan) {
            encode_push_vlan(out);
        }
        v.u8 = vp->pcp;
        return ofpa_set_field_encode(MFF_VLAN_PCP, &v, out);
    }
    case OFPA_SET_ETH_SRC: case OFPA_SET_ETH_DST:
        v.mac = OFPA_CAST(ofpa_mac, a)->mac;
        return ofpa_set_field_encode(a->type == OFPA_SET_ETH_SRC
                                     ? MFF_ETH_SRC : MFF_ETH_DST, &v, out);
    case OFPA_SET_IPV4_SRC: case OFPA_SET_IPV4_DST:
        v.be32 = OFPA_CAST(ofpa_ipv4, a)->ipv4;
        return ofpa_set_field_encode(a->type == OFPA_SET_IPV4_SRC
                                     ? MFF_IPV4_SRC : MFF_IPV4_DST, &v,
                                     out);
    case OFPA_SET_IP_DSCP:
        v.u8 = OFPA_CAST(ofpa_dscp, a)->dscp >> 2;
        return ofpa_set_field_encode(MFF_IP_DSCP_SHIFTED, &v, out);
    case OFPA_SET_L4_SRC_PORT: case OFPA_SET_L4_DST_PORT: {
        const struct ofpa_l4_port *l4 = OFPA_CAST(ofpa_l4_port, a);
        bool src = a->type == OFPA_SET_L4_SRC_PORT;
        enum mf_field_id id;
        switch (l4->flow_ip_proto) {
        case IPPROTO_TCP: id = src ? MFF_TCP_SRC : MFF_TCP_DST; break;
        case IPPROTO_UDP: id = src ? MFF_UDP_SRC : MFF_UDP_DST; break;
        case IPPROTO_SCTP: id = src ? MFF_SCTP_SRC : MFF_SCTP_DST; break;
        default: return OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
        v.be16 = htons(l4->port);
        return ofpa_set_field_encode(id, &v, out);
    }
    case OFPA_METER: case OFPA_CLEAR_ACTIONS: case OFPA_WRITE_ACTIONS:
    case OFPA_WRITE_METADATA: case OFPA_GOTO_TABLE:
        return OFPERR_OFPBIC_UNSUP_INST;
    case OFPA_N_TYPES:
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

static enum ofperr
encode_actions__(const void *ofpacts, size_t size, int version,
                 struct ofpa_buf *out)
{
    const struct ofpa *a;

    if (version != OFPA_OF10 && version != OFPA_OF13) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    OFPA_FOR_EACH (a, ofpacts, size) {
        enum ofperr error = (version == OFPA_OF10
                             ? encode_of10_action(a, out)
                             : encode_of13_action(a, out));
        if (error) {
            return error;
        }
    }
    return 0;
}

enum ofperr
ofpacts_encode_actions(const void *ofpacts, size_t size, int version,
                       struct ofpa_buf *out)
{
    size_t orig = out->size;
    enum ofperr error = encode_actions__(ofpacts, size, version, out);
    if (error) {
        out->size = orig;
    }
    return error;
}

/* Writes the instruction header at OFS, now that its length is known. */
static enum ofperr
close_instruction(struct ofpa_buf *out, size_t ofs, uint16_t type)
{
    size_t len = out->size - ofs;
    if (len > UINT16_MAX) {
        return OFPERR_OFPBIC_BAD_LEN;
    }
    uint8_t *p = (uint8_t *) out->data + ofs;
    store_be16(p, type);
    store_be16(p + 2, len);
    return 0;
}

static enum ofperr
encode_instructions__(const void *ofpacts, size_t size,
                      struct ofpa_buf *out)
{
    const struct ofpa *a = ofpacts;
    const struct ofpa *end = ofpa_end(ofpacts, size);
    enum ofperr error;
    uint8_t *p;

    error = ofpacts_verify(ofpacts, size);
    if (error) {
        return error;
    }
    while (a < end) {
        if (!ofpa_is_instruction(a->type)) {
            size_t ofs = out->size;
            ofpa_buf_put_zeros(out, 8);
            for (; a < end && !ofpa_is_instruction(a->type);
                 a = ofpa_next(a)) {
                error = encode_of13_action(a, out);
                if (error) {
                    return error;
                }
            }
            error = close_instruction(out, ofs, OFPIT13_APPLY_ACTIONS);
            if (error) {
                return error;
            }
            continue;
        }

        switch ((enum ofpa_type) a->type) {
        case OFPA_METER:
            put_wire_u32(out, OFPIT13_METER,
                         OFPA_CAST(ofpa_meter, a)->meter_id);
            break;
        case OFPA_CLEAR_ACTIONS:
            put_wire_u32(out, OFPIT13_CLEAR_ACTIONS, 0);
            break;
        case OFPA_WRITE_ACTIONS: {
            const struct ofpa_nest *n = OFPA_CAST(ofpa_nest, a);
            size_t ofs = out->size;
            ofpa_buf_put_zeros(out, 8);
            error = encode_actions__(ofpa_nest_actions(n),
                                     ofpa_nest_size(n), OFPA_OF13, out);
            if (!error) {
                error = close_instruction(out, ofs, OFPIT13_WRITE_ACTIONS);
            }
            if (error) {
                return error;
            }
            break;
        }
        case OFPA_WRITE_METADATA: {
            const struct ofpa_metadata *m = OFPA_CAST(ofpa_metadata, a);
            put_wire_action(out, OFPIT13_WRITE_METADATA, 24, &p);
            memcpy(p + 8, &m->metadata, 8);
            memcpy(p + 16, &m->mask, 8);
            break;
        }
        case OFPA_GOTO_TABLE:
            put_wire_u8(out, OFPIT13_GOTO_TABLE,
                        OFPA_CAST(ofpa_goto_table, a)->table_id);
            break;
        default:
            return OFPERR_OFPBIC_UNSUP_INST;
        }
        a = ofpa_next(a);
    }
    return 0;
}

enum ofperr
ofpacts_encode_instructions(const void *ofpacts, size_t size, int version,
                            struct ofpa_buf *out)
{
    size_t orig = out->size;
    enum ofperr error = (version == OFPA_OF13
                         ? encode_instructions__(ofpacts, size, out)
                         : OFPERR_OFPBRC_BAD_VERSION);
    if (error) {
        out->size = orig;
    }
    return error;
}

/* Checking against a match. */

/* True if M meets the prerequisites of field ID (a stand-in for "is IP",
 * "is MPLS", "has a VLAN header", ...). */
static bool
prereq(const struct match *m, enum mf_field_id id)
{
    return mf_are_match_prereqs_ok(mf_from_id(id), m);
}

static void
match_set_field_exact(struct match *m, enum mf_field_id id,
                      const void *value)
{
    union mf_value v;
    memset(&v, 0, sizeof v);
    memcpy(v.bytes, value, mf_from_id(id)->n_bytes);
    mf_set(mf_from_id(id), &v, NULL, m);
}

static void
match_set_vlan_present(struct match *m)
{
    plx_be16 present = htons(VLAN_CFI);
    union mf_value v, mask;

    memset(&v, 0, sizeof v);
    memset(&mask, 0, sizeof mask);
    v.be16 = mask.be16 = present;
    mf_set(mf_from_id(MFF_VLAN_VID), &v, &mask, m);
}

static enum ofperr
check__(struct ofpa *ofpacts, size_t size, struct match *m,
        uint32_t max_ports, uint8_t table_id, uint8_t n_tables,
        int version)
{
    bool tolerant = version == OFPA_OF10;
    struct ofpa *a;
    enum ofperr inconsistent = OFPERR_OFPBAC_MATCH_INCONSISTENT;

    for (a = ofpacts; (uint8_t *) a < (uint8_t *) ofpacts + size;
         a = (struct ofpa *) ((uint8_t *) a + OFPA_ALIGN(a->len))) {
        switch ((enum ofpa_type) a->type) {
        case OFPA_OUTPUT:
            if (!output_port_ok(OFPA_CAST(ofpa_output, a)->port,
                                max_ports)) {
                return OFPERR_OFPBAC_BAD_OUT_PORT;
            }
            break;
        case OFPA_ENQUEUE: {
            uint32_t port = OFPA_CAST(ofpa_enqueue, a)->port;
            if (port >= max_ports && port != MF_OFPP_IN_PORT
                && port != MF_OFPP_LOCAL) {
                return OFPERR_OFPBAC_BAD_OUT_PORT;
            }
            break;
        }
        case OFPA_CT: case OFPA_CT_CLEAR: case OFPA_NAT: {
            enum ofperr error = ofpa_ct_check(a, m);
            if (error) {
                return error;
            }
            break;
        }
        case OFPA_GROUP: case OFPA_SET_QUEUE: case OFPA_SAMPLE:
        case OFPA_COPY_TTL_OUT: case OFPA_COPY_TTL_IN:
        case OFPA_SET_ETH_SRC: case OFPA_SET_ETH_DST:
        case OFPA_CLEAR_ACTIONS: case OFPA_WRITE_METADATA:
            break;
        case OFPA_PUSH_VLAN:
            match_set_vlan_present(m);
            break;
        case OFPA_POP_VLAN: case OFPA_STRIP_VLAN:
            if (!prereq(m, MFF_VLAN_PCP) && !tolerant) {
                return inconsistent;
            }
            mf_set_wild(mf_from_id(MFF_VLAN_TCI), m);
            break;
        case OFPA_PUSH_MPLS:
            match_set_field_exact(m, MFF_ETH_TYPE,
                                  &OFPA_CAST(ofpa_ethertype, a)->ethertype);
            break;
        case OFPA_POP_MPLS:
            if (!prereq(m, MFF_MPLS_TTL)) {
                return inconsistent;
            }
            match_set_field_exact(m, MFF_ETH_TYPE,
                                  &OFPA_CAST(ofpa_ethertype, a)->ethertype);
            break;
        case OFPA_SET_MPLS_TTL: case OFPA_DEC_MPLS_TTL:
            if (!prereq(m, MFF_MPLS_TTL)) {
                return inconsistent;
            }
            break;
        case OFPA_SET_NW_TTL: case OFPA_DEC_NW_TTL:
            if (!prereq(m, MFF_IP_TTL) && !tolerant) {
                return inconsistent;
            }
            break;
        case OFPA_SET_FIELD: {
            const struct ofpa_set_field *sf = OFPA_CAST(ofpa_set_field, a);
            if (sf->field >= MFF_N_IDS
                || !mf_are_match_prereqs_ok(mf_from_id(sf->field), m)) {
                return inconsistent;
            }
            switch ((enum mf_field_id) sf->field) {
            case MFF_VLAN_TCI: case MFF_DL_VLAN: case MFF_VLAN_VID:
            case MFF_DL_VLAN_PCP: case MFF_VLAN_PCP:
                /* Setting a VLAN field needs a VLAN header. */
                if (!prereq(m, MFF_VLAN_PCP)) {
                    return inconsistent;
                }
                break;
            default:
                break;
            }
            break;
        }
        case OFPA_SET_VLAN_VID: case OFPA_SET_VLAN_PCP: {
            bool has_vlan = prereq(m, MFF_VLAN_PCP);
            if (a->type == OFPA_SET_VLAN_VID) {
                ((struct ofpa_vlan_vid *) a)->flow_has_vlan = has_vlan;
            } else {
                ((struct ofpa_vlan_pcp *) a)->flow_has_vlan = has_vlan;
            }
            match_set_vlan_present(m);
            break;
        }
        case OFPA_SET_IPV4_SRC: case OFPA_SET_IPV4_DST:
            if (!prereq(m, MFF_IPV4_SRC) && !tolerant) {
                return inconsistent;
            }
            break;
        case OFPA_SET_IP_DSCP:
            if (!prereq(m, MFF_IP_TTL) && !tolerant) {
                return inconsistent;
            }
            break;
        case OFPA_SET_L4_SRC_PORT: case OFPA_SET_L4_DST_PORT: {
            struct ofpa_l4_port *l4 = (struct ofpa_l4_port *) a;
            bool ok = (prereq(m, MFF_TP_SRC)
                       && !(m->flow.nw_frag & FLOW_NW_FRAG_LATER));
            l4->flow_ip_proto = ok ? m->flow.nw_proto : 0;
            if (!ok && !tolerant) {
                return inconsistent;
            }
            break;
        }
        case OFPA_METER: {
            uint32_t id = OFPA_CAST(ofpa_meter, a)->meter_id;
            if (!id || id > OFPM13_MAX) {
                return OFPERR_OFPMMFC_INVALID_METER;
            }
            break;
        }
        case OFPA_WRITE_ACTIONS: {
            struct match copy = *m;
            enum ofperr error = check__((struct ofpa *) (a + 2),
                                        a->len - sizeof(struct ofpa_nest),
                                        &copy, max_ports, table_id,
                                        n_tables, version);
            if (error) {
                return error;
            }
            break;
        }
        case OFPA_GOTO_TABLE: {
            uint8_t t = OFPA_CAST(ofpa_goto_table, a)->table_id;
            if (t <= table_id || t >= n_tables) {
                return OFPERR_OFPBIC_BAD_TABLE_ID;
            }
            break;
        }
        case OFPA_N_TYPES:
        default:
            return OFPERR_OFPBAC_BAD_TYPE;
        }
    }
    return 0;
}

enum ofperr
ofpacts_check(void *ofpacts, size_t size, const struct match *match,
              uint32_t max_ports, uint8_t table_id, uint8_t n_tables,
              int version)
{
    struct match m = *match;
    enum ofperr error = ofpacts_verify(ofpacts, size);
    return error ? error : check__(ofpacts, size, &m, max_ports, table_id,
                                   n_tables, version);
}

/* The action set. */

/* Position of an action type in the action set's execution order, or -1
 * if it has no place there (instructions). */
static int
action_set_rank(const struct ofpa *a)
{
    switch ((enum ofpa_type) a->type) {
    case OFPA_COPY_TTL_IN: return 0;
    case OFPA_POP_VLAN: case OFPA_STRIP_VLAN: case OFPA_POP_MPLS: return 1;
    case OFPA_PUSH_MPLS: return 2;
    /* 3 would be push PBB, which Plexus does not implement. */
    case OFPA_PUSH_VLAN: return 4;
    case OFPA_COPY_TTL_OUT: return 5;
    case OFPA_DEC_MPLS_TTL: case OFPA_DEC_NW_TTL: return 6;
    case OFPA_SET_MPLS_TTL: case OFPA_SET_NW_TTL: case OFPA_SET_FIELD:
    case OFPA_SET_VLAN_VID: case OFPA_SET_VLAN_PCP: case OFPA_SET_ETH_SRC:
    case OFPA_SET_ETH_DST: case OFPA_SET_IPV4_SRC: case OFPA_SET_IPV4_DST:
    case OFPA_SET_IP_DSCP: case OFPA_SET_L4_SRC_PORT:
    case OFPA_SET_L4_DST_PORT:
        return 7;
    case OFPA_SET_QUEUE: return 8;
    case OFPA_GROUP: return 9;
    case OFPA_OUTPUT: case OFPA_ENQUEUE: return 10;
    /* Open vSwitch extensions, after output in priority (ovs-actions(7)):
     * only one of group, output, ct_clear, ct runs. */
    case OFPA_CT_CLEAR: return 11;
    case OFPA_CT: return 12;
    default: return -1;
    }
}

/* True if A and B occupy the same slot of an action set. */
static bool
same_slot(const struct ofpa *a, const struct ofpa *b)
{
    if (a->type != b->type) {
        /* OpenFlow 1.0 output and enqueue are both "the output". */
        return action_set_rank(a) == 10 && action_set_rank(b) == 10;
    }
    return (a->type != OFPA_SET_FIELD
            || (OFPA_CAST(ofpa_set_field, a)->field
                == OFPA_CAST(ofpa_set_field, b)->field));
}

void
ofpacts_action_set_order(const void *set, size_t size,
                         struct ofpa_buf *out)
{
    int final = -1;             /* The one final slot that runs. */
    const struct ofpa *a, *b;

    /* Ranks 9 and up (group, output, ct_clear, ct) are "final": only the
     * first one present runs. */
    OFPA_FOR_EACH (a, set, size) {
        int rank = action_set_rank(a);
        if (rank >= 9 && (final < 0 || rank < final)) {
            final = rank;
        }
    }
    for (int rank = 0; rank <= 12; rank++) {
        if (rank >= 9 && rank != final) {
            continue;
        }
        OFPA_FOR_EACH (a, set, size) {
            if (action_set_rank(a) != rank) {
                continue;
            }
            /* Keep only the last action of each slot. */
            bool later = false;
            for (b = ofpa_next(a); b < ofpa_end(set, size);
                 b = ofpa_next(b)) {
                if (same_slot(a, b)) {
                    later = true;
                    break;
                }
            }
            if (!later) {
                memcpy(ofpa_buf_put_zeros(out, OFPA_ALIGN(a->len)), a,
                       OFPA_ALIGN(a->len));
            }
        }
    }
}
