/*
 * tests/guest/plx-guest/net.h: the guest's network stack.
 *
 * Just enough IPv4 for a traffic source and sink: Ethernet II, ARP
 * (answers requests for our address, a small cache filled from replies
 * and from requests addressed to us), IPv4 without fragments (options
 * are accepted on input and never generated), ICMP echo (answers
 * requests, reports replies) and UDP (builds frames, reports datagrams).
 *
 * This file and net.c touch no hardware: frames come in as byte arrays,
 * replies go out through the netif's tx callback, so the unit test
 * tests/unit/test-guest-net.c runs the same code hosted.
 *
 * Every received frame is hostile: pg_net_input() reads only within the
 * LEN bytes it is given, parses by byte offsets (no packed structs, no
 * alignment assumptions) and drops anything malformed: short frames, bad
 * IHL or version, IP total length beyond the frame, wrong IPv4, ICMP or
 * UDP checksums, fragments, inconsistent UDP length.  Ethernet padding
 * after the IP total length is ignored.
 *
 * IPv4 addresses are uint32_t in host byte order; the stack converts at
 * the wire.
 */
#ifndef PLX_GUEST_NET_H
#define PLX_GUEST_NET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_ETH_ALEN 6
#define PG_ETH_HLEN 14
#define PG_IP_HLEN 20
#define PG_UDP_HLEN 8
#define PG_ICMP_HLEN 8
#define PG_ETH_FRAME_MAX 1514
#define PG_ETH_FRAME_MIN 60         /* Without FCS. */
#define PG_ETH_TYPE_IP 0x0800
#define PG_ETH_TYPE_ARP 0x0806
#define PG_IPPROTO_ICMP 1
#define PG_IPPROTO_UDP 17
#define PG_ICMP_ECHO_REPLY 0
#define PG_ICMP_ECHO_REQUEST 8
#define PG_ARP_OP_REQUEST 1
#define PG_ARP_OP_REPLY 2
#define PG_ARP_FRAME_LEN 42         /* Before padding to 60. */
#define PG_ARP_CACHE_SIZE 16

/* Sends a frame (copied before return).  Returns 0, or -1 if it could not
 * be queued (the frame is then dropped: the peer retries). */
typedef int pg_tx_cb(void *aux, const void *frame, size_t len);

struct pg_arp_entry {
    uint32_t ip;                /* 0: unused. */
    uint8_t mac[PG_ETH_ALEN];
};

struct pg_net_stats {
    uint64_t rx_frames;         /* Everything given to pg_net_input(). */
    uint64_t rx_dropped;        /* Malformed, or not for us. */
    uint64_t arp_replies;       /* ARP replies we sent. */
    uint64_t echo_replies;      /* ICMP echo replies we sent. */
    uint64_t tx_failed;         /* tx callback returned -1. */
};

struct pg_netif {
    uint8_t mac[PG_ETH_ALEN];
    uint32_t ip;                /* 0: unconfigured, only L2 is handled. */
    uint8_t prefix_len;
    uint16_t ip_id;             /* Next IPv4 identification. */
    pg_tx_cb *tx;
    void *tx_aux;
    struct pg_arp_entry arp[PG_ARP_CACHE_SIZE];
    unsigned int arp_next;      /* Round-robin replacement. */
    struct pg_net_stats stats;
};

enum pg_rx_kind {
    PG_RX_DROP,                 /* Malformed or not for us. */
    PG_RX_ARP,                  /* ARP handled (maybe answered). */
    PG_RX_ECHO_REQUEST,         /* Answered (unless tx failed). */
    PG_RX_ECHO_REPLY,
    PG_RX_UDP,
};

/* What pg_net_input() found.  'payload' points into the frame. */
struct pg_rx_info {
    uint32_t src_ip, dst_ip;
    uint16_t id, seq;           /* ICMP echo. */
    uint16_t src_port, dst_port;/* UDP. */
    const uint8_t *payload;     /* UDP data or ICMP echo data. */
    size_t payload_len;
};

void pg_netif_init(struct pg_netif *, const uint8_t mac[PG_ETH_ALEN],
                   uint32_t ip, uint8_t prefix_len, pg_tx_cb *, void *aux);

/* Parses FRAME (LEN bytes, starting at the Ethernet header), answers ARP
 * requests for our address and ICMP echo requests through the tx
 * callback, and says what it was in the return value and *INFO. */
enum pg_rx_kind pg_net_input(struct pg_netif *, const void *frame,
                             size_t len, struct pg_rx_info *info);

/* True if IP is in the netif's subnet. */
bool pg_netif_on_link(const struct pg_netif *, uint32_t ip);

/* ARP cache: the MAC for IP or NULL; learn a mapping. */
const uint8_t *pg_arp_lookup(const struct pg_netif *, uint32_t ip);
void pg_arp_learn(struct pg_netif *, uint32_t ip,
                  const uint8_t mac[PG_ETH_ALEN]);

/* Frame builders: each writes a complete Ethernet frame (padded to 60
 * bytes) into BUF of SIZE bytes and returns its length, or 0 if it does
 * not fit or the arguments are out of range. */
size_t pg_net_build_arp_request(struct pg_netif *, uint32_t target_ip,
                                uint8_t *buf, size_t size);
size_t pg_net_build_echo(struct pg_netif *, const uint8_t dst_mac[6],
                         uint32_t dst_ip, uint8_t type, uint16_t id,
                         uint16_t seq, const void *data, size_t data_len,
                         uint8_t *buf, size_t size);
/* A UDP frame of exactly FRAME_SIZE bytes (60...1514) with a fixed
 * payload pattern and a valid UDP checksum. */
size_t pg_net_build_udp(struct pg_netif *, const uint8_t dst_mac[6],
                        uint32_t dst_ip, uint16_t src_port,
                        uint16_t dst_port, size_t frame_size,
                        uint8_t *buf, size_t size);

/* Internet checksum of N bytes at DATA, continuing from partial sum SUM
 * (0 to start): the 16-bit value to store big-endian in a header.  Over
 * a region that includes a correct checksum field it returns 0. */
uint16_t pg_inet_csum(const void *data, size_t n, uint32_t sum);

#endif /* net.h */
