/* netflow: a NetFlow v5 and v9 exporter (see netflow.h). */
#include <config.h>
#include "ofproto/netflow.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "collectors.h"
#include "dynamic-string.h"
#include "flow.h"
#include "hash.h"
#include "heap.h"
#include "hmap.h"
#include "list.h"
#include "openflow.h"
#include "packets.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netflow);

/* Wire sizes. */
#define NF_V5_HDR_LEN 24
#define NF_V5_REC_LEN 48
#define NF_V5_MAX_RECS 28       /* 24 + 28 * 48 = 1368 < 1400 bytes. */
#define NF_V5_MAX_SPLIT 1024    /* Records one oversized flow may become. */
#define NF_V9_HDR_LEN 20
#define NF_V9_SET_HDR_LEN 4
#define NF_V9_TEMPLATE_IPV4 256
#define NF_V9_TEMPLATE_IPV6 257

/* 'used' times are clamped to [0, NF_MAX_TIME], so that deadlines
 * neither overflow nor go negative (the heap needs nonnegative times). */
#define NF_MAX_TIME (1LL << 52)

/* RFC 3954 field types used in the templates. */
enum {
    NF9_IN_BYTES = 1,
    NF9_IN_PKTS = 2,
    NF9_PROTOCOL = 4,
    NF9_SRC_TOS = 5,
    NF9_TCP_FLAGS = 6,
    NF9_L4_SRC_PORT = 7,
    NF9_IPV4_SRC_ADDR = 8,
    NF9_INPUT_SNMP = 10,
    NF9_L4_DST_PORT = 11,
    NF9_IPV4_DST_ADDR = 12,
    NF9_OUTPUT_SNMP = 14,
    NF9_IPV4_NEXT_HOP = 15,
    NF9_LAST_SWITCHED = 21,
    NF9_FIRST_SWITCHED = 22,
    NF9_IPV6_SRC_ADDR = 27,
    NF9_IPV6_DST_ADDR = 28,
    NF9_ICMP_TYPE = 32,
    NF9_ICMP_TYPE_IPV6 = 139,
};

struct nf9_field {
    uint16_t type;
    uint16_t len;
};

static const struct nf9_field nf9_fields_ipv4[] = {
    { NF9_IN_BYTES, 8 }, { NF9_IN_PKTS, 8 }, { NF9_PROTOCOL, 1 },
    { NF9_SRC_TOS, 1 }, { NF9_TCP_FLAGS, 1 }, { NF9_L4_SRC_PORT, 2 },
    { NF9_IPV4_SRC_ADDR, 4 }, { NF9_INPUT_SNMP, 4 }, { NF9_L4_DST_PORT, 2 },
    { NF9_IPV4_DST_ADDR, 4 }, { NF9_OUTPUT_SNMP, 4 },
    { NF9_IPV4_NEXT_HOP, 4 }, { NF9_LAST_SWITCHED, 4 },
    { NF9_FIRST_SWITCHED, 4 }, { NF9_ICMP_TYPE, 2 },
};

static const struct nf9_field nf9_fields_ipv6[] = {
    { NF9_IN_BYTES, 8 }, { NF9_IN_PKTS, 8 }, { NF9_PROTOCOL, 1 },
    { NF9_SRC_TOS, 1 }, { NF9_TCP_FLAGS, 1 }, { NF9_L4_SRC_PORT, 2 },
    { NF9_IPV6_SRC_ADDR, 16 }, { NF9_INPUT_SNMP, 4 },
    { NF9_L4_DST_PORT, 2 }, { NF9_IPV6_DST_ADDR, 16 },
    { NF9_OUTPUT_SNMP, 4 }, { NF9_LAST_SWITCHED, 4 },
    { NF9_FIRST_SWITCHED, 4 }, { NF9_ICMP_TYPE_IPV6, 2 },
};

#define NF9_TEMPLATE_LEN(FIELDS) (4 + 4 * ARRAY_SIZE(FIELDS))
#define NF9_TEMPLATE_SET_LEN (NF_V9_SET_HDR_LEN                         \
                              + NF9_TEMPLATE_LEN(nf9_fields_ipv4)        \
                              + NF9_TEMPLATE_LEN(nf9_fields_ipv6))
/* A v9 body leaves room for the header and the templates. */
#define NF_V9_BODY_MAX (NETFLOW_MAX_DATAGRAM - NF_V9_HDR_LEN              \
                        - NF9_TEMPLATE_SET_LEN)
