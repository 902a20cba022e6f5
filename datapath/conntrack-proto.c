/*
 * conntrack-proto: packet parsing and the non-TCP trackers of conntrack,
 * plus the text forms (timeout names, dump entries, flush tuples).
 *
 * Parsing trusts nothing: every length is checked against the bytes
 * present, IPv4 header and TCP, UDP, ICMP and ICMPv6 checksums are
 * verified (a bad one makes the packet +inv, as Open vSwitch does without
 * checksum offload), fragments are refused (ipf reassembles them first),
 * and an ICMP error's quoted packet is parsed leniently (it is usually
 * cut short) but must be addressed from the error's destination.
 *
 * UDP, SCTP, ICMP echo (and timestamp/information) and other protocols
 * share one small state machine: FIRST, MULTIPLE (more packets one way),
 * BIDIR (the reply direction seen).  SCTP adds CLOSING (SHUTDOWN or
 * SHUTDOWN ACK seen) and CLOSED (ABORT or SHUTDOWN COMPLETE), after which
 * an INIT starts a new connection; only an INIT may start one.
 */
#include <config.h>
#include "conntrack-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "hash.h"
#include "packets.h"

#define SCTP_CHUNK_INIT 1
#define SCTP_CHUNK_ABORT 6
#define SCTP_CHUNK_SHUTDOWN 7
#define SCTP_CHUNK_SHUTDOWN_ACK 8
#define SCTP_CHUNK_SHUTDOWN_COMPLETE 14

#define ICMP4_SOURCE_QUENCH 4
#define ICMP4_TIMESTAMP 13
#define ICMP4_TIMESTAMP_REPLY 14
#define ICMP4_INFO_REQUEST 15
#define ICMP4_INFO_REPLY 16

/* ------------------------------------------------------------------ */
/* Keys. */

uint32_t
ct_key_hash(const struct ct_key *key, uint32_t basis)
{
    BUILD_ASSERT_DECL(sizeof(struct ct_key) % 4 == 0);
    return hash_words((const uint32_t *) (const void *) key,
                      sizeof *key / 4, basis);
}

static uint8_t
icmp_reverse_type(uint8_t nw_proto, uint8_t type)
{
    if (nw_proto == IPPROTO_ICMP) {
        switch (type) {
        case ICMP4_ECHO_REQUEST: return ICMP4_ECHO_REPLY;
        case ICMP4_ECHO_REPLY: return ICMP4_ECHO_REQUEST;
        case ICMP4_TIMESTAMP: return ICMP4_TIMESTAMP_REPLY;
        case ICMP4_TIMESTAMP_REPLY: return ICMP4_TIMESTAMP;
        case ICMP4_INFO_REQUEST: return ICMP4_INFO_REPLY;
        case ICMP4_INFO_REPLY: return ICMP4_INFO_REQUEST;
        }
    } else if (nw_proto == IPPROTO_ICMPV6) {
        switch (type) {
        case ICMP6_ECHO_REQUEST: return ICMP6_ECHO_REPLY;
        case ICMP6_ECHO_REPLY: return ICMP6_ECHO_REQUEST;
        }
    }
    return type;
}

void
ct_key_reverse(const struct ct_key *key, struct ct_key *reply)
{
    struct ct_key tmp = *key;

    tmp.src = key->dst;
    tmp.dst = key->src;
    tmp.icmp_type = icmp_reverse_type(key->nw_proto, key->icmp_type);
    *reply = tmp;
}

static bool
is_icmp(const struct ct_key *key)
{
    return ((key->nw_proto == IPPROTO_ICMP
             && key->dl_type == htons(ETH_TYPE_IP))
            || (key->nw_proto == IPPROTO_ICMPV6
                && key->dl_type == htons(ETH_TYPE_IPV6)));
}

/* ------------------------------------------------------------------ */
/* Parsing. */

