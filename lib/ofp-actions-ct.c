/* ofp-actions: connection tracking actions (see ofp-actions.h).
 *
 * Wire forms (Nicira vendor actions, the same in OpenFlow 1.0 and 1.3):
 *
 *     NXAST_CT (35), 24 bytes then nested actions:
 *         type, len, vendor, subtype, flags (16), zone_src (32: an NXM
 *         header, 0 for an immediate zone), zone_ofs_nbits or zone_imm
 *         (16), recirc_table (8), 3 pad, alg (16), then the nested
 *         actions in the message's OpenFlow version.
 *     NXAST_NAT (36), 16 bytes then the ranges, padded to 8:
 *         type, len, vendor, subtype, 2 pad, flags (16), range_present
 *         (16), then, for each bit of range_present in this order, ipv4
 *         min and max (4 each), ipv6 min and max (16 each), proto min and
 *         max (2 each).
 *     NXAST_CT_CLEAR (43), 16 bytes: the header and 6 pad.
 *
 * ct()'s nested actions are set_field of ct_mark/ct_label and nat.  As in
 * Open vSwitch, a set_field goes on the wire as OpenFlow 1.3's set_field
 * when it sets the whole field in 1.3, and otherwise as NXAST_REG_LOAD
 * (7), one per run of contiguous mask bits of at most 64; a set_field
 * that came as NXAST_REG_LOAD keeps that form and prints as "load:". */
#include <config.h>
#include "ofp-actions.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "match.h"
#include "meta-flow.h"
#include "packets.h"
#include "unaligned.h"
#include "util.h"

#define NX_VENDOR_ID 0x00002320

enum {
    NXAST_REG_LOAD = 7,
    NXAST_CT = 35,
    NXAST_NAT = 36,
    NXAST_CT_CLEAR = 43,
};

#define NX_CT_LEN 24
#define NX_NAT_LEN 16
#define NX_CT_CLEAR_LEN 16
#define NX_REG_LOAD_LEN 24
#define OFPAT13_SET_FIELD 25

/* NXAST_NAT flags and range_present bits. */
enum {
    NX_NAT_F_SRC = 1 << 0,
    NX_NAT_F_DST = 1 << 1,
    NX_NAT_F_PERSISTENT = 1 << 2,
    NX_NAT_F_PROTO_HASH = 1 << 3,
    NX_NAT_F_PROTO_RANDOM = 1 << 4,
    NX_NAT_F_MASK = (1 << 5) - 1,
};

enum {
    NX_NAT_RANGE_IPV4_MIN = 1 << 0,
    NX_NAT_RANGE_IPV4_MAX = 1 << 1,
    NX_NAT_RANGE_IPV6_MIN = 1 << 2,
    NX_NAT_RANGE_IPV6_MAX = 1 << 3,
    NX_NAT_RANGE_PROTO_MIN = 1 << 4,
    NX_NAT_RANGE_PROTO_MAX = 1 << 5,
};

static uint64_t
load_u64_be(const uint8_t *p)
{
    return ((uint64_t) load_be32(p) << 32) | load_be32(p + 4);
}

static void
store_u64_be(uint8_t *p, uint64_t x)
{
    store_be32(p, x >> 32);
    store_be32(p + 4, x);
}

/* Internal <-> wire NAT flags (the range bits are derived). */
static const struct {
    uint16_t ofpa, wire;
} nat_flag_map[] = {
    { OFPA_NAT_SRC, NX_NAT_F_SRC },
    { OFPA_NAT_DST, NX_NAT_F_DST },
    { OFPA_NAT_PERSISTENT, NX_NAT_F_PERSISTENT },
    { OFPA_NAT_HASH, NX_NAT_F_PROTO_HASH },
    { OFPA_NAT_RANDOM, NX_NAT_F_PROTO_RANDOM },
};

/* NXM names, as ovs-ofctl prints subfields ("NXM_NX_REG0[0..15]"). */

static const char *const nxm0_names[] = {
    "IN_PORT", "ETH_DST", "ETH_SRC", "ETH_TYPE", "VLAN_TCI", "IP_TOS",
    "IP_PROTO", "IP_SRC", "IP_DST", "TCP_SRC", "TCP_DST", "UDP_SRC",
    "UDP_DST", "ICMP_TYPE", "ICMP_CODE", "ARP_OP", "ARP_SPA", "ARP_TPA",
};

static const struct {
    uint8_t field;
    const char *name;
} nxm1_names[] = {
    { 16, "TUN_ID" }, { 17, "ARP_SHA" }, { 18, "ARP_THA" },
    { 19, "IPV6_SRC" }, { 20, "IPV6_DST" }, { 21, "ICMPV6_TYPE" },
    { 22, "ICMPV6_CODE" }, { 23, "ND_TARGET" }, { 24, "ND_SLL" },
    { 25, "ND_TLL" }, { 26, "IP_FRAG" }, { 27, "IPV6_LABEL" },
    { 28, "IP_ECN" }, { 29, "IP_TTL" }, { 30, "MPLS_TTL" },
    { 31, "TUN_IPV4_SRC" }, { 32, "TUN_IPV4_DST" }, { 33, "PKT_MARK" },
    { 34, "TCP_FLAGS" }, { 35, "DP_HASH" }, { 36, "RECIRC_ID" },
    { 104, "TUN_FLAGS" }, { 105, "CT_STATE" }, { 106, "CT_ZONE" },
    { 107, "CT_MARK" }, { 108, "CT_LABEL" }, { 109, "TUN_IPV6_SRC" },
    { 110, "TUN_IPV6_DST" }, { 119, "CT_NW_PROTO" }, { 120, "CT_NW_SRC" },
    { 121, "CT_NW_DST" }, { 122, "CT_IPV6_SRC" }, { 123, "CT_IPV6_DST" },
    { 124, "CT_TP_SRC" }, { 125, "CT_TP_DST" },
};

/* Appends MF's NXM name to DS ("NXM_NX_REG3"), or its plain name if it
 * has none. */
static void
put_nxm_name(const struct mf_field *mf, struct ds *ds)
{
    uint32_t h = mf->nxm_header;
    unsigned int field = MF_HEADER_FIELD(h);

    if (h && MF_HEADER_CLASS(h) == OXM_CLASS_NXM0
        && field < ARRAY_SIZE(nxm0_names)) {
        ds_put_format(ds, "NXM_OF_%s", nxm0_names[field]);
        return;
    } else if (h && MF_HEADER_CLASS(h) == OXM_CLASS_NXM1) {
        if (field < 16) {
            ds_put_format(ds, "NXM_NX_REG%u", field);
            return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(nxm1_names); i++) {
            if (nxm1_names[i].field == field) {
                ds_put_format(ds, "NXM_NX_%s", nxm1_names[i].name);
                return;
            }
        }
    }
    ds_put_cstr(ds, mf->name);
}