#define NF_V5_BODY_MAX (NF_V5_MAX_RECS * NF_V5_REC_LEN)
#define NF_BODY_MAX MAX(NF_V5_BODY_MAX, NF_V9_BODY_MAX)
BUILD_ASSERT_DECL(NF_V5_HDR_LEN + NF_V5_BODY_MAX <= NETFLOW_MAX_DATAGRAM);
BUILD_ASSERT_DECL(NF9_TEMPLATE_SET_LEN % 4 == 0);

/* What a record is keyed on.  IPv4 addresses sit in the first 4 bytes of
 * 'src' and 'dst', the rest zero.  No implicit padding: hashed as bytes. */
struct nf_key {
    struct in6_addr src;
    struct in6_addr dst;
    uint32_t in_port;
    plx_be16 tp_src;            /* Port, or ICMP type in the low byte. */
    plx_be16 tp_dst;            /* Port, or ICMP code in the low byte. */
    uint8_t nw_proto;
    uint8_t tos;                /* DSCP bits only. */
    uint8_t is_ipv6;
    uint8_t pad;
};
BUILD_ASSERT_DECL(sizeof(struct nf_key) == 44);

/* One flow being accounted. */
struct nf_record {
    struct hmap_node hmap_node; /* In netflow's 'records', by key hash. */
    struct plx_list lru_node;   /* In netflow's 'lru', oldest update first. */
    struct heap_node heap_node; /* In netflow's 'timers', by -deadline. */
    struct nf_key key;
    uint8_t tcp_flags;
    plx_be32 next_hop;
    uint32_t output;
    uint64_t packets;           /* This export period. */
    uint64_t bytes;             /* Layer 3, this export period. */
    long long int first;        /* 'used' of the period's first update. */
    long long int last;         /* Latest 'used'. */
};

/* A datagram body waiting to be sent; the header is written at send
 * time. */
struct nf_packet {
    struct plx_list list_node;  /* In netflow's 'queue'. */
    uint8_t version;
    uint16_t n_records;
    uint16_t size;              /* Bytes in 'body'. */
    uint16_t set_ofs;           /* v9: open data flowset, or UINT16_MAX. */
    uint8_t body[NF_BODY_MAX];
};

struct netflow {
    /* Options. */
    int version;
    uint8_t engine_type;
    uint8_t engine_id;
    bool add_id_to_iface;
    long long int active_ms;    /* 0: no active timeout. */
    long long int template_ms;
    struct sset targets;
    char *collectors_error;     /* From the last collectors_create(). */
    struct collectors *collectors;

    long long int boot;         /* time_msec() at creation. */

    /* Records. */
    struct hmap records;
    struct plx_list lru;
    struct heap timers;         /* Earliest deadline first. */

    /* Datagrams waiting for netflow_run(). */
    struct plx_list queue;
    size_t n_queued;            /* Records in 'queue'. */

    /* Sending. */
    bool need_templates;
    long long int last_templates;
    uint32_t v5_sequence;       /* Records sent in v5 datagrams. */
    uint32_t v9_sequence;       /* v9 datagrams sent. */

    struct netflow_stats stats;
};

/* ------------------------------------------------------------------ */
/* Options. */

void
netflow_options_init(struct netflow_options *opts)
{
    memset(opts, 0, sizeof *opts);
    sset_init(&opts->collectors);
    opts->version = 5;
}

void
netflow_options_destroy(struct netflow_options *opts)
{
    if (opts) {
        sset_destroy(&opts->collectors);
    }
}

struct netflow *
netflow_create(void)
{
    struct netflow *nf = xzalloc(sizeof *nf);
    nf->version = 5;
    nf->active_ms = NETFLOW_ACTIVE_TIMEOUT_DEFAULT * 1000LL;
    nf->template_ms = NETFLOW_TEMPLATE_INTERVAL_DEFAULT * 1000LL;
    sset_init(&nf->targets);
    nf->boot = time_msec();
    hmap_init(&nf->records);
    plx_list_init(&nf->lru);
    heap_init(&nf->timers);
    plx_list_init(&nf->queue);
    nf->need_templates = true;
    nf->last_templates = LLONG_MIN;
    return nf;
}

static void nf_flush_records(struct netflow *);
static void nf_rearm_timers(struct netflow *);
static void nf_record_free(struct netflow *, struct nf_record *);

void
netflow_destroy(struct netflow *nf)
{
    if (nf) {
        struct nf_record *rec;
        HMAP_FOR_EACH_SAFE (rec, hmap_node, &nf->records) {
            nf_record_free(nf, rec);
        }
        hmap_destroy(&nf->records);
        heap_destroy(&nf->timers);

        struct nf_packet *pkt;
        LIST_FOR_EACH_POP (pkt, list_node, &nf->queue) {
            free(pkt);
        }
        collectors_destroy(nf->collectors);
        free(nf->collectors_error);
        sset_destroy(&nf->targets);
        free(nf);
    }
}

