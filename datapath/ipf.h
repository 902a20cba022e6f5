/*
 * ipf: IPv4 and IPv6 fragment reassembly in front of connection tracking,
 * with Open vSwitch's userspace "ipf" semantics.
 *
 * Conntrack needs whole datagrams (it reads L4 ports, and later fragments
 * have none), but a switch must forward the fragments it received, not a
 * datagram bigger than the next link's MTU.  So the "ct" action runs
 *
 *     ipf_preprocess() -> conntrack_execute() -> ipf_postprocess()
 *
 * ipf_preprocess() takes every IPv4 or IPv6 fragment (of the action's
 * dl_type) out of the batch and keeps it in the reassembly list of its
 * datagram.  Lists are keyed by source and destination address, IPv4
 * identification and protocol (or IPv6 fragment identification), zone,
 * dl_type, recirculation id and input port, so that fragments of different
 * flows or pipeline passes never mix.  When a list becomes complete, a
 * reassembled packet (a new dp_packet holding the whole datagram: the L2
 * header and the IP header chain of the first fragment, then every
 * fragment's data; the metadata of the fragment that completed it; layer
 * offsets set by flow_extract()) takes the place of that fragment in the
 * batch.  The fragments stay in the list.  Everything that is not a
 * fragment passes untouched, and so does everything when reassembly of
 * the dl_type is disabled.
 *
 * ipf_postprocess() replaces each reassembled packet in the batch by its
 * original fragments, in the order they arrived, and frees the reassembled
 * packet.  Each fragment gets conntrack's verdict (pkt_metadata ct_state,
 * ct_zone, ct_mark, ct_label and the original tuple) and whatever NAT did
 * to the datagram: the IP addresses (with the IPv4 header checksum updated
 * incrementally) on every fragment, and each fragment's data bytes from
 * the corresponding bytes of the datagram, which carries the new ports
 * and L4 checksum (valid for the whole datagram, as the first fragment's
 * L4 checksum must be) onto the first fragment.  A reassembled packet that
 * conntrack did not change gives back its fragments byte for byte.
 *
 * Contract: between ipf_preprocess() and ipf_postprocess() the caller may
 * modify packets (conntrack does) but must neither remove nor add
 * packets.  A reassembled packet is recognised by its address (checked
 * against its length and metadata), as in Open vSwitch.  If one never
 * comes back, its fragments are freed when its list times out.
 *
 * Batch room.  ipf_postprocess() must fit every fragment back into the
 * batch (NETDEV_MAX_BURST packets).  Therefore a list holds at most
 * IPF_LIST_MAX_FRAGS fragments (a datagram of more is dropped: its held
 * fragments are freed and later ones pass on as invalid), and
 * ipf_preprocess() only emits a reassembled packet when all the fragments
 * it stands for will fit later; otherwise the datagram waits, complete,
 * and goes out in the next ipf_preprocess() call with the same dl_type,
 * zone, recirculation id and input port that has room.
 *
 * Validation (as Open vSwitch's ipf, except where noted).  A fragment that
 * is malformed (IPv4: IHL below 5, total length beyond the bytes present
 * or below the IHL, bad header checksum; IPv6: payload length beyond the
 * bytes present, fragment header cut short), that carries no data or a
 * non-multiple of 8 bytes without being the last, that would end beyond
 * 65535 bytes, or whose IP packet is smaller than the minimum fragment
 * size while not being the last fragment (1200 bytes for IPv4 and 1280 for
 * IPv6 by default, Open vSwitch's values), is not reassembled: it stays in
 * the batch with ct_state = CS_INVALID, as Open vSwitch leaves it, and is
 * counted.  A fragment that exactly duplicates one already held is passed
 * on invalid the same way.  A fragment that partly overlaps (or
 * contradicts the end of) the fragments held for its datagram makes the
 * whole datagram invalid (RFC 5722; Open vSwitch only refuses the one
 * fragment): the held fragments are freed, the new one is passed on
 * invalid, and so are later fragments of that datagram until its list
 * would have timed out.  The IPv6 fragment header is found by walking the
 * hop-by-hop, routing, destination options and AH headers; an atomic
 * fragment (offset 0, M clear) is not a fragment.  Fragments of Ethernet
 * frames are measured by their IP lengths, so Ethernet padding is
 * ignored.
 *
 * Limits.  At most 'max_frags' fragments (default 1000, at most 5000, as
 * Open vSwitch) are held at once; a fragment beyond that passes on
 * invalid.  A list that is not complete IPF_TIMEOUT_MS (15 s, as Open
 * vSwitch) after its first fragment is freed by ipf_run() (or by a later
 * ipf_preprocess()), and so is a complete one whose reassembled packet
 * was not taken back within that time.
 *
 * Counters, per IP version (Open vSwitch's, plus 'n_invalid' and
 * 'n_full'): fragments accepted into a list, handed back completed,
 * freed as expired, refused as too small, refused or freed for overlap,
 * purged (freed because their datagram could not be used: too many
 * fragments, too long, or its reassembled packet never came back),
 * refused as malformed, and refused because 'max_frags' were held.
 *
 * Threads.  Every function may be called from any thread at any time;
 * one mutex inside serializes the lists.  Packets with no fragment in
 * them, and batches with no reassembled packet, never take it.
 */
