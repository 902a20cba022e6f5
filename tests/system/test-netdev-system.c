/* System tests for datapath/netdev-linux (needs root): a veth pair with
 * one end in a network namespace, whose kernel is the real peer; the
 * root-namespace end opened as "system"; a tap created as "internal"
 * that the host pings through.  Run through tests/system/test_netdev.py,
 * which also removes what a failed case left behind. */
#include <config.h>
#include "datapath/netdev.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include "csum.h"
#include "packets.h"
#include "poll-loop.h"
#include "tests/unit/test.h"
#include "timeval.h"

#define NS "plxnd0"
#define VA "plxnd0a"            /* Root namespace end, opened here. */
#define VB "plxnd0b"            /* In NS, with 10.77.0.2/24. */
#define V1A "plxnd1a"            /* A veth pair in the root namespace. */
#define V1B "plxnd1b"
#define INT_DEV "plxnd-int"
#define TAP_DEV "plxnd-tap"

static const struct eth_addr our_mac = { { { 0x02, 0x77, 0, 0, 0, 1 } } };

static int
run(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static int
run(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *cmd = xvasprintf(format, args);
    va_end(args);
    char *quiet = xasprintf("%s >/dev/null 2>&1", cmd);
    int status = system(quiet);
    free(quiet);
    free(cmd);
    return status;
}

static void
require_root(void)
{
    if (geteuid()) {
        test_skip("needs root");
    }
    if (run("ip -V")) {
        test_skip("iproute2 not installed");
    }
}

static void
setup_veth(void)
{
    require_root();
    run("ip netns del " NS);
    run("ip link del " VA);
    if (run("ip netns add " NS)) {
        test_skip("cannot create network namespaces here");
    }
    CHECK_EQ(run("ip link add " VA " type veth peer name " VB
                 " netns " NS), 0);
    CHECK_EQ(run("ip -n " NS " addr add 10.77.0.2/24 dev " VB), 0);
    CHECK_EQ(run("ip -n " NS " link set " VB " up"), 0);
    /* So the namespace answers our frames without ARPing first. */
    CHECK_EQ(run("ip -n " NS " neigh replace 10.77.0.1 lladdr "
                 "02:77:00:00:00:01 dev " VB), 0);
}

static void
teardown_veth(void)
{
    run("ip netns del " NS);
    run("ip link del " VA);
}

static struct eth_addr
read_mac(const char *ns, const char *dev)
{
    char *cmd = xasprintf("%s%s cat /sys/class/net/%s/address",
                          ns ? "ip netns exec " : "", ns ? ns : "", dev);
    FILE *f = popen(cmd, "r");
    char buf[64] = "";
    struct eth_addr mac = eth_addr_zero;
    CHECK(f && fgets(buf, sizeof buf, f));
    pclose(f);
    free(cmd);
    CHECK(eth_addr_from_string(buf, &mac) || (buf[17] = 0,
                                              eth_addr_from_string(buf,
                                                                   &mac)));
    return mac;
}

/* An Ethernet + IPv4 + ICMP frame of TYPE from SRC to DST with PAYLOAD_LEN
 * payload bytes derived from SEQ. */
static struct dp_packet *
make_icmp(struct eth_addr eth_src, struct eth_addr eth_dst,
          uint32_t ip_src, uint32_t ip_dst, uint8_t type, uint16_t seq,
          size_t payload_len)
{
    size_t len = ETH_HEADER_LEN + IP_HEADER_LEN + ICMP_HEADER_LEN
                 + payload_len;
    struct dp_packet *pkt = dp_packet_new_with_headroom(len, 64);
    uint8_t *p = dp_packet_put_zeros(pkt, len);

    memcpy(p, eth_dst.ea, 6);
    memcpy(p + 6, eth_src.ea, 6);
    p[12] = 0x08;
    p[13] = 0x00;
    uint8_t *ip = p + ETH_HEADER_LEN;
    ip[0] = 0x45;
    ip[2] = (len - ETH_HEADER_LEN) >> 8;
    ip[3] = len - ETH_HEADER_LEN;
    ip[8] = 64;
    ip[9] = IPPROTO_ICMP;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = ip_src >> (24 - 8 * i);
        ip[16 + i] = ip_dst >> (24 - 8 * i);
    }
    plx_be16 sum = csum(ip, IP_HEADER_LEN);
    memcpy(ip + 10, &sum, 2);
    uint8_t *icmp = ip + IP_HEADER_LEN;
    icmp[0] = type;
    icmp[4] = 0x12;             /* id 0x1234 */
    icmp[5] = 0x34;
    icmp[6] = seq >> 8;
    icmp[7] = seq;
    for (size_t i = 0; i < payload_len; i++) {
        icmp[8 + i] = (uint8_t) (seq + i * 3);
    }
    sum = csum(icmp, ICMP_HEADER_LEN + payload_len);
    memcpy(icmp + 2, &sum, 2);
    return pkt;
}

