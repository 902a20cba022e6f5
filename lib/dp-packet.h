/*
 * dp-packet: the datapath's packet buffer.
 *
 * A struct dp_packet describes one packet: a contiguous buffer of
 * 'allocated' bytes at 'base', of which 'size' bytes starting 'data_ofs'
 * bytes in are the packet.  The bytes before the data are headroom (so
 * that pushing a VLAN, MPLS or tunnel header never moves the payload)
 * and the bytes after it are tailroom.
 *
 *     base                 data                        data+size   end
 *     |<---- headroom ---->|<---------- packet --------->|<-tailroom->|
 *
 * Where the memory comes from is 'source':
 *   DPBUF_MALLOC  owned: malloc'd by this module, freed by it, may be
 *                 reallocated to grow;
 *   DPBUF_STACK   borrowed read-write memory of fixed size (e.g. on the
 *                 caller's stack), never freed or grown; growing past it
 *                 is a bug;
 *   DPBUF_STUB    borrowed memory used until the packet outgrows it, then
 *                 copied to malloc'd memory (and the packet becomes
 *                 DPBUF_MALLOC);
 *   DPBUF_DPDK    memory owned by someone else (a DPDK rte_mbuf, a
 *                 guest's vhost buffer pool...) and returned to its owner
 *                 by the 'release' callback.  Growing past it copies to
 *                 malloc'd memory and releases the original at once, so
 *                 a wrapped mbuf is never copied unless it must grow.
 *                 An "embedded" wrap (dp_packet_use_embedded()) is one
 *                 whose struct dp_packet itself lives in the memory that
 *                 'release' frees (a DPDK mbuf's private area): growing
 *                 it copies the data to malloc'd memory but keeps the
 *                 original until the packet is deleted, and deleting it
 *                 never calls free() on the struct.
 *   A read-only view (dp_packet_use_const()) is DPBUF_STACK whose data
 *   the caller promises not to modify.
 *
 * Layer offsets: flow extraction records where each layer starts, as
 * byte offsets from dp_packet_data(): l2_5 (the first MPLS label stack
 * entry), l3 (IP or ARP header) and l4 (TCP, UDP, SCTP, ICMP header).
 * DP_PACKET_OFS_UNSET means "not present".  Pushing or pulling bytes at
 * the head keeps each offset pointing at the same header; an offset whose
 * header is pulled off becomes unset.
 *
 * Alignment invariant: dp_packet_data() is 2-byte aligned for every
 * packet this module allocates (headroom is always even), so that the
 * header structs of packets.h may be laid over it.  Callers that push or
 * pull odd numbers of bytes, or wrap memory of their own, must keep it
 * so before parsing.
 *
 * Metadata: 'md' carries what the datapath knows about a packet beyond
 * its bytes (input port, recirculation id, hash, conntrack state, tunnel
 * headers); flow_extract() copies it into the flow key.
 *
 * Allocation: dp_packet_new() of up to 2 KiB hands out a packet with a
 * 2 KiB buffer from a per-thread cache that dp_packet_delete() refills,
 * so forwarding ordinary packets costs no malloc() per packet.
 *
 * A struct dp_packet_batch holds up to NETDEV_MAX_BURST packets, the unit
 * in which ports receive and send and the datapath classifies.
 */
#ifndef PLX_DP_PACKET_H
#define PLX_DP_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "flow.h"
#include "types.h"
#include "util.h"

enum dp_packet_source {
    DPBUF_MALLOC,
    DPBUF_STACK,
    DPBUF_STUB,
    DPBUF_DPDK,
};

#define DP_PACKET_DEFAULT_HEADROOM 128
#define DP_PACKET_OFS_UNSET UINT16_MAX

