/* Tests for ofproto/netflow: v5 and v9 datagrams decoded field by field
 * here and, independently, by tshark; the active, inactive and removal
 * timers driven by 'now'; the cache cap and send queue bound; a
 * collector that is down; option errors and runtime changes. */
#include <config.h>
#include "ofproto/netflow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
/* A collector: a bound UDP socket on 127.0.0.1. */

struct rx {
    int fd;
    uint16_t port;
};

static void
rx_open(struct rx *rx)
{
    struct sockaddr_storage ss;
    CHECK_EQ(inet_parse_passive("0:127.0.0.1", 0, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_DGRAM, &ss, &rx->fd, &rx->port), 0);
    int size = 4 << 20;
    setsockopt(rx->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

/* Receives one datagram into BUF, returns its length or -1 if none. */
static int
rx_recv(struct rx *rx, uint8_t *buf, size_t size)
{
    ssize_t n = recv(rx->fd, buf, size, MSG_DONTWAIT);
    return n < 0 ? -1 : (int) n;
}

/* ------------------------------------------------------------------ */
/* An independent decoder. */

static uint64_t
get_be(const uint8_t *p, int len)
{
    uint64_t v = 0;
    for (int i = 0; i < len; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

struct dec_rec {
    bool ipv6;
    uint32_t src4, dst4, nexthop;       /* Host order. */
    struct in6_addr src6, dst6;
    uint32_t in_if, out_if;
    uint64_t packets, bytes;
    uint32_t first, last;
    uint16_t src_port, dst_port, icmp;
    uint8_t tcp_flags, proto, tos;
};

#define DEC_MAX_RECS 64
struct dec_dgram {
    int version;
    uint16_t count;
    uint32_t uptime, secs, nsecs, sequence, source_id;
    uint8_t engine_type, engine_id;
    uint16_t sampling;
    int n_templates;                    /* Template records. */
    size_t n_recs;
    struct dec_rec recs[DEC_MAX_RECS];
};

/* v9 templates learned so far. */
struct dec_template {
    uint16_t id;
    int n;
    uint16_t type[32], len[32];
};
struct dec_state {
    struct dec_template t[4];
    int n;
};

static void
decode_v5(const uint8_t *p, size_t len, struct dec_dgram *d)
{
    CHECK_GE(len, 24);
    d->count = get_be(p + 2, 2);
    d->uptime = get_be(p + 4, 4);
    d->secs = get_be(p + 8, 4);
    d->nsecs = get_be(p + 12, 4);
    d->sequence = get_be(p + 16, 4);
    d->engine_type = p[20];
    d->engine_id = p[21];
    d->sampling = get_be(p + 22, 2);
    CHECK_EQ(len, 24 + 48 * d->count);
    CHECK_LE(d->count, 30);
    CHECK_LE(len, 1400);
    for (size_t i = 0; i < d->count; i++) {
        const uint8_t *r = p + 24 + 48 * i;
        struct dec_rec *x = &d->recs[d->n_recs++];
        x->src4 = get_be(r, 4);
        x->dst4 = get_be(r + 4, 4);
        x->nexthop = get_be(r + 8, 4);
        x->in_if = get_be(r + 12, 2);
        x->out_if = get_be(r + 14, 2);
        x->packets = get_be(r + 16, 4);
        x->bytes = get_be(r + 20, 4);
        x->first = get_be(r + 24, 4);
        x->last = get_be(r + 28, 4);
        x->src_port = get_be(r + 32, 2);
        x->dst_port = get_be(r + 34, 2);
        CHECK_EQ(r[36], 0);
        x->tcp_flags = r[37];
        x->proto = r[38];
        x->tos = r[39];
        for (int j = 40; j < 48; j++) {
            CHECK_EQ(r[j], 0);          /* AS numbers, masks, padding. */
        }
    }
}

static void
decode_v9_record(const struct dec_template *t, const uint8_t *p,
                 struct dec_rec *x)
{
    for (int i = 0; i < t->n; p += t->len[i], i++) {
        uint64_t v = t->len[i] <= 8 ? get_be(p, t->len[i]) : 0;
        switch (t->type[i]) {
        case 1: x->bytes = v; break;
        case 2: x->packets = v; break;
        case 4: x->proto = v; break;
        case 5: x->tos = v; break;
        case 6: x->tcp_flags = v; break;
        case 7: x->src_port = v; break;
        case 8: x->src4 = v; break;
        case 10: x->in_if = v; break;
        case 11: x->dst_port = v; break;
        case 12: x->dst4 = v; break;
        case 14: x->out_if = v; break;
        case 15: x->nexthop = v; break;
        case 21: x->last = v; break;
        case 22: x->first = v; break;
        case 27: memcpy(&x->src6, p, 16); x->ipv6 = true; break;
        case 28: memcpy(&x->dst6, p, 16); break;
        case 32: case 139: x->icmp = v; break;
        default: CHECK_MSG(false, "unexpected field type %u", t->type[i]);
        }
    }
}

static void
decode_v9(struct dec_state *st, const uint8_t *p, size_t len,
          struct dec_dgram *d)
{
    CHECK_GE(len, 20);
    CHECK_LE(len, 1400);
    d->count = get_be(p + 2, 2);
    d->uptime = get_be(p + 4, 4);
    d->secs = get_be(p + 8, 4);
    d->sequence = get_be(p + 12, 4);
    d->source_id = get_be(p + 16, 4);

    size_t ofs = 20, n = 0;
    while (ofs < len) {
        CHECK_LE(ofs + 4, len);
        uint16_t id = get_be(p + ofs, 2), set_len = get_be(p + ofs + 2, 2);
        CHECK_GE(set_len, 4);
        CHECK_EQ(set_len % 4, 0);
        CHECK_LE(ofs + set_len, len);
        const uint8_t *s = p + ofs + 4, *end = p + ofs + set_len;
        if (id == 0) {
            while (s < end) {
                struct dec_template *t = NULL;
                uint16_t tid = get_be(s, 2);
                for (int i = 0; i < st->n; i++) {
                    if (st->t[i].id == tid) {
                        t = &st->t[i];
                    }
                }
                if (!t) {
                    CHECK_LT(st->n, 4);
                    t = &st->t[st->n++];
                }
                t->id = tid;
                t->n = get_be(s + 2, 2);
                CHECK_LE(t->n, 32);
                s += 4;
                for (int i = 0; i < t->n; i++, s += 4) {
                    t->type[i] = get_be(s, 2);
                    t->len[i] = get_be(s + 2, 2);
                }
                d->n_templates++;
                n++;
            }
            CHECK(s == end);
        } else {
            const struct dec_template *t = NULL;
            for (int i = 0; i < st->n; i++) {
                if (st->t[i].id == id) {
                    t = &st->t[i];
                }
            }
            CHECK_MSG(t, "data set %u without a template", id);
            size_t rec_len = 0;
            for (int i = 0; i < t->n; i++) {
                rec_len += t->len[i];
            }
            while (end - s >= (ptrdiff_t) rec_len) {
                CHECK_LT(d->n_recs, DEC_MAX_RECS);
                decode_v9_record(t, s, &d->recs[d->n_recs++]);
                s += rec_len;
                n++;
            }
            CHECK_LT(end - s, 4);       /* Padding only. */
            for (; s < end; s++) {
                CHECK_EQ(*s, 0);
            }
        }
        ofs += set_len;
    }
    CHECK_EQ(ofs, len);
    CHECK_EQ(n, d->count);
}

static void
decode(struct dec_state *st, const uint8_t *p, size_t len,
       struct dec_dgram *d)
{
    memset(d, 0, sizeof *d);
    CHECK_GE(len, 2);
    d->version = get_be(p, 2);
    if (d->version == 5) {
        decode_v5(p, len, d);
    } else {
        CHECK_EQ(d->version, 9);
        decode_v9(st, p, len, d);
    }
}

/* Receives and decodes every datagram waiting on RX (at most MAX). */
static size_t
rx_decode_all(struct rx *rx, struct dec_state *st, struct dec_dgram *d,
              size_t max)
{
    uint8_t buf[2048];
    size_t n = 0;
    int len;

    while ((len = rx_recv(rx, buf, sizeof buf)) >= 0) {
        CHECK_LT(n, max);
        decode(st, buf, len, &d[n++]);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Setting up. */

static struct flow
flow4(uint32_t in_port, uint32_t src, uint32_t dst, uint8_t proto,
      uint16_t sp, uint16_t dp, uint8_t tos)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    f.dl_type = htons(ETH_TYPE_IP);
    f.nw_src = htonl(src);
    f.nw_dst = htonl(dst);
    f.nw_proto = proto;
    f.nw_tos = tos;
    f.nw_ttl = 64;
    f.tp_src = htons(sp);
    f.tp_dst = htons(dp);
    return f;
}

static struct flow
flow6(uint32_t in_port, uint8_t a, uint8_t b, uint8_t proto, uint16_t sp,
      uint16_t dp)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    f.dl_type = htons(ETH_TYPE_IPV6);
    CHECK(ipv6_parse("2001:db8::1", &f.ipv6_src));
    CHECK(ipv6_parse("2001:db8:ffff::2", &f.ipv6_dst));
    f.ipv6_src.s6_addr[15] = a;
    f.ipv6_dst.s6_addr[15] = b;
    f.nw_proto = proto;
    f.tp_src = htons(sp);
    f.tp_dst = htons(dp);
    return f;
}

static void
options(struct netflow_options *o, int version, const struct rx *rx)
{
    netflow_options_init(o);
    o->version = version;
    if (rx) {
        sset_add_and_free(&o->collectors,
                          xasprintf("127.0.0.1:%u", rx->port));
    }
}

/* A netflow of VERSION sending to RX; '*BASEP' is a time no earlier than
 * its creation, so that sysUptime differences can be checked exactly. */
static struct netflow *
make_nf(int version, const struct rx *rx, long long int *basep)
{
    struct netflow_options o;
    struct netflow *nf = netflow_create();
    *basep = time_msec();
    options(&o, version, rx);
    CHECK_NO_ERROR(netflow_set_options(nf, &o));
    netflow_options_destroy(&o);
    return nf;
}

static void
update(struct netflow *nf, const struct flow *f, uint64_t packets,
       uint64_t bytes, long long int used)
{
    netflow_flow_update(nf, f, 2, packets, bytes, 0, used, 0);
}

/* ------------------------------------------------------------------ */
/* v5. */

TEST(v5_encoding)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 5, &rx);
    o.engine_type = 3;
    o.engine_id = 7;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    /* One VLAN tag: 18 bytes of L2 header per packet. */
    struct flow f = flow4(5, 0x0a000001, 0x0a000002, IPPROTO_TCP, 1234, 80,
                          0xb9);
    f.vlans[0].tpid = htons(0x8100);
    f.vlans[0].tci = htons(VLAN_CFI | 10);
    netflow_flow_update(nf, &f, 7, 10, 10 * 118, 0x12, base + 100,
                        htonl(0xc0a80001));
    netflow_flow_update(nf, &f, 7, 5, 5 * 118, 0x01, base + 500, 0);
    netflow_run(nf, base + 550);
    uint8_t buf[2048];
    CHECK_EQ(rx_recv(&rx, buf, sizeof buf), -1);        /* Not yet. */

    netflow_flow_removed(nf, &f);
    netflow_run(nf, base + 600);
    struct dec_dgram d;
    struct dec_state st = { .n = 0 };
    int len = rx_recv(&rx, buf, sizeof buf);
    CHECK_EQ(len, 24 + 48);
    decode(&st, buf, len, &d);
    CHECK_EQ(d.version, 5);
    CHECK_EQ(d.count, 1);
    CHECK_EQ(d.sequence, 0);
    CHECK_EQ(d.engine_type, 3);
    CHECK_EQ(d.engine_id, 7);
    CHECK_EQ(d.sampling, 0);
    CHECK_LE(d.uptime, 600);
    CHECK_GE(d.uptime, 500);
    CHECK_LT(d.nsecs, 1000000000u);
    long long int wall = time(NULL);
    CHECK_LE(d.secs, wall);
    CHECK_GE(d.secs, wall - 5);

    const struct dec_rec *r = &d.recs[0];
    CHECK_EQ(r->src4, 0x0a000001);
    CHECK_EQ(r->dst4, 0x0a000002);
    CHECK_EQ(r->nexthop, 0xc0a80001);
    CHECK_EQ(r->in_if, 5);
    CHECK_EQ(r->out_if, 7);
    CHECK_EQ(r->packets, 15);
    CHECK_EQ(r->bytes, 15 * 100);
    CHECK_EQ(d.uptime - r->first, 500);
    CHECK_EQ(d.uptime - r->last, 100);
    CHECK_EQ(r->src_port, 1234);
    CHECK_EQ(r->dst_port, 80);
    CHECK_EQ(r->tcp_flags, 0x13);
    CHECK_EQ(r->proto, IPPROTO_TCP);
    CHECK_EQ(r->tos, 0xb8);             /* DSCP only. */

    /* The record is gone: a second removal exports nothing; a new flow
     * gets flow_sequence 1. */
    netflow_flow_removed(nf, &f);
    struct flow icmp = flow4(0xfffffffe, 0x0a000003, 0x0a000004,
                             IPPROTO_ICMP, 8, 0, 0);
    netflow_flow_update(nf, &icmp, NETFLOW_OUT_FLOOD, 1, 98, 0, base + 700,
                        0);
    struct flow drop = flow4(1, 0x0a000005, 0x0a000006, IPPROTO_UDP, 53,
                             5353, 0);
    netflow_flow_update(nf, &drop, NETFLOW_OUT_NONE, 2, 2 * 14, 0,
                        base + 700, 0);
    netflow_flow_removed(nf, &icmp);
    netflow_flow_removed(nf, &drop);
    netflow_run(nf, base + 800);
    len = rx_recv(&rx, buf, sizeof buf);
    decode(&st, buf, len, &d);
    CHECK_EQ(d.count, 2);
    CHECK_EQ(d.sequence, 1);
    CHECK_EQ(d.recs[0].src_port, 0);
    CHECK_EQ(d.recs[0].dst_port, 8 << 8);       /* Echo request. */
    CHECK_EQ(d.recs[0].in_if, 0xfffe);          /* OFPP_LOCAL. */
    CHECK_EQ(d.recs[0].out_if, 0xffff);
    CHECK_EQ(d.recs[0].bytes, 84);
    CHECK_EQ(d.recs[1].out_if, 0);
    CHECK_EQ(d.recs[1].bytes, 0);
    CHECK_EQ(d.recs[1].packets, 2);

    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_exported, 3);
    CHECK_EQ(s.n_datagrams, 2);
    CHECK_EQ(s.n_sent, 2);
    CHECK_EQ(s.n_dropped, 0);
    CHECK_EQ(s.n_records, 0);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

TEST(v5_add_id_to_iface_and_many_records)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 5, &rx);
    o.engine_id = 0x85;
    o.add_id_to_iface = true;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    /* 70 flows: 28 + 28 + 14 records, flow_sequence counting them. */
    for (int i = 0; i < 70; i++) {
        struct flow f = flow4(0x203 + i, 0x0a000001, 0x0a000002,
                              IPPROTO_UDP, 1000 + i, 53, 0);
        netflow_flow_update(nf, &f, 0x1001, 1, 114, 0, base, 0);
        netflow_flow_removed(nf, &f);
    }
    netflow_run(nf, base + 1);
    struct dec_dgram d[4];
    struct dec_state st = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx, &st, d, 4), 3);
    CHECK_EQ(d[0].count, 28);
    CHECK_EQ(d[1].count, 28);
    CHECK_EQ(d[2].count, 14);
    CHECK_EQ(d[1].sequence, 28);
    CHECK_EQ(d[2].sequence, 56);
    for (int i = 0; i < 70; i++) {
        const struct dec_rec *r = &d[i / 28].recs[i % 28];
        CHECK_EQ(r->src_port, 1000 + i);
        CHECK_EQ(r->in_if, (0x05 << 9) | ((0x203 + i) & 0x1ff));
        CHECK_EQ(r->out_if, (0x05 << 9) | 1);
        CHECK_EQ(r->bytes, 100);
    }

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

