/* Tests for datapath/netdev-pcap: a capture replayed through rxpcap comes
 * out of the rx queue byte for byte (at the configured rate), what is sent
 * lands in txpcap byte for byte, and bad files and options are refused
 * with a message while the port keeps working. */
#include <config.h>
#include "datapath/netdev.h"

#include <errno.h>
#include <stdio.h>
#include "pcap-file.h"
#include "poll-loop.h"
#include "smap.h"
#include "test.h"
#include "timeval.h"

static struct dp_packet *
make_frame(size_t len, uint32_t seed)
{
    struct dp_packet *pkt = dp_packet_new(len);
    uint8_t *p = dp_packet_put_zeros(pkt, len);
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t) (seed * 13 + i * 7);
    }
    return pkt;
}

static size_t
frame_len(int i)
{
    return 14 + (i * 97) % 1500;
}

/* Writes N frames (frame_len(i), seed i) to a capture; returns its name,
 * which the caller frees. */
static char *
write_capture(const char *base, int n)
{
    char *name = xasprintf("%s/%s", test_tmpdir(), base);
    struct pcap_file *pf;

    CHECK_NO_ERROR(pcap_file_open_write(name, &pf));
    for (int i = 0; i < n; i++) {
        struct dp_packet *pkt = make_frame(frame_len(i), i);
        CHECK_EQ(pcap_file_write(pf, pkt, 1000000LL * i), 0);
        dp_packet_delete(pkt);
    }
    pcap_file_close(pf);
    return name;
}

static struct netdev *
open_pcap(const char *name, const char *key1, const char *value1,
          const char *key2, const char *value2)
{
    struct smap opts = SMAP_INITIALIZER(&opts);
    struct netdev *netdev;
    char *err;

    CHECK_EQ(netdev_open(name, "pcap", &netdev), 0);
    if (key1) {
        smap_add(&opts, key1, value1);
    }
    if (key2) {
        smap_add(&opts, key2, value2);
    }
    int error = netdev_set_config(netdev, &opts, &err);
    CHECK_MSG(!error, "set_config: %s", err);
    smap_destroy(&opts);
    return netdev;
}

/* Receives everything until EAGAIN, checking each packet against
 * frame i; returns how many were received. */
static int
recv_all(struct netdev_rxq *rxq, int first)
{
    struct dp_packet_batch batch;
    int i = first;

    while (!netdev_rxq_recv(rxq, &batch)) {
        CHECK_GT(batch.count, 0);
        struct dp_packet *pkt;
        DP_PACKET_BATCH_FOR_EACH (j, pkt, &batch) {
            struct dp_packet *expect = make_frame(frame_len(i), i);
            CHECK_MSG(dp_packet_equal(pkt, expect), "packet %d differs", i);
            dp_packet_delete(expect);
            i++;
        }
        dp_packet_delete_batch(&batch, true);
    }
    return i - first;
}

TEST(rxpcap_replays_exactly_once)
{
    char *file = write_capture("in.pcap", 70);
    struct netdev *netdev = open_pcap("p0", "rxpcap", file, NULL, NULL);
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), 0);
    CHECK_EQ(batch.count, NETDEV_MAX_BURST);
    dp_packet_delete_batch(&batch, true);
    CHECK_EQ(recv_all(rxq, NETDEV_MAX_BURST), 70 - NETDEV_MAX_BURST);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);

    struct netdev_stats stats;
    uint64_t bytes = 0;
    for (int i = 0; i < 70; i++) {
        bytes += frame_len(i);
    }
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.rx_packets, 70);
    CHECK_EQ(stats.rx_bytes, bytes);
    CHECK_EQ(stats.rx_errors, 0);

    /* The same configuration again does not restart the replay... */
    struct smap opts = SMAP_INITIALIZER(&opts);
    smap_add(&opts, "rxpcap", file);
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);
    /* ...but removing and restoring it does. */
    CHECK_EQ(netdev_set_config(netdev, NULL, NULL), 0);
    CHECK_EQ(netdev_set_config(netdev, &opts, NULL), 0);
    CHECK_EQ(recv_all(rxq, 0), 70);
    smap_destroy(&opts);

    netdev_rxq_close(rxq);
    netdev_close(netdev);
    free(file);
}

