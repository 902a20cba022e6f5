/* ovsdb/transaction: copy-on-write transactions, commit-time integrity
 * checks, and the storage form of a transaction.  See transaction.h. */
#include <config.h>
#include "ovsdb/transaction.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "dynamic-string.h"
#include "hash.h"
#include "json.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "timeval.h"

/* A table touched by a transaction. */
struct ovsdb_txn_table {
    struct plx_list node;           /* In ovsdb_txn's 'txn_tables'. */
    struct ovsdb_table *table;
    struct hmap txn_rows;           /* struct ovsdb_txn_row by uuid. */
};

struct ovsdb_txn {
    struct ovsdb *db;
    struct plx_list txn_tables;     /* struct ovsdb_txn_table. */
    struct plx_list rows;           /* struct ovsdb_txn_row, in creation
                                     * order: a walk of this list also
                                     * visits rows added during it. */
    struct ds comment;
};

struct ovsdb_txn *
ovsdb_txn_create(struct ovsdb *db)
{
    plx_assert(!db->txn);

    struct ovsdb_txn *txn = xzalloc(sizeof *txn);
    txn->db = db;
    plx_list_init(&txn->txn_tables);
    plx_list_init(&txn->rows);
    ds_init(&txn->comment);
    db->txn = txn;
    return txn;
}

struct ovsdb *
ovsdb_txn_get_db(const struct ovsdb_txn *txn)
{
    return txn->db;
}

static size_t
n_columns(const struct ovsdb_table *table)
{
    return table->schema->n_columns;
}

static struct ovsdb_txn_table *
get_txn_table(struct ovsdb_txn *txn, struct ovsdb_table *table)
{
    if (!table->txn_table) {
        struct ovsdb_txn_table *t = xmalloc(sizeof *t);
        t->table = table;
        hmap_init(&t->txn_rows);
        plx_list_push_back(&txn->txn_tables, &t->node);
        table->txn_table = t;
    }
    return table->txn_table;
}

static struct ovsdb_txn_row *
find_txn_row(const struct ovsdb_table *table, const struct uuid *uuid)
{
    struct ovsdb_txn_row *r;

    if (!table->txn_table) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (r, hmap_node, uuid_hash(uuid),
                             &table->txn_table->txn_rows) {
        if (uuid_equals(&r->uuid, uuid)) {
            return r;
        }
    }
    return NULL;
}

static struct ovsdb_txn_row *
txn_row_create(struct ovsdb_txn *txn, struct ovsdb_table *table,
               const struct uuid *uuid, struct ovsdb_row *old,
               struct ovsdb_row *new)
{
    size_t n_longs = BITMAP_N_LONGS(n_columns(table));
    struct ovsdb_txn_row *r = xzalloc(sizeof *r
                                      + n_longs * sizeof(unsigned long));

    r->table = table;
    r->uuid = *uuid;
    r->old = old;
    r->new = new;
    r->n_refs = old ? old->n_refs : 0;
    if (old) {
        old->txn_row = r;
    }
    if (new) {
        new->txn_row = r;
    }
    hmap_insert(&get_txn_table(txn, table)->txn_rows, &r->hmap_node,
                uuid_hash(uuid));
    plx_list_push_back(&txn->rows, &r->list_node);
    return r;
}

static void
txn_row_free(struct ovsdb_txn_row *r)
{
    hmap_remove(&r->table->txn_table->txn_rows, &r->hmap_node);
    plx_list_remove(&r->list_node);
    free(r);
}

/* Puts R's table back as it was before the transaction touched R. */
static void
txn_row_revert(struct ovsdb_txn_row *r)
{
    struct hmap *rows = &r->table->rows;

    if (r->old) {
        if (!r->new) {
            hmap_insert(rows, &r->old->hmap_node, ovsdb_row_hash(r->old));
        } else if (r->new != r->old) {
            hmap_replace(rows, &r->new->hmap_node, &r->old->hmap_node);
            ovsdb_row_destroy(r->new);
        }
        r->old->txn_row = NULL;
    } else if (r->new) {
        hmap_remove(rows, &r->new->hmap_node);
        ovsdb_row_destroy(r->new);
    }
    r->old = r->new = NULL;
}

static void
txn_free(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_table *t;

    plx_assert(plx_list_is_empty(&txn->rows));
    LIST_FOR_EACH_POP (t, node, &txn->txn_tables) {
        t->table->txn_table = NULL;
        hmap_destroy(&t->txn_rows);
        free(t);
    }
    ds_destroy(&txn->comment);
    txn->db->txn = NULL;
    free(txn);
}

void
ovsdb_txn_abort(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH_SAFE (r, list_node, &txn->rows) {
        txn_row_revert(r);
        txn_row_free(r);
    }
    txn_free(txn);
}

/* Building. */

