/*
 * conntrack-nat: the NAT half of conntrack (datapath/conntrack.h): which
 * tuple a new NATed connection gets, and how its packets are rewritten.
 *
 * Tuple selection.  A connection's reply tuple starts as the reverse of
 * its original tuple; SNAT replaces the reply's destination (the address
 * and port replies are sent to), DNAT its source.  (With both CT_NAT_SRC
 * and CT_NAT_DST in one action, the range is the destination's.)
 *
 *   - Address: in min_addr..max_addr (either order) with
 *     CT_NAT_RANGE_ADDR, starting at a hash of the original tuple's two
 *     addresses, or of its source address alone with CT_NAT_PERSISTENT
 *     (so a client keeps its address while that has free ports); without
 *     CT_NAT_RANGE_ADDR the address stays and only the port may change.
 *     An IPv6 range of more than 2**32 addresses is used from min_addr
 *     up to 2**32 addresses.
 *   - Port, for TCP, UDP and SCTP: in min_port..max_port (either order)
 *     with CT_NAT_RANGE_PORT; otherwise SNAT keeps the original port if
 *     free, else takes one of the same class (1-511, 512-1023,
 *     1024-65535) as Linux and Open vSwitch do, and DNAT keeps the
 *     destination port.  The search in a range starts at a hash of the
 *     original tuple (CT_NAT_HASH, the default) or at random
 *     (CT_NAT_RANDOM), and wraps.
 *   - ICMP/ICMPv6 echo: the "port" is the id, in both ends of the
 *     tuple: the original id if free, else any (port ranges do not apply
 *     to ids).  Other protocols: the address only.
 *   - DNAT of TCP/UDP/SCTP when every destination candidate is taken:
 *     the source port also moves, within its class, as in Open vSwitch
 *     (two clients' connections through two virtual addresses to one
 *     server from the same source port).  ct_nat_applied() then reports
 *     both translations.
 *
 * A reply tuple that IN_USE reports taken is never chosen, so no two
 * live connections ever share one.  The search is bounded: at most
 * CT_NAT_MAX_ATTEMPTS (2**18) candidates per phase (DNAT has two), i.e.
 * every port of a full 64k range for each of 4 addresses, or 262,144
 * addresses without ports; beyond that ct_nat_select() gives up as if the
 * range were exhausted.
 *
 * Rewriting.  ct_nat_packet() rewrites a packet of a NATed connection:
 * in the original direction SNAT changes the source to the reply tuple's
 * destination and DNAT the destination to the reply tuple's source; in
 * the reply direction the reverse.  The sides translated are those in
 * NAT_FLAGS plus those where the tuples differ (ct_nat_applied()), so a
 * caller that passes the action's flags still gets a DNAT's moved source
 * port right.  ct_nat_icmp_error() does the same for an ICMP/ICMPv6
 * error related to the connection: the outer addresses as for the
 * direction the error travels (as Open vSwitch and Linux do, an error
 * from a router takes the translated address of the side the
 * translation hides), and the quoted IP header and first 8 bytes of its
 * transport header (ports, ICMP id) reversed.
 *
 * Checksums are updated incrementally (lib/csum.h), so a right checksum
 * stays right and a wrong one stays wrong: IPv4 header, TCP, UDP, ICMP
 * and ICMPv6 (with its pseudo-header); a zero UDP checksum ("none")
 * stays zero and one that would become zero is sent as 0xffff; SCTP's
 * CRC32c is adjusted by the difference of the right CRCs before and
 * after.  In an ICMP error, the quoted IPv4 header checksum, the quoted
 * TCP/UDP/ICMP checksum when the quote holds it (its data need not be
 * there), the outer IPv4 header checksum and the error's own checksum
 * are all fixed; a quoted SCTP CRC covers bytes the error does not carry
 * and is left as is.  In an IPv6 packet with a routing header that has
 * segments left, the destination address is not in the pseudo-header
 * and its change does not touch the transport checksum.
 *
 * Robustness.  Only PKT's l3 offset is used: the transport header is
 * found from the IP header (options, IPv6 extension headers).  Nothing
 * beyond dp_packet_size() is read or written; a packet whose IP header,
 * extension headers, lengths or needed transport header bytes are
 * incomplete or inconsistent, whose protocol or IP version is not the
 * connection's, or (for ct_nat_icmp_error()) which is not an ICMP error
 * quoting at least the quoted packet's IP header and 8 bytes of its
 * transport header, is left unchanged.  A later IP fragment (no
 * transport header) has its addresses rewritten only.
 *
 * Threads: every function here is reentrant; CT_NAT_RANDOM uses a
 * per-thread generator.
 */
#ifndef PLX_CONNTRACK_NAT_H
#define PLX_CONNTRACK_NAT_H 1

#include <stdbool.h>
#include <stdint.h>
#include "conntrack.h"

struct dp_packet;

/* Chooses the reply tuple for a new connection with original tuple ORIG
 * under NAT.  On entry *REPLY is the reverse of ORIG; on success it is
 * the reply tuple after NAT and the function returns true.  Returns false
 * (and leaves *REPLY unchanged) when every candidate is in use.  IN_USE
 * (with AUX) says whether a reply tuple already belongs to a live
 * connection.  BASIS seeds the hashes. */
bool ct_nat_select(const struct ct_nat_action *, const struct ct_key *orig,
                   struct ct_key *reply, uint32_t basis,
                   bool (*in_use)(const struct ct_key *, void *aux),
                   void *aux);

/* Which translations ORIG and REPLY show: CT_NAT_SRC when the reply
 * tuple's destination (address, or port for TCP/UDP/SCTP) is not the
 * original source, CT_NAT_DST when its source is not the original
 * destination.  ct_nat_select() may move the source port under DNAT (see
 * above), so this can say more than the action's flags; the +snat/+dnat
 * bits of ct_state may be set from it. */
uint16_t ct_nat_applied(const struct ct_key *orig,
                        const struct ct_key *reply);

/* Rewrites PKT, a packet of the connection ORIG/REPLY travelling in the
 * reply direction if REPLY_DIR, for the translation NAT_FLAGS (CT_NAT_SRC
 * and/or CT_NAT_DST, as chosen at commit).  PKT's l3 and l4 offsets must
 * be set (flow_extract()). */
void ct_nat_packet(struct dp_packet *pkt, const struct ct_key *orig,
                   const struct ct_key *reply, uint16_t nat_flags,
                   bool reply_dir);

/* Same for PKT, an ICMP or ICMPv6 error quoting a packet of that
 * connection; REPLY_DIR is the direction of the error itself. */
void ct_nat_icmp_error(struct dp_packet *pkt, const struct ct_key *orig,
                       const struct ct_key *reply, uint16_t nat_flags,
                       bool reply_dir);

#endif /* conntrack-nat.h */
