/* Tests for datapath/dpdk (the EAL arguments built from the database)
 * and, in a build with DPDK, datapath/netdev-dpdk on net_ring devices:
 * a net_ring port sends back what it is sent, so packets can be sent,
 * received and forwarded between two ports in one process, and the
 * tests can check that forwarding between DPDK ports hands over the very
 * mbufs (no copy) while other packets are copied once. */
#include <config.h>
#include "datapath/dpdk.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "datapath/netdev.h"
#include "dp-packet.h"
#include "smap.h"
#include "test.h"

/* Builds args from "key=value" pairs (NULL-terminated); returns them
 * joined by spaces (malloc'd), or NULL with *ERRP on error. */
static char *
args_for(char **errp, ...)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    va_list ap;

    va_start(ap, errp);
    for (const char *kv; (kv = va_arg(ap, const char *)) != NULL;) {
        const char *eq = strchr(kv, '=');
        char *key = xmemdup0(kv, eq - kv);
        smap_add(&oc, key, eq + 1);
        free(key);
    }
    va_end(ap);

    int argc;
    char **argv;
    int error = dpdk_build_args(&oc, &argc, &argv, errp);
    smap_destroy(&oc);
    if (error) {
        CHECK_EQ(error, EINVAL);
        CHECK(*errp != NULL);
        return NULL;
    }
    CHECK(*errp == NULL);
    CHECK(argv[argc] == NULL);

    size_t len = 0;
    for (int i = 0; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    char *s = xzalloc(len + 1);
    for (int i = 0; i < argc; i++) {
        strcat(s, argv[i]);
        if (i + 1 < argc) {
            strcat(s, " ");
        }
    }
    dpdk_free_args(argv);
    return s;
}

TEST(args_defaults)
{
    char *err, *s = args_for(&err, NULL);
    CHECK(test_regex_match(s, "^plx-vswitchd -l [0-9]+ --in-memory "
                           "--no-telemetry$"));
    free(s);
}

TEST(args_every_key)
{
    char *err;
    char *s = args_for(&err, "dpdk-lcore-mask=0x2", "dpdk-socket-mem=1024,0",
                       "dpdk-socket-limit=2048", "dpdk-hugepage-dir=/dev/hp",
                       "dpdk-extra=-a 0000:00:05.0   --log-level=8", NULL);
    CHECK_STREQ(s, "plx-vswitchd -c 0x2 --socket-mem 1024,0 --socket-limit "
                "2048 --huge-dir /dev/hp --in-memory --no-telemetry -a "
                "0000:00:05.0 --log-level=8");
    free(s);
}

TEST(args_extra_wins)
{
    char *err;
    /* An option in dpdk-extra replaces the key for it. */
    char *s = args_for(&err, "dpdk-lcore-mask=3", "dpdk-socket-mem=512",
                       "dpdk-extra=--lcores=0@0 --socket-mem=64 "
                       "--file-prefix=x --telemetry", NULL);
    CHECK_STREQ(s, "plx-vswitchd --lcores=0@0 --socket-mem=64 "
                "--file-prefix=x --telemetry");
    free(s);

    /* --no-huge excludes --in-memory: --no-shconf instead. */
    s = args_for(&err, "dpdk-extra=--no-huge -m 64", NULL);
    CHECK(test_regex_match(s, "--no-shconf --no-telemetry --no-huge -m 64$"));
    CHECK(!strstr(s, "--in-memory"));
    free(s);
}

TEST(args_malformed)
{
    static const char *const bad[] = {
        "dpdk-lcore-mask=xyz", "dpdk-lcore-mask=0", "dpdk-lcore-mask=0x",
        "dpdk-lcore-mask=", "dpdk-socket-mem=1024,", "dpdk-socket-mem=,1",
        "dpdk-socket-mem=abc", "dpdk-socket-mem=", "dpdk-socket-mem=1 024",
        "dpdk-socket-mem=99999999", "dpdk-socket-limit=-1",
        "dpdk-hugepage-dir=relative/dir", "dpdk-hugepage-dir=",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *err = NULL;
        char *s = args_for(&err, bad[i], NULL);
        if (s) {
            test_fail(TEST_WHERE, "\"%s\" accepted: %s", bad[i], s);
        }
        /* The message names the key. */
        size_t keylen = strchr(bad[i], '=') - bad[i];
        CHECK(!strncmp(err, bad[i], keylen));
        free(err);
    }
}

