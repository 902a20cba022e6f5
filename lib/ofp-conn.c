/* OpenFlow connections and sessions: see ofp-conn.h. */
#include <config.h>
#include "ofp-conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "list.h"
#include "ofp-msgs.h"
#include "poll-loop.h"
#include "stream.h"
#include "stream-session.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofp_conn);

static struct vlog_rate_limit ofpconn_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Largest single write: several small messages are gathered into one. */
#define OFPCONN_GATHER_MAX 16384

struct ofpconn {
    struct stream *stream;
    char *name;
    uint32_t allowed_versions;
    uint8_t version;            /* Negotiated, or 0. */
    uint32_t peer_versions;     /* From the peer's HELLO, or 0. */

    int status;                 /* Sticky error, or 0. */
    int pending_error;          /* Becomes 'status' once output drains. */

    struct ofpmsg_framer *framer;
    struct plx_list input;      /* Received by ofpconn_run(), not yet by
                                 * ofpconn_recv(). */

    struct plx_list output;     /* struct ofpmsg, oldest first. */
    size_t front_ofs;           /* Bytes of the front message sent. */
    size_t backlog_msgs;
    size_t backlog_bytes;       /* Unsent bytes. */
    size_t max_backlog_msgs;
    size_t max_backlog_bytes;

    int probe_interval;         /* ms, 0: none. */
    long long int last_rx;      /* time_msec() of the last bytes read. */
    bool probe_pending;         /* Idle for a probe interval already. */
    long long int probe_time;   /* When 'probe_pending' became true. */

    unsigned long long n_dropped;
    unsigned long long rx_msgs;
};

static void ofpconn_flush(struct ofpconn *);

struct ofpconn *
ofpconn_open(struct stream *stream, uint32_t allowed_versions)
{
    struct ofpconn *conn = xzalloc(sizeof *conn);

    conn->stream = stream;
    conn->name = xstrdup(stream_get_name(stream));
    conn->allowed_versions = ((allowed_versions
                               ? allowed_versions : OFP_SUPPORTED_VERSIONS)
                              & OFP_SUPPORTED_VERSIONS);
    plx_assert(conn->allowed_versions);
    conn->framer = ofpmsg_framer_create(0);
    plx_list_init(&conn->output);
    plx_list_init(&conn->input);
    conn->max_backlog_msgs = OFPCONN_DEFAULT_MAX_BACKLOG_MSGS;
    conn->max_backlog_bytes = OFPCONN_DEFAULT_MAX_BACKLOG_BYTES;
    conn->probe_interval = (stream_or_pstream_needs_probes(conn->name)
                            ? OFPCONN_DEFAULT_PROBE_INTERVAL : 0);
    conn->last_rx = time_msec();

    ofpconn_send(conn, ofputil_encode_hello(conn->allowed_versions));
    return conn;
}

static void
ofpconn_clear_output(struct ofpconn *conn)
{
    ofpmsg_list_delete(&conn->output);
    conn->front_ofs = 0;
    conn->backlog_msgs = 0;
    conn->backlog_bytes = 0;
}

void
ofpconn_close(struct ofpconn *conn)
{
    if (conn) {
        stream_close(conn->stream);
        ofpmsg_framer_destroy(conn->framer);
        ofpconn_clear_output(conn);
        ofpmsg_list_delete(&conn->input);
        free(conn->name);
        free(conn);
    }
}

/* Makes ERROR the sticky status and drops the output queue. */
static void
ofpconn_fail(struct ofpconn *conn, int error)
{
    plx_assert(error);
    if (!conn->status) {
        conn->status = error;
        ofpconn_clear_output(conn);
    }
}

/* Queues MSG to be sent, then ERROR to become the status once it has
 * been (or cannot be) written.  Nothing more is received meanwhile. */
static void
ofpconn_fail_after(struct ofpconn *conn, struct ofpmsg *msg, int error)
{
    if (!conn->pending_error && !conn->status) {
        ofpconn_send(conn, msg);
        conn->pending_error = error;
        ofpconn_flush(conn);
    } else {
        ofpmsg_delete(msg);
    }
}

