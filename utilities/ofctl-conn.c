/*
 * ofctl-conn: plx-ofctl's connection to a switch and the transactions
 * ovs-ofctl runs over it.  See ofctl.h.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dirs.h"
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofctl.h"
#include "ofp-conn.h"
#include "ofp-msgs.h"
#include "poll-loop.h"
#include "stream.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofctl_conn);

struct ofctl_options ofctl_opts = {
    .allowed_versions = OFCTL_ANY_VERSION,
    .show_stats = true,
};

struct ofctl_conn {
    struct ofpconn *conn;
    char *target;               /* As the user wrote it. */
};

void
ofctl_format_versions(struct ds *s, uint32_t versions)
{
    const char *sep = "";

    if (versions & OFCTL_OF10) {
        ds_put_format(s, "%sOpenFlow10", sep);
        sep = ",";
    }
    if (versions & OFCTL_OF13) {
        ds_put_format(s, "%sOpenFlow13", sep);
    }
}

uint32_t
ofctl_offer(uint32_t usable)
{
    uint32_t offer = ofctl_opts.allowed_versions & usable;

    if (!ofctl_opts.versions_explicit && offer & OFCTL_OF10) {
        offer = OFCTL_OF10;
    }
    return offer;
}

/* True if FILE exists and is a socket. */
static bool
is_socket(const char *file)
{
    struct stat st;

    return !stat(file, &st) && S_ISSOCK(st.st_mode);
}

/* The stream name for TARGET, as ovs-ofctl resolves it: a name with a
 * colon is a connection method, else a socket file, else the bridge's
 * management socket in the run directory. */
static char *
resolve_target(const char *target, const char *suffix)
{
    if (strchr(target, ':')) {
        return xstrdup(target);
    } else if (is_socket(target)) {
        return xasprintf("unix:%s", target);
    }

    char *path = xasprintf("%s/%s.%s", plx_rundir(), target, suffix);
    if (is_socket(path)) {
        char *name = xasprintf("unix:%s", path);
        free(path);
        return name;
    }
    free(path);
    return NULL;
}

static void
require_versions(uint32_t usable, const char *what)
{
    if (ofctl_opts.allowed_versions & usable) {
        return;
    }

    struct ds u = DS_EMPTY_INITIALIZER, a = DS_EMPTY_INITIALIZER;
    ofctl_format_versions(&u, usable);
    ofctl_format_versions(&a, ofctl_opts.allowed_versions);
    if (usable == OFCTL_OF13) {
        plx_fatal(0, "%s needs OpenFlow 1.3 or later ('-O OpenFlow13')",
                  what);
    }
    plx_fatal(0, "none of the usable flow formats (%s) is among the "
              "allowed flow formats (%s)", ds_cstr(&u), ds_cstr(&a));
}

struct stream *
ofctl_open_stream(const char *target, const char *suffix)
{
    char *name = resolve_target(target, suffix);
    if (!name) {
        plx_fatal(0, "%s is not a bridge or a socket", target);
    }

    struct stream *stream;
    int error = stream_open_with_default_port(name, PLX_OFP_PORT, &stream);
    if (error && error != EAGAIN) {
        plx_fatal(error, "connecting to %s", name);
    }
    VLOG_DBG("connecting to %s", name);
    error = stream_open_block(error, -1, &stream);
    if (error) {
        if (strchr(target, ':')) {
            plx_fatal(error, "connecting to %s", target);
        }
        plx_fatal(0, "%s: failed to connect to socket (%s)", target,
                  plx_strerror(error));
    }
    free(name);
    return stream;
}

static struct ofctl_conn *
ofctl_open__(const char *target, uint32_t usable, const char *what,
             bool highest)
{
    require_versions(usable, what);

    struct ofctl_conn *c = xzalloc(sizeof *c);
    c->target = xstrdup(target);
    c->conn = ofpconn_open(ofctl_open_stream(target, "mgmt"),
                           (highest ? ofctl_opts.allowed_versions & usable
                            : ofctl_offer(usable)));
    ofpconn_set_probe_interval(c->conn, 0);

    while (!ofpconn_get_version(c->conn)) {
        ofpconn_run(c->conn);
        int error = ofpconn_get_status(c->conn);
        if (error) {
            plx_fatal(0, "%s: failed to connect to socket (%s)", target,
                      error == EOF ? "End of file" : plx_strerror(error));
        }
        if (ofpconn_get_version(c->conn)) {
            break;
        }
        ofpconn_wait(c->conn);
        ofpconn_recv_wait(c->conn);
        poll_block();
    }
    return c;
}