TEST(not_requested)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    smap_add(&oc, "dpdk-init", "false");
    dpdk_configure(&oc);
    CHECK(!dpdk_is_initialized());
    CHECK(dpdk_init_error() == NULL);
    smap_destroy(&oc);
}

#ifdef HAVE_DPDK
static void
init_dpdk(void)
{
    struct smap oc = SMAP_INITIALIZER(&oc);
    smap_add(&oc, "dpdk-init", "true");
    smap_add(&oc, "dpdk-extra", "--no-huge -m 256 --no-pci");
    dpdk_configure(&oc);
    smap_destroy(&oc);
    if (!dpdk_is_initialized()) {
        test_skip("DPDK does not initialize here: %s", dpdk_init_error());
    }
    CHECK(dpdk_get_version() != NULL);
}

static struct netdev *
open_ring(const char *name, const char *devargs)
{
    struct smap options = SMAP_INITIALIZER(&options);
    struct netdev *netdev;
    char *err = NULL;

    smap_add(&options, "dpdk-devargs", devargs);
    smap_add(&options, "n_rxq_desc", "256");
    smap_add(&options, "n_txq_desc", "256");
    CHECK_EQ(netdev_open(name, "dpdk", &netdev), 0);
    int error = netdev_set_config(netdev, &options, &err);
    if (error) {
        test_fail(TEST_WHERE, "%s: %s", devargs, err);
    }
    smap_destroy(&options);
    return netdev;
}

static struct dp_packet *
make_frame(size_t len, uint8_t seed)
{
    struct dp_packet *p = dp_packet_new_with_headroom(len, 64);
    uint8_t *d = dp_packet_put_zeros(p, len);
    for (size_t i = 0; i < len; i++) {
        d[i] = seed + i;
    }
    return p;
}

/* Receives from RXQ until N packets are in BATCH (they are all there at
 * once on a ring, but allow a few tries). */
static void
recv_n(struct netdev_rxq *rxq, struct dp_packet_batch *batch, size_t n)
{
    dp_packet_batch_init(batch);
    for (int tries = 0; tries < 100 && batch->count < n; tries++) {
        struct dp_packet_batch more;
        if (!netdev_rxq_recv(rxq, &more)) {
            for (size_t i = 0; i < more.count; i++) {
                dp_packet_batch_add(batch, more.packets[i]);
            }
        } else {
            usleep(1000);
        }
    }
    CHECK_EQ(batch->count, n);
}

TEST(ring_zero_copy)
{
    init_dpdk();
    struct netdev *r0 = open_ring("r0", "net_ring0");
    struct netdev *r1 = open_ring("r1", "net_ring1");
    struct netdev_rxq *q0, *q1;
    CHECK_EQ(netdev_rxq_open(r0, 0, &q0), 0);
    CHECK_EQ(netdev_rxq_open(r1, 0, &q1), 0);

    /* Ordinary packets into a DPDK port: copied into its mbufs. */
    struct dp_packet_batch in, got, again;
    dp_packet_batch_init(&in);
    for (int i = 0; i < 8; i++) {
        dp_packet_batch_add(&in, make_frame(60 + i * 100, i));
    }
    CHECK_EQ(netdev_send(r0, 0, &in, false), 0);
    recv_n(q0, &got, 8);
    for (int i = 0; i < 8; i++) {
        struct dp_packet *p = got.packets[i];
        CHECK(p->embedded);
        CHECK_EQ(p->source, DPBUF_DPDK);
        CHECK_EQ(dp_packet_size(p), dp_packet_size(in.packets[i]));
        CHECK(!memcmp(dp_packet_data(p), dp_packet_data(in.packets[i]),
                      dp_packet_size(p)));
    }
    dp_packet_delete_batch(&in, true);

    /* Pushing a header uses the mbuf's headroom: still the mbuf. */
    void *first = got.packets[0];
    uint8_t *tag = dp_packet_push_uninit(got.packets[0], 4);
    memset(tag, 0xab, 4);
    CHECK_EQ(got.packets[0]->source, DPBUF_DPDK);

    /* Forwarded to another DPDK port: the same mbufs, not copies. */
    struct dp_packet *sent[8];
    memcpy(sent, got.packets, sizeof sent);
    CHECK_EQ(netdev_send(r1, 0, &got, true), 0);
    CHECK_EQ(got.count, 0);
    recv_n(q1, &again, 8);
    for (int i = 0; i < 8; i++) {
        CHECK(again.packets[i] == sent[i]);
    }
    CHECK(again.packets[0] == first);
    CHECK_EQ(dp_packet_size(again.packets[0]), 64);
    CHECK_EQ(((uint8_t *) dp_packet_data(again.packets[0]))[0], 0xab);
    CHECK_EQ(((uint8_t *) dp_packet_data(again.packets[0]))[4], 0);

    /* Outgrowing the mbuf moves the data to malloc'd memory; the struct
     * stays, and deleting it returns the mbuf. */
    struct dp_packet *p = again.packets[1];
    dp_packet_put_zeros(p, 5000);
    CHECK_EQ(p->source, DPBUF_MALLOC);
    CHECK(p->embedded);
    CHECK_EQ(dp_packet_size(p), 160 + 5000);

    /* Too big for the port's MTU: dropped and counted, not sent. */
    struct dp_packet_batch big;
    dp_packet_batch_init(&big);
    dp_packet_batch_add(&big, p);
    again.packets[1] = make_frame(60, 1);
    CHECK_EQ(netdev_send(r1, 0, &big, true), ENOBUFS);
    struct netdev_stats st;
    CHECK_EQ(netdev_get_stats(r1, &st), 0);
    CHECK_EQ(st.tx_dropped, 1);
    CHECK_EQ(st.tx_packets, 8);
    CHECK_EQ(st.rx_packets, 8);

    /* Sent without stealing: the caller keeps its packets. */
    CHECK_EQ(netdev_send(r0, 0, &again, false), 0);
    CHECK_EQ(again.count, 8);
    recv_n(q0, &got, 8);
    for (int i = 0; i < 8; i++) {
        CHECK(got.packets[i] != again.packets[i]);
    }
    dp_packet_delete_batch(&got, true);
    dp_packet_delete_batch(&again, true);

    netdev_rxq_close(q0);
    netdev_rxq_close(q1);
    netdev_close(r0);
    netdev_close(r1);
}

