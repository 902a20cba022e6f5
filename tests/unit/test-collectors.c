/* Tests for lib/collectors: datagrams reach every target, bad targets
 * are refused by name while the others are used, and a collector that
 * is down costs only counted drops; TCP targets deliver whole messages
 * in order, bound their queue, reconnect with backoff and are refused
 * to UDP-only callers. */
#include <config.h>
#include "collectors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "sset.h"
#include "test.h"
#include "timeval.h"

/* A bound UDP socket on 127.0.0.1; its port goes in '*PORTP'. */
static int
listener(uint16_t *portp)
{
    struct sockaddr_storage ss;
    int fd;
    CHECK_EQ(inet_parse_passive("0:127.0.0.1", 0, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_DGRAM, &ss, &fd, portp), 0);
    return fd;
}

static ssize_t
receive(int fd, char *buf, size_t size)
{
    return recv(fd, buf, size, MSG_DONTWAIT);
}

TEST(sends_to_every_target)
{
    uint16_t p1, p2;
    int fd1 = listener(&p1), fd2 = listener(&p2);
    struct sset targets;
    sset_init(&targets);
    sset_add_and_free(&targets, xasprintf("127.0.0.1:%u", p1));
    sset_add_and_free(&targets, xasprintf("127.0.0.1:%u", p2));

    struct collectors *cs;
    char *error = collectors_create(&targets, 9, &cs);
    CHECK(!error);
    CHECK_EQ(collectors_count(cs), 2);
    CHECK_EQ(collectors_send(cs, "hello", 5), 0);

    char buf[16];
    CHECK_EQ(receive(fd1, buf, sizeof buf), 5);
    CHECK(!memcmp(buf, "hello", 5));
    CHECK_EQ(receive(fd2, buf, sizeof buf), 5);

    uint64_t sent, dropped;
    collectors_get_stats(cs, &sent, &dropped);
    CHECK_EQ(sent, 2);
    CHECK_EQ(dropped, 0);

    collectors_destroy(cs);
    sset_destroy(&targets);
    close(fd1);
    close(fd2);
}

TEST(bad_targets_named_others_used)
{
    uint16_t port;
    int fd = listener(&port);
    struct sset targets;
    sset_init(&targets);
    sset_add(&targets, "collector.example:2055");
    sset_add(&targets, "300.1.1.1:5");
    sset_add(&targets, "127.0.0.1:99999");
    sset_add_and_free(&targets, xasprintf("127.0.0.1:%u", port));

    struct collectors *cs;
    char *error = collectors_create(&targets, 2055, &cs);
    CHECK(error);
    CHECK(strstr(error, "collector.example:2055"));
    CHECK(strstr(error, "300.1.1.1:5"));
    CHECK(strstr(error, "127.0.0.1:99999"));
    free(error);
    CHECK_EQ(collectors_count(cs), 1);
    CHECK_EQ(collectors_send(cs, "x", 1), 0);
    char buf[4];
    CHECK_EQ(receive(fd, buf, sizeof buf), 1);
    collectors_destroy(cs);

    /* Nothing usable: no set at all. */
    sset_clear(&targets);
    sset_add(&targets, "not an address");
    error = collectors_create(&targets, 2055, &cs);
    CHECK(error);
    CHECK(!cs);
    CHECK_EQ(collectors_count(cs), 0);
    CHECK_EQ(collectors_send(cs, "x", 1), 0);
    free(error);

    sset_destroy(&targets);
    close(fd);
}

TEST(default_port_and_ipv6)
{
    struct sset targets;
    sset_init(&targets);
    sset_add(&targets, "127.0.0.1");
    sset_add(&targets, "[::1]:4739");
    struct collectors *cs;
    char *error = collectors_create(&targets, 6343, &cs);
    CHECK(!error);
    struct ds s = DS_EMPTY_INITIALIZER;
    collectors_format(cs, &s);
    CHECK(strstr(ds_cstr(&s), "127.0.0.1:6343: sent 0, dropped 0"));
    CHECK(strstr(ds_cstr(&s), "[::1]:4739"));
    ds_destroy(&s);
    collectors_destroy(cs);
    sset_destroy(&targets);
}

