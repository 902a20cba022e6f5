/*
 * connmgr: the OpenFlow connections of one bridge.
 *
 * A connection manager owns every OpenFlow connection of a bridge and
 * knows nothing about flow tables: the bridge (ofproto) hands it a
 * struct connmgr_handler, and connmgr passes it each message it does not
 * answer itself.  This mirrors Open vSwitch's ofproto/connmgr.c.
 *
 * Connections.  Each one is a struct ofconn, of one of two types:
 *
 *   - OFCONN_PRIMARY: an active controller target ("tcp:IP:PORT",
 *     "ssl:IP:PORT", "unix:FILE").  connmgr connects and, when the
 *     connection drops, reconnects with exponential backoff (1 s up to
 *     the target's max_backoff) through an ofpconn_session.  The struct
 *     ofconn lives as long as the target is configured and is reused by
 *     every reconnection; its per-connection state (role, asynchronous
 *     configuration, miss_send_len) is reset whenever a new connection
 *     comes up.
 *
 *   - OFCONN_SERVICE: accepted by a listener, either a passive controller
 *     target ("ptcp:PORT[:IP]", "pssl:PORT[:IP]", "punix:FILE") or the
 *     bridge's management socket (connmgr_set_mgmt_socket(), OVS's
 *     "punix:RUNDIR/BRIDGE.mgmt" used by ovs-ofctl and plx-ofctl).  Every
 *     accepted connection is its own struct ofconn, destroyed when it
 *     closes.  As in OVS, a service connection starts with miss_send_len
 *     0 and so receives no asynchronous messages until it sets a nonzero
 *     miss_send_len (SET_CONFIG) or an asynchronous configuration
 *     (SET_ASYNC, which also raises miss_send_len to the default 128).
 *
 * "Controllers" are the configured targets, active and passive: they are
 * what connmgr_has_controllers() counts, what fail-open watches and what
 * connmgr_get_controller_info() reports.  Management connections are
 * never controllers, and their role is always "equal": a ROLE_REQUEST
 * for master or slave on one is refused with OFPRRFC_UNSUP.
 *
 * Messages.  A connection negotiates its version and answers echoes by
 * itself (lib/ofp-conn.h).  connmgr then, for every message received:
 *
 *   1. Decodes its type (ofptype_decode_msg()); a malformed message (bad
 *      type, bad multipart type, bad length, vendor extension) gets the
 *      matching error reply and the connection carries on.
 *   2. Logs and drops OFPT_ERROR (an error is never answered), and
 *      answers other switch-to-controller types (PACKET_IN, FEATURES_REPLY,
 *      any *_REPLY) with OFPBRC_BAD_TYPE, as OVS does.
 *   3. Answers itself: ROLE_REQUEST, GET_ASYNC_REQUEST, SET_ASYNC,
 *      GET_CONFIG_REQUEST, SET_CONFIG, BARRIER_REQUEST.  Messages are
 *      handled synchronously, in order, so a BARRIER_REPLY is sent only
 *      after every earlier message of that connection was handled.
 *   4. Refuses, with OFPBRC_IS_SLAVE, the messages that change the switch
 *      when the connection is a slave: PACKET_OUT, FLOW_MOD, GROUP_MOD,
 *      PORT_MOD, TABLE_MOD, METER_MOD (OVS's reject_slave_controller()
 *      list).  (OVS exempts service connections from this check; here a
 *      passive controller can become slave, so the rule applies to every
 *      slave connection.)
 *   5. Passes everything else (FEATURES_REQUEST, multipart requests,
 *      FLOW_MOD from a master, ...) to handler->handle_msg().  If that
 *      returns an error, connmgr sends the error reply.
 *
 * Roles (OpenFlow 1.3; an OpenFlow 1.0 connection is always "equal").
 * A ROLE_REQUEST for master or slave with a generation_id older than the
 * newest one seen by this bridge (compared as a signed 64-bit
 * difference, so it wraps) fails with OFPRRFC_STALE; otherwise it
 * becomes the newest.  Becoming master demotes every other master to
 * slave.  OpenFlow 1.3 has no ROLE_STATUS message (it arrived in 1.4,
 * and OVS's 1.3 default asynchronous configuration does not enable its
 * ONF extension), so a demoted controller is told nothing.
 *
 * Switch configuration.  miss_send_len is per connection; fragment
 * handling is switch-wide, kept here (connmgr_get_frag_handling()) and
 * changed by SET_CONFIG from any non-slave connection.  As in OVS,
 * OFPC_FRAG_REASM is not supported: it is ignored (logged), not refused.
 *
 * Asynchronous messages.  connmgr_send_async() offers a PACKET_IN,
 * FLOW_REMOVED or PORT_STATUS with a reason to every connection that is
 * up and whose asynchronous configuration takes it: the "master" masks
 * for master and equal roles, the "slave" masks for slaves
 * (ofputil_async_cfg_default(): slaves get only PORT_STATUS), and
 * nothing for a service connection whose miss_send_len is 0.  PACKET_INs
 * are dropped for a connection that already has CONNMGR_PACKET_IN_BACKLOG
 * messages queued (ofpconn_send_limited()), so a slow controller cannot
 * make the switch buffer without bound.
 *
 * Fail-open.  connmgr_fail_open_active() says whether a bridge in
 * fail_mode standalone should behave as a normal learning switch now:
 * true when controllers are configured, none is connected, and none has
 * been for the trigger time (connmgr_fail_open_trigger()): three times
 * the longest inactivity probe interval among the controllers (one
 * interval to notice the silence, one for the probe's answer, one to
 * reconnect), at least CONNMGR_FAIL_OPEN_MIN_MS; a controller with probes
 * disabled counts as the default 5 s.  The clock starts when the last
 * controller disconnected, or when the controllers were configured if
 * none ever connected.  fail_mode secure never fails open.  With no
 * controllers configured at all, the answer is false: whether such a
 * bridge is a normal switch (standalone) or drops everything (secure) is
 * the bridge's decision, with connmgr_has_controllers().
 *
 * Main loop and callbacks.  Call connmgr_run() and connmgr_wait() on
 * every iteration; connmgr_wait() also wakes the loop when fail-open is
 * due to change.  The handler's callbacks are called from connmgr_run()
 * (and disconnected() also from connmgr_set_controllers() and
 * connmgr_set_mgmt_socket()); they may send messages (ofconn_send_*(),
 * connmgr_send_async()) and query anything, but must not reconfigure or
 * destroy the connmgr.  Nothing here is thread-safe.
 */
