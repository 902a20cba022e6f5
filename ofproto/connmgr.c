/* OpenFlow connection manager of one bridge: see connmgr.h. */
#include <config.h>
#include "ofproto/connmgr.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include "ofp-conn.h"
#include "poll-loop.h"
#include "reconnect.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Messages handled per connection per connmgr_run(), so that one busy
 * connection cannot starve the others. */
#define CONNMGR_MAX_MSGS_PER_RUN 50

/* Connections accepted per listener per connmgr_run(). */
#define CONNMGR_MAX_ACCEPTS_PER_RUN 10

/* A listener: a passive controller target, or the management socket. */
struct cm_listener {
    char *name;                 /* "ptcp:...", "punix:...". */
    struct pstream *pstream;    /* NULL while waiting to retry. */
    int backoff;                /* Delay before the next retry, ms. */
    int max_backoff;
    long long int next_retry;   /* When to retry listening. */
    int last_error;             /* Last listen or accept error, or 0. */
};

/* One configured controller target. */
struct cm_target {
    struct plx_list node;       /* In connmgr's 'targets'. */
    struct connmgr *mgr;
    char *name;
    bool passive;
    int max_backoff;
    int probe_interval;         /* Effective: never CONNMGR_PROBE_DEFAULT. */
    uint32_t allowed_versions;

    /* Active target. */
    struct ofpconn_session *session;
    struct ofconn *ofconn;      /* Always exists. */
    unsigned int seqno;         /* Session seqno when 'ofconn' came up. */

    /* Passive target. */
    struct cm_listener listener;
    size_t n_up;                /* Its connections that are up. */

    /* Status. */
    long long int created;          /* time_msec() at configuration. */
    long long int last_connect;     /* LLONG_MIN if never. */
    long long int last_disconnect;  /* LLONG_MIN if never. */
};

struct ofconn {
    struct plx_list node;       /* In connmgr's 'conns'. */
    struct connmgr *mgr;
    struct cm_target *target;   /* NULL for a management connection. */
    enum ofconn_type type;
    struct ofpconn *conn;       /* Service: owned.  Primary: the session's
                                 * connection while up, else NULL. */
    char *name;                 /* Primary only ('conn' may be NULL). */
    bool up;                    /* Reported by handler->connected(). */
    uint8_t version;            /* Negotiated, while 'up' (kept here: a
                                 * session may free 'conn' before it tells
                                 * us the connection went down). */

    /* Per-connection state, reset when a connection comes up. */
    enum ofp12_controller_role role;
    struct ofputil_async_cfg async;
    uint16_t miss_send_len;
};

struct connmgr {
    char *name;                 /* Bridge name. */
    const struct connmgr_handler *handler;
    void *aux;

    struct plx_list targets;    /* struct cm_target, configuration order. */
    struct plx_list conns;      /* Every struct ofconn. */

    struct cm_listener *mgmt;   /* Management socket, or NULL. */

    bool election_id_defined;
    uint64_t election_id;

    enum ofputil_frag_handling frag;
};

static void ofconn_destroy(struct ofconn *);
static void ofconn_went_down(struct ofconn *);

/* ---- Listeners. ---- */

static int
cm_listener_open(struct cm_listener *l)
{
    int error = pstream_open_with_default_port(l->name, OFP_TCP_PORT,
                                               &l->pstream);
    if (error) {
        l->pstream = NULL;
        l->last_error = error;
        l->next_retry = time_msec() + l->backoff;
        l->backoff = MIN(l->backoff * 2, l->max_backoff);
        VLOG_WARN_RL(&rl, "%s: listening failed: %s (retrying)", l->name,
                     plx_strerror(error));
    } else {
        l->backoff = RECONNECT_DEFAULT_MIN_BACKOFF;
        VLOG_INFO("%s: listening", l->name);
    }
    return error;
}

static int
cm_listener_init(struct cm_listener *l, const char *name, int max_backoff)
{
    memset(l, 0, sizeof *l);
    l->name = xstrdup(name);
    l->backoff = RECONNECT_DEFAULT_MIN_BACKOFF;
    l->max_backoff = MAX(max_backoff, RECONNECT_DEFAULT_MIN_BACKOFF);
    return cm_listener_open(l);
}

static void
cm_listener_destroy(struct cm_listener *l)
{
    pstream_close(l->pstream);
    free(l->name);
}

/* Accepts a new stream from L into '*streamp', or returns EAGAIN. */
static int
cm_listener_accept(struct cm_listener *l, struct stream **streamp)
{
    *streamp = NULL;
    if (!l->pstream) {
        if (time_msec() >= l->next_retry) {
            cm_listener_open(l);
        }
        return EAGAIN;
    }

    int error = pstream_accept(l->pstream, streamp);
    if (error && error != EAGAIN) {
        VLOG_WARN_RL(&rl, "%s: accept failed: %s", l->name,
                     plx_strerror(error));
        l->last_error = error;
        if (error != EMFILE && error != ENFILE && error != ENOBUFS
            && error != ENOMEM && error != ECONNABORTED) {
            /* The listener itself is broken: reopen it later. */
            pstream_close(l->pstream);
            l->pstream = NULL;
            l->next_retry = time_msec() + l->backoff;
        }
        return EAGAIN;
    }
    return error;
}

