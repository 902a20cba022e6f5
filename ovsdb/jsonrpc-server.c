/* The OVSDB JSON-RPC server: see jsonrpc-server.h. */
#include <config.h>

#include "ovsdb/jsonrpc-server.h"

#include <errno.h>
#include <limits.h>

#include "dynamic-string.h"
#include "hash.h"
#include "json.h"
#include "jsonrpc.h"
#include "list.h"
#include "ovsdb/execution.h"
#include "ovsdb/lock.h"
#include "ovsdb/monitor.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/server-db.h"
#include "ovsdb/storage.h"
#include "ovsdb/transaction.h"
#include "ovsdb/uuid.h"
#include "poll-loop.h"
#include "sset.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_jsonrpc_server);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Requests read from one session per iteration. */
#define MAX_RECV_PER_RUN 50

/* A client that reads nothing while its notifications pile up past this
 * many bytes is disconnected rather than allowed to exhaust memory. */
#define MAX_BACKLOG_BYTES (256u * 1024 * 1024)

/* A database the server serves, and the server's replica on it. */
struct server_db {
    struct ovsdb_replica up;        /* Monitors' hook into commits. */
    struct ovsdb_jsonrpc_server *server;
    struct ovsdb *db;
    struct ovsdb_storage *storage;  /* NULL: memory only. */
    struct plx_list monitors;       /* struct jsonrpc_monitor. */
};

struct remote {
    struct plx_list node;           /* In server's 'remotes'. */
    char *name;
    struct pstream *listener;
};

struct ovsdb_jsonrpc_server {
    struct server_db **dbs;         /* Index 0 is _Server. */
    size_t n_dbs, allocated_dbs;
    struct plx_list remotes;        /* struct remote. */
    struct plx_list sessions;       /* struct ovsdb_jsonrpc_session. */
    struct ovsdb_lock_server locks;
    size_t max_msg_bytes;
    unsigned int n_sessions_created;
};

struct ovsdb_jsonrpc_session {
    struct plx_list node;           /* In server's 'sessions'. */
    struct ovsdb_jsonrpc_server *server;
    struct jsonrpc_session *js;     /* NULL for a local session. */
    char *name;
    struct hmap monitors;           /* struct jsonrpc_monitor by id. */
    struct hmap triggers;           /* struct trigger by id. */
    struct hmap waiters;            /* struct ovsdb_lock_waiter by name. */
    bool db_change_aware;

    /* Produced this iteration, sent after the group commit. */
    struct session_out *out;
    size_t n_out, allocated_out;

    /* Local sessions: the text of what was sent, waiting to be popped. */
    char **delivered;
    size_t n_delivered, allocated_delivered, first_delivered;
};

/* One message a session is to send: 'msg', or the bytes of 'head'
 * followed by those of 'body' (a monitor's update notification, see
 * "Fan-out" below). */
struct session_out {
    struct jsonrpc_msg *msg;
    struct jsonrpc_buf *head;
    struct jsonrpc_buf *body;
};

struct jsonrpc_monitor {
    struct hmap_node node;          /* In session's 'monitors'. */
    struct plx_list db_node;        /* In server_db's 'monitors'. */
    struct ovsdb_jsonrpc_session *session;
    struct server_db *sdb;
    json_t *id;
    struct ovsdb_monitor *monitor;
    struct jsonrpc_buf *head;       /* Notification text up to updates. */
};

/* A "transact" blocked in a "wait". */
struct trigger {
    struct hmap_node node;          /* In session's 'triggers'. */
    struct ovsdb_jsonrpc_session *session;
    struct server_db *sdb;
    struct jsonrpc_msg *request;
    long long int created;          /* time_msec() when it arrived. */
    long long int deadline;         /* Retry at the latest then. */
    uint64_t seqno;                 /* Database seqno at the last try. */
};

static void session_destroy(struct ovsdb_jsonrpc_session *);
static void session_handle(struct ovsdb_jsonrpc_session *,
                           struct jsonrpc_msg *);
static void session_queue(struct ovsdb_jsonrpc_session *,
                          struct jsonrpc_msg *);
static void session_out_destroy(struct session_out *);
static void session_queue_serialized(struct ovsdb_jsonrpc_session *,
                                     struct jsonrpc_buf *head,
                                     struct jsonrpc_buf *body);
static const struct ovsdb_replica_class server_replica_class;

static const char zero_txn_id[] = "00000000-0000-0000-0000-000000000000";

/* JSON ids (of requests and monitors) are arbitrary JSON values. */
static uint32_t
json_hash_value(const json_t *json)
{
    char *s = json_to_string_canonical(json);
    uint32_t hash = hash_string(s, 0);
    free(s);
    return hash;
}

/* ---- Databases. ---- */

static struct server_db *
server_db_add(struct ovsdb_jsonrpc_server *server, struct ovsdb *db,
              struct ovsdb_storage *storage)
{
    struct server_db *sdb = xzalloc(sizeof *sdb);
    sdb->server = server;
    sdb->db = db;
    sdb->storage = storage;
    plx_list_init(&sdb->monitors);
    ovsdb_replica_init(&sdb->up, &server_replica_class);
    ovsdb_add_replica(db, &sdb->up);

    if (server->n_dbs >= server->allocated_dbs) {
        server->dbs = x2nrealloc(server->dbs, &server->allocated_dbs,
                                 sizeof *server->dbs);
    }
    server->dbs[server->n_dbs++] = sdb;
    return sdb;
}

