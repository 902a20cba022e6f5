/*
 * vsctl-context: schema binding, column helpers and the bridge/port/
 * interface cache of plx-vsctl.  See vsctl-context.h.
 */
#include <config.h>

#include "vsctl-context.h"

#include <stdarg.h>
#include <string.h>
#include "dynamic-string.h"
#include "hash.h"
#include "sset.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vsctl_context);

static const char *const table_names[VSCTL_N_TABLES] = {
#define VSCTL_TABLE(ID, NAME) NAME,
    VSCTL_TABLES
#undef VSCTL_TABLE
};

static const struct {
    enum vsctl_table_id table;
    const char *name;
} column_names[VSCTL_N_COLUMNS] = {
#define VSCTL_COLUMN(ID, TABLE, NAME) { VSCTL_T_##TABLE, NAME },
    VSCTL_COLUMNS
#undef VSCTL_COLUMN
};

void
vsctl_schema_bind(struct vsctl_schema *schema,
                  const struct ovsdb_idl_class *class)
{
    memset(schema, 0, sizeof *schema);
    schema->class = class;
    for (size_t i = 0; i < VSCTL_N_TABLES; i++) {
        schema->tables[i] = ovsdb_idl_class_get_table(class, table_names[i]);
    }
    for (size_t i = 0; i < VSCTL_N_COLUMNS; i++) {
        const struct ovsdb_idl_table_class *t
            = schema->tables[column_names[i].table];
        schema->columns[i] = (t ? ovsdb_idl_table_class_get_column(
                                  t, column_names[i].name) : NULL);
    }
}

/* ---- The context. ---- */

void
vsctl_context_init(struct vsctl_context *ctx, struct ovsdb_idl *idl,
                   struct ovsdb_idl_txn *txn,
                   struct ovsdb_symbol_table *symtab,
                   const struct vsctl_schema *schema,
                   const struct ovsdb_idl_row *ovs)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->idl = idl;
    ctx->txn = txn;
    ctx->symtab = symtab;
    ctx->schema = schema;
    ctx->ovs = ovs;
    hmap_init(&ctx->bridges);
    hmap_init(&ctx->ports);
    hmap_init(&ctx->ifaces);
}

void
vsctl_context_set_command(struct vsctl_context *ctx,
                          struct vsctl_command *command)
{
    ctx->command = command;
    ctx->argc = command->argc;
    ctx->argv = command->argv;
    ctx->output = &command->output;
    ctx->verified_ports = false;
}

void
vsctl_context_destroy(struct vsctl_context *ctx)
{
    vsctl_context_invalidate_cache(ctx);
    hmap_destroy(&ctx->bridges);
    hmap_destroy(&ctx->ports);
    hmap_destroy(&ctx->ifaces);
}

void
vsctl_fatal(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *message = xvasprintf(format, args);
    va_end(args);

    VLOG_DBG("%s", message);
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", program_name, message);
    free(message);
    exit(EXIT_FAILURE);
}

void
vsctl_die_if_error(char *error)
{
    if (error) {
        vsctl_fatal("%s", error);
    }
}

bool
vsctl_has_option(const struct vsctl_context *ctx, const char *name)
{
    return vsctl_command_has_option(ctx->command, name);
}

const char *
vsctl_get_option(const struct vsctl_context *ctx, const char *name)
{
    return vsctl_command_get_option(ctx->command, name);
}

const struct ovsdb_idl_table_class *
vsctl_table(const struct vsctl_context *ctx, enum vsctl_table_id id)
{
    const struct ovsdb_idl_table_class *t = ctx->schema->tables[id];
    if (!t) {
        vsctl_fatal("database schema has no table %s", table_names[id]);
    }
    return t;
}

const struct ovsdb_idl_column *
vsctl_col(const struct vsctl_context *ctx, enum vsctl_column_id id)
{
    const struct ovsdb_idl_column *c = ctx->schema->columns[id];
    if (!c) {
        vsctl_fatal("database schema has no column %s in table %s",
                    column_names[id].name, table_names[column_names[id].table]);
    }
    return c;
}

/* ---- Reading and writing columns. ---- */

const char *
vsctl_read_string(const struct ovsdb_idl_row *row,
                  const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    return (d->n && column->type->key.type == OVSDB_TYPE_STRING
            ? d->keys[0].string : NULL);
}

