/* conntrack-nat: NAT tuple selection and packet rewriting; see
 * conntrack-nat.h for what it does and why. */
#include <config.h>
#include "conntrack-nat.h"

#include <string.h>
#include <time.h>
#include "csum.h"
#include "dp-packet.h"
#include "hash.h"
#include "packets.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* What a tuple's "ports" are. */

enum nat_l4_kind {
    NAT_L4_NONE,                /* Address only. */
    NAT_L4_PORTS,               /* TCP, UDP, SCTP: source/dest ports. */
    NAT_L4_ICMP_ID,             /* ICMP/ICMPv6 echo: the identifier. */
};

static bool
key_is_ipv6(const struct ct_key *key)
{
    return key->dl_type == htons(ETH_TYPE_IPV6);
}

static enum nat_l4_kind
nat_l4_kind(const struct ct_key *key)
{
    switch (key->nw_proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        return NAT_L4_PORTS;
    case IPPROTO_ICMP:
        return (!key_is_ipv6(key)
                && (key->icmp_type == ICMP4_ECHO_REQUEST
                    || key->icmp_type == ICMP4_ECHO_REPLY)
                ? NAT_L4_ICMP_ID : NAT_L4_NONE);
    case IPPROTO_ICMPV6:
        return (key_is_ipv6(key)
                && (key->icmp_type == ICMP6_ECHO_REQUEST
                    || key->icmp_type == ICMP6_ECHO_REPLY)
                ? NAT_L4_ICMP_ID : NAT_L4_NONE);
    default:
        return NAT_L4_NONE;
    }
}

static bool
ct_addr_equals(const union ct_addr *a, const union ct_addr *b, bool v6)
{
    return v6 ? ipv6_addr_equals(&a->ipv6, &b->ipv6) : a->ipv4 == b->ipv4;
}

/* Which translations the keys show: CT_NAT_SRC if the reply tuple's
 * destination differs from the original source, CT_NAT_DST if its source
 * differs from the original destination.  An ICMP id that changed
 * without any address counts as source translation. */
uint16_t
ct_nat_applied(const struct ct_key *orig, const struct ct_key *reply)
{
    bool v6 = key_is_ipv6(orig);
    enum nat_l4_kind kind = nat_l4_kind(orig);
    uint16_t flags = 0;

    if (!ct_addr_equals(&orig->src.addr, &reply->dst.addr, v6)
        || (kind == NAT_L4_PORTS && orig->src.port != reply->dst.port)) {
        flags |= CT_NAT_SRC;
    }
    if (!ct_addr_equals(&orig->dst.addr, &reply->src.addr, v6)
        || (kind == NAT_L4_PORTS && orig->dst.port != reply->src.port)) {
        flags |= CT_NAT_DST;
    }
    if (!flags && kind == NAT_L4_ICMP_ID
        && orig->src.port != reply->dst.port) {
        flags |= CT_NAT_SRC;
    }
    return flags;
}

/* ------------------------------------------------------------------ */
/* Tuple selection. */

/* At most this many reply tuples are offered to IN_USE per search phase
 * (see ct_nat_select()), so that a nearly exhausted range costs a bounded
 * time: every port of a whole 64k range for each of 4 addresses, or
 * 262,144 addresses of a range without ports. */
#define CT_NAT_MAX_ATTEMPTS (1u << 18)

/* Addresses as 128-bit numbers, for arithmetic on ranges.  IPv4
 * addresses are in 'lo'. */
struct nat_u128 {
    uint64_t hi, lo;
};

static struct nat_u128
addr_to_u128(const union ct_addr *a, bool v6)
{
    struct nat_u128 x = { 0, 0 };

    if (v6) {
        for (int i = 0; i < 8; i++) {
            x.hi = (x.hi << 8) | a->ipv6.s6_addr[i];
            x.lo = (x.lo << 8) | a->ipv6.s6_addr[i + 8];
        }
    } else {
        x.lo = ntohl(a->ipv4);
    }
    return x;
}