struct ofctl_conn *
ofctl_open(const char *target, uint32_t usable, const char *what)
{
    return ofctl_open__(target, usable, what, false);
}

struct ofctl_conn *
ofctl_open_highest(const char *target, uint32_t usable, const char *what)
{
    return ofctl_open__(target, usable, what, true);
}

/* Sends whatever is still queued, for at most a few seconds. */
static void
ofctl_flush(struct ofctl_conn *c)
{
    for (int i = 0; i < 1000 && ofpconn_get_backlog_msgs(c->conn)
                    && !ofpconn_get_status(c->conn); i++) {
        ofpconn_run(c->conn);
        if (!ofpconn_get_backlog_msgs(c->conn)) {
            break;
        }
        ofpconn_wait(c->conn);
        poll_timer_wait(10);
        poll_block();
    }
}

void
ofctl_close(struct ofctl_conn *c)
{
    if (c) {
        ofctl_flush(c);
        ofpconn_close(c->conn);
        free(c->target);
        free(c);
    }
}

uint8_t
ofctl_version(const struct ofctl_conn *c)
{
    return ofpconn_get_version(c->conn);
}

const char *
ofctl_target(const struct ofctl_conn *c)
{
    return c->target;
}

static void PLX_NO_RETURN
conn_failed(const struct ofctl_conn *c, int error)
{
    plx_fatal(0, "%s: OpenFlow connection failed (%s)", c->target,
              error == EOF ? "End of file" : plx_strerror(error));
}

void
ofctl_send(struct ofctl_conn *c, struct ofpmsg *msg)
{
    int error = ofpconn_send(c->conn, msg);
    if (error) {
        conn_failed(c, error);
    }
    ofpconn_run(c->conn);
}

struct ofpmsg *
ofctl_try_recv(struct ofctl_conn *c)
{
    struct ofpmsg *msg;

    ofpconn_run(c->conn);
    int error = ofpconn_recv(c->conn, &msg);
    if (!error) {
        return msg;
    } else if (error != EAGAIN) {
        conn_failed(c, error);
    }
    return NULL;
}

void
ofctl_wait(struct ofctl_conn *c)
{
    ofpconn_wait(c->conn);
    ofpconn_recv_wait(c->conn);
}

struct ofpmsg *
ofctl_recv(struct ofctl_conn *c)
{
    for (;;) {
        struct ofpmsg *msg = ofctl_try_recv(c);
        if (msg) {
            return msg;
        }
        ofctl_wait(c);
        poll_block();
    }
}

static uint32_t
msg_xid(const struct ofpmsg *msg)
{
    return ntohl(ofpmsg_header(msg)->xid);
}

static enum ofptype
msg_type(const struct ofpmsg *msg)
{
    enum ofptype type;

    return ofptype_decode_msg(ofpmsg_header(msg), &type) ? OFPTYPE_N : type;
}

/* The next message with XID; others are dropped. */
static struct ofpmsg *
recv_xid(struct ofctl_conn *c, uint32_t xid)
{
    for (;;) {
        struct ofpmsg *msg = ofctl_recv(c);
        if (msg_xid(msg) == xid) {
            return msg;
        }
        VLOG_DBG("received reply with xid %08"PRIx32" != expected %08"PRIx32,
                 msg_xid(msg), xid);
        ofpmsg_delete(msg);
    }
}

struct ofpmsg *
ofctl_transact(struct ofctl_conn *c, struct ofpmsg *request)
{
    uint32_t xid = msg_xid(request);

    ofctl_send(c, request);
    return recv_xid(c, xid);
}

void
ofctl_dump_transaction(struct ofctl_conn *c, struct ofpmsg *request)
{
    enum ofptype type = msg_type(request);

    if (type == OFPTYPE_N || !ofptype_is_multipart(type)) {
        struct ofpmsg *reply = ofctl_transact(c, request);
        ofctl_print_msg(stdout, reply);
        ofpmsg_delete(reply);
        return;
    }

    enum ofptype reply_type = ofptype_multipart_reply(type);
    uint32_t xid = msg_xid(request);
    bool done = false;

    ofctl_send(c, request);
    while (!done) {
        struct ofpmsg *reply = recv_xid(c, xid);
        enum ofptype rtype = msg_type(reply);

        ofctl_print_msg(stdout, reply);
        if (rtype == OFPTYPE_ERROR) {
            done = true;
        } else if (rtype == reply_type) {
            done = !ofpmp_more(ofpmsg_header(reply));
        } else {
            char *s = ofctl_msg_to_string(reply->data, reply->size);
            plx_fatal(0, "received bad reply: %s", s);
        }
        ofpmsg_delete(reply);
    }
}