TEST(v5_splits_32bit_counters_and_ignores_non_ipv4)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;
    struct netflow *nf = make_nf(5, &rx, &base);

    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    uint64_t packets = 5000000000ULL;
    netflow_flow_update(nf, &f, 1, packets, packets * 64, 0, base, 0);

    struct flow v6 = flow6(1, 1, 2, IPPROTO_UDP, 1, 2);
    update(nf, &v6, 1, 100, base);
    struct flow arp;
    memset(&arp, 0, sizeof arp);
    arp.dl_type = htons(ETH_TYPE_ARP);
    update(nf, &arp, 1, 60, base);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 1);

    netflow_flow_removed(nf, &f);
    netflow_flow_removed(nf, &v6);
    netflow_run(nf, base + 1);
    struct dec_dgram d[8];
    struct dec_state st = { .n = 0 };
    size_t n = rx_decode_all(&rx, &st, d, 8);
    uint64_t p_sum = 0, b_sum = 0, n_recs = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d[i].n_recs; j++, n_recs++) {
            p_sum += d[i].recs[j].packets;
            b_sum += d[i].recs[j].bytes;
            CHECK_EQ(d[i].recs[j].src4, 1);
        }
    }
    CHECK_EQ(n_recs, 59);       /* 250e9 octets in 32-bit pieces. */
    CHECK_U64_EQ(p_sum, packets);
    CHECK_U64_EQ(b_sum, packets * 50);

    netflow_destroy(nf);
    close(rx.fd);
}