TEST(devices_and_errors)
{
    init_dpdk();
    struct smap options = SMAP_INITIALIZER(&options);
    struct netdev *a = open_ring("a", "net_ring2");
    struct netdev *b;
    char *err = NULL;

    /* One device, two interfaces: refused, naming the first. */
    CHECK_EQ(netdev_open("b", "dpdk", &b), 0);
    smap_add(&options, "dpdk-devargs", "net_ring2");
    CHECK_EQ(netdev_set_config(b, &options, &err), EBUSY);
    CHECK(strstr(err, "already in use by interface a"));
    free(err);

    /* No such driver. */
    smap_replace(&options, "dpdk-devargs", "net_nosuch0,x=1");
    CHECK(netdev_set_config(b, &options, &err) != 0);
    CHECK(strstr(err, "could not attach DPDK device"));
    free(err);

    /* Missing devargs, bad numbers. */
    smap_clear(&options);
    CHECK_EQ(netdev_set_config(b, &options, &err), EINVAL);
    CHECK(strstr(err, "dpdk-devargs is required"));
    free(err);
    smap_add(&options, "dpdk-devargs", "net_ring3");
    smap_add(&options, "n_rxq", "0");
    CHECK_EQ(netdev_set_config(b, &options, &err), EINVAL);
    CHECK(strstr(err, "n_rxq"));
    free(err);
    smap_replace(&options, "n_rxq", "1");
    smap_add(&options, "n_txq_desc", "lots");
    CHECK_EQ(netdev_set_config(b, &options, &err), EINVAL);
    CHECK(strstr(err, "n_txq_desc"));
    free(err);
    netdev_close(b);

    /* Removing the interface detaches the device: it can be had again. */
    netdev_close(a);
    a = open_ring("a2", "net_ring2");

    /* An MTU beyond the buffers: a request until reconfigured. */
    int mtu;
    CHECK_EQ(netdev_get_mtu(a, &mtu), 0);
    CHECK_EQ(mtu, 1500);
    CHECK(!netdev_reconf_required(a));
    CHECK_EQ(netdev_set_mtu(a, 9000), 0);
    CHECK(netdev_reconf_required(a));
    CHECK_EQ(netdev_reconfigure(a, &err), 0);
    CHECK(!netdev_reconf_required(a));
    CHECK_EQ(netdev_get_mtu(a, &mtu), 0);
    CHECK_EQ(mtu, 9000);
    bool carrier;
    CHECK_EQ(netdev_get_carrier(a, &carrier), 0);
    CHECK(carrier);
    netdev_close(a);
    smap_destroy(&options);
}
#endif /* HAVE_DPDK */
