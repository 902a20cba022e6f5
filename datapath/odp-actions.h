/*
 * odp-actions: datapath actions, the "what to do" half of a datapath flow
 * (the other half is a masked match; see DESIGN.md, the dpif seam).
 *
 * Encoding.  An action list is a sequence of netlink-style attributes:
 *
 *     +--------+--------+---------------------+-------+
 *     | len 16 | type 16|  payload (len - 4)  |  pad  |   next attribute...
 *     +--------+--------+---------------------+-------+
 *
 * in host byte order, 'len' counting the 4-byte header and the payload but
 * not the padding that rounds every attribute up to a multiple of 4 bytes.
 * Multi-byte fields inside payloads are in network order where they are
 * packet fields (plx_be*) and host order otherwise (ports, ids).  A list
 * is self-describing and position-independent (no pointers), so it can be
 * copied into a flow cache, compared with memcmp() and hashed as bytes.
 *
 * Invariants of a *valid* list (odp_actions_check()), which make that
 * comparison meaningful: the list is exactly the sum of its padded
 * attributes, every type is known and has exactly its payload size,
 * padding and reserved bytes are zero, and a masked set carries no value
 * bit outside its mask.  The builders here only produce valid lists.
 * Buffers handed to the iterator and executor must be 4-byte aligned
 * (malloc()ed memory and struct odp_buf are).
 *
 * An empty list means "drop".  Nested lists: ODP_ACTION_SET carries one
 * key attribute (ODP_KEY_*) whose payload is a key struct followed by a
 * mask struct of the same type; ODP_ACTION_SAMPLE carries a 32-bit
 * probability followed by a nested action list (nesting depth at most
 * ODP_MAX_NESTING).
 *
 * Text, as Open vSwitch's ovs-dpctl dump-flows prints it:
 *     2                                     output to port 2
 *     push_vlan(vid=10,pcp=0)               802.1Q; "tpid=0x88a8," first
 *                                           for 802.1ad
 *     pop_vlan
 *     set(eth(src=..,dst=..))               only fields with a nonzero mask;
 *     set(ipv4(src=10.0.0.1/255.255.255.0)) "/MASK" when partly masked
 *     set(ipv4(tos=0x4,ttl=9)), set(ipv6(src=..,dst=..,label=0x1,
 *         tclass=0x0,hlimit=3)), set(tcp(src=1,dst=2)), udp(...), sctp(...)
 *     set(mpls(label=10,tc=0,ttl=64,bos=1))  the top label stack entry
 *     set(arp(sip=..,tip=..,op=1,sha=..,tha=..))
 *     set(icmp(type=8,code=0)), set(icmpv6(type=128,code=0))
 *     set(nd(target=..,sll=..,tll=..))       ND target and the SLL/TLL
 *                                           options already in the packet
 *     push_mpls(label=10,tc=0,ttl=64,bos=1,eth_type=0x8847)
 *     pop_mpls(eth_type=0x800)
 *     recirc(0x1)
 *     hash(l4(0))
 *     userspace(pid=0) or userspace(pid=0,userdata(0102...))
 *     sample(sample=50.0%,actions(1,pop_vlan,2))
 *     meter(7)                              apply datapath meter 7
 *     ct(commit,force,zone=5,mark=0x1/0xff,label=0x1/0x1,timeout=2,
 *        nat(src=10.0.0.1-10.0.0.9:1024-2048,persistent,hash,random))
 *                                           conntrack; "ct" alone when
 *                                           nothing is set; IPv6 NAT
 *                                           addresses in brackets
 *     ct_clear
 *     drop                                  the empty list
 * odp_actions_parse() reads this text back (whitespace after commas is
 * allowed), and format(parse(text)) == text for every text format()
 * produces.
 */
#ifndef PLX_ODP_ACTIONS_H
#define PLX_ODP_ACTIONS_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "util.h"

struct ds;

/* One attribute header.  'len' includes the header, not the padding. */
struct odp_attr {
    uint16_t len;
    uint16_t type;
};
BUILD_ASSERT_DECL(sizeof(struct odp_attr) == 4);

#define ODP_ALIGNTO 4
#define ODP_ALIGN(LEN) ROUND_UP((size_t) (LEN), ODP_ALIGNTO)
#define ODP_ATTR_HDRLEN ((int) sizeof(struct odp_attr))
#define ODP_MAX_NESTING 4
/* The largest userdata of a userspace action. */
#define ODP_USERDATA_MAX 256

