/* OVSDB monitors: see monitor.h. */
#include <config.h>

#include "ovsdb/monitor.h"

#include "bitmap.h"
#include "dynamic-string.h"
#include "ovsdb/condition.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "util.h"

struct monitor_column {
    const struct ovsdb_column_schema *column;
    unsigned int select;            /* OVSDB_MONITOR_* bits. */
};

struct monitor_table {
    struct ovsdb_table *table;
    struct monitor_column *columns;
    size_t n_columns, allocated_columns;
    unsigned int select;            /* Union of the columns' selections. */
    struct ovsdb_condition cond;    /* Empty: every row. */
};

struct ovsdb_monitor {
    struct ovsdb *db;
    enum ovsdb_monitor_version version;
    struct monitor_table *tables;
    size_t n_tables;
    char *share_key;                /* NULL if some table has a condition. */
};

static void monitor_update_share_key(struct ovsdb_monitor *);

static struct monitor_table *
find_table(const struct ovsdb_monitor *m, const struct ovsdb_table *table)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].table == table) {
            return &m->tables[i];
        }
    }
    return NULL;
}

static bool
table_has_column(const struct monitor_table *mt,
                 const struct ovsdb_column_schema *column)
{
    for (size_t i = 0; i < mt->n_columns; i++) {
        if (mt->columns[i].column == column) {
            return true;
        }
    }
    return false;
}

static struct ovsdb_error *
add_column(struct monitor_table *mt, const struct ovsdb_column_schema *column,
           unsigned int select, const json_t *columns_json)
{
    if (table_has_column(mt, column)) {
        return ovsdb_syntax_error(columns_json, NULL,
                                  "column %s mentioned more than once",
                                  column->name);
    }
    if (mt->n_columns >= mt->allocated_columns) {
        mt->columns = x2nrealloc(mt->columns, &mt->allocated_columns,
                                 sizeof *mt->columns);
    }
    mt->columns[mt->n_columns].column = column;
    mt->columns[mt->n_columns].select = select;
    mt->n_columns++;
    mt->select |= select;
    return NULL;
}

static struct ovsdb_error *
parse_select(const json_t *json, const char *table_name, unsigned int *select)
{
    static const struct {
        const char *name;
        unsigned int bit;
    } kinds[] = {
        { "initial", OVSDB_MONITOR_INITIAL },
        { "insert", OVSDB_MONITOR_INSERT },
        { "delete", OVSDB_MONITOR_DELETE },
        { "modify", OVSDB_MONITOR_MODIFY },
    };
    struct ovsdb_parser parser;

    *select = 0;
    ovsdb_parser_init(&parser, json, "table %s select", table_name);
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        const json_t *value = ovsdb_parser_member(&parser, kinds[i].name,
                                                  OP_BOOLEAN | OP_OPTIONAL);
        if (!value || json_is_true(value)) {
            *select |= kinds[i].bit;
        }
    }
    return ovsdb_parser_finish(&parser);
}

