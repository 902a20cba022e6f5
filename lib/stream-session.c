/* stream-session: a reconnecting protocol connection; see
 * stream-session.h. */
#include <config.h>
#include "stream-session.h"

#include <errno.h>
#include "reconnect.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(stream_session);

static struct vlog_rate_limit stream_session_rl =
    VLOG_RATE_LIMIT_INIT(5, 20);

struct stream_session {
    const struct stream_session_class *class;
    void *aux;                      /* For class->open. */
    char *name;
    struct reconnect *reconnect;
    void *conn;                     /* Connected, or NULL. */
    struct stream *stream;          /* Connecting, or NULL. */
    struct pstream *pstream;        /* Listening (passive only), or NULL. */
    int probe_interval;             /* With class->set_probe_interval. */
    int last_error;
    unsigned int seqno;
    bool was_ready;                 /* 'conn' has been seen ready. */
};

static struct stream_session *
stream_session_create__(const char *name,
                        const struct stream_session_class *class,
                        void *aux)
{
    struct stream_session *s = xzalloc(sizeof *s);

    s->class = class;
    s->aux = aux;
    s->name = xstrdup(name);
    s->reconnect = reconnect_create(time_msec());
    reconnect_set_name(s->reconnect, name);

    int interval = (stream_or_pstream_needs_probes(name)
                    ? class->probe_interval : 0);
    if (class->set_probe_interval) {
        /* The connection probes for itself. */
        s->probe_interval = interval;
        reconnect_set_probe_interval(s->reconnect, 0);
    } else {
        reconnect_set_probe_interval(s->reconnect, interval);
    }
    return s;
}

struct stream_session *
stream_session_open(const char *name, bool retry,
                    const struct stream_session_class *class, void *aux)
{
    struct stream_session *s = stream_session_create__(name, class, aux);
    long long int now = time_msec();

    reconnect_enable(s->reconnect, now);
    if (!pstream_verify_name(name)) {
        reconnect_set_passive(s->reconnect, true, now);
    }
    if (!retry) {
        reconnect_set_max_tries(s->reconnect, 1);
    }
    return s;
}

/* Notes when the current connection becomes ready. */
static void
stream_session_check_ready(struct stream_session *s)
{
    if (!s->was_ready && s->conn && s->class->is_ready(s->conn)) {
        s->was_ready = true;
        s->seqno++;
    }
}

/* Makes CONN the current connection. */
static void
stream_session_attach(struct stream_session *s, void *conn)
{
    s->conn = conn;
    s->was_ready = !s->class->is_ready;
    if (s->class->set_probe_interval) {
        s->class->set_probe_interval(conn, s->probe_interval);
    }
}

struct stream_session *
stream_session_open_unreliably(void *conn, const char *name,
                               const struct stream_session_class *class,
                               void *aux)
{
    struct stream_session *s = stream_session_create__(name, class, aux);

    reconnect_set_quiet(s->reconnect, true);
    reconnect_set_max_tries(s->reconnect, 0);
    reconnect_connected(s->reconnect, time_msec());
    stream_session_attach(s, conn);
    stream_session_check_ready(s);
    return s;
}

/* Drops the connection or the connection attempt, if any. */
static void
stream_session_disconnect(struct stream_session *s)
{
    if (s->conn) {
        s->class->close(s->conn);
        s->conn = NULL;
        s->seqno++;
    } else if (s->stream) {
        stream_close(s->stream);
        s->stream = NULL;
        s->seqno++;
    }
    s->was_ready = false;
}

void
stream_session_close(struct stream_session *s)
{
    if (s) {
        stream_session_disconnect(s);
        pstream_close(s->pstream);
        reconnect_destroy(s->reconnect);
        free(s->name);
        free(s);
    }
}

/* STREAM has connected (or been accepted): wrap it. */
static void
stream_session_start(struct stream_session *s, struct stream *stream)
{
    stream_session_attach(s, s->class->open(stream, s->aux));
    reconnect_connected(s->reconnect, time_msec());
    s->seqno++;
}

/* Starts a connection attempt, or listening. */
static void
stream_session_connect(struct stream_session *s)
{
    uint16_t port = s->class->default_port;
    int error;

    stream_session_disconnect(s);
    if (!reconnect_is_passive(s->reconnect)) {
        error = (port
                 ? stream_open_with_default_port(s->name, port, &s->stream)
                 : stream_open(s->name, &s->stream));
        if (!error) {
            reconnect_connecting(s->reconnect, time_msec());
        }
    } else {
        error = (s->pstream ? 0
                 : port ? pstream_open_with_default_port(s->name, port,
                                                         &s->pstream)
                 : pstream_open(s->name, &s->pstream));
        if (!error) {
            reconnect_listening(s->reconnect, time_msec());
        }
    }
    if (error) {
        VLOG_RL(&stream_session_rl, s->class->open_error_level,
                "%s: connection failed: %s", s->name, plx_strerror(error));
        s->last_error = error;
        reconnect_connect_failed(s->reconnect, time_msec(), error);
    }
    s->seqno++;
}