/* Datapath metadata of one packet. */
struct pkt_metadata {
    uint32_t recirc_id;         /* 0 for a packet from a port. */
    uint32_t dp_hash;
    uint32_t skb_priority;
    uint32_t pkt_mark;
    uint32_t in_port;
    uint16_t ct_state;          /* CS_* from flow.h. */
    uint16_t ct_zone;
    uint32_t ct_mark;
    plx_u128 ct_label;
    /* Conntrack original direction tuple (valid when ct_state has
     * CS_TRACKED and ct_nw_proto is nonzero). */
    uint8_t ct_nw_proto;
    plx_be32 ct_nw_src;
    plx_be32 ct_nw_dst;
    struct in6_addr ct_ipv6_src;
    struct in6_addr ct_ipv6_dst;
    plx_be16 ct_tp_src;
    plx_be16 ct_tp_dst;
    struct flow_tnl tunnel;     /* All-zero if not from a tunnel. */
};

static inline void
pkt_metadata_init(struct pkt_metadata *md, uint32_t in_port)
{
    plx_zero_words(md, sizeof *md);
    md->in_port = in_port;
}

struct dp_packet;
typedef void dp_packet_release_func(struct dp_packet *, void *aux);

struct dp_packet {
    void *base_;                /* First byte of the buffer. */
    uint32_t allocated_;        /* Bytes at base_. */
    uint32_t data_ofs_;         /* Packet starts at base_ + data_ofs_. */
    uint32_t size_;             /* Packet length in bytes. */
    uint16_t l2_5_ofs;          /* MPLS label stack, or UNSET. */
    uint16_t l3_ofs;            /* IP or ARP header, or UNSET. */
    uint16_t l4_ofs;            /* Transport header, or UNSET. */
    uint8_t source;             /* enum dp_packet_source. */
    bool rss_hash_valid;
    bool embedded;              /* Struct freed by 'release' on delete. */
    uint32_t rss_hash;          /* Meaningful if rss_hash_valid. */
    dp_packet_release_func *release;    /* DPBUF_DPDK, or 'embedded'. */
    void *release_aux;
    struct pkt_metadata md;
};

/* Construction and destruction. */
void dp_packet_init(struct dp_packet *, size_t allocated);
void dp_packet_use(struct dp_packet *, void *base, size_t allocated);
void dp_packet_use_stack(struct dp_packet *, void *base, size_t allocated);
void dp_packet_use_stub(struct dp_packet *, void *base, size_t allocated);
void dp_packet_use_const(struct dp_packet *, const void *data, size_t size);
void dp_packet_use_external(struct dp_packet *, void *base,
                            size_t allocated, size_t data_ofs, size_t size,
                            dp_packet_release_func *, void *aux);
/* The same for a struct B that lives inside the buffer's memory: RELEASE
 * frees both, when B is deleted (see "embedded" above). */
void dp_packet_use_embedded(struct dp_packet *, void *base, size_t allocated,
                            size_t data_ofs, size_t size,
                            dp_packet_release_func *, void *aux);
void dp_packet_uninit(struct dp_packet *);

struct dp_packet *dp_packet_new(size_t allocated);
struct dp_packet *dp_packet_new_with_headroom(size_t size, size_t headroom);
struct dp_packet *dp_packet_clone(const struct dp_packet *);
struct dp_packet *dp_packet_clone_with_headroom(const struct dp_packet *,
                                                size_t headroom);
struct dp_packet *dp_packet_clone_data(const void *, size_t);
struct dp_packet *dp_packet_clone_data_with_headroom(const void *, size_t,
                                                     size_t headroom);
void dp_packet_delete(struct dp_packet *);

/* Growing. */
void dp_packet_prealloc_headroom(struct dp_packet *, size_t n);
void dp_packet_prealloc_tailroom(struct dp_packet *, size_t n);
void dp_packet_reserve(struct dp_packet *, size_t headroom);
void dp_packet_reserve_with_tailroom(struct dp_packet *, size_t headroom,
                                     size_t tailroom);

void *dp_packet_put_uninit(struct dp_packet *, size_t n);
void *dp_packet_put_zeros(struct dp_packet *, size_t n);
void *dp_packet_put(struct dp_packet *, const void *, size_t n);
void *dp_packet_push_uninit(struct dp_packet *, size_t n);
void *dp_packet_push_zeros(struct dp_packet *, size_t n);
void *dp_packet_push(struct dp_packet *, const void *, size_t n);
/* Removes N bytes from the head and returns a pointer to them, or NULL
 * (and no change) if the packet is shorter than N. */
