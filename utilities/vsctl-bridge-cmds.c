/*
 * vsctl-bridge-cmds: plx-vsctl's bridge, port, bond and interface
 * commands (and init and emer-reset), with ovs-vsctl's semantics for fake
 * (VLAN) bridges.  They work through the cache of vsctl-context.h.
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "smap.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Prints NAMES sorted, one a line, and frees the array. */
static void
output_sorted(const char **names, size_t n, struct ds *output)
{
    qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(output, "%s\n", names[i]);
    }
    free(names);
}

/* The command as the user typed it (its options' names, then its words),
 * for messages. */
static char *
context_to_string(const struct vsctl_context *ctx)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct vsctl_command *c = ctx->command;

    for (size_t i = 0; i < c->n_options; i++) {
        ds_put_format(&s, "%s ", c->options[i].name);
    }
    vsctl_put_args(&s, ctx->argv, ctx->argc);
    return ds_steal_cstr(&s);
}

/* ---- init, emer-reset. ---- */

static void
cmd_init(struct vsctl_context *ctx PLX_UNUSED)
{
    /* Creating the Open_vSwitch row, if there is none, is all it takes:
     * plx-vsctl does that for every transaction. */
}

static void
delete_all_rows(struct vsctl_context *ctx, enum vsctl_table_id id)
{
    const struct ovsdb_idl_table_class *table = ctx->schema->tables[id];
    const struct ovsdb_idl_row *row, *next;

    if (table) {
        for (row = ovsdb_idl_first_row(ctx->idl, table); row; row = next) {
            next = ovsdb_idl_next_row(row);
            ovsdb_idl_txn_delete(row);
        }
    }
}

static void
cmd_emer_reset(struct vsctl_context *ctx)
{
    static const enum vsctl_column_id bridge_cols[] = {
        VSCTL_C_BRIDGE_CONTROLLER, VSCTL_C_BRIDGE_FAIL_MODE,
        VSCTL_C_BRIDGE_MIRRORS, VSCTL_C_BRIDGE_NETFLOW,
        VSCTL_C_BRIDGE_SFLOW, VSCTL_C_BRIDGE_IPFIX,
        VSCTL_C_BRIDGE_FLOOD_VLANS,
    };
    static const enum vsctl_table_id deleted_tables[] = {
        VSCTL_T_MIRROR, VSCTL_T_CONTROLLER, VSCTL_T_MANAGER,
        VSCTL_T_NETFLOW, VSCTL_T_SSL, VSCTL_T_SFLOW, VSCTL_T_IPFIX,
        VSCTL_T_FSCS,
    };
    const struct ovsdb_idl_row *row;

    vsctl_write_default(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_MANAGER_OPTIONS));
    vsctl_write_default(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_SSL));

    OVSDB_IDL_FOR_EACH_ROW (row, vsctl_table(ctx, VSCTL_T_BRIDGE),
                            ctx->idl) {
        const struct ovsdb_idl_column *other_config
            = vsctl_col(ctx, VSCTL_C_BRIDGE_OTHER_CONFIG);
        struct smap old = SMAP_INITIALIZER(&old);
        struct smap new = SMAP_INITIALIZER(&new);

        for (size_t i = 0; i < ARRAY_SIZE(bridge_cols); i++) {
            vsctl_write_default(row, vsctl_col(ctx, bridge_cols[i]));
        }

        /* Only other_config:hwaddr survives. */
        vsctl_read_smap(row, other_config, &old);
        const char *hwaddr = smap_get(&old, "hwaddr");
        if (hwaddr) {
            smap_add(&new, "hwaddr", hwaddr);
        }
        vsctl_write_smap(row, other_config, &new);
        smap_destroy(&old);
        smap_destroy(&new);
    }

    OVSDB_IDL_FOR_EACH_ROW (row, vsctl_table(ctx, VSCTL_T_PORT), ctx->idl) {
        vsctl_write_default(row, vsctl_col(ctx, VSCTL_C_PORT_OTHER_CONFIG));
    }

    OVSDB_IDL_FOR_EACH_ROW (row, vsctl_table(ctx, VSCTL_T_INTERFACE),
                            ctx->idl) {
        vsctl_write_default(row, vsctl_col(ctx, VSCTL_C_IFACE_INGRESS_RATE));
        vsctl_write_default(row, vsctl_col(ctx,
                                           VSCTL_C_IFACE_INGRESS_BURST));
    }

    for (size_t i = 0; i < ARRAY_SIZE(deleted_tables); i++) {
        delete_all_rows(ctx, deleted_tables[i]);
    }
    vsctl_context_invalidate_cache(ctx);
}

