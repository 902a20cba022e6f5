/* Tests for ofproto/sflow: datagrams received from a real UDP socket on
 * 127.0.0.1, decoded field by field by a decoder written here from the
 * sFlow v5 spec, and decoded independently by tshark (wrapped in
 * Ethernet/IPv4/UDP to port 6343 in a pcap file); flush timing, counter
 * polling and its staggering driven by 'now'; option errors; a collector
 * that is down. */
#include <config.h>
#include "ofproto/sflow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "pcap-file.h"
#include "socket-util.h"
#include "sset.h"
#include "test.h"
#include "test-tshark.h"
#include "vlog.h"

/* A UDP receiver standing in for a collector. */
struct receiver {
    int fd;
    uint16_t port;
    char target[32];
};

static void
receiver_open(struct receiver *r)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof sin;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(r->fd >= 0);
    int bufsize = 4 << 20;
    setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    CHECK_EQ(bind(r->fd, (struct sockaddr *) &sin, sizeof sin), 0);
    CHECK_EQ(getsockname(r->fd, (struct sockaddr *) &sin, &len), 0);
    CHECK_EQ(set_nonblocking(r->fd), 0);
    r->port = ntohs(sin.sin_port);
    snprintf(r->target, sizeof r->target, "127.0.0.1:%u", r->port);
}

/* Returns the length of the next datagram, or -1 if none is waiting. */
static int
receiver_recv(struct receiver *r, uint8_t *buf, size_t size)
{
    ssize_t n = recv(r->fd, buf, size, 0);
    if (n < 0) {
        CHECK_MSG(errno == EAGAIN || errno == EWOULDBLOCK, "recv: %s",
                  strerror(errno));
        return -1;
    }
    return n;
}

/* The decoder. */

struct dec_flow {
    bool expanded;
    uint32_t seq, src_type, src_index, rate, pool, drops;
    uint32_t in_fmt, in_val, out_fmt, out_val;
    uint32_t proto, frame_len, stripped, hdr_len;
    uint8_t hdr[SFLOW_MAX_HEADER_LEN];
};

struct dec_counters {
    bool expanded;
    uint32_t seq, src_type, src_index;
    bool has_eth;
    uint32_t ifindex, if_type, if_direction, if_status;
    uint64_t if_speed, in_octets, out_octets;
    uint32_t in32[6], out32[5], promisc;
    uint32_t eth[13];
};

struct dec_sample {
    bool is_flow;
    struct dec_flow f;
    struct dec_counters c;
};

#define MAX_DEC_SAMPLES 64
struct dec_dgram {
    size_t len;
    uint32_t version, agent_type, sub_agent, seq, uptime, n_samples;
    uint8_t agent[16];
    struct dec_sample samples[MAX_DEC_SAMPLES];
};

struct cursor {
    const uint8_t *p;
    size_t left;
};

static uint32_t
get32(struct cursor *c)
{
    CHECK_MSG(c->left >= 4, "truncated datagram");
    uint32_t x = ((uint32_t) c->p[0] << 24) | (c->p[1] << 16)
                 | (c->p[2] << 8) | c->p[3];
    c->p += 4;
    c->left -= 4;
    return x;
}

static uint64_t
get64(struct cursor *c)
{
    uint64_t hi = get32(c);
    return (hi << 32) | get32(c);
}

/* Returns a cursor over the LEN bytes of a structure, advancing C. */
static struct cursor
sub_cursor(struct cursor *c, uint32_t len)
{
    CHECK_MSG(len <= c->left, "structure length %"PRIu32" > %zu left",
              len, c->left);
    CHECK_EQ(len % 4, 0);
    struct cursor s = { c->p, len };
    c->p += len;
    c->left -= len;
    return s;
}

static void
decode_flow(struct cursor *c, bool expanded, struct dec_flow *f)
{
    memset(f, 0, sizeof *f);
    f->expanded = expanded;
    f->seq = get32(c);
    if (expanded) {
        f->src_type = get32(c);
        f->src_index = get32(c);
    } else {
        uint32_t src = get32(c);
        f->src_type = src >> 24;
        f->src_index = src & 0xffffff;
    }
    f->rate = get32(c);
    f->pool = get32(c);
    f->drops = get32(c);
    if (expanded) {
        f->in_fmt = get32(c);
        f->in_val = get32(c);
        f->out_fmt = get32(c);
        f->out_val = get32(c);
    } else {
        uint32_t in = get32(c), out = get32(c);
        f->in_fmt = in >> 30;
        f->in_val = in & 0x3fffffff;
        f->out_fmt = out >> 30;
        f->out_val = out & 0x3fffffff;
    }
    CHECK_EQ(get32(c), 1);              /* One flow record. */
    CHECK_EQ(get32(c), 1);              /* Raw packet header. */
    struct cursor r = sub_cursor(c, get32(c));
    f->proto = get32(&r);
    f->frame_len = get32(&r);
    f->stripped = get32(&r);
    f->hdr_len = get32(&r);
    CHECK_LE(f->hdr_len, SFLOW_MAX_HEADER_LEN);
    size_t padded = ROUND_UP(f->hdr_len, 4);
    CHECK_EQ(r.left, padded);
    memcpy(f->hdr, r.p, f->hdr_len);
    for (size_t i = f->hdr_len; i < padded; i++) {
        CHECK_EQ(r.p[i], 0);
    }
    CHECK_EQ(c->left, 0);
}

static void
decode_counters(struct cursor *c, bool expanded, struct dec_counters *k)
{
    memset(k, 0, sizeof *k);
    k->expanded = expanded;
    k->seq = get32(c);
    if (expanded) {
        k->src_type = get32(c);
        k->src_index = get32(c);
    } else {
        uint32_t src = get32(c);
        k->src_type = src >> 24;
        k->src_index = src & 0xffffff;
    }
    uint32_t n = get32(c);
    CHECK(n == 1 || n == 2);
    CHECK_EQ(get32(c), 1);              /* Generic interface counters. */
    struct cursor g = sub_cursor(c, get32(c));
    CHECK_EQ(g.left, 88);
    k->ifindex = get32(&g);
    k->if_type = get32(&g);
    k->if_speed = get64(&g);
    k->if_direction = get32(&g);
    k->if_status = get32(&g);
    k->in_octets = get64(&g);
    for (int i = 0; i < 6; i++) {
        k->in32[i] = get32(&g);
    }
    k->out_octets = get64(&g);
    for (int i = 0; i < 5; i++) {
        k->out32[i] = get32(&g);
    }
    k->promisc = get32(&g);
    if (n == 2) {
        k->has_eth = true;
        CHECK_EQ(get32(c), 2);          /* Ethernet counters. */
        struct cursor e = sub_cursor(c, get32(c));
        CHECK_EQ(e.left, 52);
        for (int i = 0; i < 13; i++) {
            k->eth[i] = get32(&e);
        }
    }
    CHECK_EQ(c->left, 0);
}

