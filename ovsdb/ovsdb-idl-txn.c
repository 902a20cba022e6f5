/* ovsdb-idl-txn: IDL transactions (see ovsdb-idl.h).
 *
 * A transaction's writes sit in the rows (ovsdb-idl-provider.h) until
 * commit, which turns them into one RFC 7047 "transact" request:
 *
 *     [db, assert-lock?, wait*, delete/insert/update*, mutate+select?,
 *      comment?, abort?]
 *
 * "wait" operations (from ovsdb_idl_txn_verify()) come first so that they
 * check the values the client read, not values this transaction wrote.
 * References to rows the transaction inserts are rewritten from their
 * provisional UUIDs to ["named-uuid", NAME], so the server substitutes
 * the real ones.  Commit then drops the local view ("disassembles") and
 * the transaction waits in the IDL's 'outstanding_txns' for its reply.
 */
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
#include "poll-loop.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl_txn);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define CONST_CAST(TYPE, POINTER) ((TYPE) (uintptr_t) (POINTER))

struct txn_insert {
    struct hmap_node hmap_node;         /* In 'inserts', by dummy uuid. */
    struct uuid dummy;                  /* Provisional UUID. */
    struct uuid real;                   /* From the server. */
    size_t op_index;                    /* Its "insert" operation. */
};

struct ovsdb_idl_txn {
    struct plx_list node;               /* In idl's 'outstanding_txns'. */
    struct ovsdb_idl *idl;              /* NULL once the IDL is gone. */
    struct plx_list rows;               /* Rows touched, while open. */
    enum ovsdb_idl_txn_status status;
    char *error;
    json_t *request_id;
    struct ds comment;
    bool dry_run;
    char *write_error;                  /* First invalid write. */

    /* Increment. */
    const struct ovsdb_idl_table_class *inc_table;
    const struct ovsdb_idl_column *inc_column;
    struct uuid inc_row;
    bool inc_force;
    int64_t inc_new_value;

    /* Operation indexes in the request (SIZE_MAX: none). */
    size_t n_ops;
    size_t assert_index;
    size_t mutate_index;
    size_t abort_index;
    unsigned long *wait_ops;            /* Bitmap over operations. */
    size_t n_wait_bits;                 /* Bits in 'wait_ops'. */

    struct hmap inserts;
};

const char *
ovsdb_idl_txn_status_to_string(enum ovsdb_idl_txn_status status)
{
    switch (status) {
    case TXN_UNCOMMITTED: return "uncommitted";
    case TXN_UNCHANGED: return "unchanged";
    case TXN_INCOMPLETE: return "incomplete";
    case TXN_ABORTED: return "aborted";
    case TXN_SUCCESS: return "success";
    case TXN_TRY_AGAIN: return "try again";
    case TXN_NOT_LOCKED: return "not locked";
    case TXN_ERROR: return "error";
    }
    return "<unknown>";
}

struct ovsdb_idl_txn *
ovsdb_idl_txn_create(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn = xzalloc(sizeof *txn);

    plx_assert(!idl->txn);
    txn->idl = idl;
    plx_list_init(&txn->node);
    plx_list_init(&txn->rows);
    txn->status = TXN_UNCOMMITTED;
    ds_init(&txn->comment);
    txn->assert_index = txn->mutate_index = txn->abort_index = SIZE_MAX;
    hmap_init(&txn->inserts);
    idl->txn = txn;
    return txn;
}

struct ovsdb_idl_txn *
ovsdb_idl_txn_get(const struct ovsdb_idl_row *row)
{
    return row->table->idl->txn;
}

void
ovsdb_idl_txn_add_comment(struct ovsdb_idl_txn *txn, const char *format, ...)
{
    va_list args;

    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    va_start(args, format);
    ds_put_format_valist(&txn->comment, format, args);
    va_end(args);
}

void
ovsdb_idl_txn_set_dry_run(struct ovsdb_idl_txn *txn)
{
    txn->dry_run = true;
}

/* ---- Writing. ---- */

static struct ovsdb_idl_txn *
txn_for_row(const struct ovsdb_idl_row *row)
{
    struct ovsdb_idl_txn *txn = row->table->idl->txn;
    plx_assert(txn);
    return txn;
}