void *dp_packet_pull(struct dp_packet *, size_t n);
/* Removes N bytes from the tail; the packet must be that long. */
void dp_packet_trim(struct dp_packet *, size_t n);
void dp_packet_clear(struct dp_packet *);

/* Accessors. */
static inline void *
dp_packet_base(const struct dp_packet *b)
{
    return b->base_;
}

static inline uint32_t
dp_packet_allocated(const struct dp_packet *b)
{
    return b->allocated_;
}

static inline void *
dp_packet_data(const struct dp_packet *b)
{
    return (char *) b->base_ + b->data_ofs_;
}

static inline uint32_t
dp_packet_size(const struct dp_packet *b)
{
    return b->size_;
}

/* Sets the size to V, which must fit in the buffer after the data. */
static inline void
dp_packet_set_size(struct dp_packet *b, uint32_t v)
{
    plx_assert(b->data_ofs_ + (uint64_t) v <= b->allocated_);
    b->size_ = v;
}

static inline void *
dp_packet_tail(const struct dp_packet *b)
{
    return (char *) dp_packet_data(b) + b->size_;
}

static inline void *
dp_packet_end(const struct dp_packet *b)
{
    return (char *) b->base_ + b->allocated_;
}

static inline size_t
dp_packet_headroom(const struct dp_packet *b)
{
    return b->data_ofs_;
}

static inline size_t
dp_packet_tailroom(const struct dp_packet *b)
{
    return b->allocated_ - b->data_ofs_ - b->size_;
}

static inline bool
dp_packet_equal(const struct dp_packet *a, const struct dp_packet *b)
{
    return (dp_packet_size(a) == dp_packet_size(b)
            && !memcmp(dp_packet_data(a), dp_packet_data(b),
                       dp_packet_size(a)));
}

/* Layer offsets. */
static inline void
dp_packet_reset_offsets(struct dp_packet *b)
{
    b->l2_5_ofs = b->l3_ofs = b->l4_ofs = DP_PACKET_OFS_UNSET;
}

/* The Ethernet header, or NULL for an empty packet.  */
static inline void *
dp_packet_eth(const struct dp_packet *b)
{
    return b->size_ ? dp_packet_data(b) : NULL;
}

static inline void *
dp_packet_at_ofs__(const struct dp_packet *b, uint16_t ofs)
{
    return (ofs != DP_PACKET_OFS_UNSET && ofs <= b->size_
            ? (char *) dp_packet_data(b) + ofs
            : NULL);
}

static inline void *
dp_packet_l2_5(const struct dp_packet *b)
{
    return dp_packet_at_ofs__(b, b->l2_5_ofs);
}

static inline void *
dp_packet_l3(const struct dp_packet *b)
{
    return dp_packet_at_ofs__(b, b->l3_ofs);
}

static inline void *
dp_packet_l4(const struct dp_packet *b)
{
    return dp_packet_at_ofs__(b, b->l4_ofs);
}

/* Bytes from the start of L3 (or L4) to the end of the packet, or 0. */
static inline size_t
dp_packet_l3_size(const struct dp_packet *b)
{
    return dp_packet_l3(b) ? b->size_ - b->l3_ofs : 0;
}

static inline size_t
dp_packet_l4_size(const struct dp_packet *b)
{
    return dp_packet_l4(b) ? b->size_ - b->l4_ofs : 0;
}

/* Sets an offset from a pointer into the packet (or NULL to unset). */
static inline uint16_t
dp_packet_ofs__(const struct dp_packet *b, const void *p)
{
    if (!p) {
        return DP_PACKET_OFS_UNSET;
    }
    ptrdiff_t ofs = (const char *) p - (const char *) dp_packet_data(b);
    plx_assert(ofs >= 0 && ofs < DP_PACKET_OFS_UNSET);
    return ofs;
}

static inline void
dp_packet_set_l2_5(struct dp_packet *b, const void *p)
{
    b->l2_5_ofs = dp_packet_ofs__(b, p);
}

static inline void
dp_packet_set_l3(struct dp_packet *b, const void *p)
{
    b->l3_ofs = dp_packet_ofs__(b, p);
}