static struct ovsdb_error *
parse_request(struct ovsdb_monitor *m, struct monitor_table *mt,
              const json_t *request)
{
    const struct ovsdb_table_schema *ts = mt->table->schema;
    struct ovsdb_parser parser;
    bool conditional = m->version != OVSDB_MONITOR_V1;

    ovsdb_parser_init(&parser, request, "table %s", ts->name);
    const json_t *columns = ovsdb_parser_member(&parser, "columns",
                                                OP_ARRAY | OP_OPTIONAL);
    const json_t *select_json = ovsdb_parser_member(&parser, "select",
                                                    OP_OBJECT | OP_OPTIONAL);
    const json_t *where = (conditional
                           ? ovsdb_parser_member(&parser, "where",
                                                 OP_ARRAY | OP_OPTIONAL)
                           : NULL);
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    unsigned int select = OVSDB_MONITOR_ALL;
    if (select_json) {
        error = parse_select(select_json, ts->name, &select);
        if (error) {
            return error;
        }
    }
    /* Even with no columns, rows are reported (as empty objects). */
    mt->select |= select;

    if (columns) {
        struct ovsdb_column_set set;
        error = ovsdb_column_set_from_json(columns, ts, &set);
        if (!error) {
            for (size_t i = 0; !error && i < set.n_columns; i++) {
                error = add_column(mt, set.columns[i], select, columns);
            }
            ovsdb_column_set_destroy(&set);
        }
    } else {
        for (size_t i = 0; !error && i < ts->n_columns; i++) {
            if (i != OVSDB_COL_UUID) {
                error = add_column(mt, ts->columns[i], select, request);
            }
        }
    }
    if (error) {
        return error;
    }

    if (where) {
        struct ovsdb_condition cond;
        error = ovsdb_condition_from_json(ts, where, NULL, &cond);
        if (error) {
            return error;
        }
        ovsdb_condition_destroy(&mt->cond);
        mt->cond = cond;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_monitor_create(struct ovsdb *db, enum ovsdb_monitor_version version,
                     const json_t *requests, struct ovsdb_monitor **monitorp)
{
    struct ovsdb_monitor *m = xzalloc(sizeof *m);
    struct ovsdb_error *error = NULL;

    m->db = db;
    m->version = version;
    *monitorp = NULL;

    if (!json_is_object(requests)) {
        error = ovsdb_syntax_error(requests, NULL,
                                   "monitor-requests must be object");
        goto error;
    }

    m->tables = xcalloc(json_object_size(requests) + 1, sizeof *m->tables);
    const char *name;
    const json_t *value;
    json_object_foreach ((json_t *) requests, name, value) {
        struct ovsdb_table *table = ovsdb_get_table(db, name);
        if (!table) {
            error = ovsdb_syntax_error(NULL, NULL, "no table named %s", name);
            goto error;
        }

        struct monitor_table *mt = &m->tables[m->n_tables++];
        mt->table = table;
        ovsdb_condition_init(&mt->cond);

        if (json_is_array(value)) {
            for (size_t i = 0; i < json_array_size(value); i++) {
                error = parse_request(m, mt, json_array_get(value, i));
                if (error) {
                    goto error;
                }
            }
        } else {
            error = parse_request(m, mt, value);
            if (error) {
                goto error;
            }
        }
    }

    monitor_update_share_key(m);
    *monitorp = m;
    return NULL;

error:
    ovsdb_monitor_destroy(m);
    return error;
}

void
ovsdb_monitor_destroy(struct ovsdb_monitor *m)
{
    if (m) {
        for (size_t i = 0; i < m->n_tables; i++) {
            free(m->tables[i].columns);
            ovsdb_condition_destroy(&m->tables[i].cond);
        }
        free(m->tables);
        free(m->share_key);
        free(m);
    }
}

enum ovsdb_monitor_version
ovsdb_monitor_get_version(const struct ovsdb_monitor *m)
{
    return m->version;
}

const char *
ovsdb_monitor_get_method(const struct ovsdb_monitor *m)
{
    return (m->version == OVSDB_MONITOR_V1 ? "update"
            : m->version == OVSDB_MONITOR_V2 ? "update2"
            : "update3");
}

struct ovsdb *
ovsdb_monitor_get_db(const struct ovsdb_monitor *m)
{
    return m->db;
}

size_t
ovsdb_monitor_n_tables(const struct ovsdb_monitor *m)
{
    return m->n_tables;
}

const char *
ovsdb_monitor_get_share_key(const struct ovsdb_monitor *m)
{
    return m->share_key;
}

static void
monitor_update_share_key(struct ovsdb_monitor *m)
{
    struct ds key = DS_EMPTY_INITIALIZER;

    free(m->share_key);
    m->share_key = NULL;
    ds_put_format(&key, "v%d", (int) m->version);
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        if (!ovsdb_condition_is_true(&mt->cond)) {
            ds_destroy(&key);
            return;
        }
        ds_put_format(&key, ";%s", mt->table->schema->name);
        for (size_t j = 0; j < mt->n_columns; j++) {
            ds_put_format(&key, ",%u/%x", mt->columns[j].column->index,
                          mt->columns[j].select);
        }
    }
    m->share_key = ds_steal_cstr(&key);
}

/* Row updates. */

/* The columns of ROW that MT reports for changes of kind SELECT: all of
 * them, or only those with a non-default value (SKIP_DEFAULTS), or only
 * those set in CHANGED (if nonnull). */
static json_t *
row_to_json(const struct monitor_table *mt, const struct ovsdb_row *row,
            unsigned int select, bool skip_defaults,
            const unsigned long *changed)
{
    json_t *json = json_object();

    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct monitor_column *c = &mt->columns[i];
        const struct ovsdb_column_schema *column = c->column;
        const struct ovsdb_datum *datum = &row->fields[column->index];

        if (!(c->select & select)
            || (changed && !bitmap_is_set(changed, column->index))
            || (skip_defaults
                && ovsdb_datum_is_default(datum, &column->type))) {
            continue;
        }
        json_object_set_new(json, column->name,
                            ovsdb_datum_to_json(datum, &column->type));
    }
    return json;
}

