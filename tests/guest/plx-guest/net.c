/*
 * tests/guest/plx-guest/net.c: Ethernet, ARP, IPv4, ICMP echo and UDP
 * (see net.h).  No hardware access here.
 */
#include "net.h"
#include "lib.h"

static const uint8_t eth_broadcast[PG_ETH_ALEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* Unfolded one's-complement sum of N bytes, continuing SUM. */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 2) {
        sum += get16(p);
        p += 2;
        n -= 2;
    }
    if (n) {
        sum += (uint32_t) p[0] << 8;
    }
    return sum;
}

static uint16_t
csum_finish(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

uint16_t
pg_inet_csum(const void *data, size_t n, uint32_t sum)
{
    return csum_finish(csum_add(sum, data, n));
}

/* Sum of the UDP pseudo-header. */
static uint64_t
pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (uint64_t) (src >> 16) + (src & 0xffff) + (dst >> 16)
           + (dst & 0xffff) + proto + len;
}

void
pg_netif_init(struct pg_netif *netif, const uint8_t mac[PG_ETH_ALEN],
              uint32_t ip, uint8_t prefix_len, pg_tx_cb *tx, void *aux)
{
    memset(netif, 0, sizeof *netif);
    memcpy(netif->mac, mac, PG_ETH_ALEN);
    netif->ip = ip;
    netif->prefix_len = prefix_len > 32 ? 32 : prefix_len;
    netif->tx = tx;
    netif->tx_aux = aux;
    netif->ip_id = 1;
}

bool
pg_netif_on_link(const struct pg_netif *netif, uint32_t ip)
{
    uint32_t mask = (netif->prefix_len
                     ? ~(uint32_t) 0 << (32 - netif->prefix_len) : 0);
    return netif->ip && ((ip ^ netif->ip) & mask) == 0;
}

const uint8_t *
pg_arp_lookup(const struct pg_netif *netif, uint32_t ip)
{
    if (!ip) {
        return NULL;
    }
    for (size_t i = 0; i < PG_ARP_CACHE_SIZE; i++) {
        if (netif->arp[i].ip == ip) {
            return netif->arp[i].mac;
        }
    }
    return NULL;
}

void
pg_arp_learn(struct pg_netif *netif, uint32_t ip,
             const uint8_t mac[PG_ETH_ALEN])
{
    struct pg_arp_entry *e = NULL;

    if (!ip || ip == 0xffffffff || (mac[0] & 1)) {
        return;                 /* No broadcast or multicast mappings. */
    }
    for (size_t i = 0; i < PG_ARP_CACHE_SIZE; i++) {
        if (netif->arp[i].ip == ip) {
            e = &netif->arp[i];
            break;
        }
    }
    if (!e) {
        e = &netif->arp[netif->arp_next++ % PG_ARP_CACHE_SIZE];
        e->ip = ip;
    }
    memcpy(e->mac, mac, PG_ETH_ALEN);
}

static void
put_eth(uint8_t *p, const uint8_t dst[PG_ETH_ALEN],
        const uint8_t src[PG_ETH_ALEN], uint16_t type)
{
    memcpy(p, dst, PG_ETH_ALEN);
    memcpy(p + 6, src, PG_ETH_ALEN);
    put16(p + 12, type);
}

/* An IPv4 header without options at P for a datagram whose payload is
 * PAYLOAD_LEN bytes. */
static void
put_ip(uint8_t *p, uint8_t proto, uint16_t id, uint32_t src, uint32_t dst,
       size_t payload_len)
{
    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, PG_IP_HLEN + payload_len);
    put16(p + 4, id);
    put16(p + 6, 0x4000);       /* DF. */
    p[8] = 64;
    p[9] = proto;
    put16(p + 10, 0);
    put32(p + 12, src);
    put32(p + 16, dst);
    put16(p + 10, pg_inet_csum(p, PG_IP_HLEN, 0));
}

static size_t
pad_frame(uint8_t *buf, size_t len)
{
    if (len < PG_ETH_FRAME_MIN) {
        memset(buf + len, 0, PG_ETH_FRAME_MIN - len);
        len = PG_ETH_FRAME_MIN;
    }
    return len;
}

static void
send_frame(struct pg_netif *netif, const uint8_t *frame, size_t len)
{
    if (!netif->tx || netif->tx(netif->tx_aux, frame, len)) {
        netif->stats.tx_failed++;
    }
}

