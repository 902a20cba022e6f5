/* ovsdb-idl: the IDL's classes and its session with the server (see
 * ovsdb-idl.h).
 *
 * This file holds the IDL object and everything about talking to the
 * server except transactions:
 *
 *   - classes: binding generated classes to their schema, or building
 *     one from a schema at run time;
 *   - creation, destruction and the simple accessors;
 *   - registration: which tables and columns are replicated (modes);
 *   - conditions (monitor_cond, monitor_cond_change) and locks;
 *   - the protocol: get_schema, then monitor_cond (or monitor, for a
 *     server without it), then notifications, across reconnections.
 *
 * The replica itself (rows, arcs, reading, change tracking and applying
 * the server's updates) is in ovsdb-idl-replica.c; transactions are in
 * ovsdb-idl-txn.c.
 */
#include <config.h>
#include "ovsdb/ovsdb-idl.h"

#include <limits.h>
#include "json.h"
#include "jsonrpc.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "poll-loop.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

enum idl_state {
    IDL_S_DISCONNECTED,         /* No connection (or gave up). */
    IDL_S_SCHEMA_REQUESTED,     /* "get_schema" sent. */
    IDL_S_MONITOR_REQUESTED,    /* "monitor_cond" or "monitor" sent. */
    IDL_S_MONITORING,           /* Replicating. */
    IDL_S_ERROR,                /* Server unusable; waiting to retry. */
};

/* ---- Classes. ---- */

static void
bind_table_class(struct ovsdb_idl_table_class *tc,
                 const struct ovsdb_table_schema *ts)
{
    tc->is_root = ts->is_root;
    for (size_t j = 0; j < tc->n_columns; j++) {
        struct ovsdb_idl_column *c = &tc->columns[j];
        const struct ovsdb_column_schema *cs
            = ovsdb_table_schema_get_column(ts, c->name);
        if (!cs) {
            VLOG_ABORT("IDL class column %s.%s not in schema",
                       tc->name, c->name);
        }
        c->type = &cs->type;
        c->mutable = cs->mutable;
        c->table = tc;
        c->index = j;
    }
}

void
ovsdb_idl_class_bind(struct ovsdb_idl_class *class, const char *schema_json)
{
    char *error;
    json_t *json = json_from_string_bounded(schema_json, NULL, &error);
    if (!json) {
        VLOG_ABORT("IDL class schema: %s", error);
    }
    struct ovsdb_schema *schema;
    struct ovsdb_error *err = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    if (err) {
        VLOG_ABORT("IDL class schema: %s", ovsdb_error_to_string_free(err));
    }
    for (size_t i = 0; i < class->n_tables; i++) {
        struct ovsdb_idl_table_class *tc = &class->tables[i];
        const struct ovsdb_table_schema *ts
            = ovsdb_schema_get_table(schema, tc->name);
        if (!ts) {
            VLOG_ABORT("IDL class table %s not in schema", tc->name);
        }
        tc->index = i;
        bind_table_class(tc, ts);
    }
    class->schema = schema;
}

struct ovsdb_idl_class *
ovsdb_idl_class_create(const struct ovsdb_schema *schema_)
{
    struct ovsdb_schema *schema = ovsdb_schema_clone(schema_);
    struct ovsdb_idl_class *class = xzalloc(sizeof *class);

    class->database = schema->name;
    class->schema = schema;
    class->n_tables = schema->n_tables;
    class->tables = xcalloc(schema->n_tables ? schema->n_tables : 1,
                            sizeof *class->tables);
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct ovsdb_table_schema *ts = schema->tables[i];
        struct ovsdb_idl_table_class *tc = &class->tables[i];
        size_t n = ts->n_columns - OVSDB_N_STD_COLUMNS;

        tc->name = ts->name;
        tc->index = i;
        tc->n_columns = n;
        tc->columns = xcalloc(n ? n : 1, sizeof *tc->columns);
        tc->allocation_size = sizeof(struct ovsdb_idl_row);
        for (size_t j = 0; j < n; j++) {
            tc->columns[j].name = ts->columns[j + OVSDB_N_STD_COLUMNS]->name;
        }
        bind_table_class(tc, ts);
    }
    return class;
}

