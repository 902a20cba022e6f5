/* The shared part of the lib/responder tests; see responder-fixture.h. */
#include <config.h>
#include "responder-fixture.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "packets.h"
#include "responder.h"
#include "test.h"
#include "util.h"

const struct eth_addr gw_mac = { { { 0x02, 0, 0, 0, 0, 0x01 } } };
const struct eth_addr mac1 = { { { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } } };
const struct eth_addr mac2 = { { { 0x52, 0x54, 0, 0xab, 0xcd, 0xef } } };
const struct eth_addr mac3 = { { { 0x52, 0x54, 0, 0, 0, 0x03 } } };

plx_be32
ip(const char *s)
{
    struct in_addr a;
    CHECK(inet_pton(AF_INET, s, &a) == 1);
    return a.s_addr;
}

struct in6_addr
ip6(const char *s)
{
    struct in6_addr a;
    CHECK(inet_pton(AF_INET6, s, &a) == 1);
    return a;
}

/* 10.0.0.0/24, gateway 10.0.0.1, pool .100-.199 unless changed. */
void
base_config(struct responder_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->gw_mac = gw_mac;
    cfg->gw_ip = ip("10.0.0.1");
    cfg->network = ip("10.0.0.0");
    cfg->plen = 24;
    cfg->pool_first = ip("10.0.0.100");
    cfg->pool_last = ip("10.0.0.199");
    cfg->dns[0] = ip("10.0.0.1");
    cfg->dns[1] = ip("9.9.9.9");
    cfg->n_dns = 2;
    cfg->domain_name = "vm.example";
    cfg->mtu = 1450;
    cfg->prefix6 = ip6("2001:db8:1:2::");
    cfg->rdnss[0] = ip6("2001:db8::53");
    cfg->n_rdnss = 1;
}

struct responder *
make_responder(void)
{
    struct responder_config cfg;
    base_config(&cfg);
    struct responder *r = responder_create(&cfg);
    CHECK(r != NULL);
    return r;
}

/* ------------------------------------------------------------------ */
/* An independent Internet checksum. */

uint32_t
sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        acc += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        acc += p[n - 1] << 8;
    }
    return acc;
}

uint16_t
fold(uint32_t acc)
{
    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return ~acc & 0xffff;
}

/* ------------------------------------------------------------------ */
/* Building requests. */

void
put8(struct pkt *p, uint8_t x)
{
    CHECK(p->n < sizeof p->b);
    p->b[p->n++] = x;
}

void
put16(struct pkt *p, uint16_t x)
{
    put8(p, x >> 8);
    put8(p, x);
}

void
put32(struct pkt *p, uint32_t x)
{
    put16(p, x >> 16);
    put16(p, x);
}

void
putn(struct pkt *p, const void *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put8(p, ((const uint8_t *) v)[i]);
    }
}

void
set16(struct pkt *p, size_t ofs, uint16_t x)
{
    p->b[ofs] = x >> 8;
    p->b[ofs + 1] = x;
}

uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

plx_be32
getbe32(const uint8_t *p)
{
    plx_be32 x;
    memcpy(&x, p, 4);
    return x;
}

/* Ethernet header with N_TAGS tags (TCIs 'tci' and 'tci + 1'). */
void
put_eth(struct pkt *p, struct eth_addr dst, struct eth_addr src,
        int n_tags, uint16_t tci, uint16_t type)
{
    putn(p, dst.ea, 6);
    putn(p, src.ea, 6);
    for (int i = 0; i < n_tags; i++) {
        put16(p, n_tags == 2 && i == 0 ? ETH_TYPE_VLAN_8021AD
                                       : ETH_TYPE_VLAN_8021Q);
        put16(p, tci + i);
    }
    put16(p, type);
}

size_t
put_ip4(struct pkt *p, uint8_t proto, plx_be32 src, plx_be32 dst)
{
    size_t ofs = p->n;
    put8(p, 0x45);
    put8(p, 0x10);
    put16(p, 0);
    put16(p, 0x4242);
    put16(p, 0);
    put8(p, proto == IPPROTO_UDP ? 128 : 64);
    put8(p, proto);
    put16(p, 0);
    putn(p, &src, 4);
    putn(p, &dst, 4);
    return ofs;
}