/* Parses the IP header at L3 (SIZE bytes available).  Strict for a
 * packet's own header (complete, checksum right); lenient for a quoted
 * one (INNER: may be cut short).  Sets KEY's addresses and protocol and
 * *L4, *L4_LEN. */
static bool
parse_ipv4(const uint8_t *l3, size_t size, bool inner, struct ct_key *key,
           const uint8_t **l4, size_t *l4_len)
{
    const struct ip_header *ip = (const void *) l3;

    if (size < IP_HEADER_LEN || IP_VER(ip->ip_ihl_ver) != IP_VERSION) {
        return false;
    }
    size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    size_t tot = ntohs(ip->ip_tot_len);
    if (ihl < IP_HEADER_LEN || ihl > size || tot < ihl) {
        return false;
    }
    if (!inner) {
        if (tot > size || csum(ip, ihl)) {
            return false;
        }
        size = tot;
    } else {
        size = MIN(size, tot);
    }
    if (IP_IS_FRAGMENT(ip->ip_frag_off)) {
        return false;
    }
    key->src.addr.ipv4 = get_16aligned_be32(&ip->ip_src);
    key->dst.addr.ipv4 = get_16aligned_be32(&ip->ip_dst);
    key->nw_proto = ip->ip_proto;
    *l4 = l3 + ihl;
    *l4_len = size - ihl;
    return true;
}

static bool
parse_ipv6(const uint8_t *l3, size_t size, bool inner, struct ct_key *key,
           const uint8_t **l4, size_t *l4_len)
{
    const struct ip6_header *ip6 = (const void *) l3;

    if (size < IPV6_HEADER_LEN
        || ntohl(get_16aligned_be32(&ip6->ip6_vfl)) >> 28 != 6) {
        return false;
    }
    size_t total = IPV6_HEADER_LEN + ntohs(ip6->ip6_payload_len);
    if (!inner) {
        if (total > size) {
            return false;
        }
        size = total;
    } else {
        size = MIN(size, total);
    }
    key->src.addr.ipv6 = get_16aligned_in6(&ip6->ip6_src);
    key->dst.addr.ipv6 = get_16aligned_in6(&ip6->ip6_dst);

    const uint8_t *p = l3 + IPV6_HEADER_LEN;
    size_t rem = size - IPV6_HEADER_LEN;
    uint8_t nxt = ip6->ip6_next;
    for (;;) {
        if (nxt == IPPROTO_HOPOPTS || nxt == IPPROTO_ROUTING
            || nxt == IPPROTO_DSTOPTS || nxt == IPPROTO_AH) {
            const struct ip6_ext_header *e = (const void *) p;
            if (rem < 8) {
                return false;
            }
            size_t len = (nxt == IPPROTO_AH
                          ? (e->ip6e_len + 2) * 4
                          : (e->ip6e_len + 1) * 8);
            if (len > rem) {
                return false;
            }
            nxt = e->ip6e_nxt;
            p += len;
            rem -= len;
        } else if (nxt == IPPROTO_FRAGMENT) {
            const struct ip6_frag_header *f = (const void *) p;
            if (rem < IP6_FRAG_HEADER_LEN
                || f->ip6f_offlg & htons(IP6_FRAG_OFF_MASK | IP6_FRAG_MORE)) {
                /* Cut short, or a real fragment (not an atomic one). */
                return false;
            }
            nxt = f->ip6f_nxt;
            p += IP6_FRAG_HEADER_LEN;
            rem -= IP6_FRAG_HEADER_LEN;
        } else {
            break;
        }
    }
    key->nw_proto = nxt;
    *l4 = p;
    *l4_len = rem;
    return true;
}

static bool
parse_l3(plx_be16 dl_type, const uint8_t *l3, size_t size, bool inner,
         struct ct_key *key, const uint8_t **l4, size_t *l4_len)
{
    return (dl_type == htons(ETH_TYPE_IP)
            ? parse_ipv4(l3, size, inner, key, l4, l4_len)
            : parse_ipv6(l3, size, inner, key, l4, l4_len));
}

