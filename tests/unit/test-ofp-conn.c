/* Tests for lib/ofp-conn over unix sockets: version negotiation (1.0,
 * 1.3, none in common), echo handling, wrong versions, framing errors,
 * inactivity probes and their timeout, the bounded backlog, and the
 * reconnecting session (active and passive).  A "raw" peer is a plain
 * stream that writes hand-made bytes and frames what comes back, so the
 * tests see exactly what the connection puts on the wire. */
#include <config.h>
#include "ofp-conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include "ofp-msgs.h"
#include "poll-loop.h"
#include "stream.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

/* ---- Plumbing. ---- */

struct pair {
    struct stream *client;
    struct stream *server;
};

static char *
sock_name(const char *prefix)
{
    return xasprintf("%s:%s/of.sock", prefix, test_tmpdir());
}

static void
make_pair(struct pair *p)
{
    char *pname = sock_name("punix");
    char *aname = sock_name("unix");
    struct pstream *ps;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    CHECK_EQ(pstream_open(pname, &ps), 0);
    CHECK_EQ(stream_open(aname, &p->client), 0);
    CHECK_EQ(pstream_accept_block(ps, &p->server), 0);
    pstream_close(ps);
    free(pname);
    free(aname);
}

struct raw {
    struct stream *stream;
    struct ofpmsg_framer *framer;
    bool eof;
};

static void
raw_init(struct raw *r, struct stream *stream)
{
    r->stream = stream;
    r->framer = ofpmsg_framer_create(0);
    r->eof = false;
}

static void
raw_destroy(struct raw *r)
{
    stream_close(r->stream);
    ofpmsg_framer_destroy(r->framer);
}

static void
raw_send(struct raw *r, const void *data, size_t n)
{
    long long int deadline = time_msec() + 5000;
    size_t ofs = 0;

    while (ofs < n) {
        int retval = stream_send(r->stream, (const char *) data + ofs,
                                 n - ofs);
        if (retval > 0) {
            ofs += retval;
        } else {
            CHECK_EQ(retval, -EAGAIN);
            CHECK_LT(time_msec(), deadline);
            stream_send_wait(r->stream);
            poll_block();
        }
    }
}

static void
raw_send_msg(struct raw *r, struct ofpmsg *msg)
{
    raw_send(r, msg->data, msg->size);
    ofpmsg_delete(msg);
}

/* Runs CONN (may be NULL) and reads from R until R has a whole message
 * or TIMEOUT_MS passes; returns the message or NULL (r->eof on EOF).
 * Messages CONN receives are appended to *GOT (may be NULL). */
static struct ofpmsg *
raw_recv(struct raw *r, struct ofpconn *conn, int timeout_ms,
         struct plx_list *got)
{
    long long int deadline = time_msec() + timeout_ms;

