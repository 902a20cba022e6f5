/* responder-dhcp: the DHCPv4 server of the responder (RFC 2131, options
 * of RFC 2132) and its lease table.  See responder.h for the behaviour
 * and responder-private.h for what the other responder files give. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "responder-private.h"
#include "util.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236          /* BOOTP header up to 'options'. */
#define DHCP_COOKIE 0x63825363
#define DHCP_MIN_LEN 300            /* BOOTP's minimum message size. */
#define DHCP_BROADCAST_FLAG 0x8000

#define BOOTREQUEST 1
#define BOOTREPLY 2

enum {
    DHCPDISCOVER = 1,
    DHCPOFFER = 2,
    DHCPREQUEST = 3,
    DHCPDECLINE = 4,
    DHCPACK = 5,
    DHCPNAK = 6,
    DHCPRELEASE = 7,
    DHCPINFORM = 8,
};

enum {
    OPT_PAD = 0,
    OPT_SUBNET_MASK = 1,
    OPT_ROUTER = 3,
    OPT_DNS = 6,
    OPT_HOSTNAME = 12,
    OPT_DOMAIN_NAME = 15,
    OPT_MTU = 26,
    OPT_BROADCAST = 28,
    OPT_REQUESTED_IP = 50,
    OPT_LEASE_TIME = 51,
    OPT_MSG_TYPE = 53,
    OPT_SERVER_ID = 54,
    OPT_MESSAGE = 56,
    OPT_T1 = 58,
    OPT_T2 = 59,
    OPT_CLIENT_ID = 61,
    OPT_END = 255,
};

/* The client key: a type byte (0: chaddr, 1: option 61), then the
 * chaddr or the option's bytes. */
#define KEY_MAX (1 + 255)

struct rsp_lease {
    struct hmap_node key_node;      /* In leases_by_key, if key_len. */
    struct hmap_node ip_node;       /* In leases_by_ip. */
    plx_be32 ip;
    struct eth_addr mac;
    enum responder_lease_state state;   /* Never ..._EXPIRED here. */
    long long int expires;          /* Msec. */
    char hostname[64];
    size_t key_len;                 /* 0 for a declined address. */
    uint8_t key[KEY_MAX];
};

/* A parsed DHCP request; pointers point into the request. */
struct dhcp_req {
    const uint8_t *msg;             /* The BOOTP message. */
    uint8_t type;                   /* DHCP message type. */
    uint16_t flags;
    plx_be32 ciaddr;
    plx_be32 ip_src;                /* Of the IP header. */
    struct eth_addr chaddr;
    bool has_req_ip, has_server_id;
    plx_be32 req_ip, server_id;
    const uint8_t *client_id;
    size_t client_id_len;
    const uint8_t *hostname;
    size_t hostname_len;
    uint8_t key[KEY_MAX];
    size_t key_len;
};

/* ------------------------------------------------------------------ */
/* The lease table. */

static uint32_t
hash_key(const uint8_t *key, size_t len)
{
    return hash_bytes(key, len, 0);
}

static uint32_t
hash_ip(plx_be32 ip)
{
    return hash_int(ip, 0);
}

static struct rsp_lease *
lease_by_key(const struct responder *r, const uint8_t *key, size_t len)
{
    struct rsp_lease *l;

    HMAP_FOR_EACH_WITH_HASH (l, key_node, hash_key(key, len),
                             &r->leases_by_key) {
        if (l->key_len == len && !memcmp(l->key, key, len)) {
            return l;
        }
    }
    return NULL;
}

static struct rsp_lease *
lease_by_ip(const struct responder *r, plx_be32 ip)
{
    struct rsp_lease *l;

    HMAP_FOR_EACH_WITH_HASH (l, ip_node, hash_ip(ip), &r->leases_by_ip) {
        if (l->ip == ip) {
            return l;
        }
    }
    return NULL;
}

static bool
lease_live(const struct rsp_lease *l, long long int now)
{
    return now < l->expires;
}

static void
lease_delete(struct responder *r, struct rsp_lease *l)
{
    if (l->key_len) {
        hmap_remove(&r->leases_by_key, &l->key_node);
    }
    hmap_remove(&r->leases_by_ip, &l->ip_node);
    free(l);
}

void
rsp_dhcp_init(struct responder *r)
{
    hmap_init(&r->leases_by_key);
    hmap_init(&r->leases_by_ip);
}