/* Takes a new connection from the listener, replacing the current one. */
static void
stream_session_accept(struct stream_session *s)
{
    struct stream *stream;
    int error = pstream_accept(s->pstream, &stream);

    if (!error) {
        if (s->conn || s->stream) {
            VLOG_INFO_RL(&stream_session_rl, "%s: new connection "
                         "replacing the active one", s->name);
            reconnect_disconnected(s->reconnect, time_msec(), 0);
            stream_session_disconnect(s);
        }
        stream_session_start(s, stream);
    } else if (error != EAGAIN) {
        reconnect_listen_error(s->reconnect, time_msec(), error);
        pstream_close(s->pstream);
        s->pstream = NULL;
        s->last_error = error;
    }
}

void
stream_session_run(struct stream_session *s)
{
    if (s->pstream) {
        stream_session_accept(s);
    }

    if (s->conn) {
        if (s->class->run(s->conn)) {
            reconnect_activity(s->reconnect, time_msec());
        }
        stream_session_check_ready(s);

        int error = s->class->get_status(s->conn);
        if (error) {
            reconnect_disconnected(s->reconnect, time_msec(), error);
            stream_session_disconnect(s);
            s->last_error = error;
        }
    } else if (s->stream) {
        stream_run(s->stream);
        int error = stream_connect(s->stream);
        if (!error) {
            struct stream *stream = s->stream;
            s->stream = NULL;
            stream_session_start(s, stream);
        } else if (error != EAGAIN) {
            reconnect_connect_failed(s->reconnect, time_msec(), error);
            stream_close(s->stream);
            s->stream = NULL;
            s->last_error = error;
        }
    }

    switch (reconnect_run(s->reconnect, time_msec())) {
    case RECONNECT_CONNECT:
        stream_session_connect(s);
        break;

    case RECONNECT_DISCONNECT:
        reconnect_disconnected(s->reconnect, time_msec(), 0);
        stream_session_disconnect(s);
        break;

    case RECONNECT_PROBE:
        if (s->conn && s->class->send_probe) {
            s->class->send_probe(s->conn);
        }
        break;

    default:
        break;
    }
}

void
stream_session_wait(struct stream_session *s)
{
    if (s->conn) {
        s->class->wait(s->conn);
    } else if (s->stream) {
        stream_run_wait(s->stream);
        stream_connect_wait(s->stream);
    }
    if (s->pstream) {
        pstream_wait(s->pstream);
    }
    reconnect_wait(s->reconnect, time_msec());
}

void
stream_session_recv_wait(struct stream_session *s)
{
    if (s->conn) {
        s->class->recv_wait(s->conn);
    }
}

void *
stream_session_recv(struct stream_session *s)
{
    void *msg = NULL;

    if (s->conn) {
        if (s->class->recv(s->conn, &msg)) {
            reconnect_activity(s->reconnect, time_msec());
        }
        stream_session_check_ready(s);
    }
    return msg;
}

void *
stream_session_get_conn(const struct stream_session *s)
{
    return s->conn;
}

bool
stream_session_is_ready(const struct stream_session *s)
{
    return (s->conn
            && (!s->class->is_ready || s->class->is_ready(s->conn)));
}

const char *
stream_session_get_name(const struct stream_session *s)
{
    return s->name;
}

bool
stream_session_is_alive(const struct stream_session *s)
{
    return (s->conn || s->stream || s->pstream
            || reconnect_get_max_tries(s->reconnect));
}

unsigned int
stream_session_get_seqno(const struct stream_session *s)
{
    return s->seqno;
}

int
stream_session_get_last_error(const struct stream_session *s)
{
    return s->last_error;
}

const char *
stream_session_get_state(const struct stream_session *s)
{
    return reconnect_get_state_name(s->reconnect);
}

void
stream_session_force_reconnect(struct stream_session *s)
{
    reconnect_force_reconnect(s->reconnect, time_msec());
}

void
stream_session_set_backoff(struct stream_session *s, int min_backoff,
                           int max_backoff)
{
    reconnect_set_backoff(s->reconnect, min_backoff, max_backoff);
}

void
stream_session_set_max_backoff(struct stream_session *s, int max_backoff)
{
    int min_backoff = reconnect_get_min_backoff(s->reconnect);

    reconnect_set_backoff(s->reconnect, MIN(min_backoff, max_backoff),
                          max_backoff);
}

void
stream_session_set_probe_interval(struct stream_session *s,
                                  int probe_interval)
{
    if (s->class->set_probe_interval) {
        s->probe_interval = MAX(probe_interval, 0);
        if (s->conn) {
            s->class->set_probe_interval(s->conn, s->probe_interval);
        }
    } else {
        reconnect_set_probe_interval(s->reconnect, probe_interval);
    }
}