static void
u128_to_addr(struct nat_u128 x, bool v6, union ct_addr *a)
{
    memset(a, 0, sizeof *a);
    if (v6) {
        for (int i = 7; i >= 0; i--) {
            a->ipv6.s6_addr[i] = x.hi;
            a->ipv6.s6_addr[i + 8] = x.lo;
            x.hi >>= 8;
            x.lo >>= 8;
        }
    } else {
        a->ipv4 = htonl(x.lo);
    }
}

static int
u128_cmp(struct nat_u128 a, struct nat_u128 b)
{
    return (a.hi != b.hi ? (a.hi < b.hi ? -1 : 1)
            : a.lo != b.lo ? (a.lo < b.lo ? -1 : 1)
            : 0);
}

static struct nat_u128
u128_add(struct nat_u128 a, uint64_t b)
{
    a.lo += b;
    if (a.lo < b) {
        a.hi++;
    }
    return a;
}

/* The number of addresses in MIN..MAX (MIN <= MAX), capped at 2**32: a
 * bigger IPv6 range is used from MIN up to 2**32 addresses. */
static uint64_t
u128_range_count(struct nat_u128 min, struct nat_u128 max)
{
    uint64_t hi = max.hi - min.hi - (max.lo < min.lo);
    uint64_t lo = max.lo - min.lo;

    return hi || lo >= UINT32_MAX ? (uint64_t) UINT32_MAX + 1 : lo + 1;
}

static uint32_t
hash_ct_addr(const union ct_addr *a, bool v6, uint32_t basis)
{
    return (v6 ? hash_bytes(&a->ipv6, sizeof a->ipv6, basis)
            : hash_int(a->ipv4, basis));
}

static uint32_t
hash_ct_key(const struct ct_key *k, uint32_t basis)
{
    bool v6 = key_is_ipv6(k);
    uint32_t hash = hash_ct_addr(&k->src.addr, v6, basis);

    hash = hash_ct_addr(&k->dst.addr, v6, hash);
    hash = hash_add(hash, ((uint32_t) k->src.port << 16) | k->dst.port);
    hash = hash_add(hash, ((uint32_t) k->zone << 16) | k->nw_proto);
    return hash_finish(hash, 0);
}

static _Thread_local uint32_t nat_random_state;

static uint32_t
nat_random(void)
{
    if (!nat_random_state) {
        uint32_t seed = hash_pointer(&nat_random_state, time(NULL));
        nat_random_state = seed ? seed : 1;
    }
    /* xorshift32. */
    uint32_t x = nat_random_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return nat_random_state = x;
}

/* A sequence of candidate ports: first 'pref' (if 'has_pref'), then 'n'
 * ports of min..min+n-1 from index 'start' on, wrapping. */
struct nat_ports {
    bool has_pref;
    uint16_t pref;
    uint16_t min;
    uint32_t n;
    uint32_t start;
};

static uint32_t
nat_ports_count(const struct nat_ports *p)
{
    return p->has_pref + p->n;
}

static uint16_t
nat_ports_get(const struct nat_ports *p, uint32_t k)
{
    if (p->has_pref) {
        if (!k) {
            return p->pref;
        }
        k--;
    }
    return p->min + (p->start + k) % p->n;
}

/* Ports MIN..MAX (in either order) starting at START (mod their count). */
static void
nat_ports_range(struct nat_ports *p, uint16_t min, uint16_t max,
                uint32_t start)
{
    if (min > max) {
        uint16_t tmp = min;
        min = max;
        max = tmp;
    }
    p->min = min;
    p->n = (uint32_t) max - min + 1;
    p->start = start % p->n;
}

/* ORIG_PORT (host order) first, then the rest of its class, as Linux and
 * Open vSwitch pick source ports. */
static void
nat_ports_class(struct nat_ports *p, uint16_t orig_port, uint32_t start)
{
    p->has_pref = true;
    p->pref = orig_port;
    if (orig_port < 512) {
        nat_ports_range(p, 1, 511, start);
    } else if (orig_port < 1024) {
        nat_ports_range(p, 512, 1023, start);
    } else {
        nat_ports_range(p, 1024, 65535, start);
    }
}