/* The field whose NXM name or plain name is NAME (LEN bytes), or NULL. */
static const struct mf_field *
field_from_name(const char *name, size_t len)
{
    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = mf_from_id(i);
        if (!mf->nxm_header) {
            continue;
        }
        struct ds ds = DS_EMPTY_INITIALIZER;
        put_nxm_name(mf, &ds);
        bool same = ds.length == len && !strncasecmp(ds.string, name, len);
        ds_destroy(&ds);
        if (same) {
            return mf;
        }
    }
    return mf_from_name_len(name, len);
}

/* The field with NXM header HEADER (the has-mask bit ignored), or NULL. */
static const struct mf_field *
field_from_nxm(uint32_t header)
{
    header &= ~(1u << 8);
    if (MF_HEADER_CLASS(header) > OXM_CLASS_NXM1) {
        return NULL;
    }
    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = mf_from_id(i);
        if (mf->nxm_header == header && mf->supported) {
            return mf;
        }
    }
    return NULL;
}

/* Width of MF in its NXM form (NXM_OF_IN_PORT is 16 bits). */
static unsigned int
nxm_width(const struct mf_field *mf)
{
    return MF_HEADER_LENGTH(mf->nxm_header) * 8;
}

static void
format_subfield(const struct mf_field *mf, unsigned int ofs,
                unsigned int n_bits, struct ds *ds)
{
    put_nxm_name(mf, ds);
    if (!ofs && n_bits == nxm_width(mf)) {
        ds_put_cstr(ds, "[]");
    } else if (n_bits == 1) {
        ds_put_format(ds, "[%u]", ofs);
    } else {
        ds_put_format(ds, "[%u..%u]", ofs, ofs + n_bits - 1);
    }
}

/* Parses "FIELD[]", "FIELD[N]" or "FIELD[A..B]" (FIELD an NXM name or a
 * field name; without brackets, the whole field). */
static char *
parse_subfield(const char *s, const struct mf_field **mfp,
               unsigned int *ofsp, unsigned int *n_bitsp)
{
    size_t name_len = strcspn(s, "[");
    const struct mf_field *mf = field_from_name(s, name_len);
    unsigned int ofs, end, width;

    if (!mf || !mf->nxm_header) {
        return xasprintf("%s: unknown field `%.*s'", s, (int) name_len, s);
    }
    width = nxm_width(mf);
    if (!s[name_len] || !strcmp(s + name_len, "[]")) {
        ofs = 0;
        end = width - 1;
    } else if (sscanf(s + name_len, "[%u..%u]", &ofs, &end) == 2
               && s[strlen(s) - 1] == ']') {
        /* ofs..end given. */
    } else if (sscanf(s + name_len, "[%u]", &ofs) == 1
               && s[strlen(s) - 1] == ']') {
        end = ofs;
    } else {
        return xasprintf("%s: syntax error in subfield", s);
    }
    if (end < ofs) {
        return xasprintf("%s: starting bit %u is after ending bit %u",
                         s, ofs, end);
    } else if (end >= width) {
        return xasprintf("%s: ending bit %u is not valid because field is "
                         "only %u bits wide", s, end, width);
    }
    *mfp = mf;
    *ofsp = ofs;
    *n_bitsp = end - ofs + 1;
    return NULL;
}

/* Bits of a wire-form value (N bytes, big-endian, bit 0 the lowest). */
static bool
get_bit(const uint8_t *v, size_t n, unsigned int bit)
{
    return (v[n - 1 - bit / 8] >> (bit % 8)) & 1;
}

static void
set_bit(uint8_t *v, size_t n, unsigned int bit)
{
    v[n - 1 - bit / 8] |= 1u << (bit % 8);
}

static bool
is_ct_field(enum mf_field_id id)
{
    return id == MFF_CT_MARK || id == MFF_CT_LABEL;
}

bool
ofpa_sets_ct_field(const struct ofpa *a)
{
    return (a->type == OFPA_SET_FIELD
            && is_ct_field(OFPA_CAST(ofpa_set_field, a)->field));
}

const struct ofpa_nat *
ofpa_conntrack_nat(const struct ofpa_conntrack *c)
{
    const struct ofpa *a;

    OFPA_FOR_EACH (a, ofpa_conntrack_actions(c),
                   ofpa_conntrack_actions_size(c)) {
        if (a->type == OFPA_NAT) {
            return OFPA_CAST(ofpa_nat, a);
        }
    }
    return NULL;
}

/* Load segments: the next run of contiguous set mask bits of SF at or
 * after bit *OFS, at most 64 long.  Returns false when there is none;
 * else stores the run in *OFS and *N_BITS and its value in *VALUE. */
static bool
next_load_segment(const struct ofpa_set_field *sf, unsigned int *ofs,
                  unsigned int *n_bits, uint64_t *value)
{
    const struct mf_field *mf = mf_from_id(sf->field);
    size_t n = mf->n_bytes;
    unsigned int bit = *ofs + *n_bits;

    while (bit < mf->n_bits && !get_bit(sf->mask.bytes, n, bit)) {
        bit++;
    }
    if (bit >= mf->n_bits) {
        return false;
    }
    *ofs = bit;
    *value = 0;
    for (*n_bits = 0; bit < mf->n_bits && *n_bits < 64
         && get_bit(sf->mask.bytes, n, bit); bit++, (*n_bits)++) {
        *value |= (uint64_t) get_bit(sf->value.bytes, n, bit) << *n_bits;
    }
    return true;
}

static bool
sf_is_whole(const struct ofpa_set_field *sf)
{
    const struct mf_field *mf = mf_from_id(sf->field);
    for (unsigned int i = 0; i < mf->n_bits; i++) {
        if (!get_bit(sf->mask.bytes, mf->n_bytes, i)) {
            return false;
        }
    }
    return true;
}

/* Decoding. */

