/*
 * row: one row of an OVSDB table, as the engine holds it in memory.
 *
 * A row is one allocation: the header below, then one struct ovsdb_datum
 * per column of its table (indexed by column->index, so fields[0] is
 * "_uuid" and fields[1] "_version", both single UUIDs), then one
 * struct hmap_node per index of the table (the row's entries in the
 * table's committed unique indexes, see table.h).
 *
 * Invariants of a row in a table:
 *   - every field is a valid datum of its column's type (sorted, within
 *     [n_min, n_max], constraints satisfied);
 *   - 'hmap_node' files the row under uuid_hash() of its _uuid in its
 *     table's 'rows' map, which no other row with that _uuid shares;
 *   - 'n_refs' counts the strong references to the row from the other
 *     rows of the committed database (self-references do not count), and
 *     is only changed when a transaction commits;
 *   - 'txn_row' is nonnull exactly while a transaction holds the row (as
 *     its old or new version, see transaction.h).
 *
 * Rows are plain data: only the transaction code (transaction.c) moves
 * them in and out of tables.  Everything else reads them.
 */
#ifndef PLX_OVSDB_ROW_H
#define PLX_OVSDB_ROW_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/uuid.h"
#include "util.h"

struct ds;
struct ovsdb_error;
struct ovsdb_table;
struct ovsdb_txn_row;

struct ovsdb_row {
    struct hmap_node hmap_node;     /* In table's 'rows', by _uuid hash. */
    struct ovsdb_table *table;
    struct ovsdb_txn_row *txn_row;  /* Holding transaction row, if any. */
    size_t n_refs;                  /* Committed strong refs to this row. */
    struct hmap_node *index_nodes;  /* One per table index, after fields. */
    struct ovsdb_datum fields[];    /* One per column. */
};

/* A new row of TABLE with every column at its default value (all-zeros
 * _uuid and _version). */
struct ovsdb_row *ovsdb_row_create(struct ovsdb_table *);
/* A deep copy of ROW's fields and 'n_refs', in no table or transaction. */
struct ovsdb_row *ovsdb_row_clone(const struct ovsdb_row *);
void ovsdb_row_destroy(struct ovsdb_row *);

static inline const struct uuid *
ovsdb_row_get_uuid(const struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}

static inline struct uuid *
ovsdb_row_get_uuid_rw(struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}

static inline const struct uuid *
ovsdb_row_get_version(const struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_VERSION].keys[0].uuid;
}

static inline struct uuid *
ovsdb_row_get_version_rw(struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_VERSION].keys[0].uuid;
}

static inline uint32_t
ovsdb_row_hash(const struct ovsdb_row *row)
{
    return uuid_hash(ovsdb_row_get_uuid(row));
}

const struct ovsdb_table_schema *ovsdb_row_schema(const struct ovsdb_row *);
/* Where 'index_nodes' starts in a row of a table with schema TS. */
size_t ovsdb_row_index_nodes_offset(const struct ovsdb_table_schema *);

/* Comparisons restricted to a set of columns of the rows' (common)
 * table. */
uint32_t ovsdb_row_hash_columns(const struct ovsdb_row *,
                                const struct ovsdb_column_set *,
                                uint32_t basis);
bool ovsdb_row_equal_columns(const struct ovsdb_row *,
                             const struct ovsdb_row *,
                             const struct ovsdb_column_set *);
int ovsdb_row_compare_columns_3way(const struct ovsdb_row *,
                                   const struct ovsdb_row *,
                                   const struct ovsdb_column_set *);
/* Copies COLUMNS of SRC into DST. */
void ovsdb_row_update_columns(struct ovsdb_row *dst,
                              const struct ovsdb_row *src,
                              const struct ovsdb_column_set *);

/* Parses JSON, an object mapping column names to values (RFC 7047
 * <row>), into ROW's fields; named-uuids go through SYMTAB (which may be
 * NULL).  If INCLUDED is nonnull, the columns that JSON set are added to
 * it.  Errors: "syntax error" (not an object), "unknown column", and
 * whatever ovsdb_datum_from_json() reports for a bad value.  On error ROW
 * may be partly updated. */
struct ovsdb_error *ovsdb_row_from_json(struct ovsdb_row *, const json_t *,
                                        struct ovsdb_symbol_table *,
                                        struct ovsdb_column_set *included)
    PLX_WARN_UNUSED_RESULT;
/* An object with COLUMNS of ROW (all columns, _uuid and _version
 * included, if COLUMNS is NULL). */
json_t *ovsdb_row_to_json(const struct ovsdb_row *,
                          const struct ovsdb_column_set *);

/* Appends the values of COLUMNS of ROW in ovs-vsctl syntax as an English
 * list: "a", "a and b", "a, b, and c". */
void ovsdb_row_columns_to_string(const struct ovsdb_row *,
                                 const struct ovsdb_column_set *,
                                 struct ds *);

/* Column sets. */

/* Adds every column of TABLE, _uuid and _version first. */
void ovsdb_column_set_add_all(struct ovsdb_column_set *,
                              const struct ovsdb_table_schema *);
/* 'column "a"', 'columns "a" and "b"', ...: the caller frees it. */
char *ovsdb_column_set_to_english(const struct ovsdb_column_set *);

/* A growable array of row pointers, e.g. the result of a query. */
struct ovsdb_row_set {
    const struct ovsdb_row **rows;
    size_t n, allocated;
};

#define OVSDB_ROW_SET_INITIALIZER { NULL, 0, 0 }

void ovsdb_row_set_init(struct ovsdb_row_set *);
void ovsdb_row_set_destroy(struct ovsdb_row_set *);
void ovsdb_row_set_add_row(struct ovsdb_row_set *, const struct ovsdb_row *);
/* Sorts the rows ascending by COLUMNS, compared in order. */
void ovsdb_row_set_sort(struct ovsdb_row_set *,
                        const struct ovsdb_column_set *);
/* An array of ovsdb_row_to_json() of each row. */
json_t *ovsdb_row_set_to_json(const struct ovsdb_row_set *,
                              const struct ovsdb_column_set *);

#endif /* ovsdb/row.h */
