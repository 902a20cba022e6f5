/* Tests for ofproto/ipfix: every datagram is received on a local UDP
 * socket and decoded field by field by a small IPFIX decoder written
 * here from RFC 7011 (templates learnt from the wire, not from the
 * encoder); the same datagrams are also decoded by tshark and compared
 * with the samples that produced them; over TCP, the byte stream is
 * split into messages and templates must come first on every
 * connection.  Time is driven through 'now'. */
#include <config.h>
#include "ofproto/ipfix.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "packets.h"
#include "pcap-file.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "sset.h"
#include "test.h"
#include "test-tshark.h"
#include "timeval.h"

/* ------------------------------------------------------------------ */
/* A collector: a bound UDP socket. */

struct collector {
    int fd;
    uint16_t port;
    char target[32];
};

static void
collector_open(struct collector *c, uint16_t port)
{
    struct sockaddr_storage ss;
    char name[32];

    snprintf(name, sizeof name, "%u:127.0.0.1", port);
    CHECK_EQ(inet_parse_passive(name, 0, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_DGRAM, &ss, &c->fd, &c->port), 0);
    snprintf(c->target, sizeof c->target, "127.0.0.1:%u", c->port);
}

static void
collector_close(struct collector *c)
{
    close(c->fd);
    c->fd = -1;
}

/* Receives one datagram into BUF (at least 65536 bytes); returns its
 * length, or -1 if none is waiting. */
static int
collector_recv(struct collector *c, uint8_t *buf)
{
    ssize_t n = recv(c->fd, buf, 65536, MSG_DONTWAIT);
    if (n < 0) {
        CHECK_MSG(errno == EAGAIN || errno == EWOULDBLOCK, "recv: %s",
                  strerror(errno));
        return -1;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* An IPFIX decoder (RFC 7011 §3). */

#define MAX_FIELDS 40

struct field {
    uint16_t ie;
    uint16_t len;
    uint8_t value[16];
};

struct dtemplate {
    uint32_t domain;
    uint16_t id;
    size_t n;
    struct field f[MAX_FIELDS];        /* 'value' unused. */
};

struct record {
    uint32_t domain;
    uint16_t template_id;
    uint32_t msg_index;                 /* Which datagram. */
    size_t n;
    struct field f[MAX_FIELDS];
};

struct msginfo {
    uint32_t domain;
    uint32_t seq;
    uint32_t export_time;
    size_t n_templates;
    size_t n_records;
    size_t len;
};

struct decoder {
    struct dtemplate templates[512];
    size_t n_templates;
    struct record *records;
    size_t n_records, allocated;
    struct msginfo msgs[4096];
    size_t n_msgs;
    uint32_t next_seq[16][2];          /* (domain, expected seq). */
    size_t n_seq;
    bool check_seq;
};

static uint64_t
get_be(const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x = (x << 8) | p[i];
    }
    return x;
}

static struct dtemplate *
decoder_find_template(struct decoder *d, uint32_t domain, uint16_t id)
{
    for (size_t i = 0; i < d->n_templates; i++) {
        if (d->templates[i].domain == domain && d->templates[i].id == id) {
            return &d->templates[i];
        }
    }
    return NULL;
}

static void
decode_msg(struct decoder *d, const uint8_t *p, size_t len)
{
    CHECK_GE(len, 16);
    CHECK_LE(len, 1400);
    CHECK_EQ(get_be(p, 2), 10);
    CHECK_EQ(get_be(p + 2, 2), len);
    CHECK_LT(d->n_msgs, ARRAY_SIZE(d->msgs));

    struct msginfo *m = &d->msgs[d->n_msgs++];
    memset(m, 0, sizeof *m);
    m->export_time = get_be(p + 4, 4);
    m->seq = get_be(p + 8, 4);
    m->domain = get_be(p + 12, 4);
    m->len = len;

    if (d->check_seq) {
        size_t i;
        for (i = 0; i < d->n_seq && d->next_seq[i][0] != m->domain; i++) {
            continue;
        }
        if (i == d->n_seq) {
            CHECK_LT(d->n_seq, ARRAY_SIZE(d->next_seq));
            d->next_seq[d->n_seq][0] = m->domain;
            d->next_seq[d->n_seq++][1] = m->seq;
        }
        CHECK_EQ(m->seq, d->next_seq[i][1]);
    }

    size_t ofs = 16;
    while (ofs < len) {
        CHECK_LE(ofs + 4, len);
        uint16_t set_id = get_be(p + ofs, 2);
        uint16_t set_len = get_be(p + ofs + 2, 2);
        CHECK_GE(set_len, 4);
        CHECK_LE(ofs + set_len, len);
        size_t end = ofs + set_len, q = ofs + 4;

        if (set_id == 2) {
            while (q < end) {
                CHECK_LE(q + 4, end);
                uint16_t id = get_be(p + q, 2);
                uint16_t n = get_be(p + q + 2, 2);
                CHECK_GE(id, 256);
                CHECK_LE(n, MAX_FIELDS);
                CHECK_LE(q + 4 + 4 * n, end);
                struct dtemplate *t = decoder_find_template(d, m->domain,
                                                            id);
                if (!t) {
                    CHECK_LT(d->n_templates, ARRAY_SIZE(d->templates));
                    t = &d->templates[d->n_templates++];
                }
                t->domain = m->domain;
                t->id = id;
                t->n = n;
                for (size_t i = 0; i < n; i++) {
                    t->f[i].ie = get_be(p + q + 4 + 4 * i, 2);
                    t->f[i].len = get_be(p + q + 6 + 4 * i, 2);
                    CHECK_MSG(!(t->f[i].ie & 0x8000), "enterprise IE");
                    CHECK_LE(t->f[i].len, 16);
                }
                q += 4 + 4 * n;
                m->n_templates++;
            }
        } else {
            CHECK_GE(set_id, 256);
            struct dtemplate *t = decoder_find_template(d, m->domain, set_id);
            CHECK_MSG(t, "data set %u before its template", set_id);
            size_t rec_len = 0;
            for (size_t i = 0; i < t->n; i++) {
                rec_len += t->f[i].len;
            }
            /* No padding is used, so the set is whole records. */
            CHECK_EQ((end - q) % rec_len, 0);
            while (q < end) {
                if (d->n_records >= d->allocated) {
                    d->allocated = d->allocated * 2 + 16;
                    d->records = xrealloc(d->records, d->allocated
                                          * sizeof *d->records);
                }
                struct record *r = &d->records[d->n_records++];
                memset(r, 0, sizeof *r);
                r->domain = m->domain;
                r->template_id = set_id;
                r->msg_index = d->n_msgs - 1;
                r->n = t->n;
                for (size_t i = 0; i < t->n; i++) {
                    r->f[i] = t->f[i];
                    memcpy(r->f[i].value, p + q, t->f[i].len);
                    q += t->f[i].len;
                }
                m->n_records++;
            }
        }
        ofs = end;
    }
    CHECK_EQ(ofs, len);
    if (d->check_seq) {
        for (size_t i = 0; i < d->n_seq; i++) {
            if (d->next_seq[i][0] == m->domain) {
                d->next_seq[i][1] += m->n_records;
            }
        }
    }
}

/* Decodes every datagram waiting at C; returns how many. */
static size_t
decode_all(struct decoder *d, struct collector *c)
{
    static uint8_t buf[65536];
    size_t n = 0;
    int len;

    while ((len = collector_recv(c, buf)) >= 0) {
        decode_msg(d, buf, len);
        n++;
    }
    return n;
}

static void
decoder_init(struct decoder *d)
{
    memset(d, 0, sizeof *d);
    d->check_seq = true;
}

static void
decoder_destroy(struct decoder *d)
{
    free(d->records);
}

static const struct field *
rec_field(const struct record *r, uint16_t ie)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->f[i].ie == ie) {
            return &r->f[i];
        }
    }
    return NULL;
}

