/* ovsdb-schema: see ovsdb-schema.h. */
#include <config.h>
#include "ovsdb/ovsdb-schema.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "hash.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"

/* Columns. */

struct ovsdb_column_schema *
ovsdb_column_schema_create(const char *name, bool mutable, bool ephemeral,
                           const struct ovsdb_type *type)
{
    struct ovsdb_column_schema *column = xzalloc(sizeof *column);
    column->name = xstrdup(name);
    column->mutable = mutable;
    column->ephemeral = ephemeral;
    ovsdb_type_clone(&column->type, type);
    return column;
}

void
ovsdb_column_schema_destroy(struct ovsdb_column_schema *column)
{
    if (column) {
        ovsdb_type_destroy(&column->type);
        free(column->name);
        free(column);
    }
}

struct ovsdb_error *
ovsdb_column_schema_from_json(const json_t *json, const char *name,
                              struct ovsdb_column_schema **columnp)
{
    struct ovsdb_parser parser;
    struct ovsdb_error *error;
    struct ovsdb_type type;

    *columnp = NULL;
    ovsdb_parser_init(&parser, json, "schema for column %s", name);
    const json_t *mutable_json = ovsdb_parser_member(&parser, "mutable",
                                                     OP_BOOLEAN
                                                     | OP_OPTIONAL);
    const json_t *ephemeral = ovsdb_parser_member(&parser, "ephemeral",
                                                  OP_BOOLEAN | OP_OPTIONAL);
    const json_t *type_json = ovsdb_parser_member(&parser, "type",
                                                  OP_STRING | OP_OBJECT);
    error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    error = ovsdb_type_from_json(&type, type_json);
    if (error) {
        return error;
    }

    bool mutable = !mutable_json || json_is_true(mutable_json);
    if (ovsdb_base_type_is_weak_ref(&type.key)
        || ovsdb_base_type_is_weak_ref(&type.value)) {
        /* A weak reference changes when the row it points to goes away,
         * so it cannot be immutable. */
        mutable = true;
    }
    *columnp = ovsdb_column_schema_create(name, mutable,
                                          ephemeral && json_is_true(ephemeral),
                                          &type);
    ovsdb_type_destroy(&type);
    return NULL;
}

json_t *
ovsdb_column_schema_to_json(const struct ovsdb_column_schema *column)
{
    json_t *json = json_object();
    if (!column->mutable) {
        json_object_set_new(json, "mutable", json_false());
    }
    if (column->ephemeral) {
        json_object_set_new(json, "ephemeral", json_true());
    }
    json_object_set_new(json, "type", ovsdb_type_to_json(&column->type));
    return json;
}

/* Column sets. */

void
ovsdb_column_set_init(struct ovsdb_column_set *set)
{
    set->columns = NULL;
    set->n_columns = 0;
}

void
ovsdb_column_set_destroy(struct ovsdb_column_set *set)
{
    free(set->columns);
    ovsdb_column_set_init(set);
}

void
ovsdb_column_set_add(struct ovsdb_column_set *set,
                     const struct ovsdb_column_schema *column)
{
    set->columns = xrealloc(set->columns,
                            (set->n_columns + 1) * sizeof *set->columns);
    set->columns[set->n_columns++] = column;
}

bool
ovsdb_column_set_contains(const struct ovsdb_column_set *set,
                          unsigned int column_index)
{
    for (size_t i = 0; i < set->n_columns; i++) {
        if (set->columns[i]->index == column_index) {
            return true;
        }
    }
    return false;
}

struct ovsdb_error *
ovsdb_column_set_from_json(const json_t *json,
                           const struct ovsdb_table_schema *table,
                           struct ovsdb_column_set *set)
{
    struct ovsdb_error *error = NULL;

    ovsdb_column_set_init(set);
    if (!json_is_array(json)) {
        goto error;
    }
    for (size_t i = 0; i < json_array_size(json); i++) {
        const json_t *elem = json_array_get(json, i);
        if (!ovsdb_json_is_cstring(elem)) {
            goto error;
        }

        const char *s = json_string_value(elem);
        const struct ovsdb_column_schema *column
            = ovsdb_table_schema_get_column(table, s);
        if (!column) {
            error = ovsdb_syntax_error(json, NULL,
                                       "%s is not a valid column name", s);
            goto error;
        } else if (ovsdb_column_set_contains(set, column->index)) {
            goto error;
        }
        ovsdb_column_set_add(set, column);
    }
    return NULL;

error:
    ovsdb_column_set_destroy(set);
    if (!error) {
        error = ovsdb_syntax_error(json, NULL,
                                   "array of distinct column names expected");
    }
    return error;
}

