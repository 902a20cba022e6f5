/* Tests for lib/socket-util: active and passive address parsing (good
 * and malformed), formatting round trips, unix sockets with long paths,
 * nonblocking connect completion. */
#include <config.h>
#include "socket-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "test.h"

static void
check_active(const char *target, int default_port, const char *expected)
{
    struct sockaddr_storage ss;
    int error = inet_parse_active(target, default_port, &ss, false);
    CHECK_MSG(!error, "%s: %s", target, plx_strerror(error));
    char *s = ss_format_address_port(&ss);
    CHECK_STREQ(s, expected);
    free(s);
}

TEST(parse_active)
{
    check_active("127.0.0.1:6640", -1, "127.0.0.1:6640");
    check_active("192.0.2.1", 6653, "192.0.2.1:6653");
    check_active("[::1]:80", -1, "[::1]:80");
    check_active("[2001:db8::1]", 443, "[2001:db8::1]:443");
    check_active("::1", 5, "[::1]:5");          /* Bare IPv6, no port. */
    check_active("10.0.0.1:0", -1, "10.0.0.1:0");
    check_active("10.0.0.1:65535", -1, "10.0.0.1:65535");

    /* Host names: syntax is fine, the address is not known yet. */
    struct sockaddr_storage ss;
    CHECK_EQ(inet_parse_active("example.com:80", -1, &ss, false), EAGAIN);
    CHECK_EQ(inet_parse_active("db-1.internal", 6640, NULL, false), EAGAIN);
}

TEST(parse_active_malformed)
{
    static const char *bad[] = {
        "", ":80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x",
        "127.0.0.1:65536", "127.0.0.1:-5", "127.0.0.1:+5", "127.0.0.1: 5",
        "[::1", "[::1]80", "[::1]:", "[]:80", "[example.com]:80",
        "[1.2.3.4]:80", "a b:80", "host/x:80", "1.2.3.4:5:6x",
        "[::1]:123456",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct sockaddr_storage ss;
        int error = inet_parse_active(bad[i], -1, &ss, false);
        CHECK_MSG(error == EINVAL, "\"%s\" gave %d", bad[i], error);
    }
}

TEST(parse_active_resolves_hosts)
{
    /* With resolve_host, "localhost" is asked of dns-resolve; it is
     * pending or known, never an error. */
    struct sockaddr_storage ss;
    int error = inet_parse_active("localhost:1", -1, &ss, true);
    CHECK_MSG(error == 0 || error == EAGAIN, "%d", error);
}

TEST(parse_passive)
{
    static const struct {
        const char *target;
        const char *expected;
    } good[] = {
        { "6640", "0.0.0.0:6640" },
        { "0", "0.0.0.0:0" },
        { "6640:127.0.0.1", "127.0.0.1:6640" },
        { "6640:[::1]", "[::1]:6640" },
        { "6640:::", "[::]:6640" },
        { "1:", "0.0.0.0:1" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct sockaddr_storage ss;
        CHECK_MSG(!inet_parse_passive(good[i].target, -1, &ss), "%s",
                  good[i].target);
        char *s = ss_format_address_port(&ss);
        CHECK_STREQ(s, good[i].expected);
        free(s);
    }

    struct sockaddr_storage ss;
    CHECK_EQ(inet_parse_passive("", 6653, &ss), 0);
    CHECK_EQ(ss_get_port(&ss), 6653);
    CHECK_EQ(inet_parse_passive(":10.0.0.1", 99, &ss), 0);
    CHECK_EQ(ss_get_port(&ss), 99);

    static const char *bad[] = {
        "", "x", "70000", "1:example.com", "1:[::1", "1:1.2.3", "-1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK_MSG(inet_parse_passive(bad[i], -1, &ss) == EINVAL, "%s",
                  bad[i]);
    }
}

TEST(split_host_port)
{
    char *host, *port;

    CHECK_EQ(inet_split_host_port("h:1", &host, &port), 0);
    CHECK_STREQ(host, "h");
    CHECK_STREQ(port, "1");
    free(host);
    free(port);

    CHECK_EQ(inet_split_host_port("[fe80::1]", &host, &port), 0);
    CHECK_STREQ(host, "fe80::1");
    CHECK(port == NULL);
    free(host);

    CHECK_EQ(inet_split_host_port("[", &host, &port), EINVAL);
    CHECK(host == NULL && port == NULL);
    CHECK_EQ(inet_split_host_port("", &host, &port), EINVAL);
}

