/* reconnect: see reconnect.h. */
#include <config.h>
#include "reconnect.h"

#include <errno.h>
#include <limits.h>
#include "poll-loop.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(reconnect);

#define STATES                                  \
    STATE(VOID, 1 << 0)                         \
    STATE(BACKOFF, 1 << 1)                      \
    STATE(CONNECTING, 1 << 2)                   \
    STATE(ACTIVE, 1 << 3)                       \
    STATE(IDLE, 1 << 4)                         \
    STATE(RECONNECT, 1 << 5)                    \
    STATE(LISTENING, 1 << 6)
enum state {
#define STATE(NAME, VALUE) S_##NAME = VALUE,
    STATES
#undef STATE
};

static bool
is_connected_state(enum state state)
{
    return (state & (S_ACTIVE | S_IDLE)) != 0;
}

struct reconnect {
    /* Configuration. */
    char *name;
    int min_backoff;
    int max_backoff;
    int probe_interval;
    bool passive;
    enum vlog_level info;       /* Level for informational messages. */

    /* State. */
    enum state state;
    long long int state_entered;
    int backoff;
    long long int last_activity;
    long long int last_connected;
    long long int last_disconnected;
    unsigned int max_tries;

    /* Statistics. */
    long long int creation_time;
    unsigned int n_attempted_connections, n_successful_connections;
    unsigned int total_connected_duration;
    unsigned int seqno;
};

static void reconnect_transition(struct reconnect *, long long int now,
                                 enum state);
static long long int reconnect_deadline(const struct reconnect *);
static bool reconnect_may_retry(struct reconnect *);

#define RLOG(FSM, LEVEL, ...)                                   \
    do {                                                        \
        if (vlog_is_enabled(THIS_MODULE, LEVEL)) {              \
            vlog(THIS_MODULE, LEVEL, __VA_ARGS__);              \
        }                                                       \
    } while (0)

/* True if another connection attempt is allowed (and counts it). */
static bool
reconnect_may_retry(struct reconnect *fsm)
{
    bool may_retry = fsm->max_tries > 0;
    if (may_retry && fsm->max_tries != UINT_MAX) {
        fsm->max_tries--;
    }
    return may_retry;
}

static const char *
reconnect_state_name(enum state state)
{
    switch (state) {
#define STATE(NAME, VALUE) case S_##NAME: return #NAME;
        STATES
#undef STATE
    }
    return "***ERROR***";
}

struct reconnect *
reconnect_create(long long int now)
{
    struct reconnect *fsm = xzalloc(sizeof *fsm);

    fsm->name = xstrdup("void");
    fsm->min_backoff = RECONNECT_DEFAULT_MIN_BACKOFF;
    fsm->max_backoff = RECONNECT_DEFAULT_MAX_BACKOFF;
    fsm->probe_interval = RECONNECT_DEFAULT_PROBE_INTERVAL;
    fsm->passive = false;
    fsm->info = VLL_INFO;

    fsm->state = S_VOID;
    fsm->state_entered = now;
    fsm->backoff = 0;
    fsm->last_activity = now;
    fsm->last_connected = LLONG_MAX;
    fsm->last_disconnected = LLONG_MAX;
    fsm->max_tries = UINT_MAX;
    fsm->creation_time = now;
    return fsm;
}

void
reconnect_destroy(struct reconnect *fsm)
{
    if (fsm) {
        free(fsm->name);
        free(fsm);
    }
}

void
reconnect_set_name(struct reconnect *fsm, const char *name)
{
    free(fsm->name);
    fsm->name = xstrdup(name ? name : "void");
}

const char *
reconnect_get_name(const struct reconnect *fsm)
{
    return fsm->name;
}

void
reconnect_set_quiet(struct reconnect *fsm, bool quiet)
{
    fsm->info = quiet ? VLL_DBG : VLL_INFO;
}

int
reconnect_get_min_backoff(const struct reconnect *fsm)
{
    return fsm->min_backoff;
}

int
reconnect_get_max_backoff(const struct reconnect *fsm)
{
    return fsm->max_backoff;
}