void
rsp_dhcp_destroy(struct responder *r)
{
    struct rsp_lease *l;

    HMAP_FOR_EACH_POP (l, ip_node, &r->leases_by_ip) {
        free(l);
    }
    hmap_destroy(&r->leases_by_ip);
    hmap_destroy(&r->leases_by_key);
}

static const struct responder_reservation *
resv_by_mac(const struct responder *r, struct eth_addr mac)
{
    for (size_t i = 0; i < r->cfg.n_reservations; i++) {
        if (eth_addr_equals(r->resv[i].mac, mac)) {
            return &r->resv[i];
        }
    }
    return NULL;
}

static const struct responder_reservation *
resv_by_ip(const struct responder *r, plx_be32 ip)
{
    for (size_t i = 0; i < r->cfg.n_reservations; i++) {
        if (r->resv[i].ip == ip) {
            return &r->resv[i];
        }
    }
    return NULL;
}

static bool
in_pool(const struct responder *r, plx_be32 ip)
{
    uint32_t h = ntohl(ip);
    return h >= r->pool_lo && h <= r->pool_hi;
}

static bool
dhcp_enabled(const struct responder *r)
{
    return r->pool_lo <= r->pool_hi || r->cfg.n_reservations;
}

/* True if the configuration allows the client at MAC to have IP, leases
 * aside: its reservation if it has one, else a free-for-all address of
 * the pool. */
static bool
addr_allowed(const struct responder *r, struct eth_addr mac, plx_be32 ip)
{
    const struct responder_reservation *rm = resv_by_mac(r, mac);

    if (ip == r->cfg.gw_ip || ip == r->cfg.network
        || ip == rsp_broadcast(r)) {
        return false;
    }
    if (rm) {
        return rm->ip == ip;
    }
    return in_pool(r, ip) && !resv_by_ip(r, ip);
}

/* True if the client REQ may have IP at NOW: allowed, and no live entry
 * of another client (or a declined one) holds it. */
static bool
addr_available(const struct responder *r, const struct dhcp_req *req,
               plx_be32 ip, long long int now)
{
    if (!addr_allowed(r, req->chaddr, ip)) {
        return false;
    }
    const struct rsp_lease *l = lease_by_ip(r, ip);
    return (!l || !lease_live(l, now)
            || (l->key_len == req->key_len
                && !memcmp(l->key, req->key, req->key_len)));
}

/* Gives IP to client REQ: creates its entry or moves it to IP, first
 * deleting any other entry for IP (which the caller checked is not
 * live). */
static struct rsp_lease *
lease_assign(struct responder *r, const struct dhcp_req *req, plx_be32 ip)
{
    struct rsp_lease *mine = lease_by_key(r, req->key, req->key_len);
    struct rsp_lease *other = lease_by_ip(r, ip);

    if (other && other != mine) {
        lease_delete(r, other);
    }
    if (!mine) {
        mine = xzalloc(sizeof *mine);
        memcpy(mine->key, req->key, req->key_len);
        mine->key_len = req->key_len;
        hmap_insert(&r->leases_by_key, &mine->key_node,
                    hash_key(mine->key, mine->key_len));
        mine->ip = ip;
        hmap_insert(&r->leases_by_ip, &mine->ip_node, hash_ip(ip));
    } else if (mine->ip != ip) {
        hmap_remove(&r->leases_by_ip, &mine->ip_node);
        mine->ip = ip;
        hmap_insert(&r->leases_by_ip, &mine->ip_node, hash_ip(ip));
    }
    mine->mac = req->chaddr;

    if (req->hostname_len) {
        size_t n = 0;
        for (size_t i = 0; i < req->hostname_len
                 && n < sizeof mine->hostname - 1; i++) {
            char c = req->hostname[i];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_') {
                mine->hostname[n++] = c;
            }
        }
        mine->hostname[n] = '\0';
    }
    return mine;
}

/* Chooses the address to offer to REQ (see responder.h).  Returns false
 * if there is none. */