void
ofctl_transact_noreply(struct ofctl_conn *c, struct ofpmsg *request)
{
    struct plx_list requests = PLX_LIST_INITIALIZER(&requests);

    plx_list_push_back(&requests, &request->list_node);
    ofctl_transact_noreply_list(c, &requests);
}

void
ofctl_transact_noreply_list(struct ofctl_conn *c, struct plx_list *requests)
{
    struct ofpmsg *request;

    LIST_FOR_EACH_POP (request, list_node, requests) {
        uint32_t xid = msg_xid(request);
        uint32_t barrier_xid = ofpmsg_next_xid();

        ofctl_send(c, request);
        ofctl_send(c, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                                 ofctl_version(c),
                                                 barrier_xid));
        for (;;) {
            struct ofpmsg *reply = ofctl_recv(c);
            if (msg_xid(reply) == xid) {
                fflush(stdout);
                ofctl_print_msg(stderr, reply);
                exit(EXIT_FAILURE);
            } else if (msg_xid(reply) == barrier_xid
                       && msg_type(reply) == OFPTYPE_BARRIER_REPLY) {
                ofpmsg_delete(reply);
                break;
            }
            ofpmsg_delete(reply);
        }
    }
}

/* Appends the ports in REPLY, a FEATURES_REPLY or port description
 * reply, to '*portsp'. */
static void
add_ports(const struct ofctl_conn *c, const struct ofpmsg *reply,
          struct ofputil_phy_port **portsp, size_t *n_portsp)
{
    const struct ofp_header *oh = ofpmsg_header(reply);
    struct ofputil_phy_port *ports = NULL;
    size_t n = 0;
    enum ofperr error;

    if (msg_type(reply) == OFPTYPE_FEATURES_REPLY) {
        struct ofputil_switch_features features;
        error = ofputil_decode_switch_features(oh, &features, &ports, &n);
    } else if (msg_type(reply) == OFPTYPE_PORT_DESC_STATS_REPLY) {
        error = ofputil_decode_port_desc_reply(oh, &ports, &n);
    } else {
        char *s = ofctl_msg_to_string(reply->data, reply->size);
        plx_fatal(0, "%s: received bad reply: %s", c->target, s);
    }
    if (error) {
        plx_fatal(0, "%s: failed to decode port list (%s)", c->target,
                  ofperr_get_name(error));
    }
    *portsp = xrealloc(*portsp, (*n_portsp + n) * sizeof **portsp);
    memcpy(*portsp + *n_portsp, ports, n * sizeof *ports);
    *n_portsp += n;
    free(ports);
}

void
ofctl_fetch_ports(struct ofctl_conn *c, struct ofputil_phy_port **portsp,
                  size_t *n_portsp)
{
    uint8_t version = ofctl_version(c);

    *portsp = NULL;
    *n_portsp = 0;
    if (version == OFP10_VERSION) {
        struct ofpmsg *reply = ofctl_transact(
            c, ofputil_encode_header_only(OFPTYPE_FEATURES_REQUEST, version,
                                          ofpmsg_next_xid()));
        add_ports(c, reply, portsp, n_portsp);
        ofpmsg_delete(reply);
        return;
    }

    struct ofpmsg *request = ofputil_encode_multipart_request(
        OFPTYPE_PORT_DESC_STATS_REQUEST, version, ofpmsg_next_xid());
    uint32_t xid = msg_xid(request);
    bool more = true;

    ofctl_send(c, request);
    while (more) {
        struct ofpmsg *reply = recv_xid(c, xid);
        add_ports(c, reply, portsp, n_portsp);
        more = ofpmp_more(ofpmsg_header(reply));
        ofpmsg_delete(reply);
    }
}

uint32_t
ofctl_port_from_string(struct ofctl_conn *c, const char *port_name)
{
    uint32_t port_no;

    if (mf_port_from_string(port_name, &port_no)) {
        return port_no;
    }

    struct ofputil_phy_port *ports;
    size_t n_ports;
    ofctl_fetch_ports(c, &ports, &n_ports);
    for (size_t i = 0; i < n_ports; i++) {
        if (!strcmp(ports[i].name, port_name)) {
            port_no = ports[i].port_no;
            free(ports);
            return port_no;
        }
    }
    plx_fatal(0, "%s: unknown port `%s'", c->target, port_name);
}
