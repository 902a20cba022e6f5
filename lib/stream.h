/*
 * stream: nonblocking, connection-oriented byte streams (unix, tcp, ssl).
 *
 * A "stream" is one end of a reliable byte connection; a "pstream" is a
 * listener that produces streams.  Both are named by strings, as in Open
 * vSwitch:
 *
 *     active                      passive
 *     unix:FILE                   punix:FILE
 *     tcp:HOST:PORT               ptcp:PORT[:IP]
 *     ssl:HOST:PORT               pssl:PORT[:IP]
 *
 * PORT is required unless the *_with_default_port() forms supply it.
 * HOST is an IPv4 address, an IPv6 address in brackets ("[::1]"), or a
 * host name.  Host names are resolved asynchronously (see dns-resolve.h),
 * so stream_open() never blocks: it may return 0 with a stream that is
 * still resolving and connecting.  "ptcp:0" binds a free port, which
 * pstream_get_bound_port() reports.
 *
 * Everything here is nonblocking and integrates with the poll loop:
 *
 *     error = stream_open("tcp:127.0.0.1:6640", &stream);
 *     ...each main-loop iteration:
 *     stream_run(stream);
 *     error = stream_connect(stream);     (0, EAGAIN, or an errno)
 *     n = stream_recv(stream, buf, sizeof buf);   (>0, 0 = EOF, -errno)
 *     n = stream_send(stream, data, len);         (>0 accepted, -errno)
 *     ...then:
 *     stream_run_wait(stream);
 *     stream_recv_wait(stream);  (or stream_send_wait(), as needed)
 *     poll_block();
 *
 * Invariants and conventions:
 *
 *   - Functions returning "int error" return 0 on success or a positive
 *     errno value.  stream_recv() and stream_send() return a byte count
 *     or a negative errno value (-EAGAIN when they would block).
 *   - stream_recv() and stream_send() first finish connecting; until the
 *     connection is up they return -EAGAIN (or the connection error).
 *   - stream_send() may accept fewer bytes than offered; the caller keeps
 *     the rest and retries after stream_send_wait().
 *   - A stream must be polled with stream_run()/stream_run_wait() each
 *     iteration: SSL streams have internal work (handshakes,
 *     renegotiation, buffered output) that happens there.
 *   - A stream's errors are sticky: once recv or send fails with an error
 *     other than EAGAIN, the caller should close the stream.
 *
 * Streams are not thread-safe; one thread uses a stream at a time.
 */
#ifndef PLX_STREAM_H
#define PLX_STREAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

struct stream;
struct pstream;

/* Default ports, as Open vSwitch uses them, for callers that want them. */
#define PLX_OFP_PORT 6653
#define PLX_OVSDB_PORT 6640

/* Active streams. */
int stream_verify_name(const char *name);
int stream_open(const char *name, struct stream **streamp);
int stream_open_with_default_port(const char *name, uint16_t default_port,
                                  struct stream **streamp);
/* Finishes connecting a stream just opened: ERROR and *STREAMP are what
 * stream_open() returned.  Runs its own poll loop until the stream is
 * connected (returns 0), fails (returns the error, closes the stream and
 * sets *STREAMP to NULL) or TIMEOUT_MS passes (ETIMEDOUT; negative means
 * no limit).  For command-line tools, not daemons. */
int stream_open_block(int error, long long int timeout_ms,
                      struct stream **streamp);
void stream_close(struct stream *);
const char *stream_get_name(const struct stream *);
int stream_connect(struct stream *);
int stream_recv(struct stream *, void *buffer, size_t n);
int stream_send(struct stream *, const void *buffer, size_t n);

void stream_run(struct stream *);
void stream_run_wait(struct stream *);

enum stream_wait_type {
    STREAM_CONNECT,
    STREAM_RECV,
    STREAM_SEND
};
void stream_wait(struct stream *, enum stream_wait_type);
void stream_connect_wait(struct stream *);
void stream_recv_wait(struct stream *);
void stream_send_wait(struct stream *);

/* Peer and local addresses of a connected tcp/ssl stream, as text
 * ("192.0.2.1:6640", "[::1]:6640"); NULL if unknown or not an IP stream.
 * The caller frees the result. */
char *stream_get_peer_address(const struct stream *);

/* Passive streams (listeners). */
int pstream_verify_name(const char *name);
int pstream_open(const char *name, struct pstream **pstreamp);
int pstream_open_with_default_port(const char *name, uint16_t default_port,
                                   struct pstream **pstreamp);
const char *pstream_get_name(const struct pstream *);
void pstream_close(struct pstream *);
int pstream_accept(struct pstream *, struct stream **);
int pstream_accept_block(struct pstream *, struct stream **);
void pstream_wait(struct pstream *);
uint16_t pstream_get_bound_port(const struct pstream *);

/* True if connections named NAME (active or passive) should use
 * inactivity probes: tcp and ssl connections can silently die with the
 * network, unix ones cannot.  Unknown names: true. */
bool stream_or_pstream_needs_probes(const char *name);

#endif /* stream.h */
