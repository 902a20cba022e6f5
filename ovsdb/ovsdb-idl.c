/* ovsdb-idl: the replica, its connection and its updates (see
 * ovsdb-idl.h).  Transactions are in ovsdb-idl-txn.c. */
#include <config.h>
#include "ovsdb/ovsdb-idl.h"

#include <errno.h>
#include <limits.h>
#include "bitmap.h"
#include "dynamic-string.h"
#include "hash.h"
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

static void row_destroy(struct ovsdb_idl_row *);

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
            row_destroy(row);
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

static bool
table_is_monitored(const struct ovsdb_idl_table *t)
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

static bool
column_is_replicated(const struct ovsdb_idl_table *t, size_t j)
{
    return t->modes[j] & OVSDB_IDL_MONITOR && t->server_has_column[j];
}

/* ---- Rows and arcs. ---- */

const struct ovsdb_datum *
ovsdb_idl_read__(const struct ovsdb_idl_row *row, size_t idx)
{
    if (row->written && bitmap_is_set(row->written, idx)) {
        return &row->txn_datum[idx];
    } else if (row->txn_inserted) {
        return &row->txn_datum[idx];
    } else if (row->datum) {
        return &row->datum[idx];
    } else {
        return &row->table->defaults[idx];
    }
}

const struct ovsdb_datum *
ovsdb_idl_read(const struct ovsdb_idl_row *row,
               const struct ovsdb_idl_column *column)
{
    plx_assert(column->table == row->table->class_);
    return ovsdb_idl_read__(row, column->index);
}

bool
ovsdb_idl_row_is_visible(const struct ovsdb_idl_row *row)
{
    return (row->txn_inserted || row->exists) && !row->txn_deleted;
}

struct ovsdb_idl_row *
ovsdb_idl_row_create__(struct ovsdb_idl_table *t, const struct uuid *uuid)
{
    struct ovsdb_idl_row *row = xzalloc(t->class_->allocation_size);

    row->uuid = *uuid;
    row->table = t;
    plx_list_init(&row->src_arcs);
    plx_list_init(&row->dst_arcs);
    plx_list_init(&row->txn_node);
    plx_list_init(&row->track_node);
    hmap_insert(&t->rows, &row->hmap_node, uuid_hash(uuid));
    return row;
}

static struct ovsdb_idl_row *
table_find_row(const struct ovsdb_idl_table *t, const struct uuid *uuid)
{
    struct ovsdb_idl_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), &t->rows) {
        if (uuid_equals(&row->uuid, uuid)) {
            return row;
        }
    }
    return NULL;
}

static void
row_unparse(struct ovsdb_idl_row *row)
{
    if (row->parsed) {
        const struct ovsdb_idl_table_class *tc = row->table->class_;
        for (size_t j = 0; j < tc->n_columns; j++) {
            if (tc->columns[j].unparse) {
                tc->columns[j].unparse(row);
            }
        }
        row->parsed = false;
    }
}

static void
row_parse(struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    plx_assert(!row->parsed);
    for (size_t j = 0; j < tc->n_columns; j++) {
        if (tc->columns[j].parse) {
            tc->columns[j].parse(row, ovsdb_idl_read__(row, j));
        }
    }
    row->parsed = true;
}

static void
free_datums(struct ovsdb_datum *datum, const struct ovsdb_idl_table_class *tc,
            const unsigned long *only)
{
    if (datum) {
        for (size_t j = 0; j < tc->n_columns; j++) {
            if (!only || bitmap_is_set(only, j)) {
                ovsdb_datum_destroy(&datum[j], tc->columns[j].type);
            }
        }
        free(datum);
    }
}

/* Removes every arc in ARCS (a list of dst_node, detached from the row),
 * freeing destinations that become unreferenced placeholders. */