static uint64_t
rec_u(const struct record *r, uint16_t ie)
{
    const struct field *f = rec_field(r, ie);
    CHECK_MSG(f, "record lacks IE %u", ie);
    CHECK_LE(f->len, 8);
    return get_be(f->value, f->len);
}

/* ------------------------------------------------------------------ */
/* Samples. */

enum kind {
    K_L2, K_V4, K_V4_TCP, K_V4_UDP, K_V4_SCTP, K_V4_ICMP, K_V4_FRAG,
    K_V6, K_V6_TCP, K_V6_UDP, K_V6_ICMP, N_KINDS
};

/* A random flow of KIND, VLAN-tagged and tunnelled as asked. */
static void
make_flow(struct flow *f, enum kind kind, bool vlan, bool tunnel)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + test_random() % 100;
    for (int i = 0; i < 6; i++) {
        f->dl_src.ea[i] = test_random();
        f->dl_dst.ea[i] = test_random();
    }
    f->dl_src.ea[0] &= ~1;
    if (vlan) {
        f->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f->vlans[0].tci = htons(VLAN_CFI | (test_random() & 0xefff));
    }
    if (tunnel) {
        f->tunnel.ip_src = htonl(0x0a000001);
        f->tunnel.ip_dst = htonl(0x0a000000 | (test_random() & 0xffff));
        f->tunnel.tun_id = htobe64(test_random() & 0xffffff);
        f->tunnel.tp_dst = htons(test_random() % 2 ? 4789 : 6081);
    }
    bool v6 = kind >= K_V6;
    if (kind == K_L2) {
        f->dl_type = htons(ETH_TYPE_ARP);
        f->nw_proto = 1;
        return;
    }
    f->dl_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    f->nw_ttl = test_random();
    f->nw_tos = test_random();
    if (v6) {
        for (int i = 0; i < 16; i++) {
            f->ipv6_src.s6_addr[i] = test_random();
            f->ipv6_dst.s6_addr[i] = test_random();
        }
        f->ipv6_label = htonl(test_random() & 0xfffff);
    } else {
        f->nw_src = htonl(test_random());
        f->nw_dst = htonl(test_random());
    }
    switch (kind) {
    case K_V4: case K_V6:
        f->nw_proto = v6 ? 59 : 47;
        break;
    case K_V4_FRAG:
        f->nw_proto = IPPROTO_TCP;
        f->nw_frag = FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER;
        break;
    case K_V4_TCP: case K_V6_TCP:
        f->nw_proto = IPPROTO_TCP;
        f->tcp_flags = htons(test_random() & 0xfff);
        goto ports;
    case K_V4_UDP: case K_V6_UDP:
        f->nw_proto = IPPROTO_UDP;
        goto ports;
    case K_V4_SCTP:
        f->nw_proto = IPPROTO_SCTP;
    ports:
        f->tp_src = htons(test_random());
        f->tp_dst = htons(test_random());
        break;
    case K_V4_ICMP: case K_V6_ICMP:
        f->nw_proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        f->tp_src = htons(test_random() & 0xff);
        f->tp_dst = htons(test_random() & 0xff);
        break;
    case K_L2: case N_KINDS:
        break;
    }
}

static uint32_t
expected_l2_len(const struct flow *f)
{
    return 14 + (f->vlans[0].qtag ? 4 : 0);
}

/* Checks that R is the record for FLOW with the given counters, field by
 * field, and that it holds exactly the IEs it should. */
static void
check_record(const struct record *r, const struct flow *f,
             uint32_t point, uint32_t out_port, uint64_t packets,
             uint64_t l2_octets, uint64_t octets, uint8_t reason,
             bool tunnel_sampling)
{
    uint16_t ies[MAX_FIELDS];
    size_t n = 0;
    bool v4 = f->dl_type == htons(ETH_TYPE_IP);
    bool v6 = f->dl_type == htons(ETH_TYPE_IPV6);
    bool later = (f->nw_frag & FLOW_NW_FRAG_LATER) != 0;
    bool l4 = (v4 || v6) && !later
              && (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                  || f->nw_proto == IPPROTO_SCTP);
    bool icmp4 = v4 && !later && f->nw_proto == IPPROTO_ICMP;
    bool icmp6 = v6 && !later && f->nw_proto == IPPROTO_ICMPV6;
    bool tunnel = tunnel_sampling && f->tunnel.ip_dst;

#define EXPECT(IE, VALUE)                                               \
    do {                                                                \
        ies[n++] = IE;                                                  \
        CHECK_U64_EQ(rec_u(r, IE), (uint64_t) (VALUE));                 \
    } while (0)

    EXPECT(138, point);
    EXPECT(10, f->in_port);
    EXPECT(14, out_port);
    CHECK_MEMEQ(rec_field(r, 56)->value, f->dl_src.ea, 6);
    CHECK_MEMEQ(rec_field(r, 80)->value, f->dl_dst.ea, 6);
    ies[n++] = 56;
    ies[n++] = 80;
    EXPECT(256, ntohs(f->dl_type));
    if (f->vlans[0].qtag) {
        EXPECT(58, ntohs(f->vlans[0].tci) & 0xfff);
        EXPECT(243, ntohs(f->vlans[0].tci) & 0xfff);
        EXPECT(244, ntohs(f->vlans[0].tci) >> 13);
    }
    if (v4 || v6) {
        EXPECT(60, v4 ? 4 : 6);
        EXPECT(192, f->nw_ttl);
        EXPECT(4, f->nw_proto);
        EXPECT(5, f->nw_tos);
    }
    if (v4) {
        EXPECT(8, ntohl(f->nw_src));
        EXPECT(12, ntohl(f->nw_dst));
    }
    if (v6) {
        CHECK_MEMEQ(rec_field(r, 27)->value, &f->ipv6_src, 16);
        CHECK_MEMEQ(rec_field(r, 28)->value, &f->ipv6_dst, 16);
        ies[n++] = 27;
        ies[n++] = 28;
        EXPECT(31, ntohl(f->ipv6_label));
    }
    if (l4) {
        EXPECT(7, ntohs(f->tp_src));
        EXPECT(11, ntohs(f->tp_dst));
        EXPECT(6, ntohs(f->tcp_flags));
    }
    if (icmp4) {
        EXPECT(176, ntohs(f->tp_src));
        EXPECT(177, ntohs(f->tp_dst));
    }
    if (icmp6) {
        EXPECT(178, ntohs(f->tp_src));
        EXPECT(179, ntohs(f->tp_dst));
    }
    if (tunnel) {
        uint64_t type = f->tunnel.tp_dst == htons(4789) ? 1 : 0;
        EXPECT(351, (type << 56) | be64toh(f->tunnel.tun_id));
    }
    EXPECT(2, packets);
    EXPECT(352, l2_octets);
    EXPECT(1, octets);
    EXPECT(136, reason);
    ies[n++] = 152;
    ies[n++] = 153;
    CHECK_LE(rec_u(r, 152), rec_u(r, 153));
    CHECK_EQ(r->n, n);
    for (size_t i = 0; i < r->n; i++) {
        bool found = false;
        for (size_t j = 0; j < n; j++) {
            found |= ies[j] == r->f[i].ie;
        }
        CHECK_MSG(found, "unexpected IE %u", r->f[i].ie);
    }
#undef EXPECT
}