static void
decode_dgram(const uint8_t *buf, size_t len, struct dec_dgram *d)
{
    struct cursor c = { buf, len };

    memset(d, 0, sizeof *d);
    d->len = len;
    CHECK_LE(len, SFLOW_MAX_DATAGRAM);
    d->version = get32(&c);
    CHECK_EQ(d->version, 5);
    d->agent_type = get32(&c);
    CHECK(d->agent_type == 1 || d->agent_type == 2);
    size_t alen = d->agent_type == 1 ? 4 : 16;
    CHECK_GE(c.left, alen);
    memcpy(d->agent, c.p, alen);
    c.p += alen;
    c.left -= alen;
    d->sub_agent = get32(&c);
    d->seq = get32(&c);
    d->uptime = get32(&c);
    d->n_samples = get32(&c);
    CHECK_GE(d->n_samples, 1);
    CHECK_LE(d->n_samples, MAX_DEC_SAMPLES);
    for (uint32_t i = 0; i < d->n_samples; i++) {
        struct dec_sample *s = &d->samples[i];
        uint32_t format = get32(&c);
        struct cursor sc = sub_cursor(&c, get32(&c));
        CHECK_EQ(format >> 12, 0);      /* Enterprise 0. */
        switch (format) {
        case 1: case 3:
            s->is_flow = true;
            decode_flow(&sc, format == 3, &s->f);
            break;
        case 2: case 4:
            decode_counters(&sc, format == 4, &s->c);
            break;
        default:
            test_fail(TEST_WHERE, "unexpected sample format %"PRIu32,
                      format);
        }
    }
    CHECK_EQ(c.left, 0);
}

/* Receives and decodes every waiting datagram into a new array. */
static struct dec_dgram *
recv_all(struct receiver *r, size_t *np)
{
    struct dec_dgram *ds = NULL;
    size_t n = 0, allocated = 0;
    uint8_t buf[2048];
    int len;

    while ((len = receiver_recv(r, buf, sizeof buf)) >= 0) {
        if (n >= allocated) {
            ds = x2nrealloc(ds, &allocated, sizeof *ds);
        }
        decode_dgram(buf, len, &ds[n++]);
    }
    *np = n;
    return ds;
}

/* Options. */

static void
options_init(struct sflow_options *o, const char *target, const char *agent)
{
    memset(o, 0, sizeof *o);
    sset_init(&o->targets);
    if (target) {
        sset_add(&o->targets, target);
    }
    o->sampling_rate = 400;
    o->polling_interval = 0;
    o->header_len = 128;
    o->agent = agent ? xstrdup(agent) : NULL;
}

static void
options_destroy(struct sflow_options *o)
{
    sset_destroy(&o->targets);
    free(o->agent);
}

static void
fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = test_random();
    }
}

#define T0 1000000LL

TEST(flow_sample_fields)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    uint8_t hdr[61];

    receiver_open(&r);
    options_init(&o, r.target, "192.0.2.1");
    o.sub_agent_id = 7;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, 5, "p5");
    fill(hdr, sizeof hdr);

    sflow_run(sf, T0);
    struct sflow_sample s = {
        .header = hdr, .header_len = sizeof hdr, .frame_len = 1000,
        .input_ifindex = 5, .output_ifindex = 7, .sampling_rate = 0,
        .drops = 2,
    };
    sflow_received(sf, &s, T0 + 10);
    s.sampling_rate = 100;
    s.drops = 0;
    s.output_ifindex = SFLOW_OUT_DISCARD | SFLOW_DISCARD_ACL;
    sflow_received(sf, &s, T0 + 20);

    size_t n;
    struct dec_dgram *d = recv_all(&r, &n);
    CHECK_EQ(n, 0);                     /* Not yet due. */
    free(d);

    sflow_run(sf, T0 + 1010);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(d[0].agent_type, 1);
    CHECK_MEMEQ(d[0].agent, "\xc0\x00\x02\x01", 4);
    CHECK_EQ(d[0].sub_agent, 7);
    CHECK_EQ(d[0].seq, 1);
    CHECK_EQ(d[0].uptime, 1010);
    CHECK_EQ(d[0].n_samples, 2);

    const struct dec_flow *f = &d[0].samples[0].f;
    CHECK(d[0].samples[0].is_flow);
    CHECK(!f->expanded);
    CHECK_EQ(f->seq, 1);
    CHECK_EQ(f->src_type, 0);
    CHECK_EQ(f->src_index, 5);
    CHECK_EQ(f->rate, 400);
    CHECK_EQ(f->pool, 400 * 3);
    CHECK_EQ(f->drops, 2);
    CHECK_EQ(f->in_fmt, 0);
    CHECK_EQ(f->in_val, 5);
    CHECK_EQ(f->out_fmt, 0);
    CHECK_EQ(f->out_val, 7);
    CHECK_EQ(f->proto, 1);
    CHECK_EQ(f->frame_len, 1004);
    CHECK_EQ(f->stripped, 4);
    CHECK_EQ(f->hdr_len, 61);
    CHECK_MEMEQ(f->hdr, hdr, 61);

    f = &d[0].samples[1].f;
    CHECK_EQ(f->seq, 2);
    CHECK_EQ(f->rate, 100);
    CHECK_EQ(f->pool, 1300);
    CHECK_EQ(f->drops, 2);
    CHECK_EQ(f->out_fmt, 1);
    CHECK_EQ(f->out_val, 258);
    free(d);

    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.samples_received, 2);
    CHECK_EQ(st.flow_samples, 2);
    CHECK_EQ(st.datagrams, 1);
    CHECK_EQ(st.datagrams_sent, 1);
    CHECK_EQ(st.datagrams_dropped, 0);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

