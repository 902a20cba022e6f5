/* netmode: parse the network-* keys and compile them into flows.  See
 * vswitchd/netmode.h and Documentation/network-modes.md. */
#include <config.h>
#include "vswitchd/netmode.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "meta-flow.h"
#include "packets.h"
#include "responder.h"
#include "smap.h"
#include "util.h"

const char *
netmode_mode_name(enum netmode_mode mode)
{
    switch (mode) {
    case NETMODE_BRIDGED: return "bridged";
    case NETMODE_NAT: return "nat";
    case NETMODE_ROUTED: return "routed";
    case NETMODE_NONE:
    default: return "none";
    }
}

/* ------------------------------------------------------------------ */
/* Parsing. */

static bool
in_subnet(plx_be32 ip, plx_be32 network, unsigned int plen)
{
    return (ip & be32_prefix_mask(plen)) == network;
}

/* Parses S, decimal digits only, as a number in [MIN, MAX]. */
static bool
parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *valuep)
{
    uint64_t value = 0;

    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        value = value * 10 + (*s - '0');
        if (value > max) {
            return false;
        }
    }
    if (value < min) {
        return false;
    }
    *valuep = value;
    return true;
}

static char *
parse_ip(const char *key, const char *s, plx_be32 *ip)
{
    if (!ip_parse(s, ip)) {
        return xasprintf("%s: \"%s\" is not an IPv4 address", key, s);
    }
    return NULL;
}

/* Parses "IP/N" into *IP (with its host bits) and *PLEN. */
static char *
parse_ip_plen(const char *key, const char *s, plx_be32 *ip,
              unsigned int *plen)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        return xasprintf("%s: \"%s\" needs a prefix length "
                         "(ADDRESS/LENGTH)", key, s);
    }
    char *addr = xmemdup0(s, slash - s);
    bool ok = ip_parse(addr, ip);
    free(addr);
    uint32_t n;
    if (!ok || !parse_uint(slash + 1, 0, 32, &n)) {
        return xasprintf("%s: \"%s\" is not ADDRESS/LENGTH", key, s);
    }
    *plen = n;
    return NULL;
}

/* Whether IP is a usable host address of NETWORK/PLEN. */
static bool
is_host_of(plx_be32 ip, plx_be32 network, unsigned int plen)
{
    plx_be32 mask = be32_prefix_mask(plen);
    return (in_subnet(ip, network, plen) && ip != network
            && ip != (network | ~mask));
}

static char *
parse_subnet(const struct smap *oc, struct netmode_config *cfg)
{
    const char *k = "network-subnet";
    const char *s = smap_get(oc, k);
    if (!s) {
        return xasprintf("%s: required in %s mode", k,
                         netmode_mode_name(cfg->mode));
    }
    plx_be32 ip;
    unsigned int plen;
    char *error = parse_ip_plen(k, s, &ip, &plen);
    if (error) {
        return error;
    }
    if (plen < 1 || plen > 30) {
        return xasprintf("%s: \"%s\": the prefix length must be 1 to 30",
                         k, s);
    }
    if (ip & ~be32_prefix_mask(plen)) {
        return xasprintf("%s: \"%s\" has host bits set (the network is "
                         IP_FMT"/%u)", k, s,
                         IP_ARGS(ip & be32_prefix_mask(plen)), plen);
    }
    cfg->network = ip;
    cfg->plen = plen;

    k = "network-gateway";
    s = smap_get(oc, k);
    if (s) {
        error = parse_ip(k, s, &cfg->gateway);
        if (error) {
            return error;
        }
        if (!is_host_of(cfg->gateway, ip, plen)) {
            return xasprintf("%s: %s is not a host address of the subnet "
                             IP_FMT"/%u", k, s, IP_ARGS(ip), plen);
        }
    } else {
        cfg->gateway = htonl(ntohl(ip) + 1);
    }
    return NULL;
}

