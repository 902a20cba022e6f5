/* Tests for ofproto/connmgr over real sockets in a temporary directory:
 * the management socket, passive (ptcp, pssl) and active (unix, tcp, ssl)
 * controller targets, reconnection, reconfiguration, roles and
 * generation ids, asynchronous message filtering, barrier, switch
 * configuration, fail-open timing, controller status, and malformed
 * input.  The "controllers" here are struct ofpconn peers driven in the
 * same poll loop as the connmgr. */
#include <config.h>
#include "ofproto/connmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "match.h"
#include "ofp-conn.h"
#include "ofp-flow.h"
#include "ofp-msgs.h"
#include "ofp-packet.h"
#include "poll-loop.h"
#include "stream-ssl.h"
#include "stream.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

#define V10 OFP_VERSION_BIT(OFP10_VERSION)
#define V13 OFP_VERSION_BIT(OFP13_VERSION)

/* ---- The bridge side: a handler that records what it sees. ---- */

#define MAX_LOG 256

static struct {
    size_t n_msgs;
    enum ofptype types[MAX_LOG];
    struct ofconn *conns[MAX_LOG];
    int n_connected;
    int n_disconnected;
    struct ofconn *last_connected;
    int n_frag_changed;
    enum ofputil_frag_handling frag;
} hlog;

static enum ofperr
test_handle_msg(void *aux, struct ofconn *ofconn,
                const struct ofp_header *oh, enum ofptype type)
{
    CHECK(aux == &hlog);
    CHECK(ofconn_get_version(ofconn) == oh->version);
    if (hlog.n_msgs < MAX_LOG) {
        hlog.types[hlog.n_msgs] = type;
        hlog.conns[hlog.n_msgs] = ofconn;
        hlog.n_msgs++;
    }

    switch (type) {
    case OFPTYPE_FEATURES_REQUEST: {
        struct ofputil_switch_features f = {
            .datapath_id = 0x1234,
            .n_tables = 1,
        };
        ofconn_send_reply(ofconn,
                          ofputil_encode_switch_features(&f, oh, NULL, 0));
        return 0;
    }
    case OFPTYPE_DESC_STATS_REQUEST: {
        struct ofputil_desc_stats d;
        struct plx_list replies;

        memset(&d, 0, sizeof d);
        strcpy(d.mfr_desc, "Plexus test");
        plx_list_init(&replies);
        plx_list_push_back(&replies,
                           &ofputil_encode_desc_stats_reply(&d, oh)
                           ->list_node);
        ofconn_send_replies(ofconn, &replies);
        CHECK(plx_list_is_empty(&replies));
        return 0;
    }
    case OFPTYPE_FLOW_MOD:
    case OFPTYPE_PACKET_OUT:
        return 0;
    case OFPTYPE_PORT_MOD:
        return OFPERR_OFPPMFC_BAD_PORT;
    default:
        return OFPERR_OFPBRC_BAD_TYPE;
    }
}

static void
test_connected(void *aux PLX_UNUSED, struct ofconn *ofconn)
{
    CHECK(ofconn_get_version(ofconn) != 0);
    hlog.n_connected++;
    hlog.last_connected = ofconn;
}

static void
test_disconnected(void *aux PLX_UNUSED, struct ofconn *ofconn)
{
    /* Still the version it had, so the handler can undo what it did. */
    CHECK(ofconn_get_version(ofconn) != 0);
    hlog.n_disconnected++;
}

static void
test_frag_changed(void *aux PLX_UNUSED, enum ofputil_frag_handling f)
{
    hlog.n_frag_changed++;
    hlog.frag = f;
}

static const struct connmgr_handler test_handler = {
    .handle_msg = test_handle_msg,
    .connected = test_connected,
    .disconnected = test_disconnected,
    .frag_changed = test_frag_changed,
};

/* ---- The controller side. ---- */

struct peer {
    struct ofpconn *conn;
    struct plx_list rx;         /* Received, not yet taken. */
};

#define MAX_PEERS 16
static struct peer *peers[MAX_PEERS];
static struct pstream *listeners[4];
static struct connmgr *mgr;

static void
setup(void)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    memset(&hlog, 0, sizeof hlog);
    mgr = connmgr_create("br0", &test_handler, &hlog);
}

static char *
tmp_path(const char *name)
{
    return xasprintf("%s/%s", test_tmpdir(), name);
}

static void
run_all(void)
{
    connmgr_run(mgr);
    for (size_t i = 0; i < MAX_PEERS; i++) {
        struct peer *p = peers[i];
        struct ofpmsg *msg;

        if (p) {
            ofpconn_run(p->conn);
            while (!ofpconn_recv(p->conn, &msg)) {
                plx_list_push_back(&p->rx, &msg->list_node);
            }
            ofpconn_run(p->conn);
        }
    }
    connmgr_run(mgr);
}