static bool
choose_addr(const struct responder *r, const struct dhcp_req *req,
            long long int now, plx_be32 *ipp)
{
    const struct responder_reservation *rm = resv_by_mac(r, req->chaddr);
    if (rm) {
        *ipp = rm->ip;
        return addr_available(r, req, rm->ip, now);
    }

    const struct rsp_lease *mine = lease_by_key(r, req->key, req->key_len);
    if (mine && addr_available(r, req, mine->ip, now)) {
        *ipp = mine->ip;
        return true;
    }
    if (req->has_req_ip && addr_available(r, req, req->req_ip, now)) {
        *ipp = req->req_ip;
        return true;
    }

    /* An address nobody had. */
    for (uint64_t a = r->pool_lo; a <= r->pool_hi; a++) {
        plx_be32 ip = htonl(a);
        if (addr_allowed(r, req->chaddr, ip) && !lease_by_ip(r, ip)) {
            *ipp = ip;
            return true;
        }
    }

    /* The longest-expired one. */
    const struct rsp_lease *best = NULL, *l;
    HMAP_FOR_EACH (l, ip_node, &r->leases_by_ip) {
        if (!lease_live(l, now) && addr_allowed(r, req->chaddr, l->ip)
            && (!best || l->expires < best->expires
                || (l->expires == best->expires
                    && ntohl(l->ip) < ntohl(best->ip)))) {
            best = l;
        }
    }
    if (best) {
        *ipp = best->ip;
        return true;
    }
    return false;
}

