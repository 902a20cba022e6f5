/* responder: configuration, frame parsing, ARP and ICMP echo, and the
 * reply builders shared with responder-dhcp.c and responder-nd.c.  See
 * responder.h for the design and responder-private.h for the seams. */
#include <config.h>
#include "responder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "responder-private.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Configuration. */

static bool
in_subnet(const struct responder_config *cfg, plx_be32 ip)
{
    return (ip & be32_prefix_mask(cfg->plen)) == cfg->network;
}

/* True if IP is in CFG's subnet and neither its network nor its
 * broadcast address. */
static bool
is_host_addr(const struct responder_config *cfg, plx_be32 ip)
{
    plx_be32 mask = be32_prefix_mask(cfg->plen);
    return (in_subnet(cfg, ip) && ip != cfg->network
            && ip != (cfg->network | ~mask));
}

char *
responder_config_check(const struct responder_config *cfg)
{
    if (cfg->plen < 1 || cfg->plen > 30) {
        return xasprintf("prefix length %u is not in 1...30", cfg->plen);
    }
    if (cfg->network & ~be32_prefix_mask(cfg->plen)) {
        return xasprintf(IP_FMT"/%u is not a network address",
                         IP_ARGS(cfg->network), cfg->plen);
    }
    if (!is_host_addr(cfg, cfg->gw_ip)) {
        return xasprintf("gateway "IP_FMT" is not a host of "IP_FMT"/%u",
                         IP_ARGS(cfg->gw_ip), IP_ARGS(cfg->network),
                         cfg->plen);
    }
    if (eth_addr_is_zero(cfg->gw_mac) || eth_addr_is_multicast(cfg->gw_mac)) {
        return xstrdup("gateway MAC must be a unicast address");
    }
    if (cfg->pool_first || cfg->pool_last) {
        if (!is_host_addr(cfg, cfg->pool_first)
            || !is_host_addr(cfg, cfg->pool_last)
            || ntohl(cfg->pool_first) > ntohl(cfg->pool_last)) {
            return xasprintf("DHCP pool "IP_FMT"-"IP_FMT" is not a range of "
                             "hosts of the subnet", IP_ARGS(cfg->pool_first),
                             IP_ARGS(cfg->pool_last));
        }
    }
    if (cfg->lease_time && cfg->lease_time < 60) {
        return xasprintf("lease time %"PRIu32" s is under 60 s",
                         cfg->lease_time);
    }
    if (cfg->n_dns > RESPONDER_MAX_DNS || cfg->n_rdnss > RESPONDER_MAX_DNS) {
        return xasprintf("at most %d DNS servers", RESPONDER_MAX_DNS);
    }
    if (cfg->domain_name && strlen(cfg->domain_name) > RESPONDER_DOMAIN_MAX) {
        return xstrdup("domain name too long");
    }
    if (cfg->mtu && cfg->mtu < 68) {
        return xasprintf("MTU %u is under 68", cfg->mtu);
    }
    for (size_t i = 0; i < cfg->n_reservations; i++) {
        const struct responder_reservation *a = &cfg->reservations[i];
        if (!is_host_addr(cfg, a->ip) || a->ip == cfg->gw_ip) {
            return xasprintf("reserved address "IP_FMT" is not a free host "
                             "of the subnet", IP_ARGS(a->ip));
        }
        if (eth_addr_is_zero(a->mac) || eth_addr_is_multicast(a->mac)) {
            return xstrdup("reservation for a non-unicast MAC");
        }
        for (size_t j = 0; j < i; j++) {
            const struct responder_reservation *b = &cfg->reservations[j];
            if (a->ip == b->ip || eth_addr_equals(a->mac, b->mac)) {
                return xasprintf("reservations %zu and %zu overlap", j, i);
            }
        }
    }
    if (ipv6_addr_is_set(&cfg->prefix6)) {
        static const uint8_t zero[8];
        if (memcmp(&cfg->prefix6.s6_addr[8], zero, 8)
            || ipv6_addr_is_multicast(&cfg->prefix6)) {
            return xstrdup("IPv6 prefix must be a unicast /64");
        }
    }
    return NULL;
}