/* ---- Bridges. ---- */

/* Inserts an internal interface and a port both named NAME. */
static const struct ovsdb_idl_row *
insert_local_port(struct vsctl_context *ctx, const char *name)
{
    const struct ovsdb_idl_row *iface, *port;

    iface = ovsdb_idl_txn_insert(ctx->txn,
                                 vsctl_table(ctx, VSCTL_T_INTERFACE), NULL);
    vsctl_write_string(iface, vsctl_col(ctx, VSCTL_C_IFACE_NAME), name);
    vsctl_write_string(iface, vsctl_col(ctx, VSCTL_C_IFACE_TYPE),
                       "internal");

    port = ovsdb_idl_txn_insert(ctx->txn, vsctl_table(ctx, VSCTL_T_PORT),
                                NULL);
    vsctl_write_string(port, vsctl_col(ctx, VSCTL_C_PORT_NAME), name);
    vsctl_write_refs(port, vsctl_col(ctx, VSCTL_C_PORT_INTERFACES), &iface,
                     1);
    return port;
}

static void
cmd_add_br(struct vsctl_context *ctx)
{
    bool may_exist = vsctl_has_option(ctx, "--may-exist");
    const char *br_name = ctx->argv[1];
    const char *parent_name = NULL;
    int vlan = 0;

    if (!br_name[0]) {
        vsctl_fatal("bridge name must not be empty string");
    }
    if (ctx->argc == 4) {
        parent_name = ctx->argv[2];
        vlan = atoi(ctx->argv[3]);
        if (vlan < 0 || vlan > 4095) {
            vsctl_fatal("%s: vlan must be between 0 and 4095",
                        ctx->argv[0]);
        }
    } else if (ctx->argc != 2) {
        vsctl_fatal("'%s' command takes exactly 1 or 3 arguments",
                    ctx->argv[0]);
    }

    vsctl_context_populate_cache(ctx);
    if (may_exist) {
        struct vsctl_bridge *br = vsctl_find_bridge(ctx, br_name, false);
        if (br) {
            if (!parent_name) {
                if (br->parent) {
                    vsctl_fatal("\"--may-exist add-br %s\" but %s is a VLAN "
                                "bridge for VLAN %d", br_name, br_name,
                                br->vlan);
                }
            } else if (!br->parent) {
                vsctl_fatal("\"--may-exist add-br %s %s %d\" but %s is not "
                            "a VLAN bridge", br_name, parent_name, vlan,
                            br_name);
            } else if (strcmp(br->parent->name, parent_name)) {
                vsctl_fatal("\"--may-exist add-br %s %s %d\" but %s has the "
                            "wrong parent %s", br_name, parent_name, vlan,
                            br_name, br->parent->name);
            } else if (br->vlan != vlan) {
                vsctl_fatal("\"--may-exist add-br %s %s %d\" but %s is a "
                            "VLAN bridge for the wrong VLAN %d", br_name,
                            parent_name, vlan, br_name, br->vlan);
            }
            return;
        }
    }
    vsctl_check_conflicts(ctx, br_name,
                          xasprintf("cannot create a bridge named %s",
                                    br_name));

    if (!parent_name) {
        const struct ovsdb_idl_row *port = insert_local_port(ctx, br_name);
        const struct ovsdb_idl_row *br
            = ovsdb_idl_txn_insert(ctx->txn,
                                   vsctl_table(ctx, VSCTL_T_BRIDGE), NULL);
        vsctl_write_string(br, vsctl_col(ctx, VSCTL_C_BRIDGE_NAME),
                           br_name);
        vsctl_write_refs(br, vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS), &port, 1);
        vsctl_add_ref(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_BRIDGES), br);
    } else {
        struct vsctl_bridge *parent = vsctl_find_bridge(ctx, parent_name,
                                                        false);
        if (parent && parent->parent) {
            vsctl_fatal("cannot create bridge with fake bridge as parent");
        }
        if (!parent) {
            vsctl_fatal("parent bridge %s does not exist", parent_name);
        }
        struct vsctl_bridge *conflict = vsctl_find_vlan_bridge(parent, vlan);
        if (conflict) {
            vsctl_fatal("bridge %s already has a child VLAN bridge %s on "
                        "VLAN %d", parent_name, conflict->name, vlan);
        }

        const struct ovsdb_idl_row *port = insert_local_port(ctx, br_name);
        int64_t tag = vlan;
        vsctl_write_boolean(port, vsctl_col(ctx, VSCTL_C_PORT_FAKE_BRIDGE),
                            true);
        vsctl_write_integer(port, vsctl_col(ctx, VSCTL_C_PORT_TAG), &tag);
        vsctl_add_ref(parent->br_cfg, vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS),
                      port);
    }
    vsctl_context_invalidate_cache(ctx);
}