static struct ofpa_set_field *
put_load(struct ofpa_buf *out, const struct mf_field *mf,
         unsigned int ofs, unsigned int n_bits, uint64_t value)
{
    struct ofpa_set_field *sf = ofpa_put(out, OFPA_SET_FIELD, sizeof *sf);
    sf->field = mf->id;
    sf->load = 1;
    for (unsigned int i = 0; i < n_bits; i++) {
        set_bit(sf->mask.bytes, mf->n_bytes, ofs + i);
        if (i < 64 && (value >> i) & 1) {
            set_bit(sf->value.bytes, mf->n_bytes, ofs + i);
        }
    }
    return sf;
}

/* NXAST_REG_LOAD inside ct(). */
static enum ofperr
decode_reg_load(const uint8_t *p, size_t len, struct ofpa_buf *out)
{
    const struct mf_field *mf;

    if (len != NX_REG_LOAD_LEN) {
        return OFPERR_OFPBAC_BAD_LEN;
    }

    uint16_t ofs_nbits = load_be16(p + 10);
    unsigned int ofs = ofs_nbits >> 6, n_bits = (ofs_nbits & 0x3f) + 1;
    uint64_t value = load_u64_be(p + 16);
    mf = field_from_nxm(load_be32(p + 12));
    if (!mf || MF_HEADER_HASMASK(load_be32(p + 12))
        || MF_HEADER_LENGTH(load_be32(p + 12)) != mf->n_bytes) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    if (ofs + n_bits > mf->n_bits) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (!mf->writable) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (n_bits < 64 && value >> n_bits) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    if (!is_ct_field(mf->id)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;      /* Not allowed in ct(). */
    }
    put_load(out, mf, ofs, n_bits, value);
    return 0;
}

static enum ofperr
decode_nat(const uint8_t *p, size_t len, struct ofpa_buf *out)
{
    uint16_t wire_flags = load_be16(p + 12);
    uint16_t present = load_be16(p + 14);
    const uint8_t *q = p + NX_NAT_LEN;
    size_t left = len - NX_NAT_LEN;
    struct ofpa_nat nat;

    if ((wire_flags & ~NX_NAT_F_MASK)
        || ((wire_flags & NX_NAT_F_SRC) && (wire_flags & NX_NAT_F_DST))
        || ((wire_flags & NX_NAT_F_PROTO_HASH)
            && (wire_flags & NX_NAT_F_PROTO_RANDOM))) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    memset(&nat, 0, sizeof nat);
    for (size_t i = 0; i < ARRAY_SIZE(nat_flag_map); i++) {
        if (wire_flags & nat_flag_map[i].wire) {
            nat.flags |= nat_flag_map[i].ofpa;
        }
    }

#define TAKE(DST, N)                                    \
    (left >= (N) ? (memcpy(DST, q, N), q += (N), left -= (N), true) \
                 : false)
    if (present & NX_NAT_RANGE_IPV4_MIN) {
        if (present & (NX_NAT_RANGE_IPV6_MIN | NX_NAT_RANGE_IPV6_MAX)
            || !TAKE(&nat.ipv4_min, 4) || !nat.ipv4_min) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        nat.range_af = OFPA_NAT_AF_IPV4;
        if (present & NX_NAT_RANGE_IPV4_MAX) {
            if (!TAKE(&nat.ipv4_max, 4)
                || ntohl(nat.ipv4_max) < ntohl(nat.ipv4_min)) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        }
    } else if (present & NX_NAT_RANGE_IPV4_MAX) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    } else if (present & NX_NAT_RANGE_IPV6_MIN) {
        if (!TAKE(&nat.ipv6_min, 16) || ipv6_is_zero(&nat.ipv6_min)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        nat.range_af = OFPA_NAT_AF_IPV6;
        if (present & NX_NAT_RANGE_IPV6_MAX) {
            if (!TAKE(&nat.ipv6_max, 16)
                || memcmp(&nat.ipv6_max, &nat.ipv6_min, 16) < 0) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        }
    } else if (present & NX_NAT_RANGE_IPV6_MAX) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    if (present & NX_NAT_RANGE_PROTO_MIN) {
        uint8_t b[2];
        if (nat.range_af == OFPA_NAT_AF_NONE || !TAKE(b, 2)
            || !(nat.proto_min = load_be16(b))) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        if (present & NX_NAT_RANGE_PROTO_MAX) {
            if (!TAKE(b, 2) || load_be16(b) < nat.proto_min) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
            nat.proto_max = load_be16(b);
        }
    } else if (present & NX_NAT_RANGE_PROTO_MAX) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
#undef TAKE

    if (nat.range_af != OFPA_NAT_AF_NONE) {
        nat.flags |= OFPA_NAT_RANGE_ADDR;
    }
    if (nat.proto_min) {
        nat.flags |= OFPA_NAT_RANGE_PORT;
    }
    struct ofpa_nat *dst = ofpa_put(out, OFPA_NAT, sizeof *dst);
    nat.ofpa = dst->ofpa;
    *dst = nat;
    return 0;
}