static void
set_config(struct responder *r, const struct responder_config *cfg)
{
    free(r->domain);
    free(r->resv);

    r->cfg = *cfg;
    r->domain = (cfg->domain_name && cfg->domain_name[0]
                 ? xstrdup(cfg->domain_name) : NULL);
    r->cfg.domain_name = r->domain;
    r->resv = (cfg->n_reservations
               ? xmemdup(cfg->reservations,
                         cfg->n_reservations * sizeof *cfg->reservations)
               : NULL);
    r->cfg.reservations = r->resv;

    if (!r->cfg.lease_time) {
        r->cfg.lease_time = RESPONDER_DEFAULT_LEASE_TIME;
    }
    if (!r->cfg.offer_hold) {
        r->cfg.offer_hold = RESPONDER_DEFAULT_OFFER_HOLD;
    }
    if (!r->cfg.router_lifetime) {
        r->cfg.router_lifetime = RESPONDER_DEFAULT_ROUTER_LIFETIME;
    }
    if (!r->cfg.valid_lifetime) {
        r->cfg.valid_lifetime = RESPONDER_DEFAULT_VALID_LIFETIME;
    }
    if (!r->cfg.preferred_lifetime) {
        r->cfg.preferred_lifetime = RESPONDER_DEFAULT_PREFERRED_LIFETIME;
    }
    if (r->cfg.preferred_lifetime > r->cfg.valid_lifetime) {
        r->cfg.preferred_lifetime = r->cfg.valid_lifetime;
    }
    if (!r->cfg.rdnss_lifetime) {
        r->cfg.rdnss_lifetime = 3 * (uint32_t) r->cfg.router_lifetime;
    }

    if (cfg->pool_first || cfg->pool_last) {
        r->pool_lo = ntohl(cfg->pool_first);
        r->pool_hi = ntohl(cfg->pool_last);
    } else {
        r->pool_lo = 1;
        r->pool_hi = 0;
    }
    r->gw_ll = responder_link_local(cfg->gw_mac);
}

struct responder *
responder_create(const struct responder_config *cfg)
{
    char *error = responder_config_check(cfg);
    if (error) {
        free(error);
        return NULL;
    }

    struct responder *r = xzalloc(sizeof *r);
    set_config(r, cfg);
    rsp_dhcp_init(r);
    return r;
}

int
responder_reconfigure(struct responder *r, const struct responder_config *cfg)
{
    char *error = responder_config_check(cfg);
    if (error) {
        free(error);
        return EINVAL;
    }
    set_config(r, cfg);
    rsp_dhcp_reconfigured(r);
    return 0;
}

void
responder_destroy(struct responder *r)
{
    if (r) {
        rsp_dhcp_destroy(r);
        free(r->domain);
        free(r->resv);
        free(r);
    }
}

struct in6_addr
responder_link_local(struct eth_addr mac)
{
    struct in6_addr a;

    memset(&a, 0, sizeof a);
    a.s6_addr[0] = 0xfe;
    a.s6_addr[1] = 0x80;
    a.s6_addr[8] = mac.ea[0] ^ 0x02;
    a.s6_addr[9] = mac.ea[1];
    a.s6_addr[10] = mac.ea[2];
    a.s6_addr[11] = 0xff;
    a.s6_addr[12] = 0xfe;
    a.s6_addr[13] = mac.ea[3];
    a.s6_addr[14] = mac.ea[4];
    a.s6_addr[15] = mac.ea[5];
    return a;
}

/* ------------------------------------------------------------------ */
/* Reply builders. */

void *
rsp_put(struct rsp_out *out, const void *p, size_t n)
{
    if (n > sizeof out->buf - out->n) {
        out->overflow = true;
        return NULL;
    }
    void *dst = &out->buf[out->n];
    if (n) {
        memcpy(dst, p, n);
    }
    out->n += n;
    return dst;
}

void *
rsp_put_zeros(struct rsp_out *out, size_t n)
{
    if (n > sizeof out->buf - out->n) {
        out->overflow = true;
        return NULL;
    }
    void *dst = &out->buf[out->n];
    memset(dst, 0, n);
    out->n += n;
    return dst;
}

void
rsp_put_u8(struct rsp_out *out, uint8_t x)
{
    rsp_put(out, &x, 1);
}

