/* ovsdb/table: tables of rows and their committed indexes.  See table.h. */
#include <config.h>
#include "ovsdb/table.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/row.h"

struct ovsdb_table *
ovsdb_table_create(const struct ovsdb_table_schema *ts)
{
    struct ovsdb_table *table = xzalloc(sizeof *table);

    table->schema = ts;
    hmap_init(&table->rows);
    table->indexes = xcalloc(ts->n_indexes ? ts->n_indexes : 1,
                             sizeof *table->indexes);
    for (size_t i = 0; i < ts->n_indexes; i++) {
        hmap_init(&table->indexes[i]);
    }
    table->refs = xcalloc(ts->n_columns, sizeof *table->refs);
    return table;
}

void
ovsdb_table_destroy(struct ovsdb_table *table)
{
    if (!table) {
        return;
    }
    plx_assert(!table->txn_table);

    struct ovsdb_row *row;
    HMAP_FOR_EACH_POP (row, hmap_node, &table->rows) {
        ovsdb_row_destroy(row);
    }
    hmap_destroy(&table->rows);
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        hmap_destroy(&table->indexes[i]);
    }
    free(table->indexes);
    free(table->refs);
    free(table->weak_srcs);
    free(table);
}

const struct ovsdb_row *
ovsdb_table_get_row(const struct ovsdb_table *table, const struct uuid *uuid)
{
    const struct ovsdb_row *row;

    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(ovsdb_row_get_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

void
ovsdb_table_index_insert(struct ovsdb_table *table, struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = table->schema;

    for (size_t i = 0; i < ts->n_indexes; i++) {
        hmap_insert(&table->indexes[i], &row->index_nodes[i],
                    ovsdb_row_hash_columns(row, &ts->indexes[i], 0));
    }
}

void
ovsdb_table_index_remove(struct ovsdb_table *table, struct ovsdb_row *row)
{
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        hmap_remove(&table->indexes[i], &row->index_nodes[i]);
    }
}

/* The row whose index_nodes[I] is NODE. */
static const struct ovsdb_row *
row_from_index_node(const struct ovsdb_table *table,
                    const struct hmap_node *node, size_t i)
{
    size_t ofs = ovsdb_row_index_nodes_offset(table->schema)
                 + i * sizeof *node;
    return (const struct ovsdb_row *) (const void *)
           ((const char *) node - ofs);
}

const struct ovsdb_row *
ovsdb_table_index_find(const struct ovsdb_table *table, size_t i,
                       const struct ovsdb_row *row, uint32_t hash,
                       bool (*skip)(const struct ovsdb_row *))
{
    const struct ovsdb_column_set *index = &table->schema->indexes[i];

    for (const struct hmap_node *node
             = hmap_first_with_hash(&table->indexes[i], hash);
         node; node = hmap_next_with_hash(node)) {
        const struct ovsdb_row *irow = row_from_index_node(table, node, i);
        if (irow != row && (!skip || !skip(irow))
            && ovsdb_row_equal_columns(row, irow, index)) {
            return irow;
        }
    }
    return NULL;
}