void
rsp_dhcp_reconfigured(struct responder *r)
{
    struct rsp_lease *l;

    HMAP_FOR_EACH_SAFE (l, ip_node, &r->leases_by_ip) {
        bool keep = (l->key_len
                     ? addr_allowed(r, l->mac, l->ip)
                     : in_pool(r, l->ip) && !resv_by_ip(r, l->ip));
        if (!keep) {
            lease_delete(r, l);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Parsing. */

static int
parse_dhcp(const struct rsp_ip4 *ip, struct dhcp_req *req)
{
    const uint8_t *udp = ip->l4;

    if (ip->l4_len < UDP_HEADER_LEN) {
        return EINVAL;
    }
    size_t udp_len = rsp_get16(udp + 4);
    if (udp_len < UDP_HEADER_LEN || udp_len > ip->l4_len) {
        return EINVAL;
    }
    if (rsp_get16(udp + 2) != DHCP_SERVER_PORT) {
        return ENOENT;
    }

    const uint8_t *m = udp + UDP_HEADER_LEN;
    size_t len = udp_len - UDP_HEADER_LEN;
    if (len < DHCP_FIXED_LEN + 4) {
        return EINVAL;
    }
    if (m[0] != BOOTREQUEST) {
        return ENOENT;
    }
    if (m[1] != ARP_HRD_ETHERNET || m[2] != ETH_ADDR_LEN
        || rsp_get32(m + DHCP_FIXED_LEN) != DHCP_COOKIE) {
        return EINVAL;
    }
    if (rsp_get32(m + 24)) {
        return ENOENT;                  /* Relayed (giaddr): not ours. */
    }

    memset(req, 0, sizeof *req);
    req->msg = m;
    req->flags = rsp_get16(m + 10);
    req->ciaddr = rsp_get_be32(m + 12);
    req->ip_src = ip->src;
    memcpy(req->chaddr.ea, m + 28, ETH_ADDR_LEN);
    if (eth_addr_is_zero(req->chaddr) || eth_addr_is_multicast(req->chaddr)) {
        return EINVAL;
    }

    /* Options: the first instance of each counts. */
    bool has_type = false;
    size_t i = DHCP_FIXED_LEN + 4;
    while (i < len) {
        uint8_t code = m[i];
        if (code == OPT_PAD) {
            i++;
            continue;
        } else if (code == OPT_END) {
            break;
        }
        if (len - i < 2 || len - i - 2 < m[i + 1]) {
            return EINVAL;              /* Option runs past the end. */
        }
        size_t olen = m[i + 1];
        const uint8_t *val = m + i + 2;
        i += 2 + olen;

        switch (code) {
        case OPT_MSG_TYPE:
            if (olen != 1) {
                return EINVAL;
            }
            if (!has_type) {
                req->type = val[0];
                has_type = true;
            }
            break;
        case OPT_REQUESTED_IP:
        case OPT_SERVER_ID:
            if (olen != 4) {
                return EINVAL;
            }
            if (code == OPT_REQUESTED_IP && !req->has_req_ip) {
                req->req_ip = rsp_get_be32(val);
                req->has_req_ip = true;
            } else if (code == OPT_SERVER_ID && !req->has_server_id) {
                req->server_id = rsp_get_be32(val);
                req->has_server_id = true;
            }
            break;
        case OPT_CLIENT_ID:
            if (!olen) {
                return EINVAL;
            }
            if (!req->client_id) {
                req->client_id = val;
                req->client_id_len = olen;
            }
            break;
        case OPT_HOSTNAME:
            if (!req->hostname) {
                req->hostname = val;
                req->hostname_len = olen;
            }
            break;
        default:
            break;
        }
    }
    if (!has_type) {
        return ENOENT;                  /* Plain BOOTP: not served. */
    }

    if (req->client_id) {
        req->key[0] = 1;
        memcpy(&req->key[1], req->client_id, req->client_id_len);
        req->key_len = 1 + req->client_id_len;
    } else {
        req->key[0] = 0;
        memcpy(&req->key[1], req->chaddr.ea, ETH_ADDR_LEN);
        req->key_len = 1 + ETH_ADDR_LEN;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Replies. */

static void
put_opt(struct rsp_out *out, uint8_t code, const void *val, size_t len)
{
    rsp_put_u8(out, code);
    rsp_put_u8(out, len);
    rsp_put(out, val, len);
}

static void
put_opt_be32(struct rsp_out *out, uint8_t code, plx_be32 x)
{
    put_opt(out, code, &x, 4);
}

static void
put_opt_u32(struct rsp_out *out, uint8_t code, uint32_t x)
{
    put_opt_be32(out, code, htonl(x));
}

/* Builds a reply of TYPE to REQ (which arrived in frame F) giving YIADDR
 * (0 for NAK and for INFORM's ACK). */
static void
build_reply(const struct responder *r, const struct rsp_frame *f,
            const struct dhcp_req *req, uint8_t type, plx_be32 yiaddr,
            struct rsp_out *out)
{
    const struct responder_config *cfg = &r->cfg;
    const plx_be32 bcast = htonl(INADDR_BROADCAST);
    struct eth_addr eth_dst;
    plx_be32 ip_dst, ciaddr = 0;

    if (type != DHCPOFFER && type != DHCPNAK) {
        ciaddr = req->ciaddr;
    }

    /* RFC 2131 section 4.1, "giaddr is zero" cases. */
    if (type == DHCPNAK) {
        eth_dst = eth_addr_broadcast;
        ip_dst = bcast;
    } else if (req->ciaddr) {
        eth_dst = f->src;
        ip_dst = req->ciaddr;
    } else if (req->flags & DHCP_BROADCAST_FLAG) {
        eth_dst = eth_addr_broadcast;
        ip_dst = bcast;
    } else if (yiaddr) {
        eth_dst = req->chaddr;
        ip_dst = yiaddr;
    } else if (req->ip_src) {           /* INFORM without ciaddr. */
        eth_dst = f->src;
        ip_dst = req->ip_src;
    } else {
        eth_dst = eth_addr_broadcast;
        ip_dst = bcast;
    }

    rsp_out_eth(out, r, f, eth_dst, ETH_TYPE_IP);
    size_t ip_ofs = rsp_out_ip4(out, IPPROTO_UDP, cfg->gw_ip, ip_dst);
    rsp_put_u16(out, DHCP_SERVER_PORT);
    rsp_put_u16(out, DHCP_CLIENT_PORT);
    rsp_put_u32(out, 0);                /* Length and checksum, later. */

    size_t msg_ofs = out->n;
    rsp_put_u8(out, BOOTREPLY);
    rsp_put_u8(out, ARP_HRD_ETHERNET);
    rsp_put_u8(out, ETH_ADDR_LEN);
    rsp_put_u8(out, 0);                 /* Hops. */
    rsp_put(out, req->msg + 4, 4);      /* Xid. */
    rsp_put_u16(out, 0);                /* Secs. */
    rsp_put_u16(out, req->flags & DHCP_BROADCAST_FLAG);
    rsp_put_be32(out, ciaddr);
    rsp_put_be32(out, yiaddr);
    rsp_put_be32(out, 0);               /* Siaddr. */
    rsp_put_be32(out, 0);               /* Giaddr. */
    rsp_put(out, req->msg + 28, 16);    /* Chaddr. */
    rsp_put_zeros(out, 64 + 128);       /* Sname, file. */
    rsp_put_u32(out, DHCP_COOKIE);

    put_opt(out, OPT_MSG_TYPE, &type, 1);
    put_opt_be32(out, OPT_SERVER_ID, cfg->gw_ip);
    if (type == DHCPNAK) {
        static const char msg[] = "address not available";
        put_opt(out, OPT_MESSAGE, msg, strlen(msg));
    } else {
        if (type != DHCPACK || yiaddr) {
            put_opt_u32(out, OPT_LEASE_TIME, cfg->lease_time);
            put_opt_u32(out, OPT_T1, cfg->lease_time / 2);
            put_opt_u32(out, OPT_T2, (uint64_t) cfg->lease_time * 7 / 8);
        }
        put_opt_be32(out, OPT_SUBNET_MASK, rsp_netmask(r));
        put_opt_be32(out, OPT_BROADCAST, rsp_broadcast(r));
        put_opt_be32(out, OPT_ROUTER, cfg->gw_ip);
        if (cfg->n_dns) {
            put_opt(out, OPT_DNS, cfg->dns, 4 * cfg->n_dns);
        }
        if (cfg->domain_name) {
            put_opt(out, OPT_DOMAIN_NAME, cfg->domain_name,
                    strlen(cfg->domain_name));
        }
        if (cfg->mtu) {
            uint8_t mtu[2] = { cfg->mtu >> 8, cfg->mtu };
            put_opt(out, OPT_MTU, mtu, 2);
        }
    }
    if (req->client_id) {
        put_opt(out, OPT_CLIENT_ID, req->client_id, req->client_id_len);
    }
    rsp_put_u8(out, OPT_END);
    if (out->n - msg_ofs < DHCP_MIN_LEN) {
        rsp_put_zeros(out, DHCP_MIN_LEN - (out->n - msg_ofs));
    }
    rsp_out_ip4_finish(out, ip_ofs);
}

/* ------------------------------------------------------------------ */
/* Messages. */

static int
handle_discover(struct responder *r, const struct rsp_frame *f,
                const struct dhcp_req *req, long long int now,
                struct rsp_out *out)
{
    plx_be32 ip;

    if (!choose_addr(r, req, now, &ip)) {
        return ENOSPC;
    }

    const struct rsp_lease *old = lease_by_key(r, req->key, req->key_len);
    bool was_bound = (old && old->ip == ip
                      && old->state == RESPONDER_LEASE_BOUND
                      && lease_live(old, now));
    struct rsp_lease *l = lease_assign(r, req, ip);
    if (!was_bound) {
        l->state = RESPONDER_LEASE_OFFERED;
        l->expires = now + r->cfg.offer_hold * 1000LL;
    }
    build_reply(r, f, req, DHCPOFFER, ip, out);
    return 0;
}

static int
handle_request(struct responder *r, const struct rsp_frame *f,
               const struct dhcp_req *req, long long int now,
               struct rsp_out *out)
{
    plx_be32 ip;

    if (req->has_server_id) {
        /* SELECTING. */
        if (req->server_id != r->cfg.gw_ip) {
            /* The client chose another server: withdraw our offer. */
            struct rsp_lease *l = lease_by_key(r, req->key, req->key_len);
            if (l && l->state == RESPONDER_LEASE_OFFERED
                && lease_live(l, now)) {
                l->expires = now;
            }
            return ENODATA;
        }
        if (!req->has_req_ip) {
            return EINVAL;
        }
        ip = req->req_ip;
    } else if (req->has_req_ip && !req->ciaddr) {
        ip = req->req_ip;               /* INIT-REBOOT. */
    } else if (req->ciaddr) {
        ip = req->ciaddr;               /* RENEWING or REBINDING. */
    } else {
        return EINVAL;
    }

    if (!addr_available(r, req, ip, now)) {
        build_reply(r, f, req, DHCPNAK, 0, out);
        return 0;
    }
    struct rsp_lease *l = lease_assign(r, req, ip);
    l->state = RESPONDER_LEASE_BOUND;
    l->expires = now + r->cfg.lease_time * 1000LL;
    build_reply(r, f, req, DHCPACK, ip, out);
    return 0;
}

static int
handle_release(struct responder *r, const struct dhcp_req *req,
               long long int now)
{
    struct rsp_lease *l = lease_by_key(r, req->key, req->key_len);

    if ((!req->has_server_id || req->server_id == r->cfg.gw_ip)
        && l && l->ip == req->ciaddr && l->state == RESPONDER_LEASE_BOUND
        && lease_live(l, now)) {
        l->expires = now;
    }
    return ENODATA;
}

static int
handle_decline(struct responder *r, const struct dhcp_req *req,
               long long int now)
{
    struct rsp_lease *l = lease_by_key(r, req->key, req->key_len);

    if (!req->has_req_ip) {
        return EINVAL;
    }
    if ((!req->has_server_id || req->server_id == r->cfg.gw_ip)
        && l && l->ip == req->req_ip) {
        /* The address is in use by someone we do not know: set it aside,
         * detached from the client so that it gets another one. */
        hmap_remove(&r->leases_by_key, &l->key_node);
        l->key_len = 0;
        l->state = RESPONDER_LEASE_DECLINED;
        l->expires = now + r->cfg.lease_time * 1000LL;
    }
    return ENODATA;
}

int
rsp_dhcp_handle(struct responder *r, const struct rsp_frame *f,
                const struct rsp_ip4 *ip, long long int now,
                struct rsp_out *out)
{
    struct dhcp_req req;
    int error;

    if (!dhcp_enabled(r)) {
        return ENOENT;
    }
    if (ip->dst != htonl(INADDR_BROADCAST) && ip->dst != r->cfg.gw_ip
        && ip->dst != rsp_broadcast(r)) {
        return ENOENT;
    }
    error = parse_dhcp(ip, &req);
    if (error) {
        return error;
    }

    switch (req.type) {
    case DHCPDISCOVER:
        return handle_discover(r, f, &req, now, out);
    case DHCPREQUEST:
        return handle_request(r, f, &req, now, out);
    case DHCPDECLINE:
        return handle_decline(r, &req, now);
    case DHCPRELEASE:
        return handle_release(r, &req, now);
    case DHCPINFORM:
        build_reply(r, f, &req, DHCPACK, 0, out);
        return 0;
    default:
        return ENOENT;
    }
}

/* ------------------------------------------------------------------ */
/* Status. */

const char *
responder_lease_state_name(enum responder_lease_state state)
{
    switch (state) {
    case RESPONDER_LEASE_OFFERED:
        return "offered";
    case RESPONDER_LEASE_BOUND:
        return "bound";
    case RESPONDER_LEASE_DECLINED:
        return "declined";
    case RESPONDER_LEASE_EXPIRED:
        return "expired";
    }
    return "unknown";
}

static int
compare_lease_info(const void *a_, const void *b_)
{
    const struct responder_lease_info *a = a_, *b = b_;
    uint32_t x = ntohl(a->ip), y = ntohl(b->ip);
    return x < y ? -1 : x > y;
}

struct responder_lease_info *
responder_leases(const struct responder *r, long long int now, size_t *n)
{
    size_t count = hmap_count(&r->leases_by_ip);
    struct responder_lease_info *infos = xcalloc(count ? count : 1,
                                                 sizeof *infos);
    const struct rsp_lease *l;
    size_t i = 0;

    HMAP_FOR_EACH (l, ip_node, &r->leases_by_ip) {
        struct responder_lease_info *info = &infos[i++];
        info->ip = l->ip;
        info->mac = l->mac;
        info->state = lease_live(l, now) ? l->state : RESPONDER_LEASE_EXPIRED;
        info->expires = l->expires;
        memcpy(info->hostname, l->hostname, sizeof info->hostname);
    }
    qsort(infos, count, sizeof *infos, compare_lease_info);
    *n = count;
    return infos;
}

void
responder_format_leases(const struct responder *r, long long int now,
                        struct ds *s)
{
    size_t n;
    struct responder_lease_info *infos = responder_leases(r, now, &n);

    for (size_t i = 0; i < n; i++) {
        const struct responder_lease_info *info = &infos[i];
        long long int left = info->expires - now;
        /* Whole seconds, rounded toward minus infinity. */
        long long int secs = left >= 0 ? left / 1000 : -((999 - left) / 1000);

        ds_put_format(s, IP_FMT" "ETH_ADDR_FMT" %s expires=%llds",
                      IP_ARGS(info->ip), ETH_ADDR_ARGS(info->mac),
                      responder_lease_state_name(info->state), secs);
        if (info->hostname[0]) {
            ds_put_format(s, " hostname=%s", info->hostname);
        }
        ds_put_char(s, '\n');
    }
    free(infos);
}