static struct server_db *
find_server_db(const struct ovsdb_jsonrpc_server *server, const char *name)
{
    for (size_t i = 0; i < server->n_dbs; i++) {
        if (!strcmp(server->dbs[i]->db->schema->name, name)) {
            return server->dbs[i];
        }
    }
    return NULL;
}

static void
sync_server_db(struct ovsdb_jsonrpc_server *server)
{
    size_t n = server->n_dbs - 1;
    struct ovsdb **dbs = xcalloc(n + 1, sizeof *dbs);
    for (size_t i = 0; i < n; i++) {
        dbs[i] = server->dbs[i + 1]->db;
    }
    ovsdb_server_db_sync(server->dbs[0]->db, dbs, n);
    free(dbs);
}

struct ovsdb_jsonrpc_server *
ovsdb_jsonrpc_server_create(void)
{
    struct ovsdb_jsonrpc_server *server = xzalloc(sizeof *server);
    plx_list_init(&server->remotes);
    plx_list_init(&server->sessions);
    ovsdb_lock_server_init(&server->locks);
    server_db_add(server, ovsdb_server_db_create(), NULL);
    sync_server_db(server);
    return server;
}

bool
ovsdb_jsonrpc_server_add_db(struct ovsdb_jsonrpc_server *server,
                            struct ovsdb *db, struct ovsdb_storage *storage)
{
    if (find_server_db(server, db->schema->name)) {
        return false;
    }
    server_db_add(server, db, storage);
    sync_server_db(server);
    return true;
}

struct ovsdb *
ovsdb_jsonrpc_server_get_db(const struct ovsdb_jsonrpc_server *server,
                            const char *name)
{
    struct server_db *sdb = find_server_db(server, name);
    return sdb ? sdb->db : NULL;
}

void
ovsdb_jsonrpc_server_get_db_names(const struct ovsdb_jsonrpc_server *server,
                                  struct sset *names)
{
    for (size_t i = 0; i < server->n_dbs; i++) {
        sset_add(names, server->dbs[i]->db->schema->name);
    }
}

static void remote_destroy(struct remote *);

void
ovsdb_jsonrpc_server_destroy(struct ovsdb_jsonrpc_server *server)
{
    if (!server) {
        return;
    }

    struct ovsdb_jsonrpc_session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        session_destroy(s);
    }
    struct remote *r;
    LIST_FOR_EACH_SAFE (r, node, &server->remotes) {
        remote_destroy(r);
    }
    for (size_t i = 0; i < server->n_dbs; i++) {
        struct server_db *sdb = server->dbs[i];
        ovsdb_remove_replica(sdb->db, &sdb->up);
        ovsdb_destroy(sdb->db);     /* Also destroys the storage. */
        free(sdb);
    }
    free(server->dbs);
    ovsdb_lock_server_destroy(&server->locks);
    free(server);
}

char *
ovsdb_jsonrpc_server_compact(struct ovsdb_jsonrpc_server *server,
                             const char *name)
{
    struct ds errors = DS_EMPTY_INITIALIZER;
    bool found = false;

    for (size_t i = 0; i < server->n_dbs; i++) {
        struct server_db *sdb = server->dbs[i];
        if (name && strcmp(name, sdb->db->schema->name)) {
            continue;
        }
        found = true;
        if (!sdb->storage) {
            if (name) {
                ds_put_format(&errors, "%s: database has no storage\n", name);
            }
            continue;
        }
        struct ovsdb_error *error
            = ovsdb_storage_compact(sdb->storage, "compacting database "
                                    "online");
        if (error) {
            char *s = ovsdb_error_to_string_free(error);
            VLOG_ERR("%s", s);
            ds_put_format(&errors, "%s\n", s);
            free(s);
        }
    }
    if (!found) {
        ds_put_format(&errors, "%s: unknown database\n", name);
    }
    if (errors.length) {
        ds_chomp(&errors, '\n');
        return ds_steal_cstr(&errors);
    }
    ds_destroy(&errors);
    return NULL;
}

/* ---- Remotes. ---- */

static struct remote *
find_remote(const struct ovsdb_jsonrpc_server *server, const char *name)
{
    struct remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        if (!strcmp(r->name, name)) {
            return r;
        }
    }
    return NULL;
}

int
ovsdb_jsonrpc_server_add_remote(struct ovsdb_jsonrpc_server *server,
                                const char *name)
{
    if (find_remote(server, name)) {
        return 0;
    }

    struct pstream *listener;
    int error = pstream_open_with_default_port(name, PLX_OVSDB_PORT,
                                               &listener);
    if (error) {
        VLOG_ERR("%s: listen failed: %s", name, plx_strerror(error));
        return error;
    }

    struct remote *r = xzalloc(sizeof *r);
    r->name = xstrdup(name);
    r->listener = listener;
    plx_list_push_back(&server->remotes, &r->node);
    /* The pstream's own name has the port actually bound, which is what
     * a script that asked for "ptcp:0" needs to know. */
    VLOG_INFO("%s: listening on %s", name, pstream_get_name(listener));
    return 0;
}

static void
remote_destroy(struct remote *r)
{
    plx_list_remove(&r->node);
    pstream_close(r->listener);
    free(r->name);
    free(r);
}

bool
ovsdb_jsonrpc_server_remove_remote(struct ovsdb_jsonrpc_server *server,
                                   const char *name)
{
    struct remote *r = find_remote(server, name);
    if (r) {
        remote_destroy(r);
    }
    return r != NULL;
}

void
ovsdb_jsonrpc_server_get_remotes(const struct ovsdb_jsonrpc_server *server,
                                 struct sset *names)
{
    struct remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        sset_add(names, r->name);
    }
}