#ifndef PLX_CONNMGR_H
#define PLX_CONNMGR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "list.h"
#include "ofp-errors.h"
#include "ofp-msgs.h"
#include "ofproto/ofproto.h"
#include "openflow.h"
#include "smap.h"

struct connmgr;
struct ofconn;

/* PACKET_INs beyond this many queued messages are dropped. */
#define CONNMGR_PACKET_IN_BACKLOG 100

/* Lower bound of the fail-open trigger time. */
#define CONNMGR_FAIL_OPEN_MIN_MS 1000

/* struct connmgr_controller's probe_interval for "the default": 5 s for
 * tcp and ssl targets, none for unix ones. */
#define CONNMGR_PROBE_DEFAULT (-1)

struct connmgr_handler {
    /* Handles one message (whole, its header length field is its size) of
     * TYPE from OFCONN.  Returns 0 (any reply sent with ofconn_send_*()),
     * or an error for which connmgr sends the error reply.  Required. */
    enum ofperr (*handle_msg)(void *aux, struct ofconn *,
                              const struct ofp_header *, enum ofptype);

    /* Optional.  OFCONN has just negotiated a version (it may now send). */
    void (*connected)(void *aux, struct ofconn *);

    /* Optional.  A connection reported by connected() went down.  During
     * the call its version and role are still those it had; afterwards
     * its role is reset to equal.  For a service connection, OFCONN is
     * freed right after this returns. */
    void (*disconnected)(void *aux, struct ofconn *);

    /* Optional.  A SET_CONFIG changed the switch's fragment handling. */
    void (*frag_changed)(void *aux, enum ofputil_frag_handling);
};

/* One controller target (a row of the database's Controller table). */
struct connmgr_controller {
    const char *target;         /* "tcp:...", "ptcp:...", ... */
    int max_backoff;            /* Milliseconds; 0: default 8000. */
    int probe_interval;         /* ms; 0: none; CONNMGR_PROBE_DEFAULT. */
    uint32_t allowed_versions;  /* OFP_VERSION_BIT()s; 0: all supported. */
};

enum ofconn_type {
    OFCONN_PRIMARY,             /* Active controller target. */
    OFCONN_SERVICE              /* Accepted on a listener. */
};

/* ---- The manager. ---- */

/* HANDLER must outlive the connmgr; AUX is passed to its callbacks.
 * BRIDGE_NAME is for log messages. */
struct connmgr *connmgr_create(const char *bridge_name,
                               const struct connmgr_handler *handler,
                               void *aux);
/* Closes every connection and listener.  Calls no callbacks. */
void connmgr_destroy(struct connmgr *);

void connmgr_run(struct connmgr *);
void connmgr_wait(struct connmgr *);

/* Replaces the controller targets by the N in CONTROLLERS.  A target
 * already configured keeps its connections (its backoff and probe
 * interval are updated in place; a change of allowed versions restarts
 * it); a target no longer listed is closed with its connections.
 * Invalid targets (unknown syntax, no supported version, duplicates) are
 * logged and skipped, and the function then returns EINVAL; otherwise
 * 0. */
int connmgr_set_controllers(struct connmgr *,
                            const struct connmgr_controller *controllers,
                            size_t n);

