/* Tests for datapath/conntrack: crafted packets through
 * conntrack_execute(), checking ct_state and the other metadata, the
 * table (limits, zones, flush, expiry, 100,000 connections), dump text
 * and flush-tuple parsing. */
#include <config.h>
#include "datapath/conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "csum.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "packets.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Packet crafting. */

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"
#define A6 "fc00::1"
#define B6 "fc00::2"

static plx_be32
ip4(const char *s)
{
    plx_be32 ip;
    CHECK(ip_parse(s, &ip));
    return ip;
}

static struct in6_addr
ip6(const char *s)
{
    struct in6_addr a;
    CHECK(ipv6_parse(s, &a));
    return a;
}

/* Fills in the L4 checksum of the PROTO segment at L4 (LEN bytes). */
static void
fix_l4_csum(bool v6, const void *l3, uint8_t proto, uint8_t *l4, size_t len)
{
    plx_be16 *field;

    if (proto == IPPROTO_TCP) {
        field = &((struct tcp_header *) l4)->tcp_csum;
    } else if (proto == IPPROTO_UDP) {
        field = &((struct udp_header *) l4)->udp_csum;
    } else if (proto == IPPROTO_ICMP) {
        field = &((struct icmp_header *) l4)->icmp_csum;
        *field = 0;
        *field = csum(l4, len);
        return;
    } else if (proto == IPPROTO_ICMPV6) {
        field = &((struct icmp6_header *) l4)->icmp6_cksum;
    } else {
        return;
    }
    *field = 0;
    if (v6) {
        *field = packet_csum_upperlayer6(l3, l4, proto, len);
    } else {
        const struct ip_header *ip = l3;
        uint32_t partial = csum_pseudoheader4(
            get_16aligned_be32(&ip->ip_src), get_16aligned_be32(&ip->ip_dst),
            proto, len);
        *field = csum_finish(csum_continue(partial, l4, len));
    }
    if (proto == IPPROTO_UDP && !*field) {
        *field = htons(0xffff);
    }
}

/* An Ethernet frame carrying an IPv4 (or, with V6, IPv6) packet from SRC
 * to DST with protocol PROTO and the LEN bytes at L4 as payload, all
 * checksums right, through flow_extract(). */
static struct dp_packet *
ip_packet(bool v6, const char *src, const char *dst, uint8_t proto,
          const void *l4, size_t len)
{
    struct dp_packet *pkt = dp_packet_new(2048);
    struct eth_header *eth = dp_packet_put_zeros(pkt, ETH_HEADER_LEN);
    struct flow flow;
    void *l3;

    eth->eth_type = htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    if (v6) {
        struct ip6_header *ip = dp_packet_put_zeros(pkt, IPV6_HEADER_LEN);
        struct in6_addr s = ip6(src), d = ip6(dst);
        put_16aligned_be32(&ip->ip6_vfl, htonl(6u << 28));
        ip->ip6_payload_len = htons(len);
        ip->ip6_next = proto;
        ip->ip6_hop_limit = 64;
        put_16aligned_in6(&ip->ip6_src, &s);
        put_16aligned_in6(&ip->ip6_dst, &d);
        l3 = ip;
    } else {
        struct ip_header *ip = dp_packet_put_zeros(pkt, IP_HEADER_LEN);
        ip->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip->ip_tot_len = htons(IP_HEADER_LEN + len);
        ip->ip_ttl = 64;
        ip->ip_proto = proto;
        put_16aligned_be32(&ip->ip_src, ip4(src));
        put_16aligned_be32(&ip->ip_dst, ip4(dst));
        ip->ip_csum = csum(ip, IP_HEADER_LEN);
        l3 = ip;
    }
    uint8_t *p = dp_packet_put(pkt, l4, len);
    fix_l4_csum(v6, l3, proto, p, len);
    pkt_metadata_init(&pkt->md, 1);
    flow_extract(pkt, &flow);
    return pkt;
}

static struct dp_packet *
tcp_packet(bool v6, const char *src, uint16_t sport, const char *dst,
           uint16_t dport, uint16_t flags, uint32_t seq, uint32_t ack,
           size_t payload)
{
    uint8_t buf[1500];
    struct tcp_header *tcp = (void *) buf;

    memset(buf, 0, sizeof buf);
    tcp->tcp_src = htons(sport);
    tcp->tcp_dst = htons(dport);
    put_16aligned_be32(&tcp->tcp_seq, htonl(seq));
    put_16aligned_be32(&tcp->tcp_ack, htonl(ack));
    tcp->tcp_ctl = TCP_CTL(flags, 5);
    tcp->tcp_winsz = htons(65535);
    return ip_packet(v6, src, dst, IPPROTO_TCP, buf, TCP_HEADER_LEN + payload);
}

static struct dp_packet *
udp_packet(bool v6, const char *src, uint16_t sport, const char *dst,
           uint16_t dport)
{
    struct udp_header udp[2];

    memset(udp, 0, sizeof udp);
    udp->udp_src = htons(sport);
    udp->udp_dst = htons(dport);
    udp->udp_len = htons(sizeof udp);
    return ip_packet(v6, src, dst, IPPROTO_UDP, udp, sizeof udp);
}

static struct dp_packet *
icmp_echo(bool v6, const char *src, const char *dst, bool request,
          uint16_t id)
{
    struct icmp_header icmp;

    memset(&icmp, 0, sizeof icmp);
    icmp.icmp_type = (v6 ? (request ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY)
                      : (request ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY));
    icmp.icmp_fields.echo.id = htons(id);
    icmp.icmp_fields.echo.seq = htons(1);
    return ip_packet(v6, src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
                     &icmp, sizeof icmp);
}

/* An ICMP(v6) error of TYPE/CODE from SRC to DST quoting QUOTED's IP
 * header and first bytes. */
static struct dp_packet *
icmp_error(bool v6, const char *src, const char *dst, uint8_t type,
           uint8_t code, const struct dp_packet *quoted)
{
    uint8_t buf[256];
    size_t qlen = MIN(dp_packet_l3_size(quoted),
                      (v6 ? IPV6_HEADER_LEN : IP_HEADER_LEN) + 8);

    memset(buf, 0, 8);
    buf[0] = type;
    buf[1] = code;
    memcpy(buf + 8, dp_packet_l3(quoted), qlen);
    return ip_packet(v6, src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
                     buf, 8 + qlen);
}

/* ------------------------------------------------------------------ */
/* Running packets through. */

static struct ct_exec
exec_(uint16_t zone, bool commit)
{
    struct ct_exec e;

    memset(&e, 0, sizeof e);
    e.dl_type = htons(ETH_TYPE_IP);
    e.zone = zone;
    e.commit = commit;
    return e;
}