/* ------------------------------------------------------------------ */
/* v9. */

static const uint16_t exp_t4[] = { 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14,
                                   15, 21, 22, 32 };
static const uint16_t exp_t6[] = { 1, 2, 4, 5, 6, 7, 27, 10, 11, 28, 14,
                                   21, 22, 139 };

TEST(v9_encoding_ipv4_and_ipv6)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 9, &rx);
    o.engine_type = 1;
    o.engine_id = 2;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    struct flow f4 = flow4(3, 0xc0000201, 0xc0000202, IPPROTO_TCP, 40000,
                           443, 0x28);
    struct flow f6 = flow6(4, 9, 10, IPPROTO_ICMPV6, 128, 0);
    f6.vlans[0].qtag = htonl(0x88a80000 | VLAN_CFI | 1);
    f6.vlans[1].qtag = htonl(0x81000000 | VLAN_CFI | 2);
    netflow_flow_update(nf, &f4, 9, 3, 3 * 1514, 0x02, base + 10,
                        htonl(0x0a0a0a0a));
    netflow_flow_update(nf, &f6, NETFLOW_OUT_FLOOD, 4, 4 * 122, 0,
                        base + 20, 0);
    netflow_flow_update(nf, &f6, NETFLOW_OUT_FLOOD, 1, 122, 0, base + 30,
                        0);
    netflow_flow_removed(nf, &f4);
    netflow_flow_removed(nf, &f6);
    netflow_run(nf, base + 100);

    struct dec_dgram d[2];
    struct dec_state st = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].version, 9);
    CHECK_EQ(d[0].count, 4);
    CHECK_EQ(d[0].n_templates, 2);
    CHECK_EQ(d[0].sequence, 0);
    CHECK_EQ(d[0].source_id, 0x0102);
    CHECK_LE(d[0].uptime, 100);

    /* The templates are the documented ones. */
    CHECK_EQ(st.n, 2);
    CHECK_EQ(st.t[0].id, 256);
    CHECK_EQ(st.t[1].id, 257);
    CHECK_EQ(st.t[0].n, ARRAY_SIZE(exp_t4));
    CHECK_EQ(st.t[1].n, ARRAY_SIZE(exp_t6));
    for (size_t i = 0; i < ARRAY_SIZE(exp_t4); i++) {
        CHECK_EQ(st.t[0].type[i], exp_t4[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(exp_t6); i++) {
        CHECK_EQ(st.t[1].type[i], exp_t6[i]);
    }

    const struct dec_rec *r = &d[0].recs[0];
    CHECK(!r->ipv6);
    CHECK_EQ(r->src4, 0xc0000201);
    CHECK_EQ(r->dst4, 0xc0000202);
    CHECK_EQ(r->nexthop, 0x0a0a0a0a);
    CHECK_EQ(r->in_if, 3);
    CHECK_EQ(r->out_if, 9);
    CHECK_EQ(r->packets, 3);
    CHECK_EQ(r->bytes, 3 * 1500);
    CHECK_EQ(r->src_port, 40000);
    CHECK_EQ(r->dst_port, 443);
    CHECK_EQ(r->proto, IPPROTO_TCP);
    CHECK_EQ(r->tos, 0x28);
    CHECK_EQ(r->tcp_flags, 0x02);
    CHECK_EQ(r->icmp, 0);
    CHECK_EQ(r->first, r->last);
    CHECK_EQ(d[0].uptime - r->first, 90);

    r = &d[0].recs[1];
    CHECK(r->ipv6);
    CHECK(ipv6_addr_equals(&r->src6, &f6.ipv6_src));
    CHECK(ipv6_addr_equals(&r->dst6, &f6.ipv6_dst));
    CHECK_EQ(r->packets, 5);
    CHECK_EQ(r->bytes, 5 * 100);        /* Two VLAN tags. */
    CHECK_EQ(r->proto, IPPROTO_ICMPV6);
    CHECK_EQ(r->icmp, 128 << 8);
    CHECK_EQ(r->dst_port, 128 << 8);
    CHECK_EQ(r->src_port, 0);
    CHECK_EQ(r->out_if, 0xffff);
    CHECK_EQ(r->last - r->first, 10);

    /* The next datagram carries no templates and the next sequence. */
    update(nf, &f4, 1, 100, base + 200);
    netflow_flow_removed(nf, &f4);
    netflow_run(nf, base + 300);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].n_templates, 0);
    CHECK_EQ(d[0].count, 1);
    CHECK_EQ(d[0].sequence, 1);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