TEST(txpcap_captures_exactly)
{
    char *file = xasprintf("%s/out.pcap", test_tmpdir());
    struct netdev *netdev = open_pcap("p1", "txpcap", file, NULL, NULL);
    struct dp_packet_batch batch;

    for (int round = 0; round < 2; round++) {
        dp_packet_batch_init(&batch);
        for (int i = 0; i < 20; i++) {
            int k = round * 20 + i;
            dp_packet_batch_add(&batch, make_frame(frame_len(k), k));
        }
        CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    }

    /* Flushed after each batch: readable while the port is open. */
    struct pcap_file *pf;
    CHECK_NO_ERROR(pcap_file_open_read(file, &pf));
    for (int i = 0; i < 40; i++) {
        struct dp_packet *pkt, *expect = make_frame(frame_len(i), i);
        CHECK_EQ(pcap_file_read(pf, &pkt, NULL), 0);
        CHECK_MSG(dp_packet_equal(pkt, expect), "packet %d differs", i);
        dp_packet_delete(pkt);
        dp_packet_delete(expect);
    }
    struct dp_packet *pkt;
    CHECK_EQ(pcap_file_read(pf, &pkt, NULL), EOF);
    pcap_file_close(pf);

    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.tx_packets, 40);
    netdev_close(netdev);
    free(file);
}

TEST(no_txpcap_discards)
{
    struct netdev *netdev = open_pcap("p2", NULL, NULL, NULL, NULL);
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);
    dp_packet_batch_init_packet(&batch, make_frame(60, 0));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), 0);
    bool carrier;
    CHECK_EQ(netdev_get_carrier(netdev, &carrier), 0);
    CHECK(carrier);
    netdev_rxq_close(rxq);
    netdev_close(netdev);
}

TEST(rx_rate_paces_packets)
{
    char *file = write_capture("rate.pcap", 10);
    struct netdev *netdev = open_pcap("p3", "rxpcap", file, "rx_rate", "100");
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;
    int n = 0, polls = 0;

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    long long int start = time_msec();
    while (n < 10) {
        CHECK_LT(time_msec() - start, 5000);
        if (!netdev_rxq_recv(rxq, &batch)) {
            CHECK_LE(batch.count, 2);
            n += batch.count;
            dp_packet_delete_batch(&batch, true);
        }
        netdev_rxq_wait(rxq);
        poll_block();
        polls++;
    }
    /* 10 packets at 100/s: about 90 ms after the first, and the poll
     * loop slept in between instead of spinning. */
    CHECK_GE(time_msec() - start, 80);
    CHECK_LT(polls, 100);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);
    netdev_rxq_close(rxq);
    netdev_close(netdev);
    free(file);
}

TEST(bad_files_and_options_refused)
{
    char *good = write_capture("good.pcap", 3);
    struct netdev *netdev = open_pcap("p4", "rxpcap", good, NULL, NULL);
    struct smap opts = SMAP_INITIALIZER(&opts);
    char *err;

    /* Nonexistent file. */
    smap_add(&opts, "rxpcap", "/nonexistent/x.pcap");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err && strstr(err, "/nonexistent/x.pcap"));
    free(err);

    /* Not a capture. */
    char *junk = xasprintf("%s/junk.pcap", test_tmpdir());
    FILE *f = fopen(junk, "w");
    CHECK(f != NULL);
    fputs("this is not a pcap file at all, not even close", f);
    fclose(f);
    smap_replace(&opts, "rxpcap", junk);
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err != NULL);
    free(err);

    /* Same file both ways, unknown option, bad rate. */
    smap_replace(&opts, "rxpcap", good);
    smap_add(&opts, "txpcap", good);
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    free(err);
    smap_clear(&opts);
    smap_add(&opts, "rx_pcap", good);
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err && strstr(err, "rx_pcap"));
    free(err);
    smap_clear(&opts);
    smap_add(&opts, "rxpcap", good);
    smap_add(&opts, "rx_rate", "-5");
    CHECK_EQ(netdev_set_config(netdev, &opts, &err), EINVAL);
    CHECK(err && strstr(err, "rx_rate"));
    free(err);

    /* None of that disturbed the working configuration. */
    struct netdev_rxq *rxq;
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(recv_all(rxq, 0), 3);
    netdev_rxq_close(rxq);

    smap_destroy(&opts);
    netdev_close(netdev);
    free(junk);
    free(good);
}