    for (;;) {
        struct ofpmsg *msg;
        uint8_t buf[4096];

        if (conn) {
            struct ofpmsg *in;
            ofpconn_run(conn);
            while (!ofpconn_recv(conn, &in)) {
                if (got) {
                    plx_list_push_back(got, &in->list_node);
                } else {
                    ofpmsg_delete(in);
                }
            }
            ofpconn_run(conn);
        }
        if (!ofpmsg_framer_next(r->framer, &msg)) {
            return msg;
        }
        int n = stream_recv(r->stream, buf, sizeof buf);
        if (n > 0) {
            ofpmsg_framer_feed(r->framer, buf, n);
            continue;
        } else if (n != -EAGAIN) {
            r->eof = true;
            return NULL;
        }
        if (time_msec() >= deadline) {
            return NULL;
        }
        if (conn) {
            ofpconn_wait(conn);
            ofpconn_recv_wait(conn);
        }
        stream_recv_wait(r->stream);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static uint8_t
msg_type(const struct ofpmsg *msg)
{
    return ofpmsg_header(msg)->type;
}

/* Receives the connection's HELLO on R and answers with HELLO. */
static void
raw_handshake(struct raw *r, struct ofpconn *conn, struct ofpmsg *hello)
{
    struct ofpmsg *msg = raw_recv(r, conn, 5000, NULL);

    CHECK(msg != NULL);
    CHECK_EQ(msg_type(msg), OFPT10_HELLO);
    ofpmsg_delete(msg);
    raw_send_msg(r, hello);
}

/* Runs both connections until both have negotiated or failed. */
static void
run_two(struct ofpconn *a, struct ofpconn *b, int timeout_ms)
{
    long long int deadline = time_msec() + timeout_ms;
    struct ofpconn *conns[2] = { a, b };

    while (time_msec() < deadline) {
        bool done = true;

        for (int i = 0; i < 2; i++) {
            struct ofpmsg *msg;

            ofpconn_run(conns[i]);
            while (!ofpconn_recv(conns[i], &msg)) {
                ofpmsg_delete(msg);
            }
            ofpconn_run(conns[i]);
            if (!ofpconn_get_status(conns[i])
                && !ofpconn_get_version(conns[i])) {
                done = false;
            }
        }
        if (done) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            ofpconn_wait(conns[i]);
            ofpconn_recv_wait(conns[i]);
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* ---- Negotiation. ---- */

static void
negotiate(uint32_t va, uint32_t vb, uint8_t expect)
{
    struct pair p;

    make_pair(&p);
    struct ofpconn *a = ofpconn_open(p.client, va);
    struct ofpconn *b = ofpconn_open(p.server, vb);

    CHECK_EQ(ofpconn_get_probe_interval(a), 0);     /* unix: none */
    run_two(a, b, 5000);
    if (expect) {
        CHECK_EQ(ofpconn_get_status(a), 0);
        CHECK_EQ(ofpconn_get_status(b), 0);
        CHECK_EQ(ofpconn_get_version(a), expect);
        CHECK_EQ(ofpconn_get_version(b), expect);
        CHECK_EQ(ofpconn_get_peer_versions(a),
                 vb ? vb : OFP_SUPPORTED_VERSIONS);
    } else {
        CHECK_EQ(ofpconn_get_status(a), EPROTO);
        CHECK_EQ(ofpconn_get_status(b), EPROTO);
        CHECK_EQ(ofpconn_get_version(a), 0);
    }
    ofpconn_close(a);
    ofpconn_close(b);
}

TEST(negotiate_13)
{
    negotiate(0, 0, OFP13_VERSION);
}

TEST(negotiate_10)
{
    negotiate(OFP_SUPPORTED_VERSIONS, OFP_VERSION_BIT(OFP10_VERSION),
              OFP10_VERSION);
    negotiate(OFP_VERSION_BIT(OFP10_VERSION), 0, OFP10_VERSION);
}

TEST(negotiate_mismatch)
{
    negotiate(OFP_VERSION_BIT(OFP10_VERSION),
              OFP_VERSION_BIT(OFP13_VERSION), 0);
}

/* A plain 1.2 HELLO (no bitmap) means 1.0..1.2: 1.0 is chosen. */
TEST(negotiate_plain_hello)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    struct ofpmsg *hello = ofputil_encode_hello(0x0e);
    CHECK_EQ(hello->size, 8);
    raw_handshake(&r, conn, hello);
    raw_recv(&r, conn, 100, NULL);
    CHECK_EQ(ofpconn_get_version(conn), OFP10_VERSION);
    CHECK_EQ(ofpconn_get_status(conn), 0);
    ofpconn_close(conn);
    raw_destroy(&r);
}

/* A 1.5-only peer gets HELLO_FAILED/INCOMPATIBLE with text, in its own
 * version, then the connection closes. */
TEST(negotiate_incompatible_error)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    struct ofpmsg *hello = ofputil_encode_hello(OFP_VERSION_BIT(0x06));
    raw_handshake(&r, conn, hello);

    struct ofpmsg *msg = raw_recv(&r, conn, 5000, NULL);
    CHECK(msg != NULL);
    CHECK_EQ(msg_type(msg), OFPT10_ERROR);
    CHECK_EQ(ofpmsg_header(msg)->version, 0x06);
    const struct ofp_error_msg *em = (void *) (ofpmsg_header(msg) + 1);
    CHECK_EQ(ntohs(em->type), 0);               /* OFPET_HELLO_FAILED */
    CHECK_EQ(ntohs(em->code), 0);               /* OFPHFC_INCOMPATIBLE */
    CHECK_GT(msg->size, 12);
    ofpmsg_delete(msg);
    for (int i = 0; i < 100 && !ofpconn_get_status(conn); i++) {
        CHECK(!raw_recv(&r, conn, 50, NULL));
    }
    CHECK_EQ(ofpconn_get_status(conn), EPROTO);
    ofpconn_close(conn);
    raw_destroy(&r);
}

TEST(message_before_hello)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_header_only(
                      OFPTYPE_FEATURES_REQUEST, OFP13_VERSION, 1));
    struct ofpmsg *msg = raw_recv(&r, conn, 5000, NULL);
    CHECK(msg != NULL);
    CHECK_EQ(msg_type(msg), OFPT10_ERROR);
    const struct ofp_error_msg *em = (void *) (ofpmsg_header(msg) + 1);
    CHECK_EQ(ntohs(em->type), 0);               /* OFPET_HELLO_FAILED */
    ofpmsg_delete(msg);
    raw_recv(&r, conn, 200, NULL);
    CHECK_EQ(ofpconn_get_status(conn), EPROTO);
    ofpconn_close(conn);
    raw_destroy(&r);
}

