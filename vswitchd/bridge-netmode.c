/* bridge-netmode: a bridge's network mode at run time.  See
 * vswitchd/bridge-netmode.h. */
#include <config.h>
#include "vswitchd/bridge-netmode.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "datapath/netdev.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "hash.h"
#include "hmap.h"
#include "match.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofp-flow.h"
#include "openflow.h"
#include "packets.h"
#include "poll-loop.h"
#include "responder.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/netmode.h"

VLOG_DEFINE_THIS_MODULE(bridge_netmode);

#define NM_MAX_NEIGHBORS 4096       /* Per side. */
#define NM_NEIGHBOR_TTL (20 * 60 * 1000)    /* ms without news. */
#define NM_MAX_HELD 16              /* Packets per unresolved next hop. */
#define NM_HOLD_MS 3000             /* How long they are held. */
#define NM_ARP_INTERVAL 1000        /* ms between ARPs for one address. */
#define NM_MAX_PENDING 256          /* Unresolved next hops at once. */
#define NM_VERIFY_INTERVAL 5000     /* ms between checks of our flows. */

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct nm_neighbor {
    struct hmap_node node;          /* By 'ip'. */
    plx_be32 ip;
    struct eth_addr mac;
    ofp_port_t port;                /* VM side only. */
    long long int heard;            /* Last learned or confirmed. */
};

/* Packets waiting for a next hop to answer ARP. */
struct nm_pending {
    struct hmap_node node;          /* By 'ip'. */
    plx_be32 ip;                    /* The next hop. */
    bool vm_side;
    struct dp_packet *held[NM_MAX_HELD];
    size_t n_held;
    long long int created;
    long long int next_arp;
};

/* A flow we installed, by its text. */
struct nm_flow {
    struct hmap_node node;          /* By hash of 'text'. */
    char *text;
};

struct bridge_netmode {
    struct hmap_node node;          /* In 'all_netmodes', by name. */
    char *name;
    struct ofproto *ofproto;

    struct smap keys;               /* network-* keys as last applied. */
    struct netmode_config cfg;      /* NETMODE_NONE if 'error'. */
    char *error;

    /* Port facts. */
    struct netmode_ports ports;
    netmode_port_t *vm_ports;
    bool has_local;

    struct responder *responder;
    struct hmap vm_neighbors;       /* struct nm_neighbor. */
    struct hmap up_neighbors;       /* struct nm_neighbor. */
    struct hmap pending;            /* struct nm_pending. */

    struct hmap flows;              /* struct nm_flow, as installed. */
    bool dirty;                     /* Recompile at the next chance. */
    long long int next_verify;

    /* System ports whose arp_ignore this sets (see nm_isolate_ports()):
     * name -> the value to put back. */
    struct smap arp_ignore;

    /* The gateway address as put on the kernel interface (0: none). */
    plx_be32 kaddr;
    unsigned int kaddr_plen;
    int kaddr_ifindex;
};

static struct hmap all_netmodes = HMAP_INITIALIZER(&all_netmodes);

static void nm_sync_flows(struct bridge_netmode *);
static void nm_local_cb(void *aux, const void *packet, size_t len,
                        ofp_port_t in_port, uint64_t cookie);

/* ------------------------------------------------------------------ */
/* Neighbors. */

static struct nm_neighbor *
nm_neighbor_find(const struct hmap *map, plx_be32 ip)
{
    struct nm_neighbor *nb;
    HMAP_FOR_EACH_WITH_HASH (nb, node, hash_int(ip, 0), map) {
        if (nb->ip == ip) {
            return nb;
        }
    }
    return NULL;
}

static void
nm_neighbors_clear(struct hmap *map)
{
    struct nm_neighbor *nb;
    HMAP_FOR_EACH_POP (nb, node, map) {
        free(nb);
    }
}

static void nm_flush_pending(struct bridge_netmode *, plx_be32 ip);

/* Records that IP is at MAC (behind PORT, VM side). */
static void
nm_learn(struct bridge_netmode *nm, bool vm_side, plx_be32 ip,
         struct eth_addr mac, ofp_port_t port)
{
    struct hmap *map = vm_side ? &nm->vm_neighbors : &nm->up_neighbors;
    struct nm_neighbor *nb = nm_neighbor_find(map, ip);
    long long int now = time_msec();

    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac) || !ip) {
        return;
    }
    if (!nb) {
        if (hmap_count(map) >= NM_MAX_NEIGHBORS) {
            VLOG_WARN_RL(&rl, "%s: too many %s neighbors, not learning "
                         IP_FMT, nm->name, vm_side ? "VM" : "uplink",
                         IP_ARGS(ip));
            return;
        }
        nb = xzalloc(sizeof *nb);
        nb->ip = ip;
        hmap_insert(map, &nb->node, hash_int(ip, 0));
        nm->dirty = true;
    } else if (!eth_addr_equals(nb->mac, mac) || nb->port != port) {
        nm->dirty = true;
    }
    if (nm->dirty) {
        VLOG_DBG("%s: %s neighbor "IP_FMT" is at "ETH_ADDR_FMT, nm->name,
                 vm_side ? "VM" : "uplink", IP_ARGS(ip), ETH_ADDR_ARGS(mac));
    }
    nb->mac = mac;
    nb->port = port;
    nb->heard = now;
    nm_flush_pending(nm, ip);
}

static struct netmode_neighbor *
nm_neighbor_array(const struct hmap *map, size_t *np)
{
    struct netmode_neighbor *a = xmalloc((hmap_count(map) + 1) * sizeof *a);
    const struct nm_neighbor *nb;
    size_t n = 0;

    HMAP_FOR_EACH (nb, node, map) {
        a[n].ip = nb->ip;
        a[n].mac = nb->mac;
        a[n].port = nb->port;
        n++;
    }
    *np = n;
    return a;
}