static void
txn_touch_row(struct ovsdb_idl_txn *txn, struct ovsdb_idl_row *row)
{
    size_t n = row->table->class_->n_columns;

    if (plx_list_is_empty(&row->txn_node)) {
        plx_list_push_back(&txn->rows, &row->txn_node);
    }
    if (!row->written) {
        row->written = bitmap_allocate(n ? n : 1);
    }
    if (!row->txn_datum) {
        row->txn_datum = xcalloc(n ? n : 1, sizeof *row->txn_datum);
    }
}

void
ovsdb_idl_txn_write(const struct ovsdb_idl_row *row_,
                    const struct ovsdb_idl_column *column,
                    struct ovsdb_datum *datum)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    struct ovsdb_idl_txn *txn = txn_for_row(row);
    struct ovsdb_idl_table *t = row->table;
    size_t idx = column->index;
    struct ovsdb_error *error;

    plx_assert(column->table == t->class_);
    if (row->txn_deleted) {
        goto discard;
    }
    error = ovsdb_datum_validate(datum, column->type);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        if (!txn->write_error) {
            txn->write_error = xasprintf("%s column %s: %s", t->class_->name,
                                         column->name, s);
        }
        free(s);
        goto discard;
    }
    if (!t->server_has_table || !t->server_has_column[idx]) {
        VLOG_WARN_RL(&rl, "not writing %s column %s: the server lacks it",
                     t->class_->name, column->name);
        goto discard;
    }
    if (!row->txn_inserted && row->datum
        && !(row->written && bitmap_is_set(row->written, idx))
        && t->modes[idx] & OVSDB_IDL_MONITOR
        && ovsdb_datum_equals(&row->datum[idx], datum, column->type)) {
        goto discard;           /* No change. */
    }

    txn_touch_row(txn, row);
    if (row->txn_inserted || bitmap_is_set(row->written, idx)) {
        ovsdb_datum_destroy(&row->txn_datum[idx], column->type);
    }
    row->txn_datum[idx] = *datum;
    ovsdb_datum_init_empty(datum);
    bitmap_set1(row->written, idx);
    ovsdb_idl_row_reparse__(row);
    return;

discard:
    ovsdb_datum_destroy(datum, column->type);
    ovsdb_datum_init_empty(datum);
}

void
ovsdb_idl_txn_write_clone(const struct ovsdb_idl_row *row,
                          const struct ovsdb_idl_column *column,
                          const struct ovsdb_datum *datum)
{
    struct ovsdb_datum clone;
    ovsdb_datum_clone(&clone, datum, column->type);
    ovsdb_idl_txn_write(row, column, &clone);
}

void
ovsdb_idl_txn_verify(const struct ovsdb_idl_row *row_,
                     const struct ovsdb_idl_column *column)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    struct ovsdb_idl_txn *txn = txn_for_row(row);
    size_t n = row->table->class_->n_columns;

    if (!row->exists || row->txn_inserted) {
        return;                 /* Nothing the server could check. */
    }
    txn_touch_row(txn, row);
    if (!row->verified) {
        row->verified = bitmap_allocate(n ? n : 1);
    }
    bitmap_set1(row->verified, column->index);
}

void
ovsdb_idl_txn_delete(const struct ovsdb_idl_row *row_)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    struct ovsdb_idl_txn *txn = txn_for_row(row);

    if (row->txn_deleted) {
        return;
    }
    txn_touch_row(txn, row);
    row->txn_deleted = true;
    ovsdb_idl_row_reparse_referrers__(row);
}