static bool
l4_csum_ok(const struct ct_key *key, const void *l4, size_t len)
{
    uint32_t partial;

    if (key->dl_type == htons(ETH_TYPE_IP)) {
        if (key->nw_proto == IPPROTO_ICMP) {
            return !csum(l4, len);
        }
        partial = csum_pseudoheader4(key->src.addr.ipv4, key->dst.addr.ipv4,
                                     key->nw_proto, len);
    } else {
        partial = csum_pseudoheader6(&key->src.addr.ipv6,
                                     &key->dst.addr.ipv6, key->nw_proto,
                                     len);
    }
    return !csum_finish(csum_continue(partial, l4, len));
}

enum icmp_kind { ICMP_KIND_BAD, ICMP_KIND_QUERY, ICMP_KIND_ERROR };

static enum icmp_kind
icmp_kind(const struct ct_key *key, uint8_t type)
{
    if (key->nw_proto == IPPROTO_ICMP) {
        switch (type) {
        case ICMP4_ECHO_REQUEST: case ICMP4_ECHO_REPLY:
        case ICMP4_TIMESTAMP: case ICMP4_TIMESTAMP_REPLY:
        case ICMP4_INFO_REQUEST: case ICMP4_INFO_REPLY:
            return ICMP_KIND_QUERY;
        case ICMP4_DST_UNREACH: case ICMP4_SOURCE_QUENCH:
        case ICMP4_REDIRECT: case ICMP4_TIME_EXCEEDED: case ICMP4_PARAM_PROB:
            return ICMP_KIND_ERROR;
        }
    } else {
        switch (type) {
        case ICMP6_ECHO_REQUEST: case ICMP6_ECHO_REPLY:
            return ICMP_KIND_QUERY;
        case ICMP6_DST_UNREACH: case ICMP6_PACKET_TOO_BIG:
        case ICMP6_TIME_EXCEEDED: case ICMP6_PARAM_PROB:
            return ICMP_KIND_ERROR;
        }
    }
    return ICMP_KIND_BAD;
}

/* Fills in KEY's L4 part from the LEN bytes at L4.  For a quoted packet
 * (INNER) only the first 8 bytes are needed and nothing is verified; an
 * outer packet must be whole and its checksum right.  P (outer only)
 * receives the TCP flags and SCTP chunk type. */
static bool
parse_l4(struct ct_key *key, const uint8_t *l4, size_t len, bool inner,
         struct ct_pkt *p)
{
    if (is_icmp(key)) {
        if (len < ICMP_HEADER_LEN || (!inner && !l4_csum_ok(key, l4, len))) {
            return false;
        }
        const struct icmp_header *icmp = (const void *) l4;
        enum icmp_kind kind = icmp_kind(key, icmp->icmp_type);
        if (kind == ICMP_KIND_QUERY) {
            key->src.port = key->dst.port = icmp->icmp_fields.echo.id;
            key->icmp_type = icmp->icmp_type;
            key->icmp_code = icmp->icmp_code;
            return true;
        } else if (kind == ICMP_KIND_BAD || inner) {
            return false;
        }

        /* An error: the key is the quoted packet's, reversed. */
        struct ct_key outer = *key;
        const uint8_t *l3 = l4 + ICMP_HEADER_LEN;
        const uint8_t *il4;
        size_t il4_len;

        memset(&key->src, 0, sizeof key->src);
        memset(&key->dst, 0, sizeof key->dst);
        key->icmp_type = key->icmp_code = 0;
        if (!parse_l3(key->dl_type, l3, len - ICMP_HEADER_LEN, true, key,
                      &il4, &il4_len)
            || memcmp(&key->src.addr, &outer.dst.addr, sizeof key->src.addr)
            || !parse_l4(key, il4, il4_len, true, NULL)) {
            return false;
        }
        ct_key_reverse(key, key);
        p->related = true;
        return true;
    }

