/* stream-ssl: "ssl:IP:PORT" and "pssl:PORT[:IP]" streams over OpenSSL 3.
 * See stream-ssl.h for the configuration model.
 *
 * A connection goes TCP_CONNECTING -> SSL_CONNECTING (handshake, driven
 * by stream_connect()) -> up.  OpenSSL's WANT_READ/WANT_WRITE become poll
 * waits on the socket.  Because SSL_write() must be retried with the same
 * buffer after WANT_*, stream_send() copies what it accepts into 'txbuf'
 * and stream_run() flushes it; while it is nonempty, sends return
 * -EAGAIN.  (This is Open vSwitch's design.) */
#include <config.h>
#include "stream-ssl.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "poll-loop.h"
#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_ssl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 25);

/* Most we copy into 'txbuf' per stream_send(). */
#define SSL_MAX_TX (64 * 1024)

/* Configuration.
 *
 * The set functions only record file names.  The SSL_CTX is (re)built
 * from all three files together when a stream needs it and something
 * changed (a new name, or a file's mtime), so the order of the calls
 * does not matter and a key never has to match a stale certificate.
 * Connections keep a reference to the SSL_CTX they started with. */

struct ssl_config_file {
    char *file_name;
    struct timespec mtime;      /* Of the version last loaded. */
};

static SSL_CTX *ctx;            /* NULL if not (validly) configured. */
static bool config_dirty;
static struct ssl_config_file private_key;
static struct ssl_config_file certificate;
static struct ssl_config_file ca_cert;

