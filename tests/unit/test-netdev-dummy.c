/* Tests for datapath/netdev (the registry, names, references, the generic
 * calls) through the "dummy" provider: packets injected come out of the
 * rx queues byte for byte, packets sent are what the test reads back,
 * and every property and error is what netdev.h promises. */
#include <config.h>
#include "datapath/netdev.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include "datapath/netdev-dummy.h"
#include "poll-loop.h"
#include "smap.h"
#include "test.h"
#include "timeval.h"

/* A LEN-byte frame whose bytes after the Ethernet header depend on SEED,
 * so that packets are told apart. */
static struct dp_packet *
make_frame(size_t len, uint32_t seed)
{
    struct dp_packet *pkt = dp_packet_new_with_headroom(
        len, DP_PACKET_DEFAULT_HEADROOM);
    uint8_t *p = dp_packet_put_zeros(pkt, len);
    static const uint8_t hdr[14] = {
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5,
    };
    memcpy(p, hdr, MIN(len, sizeof hdr));
    for (size_t i = sizeof hdr; i < len; i++) {
        p[i] = (uint8_t) (seed * 31 + i);
    }
    return pkt;
}

static struct netdev *
open_dummy(const char *name)
{
    struct netdev *netdev;
    CHECK_EQ(netdev_open(name, "dummy", &netdev), 0);
    CHECK(netdev != NULL);
    return netdev;
}

TEST(builtin_types_registered)
{
    CHECK(netdev_is_type_registered("system"));
    CHECK(netdev_is_type_registered("internal"));
    CHECK(netdev_is_type_registered("tap"));
    CHECK(netdev_is_type_registered("pcap"));
    CHECK(netdev_is_type_registered("dummy"));
    CHECK(!netdev_is_type_registered("bogus"));
    CHECK_EQ(netdev_register_provider(&netdev_dummy_class), EEXIST);
}

TEST(open_is_refcounted_by_name)
{
    struct netdev *a = open_dummy("d0");
    struct netdev *b = open_dummy("d0");
    CHECK(a == b);
    CHECK_STREQ(netdev_get_name(a), "d0");
    CHECK_STREQ(netdev_get_type(a), "dummy");

    /* Same name, other type. */
    struct netdev *c = (struct netdev *) 1;
    CHECK_EQ(netdev_open("d0", "pcap", &c), EEXIST);
    CHECK(c == NULL);

    /* Still alive after one close: state survives. */
    CHECK_EQ(netdev_set_mtu(a, 2000), 0);
    netdev_close(a);
    int mtu;
    CHECK_EQ(netdev_get_mtu(b, &mtu), 0);
    CHECK_EQ(mtu, 2000);
    netdev_close(b);

    /* The last close destroyed it: a new open starts afresh. */
    a = open_dummy("d0");
    CHECK_EQ(netdev_get_mtu(a, &mtu), 0);
    CHECK_EQ(mtu, 1500);
    netdev_close(a);
    netdev_close(NULL);
}

TEST(open_errors)
{
    struct netdev *netdev;

    CHECK_EQ(netdev_open("x", "no-such-type", &netdev), EAFNOSUPPORT);
    CHECK(netdev == NULL);
    CHECK_EQ(netdev_open("", "dummy", &netdev), EINVAL);

    char *s = netdev_open_error_string("x", "no-such-type", EAFNOSUPPORT);
    CHECK_STREQ(s, "could not open network device x (unknown interface "
                "type no-such-type)");
    free(s);
    s = netdev_open_error_string("veth9", NULL, ENODEV);
    CHECK_STREQ(s, "could not open network device veth9 (No such device)");
    free(s);
}

TEST(recv_in_bursts_exact_bytes)
{
    struct netdev *netdev = open_dummy("d1");
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;
    enum { N = 40 };

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);
    CHECK_EQ(batch.count, 0);

    uint64_t bytes = 0;
    for (int i = 0; i < N; i++) {
        size_t len = 60 + i * 37;
        bytes += len;
        CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(len, i)), 0);
    }

    int seen = 0;
    for (int round = 0; round < 2; round++) {
        CHECK_EQ(netdev_rxq_recv(rxq, &batch), 0);
        CHECK_EQ(batch.count, round ? N - NETDEV_MAX_BURST
                                    : NETDEV_MAX_BURST);
        struct dp_packet *pkt;
        DP_PACKET_BATCH_FOR_EACH (i, pkt, &batch) {
            struct dp_packet *expect = make_frame(60 + seen * 37, seen);
            CHECK(dp_packet_equal(pkt, expect));
            dp_packet_delete(expect);
            seen++;
        }
        dp_packet_delete_batch(&batch, true);
    }
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);

    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.rx_packets, N);
    CHECK_EQ(stats.rx_bytes, bytes);
    CHECK_EQ(stats.tx_packets, 0);

    netdev_rxq_close(rxq);
    netdev_close(netdev);
}

