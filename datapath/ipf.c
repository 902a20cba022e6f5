/* ipf: IP fragment reassembly before conntrack (see ipf.h). */
#include <config.h>
#include "ipf.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "hmap.h"
#include "list.h"
#include "packets.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ipf);

BUILD_ASSERT_DECL(IPF_LIST_MAX_FRAGS <= NETDEV_MAX_BURST);

/* At most this many timed-out lists are freed per ipf_preprocess() call,
 * so that a burst of expiries does not stall one batch for long. */
#define IPF_EXPIRE_PER_BATCH 4

#define IPF_IP_MAX 65535        /* Largest IPv4 total / IPv6 payload. */

enum ipf_counter {
    IPF_ACCEPTED,
    IPF_COMPLETED,
    IPF_EXPIRED,
    IPF_TOO_SMALL,
    IPF_OVERLAP,
    IPF_PURGED,
    IPF_INVALID,
    IPF_FULL,
    IPF_N_COUNTERS
};

/* What identifies a datagram.  Zeroed before filling, so that it can be
 * hashed and compared as bytes. */
struct ipf_key {
    struct in6_addr src;        /* IPv4: address in the first 4 bytes. */
    struct in6_addr dst;
    uint32_t id;                /* IPv4 id, or IPv6 fragment id. */
    uint32_t recirc_id;
    uint32_t in_port;
    plx_be16 dl_type;
    uint16_t zone;
    uint8_t nw_proto;           /* IPv4 protocol; 0 for IPv6. */
    uint8_t pad[3];
};

/* One fragment.  Offsets are from dp_packet_data() of 'pkt'. */
struct ipf_frag {
    struct dp_packet *pkt;
    uint32_t l3_ofs;            /* IP header. */
    uint32_t hdr_len;           /* IPv4 IHL * 4; IPv6: the header and the
                                 * extension headers before the fragment
                                 * header. */
    uint32_t data_ofs;          /* The fragment's data. */
    uint16_t start;             /* Data's offset in the datagram's
                                 * payload (fragmentable part). */
    uint16_t len;               /* Data bytes, > 0. */
};

/* A fragment as ipf_parse() found it. */
struct ipf_parsed {
    struct ipf_key key;
    struct ipf_frag frag;
    bool v6;
    bool last;                  /* No "more fragments" flag. */
    uint32_t nxt_ofs;           /* IPv6: offset from L3 of the byte that
                                 * names the fragment header. */
    uint8_t frag_nxt;           /* IPv6: the fragment header's next. */
};

enum ipf_list_state {
    IPF_LIST_INCOMPLETE,        /* Collecting fragments. */
    IPF_LIST_PENDING,           /* Complete; 'reass' waits for room. */
    IPF_LIST_IN_FLIGHT,         /* Complete; 'reass' is out in a batch. */
    IPF_LIST_FAILED,            /* Discarded; refuses later fragments. */
};

struct ipf_list {
    struct hmap_node node;          /* In 'lists', by key hash. */
    struct plx_list exp_node;       /* In 'exp_list'. */
    struct hmap_node flight_node;   /* In 'in_flight' when IN_FLIGHT. */
    struct plx_list pending_node;   /* In 'pending' when PENDING. */
    struct ipf_key key;
    enum ipf_list_state state;
    long long expiration;
    bool v6;
    bool have_first, have_last;
    uint32_t total;                 /* Payload length (have_last). */
    uint32_t sum;                   /* Data bytes held. */
    uint32_t max_end;               /* Largest start + len held. */
    size_t first_idx;               /* frags[] index of offset 0. */
    uint32_t nxt_ofs;               /* IPv6, from the first fragment. */
    uint8_t frag_nxt;

    /* The reassembled packet (PENDING, IN_FLIGHT). */
    struct dp_packet *reass;
    uint32_t reass_size;
    uint32_t reass_l3_ofs;
    uint32_t reass_hdr_len;

    size_t n_frags;
    struct ipf_frag frags[IPF_LIST_MAX_FRAGS];  /* In arrival order. */
};

struct ipf {
    pthread_mutex_t mutex;          /* Guards everything but atomics. */
    struct hmap lists;              /* All 'struct ipf_list's. */
    struct hmap in_flight;          /* IN_FLIGHT lists, by 'reass'. */
    struct plx_list exp_list;       /* All lists, soonest expiry first. */
    struct plx_list pending;        /* PENDING lists, oldest first. */
    unsigned int n_frags;           /* Fragments held. */
    unsigned int n_failed;          /* FAILED lists. */

    /* Read without the mutex, to skip it when there is nothing to do. */
    atomic_uint n_in_flight;
    atomic_uint n_pending;

    atomic_bool enabled[2];         /* [v6]. */
    atomic_uint min_frag[2];
    atomic_uint max_frags;
    atomic_uint_fast64_t counters[2][IPF_N_COUNTERS];
};