/* ------------------------------------------------------------------ */
/* Sending. */

/* Sends the LEN bytes at DATA out of OpenFlow port PORT (MF_OFPP_NORMAL:
 * NORMAL as if from LOCAL, i.e. to every VM), first setting the Ethernet
 * addresses and decrementing the TTL if ROUTE. */
static void
nm_send(struct bridge_netmode *nm, const void *data, size_t len,
        ofp_port_t port, bool route, struct eth_addr src,
        struct eth_addr dst)
{
    struct ofpa_buf acts = OFPA_BUF_INITIALIZER;
    ofp_port_t in_port = MF_OFPP_CONTROLLER;

    if (route) {
        /* OpenFlow 1.3 actions: set_field, not 1.0's mod_dl_*. */
        char *text = xasprintf("set_field:"ETH_ADDR_FMT"->eth_src,"
                               "set_field:"ETH_ADDR_FMT"->eth_dst,dec_ttl",
                               ETH_ADDR_ARGS(src), ETH_ADDR_ARGS(dst));
        char *error = ofpacts_text_parse(text, &acts);
        free(text);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: %s", nm->name, error);
            free(error);
            ofpa_buf_uninit(&acts);
            return;
        }
    }
    if (port == MF_OFPP_NORMAL) {
        in_port = MF_OFPP_LOCAL;
    }
    ofpa_put_output(&acts, port, 0);
    enum ofperr error = ofproto_packet_out(nm->ofproto, data, len, in_port,
                                           acts.data, acts.size);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: could not send a packet: %s", nm->name,
                     ofperr_to_string(error));
    }
    ofpa_buf_uninit(&acts);
}

/* Sends an ARP packet with opcode OP from SHA/SPA to THA/TPA (Ethernet
 * destination ETH_DST) out of PORT. */
static void
nm_send_arp(struct bridge_netmode *nm, ofp_port_t port, uint16_t op,
            struct eth_addr eth_dst, struct eth_addr sha, plx_be32 spa,
            struct eth_addr tha, plx_be32 tpa)
{
    uint8_t frame[ETH_HEADER_LEN + ARP_ETH_HEADER_LEN];
    struct arp_eth_header arp;

    memcpy(frame, eth_dst.ea, ETH_ADDR_LEN);
    memcpy(frame + ETH_ADDR_LEN, sha.ea, ETH_ADDR_LEN);
    frame[12] = ETH_TYPE_ARP >> 8;
    frame[13] = ETH_TYPE_ARP & 0xff;
    memset(&arp, 0, sizeof arp);
    arp.ar_hrd = htons(ARP_HRD_ETHERNET);
    arp.ar_pro = htons(ARP_PRO_IP);
    arp.ar_hln = ETH_ADDR_LEN;
    arp.ar_pln = 4;
    arp.ar_op = htons(op);
    arp.ar_sha = sha;
    put_16aligned_be32(&arp.ar_spa, spa);
    arp.ar_tha = tha;
    put_16aligned_be32(&arp.ar_tpa, tpa);
    memcpy(frame + ETH_HEADER_LEN, &arp, sizeof arp);
    nm_send(nm, frame, sizeof frame, port, false, sha, eth_dst);
}

/* ------------------------------------------------------------------ */
/* Unresolved next hops. */

static struct nm_pending *
nm_pending_find(const struct bridge_netmode *nm, plx_be32 ip)
{
    struct nm_pending *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(ip, 0), &nm->pending) {
        if (p->ip == ip) {
            return p;
        }
    }
    return NULL;
}

static void
nm_pending_destroy(struct bridge_netmode *nm, struct nm_pending *p)
{
    hmap_remove(&nm->pending, &p->node);
    for (size_t i = 0; i < p->n_held; i++) {
        dp_packet_delete(p->held[i]);
    }
    free(p);
}

static void
nm_pending_clear(struct bridge_netmode *nm)
{
    struct nm_pending *p;
    HMAP_FOR_EACH_SAFE (p, node, &nm->pending) {
        nm_pending_destroy(nm, p);
    }
}

/* Sends the packet at DATA to neighbor NB, from our MAC on that side. */
static void
nm_forward(struct bridge_netmode *nm, bool vm_side,
           const struct nm_neighbor *nb, const void *data, size_t len)
{
    if (vm_side) {
        nm_send(nm, data, len, nb->port, true, nm->ports.gw_mac, nb->mac);
    } else if (nm->ports.has_uplink) {
        nm_send(nm, data, len, nm->ports.uplink, true,
                nm->ports.uplink_mac, nb->mac);
    }
}

static void
nm_send_arp_request(struct bridge_netmode *nm, struct nm_pending *p)
{
    if (p->vm_side) {
        nm_send_arp(nm, MF_OFPP_NORMAL, ARP_OP_REQUEST, eth_addr_broadcast,
                    nm->ports.gw_mac, nm->cfg.gateway, eth_addr_zero,
                    p->ip);
    } else if (nm->ports.has_uplink) {
        nm_send_arp(nm, nm->ports.uplink, ARP_OP_REQUEST,
                    eth_addr_broadcast, nm->ports.uplink_mac,
                    netmode_config_switch_addr(&nm->cfg), eth_addr_zero,
                    p->ip);
    }
    p->next_arp = time_msec() + NM_ARP_INTERVAL;
}