const char *
ofpconn_get_name(const struct ofpconn *conn)
{
    return conn->name;
}

int
ofpconn_get_status(const struct ofpconn *conn)
{
    return conn->status;
}

uint8_t
ofpconn_get_version(const struct ofpconn *conn)
{
    return conn->version;
}

uint32_t
ofpconn_get_peer_versions(const struct ofpconn *conn)
{
    return conn->peer_versions;
}

void
ofpconn_set_probe_interval(struct ofpconn *conn, int probe_interval)
{
    conn->probe_interval = MAX(probe_interval, 0);
    conn->probe_pending = false;
    conn->last_rx = time_msec();
}

int
ofpconn_get_probe_interval(const struct ofpconn *conn)
{
    return conn->probe_interval;
}

void
ofpconn_set_backlog_limit(struct ofpconn *conn, size_t max_msgs,
                          size_t max_bytes)
{
    conn->max_backlog_msgs = max_msgs ? max_msgs : SIZE_MAX;
    conn->max_backlog_bytes = max_bytes ? max_bytes : SIZE_MAX;
}

size_t
ofpconn_get_backlog_msgs(const struct ofpconn *conn)
{
    return conn->backlog_msgs;
}

size_t
ofpconn_get_backlog_bytes(const struct ofpconn *conn)
{
    return conn->backlog_bytes;
}

unsigned long long
ofpconn_get_n_dropped(const struct ofpconn *conn)
{
    return conn->n_dropped;
}

unsigned long long
ofpconn_get_rx_msgs(const struct ofpconn *conn)
{
    return conn->rx_msgs;
}

/* ---- Output. ---- */

static struct ofpmsg *
ofpconn_output_front(const struct ofpconn *conn)
{
    return CONTAINER_OF(plx_list_front(&conn->output), struct ofpmsg,
                        list_node);
}

/* Copies up to MAX unsent bytes, oldest first, into DST. */
static size_t
ofpconn_gather(const struct ofpconn *conn, uint8_t *dst, size_t max)
{
    const struct ofpmsg *msg;
    size_t ofs = conn->front_ofs;
    size_t n = 0;

    LIST_FOR_EACH (msg, list_node, &conn->output) {
        size_t len = MIN(msg->size - ofs, max - n);

        memcpy(dst + n, msg->data + ofs, len);
        n += len;
        ofs = 0;
        if (n >= max) {
            break;
        }
    }
    return n;
}

/* Marks the N oldest unsent bytes as sent. */
static void
ofpconn_consume(struct ofpconn *conn, size_t n)
{
    conn->backlog_bytes -= n;
    while (n) {
        struct ofpmsg *msg = ofpconn_output_front(conn);
        size_t left = msg->size - conn->front_ofs;

        if (n < left) {
            conn->front_ofs += n;
            break;
        }
        n -= left;
        conn->front_ofs = 0;
        plx_list_remove(&msg->list_node);
        ofpmsg_delete(msg);
        conn->backlog_msgs--;
    }
}

static void
ofpconn_flush(struct ofpconn *conn)
{
    while (!conn->status && !plx_list_is_empty(&conn->output)) {
        uint8_t scratch[OFPCONN_GATHER_MAX];
        const struct ofpmsg *front = ofpconn_output_front(conn);
        const uint8_t *data = front->data + conn->front_ofs;
        size_t len = front->size - conn->front_ofs;

        if (len < OFPCONN_GATHER_MAX && conn->backlog_msgs > 1) {
            len = ofpconn_gather(conn, scratch, sizeof scratch);
            data = scratch;
        }

        int n = stream_send(conn->stream, data, len);
        if (n > 0) {
            ofpconn_consume(conn, n);
        } else {
            if (n < 0 && n != -EAGAIN) {
                VLOG_WARN_RL(&ofpconn_rl, "%s: send error: %s",
                             conn->name, plx_strerror(-n));
                ofpconn_fail(conn, -n);
            }
            break;
        }
    }
    if (conn->pending_error && !conn->status
        && plx_list_is_empty(&conn->output)) {
        ofpconn_fail(conn, conn->pending_error);
    }
}

