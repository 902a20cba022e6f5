/*
 * responder-private: what lib/responder.c (frames, ARP, ICMP, the
 * configuration), lib/responder-dhcp.c (DHCPv4 and leases) and
 * lib/responder-nd.c (router and neighbor discovery) share.
 *
 * A request is first split by responder.c into a struct rsp_frame
 * (Ethernet addresses, VLAN tags, EtherType, the L3 bytes) and, for
 * IPv4, a struct rsp_ip4 (validated header, the L4 bytes within
 * ip_tot_len).  Every pointer in them points into the request and every
 * length has been checked against the request's size.
 *
 * A reply is built in a struct rsp_out, a fixed buffer large enough for
 * any reply (a tagged full-size frame), then copied into the caller's
 * dp_packet.  rsp_out_*() never write past the buffer: an overflow is
 * remembered and turns the reply into an error.
 */
#ifndef PLX_RESPONDER_PRIVATE_H
#define PLX_RESPONDER_PRIVATE_H 1

#include "hmap.h"
#include "packets.h"
#include "responder.h"

struct responder {
    struct responder_config cfg;    /* Points to the copies below. */
    char *domain;                   /* cfg.domain_name, or NULL. */
    struct responder_reservation *resv;
    struct in6_addr gw_ll;          /* Gateway's link-local address. */
    uint32_t pool_lo, pool_hi;      /* Pool, host order (lo > hi: none). */

    /* Leases (responder-dhcp.c). */
    struct hmap leases_by_key;      /* struct rsp_lease, by client key. */
    struct hmap leases_by_ip;       /* struct rsp_lease, by address. */
};

#define RSP_MAX_TAGS 2

/* A parsed Ethernet frame. */
struct rsp_frame {
    struct eth_addr dst;
    struct eth_addr src;
    uint8_t tags[RSP_MAX_TAGS * VLAN_HEADER_LEN];  /* TPID + TCI each. */
    size_t n_tag_bytes;
    uint16_t eth_type;              /* Host order. */
    const uint8_t *l3;
    size_t l3_len;
};

/* A validated IPv4 packet (no fragment, no bad checksum). */
struct rsp_ip4 {
    plx_be32 src;
    plx_be32 dst;
    uint8_t proto;
    const uint8_t *l4;
    size_t l4_len;                  /* From ip_tot_len, not the frame. */
};

/* Reply under construction. */
#define RSP_OUT_MAX (ETH_VLAN_TOTAL_MAX + VLAN_HEADER_LEN)
struct rsp_out {
    uint8_t buf[RSP_OUT_MAX];
    size_t n;
    bool overflow;
};

/* Byte readers for request memory of any alignment. */
static inline uint16_t
rsp_get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static inline uint32_t
rsp_get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

static inline plx_be32
rsp_get_be32(const uint8_t *p)
{
    plx_be32 x;
    memcpy(&x, p, 4);
    return x;
}

/* Appending to a reply. */
void *rsp_put(struct rsp_out *, const void *, size_t);
void *rsp_put_zeros(struct rsp_out *, size_t);
void rsp_put_u8(struct rsp_out *, uint8_t);
void rsp_put_u16(struct rsp_out *, uint16_t);
void rsp_put_u32(struct rsp_out *, uint32_t);
void rsp_put_be32(struct rsp_out *, plx_be32);
void rsp_set16(struct rsp_out *, size_t ofs, uint16_t);

/* Starts a reply frame from the gateway MAC to DST with REQ's VLAN tags
 * and EtherType ETH_TYPE (host order). */
void rsp_out_eth(struct rsp_out *, const struct responder *,
                 const struct rsp_frame *req, struct eth_addr dst,
                 uint16_t eth_type);

/* Reserves an IPv4 header (TTL 64, protocol PROTO, SRC -> DST) and
 * returns its offset; rsp_out_ip4_finish() fills in the length and
 * checksum once the payload is in, and for UDP the UDP length and
 * checksum too. */
size_t rsp_out_ip4(struct rsp_out *, uint8_t proto, plx_be32 src,
                   plx_be32 dst);
void rsp_out_ip4_finish(struct rsp_out *, size_t ip_ofs);

/* Reserves an IPv6 header (hop limit 255, next header ICMPv6) and
 * returns its offset; rsp_out_ip6_finish() fills in the payload length
 * and the ICMPv6 checksum. */
size_t rsp_out_ip6(struct rsp_out *, const struct in6_addr *src,
                   const struct in6_addr *dst);
void rsp_out_ip6_finish(struct rsp_out *, size_t ip6_ofs);

/* The address arithmetic of the subnet. */
static inline plx_be32
rsp_netmask(const struct responder *r)
{
    return be32_prefix_mask(r->cfg.plen);
}

static inline plx_be32
rsp_broadcast(const struct responder *r)
{
    return r->cfg.network | ~rsp_netmask(r);
}

/* responder-dhcp.c. */
void rsp_dhcp_init(struct responder *);
void rsp_dhcp_destroy(struct responder *);
void rsp_dhcp_reconfigured(struct responder *);
int rsp_dhcp_handle(struct responder *, const struct rsp_frame *,
                    const struct rsp_ip4 *, long long int now,
                    struct rsp_out *);

/* responder-nd.c. */
int rsp_nd_handle(struct responder *, const struct rsp_frame *,
                  struct rsp_out *);

#endif /* responder-private.h */