/* Sets the backoff range.  MIN_BACKOFF is at least 1000 ms; MAX_BACKOFF 0
 * means the default, and is raised to MIN_BACKOFF if smaller. */
void
reconnect_set_backoff(struct reconnect *fsm, int min_backoff,
                      int max_backoff)
{
    fsm->min_backoff = MAX(min_backoff, 1000);
    fsm->max_backoff = (max_backoff
                        ? MAX(max_backoff, 1000)
                        : RECONNECT_DEFAULT_MAX_BACKOFF);
    if (fsm->min_backoff > fsm->max_backoff) {
        fsm->max_backoff = fsm->min_backoff;
    }
    if (fsm->state == S_BACKOFF && fsm->backoff > fsm->max_backoff) {
        fsm->backoff = fsm->max_backoff;
    }
}

int
reconnect_get_probe_interval(const struct reconnect *fsm)
{
    return fsm->probe_interval;
}

/* 0 disables probing; otherwise at least 1000 ms. */
void
reconnect_set_probe_interval(struct reconnect *fsm, int probe_interval)
{
    fsm->probe_interval = probe_interval > 0 ? MAX(1000, probe_interval) : 0;
}

unsigned int
reconnect_get_max_tries(const struct reconnect *fsm)
{
    return fsm->max_tries;
}

/* Limits the number of connection attempts (UINT_MAX: unlimited, the
 * default).  When they are used up, the FSM stays in VOID. */
void
reconnect_set_max_tries(struct reconnect *fsm, unsigned int max_tries)
{
    fsm->max_tries = max_tries;
}

bool
reconnect_is_passive(const struct reconnect *fsm)
{
    return fsm->passive;
}

void
reconnect_set_passive(struct reconnect *fsm, bool passive, long long int now)
{
    if (fsm->passive != passive) {
        fsm->passive = passive;
        if (passive
            ? fsm->state & (S_CONNECTING | S_RECONNECT)
            : fsm->state == S_LISTENING && reconnect_may_retry(fsm)) {
            reconnect_transition(fsm, now, S_BACKOFF);
            fsm->backoff = 0;
        }
    }
}

bool
reconnect_is_enabled(const struct reconnect *fsm)
{
    return fsm->state != S_VOID;
}

void
reconnect_enable(struct reconnect *fsm, long long int now)
{
    if (fsm->state == S_VOID && reconnect_may_retry(fsm)) {
        reconnect_transition(fsm, now, S_BACKOFF);
        fsm->backoff = 0;
    }
}

void
reconnect_disable(struct reconnect *fsm, long long int now)
{
    if (fsm->state != S_VOID) {
        reconnect_transition(fsm, now, S_VOID);
    }
}

void
reconnect_force_reconnect(struct reconnect *fsm, long long int now)
{
    if (fsm->state & (S_CONNECTING | S_ACTIVE | S_IDLE)) {
        reconnect_transition(fsm, now, S_RECONNECT);
    }
}

void
reconnect_skip_backoff(struct reconnect *fsm)
{
    if (fsm->state == S_BACKOFF) {
        fsm->backoff = 0;
    }
}

static const char *
error_text(int error)
{
    return error == EOF ? "closed by peer" : plx_strerror(error);
}