/* ------------------------------------------------------------------ */
/* Setup helpers. */

static void
opts_init(struct ipfix_options *o, const char *target)
{
    ipfix_options_init(o);
    if (target) {
        sset_add(&o->targets, target);
    }
    o->sampling_rate = 1;
}

static struct ipfix *
bridge_exporter(const char *target, int timeout, uint32_t max_flows)
{
    struct ipfix *ipfix = ipfix_create();
    struct ipfix_options o;

    opts_init(&o, target);
    o.obs_domain_id = 7;
    o.obs_point_id = 9;
    o.cache_active_timeout = timeout;
    o.cache_max_flows = max_flows;
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    ipfix_options_destroy(&o);
    return ipfix;
}

static void
sample(struct ipfix *ipfix, const struct flow *f, uint32_t len,
       uint32_t rate, long long int now)
{
    struct ipfix_sample s = { f, len, 3, rate };
    ipfix_bridge_sample(ipfix, &s, now);
}

/* ------------------------------------------------------------------ */
/* Tests. */

TEST(every_kind_field_by_field)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct flow flows[N_KINDS * 4];
    size_t n = 0;

    collector_open(&c, 0);
    decoder_init(d);
    struct ipfix *ipfix = bridge_exporter(c.target, 0, 0);
    for (int k = 0; k < N_KINDS; k++) {
        for (int vt = 0; vt < 4; vt++) {
            make_flow(&flows[n], k, vt & 1, vt & 2);
            sample(ipfix, &flows[n], 100 + n, 5, 1000);
            n++;
        }
    }
    ipfix_run(ipfix, 1000);
    CHECK_GT(decode_all(d, &c), 1);

    /* Templates first, all 28, in the bridge's domain. */
    CHECK_GT(d->msgs[0].n_templates, 0);
    CHECK_EQ(d->msgs[0].n_records, 0);
    CHECK_EQ(d->n_templates, 28);
    CHECK_EQ(d->n_records, n);
    for (size_t i = 0; i < d->n_msgs; i++) {
        CHECK_EQ(d->msgs[i].domain, 7);
        CHECK_LE(d->msgs[i].len, 1400);
        /* Export time follows 'now', converted to the wall clock. */
        long long int now_s = (1000 + time_wall_msec() - time_msec()) / 1000;
        CHECK_LE(llabs(now_s - (long long) d->msgs[i].export_time), 1);
    }
    /* Each flow is one record; records come grouped by template. */
    for (size_t i = 0; i < n; i++) {
        const struct record *r = NULL;
        for (size_t j = 0; j < d->n_records && !r; j++) {
            if (rec_u(&d->records[j], 10) == flows[i].in_port
                && !memcmp(rec_field(&d->records[j], 56)->value,
                           flows[i].dl_src.ea, 6)) {
                r = &d->records[j];
            }
        }
        CHECK_MSG(r, "no record for flow %zu", i);
        uint32_t len = 100 + i;
        check_record(r, &flows[i], 9, 3, 5, 5 * len,
                     5 * (len - expected_l2_len(&flows[i])), 2, true);
        CHECK_EQ(r->template_id >= 270, flows[i].tunnel.ip_dst != 0);
    }
    struct ipfix_stats st;
    CHECK(ipfix_get_stats(ipfix, true, 0, &st));
    CHECK_EQ(st.n_samples, n);
    CHECK_EQ(st.n_records, n);
    CHECK_EQ(st.n_templates, 28);
    CHECK_EQ(st.n_messages, d->n_msgs);
    CHECK_EQ(st.n_messages_dropped, 0);
    CHECK_EQ(st.cache_size, 0);
    ipfix_destroy(ipfix);
    CHECK_EQ(decode_all(d, &c), 0);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(active_timeout_aggregates)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct flow f, g;

    collector_open(&c, 0);
    decoder_init(d);
    struct ipfix *ipfix = bridge_exporter(c.target, 10, 0);
    make_flow(&f, K_V4_TCP, false, false);
    make_flow(&g, K_V6_UDP, true, false);
    f.tcp_flags = htons(0x002);
    sample(ipfix, &f, 60, 100, 1000);
    f.tcp_flags = htons(0x010);
    sample(ipfix, &f, 1514, 100, 2000);
    sample(ipfix, &g, 200, 4, 2500);
    f.tcp_flags = htons(0x001);
    sample(ipfix, &f, 100, 100, 3000);
    ipfix_run(ipfix, 1000);
    ipfix_run(ipfix, 10999);
    CHECK_EQ(decode_all(d, &c), 0);

    struct ipfix_stats st;
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.cache_size, 2);

    ipfix_run(ipfix, 11000);            /* f is due, g is not. */
    CHECK_GT(decode_all(d, &c), 0);
    CHECK_EQ(d->n_records, 1);
    uint32_t frames = 60 + 1514 + 100;
    f.tcp_flags = htons(0x013);         /* The OR of the three. */
    check_record(&d->records[0], &f, 9, 3, 300, 100 * frames,
                 100 * (frames - 3 * 14), 2, true);
    CHECK_EQ(rec_u(&d->records[0], 153) - rec_u(&d->records[0], 152), 2000);

    ipfix_run(ipfix, 12499);
    CHECK_EQ(decode_all(d, &c), 0);
    ipfix_run(ipfix, 12500);
    CHECK_EQ(decode_all(d, &c), 1);     /* No templates again. */
    CHECK_EQ(d->n_records, 2);
    check_record(&d->records[1], &g, 9, 3, 4, 800, 4 * (200 - 18), 2, true);
    CHECK_EQ(d->msgs[d->n_msgs - 1].seq, 1);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(cache_limit_evicts_oldest)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct flow f[6];

    collector_open(&c, 0);
    decoder_init(d);
    struct ipfix *ipfix = bridge_exporter(c.target, 60, 3);
    for (int i = 0; i < 6; i++) {
        make_flow(&f[i], K_V4_UDP, false, false);
        f[i].in_port = 10 + i;
        sample(ipfix, &f[i], 100, 1, 1000 + i);
    }
    sample(ipfix, &f[5], 100, 1, 2000);  /* Hits: no eviction. */

    struct ipfix_stats st;
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.cache_size, 3);
    CHECK_EQ(st.n_evictions, 3);

    ipfix_run(ipfix, 2000);
    decode_all(d, &c);
    CHECK_EQ(d->n_records, 3);
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ(rec_u(&d->records[i], 10), 10 + i);
        CHECK_EQ(rec_u(&d->records[i], 136), 5);
    }
    /* Shrinking the cache evicts at once. */
    struct ipfix_options o;
    opts_init(&o, c.target);
    o.obs_domain_id = 7;
    o.obs_point_id = 9;
    o.cache_active_timeout = 60;
    o.cache_max_flows = 1;
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    decode_all(d, &c);
    CHECK_EQ(d->n_records, 5);
    CHECK_EQ(rec_u(&d->records[4], 10), 14);
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.cache_size, 1);

    /* Removing the exporter flushes what is left: forced end. */
    CHECK_NO_ERROR(ipfix_set_options(ipfix, NULL, NULL, NULL, 0));
    CHECK_EQ(ipfix_bridge_sampling_rate(ipfix), 0);
    decode_all(d, &c);
    CHECK_EQ(d->n_records, 6);
    CHECK_EQ(rec_u(&d->records[5], 10), 15);
    CHECK_EQ(rec_u(&d->records[5], 2), 2);
    CHECK_EQ(rec_u(&d->records[5], 136), 4);
    ipfix_options_destroy(&o);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(many_records_split_into_datagrams)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct flow f;
    const int n = 1000;

    collector_open(&c, 0);
    decoder_init(d);
    struct ipfix *ipfix = bridge_exporter(c.target, 30, 0);
    for (int i = 0; i < n; i++) {
        make_flow(&f, test_random() % N_KINDS, test_random() % 2,
                  test_random() % 2);
        sample(ipfix, &f, 64 + i, 1, 1000);
        /* Drain as we go so that the socket buffer never overflows. */
        if (i % 50 == 0) {
            decode_all(d, &c);
        }
    }
    ipfix_run(ipfix, 31000);
    decode_all(d, &c);
    CHECK_EQ(d->n_records, n);
    for (size_t i = 0; i < d->n_msgs; i++) {
        CHECK_LE(d->msgs[i].len, 1400);
    }
    struct ipfix_stats st;
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.n_records, n);
    CHECK_EQ(st.n_messages, d->n_msgs);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(template_refresh)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct ipfix_options o;
    struct flow f;

    collector_open(&c, 0);
    decoder_init(d);
    opts_init(&o, c.target);
    o.template_interval = 5;
    struct ipfix *ipfix = ipfix_create();
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    make_flow(&f, K_V4_ICMP, false, false);

    size_t templates[4];
    long long int times[4] = { 1000, 2000, 5999, 6000 };
    for (int i = 0; i < 4; i++) {
        size_t before = 0, after = 0;
        for (size_t j = 0; j < d->n_msgs; j++) {
            before += d->msgs[j].n_templates;
        }
        sample(ipfix, &f, 98, 1, times[i]);
        ipfix_run(ipfix, times[i]);
        decode_all(d, &c);
        for (size_t j = 0; j < d->n_msgs; j++) {
            after += d->msgs[j].n_templates;
        }
        templates[i] = after - before;
    }
    CHECK_EQ(templates[0], 28);
    CHECK_EQ(templates[1], 0);
    CHECK_EQ(templates[2], 0);
    CHECK_EQ(templates[3], 28);
    CHECK_EQ(d->n_records, 4);
    CHECK_EQ(d->msgs[d->n_msgs - 1].seq, 3);
    ipfix_options_destroy(&o);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(collector_down_then_back)
{
    struct collector c;
    struct decoder *d = xmalloc(sizeof *d);
    struct flow f;
    struct ipfix_stats st;

    /* A port that nobody listens on. */
    collector_open(&c, 0);
    uint16_t port = c.port;
    char target[32];
    snprintf(target, sizeof target, "%s", c.target);
    collector_close(&c);

    struct ipfix *ipfix = bridge_exporter(target, 0, 0);
    make_flow(&f, K_V6_TCP, false, false);
    for (int i = 0; i < 3; i++) {
        sample(ipfix, &f, 100, 1, 1000 + i);
        ipfix_run(ipfix, 1000 + i);
    }
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_GT(st.n_messages_dropped, 0);
    CHECK_EQ(st.n_records, 3);

    /* The collector comes back on the same port: the next export starts
     * with templates, so a fresh decoder understands it. */
    collector_open(&c, port);
    decoder_init(d);
    d->check_seq = false;
    sample(ipfix, &f, 100, 1, 2000);
    ipfix_run(ipfix, 2000);
    decode_all(d, &c);
    CHECK_GT(d->n_msgs, 1);
    CHECK_GT(d->msgs[0].n_templates, 0);
    CHECK_EQ(d->n_records, 1);
    CHECK_EQ(d->msgs[d->n_msgs - 1].seq, 3);
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.n_records, 4);
    CHECK_GE(st.n_templates, 56);

    struct ds s = DS_EMPTY_INITIALIZER;
    ipfix_format_status(ipfix, &s);
    CHECK_MSG(test_regex_match(ds_cstr(&s), "messages dropped: [1-9]"),
              "%s", ds_cstr(&s));
    CHECK_MSG(test_regex_match(ds_cstr(&s), "templates sent: [0-9]{2,}"),
              "%s", ds_cstr(&s));
    ds_destroy(&s);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c);
}

