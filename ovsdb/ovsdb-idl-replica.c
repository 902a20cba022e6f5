/* ovsdb-idl-replica: the client's copy of the database (see ovsdb-idl.h
 * and, for the row and arc structures, ovsdb-idl-provider.h).
 *
 * This file holds what happens to rows once they are in the replica:
 *
 *   - rows and arcs: creating, (re)parsing into the typed layer,
 *     recording references in both directions, freeing placeholders;
 *   - reading: iteration and lookup of visible rows;
 *   - change tracking: which rows and columns changed, and when;
 *   - applying the server's updates: "update" and "update2" table-updates
 *     (including update2 "modify" diffs), from a monitor reply (a full
 *     snapshot, after which rows it lacks are deleted) or a notification.
 *
 * Connection, monitor requests, conditions and locks are in ovsdb-idl.c;
 * transactions are in ovsdb-idl-txn.c.  Nothing here does I/O.
 */
#include <config.h>
#include "ovsdb/ovsdb-idl.h"

#include <limits.h>
#include "bitmap.h"
#include "hash.h"
#include "json.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "vlog.h"

/* Updates are logged under ovsdb-idl.c's module, "ovsdb_idl", as they
 * were before the two files were split: that is the name users know. */
extern struct vlog_module this_module_ovsdb_idl;
static struct vlog_module *const THIS_MODULE = &this_module_ovsdb_idl;

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

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
void
ovsdb_idl_row_destroy__(struct ovsdb_idl_row *row)
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
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_class__(idl,
                                                             column->table);
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
        if (!c || !ovsdb_idl_column_is_replicated__(t, c->index)) {
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
char *
ovsdb_idl_apply_updates__(struct ovsdb_idl *idl, const json_t *updates,
                          bool update2, bool snapshot)
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

        if (!t || !ovsdb_idl_table_is_monitored__(t)) {
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
    return ovsdb_idl_apply_updates__(idl, updates, update2, false);
}