static void
wait_all(long long int deadline)
{
    connmgr_wait(mgr);
    for (size_t i = 0; i < MAX_PEERS; i++) {
        if (peers[i] && !ofpconn_get_status(peers[i]->conn)) {
            ofpconn_wait(peers[i]->conn);
            ofpconn_recv_wait(peers[i]->conn);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(listeners); i++) {
        if (listeners[i]) {
            pstream_wait(listeners[i]);
        }
    }
    poll_timer_wait_until(deadline);
    poll_block();
}

#define RUN_UNTIL(COND, MS)                                               \
    do {                                                                  \
        long long int deadline__ = time_msec() + (MS);                    \
        for (;;) {                                                        \
            run_all();                                                    \
            if (COND) {                                                   \
                break;                                                    \
            }                                                             \
            CHECK_MSG(time_msec() < deadline__, "timed out waiting for %s",\
                      #COND);                                             \
            wait_all(deadline__);                                         \
        }                                                                 \
    } while (0)

static struct peer *
peer_open(struct stream *stream, uint32_t versions)
{
    struct peer *p = xzalloc(sizeof *p);

    p->conn = ofpconn_open(stream, versions);
    ofpconn_set_probe_interval(p->conn, 0);
    plx_list_init(&p->rx);
    for (size_t i = 0; i < MAX_PEERS; i++) {
        if (!peers[i]) {
            peers[i] = p;
            return p;
        }
    }
    test_fail(TEST_WHERE, "too many peers");
}

/* Connects to NAME and waits for the version negotiation. */
static struct peer *
peer_connect(const char *name, uint32_t versions)
{
    struct stream *stream;

    CHECK_EQ(stream_open(name, &stream), 0);
    struct peer *p = peer_open(stream, versions);
    RUN_UNTIL(ofpconn_get_version(p->conn)
              || ofpconn_get_status(p->conn), 5000);
    CHECK_EQ(ofpconn_get_status(p->conn), 0);
    return p;
}

static void
peer_close(struct peer *p)
{
    for (size_t i = 0; i < MAX_PEERS; i++) {
        if (peers[i] == p) {
            peers[i] = NULL;
        }
    }
    ofpconn_close(p->conn);
    ofpmsg_list_delete(&p->rx);
    free(p);
}

static uint8_t
peer_version(const struct peer *p)
{
    return ofpconn_get_version(p->conn);
}

static void
peer_send(struct peer *p, struct ofpmsg *msg)
{
    CHECK_EQ(ofpconn_send(p->conn, msg), 0);
}

static void
peer_send_raw(struct peer *p, const void *data, size_t n)
{
    peer_send(p, ofpmsg_clone_data(data, n));
}

/* The next message P receives, or NULL after TIMEOUT_MS or on EOF. */
static struct ofpmsg *
peer_recv(struct peer *p, int timeout_ms)
{
    long long int deadline = time_msec() + timeout_ms;

    for (;;) {
        run_all();
        if (!plx_list_is_empty(&p->rx)) {
            return CONTAINER_OF(plx_list_pop_front(&p->rx), struct ofpmsg,
                                list_node);
        }
        if (ofpconn_get_status(p->conn) || time_msec() >= deadline) {
            return NULL;
        }
        wait_all(deadline);
    }
}

/* Receives the next message, which must be of TYPE with XID (unless XID
 * is 0); the caller frees it. */
static struct ofpmsg *
peer_expect(struct peer *p, enum ofptype type, uint32_t xid)
{
    struct ofpmsg *msg = peer_recv(p, 5000);
    enum ofptype got;

    CHECK_MSG(msg, "no %s received (status %d)", ofptype_get_name(type),
              ofpconn_get_status(p->conn));
    CHECK_EQ(ofptype_decode_msg(ofpmsg_header(msg), &got), 0);
    CHECK_MSG(got == type, "expected %s, got %s", ofptype_get_name(type),
              ofptype_get_name(got));
    CHECK_EQ(ofpmsg_header(msg)->version, peer_version(p));
    if (xid) {
        CHECK_EQ(ntohl(ofpmsg_header(msg)->xid), xid);
    }
    return msg;
}

static void
peer_expect_error(struct peer *p, enum ofperr expected, uint32_t xid)
{
    struct ofpmsg *msg = peer_expect(p, OFPTYPE_ERROR, xid);
    enum ofperr error;
    const void *data;
    size_t data_len;

    CHECK_EQ(ofputil_decode_error(ofpmsg_header(msg), &error, NULL, NULL,
                                  &data, &data_len), 0);
    CHECK_MSG(error == expected, "expected %s, got %s",
              ofperr_get_name(expected), ofperr_get_name(error));
    ofpmsg_delete(msg);
}

/* Sends a barrier and returns how many messages arrived before its
 * reply (they are discarded). */
static int
peer_sync(struct peer *p)
{
    uint32_t xid = ofpmsg_next_xid();
    int n = 0;

    peer_send(p, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                            peer_version(p), xid));
    for (;;) {
        struct ofpmsg *msg = peer_recv(p, 5000);
        CHECK_MSG(msg, "no barrier reply");
        const struct ofp_header *oh = ofpmsg_header(msg);
        enum ofptype type;
        bool done = (!ofptype_decode_msg(oh, &type)
                     && type == OFPTYPE_BARRIER_REPLY
                     && ntohl(oh->xid) == xid);
        ofpmsg_delete(msg);
        if (done) {
            return n;
        }
        n++;
    }
}

/* Takes P's messages up to a barrier reply into LIST. */
static void
peer_sync_collect(struct peer *p, struct plx_list *list)
{
    uint32_t xid = ofpmsg_next_xid();

    plx_list_init(list);
    peer_send(p, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                            peer_version(p), xid));
    for (;;) {
        struct ofpmsg *msg = peer_recv(p, 5000);
        CHECK_MSG(msg, "no barrier reply");
        const struct ofp_header *oh = ofpmsg_header(msg);
        enum ofptype type;
        if (!ofptype_decode_msg(oh, &type) && type == OFPTYPE_BARRIER_REPLY
            && ntohl(oh->xid) == xid) {
            ofpmsg_delete(msg);
            return;
        }
        plx_list_push_back(list, &msg->list_node);
    }
}

/* Sends FEATURES_REQUEST and checks the reply. */
static void
peer_check_features(struct peer *p)
{
    uint32_t xid = ofpmsg_next_xid();

    peer_send(p, ofputil_encode_header_only(OFPTYPE_FEATURES_REQUEST,
                                            peer_version(p), xid));
    struct ofpmsg *msg = peer_expect(p, OFPTYPE_FEATURES_REPLY, xid);
    struct ofputil_switch_features f;
    CHECK_EQ(ofputil_decode_switch_features(ofpmsg_header(msg), &f, NULL,
                                            NULL), 0);
    CHECK_U64_EQ(f.datapath_id, 0x1234);
    ofpmsg_delete(msg);
}

static struct ofpmsg *
make_role_request(enum ofp12_controller_role role, bool have_id, uint64_t id,
                  uint32_t xid)
{
    struct ofputil_role_request rr = {
        .role = role,
        .have_generation_id = have_id,
        .generation_id = id,
    };
    return ofputil_encode_role_request(&rr, OFP13_VERSION, xid);
}

/* Requests ROLE and checks that the reply says EXPECT_ROLE. */
static void
peer_role(struct peer *p, enum ofp12_controller_role role, bool have_id,
          uint64_t id, enum ofp12_controller_role expect_role)
{
    uint32_t xid = ofpmsg_next_xid();

    peer_send(p, make_role_request(role, have_id, id, xid));
    struct ofpmsg *msg = peer_expect(p, OFPTYPE_ROLE_REPLY, xid);
    struct ofputil_role_request reply;
    CHECK_EQ(ofputil_decode_role_message(ofpmsg_header(msg), &reply), 0);
    CHECK_EQ(reply.role, expect_role);
    ofpmsg_delete(msg);
}

static struct ofpmsg *
make_flow_mod(uint8_t version, uint32_t xid)
{
    struct ofputil_flow_mod fm;
    enum ofperr error;

    memset(&fm, 0, sizeof fm);
    fm.command = OFPUTIL_FC_ADD;
    match_init_catchall(&fm.match);
    fm.priority = 100;
    fm.buffer_id = OFP_NO_BUFFER;
    fm.out_port = 0xffffffff;
    fm.out_group = OFPUTIL_GROUP_ANY;
    struct ofpmsg *msg = ofputil_encode_flow_mod(&fm, version, xid, &error);
    CHECK(msg);
    return msg;
}

static struct ofpmsg *
make_set_config(uint8_t version, enum ofputil_frag_handling frag,
                uint16_t miss_send_len)
{
    struct ofputil_switch_config sc = { frag, miss_send_len };
    return ofputil_encode_set_config(&sc, version, ofpmsg_next_xid());
}

static struct ofputil_switch_config
peer_get_config(struct peer *p)
{
    uint32_t xid = ofpmsg_next_xid();
    struct ofputil_switch_config sc;

    peer_send(p, ofputil_encode_header_only(OFPTYPE_GET_CONFIG_REQUEST,
                                            peer_version(p), xid));
    struct ofpmsg *msg = peer_expect(p, OFPTYPE_GET_CONFIG_REPLY, xid);
    CHECK_EQ(ofputil_decode_get_config_reply(ofpmsg_header(msg), &sc), 0);
    ofpmsg_delete(msg);
    return sc;
}

/* Accepts one connection on LISTENER as a peer, running the connmgr
 * meanwhile, and waits for negotiation on both sides. */
static struct peer *
accept_peer(struct pstream *listener, uint32_t versions)
{
    long long int deadline = time_msec() + 5000;
    struct stream *stream;

    for (;;) {
        run_all();
        int error = pstream_accept(listener, &stream);
        if (!error) {
            break;
        }
        CHECK_EQ(error, EAGAIN);
        CHECK_MSG(time_msec() < deadline, "no connection from connmgr");
        wait_all(deadline);
    }
    struct peer *p = peer_open(stream, versions);
    RUN_UNTIL(ofpconn_get_version(p->conn), 5000);
    return p;
}

