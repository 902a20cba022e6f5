/*
 * table: the rows of one OVSDB table, and what the engine derives from the
 * table's schema.
 *
 * 'rows' maps _uuid to row.  While a transaction is in progress it is the
 * transaction's view (rows it inserted are there, rows it deleted are
 * not, rows it modified appear as their new versions), so that each
 * operation of a transaction sees the effects of the ones before it, as
 * RFC 7047 requires; aborting the transaction restores it (see
 * transaction.h).  Between transactions it is simply the table.
 *
 * 'indexes' are the schema's unique indexes over the committed rows: for
 * index i, every committed row's index_nodes[i] is filed under
 * ovsdb_row_hash_columns() of the index's columns.  They change only when
 * a transaction commits, which is what lets the commit-time uniqueness
 * check tell old rows from new ones.
 *
 * 'refs' resolves each column's refTable names to tables once, when the
 * database is created; 'weak_srcs' lists the (table, column) pairs whose
 * weak references point into this table, which is where a commit looks
 * for references to clean up after deleting rows here.
 */
#ifndef PLX_OVSDB_TABLE_H
#define PLX_OVSDB_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/uuid.h"

struct ovsdb_row;
struct ovsdb_txn_table;

/* Tables that a column's key and value refer to (NULL if not a reference,
 * or if the refTable names no table of the database). */
struct ovsdb_column_refs {
    struct ovsdb_table *key;
    struct ovsdb_table *value;
};

/* A column of 'table' with weak references into some other table. */
struct ovsdb_weak_src {
    struct ovsdb_table *table;
    const struct ovsdb_column_schema *column;
};

struct ovsdb_table {
    struct hmap_node hmap_node;     /* In struct ovsdb's 'tables'. */
    const struct ovsdb_table_schema *schema;   /* Owned by the database. */
    struct hmap rows;               /* "struct ovsdb_row"s by _uuid. */
    struct hmap *indexes;           /* schema->n_indexes committed indexes. */
    struct ovsdb_column_refs *refs; /* One per column. */
    struct ovsdb_weak_src *weak_srcs;
    size_t n_weak_srcs;
    struct ovsdb_txn_table *txn_table;  /* In the current transaction. */
};

struct ovsdb_table *ovsdb_table_create(const struct ovsdb_table_schema *);
/* Frees TABLE and all of its rows.  It must be in no transaction. */
void ovsdb_table_destroy(struct ovsdb_table *);

/* The row with _uuid UUID in TABLE's current view, or NULL. */
const struct ovsdb_row *ovsdb_table_get_row(const struct ovsdb_table *,
                                            const struct uuid *);

static inline size_t
ovsdb_table_n_rows(const struct ovsdb_table *table)
{
    return hmap_count(&table->rows);
}

/* Committed indexes (for transaction.c). */
void ovsdb_table_index_insert(struct ovsdb_table *, struct ovsdb_row *);
void ovsdb_table_index_remove(struct ovsdb_table *, struct ovsdb_row *);
/* The committed row other than ROW whose index I columns equal ROW's,
 * for which SKIP (if nonnull) returns false, or NULL. */
const struct ovsdb_row *ovsdb_table_index_find(
    const struct ovsdb_table *, size_t i, const struct ovsdb_row *row,
    uint32_t hash, bool (*skip)(const struct ovsdb_row *));

#endif /* ovsdb/table.h */