json_t *
ovsdb_column_set_to_json(const struct ovsdb_column_set *set)
{
    json_t *json = json_array();
    for (size_t i = 0; i < set->n_columns; i++) {
        json_array_append_new(json, json_string(set->columns[i]->name));
    }
    return json;
}

/* Tables. */

void
ovsdb_table_schema_add_column(struct ovsdb_table_schema *ts,
                              struct ovsdb_column_schema *column)
{
    plx_assert(!ovsdb_table_schema_get_column(ts, column->name));
    column->index = ts->n_columns;
    ts->columns = xrealloc(ts->columns,
                           (ts->n_columns + 1) * sizeof *ts->columns);
    ts->columns[ts->n_columns++] = column;
    hmap_insert(&ts->columns_by_name, &column->hmap_node,
                hash_string(column->name, 0));
}

struct ovsdb_table_schema *
ovsdb_table_schema_create(const char *name, bool mutable,
                          unsigned int max_rows, bool is_root)
{
    struct ovsdb_table_schema *ts = xzalloc(sizeof *ts);

    ts->name = xstrdup(name);
    ts->mutable = mutable;
    ts->max_rows = max_rows;
    ts->is_root = is_root;
    hmap_init(&ts->columns_by_name);

    ovsdb_table_schema_add_column(
        ts, ovsdb_column_schema_create("_uuid", false, false,
                                       &ovsdb_type_uuid));
    ovsdb_table_schema_add_column(
        ts, ovsdb_column_schema_create("_version", false, false,
                                       &ovsdb_type_uuid));
    return ts;
}

static void
clone_column_set(struct ovsdb_column_set *dst,
                 const struct ovsdb_column_set *src,
                 const struct ovsdb_table_schema *ts)
{
    ovsdb_column_set_init(dst);
    for (size_t i = 0; i < src->n_columns; i++) {
        ovsdb_column_set_add(dst, ts->columns[src->columns[i]->index]);
    }
}

struct ovsdb_table_schema *
ovsdb_table_schema_clone(const struct ovsdb_table_schema *old)
{
    struct ovsdb_table_schema *new = ovsdb_table_schema_create(
        old->name, old->mutable, old->max_rows, old->is_root);

    for (size_t i = OVSDB_N_STD_COLUMNS; i < old->n_columns; i++) {
        const struct ovsdb_column_schema *c = old->columns[i];
        ovsdb_table_schema_add_column(
            new, ovsdb_column_schema_create(c->name, c->mutable,
                                            c->ephemeral, &c->type));
    }
    new->n_indexes = old->n_indexes;
    new->indexes = xcalloc(old->n_indexes ? old->n_indexes : 1,
                           sizeof *new->indexes);
    for (size_t i = 0; i < old->n_indexes; i++) {
        clone_column_set(&new->indexes[i], &old->indexes[i], new);
    }
    return new;
}

void
ovsdb_table_schema_destroy(struct ovsdb_table_schema *ts)
{
    if (!ts) {
        return;
    }
    for (size_t i = 0; i < ts->n_indexes; i++) {
        ovsdb_column_set_destroy(&ts->indexes[i]);
    }
    free(ts->indexes);
    for (size_t i = 0; i < ts->n_columns; i++) {
        ovsdb_column_schema_destroy(ts->columns[i]);
    }
    free(ts->columns);
    hmap_destroy(&ts->columns_by_name);
    free(ts->name);
    free(ts);
}

const struct ovsdb_column_schema *
ovsdb_table_schema_get_column(const struct ovsdb_table_schema *ts,
                              const char *name)
{
    /* An explicit loop: see ovsdb_symbol_table_destroy() in
     * ovsdb-data.c for why not HMAP_FOR_EACH_WITH_HASH. */
    for (struct hmap_node *node = hmap_first_with_hash(
             &ts->columns_by_name, hash_string(name, 0));
         node; node = hmap_next_with_hash(node)) {
        struct ovsdb_column_schema *column = CONTAINER_OF(
            node, struct ovsdb_column_schema, hmap_node);
        if (!strcmp(column->name, name)) {
            return column;
        }
    }
    return NULL;
}

/* Checks that NAME may name a user table or column. */
static struct ovsdb_error *
check_name(const json_t *json, const char *name)
{
    if (name[0] == '_') {
        return ovsdb_syntax_error(json, NULL, "names beginning with "
                                  "\"_\" are reserved");
    } else if (!ovsdb_parser_is_id(name)) {
        return ovsdb_syntax_error(json, NULL, "name must be a valid id");
    }
    return NULL;
}