static inline void
dp_packet_set_l4(struct dp_packet *b, const void *p)
{
    b->l4_ofs = dp_packet_ofs__(b, p);
}

/* RSS hash (from the NIC, or computed by the datapath). */
static inline bool
dp_packet_rss_valid(const struct dp_packet *b)
{
    return b->rss_hash_valid;
}

static inline uint32_t
dp_packet_get_rss_hash(const struct dp_packet *b)
{
    return b->rss_hash;
}

static inline void
dp_packet_set_rss_hash(struct dp_packet *b, uint32_t hash)
{
    b->rss_hash = hash;
    b->rss_hash_valid = true;
}

/* ------------------------------------------------------------------ */
/* Batches. */

#ifndef NETDEV_MAX_BURST
#define NETDEV_MAX_BURST 32
#endif

struct dp_packet_batch {
    size_t count;
    bool trunc;                 /* True if some packet needs truncation. */
    struct dp_packet *packets[NETDEV_MAX_BURST];
};

static inline void
dp_packet_batch_init(struct dp_packet_batch *batch)
{
    batch->count = 0;
    batch->trunc = false;
}

/* Adds PACKET to BATCH, which must not be full. */
static inline void
dp_packet_batch_add__(struct dp_packet_batch *batch,
                      struct dp_packet *packet)
{
    plx_assert(batch->count < NETDEV_MAX_BURST);
    batch->packets[batch->count++] = packet;
}

/* Adds PACKET to BATCH, or deletes it if BATCH is full. */
static inline void
dp_packet_batch_add(struct dp_packet_batch *batch, struct dp_packet *packet)
{
    if (batch->count < NETDEV_MAX_BURST) {
        batch->packets[batch->count++] = packet;
    } else {
        dp_packet_delete(packet);
    }
}

static inline size_t
dp_packet_batch_size(const struct dp_packet_batch *batch)
{
    return batch->count;
}

static inline bool
dp_packet_batch_is_empty(const struct dp_packet_batch *batch)
{
    return !batch->count;
}

static inline bool
dp_packet_batch_is_full(const struct dp_packet_batch *batch)
{
    return batch->count == NETDEV_MAX_BURST;
}

static inline void
dp_packet_batch_init_packet(struct dp_packet_batch *batch,
                            struct dp_packet *packet)
{
    dp_packet_batch_init(batch);
    dp_packet_batch_add__(batch, packet);
}

#define DP_PACKET_BATCH_FOR_EACH(IDX, PACKET, BATCH)                    \
    for (size_t IDX = 0;                                                \
         IDX < (BATCH)->count && ((PACKET) = (BATCH)->packets[IDX], 1); \
         IDX++)

/* Empties BATCH and returns how many packets it held (the packets stay
 * in place for DP_PACKET_BATCH_REFILL_FOR_EACH to visit). */
static inline size_t
dp_packet_batch_reset_count__(struct dp_packet_batch *batch)
{
    size_t n = batch->count;
    batch->count = 0;
    return n;
}

/* Filtering in place: inside the loop, dp_packet_batch_refill() keeps a
 * packet; packets not refilled must be disposed of by the loop body. */
#define DP_PACKET_BATCH_REFILL_FOR_EACH(IDX, SIZE, PACKET, BATCH)       \
    for (size_t IDX = 0, SIZE = dp_packet_batch_reset_count__(BATCH);   \
         IDX < SIZE && ((PACKET) = (BATCH)->packets[IDX], 1);           \
         IDX++)

static inline void
dp_packet_batch_refill(struct dp_packet_batch *batch,
                       struct dp_packet *packet, size_t idx)
{
    /* Never ahead of the loop, so this never overwrites an unvisited
     * packet. */
    plx_assert(batch->count <= idx);
    batch->packets[batch->count++] = packet;
}

void dp_packet_batch_clone(struct dp_packet_batch *dst,
                           const struct dp_packet_batch *src);
/* If MAY_STEAL, deletes every packet in BATCH and empties it; otherwise
 * does nothing (the caller still owns the packets). */
void dp_packet_delete_batch(struct dp_packet_batch *, bool may_steal);

#endif /* dp-packet.h */