static void
cm_listener_wait(const struct cm_listener *l)
{
    if (l->pstream) {
        pstream_wait(l->pstream);
    } else {
        poll_timer_wait_until(l->next_retry);
    }
}

/* ---- Connections. ---- */

static void
ofconn_reset(struct ofconn *ofconn)
{
    ofconn->role = OFPCR12_ROLE_EQUAL;
    ofputil_async_cfg_default(&ofconn->async);
    ofconn->miss_send_len = (ofconn->type == OFCONN_PRIMARY
                             ? OFP_DEFAULT_MISS_SEND_LEN : 0);
}

static struct ofconn *
ofconn_create(struct connmgr *mgr, struct cm_target *target,
              enum ofconn_type type, struct ofpconn *conn)
{
    struct ofconn *ofconn = xzalloc(sizeof *ofconn);

    ofconn->mgr = mgr;
    ofconn->target = target;
    ofconn->type = type;
    ofconn->conn = conn;
    if (type == OFCONN_PRIMARY) {
        ofconn->name = xstrdup(target->name);
    }
    ofconn_reset(ofconn);
    plx_list_push_back(&mgr->conns, &ofconn->node);
    return ofconn;
}

/* Reports OFCONN as down, if it was up. */
static void
ofconn_went_down(struct ofconn *ofconn)
{
    struct connmgr *mgr = ofconn->mgr;
    struct cm_target *t = ofconn->target;

    if (!ofconn->up) {
        return;
    }
    /* The handler still sees the connection as it was (its version). */
    if (mgr->handler->disconnected) {
        mgr->handler->disconnected(mgr->aux, ofconn);
    }
    ofconn->up = false;
    /* As Open vSwitch's ofconn_flush(): a connection that is down has no
     * role (the database says "other") and will renegotiate the rest. */
    ofconn_reset(ofconn);
    if (ofconn->type == OFCONN_PRIMARY) {
        VLOG_INFO("%s<->%s: disconnected", mgr->name, ofconn_get_name(ofconn));
    } else {
        VLOG_DBG_RL(&rl, "%s<->%s: disconnected", mgr->name,
                    ofconn_get_name(ofconn));
    }
    if (t && (!t->passive || !--t->n_up)) {
        t->last_disconnect = time_msec();
    }
}

/* Reports OFCONN as up: it has negotiated a version. */
static void
ofconn_came_up(struct ofconn *ofconn)
{
    struct connmgr *mgr = ofconn->mgr;
    struct cm_target *t = ofconn->target;

    ofconn_reset(ofconn);
    ofconn->up = true;
    ofconn->version = ofpconn_get_version(ofconn->conn);
    if (ofconn->type == OFCONN_PRIMARY) {
        VLOG_INFO("%s<->%s: connected (OpenFlow 0x%02x)", mgr->name,
                  ofconn_get_name(ofconn), ofconn_get_version(ofconn));
    } else {
        VLOG_DBG_RL(&rl, "%s<->%s: connected (OpenFlow 0x%02x)", mgr->name,
                    ofconn_get_name(ofconn), ofconn_get_version(ofconn));
    }
    if (t && (!t->passive || !t->n_up++)) {
        t->last_connect = time_msec();
    }
    if (mgr->handler->connected) {
        mgr->handler->connected(mgr->aux, ofconn);
    }
}

/* Frees OFCONN without calling back. */
static void
ofconn_destroy(struct ofconn *ofconn)
{
    plx_list_remove(&ofconn->node);
    if (ofconn->type == OFCONN_SERVICE) {
        ofpconn_close(ofconn->conn);
    }
    free(ofconn->name);
    free(ofconn);
}

/* Closes and frees every service connection that belongs to TARGET (NULL:
 * the management socket's), reporting them down first if CALLBACKS. */
static void
connmgr_close_service_conns(struct connmgr *mgr, struct cm_target *target,
                            bool callbacks)
{
    struct ofconn *ofconn;

    LIST_FOR_EACH_SAFE (ofconn, node, &mgr->conns) {
        if (ofconn->type == OFCONN_SERVICE && ofconn->target == target) {
            if (callbacks) {
                ofconn_went_down(ofconn);
            }
            ofconn_destroy(ofconn);
        }
    }
}

/* ---- Targets. ---- */

static int
cm_effective_probe(const char *target, int probe_interval)
{
    if (probe_interval < 0) {
        return (stream_or_pstream_needs_probes(target)
                ? OFPCONN_DEFAULT_PROBE_INTERVAL : 0);
    }
    return probe_interval;
}

static void
cm_target_apply_settings(struct cm_target *t)
{
    if (t->passive) {
        struct ofconn *ofconn;

        t->listener.max_backoff = MAX(t->max_backoff,
                                      RECONNECT_DEFAULT_MIN_BACKOFF);
        LIST_FOR_EACH (ofconn, node, &t->mgr->conns) {
            if (ofconn->target == t) {
                ofpconn_set_probe_interval(ofconn->conn, t->probe_interval);
            }
        }
    } else {
        ofpconn_session_set_backoff(t->session,
                                    RECONNECT_DEFAULT_MIN_BACKOFF,
                                    t->max_backoff);
        ofpconn_session_set_probe_interval(t->session, t->probe_interval);
    }
}