TEST(option_errors_change_nothing)
{
    struct ipfix *ipfix = ipfix_create();
    struct ipfix_options good, bad;
    uint32_t ids[2] = { 5, 6 };
    struct ipfix_options flows[2];

    opts_init(&good, "127.0.0.1:4739");
    good.sampling_rate = 64;
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &good, &good, ids, 1));
    CHECK_EQ(ipfix_bridge_sampling_rate(ipfix), 64);
    CHECK(ipfix_has_flow_exporter(ipfix, 5));
    CHECK(!ipfix_has_flow_exporter(ipfix, 6));

    static const struct {
        const char *target;
        int timeout, interval;
        uint32_t max_flows, rate;
        const char *re;
    } cases[] = {
        { NULL, 0, 0, 0, 1, "no targets" },
        { "foo", 0, 0, 0, 1, "foo.*not an IP" },
        { "1.2.3.4:99999", 0, 0, 0, 1, "not an IP" },
        { "tcp:foo", 0, 0, 0, 1, "tcp:foo.*not an IP" },
        { "1.2.3.4", -1, 0, 0, 1, "cache_active_timeout -1" },
        { "1.2.3.4", 4201, 0, 0, 1, "cache_active_timeout 4201" },
        { "1.2.3.4", 0, -1, 0, 1, "template_interval -1" },
        { "1.2.3.4", 0, 3601, 0, 1, "template_interval 3601" },
        { "1.2.3.4", 0, 0, (1u << 20) + 1, 1, "cache_max_flows" },
        { "1.2.3.4", 0, 0, 0, 0, "sampling_rate" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        opts_init(&bad, cases[i].target);
        bad.cache_active_timeout = cases[i].timeout;
        bad.template_interval = cases[i].interval;
        bad.cache_max_flows = cases[i].max_flows;
        bad.sampling_rate = cases[i].rate;
        char *error = ipfix_set_options(ipfix, &bad, NULL, NULL, 0);
        CHECK_MSG(error && test_regex_match(error, cases[i].re),
                  "case %zu: %s", i, error ? error : "(no error)");
        CHECK_MSG(test_regex_match(error, "bridge"), "%s", error);
        free(error);
        /* The same options on a flow exporter (sampling_rate aside). */
        if (cases[i].rate) {
            error = ipfix_set_options(ipfix, NULL, &bad, &ids[1], 1);
            CHECK_MSG(error && test_regex_match(error, "flow exporter 6"),
                      "case %zu: %s", i, error ? error : "(no error)");
            free(error);
        }
        ipfix_options_destroy(&bad);
        CHECK_EQ(ipfix_bridge_sampling_rate(ipfix), 64);
        CHECK(ipfix_has_flow_exporter(ipfix, 5));
        CHECK(!ipfix_has_flow_exporter(ipfix, 6));
    }

    /* The same id twice. */
    uint32_t dup[2] = { 6, 6 };
    flows[0] = good;
    flows[1] = good;
    char *error = ipfix_set_options(ipfix, NULL, flows, dup, 2);
    CHECK_MSG(error && test_regex_match(error, "twice"), "%s", error);
    free(error);
    CHECK_EQ(ipfix_bridge_sampling_rate(ipfix), 64);

    /* A good change replaces the flow exporters and drops the bridge. */
    CHECK_NO_ERROR(ipfix_set_options(ipfix, NULL, flows, ids, 2));
    CHECK_EQ(ipfix_bridge_sampling_rate(ipfix), 0);
    CHECK(ipfix_has_flow_exporter(ipfix, 5));
    CHECK(ipfix_has_flow_exporter(ipfix, 6));
    bool in, out, tun;
    ipfix_get_bridge_sampling(ipfix, &in, &out, &tun);
    CHECK(!in && !out && !tun);
    ipfix_options_destroy(&good);
    ipfix_destroy(ipfix);
}

