/*
 * odp-execute: runs a datapath action list (odp-actions.h) on a batch of
 * packets.
 *
 * The executor does every action that only changes packet bytes or
 * metadata itself: push/pop VLAN (802.1Q and 802.1ad), set and masked
 * set of Ethernet, IPv4, IPv6, TCP, UDP, SCTP, MPLS (top label stack
 * entry), ARP, ICMP, ICMPv6 and ND fields, push/pop MPLS, hash and
 * sample, and ct_clear.  Actions that need the datapath (output to a
 * port, userspace upcall, recirculation, meter, ct) go to the caller's
 * callback, as in Open vSwitch's odp_execute_actions() and dp_execute_cb.
 *
 * Ownership.  With MAY_STEAL, the executor owns the batch's packets: it
 * frees them when the actions end (or hands them to the callback for the
 * last action).  Without MAY_STEAL, the caller's packets are never freed
 * and never modified: the first action that would modify them works on a
 * private clone of the batch, which the executor then owns.  So the batch
 * is cloned only when it must be, and at most once per list.
 *
 * The callback receives SHOULD_STEAL: if true, it owns the batch's
 * packets and must free or keep them (it may leave the batch empty); if
 * false, it must not modify or free them and must copy what it keeps
 * (the executor still needs them for later actions, or the caller does).
 * SHOULD_STEAL is true only for the last action of a list the executor
 * owns.  After a callback with SHOULD_STEAL, execution of the list ends.
 *
 * ODP_ACTION_METER and ODP_ACTION_CT are the exceptions: the callback
 * always gets packets the executor owns (cloned first if the caller's
 * are not to be touched), with SHOULD_STEAL false, and may delete
 * packets from the batch (taking them out of it, as a meter band drops
 * them or conntrack holds a fragment) or change them (a dscp_remark band,
 * conntrack's metadata and NAT).  The list goes on with the packets
 * left, and ends if none is.  Without a callback, meters let every
 * packet pass and ct does nothing.
 *
 * Packet layout.  Set actions use the packet's l3/l4 offsets (set by
 * flow_extract()) and check that the header they change is really
 * there: the EtherType after the VLAN tags must be IPv4 or IPv6 and sit
 * at l3, the IP header must be complete, and L4 must be the TCP, UDP or
 * SCTP header the IP header leads to.  A packet without the header a set
 * action names (set ipv4 on an ARP packet, set tcp on a UDP packet or a
 * later fragment, a truncated packet) is left unchanged, as Open vSwitch
 * leaves it.  Set mpls changes the first label stack entry after the VLAN
 * tags; set arp needs an Ethernet/IPv4 ARP header at l3; set icmp and
 * icmpv6 need the 8-byte ICMP header; set nd needs a neighbor
 * solicitation or advertisement (code 0), rewrites its target and the
 * SLL/TLL options it already carries, and never adds an option.
 * Push/pop VLAN and MPLS keep the l2_5/l3/l4 offsets on their headers;
 * popping the bottom-of-stack MPLS entry points l3 after L2 and
 * unsets l4 (recirculation re-extracts the flow).
 *
 * Checksums are updated incrementally (RFC 1624, lib/csum.h), so a
 * packet whose checksum was right stays right and one that was wrong
 * stays wrong: IPv4 header checksum for address, TOS and TTL changes;
 * TCP, UDP and ICMPv6 checksums for address changes (pseudo-header) and
 * port changes; ICMPv4 and ICMPv6 checksums for type/code, ND target and
 * link-layer address changes; a zero UDP checksum (none) stays zero;
 * SCTP's CRC32c is updated by the difference of the CRCs before and
 * after.
 *
 * Sample runs its nested actions on a copy of each selected packet, so
 * they never change the packet the outer list continues with.  The
 * random numbers come from a per-thread generator that
 * odp_execute_set_seed() makes repeatable.
 */
#ifndef PLX_ODP_EXECUTE_H
#define PLX_ODP_EXECUTE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "odp-actions.h"

struct dp_packet;
struct dp_packet_batch;

typedef void odp_execute_cb(void *aux, struct dp_packet_batch *batch,
                            const struct odp_attr *action,
                            bool should_steal);

/* Executes the SIZE bytes of valid actions (odp_actions_check()) at
 * ACTIONS on BATCH.  DP_EXECUTE_ACTION gets output, userspace and recirc
 * actions (if it is NULL they are skipped).  Empties BATCH if MAY_STEAL. */
void odp_execute_actions(void *aux, struct dp_packet_batch *batch,
                         bool may_steal, const void *actions, size_t size,
                         odp_execute_cb *dp_execute_action);

/* Seeds this thread's generator for sample actions. */
void odp_execute_set_seed(uint32_t seed);

/* Sets PACKET's dp_hash as the hash(l4(BASIS)) action does. */
void odp_execute_hash_l4(struct dp_packet *packet, uint32_t basis);

#endif /* odp-execute.h */
