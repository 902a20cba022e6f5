/*
 * vsctl-switch-cmds: plx-vsctl's "show" and its controller, fail-mode,
 * manager and SSL commands.
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "sset.h"
#include "vlog.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"

VLOG_DEFINE_THIS_MODULE(vsctl_switch);

/* ---- show. ---- */

/* How "show" prints a table's rows: "TABLE NAME" (or the UUID if there is
 * no name column), then each column that does not hold its default, with
 * reference columns expanded recursively.  Columns the server's schema
 * lacks are skipped. */
struct show_table {
    const char *table;
    const char *name_column;    /* NULL: print the row's UUID. */
    const char *columns[4];
};

static const struct show_table show_tables[] = {
    { "Open_vSwitch", NULL, { "manager_options", "bridges", "ovs_version" } },
    { "Bridge", "name", { "controller", "fail_mode", "datapath_type",
                          "ports" } },
    { "Port", "name", { "tag", "trunks", "interfaces" } },
    { "Interface", "name", { "type", "options", "error", "bfd_status" } },
    { "Controller", "target", { "is_connected" } },
    { "Manager", "target", { "is_connected" } },
};

static const struct show_table *
show_find(const char *table)
{
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        if (!strcmp(show_tables[i].table, table)) {
            return &show_tables[i];
        }
    }
    return NULL;
}

static const struct ovsdb_idl_column *
show_column(const struct vsctl_context *ctx, const char *table,
            const char *column)
{
    const struct ovsdb_idl_table_class *t
        = ovsdb_idl_class_get_table(ctx->schema->class, table);
    return t && column ? ovsdb_idl_table_class_get_column(t, column) : NULL;
}

static void
show_row(struct vsctl_context *ctx, const struct ovsdb_idl_row *row,
         int level, struct sset *shown)
{
    const char *table_name = row->table->class_->name;
    const struct show_table *show = show_find(table_name);
    const struct ovsdb_idl_column *name_column
        = show ? show_column(ctx, table_name, show->name_column) : NULL;
    struct ds *out = ctx->output;

    ds_put_char_multiple(out, ' ', level * 4);
    if (name_column) {
        ds_put_format(out, "%s ", table_name);
        ovsdb_datum_to_string(ovsdb_idl_read(row, name_column),
                              name_column->type, out);
    } else {
        ds_put_format(out, UUID_FMT, UUID_ARGS(&row->uuid));
    }
    ds_put_char(out, '\n');

    if (!show || sset_contains(shown, table_name)) {
        return;
    }
    sset_add(shown, table_name);

    for (size_t i = 0; i < ARRAY_SIZE(show->columns) && show->columns[i];
         i++) {
        const struct ovsdb_idl_column *column
            = show_column(ctx, table_name, show->columns[i]);
        if (!column) {
            continue;
        }
        const struct ovsdb_type *type = column->type;
        const struct ovsdb_datum *datum = ovsdb_idl_read(row, column);

        if (ovsdb_base_type_is_ref(&type->key)) {
            const char *ref_name = type->key.uuid.refTableName;
            const struct ovsdb_idl_table_class *ref_table
                = ovsdb_idl_class_get_table(ctx->schema->class, ref_name);
            if (ref_table && show_find(ref_name)) {
                for (size_t j = 0; j < datum->n; j++) {
                    const struct ovsdb_idl_row *ref_row
                        = ovsdb_idl_get_row_for_uuid(ctx->idl, ref_table,
                                                     &datum->keys[j].uuid);
                    if (ref_row) {
                        show_row(ctx, ref_row, level + 1, shown);
                    }
                }
                continue;
            }
        } else if (ovsdb_type_is_map(type)
                   && ovsdb_base_type_is_ref(&type->value)) {
            const char *ref_name = type->value.uuid.refTableName;
            const struct show_table *ref_show = show_find(ref_name);
            const struct ovsdb_idl_table_class *ref_table
                = ovsdb_idl_class_get_table(ctx->schema->class, ref_name);
            const struct ovsdb_idl_column *ref_name_column
                = ref_show ? show_column(ctx, ref_name,
                                         ref_show->name_column) : NULL;
            if (ref_table && ref_name_column) {
                ds_put_char_multiple(out, ' ', (level + 1) * 4);
                ds_put_format(out, "%s:\n", column->name);
                for (size_t j = 0; j < datum->n; j++) {
                    const struct ovsdb_idl_row *ref_row
                        = ovsdb_idl_get_row_for_uuid(ctx->idl, ref_table,
                                                     &datum->values[j].uuid);
                    ds_put_char_multiple(out, ' ', (level + 2) * 4);
                    ovsdb_atom_to_string(&datum->keys[j], type->key.type,
                                         out);
                    ds_put_char(out, '=');
                    if (ref_row) {
                        ovsdb_datum_to_string(
                            ovsdb_idl_read(ref_row, ref_name_column),
                            ref_name_column->type, out);
                    } else {
                        ds_put_cstr(out, "\"<null>\"");
                    }
                    ds_put_char(out, '\n');
                }
                continue;
            }
        }

        if (!ovsdb_datum_is_default(datum, type)) {
            ds_put_char_multiple(out, ' ', (level + 1) * 4);
            ds_put_format(out, "%s: ", column->name);
            ovsdb_datum_to_string(datum, type, out);
            ds_put_char(out, '\n');
        }
    }
    sset_find_and_delete(shown, table_name);
}