static struct ct_exec
exec6(uint16_t zone, bool commit)
{
    struct ct_exec e = exec_(zone, commit);
    e.dl_type = htons(ETH_TYPE_IPV6);
    return e;
}

/* Runs PKT through CT as E says at NOW, returns its ct_state, and deletes
 * it unless KEEP. */
static uint16_t
run_keep(struct conntrack *ct, struct dp_packet *pkt, const struct ct_exec *e,
         long long now)
{
    struct dp_packet_batch batch;

    dp_packet_batch_init_packet(&batch, pkt);
    conntrack_execute(ct, &batch, e, now);
    return pkt->md.ct_state;
}

static uint16_t
run(struct conntrack *ct, struct dp_packet *pkt, const struct ct_exec *e,
    long long now)
{
    uint16_t state = run_keep(ct, pkt, e, now);
    dp_packet_delete(pkt);
    return state;
}

#define TRK CS_TRACKED
#define NEW CS_NEW
#define EST CS_ESTABLISHED
#define RPL CS_REPLY_DIR
#define REL CS_RELATED
#define INV CS_INVALID

/* A TCP handshake from A:1234 to B:80 in ZONE, committed. */
static void
handshake(struct conntrack *ct, uint16_t zone, uint32_t *a_seq,
          uint32_t *b_seq)
{
    struct ct_exec e = exec_(zone, true);
    uint32_t a = 1000, b = 5000;

    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_SYN, a, 0, 0),
                 &e, 0), TRK | NEW);
    CHECK_EQ(run(ct, tcp_packet(false, B4, 80, A4, 1234, TCP_SYN | TCP_ACK,
                                b, a + 1, 0), &e, 1), TRK | EST | RPL);
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_ACK, a + 1,
                                b + 1, 0), &e, 2), TRK | EST);
    *a_seq = a + 1;
    *b_seq = b + 1;
}

struct dump_ctx {
    struct ds s;
    int n;
    bool verbose;
    long long now;
};

static void
dump_cb(const struct ct_dump_entry *e, void *ctx_)
{
    struct dump_ctx *ctx = ctx_;
    ct_dump_entry_format(&ctx->s, e, ctx->verbose, ctx->now);
    ds_put_char(&ctx->s, '\n');
    ctx->n++;
}

/* The dump of CT (all zones) as text, one connection a line. */
static char *
dump(struct conntrack *ct, bool verbose, long long now, int *n)
{
    struct dump_ctx ctx = { DS_EMPTY_INITIALIZER, 0, verbose, now };
    conntrack_dump(ct, NULL, dump_cb, &ctx);
    if (n) {
        *n = ctx.n;
    }
    return ds_steal_cstr(&ctx.s);
}

/* ------------------------------------------------------------------ */
/* TCP. */

TEST(tcp_handshake_states)
{
    struct conntrack *ct = conntrack_create();
    uint32_t a, b;

    handshake(ct, 0, &a, &b);
    CHECK_EQ(conntrack_get_nconns(ct), 1);

    /* Data both ways stays established; replies carry +rpl. */
    struct ct_exec e = exec_(0, false);
    struct dp_packet *pkt = tcp_packet(false, A4, 1234, B4, 80,
                                       TCP_ACK | TCP_PSH, a, b, 100);
    CHECK_EQ(run_keep(ct, pkt, &e, 3), TRK | EST);
    CHECK_EQ(pkt->md.ct_nw_proto, IPPROTO_TCP);
    CHECK_EQ(pkt->md.ct_nw_src, ip4(A4));
    CHECK_EQ(pkt->md.ct_nw_dst, ip4(B4));
    CHECK_EQ(ntohs(pkt->md.ct_tp_src), 1234);
    CHECK_EQ(ntohs(pkt->md.ct_tp_dst), 80);
    dp_packet_delete(pkt);

    pkt = tcp_packet(false, B4, 80, A4, 1234, TCP_ACK, b, a + 100, 0);
    CHECK_EQ(run_keep(ct, pkt, &e, 4), TRK | EST | RPL);
    /* The original tuple, even for a reply. */
    CHECK_EQ(pkt->md.ct_nw_src, ip4(A4));
    CHECK_EQ(ntohs(pkt->md.ct_tp_src), 1234);
    dp_packet_delete(pkt);

    char *text = dump(ct, false, 4, NULL);
    CHECK_STREQ(text, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,"
                "dport=80),reply=(src=10.0.0.2,dst=10.0.0.1,sport=80,"
                "dport=1234),protoinfo=(state=ESTABLISHED)\n");
    free(text);
    conntrack_destroy(ct);
}

TEST(tcp_syn_only_is_new_and_syn_sent)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    CHECK_EQ(run(ct, tcp_packet(false, A4, 1, B4, 2, TCP_SYN, 7, 0, 0), &e,
                 0), TRK | NEW);
    /* A retransmitted SYN is still new. */
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1, B4, 2, TCP_SYN, 7, 0, 0), &e,
                 1), TRK | NEW);
    char *text = dump(ct, false, 1, NULL);
    CHECK(strstr(text, "protoinfo=(state=SYN_SENT)"));
    free(text);
    conntrack_destroy(ct);
}

TEST(tcp_no_syn_is_invalid)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);
    struct conntrack_stats stats;

    CHECK_EQ(run(ct, tcp_packet(false, A4, 1, B4, 2, TCP_ACK, 7, 9, 0), &e,
                 0), TRK | INV);
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1, B4, 2, TCP_SYN | TCP_ACK, 7, 9,
                                0), &e, 0), TRK | INV);
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1, B4, 2, TCP_SYN | TCP_FIN, 7, 0,
                                0), &e, 0), TRK | INV);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_invalid, 3);
    conntrack_destroy(ct);
}

TEST(tcp_out_of_window_is_invalid)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, false);
    uint32_t a, b;

    handshake(ct, 0, &a, &b);
    /* Far beyond what B allowed. */
    struct dp_packet *pkt = tcp_packet(false, A4, 1234, B4, 80, TCP_ACK,
                                       a + 1000000, b, 10);
    CHECK_EQ(run_keep(ct, pkt, &e, 3), TRK | INV);
    /* Still the connection's metadata. */
    CHECK_EQ(pkt->md.ct_nw_src, ip4(A4));
    dp_packet_delete(pkt);
    /* Far behind. */
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_ACK,
                                a - 1000000, b, 10), &e, 3), TRK | INV);
    /* Acknowledging data B never sent. */
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_ACK, a,
                                b + 1000000, 0), &e, 3), TRK | INV);
    /* A RST off by a lot. */
    CHECK_EQ(run(ct, tcp_packet(false, B4, 80, A4, 1234, TCP_RST | TCP_ACK,
                                b + 5000, a, 0), &e, 3), TRK | INV);
    /* The connection survives and in-window traffic goes on. */
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_ACK, a, b, 10),
                 &e, 4), TRK | EST);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    conntrack_destroy(ct);
}