int
ovsdb_jsonrpc_server_get_bound_port(const struct ovsdb_jsonrpc_server *server,
                                    const char *name)
{
    const struct remote *r = find_remote(server, name);
    return r ? pstream_get_bound_port(r->listener) : 0;
}

void
ovsdb_jsonrpc_server_reconnect(struct ovsdb_jsonrpc_server *server)
{
    struct ovsdb_jsonrpc_session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        if (s->js) {
            session_destroy(s);
        }
    }
}

void
ovsdb_jsonrpc_server_set_max_msg_bytes(struct ovsdb_jsonrpc_server *server,
                                       size_t max)
{
    server->max_msg_bytes = max;
}

/* ---- Sessions. ---- */

static struct ovsdb_jsonrpc_session *
session_create(struct ovsdb_jsonrpc_server *server,
               struct jsonrpc_session *js, const char *name)
{
    struct ovsdb_jsonrpc_session *s = xzalloc(sizeof *s);
    s->server = server;
    s->js = js;
    s->name = xstrdup(name);
    hmap_init(&s->monitors);
    hmap_init(&s->triggers);
    hmap_init(&s->waiters);
    plx_list_push_back(&server->sessions, &s->node);
    server->n_sessions_created++;
    return s;
}

struct ovsdb_jsonrpc_session *
ovsdb_jsonrpc_server_open_local(struct ovsdb_jsonrpc_server *server,
                                const char *name)
{
    return session_create(server, NULL, name);
}

static void
monitor_destroy(struct jsonrpc_monitor *m)
{
    hmap_remove(&m->session->monitors, &m->node);
    plx_list_remove(&m->db_node);
    ovsdb_monitor_destroy(m->monitor);
    json_decref(m->id);
    jsonrpc_buf_unref(m->head);
    free(m);
}

static void
trigger_destroy(struct trigger *t)
{
    hmap_remove(&t->session->triggers, &t->node);
    jsonrpc_msg_destroy(t->request);
    free(t);
}

static void notify_lock(struct ovsdb_lock_waiter *, const char *method);

static void
session_destroy(struct ovsdb_jsonrpc_session *s)
{
    struct jsonrpc_monitor *m;
    HMAP_FOR_EACH_SAFE (m, node, &s->monitors) {
        monitor_destroy(m);
    }
    struct trigger *t;
    HMAP_FOR_EACH_SAFE (t, node, &s->triggers) {
        trigger_destroy(t);
    }
    struct ovsdb_lock_waiter *w;
    HMAP_FOR_EACH_POP (w, owner_node, &s->waiters) {
        struct ovsdb_lock_waiter *new_owner = ovsdb_lock_waiter_remove(w);
        if (new_owner) {
            notify_lock(new_owner, "locked");
        }
    }
    hmap_destroy(&s->monitors);
    hmap_destroy(&s->triggers);
    hmap_destroy(&s->waiters);

    for (size_t i = 0; i < s->n_out; i++) {
        session_out_destroy(&s->out[i]);
    }
    free(s->out);
    for (size_t i = s->first_delivered; i < s->n_delivered; i++) {
        free(s->delivered[i]);
    }
    free(s->delivered);

    plx_list_remove(&s->node);
    jsonrpc_session_close(s->js);
    free(s->name);
    free(s);
}

void
ovsdb_jsonrpc_session_close(struct ovsdb_jsonrpc_session *s)
{
    session_destroy(s);
}

static struct session_out *
session_out_add(struct ovsdb_jsonrpc_session *s)
{
    if (s->n_out >= s->allocated_out) {
        s->out = x2nrealloc(s->out, &s->allocated_out, sizeof *s->out);
    }
    struct session_out *out = &s->out[s->n_out++];
    memset(out, 0, sizeof *out);
    return out;
}

static void
session_queue(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    session_out_add(s)->msg = msg;
}

/* Queues the bytes of HEAD followed by those of BODY (taking new
 * references to both) as one message. */
static void
session_queue_serialized(struct ovsdb_jsonrpc_session *s,
                         struct jsonrpc_buf *head, struct jsonrpc_buf *body)
{
    struct session_out *out = session_out_add(s);
    out->head = jsonrpc_buf_ref(head);
    out->body = jsonrpc_buf_ref(body);
}

/* Local sessions keep the text that would have gone on the wire. */
static void
session_deliver_local(struct ovsdb_jsonrpc_session *s,
                      const struct session_out *out)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (out->msg) {
        json_t *json = jsonrpc_msg_to_json(out->msg);
        json_to_ds(json, JSON_COMPACT, &ds);
        json_decref(json);
    } else {
        ds_put_buffer(&ds, jsonrpc_buf_data(out->head),
                      jsonrpc_buf_size(out->head));
        ds_put_buffer(&ds, jsonrpc_buf_data(out->body),
                      jsonrpc_buf_size(out->body));
    }

    if (s->n_delivered >= s->allocated_delivered) {
        if (s->first_delivered) {
            size_t n = s->n_delivered - s->first_delivered;
            memmove(s->delivered, &s->delivered[s->first_delivered],
                    n * sizeof *s->delivered);
            s->n_delivered = n;
            s->first_delivered = 0;
        }
        if (s->n_delivered >= s->allocated_delivered) {
            s->delivered = x2nrealloc(s->delivered, &s->allocated_delivered,
                                      sizeof *s->delivered);
        }
    }
    s->delivered[s->n_delivered++] = ds_steal_cstr(&ds);
}

static void
session_out_destroy(struct session_out *out)
{
    jsonrpc_msg_destroy(out->msg);
    jsonrpc_buf_unref(out->head);
    jsonrpc_buf_unref(out->body);
}

