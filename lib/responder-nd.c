/* responder-nd: IPv6 router and neighbor discovery (RFC 4861, SLAAC of
 * RFC 4862, RDNSS of RFC 8106) and ping for the gateway's link-local
 * address.  See responder.h for the behaviour. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include "csum.h"
#include "responder-private.h"
#include "util.h"

#define ND_OPT_RDNSS_TYPE 25
#define ND_PREFIX_FLAG_ONLINK 0x80
#define ND_PREFIX_FLAG_AUTO 0x40
#define RA_HEADER_LEN 16
#define RS_HEADER_LEN 8

static const struct in6_addr all_routers = {
    { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 } }
};
static const struct eth_addr eth_all_nodes = {
    { { 0x33, 0x33, 0, 0, 0, 0x01 } }
};

/* A parsed ICMPv6 message. */
struct nd_req {
    struct in6_addr src, dst;
    uint8_t hop_limit;
    const uint8_t *icmp;
    size_t len;
};

static bool
is_solicited_node(const struct in6_addr *dst, const struct in6_addr *target)
{
    static const uint8_t prefix[13] = {
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
    };
    return (!memcmp(dst->s6_addr, prefix, sizeof prefix)
            && !memcmp(&dst->s6_addr[13], &target->s6_addr[13], 3));
}

/* Checks the ND options from OFS to the end of REQ's message: each must
 * have a nonzero length and fit.  Sets *HAS_SLLA if a source link-layer
 * address option is among them. */
static int
check_options(const struct nd_req *req, size_t ofs, bool *has_slla)
{
    *has_slla = false;
    while (ofs < req->len) {
        if (req->len - ofs < 2) {
            return EINVAL;
        }
        size_t olen = req->icmp[ofs + 1] * 8;
        if (!olen || olen > req->len - ofs) {
            return EINVAL;
        }
        if (req->icmp[ofs] == ND_OPT_SOURCE_LINKADDR_TYPE) {
            *has_slla = true;
        }
        ofs += olen;
    }
    return 0;
}

static int
handle_rs(struct responder *r, const struct rsp_frame *f,
          const struct nd_req *req, struct rsp_out *out)
{
    const struct responder_config *cfg = &r->cfg;
    bool from_any = ipv6_is_zero(&req->src), has_slla;

    if (!ipv6_addr_equals(&req->dst, &all_routers)
        && !ipv6_addr_equals(&req->dst, &r->gw_ll)) {
        return ENOENT;
    }
    if (req->hop_limit != 255 || req->icmp[1] != 0
        || req->len < RS_HEADER_LEN
        || check_options(req, RS_HEADER_LEN, &has_slla)
        || (from_any && has_slla)) {
        return EINVAL;
    }

    rsp_out_eth(out, r, f, from_any ? eth_all_nodes : f->src,
                ETH_TYPE_IPV6);
    size_t ip6_ofs = rsp_out_ip6(out, &r->gw_ll,
                                 from_any ? &in6addr_all_hosts : &req->src);
    rsp_put_u8(out, ND_ROUTER_ADVERT);
    rsp_put_u8(out, 0);
    rsp_put_u16(out, 0);                /* Checksum, later. */
    rsp_put_u8(out, 64);                /* Cur hop limit. */
    rsp_put_u8(out, 0);                 /* M = O = 0: SLAAC only. */
    rsp_put_u16(out, cfg->router_lifetime);
    rsp_put_u32(out, 0);                /* Reachable time: unspecified. */
    rsp_put_u32(out, 0);                /* Retrans timer: unspecified. */

    rsp_put_u8(out, ND_OPT_SOURCE_LINKADDR_TYPE);
    rsp_put_u8(out, 1);
    rsp_put(out, cfg->gw_mac.ea, ETH_ADDR_LEN);

    if (cfg->mtu >= 1280) {             /* IPv6's minimum link MTU. */
        rsp_put_u8(out, ND_OPT_MTU_TYPE);
        rsp_put_u8(out, 1);
        rsp_put_u16(out, 0);
        rsp_put_u32(out, cfg->mtu);
    }

    rsp_put_u8(out, ND_OPT_PREFIX_INFO_TYPE);
    rsp_put_u8(out, 4);
    rsp_put_u8(out, 64);
    rsp_put_u8(out, ND_PREFIX_FLAG_ONLINK | ND_PREFIX_FLAG_AUTO);
    rsp_put_u32(out, cfg->valid_lifetime);
    rsp_put_u32(out, cfg->preferred_lifetime);
    rsp_put_u32(out, 0);
    rsp_put(out, &cfg->prefix6, sizeof cfg->prefix6);

    if (cfg->n_rdnss) {
        rsp_put_u8(out, ND_OPT_RDNSS_TYPE);
        rsp_put_u8(out, 1 + 2 * cfg->n_rdnss);
        rsp_put_u16(out, 0);
        rsp_put_u32(out, cfg->rdnss_lifetime);
        rsp_put(out, cfg->rdnss, cfg->n_rdnss * sizeof cfg->rdnss[0]);
    }
    rsp_out_ip6_finish(out, ip6_ofs);
    return 0;
}