const struct ovsdb_idl_row *
ovsdb_idl_txn_insert(struct ovsdb_idl_txn *txn,
                     const struct ovsdb_idl_table_class *tc,
                     const struct uuid *uuid)
{
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_class__(txn->idl, tc);
    struct uuid u;
    struct ovsdb_idl_row *row;

    if (uuid) {
        u = *uuid;
    } else {
        uuid_generate(&u);
    }
    row = (struct ovsdb_idl_row *) ovsdb_idl_get_row_for_uuid(txn->idl, tc,
                                                              &u);
    plx_assert(!row);           /* The caller's UUID must be new. */

    /* A placeholder for U may exist if some row refers to it. */
    struct ovsdb_idl_row *p;
    row = NULL;
    HMAP_FOR_EACH_WITH_HASH (p, hmap_node, uuid_hash(&u), &t->rows) {
        if (uuid_equals(&p->uuid, &u)) {
            row = p;
        }
    }
    if (!row) {
        row = ovsdb_idl_row_create__(t, &u);
    }
    plx_assert(!row->datum);
    txn_touch_row(txn, row);
    row->txn_inserted = true;
    for (size_t j = 0; j < tc->n_columns; j++) {
        ovsdb_datum_clone(&row->txn_datum[j], &t->defaults[j],
                          tc->columns[j].type);
    }
    ovsdb_idl_row_reparse__(row);
    ovsdb_idl_row_reparse_referrers__(row);

    struct txn_insert *ins = xzalloc(sizeof *ins);
    ins->dummy = u;
    ins->op_index = SIZE_MAX;
    hmap_insert(&txn->inserts, &ins->hmap_node, uuid_hash(&u));
    return row;
}

void
ovsdb_idl_txn_increment(struct ovsdb_idl_txn *txn,
                        const struct ovsdb_idl_row *row,
                        const struct ovsdb_idl_column *column, bool force)
{
    plx_assert(!txn->inc_table);
    plx_assert(column->type->key.type == OVSDB_TYPE_INTEGER
               && column->type->value.type == OVSDB_TYPE_VOID);
    txn->inc_table = row->table->class_;
    txn->inc_column = column;
    txn->inc_row = row->uuid;
    txn->inc_force = force;
}

/* ---- Dropping the local view. ---- */