    switch (key->nw_proto) {
    case IPPROTO_TCP: {
        const struct tcp_header *tcp = (const void *) l4;
        if (inner) {
            if (len < 8) {
                return false;
            }
        } else {
            if (len < TCP_HEADER_LEN) {
                return false;
            }
            size_t off = TCP_OFFSET(tcp->tcp_ctl) * 4;
            if (off < TCP_HEADER_LEN || off > len
                || !l4_csum_ok(key, l4, len)) {
                return false;
            }
            p->tcp_flags = TCP_FLAGS(tcp->tcp_ctl);
        }
        key->src.port = tcp->tcp_src;
        key->dst.port = tcp->tcp_dst;
        return true;
    }
    case IPPROTO_UDP: {
        const struct udp_header *udp = (const void *) l4;
        if (len < UDP_HEADER_LEN) {
            return false;
        }
        if (!inner) {
            size_t ulen = ntohs(udp->udp_len);
            if (ulen < UDP_HEADER_LEN || ulen > len) {
                return false;
            }
            if ((udp->udp_csum || key->dl_type != htons(ETH_TYPE_IP))
                && !l4_csum_ok(key, l4, ulen)) {
                return false;
            }
        }
        key->src.port = udp->udp_src;
        key->dst.port = udp->udp_dst;
        return true;
    }
    case IPPROTO_SCTP: {
        const struct sctp_header *sctp = (const void *) l4;
        if (len < (inner ? 8 : SCTP_HEADER_LEN + 4)) {
            return false;
        }
        if (!inner) {
            p->sctp_chunk = l4[SCTP_HEADER_LEN];
        }
        key->src.port = sctp->sctp_src;
        key->dst.port = sctp->sctp_dst;
        return true;
    }
    default:
        return true;
    }
}

bool
ct_pkt_parse(const struct dp_packet *pkt, plx_be16 dl_type, uint16_t zone,
             struct ct_pkt *p)
{
    const uint8_t *l3 = dp_packet_l3(pkt);
    const uint8_t *l4;
    size_t l4_len;

    memset(p, 0, sizeof *p);
    if (!l3 || dp_packet_l2_5(pkt) || (dl_type != htons(ETH_TYPE_IP)
                && dl_type != htons(ETH_TYPE_IPV6))) {
        return false;
    }
    p->key.dl_type = dl_type;
    p->key.zone = zone;
    if (!parse_l3(dl_type, l3, dp_packet_l3_size(pkt), false, &p->key,
                  &l4, &l4_len)
        || !parse_l4(&p->key, l4, l4_len, false, p)) {
        return false;
    }
    p->l4 = l4;
    p->l4_len = l4_len;
    p->l3_len = (l4 - l3) + l4_len;
    return true;
}

/* ------------------------------------------------------------------ */
/* Protocol state. */

bool
ct_proto_valid_new(const struct ct_pkt *p)
{
    const struct ct_key *key = &p->key;

    if (p->related) {
        return false;
    } else if (is_icmp(key)) {
        return (key->nw_proto == IPPROTO_ICMP
                ? (key->icmp_type == ICMP4_ECHO_REQUEST
                   || key->icmp_type == ICMP4_TIMESTAMP
                   || key->icmp_type == ICMP4_INFO_REQUEST)
                : key->icmp_type == ICMP6_ECHO_REQUEST);
    } else if (key->nw_proto == IPPROTO_TCP) {
        return ct_tcp_valid_new(p);
    } else if (key->nw_proto == IPPROTO_SCTP) {
        return p->sctp_chunk == SCTP_CHUNK_INIT;
    }
    return true;
}