/* The update2 "modify" form of a column that changed from OLD to NEW (see
 * monitor.h). */
static json_t *
datum_diff_to_json(const struct ovsdb_datum *old,
                   const struct ovsdb_datum *new,
                   const struct ovsdb_type *type)
{
    if (type->n_max == 1) {
        return ovsdb_datum_to_json(new, type);
    }

    enum ovsdb_atomic_type kt = type->key.type;
    enum ovsdb_atomic_type vt = type->value.type;
    bool is_map = vt != OVSDB_TYPE_VOID;
    struct ovsdb_datum diff;
    size_t i = 0, j = 0;

    ovsdb_datum_init_empty(&diff);
    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1
                   : j >= new->n ? -1
                   : ovsdb_atom_compare_3way(&old->keys[i], &new->keys[j],
                                             kt));
        if (cmp < 0) {
            ovsdb_datum_add_unsafe(&diff, &old->keys[i],
                                   is_map ? &old->values[i] : NULL, type);
            i++;
        } else if (cmp > 0) {
            ovsdb_datum_add_unsafe(&diff, &new->keys[j],
                                   is_map ? &new->values[j] : NULL, type);
            j++;
        } else {
            if (is_map && !ovsdb_atom_equals(&old->values[i],
                                             &new->values[j], vt)) {
                ovsdb_datum_add_unsafe(&diff, &new->keys[j],
                                       &new->values[j], type);
            }
            i++;
            j++;
        }
    }

    /* The merge produced sorted, unique keys: 'diff' is canonical. */
    json_t *json = ovsdb_datum_to_json(&diff, type);
    ovsdb_datum_destroy(&diff, type);
    return json;
}

static json_t *
modify_diff_to_json(const struct monitor_table *mt,
                    const struct ovsdb_row *old, const struct ovsdb_row *new,
                    const unsigned long *changed)
{
    json_t *json = json_object();

    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct monitor_column *c = &mt->columns[i];
        unsigned int idx = c->column->index;

        if (c->select & OVSDB_MONITOR_MODIFY && bitmap_is_set(changed, idx)) {
            json_object_set_new(json, c->column->name,
                                datum_diff_to_json(&old->fields[idx],
                                                   &new->fields[idx],
                                                   &c->column->type));
        }
    }
    return json;
}

static bool
any_monitored_change(const struct monitor_table *mt,
                     const unsigned long *changed)
{
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct monitor_column *c = &mt->columns[i];
        if (c->select & OVSDB_MONITOR_MODIFY
            && bitmap_is_set(changed, c->column->index)) {
            return true;
        }
    }
    return false;
}

/* Adds ROW_UPDATE for the row with UUID to the <table-updates> object
 * '*updatesp' under TABLE_NAME. */
static void
add_row_update(json_t **updatesp, const char *table_name,
               const struct uuid *uuid, json_t *row_update)
{
    if (!*updatesp) {
        *updatesp = json_object();
    }
    json_t *table_update = json_object_get(*updatesp, table_name);
    if (!table_update) {
        table_update = json_object();
        json_object_set_new(*updatesp, table_name, table_update);
    }

    char s[UUID_LEN + 1];
    json_object_set_new(table_update, uuid_to_string(uuid, s), row_update);
}