static struct cm_target *
cm_target_create(struct connmgr *mgr, const struct connmgr_controller *c,
                 bool passive, uint32_t versions)
{
    struct cm_target *t = xzalloc(sizeof *t);

    t->mgr = mgr;
    t->name = xstrdup(c->target);
    t->passive = passive;
    t->max_backoff = (c->max_backoff > 0 ? c->max_backoff
                      : RECONNECT_DEFAULT_MAX_BACKOFF);
    t->probe_interval = cm_effective_probe(c->target, c->probe_interval);
    t->allowed_versions = versions;
    t->created = time_msec();
    t->last_connect = t->last_disconnect = LLONG_MIN;

    if (passive) {
        cm_listener_init(&t->listener, t->name, t->max_backoff);
    } else {
        t->session = ofpconn_session_open(t->name, versions, true);
        t->ofconn = ofconn_create(mgr, t, OFCONN_PRIMARY, NULL);
    }
    cm_target_apply_settings(t);
    plx_list_push_back(&mgr->targets, &t->node);
    return t;
}

static void
cm_target_destroy(struct cm_target *t, bool callbacks)
{
    struct connmgr *mgr = t->mgr;

    if (t->passive) {
        connmgr_close_service_conns(mgr, t, callbacks);
        cm_listener_destroy(&t->listener);
    } else {
        if (callbacks) {
            ofconn_went_down(t->ofconn);
        }
        ofconn_destroy(t->ofconn);
        ofpconn_session_close(t->session);
    }
    plx_list_remove(&t->node);
    free(t->name);
    free(t);
}

static struct cm_target *
cm_target_find(const struct connmgr *mgr, const char *name)
{
    struct cm_target *t;

    LIST_FOR_EACH (t, node, &mgr->targets) {
        if (!strcmp(t->name, name)) {
            return t;
        }
    }
    return NULL;
}

/* ---- The manager. ---- */

struct connmgr *
connmgr_create(const char *bridge_name, const struct connmgr_handler *handler,
               void *aux)
{
    struct connmgr *mgr = xzalloc(sizeof *mgr);

    plx_assert(handler && handler->handle_msg);
    mgr->name = xstrdup(bridge_name);
    mgr->handler = handler;
    mgr->aux = aux;
    plx_list_init(&mgr->targets);
    plx_list_init(&mgr->conns);
    mgr->frag = OFPUTIL_FRAG_NORMAL;
    return mgr;
}

static void
connmgr_close_mgmt(struct connmgr *mgr, bool callbacks)
{
    if (mgr->mgmt) {
        connmgr_close_service_conns(mgr, NULL, callbacks);
        cm_listener_destroy(mgr->mgmt);
        free(mgr->mgmt);
        mgr->mgmt = NULL;
    }
}

void
connmgr_destroy(struct connmgr *mgr)
{
    if (mgr) {
        struct cm_target *t;

        LIST_FOR_EACH_SAFE (t, node, &mgr->targets) {
            cm_target_destroy(t, false);
        }
        connmgr_close_mgmt(mgr, false);
        plx_assert(plx_list_is_empty(&mgr->conns));
        free(mgr->name);
        free(mgr);
    }
}

int
connmgr_set_controllers(struct connmgr *mgr,
                        const struct connmgr_controller *controllers,
                        size_t n)
{
    struct plx_list old_targets;
    struct cm_target *t;
    int retval = 0;

    /* Move the old targets aside; those still wanted move back, in the
     * new order. */
    plx_list_init(&old_targets);
    plx_list_push_back_all(&old_targets, &mgr->targets);

    for (size_t i = 0; i < n; i++) {
        const struct connmgr_controller *c = &controllers[i];
        uint32_t versions = (c->allowed_versions ? c->allowed_versions
                             : OFP_SUPPORTED_VERSIONS);
        bool passive = !pstream_verify_name(c->target);

        if (!passive && stream_verify_name(c->target)) {
            VLOG_WARN_RL(&rl, "%s: invalid controller target \"%s\"",
                         mgr->name, c->target);
            retval = EINVAL;
            continue;
        }
        if (!(versions & OFP_SUPPORTED_VERSIONS)) {
            VLOG_WARN_RL(&rl, "%s: controller %s allows no supported "
                         "OpenFlow version (bitmap 0x%"PRIx32")",
                         mgr->name, c->target, versions);
            retval = EINVAL;
            continue;
        }
        versions &= OFP_SUPPORTED_VERSIONS;
        if (cm_target_find(mgr, c->target)) {
            VLOG_WARN_RL(&rl, "%s: duplicate controller target %s ignored",
                         mgr->name, c->target);
            retval = EINVAL;
            continue;
        }

        struct cm_target *old = NULL;
        LIST_FOR_EACH (t, node, &old_targets) {
            if (!strcmp(t->name, c->target)) {
                old = t;
                break;
            }
        }
        if (old && old->allowed_versions == versions) {
            plx_list_remove(&old->node);
            plx_list_push_back(&mgr->targets, &old->node);
            old->max_backoff = (c->max_backoff > 0 ? c->max_backoff
                                : RECONNECT_DEFAULT_MAX_BACKOFF);
            old->probe_interval = cm_effective_probe(c->target,
                                                     c->probe_interval);
            cm_target_apply_settings(old);
            continue;
        }
        if (old) {
            cm_target_destroy(old, true);
        }
        VLOG_INFO("%s: added controller %s", mgr->name, c->target);
        cm_target_create(mgr, c, passive, versions);
    }

    LIST_FOR_EACH_SAFE (t, node, &old_targets) {
        VLOG_INFO("%s: removed controller %s", mgr->name, t->name);
        cm_target_destroy(t, true);
    }
    return retval;
}