static enum ct_timeout
gen_timeout(const struct conn *conn)
{
    const struct ct_key *key = &conn->kn[CT_DIR_ORIG].key;
    bool bidir = conn->gen_state >= CT_GEN_BIDIR;

    if (is_icmp(key)) {
        return bidir ? CT_TM_ICMP_REPLY : CT_TM_ICMP_FIRST;
    } else if (key->nw_proto == IPPROTO_UDP
               || key->nw_proto == IPPROTO_SCTP) {
        switch ((enum ct_gen_state) conn->gen_state) {
        case CT_GEN_FIRST: return CT_TM_UDP_FIRST;
        case CT_GEN_MULTIPLE: return CT_TM_UDP_SINGLE;
        case CT_GEN_BIDIR: return CT_TM_UDP_MULTIPLE;
        case CT_GEN_CLOSING: return CT_TM_TCP_TIME_WAIT;
        case CT_GEN_CLOSED: return CT_TM_TCP_CLOSE;
        }
        return CT_TM_UDP_FIRST;
    }
    return bidir ? CT_TM_OTHER_MULTIPLE : CT_TM_OTHER_FIRST;
}

enum ct_timeout
ct_proto_new(struct conn *conn, const struct ct_pkt *p)
{
    conn->gen_state = CT_GEN_FIRST;
    if (p->key.nw_proto == IPPROTO_TCP) {
        return ct_tcp_new(conn, p);
    }
    return gen_timeout(conn);
}

enum ct_update
ct_proto_update(struct conn *conn, const struct ct_pkt *p, enum ct_dir dir,
                enum ct_timeout *tm)
{
    uint8_t proto = conn->kn[CT_DIR_ORIG].key.nw_proto;

    if (proto == IPPROTO_TCP) {
        return ct_tcp_update(conn, p, dir, tm);
    }
    if (proto == IPPROTO_SCTP) {
        switch (p->sctp_chunk) {
        case SCTP_CHUNK_INIT:
            if (conn->gen_state == CT_GEN_CLOSED) {
                return CT_UPDATE_NEW;
            }
            break;
        case SCTP_CHUNK_ABORT:
        case SCTP_CHUNK_SHUTDOWN_COMPLETE:
            conn->gen_state = CT_GEN_CLOSED;
            *tm = gen_timeout(conn);
            return CT_UPDATE_VALID;
        case SCTP_CHUNK_SHUTDOWN:
        case SCTP_CHUNK_SHUTDOWN_ACK:
            if (conn->gen_state < CT_GEN_CLOSING) {
                conn->gen_state = CT_GEN_CLOSING;
            }
            *tm = gen_timeout(conn);
            return CT_UPDATE_VALID;
        }
        if (conn->gen_state >= CT_GEN_CLOSING) {
            *tm = gen_timeout(conn);
            return CT_UPDATE_VALID;
        }
    }
    if (dir == CT_DIR_REPLY) {
        conn->gen_state = CT_GEN_BIDIR;
    } else if (conn->gen_state == CT_GEN_FIRST) {
        conn->gen_state = CT_GEN_MULTIPLE;
    }
    *tm = gen_timeout(conn);
    return CT_UPDATE_VALID;
}

/* ------------------------------------------------------------------ */
/* Names. */

static const char *const timeout_names[CT_N_TIMEOUTS] = {
    [CT_TM_TCP_SYN_SENT] = "tcp_syn_sent",
    [CT_TM_TCP_SYN_RECV] = "tcp_syn_recv",
    [CT_TM_TCP_ESTABLISHED] = "tcp_established",
    [CT_TM_TCP_FIN_WAIT] = "tcp_fin_wait",
    [CT_TM_TCP_CLOSE_WAIT] = "tcp_close_wait",
    [CT_TM_TCP_LAST_ACK] = "tcp_last_ack",
    [CT_TM_TCP_TIME_WAIT] = "tcp_time_wait",
    [CT_TM_TCP_CLOSE] = "tcp_close",
    [CT_TM_TCP_SYN_SENT2] = "tcp_syn_sent2",
    [CT_TM_TCP_RETRANSMIT] = "tcp_retransmit",
    [CT_TM_TCP_UNACK] = "tcp_unack",
    [CT_TM_UDP_FIRST] = "udp_first",
    [CT_TM_UDP_SINGLE] = "udp_single",
    [CT_TM_UDP_MULTIPLE] = "udp_multiple",
    [CT_TM_ICMP_FIRST] = "icmp_first",
    [CT_TM_ICMP_REPLY] = "icmp_reply",
    [CT_TM_OTHER_FIRST] = "other_first",
    [CT_TM_OTHER_MULTIPLE] = "other_multiple",
};