bool
vsctl_read_integer(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_column *column, int64_t *value)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    if (d->n && column->type->key.type == OVSDB_TYPE_INTEGER) {
        *value = d->keys[0].integer;
        return true;
    }
    return false;
}

bool
vsctl_read_boolean(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    return (d->n && column->type->key.type == OVSDB_TYPE_BOOLEAN
            && d->keys[0].boolean);
}

void
vsctl_read_smap(const struct ovsdb_idl_row *row,
                const struct ovsdb_idl_column *column, struct smap *smap)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    if (column->type->key.type == OVSDB_TYPE_STRING
        && column->type->value.type == OVSDB_TYPE_STRING) {
        for (size_t i = 0; i < d->n; i++) {
            smap_add(smap, d->keys[i].string, d->values[i].string);
        }
    }
}

size_t
vsctl_read_refs(const struct vsctl_context *ctx,
                const struct ovsdb_idl_row *row,
                const struct ovsdb_idl_column *column,
                const struct ovsdb_idl_row ***rowsp)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    const struct ovsdb_base_type *key = &column->type->key;
    const struct ovsdb_idl_table_class *ref_table = NULL;
    size_t n = 0;

    *rowsp = xmalloc((d->n ? d->n : 1) * sizeof **rowsp);
    if (ovsdb_base_type_is_ref(key)) {
        ref_table = ovsdb_idl_class_get_table(ctx->schema->class,
                                              key->uuid.refTableName);
    }
    if (ref_table) {
        for (size_t i = 0; i < d->n; i++) {
            const struct ovsdb_idl_row *r
                = ovsdb_idl_get_row_for_uuid(ctx->idl, ref_table,
                                             &d->keys[i].uuid);
            if (r) {
                (*rowsp)[n++] = r;
            }
        }
    }
    return n;
}

static void
write_atom(const struct ovsdb_idl_row *row,
           const struct ovsdb_idl_column *column, const union ovsdb_atom *a)
{
    struct ovsdb_datum d;

    if (a) {
        ovsdb_datum_init_atom(&d, a, NULL, column->type);
    } else {
        ovsdb_datum_init_default(&d, column->type);
    }
    ovsdb_idl_txn_write(row, column, &d);
}

void
vsctl_write_string(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_column *column, const char *s)
{
    union ovsdb_atom a = { .string = (char *) (uintptr_t) s };
    write_atom(row, column, s ? &a : NULL);
}

void
vsctl_write_integer(const struct ovsdb_idl_row *row,
                    const struct ovsdb_idl_column *column,
                    const int64_t *value)
{
    union ovsdb_atom a = { .integer = value ? *value : 0 };
    write_atom(row, column, value ? &a : NULL);
}

void
vsctl_write_boolean(const struct ovsdb_idl_row *row,
                    const struct ovsdb_idl_column *column, bool b)
{
    union ovsdb_atom a = { .boolean = b };
    write_atom(row, column, &a);
}

void
vsctl_write_smap(const struct ovsdb_idl_row *row,
                 const struct ovsdb_idl_column *column,
                 const struct smap *smap)
{
    struct ovsdb_datum d;
    const struct smap_node *node;

    ovsdb_datum_init_empty(&d);
    SMAP_FOR_EACH (node, smap) {
        union ovsdb_atom k = { .string = node->key };
        union ovsdb_atom v = { .string = node->value };
        ovsdb_datum_add_unsafe(&d, &k, &v, column->type);
    }
    ovsdb_datum_sort_unique(&d, column->type);
    ovsdb_idl_txn_write(row, column, &d);
}

void
vsctl_write_refs(const struct ovsdb_idl_row *row,
                 const struct ovsdb_idl_column *column,
                 const struct ovsdb_idl_row *const *rows, size_t n)
{
    struct ovsdb_datum d;

    ovsdb_datum_init_empty(&d);
    for (size_t i = 0; i < n; i++) {
        union ovsdb_atom a = { .uuid = rows[i]->uuid };
        ovsdb_datum_add_unsafe(&d, &a, NULL, column->type);
    }
    ovsdb_datum_sort_unique(&d, column->type);
    ovsdb_idl_txn_write(row, column, &d);
}