int
connmgr_set_mgmt_socket(struct connmgr *mgr, const char *path)
{
    if (mgr->mgmt && path
        && !strcmp(mgr->mgmt->name + strlen("punix:"), path)) {
        return mgr->mgmt->pstream ? 0 : mgr->mgmt->last_error;
    }
    connmgr_close_mgmt(mgr, true);
    if (!path) {
        return 0;
    }

    char *name = xasprintf("punix:%s", path);
    mgr->mgmt = xmalloc(sizeof *mgr->mgmt);
    int error = cm_listener_init(mgr->mgmt, name,
                                 RECONNECT_DEFAULT_MAX_BACKOFF);
    free(name);
    return error;
}

uint16_t
connmgr_get_bound_port(const struct connmgr *mgr, const char *target)
{
    const struct cm_target *t = cm_target_find(mgr, target);

    return (t && t->passive && t->listener.pstream
            ? pstream_get_bound_port(t->listener.pstream) : 0);
}

size_t
connmgr_count_connections(const struct connmgr *mgr)
{
    const struct ofconn *ofconn;
    size_t n = 0;

    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        n += ofconn->up;
    }
    return n;
}

/* ---- Message handling. ---- */

/* Types that only a switch sends. */
static bool
ofptype_is_switch_to_controller(enum ofptype type)
{
    switch (type) {
    case OFPTYPE_HELLO:
    case OFPTYPE_ERROR:
    case OFPTYPE_ECHO_REQUEST:
    case OFPTYPE_ECHO_REPLY:
    case OFPTYPE_FEATURES_REQUEST:
    case OFPTYPE_GET_CONFIG_REQUEST:
    case OFPTYPE_SET_CONFIG:
    case OFPTYPE_PACKET_OUT:
    case OFPTYPE_FLOW_MOD:
    case OFPTYPE_GROUP_MOD:
    case OFPTYPE_PORT_MOD:
    case OFPTYPE_TABLE_MOD:
    case OFPTYPE_METER_MOD:
    case OFPTYPE_BARRIER_REQUEST:
    case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
    case OFPTYPE_ROLE_REQUEST:
    case OFPTYPE_GET_ASYNC_REQUEST:
    case OFPTYPE_SET_ASYNC:
        return false;

    case OFPTYPE_FEATURES_REPLY:
    case OFPTYPE_GET_CONFIG_REPLY:
    case OFPTYPE_PACKET_IN:
    case OFPTYPE_FLOW_REMOVED:
    case OFPTYPE_PORT_STATUS:
    case OFPTYPE_BARRIER_REPLY:
    case OFPTYPE_QUEUE_GET_CONFIG_REPLY:
    case OFPTYPE_ROLE_REPLY:
    case OFPTYPE_GET_ASYNC_REPLY:
        return true;

    default:
        /* Multipart: requests have a reply type. */
        return ofptype_multipart_reply(type) == OFPTYPE_N;
    }
}

/* Types that change the switch, which a slave may not send. */
static bool
ofptype_is_modification(enum ofptype type)
{
    switch (type) {
    case OFPTYPE_PACKET_OUT:
    case OFPTYPE_FLOW_MOD:
    case OFPTYPE_GROUP_MOD:
    case OFPTYPE_PORT_MOD:
    case OFPTYPE_TABLE_MOD:
    case OFPTYPE_METER_MOD:
        return true;
    default:
        return false;
    }
}

/* Records ID as the newest master election generation, unless it is
 * older than the newest already seen (then returns false). */
static bool
connmgr_set_election_id(struct connmgr *mgr, uint64_t id)
{
    if (mgr->election_id_defined
        && (int64_t) (id - mgr->election_id) < 0) {
        return false;
    }
    mgr->election_id = id;
    mgr->election_id_defined = true;
    return true;
}

static void
ofconn_set_role(struct ofconn *ofconn, enum ofp12_controller_role role)
{
    if (role == OFPCR12_ROLE_MASTER && ofconn->role != role) {
        struct ofconn *other;

        LIST_FOR_EACH (other, node, &ofconn->mgr->conns) {
            if (other != ofconn && other->role == OFPCR12_ROLE_MASTER) {
                /* OpenFlow 1.3 has no ROLE_STATUS to tell it. */
                VLOG_INFO("%s<->%s: demoted to slave: %s became master",
                          ofconn->mgr->name, ofconn_get_name(other),
                          ofconn_get_name(ofconn));
                other->role = OFPCR12_ROLE_SLAVE;
            }
        }
    }
    ofconn->role = role;
}