char *
netflow_set_options(struct netflow *nf, const struct netflow_options *opts)
{
    if (opts->version != 5 && opts->version != 9) {
        return xasprintf("NetFlow version %d is not supported "
                         "(use 5 or 9)", opts->version);
    }
    if (opts->active_timeout < -1) {
        return xasprintf("NetFlow active timeout %d is invalid (use a "
                         "number of seconds, 0 for the default of %d, or "
                         "-1 for none)", opts->active_timeout,
                         NETFLOW_ACTIVE_TIMEOUT_DEFAULT);
    }
    if (opts->template_interval < 0) {
        return xasprintf("NetFlow template interval %d is invalid (use a "
                         "number of seconds, or 0 for the default of %d)",
                         opts->template_interval,
                         NETFLOW_TEMPLATE_INTERVAL_DEFAULT);
    }
    if (sset_is_empty(&opts->collectors)) {
        return xstrdup("NetFlow needs at least one collector");
    }

    /* Records accumulated under one version mean nothing to the other's
     * collectors' expectations: send them the way they were promised. */
    if (opts->version != nf->version) {
        nf_flush_records(nf);
        nf->version = opts->version;
        nf->need_templates = true;
    }
    nf->engine_type = opts->engine_type;
    nf->engine_id = opts->engine_id;
    nf->add_id_to_iface = opts->add_id_to_iface;

    long long int active_ms = (opts->active_timeout == 0
                               ? NETFLOW_ACTIVE_TIMEOUT_DEFAULT * 1000LL
                               : opts->active_timeout < 0 ? 0
                               : opts->active_timeout * 1000LL);
    if (active_ms != nf->active_ms) {
        nf->active_ms = active_ms;
        nf_rearm_timers(nf);
    }
    nf->template_ms = (opts->template_interval
                       ? opts->template_interval * 1000LL
                       : NETFLOW_TEMPLATE_INTERVAL_DEFAULT * 1000LL);

    if (nf->collectors_error
        || !sset_equals(&nf->targets, &opts->collectors)) {
        collectors_destroy(nf->collectors);
        free(nf->collectors_error);
        nf->collectors_error = collectors_create(&opts->collectors,
                                                 NETFLOW_DEFAULT_PORT,
                                                 &nf->collectors);
        sset_destroy(&nf->targets);
        sset_clone(&nf->targets, &opts->collectors);
        nf->need_templates = true;
    }
    if (!nf->collectors) {
        return xasprintf("no NetFlow collector usable: %s",
                         nf->collectors_error ? nf->collectors_error : "?");
    }
    return nf->collectors_error ? xstrdup(nf->collectors_error) : NULL;
}

/* ------------------------------------------------------------------ */
/* Encoding. */

static void
put_be(uint8_t *p, uint64_t value, int len)
{
    for (int i = len - 1; i >= 0; i--) {
        p[i] = value;
        value >>= 8;
    }
}

/* One record's exported values, in host order. */
struct nf_values {
    const struct nf_key *key;
    uint64_t packets;
    uint64_t bytes;
    uint32_t in_if;
    uint32_t out_if;
    uint32_t first;             /* sysUptime ms. */
    uint32_t last;
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t icmp;              /* type << 8 | code, or 0. */
    uint8_t tcp_flags;
    plx_be32 next_hop;
};

static uint32_t
nf_ifindex(const struct netflow *nf, uint32_t port)
{
    if (port == NETFLOW_OUT_NONE) {
        return 0;
    } else if (port == NETFLOW_OUT_FLOOD) {
        return 0xffff;
    } else if (nf->add_id_to_iface) {
        return (nf->engine_id & 0x7f) << 9 | (port & 0x1ff);
    } else if (port >= OFPP11_MAX) {
        return port - OFPP11_OFFSET;
    }
    return port;
}

static uint32_t
nf_uptime(const struct netflow *nf, long long int when)
{
    return when > nf->boot ? (uint32_t) (when - nf->boot) : 0;
}

