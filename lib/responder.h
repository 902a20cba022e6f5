/*
 * responder: the switch's built-in answers to the requests a VM sends
 * to "its gateway" when Plexus runs its network in nat or routed mode:
 * DHCPv4, IPv6 router and neighbor solicitations, ARP for the gateway's
 * address and ping to it.  The VM gets an address and a default route
 * without any daemon beside the switch.
 *
 * Use: OpenFlow flows steer the candidate packets (ARP, UDP to port 67,
 * ICMPv6 133/135, ICMP to the gateway) to the responder.  For each,
 * the switch calls responder_handle() and, when it returns 0, sends the
 * reply frame out of the port the request came in on.  The library
 * knows nothing of ports or flows; it is a pure function of the
 * configuration, the lease table and the request bytes.
 *
 * What responder_handle() answers:
 *
 *   ARP request (also a probe, SPA 0.0.0.0) whose target is the gateway
 *     IPv4 address -> ARP reply from the gateway MAC.
 *   ICMP echo request to the gateway IPv4 address -> echo reply.
 *   DHCPv4, UDP to port 67, to 255.255.255.255 or the gateway address
 *     (a renewing client unicasts), with giaddr 0 (relayed requests are
 *     not ours: the responder serves only its own segment):
 *       DISCOVER -> OFFER, or nothing (ENOSPC) if the pool is full;
 *       REQUEST (selecting, init-reboot, renewing, rebinding) -> ACK or
 *         NAK.  The responder is authoritative: an init-reboot or renew
 *         for a free address of the pool is ACKed even with no record
 *         of the client (the switch may have restarted), one for an
 *         address outside the pool or held by another client is NAKed.
 *         A REQUEST that selects another server withdraws our offer and
 *         gets no reply (ENODATA);
 *       DECLINE -> the address is set aside for one lease time, no reply;
 *       RELEASE -> the lease ends now (the client is still remembered, so
 *         that it gets the same address back while nobody else took it),
 *         no reply;
 *       INFORM -> ACK with configuration only (no yiaddr, no lease time).
 *     Replies carry options 53, 54 (server id = gateway), 51/58/59
 *     (lease, T1 = lease/2, T2 = lease*7/8), 1 (mask), 28 (broadcast),
 *     3 (router = gateway), 6 (DNS), 15 (domain), 26 (MTU), and echo
 *     option 61 (RFC 6842).  The parameter request list is not used to
 *     filter.  Reply addressing follows RFC 2131 section 4.1: NAK to
 *     broadcast; to ciaddr if the client set it; to broadcast if the
 *     client set the broadcast flag; else unicast to yiaddr at chaddr.
 *   ICMPv6, when an IPv6 prefix is configured:
 *     Router Solicitation (to ff02::2 or the gateway) -> Router
 *       Advertisement from the gateway's link-local address (fe80:: +
 *       modified EUI-64 of the gateway MAC) with source link-layer
 *       address, MTU (if configured), prefix information (/64, L and A
 *       flags: SLAAC) and RDNSS (if configured) options, unicast to the
 *       solicitor (to ff02::1 if it had no address yet);
 *     Neighbor Solicitation for the gateway's link-local address ->
 *       Neighbor Advertisement with the router flag and a target
 *       link-layer address option (to ff02::1, unsolicited, for a DAD
 *       probe from ::);
 *     Echo request to the gateway's link-local address -> echo reply.
 *
 * A reply is a complete Ethernet frame from the gateway MAC, carrying
 * the request's VLAN tags (up to two, 802.1Q or 802.1ad) unchanged, with
 * correct IPv4 header, UDP and ICMP/ICMPv6 (pseudo-header) checksums.
 *
 * Requests are outside input: they are parsed with bounds checks only,
 * never cast in place (so the request may have any alignment), and
 * never trigger an assertion.  The IPv4 header checksum and the ICMP
 * and ICMPv6 checksums of requests are verified; UDP checksums are not,
 * since a guest using checksum offload hands over partial ones.
 *
 * Leases.  A client is identified by its client identifier (option 61)
 * if it sends one, else by chaddr.  The table holds at most one entry
 * per client and one per address, each in one of these states:
 *   offered  the address is held for the client for 'offer_hold' secs;
 *   bound    ACKed, until the lease expires;
 *   declined the address was declined by a client and is unusable for a
 *            lease time; the entry has no client;
 * and an entry whose time has passed is "expired": it still remembers
 * its client's address, but the address may be given to anyone.  An
 * address is never offered or ACKed to a second client while another
 * client's entry for it is live.  Address choice for a DISCOVER: the
 * client's static reservation; else the address it had; else the one it
 * asks for (option 50) if free and in the pool; else the lowest address
 * of the pool nobody ever had; else the longest-expired one.  Reserved
 * addresses are given to their owners only (they may lie inside or
 * outside the pool, but inside the subnet).  The gateway, network and
 * broadcast addresses are never handed out.  The table is bounded by the
 * pool size plus the reservations.
 *
 * Time: every call takes 'now' in milliseconds (time_msec() in the
 * switch; tests pass explicit values).  Times must not go backwards.
 *
 * Not answered: IPv4 fragments, IPv6 packets with extension headers
 * (RS and NS never carry any), frames with more than two VLAN tags.
 *
 * Cost: a DISCOVER that finds no remembered or requested address scans
 * the pool for a never-used one, so it is O(pool size) when the pool is
 * nearly full (about a millisecond for a /16); everything else is O(1)
 * apart from the linear search of the (few) reservations.
 *
 * Thread safety: none; a struct responder belongs to one thread.
 */