static void
set_port(struct ct_endpoint *ep, uint16_t port)
{
    ep->port = htons(port);
}

/* Tries candidates: address index I (of N_ADDR from A_START, wrapping,
 * from AMIN) crossed with every port of PORTS, crossed with the source
 * ports SPORTS[SP_FIRST..SP_FIRST+N_SP-1].  Returns true with *CAND set
 * to the first free one, false after CT_NAT_MAX_ATTEMPTS attempts or when
 * there are none left. */
struct nat_search {
    bool v6;
    enum nat_l4_kind kind;
    bool dnat;
    struct nat_u128 amin;
    uint64_t n_addr;
    uint64_t a_start;
    struct nat_ports ports;     /* Translated side's port or ICMP id. */
    struct nat_ports sports;    /* DNAT only: the source port. */
};

static bool
nat_search_phase(const struct nat_search *s, struct ct_key *cand,
                 uint32_t sp_first, uint32_t n_sp,
                 bool (*in_use)(const struct ct_key *, void *), void *aux)
{
    struct ct_endpoint *t = s->dnat ? &cand->src : &cand->dst;
    uint32_t n_ports = nat_ports_count(&s->ports);
    uint32_t attempts = 0;

    for (uint64_t i = 0; i < s->n_addr; i++) {
        uint64_t idx = (s->a_start + i) % s->n_addr;
        u128_to_addr(u128_add(s->amin, idx), s->v6, &t->addr);
        for (uint32_t j = 0; j < n_ports; j++) {
            uint16_t port = nat_ports_get(&s->ports, j);
            if (s->kind == NAT_L4_ICMP_ID) {
                set_port(&cand->src, port);
                set_port(&cand->dst, port);
            } else if (s->kind == NAT_L4_PORTS) {
                set_port(t, port);
            }
            for (uint32_t k = 0; k < n_sp; k++) {
                if (s->dnat && s->kind == NAT_L4_PORTS) {
                    set_port(&cand->dst,
                             nat_ports_get(&s->sports, sp_first + k));
                }
                if (!in_use(cand, aux)) {
                    return true;
                }
                if (++attempts >= CT_NAT_MAX_ATTEMPTS) {
                    return false;
                }
            }
        }
    }
    return false;
}