enum odp_action_type {
    ODP_ACTION_UNSPEC,
    ODP_ACTION_OUTPUT,          /* uint32_t port. */
    ODP_ACTION_USERSPACE,       /* uint32_t pid, then 0..256 bytes of
                                 * userdata. */
    ODP_ACTION_PUSH_VLAN,       /* struct odp_push_vlan. */
    ODP_ACTION_POP_VLAN,        /* Nothing. */
    ODP_ACTION_SET,             /* One nested ODP_KEY_* attribute:
                                 * key, then mask. */
    ODP_ACTION_RECIRC,          /* uint32_t recirculation id. */
    ODP_ACTION_HASH,            /* struct odp_hash. */
    ODP_ACTION_PUSH_MPLS,       /* struct odp_push_mpls. */
    ODP_ACTION_POP_MPLS,        /* plx_be16 ethertype, 2 zero bytes. */
    ODP_ACTION_SAMPLE,          /* uint32_t probability, then actions. */
    ODP_ACTION_METER,           /* uint32_t meter id (datapath/dp-meter.h). */
    ODP_ACTION_CT,              /* struct odp_ct (datapath/conntrack.h). */
    ODP_ACTION_CT_CLEAR,        /* Nothing. */
    ODP_N_ACTIONS
};

/* Key types inside ODP_ACTION_SET. */
enum odp_key_type {
    ODP_KEY_UNSPEC,
    ODP_KEY_ETHERNET,           /* struct odp_key_ethernet. */
    ODP_KEY_IPV4,               /* struct odp_key_ipv4. */
    ODP_KEY_IPV6,               /* struct odp_key_ipv6. */
    ODP_KEY_TCP,                /* struct odp_key_l4. */
    ODP_KEY_UDP,                /* struct odp_key_l4. */
    ODP_KEY_SCTP,               /* struct odp_key_l4. */
    ODP_KEY_MPLS,               /* struct odp_key_mpls. */
    ODP_KEY_ARP,                /* struct odp_key_arp. */
    ODP_KEY_ICMP,               /* struct odp_key_icmp (ICMPv4). */
    ODP_KEY_ICMPV6,             /* struct odp_key_icmp (ICMPv6). */
    ODP_KEY_ND,                 /* struct odp_key_nd. */
    ODP_N_KEYS
};

struct odp_key_ethernet {
    struct eth_addr src;
    struct eth_addr dst;
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_ethernet) == 12);

struct odp_key_ipv4 {
    plx_be32 src;
    plx_be32 dst;
    uint8_t tos;
    uint8_t ttl;
    uint8_t pad[2];             /* Zero. */
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_ipv4) == 12);

struct odp_key_ipv6 {
    struct in6_addr src;
    struct in6_addr dst;
    plx_be32 label;             /* Low 20 bits only. */
    uint8_t tclass;
    uint8_t hlimit;
    uint8_t pad[2];             /* Zero. */
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_ipv6) == 40);

/* TCP, UDP and SCTP ports. */
struct odp_key_l4 {
    plx_be16 src;
    plx_be16 dst;
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_l4) == 4);

/* The top MPLS label stack entry: label, TC, BOS and TTL bits. */
struct odp_key_mpls {
    plx_be32 lse;
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_mpls) == 4);

/* ARP for Ethernet and IPv4 (the only kind flow_extract() parses). */
struct odp_key_arp {
    plx_be32 sip;
    plx_be32 tip;
    plx_be16 op;
    struct eth_addr sha;
    struct eth_addr tha;
    uint8_t pad[2];             /* Zero. */
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_arp) == 24);

/* ICMPv4 or ICMPv6 type and code. */
struct odp_key_icmp {
    uint8_t type;
    uint8_t code;
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_icmp) == 2);

/* IPv6 neighbor discovery (solicitation and advertisement). */
struct odp_key_nd {
    struct in6_addr target;
    struct eth_addr sll;        /* Source link-layer address option. */
    struct eth_addr tll;        /* Target link-layer address option. */
};
BUILD_ASSERT_DECL(sizeof(struct odp_key_nd) == 28);