/* Polls RXQ for up to TIMEOUT_MS, calling MATCH on each packet; returns
 * once MATCH has returned true N times. */
static int
poll_rx(struct netdev_rxq *rxq, int n, int timeout_ms,
        bool (*match)(const struct dp_packet *, void *), void *aux)
{
    long long int deadline = time_msec() + timeout_ms;
    int found = 0;

    while (found < n && time_msec() < deadline) {
        struct dp_packet_batch batch;
        int error = netdev_rxq_recv(rxq, &batch);
        if (!error) {
            struct dp_packet *pkt;
            DP_PACKET_BATCH_FOR_EACH (i, pkt, &batch) {
                found += match(pkt, aux);
            }
            dp_packet_delete_batch(&batch, true);
        } else {
            CHECK_EQ(error, EAGAIN);
            netdev_rxq_wait(rxq);
            poll_timer_wait_until(deadline);
            poll_block();
        }
    }
    return found;
}

struct echo_expect {
    struct eth_addr peer_mac;
    int n_seen;
    uint16_t seqs_seen;         /* Bitmap of seq numbers seen. */
};

/* The namespace's echo replies to make_icmp(type 8) requests. */
static bool
match_echo_reply(const struct dp_packet *pkt, void *aux)
{
    struct echo_expect *e = aux;
    const uint8_t *p = dp_packet_data(pkt);
    size_t size = dp_packet_size(pkt);

    /* Never our own transmissions (PACKET_IGNORE_OUTGOING). */
    CHECK(size < 12 || memcmp(p + 6, our_mac.ea, 6));
    if (size < 42 || p[12] != 0x08 || p[13] != 0 || p[23] != IPPROTO_ICMP
        || p[34] != 0) {
        return false;
    }
    uint16_t seq = p[40] << 8 | p[41];
    size_t payload_len = seq * 100;
    CHECK_EQ(size, 42 + payload_len);
    CHECK_MEMEQ(p, our_mac.ea, 6);
    CHECK_MEMEQ(p + 6, e->peer_mac.ea, 6);
    CHECK_MEMEQ(p + 26, "\x0a\x4d\x00\x02\x0a\x4d\x00\x01", 8);
    CHECK_EQ(csum(p + 14, 20), 0);          /* Valid IP checksum. */
    CHECK_EQ(csum(p + 34, size - 34), 0);   /* Valid ICMP checksum. */
    CHECK_MEMEQ(p + 38, "\x12\x34", 2);
    for (size_t i = 0; i < payload_len; i++) {
        CHECK_EQ(p[42 + i], (uint8_t) (seq + i * 3));
    }
    e->seqs_seen |= 1u << seq;
    e->n_seen++;
    return true;
}

/* A TCP SYN to 10.77.0.1 port 9, whose checksum must be valid. */
static bool
match_tcp_syn(const struct dp_packet *pkt, void *aux PLX_UNUSED)
{
    const uint8_t *p = dp_packet_data(pkt);
    size_t size = dp_packet_size(pkt);

    if (size < 54 || p[12] != 0x08 || p[13] != 0 || p[23] != IPPROTO_TCP
        || (p[14] & 0xf) != 5 || p[36] != 0 || p[37] != 9) {
        return false;
    }
    size_t l4_len = ((p[16] << 8) | p[17]) - 20;
    CHECK_LE(34 + l4_len, size);
    uint32_t partial = csum_pseudoheader4(
        htonl(0x0a4d0002), htonl(0x0a4d0001), IPPROTO_TCP, l4_len);
    CHECK_EQ(csum_finish(csum_continue(partial, p + 34, l4_len)), 0);
    return true;
}