static void
arcs_destroy(struct plx_list *arcs)
{
    struct ovsdb_idl_arc *arc;
    LIST_FOR_EACH_POP (arc, dst_node, arcs) {
        struct ovsdb_idl_row *dst = arc->dst;
        plx_list_remove(&arc->src_node);
        free(arc);
        ovsdb_idl_row_maybe_free__(dst);
    }
}

/* Moves ROW's outgoing arcs to ARCS, for arcs_destroy().  Their 'src' is
 * cleared so that ovsdb_idl_get_row_arc() does not take one of them for
 * an arc made by the current parse. */
static void
row_take_dst_arcs(struct ovsdb_idl_row *row, struct plx_list *arcs)
{
    struct ovsdb_idl_arc *arc;

    plx_list_init(arcs);
    plx_list_push_back_all(arcs, &row->dst_arcs);
    LIST_FOR_EACH (arc, dst_node, arcs) {
        arc->src = NULL;
    }
}

void
ovsdb_idl_row_reparse__(struct ovsdb_idl_row *row)
{
    struct plx_list old_arcs;

    row_unparse(row);
    /* New arcs are made before the old ones go, so that a placeholder
     * still referenced is kept rather than freed and recreated. */
    row_take_dst_arcs(row, &old_arcs);
    if (row->datum || row->txn_inserted) {
        row_parse(row);
    }
    arcs_destroy(&old_arcs);
}

void
ovsdb_idl_row_reparse_referrers__(struct ovsdb_idl_row *row)
{
    struct ovsdb_idl_row **srcs = NULL;
    size_t n = 0, allocated = 0;
    struct ovsdb_idl_arc *arc;

    LIST_FOR_EACH (arc, src_node, &row->src_arcs) {
        if (n >= allocated) {
            srcs = x2nrealloc(srcs, &allocated, sizeof *srcs);
        }
        srcs[n++] = arc->src;
    }
    /* Each src has at most one arc to ROW (see ovsdb_idl_get_row_arc()),
     * and no src is ever freed by reparsing another. */
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_row_reparse__(srcs[i]);
    }
    free(srcs);
}

struct ovsdb_idl_row *
ovsdb_idl_get_row_arc(struct ovsdb_idl_row *src,
                      const struct ovsdb_idl_table_class *dst_class,
                      const struct uuid *uuid)
{
    struct ovsdb_idl *idl = src->table->idl;
    struct ovsdb_idl_table *dt = ovsdb_idl_table_from_class__(idl, dst_class);
    struct ovsdb_idl_row *dst = table_find_row(dt, uuid);

    if (!dst) {
        dst = ovsdb_idl_row_create__(dt, uuid);
    }
    /* While SRC is parsed nobody else adds arcs, so an arc from SRC to DST
     * made earlier in this parse is at the front of DST's list. */
    if (plx_list_is_empty(&dst->src_arcs)
        || CONTAINER_OF(dst->src_arcs.next, struct ovsdb_idl_arc,
                        src_node)->src != src) {
        struct ovsdb_idl_arc *arc = xmalloc(sizeof *arc);
        arc->src = src;
        arc->dst = dst;
        plx_list_push_front(&dst->src_arcs, &arc->src_node);
        plx_list_push_back(&src->dst_arcs, &arc->dst_node);
    }
    return ovsdb_idl_row_is_visible(dst) ? dst : NULL;
}

void
ovsdb_idl_row_maybe_free__(struct ovsdb_idl_row *row)
{
    if (!row->exists && !row->datum && !row->txn_inserted && !row->tracked
        && !row->txn_datum
        && plx_list_is_empty(&row->src_arcs)
        && plx_list_is_empty(&row->dst_arcs)) {
        hmap_remove(&row->table->rows, &row->hmap_node);
        free(row);
    }
}

/* Frees everything ROW owns and drops its arcs in both directions,
 * leaving it in its table's map (the caller removes and frees it). */