struct odp_push_vlan {
    plx_be16 tpid;              /* ETH_TYPE_VLAN_8021Q or _8021AD. */
    plx_be16 tci;               /* VLAN_CFI must be set. */
};

enum odp_hash_alg {
    ODP_HASH_ALG_L4,            /* Addresses, protocol and ports. */
};

struct odp_hash {
    uint32_t alg;               /* ODP_HASH_ALG_*. */
    uint32_t basis;
};

struct odp_push_mpls {
    plx_be32 lse;               /* The whole label stack entry. */
    plx_be16 ethertype;         /* ETH_TYPE_MPLS or ETH_TYPE_MPLS_MCAST. */
    uint8_t pad[2];             /* Zero. */
};

/* Connection tracking: one "ct" action (see datapath/conntrack.h's struct
 * ct_exec, which it becomes).  Fields that a flag does not enable are
 * zero, so that equal actions compare equal as bytes. */
enum odp_ct_flags {
    ODP_CT_COMMIT = 1 << 0,
    ODP_CT_FORCE = 1 << 1,
    ODP_CT_SET_MARK = 1 << 2,   /* 'mark' and 'mark_mask' are used. */
    ODP_CT_SET_LABEL = 1 << 3,  /* 'label' and 'label_mask' are used. */
    ODP_CT_NAT = 1 << 4,        /* The nat_* fields are used. */
};
#define ODP_CT_FLAGS (ODP_CT_COMMIT | ODP_CT_FORCE | ODP_CT_SET_MARK \
                      | ODP_CT_SET_LABEL | ODP_CT_NAT)

struct odp_ct {
    plx_u128 label;             /* Within label_mask. */
    plx_u128 label_mask;
    union {                     /* NAT address range: IPv4 in the first */
        plx_be32 ipv4;          /* 4 bytes, the rest zero, or IPv6. */
        struct in6_addr ipv6;
    } nat_min_addr, nat_max_addr;
    uint32_t mark;              /* Within mark_mask. */
    uint32_t mark_mask;
    uint32_t timeout_policy;    /* 0: default timeouts. */
    uint16_t flags;             /* ODP_CT_*. */
    uint16_t zone;
    uint16_t nat_flags;         /* CT_NAT_* of datapath/conntrack.h. */
    uint16_t nat_min_port;      /* Host order. */
    uint16_t nat_max_port;
    uint8_t nat_ipv6;           /* 1 if the address range is IPv6. */
    uint8_t pad;                /* Zero. */
};
BUILD_ASSERT_DECL(sizeof(struct odp_ct) == 88);

/* Size of the key struct for TYPE, or 0 for an unknown type. */
size_t odp_key_size(enum odp_key_type);
const char *odp_action_name(enum odp_action_type);
const char *odp_key_name(enum odp_key_type);

/* ------------------------------------------------------------------ */
/* Attributes and iteration. */

static inline uint16_t
odp_attr_type(const struct odp_attr *a)
{
    return a->type;
}

static inline const void *
odp_attr_get(const struct odp_attr *a)
{
    return a + 1;
}

static inline size_t
odp_attr_get_size(const struct odp_attr *a)
{
    return a->len - ODP_ATTR_HDRLEN;
}

static inline uint32_t
odp_attr_get_u32(const struct odp_attr *a)
{
    uint32_t v;
    memcpy(&v, odp_attr_get(a), sizeof v);
    return v;
}

/* True if an attribute of at least a header's size, fitting in MAXLEN
 * bytes, starts at A. */
static inline bool
odp_attr_is_valid(const struct odp_attr *a, size_t maxlen)
{
    return (maxlen >= sizeof *a && a->len >= sizeof *a
            && a->len <= maxlen);
}

static inline const struct odp_attr *
odp_attr_next(const struct odp_attr *a)
{
    return (const void *) ((const uint8_t *) a + ODP_ALIGN(a->len));
}

/* Visits each attribute of the SIZE bytes at ACTIONS as ATTR, with LEFT
 * the bytes remaining from ATTR to the end.  Bounds-safe on any input: it
 * stops at the first attribute that does not fit, so on an unvalidated
 * list the caller must check LEFT == 0 afterwards (or use
 * odp_actions_check() first). */