static void
ipf_count_n(struct ipf *ipf, bool v6, enum ipf_counter c, uint64_t n)
{
    atomic_fetch_add_explicit(&ipf->counters[v6][c], n,
                              memory_order_relaxed);
}

static void
ipf_count(struct ipf *ipf, bool v6, enum ipf_counter c)
{
    ipf_count_n(ipf, v6, c, 1);
}

static unsigned int
ipf_load(atomic_uint *x)
{
    return atomic_load_explicit(x, memory_order_relaxed);
}

struct ipf *
ipf_create(void)
{
    struct ipf *ipf = xzalloc(sizeof *ipf);

    pthread_mutex_init(&ipf->mutex, NULL);
    hmap_init(&ipf->lists);
    hmap_init(&ipf->in_flight);
    plx_list_init(&ipf->exp_list);
    plx_list_init(&ipf->pending);
    atomic_init(&ipf->n_in_flight, 0);
    atomic_init(&ipf->n_pending, 0);
    for (int v6 = 0; v6 < 2; v6++) {
        atomic_init(&ipf->enabled[v6], true);
        for (int c = 0; c < IPF_N_COUNTERS; c++) {
            atomic_init(&ipf->counters[v6][c], 0);
        }
    }
    atomic_init(&ipf->min_frag[0], IPF_V4_MIN_FRAG_DEFAULT);
    atomic_init(&ipf->min_frag[1], IPF_V6_MIN_FRAG_DEFAULT);
    atomic_init(&ipf->max_frags, IPF_MAX_FRAGS_DEFAULT);
    return ipf;
}

static void
ipf_delete_frags(struct ipf_list *list)
{
    for (size_t i = 0; i < list->n_frags; i++) {
        dp_packet_delete(list->frags[i].pkt);
    }
}

void
ipf_destroy(struct ipf *ipf)
{
    if (!ipf) {
        return;
    }

    struct ipf_list *list;
    HMAP_FOR_EACH_POP (list, node, &ipf->lists) {
        ipf_delete_frags(list);
        if (list->state == IPF_LIST_PENDING) {
            dp_packet_delete(list->reass);
        }
        /* An IN_FLIGHT 'reass' belongs to the batch it is in. */
        free(list);
    }
    hmap_destroy(&ipf->lists);
    hmap_destroy(&ipf->in_flight);
    pthread_mutex_destroy(&ipf->mutex);
    free(ipf);
}

/* ------------------------------------------------------------------ */
/* Parsing one packet, without the mutex. */

enum ipf_verdict {
    IPF_NOT_FRAG,               /* Pass it on untouched. */
    IPF_FRAG,                   /* A well-formed fragment. */
    IPF_BAD_FRAG,               /* A fragment to pass on invalid
                                 * (already counted). */
};

/* Checks the length rules every fragment must meet: data present, a
 * multiple of 8 bytes unless last, not past the largest datagram.
 * L3_LEN is the whole IP packet's length. */
static enum ipf_verdict
ipf_check_lengths(struct ipf *ipf, struct ipf_parsed *p, uint32_t l3_len,
                  uint32_t start, uint32_t len)
{
    if (!p->last && l3_len < ipf_load(&ipf->min_frag[p->v6])) {
        ipf_count(ipf, p->v6, IPF_TOO_SMALL);
        return IPF_BAD_FRAG;
    }
    if (!len || (!p->last && len % 8) || start + len > IPF_IP_MAX) {
        ipf_count(ipf, p->v6, IPF_INVALID);
        return IPF_BAD_FRAG;
    }
    p->frag.start = start;
    p->frag.len = len;
    return IPF_FRAG;
}

static enum ipf_verdict
ipf_parse_v4(struct ipf *ipf, struct dp_packet *pkt, uint16_t zone,
             struct ipf_parsed *p)
{
    const struct ip_header *ip = dp_packet_l3(pkt);
    size_t l3_size = dp_packet_l3_size(pkt);

    if (!ip || l3_size < IP_HEADER_LEN || IP_VER(ip->ip_ihl_ver) != 4
        || !IP_IS_FRAGMENT(ip->ip_frag_off)) {
        return IPF_NOT_FRAG;
    }

    uint32_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    uint32_t tot_len = ntohs(ip->ip_tot_len);
    if (ihl < IP_HEADER_LEN || tot_len < ihl || tot_len > l3_size
        || csum(ip, ihl)) {
        ipf_count(ipf, false, IPF_INVALID);
        return IPF_BAD_FRAG;
    }

    uint16_t frag_off = ntohs(ip->ip_frag_off);
    p->v6 = false;
    p->last = !(frag_off & IP_MORE_FRAGMENTS);
    p->frag.pkt = pkt;
    p->frag.l3_ofs = pkt->l3_ofs;
    p->frag.hdr_len = ihl;
    p->frag.data_ofs = pkt->l3_ofs + ihl;