static void
row_destroy(struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    struct ovsdb_idl_arc *arc;

    row_unparse(row);
    LIST_FOR_EACH_POP (arc, dst_node, &row->dst_arcs) {
        plx_list_remove(&arc->src_node);
        free(arc);
    }
    LIST_FOR_EACH_POP (arc, src_node, &row->src_arcs) {
        plx_list_remove(&arc->dst_node);
        free(arc);
    }
    free_datums(row->datum, tc, NULL);
    row->datum = NULL;
    free_datums(row->txn_datum, tc, row->txn_inserted ? NULL : row->written);
    row->txn_datum = NULL;
    bitmap_free(row->written);
    bitmap_free(row->verified);
    bitmap_free(row->updated);
    row->written = row->verified = row->updated = NULL;
    if (row->tracked) {
        plx_list_remove(&row->track_node);
        row->tracked = false;
    }
}

/* ---- Reading. ---- */

static const struct ovsdb_idl_row *
next_visible(const struct ovsdb_idl_table *t, const struct hmap_node *node)
{
    for (; node; node = hmap_next(&t->rows, node)) {
        const struct ovsdb_idl_row *row
            = CONTAINER_OF(node, struct ovsdb_idl_row, hmap_node);
        if (ovsdb_idl_row_is_visible(row)) {
            return row;
        }
    }
    return NULL;
}

const struct ovsdb_idl_row *
ovsdb_idl_first_row(const struct ovsdb_idl *idl,
                    const struct ovsdb_idl_table_class *tc)
{
    const struct ovsdb_idl_table *t = ovsdb_idl_table_from_class__(idl, tc);
    return next_visible(t, hmap_first(&t->rows));
}

const struct ovsdb_idl_row *
ovsdb_idl_next_row(const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table *t = row->table;
    return next_visible(t, hmap_next(&t->rows, &row->hmap_node));
}

const struct ovsdb_idl_row *
ovsdb_idl_get_row_for_uuid(const struct ovsdb_idl *idl,
                           const struct ovsdb_idl_table_class *tc,
                           const struct uuid *uuid)
{
    const struct ovsdb_idl_row *row
        = table_find_row(ovsdb_idl_table_from_class__(idl, tc), uuid);
    return row && ovsdb_idl_row_is_visible(row) ? row : NULL;
}

/* ---- Change tracking. ---- */

void
ovsdb_idl_track_add_column(struct ovsdb_idl *idl,
                           const struct ovsdb_idl_column *column)
{
    struct ovsdb_idl_table *t = table_from_column(idl, column);
    unsigned char *mode = &t->modes[column->index];
    *mode |= OVSDB_IDL_MONITOR | OVSDB_IDL_ALERT | OVSDB_IDL_TRACK;
}

void
ovsdb_idl_track_add_all(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        for (size_t j = 0; j < t->class_->n_columns; j++) {
            if (t->modes[j] & OVSDB_IDL_ALERT) {
                t->modes[j] |= OVSDB_IDL_TRACK;
            }
        }
    }
}

static bool
table_is_tracked(const struct ovsdb_idl_table *t)
{
    for (size_t j = 0; j < t->class_->n_columns; j++) {
        if (t->modes[j] & OVSDB_IDL_TRACK) {
            return true;
        }
    }
    return false;
}

static void
row_track(struct ovsdb_idl_row *row, enum ovsdb_idl_change change,
          const unsigned long *changed, unsigned int seqno)
{
    struct ovsdb_idl_table *t = row->table;
    size_t n = t->class_->n_columns;

    row->change_seqno[change] = seqno;
    if (!table_is_tracked(t)) {
        return;
    }
    if (!row->tracked) {
        plx_list_push_back(&t->track_list, &row->track_node);
        row->tracked = true;
    }
    if (changed) {
        if (!row->updated) {
            row->updated = bitmap_allocate(n ? n : 1);
        }
        bitmap_or(row->updated, changed, n);
    }
}

