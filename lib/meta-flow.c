/* meta-flow: the table of match fields and its accessors (see
 * meta-flow.h). */
#include <config.h>
#include "meta-flow.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "dynamic-string.h"
#include "match.h"
#include "packets.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* The table. */

BUILD_ASSERT_DECL(FLOW_TNL_F_OAM == 1 << 3);
/* The inner VLAN and MPLS fields name these slots. */
BUILD_ASSERT_DECL(FLOW_MAX_VLAN_HEADERS >= 2);
BUILD_ASSERT_DECL(FLOW_MAX_MPLS_LABELS >= 4);

#define MEMBER_SIZE(M) sizeof(((struct flow *) 0)->M)

/* Storage descriptors. */
#define NET(M) { offsetof(struct flow, M), MEMBER_SIZE(M), false, 0, 0, 0 }
#define HOST(M) { offsetof(struct flow, M), MEMBER_SIZE(M), true, 0, 0, 0 }
#define NET_BITS(M, BITS, SHIFT, IMPLIED) \
    { offsetof(struct flow, M), MEMBER_SIZE(M), false, BITS, SHIFT, IMPLIED }
#define HOST_BITS(M, BITS, SHIFT) \
    { offsetof(struct flow, M), MEMBER_SIZE(M), true, BITS, SHIFT, 0 }
#define NO_STORAGE { 0, 0, false, 0, 0, 0 }

#define OXM(FIELD, LEN) MF_HEADER(OXM_CLASS_OPENFLOW_BASIC, FIELD, LEN)
#define NXM0(FIELD, LEN) MF_HEADER(OXM_CLASS_NXM0, FIELD, LEN)
#define NXM1(FIELD, LEN) MF_HEADER(OXM_CLASS_NXM1, FIELD, LEN)

/* One supported field. */
#define F(ID, NAME, A1, A2, NBYTES, NBITS, MASKABLE, STRING, PREREQS, \
          WRITABLE, OXM_H, NXM_H, STORAGE)                           \
    [ID] = { ID, NAME, { A1, A2, NULL }, NBYTES, NBITS, MASKABLE,    \
             STRING, PREREQS, WRITABLE, true, OXM_H, NXM_H, STORAGE }
/* One field without storage in struct flow. */
#define U(ID, NAME, A1, NBYTES, NBITS, MASKABLE, STRING, PREREQS, OXM_H) \
    [ID] = { ID, NAME, { A1, NULL, NULL }, NBYTES, NBITS, MASKABLE,      \
             STRING, PREREQS, false, false, OXM_H, 0, NO_STORAGE }

#define REG(N)                                                            \
    F(MFF_REG##N, "reg" #N, NULL, NULL, 4, 32, MFM_FULLY,                 \
      MFS_HEXADECIMAL, MFP_NONE, true, 0, NXM1(N, 4), HOST(regs[N]))