static size_t
build_arp(struct pg_netif *netif, uint16_t op,
          const uint8_t eth_dst[PG_ETH_ALEN],
          const uint8_t tha[PG_ETH_ALEN], uint32_t tpa,
          uint8_t *buf, size_t size)
{
    if (size < PG_ETH_FRAME_MIN) {
        return 0;
    }
    put_eth(buf, eth_dst, netif->mac, PG_ETH_TYPE_ARP);
    uint8_t *a = buf + PG_ETH_HLEN;
    put16(a, 1);                /* Ethernet. */
    put16(a + 2, PG_ETH_TYPE_IP);
    a[4] = PG_ETH_ALEN;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, netif->mac, PG_ETH_ALEN);
    put32(a + 14, netif->ip);
    memcpy(a + 18, tha, PG_ETH_ALEN);
    put32(a + 24, tpa);
    return pad_frame(buf, PG_ARP_FRAME_LEN);
}

size_t
pg_net_build_arp_request(struct pg_netif *netif, uint32_t target_ip,
                         uint8_t *buf, size_t size)
{
    static const uint8_t zero[PG_ETH_ALEN];

    if (!netif->ip) {
        return 0;
    }
    return build_arp(netif, PG_ARP_OP_REQUEST, eth_broadcast, zero,
                     target_ip, buf, size);
}

size_t
pg_net_build_echo(struct pg_netif *netif, const uint8_t dst_mac[6],
                  uint32_t dst_ip, uint8_t type, uint16_t id, uint16_t seq,
                  const void *data, size_t data_len, uint8_t *buf,
                  size_t size)
{
    size_t icmp_len = PG_ICMP_HLEN + data_len;
    size_t len = PG_ETH_HLEN + PG_IP_HLEN + icmp_len;

    if (len > PG_ETH_FRAME_MAX || len > size || size < PG_ETH_FRAME_MIN) {
        return 0;
    }
    put_eth(buf, dst_mac, netif->mac, PG_ETH_TYPE_IP);
    put_ip(buf + PG_ETH_HLEN, PG_IPPROTO_ICMP, netif->ip_id++, netif->ip,
           dst_ip, icmp_len);

    uint8_t *icmp = buf + PG_ETH_HLEN + PG_IP_HLEN;
    icmp[0] = type;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, id);
    put16(icmp + 6, seq);
    memmove(icmp + PG_ICMP_HLEN, data, data_len);
    put16(icmp + 2, pg_inet_csum(icmp, icmp_len, 0));
    return pad_frame(buf, len);
}

size_t
pg_net_build_udp(struct pg_netif *netif, const uint8_t dst_mac[6],
                 uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
                 size_t frame_size, uint8_t *buf, size_t size)
{
    const size_t hdrs = PG_ETH_HLEN + PG_IP_HLEN + PG_UDP_HLEN;

    if (frame_size < PG_ETH_FRAME_MIN || frame_size > PG_ETH_FRAME_MAX
        || frame_size > size) {
        return 0;
    }
    size_t udp_len = frame_size - PG_ETH_HLEN - PG_IP_HLEN;
    put_eth(buf, dst_mac, netif->mac, PG_ETH_TYPE_IP);
    put_ip(buf + PG_ETH_HLEN, PG_IPPROTO_UDP, netif->ip_id++, netif->ip,
           dst_ip, udp_len);

    uint8_t *udp = buf + PG_ETH_HLEN + PG_IP_HLEN;
    put16(udp, src_port);
    put16(udp + 2, dst_port);
    put16(udp + 4, udp_len);
    put16(udp + 6, 0);
    for (size_t i = hdrs; i < frame_size; i++) {
        buf[i] = (uint8_t) (i - hdrs);
    }
    uint16_t csum = pg_inet_csum(udp, udp_len,
                                 pseudo_sum(netif->ip, dst_ip,
                                            PG_IPPROTO_UDP, udp_len));
    put16(udp + 6, csum ? csum : 0xffff);
    return frame_size;
}

static enum pg_rx_kind
drop(struct pg_netif *netif)
{
    netif->stats.rx_dropped++;
    return PG_RX_DROP;
}

static enum pg_rx_kind
arp_input(struct pg_netif *netif, const uint8_t *a, size_t len)
{
    if (len < 28
        || get16(a) != 1 || get16(a + 2) != PG_ETH_TYPE_IP
        || a[4] != PG_ETH_ALEN || a[5] != 4 || !netif->ip) {
        return drop(netif);
    }

    uint16_t op = get16(a + 6);
    const uint8_t *sha = a + 8;
    uint32_t spa = get32(a + 14);
    uint32_t tpa = get32(a + 24);

    if (tpa != netif->ip || (op != PG_ARP_OP_REQUEST
                             && op != PG_ARP_OP_REPLY)) {
        return drop(netif);
    }
    pg_arp_learn(netif, spa, sha);
    if (op == PG_ARP_OP_REQUEST && spa && !(sha[0] & 1)) {
        uint8_t reply[PG_ETH_FRAME_MIN];
        size_t n = build_arp(netif, PG_ARP_OP_REPLY, sha, sha, spa,
                             reply, sizeof reply);
        send_frame(netif, reply, n);
        netif->stats.arp_replies++;
    }
    return PG_RX_ARP;
}