TEST(tcp_fin_close_and_reopen)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);
    uint32_t a, b;

    handshake(ct, 0, &a, &b);
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_FIN | TCP_ACK,
                                a, b, 0), &e, 3), TRK | EST);
    char *text = dump(ct, false, 3, NULL);
    CHECK(strstr(text, "state=CLOSING"));
    free(text);
    CHECK_EQ(run(ct, tcp_packet(false, B4, 80, A4, 1234, TCP_FIN | TCP_ACK,
                                b, a + 1, 0), &e, 4), TRK | EST | RPL);
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_ACK, a + 1,
                                b + 1, 0), &e, 5), TRK | EST);
    text = dump(ct, false, 5, NULL);
    CHECK(strstr(text, "state=TIME_WAIT"));
    free(text);

    /* Time-wait ends after tcp_close (30 s by default). */
    text = dump(ct, true, 5, NULL);
    CHECK(strstr(text, ",timeout=30,"));
    free(text);

    /* A new SYN on the closed tuple starts a new connection. */
    CHECK_EQ(run(ct, tcp_packet(false, A4, 1234, B4, 80, TCP_SYN, 90000, 0,
                                0), &e, 6), TRK | NEW);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    text = dump(ct, false, 6, NULL);
    CHECK(strstr(text, "state=SYN_SENT"));
    free(text);
    conntrack_destroy(ct);
}

TEST(tcp_rst_closes)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, false);
    uint32_t a, b;

    handshake(ct, 0, &a, &b);
    CHECK_EQ(run(ct, tcp_packet(false, B4, 80, A4, 1234, TCP_RST, b, 0, 0),
                 &e, 3), TRK | EST | RPL);
    char *text = dump(ct, false, 3, NULL);
    CHECK(strstr(text, "state=TIME_WAIT"));
    free(text);
    conntrack_destroy(ct);
}

TEST(tcp_ipv6)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec6(0, true);

    CHECK_EQ(run(ct, tcp_packet(true, A6, 1, B6, 2, TCP_SYN, 10, 0, 0), &e,
                 0), TRK | NEW);
    struct dp_packet *pkt = tcp_packet(true, B6, 2, A6, 1, TCP_SYN | TCP_ACK,
                                       50, 11, 0);
    CHECK_EQ(run_keep(ct, pkt, &e, 1), TRK | EST | RPL);
    struct in6_addr a6 = ip6(A6);
    CHECK_MEMEQ(&pkt->md.ct_ipv6_src, &a6, sizeof a6);
    CHECK_EQ(pkt->md.ct_nw_src, 0);
    dp_packet_delete(pkt);
    char *text = dump(ct, false, 1, NULL);
    CHECK_STREQ(text, "tcp,orig=(src=fc00::1,dst=fc00::2,sport=1,dport=2),"
                "reply=(src=fc00::2,dst=fc00::1,sport=2,dport=1),"
                "protoinfo=(state=ESTABLISHED)\n");
    free(text);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* UDP, ICMP, related. */

TEST(udp_first_multiple_reply)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    CHECK_EQ(run(ct, udp_packet(false, A4, 5000, B4, 53), &e, 0), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, A4, 5000, B4, 53), &e, 1), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, B4, 53, A4, 5000), &e, 2),
             TRK | EST | RPL);
    CHECK_EQ(run(ct, udp_packet(false, A4, 5000, B4, 53), &e, 3), TRK | EST);
    CHECK_EQ(conntrack_get_nconns(ct), 1);

    /* Uncommitted: nothing stays. */
    struct ct_exec nc = exec_(0, false);
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &nc, 3), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, B4, 2, A4, 1), &nc, 3), TRK | NEW);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    conntrack_destroy(ct);
}

TEST(icmp_echo)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    /* A reply without a request is invalid. */
    CHECK_EQ(run(ct, icmp_echo(false, B4, A4, false, 7), &e, 0), TRK | INV);
    struct dp_packet *pkt = icmp_echo(false, A4, B4, true, 7);
    CHECK_EQ(run_keep(ct, pkt, &e, 0), TRK | NEW);
    CHECK_EQ(pkt->md.ct_nw_proto, IPPROTO_ICMP);
    CHECK_EQ(ntohs(pkt->md.ct_tp_src), ICMP4_ECHO_REQUEST);
    CHECK_EQ(ntohs(pkt->md.ct_tp_dst), 0);
    dp_packet_delete(pkt);
    CHECK_EQ(run(ct, icmp_echo(false, B4, A4, false, 7), &e, 1),
             TRK | EST | RPL);
    /* Another id is another connection. */
    CHECK_EQ(run(ct, icmp_echo(false, B4, A4, false, 8), &e, 1), TRK | INV);
    char *text = dump(ct, false, 1, NULL);
    CHECK_STREQ(text, "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=7,type=8,"
                "code=0),reply=(src=10.0.0.2,dst=10.0.0.1,id=7,type=0,"
                "code=0)\n");
    free(text);

    struct ct_exec e6 = exec6(0, true);
    CHECK_EQ(run(ct, icmp_echo(true, A6, B6, true, 9), &e6, 2), TRK | NEW);
    CHECK_EQ(run(ct, icmp_echo(true, B6, A6, false, 9), &e6, 3),
             TRK | EST | RPL);
    conntrack_destroy(ct);
}

TEST(icmp_error_related)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    struct dp_packet *udp = udp_packet(false, A4, 5000, B4, 9999);
    CHECK_EQ(run_keep(ct, udp, &e, 0), TRK | NEW);

    /* B says port unreachable, quoting A's datagram. */
    struct dp_packet *err = icmp_error(false, B4, A4, ICMP4_DST_UNREACH, 3,
                                       udp);
    CHECK_EQ(run_keep(ct, err, &e, 1), TRK | REL | RPL);
    CHECK_EQ(err->md.ct_nw_proto, IPPROTO_UDP);
    CHECK_EQ(err->md.ct_nw_src, ip4(A4));
    CHECK_EQ(ntohs(err->md.ct_tp_dst), 9999);
    dp_packet_delete(err);

    /* A router on the way (another address) may send time exceeded. */
    CHECK_EQ(run(ct, icmp_error(false, "10.9.9.9", A4, ICMP4_TIME_EXCEEDED,
                                0, udp), &e, 1), TRK | REL | RPL);
    /* An error quoting a datagram A did not send to that port: +inv, and
     * no connection. */
    struct dp_packet *other = udp_packet(false, A4, 5000, B4, 1);
    CHECK_EQ(run(ct, icmp_error(false, B4, A4, ICMP4_DST_UNREACH, 3, other),
                 &e, 1), TRK | INV);
    /* Quoting a packet that was not sent by the error's destination. */
    CHECK_EQ(run(ct, icmp_error(false, B4, "10.0.0.3", ICMP4_DST_UNREACH, 3,
                                udp), &e, 1), TRK | INV);
    dp_packet_delete(other);
    dp_packet_delete(udp);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    conntrack_destroy(ct);
}