const struct mf_field mf_fields[MFF_N_IDS] = {
    /* Metadata. */
    F(MFF_DP_HASH, "dp_hash", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, false, 0, NXM1(35, 4), HOST(dp_hash)),
    F(MFF_RECIRC_ID, "recirc_id", NULL, NULL, 4, 32, MFM_NONE,
      MFS_HEXADECIMAL, MFP_NONE, false, 0, NXM1(36, 4), HOST(recirc_id)),
    F(MFF_TUN_ID, "tun_id", "tunnel_id", NULL, 8, 64, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, true, OXM(38, 8), NXM1(16, 8),
      NET(tunnel.tun_id)),
    F(MFF_TUN_SRC, "tun_src", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_NONE, true, 0, NXM1(31, 4), NET(tunnel.ip_src)),
    F(MFF_TUN_DST, "tun_dst", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_NONE, true, 0, NXM1(32, 4), NET(tunnel.ip_dst)),
    F(MFF_TUN_IPV6_SRC, "tun_ipv6_src", NULL, NULL, 16, 128, MFM_FULLY,
      MFS_IPV6, MFP_NONE, true, 0, NXM1(109, 16), NET(tunnel.ipv6_src)),
    F(MFF_TUN_IPV6_DST, "tun_ipv6_dst", NULL, NULL, 16, 128, MFM_FULLY,
      MFS_IPV6, MFP_NONE, true, 0, NXM1(110, 16), NET(tunnel.ipv6_dst)),
    /* Only the OAM flag is visible to OpenFlow, as bit 0 (as in Open
     * vSwitch); the others are the datapath's business. */
    F(MFF_TUN_FLAGS, "tun_flags", NULL, NULL, 2, 1, MFM_FULLY,
      MFS_TNL_FLAGS, MFP_NONE, true, 0, NXM1(104, 2),
      HOST_BITS(tunnel.flags, FLOW_TNL_F_OAM, 3)),
    F(MFF_TUN_TTL, "tun_ttl", NULL, NULL, 1, 8, MFM_NONE, MFS_DECIMAL,
      MFP_NONE, false, 0, 0, HOST(tunnel.ip_ttl)),
    F(MFF_TUN_TOS, "tun_tos", NULL, NULL, 1, 8, MFM_NONE, MFS_DECIMAL,
      MFP_NONE, false, 0, 0, HOST(tunnel.ip_tos)),
    F(MFF_METADATA, "metadata", NULL, NULL, 8, 64, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, true, OXM(2, 8), 0, NET(metadata)),
    F(MFF_IN_PORT, "in_port", "in_port_oxm", NULL, 4, 32, MFM_NONE,
      MFS_OFP_PORT, MFP_NONE, true, OXM(0, 4), NXM0(0, 2), HOST(in_port)),
    U(MFF_IN_PHY_PORT, "in_phy_port", NULL, 4, 32, MFM_NONE, MFS_OFP_PORT,
      MFP_NONE, OXM(1, 4)),
    F(MFF_SKB_PRIORITY, "skb_priority", NULL, NULL, 4, 32, MFM_NONE,
      MFS_HEXADECIMAL, MFP_NONE, false, 0, 0, HOST(skb_priority)),
    F(MFF_PKT_MARK, "pkt_mark", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, true, 0, NXM1(33, 4), HOST(pkt_mark)),
    F(MFF_CT_STATE, "ct_state", NULL, NULL, 4, 8, MFM_FULLY, MFS_CT_STATE,
      MFP_NONE, false, 0, NXM1(105, 4), HOST_BITS(ct_state, 0xff, 0)),
    F(MFF_CT_ZONE, "ct_zone", NULL, NULL, 2, 16, MFM_NONE, MFS_DECIMAL,
      MFP_NONE, false, 0, NXM1(106, 2), HOST(ct_zone)),
    F(MFF_CT_MARK, "ct_mark", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, true, 0, NXM1(107, 4), HOST(ct_mark)),
    F(MFF_CT_LABEL, "ct_label", NULL, NULL, 16, 128, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_NONE, true, 0, NXM1(108, 16), HOST(ct_label)),
    F(MFF_CT_NW_PROTO, "ct_nw_proto", NULL, NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_CT, false, 0, NXM1(119, 1), HOST(ct_nw_proto)),
    F(MFF_CT_NW_SRC, "ct_nw_src", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_CT, false, 0, NXM1(120, 4), NET(ct_nw_src)),
    F(MFF_CT_NW_DST, "ct_nw_dst", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_CT, false, 0, NXM1(121, 4), NET(ct_nw_dst)),
    F(MFF_CT_IPV6_SRC, "ct_ipv6_src", NULL, NULL, 16, 128, MFM_FULLY,
      MFS_IPV6, MFP_CT, false, 0, NXM1(122, 16), NET(ct_ipv6_src)),
    F(MFF_CT_IPV6_DST, "ct_ipv6_dst", NULL, NULL, 16, 128, MFM_FULLY,
      MFS_IPV6, MFP_CT, false, 0, NXM1(123, 16), NET(ct_ipv6_dst)),
    F(MFF_CT_TP_SRC, "ct_tp_src", NULL, NULL, 2, 16, MFM_FULLY,
      MFS_DECIMAL, MFP_CT, false, 0, NXM1(124, 2), NET(ct_tp_src)),
    F(MFF_CT_TP_DST, "ct_tp_dst", NULL, NULL, 2, 16, MFM_FULLY,
      MFS_DECIMAL, MFP_CT, false, 0, NXM1(125, 2), NET(ct_tp_dst)),
    REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7),
    REG(8), REG(9), REG(10), REG(11), REG(12), REG(13), REG(14), REG(15),

    /* Ethernet and VLAN. */
    F(MFF_ETH_SRC, "dl_src", "eth_src", NULL, 6, 48, MFM_FULLY,
      MFS_ETHERNET, MFP_ETHERNET, true, OXM(4, 6), NXM0(2, 6), NET(dl_src)),
    F(MFF_ETH_DST, "dl_dst", "eth_dst", NULL, 6, 48, MFM_FULLY,
      MFS_ETHERNET, MFP_ETHERNET, true, OXM(3, 6), NXM0(1, 6), NET(dl_dst)),
    F(MFF_ETH_TYPE, "dl_type", "eth_type", NULL, 2, 16, MFM_NONE,
      MFS_HEXADECIMAL, MFP_ETHERNET, false, OXM(5, 2), NXM0(3, 2),
      NET(dl_type)),
    F(MFF_VLAN_TCI, "vlan_tci", NULL, NULL, 2, 16, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_ETHERNET, true, 0, NXM0(4, 2),
      NET(vlans[0].tci)),
    F(MFF_DL_VLAN, "dl_vlan", NULL, NULL, 2, 12, MFM_NONE, MFS_DECIMAL,
      MFP_ETHERNET, true, 0, 0,
      NET_BITS(vlans[0].tci, VLAN_VID_MASK, 0, VLAN_CFI)),
    F(MFF_VLAN_VID, "vlan_vid", NULL, NULL, 2, 13, MFM_FULLY, MFS_DECIMAL,
      MFP_ETHERNET, true, OXM(6, 2), 0,
      NET_BITS(vlans[0].tci, VLAN_VID_MASK | VLAN_CFI, 0, 0)),
    F(MFF_DL_VLAN_PCP, "dl_vlan_pcp", NULL, NULL, 1, 3, MFM_NONE,
      MFS_DECIMAL, MFP_ETHERNET, true, 0, 0,
      NET_BITS(vlans[0].tci, VLAN_PCP_MASK, VLAN_PCP_SHIFT, VLAN_CFI)),
    F(MFF_VLAN_PCP, "vlan_pcp", NULL, NULL, 1, 3, MFM_NONE, MFS_DECIMAL,
      MFP_VLAN_VID, true, OXM(7, 1), 0,
      NET_BITS(vlans[0].tci, VLAN_PCP_MASK, VLAN_PCP_SHIFT, VLAN_CFI)),
    F(MFF_VLAN_TCI1, "vlan_tci1", NULL, NULL, 2, 16, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_INNER_VLAN, false, 0, 0, NET(vlans[1].tci)),
    F(MFF_DL_VLAN1, "dl_vlan1", NULL, NULL, 2, 12, MFM_NONE, MFS_DECIMAL,
      MFP_INNER_VLAN, false, 0, 0,
      NET_BITS(vlans[1].tci, VLAN_VID_MASK, 0, VLAN_CFI)),
    F(MFF_DL_VLAN_PCP1, "dl_vlan_pcp1", NULL, NULL, 1, 3, MFM_NONE,
      MFS_DECIMAL, MFP_INNER_VLAN, false, 0, 0,
      NET_BITS(vlans[1].tci, VLAN_PCP_MASK, VLAN_PCP_SHIFT, VLAN_CFI)),
    U(MFF_PBB_ISID, "pbb_isid", NULL, 3, 24, MFM_FULLY, MFS_DECIMAL,
      MFP_ETHERNET, OXM(37, 3)),

    /* MPLS. */
    F(MFF_MPLS_LABEL, "mpls_label", NULL, NULL, 4, 20, MFM_NONE,
      MFS_DECIMAL, MFP_MPLS, true, OXM(34, 4), 0,
      NET_BITS(mpls_lse[0], MPLS_LABEL_MASK, MPLS_LABEL_SHIFT, 0)),
    F(MFF_MPLS_TC, "mpls_tc", NULL, NULL, 1, 3, MFM_NONE, MFS_DECIMAL,
      MFP_MPLS, true, OXM(35, 1), 0,
      NET_BITS(mpls_lse[0], MPLS_TC_MASK, MPLS_TC_SHIFT, 0)),
    F(MFF_MPLS_BOS, "mpls_bos", NULL, NULL, 1, 1, MFM_NONE, MFS_DECIMAL,
      MFP_MPLS, false, OXM(36, 1), 0,
      NET_BITS(mpls_lse[0], MPLS_BOS_MASK, MPLS_BOS_SHIFT, 0)),
    F(MFF_MPLS_TTL, "mpls_ttl", NULL, NULL, 1, 8, MFM_NONE, MFS_DECIMAL,
      MFP_MPLS, true, 0, NXM1(30, 1),
      NET_BITS(mpls_lse[0], MPLS_TTL_MASK, MPLS_TTL_SHIFT, 0)),
    F(MFF_MPLS_LSE1, "mpls_lse1", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_DECIMAL, MFP_MPLS, false, 0, 0, NET(mpls_lse[1])),
    F(MFF_MPLS_LSE2, "mpls_lse2", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_DECIMAL, MFP_MPLS, false, 0, 0, NET(mpls_lse[2])),
    F(MFF_MPLS_LSE3, "mpls_lse3", NULL, NULL, 4, 32, MFM_FULLY,
      MFS_DECIMAL, MFP_MPLS, false, 0, 0, NET(mpls_lse[3])),

    /* IPv4 and IPv6. */
    F(MFF_IPV4_SRC, "nw_src", "ip_src", "ipv4_src", 4, 32, MFM_FULLY,
      MFS_IPV4, MFP_IPV4, true, OXM(11, 4), NXM0(7, 4), NET(nw_src)),
    F(MFF_IPV4_DST, "nw_dst", "ip_dst", "ipv4_dst", 4, 32, MFM_FULLY,
      MFS_IPV4, MFP_IPV4, true, OXM(12, 4), NXM0(8, 4), NET(nw_dst)),
    F(MFF_IPV6_SRC, "ipv6_src", NULL, NULL, 16, 128, MFM_FULLY, MFS_IPV6,
      MFP_IPV6, true, OXM(26, 16), NXM1(19, 16), NET(ipv6_src)),
    F(MFF_IPV6_DST, "ipv6_dst", NULL, NULL, 16, 128, MFM_FULLY, MFS_IPV6,
      MFP_IPV6, true, OXM(27, 16), NXM1(20, 16), NET(ipv6_dst)),
    F(MFF_IPV6_LABEL, "ipv6_label", "ipv6_flabel", NULL, 4, 20, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_IPV6, true, OXM(28, 4), NXM1(27, 4),
      NET_BITS(ipv6_label, IPV6_LABEL_MASK, 0, 0)),
    U(MFF_IPV6_EXTHDR, "ipv6_exthdr", NULL, 2, 9, MFM_FULLY,
      MFS_HEXADECIMAL, MFP_IPV6, OXM(39, 2)),
    F(MFF_IP_PROTO, "nw_proto", "ip_proto", NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_IP_ANY, false, OXM(10, 1), NXM0(6, 1),
      NET(nw_proto)),
    F(MFF_IP_DSCP, "nw_tos", NULL, NULL, 1, 8, MFM_NONE, MFS_DECIMAL,
      MFP_IP_ANY, true, 0, NXM0(5, 1),
      NET_BITS(nw_tos, IP_DSCP_MASK, 0, 0)),
    F(MFF_IP_DSCP_SHIFTED, "ip_dscp", NULL, NULL, 1, 6, MFM_NONE,
      MFS_DECIMAL, MFP_IP_ANY, true, OXM(8, 1), 0,
      NET_BITS(nw_tos, IP_DSCP_MASK, IP_DSCP_SHIFT, 0)),
    F(MFF_IP_ECN, "nw_ecn", "ip_ecn", NULL, 1, 2, MFM_NONE, MFS_DECIMAL,
      MFP_IP_ANY, true, OXM(9, 1), NXM1(28, 1),
      NET_BITS(nw_tos, IP_ECN_MASK, 0, 0)),
    F(MFF_IP_TTL, "nw_ttl", "ip_ttl", NULL, 1, 8, MFM_NONE, MFS_DECIMAL,
      MFP_IP_ANY, true, 0, NXM1(29, 1), NET(nw_ttl)),
    F(MFF_IP_FRAG, "nw_frag", "ip_frag", NULL, 1, 2, MFM_FULLY, MFS_FRAG,
      MFP_IP_ANY, false, 0, NXM1(26, 1),
      NET_BITS(nw_frag, FLOW_NW_FRAG_MASK, 0, 0)),

    /* ARP. */
    F(MFF_ARP_OP, "arp_op", NULL, NULL, 2, 8, MFM_NONE, MFS_DECIMAL,
      MFP_ARP, true, OXM(21, 2), NXM0(15, 2), NET(nw_proto)),
    F(MFF_ARP_SPA, "arp_spa", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_ARP, true, OXM(22, 4), NXM0(16, 4), NET(nw_src)),
    F(MFF_ARP_TPA, "arp_tpa", NULL, NULL, 4, 32, MFM_FULLY, MFS_IPV4,
      MFP_ARP, true, OXM(23, 4), NXM0(17, 4), NET(nw_dst)),
    F(MFF_ARP_SHA, "arp_sha", NULL, NULL, 6, 48, MFM_FULLY, MFS_ETHERNET,
      MFP_ARP, true, OXM(24, 6), NXM1(17, 6), NET(arp_sha)),
    F(MFF_ARP_THA, "arp_tha", NULL, NULL, 6, 48, MFM_FULLY, MFS_ETHERNET,
      MFP_ARP, true, OXM(25, 6), NXM1(18, 6), NET(arp_tha)),

    /* L4. */
    F(MFF_TP_SRC, "tp_src", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_TP_ANY, true, 0, 0, NET(tp_src)),
    F(MFF_TP_DST, "tp_dst", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_TP_ANY, true, 0, 0, NET(tp_dst)),
    F(MFF_TCP_SRC, "tcp_src", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_TCP, true, OXM(13, 2), NXM0(9, 2), NET(tp_src)),
    F(MFF_TCP_DST, "tcp_dst", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_TCP, true, OXM(14, 2), NXM0(10, 2), NET(tp_dst)),
    F(MFF_TCP_FLAGS, "tcp_flags", NULL, NULL, 2, 12, MFM_FULLY,
      MFS_TCP_FLAGS, MFP_TCP, false, 0, NXM1(34, 2),
      NET_BITS(tcp_flags, TCP_FLAGS_MASK, 0, 0)),
    F(MFF_UDP_SRC, "udp_src", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_UDP, true, OXM(15, 2), NXM0(11, 2), NET(tp_src)),
    F(MFF_UDP_DST, "udp_dst", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_UDP, true, OXM(16, 2), NXM0(12, 2), NET(tp_dst)),
    F(MFF_SCTP_SRC, "sctp_src", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_SCTP, true, OXM(17, 2), 0, NET(tp_src)),
    F(MFF_SCTP_DST, "sctp_dst", NULL, NULL, 2, 16, MFM_FULLY, MFS_DECIMAL,
      MFP_SCTP, true, OXM(18, 2), 0, NET(tp_dst)),
    F(MFF_ICMPV4_TYPE, "icmp_type", "icmpv4_type", NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_ICMPV4, true, OXM(19, 1), NXM0(13, 1),
      NET_BITS(tp_src, 0xff, 0, 0)),
    F(MFF_ICMPV4_CODE, "icmp_code", "icmpv4_code", NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_ICMPV4, true, OXM(20, 1), NXM0(14, 1),
      NET_BITS(tp_dst, 0xff, 0, 0)),
    F(MFF_ICMPV6_TYPE, "icmpv6_type", NULL, NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_ICMPV6, true, OXM(29, 1), NXM1(21, 1),
      NET_BITS(tp_src, 0xff, 0, 0)),
    F(MFF_ICMPV6_CODE, "icmpv6_code", NULL, NULL, 1, 8, MFM_NONE,
      MFS_DECIMAL, MFP_ICMPV6, true, OXM(30, 1), NXM1(22, 1),
      NET_BITS(tp_dst, 0xff, 0, 0)),
    F(MFF_ND_TARGET, "nd_target", "ipv6_nd_target", NULL, 16, 128,
      MFM_FULLY, MFS_IPV6, MFP_ND, true, OXM(31, 16), NXM1(23, 16),
      NET(nd_target)),
    F(MFF_ND_SLL, "nd_sll", "ipv6_nd_sll", NULL, 6, 48, MFM_FULLY,
      MFS_ETHERNET, MFP_ND_SOLICIT, true, OXM(32, 6), NXM1(24, 6),
      NET(arp_sha)),
    F(MFF_ND_TLL, "nd_tll", "ipv6_nd_tll", NULL, 6, 48, MFM_FULLY,
      MFS_ETHERNET, MFP_ND_ADVERT, true, OXM(33, 6), NXM1(25, 6),
      NET(arp_tha)),
};