/* Fixes the IPv4 header at OFS and its UDP or ICMP checksum. */
void
end_ip4(struct pkt *p, size_t ofs)
{
    uint8_t *h = &p->b[ofs];
    size_t len = p->n - ofs;
    set16(p, ofs + 2, len);
    set16(p, ofs + 10, 0);
    set16(p, ofs + 10, fold(sum16(0, h, 20)));
    if (h[9] == IPPROTO_UDP) {
        set16(p, ofs + 24, len - 20);
        set16(p, ofs + 26, 0);
        uint32_t acc = sum16(0, h + 12, 8) + IPPROTO_UDP + (len - 20);
        set16(p, ofs + 26, fold(sum16(acc, h + 20, len - 20)));
    } else if (h[9] == IPPROTO_ICMP) {
        set16(p, ofs + 22, 0);
        set16(p, ofs + 22, fold(sum16(0, h + 20, len - 20)));
    }
}

/* Builds a DHCP request like dhclient's: options 53, 61, 12, 50, 54,
 * 55 (1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42). */
void
build_dhcp(struct pkt *p, const struct dhcp_spec *s)
{
    p->n = 0;
    put_eth(p, s->to_gw_mac ? gw_mac : eth_addr_broadcast, s->mac,
            s->n_tags, s->tci, ETH_TYPE_IP);
    size_t ip_ofs = put_ip4(p, IPPROTO_UDP, s->ip_src,
                            s->ip_dst ? s->ip_dst : htonl(0xffffffff));
    put16(p, 68);
    put16(p, 67);
    put32(p, 0);
    put8(p, 1);
    put8(p, 1);
    put8(p, 6);
    put8(p, 0);
    put32(p, s->xid);
    put16(p, 3);                        /* Secs. */
    put16(p, s->flags);
    putn(p, &s->ciaddr, 4);
    put32(p, 0);
    put32(p, 0);
    put32(p, 0);
    putn(p, s->mac.ea, 6);
    for (int i = 0; i < 10 + 64 + 128; i++) {
        put8(p, 0);
    }
    put32(p, 0x63825363);
    put8(p, 53);
    put8(p, 1);
    put8(p, s->type);
    if (s->client_id) {
        put8(p, 61);
        put8(p, 7);
        put8(p, 1);
        putn(p, s->mac.ea, 6);
    }
    if (s->hostname) {
        put8(p, 12);
        put8(p, strlen(s->hostname));
        putn(p, s->hostname, strlen(s->hostname));
    }
    if (s->req_ip) {
        put8(p, 50);
        put8(p, 4);
        putn(p, &s->req_ip, 4);
    }
    if (s->server_id) {
        put8(p, 54);
        put8(p, 4);
        putn(p, &s->server_id, 4);
    }
    static const uint8_t prl[] = { 55, 13, 1, 28, 2, 3, 15, 6, 119, 12, 44,
                                   47, 26, 121, 42 };
    putn(p, prl, sizeof prl);
    if (s->raw_opts) {
        putn(p, s->raw_opts, s->n_raw_opts);
    }
    if (!s->no_end) {
        put8(p, 255);
    }
    end_ip4(p, ip_ofs);
}

/* Runs the responder on an exact-size copy of the first N bytes of P. */
int
run_n(struct responder *r, const struct pkt *p, size_t n, long long int now,
      struct dp_packet *reply)
{
    struct dp_packet *req = dp_packet_clone_data(p->b, n);
    int error = responder_handle(r, req, now, reply);
    dp_packet_delete(req);
    if (error) {
        CHECK_EQ(dp_packet_size(reply), 0);
    } else {
        CHECK_GE(dp_packet_size(reply), 60);
    }
    return error;
}

int
run(struct responder *r, const struct pkt *p, long long int now,
    struct dp_packet *reply)
{
    return run_n(r, p, p->n, now, reply);
}