void
rsp_put_u16(struct rsp_out *out, uint16_t x)
{
    uint8_t b[2] = { x >> 8, x };
    rsp_put(out, b, 2);
}

void
rsp_put_u32(struct rsp_out *out, uint32_t x)
{
    uint8_t b[4] = { x >> 24, x >> 16, x >> 8, x };
    rsp_put(out, b, 4);
}

void
rsp_put_be32(struct rsp_out *out, plx_be32 x)
{
    rsp_put(out, &x, 4);
}

void
rsp_set16(struct rsp_out *out, size_t ofs, uint16_t x)
{
    if (ofs + 2 <= out->n) {
        out->buf[ofs] = x >> 8;
        out->buf[ofs + 1] = x;
    }
}

void
rsp_out_eth(struct rsp_out *out, const struct responder *r,
            const struct rsp_frame *req, struct eth_addr dst,
            uint16_t eth_type)
{
    rsp_put(out, dst.ea, ETH_ADDR_LEN);
    rsp_put(out, r->cfg.gw_mac.ea, ETH_ADDR_LEN);
    rsp_put(out, req->tags, req->n_tag_bytes);
    rsp_put_u16(out, eth_type);
}

size_t
rsp_out_ip4(struct rsp_out *out, uint8_t proto, plx_be32 src, plx_be32 dst)
{
    size_t ofs = out->n;

    rsp_put_u8(out, IP_IHL_VER(5, IP_VERSION));
    rsp_put_u8(out, 0);                 /* TOS. */
    rsp_put_u16(out, 0);                /* Total length, later. */
    rsp_put_u16(out, 0);                /* Id. */
    rsp_put_u16(out, IP_DONT_FRAGMENT);
    rsp_put_u8(out, 64);                /* TTL. */
    rsp_put_u8(out, proto);
    rsp_put_u16(out, 0);                /* Checksum, later. */
    rsp_put_be32(out, src);
    rsp_put_be32(out, dst);
    return ofs;
}

void
rsp_out_ip4_finish(struct rsp_out *out, size_t ofs)
{
    if (out->overflow || ofs + IP_HEADER_LEN > out->n) {
        out->overflow = true;
        return;
    }

    uint8_t *ip = &out->buf[ofs];
    uint8_t *l4 = ip + IP_HEADER_LEN;
    size_t tot_len = out->n - ofs;
    size_t l4_len = tot_len - IP_HEADER_LEN;
    plx_be16 c;

    rsp_set16(out, ofs + 2, tot_len);
    c = csum(ip, IP_HEADER_LEN);
    memcpy(ip + 10, &c, 2);

    if (ip[9] == IPPROTO_UDP && l4_len >= UDP_HEADER_LEN) {
        plx_be32 src = rsp_get_be32(ip + 12), dst = rsp_get_be32(ip + 16);
        rsp_set16(out, ofs + IP_HEADER_LEN + 4, l4_len);
        memset(l4 + 6, 0, 2);
        c = csum_finish(csum_continue(csum_pseudoheader4(src, dst,
                                                         IPPROTO_UDP,
                                                         l4_len),
                                      l4, l4_len));
        if (!c) {
            c = htons(0xffff);      /* RFC 768: zero means "none". */
        }
        memcpy(l4 + 6, &c, 2);
    } else if (ip[9] == IPPROTO_ICMP && l4_len >= ICMP_HEADER_LEN) {
        memset(l4 + 2, 0, 2);
        c = csum(l4, l4_len);
        memcpy(l4 + 2, &c, 2);
    }
}

size_t
rsp_out_ip6(struct rsp_out *out, const struct in6_addr *src,
            const struct in6_addr *dst)
{
    size_t ofs = out->n;

    rsp_put_u32(out, 0x60000000);       /* Version 6, TC 0, label 0. */
    rsp_put_u16(out, 0);                /* Payload length, later. */
    rsp_put_u8(out, IPPROTO_ICMPV6);
    rsp_put_u8(out, 255);               /* Hop limit, as ND requires. */
    rsp_put(out, src, sizeof *src);
    rsp_put(out, dst, sizeof *dst);
    return ofs;
}