void
ovsdb_idl_class_destroy(struct ovsdb_idl_class *class)
{
    if (class) {
        for (size_t i = 0; i < class->n_tables; i++) {
            free(class->tables[i].columns);
        }
        free(class->tables);
        ovsdb_schema_destroy(class->schema);
        free(class);
    }
}

const struct ovsdb_idl_table_class *
ovsdb_idl_class_get_table(const struct ovsdb_idl_class *class,
                          const char *name)
{
    for (size_t i = 0; i < class->n_tables; i++) {
        if (!strcmp(class->tables[i].name, name)) {
            return &class->tables[i];
        }
    }
    return NULL;
}

const struct ovsdb_idl_column *
ovsdb_idl_table_class_get_column(const struct ovsdb_idl_table_class *tc,
                                 const char *name)
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, name)) {
            return &tc->columns[i];
        }
    }
    return NULL;
}

/* ---- Creation. ---- */

struct ovsdb_idl *
ovsdb_idl_create(const char *remote, const struct ovsdb_idl_class *class,
                 bool monitor_everything, bool retry)
{
    struct ovsdb_idl *idl = xzalloc(sizeof *idl);

    plx_assert(class->schema);
    idl->class_ = class;
    idl->session = jsonrpc_session_open(remote, retry);
    idl->session_seqno = UINT_MAX;
    idl->state = IDL_S_DISCONNECTED;
    idl->use_monitor_cond = true;
    idl->monitor_id = json_string("plx-idl");
    idl->monitor_everything = monitor_everything;
    idl->change_seqno = 1;
    plx_list_init(&idl->outstanding_txns);

    idl->tables = xcalloc(class->n_tables ? class->n_tables : 1,
                          sizeof *idl->tables);
    for (size_t i = 0; i < class->n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &class->tables[i];
        struct ovsdb_idl_table *t = &idl->tables[i];
        size_t n = tc->n_columns ? tc->n_columns : 1;

        t->class_ = tc;
        t->idl = idl;
        t->modes = xcalloc(n, 1);
        t->server_has_column = xcalloc(n, sizeof *t->server_has_column);
        t->defaults = xcalloc(n, sizeof *t->defaults);
        t->server_has_table = true;
        for (size_t j = 0; j < tc->n_columns; j++) {
            t->modes[j] = (monitor_everything
                           ? OVSDB_IDL_MONITOR | OVSDB_IDL_ALERT : 0);
            t->server_has_column[j] = true;
            ovsdb_datum_init_default(&t->defaults[j], tc->columns[j].type);
        }
        hmap_init(&t->rows);
        plx_list_init(&t->track_list);
    }
    return idl;
}

void
ovsdb_idl_destroy(struct ovsdb_idl *idl)
{
    if (!idl) {
        return;
    }
    ovsdb_idl_txn_forget_all__(idl);
    /* Unparse and drop every arc first, so that freeing rows in any order
     * never touches a freed row. */
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_row *row;
        HMAP_FOR_EACH (row, hmap_node, &idl->tables[i].rows) {
            row->tracked = false;
            ovsdb_idl_row_destroy__(row);
        }
    }
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        struct ovsdb_idl_row *row;
        HMAP_FOR_EACH_POP (row, hmap_node, &t->rows) {
            free(row);
        }
        hmap_destroy(&t->rows);
        for (size_t j = 0; j < t->class_->n_columns; j++) {
            ovsdb_datum_destroy(&t->defaults[j], t->class_->columns[j].type);
        }
        free(t->defaults);
        free(t->modes);
        free(t->server_has_column);
        json_decref(t->condition);
    }
    free(idl->tables);
    jsonrpc_session_close(idl->session);
    json_decref(idl->request_id);
    json_decref(idl->cond_request_id);
    json_decref(idl->lock_request_id);
    json_decref(idl->monitor_id);
    free(idl->lock_name);
    free(idl);
}