/* ------------------------------------------------------------------ */
/* Decoding replies. */

void
decode_eth(const struct dp_packet *pkt, struct frame *f)
{
    const uint8_t *d = dp_packet_data(pkt);
    size_t n = dp_packet_size(pkt), ofs = 14;

    CHECK_GE(n, 14);
    memcpy(f->dst.ea, d, 6);
    memcpy(f->src.ea, d + 6, 6);
    CHECK(eth_addr_equals(f->src, gw_mac));
    f->type = get16(d + 12);
    f->n_tags = 0;
    while (f->type == 0x8100 || f->type == 0x88a8) {
        CHECK_LT(f->n_tags, 2);
        f->tpid[f->n_tags] = f->type;
        f->tci[f->n_tags] = get16(d + ofs);
        f->n_tags++;
        f->type = get16(d + ofs + 2);
        ofs += 4;
    }
    f->l3 = d + ofs;
    f->l3_len = n - ofs;
}

/* Decodes and checks the IPv4/UDP/BOOTP framing of a DHCP reply. */
void
decode_dhcp(const struct dp_packet *pkt, struct dhcp_reply *d)
{
    memset(d, 0, sizeof *d);
    decode_eth(pkt, &d->f);
    CHECK_EQ(d->f.type, ETH_TYPE_IP);

    const uint8_t *h = d->f.l3;
    CHECK_GE(d->f.l3_len, 28);
    CHECK_EQ(h[0], 0x45);
    size_t tot = get16(h + 2);
    CHECK_LE(tot, d->f.l3_len);
    CHECK_EQ(h[8], 64);                 /* TTL. */
    CHECK_EQ(h[9], IPPROTO_UDP);
    CHECK_EQ(get16(h + 6) & 0x3fff, 0); /* Not a fragment. */
    CHECK_EQ(fold(sum16(0, h, 20)), 0);
    d->ip_src = getbe32(h + 12);
    d->ip_dst = getbe32(h + 16);
    CHECK_EQ(d->ip_src, ip("10.0.0.1"));

    const uint8_t *u = h + 20;
    CHECK_EQ(get16(u), 67);
    CHECK_EQ(get16(u + 2), 68);
    CHECK_EQ(get16(u + 4), tot - 20);
    CHECK_NE(get16(u + 6), 0);
    uint32_t acc = sum16(0, h + 12, 8) + IPPROTO_UDP + (tot - 20);
    CHECK_EQ(fold(sum16(acc, u, tot - 20)), 0);

    d->m = u + 8;
    d->len = tot - 28;
    CHECK_GE(d->len, 300);
    CHECK_EQ(d->m[0], 2);               /* BOOTREPLY. */
    CHECK_EQ(d->m[1], 1);
    CHECK_EQ(d->m[2], 6);
    CHECK_EQ(d->m[3], 0);
    CHECK_EQ(get16(d->m + 8), 0);       /* Secs. */
    CHECK_EQ(get32(d->m + 20), 0);      /* Siaddr. */
    CHECK_EQ(get32(d->m + 24), 0);      /* Giaddr. */
    for (int i = 34; i < 236; i++) {    /* Chaddr padding, sname, file. */
        CHECK_MSG(d->m[i] == 0, "byte %d is %d", i, d->m[i]);
    }
    CHECK_EQ(get32(d->m + 236), 0x63825363);

    size_t i = 240;
    bool end = false;
    while (i < d->len) {
        uint8_t code = d->m[i];
        if (code == 0) {
            CHECK(end);                 /* Padding only after END. */
            i++;
            continue;
        }
        if (code == 255) {
            CHECK(!end);
            end = true;
            i++;
            continue;
        }
        CHECK(!end);
        CHECK_LE(i + 2 + d->m[i + 1], d->len);
        CHECK(d->opt[code] == NULL);    /* Each option once. */
        d->opt[code] = &d->m[i + 2];
        d->opt_len[code] = d->m[i + 1];
        i += 2 + d->m[i + 1];
    }
    CHECK(end);
}