static void
log_openssl_errors(const char *prefix)
{
    unsigned long err;
    while ((err = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(err, buf, sizeof buf);
        VLOG_ERR_RL(&rl, "%s: %s", prefix, buf);
    }
}

static struct timespec
file_mtime(const char *file_name)
{
    struct stat st;
    struct timespec zero = { 0, 0 };
    return file_name && !stat(file_name, &st) ? st.st_mtim : zero;
}

static bool
ssl_config_file_stale(const struct ssl_config_file *config)
{
    struct timespec mtime = file_mtime(config->file_name);
    return (mtime.tv_sec != config->mtime.tv_sec
            || mtime.tv_nsec != config->mtime.tv_nsec);
}

static void
ssl_config_file_set(struct ssl_config_file *config, const char *file_name)
{
    if (!file_name
        || (config->file_name && !strcmp(config->file_name, file_name)
            && !ssl_config_file_stale(config))) {
        return;
    }
    free(config->file_name);
    config->file_name = xstrdup(file_name);
    config_dirty = true;
}

/* Builds a new SSL_CTX from the configured files, or returns NULL after
 * logging why not. */
static SSL_CTX *
ssl_build_ctx(void)
{
    SSL_CTX *new_ctx;

    private_key.mtime = file_mtime(private_key.file_name);
    certificate.mtime = file_mtime(certificate.file_name);
    ca_cert.mtime = file_mtime(ca_cert.file_name);
    if (!private_key.file_name || !certificate.file_name
        || !ca_cert.file_name) {
        return NULL;
    }

    ERR_clear_error();
    new_ctx = SSL_CTX_new(TLS_method());
    if (!new_ctx) {
        log_openssl_errors("SSL_CTX_new");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(new_ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(new_ctx, SSL_OP_NO_COMPRESSION
                        | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(new_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
                     | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(new_ctx, SSL_VERIFY_PEER
                       | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_session_cache_mode(new_ctx, SSL_SESS_CACHE_OFF);

    const char *what;
    if (SSL_CTX_use_certificate_chain_file(new_ctx, certificate.file_name)
        != 1) {
        what = certificate.file_name;
        VLOG_ERR_RL(&rl, "%s: failed to load certificate", what);
    } else if (SSL_CTX_use_PrivateKey_file(new_ctx, private_key.file_name,
                                           SSL_FILETYPE_PEM) != 1) {
        what = private_key.file_name;
        VLOG_ERR_RL(&rl, "%s: failed to load private key (or it does not "
                    "match certificate %s)", what, certificate.file_name);
    } else if (SSL_CTX_check_private_key(new_ctx) != 1) {
        what = private_key.file_name;
        VLOG_ERR_RL(&rl, "%s: private key does not match certificate %s",
                    what, certificate.file_name);
    } else if (SSL_CTX_load_verify_file(new_ctx, ca_cert.file_name) != 1) {
        what = ca_cert.file_name;
        VLOG_ERR_RL(&rl, "%s: failed to load CA certificate", what);
    } else {
        /* Tell clients which CA we accept. */
        STACK_OF(X509_NAME) *names
            = SSL_load_client_CA_file(ca_cert.file_name);
        if (names) {
            SSL_CTX_set_client_CA_list(new_ctx, names);
        }
        ERR_clear_error();
        return new_ctx;
    }
    log_openssl_errors(what);
    SSL_CTX_free(new_ctx);
    return NULL;
}

/* Returns the current SSL_CTX, rebuilding it first if the configuration
 * or a file changed, or NULL if SSL is not usable. */
static SSL_CTX *
ssl_get_ctx(void)
{
    if (!config_dirty
        && (ssl_config_file_stale(&private_key)
            || ssl_config_file_stale(&certificate)
            || ssl_config_file_stale(&ca_cert))) {
        config_dirty = true;
    }
    if (config_dirty) {
        config_dirty = false;
        SSL_CTX_free(ctx);
        ctx = ssl_build_ctx();
    }
    return ctx;
}

bool
stream_ssl_is_configured(void)
{
    return ssl_get_ctx() != NULL;
}

void
stream_ssl_set_private_key_file(const char *file_name)
{
    ssl_config_file_set(&private_key, file_name);
}

void
stream_ssl_set_certificate_file(const char *file_name)
{
    ssl_config_file_set(&certificate, file_name);
}

void
stream_ssl_set_key_and_cert(const char *private_key_file,
                            const char *certificate_file)
{
    stream_ssl_set_private_key_file(private_key_file);
    stream_ssl_set_certificate_file(certificate_file);
}

void
stream_ssl_set_ca_cert_file(const char *file_name, bool bootstrap)
{
    if (bootstrap && file_name && access(file_name, F_OK)) {
        VLOG_ERR_RL(&rl, "%s: CA certificate does not exist; bootstrapping "
                    "trust from the first peer is not supported, so SSL "
                    "connections will fail until it is created",
                    file_name);
    }
    ssl_config_file_set(&ca_cert, file_name);
}

/* Logs why SSL cannot be used yet; returns true if it can. */
static bool
ssl_config_ok(const char *name)
{
    if (ssl_get_ctx()) {
        return true;
    }
    VLOG_ERR_RL(&rl, "%s: SSL is not configured%s%s%s%s", name,
                private_key.file_name ? "" : "; private key missing",
                certificate.file_name ? "" : "; certificate missing",
                ca_cert.file_name ? "" : "; CA certificate missing",
                (private_key.file_name && certificate.file_name
                 && ca_cert.file_name ? " (files failed to load)" : ""));
    return false;
}

/* Streams. */

enum ssl_state {
    STATE_TCP_CONNECTING,
    STATE_SSL_CONNECTING
};

enum session_type {
    CLIENT,
    SERVER
};

struct ssl_stream {
    struct stream stream;
    enum ssl_state state;
    enum session_type type;
    int fd;
    SSL *ssl;
    uint8_t *txbuf;             /* Data not yet taken by SSL_write(). */
    size_t tx_ofs, tx_len;
    int rx_want, tx_want;       /* SSL_NOTHING, SSL_READING, SSL_WRITING. */
};

static const struct stream_class ssl_conn_class;

static struct ssl_stream *
ssl_stream_cast(const struct stream *stream)
{
    plx_assert(stream->class == &ssl_conn_class);
    return CONTAINER_OF(stream, struct ssl_stream, stream);
}

static int
new_ssl_stream(char *name, int fd, enum session_type type,
               enum ssl_state state, int connect_status,
               struct stream **streamp)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        log_openssl_errors("SSL_new");
        SSL_free(ssl);
        close(fd);
        free(name);
        return ENOPROTOOPT;
    }
    if (type == CLIENT) {
        SSL_set_connect_state(ssl);
    } else {
        SSL_set_accept_state(ssl);
    }

    struct ssl_stream *s = xzalloc(sizeof *s);
    stream_init(&s->stream, &ssl_conn_class, connect_status, name);
    s->state = state;
    s->type = type;
    s->fd = fd;
    s->ssl = ssl;
    s->rx_want = s->tx_want = SSL_NOTHING;
    *streamp = &s->stream;
    return 0;
}

static int
ssl_open(const char *name, char *suffix, struct stream **streamp)
{
    struct sockaddr_storage ss;
    int error, fd;

    if (!ssl_config_ok(name)) {
        return EPROTO;
    }
    error = inet_parse_active(suffix, -1, &ss, false);
    if (error) {
        return error == EAGAIN ? EINVAL : error;
    }
    error = inet_open_active(SOCK_STREAM, &ss, &fd);
    if (error && error != EAGAIN) {
        VLOG_DBG("%s: connect: %s", name, plx_strerror(error));
        return error;
    }
    return new_ssl_stream(xstrdup(name), fd, CLIENT, STATE_TCP_CONNECTING,
                          EAGAIN, streamp);
}

/* Interprets a failed SSL call that returned RET: returns EAGAIN (with
 * *WANT set) for WANT_READ/WANT_WRITE, 0 ("EOF") for a clean shutdown,
 * else a positive errno value, logging why. */
static int
interpret_ssl_error(struct ssl_stream *s, const char *function, int ret,
                    int *want)
{
    int error = SSL_get_error(s->ssl, ret);

    switch (error) {
    case SSL_ERROR_WANT_READ:
        *want = SSL_READING;
        return EAGAIN;

    case SSL_ERROR_WANT_WRITE:
        *want = SSL_WRITING;
        return EAGAIN;

    case SSL_ERROR_ZERO_RETURN:
        return 0;

    case SSL_ERROR_SYSCALL: {
        int sys_error = errno;
        if (ERR_peek_error()) {
            log_openssl_errors(s->stream.name);
            return EPROTO;
        }
        if (ret == 0 || !sys_error) {
            /* EOF without close_notify: treat as a plain close. */
            return 0;
        }
        VLOG_WARN_RL(&rl, "%s: %s: %s", s->stream.name, function,
                     plx_strerror(sys_error));
        return sys_error;
    }

    case SSL_ERROR_SSL:
    default: {
        long verify = SSL_get_verify_result(s->ssl);
        unsigned long err = ERR_peek_error();
        char buf[256] = "";

        if (err) {
            ERR_error_string_n(err, buf, sizeof buf);
        }
        if (verify != X509_V_OK) {
            VLOG_WARN_RL(&rl, "%s: peer certificate verification failed: "
                         "%s", s->stream.name,
                         X509_verify_cert_error_string(verify));
        } else {
            VLOG_WARN_RL(&rl, "%s: %s failed: %s", s->stream.name,
                         function, buf[0] ? buf : "protocol error");
        }
        ERR_clear_error();
        return EPROTO;
    }
    }
}

static int
ssl_connect(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->state == STATE_TCP_CONNECTING) {
        int retval = check_connection_completion(s->fd);
        if (retval) {
            return retval;
        }
        s->state = STATE_SSL_CONNECTING;
    }

    ERR_clear_error();
    int ret = (s->type == CLIENT ? SSL_connect(s->ssl)
               : SSL_accept(s->ssl));
    if (ret != 1) {
        int want;
        int error = interpret_ssl_error(s, s->type == CLIENT
                                        ? "SSL_connect" : "SSL_accept",
                                        ret, &want);
        return error ? error : EPROTO;   /* EOF mid-handshake. */
    }

    /* The handshake verified the peer against our CA (SSL_VERIFY_PEER);
     * make sure a certificate was actually presented. */
    X509 *peer = SSL_get1_peer_certificate(s->ssl);
    if (!peer || SSL_get_verify_result(s->ssl) != X509_V_OK) {
        VLOG_WARN_RL(&rl, "%s: peer presented no valid certificate",
                     stream->name);
        X509_free(peer);
        return EPROTO;
    }
    if (VLOG_IS_DBG_ENABLED()) {
        char subject[256];
        X509_NAME_oneline(X509_get_subject_name(peer), subject,
                          sizeof subject);
        VLOG_DBG("%s: %s with %s, peer %s", stream->name,
                 SSL_get_version(s->ssl), SSL_get_cipher_name(s->ssl),
                 subject);
    }
    X509_free(peer);
    return 0;
}

static void
ssl_clear_txbuf(struct ssl_stream *s)
{
    free(s->txbuf);
    s->txbuf = NULL;
    s->tx_ofs = s->tx_len = 0;
}

static void
ssl_close(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    /* Best effort close_notify; nonblocking, so it may not go out. */
    ERR_clear_error();
    if (stream->state == SCS_CONNECTED) {
        SSL_shutdown(s->ssl);
    }
    ERR_clear_error();
    SSL_free(s->ssl);
    close(s->fd);
    ssl_clear_txbuf(s);
    free(s);
}

static ssize_t
ssl_recv(struct stream *stream, void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    int ret;

    ERR_clear_error();
    s->rx_want = SSL_NOTHING;
    ret = SSL_read(s->ssl, buffer, MIN(n, INT_MAX));
    if (ret > 0) {
        return ret;
    }
    int error = interpret_ssl_error(s, "SSL_read", ret, &s->rx_want);
    return error ? -error : 0;
}

/* Pushes 'txbuf' into SSL_write().  Returns 0 when all is written,
 * EAGAIN if some remains, else an errno value. */
static int
ssl_do_tx(struct ssl_stream *s)
{
    while (s->tx_ofs < s->tx_len) {
        ERR_clear_error();
        int ret = SSL_write(s->ssl, s->txbuf + s->tx_ofs,
                            s->tx_len - s->tx_ofs);
        if (ret <= 0) {
            int error = interpret_ssl_error(s, "SSL_write", ret,
                                            &s->tx_want);
            return error ? error : EPIPE;
        }
        s->tx_ofs += ret;
    }
    s->tx_want = SSL_NOTHING;
    return 0;
}

static ssize_t
ssl_send(struct stream *stream, const void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->txbuf) {
        return -EAGAIN;
    }
    n = MIN(n, SSL_MAX_TX);
    s->txbuf = xmemdup(buffer, n);
    s->tx_ofs = 0;
    s->tx_len = n;

    int error = ssl_do_tx(s);
    if (!error) {
        ssl_clear_txbuf(s);
    } else if (error != EAGAIN) {
        ssl_clear_txbuf(s);
        return -error;
    }
    return n;
}

static void
ssl_run(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->txbuf && ssl_do_tx(s) != EAGAIN) {
        /* Done, or failed: a failure shows up on the next recv. */
        ssl_clear_txbuf(s);
    }
}

static short int
want_to_poll_events(int want)
{
    switch (want) {
    case SSL_READING:
        return POLLIN;
    case SSL_WRITING:
        return POLLOUT;
    default:
        return POLLIN | POLLOUT;
    }
}

static void
ssl_run_wait(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->txbuf) {
        poll_fd_wait(s->fd, want_to_poll_events(s->tx_want));
    }
}