/* Sends what the iteration produced, in order, with as few writes as the
 * stream allows. */
static void
session_flush(struct ovsdb_jsonrpc_session *s)
{
    if (s->js && s->n_out > 1) {
        jsonrpc_session_cork(s->js);
    }
    for (size_t i = 0; i < s->n_out; i++) {
        struct session_out *out = &s->out[i];
        if (!s->js) {
            session_deliver_local(s, out);
        } else if (out->msg) {
            jsonrpc_session_send(s->js, out->msg);
            out->msg = NULL;
        } else {
            jsonrpc_session_send_serialized(s->js,
                                            jsonrpc_buf_data(out->head),
                                            jsonrpc_buf_size(out->head),
                                            out->body);
        }
        session_out_destroy(out);
    }
    if (s->js && s->n_out > 1) {
        jsonrpc_session_uncork(s->js);
    }
    s->n_out = 0;
}

char *
ovsdb_jsonrpc_session_pop_output_text(struct ovsdb_jsonrpc_session *s)
{
    if (s->first_delivered < s->n_delivered) {
        return s->delivered[s->first_delivered++];
    }
    return NULL;
}

struct jsonrpc_msg *
ovsdb_jsonrpc_session_pop_output(struct ovsdb_jsonrpc_session *s)
{
    char *text;

    while ((text = ovsdb_jsonrpc_session_pop_output_text(s))) {
        json_error_t jerror;
        json_t *json = json_loads(text, JSON_ALLOW_NUL, &jerror);
        struct jsonrpc_msg *msg = NULL;
        char *error = (json
                       ? jsonrpc_msg_from_json(json, &msg)
                       : xstrdup(jerror.text));

        json_decref(json);
        if (!error) {
            free(text);
            return msg;
        }
        /* Cannot happen: this is the server's own output. */
        VLOG_ERR_RL(&rl, "%s: bad output %.200s (%s)", s->name, text,
                    error);
        free(error);
        free(text);
    }
    return NULL;
}

void
ovsdb_jsonrpc_session_receive(struct ovsdb_jsonrpc_session *s,
                              struct jsonrpc_msg *msg)
{
    session_handle(s, msg);
}

/* ---- Replies. ---- */

static void
reply_result(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req,
             json_t *result)
{
    session_queue(s, jsonrpc_create_reply(result, req->id));
}

static void
reply_error(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req,
            struct ovsdb_error *error)
{
    session_queue(s, jsonrpc_create_error(ovsdb_error_to_json(error),
                                          req->id));
    ovsdb_error_destroy(error);
}

static void
reply_error_string(struct ovsdb_jsonrpc_session *s,
                   const struct jsonrpc_msg *req, const char *error)
{
    session_queue(s, jsonrpc_create_error(json_string(error), req->id));
}

/* The database named by the first parameter of REQ, or NULL after
 * replying with an error. */
static struct server_db *
lookup_db(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req)
{
    const json_t *name = json_array_get(req->params, 0);

    if (!ovsdb_json_is_cstring(name)) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->params, NULL, "%s request params must begin "
                        "with <db-name>", req->method));
        return NULL;
    }

    struct server_db *sdb = find_server_db(s->server,
                                           json_string_value(name));
    if (!sdb) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->params, "unknown database", "%s request "
                        "specifies unknown database %s", req->method,
                        json_string_value(name)));
    }
    return sdb;
}

/* ---- list_dbs, get_schema, echo, set_db_change_aware. ---- */

static void
handle_list_dbs(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *req)
{
    struct sset names = SSET_INITIALIZER(&names);
    ovsdb_jsonrpc_server_get_db_names(s->server, &names);

    const char **sorted = sset_sort(&names);
    json_t *result = json_array();
    for (size_t i = 0; sorted[i]; i++) {
        json_array_append_new(result, json_string(sorted[i]));
    }
    free(sorted);
    sset_destroy(&names);
    reply_result(s, req, result);
}

static void
handle_get_schema(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *req)
{
    struct server_db *sdb = lookup_db(s, req);
    if (sdb) {
        reply_result(s, req, ovsdb_schema_to_json(sdb->db->schema));
    }
}

static void
handle_set_db_change_aware(struct ovsdb_jsonrpc_session *s,
                           struct jsonrpc_msg *req)
{
    const json_t *value = json_array_get(req->params, 0);
    if (json_array_size(req->params) != 1 || !json_is_boolean(value)) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->params, NULL, "set_db_change_aware: true or "
                        "false parameter expected"));
        return;
    }
    s->db_change_aware = json_is_true(value);
    reply_result(s, req, json_object());
}

/* ---- transact and cancel. ---- */

static bool
session_holds_lock(const char *name, void *s_)
{
    struct ovsdb_jsonrpc_session *s = s_;
    struct ovsdb_lock_waiter *w;

    HMAP_FOR_EACH_WITH_HASH (w, owner_node, hash_string(name, 0),
                             &s->waiters) {
        if (!strcmp(ovsdb_lock_waiter_get_name(w), name)) {
            return ovsdb_lock_waiter_is_owner(w);
        }
    }
    return false;
}

/* Executes REQ ("transact") on SDB for session S.  Returns true if it
 * completed (the reply is queued), false if it is blocked; then
 * '*timeout_msec' says how long it may wait at most. */
static bool
execute_transact(struct ovsdb_jsonrpc_session *s, struct server_db *sdb,
                 const struct jsonrpc_msg *req, long long int created,
                 long long int *timeout_msec)
{
    struct ovsdb_exec_options opts = {
        .read_only = false,
        .elapsed_msec = time_msec() - created,
        .lock_held = session_holds_lock,
        .aux = s,
    };

    *timeout_msec = LLONG_MAX;
    json_t *result = ovsdb_execute(sdb->db, req->params, &opts,
                                   timeout_msec);
    if (!result) {
        return false;
    }
    reply_result(s, req, result);
    return true;
}