TEST(icmpv6_error_related)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec6(0, true);

    struct dp_packet *udp = udp_packet(true, A6, 5000, B6, 9999);
    CHECK_EQ(run_keep(ct, udp, &e, 0), TRK | NEW);
    CHECK_EQ(run(ct, icmp_error(true, B6, A6, ICMP6_DST_UNREACH, 4, udp), &e,
                 1), TRK | REL | RPL);
    CHECK_EQ(run(ct, icmp_error(true, "fc00::99", A6, ICMP6_PACKET_TOO_BIG, 0,
                                udp), &e, 1), TRK | REL | RPL);
    struct dp_packet *other = udp_packet(true, A6, 5001, B6, 9999);
    CHECK_EQ(run(ct, icmp_error(true, B6, A6, ICMP6_DST_UNREACH, 4, other),
                 &e, 1), TRK | INV);
    dp_packet_delete(other);
    dp_packet_delete(udp);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* Zones, mark, label, force. */

TEST(zones_are_separate)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec z1 = exec_(1, true), z2 = exec_(2, false);

    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &z1, 0), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, B4, 2, A4, 1), &z2, 0), TRK | NEW);
    struct dp_packet *pkt = udp_packet(false, B4, 2, A4, 1);
    CHECK_EQ(run_keep(ct, pkt, &z1, 0), TRK | EST | RPL);
    CHECK_EQ(pkt->md.ct_zone, 1);
    /* Tracking in another zone starts afresh. */
    CHECK_EQ(run_keep(ct, pkt, &z2, 0), TRK | NEW);
    CHECK_EQ(pkt->md.ct_zone, 2);
    dp_packet_delete(pkt);

    char *text = dump(ct, false, 0, NULL);
    CHECK(strstr(text, ",zone=1"));
    free(text);
    conntrack_destroy(ct);
}

TEST(mark_and_label)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    e.set_mark = true;
    e.mark = 0x15;
    e.mark_mask = 0xff;
    e.set_label = true;
    e.label.u64.hi = 0x1;
    e.label.u64.lo = 0xabcd;
    e.label_mask.u64.hi = UINT64_MAX;
    e.label_mask.u64.lo = UINT64_MAX;
    struct dp_packet *pkt = udp_packet(false, A4, 1, B4, 2);
    CHECK_EQ(run_keep(ct, pkt, &e, 0), TRK | NEW);
    CHECK_EQ(pkt->md.ct_mark, 0x15);
    CHECK_U64_EQ(pkt->md.ct_label.u64.lo, 0xabcd);
    dp_packet_delete(pkt);

    /* Read back by a plain lookup, in the reply direction. */
    struct ct_exec plain = exec_(0, false);
    pkt = udp_packet(false, B4, 2, A4, 1);
    CHECK_EQ(run_keep(ct, pkt, &plain, 1), TRK | EST | RPL);
    CHECK_EQ(pkt->md.ct_mark, 0x15);
    CHECK_U64_EQ(pkt->md.ct_label.u64.hi, 1);
    CHECK_U64_EQ(pkt->md.ct_label.u64.lo, 0xabcd);
    dp_packet_delete(pkt);

    /* Masked update of an existing connection. */
    struct ct_exec upd = exec_(0, true);
    upd.set_mark = true;
    upd.mark = 0x200;
    upd.mark_mask = 0xf00;
    pkt = udp_packet(false, A4, 1, B4, 2);
    run_keep(ct, pkt, &upd, 2);
    CHECK_EQ(pkt->md.ct_mark, 0x215);
    dp_packet_delete(pkt);

    char *text = dump(ct, false, 2, NULL);
    CHECK(strstr(text, ",mark=533,labels=0x1000000000000abcd"));
    free(text);

    /* Uncommitted new packets carry no mark. */
    pkt = udp_packet(false, A4, 3, B4, 4);
    CHECK_EQ(run_keep(ct, pkt, &plain, 2), TRK | NEW);
    CHECK_EQ(pkt->md.ct_mark, 0);
    conntrack_clear(pkt);
    CHECK_EQ(pkt->md.ct_state, 0);
    CHECK_EQ(pkt->md.ct_nw_proto, 0);
    CHECK_EQ(pkt->md.ct_tp_src, 0);
    dp_packet_delete(pkt);
    conntrack_destroy(ct);
}

TEST(force_restarts_reply_direction)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);

    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &e, 0), TRK | NEW);
    struct ct_exec f = e;
    f.force = true;
    /* Original direction: force changes nothing. */
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &f, 1), TRK | NEW);
    /* Reply direction: the old connection goes, B->A is committed. */
    struct dp_packet *pkt = udp_packet(false, B4, 2, A4, 1);
    CHECK_EQ(run_keep(ct, pkt, &f, 2), TRK | NEW);
    CHECK_EQ(pkt->md.ct_nw_src, ip4(B4));
    dp_packet_delete(pkt);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &e, 3),
             TRK | EST | RPL);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* Limits, timeouts, flush. */

TEST(limits_global_and_zone)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true), z5 = exec_(5, true);
    struct conntrack_stats stats;
    uint32_t count;

    CHECK_EQ(conntrack_get_maxconns(ct), 3000000);
    conntrack_set_maxconns(ct, 2);
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &e, 0), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, A4, 3, B4, 2), &e, 0), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, A4, 4, B4, 2), &e, 0), TRK | NEW);
    CHECK_EQ(conntrack_get_nconns(ct), 2);
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_commit_fail_limit, 1);
    /* The refused one is not tracked: its reply is new too. */
    struct ct_exec plain = exec_(0, false);
    CHECK_EQ(run(ct, udp_packet(false, B4, 2, A4, 4), &plain, 0), TRK | NEW);

    conntrack_set_maxconns(ct, 0);
    conntrack_flush(ct, NULL, NULL);
    conntrack_set_zone_limit(ct, 5, 1);
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &z5, 0), TRK | NEW);
    CHECK_EQ(run(ct, udp_packet(false, A4, 2, B4, 2), &z5, 0), TRK | NEW);
    CHECK_EQ(conntrack_get_zone_limit(ct, 5, &count), 1);
    CHECK_EQ(count, 1);
    /* Other zones are not limited. */
    CHECK_EQ(run(ct, udp_packet(false, A4, 2, B4, 2), &e, 0), TRK | NEW);
    CHECK_EQ(conntrack_get_nconns(ct), 2);
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_commit_fail_limit, 2);
    /* Removing a connection frees its place. */
    uint16_t zone = 5;
    conntrack_flush(ct, &zone, NULL);
    CHECK_EQ(run(ct, udp_packet(false, A4, 2, B4, 2), &z5, 0), TRK | NEW);
    conntrack_get_zone_limit(ct, 5, &count);
    CHECK_EQ(count, 1);

    /* The default limit covers zones without their own. */
    struct ct_exec z9 = exec_(9, true);
    conntrack_set_default_zone_limit(ct, 1);
    CHECK_EQ(conntrack_get_default_zone_limit(ct), 1);
    CHECK_EQ(conntrack_get_zone_limit(ct, 9, &count), 1);
    CHECK_EQ(count, 0);
    run(ct, udp_packet(false, A4, 1, B4, 2), &z9, 0);
    run(ct, udp_packet(false, A4, 2, B4, 2), &z9, 0);
    conntrack_get_zone_limit(ct, 9, &count);
    CHECK_EQ(count, 1);
    conntrack_destroy(ct);
}