TEST(expanded_and_truncated)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    uint8_t hdr[200];
    const uint32_t big = 0x01234567;

    receiver_open(&r);
    options_init(&o, r.target, "10.1.2.3");
    o.header_len = 64;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, big, "big");
    sflow_add_port(sf, 9, "small");
    fill(hdr, sizeof hdr);

    struct sflow_sample s = {
        .header = hdr, .header_len = sizeof hdr, .frame_len = 100,
        .input_ifindex = big, .output_ifindex = SFLOW_OUT_MULTIPLE | 3,
        .sampling_rate = 7,
    };
    sflow_received(sf, &s, T0);
    s.input_ifindex = 9;
    s.header_len = 3;                   /* Padded to 4. */
    s.frame_len = 1;                    /* Less than the header: raised. */
    s.output_ifindex = SFLOW_OUT_MULTIPLE;
    sflow_received(sf, &s, T0);
    s.header = NULL;
    s.header_len = 0;
    sflow_received(sf, &s, T0);
    s.input_ifindex = 10;               /* Not a data source. */
    sflow_received(sf, &s, T0);
    s.input_ifindex = 0;
    sflow_received(sf, &s, T0);
    sflow_run(sf, T0 + 1000);

    size_t n;
    struct dec_dgram *d = recv_all(&r, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(d[0].n_samples, 3);
    const struct dec_flow *f = &d[0].samples[0].f;
    CHECK(f->expanded);
    CHECK_EQ(f->src_type, 0);
    CHECK_EQ(f->src_index, big);
    CHECK_EQ(f->in_fmt, 0);
    CHECK_EQ(f->in_val, big);
    CHECK_EQ(f->out_fmt, 2);
    CHECK_EQ(f->out_val, 3);
    CHECK_EQ(f->hdr_len, 64);
    CHECK_MEMEQ(f->hdr, hdr, 64);
    CHECK_EQ(f->frame_len, 104);
    CHECK_EQ(f->seq, 1);

    f = &d[0].samples[1].f;
    CHECK(!f->expanded);
    CHECK_EQ(f->seq, 1);                /* Per data source. */
    CHECK_EQ(f->src_index, 9);
    CHECK_EQ(f->out_fmt, 2);
    CHECK_EQ(f->out_val, 0);
    CHECK_EQ(f->hdr_len, 3);
    CHECK_EQ(f->frame_len, 3 + 4);
    CHECK_MEMEQ(f->hdr, hdr, 3);

    f = &d[0].samples[2].f;
    CHECK_EQ(f->seq, 2);
    CHECK_EQ(f->hdr_len, 0);
    CHECK_EQ(f->pool, 14);
    free(d);

    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.samples_received, 5);
    CHECK_EQ(st.samples_unknown_input, 2);

    /* A deleted port's samples are unknown too; re-adding starts over. */
    sflow_del_port(sf, 9);
    s.input_ifindex = 9;
    sflow_received(sf, &s, T0 + 2000);
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.samples_unknown_input, 3);
    sflow_add_port(sf, 9, "again");
    sflow_received(sf, &s, T0 + 2000);
    sflow_run(sf, T0 + 3000);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(d[0].n_samples, 1);
    CHECK_EQ(d[0].samples[0].f.seq, 1);
    CHECK_EQ(d[0].seq, 2);
    free(d);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

TEST(flush_by_size_and_time)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    uint8_t hdr[128];

    receiver_open(&r);
    options_init(&o, r.target, "::1");
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, 1, "p1");
    fill(hdr, sizeof hdr);

    struct sflow_sample s = {
        .header = hdr, .header_len = sizeof hdr, .frame_len = 1500,
        .input_ifindex = 1, .output_ifindex = 2, .sampling_rate = 1,
    };
    /* Each sample is 8 + 32 + 24 + 128 = 192 bytes: seven fit in 1400
     * with a 40-byte header, the eighth starts a new datagram. */
    for (int i = 0; i < 20; i++) {
        sflow_received(sf, &s, T0 + i);
    }
    size_t n;
    struct dec_dgram *d = recv_all(&r, &n);
    CHECK_EQ(n, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(d[i].agent_type, 2);
        CHECK_MEMEQ(d[i].agent, &in6addr_loopback, 16);
        CHECK_EQ(d[i].seq, i + 1);
        CHECK_EQ(d[i].n_samples, 7);
        CHECK_EQ(d[i].len, 40 + 7 * 192);
        for (size_t j = 0; j < 7; j++) {
            CHECK_EQ(d[i].samples[j].f.seq, i * 7 + j + 1);
        }
    }
    free(d);

    /* Six samples left, the first queued at T0 + 14: due at T0 + 1014. */
    sflow_run(sf, T0 + 1013);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 0);
    free(d);
    sflow_run(sf, T0 + 1014);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(d[0].n_samples, 6);
    CHECK_EQ(d[0].uptime, 1014);
    CHECK_EQ(d[0].seq, 3);
    free(d);

    /* A sample received late enough flushes itself. */
    sflow_received(sf, &s, T0 + 5000);
    sflow_received(sf, &s, T0 + 6000);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(d[0].n_samples, 2);
    free(d);

    /* Nothing pending: run sends nothing. */
    sflow_run(sf, T0 + 100000);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 0);
    free(d);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

/* Counters. */

struct counter_aux {
    int calls;
    uint32_t fail_ifindex;
    uint32_t seed;
    long long int *poll_times;          /* Indexed by ifindex. */
    long long int now;
};

static void
make_counters(uint32_t ifindex, uint32_t seed, struct sflow_if_counters *c)
{
    uint32_t x = ifindex * 2654435761u + seed;
#define NEXT (x = x * 1103515245u + 12345u)
    c->if_speed = 10000000000ULL + ifindex;
    c->if_direction = 1;
    c->if_status = 3;
    c->in_octets = (uint64_t) NEXT << 32;
    c->in_octets |= NEXT;
    c->in_ucast_pkts = NEXT;
    c->in_multicast_pkts = NEXT;
    c->in_broadcast_pkts = NEXT;
    c->in_discards = NEXT;
    c->in_errors = NEXT;
    c->in_unknown_protos = NEXT;
    c->out_octets = (uint64_t) NEXT << 32;
    c->out_octets |= NEXT;
    c->out_ucast_pkts = NEXT;
    c->out_multicast_pkts = NEXT;
    c->out_broadcast_pkts = NEXT;
    c->out_discards = NEXT;
    c->out_errors = NEXT;
    c->promiscuous = 2;
    c->dot3_fcs_errors = NEXT;
    c->dot3_symbol_errors = NEXT;
    c->ethernet = ifindex % 3 != 0;
#undef NEXT
}