/* Reports that ROW came into view (INSERT), for a table with MT. */
static json_t *
insert_update(const struct ovsdb_monitor *m, const struct monitor_table *mt,
              const struct ovsdb_row *row, unsigned int kind)
{
    bool v1 = m->version == OVSDB_MONITOR_V1;
    json_t *row_json = row_to_json(mt, row, kind, !v1, NULL);
    const char *member = (v1 ? "new"
                          : kind == OVSDB_MONITOR_INITIAL ? "initial"
                          : "insert");
    return json_pack("{so}", member, row_json);
}

static json_t *
delete_update(const struct ovsdb_monitor *m, const struct monitor_table *mt,
              const struct ovsdb_row *row)
{
    if (m->version == OVSDB_MONITOR_V1) {
        return json_pack("{so}", "old",
                         row_to_json(mt, row, OVSDB_MONITOR_DELETE, false,
                                     NULL));
    }
    return json_pack("{sn}", "delete");
}

void
ovsdb_monitor_compose_row(const struct ovsdb_monitor *m,
                          const struct ovsdb_row *old,
                          const struct ovsdb_row *new,
                          const unsigned long *changed,
                          json_t **updatesp)
{
    const struct ovsdb_row *any = old ? old : new;
    if (!any) {
        return;
    }
    const struct monitor_table *mt = find_table(m, any->table);
    if (!mt) {
        return;
    }

    bool old_match = old && ovsdb_condition_match(old, &mt->cond);
    bool new_match = new && ovsdb_condition_match(new, &mt->cond);
    json_t *update;

    if (old_match && new_match) {
        if (!(mt->select & OVSDB_MONITOR_MODIFY)
            || !any_monitored_change(mt, changed)) {
            return;
        }
        if (m->version == OVSDB_MONITOR_V1) {
            update = json_pack(
                "{soso}",
                "old", row_to_json(mt, old, OVSDB_MONITOR_MODIFY, false,
                                   changed),
                "new", row_to_json(mt, new, OVSDB_MONITOR_MODIFY, false,
                                   NULL));
        } else {
            update = json_pack("{so}", "modify",
                               modify_diff_to_json(mt, old, new, changed));
        }
    } else if (new_match) {
        if (!(mt->select & OVSDB_MONITOR_INSERT)) {
            return;
        }
        update = insert_update(m, mt, new, OVSDB_MONITOR_INSERT);
    } else if (old_match) {
        if (!(mt->select & OVSDB_MONITOR_DELETE)) {
            return;
        }
        update = delete_update(m, mt, old);
    } else {
        return;
    }
    add_row_update(updatesp, mt->table->schema->name,
                   ovsdb_row_get_uuid(any), update);
}

struct compose_aux {
    const struct ovsdb_monitor *m;
    json_t *updates;
};

static bool
compose_cb(const struct ovsdb_row *old, const struct ovsdb_row *new,
           const unsigned long *changed, void *aux_)
{
    struct compose_aux *aux = aux_;
    ovsdb_monitor_compose_row(aux->m, old, new, changed, &aux->updates);
    return true;
}

json_t *
ovsdb_monitor_compose_txn(const struct ovsdb_monitor *m,
                          const struct ovsdb_txn *txn)
{
    struct compose_aux aux = { m, NULL };
    ovsdb_txn_for_each_change(txn, compose_cb, &aux);
    return aux.updates;
}

json_t *
ovsdb_monitor_get_initial(const struct ovsdb_monitor *m)
{
    json_t *updates = json_object();

    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        const struct ovsdb_row *row;

        if (!(mt->select & OVSDB_MONITOR_INITIAL)) {
            continue;
        }
        HMAP_FOR_EACH (row, hmap_node, &mt->table->rows) {
            if (ovsdb_condition_match(row, &mt->cond)) {
                add_row_update(&updates, mt->table->schema->name,
                               ovsdb_row_get_uuid(row),
                               insert_update(m, mt, row,
                                             OVSDB_MONITOR_INITIAL));
            }
        }
    }
    return updates;
}

/* monitor_cond_change. */

static struct ovsdb_error *
parse_cond_change(const struct monitor_table *mt, const json_t *requests,
                  struct ovsdb_condition *cond, bool *changedp)
{
    const char *name = mt->table->schema->name;