static struct ovsdb_error *
parse_indexes(struct ovsdb_table_schema *ts, const json_t *json,
              const json_t *indexes)
{
    size_t n = json_array_size(indexes);

    ts->indexes = xcalloc(n ? n : 1, sizeof *ts->indexes);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_column_set *index = &ts->indexes[i];
        struct ovsdb_error *error = ovsdb_column_set_from_json(
            json_array_get(indexes, i), ts, index);
        if (error) {
            return error;
        }
        ts->n_indexes++;
        if (!index->n_columns) {
            return ovsdb_syntax_error(json, NULL, "index must have at least "
                                      "one column");
        }
        for (size_t j = 0; j < index->n_columns; j++) {
            if (index->columns[j]->ephemeral) {
                return ovsdb_syntax_error(json, NULL, "ephemeral columns "
                                          "(such as %s) may not be indexed",
                                          index->columns[j]->name);
            }
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_table_schema_from_json(const json_t *json, const char *name,
                             struct ovsdb_table_schema **tsp)
{
    struct ovsdb_parser parser;
    struct ovsdb_error *error;

    *tsp = NULL;
    ovsdb_parser_init(&parser, json, "table schema for table %s", name);
    const json_t *columns = ovsdb_parser_member(&parser, "columns",
                                                OP_OBJECT);
    const json_t *mutable = ovsdb_parser_member(&parser, "mutable",
                                                OP_BOOLEAN | OP_OPTIONAL);
    const json_t *max_rows = ovsdb_parser_member(&parser, "maxRows",
                                                 OP_INTEGER | OP_OPTIONAL);
    const json_t *is_root = ovsdb_parser_member(&parser, "isRoot",
                                                OP_BOOLEAN | OP_OPTIONAL);
    const json_t *indexes = ovsdb_parser_member(&parser, "indexes",
                                                OP_ARRAY | OP_OPTIONAL);
    error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    unsigned int n_max_rows = UINT_MAX;
    if (max_rows) {
        json_int_t n = json_integer_value(max_rows);
        if (n <= 0) {
            return ovsdb_syntax_error(json, NULL,
                                      "maxRows must be at least 1");
        }
        n_max_rows = n > UINT_MAX ? UINT_MAX : n;
    }
    if (!json_object_size(columns)) {
        return ovsdb_syntax_error(json, NULL,
                                  "table must have at least one column");
    }

    struct ovsdb_table_schema *ts = ovsdb_table_schema_create(
        name, !mutable || json_is_true(mutable), n_max_rows,
        is_root && json_is_true(is_root));

    const char *column_name;
    json_t *column_json;
    json_object_foreach ((json_t *) columns, column_name, column_json) {
        struct ovsdb_column_schema *column;

        error = check_name(json, column_name);
        if (!error) {
            error = ovsdb_column_schema_from_json(column_json, column_name,
                                                  &column);
        }
        if (error) {
            goto error;
        }
        ovsdb_table_schema_add_column(ts, column);
    }

    if (indexes) {
        error = parse_indexes(ts, json, indexes);
        if (error) {
            goto error;
        }
    }

    *tsp = ts;
    return NULL;

error:
    ovsdb_table_schema_destroy(ts);
    return error;
}

json_t *
ovsdb_table_schema_to_json(const struct ovsdb_table_schema *ts,
                           bool default_is_root)
{
    json_t *json = json_object();

    if (!ts->mutable) {
        json_object_set_new(json, "mutable", json_false());
    }
    if (ts->is_root != default_is_root) {
        json_object_set_new(json, "isRoot", json_boolean(ts->is_root));
    }

    json_t *columns = json_object();
    for (size_t i = OVSDB_N_STD_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column_schema *column = ts->columns[i];
        json_object_set_new(columns, column->name,
                            ovsdb_column_schema_to_json(column));
    }
    json_object_set_new(json, "columns", columns);

    if (ts->max_rows != UINT_MAX) {
        json_object_set_new(json, "maxRows", json_integer(ts->max_rows));
    }
    if (ts->n_indexes) {
        json_t *indexes = json_array();
        for (size_t i = 0; i < ts->n_indexes; i++) {
            json_array_append_new(indexes,
                                  ovsdb_column_set_to_json(&ts->indexes[i]));
        }
        json_object_set_new(json, "indexes", indexes);
    }
    return json;
}

/* Schemas. */

struct ovsdb_schema *
ovsdb_schema_create(const char *name, const char *version, const char *cksum)
{
    struct ovsdb_schema *schema = xzalloc(sizeof *schema);
    schema->name = xstrdup(name);
    schema->version = xstrdup(version ? version : "");
    schema->cksum = xstrdup(cksum ? cksum : "");
    hmap_init(&schema->tables_by_name);
    return schema;
}

void
ovsdb_schema_add_table(struct ovsdb_schema *schema,
                       struct ovsdb_table_schema *ts)
{
    plx_assert(!ovsdb_schema_get_table(schema, ts->name));
    schema->tables = xrealloc(schema->tables,
                              (schema->n_tables + 1) * sizeof *schema->tables);
    schema->tables[schema->n_tables++] = ts;
    hmap_insert(&schema->tables_by_name, &ts->hmap_node,
                hash_string(ts->name, 0));
}

struct ovsdb_schema *
ovsdb_schema_clone(const struct ovsdb_schema *old)
{
    struct ovsdb_schema *new = ovsdb_schema_create(old->name, old->version,
                                                   old->cksum);
    for (size_t i = 0; i < old->n_tables; i++) {
        ovsdb_schema_add_table(new, ovsdb_table_schema_clone(old->tables[i]));
    }
    return new;
}

void
ovsdb_schema_destroy(struct ovsdb_schema *schema)
{
    if (!schema) {
        return;
    }
    for (size_t i = 0; i < schema->n_tables; i++) {
        ovsdb_table_schema_destroy(schema->tables[i]);
    }
    free(schema->tables);
    hmap_destroy(&schema->tables_by_name);
    free(schema->name);
    free(schema->version);
    free(schema->cksum);
    free(schema);
}

const struct ovsdb_table_schema *
ovsdb_schema_get_table(const struct ovsdb_schema *schema, const char *name)
{
    for (struct hmap_node *node = hmap_first_with_hash(
             &schema->tables_by_name, hash_string(name, 0));
         node; node = hmap_next_with_hash(node)) {
        struct ovsdb_table_schema *ts = CONTAINER_OF(
            node, struct ovsdb_table_schema, hmap_node);
        if (!strcmp(ts->name, name)) {
            return ts;
        }
    }
    return NULL;
}

static size_t
root_set_size(const struct ovsdb_schema *schema)
{
    size_t n = 0;
    for (size_t i = 0; i < schema->n_tables; i++) {
        n += schema->tables[i]->is_root;
    }
    return n;
}

static struct ovsdb_error *
check_ref_table(const struct ovsdb_schema *schema,
                struct ovsdb_column_schema *column,
                const struct ovsdb_base_type *base, const char *base_name)
{
    if (!ovsdb_base_type_is_ref(base)) {
        return NULL;
    }

    const struct ovsdb_table_schema *ref
        = ovsdb_schema_get_table(schema, base->uuid.refTableName);
    if (!ref) {
        return ovsdb_syntax_error(NULL, NULL,
                                  "column %s %s refers to undefined table %s",
                                  column->name, base_name,
                                  base->uuid.refTableName);
    }
    if (ovsdb_base_type_is_strong_ref(base) && !ref->is_root) {
        /* If an ephemeral column held the only strong reference to a row,
         * replaying the log would garbage-collect that row. */
        column->ephemeral = false;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_schema_from_json(const json_t *json, struct ovsdb_schema **schemap)
{
    struct ovsdb_parser parser;
    struct ovsdb_error *error;

    *schemap = NULL;
    ovsdb_parser_init(&parser, json, "database schema");
    const json_t *name = ovsdb_parser_member(&parser, "name", OP_ID);
    const json_t *version = ovsdb_parser_member(&parser, "version",
                                                OP_STRING | OP_OPTIONAL);
    const json_t *cksum = ovsdb_parser_member(&parser, "cksum",
                                              OP_STRING | OP_OPTIONAL);
    const json_t *tables = ovsdb_parser_member(&parser, "tables", OP_OBJECT);
    error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    if (version && !ovsdb_is_valid_version(json_string_value(version))) {
        return ovsdb_syntax_error(json, NULL, "schema version \"%s\" not in "
                                  "format x.y.z", json_string_value(version));
    }

    struct ovsdb_schema *schema = ovsdb_schema_create(
        json_string_value(name), version ? json_string_value(version) : "",
        cksum ? json_string_value(cksum) : "");

    const char *table_name;
    json_t *table_json;
    json_object_foreach ((json_t *) tables, table_name, table_json) {
        struct ovsdb_table_schema *ts;

        error = check_name(json, table_name);
        if (!error) {
            error = ovsdb_table_schema_from_json(table_json, table_name, &ts);
        }
        if (error) {
            goto error;
        }
        ovsdb_schema_add_table(schema, ts);
    }

    /* Schemas from before garbage collection have no "isRoot" at all:
     * then every table is a root. */
    if (!root_set_size(schema)) {
        for (size_t i = 0; i < schema->n_tables; i++) {
            schema->tables[i]->is_root = true;
        }
    }

    /* Every refTable must exist; this needs 'is_root' settled (above). */
    for (size_t i = 0; i < schema->n_tables; i++) {
        struct ovsdb_table_schema *ts = schema->tables[i];
        for (size_t j = 0; j < ts->n_columns; j++) {
            struct ovsdb_column_schema *column = ts->columns[j];
            error = check_ref_table(schema, column, &column->type.key, "key");
            if (!error) {
                error = check_ref_table(schema, column, &column->type.value,
                                        "value");
            }
            if (error) {
                goto error;
            }
        }
    }

    *schemap = schema;
    return NULL;

error:
    ovsdb_schema_destroy(schema);
    return error;
}

struct ovsdb_error *
ovsdb_schema_from_file(const char *file_name, struct ovsdb_schema **schemap)
{
    json_error_t jerror;
    struct ovsdb_error *error;

    *schemap = NULL;
    json_t *json = json_load_file(file_name, JSON_REJECT_DUPLICATES,
                                  &jerror);
    if (!json) {
        if (json_error_code(&jerror) == json_error_cannot_open_file) {
            return ovsdb_io_error(errno, "%s: could not open schema file",
                                  file_name);
        }
        return ovsdb_error("failed to read schema",
                           "\"%s\" could not be read as JSON (line %d, "
                           "column %d: %s)", file_name, jerror.line,
                           jerror.column, jerror.text);
    }

    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    if (error) {
        return ovsdb_wrap_error(error, "failed to parse \"%s\" as ovsdb "
                                "schema", file_name);
    }
    return NULL;
}

json_t *
ovsdb_schema_to_json(const struct ovsdb_schema *schema)
{
    json_t *json = json_object();

    json_object_set_new(json, "name", json_string(schema->name));
    if (schema->version[0]) {
        json_object_set_new(json, "version", json_string(schema->version));
    }
    if (schema->cksum[0]) {
        json_object_set_new(json, "cksum", json_string(schema->cksum));
    }

    /* With every table a root, leave "isRoot" out, as older tools wrote
     * such schemas. */
    bool default_is_root = root_set_size(schema) == schema->n_tables;
    json_t *tables = json_object();
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct ovsdb_table_schema *ts = schema->tables[i];
        json_object_set_new(tables, ts->name,
                            ovsdb_table_schema_to_json(ts, default_is_root));
    }
    json_object_set_new(json, "tables", tables);
    return json;
}

bool
ovsdb_schema_equal(const struct ovsdb_schema *a, const struct ovsdb_schema *b)
{
    json_t *ja = ovsdb_schema_to_json(a);
    json_t *jb = ovsdb_schema_to_json(b);
    bool equal = json_equal(ja, jb);
    json_decref(ja);
    json_decref(jb);
    return equal;
}

/* Versions. */

/* Parses decimal digits at *S into *N, advancing *S. */
static bool
parse_version_part(const char **s, unsigned int *n)
{
    const char *p = *s;
    unsigned long long v = 0;

    if (*p < '0' || *p > '9') {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > UINT_MAX) {
            return false;
        }
    }
    *n = v;
    *s = p;
    return true;
}

bool
ovsdb_parse_version(const char *s, struct ovsdb_version *version)
{
    return (parse_version_part(&s, &version->x) && *s++ == '.'
            && parse_version_part(&s, &version->y) && *s++ == '.'
            && parse_version_part(&s, &version->z) && *s == '\0');
}

bool
ovsdb_is_valid_version(const char *s)
{
    struct ovsdb_version version;
    return ovsdb_parse_version(s, &version);
}

int
ovsdb_version_compare_3way(const struct ovsdb_version *a,
                           const struct ovsdb_version *b)
{
    if (a->x != b->x) {
        return a->x < b->x ? -1 : 1;
    } else if (a->y != b->y) {
        return a->y < b->y ? -1 : 1;
    } else if (a->z != b->z) {
        return a->z < b->z ? -1 : 1;
    }
    return 0;
}

int
ovsdb_version_string_compare_3way(const char *a, const char *b)
{
    struct ovsdb_version va, vb;
    bool a_ok = ovsdb_parse_version(a, &va);
    bool b_ok = ovsdb_parse_version(b, &vb);

    if (!a_ok || !b_ok) {
        return a_ok - b_ok;
    }
    return ovsdb_version_compare_3way(&va, &vb);
}