struct ovsdb_idl_table *
ovsdb_idl_table_from_class__(const struct ovsdb_idl *idl,
                             const struct ovsdb_idl_table_class *tc)
{
    plx_assert(tc->index < idl->class_->n_tables
               && idl->class_->tables[tc->index].name == tc->name);
    return &idl->tables[tc->index];
}

static struct ovsdb_idl_table *
table_from_column(const struct ovsdb_idl *idl,
                  const struct ovsdb_idl_column *column)
{
    return ovsdb_idl_table_from_class__(idl, column->table);
}

/* ---- Simple accessors. ---- */

const struct ovsdb_idl_class *
ovsdb_idl_get_class(const struct ovsdb_idl *idl)
{
    return idl->class_;
}

unsigned int
ovsdb_idl_get_seqno(const struct ovsdb_idl *idl)
{
    return idl->change_seqno;
}

bool
ovsdb_idl_has_ever_connected(const struct ovsdb_idl *idl)
{
    return idl->ever_connected;
}

bool
ovsdb_idl_is_connected(const struct ovsdb_idl *idl)
{
    return (idl->state == IDL_S_MONITORING
            && jsonrpc_session_is_connected(idl->session));
}

bool
ovsdb_idl_is_alive(const struct ovsdb_idl *idl)
{
    return jsonrpc_session_is_alive(idl->session);
}

int
ovsdb_idl_get_last_error(const struct ovsdb_idl *idl)
{
    return jsonrpc_session_get_last_error(idl->session);
}

void
ovsdb_idl_force_reconnect(struct ovsdb_idl *idl)
{
    jsonrpc_session_force_reconnect(idl->session);
}

void
ovsdb_idl_set_probe_interval(struct ovsdb_idl *idl, int msec)
{
    jsonrpc_session_set_probe_interval(idl->session, msec);
}

bool
ovsdb_idl_server_has_table(const struct ovsdb_idl *idl,
                           const struct ovsdb_idl_table_class *tc)
{
    return ovsdb_idl_table_from_class__(idl, tc)->server_has_table;
}

bool
ovsdb_idl_server_has_column(const struct ovsdb_idl *idl,
                            const struct ovsdb_idl_column *column)
{
    const struct ovsdb_idl_table *t = table_from_column(idl, column);
    return t->server_has_table && t->server_has_column[column->index];
}

/* ---- Registration. ---- */

void
ovsdb_idl_add_table(struct ovsdb_idl *idl,
                    const struct ovsdb_idl_table_class *tc)
{
    /* Rows of a table are replicated with the columns added to it; a
     * table with none is not replicated. */
    (void) ovsdb_idl_table_from_class__(idl, tc);
}

void
ovsdb_idl_add_column(struct ovsdb_idl *idl,
                     const struct ovsdb_idl_column *column)
{
    table_from_column(idl, column)->modes[column->index]
        |= OVSDB_IDL_MONITOR | OVSDB_IDL_ALERT;
}

void
ovsdb_idl_omit(struct ovsdb_idl *idl, const struct ovsdb_idl_column *column)
{
    table_from_column(idl, column)->modes[column->index] = 0;
}

void
ovsdb_idl_omit_alert(struct ovsdb_idl *idl,
                     const struct ovsdb_idl_column *column)
{
    struct ovsdb_idl_table *t = table_from_column(idl, column);
    unsigned char *mode = &t->modes[column->index];
    *mode = (*mode | OVSDB_IDL_MONITOR) & ~(OVSDB_IDL_ALERT | OVSDB_IDL_TRACK);
}

bool
ovsdb_idl_table_is_monitored__(const struct ovsdb_idl_table *t)
{
    if (!t->server_has_table) {
        return false;
    }
    for (size_t j = 0; j < t->class_->n_columns; j++) {
        if (t->modes[j] & OVSDB_IDL_MONITOR && t->server_has_column[j]) {
            return true;
        }
    }
    return false;
}

bool
ovsdb_idl_column_is_replicated__(const struct ovsdb_idl_table *t, size_t j)
{
    return t->modes[j] & OVSDB_IDL_MONITOR && t->server_has_column[j];
}

/* ---- Conditions. ---- */