TEST(v9_many_records_fill_datagrams)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;
    struct netflow *nf = make_nf(9, &rx, &base);

    /* Alternate families so that data sets open and close often. */
    for (int i = 0; i < 200; i++) {
        struct flow f = (i % 3 ? flow4(1, 0x0a000000 + i, 2, IPPROTO_UDP,
                                       i, 7, 0)
                         : flow6(1, i, 1, IPPROTO_TCP, i, 7));
        update(nf, &f, i + 1, (i + 1) * 100, base);
        netflow_flow_removed(nf, &f);
    }
    netflow_run(nf, base + 1);
    struct dec_dgram d[32];
    struct dec_state st = { .n = 0 };
    size_t n = rx_decode_all(&rx, &st, d, 32);
    CHECK_GE(n, 8);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(d[i].sequence, i);
        CHECK_EQ(d[i].n_templates, i == 0 ? 2 : 0);
        for (size_t j = 0; j < d[i].n_recs; j++, k++) {
            CHECK_EQ(d[i].recs[j].packets, k + 1);
            CHECK_EQ(d[i].recs[j].src_port, k);
            CHECK_EQ(d[i].recs[j].ipv6, k % 3 == 0);
        }
    }
    CHECK_EQ(k, 200);

    netflow_destroy(nf);
    close(rx.fd);
}

TEST(v9_template_interval)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 9, &rx);
    o.template_interval = 2;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    static const long long int times[] = { 0, 1000, 1999, 2000, 3000,
                                           4000 };
    static const int templates[] = { 2, 0, 0, 2, 0, 2 };
    struct dec_state st = { .n = 0 };
    for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
        update(nf, &f, 1, 100, base + times[i]);
        netflow_flow_removed(nf, &f);
        netflow_run(nf, base + times[i]);
        struct dec_dgram d[2];
        CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
        CHECK_MSG(d[0].n_templates == templates[i],
                  "at %lld ms: %d template records", times[i],
                  d[0].n_templates);
    }
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_templates, 3);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

/* ------------------------------------------------------------------ */
/* Timers, cache. */

TEST(active_timeout_restarts_counters)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 5, &rx);
    o.active_timeout = 10;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    update(nf, &f, 1, 100, base);
    update(nf, &f, 1, 100, base + 5000);
    netflow_run(nf, base + 9999);
    struct dec_dgram d[2];
    struct dec_state st = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);

    update(nf, &f, 1, 100, base + 9999);
    netflow_run(nf, base + 10000);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].recs[0].packets, 3);
    CHECK_EQ(d[0].recs[0].last - d[0].recs[0].first, 9999);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 1);           /* Still cached, counters reset. */

    /* The next period starts at its first packet. */
    update(nf, &f, 2, 200, base + 12000);
    update(nf, &f, 1, 100, base + 13000);
    netflow_run(nf, base + 21999);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);
    netflow_run(nf, base + 22000);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].recs[0].packets, 3);
    CHECK_EQ(d[0].recs[0].bytes, 3 * 86);
    CHECK_EQ(d[0].uptime - d[0].recs[0].first, 10000);
    CHECK_EQ(d[0].uptime - d[0].recs[0].last, 9000);

    /* No packets since: dropped at the inactive timeout, nothing sent. */
    netflow_run(nf, base + 13000 + NETFLOW_INACTIVE_MS);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 0);
    CHECK_EQ(s.n_exported, 2);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