void
rsp_out_ip6_finish(struct rsp_out *out, size_t ofs)
{
    if (out->overflow || ofs + IPV6_HEADER_LEN + ICMP6_HEADER_LEN > out->n) {
        out->overflow = true;
        return;
    }

    uint8_t *ip6 = &out->buf[ofs];
    uint8_t *l4 = ip6 + IPV6_HEADER_LEN;
    size_t l4_len = out->n - ofs - IPV6_HEADER_LEN;
    struct in6_addr src, dst;

    rsp_set16(out, ofs + 4, l4_len);
    memcpy(&src, ip6 + 8, sizeof src);
    memcpy(&dst, ip6 + 24, sizeof dst);
    memset(l4 + 2, 0, 2);
    plx_be16 c = csum_finish(csum_continue(
                                 csum_pseudoheader6(&src, &dst,
                                                    IPPROTO_ICMPV6, l4_len),
                                 l4, l4_len));
    memcpy(l4 + 2, &c, 2);
}

/* ------------------------------------------------------------------ */
/* Parsing. */

static int
parse_eth(const struct dp_packet *p, struct rsp_frame *f)
{
    const uint8_t *data = dp_packet_data(p);
    size_t size = dp_packet_size(p);
    size_t ofs = ETH_HEADER_LEN;

    if (size < ETH_HEADER_LEN) {
        return EINVAL;
    }
    memcpy(f->dst.ea, data, ETH_ADDR_LEN);
    memcpy(f->src.ea, data + ETH_ADDR_LEN, ETH_ADDR_LEN);
    f->eth_type = rsp_get16(data + 12);
    f->n_tag_bytes = 0;
    while (f->eth_type == ETH_TYPE_VLAN_8021Q
           || f->eth_type == ETH_TYPE_VLAN_8021AD) {
        if (f->n_tag_bytes >= sizeof f->tags) {
            return ENOENT;              /* Three tags: not ours. */
        }
        if (size - ofs < VLAN_HEADER_LEN) {
            return EINVAL;
        }
        /* TPID and TCI; the next EtherType follows. */
        memcpy(&f->tags[f->n_tag_bytes], data + ofs - 2, VLAN_HEADER_LEN);
        f->n_tag_bytes += VLAN_HEADER_LEN;
        f->eth_type = rsp_get16(data + ofs + 2);
        ofs += VLAN_HEADER_LEN;
    }
    if (f->eth_type < ETH_TYPE_MIN) {
        return ENOENT;
    }
    if (eth_addr_is_multicast(f->src) || eth_addr_is_zero(f->src)) {
        return EINVAL;
    }
    f->l3 = data + ofs;
    f->l3_len = size - ofs;
    return 0;
}

static int
parse_ip4(const struct rsp_frame *f, struct rsp_ip4 *ip)
{
    const uint8_t *h = f->l3;

    if (f->l3_len < IP_HEADER_LEN || IP_VER(h[0]) != IP_VERSION) {
        return EINVAL;
    }
    size_t ihl = IP_IHL(h[0]) * 4;
    size_t tot_len = rsp_get16(h + 2);
    if (ihl < IP_HEADER_LEN || tot_len < ihl || tot_len > f->l3_len) {
        return EINVAL;
    }
    if (csum(h, ihl)) {
        return EINVAL;
    }
    if (rsp_get16(h + 6) & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
        return ENOENT;
    }
    ip->proto = h[9];
    ip->src = rsp_get_be32(h + 12);
    ip->dst = rsp_get_be32(h + 16);
    ip->l4 = h + ihl;
    ip->l4_len = tot_len - ihl;
    return 0;
}

/* ------------------------------------------------------------------ */
/* ARP and ICMP echo. */

static int
handle_arp(struct responder *r, const struct rsp_frame *f,
           struct rsp_out *out)
{
    const uint8_t *a = f->l3;

    if (f->l3_len < ARP_ETH_HEADER_LEN) {
        return EINVAL;
    }
    if (rsp_get16(a) != ARP_HRD_ETHERNET || rsp_get16(a + 2) != ARP_PRO_IP
        || a[4] != ETH_ADDR_LEN || a[5] != 4) {
        return ENOENT;
    }
    if (rsp_get16(a + 6) != ARP_OP_REQUEST
        || rsp_get_be32(a + 24) != r->cfg.gw_ip) {
        return ENOENT;
    }
    if (!eth_addr_is_broadcast(f->dst)
        && !eth_addr_equals(f->dst, r->cfg.gw_mac)) {
        return ENOENT;
    }