TEST(timeout_policy_expires_on_time)
{
    struct conntrack *ct = conntrack_create();
    uint32_t tm[CT_N_TIMEOUTS] = { 0 };
    struct ct_exec e = exec_(0, true);

    tm[CT_TM_UDP_FIRST] = 1;
    conntrack_set_timeout_policy(ct, 7, tm);
    e.timeout_policy = 7;
    e.set_mark = true;
    e.mark = e.mark_mask = 1;
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &e, 10000), TRK | NEW);

    struct ct_exec plain = exec_(0, false);
    struct dp_packet *pkt = udp_packet(false, A4, 1, B4, 2);
    /* Before the second is up: found (mark 1); udp_single is default. */
    run_keep(ct, pkt, &plain, 10999);
    CHECK_EQ(pkt->md.ct_mark, 1);
    dp_packet_delete(pkt);
    char *text = dump(ct, true, 10999, NULL);
    CHECK(strstr(text, ",timeout=60"));
    free(text);

    /* A fresh connection under the policy is gone after 1 s, even before
     * conntrack_run() removes it. */
    CHECK_EQ(run(ct, udp_packet(false, A4, 9, B4, 9), &e, 20000), TRK | NEW);
    pkt = udp_packet(false, B4, 9, A4, 9);
    CHECK_EQ(run_keep(ct, pkt, &plain, 21000), TRK | NEW);
    CHECK_EQ(pkt->md.ct_mark, 0);
    dp_packet_delete(pkt);

    CHECK_EQ(run(ct, udp_packet(false, A4, 8, B4, 8), &e, 30000), TRK | NEW);
    CHECK_EQ(conntrack_get_nconns(ct), 2);
    conntrack_run(ct, 30999);
    CHECK_EQ(conntrack_get_nconns(ct), 2);
    long long next = conntrack_run(ct, 31000);
    CHECK_EQ(conntrack_get_nconns(ct), 1);      /* The one at 10999. */
    CHECK_GT(next, 31000);
    CHECK_LE(next, 32000);

    /* A zone's policy applies when the action names none. */
    struct ct_exec z3 = exec_(3, true);
    conntrack_set_zone_timeout_policy(ct, 3, 7);
    CHECK_EQ(run(ct, udp_packet(false, A4, 6, B4, 6), &z3, 30000), TRK | NEW);
    text = dump(ct, true, 30000, NULL);
    CHECK(strstr(text, "sport=6,dport=6),zone=3,timeout=1"));
    free(text);
    conntrack_set_zone_timeout_policy(ct, 3, 0);
    conntrack_run(ct, 31000);
    CHECK_EQ(conntrack_get_nconns(ct), 1);

    /* Deleting the policy: default timeouts from the next packet on. */
    conntrack_set_timeout_policy(ct, 7, NULL);
    CHECK_EQ(run(ct, udp_packet(false, A4, 7, B4, 7), &e, 40000), TRK | NEW);
    conntrack_run(ct, 41000);
    CHECK_EQ(conntrack_get_nconns(ct), 2);      /* Default: 60 s. */
    conntrack_run(ct, 100000);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    conntrack_destroy(ct);
}

TEST(timeout_names)
{
    enum ct_timeout tm;

    CHECK_STREQ(ct_timeout_name(CT_TM_TCP_SYN_SENT), "tcp_syn_sent");
    CHECK_STREQ(ct_timeout_name(CT_TM_ICMP_REPLY), "icmp_reply");
    CHECK(ct_timeout_name(CT_N_TIMEOUTS) == NULL);
    for (int i = 0; i < CT_N_TIMEOUTS; i++) {
        CHECK(ct_timeout_from_name(ct_timeout_name(i), &tm));
        CHECK_EQ(tm, i);
        CHECK_GT(ct_timeout_default(i), 0);
    }
    CHECK(!ct_timeout_from_name("tcp_bogus", &tm));
    CHECK_EQ(ct_timeout_default(CT_TM_TCP_ESTABLISHED), 86400);
    CHECK_EQ(ct_timeout_default(CT_TM_UDP_MULTIPLE), 30);
    CHECK_STREQ(ct_tcp_state_name(CT_TCP_STATE_FIN_WAIT_1), "FIN_WAIT_1");
    CHECK(ct_tcp_state_name(99) == NULL);
}

TEST(flush_variants)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec z0 = exec_(0, true), z1 = exec_(1, true);
    struct ct_key key;

    for (int i = 0; i < 3; i++) {
        run(ct, udp_packet(false, A4, 100 + i, B4, 53), &z0, 0);
        run(ct, udp_packet(false, A4, 100 + i, B4, 53), &z1, 0);
    }
    CHECK_EQ(conntrack_get_nconns(ct), 6);

    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=10.0.0.1,ct_nw_dst=10.0.0.2,"
                                "ct_nw_proto=17,ct_tp_src=100,ct_tp_dst=53",
                                &key));
    key.zone = 1;
    CHECK_EQ(conntrack_flush(ct, NULL, &key), 0);
    CHECK_EQ(conntrack_get_nconns(ct), 5);
    CHECK_EQ(conntrack_flush(ct, NULL, &key), ENOENT);
    /* The reply tuple finds it too. */
    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=10.0.0.2,ct_nw_dst=10.0.0.1,"
                                "ct_nw_proto=17,ct_tp_src=53,ct_tp_dst=101",
                                &key));
    CHECK_EQ(conntrack_flush(ct, NULL, &key), 0);
    CHECK_EQ(conntrack_get_nconns(ct), 4);

    uint16_t zone = 1;
    CHECK_EQ(conntrack_flush(ct, &zone, NULL), 0);
    CHECK_EQ(conntrack_get_nconns(ct), 2);
    CHECK_EQ(run(ct, udp_packet(false, B4, 53, A4, 100), &z0, 1),
             TRK | EST | RPL);
    CHECK_EQ(conntrack_flush(ct, NULL, NULL), 0);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    CHECK_EQ(run(ct, udp_packet(false, B4, 53, A4, 100), &z0, 1), TRK | NEW);
    conntrack_destroy(ct);
}