void
reconnect_disconnected(struct reconnect *fsm, long long int now, int error)
{
    if (fsm->state & (S_BACKOFF | S_VOID)) {
        return;
    }

    /* Report what happened. */
    if (fsm->state & (S_ACTIVE | S_IDLE)) {
        if (error > 0) {
            RLOG(fsm, VLL_WARN, "%s: connection dropped (%s)", fsm->name,
                 error_text(error));
        } else if (error == EOF) {
            /* The peer hung up: routine for clients that come and go. */
            RLOG(fsm, fsm->info, "%s: connection closed by peer", fsm->name);
        } else {
            RLOG(fsm, fsm->info, "%s: connection closed", fsm->name);
        }
    } else if (fsm->state == S_LISTENING) {
        RLOG(fsm, VLL_WARN, "%s: error listening for connections (%s)",
             fsm->name, error_text(error));
    } else if (fsm->backoff < fsm->max_backoff) {
        RLOG(fsm, fsm->info, "%s: connection attempt failed (%s)",
             fsm->name, error ? error_text(error) : "timed out");
    } else {
        RLOG(fsm, fsm->info, "%s: connection attempt timed out or failed "
             "(%s)", fsm->name, error ? error_text(error) : "timed out");
    }

    /* Compute the next backoff.  A connection that lasted (with activity)
     * at least as long as the backoff counts as healthy: start over. */
    if (fsm->state & (S_ACTIVE | S_IDLE)
        && (fsm->last_activity - fsm->last_connected >= fsm->backoff
            || fsm->passive)) {
        fsm->backoff = fsm->passive ? 0 : fsm->min_backoff;
    } else {
        if (fsm->backoff < fsm->min_backoff) {
            fsm->backoff = fsm->min_backoff;
        } else if (fsm->backoff < fsm->max_backoff / 2) {
            fsm->backoff *= 2;
        } else {
            fsm->backoff = fsm->max_backoff;
        }
        if (fsm->backoff) {
            RLOG(fsm, fsm->info, "%s: waiting %.3g seconds before %s",
                 fsm->name, fsm->backoff / 1000.0,
                 fsm->passive ? "trying to listen again" : "reconnect");
        }
    }

    if (fsm->state & (S_ACTIVE | S_IDLE)) {
        fsm->last_disconnected = now;
    }
    reconnect_transition(fsm, now,
                         reconnect_may_retry(fsm) ? S_BACKOFF : S_VOID);
}

void
reconnect_connecting(struct reconnect *fsm, long long int now)
{
    if (fsm->state != S_CONNECTING) {
        RLOG(fsm, fsm->info, "%s: %s...", fsm->name,
             fsm->passive ? "listening" : "connecting");
        reconnect_transition(fsm, now, S_CONNECTING);
    }
}

void
reconnect_listening(struct reconnect *fsm, long long int now)
{
    if (fsm->state != S_LISTENING) {
        RLOG(fsm, fsm->info, "%s: listening...", fsm->name);
        reconnect_transition(fsm, now, S_LISTENING);
    }
}

void
reconnect_listen_error(struct reconnect *fsm, long long int now, int error)
{
    if (fsm->state == S_LISTENING) {
        reconnect_disconnected(fsm, now, error);
    }
}

void
reconnect_connected(struct reconnect *fsm, long long int now)
{
    if (!is_connected_state(fsm->state)) {
        reconnect_connecting(fsm, now);
        RLOG(fsm, fsm->info, "%s: connected", fsm->name);
        reconnect_transition(fsm, now, S_ACTIVE);
        fsm->last_connected = now;
    }
}

void
reconnect_connect_failed(struct reconnect *fsm, long long int now,
                         int error)
{
    reconnect_connecting(fsm, now);
    reconnect_disconnected(fsm, now, error);
}

void
reconnect_activity(struct reconnect *fsm, long long int now)
{
    if (fsm->state != S_ACTIVE) {
        reconnect_transition(fsm, now, S_ACTIVE);
    }
    fsm->last_activity = now;
}

static void
reconnect_transition(struct reconnect *fsm, long long int now,
                     enum state state)
{
    if (fsm->state == S_CONNECTING) {
        fsm->n_attempted_connections++;
        if (state == S_ACTIVE) {
            fsm->n_successful_connections++;
        }
    }
    if (is_connected_state(fsm->state) != is_connected_state(state)) {
        if (is_connected_state(fsm->state)) {
            fsm->total_connected_duration += now - fsm->last_connected;
        }
        fsm->seqno++;
    }

    VLOG_DBG("%s: entering %s", fsm->name, reconnect_state_name(state));
    fsm->state = state;
    fsm->state_entered = now;
}

static long long int
reconnect_deadline(const struct reconnect *fsm)
{
    switch (fsm->state) {
    case S_VOID:
    case S_LISTENING:
        return LLONG_MAX;

    case S_BACKOFF:
        return fsm->state_entered + fsm->backoff;

    case S_CONNECTING:
        return fsm->state_entered + MAX(1000, fsm->backoff);

    case S_ACTIVE:
        if (fsm->probe_interval) {
            long long int base = MAX(fsm->last_activity,
                                     fsm->state_entered);
            return base + fsm->probe_interval;
        }
        return LLONG_MAX;

    case S_IDLE:
        return (fsm->probe_interval
                ? fsm->state_entered + fsm->probe_interval
                : LLONG_MAX);

    case S_RECONNECT:
        return fsm->state_entered;
    }
    PLX_NOT_REACHED();
}