TEST(inactive_timeout_and_no_active_timeout)
{
    struct rx rx;
    rx_open(&rx);
    struct netflow_options o;
    options(&o, 9, &rx);
    o.active_timeout = -1;
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    struct flow a = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    struct flow b = flow4(1, 1, 2, IPPROTO_UDP, 1, 3, 0);
    update(nf, &a, 1, 100, base);
    update(nf, &b, 1, 100, base);
    /* A delta without packets neither creates nor refreshes a record. */
    struct flow c = flow4(1, 1, 2, IPPROTO_UDP, 1, 4, 0);
    update(nf, &c, 0, 0, base);
    update(nf, &a, 0, 0, base + 10000);
    /* Packets keep B alive. */
    update(nf, &b, 1, 100, base + 10000);

    struct dec_dgram d[2];
    struct dec_state st = { .n = 0 };
    netflow_run(nf, base + NETFLOW_INACTIVE_MS - 1);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);
    netflow_run(nf, base + NETFLOW_INACTIVE_MS);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].n_recs, 1);
    CHECK_EQ(d[0].recs[0].dst_port, 2);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 1);

    /* With no active timeout, B lasts as long as packets come. */
    for (int i = 2; i < 10; i++) {
        update(nf, &b, 1, 100, base + i * 10000);
        netflow_run(nf, base + i * 10000 + 5000);
    }
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);
    netflow_run(nf, base + 90000 + NETFLOW_INACTIVE_MS);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].recs[0].packets, 10);
    CHECK_EQ(d[0].recs[0].last - d[0].recs[0].first, 90000);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(rx.fd);
}

TEST(flush_exports_everything_now)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;

    /* Not configured until a set of collectors is accepted. */
    struct netflow *nf = netflow_create();
    CHECK(!netflow_is_configured(nf));
    struct netflow_options o;
    options(&o, 5, NULL);
    char *error = netflow_set_options(nf, &o);
    CHECK(error);
    free(error);
    CHECK(!netflow_is_configured(nf));
    netflow_options_destroy(&o);
    netflow_destroy(nf);

    nf = make_nf(5, &rx, &base);
    CHECK(netflow_is_configured(nf));
    struct flow a = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    struct flow b = flow4(1, 1, 2, IPPROTO_TCP, 1, 3, 0);
    update(nf, &a, 3, 300, base);
    update(nf, &b, 4, 400, base);

    /* No timer is due, yet both records go out at once. */
    struct dec_dgram d[2];
    struct dec_state st = { .n = 0 };
    netflow_run(nf, base + 1);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 0);
    netflow_flush(nf, base + 2);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].n_recs, 2);
    CHECK_EQ(d[0].recs[0].packets + d[0].recs[1].packets, 7);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 0);

    netflow_destroy(nf);
    close(rx.fd);
}

TEST(wait_schedules_the_next_deadline)
{
    long long int base;
    struct rx rx;
    rx_open(&rx);
    struct netflow *nf = make_nf(5, &rx, &base);

    /* Nothing to do: wait must not wake at once. */
    netflow_wait(nf, time_msec());
    long long int start = time_msec();
    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    update(nf, &f, 1, 100, start - NETFLOW_INACTIVE_MS + 30);
    netflow_wait(nf, start);
    poll_block();
    CHECK_GE(time_msec() - start, 20);
    netflow_run(nf, time_msec());

    /* A datagram waiting: wake at once. */
    netflow_flow_removed(nf, &f);
    update(nf, &f, 1, 100, time_msec());
    netflow_flow_removed(nf, &f);
    netflow_wait(nf, time_msec());
    start = time_msec();
    poll_block();
    CHECK_LT(time_msec() - start, 1000);

    netflow_destroy(nf);
    close(rx.fd);
}

TEST(cache_cap_evicts_least_recently_updated)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;
    struct netflow *nf = make_nf(5, &rx, &base);

    for (int i = 0; i < NETFLOW_MAX_RECORDS; i++) {
        struct flow f = flow4(1, 0x0a000000 | (i >> 16), 2, IPPROTO_UDP,
                              i & 0xffff, 7, 0);
        update(nf, &f, 1, 100, base);
    }
    /* Refresh flow 0: flow 1 becomes the oldest. */
    struct flow f0 = flow4(1, 0x0a000000, 2, IPPROTO_UDP, 0, 7, 0);
    update(nf, &f0, 1, 100, base + 1);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, NETFLOW_MAX_RECORDS);
    CHECK_EQ(s.n_evicted, 0);

    struct flow extra = flow4(1, 0x0b000000, 2, IPPROTO_UDP, 1, 7, 0);
    update(nf, &extra, 1, 100, base + 2);
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, NETFLOW_MAX_RECORDS);
    CHECK_EQ(s.n_evicted, 1);
    CHECK_EQ(s.n_exported, 1);

    netflow_run(nf, base + 3);
    struct dec_dgram d[2];
    struct dec_state st = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx, &st, d, 2), 1);
    CHECK_EQ(d[0].n_recs, 1);
    CHECK_EQ(d[0].recs[0].src4, 0x0a000000);
    CHECK_EQ(d[0].recs[0].src_port, 1);

    /* A whole cache's worth of new flows: every old record is evicted
     * into the send queue, which then is full, so that one more is
     * lost (and counted), never queued without bound. */
    for (int i = 0; i <= NETFLOW_MAX_RECORDS; i++) {
        struct flow f = flow4(2, 0x0c000000 | (i >> 16), 2, IPPROTO_UDP,
                              i & 0xffff, 7, 0);
        update(nf, &f, 1, 100, base + 4);
    }
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_evicted, NETFLOW_MAX_RECORDS + 2);
    CHECK_EQ(s.n_lost, 1);
    CHECK_EQ(s.n_exported, NETFLOW_MAX_RECORDS + 1);

    struct ds ds = DS_EMPTY_INITIALIZER;
    netflow_format_status(nf, &ds);
    CHECK(strstr(ds_cstr(&ds), "records: 65536 in cache (max 65536), "
                 "65537 exported, 65538 evicted, 1 lost"));
    ds_destroy(&ds);

    netflow_destroy(nf);
    close(rx.fd);
}

/* ------------------------------------------------------------------ */
/* Collectors and options. */

