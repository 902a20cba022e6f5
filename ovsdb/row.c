/* ovsdb/row: rows, column-set comparisons, row sets.  See row.h. */
#include <config.h>
#include "ovsdb/row.h"

#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "hash.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/table.h"

const struct ovsdb_table_schema *
ovsdb_row_schema(const struct ovsdb_row *row)
{
    return row->table->schema;
}

size_t
ovsdb_row_index_nodes_offset(const struct ovsdb_table_schema *ts)
{
    size_t ofs = (offsetof(struct ovsdb_row, fields)
                  + ts->n_columns * sizeof(struct ovsdb_datum));
    return ROUND_UP(ofs, _Alignof(struct hmap_node));
}

static struct ovsdb_row *
row_alloc(struct ovsdb_table *table)
{
    const struct ovsdb_table_schema *ts = table->schema;
    size_t nodes_ofs = ovsdb_row_index_nodes_offset(ts);
    struct ovsdb_row *row = xzalloc(nodes_ofs + ts->n_indexes
                                    * sizeof(struct hmap_node));
    row->table = table;
    row->index_nodes = (struct hmap_node *) (void *) ((char *) row
                                                      + nodes_ofs);
    return row;
}

struct ovsdb_row *
ovsdb_row_create(struct ovsdb_table *table)
{
    const struct ovsdb_table_schema *ts = table->schema;
    struct ovsdb_row *row = row_alloc(table);

    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_init_default(&row->fields[i], &ts->columns[i]->type);
    }
    return row;
}

struct ovsdb_row *
ovsdb_row_clone(const struct ovsdb_row *old)
{
    const struct ovsdb_table_schema *ts = old->table->schema;
    struct ovsdb_row *row = row_alloc(old->table);

    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_clone(&row->fields[i], &old->fields[i],
                          &ts->columns[i]->type);
    }
    row->n_refs = old->n_refs;
    return row;
}

void
ovsdb_row_destroy(struct ovsdb_row *row)
{
    if (row) {
        const struct ovsdb_table_schema *ts = row->table->schema;
        for (size_t i = 0; i < ts->n_columns; i++) {
            ovsdb_datum_destroy(&row->fields[i], &ts->columns[i]->type);
        }
        free(row);
    }
}

uint32_t
ovsdb_row_hash_columns(const struct ovsdb_row *row,
                       const struct ovsdb_column_set *columns,
                       uint32_t basis)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column_schema *c = columns->columns[i];
        basis = ovsdb_datum_hash(&row->fields[c->index], &c->type, basis);
    }
    return basis;
}

int
ovsdb_row_compare_columns_3way(const struct ovsdb_row *a,
                               const struct ovsdb_row *b,
                               const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column_schema *c = columns->columns[i];
        int cmp = ovsdb_datum_compare_3way(&a->fields[c->index],
                                           &b->fields[c->index], &c->type);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

bool
ovsdb_row_equal_columns(const struct ovsdb_row *a, const struct ovsdb_row *b,
                        const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column_schema *c = columns->columns[i];
        if (!ovsdb_datum_equals(&a->fields[c->index], &b->fields[c->index],
                                &c->type)) {
            return false;
        }
    }
    return true;
}

void
ovsdb_row_update_columns(struct ovsdb_row *dst, const struct ovsdb_row *src,
                         const struct ovsdb_column_set *columns)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column_schema *c = columns->columns[i];
        struct ovsdb_datum tmp;

        ovsdb_datum_clone(&tmp, &src->fields[c->index], &c->type);
        ovsdb_datum_swap(&dst->fields[c->index], &tmp);
        ovsdb_datum_destroy(&tmp, &c->type);
    }
}