/* Open vSwitch's userspace defaults (lib/conntrack-tp.c), in seconds.
 * Its userspace tracker has no use for tcp_close_wait, tcp_last_ack,
 * tcp_syn_sent2, tcp_retransmit and tcp_unack (kernel-datapath keys of
 * CT_Timeout_Policy): they are accepted, kept at Linux's defaults and
 * unused here too.  other_first and other_multiple are Plexus's own: what
 * Open vSwitch applies to other protocols under its UDP keys. */
static const uint32_t timeout_defaults[CT_N_TIMEOUTS] = {
    [CT_TM_TCP_SYN_SENT] = 30,
    [CT_TM_TCP_SYN_RECV] = 30,
    [CT_TM_TCP_ESTABLISHED] = 24 * 60 * 60,
    [CT_TM_TCP_FIN_WAIT] = 15 * 60,
    [CT_TM_TCP_CLOSE_WAIT] = 60,
    [CT_TM_TCP_LAST_ACK] = 30,
    [CT_TM_TCP_TIME_WAIT] = 45,
    [CT_TM_TCP_CLOSE] = 30,
    [CT_TM_TCP_SYN_SENT2] = 120,
    [CT_TM_TCP_RETRANSMIT] = 300,
    [CT_TM_TCP_UNACK] = 300,
    [CT_TM_UDP_FIRST] = 60,
    [CT_TM_UDP_SINGLE] = 60,
    [CT_TM_UDP_MULTIPLE] = 30,
    [CT_TM_ICMP_FIRST] = 60,
    [CT_TM_ICMP_REPLY] = 30,
    [CT_TM_OTHER_FIRST] = 60,
    [CT_TM_OTHER_MULTIPLE] = 30,
};

const char *
ct_timeout_name(enum ct_timeout tm)
{
    return (unsigned int) tm < CT_N_TIMEOUTS ? timeout_names[tm] : NULL;
}

bool
ct_timeout_from_name(const char *name, enum ct_timeout *tm)
{
    for (int i = 0; i < CT_N_TIMEOUTS; i++) {
        if (!strcmp(name, timeout_names[i])) {
            *tm = i;
            return true;
        }
    }
    return false;
}

uint32_t
ct_timeout_default(enum ct_timeout tm)
{
    return (unsigned int) tm < CT_N_TIMEOUTS ? timeout_defaults[tm] : 0;
}

static const char *const tcp_state_names[CT_N_TCP_STATES] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED",
    "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",
    "TIME_WAIT",
};

const char *
ct_tcp_state_name(int state)
{
    return state >= 0 && state < CT_N_TCP_STATES
           ? tcp_state_names[state] : NULL;
}

/* ------------------------------------------------------------------ */
/* Dump entries, as ovs-dpctl dump-conntrack [-s] prints them. */

static void
format_tuple(struct ds *s, const struct ct_key *key)
{
    if (key->dl_type == htons(ETH_TYPE_IP)) {
        ds_put_format(s, "src="IP_FMT",dst="IP_FMT,
                      IP_ARGS(key->src.addr.ipv4),
                      IP_ARGS(key->dst.addr.ipv4));
    } else {
        ds_put_cstr(s, "src=");
        ipv6_format_addr(&key->src.addr.ipv6, s);
        ds_put_cstr(s, ",dst=");
        ipv6_format_addr(&key->dst.addr.ipv6, s);
    }
    if (key->nw_proto == IPPROTO_ICMP || key->nw_proto == IPPROTO_ICMPV6) {
        ds_put_format(s, ",id=%u,type=%u,code=%u", ntohs(key->src.port),
                      key->icmp_type, key->icmp_code);
    } else {
        ds_put_format(s, ",sport=%u,dport=%u",
                      ntohs(key->src.port), ntohs(key->dst.port));
    }
}