TEST(collector_down_counts_drops_and_resends_templates)
{
    struct rx live, dead;
    rx_open(&live);
    rx_open(&dead);
    close(dead.fd);                     /* Nothing listens there now. */

    struct netflow_options o;
    options(&o, 9, &live);
    sset_add_and_free(&o.collectors, xasprintf("127.0.0.1:%u", dead.port));
    struct netflow *nf = netflow_create();
    long long int base = time_msec();
    CHECK_NO_ERROR(netflow_set_options(nf, &o));

    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    struct dec_state st = { .n = 0 };
    struct dec_dgram d[2];
    struct netflow_stats s;
    int i;
    for (i = 0; i < 50; i++) {
        update(nf, &f, 1, 100, base + i);
        netflow_flow_removed(nf, &f);
        netflow_run(nf, base + i);
        CHECK_EQ(rx_decode_all(&live, &st, d, 2), 1);
        CHECK_EQ(d[0].n_templates, i == 0 ? 2 : 0);
        netflow_get_stats(nf, &s);
        if (s.n_dropped) {
            break;
        }
        usleep(2000);
    }
    CHECK_LT(i, 50);
    CHECK_GE(i, 1);                     /* The first send went out. */
    CHECK_EQ(s.n_dropped, 1);
    CHECK_EQ(s.n_sent, 2 * (uint64_t) i + 1);

    /* After the refused send, the templates come again at once. */
    update(nf, &f, 1, 100, base + i + 1);
    netflow_flow_removed(nf, &f);
    netflow_run(nf, base + i + 1);
    CHECK_EQ(rx_decode_all(&live, &st, d, 2), 1);
    CHECK_EQ(d[0].n_templates, 2);

    struct ds ds = DS_EMPTY_INITIALIZER;
    netflow_format_status(nf, &ds);
    CHECK(strstr(ds_cstr(&ds), "Connection refused"));
    CHECK(strstr(ds_cstr(&ds), "NetFlow v9"));
    ds_destroy(&ds);

    netflow_destroy(nf);
    netflow_options_destroy(&o);
    close(live.fd);
}

TEST(option_errors)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;
    struct netflow *nf = make_nf(5, &rx, &base);
    struct netflow_options o;
    char *error;

    options(&o, 7, &rx);
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "version 7"));
    free(error);

    o.version = 9;
    o.active_timeout = -5;
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "active timeout -5"));
    free(error);

    o.active_timeout = 0;
    o.template_interval = -1;
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "template interval -1"));
    free(error);
    netflow_options_destroy(&o);

    /* None of those changed anything: still v5 to RX. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    netflow_format_status(nf, &ds);
    CHECK(strstr(ds_cstr(&ds), "NetFlow v5"));
    CHECK(strstr(ds_cstr(&ds), "active 600 s"));
    ds_destroy(&ds);

    options(&o, 5, NULL);
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "at least one collector"));
    free(error);

    sset_add(&o.collectors, "collector.example.com:2055");
    sset_add(&o.collectors, "1.2.3.4:99999");
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "no NetFlow collector usable"));
    CHECK(strstr(error, "collector.example.com"));
    free(error);

    /* Records still accumulate; datagrams are dropped and counted. */
    struct flow f = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    update(nf, &f, 1, 100, base);
    netflow_flow_removed(nf, &f);
    netflow_run(nf, base + 1);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_dropped, 1);
    CHECK_EQ(s.n_sent, 0);
    ds_init(&ds);
    netflow_format_status(nf, &ds);
    CHECK(strstr(ds_cstr(&ds), "collectors: none usable"));
    ds_destroy(&ds);

    /* One good target among bad ones: named, and the good one used. */
    sset_add_and_free(&o.collectors, xasprintf("127.0.0.1:%u", rx.port));
    error = netflow_set_options(nf, &o);
    CHECK(error && strstr(error, "collector.example.com"));
    CHECK(!strstr(error, "usable"));
    free(error);
    update(nf, &f, 1, 100, base);
    netflow_flow_removed(nf, &f);
    netflow_run(nf, base + 2);
    uint8_t buf[2048];
    CHECK_EQ(rx_recv(&rx, buf, sizeof buf), 24 + 48);

    netflow_options_destroy(&o);
    netflow_destroy(nf);
    close(rx.fd);
}

TEST(version_change_flushes_under_old_version)
{
    struct rx rx, rx2;
    rx_open(&rx);
    rx_open(&rx2);
    long long int base;
    struct netflow *nf = make_nf(5, &rx, &base);

    struct flow a = flow4(1, 1, 2, IPPROTO_UDP, 1, 2, 0);
    struct flow b = flow4(1, 1, 2, IPPROTO_UDP, 1, 3, 0);
    update(nf, &a, 1, 100, base);
    update(nf, &b, 2, 200, base);

    /* Same collectors, new timeout: nothing flushed. */
    struct netflow_options o;
    options(&o, 5, &rx);
    o.active_timeout = 30;
    CHECK_NO_ERROR(netflow_set_options(nf, &o));
    netflow_run(nf, base + 1);
    uint8_t buf[2048];
    CHECK_EQ(rx_recv(&rx, buf, sizeof buf), -1);
    struct netflow_stats s;
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 2);

    /* v9: both records go out as v5 first. */
    o.version = 9;
    CHECK_NO_ERROR(netflow_set_options(nf, &o));
    netflow_get_stats(nf, &s);
    CHECK_EQ(s.n_records, 0);
    update(nf, &a, 3, 300, base + 2);
    netflow_flow_removed(nf, &a);
    netflow_run(nf, base + 3);
    struct dec_dgram d[4];
    struct dec_state st = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx, &st, d, 4), 2);
    CHECK_EQ(d[0].version, 5);
    CHECK_EQ(d[0].count, 2);
    CHECK_EQ(d[1].version, 9);
    CHECK_EQ(d[1].n_recs, 1);
    CHECK_EQ(d[1].recs[0].packets, 3);

    /* New collector set: re-created, and the templates sent again. */
    sset_clear(&o.collectors);
    sset_add_and_free(&o.collectors, xasprintf("127.0.0.1:%u", rx2.port));
    CHECK_NO_ERROR(netflow_set_options(nf, &o));
    update(nf, &a, 3, 300, base + 4);
    netflow_flow_removed(nf, &a);
    netflow_run(nf, base + 5);
    CHECK_EQ(rx_decode_all(&rx, &st, d, 4), 0);
    struct dec_state st2 = { .n = 0 };
    CHECK_EQ(rx_decode_all(&rx2, &st2, d, 4), 1);
    CHECK_EQ(d[0].n_templates, 2);
    CHECK_EQ(d[0].sequence, 1);

    netflow_options_destroy(&o);
    netflow_destroy(nf);
    close(rx.fd);
    close(rx2.fd);
}