const struct ovsdb_idl_row *
ovsdb_idl_track_get_first(const struct ovsdb_idl *idl,
                          const struct ovsdb_idl_table_class *tc)
{
    const struct ovsdb_idl_table *t = ovsdb_idl_table_from_class__(idl, tc);
    return (plx_list_is_empty(&t->track_list) ? NULL
            : CONTAINER_OF(t->track_list.next, struct ovsdb_idl_row,
                           track_node));
}

const struct ovsdb_idl_row *
ovsdb_idl_track_get_next(const struct ovsdb_idl_row *row)
{
    const struct plx_list *next = row->track_node.next;
    return (next == &row->table->track_list ? NULL
            : CONTAINER_OF(next, struct ovsdb_idl_row, track_node));
}

bool
ovsdb_idl_track_is_new(const struct ovsdb_idl_row *row)
{
    return row->tracked && row->change_seqno[OVSDB_IDL_CHANGE_INSERT];
}

bool
ovsdb_idl_track_is_deleted(const struct ovsdb_idl_row *row)
{
    return row->tracked && !row->exists;
}

bool
ovsdb_idl_track_is_updated(const struct ovsdb_idl_row *row,
                           const struct ovsdb_idl_column *column)
{
    return (row->tracked && row->updated
            && bitmap_is_set(row->updated, column->index));
}

unsigned int
ovsdb_idl_row_get_seqno(const struct ovsdb_idl_row *row,
                        enum ovsdb_idl_change change)
{
    return change < OVSDB_IDL_CHANGE_MAX ? row->change_seqno[change] : 0;
}

void
ovsdb_idl_track_clear(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < idl->class_->n_tables; i++) {
        struct ovsdb_idl_table *t = &idl->tables[i];
        struct plx_list deleted = PLX_LIST_INITIALIZER(&deleted);
        struct ovsdb_idl_row *row;

        LIST_FOR_EACH_POP (row, track_node, &t->track_list) {
            row->tracked = false;
            bitmap_free(row->updated);
            row->updated = NULL;
            memset(row->change_seqno, 0, sizeof row->change_seqno);
            if (!row->exists) {
                plx_list_push_back(&deleted, &row->track_node);
            }
        }
        /* Deleted rows lose their values (and their arcs) now. */
        LIST_FOR_EACH_POP (row, track_node, &deleted) {
            struct plx_list arcs;
            row_unparse(row);
            row_take_dst_arcs(row, &arcs);
            free_datums(row->datum, t->class_, NULL);
            row->datum = NULL;
            arcs_destroy(&arcs);
            ovsdb_idl_row_maybe_free__(row);
        }
    }
}

/* ---- Applying updates. ---- */

/* Builds the datum that results from applying DIFF (update2 "modify"
 * semantics) to OLD, both of TYPE: a set element in both goes, one in
 * DIFF only comes; a map key in DIFF only comes, one in both goes if the
 * values are equal and takes DIFF's value otherwise. */
static void
datum_apply_diff(struct ovsdb_datum *new, const struct ovsdb_datum *old,
                 const struct ovsdb_datum *diff,
                 const struct ovsdb_type *type)
{
    enum ovsdb_atomic_type kt = type->key.type, vt = type->value.type;
    bool is_map = vt != OVSDB_TYPE_VOID;
    size_t i = 0, j = 0;

    ovsdb_datum_init_empty(new);
    while (i < old->n || j < diff->n) {
        int cmp = (i >= old->n ? 1 : j >= diff->n ? -1
                   : ovsdb_atom_compare_3way(&old->keys[i], &diff->keys[j],
                                             kt));
        if (cmp < 0) {
            ovsdb_datum_add_unsafe(new, &old->keys[i],
                                   is_map ? &old->values[i] : NULL, type);
            i++;
        } else if (cmp > 0) {
            ovsdb_datum_add_unsafe(new, &diff->keys[j],
                                   is_map ? &diff->values[j] : NULL, type);
            j++;
        } else {
            if (is_map && !ovsdb_atom_equals(&old->values[i],
                                             &diff->values[j], vt)) {
                ovsdb_datum_add_unsafe(new, &diff->keys[j],
                                       &diff->values[j], type);
            }
            i++;
            j++;
        }
    }
}