static char *
parse_uplink_side(const struct smap *oc, struct netmode_config *cfg)
{
    const char *k = "network-uplink-address";
    const char *s = smap_get(oc, k);
    char *error;

    if (s) {
        error = parse_ip_plen(k, s, &cfg->uplink_addr, &cfg->uplink_plen);
        if (error) {
            return error;
        }
        if (cfg->uplink_plen < 1) {
            return xasprintf("%s: \"%s\": the prefix length must be 1 to "
                             "32", k, s);
        }
        plx_be32 net = cfg->uplink_addr & be32_prefix_mask(cfg->uplink_plen);
        if (cfg->uplink_plen < 31
            && !is_host_of(cfg->uplink_addr, net, cfg->uplink_plen)) {
            return xasprintf("%s: \"%s\" is the network or broadcast "
                             "address of its subnet", k, s);
        }
        unsigned int shorter = MIN(cfg->uplink_plen, cfg->plen);
        if (in_subnet(cfg->uplink_addr, cfg->network, cfg->plen)
            || (net & be32_prefix_mask(shorter))
               == (cfg->network & be32_prefix_mask(shorter))) {
            return xasprintf("%s: %s overlaps the VM subnet "IP_FMT"/%u",
                             k, s, IP_ARGS(cfg->network), cfg->plen);
        }
        cfg->has_uplink_addr = true;
    } else if (cfg->mode == NETMODE_NAT) {
        return xasprintf("%s: required in nat mode (the address that NAT "
                         "translates to)", k);
    }

    k = "network-uplink-router";
    s = smap_get(oc, k);
    if (s) {
        error = parse_ip(k, s, &cfg->uplink_router);
        if (error) {
            return error;
        }
        if (!cfg->uplink_router
            || cfg->uplink_router == cfg->uplink_addr
            || in_subnet(cfg->uplink_router, cfg->network, cfg->plen)) {
            return xasprintf("%s: %s cannot be the router", k, s);
        }
        if (cfg->has_uplink_addr
            && !in_subnet(cfg->uplink_router,
                          cfg->uplink_addr
                          & be32_prefix_mask(cfg->uplink_plen),
                          cfg->uplink_plen)) {
            return xasprintf("%s: %s is not in the uplink's subnet "
                             IP_FMT"/%u", k, s,
                             IP_ARGS(cfg->uplink_addr
                                     & be32_prefix_mask(cfg->uplink_plen)),
                             cfg->uplink_plen);
        }
    }
    return NULL;
}

static char *
parse_dhcp(const struct smap *oc, struct netmode_config *cfg)
{
    plx_be32 mask = be32_prefix_mask(cfg->plen);
    uint32_t bcast = ntohl(cfg->network | ~mask);
    const char *k = "network-dhcp-range";
    const char *s = smap_get(oc, k);
    char *error;

    if (!s) {
        uint32_t gw = ntohl(cfg->gateway);
        if (gw + 1 < bcast) {
            cfg->dhcp_first = htonl(gw + 1);
            cfg->dhcp_last = htonl(bcast - 1);
        } else if (gw - 1 > ntohl(cfg->network)) {
            cfg->dhcp_first = htonl(ntohl(cfg->network) + 1);
            cfg->dhcp_last = htonl(gw - 1);
        }
    } else if (strcmp(s, "none")) {
        const char *dash = strchr(s, '-');
        if (!dash) {
            return xasprintf("%s: \"%s\" is not FIRST-LAST (or none)", k,
                             s);
        }
        char *first = xmemdup0(s, dash - s);
        error = parse_ip(k, first, &cfg->dhcp_first);
        free(first);
        if (!error) {
            error = parse_ip(k, dash + 1, &cfg->dhcp_last);
        }
        if (error) {
            return error;
        }
        if (!is_host_of(cfg->dhcp_first, cfg->network, cfg->plen)
            || !is_host_of(cfg->dhcp_last, cfg->network, cfg->plen)) {
            return xasprintf("%s: %s is not inside the subnet "IP_FMT"/%u",
                             k, s, IP_ARGS(cfg->network), cfg->plen);
        }
        if (ntohl(cfg->dhcp_first) > ntohl(cfg->dhcp_last)) {
            return xasprintf("%s: %s: the first address is after the last",
                             k, s);
        }
        if (cfg->dhcp_first == cfg->dhcp_last
            && cfg->dhcp_first == cfg->gateway) {
            return xasprintf("%s: %s holds only the gateway", k, s);
        }
    }

    k = "network-dns";
    s = smap_get(oc, k);
    if (s) {
        char *copy = xstrdup(s);
        char *save = NULL;
        error = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && !error;
             tok = strtok_r(NULL, ",", &save)) {
            plx_be32 ip;
            struct in6_addr ip6;
            if (ip_parse(tok, &ip)) {
                if (cfg->n_dns >= NETMODE_MAX_DNS) {
                    error = xasprintf("%s: at most %d IPv4 servers", k,
                                      NETMODE_MAX_DNS);
                } else {
                    cfg->dns[cfg->n_dns++] = ip;
                }
            } else if (ipv6_parse(tok, &ip6)) {
                if (cfg->n_rdnss >= NETMODE_MAX_DNS) {
                    error = xasprintf("%s: at most %d IPv6 servers", k,
                                      NETMODE_MAX_DNS);
                } else {
                    cfg->rdnss[cfg->n_rdnss++] = ip6;
                }
            } else {
                error = xasprintf("%s: \"%s\" is not an IP address", k, tok);
            }
        }
        free(copy);
        if (!error && !cfg->n_dns && !cfg->n_rdnss) {
            error = xasprintf("%s: no server in \"%s\"", k, s);
        }
        if (error) {
            return error;
        }
    }

    k = "network-lease-time";
    s = smap_get(oc, k);
    cfg->lease_time = NETMODE_DEFAULT_LEASE_TIME;
    if (s && !parse_uint(s, 60, 31536000, &cfg->lease_time)) {
        return xasprintf("%s: \"%s\" is not a number of seconds from 60 "
                         "to 31536000", k, s);
    }

    k = "network-ipv6-prefix";
    s = smap_get(oc, k);
    if (s) {
        unsigned int plen;
        error = ipv6_parse_cidr(s, &cfg->prefix6, &plen);
        if (error) {
            char *msg = xasprintf("%s: %s", k, error);
            free(error);
            return msg;
        }
        if (plen != 64 || strchr(s, '/') == NULL) {
            return xasprintf("%s: \"%s\" is not a /64 prefix", k, s);
        }
        cfg->has_prefix6 = true;
    }
    return NULL;
}