TEST(flow_exporters_and_domains)
{
    struct collector c1, c2;
    struct decoder *d1 = xmalloc(sizeof *d1), *d2 = xmalloc(sizeof *d2);
    struct ipfix_options o[2];
    uint32_t ids[2] = { 100, 200 };
    struct flow f, g;

    collector_open(&c1, 0);
    collector_open(&c2, 0);
    decoder_init(d1);
    decoder_init(d2);
    opts_init(&o[0], c1.target);
    opts_init(&o[1], c2.target);
    o[1].cache_active_timeout = 5;
    struct ipfix *ipfix = ipfix_create();
    CHECK_NO_ERROR(ipfix_set_options(ipfix, NULL, o, ids, 2));
    make_flow(&f, K_V4_SCTP, false, false);
    make_flow(&g, K_L2, true, false);

    struct ipfix_sample s = { &f, 300, 0, 10 };
    ipfix_flow_sample(ipfix, &s, 100, 1, 11, 1000);
    ipfix_flow_sample(ipfix, &s, 100, 2, 22, 1000);
    ipfix_flow_sample(ipfix, &s, 100, 2, 22, 1000);
    ipfix_flow_sample(ipfix, &s, 300, 2, 22, 1000);   /* No such set. */
    s.flow = &g;
    ipfix_flow_sample(ipfix, &s, 200, 1, 11, 1000);
    ipfix_run(ipfix, 1000);
    decode_all(d1, &c1);
    decode_all(d2, &c2);

    /* Set 100: two domains, each with its own templates and sequence. */
    CHECK_EQ(d1->n_records, 2);
    CHECK_EQ(d1->n_templates, 56);
    for (size_t i = 0; i < 2; i++) {
        const struct record *r = &d1->records[i];
        uint32_t dom = r->domain;
        CHECK(dom == 1 || dom == 2);
        check_record(r, &f, dom == 1 ? 11 : 22, 0, dom == 1 ? 10 : 20,
                     dom == 1 ? 3000 : 6000,
                     dom == 1 ? 10 * 286 : 20 * 286, 2, true);
    }
    for (size_t i = 0; i < d1->n_msgs; i++) {
        CHECK_EQ(d1->msgs[i].seq, 0);
    }
    /* Set 200 aggregates for 5 s. */
    CHECK_EQ(d2->n_records, 0);
    ipfix_run(ipfix, 6000);
    decode_all(d2, &c2);
    CHECK_EQ(d2->n_records, 1);
    check_record(&d2->records[0], &g, 11, 0, 10, 3000, 10 * (300 - 18), 2,
                 true);

    struct ds s_ = DS_EMPTY_INITIALIZER;
    ipfix_format_status(ipfix, &s_);
    const char *txt = ds_cstr(&s_);
    CHECK_MSG(test_regex_match(txt, "collector set 100.*\n(.*\n)*"
                               ".*collector set 200"), "%s", txt);
    CHECK_MSG(test_regex_match(txt, "sampled packets: 3,"), "%s", txt);
    CHECK_MSG(test_regex_match(txt, "flow samples for no exporter: 1"),
              "%s", txt);
    CHECK_MSG(strstr(txt, c1.target) && strstr(txt, c2.target), "%s", txt);
    ds_destroy(&s_);

    ipfix_options_destroy(&o[0]);
    ipfix_options_destroy(&o[1]);
    ipfix_destroy(ipfix);
    decoder_destroy(d1);
    decoder_destroy(d2);
    free(d1);
    free(d2);
    collector_close(&c1);
    collector_close(&c2);
}