static bool
counters_cb(void *aux_, uint32_t ifindex, struct sflow_if_counters *c)
{
    struct counter_aux *aux = aux_;

    aux->calls++;
    if (aux->poll_times) {
        aux->poll_times[ifindex] = aux->now;
    }
    if (ifindex == aux->fail_ifindex) {
        return false;
    }
    make_counters(ifindex, aux->seed, c);
    return true;
}

static void
check_counters(const struct dec_counters *k, uint32_t seed)
{
    struct sflow_if_counters c;

    sflow_if_counters_init(&c);
    make_counters(k->src_index, seed, &c);
    CHECK_EQ(k->src_type, 0);
    CHECK_EQ(k->ifindex, k->src_index);
    CHECK_EQ(k->if_type, 6);
    CHECK_U64_EQ(k->if_speed, c.if_speed);
    CHECK_EQ(k->if_direction, 1);
    CHECK_EQ(k->if_status, 3);
    CHECK_U64_EQ(k->in_octets, c.in_octets);
    CHECK_EQ(k->in32[0], c.in_ucast_pkts);
    CHECK_EQ(k->in32[1], c.in_multicast_pkts);
    CHECK_EQ(k->in32[2], c.in_broadcast_pkts);
    CHECK_EQ(k->in32[3], c.in_discards);
    CHECK_EQ(k->in32[4], c.in_errors);
    CHECK_EQ(k->in32[5], c.in_unknown_protos);
    CHECK_U64_EQ(k->out_octets, c.out_octets);
    CHECK_EQ(k->out32[0], c.out_ucast_pkts);
    CHECK_EQ(k->out32[1], c.out_multicast_pkts);
    CHECK_EQ(k->out32[2], c.out_broadcast_pkts);
    CHECK_EQ(k->out32[3], c.out_discards);
    CHECK_EQ(k->out32[4], c.out_errors);
    CHECK_EQ(k->promisc, 2);
    CHECK_EQ(k->has_eth, c.ethernet);
    if (k->has_eth) {
        /* Unknown Ethernet counters are all-ones, as the spec says. */
        CHECK_U64_EQ(k->eth[0], UINT32_MAX);
        CHECK_U64_EQ(k->eth[1], c.dot3_fcs_errors);
        for (int i = 2; i < 12; i++) {
            CHECK_U64_EQ(k->eth[i], UINT32_MAX);
        }
        CHECK_U64_EQ(k->eth[12], c.dot3_symbol_errors);
    }
}

TEST(counter_samples)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    struct counter_aux aux = { .fail_ifindex = 4, .seed = 99 };

    receiver_open(&r);
    options_init(&o, r.target, "192.0.2.9");
    o.polling_interval = 5;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_set_counters_cb(sf, counters_cb, &aux);
    sflow_add_port(sf, 3, "p3");        /* No Ethernet record. */
    sflow_add_port(sf, 4, "p4");        /* Callback fails. */
    sflow_add_port(sf, 5, "p5");
    sflow_add_port(sf, 0x2000000, "big");

    /* Over 3 intervals, stepping 100 ms, each port is read 3 times. */
    size_t n_samples[4] = { 0 };
    uint32_t last_seq[4] = { 0 };
    for (long long int t = T0; t < T0 + 15000; t += 100) {
        sflow_run(sf, t);
    }
    /* Polling interval 0: no more reads; the last samples go out. */
    o.polling_interval = 0;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_run(sf, T0 + 16000);
    size_t n;
    struct dec_dgram *d = recv_all(&r, &n);
    CHECK_GE(n, 1);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d[i].n_samples; j++) {
            const struct dec_sample *s = &d[i].samples[j];
            CHECK(!s->is_flow);
            check_counters(&s->c, aux.seed);
            uint32_t idx = s->c.src_index;
            int k = idx == 3 ? 0 : idx == 5 ? 2 : idx == 0x2000000 ? 3 : -1;
            CHECK_MSG(k >= 0, "unexpected source %"PRIu32, idx);
            CHECK_EQ(s->c.expanded, idx == 0x2000000);
            CHECK_EQ(s->c.seq, last_seq[k] + 1);
            last_seq[k] = s->c.seq;
            n_samples[k]++;
        }
    }
    free(d);
    CHECK_EQ(n_samples[0], 3);
    CHECK_EQ(n_samples[1], 0);
    CHECK_EQ(n_samples[2], 3);
    CHECK_EQ(n_samples[3], 3);
    CHECK_EQ(aux.calls, 12);

    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.counter_samples, 9);
    CHECK_EQ(st.counter_failures, 3);

    for (long long int t = T0 + 16000; t < T0 + 40000; t += 1000) {
        sflow_run(sf, t);
    }
    CHECK_EQ(aux.calls, 12);
    d = recv_all(&r, &n);
    CHECK_EQ(n, 0);
    free(d);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

TEST(polling_staggered)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    long long int first[33], second[33];
    struct counter_aux aux = { .fail_ifindex = UINT32_MAX,
                               .poll_times = first };

    receiver_open(&r);
    options_init(&o, r.target, "192.0.2.9");
    o.polling_interval = 20;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_set_counters_cb(sf, counters_cb, &aux);
    for (uint32_t i = 1; i <= 32; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%"PRIu32, i);
        sflow_add_port(sf, i, name);
        first[i] = second[i] = -1;
    }

    long long int t;
    for (t = T0; t < T0 + 20000; t += 50) {
        aux.now = t;
        sflow_run(sf, t);
    }
    CHECK_EQ(aux.calls, 32);
    /* Spread over the interval: not all in one second. */
    int per_second[20] = { 0 };
    for (int i = 1; i <= 32; i++) {
        CHECK_GE(first[i], T0);
        per_second[(first[i] - T0) / 1000]++;
    }
    int busy = 0, max = 0;
    for (int i = 0; i < 20; i++) {
        busy += per_second[i] > 0;
        max = MAX(max, per_second[i]);
    }
    CHECK_GE(busy, 8);
    CHECK_LE(max, 8);

    /* The second round keeps each port's place in the interval. */
    aux.poll_times = second;
    for (; t < T0 + 40000; t += 50) {
        aux.now = t;
        sflow_run(sf, t);
    }
    CHECK_EQ(aux.calls, 64);
    for (int i = 1; i <= 32; i++) {
        CHECK_GE(second[i] - first[i], 20000 - 50);
        CHECK_LE(second[i] - first[i], 20000 + 50);
    }

    /* A long stall skips missed polls rather than bursting. */
    aux.poll_times = NULL;
    sflow_run(sf, T0 + 200000);
    CHECK_LE(aux.calls, 64 + 32);
    int calls = aux.calls;
    sflow_run(sf, T0 + 200001);
    CHECK_LE(aux.calls, calls + 1);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