int
ofpconn_send(struct ofpconn *conn, struct ofpmsg *msg)
{
    if (conn->status || conn->pending_error) {
        ofpmsg_delete(msg);
        return conn->status ? conn->status : conn->pending_error;
    }
    if (conn->backlog_msgs >= conn->max_backlog_msgs
        || msg->size > conn->max_backlog_bytes - conn->backlog_bytes) {
        VLOG_WARN_RL(&ofpconn_rl, "%s: backlog of %zu messages (%zu bytes) "
                     "exceeds limit: peer is not reading, disconnecting",
                     conn->name, conn->backlog_msgs, conn->backlog_bytes);
        ofpmsg_delete(msg);
        ofpconn_fail(conn, ENOBUFS);
        return ENOBUFS;
    }
    plx_list_push_back(&conn->output, &msg->list_node);
    conn->backlog_msgs++;
    conn->backlog_bytes += msg->size;
    if (conn->backlog_msgs == 1) {
        ofpconn_flush(conn);
    }
    return 0;
}

int
ofpconn_send_limited(struct ofpconn *conn, struct ofpmsg *msg,
                     size_t max_queued)
{
    if (!conn->status && !conn->pending_error
        && conn->backlog_msgs >= max_queued) {
        conn->n_dropped++;
        ofpmsg_delete(msg);
        return EAGAIN;
    }
    return ofpconn_send(conn, msg);
}

/* The version to write errors in. */
static uint8_t
ofpconn_error_version(const struct ofpconn *conn, const void *request,
                      size_t request_len)
{
    if (conn->version) {
        return conn->version;
    }
    if (request_len >= sizeof(struct ofp_header)) {
        const struct ofp_header *oh = request;
        if (OFP_VERSION_BIT(oh->version) & OFP_SUPPORTED_VERSIONS) {
            return oh->version;
        }
    }
    return ofputil_version_bitmap_max(conn->allowed_versions);
}

int
ofpconn_send_error(struct ofpconn *conn, enum ofperr error,
                   const void *request, size_t request_len)
{
    uint8_t version = ofpconn_error_version(conn, request, request_len);

    return ofpconn_send(conn, ofputil_encode_error_reply(error, version,
                                                         request,
                                                         request_len));
}

/* ---- Main loop. ---- */

void
ofpconn_run(struct ofpconn *conn)
{
    if (conn->status) {
        return;
    }
    stream_run(conn->stream);
    ofpconn_flush(conn);

    /* Negotiate even if the owner is not receiving yet. */
    if (!conn->version && !conn->pending_error && !conn->status) {
        struct ofpmsg *msg;
        if (!ofpconn_recv(conn, &msg)) {
            plx_list_push_back(&conn->input, &msg->list_node);
        }
    }
    if (conn->status || !conn->probe_interval) {
        return;
    }

    long long int now = time_msec();
    if (!conn->probe_pending) {
        if (now >= conn->last_rx + conn->probe_interval) {
            conn->probe_pending = true;
            conn->probe_time = now;
            if (conn->version) {
                VLOG_DBG("%s: idle %d ms, sending inactivity probe",
                         conn->name, conn->probe_interval);
                ofpconn_send(conn, ofputil_encode_echo_request(
                                 conn->version, ofpmsg_next_xid(), NULL,
                                 0));
            }
        }
    } else if (now >= conn->probe_time + conn->probe_interval) {
        VLOG_WARN_RL(&ofpconn_rl, "%s: no response to inactivity probe "
                     "after %d seconds, disconnecting", conn->name,
                     2 * conn->probe_interval / 1000);
        ofpconn_fail(conn, ETIMEDOUT);
    }
}

