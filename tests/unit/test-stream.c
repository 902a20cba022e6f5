/* Tests for lib/stream (unix and tcp): large echoes through nonblocking
 * partial sends and receives driven by the poll loop, connection errors,
 * name validation, bound ports, long unix paths, stale sockets. */
#include <config.h>
#include "stream.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "dns-resolve.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "test.h"
#include "timeval.h"

/* Drives a client CLIENT_NAME against the listener PS: the client sends
 * N pseudorandom bytes, the server side echoes everything back, and the
 * client checks what returns.  Everything runs in one thread through
 * the poll loop, so every send and receive is partial at some point.
 * Fails the test after TIMEOUT_MS. */
static void
run_echo(struct pstream *ps, const char *client_name, size_t n)
{
    uint8_t *out = xmalloc(n), *in = xmalloc(n);
    size_t sent = 0, received = 0;
    struct stream *client, *server = NULL;
    uint8_t echo_buf[65536];
    size_t echo_len = 0, echo_ofs = 0;
    long long int deadline = time_msec() + 20000;
    int n_partial_sends = 0;

    for (size_t i = 0; i < n; i++) {
        out[i] = test_random();
    }
    CHECK_EQ(stream_open(client_name, &client), 0);
    CHECK_STREQ(stream_get_name(client), client_name);

    while (received < n) {
        CHECK_MSG(time_msec() < deadline, "timeout: sent %zu, got %zu",
                  sent, received);

        if (!server) {
            int error = pstream_accept(ps, &server);
            CHECK_MSG(!error || error == EAGAIN, "accept: %s",
                      plx_strerror(error));
        }

        stream_run(client);
        if (sent < n) {
            /* Offer everything that is left: the stream takes what it
             * can. */
            int retval = stream_send(client, out + sent, n - sent);
            if (retval > 0) {
                n_partial_sends += (size_t) retval < n - sent;
                sent += retval;
            } else {
                CHECK_MSG(retval == -EAGAIN, "client send: %s",
                          plx_strerror(-retval));
            }
        }
        int retval = stream_recv(client, in + received, n - received);
        if (retval > 0) {
            CHECK_MEMEQ(in + received, out + received, retval);
            received += retval;
        } else {
            CHECK_MSG(retval == -EAGAIN, "client recv: %d (%s)", retval,
                      retval ? plx_strerror(-retval) : "EOF");
        }

        if (server) {
            stream_run(server);
            if (echo_ofs == echo_len) {
                retval = stream_recv(server, echo_buf, sizeof echo_buf);
                if (retval > 0) {
                    echo_len = retval;
                    echo_ofs = 0;
                } else {
                    CHECK_MSG(retval == -EAGAIN, "server recv: %d",
                              retval);
                }
            }
            if (echo_ofs < echo_len) {
                retval = stream_send(server, echo_buf + echo_ofs,
                                     echo_len - echo_ofs);
                if (retval > 0) {
                    echo_ofs += retval;
                } else {
                    CHECK_MSG(retval == -EAGAIN, "server send: %s",
                              plx_strerror(-retval));
                }
            }
        }

        if (received == n) {
            break;
        }

        /* Wait. */
        stream_run_wait(client);
        if (sent < n) {
            stream_send_wait(client);
        }
        stream_recv_wait(client);
        if (server) {
            stream_run_wait(server);
            if (echo_ofs < echo_len) {
                stream_send_wait(server);
            } else {
                stream_recv_wait(server);
            }
        } else {
            pstream_wait(ps);
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
    CHECK_EQ(sent, n);
    CHECK_MEMEQ(in, out, n);
    if (n >= 4 * 1024 * 1024) {
        /* Socket buffers are far smaller than that. */
        CHECK_GT(n_partial_sends, 0);
    }

    /* Closing one end gives the other EOF. */
    stream_close(client);
    uint8_t byte;
    int retval;
    while ((retval = stream_recv(server, &byte, 1)) == -EAGAIN) {
        stream_recv_wait(server);
        poll_block();
    }
    CHECK_EQ(retval, 0);
    stream_close(server);
    free(in);
    free(out);
}

TEST(unix_echo_large)
{
    char *path = xasprintf("%s/echo.sock", test_tmpdir());
    char *pname = xasprintf("punix:%s", path);
    char *name = xasprintf("unix:%s", path);
    struct pstream *ps;
    struct stat st;

    CHECK_EQ(pstream_open(pname, &ps), 0);
    CHECK_STREQ(pstream_get_name(ps), pname);
    CHECK_EQ(pstream_get_bound_port(ps), 0);
    CHECK_EQ(stat(path, &st), 0);
    CHECK(S_ISSOCK(st.st_mode));

    run_echo(ps, name, 8 * 1024 * 1024);
    run_echo(ps, name, 1);

    /* Closing the listener removes its socket file. */
    pstream_close(ps);
    CHECK_EQ(stat(path, &st), -1);
    CHECK_EQ(errno, ENOENT);
    free(path);
    free(pname);
    free(name);
}

TEST(tcp_echo_large)
{
    struct pstream *ps;

    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    uint16_t port = pstream_get_bound_port(ps);
    CHECK_NE(port, 0);

    char *expected = xasprintf("ptcp:%u:127.0.0.1", port);
    CHECK_STREQ(pstream_get_name(ps), expected);
    free(expected);

    char *name = xasprintf("tcp:127.0.0.1:%u", port);
    run_echo(ps, name, 8 * 1024 * 1024);
    free(name);
    pstream_close(ps);
}

TEST(tcp_ipv6_echo)
{
    struct pstream *ps;
    int error = pstream_open("ptcp:0:[::1]", &ps);
    if (error == EADDRNOTAVAIL || error == EAFNOSUPPORT) {
        test_skip("no IPv6 loopback here (%s)", plx_strerror(error));
    }
    CHECK_EQ(error, 0);
    char *name = xasprintf("tcp:[::1]:%u", pstream_get_bound_port(ps));
    run_echo(ps, name, 100000);
    free(name);
    pstream_close(ps);
}

TEST(tcp_peer_address)
{
    struct pstream *ps;
    struct stream *client, *server;

    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    uint16_t port = pstream_get_bound_port(ps);
    char *name = xasprintf("tcp:127.0.0.1:%u", port);
    CHECK_EQ(stream_open_block(stream_open(name, &client), 5000, &client),
             0);
    CHECK_EQ(pstream_accept_block(ps, &server), 0);

    char *peer = stream_get_peer_address(client);
    char *expected = xasprintf("127.0.0.1:%u", port);
    CHECK_STREQ(peer, expected);
    /* The accepted stream is named after the client's address. */
    CHECK(!strncmp(stream_get_name(server), "tcp:127.0.0.1:", 14));
    free(peer);
    free(expected);
    free(name);
    stream_close(client);
    stream_close(server);
    pstream_close(ps);
}

TEST(tcp_hostname_via_hosts_file)
{
    /* "localhost" comes from the hosts file, so no DNS server is
     * needed. */
    char *hosts = xasprintf("%s/hosts", test_tmpdir());
    FILE *f = fopen(hosts, "w");
    CHECK(f);
    fprintf(f, "127.0.0.1 localhost plx-stream-test.example\n");
    fclose(f);
    dns_resolve_set_hosts_file(hosts);
    dns_resolve_set_resolv_conf("");

    struct pstream *ps;
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    char *name = xasprintf("tcp:plx-stream-test.example:%u",
                           pstream_get_bound_port(ps));
    struct stream *client;
    CHECK_EQ(stream_open(name, &client), 0);
    CHECK_STREQ(stream_get_name(client), name);
    CHECK_EQ(stream_open_block(0, 10000, &client), 0);
    struct stream *server;
    CHECK_EQ(pstream_accept_block(ps, &server), 0);
    stream_close(server);
    stream_close(client);
    run_echo(ps, name, 50000);
    pstream_close(ps);
    dns_resolve_destroy();
    free(name);
    free(hosts);
}

TEST(tcp_connection_refused)
{
    /* Find a port nobody listens on: bind one, then close it. */
    struct pstream *ps;
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    uint16_t port = pstream_get_bound_port(ps);
    pstream_close(ps);

    char *name = xasprintf("tcp:127.0.0.1:%u", port);
    struct stream *stream;
    int error = stream_open(name, &stream);
    CHECK_EQ(error, 0);
    error = stream_open_block(error, 5000, &stream);
    CHECK_EQ(error, ECONNREFUSED);
    CHECK(stream == NULL);

    /* Without the blocking helper, connect reports it too, and stays
     * reporting it. */
    CHECK_EQ(stream_open(name, &stream), 0);
    long long int deadline = time_msec() + 5000;
    while ((error = stream_connect(stream)) == EAGAIN) {
        CHECK(time_msec() < deadline);
        stream_connect_wait(stream);
        poll_block();
    }
    CHECK_EQ(error, ECONNREFUSED);
    CHECK_EQ(stream_connect(stream), ECONNREFUSED);
    char buf[4];
    CHECK_EQ(stream_recv(stream, buf, sizeof buf), -ECONNREFUSED);
    CHECK_EQ(stream_send(stream, buf, sizeof buf), -ECONNREFUSED);
    stream_close(stream);
    free(name);
}

TEST(unix_errors)
{
    struct stream *stream;
    char *name = xasprintf("unix:%s/nonexistent.sock", test_tmpdir());
    CHECK_EQ(stream_open(name, &stream), ENOENT);
    CHECK(stream == NULL);
    free(name);

    /* A socket file nobody listens on: connection refused. */
    char *path = xasprintf("%s/dead.sock", test_tmpdir());
    int fd = make_unix_socket(SOCK_STREAM, true, path, NULL);
    CHECK_GE(fd, 0);
    close(fd);
    name = xasprintf("unix:%s", path);
    CHECK_EQ(stream_open(name, &stream), ECONNREFUSED);

    /* ...which punix treats as stale and replaces. */
    char *pname = xasprintf("punix:%s", path);
    struct pstream *ps, *ps2;
    CHECK_EQ(pstream_open(pname, &ps), 0);
    CHECK_EQ(stream_open(name, &stream), 0);
    stream_close(stream);

    /* A live listener's socket is not stolen. */
    CHECK_EQ(pstream_open(pname, &ps2), EADDRINUSE);
    CHECK(ps2 == NULL);
    pstream_close(ps);
    free(pname);
    free(name);
    free(path);
}

TEST(long_unix_path)
{
    /* A path well beyond sun_path's 108 bytes. */
    char *dir = xasprintf("%s/%s", test_tmpdir(),
                          "a-directory-with-a-rather-long-name-to-push-the-"
                          "socket-path-past-the-limit-of-sun-path-which-is-"
                          "108-bytes");
    CHECK_EQ(mkdir(dir, 0700), 0);
    char *path = xasprintf("%s/control.sock", dir);
    CHECK_GT(strlen(path), sizeof ((struct sockaddr_un *) 0)->sun_path);

    char *pname = xasprintf("punix:%s", path);
    char *name = xasprintf("unix:%s", path);
    struct pstream *ps;
    CHECK_EQ(pstream_open(pname, &ps), 0);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK(S_ISSOCK(st.st_mode));
    run_echo(ps, name, 300000);
    pstream_close(ps);
    CHECK_EQ(stat(path, &st), -1);

    /* A base name that cannot fit even with the /proc trick. */
    char long_base[200];
    memset(long_base, 'x', sizeof long_base - 1);
    long_base[sizeof long_base - 1] = '\0';
    char *too_long = xasprintf("punix:%s/%s", dir, long_base);
    CHECK_EQ(pstream_open(too_long, &ps), ENAMETOOLONG);
    free(too_long);

    free(name);
    free(pname);
    free(path);
    free(dir);
}

TEST(relative_unix_path_uses_rundir)
{
    setenv("PLX_RUNDIR", test_tmpdir(), 1);
    struct pstream *ps;
    CHECK_EQ(pstream_open("punix:rel.sock", &ps), 0);
    char *path = xasprintf("%s/rel.sock", test_tmpdir());
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    struct stream *stream;
    CHECK_EQ(stream_open("unix:rel.sock", &stream), 0);
    CHECK_EQ(stream_open_block(0, 5000, &stream), 0);
    stream_close(stream);
    pstream_close(ps);
    free(path);
}

TEST(ptcp_bound_port_and_in_use)
{
    struct pstream *ps, *ps2;

    CHECK_EQ(pstream_open("ptcp:0", &ps), 0);
    uint16_t port = pstream_get_bound_port(ps);
    CHECK_NE(port, 0);
    char *expected = xasprintf("ptcp:%u:0.0.0.0", port);
    CHECK_STREQ(pstream_get_name(ps), expected);
    free(expected);

    char *again = xasprintf("ptcp:%u:127.0.0.1", port);
    CHECK_EQ(pstream_open(again, &ps2), EADDRINUSE);
    CHECK(ps2 == NULL);
    free(again);

    /* Nobody is connecting: accept says so. */
    struct stream *s;
    CHECK_EQ(pstream_accept(ps, &s), EAGAIN);
    CHECK(s == NULL);
    pstream_close(ps);
}

TEST(default_ports)
{
    struct pstream *ps;
    struct stream *stream;

    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    uint16_t port = pstream_get_bound_port(ps);
    CHECK_EQ(stream_open("tcp:127.0.0.1", &stream), EINVAL);
    CHECK_EQ(stream_open_with_default_port("tcp:127.0.0.1", port, &stream),
             0);
    CHECK_EQ(stream_open_block(0, 5000, &stream), 0);
    char *expected = xasprintf("tcp:127.0.0.1:%u", port);
    CHECK_STREQ(stream_get_name(stream), expected);
    free(expected);
    stream_close(stream);
    pstream_close(ps);

    /* A passive name without a port takes the default. */
    CHECK_EQ(pstream_open("ptcp:", &ps), EINVAL);
    CHECK_EQ(pstream_open_with_default_port("ptcp::127.0.0.1", 0, &ps), 0);
    CHECK_NE(pstream_get_bound_port(ps), 0);
    pstream_close(ps);
}

TEST(verify_names)
{
    static const char *good[] = {
        "unix:/tmp/x.sock", "unix:rel.sock", "tcp:127.0.0.1:6640",
        "tcp:[::1]:6640", "tcp:example.com:6653", "tcp:localhost:1",
        "tcp:10.0.0.1:0", "tcp:a-b.c_d:65535",
    };
    static const char *bad_syntax[] = {
        "unix:", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:", "tcp::6640",
        "tcp:127.0.0.1:65536", "tcp:127.0.0.1:-1", "tcp:127.0.0.1:66x",
        "tcp:[::1", "tcp:[::1]x", "tcp:[::1]:", "tcp:[]:1",
        "tcp:bad host:1", "tcp:host/x:1", "tcp:[not-ip]:1",
        "tcp:127.0.0.1:999999999999999999999",
    };
    static const char *bad_class[] = {
        "", "unix", "foo:bar", "udp:1.2.3.4:5", "punix:/tmp/x", ":x",
        "TCP:1.2.3.4:5",
    };
    static const char *pgood[] = {
        "punix:/tmp/x.sock", "ptcp:6640", "ptcp:0", "ptcp:6640:127.0.0.1",
        "ptcp:6640:[::1]", "ptcp:6640:::1", "ptcp:0:",
    };
    static const char *pbad[] = {
        "punix:", "ptcp:", "ptcp:x", "ptcp:70000", "ptcp:1:notanip",
        "ptcp:1:[::1", "ptcp:1:1.2.3.4.5",
    };

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        CHECK_MSG(!stream_verify_name(good[i]), "%s rejected", good[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad_syntax); i++) {
        struct stream *s;
        CHECK_MSG(stream_verify_name(bad_syntax[i]) == EINVAL,
                  "%s: %d", bad_syntax[i], stream_verify_name(bad_syntax[i]));
        CHECK_EQ(stream_open(bad_syntax[i], &s), EINVAL);
        CHECK(s == NULL);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad_class); i++) {
        struct stream *s;
        CHECK_MSG(stream_verify_name(bad_class[i]) == EAFNOSUPPORT,
                  "%s: %d", bad_class[i], stream_verify_name(bad_class[i]));
        CHECK_EQ(stream_open(bad_class[i], &s), EAFNOSUPPORT);
    }
    for (size_t i = 0; i < ARRAY_SIZE(pgood); i++) {
        CHECK_MSG(!pstream_verify_name(pgood[i]), "%s rejected", pgood[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(pbad); i++) {
        struct pstream *ps;
        CHECK_MSG(pstream_verify_name(pbad[i]) == EINVAL, "%s accepted",
                  pbad[i]);
        CHECK_EQ(pstream_open(pbad[i], &ps), EINVAL);
    }
    CHECK_EQ(pstream_verify_name("tcp:1.2.3.4:5"), EAFNOSUPPORT);

    CHECK(stream_or_pstream_needs_probes("tcp:1.2.3.4:5"));
    CHECK(stream_or_pstream_needs_probes("ptcp:5"));
    CHECK(!stream_or_pstream_needs_probes("unix:/x"));
    CHECK(!stream_or_pstream_needs_probes("punix:/x"));
}

TEST(send_after_peer_close_is_epipe_not_sigpipe)
{
    /* SIGPIPE keeps its default action here: a send without
     * MSG_NOSIGNAL would kill the test. */
    signal(SIGPIPE, SIG_DFL);

    char *path = xasprintf("%s/pipe.sock", test_tmpdir());
    char *pname = xasprintf("punix:%s", path);
    char *name = xasprintf("unix:%s", path);
    struct pstream *ps;
    struct stream *client, *server;

    CHECK_EQ(pstream_open(pname, &ps), 0);
    CHECK_EQ(stream_open_block(stream_open(name, &client), 5000, &client),
             0);
    CHECK_EQ(pstream_accept_block(ps, &server), 0);
    stream_close(server);

    char buf[1024] = { 0 };
    int retval;
    long long int deadline = time_msec() + 5000;
    do {
        retval = stream_send(client, buf, sizeof buf);
        CHECK(time_msec() < deadline);
    } while (retval > 0 || retval == -EAGAIN);
    CHECK_MSG(retval == -EPIPE || retval == -ECONNRESET, "%d", retval);
    stream_close(client);
    pstream_close(ps);
    free(path);
    free(pname);
    free(name);
}
