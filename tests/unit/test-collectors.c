/* Tests for lib/collectors: datagrams reach every target, bad targets
 * are refused by name while the others are used, and a collector that
 * is down costs only counted drops. */
#include <config.h>
#include "collectors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "socket-util.h"
#include "sset.h"
#include "test.h"

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