/* Parses ROW_JSON into a new array of datums for table T, starting from
 * BASE (NULL: defaults).  With DIFF, composite columns hold update2
 * diffs.  Returns NULL or a malloc'd error (and *NEWP NULL). */
static char *
parse_row(struct ovsdb_idl_table *t, const json_t *row_json,
          const struct ovsdb_datum *base, bool diff,
          struct ovsdb_datum **newp)
{
    const struct ovsdb_idl_table_class *tc = t->class_;
    struct ovsdb_datum *new;
    const char *name;
    json_t *value;
    char *error = NULL;

    *newp = NULL;
    if (!json_is_object(row_json)) {
        return xasprintf("<row> is %s, not object",
                         json_type_name(row_json));
    }
    new = xcalloc(tc->n_columns ? tc->n_columns : 1, sizeof *new);
    for (size_t j = 0; j < tc->n_columns; j++) {
        ovsdb_datum_clone(&new[j], base ? &base[j] : &t->defaults[j],
                          tc->columns[j].type);
    }
    json_object_foreach ((json_t *) row_json, name, value) {
        const struct ovsdb_idl_column *c
            = ovsdb_idl_table_class_get_column(tc, name);
        if (!c || !column_is_replicated(t, c->index)) {
            VLOG_DBG_RL(&rl, "%s: ignoring column %s", tc->name, name);
            continue;
        }

        const struct ovsdb_type *type = c->type;
        struct ovsdb_datum d;
        struct ovsdb_error *oe;
        if (diff && ovsdb_type_is_composite(type)) {
            struct ovsdb_type relaxed = *type;   /* Shallow, not freed. */
            relaxed.n_min = 0;
            relaxed.n_max = UINT_MAX;
            oe = ovsdb_datum_from_json(&d, &relaxed, value, NULL);
            if (!oe) {
                struct ovsdb_datum result;
                datum_apply_diff(&result, &new[c->index], &d, type);
                ovsdb_datum_destroy(&d, type);
                oe = ovsdb_datum_validate(&result, type);
                d = result;
                if (oe) {
                    ovsdb_datum_destroy(&d, type);
                }
            }
        } else {
            oe = ovsdb_datum_from_json(&d, type, value, NULL);
        }
        if (oe) {
            char *s = ovsdb_error_to_string_free(oe);
            error = xasprintf("column %s: %s", name, s);
            free(s);
            break;
        }
        ovsdb_datum_swap(&new[c->index], &d);
        ovsdb_datum_destroy(&d, type);
    }
    if (error) {
        free_datums(new, tc, NULL);
        return error;
    }
    *newp = new;
    return NULL;
}

struct update_ctx {
    unsigned int seqno;         /* Sequence number of this batch. */
    bool snapshot;              /* Applying a full snapshot. */
    bool alert;                 /* Something alerting changed. */
};

/* Makes NEW (taken) the values of ROW, inserting it if needed. */
static void
row_set_values(struct update_ctx *ctx, struct ovsdb_idl_row *row,
               struct ovsdb_datum *new)
{
    struct ovsdb_idl_table *t = row->table;
    const struct ovsdb_idl_table_class *tc = t->class_;

    if (!row->exists) {
        free_datums(row->datum, tc, NULL);
        row->datum = new;
        row->exists = true;
        bitmap_free(row->updated);
        row->updated = NULL;
        ovsdb_idl_row_reparse__(row);
        row_track(row, OVSDB_IDL_CHANGE_INSERT, NULL, ctx->seqno);
        ovsdb_idl_row_reparse_referrers__(row);
        ctx->alert = true;
        return;
    }