TEST(key_parse)
{
    struct ct_key key;
    char *error;

    CHECK_NO_ERROR(ct_key_parse("ct_ipv6_src=fc00::1,ct_ipv6_dst=fc00::2,"
                                "ct_nw_proto=6,ct_tp_src=1,ct_tp_dst=2",
                                &key));
    CHECK_EQ(key.dl_type, htons(ETH_TYPE_IPV6));
    CHECK_EQ(ntohs(key.dst.port), 2);
    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,"
                                "ct_nw_proto=1,icmp_type=8,icmp_code=0,"
                                "icmp_id=77", &key));
    CHECK_EQ(key.icmp_type, 8);
    CHECK_EQ(ntohs(key.src.port), 77);
    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,"
                                "ct_nw_proto=47", &key));

    static const char *const bad[] = {
        "",
        "ct_nw_src=1.2.3.4",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=6",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=6,ct_tp_src=1",
        "ct_nw_src=1.2.3.400,ct_nw_dst=5.6.7.8,ct_nw_proto=47",
        "ct_nw_src=1.2.3.4,ct_ipv6_dst=::1,ct_nw_proto=47",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=256",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=6,ct_tp_src=1,"
        "ct_tp_dst=65536",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=6,ct_tp_src=1,"
        "ct_tp_dst=2,icmp_type=3",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=1,ct_tp_src=1",
        "ct_nw_src=,ct_nw_dst=5.6.7.8,ct_nw_proto=47",
        "ct_nw_src,ct_nw_dst=5.6.7.8,ct_nw_proto=47",
        "zone=1,ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=47",
        "ct_nw_src=1.2.3.4,ct_nw_dst=5.6.7.8,ct_nw_proto=x",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        error = ct_key_parse(bad[i], &key);
        CHECK_MSG(error != NULL, "\"%s\" parsed", bad[i]);
        free(error);
    }
}

/* ------------------------------------------------------------------ */
/* Dump text. */

TEST(dump_format)
{
    struct ct_dump_entry e;
    struct ds s = DS_EMPTY_INITIALIZER;

    memset(&e, 0, sizeof e);
    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=10.0.0.1,ct_nw_dst=10.0.0.2,"
                                "ct_nw_proto=6,ct_tp_src=1234,ct_tp_dst=80",
                                &e.orig));
    CHECK_NO_ERROR(ct_key_parse("ct_nw_src=10.0.0.2,ct_nw_dst=10.0.0.1,"
                                "ct_nw_proto=6,ct_tp_src=80,ct_tp_dst=1234",
                                &e.reply));
    e.orig.zone = e.reply.zone = 1;
    e.mark = 5;
    e.tcp_state = CT_TCP_STATE_ESTABLISHED;
    e.expiration = 100500;
    e.packets_orig = 3;
    e.bytes_orig = 180;
    ct_dump_entry_format(&s, &e, false, 0);
    CHECK_STREQ(ds_cstr(&s), "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,"
                "sport=1234,dport=80),reply=(src=10.0.0.2,dst=10.0.0.1,"
                "sport=80,dport=1234),zone=1,mark=5,"
                "protoinfo=(state=ESTABLISHED)");
    ds_clear(&s);
    e.tcp_state = CT_TCP_STATE_FIN_WAIT_2;
    ct_dump_entry_format(&s, &e, true, 50000);
    CHECK_STREQ(ds_cstr(&s), "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,"
                "sport=1234,dport=80,packets=3,bytes=180),reply=("
                "src=10.0.0.2,dst=10.0.0.1,sport=80,dport=1234),zone=1,"
                "timeout=50,mark=5,protoinfo=(state=TIME_WAIT)");
    ds_clear(&s);
    CHECK_NO_ERROR(ct_key_parse("ct_ipv6_src=fc00::1,ct_ipv6_dst=fc00::2,"
                                "ct_nw_proto=132,ct_tp_src=1,ct_tp_dst=2",
                                &e.orig));
    e.reply = e.orig;
    e.mark = 0;
    e.label.u64.lo = 0x1f;
    ct_dump_entry_format(&s, &e, false, 0);
    CHECK_STREQ(ds_cstr(&s), "sctp,orig=(src=fc00::1,dst=fc00::2,sport=1,"
                "dport=2),reply=(src=fc00::1,dst=fc00::2,sport=1,dport=2),"
                "labels=0x1f");
    ds_destroy(&s);
}

/* ------------------------------------------------------------------ */
/* Malformed packets. */

/* Runs the IPv4 packet PKT through (after letting MANGLE damage it and
 * re-extracting its flow) and checks it is +trk+inv. */
static void
check_mangled(struct dp_packet *pkt, void (*mangle)(struct dp_packet *))
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true);
    struct flow flow;

    mangle(pkt);
    flow_extract(pkt, &flow);
    pkt->l3_ofs = ETH_HEADER_LEN;       /* Even if flow_extract gave up. */
    CHECK_EQ(run(ct, pkt, &e, 0), TRK | INV);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    conntrack_destroy(ct);
}

static struct ip_header *
ip_of(struct dp_packet *pkt)
{
    return (struct ip_header *) ((char *) dp_packet_data(pkt)
                                 + ETH_HEADER_LEN);
}

static void
refresh_ip_csum(struct dp_packet *pkt)
{
    struct ip_header *ip = ip_of(pkt);
    ip->ip_csum = 0;
    ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
}

static void mangle_truncate(struct dp_packet *p) { dp_packet_set_size(p, 30); }
static void mangle_short_l4(struct dp_packet *p)
{
    dp_packet_set_size(p, dp_packet_size(p) - 4);
}
static void mangle_ihl(struct dp_packet *p)
{
    ip_of(p)->ip_ihl_ver = IP_IHL_VER(4, 4);
    refresh_ip_csum(p);
}
static void mangle_big_ihl(struct dp_packet *p)
{
    ip_of(p)->ip_ihl_ver = IP_IHL_VER(15, 4);
    refresh_ip_csum(p);
}
static void mangle_version(struct dp_packet *p)
{
    ip_of(p)->ip_ihl_ver = IP_IHL_VER(5, 6);
    refresh_ip_csum(p);
}
static void mangle_ip_csum(struct dp_packet *p) { ip_of(p)->ip_csum ^= 1; }
static void mangle_l4_csum(struct dp_packet *p)
{
    ((uint8_t *) dp_packet_data(p))[dp_packet_size(p) - 1] ^= 0x40;
}
static void mangle_frag(struct dp_packet *p)
{
    ip_of(p)->ip_frag_off = htons(IP_MORE_FRAGMENTS);
    refresh_ip_csum(p);
}
static void mangle_tot_len(struct dp_packet *p)
{
    ip_of(p)->ip_tot_len = htons(ntohs(ip_of(p)->ip_tot_len) + 100);
    refresh_ip_csum(p);
}
static void mangle_tcp_offset(struct dp_packet *p)
{
    struct tcp_header *tcp = (void *) (ip_of(p) + 1);
    tcp->tcp_ctl = TCP_CTL(TCP_SYN, 15);
}