    memset(&p->key, 0, sizeof p->key);
    plx_be32 src = get_16aligned_be32(&ip->ip_src);
    plx_be32 dst = get_16aligned_be32(&ip->ip_dst);
    memcpy(&p->key.src, &src, sizeof src);
    memcpy(&p->key.dst, &dst, sizeof dst);
    p->key.id = ntohs(ip->ip_id);
    p->key.recirc_id = pkt->md.recirc_id;
    p->key.in_port = pkt->md.in_port;
    p->key.dl_type = htons(ETH_TYPE_IP);
    p->key.zone = zone;
    p->key.nw_proto = ip->ip_proto;

    return ipf_check_lengths(ipf, p, tot_len,
                             (uint32_t) (frag_off & IP_FRAG_OFF_MASK) * 8,
                             tot_len - ihl);
}

/* Finds the fragment header in the IPv6 extension header chain of the
 * L3_LEN bytes at L3.  Returns its offset from L3 and stores the offset of
 * the byte naming it in *NXT_OFS, or returns 0 if there is none (or the
 * chain is cut short before one). */
static uint32_t
ipf_find_v6_frag_header(const uint8_t *l3, uint32_t l3_len,
                        uint32_t *nxt_ofs)
{
    uint32_t ofs = IPV6_HEADER_LEN;
    uint8_t nxt = l3[offsetof(struct ip6_header, ip6_next)];

    *nxt_ofs = offsetof(struct ip6_header, ip6_next);
    for (;;) {
        uint32_t len;

        switch (nxt) {
        case IPPROTO_FRAGMENT:
            return ofs;
        case IPPROTO_HOPOPTS:
        case IPPROTO_ROUTING:
        case IPPROTO_DSTOPTS:
            if (l3_len - ofs < 2) {
                return 0;
            }
            len = (l3[ofs + 1] + 1) * 8;
            break;
        case IPPROTO_AH:
            if (l3_len - ofs < 2) {
                return 0;
            }
            len = (l3[ofs + 1] + 2) * 4;
            break;
        default:
            return 0;
        }
        if (l3_len - ofs < len) {
            return 0;
        }
        *nxt_ofs = ofs;
        nxt = l3[ofs];
        ofs += len;
    }
}

static enum ipf_verdict
ipf_parse_v6(struct ipf *ipf, struct dp_packet *pkt, uint16_t zone,
             struct ipf_parsed *p)
{
    const struct ip6_header *ip6 = dp_packet_l3(pkt);
    size_t l3_size = dp_packet_l3_size(pkt);

    if (!ip6 || l3_size < IPV6_HEADER_LEN
        || (get_16aligned_be32(&ip6->ip6_vfl) & htonl(0xf0000000))
           != htonl(0x60000000)) {
        return IPF_NOT_FRAG;
    }

    /* Walk what is there even if the payload length says more, so that a
     * truncated fragment is recognised as one and refused. */
    uint32_t l3_len = IPV6_HEADER_LEN + ntohs(ip6->ip6_payload_len);
    uint32_t walk_len = MIN(l3_len, l3_size);
    uint32_t nxt_ofs;
    uint32_t fh_ofs = ipf_find_v6_frag_header((const uint8_t *) ip6,
                                              walk_len, &nxt_ofs);
    if (!fh_ofs) {
        return IPF_NOT_FRAG;
    }
    if (walk_len - fh_ofs < IP6_FRAG_HEADER_LEN) {
        ipf_count(ipf, true, IPF_INVALID);
        return IPF_BAD_FRAG;
    }

    const struct ip6_frag_header *fh = (const void *)
        ((const uint8_t *) ip6 + fh_ofs);
    uint16_t offlg = ntohs(fh->ip6f_offlg);
    if (!(offlg & (IP6_FRAG_OFF_MASK | IP6_FRAG_MORE))) {
        return IPF_NOT_FRAG;    /* Atomic fragment (RFC 6946). */
    }
    if (l3_len > l3_size) {
        ipf_count(ipf, true, IPF_INVALID);
        return IPF_BAD_FRAG;
    }

    p->v6 = true;
    p->last = !(offlg & IP6_FRAG_MORE);
    p->frag.pkt = pkt;
    p->frag.l3_ofs = pkt->l3_ofs;
    p->frag.hdr_len = fh_ofs;
    p->frag.data_ofs = pkt->l3_ofs + fh_ofs + IP6_FRAG_HEADER_LEN;
    p->nxt_ofs = nxt_ofs;
    p->frag_nxt = fh->ip6f_nxt;