TEST(send_may_steal_or_not)
{
    struct netdev *netdev = open_dummy("d2");
    struct dp_packet_batch batch;

    dp_packet_batch_init(&batch);
    for (int i = 0; i < 3; i++) {
        dp_packet_batch_add(&batch, make_frame(64 + i, i));
    }
    CHECK_EQ(netdev_send(netdev, 5, &batch, false), 0);
    CHECK_EQ(batch.count, 3);           /* Still the caller's. */
    CHECK_EQ(netdev_dummy_n_sent(netdev), 3);
    for (int i = 0; i < 3; i++) {
        int qid = -1;
        struct dp_packet *pkt = netdev_dummy_pop_sent(netdev, &qid);
        CHECK(pkt != NULL);
        CHECK_EQ(qid, 0);               /* One tx queue: 5 maps to 0. */
        CHECK(dp_packet_equal(pkt, batch.packets[i]));
        CHECK(pkt != batch.packets[i]);
        dp_packet_delete(pkt);
    }
    CHECK(netdev_dummy_pop_sent(netdev, NULL) == NULL);

    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    CHECK_EQ(batch.count, 0);
    CHECK_EQ(netdev_dummy_n_sent(netdev), 3);

    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.tx_packets, 6);
    CHECK_EQ(stats.tx_bytes, 2 * (64 + 65 + 66));
    netdev_close(netdev);               /* Frees what was not popped. */
}

TEST(send_rejects_runts_and_oversize)
{
    struct netdev *netdev = open_dummy("d3");
    struct dp_packet_batch batch;

    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, make_frame(10, 0));       /* Runt. */
    dp_packet_batch_add(&batch, make_frame(1600, 1));     /* > MTU. */
    dp_packet_batch_add(&batch, make_frame(1518, 2));     /* Fits. */
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), EMSGSIZE);
    CHECK_EQ(netdev_dummy_n_sent(netdev), 1);

    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.tx_errors, 2);
    CHECK_EQ(stats.tx_packets, 1);
    netdev_close(netdev);
}

TEST(carrier_and_change_seq)
{
    struct netdev *netdev = open_dummy("d4");
    uint64_t seq = netdev_get_change_seq(netdev);
    bool carrier;

    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(carrier);

    netdev_dummy_set_carrier(netdev, false);
    CHECK(netdev_get_change_seq(netdev) != seq);
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(!carrier);

    /* No change, no bump. */
    seq = netdev_get_change_seq(netdev);
    netdev_dummy_set_carrier(netdev, false);
    CHECK_EQ(netdev_get_change_seq(netdev), seq);

    /* Link down: nothing gets through either way. */
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, make_frame(60, 0));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), ENETDOWN);
    CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(60, 0)), ENETDOWN);
    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.tx_dropped, 1);
    CHECK_EQ(stats.rx_dropped, 1);

    netdev_dummy_set_carrier(netdev, true);
    CHECK(netdev_get_change_seq(netdev) != seq);
    netdev_close(netdev);
}

