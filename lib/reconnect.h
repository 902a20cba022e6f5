/*
 * reconnect: when to connect, probe and give up, as a pure state machine.
 *
 * A reconnect FSM does no I/O and reads no clock: every function that
 * depends on time takes NOW (milliseconds, from time_msec() in real use,
 * anything monotonic in tests).  Its owner tells it what happened
 * (reconnect_connecting(), _connected(), _connect_failed(),
 * _disconnected(), _activity() when data arrived) and asks it what to do
 * next with reconnect_run(), which returns one action:
 *
 *     RECONNECT_CONNECT      start connecting (or, passive, listening)
 *     RECONNECT_DISCONNECT   drop the connection or the attempt
 *     RECONNECT_PROBE        nothing received for probe_interval: send
 *                            an inactivity probe (e.g. a JSON-RPC echo)
 *     0                      nothing to do now
 *
 * and reconnect_wait() arranges for the poll loop to wake when the next
 * action is due.  States:
 *
 *     VOID        not enabled, or gave up (max_tries used)
 *     BACKOFF     waiting 'backoff' ms before the next attempt
 *     CONNECTING  attempt under way (times out after max(backoff, 1 s))
 *     ACTIVE      connected, data seen within probe_interval
 *     IDLE        probe sent; no data since: disconnect after another
 *                 probe_interval
 *     RECONNECT   forced reconnect requested: disconnect now
 *     LISTENING   passive mode: listening for connections
 *
 * Backoff grows exponentially: min_backoff after the first failure, then
 * doubling up to max_backoff.  A connection that stayed up (with data)
 * for at least the current backoff resets it to min_backoff, so a flaky
 * peer does not get hammered and a healthy one reconnects quickly.  In
 * passive mode backoff only spaces out failed listen attempts.
 *
 * This mirrors Open vSwitch's lib/reconnect, so its users (jsonrpc
 * sessions, OpenFlow connections) behave like OVS's.
 */
#ifndef PLX_RECONNECT_H
#define PLX_RECONNECT_H 1

#include <stdbool.h>

struct reconnect;

enum reconnect_action {
    RECONNECT_CONNECT = 1,
    RECONNECT_DISCONNECT,
    RECONNECT_PROBE,
};

#define RECONNECT_DEFAULT_MIN_BACKOFF 1000
#define RECONNECT_DEFAULT_MAX_BACKOFF 8000
#define RECONNECT_DEFAULT_PROBE_INTERVAL 5000

struct reconnect *reconnect_create(long long int now);
void reconnect_destroy(struct reconnect *);

/* Name for log messages (copied). */
void reconnect_set_name(struct reconnect *, const char *name);
const char *reconnect_get_name(const struct reconnect *);
/* Log state changes at INFO (default) or DBG when QUIET. */
void reconnect_set_quiet(struct reconnect *, bool quiet);

/* Configuration. */
int reconnect_get_min_backoff(const struct reconnect *);
int reconnect_get_max_backoff(const struct reconnect *);
void reconnect_set_backoff(struct reconnect *, int min_backoff,
                           int max_backoff);
int reconnect_get_probe_interval(const struct reconnect *);
void reconnect_set_probe_interval(struct reconnect *, int probe_interval);
unsigned int reconnect_get_max_tries(const struct reconnect *);
void reconnect_set_max_tries(struct reconnect *, unsigned int max_tries);
bool reconnect_is_passive(const struct reconnect *);
void reconnect_set_passive(struct reconnect *, bool passive,
                           long long int now);

bool reconnect_is_enabled(const struct reconnect *);
void reconnect_enable(struct reconnect *, long long int now);
void reconnect_disable(struct reconnect *, long long int now);
void reconnect_force_reconnect(struct reconnect *, long long int now);
void reconnect_skip_backoff(struct reconnect *);

/* Events.  ERROR is a positive errno value, EOF (-1) for a clean close by
 * the peer, or 0. */
void reconnect_connecting(struct reconnect *, long long int now);
void reconnect_connected(struct reconnect *, long long int now);
void reconnect_connect_failed(struct reconnect *, long long int now,
                              int error);
void reconnect_disconnected(struct reconnect *, long long int now,
                            int error);
void reconnect_listening(struct reconnect *, long long int now);
void reconnect_listen_error(struct reconnect *, long long int now,
                            int error);
void reconnect_activity(struct reconnect *, long long int now);

/* What to do now, and when to ask again. */
enum reconnect_action reconnect_run(struct reconnect *, long long int now);
void reconnect_wait(struct reconnect *, long long int now);
int reconnect_timeout(struct reconnect *, long long int now);

/* Queries. */
bool reconnect_is_connected(const struct reconnect *);
unsigned int reconnect_get_last_connect_elapsed(const struct reconnect *,
                                                long long int now);
unsigned int reconnect_get_last_disconnect_elapsed(const struct reconnect *,
                                                   long long int now);
int reconnect_get_backoff(const struct reconnect *);
const char *reconnect_get_state_name(const struct reconnect *);

struct reconnect_stats {
    /* All times and durations in this structure are in milliseconds. */
    long long int creation_time;     /* Time reconnect_create() called. */
    long long int last_activity;     /* Last call to reconnect_activity(). */
    long long int last_connected;    /* Last call to reconnect_connected(). */
    long long int last_disconnected; /* Last call to _disconnected(). */
    int backoff;                     /* Current backoff duration.  */

    unsigned int seqno;              /* Changes when connected or not. */

    bool is_connected;
    unsigned int msec_since_connect;    /* Time since last connect. */
    unsigned int msec_since_disconnect; /* Time since last disconnect. */
    unsigned int total_connected_duration;  /* Sum of all connections. */
    unsigned int n_attempted_connections;
    unsigned int n_successful_connections;

    const char *state;               /* Name of the current state. */
    unsigned int state_elapsed;      /* Time in the current state. */
};

void reconnect_get_stats(const struct reconnect *, long long int now,
                         struct reconnect_stats *);

#endif /* reconnect.h */