/* Decodes the nested actions of a ct() (P, SIZE bytes). */
static enum ofperr
decode_ct_actions(const uint8_t *p, size_t size, int version,
                  struct ofpa_buf *out)
{
    while (size) {
        enum ofperr error;

        if (size < 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        uint16_t type = load_be16(p);
        uint16_t len = load_be16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (type == 0xffff && len >= 16 && load_be32(p + 4) == NX_VENDOR_ID
            && (load_be16(p + 8) == NXAST_NAT
                || load_be16(p + 8) == NXAST_REG_LOAD)) {
            if (load_be16(p + 8) == NXAST_REG_LOAD) {
                error = decode_reg_load(p, len, out);
            } else {
                error = decode_nat(p, len, out);
            }
        } else if (type == OFPAT13_SET_FIELD && version == OFPA_OF13) {
            error = ofpa_set_field_decode(p, len, true, out);
        } else if (type == 0xffff && len >= 16
                   && load_be32(p + 4) == NX_VENDOR_ID
                   && (load_be16(p + 8) == NXAST_CT
                       || load_be16(p + 8) == NXAST_CT_CLEAR)) {
            error = OFPERR_OFPBAC_BAD_ARGUMENT;     /* No nesting. */
        } else {
            /* Anything else is not allowed here; report its own error
             * first, if it has one, as Open vSwitch does. */
            struct ofpa_buf tmp = OFPA_BUF_INITIALIZER;
            error = ofpacts_decode_actions(p, len, version, &tmp);
            ofpa_buf_uninit(&tmp);
            if (!error) {
                error = OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        }
        if (error) {
            return error;
        }
        p += len;
        size -= len;
    }
    return 0;
}

static enum ofperr
decode_ct(const uint8_t *p, size_t len, int version, struct ofpa_buf *out)
{
    size_t ofs = out->size;
    struct ofpa_conntrack *c;
    enum ofperr error;

    if (len < NX_CT_LEN) {
        return OFPERR_OFPBAC_BAD_LEN;
    }

    uint16_t flags = load_be16(p + 10);
    uint32_t zone_src = load_be32(p + 12);
    uint16_t zone = load_be16(p + 16);
    c = ofpa_put(out, OFPA_CT, sizeof *c);
    c->flags = flags;
    c->recirc_table = p[18];
    c->alg = load_be16(p + 22);
    c->zone_src = OFPA_CT_ZONE_IMM;
    if (zone_src) {
        const struct mf_field *mf = field_from_nxm(zone_src);
        unsigned int zofs = zone >> 6, n_bits = (zone & 0x3f) + 1;
        if (!mf || MF_HEADER_HASMASK(zone_src)
            || MF_HEADER_LENGTH(zone_src) != MF_HEADER_LENGTH(
                mf->nxm_header)) {
            return OFPERR_OFPBAC_BAD_SET_TYPE;
        }
        if (zofs + n_bits > nxm_width(mf) || n_bits != 16) {
            return OFPERR_OFPBAC_BAD_SET_LEN;
        }
        c->zone_src = mf->id;
        c->zone_ofs = zofs;
        c->zone_nbits = n_bits;
    } else {
        c->zone_imm = zone;
    }
    if ((flags & OFPA_CT_F_FORCE) && !(flags & OFPA_CT_F_COMMIT)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }

    error = decode_ct_actions(p + NX_CT_LEN, len - NX_CT_LEN, version, out);
    if (error) {
        return error;
    }
    if (out->size - ofs > UINT16_MAX) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    c = (void *) ((uint8_t *) out->data + ofs);
    c->ofpa.len = out->size - ofs;
    return ofpa_ct_verify(&c->ofpa);
}

enum ofperr
ofpacts_ct_decode(uint16_t subtype, const uint8_t *p, size_t len,
                  int version, struct ofpa_buf *out)
{
    size_t orig = out->size;
    enum ofperr error;

    switch (subtype) {
    case NXAST_CT:
        error = decode_ct(p, len, version, out);
        break;
    case NXAST_CT_CLEAR:
        error = len == NX_CT_CLEAR_LEN ? 0 : OFPERR_OFPBAC_BAD_LEN;
        if (!error) {
            ofpa_put(out, OFPA_CT_CLEAR, sizeof(struct ofpa));
        }
        break;
    case NXAST_NAT:
        /* Decoded for its own errors first, but only ct() may hold it. */
        error = len < NX_NAT_LEN ? OFPERR_OFPBAC_BAD_LEN
                                 : decode_nat(p, len, out);
        if (!error) {
            error = OFPERR_OFPBAC_BAD_SET_ARGUMENT;
        }
        break;
    default:
        error = OFPERR_OFPBAC_BAD_VENDOR_TYPE;
        break;
    }
    if (error) {
        out->size = orig;
    }
    return error;
}

/* Encoding. */

static uint8_t *
put_nx_header(struct ofpa_buf *out, uint16_t subtype, size_t len)
{
    uint8_t *p = ofpa_buf_put_zeros(out, len);
    store_be16(p, 0xffff);
    store_be16(p + 2, len);
    store_be32(p + 4, NX_VENDOR_ID);
    store_be16(p + 8, subtype);
    return p;
}

static enum ofperr
encode_set_field(const struct ofpa_set_field *sf, int version,
                 struct ofpa_buf *out)
{
    const struct mf_field *mf;

    if (sf->field >= MFF_N_IDS) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    mf = mf_from_id(sf->field);
    if (version == OFPA_OF13 && !sf->load && sf_is_whole(sf)) {
        return ofpa_set_field_encode(sf->field, &sf->value, out);
    }
    if (!mf->nxm_header) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }

    unsigned int ofs = 0, n_bits = 0;
    uint64_t value;
    while (next_load_segment(sf, &ofs, &n_bits, &value)) {
        uint8_t *p = put_nx_header(out, NXAST_REG_LOAD, NX_REG_LOAD_LEN);
        store_be16(p + 10, (ofs << 6) | (n_bits - 1));
        store_be32(p + 12, mf->nxm_header);
        store_u64_be(p + 16, value);
    }
    return 0;
}

static void
encode_nat(const struct ofpa_nat *nat, struct ofpa_buf *out)
{
    size_t ofs = out->size;
    uint16_t wire_flags = 0, present = 0;
    uint8_t *p;

    put_nx_header(out, NXAST_NAT, NX_NAT_LEN);
    for (size_t i = 0; i < ARRAY_SIZE(nat_flag_map); i++) {
        if (nat->flags & nat_flag_map[i].ofpa) {
            wire_flags |= nat_flag_map[i].wire;
        }
    }
    if (nat->range_af == OFPA_NAT_AF_IPV4) {
        if (nat->ipv4_min) {
            memcpy(ofpa_buf_put_zeros(out, 4), &nat->ipv4_min, 4);
            present |= NX_NAT_RANGE_IPV4_MIN;
        }
        if (nat->ipv4_max) {
            memcpy(ofpa_buf_put_zeros(out, 4), &nat->ipv4_max, 4);
            present |= NX_NAT_RANGE_IPV4_MAX;
        }
    } else if (nat->range_af == OFPA_NAT_AF_IPV6) {
        if (!ipv6_is_zero(&nat->ipv6_min)) {
            memcpy(ofpa_buf_put_zeros(out, 16), &nat->ipv6_min, 16);
            present |= NX_NAT_RANGE_IPV6_MIN;
        }
        if (!ipv6_is_zero(&nat->ipv6_max)) {
            memcpy(ofpa_buf_put_zeros(out, 16), &nat->ipv6_max, 16);
            present |= NX_NAT_RANGE_IPV6_MAX;
        }
    }
    if (nat->range_af != OFPA_NAT_AF_NONE) {
        if (nat->proto_min) {
            store_be16(ofpa_buf_put_zeros(out, 2), nat->proto_min);
            present |= NX_NAT_RANGE_PROTO_MIN;
        }
        if (nat->proto_max) {
            store_be16(ofpa_buf_put_zeros(out, 2), nat->proto_max);
            present |= NX_NAT_RANGE_PROTO_MAX;
        }
    }
    ofpa_buf_put_zeros(out, OFPA_ALIGN(out->size - ofs) - (out->size - ofs));
    p = (uint8_t *) out->data + ofs;
    store_be16(p + 2, out->size - ofs);
    store_be16(p + 12, wire_flags);
    store_be16(p + 14, present);
}

static enum ofperr
encode_ct(const struct ofpa_conntrack *c, int version, struct ofpa_buf *out)
{
    size_t ofs = out->size;
    const struct ofpa *a;
    uint8_t *p;

    p = put_nx_header(out, NXAST_CT, NX_CT_LEN);
    store_be16(p + 10, c->flags);
    if (c->zone_src != OFPA_CT_ZONE_IMM) {
        if (c->zone_src >= MFF_N_IDS
            || !mf_from_id(c->zone_src)->nxm_header || !c->zone_nbits) {
            return OFPERR_OFPBAC_BAD_SET_TYPE;
        }
        store_be32(p + 12, mf_from_id(c->zone_src)->nxm_header);
        store_be16(p + 16, (c->zone_ofs << 6) | (c->zone_nbits - 1));
    } else {
        store_be16(p + 16, c->zone_imm);
    }
    p[18] = c->recirc_table;
    store_be16(p + 22, c->alg);

    OFPA_FOR_EACH (a, ofpa_conntrack_actions(c),
                   ofpa_conntrack_actions_size(c)) {
        enum ofperr error = 0;
        if (a->type == OFPA_SET_FIELD) {
            error = encode_set_field(OFPA_CAST(ofpa_set_field, a), version,
                                     out);
        } else if (a->type == OFPA_NAT) {
            encode_nat(OFPA_CAST(ofpa_nat, a), out);
        } else {
            error = OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        if (error) {
            return error;
        }
    }
    if (out->size - ofs > UINT16_MAX) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    store_be16((uint8_t *) out->data + ofs + 2, out->size - ofs);
    return 0;
}

enum ofperr
ofpacts_ct_encode(const struct ofpa *a, int version, struct ofpa_buf *out)
{
    size_t orig = out->size;
    enum ofperr error = 0;

    switch ((enum ofpa_type) a->type) {
    case OFPA_CT:
        error = encode_ct(OFPA_CAST(ofpa_conntrack, a), version, out);
        break;
    case OFPA_CT_CLEAR:
        put_nx_header(out, NXAST_CT_CLEAR, NX_CT_CLEAR_LEN);
        break;
    case OFPA_NAT:
        encode_nat(OFPA_CAST(ofpa_nat, a), out);
        break;
    default:
        error = OFPERR_OFPBAC_BAD_TYPE;
        break;
    }
    if (error) {
        out->size = orig;
    }
    return error;
}

/* Verification and checks. */

enum ofperr
ofpa_ct_verify(const struct ofpa *a)
{
    if (a->type == OFPA_NAT || ofpa_sets_ct_field(a)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;  /* Outside ct(). */
    } else if (a->type != OFPA_CT) {
        return 0;
    }

    const struct ofpa_conntrack *c = OFPA_CAST(ofpa_conntrack, a);
    const struct ofpa *b;
    bool commit = c->flags & OFPA_CT_F_COMMIT;

    if ((c->flags & OFPA_CT_F_FORCE) && !commit) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    OFPA_FOR_EACH (b, ofpa_conntrack_actions(c),
                   ofpa_conntrack_actions_size(c)) {
        if (b->type == OFPA_NAT) {
            const struct ofpa_nat *n = OFPA_CAST(ofpa_nat, b);
            if (!commit && (n->flags || n->range_af)) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        } else if (!ofpa_sets_ct_field(b) || !commit) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
    }
    return 0;
}

static bool
match_is_ipv4(const struct match *m)
{
    return mf_are_match_prereqs_ok(mf_from_id(MFF_IPV4_SRC), m);
}

static bool
match_is_ipv6(const struct match *m)
{
    return mf_are_match_prereqs_ok(mf_from_id(MFF_IPV6_SRC), m);
}

static enum ofperr
check_nat(const struct ofpa_nat *n, const struct match *m)
{
    if ((!match_is_ipv4(m) && !match_is_ipv6(m))
        || (n->range_af == OFPA_NAT_AF_IPV4 && !match_is_ipv4(m))
        || (n->range_af == OFPA_NAT_AF_IPV6 && !match_is_ipv6(m))) {
        return OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    return 0;
}

enum ofperr
ofpa_ct_check(const struct ofpa *a, const struct match *m)
{
    if (a->type == OFPA_NAT) {
        return check_nat(OFPA_CAST(ofpa_nat, a), m);
    } else if (a->type != OFPA_CT) {
        return 0;
    }

    const struct ofpa_conntrack *c = OFPA_CAST(ofpa_conntrack, a);
    bool is_tcp = mf_are_match_prereqs_ok(mf_from_id(MFF_TCP_SRC), m);
    bool is_udp = mf_are_match_prereqs_ok(mf_from_id(MFF_UDP_SRC), m);
    bool inv = m->flow.ct_state & m->wc.masks.ct_state & CS_INVALID;
    const struct ofpa *b;

    if ((!match_is_ipv4(m) && !match_is_ipv6(m))
        || (inv && (c->flags & OFPA_CT_F_COMMIT))
        || (c->alg == OFPA_CT_ALG_FTP && !is_tcp)
        || (c->alg == OFPA_CT_ALG_TFTP && !is_udp)) {
        return OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    if (c->zone_src != OFPA_CT_ZONE_IMM
        && (c->zone_src >= MFF_N_IDS
            || !mf_are_match_prereqs_ok(mf_from_id(c->zone_src), m))) {
        return OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    OFPA_FOR_EACH (b, ofpa_conntrack_actions(c),
                   ofpa_conntrack_actions_size(c)) {
        enum ofperr error = 0;
        if (b->type == OFPA_NAT) {
            error = check_nat(OFPA_CAST(ofpa_nat, b), m);
        } else if (b->type == OFPA_SET_FIELD) {
            const struct ofpa_set_field *sf = OFPA_CAST(ofpa_set_field, b);
            if (sf->field >= MFF_N_IDS
                || !mf_are_match_prereqs_ok(mf_from_id(sf->field), m)) {
                error = OFPERR_OFPBAC_MATCH_INCONSISTENT;
            }
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

/* Text. */

void
ofpa_load_format(const struct ofpa_set_field *sf, struct ds *ds)
{
    const struct mf_field *mf = mf_from_id(sf->field);
    unsigned int ofs = 0, n_bits = 0;
    uint64_t value;
    bool first = true;

    while (next_load_segment(sf, &ofs, &n_bits, &value)) {
        if (!first) {
            ds_put_char(ds, ',');
        }
        first = false;
        ds_put_format(ds, "load:%#"PRIx64"->", value);
        format_subfield(mf, ofs, n_bits, ds);
    }
}

static void
format_nat(const struct ofpa_nat *n, struct ds *ds)
{
    ds_put_cstr(ds, "nat");
    if (!(n->flags & (OFPA_NAT_SRC | OFPA_NAT_DST))) {
        return;
    }
    ds_put_cstr(ds, n->flags & OFPA_NAT_SRC ? "(src" : "(dst");
    if (n->range_af != OFPA_NAT_AF_NONE) {
        ds_put_char(ds, '=');
        if (n->range_af == OFPA_NAT_AF_IPV4) {
            ds_put_format(ds, IP_FMT, IP_ARGS(n->ipv4_min));
            if (n->ipv4_max && n->ipv4_max != n->ipv4_min) {
                ds_put_format(ds, "-"IP_FMT, IP_ARGS(n->ipv4_max));
            }
        } else {
            bool brackets = n->proto_min != 0;
            ds_put_cstr(ds, brackets ? "[" : "");
            ipv6_format_addr(&n->ipv6_min, ds);
            ds_put_cstr(ds, brackets ? "]" : "");
            if (!ipv6_is_zero(&n->ipv6_max)
                && !ipv6_addr_equals(&n->ipv6_max, &n->ipv6_min)) {
                ds_put_cstr(ds, brackets ? "-[" : "-");
                ipv6_format_addr(&n->ipv6_max, ds);
                ds_put_cstr(ds, brackets ? "]" : "");
            }
        }
        if (n->proto_min) {
            ds_put_format(ds, ":%"PRIu16, n->proto_min);
            if (n->proto_max && n->proto_max != n->proto_min) {
                ds_put_format(ds, "-%"PRIu16, n->proto_max);
            }
        }
    }
    if (n->flags & OFPA_NAT_PERSISTENT) {
        ds_put_cstr(ds, ",persistent");
    }
    if (n->flags & OFPA_NAT_HASH) {
        ds_put_cstr(ds, ",hash");
    }
    if (n->flags & OFPA_NAT_RANDOM) {
        ds_put_cstr(ds, ",random");
    }
    ds_put_char(ds, ')');
}

static void
format_ct(const struct ofpa_conntrack *c, struct ds *ds)
{
    const struct ofpa *a = ofpa_conntrack_actions(c);
    size_t size = ofpa_conntrack_actions_size(c);

    ds_put_cstr(ds, "ct(");
    if (c->flags & OFPA_CT_F_COMMIT) {
        ds_put_cstr(ds, "commit,");
    }
    if (c->flags & OFPA_CT_F_FORCE) {
        ds_put_cstr(ds, "force,");
    }
    if (c->recirc_table != OFPA_CT_NO_RECIRC) {
        ds_put_format(ds, "table=%d,", c->recirc_table);
    }
    if (c->zone_src != OFPA_CT_ZONE_IMM && c->zone_src < MFF_N_IDS) {
        ds_put_cstr(ds, "zone=");
        format_subfield(mf_from_id(c->zone_src), c->zone_ofs,
                        c->zone_nbits, ds);
        ds_put_char(ds, ',');
    } else if (c->zone_imm) {
        ds_put_format(ds, "zone=%"PRIu16",", c->zone_imm);
    }
    /* A leading nat prints outside exec(), as ovs-ofctl does. */
    if (size && a->type == OFPA_NAT) {
        format_nat(OFPA_CAST(ofpa_nat, a), ds);
        ds_put_char(ds, ',');
        size -= OFPA_ALIGN(a->len);
        a = ofpa_next(a);
    }
    if (size) {
        ds_put_cstr(ds, "exec(");
        ofpacts_text_format(a, size, ds);
        ds_put_cstr(ds, "),");
    }
    if (c->alg == OFPA_CT_ALG_FTP) {
        ds_put_cstr(ds, "alg=ftp,");
    } else if (c->alg == OFPA_CT_ALG_TFTP) {
        ds_put_cstr(ds, "alg=tftp,");
    } else if (c->alg) {
        ds_put_format(ds, "alg=%d,", c->alg);
    }
    ds_chomp(ds, ',');
    ds_put_char(ds, ')');
}

void
ofpa_ct_format(const struct ofpa *a, struct ds *ds)
{
    switch ((enum ofpa_type) a->type) {
    case OFPA_CT:
        format_ct(OFPA_CAST(ofpa_conntrack, a), ds);
        break;
    case OFPA_CT_CLEAR:
        ds_put_cstr(ds, "ct_clear");
        break;
    case OFPA_NAT:
        format_nat(OFPA_CAST(ofpa_nat, a), ds);
        break;
    default:
        ds_put_format(ds, "<unknown action %d>", a->type);
        break;
    }
}

/* Splits the next "KEY[=:VALUE]" or "KEY(VALUE)" off *SP at a comma
 * outside parentheses.  Returns false at the end.  Blanks around keys and
 * values are dropped. */
static bool
next_key_value(char **sp, char **keyp, char **valuep, char **errorp)
{
    char *s = *sp;
    int depth = 0;
    char *p;

    *errorp = NULL;
    while (*s == ',' || *s == ' ' || *s == '\t') {
        s++;
    }
    if (!*s) {
        *sp = s;
        return false;
    }
    for (p = s; *p && (depth || *p != ','); p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth < 0) {
            break;
        }
    }
    if (depth) {
        *errorp = xasprintf("%s: unbalanced parentheses", s);
        return false;
    }
    *sp = *p ? p + 1 : p;
    *p = '\0';
    for (char *e = p; e > s && (e[-1] == ' ' || e[-1] == '\t'); ) {
        *--e = '\0';
    }

    size_t key_len = strcspn(s, "=:(");
    char *value = NULL;
    if (s[key_len] == '(') {
        char *close = s + strlen(s) - 1;
        if (*close != ')') {
            *errorp = xasprintf("%s: syntax error after `)'", s);
            return false;
        }
        *close = '\0';
        value = s + key_len + 1;
    } else if (s[key_len]) {
        value = s + key_len + 1;
    }
    s[key_len] = '\0';
    for (char *e = s + key_len; e > s && (e[-1] == ' ' || e[-1] == '\t'); ) {
        *--e = '\0';
    }
    while (value && (*value == ' ' || *value == '\t')) {
        value++;
    }
    *keyp = s;
    *valuep = value ? value : (char *) "";
    return true;
}

static char *
parse_port(const char *s, uint16_t *port)
{
    unsigned int x;
    if (!str_to_uint(s, 10, &x) || x > UINT16_MAX) {
        return xasprintf("%s: invalid port", s);
    }
    *port = x;
    return NULL;
}

/* Parses a nat range "ADDR[-ADDR][:PORT[-PORT]]", IPv6 addresses in
 * brackets when a port follows. */
static char *
parse_nat_range(char *s, struct ofpa_nat *n)
{
    char *orig = xstrdup(s);
    char *ports = NULL, *max = NULL, *error = NULL;

    if (*s == '[') {
        /* [v6]-[v6]:ports or [v6]:ports. */
        char *end = strchr(s, ']');
        if (!end) {
            goto bad;
        }
        *end = '\0';
        char *rest = end + 1;
        if (!strncmp(rest, "-[", 2)) {
            max = rest + 2;
            end = strchr(max, ']');
            if (!end) {
                goto bad;
            }
            *end = '\0';
            rest = end + 1;
        }
        if (*rest == ':') {
            ports = rest + 1;
        } else if (*rest) {
            goto bad;
        }
        s++;
    } else if ((*s == ':' && s[1] != ':') || strchr(s, '.')
               || !strchr(s, ':')) {
        /* IPv4, or nothing but ports (":80"). */
        ports = strchr(s, ':');
        if (ports) {
            *ports++ = '\0';
        }
        max = strchr(s, '-');
        if (max) {
            *max++ = '\0';
        }
    } else {
        /* Bare IPv6, no ports. */
        max = strchr(s, '-');
        if (max) {
            *max++ = '\0';
        }
    }

    if (*s && strchr(s, ':')) {
        if (!ipv6_parse(s, &n->ipv6_min)
            || (max && !ipv6_parse(max, &n->ipv6_max))
            || (max && memcmp(&n->ipv6_max, &n->ipv6_min, 16) < 0)) {
            goto bad;
        }
        n->range_af = ipv6_is_zero(&n->ipv6_min) ? OFPA_NAT_AF_NONE
                                                 : OFPA_NAT_AF_IPV6;
    } else if (*s) {
        if (!ip_parse(s, &n->ipv4_min) || (max && !ip_parse(max,
                                                            &n->ipv4_max))
            || (max && ntohl(n->ipv4_max) < ntohl(n->ipv4_min))) {
            goto bad;
        }
        n->range_af = n->ipv4_min ? OFPA_NAT_AF_IPV4 : OFPA_NAT_AF_NONE;
    } else if (max) {
        goto bad;
    }
    if (n->range_af == OFPA_NAT_AF_NONE) {
        /* As Open vSwitch, which does not encode a zero minimum. */
        memset(&n->ipv4_min, 0, sizeof n->ipv4_min);
        memset(&n->ipv4_max, 0, sizeof n->ipv4_max);
        memset(&n->ipv6_min, 0, sizeof n->ipv6_min);
        memset(&n->ipv6_max, 0, sizeof n->ipv6_max);
    }
    if (ports && *ports) {
        char *pmax = strchr(ports, '-');
        if (pmax) {
            *pmax++ = '\0';
        }
        error = parse_port(ports, &n->proto_min);
        if (!error && pmax) {
            error = parse_port(pmax, &n->proto_max);
        }
        if (error) {
            free(error);
            error = NULL;
            goto bad;
        }
        if (pmax && n->proto_max < n->proto_min) {
            goto bad;
        }
        if (!n->proto_min || n->range_af == OFPA_NAT_AF_NONE) {
            n->proto_min = n->proto_max = 0;
        }
    }

    /* "A-A" is "A": ovs-ofctl prints it so, and the printed text must
     * read back to the same action.  (ovs-ofctl itself keeps the equal
     * maximum and so encodes 4 or 2 more bytes for such a range.) */
    if (n->proto_max == n->proto_min) {
        n->proto_max = 0;
    }
    if (n->ipv4_max == n->ipv4_min) {
        n->ipv4_max = 0;
    }
    if (ipv6_addr_equals(&n->ipv6_max, &n->ipv6_min)) {
        memset(&n->ipv6_max, 0, sizeof n->ipv6_max);
    }
    free(orig);
    return NULL;

bad:
    error = xasprintf("invalid nat range \"%s\"", orig);
    free(orig);
    return error;
}

static char *
parse_nat(char *arg, struct ofpa_buf *out)
{
    struct ofpa_nat n;
    char *key, *value, *error;

    memset(&n, 0, sizeof n);
    while (next_key_value(&arg, &key, &value, &error)) {
        if (!strcmp(key, "src") || !strcmp(key, "dst")) {
            n.flags |= !strcmp(key, "src") ? OFPA_NAT_SRC : OFPA_NAT_DST;
            if (*value) {
                error = parse_nat_range(value, &n);
            }
        } else if (!strcmp(key, "persistent")) {
            n.flags |= OFPA_NAT_PERSISTENT;
        } else if (!strcmp(key, "hash")) {
            n.flags |= OFPA_NAT_HASH;
        } else if (!strcmp(key, "random")) {
            n.flags |= OFPA_NAT_RANDOM;
        } else {
            error = xasprintf("invalid key \"%s\" in \"nat\" argument", key);
        }
        if (error) {
            return error;
        }
    }
    if (error) {
        return error;
    }
    if ((n.flags & OFPA_NAT_SRC) && (n.flags & OFPA_NAT_DST)) {
        return xstrdup("May only specify one of \"src\" or \"dst\".");
    }
    if (!(n.flags & (OFPA_NAT_SRC | OFPA_NAT_DST)) && n.flags) {
        return xstrdup("Flags allowed only with \"src\" or \"dst\".");
    }
    if ((n.flags & OFPA_NAT_HASH) && (n.flags & OFPA_NAT_RANDOM)) {
        return xstrdup("Both \"hash\" and \"random\" are not allowed.");
    }
    if (n.range_af != OFPA_NAT_AF_NONE) {
        n.flags |= OFPA_NAT_RANGE_ADDR;
    }
    if (n.proto_min) {
        n.flags |= OFPA_NAT_RANGE_PORT;
    }
    struct ofpa_nat *dst = ofpa_put(out, OFPA_NAT, sizeof *dst);
    n.ofpa = dst->ofpa;
    *dst = n;
    return NULL;
}

/* "load:VALUE->DST[ofs..end]" in exec(). */
static char *
parse_exec_load(char *arg, struct ofpa_buf *out)
{
    char *arrow = strstr(arg, "->");
    const struct mf_field *mf;
    unsigned int ofs, n_bits;
    unsigned long long value;
    char *error;

    if (!arrow) {
        return xasprintf("%s: missing `->'", arg);
    }
    *arrow = '\0';
    error = parse_subfield(arrow + 2, &mf, &ofs, &n_bits);
    if (error) {
        return error;
    }
    if (!str_to_ullong(arg, 0, &value)) {
        return xasprintf("%s: bad load value", arg);
    } else if (n_bits < 64 && value >> n_bits) {
        return xasprintf("%s->%s: value %s does not fit into %u bits",
                         arg, arrow + 2, arg, n_bits);
    } else if (!mf->writable) {
        return xasprintf("%s is read-only", mf->name);
    } else if (!is_ct_field(mf->id)) {
        return xasprintf("ct action doesn't support nested modification "
                         "of %s", mf->name);
    } else if (ofs + n_bits > mf->n_bits) {
        return xasprintf("%s: bits beyond %s", arrow + 2, mf->name);
    }
    if (ofs < 64 && ofs + n_bits > 64) {
        /* A load across ct_label's 64-bit halves is two loads, as it is
         * printed (and encoded): keep the internal form the same. */
        unsigned int n_low = 64 - ofs;
        put_load(out, mf, ofs, n_low,
                 n_low < 64 ? value & ((1ULL << n_low) - 1) : value);
        put_load(out, mf, 64, ofs + n_bits - 64,
                 n_low < 64 ? value >> n_low : 0);
    } else {
        put_load(out, mf, ofs, n_bits, value);
    }
    return NULL;
}

/* The actions of exec(S). */
static char *
parse_exec(char *s, struct ofpa_buf *out)
{
    char *key, *value, *error;

    while (next_key_value(&s, &key, &value, &error)) {
        if (!strcasecmp(key, "set_field")) {
            error = ofpa_set_field_parse(value, true, out);
        } else if (!strcasecmp(key, "load")) {
            error = parse_exec_load(value, out);
        } else if (!strcasecmp(key, "nat")) {
            error = parse_nat(value, out);
        } else if (!strcasecmp(key, "drop")) {
            /* Nothing to add. */
        } else {
            /* Name the action as ovs-ofctl does, if it is one. */
            struct ofpa_buf tmp = OFPA_BUF_INITIALIZER;
            char *text = *value ? xasprintf("%s(%s)", key, value)
                                : xstrdup(key);
            error = ofpacts_text_parse(text, &tmp);
            if (!error && tmp.size) {
                const struct ofpa *a = tmp.data;
                error = xasprintf("ct action doesn't support nested action "
                                  "%s", (a->type == OFPA_CT ? "ct"
                                         : ofpa_type_name(a->type)));
            } else if (!error) {
                error = xasprintf("ct action doesn't support nested action "
                                  "%s", key);
            }
            ofpa_buf_uninit(&tmp);
            free(text);
        }
        if (error) {
            return error;
        }
    }
    return error;
}

static char *
parse_ct_args(char *arg, struct ofpa_buf *out, size_t ofs)
{
    char *key, *value, *error;

    while (next_key_value(&arg, &key, &value, &error)) {
        struct ofpa_conntrack *c = (void *) ((uint8_t *) out->data + ofs);
        unsigned int x;

        if (!strcmp(key, "commit")) {
            c->flags |= OFPA_CT_F_COMMIT;
        } else if (!strcmp(key, "force")) {
            c->flags |= OFPA_CT_F_FORCE;
        } else if (!strcmp(key, "table")) {
            if (!str_to_uint(value, 0, &x) || x > UINT8_MAX) {
                error = xasprintf("unknown table %s", value);
            } else if (x == OFPA_CT_NO_RECIRC) {
                error = xasprintf("invalid table %#x", x);
            } else {
                c->recirc_table = x;
            }
        } else if (!strcmp(key, "zone")) {
            const struct mf_field *mf;
            unsigned int zofs, n_bits;
            if (str_to_uint(value, 0, &x) && x <= UINT16_MAX) {
                c->zone_src = OFPA_CT_ZONE_IMM;
                c->zone_imm = x;
            } else if (!(error = parse_subfield(value, &mf, &zofs,
                                                &n_bits))) {
                if (n_bits != 16) {
                    error = xasprintf("zone n_bits %u not within valid "
                                      "range [16..16]", n_bits);
                } else {
                    c->zone_src = mf->id;
                    c->zone_ofs = zofs;
                    c->zone_nbits = n_bits;
                    c->zone_imm = 0;
                }
            }
        } else if (!strcmp(key, "alg")) {
            if (!strcmp(value, "ftp")) {
                c->alg = OFPA_CT_ALG_FTP;
            } else if (!strcmp(value, "tftp")) {
                c->alg = OFPA_CT_ALG_TFTP;
            } else {
                error = xasprintf("invalid conntrack helper \"%s\"", value);
            }
        } else if (!strcmp(key, "nat")) {
            error = parse_nat(value, out);
        } else if (!strcmp(key, "exec")) {
            error = parse_exec(value, out);
        } else {
            error = xasprintf("invalid argument to \"ct\" action: `%s'",
                              key);
        }
        if (error) {
            return error;
        }
    }
    return error;
}

char *
ofpa_ct_parse(char *arg, struct ofpa_buf *out)
{
    size_t ofs = out->size;
    struct ofpa_conntrack *c = ofpa_put(out, OFPA_CT, sizeof *c);
    char *error;

    c->zone_src = OFPA_CT_ZONE_IMM;
    c->recirc_table = OFPA_CT_NO_RECIRC;
    error = parse_ct_args(arg ? arg : (char *) "", out, ofs);
    if (!error && out->size - ofs > UINT16_MAX) {
        error = xstrdup("ct: too many nested actions");
    }
    if (!error) {
        c = (void *) ((uint8_t *) out->data + ofs);
        c->ofpa.len = out->size - ofs;
        if ((c->flags & OFPA_CT_F_FORCE) && !(c->flags & OFPA_CT_F_COMMIT)) {
            error = xstrdup("\"force\" flag requires \"commit\" flag.");
        } else if (ofpa_ct_verify(&c->ofpa)) {
            error = xstrdup("CT action requires commit flag if actions "
                            "other than NAT without arguments are "
                            "specified.");
        }
    }
    if (error) {
        out->size = ofs;
    }
    return error;
}
