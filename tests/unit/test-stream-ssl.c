/* Tests for lib/stream-ssl: a CA, server and client certificates are made
 * at test time with the openssl command; then a mutual-auth echo of a
 * large buffer, and failures when either side's certificate comes from a
 * CA the other does not trust, when SSL is not configured, and when the
 * peer does not speak TLS at all.
 *
 * The SSL configuration is per process, so the server runs in a forked
 * child with its own key and certificate, and reports by exit status. */
#include <config.h>
#include "stream-ssl.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "poll-loop.h"
#include "stream.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

#define SERVER_OK 0
#define SERVER_HANDSHAKE_FAILED 3
#define SERVER_OTHER_ERROR 4

static char *
tmp_file(const char *name)
{
    return xasprintf("%s/%s", test_tmpdir(), name);
}

static void
run_cmd(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static void
run_cmd(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *cmd = xvasprintf(format, args);
    va_end(args);

    char *full = xasprintf("cd '%s' && %s >>openssl.log 2>&1",
                           test_tmpdir(), cmd);
    int status = system(full);
    CHECK_MSG(status == 0, "command failed (see %s/openssl.log): %s",
              test_tmpdir(), cmd);
    free(full);
    free(cmd);
}

/* Makes CA NAME: NAME-key.pem, NAME-cert.pem. */
static void
make_ca(const char *name)
{
    run_cmd("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
            "-nodes -keyout %s-key.pem -out %s-cert.pem -days 2 "
            "-subj '/CN=Plexus test CA %s'", name, name, name);
}

/* Makes key and certificate NAME-key.pem, NAME-cert.pem signed by CA. */
static void
make_cert(const char *name, const char *ca)
{
    run_cmd("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-keyout %s-key.pem -out %s-req.pem -subj '/CN=%s'",
            name, name, name);
    run_cmd("openssl x509 -req -in %s-req.pem -CA %s-cert.pem "
            "-CAkey %s-key.pem -CAcreateserial -out %s-cert.pem -days 2",
            name, ca, ca, name);
}

static void
setup_pki(void)
{
    if (system("openssl version >/dev/null 2>&1")) {
        test_skip("the openssl command is not installed");
    }
    make_ca("ca");
    make_ca("otherca");
    make_cert("server", "ca");
    make_cert("client", "ca");
    make_cert("stranger", "otherca");
}

/* Configures this process's SSL as NAME (key and cert) trusting CA. */
static void
configure(const char *name, const char *ca)
{
    char *key = xasprintf("%s/%s-key.pem", test_tmpdir(), name);
    char *cert = xasprintf("%s/%s-cert.pem", test_tmpdir(), name);
    char *ca_cert = xasprintf("%s/%s-cert.pem", test_tmpdir(), ca);

    stream_ssl_set_private_key_file(key);
    stream_ssl_set_certificate_file(cert);
    stream_ssl_set_ca_cert_file(ca_cert, false);
    CHECK(stream_ssl_is_configured());
    free(key);
    free(cert);
    free(ca_cert);
}

/* In a child: accepts one connection on PS and echoes until EOF.  Exits
 * with SERVER_OK, SERVER_HANDSHAKE_FAILED or SERVER_OTHER_ERROR. */
static void PLX_NO_RETURN
serve_echo(struct pstream *ps)
{
    struct stream *s;
    uint8_t buf[16384];
    size_t len = 0, ofs = 0;
    int error;

    alarm(30);
    error = pstream_accept_block(ps, &s);
    if (error) {
        _exit(SERVER_OTHER_ERROR);
    }
    while ((error = stream_connect(s)) == EAGAIN) {
        stream_run(s);
        stream_run_wait(s);
        stream_connect_wait(s);
        poll_block();
    }
    if (error) {
        _exit(error == EPROTO ? SERVER_HANDSHAKE_FAILED : SERVER_OTHER_ERROR);
    }
    for (;;) {
        stream_run(s);
        if (ofs == len) {
            int n = stream_recv(s, buf, sizeof buf);
            if (n == 0) {
                break;          /* EOF: done. */
            } else if (n > 0) {
                len = n;
                ofs = 0;
            } else if (n != -EAGAIN) {
                _exit(n == -EPROTO ? SERVER_HANDSHAKE_FAILED
                      : SERVER_OTHER_ERROR);
            }
        }
        if (ofs < len) {
            int n = stream_send(s, buf + ofs, len - ofs);
            if (n > 0) {
                ofs += n;
            } else if (n != -EAGAIN) {
                _exit(SERVER_OTHER_ERROR);
            }
        }
        stream_run_wait(s);
        if (ofs < len) {
            stream_send_wait(s);
        } else {
            stream_recv_wait(s);
        }
        poll_block();
    }
    stream_close(s);
    _exit(SERVER_OK);
}

/* Starts a server configured as SERVER_NAME trusting SERVER_CA in a child
 * process; returns its pid and the port in *PORTP. */
static pid_t
start_server(const char *server_name, const char *server_ca,
             uint16_t *portp)
{
    struct pstream *ps;

    configure(server_name, server_ca);
    CHECK_EQ(pstream_open("pssl:0:127.0.0.1", &ps), 0);
    *portp = pstream_get_bound_port(ps);
    CHECK_NE(*portp, 0);

    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        serve_echo(ps);
    }
    pstream_close(ps);
    return pid;
}