/* ------------------------------------------------------------------ */
/* Lookup. */

const struct mf_field *
mf_from_name_len(const char *name, size_t len)
{
    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = &mf_fields[i];
        if (!strncmp(mf->name, name, len) && !mf->name[len]) {
            return mf;
        }
        for (size_t j = 0; j < ARRAY_SIZE(mf->aliases) && mf->aliases[j];
             j++) {
            if (!strncmp(mf->aliases[j], name, len)
                && !mf->aliases[j][len]) {
                return mf;
            }
        }
    }
    return NULL;
}

const struct mf_field *
mf_from_name(const char *name)
{
    return mf_from_name_len(name, strlen(name));
}

const struct mf_field *
mf_from_oxm_header(uint32_t header)
{
    uint32_t key = header >> 9;

    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct mf_field *mf = &mf_fields[i];
        if ((mf->oxm_header && mf->oxm_header >> 9 == key)
            || (mf->nxm_header && mf->nxm_header >> 9 == key)) {
            return mf;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Wire-form integers. */

static bool
mf_is_integer(const struct mf_field *mf)
{
    return mf->n_bytes <= 8 && mf->string != MFS_ETHERNET;
}

static uint64_t
be_load(const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x = (x << 8) | p[i];
    }
    return x;
}

static void
be_store(uint8_t *p, size_t n, uint64_t x)
{
    for (size_t i = n; i-- > 0; ) {
        p[i] = x;
        x >>= 8;
    }
}

static uint64_t
low_bits(unsigned int n)
{
    return n >= 64 ? UINT64_MAX : ((uint64_t) 1 << n) - 1;
}

/* The bits of the member (host-order view) that MF uses. */
static uint64_t
mf_member_bits(const struct mf_field *mf)
{
    return (mf->storage.bits ? mf->storage.bits
            : low_bits(mf->storage.size * 8));
}

/* The bits a valid value may have. */
static uint64_t
mf_value_bits(const struct mf_field *mf)
{
    return mf_member_bits(mf) >> mf->storage.shift
           & low_bits(mf->n_bytes * 8);
}

static uint64_t
member_load(const struct mf_field *mf, const struct flow *flow)
{
    const uint8_t *p = (const uint8_t *) flow + mf->storage.ofs;
    uint64_t x;

    if (mf->storage.host_order) {
        switch (mf->storage.size) {
        case 1: return *p;
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        case 8: { uint64_t v; memcpy(&v, p, 8); return v; }
        }
        PLX_NOT_REACHED();
    }
    x = be_load(p, mf->storage.size);
    return x;
}

static void
member_store(const struct mf_field *mf, struct flow *flow, uint64_t x)
{
    uint8_t *p = (uint8_t *) flow + mf->storage.ofs;

    if (mf->storage.host_order) {
        switch (mf->storage.size) {
        case 1: *p = x; return;
        case 2: { uint16_t v = x; memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = x; memcpy(p, &v, 4); return; }
        case 8: { uint64_t v = x; memcpy(p, &v, 8); return; }
        }
        PLX_NOT_REACHED();
    }
    be_store(p, mf->storage.size, x);
}

/* ct_label is a host-order plx_u128; its wire form is 16 big-endian
 * bytes, high half first. */
static bool
mf_is_u128_host(const struct mf_field *mf)
{
    return mf->storage.size == 16 && mf->storage.host_order;
}

static void
u128_to_wire(const plx_u128 *x, uint8_t wire[16])
{
    be_store(wire, 8, x->u64.hi);
    be_store(wire + 8, 8, x->u64.lo);
}

static void
u128_from_wire(plx_u128 *x, const uint8_t wire[16])
{
    x->u64.hi = be_load(wire, 8);
    x->u64.lo = be_load(wire + 8, 8);
}

/* ------------------------------------------------------------------ */
/* Value checks. */

bool
mf_is_value_valid(const struct mf_field *mf, const union mf_value *value)
{
    if (!mf_is_integer(mf)) {
        return true;
    }
    return !(be_load(value->bytes, mf->n_bytes) & ~mf_value_bits(mf));
}

/* Sets MASK to MF's exact-match mask. */
static void
mf_exact_mask(const struct mf_field *mf, union mf_value *mask)
{
    memset(mask, 0, sizeof *mask);
    if (mf_is_integer(mf)) {
        be_store(mask->bytes, mf->n_bytes, mf_value_bits(mf));
    } else {
        memset(mask->bytes, 0xff, mf->n_bytes);
    }
}

static bool
mf_mask_is_exact(const struct mf_field *mf, const union mf_value *mask)
{
    if (mf_is_integer(mf)) {
        return be_load(mask->bytes, mf->n_bytes) == mf_value_bits(mf);
    }
    return is_all_ones(mask->bytes, mf->n_bytes);
}

bool
mf_is_mask_valid(const struct mf_field *mf, const union mf_value *mask)
{
    if (is_all_zeros(mask->bytes, mf->n_bytes)) {
        return true;
    }
    if (mf->maskable == MFM_NONE) {
        return mf_mask_is_exact(mf, mask);
    }
    return mf_is_value_valid(mf, mask);
}

bool
mf_is_all_wild(const struct mf_field *mf, const struct flow_wildcards *wc)
{
    union mf_value mask;

    mf_get_mask(mf, wc, &mask);
    return is_all_zeros(mask.bytes, mf->n_bytes);
}

bool
mf_is_exact(const struct mf_field *mf, const struct flow_wildcards *wc)
{
    union mf_value mask;

    mf_get_mask(mf, wc, &mask);
    return mf_mask_is_exact(mf, &mask);
}

/* ------------------------------------------------------------------ */
/* Reading and writing. */

void
mf_get_value(const struct mf_field *mf, const struct flow *flow,
             union mf_value *value)
{
    const uint8_t *p = (const uint8_t *) flow + mf->storage.ofs;

    memset(value, 0, sizeof *value);
    if (!mf->supported) {
        return;
    }
    if (mf_is_integer(mf)) {
        uint64_t x = (member_load(mf, flow) & mf_member_bits(mf))
                     >> mf->storage.shift;
        be_store(value->bytes, mf->n_bytes, x);
    } else if (mf_is_u128_host(mf)) {
        plx_u128 x;
        memcpy(&x, p, sizeof x);
        u128_to_wire(&x, value->bytes);
    } else {
        memcpy(value->bytes, p, mf->n_bytes);
    }
}

void
mf_get_mask(const struct mf_field *mf, const struct flow_wildcards *wc,
            union mf_value *mask)
{
    mf_get_value(mf, &wc->masks, mask);
}

void
mf_set_flow_value(const struct mf_field *mf, const union mf_value *value,
                  struct flow *flow)
{
    uint8_t *p = (uint8_t *) flow + mf->storage.ofs;

    if (!mf->supported) {
        return;
    }
    if (mf_is_integer(mf)) {
        uint64_t bits = mf_member_bits(mf);
        uint64_t v = be_load(value->bytes, mf->n_bytes);
        uint64_t x = member_load(mf, flow);
        x = (x & ~bits) | ((v << mf->storage.shift) & bits)
            | mf->storage.implied;
        member_store(mf, flow, x);
    } else if (mf_is_u128_host(mf)) {
        plx_u128 x;
        u128_from_wire(&x, value->bytes);
        memcpy(p, &x, sizeof x);
    } else {
        memcpy(p, value->bytes, mf->n_bytes);
    }
}

void
mf_set_value(const struct mf_field *mf, const union mf_value *value,
             struct match *match)
{
    mf_set(mf, value, NULL, match);
}

void
mf_set(const struct mf_field *mf, const union mf_value *value,
       const union mf_value *mask, struct match *match)
{
    union mf_value exact;
    uint8_t *k = (uint8_t *) &match->flow + mf->storage.ofs;
    uint8_t *m = (uint8_t *) &match->wc.masks + mf->storage.ofs;

    if (!mf->supported) {
        return;
    }
    if (!mask) {
        mf_exact_mask(mf, &exact);
        mask = &exact;
    }

    if (mf_is_integer(mf)) {
        const struct mf_storage *st = &mf->storage;
        uint64_t bits = mf_member_bits(mf);
        uint64_t v = be_load(value->bytes, mf->n_bytes);
        uint64_t mk = be_load(mask->bytes, mf->n_bytes);
        uint64_t mm = (mk << st->shift) & bits;
        uint64_t key = member_load(mf, &match->flow);
        uint64_t wc = member_load(mf, &match->wc.masks);

        key = (key & ~bits) | ((v << st->shift) & mm);
        wc = (wc & ~bits) | mm;
        if (st->implied) {
            if (mm) {
                key |= st->implied;
                wc |= st->implied;
            } else if (!(wc & ~st->implied)) {
                /* Nothing else needs the implied bit any more. */
                key &= ~(uint64_t) st->implied;
                wc &= ~(uint64_t) st->implied;
            }
        }
        member_store(mf, &match->flow, key & wc);
        member_store(mf, &match->wc.masks, wc);
    } else if (mf_is_u128_host(mf)) {
        plx_u128 v, mk;
        u128_from_wire(&v, value->bytes);
        u128_from_wire(&mk, mask->bytes);
        v.u64.hi &= mk.u64.hi;
        v.u64.lo &= mk.u64.lo;
        memcpy(k, &v, sizeof v);
        memcpy(m, &mk, sizeof mk);
    } else {
        for (size_t i = 0; i < mf->n_bytes; i++) {
            k[i] = value->bytes[i] & mask->bytes[i];
            m[i] = mask->bytes[i];
        }
    }
}

void
mf_set_wild(const struct mf_field *mf, struct match *match)
{
    union mf_value zero;

    memset(&zero, 0, sizeof zero);
    mf_set(mf, &zero, &zero, match);
}

void
mf_storage_mask(const struct mf_field *mf, struct flow_wildcards *wc)
{
    uint8_t *m = (uint8_t *) &wc->masks + mf->storage.ofs;

    if (!mf->supported) {
        return;
    }
    if (mf_is_integer(mf)) {
        member_store(mf, &wc->masks,
                     member_load(mf, &wc->masks) | mf_member_bits(mf));
    } else {
        memset(m, 0xff, mf->storage.size);
    }
}

/* ------------------------------------------------------------------ */
/* Prerequisites. */

static bool
is_ip_any(const struct flow *flow)
{
    return dl_type_is_ip_any(flow->dl_type);
}

static bool
is_l4(const struct flow *flow, uint8_t proto)
{
    return is_ip_any(flow) && flow->nw_proto == proto;
}

static bool
is_icmpv6(const struct flow *flow)
{
    return flow->dl_type == htons(ETH_TYPE_IPV6)
           && flow->nw_proto == IPPROTO_ICMPV6;
}

/* True if FLOW is ND with ICMPv6 type TYPE (or either ND type if TYPE is
 * 0).  As in Open vSwitch, the code must be 0. */
static bool
is_nd(const struct flow *flow, int type)
{
    uint8_t t = ntohs(flow->tp_src) & 0xff;

    return is_icmpv6(flow)
           && (ntohs(flow->tp_dst) & 0xff) == 0
           && (type ? t == type
               : t == ND_NEIGHBOR_SOLICIT || t == ND_NEIGHBOR_ADVERT);
}

/* A match on conntrack fields other than ct_state is meaningful only for
 * a packet with a valid connection: one of the bits that imply it, or
 * "+trk-inv" (as Open vSwitch's is_ct_valid()).  With WC null, FLOW is a
 * packet's flow. */
static bool
is_ct_valid(const struct flow *flow, const struct flow_wildcards *wc)
{
    const uint16_t implies_valid = CS_NEW | CS_ESTABLISHED | CS_RELATED
                                   | CS_REPLY_DIR | CS_SRC_NAT | CS_DST_NAT;

    if (!wc) {
        return (flow->ct_state & CS_TRACKED)
               && !(flow->ct_state & CS_INVALID);
    }
    return (flow->ct_state & implies_valid)
           || ((flow->ct_state & CS_TRACKED)
               && (wc->masks.ct_state & CS_INVALID)
               && !(flow->ct_state & CS_INVALID));
}

static bool
prereqs_ok(enum mf_prereqs prereqs, const struct flow *flow,
           const struct flow_wildcards *wc)
{
    switch (prereqs) {
    case MFP_NONE:
    case MFP_ETHERNET:
        return true;
    case MFP_ARP:
        return (flow->dl_type == htons(ETH_TYPE_ARP)
                || flow->dl_type == htons(ETH_TYPE_RARP));
    case MFP_VLAN_VID:
    case MFP_INNER_VLAN:
        return (flow->vlans[0].tci & htons(VLAN_CFI)) != 0;
    case MFP_IPV4:
        return flow->dl_type == htons(ETH_TYPE_IP);
    case MFP_IPV6:
        return flow->dl_type == htons(ETH_TYPE_IPV6);
    case MFP_IP_ANY:
        return is_ip_any(flow);
    case MFP_MPLS:
        return eth_type_mpls(flow->dl_type);
    case MFP_CT:
        return is_ct_valid(flow, wc);
    case MFP_TCP:
        return is_l4(flow, IPPROTO_TCP);
    case MFP_UDP:
        return is_l4(flow, IPPROTO_UDP);
    case MFP_SCTP:
        return is_l4(flow, IPPROTO_SCTP);
    case MFP_TP_ANY:
        return (is_l4(flow, IPPROTO_TCP) || is_l4(flow, IPPROTO_UDP)
                || is_l4(flow, IPPROTO_SCTP));
    case MFP_ICMPV4:
        return (flow->dl_type == htons(ETH_TYPE_IP)
                && flow->nw_proto == IPPROTO_ICMP);
    case MFP_ICMPV6:
        return is_icmpv6(flow);
    case MFP_ND:
        return is_nd(flow, 0);
    case MFP_ND_SOLICIT:
        return is_nd(flow, ND_NEIGHBOR_SOLICIT);
    case MFP_ND_ADVERT:
        return is_nd(flow, ND_NEIGHBOR_ADVERT);
    }
    return false;
}

bool
mf_are_prereqs_ok(const struct mf_field *mf, const struct flow *flow)
{
    return prereqs_ok(mf->prereqs, flow, NULL);
}

bool
mf_are_match_prereqs_ok(const struct mf_field *mf, const struct match *m)
{
    return prereqs_ok(mf->prereqs, &m->flow, &m->wc);
}

const char *
mf_prereqs_to_string(enum mf_prereqs prereqs)
{
    switch (prereqs) {
    case MFP_NONE:
    case MFP_ETHERNET:
        return "nothing";
    case MFP_ARP:
        return "arp or rarp";
    case MFP_VLAN_VID:
        return "a VLAN header (vlan_vid with 0x1000 set)";
    case MFP_INNER_VLAN:
        return "an outer VLAN header (dl_vlan, or vlan_tci with 0x1000 set)";
    case MFP_IPV4:
        return "ip";
    case MFP_IPV6:
        return "ipv6";
    case MFP_IP_ANY:
        return "ip or ipv6";
    case MFP_MPLS:
        return "mpls or mplsm";
    case MFP_CT:
        return "a valid connection (ct_state +trk-inv, +new, +est, ...)";
    case MFP_TCP:
        return "tcp or tcp6";
    case MFP_UDP:
        return "udp or udp6";
    case MFP_SCTP:
        return "sctp or sctp6";
    case MFP_TP_ANY:
        return "tcp, udp or sctp";
    case MFP_ICMPV4:
        return "icmp";
    case MFP_ICMPV6:
        return "icmp6";
    case MFP_ND:
        return "icmp6 with icmp_type=135 or 136 and icmp_code=0";
    case MFP_ND_SOLICIT:
        return "icmp6 with icmp_type=135 and icmp_code=0";
    case MFP_ND_ADVERT:
        return "icmp6 with icmp_type=136 and icmp_code=0";
    }
    return "?";
}

/* ------------------------------------------------------------------ */
/* Ports and flags. */

static const struct {
    uint32_t port;
    const char *name;
} mf_port_names[] = {
    { MF_OFPP_IN_PORT, "IN_PORT" },
    { MF_OFPP_TABLE, "TABLE" },
    { MF_OFPP_NORMAL, "NORMAL" },
    { MF_OFPP_FLOOD, "FLOOD" },
    { MF_OFPP_ALL, "ALL" },
    { MF_OFPP_CONTROLLER, "CONTROLLER" },
    { MF_OFPP_LOCAL, "LOCAL" },
    { MF_OFPP_ANY, "ANY" },
    { MF_OFPP_ANY, "NONE" },            /* Accepted, never printed. */
};

/* Parses an unsigned decimal or 0x-hex number that fills all of S into
 * *X.  Returns false on syntax error or overflow of 64 bits. */
static bool
parse_u64(const char *s, uint64_t *x)
{
    int base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        int d;
        if (isdigit((unsigned char) *s)) {
            d = *s - '0';
        } else if (base == 16 && isxdigit((unsigned char) *s)) {
            d = tolower((unsigned char) *s) - 'a' + 10;
        } else {
            return false;
        }
        if (v > (UINT64_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
    }
    *x = v;
    return true;
}

bool
mf_port_from_string(const char *s, uint32_t *port)
{
    uint64_t x;

    for (size_t i = 0; i < ARRAY_SIZE(mf_port_names); i++) {
        if (!strcasecmp(s, mf_port_names[i].name)) {
            *port = mf_port_names[i].port;
            return true;
        }
    }
    if (!parse_u64(s, &x) || x > UINT32_MAX) {
        return false;
    }
    /* OpenFlow 1.0 reserved port numbers name the same ports as their
     * 32-bit counterparts, as ovs-ofctl accepts "in_port=65534". */
    if (x >= 0xff00 && x <= 0xffff) {
        x += 0xffff0000u;
    }
    *port = x;
    return true;
}

void
mf_format_port(uint32_t port, struct ds *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(mf_port_names); i++) {
        if (mf_port_names[i].port == port) {
            ds_put_cstr(s, mf_port_names[i].name);
            return;
        }
    }
    ds_put_format(s, "%"PRIu32, port);
}

const char *
mf_tcp_flag_to_string(uint32_t bit)
{
    switch (bit) {
    case TCP_FIN: return "fin";
    case TCP_SYN: return "syn";
    case TCP_RST: return "rst";
    case TCP_PSH: return "psh";
    case TCP_ACK: return "ack";
    case TCP_URG: return "urg";
    case TCP_ECE: return "ece";
    case TCP_CWR: return "cwr";
    case TCP_NS: return "ns";
    case 0x200: return "[200]";
    case 0x400: return "[400]";
    case 0x800: return "[800]";
    default: return NULL;
    }
}

const char *
mf_ct_state_to_string(uint32_t bit)
{
    switch (bit) {
    case CS_NEW: return "new";
    case CS_ESTABLISHED: return "est";
    case CS_RELATED: return "rel";
    case CS_REPLY_DIR: return "rpl";
    case CS_INVALID: return "inv";
    case CS_TRACKED: return "trk";
    case CS_SRC_NAT: return "snat";
    case CS_DST_NAT: return "dnat";
    default: return NULL;
    }
}

const char *
mf_tnl_flag_to_string(uint32_t bit)
{
    return bit == 1 ? "oam" : NULL;
}

void
mf_format_flags_masked(struct ds *s, const char *(*bit_to_string)(uint32_t),
                       uint32_t flags, uint32_t mask, uint32_t max_mask)
{
    if (mask == max_mask) {
        uint32_t bad = 0;
        bool any = false;

        if (!flags) {
            ds_put_char(s, '0');
            return;
        }
        for (uint32_t left = flags; left; left &= left - 1) {
            uint32_t bit = left & -left;
            const char *name = bit_to_string(bit);
            if (name) {
                ds_put_format(s, "%s%s", any ? "|" : "", name);
                any = true;
            } else {
                bad |= bit;
            }
        }
        if (bad) {
            ds_put_format(s, "%s0x%"PRIx32, any ? "|" : "", bad);
        }
    } else if (!mask) {
        ds_put_cstr(s, "0/0");
    } else {
        for (uint32_t left = mask; left; left &= left - 1) {
            uint32_t bit = left & -left;
            const char *name = bit_to_string(bit);
            ds_put_char(s, flags & bit ? '+' : '-');
            if (name) {
                ds_put_cstr(s, name);
            } else {
                ds_put_format(s, "0x%"PRIx32, bit);
            }
        }
    }
}

/* Parses flags in any of the forms ovs-ofctl accepts:
 *   - "VALUE" or "VALUE/MASK", numbers;
 *   - "+name-name...", which matches the named bits only;
 *   - "name|name|..." (or a number among them), which matches all bits.
 * ALLOWED is the set of valid bits.  FIELD names the field and LABEL
 * the kind of flags in error messages, which follow ovs-ofctl's. */
static char *
parse_flags(const char *s, const char *(*bit_to_string)(uint32_t),
            uint32_t allowed, const char *field, const char *label,
            uint32_t *flagsp, uint32_t *maskp)
{
    const char *slash = strchr(s, '/');
    uint32_t flags = 0, mask = 0;

    if (isdigit((unsigned char) s[0]) && slash) {
        char *v = xmemdup0(s, slash - s);
        uint64_t f, m;
        bool ok = parse_u64(v, &f) && parse_u64(slash + 1, &m);

        free(v);
        if (!ok) {
            return xasprintf("%s: bad syntax for %s", s, field);
        }
        if ((f | m) & ~(uint64_t) allowed) {
            return xasprintf("%s: unknown %s flag(s)", s, label);
        }
        *flagsp = f;
        *maskp = m;
        return NULL;
    }

    if (s[0] == '+' || s[0] == '-') {
        while (*s) {
            bool set = *s == '+';
            size_t len;
            uint32_t bit;

            if (*s != '+' && *s != '-') {
                return xasprintf("%s: %s must be preceded by '+' (add) or "
                                 "'-' (remove)", field, s);
            }
            s++;
            len = strcspn(s, "+-");
            for (bit = 1; bit && bit <= allowed; bit <<= 1) {
                const char *name = bit_to_string(bit);
                if (name && (allowed & bit) && strlen(name) == len
                    && !strncmp(name, s, len)) {
                    break;
                }
            }
            if (!bit || bit > allowed) {
                return xasprintf("%.*s: unknown %s flag(s)",
                                 (int) len, s, label);
            }
            if (mask & bit) {
                return xasprintf("%.*s: Each %s flag can be specified only "
                                 "once", (int) len, s, label);
            }
            mask |= bit;
            if (set) {
                flags |= bit;
            }
            s += len;
        }
        *flagsp = flags;
        *maskp = mask;
        return NULL;
    }

    if (!*s) {
        return xasprintf("%s: missing flags", field);
    }
    while (*s) {
        size_t len = strcspn(s, "|");
        char *word = xmemdup0(s, len);
        uint64_t n;
        uint32_t bit = 0;

        if (parse_u64(word, &n)) {
            if (n & ~(uint64_t) allowed) {
                char *error = xasprintf("%s: unknown %s flag(s)",
                                        word, label);
                free(word);
                return error;
            }
            flags |= n;
        } else {
            for (bit = 1; bit && bit <= allowed; bit <<= 1) {
                const char *name = bit_to_string(bit);
                if (name && (allowed & bit) && !strcmp(name, word)) {
                    break;
                }
            }
            if (!bit || bit > allowed) {
                char *error = xasprintf("%s: unknown %s flag(s)",
                                        word, label);
                free(word);
                return error;
            }
            flags |= bit;
        }
        free(word);
        s += len;
        if (*s == '|') {
            s++;
            if (!*s) {
                return xasprintf("%s: trailing '|'", field);
            }
        }
    }
    *flagsp = flags;
    *maskp = allowed;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Text. */

/* Parses S (decimal or 0x-hex, of any length) into N big-endian bytes at
 * OUT.  Returns 0 on success, EINVAL on a syntax error, ERANGE if the
 * number does not fit. */
static int
parse_wide_uint(const char *s, uint8_t *out, size_t n)
{
    int base = 10;

    memset(out, 0, n);
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || strspn(s, base == 16 ? "0123456789abcdefABCDEF"
                      : "0123456789") != strlen(s)) {
        return EINVAL;
    }
    for (; *s; s++) {
        unsigned int carry = (isdigit((unsigned char) *s) ? *s - '0'
                              : tolower((unsigned char) *s) - 'a' + 10);

        /* OUT = OUT * BASE + digit, byte by byte from the low end. */
        for (size_t i = n; i-- > 0; ) {
            unsigned int x = out[i] * base + carry;
            out[i] = x;
            carry = x >> 8;
        }
        if (carry) {
            return ERANGE;
        }
    }
    return 0;
}

static const struct {
    const char *name;
    uint8_t value;
    uint8_t mask;
} frag_names[] = {
    { "no", 0, FLOW_NW_FRAG_ANY },
    { "yes", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY },
    { "first", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_MASK },
    { "later", FLOW_NW_FRAG_MASK, FLOW_NW_FRAG_MASK },
    { "not_later", 0, FLOW_NW_FRAG_LATER },
};

static char *
parse_integer(const struct mf_field *mf, const char *s,
              union mf_value *value, union mf_value *mask)
{
    const char *slash = strchr(s, '/');
    char *v = slash ? xmemdup0(s, slash - s) : xstrdup(s);
    int error = parse_wide_uint(v, value->bytes, mf->n_bytes);

    free(v);
    if (!error && slash) {
        error = parse_wide_uint(slash + 1, mask->bytes, mf->n_bytes);
        if (error == ERANGE) {
            return xasprintf("%s: mask too large for %u-byte field %s",
                             s, mf->n_bytes, mf->name);
        }
    } else if (!error) {
        mf_exact_mask(mf, mask);
    }
    if (error == ERANGE) {
        return xasprintf("%s: value too large for %u-byte field %s",
                         s, mf->n_bytes, mf->name);
    } else if (error) {
        return xasprintf("%s: bad syntax for %s", s, mf->name);
    }
    return NULL;
}

static char *
mf_parse__(const struct mf_field *mf, const char *s,
           union mf_value *value, union mf_value *mask)
{
    char *error;

    switch (mf->string) {
    case MFS_DECIMAL:
    case MFS_HEXADECIMAL:
        return parse_integer(mf, s, value, mask);

    case MFS_ETHERNET:
        error = eth_addr_parse_masked(s, &value->mac, &mask->mac);
        break;

    case MFS_IPV4:
        error = ip_parse_masked(s, &value->be32, &mask->be32);
        break;

    case MFS_IPV6:
        error = ipv6_parse_masked(s, &value->ipv6, &mask->ipv6);
        break;

    case MFS_OFP_PORT: {
        uint32_t port;
        if (!mf_port_from_string(s, &port)) {
            return xasprintf("%s: invalid or unknown port for %s",
                             s, mf->name);
        }
        value->be32 = htonl(port);
        mask->be32 = UINT32_MAX;
        return NULL;
    }

    case MFS_FRAG:
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (!strcasecmp(s, frag_names[i].name)) {
                value->u8 = frag_names[i].value;
                mask->u8 = frag_names[i].mask;
                return NULL;
            }
        }
        if (isdigit((unsigned char) s[0])) {
            return parse_integer(mf, s, value, mask);
        }
        return xasprintf("%s: unknown fragment type (valid types are "
                         "\"no\", \"yes\", \"first\", \"later\", "
                         "\"not_later\")", s);

    case MFS_TNL_FLAGS:
    case MFS_TCP_FLAGS:
    case MFS_CT_STATE: {
        const char *(*names)(uint32_t) =
            (mf->string == MFS_TNL_FLAGS ? mf_tnl_flag_to_string
             : mf->string == MFS_TCP_FLAGS ? mf_tcp_flag_to_string
             : mf_ct_state_to_string);
        uint32_t flags = 0, fmask = 0;

        const char *label = (mf->string == MFS_TNL_FLAGS ? "tunnel"
                             : mf->string == MFS_TCP_FLAGS ? "TCP"
                             : "ct_state");

        error = parse_flags(s, names, mf_value_bits(mf), mf->name, label,
                            &flags, &fmask);
        if (!error) {
            be_store(value->bytes, mf->n_bytes, flags);
            be_store(mask->bytes, mf->n_bytes, fmask);
        }
        return error;
    }

    default:
        PLX_NOT_REACHED();
    }

    return error;
}