static void
ssl_wait(struct stream *stream, enum stream_wait_type wait)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    switch (wait) {
    case STREAM_CONNECT:
        if (s->state == STATE_TCP_CONNECTING) {
            poll_fd_wait(s->fd, POLLOUT);
        } else {
            /* The last SSL_connect() or SSL_accept() said what it
             * needs. */
            int want = SSL_want(s->ssl);
            if (want == SSL_NOTHING) {
                poll_immediate_wake();
            } else {
                poll_fd_wait(s->fd, want_to_poll_events(want));
            }
        }
        break;

    case STREAM_RECV:
        if (SSL_pending(s->ssl) || s->rx_want == SSL_NOTHING) {
            /* Data already decrypted, or we have not tried yet. */
            poll_immediate_wake();
        } else {
            poll_fd_wait(s->fd, want_to_poll_events(s->rx_want));
        }
        break;

    case STREAM_SEND:
        if (!s->txbuf) {
            poll_immediate_wake();
        }
        /* Otherwise ssl_run_wait() waits for the flush. */
        break;

    default:
        PLX_NOT_REACHED();
    }
}

static char *
ssl_get_peer_address(const struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    struct sockaddr_storage ss;

    return get_peer_address(s->fd, &ss) ? NULL : ss_format_address_port(&ss);
}