void
vsctl_add_ref(const struct ovsdb_idl_row *row,
              const struct ovsdb_idl_column *column,
              const struct ovsdb_idl_row *ref)
{
    struct ovsdb_datum d;
    union ovsdb_atom a = { .uuid = ref->uuid };

    ovsdb_datum_clone(&d, ovsdb_idl_read(row, column), column->type);
    ovsdb_datum_add_unsafe(&d, &a, NULL, column->type);
    ovsdb_datum_sort_unique(&d, column->type);
    ovsdb_idl_txn_write(row, column, &d);
}

void
vsctl_remove_ref(const struct ovsdb_idl_row *row,
                 const struct ovsdb_idl_column *column,
                 const struct ovsdb_idl_row *ref)
{
    struct ovsdb_datum d;
    union ovsdb_atom a = { .uuid = ref->uuid };

    ovsdb_datum_clone(&d, ovsdb_idl_read(row, column), column->type);
    unsigned int idx = ovsdb_datum_find_key(&d, &a, OVSDB_TYPE_UUID);
    if (idx != UINT_MAX) {
        ovsdb_datum_remove_unsafe(&d, idx, column->type);
        ovsdb_datum_sort_unique(&d, column->type);
    }
    ovsdb_idl_txn_write(row, column, &d);
}

void
vsctl_write_default(const struct ovsdb_idl_row *row,
                    const struct ovsdb_idl_column *column)
{
    write_atom(row, column, NULL);
}

/* ---- The cache. ---- */

static uint32_t
name_hash(const char *name)
{
    return hash_string(name, 0);
}