static void
cmd_del_br(struct vsctl_context *ctx)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1],
                                                must_exist);
    if (br) {
        vsctl_delete_bridge(ctx, br);
    }
}

static void
cmd_list_br(struct vsctl_context *ctx)
{
    bool real = vsctl_has_option(ctx, "--real");
    bool fake = vsctl_has_option(ctx, "--fake");
    struct vsctl_bridge *br;

    if (!real && !fake) {
        real = fake = true;
    }
    vsctl_context_populate_cache(ctx);

    const char **names = xmalloc((hmap_count(&ctx->bridges) + 1)
                                 * sizeof *names);
    size_t n = 0;
    HMAP_FOR_EACH (br, node, &ctx->bridges) {
        if (br->parent ? fake : real) {
            names[n++] = br->name;
        }
    }
    output_sorted(names, n, ctx->output);
}

static void
cmd_br_exists(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    if (!vsctl_find_bridge(ctx, ctx->argv[1], false)) {
        exit(2);
    }
}

static void
cmd_br_to_vlan(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(ctx->output, "%d\n", br->vlan);
}

static void
cmd_br_to_parent(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->parent) {
        br = br->parent;
    }
    ds_put_format(ctx->output, "%s\n", br->name);
}

static struct vsctl_port *
fake_bridge_port(struct vsctl_context *ctx, const char *name)
{
    struct vsctl_port *port;
    HMAP_FOR_EACH (port, node, &ctx->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    PLX_NOT_REACHED();
}

static void
cmd_br_set_external_id(struct vsctl_context *ctx)
{
    const char *key = ctx->argv[2];
    const char *value = ctx->argc >= 4 ? ctx->argv[3] : NULL;
    const struct ovsdb_idl_row *row;
    const struct ovsdb_idl_column *column;
    struct smap map = SMAP_INITIALIZER(&map);
    char *full_key;

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->br_cfg) {
        row = br->br_cfg;
        column = vsctl_col(ctx, VSCTL_C_BRIDGE_EXTERNAL_IDS);
        full_key = xstrdup(key);
    } else {
        row = fake_bridge_port(ctx, ctx->argv[1])->port_cfg;
        column = vsctl_col(ctx, VSCTL_C_PORT_EXTERNAL_IDS);
        full_key = xasprintf("fake-bridge-%s", key);
    }

    vsctl_read_smap(row, column, &map);
    if (value) {
        smap_replace(&map, full_key, value);
    } else {
        smap_remove(&map, full_key);
    }
    ovsdb_idl_txn_verify(row, column);
    vsctl_write_smap(row, column, &map);
    smap_destroy(&map);
    free(full_key);
}

