/*
 * ofp-match: OpenFlow matches on the wire, to and from struct match.
 *
 * Two encodings, one decoded form (struct match, lib/match.h):
 *
 *   - OpenFlow 1.0: the fixed 40-byte struct ofp10_match, a wildcard
 *     bitmap plus values.  Decoding is lenient, as in Open vSwitch: fields
 *     whose prerequisites the match does not meet (tp_dst without
 *     nw_proto=6, nw_src without dl_type=0x0800...) are dropped
 *     ("normalized away"), never rejected.  Encoding writes what OF1.0 can
 *     say; ofp10_match_is_exact() tells whether that was everything.
 *
 *   - OpenFlow 1.3: struct ofp_match of type OFPMT_OXM, a list of OXM
 *     TLVs (class 0x8000 "OpenFlow basic", and as in Open vSwitch the
 *     Nicira NXM classes 0x0000/0x0001 for registers, conntrack, tunnel
 *     metadata, nw_ttl, ip_frag... and the ONF experimenter TLV for
 *     tcp_flags), padded to a multiple of 8 bytes.  Decoding is strict,
 *     with Open vSwitch's error for each problem (see ofp13_match_decode()).
 *     Encoding emits fields in Open vSwitch's canonical order, each
 *     unmasked when its mask is all-ones, masked when partial, omitted
 *     when wildcarded, so that the bytes equal what Open vSwitch sends for
 *     the same match.
 *
 * Port numbers.  struct flow's in_port is a 32-bit OpenFlow 1.1+ port
 * number (lib/meta-flow.h's MF_OFPP_*).  OpenFlow 1.0's 16-bit ports map
 * 1:1 below 0xff00; its reserved ports 0xff00..0xffff are
 * 0xffffff00..0xffffffff.
 *
 * Nothing here asserts on input: every decoder returns enum ofperr (0 on
 * success) and logs nothing per input.
 */
#ifndef PLX_OFP_MATCH_H
#define PLX_OFP_MATCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "match.h"
#include "meta-flow.h"
#include "ofp-errors.h"
#include "types.h"

/* ------------------------------------------------------------------ */
/* OpenFlow 1.0. */

/* OFPFW10_* wildcard bits of struct ofp10_match. */
#define OFPFW10_IN_PORT     (1u << 0)
#define OFPFW10_DL_VLAN     (1u << 1)
#define OFPFW10_DL_SRC      (1u << 2)
#define OFPFW10_DL_DST      (1u << 3)
#define OFPFW10_DL_TYPE     (1u << 4)
#define OFPFW10_NW_PROTO    (1u << 5)
#define OFPFW10_TP_SRC      (1u << 6)
#define OFPFW10_TP_DST      (1u << 7)
#define OFPFW10_NW_SRC_SHIFT 8      /* Count of wildcarded low bits, */
#define OFPFW10_NW_SRC_MASK (0x3fu << OFPFW10_NW_SRC_SHIFT) /* >= 32: all */
#define OFPFW10_NW_SRC_ALL  (32u << OFPFW10_NW_SRC_SHIFT)
#define OFPFW10_NW_DST_SHIFT 14
#define OFPFW10_NW_DST_MASK (0x3fu << OFPFW10_NW_DST_SHIFT)
#define OFPFW10_NW_DST_ALL  (32u << OFPFW10_NW_DST_SHIFT)
#define OFPFW10_DL_VLAN_PCP (1u << 20)
#define OFPFW10_NW_TOS      (1u << 21)
#define OFPFW10_ALL         ((1u << 22) - 1)

#define OFP10_VLAN_NONE 0xffff      /* dl_vlan: "no 802.1Q header". */

/* In network byte order, exactly as on the wire (no implicit padding). */
struct ofp10_match {
    plx_be32 wildcards;             /* OFPFW10_*. */
    plx_be16 in_port;
    uint8_t dl_src[6];
    uint8_t dl_dst[6];
    plx_be16 dl_vlan;
    uint8_t dl_vlan_pcp;
    uint8_t pad1[1];
    plx_be16 dl_type;
    uint8_t nw_tos;
    uint8_t nw_proto;
    uint8_t pad2[2];
    plx_be32 nw_src;
    plx_be32 nw_dst;
    plx_be16 tp_src;
    plx_be16 tp_dst;
};
#define OFP10_MATCH_LEN 40

/* Decodes the OF1.0 match in the first OFP10_MATCH_LEN bytes of DATA
 * (LEN bytes available; no alignment needed) into MATCH, normalized as
 * described at the top.  Returns OFPERR_OFPBMC_BAD_LEN if LEN is too
 * short; there is no other error. */
enum ofperr ofp10_match_decode(const void *data, size_t len,
                               struct match *match);

/* Encodes MATCH as OF1.0 into *OM (what cannot be expressed is left
 * out; see ofp10_match_is_exact()). */
void ofp10_match_encode(const struct match *match, struct ofp10_match *om);

/* True if ofp10_match_encode() of MATCH decodes back to MATCH exactly. */
bool ofp10_match_is_exact(const struct match *match);

/* OF1.0 <-> 32-bit port numbers.  ofp_match_port_to_ofp10() returns false
 * (and stores 0xffff, OFPP_NONE) for ports OF1.0 cannot name. */
uint32_t ofp_match_port_from_ofp10(uint16_t port);
bool ofp_match_port_to_ofp10(uint32_t port, uint16_t *port10);