static struct trigger *
find_trigger(const struct ovsdb_jsonrpc_session *s, const json_t *id)
{
    struct trigger *t;
    HMAP_FOR_EACH_WITH_HASH (t, node, json_hash_value(id), &s->triggers) {
        if (json_equal(t->request->id, (json_t *) id)) {
            return t;
        }
    }
    return NULL;
}

static void
set_trigger_deadline(struct trigger *t, long long int timeout_msec)
{
    t->deadline = (timeout_msec == LLONG_MAX
                   || timeout_msec > LLONG_MAX - t->created
                   ? LLONG_MAX : t->created + timeout_msec);
}

static void
handle_transact(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *req)
{
    struct server_db *sdb = lookup_db(s, req);
    if (!sdb) {
        jsonrpc_msg_destroy(req);
        return;
    }
    if (find_trigger(s, req->id)) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->id, NULL, "duplicate request ID"));
        jsonrpc_msg_destroy(req);
        return;
    }

    long long int now = time_msec();
    long long int timeout_msec;
    if (execute_transact(s, sdb, req, now, &timeout_msec)) {
        jsonrpc_msg_destroy(req);
        return;
    }

    struct trigger *t = xzalloc(sizeof *t);
    t->session = s;
    t->sdb = sdb;
    t->request = req;
    t->created = now;
    t->seqno = ovsdb_get_seqno(sdb->db);
    set_trigger_deadline(t, timeout_msec);
    hmap_insert(&s->triggers, &t->node, json_hash_value(req->id));
}

/* Retries the blocked transactions whose database changed or whose time
 * is up.  Returns true if one completed (and so may have changed a
 * database, which other triggers may be waiting for). */
static bool
run_triggers(struct ovsdb_jsonrpc_server *server)
{
    long long int now = time_msec();
    bool progress = false;
    struct ovsdb_jsonrpc_session *s;

    LIST_FOR_EACH (s, node, &server->sessions) {
        struct trigger *t;
        HMAP_FOR_EACH_SAFE (t, node, &s->triggers) {
            uint64_t seqno = ovsdb_get_seqno(t->sdb->db);
            if (seqno == t->seqno && now < t->deadline) {
                continue;
            }
            long long int timeout_msec;
            if (execute_transact(s, t->sdb, t->request, t->created,
                                 &timeout_msec)) {
                trigger_destroy(t);
                progress = true;
            } else {
                t->seqno = seqno;
                set_trigger_deadline(t, timeout_msec);
            }
        }
    }
    return progress;
}

static void
handle_cancel(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *msg)
{
    if (json_array_size(msg->params) != 1) {
        return;
    }
    struct trigger *t = find_trigger(s, json_array_get(msg->params, 0));
    if (t) {
        reply_error_string(s, t->request, "canceled");
        trigger_destroy(t);
    }
}

/* ---- Monitors. ---- */

static struct jsonrpc_monitor *
find_monitor(const struct ovsdb_jsonrpc_session *s, const json_t *id)
{
    struct jsonrpc_monitor *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, json_hash_value(id), &s->monitors) {
        if (json_equal(m->id, (json_t *) id)) {
            return m;
        }
    }
    return NULL;
}

/* The params of an update notification from M carrying UPDATES (whose
 * reference this takes). */
static json_t *
update_params(const struct jsonrpc_monitor *m, json_t *updates)
{
    if (ovsdb_monitor_get_version(m->monitor) == OVSDB_MONITOR_V3) {
        return json_pack("[Oso]", m->id, zero_txn_id, updates);
    }
    return json_pack("[Oo]", m->id, updates);
}

/* Fan-out.
 *
 * An update notification is {"method":M,"params":[ID,UPDATES],"id":null}
 * (with the zero transaction id between ID and UPDATES for update3), as
 * jsonrpc_send() would write it.  Monitors with the same share key (see
 * monitor.h) report a transaction with the same UPDATES and the same
 * method, but each client chose its own monitor ID, so the text is
 * spliced: each monitor keeps the text up to UPDATES, which depends only
 * on the monitor ('head': '{"method":M,"params":[ID,'), and the text from
 * UPDATES on ('body': UPDATES + '],"id":null}') is serialized once per
 * transaction and share key and queued by reference on every session
 * (jsonrpc_send_serialized()).  Monitors without a share key get a body
 * of their own. */

static void
monitor_update_head(struct jsonrpc_monitor *m)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_format(&ds, "{\"method\":\"%s\",\"params\":[",
                  ovsdb_monitor_get_method(m->monitor));
    json_to_ds(m->id, JSON_COMPACT, &ds);
    ds_put_char(&ds, ',');
    if (ovsdb_monitor_get_version(m->monitor) == OVSDB_MONITOR_V3) {
        ds_put_format(&ds, "\"%s\",", zero_txn_id);
    }
    jsonrpc_buf_unref(m->head);
    m->head = jsonrpc_buf_from_ds(&ds);
}

/* The body of an update notification carrying UPDATES (see above). */
static struct jsonrpc_buf *
update_body(const json_t *updates)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    json_to_ds(updates, JSON_COMPACT, &ds);
    ds_put_cstr(&ds, "],\"id\":null}");
    return jsonrpc_buf_from_ds(&ds);
}

static void
handle_monitor(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req,
               enum ovsdb_monitor_version version)
{
    struct server_db *sdb = lookup_db(s, req);
    if (!sdb) {
        return;
    }