static const char *const function_names[] = {
    "==", "!=", "<", "<=", ">", ">=", "includes", "excludes",
};

void
ovsdb_idl_condition_init(struct ovsdb_idl_condition *cond)
{
    cond->clauses = json_array();
    cond->is_true = false;
}

void
ovsdb_idl_condition_destroy(struct ovsdb_idl_condition *cond)
{
    json_decref(cond->clauses);
    cond->clauses = NULL;
}

void
ovsdb_idl_condition_add_clause_true(struct ovsdb_idl_condition *cond)
{
    cond->is_true = true;
}

void
ovsdb_idl_condition_add_clause(struct ovsdb_idl_condition *cond,
                               enum ovsdb_idl_function function,
                               const struct ovsdb_idl_column *column,
                               const struct ovsdb_datum *arg)
{
    json_t *clause = json_array();
    plx_assert(function < ARRAY_SIZE(function_names));
    json_array_append_new(clause, json_string(column->name));
    json_array_append_new(clause, json_string(function_names[function]));
    json_array_append_new(clause, ovsdb_datum_to_json(arg, column->type));
    json_array_append_new(cond->clauses, clause);
}

bool
ovsdb_idl_condition_is_true(const struct ovsdb_idl_condition *cond)
{
    return cond->is_true;
}

/* The "where" array for COND: [true], [false] or the clauses. */
static json_t *
condition_to_json(const struct ovsdb_idl_condition *cond)
{
    if (cond->is_true) {
        return json_pack("[b]", 1);
    } else if (!json_array_size(cond->clauses)) {
        return json_pack("[b]", 0);
    }
    return json_deep_copy(cond->clauses);
}

unsigned int
ovsdb_idl_set_condition(struct ovsdb_idl *idl,
                        const struct ovsdb_idl_table_class *tc,
                        const struct ovsdb_idl_condition *cond)
{
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_class__(idl, tc);
    json_t *where = condition_to_json(cond);
    bool in_flight = (idl->cond_request_id
                      || idl->state == IDL_S_MONITOR_REQUESTED);

    if (t->condition && json_equal(t->condition, where)) {
        json_decref(where);
        return idl->cond_seqno + (t->cond_changed || in_flight ? 1 : 0)
               + (t->cond_changed && in_flight ? 1 : 0);
    }
    json_decref(t->condition);
    t->condition = where;
    t->cond_changed = true;
    return idl->cond_seqno + 1 + (in_flight ? 1 : 0);
}

unsigned int
ovsdb_idl_get_condition_seqno(const struct ovsdb_idl *idl)
{
    return idl->cond_seqno;
}

static void
send_condition_changes(struct ovsdb_idl *idl)
{
    json_t *changes = json_object();

    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        if (t->cond_changed && ovsdb_idl_table_is_monitored__(t)) {
            json_t *req = json_pack("{s:O}", "where", t->condition);
            json_object_set_new(changes, t->class_->name,
                                json_pack("[o]", req));
        }
        t->cond_changed = false;
    }
    if (!json_object_size(changes)) {
        json_decref(changes);
        idl->cond_seqno++;      /* Nothing the server needs to know. */
        return;
    }
    json_t *params = json_pack("[OOo]", idl->monitor_id, idl->monitor_id,
                               changes);
    jsonrpc_session_send(idl->session,
                         jsonrpc_create_request("monitor_cond_change",
                                                params,
                                                &idl->cond_request_id));
}

static bool
any_condition_changed(const struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        if (idl->tables[i].cond_changed) {
            return true;
        }
    }
    return false;
}

/* ---- Locks. ---- */

static void
send_lock_request(struct ovsdb_idl *idl, const char *method)
{
    json_t **idp = !strcmp(method, "unlock") ? NULL : &idl->lock_request_id;
    if (idp) {
        json_decref(*idp);
        *idp = NULL;
    }
    jsonrpc_session_send(idl->session,
                         jsonrpc_create_request(
                             method, json_pack("[s]", idl->lock_name), idp));
}