struct ovsdb_error *
ovsdb_row_from_json(struct ovsdb_row *row, const json_t *json,
                    struct ovsdb_symbol_table *symtab,
                    struct ovsdb_column_set *included)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    const char *name;
    json_t *value;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "row must be JSON object");
    }
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column_schema *column
            = ovsdb_table_schema_get_column(ts, name);
        struct ovsdb_datum datum;
        struct ovsdb_error *error;

        if (!column) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.",
                                      name, ts->name);
        }
        error = ovsdb_datum_from_json(&datum, &column->type, value, symtab);
        if (error) {
            return error;
        }
        ovsdb_datum_swap(&row->fields[column->index], &datum);
        ovsdb_datum_destroy(&datum, &column->type);
        if (included && !ovsdb_column_set_contains(included,
                                                   column->index)) {
            ovsdb_column_set_add(included, column);
        }
    }
    return NULL;
}

json_t *
ovsdb_row_to_json(const struct ovsdb_row *row,
                  const struct ovsdb_column_set *columns)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *json = json_object();

    if (columns) {
        for (size_t i = 0; i < columns->n_columns; i++) {
            const struct ovsdb_column_schema *c = columns->columns[i];
            json_object_set_new(json, c->name,
                                ovsdb_datum_to_json(&row->fields[c->index],
                                                    &c->type));
        }
    } else {
        for (size_t i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_column_schema *c = ts->columns[i];
            json_object_set_new(json, c->name,
                                ovsdb_datum_to_json(&row->fields[i],
                                                    &c->type));
        }
    }
    return json;
}

static const char *
english_list_delimiter(size_t index, size_t total)
{
    return (index == 0 ? ""
            : total > 2 ? (index < total - 1 ? ", " : ", and ")
            : " and ");
}

void
ovsdb_row_columns_to_string(const struct ovsdb_row *row,
                            const struct ovsdb_column_set *columns,
                            struct ds *out)
{
    for (size_t i = 0; i < columns->n_columns; i++) {
        const struct ovsdb_column_schema *c = columns->columns[i];
        ds_put_cstr(out, english_list_delimiter(i, columns->n_columns));
        ovsdb_datum_to_string(&row->fields[c->index], &c->type, out);
    }
}

void
ovsdb_column_set_add_all(struct ovsdb_column_set *set,
                         const struct ovsdb_table_schema *ts)
{
    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_column_set_add(set, ts->columns[i]);
    }
}

char *
ovsdb_column_set_to_english(const struct ovsdb_column_set *set)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&s, set->n_columns == 1 ? "column " : "columns ");
    for (size_t i = 0; i < set->n_columns; i++) {
        ds_put_format(&s, "%s\"%s\"",
                      english_list_delimiter(i, set->n_columns),
                      set->columns[i]->name);
    }
    return ds_steal_cstr(&s);
}

/* Row sets. */

void
ovsdb_row_set_init(struct ovsdb_row_set *set)
{
    set->rows = NULL;
    set->n = set->allocated = 0;
}

void
ovsdb_row_set_destroy(struct ovsdb_row_set *set)
{
    free(set->rows);
    ovsdb_row_set_init(set);
}

void
ovsdb_row_set_add_row(struct ovsdb_row_set *set, const struct ovsdb_row *row)
{
    if (set->n >= set->allocated) {
        set->rows = x2nrealloc(set->rows, &set->allocated,
                               sizeof *set->rows);
    }
    set->rows[set->n++] = row;
}

static int
compare_rows_by_columns(const void *a_, const void *b_, void *columns_)
{
    const struct ovsdb_row *const *a = a_;
    const struct ovsdb_row *const *b = b_;
    return ovsdb_row_compare_columns_3way(*a, *b, columns_);
}

void
ovsdb_row_set_sort(struct ovsdb_row_set *set,
                   const struct ovsdb_column_set *columns)
{
    if (columns && columns->n_columns && set->n > 1) {
        qsort_r(set->rows, set->n, sizeof *set->rows,
                compare_rows_by_columns, (void *) columns);
    }
}

json_t *
ovsdb_row_set_to_json(const struct ovsdb_row_set *set,
                      const struct ovsdb_column_set *columns)
{
    json_t *json = json_array();
    for (size_t i = 0; i < set->n; i++) {
        json_array_append_new(json, ovsdb_row_to_json(set->rows[i],
                                                      columns));
    }
    return json;
}