    memset(&p->key, 0, sizeof p->key);
    p->key.src = get_16aligned_in6(&ip6->ip6_src);
    p->key.dst = get_16aligned_in6(&ip6->ip6_dst);
    p->key.id = ntohl(get_16aligned_be32(&fh->ip6f_ident));
    p->key.recirc_id = pkt->md.recirc_id;
    p->key.in_port = pkt->md.in_port;
    p->key.dl_type = htons(ETH_TYPE_IPV6);
    p->key.zone = zone;

    return ipf_check_lengths(ipf, p, l3_len, offlg & IP6_FRAG_OFF_MASK,
                             l3_len - fh_ofs - IP6_FRAG_HEADER_LEN);
}

static enum ipf_verdict
ipf_parse(struct ipf *ipf, struct dp_packet *pkt, bool v6, uint16_t zone,
          struct ipf_parsed *p)
{
    /* Header structs need 2-byte alignment (packets.h). */
    if (pkt->l3_ofs == DP_PACKET_OFS_UNSET
        || ((uintptr_t) dp_packet_data(pkt) + pkt->l3_ofs) % 2) {
        return IPF_NOT_FRAG;
    }
    return (v6
            ? ipf_parse_v6(ipf, pkt, zone, p)
            : ipf_parse_v4(ipf, pkt, zone, p));
}

/* ------------------------------------------------------------------ */
/* Lists.  Everything here runs with the mutex held. */

static void
ipf_list_set_expiration(struct ipf *ipf, struct ipf_list *list,
                        long long now)
{
    /* Every expiry is an event time plus the same timeout, so appending
     * keeps 'exp_list' sorted (up to clock skew between threads). */
    list->expiration = now + IPF_TIMEOUT_MS;
    plx_list_remove(&list->exp_node);
    plx_list_push_back(&ipf->exp_list, &list->exp_node);
}

/* Frees LIST's fragments, counting them under C. */
static void
ipf_list_drop_frags(struct ipf *ipf, struct ipf_list *list,
                    enum ipf_counter c)
{
    ipf_delete_frags(list);
    ipf_count_n(ipf, list->v6, c, list->n_frags);
    ipf->n_frags -= list->n_frags;
    list->n_frags = 0;
}

/* Unlinks and frees LIST, whose fragments must be gone already.  A
 * PENDING list's 'reass' must have been dealt with too. */
static void
ipf_list_remove(struct ipf *ipf, struct ipf_list *list)
{
    hmap_remove(&ipf->lists, &list->node);
    plx_list_remove(&list->exp_node);
    switch (list->state) {
    case IPF_LIST_IN_FLIGHT:
        hmap_remove(&ipf->in_flight, &list->flight_node);
        atomic_fetch_sub_explicit(&ipf->n_in_flight, 1,
                                  memory_order_relaxed);
        break;
    case IPF_LIST_PENDING:
        plx_list_remove(&list->pending_node);
        atomic_fetch_sub_explicit(&ipf->n_pending, 1, memory_order_relaxed);
        break;
    case IPF_LIST_FAILED:
        ipf->n_failed--;
        break;
    case IPF_LIST_INCOMPLETE:
        break;
    }
    free(list);
}

/* Discards incomplete LIST's datagram: frees its fragments (counted under
 * C) and keeps the list, empty, to refuse the datagram's later fragments
 * until it times out, unless too many such lists exist already. */
static void
ipf_list_fail(struct ipf *ipf, struct ipf_list *list, enum ipf_counter c,
              long long now)
{
    ipf_list_drop_frags(ipf, list, c);
    if (ipf->n_failed < MAX(ipf_load(&ipf->max_frags), 1)) {
        list->state = IPF_LIST_FAILED;
        ipf->n_failed++;
        ipf_list_set_expiration(ipf, list, now);
    } else {
        ipf_list_remove(ipf, list);
    }
}

static struct ipf_list *
ipf_list_lookup(struct ipf *ipf, const struct ipf_key *key, uint32_t hash)
{
    struct ipf_list *list;

    HMAP_FOR_EACH_WITH_HASH (list, node, hash, &ipf->lists) {
        if (!memcmp(&list->key, key, sizeof *key)) {
            return list;
        }
    }
    return NULL;
}

static struct ipf_list *
ipf_list_create(struct ipf *ipf, const struct ipf_parsed *p, uint32_t hash,
                long long now)
{
    struct ipf_list *list = xmalloc(sizeof *list);

    memset(list, 0, offsetof(struct ipf_list, frags));
    list->key = p->key;
    list->state = IPF_LIST_INCOMPLETE;
    list->v6 = p->v6;
    hmap_insert(&ipf->lists, &list->node, hash);
    plx_list_init(&list->exp_node);
    ipf_list_set_expiration(ipf, list, now);
    return list;
}

/* Builds LIST's reassembled packet from its complete set of fragments.
 * Returns false if the datagram would be too long. */