void
ovsdb_idl_set_lock(struct ovsdb_idl *idl, const char *name)
{
    if (name && idl->lock_name && !strcmp(name, idl->lock_name)) {
        return;
    }
    bool connected = jsonrpc_session_is_connected(idl->session)
                     && idl->state != IDL_S_DISCONNECTED;
    if (idl->lock_name) {
        if (connected) {
            send_lock_request(idl, "unlock");
        }
        free(idl->lock_name);
        idl->lock_name = NULL;
        json_decref(idl->lock_request_id);
        idl->lock_request_id = NULL;
    }
    if (idl->has_lock || idl->is_lock_contended) {
        idl->change_seqno++;
    }
    idl->has_lock = idl->is_lock_contended = false;
    if (name) {
        idl->lock_name = xstrdup(name);
        if (connected) {
            send_lock_request(idl, "lock");
        }
    }
}

bool
ovsdb_idl_has_lock(const struct ovsdb_idl *idl)
{
    return idl->has_lock;
}

bool
ovsdb_idl_is_lock_contended(const struct ovsdb_idl *idl)
{
    return idl->is_lock_contended;
}

static void
update_lock(struct ovsdb_idl *idl, bool has, bool contended)
{
    if (idl->has_lock != has || idl->is_lock_contended != contended) {
        idl->has_lock = has;
        idl->is_lock_contended = contended;
        idl->change_seqno++;
    }
}

/* ---- The protocol. ---- */

static void
send_get_schema(struct ovsdb_idl *idl)
{
    json_decref(idl->request_id);
    idl->request_id = NULL;
    jsonrpc_session_send(idl->session,
                         jsonrpc_create_request(
                             "get_schema",
                             json_pack("[s]", idl->class_->database),
                             &idl->request_id));
    idl->state = IDL_S_SCHEMA_REQUESTED;
}

static void
send_monitor_request(struct ovsdb_idl *idl)
{
    json_t *requests = json_object();

    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        if (!ovsdb_idl_table_is_monitored__(t)) {
            continue;
        }
        json_t *columns = json_array();
        for (size_t j = 0; j < t->class_->n_columns; j++) {
            if (ovsdb_idl_column_is_replicated__(t, j)) {
                json_array_append_new(
                    columns, json_string(t->class_->columns[j].name));
            }
        }
        json_t *req = json_pack("{s:o}", "columns", columns);
        if (idl->use_monitor_cond) {
            if (t->condition) {
                json_object_set(req, "where", t->condition);
            }
            json_object_set_new(requests, t->class_->name,
                                json_pack("[o]", req));
        } else {
            json_object_set_new(requests, t->class_->name, req);
        }
        t->cond_changed = false;
    }
    json_decref(idl->request_id);
    idl->request_id = NULL;
    jsonrpc_session_send(
        idl->session,
        jsonrpc_create_request(idl->use_monitor_cond ? "monitor_cond"
                               : "monitor",
                               json_pack("[sOo]", idl->class_->database,
                                         idl->monitor_id, requests),
                               &idl->request_id));
    idl->state = IDL_S_MONITOR_REQUESTED;
}

static bool
types_compatible(const struct ovsdb_type *a, const struct ovsdb_type *b)
{
    return (a->key.type == b->key.type && a->value.type == b->value.type);
}

/* Notes which of our tables and columns the server's SCHEMA has. */
static void
check_server_schema(struct ovsdb_idl *idl, const struct ovsdb_schema *schema)
{
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        const struct ovsdb_idl_table_class *tc = t->class_;
        const struct ovsdb_table_schema *ts
            = ovsdb_schema_get_table(schema, tc->name);

        t->server_has_table = ts != NULL;
        if (!ts) {
            if (!idl->warned_missing) {
                VLOG_WARN("%s: server schema lacks table %s",
                          jsonrpc_session_get_name(idl->session), tc->name);
            }
            continue;
        }
        for (size_t j = 0; j < tc->n_columns; j++) {
            const struct ovsdb_column_schema *cs
                = ovsdb_table_schema_get_column(ts, tc->columns[j].name);
            bool ok = cs && types_compatible(&cs->type, tc->columns[j].type);
            t->server_has_column[j] = ok;
            if (!ok && !idl->warned_missing) {
                VLOG_WARN("%s: server schema %s column %s.%s",
                          jsonrpc_session_get_name(idl->session),
                          cs ? "has an incompatible type for" : "lacks",
                          tc->name, tc->columns[j].name);
            }
        }
    }
    idl->warned_missing = true;
}

