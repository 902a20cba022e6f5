/*
 * vsctl-db-cmds: plx-vsctl's generic database commands (get, list, find,
 * set, add, remove, clear, create, destroy, wait-until, comment) and the
 * record lookup rules.  They work on any table of any schema that the
 * server has.  See vsctl-commands.h.
 */
#include <config.h>

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "ovsdb/ovsdb-schema.h"
#include "vlog.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"
#include "vsctl-output.h"

VLOG_DEFINE_THIS_MODULE(vsctl_db);

/* ---- Record lookup. ---- */

/* How ovs-vsctl names the rows of a table: by the NAME_COLUMN of a row of
 * NAME_TABLE, optionally following that row's UUID_COLUMN. */
struct row_id_rule {
    const char *table;
    const char *name_table;
    const char *name_column;
    const char *uuid_column;    /* NULL: the named row itself. */
};

static const struct row_id_rule row_id_rules[] = {
    { "Bridge", "Bridge", "name", NULL },
    { "Controller", "Bridge", "name", "controller" },
    { "Interface", "Interface", "name", NULL },
    { "Mirror", "Mirror", "name", NULL },
    { "Manager", "Manager", "target", NULL },
    { "NetFlow", "Bridge", "name", "netflow" },
    { "Port", "Port", "name", NULL },
    { "QoS", "Port", "name", "qos" },
    { "sFlow", "Bridge", "name", "sflow" },
    { "Flow_Table", "Flow_Table", "name", NULL },
    { "IPFIX", "Bridge", "name", "ipfix" },
    { "AutoAttach", "Bridge", "name", "auto_attach" },
    { "Flow_Sample_Collector_Set", "Flow_Sample_Collector_Set", "id", NULL },
    { "VM", "VM", "name", NULL },
};

/* Number of leading characters of S that can begin a UUID's printed form,
 * if that is all of S; else 0. */
static size_t
uuid_partial_length(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (i >= UUID_LEN
            || (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i]))) {
            return 0;
        }
    }
    return i;
}

static bool
record_id_equals(const union ovsdb_atom *name, enum ovsdb_atomic_type type,
                 const char *record_id)
{
    if (type == OVSDB_TYPE_STRING) {
        struct uuid uuid;
        size_t len = strlen(record_id);

        return (!strcmp(name->string, record_id)
                || (len >= 4 && uuid_from_string(&uuid, name->string)
                    && !strncmp(name->string, record_id, len)));
    } else {
        return name->integer == strtoll(record_id, NULL, 10);
    }
}

/* Looks up RECORD_ID by NAME_COLUMN (of NAME_TABLE), following
 * UUID_COLUMN if nonnull, to a row of TABLE. */
static const struct ovsdb_idl_row *
get_row_by_name(struct vsctl_context *ctx,
                const struct ovsdb_idl_table_class *table,
                const struct ovsdb_idl_table_class *name_table,
                const struct ovsdb_idl_column *name_column,
                const struct ovsdb_idl_column *uuid_column,
                const char *record_id)
{
    enum ovsdb_atomic_type type = name_column->type->key.type;
    const struct ovsdb_idl_row *referrer = NULL;
    const struct ovsdb_idl_row *row;

    if (ovsdb_type_is_map(name_column->type)
        || (type != OVSDB_TYPE_STRING && type != OVSDB_TYPE_INTEGER)) {
        return NULL;
    }
    if (type == OVSDB_TYPE_INTEGER
        && (!record_id[0] || record_id[strspn(record_id, "0123456789")])) {
        return NULL;
    }

    OVSDB_IDL_FOR_EACH_ROW (row, name_table, ctx->idl) {
        const struct ovsdb_datum *name = ovsdb_idl_read(row, name_column);
        if (name->n == 1 && record_id_equals(&name->keys[0], type,
                                             record_id)) {
            if (referrer) {
                vsctl_fatal("multiple rows in %s match \"%s\"",
                            name_table->name, record_id);
            }
            referrer = row;
        }
    }
    if (!referrer || !uuid_column) {
        return referrer;
    }

    ovsdb_idl_txn_verify(referrer, uuid_column);
    const struct ovsdb_datum *uuid = ovsdb_idl_read(referrer, uuid_column);
    return (uuid->n == 1 && uuid_column->type->key.type == OVSDB_TYPE_UUID
            ? ovsdb_idl_get_row_for_uuid(ctx->idl, table, &uuid->keys[0].uuid)
            : NULL);
}