TEST(collector_down_counts_drops)
{
    /* Bind a port, learn it, and close it: nothing listens there. */
    uint16_t port;
    close(listener(&port));
    struct sset targets;
    sset_init(&targets);
    sset_add_and_free(&targets, xasprintf("127.0.0.1:%u", port));
    struct collectors *cs;
    CHECK(!collectors_create(&targets, 0, &cs));

    /* The first send goes out; the ICMP port unreachable it draws makes
     * a later one fail, and that failure is a counted drop. */
    size_t failed = 0;
    for (int i = 0; i < 20 && !failed; i++) {
        failed += collectors_send(cs, "x", 1);
        usleep(1000);
    }
    CHECK_EQ(failed, 1);
    uint64_t sent, dropped;
    collectors_get_stats(cs, &sent, &dropped);
    CHECK(sent >= 1);
    CHECK_EQ(dropped, 1);
    struct ds s = DS_EMPTY_INITIALIZER;
    collectors_format(cs, &s);
    CHECK(strstr(ds_cstr(&s), "Connection refused"));
    ds_destroy(&s);

    collectors_destroy(cs);
    sset_destroy(&targets);
}


/* ------------------------------------------------------------------ */
/* TCP targets.  A listener on 127.0.0.1 plays the collector; the
 * reconnect FSM's time is driven through 'now', the sockets are real
 * and every wait for them is bounded (a few seconds). */

#define WAIT_ITERATIONS 300             /* Times 10 ms. */

/* A TCP listener on 127.0.0.1:PORT (0: any), its port in '*PORTP'. */
static int
tcp_listener(uint16_t port, uint16_t *portp)
{
    struct sockaddr_storage ss;
    char name[32];
    int fd;

    snprintf(name, sizeof name, "%u:127.0.0.1", port);
    CHECK_EQ(inet_parse_passive(name, 0, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_STREAM, &ss, &fd, portp), 0);
    return fd;
}

static bool
fd_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll(&pfd, 1, timeout_ms) > 0;
}

/* Runs CS at NOW until the listener LFD has a connection to accept;
 * returns it. */
static int
tcp_accept(int lfd, struct collectors *cs, long long int now)
{
    for (int i = 0; i < WAIT_ITERATIONS; i++) {
        collectors_run(cs, now);
        if (fd_readable(lfd, 10)) {
            int fd = accept(lfd, NULL, NULL);
            CHECK_MSG(fd >= 0, "accept: %s", strerror(errno));
            return fd;
        }
    }
    test_fail(TEST_WHERE, "no connection to accept");
}

/* Runs CS at NOW until its seqno passes SEQNO (a connection is up). */
static void
run_until_seqno(struct collectors *cs, long long int now, uint64_t seqno)
{
    for (int i = 0; i < WAIT_ITERATIONS; i++) {
        collectors_run(cs, now);
        if (collectors_get_seqno(cs) > seqno) {
            return;
        }
        usleep(10000);
    }
    test_fail(TEST_WHERE, "seqno stayed at %"PRIu64, seqno);
}

/* Runs CS at NOW until its format shows STATE. */
static void
run_until_state(struct collectors *cs, long long int now, const char *state)
{
    for (int i = 0; i < WAIT_ITERATIONS; i++) {
        struct ds s = DS_EMPTY_INITIALIZER;

        collectors_run(cs, now);
        collectors_format(cs, &s);
        bool found = test_regex_match(ds_cstr(&s), state);
        if (found || i == WAIT_ITERATIONS - 1) {
            CHECK_MSG(found, "never in state %s: %s", state, ds_cstr(&s));
            ds_destroy(&s);
            return;
        }
        ds_destroy(&s);
        usleep(10000);
    }
}

/* Message I: a 4-byte length, a 4-byte index, then bytes derived from
 * the index; LEN at least 8. */
static void
make_msg(uint8_t *buf, uint32_t len, uint32_t index)
{
    memcpy(buf, &len, 4);
    memcpy(buf + 4, &index, 4);
    for (uint32_t i = 8; i < len; i++) {
        buf[i] = (uint8_t) (index * 7 + i);
    }
}

/* Reads from FD (running CS at NOW meanwhile) until EXPECTED messages
 * have arrived whole, checking each; stores their indexes in INDEXES. */