bool
ct_nat_select(const struct ct_nat_action *nat, const struct ct_key *orig,
              struct ct_key *reply, uint32_t basis,
              bool (*in_use)(const struct ct_key *, void *aux), void *aux)
{
    struct nat_search s;
    struct ct_key cand = *reply;

    memset(&s, 0, sizeof s);
    s.v6 = key_is_ipv6(orig);
    s.kind = nat_l4_kind(orig);
    s.dnat = (nat->flags & CT_NAT_DST) != 0;
    if (!s.dnat && !(nat->flags & CT_NAT_SRC)) {
        /* Nothing to translate: the reversed tuple or nothing. */
        return !in_use(reply, aux);
    }

    /* Addresses.  Without a range, the address stays. */
    const struct ct_endpoint *o = s.dnat ? &orig->dst : &orig->src;
    if (nat->flags & CT_NAT_RANGE_ADDR) {
        struct nat_u128 min = addr_to_u128(&nat->min_addr, s.v6);
        struct nat_u128 max = addr_to_u128(&nat->max_addr, s.v6);
        uint32_t hash;

        if (u128_cmp(min, max) > 0) {
            struct nat_u128 tmp = min;
            min = max;
            max = tmp;
        }
        s.amin = min;
        s.n_addr = u128_range_count(min, max);
        hash = hash_ct_addr(&orig->src.addr, s.v6, basis);
        if (!(nat->flags & CT_NAT_PERSISTENT)) {
            hash = hash_ct_addr(&orig->dst.addr, s.v6, hash);
        }
        s.a_start = hash_finish(hash, 0) % s.n_addr;
    } else {
        s.amin = addr_to_u128(&o->addr, s.v6);
        s.n_addr = 1;
    }

    /* Ports. */
    uint32_t start = (nat->flags & CT_NAT_RANDOM ? nat_random()
                      : hash_ct_key(orig, basis));
    if (s.kind == NAT_L4_ICMP_ID) {
        /* Port ranges do not apply to echo ids: the original id if it is
         * free, else any. */
        s.ports.has_pref = true;
        s.ports.pref = ntohs(orig->src.port);
        nat_ports_range(&s.ports, 0, 65535, start);
    } else if (s.kind == NAT_L4_PORTS) {
        if (nat->flags & CT_NAT_RANGE_PORT) {
            nat_ports_range(&s.ports, nat->min_port, nat->max_port, start);
        } else if (s.dnat) {
            /* A destination port stays (servers listen on it). */
            s.ports.has_pref = true;
            s.ports.pref = ntohs(o->port);
        } else {
            nat_ports_class(&s.ports, ntohs(o->port), start);
        }
        if (s.dnat) {
            nat_ports_class(&s.sports, ntohs(orig->src.port), start >> 16);
        }
    } else {
        s.ports.has_pref = true;
        s.ports.pref = 0;
    }

    /* Phase 1: the translation asked for.  Phase 2 (DNAT of a protocol
     * with ports): if every such tuple is taken, also move the source
     * port within its class, as Open vSwitch does, so that two
     * connections from one source port to two addresses DNATed to one
     * server can coexist. */
    if (nat_search_phase(&s, &cand, 0, 1, in_use, aux)
        || (s.dnat && s.kind == NAT_L4_PORTS
            && nat_search_phase(&s, &cand, 1,
                                nat_ports_count(&s.sports) - 1,
                                in_use, aux))) {
        *reply = cand;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Packet parsing. */

static plx_be16
rd16(const uint8_t *p)
{
    return get_unaligned_be16(p);
}

static void
wr16(uint8_t *p, plx_be16 v)
{
    memcpy(p, &v, sizeof v);
}

/* An IP header and its transport header, as found in a packet (or in
 * the quoted part of an ICMP error). */
struct nat_l3l4 {
    uint8_t *l3;
    bool v6;
    uint8_t proto;              /* Transport protocol. */
    uint8_t *l4;                /* Transport header, or NULL in a later
                                 * fragment. */
    size_t l4_avail;            /* Bytes from 'l4' to the end of the IP
                                 * packet (or of the quoted bytes). */
    bool l4_len_known;          /* 'l4_avail' is the whole L4 payload
                                 * (false in a quoted packet). */
    bool rh;                    /* IPv6 routing header with segments left:
                                 * ip6_dst is not the pseudo-header's. */
};

/* Parses the IP header at L3, of which AVAIL bytes are in the packet.
 * QUOTED is for the packet an ICMP error quotes, whose lengths say more
 * than it carries.  Returns false (L incomplete) if the IP header or an
 * IPv6 extension header before the transport header is truncated or
 * malformed. */
static bool
nat_parse_ip(uint8_t *l3, size_t avail, bool v6, bool quoted,
             struct nat_l3l4 *l)
{
    memset(l, 0, sizeof *l);
    l->l3 = l3;
    l->v6 = v6;
    l->l4_len_known = !quoted;
    if (!v6) {
        if (avail < IP_HEADER_LEN || l3[0] >> 4 != 4) {
            return false;
        }
        size_t ihl = (l3[0] & 15) * 4;
        size_t tot_len = ntohs(rd16(l3 + 2));
        if (ihl < IP_HEADER_LEN || ihl > avail) {
            return false;
        }
        if (!quoted) {
            if (tot_len < ihl || tot_len > avail) {
                return false;
            }
            avail = tot_len;
        }
        l->proto = l3[9];
        if (!(ntohs(rd16(l3 + 6)) & IP_FRAG_OFF_MASK)) {
            l->l4 = l3 + ihl;
            l->l4_avail = avail - ihl;
        }
        return true;
    }

    if (avail < IPV6_HEADER_LEN || l3[0] >> 4 != 6) {
        return false;
    }
    if (!quoted) {
        size_t plen = ntohs(rd16(l3 + 4));
        if (plen > avail - IPV6_HEADER_LEN) {
            return false;
        }
        avail = IPV6_HEADER_LEN + plen;
    }

    uint8_t next = l3[6];
    size_t ofs = IPV6_HEADER_LEN;
    for (;;) {
        size_t len;

        if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING
            || next == IPPROTO_DSTOPTS || next == IPPROTO_AH) {
            if (avail - ofs < 8) {
                return false;
            }
            len = (next == IPPROTO_AH ? (l3[ofs + 1] + 2) * 4
                   : (l3[ofs + 1] + 1) * 8);
            if (next == IPPROTO_ROUTING && l3[ofs + 3]) {
                l->rh = true;
            }
        } else if (next == IPPROTO_FRAGMENT) {
            if (avail - ofs < IP6_FRAG_HEADER_LEN) {
                return false;
            }
            if (ntohs(rd16(l3 + ofs + 2)) & IP6_FRAG_OFF_MASK) {
                l->proto = l3[ofs];
                return true;    /* A later fragment: no L4 header. */
            }
            len = IP6_FRAG_HEADER_LEN;
        } else {
            break;
        }
        if (len > avail - ofs) {
            return false;
        }
        next = l3[ofs];
        ofs += len;
    }
    l->proto = next;
    l->l4 = l3 + ofs;
    l->l4_avail = avail - ofs;
    return true;
}

static bool
nat_proto_is_icmp(const struct nat_l3l4 *l)
{
    return l->proto == (l->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

static bool
nat_icmp_is_echo(uint8_t type, bool v6)
{
    return (v6 ? type == ICMP6_ECHO_REQUEST || type == ICMP6_ECHO_REPLY
            : type == ICMP4_ECHO_REQUEST || type == ICMP4_ECHO_REPLY);
}

/* How many bytes of L's transport header a rewrite must have: QUOTED
 * rewrites need only the ports (or ICMP id), i.e. 8 bytes. */
static size_t
nat_l4_min_len(const struct nat_l3l4 *l, bool quoted)
{
    switch (l->proto) {
    case IPPROTO_TCP:
        return quoted ? 8 : TCP_HEADER_LEN;
    case IPPROTO_UDP:
        return UDP_HEADER_LEN;
    case IPPROTO_SCTP:
        return quoted ? 8 : SCTP_HEADER_LEN;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return nat_proto_is_icmp(l) ? ICMP_HEADER_LEN : 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Rewriting. */

/* What to write into one IP header and its transport header. */
struct nat_target {
    bool set_src, set_dst;      /* Addresses. */
    union ct_addr src, dst;
    bool set_ports;             /* TCP/UDP/SCTP ports. */
    plx_be16 sport, dport;
    bool set_id;                /* ICMP/ICMPv6 echo id. */
    plx_be16 id;
};

/* Updates the 16-bit checksum at P for OLD to NEW.  With
 * ZERO_MEANS_NONE (UDP), a zero checksum stays zero and a computed zero
 * is sent as 0xffff. */
static void
csum_update16(uint8_t *p, plx_be16 old, plx_be16 new, bool zero_means_none)
{
    plx_be16 c = rd16(p);

    if (zero_means_none && !c) {
        return;
    }
    c = recalc_csum16(c, old, new);
    if (zero_means_none && !c) {
        c = htons(0xffff);
    }
    wr16(p, c);
}

/* Updates the checksum at P for the N bytes at OLD becoming those at NEW
 * (N even). */
static void
csum_update_bytes(uint8_t *p, const void *old, const void *new, size_t n,
                  bool zero_means_none)
{
    for (size_t i = 0; i < n; i += 2) {
        csum_update16(p, get_unaligned_be16((const uint8_t *) old + i),
                      get_unaligned_be16((const uint8_t *) new + i),
                      zero_means_none);
    }
}

/* The transport checksum of L that covers the pseudo-header, or NULL;
 * *ZERO_MEANS_NONE for UDP. */
static uint8_t *
nat_pseudo_csum(const struct nat_l3l4 *l, bool *zero_means_none)
{
    *zero_means_none = false;
    if (!l->l4) {
        return NULL;
    }
    switch (l->proto) {
    case IPPROTO_TCP:
        return l->l4_avail >= 18 ? l->l4 + 16 : NULL;
    case IPPROTO_UDP:
        *zero_means_none = true;
        return l->l4_avail >= 8 ? l->l4 + 6 : NULL;
    case IPPROTO_ICMPV6:
        return l->v6 && l->l4_avail >= 4 ? l->l4 + 2 : NULL;
    default:
        return NULL;
    }
}

/* Writes address NEW (4 or 16 bytes) at FIELD of L, updating the IPv4
 * header checksum and, if IN_PSEUDO, the transport checksum. */
static void
nat_set_addr(const struct nat_l3l4 *l, uint8_t *field,
             const union ct_addr *new, bool in_pseudo)
{
    size_t n = l->v6 ? 16 : 4;
    const void *newp = l->v6 ? (const void *) &new->ipv6
                             : (const void *) &new->ipv4;
    bool zero_means_none;
    uint8_t *csum;

    if (!memcmp(field, newp, n)) {
        return;
    }
    if (!l->v6) {
        csum_update_bytes(l->l3 + 10, field, newp, 4, false);
    }
    csum = in_pseudo ? nat_pseudo_csum(l, &zero_means_none) : NULL;
    if (csum) {
        csum_update_bytes(csum, field, newp, n, zero_means_none);
    }
    memcpy(field, newp, n);
}

/* Rewrites L as T says.  QUOTED: L is the packet inside an ICMP error,
 * whose SCTP CRC covers bytes that are not there and stays as is.  The
 * caller has checked that L's transport header holds what T writes. */
static void
nat_rewrite(const struct nat_l3l4 *l, const struct nat_target *t,
            bool quoted)
{
    uint8_t *src = l->l3 + (l->v6 ? 8 : 12);
    uint8_t *dst = l->l3 + (l->v6 ? 24 : 16);
    uint8_t *l4 = l->l4;

    if (t->set_src) {
        nat_set_addr(l, src, &t->src, true);
    }
    if (t->set_dst) {
        nat_set_addr(l, dst, &t->dst, !l->rh);
    }
    if (!l4) {
        return;
    }

    if (t->set_ports && (l->proto == IPPROTO_TCP
                         || l->proto == IPPROTO_UDP)) {
        bool udp = l->proto == IPPROTO_UDP;
        uint8_t *csum = (udp ? l4 + 6
                         : l->l4_avail >= 18 ? l4 + 16 : NULL);
        plx_be16 old_sport = rd16(l4), old_dport = rd16(l4 + 2);

        wr16(l4, t->sport);
        wr16(l4 + 2, t->dport);
        if (csum) {
            csum_update16(csum, old_sport, t->sport, udp);
            csum_update16(csum, old_dport, t->dport, udp);
        }
    } else if (t->set_ports && l->proto == IPPROTO_SCTP) {
        if (quoted) {
            wr16(l4, t->sport);
            wr16(l4 + 2, t->dport);
        } else if (rd16(l4) != t->sport || rd16(l4 + 2) != t->dport) {
            /* CRC32c is affine: adding the difference between the right
             * CRCs before and after keeps a wrong checksum wrong. */
            plx_be32 old_csum = get_unaligned_be32(l4 + 8);
            plx_be32 zero = 0, old_right, new_right, new_csum;

            memcpy(l4 + 8, &zero, 4);
            old_right = sctp_csum(l4, l->l4_avail);
            wr16(l4, t->sport);
            wr16(l4 + 2, t->dport);
            new_right = sctp_csum(l4, l->l4_avail);
            new_csum = old_csum ^ old_right ^ new_right;
            memcpy(l4 + 8, &new_csum, 4);
        }
    } else if (t->set_id && nat_proto_is_icmp(l)
               && nat_icmp_is_echo(l4[0], l->v6)) {
        plx_be16 old_id = rd16(l4 + 4);

        wr16(l4 + 4, t->id);
        csum_update16(l4 + 2, old_id, t->id, false);
    }
}

/* The two sides of a connection's translation as seen by a packet
 * travelling in one direction. */
struct nat_sides {
    bool src_on, dst_on;        /* Translate the packet's source/dest. */
    struct ct_endpoint src;     /* What the source becomes. */
    struct ct_endpoint dst;     /* What the destination becomes. */
    bool id_on;
    plx_be16 id;
};

static void
nat_sides(const struct ct_key *orig, const struct ct_key *reply,
          uint16_t nat_flags, bool reply_dir, struct nat_sides *s)
{
    uint16_t flags = (nat_flags & (CT_NAT_SRC | CT_NAT_DST))
                     | ct_nat_applied(orig, reply);
    bool snat = (flags & CT_NAT_SRC) != 0;
    bool dnat = (flags & CT_NAT_DST) != 0;
    const struct ct_key *k = reply_dir ? orig : reply;

    /* In the original direction SNAT changes the source to the reply
     * tuple's destination and DNAT the destination to its source; in the
     * reply direction DNAT changes the source back to the original
     * destination and SNAT the destination back to the original
     * source. */
    s->src_on = reply_dir ? dnat : snat;
    s->dst_on = reply_dir ? snat : dnat;
    s->src = k->dst;
    s->dst = k->src;
    s->id_on = (snat || dnat) && nat_l4_kind(orig) == NAT_L4_ICMP_ID;
    s->id = k->src.port;
}

static void
nat_target_init(struct nat_target *t, const struct nat_sides *s,
                const struct ct_key *orig, bool quoted)
{
    bool ports = nat_l4_kind(orig) == NAT_L4_PORTS;

    memset(t, 0, sizeof *t);
    if (!quoted) {
        t->set_src = s->src_on;
        t->src = s->src.addr;
        t->set_dst = s->dst_on;
        t->dst = s->dst.addr;
        t->sport = s->src_on ? s->src.port : 0;
        t->dport = s->dst_on ? s->dst.port : 0;
    } else {
        /* The quoted packet travelled the other way. */
        t->set_src = s->dst_on;
        t->src = s->dst.addr;
        t->set_dst = s->src_on;
        t->dst = s->src.addr;
        t->sport = s->dst_on ? s->dst.port : 0;
        t->dport = s->src_on ? s->src.port : 0;
    }
    t->set_ports = ports && (t->set_src || t->set_dst);
    t->set_id = s->id_on;
    t->id = s->id;
}

/* Fills in the ports T leaves alone from L's packet. */
static void
nat_target_keep_ports(struct nat_target *t, const struct nat_l3l4 *l)
{
    if (t->set_ports) {
        if (!t->set_src) {
            t->sport = rd16(l->l4);
        }
        if (!t->set_dst) {
            t->dport = rd16(l->l4 + 2);
        }
    }
}

/* Finds PKT's IP and transport headers for a connection of ORIG.
 * Returns false if PKT is not such a packet or is truncated. */
static bool
nat_parse_packet(struct dp_packet *pkt, const struct ct_key *orig,
                 struct nat_l3l4 *l)
{
    uint8_t *l3 = dp_packet_l3(pkt);

    return (l3
            && (orig->dl_type == htons(ETH_TYPE_IP)
                || orig->dl_type == htons(ETH_TYPE_IPV6))
            && nat_parse_ip(l3, dp_packet_l3_size(pkt), key_is_ipv6(orig),
                            false, l));
}

void
ct_nat_packet(struct dp_packet *pkt, const struct ct_key *orig,
              const struct ct_key *reply, uint16_t nat_flags,
              bool reply_dir)
{
    struct nat_l3l4 l;
    struct nat_sides s;
    struct nat_target t;

    if (!nat_parse_packet(pkt, orig, &l) || l.proto != orig->nw_proto
        || (l.l4 && l.l4_avail < nat_l4_min_len(&l, false))) {
        return;
    }
    nat_sides(orig, reply, nat_flags, reply_dir, &s);
    nat_target_init(&t, &s, orig, false);
    if (l.l4) {
        nat_target_keep_ports(&t, &l);
    }
    nat_rewrite(&l, &t, false);
}

static bool
nat_icmp_is_error(uint8_t type, bool v6)
{
    return (v6
            ? (type == ICMP6_DST_UNREACH || type == ICMP6_PACKET_TOO_BIG
               || type == ICMP6_TIME_EXCEEDED || type == ICMP6_PARAM_PROB)
            : (type == ICMP4_DST_UNREACH || type == ICMP4_TIME_EXCEEDED
               || type == ICMP4_PARAM_PROB));
}

/* The 16-bit ones-complement sum of N bytes at P (N even). */
static plx_be16
nat_sum16(const void *p, size_t n)
{
    return ~csum_finish(csum_continue(0, p, n));
}

void
ct_nat_icmp_error(struct dp_packet *pkt, const struct ct_key *orig,
                  const struct ct_key *reply, uint16_t nat_flags,
                  bool reply_dir)
{
    struct nat_l3l4 outer, inner;
    struct nat_sides s;
    struct nat_target t;

    /* The outer header and the error's own ICMP header. */
    if (!nat_parse_packet(pkt, orig, &outer) || !nat_proto_is_icmp(&outer)
        || !outer.l4 || outer.l4_avail < ICMP_HEADER_LEN
        || !nat_icmp_is_error(outer.l4[0], outer.v6)) {
        return;
    }

    /* The quoted packet. */
    uint8_t *icmp = outer.l4;
    if (!nat_parse_ip(icmp + ICMP_HEADER_LEN,
                      outer.l4_avail - ICMP_HEADER_LEN, outer.v6, true,
                      &inner)
        || inner.proto != orig->nw_proto) {
        return;
    }
    size_t l4_need = nat_l4_min_len(&inner, true);
    if (inner.l4 && inner.l4_avail < l4_need) {
        return;
    }

    nat_sides(orig, reply, nat_flags, reply_dir, &s);

    /* Rewrite the quoted packet, then fix the error's checksum for the
     * bytes that changed: the inner fixed IP header and the first bytes
     * (at most 20: ports and checksum) of its transport header.  Both
     * start an even number of bytes into the ICMP message. */
    size_t ip_len = inner.v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN;
    size_t l4_len = inner.l4 ? MIN(inner.l4_avail, 20) & ~(size_t) 1 : 0;
    uint8_t old_ip[IPV6_HEADER_LEN], old_l4[20];
    memcpy(old_ip, inner.l3, ip_len);
    if (l4_len) {
        memcpy(old_l4, inner.l4, l4_len);
    }

    nat_target_init(&t, &s, orig, true);
    if (inner.l4) {
        nat_target_keep_ports(&t, &inner);
    }
    nat_rewrite(&inner, &t, true);

    uint8_t *icmp_csum = icmp + 2;
    csum_update16(icmp_csum, nat_sum16(old_ip, ip_len),
                  nat_sum16(inner.l3, ip_len), false);
    if (l4_len) {
        csum_update16(icmp_csum, nat_sum16(old_l4, l4_len),
                      nat_sum16(inner.l4, l4_len), false);
    }

    /* The outer header: addresses only (for ICMPv6 also in the
     * pseudo-header). */
    nat_target_init(&t, &s, orig, false);
    t.set_ports = false;
    t.set_id = false;
    nat_rewrite(&outer, &t, false);
}