static bool
nf_proto_is_icmp(const struct nf_key *key)
{
    return key->nw_proto == (key->is_ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

static void
nf_values_init(const struct netflow *nf, const struct nf_record *rec,
               struct nf_values *v)
{
    const struct nf_key *key = &rec->key;

    memset(v, 0, sizeof *v);
    v->key = key;
    v->packets = rec->packets;
    v->bytes = rec->bytes;
    v->in_if = nf_ifindex(nf, key->in_port);
    v->out_if = nf_ifindex(nf, rec->output);
    v->first = nf_uptime(nf, rec->first);
    v->last = nf_uptime(nf, rec->last);
    v->tcp_flags = rec->tcp_flags;
    v->next_hop = rec->next_hop;
    if (nf_proto_is_icmp(key)) {
        v->icmp = (ntohs(key->tp_src) & 0xff) << 8 | (ntohs(key->tp_dst)
                                                       & 0xff);
        v->dst_port = v->icmp;
    } else {
        v->src_port = ntohs(key->tp_src);
        v->dst_port = ntohs(key->tp_dst);
    }
}

static void
nf_encode_v5(const struct nf_values *v, uint8_t *p)
{
    memset(p, 0, NF_V5_REC_LEN);
    memcpy(p, &v->key->src, 4);
    memcpy(p + 4, &v->key->dst, 4);
    memcpy(p + 8, &v->next_hop, 4);
    put_be(p + 12, v->in_if, 2);
    put_be(p + 14, v->out_if, 2);
    put_be(p + 16, v->packets, 4);
    put_be(p + 20, v->bytes, 4);
    put_be(p + 24, v->first, 4);
    put_be(p + 28, v->last, 4);
    put_be(p + 32, v->src_port, 2);
    put_be(p + 34, v->dst_port, 2);
    /* p[36]: pad1. */
    p[37] = v->tcp_flags;
    p[38] = v->key->nw_proto;
    p[39] = v->key->tos;
    /* src_as, dst_as, src_mask, dst_mask, pad2: zero. */
}

static const struct nf9_field *
nf9_template(bool is_ipv6, size_t *n_fields, size_t *rec_len)
{
    const struct nf9_field *fields = is_ipv6 ? nf9_fields_ipv6
                                             : nf9_fields_ipv4;
    size_t n = is_ipv6 ? ARRAY_SIZE(nf9_fields_ipv6)
                       : ARRAY_SIZE(nf9_fields_ipv4);
    if (rec_len) {
        *rec_len = 0;
        for (size_t i = 0; i < n; i++) {
            *rec_len += fields[i].len;
        }
    }
    *n_fields = n;
    return fields;
}

static void
nf_encode_v9(const struct nf_values *v, uint8_t *p)
{
    size_t n;
    const struct nf9_field *f = nf9_template(v->key->is_ipv6, &n, NULL);

    for (size_t i = 0; i < n; p += f[i].len, i++) {
        switch (f[i].type) {
        case NF9_IN_BYTES: put_be(p, v->bytes, f[i].len); break;
        case NF9_IN_PKTS: put_be(p, v->packets, f[i].len); break;
        case NF9_PROTOCOL: *p = v->key->nw_proto; break;
        case NF9_SRC_TOS: *p = v->key->tos; break;
        case NF9_TCP_FLAGS: *p = v->tcp_flags; break;
        case NF9_L4_SRC_PORT: put_be(p, v->src_port, 2); break;
        case NF9_L4_DST_PORT: put_be(p, v->dst_port, 2); break;
        case NF9_IPV4_SRC_ADDR: memcpy(p, &v->key->src, 4); break;
        case NF9_IPV4_DST_ADDR: memcpy(p, &v->key->dst, 4); break;
        case NF9_IPV6_SRC_ADDR: memcpy(p, &v->key->src, 16); break;
        case NF9_IPV6_DST_ADDR: memcpy(p, &v->key->dst, 16); break;
        case NF9_INPUT_SNMP: put_be(p, v->in_if, f[i].len); break;
        case NF9_OUTPUT_SNMP: put_be(p, v->out_if, f[i].len); break;
        case NF9_IPV4_NEXT_HOP: memcpy(p, &v->next_hop, 4); break;
        case NF9_LAST_SWITCHED: put_be(p, v->last, 4); break;
        case NF9_FIRST_SWITCHED: put_be(p, v->first, 4); break;
        case NF9_ICMP_TYPE:
        case NF9_ICMP_TYPE_IPV6: put_be(p, v->icmp, 2); break;
        default: PLX_NOT_REACHED();
        }
    }
}

/* Closes PKT's open v9 data flowset: pads it to 4 bytes and writes its
 * length. */
static void
nf9_close_set(struct nf_packet *pkt)
{
    if (pkt->set_ofs != UINT16_MAX) {
        pkt->size = ROUND_UP(pkt->size, 4);     /* Body is zeroed. */
        put_be(pkt->body + pkt->set_ofs + 2, pkt->size - pkt->set_ofs, 2);
        pkt->set_ofs = UINT16_MAX;
    }
}

static struct nf_packet *
nf_packet_new(struct netflow *nf)
{
    struct nf_packet *pkt = xzalloc(sizeof *pkt);
    pkt->version = nf->version;
    pkt->set_ofs = UINT16_MAX;
    plx_list_push_back(&nf->queue, &pkt->list_node);
    return pkt;
}

/* Returns the last packet in the queue if it is of the current version,
 * else NULL. */
static struct nf_packet *
nf_packet_last(struct netflow *nf)
{
    if (plx_list_is_empty(&nf->queue)) {
        return NULL;
    }
    struct nf_packet *pkt = CONTAINER_OF(plx_list_back(&nf->queue),
                                         struct nf_packet, list_node);
    return pkt->version == nf->version ? pkt : NULL;
}

/* Returns space for one record of REC_LEN bytes in a queued v9 packet,
 * inside a data flowset for TEMPLATE_ID. */
static uint8_t *
nf9_reserve(struct netflow *nf, uint16_t template_id, size_t rec_len)
{
    struct nf_packet *pkt = nf_packet_last(nf);

    if (pkt && pkt->set_ofs != UINT16_MAX) {
        uint16_t open_id = pkt->body[pkt->set_ofs] << 8
                           | pkt->body[pkt->set_ofs + 1];
        if (open_id == template_id
            && pkt->size + rec_len + 3 <= NF_V9_BODY_MAX) {
            goto append;
        }
        nf9_close_set(pkt);
    }
    if (!pkt || pkt->size + NF_V9_SET_HDR_LEN + rec_len + 3
                > NF_V9_BODY_MAX) {
        pkt = nf_packet_new(nf);
    }
    pkt->set_ofs = pkt->size;
    put_be(pkt->body + pkt->size, template_id, 2);
    pkt->size += NF_V9_SET_HDR_LEN;

append:;
    uint8_t *p = pkt->body + pkt->size;
    pkt->size += rec_len;
    pkt->n_records++;
    return p;
}

static uint8_t *
nf5_reserve(struct netflow *nf)
{
    struct nf_packet *pkt = nf_packet_last(nf);
    if (!pkt || pkt->n_records >= NF_V5_MAX_RECS) {
        pkt = nf_packet_new(nf);
    }
    uint8_t *p = pkt->body + pkt->size;
    pkt->size += NF_V5_REC_LEN;
    pkt->n_records++;
    return p;
}

/* Queues one encoded record, unless the queue is full. */
static void
nf_queue_values(struct netflow *nf, const struct nf_values *v)
{
    if (nf->n_queued >= NETFLOW_MAX_RECORDS) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "NetFlow send queue full, record lost");
        nf->stats.n_lost++;
        return;
    }
    if (nf->version == 5) {
        nf_encode_v5(v, nf5_reserve(nf));
    } else {
        size_t n, rec_len;
        nf9_template(v->key->is_ipv6, &n, &rec_len);
        nf_encode_v9(v, nf9_reserve(nf, (v->key->is_ipv6
                                         ? NF_V9_TEMPLATE_IPV6
                                         : NF_V9_TEMPLATE_IPV4), rec_len));
    }
    nf->n_queued++;
    nf->stats.n_exported++;
}