    size_t n_params = version == OVSDB_MONITOR_V3 ? 4 : 3;
    if (json_array_size(req->params) != n_params) {
        reply_error(s, req, ovsdb_syntax_error(req->params, NULL,
                                               "invalid parameters"));
        return;
    }

    const json_t *id = json_array_get(req->params, 1);
    if (find_monitor(s, id)) {
        reply_error(s, req, ovsdb_syntax_error(id, NULL,
                                               "duplicate monitor ID"));
        return;
    }

    if (version == OVSDB_MONITOR_V3) {
        const json_t *last_id = json_array_get(req->params, 3);
        struct uuid uuid;
        if (!ovsdb_json_is_cstring(last_id)
            || !uuid_from_string(&uuid, json_string_value(last_id))) {
            reply_error(s, req, ovsdb_syntax_error(
                            last_id, NULL,
                            "last-txn-id must be UUID format."));
            return;
        }
    }

    struct ovsdb_monitor *monitor;
    struct ovsdb_error *error = ovsdb_monitor_create(
        sdb->db, version, json_array_get(req->params, 2), &monitor);
    if (error) {
        reply_error(s, req, error);
        return;
    }

    struct jsonrpc_monitor *m = xzalloc(sizeof *m);
    m->session = s;
    m->sdb = sdb;
    m->id = json_deep_copy(id);
    m->monitor = monitor;
    monitor_update_head(m);
    hmap_insert(&s->monitors, &m->node, json_hash_value(id));
    plx_list_push_back(&sdb->monitors, &m->db_node);

    json_t *initial = ovsdb_monitor_get_initial(monitor);
    if (version == OVSDB_MONITOR_V3) {
        /* No transaction history for a standalone database: "found" is
         * always false and the client gets everything, as from
         * ovsdb-server. */
        reply_result(s, req, json_pack("[bso]", 0, zero_txn_id, initial));
    } else {
        reply_result(s, req, initial);
    }
}

static void
handle_monitor_cond_change(struct ovsdb_jsonrpc_session *s,
                           const struct jsonrpc_msg *req)
{
    const json_t *params = req->params;
    if (json_array_size(params) != 3) {
        reply_error(s, req, ovsdb_syntax_error(params, NULL,
                                               "invalid parameters"));
        return;
    }

    const json_t *old_id = json_array_get(params, 0);
    const json_t *new_id = json_array_get(params, 1);
    struct jsonrpc_monitor *m = find_monitor(s, old_id);
    if (!m) {
        reply_error(s, req, ovsdb_syntax_error(old_id, NULL,
                                               "unknown monitor session"));
        return;
    }
    if (!json_equal((json_t *) old_id, (json_t *) new_id)
        && find_monitor(s, new_id)) {
        reply_error(s, req, ovsdb_syntax_error(new_id, NULL,
                                               "duplicate monitor ID"));
        return;
    }

    json_t *updates;
    struct ovsdb_error *error = ovsdb_monitor_change_conditions(
        m->monitor, json_array_get(params, 2), &updates);
    if (error) {
        reply_error(s, req, error);
        return;
    }

    hmap_remove(&s->monitors, &m->node);
    json_decref(m->id);
    m->id = json_deep_copy(new_id);
    hmap_insert(&s->monitors, &m->node, json_hash_value(new_id));
    monitor_update_head(m);

    if (updates) {
        session_queue(s, jsonrpc_create_notify(
                          ovsdb_monitor_get_method(m->monitor),
                          update_params(m, updates)));
    }
    reply_result(s, req, json_object());
}

static void
handle_monitor_cancel(struct ovsdb_jsonrpc_session *s,
                      const struct jsonrpc_msg *req)
{
    if (json_array_size(req->params) != 1) {
        reply_error_string(s, req, "invalid parameters");
        return;
    }
    struct jsonrpc_monitor *m = find_monitor(s, json_array_get(req->params,
                                                               0));
    if (!m) {
        reply_error_string(s, req, "unknown monitor");
        return;
    }
    monitor_destroy(m);
    reply_result(s, req, json_object());
}

/* The replica: composes every monitor's update as a transaction commits
 * and queues it on the monitor's session. */

struct shared_update {
    struct hmap_node node;
    const char *key;
    struct jsonrpc_buf *body;       /* NULL: nothing to report. */
};

/* The body of M's notification for TXN, or NULL if none. */
static struct jsonrpc_buf *
compose_body(const struct jsonrpc_monitor *m, const struct ovsdb_txn *txn)
{
    json_t *updates = ovsdb_monitor_compose_txn(m->monitor, txn);
    if (!updates) {
        return NULL;
    }
    struct jsonrpc_buf *body = update_body(updates);
    json_decref(updates);
    return body;
}

static struct ovsdb_error *
server_replica_commit(struct ovsdb_replica *replica,
                      const struct ovsdb_txn *txn, bool durable PLX_UNUSED)
{
    struct server_db *sdb = CONTAINER_OF(replica, struct server_db, up);
    struct hmap shared = HMAP_INITIALIZER(&shared);
    struct jsonrpc_monitor *m;

    LIST_FOR_EACH (m, db_node, &sdb->monitors) {
        const char *key = ovsdb_monitor_get_share_key(m->monitor);

        if (key) {
            uint32_t hash = hash_string(key, 0);
            struct shared_update *su = NULL, *iter;
            HMAP_FOR_EACH_WITH_HASH (iter, node, hash, &shared) {
                if (!strcmp(iter->key, key)) {
                    su = iter;
                    break;
                }
            }
            if (!su) {
                su = xmalloc(sizeof *su);
                su->key = key;
                su->body = compose_body(m, txn);
                hmap_insert(&shared, &su->node, hash);
            }
            if (su->body) {
                session_queue_serialized(m->session, m->head, su->body);
            }
        } else {
            struct jsonrpc_buf *body = compose_body(m, txn);
            if (body) {
                session_queue_serialized(m->session, m->head, body);
                jsonrpc_buf_unref(body);
            }
        }
    }

    struct shared_update *su;
    HMAP_FOR_EACH_POP (su, node, &shared) {
        jsonrpc_buf_unref(su->body);
        free(su);
    }
    hmap_destroy(&shared);
    return NULL;
}

