/*
 * stream-provider: the interface between stream.c and one kind of stream.
 *
 * Each kind of stream ("unix", "tcp", "ssl") is a struct stream_class, and
 * each kind of listener ("punix", "ptcp", "pssl") a struct pstream_class,
 * implemented in a file of its own.  stream.c parses the "CLASS:ARGS"
 * name, picks the class, and keeps the connection state machine:
 *
 *     CONNECTING --connect() returns 0--> CONNECTED
 *         |                                   |
 *         +--connect() returns an error--> DISCONNECTED (error is sticky)
 *
 * so that a class only answers "is the connection up yet?" and never
 * sees recv() or send() before it said yes.
 *
 * A class's open() receives IP literals only: stream.c resolves host
 * names first (see dns-resolve.h) and gives the class "tcp:192.0.2.1:6640"
 * while the stream keeps the name the user gave.
 */
#ifndef PLX_STREAM_PROVIDER_H
#define PLX_STREAM_PROVIDER_H 1

#include <sys/types.h>
#include "stream.h"

/* Active stream. */

enum stream_state {
    SCS_CONNECTING,
    SCS_CONNECTED,
    SCS_DISCONNECTED
};

struct stream {
    const struct stream_class *class;
    enum stream_state state;
    int error;                  /* Positive errno once DISCONNECTED. */
    char *name;
};

/* Initializes STREAM's common part.  CONNECT_STATUS is 0 if the stream is
 * already connected, EAGAIN if connecting is in progress, otherwise an
 * errno value that the stream will report. */
void stream_init(struct stream *, const struct stream_class *,
                 int connect_status, char *name);

static inline void
stream_assert_class(const struct stream *stream,
                    const struct stream_class *class)
{
    plx_assert(stream->class == class);
}

struct stream_class {
    /* Prefix in names, e.g. "tcp". */
    const char *name;

    /* True if connections of this class need inactivity probes. */
    bool needs_probes;

    /* Opens the stream named NAME (the full name, for stream_init()) whose
     * part after the colon is SUFFIX.  Returns 0 and stores the new stream
     * in *STREAMP, or a positive errno value.  Must not block. */
    int (*open)(const char *name, char *suffix, struct stream **streamp);

    /* Frees STREAM and whatever it owns. */
    void (*close)(struct stream *stream);

    /* Called while the stream is CONNECTING: returns 0 once connected,
     * EAGAIN while still in progress, otherwise an errno value.  May be
     * NULL if streams of this class are always connected at open. */
    int (*connect)(struct stream *stream);

    /* Receives up to N (> 0) bytes: returns the number received, 0 at
     * end of file, or a negative errno value (-EAGAIN if none ready). */
    ssize_t (*recv)(struct stream *stream, void *buffer, size_t n);

    /* Sends up to N (> 0) bytes: returns the number accepted (possibly
     * fewer than N) or a negative errno value (-EAGAIN if none). */
    ssize_t (*send)(struct stream *stream, const void *buffer, size_t n);

    /* Optional: background work and its wait (e.g. flushing TLS). */
    void (*run)(struct stream *stream);
    void (*run_wait)(struct stream *stream);

    /* Arranges for poll_block() to wake when WAIT could make progress. */
    void (*wait)(struct stream *stream, enum stream_wait_type wait);

    /* Optional: peer address as "IP:PORT" (caller frees), or NULL. */
    char *(*get_peer_address)(const struct stream *stream);
};

/* Passive stream (listener). */

struct pstream {
    const struct pstream_class *class;
    char *name;
    uint16_t bound_port;        /* For TCP-based listeners, else 0. */
};

void pstream_init(struct pstream *, const struct pstream_class *,
                  char *name);
void pstream_set_bound_port(struct pstream *, uint16_t port);

struct pstream_class {
    /* Prefix in names, e.g. "ptcp". */
    const char *name;
    bool needs_probes;

    /* As stream_class's open(). */
    int (*listen)(const char *name, char *suffix,
                  struct pstream **pstreamp);
    void (*close)(struct pstream *pstream);

    /* Accepts one connection: returns 0 with the new stream in
     * *NEW_STREAMP, EAGAIN if none is waiting, or an errno value. */
    int (*accept)(struct pstream *pstream, struct stream **new_streamp);

    /* Arranges for poll_block() to wake when accept() could succeed. */
    void (*wait)(struct pstream *pstream);
};

/* The classes. */
extern const struct stream_class unix_stream_class;
extern const struct stream_class tcp_stream_class;
extern const struct stream_class ssl_stream_class;
extern const struct pstream_class punix_pstream_class;
extern const struct pstream_class ptcp_pstream_class;
extern const struct pstream_class pssl_pstream_class;

#endif /* stream-provider.h */