/* ---- Echo, wrong version, framing. ---- */

TEST(echo_answered_and_hidden)
{
    struct pair p;
    struct raw r;
    struct plx_list got;

    plx_list_init(&got);
    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));

    raw_send_msg(&r, ofputil_encode_echo_request(OFP13_VERSION, 77,
                                                 "ping", 4));
    struct ofpmsg *msg = raw_recv(&r, conn, 5000, &got);
    CHECK(msg != NULL);
    CHECK_EQ(msg_type(msg), OFPT13_ECHO_REPLY);
    CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 77);
    CHECK_EQ(msg->size, 12);
    CHECK_MEMEQ(msg->data + 8, "ping", 4);
    ofpmsg_delete(msg);

    /* An echo reply is swallowed; a barrier request is delivered. */
    raw_send_msg(&r, ofputil_encode_echo_request(OFP13_VERSION, 1, "", 0));
    struct ofpmsg *reply = ofputil_encode_echo_request(OFP13_VERSION, 2,
                                                       "", 0);
    reply->data[1] = OFPT13_ECHO_REPLY;
    raw_send_msg(&r, reply);
    raw_send_msg(&r, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                                OFP13_VERSION, 3));
    msg = raw_recv(&r, conn, 5000, &got);       /* Echo reply to xid 1. */
    CHECK(msg != NULL);
    ofpmsg_delete(msg);
    CHECK(!raw_recv(&r, conn, 200, &got));
    CHECK(plx_list_is_singleton(&got));
    msg = CONTAINER_OF(plx_list_front(&got), struct ofpmsg, list_node);
    CHECK_EQ(msg_type(msg), OFPT13_BARRIER_REQUEST);
    CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 3);
    ofpmsg_list_delete(&got);
    CHECK_EQ(ofpconn_get_status(conn), 0);
    ofpconn_close(conn);
    raw_destroy(&r);
}

TEST(wrong_version_gets_error_and_continues)
{
    struct pair p;
    struct raw r;
    struct plx_list got;

    plx_list_init(&got);
    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));

    raw_send_msg(&r, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                                OFP10_VERSION, 55));
    struct ofpmsg *msg = raw_recv(&r, conn, 5000, &got);
    CHECK(msg != NULL);
    enum ofperr error;
    const void *data;
    size_t n;
    CHECK_EQ(ofpmsg_header(msg)->version, OFP13_VERSION);
    CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL, NULL,
                                  &data, &n), 0);
    CHECK_EQ(error, OFPERR_OFPBRC_BAD_VERSION);
    CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 55);
    CHECK_EQ(n, 8);
    ofpmsg_delete(msg);

    /* Still working. */
    raw_send_msg(&r, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                                OFP13_VERSION, 56));
    raw_recv(&r, conn, 200, &got);
    CHECK(plx_list_is_singleton(&got));
    CHECK_EQ(ofpconn_get_status(conn), 0);

    /* The owner answers what it cannot decode. */
    msg = CONTAINER_OF(plx_list_front(&got), struct ofpmsg, list_node);
    CHECK_EQ(ofpconn_send_error(conn, OFPERR_OFPBRC_BAD_TYPE, msg->data,
                                msg->size), 0);
    ofpmsg_list_delete(&got);
    msg = raw_recv(&r, conn, 5000, NULL);
    CHECK(msg != NULL);
    CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL, NULL,
                                  &data, &n), 0);
    CHECK_EQ(error, OFPERR_OFPBRC_BAD_TYPE);
    ofpmsg_delete(msg);
    ofpconn_close(conn);
    raw_destroy(&r);
}