static void
server_replica_destroy(struct ovsdb_replica *replica PLX_UNUSED)
{
    /* The server_db is freed by the server. */
}

static const struct ovsdb_replica_class server_replica_class = {
    server_replica_commit,
    server_replica_destroy,
};

/* ---- Locks. ---- */

static void
notify_lock(struct ovsdb_lock_waiter *w, const char *method)
{
    struct ovsdb_jsonrpc_session *s = w->owner;
    session_queue(s, jsonrpc_create_notify(
                      method, json_pack("[s]",
                                        ovsdb_lock_waiter_get_name(w))));
}

static struct ovsdb_lock_waiter *
find_waiter(const struct ovsdb_jsonrpc_session *s, const char *name)
{
    struct ovsdb_lock_waiter *w;
    HMAP_FOR_EACH_WITH_HASH (w, owner_node, hash_string(name, 0),
                             &s->waiters) {
        if (!strcmp(ovsdb_lock_waiter_get_name(w), name)) {
            return w;
        }
    }
    return NULL;
}

/* The lock name in REQ's params, or NULL after replying with an error. */
static const char *
parse_lock_name(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req)
{
    const json_t *name = json_array_get(req->params, 0);
    if (json_array_size(req->params) != 1 || !json_is_string(name)
        || !ovsdb_parser_is_id(json_string_value(name))) {
        reply_error(s, req, ovsdb_syntax_error(req->params, NULL,
                                               "%s request params must be "
                                               "<id>", req->method));
        return NULL;
    }
    return json_string_value(name);
}

static void
handle_lock(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req,
            enum ovsdb_lock_mode mode)
{
    const char *name = parse_lock_name(s, req);
    if (!name) {
        return;
    }
    if (find_waiter(s, name)) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->params, NULL, "must issue \"unlock\" before "
                        "new \"%s\"", req->method));
        return;
    }

    struct ovsdb_lock_waiter *victim;
    struct ovsdb_lock_waiter *w = ovsdb_lock_server_lock(&s->server->locks,
                                                         name, s, mode,
                                                         &victim);
    hmap_insert(&s->waiters, &w->owner_node, hash_string(name, 0));
    if (victim) {
        notify_lock(victim, "stolen");
    }
    reply_result(s, req, json_pack("{sb}", "locked",
                                   ovsdb_lock_waiter_is_owner(w)));
}

static void
handle_unlock(struct ovsdb_jsonrpc_session *s, const struct jsonrpc_msg *req)
{
    const char *name = parse_lock_name(s, req);
    if (!name) {
        return;
    }
    struct ovsdb_lock_waiter *w = find_waiter(s, name);
    if (!w) {
        reply_error(s, req, ovsdb_syntax_error(
                        req->params, NULL, "unlock: \"unlock\" without "
                        "\"lock\" or \"steal\""));
        return;
    }

    hmap_remove(&s->waiters, &w->owner_node);
    struct ovsdb_lock_waiter *new_owner = ovsdb_lock_waiter_remove(w);
    if (new_owner) {
        notify_lock(new_owner, "locked");
    }
    reply_result(s, req, json_object());
}

/* ---- Dispatch. ---- */

static void
handle_request(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *req)
{
    const char *method = req->method;

    if (!strcmp(method, "transact")) {
        handle_transact(s, req);    /* Takes REQ. */
        return;
    } else if (!strcmp(method, "monitor")) {
        handle_monitor(s, req, OVSDB_MONITOR_V1);
    } else if (!strcmp(method, "monitor_cond")) {
        handle_monitor(s, req, OVSDB_MONITOR_V2);
    } else if (!strcmp(method, "monitor_cond_since")) {
        handle_monitor(s, req, OVSDB_MONITOR_V3);
    } else if (!strcmp(method, "monitor_cond_change")) {
        handle_monitor_cond_change(s, req);
    } else if (!strcmp(method, "monitor_cancel")) {
        handle_monitor_cancel(s, req);
    } else if (!strcmp(method, "get_schema")) {
        handle_get_schema(s, req);
    } else if (!strcmp(method, "list_dbs")) {
        handle_list_dbs(s, req);
    } else if (!strcmp(method, "lock")) {
        handle_lock(s, req, OVSDB_LOCK_WAIT);
    } else if (!strcmp(method, "steal")) {
        handle_lock(s, req, OVSDB_LOCK_STEAL);
    } else if (!strcmp(method, "unlock")) {
        handle_unlock(s, req);
    } else if (!strcmp(method, "set_db_change_aware")) {
        handle_set_db_change_aware(s, req);
    } else if (!strcmp(method, "echo")) {
        reply_result(s, req, json_incref(req->params));
    } else {
        VLOG_DBG_RL(&rl, "%s: unknown method \"%s\"", s->name, method);
        reply_error_string(s, req, "unknown method");
    }
    jsonrpc_msg_destroy(req);
}