void
ofpconn_wait(struct ofpconn *conn)
{
    if (conn->status) {
        return;
    }
    stream_run_wait(conn->stream);
    if (!plx_list_is_empty(&conn->output)) {
        stream_send_wait(conn->stream);
    }
    if (!conn->version && !conn->pending_error) {
        stream_recv_wait(conn->stream);
    }
    if (conn->probe_interval) {
        poll_timer_wait_until(conn->probe_pending
                              ? conn->probe_time + conn->probe_interval
                              : conn->last_rx + conn->probe_interval);
    }
}

void
ofpconn_recv_wait(struct ofpconn *conn)
{
    if (conn->status || !plx_list_is_empty(&conn->input)
        || ofpmsg_framer_has_output(conn->framer)) {
        poll_immediate_wake();
    } else if (!conn->pending_error) {
        stream_recv_wait(conn->stream);
    }
}

/* ---- Input. ---- */

/* Handles the peer's HELLO (or whatever came instead of it). */
static void
ofpconn_recv_hello(struct ofpconn *conn, const struct ofpmsg *msg)
{
    const struct ofp_header *oh = ofpmsg_header(msg);
    uint8_t err_version = oh->version ? oh->version : OFP13_VERSION;

    if (oh->type != OFPT10_HELLO) {
        VLOG_WARN_RL(&ofpconn_rl, "%s: received message type %u while "
                     "expecting hello", conn->name, oh->type);
        ofpconn_fail_after(conn, ofputil_encode_hello_failed(
                               OFPERR_OFPHFC_EPERM, err_version,
                               ntohl(oh->xid), "expected OFPT_HELLO"),
                           EPROTO);
        return;
    }

    uint32_t theirs;
    if (ofputil_decode_hello(oh, &theirs)) {
        VLOG_WARN_RL(&ofpconn_rl, "%s: malformed hello element (using the "
                     "header version 0x%02x)", conn->name, oh->version);
    }
    conn->peer_versions = theirs;

    uint8_t version = ofputil_negotiate_version(conn->allowed_versions,
                                                theirs);
    if (!version) {
        char *text = xasprintf("We support versions 0x%x (bitmap), you "
                               "support 0x%x (bitmap); no common version",
                               (unsigned) conn->allowed_versions,
                               (unsigned) theirs);
        VLOG_WARN_RL(&ofpconn_rl, "%s: version negotiation failed: %s",
                     conn->name, text);
        ofpconn_fail_after(conn, ofputil_encode_hello_failed(
                               OFPERR_OFPHFC_INCOMPATIBLE, err_version,
                               ntohl(oh->xid), text),
                           EPROTO);
        free(text);
        return;
    }
    conn->version = version;
    VLOG_DBG("%s: negotiated OpenFlow version 0x%02x (we 0x%x, peer 0x%x)",
             conn->name, version, (unsigned) conn->allowed_versions,
             (unsigned) theirs);
}

/* Handles MSG at the connection level if it belongs there; returns true
 * if it did (and MSG is then consumed). */
static bool
ofpconn_handle(struct ofpconn *conn, struct ofpmsg *msg)
{
    const struct ofp_header *oh = ofpmsg_header(msg);

    if (!conn->version) {
        ofpconn_recv_hello(conn, msg);
    } else if (oh->type == OFPT10_HELLO) {
        /* A HELLO after negotiation changes nothing. */
    } else if (oh->version != conn->version) {
        VLOG_WARN_RL(&ofpconn_rl, "%s: received OpenFlow version 0x%02x "
                     "!= negotiated 0x%02x", conn->name, oh->version,
                     conn->version);
        if (oh->type != OFPT10_ERROR) {     /* Never answer an error. */
            ofpconn_send_error(conn, OFPERR_OFPBRC_BAD_VERSION, msg->data,
                               msg->size);
        }
    } else if (oh->type == OFPT10_ECHO_REQUEST) {
        ofpconn_send(conn, ofputil_encode_echo_reply(oh));
    } else if (oh->type == OFPT10_ECHO_REPLY) {
        /* Probe answered; receiving it already counted as activity. */
    } else {
        return false;
    }
    ofpmsg_delete(msg);
    return true;
}