static enum pg_rx_kind
icmp_input(struct pg_netif *netif, const uint8_t *eth_src,
           const uint8_t *icmp, size_t len, struct pg_rx_info *info)
{
    if (len < PG_ICMP_HLEN || pg_inet_csum(icmp, len, 0)) {
        return drop(netif);
    }
    info->id = get16(icmp + 4);
    info->seq = get16(icmp + 6);
    info->payload = icmp + PG_ICMP_HLEN;
    info->payload_len = len - PG_ICMP_HLEN;

    if (icmp[0] == PG_ICMP_ECHO_REQUEST && icmp[1] == 0) {
        uint8_t reply[PG_ETH_FRAME_MAX];
        size_t n = pg_net_build_echo(netif, eth_src, info->src_ip,
                                     PG_ICMP_ECHO_REPLY, info->id,
                                     info->seq, info->payload,
                                     info->payload_len, reply,
                                     sizeof reply);
        if (!n) {
            return drop(netif);
        }
        send_frame(netif, reply, n);
        netif->stats.echo_replies++;
        return PG_RX_ECHO_REQUEST;
    } else if (icmp[0] == PG_ICMP_ECHO_REPLY && icmp[1] == 0) {
        return PG_RX_ECHO_REPLY;
    }
    return drop(netif);
}

static enum pg_rx_kind
udp_input(struct pg_netif *netif, const uint8_t *udp, size_t len,
          struct pg_rx_info *info)
{
    if (len < PG_UDP_HLEN) {
        return drop(netif);
    }
    uint16_t udp_len = get16(udp + 4);
    if (udp_len < PG_UDP_HLEN || udp_len > len) {
        return drop(netif);
    }
    if (get16(udp + 6)
        && pg_inet_csum(udp, udp_len,
                        pseudo_sum(info->src_ip, info->dst_ip,
                                   PG_IPPROTO_UDP, udp_len))) {
        return drop(netif);
    }
    info->src_port = get16(udp);
    info->dst_port = get16(udp + 2);
    info->payload = udp + PG_UDP_HLEN;
    info->payload_len = udp_len - PG_UDP_HLEN;
    return PG_RX_UDP;
}

static enum pg_rx_kind
ip_input(struct pg_netif *netif, const uint8_t *eth_src, const uint8_t *ip,
         size_t len, struct pg_rx_info *info)
{
    if (len < PG_IP_HLEN || (ip[0] >> 4) != 4 || !netif->ip) {
        return drop(netif);
    }
    size_t ihl = (size_t) (ip[0] & 0xf) * 4;
    size_t total = get16(ip + 2);
    if (ihl < PG_IP_HLEN || ihl > len || total < ihl || total > len
        || pg_inet_csum(ip, ihl, 0)) {
        return drop(netif);
    }
    if (get16(ip + 6) & 0x3fff) {
        return drop(netif);     /* A fragment (MF or an offset). */
    }

    info->src_ip = get32(ip + 12);
    info->dst_ip = get32(ip + 16);
    if (info->dst_ip != netif->ip) {
        return drop(netif);
    }

    const uint8_t *l4 = ip + ihl;
    size_t l4_len = total - ihl;    /* Ignores Ethernet padding. */
    switch (ip[9]) {
    case PG_IPPROTO_ICMP:
        return icmp_input(netif, eth_src, l4, l4_len, info);
    case PG_IPPROTO_UDP:
        return udp_input(netif, l4, l4_len, info);
    default:
        return drop(netif);
    }
}

enum pg_rx_kind
pg_net_input(struct pg_netif *netif, const void *frame_, size_t len,
             struct pg_rx_info *info)
{
    const uint8_t *frame = frame_;

    memset(info, 0, sizeof *info);
    netif->stats.rx_frames++;
    if (len < PG_ETH_HLEN) {
        return drop(netif);
    }
    const uint8_t *dst = frame, *src = frame + 6;
    if ((memcmp(dst, netif->mac, PG_ETH_ALEN)
         && memcmp(dst, eth_broadcast, PG_ETH_ALEN))
        || (src[0] & 1) || !memcmp(src, netif->mac, PG_ETH_ALEN)) {
        return drop(netif);
    }

    switch (get16(frame + 12)) {
    case PG_ETH_TYPE_ARP:
        return arp_input(netif, frame + PG_ETH_HLEN, len - PG_ETH_HLEN);
    case PG_ETH_TYPE_IP:
        return ip_input(netif, src, frame + PG_ETH_HLEN, len - PG_ETH_HLEN,
                        info);
    default:
        return drop(netif);
    }
}