/* A table without a rule is named by the column of its first index that
 * has exactly one column, if any. */
static const struct ovsdb_idl_column *
index_name_column(const struct vsctl_context *ctx,
                  const struct ovsdb_idl_table_class *table)
{
    const struct ovsdb_table_schema *ts
        = ctx->schema->class->schema->tables[table->index];

    for (size_t i = 0; i < ts->n_indexes; i++) {
        if (ts->indexes[i].n_columns == 1) {
            unsigned int idx = ts->indexes[i].columns[0]->index;
            if (idx >= OVSDB_N_STD_COLUMNS) {
                return &table->columns[idx - OVSDB_N_STD_COLUMNS];
            }
        }
    }
    return NULL;
}

const struct ovsdb_idl_row *
vsctl_get_row(struct vsctl_context *ctx,
              const struct ovsdb_idl_table_class *table,
              const char *record_id, bool must_exist)
{
    const struct ovsdb_idl_class *class = ctx->schema->class;
    const struct ovsdb_idl_row *row = NULL;
    struct uuid uuid;

    if (uuid_from_string(&uuid, record_id)) {
        row = ovsdb_idl_get_row_for_uuid(ctx->idl, table, &uuid);
    }
    if (!row && !strcmp(record_id, ".")) {
        row = ovsdb_idl_first_row(ctx->idl, table);
        if (row && ovsdb_idl_next_row(row)) {
            row = NULL;
        }
    }
    if (!row) {
        bool has_rule = false;
        for (size_t i = 0; i < ARRAY_SIZE(row_id_rules) && !row; i++) {
            const struct row_id_rule *r = &row_id_rules[i];
            if (strcmp(r->table, table->name)) {
                continue;
            }
            has_rule = true;

            const struct ovsdb_idl_table_class *nt
                = ovsdb_idl_class_get_table(class, r->name_table);
            const struct ovsdb_idl_column *nc
                = nt ? ovsdb_idl_table_class_get_column(nt, r->name_column)
                     : NULL;
            const struct ovsdb_idl_column *uc
                = (nt && r->uuid_column
                   ? ovsdb_idl_table_class_get_column(nt, r->uuid_column)
                   : NULL);
            if (nc && (!r->uuid_column || uc)) {
                row = get_row_by_name(ctx, table, nt, nc, uc, record_id);
            }
        }
        if (!has_rule) {
            const struct ovsdb_idl_column *nc = index_name_column(ctx,
                                                                  table);
            if (nc) {
                row = get_row_by_name(ctx, table, table, nc, NULL,
                                      record_id);
            }
        }
    }
    if (!row && uuid_partial_length(record_id) >= 4) {
        const struct ovsdb_idl_row *r;
        size_t len = strlen(record_id);

        OVSDB_IDL_FOR_EACH_ROW (r, table, ctx->idl) {
            char s[UUID_LEN + 1];
            uuid_to_string(&r->uuid, s);
            if (!strncasecmp(s, record_id, len)) {
                if (row) {
                    char s0[UUID_LEN + 1];
                    uuid_to_string(&row->uuid, s0);
                    vsctl_fatal("%s contains 2 or more rows whose UUIDs "
                                "begin with %s: at least %s and %s",
                                table->name, record_id, s0, s);
                }
                row = r;
            }
        }
    }
    if (must_exist && !row) {
        vsctl_fatal("no row \"%s\" in table %s", record_id, table->name);
    }
    return row;
}

/* ---- Helpers. ---- */

static const struct ovsdb_idl_table_class *
get_table(struct vsctl_context *ctx, const char *name)
{
    const struct ovsdb_idl_table_class *table;
    vsctl_die_if_error(vsctl_get_table(ctx->schema->class, name, &table));
    return table;
}

static const struct ovsdb_idl_column *
get_column(const struct ovsdb_idl_table_class *table, const char *name)
{
    const struct ovsdb_idl_column *column;
    vsctl_die_if_error(vsctl_get_column(table, name, &column));
    return column;
}