int
ofpconn_recv(struct ofpconn *conn, struct ofpmsg **msgp)
{
    *msgp = NULL;
    if (!plx_list_is_empty(&conn->input)) {
        *msgp = CONTAINER_OF(plx_list_pop_front(&conn->input),
                             struct ofpmsg, list_node);
        return 0;
    }
    for (int i = 0; i < 64; i++) {
        if (conn->status) {
            return conn->status;
        } else if (conn->pending_error) {
            return EAGAIN;
        }

        struct ofpmsg *msg;
        int error = ofpmsg_framer_next(conn->framer, &msg);
        if (!error) {
            conn->rx_msgs++;
            if (!ofpconn_handle(conn, msg)) {
                *msgp = msg;
                return 0;
            }
            continue;
        } else if (error == EPROTO) {
            const char *why = ofpmsg_framer_get_error(conn->framer);
            struct ofp_header oh = { .version = conn->version };

            VLOG_WARN_RL(&ofpconn_rl, "%s: %s, disconnecting", conn->name,
                         why);
            ofpconn_fail_after(conn, ofputil_encode_error_reply(
                                   OFPERR_OFPBRC_BAD_LEN,
                                   ofpconn_error_version(conn, NULL, 0),
                                   &oh, 0),
                               EPROTO);
            continue;
        }

        /* Need more bytes. */
        uint8_t buf[4096];
        int n = stream_recv(conn->stream, buf, sizeof buf);
        if (n > 0) {
            ofpmsg_framer_feed(conn->framer, buf, n);
            conn->last_rx = time_msec();
            conn->probe_pending = false;
        } else if (n == -EAGAIN) {
            return EAGAIN;
        } else {
            if (n == 0) {
                VLOG_DBG("%s: connection closed by peer", conn->name);
            } else {
                VLOG_WARN_RL(&ofpconn_rl, "%s: receive error: %s",
                             conn->name, plx_strerror(-n));
            }
            ofpconn_fail(conn, n == 0 ? EOF : -n);
        }
    }
    /* Plenty done this time; come back on the next iteration. */
    poll_immediate_wake();
    return EAGAIN;
}

/* ---- Sessions. ---- */

/* A session is a stream_session (lib/stream-session.h) of struct ofpconn
 * connections.  Probing is the connection's own, so reconnect's is off;
 * a connection is "ready" once its version is negotiated. */
struct ofpconn_session {
    struct stream_session *ss;
    uint32_t allowed_versions;
};

static void *
ofpconn_session_class_open(struct stream *stream, void *s_)
{
    struct ofpconn_session *s = s_;

    return ofpconn_open(stream, s->allowed_versions);
}

static void
ofpconn_session_class_close(void *conn)
{
    ofpconn_close(conn);
}

static bool
ofpconn_session_class_run(void *conn)
{
    unsigned long long rx = ofpconn_get_rx_msgs(conn);

    ofpconn_run(conn);
    return ofpconn_get_rx_msgs(conn) != rx;
}

static void
ofpconn_session_class_wait(void *conn)
{
    ofpconn_wait(conn);
}

static bool
ofpconn_session_class_recv(void *conn, void **msgp)
{
    unsigned long long rx = ofpconn_get_rx_msgs(conn);
    struct ofpmsg *msg;

    ofpconn_recv(conn, &msg);
    *msgp = msg;
    return ofpconn_get_rx_msgs(conn) != rx;
}

static void
ofpconn_session_class_recv_wait(void *conn)
{
    ofpconn_recv_wait(conn);
}

static int
ofpconn_session_class_get_status(const void *conn)
{
    return ofpconn_get_status(conn);
}

static bool
ofpconn_session_class_is_ready(const void *conn)
{
    return ofpconn_get_version(conn) != 0;
}

static void
ofpconn_session_class_set_probe_interval(void *conn, int probe_interval)
{
    ofpconn_set_probe_interval(conn, probe_interval);
}