TEST(mask_wc)
{
    struct flow_wildcards wc;
    struct flow f = flow4(1, 1, 2, IPPROTO_TCP, 1, 2, 0);

    flow_wildcards_init_catchall(&wc);
    netflow_mask_wc(&f, &wc);
    CHECK_EQ(wc.masks.in_port, UINT32_MAX);
    CHECK_EQ(wc.masks.dl_type, 0xffff);
    CHECK_EQ(wc.masks.nw_src, UINT32_MAX);
    CHECK_EQ(wc.masks.nw_dst, UINT32_MAX);
    CHECK_EQ(wc.masks.nw_proto, 0xff);
    CHECK_EQ(wc.masks.nw_tos, IP_DSCP_MASK);
    CHECK_EQ(wc.masks.tp_src, 0xffff);
    CHECK_EQ(wc.masks.tp_dst, 0xffff);
    CHECK_EQ(wc.masks.vlans[0].tpid, 0xffff);
    CHECK_EQ(wc.masks.vlans[1].tpid, 0xffff);
    CHECK(ipv6_is_zero(&wc.masks.ipv6_src));
    CHECK_EQ(wc.masks.tcp_flags, 0);
    CHECK_EQ(wc.masks.dl_src.be16[0], 0);

    struct flow g = flow6(1, 1, 2, 47, 0, 0);         /* GRE: no ports. */
    flow_wildcards_init_catchall(&wc);
    netflow_mask_wc(&g, &wc);
    CHECK(ipv6_mask_is_exact(&wc.masks.ipv6_src));
    CHECK(ipv6_mask_is_exact(&wc.masks.ipv6_dst));
    CHECK_EQ(wc.masks.nw_src, 0);
    CHECK_EQ(wc.masks.tp_src, 0);

    struct flow arp;
    memset(&arp, 0, sizeof arp);
    arp.dl_type = htons(ETH_TYPE_ARP);
    flow_wildcards_init_catchall(&wc);
    netflow_mask_wc(&arp, &wc);
    CHECK_EQ(wc.masks.dl_type, 0xffff);
    CHECK_EQ(wc.masks.nw_src, 0);
    CHECK_EQ(wc.masks.nw_proto, 0);
}

/* ------------------------------------------------------------------ */
/* tshark decodes what we encode. */

/* The expected values of one random record. */
struct exp_rec {
    struct flow flow;
    uint32_t out;
    uint64_t packets, l3_bytes;
    uint8_t tcp_flags;
    uint32_t next_hop;
    long long int first, last;
};

static uint8_t
random_proto(void)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_SCTP, 47, 50 };
    return protos[test_random() % ARRAY_SIZE(protos)];
}