static bool
ipf_reassemble(struct ipf_list *list)
{
    const struct ipf_frag *first = &list->frags[list->first_idx];
    const struct ipf_frag *last = &list->frags[list->n_frags - 1];
    uint32_t ip_len = (list->v6
                       ? first->hdr_len - IPV6_HEADER_LEN + list->total
                       : first->hdr_len + list->total);
    if (ip_len > IPF_IP_MAX) {
        return false;
    }

    size_t hdrs = first->l3_ofs + first->hdr_len;
    struct dp_packet *pkt = dp_packet_new_with_headroom(
        hdrs + list->total, DP_PACKET_DEFAULT_HEADROOM);
    dp_packet_put(pkt, dp_packet_data(first->pkt), hdrs);
    uint8_t *payload = dp_packet_put_uninit(pkt, list->total);
    for (size_t i = 0; i < list->n_frags; i++) {
        const struct ipf_frag *f = &list->frags[i];
        memcpy(payload + f->start,
               (const uint8_t *) dp_packet_data(f->pkt) + f->data_ofs,
               f->len);
    }

    uint8_t *l3 = (uint8_t *) dp_packet_data(pkt) + first->l3_ofs;
    if (list->v6) {
        struct ip6_header *ip6 = (struct ip6_header *) l3;

        ip6->ip6_payload_len = htons(ip_len);
        l3[list->nxt_ofs] = list->frag_nxt;
    } else {
        struct ip_header *ip = (struct ip_header *) l3;

        ip->ip_tot_len = htons(ip_len);
        ip->ip_frag_off &= ~htons(IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK);
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, first->hdr_len);
    }

    struct flow flow;
    pkt->md = last->pkt->md;
    flow_extract(pkt, &flow);

    list->reass = pkt;
    list->reass_size = dp_packet_size(pkt);
    list->reass_l3_ofs = first->l3_ofs;
    list->reass_hdr_len = first->hdr_len;
    return true;
}

enum ipf_add_result {
    IPF_HELD,                   /* The list has the fragment (or freed it
                                 * with its datagram). */
    IPF_REFUSED,                /* Pass the fragment on invalid. */
    IPF_COMPLETE,               /* The list has the fragment and a
                                 * reassembled packet. */
};

/* Takes the fragment P into its list, which is stored in *LISTP. */
static enum ipf_add_result
ipf_add_frag(struct ipf *ipf, const struct ipf_parsed *p, long long now,
             struct ipf_list **listp)
{
    uint32_t hash = hash_bytes(&p->key, sizeof p->key, 0);
    struct ipf_list *list = ipf_list_lookup(ipf, &p->key, hash);
    bool v6 = p->v6;

    if (list && list->state != IPF_LIST_INCOMPLETE) {
        /* A complete datagram already holds every byte: a duplicate. */
        ipf_count(ipf, v6, (list->state == IPF_LIST_FAILED
                            ? IPF_INVALID : IPF_OVERLAP));
        return IPF_REFUSED;
    }
    if (ipf->n_frags >= ipf_load(&ipf->max_frags)) {
        ipf_count(ipf, v6, IPF_FULL);
        return IPF_REFUSED;
    }
    if (!list) {
        list = ipf_list_create(ipf, p, hash, now);
    }

    uint32_t start = p->frag.start;
    uint32_t end = start + p->frag.len;
    for (size_t i = 0; i < list->n_frags; i++) {
        const struct ipf_frag *f = &list->frags[i];
        uint32_t f_end = f->start + f->len;

        if (start < f_end && f->start < end) {
            if (start == f->start && end == f_end) {
                ipf_count(ipf, v6, IPF_OVERLAP);
                return IPF_REFUSED;
            }
            goto conflict;
        }
    }
    if (p->last
        ? (list->have_last && list->total != end) || end < list->max_end
        : list->have_last && end > list->total) {
        goto conflict;
    }
    if (list->n_frags >= IPF_LIST_MAX_FRAGS) {
        ipf_count(ipf, v6, IPF_INVALID);
        ipf_list_fail(ipf, list, IPF_PURGED, now);
        return IPF_REFUSED;
    }

    list->frags[list->n_frags++] = p->frag;
    ipf->n_frags++;
    ipf_count(ipf, v6, IPF_ACCEPTED);
    list->sum += p->frag.len;
    list->max_end = MAX(list->max_end, end);
    if (!start) {
        list->have_first = true;
        list->first_idx = list->n_frags - 1;
        list->nxt_ofs = p->nxt_ofs;
        list->frag_nxt = p->frag_nxt;
    }
    if (p->last) {
        list->have_last = true;
        list->total = end;
    }