    rsp_out_eth(out, r, f, f->src, ETH_TYPE_ARP);
    rsp_put_u16(out, ARP_HRD_ETHERNET);
    rsp_put_u16(out, ARP_PRO_IP);
    rsp_put_u8(out, ETH_ADDR_LEN);
    rsp_put_u8(out, 4);
    rsp_put_u16(out, ARP_OP_REPLY);
    rsp_put(out, r->cfg.gw_mac.ea, ETH_ADDR_LEN);
    rsp_put_be32(out, r->cfg.gw_ip);
    rsp_put(out, a + 8, ETH_ADDR_LEN);      /* THA = request's SHA. */
    rsp_put(out, a + 14, 4);                /* TPA = request's SPA. */
    return 0;
}

static int
handle_icmp4(struct responder *r, const struct rsp_frame *f,
             const struct rsp_ip4 *ip, struct rsp_out *out)
{
    if (ip->dst != r->cfg.gw_ip) {
        return ENOENT;
    }
    if (ip->l4_len < ICMP_HEADER_LEN || csum(ip->l4, ip->l4_len)) {
        return EINVAL;
    }
    if (ip->l4[0] != ICMP4_ECHO_REQUEST || ip->l4[1] != 0) {
        return ENOENT;
    }
    if (ip->l4_len > ETH_PAYLOAD_MAX - IP_HEADER_LEN
        || ip_is_multicast(ip->src) || ip->src == htonl(INADDR_BROADCAST)) {
        return ENOENT;
    }

    rsp_out_eth(out, r, f, f->src, ETH_TYPE_IP);
    size_t ip_ofs = rsp_out_ip4(out, IPPROTO_ICMP, r->cfg.gw_ip, ip->src);
    rsp_put_u8(out, ICMP4_ECHO_REPLY);
    rsp_put_u8(out, 0);
    rsp_put_u16(out, 0);                    /* Checksum, later. */
    rsp_put(out, ip->l4 + 4, ip->l4_len - 4);
    rsp_out_ip4_finish(out, ip_ofs);
    return 0;
}

static int
handle_ip4(struct responder *r, const struct rsp_frame *f, long long int now,
           struct rsp_out *out)
{
    struct rsp_ip4 ip;
    int error = parse_ip4(f, &ip);
    if (error) {
        return error;
    }

    if (!eth_addr_is_broadcast(f->dst)
        && !eth_addr_equals(f->dst, r->cfg.gw_mac)) {
        return ENOENT;
    }
    switch (ip.proto) {
    case IPPROTO_UDP:
        return rsp_dhcp_handle(r, f, &ip, now, out);
    case IPPROTO_ICMP:
        return handle_icmp4(r, f, &ip, out);
    default:
        return ENOENT;
    }
}

int
responder_handle(struct responder *r, const struct dp_packet *request,
                 long long int now, struct dp_packet *reply)
{
    struct rsp_frame f;
    struct rsp_out out;
    int error;

    dp_packet_clear(reply);
    error = parse_eth(request, &f);
    if (error) {
        return error;
    }

    out.n = 0;
    out.overflow = false;
    switch (f.eth_type) {
    case ETH_TYPE_ARP:
        error = handle_arp(r, &f, &out);
        break;
    case ETH_TYPE_IP:
        error = handle_ip4(r, &f, now, &out);
        break;
    case ETH_TYPE_IPV6:
        error = rsp_nd_handle(r, &f, &out);
        break;
    default:
        error = ENOENT;
        break;
    }
    if (!error) {
        if (out.overflow) {
            return EINVAL;          /* Cannot happen for a valid config. */
        }
        /* Pad to the Ethernet minimum, as a NIC would. */
        size_t min = ETH_TOTAL_MIN + f.n_tag_bytes;
        if (out.n < min) {
            rsp_put_zeros(&out, min - out.n);
        }
        dp_packet_put(reply, out.buf, out.n);
    }
    return error;
}