static void
teardown(void)
{
    for (size_t i = 0; i < MAX_PEERS; i++) {
        if (peers[i]) {
            peer_close(peers[i]);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(listeners); i++) {
        pstream_close(listeners[i]);
        listeners[i] = NULL;
    }
    connmgr_destroy(mgr);
    mgr = NULL;
}

/* Controller info for TARGET; the caller frees it. */
static const struct connmgr_controller_info *
find_info(const struct connmgr_controller_info *infos, size_t n,
          const char *target)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(infos[i].target, target)) {
            return &infos[i];
        }
    }
    test_fail(TEST_WHERE, "no controller info for %s", target);
}

/* ---- Tests. ---- */

TEST(mgmt_socket_dispatch)
{
    setup();
    char *path = tmp_path("br0.mgmt");

    /* A stale socket file left by a dead process. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    CHECK(strlen(path) < sizeof un.sun_path);
    strcpy(un.sun_path, path);
    CHECK_EQ(bind(fd, (struct sockaddr *) &un, sizeof un), 0);
    close(fd);
    CHECK_EQ(access(path, F_OK), 0);

    CHECK_EQ(connmgr_set_mgmt_socket(mgr, path), 0);
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, path), 0);    /* Unchanged. */

    char *name = xasprintf("unix:%s", path);
    struct peer *a = peer_connect(name, V13);
    struct peer *b = peer_connect(name, V10);
    struct peer *c = peer_connect(name, V10 | V13);
    RUN_UNTIL(connmgr_count_connections(mgr) == 3, 5000);
    CHECK_EQ(hlog.n_connected, 3);
    CHECK_EQ(peer_version(a), OFP13_VERSION);
    CHECK_EQ(peer_version(b), OFP10_VERSION);
    CHECK_EQ(peer_version(c), OFP13_VERSION);

    peer_check_features(a);
    peer_check_features(b);
    peer_check_features(c);
    CHECK_EQ(hlog.n_msgs, 3);
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ(hlog.types[i], OFPTYPE_FEATURES_REQUEST);
        CHECK_EQ(ofconn_get_type(hlog.conns[i]), OFCONN_SERVICE);
        CHECK(!ofconn_is_controller(hlog.conns[i]));
        CHECK_EQ(ofconn_get_role(hlog.conns[i]), OFPCR12_ROLE_EQUAL);
        CHECK_EQ(ofconn_get_miss_send_len(hlog.conns[i]), 0);
    }
    CHECK(hlog.conns[0] != hlog.conns[1] && hlog.conns[1] != hlog.conns[2]);

    /* Multipart replies through ofconn_send_replies(). */
    uint32_t xid = ofpmsg_next_xid();
    peer_send(b, ofputil_encode_multipart_request(
                  OFPTYPE_DESC_STATS_REQUEST, OFP10_VERSION, xid));
    struct ofpmsg *msg = peer_expect(b, OFPTYPE_DESC_STATS_REPLY, xid);
    struct ofputil_desc_stats d;
    CHECK_EQ(ofputil_decode_desc_stats_reply(ofpmsg_header(msg), &d), 0);
    CHECK_STREQ(d.mfr_desc, "Plexus test");
    ofpmsg_delete(msg);

    /* An error from the handler becomes the error reply. */
    struct ofputil_port_mod pm = { .port_no = 77 };
    xid = ofpmsg_next_xid();
    peer_send(a, ofputil_encode_port_mod(&pm, OFP13_VERSION, xid));
    peer_expect_error(a, OFPERR_OFPPMFC_BAD_PORT, xid);

    /* A management connection cannot become master or slave. */
    xid = ofpmsg_next_xid();
    peer_send(a, make_role_request(OFPCR12_ROLE_MASTER, true, 1, xid));
    peer_expect_error(a, OFPERR_OFPRRFC_UNSUP, xid);
    peer_role(a, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_EQUAL);
    peer_role(a, OFPCR12_ROLE_EQUAL, false, 0, OFPCR12_ROLE_EQUAL);

    /* Management connections are not controllers. */
    CHECK(!connmgr_has_controllers(mgr));
    CHECK(!connmgr_is_any_controller_connected(mgr));
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE));

    /* Closing one leaves the others working. */
    peer_close(b);
    RUN_UNTIL(hlog.n_disconnected == 1, 5000);
    CHECK_EQ(connmgr_count_connections(mgr), 2);
    peer_check_features(c);

    /* Removing the socket closes its connections and the file. */
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, NULL), 0);
    CHECK_EQ(hlog.n_disconnected, 3);
    CHECK_EQ(connmgr_count_connections(mgr), 0);
    CHECK(access(path, F_OK) != 0);
    CHECK(!peer_recv(a, 2000));
    CHECK_EQ(ofpconn_get_status(a->conn), EOF);

    teardown();
    free(name);
    free(path);
}

TEST(ptcp_listener)
{
    setup();
    struct connmgr_controller c = {
        .target = "ptcp:0:127.0.0.1",
        .probe_interval = CONNMGR_PROBE_DEFAULT,
    };
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    CHECK(connmgr_has_controllers(mgr));
    uint16_t port = connmgr_get_bound_port(mgr, "ptcp:0:127.0.0.1");
    CHECK_NE(port, 0);
    CHECK_EQ(connmgr_get_bound_port(mgr, "ptcp:1"), 0);

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_EQ(n, 1);
    CHECK(!infos[0].is_connected);
    CHECK_STREQ(smap_get(&infos[0].pairs, "state"), "LISTENING");
    connmgr_free_controller_info(infos, n);

    char *name = xasprintf("tcp:127.0.0.1:%u", port);
    struct peer *a = peer_connect(name, V13);
    struct peer *b = peer_connect(name, V10);
    RUN_UNTIL(connmgr_count_connections(mgr) == 2, 5000);
    CHECK(connmgr_is_any_controller_connected(mgr));
    peer_check_features(a);
    peer_check_features(b);
    CHECK_EQ(ofconn_get_type(hlog.conns[0]), OFCONN_SERVICE);
    CHECK(ofconn_is_controller(hlog.conns[0]));

    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_EQ(n, 1);
    CHECK(infos[0].is_connected);
    CHECK_STREQ(infos[0].target, "ptcp:0:127.0.0.1");
    CHECK_STREQ(smap_get(&infos[0].pairs, "state"), "ACTIVE");
    CHECK_STREQ(connmgr_role_to_string(infos[0].role), "other");
    CHECK_STREQ(smap_get(&infos[0].pairs, "sec_since_connect"), "0");
    connmgr_free_controller_info(infos, n);

    /* Reconfiguring with the same target keeps the connections. */
    c.probe_interval = 2000;
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    CHECK_EQ(connmgr_get_bound_port(mgr, "ptcp:0:127.0.0.1"), port);
    peer_check_features(a);
    CHECK_EQ(hlog.n_disconnected, 0);

    /* Removing it closes them. */
    CHECK_EQ(connmgr_set_controllers(mgr, NULL, 0), 0);
    CHECK_EQ(hlog.n_disconnected, 2);
    CHECK(!connmgr_has_controllers(mgr));
    CHECK(!peer_recv(a, 2000));
    CHECK_EQ(ofpconn_get_status(a->conn), EOF);

    teardown();
    free(name);
}