static void
cmd_br_get_external_id(struct vsctl_context *ctx)
{
    const char *key = ctx->argc >= 3 ? ctx->argv[2] : NULL;
    const struct ovsdb_idl_row *row;
    const struct ovsdb_idl_column *column;
    struct smap map = SMAP_INITIALIZER(&map);
    const char *prefix;

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    if (br->br_cfg) {
        row = br->br_cfg;
        column = vsctl_col(ctx, VSCTL_C_BRIDGE_EXTERNAL_IDS);
        prefix = "";
    } else {
        row = fake_bridge_port(ctx, ctx->argv[1])->port_cfg;
        column = vsctl_col(ctx, VSCTL_C_PORT_EXTERNAL_IDS);
        prefix = "fake-bridge-";
    }
    ovsdb_idl_txn_verify(row, column);
    vsctl_read_smap(row, column, &map);

    if (key) {
        char *full_key = xasprintf("%s%s", prefix, key);
        const char *value = smap_get(&map, full_key);
        if (value) {
            ds_put_format(ctx->output, "%s\n", value);
        }
        free(full_key);
    } else {
        const struct smap_node **sorted = smap_sort(&map);
        size_t prefix_len = strlen(prefix);
        for (size_t i = 0; i < smap_count(&map); i++) {
            if (!strncmp(sorted[i]->key, prefix, prefix_len)) {
                ds_put_format(ctx->output, "%s=%s\n",
                              sorted[i]->key + prefix_len, sorted[i]->value);
            }
        }
        free(sorted);
    }
    smap_destroy(&map);
}

/* ---- Ports and bonds. ---- */

static const struct ovsdb_idl_row *
bridge_row(const struct vsctl_bridge *br)
{
    return br->parent ? br->parent->br_cfg : br->br_cfg;
}

static void
cmd_list_ports(struct vsctl_context *ctx)
{
    struct vsctl_port *port;

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    ovsdb_idl_txn_verify(bridge_row(br), vsctl_col(ctx,
                                                   VSCTL_C_BRIDGE_PORTS));

    const char **names = xmalloc((plx_list_size(&br->ports) + 1)
                                 * sizeof *names);
    size_t n = 0;
    LIST_FOR_EACH (port, bridge_node, &br->ports) {
        if (strcmp(port->name, br->name)) {
            names[n++] = port->name;
        }
    }
    output_sorted(names, n, ctx->output);
}

static int
compare_strings_p(const void *a, const void *b)
{
    return compare_strings(a, b);
}