static char *
parse_forward(char *tok, struct netmode_config *cfg)
{
    const char *k = "network-port-forwards";
    char *eq = strchr(tok, '=');
    char *colon = strchr(tok, ':');
    struct netmode_forward f;
    uint32_t port, vm_port;

    if (!eq || !colon || colon > eq) {
        return xasprintf("%s: \"%s\" is not PROTO:PORT=ADDRESS:PORT", k,
                         tok);
    }
    *colon = *eq = '\0';
    char *vm_colon = strchr(eq + 1, ':');
    if (!vm_colon) {
        return xasprintf("%s: \"%s\" lacks the VM's port", k, eq + 1);
    }
    *vm_colon = '\0';
    if (!strcmp(tok, "tcp")) {
        f.proto = IPPROTO_TCP;
    } else if (!strcmp(tok, "udp")) {
        f.proto = IPPROTO_UDP;
    } else {
        return xasprintf("%s: protocol \"%s\" is not tcp or udp", k, tok);
    }
    if (!parse_uint(colon + 1, 1, 65535, &port)
        || !parse_uint(vm_colon + 1, 1, 65535, &vm_port)) {
        return xasprintf("%s: ports must be 1 to 65535", k);
    }
    char *error = parse_ip(k, eq + 1, &f.ip);
    if (error) {
        return error;
    }
    if (!is_host_of(f.ip, cfg->network, cfg->plen) || f.ip == cfg->gateway) {
        return xasprintf("%s: %s is not a VM address of the subnet", k,
                         eq + 1);
    }
    f.port = port;
    f.vm_port = vm_port;
    for (size_t i = 0; i < cfg->n_forwards; i++) {
        if (cfg->forwards[i].proto == f.proto
            && cfg->forwards[i].port == f.port) {
            return xasprintf("%s: %s port %"PRIu16" is forwarded twice", k,
                             tok, f.port);
        }
    }
    if (cfg->n_forwards >= NETMODE_MAX_FORWARDS) {
        return xasprintf("%s: at most %d forwards", k, NETMODE_MAX_FORWARDS);
    }
    cfg->forwards[cfg->n_forwards++] = f;
    return NULL;
}

static char *
parse_nat(const struct smap *oc, struct netmode_config *cfg)
{
    const char *s = smap_get(oc, "network-port-forwards");
    if (s) {
        char *copy = xstrdup(s);
        char *save = NULL;
        char *error = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && !error;
             tok = strtok_r(NULL, ",", &save)) {
            error = parse_forward(tok, cfg);
        }
        free(copy);
        if (error) {
            return error;
        }
    }

    s = smap_get(oc, "network-ct-zone");
    uint32_t zone = NETMODE_DEFAULT_CT_ZONE;
    if (s && !parse_uint(s, 0, 65535, &zone)) {
        return xasprintf("network-ct-zone: \"%s\" is not 0 to 65535", s);
    }
    cfg->ct_zone = zone;
    return NULL;
}

static const char *const known_keys[] = {
    "network-mode", "network-uplink", "network-subnet", "network-gateway",
    "network-uplink-address", "network-uplink-router",
    "network-dhcp-range", "network-dns", "network-lease-time",
    "network-port-forwards", "network-ipv6-prefix", "network-proxy-arp",
    "network-ct-zone",
};

static char *
check_keys(const struct smap *oc)
{
    const struct smap_node *node;

    SMAP_FOR_EACH (node, oc) {
        if (strncmp(node->key, "network-", 8)) {
            continue;
        }
        bool known = false;
        for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++) {
            known = known || !strcmp(node->key, known_keys[i]);
        }
        if (!known) {
            return xasprintf("%s: unknown key", node->key);
        }
    }
    return NULL;
}