TEST(active_unix_reconnect)
{
    setup();
    char *path = tmp_path("ctl.sock");
    char *pname = xasprintf("punix:%s", path);
    char *aname = xasprintf("unix:%s", path);
    CHECK_EQ(pstream_open(pname, &listeners[0]), 0);

    struct connmgr_controller c = {
        .target = aname,
        .max_backoff = 1000,
        .probe_interval = CONNMGR_PROBE_DEFAULT,
    };
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    struct peer *p = accept_peer(listeners[0], V13);
    RUN_UNTIL(hlog.n_connected == 1, 5000);
    struct ofconn *ofconn = hlog.last_connected;
    CHECK_EQ(ofconn_get_type(ofconn), OFCONN_PRIMARY);
    CHECK(ofconn_is_controller(ofconn));
    CHECK_STREQ(ofconn_get_name(ofconn), aname);
    CHECK_EQ(ofconn_get_miss_send_len(ofconn), OFP_DEFAULT_MISS_SEND_LEN);
    CHECK(connmgr_is_any_controller_connected(mgr));
    peer_check_features(p);

    /* Per-connection state is reset by a reconnection. */
    peer_role(p, OFPCR12_ROLE_MASTER, true, 5, OFPCR12_ROLE_MASTER);
    CHECK_EQ(ofconn_get_role(ofconn), OFPCR12_ROLE_MASTER);

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_EQ(n, 1);
    CHECK(infos[0].is_connected);
    CHECK_STREQ(connmgr_role_to_string(infos[0].role), "master");
    CHECK_STREQ(smap_get(&infos[0].pairs, "state"), "ACTIVE");
    CHECK(!smap_get(&infos[0].pairs, "sec_since_disconnect"));
    connmgr_free_controller_info(infos, n);

    /* The controller drops the connection: connmgr reconnects. */
    peer_close(p);
    RUN_UNTIL(hlog.n_disconnected == 1, 5000);
    CHECK(!connmgr_is_any_controller_connected(mgr));
    CHECK_EQ(ofconn_get_version(ofconn), 0);
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK(!infos[0].is_connected);
    CHECK_STREQ(smap_get(&infos[0].pairs, "last_error"), "End of file");
    CHECK(smap_get(&infos[0].pairs, "sec_since_disconnect"));
    connmgr_free_controller_info(infos, n);

    long long int start = time_msec();
    p = accept_peer(listeners[0], V10 | V13);
    RUN_UNTIL(hlog.n_connected == 2, 5000);
    CHECK_LT(time_msec() - start, 4000);
    CHECK(hlog.last_connected == ofconn);
    CHECK_EQ(ofconn_get_role(ofconn), OFPCR12_ROLE_EQUAL);
    peer_check_features(p);

    teardown();
    free(path);
    free(pname);
    free(aname);
}

TEST(active_tcp_reconfigure)
{
    setup();
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &listeners[0]), 0);
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &listeners[1]), 0);
    char *t1 = xasprintf("tcp:127.0.0.1:%u",
                         pstream_get_bound_port(listeners[0]));
    char *t2 = xasprintf("tcp:127.0.0.1:%u",
                         pstream_get_bound_port(listeners[1]));

    struct connmgr_controller cs[3] = {
        { .target = t1, .probe_interval = CONNMGR_PROBE_DEFAULT },
        { .target = t2, .probe_interval = CONNMGR_PROBE_DEFAULT },
        { .target = "bogus:xyz", .probe_interval = 0 },
    };
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 1), 0);
    struct peer *p1 = accept_peer(listeners[0], V13);
    RUN_UNTIL(hlog.n_connected == 1, 5000);
    peer_check_features(p1);

    /* Adding a target (and an invalid one) keeps the first. */
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 3), EINVAL);
    struct peer *p2 = accept_peer(listeners[1], V13);
    RUN_UNTIL(hlog.n_connected == 2, 5000);
    CHECK_EQ(hlog.n_disconnected, 0);
    peer_check_features(p1);
    peer_check_features(p2);

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_EQ(n, 2);
    CHECK(find_info(infos, n, t1)->is_connected);
    CHECK(find_info(infos, n, t2)->is_connected);
    connmgr_free_controller_info(infos, n);

    /* Changing allowed versions restarts that target only. */
    cs[1].allowed_versions = V10;
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 2), 0);
    CHECK_EQ(hlog.n_disconnected, 1);
    CHECK(!peer_recv(p2, 2000));
    peer_close(p2);
    p2 = accept_peer(listeners[1], V10 | V13);
    CHECK_EQ(peer_version(p2), OFP10_VERSION);
    peer_check_features(p2);
    peer_check_features(p1);

    /* Dropping the first target closes its connection only. */
    CHECK_EQ(connmgr_set_controllers(mgr, &cs[1], 1), 0);
    CHECK_EQ(hlog.n_disconnected, 2);
    CHECK(!peer_recv(p1, 2000));
    CHECK_EQ(ofpconn_get_status(p1->conn), EOF);
    peer_check_features(p2);

    /* No allowed version is invalid. */
    struct connmgr_controller bad = { .target = t1,
                                      .allowed_versions = 1u << 7 };
    CHECK_EQ(connmgr_set_controllers(mgr, &bad, 1), EINVAL);
    CHECK(!connmgr_has_controllers(mgr));

    teardown();
    free(t1);
    free(t2);
}