static void
cmd_show(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_table_class *top
        = ovsdb_idl_class_get_table(ctx->schema->class,
                                    show_tables[0].table);
    struct sset shown = SSET_INITIALIZER(&shown);
    const struct ovsdb_idl_row *row;

    if (top) {
        OVSDB_IDL_FOR_EACH_ROW (row, top, ctx->idl) {
            show_row(ctx, row, 0, &shown);
        }
    }
    sset_destroy(&shown);
}

/* ---- Controllers and fail mode. ---- */

/* Like ovs-vsctl, warns about (but accepts) a target that no stream or
 * listener type would accept. */
static void
check_target(const char *target)
{
    static const char *const prefixes[] = {
        "tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:",
    };
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        if (!strncmp(target, prefixes[i], strlen(prefixes[i]))) {
            return;
        }
    }
    VLOG_WARN("target type \"%s\" is possibly erroneous", target);
}

static void
output_sorted_targets(struct vsctl_context *ctx,
                      const struct ovsdb_idl_row **rows, size_t n,
                      enum vsctl_column_id target_column)
{
    struct sset targets = SSET_INITIALIZER(&targets);

    for (size_t i = 0; i < n; i++) {
        const char *t = vsctl_read_string(rows[i],
                                          vsctl_col(ctx, target_column));
        sset_add(&targets, t ? t : "");
    }
    const char **sorted = sset_sort(&targets);
    for (size_t i = 0; i < sset_count(&targets); i++) {
        ds_put_format(ctx->output, "%s\n", sorted[i]);
    }
    free(sorted);
    sset_destroy(&targets);
}

/* Verifies BR's controllers and returns them (caller frees). */
static size_t
verify_controllers(struct vsctl_context *ctx, const struct ovsdb_idl_row *br,
                   const struct ovsdb_idl_row ***rowsp)
{
    const struct ovsdb_idl_column *controller
        = vsctl_col(ctx, VSCTL_C_BRIDGE_CONTROLLER);

    ovsdb_idl_txn_verify(br, controller);
    size_t n = vsctl_read_refs(ctx, br, controller, rowsp);
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_verify((*rowsp)[i],
                             vsctl_col(ctx, VSCTL_C_CONTROLLER_TARGET));
    }
    return n;
}

static void
cmd_get_controller(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->parent) {
        br = br->parent;
    }
    size_t n = verify_controllers(ctx, br->br_cfg, &rows);
    output_sorted_targets(ctx, rows, n, VSCTL_C_CONTROLLER_TARGET);
    free(rows);
}

static void
delete_rows(const struct ovsdb_idl_row **rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_delete(rows[i]);
    }
}

static void
cmd_del_controller(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;

    vsctl_context_populate_cache(ctx);
    const struct ovsdb_idl_row *br
        = vsctl_find_real_bridge(ctx, ctx->argv[1], true)->br_cfg;
    size_t n = verify_controllers(ctx, br, &rows);
    if (n) {
        delete_rows(rows, n);
        vsctl_write_default(br, vsctl_col(ctx, VSCTL_C_BRIDGE_CONTROLLER));
    }
    free(rows);
}

/* Inserts a row of TABLE for each of TARGETS, with --inactivity-probe if
 * given.  Returns the rows (caller frees). */
static const struct ovsdb_idl_row **
insert_targets(struct vsctl_context *ctx, enum vsctl_table_id table,
               enum vsctl_column_id target_column,
               enum vsctl_column_id probe_column, char *targets[], size_t n)
{
    const char *probe = vsctl_get_option(ctx, "--inactivity-probe");
    const struct ovsdb_idl_row **rows = xmalloc((n ? n : 1) * sizeof *rows);