static void
read_msgs(int fd, struct collectors *cs, long long int now,
          size_t expected, uint32_t *indexes)
{
    static uint8_t buf[1 << 17];
    size_t have = 0, n_msgs = 0;

    for (int i = 0; i < WAIT_ITERATIONS * 10 && n_msgs < expected; i++) {
        collectors_run(cs, now);
        if (!fd_readable(fd, 1)) {
            continue;
        }
        ssize_t n = recv(fd, buf + have, sizeof buf - have, MSG_DONTWAIT);
        CHECK_MSG(n > 0, "recv: %zd (%s)", n, strerror(errno));
        have += n;
        for (;;) {
            uint32_t len, index;
            if (have < 8) {
                break;
            }
            memcpy(&len, buf, 4);
            memcpy(&index, buf + 4, 4);
            CHECK_GE(len, 8);
            CHECK_LE(len, sizeof buf);
            if (have < len) {
                break;
            }
            for (uint32_t j = 8; j < len; j++) {
                CHECK_MSG(buf[j] == (uint8_t) (index * 7 + j),
                          "message %"PRIu32" byte %"PRIu32, index, j);
            }
            CHECK_LT(n_msgs, expected);
            indexes[n_msgs++] = index;
            memmove(buf, buf + len, have - len);
            have -= len;
        }
    }
    CHECK_EQ(n_msgs, expected);
    CHECK_EQ(have, 0);
}

static struct collectors *
tcp_collectors(uint16_t port)
{
    struct sset targets;
    struct collectors *cs;

    sset_init(&targets);
    sset_add_and_free(&targets, xasprintf("tcp:127.0.0.1:%u", port));
    CHECK(!collectors_create_with_flags(&targets, 4739,
                                        COLLECTORS_ALLOW_TCP, &cs));
    sset_destroy(&targets);
    CHECK_EQ(collectors_count(cs), 1);
    CHECK_EQ(collectors_count_tcp(cs), 1);
    return cs;
}

static void
check_format(const struct collectors *cs, const char *re)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    collectors_format(cs, &s);
    CHECK_MSG(test_regex_match(ds_cstr(&s), re), "\"%s\" does not match %s",
              ds_cstr(&s), re);
    ds_destroy(&s);
}

TEST(tcp_whole_messages_in_order)
{
    uint16_t port;
    int lfd = tcp_listener(0, &port);
    struct collectors *cs = tcp_collectors(port);
    static uint8_t msg[10000];
    uint64_t sent, dropped;

    /* Before the first run: not connected, so a send is a counted drop. */
    check_format(cs, "not started, sent 0, dropped 0");
    make_msg(msg, 8, 0);
    CHECK_EQ(collectors_send(cs, msg, 8), 1);
    CHECK_EQ(collectors_get_seqno(cs), 0);

    int fd = tcp_accept(lfd, cs, 1000);
    run_until_seqno(cs, 1000, 0);
    CHECK_EQ(collectors_get_seqno(cs), 1);
    check_format(cs, "^    tcp:127.0.0.1:[0-9]+: connected, sent 0, "
                 "dropped 1, queued 0 bytes, connections 1");

    /* Send without reading until the socket is full and the queue holds
     * something (a partial write is then under way), but well below the
     * queue limit; then read everything. */
    size_t n = 0;
    while (!collectors_get_queued(cs)) {
        uint32_t len = 8 + test_random() % (sizeof msg - 8);
        make_msg(msg, len, n + 1);
        CHECK_EQ(collectors_send(cs, msg, len), 0);
        n++;
        CHECK_LT(n, 100000);
    }
    uint32_t *indexes = xmalloc(n * sizeof *indexes);
    read_msgs(fd, cs, 1000, n, indexes);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(indexes[i], i + 1);
    }
    CHECK_EQ(collectors_get_queued(cs), 0);
    collectors_get_stats(cs, &sent, &dropped);
    CHECK_EQ(sent, n);
    CHECK_EQ(dropped, 1);
    CHECK_EQ(collectors_get_seqno(cs), 1);

    free(indexes);
    collectors_destroy(cs);
    close(fd);
    close(lfd);
}

