/*
 * ofp-conn: one OpenFlow connection, and a reconnecting session.
 *
 * struct ofpconn runs the OpenFlow connection protocol over one struct
 * stream (lib/stream.h: unix, tcp or ssl, made by stream_open() or
 * accepted from a pstream):
 *
 *   - Version negotiation.  On open it queues a HELLO offering its
 *     allowed versions (with a version bitmap element where needed).  The
 *     peer's first message must be a HELLO; the negotiated version is the
 *     highest one both offer (the peer's bitmap, or without one every
 *     version up to its header version), as OpenFlow 1.3.1+ and Open
 *     vSwitch do.  With none in common it sends OFPET_HELLO_FAILED /
 *     OFPHFC_INCOMPATIBLE with an explanation, then fails with EPROTO
 *     once that error has been written (or could not be).  Messages
 *     queued before negotiation are sent after the HELLO; callers
 *     normally wait for ofpconn_get_version() to become nonzero.
 *
 *   - Echo.  ECHO_REQUESTs from the peer are answered here, and
 *     ECHO_REPLYs are consumed here; neither reaches the caller.
 *
 *   - Inactivity probes.  With a probe interval P (ms, 0 = none), when
 *     nothing has been received for P an ECHO_REQUEST is sent; if still
 *     nothing arrives within another P the connection fails with
 *     ETIMEDOUT.  By default tcp and ssl connections probe every 5 s and
 *     unix ones never (stream_or_pstream_needs_probes()).
 *
 *   - Bad input.  A header length below 8 cannot be resynchronized: the
 *     connection sends OFPBRC_BAD_LEN and fails with EPROTO.  A message
 *     of another version than the negotiated one gets OFPBRC_BAD_VERSION
 *     and the connection carries on.  Anything else whole is handed to
 *     the caller, which decodes it (ofptype_decode()) and answers errors
 *     itself, with ofpconn_send_error() for example.
 *
 *   - Output queue.  ofpconn_send() never blocks: messages wait in a
 *     queue (the "backlog").  A hard limit (messages and bytes; default
 *     OFPCONN_DEFAULT_MAX_BACKLOG_*) protects memory from a peer that
 *     does not read: exceeding it fails the connection with ENOBUFS.
 *     ofpconn_send_limited() instead drops just that message (EAGAIN,
 *     counted) when the queue is already long, which is how PACKET_INs
 *     should be sent.
 *
 * Errors are sticky: once ofpconn_get_status() is nonzero (EOF for a
 * clean close by the peer, EPROTO, ETIMEDOUT, ENOBUFS, or an errno from
 * the stream) every send and receive returns it and the owner should
 * close the connection.
 *
 * struct ofpconn_session is a connection that survives disconnection,
 * built on lib/reconnect.h: for an active name ("tcp:", "ssl:", "unix:")
 * it connects and reconnects with exponential backoff (a host name is
 * resolved again on every attempt, by stream_open()); for a passive name
 * ("ptcp:", "pssl:", "punix:") it listens and takes the most recent
 * connection.  Its seqno changes on every connect and disconnect, so the
 * owner knows when to resend state (it also changes when a connection's
 * version has been negotiated).  Inactivity probes are the inner
 * connection's (reconnect's own probing is turned off).  The session
 * logic is lib/stream-session.h's, shared with JSON-RPC sessions.
 *
 * Call *_run() and *_wait() on every main-loop iteration.  Nothing here is
 * thread-safe.
 */
#ifndef PLX_OFP_CONN_H
#define PLX_OFP_CONN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ofp-errors.h"
#include "util.h"

struct ofpmsg;
struct stream;

#define OFPCONN_DEFAULT_PROBE_INTERVAL 5000
#define OFPCONN_DEFAULT_MAX_BACKLOG_MSGS 100000
#define OFPCONN_DEFAULT_MAX_BACKLOG_BYTES (64 * 1024 * 1024)

/* ---- One connection. ---- */

/* Takes ownership of STREAM (which may still be connecting).
 * ALLOWED_VERSIONS is a bitmap of OFP_VERSION_BIT()s (0 means
 * OFP_SUPPORTED_VERSIONS). */
struct ofpconn *ofpconn_open(struct stream *, uint32_t allowed_versions);
void ofpconn_close(struct ofpconn *);

void ofpconn_run(struct ofpconn *);
void ofpconn_wait(struct ofpconn *);
/* Wakes the poll loop when ofpconn_recv() may return something. */
void ofpconn_recv_wait(struct ofpconn *);

const char *ofpconn_get_name(const struct ofpconn *);
/* 0, or the sticky error. */
int ofpconn_get_status(const struct ofpconn *);
/* The negotiated version, 0 until negotiation is done. */
uint8_t ofpconn_get_version(const struct ofpconn *);
/* The versions the peer's HELLO offered (0 before it arrived). */
uint32_t ofpconn_get_peer_versions(const struct ofpconn *);

