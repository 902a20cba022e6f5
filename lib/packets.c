/* packets: address parsing and formatting; see packets.h. */
#include <config.h>
#include "packets.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "dynamic-string.h"

/* ------------------------------------------------------------------ */
/* Ethernet addresses. */

/* Parses one "xx:xx:xx:xx:xx:xx" address at the start of S into *EA and
 * returns the number of characters used, or 0 if S does not start with
 * one. */
static size_t
eth_addr_scan__(const char *s, struct eth_addr *ea)
{
    const char *p = s;

    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        int value = 0, digits = 0;

        if (i > 0) {
            if (*p != ':') {
                return 0;
            }
            p++;
        }
        while (digits < 2 && isxdigit((unsigned char) *p)) {
            int c = tolower((unsigned char) *p);
            value = value * 16 + (isdigit(c) ? c - '0' : c - 'a' + 10);
            digits++;
            p++;
        }
        if (!digits) {
            return 0;
        }
        ea->ea[i] = value;
    }
    return p - s;
}

bool
eth_addr_from_string(const char *s, struct eth_addr *ea)
{
    size_t n = eth_addr_scan__(s, ea);
    if (n && s[n] == '\0') {
        return true;
    }
    *ea = eth_addr_zero;
    return false;
}

char *
eth_addr_parse(const char *s, struct eth_addr *ea)
{
    return (eth_addr_from_string(s, ea)
            ? NULL
            : xasprintf("%s: invalid Ethernet address", s));
}

char *
eth_addr_parse_masked(const char *s, struct eth_addr *ea,
                      struct eth_addr *mask)
{
    size_t n = eth_addr_scan__(s, ea);

    if (!n) {
        return xasprintf("%s: invalid Ethernet address", s);
    }
    if (s[n] == '\0') {
        *mask = eth_addr_exact;
        return NULL;
    }
    if (s[n] == '/' && eth_addr_from_string(s + n + 1, mask)) {
        return NULL;
    }
    return xasprintf("%s: invalid Ethernet address or mask", s);
}

void
eth_format_masked(struct eth_addr ea, const struct eth_addr *mask,
                  struct ds *s)
{
    ds_put_format(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
    if (mask && !eth_addr_is_broadcast(*mask)) {
        ds_put_format(s, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(*mask));
    }
}

/* ------------------------------------------------------------------ */
/* IPv4 addresses. */

int
ip_count_cidr_bits(plx_be32 netmask)
{
    uint32_t m = ntohl(netmask);
    int n;

    if (!m) {
        return 0;
    }
    /* CIDR iff the 1-bits are contiguous from the top. */
    n = 32 - raw_ctz(m);
    return be32_prefix_mask(n) == netmask ? n : -1;
}

bool
ip_is_cidr(plx_be32 netmask)
{
    return ip_count_cidr_bits(netmask) >= 0;
}

void
ip_format_masked(plx_be32 ip, plx_be32 mask, struct ds *s)
{
    ds_put_format(s, IP_FMT, IP_ARGS(ip));
    if (mask != htonl(0xffffffff)) {
        int n = ip_count_cidr_bits(mask);
        if (n >= 0) {
            ds_put_format(s, "/%d", n);
        } else {
            ds_put_format(s, "/"IP_FMT, IP_ARGS(mask));
        }
    }
}

/* Parses a strict dotted quad ("1.2.3.4", each part 0...255, decimal) at
 * the start of S, returning the characters consumed or 0. */
static size_t
ip_scan__(const char *s, plx_be32 *ip)
{
    const char *p = s;
    uint32_t value = 0;

    for (int i = 0; i < 4; i++) {
        unsigned int part = 0;
        int digits = 0;

        if (i > 0) {
            if (*p != '.') {
                return 0;
            }
            p++;
        }
        while (isdigit((unsigned char) *p) && digits < 3) {
            part = part * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (!digits || part > 255 || isdigit((unsigned char) *p)) {
            return 0;
        }
        value = (value << 8) | part;
    }
    *ip = htonl(value);
    return p - s;
}

bool
ip_parse(const char *s, plx_be32 *ip)
{
    size_t n = ip_scan__(s, ip);
    return n && s[n] == '\0';
}

/* Parses a decimal prefix length 0...MAX with nothing after it. */
static bool
parse_plen__(const char *s, int max, int *plen)
{
    int n;
    if (!isdigit((unsigned char) *s) || !str_to_int(s, 10, &n)
        || n < 0 || n > max) {
        return false;
    }
    *plen = n;
    return true;
}

char *
ip_parse_masked(const char *s, plx_be32 *ip, plx_be32 *mask)
{
    size_t n = ip_scan__(s, ip);
    int plen;

    if (!n) {
        return xasprintf("%s: invalid IP address", s);
    }
    if (s[n] == '\0') {
        *mask = htonl(0xffffffff);
        return NULL;
    }
    if (s[n] == '/') {
        const char *m = s + n + 1;
        if (ip_parse(m, mask)) {
            return NULL;
        }
        if (parse_plen__(m, 32, &plen)) {
            *mask = be32_prefix_mask(plen);
            return NULL;
        }
        return xasprintf("%s: invalid IP mask or prefix length", s);
    }
    return xasprintf("%s: invalid IP address", s);
}

char *
ip_parse_cidr(const char *s, plx_be32 *ip, unsigned int *plen)
{
    plx_be32 mask;
    char *error = ip_parse_masked(s, ip, &mask);
    if (error) {
        return error;
    }
    int n = ip_count_cidr_bits(mask);
    if (n < 0) {
        return xasprintf("%s: mask is not a CIDR prefix", s);
    }
    if (*ip & ~mask) {
        return xasprintf("%s: host bits set beyond the prefix", s);
    }
    *plen = n;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* IPv6 addresses. */

struct in6_addr
ipv6_addr_bitand(const struct in6_addr *a, const struct in6_addr *b)
{
    struct in6_addr r;
    for (int i = 0; i < 16; i++) {
        r.s6_addr[i] = a->s6_addr[i] & b->s6_addr[i];
    }
    return r;
}

struct in6_addr
ipv6_addr_bitxor(const struct in6_addr *a, const struct in6_addr *b)
{
    struct in6_addr r;
    for (int i = 0; i < 16; i++) {
        r.s6_addr[i] = a->s6_addr[i] ^ b->s6_addr[i];
    }
    return r;
}

struct in6_addr
ipv6_create_mask(int n)
{
    struct in6_addr m;

    memset(&m, 0, sizeof m);
    n = MAX(0, MIN(n, 128));
    for (int i = 0; i < 16 && n > 0; i++, n -= 8) {
        m.s6_addr[i] = n >= 8 ? 0xff : (uint8_t) (0xff << (8 - n));
    }
    return m;
}

int
ipv6_count_cidr_bits(const struct in6_addr *mask)
{
    int n = 0;
    int i;

    for (i = 0; i < 16 && mask->s6_addr[i] == 0xff; i++) {
        n += 8;
    }
    if (i < 16) {
        uint8_t b = mask->s6_addr[i];
        while (b & 0x80) {
            n++;
            b <<= 1;
        }
    }
    struct in6_addr cidr = ipv6_create_mask(n);
    return ipv6_addr_equals(&cidr, mask) ? n : -1;
}

bool
ipv6_is_cidr(const struct in6_addr *mask)
{
    return ipv6_count_cidr_bits(mask) >= 0;
}

void
ipv6_format_addr(const struct in6_addr *a, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a, buf, sizeof buf);
    ds_put_cstr(s, buf);
}

const char *
ipv6_string_mapped(char *buf, const struct in6_addr *a)
{
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        plx_be32 ip = in6_addr_get_mapped_ipv4(a);
        snprintf(buf, INET6_ADDRSTRLEN, IP_FMT, IP_ARGS(ip));
    } else {
        inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
    }
    return buf;
}

void
ipv6_format_mapped(const struct in6_addr *a, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];
    ds_put_cstr(s, ipv6_string_mapped(buf, a));
}