void
ovsdb_txn_row_insert(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
    struct ovsdb_table *table = row->table;
    const struct uuid *uuid = ovsdb_row_get_uuid(row);

    plx_assert(!find_txn_row(table, uuid));
    if (uuid_is_zero(ovsdb_row_get_version(row))) {
        uuid_generate(ovsdb_row_get_version_rw(row));
    }
    txn_row_create(txn, table, uuid, NULL, row);
    hmap_insert(&table->rows, &row->hmap_node, ovsdb_row_hash(row));
}

struct ovsdb_row *
ovsdb_txn_row_modify(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    struct ovsdb_txn_row *r = row->txn_row;

    if (r) {
        plx_assert(r->new == row);
        if (r->old != row) {
            return row;
        }
    }

    /* First change to a committed row: put a copy in its place. */
    struct ovsdb_row *copy = ovsdb_row_clone(row);
    hmap_replace(&row->table->rows, &row->hmap_node, &copy->hmap_node);
    if (r) {
        r->new = copy;
        copy->txn_row = r;
    } else {
        txn_row_create(txn, row->table, ovsdb_row_get_uuid(row), row, copy);
    }
    return copy;
}

void
ovsdb_txn_row_delete(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    struct ovsdb_txn_row *r = row->txn_row;

    hmap_remove(&row->table->rows, &row->hmap_node);
    if (!r) {
        txn_row_create(txn, row->table, ovsdb_row_get_uuid(row), row, NULL);
        return;
    }
    plx_assert(r->new == row);
    if (r->old != row) {
        ovsdb_row_destroy(row);
    }
    r->new = NULL;
}

bool
ovsdb_txn_may_create_row(const struct ovsdb_table *table,
                         const struct uuid *uuid)
{
    return !ovsdb_table_get_row(table, uuid) && !find_txn_row(table, uuid);
}

void
ovsdb_txn_add_comment(struct ovsdb_txn *txn, const char *comment)
{
    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    ds_put_cstr(&txn->comment, comment);
}

const char *
ovsdb_txn_get_comment(const struct ovsdb_txn *txn)
{
    return txn->comment.length ? ds_cstr_ro(&txn->comment) : NULL;
}

/* Precommit step 1: what changed. */

static void
determine_changes(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH_SAFE (r, list_node, &txn->rows) {
        const struct ovsdb_table_schema *ts = r->table->schema;

        if (r->old && r->new && r->old != r->new) {
            bool changed = false;
            for (size_t i = 0; i < ts->n_columns; i++) {
                if (!ovsdb_datum_equals(&r->old->fields[i], &r->new->fields[i],
                                        &ts->columns[i]->type)) {
                    bitmap_set1(r->changed, i);
                    changed = true;
                }
            }
            if (!changed) {
                txn_row_revert(r);
                txn_row_free(r);
            }
        } else if (r->old != r->new) {
            bitmap_set_multiple(r->changed, 0, ts->n_columns, true);
        }
    }
}

/* Precommit step 2: strong reference counts. */

/* The transaction row for the row UUID in TABLE, making one that only
 * tracks the reference count if the row exists but the transaction has
 * not touched it.  NULL if there is no such row now or before. */
static struct ovsdb_txn_row *
find_or_make_txn_row(struct ovsdb_txn *txn, struct ovsdb_table *table,
                     const struct uuid *uuid)
{
    struct ovsdb_txn_row *r = find_txn_row(table, uuid);

    if (r) {
        return r->old || r->new ? r : NULL;
    }

    struct ovsdb_row *row = (struct ovsdb_row *) ovsdb_table_get_row(table,
                                                                     uuid);
    return row ? txn_row_create(txn, table, uuid, row, row) : NULL;
}

static struct ovsdb_error *
adjust_atom_refs(struct ovsdb_txn *txn, const struct ovsdb_txn_row *src,
                 const struct ovsdb_column_schema *column,
                 struct ovsdb_table *dst_table,
                 const union ovsdb_atom *atoms, unsigned int n, int delta)
{
    for (unsigned int i = 0; i < n; i++) {
        const struct uuid *uuid = &atoms[i].uuid;
        if (uuid_equals(uuid, &src->uuid)) {
            continue;           /* Self-references do not count. */
        }

        struct ovsdb_txn_row *dst = find_or_make_txn_row(txn, dst_table,
                                                         uuid);
        if (!dst) {
            if (delta > 0) {
                return ovsdb_error("referential integrity violation",
                                   "Table %s column %s row " UUID_FMT " "
                                   "references nonexistent row " UUID_FMT
                                   " in table %s.",
                                   src->table->schema->name, column->name,
                                   UUID_ARGS(&src->uuid), UUID_ARGS(uuid),
                                   dst_table->schema->name);
            }
        } else if (delta > 0) {
            dst->n_refs++;
        } else if (dst->n_refs) {
            dst->n_refs--;
        }
    }
    return NULL;
}