static char *
netmode_config_parse__(const struct smap *oc, struct netmode_config *cfg)
{
    const char *mode = smap_get(oc, "network-mode");
    char *error;

    if (!mode) {
        return NULL;
    }
    if (!strcmp(mode, "bridged")) {
        cfg->mode = NETMODE_BRIDGED;
    } else if (!strcmp(mode, "nat")) {
        cfg->mode = NETMODE_NAT;
    } else if (!strcmp(mode, "routed")) {
        cfg->mode = NETMODE_ROUTED;
    } else {
        return xasprintf("network-mode: unknown mode \"%s\" (bridged, nat "
                         "or routed)", mode);
    }
    error = check_keys(oc);
    if (error) {
        return error;
    }

    const char *uplink = smap_get(oc, "network-uplink");
    if (uplink && !uplink[0]) {
        return xstrdup("network-uplink: empty port name");
    }
    cfg->uplink = uplink ? xstrdup(uplink) : NULL;
    if (cfg->mode == NETMODE_BRIDGED) {
        return NULL;
    }
    if (!uplink) {
        return xasprintf("network-uplink: required in %s mode",
                         netmode_mode_name(cfg->mode));
    }

    error = parse_subnet(oc, cfg);
    if (!error) {
        error = parse_uplink_side(oc, cfg);
    }
    if (!error) {
        error = parse_dhcp(oc, cfg);
    }
    if (error) {
        return error;
    }
    if (cfg->mode == NETMODE_NAT) {
        return parse_nat(oc, cfg);
    }

    const char *s = smap_get(oc, "network-proxy-arp");
    cfg->proxy_arp = true;
    if (s && !strcmp(s, "false")) {
        cfg->proxy_arp = false;
    } else if (s && strcmp(s, "true")) {
        return xasprintf("network-proxy-arp: \"%s\" is not true or false",
                         s);
    }
    return NULL;
}

char *
netmode_config_parse(const struct smap *oc, struct netmode_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    char *error = netmode_config_parse__(oc, cfg);
    if (error) {
        netmode_config_destroy(cfg);
    }
    return error;
}

void
netmode_config_destroy(struct netmode_config *cfg)
{
    if (cfg) {
        free(cfg->uplink);
        memset(cfg, 0, sizeof *cfg);
    }
}

bool
netmode_config_isolates_uplink(const struct netmode_config *cfg)
{
    return cfg->mode == NETMODE_NAT || cfg->mode == NETMODE_ROUTED;
}

plx_be32
netmode_config_switch_addr(const struct netmode_config *cfg)
{
    return cfg->has_uplink_addr ? cfg->uplink_addr : cfg->gateway;
}

plx_be32
netmode_config_next_hop(const struct netmode_config *cfg, plx_be32 dst)
{
    if (cfg->has_uplink_addr
        && in_subnet(dst, cfg->uplink_addr
                     & be32_prefix_mask(cfg->uplink_plen),
                     cfg->uplink_plen)) {
        return dst;
    }
    if (cfg->uplink_router) {
        return cfg->uplink_router;
    }
    return cfg->has_uplink_addr ? 0 : dst;
}

void
netmode_config_to_responder(const struct netmode_config *cfg,
                            struct eth_addr gw_mac,
                            struct responder_config *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->gw_mac = gw_mac;
    rc->gw_ip = cfg->gateway;
    rc->network = cfg->network;
    rc->plen = cfg->plen;
    rc->pool_first = cfg->dhcp_first;
    rc->pool_last = cfg->dhcp_last;
    rc->lease_time = cfg->lease_time;
    memcpy(rc->dns, cfg->dns, sizeof rc->dns);
    rc->n_dns = cfg->n_dns;
    if (cfg->has_prefix6) {
        rc->prefix6 = cfg->prefix6;
        memcpy(rc->rdnss, cfg->rdnss, sizeof rc->rdnss);
        rc->n_rdnss = cfg->n_rdnss;
    }
}

