/* ofp-match: see ofp-match.h. */
#include <config.h>
#include "ofp-match.h"

#include <arpa/inet.h>
#include <string.h>
#include "packets.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Small helpers. */

static uint16_t
get_be16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static void
put_be16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static void
put_be32(uint8_t *p, uint32_t x)
{
    p[0] = x >> 24;
    p[1] = x >> 16;
    p[2] = x >> 8;
    p[3] = x;
}

/* ------------------------------------------------------------------ */
/* Ports. */

uint32_t
ofp_match_port_from_ofp10(uint16_t port)
{
    return port < 0xff00 ? port : port + 0xffff0000u;
}

bool
ofp_match_port_to_ofp10(uint32_t port, uint16_t *port10)
{
    if (port < 0xff00) {
        *port10 = port;
        return true;
    } else if (port >= MF_OFPP_MAX) {
        *port10 = port - 0xffff0000u;
        return true;
    }
    *port10 = 0xffff;
    return false;
}

/* ------------------------------------------------------------------ */
/* OpenFlow 1.0. */

BUILD_ASSERT_DECL(sizeof(struct ofp10_match) == OFP10_MATCH_LEN);

static plx_be32
wcbits_to_netmask(uint32_t wcbits)
{
    wcbits &= 0x3f;
    return wcbits < 32 ? htonl(~((1u << wcbits) - 1)) : 0;
}

/* The number of wildcarded low bits for NETMASK: 32 minus its leading
 * one-bits (a non-CIDR mask loses its other bits). */
static uint32_t
netmask_to_wcbits(plx_be32 netmask)
{
    uint32_t m = ntohl(netmask);
    uint32_t ones = 0;
    while (ones < 32 && (m & (0x80000000u >> ones))) {
        ones++;
    }
    return 32 - ones;
}

/* Drops fields whose prerequisites MATCH does not meet, as Open vSwitch's
 * ofputil_normalize_match() does for OpenFlow 1.0. */
static void
ofp10_normalize(struct match *match)
{
    struct flow *f = &match->flow;
    struct flow_wildcards *wc = &match->wc;
    bool may_nw_addr = false, may_tp = false, may_nw_proto = false;
    bool may_ipvx = false;
    uint16_t dl_type = ntohs(f->dl_type);

    if (dl_type == ETH_TYPE_IP) {
        may_nw_proto = may_ipvx = may_nw_addr = true;
        may_tp = (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                  || f->nw_proto == IPPROTO_SCTP
                  || f->nw_proto == IPPROTO_ICMP);
    } else if (dl_type == ETH_TYPE_IPV6) {
        may_nw_proto = may_ipvx = true;
        may_tp = (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                  || f->nw_proto == IPPROTO_SCTP
                  || f->nw_proto == IPPROTO_ICMPV6);
    } else if (dl_type == ETH_TYPE_ARP || dl_type == ETH_TYPE_RARP) {
        may_nw_proto = may_nw_addr = true;
    }
    if (!may_nw_addr) {
        wc->masks.nw_src = wc->masks.nw_dst = 0;
    }
    if (!may_tp) {
        wc->masks.tp_src = wc->masks.tp_dst = 0;
    }
    if (!may_nw_proto) {
        wc->masks.nw_proto = 0;
    }
    if (!may_ipvx) {
        wc->masks.nw_tos = 0;
    }
    /* ICMP type and code are 8-bit fields in the low byte of tp_src and
     * tp_dst (lib/meta-flow.h); the high byte of OF1.0's 16-bit
     * fields means nothing for them. */
    if ((dl_type == ETH_TYPE_IP && f->nw_proto == IPPROTO_ICMP)
        || (dl_type == ETH_TYPE_IPV6 && f->nw_proto == IPPROTO_ICMPV6)) {
        wc->masks.tp_src &= htons(0xff);
        wc->masks.tp_dst &= htons(0xff);
    }
    match_normalize(match);
}