static void
random_record(struct exp_rec *e, bool ipv6, long long int base)
{
    struct flow *f = &e->flow;
    memset(e, 0, sizeof *e);
    f->in_port = 1 + test_random() % 500;
    f->dl_type = htons(ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    if (ipv6) {
        for (int i = 0; i < 16; i++) {
            f->ipv6_src.s6_addr[i] = test_random();
            f->ipv6_dst.s6_addr[i] = test_random();
        }
        f->ipv6_src.s6_addr[0] = 0x20;
        f->ipv6_dst.s6_addr[0] = 0x20;
    } else {
        f->nw_src = htonl(test_random());
        f->nw_dst = htonl(test_random());
    }
    f->nw_tos = test_random();
    uint32_t kind = test_random() % 4;
    if (kind == 0) {
        f->nw_proto = ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        f->tp_src = htons(test_random() % 256);
        f->tp_dst = htons(test_random() % 256);
    } else {
        f->nw_proto = random_proto();
        if (f->nw_proto != 47 && f->nw_proto != 50) {
            f->tp_src = htons(test_random());
            f->tp_dst = htons(test_random());
        }
    }
    int n_vlans = test_random() % 3;
    for (int i = 0; i < n_vlans; i++) {
        f->vlans[i].qtag = htonl(0x81000000 | VLAN_CFI
                                 | (test_random() & 0xfff));
    }
    uint32_t r = test_random() % 10;
    e->out = (r == 0 ? NETFLOW_OUT_NONE : r == 1 ? NETFLOW_OUT_FLOOD
              : 1 + test_random() % 1000);
    e->packets = 1 + test_random() % 100000;
    e->l3_bytes = e->packets * (40 + test_random() % 1400);
    e->tcp_flags = f->nw_proto == IPPROTO_TCP ? test_random() & 0x3f : 0;
    e->next_hop = ipv6 || test_random() % 2 ? 0 : test_random() | 1;
    e->first = base + test_random() % 5000;
    e->last = e->first + test_random() % 5000;
}

static void
feed_record(struct netflow *nf, const struct exp_rec *e)
{
    int n_vlans = !!e->flow.vlans[0].qtag + !!e->flow.vlans[1].qtag;
    uint64_t l2 = 14 + 4 * n_vlans;
    /* Two updates whose sums are the record. */
    uint64_t p1 = e->packets / 2, b1 = p1 * l2 + e->l3_bytes / 2;
    if (p1) {
        netflow_flow_update(nf, &e->flow, e->out, p1, b1, e->tcp_flags,
                            e->first, htonl(e->next_hop));
    }
    netflow_flow_update(nf, &e->flow, e->out, e->packets - p1,
                        (e->packets - p1) * l2 + e->l3_bytes
                        - e->l3_bytes / 2, p1 ? 0 : e->tcp_flags,
                        p1 ? e->last : e->first, htonl(e->next_hop));
    if (!p1) {
        netflow_flow_update(nf, &e->flow, e->out, 0, 0, 0, e->last, 0);
    }
    netflow_flow_removed(nf, &e->flow);
}

static uint32_t
exp_ifindex(uint32_t port)
{
    return (port == NETFLOW_OUT_NONE ? 0
            : port == NETFLOW_OUT_FLOOD ? 0xffff : port);
}

/* Runs one property round: N random records of VERSION (IPv6 if IPV6)
 * are encoded, captured, decoded by tshark and compared. */
static void
tshark_round(int version, bool ipv6, int n)
{
    struct rx rx;
    rx_open(&rx);
    long long int base;
    struct netflow *nf = make_nf(version, &rx, &base);
    struct exp_rec *exp = xcalloc(n, sizeof *exp);

    /* Distinct keys: the in_port is the index. */
    for (int i = 0; i < n; i++) {
        random_record(&exp[i], ipv6, base);
        exp[i].flow.in_port = 1000 + i;
        if (exp[i].packets == 1) {
            exp[i].last = exp[i].first;
        }
        feed_record(nf, &exp[i]);
    }
    long long int now = base + 20000;
    netflow_run(nf, now);

    char *file = xasprintf("%s/nf.pcap", test_tmpdir());
    struct pcap_file *pcap;
    CHECK_NO_ERROR(pcap_file_open_write(file, &pcap));
    uint8_t buf[2048];
    int len, n_dgrams = 0, n_recs = 0;
    struct dec_state st = { .n = 0 };
    uint32_t uptime[256];
    while ((len = rx_recv(&rx, buf, sizeof buf)) >= 0) {
        struct dec_dgram d;
        decode(&st, buf, len, &d);              /* Checks lengths too. */
        CHECK_LT(n_dgrams, 256);
        uptime[n_dgrams] = d.uptime;
        n_recs += d.n_recs;
        test_pcap_write_udp(pcap, NETFLOW_DEFAULT_PORT, buf, len,
                             time_wall_msec() * 1000 + n_dgrams);
        n_dgrams++;
    }
    pcap_file_close(pcap);
    CHECK_EQ(n_recs, n);

    const char *addr = ipv6 ? "-e cflow.srcaddrv6 -e cflow.dstaddrv6 "
                            : "-e cflow.srcaddr -e cflow.dstaddr ";
    const char *extra = (ipv6 ? "-e cflow.icmp_ipv6_type "
                                "-e cflow.icmp_ipv6_code"
                         : version == 9 ? "-e cflow.nexthop "
                                          "-e cflow.icmp_type_code_ipv4"
                         : "-e cflow.nexthop");
    char *fields = xasprintf(
        "-e cflow.version -e cflow.count -e cflow.sysuptime %s"
        "-e cflow.protocol -e cflow.srcport -e cflow.dstport "
        "-e cflow.packets -e cflow.octets -e cflow.inputint "
        "-e cflow.outputint -e cflow.tcpflags -e cflow.tos "
        "-e cflow.timestart -e cflow.timeend %s", addr, extra);
    int n_fields = 16 + (version == 9 ? 2 : 1);
    char *args = xasprintf("-d udp.port==%d,cflow -T fields "
                           "-E separator=/t -E aggregator=, %s",
                           NETFLOW_DEFAULT_PORT, fields);
    char *text = test_tshark(file, args);
    free(args);
    free(fields);

    char *lines[300];
    size_t n_lines = test_split(text, '\n', lines, ARRAY_SIZE(lines));
    CHECK_EQ(n_lines, n_dgrams + 1);            /* Ends with a newline. */
    int k = 0;
    for (int i = 0; i < n_dgrams; i++) {
        char *col[20];
        size_t n_cols = test_split(lines[i], '\t', col, ARRAY_SIZE(col));
        CHECK_EQ(n_cols, n_fields);
        CHECK_EQ(test_parse_u64(col[0]), version);
        size_t count = test_parse_u64(col[1]);
        char *vals[15][40];
        size_t n_vals = 0;
        for (int c = 3; c < (int) n_cols; c++) {
            size_t m = test_split(col[c], ',', vals[c - 3], 40);
            if (c == 3) {
                n_vals = m;
            }
            CHECK_MSG(m == n_vals, "column %d: %zu values, not %zu", c, m,
                      n_vals);
        }
        CHECK_EQ(count, n_vals + (version == 9 && i == 0 ? 2 : 0));
        double up = strtod(col[2], NULL);
        CHECK_MSG(up * 1000 > uptime[i] - 1 && up * 1000 < uptime[i] + 1,
                  "sysuptime %s vs %u ms", col[2], uptime[i]);
        for (size_t j = 0; j < n_vals; j++, k++) {
            const struct exp_rec *e = &exp[k];
            const struct flow *f = &e->flow;
            char a[64], b[64];
            if (ipv6) {
                inet_ntop(AF_INET6, &f->ipv6_src, a, sizeof a);
                inet_ntop(AF_INET6, &f->ipv6_dst, b, sizeof b);
            } else {
                inet_ntop(AF_INET, &f->nw_src, a, sizeof a);
                inet_ntop(AF_INET, &f->nw_dst, b, sizeof b);
            }
            CHECK_STREQ(vals[0][j], a);
            CHECK_STREQ(vals[1][j], b);
            CHECK_EQ(test_parse_u64(vals[2][j]), f->nw_proto);
            bool icmp = f->nw_proto == IPPROTO_ICMP
                        || f->nw_proto == IPPROTO_ICMPV6;
            uint16_t sp = icmp ? 0 : ntohs(f->tp_src);
            uint16_t dp = (icmp ? ntohs(f->tp_src) << 8 | ntohs(f->tp_dst)
                           : ntohs(f->tp_dst));
            CHECK_EQ(test_parse_u64(vals[3][j]), sp);
            CHECK_EQ(test_parse_u64(vals[4][j]), dp);
            CHECK_EQ(test_parse_u64(vals[5][j]), e->packets);
            CHECK_EQ(test_parse_u64(vals[6][j]), e->l3_bytes);
            CHECK_EQ(test_parse_u64(vals[7][j]), f->in_port);
            CHECK_EQ(test_parse_u64(vals[8][j]), exp_ifindex(e->out));
            CHECK_EQ(test_parse_u64(vals[9][j]), e->tcp_flags);
            CHECK_EQ(test_parse_u64(vals[10][j]), f->nw_tos & IP_DSCP_MASK);
            /* Start and end: sysUptime seconds.  The datagram's sysUptime
             * is 'now' on the same clock. */
            long long int boot = now - uptime[i];
            double t0 = strtod(vals[11][j], NULL) * 1000;
            double t1 = strtod(vals[12][j], NULL) * 1000;
            CHECK_MSG(t0 > e->first - boot - 0.5 && t0 < e->first - boot + 0.5,
                      "start %s vs %lld ms", vals[11][j], e->first - boot);
            CHECK_MSG(t1 > e->last - boot - 0.5 && t1 < e->last - boot + 0.5,
                      "end %s vs %lld ms", vals[12][j], e->last - boot);
            if (!ipv6) {
                char nh[32];
                plx_be32 x = htonl(e->next_hop);
                inet_ntop(AF_INET, &x, nh, sizeof nh);
                CHECK_STREQ(vals[13][j], nh);
            }
            uint16_t icmp_tc = icmp ? dp : 0;
            if (ipv6) {
                CHECK_EQ(test_parse_u64(vals[13][j]), icmp_tc >> 8);
                CHECK_EQ(test_parse_u64(vals[14][j]), icmp_tc & 0xff);
            } else if (version == 9) {
                CHECK_EQ(test_parse_u64(vals[14][j]), icmp_tc);
            }
        }
    }
    CHECK_EQ(k, n);

    free(text);
    free(file);
    free(exp);
    netflow_destroy(nf);
    close(rx.fd);
}

TEST(tshark_v5_random)
{
    tshark_round(5, false, 150);
}

TEST(tshark_v9_random_ipv4)
{
    tshark_round(9, false, 150);
}

TEST(tshark_v9_random_ipv6)
{
    tshark_round(9, true, 100);
}