/* Exports REC's counters (if it has packets) under the current version.
 * v5's 32-bit counters take a large record as several. */
static void
nf_export(struct netflow *nf, const struct nf_record *rec)
{
    struct nf_values v;

    if (!rec->packets) {
        return;
    }
    nf_values_init(nf, rec, &v);
    if (nf->version == 9
        || (rec->packets <= UINT32_MAX && rec->bytes <= UINT32_MAX)) {
        nf_queue_values(nf, &v);
        return;
    }

    uint64_t n = MAX(DIV_ROUND_UP(rec->packets, (uint64_t) UINT32_MAX),
                     DIV_ROUND_UP(rec->bytes, (uint64_t) UINT32_MAX));
    n = MIN(n, NF_V5_MAX_SPLIT);
    for (uint64_t i = 0; i < n; i++) {
        v.packets = MIN(rec->packets / n + (i < rec->packets % n),
                        (uint64_t) UINT32_MAX);
        v.bytes = MIN(rec->bytes / n + (i < rec->bytes % n),
                      (uint64_t) UINT32_MAX);
        nf_queue_values(nf, &v);
    }
}

/* ------------------------------------------------------------------ */
/* Records. */

static bool
nf_key_from_flow(const struct netflow *nf, const struct flow *flow,
                 struct nf_key *key)
{
    memset(key, 0, sizeof *key);
    if (flow->dl_type == htons(ETH_TYPE_IP)) {
        memcpy(&key->src, &flow->nw_src, 4);
        memcpy(&key->dst, &flow->nw_dst, 4);
    } else if (flow->dl_type == htons(ETH_TYPE_IPV6) && nf->version == 9) {
        key->src = flow->ipv6_src;
        key->dst = flow->ipv6_dst;
        key->is_ipv6 = 1;
    } else {
        return false;
    }
    key->in_port = flow->in_port;
    key->tp_src = flow->tp_src;
    key->tp_dst = flow->tp_dst;
    key->nw_proto = flow->nw_proto;
    key->tos = flow->nw_tos & IP_DSCP_MASK;
    return true;
}

