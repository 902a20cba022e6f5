/*
 * match: a flow key plus a mask, the unit the classifier stores.
 *
 * Invariant: every bit that is 0 in 'wc' is 0 in 'flow' too (the match
 * is "normalized"), so two matches are equal exactly when their bytes
 * are.  The match_set_*() setters keep it; code that writes fields
 * directly calls match_normalize() afterwards.
 *
 * Text form: the canonical form is ovs-ofctl's ("tcp,in_port=1,
 * nw_src=10.0.0.0/8,tp_dst=80"): match_format() writes it and
 * match_parse() reads it back, so that every match round-trips.
 *
 * match_parse() reads what ovs-ofctl reads for a match: "KEY=VALUE",
 * "KEY:VALUE" or "KEY(VALUE)" and protocol shorthands ("tcp", "icmp6",
 * "arp", ...) separated by commas or white space, where KEY is any name
 * or alias in the meta-flow table and VALUE anything mf_parse() takes
 * ("10.0.0.0/8", "0x10/0xf0", "+trk-new", "LOCAL", "*").  It refuses,
 * with a message naming the culprit: unknown keywords, bad values or
 * masks, a field (or storage it shares with another field: tp_dst and
 * tcp_dst, vlan_tci and dl_vlan) given twice, and fields whose
 * prerequisites the whole match does not meet ("tp_dst: prerequisites
 * not met (requires tcp, udp or sctp)").
 *
 * "Every match" means every match built from fields, as match_parse()
 * and mf_set() build them.  Bits that no field names (padding, the VLAN
 * TPIDs, ct_state's high byte) have no text; match_init_exact() sets
 * them, so an exact match prints without them.  As in ovs-ofctl, the
 * inner VLAN header is printed ("dl_vlan1=", "dl_vlan_pcp1=",
 * "vlan_tci1=") only after the outer one, whose presence its fields
 * require, and the inner MPLS label stack entries as whole numbers
 * ("mpls_lse1=8448").
 */
#ifndef PLX_MATCH_H
#define PLX_MATCH_H 1

#include <netinet/in.h>
#include "flow.h"
#include "types.h"

struct ds;

struct match {
    struct flow flow;
    struct flow_wildcards wc;
};

void match_init_catchall(struct match *);
void match_init_exact(struct match *, const struct flow *);
void match_normalize(struct match *);
bool match_equal(const struct match *, const struct match *);
uint32_t match_hash(const struct match *, uint32_t basis);

/* Canonical text.  PRIORITY is printed first when it is not
 * the default (32768, as in ovs-ofctl). */
void match_format(const struct match *, int priority, struct ds *);
char *match_to_string(const struct match *, int priority);
/* Parses STRING into MATCH (and *PRIORITY if "priority=" is given and
 * PRIORITY is nonnull).  Returns NULL on success, otherwise an error
 * message the caller frees; MATCH is then unspecified. */
char *match_parse(const char *string, struct match *, int *priority)
    PLX_WARN_UNUSED_RESULT;

/* Setters for common fields.  Each keeps the match normalized; the
 * caller is responsible for prerequisites (match_parse() checks them).
 * Header fields take network byte order, metadata host order. */
void match_set_in_port(struct match *, uint32_t ofp_port);
void match_set_reg(struct match *, unsigned int idx, uint32_t value);
void match_set_reg_masked(struct match *, unsigned int idx,
                          uint32_t value, uint32_t mask);
void match_set_metadata_masked(struct match *, plx_be64 value,
                               plx_be64 mask);
void match_set_tun_id_masked(struct match *, plx_be64 value, plx_be64 mask);
void match_set_pkt_mark_masked(struct match *, uint32_t value,
                               uint32_t mask);
void match_set_ct_state_masked(struct match *, uint16_t state,
                               uint16_t mask);
void match_set_ct_zone(struct match *, uint16_t zone);
void match_set_dl_type(struct match *, plx_be16 dl_type);
void match_set_dl_src_masked(struct match *, struct eth_addr value,
                             struct eth_addr mask);
void match_set_dl_dst_masked(struct match *, struct eth_addr value,
                             struct eth_addr mask);
void match_set_dl_src(struct match *, struct eth_addr);
void match_set_dl_dst(struct match *, struct eth_addr);
/* Full 16-bit TCI of the outermost VLAN under MASK. */
void match_set_vlan_tci_masked(struct match *, plx_be16 tci, plx_be16 mask);
/* OpenFlow 1.0 style: tagged with VID (0..4095) / PCP (0..7). */
void match_set_dl_vlan(struct match *, uint16_t vid);
void match_set_dl_vlan_pcp(struct match *, uint8_t pcp);
/* Untagged packets only. */
void match_set_no_vlan(struct match *);
void match_set_nw_proto(struct match *, uint8_t);
void match_set_nw_src(struct match *, plx_be32);
void match_set_nw_src_masked(struct match *, plx_be32 ip, plx_be32 mask);
void match_set_nw_dst(struct match *, plx_be32);
void match_set_nw_dst_masked(struct match *, plx_be32 ip, plx_be32 mask);
void match_set_ipv6_src_masked(struct match *, const struct in6_addr *,
                               const struct in6_addr *mask);
void match_set_ipv6_dst_masked(struct match *, const struct in6_addr *,
                               const struct in6_addr *mask);
void match_set_nw_tos(struct match *, uint8_t tos);   /* DSCP bits only. */
void match_set_nw_ttl(struct match *, uint8_t ttl);
void match_set_nw_frag_masked(struct match *, uint8_t frag, uint8_t mask);
void match_set_tp_src(struct match *, plx_be16);
void match_set_tp_src_masked(struct match *, plx_be16 port, plx_be16 mask);
void match_set_tp_dst(struct match *, plx_be16);
void match_set_tp_dst_masked(struct match *, plx_be16 port, plx_be16 mask);
void match_set_tcp_flags_masked(struct match *, plx_be16 flags,
                                plx_be16 mask);
void match_set_icmp_type(struct match *, uint8_t);
void match_set_icmp_code(struct match *, uint8_t);

/* Incremental parsing, for parsers (flow_mod text) that interleave match
 * fields with keywords of their own: match_parser_add() takes one
 * "KEY[=VALUE]" (VALUE null when absent) that match_is_keyword() accepts,
 * match_parser_finish() checks prerequisites once all are in.  Both
 * return NULL or an error message the caller frees.  match_parse() is
 * built on these.  "priority" is not a match keyword. */
struct match_parser {
    struct match *match;
    struct flow_wildcards seen;         /* Storage named so far. */
    size_t n_fields;
    uint8_t fields[128];                /* enum mf_field_id, in order. */
    const char *names[128];             /* The name each was given as. */
};

bool match_is_keyword(const char *key);
void match_parser_init(struct match_parser *, struct match *);
char *match_parser_add(struct match_parser *, const char *key,
                       const char *value) PLX_WARN_UNUSED_RESULT;
char *match_parser_finish(struct match_parser *) PLX_WARN_UNUSED_RESULT;

#endif /* match.h */