    for (size_t i = 0; i < n; i++) {
        check_target(targets[i]);
        rows[i] = ovsdb_idl_txn_insert(ctx->txn, vsctl_table(ctx, table),
                                       NULL);
        vsctl_write_string(rows[i], vsctl_col(ctx, target_column),
                           targets[i]);
        if (probe) {
            int64_t msecs = atoll(probe);
            vsctl_write_integer(rows[i], vsctl_col(ctx, probe_column),
                                &msecs);
        }
    }
    return rows;
}

static void
cmd_set_controller(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **old;

    vsctl_context_populate_cache(ctx);
    const struct ovsdb_idl_row *br
        = vsctl_find_real_bridge(ctx, ctx->argv[1], true)->br_cfg;
    size_t n_old = verify_controllers(ctx, br, &old);
    delete_rows(old, n_old);
    free(old);

    size_t n = ctx->argc - 2;
    const struct ovsdb_idl_row **rows
        = insert_targets(ctx, VSCTL_T_CONTROLLER, VSCTL_C_CONTROLLER_TARGET,
                         VSCTL_C_CONTROLLER_INACTIVITY_PROBE, &ctx->argv[2],
                         n);
    vsctl_write_refs(br, vsctl_col(ctx, VSCTL_C_BRIDGE_CONTROLLER), rows, n);
    free(rows);
}

static void
cmd_get_fail_mode(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->parent) {
        br = br->parent;
    }
    const struct ovsdb_idl_column *fail_mode
        = vsctl_col(ctx, VSCTL_C_BRIDGE_FAIL_MODE);
    ovsdb_idl_txn_verify(br->br_cfg, fail_mode);
    const char *mode = vsctl_read_string(br->br_cfg, fail_mode);
    if (mode && mode[0]) {
        ds_put_format(ctx->output, "%s\n", mode);
    }
}

static void
cmd_del_fail_mode(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_real_bridge(ctx, ctx->argv[1],
                                                     true);
    vsctl_write_string(br->br_cfg, vsctl_col(ctx, VSCTL_C_BRIDGE_FAIL_MODE),
                       NULL);
}

static void
cmd_set_fail_mode(struct vsctl_context *ctx)
{
    const char *mode = ctx->argv[2];

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_real_bridge(ctx, ctx->argv[1],
                                                     true);
    if (strcmp(mode, "standalone") && strcmp(mode, "secure")) {
        vsctl_fatal("fail-mode must be \"standalone\" or \"secure\"");
    }
    vsctl_write_string(br->br_cfg, vsctl_col(ctx, VSCTL_C_BRIDGE_FAIL_MODE),
                       mode);
}

/* ---- Managers. ---- */

static size_t
verify_managers(struct vsctl_context *ctx, const struct ovsdb_idl_row ***rowsp)
{
    const struct ovsdb_idl_column *options
        = vsctl_col(ctx, VSCTL_C_OVS_MANAGER_OPTIONS);

    ovsdb_idl_txn_verify(ctx->ovs, options);
    size_t n = vsctl_read_refs(ctx, ctx->ovs, options, rowsp);
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_verify((*rowsp)[i],
                             vsctl_col(ctx, VSCTL_C_MANAGER_TARGET));
    }
    return n;
}

static void
cmd_get_manager(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;
    size_t n = verify_managers(ctx, &rows);
    output_sorted_targets(ctx, rows, n, VSCTL_C_MANAGER_TARGET);
    free(rows);
}

static void
delete_managers(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;
    size_t n = verify_managers(ctx, &rows);

    delete_rows(rows, n);
    free(rows);
    vsctl_write_default(ctx->ovs,
                        vsctl_col(ctx, VSCTL_C_OVS_MANAGER_OPTIONS));
}

static void
cmd_del_manager(struct vsctl_context *ctx)
{
    delete_managers(ctx);
}

static void
cmd_set_manager(struct vsctl_context *ctx)
{
    size_t n = ctx->argc - 1;

    delete_managers(ctx);
    const struct ovsdb_idl_row **rows
        = insert_targets(ctx, VSCTL_T_MANAGER, VSCTL_C_MANAGER_TARGET,
                         VSCTL_C_MANAGER_INACTIVITY_PROBE, &ctx->argv[1], n);
    vsctl_write_refs(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_MANAGER_OPTIONS),
                     rows, n);
    free(rows);
}

/* ---- SSL. ---- */