static void
format_counters(struct ds *s, uint64_t packets, uint64_t bytes)
{
    if (packets || bytes) {
        ds_put_format(s, ",packets=%"PRIu64",bytes=%"PRIu64, packets, bytes);
    }
}

void
ct_dump_entry_format(struct ds *s, const struct ct_dump_entry *e,
                     bool verbose, long long now)
{
    uint8_t proto = e->orig.nw_proto;
    const char *name = (proto == IPPROTO_ICMP ? "icmp"
                        : proto == IPPROTO_ICMPV6 ? "icmpv6"
                        : proto == IPPROTO_TCP ? "tcp"
                        : proto == IPPROTO_UDP ? "udp"
                        : proto == IPPROTO_SCTP ? "sctp"
                        : NULL);
    if (name) {
        ds_put_cstr(s, name);
    } else {
        ds_put_format(s, "%u", proto);
    }

    ds_put_cstr(s, ",orig=(");
    format_tuple(s, &e->orig);
    if (verbose) {
        format_counters(s, e->packets_orig, e->bytes_orig);
    }
    ds_put_cstr(s, "),reply=(");
    format_tuple(s, &e->reply);
    if (verbose) {
        format_counters(s, e->packets_reply, e->bytes_reply);
    }
    ds_put_char(s, ')');

    if (e->orig.zone) {
        ds_put_format(s, ",zone=%"PRIu16, e->orig.zone);
    }
    if (verbose) {
        long long left = e->expiration - now;
        ds_put_format(s, ",timeout=%lld", left > 0 ? left / 1000 : 0);
    }
    if (e->mark) {
        ds_put_format(s, ",mark=%"PRIu32, e->mark);
    }
    if (e->label.u64.lo || e->label.u64.hi) {
        /* Most significant byte first, without leading zeros. */
        uint8_t bytes[16];
        bool started = false;

        for (int i = 0; i < 8; i++) {
            bytes[i] = e->label.u64.hi >> (56 - 8 * i);
            bytes[8 + i] = e->label.u64.lo >> (56 - 8 * i);
        }
        ds_put_cstr(s, ",labels=");
        for (int i = 0; i < 16; i++) {
            if (started) {
                ds_put_format(s, "%02x", bytes[i]);
            } else if (bytes[i]) {
                ds_put_format(s, "0x%x", bytes[i]);
                started = true;
            }
        }
    }
    if (proto == IPPROTO_TCP) {
        uint8_t state = e->tcp_state;
        if (state == CT_TCP_STATE_FIN_WAIT_2) {
            state = CT_TCP_STATE_TIME_WAIT;
        } else if (state == CT_TCP_STATE_SYN_RECV) {
            state = CT_TCP_STATE_ESTABLISHED;
        }
        const char *sname = ct_tcp_state_name(state);
        if (sname) {
            ds_put_format(s, ",protoinfo=(state=%s)", sname);
        } else {
            ds_put_format(s, ",protoinfo=(state=[%u])", state);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Flush tuples. */

static char *
parse_uint(const char *key, const char *value, unsigned int max,
           unsigned int *out)
{
    unsigned int x;

    if (!str_to_uint(value, 0, &x) || x > max) {
        return xasprintf("%s: \"%s\" is not a number from 0 to %u",
                         key, value, max);
    }
    *out = x;
    return NULL;
}

enum {
    KP_SRC = 1 << 0, KP_DST = 1 << 1, KP_PROTO = 1 << 2,
    KP_SPORT = 1 << 3, KP_DPORT = 1 << 4, KP_ICMP = 1 << 5,
};

static char *
parse_field(const char *name, const char *value, struct ct_key *key,
            unsigned int *seen)
{
    unsigned int x = 0;
    char *error;

    if (!strcmp(name, "ct_nw_src") || !strcmp(name, "ct_nw_dst")) {
        bool src = name[6] == 's';
        if (key->dl_type == htons(ETH_TYPE_IPV6)) {
            return xstrdup("IPv4 and IPv6 addresses mixed");
        }
        key->dl_type = htons(ETH_TYPE_IP);
        if (!ip_parse(value, src ? &key->src.addr.ipv4
                                 : &key->dst.addr.ipv4)) {
            return xasprintf("%s: bad IPv4 address \"%s\"", name, value);
        }
        *seen |= src ? KP_SRC : KP_DST;
    } else if (!strcmp(name, "ct_ipv6_src") || !strcmp(name, "ct_ipv6_dst")) {
        bool src = name[8] == 's';
        if (key->dl_type == htons(ETH_TYPE_IP)) {
            return xstrdup("IPv4 and IPv6 addresses mixed");
        }
        key->dl_type = htons(ETH_TYPE_IPV6);
        if (!ipv6_parse(value, src ? &key->src.addr.ipv6
                                   : &key->dst.addr.ipv6)) {
            return xasprintf("%s: bad IPv6 address \"%s\"", name, value);
        }
        *seen |= src ? KP_SRC : KP_DST;
    } else if (!strcmp(name, "ct_nw_proto")) {
        if ((error = parse_uint(name, value, UINT8_MAX, &x))) {
            return error;
        }
        key->nw_proto = x;
        *seen |= KP_PROTO;
    } else if (!strcmp(name, "ct_tp_src") || !strcmp(name, "ct_tp_dst")) {
        bool src = name[6] == 's';
        if ((error = parse_uint(name, value, UINT16_MAX, &x))) {
            return error;
        }
        (src ? &key->src : &key->dst)->port = htons(x);
        *seen |= src ? KP_SPORT : KP_DPORT;
    } else if (!strcmp(name, "icmp_id")) {
        if ((error = parse_uint(name, value, UINT16_MAX, &x))) {
            return error;
        }
        key->src.port = key->dst.port = htons(x);
        *seen |= KP_ICMP;
    } else if (!strcmp(name, "icmp_type") || !strcmp(name, "icmp_code")) {
        if ((error = parse_uint(name, value, UINT8_MAX, &x))) {
            return error;
        }
        if (name[5] == 't') {
            key->icmp_type = x;
        } else {
            key->icmp_code = x;
        }
        *seen |= KP_ICMP;
    } else {
        return xasprintf("Invalid conntrack tuple field: %s", name);
    }
    return NULL;
}

char *
ct_key_parse(const char *s, struct ct_key *key)
{
    char *copy = xstrdup(s);
    char *save = NULL;
    char *error = NULL;
    unsigned int seen = 0;

    memset(key, 0, sizeof *key);
    for (char *tok = strtok_r(copy, ",", &save); tok && !error;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || !eq[1]) {
            error = xasprintf("field %s missing value",
                              eq ? (*eq = '\0', tok) : tok);
            break;
        }
        *eq = '\0';
        error = parse_field(tok, eq + 1, key, &seen);
    }
    free(copy);
    if (error) {
        return error;
    }

    bool icmp = (key->nw_proto == IPPROTO_ICMP
                 || key->nw_proto == IPPROTO_ICMPV6);
    bool ports = (key->nw_proto == IPPROTO_TCP
                  || key->nw_proto == IPPROTO_UDP
                  || key->nw_proto == IPPROTO_SCTP);
    if ((seen & (KP_SRC | KP_DST | KP_PROTO)) != (KP_SRC | KP_DST | KP_PROTO)
        || (ports && (seen & (KP_SPORT | KP_DPORT))
                     != (KP_SPORT | KP_DPORT))) {
        return xstrdup("at least one of the conntrack 5-tuple fields "
                       "is missing.");
    }
    if ((seen & KP_ICMP && !icmp)
        || (seen & (KP_SPORT | KP_DPORT) && !ports)) {
        return xstrdup("Invalid L4 fields");
    }
    return NULL;
}