static uint32_t
nf_key_hash(const struct nf_key *key)
{
    return hash_bytes(key, sizeof *key, 0);
}

static struct nf_record *
nf_record_find(const struct netflow *nf, const struct nf_key *key,
               uint32_t hash)
{
    struct nf_record *rec;
    HMAP_FOR_EACH_WITH_HASH (rec, hmap_node, hash, &nf->records) {
        if (!memcmp(&rec->key, key, sizeof *key)) {
            return rec;
        }
    }
    return NULL;
}

static void
nf_record_free(struct netflow *nf, struct nf_record *rec)
{
    hmap_remove(&nf->records, &rec->hmap_node);
    plx_list_remove(&rec->lru_node);
    heap_remove(&nf->timers, &rec->heap_node);
    free(rec);
}

/* The earliest time at which REC may need exporting. */
static long long int
nf_record_deadline(const struct netflow *nf, const struct nf_record *rec)
{
    long long int deadline = rec->last + NETFLOW_INACTIVE_MS;
    if (nf->active_ms && rec->packets) {
        deadline = MIN(deadline, rec->first + nf->active_ms);
    }
    return deadline;
}

static void
nf_record_rearm(struct netflow *nf, struct nf_record *rec)
{
    heap_change(&nf->timers, &rec->heap_node, -nf_record_deadline(nf, rec));
}

static void
nf_rearm_timers(struct netflow *nf)
{
    struct nf_record *rec;
    HMAP_FOR_EACH (rec, hmap_node, &nf->records) {
        nf_record_rearm(nf, rec);
    }
}

/* Exports and frees every record. */
static void
nf_flush_records(struct netflow *nf)
{
    struct nf_record *rec;
    HMAP_FOR_EACH_SAFE (rec, hmap_node, &nf->records) {
        nf_export(nf, rec);
        nf_record_free(nf, rec);
    }
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static int
nf_n_vlans(const struct flow *flow)
{
    int n = 0;
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        n += flow->vlans[i].qtag != 0;
    }
    return n;
}

void
netflow_flow_update(struct netflow *nf, const struct flow *flow,
                    uint32_t output, uint64_t packets, uint64_t bytes,
                    uint16_t tcp_flags, long long int used,
                    plx_be32 next_hop)
{
    struct nf_key key;

    if (!packets || !nf_key_from_flow(nf, flow, &key)) {
        return;
    }
    used = MIN(MAX(used, 0), NF_MAX_TIME);

    uint32_t hash = nf_key_hash(&key);
    struct nf_record *rec = nf_record_find(nf, &key, hash);
    if (!rec) {
        if (hmap_count(&nf->records) >= NETFLOW_MAX_RECORDS) {
            struct nf_record *victim = CONTAINER_OF(
                plx_list_front(&nf->lru), struct nf_record, lru_node);
            nf_export(nf, victim);
            nf_record_free(nf, victim);
            nf->stats.n_evicted++;
        }
        rec = xzalloc(sizeof *rec);
        rec->key = key;
        rec->last = used;
        hmap_insert(&nf->records, &rec->hmap_node, hash);
        heap_insert(&nf->timers, &rec->heap_node, -used);
    } else {
        plx_list_remove(&rec->lru_node);
    }
    plx_list_push_back(&nf->lru, &rec->lru_node);

    /* Layer-3 bytes: take off each packet's L2 header. */
    uint64_t l2_len = ETH_HEADER_LEN + VLAN_HEADER_LEN * nf_n_vlans(flow);
    uint64_t l3_bytes = (packets > UINT64_MAX / l2_len
                         || bytes < packets * l2_len
                         ? 0 : bytes - packets * l2_len);

    rec->first = rec->packets ? MIN(rec->first, used) : used;
    rec->last = MAX(rec->last, used);
    rec->packets = sat_add(rec->packets, packets);
    rec->bytes = sat_add(rec->bytes, l3_bytes);
    rec->tcp_flags |= tcp_flags;
    rec->output = output;
    if (next_hop) {
        rec->next_hop = next_hop;
    }
    nf_record_rearm(nf, rec);
}