static bool
is_unknown_method_error(const json_t *error)
{
    const char *s = json_is_string(error) ? json_string_value(error)
                    : json_object_get_string_or(error, "error", "");
    return !strcmp(s, "unknown method");
}

static char *
error_to_string(const json_t *error)
{
    return json_to_string_canonical(error ? error : json_null());
}

static void
give_up_for_now(struct ovsdb_idl *idl, const char *what, char *why)
{
    VLOG_WARN_RL(&rl, "%s: %s failed: %s",
                 jsonrpc_session_get_name(idl->session), what, why);
    free(why);
    idl->state = IDL_S_ERROR;
    jsonrpc_session_force_reconnect(idl->session);
}

static void
handle_request_reply(struct ovsdb_idl *idl, const struct jsonrpc_msg *msg)
{
    json_decref(idl->request_id);
    idl->request_id = NULL;

    if (idl->state == IDL_S_SCHEMA_REQUESTED) {
        struct ovsdb_schema *schema;
        struct ovsdb_error *error;

        if (msg->type == JSONRPC_ERROR) {
            give_up_for_now(idl, "get_schema", error_to_string(msg->error));
            return;
        }
        error = ovsdb_schema_from_json(msg->result, &schema);
        if (error) {
            give_up_for_now(idl, "get_schema",
                            ovsdb_error_to_string_free(error));
            return;
        }
        check_server_schema(idl, schema);
        ovsdb_schema_destroy(schema);
        send_monitor_request(idl);
    } else if (idl->state == IDL_S_MONITOR_REQUESTED) {
        if (msg->type == JSONRPC_ERROR) {
            if (idl->use_monitor_cond && is_unknown_method_error(msg->error)) {
                VLOG_INFO("%s: server lacks monitor_cond, using monitor",
                          jsonrpc_session_get_name(idl->session));
                idl->use_monitor_cond = false;
                send_monitor_request(idl);
            } else {
                give_up_for_now(idl, "monitor", error_to_string(msg->error));
            }
            return;
        }
        char *error = ovsdb_idl_apply_updates__(idl, msg->result,
                                                idl->use_monitor_cond, true);
        free(error);            /* Logged already. */
        idl->state = IDL_S_MONITORING;
        idl->ever_connected = true;
        idl->cond_seqno++;
        idl->change_seqno++;
    }
}

static void
handle_notify(struct ovsdb_idl *idl, const struct jsonrpc_msg *msg)
{
    const json_t *params = msg->params;
    bool update2 = !strcmp(msg->method, "update2");

    if (update2 || !strcmp(msg->method, "update")) {
        if (json_array_size(params) != 2
            || !json_equal(json_array_get(params, 0), idl->monitor_id)) {
            VLOG_WARN_RL(&rl, "%s: ignoring \"%s\" with bad params",
                         jsonrpc_session_get_name(idl->session), msg->method);
            return;
        }
        if (idl->state != IDL_S_MONITORING) {
            return;             /* Stale: a snapshot is coming. */
        }
        char *error = ovsdb_idl_apply_updates__(idl,
                                                json_array_get(params, 1),
                                                update2, false);
        free(error);            /* Logged already. */
    } else if (!strcmp(msg->method, "locked")
               || !strcmp(msg->method, "stolen")) {
        const char *name = json_string_value(json_array_get(params, 0));
        if (idl->lock_name && name && !strcmp(name, idl->lock_name)) {
            bool locked = msg->method[0] == 'l';
            update_lock(idl, locked, !locked);
        }
    } else if (!strcmp(msg->method, "monitor_canceled")) {
        VLOG_INFO_RL(&rl, "%s: monitor canceled, reconnecting",
                     jsonrpc_session_get_name(idl->session));
        jsonrpc_session_force_reconnect(idl->session);
    } else {
        VLOG_DBG_RL(&rl, "ignoring notification \"%s\"", msg->method);
    }
}