static bool
is_mutable(const struct ovsdb_idl_row *row,
           const struct ovsdb_idl_column *column)
{
    return column->mutable || row->txn_inserted;
}

static void
check_mutable(const struct ovsdb_idl_row *row,
              const struct ovsdb_idl_column *column)
{
    if (!is_mutable(row, column)) {
        vsctl_fatal("cannot modify read-only column %s in table %s",
                    column->name, column->table->name);
    }
}

static struct ovsdb_symbol *
create_symbol(struct vsctl_context *ctx, const char *id, bool *newp)
{
    if (id[0] != '@') {
        vsctl_fatal("row id \"%s\" does not begin with \"@\"", id);
    }
    if (newp) {
        *newp = ovsdb_symbol_table_get(ctx->symtab, id) == NULL;
    }
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(ctx->symtab, id);
    if (symbol->created) {
        vsctl_fatal("row id \"%s\" may only be specified on one --id "
                    "option", id);
    }
    symbol->created = true;
    return symbol;
}

static const struct ovsdb_datum *
read_row_column(const void *row, const struct ovsdb_idl_column *column)
{
    return ovsdb_idl_read(row, column);
}

void
vsctl_set_column(struct vsctl_context *ctx,
                 const struct ovsdb_idl_table_class *table,
                 const struct ovsdb_idl_row *row, const char *arg)
{
    const struct ovsdb_idl_column *column;
    struct ovsdb_datum datum;
    bool keyed;

    vsctl_die_if_error(vsctl_apply_setting(arg, table, ctx->symtab,
                                           read_row_column, row, &column,
                                           &datum, &keyed));
    if (!is_mutable(row, column)) {
        ovsdb_datum_destroy(&datum, column->type);
        check_mutable(row, column);
    }
    if (keyed) {
        /* The rest of the map was read. */
        ovsdb_idl_txn_verify(row, column);
    }
    ovsdb_idl_txn_write(row, column, &datum);
}

/* ---- get, list, find. ---- */

static void
cmd_get(struct vsctl_context *ctx)
{
    const char *id = vsctl_get_option(ctx, "--id");
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    const char *record_id = ctx->argv[2];

    if (id && !must_exist) {
        vsctl_fatal("--if-exists and --id may not be specified together");
    }
    if (!id && ctx->argc <= 3 && isatty(STDOUT_FILENO)) {
        VLOG_WARN("\"get\" command without row arguments or \"--id\" is "
                  "possibly erroneous");
    }

    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    for (int i = 3; i < ctx->argc; i++) {
        /* Check the column names before looking for the row. */
        if (strcasecmp(ctx->argv[i], "_uuid")
            && strcasecmp(ctx->argv[i], "-uuid")) {
            const struct ovsdb_idl_column *column;
            char *key;
            vsctl_die_if_error(vsctl_parse_column_key_value(
                                   ctx->argv[i], table, &column, &key, NULL,
                                   NULL, 0, NULL));
            free(key);
        }
    }
    const struct ovsdb_idl_row *row = vsctl_get_row(ctx, table, record_id,
                                                    must_exist);
    if (!row) {
        return;
    }

    if (id) {
        bool new;
        struct ovsdb_symbol *symbol = create_symbol(ctx, id, &new);
        if (!new) {
            vsctl_fatal("row id \"%s\" specified on \"get\" command was used "
                        "before it was defined", id);
        }
        symbol->uuid = row->uuid;
        /* The row exists: no warning about it not being referenced. */
        symbol->strong_ref = true;
    }

    for (int i = 3; i < ctx->argc; i++) {
        const struct ovsdb_idl_column *column;
        char *key_string;

        if (!strcasecmp(ctx->argv[i], "_uuid")
            || !strcasecmp(ctx->argv[i], "-uuid")) {
            ds_put_format(ctx->output, UUID_FMT "\n", UUID_ARGS(&row->uuid));
            continue;
        }

        vsctl_die_if_error(vsctl_parse_column_key_value(
                               ctx->argv[i], table, &column, &key_string,
                               NULL, NULL, 0, NULL));
        ovsdb_idl_txn_verify(row, column);
        const struct ovsdb_datum *datum = ovsdb_idl_read(row, column);
        if (key_string) {
            union ovsdb_atom key;

            if (!ovsdb_type_is_map(column->type)) {
                vsctl_fatal("cannot specify key to get for non-map column "
                            "%s", column->name);
            }
            vsctl_die_if_error(ovsdb_atom_from_string(
                                   &key, &column->type->key, key_string,
                                   ctx->symtab));
            unsigned int idx = ovsdb_datum_find_key(datum, &key,
                                                    column->type->key.type);
            if (idx == UINT_MAX) {
                if (must_exist) {
                    vsctl_fatal("no key \"%s\" in %s record \"%s\" column "
                                "%s", key_string, table->name, record_id,
                                column->name);
                }
            } else {
                ovsdb_atom_to_string(&datum->values[idx],
                                     column->type->value.type, ctx->output);
            }
            ovsdb_atom_destroy(&key, column->type->key.type);
        } else {
            ovsdb_datum_to_string(datum, column->type, ctx->output);
        }
        ds_put_char(ctx->output, '\n');
        free(key_string);
    }
}