static struct ovsdb_error *
adjust_datum_refs(struct ovsdb_txn *txn, const struct ovsdb_txn_row *src,
                  const struct ovsdb_column_schema *column,
                  const struct ovsdb_datum *datum, int delta)
{
    const struct ovsdb_column_refs *refs = &src->table->refs[column->index];
    struct ovsdb_error *error = NULL;

    if (refs->key && ovsdb_base_type_is_strong_ref(&column->type.key)) {
        error = adjust_atom_refs(txn, src, column, refs->key, datum->keys,
                                 datum->n, delta);
    }
    if (!error && refs->value
        && ovsdb_base_type_is_strong_ref(&column->type.value)) {
        error = adjust_atom_refs(txn, src, column, refs->value,
                                 datum->values, datum->n, delta);
    }
    return error;
}

static bool
column_has_strong_refs(const struct ovsdb_table *table, size_t i)
{
    const struct ovsdb_type *type = &table->schema->columns[i]->type;
    return ((table->refs[i].key
             && ovsdb_base_type_is_strong_ref(&type->key))
            || (table->refs[i].value
                && ovsdb_base_type_is_strong_ref(&type->value)));
}

/* Computes the elements (pairs, for a map) of NEW that are not in OLD
 * and those of OLD that are not in NEW, in one merge of the two sorted
 * datums: a commit that adds one element to a large set pays for one
 * pass, not for copies and searches. */
static void
datum_added_removed(const struct ovsdb_datum *old,
                    const struct ovsdb_datum *new,
                    const struct ovsdb_type *type,
                    struct ovsdb_datum *added, struct ovsdb_datum *removed)
{
    bool is_map = type->value.type != OVSDB_TYPE_VOID;
    unsigned int i = 0, j = 0;

    ovsdb_datum_init_empty(added);
    ovsdb_datum_init_empty(removed);
    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1 : j >= new->n ? -1
                   : ovsdb_atom_compare_3way(&old->keys[i], &new->keys[j],
                                             type->key.type));
        if (cmp < 0) {
            ovsdb_datum_add_unsafe(removed, &old->keys[i],
                                   is_map ? &old->values[i] : NULL, type);
            i++;
        } else if (cmp > 0) {
            ovsdb_datum_add_unsafe(added, &new->keys[j],
                                   is_map ? &new->values[j] : NULL, type);
            j++;
        } else {
            if (is_map && !ovsdb_atom_equals(&old->values[i],
                                             &new->values[j],
                                             type->value.type)) {
                ovsdb_datum_add_unsafe(removed, &old->keys[i],
                                       &old->values[i], type);
                ovsdb_datum_add_unsafe(added, &new->keys[j],
                                       &new->values[j], type);
            }
            i++;
            j++;
        }
    }
}