TEST(malformed_packets_invalid)
{
    void (*mangles[])(struct dp_packet *) = {
        mangle_truncate, mangle_short_l4, mangle_ihl, mangle_big_ihl,
        mangle_version, mangle_ip_csum, mangle_l4_csum, mangle_frag,
        mangle_tot_len, mangle_tcp_offset,
    };
    for (size_t i = 0; i < ARRAY_SIZE(mangles); i++) {
        check_mangled(tcp_packet(false, A4, 1, B4, 2, TCP_SYN, 1, 0, 8),
                      mangles[i]);
    }
    for (size_t i = 0; i < 9; i++) {
        check_mangled(udp_packet(false, A4, 1, B4, 2), mangles[i]);
    }
    check_mangled(icmp_echo(false, A4, B4, true, 1), mangle_l4_csum);

    /* A packet of another EtherType than the action's, a non-IP frame and
     * an empty one. */
    struct conntrack *ct = conntrack_create();
    struct ct_exec e4 = exec_(0, true), e6 = exec6(0, true);
    CHECK_EQ(run(ct, udp_packet(true, A6, 1, B6, 2), &e4, 0), TRK | INV);
    CHECK_EQ(run(ct, udp_packet(false, A4, 1, B4, 2), &e6, 0), TRK | INV);
    struct dp_packet *arp = dp_packet_new(64);
    struct flow flow;
    dp_packet_put_zeros(arp, 42);
    ((struct eth_header *) dp_packet_data(arp))->eth_type
        = htons(ETH_TYPE_ARP);
    flow_extract(arp, &flow);
    CHECK_EQ(run(ct, arp, &e4, 0), TRK | INV);
    struct dp_packet *empty = dp_packet_new(64);
    flow_extract(empty, &flow);
    CHECK_EQ(run(ct, empty, &e4, 0), TRK | INV);
    /* An IPv6 packet whose extension header runs past its end. */
    uint8_t ext[8] = { IPPROTO_UDP, 5 };
    CHECK_EQ(run(ct, ip_packet(true, A6, B6, IPPROTO_DSTOPTS, ext,
                               sizeof ext), &e6, 0), TRK | INV);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    conntrack_destroy(ct);
}

TEST(ipv6_extension_headers)
{
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec6(0, true);
    uint8_t buf[8 + 16];
    struct udp_header *udp = (void *) (buf + 8);

    /* Destination options (8 bytes) then UDP. */
    memset(buf, 0, sizeof buf);
    buf[0] = IPPROTO_UDP;
    udp->udp_src = htons(7);
    udp->udp_dst = htons(8);
    udp->udp_len = htons(16);
    struct dp_packet *pkt = ip_packet(true, A6, B6, IPPROTO_DSTOPTS, buf,
                                      sizeof buf);
    /* The UDP checksum covers only the UDP part. */
    uint8_t *l4 = (uint8_t *) dp_packet_l3(pkt) + IPV6_HEADER_LEN + 8;
    ((struct udp_header *) l4)->udp_csum = 0;
    ((struct udp_header *) l4)->udp_csum
        = packet_csum_upperlayer6(dp_packet_l3(pkt), l4, IPPROTO_UDP, 16);
    CHECK_EQ(run_keep(ct, pkt, &e, 0), TRK | NEW);
    CHECK_EQ(pkt->md.ct_nw_proto, IPPROTO_UDP);
    CHECK_EQ(ntohs(pkt->md.ct_tp_dst), 8);
    dp_packet_delete(pkt);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* Scale. */

TEST(scale_100k_connections)
{
    enum { N = 100000 };
    struct conntrack *ct = conntrack_create();
    struct ct_exec e = exec_(0, true), plain = exec_(0, false);
    struct conntrack_stats stats;
    char a[32], b[32];

    e.set_mark = true;
    e.mark_mask = UINT32_MAX;
    for (int i = 0; i < N; i++) {
        snprintf(a, sizeof a, "10.%d.%d.%d", 1 + i / 65536, (i / 256) % 256,
                 i % 256);
        e.mark = i;
        CHECK_EQ(run(ct, udp_packet(false, a, 1000 + i % 7, "192.168.0.1",
                                    53), &e, 0), TRK | NEW);
    }
    CHECK_EQ(conntrack_get_nconns(ct), N);
    for (int i = 0; i < N; i++) {
        snprintf(b, sizeof b, "10.%d.%d.%d", 1 + i / 65536, (i / 256) % 256,
                 i % 256);
        struct dp_packet *pkt = udp_packet(false, "192.168.0.1", 53, b,
                                           1000 + i % 7);
        CHECK_EQ(run_keep(ct, pkt, &plain, 1), TRK | EST | RPL);
        CHECK_EQ(pkt->md.ct_mark, i);
        dp_packet_delete(pkt);
    }
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_conns, N);
    CHECK_EQ(stats.n_by_proto[IPPROTO_UDP], N);
    printf("bytes_per_conn=%zu\n", stats.bytes_per_conn);
    /* One struct conn (two 48-byte keys and their nodes, TCP windows,
     * counters, mark, label: about 250 bytes), malloc's rounding and the
     * hash buckets: well under 512. */
    CHECK_LT(stats.bytes_per_conn, 512);
    CHECK_GE(stats.bytes_per_conn, 200);

    /* Expiry in bounded steps: each run returns "again now" until the
     * sweep is through. */
    int calls = 0;
    long long next;
    do {
        next = conntrack_run(ct, 10000000);
        calls++;
    } while (next == 10000000 && calls < 1000);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    CHECK_GT(calls, 10);
    conntrack_destroy(ct);
}