/* Options. */

TEST(option_errors)
{
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    char *error;

    CHECK(!sflow_is_configured(sf));
    options_init(&o, "127.0.0.1:9", "192.0.2.77");
    o.sampling_rate = 7;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    CHECK(sflow_is_configured(sf));
    CHECK_EQ(sflow_get_sampling_rate(sf), 7);

    o.header_len = 0;
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "header length"));
    free(error);
    o.header_len = 257;
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "header length"));
    free(error);
    o.header_len = 256;

    o.sampling_rate = 0;
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "sampling rate"));
    free(error);
    /* A refused change keeps the rate in effect. */
    CHECK_EQ(sflow_get_sampling_rate(sf), 7);
    o.sampling_rate = 1;

    /* UDP only. */
    sset_add(&o.targets, "tcp:127.0.0.1:6343");
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "UDP only"));
    free(error);
    sset_find_and_delete(&o.targets, "tcp:127.0.0.1:6343");

    o.polling_interval = SFLOW_MAX_POLLING_INTERVAL + 1;
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "polling interval"));
    free(error);
    o.polling_interval = SFLOW_MAX_POLLING_INTERVAL;

    static const char *const bad_agents[] = {
        "nosuchdev0", "a-device-name-far-too-long", "1.2.3.4.5", "[::1",
        "[1.2.3.4]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad_agents); i++) {
        free(o.agent);
        o.agent = xstrdup(bad_agents[i]);
        error = sflow_set_options(sf, &o);
        CHECK_MSG(error && strstr(error, bad_agents[i]),
                  "agent %s: %s", bad_agents[i], error ? error : "(none)");
        free(error);
    }

    /* Nothing changed by the errors. */
    struct ds s = DS_EMPTY_INITIALIZER;
    sflow_format_status(sf, &s);
    CHECK(strstr(ds_cstr(&s), "sFlow agent: 192.0.2.77"));
    CHECK(strstr(ds_cstr(&s), "header 128 bytes"));
    CHECK(strstr(ds_cstr(&s), "sampling rate 1/7"));
    ds_destroy(&s);

    /* A device name: lo is 127.0.0.1 (every network namespace has it). */
    free(o.agent);
    o.agent = xstrdup("lo");
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_format_status(sf, &s);
    CHECK_MSG(strstr(ds_cstr(&s), "sFlow agent: 127.0.0.1 (agent=lo)"),
              "%s", ds_cstr(&s));
    CHECK(strstr(ds_cstr(&s), "header 256 bytes"));
    ds_destroy(&s);

    /* No agent: the route to the first target. */
    free(o.agent);
    o.agent = NULL;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    ds_init(&s);
    sflow_format_status(sf, &s);
    CHECK_MSG(strstr(ds_cstr(&s), "sFlow agent: 127.0.0.1,"), "%s",
              ds_cstr(&s));
    ds_destroy(&s);

    /* A bad target among good ones: named, the others used. */
    sset_add(&o.targets, "not-an-ip:1");
    sset_add(&o.targets, "127.0.0.1:10");
    error = sflow_set_options(sf, &o);
    CHECK(error && strstr(error, "not-an-ip:1"));
    free(error);
    ds_init(&s);
    sflow_format_status(sf, &s);
    CHECK_MSG(strstr(ds_cstr(&s), "targets (2 of 3 open)"), "%s",
              ds_cstr(&s));
    CHECK(strstr(ds_cstr(&s), "127.0.0.1:10"));
    ds_destroy(&s);

    /* No targets: agent 0.0.0.0, nothing sent, no error. */
    sset_clear(&o.targets);
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, 1, "p");
    struct sflow_sample smp = { .input_ifindex = 1, .frame_len = 60 };
    sflow_received(sf, &smp, T0);
    sflow_run(sf, T0 + 1000);
    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.datagrams, 1);
    CHECK_EQ(st.datagrams_sent, 0);

    /* Ports: ifindex 0 is refused. */
    sflow_add_port(sf, 0, "zero");
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.ports_refused, 1);

    sflow_destroy(sf);
    options_destroy(&o);
}

TEST(options_change_keeps_pending)
{
    struct receiver r1, r2;
    struct sflow_options o;
    struct sflow *sf = sflow_create();

    receiver_open(&r1);
    receiver_open(&r2);
    options_init(&o, r1.target, "192.0.2.1");
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, 1, "p1");
    struct sflow_sample s = { .input_ifindex = 1, .frame_len = 64 };
    sflow_received(sf, &s, T0);

    /* New target and agent before the flush: the pending sample goes to
     * the new target with the new agent. */
    sset_clear(&o.targets);
    sset_add(&o.targets, r2.target);
    free(o.agent);
    o.agent = xstrdup("198.51.100.1");
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_run(sf, T0 + 1000);

    size_t n;
    struct dec_dgram *d = recv_all(&r1, &n);
    CHECK_EQ(n, 0);
    free(d);
    d = recv_all(&r2, &n);
    CHECK_EQ(n, 1);
    CHECK_MEMEQ(d[0].agent, "\xc6\x33\x64\x01", 4);
    CHECK_EQ(d[0].n_samples, 1);
    free(d);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r1.fd);
    close(r2.fd);
}