TEST(mac_mtu_flags)
{
    struct netdev *netdev = open_dummy("d5");
    struct netdev *other = open_dummy("d5b");
    struct eth_addr mac, mac2;
    uint64_t seq = netdev_get_change_seq(netdev);

    CHECK_EQ(netdev_get_etheraddr(netdev, &mac), 0);
    CHECK_EQ(netdev_get_etheraddr(other, &mac2), 0);
    CHECK(!eth_addr_equals(mac, mac2));
    CHECK(!eth_addr_is_multicast(mac));

    struct eth_addr new_mac = { { { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 } } };
    CHECK_EQ(netdev_set_etheraddr(netdev, new_mac), 0);
    CHECK_EQ(netdev_get_etheraddr(netdev, &mac), 0);
    CHECK(eth_addr_equals(mac, new_mac));
    CHECK(netdev_get_change_seq(netdev) != seq);
    CHECK_EQ(netdev_set_etheraddr(netdev, eth_addr_broadcast), EINVAL);
    CHECK_EQ(netdev_set_etheraddr(netdev, eth_addr_zero), EINVAL);

    int mtu;
    CHECK_EQ(netdev_set_mtu(netdev, 9000), 0);
    CHECK_EQ(netdev_get_mtu(netdev, &mtu), 0);
    CHECK_EQ(mtu, 9000);
    CHECK_EQ(netdev_set_mtu(netdev, 10), EINVAL);
    CHECK_EQ(netdev_set_mtu(netdev, 70000), EINVAL);
    CHECK_EQ(netdev_get_mtu(netdev, &mtu), 0);
    CHECK_EQ(mtu, 9000);

    enum netdev_flags old;
    CHECK_EQ(netdev_update_flags(netdev, NETDEV_UP, NETDEV_PROMISC, &old),
             0);
    CHECK_EQ(old, NETDEV_UP);
    CHECK_EQ(netdev_get_flags(netdev, &old), 0);
    CHECK_EQ(old, NETDEV_PROMISC);
    seq = netdev_get_change_seq(netdev);
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_PROMISC, NULL), 0);
    CHECK_EQ(netdev_get_change_seq(netdev), seq);     /* No change. */
    CHECK_EQ(netdev_update_flags(netdev, 0, 1 << 7, NULL), EINVAL);

    CHECK_EQ(netdev_get_ifindex(netdev), -EOPNOTSUPP);
    netdev_close(other);
    netdev_close(netdev);
}

TEST(config_n_rxq)
{
    struct netdev *netdev = open_dummy("d6");
    struct smap opts = SMAP_INITIALIZER(&opts);
    struct netdev_rxq *rxq;
    char *err;

    smap_add(&opts, "n_rxq", "4");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), 0);
    CHECK(err == NULL);
    CHECK_EQ(netdev_n_rxq(netdev), 4);

    CHECK_EQ(netdev_rxq_open(netdev, 4, &rxq), EINVAL);
    CHECK_EQ(netdev_rxq_open(netdev, -1, &rxq), EINVAL);
    CHECK_EQ(netdev_rxq_open(netdev, 3, &rxq), 0);
    CHECK_EQ(netdev_rxq_get_queue_id(rxq), 3);
    CHECK(netdev_rxq_get_netdev(rxq) == netdev);

    /* Packets go to the queue they were injected into. */
    CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(60, 0)), 0);
    CHECK_EQ(netdev_dummy_receive(netdev, 3, make_frame(61, 1)), 0);
    CHECK_EQ(netdev_dummy_receive(netdev, 4, make_frame(62, 2)), EINVAL);
    struct dp_packet_batch batch;
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), 0);
    CHECK_EQ(batch.count, 1);
    CHECK_EQ(dp_packet_size(batch.packets[0]), 61);
    dp_packet_delete_batch(&batch, true);

    smap_replace(&opts, "n_rxq", "2");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EBUSY);
    CHECK(err && strstr(err, "n_rxq"));
    free(err);
    CHECK_EQ(netdev_n_rxq(netdev), 4);
    netdev_rxq_close(rxq);
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), 0);
    CHECK_EQ(netdev_n_rxq(netdev), 2);

    const char *bad[] = { "0", "17", "abc", "", "-1", "2x" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        smap_replace(&opts, "n_rxq", bad[i]);
        CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
        CHECK_MSG(err && strstr(err, "n_rxq"), "n_rxq=%s", bad[i]);
        free(err);
    }
    smap_clear(&opts);
    smap_add(&opts, "bogus", "1");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err && strstr(err, "bogus"));
    free(err);
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), EINVAL);

    /* rx_wakeup=false makes the queues polled-only. */
    smap_clear(&opts);
    smap_add(&opts, "rx_wakeup", "maybe");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err && strstr(err, "rx_wakeup"));
    free(err);
    smap_replace(&opts, "rx_wakeup", "false");
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK(!netdev_rxq_wait(rxq));
    netdev_rxq_close(rxq);

    /* An empty configuration restores the defaults. */
    CHECK_EQ(netdev_set_config(netdev, NULL, NULL), 0);
    CHECK_EQ(netdev_n_rxq(netdev), 1);
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK(netdev_rxq_wait(rxq));
    poll_immediate_wake();
    poll_block();
    netdev_rxq_close(rxq);
    smap_destroy(&opts);
    netdev_close(netdev);
}