static struct vsctl_table *
list_make_table(const struct ovsdb_idl_column **columns, size_t n)
{
    struct vsctl_table *out = vsctl_table_create();
    for (size_t i = 0; i < n; i++) {
        vsctl_table_add_column(out, columns[i] ? columns[i]->name : "_uuid");
    }
    return out;
}

static void
list_record(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_column **columns, size_t n,
            struct vsctl_table *out)
{
    vsctl_table_add_row(out);
    for (size_t i = 0; i < n; i++) {
        struct vsctl_cell *cell = vsctl_table_add_cell(out);
        if (!columns[i]) {
            union ovsdb_atom atom = { .uuid = row->uuid };
            struct ovsdb_datum d = { .n = 1, .keys = &atom, .values = NULL };
            vsctl_cell_set_datum(cell, &d, &ovsdb_type_uuid);
        } else {
            vsctl_cell_set_datum(cell, ovsdb_idl_read(row, columns[i]),
                                 columns[i]->type);
        }
    }
}

static void
cmd_list(struct vsctl_context *ctx)
{
    const char *column_names = vsctl_get_option(ctx, "--columns");
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    const struct ovsdb_idl_column **columns;
    size_t n_columns;

    vsctl_die_if_error(vsctl_parse_column_names(column_names, table,
                                                &columns, &n_columns));
    struct vsctl_table *out = list_make_table(columns, n_columns);
    ctx->command->table = out;
    if (ctx->argc > 2) {
        for (int i = 2; i < ctx->argc; i++) {
            const struct ovsdb_idl_row *row
                = vsctl_get_row(ctx, table, ctx->argv[i], must_exist);
            if (row) {
                list_record(row, columns, n_columns, out);
            }
        }
    } else {
        const struct ovsdb_idl_row *row;
        OVSDB_IDL_FOR_EACH_ROW (row, table, ctx->idl) {
            list_record(row, columns, n_columns, out);
        }
    }
    free(columns);
}

static void
cmd_find(struct vsctl_context *ctx)
{
    const char *column_names = vsctl_get_option(ctx, "--columns");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    int n_conds = ctx->argc - 2;
    struct vsctl_condition *conds = xcalloc(n_conds ? n_conds : 1,
                                            sizeof *conds);
    const struct ovsdb_idl_column **columns;
    size_t n_columns;

    vsctl_die_if_error(vsctl_parse_column_names(column_names, table,
                                                &columns, &n_columns));
    for (int i = 0; i < n_conds; i++) {
        vsctl_die_if_error(vsctl_condition_parse(ctx->argv[i + 2], table,
                                                 ctx->symtab, &conds[i]));
    }

    struct vsctl_table *out = list_make_table(columns, n_columns);
    ctx->command->table = out;
    const struct ovsdb_idl_row *row;
    OVSDB_IDL_FOR_EACH_ROW (row, table, ctx->idl) {
        bool match = true;
        for (int i = 0; i < n_conds && match; i++) {
            match = vsctl_condition_eval(&conds[i],
                                         ovsdb_idl_read(row,
                                                        conds[i].column));
        }
        if (match) {
            list_record(row, columns, n_columns, out);
        }
    }
    for (int i = 0; i < n_conds; i++) {
        vsctl_condition_destroy(&conds[i]);
    }
    free(conds);
    free(columns);
}