enum ofperr
ofp10_match_decode(const void *data, size_t len, struct match *match)
{
    struct ofp10_match om;

    if (len < OFP10_MATCH_LEN) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    memcpy(&om, data, sizeof om);

    uint32_t ofpfw = ntohl(om.wildcards) & OFPFW10_ALL;
    struct flow *f = &match->flow;
    struct flow *m = &match->wc.masks;

    match_init_catchall(match);
    if (!(ofpfw & OFPFW10_IN_PORT)) {
        m->in_port = UINT32_MAX;
    }
    if (!(ofpfw & OFPFW10_NW_TOS)) {
        m->nw_tos = IP_DSCP_MASK;
    }
    if (!(ofpfw & OFPFW10_NW_PROTO)) {
        m->nw_proto = UINT8_MAX;
    }
    m->nw_src = wcbits_to_netmask(ofpfw >> OFPFW10_NW_SRC_SHIFT);
    m->nw_dst = wcbits_to_netmask(ofpfw >> OFPFW10_NW_DST_SHIFT);
    if (!(ofpfw & OFPFW10_TP_SRC)) {
        m->tp_src = UINT16_MAX;
    }
    if (!(ofpfw & OFPFW10_TP_DST)) {
        m->tp_dst = UINT16_MAX;
    }
    if (!(ofpfw & OFPFW10_DL_SRC)) {
        memset(&m->dl_src, 0xff, sizeof m->dl_src);
    }
    if (!(ofpfw & OFPFW10_DL_DST)) {
        memset(&m->dl_dst, 0xff, sizeof m->dl_dst);
    }
    if (!(ofpfw & OFPFW10_DL_TYPE)) {
        m->dl_type = UINT16_MAX;
    }
    uint16_t tci_mask = 0;
    if (!(ofpfw & OFPFW10_DL_VLAN_PCP)) {
        tci_mask |= VLAN_PCP_MASK | VLAN_CFI;
    }
    if (!(ofpfw & OFPFW10_DL_VLAN)) {
        tci_mask |= VLAN_VID_MASK | VLAN_CFI;
    }

    f->in_port = ofp_match_port_from_ofp10(ntohs(om.in_port));
    memcpy(&f->dl_src, om.dl_src, 6);
    memcpy(&f->dl_dst, om.dl_dst, 6);
    f->dl_type = om.dl_type;      /* As is, even < 0x600 (as OVS 3.1). */
    f->nw_tos = om.nw_tos & IP_DSCP_MASK;
    f->nw_proto = om.nw_proto;
    f->nw_src = om.nw_src;
    f->nw_dst = om.nw_dst;
    f->tp_src = om.tp_src;
    f->tp_dst = om.tp_dst;

    if (!(ofpfw & OFPFW10_DL_VLAN) && ntohs(om.dl_vlan) == OFP10_VLAN_NONE) {
        /* Untagged packets only (even if a PCP is also given, as Open
         * vSwitch has always read it). */
        f->vlans[0].tci = 0;
        m->vlans[0].tci = htons(0xffff);
    } else {
        uint16_t tci = ((ntohs(om.dl_vlan) & VLAN_VID_MASK)
                        | ((om.dl_vlan_pcp << VLAN_PCP_SHIFT) & VLAN_PCP_MASK)
                        | VLAN_CFI);
        m->vlans[0].tci = htons(tci_mask);
        f->vlans[0].tci = htons(tci & tci_mask);
    }

    match_normalize(match);
    ofp10_normalize(match);
    return 0;
}

