/*
 * stream-session: a protocol connection that survives disconnection.
 *
 * A session owns at most one protocol connection (a struct jsonrpc, a
 * struct ofpconn, ...) and replaces it when it fails, driven by the
 * reconnect FSM of lib/reconnect.h:
 *
 *   - Active names ("tcp:", "ssl:", "unix:") connect with stream_open()
 *     (a host name is resolved again on every attempt) and reconnect with
 *     exponential backoff.  While the stream is still connecting the
 *     session holds the bare struct stream; once it connects the
 *     protocol's open function wraps it.
 *
 *   - Passive names ("ptcp:", "pssl:", "punix:") listen with
 *     pstream_open() and take the most recent connection: a newer one
 *     replaces the current one.
 *
 *   - Wrapped connections (stream_session_open_unreliably()) come already
 *     connected, typically accepted by a server, and are never replaced:
 *     the session dies with them.
 *
 * The protocol plugs in through struct stream_session_class, a table of
 * functions on its connection type ('void *conn' below).  Everything else
 * is here, once: the FSM calls, accepting, connecting, backoff, the
 * sequence number, the last error and when a session is alive.
 *
 * Invariants:
 *
 *   - At most one of 'conn' (connected) and 'stream' (connecting) is
 *     set; 'pstream' only for passive sessions.
 *   - The sequence number (stream_session_get_seqno()) changes on every
 *     connect, every disconnect and every connection attempt, and when a
 *     connection becomes ready (class->is_ready), so an owner that
 *     remembers it knows when to resend its state.
 *   - The last error (0, EOF or an errno) is that of the most recent
 *     failure to open, connect, listen or stay connected; it is kept
 *     across reconnects.
 *   - Activity (reconnect_activity()) is whatever the class's run and
 *     recv functions report: the FSM only learns of life on the
 *     connection through them.
 *
 * Inactivity probes come in two kinds.  If the class has
 * set_probe_interval, the connection probes for itself: the session keeps
 * the interval, hands it to every new connection, and turns reconnect's
 * own probing off.  Otherwise reconnect probes: on RECONNECT_PROBE the
 * session calls class->send_probe (if any), and a connection with no
 * activity for another interval is dropped.  Either way the default
 * interval is class->probe_interval for names that need probes
 * (stream_or_pstream_needs_probes(): tcp and ssl) and 0 (none) for unix
 * ones.
 *
 * Call stream_session_run() and stream_session_wait() on every main-loop
 * iteration.  Nothing here is thread-safe.
 */
#ifndef PLX_STREAM_SESSION_H
#define PLX_STREAM_SESSION_H 1

#include <stdbool.h>
#include <stdint.h>
#include "vlog.h"

struct stream;
struct stream_session;

struct stream_session_class {
    /* Port added to tcp/ssl names that lack one (0: the name must carry
     * its own). */
    uint16_t default_port;

    /* Default probe interval (ms) for names that need probes. */
    int probe_interval;

    /* Level at which a failure to open a stream or a listener is logged
     * (reconnect itself already logs every failed attempt at INFO). */
    enum vlog_level open_error_level;

    /* Wraps STREAM, which is connected, in a new protocol connection
     * (taking ownership of STREAM).  AUX is the session's, as given to
     * stream_session_open(). */
    void *(*open)(struct stream *stream, void *aux);
    void (*close)(void *conn);

    /* Runs CONN (sends queued output and so on).  Returns true if that
     * showed the peer is alive, which counts as activity. */
    bool (*run)(void *conn);
    void (*wait)(void *conn);

    /* Takes the next message from CONN into '*msgp' (NULL if there is
     * none, or on error).  Returns true if anything arrived from the
     * peer, which counts as activity. */
    bool (*recv)(void *conn, void **msgp);
    void (*recv_wait)(void *conn);

    /* 0, or the connection's sticky error (EOF, errno): the session then
     * drops it. */
    int (*get_status)(const void *conn);

    /* Optional: true once CONN is ready for traffic (an OpenFlow
     * connection once its version is negotiated).  NULL: at once. */
    bool (*is_ready)(const void *conn);

    /* Optional: sets CONN's own inactivity probe interval (ms, 0: none).
     * See "Inactivity probes" above. */
    void (*set_probe_interval)(void *conn, int probe_interval);

    /* Optional: sends an inactivity probe on CONN when reconnect asks for
     * one (only without set_probe_interval). */
    void (*send_probe)(void *conn);
};

/* Opens a session to (or, for a passive NAME, listening on) NAME.  With
 * RETRY false an active session gives up after its first connection ends
 * or fails.  CLASS must outlive the session; AUX is passed to
 * class->open. */
struct stream_session *stream_session_open(
    const char *name, bool retry, const struct stream_session_class *,
    void *aux);
/* Wraps CONN, an already connected protocol connection named NAME, in a
 * session that never reconnects (and logs its state changes only at
 * debug level) but does run the class's probing. */
struct stream_session *stream_session_open_unreliably(
    void *conn, const char *name, const struct stream_session_class *,
    void *aux);
/* Closes the session and its connection (NULL is allowed). */
void stream_session_close(struct stream_session *);

void stream_session_run(struct stream_session *);
void stream_session_wait(struct stream_session *);
/* Wakes the poll loop when stream_session_recv() may return something. */
void stream_session_recv_wait(struct stream_session *);

/* The next message from the current connection (see class->recv), or
 * NULL. */
void *stream_session_recv(struct stream_session *);

/* The current (connected, maybe not yet ready) connection, or NULL. */
void *stream_session_get_conn(const struct stream_session *);
/* True if there is a current connection and it is ready. */
bool stream_session_is_ready(const struct stream_session *);
const char *stream_session_get_name(const struct stream_session *);
/* False once a non-retrying session has given up, or a wrapped
 * connection has ended. */
bool stream_session_is_alive(const struct stream_session *);
unsigned int stream_session_get_seqno(const struct stream_session *);
/* Last connection error (0, EOF, errno), kept across reconnects. */
int stream_session_get_last_error(const struct stream_session *);
/* The reconnect FSM's state name: "VOID", "BACKOFF", "CONNECTING",
 * "ACTIVE", "IDLE", "RECONNECT" or "LISTENING" (see lib/reconnect.h). */
const char *stream_session_get_state(const struct stream_session *);

void stream_session_force_reconnect(struct stream_session *);
/* Milliseconds; see lib/reconnect.h. */
void stream_session_set_backoff(struct stream_session *, int min_backoff,
                                int max_backoff);
/* Sets the maximum backoff, lowering the minimum to it if needed. */
void stream_session_set_max_backoff(struct stream_session *,
                                    int max_backoff);
/* Milliseconds, 0 to disable; see "Inactivity probes" above. */
void stream_session_set_probe_interval(struct stream_session *,
                                       int probe_interval);

#endif /* stream-session.h */