static void
add_port(struct vsctl_context *ctx, const char *br_name,
         const char *port_name, bool may_exist, bool fake_iface,
         char *iface_names[], int n_ifaces, char *settings[],
         int n_settings)
{
    if (!port_name[0]) {
        vsctl_fatal("port name must not be empty string");
    }
    for (int i = 0; i < n_ifaces; i++) {
        if (!iface_names[i][0]) {
            vsctl_fatal("interface name must not be empty string");
        }
    }

    vsctl_context_populate_cache(ctx);
    if (may_exist) {
        struct vsctl_port *port = vsctl_find_port(ctx, port_name, false);
        if (port) {
            const char **want = xmalloc((n_ifaces + 1) * sizeof *want);
            const char **have = xmalloc((plx_list_size(&port->ifaces) + 1)
                                        * sizeof *have);
            struct vsctl_iface *iface;
            size_t n_have = 0;

            for (int i = 0; i < n_ifaces; i++) {
                want[i] = iface_names[i];
            }
            LIST_FOR_EACH (iface, port_node, &port->ifaces) {
                have[n_have++] = iface->name;
            }
            qsort(want, n_ifaces, sizeof *want, compare_strings_p);
            qsort(have, n_have, sizeof *have, compare_strings_p);

            if (strcmp(port->bridge->name, br_name)) {
                vsctl_fatal("\"%s\" but %s is actually attached to bridge "
                            "%s", context_to_string(ctx), port_name,
                            port->bridge->name);
            }
            bool same = n_have == (size_t) n_ifaces;
            for (size_t i = 0; same && i < n_have; i++) {
                same = !strcmp(want[i], have[i]);
            }
            if (!same) {
                struct ds s = DS_EMPTY_INITIALIZER;
                for (size_t i = 0; i < n_have; i++) {
                    ds_put_format(&s, "%s%s", i ? ", " : "", have[i]);
                }
                vsctl_fatal("\"%s\" but %s actually has interface(s) %s",
                            context_to_string(ctx), port_name, ds_cstr(&s));
            }
            free(want);
            free(have);
            return;
        }
    }
    vsctl_check_conflicts(ctx, port_name,
                          xasprintf("cannot create a port named %s",
                                    port_name));
    for (int i = 0; i < n_ifaces; i++) {
        vsctl_check_conflicts(ctx, iface_names[i],
                              xasprintf("cannot create an interface named "
                                        "%s", iface_names[i]));
    }
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, br_name, true);

    const struct ovsdb_idl_row **ifaces = xmalloc((n_ifaces + 1)
                                                  * sizeof *ifaces);
    for (int i = 0; i < n_ifaces; i++) {
        ifaces[i] = ovsdb_idl_txn_insert(
            ctx->txn, vsctl_table(ctx, VSCTL_T_INTERFACE), NULL);
        vsctl_write_string(ifaces[i], vsctl_col(ctx, VSCTL_C_IFACE_NAME),
                           iface_names[i]);
    }

    const struct ovsdb_idl_table_class *port_table
        = vsctl_table(ctx, VSCTL_T_PORT);
    const struct ovsdb_idl_row *port = ovsdb_idl_txn_insert(ctx->txn,
                                                            port_table, NULL);
    vsctl_write_string(port, vsctl_col(ctx, VSCTL_C_PORT_NAME), port_name);
    vsctl_write_refs(port, vsctl_col(ctx, VSCTL_C_PORT_INTERFACES), ifaces,
                     n_ifaces);
    if (fake_iface) {
        vsctl_write_boolean(port, vsctl_col(ctx,
                                            VSCTL_C_PORT_BOND_FAKE_IFACE),
                            true);
    }
    if (br->parent) {
        int64_t tag = br->vlan;
        vsctl_write_integer(port, vsctl_col(ctx, VSCTL_C_PORT_TAG), &tag);
    }
    for (int i = 0; i < n_settings; i++) {
        vsctl_set_column(ctx, port_table, port, settings[i]);
    }
    vsctl_add_ref(bridge_row(br), vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS),
                  port);

    struct vsctl_port *cached = vsctl_cache_add_port(ctx, br, port);
    for (int i = 0; i < n_ifaces; i++) {
        vsctl_cache_add_iface(ctx, cached, ifaces[i]);
    }
    free(ifaces);
}

static void
cmd_add_port(struct vsctl_context *ctx)
{
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             vsctl_has_option(ctx, "--may-exist"), false, &ctx->argv[2], 1,
             &ctx->argv[3], ctx->argc - 3);
}

static void
cmd_add_bond(struct vsctl_context *ctx)
{
    int n_ifaces = ctx->argc - 3;

    for (int i = 3; i < ctx->argc; i++) {
        if (strchr(ctx->argv[i], '=')) {
            n_ifaces = i - 3;
            break;
        }
    }
    if (n_ifaces < 2) {
        vsctl_fatal("add-bond requires at least 2 interfaces, but only %d "
                    "were specified", n_ifaces);
    }
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             vsctl_has_option(ctx, "--may-exist"),
             vsctl_has_option(ctx, "--fake-iface"), &ctx->argv[3], n_ifaces,
             &ctx->argv[n_ifaces + 3], ctx->argc - 3 - n_ifaces);
}