static struct ovsdb_error *
update_row_ref_counts(struct ovsdb_txn *txn, struct ovsdb_txn_row *r)
{
    const struct ovsdb_table_schema *ts = r->table->schema;

    if (r->old == r->new) {
        return NULL;
    }
    for (size_t i = 0; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *c = ts->columns[i];
        struct ovsdb_error *error;

        if (!bitmap_is_set(r->changed, i)
            || !column_has_strong_refs(r->table, i)) {
            continue;
        }
        if (!r->new) {
            error = adjust_datum_refs(txn, r, c, &r->old->fields[i], -1);
        } else if (!r->old) {
            error = adjust_datum_refs(txn, r, c, &r->new->fields[i], 1);
        } else {
            struct ovsdb_datum added, removed;

            datum_added_removed(&r->old->fields[i], &r->new->fields[i],
                                &c->type, &added, &removed);
            error = adjust_datum_refs(txn, r, c, &removed, -1);
            if (!error) {
                error = adjust_datum_refs(txn, r, c, &added, 1);
            }
            ovsdb_datum_destroy(&removed, &c->type);
            ovsdb_datum_destroy(&added, &c->type);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

static struct ovsdb_error *
update_ref_counts(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, list_node, &txn->rows) {
        struct ovsdb_error *error = update_row_ref_counts(txn, r);
        if (error) {
            return error;
        }
    }
    LIST_FOR_EACH (r, list_node, &txn->rows) {
        if (r->old && !r->new && r->n_refs) {
            return ovsdb_error("referential integrity violation",
                               "cannot delete %s row " UUID_FMT " because "
                               "of %zu remaining reference(s)",
                               r->table->schema->name, UUID_ARGS(&r->uuid),
                               r->n_refs);
        }
    }
    return NULL;
}

/* Precommit step 3: garbage collection. */

static bool
is_garbage(const struct ovsdb_txn_row *r)
{
    return r->new && !r->n_refs && !r->table->schema->is_root;
}

/* Deletes R, which is garbage, and then whatever only it kept alive.
 * Iterative, so that long chains of references cannot overflow the
 * stack. */
static void
delete_garbage(struct ovsdb_txn *txn, struct ovsdb_txn_row *r)
{
    struct ovsdb_txn_row **stack = NULL;
    size_t n = 0, allocated = 0;

    stack = x2nrealloc(stack, &allocated, sizeof *stack);
    stack[n++] = r;
    while (n) {
        r = stack[--n];
        if (!is_garbage(r)) {
            continue;
        }

        struct ovsdb_table *table = r->table;
        const struct ovsdb_table_schema *ts = table->schema;
        struct ovsdb_row *row = r->new;

        hmap_remove(&table->rows, &row->hmap_node);
        r->new = NULL;
        bitmap_set_multiple(r->changed, 0, ts->n_columns, true);

        for (size_t i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_column_schema *c = ts->columns[i];
            const struct ovsdb_datum *d = &row->fields[i];

            for (int half = 0; half < 2; half++) {
                const struct ovsdb_base_type *base = half ? &c->type.value
                                                          : &c->type.key;
                struct ovsdb_table *dst_table = half ? table->refs[i].value
                                                     : table->refs[i].key;
                const union ovsdb_atom *atoms = half ? d->values : d->keys;

                if (!dst_table || !ovsdb_base_type_is_strong_ref(base)) {
                    continue;
                }
                for (unsigned int j = 0; j < d->n; j++) {
                    const struct uuid *uuid = &atoms[j].uuid;
                    if (uuid_equals(uuid, &r->uuid)) {
                        continue;
                    }
                    struct ovsdb_txn_row *dst
                        = find_or_make_txn_row(txn, dst_table, uuid);
                    if (dst && dst->n_refs && !--dst->n_refs
                        && is_garbage(dst)) {
                        if (n >= allocated) {
                            stack = x2nrealloc(stack, &allocated,
                                               sizeof *stack);
                        }
                        stack[n++] = dst;
                    }
                }
            }
        }
        if (row != r->old) {
            ovsdb_row_destroy(row);
        }
    }
    free(stack);
}

static void
collect_garbage(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, list_node, &txn->rows) {
        if (is_garbage(r)) {
            delete_garbage(txn, r);
        }
    }
}

/* Precommit step 4: maxRows. */

static struct ovsdb_error *
check_max_rows(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *t;

    LIST_FOR_EACH (t, node, &txn->txn_tables) {
        size_t n_rows = hmap_count(&t->table->rows);
        unsigned int max_rows = t->table->schema->max_rows;

        if (n_rows > max_rows) {
            return ovsdb_error("constraint violation",
                               "transaction causes \"%s\" table to contain "
                               "%zu rows, greater than the schema-defined "
                               "limit of %u row(s)",
                               t->table->schema->name, n_rows, max_rows);
        }
    }
    return NULL;
}

/* Precommit step 5: weak references. */

static bool
weak_target_exists(const struct ovsdb_table *dst_table,
                   const union ovsdb_atom *atom)
{
    return ovsdb_table_get_row(dst_table, &atom->uuid) != NULL;
}

/* The tables D's keys and values weakly refer to, or NULL. */
static void
weak_tables(const struct ovsdb_table *table,
            const struct ovsdb_column_schema *c,
            struct ovsdb_table **key, struct ovsdb_table **value)
{
    const struct ovsdb_column_refs *refs = &table->refs[c->index];

    *key = (refs->key && ovsdb_base_type_is_weak_ref(&c->type.key)
            ? refs->key : NULL);
    *value = (refs->value && ovsdb_base_type_is_weak_ref(&c->type.value)
              ? refs->value : NULL);
}

static bool
weak_element_dangles(const struct ovsdb_datum *d, unsigned int i,
                     const struct ovsdb_table *key_table,
                     const struct ovsdb_table *value_table, bool *zero)
{
    if (key_table && !weak_target_exists(key_table, &d->keys[i])) {
        if (zero && uuid_is_zero(&d->keys[i].uuid)) {
            *zero = true;
        }
        return true;
    }
    if (value_table && !weak_target_exists(value_table, &d->values[i])) {
        if (zero && uuid_is_zero(&d->values[i].uuid)) {
            *zero = true;
        }
        return true;
    }
    return false;
}

static bool
has_dangling_weak_refs(const struct ovsdb_row *row,
                       const struct ovsdb_column_schema *c)
{
    struct ovsdb_table *key_table, *value_table;
    const struct ovsdb_datum *d = &row->fields[c->index];

    weak_tables(row->table, c, &key_table, &value_table);
    for (unsigned int i = 0; i < d->n; i++) {
        if (weak_element_dangles(d, i, key_table, value_table, NULL)) {
            return true;
        }
    }
    return false;
}

/* Removes the elements of ROW's column C that weakly refer to rows that
 * do not exist, keeping the datum sorted.  Returns how many went. */
static unsigned int
remove_dangling_weak_refs(struct ovsdb_row *row,
                          const struct ovsdb_column_schema *c, bool *zero)
{
    struct ovsdb_table *key_table, *value_table;
    struct ovsdb_datum *d = &row->fields[c->index];
    unsigned int dst = 0;

    weak_tables(row->table, c, &key_table, &value_table);
    if (!key_table && !value_table) {
        return 0;
    }
    for (unsigned int i = 0; i < d->n; i++) {
        if (weak_element_dangles(d, i, key_table, value_table, zero)) {
            ovsdb_atom_destroy(&d->keys[i], c->type.key.type);
            if (d->values) {
                ovsdb_atom_destroy(&d->values[i], c->type.value.type);
            }
        } else {
            d->keys[dst] = d->keys[i];
            if (d->values) {
                d->values[dst] = d->values[i];
            }
            dst++;
        }
    }

    unsigned int n_removed = d->n - dst;
    d->n = dst;
    if (!dst) {
        free(d->keys);
        free(d->values);
        d->keys = d->values = NULL;
    }
    return n_removed;
}

static bool
txn_table_has_deletions(const struct ovsdb_txn_table *t)
{
    const struct ovsdb_txn_row *r;

    HMAP_FOR_EACH (r, hmap_node, &t->txn_rows) {
        if (r->old && !r->new) {
            return true;
        }
    }
    return false;
}

/* Brings into the transaction the rows outside it that weakly refer to
 * rows it deleted, so that assess_weak_refs() cleans them too. */
static void
pull_in_weak_referrers(struct ovsdb_txn *txn)
{
    struct ovsdb_row_set fix = OVSDB_ROW_SET_INITIALIZER;
    const struct ovsdb_txn_table *t;

    LIST_FOR_EACH (t, node, &txn->txn_tables) {
        const struct ovsdb_table *table = t->table;

        if (!table->n_weak_srcs || !txn_table_has_deletions(t)) {
            continue;
        }
        for (size_t i = 0; i < table->n_weak_srcs; i++) {
            const struct ovsdb_weak_src *src = &table->weak_srcs[i];
            const struct ovsdb_row *row;

            HMAP_FOR_EACH (row, hmap_node, &src->table->rows) {
                const struct ovsdb_txn_row *r = row->txn_row;
                if ((!r || r->old == r->new)
                    && has_dangling_weak_refs(row, src->column)) {
                    ovsdb_row_set_add_row(&fix, row);
                }
            }
        }
    }
    for (size_t i = 0; i < fix.n; i++) {
        const struct ovsdb_row *row = fix.rows[i];
        if (!row->txn_row || row->txn_row->old == row->txn_row->new) {
            ovsdb_txn_row_modify(txn, row);
        }
    }
    ovsdb_row_set_destroy(&fix);
}

static struct ovsdb_error *
assess_weak_refs(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    pull_in_weak_referrers(txn);
    LIST_FOR_EACH (r, list_node, &txn->rows) {
        const struct ovsdb_table_schema *ts = r->table->schema;

        if (!r->new || r->new == r->old) {
            continue;
        }
        for (size_t i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_column_schema *c = ts->columns[i];
            bool zero = false;
            unsigned int n_removed = remove_dangling_weak_refs(r->new, c,
                                                               &zero);
            if (!n_removed) {
                continue;
            }

            bitmap_set1(r->changed, i);
            if (r->new->fields[i].n >= c->type.n_min) {
                continue;
            }
            if (zero && !r->old) {
                return ovsdb_error(
                    "constraint violation",
                    "Weak reference column \"%s\" in \"%s\" row " UUID_FMT
                    " (inserted within this transaction) contained "
                    "all-zeros UUID (probably as the default value for "
                    "this column) but deleting this value caused a "
                    "constraint volation because this column is not "
                    "allowed to be empty.", c->name, ts->name,
                    UUID_ARGS(&r->uuid));
            }
            return ovsdb_error(
                "constraint violation",
                "Deletion of %u weak reference(s) to deleted (or "
                "never-existing) rows from column \"%s\" in \"%s\" row "
                UUID_FMT " %scaused this column to become empty, but "
                "constraints on this column disallow an empty column.",
                n_removed, c->name, ts->name, UUID_ARGS(&r->uuid),
                r->old ? "" : "(inserted within this transaction) ");
        }
    }
    return NULL;
}

/* Precommit step 6: unique indexes. */

static void
describe_index_row(const struct ovsdb_column_set *index,
                   const struct ovsdb_row *row, const char *title,
                   struct ds *out)
{
    const struct ovsdb_txn_row *r = row->txn_row;

    ds_put_format(out, "%s row, with UUID " UUID_FMT ", ", title,
                  UUID_ARGS(ovsdb_row_get_uuid(row)));
    if (!r || r->old == r->new) {
        ds_put_cstr(out, "existed in the database before this transaction "
                    "and was not modified by the transaction.");
    } else if (!r->old) {
        ds_put_cstr(out, "was inserted by this transaction.");
    } else if (ovsdb_row_equal_columns(r->old, r->new, index)) {
        ds_put_cstr(out, "existed in the database before this transaction, "
                    "which modified some of the row's columns but not any "
                    "columns in this index.");
    } else {
        ds_put_cstr(out, "had the following index values before the "
                    "transaction: ");
        ovsdb_row_columns_to_string(r->old, index, out);
        ds_put_char(out, '.');
    }
}

static struct ovsdb_error *
duplicate_index_row(const struct ovsdb_column_set *index,
                    const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    /* ovsdb-server orders the two rows by comparing all their columns in
     * the iteration order of its column hash table, which in practice
     * starts with a column that holds random UUIDs (_version): measured
     * against ovsdb-server 3.1.0, either row may come first, whether it
     * was inserted or existed, and whichever UUID is larger.  No fixed
     * order is "ovsdb-server's", so use a predictable one (the larger
     * UUID first), for reproducible messages. */
    if (uuid_compare_3way(ovsdb_row_get_uuid(a), ovsdb_row_get_uuid(b)) < 0) {
        const struct ovsdb_row *tmp = a;
        a = b;
        b = tmp;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    char *index_s = ovsdb_column_set_to_english(index);

    ds_put_format(&s, "Transaction causes multiple rows in \"%s\" table to "
                  "have identical values (", a->table->schema->name);
    ovsdb_row_columns_to_string(a, index, &s);
    ds_put_format(&s, ") for index on %s.  ", index_s);
    describe_index_row(index, a, "First", &s);
    ds_put_cstr(&s, "  ");
    describe_index_row(index, b, "Second", &s);
    free(index_s);

    struct ovsdb_error *error = ovsdb_error("constraint violation", "%s",
                                            ds_cstr(&s));
    ds_destroy(&s);
    return error;
}

/* True for a committed row whose committed index entry no longer
 * describes the transaction's view: the transaction modified or deleted
 * it. */
static bool
row_replaced_in_txn(const struct ovsdb_row *row)
{
    return row->txn_row && row->txn_row->new != row;
}

struct index_entry {
    struct hmap_node node;
    const struct ovsdb_row *row;
};

static struct ovsdb_error *
check_table_index(const struct ovsdb_txn_table *t, size_t i)
{
    const struct ovsdb_column_set *index = &t->table->schema->indexes[i];
    struct index_entry *entries;
    struct hmap seen = HMAP_INITIALIZER(&seen);
    struct ovsdb_error *error = NULL;
    const struct ovsdb_txn_row *r;
    size_t n = 0;

    entries = xmalloc(MAX(hmap_count(&t->txn_rows), 1) * sizeof *entries);
    HMAP_FOR_EACH (r, hmap_node, &t->txn_rows) {
        const struct ovsdb_row *row = r->new;
        if (!row || row == r->old) {
            continue;
        }

        uint32_t hash = ovsdb_row_hash_columns(row, index, 0);
        const struct index_entry *e;
        HMAP_FOR_EACH_WITH_HASH (e, node, hash, &seen) {
            if (ovsdb_row_equal_columns(row, e->row, index)) {
                error = duplicate_index_row(index, e->row, row);
                goto out;
            }
        }

        const struct ovsdb_row *irow = ovsdb_table_index_find(
            t->table, i, row, hash, row_replaced_in_txn);
        if (irow) {
            error = duplicate_index_row(index, irow, row);
            goto out;
        }

        entries[n].row = row;
        hmap_insert(&seen, &entries[n].node, hash);
        n++;
    }
out:
    hmap_destroy(&seen);
    free(entries);
    return error;
}

static struct ovsdb_error *
check_index_uniqueness(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *t;

    LIST_FOR_EACH (t, node, &txn->txn_tables) {
        for (size_t i = 0; i < t->table->schema->n_indexes; i++) {
            struct ovsdb_error *error = check_table_index(t, i);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

/* Precommit step 7: _version. */

static void
update_versions(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, list_node, &txn->rows) {
        if (r->old && r->new && r->old != r->new
            && !bitmap_is_all_zeros(r->changed, n_columns(r->table))) {
            bitmap_set1(r->changed, OVSDB_COL_VERSION);
            if (!r->version_set) {
                uuid_generate(ovsdb_row_get_version_rw(r->new));
            }
        }
    }
}

struct ovsdb_error *
ovsdb_txn_precommit(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error;

    determine_changes(txn);
    if (!ovsdb_txn_has_changes(txn)) {
        return NULL;
    }

    error = update_ref_counts(txn);
    if (!error) {
        collect_garbage(txn);
        error = check_max_rows(txn);
    }
    if (!error) {
        error = assess_weak_refs(txn);
    }
    if (!error) {
        error = check_index_uniqueness(txn);
    }
    if (!error) {
        update_versions(txn);
    }
    return error;
}

void
ovsdb_txn_complete(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;
    bool changed = false;

    LIST_FOR_EACH_SAFE (r, list_node, &txn->rows) {
        struct ovsdb_table *table = r->table;

        if (r->old != r->new) {
            changed = true;
            if (r->old) {
                ovsdb_table_index_remove(table, r->old);
                ovsdb_row_destroy(r->old);
            }
            if (r->new) {
                ovsdb_table_index_insert(table, r->new);
            }
        }
        if (r->new) {
            r->new->n_refs = r->n_refs;
            r->new->txn_row = NULL;
        }
        txn_row_free(r);
    }
    if (changed) {
        txn->db->seqno++;
    }
    txn_free(txn);
}

struct ovsdb_error *
ovsdb_txn_commit(struct ovsdb_txn *txn, bool durable)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);

    if (!error && ovsdb_txn_has_changes(txn)) {
        struct ovsdb_replica *replica;
        LIST_FOR_EACH_SAFE (replica, node, &txn->db->replicas) {
            error = replica->class->commit(replica, txn, durable);
            if (error) {
                break;
            }
        }
    }
    if (error) {
        ovsdb_txn_abort(txn);
        return error;
    }
    ovsdb_txn_complete(txn);
    return NULL;
}

struct ovsdb_error *
ovsdb_txn_replay_commit(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);

    if (error) {
        ovsdb_txn_abort(txn);
    } else {
        ovsdb_txn_complete(txn);
    }
    return error;
}

/* Changes. */

bool
ovsdb_txn_has_changes(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, list_node, &txn->rows) {
        if (r->old != r->new) {
            return true;
        }
    }
    return false;
}

