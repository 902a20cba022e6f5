/* bench-flow-extract: flow_extract() throughput, single thread.
 *
 * For each packet kind (and for a mix of all of them, cycling), runs
 * flow_extract() in a hot loop for about 3 seconds (or argv[1] seconds)
 * over pre-built packets and prints one JSON line:
 *
 *   {"bench":"flow_extract","packet":"tcp4","packets_per_sec":N,
 *    "ns_per_packet":X}
 */
#include <config.h>
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include "dp-packet.h"
#include "packets.h"
#include "timeval.h"

struct kind {
    const char *name;
    struct flow flow;
};

static void
base_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1;
    f->dl_src = eth_addr_from_uint64(0x001122334455ULL);
    f->dl_dst = eth_addr_from_uint64(0x66778899aabbULL);
    f->nw_ttl = 64;
}

static void
make_kinds(struct kind kinds[5])
{
    struct flow *f;

    kinds[0].name = "tcp4";
    f = &kinds[0].flow;
    base_flow(f);
    f->dl_type = htons(ETH_TYPE_IP);
    f->nw_src = htonl(0x0a000001);
    f->nw_dst = htonl(0x0a000002);
    f->nw_proto = IPPROTO_TCP;
    f->tp_src = htons(40000);
    f->tp_dst = htons(80);
    f->tcp_flags = htons(TCP_ACK);

    kinds[1].name = "udp6";
    f = &kinds[1].flow;
    base_flow(f);
    f->dl_type = htons(ETH_TYPE_IPV6);
    ipv6_parse("2001:db8::1", &f->ipv6_src);
    ipv6_parse("2001:db8::2", &f->ipv6_dst);
    f->ipv6_label = htonl(0x12345);
    f->nw_proto = IPPROTO_UDP;
    f->tp_src = htons(5000);
    f->tp_dst = htons(4789);

    kinds[2].name = "vlan_tcp4";
    kinds[2].flow = kinds[0].flow;
    f = &kinds[2].flow;
    f->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    f->vlans[0].tci = htons(VLAN_CFI | 100);

    kinds[3].name = "arp";
    f = &kinds[3].flow;
    base_flow(f);
    f->nw_ttl = 0;
    f->dl_type = htons(ETH_TYPE_ARP);
    f->nw_proto = ARP_OP_REQUEST;
    f->nw_src = htonl(0x0a000001);
    f->nw_dst = htonl(0x0a000002);
    f->arp_sha = f->dl_src;

    kinds[4].name = "icmp4";
    f = &kinds[4].flow;
    base_flow(f);
    f->dl_type = htons(ETH_TYPE_IP);
    f->nw_src = htonl(0x0a000001);
    f->nw_dst = htonl(0x0a000002);
    f->nw_proto = IPPROTO_ICMP;
    f->tp_src = htons(ICMP4_ECHO_REQUEST);
}

/* Extracts from PACKETS[0..N) round-robin for SECONDS; returns
 * packets per second. */
static double
run(struct dp_packet **packets, size_t n, double seconds,
    uint64_t *sink)
{
    long long int start = time_nsec(), now;
    uint64_t count = 0;
    struct flow flow;

    do {
        for (int i = 0; i < 100000; i++) {
            flow_extract(packets[i % n], &flow);
            *sink += flow.nw_src ^ flow.tp_dst ^ flow.dl_type;
        }
        count += 100000;
        now = time_nsec();
    } while (now - start < seconds * 1e9);
    return count / ((now - start) / 1e9);
}

int
main(int argc, char *argv[])
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    struct kind kinds[5];
    struct dp_packet *packets[5];
    uint64_t sink = 0;

    make_kinds(kinds);
    for (int i = 0; i < 5; i++) {
        packets[i] = dp_packet_new(0);
        flow_compose(packets[i], &kinds[i].flow);
    }

    for (int i = 0; i <= 5; i++) {
        double pps = (i < 5
                      ? run(&packets[i], 1, seconds, &sink)
                      : run(packets, 5, seconds, &sink));
        printf("{\"bench\":\"flow_extract\",\"packet\":\"%s\","
               "\"packets_per_sec\":%.0f,\"ns_per_packet\":%.2f}\n",
               i < 5 ? kinds[i].name : "mix", pps, 1e9 / pps);
        fflush(stdout);
    }

    for (int i = 0; i < 5; i++) {
        dp_packet_delete(packets[i]);
    }
    return sink == 42;          /* Keeps the loop from being optimized. */
}