/* Sends what waits for IP, now that it is known. */
static void
nm_flush_pending(struct bridge_netmode *nm, plx_be32 ip)
{
    struct nm_pending *p = nm_pending_find(nm, ip);
    if (!p) {
        return;
    }
    const struct nm_neighbor *nb = nm_neighbor_find(
        p->vm_side ? &nm->vm_neighbors : &nm->up_neighbors, ip);
    if (nb) {
        for (size_t i = 0; i < p->n_held; i++) {
            nm_forward(nm, p->vm_side, nb, dp_packet_data(p->held[i]),
                       dp_packet_size(p->held[i]));
        }
    }
    nm_pending_destroy(nm, p);
}

/* A packet for next hop IP, which is not known: holds it and ARPs. */
static void
nm_resolve(struct bridge_netmode *nm, bool vm_side, plx_be32 ip,
           const void *data, size_t len)
{
    const struct nm_neighbor *nb = nm_neighbor_find(
        vm_side ? &nm->vm_neighbors : &nm->up_neighbors, ip);
    if (nb) {
        /* Learned after the packet was sent here. */
        nm_forward(nm, vm_side, nb, data, len);
        return;
    }

    struct nm_pending *p = nm_pending_find(nm, ip);
    if (!p) {
        if (hmap_count(&nm->pending) >= NM_MAX_PENDING) {
            VLOG_WARN_RL(&rl, "%s: too many unresolved next hops, dropping "
                         "a packet for "IP_FMT, nm->name, IP_ARGS(ip));
            return;
        }
        p = xzalloc(sizeof *p);
        p->ip = ip;
        p->vm_side = vm_side;
        p->created = time_msec();
        hmap_insert(&nm->pending, &p->node, hash_int(ip, 0));
        nm_send_arp_request(nm, p);
    }
    if (p->n_held < NM_MAX_HELD) {
        p->held[p->n_held++] = dp_packet_clone_data(data, len);
    }
}

/* ------------------------------------------------------------------ */
/* Packets for the switch. */

/* If REPLY (a frame from the responder) is a DHCPACK with an address,
 * stores the address and the client's MAC. */
static bool
nm_parse_dhcp_ack(struct dp_packet *reply, plx_be32 *ip,
                  struct eth_addr *mac)
{
    struct flow flow;

    flow_extract(reply, &flow);
    if (flow.dl_type != htons(ETH_TYPE_IP) || flow.nw_proto != IPPROTO_UDP
        || flow.tp_src != htons(67) || !dp_packet_l4(reply)) {
        return false;
    }
    const uint8_t *p = (const uint8_t *) dp_packet_l4(reply) + 8;
    size_t len = dp_packet_l4_size(reply);
    if (len < 8 + 240) {
        return false;
    }
    len -= 8;
    memcpy(ip, p + 16, 4);
    memcpy(mac->ea, p + 28, ETH_ADDR_LEN);
    for (size_t i = 240; i < len; ) {
        uint8_t code = p[i];
        if (code == 0) {
            i++;
            continue;
        }
        if (code == 255 || i + 1 >= len || i + 2 + p[i + 1] > len) {
            break;
        }
        if (code == 53 && p[i + 1] == 1) {
            return p[i + 2] == 5 && *ip;        /* DHCPACK. */
        }
        i += 2 + p[i + 1];
    }
    return false;
}

static bool
nm_is_host_of_subnet(const struct netmode_config *cfg, plx_be32 ip)
{
    plx_be32 mask = be32_prefix_mask(cfg->plen);
    return ((ip & mask) == cfg->network && ip != cfg->network
            && ip != (cfg->network | ~mask) && ip != cfg->gateway);
}

static void
nm_handle_respond(struct bridge_netmode *nm, struct dp_packet *pkt,
                  const struct flow *flow, ofp_port_t in_port)
{
    struct dp_packet reply;

    if (flow->dl_type == htons(ETH_TYPE_ARP)
        && flow->nw_proto == ARP_OP_REQUEST
        && nm_is_host_of_subnet(&nm->cfg, flow->nw_src)) {
        nm_learn(nm, true, flow->nw_src, flow->arp_sha, in_port);
    }
    if (!nm->responder) {
        return;
    }
    dp_packet_init(&reply, 512);
    int error = responder_handle(nm->responder, pkt, time_msec(), &reply);
    if (!error) {
        nm_send(nm, dp_packet_data(&reply), dp_packet_size(&reply),
                in_port, false, eth_addr_zero, eth_addr_zero);
        plx_be32 ip;
        struct eth_addr mac;
        if (nm_parse_dhcp_ack(&reply, &ip, &mac)
            && nm_is_host_of_subnet(&nm->cfg, ip)) {
            nm_learn(nm, true, ip, mac, in_port);
        }
    } else if (error == EINVAL) {
        VLOG_DBG_RL(&rl, "%s: malformed request on port %"PRIu32,
                    nm->name, in_port);
    }
    dp_packet_uninit(&reply);
}

static void
nm_handle_uplink_arp(struct bridge_netmode *nm, const struct flow *flow)
{
    const struct netmode_config *cfg = &nm->cfg;
    plx_be32 sa = netmode_config_switch_addr(cfg);
    plx_be32 spa = flow->nw_src, tpa = flow->nw_dst;

    if (flow->dl_type != htons(ETH_TYPE_ARP) || !nm->ports.has_uplink) {
        return;
    }
    if (tpa == sa && spa && spa != sa
        && netmode_config_next_hop(cfg, spa) == spa) {
        nm_learn(nm, false, spa, flow->arp_sha, 0);
    }
    bool answer = (tpa == sa
                   || (cfg->mode == NETMODE_ROUTED && cfg->proxy_arp
                       && (tpa & be32_prefix_mask(cfg->plen))
                          == cfg->network
                       && tpa != cfg->network
                       && tpa != (cfg->network
                                  | ~be32_prefix_mask(cfg->plen))));
    if (flow->nw_proto == ARP_OP_REQUEST && answer && spa != tpa) {
        nm_send_arp(nm, nm->ports.uplink, ARP_OP_REPLY, flow->arp_sha,
                    nm->ports.uplink_mac, tpa, flow->arp_sha, spa);
    }
}