#ifndef PLX_RESPONDER_H
#define PLX_RESPONDER_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"

struct dp_packet;
struct ds;

#define RESPONDER_MAX_DNS 3
#define RESPONDER_DOMAIN_MAX 253
#define RESPONDER_DEFAULT_LEASE_TIME 3600           /* Seconds. */
#define RESPONDER_DEFAULT_OFFER_HOLD 60             /* Seconds. */
#define RESPONDER_DEFAULT_ROUTER_LIFETIME 1800      /* Seconds. */
#define RESPONDER_DEFAULT_VALID_LIFETIME 86400      /* Seconds. */
#define RESPONDER_DEFAULT_PREFERRED_LIFETIME 14400  /* Seconds. */

/* A static DHCP reservation: MAC always gets IP. */
struct responder_reservation {
    struct eth_addr mac;
    plx_be32 ip;
};

/* The configuration.  Zero means "default" or "none" for every optional
 * member, so a zero-initialized struct with the gateway and subnet filled
 * in is a valid ARP/ping-only responder. */
struct responder_config {
    /* IPv4: gateway and subnet (network/plen, 1 <= plen <= 30, the
     * gateway inside it). */
    struct eth_addr gw_mac;
    plx_be32 gw_ip;
    plx_be32 network;
    unsigned int plen;

    /* DHCP: the pool [pool_first, pool_last] inside the subnet, or both
     * zero for no DHCP service. */
    plx_be32 pool_first;
    plx_be32 pool_last;
    uint32_t lease_time;        /* Seconds; 0 = default, at least 60. */
    uint32_t offer_hold;        /* Seconds an offer is held; 0 = default. */
    plx_be32 dns[RESPONDER_MAX_DNS];
    size_t n_dns;
    const char *domain_name;    /* NULL or "" for none.  Copied. */
    uint16_t mtu;               /* 0 = no MTU option (DHCP and RA). */
    const struct responder_reservation *reservations;   /* Copied. */
    size_t n_reservations;

    /* IPv6: the /64 prefix advertised for SLAAC; all-zero disables the
     * IPv6 responder (RS, NS and echo). */
    struct in6_addr prefix6;
    uint16_t router_lifetime;   /* Seconds; 0 = default. */
    uint32_t valid_lifetime;    /* Seconds; 0 = default. */
    uint32_t preferred_lifetime;/* Seconds; 0 = default. */
    struct in6_addr rdnss[RESPONDER_MAX_DNS];
    size_t n_rdnss;
    uint32_t rdnss_lifetime;    /* Seconds; 0 = 3 * router lifetime. */
};

/* Checks CFG; returns NULL if it is usable, else a malloc'd message. */
char *responder_config_check(const struct responder_config *cfg);

/* Creates a responder with configuration CFG, which must pass
 * responder_config_check().  Returns NULL if it does not. */
struct responder *responder_create(const struct responder_config *cfg);
/* Replaces the configuration (CFG must pass responder_config_check();
 * EINVAL and no change otherwise).  Leases whose address the new
 * configuration no longer allows to their client are dropped; the
 * others are kept.  Returns 0 or EINVAL. */
int responder_reconfigure(struct responder *, const struct responder_config *);
void responder_destroy(struct responder *);

/* The gateway's IPv6 link-local address, fe80:: with the modified EUI-64
 * interface identifier of MAC (RFC 4291 appendix A). */
struct in6_addr responder_link_local(struct eth_addr mac);

/* Handles the Ethernet frame REQUEST received at time NOW (msec).
 * REPLY must be an initialized packet; it is cleared first, and filled
 * only when 0 is returned.  Returns:
 *   0        REPLY holds the frame to send back out the ingress port;
 *   ENODATA  the request was for the responder and was processed, but
 *            calls for no reply (DHCP RELEASE, DECLINE, a REQUEST that
 *            chose another server);
 *   ENOSPC   a DHCPDISCOVER that found the pool exhausted;
 *   ENOENT   not a request the responder answers (not addressed to it,
 *            another protocol, the IPv6 or DHCP service is off);
 *   EINVAL   a malformed request (truncated, bad lengths, checksums,
 *            magic cookie, options). */
int responder_handle(struct responder *, const struct dp_packet *request,
                     long long int now, struct dp_packet *reply);

/* Lease states, as reported by responder_leases(). */
enum responder_lease_state {
    RESPONDER_LEASE_OFFERED,
    RESPONDER_LEASE_BOUND,
    RESPONDER_LEASE_DECLINED,
    RESPONDER_LEASE_EXPIRED,
};
const char *responder_lease_state_name(enum responder_lease_state);

struct responder_lease_info {
    plx_be32 ip;
    struct eth_addr mac;        /* chaddr of the client (that declined). */
    enum responder_lease_state state;
    long long int expires;      /* Msec, on the clock of 'now'. */
    char hostname[64];          /* Option 12, sanitized; "" if none. */
};

/* Returns a malloc'd array of every entry of the lease table, sorted by
 * address, with their state as of NOW, and their number in *N. */
struct responder_lease_info *responder_leases(const struct responder *,
                                              long long int now, size_t *n);

/* Appends one line per lease to DS:
 *   "IP MAC STATE expires=SECONDSs [hostname=NAME]\n"
 * (expires is relative to NOW; negative for expired entries). */
void responder_format_leases(const struct responder *, long long int now,
                             struct ds *);

#endif /* responder.h */
