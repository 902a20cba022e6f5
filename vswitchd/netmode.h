/*
 * netmode: the VM network modes of a bridge (bridged, nat, routed; see
 * Documentation/network-modes.md), as a pure compiler.
 *
 * Two steps, both pure functions with no I/O, no bridge and no ofproto:
 *
 *   1. netmode_config_parse() reads the "network-*" keys of a Bridge
 *      row's other_config into a struct netmode_config, or returns a
 *      message saying exactly what is wrong with which key.  Every
 *      value is checked (CIDRs, the gateway and DHCP range inside the
 *      subnet, the uplink address outside it, port forward syntax, ...);
 *      an unknown "network-*" key is an error too, so that a typo does
 *      not silently do nothing.  Keys that the mode does not use are
 *      ignored, so that switching modes does not require deleting them.
 *
 *   2. netmode_compile() turns a configuration, the facts about the
 *      bridge's ports (the uplink's OpenFlow port and MAC, the gateway
 *      MAC, which is the bridge's LOCAL port's) and the neighbors
 *      learned so far into the list of OpenFlow flows that implement the
 *      mode, each as ovs-ofctl add-flow text that names its table,
 *      priority and cookie ("table=0,priority=1000,cookie=0x504c58...,
 *      arp,arp_op=1,arp_tpa=10.0.0.1,actions=CONTROLLER:65535").  The
 *      list is deterministic (same input, same strings, same order), so
 *      the runtime (vswitchd/bridge-netmode.c) installs it by diffing
 *      against what it installed before.
 *
 * Cookies.  Every flow's cookie is NETMODE_COOKIE | kind (NETMODE_K_*);
 * NETMODE_COOKIE_MASK selects them all.  The kinds whose flows send
 * packets to the switch ("CONTROLLER") tell the runtime what to do with
 * the packet; the others only label the flow.
 *
 * Invariants of the compiled list: every flow parses with
 * ofputil_parse_flow_mod_str() (once lib/ofp-actions knows ct()), no two
 * flows share table, priority and match, table 0 flows have priorities
 * 10..1100 and the other flows live in tables 240..244, whose every
 * table gets a priority-0 drop flow so that a miss never reaches an
 * OpenFlow controller.
 */
#ifndef PLX_NETMODE_H
#define PLX_NETMODE_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "util.h"

struct responder_config;
struct smap;

/* The OpenFlow port number type of ofproto/ofproto.h, without including
 * it (this module depends on lib/ only). */
typedef uint32_t netmode_port_t;

enum netmode_mode {
    NETMODE_NONE,               /* No network-mode: no flows. */
    NETMODE_BRIDGED,
    NETMODE_NAT,
    NETMODE_ROUTED,
};
const char *netmode_mode_name(enum netmode_mode);

#define NETMODE_COOKIE      UINT64_C(0x504c580000000000)
#define NETMODE_COOKIE_MASK UINT64_C(0xffffffff00000000)

enum netmode_kind {
    /* Packets for the switch. */
    NETMODE_K_RESPOND = 0x01,       /* VM side ARP for the gateway, DHCP,
                                     * RS, NS: lib/responder, and learn. */
    NETMODE_K_VM_ARP_REPLY = 0x02,  /* A VM's ARP reply to the gateway:
                                     * learn (the kernel gets it too). */
    NETMODE_K_UPLINK_ARP = 0x03,    /* ARP on the uplink for the switch's
                                     * address (or proxy ARP). */
    NETMODE_K_RESOLVE_UPLINK = 0x04,/* To an unknown next hop outside. */
    NETMODE_K_RESOLVE_VM = 0x05,    /* To an unknown VM address. */
    /* Labels. */
    NETMODE_K_BASE = 0x10,          /* The mode's fixed flows. */
    NETMODE_K_FORWARD = 0x11,       /* A port forward. */
    NETMODE_K_UPLINK_NEIGH = 0x12,  /* A next hop outside, learned. */
    NETMODE_K_VM_NEIGH = 0x13,      /* A VM address, learned. */
};

/* The tables. */
#define NETMODE_T_SNAT 240          /* nat: VM to outside. */
#define NETMODE_T_UNNAT 241         /* nat: outside to the uplink address. */
#define NETMODE_T_NAT_IN 242        /* nat: after un-NAT. */
#define NETMODE_T_OUT 243           /* Out of the uplink, per next hop. */
#define NETMODE_T_DELIVER 244       /* To a VM, per address. */

#define NETMODE_MAX_DNS 3
#define NETMODE_MAX_FORWARDS 64
#define NETMODE_DEFAULT_LEASE_TIME 3600
#define NETMODE_DEFAULT_CT_ZONE 65000