    size_t n = tc->n_columns;
    unsigned long *changed = bitmap_allocate(n ? n : 1);
    bool alert = false, track = false;
    for (size_t j = 0; j < n; j++) {
        if (!ovsdb_datum_equals(&row->datum[j], &new[j],
                                tc->columns[j].type)) {
            bitmap_set1(changed, j);
            alert |= (t->modes[j] & OVSDB_IDL_ALERT) != 0;
            track |= (t->modes[j] & OVSDB_IDL_TRACK) != 0;
        }
    }
    if (bitmap_is_all_zeros(changed, n)) {
        free_datums(new, tc, NULL);
    } else {
        row_unparse(row);
        free_datums(row->datum, tc, NULL);
        row->datum = new;
        ovsdb_idl_row_reparse__(row);
        if (track) {
            row_track(row, OVSDB_IDL_CHANGE_MODIFY, changed, ctx->seqno);
        }
        ctx->alert |= alert;
    }
    bitmap_free(changed);
}

static void
row_delete(struct update_ctx *ctx, struct ovsdb_idl_row *row)
{
    struct ovsdb_idl_table *t = row->table;

    row->exists = false;
    row_track(row, OVSDB_IDL_CHANGE_DELETE, NULL, ctx->seqno);
    if (!row->tracked) {
        struct plx_list arcs;
        row_unparse(row);
        row_take_dst_arcs(row, &arcs);
        free_datums(row->datum, t->class_, NULL);
        row->datum = NULL;
        arcs_destroy(&arcs);
    }
    ctx->alert = true;
    if (plx_list_is_empty(&row->src_arcs)) {
        ovsdb_idl_row_maybe_free__(row);
    } else {
        ovsdb_idl_row_reparse_referrers__(row);
    }
}

static char *
process_row_update(struct update_ctx *ctx, struct ovsdb_idl_table *t,
                   const struct uuid *uuid, const json_t *ru, bool update2)
{
    struct ovsdb_idl_row *row = table_find_row(t, uuid);
    const char *op;
    json_t *row_json;

    if (!json_is_object(ru)) {
        return xasprintf("<row-update> is %s, not object",
                         json_type_name(ru));
    }
    if (update2) {
        if (json_object_size(ru) != 1) {
            return xstrdup("<row-update2> must have exactly one member");
        }
        op = json_object_iter_key(json_object_iter((json_t *) ru));
        row_json = json_object_get(ru, op);
    } else {
        json_t *old = json_object_get(ru, "old");
        json_t *new = json_object_get(ru, "new");
        if (json_object_size(ru) != !!old + !!new || (!old && !new)) {
            return xstrdup("<row-update> must have \"old\" and/or \"new\"");
        }
        op = (!new ? "delete" : row && row->exists ? "modify-full"
              : "insert");
        row_json = new;
    }

    struct ovsdb_datum *values;
    char *error;
    if (!strcmp(op, "initial") || !strcmp(op, "insert")) {
        error = parse_row(t, row_json, NULL, false, &values);
        if (error) {
            return error;
        }
        if (row && row->exists && !ctx->snapshot) {
            VLOG_WARN_RL(&rl, "%s: inserting row "UUID_FMT" that exists",
                         t->class_->name, UUID_ARGS(uuid));
        }
        if (!row) {
            row = ovsdb_idl_row_create__(t, uuid);
        }
        row->resync_gen = t->idl->resync_gen;
        row_set_values(ctx, row, values);
    } else if (!strcmp(op, "modify") || !strcmp(op, "modify-full")) {
        if (!row || !row->exists) {
            return xasprintf("modify of missing row "UUID_FMT,
                             UUID_ARGS(uuid));
        }
        error = parse_row(t, row_json, row->datum, op[6] == '\0', &values);
        if (error) {
            return error;
        }
        row->resync_gen = t->idl->resync_gen;
        row_set_values(ctx, row, values);
    } else if (!strcmp(op, "delete")) {
        if (!row || !row->exists) {
            return xasprintf("delete of missing row "UUID_FMT,
                             UUID_ARGS(uuid));
        }
        if (update2 && !json_is_null(row_json)) {
            return xstrdup("\"delete\" must be null");
        }
        row_delete(ctx, row);
    } else {
        return xasprintf("unknown <row-update2> member \"%s\"", op);
    }
    return NULL;
}