#define ODP_ATTR_FOR_EACH(ATTR, LEFT, ACTIONS, SIZE)                    \
    for ((ATTR) = (ACTIONS), (LEFT) = (SIZE);                           \
         odp_attr_is_valid(ATTR, LEFT);                                 \
         (LEFT) = ODP_ALIGN((ATTR)->len) >= (LEFT)                      \
                  ? 0 : (LEFT) - ODP_ALIGN((ATTR)->len),                \
         (ATTR) = odp_attr_next(ATTR))
#define ODP_ACTION_FOR_EACH ODP_ATTR_FOR_EACH

/* The nested parts of a valid ODP_ACTION_SET and ODP_ACTION_SAMPLE. */
const struct odp_attr *odp_set_key(const struct odp_attr *set);
void odp_sample_get(const struct odp_attr *sample, uint32_t *probability,
                    const struct odp_attr **actions, size_t *size);

/* Returns NULL if the SIZE bytes at ACTIONS are a valid action list (see
 * the invariants at the top), otherwise a static string that says what is
 * wrong with the first bad action.  Never reads outside the list. */
const char *odp_actions_check(const void *actions, size_t size);
/* 0 if valid, otherwise EINVAL. */
int odp_actions_validate(const void *actions, size_t size);

uint32_t odp_actions_hash(const void *actions, size_t size, uint32_t basis);
bool odp_actions_equal(const void *a, size_t a_size,
                       const void *b, size_t b_size);

/* ------------------------------------------------------------------ */
/* Building. */

/* A growable, 4-byte-aligned byte buffer for building action lists. */
struct odp_buf {
    void *data;
    size_t size;
    size_t allocated;
};

#define ODP_BUF_INITIALIZER { NULL, 0, 0 }

void odp_buf_init(struct odp_buf *);
void odp_buf_uninit(struct odp_buf *);
void odp_buf_clear(struct odp_buf *);
/* Appends N zeroed bytes and returns a pointer to them. */
void *odp_buf_put_zeros(struct odp_buf *, size_t n);

/* Appends an attribute with a payload of N bytes copied from DATA
 * (zeroed if DATA is NULL, padding zeroed) and returns its payload. */
void *odp_put_attr(struct odp_buf *, uint16_t type, const void *data,
                   size_t n);
/* Nested attributes: start returns an offset to give to end, which sets
 * the length of everything appended in between. */
size_t odp_start_nested(struct odp_buf *, uint16_t type);
void odp_end_nested(struct odp_buf *, size_t ofs);

void odp_put_output(struct odp_buf *, uint32_t port);
void odp_put_userspace(struct odp_buf *, uint32_t pid,
                       const void *userdata, size_t n);
void odp_put_push_vlan(struct odp_buf *, plx_be16 tpid, plx_be16 tci);
void odp_put_pop_vlan(struct odp_buf *);
/* Sets the fields of TYPE selected by MASK (all of them if MASK is NULL)
 * to KEY's values.  KEY and MASK point to the struct for TYPE. */
void odp_put_set_field(struct odp_buf *, enum odp_key_type,
                       const void *key, const void *mask);
void odp_put_recirc(struct odp_buf *, uint32_t recirc_id);
void odp_put_hash(struct odp_buf *, uint32_t basis);
void odp_put_push_mpls(struct odp_buf *, plx_be32 lse, plx_be16 ethertype);
void odp_put_pop_mpls(struct odp_buf *, plx_be16 ethertype);
/* Sample: PROBABILITY / UINT32_MAX is the fraction of packets that run
 * the actions appended between start and end. */
size_t odp_start_sample(struct odp_buf *, uint32_t probability);
void odp_end_sample(struct odp_buf *, size_t ofs);
void odp_put_meter(struct odp_buf *, uint32_t meter_id);
void odp_put_ct(struct odp_buf *, const struct odp_ct *);
void odp_put_ct_clear(struct odp_buf *);

/* ------------------------------------------------------------------ */
/* Text. */

/* Appends the text form of the list (see the top) to DS.  Malformed input
 * is shown as far as it is valid, then "<malformed: why>". */
void odp_actions_format(struct ds *, const void *actions, size_t size);
char *odp_actions_to_string(const void *actions, size_t size);

/* Parses S and appends the actions to BUF.  Returns NULL on success or a
 * malloc'd error message that the caller frees (BUF is then restored to
 * its size on entry). */
char *odp_actions_parse(const char *s, struct odp_buf *)
    PLX_WARN_UNUSED_RESULT;

#endif /* odp-actions.h */