TEST(rx_queue_full_drops)
{
    struct netdev *netdev = open_dummy("d7");

    for (int i = 0; i < NETDEV_DUMMY_QUEUE_LEN; i++) {
        CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(60, i)), 0);
    }
    CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(60, 0)), ENOBUFS);
    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.rx_dropped, 1);
    netdev_close(netdev);               /* Frees the queued packets. */
}

struct injector {
    struct netdev *netdev;
    int delay_ms;
};

static void *
injector_main(void *inj_)
{
    struct injector *inj = inj_;
    usleep(inj->delay_ms * 1000);
    netdev_dummy_receive(inj->netdev, 0, make_frame(99, 9));
    return NULL;
}

TEST(rxq_wait_wakes_on_injection_from_another_thread)
{
    struct netdev *netdev = open_dummy("d8");
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);

    /* Something queued: the wait is immediate. */
    CHECK_EQ(netdev_dummy_receive(netdev, 0, make_frame(60, 0)), 0);
    long long int start = time_msec();
    netdev_rxq_wait(rxq);
    poll_timer_wait(5000);
    poll_block();
    CHECK_LT(time_msec() - start, 1000);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), 0);
    dp_packet_delete_batch(&batch, true);

    /* Nothing queued: sleeps until the other thread injects. */
    struct injector inj = { netdev, 100 };
    pthread_t thread;
    pthread_create(&thread, NULL, injector_main, &inj);
    start = time_msec();
    int error;
    while ((error = netdev_rxq_recv(rxq, &batch)) == EAGAIN) {
        CHECK_LT(time_msec() - start, 5000);
        netdev_rxq_wait(rxq);
        poll_timer_wait(5000);
        poll_block();
    }
    CHECK_EQ(error, 0);
    CHECK_GE(time_msec() - start, 90);
    CHECK_EQ(batch.count, 1);
    CHECK_EQ(dp_packet_size(batch.packets[0]), 99);
    dp_packet_delete_batch(&batch, true);
    pthread_join(thread, NULL);

    netdev_rxq_close(rxq);
    netdev_close(netdev);
}

/* A provider registered from outside: the registry takes any class. */
static int custom_constructed;

static struct netdev *
custom_alloc(void)
{
    return xzalloc(sizeof(struct netdev));
}

static int
custom_construct(struct netdev *netdev)
{
    custom_constructed++;
    return strcmp(netdev->name, "fail") ? 0 : ENODEV;
}

static void
custom_destruct(struct netdev *netdev PLX_UNUSED)
{
    custom_constructed--;
}

static void
custom_dealloc(struct netdev *netdev)
{
    free(netdev);
}

static const struct netdev_class custom_class = {
    .type = "custom",
    .alloc = custom_alloc,
    .construct = custom_construct,
    .destruct = custom_destruct,
    .dealloc = custom_dealloc,
};

TEST(custom_provider_and_unsupported_calls)
{
    struct netdev *netdev;

    CHECK_EQ(netdev_register_provider(&custom_class), 0);
    CHECK(netdev_is_type_registered("custom"));
    CHECK_EQ(netdev_open("fail", "custom", &netdev), ENODEV);
    CHECK(netdev == NULL);
    custom_constructed = 0;
    CHECK_EQ(netdev_open("c0", "custom", &netdev), 0);
    CHECK_EQ(custom_constructed, 1);

    /* Everything optional reports EOPNOTSUPP with zeroed outputs. */
    struct netdev_rxq *rxq;
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), EOPNOTSUPP);
    int mtu = 5;
    CHECK_EQ(netdev_get_mtu(netdev, &mtu), EOPNOTSUPP);
    CHECK_EQ(mtu, 0);
    bool carrier = true;
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), EOPNOTSUPP);
    CHECK(!carrier);
    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), EOPNOTSUPP);
    CHECK_EQ(stats.rx_packets, 0);
    struct dp_packet_batch batch;
    dp_packet_batch_init_packet(&batch, make_frame(60, 0));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), EOPNOTSUPP);
    CHECK_EQ(batch.count, 0);

    struct smap opts = SMAP_INITIALIZER(&opts);
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    smap_add(&opts, "x", "y");
    char *err;
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err != NULL);
    free(err);
    smap_destroy(&opts);

    netdev_close(netdev);
    CHECK_EQ(custom_constructed, 0);
}