enum reconnect_action
reconnect_run(struct reconnect *fsm, long long int now)
{
    if (now < reconnect_deadline(fsm)) {
        return 0;
    }

    switch (fsm->state) {
    case S_VOID:
    case S_LISTENING:
        return 0;

    case S_BACKOFF:
        return RECONNECT_CONNECT;

    case S_CONNECTING:
        return RECONNECT_DISCONNECT;

    case S_ACTIVE:
        VLOG_DBG("%s: idle %lld ms, sending inactivity probe", fsm->name,
                 now - MAX(fsm->last_activity, fsm->state_entered));
        reconnect_transition(fsm, now, S_IDLE);
        return RECONNECT_PROBE;

    case S_IDLE:
        RLOG(fsm, VLL_ERR, "%s: no response to inactivity probe after "
             "%.3g seconds, disconnecting", fsm->name,
             (now - fsm->state_entered) / 1000.0);
        return RECONNECT_DISCONNECT;

    case S_RECONNECT:
        return RECONNECT_DISCONNECT;
    }
    PLX_NOT_REACHED();
}

void
reconnect_wait(struct reconnect *fsm, long long int now)
{
    int timeout = reconnect_timeout(fsm, now);
    if (timeout >= 0) {
        poll_timer_wait(timeout);
    }
}

/* Milliseconds until reconnect_run() has something to do (0 if now), or
 * -1 if it never will without an event. */
int
reconnect_timeout(struct reconnect *fsm, long long int now)
{
    long long int deadline = reconnect_deadline(fsm);
    if (deadline != LLONG_MAX) {
        long long int remaining = deadline - now;
        return MAX(0, MIN(remaining, INT_MAX));
    }
    return -1;
}

bool
reconnect_is_connected(const struct reconnect *fsm)
{
    return is_connected_state(fsm->state);
}

unsigned int
reconnect_get_last_connect_elapsed(const struct reconnect *fsm,
                                   long long int now)
{
    return (fsm->last_connected == LLONG_MAX ? UINT_MAX
            : MIN(now - fsm->last_connected, UINT_MAX));
}

unsigned int
reconnect_get_last_disconnect_elapsed(const struct reconnect *fsm,
                                      long long int now)
{
    return (fsm->last_disconnected == LLONG_MAX ? UINT_MAX
            : MIN(now - fsm->last_disconnected, UINT_MAX));
}

int
reconnect_get_backoff(const struct reconnect *fsm)
{
    return fsm->backoff;
}

const char *
reconnect_get_state_name(const struct reconnect *fsm)
{
    return reconnect_state_name(fsm->state);
}

void
reconnect_get_stats(const struct reconnect *fsm, long long int now,
                    struct reconnect_stats *stats)
{
    stats->creation_time = fsm->creation_time;
    stats->last_activity = fsm->last_activity;
    stats->last_connected = fsm->last_connected;
    stats->last_disconnected = fsm->last_disconnected;
    stats->backoff = fsm->backoff;
    stats->seqno = fsm->seqno;
    stats->is_connected = reconnect_is_connected(fsm);
    stats->msec_since_connect = reconnect_get_last_connect_elapsed(fsm, now);
    stats->msec_since_disconnect
        = reconnect_get_last_disconnect_elapsed(fsm, now);
    stats->total_connected_duration = fsm->total_connected_duration
        + (is_connected_state(fsm->state)
           ? reconnect_get_last_connect_elapsed(fsm, now) : 0);
    stats->n_attempted_connections = fsm->n_attempted_connections;
    stats->n_successful_connections = fsm->n_successful_connections;
    stats->state = reconnect_state_name(fsm->state);
    stats->state_elapsed = MIN(now - fsm->state_entered, UINT_MAX);
}