void
ipv6_format_masked(const struct in6_addr *addr, const struct in6_addr *mask,
                   struct ds *s)
{
    ipv6_format_addr(addr, s);
    if (mask && !ipv6_mask_is_exact(mask)) {
        int n = ipv6_count_cidr_bits(mask);
        if (n >= 0) {
            ds_put_format(s, "/%d", n);
        } else {
            ds_put_char(s, '/');
            ipv6_format_addr(mask, s);
        }
    }
}

bool
ipv6_parse(const char *s, struct in6_addr *a)
{
    return inet_pton(AF_INET6, s, a) == 1;
}

char *
ipv6_parse_masked(const char *s, struct in6_addr *addr,
                  struct in6_addr *mask)
{
    const char *slash = strchr(s, '/');
    char buf[INET6_ADDRSTRLEN + 1];
    size_t len = slash ? (size_t) (slash - s) : strlen(s);
    int plen;

    if (len >= sizeof buf) {
        return xasprintf("%s: invalid IPv6 address", s);
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (!ipv6_parse(buf, addr)) {
        return xasprintf("%s: invalid IPv6 address", s);
    }
    if (!slash) {
        *mask = in6addr_exact;
        return NULL;
    }
    if (ipv6_parse(slash + 1, mask)) {
        return NULL;
    }
    if (parse_plen__(slash + 1, 128, &plen)) {
        *mask = ipv6_create_mask(plen);
        return NULL;
    }
    return xasprintf("%s: invalid IPv6 mask or prefix length", s);
}

char *
ipv6_parse_cidr(const char *s, struct in6_addr *addr, unsigned int *plen)
{
    struct in6_addr mask;
    char *error = ipv6_parse_masked(s, addr, &mask);
    if (error) {
        return error;
    }
    int n = ipv6_count_cidr_bits(&mask);
    if (n < 0) {
        return xasprintf("%s: mask is not a CIDR prefix", s);
    }
    struct in6_addr host = ipv6_addr_bitand(addr, &mask);
    if (!ipv6_addr_equals(&host, addr)) {
        return xasprintf("%s: host bits set beyond the prefix", s);
    }
    *plen = n;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Names. */

const char *
ip_proto_to_string(uint8_t ip_proto)
{
    switch (ip_proto) {
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_IGMP: return "igmp";
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_GRE: return "gre";
    case IPPROTO_ESP: return "esp";
    case IPPROTO_AH: return "ah";
    case IPPROTO_ICMPV6: return "icmp6";
    case IPPROTO_SCTP: return "sctp";
    default: return NULL;
    }
}

void
packet_format_tcp_flags(struct ds *s, uint16_t tcp_flags)
{
    static const char *const names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    };
    size_t start = s->length;

    tcp_flags &= TCP_FLAGS_MASK;
    if (!tcp_flags) {
        ds_put_char(s, '0');
        return;
    }
    for (size_t i = 0; i < 12; i++) {
        if (tcp_flags & (1u << i)) {
            if (s->length != start) {
                ds_put_char(s, '|');
            }
            if (i < ARRAY_SIZE(names)) {
                ds_put_cstr(s, names[i]);
            } else {
                ds_put_format(s, "[%zu]", i);
            }
        }
    }
}