TEST(damaged_capture_delivers_good_prefix)
{
    char *file = write_capture("cut.pcap", 5);
    size_t size;
    char *bytes = test_read_file(file, &size);

    /* Cut the last record in half. */
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(bytes, 1, size - frame_len(4) / 2, f),
             size - frame_len(4) / 2);
    fclose(f);
    free(bytes);

    struct netdev *netdev = open_pcap("p5", "rxpcap", file, NULL, NULL);
    struct netdev_rxq *rxq;
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(recv_all(rxq, 0), 4);
    netdev_rxq_close(rxq);
    netdev_close(netdev);
    free(file);
}

TEST(runt_frames_skipped)
{
    char *file = xasprintf("%s/runt.pcap", test_tmpdir());
    struct pcap_file *pf;

    CHECK_NO_ERROR(pcap_file_open_write(file, &pf));
    struct dp_packet *runt = make_frame(6, 0);
    struct dp_packet *ok = make_frame(frame_len(1), 1);
    CHECK_EQ(pcap_file_write(pf, runt, 0), 0);
    CHECK_EQ(pcap_file_write(pf, ok, 0), 0);
    pcap_file_close(pf);
    dp_packet_delete(runt);
    dp_packet_delete(ok);

    struct netdev *netdev = open_pcap("p6", "rxpcap", file, NULL, NULL);
    struct netdev_rxq *rxq;
    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(recv_all(rxq, 1), 1);
    struct netdev_stats stats;
    CHECK_EQ(netdev_get_stats(netdev, &stats), 0);
    CHECK_EQ(stats.rx_errors, 1);
    CHECK_EQ(stats.rx_packets, 1);
    netdev_rxq_close(rxq);
    netdev_close(netdev);
    free(file);
}

TEST(down_port_is_silent)
{
    char *file = write_capture("down.pcap", 3);
    struct netdev *netdev = open_pcap("p7", "rxpcap", file, NULL, NULL);
    struct netdev_rxq *rxq;
    struct dp_packet_batch batch;

    CHECK_EQ(netdev_rxq_open(netdev, 0, &rxq), 0);
    CHECK_EQ(netdev_update_flags(netdev, NETDEV_UP, 0, NULL), 0);
    CHECK_EQ(netdev_rxq_recv(rxq, &batch), EAGAIN);
    dp_packet_batch_init_packet(&batch, make_frame(60, 0));
    CHECK_EQ(netdev_send(netdev, 0, &batch, true), ENETDOWN);

    /* A poll waiting on the down port sleeps, and bringing the port up
     * wakes it. */
    long long int start = time_msec();
    CHECK(netdev_rxq_wait(rxq));
    poll_timer_wait(200);
    poll_block();
    CHECK_GE(time_msec() - start, 150);
    start = time_msec();
    CHECK(netdev_rxq_wait(rxq));
    poll_timer_wait(5000);
    CHECK_EQ(netdev_update_flags(netdev, 0, NETDEV_UP, NULL), 0);
    poll_block();
    CHECK_LT(time_msec() - start, 2500);
    CHECK_EQ(recv_all(rxq, 0), 3);
    netdev_rxq_close(rxq);
    netdev_close(netdev);
    free(file);
}