static const struct stream_class ssl_conn_class = {
    .name = "ssl",
    .needs_probes = true,
    .open = NULL,
    .close = ssl_close,
    .connect = ssl_connect,
    .recv = ssl_recv,
    .send = ssl_send,
    .run = ssl_run,
    .run_wait = ssl_run_wait,
    .wait = ssl_wait,
    .get_peer_address = ssl_get_peer_address,
};

const struct stream_class ssl_stream_class = {
    .name = "ssl",
    .needs_probes = true,
    .open = ssl_open,
};

/* Listeners. */

static int
pssl_accept(int fd, const struct sockaddr_storage *ss,
            socklen_t ss_len PLX_UNUSED, struct stream **streamp)
{
    char *peer = ss_format_address_port(ss);
    char *name = xasprintf("ssl:%s", peer);

    free(peer);
    setsockopt_tcp_nodelay(fd);
    if (!ssl_config_ok(name)) {
        close(fd);
        free(name);
        return EPROTO;
    }
    return new_ssl_stream(name, fd, SERVER, STATE_SSL_CONNECTING, EAGAIN,
                          streamp);
}

static int
pssl_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    if (!ssl_config_ok(name)) {
        return EPROTO;
    }
    return new_inet_pstream("pssl", name, suffix, pssl_accept, pstreamp);
}

const struct pstream_class pssl_pstream_class = {
    .name = "pssl",
    .needs_probes = true,
    .listen = pssl_listen,
};