TEST(framing_error_disconnects_with_error)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));
    raw_send(&r, "\x04\x14\x00\x04\0\0\0\0", 8);

    struct ofpmsg *msg = raw_recv(&r, conn, 5000, NULL);
    CHECK(msg != NULL);
    enum ofperr error;
    const void *data;
    size_t n;
    CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL, NULL,
                                  &data, &n), 0);
    CHECK_EQ(error, OFPERR_OFPBRC_BAD_LEN);
    ofpmsg_delete(msg);
    raw_recv(&r, conn, 200, NULL);
    CHECK_EQ(ofpconn_get_status(conn), EPROTO);
    struct ofpmsg *m2 = NULL;
    CHECK_EQ(ofpconn_recv(conn, &m2), EPROTO);
    CHECK_EQ(ofpconn_send(conn, ofputil_encode_echo_request(
                              OFP13_VERSION, 1, "", 0)), EPROTO);
    ofpconn_close(conn);
    raw_destroy(&r);
}

TEST(peer_close_is_eof)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));
    raw_recv(&r, conn, 100, NULL);
    raw_destroy(&r);

    long long int deadline = time_msec() + 5000;
    struct ofpmsg *msg;
    while (ofpconn_recv(conn, &msg) == EAGAIN && time_msec() < deadline) {
        ofpconn_recv_wait(conn);
        poll_block();
    }
    CHECK_EQ(ofpconn_get_status(conn), EOF);
    ofpconn_close(conn);
}

/* ---- Probes. ---- */

TEST(probe_timeout)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    ofpconn_set_probe_interval(conn, 150);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));

    /* The raw peer stays silent: a probe comes, then the timeout. */
    long long int start = time_msec();
    struct ofpmsg *msg = raw_recv(&r, conn, 5000, NULL);
    CHECK(msg != NULL);
    CHECK_EQ(msg_type(msg), OFPT13_ECHO_REQUEST);
    CHECK_GE(time_msec() - start, 100);
    ofpmsg_delete(msg);
    while (!ofpconn_get_status(conn) && time_msec() < start + 5000) {
        raw_recv(&r, conn, 50, NULL);
    }
    CHECK_EQ(ofpconn_get_status(conn), ETIMEDOUT);
    CHECK_GE(time_msec() - start, 250);
    ofpconn_close(conn);
    raw_destroy(&r);
}

TEST(probes_answered_keep_alive)
{
    struct pair p;

    make_pair(&p);
    struct ofpconn *a = ofpconn_open(p.client, 0);
    struct ofpconn *b = ofpconn_open(p.server, 0);
    ofpconn_set_probe_interval(a, 50);
    run_two(a, b, 5000);
    CHECK_EQ(ofpconn_get_version(a), OFP13_VERSION);

    /* Only 'a' probes; 'b' answers; 500 ms is ten probe intervals. */
    long long int end = time_msec() + 500;
    unsigned long long rx_b = ofpconn_get_rx_msgs(b);
    while (time_msec() < end) {
        struct ofpmsg *msg;
        ofpconn_run(a);
        ofpconn_run(b);
        CHECK(ofpconn_recv(a, &msg) == EAGAIN);
        CHECK(ofpconn_recv(b, &msg) == EAGAIN);
        ofpconn_wait(a);
        ofpconn_wait(b);
        ofpconn_recv_wait(a);
        ofpconn_recv_wait(b);
        poll_timer_wait_until(end);
        poll_block();
    }
    CHECK_EQ(ofpconn_get_status(a), 0);
    CHECK_EQ(ofpconn_get_status(b), 0);
    CHECK_GE(ofpconn_get_rx_msgs(b) - rx_b, 4);     /* Echo requests. */
    ofpconn_close(a);
    ofpconn_close(b);
}