TEST(domain_limit)
{
    struct collector c;
    struct ipfix_options o;
    uint32_t id = 1;
    struct flow f;
    struct ipfix_stats st;

    collector_open(&c, 0);
    opts_init(&o, c.target);
    o.cache_active_timeout = 60;
    struct ipfix *ipfix = ipfix_create();
    CHECK_NO_ERROR(ipfix_set_options(ipfix, NULL, &o, &id, 1));
    make_flow(&f, K_V4, false, false);
    struct ipfix_sample s = { &f, 300, 0, 1 };
    for (uint32_t dom = 0; dom < 300; dom++) {
        ipfix_flow_sample(ipfix, &s, 1, dom, 0, 1000);
    }
    CHECK(ipfix_get_stats(ipfix, false, 1, &st));
    CHECK_EQ(st.n_domains, 256);
    CHECK_EQ(st.n_samples, 256);
    CHECK_EQ(st.n_samples_dropped, 44);
    CHECK_EQ(st.cache_size, 256);
    /* Exported and idle for 10 minutes, the domains are forgotten. */
    ipfix_run(ipfix, 61000);
    ipfix_run(ipfix, 61000 + 600 * 1000);
    ipfix_get_stats(ipfix, false, 1, &st);
    CHECK_EQ(st.n_domains, 0);
    CHECK_EQ(st.n_records, 256);
    CHECK(!ipfix_get_stats(ipfix, false, 2, &st));
    ipfix_options_destroy(&o);
    ipfix_destroy(ipfix);
    collector_close(&c);
}

TEST(targets_change_keeps_records)
{
    struct collector c1, c2;
    struct decoder *d = xmalloc(sizeof *d);
    struct ipfix_options o;
    struct flow f;

    collector_open(&c1, 0);
    collector_open(&c2, 0);
    decoder_init(d);
    opts_init(&o, c1.target);
    o.cache_active_timeout = 10;
    o.enable_tunnel_sampling = false;
    struct ipfix *ipfix = ipfix_create();
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    make_flow(&f, K_V6_ICMP, false, true);
    sample(ipfix, &f, 150, 2, 1000);

    sset_clear(&o.targets);
    sset_add(&o.targets, c2.target);
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    sample(ipfix, &f, 150, 2, 2000);
    ipfix_run(ipfix, 11000);
    CHECK_GE(decode_all(d, &c2), 2);
    CHECK_EQ(d->n_templates, 28);
    CHECK_EQ(d->n_records, 1);
    check_record(&d->records[0], &f, 0, 3, 4, 600, 4 * 136, 2, false);
    CHECK_LT(d->records[0].template_id, 270);
    struct decoder *d1 = xmalloc(sizeof *d1);
    decoder_init(d1);
    CHECK_EQ(decode_all(d1, &c1), 0);
    decoder_destroy(d1);
    free(d1);
    ipfix_options_destroy(&o);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    collector_close(&c1);
    collector_close(&c2);
}

TEST(wait_wakes_at_active_timeout)
{
    struct collector c;
    struct flow f;

    collector_open(&c, 0);
    struct ipfix *ipfix = bridge_exporter(c.target, 1, 0);
    make_flow(&f, K_V4_UDP, false, false);
    long long int start = time_msec();
    sample(ipfix, &f, 100, 1, start);
    ipfix_wait(ipfix, start);
    poll_timer_wait(5000);
    poll_block();
    long long int elapsed = time_msec() - start;
    CHECK_GE(elapsed, 900);
    CHECK_LT(elapsed, 3000);
    ipfix_run(ipfix, time_msec());
    struct ipfix_stats st;
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.n_records, 1);
    ipfix_destroy(ipfix);
    collector_close(&c);
}

/* ------------------------------------------------------------------ */
/* tshark as an independent decoder. */

static const char *tshark_fields[] = {
    "cflow.od_id", "cflow.observation_point_id", "cflow.inputint",
    "cflow.outputint", "cflow.srcmac", "cflow.dstmac", "cflow.ethernet_type",
    "cflow.vlanid", "cflow.dot1q_priority", "cflow.ip_version",
    "cflow.ip_ttl", "cflow.protocol", "cflow.tos", "cflow.srcaddr",
    "cflow.dstaddr", "cflow.srcaddrv6", "cflow.dstaddrv6",
    "cflow.srcport", "cflow.dstport", "cflow.icmp_ipv4_type",
    "cflow.icmp_ipv4_code", "cflow.icmp_ipv6_type", "cflow.icmp_ipv6_code",
    "cflow.layer2_segment_id", "cflow.packets", "cflow.octets",
    "cflow.layer2_octet_delta_count", "cflow.flow_end_reason",
    "cflow.sequence", "cflow.ipv6flowlabel", "cflow.tcpflags.fin",
    "cflow.tcpflags.syn", "cflow.tcpflags.ack", "cflow.tcpflags.ns",
};

static void
expect_field(struct ds *s, const char *fmt, ...) PLX_PRINTF_FORMAT(2, 3);

static void
expect_field(struct ds *s, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    if (fmt) {
        ds_put_format_valist(s, fmt, args);
    }
    va_end(args);
    ds_put_char(s, '|');
}