void
netmode_config_format(const struct netmode_config *cfg, struct ds *s)
{
    ds_put_format(s, "  mode: %s\n", netmode_mode_name(cfg->mode));
    if (cfg->uplink) {
        ds_put_format(s, "  uplink: %s\n", cfg->uplink);
    }
    if (!netmode_config_isolates_uplink(cfg)) {
        return;
    }
    ds_put_format(s, "  subnet: "IP_FMT"/%u\n  gateway: "IP_FMT"\n",
                  IP_ARGS(cfg->network), cfg->plen, IP_ARGS(cfg->gateway));
    if (cfg->has_uplink_addr) {
        ds_put_format(s, "  uplink-address: "IP_FMT"/%u\n",
                      IP_ARGS(cfg->uplink_addr), cfg->uplink_plen);
    }
    if (cfg->uplink_router) {
        ds_put_format(s, "  uplink-router: "IP_FMT"\n",
                      IP_ARGS(cfg->uplink_router));
    }
    if (cfg->dhcp_first) {
        ds_put_format(s, "  dhcp-range: "IP_FMT"-"IP_FMT"\n",
                      IP_ARGS(cfg->dhcp_first), IP_ARGS(cfg->dhcp_last));
    } else {
        ds_put_cstr(s, "  dhcp-range: none\n");
    }
    if (cfg->n_dns || cfg->n_rdnss) {
        ds_put_cstr(s, "  dns:");
        for (size_t i = 0; i < cfg->n_dns; i++) {
            ds_put_format(s, " "IP_FMT, IP_ARGS(cfg->dns[i]));
        }
        for (size_t i = 0; i < cfg->n_rdnss; i++) {
            ds_put_char(s, ' ');
            ipv6_format_addr(&cfg->rdnss[i], s);
        }
        ds_put_char(s, '\n');
    }
    ds_put_format(s, "  lease-time: %"PRIu32"\n", cfg->lease_time);
    if (cfg->has_prefix6) {
        ds_put_cstr(s, "  ipv6-prefix: ");
        ipv6_format_addr(&cfg->prefix6, s);
        ds_put_cstr(s, "/64\n");
    }
    if (cfg->mode == NETMODE_NAT) {
        ds_put_format(s, "  ct-zone: %"PRIu16"\n", cfg->ct_zone);
        for (size_t i = 0; i < cfg->n_forwards; i++) {
            const struct netmode_forward *f = &cfg->forwards[i];
            ds_put_format(s, "  port-forward: %s:%"PRIu16" -> "IP_FMT
                          ":%"PRIu16"\n",
                          f->proto == IPPROTO_TCP ? "tcp" : "udp", f->port,
                          IP_ARGS(f->ip), f->vm_port);
        }
    } else {
        ds_put_format(s, "  proxy-arp: %s\n",
                      cfg->proxy_arp ? "true" : "false");
    }
}

/* ------------------------------------------------------------------ */
/* Compiling. */

void
netmode_flows_init(struct netmode_flows *f)
{
    f->flows = NULL;
    f->n = f->allocated = 0;
}

void
netmode_flows_destroy(struct netmode_flows *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->flows[i]);
    }
    free(f->flows);
    netmode_flows_init(f);
}

/* Appends "table=TABLE,priority=PRIORITY,cookie=C," and the rest, which
 * FORMAT gives: "MATCH,actions=ACTIONS" or "actions=ACTIONS". */
static void PLX_PRINTF_FORMAT(5, 6)
add_flow(struct netmode_flows *f, int table, int priority,
         enum netmode_kind kind, const char *format, ...)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    va_list args;

    ds_put_format(&s, "table=%d,priority=%d,cookie=0x%016"PRIx64",", table,
                  priority, NETMODE_COOKIE | kind);
    va_start(args, format);
    ds_put_format_valist(&s, format, args);
    va_end(args);
    if (f->n >= f->allocated) {
        f->flows = x2nrealloc(f->flows, &f->allocated, sizeof *f->flows);
    }
    f->flows[f->n++] = ds_steal_cstr(&s);
}

static const char *
port_string(netmode_port_t port, char buf[16])
{
    if (port == MF_OFPP_LOCAL) {
        return "LOCAL";
    }
    snprintf(buf, 16, "%"PRIu32, port);
    return buf;
}

static int
compare_neighbors(const void *a_, const void *b_)
{
    const struct netmode_neighbor *a = a_, *b = b_;
    uint32_t a_ip = ntohl(a->ip), b_ip = ntohl(b->ip);
    return a_ip < b_ip ? -1 : a_ip > b_ip;
}

/* Returns a sorted copy of the N neighbors of IN that KEEP accepts,
 * without duplicate addresses (the first one given wins), and their
 * number in *NP. */