static enum ofperr
handle_role_request(struct ofconn *ofconn, const struct ofp_header *oh)
{
    struct connmgr *mgr = ofconn->mgr;
    struct ofputil_role_request rr;
    enum ofperr error = ofputil_decode_role_message(oh, &rr);

    if (error) {
        return error;
    }
    if (rr.role != OFPCR12_ROLE_NOCHANGE) {
        if (!ofconn_is_controller(ofconn) && rr.role != OFPCR12_ROLE_EQUAL) {
            return OFPERR_OFPRRFC_UNSUP;
        }
        if (rr.role != OFPCR12_ROLE_EQUAL && rr.have_generation_id
            && !connmgr_set_election_id(mgr, rr.generation_id)) {
            return OFPERR_OFPRRFC_STALE;
        }
        ofconn_set_role(ofconn, rr.role);
    }

    struct ofputil_role_request reply = {
        .role = ofconn->role,
        .have_generation_id = mgr->election_id_defined,
        .generation_id = mgr->election_id,
    };
    ofconn_send_reply(ofconn, ofputil_encode_role_reply(&reply, oh));
    return 0;
}

static enum ofperr
handle_set_config(struct ofconn *ofconn, const struct ofp_header *oh)
{
    struct connmgr *mgr = ofconn->mgr;
    struct ofputil_switch_config sc;
    enum ofperr error = ofputil_decode_set_config(oh, &sc);

    if (error) {
        return error;
    }
    if (ofconn->role != OFPCR12_ROLE_SLAVE && sc.frag != mgr->frag) {
        if (sc.frag == OFPUTIL_FRAG_REASM) {
            VLOG_WARN_RL(&rl, "%s<->%s: fragment reassembly is not "
                         "supported, fragment handling unchanged",
                         mgr->name, ofconn_get_name(ofconn));
        } else {
            mgr->frag = sc.frag;
            if (mgr->handler->frag_changed) {
                mgr->handler->frag_changed(mgr->aux, sc.frag);
            }
        }
    }
    ofconn->miss_send_len = sc.miss_send_len;
    return 0;
}

static enum ofperr
handle_set_async(struct ofconn *ofconn, const struct ofp_header *oh)
{
    struct ofputil_async_cfg ac;
    enum ofperr error = ofputil_decode_async_cfg(oh, &ac);

    if (error) {
        return error;
    }
    ofconn->async = ac;
    if (ofconn->type == OFCONN_SERVICE && !ofconn->miss_send_len) {
        /* Asking for asynchronous messages is asking to get them. */
        ofconn->miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
    }
    return 0;
}

static void
log_received_error(const struct ofconn *ofconn, const struct ofp_header *oh)
{
    enum ofperr error;
    uint16_t type, code;
    const void *data;
    size_t data_len;

    if (vlog_should_drop(THIS_MODULE, VLL_INFO, &rl)) {
        return;
    }
    if (ofputil_decode_error(oh, &error, &type, &code, &data, &data_len)) {
        VLOG_INFO("%s<->%s: received malformed error message",
                  ofconn->mgr->name, ofconn_get_name(ofconn));
    } else if (error) {
        VLOG_INFO("%s<->%s: received error %s", ofconn->mgr->name,
                  ofconn_get_name(ofconn), ofperr_get_name(error));
    } else {
        VLOG_INFO("%s<->%s: received error type %"PRIu16" code %"PRIu16,
                  ofconn->mgr->name, ofconn_get_name(ofconn), type, code);
    }
}

static enum ofperr
ofconn_dispatch(struct ofconn *ofconn, const struct ofp_header *oh,
                enum ofptype type)
{
    struct connmgr *mgr = ofconn->mgr;