static void
cmd_add_bond_iface(struct vsctl_context *ctx)
{
    const char *iface_name = ctx->argv[2];

    vsctl_context_populate_cache(ctx);
    struct vsctl_port *port = vsctl_find_port(ctx, ctx->argv[1], true);
    if (vsctl_has_option(ctx, "--may-exist")) {
        struct vsctl_iface *iface = vsctl_find_iface(ctx, iface_name, false);
        if (iface) {
            if (iface->port == port) {
                return;
            }
            vsctl_fatal("\"%s\" but %s is actually attached to port %s",
                        context_to_string(ctx), iface_name,
                        iface->port->name);
        }
    }
    vsctl_check_conflicts(ctx, iface_name,
                          xasprintf("cannot create an interface named %s",
                                    iface_name));

    const struct ovsdb_idl_row *iface = ovsdb_idl_txn_insert(
        ctx->txn, vsctl_table(ctx, VSCTL_T_INTERFACE), NULL);
    vsctl_write_string(iface, vsctl_col(ctx, VSCTL_C_IFACE_NAME),
                       iface_name);
    vsctl_add_ref(port->port_cfg, vsctl_col(ctx, VSCTL_C_PORT_INTERFACES),
                  iface);
    vsctl_cache_add_iface(ctx, port, iface);
}

static void
cmd_del_bond_iface(struct vsctl_context *ctx)
{
    const char *iface_name = ctx->argv[ctx->argc - 1];
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");

    vsctl_context_populate_cache(ctx);
    struct vsctl_iface *iface = vsctl_find_iface(ctx, iface_name,
                                                 must_exist);
    if (!iface) {
        return;
    }
    if (ctx->argc > 2) {
        struct vsctl_port *port = vsctl_find_port(ctx, ctx->argv[1], true);
        if (iface->port != port) {
            vsctl_fatal("port %s does not have an interface %s",
                        ctx->argv[1], iface_name);
        }
    }
    if (plx_list_is_singleton(&iface->port->ifaces)) {
        vsctl_fatal("cannot delete last interface from port %s",
                    iface->port->name);
    }
    vsctl_remove_ref(iface->port->port_cfg,
                     vsctl_col(ctx, VSCTL_C_PORT_INTERFACES),
                     iface->iface_cfg);
    ovsdb_idl_txn_delete(iface->iface_cfg);
    vsctl_context_invalidate_cache(ctx);
}

static void
cmd_del_port(struct vsctl_context *ctx)
{
    bool must_exist = !vsctl_has_option(ctx, "--if-exists");
    bool with_iface = vsctl_has_option(ctx, "--with-iface");
    const char *target = ctx->argv[ctx->argc - 1];
    struct vsctl_port *port;

    vsctl_context_populate_cache(ctx);
    if (vsctl_find_bridge(ctx, target, false)) {
        if (must_exist) {
            vsctl_fatal("cannot delete port %s because it is the local port "
                        "for bridge %s (deleting this port requires deleting "
                        "the entire bridge)", target, target);
        }
        port = NULL;
    } else if (!with_iface) {
        port = vsctl_find_port(ctx, target, must_exist);
    } else {
        port = vsctl_find_port(ctx, target, false);
        if (!port) {
            struct vsctl_iface *iface = vsctl_find_iface(ctx, target, false);
            if (iface) {
                port = iface->port;
            }
        }
        if (must_exist && !port) {
            vsctl_fatal("no port or interface named %s", target);
        }
    }

    if (port) {
        if (ctx->argc == 3) {
            struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1],
                                                        true);
            if (port->bridge != br) {
                if (port->bridge->parent == br) {
                    vsctl_fatal("bridge %s does not have a port %s (although "
                                "its child bridge %s does)", ctx->argv[1],
                                ctx->argv[2], port->bridge->name);
                } else {
                    vsctl_fatal("bridge %s does not have a port %s",
                                ctx->argv[1], ctx->argv[2]);
                }
            }
        }
        vsctl_delete_port(ctx, port);
    }
}