    if (list->have_first && list->have_last && list->sum == list->total) {
        /* No overlaps, so 'sum' bytes cover [0, total) exactly. */
        if (!ipf_reassemble(list)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
            VLOG_DBG_RL(&rl, "dropping a reassembled datagram longer "
                        "than 65535 bytes");
            ipf_list_fail(ipf, list, IPF_PURGED, now);
            return IPF_HELD;
        }
        ipf_list_set_expiration(ipf, list, now);
        *listp = list;
        return IPF_COMPLETE;
    }
    return IPF_HELD;

conflict:
    ipf_count(ipf, v6, IPF_OVERLAP);
    ipf_list_fail(ipf, list, IPF_OVERLAP, now);
    return IPF_REFUSED;
}

/* Frees up to MAX lists that timed out by NOW. */
static void
ipf_expire(struct ipf *ipf, long long now, size_t max)
{
    for (size_t n = 0; n < max && !plx_list_is_empty(&ipf->exp_list); n++) {
        struct ipf_list *list = CONTAINER_OF(plx_list_front(&ipf->exp_list),
                                             struct ipf_list, exp_node);
        if (list->expiration > now) {
            break;
        }
        switch (list->state) {
        case IPF_LIST_INCOMPLETE:
            ipf_list_drop_frags(ipf, list, IPF_EXPIRED);
            break;
        case IPF_LIST_PENDING:
            ipf_list_drop_frags(ipf, list, IPF_EXPIRED);
            dp_packet_delete(list->reass);
            break;
        case IPF_LIST_IN_FLIGHT:
            /* Its reassembled packet never came back. */
            ipf_list_drop_frags(ipf, list, IPF_PURGED);
            break;
        case IPF_LIST_FAILED:
            break;
        }
        ipf_list_remove(ipf, list);
    }
}

static void
ipf_list_set_in_flight(struct ipf *ipf, struct ipf_list *list)
{
    if (list->state == IPF_LIST_PENDING) {
        plx_list_remove(&list->pending_node);
        atomic_fetch_sub_explicit(&ipf->n_pending, 1, memory_order_relaxed);
    }
    list->state = IPF_LIST_IN_FLIGHT;
    hmap_insert(&ipf->in_flight, &list->flight_node,
                hash_pointer(list->reass, 0));
    atomic_fetch_add_explicit(&ipf->n_in_flight, 1, memory_order_relaxed);
}