TEST(tcp_stats_by_state)
{
    struct conntrack *ct = conntrack_create();
    struct conntrack_stats stats;
    struct ct_exec e = exec_(0, true);
    uint32_t a, b;

    handshake(ct, 0, &a, &b);
    run(ct, tcp_packet(false, A4, 9, B4, 80, TCP_SYN, 1, 0, 0), &e, 0);
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_conns, 2);
    CHECK_EQ(stats.n_by_proto[IPPROTO_TCP], 2);
    CHECK_EQ(stats.n_tcp_by_state[CT_TCP_STATE_ESTABLISHED], 1);
    CHECK_EQ(stats.n_tcp_by_state[CT_TCP_STATE_SYN_SENT], 1);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* NAT (translation itself is conntrack-nat's; this checks the wiring). */

static plx_be32
pkt_ip_src(const struct dp_packet *pkt)
{
    const struct ip_header *ip = dp_packet_l3(pkt);
    return get_16aligned_be32(&ip->ip_src);
}

static plx_be32
pkt_ip_dst(const struct dp_packet *pkt)
{
    const struct ip_header *ip = dp_packet_l3(pkt);
    return get_16aligned_be32(&ip->ip_dst);
}

TEST(snat_commit_and_reply)
{
    struct conntrack *ct = conntrack_create();
    struct ct_nat_action nat, plain_nat;
    struct ct_exec e = exec_(0, true);

    memset(&nat, 0, sizeof nat);
    nat.flags = CT_NAT_SRC | CT_NAT_RANGE_ADDR;
    nat.min_addr.ipv4 = nat.max_addr.ipv4 = ip4("10.0.0.100");
    e.nat = &nat;
    struct dp_packet *pkt = udp_packet(false, A4, 5000, B4, 53);
    CHECK_EQ(run_keep(ct, pkt, &e, 0), TRK | NEW | CS_SRC_NAT);
    CHECK_EQ(pkt_ip_src(pkt), ip4("10.0.0.100"));
    CHECK(!csum(dp_packet_l3(pkt), IP_HEADER_LEN));
    /* The original tuple is the one before NAT. */
    CHECK_EQ(pkt->md.ct_nw_src, ip4(A4));
    dp_packet_delete(pkt);

    char *text = dump(ct, false, 0, NULL);
    CHECK_STREQ(text, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5000,"
                "dport=53),reply=(src=10.0.0.2,dst=10.0.0.100,sport=53,"
                "dport=5000)\n");
    free(text);

    /* The reply, to the translated address, is un-NATed by "ct(nat)". */
    memset(&plain_nat, 0, sizeof plain_nat);
    struct ct_exec r = exec_(0, false);
    r.nat = &plain_nat;
    pkt = udp_packet(false, B4, 53, "10.0.0.100", 5000);
    CHECK_EQ(run_keep(ct, pkt, &r, 1), TRK | EST | RPL | CS_DST_NAT);
    CHECK_EQ(pkt_ip_dst(pkt), ip4(A4));
    CHECK(!csum(dp_packet_l3(pkt), IP_HEADER_LEN));
    /* Tracked again in the same zone: not translated twice. */
    CHECK_EQ(run_keep(ct, pkt, &r, 1), TRK | EST | RPL | CS_DST_NAT);
    CHECK_EQ(pkt_ip_dst(pkt), ip4(A4));
    dp_packet_delete(pkt);

    /* Without "nat", nothing is rewritten. */
    struct ct_exec no_nat = exec_(0, false);
    pkt = udp_packet(false, B4, 53, "10.0.0.100", 5000);
    CHECK_EQ(run_keep(ct, pkt, &no_nat, 2), TRK | EST | RPL);
    CHECK_EQ(pkt_ip_dst(pkt), ip4("10.0.0.100"));
    dp_packet_delete(pkt);

    /* A related ICMP error to the translated address is translated. */
    struct dp_packet *quoted = udp_packet(false, "10.0.0.100", 5000, B4, 53);
    pkt = icmp_error(false, B4, "10.0.0.100", ICMP4_DST_UNREACH, 3, quoted);
    CHECK_EQ(run_keep(ct, pkt, &r, 3), TRK | REL | RPL | CS_DST_NAT);
    CHECK_EQ(pkt_ip_dst(pkt), ip4(A4));
    dp_packet_delete(pkt);
    dp_packet_delete(quoted);
    conntrack_destroy(ct);
}

TEST(nat_exhaustion_leaves_new)
{
    struct conntrack *ct = conntrack_create();
    struct ct_nat_action nat;
    struct ct_exec e = exec_(0, true);
    struct conntrack_stats stats;

    memset(&nat, 0, sizeof nat);
    nat.flags = CT_NAT_SRC | CT_NAT_RANGE_ADDR | CT_NAT_RANGE_PORT;
    nat.min_addr.ipv4 = nat.max_addr.ipv4 = ip4("10.0.0.100");
    nat.min_port = nat.max_port = 1000;
    e.nat = &nat;
    CHECK_EQ(run(ct, udp_packet(false, A4, 5000, B4, 53), &e, 0),
             TRK | NEW | CS_SRC_NAT);
    struct dp_packet *pkt = udp_packet(false, A4, 5001, B4, 53);
    CHECK_EQ(run_keep(ct, pkt, &e, 0), TRK | NEW);
    CHECK_EQ(pkt_ip_src(pkt), ip4(A4));         /* Untouched. */
    dp_packet_delete(pkt);
    CHECK_EQ(conntrack_get_nconns(ct), 1);
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_nat_fail, 1);
    CHECK_EQ(stats.n_commit_fail_limit, 0);
    conntrack_destroy(ct);
}

/* ------------------------------------------------------------------ */
/* Threads: PMD-like threads track while the main thread expires, dumps
 * and flushes.  (Run under ASan/TSan for the interesting failures.) */

struct worker {
    struct conntrack *ct;
    int id;
    int n_ok;
};

static void *
worker_main(void *w_)
{
    struct worker *w = w_;
    struct ct_exec e = exec_(0, true);
    char a[32];

    for (int i = 0; i < 20000; i++) {
        snprintf(a, sizeof a, "10.%d.%d.%d", w->id, (i / 256) % 64, i % 256);
        uint16_t st = run(w->ct, udp_packet(false, a, 1, B4, 2), &e, i);
        st |= run(w->ct, udp_packet(false, B4, 2, a, 1), &e, i);
        w->n_ok += (st & TRK) && !(st & INV);
    }
    return NULL;
}

static void
count_cb(const struct ct_dump_entry *e PLX_UNUSED, void *n)
{
    ++*(int *) n;
}

TEST(concurrent_execute_and_maintenance)
{
    struct conntrack *ct = conntrack_create();
    struct worker w[2] = { { ct, 1, 0 }, { ct, 2, 0 } };
    pthread_t threads[2];

    for (int i = 0; i < 2; i++) {
        CHECK_EQ(pthread_create(&threads[i], NULL, worker_main, &w[i]), 0);
    }
    for (int round = 0; round < 200; round++) {
        int n = 0;
        conntrack_run(ct, round * 100);
        conntrack_dump(ct, NULL, count_cb, &n);
        if (round % 50 == 49) {
            conntrack_flush(ct, NULL, NULL);
        }
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK_EQ(w[0].n_ok, 20000);
    CHECK_EQ(w[1].n_ok, 20000);
    struct conntrack_stats stats;
    conntrack_get_stats(ct, &stats);
    CHECK_EQ(stats.n_invalid, 0);
    conntrack_flush(ct, NULL, NULL);
    CHECK_EQ(conntrack_get_nconns(ct), 0);
    conntrack_destroy(ct);
}