/* Listens for management connections on unix socket PATH (NULL: none).
 * A stale socket file left at PATH by a dead process is replaced.
 * Changing the path closes the old socket's connections.  Returns 0 or
 * the error from listening (retried later with backoff). */
int connmgr_set_mgmt_socket(struct connmgr *, const char *path);

/* The TCP port that passive TARGET (as configured, e.g. "ptcp:0") is
 * bound to, or 0 if it is not a listening tcp/ssl target. */
uint16_t connmgr_get_bound_port(const struct connmgr *, const char *target);

/* Number of connections that are up (negotiated), of any type. */
size_t connmgr_count_connections(const struct connmgr *);

/* ---- Fail-open. ---- */

bool connmgr_has_controllers(const struct connmgr *);
/* True if some controller (not a management connection) is connected. */
bool connmgr_is_any_controller_connected(const struct connmgr *);
/* Milliseconds without a controller after which standalone fails open
 * (see above); 0 if there are no controllers. */
int connmgr_fail_open_trigger(const struct connmgr *);
bool connmgr_fail_open_active(const struct connmgr *,
                              enum ofproto_fail_mode);

/* ---- Switch-wide configuration. ---- */

enum ofputil_frag_handling connmgr_get_frag_handling(const struct connmgr *);
/* Sets it without notifying the handler (e.g. when the bridge resets). */
void connmgr_set_frag_handling(struct connmgr *, enum ofputil_frag_handling);

/* ---- Asynchronous messages. ---- */

/* Builds the message for a connection of VERSION with MISS_SEND_LEN, or
 * returns NULL if it cannot be expressed there (that connection is then
 * skipped).  Called at most once per (version, miss_send_len) pair per
 * connmgr_send_async() call. */
typedef struct ofpmsg *connmgr_async_builder(void *aux, uint8_t version,
                                             uint16_t miss_send_len);

/* Sends a message of TYPE (OFPTYPE_PACKET_IN, OFPTYPE_FLOW_REMOVED or
 * OFPTYPE_PORT_STATUS) for REASON (OFPR_*, OFPRR_* or OFPPR_*, below 32)
 * to every connection that wants it (see above).  Returns the number of
 * connections it was queued to. */
size_t connmgr_send_async(struct connmgr *, enum ofptype type,
                          unsigned int reason, connmgr_async_builder *,
                          void *aux);

/* ---- Status, for the database's Controller table. ---- */

struct connmgr_controller_info {
    char *target;
    bool is_connected;
    enum ofp12_controller_role role;    /* Of the connection; for a
                                         * passive target, the highest of
                                         * its connections'. */
    struct smap pairs;          /* "last_error", "state",
                                 * "sec_since_connect",
                                 * "sec_since_disconnect". */
};
/* "state" is ACTIVE (connected), CONNECTING (a transport connect in
 * progress, or a connection negotiating its version), BACKOFF (an active
 * target waiting before its next attempt), LISTENING (a passive target
 * with no connection), or BACKOFF for a passive target that cannot
 * listen.
 * "last_error" is omitted when there was none; "End of file" means the
 * peer closed the connection. */

/* Stores in '*infosp' a malloc'd array of '*np' entries, one per
 * configured target in configuration order.  Free it with
 * connmgr_free_controller_info(). */
void connmgr_get_controller_info(const struct connmgr *,
                                 struct connmgr_controller_info **infosp,
                                 size_t *np);
void connmgr_free_controller_info(struct connmgr_controller_info *,
                                  size_t n);

/* "master", "slave" or "other" (equal), as the database spells roles. */
const char *connmgr_role_to_string(enum ofp12_controller_role);

/* ---- One connection. ---- */

enum ofconn_type ofconn_get_type(const struct ofconn *);
/* True for connections of configured targets, false for management. */
bool ofconn_is_controller(const struct ofconn *);
/* For log messages. */
const char *ofconn_get_name(const struct ofconn *);
/* The negotiated version, or 0 while the connection is not up. */
uint8_t ofconn_get_version(const struct ofconn *);
enum ofp12_controller_role ofconn_get_role(const struct ofconn *);
uint16_t ofconn_get_miss_send_len(const struct ofconn *);
void ofconn_get_async_config(const struct ofconn *,
                             struct ofputil_async_cfg *);

/* Queue MSG (taking ownership) or every struct ofpmsg of REPLIES (left
 * empty).  Messages for a connection that is not up are discarded. */
void ofconn_send_reply(struct ofconn *, struct ofpmsg *msg);
void ofconn_send_replies(struct ofconn *, struct plx_list *replies);
/* Sends an error reply to REQUEST (a whole received message) and logs it
 * (rate-limited). */
void ofconn_send_error(struct ofconn *, const struct ofp_header *request,
                       enum ofperr);

#endif /* connmgr.h */