void
netflow_flow_removed(struct netflow *nf, const struct flow *flow)
{
    struct nf_key key;

    if (nf_key_from_flow(nf, flow, &key)) {
        struct nf_record *rec = nf_record_find(nf, &key, nf_key_hash(&key));
        if (rec) {
            nf_export(nf, rec);
            nf_record_free(nf, rec);
        }
    }
}

void
netflow_mask_wc(const struct flow *flow, struct flow_wildcards *wc)
{
    struct flow *m = &wc->masks;

    m->in_port = UINT32_MAX;
    m->dl_type = htons(UINT16_MAX);
    /* The L2 header length depends on which VLAN headers are present. */
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        m->vlans[i].tpid = htons(UINT16_MAX);
    }
    if (flow->dl_type == htons(ETH_TYPE_IP)) {
        m->nw_src = htonl(UINT32_MAX);
        m->nw_dst = htonl(UINT32_MAX);
    } else if (flow->dl_type == htons(ETH_TYPE_IPV6)) {
        memset(&m->ipv6_src, 0xff, sizeof m->ipv6_src);
        memset(&m->ipv6_dst, 0xff, sizeof m->ipv6_dst);
    } else {
        return;
    }
    m->nw_proto = UINT8_MAX;
    m->nw_tos |= IP_DSCP_MASK;
    if (flow->nw_proto == IPPROTO_TCP || flow->nw_proto == IPPROTO_UDP
        || flow->nw_proto == IPPROTO_SCTP || flow->nw_proto == IPPROTO_ICMP
        || flow->nw_proto == IPPROTO_ICMPV6) {
        m->tp_src = htons(UINT16_MAX);
        m->tp_dst = htons(UINT16_MAX);
    }
}