static const struct stream_session_class ofpconn_session_class = {
    .default_port = OFP_TCP_PORT,
    .probe_interval = OFPCONN_DEFAULT_PROBE_INTERVAL,
    .open_error_level = VLL_WARN,
    .open = ofpconn_session_class_open,
    .close = ofpconn_session_class_close,
    .run = ofpconn_session_class_run,
    .wait = ofpconn_session_class_wait,
    .recv = ofpconn_session_class_recv,
    .recv_wait = ofpconn_session_class_recv_wait,
    .get_status = ofpconn_session_class_get_status,
    .is_ready = ofpconn_session_class_is_ready,
    .set_probe_interval = ofpconn_session_class_set_probe_interval,
};

struct ofpconn_session *
ofpconn_session_open(const char *name, uint32_t allowed_versions,
                     bool retry)
{
    struct ofpconn_session *s = xzalloc(sizeof *s);

    s->allowed_versions = allowed_versions;
    s->ss = stream_session_open(name, retry, &ofpconn_session_class, s);
    return s;
}

void
ofpconn_session_close(struct ofpconn_session *s)
{
    if (s) {
        stream_session_close(s->ss);
        free(s);
    }
}

void
ofpconn_session_run(struct ofpconn_session *s)
{
    stream_session_run(s->ss);
}

void
ofpconn_session_wait(struct ofpconn_session *s)
{
    stream_session_wait(s->ss);
}

void
ofpconn_session_recv_wait(struct ofpconn_session *s)
{
    stream_session_recv_wait(s->ss);
}

int
ofpconn_session_send(struct ofpconn_session *s, struct ofpmsg *msg)
{
    if (ofpconn_session_is_connected(s)) {
        return ofpconn_send(ofpconn_session_get_conn(s), msg);
    }
    ofpmsg_delete(msg);
    return ENOTCONN;
}

int
ofpconn_session_send_limited(struct ofpconn_session *s, struct ofpmsg *msg,
                             size_t max_queued)
{
    if (ofpconn_session_is_connected(s)) {
        return ofpconn_send_limited(ofpconn_session_get_conn(s), msg,
                                    max_queued);
    }
    ofpmsg_delete(msg);
    return ENOTCONN;
}

struct ofpmsg *
ofpconn_session_recv(struct ofpconn_session *s)
{
    return stream_session_recv(s->ss);
}

const char *
ofpconn_session_get_name(const struct ofpconn_session *s)
{
    return stream_session_get_name(s->ss);
}

bool
ofpconn_session_is_connected(const struct ofpconn_session *s)
{
    const struct ofpconn *conn = ofpconn_session_get_conn(s);

    return conn && !ofpconn_get_status(conn) && ofpconn_get_version(conn);
}

bool
ofpconn_session_is_alive(const struct ofpconn_session *s)
{
    return stream_session_is_alive(s->ss);
}

uint8_t
ofpconn_session_get_version(const struct ofpconn_session *s)
{
    const struct ofpconn *conn = ofpconn_session_get_conn(s);

    return conn ? ofpconn_get_version(conn) : 0;
}

unsigned int
ofpconn_session_get_seqno(const struct ofpconn_session *s)
{
    return stream_session_get_seqno(s->ss);
}

int
ofpconn_session_get_last_error(const struct ofpconn_session *s)
{
    return stream_session_get_last_error(s->ss);
}

const char *
ofpconn_session_get_state(const struct ofpconn_session *s)
{
    return stream_session_get_state(s->ss);
}

void
ofpconn_session_force_reconnect(struct ofpconn_session *s)
{
    stream_session_force_reconnect(s->ss);
}

void
ofpconn_session_set_probe_interval(struct ofpconn_session *s,
                                   int probe_interval)
{
    stream_session_set_probe_interval(s->ss, probe_interval);
}

void
ofpconn_session_set_backoff(struct ofpconn_session *s, int min_backoff,
                            int max_backoff)
{
    stream_session_set_backoff(s->ss, min_backoff, max_backoff);
}

struct ofpconn *
ofpconn_session_get_conn(const struct ofpconn_session *s)
{
    return stream_session_get_conn(s->ss);
}