static struct netmode_neighbor *
filter_neighbors(const struct netmode_neighbor *in, size_t n,
                 bool (*keep)(const struct netmode_neighbor *,
                              const struct netmode_config *,
                              const struct netmode_ports *),
                 const struct netmode_config *cfg,
                 const struct netmode_ports *ports, size_t *np)
{
    struct netmode_neighbor *out = xmalloc((n + 1) * sizeof *out);
    size_t n_out = 0;

    for (size_t i = 0; i < n; i++) {
        if (keep(&in[i], cfg, ports)) {
            out[n_out++] = in[i];
        }
    }
    /* A stable order: sort, then drop later duplicates (qsort is not
     * stable, so duplicates are resolved before sorting). */
    size_t n_uniq = 0;
    for (size_t i = 0; i < n_out; i++) {
        bool dup = false;
        for (size_t j = 0; j < n_uniq && !dup; j++) {
            dup = out[j].ip == out[i].ip;
        }
        if (!dup) {
            out[n_uniq++] = out[i];
        }
    }
    qsort(out, n_uniq, sizeof *out, compare_neighbors);
    *np = n_uniq;
    return out;
}

static bool
keep_vm_neighbor(const struct netmode_neighbor *nb,
                 const struct netmode_config *cfg,
                 const struct netmode_ports *ports)
{
    if (!is_host_of(nb->ip, cfg->network, cfg->plen)
        || nb->ip == cfg->gateway || eth_addr_is_multicast(nb->mac)
        || eth_addr_is_zero(nb->mac)) {
        return false;
    }
    for (size_t i = 0; i < ports->n_vm_ports; i++) {
        if (ports->vm_ports[i] == nb->port) {
            return true;
        }
    }
    return false;
}

static bool
keep_uplink_neighbor(const struct netmode_neighbor *nb,
                     const struct netmode_config *cfg,
                     const struct netmode_ports *ports PLX_UNUSED)
{
    return (nb->ip && nb->ip != netmode_config_switch_addr(cfg)
            && !in_subnet(nb->ip, cfg->network, cfg->plen)
            && !eth_addr_is_multicast(nb->mac)
            && !eth_addr_is_zero(nb->mac)
            && netmode_config_next_hop(cfg, nb->ip) == nb->ip);
}

/* Table 0's flows for the uplink side. */
static void
compile_uplink_entry(const struct netmode_config *cfg,
                     const struct netmode_ports *ports,
                     struct netmode_flows *f)
{
    char pbuf[16];
    const char *up = port_string(ports->uplink, pbuf);
    plx_be32 sa = netmode_config_switch_addr(cfg);

    add_flow(f, 0, 1100, NETMODE_K_UPLINK_ARP,
             "in_port=%s,arp,arp_tpa="IP_FMT",actions=CONTROLLER:65535",
             up, IP_ARGS(sa));
    if (cfg->mode == NETMODE_NAT) {
        add_flow(f, 0, 1100, NETMODE_K_BASE,
                 "in_port=%s,ip,nw_dst="IP_FMT",actions=goto_table:%d",
                 up, IP_ARGS(cfg->uplink_addr), NETMODE_T_UNNAT);
    } else {
        if (cfg->proxy_arp) {
            add_flow(f, 0, 1090, NETMODE_K_UPLINK_ARP,
                     "in_port=%s,arp,arp_op=1,arp_tpa="IP_FMT"/%u,"
                     "actions=CONTROLLER:65535",
                     up, IP_ARGS(cfg->network), cfg->plen);
        }
        add_flow(f, 0, 1100, NETMODE_K_BASE,
                 "in_port=%s,ip,nw_dst="IP_FMT"/%u,actions=goto_table:%d",
                 up, IP_ARGS(cfg->network), cfg->plen, NETMODE_T_DELIVER);
    }
    add_flow(f, 0, 1050, NETMODE_K_BASE, "in_port=%s,actions=drop", up);
}