static void
cmd_port_to_br(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_port *port = vsctl_find_port(ctx, ctx->argv[1], true);
    ds_put_format(ctx->output, "%s\n", port->bridge->name);
}

/* ---- Interfaces. ---- */

static void
cmd_list_ifaces(struct vsctl_context *ctx)
{
    struct vsctl_port *port;
    struct vsctl_iface *iface;

    vsctl_context_populate_cache(ctx);
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, ctx->argv[1], true);
    vsctl_verify_ports(ctx);

    const char **names = xmalloc((hmap_count(&ctx->ifaces) + 1)
                                 * sizeof *names);
    size_t n = 0;
    LIST_FOR_EACH (port, bridge_node, &br->ports) {
        LIST_FOR_EACH (iface, port_node, &port->ifaces) {
            if (strcmp(iface->name, br->name)) {
                names[n++] = iface->name;
            }
        }
    }
    output_sorted(names, n, ctx->output);
}

static void
cmd_iface_to_br(struct vsctl_context *ctx)
{
    vsctl_context_populate_cache(ctx);
    struct vsctl_iface *iface = vsctl_find_iface(ctx, ctx->argv[1], true);
    ds_put_format(ctx->output, "%s\n", iface->port->bridge->name);
}

const struct vsctl_command_syntax vsctl_bridge_syntaxes[] = {
    { "init", 0, 0, "", cmd_init, NULL, "", VSCTL_RW },
    { "emer-reset", 0, 0, "", cmd_emer_reset, NULL, "", VSCTL_RW },
    { "add-br", 1, 3, "NEW-BRIDGE [PARENT] [NEW-VLAN]", cmd_add_br, NULL,
      "--may-exist", VSCTL_RW },
    { "del-br", 1, 1, "BRIDGE", cmd_del_br, NULL, "--if-exists", VSCTL_RW },
    { "list-br", 0, 0, "", cmd_list_br, NULL, "--real,--fake", VSCTL_RO },
    { "br-exists", 1, 1, "BRIDGE", cmd_br_exists, NULL, "", VSCTL_RO },
    { "br-to-vlan", 1, 1, "BRIDGE", cmd_br_to_vlan, NULL, "", VSCTL_RO },
    { "br-to-parent", 1, 1, "BRIDGE", cmd_br_to_parent, NULL, "",
      VSCTL_RO },
    { "br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]",
      cmd_br_set_external_id, NULL, "", VSCTL_RW },
    { "br-get-external-id", 1, 2, "BRIDGE [KEY]", cmd_br_get_external_id,
      NULL, "", VSCTL_RO },
    { "list-ports", 1, 1, "BRIDGE", cmd_list_ports, NULL, "", VSCTL_RO },
    { "add-port", 2, INT_MAX, "BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]...",
      cmd_add_port, NULL, "--may-exist", VSCTL_RW },
    { "del-port", 1, 2, "[BRIDGE] PORT|IFACE", cmd_del_port, NULL,
      "--if-exists,--with-iface", VSCTL_RW },
    { "port-to-br", 1, 1, "PORT", cmd_port_to_br, NULL, "", VSCTL_RO },
    { "add-bond", 4, INT_MAX, "BRIDGE BOND IFACE... [COLUMN[:KEY]=VALUE]...",
      cmd_add_bond, NULL, "--may-exist,--fake-iface", VSCTL_RW },
    { "add-bond-iface", 2, 2, "BOND IFACE", cmd_add_bond_iface, NULL,
      "--may-exist", VSCTL_RW },
    { "del-bond-iface", 1, 2, "[BOND] IFACE", cmd_del_bond_iface, NULL,
      "--if-exists", VSCTL_RW },
    { "list-ifaces", 1, 1, "BRIDGE", cmd_list_ifaces, NULL, "", VSCTL_RO },
    { "iface-to-br", 1, 1, "IFACE", cmd_iface_to_br, NULL, "", VSCTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};