TEST(collector_down)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();

    /* A port nobody listens on: open one, note it, close it. */
    receiver_open(&r);
    close(r.fd);
    options_init(&o, r.target, "127.0.0.1");
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_add_port(sf, 1, "p1");

    struct sflow_sample s = { .input_ifindex = 1, .frame_len = 64 };
    for (int i = 0; i < 5; i++) {
        sflow_received(sf, &s, T0 + i * 2000);
        sflow_run(sf, T0 + i * 2000 + 1000);
    }
    struct sflow_stats st;
    sflow_get_stats(sf, &st);
    CHECK_EQ(st.datagrams, 5);
    CHECK_EQ(st.datagrams_sent + st.datagrams_dropped, 5);
    CHECK_GE(st.datagrams_dropped, 2);

    struct ds ds = DS_EMPTY_INITIALIZER;
    sflow_format_status(sf, &ds);
    CHECK_MSG(test_regex_match(ds_cstr(&ds), "dropped [2-5]"), "%s",
              ds_cstr(&ds));
    CHECK(strstr(ds_cstr(&ds), "Connection refused"));
    CHECK(strstr(ds_cstr(&ds), "samples received 5"));
    CHECK(strstr(ds_cstr(&ds), "flow samples sent 5"));
    ds_destroy(&ds);

    sflow_destroy(sf);
    options_destroy(&o);
}

/* tshark. */

struct exp_flow {
    uint32_t seq, src, rate, pool, drops, in, out, frame_len, hdr_len;
    uint8_t dmac[6], smac[6];
    uint32_t ip_src, ip_dst;
    uint8_t ip_proto;
    uint16_t sport, dport;
};

static void
put_be16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static void
put_be32(uint8_t *p, uint32_t x)
{
    put_be16(p, x >> 16);
    put_be16(p + 2, x);
}

/* Builds a random Ethernet/IPv4/TCP-or-UDP frame of LEN bytes in P. */
static void
random_frame(uint8_t *p, size_t len, struct exp_flow *e)
{
    fill(p, len);
    fill(e->dmac, 6);
    fill(e->smac, 6);
    e->smac[0] &= ~1;
    e->dmac[0] &= ~1;
    memcpy(p, e->dmac, 6);
    memcpy(p + 6, e->smac, 6);
    put_be16(p + 12, 0x0800);
    uint8_t *ip = p + 14;
    e->ip_src = 0x0a000000 | (test_random() & 0xffffff);
    e->ip_dst = 0xac100000 | (test_random() & 0xfffff);
    e->ip_proto = test_random() & 1 ? 6 : 17;
    ip[0] = 0x45;
    ip[1] = 0;
    put_be16(ip + 2, len - 14);
    put_be16(ip + 6, 0x4000);
    ip[8] = 1 + test_random() % 254;
    ip[9] = e->ip_proto;
    put_be16(ip + 10, 0);
    put_be32(ip + 12, e->ip_src);
    put_be32(ip + 16, e->ip_dst);
    plx_be16 c = csum(ip, 20);
    memcpy(ip + 10, &c, 2);
    uint8_t *l4 = ip + 20;
    e->sport = 50000 + test_random() % 10000;
    e->dport = 50000 + test_random() % 10000;
    put_be16(l4, e->sport);
    put_be16(l4 + 2, e->dport);
    if (e->ip_proto == 17) {
        put_be16(l4 + 4, len - 34);
        put_be16(l4 + 6, 0);
    } else {
        l4[12] = 0x50;                  /* Data offset 5. */
        l4[13] = 0x10;                  /* ACK. */
    }
}

