/* ovsdb/query: rows that satisfy a condition.  See query.h. */
#include <config.h>
#include "ovsdb/query.h"

#include <stdlib.h>

#include "hash.h"
#include "hmap.h"
#include "ovsdb/condition.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"

void
ovsdb_query_row_set(const struct ovsdb_table *table,
                    const struct ovsdb_condition *cond,
                    struct ovsdb_row_set *results)
{
    if (ovsdb_condition_is_false(cond)) {
        return;
    }

    const struct uuid *uuid = ovsdb_condition_get_uuid(cond);
    if (uuid) {
        const struct ovsdb_row *row = ovsdb_table_get_row(table, uuid);
        if (row && ovsdb_condition_match(row, cond)) {
            ovsdb_row_set_add_row(results, row);
        }
    } else {
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            if (ovsdb_condition_match(row, cond)) {
                ovsdb_row_set_add_row(results, row);
            }
        }
    }
}

void
ovsdb_query(const struct ovsdb_table *table,
            const struct ovsdb_condition *cond,
            bool (*cb)(const struct ovsdb_row *, void *aux), void *aux)
{
    struct ovsdb_row_set rows = OVSDB_ROW_SET_INITIALIZER;

    ovsdb_query_row_set(table, cond, &rows);
    for (size_t i = 0; i < rows.n; i++) {
        if (!cb(rows.rows[i], aux)) {
            break;
        }
    }
    ovsdb_row_set_destroy(&rows);
}

struct distinct_entry {
    struct hmap_node node;
    const struct ovsdb_row *row;
};

void
ovsdb_query_distinct(const struct ovsdb_table *table,
                     const struct ovsdb_condition *cond,
                     const struct ovsdb_column_set *columns,
                     struct ovsdb_row_set *results)
{
    if (!columns || ovsdb_column_set_contains(columns, OVSDB_COL_UUID)) {
        /* Rows with different _uuids are always distinct. */
        ovsdb_query_row_set(table, cond, results);
        return;
    }

    struct ovsdb_row_set all = OVSDB_ROW_SET_INITIALIZER;
    struct hmap seen = HMAP_INITIALIZER(&seen);
    struct distinct_entry *entries;

    ovsdb_query_row_set(table, cond, &all);
    entries = xmalloc(MAX(all.n, 1) * sizeof *entries);
    for (size_t i = 0; i < all.n; i++) {
        const struct ovsdb_row *row = all.rows[i];
        uint32_t hash = ovsdb_row_hash_columns(row, columns, 0);
        const struct distinct_entry *e;
        bool dup = false;

        HMAP_FOR_EACH_WITH_HASH (e, node, hash, &seen) {
            if (ovsdb_row_equal_columns(row, e->row, columns)) {
                dup = true;
                break;
            }
        }
        if (!dup) {
            entries[i].row = row;
            hmap_insert(&seen, &entries[i].node, hash);
            ovsdb_row_set_add_row(results, row);
        }
    }
    hmap_destroy(&seen);
    free(entries);
    ovsdb_row_set_destroy(&all);
}