/* ---- Backlog. ---- */

TEST(backlog_limits)
{
    struct pair p;
    struct raw r;

    make_pair(&p);
    raw_init(&r, p.client);
    struct ofpconn *conn = ofpconn_open(p.server, 0);
    raw_handshake(&r, conn, ofputil_encode_hello(OFP_SUPPORTED_VERSIONS));
    raw_recv(&r, conn, 50, NULL);
    ofpconn_set_backlog_limit(conn, 20, 0);

    /* The raw peer does not read: big messages fill the socket, then the
     * queue.  Limited sends are dropped first, then the hard limit. */
    static uint8_t payload[60000];
    int error = 0, n_sent = 0;
    while (!error && n_sent < 10000) {
        struct ofpmsg *m = ofputil_encode_echo_request(
            OFP13_VERSION, n_sent, payload, sizeof payload);
        if (ofpconn_get_backlog_msgs(conn) >= 10) {
            CHECK_EQ(ofpconn_send_limited(conn, m, 10), EAGAIN);
            CHECK_GT(ofpconn_get_n_dropped(conn), 0);
            CHECK_EQ(ofpconn_get_status(conn), 0);
            m = ofputil_encode_echo_request(OFP13_VERSION, n_sent, payload,
                                            sizeof payload);
        }
        error = ofpconn_send(conn, m);
        ofpconn_run(conn);
        n_sent++;
    }
    CHECK_EQ(error, ENOBUFS);
    CHECK_EQ(ofpconn_get_status(conn), ENOBUFS);
    CHECK_EQ(ofpconn_get_backlog_msgs(conn), 0);
    CHECK_EQ(ofpconn_get_backlog_bytes(conn), 0);
    ofpconn_close(conn);
    raw_destroy(&r);
}

/* Many small messages are all delivered, in order, split across
 * writes. */
TEST(many_messages_in_order)
{
    struct pair p;

    make_pair(&p);
    struct ofpconn *a = ofpconn_open(p.client, 0);
    struct ofpconn *b = ofpconn_open(p.server, 0);
    run_two(a, b, 5000);

    const int n = 5000;
    for (int i = 0; i < n; i++) {
        CHECK_EQ(ofpconn_send(a, ofputil_encode_header_only(
                                  OFPTYPE_BARRIER_REQUEST, OFP13_VERSION,
                                  i + 1)), 0);
    }
    long long int deadline = time_msec() + 10000;
    int next = 1;
    while (next <= n && time_msec() < deadline) {
        struct ofpmsg *msg;
        ofpconn_run(a);
        while (!ofpconn_recv(b, &msg)) {
            CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), next);
            next++;
            ofpmsg_delete(msg);
        }
        ofpconn_wait(a);
        ofpconn_recv_wait(b);
        if (next <= n) {
            poll_timer_wait_until(deadline);
            poll_block();
        }
    }
    CHECK_EQ(ofpconn_get_status(a), 0);
    CHECK_EQ(ofpconn_get_status(b), 0);
    CHECK_EQ(ofpconn_get_backlog_msgs(a), 0);
    CHECK_EQ(next, n + 1);
    CHECK_EQ(ofpconn_get_backlog_msgs(a), 0);
    ofpconn_close(a);
    ofpconn_close(b);
}

/* ---- Sessions. ---- */