static void
nm_local_cb(void *aux, const void *data, size_t len, ofp_port_t in_port,
            uint64_t cookie)
{
    struct bridge_netmode *nm = aux;
    struct flow flow;

    if (!netmode_config_isolates_uplink(&nm->cfg)) {
        return;                 /* Stale flow: the mode just went away. */
    }
    struct dp_packet *pkt = dp_packet_clone_data(data, len);
    flow_extract(pkt, &flow);

    switch (cookie & 0xff) {
    case NETMODE_K_RESPOND:
        nm_handle_respond(nm, pkt, &flow, in_port);
        break;
    case NETMODE_K_VM_ARP_REPLY:
        if (flow.dl_type == htons(ETH_TYPE_ARP)
            && nm_is_host_of_subnet(&nm->cfg, flow.nw_src)) {
            nm_learn(nm, true, flow.nw_src, flow.arp_sha, in_port);
        }
        break;
    case NETMODE_K_UPLINK_ARP:
        if (in_port == nm->ports.uplink) {
            nm_handle_uplink_arp(nm, &flow);
        }
        break;
    case NETMODE_K_RESOLVE_UPLINK:
        if (flow.dl_type == htons(ETH_TYPE_IP)) {
            plx_be32 hop = netmode_config_next_hop(&nm->cfg, flow.nw_dst);
            if (hop) {
                nm_resolve(nm, false, hop, data, len);
            }
        }
        break;
    case NETMODE_K_RESOLVE_VM:
        if (flow.dl_type == htons(ETH_TYPE_IP)
            && nm_is_host_of_subnet(&nm->cfg, flow.nw_dst)) {
            nm_resolve(nm, true, flow.nw_dst, data, len);
        }
        break;
    default:
        VLOG_DBG_RL(&rl, "%s: packet from a flow with cookie %#"PRIx64,
                    nm->name, cookie);
        break;
    }
    dp_packet_delete(pkt);
    /* New neighbors' flows go in from bridge_netmode_run(), right after
     * ofproto_run() has delivered the packets. */
}

/* ------------------------------------------------------------------ */
/* Flows. */

static struct nm_flow *
nm_flow_find(const struct hmap *flows, const char *text)
{
    struct nm_flow *f;
    HMAP_FOR_EACH_WITH_HASH (f, node, hash_string(text, 0), flows) {
        if (!strcmp(f->text, text)) {
            return f;
        }
    }
    return NULL;
}

/* The part of TEXT that identifies a flow: everything but the actions.
 * Returns its length. */
static size_t
nm_flow_identity_len(const char *text)
{
    const char *actions = strstr(text, ",actions=");
    return actions ? (size_t) (actions - text) : strlen(text);
}

/* Adds (COMMAND OFPUTIL_FC_ADD) or strictly deletes the flow TEXT.
 * Returns true on success. */
static bool
nm_flow_mod(struct bridge_netmode *nm, const char *text, int command)
{
    struct ofpa_buf ofpacts = OFPA_BUF_INITIALIZER;
    struct ofputil_flow_mod fm;
    char *error = ofputil_parse_flow_mod_str(text, OFPUTIL_FC_ADD, &fm,
                                             &ofpacts);
    bool ok = false;

    if (error) {
        VLOG_WARN_RL(&rl, "%s: cannot install \"%s\": %s", nm->name, text,
                     error);
        free(error);
    } else {
        if (command == OFPUTIL_FC_DELETE_STRICT) {
            fm.command = OFPUTIL_FC_DELETE_STRICT;
            fm.cookie = fm.new_cookie;
            fm.cookie_mask = htobe64(UINT64_MAX);
            fm.ofpacts = NULL;
            fm.ofpacts_len = 0;
        }
        enum ofperr err = ofproto_flow_mod(nm->ofproto, &fm, OFP13_VERSION);
        if (err) {
            VLOG_WARN_RL(&rl, "%s: flow \"%s\": %s", nm->name, text,
                         ofperr_to_string(err));
        }
        ok = !err;
    }
    ofpa_buf_uninit(&ofpacts);
    return ok;
}

static void
nm_compile(const struct bridge_netmode *nm, struct netmode_flows *out)
{
    size_t n_vm, n_up;
    struct netmode_neighbor *vm = nm_neighbor_array(&nm->vm_neighbors,
                                                    &n_vm);
    struct netmode_neighbor *up = nm_neighbor_array(&nm->up_neighbors,
                                                    &n_up);

    netmode_flows_init(out);
    if (nm->has_local || nm->cfg.mode == NETMODE_BRIDGED) {
        netmode_compile(&nm->cfg, &nm->ports, vm, n_vm, up, n_up, out);
    }
    free(vm);
    free(up);
}

/* Makes the installed flows what the configuration and the neighbors
 * call for. */