void
ovsdb_txn_for_each_change(const struct ovsdb_txn *txn,
                          ovsdb_txn_row_cb_func *cb, void *aux)
{
    const struct ovsdb_txn_table *t;

    LIST_FOR_EACH (t, node, &txn->txn_tables) {
        const struct ovsdb_txn_row *r;
        HMAP_FOR_EACH (r, hmap_node, &t->txn_rows) {
            if (r->old != r->new && !cb(r->old, r->new, r->changed, aux)) {
                return;
            }
        }
    }
}

/* Storage form: writing. */

static json_t *
txn_row_to_json(const struct ovsdb_txn_row *r)
{
    const struct ovsdb_table_schema *ts = r->table->schema;
    size_t n_persistent = 0;

    if (!r->new) {
        return json_null();
    }

    json_t *json = json_object();
    for (size_t i = 0; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *c = ts->columns[i];
        const struct ovsdb_datum *d = &r->new->fields[i];

        if (i == OVSDB_COL_UUID || c->ephemeral
            || (r->old ? !bitmap_is_set(r->changed, i)
                : ovsdb_datum_is_default(d, &c->type))) {
            continue;
        }
        json_object_set_new(json, c->name, ovsdb_datum_to_json(d, &c->type));
        if (i != OVSDB_COL_VERSION) {
            n_persistent++;
        }
    }
    if (r->old && !n_persistent) {
        /* Only ephemeral columns changed: nothing to store. */
        json_decref(json);
        return NULL;
    }
    return json;
}