TEST(tcp_queue_limit_and_resync)
{
    uint16_t port;
    int lfd = tcp_listener(0, &port);
    struct collectors *cs = tcp_collectors(port);
    static uint8_t msg[60000];
    uint64_t sent, dropped;

    int fd = tcp_accept(lfd, cs, 0);
    run_until_seqno(cs, 0, 0);

    /* Nobody reads: the socket fills, then the queue, then a message is
     * refused because it would pass the limit. */
    size_t n = 0;
    for (;;) {
        make_msg(msg, sizeof msg, n);
        if (collectors_send(cs, msg, sizeof msg)) {
            break;
        }
        n++;
        CHECK_LT(n, 4000);
    }
    size_t queued = collectors_get_queued(cs);
    CHECK_LE(queued, COLLECTORS_TCP_QUEUE_MAX);
    CHECK_GT(queued + sizeof msg, COLLECTORS_TCP_QUEUE_MAX);
    check_format(cs, "dropped 1, queued [0-9]+ bytes.*No buffer space");

    /* Until the queue drains, even a small message is refused, and the
     * seqno stays: nothing has been missed by the collector yet that it
     * would see. */
    make_msg(msg, 8, 99999);
    CHECK_EQ(collectors_send(cs, msg, 8), 1);
    CHECK_EQ(collectors_get_seqno(cs), 1);

    /* The collector reads everything: the target drains, resyncs. */
    uint32_t *indexes = xmalloc((n + 1) * sizeof *indexes);
    read_msgs(fd, cs, 0, n, indexes);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(indexes[i], i);
    }
    CHECK_EQ(collectors_get_queued(cs), 0);
    CHECK_EQ(collectors_get_seqno(cs), 2);

    /* Messages are taken again and arrive after the others. */
    make_msg(msg, 100, 12345);
    CHECK_EQ(collectors_send(cs, msg, 100), 0);
    read_msgs(fd, cs, 0, 1, indexes);
    CHECK_EQ(indexes[0], 12345);
    collectors_get_stats(cs, &sent, &dropped);
    CHECK_EQ(sent, n + 1);
    CHECK_EQ(dropped, 2);

    /* Fill the socket again, then the collector hangs up: what was still
     * queued is dropped and counted. */
    size_t m = 0;
    while (!collectors_get_queued(cs)) {
        make_msg(msg, sizeof msg, m++);
        CHECK_EQ(collectors_send(cs, msg, sizeof msg), 0);
        CHECK_LT(m, 4000);
    }
    close(fd);
    run_until_state(cs, 10, "backoff");
    CHECK_EQ(collectors_get_queued(cs), 0);
    uint64_t sent2, dropped2;
    collectors_get_stats(cs, &sent2, &dropped2);
    CHECK_GE(dropped2, dropped + 1);
    CHECK_EQ(sent2 + dropped2, n + 1 + 2 + m);

    free(indexes);
    collectors_destroy(cs);
    close(lfd);
}

TEST(tcp_reconnects_after_backoff)
{
    uint16_t port;
    int lfd = tcp_listener(0, &port);
    struct collectors *cs = tcp_collectors(port);
    uint8_t msg[64];
    uint32_t index;

    int fd = tcp_accept(lfd, cs, 0);
    run_until_seqno(cs, 0, 0);
    make_msg(msg, sizeof msg, 1);
    CHECK_EQ(collectors_send(cs, msg, sizeof msg), 0);
    read_msgs(fd, cs, 0, 1, &index);

    /* The collector goes away entirely. */
    close(fd);
    close(lfd);
    run_until_state(cs, 100, "backoff");
    CHECK_EQ(collectors_send(cs, msg, sizeof msg), 1);
    check_format(cs, "backoff, sent 1, dropped 1, queued 0 bytes, "
                 "connections 1");

    /* Backoff 1 s after a healthy connection: nothing before 1100, then
     * an attempt that is refused (nobody listens), after which the
     * backoff doubles. */
    collectors_run(cs, 1099);
    check_format(cs, "backoff");
    collectors_run(cs, 1100);
    run_until_state(cs, 1100, "backoff.*Connection refused");
    CHECK_EQ(collectors_send(cs, msg, sizeof msg), 1);

    /* The collector comes back on the same port; the next attempt is
     * 2 s after the failed one. */
    lfd = tcp_listener(port, &port);
    for (int i = 0; i < 5; i++) {
        collectors_run(cs, 3099);
        CHECK(!fd_readable(lfd, 10));
    }
    fd = tcp_accept(lfd, cs, 3100);
    run_until_seqno(cs, 3100, 1);
    CHECK_EQ(collectors_get_seqno(cs), 2);
    check_format(cs, "connected, sent 1, dropped 2, queued 0 bytes, "
                 "connections 2");
    make_msg(msg, sizeof msg, 2);
    CHECK_EQ(collectors_send(cs, msg, sizeof msg), 0);
    read_msgs(fd, cs, 3100, 1, &index);
    CHECK_EQ(index, 2);

    collectors_destroy(cs);
    close(fd);
    close(lfd);
}