static void
run_sessions(struct ofpconn_session *a, struct ofpconn_session *b,
             int timeout_ms, bool (*done)(void *), void *aux)
{
    long long int deadline = time_msec() + timeout_ms;

    while (time_msec() < deadline) {
        ofpconn_session_run(a);
        ofpconn_session_run(b);
        if (done(aux)) {
            break;
        }
        ofpconn_session_wait(a);
        ofpconn_session_wait(b);
        ofpconn_session_recv_wait(a);
        ofpconn_session_recv_wait(b);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

struct two_sessions {
    struct ofpconn_session *a, *b;
    unsigned int seqno;
};

static bool
both_connected(void *ts_)
{
    struct two_sessions *ts = ts_;
    return (ofpconn_session_is_connected(ts->a)
            && ofpconn_session_is_connected(ts->b)
            && ofpconn_session_get_seqno(ts->a) != ts->seqno);
}

TEST(session_connect_send_reconnect)
{
    char *pname = sock_name("punix");
    char *aname = sock_name("unix");
    struct two_sessions ts;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    ts.b = ofpconn_session_open(pname, 0, true);
    ts.a = ofpconn_session_open(aname, OFP_VERSION_BIT(OFP10_VERSION),
                                true);
    ofpconn_session_set_backoff(ts.a, 50, 100);
    ts.seqno = ofpconn_session_get_seqno(ts.a);
    CHECK(!ofpconn_session_is_connected(ts.a));
    CHECK_EQ(ofpconn_session_send(ts.a, ofputil_encode_header_only(
                                      OFPTYPE_BARRIER_REQUEST,
                                      OFP10_VERSION, 1)), ENOTCONN);

    run_sessions(ts.a, ts.b, 5000, both_connected, &ts);
    CHECK(both_connected(&ts));
    CHECK_EQ(ofpconn_session_get_version(ts.a), OFP10_VERSION);
    CHECK_EQ(ofpconn_session_get_version(ts.b), OFP10_VERSION);
    CHECK(ofpconn_session_is_alive(ts.a));

    /* A message through. */
    CHECK_EQ(ofpconn_session_send(ts.a, ofputil_encode_header_only(
                                      OFPTYPE_BARRIER_REQUEST,
                                      OFP10_VERSION, 9)), 0);
    struct ofpmsg *msg = NULL;
    long long int deadline = time_msec() + 5000;
    while (!msg && time_msec() < deadline) {
        ofpconn_session_run(ts.a);
        ofpconn_session_run(ts.b);
        msg = ofpconn_session_recv(ts.b);
        if (!msg) {
            ofpconn_session_wait(ts.a);
            ofpconn_session_wait(ts.b);
            ofpconn_session_recv_wait(ts.b);
            poll_block();
        }
    }
    CHECK(msg != NULL);
    CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), 9);
    ofpmsg_delete(msg);

    /* Forced reconnect: disconnects, then connects again. */
    ts.seqno = ofpconn_session_get_seqno(ts.a);
    ofpconn_session_force_reconnect(ts.a);
    ofpconn_session_run(ts.a);
    CHECK(!ofpconn_session_is_connected(ts.a));
    run_sessions(ts.a, ts.b, 5000, both_connected, &ts);
    CHECK(both_connected(&ts));
    CHECK_GT(ofpconn_session_get_seqno(ts.a), ts.seqno);

    ofpconn_session_close(ts.a);
    ofpconn_session_close(ts.b);
    free(pname);
    free(aname);
}

static bool
gave_up(void *s_)
{
    return !ofpconn_session_is_alive(s_);
}

TEST(session_no_retry_gives_up)
{
    char *aname = sock_name("unix");        /* Nobody listens. */
    struct ofpconn_session *s = ofpconn_session_open(aname, 0, false);
    struct ofpconn_session *idle = ofpconn_session_open(aname, 0, false);

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    run_sessions(s, idle, 5000, gave_up, s);
    CHECK(!ofpconn_session_is_alive(s));
    CHECK(ofpconn_session_get_last_error(s) != 0);
    ofpconn_session_close(s);
    ofpconn_session_close(idle);
    free(aname);
}

/* One main-loop iteration of S and, if PEER is nonnull, that connection,
 * discarding whatever either receives. */
static void
run_session_once(struct ofpconn_session *s, struct ofpconn *peer)
{
    struct ofpmsg *msg;

    ofpconn_session_run(s);
    ofpmsg_delete(ofpconn_session_recv(s));
    if (peer) {
        ofpconn_run(peer);
        if (!ofpconn_recv(peer, &msg)) {
            ofpmsg_delete(msg);
        }
        ofpconn_wait(peer);
        ofpconn_recv_wait(peer);
    }
    ofpconn_session_wait(s);
    ofpconn_session_recv_wait(s);
    poll_timer_wait(50);
    poll_block();
}