/* Table 0's flows for the VMs' side. */
static void
compile_vm_entry(const struct netmode_config *cfg,
                 const struct netmode_ports *ports, struct netmode_flows *f)
{
    struct eth_addr gm = ports->gw_mac;

    /* The host (the gateway's kernel interface) is an ordinary member of
     * the VMs' segment: its own ARP, gratuitous ARP included, is not for
     * the responder. */
    add_flow(f, 0, 1010, NETMODE_K_BASE, "in_port=LOCAL,actions=NORMAL");
    add_flow(f, 0, 1000, NETMODE_K_RESPOND,
             "arp,arp_op=1,arp_tpa="IP_FMT",actions=CONTROLLER:65535",
             IP_ARGS(cfg->gateway));
    add_flow(f, 0, 1000, NETMODE_K_VM_ARP_REPLY,
             "arp,arp_op=2,arp_tpa="IP_FMT",actions=CONTROLLER:65535,LOCAL",
             IP_ARGS(cfg->gateway));
    if (cfg->dhcp_first) {
        add_flow(f, 0, 1000, NETMODE_K_RESPOND,
                 "udp,tp_src=68,tp_dst=67,actions=CONTROLLER:65535");
    }
    if (cfg->has_prefix6) {
        struct in6_addr ll = responder_link_local(gm);
        struct ds target = DS_EMPTY_INITIALIZER;
        ipv6_format_addr(&ll, &target);
        add_flow(f, 0, 1000, NETMODE_K_RESPOND,
                 "icmp6,icmp_type=133,actions=CONTROLLER:65535");
        add_flow(f, 0, 1000, NETMODE_K_RESPOND,
                 "icmp6,icmp_type=135,nd_target=%s,"
                 "actions=CONTROLLER:65535", ds_cstr(&target));
        ds_destroy(&target);
    }
    add_flow(f, 0, 900, NETMODE_K_BASE,
             "ip,dl_dst="ETH_ADDR_FMT",nw_dst="IP_FMT",actions=LOCAL",
             ETH_ADDR_ARGS(gm), IP_ARGS(cfg->gateway));
    add_flow(f, 0, 800, NETMODE_K_BASE,
             "ip,dl_dst="ETH_ADDR_FMT",nw_dst="IP_FMT"/%u,"
             "actions=goto_table:%d",
             ETH_ADDR_ARGS(gm), IP_ARGS(cfg->network), cfg->plen,
             NETMODE_T_DELIVER);
    if (ports->has_uplink) {
        add_flow(f, 0, 700, NETMODE_K_BASE,
                 "ip,dl_dst="ETH_ADDR_FMT",nw_src="IP_FMT"/%u,"
                 "actions=goto_table:%d",
                 ETH_ADDR_ARGS(gm), IP_ARGS(cfg->network), cfg->plen,
                 cfg->mode == NETMODE_NAT ? NETMODE_T_SNAT : NETMODE_T_OUT);
    }
    add_flow(f, 0, 600, NETMODE_K_BASE,
             "ip,dl_dst="ETH_ADDR_FMT",actions=drop", ETH_ADDR_ARGS(gm));
    add_flow(f, 0, 10, NETMODE_K_BASE, "actions=NORMAL");
}

static void
compile_nat_tables(const struct netmode_config *cfg,
                   struct netmode_flows *f)
{
    add_flow(f, NETMODE_T_SNAT, 10, NETMODE_K_BASE,
             "ip,actions=ct(commit,zone=%"PRIu16",nat(src="IP_FMT"),"
             "table=%d)", cfg->ct_zone, IP_ARGS(cfg->uplink_addr),
             NETMODE_T_OUT);
    add_flow(f, NETMODE_T_SNAT, 0, NETMODE_K_BASE, "actions=drop");
    add_flow(f, NETMODE_T_UNNAT, 10, NETMODE_K_BASE,
             "ip,actions=ct(zone=%"PRIu16",nat,table=%d)", cfg->ct_zone,
             NETMODE_T_NAT_IN);
    add_flow(f, NETMODE_T_UNNAT, 0, NETMODE_K_BASE, "actions=drop");
    add_flow(f, NETMODE_T_NAT_IN, 100, NETMODE_K_BASE,
             "ct_state=+est+trk,ip,actions=goto_table:%d",
             NETMODE_T_DELIVER);
    add_flow(f, NETMODE_T_NAT_IN, 100, NETMODE_K_BASE,
             "ct_state=+rel+trk,ip,actions=goto_table:%d",
             NETMODE_T_DELIVER);
    for (size_t i = 0; i < cfg->n_forwards; i++) {
        const struct netmode_forward *fw = &cfg->forwards[i];
        add_flow(f, NETMODE_T_NAT_IN, 50, NETMODE_K_FORWARD,
                 "ct_state=+new+trk,%s,tp_dst=%"PRIu16","
                 "actions=ct(commit,zone=%"PRIu16",nat(dst="IP_FMT":%"
                 PRIu16"),table=%d)",
                 fw->proto == IPPROTO_TCP ? "tcp" : "udp", fw->port,
                 cfg->ct_zone, IP_ARGS(fw->ip), fw->vm_port,
                 NETMODE_T_DELIVER);
    }
    add_flow(f, NETMODE_T_NAT_IN, 0, NETMODE_K_BASE, "actions=drop");
}

static const struct netmode_neighbor *
find_neighbor(const struct netmode_neighbor *nbs, size_t n, plx_be32 ip)
{
    for (size_t i = 0; i < n; i++) {
        if (nbs[i].ip == ip) {
            return &nbs[i];
        }
    }
    return NULL;
}

static void
compile_out_table(const struct netmode_config *cfg,
                  const struct netmode_ports *ports,
                  const struct netmode_neighbor *up, size_t n_up,
                  struct netmode_flows *f)
{
    char pbuf[16];
    const char *port = port_string(ports->uplink, pbuf);
    struct eth_addr um = ports->uplink_mac;