TEST(system_port_exchanges_packets_with_namespace)
{
    struct netdev *netdev;
    struct netdev_rxq *rxq;
    enum { N = 6 };

    setup_veth();
    CHECK_EQ(netdev_open(VA, "system", &netdev), 0);
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_UP, NULL), 0);
    CHECK_EQ(netdev_get_ifindex(netdev), (int) if_nametoindex(VA));
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);

    enum netdev_flags flags;
    CHECK_EQ(netdev_get_flags(netdev, &flags), 0);
    CHECK_EQ(flags, NETDEV_UP | NETDEV_PROMISC);

    /* Wait for the link to come up at both ends. */
    long long int deadline = time_msec() + 5000;
    bool carrier = false;
    while (!carrier && time_msec() < deadline) {
        CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
        usleep(10000);
    }
    CHECK(carrier);

    struct netdev_stats before;
    CHECK_EQ(netdev_get_stats(netdev, &before), 0);

    /* Echo requests to the namespace's kernel, payloads 0..500 bytes. */
    struct echo_expect e = { .peer_mac = read_mac(NS, VB) };
    struct dp_packet_batch batch;
    size_t tx_bytes = 0;
    dp_packet_batch_init(&batch);
    for (int seq = 0; seq < N; seq++) {
        struct dp_packet *pkt = make_icmp(our_mac, e.peer_mac, 0x0a4d0001,
                                          0x0a4d0002, 8, seq, seq * 100);
        tx_bytes += dp_packet_size(pkt);
        dp_packet_batch_add(&batch, pkt);
    }
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    CHECK_EQ(poll_rx(rxq, N, 5000, match_echo_reply, &e), N);
    CHECK_EQ(e.seqs_seen, (1u << N) - 1);

    /* Statistics count it (the kernel's counters, plus ours). */
    struct netdev_stats after;
    CHECK_EQ(netdev_get_stats(netdev, &after), 0);
    CHECK_GE(after.tx_packets - before.tx_packets, N);
    CHECK_GE(after.tx_bytes - before.tx_bytes, tx_bytes);
    CHECK_GE(after.rx_packets - before.rx_packets, N);
    CHECK_EQ(after.rx_errors, 0);

    /* A TCP SYN from the namespace leaves its checksum to offload (veth
     * has tx checksumming on); what we receive must carry a complete,
     * valid one. */
    FILE *tcp = popen("ip netns exec " NS " timeout 3 bash -c "
                      "'echo > /dev/tcp/10.77.0.1/9' 2>/dev/null", "r");
    CHECK(tcp != NULL);
    CHECK_EQ(poll_rx(rxq, 1, 5000, match_tcp_syn, NULL), 1);
    pclose(tcp);

    /* Runts are refused, not sent. */
    dp_packet_batch_init_packet(&batch, dp_packet_clone_data("abc", 3));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), EINVAL);

    netdev_rxq_close(rxq);
    netdev_close(netdev);
    teardown_veth();
}