TEST(tcp_refused_for_udp_only_callers)
{
    struct sset targets;
    struct collectors *cs;
    char *error;

    sset_init(&targets);
    sset_add(&targets, "tcp:127.0.0.1:4739");
    sset_add(&targets, "127.0.0.1:9");
    error = collectors_create(&targets, 2055, &cs);
    CHECK_MSG(error && test_regex_match(error, "^tcp:127.0.0.1:4739: TCP "
                                        "is not supported.*UDP only"),
              "%s", error ? error : "(none)");
    free(error);
    CHECK_EQ(collectors_count(cs), 1);
    CHECK_EQ(collectors_count_tcp(cs), 0);
    collectors_destroy(cs);

    /* Only a tcp: target: no set at all. */
    sset_find_and_delete(&targets, "127.0.0.1:9");
    error = collectors_create(&targets, 2055, &cs);
    CHECK(error && strstr(error, "UDP only"));
    CHECK(!cs);
    free(error);

    /* Allowed: default port, IPv6; names still checked. */
    sset_clear(&targets);
    sset_add(&targets, "tcp:127.0.0.1");
    sset_add(&targets, "tcp:[::1]");
    sset_add(&targets, "tcp:collector.example:4739");
    sset_add(&targets, "tcp:");
    error = collectors_create_with_flags(&targets, 4739,
                                         COLLECTORS_ALLOW_TCP, &cs);
    CHECK_MSG(error && strstr(error, "tcp:collector.example:4739: not an "
                              "IP address and port")
              && strstr(error, "tcp:: not an IP"), "%s", error);
    free(error);
    CHECK_EQ(collectors_count_tcp(cs), 2);
    check_format(cs, "^    tcp:127.0.0.1:4739: not started");
    check_format(cs, "^    tcp:\\[::1\\]:4739: not started");
    collectors_destroy(cs);
    sset_destroy(&targets);

    char *why = collectors_check_target("tcp:192.0.2.1:4739", 0);
    CHECK(why && strstr(why, "UDP only"));
    free(why);
    CHECK(!collectors_check_target("tcp:192.0.2.1:4739",
                                   COLLECTORS_ALLOW_TCP));
    CHECK(!collectors_check_target("192.0.2.1", 0));
    why = collectors_check_target("tcp:192.0.2.1:70000",
                                  COLLECTORS_ALLOW_TCP);
    CHECK(why && strstr(why, "not an IP"));
    free(why);
}

TEST(tcp_connect_timeout_and_wait)
{
    /* 192.0.2.1 (TEST-NET-1) is unroutable or silently dropped: the
     * attempt either fails at once or times out after 1 s of FSM time;
     * either way the target ends up in backoff and nothing blocks. */
    struct sset targets;
    struct collectors *cs;

    sset_init(&targets);
    sset_add(&targets, "tcp:192.0.2.1:4739");
    CHECK(!collectors_create_with_flags(&targets, 0, COLLECTORS_ALLOW_TCP,
                                        &cs));
    sset_destroy(&targets);

    long long int start = time_msec();
    collectors_run(cs, 0);
    collectors_wait(cs, 0);         /* Registers, must not block. */
    poll_block();
    collectors_run(cs, 999);
    collectors_run(cs, 1000);
    check_format(cs, "backoff");
    CHECK_EQ(collectors_send(cs, "x", 1), 1);
    CHECK_LT(time_msec() - start, 3000);
    collectors_destroy(cs);
}