static int
handle_ns(struct responder *r, const struct rsp_frame *f,
          const struct nd_req *req, struct rsp_out *out)
{
    bool from_any = ipv6_is_zero(&req->src), has_slla;
    struct in6_addr target;

    if (req->hop_limit != 255 || req->icmp[1] != 0 || req->len < ND_MSG_LEN) {
        return EINVAL;
    }
    memcpy(&target, req->icmp + 8, sizeof target);
    if (ipv6_addr_is_multicast(&target)
        || check_options(req, ND_MSG_LEN, &has_slla)
        || (from_any && (has_slla
                         || !is_solicited_node(&req->dst, &target)))) {
        return EINVAL;
    }
    if (!ipv6_addr_equals(&target, &r->gw_ll)
        || (!ipv6_addr_equals(&req->dst, &target)
            && !is_solicited_node(&req->dst, &target))) {
        return ENOENT;
    }

    uint32_t flags = ND_RSO_ROUTER | ND_RSO_OVERRIDE;
    if (!from_any) {
        flags |= ND_RSO_SOLICITED;
    }
    rsp_out_eth(out, r, f, from_any ? eth_all_nodes : f->src,
                ETH_TYPE_IPV6);
    size_t ip6_ofs = rsp_out_ip6(out, &r->gw_ll,
                                 from_any ? &in6addr_all_hosts : &req->src);
    rsp_put_u8(out, ND_NEIGHBOR_ADVERT);
    rsp_put_u8(out, 0);
    rsp_put_u16(out, 0);                /* Checksum, later. */
    rsp_put_u32(out, flags);
    rsp_put(out, &target, sizeof target);
    rsp_put_u8(out, ND_OPT_TARGET_LINKADDR_TYPE);
    rsp_put_u8(out, 1);
    rsp_put(out, r->cfg.gw_mac.ea, ETH_ADDR_LEN);
    rsp_out_ip6_finish(out, ip6_ofs);
    return 0;
}

static int
handle_echo6(struct responder *r, const struct rsp_frame *f,
             const struct nd_req *req, struct rsp_out *out)
{
    if (!ipv6_addr_equals(&req->dst, &r->gw_ll)) {
        return ENOENT;
    }
    if (req->len < 8) {
        return EINVAL;
    }
    if (req->icmp[1] != 0 || ipv6_is_zero(&req->src)
        || ipv6_addr_is_multicast(&req->src)
        || req->len > ETH_PAYLOAD_MAX - IPV6_HEADER_LEN) {
        return ENOENT;
    }

    rsp_out_eth(out, r, f, f->src, ETH_TYPE_IPV6);
    size_t ip6_ofs = rsp_out_ip6(out, &r->gw_ll, &req->src);
    rsp_put_u8(out, ICMP6_ECHO_REPLY);
    rsp_put_u8(out, 0);
    rsp_put_u16(out, 0);                /* Checksum, later. */
    rsp_put(out, req->icmp + 4, req->len - 4);
    rsp_out_ip6_finish(out, ip6_ofs);
    /* Echo replies go out with hop limit 64, not ND's 255. */
    out->buf[ip6_ofs + 7] = 64;
    return 0;
}

int
rsp_nd_handle(struct responder *r, const struct rsp_frame *f,
              struct rsp_out *out)
{
    const uint8_t *h = f->l3;
    struct nd_req req;

    if (!ipv6_addr_is_set(&r->cfg.prefix6)) {
        return ENOENT;
    }
    if (f->l3_len < IPV6_HEADER_LEN || (h[0] >> 4) != 6) {
        return EINVAL;
    }
    size_t payload_len = rsp_get16(h + 4);
    if (payload_len > f->l3_len - IPV6_HEADER_LEN) {
        return EINVAL;
    }
    if (h[6] != IPPROTO_ICMPV6) {
        return ENOENT;
    }
    if (!eth_addr_is_multicast(f->dst)
        && !eth_addr_equals(f->dst, r->cfg.gw_mac)) {
        return ENOENT;
    }

    req.hop_limit = h[7];
    memcpy(&req.src, h + 8, sizeof req.src);
    memcpy(&req.dst, h + 24, sizeof req.dst);
    req.icmp = h + IPV6_HEADER_LEN;
    req.len = payload_len;
    if (req.len < ICMP6_HEADER_LEN) {
        return EINVAL;
    }

    uint8_t type = req.icmp[0];
    if (type != ND_ROUTER_SOLICIT && type != ND_NEIGHBOR_SOLICIT
        && type != ICMP6_ECHO_REQUEST) {
        return ENOENT;
    }
    if (ipv6_addr_is_multicast(&req.src)) {
        return EINVAL;
    }
    if (csum_finish(csum_continue(csum_pseudoheader6(&req.src, &req.dst,
                                                     IPPROTO_ICMPV6,
                                                     req.len),
                                  req.icmp, req.len))) {
        return EINVAL;
    }
    switch (type) {
    case ND_ROUTER_SOLICIT:
        return handle_rs(r, f, &req, out);
    case ND_NEIGHBOR_SOLICIT:
        return handle_ns(r, f, &req, out);
    default:
        return handle_echo6(r, f, &req, out);
    }
}