char *
mf_parse(const struct mf_field *mf, const char *s,
         union mf_value *value, union mf_value *mask)
{
    char *error;

    memset(value, 0, sizeof *value);
    memset(mask, 0, sizeof *mask);
    if (!mf->supported) {
        return xasprintf("%s: field not supported by this switch",
                         mf->name);
    }
    if (!strcmp(s, "*")) {
        return NULL;
    }

    error = mf_parse__(mf, s, value, mask);
    if (error) {
        return error;
    }
    if (!mf_is_value_valid(mf, value)) {
        return xasprintf("%s: value not valid for field %s", s, mf->name);
    }
    if (!mf_is_mask_valid(mf, mask)) {
        return xasprintf("%s: invalid mask for field %s", s, mf->name);
    }
    return NULL;
}

char *
mf_parse_value(const struct mf_field *mf, const char *s,
               union mf_value *value)
{
    union mf_value mask;
    char *error = mf_parse(mf, s, value, &mask);

    if (!error && !mf_mask_is_exact(mf, &mask)) {
        error = xasprintf("%s: a value for %s may not be masked",
                          s, mf->name);
    }
    return error;
}

/* Hex digits ovs-ofctl uses for a few fields ("dl_type=0x0800"); 0 means
 * "0x" followed by as many digits as needed, and just "0" for zero. */