static void
nm_sync_flows(struct bridge_netmode *nm)
{
    struct netmode_flows wanted;
    struct hmap want = HMAP_INITIALIZER(&want);
    struct sset identities = SSET_INITIALIZER(&identities);
    struct nm_flow *f;

    nm->dirty = false;
    nm_compile(nm, &wanted);
    for (size_t i = 0; i < wanted.n; i++) {
        const char *text = wanted.flows[i];
        if (!nm_flow_find(&want, text)) {
            f = xmalloc(sizeof *f);
            f->text = xstrdup(text);
            hmap_insert(&want, &f->node, hash_string(text, 0));
            sset_add_and_free(&identities,
                              xmemdup0(text, nm_flow_identity_len(text)));
        }
    }
    netmode_flows_destroy(&wanted);

    /* Deletions first, of flows whose identity no wanted flow takes over
     * (an add with the same identity replaces them). */
    HMAP_FOR_EACH_SAFE (f, node, &nm->flows) {
        if (nm_flow_find(&want, f->text)) {
            continue;
        }
        char *id = xmemdup0(f->text, nm_flow_identity_len(f->text));
        if (!sset_contains(&identities, id)) {
            nm_flow_mod(nm, f->text, OFPUTIL_FC_DELETE_STRICT);
        }
        free(id);
        hmap_remove(&nm->flows, &f->node);
        free(f->text);
        free(f);
    }
    HMAP_FOR_EACH_SAFE (f, node, &want) {
        hmap_remove(&want, &f->node);
        if (!nm_flow_find(&nm->flows, f->text)
            && nm_flow_mod(nm, f->text, OFPUTIL_FC_ADD)) {
            hmap_insert(&nm->flows, &f->node, hash_string(f->text, 0));
        } else {
            free(f->text);
            free(f);
        }
    }
    hmap_destroy(&want);
    sset_destroy(&identities);
}

static void
nm_count_rule(const struct rule *rule PLX_UNUSED, void *aux)
{
    (*(size_t *) aux)++;
}

/* Reinstalls our flows if some went away (a controller connecting
 * flushes the tables, one may delete them). */
static void
nm_verify_flows(struct bridge_netmode *nm)
{
    struct ofputil_flow_stats_request req;
    size_t n = 0;

    memset(&req, 0, sizeof req);
    match_init_catchall(&req.match);
    req.table_id = OFPTT_ALL;
    req.out_port = MF_OFPP_ANY;
    req.out_group = OFPUTIL_GROUP_ANY;
    req.cookie = htobe64(NETMODE_COOKIE);
    req.cookie_mask = htobe64(NETMODE_COOKIE_MASK);
    ofproto_collect_flows(nm->ofproto, &req, nm_count_rule, &n);
    if (n < hmap_count(&nm->flows)) {
        VLOG_INFO("%s: %zu of %zu network mode flows found, reinstalling",
                  nm->name, n, hmap_count(&nm->flows));
        struct nm_flow *f;
        HMAP_FOR_EACH_POP (f, node, &nm->flows) {
            free(f->text);
            free(f);
        }
        nm_sync_flows(nm);
    }
}

/* ------------------------------------------------------------------ */
/* The gateway address on the bridge's kernel interface. */

static struct nl_sock *
nm_nl_sock(void)
{
    static struct nl_sock *sock;
    static bool failed;

    if (!sock && !failed) {
        struct nl_sock *s = nl_socket_alloc();
        int err = s ? nl_connect(s, NETLINK_ROUTE) : -NLE_NOMEM;
        if (err) {
            VLOG_WARN("cannot open a netlink socket: %s", nl_geterror(err));
            if (s) {
                nl_socket_free(s);
            }
            failed = true;
        } else {
            sock = s;
        }
    }
    return sock;
}

/* Adds (ADD) or deletes IP/PLEN on interface IFINDEX.  Returns 0 or a
 * libnl error (negative). */
static int
nm_kernel_addr(int ifindex, plx_be32 ip, unsigned int plen, bool add)
{
    struct nl_sock *sock = nm_nl_sock();
    if (!sock) {
        return -NLE_FAILURE;
    }
    struct rtnl_addr *addr = rtnl_addr_alloc();
    struct nl_addr *local = nl_addr_build(AF_INET, &ip, sizeof ip);
    int err = -NLE_NOMEM;
    if (addr && local) {
        nl_addr_set_prefixlen(local, plen);
        rtnl_addr_set_ifindex(addr, ifindex);
        rtnl_addr_set_family(addr, AF_INET);
        err = rtnl_addr_set_local(addr, local);
        if (!err) {
            rtnl_addr_set_prefixlen(addr, plen);
            err = (add ? rtnl_addr_add(sock, addr, NLM_F_REPLACE)
                   : rtnl_addr_delete(sock, addr, 0));
        }
    }
    if (local) {
        nl_addr_put(local);
    }
    if (addr) {
        rtnl_addr_put(addr);
    }
    return err;
}

/* Brings interface IFINDEX up (the host cannot reach the VMs through a
 * down interface).  Returns 0 or a libnl error. */
static int
nm_kernel_link_up(int ifindex)
{
    struct nl_sock *sock = nm_nl_sock();
    struct rtnl_link *link, *change;
    int err;

    if (!sock) {
        return -NLE_FAILURE;
    }
    err = rtnl_link_get_kernel(sock, ifindex, NULL, &link);
    if (err) {
        return err;
    }
    if (!(rtnl_link_get_flags(link) & IFF_UP)) {
        change = rtnl_link_alloc();
        if (!change) {
            err = -NLE_NOMEM;
        } else {
            rtnl_link_set_flags(change, IFF_UP);
            err = rtnl_link_change(sock, link, change, 0);
            rtnl_link_put(change);
        }
    }
    rtnl_link_put(link);
    return err;
}

static void
nm_remove_kernel_addr(struct bridge_netmode *nm)
{
    if (nm->kaddr) {
        int err = nm_kernel_addr(nm->kaddr_ifindex, nm->kaddr,
                                 nm->kaddr_plen, false);
        if (err && err != -NLE_NOADDR && err != -NLE_NODEV) {
            VLOG_WARN("%s: could not remove "IP_FMT"/%u: %s", nm->name,
                      IP_ARGS(nm->kaddr), nm->kaddr_plen, nl_geterror(err));
        } else {
            VLOG_INFO("%s: removed "IP_FMT"/%u", nm->name,
                      IP_ARGS(nm->kaddr), nm->kaddr_plen);
        }
        nm->kaddr = 0;
    }
}