    if (ofptype_is_switch_to_controller(type)) {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    if (ofconn->role == OFPCR12_ROLE_SLAVE && ofptype_is_modification(type)) {
        return OFPERR_OFPBRC_IS_SLAVE;
    }

    switch (type) {
    case OFPTYPE_ROLE_REQUEST:
        return handle_role_request(ofconn, oh);

    case OFPTYPE_GET_CONFIG_REQUEST: {
        struct ofputil_switch_config sc = {
            .frag = mgr->frag,
            .miss_send_len = ofconn->miss_send_len,
        };
        ofconn_send_reply(ofconn, ofputil_encode_get_config_reply(&sc, oh));
        return 0;
    }

    case OFPTYPE_SET_CONFIG:
        return handle_set_config(ofconn, oh);

    case OFPTYPE_GET_ASYNC_REQUEST:
        ofconn_send_reply(ofconn,
                          ofputil_encode_get_async_reply(&ofconn->async, oh));
        return 0;

    case OFPTYPE_SET_ASYNC:
        return handle_set_async(ofconn, oh);

    case OFPTYPE_BARRIER_REQUEST:
        /* Every earlier message has been handled (synchronously). */
        ofconn_send_reply(ofconn, ofputil_encode_header_only(
                              OFPTYPE_BARRIER_REPLY, oh->version,
                              ntohl(oh->xid)));
        return 0;

    default:
        return mgr->handler->handle_msg(mgr->aux, ofconn, oh, type);
    }
}

static void
ofconn_handle_msg(struct ofconn *ofconn, struct ofpmsg *msg)
{
    const struct ofp_header *oh = ofpmsg_header(msg);
    enum ofptype type;
    enum ofperr error = ofptype_decode_msg(oh, &type);

    if (!error && type == OFPTYPE_ERROR) {
        log_received_error(ofconn, oh);
    } else {
        if (!error) {
            error = ofconn_dispatch(ofconn, oh, type);
        }
        if (error && oh->type != OFPT10_ERROR) {
            ofconn_send_error(ofconn, oh, error);
        }
    }
    ofpmsg_delete(msg);
}

/* ---- Main loop. ---- */

static void
cm_target_run_active(struct cm_target *t)
{
    struct ofconn *ofconn = t->ofconn;

    ofpconn_session_run(t->session);

    struct ofpconn *conn = (ofpconn_session_is_connected(t->session)
                            ? ofpconn_session_get_conn(t->session) : NULL);
    unsigned int seqno = ofpconn_session_get_seqno(t->session);
    if (ofconn->up && (!conn || seqno != t->seqno || conn != ofconn->conn)) {
        ofconn_went_down(ofconn);
        ofconn->conn = NULL;
    }
    if (!ofconn->up && conn) {
        ofconn->conn = conn;
        t->seqno = seqno;
        ofconn_came_up(ofconn);
    }

    for (int i = 0; ofconn->up && i < CONNMGR_MAX_MSGS_PER_RUN; i++) {
        struct ofpmsg *msg = ofpconn_session_recv(t->session);
        if (!msg) {
            break;
        }
        ofconn_handle_msg(ofconn, msg);
    }
}

/* Runs service connection OFCONN; returns false if it closed (and is
 * freed). */
static bool
ofconn_run_service(struct ofconn *ofconn)
{
    ofpconn_run(ofconn->conn);
    if (!ofconn->up && ofpconn_get_version(ofconn->conn)
        && !ofpconn_get_status(ofconn->conn)) {
        ofconn_came_up(ofconn);
    }
    for (int i = 0; ofconn->up && i < CONNMGR_MAX_MSGS_PER_RUN; i++) {
        struct ofpmsg *msg;
        if (ofpconn_recv(ofconn->conn, &msg)) {
            break;
        }
        ofconn_handle_msg(ofconn, msg);
    }
    ofpconn_run(ofconn->conn);      /* Flush replies. */

    int status = ofpconn_get_status(ofconn->conn);
    if (status) {
        VLOG_DBG_RL(&rl, "%s<->%s: closing: %s", ofconn->mgr->name,
                    ofconn_get_name(ofconn),
                    status == EOF ? "end of file" : plx_strerror(status));
        ofconn_went_down(ofconn);
        ofconn_destroy(ofconn);
        return false;
    }
    return true;
}

static void
connmgr_accept(struct connmgr *mgr, struct cm_listener *l,
               struct cm_target *target)
{
    for (int i = 0; i < CONNMGR_MAX_ACCEPTS_PER_RUN; i++) {
        struct stream *stream;

        if (cm_listener_accept(l, &stream)) {
            break;
        }
        uint32_t versions = target ? target->allowed_versions : 0;
        struct ofpconn *conn = ofpconn_open(stream, versions);
        ofpconn_set_probe_interval(conn, target ? target->probe_interval : 0);
        VLOG_DBG_RL(&rl, "%s: accepted %s on %s", mgr->name,
                    ofpconn_get_name(conn), l->name);
        ofconn_create(mgr, target, OFCONN_SERVICE, conn);
    }
}

void
connmgr_run(struct connmgr *mgr)
{
    struct cm_target *t;
    struct ofconn *ofconn;

    LIST_FOR_EACH (t, node, &mgr->targets) {
        if (t->passive) {
            connmgr_accept(mgr, &t->listener, t);
        } else {
            cm_target_run_active(t);
        }
    }
    if (mgr->mgmt) {
        connmgr_accept(mgr, mgr->mgmt, NULL);
    }
    LIST_FOR_EACH_SAFE (ofconn, node, &mgr->conns) {
        if (ofconn->type == OFCONN_SERVICE) {
            ofconn_run_service(ofconn);
        }
    }
    /* Flush what the handlers queued for active connections. */
    LIST_FOR_EACH (t, node, &mgr->targets) {
        if (!t->passive && t->ofconn->conn) {
            ofpconn_run(t->ofconn->conn);
        }
    }
}

/* When fail-open would start, or LLONG_MAX if not foreseeable (some
 * controller connected, or none configured). */
static long long int
connmgr_fail_open_time(const struct connmgr *mgr)
{
    const struct cm_target *t;
    long long int since = LLONG_MIN;

    if (plx_list_is_empty(&mgr->targets)) {
        return LLONG_MAX;
    }
    LIST_FOR_EACH (t, node, &mgr->targets) {
        if (t->passive ? t->n_up > 0 : t->ofconn->up) {
            return LLONG_MAX;
        }
        long long int start = (t->last_disconnect != LLONG_MIN
                               ? t->last_disconnect : t->created);
        since = MAX(since, start);
    }
    return since + connmgr_fail_open_trigger(mgr);
}

void
connmgr_wait(struct connmgr *mgr)
{
    struct cm_target *t;
    struct ofconn *ofconn;

    LIST_FOR_EACH (t, node, &mgr->targets) {
        if (t->passive) {
            cm_listener_wait(&t->listener);
        } else {
            ofpconn_session_wait(t->session);
            ofpconn_session_recv_wait(t->session);
        }
    }
    if (mgr->mgmt) {
        cm_listener_wait(mgr->mgmt);
    }
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (ofconn->type == OFCONN_SERVICE) {
            ofpconn_wait(ofconn->conn);
            ofpconn_recv_wait(ofconn->conn);
        }
    }