TEST(roles_and_generation_id)
{
    setup();
    struct connmgr_controller c = { .target = "ptcp:0:127.0.0.1",
                                    .probe_interval = 0 };
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    char *name = xasprintf("tcp:127.0.0.1:%u",
                           connmgr_get_bound_port(mgr, c.target));
    struct peer *a = peer_connect(name, V13);
    struct peer *b = peer_connect(name, V13);
    struct peer *old = peer_connect(name, V10);
    RUN_UNTIL(connmgr_count_connections(mgr) == 3, 5000);

    /* NOCHANGE reports the role. */
    peer_role(a, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_EQUAL);

    peer_role(a, OFPCR12_ROLE_MASTER, true, 10, OFPCR12_ROLE_MASTER);
    uint32_t xid = ofpmsg_next_xid();
    peer_send(b, make_role_request(OFPCR12_ROLE_MASTER, true, 5, xid));
    peer_expect_error(b, OFPERR_OFPRRFC_STALE, xid);
    peer_role(b, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_EQUAL);

    /* The same generation id is not stale. */
    peer_role(b, OFPCR12_ROLE_MASTER, true, 10, OFPCR12_ROLE_MASTER);

    /* B became master: A was demoted, silently (OpenFlow 1.3). */
    CHECK_EQ(peer_sync(a), 0);
    uint32_t fm_xid = ofpmsg_next_xid();
    peer_send(a, make_flow_mod(OFP13_VERSION, fm_xid));
    peer_expect_error(a, OFPERR_OFPBRC_IS_SLAVE, fm_xid);
    CHECK_EQ(hlog.n_msgs, 0);
    struct ofputil_port_mod pm = { .port_no = 1 };
    xid = ofpmsg_next_xid();
    peer_send(a, ofputil_encode_port_mod(&pm, OFP13_VERSION, xid));
    peer_expect_error(a, OFPERR_OFPBRC_IS_SLAVE, xid);
    CHECK_EQ(hlog.n_msgs, 0);

    /* A slave may still read. */
    peer_check_features(a);
    CHECK_EQ(hlog.n_msgs, 1);

    /* The master's FLOW_MOD reaches the handler. */
    peer_send(b, make_flow_mod(OFP13_VERSION, ofpmsg_next_xid()));
    CHECK_EQ(peer_sync(b), 0);
    CHECK_EQ(hlog.n_msgs, 2);
    CHECK_EQ(hlog.types[1], OFPTYPE_FLOW_MOD);

    /* An OpenFlow 1.0 connection is equal and has no ROLE_REQUEST. */
    peer_send(old, make_flow_mod(OFP10_VERSION, ofpmsg_next_xid()));
    CHECK_EQ(peer_sync(old), 0);
    CHECK_EQ(hlog.n_msgs, 3);
    CHECK_EQ(ofconn_get_role(hlog.conns[2]), OFPCR12_ROLE_EQUAL);
    struct ofp_header rr10 = { OFP10_VERSION, OFPT13_ROLE_REQUEST,
                               htons(sizeof rr10), htonl(77) };
    peer_send_raw(old, &rr10, sizeof rr10);
    peer_expect_error(old, OFPERR_OFPBRC_BAD_TYPE, 77);

    /* Slave requests obey the generation id too. */
    xid = ofpmsg_next_xid();
    peer_send(a, make_role_request(OFPCR12_ROLE_SLAVE, true, 9, xid));
    peer_expect_error(a, OFPERR_OFPRRFC_STALE, xid);
    peer_role(a, OFPCR12_ROLE_SLAVE, true, 11, OFPCR12_ROLE_SLAVE);

    /* EQUAL needs no generation id; A can write again. */
    peer_role(a, OFPCR12_ROLE_EQUAL, false, 0, OFPCR12_ROLE_EQUAL);
    peer_send(a, make_flow_mod(OFP13_VERSION, ofpmsg_next_xid()));
    CHECK_EQ(peer_sync(a), 0);
    CHECK_EQ(hlog.n_msgs, 4);

    /* Generation ids compare as a signed difference, so they wrap. */
    peer_role(a, OFPCR12_ROLE_MASTER, true, 11 + (UINT64_C(1) << 62),
              OFPCR12_ROLE_MASTER);
    peer_role(b, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_SLAVE);
    peer_role(a, OFPCR12_ROLE_MASTER, true, 11 + (UINT64_C(1) << 63),
              OFPCR12_ROLE_MASTER);
    peer_role(a, OFPCR12_ROLE_MASTER, true, UINT64_MAX - 1,
              OFPCR12_ROLE_MASTER);
    peer_role(b, OFPCR12_ROLE_MASTER, true, 2, OFPCR12_ROLE_MASTER);
    peer_role(a, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_SLAVE);
    xid = ofpmsg_next_xid();
    peer_send(a, make_role_request(OFPCR12_ROLE_MASTER, true, UINT64_MAX - 5,
                                   xid));
    peer_expect_error(a, OFPERR_OFPRRFC_STALE, xid);
    peer_role(b, OFPCR12_ROLE_NOCHANGE, false, 0, OFPCR12_ROLE_MASTER);

    /* A bad role. */
    xid = ofpmsg_next_xid();
    struct ofpmsg *bad = make_role_request(OFPCR12_ROLE_EQUAL, false, 0, xid);
    struct ofp12_role_request *body = (void *) (bad->data
                                                + sizeof(struct ofp_header));
    body->role = htonl(9);
    peer_send(a, bad);
    peer_expect_error(a, OFPERR_OFPRRFC_BAD_ROLE, xid);

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_STREQ(connmgr_role_to_string(infos[0].role), "master");
    connmgr_free_controller_info(infos, n);

    teardown();
    free(name);
}

/* Asynchronous messages. */

static uint8_t test_frame[60000] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06,
};

struct build_aux {
    enum ofptype type;
    uint8_t reason;
    int n_calls;
    size_t frame_len;           /* 0: 64. */
};

static struct ofpmsg *
build_async(void *aux_, uint8_t version, uint16_t miss_send_len)
{
    struct build_aux *aux = aux_;

    aux->n_calls++;
    if (aux->type == OFPTYPE_PACKET_IN) {
        struct ofputil_packet_in pin;
        memset(&pin, 0, sizeof pin);
        pin.packet = test_frame;
        pin.total_len = aux->frame_len ? aux->frame_len : 64;
        pin.packet_len = MIN(pin.total_len, miss_send_len);
        pin.buffer_id = OFP_NO_BUFFER;
        pin.reason = aux->reason;
        pin.cookie = UINT64_MAX;
        match_init_catchall(&pin.flow_metadata);
        return ofputil_encode_packet_in(&pin, version);
    } else if (aux->type == OFPTYPE_PORT_STATUS) {
        struct ofputil_port_status ps;
        memset(&ps, 0, sizeof ps);
        ps.reason = aux->reason;
        ps.desc.port_no = 3;
        strcpy(ps.desc.name, "p3");
        return ofputil_encode_port_status(&ps, version);
    } else {
        struct ofputil_flow_removed fr;
        memset(&fr, 0, sizeof fr);
        match_init_catchall(&fr.match);
        fr.reason = aux->reason;
        return ofputil_encode_flow_removed(&fr, version);
    }
}

static size_t
send_async(enum ofptype type, uint8_t reason)
{
    struct build_aux aux = { type, reason, 0, 0 };
    size_t n = connmgr_send_async(mgr, type, reason, build_async, &aux);

    /* One build per (version, miss_send_len) in a row. */
    CHECK_LE(aux.n_calls, n);
    return n;
}

/* Syncs P and returns the data length of the only PACKET_IN before the
 * barrier reply, -1 if there was none. */
static int
peer_packet_in_len(struct peer *p)
{
    struct plx_list got;
    int len = -1;

    peer_sync_collect(p, &got);
    CHECK_LE(plx_list_size(&got), 1);
    if (!plx_list_is_empty(&got)) {
        struct ofpmsg *msg = CONTAINER_OF(plx_list_front(&got),
                                          struct ofpmsg, list_node);
        struct ofputil_packet_in pin;
        CHECK_EQ(ofputil_decode_packet_in(ofpmsg_header(msg), &pin), 0);
        len = pin.packet_len;
    }
    ofpmsg_list_delete(&got);
    return len;
}

static int
peer_count_type(struct peer *p, enum ofptype type)
{
    struct plx_list got;
    struct ofpmsg *msg;
    int n = 0;

    peer_sync_collect(p, &got);
    LIST_FOR_EACH (msg, list_node, &got) {
        enum ofptype t;
        CHECK_EQ(ofptype_decode_msg(ofpmsg_header(msg), &t), 0);
        CHECK_EQ(t, type);
        n++;
    }
    ofpmsg_list_delete(&got);
    return n;
}