static const struct ovsdb_idl_row *
get_ssl(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;
    const struct ovsdb_idl_column *ssl = vsctl_col(ctx, VSCTL_C_OVS_SSL);

    ovsdb_idl_txn_verify(ctx->ovs, ssl);
    size_t n = vsctl_read_refs(ctx, ctx->ovs, ssl, &rows);
    const struct ovsdb_idl_row *row = n ? rows[0] : NULL;
    free(rows);
    return row;
}

static void
cmd_get_ssl(struct vsctl_context *ctx)
{
    static const struct {
        enum vsctl_column_id column;
        const char *label;
    } fields[] = {
        { VSCTL_C_SSL_PRIVATE_KEY, "Private key" },
        { VSCTL_C_SSL_CERTIFICATE, "Certificate" },
        { VSCTL_C_SSL_CA_CERT, "CA Certificate" },
    };
    const struct ovsdb_idl_row *ssl = get_ssl(ctx);

    if (!ssl) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct ovsdb_idl_column *c = vsctl_col(ctx, fields[i].column);
        const char *s = vsctl_read_string(ssl, c);
        ovsdb_idl_txn_verify(ssl, c);
        ds_put_format(ctx->output, "%s: %s\n", fields[i].label, s ? s : "");
    }
    const struct ovsdb_idl_column *bootstrap
        = vsctl_col(ctx, VSCTL_C_SSL_BOOTSTRAP_CA_CERT);
    ovsdb_idl_txn_verify(ssl, bootstrap);
    ds_put_format(ctx->output, "Bootstrap: %s\n",
                  vsctl_read_boolean(ssl, bootstrap) ? "true" : "false");
}

static void
cmd_del_ssl(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row *ssl = get_ssl(ctx);
    if (ssl) {
        ovsdb_idl_txn_delete(ssl);
        vsctl_write_default(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_SSL));
    }
}

static void
cmd_set_ssl(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row *ssl = get_ssl(ctx);

    if (ssl) {
        ovsdb_idl_txn_delete(ssl);
    }
    ssl = ovsdb_idl_txn_insert(ctx->txn, vsctl_table(ctx, VSCTL_T_SSL),
                               NULL);
    vsctl_write_string(ssl, vsctl_col(ctx, VSCTL_C_SSL_PRIVATE_KEY),
                       ctx->argv[1]);
    vsctl_write_string(ssl, vsctl_col(ctx, VSCTL_C_SSL_CERTIFICATE),
                       ctx->argv[2]);
    vsctl_write_string(ssl, vsctl_col(ctx, VSCTL_C_SSL_CA_CERT),
                       ctx->argv[3]);
    vsctl_write_boolean(ssl, vsctl_col(ctx, VSCTL_C_SSL_BOOTSTRAP_CA_CERT),
                        vsctl_has_option(ctx, "--bootstrap"));
    vsctl_write_refs(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_SSL), &ssl, 1);
}

const struct vsctl_command_syntax vsctl_switch_syntaxes[] = {
    { "show", 0, 0, "", cmd_show, NULL, "", VSCTL_RO },
    { "get-controller", 1, 1, "BRIDGE", cmd_get_controller, NULL, "",
      VSCTL_RO },
    { "del-controller", 1, 1, "BRIDGE", cmd_del_controller, NULL, "",
      VSCTL_RW },
    { "set-controller", 1, INT_MAX, "BRIDGE TARGET...", cmd_set_controller,
      NULL, "--inactivity-probe=", VSCTL_RW },
    { "get-fail-mode", 1, 1, "BRIDGE", cmd_get_fail_mode, NULL, "",
      VSCTL_RO },
    { "del-fail-mode", 1, 1, "BRIDGE", cmd_del_fail_mode, NULL, "",
      VSCTL_RW },
    { "set-fail-mode", 2, 2, "BRIDGE MODE", cmd_set_fail_mode, NULL, "",
      VSCTL_RW },
    { "get-manager", 0, 0, "", cmd_get_manager, NULL, "", VSCTL_RO },
    { "del-manager", 0, 0, "", cmd_del_manager, NULL, "", VSCTL_RW },
    { "set-manager", 1, INT_MAX, "TARGET...", cmd_set_manager, NULL,
      "--inactivity-probe=", VSCTL_RW },
    { "get-ssl", 0, 0, "", cmd_get_ssl, NULL, "", VSCTL_RO },
    { "del-ssl", 0, 0, "", cmd_del_ssl, NULL, "", VSCTL_RW },
    { "set-ssl", 3, 3, "PRIVATE-KEY CERTIFICATE CA-CERT", cmd_set_ssl, NULL,
      "--bootstrap", VSCTL_RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};