static bool
id_matches(const json_t *expected, const json_t *id)
{
    return expected && id && json_equal(expected, id);
}

static void
handle_msg(struct ovsdb_idl *idl, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_NOTIFY) {
        handle_notify(idl, msg);
    } else if (msg->type == JSONRPC_REQUEST) {
        VLOG_DBG_RL(&rl, "ignoring request \"%s\"", msg->method);
    } else if (id_matches(idl->request_id, msg->id)) {
        handle_request_reply(idl, msg);
    } else if (id_matches(idl->cond_request_id, msg->id)) {
        json_decref(idl->cond_request_id);
        idl->cond_request_id = NULL;
        if (msg->type == JSONRPC_ERROR) {
            VLOG_WARN_RL(&rl, "monitor_cond_change failed, reconnecting");
            jsonrpc_session_force_reconnect(idl->session);
        } else {
            idl->cond_seqno++;
        }
    } else if (id_matches(idl->lock_request_id, msg->id)) {
        json_decref(idl->lock_request_id);
        idl->lock_request_id = NULL;
        if (msg->type == JSONRPC_REPLY) {
            bool locked = json_object_get_bool_or(msg->result, "locked",
                                                  false);
            update_lock(idl, locked, !locked);
        }
    } else if (!ovsdb_idl_txn_process_reply__(idl, msg)) {
        VLOG_DBG_RL(&rl, "ignoring unexpected %s",
                    jsonrpc_msg_type_to_string(msg->type));
    }
}

static void
connection_changed(struct ovsdb_idl *idl)
{
    /* Whatever was in flight is lost.  A lost condition change still
     * counts, so that a seqno promised by set_condition() arrives. */
    if (idl->cond_request_id || idl->state == IDL_S_MONITOR_REQUESTED) {
        idl->cond_seqno++;
    }
    json_decref(idl->request_id);
    json_decref(idl->cond_request_id);
    json_decref(idl->lock_request_id);
    idl->request_id = idl->cond_request_id = idl->lock_request_id = NULL;
    ovsdb_idl_txn_disconnected__(idl);
    update_lock(idl, false, false);
    idl->state = IDL_S_DISCONNECTED;
    idl->change_seqno++;

    if (jsonrpc_session_is_connected(idl->session)) {
        send_get_schema(idl);
        if (idl->lock_name) {
            send_lock_request(idl, "lock");
        }
    }
}

void
ovsdb_idl_run(struct ovsdb_idl *idl)
{
    plx_assert(!idl->txn);
    jsonrpc_session_run(idl->session);
    for (int i = 0; i < 50; i++) {
        /* A session's seqno changes when a connection attempt starts or
         * a connection ends; the attempt completing is noticed here. */
        unsigned int seqno = jsonrpc_session_get_seqno(idl->session);
        bool connected = jsonrpc_session_is_connected(idl->session);
        if (seqno != idl->session_seqno || connected != idl->was_connected) {
            idl->session_seqno = seqno;
            idl->was_connected = connected;
            connection_changed(idl);
        }

        struct jsonrpc_msg *msg = jsonrpc_session_recv(idl->session);
        if (!msg) {
            break;
        }
        handle_msg(idl, msg);
        jsonrpc_msg_destroy(msg);
    }
    if (idl->state == IDL_S_MONITORING && !idl->cond_request_id
        && idl->use_monitor_cond && any_condition_changed(idl)) {
        send_condition_changes(idl);
    }
}

void
ovsdb_idl_wait(struct ovsdb_idl *idl)
{
    jsonrpc_session_wait(idl->session);
    jsonrpc_session_recv_wait(idl->session);
    if (jsonrpc_session_get_seqno(idl->session) != idl->session_seqno
        || jsonrpc_session_is_connected(idl->session) != idl->was_connected
        || (idl->state == IDL_S_MONITORING && !idl->cond_request_id
            && idl->use_monitor_cond && any_condition_changed(idl))) {
        poll_immediate_wake();
    }
}