static void
session_handle(struct ovsdb_jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    switch (msg->type) {
    case JSONRPC_REQUEST:
        handle_request(s, msg);
        return;
    case JSONRPC_NOTIFY:
        if (!strcmp(msg->method, "cancel")) {
            handle_cancel(s, msg);
        }
        break;
    case JSONRPC_REPLY:
    case JSONRPC_ERROR:
        /* Replies to our echo probes are consumed by jsonrpc_session;
         * anything else is unsolicited. */
        VLOG_DBG_RL(&rl, "%s: ignoring unexpected %s", s->name,
                    jsonrpc_msg_type_to_string(msg->type));
        break;
    }
    jsonrpc_msg_destroy(msg);
}

/* ---- Main loop. ---- */

static void
accept_connections(struct ovsdb_jsonrpc_server *server)
{
    struct remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        for (int i = 0; i < 50; i++) {
            struct stream *stream;
            int error = pstream_accept(r->listener, &stream);
            if (error) {
                if (error != EAGAIN) {
                    VLOG_WARN_RL(&rl, "%s: accept failed: %s", r->name,
                                 plx_strerror(error));
                }
                break;
            }

            struct jsonrpc *rpc = jsonrpc_open(stream);
            if (server->max_msg_bytes) {
                jsonrpc_set_max_msg_bytes(rpc, server->max_msg_bytes);
            }
            struct jsonrpc_session *js = jsonrpc_session_open_unreliably(rpc);
            jsonrpc_session_set_backlog_threshold(js, 0, MAX_BACKLOG_BYTES);
            /* As ovsdb-server: probe idle tcp and ssl clients, which can
             * vanish with the network, but not unix ones. */
            jsonrpc_session_set_probe_interval(
                js, stream_or_pstream_needs_probes(r->name) ? 5000 : 0);
            char *name = xasprintf("%s#%u", jsonrpc_session_get_name(js),
                                   server->n_sessions_created);
            session_create(server, js, name);
            VLOG_DBG("%s: new connection", name);
            free(name);
        }
    }
}

static void
run_session(struct ovsdb_jsonrpc_session *s)
{
    jsonrpc_session_run(s->js);
    if (!jsonrpc_session_is_alive(s->js)) {
        int error = jsonrpc_session_get_last_error(s->js);
        if (error && error != EOF) {
            VLOG_WARN_RL(&rl, "%s: closing connection: %s", s->name,
                         plx_strerror(error));
        } else {
            VLOG_DBG("%s: connection closed", s->name);
        }
        session_destroy(s);
        return;
    }

    /* Flow control: read more only once earlier output has drained. */
    for (int i = 0; i < MAX_RECV_PER_RUN; i++) {
        if (jsonrpc_session_get_backlog(s->js)) {
            break;
        }
        struct jsonrpc_msg *msg = jsonrpc_session_recv(s->js);
        if (!msg) {
            break;
        }
        session_handle(s, msg);
    }
}

struct ovsdb_error *
ovsdb_jsonrpc_server_run(struct ovsdb_jsonrpc_server *server)
{
    accept_connections(server);

    struct ovsdb_jsonrpc_session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        if (s->js) {
            run_session(s);
        }
    }

    /* A completed trigger commits, which may unblock another. */
    for (int i = 0; i < 10 && run_triggers(server); i++) {
        continue;
    }

    /* Group commit. */
    for (size_t i = 0; i < server->n_dbs; i++) {
        struct ovsdb_storage *storage = server->dbs[i]->storage;
        if (storage) {
            struct ovsdb_error *error = ovsdb_storage_commit_block(storage);
            if (error) {
                return error;
            }
        }
    }

    LIST_FOR_EACH (s, node, &server->sessions) {
        session_flush(s);
    }

    for (size_t i = 0; i < server->n_dbs; i++) {
        struct ovsdb_storage *storage = server->dbs[i]->storage;
        if (storage && ovsdb_storage_should_compact(storage)) {
            struct ovsdb_error *error = ovsdb_storage_compact(
                storage, "compacting database online");
            if (error) {
                char *msg = ovsdb_error_to_string_free(error);
                VLOG_WARN_RL(&rl, "%s", msg);
                free(msg);
            }
        }
    }
    return NULL;
}

void
ovsdb_jsonrpc_server_wait(struct ovsdb_jsonrpc_server *server)
{
    struct remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        pstream_wait(r->listener);
    }

    struct ovsdb_jsonrpc_session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        if (s->js) {
            jsonrpc_session_wait(s->js);
            if (!jsonrpc_session_get_backlog(s->js)) {
                jsonrpc_session_recv_wait(s->js);
            }
        }

        struct trigger *t;
        HMAP_FOR_EACH (t, node, &s->triggers) {
            if (ovsdb_get_seqno(t->sdb->db) != t->seqno) {
                poll_immediate_wake();
            } else if (t->deadline != LLONG_MAX) {
                poll_timer_wait_until(t->deadline);
            }
        }
    }
}

void
ovsdb_jsonrpc_server_get_memory_usage(
    const struct ovsdb_jsonrpc_server *server, struct ds *ds)
{
    size_t n_sessions = 0, n_monitors = 0, n_triggers = 0;
    const struct ovsdb_jsonrpc_session *s;

    LIST_FOR_EACH (s, node, &server->sessions) {
        n_sessions++;
        n_monitors += hmap_count(&s->monitors);
        n_triggers += hmap_count(&s->triggers);
    }
    ds_put_format(ds, "sessions:%zu monitors:%zu "
                  "triggers:%zu locks:%zu", n_sessions, n_monitors,
                  n_triggers, hmap_count(&server->locks.locks));
}