#ifndef PLX_IPF_H
#define PLX_IPF_H 1

#include <stdbool.h>
#include <stdint.h>
#include "types.h"

struct dp_packet_batch;

#define IPF_TIMEOUT_MS 15000
#define IPF_LIST_MAX_FRAGS 32           /* NETDEV_MAX_BURST. */
#define IPF_V4_MIN_FRAG_DEFAULT 1200
#define IPF_V6_MIN_FRAG_DEFAULT 1280
#define IPF_MIN_FRAG_LBOUND 400         /* Lowest accepted min_frag. */
#define IPF_MAX_FRAGS_DEFAULT 1000
#define IPF_MAX_FRAGS_UBOUND 5000

struct ipf *ipf_create(void);
void ipf_destroy(struct ipf *);

/* Before conntrack: see above.  DL_TYPE is the ct action's EtherType
 * (network order); packets must have been through flow_extract(). */
void ipf_preprocess(struct ipf *, struct dp_packet_batch *,
                    plx_be16 dl_type, uint16_t zone, long long now);

/* After conntrack: see above. */
void ipf_postprocess(struct ipf *, struct dp_packet_batch *);

/* Frees lists that timed out by NOW (msec, time_msec()); returns when it
 * next needs to run, or LLONG_MAX when nothing is held. */
long long ipf_run(struct ipf *, long long now);

/* Configuration (dpctl/ipf-set-enabled, ipf-set-min-frag,
 * ipf-set-max-nfrags).  Return 0 or EINVAL for a value out of range
 * (min_frag below IPF_MIN_FRAG_LBOUND or above 65535, max_frags above
 * IPF_MAX_FRAGS_UBOUND). */
void ipf_set_enabled(struct ipf *, bool v6, bool enabled);
int ipf_set_min_frag(struct ipf *, bool v6, unsigned int min_frag);
int ipf_set_max_frags(struct ipf *, unsigned int max_frags);

struct ipf_proto_stats {
    bool enabled;
    unsigned int min_frag;
    uint64_t n_accepted;        /* Fragments taken into a list. */
    uint64_t n_completed;       /* Handed back after reassembly. */
    uint64_t n_expired;         /* Freed: datagram incomplete in time. */
    uint64_t n_too_small;       /* Refused: below min_frag. */
    uint64_t n_overlap;         /* Refused or freed: overlap/duplicate. */
    uint64_t n_purged;          /* Freed: datagram unusable. */
    uint64_t n_invalid;         /* Refused: malformed, or datagram
                                 * already discarded. */
    uint64_t n_full;            /* Refused: max_frags held. */
};

struct ipf_stats {
    unsigned int n_frags;       /* Fragments held now. */
    unsigned int max_frags;
    unsigned int n_lists;       /* Datagrams being tracked now. */
    struct ipf_proto_stats v4, v6;
};

void ipf_get_stats(struct ipf *, struct ipf_stats *);

#endif /* ipf.h */