static void
format_mac(char *buf, const uint8_t m[6])
{
    sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x",
            m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void
format_ip(char *buf, uint32_t ip)
{
    sprintf(buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
            (ip >> 8) & 0xff, ip & 0xff);
}

/* tshark's FIELDS ("-e NAME ...") of every packet in FILE, one line per
 * packet, tab-separated, repeated values comma-separated. */
static char *
tshark_fields(const char *file, const char *fields)
{
    char *args = xasprintf("-T fields -E separator=/t -E aggregator=, %s",
                           fields);
    char *text = test_tshark(file, args);
    free(args);
    return text;
}

#define N_PORTS 6
TEST(tshark_property)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    struct counter_aux aux = { .fail_ifindex = UINT32_MAX,
                               .seed = test_random() };
    static const uint32_t ports[N_PORTS] = {
        1, 2, 77, 4000, 0xffffff, 0x1000000,
    };

    receiver_open(&r);
    options_init(&o, r.target, "203.0.113.5");
    o.header_len = 64 + test_random() % 193;
    o.sub_agent_id = test_random();
    o.polling_interval = 1;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_set_counters_cb(sf, counters_cb, &aux);
    for (int i = 0; i < N_PORTS; i++) {
        sflow_add_port(sf, ports[i], "p");
    }

    /* The expected flow samples in order (the datagrams preserve it). */
    enum { N_FLOWS = 300 };
    struct exp_flow *exp = xcalloc(N_FLOWS, sizeof *exp);
    uint32_t seq[N_PORTS] = { 0 }, pool[N_PORTS] = { 0 };
    uint32_t drops[N_PORTS] = { 0 };
    long long int now = T0;
    for (int i = 0; i < N_FLOWS; i++) {
        struct exp_flow *e = &exp[i];
        int pi = test_random() % N_PORTS;
        uint8_t frame[1600];
        size_t frame_len = 60 + test_random() % 1455;
        size_t header_len = 54 + test_random() % 250;
        random_frame(frame, frame_len, e);

        struct sflow_sample s = {
            .header = frame,
            .header_len = MIN(frame_len, header_len),
            .frame_len = frame_len,
            .input_ifindex = ports[pi],
            .sampling_rate = 1 + test_random() % 100000,
            .drops = test_random() % 4 ? 0 : test_random() % 10,
        };
        switch (test_random() % 4) {
        case 0: s.output_ifindex = ports[test_random() % N_PORTS]; break;
        case 1: s.output_ifindex = SFLOW_OUT_MULTIPLE | 4; break;
        case 2: s.output_ifindex = SFLOW_OUT_DISCARD | 258; break;
        default: s.output_ifindex = 0; break;
        }
        e->seq = ++seq[pi];
        e->src = ports[pi];
        e->rate = s.sampling_rate;
        drops[pi] += s.drops;
        pool[pi] += s.sampling_rate * (s.drops + 1);
        e->pool = pool[pi];
        e->drops = drops[pi];
        e->in = ports[pi];
        e->out = s.output_ifindex;
        e->frame_len = frame_len + 4;
        e->hdr_len = MIN(s.header_len, o.header_len);

        now += test_random() % 50;
        sflow_received(sf, &s, now);
        sflow_run(sf, now);
    }
    sflow_run(sf, now + 1000);

    /* Capture. */
    char *file = xasprintf("%s/sflow.pcap", test_tmpdir());
    struct pcap_file *pcap;
    CHECK_NO_ERROR(pcap_file_open_write(file, &pcap));
    uint8_t buf[2048];
    int len, n_dgrams = 0, n_counters = 0, n_flows = 0;
    struct ds dgram_exp = DS_EMPTY_INITIALIZER;
    struct ds counter_exp = DS_EMPTY_INITIALIZER;
    while ((len = receiver_recv(&r, buf, sizeof buf)) >= 0) {
        struct dec_dgram d;
        decode_dgram(buf, len, &d);
        test_pcap_write_udp(pcap, SFLOW_DEFAULT_PORT, buf, len, n_dgrams * 1000LL);
        n_dgrams++;
        ds_put_format(&dgram_exp, "%"PRIu32"\t%"PRIu32"\t%"PRIu32"\n",
                      d.seq, d.n_samples, d.uptime);
        for (uint32_t j = 0; j < d.n_samples; j++) {
            if (d.samples[j].is_flow) {
                n_flows++;
                continue;
            }
            check_counters(&d.samples[j].c, aux.seed);
            struct sflow_if_counters c;
            sflow_if_counters_init(&c);
            make_counters(d.samples[j].c.src_index, aux.seed, &c);
            ds_put_format(&counter_exp, "%"PRIu32" %"PRIu64" %"PRIu64
                          " %"PRIu32" %"PRIu32" %"PRIu64" %"PRIu32
                          " %"PRIu32"\n", d.samples[j].c.src_index,
                          c.if_speed, c.in_octets, c.in_ucast_pkts,
                          c.in_errors, c.out_octets, c.out_discards,
                          c.dot3_fcs_errors);
            n_counters++;
        }
    }
    pcap_file_close(pcap);
    CHECK_EQ(n_flows, N_FLOWS);
    CHECK_GE(n_counters, N_PORTS * 5);

    /* Datagram headers. */
    char *text = tshark_fields(file, "-e sflow_245.version -e sflow_245.agent "
                            "-e sflow_245.sub_agent_id "
                            "-e sflow_245.sequence_number "
                            "-e sflow_245.numsamples -e sflow_245.sysuptime");
    struct ds got = DS_EMPTY_INITIALIZER;
    int lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[8];
        CHECK_EQ(test_split(line, '\t', f, 8), 6);
        CHECK_STREQ(f[0], "5");
        CHECK_STREQ(f[1], "203.0.113.5");
        CHECK_EQ(test_parse_u64(f[2]), o.sub_agent_id);
        ds_put_format(&got, "%s\t%s\t%s\n", f[3], f[4], f[5]);
        lines++;
    }
    CHECK_EQ(lines, n_dgrams);
    CHECK_STREQ(ds_cstr(&got), ds_cstr(&dgram_exp));
    free(text);

    /* Flow samples, in order, against what was put in. */
    text = tshark_fields(file,
                      "-e sflow.flow_sample.sequence_number "
                      "-e sflow.flow_sample.output_interface_value "
                      "-e sflow.flow_sample.sampling_rate "
                      "-e sflow.flow_sample.sample_pool "
                      "-e sflow.flow_sample.dropped_packets "
                      "-e sflow_245.header.frame_length "
                      "-e sflow_245.header.payload_stripped "
                      "-e sflow_245.header.sampled_header_length "
                      "-e eth.dst -e eth.src -e ip.src -e ip.dst "
                      "-e ip.proto -e tcp.srcport -e udp.srcport "
                      "-e sflow_245.header_protocol");
    int k = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[16], *v[16][MAX_DEC_SAMPLES + 1];
        size_t nv[16];
        char *copy = xstrdup(line);
        CHECK_EQ(test_split(line, '\t', f, 16), 16);
        for (int i = 0; i < 16; i++) {
            nv[i] = f[i][0] ? test_split(f[i], ',', v[i], MAX_DEC_SAMPLES + 1)
                            : 0;
        }
        size_t nf = nv[0];
        for (int i = 0; i < 8; i++) {
            CHECK_MSG(nv[i] == nf, "field %d: %zu values, not %zu: %s",
                      i, nv[i], nf, copy);
        }
        free(copy);
        /* eth/ip: the outer headers first, then one per sample. */
        CHECK_EQ(nv[8], nf + 1);
        CHECK_EQ(nv[10], nf + 1);
        CHECK_EQ(nv[12], nf + 1);
        CHECK_EQ(nv[13] + nv[14], nf + 1);
        size_t ti = 0, ui = 1;
        for (size_t j = 0; j < nf; j++, k++) {
            CHECK_LT(k, N_FLOWS);
            const struct exp_flow *e = &exp[k];
            char s[32];
            CHECK_EQ(test_parse_u64(v[0][j]), e->seq);
            CHECK_EQ(test_parse_u64(v[1][j]), e->out & 0x3fffffff);
            CHECK_EQ(test_parse_u64(v[2][j]), e->rate);
            CHECK_EQ(test_parse_u64(v[3][j]), e->pool);
            CHECK_EQ(test_parse_u64(v[4][j]), e->drops);
            CHECK_EQ(test_parse_u64(v[5][j]), e->frame_len);
            CHECK_EQ(test_parse_u64(v[6][j]), 4);
            CHECK_EQ(test_parse_u64(v[7][j]), e->hdr_len);
            CHECK_EQ(test_parse_u64(v[15][j]), 1);
            format_mac(s, e->dmac);
            CHECK_STREQ(v[8][j + 1], s);
            format_mac(s, e->smac);
            CHECK_STREQ(v[9][j + 1], s);
            format_ip(s, e->ip_src);
            CHECK_STREQ(v[10][j + 1], s);
            format_ip(s, e->ip_dst);
            CHECK_STREQ(v[11][j + 1], s);
            CHECK_EQ(test_parse_u64(v[12][j + 1]), e->ip_proto);
            if (e->ip_proto == 6) {
                CHECK_LT(ti, nv[13]);
                CHECK_EQ(test_parse_u64(v[13][ti++]), e->sport);
            } else {
                CHECK_LT(ui, nv[14]);
                CHECK_EQ(test_parse_u64(v[14][ui++]), e->sport);
            }
        }
    }
    CHECK_EQ(k, N_FLOWS);
    free(text);

    /* Source, input and output format: tshark names the compact and
     * the expanded samples' fields differently; each sample has exactly
     * one of each pair. */
    static const char *const pairs[3][2] = {
        { "sflow.flow_sample.index", "sflow.flow_sample.source_id_index" },
        { "sflow.flow_sample.input_interface",
          "sflow.flow_sample.input_interface_value" },
        { "sflow.flow_sample.output_interface_format",
          "sflow.flow_sample.output_interface.format" },
    };
    for (int pi = 0; pi < 3; pi++) {
        char *fields = xasprintf("-e %s -e %s", pairs[pi][0], pairs[pi][1]);
        text = tshark_fields(file, fields);
        free(fields);
        k = 0;
        for (char *line = strtok(text, "\n"); line;
             line = strtok(NULL, "\n")) {
            char *f[2], *v[2][MAX_DEC_SAMPLES + 1];
            size_t nv[2];
            CHECK_EQ(test_split(line, '\t', f, 2), 2);
            for (int i = 0; i < 2; i++) {
                nv[i] = (f[i][0]
                         ? test_split(f[i], ',', v[i], MAX_DEC_SAMPLES + 1) : 0);
            }
            size_t c = 0, x = 0;
            for (; c + x < nv[0] + nv[1]; k++) {
                CHECK_LT(k, N_FLOWS);
                bool expanded = exp[k].src >= 0x1000000;
                uint32_t want = (pi == 0 ? exp[k].src
                                 : pi == 1 ? exp[k].in : exp[k].out >> 30);
                if (expanded) {
                    CHECK_LT(x, nv[1]);
                    CHECK_EQ(test_parse_u64(v[1][x++]), want);
                } else {
                    CHECK_LT(c, nv[0]);
                    CHECK_EQ(test_parse_u64(v[0][c++]), want);
                }
            }
        }
        CHECK_EQ(k, N_FLOWS);
        free(text);
    }

    /* Counter samples. */
    text = tshark_fields(file, "-e sflow.counters_sample.source_id_index "
                      "-e sflow_245.ifspeed -e sflow_245.ifinoct "
                      "-e sflow_245.ifinpkt -e sflow_245.ifinerr "
                      "-e sflow_245.ifoutoct -e sflow_245.ifoutdisc "
                      "-e sflow_245.dot3StatsFCSErrors");
    ds_clear(&got);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[8], *v[8][MAX_DEC_SAMPLES + 1];
        size_t nv[8];
        CHECK_EQ(test_split(line, '\t', f, 8), 8);
        for (int i = 0; i < 8; i++) {
            nv[i] = f[i][0] ? test_split(f[i], ',', v[i], MAX_DEC_SAMPLES + 1)
                            : 0;
        }
        size_t ei = 0;
        for (size_t j = 0; j < nv[0]; j++) {
            uint32_t idx = test_parse_u64(v[0][j]);
            const char *fcs = "4294967295";
            if (idx % 3 != 0) {
                CHECK_LT(ei, nv[7]);
                fcs = v[7][ei++];
            }
            ds_put_format(&got, "%s %s %s %s %s %s %s %s\n", v[0][j],
                          v[1][j], v[2][j], v[3][j], v[4][j], v[5][j],
                          v[6][j], fcs);
        }
    }
    /* Ports with no Ethernet record (ifindex % 3 == 0) show all-ones
     * from the expected side too. */
    struct ds want = DS_EMPTY_INITIALIZER;
    char *exp_text = ds_steal_cstr(&counter_exp);
    for (char *line = strtok(exp_text, "\n"); line;
         line = strtok(NULL, "\n")) {
        char *f[8];
        CHECK_EQ(test_split(line, ' ', f, 8), 8);
        bool eth = test_parse_u64(f[0]) % 3 != 0;
        ds_put_format(&want, "%s %s %s %s %s %s %s %s\n", f[0], f[1], f[2],
                      f[3], f[4], f[5], f[6], eth ? f[7] : "4294967295");
    }
    CHECK_STREQ(ds_cstr(&got), ds_cstr(&want));
    free(exp_text);
    ds_destroy(&want);
    ds_destroy(&got);
    ds_destroy(&dgram_exp);
    free(text);

    free(exp);
    free(file);
    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}