TEST(system_ports_pass_frames_exactly_and_keep_vlan_tags)
{
    struct netdev *a, *b;
    struct netdev_rxq *rxq_a, *rxq_b;

    require_root();
    run("ip link del " V1A);
    CHECK_EQ(run("ip link add " V1A " type veth peer name " V1B), 0);
    CHECK_EQ(netdev_open(V1A, "system", &a), 0);
    CHECK_EQ(netdev_open(V1B, "system", &b), 0);
    CHECK_EQ(netdev_update_flags(a, 0, NETDEV_UP, NULL), 0);
    CHECK_EQ(netdev_update_flags(b, 0, NETDEV_UP, NULL), 0);
    CHECK_EQ(netdev_rxq_open(a, 0, &rxq_a), 0);
    CHECK_EQ(netdev_rxq_open(b, 0, &rxq_b), 0);

    /* Frames of every kind, sizes 60 to 1514, some 802.1Q or 802.1ad
     * tagged (the kernel takes the outer tag out of the packet; it must
     * come back), to an address that is not the receiver's. */
    struct dp_packet *frames[24];
    for (int i = 0; i < 24; i++) {
        size_t len = 60 + i * 63;
        struct dp_packet *pkt = dp_packet_new_with_headroom(len, 64);
        uint8_t *p = dp_packet_put_zeros(pkt, len);
        memcpy(p, "\x02\x55\x00\x00\x00\x02", 6);
        memcpy(p + 6, "\x02\x55\x00\x00\x00\x01", 6);
        size_t ofs = 12;
        if (i % 3 == 1) {
            memcpy(p + ofs, "\x81\x00", 2);
            p[ofs + 2] = 0x20 | (i >> 8);
            p[ofs + 3] = i;
            ofs += 4;
        } else if (i % 3 == 2) {
            memcpy(p + ofs, "\x88\xa8\x00\x07\x81\x00\x00\x09", 8);
            ofs += 8;
        }
        memcpy(p + ofs, "\x88\xb5", 2);       /* Local experimental. */
        for (size_t j = ofs + 2; j < len; j++) {
            p[j] = (uint8_t) (i * 7 + j);
        }
        frames[i] = pkt;
    }

    for (int dir = 0; dir < 2; dir++) {
        struct netdev *tx = dir ? b : a;
        struct netdev_rxq *rx = dir ? rxq_a : rxq_b;
        struct dp_packet_batch batch;

        dp_packet_batch_init(&batch);
        for (int i = 0; i < 24; i++) {
            dp_packet_batch_add(&batch, frames[i]);
        }
        CHECK_EQ(netdev_send(tx, 0, &batch, false), 0);

        int n = 0;
        long long int deadline = time_msec() + 5000;
        while (n < 24 && time_msec() < deadline) {
            if (netdev_rxq_recv(rx, &batch)) {
                netdev_rxq_wait(rx);
                poll_timer_wait_until(deadline);
                poll_block();
                continue;
            }
            struct dp_packet *pkt;
            DP_PACKET_BATCH_FOR_EACH (j, pkt, &batch) {
                const uint8_t *p = dp_packet_data(pkt);
                if (dp_packet_size(pkt) < 12
                    || memcmp(p + 6, "\x02\x55\x00\x00\x00\x01", 6)) {
                    continue;           /* The kernel's own (IPv6...). */
                }
                CHECK_LT(n, 24);
                CHECK_MSG(dp_packet_equal(pkt, frames[n]),
                          "direction %d frame %d: %u bytes, expected %u",
                          dir, n, dp_packet_size(pkt),
                          dp_packet_size(frames[n]));
                n++;
            }
            dp_packet_delete_batch(&batch, true);
        }
        CHECK_EQ(n, 24);
    }
    for (int i = 0; i < 24; i++) {
        dp_packet_delete(frames[i]);
    }

    netdev_rxq_close(rxq_a);
    netdev_rxq_close(rxq_b);
    netdev_close(a);
    netdev_close(b);
    CHECK_EQ(run("ip link del " V1A), 0);
}

/* Runs the main loop until NETDEV's change sequence number moves. */
static bool
wait_for_change(struct netdev *netdev, uint64_t seq)
{
    long long int deadline = time_msec() + 5000;
    while (netdev_get_change_seq(netdev) == seq) {
        if (time_msec() >= deadline) {
            return false;
        }
        netdev_run();
        netdev_wait();
        poll_timer_wait_until(deadline);
        poll_block();
    }
    return true;
}

TEST(link_changes_are_notified)
{
    struct netdev *netdev;
    bool carrier;

    setup_veth();
    CHECK_EQ(netdev_open(VA, "system", &netdev), 0);
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_UP, NULL), 0);
    netdev_run();                       /* Absorb our own change. */
    usleep(100000);
    netdev_run();
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(carrier);

    /* Peer down: carrier drops, and we are told. */
    uint64_t seq = netdev_get_change_seq(netdev);
    CHECK_EQ(run("ip -n " NS " link set " VB " down"), 0);
    CHECK(wait_for_change(netdev, seq));
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(!carrier);

    seq = netdev_get_change_seq(netdev);
    CHECK_EQ(run("ip -n " NS " link set " VB " up"), 0);
    CHECK(wait_for_change(netdev, seq));
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(carrier);

    /* MTU changed outside: notified, and read back. */
    seq = netdev_get_change_seq(netdev);
    CHECK_EQ(run("ip link set " VA " mtu 1300"), 0);
    CHECK(wait_for_change(netdev, seq));
    int mtu;
    CHECK_EQ(netdev_get_mtu(netdev, &mtu), 0);
    CHECK_EQ(mtu, 1300);

    /* MTU and MAC set here: the kernel agrees. */
    CHECK_EQ(netdev_set_mtu(netdev, 1400), 0);
    CHECK_EQ(netdev_get_mtu(netdev, &mtu), 0);
    CHECK_EQ(mtu, 1400);
    CHECK_EQ(run("ip link show " VA " | grep -q 'mtu 1400'"), 0);
    struct eth_addr mac = { { { 0x02, 0x99, 0x88, 0x77, 0x66, 0x55 } } };
    struct eth_addr got;
    CHECK_EQ(netdev_set_etheraddr(netdev, mac), 0);
    CHECK_EQ(netdev_get_etheraddr(netdev, &got), 0);
    CHECK(eth_addr_equals(got, mac));
    CHECK(eth_addr_equals(read_mac(NULL, VA), mac));

    /* Admin down through us. */
    enum netdev_flags flags;
    CHECK_EQ(netdev_update_flags(netdev, NETDEV_UP, 0, &flags), 0);
    CHECK(flags & NETDEV_UP);
    CHECK_EQ(run("ip link show " VA " | grep -q 'state DOWN'"), 0);

    /* The interface vanishing is a change too. */
    seq = netdev_get_change_seq(netdev);
    CHECK_EQ(run("ip link del " VA), 0);
    CHECK(wait_for_change(netdev, seq));
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), ENODEV);
    netdev_close(netdev);
    teardown_veth();
}