json_t *
ovsdb_txn_to_json(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_table *t;
    json_t *json = NULL;

    LIST_FOR_EACH (t, node, &txn->txn_tables) {
        const struct ovsdb_txn_row *r;
        json_t *table_json = NULL;

        HMAP_FOR_EACH (r, hmap_node, &t->txn_rows) {
            if (r->old == r->new) {
                continue;
            }

            json_t *row_json = txn_row_to_json(r);
            if (row_json) {
                char uuid_s[UUID_LEN + 1];
                if (!table_json) {
                    table_json = json_object();
                }
                json_object_set_new(table_json, uuid_to_string(&r->uuid,
                                                               uuid_s),
                                    row_json);
            }
        }
        if (table_json) {
            if (!json) {
                json = json_object();
            }
            json_object_set_new(json, t->table->schema->name, table_json);
        }
    }
    if (json) {
        json_object_set_new(json, "_date", json_integer(time_wall_msec()));
        if (txn->comment.length) {
            json_object_set_new(json, "_comment",
                                json_string_sanitized(
                                    ds_cstr_ro(&txn->comment)));
        }
    }
    return json;
}

/* Storage form: reading. */

/* Applies DIFF (Open vSwitch's "_is_diff" form) to DATUM of TYPE: each
 * element of a set is toggled; each pair of a map removes an identical
 * pair, replaces the value of a pair with its key, or is added. */