static struct vsctl_bridge *
cache_get_bridge(const struct vsctl_context *ctx, const char *name)
{
    struct vsctl_bridge *br;
    HMAP_FOR_EACH_WITH_HASH (br, node, name_hash(name), &ctx->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static struct vsctl_port *
cache_get_port(const struct vsctl_context *ctx, const char *name)
{
    struct vsctl_port *port;
    HMAP_FOR_EACH_WITH_HASH (port, node, name_hash(name), &ctx->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

static struct vsctl_iface *
cache_get_iface(const struct vsctl_context *ctx, const char *name)
{
    struct vsctl_iface *iface;
    HMAP_FOR_EACH_WITH_HASH (iface, node, name_hash(name), &ctx->ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

struct vsctl_bridge *
vsctl_find_vlan_bridge(struct vsctl_bridge *parent, int vlan)
{
    struct vsctl_bridge *child;
    LIST_FOR_EACH (child, child_node, &parent->children) {
        if (child->vlan == vlan) {
            return child;
        }
    }
    return NULL;
}

static struct vsctl_bridge *
cache_add_bridge(struct vsctl_context *ctx,
                 const struct ovsdb_idl_row *br_cfg, const char *name,
                 struct vsctl_bridge *parent, int vlan)
{
    struct vsctl_bridge *br = xzalloc(sizeof *br);

    br->br_cfg = br_cfg;
    br->name = xstrdup(name);
    plx_list_init(&br->ports);
    plx_list_init(&br->children);
    plx_list_init(&br->child_node);
    br->parent = parent;
    br->vlan = vlan;
    if (parent) {
        struct vsctl_bridge *conflict = vsctl_find_vlan_bridge(parent, vlan);
        if (conflict) {
            VLOG_WARN("%s: bridge has multiple VLAN bridges (%s and %s) "
                      "for VLAN %d, but only one is allowed",
                      parent->name, name, conflict->name, vlan);
        } else {
            plx_list_push_back(&parent->children, &br->child_node);
        }
    }
    hmap_insert(&ctx->bridges, &br->node, name_hash(br->name));
    return br;
}

struct vsctl_port *
vsctl_cache_add_port(struct vsctl_context *ctx, struct vsctl_bridge *parent,
                     const struct ovsdb_idl_row *port_cfg)
{
    int64_t tag;

    if (vsctl_read_integer(port_cfg, vsctl_col(ctx, VSCTL_C_PORT_TAG), &tag)
        && tag >= 0 && tag <= 4095) {
        struct vsctl_bridge *vlan_bridge = vsctl_find_vlan_bridge(parent,
                                                                  tag);
        if (vlan_bridge) {
            parent = vlan_bridge;
        }
    }

    struct vsctl_port *port = xzalloc(sizeof *port);
    plx_list_push_back(&parent->ports, &port->bridge_node);
    plx_list_init(&port->ifaces);
    port->port_cfg = port_cfg;
    port->name = xstrdup(vsctl_read_string(
                             port_cfg, vsctl_col(ctx, VSCTL_C_PORT_NAME)));
    port->bridge = parent;
    hmap_insert(&ctx->ports, &port->node, name_hash(port->name));
    return port;
}

struct vsctl_iface *
vsctl_cache_add_iface(struct vsctl_context *ctx, struct vsctl_port *parent,
                      const struct ovsdb_idl_row *iface_cfg)
{
    struct vsctl_iface *iface = xzalloc(sizeof *iface);

    plx_list_push_back(&parent->ifaces, &iface->port_node);
    iface->iface_cfg = iface_cfg;
    iface->name = xstrdup(vsctl_read_string(
                              iface_cfg, vsctl_col(ctx, VSCTL_C_IFACE_NAME)));
    iface->port = parent;
    hmap_insert(&ctx->ifaces, &iface->node, name_hash(iface->name));
    return iface;
}

void
vsctl_context_invalidate_cache(struct vsctl_context *ctx)
{
    struct vsctl_bridge *br;
    struct vsctl_port *port;
    struct vsctl_iface *iface;

    if (!ctx->cache_valid) {
        return;
    }
    ctx->cache_valid = false;
    HMAP_FOR_EACH_POP (br, node, &ctx->bridges) {
        free(br->name);
        free(br);
    }
    HMAP_FOR_EACH_POP (port, node, &ctx->ports) {
        free(port->name);
        free(port);
    }
    HMAP_FOR_EACH_POP (iface, node, &ctx->ifaces) {
        free(iface->name);
        free(iface);
    }
}

static bool
port_is_fake_bridge(const struct vsctl_context *ctx,
                    const struct ovsdb_idl_row *port_cfg, int64_t *tag)
{
    return (vsctl_read_boolean(port_cfg,
                               vsctl_col(ctx, VSCTL_C_PORT_FAKE_BRIDGE))
            && vsctl_read_integer(port_cfg, vsctl_col(ctx, VSCTL_C_PORT_TAG),
                                  tag)
            && *tag >= 0 && *tag <= 4095);
}

static const char *
row_name(const struct vsctl_context *ctx, const struct ovsdb_idl_row *row,
         enum vsctl_column_id name_column)
{
    const char *name = vsctl_read_string(row, vsctl_col(ctx, name_column));
    return name ? name : "";
}

void
vsctl_context_populate_cache(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_column *ovs_bridges
        = vsctl_col(ctx, VSCTL_C_OVS_BRIDGES);
    const struct ovsdb_idl_column *br_ports
        = vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS);
    const struct ovsdb_idl_column *port_ifaces
        = vsctl_col(ctx, VSCTL_C_PORT_INTERFACES);
    const struct ovsdb_idl_row **bridges;
    struct sset bridge_names, port_names;
    size_t n_bridges;

    if (ctx->cache_valid) {
        return;
    }
    ctx->cache_valid = true;
    n_bridges = vsctl_read_refs(ctx, ctx->ovs, ovs_bridges, &bridges);

    /* First pass: real bridges, and fake bridges from their ports. */
    sset_init(&bridge_names);
    sset_init(&port_names);
    for (size_t i = 0; i < n_bridges; i++) {
        const char *br_name = row_name(ctx, bridges[i], VSCTL_C_BRIDGE_NAME);
        const struct ovsdb_idl_row **ports;

        if (!sset_add(&bridge_names, br_name)) {
            VLOG_WARN("%s: database contains duplicate bridge name",
                      br_name);
            continue;
        }
        struct vsctl_bridge *br = cache_add_bridge(ctx, bridges[i], br_name,
                                                   NULL, 0);
        size_t n_ports = vsctl_read_refs(ctx, bridges[i], br_ports, &ports);
        for (size_t j = 0; j < n_ports; j++) {
            const char *port_name = row_name(ctx, ports[j],
                                             VSCTL_C_PORT_NAME);
            int64_t tag;

            if (!sset_add(&port_names, port_name)) {
                continue;       /* Duplicate: warned about below. */
            }
            if (port_is_fake_bridge(ctx, ports[j], &tag)
                && sset_add(&bridge_names, port_name)) {
                cache_add_bridge(ctx, NULL, port_name, br, tag);
            }
        }
        free(ports);
    }
    sset_destroy(&bridge_names);
    sset_destroy(&port_names);

    /* Second pass: ports and interfaces. */
    sset_init(&bridge_names);
    for (size_t i = 0; i < n_bridges; i++) {
        const char *br_name = row_name(ctx, bridges[i], VSCTL_C_BRIDGE_NAME);
        const struct ovsdb_idl_row **ports;

        if (!sset_add(&bridge_names, br_name)) {
            continue;
        }
        struct vsctl_bridge *br = cache_get_bridge(ctx, br_name);
        size_t n_ports = vsctl_read_refs(ctx, bridges[i], br_ports, &ports);
        for (size_t j = 0; j < n_ports; j++) {
            const char *port_name = row_name(ctx, ports[j],
                                             VSCTL_C_PORT_NAME);
            struct vsctl_port *port = cache_get_port(ctx, port_name);
            int64_t tag;

            if (port) {
                if (ports[j] == port->port_cfg) {
                    VLOG_WARN("%s: port is in multiple bridges (%s and %s)",
                              port_name, br->name, port->bridge->name);
                } else {
                    VLOG_ERR("%s: database contains duplicate port name",
                             port_name);
                }
                continue;
            }
            if (port_is_fake_bridge(ctx, ports[j], &tag)
                && !sset_add(&bridge_names, port_name)) {
                continue;
            }

            port = vsctl_cache_add_port(ctx, br, ports[j]);
            const struct ovsdb_idl_row **ifaces;
            size_t n_ifaces = vsctl_read_refs(ctx, ports[j], port_ifaces,
                                              &ifaces);
            for (size_t k = 0; k < n_ifaces; k++) {
                const char *iface_name = row_name(ctx, ifaces[k],
                                                  VSCTL_C_IFACE_NAME);
                struct vsctl_iface *iface = cache_get_iface(ctx, iface_name);
                if (iface) {
                    if (ifaces[k] == iface->iface_cfg) {
                        VLOG_WARN("%s: interface is in multiple ports "
                                  "(%s and %s)", iface_name,
                                  iface->port->name, port->name);
                    } else {
                        VLOG_ERR("%s: database contains duplicate "
                                 "interface name", iface_name);
                    }
                    continue;
                }
                vsctl_cache_add_iface(ctx, port, ifaces[k]);
            }
            free(ifaces);
        }
        free(ports);
    }
    sset_destroy(&bridge_names);
    free(bridges);
}

void
vsctl_verify_ports(struct vsctl_context *ctx)
{
    const struct ovsdb_idl_row *row;

    if (ctx->verified_ports) {
        return;
    }
    ovsdb_idl_txn_verify(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_BRIDGES));
    OVSDB_IDL_FOR_EACH_ROW (row, vsctl_table(ctx, VSCTL_T_BRIDGE),
                            ctx->idl) {
        ovsdb_idl_txn_verify(row, vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS));
    }
    OVSDB_IDL_FOR_EACH_ROW (row, vsctl_table(ctx, VSCTL_T_PORT), ctx->idl) {
        ovsdb_idl_txn_verify(row, vsctl_col(ctx, VSCTL_C_PORT_INTERFACES));
    }
    ctx->verified_ports = true;
}

struct vsctl_bridge *
vsctl_find_bridge(struct vsctl_context *ctx, const char *name,
                  bool must_exist)
{
    plx_assert(ctx->cache_valid);
    struct vsctl_bridge *br = cache_get_bridge(ctx, name);
    if (must_exist && !br) {
        vsctl_fatal("no bridge named %s", name);
    }
    ovsdb_idl_txn_verify(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_BRIDGES));
    return br;
}

struct vsctl_bridge *
vsctl_find_real_bridge(struct vsctl_context *ctx, const char *name,
                       bool must_exist)
{
    struct vsctl_bridge *br = vsctl_find_bridge(ctx, name, must_exist);
    if (br && br->parent) {
        vsctl_fatal("%s is a fake bridge", name);
    }
    return br;
}

struct vsctl_port *
vsctl_find_port(struct vsctl_context *ctx, const char *name, bool must_exist)
{
    plx_assert(ctx->cache_valid);
    struct vsctl_port *port = cache_get_port(ctx, name);
    if (port && !strcmp(name, port->bridge->name)) {
        port = NULL;            /* A bridge's local port is not a port. */
    }
    if (must_exist && !port) {
        vsctl_fatal("no port named %s", name);
    }
    vsctl_verify_ports(ctx);
    return port;
}

struct vsctl_iface *
vsctl_find_iface(struct vsctl_context *ctx, const char *name,
                 bool must_exist)
{
    plx_assert(ctx->cache_valid);
    struct vsctl_iface *iface = cache_get_iface(ctx, name);
    if (iface && !strcmp(name, iface->port->bridge->name)) {
        iface = NULL;
    }
    if (must_exist && !iface) {
        vsctl_fatal("no interface named %s", name);
    }
    vsctl_verify_ports(ctx);
    return iface;
}

void
vsctl_check_conflicts(struct vsctl_context *ctx, const char *name,
                      char *msg)
{
    vsctl_verify_ports(ctx);
    if (cache_get_bridge(ctx, name)) {
        vsctl_fatal("%s because a bridge named %s already exists", msg,
                    name);
    }
    struct vsctl_port *port = cache_get_port(ctx, name);
    if (port) {
        vsctl_fatal("%s because a port named %s already exists on bridge %s",
                    msg, name, port->bridge->name);
    }
    struct vsctl_iface *iface = cache_get_iface(ctx, name);
    if (iface) {
        vsctl_fatal("%s because an interface named %s already exists on "
                    "bridge %s", msg, name, iface->port->bridge->name);
    }
    free(msg);
}

static void
cache_del_iface(struct vsctl_context *ctx, struct vsctl_iface *iface)
{
    plx_list_remove(&iface->port_node);
    hmap_remove(&ctx->ifaces, &iface->node);
    ovsdb_idl_txn_delete(iface->iface_cfg);
    free(iface->name);
    free(iface);
}

void
vsctl_delete_port(struct vsctl_context *ctx, struct vsctl_port *port)
{
    struct vsctl_bridge *br = port->bridge->parent ? port->bridge->parent
                                                   : port->bridge;
    struct vsctl_iface *iface;

    vsctl_remove_ref(br->br_cfg, vsctl_col(ctx, VSCTL_C_BRIDGE_PORTS),
                     port->port_cfg);
    LIST_FOR_EACH_SAFE (iface, port_node, &port->ifaces) {
        cache_del_iface(ctx, iface);
    }
    plx_list_remove(&port->bridge_node);
    hmap_remove(&ctx->ports, &port->node);
    ovsdb_idl_txn_delete(port->port_cfg);
    free(port->name);
    free(port);
}

void
vsctl_delete_bridge(struct vsctl_context *ctx, struct vsctl_bridge *br)
{
    struct vsctl_bridge *child;
    struct vsctl_port *port;

    LIST_FOR_EACH_SAFE (child, child_node, &br->children) {
        vsctl_delete_bridge(ctx, child);
    }
    LIST_FOR_EACH_SAFE (port, bridge_node, &br->ports) {
        vsctl_delete_port(ctx, port);
    }

    if (br->br_cfg) {
        /* Flow_Sample_Collector_Set rows are roots that refer to their
         * bridge: they go with it. */
        const struct ovsdb_idl_table_class *fscs
            = ctx->schema->tables[VSCTL_T_FSCS];
        const struct ovsdb_idl_column *fscs_bridge
            = ctx->schema->columns[VSCTL_C_FSCS_BRIDGE];
        if (fscs && fscs_bridge) {
            const struct ovsdb_idl_row *row, *next;
            for (row = ovsdb_idl_first_row(ctx->idl, fscs); row;
                 row = next) {
                const struct ovsdb_datum *d = ovsdb_idl_read(row,
                                                             fscs_bridge);
                next = ovsdb_idl_next_row(row);
                if (d->n == 1 && uuid_equals(&d->keys[0].uuid,
                                             &br->br_cfg->uuid)) {
                    ovsdb_idl_txn_delete(row);
                }
            }
        }
        ovsdb_idl_txn_delete(br->br_cfg);
        vsctl_remove_ref(ctx->ovs, vsctl_col(ctx, VSCTL_C_OVS_BRIDGES),
                         br->br_cfg);
    }

    if (br->parent) {
        plx_list_remove(&br->child_node);
    }
    hmap_remove(&ctx->bridges, &br->node);
    free(br->name);
    free(br);
}
