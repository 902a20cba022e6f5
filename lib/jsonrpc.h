/*
 * jsonrpc: JSON-RPC 1.0 messages, framing, connections and sessions, as
 * OVSDB (RFC 7047) and unixctl use them.
 *
 * Four layers, each usable alone:
 *
 * 1. Messages.  struct jsonrpc_msg is one decoded message.  Validation
 *    follows Open vSwitch: the type follows from which members are
 *    non-null ("result" -> REPLY, else "error" -> ERROR, else "id" ->
 *    REQUEST, else NOTIFY), then each type must have exactly its members:
 *
 *        type      method  params  result  error   id
 *        REQUEST   string  array   -       -       non-null
 *        NOTIFY    string  array   -       -       null or absent
 *        REPLY     -       -       any     null    non-null
 *        ERROR     -       -       null    any     non-null
 *
 *    ("-": absent or null; unknown members are rejected).  A JSON null
 *    member counts as absent, so a member pointer in struct jsonrpc_msg
 *    is either NULL or a non-null value.  When encoding, a reply gets
 *    "error":null, an error gets "result":null and a notification
 *    "id":null, as JSON-RPC 1.0 requires.
 *
 * 2. Framing.  A JSON-RPC stream is JSON values back to back, with or
 *    without whitespace between them.  struct jsonrpc_parser is a pure
 *    byte-buffer object: feed it chunks split anywhere (inside strings,
 *    inside UTF-8 sequences) and take complete values out in order.  It
 *    finds message boundaries with json_scanner (O(n) in new bytes; a
 *    partial message is kept, never rescanned) and hands each complete
 *    value to jansson.  A value larger than the parser's limit (default
 *    JSONRPC_DEFAULT_MAX_MSG_BYTES = 32 MiB, far above any legitimate
 *    OVSDB message), nesting deeper than JSON_DEFAULT_MAX_DEPTH, a syntax
 *    error, or a byte between messages that cannot start one ('{' or
 *    '[') is a framing error: the values before it are still returned,
 *    then the error, and the parser ignores everything after it, since a
 *    byte stream cannot be resynchronized reliably.
 *
 * 3. Connections.  struct jsonrpc runs the protocol over one struct
 *    stream: jsonrpc_send() queues a message and never blocks (the queued
 *    bytes are the "backlog"; with a threshold set, a peer that does not
 *    read fails the connection with ENOBUFS rather than growing memory
 *    without bound), jsonrpc_recv() returns the next message or EAGAIN.
 *    Errors are sticky: after one, every call returns it (EOF for a clean
 *    close, EPROTO for a framing or message error).  Call jsonrpc_run()
 *    and jsonrpc_wait() each main-loop iteration.  jsonrpc_run() writes
 *    queued messages to the stream in as few writes as it can (several
 *    small messages are gathered into one write of up to 16 KiB), and
 *    jsonrpc_cork()/jsonrpc_uncork() let a sender that is about to queue
 *    several messages have them leave together.
 *
 *    Serialized sends.  A server that sends the same notification to many
 *    clients (OVSDB monitor fan-out) serializes it once into a struct
 *    jsonrpc_buf, an immutable reference-counted byte string, and queues
 *    it on every connection with jsonrpc_send_serialized(), optionally
 *    behind a short per-connection head (for example the part of the
 *    notification that names the client's monitor).  Each output queue
 *    holds its own reference until the bytes are written or the
 *    connection fails, so the text lives until the slowest client has it.
 *    Backlog accounting is per connection and the same as for
 *    jsonrpc_send(): the head and the whole body count as one message of
 *    head + body bytes on every connection that queued it.  The bytes are
 *    not checked: the caller promises that head + body is exactly one
 *    JSON-RPC message as jsonrpc_send() would have written it.
 *
 * 4. Sessions.  struct jsonrpc_session is a connection that survives
 *    disconnection: it reconnects with backoff (lib/reconnect.h), sends
 *    "echo" probes when the connection has been idle, and answers the
 *    peer's "echo" requests by itself.  An active name ("unix:", "tcp:",
 *    "ssl:") connects; a passive one ("punix:", "ptcp:", "pssl:") listens
 *    and takes the most recent connection.  jsonrpc_session_get_seqno()
 *    changes on every connect and disconnect, so a client knows when to
 *    resend its state (OVSDB monitors, for example).  The reconnecting
 *    logic is lib/stream-session.h's, shared with OpenFlow sessions.
 *
 * None of this is thread-safe: one thread uses a connection at a time.
 */
#ifndef PLX_JSONRPC_H
#define PLX_JSONRPC_H 1

#include <stdbool.h>
#include <stddef.h>
#include "json.h"
#include "util.h"

struct ds;
struct stream;

/* ---- Messages. ---- */

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,            /* Request: method, params, id. */
    JSONRPC_NOTIFY,             /* Notification: method, params. */
    JSONRPC_REPLY,              /* Successful reply: result, id. */
    JSONRPC_ERROR,              /* Error reply: error, id. */
};

const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type);

/* Each json_t member is NULL or a non-null JSON value that the message
 * owns (one reference). */
struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    char *method;               /* REQUEST and NOTIFY only. */
    json_t *params;             /* REQUEST and NOTIFY only: an array. */
    json_t *result;             /* REPLY only. */
    json_t *error;              /* ERROR only. */
    json_t *id;                 /* REQUEST, REPLY and ERROR only. */
};

/* Constructors steal the caller's reference to PARAMS, RESULT and ERROR
 * (as jansson's *_new functions do) and take a new reference to ID.
 * jsonrpc_create_request() makes a fresh integer id, which it also
 * stores (as a new reference) in '*idp' if IDP is nonnull. */
struct jsonrpc_msg *jsonrpc_create_request(const char *method,
                                           json_t *params, json_t **idp);
struct jsonrpc_msg *jsonrpc_create_notify(const char *method,
                                          json_t *params);
struct jsonrpc_msg *jsonrpc_create_reply(json_t *result, const json_t *id);
struct jsonrpc_msg *jsonrpc_create_error(json_t *error, const json_t *id);
void jsonrpc_msg_destroy(struct jsonrpc_msg *);

/* NULL if MSG is valid by the table above, else a malloc'd message. */
char *jsonrpc_msg_is_valid(const struct jsonrpc_msg *)
    PLX_WARN_UNUSED_RESULT;

/* Decodes JSON into a new message in '*msgp' and returns NULL, or
 * returns a malloc'd error message with '*msgp' NULL.  Does not consume
 * JSON. */
char *jsonrpc_msg_from_json(const json_t *json, struct jsonrpc_msg **msgp)
    PLX_WARN_UNUSED_RESULT;
/* Encodes MSG as a new JSON object (MSG is unchanged). */
json_t *jsonrpc_msg_to_json(const struct jsonrpc_msg *);
/* Canonical compact text of MSG; caller frees. */
char *jsonrpc_msg_to_string(const struct jsonrpc_msg *);

/* ---- Framing. ---- */

#define JSONRPC_DEFAULT_MAX_MSG_BYTES JSON_DEFAULT_MAX_BYTES

/* MAX_MSG_BYTES 0 means JSONRPC_DEFAULT_MAX_MSG_BYTES. */
struct jsonrpc_parser *jsonrpc_parser_create(size_t max_msg_bytes);
void jsonrpc_parser_destroy(struct jsonrpc_parser *);
/* Applies to the message being received, too. */
void jsonrpc_parser_set_max_msg_bytes(struct jsonrpc_parser *, size_t);

/* Consumes all N bytes at DATA (none once the parser has failed). */
void jsonrpc_parser_feed(struct jsonrpc_parser *, const void *data,
                         size_t n);
/* Says that the input has ended: a partial message becomes an error. */
void jsonrpc_parser_finish(struct jsonrpc_parser *);
/* Returns 0 and the next complete value in '*jsonp' (caller owns it),
 * EAGAIN if no complete value is ready, or EPROTO once every value
 * before a framing error has been taken ('*jsonp' NULL in both cases).
 * The error message is then jsonrpc_parser_get_error()'s. */
int jsonrpc_parser_next(struct jsonrpc_parser *, json_t **jsonp);
/* NULL until a framing error. */
const char *jsonrpc_parser_get_error(const struct jsonrpc_parser *);
/* Bytes of an incomplete message held (0 between messages). */
size_t jsonrpc_parser_partial_bytes(const struct jsonrpc_parser *);
/* True if jsonrpc_parser_next() would return something other than
 * EAGAIN. */
bool jsonrpc_parser_has_output(const struct jsonrpc_parser *);

/* ---- Connections. ---- */

/* Takes ownership of STREAM (which may still be connecting). */
struct jsonrpc *jsonrpc_open(struct stream *);
void jsonrpc_close(struct jsonrpc *);

void jsonrpc_run(struct jsonrpc *);
void jsonrpc_wait(struct jsonrpc *);
/* Wakes the poll loop when jsonrpc_recv() may have something. */
void jsonrpc_recv_wait(struct jsonrpc *);

/* 0, or the sticky error (EOF, EPROTO, ENOBUFS, an errno). */
int jsonrpc_get_status(const struct jsonrpc *);
const char *jsonrpc_get_name(const struct jsonrpc *);
/* Bytes and messages queued but not yet accepted by the stream. */
size_t jsonrpc_get_backlog(const struct jsonrpc *);
size_t jsonrpc_get_backlog_msgs(const struct jsonrpc *);
/* Bytes received so far (a session counts any as peer activity). */
unsigned long long jsonrpc_get_received_bytes(const struct jsonrpc *);
/* Fail the connection with ENOBUFS when a send would leave more than
 * MAX_MSGS messages or MAX_BYTES bytes queued (0: no limit; default no
 * limit). */
void jsonrpc_set_backlog_threshold(struct jsonrpc *, size_t max_msgs,
                                   size_t max_bytes);
/* Largest message accepted from the peer (0: the default). */
void jsonrpc_set_max_msg_bytes(struct jsonrpc *, size_t);