    *changedp = false;
    if (!json_is_array(requests)) {
        return ovsdb_syntax_error(requests, NULL, "array of monitor-cond-"
                                  "update requests expected for table %s",
                                  name);
    }
    for (size_t i = 0; i < json_array_size(requests); i++) {
        const json_t *request = json_array_get(requests, i);
        struct ovsdb_parser parser;

        ovsdb_parser_init(&parser, request, "table %s", name);
        const json_t *columns = ovsdb_parser_member(&parser, "columns",
                                                    OP_ARRAY | OP_OPTIONAL);
        const json_t *where = ovsdb_parser_member(&parser, "where",
                                                  OP_ARRAY | OP_OPTIONAL);
        struct ovsdb_error *error = ovsdb_parser_finish(&parser);
        if (!error && columns) {
            error = ovsdb_syntax_error(request, NULL,
                                       "changing columns is unsupported");
        }
        if (!error && where) {
            struct ovsdb_condition new_cond;
            error = ovsdb_condition_from_json(mt->table->schema, where,
                                              NULL, &new_cond);
            if (!error) {
                ovsdb_condition_destroy(cond);
                *cond = new_cond;
                *changedp = true;
            }
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_monitor_change_conditions(struct ovsdb_monitor *m,
                                const json_t *requests, json_t **updatesp)
{
    *updatesp = NULL;
    if (m->version == OVSDB_MONITOR_V1) {
        return ovsdb_syntax_error(NULL, NULL, "conditional monitoring is "
                                  "not supported by a \"monitor\" monitor");
    }
    if (!json_is_object(requests)) {
        return ovsdb_syntax_error(requests, NULL,
                                  "monitor-cond-change-requests must be "
                                  "object");
    }

    /* Parse everything first, so that an error changes nothing. */
    size_t n = json_object_size(requests);
    struct ovsdb_condition *conds = xcalloc(n + 1, sizeof *conds);
    struct monitor_table **mts = xcalloc(n + 1, sizeof *mts);
    struct ovsdb_error *error = NULL;
    size_t n_parsed = 0;
    const char *name;
    const json_t *value;

    json_object_foreach ((json_t *) requests, name, value) {
        struct ovsdb_table *table = ovsdb_get_table(m->db, name);
        struct monitor_table *mt = table ? find_table(m, table) : NULL;
        bool changed;

        if (!table) {
            error = ovsdb_syntax_error(NULL, NULL, "no table named %s", name);
        } else if (!mt) {
            error = ovsdb_syntax_error(NULL, NULL,
                                       "table %s is not monitored", name);
        }
        if (error) {
            break;
        }

        ovsdb_condition_init(&conds[n_parsed]);
        error = parse_cond_change(mt, value, &conds[n_parsed], &changed);
        if (error) {
            ovsdb_condition_destroy(&conds[n_parsed]);
            break;
        }
        if (changed) {
            mts[n_parsed++] = mt;
        } else {
            ovsdb_condition_destroy(&conds[n_parsed]);
        }
    }

    for (size_t i = 0; i < n_parsed; i++) {
        struct monitor_table *mt = mts[i];
        const struct ovsdb_row *row;

        if (!error) {
            HMAP_FOR_EACH (row, hmap_node, &mt->table->rows) {
                bool was = ovsdb_condition_match(row, &mt->cond);
                bool is = ovsdb_condition_match(row, &conds[i]);
                if (was && !is) {
                    add_row_update(updatesp, mt->table->schema->name,
                                   ovsdb_row_get_uuid(row),
                                   delete_update(m, mt, row));
                } else if (is && !was) {
                    /* Rendered with the new condition in place does not
                     * matter: row_to_json() ignores conditions. */
                    add_row_update(updatesp, mt->table->schema->name,
                                   ovsdb_row_get_uuid(row),
                                   insert_update(m, mt, row,
                                                 OVSDB_MONITOR_INSERT));
                }
            }
            ovsdb_condition_destroy(&mt->cond);
            mt->cond = conds[i];
        } else {
            ovsdb_condition_destroy(&conds[i]);
        }
    }
    free(conds);
    free(mts);

    if (!error) {
        monitor_update_share_key(m);
    }
    return error;
}