static int
mf_hex_digits(const struct mf_field *mf)
{
    switch (mf->id) {
    case MFF_ETH_TYPE:
    case MFF_VLAN_TCI:
    case MFF_VLAN_TCI1:
        return 4;
    case MFF_IPV6_LABEL:
        return 5;
    default:
        return 0;
    }
}

static void
format_hex(struct ds *s, const uint8_t *p, size_t n, int digits)
{
    if (digits) {
        ds_put_format(s, "0x%0*"PRIx64, digits, be_load(p, n));
        return;
    }
    while (n > 0 && !*p) {
        p++;
        n--;
    }
    if (!n) {
        ds_put_char(s, '0');
        return;
    }
    ds_put_format(s, "0x%"PRIx8, *p);
    for (size_t i = 1; i < n; i++) {
        ds_put_format(s, "%02"PRIx8, p[i]);
    }
}

void
mf_format(const struct mf_field *mf, const union mf_value *value,
          const union mf_value *mask, struct ds *s)
{
    bool exact = !mask || mf_mask_is_exact(mf, mask);

    switch (mf->string) {
    case MFS_DECIMAL:
        if (exact) {
            ds_put_format(s, "%"PRIu64, be_load(value->bytes, mf->n_bytes));
        } else {
            ds_put_format(s, "0x%"PRIx64"/0x%"PRIx64,
                          be_load(value->bytes, mf->n_bytes),
                          be_load(mask->bytes, mf->n_bytes));
        }
        break;

    case MFS_HEXADECIMAL:
        format_hex(s, value->bytes, mf->n_bytes, mf_hex_digits(mf));
        if (!exact) {
            ds_put_char(s, '/');
            format_hex(s, mask->bytes, mf->n_bytes, mf_hex_digits(mf));
        }
        break;

    case MFS_ETHERNET:
        eth_format_masked(value->mac, exact ? NULL : &mask->mac, s);
        break;

    case MFS_IPV4:
        ip_format_masked(value->be32, exact ? UINT32_MAX : mask->be32, s);
        break;

    case MFS_IPV6:
        ipv6_format_masked(&value->ipv6, exact ? &in6addr_exact
                           : &mask->ipv6, s);
        break;

    case MFS_OFP_PORT:
        mf_format_port(ntohl(value->be32), s);
        break;

    case MFS_FRAG: {
        uint8_t v = value->u8;
        uint8_t m = exact ? FLOW_NW_FRAG_MASK : mask->u8;
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (frag_names[i].value == v && frag_names[i].mask == m) {
                ds_put_cstr(s, frag_names[i].name);
                return;
            }
        }
        ds_put_format(s, "0x%"PRIx8"/0x%"PRIx8, v, m);
        break;
    }

    case MFS_TNL_FLAGS:
    case MFS_TCP_FLAGS:
    case MFS_CT_STATE: {
        const char *(*names)(uint32_t) =
            (mf->string == MFS_TNL_FLAGS ? mf_tnl_flag_to_string
             : mf->string == MFS_TCP_FLAGS ? mf_tcp_flag_to_string
             : mf_ct_state_to_string);
        uint32_t max = mf_value_bits(mf);
        uint32_t m = exact ? max : be_load(mask->bytes, mf->n_bytes);

        /* ovs-ofctl always writes tun_flags as "+oam" or "-oam". */
        mf_format_flags_masked(s, names, be_load(value->bytes, mf->n_bytes),
                               m, mf->string == MFS_TNL_FLAGS ? 0 : max);
        break;
    }
    }
}