/* Queues MSG (taking ownership) and starts sending it.  Returns 0 or the
 * connection's sticky error (then MSG was discarded). */
int jsonrpc_send(struct jsonrpc *, struct jsonrpc_msg *);
/* Reference-counted immutable byte strings for serialized sends. */
struct jsonrpc_buf;
/* A new buffer (one reference) holding a copy of the N bytes at DATA. */
struct jsonrpc_buf *jsonrpc_buf_create(const void *data, size_t n);
/* A new buffer (one reference) that takes over DS's contents, leaving DS
 * empty. */
struct jsonrpc_buf *jsonrpc_buf_from_ds(struct ds *);
struct jsonrpc_buf *jsonrpc_buf_ref(struct jsonrpc_buf *);
/* Drops a reference (NULL is allowed); the last one frees the buffer. */
void jsonrpc_buf_unref(struct jsonrpc_buf *);
const char *jsonrpc_buf_data(const struct jsonrpc_buf *);
size_t jsonrpc_buf_size(const struct jsonrpc_buf *);

/* Queues the HEAD_LEN bytes at HEAD (copied; HEAD_LEN may be 0) followed
 * by BODY's bytes (this takes a new reference: the caller keeps its own)
 * as one message, see "Serialized sends" above.  Returns as
 * jsonrpc_send(). */
int jsonrpc_send_serialized(struct jsonrpc *, const void *head,
                            size_t head_len, struct jsonrpc_buf *body);

/* While corked, sends only queue; jsonrpc_uncork() then writes what the
 * stream takes (as jsonrpc_run() does). */
void jsonrpc_cork(struct jsonrpc *);
void jsonrpc_uncork(struct jsonrpc *);

/* Returns 0 with the next message in '*msgp' (caller destroys it),
 * EAGAIN, or the sticky error. */
int jsonrpc_recv(struct jsonrpc *, struct jsonrpc_msg **msgp);

/* Blocking forms, for command-line tools and tests.  They run their own
 * poll loop iterations. */
int jsonrpc_send_block(struct jsonrpc *, struct jsonrpc_msg *);
int jsonrpc_recv_block(struct jsonrpc *, struct jsonrpc_msg **);
/* Sends REQUEST (taking ownership) and waits for the REPLY or ERROR with
 * its id, discarding anything else received meanwhile.  Returns 0 with
 * the reply in '*replyp', or an error with '*replyp' NULL. */
int jsonrpc_transact_block(struct jsonrpc *, struct jsonrpc_msg *request,
                           struct jsonrpc_msg **replyp);

/* ---- Sessions. ---- */

/* Opens a session to (or listening on) NAME.  With RETRY false, an
 * active session gives up after its first connection ends or fails. */
struct jsonrpc_session *jsonrpc_session_open(const char *name, bool retry);
/* Wraps an already connected RPC (e.g. one accepted by a server) in a
 * session that never reconnects but does answer and send probes. */
struct jsonrpc_session *jsonrpc_session_open_unreliably(struct jsonrpc *);
void jsonrpc_session_close(struct jsonrpc_session *);

void jsonrpc_session_run(struct jsonrpc_session *);
void jsonrpc_session_wait(struct jsonrpc_session *);
void jsonrpc_session_recv_wait(struct jsonrpc_session *);

/* Queues MSG (taking ownership) if connected; otherwise discards it and
 * returns ENOTCONN. */
int jsonrpc_session_send(struct jsonrpc_session *, struct jsonrpc_msg *);
/* As jsonrpc_send_serialized() if connected; otherwise ENOTCONN. */
int jsonrpc_session_send_serialized(struct jsonrpc_session *,
                                    const void *head, size_t head_len,
                                    struct jsonrpc_buf *body);
/* jsonrpc_cork() and jsonrpc_uncork() on the current connection, if
 * any. */
void jsonrpc_session_cork(struct jsonrpc_session *);
void jsonrpc_session_uncork(struct jsonrpc_session *);
/* The next message from the peer other than echo traffic, or NULL. */
struct jsonrpc_msg *jsonrpc_session_recv(struct jsonrpc_session *);

const char *jsonrpc_session_get_name(const struct jsonrpc_session *);
/* False once a non-retrying session has given up. */
bool jsonrpc_session_is_alive(const struct jsonrpc_session *);
bool jsonrpc_session_is_connected(const struct jsonrpc_session *);
unsigned int jsonrpc_session_get_seqno(const struct jsonrpc_session *);
/* Last connection error (0, EOF, errno); kept across reconnects. */
int jsonrpc_session_get_last_error(const struct jsonrpc_session *);
size_t jsonrpc_session_get_backlog(const struct jsonrpc_session *);
void jsonrpc_session_force_reconnect(struct jsonrpc_session *);
/* Milliseconds; see lib/reconnect.h. */
void jsonrpc_session_set_max_backoff(struct jsonrpc_session *, int);
void jsonrpc_session_set_probe_interval(struct jsonrpc_session *, int);
void jsonrpc_session_set_backlog_threshold(struct jsonrpc_session *,
                                           size_t max_msgs,
                                           size_t max_bytes);

#endif /* jsonrpc.h */