/* ---- set, add, remove, clear. ---- */

static void
cmd_set(struct vsctl_context *ctx)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);

    for (int i = 3; i < ctx->argc; i++) {
        /* Column errors come before a missing row, as in ovs-vsctl. */
        const struct ovsdb_idl_column *column;
        char *key, *value;
        vsctl_die_if_error(vsctl_parse_column_key_value(
                               ctx->argv[i], table, &column, &key, NULL,
                               NULL, 0, &value));
        free(key);
        free(value);
    }
    const struct ovsdb_idl_row *row = vsctl_get_row(ctx, table,
                                                    ctx->argv[2],
                                                    must_exist);
    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        vsctl_set_column(ctx, table, row, ctx->argv[i]);
    }
    vsctl_context_invalidate_cache(ctx);
}

static void
add_or_remove(struct vsctl_context *ctx, bool add)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    const struct ovsdb_idl_column *column = get_column(table, ctx->argv[3]);
    const struct ovsdb_idl_row *row = vsctl_get_row(ctx, table, ctx->argv[2],
                                                    must_exist);
    struct ovsdb_datum new;

    if (!row) {
        return;
    }
    check_mutable(row, column);
    const struct ovsdb_datum *old = ovsdb_idl_read(row, column);
    vsctl_die_if_error(
        (add ? vsctl_apply_add : vsctl_apply_remove)(
            column, table->name, old, &ctx->argv[4], ctx->argc - 4,
            ctx->symtab, &new));
    ovsdb_idl_txn_verify(row, column);
    ovsdb_idl_txn_write(row, column, &new);
    vsctl_context_invalidate_cache(ctx);
}

static void
cmd_add(struct vsctl_context *ctx)
{
    add_or_remove(ctx, true);
}

static void
cmd_remove(struct vsctl_context *ctx)
{
    add_or_remove(ctx, false);
}

static void
cmd_clear(struct vsctl_context *ctx)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);

    for (int i = 3; i < ctx->argc; i++) {
        get_column(table, ctx->argv[i]);
    }
    const struct ovsdb_idl_row *row = vsctl_get_row(ctx, table, ctx->argv[2],
                                                    must_exist);
    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        const struct ovsdb_idl_column *column = get_column(table,
                                                           ctx->argv[i]);
        struct ovsdb_datum d;

        check_mutable(row, column);
        if (column->type->n_min > 0) {
            vsctl_fatal("\"clear\" operation cannot be applied to column %s "
                        "of table %s, which is not allowed to be empty",
                        column->name, table->name);
        }
        ovsdb_datum_init_empty(&d);
        ovsdb_idl_txn_write(row, column, &d);
    }
    vsctl_context_invalidate_cache(ctx);
}

/* ---- create, destroy. ---- */

static void
cmd_create(struct vsctl_context *ctx)
{
    const char *id = vsctl_get_option(ctx, "--id");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    const struct uuid *uuid = NULL;

    if (!id && !table->is_root) {
        VLOG_WARN("applying \"create\" command to table %s without --id "
                  "option will have no effect", table->name);
    }
    if (id) {
        struct ovsdb_symbol *symbol = create_symbol(ctx, id, NULL);
        if (table->is_root) {
            /* A root row stays even unreferenced. */
            symbol->strong_ref = true;
        }
        uuid = &symbol->uuid;
    }

    const struct ovsdb_idl_row *row = ovsdb_idl_txn_insert(ctx->txn, table,
                                                           uuid);
    for (int i = 2; i < ctx->argc; i++) {
        vsctl_set_column(ctx, table, row, ctx->argv[i]);
    }
    ds_put_format(ctx->output, UUID_FMT, UUID_ARGS(&row->uuid));
    vsctl_context_invalidate_cache(ctx);
}

/* Replaces the provisional UUID that cmd_create() printed by the one the
 * server assigned. */