void
ofp10_match_encode(const struct match *match, struct ofp10_match *om)
{
    const struct flow *f = &match->flow;
    const struct flow *m = &match->wc.masks;
    static const uint8_t zero_mac[6];
    uint32_t ofpfw = 0;
    uint16_t port10;

    memset(om, 0, sizeof *om);
    if (!m->in_port) {
        ofpfw |= OFPFW10_IN_PORT;
    }
    if (!m->dl_type) {
        ofpfw |= OFPFW10_DL_TYPE;
    }
    if (!m->nw_proto) {
        ofpfw |= OFPFW10_NW_PROTO;
    }
    ofpfw |= netmask_to_wcbits(m->nw_src) << OFPFW10_NW_SRC_SHIFT;
    ofpfw |= netmask_to_wcbits(m->nw_dst) << OFPFW10_NW_DST_SHIFT;
    if (!(m->nw_tos & IP_DSCP_MASK)) {
        ofpfw |= OFPFW10_NW_TOS;
    }
    if (!m->tp_src) {
        ofpfw |= OFPFW10_TP_SRC;
    }
    if (!m->tp_dst) {
        ofpfw |= OFPFW10_TP_DST;
    }
    if (!memcmp(&m->dl_src, zero_mac, 6)) {
        ofpfw |= OFPFW10_DL_SRC;
    }
    if (!memcmp(&m->dl_dst, zero_mac, 6)) {
        ofpfw |= OFPFW10_DL_DST;
    }

    uint16_t tci = ntohs(f->vlans[0].tci);
    uint16_t tci_mask = ntohs(m->vlans[0].tci);
    if (!tci_mask) {
        ofpfw |= OFPFW10_DL_VLAN | OFPFW10_DL_VLAN_PCP;
    } else if (tci_mask & VLAN_CFI && !(tci & VLAN_CFI)) {
        om->dl_vlan = htons(OFP10_VLAN_NONE);
    } else {
        if (!(tci_mask & VLAN_VID_MASK)) {
            ofpfw |= OFPFW10_DL_VLAN;
        } else {
            om->dl_vlan = htons(tci & VLAN_VID_MASK);
        }
        if (!(tci_mask & VLAN_PCP_MASK)) {
            ofpfw |= OFPFW10_DL_VLAN_PCP;
        } else {
            om->dl_vlan_pcp = (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT;
        }
    }

    om->wildcards = htonl(ofpfw);
    ofp_match_port_to_ofp10(f->in_port, &port10);
    om->in_port = htons(port10);
    memcpy(om->dl_src, &f->dl_src, 6);
    memcpy(om->dl_dst, &f->dl_dst, 6);
    om->dl_type = f->dl_type;
    om->nw_tos = f->nw_tos & IP_DSCP_MASK;
    om->nw_proto = f->nw_proto;
    om->nw_src = f->nw_src;
    om->nw_dst = f->nw_dst;
    om->tp_src = f->tp_src;
    om->tp_dst = f->tp_dst;
}

bool
ofp10_match_is_exact(const struct match *match)
{
    struct ofp10_match om;
    struct match back;

    ofp10_match_encode(match, &om);
    return (!ofp10_match_decode(&om, sizeof om, &back)
            && match_equal(&back, match));
}

/* ------------------------------------------------------------------ */
/* OXM TLVs. */

#define OXM_CLASS_EXPERIMENTER 0xffff
#define ONF_TCP_FLAGS_FIELD 42      /* ONFOXM_ET_TCP_FLAGS. */

/* The NXM_OF_IN_PORT header: a 16-bit OpenFlow 1.0 port. */
#define NXM_OF_IN_PORT MF_HEADER(OXM_CLASS_NXM0, 0, 2)

uint32_t
ofp_oxm_header(const struct mf_field *mf)
{
    if (mf->id == MFF_TCP_FLAGS) {
        return 0;
    }
    return mf->oxm_header ? mf->oxm_header : mf->nxm_header;
}

enum ofperr
ofp_oxm_decode_field(const void *data_, size_t len,
                     const struct mf_field **fieldp,
                     union mf_value *value, union mf_value *mask,
                     size_t *consumed)
{
    const uint8_t *data = data_;
    const struct mf_field *mf = NULL;
    bool in_port16 = false;
    size_t header_len, payload_len;
    uint32_t header;

    *fieldp = NULL;
    *consumed = 0;
    if (len < 4) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    header = get_be32(data);
    bool hasmask = MF_HEADER_HASMASK(header);
    unsigned int length = MF_HEADER_LENGTH(header);

    if (MF_HEADER_CLASS(header) == OXM_CLASS_EXPERIMENTER) {
        if (len < 8 || length < 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        header_len = 8;
        payload_len = length - 4;
        if (get_be32(data + 4) == OFPERR_ONF_VENDOR_ID
            && MF_HEADER_FIELD(header) == ONF_TCP_FLAGS_FIELD) {
            mf = mf_from_id(MFF_TCP_FLAGS);
        }
    } else {
        header_len = 4;
        payload_len = length;
        if ((header & ~0x1ffu) == (NXM_OF_IN_PORT & ~0x1ffu)) {
            mf = mf_from_id(MFF_IN_PORT);
            in_port16 = true;
        } else {
            mf = mf_from_oxm_header(header);
        }
    }

    /* As Open vSwitch, a field is known only with its exact length. */
    size_t width = hasmask ? payload_len / 2 : payload_len;
    if (mf && (!mf->supported || width != (in_port16 ? 2 : mf->n_bytes))) {
        mf = NULL;
    }

    if (len - header_len < payload_len) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    const uint8_t *payload = data + header_len;
    *consumed = header_len + payload_len;

    if (hasmask) {
        for (size_t i = 0; i < width; i++) {
            if (payload[i] & ~payload[width + i]) {
                return OFPERR_OFPBMC_BAD_WILDCARDS;
            }
        }
    }
    if (!mf) {
        return OFPERR_OFPBMC_BAD_FIELD;
    }
    if (hasmask && !mask) {
        return OFPERR_OFPBMC_BAD_MASK;
    }

    memset(value, 0, sizeof *value);
    if (mask) {
        memset(mask, 0, sizeof *mask);
    }
    if (in_port16) {
        uint16_t mask16 = hasmask ? get_be16(payload + 2) : 0xffff;
        put_be32(value->bytes,
                 ofp_match_port_from_ofp10(get_be16(payload)));
        if (mask) {
            /* All-ones and all-zeros masks keep their meaning; any other
             * stays partial, so that it is refused as it would be in 16
             * bits. */
            put_be32(mask->bytes, (mask16 == 0xffff ? UINT32_MAX
                                   : mask16 ? 1 : 0));
            if (!mask16) {
                memset(value, 0, sizeof *value);
            }
        }
    } else {
        memcpy(value->bytes, payload, width);
        if (mask) {
            if (hasmask) {
                memcpy(mask->bytes, payload + width, width);
            } else {
                memset(mask->bytes, 0xff, width);
            }
        }
    }
    *fieldp = mf;
    return 0;
}

/* An output buffer that counts what does not fit. */
struct oxm_out {
    uint8_t *buf;
    size_t size;
    size_t len;
};

static void
out_put(struct oxm_out *out, const void *p, size_t n)
{
    if (out->len <= out->size && n <= out->size - out->len) {
        memcpy(out->buf + out->len, p, n);
    }
    out->len += n;
}

static void
out_put_zeros(struct oxm_out *out, size_t n)
{
    static const uint8_t zeros[8];
    while (n) {
        size_t chunk = MIN(n, sizeof zeros);
        out_put(out, zeros, chunk);
        n -= chunk;
    }
}

static void
put_tlv(struct oxm_out *out, const struct mf_field *mf,
        const union mf_value *value, const union mf_value *mask)
{
    uint8_t h[8];
    size_t n = mf->n_bytes;
    size_t payload = mask ? 2 * n : n;

    if (mf->id == MFF_TCP_FLAGS) {
        put_be32(h, MF_HEADER(OXM_CLASS_EXPERIMENTER, ONF_TCP_FLAGS_FIELD,
                              payload + 4) | (mask ? 0x100 : 0));
        put_be32(h + 4, OFPERR_ONF_VENDOR_ID);
        out_put(out, h, 8);
    } else {
        uint32_t header = ofp_oxm_header(mf);
        put_be32(h, (header & ~0x1ffu) | (mask ? 0x100 : 0) | payload);
        out_put(out, h, 4);
    }
    out_put(out, value->bytes, n);
    if (mask) {
        out_put(out, mask->bytes, n);
    }
}

size_t
ofp_oxm_encode_field(const struct mf_field *mf, const union mf_value *value,
                     const union mf_value *mask, void *buf, size_t size)
{
    struct oxm_out out = { buf, size, 0 };

    if (!ofp_oxm_header(mf) && mf->id != MFF_TCP_FLAGS) {
        return 0;
    }
    put_tlv(&out, mf, value, mask);
    return out.len;
}

/* ------------------------------------------------------------------ */
/* OpenFlow 1.3 match decoding. */

static bool
oxm_mask_ok(const struct mf_field *mf, const union mf_value *mask)
{
    /* As Open vSwitch: any mask on a maskable field (bits beyond the
     * field are ignored), only all-or-nothing on the others. */
    return (mf->maskable == MFM_FULLY
            || is_all_zeros(mask->bytes, mf->n_bytes)
            || is_all_ones(mask->bytes, mf->n_bytes));
}

/* A match that requires no VLAN header (CFI matched 0, which only NXM
 * vlan_tci can combine with a PCP mask) needs no PCP mask: absent TCI
 * bits are all 0.  Dropping it makes every decoded match encodable. */
static void
vlan_canonicalize(struct match *match)
{
    uint16_t mask = ntohs(match->wc.masks.vlans[0].tci);

    uint16_t tci = ntohs(match->flow.vlans[0].tci);

    if (mask & VLAN_CFI && !(tci & (VLAN_CFI | VLAN_PCP_MASK))) {
        match->wc.masks.vlans[0].tci = htons(mask & ~VLAN_PCP_MASK);
        match_normalize(match);
    }
}

/* "Not a fragment" is canonically nw_frag=0/ANY (lib/meta-flow.h's
 * "nw_frag=no"); Open vSwitch sends it as 0/0xff. */
static void
frag_canonicalize(struct match *match)
{
    if ((match->wc.masks.nw_frag & FLOW_NW_FRAG_MASK) == FLOW_NW_FRAG_MASK
        && !(match->flow.nw_frag & FLOW_NW_FRAG_MASK)) {
        match->wc.masks.nw_frag &= ~FLOW_NW_FRAG_LATER;
    }
}

enum ofperr
ofp13_match_decode(const void *data_, size_t len, bool loose,
                   struct match *match, size_t *padded_len)
{
    const uint8_t *data = data_;

    match_init_catchall(match);
    if (len < OFP13_MATCH_HEADER_LEN) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    uint16_t type = get_be16(data);
    uint16_t match_len = get_be16(data + 2);
    if (match_len < OFP13_MATCH_HEADER_LEN) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    if (type != OFPMT_OXM) {
        return OFPERR_OFPBMC_BAD_TYPE;
    }
    if (ROUND_UP((size_t) match_len, 8) > len) {
        return OFPERR_OFPBMC_BAD_LEN;
    }

    const uint8_t *p = data + OFP13_MATCH_HEADER_LEN;
    size_t left = match_len - OFP13_MATCH_HEADER_LEN;
    while (left) {
        const struct mf_field *mf;
        union mf_value value, mask;
        size_t consumed;
        enum ofperr error;

        error = ofp_oxm_decode_field(p, left, &mf, &value, &mask, &consumed);
        if (!error) {
            if (!oxm_mask_ok(mf, &mask)) {
                error = OFPERR_OFPBMC_BAD_MASK;
            } else if (!mf_is_value_valid(mf, &value)) {
                error = OFPERR_OFPBMC_BAD_VALUE;
            } else if (!loose && !mf_are_match_prereqs_ok(mf, match)) {
                error = OFPERR_OFPBMC_BAD_PREREQ;
            } else if (!mf_is_all_wild(mf, &match->wc)) {
                error = OFPERR_OFPBMC_DUP_FIELD;
            } else {
                bool exact = is_all_ones(mask.bytes, mf->n_bytes);
                mf_set(mf, &value, exact ? NULL : &mask, match);
            }
        } else if (error == OFPERR_OFPBMC_BAD_FIELD && loose && consumed) {
            error = 0;
        }
        if (error) {
            match_init_catchall(match);
            return error;
        }
        p += consumed;
        left -= consumed;
    }
    vlan_canonicalize(match);
    frag_canonicalize(match);
    if (padded_len) {
        *padded_len = ROUND_UP((size_t) match_len, 8);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* OpenFlow 1.3 match encoding, in Open vSwitch's order (nx_put_raw()). */

struct oxm_enc {
    struct oxm_out out;
    const struct match *match;
};

/* FIELD with its mask: omitted if wildcarded, unmasked if the mask is
 * all-ones over the field's bytes, else masked.  Open vSwitch keeps an
 * all-ones mask for an exact ipv6_label or tcp_flags (but not for
 * ct_state or tun_flags), so those two are unmasked when exact too. */
static void
put_masked(struct oxm_enc *e, enum mf_field_id id)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value value, mask;

    mf_get_mask(mf, &e->match->wc, &mask);
    if (is_all_zeros(mask.bytes, mf->n_bytes)) {
        return;
    }
    mf_get_value(mf, &e->match->flow, &value);
    bool exact = (is_all_ones(mask.bytes, mf->n_bytes)
                  || ((id == MFF_IPV6_LABEL || id == MFF_TCP_FLAGS)
                      && mf_is_exact(mf, &e->match->wc)));
    put_tlv(&e->out, mf, &value, exact ? NULL : &mask);
}

/* FIELD unmasked, if any of its bits are matched. */
static void
put_exact(struct oxm_enc *e, enum mf_field_id id)
{
    const struct mf_field *mf = mf_from_id(id);
    union mf_value value, mask;

    mf_get_mask(mf, &e->match->wc, &mask);
    if (is_all_zeros(mask.bytes, mf->n_bytes)) {
        return;
    }
    mf_get_value(mf, &e->match->flow, &value);
    put_tlv(&e->out, mf, &value, NULL);
}

static void
put_raw16(struct oxm_enc *e, enum mf_field_id id, uint16_t v,
          const uint16_t *m)
{
    union mf_value value, mask;

    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    put_be16(value.bytes, v);
    if (m) {
        put_be16(mask.bytes, *m);
    }
    put_tlv(&e->out, mf_from_id(id), &value, m ? &mask : NULL);
}

/* True if the outer VLAN TCI match can be said with OXM vlan_vid and
 * vlan_pcp; if not, it is sent as NXM vlan_tci, which says anything.
 * "No VLAN header" (CFI matched 0) is always said as vlan_vid, as Open
 * vSwitch does: the other TCI bits of an absent header are 0 anyway, and
 * the decoder drops their mask (see vlan_canonicalize()). */
static bool
vlan_is_oxm_expressible(uint16_t tci, uint16_t mask)
{
    uint16_t pcp_mask = mask & VLAN_PCP_MASK;
    return (!pcp_mask
            || (mask & VLAN_CFI && !(tci & (VLAN_CFI | VLAN_PCP_MASK)))
            || (pcp_mask == VLAN_PCP_MASK && mask & VLAN_CFI
                && tci & VLAN_CFI));
}

static void
put_vlan(struct oxm_enc *e)
{
    uint16_t tci = ntohs(e->match->flow.vlans[0].tci);
    uint16_t mask = ntohs(e->match->wc.masks.vlans[0].tci);
    uint16_t vid_cfi = VLAN_VID_MASK | VLAN_CFI;

    if (!mask) {
        return;
    }
    if (!vlan_is_oxm_expressible(tci, mask)) {
        put_raw16(e, MFF_VLAN_TCI, tci,
                  mask == 0xffff ? NULL : &mask);
        return;
    }
    uint16_t vid = tci & vid_cfi;
    uint16_t vid_mask = mask & vid_cfi;
    if (vid_mask == vid_cfi) {
        put_raw16(e, MFF_VLAN_VID, vid, NULL);
    } else if (vid_mask) {
        put_raw16(e, MFF_VLAN_VID, vid, &vid_mask);
    }
    if (vid && mask & VLAN_PCP_MASK) {
        put_exact(e, MFF_VLAN_PCP);
    }
}

static void
put_ip_frag(struct oxm_enc *e)
{
    const struct mf_field *mf = mf_from_id(MFF_IP_FRAG);
    uint8_t frag = e->match->flow.nw_frag & FLOW_NW_FRAG_MASK;
    uint8_t mask = e->match->wc.masks.nw_frag & FLOW_NW_FRAG_MASK;
    union mf_value v, m;

    if (!mask) {
        return;
    }
    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    v.u8 = frag;
    /* "Not a fragment" is 0/ANY here but 0/0xff in Open vSwitch; they
     * mean the same (a later fragment is a fragment), and the decoder
     * reads the latter as the former. */
    m.u8 = (mask == FLOW_NW_FRAG_MASK || (!frag && mask == FLOW_NW_FRAG_ANY)
            ? 0xff : mask);
    put_tlv(&e->out, mf, &v, m.u8 == 0xff ? NULL : &m);
}

static void
put_l3_l4(struct oxm_enc *e)
{
    const struct flow *f = &e->match->flow;
    const struct flow *m = &e->match->wc.masks;
    bool ipv4 = f->dl_type == htons(ETH_TYPE_IP);

    if (ipv4) {
        put_masked(e, MFF_IPV4_SRC);
        put_masked(e, MFF_IPV4_DST);
    } else {
        put_masked(e, MFF_IPV6_SRC);
        put_masked(e, MFF_IPV6_DST);
    }
    put_ip_frag(e);
    if (m->nw_tos & IP_DSCP_MASK) {
        put_exact(e, MFF_IP_DSCP_SHIFTED);
    }
    if (m->nw_tos & IP_ECN_MASK) {
        put_exact(e, MFF_IP_ECN);
    }
    put_exact(e, MFF_IP_TTL);
    put_masked(e, MFF_IPV6_LABEL);
    if (!m->nw_proto) {
        return;
    }
    put_exact(e, MFF_IP_PROTO);
    switch (f->nw_proto) {
    case IPPROTO_TCP:
        put_masked(e, MFF_TCP_SRC);
        put_masked(e, MFF_TCP_DST);
        put_masked(e, MFF_TCP_FLAGS);
        break;
    case IPPROTO_UDP:
        put_masked(e, MFF_UDP_SRC);
        put_masked(e, MFF_UDP_DST);
        break;
    case IPPROTO_SCTP:
        put_masked(e, MFF_SCTP_SRC);
        put_masked(e, MFF_SCTP_DST);
        break;
    case IPPROTO_ICMP:
        if (ipv4) {
            put_exact(e, MFF_ICMPV4_TYPE);
            put_exact(e, MFF_ICMPV4_CODE);
        }
        break;
    case IPPROTO_ICMPV6:
        if (f->dl_type == htons(ETH_TYPE_IPV6)) {
            put_exact(e, MFF_ICMPV6_TYPE);
            put_exact(e, MFF_ICMPV6_CODE);
            uint16_t type = ntohs(f->tp_src), code = ntohs(f->tp_dst);
            if (!code && (type == ND_NEIGHBOR_SOLICIT
                          || type == ND_NEIGHBOR_ADVERT)) {
                put_masked(e, MFF_ND_TARGET);
                put_masked(e, type == ND_NEIGHBOR_SOLICIT
                           ? MFF_ND_SLL : MFF_ND_TLL);
            }
        }
        break;
    }
}

size_t
ofp13_match_encode(const struct match *match, void *buf, size_t size)
{
    struct oxm_enc e = { { buf, size, 0 }, match };
    const struct flow *f = &match->flow;
    const struct flow *m = &match->wc.masks;
    static const uint8_t header[4];

    out_put(&e.out, header, sizeof header);   /* Filled in below. */

    /* Metadata. */
    put_masked(&e, MFF_DP_HASH);
    put_exact(&e, MFF_RECIRC_ID);
    put_exact(&e, MFF_IN_PORT);

    /* Ethernet. */
    put_masked(&e, MFF_ETH_SRC);
    put_masked(&e, MFF_ETH_DST);
    put_masked(&e, MFF_ETH_TYPE);
    put_vlan(&e);

    /* MPLS. */
    if (eth_type_mpls(f->dl_type)) {
        uint32_t lse = ntohl(m->mpls_lse[0]);
        if (lse & MPLS_TC_MASK) {
            put_exact(&e, MFF_MPLS_TC);
        }
        if (lse & MPLS_BOS_MASK) {
            put_exact(&e, MFF_MPLS_BOS);
        }
        if (lse & MPLS_TTL_MASK) {
            put_exact(&e, MFF_MPLS_TTL);
        }
        if (lse & MPLS_LABEL_MASK) {
            put_exact(&e, MFF_MPLS_LABEL);
        }
    }

    /* L3 and L4. */
    if (dl_type_is_ip_any(f->dl_type)) {
        put_l3_l4(&e);
    } else if (f->dl_type == htons(ETH_TYPE_ARP)
               || f->dl_type == htons(ETH_TYPE_RARP)) {
        put_exact(&e, MFF_ARP_OP);
        put_masked(&e, MFF_ARP_SPA);
        put_masked(&e, MFF_ARP_TPA);
        put_masked(&e, MFF_ARP_SHA);
        put_masked(&e, MFF_ARP_THA);
    }

    /* Tunnel. */
    put_masked(&e, MFF_TUN_ID);
    put_masked(&e, MFF_TUN_FLAGS);
    put_masked(&e, MFF_TUN_SRC);
    put_masked(&e, MFF_TUN_DST);
    put_masked(&e, MFF_TUN_IPV6_SRC);
    put_masked(&e, MFF_TUN_IPV6_DST);

    /* Registers, mark, conntrack. */
    for (int i = 0; i < FLOW_N_REGS; i++) {
        put_masked(&e, MFF_REG0 + i);
    }
    put_masked(&e, MFF_PKT_MARK);
    put_masked(&e, MFF_CT_STATE);
    put_masked(&e, MFF_CT_ZONE);
    put_masked(&e, MFF_CT_MARK);
    put_masked(&e, MFF_CT_LABEL);
    put_exact(&e, MFF_CT_NW_PROTO);
    put_masked(&e, MFF_CT_NW_SRC);
    put_masked(&e, MFF_CT_NW_DST);
    put_masked(&e, MFF_CT_IPV6_SRC);
    put_masked(&e, MFF_CT_IPV6_DST);
    put_masked(&e, MFF_CT_TP_SRC);
    put_masked(&e, MFF_CT_TP_DST);

    /* OpenFlow 1.1+ metadata. */
    put_masked(&e, MFF_METADATA);

    size_t match_len = e.out.len;
    if (size >= OFP13_MATCH_HEADER_LEN) {
        put_be16(e.out.buf, OFPMT_OXM);
        put_be16(e.out.buf + 2, match_len);
    }
    out_put_zeros(&e.out, ROUND_UP(match_len, 8) - match_len);
    return e.out.len;
}