/* Puts the gateway address on the bridge's kernel interface, if the mode
 * wants one and the interface exists. */
static void
nm_sync_kernel_addr(struct bridge_netmode *nm)
{
    const struct netmode_config *cfg = &nm->cfg;
    bool want = netmode_config_isolates_uplink(cfg) && nm->has_local;
    int ifindex = want ? (int) if_nametoindex(nm->name) : 0;

    if (!ifindex) {
        nm_remove_kernel_addr(nm);
        return;
    }
    if (nm->kaddr == cfg->gateway && nm->kaddr_plen == cfg->plen
        && nm->kaddr_ifindex == ifindex) {
        return;
    }
    nm_remove_kernel_addr(nm);
    int err = nm_kernel_addr(ifindex, cfg->gateway, cfg->plen, true);
    if (err && err != -NLE_EXIST) {
        VLOG_WARN("%s: could not add "IP_FMT"/%u to the interface: %s",
                  nm->name, IP_ARGS(cfg->gateway), cfg->plen,
                  nl_geterror(err));
        return;
    }
    err = nm_kernel_link_up(ifindex);
    if (err) {
        VLOG_WARN("%s: could not bring the interface up: %s", nm->name,
                  nl_geterror(err));
    }
    VLOG_INFO("%s: gateway address "IP_FMT"/%u", nm->name,
              IP_ARGS(cfg->gateway), cfg->plen);
    nm->kaddr = cfg->gateway;
    nm->kaddr_plen = cfg->plen;
    nm->kaddr_ifindex = ifindex;
}

/* ------------------------------------------------------------------ */
/* Configuration. */

struct bridge_netmode *
bridge_netmode_create(struct ofproto *ofproto, const char *name)
{
    struct bridge_netmode *nm = xzalloc(sizeof *nm);

    nm->name = xstrdup(name);
    nm->ofproto = ofproto;
    smap_init(&nm->keys);
    smap_init(&nm->arp_ignore);
    hmap_init(&nm->vm_neighbors);
    hmap_init(&nm->up_neighbors);
    hmap_init(&nm->pending);
    hmap_init(&nm->flows);
    hmap_insert(&all_netmodes, &nm->node, hash_string(name, 0));
    ofproto_set_local_handler(ofproto, NETMODE_COOKIE, NETMODE_COOKIE_MASK,
                              nm_local_cb, nm);
    return nm;
}

static void
nm_forget_flows(struct bridge_netmode *nm)
{
    struct nm_flow *f;
    HMAP_FOR_EACH_POP (f, node, &nm->flows) {
        free(f->text);
        free(f);
    }
}

/* The host's own IPv4 stack also sees what arrives on a bridge's system
 * ports (an AF_PACKET socket does not take frames away from it), and the
 * host has the gateway address: it would answer the VMs' ARP for the
 * gateway on a VM's veth, and outside ARP for it on the uplink, with
 * those interfaces' own MACs.  In nat and routed modes, this sets
 * arp_ignore=1 on every system port of the bridge (answer only for
 * addresses on the receiving interface, which has none), and puts the
 * old value back when the mode goes or the port leaves. */
static void
nm_write_arp_ignore(const char *name, const char *value, char *old,
                    size_t old_size)
{
    char *path = xasprintf("/proc/sys/net/ipv4/conf/%s/arp_ignore", name);
    FILE *f;

    if (old && (f = fopen(path, "r")) != NULL) {
        if (!fgets(old, old_size, f)) {
            old[0] = '\0';
        }
        old[strcspn(old, "\n")] = '\0';
        fclose(f);
    }
    f = fopen(path, "w");
    if (!f || fputs(value, f) < 0 || fclose(f)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: could not set arp_ignore (%s)", name,
                     plx_strerror(errno));
        if (f) {
            fclose(f);
        }
    }
    free(path);
}

static void
nm_isolate_ports(struct bridge_netmode *nm,
                 const struct bridge_netmode_port *ports, size_t n_ports)
{
    bool isolate = netmode_config_isolates_uplink(&nm->cfg);
    struct smap keep = SMAP_INITIALIZER(&keep);

    for (size_t i = 0; isolate && i < n_ports; i++) {
        const struct bridge_netmode_port *p = &ports[i];
        const char *old = smap_get(&nm->arp_ignore, p->name);
        char buf[16] = "";

        if (p->ofp_port == MF_OFPP_LOCAL || !p->netdev
            || strcmp(netdev_get_type(p->netdev), "system")) {
            continue;
        }
        if (!old) {
            nm_write_arp_ignore(p->name, "1", buf, sizeof buf);
            old = buf[0] ? buf : "0";
        }
        smap_add(&keep, p->name, old);
    }
    struct smap_node *node;
    SMAP_FOR_EACH (node, &nm->arp_ignore) {
        if (!smap_get(&keep, node->key)) {
            nm_write_arp_ignore(node->key, node->value, NULL, 0);
        }
    }
    smap_swap(&keep, &nm->arp_ignore);
    smap_destroy(&keep);
}

/* The MAC of the switch's own address on the uplink: one of its own
 * (locally administered, from the bridge's name), not the uplink
 * interface's, so that the host's stack drops what is sent to it rather
 * than routing a copy. */
static struct eth_addr
nm_uplink_mac(const char *bridge)
{
    uint32_t h = hash_string(bridge, 0);
    struct eth_addr mac = { .ea = { 0x0a, 0x50, 0x4c, h >> 16, h >> 8, h } };
    return mac;
}