TEST(nonexistent_and_wrong_kind_refused)
{
    struct netdev *netdev;

    require_root();
    CHECK_EQ(netdev_open("plxnd-nosuch", "system", &netdev), ENODEV);
    CHECK(netdev == NULL);
    char *s = netdev_open_error_string("plxnd-nosuch", "system", ENODEV);
    CHECK_STREQ(s, "could not open network device plxnd-nosuch (No such "
                "device)");
    free(s);

    /* A veth is not a tap. */
    setup_veth();
    CHECK_EQ(netdev_open(VA, "tap", &netdev), EEXIST);
    CHECK_EQ(netdev_open("a-name-that-is-too-long", "internal", &netdev),
             EINVAL);
    teardown_veth();
}

struct echo_request {
    struct eth_addr host_mac;
    struct dp_packet *request;
};

static bool
match_echo_request(const struct dp_packet *pkt, void *aux)
{
    struct echo_request *r = aux;
    const uint8_t *p = dp_packet_data(pkt);
    size_t size = dp_packet_size(pkt);

    if (size < 42 || p[12] != 0x08 || p[13] != 0 || p[23] != IPPROTO_ICMP
        || p[34] != 8 || memcmp(p + 30, "\x0a\x4f\x00\x02", 4)) {
        return false;
    }
    CHECK_MEMEQ(p, our_mac.ea, 6);
    CHECK_MEMEQ(p + 6, r->host_mac.ea, 6);
    if (!r->request) {
        r->request = dp_packet_clone(pkt);
    }
    return true;
}

TEST(internal_port_is_reachable_from_host)
{
    struct netdev *netdev;
    struct netdev_rxq *rxq;

    require_root();
    run("ip link del " INT_DEV);
    CHECK_EQ(netdev_open(INT_DEV, "internal", &netdev), 0);
    CHECK_EQ(run("test -d /sys/class/net/" INT_DEV), 0);
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_UP, NULL), 0);
    CHECK_EQ(run("ip addr add 10.79.0.1/24 dev " INT_DEV), 0);
    CHECK_EQ(run("ip neigh replace 10.79.0.2 lladdr 02:77:00:00:00:01 "
                 "dev " INT_DEV), 0);
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);

    /* The host pings "10.79.0.2" out of the tap; we answer. */
    FILE *ping = popen("ping -c 1 -W 5 10.79.0.2 >/dev/null 2>&1; echo $?",
                       "r");
    CHECK(ping != NULL);
    struct echo_request r = { .host_mac = read_mac(NULL, INT_DEV) };
    CHECK_EQ(poll_rx(rxq, 1, 5000, match_echo_request, &r), 1);

    /* The reply: swap addresses, type 0, fix the checksum. */
    struct dp_packet *reply = r.request;
    uint8_t *p = dp_packet_data(reply);
    uint8_t tmp[6];
    memcpy(p, r.host_mac.ea, 6);
    memcpy(p + 6, our_mac.ea, 6);
    memcpy(tmp, p + 26, 4);
    memcpy(p + 26, p + 30, 4);
    memcpy(p + 30, tmp, 4);
    p[34] = 0;
    p[36] = p[37] = 0;
    plx_be16 sum = csum(p + 34, dp_packet_size(reply) - 34);
    memcpy(p + 36, &sum, 2);
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, reply);
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);

    char status[16] = "";
    CHECK(fgets(status, sizeof status, ping) != NULL);
    pclose(ping);
    CHECK_STREQ(status, "0\n");         /* ping got its reply. */

    /* Switch's view: it received the request and sent the reply. */
    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_GE(stats.rx_packets, 1);
    CHECK_GE(stats.tx_packets, 1);

    netdev_rxq_close(rxq);
    netdev_close(netdev);
    CHECK(run("test -d /sys/class/net/" INT_DEV) != 0);   /* Gone. */
}