static void
ipf_list_set_pending(struct ipf *ipf, struct ipf_list *list)
{
    list->state = IPF_LIST_PENDING;
    plx_list_push_back(&ipf->pending, &list->pending_node);
    atomic_fetch_add_explicit(&ipf->n_pending, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Before conntrack. */

void
ipf_preprocess(struct ipf *ipf, struct dp_packet_batch *batch,
               plx_be16 dl_type, uint16_t zone, long long now)
{
    bool v6;

    if (dl_type == htons(ETH_TYPE_IP)) {
        v6 = false;
    } else if (dl_type == htons(ETH_TYPE_IPV6)) {
        v6 = true;
    } else {
        return;
    }
    if (dp_packet_batch_is_empty(batch)) {
        return;
    }

    bool enabled = atomic_load_explicit(&ipf->enabled[v6],
                                        memory_order_relaxed);
    if (!enabled && !ipf_load(&ipf->n_pending)) {
        return;
    }

    /* The pipeline context that waiting datagrams must match. */
    uint32_t recirc_id = batch->packets[0]->md.recirc_id;
    uint32_t in_port = batch->packets[0]->md.in_port;

    /* Packets ipf_postprocess() will add for the reassembled packets
     * already in the batch. */
    size_t expand = 0;
    bool locked = false;
    struct dp_packet *pkt;

    if (enabled) {
        DP_PACKET_BATCH_REFILL_FOR_EACH (i, n, pkt, batch) {
            struct ipf_parsed p;

            switch (ipf_parse(ipf, pkt, v6, zone, &p)) {
            case IPF_NOT_FRAG:
                dp_packet_batch_refill(batch, pkt, i);
                continue;
            case IPF_BAD_FRAG:
                pkt->md.ct_state = CS_INVALID;
                dp_packet_batch_refill(batch, pkt, i);
                continue;
            case IPF_FRAG:
                break;
            }

            if (!locked) {
                pthread_mutex_lock(&ipf->mutex);
                locked = true;
                ipf_expire(ipf, now, IPF_EXPIRE_PER_BATCH);
            }

            struct ipf_list *list = NULL;
            switch (ipf_add_frag(ipf, &p, now, &list)) {
            case IPF_REFUSED:
                pkt->md.ct_state = CS_INVALID;
                dp_packet_batch_refill(batch, pkt, i);
                break;
            case IPF_HELD:
                break;
            case IPF_COMPLETE:
                /* Room for all its fragments after conntrack, even if
                 * every packet not yet visited stays in the batch. */
                if (batch->count + (n - i) + expand + list->n_frags - 1
                    <= NETDEV_MAX_BURST) {
                    ipf_list_set_in_flight(ipf, list);
                    expand += list->n_frags - 1;
                    dp_packet_batch_refill(batch, list->reass, i);
                } else {
                    ipf_list_set_pending(ipf, list);
                }
                break;
            }
        }
    }

    if (ipf_load(&ipf->n_pending)) {
        if (!locked) {
            pthread_mutex_lock(&ipf->mutex);
            locked = true;
        }

        struct ipf_list *list;
        LIST_FOR_EACH_SAFE (list, pending_node, &ipf->pending) {
            if (list->key.dl_type == dl_type && list->key.zone == zone
                && list->key.recirc_id == recirc_id
                && list->key.in_port == in_port
                && batch->count + expand + list->n_frags
                   <= NETDEV_MAX_BURST) {
                ipf_list_set_in_flight(ipf, list);
                expand += list->n_frags - 1;
                dp_packet_batch_add__(batch, list->reass);
            }
        }
    }

    if (locked) {
        pthread_mutex_unlock(&ipf->mutex);
    }
}

/* ------------------------------------------------------------------ */
/* After conntrack. */

/* The IN_FLIGHT list whose reassembled packet is PKT, or NULL.  A list
 * whose packet's address matches but whose length or pipeline context
 * does not lost its packet (and the memory was reused): it is purged. */
static struct ipf_list *
ipf_find_in_flight(struct ipf *ipf, const struct dp_packet *pkt)
{
    struct ipf_list *list;

    HMAP_FOR_EACH_WITH_HASH (list, flight_node, hash_pointer(pkt, 0),
                             &ipf->in_flight) {
        if (list->reass == pkt) {
            if (dp_packet_size(pkt) == list->reass_size
                && pkt->md.recirc_id == list->key.recirc_id
                && pkt->md.in_port == list->key.in_port) {
                return list;
            }
            ipf_list_drop_frags(ipf, list, IPF_PURGED);
            ipf_list_remove(ipf, list);
            return NULL;
        }
    }
    return NULL;
}

/* Gives fragment F of LIST what conntrack did to REASS. */
static void
ipf_update_frag(const struct ipf_list *list, const struct dp_packet *reass,
                const struct ipf_frag *f)
{
    struct pkt_metadata *md = &f->pkt->md;
    const struct pkt_metadata *rmd = &reass->md;

    md->ct_state = rmd->ct_state;
    md->ct_zone = rmd->ct_zone;
    md->ct_mark = rmd->ct_mark;
    md->ct_label = rmd->ct_label;
    md->ct_nw_proto = rmd->ct_nw_proto;
    md->ct_nw_src = rmd->ct_nw_src;
    md->ct_nw_dst = rmd->ct_nw_dst;
    md->ct_ipv6_src = rmd->ct_ipv6_src;
    md->ct_ipv6_dst = rmd->ct_ipv6_dst;
    md->ct_tp_src = rmd->ct_tp_src;
    md->ct_tp_dst = rmd->ct_tp_dst;

    const uint8_t *r_l3 = ((const uint8_t *) dp_packet_data(reass)
                           + list->reass_l3_ofs);
    uint8_t *f_l3 = (uint8_t *) dp_packet_data(f->pkt) + f->l3_ofs;
    if (list->v6) {
        const struct ip6_header *r_ip6 = (const void *) r_l3;
        struct ip6_header *f_ip6 = (void *) f_l3;

        f_ip6->ip6_src = r_ip6->ip6_src;
        f_ip6->ip6_dst = r_ip6->ip6_dst;
    } else {
        const struct ip_header *r_ip = (const void *) r_l3;
        struct ip_header *f_ip = (void *) f_l3;
        plx_be32 r_src = get_16aligned_be32(&r_ip->ip_src);
        plx_be32 r_dst = get_16aligned_be32(&r_ip->ip_dst);
        plx_be32 f_src = get_16aligned_be32(&f_ip->ip_src);
        plx_be32 f_dst = get_16aligned_be32(&f_ip->ip_dst);

        if (r_src != f_src) {
            f_ip->ip_csum = recalc_csum32(f_ip->ip_csum, f_src, r_src);
            put_16aligned_be32(&f_ip->ip_src, r_src);
        }
        if (r_dst != f_dst) {
            f_ip->ip_csum = recalc_csum32(f_ip->ip_csum, f_dst, r_dst);
            put_16aligned_be32(&f_ip->ip_dst, r_dst);
        }
    }

    /* The datagram's bytes, L4 header and checksum included. */
    memcpy((uint8_t *) dp_packet_data(f->pkt) + f->data_ofs,
           r_l3 + list->reass_hdr_len + f->start, f->len);
}

void
ipf_postprocess(struct ipf *ipf, struct dp_packet_batch *batch)
{
    if (!ipf_load(&ipf->n_in_flight) || dp_packet_batch_is_empty(batch)) {
        return;
    }

    struct ipf_list *lists[NETDEV_MAX_BURST];
    size_t n = batch->count;
    size_t n_out = 0;

    pthread_mutex_lock(&ipf->mutex);
    for (size_t i = 0; i < n; i++) {
        lists[i] = ipf_find_in_flight(ipf, batch->packets[i]);
        n_out += lists[i] ? lists[i]->n_frags : 1;
    }

    /* ipf_preprocess() left room for every fragment, unless the caller
     * added packets since: then the last datagrams are dropped. */
    bool drop[NETDEV_MAX_BURST] = { false };
    for (size_t i = n; i-- > 0 && n_out > NETDEV_MAX_BURST; ) {
        if (lists[i]) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
            VLOG_WARN_RL(&rl, "no room in the batch for a reassembled "
                         "datagram's fragments: dropped");
            drop[i] = true;
            n_out -= lists[i]->n_frags;
        }
    }

    struct dp_packet *out[NETDEV_MAX_BURST];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct dp_packet *pkt = batch->packets[i];
        struct ipf_list *list = lists[i];

        if (!list) {
            out[k++] = pkt;
            continue;
        }
        if (drop[i]) {
            ipf_list_drop_frags(ipf, list, IPF_PURGED);
        } else {
            for (size_t j = 0; j < list->n_frags; j++) {
                ipf_update_frag(list, pkt, &list->frags[j]);
                out[k++] = list->frags[j].pkt;
            }
            ipf_count_n(ipf, list->v6, IPF_COMPLETED, list->n_frags);
            ipf->n_frags -= list->n_frags;
            list->n_frags = 0;
        }
        dp_packet_delete(pkt);
        ipf_list_remove(ipf, list);
    }
    pthread_mutex_unlock(&ipf->mutex);

    memcpy(batch->packets, out, k * sizeof *out);
    batch->count = k;
}