/* Runs S (and PEER, if nonnull) until DONE holds or 5 s pass. */
#define RUN_SESSION_UNTIL(S, PEER, DONE)                              \
    do {                                                              \
        long long int deadline__ = time_msec() + 5000;                \
        while (!(DONE)) {                                             \
            CHECK_MSG(time_msec() < deadline__, "timed out: %s",      \
                      #DONE);                                         \
            run_session_once(S, PEER);                                \
        }                                                             \
    } while (0)

/* The state getter tells each step of an active session apart: a connect
 * in progress, a connected stream, and the wait between attempts; and the
 * seqno moves when the version is negotiated, not only on connect. */
TEST(session_state_active)
{
    char *pname = sock_name("punix");
    char *aname = sock_name("unix");
    struct ofpconn *server = NULL;
    struct pstream *ps;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    CHECK_EQ(pstream_open(pname, &ps), 0);

    struct ofpconn_session *s = ofpconn_session_open(aname, 0, true);
    ofpconn_session_set_backoff(s, 1000, 1000);
    CHECK_STREQ(ofpconn_session_get_state(s), "BACKOFF");

    /* The first run starts a connection attempt, which the next run
     * completes (a unix connect succeeds once the listener exists). */
    ofpconn_session_run(s);
    CHECK_STREQ(ofpconn_session_get_state(s), "CONNECTING");
    CHECK(!ofpconn_session_get_conn(s));
    CHECK(ofpconn_session_is_alive(s));
    RUN_SESSION_UNTIL(s, NULL, ofpconn_session_get_conn(s) != NULL);
    CHECK_STREQ(ofpconn_session_get_state(s), "ACTIVE");

    /* Connected, but the peer has not said HELLO: not yet connected in
     * the OpenFlow sense, and sends are refused. */
    CHECK(!ofpconn_session_is_connected(s));
    CHECK_EQ(ofpconn_session_get_version(s), 0);
    CHECK_EQ(ofpconn_session_send(s, ofputil_encode_header_only(
                                      OFPTYPE_BARRIER_REQUEST,
                                      OFP13_VERSION, 1)), ENOTCONN);
    unsigned int seqno = ofpconn_session_get_seqno(s);

    struct stream *stream;
    CHECK_EQ(pstream_accept_block(ps, &stream), 0);
    server = ofpconn_open(stream, OFP_VERSION_BIT(OFP13_VERSION));
    RUN_SESSION_UNTIL(s, server, ofpconn_session_is_connected(s));
    CHECK_EQ(ofpconn_session_get_version(s), OFP13_VERSION);
    CHECK_NE(ofpconn_session_get_seqno(s), seqno);
    CHECK_STREQ(ofpconn_session_get_state(s), "ACTIVE");

    /* The peer and its listener go away: the session waits between
     * attempts, remembering why the connection ended. */
    seqno = ofpconn_session_get_seqno(s);
    ofpconn_close(server);
    pstream_close(ps);
    RUN_SESSION_UNTIL(s, NULL, !ofpconn_session_get_conn(s));
    CHECK_STREQ(ofpconn_session_get_state(s), "BACKOFF");
    CHECK_EQ(ofpconn_session_get_last_error(s), EOF);
    CHECK_NE(ofpconn_session_get_seqno(s), seqno);
    CHECK(ofpconn_session_is_alive(s));

    /* Attempts now fail at once (nobody listens), and each changes the
     * seqno while the session keeps trying. */
    seqno = ofpconn_session_get_seqno(s);
    RUN_SESSION_UNTIL(s, NULL, ofpconn_session_get_seqno(s) != seqno);
    RUN_SESSION_UNTIL(s, NULL, ofpconn_session_get_last_error(s) != EOF);
    CHECK_EQ(ofpconn_session_get_last_error(s), ENOENT);
    CHECK_STREQ(ofpconn_session_get_state(s), "BACKOFF");
    CHECK(ofpconn_session_is_alive(s));

    ofpconn_session_close(s);
    free(pname);
    free(aname);
}

/* A passive session reports LISTENING, then ACTIVE once it has a
 * connection, and a newer connection replaces the older one. */
TEST(session_state_passive)
{
    char *pname = sock_name("punix");
    char *aname = sock_name("unix");
    struct ofpconn *c1, *c2;
    struct stream *stream;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    struct ofpconn_session *s = ofpconn_session_open(pname, 0, true);
    ofpconn_session_run(s);
    CHECK_STREQ(ofpconn_session_get_state(s), "LISTENING");
    CHECK(!ofpconn_session_get_conn(s));
    CHECK(ofpconn_session_is_alive(s));

    CHECK_EQ(stream_open_block(stream_open(aname, &stream), 5000, &stream),
             0);
    c1 = ofpconn_open(stream, 0);
    RUN_SESSION_UNTIL(s, c1, ofpconn_session_is_connected(s));
    CHECK_STREQ(ofpconn_session_get_state(s), "ACTIVE");
    struct ofpconn *first = ofpconn_session_get_conn(s);

    unsigned int seqno = ofpconn_session_get_seqno(s);
    CHECK_EQ(stream_open_block(stream_open(aname, &stream), 5000, &stream),
             0);
    c2 = ofpconn_open(stream, 0);
    RUN_SESSION_UNTIL(s, c2, (ofpconn_session_get_seqno(s) != seqno
                              && ofpconn_session_is_connected(s)));
    CHECK(ofpconn_session_get_conn(s) != first);
    CHECK_STREQ(ofpconn_session_get_state(s), "ACTIVE");

    /* The replaced client sees its connection end. */
    RUN_SESSION_UNTIL(s, c1, ofpconn_get_status(c1) != 0);
    CHECK_EQ(ofpconn_get_status(c1), EOF);

    ofpconn_close(c1);
    ofpconn_close(c2);
    ofpconn_session_close(s);
    free(pname);
    free(aname);
}

/* Failing to listen is a connection error like any other: it is kept as
 * the last error and the session backs off and tries again. */
TEST(session_listen_failure)
{
    char *pname = xasprintf("punix:%s/no/such/dir/of.sock", test_tmpdir());

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    struct ofpconn_session *s = ofpconn_session_open(pname, 0, true);
    ofpconn_session_run(s);
    CHECK_EQ(ofpconn_session_get_last_error(s), ENOENT);
    CHECK_STREQ(ofpconn_session_get_state(s), "BACKOFF");
    CHECK(ofpconn_session_is_alive(s));
    CHECK(!ofpconn_session_is_connected(s));
    ofpconn_session_close(s);
    free(pname);

    /* Without retry, failed attempts end the session for good. */
    char *aname = sock_name("unix");
    s = ofpconn_session_open(aname, 0, false);
    ofpconn_session_set_backoff(s, 1000, 1000);
    RUN_SESSION_UNTIL(s, NULL,
                      !ofpconn_session_is_alive(s));
    CHECK_EQ(ofpconn_session_get_last_error(s), ENOENT);
    CHECK(!ofpconn_session_get_conn(s));
    ofpconn_session_close(s);
    free(aname);
}

/* The session's probe interval reaches every connection it makes (the
 * connection probes; reconnect does not). */
TEST(session_probe_interval_reaches_connections)
{
    char *pname = sock_name("punix");
    char *aname = sock_name("unix");
    struct pstream *ps;
    struct stream *stream;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    CHECK_EQ(pstream_open(pname, &ps), 0);
    struct ofpconn_session *s = ofpconn_session_open(aname, 0, true);
    ofpconn_session_set_probe_interval(s, 1234);
    RUN_SESSION_UNTIL(s, NULL, ofpconn_session_get_conn(s) != NULL);
    /* unix: no probes by default, but the session asked for them. */
    CHECK_EQ(ofpconn_get_probe_interval(ofpconn_session_get_conn(s)), 1234);
    ofpconn_session_set_probe_interval(s, -5);
    CHECK_EQ(ofpconn_get_probe_interval(ofpconn_session_get_conn(s)), 0);
    ofpconn_session_set_probe_interval(s, 2000);
    CHECK_EQ(ofpconn_get_probe_interval(ofpconn_session_get_conn(s)), 2000);

    CHECK_EQ(pstream_accept_block(ps, &stream), 0);
    stream_close(stream);
    pstream_close(ps);
    ofpconn_session_close(s);
    free(pname);
    free(aname);
}