/* ------------------------------------------------------------------ */
/* OpenFlow 1.3: struct ofp_match with OXM TLVs. */

#define OFPMT_STANDARD 0            /* OF1.1 fixed match: not supported. */
#define OFPMT_OXM 1
#define OFP13_MATCH_HEADER_LEN 4    /* be16 type, be16 length. */

/* Decodes the struct ofp_match at the start of DATA (LEN bytes
 * available; no alignment needed) into MATCH.  On success stores in
 * *PADDED_LEN (if nonnull) the bytes it occupies, its 'length' rounded up
 * to 8.  Errors, checked per TLV in this order (as Open vSwitch):
 *   OFPBMC_BAD_LEN      header or a TLV truncated, 'length' < 4, or the
 *                       padded match longer than LEN;
 *   OFPBMC_BAD_TYPE     'type' is not OFPMT_OXM;
 *   OFPBMC_BAD_WILDCARDS a masked TLV's value has 1-bits outside its mask;
 *   OFPBMC_BAD_FIELD    unknown class/field, wrong TLV length for the
 *                       field, or a field Plexus cannot match
 *                       (in_phy_port, pbb_isid, ipv6_exthdr);
 *   OFPBMC_BAD_MASK     a mask on a field that cannot be masked (other
 *                       than all-zeros or all-ones);
 *   OFPBMC_BAD_VALUE    value out of range (vlan_vid > 0x1fff, ip_dscp >
 *                       63, vlan_pcp > 7, mpls_label >= 2**20...);
 *   OFPBMC_BAD_PREREQ   a field whose prerequisites the fields *before*
 *                       it do not establish (tcp_dst needs eth_type
 *                       0x0800/0x86dd then ip_proto 6 earlier in the list);
 *   OFPBMC_DUP_FIELD    a field (or one sharing its storage) twice.
 * With LOOSE (for matches in messages from a switch, e.g. PACKET_IN),
 * unknown fields are skipped and prerequisites not checked. */
enum ofperr ofp13_match_decode(const void *data, size_t len, bool loose,
                               struct match *match, size_t *padded_len);

/* Encodes MATCH as an OF1.3 struct ofp_match (header, TLVs, zero padding
 * to 8) into BUF, writing at most SIZE bytes; returns the padded length
 * (like snprintf: the encoding is complete only if that is <= SIZE), so
 * a caller can size a buffer by calling with SIZE 0.  A VLAN TCI match
 * that OXM vlan_vid/vlan_pcp cannot say goes out as NXM vlan_tci.
 * Storage that no OXM or NXM field names (the inner VLAN header, inner
 * MPLS entries, VLAN TPIDs, skb_priority, tun_ttl/tun_tos) is left out.
 * Every match that ofp13_match_decode() returns in strict mode encodes
 * exactly (a lenient decode may keep fields without their
 * prerequisites, which encoding leaves out). */
size_t ofp13_match_encode(const struct match *match, void *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Single OXM TLVs, for set_field actions and table features. */

/* Decodes one OXM/NXM TLV at the start of DATA (LEN bytes available):
 * the field (a lib/meta-flow.h entry), its value and, if the TLV has the
 * has-mask bit, its mask (else MASK is set to the field's all-ones
 * mask).  Values are in meta-flow's wire form (union mf_value); an NXM
 * NXM_OF_IN_PORT's 16-bit OF1.0 port is converted to 32 bits.  Stores the
 * bytes consumed in *CONSUMED.  With MASK null a masked TLV is
 * OFPBMC_BAD_MASK (a set_field decoder maps that to OFPBAC_BAD_SET_MASK).
 * Errors: OFPBMC_BAD_LEN, OFPBMC_BAD_FIELD (unknown, wrong length, or
 * !field->supported; *FIELD is then null, *CONSUMED still the TLV's
 * length so that a lenient caller may skip it), OFPBMC_BAD_WILDCARDS.  The
 * value itself is not range-checked: callers use mf_is_value_valid()
 * (OFPBMC_BAD_VALUE in a match, OFPBAC_BAD_SET_ARGUMENT in set_field) and
 * check field->writable (OFPBAC_BAD_SET_TYPE). */
enum ofperr ofp_oxm_decode_field(const void *data, size_t len,
                                 const struct mf_field **field,
                                 union mf_value *value, union mf_value *mask,
                                 size_t *consumed);

/* Encodes FIELD = VALUE (under MASK, unless MASK is null, in which case
 * the TLV has no mask) as one TLV with the header Open vSwitch uses for
 * OpenFlow 1.3 (OXM if the field has one, else NXM; ONF experimenter for
 * tcp_flags).  Writes into BUF if it fits in SIZE bytes and returns the
 * TLV's length either way; returns 0 if FIELD has no OXM/NXM header at
 * all. */
size_t ofp_oxm_encode_field(const struct mf_field *field,
                            const union mf_value *value,
                            const union mf_value *mask,
                            void *buf, size_t size);

/* The 32-bit OXM/NXM header (class, field, has-mask 0, length) that
 * ofp_oxm_encode_field() would use for FIELD, 0 if none (also 0 for
 * tcp_flags, whose header is a 64-bit experimenter one). */
uint32_t ofp_oxm_header(const struct mf_field *field);

#endif /* ofp-match.h */