    long long int when = connmgr_fail_open_time(mgr);
    if (when != LLONG_MAX && when >= time_msec()) {
        poll_timer_wait_until(when);
    }
}

/* ---- Fail-open. ---- */

bool
connmgr_has_controllers(const struct connmgr *mgr)
{
    return !plx_list_is_empty(&mgr->targets);
}

bool
connmgr_is_any_controller_connected(const struct connmgr *mgr)
{
    const struct ofconn *ofconn;

    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (ofconn->up && ofconn->target) {
            return true;
        }
    }
    return false;
}

int
connmgr_fail_open_trigger(const struct connmgr *mgr)
{
    const struct cm_target *t;
    int max_probe = 0;

    if (plx_list_is_empty(&mgr->targets)) {
        return 0;
    }
    LIST_FOR_EACH (t, node, &mgr->targets) {
        int probe = (t->probe_interval ? t->probe_interval
                     : OFPCONN_DEFAULT_PROBE_INTERVAL);
        max_probe = MAX(max_probe, probe);
    }
    long long int trigger = (long long int) max_probe * 3;
    return MIN(MAX(trigger, CONNMGR_FAIL_OPEN_MIN_MS), INT_MAX);
}

bool
connmgr_fail_open_active(const struct connmgr *mgr,
                         enum ofproto_fail_mode fail_mode)
{
    return (fail_mode == OFPROTO_FAIL_STANDALONE
            && time_msec() >= connmgr_fail_open_time(mgr));
}

/* ---- Switch-wide configuration. ---- */

enum ofputil_frag_handling
connmgr_get_frag_handling(const struct connmgr *mgr)
{
    return mgr->frag;
}

void
connmgr_set_frag_handling(struct connmgr *mgr,
                          enum ofputil_frag_handling frag)
{
    mgr->frag = frag;
}

/* ---- Asynchronous messages. ---- */

static bool
ofconn_wants_async(const struct ofconn *ofconn, enum ofptype type,
                   unsigned int reason)
{
    const struct ofputil_async_cfg *ac = &ofconn->async;
    int i = ofconn->role == OFPCR12_ROLE_SLAVE ? 1 : 0;
    uint32_t mask;

    if (ofconn->type == OFCONN_SERVICE && !ofconn->miss_send_len) {
        return false;
    }
    switch (type) {
    case OFPTYPE_PACKET_IN:
        mask = ac->packet_in[i];
        break;
    case OFPTYPE_PORT_STATUS:
        mask = ac->port_status[i];
        break;
    case OFPTYPE_FLOW_REMOVED:
        mask = ac->flow_removed[i];
        break;
    default:
        return false;
    }
    return (mask & (1u << reason)) != 0;
}

size_t
connmgr_send_async(struct connmgr *mgr, enum ofptype type,
                   unsigned int reason, connmgr_async_builder *build,
                   void *aux)
{
    struct ofconn *ofconn;
    struct ofpmsg *cached = NULL;
    uint8_t cached_version = 0;
    uint16_t cached_len = 0;
    size_t n = 0;

    if (reason >= 32) {
        return 0;
    }
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (!ofconn->up || !ofconn_wants_async(ofconn, type, reason)) {
            continue;
        }

        uint8_t version = ofconn_get_version(ofconn);
        if (!cached || version != cached_version
            || ofconn->miss_send_len != cached_len) {
            ofpmsg_delete(cached);
            cached = build(aux, version, ofconn->miss_send_len);
            cached_version = version;
            cached_len = ofconn->miss_send_len;
            if (!cached) {
                continue;
            }
        }

        struct ofpmsg *msg = ofpmsg_clone(cached);
        int error = (type == OFPTYPE_PACKET_IN
                     ? ofpconn_send_limited(ofconn->conn, msg,
                                            CONNMGR_PACKET_IN_BACKLOG)
                     : ofpconn_send(ofconn->conn, msg));
        if (!error) {
            n++;
        }
    }
    ofpmsg_delete(cached);
    return n;
}

/* ---- Status. ---- */

const char *
connmgr_role_to_string(enum ofp12_controller_role role)
{
    switch (role) {
    case OFPCR12_ROLE_MASTER:
        return "master";
    case OFPCR12_ROLE_SLAVE:
        return "slave";
    case OFPCR12_ROLE_EQUAL:
    case OFPCR12_ROLE_NOCHANGE:
    default:
        return "other";
    }
}