TEST(tap_attaches_to_existing_tap)
{
    struct netdev *netdev;

    require_root();
    run("ip link del " TAP_DEV);
    CHECK_EQ(run("ip tuntap add dev " TAP_DEV " mode tap"), 0);
    CHECK_EQ(netdev_open(TAP_DEV, "tap", &netdev), 0);
    CHECK_EQ(netdev_get_ifindex(netdev), (int) if_nametoindex(TAP_DEV));
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_UP, NULL), 0);

    /* Something sent on the tap is seen by the host's kernel. */
    struct netdev_stats before, after;
    CHECK_EQ(netdev_get_stats(netdev, &before), 0);
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, make_icmp(our_mac, eth_addr_broadcast,
                                                  1, 2, 8, 1, 10));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    CHECK_EQ(netdev_get_stats(netdev, &after), 0);
    CHECK_EQ(after.tx_packets - before.tx_packets, 1);

    netdev_close(netdev);
    /* Persistent: still there after we let go. */
    CHECK_EQ(run("test -d /sys/class/net/" TAP_DEV), 0);
    CHECK_EQ(run("ip link del " TAP_DEV), 0);
}

/* A tap that is down: the first write fails with EIO, and from then on
 * what is sent to it is dropped and counted without a write, until the
 * kernel reports a change of the link; then it sends again. */
TEST(down_tap_drops_until_link_changes)
{
    struct netdev *netdev;
    struct netdev_stats before, after;
    struct dp_packet_batch batch;

    require_root();
    run("ip link del " INT_DEV);
    CHECK_EQ(netdev_open(INT_DEV, "internal", &netdev), 0);
    CHECK_EQ(netdev_update_flags(netdev, NETDEV_UP, 0, NULL), 0);
    netdev_run();

    CHECK_EQ(netdev_get_stats(netdev, &before), 0);
    dp_packet_batch_init(&batch);
    for (int i = 0; i < 5; i++) {
        dp_packet_batch_add(&batch, make_icmp(our_mac, eth_addr_broadcast,
                                              1, 2, 8, i, 10));
    }
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), EIO);
    struct netdev_stats mid;
    CHECK_EQ(netdev_get_stats(netdev, &mid), 0);
    CHECK_GE(mid.tx_dropped - before.tx_dropped, 5);

    /* Now no write reaches the kernel (which would count its own drop
     * too): exactly our one. */
    dp_packet_batch_init_packet(&batch, make_icmp(our_mac,
                                                  eth_addr_broadcast,
                                                  1, 2, 8, 9, 10));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), EIO);
    CHECK_EQ(netdev_get_stats(netdev, &after), 0);
    CHECK_EQ(after.tx_dropped - mid.tx_dropped, 1);
    CHECK_EQ(after.tx_packets, before.tx_packets);

    /* Up again: the kernel says so, and the tap takes packets. */
    uint64_t seq = netdev_get_change_seq(netdev);
    CHECK_EQ(run("ip link set " INT_DEV " up"), 0);
    CHECK(wait_for_change(netdev, seq));
    dp_packet_batch_init_packet(&batch, make_icmp(our_mac,
                                                  eth_addr_broadcast,
                                                  1, 2, 8, 10, 10));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    CHECK_EQ(netdev_get_stats(netdev, &after), 0);
    struct netdev_stats up;
    CHECK_EQ(netdev_get_stats(netdev, &up), 0);
    CHECK_EQ(up.tx_packets - before.tx_packets, 1);
    CHECK_EQ(up.tx_dropped, after.tx_dropped);
    netdev_close(netdev);
}