TEST(status_format)
{
    struct receiver r;
    struct sflow_options o;
    struct sflow *sf = sflow_create();
    struct counter_aux aux = { .fail_ifindex = UINT32_MAX };

    receiver_open(&r);
    options_init(&o, r.target, "192.0.2.1");
    o.polling_interval = 10;
    CHECK_NO_ERROR(sflow_set_options(sf, &o));
    sflow_set_counters_cb(sf, counters_cb, &aux);
    sflow_add_port(sf, 1, "p1");
    struct sflow_sample s = { .input_ifindex = 1, .frame_len = 64 };
    sflow_run(sf, T0);
    sflow_received(sf, &s, T0);
    sflow_run(sf, T0 + 10000);          /* Polls, then sends both. */

    struct ds ds = DS_EMPTY_INITIALIZER;
    sflow_format_status(sf, &ds);
    const char *t = ds_cstr(&ds);
    CHECK_MSG(strstr(t, "sFlow agent: 192.0.2.1 (agent=192.0.2.1), "
                     "sub-agent 0\n"), "%s", t);
    CHECK_MSG(strstr(t, "polling interval 10 s"), "%s", t);
    CHECK_MSG(strstr(t, "1 data sources"), "%s", t);
    CHECK_MSG(strstr(t, r.target), "%s", t);
    CHECK_MSG(strstr(t, "samples received 1, unknown input port 0, flow "
                     "samples sent 1\n"), "%s", t);
    CHECK_MSG(strstr(t, "counter samples sent 1, counter reads failed 0"),
              "%s", t);
    CHECK_MSG(test_regex_match(t, "datagrams 1 \\(sequence 1\\), sent 1, "
                               "dropped 0; 0 samples pending"), "%s", t);
    ds_destroy(&ds);

    sflow_destroy(sf);
    options_destroy(&o);
    close(r.fd);
}