/* Milliseconds, 0 to disable. */
void ofpconn_set_probe_interval(struct ofpconn *, int probe_interval);
int ofpconn_get_probe_interval(const struct ofpconn *);
void ofpconn_set_backlog_limit(struct ofpconn *, size_t max_msgs,
                               size_t max_bytes);

/* Queues MSG (taking ownership).  Returns 0 or the sticky error (MSG is
 * then discarded); exceeding the hard backlog limit fails the connection
 * with ENOBUFS. */
int ofpconn_send(struct ofpconn *, struct ofpmsg *);
/* As ofpconn_send(), but if MAX_QUEUED or more messages are already
 * queued, discards MSG and returns EAGAIN; the connection is fine. */
int ofpconn_send_limited(struct ofpconn *, struct ofpmsg *,
                         size_t max_queued);
/* Queues an error reply to the REQUEST_LEN bytes at REQUEST in the
 * negotiated version (or the request's, before negotiation). */
int ofpconn_send_error(struct ofpconn *, enum ofperr,
                       const void *request, size_t request_len);

/* Returns 0 with the next message in '*msgp' (the caller owns it),
 * EAGAIN if there is none now, or the sticky error. */
int ofpconn_recv(struct ofpconn *, struct ofpmsg **msgp);

size_t ofpconn_get_backlog_msgs(const struct ofpconn *);
size_t ofpconn_get_backlog_bytes(const struct ofpconn *);
/* Messages dropped by ofpconn_send_limited(). */
unsigned long long ofpconn_get_n_dropped(const struct ofpconn *);
unsigned long long ofpconn_get_rx_msgs(const struct ofpconn *);

/* ---- Reconnecting session. ---- */

/* Opens a session to (or, for a passive NAME, listening on) NAME.  With
 * RETRY false an active session gives up after its first connection
 * ends.  ALLOWED_VERSIONS as for ofpconn_open(). */
struct ofpconn_session *ofpconn_session_open(const char *name,
                                             uint32_t allowed_versions,
                                             bool retry);
void ofpconn_session_close(struct ofpconn_session *);

void ofpconn_session_run(struct ofpconn_session *);
void ofpconn_session_wait(struct ofpconn_session *);
void ofpconn_session_recv_wait(struct ofpconn_session *);

/* Queues MSG if a connection is up and negotiated; otherwise discards it
 * and returns ENOTCONN. */
int ofpconn_session_send(struct ofpconn_session *, struct ofpmsg *);
int ofpconn_session_send_limited(struct ofpconn_session *, struct ofpmsg *,
                                 size_t max_queued);
/* The next message from the peer, or NULL. */
struct ofpmsg *ofpconn_session_recv(struct ofpconn_session *);

const char *ofpconn_session_get_name(const struct ofpconn_session *);
/* True while connected with a negotiated version. */
bool ofpconn_session_is_connected(const struct ofpconn_session *);
/* False once a non-retrying session has given up. */
bool ofpconn_session_is_alive(const struct ofpconn_session *);
/* Negotiated version of the current connection, or 0. */
uint8_t ofpconn_session_get_version(const struct ofpconn_session *);
unsigned int ofpconn_session_get_seqno(const struct ofpconn_session *);
/* Last connection error (0, EOF, errno), kept across reconnects. */
int ofpconn_session_get_last_error(const struct ofpconn_session *);
void ofpconn_session_force_reconnect(struct ofpconn_session *);
void ofpconn_session_set_probe_interval(struct ofpconn_session *, int);
void ofpconn_session_set_backoff(struct ofpconn_session *,
                                 int min_backoff, int max_backoff);
/* The current connection, or NULL. */
struct ofpconn *ofpconn_session_get_conn(const struct ofpconn_session *);
/* The state of the session's reconnect FSM (lib/reconnect.h), by name:
 *
 *   "BACKOFF"     waiting before the next connection attempt (or, for a
 *                 passive session, before trying to listen again)
 *   "CONNECTING"  a connection attempt is in progress
 *   "ACTIVE"      the stream is connected (OpenFlow version negotiation
 *                 may still be under way: see
 *                 ofpconn_session_is_connected()).  Inactivity probing
 *                 is the connection's own, so a session is never "IDLE":
 *                 an unanswered probe fails the connection instead.
 *   "LISTENING"   passive, listening, with no connection yet (once one is
 *                 accepted the state is "ACTIVE")
 *   "RECONNECT"   a forced reconnect is about to drop the connection
 *   "VOID"        not trying any more (a non-retrying session gave up)
 *
 * The returned string is static.  Meant for an OpenFlow Controller
 * record's status:state, which can then tell a connect in progress from
 * a wait between attempts. */
const char *ofpconn_session_get_state(const struct ofpconn_session *);

#endif /* ofp-conn.h */
