/* vsctl-vm-cmds: plx-vsctl's VM commands (Plexus's own; ovs-vsctl has no
 * VM table):
 *
 *   add-vm VM KERNEL [KEY=VALUE]...    creates VM row VM (keys: initrd,
 *                                      cmdline, memory_mb, cpus,
 *                                      other_config:KEY; see
 *                                      vsctl-vm-parse.h)
 *   del-vm VM                          deletes it and every port whose
 *                                      interfaces are all its NICs
 *   add-vm-port BRIDGE PORT VM [mac=MAC]
 *                                      add-port, with interface PORT of
 *                                      type vm bound to VM by options:vm
 *
 * with --may-exist (add-vm, add-vm-port) and --if-exists (del-vm) as
 * ovs-vsctl's add-br and del-br have them.  The VM table and the columns
 * used are looked up by name in the server's schema, so against a
 * database without them these commands fail with a clear message.
 * add-vm-port does not require VM to exist: a NIC may name a VM that
 * comes later (its Interface's 'error' says so meanwhile). */
#include <config.h>

#include <limits.h>
#include <string.h>

#include "dynamic-string.h"
#include "smap.h"
#include "util.h"
#include "vsctl-commands.h"
#include "vsctl-context.h"
#include "vsctl-vm-parse.h"

static const struct ovsdb_idl_table_class *
vm_table(const struct vsctl_context *ctx)
{
    const struct ovsdb_idl_table_class *table
        = ovsdb_idl_class_get_table(ctx->schema->class, "VM");
    if (!table) {
        vsctl_fatal("database schema has no VM table (not a Plexus "
                    "database?)");
    }
    return table;
}

static const struct ovsdb_idl_column *
column(const struct ovsdb_idl_table_class *table, const char *name)
{
    const struct ovsdb_idl_column *c
        = ovsdb_idl_table_class_get_column(table, name);
    if (!c) {
        vsctl_fatal("database schema has no column %s in table %s", name,
                    table->name);
    }
    return c;
}

static const struct ovsdb_idl_column *
iface_column(const struct vsctl_context *ctx, const char *name)
{
    return column(vsctl_table(ctx, VSCTL_T_INTERFACE), name);
}

/* True if IFACE is of type vm and bound to VM_NAME by options:vm
 * (verifying what it read). */
static bool
iface_is_nic_of(const struct vsctl_context *ctx,
                const struct ovsdb_idl_row *iface, const char *vm_name)
{
    const struct ovsdb_idl_column *type = vsctl_col(ctx, VSCTL_C_IFACE_TYPE);
    const struct ovsdb_idl_column *options = iface_column(ctx, "options");
    struct smap opts = SMAP_INITIALIZER(&opts);

    ovsdb_idl_txn_verify(iface, type);
    ovsdb_idl_txn_verify(iface, options);
    const char *t = vsctl_read_string(iface, type);
    vsctl_read_smap(iface, options, &opts);
    const char *bound = smap_get(&opts, "vm");
    bool is_nic = t && !strcmp(t, "vm") && bound && !strcmp(bound, vm_name);
    smap_destroy(&opts);
    return is_nic;
}

static void
cmd_add_vm(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_table_class *table = vm_table(ctx);
    const char *name = ctx->argv[1];
    const char *kernel = ctx->argv[2];
    struct vsctl_vm_settings s;

    if (!name[0]) {
        vsctl_fatal("VM name must not be empty string");
    }
    if (strchr(name, '/')) {
        vsctl_fatal("VM name %s must not contain \"/\"", name);
    }
    if (!kernel[0]) {
        vsctl_fatal("kernel must not be empty string");
    }
    vsctl_vm_settings_init(&s);
    for (int i = 3; i < ctx->argc; i++) {
        vsctl_die_if_error(vsctl_vm_parse_setting(&s, ctx->argv[i]));
    }

    if (vsctl_get_row(ctx, table, name, false)) {
        vsctl_vm_settings_destroy(&s);
        if (vsctl_has_option(ctx, "--may-exist")) {
            return;
        }
        vsctl_fatal("cannot create a VM named %s because a VM named %s "
                    "already exists", name, name);
    }

    const struct ovsdb_idl_row *vm = ovsdb_idl_txn_insert(ctx->txn, table,
                                                          NULL);
    vsctl_write_string(vm, column(table, "name"), name);
    vsctl_write_string(vm, column(table, "kernel"), kernel);
    if (s.initrd) {
        vsctl_write_string(vm, column(table, "initrd"), s.initrd);
    }
    if (s.cmdline) {
        vsctl_write_string(vm, column(table, "cmdline"), s.cmdline);
    }
    if (s.memory_mb) {
        vsctl_write_integer(vm, column(table, "memory_mb"), &s.memory_mb);
    }
    if (s.cpus) {
        vsctl_write_integer(vm, column(table, "cpus"), &s.cpus);
    }
    if (!smap_is_empty(&s.other_config)) {
        vsctl_write_smap(vm, column(table, "other_config"),
                         &s.other_config);
    }
    vsctl_vm_settings_destroy(&s);
}

