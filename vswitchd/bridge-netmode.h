/*
 * bridge-netmode: a bridge's VM network mode at run time (bridged, nat,
 * routed; see Documentation/network-modes.md and vswitchd/netmode.h,
 * the pure compiler it drives).
 *
 * Per bridge, it
 *   - parses the Bridge row's "network-*" other_config keys whenever
 *     they change (a bad value is logged once and turns the mode off);
 *   - compiles the configuration, the port facts and the neighbors it
 *     learned into flows and installs them in the bridge's ofproto by
 *     diffing: new flows are added (an add replaces a flow with the same
 *     table, priority and match), flows that are no longer wanted are
 *     deleted strictly, by match, priority and their own cookie, so that
 *     no flow without the netmode cookie is ever touched.  Every few
 *     seconds it checks that its flows are still there (a controller
 *     connecting flushes the tables) and reinstalls them if not;
 *   - takes the packets its flows send to the switch (ofproto's local
 *     handler for the netmode cookies): answers ARP, DHCP, RS and NS on
 *     the VMs' side with lib/responder, answers ARP for the switch's
 *     address on the uplink (and, routed, proxy ARP for the subnet) with
 *     the uplink's MAC, learns neighbors (VMs from their ARP for the
 *     gateway, their ARP replies and the DHCP ACKs; next hops outside
 *     from ARP on the uplink), and resolves unknown next hops: it ARPs
 *     for them (once a second at most, per address) and holds up to 16
 *     packets per next hop for up to 3 seconds, sending them on as soon
 *     as the answer comes;
 *   - puts the gateway address on the bridge's kernel interface (the
 *     internal port named like the bridge) with libnl, so that the host
 *     reaches the VMs, and removes it when the mode goes away;
 *   - tells bridge.c, through bridge_netmode_excludes_port(), to keep
 *     the uplink out of NORMAL's bundles in nat and routed modes.
 *
 * Learned neighbors are bounded (4096 per side) and forgotten after 20
 * minutes without being heard from; a VM neighbor also goes when its
 * port does.
 *
 * `plx-appctl netmode/show BRIDGE` prints the mode, the settings, the
 * DHCP leases and the neighbors.  Main thread only.
 */
#ifndef PLX_BRIDGE_NETMODE_H
#define PLX_BRIDGE_NETMODE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "ofproto/ofproto.h"

struct netdev;
struct smap;

/* Registers netmode/show.  Call once, after unixctl is set up. */
void bridge_netmode_init(void);

/* Creates the network mode state of bridge NAME, whose ofproto is
 * OFPROTO (which must outlive it); no mode until configured. */
struct bridge_netmode *bridge_netmode_create(struct ofproto *,
                                             const char *name);
/* Removes the kernel address and the local handler (the flows go with
 * the ofproto). */
void bridge_netmode_destroy(struct bridge_netmode *);

/* One OpenFlow port of the bridge, as bridge.c knows it: its Port
 * row's name, its OpenFlow number and its device. */
struct bridge_netmode_port {
    const char *name;
    ofp_port_t ofp_port;
    struct netdev *netdev;
};

/* Applies OTHER_CONFIG's network-* keys and the bridge's current ports
 * (after every database change).  Cheap when nothing changed. */
void bridge_netmode_configure(struct bridge_netmode *,
                              const struct smap *other_config,
                              const struct bridge_netmode_port *,
                              size_t n_ports);

/* True if the Port named PORT_NAME must not be a bundle of NORMAL (the
 * uplink in nat and routed modes).  Valid after configure(). */
bool bridge_netmode_excludes_port(const struct bridge_netmode *,
                                  const char *port_name);

/* Timers: held packets, ARP retries, neighbor aging, flow checks.  Call
 * after ofproto_run(), which delivers the packets. */
void bridge_netmode_run(struct bridge_netmode *);
void bridge_netmode_wait(struct bridge_netmode *);

#endif /* bridge-netmode.h */