TEST(async_filtering)
{
    setup();
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &listeners[0]), 0);
    CHECK_EQ(pstream_open("ptcp:0:127.0.0.1", &listeners[1]), 0);
    char *t1 = xasprintf("tcp:127.0.0.1:%u",
                         pstream_get_bound_port(listeners[0]));
    char *t2 = xasprintf("tcp:127.0.0.1:%u",
                         pstream_get_bound_port(listeners[1]));
    struct connmgr_controller cs[2] = {
        { .target = t1, .probe_interval = CONNMGR_PROBE_DEFAULT },
        { .target = t2, .probe_interval = CONNMGR_PROBE_DEFAULT },
    };
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 2), 0);
    struct peer *p1 = accept_peer(listeners[0], V13);
    struct peer *p2 = accept_peer(listeners[1], V10 | V13);

    char *path = tmp_path("br0.mgmt");
    char *mname = xasprintf("unix:%s", path);
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, path), 0);
    struct peer *m1 = peer_connect(mname, V13);
    struct peer *m2 = peer_connect(mname, V13);
    RUN_UNTIL(connmgr_count_connections(mgr) == 4, 5000);

    /* Everyone equal: both controllers get packet-ins, whole (miss 128),
     * management connections do not (miss_send_len 0). */
    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_NO_MATCH), 2);
    CHECK_EQ(peer_packet_in_len(p1), 64);
    CHECK_EQ(peer_packet_in_len(p2), 64);
    CHECK_EQ(peer_packet_in_len(m1), -1);
    CHECK_EQ(peer_packet_in_len(m2), -1);

    /* miss_send_len is per connection. */
    peer_send(p1, make_set_config(OFP13_VERSION, OFPUTIL_FRAG_NORMAL, 20));
    CHECK_EQ(peer_sync(p1), 0);
    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_ACTION), 2);
    CHECK_EQ(peer_packet_in_len(p1), 20);
    CHECK_EQ(peer_packet_in_len(p2), 64);

    /* A management connection that asks for async messages gets them. */
    struct ofputil_async_cfg ac;
    ofputil_async_cfg_default(&ac);
    peer_send(m2, ofputil_encode_set_async(&ac, OFP13_VERSION,
                                           ofpmsg_next_xid()));
    CHECK_EQ(peer_sync(m2), 0);
    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_NO_MATCH), 3);
    CHECK_EQ(peer_packet_in_len(m2), 64);
    CHECK_EQ(peer_packet_in_len(m1), -1);
    CHECK_EQ(peer_packet_in_len(p1), 20);
    CHECK_EQ(peer_packet_in_len(p2), 64);

    /* P1 master, P2 slave: slaves get port status but no packet-in or
     * flow-removed. */
    peer_role(p1, OFPCR12_ROLE_MASTER, true, 1, OFPCR12_ROLE_MASTER);
    peer_role(p2, OFPCR12_ROLE_SLAVE, true, 1, OFPCR12_ROLE_SLAVE);
    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_NO_MATCH), 2);
    CHECK_EQ(peer_packet_in_len(p1), 20);
    CHECK_EQ(peer_packet_in_len(p2), -1);
    CHECK_EQ(peer_packet_in_len(m2), 64);
    CHECK_EQ(send_async(OFPTYPE_PORT_STATUS, OFPPR_MODIFY), 3);
    CHECK_EQ(peer_count_type(p1, OFPTYPE_PORT_STATUS), 1);
    CHECK_EQ(peer_count_type(p2, OFPTYPE_PORT_STATUS), 1);
    CHECK_EQ(peer_count_type(m1, OFPTYPE_PORT_STATUS), 0);
    CHECK_EQ(peer_count_type(m2, OFPTYPE_PORT_STATUS), 1);
    CHECK_EQ(send_async(OFPTYPE_FLOW_REMOVED, OFPRR_IDLE_TIMEOUT), 2);
    CHECK_EQ(peer_count_type(p1, OFPTYPE_FLOW_REMOVED), 1);
    CHECK_EQ(peer_count_type(p2, OFPTYPE_FLOW_REMOVED), 0);
    CHECK_EQ(peer_count_type(m2, OFPTYPE_FLOW_REMOVED), 1);

    /* SET_ASYNC and GET_ASYNC: P1 drops table misses, the slave P2 asks
     * for flow-removed. */
    struct ofputil_async_cfg p1ac = ac;
    p1ac.packet_in[0] = 1u << OFPR_ACTION;
    peer_send(p1, ofputil_encode_set_async(&p1ac, OFP13_VERSION,
                                           ofpmsg_next_xid()));
    struct ofputil_async_cfg p2ac = ac;
    p2ac.flow_removed[1] = 1u << OFPRR_DELETE;
    peer_send(p2, ofputil_encode_set_async(&p2ac, OFP13_VERSION,
                                           ofpmsg_next_xid()));
    uint32_t xid = ofpmsg_next_xid();
    peer_send(p1, ofputil_encode_header_only(OFPTYPE_GET_ASYNC_REQUEST,
                                             OFP13_VERSION, xid));
    struct ofpmsg *msg = peer_expect(p1, OFPTYPE_GET_ASYNC_REPLY, xid);
    struct ofputil_async_cfg got;
    CHECK_EQ(ofputil_decode_async_cfg(ofpmsg_header(msg), &got), 0);
    CHECK_MEMEQ(&got, &p1ac, sizeof got);
    ofpmsg_delete(msg);
    CHECK_EQ(peer_sync(p2), 0);

    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_NO_MATCH), 1);
    CHECK_EQ(peer_packet_in_len(p1), -1);
    CHECK_EQ(peer_packet_in_len(m2), 64);
    CHECK_EQ(send_async(OFPTYPE_PACKET_IN, OFPR_ACTION), 2);
    CHECK_EQ(peer_packet_in_len(p1), 20);
    CHECK_EQ(peer_packet_in_len(m2), 64);
    CHECK_EQ(send_async(OFPTYPE_FLOW_REMOVED, OFPRR_DELETE), 3);
    CHECK_EQ(peer_count_type(p2, OFPTYPE_FLOW_REMOVED), 1);
    CHECK_EQ(peer_count_type(p1, OFPTYPE_FLOW_REMOVED), 1);
    CHECK_EQ(peer_count_type(m2, OFPTYPE_FLOW_REMOVED), 1);

    /* Nonsense types and reasons go nowhere. */
    CHECK_EQ(send_async(OFPTYPE_FEATURES_REPLY, 0), 0);
    CHECK_EQ(send_async(OFPTYPE_PORT_STATUS, 40), 0);

    /* A controller that does not read loses packet-ins, not memory, and
     * keeps its connection and the other messages. */
    peer_send(p1, make_set_config(OFP13_VERSION, OFPUTIL_FRAG_NORMAL,
                                  OFPCML_NO_BUFFER));
    CHECK_EQ(peer_sync(p1), 0);
    size_t queued = 0;
    for (int i = 0; i < 2000; i++) {
        struct build_aux aux = { OFPTYPE_PACKET_IN, OFPR_ACTION, 0,
                                 sizeof test_frame };
        queued += connmgr_send_async(mgr, OFPTYPE_PACKET_IN, OFPR_ACTION,
                                     build_async, &aux);
    }
    CHECK_LT(queued, 2 * 2000);
    CHECK_GE(queued, 2 * CONNMGR_PACKET_IN_BACKLOG);
    int got_p1 = peer_sync(p1);
    CHECK_GE(got_p1, CONNMGR_PACKET_IN_BACKLOG);
    CHECK_LT(got_p1, 2000);
    peer_check_features(p1);
    CHECK_GT(peer_sync(m2), 0);
    peer_check_features(m2);

    teardown();
    free(t1);
    free(t2);
    free(path);
    free(mname);
}