static void
post_create(struct vsctl_context *ctx)
{
    struct uuid dummy;

    if (!uuid_from_string(&dummy, ds_cstr(ctx->output))) {
        PLX_NOT_REACHED();
    }
    const struct uuid *real = ovsdb_idl_txn_get_insert_uuid(ctx->txn,
                                                            &dummy);
    if (real) {
        ds_clear(ctx->output);
        ds_put_format(ctx->output, UUID_FMT, UUID_ARGS(real));
    }
    ds_put_char(ctx->output, '\n');
}

static void
cmd_destroy(struct vsctl_context *ctx)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    bool delete_all = vsctl_has_option(ctx, "--all");
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);

    if (delete_all && ctx->argc > 2) {
        vsctl_fatal("--all and records argument should not be specified "
                    "together");
    }
    if (delete_all && !must_exist) {
        vsctl_fatal("--all and --if-exists should not be specified "
                    "together");
    }

    if (delete_all) {
        const struct ovsdb_idl_row *row, *next;
        for (row = ovsdb_idl_first_row(ctx->idl, table); row; row = next) {
            next = ovsdb_idl_next_row(row);
            ovsdb_idl_txn_delete(row);
        }
    } else {
        for (int i = 2; i < ctx->argc; i++) {
            const struct ovsdb_idl_row *row
                = vsctl_get_row(ctx, table, ctx->argv[i], must_exist);
            if (row) {
                ovsdb_idl_txn_delete(row);
            }
        }
    }
    vsctl_context_invalidate_cache(ctx);
}

/* ---- wait-until, comment. ---- */

static void
cmd_wait_until(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_table_class *table = get_table(ctx, ctx->argv[1]);
    int n_conds = ctx->argc - 3;
    struct vsctl_condition *conds = xcalloc(n_conds ? n_conds : 1,
                                            sizeof *conds);

    for (int i = 0; i < n_conds; i++) {
        vsctl_die_if_error(vsctl_condition_parse(ctx->argv[i + 3], table,
                                                 ctx->symtab, &conds[i]));
    }

    const struct ovsdb_idl_row *row = vsctl_get_row(ctx, table, ctx->argv[2],
                                                    false);
    if (!row) {
        ctx->try_again = true;
    }
    for (int i = 0; i < n_conds && !ctx->try_again; i++) {
        if (!vsctl_condition_eval(&conds[i],
                                  ovsdb_idl_read(row, conds[i].column))) {
            ctx->try_again = true;
        }
    }
    for (int i = 0; i < n_conds; i++) {
        vsctl_condition_destroy(&conds[i]);
    }
    free(conds);
}

static void
cmd_comment(struct vsctl_context *ctx PLX_UNUSED)
{
    /* The whole command line is already the transaction's comment. */
}

const struct vsctl_command_syntax vsctl_db_syntaxes[] = {
    { "comment", 0, INT_MAX, "[ARG]...", cmd_comment, NULL, "", VSCTL_RO },
    { "get", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]]...", cmd_get, NULL,
      "--if-exists,--id=", VSCTL_RO },
    { "list", 1, INT_MAX, "TABLE [RECORD]...", cmd_list, NULL,
      "--if-exists,--columns=", VSCTL_RO },
    { "find", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", cmd_find, NULL,
      "--columns=", VSCTL_RO },
    { "set", 3, INT_MAX, "TABLE RECORD COLUMN[:KEY]=VALUE...", cmd_set,
      NULL, "--if-exists", VSCTL_RW },
    { "add", 4, INT_MAX, "TABLE RECORD COLUMN [KEY=]VALUE...", cmd_add,
      NULL, "--if-exists", VSCTL_RW },
    { "remove", 4, INT_MAX, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...",
      cmd_remove, NULL, "--if-exists", VSCTL_RW },
    { "clear", 3, INT_MAX, "TABLE RECORD COLUMN...", cmd_clear, NULL,
      "--if-exists", VSCTL_RW },
    { "create", 2, INT_MAX, "TABLE COLUMN[:KEY]=VALUE...", cmd_create,
      post_create, "--id=", VSCTL_RW },
    { "destroy", 1, INT_MAX, "TABLE [RECORD]...", cmd_destroy, NULL,
      "--if-exists,--all", VSCTL_RW },
    { "wait-until", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]=VALUE]...",
      cmd_wait_until, NULL, "", VSCTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};