static void
apply_diff(struct ovsdb_datum *datum, const struct ovsdb_datum *diff,
           const struct ovsdb_type *type)
{
    struct ovsdb_datum add, same;

    ovsdb_datum_clone(&add, diff, type);
    ovsdb_datum_subtract(&add, type, datum, type);
    ovsdb_datum_clone(&same, diff, type);
    ovsdb_datum_subtract(&same, type, &add, type);
    ovsdb_datum_subtract(datum, type, &same, type);
    ovsdb_datum_union(datum, &add, type, true);
    ovsdb_datum_destroy(&add, type);
    ovsdb_datum_destroy(&same, type);
}

static struct ovsdb_error *
update_row_from_json(struct ovsdb_txn_row *r, struct ovsdb_row *row,
                     const json_t *json, bool is_diff)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    const char *name;
    json_t *value;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "object expected");
    }
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column_schema *c
            = ovsdb_table_schema_get_column(ts, name);
        struct ovsdb_error *error;
        struct ovsdb_datum datum;

        if (!c) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.",
                                      name, ts->name);
        } else if (c->index == OVSDB_COL_UUID) {
            return ovsdb_syntax_error(json, NULL,
                                      "_uuid may not be set here");
        }

        if (is_diff && r && !ovsdb_type_is_scalar(&c->type)) {
            struct ovsdb_type relaxed = c->type;
            struct ovsdb_datum *dst = &row->fields[c->index];

            relaxed.n_min = 0;
            relaxed.n_max = UINT_MAX;
            error = ovsdb_datum_from_json(&datum, &relaxed, value, NULL);
            if (error) {
                return error;
            }
            apply_diff(dst, &datum, &c->type);
            ovsdb_datum_destroy(&datum, &c->type);
            if (dst->n < c->type.n_min || dst->n > c->type.n_max) {
                return ovsdb_syntax_error(json, "constraint violation",
                                          "diff for column %s leaves %u "
                                          "elements", c->name, dst->n);
            }
        } else {
            error = ovsdb_datum_from_json(&datum, &c->type, value, NULL);
            if (error) {
                return error;
            }
            ovsdb_datum_swap(&row->fields[c->index], &datum);
            ovsdb_datum_destroy(&datum, &c->type);
        }
        if (r && c->index == OVSDB_COL_VERSION) {
            r->version_set = true;
        }
    }
    return NULL;
}