static void
cmd_del_vm(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_table_class *table = vm_table(ctx);
    const char *name = ctx->argv[1];
    const struct ovsdb_idl_row *vm
        = vsctl_get_row(ctx, table, name, !vsctl_has_option(ctx,
                                                            "--if-exists"));
    if (!vm) {
        return;
    }

    vsctl_context_populate_cache(ctx);
    vsctl_verify_ports(ctx);
    struct vsctl_port *port;
    HMAP_FOR_EACH_SAFE (port, node, &ctx->ports) {
        struct vsctl_iface *iface;
        bool all_nics = !plx_list_is_empty(&port->ifaces);

        LIST_FOR_EACH (iface, port_node, &port->ifaces) {
            if (!iface_is_nic_of(ctx, iface->iface_cfg, name)) {
                all_nics = false;
                break;
            }
        }
        if (all_nics) {
            vsctl_delete_port(ctx, port);
        }
    }
    ovsdb_idl_txn_delete(vm);
}

static void
cmd_add_vm_port(struct vsctl_context *ctx)
{
    const char *br_name = ctx->argv[1];
    const char *port_name = ctx->argv[2];
    const char *vm_name = ctx->argv[3];
    struct eth_addr mac;
    bool has_mac = false;

    if (!port_name[0]) {
        vsctl_fatal("port name must not be empty string");
    }
    if (!vm_name[0]) {
        vsctl_fatal("VM name must not be empty string");
    }
    if (ctx->argc > 4) {
        vsctl_die_if_error(vsctl_vm_parse_mac(ctx->argv[4], &mac));
        has_mac = true;
    }

    vsctl_context_populate_cache(ctx);
    if (vsctl_has_option(ctx, "--may-exist")) {
        struct vsctl_port *port = vsctl_find_port(ctx, port_name, false);
        if (port) {
            struct vsctl_iface *iface;

            if (strcmp(port->bridge->name, br_name)) {
                vsctl_fatal("\"--may-exist add-vm-port %s %s %s\" but %s is "
                            "actually attached to bridge %s", br_name,
                            port_name, vm_name, port_name,
                            port->bridge->name);
            }
            if (!plx_list_is_singleton(&port->ifaces)) {
                vsctl_fatal("\"--may-exist add-vm-port %s %s %s\" but %s "
                            "has several interfaces", br_name, port_name,
                            vm_name, port_name);
            }
            iface = CONTAINER_OF(plx_list_front(&port->ifaces),
                                 struct vsctl_iface, port_node);
            if (strcmp(iface->name, port_name)
                || !iface_is_nic_of(ctx, iface->iface_cfg, vm_name)) {
                vsctl_fatal("\"--may-exist add-vm-port %s %s %s\" but %s is "
                            "not a NIC of VM %s", br_name, port_name,
                            vm_name, port_name, vm_name);
            }
            return;
        }
    }
    vsctl_check_conflicts(ctx, port_name,
                          xasprintf("cannot create a port named %s",
                                    port_name));
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, br_name, true);

    const struct ovsdb_idl_row *iface = ovsdb_idl_txn_insert(
        ctx->txn, vsctl_table(ctx, VSCTL_T_INTERFACE), NULL);
    struct smap options = SMAP_INITIALIZER(&options);
    smap_add(&options, "vm", vm_name);
    vsctl_write_string(iface, vsctl_col(ctx, VSCTL_C_IFACE_NAME), port_name);
    vsctl_write_string(iface, vsctl_col(ctx, VSCTL_C_IFACE_TYPE), "vm");
    vsctl_write_smap(iface, iface_column(ctx, "options"), &options);
    smap_destroy(&options);
    if (has_mac) {
        char s[18];
        snprintf(s, sizeof s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
        vsctl_write_string(iface, iface_column(ctx, "mac"), s);
    }

    const struct ovsdb_idl_row *port = ovsdb_idl_txn_insert(
        ctx->txn, vsctl_table(ctx, VSCTL_T_PORT), NULL);
    vsctl_write_string(port, vsctl_col(ctx, VSCTL_C_PORT_NAME), port_name);
    vsctl_write_refs(port, vsctl_col(ctx, VSCTL_C_PORT_INTERFACES), &iface,
                     1);
    if (br->parent) {
        int64_t tag = br->vlan;
        vsctl_write_integer(port, vsctl_col(ctx, VSCTL_C_PORT_TAG), &tag);
    }
    vsctl_add_ref(br->parent ? br->parent->br_cfg : br->br_cfg,
                  vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS), port);

    struct vsctl_port *cached = vsctl_cache_add_port(ctx, br, port);
    vsctl_cache_add_iface(ctx, cached, iface);
}

const struct vsctl_command_syntax vsctl_vm_syntaxes[] = {
    { "add-vm", 2, INT_MAX, "VM KERNEL [KEY=VALUE]...", cmd_add_vm, NULL,
      "--may-exist", VSCTL_RW },
    { "del-vm", 1, 1, "VM", cmd_del_vm, NULL, "--if-exists", VSCTL_RW },
    { "add-vm-port", 3, 4, "BRIDGE PORT VM [mac=MAC]", cmd_add_vm_port,
      NULL, "--may-exist", VSCTL_RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};