    for (size_t i = 0; i < n_up; i++) {
        add_flow(f, NETMODE_T_OUT, 300, NETMODE_K_UPLINK_NEIGH,
                 "ip,nw_dst="IP_FMT",actions="
                 "set_field:"ETH_ADDR_FMT"->eth_src,"
                 "set_field:"ETH_ADDR_FMT"->eth_dst,dec_ttl,output:%s",
                 IP_ARGS(up[i].ip), ETH_ADDR_ARGS(um),
                 ETH_ADDR_ARGS(up[i].mac), port);
    }
    if (cfg->has_uplink_addr) {
        add_flow(f, NETMODE_T_OUT, 200, NETMODE_K_RESOLVE_UPLINK,
                 "ip,nw_dst="IP_FMT"/%u,actions=CONTROLLER:65535",
                 IP_ARGS(cfg->uplink_addr
                         & be32_prefix_mask(cfg->uplink_plen)),
                 cfg->uplink_plen);
    }
    if (cfg->uplink_router) {
        const struct netmode_neighbor *r
            = find_neighbor(up, n_up, cfg->uplink_router);
        if (r) {
            add_flow(f, NETMODE_T_OUT, 100, NETMODE_K_UPLINK_NEIGH,
                     "ip,actions=set_field:"ETH_ADDR_FMT"->eth_src,"
                     "set_field:"ETH_ADDR_FMT"->eth_dst,dec_ttl,output:%s",
                     ETH_ADDR_ARGS(um), ETH_ADDR_ARGS(r->mac), port);
        } else {
            add_flow(f, NETMODE_T_OUT, 100, NETMODE_K_RESOLVE_UPLINK,
                     "ip,actions=CONTROLLER:65535");
        }
    } else if (!cfg->has_uplink_addr) {
        /* Everything is on-link. */
        add_flow(f, NETMODE_T_OUT, 100, NETMODE_K_RESOLVE_UPLINK,
                 "ip,actions=CONTROLLER:65535");
    }
}

static void
compile_deliver_table(const struct netmode_config *cfg,
                      const struct netmode_ports *ports,
                      const struct netmode_neighbor *vm, size_t n_vm,
                      struct netmode_flows *f)
{
    for (size_t i = 0; i < n_vm; i++) {
        char pbuf[16];
        add_flow(f, NETMODE_T_DELIVER, 300, NETMODE_K_VM_NEIGH,
                 "ip,nw_dst="IP_FMT",actions="
                 "set_field:"ETH_ADDR_FMT"->eth_src,"
                 "set_field:"ETH_ADDR_FMT"->eth_dst,dec_ttl,output:%s",
                 IP_ARGS(vm[i].ip), ETH_ADDR_ARGS(ports->gw_mac),
                 ETH_ADDR_ARGS(vm[i].mac), port_string(vm[i].port, pbuf));
    }
    add_flow(f, NETMODE_T_DELIVER, 200, NETMODE_K_RESOLVE_VM,
             "ip,nw_dst="IP_FMT"/%u,actions=CONTROLLER:65535",
             IP_ARGS(cfg->network), cfg->plen);
    add_flow(f, NETMODE_T_DELIVER, 0, NETMODE_K_BASE, "actions=drop");
}

void
netmode_compile(const struct netmode_config *cfg,
                const struct netmode_ports *ports,
                const struct netmode_neighbor *vm_in, size_t n_vm_in,
                const struct netmode_neighbor *up_in, size_t n_up_in,
                struct netmode_flows *f)
{
    if (cfg->mode == NETMODE_NONE) {
        return;
    }
    if (cfg->mode == NETMODE_BRIDGED) {
        add_flow(f, 0, 10, NETMODE_K_BASE, "actions=NORMAL");
        return;
    }

    size_t n_vm, n_up = 0;
    struct netmode_neighbor *vm = filter_neighbors(vm_in, n_vm_in,
                                                   keep_vm_neighbor, cfg,
                                                   ports, &n_vm);
    struct netmode_neighbor *up = NULL;

    if (ports->has_uplink) {
        up = filter_neighbors(up_in, n_up_in, keep_uplink_neighbor, cfg,
                              ports, &n_up);
        compile_uplink_entry(cfg, ports, f);
    }
    compile_vm_entry(cfg, ports, f);
    if (ports->has_uplink) {
        if (cfg->mode == NETMODE_NAT) {
            compile_nat_tables(cfg, f);
        }
        compile_out_table(cfg, ports, up, n_up, f);
        add_flow(f, NETMODE_T_OUT, 0, NETMODE_K_BASE, "actions=drop");
    }
    compile_deliver_table(cfg, ports, vm, n_vm, f);
    free(vm);
    free(up);
}