static struct ovsdb_error *
table_from_json(struct ovsdb_txn *txn, struct ovsdb_table *table,
                const json_t *json, bool is_diff)
{
    const char *uuid_s;
    json_t *row_json;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "object expected");
    }
    json_object_foreach ((json_t *) json, uuid_s, row_json) {
        const struct ovsdb_row *row;
        struct ovsdb_error *error;
        struct uuid uuid;

        if (!uuid_from_string(&uuid, uuid_s)) {
            return ovsdb_syntax_error(json, NULL,
                                      "\"%s\" is not a valid UUID", uuid_s);
        }
        row = ovsdb_table_get_row(table, &uuid);
        if (json_is_null(row_json)) {
            if (!row) {
                return ovsdb_syntax_error(
                    NULL, "transaction error", "transaction deletes row "
                    UUID_FMT " that does not exist", UUID_ARGS(&uuid));
            }
            ovsdb_txn_row_delete(txn, row);
        } else if (row) {
            struct ovsdb_row *new = ovsdb_txn_row_modify(txn, row);
            error = update_row_from_json(new->txn_row, new, row_json,
                                         is_diff);
            if (error) {
                return error;
            }
        } else {
            if (!ovsdb_txn_may_create_row(table, &uuid)) {
                return ovsdb_syntax_error(
                    NULL, "transaction error", "transaction inserts row "
                    UUID_FMT " twice", UUID_ARGS(&uuid));
            }

            struct ovsdb_row *new = ovsdb_row_create(table);
            *ovsdb_row_get_uuid_rw(new) = uuid;
            error = update_row_from_json(NULL, new, row_json, false);
            if (error) {
                ovsdb_row_destroy(new);
                return error;
            }
            ovsdb_txn_row_insert(txn, new);
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_txn_from_json(struct ovsdb *db, const json_t *json,
                    struct ovsdb_txn **txnp)
{
    struct ovsdb_error *error = NULL;
    const char *name;
    json_t *value;

    *txnp = NULL;
    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "object expected");
    }

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    bool is_diff = json_is_true(json_object_get(json, "_is_diff"));
    json_object_foreach ((json_t *) json, name, value) {
        struct ovsdb_table *table = ovsdb_get_table(db, name);

        if (table) {
            error = table_from_json(txn, table, value, is_diff);
        } else if (!strcmp(name, "_comment")) {
            if (ovsdb_json_is_cstring(value)) {
                ovsdb_txn_add_comment(txn, json_string_value(value));
            }
        } else if (name[0] != '_') {
            error = ovsdb_syntax_error(json, "unknown table",
                                       "No table named %s.", name);
        }
        if (error) {
            ovsdb_txn_abort(txn);
            return error;
        }
    }
    *txnp = txn;
    return NULL;
}