TEST(literals)
{
    CHECK(addr_is_ip_literal("1.2.3.4"));
    CHECK(addr_is_ip_literal("::"));
    CHECK(!addr_is_ip_literal("1.2.3"));
    CHECK(!addr_is_ip_literal("localhost"));
    CHECK(!addr_is_ip_literal("[::1]"));

    struct sockaddr_storage ss;
    CHECK_EQ(ip_parse_literal("[::1]", 7, &ss), 0);
    CHECK_EQ(ss.ss_family, AF_INET6);
    CHECK_EQ(ss_get_port(&ss), 7);
    CHECK_EQ(ss_length(&ss), sizeof(struct sockaddr_in6));
    CHECK_EQ(ip_parse_literal("1.2.3.4", 8, &ss), 0);
    CHECK_EQ(ss_length(&ss), sizeof(struct sockaddr_in));

    struct ds s = DS_EMPTY_INITIALIZER;
    ss_format_address(&ss, &s);
    CHECK_STREQ(ds_cstr(&s), "1.2.3.4");
    ds_destroy(&s);

    char long_v6[200];
    memset(long_v6, ':', sizeof long_v6 - 1);
    long_v6[0] = '[';
    long_v6[sizeof long_v6 - 2] = ']';
    long_v6[sizeof long_v6 - 1] = '\0';
    CHECK_EQ(ip_parse_literal(long_v6, 1, &ss), EINVAL);
}

TEST(tcp_connect_and_bound_port)
{
    struct sockaddr_storage ss;
    int listen_fd, fd;
    uint16_t port;

    CHECK_EQ(inet_parse_passive("0:127.0.0.1", -1, &ss), 0);
    CHECK_EQ(inet_open_passive(SOCK_STREAM, &ss, &listen_fd, &port), 0);
    CHECK_NE(port, 0);
    uint16_t port2;
    CHECK_EQ(get_bound_port(listen_fd, &port2), 0);
    CHECK_EQ(port, port2);
    CHECK(fcntl(listen_fd, F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(listen_fd, F_GETFD) & FD_CLOEXEC);

    char *target = xasprintf("127.0.0.1:%u", port);
    CHECK_EQ(inet_parse_active(target, -1, &ss, false), 0);
    int error = inet_open_active(SOCK_STREAM, &ss, &fd);
    CHECK_MSG(!error || error == EAGAIN, "%s", plx_strerror(error));
    CHECK_GE(fd, 0);
    for (int i = 0; i < 1000 && (error = check_connection_completion(fd))
                                == EAGAIN; i++) {
        usleep(1000);
    }
    CHECK_EQ(error, 0);

    struct sockaddr_storage peer;
    CHECK_EQ(get_peer_address(fd, &peer), 0);
    char *s = ss_format_address_port(&peer);
    CHECK_STREQ(s, target);
    free(s);
    free(target);
    closep(&fd);
    CHECK_EQ(fd, -1);
    closep(&fd);                /* Harmless twice. */
    close(listen_fd);
}

TEST(unix_socket_paths)
{
    char *dir = xasprintf("%s/%0150d", test_tmpdir(), 0);
    CHECK_EQ(mkdir(dir, 0700), 0);
    char *path = xasprintf("%s/s", dir);
    CHECK_GT(strlen(path), sizeof ((struct sockaddr_un *) 0)->sun_path);

    int server = make_unix_socket(SOCK_STREAM, true, path, NULL);
    CHECK_GE(server, 0);
    CHECK_EQ(listen(server, 1), 0);
    int client = make_unix_socket(SOCK_STREAM, true, NULL, path);
    CHECK_GE(client, 0);
    CHECK_EQ(check_connection_completion(client), 0);
    close(client);

    /* Binding again while the first is alive fails... */
    CHECK_EQ(make_unix_socket(SOCK_STREAM, true, path, NULL), -EADDRINUSE);
    /* ...but once it is gone the stale file is replaced. */
    close(server);
    server = make_unix_socket(SOCK_STREAM, true, path, NULL);
    CHECK_GE(server, 0);
    close(server);

    CHECK_EQ(make_unix_socket(SOCK_STREAM, true, NULL, ""), -EINVAL);
    CHECK_EQ(make_unix_socket(SOCK_STREAM, true, NULL,
                              "/nonexistent-dir/x/y"), -ENOENT);
    char *nodir = xasprintf("%s/missing/%0120d", test_tmpdir(), 0);
    CHECK_EQ(make_unix_socket(SOCK_STREAM, true, NULL, nodir), -ENOENT);
    free(nodir);
    free(path);
    free(dir);
}