/* Exports records whose time has come, earliest deadline first. */
static void
nf_expire(struct netflow *nf, long long int now)
{
    while (!heap_is_empty(&nf->timers)
           && -heap_max(&nf->timers)->priority <= now) {
        struct nf_record *rec = CONTAINER_OF(heap_max(&nf->timers),
                                             struct nf_record, heap_node);
        if (now - rec->last >= NETFLOW_INACTIVE_MS) {
            nf_export(nf, rec);
            nf_record_free(nf, rec);
        } else {
            /* Active timeout: a new export period starts.  The record's
             * deadline is now its inactive timeout, which is later than
             * NOW, so the loop ends. */
            nf_export(nf, rec);
            rec->packets = rec->bytes = 0;
            rec->tcp_flags = 0;
            nf_record_rearm(nf, rec);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Sending. */

static size_t
nf9_put_templates(uint8_t *p)
{
    uint8_t *start = p;

    put_be(p, 0, 2);                    /* FlowSet ID 0: templates. */
    put_be(p + 2, NF9_TEMPLATE_SET_LEN, 2);
    p += NF_V9_SET_HDR_LEN;
    for (int ipv6 = 0; ipv6 < 2; ipv6++) {
        size_t n;
        const struct nf9_field *f = nf9_template(ipv6, &n, NULL);
        put_be(p, ipv6 ? NF_V9_TEMPLATE_IPV6 : NF_V9_TEMPLATE_IPV4, 2);
        put_be(p + 2, n, 2);
        p += 4;
        for (size_t i = 0; i < n; i++) {
            put_be(p, f[i].type, 2);
            put_be(p + 2, f[i].len, 2);
            p += 4;
        }
    }
    return p - start;
}

static void
nf_send_packet(struct netflow *nf, struct nf_packet *pkt, long long int now)
{
    uint8_t dgram[NETFLOW_MAX_DATAGRAM];
    long long int wall = time_wall_msec();
    uint32_t uptime = nf_uptime(nf, now);
    bool templates = false;
    size_t len;

    if (pkt->version == 5) {
        put_be(dgram, 5, 2);
        put_be(dgram + 2, pkt->n_records, 2);
        put_be(dgram + 4, uptime, 4);
        put_be(dgram + 8, wall / 1000, 4);
        put_be(dgram + 12, (wall % 1000) * 1000000, 4);
        put_be(dgram + 16, nf->v5_sequence, 4);
        dgram[20] = nf->engine_type;
        dgram[21] = nf->engine_id;
        put_be(dgram + 22, 0, 2);       /* Sampling interval. */
        len = NF_V5_HDR_LEN;
        nf->v5_sequence += pkt->n_records;
    } else {
        templates = (nf->need_templates
                     || nf->last_templates == LLONG_MIN
                     || now - nf->last_templates >= nf->template_ms);
        nf9_close_set(pkt);
        put_be(dgram, 9, 2);
        put_be(dgram + 2, pkt->n_records + (templates ? 2 : 0), 2);
        put_be(dgram + 4, uptime, 4);
        put_be(dgram + 8, wall / 1000, 4);
        put_be(dgram + 12, nf->v9_sequence++, 4);
        put_be(dgram + 16, nf->engine_type << 8 | nf->engine_id, 4);
        len = NF_V9_HDR_LEN;
        if (templates) {
            len += nf9_put_templates(dgram + len);
        }
    }
    memcpy(dgram + len, pkt->body, pkt->size);
    len += pkt->size;
    nf->stats.n_datagrams++;

    size_t n_targets = collectors_count(nf->collectors);
    size_t n_failed = n_targets ? collectors_send(nf->collectors, dgram, len)
                                : 1;
    nf->stats.n_sent += n_targets - MIN(n_failed, n_targets);
    nf->stats.n_dropped += n_failed;
    if (templates) {
        nf->stats.n_templates++;
        nf->last_templates = now;
        nf->need_templates = false;
    }
    if (n_failed) {
        /* A collector may have restarted and lost the templates. */
        nf->need_templates = true;
    }
}

void
netflow_run(struct netflow *nf, long long int now)
{
    nf_expire(nf, now);

    struct nf_packet *pkt;
    LIST_FOR_EACH_POP (pkt, list_node, &nf->queue) {
        nf_send_packet(nf, pkt, now);
        free(pkt);
    }
    nf->n_queued = 0;
}

void
netflow_flush(struct netflow *nf, long long int now)
{
    nf_flush_records(nf);
    netflow_run(nf, now);
}

bool
netflow_is_configured(const struct netflow *nf)
{
    return !sset_is_empty(&nf->targets);
}

void
netflow_wait(const struct netflow *nf, long long int now PLX_UNUSED)
{
    if (!plx_list_is_empty(&nf->queue)) {
        poll_immediate_wake();
    } else if (!heap_is_empty(&nf->timers)) {
        poll_timer_wait_until(-heap_max(&nf->timers)->priority);
    }
}

/* ------------------------------------------------------------------ */
/* Status. */

void
netflow_get_stats(const struct netflow *nf, struct netflow_stats *stats)
{
    *stats = nf->stats;
    stats->n_records = hmap_count(&nf->records);
}

void
netflow_format_status(const struct netflow *nf, struct ds *s)
{
    struct netflow_stats st;

    netflow_get_stats(nf, &st);
    ds_put_format(s, "NetFlow v%d: engine type %u, engine id %u",
                  nf->version, nf->engine_type, nf->engine_id);
    if (nf->add_id_to_iface) {
        ds_put_cstr(s, " (added to interface indexes)");
    }
    ds_put_cstr(s, "\n  timeouts: active ");
    if (nf->active_ms) {
        ds_put_format(s, "%lld s", nf->active_ms / 1000);
    } else {
        ds_put_cstr(s, "none");
    }
    ds_put_format(s, ", inactive %d s", NETFLOW_INACTIVE_MS / 1000);
    if (nf->version == 9) {
        ds_put_format(s, ", template interval %lld s",
                      nf->template_ms / 1000);
    }
    ds_put_format(s, "\n  records: %"PRIu64" in cache (max %d), "
                  "%"PRIu64" exported, %"PRIu64" evicted, %"PRIu64" lost\n",
                  st.n_records, NETFLOW_MAX_RECORDS, st.n_exported,
                  st.n_evicted, st.n_lost);
    ds_put_format(s, "  datagrams: %"PRIu64" built, %"PRIu64" sent, "
                  "%"PRIu64" dropped, %"PRIu64" with templates\n",
                  st.n_datagrams, st.n_sent, st.n_dropped, st.n_templates);
    if (nf->collectors) {
        ds_put_cstr(s, "  collectors:\n");
        collectors_format(nf->collectors, s);
    } else {
        ds_put_cstr(s, "  collectors: none usable\n");
    }
    if (nf->collectors_error) {
        ds_put_format(s, "  collector errors: %s\n", nf->collectors_error);
    }
}