static void
txn_disassemble(struct ovsdb_idl_txn *txn)
{
    struct ovsdb_idl *idl = txn->idl;
    struct ovsdb_idl_row **rows = NULL, *row;
    size_t n = 0, allocated = 0;

    /* Pass 1: forget the transaction's data.  Inserted rows stay marked
     * inserted (so they are not freed under us) but become invisible. */
    LIST_FOR_EACH_POP (row, txn_node, &txn->rows) {
        const struct ovsdb_idl_table_class *tc = row->table->class_;
        plx_list_init(&row->txn_node);
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = row;
        if (row->parsed) {
            /* Typed fields may point into 'txn_datum'. */
            for (size_t j = 0; j < tc->n_columns; j++) {
                if (tc->columns[j].unparse) {
                    tc->columns[j].unparse(row);
                }
            }
            row->parsed = false;
        }
        if (row->txn_datum) {
            for (size_t j = 0; j < tc->n_columns; j++) {
                if (row->txn_inserted || bitmap_is_set(row->written, j)) {
                    ovsdb_datum_destroy(&row->txn_datum[j],
                                        tc->columns[j].type);
                }
            }
            free(row->txn_datum);
            row->txn_datum = NULL;
        }
        bitmap_free(row->written);
        bitmap_free(row->verified);
        row->written = row->verified = NULL;
        row->txn_deleted = row->txn_inserted;
    }
    idl->txn = NULL;

    /* Pass 2: existing rows show the replica again. */
    for (size_t i = 0; i < n; i++) {
        if (!rows[i]->txn_inserted) {
            bool was_deleted = rows[i]->txn_deleted;
            rows[i]->txn_deleted = false;
            ovsdb_idl_row_reparse__(rows[i]);
            if (was_deleted) {
                ovsdb_idl_row_reparse_referrers__(rows[i]);
            }
        }
    }
    /* Pass 3: inserted rows go (or revert to placeholders).  While they
     * are still marked inserted nothing frees them: first drop their own
     * references, then re-parse whoever refers to them, then free. */
    for (size_t i = 0; i < n; i++) {
        if (rows[i]->txn_inserted) {
            struct ovsdb_idl_arc *arc;
            LIST_FOR_EACH_POP (arc, dst_node, &rows[i]->dst_arcs) {
                struct ovsdb_idl_row *dst = arc->dst;
                plx_list_remove(&arc->src_node);
                free(arc);
                ovsdb_idl_row_maybe_free__(dst);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rows[i]->txn_inserted) {
            ovsdb_idl_row_reparse_referrers__(rows[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rows[i]->txn_inserted) {
            rows[i]->txn_inserted = rows[i]->txn_deleted = false;
            ovsdb_idl_row_maybe_free__(rows[i]);
        }
    }
    free(rows);
}

/* ---- Committing. ---- */

static json_t *
where_uuid_equals(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    return json_pack("[[s,s,[s,s]]]", "_uuid", "==", "uuid",
                     uuid_to_string(uuid, s));
}

static char *
named_uuid(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    uuid_to_string(uuid, s);
    for (char *p = s; *p; p++) {
        if (*p == '-') {
            *p = '_';
        }
    }
    return xasprintf("row%s", s);
}

/* Rewrites ["uuid", U] for each U this transaction inserts into
 * ["named-uuid", NAME], in place. */
static void
substitute_uuids(struct ovsdb_idl_txn *txn, json_t *json)
{
    if (json_is_array(json)) {
        if (json_array_size(json) == 2
            && json_is_string(json_array_get(json, 0))
            && !strcmp(json_string_value(json_array_get(json, 0)), "uuid")) {
            struct uuid u;
            const char *s = json_string_value(json_array_get(json, 1));
            struct txn_insert *ins;
            if (s && uuid_from_string(&u, s)) {
                HMAP_FOR_EACH_WITH_HASH (ins, hmap_node, uuid_hash(&u),
                                         &txn->inserts) {
                    if (uuid_equals(&ins->dummy, &u)) {
                        json_array_set_new(json, 0,
                                           json_string("named-uuid"));
                        char *name = named_uuid(&u);
                        json_array_set_new(json, 1, json_string(name));
                        free(name);
                    }
                }
            }
            return;
        }
        for (size_t i = 0; i < json_array_size(json); i++) {
            substitute_uuids(txn, json_array_get(json, i));
        }
    } else if (json_is_object(json)) {
        const char *key;
        json_t *value;
        json_object_foreach (json, key, value) {
            substitute_uuids(txn, value);
        }
    }
}

static size_t
add_op(struct ovsdb_idl_txn *txn, json_t *ops, json_t *op)
{
    json_array_append_new(ops, op);
    return txn->n_ops++;
}

/* The "row" object for ROW's written columns, or NULL if none the server
 * has. */
static json_t *
written_row_json(const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table *t = row->table;
    const struct ovsdb_idl_table_class *tc = t->class_;
    json_t *obj = json_object();

    for (size_t j = 0; j < tc->n_columns; j++) {
        if (row->written && bitmap_is_set(row->written, j)) {
            json_object_set_new(obj, tc->columns[j].name,
                                ovsdb_datum_to_json(&row->txn_datum[j],
                                                    tc->columns[j].type));
        }
    }
    return obj;
}

static void
add_wait_op(struct ovsdb_idl_txn *txn, json_t *ops,
            const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    json_t *columns = json_array();
    json_t *values = json_object();

    for (size_t j = 0; j < tc->n_columns; j++) {
        if (bitmap_is_set(row->verified, j)) {
            const struct ovsdb_idl_column *c = &tc->columns[j];
            json_array_append_new(columns, json_string(c->name));
            json_object_set_new(values, c->name,
                                ovsdb_datum_to_json(&row->datum[j], c->type));
        }
    }
    size_t idx = add_op(txn, ops,
                        json_pack("{s:s,s:i,s:s,s:o,s:o,s:s,s:[o]}",
                                  "op", "wait", "timeout", 0,
                                  "table", tc->name,
                                  "where", where_uuid_equals(&row->uuid),
                                  "columns", columns, "until", "==",
                                  "rows", values));
    plx_assert(idx < txn->n_wait_bits);
    bitmap_set1(txn->wait_ops, idx);
}

static bool
row_verifies_anything(const struct ovsdb_idl_row *row)
{
    return (row->verified && row->exists && row->datum
            && !bitmap_is_all_zeros(row->verified,
                                    row->table->class_->n_columns));
}

static void
txn_finish(struct ovsdb_idl_txn *txn, enum ovsdb_idl_txn_status status)
{
    txn->status = status;
    if (txn->idl && txn->idl->txn == txn) {
        txn_disassemble(txn);
    }
}

enum ovsdb_idl_txn_status
ovsdb_idl_txn_commit(struct ovsdb_idl_txn *txn)
{
    struct ovsdb_idl *idl = txn->idl;
    struct ovsdb_idl_row *row;
    bool any_updates = false;

    if (txn->status != TXN_UNCOMMITTED) {
        return txn->status;
    }
    if (txn->write_error) {
        txn->error = xstrdup(txn->write_error);
        txn_finish(txn, TXN_ERROR);
        return txn->status;
    }
    if (idl->lock_name && !idl->has_lock) {
        txn_finish(txn, TXN_NOT_LOCKED);
        return txn->status;
    }

    json_t *ops = json_array();
    json_array_append_new(ops, json_string(idl->class_->database));
    if (idl->lock_name) {
        txn->assert_index = add_op(txn, ops,
                                   json_pack("{s:s,s:s}", "op", "assert",
                                             "lock", idl->lock_name));
    }
    txn->n_wait_bits = plx_list_size(&txn->rows) + 2;
    txn->wait_ops = bitmap_allocate(txn->n_wait_bits);
    LIST_FOR_EACH (row, txn_node, &txn->rows) {
        if (row_verifies_anything(row)) {
            add_wait_op(txn, ops, row);
        }
    }
    LIST_FOR_EACH (row, txn_node, &txn->rows) {
        const char *table = row->table->class_->name;
        if (row->txn_deleted) {
            if (!row->txn_inserted && row->exists) {
                add_op(txn, ops, json_pack("{s:s,s:s,s:o}", "op", "delete",
                                           "table", table, "where",
                                           where_uuid_equals(&row->uuid)));
                any_updates = true;
            }
        } else if (row->txn_inserted) {
            json_t *values = written_row_json(row);
            char *name = named_uuid(&row->uuid);
            struct txn_insert *ins;

            substitute_uuids(txn, values);
            size_t idx = add_op(txn, ops,
                                json_pack("{s:s,s:s,s:s,s:o}", "op",
                                          "insert", "table", table,
                                          "uuid-name", name, "row", values));
            free(name);
            HMAP_FOR_EACH_WITH_HASH (ins, hmap_node, uuid_hash(&row->uuid),
                                     &txn->inserts) {
                if (uuid_equals(&ins->dummy, &row->uuid)) {
                    ins->op_index = idx;
                }
            }
            any_updates = true;
        } else if (row->written
                   && !bitmap_is_all_zeros(row->written,
                                           row->table->class_->n_columns)) {
            json_t *values = written_row_json(row);
            substitute_uuids(txn, values);
            add_op(txn, ops, json_pack("{s:s,s:s,s:o,s:o}", "op", "update",
                                       "table", table, "where",
                                       where_uuid_equals(&row->uuid),
                                       "row", values));
            any_updates = true;
        }
    }
    if (txn->inc_table && (any_updates || txn->inc_force)) {
        json_t *where = where_uuid_equals(&txn->inc_row);
        txn->mutate_index = add_op(
            txn, ops, json_pack("{s:s,s:s,s:O,s:[[s,s,i]]}", "op", "mutate",
                                "table", txn->inc_table->name, "where",
                                where, "mutations", txn->inc_column->name,
                                "+=", 1));
        add_op(txn, ops, json_pack("{s:s,s:s,s:o,s:[s]}", "op", "select",
                                   "table", txn->inc_table->name, "where",
                                   where, "columns",
                                   txn->inc_column->name));
        any_updates = true;
    }
    if (!any_updates) {
        json_decref(ops);
        txn_finish(txn, TXN_UNCHANGED);
        return txn->status;
    }
    if (txn->comment.length) {
        add_op(txn, ops, json_pack("{s:s,s:s}", "op", "comment", "comment",
                                   ds_cstr(&txn->comment)));
    }
    if (txn->dry_run) {
        txn->abort_index = add_op(txn, ops, json_pack("{s:s}", "op",
                                                      "abort"));
    }

    if (!ovsdb_idl_is_connected(idl)) {
        json_decref(ops);
        txn_finish(txn, TXN_TRY_AGAIN);
        return txn->status;
    }
    int error = jsonrpc_session_send(
        idl->session, jsonrpc_create_request("transact", ops,
                                             &txn->request_id));
    if (error) {
        txn_finish(txn, TXN_TRY_AGAIN);
        return txn->status;
    }
    plx_list_push_back(&idl->outstanding_txns, &txn->node);
    txn_finish(txn, TXN_INCOMPLETE);
    return txn->status;
}

enum ovsdb_idl_txn_status
ovsdb_idl_txn_commit_block(struct ovsdb_idl_txn *txn)
{
    enum ovsdb_idl_txn_status status;

    while ((status = ovsdb_idl_txn_commit(txn)) == TXN_INCOMPLETE) {
        if (!txn->idl) {
            break;
        }
        ovsdb_idl_run(txn->idl);
        if (txn->status != TXN_INCOMPLETE) {
            continue;
        }
        ovsdb_idl_wait(txn->idl);
        ovsdb_idl_txn_wait(txn);
        poll_block();
    }
    return status;
}

void
ovsdb_idl_txn_abort(struct ovsdb_idl_txn *txn)
{
    if (txn->status == TXN_UNCOMMITTED) {
        txn_finish(txn, TXN_ABORTED);
    }
}

void
ovsdb_idl_txn_wait(const struct ovsdb_idl_txn *txn)
{
    if (txn->status != TXN_UNCOMMITTED && txn->status != TXN_INCOMPLETE) {
        poll_immediate_wake();
    }
}

const char *
ovsdb_idl_txn_get_error(const struct ovsdb_idl_txn *txn)
{
    return txn->error;
}

int64_t
ovsdb_idl_txn_get_increment_new_value(const struct ovsdb_idl_txn *txn)
{
    return txn->inc_new_value;
}

const struct uuid *
ovsdb_idl_txn_get_insert_uuid(const struct ovsdb_idl_txn *txn,
                              const struct uuid *dummy)
{
    const struct txn_insert *ins;
    HMAP_FOR_EACH_WITH_HASH (ins, hmap_node, uuid_hash(dummy),
                             &txn->inserts) {
        if (uuid_equals(&ins->dummy, dummy)) {
            return (txn->status == TXN_SUCCESS && !uuid_is_zero(&ins->real)
                    ? &ins->real : NULL);
        }
    }
    return NULL;
}

void
ovsdb_idl_txn_destroy(struct ovsdb_idl_txn *txn)
{
    struct txn_insert *ins;

    if (!txn) {
        return;
    }
    if (txn->idl && txn->idl->txn == txn) {
        txn_disassemble(txn);
    }
    if (!plx_list_is_empty(&txn->node)) {
        plx_list_remove(&txn->node);
    }
    HMAP_FOR_EACH_POP (ins, hmap_node, &txn->inserts) {
        free(ins);
    }
    hmap_destroy(&txn->inserts);
    json_decref(txn->request_id);
    ds_destroy(&txn->comment);
    bitmap_free(txn->wait_ops);
    free(txn->write_error);
    free(txn->error);
    free(txn);
}

/* ---- Replies. ---- */

static char *
op_error_string(const json_t *result)
{
    const char *tag = json_object_get_string_or(result, "error", "");
    const char *details = json_object_get_string_or(result, "details", "");
    return *details ? xasprintf("%s: %s", tag, details) : xstrdup(tag);
}

/* Parses RESULTS (the reply's result array) into the final status. */
static enum ovsdb_idl_txn_status
txn_process_results(struct ovsdb_idl_txn *txn, const json_t *results)
{
    bool lock_error = false, soft_error = false;

    if (!json_is_array(results) || json_array_size(results) < txn->n_ops) {
        txn->error = xasprintf("reply has %zu results for %zu operations",
                               json_array_size(results), txn->n_ops);
        return TXN_ERROR;
    }
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        const json_t *error = json_object_get(r, "error");

        if (json_is_null(r) || !error) {
            if (i < txn->n_ops && !json_is_object(r) && !json_is_null(r)) {
                txn->error = xasprintf("result %zu is %s, not object", i,
                                       json_type_name(r));
                return TXN_ERROR;
            }
            continue;
        }
        const char *tag = json_string_value(error);
        if (!tag) {
            txn->error = xstrdup("\"error\" is not a string");
            return TXN_ERROR;
        }
        if (i == txn->abort_index && !strcmp(tag, "aborted")) {
            continue;
        } else if (i == txn->assert_index && !strcmp(tag, "not owner")) {
            lock_error = true;
        } else if (i < txn->n_wait_bits && bitmap_is_set(txn->wait_ops, i)
                   && !strcmp(tag, "timed out")) {
            soft_error = true;
        } else {
            txn->error = op_error_string(r);
            return TXN_ERROR;
        }
    }
    if (lock_error) {
        return TXN_NOT_LOCKED;
    } else if (soft_error) {
        return TXN_TRY_AGAIN;
    }

    /* Success: pick up inserted UUIDs and the incremented value. */
    struct txn_insert *ins;
    HMAP_FOR_EACH (ins, hmap_node, &txn->inserts) {
        if (ins->op_index == SIZE_MAX) {
            continue;
        }
        const json_t *u = json_object_get(json_array_get(results,
                                                         ins->op_index),
                                          "uuid");
        const char *s = json_string_value(json_array_get(u, 1));
        if (json_array_size(u) != 2 || !s || !uuid_from_string(&ins->real, s)
            || strcmp(json_string_value(json_array_get(u, 0)) ?: "", "uuid")) {
            txn->error = xstrdup("\"insert\" reply lacks a valid \"uuid\"");
            return TXN_ERROR;
        }
    }
    if (txn->mutate_index != SIZE_MAX) {
        const json_t *m = json_array_get(results, txn->mutate_index);
        const json_t *sel = json_array_get(results, txn->mutate_index + 1);
        const json_t *rows = json_object_get(sel, "rows");
        const json_t *v = json_object_get(json_array_get(rows, 0),
                                          txn->inc_column->name);
        json_int_t count = json_object_get_int_or(m, "count", -1);
        if (count != 1) {
            txn->error = xasprintf("\"mutate\" reply \"count\" is %lld "
                                   "instead of 1", (long long) count);
            return TXN_ERROR;
        }
        if (json_array_size(rows) != 1 || !json_is_integer(v)) {
            txn->error = xstrdup("\"select\" reply for the incremented "
                                 "column is malformed");
            return TXN_ERROR;
        }
        txn->inc_new_value = json_integer_value(v);
    }
    return TXN_SUCCESS;
}

bool
ovsdb_idl_txn_process_reply__(struct ovsdb_idl *idl,
                              const struct jsonrpc_msg *msg)
{
    struct ovsdb_idl_txn *txn;

    LIST_FOR_EACH (txn, node, &idl->outstanding_txns) {
        if (txn->request_id && msg->id
            && json_equal(txn->request_id, msg->id)) {
            enum ovsdb_idl_txn_status status;
            if (msg->type == JSONRPC_ERROR) {
                char *s = json_to_string_canonical(msg->error);
                txn->error = xasprintf("transaction failed: %s", s);
                free(s);
                status = TXN_ERROR;
            } else {
                status = txn_process_results(txn, msg->result);
            }
            if (status == TXN_ERROR) {
                VLOG_WARN_RL(&rl, "transaction error: %s", txn->error);
            }
            plx_list_remove(&txn->node);
            plx_list_init(&txn->node);
            txn->status = status;
            return true;
        }
    }
    return false;
}

void
ovsdb_idl_txn_disconnected__(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn;
    LIST_FOR_EACH_POP (txn, node, &idl->outstanding_txns) {
        plx_list_init(&txn->node);
        txn->status = TXN_TRY_AGAIN;
    }
}

void
ovsdb_idl_txn_forget_all__(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn;

    if (idl->txn) {
        txn = idl->txn;
        txn_finish(txn, TXN_ABORTED);
        txn->idl = NULL;
    }
    LIST_FOR_EACH_POP (txn, node, &idl->outstanding_txns) {
        plx_list_init(&txn->node);
        txn->status = TXN_TRY_AGAIN;
        txn->idl = NULL;
    }
}
