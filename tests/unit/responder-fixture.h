/* responder-fixture: what the lib/responder tests (test-responder.c for
 * DHCPv4, test-responder-nd.c for ARP, ICMP, IPv6 RS/RA and NS/NA) share.
 *
 * Requests are built byte by byte into a 'struct pkt' with the put*()
 * builders and replies are decoded byte by byte, so that the tests do not
 * depend on the responder's own parsing code; checksums are checked with
 * an RFC 1071 sum of the fixture's own (sum16(), fold()).  Every helper
 * that finds something wrong fails the current test case with CHECK, so
 * they may only be called from inside a TEST.
 *
 * base_config() is the configuration every test starts from: network
 * 10.0.0.0/24, gateway 10.0.0.1 at 'gw_mac', pool .100-.199, DNS 10.0.0.1
 * and 9.9.9.9, domain "vm.example", MTU 1450, IPv6 prefix
 * 2001:db8:1:2::/64 and RDNSS 2001:db8::53. */
#ifndef PLX_TESTS_RESPONDER_FIXTURE_H
#define PLX_TESTS_RESPONDER_FIXTURE_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packets.h"
#include "responder.h"
#include "types.h"

struct dp_packet;

#define SEC 1000LL                      /* 'now' is in msec. */

extern const struct eth_addr gw_mac;    /* The responder's (gateway) MAC. */
extern const struct eth_addr mac1, mac2, mac3;      /* Clients. */

/* Addresses from text; the case fails if S does not parse. */
plx_be32 ip(const char *s);
struct in6_addr ip6(const char *s);

void base_config(struct responder_config *);
struct responder *make_responder(void);     /* From base_config(). */

/* An independent Internet checksum: sum16() adds N bytes at P to ACC as
 * big-endian 16-bit words, fold() folds and complements the sum. */
uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n);
uint16_t fold(uint32_t acc);

/* Building requests. */
struct pkt {
    uint8_t b[2048];
    size_t n;
};

void put8(struct pkt *, uint8_t);
void put16(struct pkt *, uint16_t);
void put32(struct pkt *, uint32_t);
void putn(struct pkt *, const void *, size_t);
void set16(struct pkt *, size_t ofs, uint16_t);
uint16_t get16(const uint8_t *);
uint32_t get32(const uint8_t *);
plx_be32 getbe32(const uint8_t *);

void put_eth(struct pkt *, struct eth_addr dst, struct eth_addr src,
             int n_tags, uint16_t tci, uint16_t type);
size_t put_ip4(struct pkt *, uint8_t proto, plx_be32 src, plx_be32 dst);
void end_ip4(struct pkt *, size_t ofs);

struct dhcp_spec {
    uint8_t type;
    struct eth_addr mac;
    uint32_t xid;
    uint16_t flags;
    plx_be32 ciaddr;
    plx_be32 ip_src, ip_dst;            /* Default 0.0.0.0 -> bcast. */
    bool to_gw_mac;                     /* Eth dst gateway, not bcast. */
    int n_tags;
    uint16_t tci;
    plx_be32 req_ip, server_id;         /* Options 50, 54 if nonzero. */
    bool client_id;                     /* Option 61 = 01 + mac. */
    const char *hostname;               /* Option 12. */
    const uint8_t *raw_opts;            /* Appended before END. */
    size_t n_raw_opts;
    bool no_end;
};

void build_dhcp(struct pkt *, const struct dhcp_spec *);

/* Run the responder on a copy of P (its first N bytes, for run_n()),
 * check that REPLY is empty on error and a full frame otherwise, and
 * return responder_handle()'s result. */
int run_n(struct responder *, const struct pkt *p, size_t n,
          long long int now, struct dp_packet *reply);
int run(struct responder *, const struct pkt *p, long long int now,
        struct dp_packet *reply);

/* Decoding replies. */
struct frame {
    struct eth_addr dst, src;
    int n_tags;
    uint16_t tpid[2], tci[2];
    uint16_t type;
    const uint8_t *l3;
    size_t l3_len;
};

void decode_eth(const struct dp_packet *, struct frame *);

struct dhcp_reply {
    struct frame f;
    plx_be32 ip_src, ip_dst;
    const uint8_t *m;                   /* BOOTP message. */
    size_t len;
    const uint8_t *opt[256];
    uint8_t opt_len[256];
};

void decode_dhcp(const struct dp_packet *, struct dhcp_reply *);
uint8_t dhcp_type(const struct dhcp_reply *);
plx_be32 opt_ip(const struct dhcp_reply *, int code);
uint32_t opt_u32(const struct dhcp_reply *, int code);
plx_be32 yiaddr(const struct dhcp_reply *);

void dhcp_exchange(struct responder *, const struct dhcp_spec *,
                   long long int now, struct dhcp_reply *,
                   struct dp_packet *reply);
plx_be32 dora(struct responder *, struct eth_addr mac, long long int now);
int discover_error(struct responder *, struct eth_addr mac,
                   long long int now);
void check_config_options(const struct dhcp_reply *, bool lease);

#endif /* responder-fixture.h */