void
bridge_netmode_destroy(struct bridge_netmode *nm)
{
    if (!nm) {
        return;
    }
    ofproto_set_local_handler(nm->ofproto, 0, 0, NULL, NULL);
    nm_isolate_ports(nm, NULL, 0);
    smap_destroy(&nm->arp_ignore);
    nm_remove_kernel_addr(nm);
    hmap_remove(&all_netmodes, &nm->node);
    nm_pending_clear(nm);
    hmap_destroy(&nm->pending);
    nm_neighbors_clear(&nm->vm_neighbors);
    hmap_destroy(&nm->vm_neighbors);
    nm_neighbors_clear(&nm->up_neighbors);
    hmap_destroy(&nm->up_neighbors);
    nm_forget_flows(nm);
    hmap_destroy(&nm->flows);
    responder_destroy(nm->responder);
    netmode_config_destroy(&nm->cfg);
    smap_destroy(&nm->keys);
    free(nm->vm_ports);
    free(nm->error);
    free(nm->name);
    free(nm);
}

/* Re-reads the configuration if the network-* keys changed.  Returns
 * true if they did. */
static bool
nm_apply_keys(struct bridge_netmode *nm, const struct smap *oc)
{
    struct smap keys = SMAP_INITIALIZER(&keys);
    const struct smap_node *node;

    SMAP_FOR_EACH (node, oc) {
        if (!strncmp(node->key, "network-", 8)) {
            smap_add(&keys, node->key, node->value);
        }
    }
    if (smap_equal(&keys, &nm->keys)) {
        smap_destroy(&keys);
        return false;
    }
    smap_swap(&keys, &nm->keys);
    smap_destroy(&keys);

    netmode_config_destroy(&nm->cfg);
    free(nm->error);
    nm->error = netmode_config_parse(&nm->keys, &nm->cfg);
    if (nm->error) {
        VLOG_WARN("bridge %s: network mode disabled: %s", nm->name,
                  nm->error);
    } else if (nm->cfg.mode != NETMODE_NONE) {
        VLOG_INFO("bridge %s: network mode %s", nm->name,
                  netmode_mode_name(nm->cfg.mode));
    }
    nm_pending_clear(nm);
    return true;
}

/* Brings the responder in line with the configuration and gateway MAC. */
static void
nm_configure_responder(struct bridge_netmode *nm)
{
    if (!netmode_config_isolates_uplink(&nm->cfg) || !nm->has_local) {
        responder_destroy(nm->responder);
        nm->responder = NULL;
        return;
    }

    struct responder_config rc;
    netmode_config_to_responder(&nm->cfg, nm->ports.gw_mac, &rc);
    char *error = responder_config_check(&rc);
    if (error) {
        VLOG_WARN("bridge %s: DHCP/ND responder off: %s", nm->name, error);
        free(error);
        responder_destroy(nm->responder);
        nm->responder = NULL;
    } else if (!nm->responder
               || responder_reconfigure(nm->responder, &rc)) {
        responder_destroy(nm->responder);
        nm->responder = responder_create(&rc);
    }
}

void
bridge_netmode_configure(struct bridge_netmode *nm, const struct smap *oc,
                         const struct bridge_netmode_port *ports,
                         size_t n_ports)
{
    bool changed = nm_apply_keys(nm, oc);

    nm_isolate_ports(nm, ports, n_ports);

    /* Port facts. */
    struct netmode_ports np;
    netmode_port_t *vm_ports = xmalloc((n_ports + 1) * sizeof *vm_ports);
    bool has_local = false;

    memset(&np, 0, sizeof np);
    np.vm_ports = vm_ports;
    for (size_t i = 0; i < n_ports; i++) {
        const struct bridge_netmode_port *p = &ports[i];
        struct eth_addr mac = eth_addr_zero;

        if (p->netdev) {
            netdev_get_etheraddr(p->netdev, &mac);
        }
        if (p->ofp_port == MF_OFPP_LOCAL) {
            np.gw_mac = mac;
            has_local = true;
        } else if (nm->cfg.uplink && !strcmp(p->name, nm->cfg.uplink)
                   && !np.has_uplink) {
            np.has_uplink = true;
            np.uplink = p->ofp_port;
            np.uplink_mac = nm_uplink_mac(nm->name);
        } else {
            vm_ports[np.n_vm_ports++] = p->ofp_port;
        }
    }
    bool ports_changed = (
        changed || has_local != nm->has_local
        || np.has_uplink != nm->ports.has_uplink
        || np.uplink != nm->ports.uplink
        || !eth_addr_equals(np.uplink_mac, nm->ports.uplink_mac)
        || !eth_addr_equals(np.gw_mac, nm->ports.gw_mac)
        || np.n_vm_ports != nm->ports.n_vm_ports
        || memcmp(vm_ports, nm->vm_ports,
                  np.n_vm_ports * sizeof *vm_ports));
    if (!ports_changed) {
        free(vm_ports);
        return;
    }
    if (netmode_config_isolates_uplink(&nm->cfg) && !np.has_uplink) {
        VLOG_WARN("bridge %s: uplink port %s not found", nm->name,
                  nm->cfg.uplink);
    }
    free(nm->vm_ports);
    nm->vm_ports = vm_ports;
    nm->ports = np;
    nm->has_local = has_local;

    /* VM neighbors behind ports that went away go too. */
    struct nm_neighbor *nb;
    HMAP_FOR_EACH_SAFE (nb, node, &nm->vm_neighbors) {
        size_t i;
        for (i = 0; i < np.n_vm_ports && vm_ports[i] != nb->port; i++) {
            continue;
        }
        if (i == np.n_vm_ports) {
            hmap_remove(&nm->vm_neighbors, &nb->node);
            free(nb);
        }
    }
    if (!netmode_config_isolates_uplink(&nm->cfg)) {
        nm_neighbors_clear(&nm->vm_neighbors);
        nm_neighbors_clear(&nm->up_neighbors);
    }
    nm_configure_responder(nm);
    nm_sync_kernel_addr(nm);
    nm_sync_flows(nm);
    nm->next_verify = time_msec() + NM_VERIFY_INTERVAL;
}