static int
wait_server(pid_t pid)
{
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_MSG(WIFEXITED(status), "server died with signal %d",
              WTERMSIG(status));
    return WEXITSTATUS(status);
}

/* As client: sends N bytes through STREAM and checks the echo.  Returns 0
 * or the first error (positive errno, or EOF). */
static int
client_echo(struct stream *stream, size_t n)
{
    uint8_t *out = xmalloc(n), *in = xmalloc(n);
    size_t sent = 0, received = 0;
    long long int deadline = time_msec() + 20000;
    int error = 0;

    for (size_t i = 0; i < n; i++) {
        out[i] = test_random();
    }
    while (received < n) {
        CHECK_MSG(time_msec() < deadline, "timeout: sent %zu, got %zu",
                  sent, received);
        stream_run(stream);
        if (sent < n) {
            int retval = stream_send(stream, out + sent, n - sent);
            if (retval > 0) {
                sent += retval;
            } else if (retval != -EAGAIN) {
                error = -retval;
                break;
            }
        }
        int retval = stream_recv(stream, in + received, n - received);
        if (retval > 0) {
            CHECK_MEMEQ(in + received, out + received, retval);
            received += retval;
            continue;
        } else if (retval == 0) {
            error = EOF;
            break;
        } else if (retval != -EAGAIN) {
            error = -retval;
            break;
        }
        stream_run_wait(stream);
        if (sent < n) {
            stream_send_wait(stream);
        }
        stream_recv_wait(stream);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    if (!error) {
        CHECK_MEMEQ(in, out, n);
    }
    free(in);
    free(out);
    return error;
}

TEST(mutual_auth_echo)
{
    uint16_t port;

    setup_pki();
    pid_t pid = start_server("server", "ca", &port);

    configure("client", "ca");
    char *name = xasprintf("ssl:127.0.0.1:%u", port);
    struct stream *stream;
    CHECK_EQ(stream_open(name, &stream), 0);
    CHECK_EQ(stream_open_block(0, 10000, &stream), 0);
    CHECK_STREQ(stream_get_name(stream), name);

    char *peer = stream_get_peer_address(stream);
    char *expected = xasprintf("127.0.0.1:%u", port);
    CHECK_STREQ(peer, expected);
    free(peer);
    free(expected);

    /* Large enough that TLS records and socket buffers split it. */
    CHECK_EQ(client_echo(stream, 2 * 1024 * 1024 + 17), 0);
    stream_close(stream);
    CHECK_EQ(wait_server(pid), SERVER_OK);
    free(name);
}

TEST(client_rejects_server_from_untrusted_ca)
{
    uint16_t port;

    setup_pki();
    pid_t pid = start_server("server", "ca", &port);

    /* The client only trusts "otherca", which did not sign the server. */
    configure("stranger", "otherca");
    char *name = xasprintf("ssl:127.0.0.1:%u", port);
    struct stream *stream;
    CHECK_EQ(stream_open(name, &stream), 0);
    CHECK_EQ(stream_open_block(0, 10000, &stream), EPROTO);
    CHECK(stream == NULL);
    CHECK_EQ(wait_server(pid), SERVER_HANDSHAKE_FAILED);
    free(name);
}

TEST(server_rejects_client_from_untrusted_ca)
{
    uint16_t port;

    setup_pki();
    pid_t pid = start_server("server", "ca", &port);

    /* The client trusts the server's CA, but its own certificate comes
     * from "otherca", which the server does not trust.  With TLS 1.3 the
     * client may finish its half of the handshake first and learn of
     * the rejection on its first read. */
    char *key = tmp_file("stranger-key.pem");
    char *cert = tmp_file("stranger-cert.pem");
    char *ca = tmp_file("ca-cert.pem");
    stream_ssl_set_key_and_cert(key, cert);
    stream_ssl_set_ca_cert_file(ca, false);
    CHECK(stream_ssl_is_configured());

    char *name = xasprintf("ssl:127.0.0.1:%u", port);
    struct stream *stream;
    CHECK_EQ(stream_open(name, &stream), 0);
    int error = stream_open_block(0, 10000, &stream);
    if (!error) {
        error = client_echo(stream, 1000);
        stream_close(stream);
    }
    CHECK_MSG(error == EPROTO || error == EOF || error == ECONNRESET,
              "client saw %d", error);
    CHECK_EQ(wait_server(pid), SERVER_HANDSHAKE_FAILED);
    free(name);
    free(key);
    free(cert);
    free(ca);
}

TEST(not_configured)
{
    struct stream *stream;
    struct pstream *ps;

    free(vlog_set_levels_from_string("stream_ssl:off"));
    CHECK(!stream_ssl_is_configured());
    CHECK_EQ(stream_open("ssl:127.0.0.1:6640", &stream), EPROTO);
    CHECK(stream == NULL);
    CHECK_EQ(pstream_open("pssl:0:127.0.0.1", &ps), EPROTO);
    CHECK(ps == NULL);

    /* Files that do not exist or are not PEM leave it unconfigured. */
    stream_ssl_set_private_key_file("/nonexistent/key.pem");
    stream_ssl_set_certificate_file("/etc/hostname");
    stream_ssl_set_ca_cert_file("/nonexistent/ca.pem", false);
    stream_ssl_set_ca_cert_file("/nonexistent/ca2.pem", true);
    CHECK(!stream_ssl_is_configured());
    CHECK_EQ(stream_open("ssl:127.0.0.1:6640", &stream), EPROTO);

    /* Names are still checked first. */
    CHECK_EQ(stream_verify_name("ssl:127.0.0.1"), EINVAL);
    CHECK_EQ(stream_verify_name("ssl:127.0.0.1:6640"), 0);
    CHECK_EQ(pstream_verify_name("pssl:6640:127.0.0.1"), 0);
    CHECK_EQ(pstream_verify_name("pssl:x"), EINVAL);
}

TEST(key_must_match_certificate)
{
    setup_pki();
    free(vlog_set_levels_from_string("stream_ssl:off"));
    char *key = tmp_file("client-key.pem");
    char *cert = tmp_file("server-cert.pem");
    char *ca = tmp_file("ca-cert.pem");

    /* OpenSSL refuses a certificate that does not match the key. */
    stream_ssl_set_private_key_file(key);
    stream_ssl_set_certificate_file(cert);
    stream_ssl_set_ca_cert_file(ca, false);
    CHECK(!stream_ssl_is_configured());
    free(key);
    free(cert);
    free(ca);
}

TEST(plaintext_peer_fails_handshake)
{
    setup_pki();
    configure("server", "ca");
    free(vlog_set_levels_from_string("stream_ssl:off"));

    struct pstream *ps;
    CHECK_EQ(pstream_open("pssl:0:127.0.0.1", &ps), 0);
    char *expected = xasprintf("pssl:%u:127.0.0.1",
                               pstream_get_bound_port(ps));
    CHECK_STREQ(pstream_get_name(ps), expected);
    free(expected);

    /* A plain TCP client sends an HTTP request instead of a hello. */
    char *name = xasprintf("tcp:127.0.0.1:%u", pstream_get_bound_port(ps));
    struct stream *client, *server;
    CHECK_EQ(stream_open_block(stream_open(name, &client), 5000, &client),
             0);
    static const char junk[] = "GET / HTTP/1.0\r\n\r\n";
    CHECK_EQ(stream_send(client, junk, sizeof junk - 1), sizeof junk - 1);
    CHECK_EQ(pstream_accept_block(ps, &server), 0);

    int error;
    long long int deadline = time_msec() + 5000;
    while ((error = stream_connect(server)) == EAGAIN) {
        CHECK(time_msec() < deadline);
        stream_connect_wait(server);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    CHECK_EQ(error, EPROTO);
    uint8_t buf[16];
    CHECK_EQ(stream_recv(server, buf, sizeof buf), -EPROTO);
    stream_close(server);
    stream_close(client);
    pstream_close(ps);
    free(name);
}