TEST(barrier_and_config)
{
    setup();
    char *path = tmp_path("br0.mgmt");
    char *mname = xasprintf("unix:%s", path);
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, path), 0);
    struct peer *a = peer_connect(mname, V13);
    struct peer *b = peer_connect(mname, V10);

    /* Replies come in order, the barrier's last. */
    uint32_t x1 = ofpmsg_next_xid(), x2 = ofpmsg_next_xid();
    uint32_t x3 = ofpmsg_next_xid();
    peer_send(a, make_flow_mod(OFP13_VERSION, x1));
    peer_send(a, ofputil_encode_header_only(OFPTYPE_FEATURES_REQUEST,
                                            OFP13_VERSION, x2));
    peer_send(a, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                            OFP13_VERSION, x3));
    ofpmsg_delete(peer_expect(a, OFPTYPE_FEATURES_REPLY, x2));
    ofpmsg_delete(peer_expect(a, OFPTYPE_BARRIER_REPLY, x3));
    CHECK_EQ(hlog.n_msgs, 2);
    CHECK_EQ(hlog.types[0], OFPTYPE_FLOW_MOD);
    CHECK_EQ(hlog.types[1], OFPTYPE_FEATURES_REQUEST);
    x1 = ofpmsg_next_xid();
    peer_send(b, ofputil_encode_header_only(OFPTYPE_BARRIER_REQUEST,
                                            OFP10_VERSION, x1));
    ofpmsg_delete(peer_expect(b, OFPTYPE_BARRIER_REPLY, x1));

    /* GET_CONFIG / SET_CONFIG. */
    struct ofputil_switch_config sc = peer_get_config(a);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_NORMAL);
    CHECK_EQ(sc.miss_send_len, 0);
    peer_send(a, make_set_config(OFP13_VERSION, OFPUTIL_FRAG_DROP, 200));
    sc = peer_get_config(a);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_DROP);
    CHECK_EQ(sc.miss_send_len, 200);
    CHECK_EQ(hlog.n_frag_changed, 1);
    CHECK_EQ(hlog.frag, OFPUTIL_FRAG_DROP);
    CHECK_EQ(connmgr_get_frag_handling(mgr), OFPUTIL_FRAG_DROP);

    /* Fragment handling is switch-wide, miss_send_len is not. */
    sc = peer_get_config(b);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_DROP);
    CHECK_EQ(sc.miss_send_len, 0);

    /* Reassembly is not supported: ignored. */
    peer_send(b, make_set_config(OFP10_VERSION, OFPUTIL_FRAG_REASM, 64));
    sc = peer_get_config(b);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_DROP);
    CHECK_EQ(sc.miss_send_len, 64);
    CHECK_EQ(hlog.n_frag_changed, 1);

    /* OpenFlow 1.0's NX_MATCH mode is. */
    peer_send(b, make_set_config(OFP10_VERSION, OFPUTIL_FRAG_NX_MATCH,
                                 64));
    sc = peer_get_config(b);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_NX_MATCH);
    CHECK_EQ(hlog.n_frag_changed, 2);
    connmgr_set_frag_handling(mgr, OFPUTIL_FRAG_NORMAL);
    CHECK_EQ(peer_get_config(a).frag, OFPUTIL_FRAG_NORMAL);
    CHECK_EQ(hlog.n_frag_changed, 2);

    /* A slave may set its miss_send_len but not the switch's fragment
     * handling. */
    struct connmgr_controller c = { .target = "ptcp:0:127.0.0.1",
                                    .probe_interval = 0 };
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    char *name = xasprintf("tcp:127.0.0.1:%u",
                           connmgr_get_bound_port(mgr, c.target));
    struct peer *s = peer_connect(name, V13);
    peer_role(s, OFPCR12_ROLE_SLAVE, true, 1, OFPCR12_ROLE_SLAVE);
    peer_send(s, make_set_config(OFP13_VERSION, OFPUTIL_FRAG_DROP, 99));
    sc = peer_get_config(s);
    CHECK_EQ(sc.frag, OFPUTIL_FRAG_NORMAL);
    CHECK_EQ(sc.miss_send_len, 99);
    CHECK_EQ(hlog.n_frag_changed, 2);

    /* A malformed SET_CONFIG (1.3 frag value 3). */
    x1 = ofpmsg_next_xid();
    struct ofpmsg *bad = make_set_config(OFP13_VERSION, OFPUTIL_FRAG_NORMAL,
                                         0);
    ofpmsg_header(bad)->xid = htonl(x1);
    struct ofp_switch_config *osc = (void *) (bad->data
                                              + sizeof(struct ofp_header));
    osc->flags = htons(3);
    peer_send(a, bad);
    peer_expect_error(a, OFPERR_OFPSCFC_BAD_FLAGS, x1);

    teardown();
    free(path);
    free(mname);
    free(name);
}

TEST(fail_open_timing)
{
    setup();
    char *path = tmp_path("ctl.sock");
    char *aname = xasprintf("unix:%s", path);
    char *pname = xasprintf("punix:%s", path);

    /* No controllers: the bridge decides; connmgr never fails open. */
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE));
    CHECK_EQ(connmgr_fail_open_trigger(mgr), 0);

    /* A controller nobody listens for, probing every 400 ms: fail-open
     * after 3 * 400 ms. */
    struct connmgr_controller c = { .target = aname, .max_backoff = 1000,
                                    .probe_interval = 400 };
    long long int start = time_msec();
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    CHECK_EQ(connmgr_fail_open_trigger(mgr), 1200);
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE));

    /* A management connection does not count as a controller. */
    char *mpath = tmp_path("br0.mgmt");
    char *mname = xasprintf("unix:%s", mpath);
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, mpath), 0);
    peer_connect(mname, V13);

    RUN_UNTIL(connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE), 5000);
    long long int elapsed = time_msec() - start;
    CHECK_GE(elapsed, 1200);
    CHECK_LT(elapsed, 4000);
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_SECURE));

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK(!infos[0].is_connected);
    CHECK_STREQ(smap_get(&infos[0].pairs, "state"), "BACKOFF");
    CHECK(smap_get(&infos[0].pairs, "last_error"));
    CHECK(!smap_get(&infos[0].pairs, "sec_since_connect"));
    connmgr_free_controller_info(infos, n);

    /* The controller appears: fail-open ends as soon as it connects. */
    CHECK_EQ(pstream_open(pname, &listeners[0]), 0);
    struct peer *p = accept_peer(listeners[0], V13);
    RUN_UNTIL(connmgr_is_any_controller_connected(mgr), 5000);
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE));

    /* It disconnects: the clock starts again from the disconnection,
     * and connmgr_wait() wakes the loop when it runs out. */
    peer_close(p);
    RUN_UNTIL(!connmgr_is_any_controller_connected(mgr), 5000);
    start = time_msec();
    pstream_close(listeners[0]);
    listeners[0] = NULL;
    CHECK(!connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE));
    RUN_UNTIL(connmgr_fail_open_active(mgr, OFPROTO_FAIL_STANDALONE), 5000);
    elapsed = time_msec() - start;
    CHECK_GE(elapsed, 1100);
    CHECK_LT(elapsed, 4000);

    /* The default probe interval (5 s) applies to a unix target with
     * probes off, and the minimum to tiny intervals. */
    c.probe_interval = 0;
    connmgr_set_controllers(mgr, &c, 1);
    CHECK_EQ(connmgr_fail_open_trigger(mgr), 15000);
    c.probe_interval = 100;
    connmgr_set_controllers(mgr, &c, 1);
    CHECK_EQ(connmgr_fail_open_trigger(mgr), CONNMGR_FAIL_OPEN_MIN_MS);

    teardown();
    free(path);
    free(aname);
    free(pname);
    free(mpath);
    free(mname);
}