/* The line tshark should print for F's record. */
static void
expected_line(struct ds *s, const struct flow *f, uint32_t len,
              uint32_t rate, uint32_t seq)
{
    bool v4 = f->dl_type == htons(ETH_TYPE_IP);
    bool v6 = f->dl_type == htons(ETH_TYPE_IPV6);
    bool later = (f->nw_frag & FLOW_NW_FRAG_LATER) != 0;
    bool l4 = (v4 || v6) && !later
              && (f->nw_proto == IPPROTO_TCP || f->nw_proto == IPPROTO_UDP
                  || f->nw_proto == IPPROTO_SCTP);
    bool icmp4 = v4 && !later && f->nw_proto == IPPROTO_ICMP;
    bool icmp6 = v6 && !later && f->nw_proto == IPPROTO_ICMPV6;
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
#define NONE ds_put_char(s, '|')

    expect_field(s, "7");
    expect_field(s, "9");
    expect_field(s, "%"PRIu32, f->in_port);
    expect_field(s, "3");
    expect_field(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(f->dl_src));
    expect_field(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(f->dl_dst));
    expect_field(s, "%u", ntohs(f->dl_type));
    if (f->vlans[0].qtag) {
        expect_field(s, "%u", ntohs(f->vlans[0].tci) & 0xfff);
        expect_field(s, "%u", ntohs(f->vlans[0].tci) >> 13);
    } else {
        NONE; NONE;
    }
    if (v4 || v6) {
        expect_field(s, "%d", v4 ? 4 : 6);
        expect_field(s, "%u", f->nw_ttl);
        expect_field(s, "%u", f->nw_proto);
        expect_field(s, "0x%02x", f->nw_tos);
    } else {
        NONE; NONE; NONE; NONE;
    }
    if (v4) {
        expect_field(s, "%s", inet_ntop(AF_INET, &f->nw_src, a, sizeof a));
        expect_field(s, "%s", inet_ntop(AF_INET, &f->nw_dst, b, sizeof b));
    } else {
        NONE; NONE;
    }
    if (v6) {
        expect_field(s, "%s", inet_ntop(AF_INET6, &f->ipv6_src, a,
                                         sizeof a));
        expect_field(s, "%s", inet_ntop(AF_INET6, &f->ipv6_dst, b,
                                         sizeof b));
    } else {
        NONE; NONE;
    }
    if (l4) {
        expect_field(s, "%u", ntohs(f->tp_src));
        expect_field(s, "%u", ntohs(f->tp_dst));
    } else {
        NONE; NONE;
    }
    if (icmp4) {
        expect_field(s, "%u", ntohs(f->tp_src));
        expect_field(s, "%u", ntohs(f->tp_dst));
    } else {
        NONE; NONE;
    }
    if (icmp6) {
        expect_field(s, "%u", ntohs(f->tp_src));
        expect_field(s, "%u", ntohs(f->tp_dst));
    } else {
        NONE; NONE;
    }
    if (f->tunnel.ip_dst) {
        uint64_t type = f->tunnel.tp_dst == htons(4789) ? 1 : 0;
        expect_field(s, "%"PRIu64, (type << 56) | be64toh(f->tunnel.tun_id));
    } else {
        NONE;
    }
    expect_field(s, "%"PRIu32, rate);
    expect_field(s, "%"PRIu64, (uint64_t) rate * (len - expected_l2_len(f)));
    expect_field(s, "%"PRIu64, (uint64_t) rate * len);
    expect_field(s, "2");
    expect_field(s, "%"PRIu32, seq);
    if (v6) {
        expect_field(s, "%u", ntohl(f->ipv6_label));
    } else {
        NONE;
    }
    if (l4) {
        uint16_t flags = ntohs(f->tcp_flags);
        expect_field(s, "%d", (flags & 0x001) != 0);
        expect_field(s, "%d", (flags & 0x002) != 0);
        expect_field(s, "%d", (flags & 0x010) != 0);
        expect_field(s, "%d", (flags & 0x100) != 0);
    } else {
        NONE; NONE; NONE; NONE;
    }
#undef NONE
}

TEST(tshark_decodes_every_record)
{
    enum { N = 300 };
    struct collector c;
    static uint8_t buf[65536];
    struct pcap_file *pcap;
    struct ds expected = DS_EMPTY_INITIALIZER;

    if (system("tshark -v >/dev/null 2>&1")) {
        test_skip("tshark is not installed");
    }
    char *pcap_name = xasprintf("%s/ipfix.pcap", test_tmpdir());
    CHECK_NO_ERROR(pcap_file_open_write(pcap_name, &pcap));
    collector_open(&c, 0);
    struct ipfix *ipfix = bridge_exporter(c.target, 0, 0);
    long long int usec = 1700000000LL * 1000000;

    /* One record per datagram, so that tshark's lines map to samples. */
    for (int i = 0; i < N; i++) {
        struct flow f;
        make_flow(&f, test_random() % N_KINDS, test_random() % 2,
                  test_random() % 2);
        uint32_t len = 64 + test_random() % 1400;
        uint32_t rate = 1 + test_random() % 1000;
        sample(ipfix, &f, len, rate, 1000 + i);
        ipfix_run(ipfix, 1000 + i);
        expected_line(&expected, &f, len, rate, i);
        ds_put_char(&expected, '\n');
        int n;
        while ((n = collector_recv(&c, buf)) >= 0) {
            test_pcap_write_udp(pcap, IPFIX_DEFAULT_PORT, buf, n,
                                usec += 1000);
        }
    }
    pcap_file_close(pcap);

    struct ds args = DS_EMPTY_INITIALIZER;
    ds_put_format(&args, "-d udp.port==%d,cflow -Y cflow.packets -T fields "
                  "-E separator='|' -E occurrence=a", IPFIX_DEFAULT_PORT);
    for (size_t i = 0; i < ARRAY_SIZE(tshark_fields); i++) {
        ds_put_format(&args, " -e %s", tshark_fields[i]);
    }
    char *out = test_tshark(pcap_name, ds_cstr(&args));
    ds_destroy(&args);

    /* tshark prints one '|' between fields; we wrote one after each. */
    struct ds got = DS_EMPTY_INITIALIZER;
    for (const char *p = out; *p; p++) {
        if (*p == '\n') {
            ds_put_cstr(&got, "|\n");
        } else {
            ds_put_char(&got, *p);
        }
    }
    const char *e = ds_cstr(&expected), *g = ds_cstr(&got);
    for (int line = 1; *e || *g; line++) {
        size_t el = strcspn(e, "\n"), gl = strcspn(g, "\n");
        CHECK_MSG(el == gl && !memcmp(e, g, el),
                  "line %d:\n  expected %.*s\n  tshark   %.*s", line,
                  (int) el, e, (int) gl, g);
        e += el + (e[el] != 0);
        g += gl + (g[gl] != 0);
    }
    ds_destroy(&got);
    free(out);
    ds_destroy(&expected);
    free(pcap_name);
    ipfix_destroy(ipfix);
    collector_close(&c);
}

/* ------------------------------------------------------------------ */
/* TCP transport: a listener on 127.0.0.1 accepts the exporter's
 * connection, splits the byte stream into messages by the header's
 * length field and decodes them; each connection gets a fresh decoder,
 * which fails on a data set before its template. */

struct tcp_collector {
    int lfd, fd;
    char target[40];
    uint8_t buf[65536];
    size_t have;
};

static void
tcp_collector_listen(struct tcp_collector *tc, uint16_t port)
{
    struct sockaddr_storage ss;
    char name[32];

    snprintf(name, sizeof name, "%u:127.0.0.1", port);
    CHECK_EQ(inet_parse_passive(name, 0, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_STREAM, &ss, &tc->lfd, &port), 0);
    snprintf(tc->target, sizeof tc->target, "tcp:127.0.0.1:%u", port);
    tc->fd = -1;
}

static bool
readable(int fd)
{
    return poll(&(struct pollfd) { .fd = fd, .events = POLLIN }, 1, 10) > 0;
}