bool
bridge_netmode_excludes_port(const struct bridge_netmode *nm,
                             const char *port_name)
{
    return (nm && netmode_config_isolates_uplink(&nm->cfg)
            && nm->cfg.uplink && !strcmp(nm->cfg.uplink, port_name));
}

/* ------------------------------------------------------------------ */
/* Timers. */

void
bridge_netmode_run(struct bridge_netmode *nm)
{
    long long int now = time_msec();
    struct nm_pending *p;

    HMAP_FOR_EACH_SAFE (p, node, &nm->pending) {
        if (now >= p->created + NM_HOLD_MS) {
            VLOG_DBG_RL(&rl, "%s: "IP_FMT" did not answer, dropping %zu "
                        "packets", nm->name, IP_ARGS(p->ip), p->n_held);
            nm_pending_destroy(nm, p);
        } else if (now >= p->next_arp) {
            nm_send_arp_request(nm, p);
        }
    }

    struct hmap *maps[2] = { &nm->vm_neighbors, &nm->up_neighbors };
    for (int i = 0; i < 2; i++) {
        struct nm_neighbor *nb;
        HMAP_FOR_EACH_SAFE (nb, node, maps[i]) {
            if (now >= nb->heard + NM_NEIGHBOR_TTL) {
                hmap_remove(maps[i], &nb->node);
                free(nb);
                nm->dirty = true;
            }
        }
    }

    if (now >= nm->next_verify) {
        nm->next_verify = now + NM_VERIFY_INTERVAL;
        if (hmap_count(&nm->flows)) {
            nm_verify_flows(nm);
        }
    }
    if (nm->dirty) {
        nm_sync_flows(nm);
    }
}

void
bridge_netmode_wait(struct bridge_netmode *nm)
{
    long long int when = nm->next_verify;
    const struct nm_pending *p;

    HMAP_FOR_EACH (p, node, &nm->pending) {
        when = MIN(when, MIN(p->created + NM_HOLD_MS, p->next_arp));
    }
    if (hmap_count(&nm->vm_neighbors) || hmap_count(&nm->up_neighbors)) {
        /* Aging needs no precision: look once a minute. */
        when = MIN(when, time_msec() + 60 * 1000);
    }
    if (nm->dirty) {
        poll_immediate_wake();
    }
    poll_timer_wait_until(when);
}

/* ------------------------------------------------------------------ */
/* netmode/show. */

static int
nm_compare_neighbors(const void *a_, const void *b_)
{
    const struct nm_neighbor *const *a = a_, *const *b = b_;
    uint32_t x = ntohl((*a)->ip), y = ntohl((*b)->ip);
    return x < y ? -1 : x > y;
}

static void
nm_format_neighbors(const struct bridge_netmode *nm, const struct hmap *map,
                    bool vm_side, struct ds *s)
{
    const struct nm_neighbor **a = xmalloc((hmap_count(map) + 1)
                                           * sizeof *a);
    const struct nm_neighbor *nb;
    size_t n = 0;
    long long int now = time_msec();

    HMAP_FOR_EACH (nb, node, map) {
        a[n++] = nb;
    }
    qsort(a, n, sizeof *a, nm_compare_neighbors);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "  "IP_FMT" "ETH_ADDR_FMT, IP_ARGS(a[i]->ip),
                      ETH_ADDR_ARGS(a[i]->mac));
        if (vm_side) {
            const char *port = ofproto_port_name(nm->ofproto, a[i]->port);
            ds_put_format(s, " port=%s", port ? port : "?");
        }
        ds_put_format(s, " age=%llds\n", (now - a[i]->heard) / 1000);
    }
    free(a);
}

static struct bridge_netmode *
nm_lookup(const char *name)
{
    struct bridge_netmode *nm;
    HMAP_FOR_EACH_WITH_HASH (nm, node, hash_string(name, 0), &all_netmodes) {
        if (!strcmp(nm->name, name)) {
            return nm;
        }
    }
    return NULL;
}

static void
nm_unixctl_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[], void *aux PLX_UNUSED)
{
    struct bridge_netmode *nm = nm_lookup(argv[1]);
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!nm) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }

    ds_put_format(&s, "bridge %s:\n", nm->name);
    if (nm->error) {
        ds_put_format(&s, "  mode: none (configuration error: %s)\n",
                      nm->error);
    } else {
        netmode_config_format(&nm->cfg, &s);
    }
    if (netmode_config_isolates_uplink(&nm->cfg)) {
        ds_put_format(&s, "  uplink port: %s\n",
                      nm->ports.has_uplink ? "present" : "missing");
        ds_put_format(&s, "  flows: %zu\n", hmap_count(&nm->flows));
        ds_put_cstr(&s, "DHCP leases:\n");
        if (nm->responder) {
            responder_format_leases(nm->responder, time_msec(), &s);
        }
        ds_put_cstr(&s, "VM neighbors:\n");
        nm_format_neighbors(nm, &nm->vm_neighbors, true, &s);
        ds_put_cstr(&s, "uplink neighbors:\n");
        nm_format_neighbors(nm, &nm->up_neighbors, false, &s);
        if (hmap_count(&nm->pending)) {
            ds_put_format(&s, "unresolved next hops: %zu\n",
                          hmap_count(&nm->pending));
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
bridge_netmode_init(void)
{
    unixctl_command_register("netmode/show", "BRIDGE", 1, 1,
                             nm_unixctl_show, NULL);
}