/* ------------------------------------------------------------------ */
/* Maintenance and configuration. */

long long
ipf_run(struct ipf *ipf, long long now)
{
    long long next = LLONG_MAX;

    pthread_mutex_lock(&ipf->mutex);
    ipf_expire(ipf, now, SIZE_MAX);
    if (!plx_list_is_empty(&ipf->exp_list)) {
        next = CONTAINER_OF(plx_list_front(&ipf->exp_list),
                            struct ipf_list, exp_node)->expiration;
    }
    pthread_mutex_unlock(&ipf->mutex);
    return next;
}

void
ipf_set_enabled(struct ipf *ipf, bool v6, bool enabled)
{
    atomic_store_explicit(&ipf->enabled[v6], enabled, memory_order_relaxed);
}

int
ipf_set_min_frag(struct ipf *ipf, bool v6, unsigned int min_frag)
{
    if (min_frag < IPF_MIN_FRAG_LBOUND || min_frag > IPF_IP_MAX) {
        return EINVAL;
    }
    atomic_store_explicit(&ipf->min_frag[v6], min_frag,
                          memory_order_relaxed);
    return 0;
}

int
ipf_set_max_frags(struct ipf *ipf, unsigned int max_frags)
{
    if (max_frags > IPF_MAX_FRAGS_UBOUND) {
        return EINVAL;
    }
    atomic_store_explicit(&ipf->max_frags, max_frags, memory_order_relaxed);
    return 0;
}

static void
ipf_get_proto_stats(struct ipf *ipf, bool v6, struct ipf_proto_stats *s)
{
    uint64_t c[IPF_N_COUNTERS];

    for (int i = 0; i < IPF_N_COUNTERS; i++) {
        c[i] = atomic_load_explicit(&ipf->counters[v6][i],
                                    memory_order_relaxed);
    }
    s->enabled = atomic_load_explicit(&ipf->enabled[v6],
                                      memory_order_relaxed);
    s->min_frag = ipf_load(&ipf->min_frag[v6]);
    s->n_accepted = c[IPF_ACCEPTED];
    s->n_completed = c[IPF_COMPLETED];
    s->n_expired = c[IPF_EXPIRED];
    s->n_too_small = c[IPF_TOO_SMALL];
    s->n_overlap = c[IPF_OVERLAP];
    s->n_purged = c[IPF_PURGED];
    s->n_invalid = c[IPF_INVALID];
    s->n_full = c[IPF_FULL];
}

void
ipf_get_stats(struct ipf *ipf, struct ipf_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    pthread_mutex_lock(&ipf->mutex);
    stats->n_frags = ipf->n_frags;
    stats->n_lists = hmap_count(&ipf->lists);
    pthread_mutex_unlock(&ipf->mutex);
    stats->max_frags = ipf_load(&ipf->max_frags);
    ipf_get_proto_stats(ipf, false, &stats->v4);
    ipf_get_proto_stats(ipf, true, &stats->v6);
}