TEST(malformed_messages)
{
    setup();
    char *path = tmp_path("br0.mgmt");
    char *mname = xasprintf("unix:%s", path);
    CHECK_EQ(connmgr_set_mgmt_socket(mgr, path), 0);
    struct peer *a = peer_connect(mname, V13);
    struct peer *b = peer_connect(mname, V13);
    struct peer *old = peer_connect(mname, V10);

    /* Wrong version for the connection. */
    struct ofp_header h = { OFP10_VERSION, OFPT10_FEATURES_REQUEST,
                            htons(8), htonl(101) };
    peer_send_raw(a, &h, sizeof h);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_VERSION, 101);

    /* Unknown type. */
    h = (struct ofp_header) { OFP13_VERSION, 99, htons(8), htonl(102) };
    peer_send_raw(a, &h, sizeof h);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_TYPE, 102);
    h = (struct ofp_header) { OFP10_VERSION, 99, htons(8), htonl(103) };
    peer_send_raw(old, &h, sizeof h);
    peer_expect_error(old, OFPERR_OFPBRC_BAD_TYPE, 103);

    /* Truncated FLOW_MOD. */
    h = (struct ofp_header) { OFP13_VERSION, 14, htons(8), htonl(104) };
    peer_send_raw(a, &h, sizeof h);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_LEN, 104);
    struct ofp_header *short_fm = xzalloc(20);
    *short_fm = (struct ofp_header) { OFP10_VERSION, OFPT10_FLOW_MOD,
                                      htons(20), htonl(105) };
    peer_send_raw(old, short_fm, 20);
    free(short_fm);
    peer_expect_error(old, OFPERR_OFPBRC_BAD_LEN, 105);
    CHECK_EQ(connmgr_count_connections(mgr), 3);

    /* Unknown multipart type. */
    uint8_t mp[16] = { OFP13_VERSION, OFPT13_MULTIPART_REQUEST, 0, 16,
                       0, 0, 0, 106, 0x77, 0x77 };
    peer_send_raw(a, mp, sizeof mp);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_STAT, 106);

    /* Messages only a switch sends. */
    struct ofputil_port_status ps;
    memset(&ps, 0, sizeof ps);
    struct ofpmsg *msg = ofputil_encode_port_status(&ps, OFP13_VERSION);
    ofpmsg_header(msg)->xid = htonl(107);
    peer_send(a, msg);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_TYPE, 107);
    peer_send(a, ofputil_encode_header_only(OFPTYPE_BARRIER_REPLY,
                                            OFP13_VERSION, 108));
    peer_expect_error(a, OFPERR_OFPBRC_BAD_TYPE, 108);

    /* An error is never answered. */
    msg = ofputil_encode_error_reply(OFPERR_OFPBRC_EPERM, OFP13_VERSION,
                                     &h, sizeof h);
    peer_send(a, msg);
    h = (struct ofp_header) { OFP13_VERSION, OFPT10_ERROR, htons(9),
                              htonl(109) };
    uint8_t short_err[9];
    memcpy(short_err, &h, sizeof h);
    short_err[8] = 0;
    peer_send_raw(a, short_err, sizeof short_err);
    CHECK_EQ(peer_sync(a), 0);

    /* None of it reached the handler, and everything still works. */
    CHECK_EQ(hlog.n_msgs, 0);
    peer_check_features(a);
    peer_check_features(b);

    /* A length below 8 cannot be resynchronized: that connection gets
     * OFPBRC_BAD_LEN and is closed; the others carry on. */
    h = (struct ofp_header) { OFP13_VERSION, OFPT10_FEATURES_REQUEST,
                              htons(4), htonl(110) };
    peer_send_raw(a, &h, sizeof h);
    peer_expect_error(a, OFPERR_OFPBRC_BAD_LEN, 0);
    CHECK(!peer_recv(a, 3000));
    CHECK_EQ(ofpconn_get_status(a->conn), EOF);
    RUN_UNTIL(connmgr_count_connections(mgr) == 2, 5000);
    peer_check_features(b);
    peer_check_features(old);

    /* A controller with no version in common fails negotiation without
     * disturbing anything. */
    char *v13 = tmp_path("v13.sock");
    char *pv13 = xasprintf("punix:%s", v13);
    char *av13 = xasprintf("unix:%s", v13);
    struct connmgr_controller c = { .target = pv13, .probe_interval = 0,
                                    .allowed_versions = V13 };
    CHECK_EQ(connmgr_set_controllers(mgr, &c, 1), 0);
    struct stream *stream;
    CHECK_EQ(stream_open(av13, &stream), 0);
    struct peer *none = peer_open(stream, V10);
    RUN_UNTIL(ofpconn_get_status(none->conn), 5000);
    CHECK_EQ(ofpconn_get_version(none->conn), 0);
    CHECK_EQ(connmgr_count_connections(mgr), 2);
    CHECK(!connmgr_is_any_controller_connected(mgr));
    peer_check_features(b);
    free(v13);
    free(pv13);
    free(av13);

    teardown();
    free(path);
    free(mname);
}

/* ---- SSL. ---- */

static void
run_cmd(const char *format, ...) PLX_PRINTF_FORMAT(1, 2);

static void
run_cmd(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *cmd = xvasprintf(format, args);
    va_end(args);

    char *full = xasprintf("cd '%s' && %s >>openssl.log 2>&1",
                           test_tmpdir(), cmd);
    CHECK_MSG(system(full) == 0, "command failed: %s", cmd);
    free(full);
    free(cmd);
}

TEST(ssl_targets)
{
    if (system("openssl version >/dev/null 2>&1")) {
        test_skip("the openssl command is not installed");
    }
    run_cmd("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
            "-nodes -keyout ca-key.pem -out ca-cert.pem -days 2 "
            "-subj '/CN=Plexus connmgr test CA'");
    run_cmd("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-keyout sw-key.pem -out sw-req.pem -subj '/CN=switch'");
    run_cmd("openssl x509 -req -in sw-req.pem -CA ca-cert.pem "
            "-CAkey ca-key.pem -CAcreateserial -out sw-cert.pem -days 2");
    char *key = tmp_path("sw-key.pem");
    char *cert = tmp_path("sw-cert.pem");
    char *ca = tmp_path("ca-cert.pem");
    stream_ssl_set_key_and_cert(key, cert);
    stream_ssl_set_ca_cert_file(ca, false);
    CHECK(stream_ssl_is_configured());

    setup();

    /* Passive: a controller connects to pssl:. */
    CHECK_EQ(pstream_open("pssl:0:127.0.0.1", &listeners[0]), 0);
    char *active = xasprintf("ssl:127.0.0.1:%u",
                             pstream_get_bound_port(listeners[0]));
    struct connmgr_controller cs[2] = {
        { .target = "pssl:0:127.0.0.1",
          .probe_interval = CONNMGR_PROBE_DEFAULT },
        { .target = active, .probe_interval = CONNMGR_PROBE_DEFAULT },
    };
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 1), 0);
    uint16_t port = connmgr_get_bound_port(mgr, "pssl:0:127.0.0.1");
    CHECK_NE(port, 0);
    char *name = xasprintf("ssl:127.0.0.1:%u", port);
    struct peer *a = peer_connect(name, V13);
    peer_check_features(a);

    /* Active: connmgr connects to the test's pssl: listener. */
    CHECK_EQ(connmgr_set_controllers(mgr, cs, 2), 0);
    struct peer *b = accept_peer(listeners[0], V10 | V13);
    RUN_UNTIL(connmgr_count_connections(mgr) == 2, 5000);
    peer_check_features(b);
    peer_check_features(a);

    struct connmgr_controller_info *infos;
    size_t n;
    connmgr_get_controller_info(mgr, &infos, &n);
    CHECK_EQ(n, 2);
    CHECK(find_info(infos, n, active)->is_connected);
    CHECK(find_info(infos, n, "pssl:0:127.0.0.1")->is_connected);
    connmgr_free_controller_info(infos, n);

    teardown();
    free(key);
    free(cert);
    free(ca);
    free(active);
    free(name);
}