/* Applies TABLE_UPDATES.  With SNAPSHOT, they are the whole replica:
 * rows they lack are deleted afterwards. */
static char *
apply_updates(struct ovsdb_idl *idl, const json_t *updates, bool update2,
              bool snapshot)
{
    struct update_ctx ctx = { .seqno = idl->change_seqno + 1,
                              .snapshot = snapshot };
    char *first_error = NULL;
    const char *tname;
    json_t *tu;

    if (!json_is_object(updates)) {
        return xasprintf("<table-updates> is %s, not object",
                         json_type_name(updates));
    }
    if (snapshot) {
        idl->resync_gen++;
    }
    json_object_foreach ((json_t *) updates, tname, tu) {
        const struct ovsdb_idl_table_class *tc
            = ovsdb_idl_class_get_table(idl->class_, tname);
        struct ovsdb_idl_table *t = tc ? &idl->tables[tc->index] : NULL;
        const char *uuid_s;
        json_t *ru;
        char *error = NULL;

        if (!t || !table_is_monitored(t)) {
            error = xasprintf("update for unmonitored table %s", tname);
        } else if (!json_is_object(tu)) {
            error = xasprintf("<table-update> for %s is %s, not object",
                              tname, json_type_name(tu));
        }
        if (error) {
            VLOG_WARN_RL(&rl, "%s", error);
            first_error = first_error ? first_error : error;
            if (error != first_error) {
                free(error);
            }
            continue;
        }
        json_object_foreach (tu, uuid_s, ru) {
            struct uuid uuid;
            if (!uuid_from_string(&uuid, uuid_s)) {
                error = xasprintf("bad row UUID \"%s\"", uuid_s);
            } else {
                error = process_row_update(&ctx, t, &uuid, ru, update2);
            }
            if (error) {
                char *full = xasprintf("%s: %s", tname, error);
                free(error);
                VLOG_WARN_RL(&rl, "ignoring bad update: %s", full);
                if (!first_error) {
                    first_error = full;
                } else {
                    free(full);
                }
            }
        }
    }
    if (snapshot) {
        for (size_t i = 0; i < idl->class_->n_tables; i++) {
            struct ovsdb_idl_table *t = &idl->tables[i];
            struct ovsdb_idl_row *row, **gone = NULL;
            size_t n = 0, allocated = 0;

            /* Deleting a row may free placeholders, so collect first. */
            HMAP_FOR_EACH (row, hmap_node, &t->rows) {
                if (row->exists && row->resync_gen != idl->resync_gen) {
                    if (n >= allocated) {
                        gone = x2nrealloc(gone, &allocated, sizeof *gone);
                    }
                    gone[n++] = row;
                }
            }
            for (size_t k = 0; k < n; k++) {
                row_delete(&ctx, gone[k]);
            }
            free(gone);
        }
    }
    if (ctx.alert) {
        idl->change_seqno = ctx.seqno;
    }
    return first_error;
}

char *
ovsdb_idl_apply_updates_json(struct ovsdb_idl *idl, const json_t *updates,
                             bool update2)
{
    plx_assert(!idl->txn);
    return apply_updates(idl, updates, update2, false);
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
        if (t->cond_changed && table_is_monitored(t)) {
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
        if (!table_is_monitored(t)) {
            continue;
        }
        json_t *columns = json_array();
        for (size_t j = 0; j < t->class_->n_columns; j++) {
            if (column_is_replicated(t, j)) {
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
        char *error = apply_updates(idl, msg->result, idl->use_monitor_cond,
                                    true);
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
        char *error = apply_updates(idl, json_array_get(params, 1), update2,
                                    false);
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