/* Ranks roles for reporting a passive target: master > equal > slave. */
static int
role_rank(enum ofp12_controller_role role)
{
    return (role == OFPCR12_ROLE_MASTER ? 2
            : role == OFPCR12_ROLE_SLAVE ? 0 : 1);
}

static void
cm_target_get_info(const struct cm_target *t,
                   struct connmgr_controller_info *info)
{
    long long int now = time_msec();
    const char *state;
    int last_error;

    info->target = xstrdup(t->name);
    smap_init(&info->pairs);
    if (t->passive) {
        const struct ofconn *ofconn;

        info->is_connected = t->n_up > 0;
        info->role = OFPCR12_ROLE_EQUAL;
        bool any = false;
        LIST_FOR_EACH (ofconn, node, &t->mgr->conns) {
            if (ofconn->target == t && ofconn->up
                && (!any || role_rank(ofconn->role) > role_rank(info->role))) {
                info->role = ofconn->role;
                any = true;
            }
        }
        last_error = t->listener.last_error;
        state = (t->n_up ? "ACTIVE"
                 : t->listener.pstream ? "LISTENING" : "BACKOFF");
    } else {
        info->is_connected = t->ofconn->up;
        info->role = t->ofconn->role;
        last_error = ofpconn_session_get_last_error(t->session);
        /* As Open vSwitch: the reconnect state (CONNECTING while a TCP
         * connect is in progress, BACKOFF between attempts), except that
         * a connection still negotiating its version is not ACTIVE. */
        state = (t->ofconn->up ? "ACTIVE"
                 : ofpconn_session_get_conn(t->session) ? "CONNECTING"
                 : ofpconn_session_get_state(t->session));
    }

    if (last_error) {
        smap_add(&info->pairs, "last_error",
                 last_error == EOF ? "End of file"
                 : plx_strerror(last_error));
    }
    smap_add(&info->pairs, "state", state);
    if (t->last_connect != LLONG_MIN) {
        smap_add_format(&info->pairs, "sec_since_connect", "%lld",
                        (now - t->last_connect) / 1000);
    }
    if (t->last_disconnect != LLONG_MIN) {
        smap_add_format(&info->pairs, "sec_since_disconnect", "%lld",
                        (now - t->last_disconnect) / 1000);
    }
}

void
connmgr_get_controller_info(const struct connmgr *mgr,
                            struct connmgr_controller_info **infosp,
                            size_t *np)
{
    size_t n = plx_list_size(&mgr->targets);
    struct connmgr_controller_info *infos = (n ? xcalloc(n, sizeof *infos)
                                             : NULL);
    const struct cm_target *t;
    size_t i = 0;

    LIST_FOR_EACH (t, node, &mgr->targets) {
        cm_target_get_info(t, &infos[i++]);
    }
    *infosp = infos;
    *np = n;
}

void
connmgr_free_controller_info(struct connmgr_controller_info *infos, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(infos[i].target);
        smap_destroy(&infos[i].pairs);
    }
    free(infos);
}

/* ---- One connection. ---- */

enum ofconn_type
ofconn_get_type(const struct ofconn *ofconn)
{
    return ofconn->type;
}

bool
ofconn_is_controller(const struct ofconn *ofconn)
{
    return ofconn->target != NULL;
}

const char *
ofconn_get_name(const struct ofconn *ofconn)
{
    return (ofconn->type == OFCONN_PRIMARY ? ofconn->name
            : ofpconn_get_name(ofconn->conn));
}

uint8_t
ofconn_get_version(const struct ofconn *ofconn)
{
    return ofconn->up ? ofconn->version : 0;
}

enum ofp12_controller_role
ofconn_get_role(const struct ofconn *ofconn)
{
    return ofconn->role;
}

uint16_t
ofconn_get_miss_send_len(const struct ofconn *ofconn)
{
    return ofconn->miss_send_len;
}

void
ofconn_get_async_config(const struct ofconn *ofconn,
                        struct ofputil_async_cfg *ac)
{
    *ac = ofconn->async;
}

void
ofconn_send_reply(struct ofconn *ofconn, struct ofpmsg *msg)
{
    if (ofconn->up) {
        ofpconn_send(ofconn->conn, msg);
    } else {
        ofpmsg_delete(msg);
    }
}

void
ofconn_send_replies(struct ofconn *ofconn, struct plx_list *replies)
{
    struct ofpmsg *msg;

    LIST_FOR_EACH_POP (msg, list_node, replies) {
        ofconn_send_reply(ofconn, msg);
    }
}

void
ofconn_send_error(struct ofconn *ofconn, const struct ofp_header *request,
                  enum ofperr error)
{
    static struct vlog_rate_limit err_rl = VLOG_RATE_LIMIT_INIT(10, 10);
    size_t len = ntohs(request->length);

    VLOG_INFO_RL(&err_rl, "%s<->%s: sending %s error reply to message "
                 "type %u", ofconn->mgr->name, ofconn_get_name(ofconn),
                 ofperr_get_name(error), request->type);
    if (ofconn->up) {
        ofpconn_send_error(ofconn->conn, error, request, len);
    }
}