/* Runs IPFIX at NOW until its status matches RE (at most 3 s). */
static void
run_until_status(struct ipfix *ipfix, long long int now, const char *re)
{
    for (int i = 0; i < 300; i++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ipfix_run(ipfix, now);
        ipfix_format_status(ipfix, &s);
        bool match = test_regex_match(ds_cstr(&s), re);
        CHECK_MSG(match || i < 299, "no \"%s\" in:\n%s", re, ds_cstr(&s));
        ds_destroy(&s);
        if (match) {
            return;
        }
        usleep(10000);
    }
}

/* Accepts the exporter's connection (running IPFIX at NOW meanwhile). */
static void
tcp_collector_accept(struct tcp_collector *tc, struct ipfix *ipfix,
                     long long int now)
{
    for (int i = 0; i < 300 && tc->fd < 0; i++) {
        ipfix_run(ipfix, now);
        if (readable(tc->lfd)) {
            tc->fd = accept(tc->lfd, NULL, NULL);
            CHECK_MSG(tc->fd >= 0, "accept: %s", strerror(errno));
        }
    }
    CHECK_MSG(tc->fd >= 0, "the exporter did not connect");
    tc->have = 0;
    run_until_status(ipfix, now, "tcp:127.0.0.1:[0-9]+: connected");
}

/* Reads and decodes whole messages until D holds N_RECORDS records. */
static void
tcp_collector_read(struct tcp_collector *tc, struct decoder *d,
                   struct ipfix *ipfix, long long int now, size_t n_records)
{
    for (int i = 0; i < 300 && d->n_records < n_records; i++) {
        ipfix_run(ipfix, now);
        if (!readable(tc->fd)) {
            continue;
        }
        ssize_t n = recv(tc->fd, tc->buf + tc->have,
                         sizeof tc->buf - tc->have, MSG_DONTWAIT);
        CHECK_MSG(n > 0, "recv: %zd", n);
        tc->have += n;
        while (tc->have >= 4) {
            size_t len = get_be(tc->buf + 2, 2);
            CHECK_GE(len, 16);
            if (tc->have < len) {
                break;
            }
            decode_msg(d, tc->buf, len);
            memmove(tc->buf, tc->buf + len, tc->have - len);
            tc->have -= len;
        }
    }
    CHECK_EQ(d->n_records, n_records);
    CHECK_EQ(tc->have, 0);
}

/* Checks that D's messages give all 28 templates before any data. */
static void
check_templates_first(const struct decoder *d)
{
    size_t n_templates = 0;
    for (size_t i = 0; i < d->n_msgs && !d->msgs[i].n_records; i++) {
        n_templates += d->msgs[i].n_templates;
    }
    CHECK_EQ(n_templates, IPFIX_N_TEMPLATES);
}

TEST(tcp_templates_first_on_every_connection)
{
    struct tcp_collector *tc = xzalloc(sizeof *tc);
    struct decoder *d = xmalloc(sizeof *d);
    struct ipfix_stats st;
    struct flow f;

    tcp_collector_listen(tc, 0);
    struct ipfix *ipfix = bridge_exporter(tc->target, 0, 0);
    make_flow(&f, K_V4_UDP, false, false);

    /* First connection: templates, then the record. */
    tcp_collector_accept(tc, ipfix, 1000);
    decoder_init(d);
    sample(ipfix, &f, 100, 1, 1000);
    tcp_collector_read(tc, d, ipfix, 1000, 1);
    check_templates_first(d);
    check_record(&d->records[0], &f, 9, 3, 1, 100, 100 - 14, 2, true);

    /* No periodic refresh over TCP, even long after. */
    size_t n_msgs = d->n_msgs;
    sample(ipfix, &f, 200, 1, 62000);
    tcp_collector_read(tc, d, ipfix, 62000, 2);
    CHECK_EQ(d->n_msgs, n_msgs + 1);
    CHECK_EQ(d->msgs[n_msgs].n_templates, 0);
    decoder_destroy(d);

    /* The collector drops the connection: the exporter notices, drops
     * (and counts) what it exports meanwhile, and reconnects after its
     * 1 s backoff. */
    close(tc->fd);
    tc->fd = -1;
    run_until_status(ipfix, 62000, "tcp:127.0.0.1:[0-9]+: backoff");
    ipfix_get_stats(ipfix, true, 0, &st);
    uint64_t dropped = st.n_messages_dropped;
    sample(ipfix, &f, 300, 1, 62000);
    ipfix_run(ipfix, 62000);
    ipfix_get_stats(ipfix, true, 0, &st);
    CHECK_EQ(st.n_messages_dropped, dropped + 1);
    CHECK_EQ(st.n_records, 3);
    ipfix_run(ipfix, 62999);
    CHECK(!readable(tc->lfd));

    /* Second connection: templates first again, then records that the
     * fresh decoder understands, with the sequence number counting the
     * record lost meanwhile. */
    tcp_collector_accept(tc, ipfix, 63000);
    decoder_init(d);
    sample(ipfix, &f, 400, 1, 63000);
    tcp_collector_read(tc, d, ipfix, 63000, 1);
    check_templates_first(d);
    check_record(&d->records[0], &f, 9, 3, 1, 400, 400 - 14, 2, true);
    CHECK_EQ(d->msgs[d->n_msgs - 1].seq, 3);

    struct ds s = DS_EMPTY_INITIALIZER;
    ipfix_format_status(ipfix, &s);
    CHECK_MSG(test_regex_match(ds_cstr(&s), "connected, sent [0-9]+, "
                               "dropped [1-9][0-9]*, queued 0 bytes, "
                               "connections 2"), "%s", ds_cstr(&s));
    ds_destroy(&s);
    ipfix_destroy(ipfix);
    decoder_destroy(d);
    free(d);
    close(tc->fd);
    close(tc->lfd);
    free(tc);
}

TEST(tcp_and_udp_targets)
{
    struct ipfix *ipfix = ipfix_create();
    struct ipfix_options o;

    /* A mixed set: both kinds are shown; the TCP one waits to connect
     * at the first run. */
    opts_init(&o, "tcp:192.0.2.1");
    sset_add(&o.targets, "127.0.0.1:9");
    CHECK_NO_ERROR(ipfix_set_options(ipfix, &o, NULL, NULL, 0));
    struct ds s = DS_EMPTY_INITIALIZER;
    ipfix_format_status(ipfix, &s);
    CHECK_MSG(strstr(ds_cstr(&s), "tcp:192.0.2.1:4739: not started")
              && strstr(ds_cstr(&s), "127.0.0.1:9: sent"), "%s",
              ds_cstr(&s));
    ds_destroy(&s);
    ipfix_options_destroy(&o);
    ipfix_destroy(ipfix);
}