/* network-port-forwards: PROTO:PORT=IP:VM_PORT. */
struct netmode_forward {
    uint8_t proto;              /* IPPROTO_TCP or IPPROTO_UDP. */
    uint16_t port;              /* On the uplink address. */
    plx_be32 ip;                /* The VM. */
    uint16_t vm_port;
};

struct netmode_config {
    enum netmode_mode mode;
    char *uplink;               /* Port name; NULL if unset (bridged). */

    /* nat and routed. */
    plx_be32 network;           /* The VMs' subnet. */
    unsigned int plen;          /* 1..30. */
    plx_be32 gateway;
    bool has_uplink_addr;
    plx_be32 uplink_addr;       /* The switch's address outside... */
    unsigned int uplink_plen;   /* ...and its prefix length, 1..32. */
    plx_be32 uplink_router;     /* 0: none. */
    plx_be32 dhcp_first;        /* Both 0: no DHCP. */
    plx_be32 dhcp_last;
    plx_be32 dns[NETMODE_MAX_DNS];
    size_t n_dns;
    struct in6_addr rdnss[NETMODE_MAX_DNS];     /* IPv6 DNS servers. */
    size_t n_rdnss;
    uint32_t lease_time;        /* Seconds. */
    bool has_prefix6;
    struct in6_addr prefix6;    /* A /64. */

    /* nat. */
    struct netmode_forward forwards[NETMODE_MAX_FORWARDS];
    size_t n_forwards;
    uint16_t ct_zone;

    /* routed. */
    bool proxy_arp;
};

/* Parses OTHER_CONFIG into *CFG (which needs no initialization; free it
 * with netmode_config_destroy() whatever the outcome).  Returns NULL, or
 * a malloc'd message naming the key and the problem; *CFG is then
 * mode NETMODE_NONE. */
char *netmode_config_parse(const struct smap *other_config,
                           struct netmode_config *cfg)
    PLX_WARN_UNUSED_RESULT;
void netmode_config_destroy(struct netmode_config *);

/* True if CFG takes the uplink out of the VMs' Ethernet segment (nat
 * and routed). */
bool netmode_config_isolates_uplink(const struct netmode_config *);

/* The address the switch uses on the uplink's network: the uplink
 * address, else (routed mode without one) the gateway. */
plx_be32 netmode_config_switch_addr(const struct netmode_config *);

/* The next hop for DST out of the uplink: DST itself if it is in the
 * uplink's subnet (or if there is neither a subnet nor a router), else
 * the router, or 0 if there is none. */
plx_be32 netmode_config_next_hop(const struct netmode_config *, plx_be32);

/* Fills *RC (zeroing it first) with the responder configuration for CFG
 * (nat or routed) and gateway MAC GW_MAC.  RC points into CFG. */
void netmode_config_to_responder(const struct netmode_config *,
                                 struct eth_addr gw_mac,
                                 struct responder_config *rc);

/* Appends a description of CFG's settings to DS (for netmode/show), one
 * "  key: value" line each. */
struct ds;
void netmode_config_format(const struct netmode_config *, struct ds *);

/* The bridge's ports, as the compiler needs them. */
struct netmode_ports {
    bool has_uplink;            /* The uplink port exists. */
    netmode_port_t uplink;      /* Its OpenFlow port. */
    struct eth_addr uplink_mac;
    struct eth_addr gw_mac;     /* The LOCAL port's MAC. */
    const netmode_port_t *vm_ports;     /* Every other port. */
    size_t n_vm_ports;
};

/* A learned neighbor: IP at MAC, behind OpenFlow port PORT (VM side;
 * unused for the uplink side). */
struct netmode_neighbor {
    plx_be32 ip;
    struct eth_addr mac;
    netmode_port_t port;
};

/* The compiled flows, in order. */
struct netmode_flows {
    char **flows;
    size_t n, allocated;
};

void netmode_flows_init(struct netmode_flows *);
void netmode_flows_destroy(struct netmode_flows *);

/* Compiles CFG (a successful parse) into FLOWS (initialized; appended
 * to).  VM neighbors outside the subnet or behind a port that is not
 * among the VM ports, and uplink neighbors that are not possible next
 * hops, are left out.  Without an uplink port (nat, routed), only the
 * VM side's flows are compiled. */
void netmode_compile(const struct netmode_config *,
                     const struct netmode_ports *,
                     const struct netmode_neighbor *vm, size_t n_vm,
                     const struct netmode_neighbor *up, size_t n_up,
                     struct netmode_flows *);

#endif /* netmode.h */