uint8_t
dhcp_type(const struct dhcp_reply *d)
{
    CHECK(d->opt[53] != NULL);
    CHECK_EQ(d->opt_len[53], 1);
    return d->opt[53][0];
}

plx_be32
opt_ip(const struct dhcp_reply *d, int code)
{
    CHECK_MSG(d->opt[code] != NULL, "option %d missing", code);
    CHECK_EQ(d->opt_len[code], 4);
    return getbe32(d->opt[code]);
}

uint32_t
opt_u32(const struct dhcp_reply *d, int code)
{
    return ntohl(opt_ip(d, code));
}

plx_be32
yiaddr(const struct dhcp_reply *d)
{
    return getbe32(d->m + 16);
}

/* Runs a DHCP request expected to be answered, and decodes the reply. */
void
dhcp_exchange(struct responder *r, const struct dhcp_spec *s,
              long long int now, struct dhcp_reply *d, struct dp_packet *rp)
{
    struct pkt p;
    build_dhcp(&p, s);
    int error = run(r, &p, now, rp);
    CHECK_MSG(!error, "responder_handle: %s", plx_strerror(error));
    decode_dhcp(rp, d);
    CHECK_EQ(get32(d->m + 4), s->xid);
    CHECK_MEMEQ(d->m + 28, s->mac.ea, 6);
}

/* DISCOVER then REQUEST for MAC; returns the address ACKed. */
plx_be32
dora(struct responder *r, struct eth_addr mac, long long int now)
{
    struct dp_packet rp;
    struct dhcp_reply d;
    dp_packet_init(&rp, 0);

    struct dhcp_spec s = { .type = 1, .mac = mac, .xid = 0x1000 };
    dhcp_exchange(r, &s, now, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 2);
    plx_be32 offered = yiaddr(&d);

    struct dhcp_spec q = { .type = 3, .mac = mac, .xid = 0x1001,
                           .req_ip = offered, .server_id = ip("10.0.0.1") };
    dhcp_exchange(r, &q, now, &d, &rp);
    CHECK_EQ(dhcp_type(&d), 5);
    CHECK_EQ(yiaddr(&d), offered);
    dp_packet_uninit(&rp);
    return offered;
}

int
discover_error(struct responder *r, struct eth_addr mac, long long int now)
{
    struct dp_packet rp;
    struct pkt p;
    struct dhcp_spec s = { .type = 1, .mac = mac, .xid = 7 };

    dp_packet_init(&rp, 0);
    build_dhcp(&p, &s);
    int error = run(r, &p, now, &rp);
    dp_packet_uninit(&rp);
    return error;
}

/* Checks the options every OFFER and ACK from base_config() carries. */
void
check_config_options(const struct dhcp_reply *d, bool lease)
{
    CHECK_EQ(opt_ip(d, 54), ip("10.0.0.1"));
    if (lease) {
        CHECK_EQ(opt_u32(d, 51), 3600);
        CHECK_EQ(opt_u32(d, 58), 1800);
        CHECK_EQ(opt_u32(d, 59), 3150);
    } else {
        CHECK(!d->opt[51] && !d->opt[58] && !d->opt[59]);
    }
    CHECK_EQ(opt_ip(d, 1), ip("255.255.255.0"));
    CHECK_EQ(opt_ip(d, 28), ip("10.0.0.255"));
    CHECK_EQ(opt_ip(d, 3), ip("10.0.0.1"));
    CHECK(d->opt[6] != NULL);
    CHECK_EQ(d->opt_len[6], 8);
    CHECK_EQ(getbe32(d->opt[6]), ip("10.0.0.1"));
    CHECK_EQ(getbe32(d->opt[6] + 4), ip("9.9.9.9"));
    CHECK(d->opt[15] != NULL);
    CHECK_EQ(d->opt_len[15], strlen("vm.example"));
    CHECK_MEMEQ(d->opt[15], "vm.example", 10);
    CHECK(d->opt[26] != NULL);
    CHECK_EQ(d->opt_len[26], 2);
    CHECK_EQ(get16(d->opt[26]), 1450);
}
