/*
 * vsctl-context: what a plx-vsctl command runs with.
 *
 * plx-vsctl knows no schema at build time: it reads the server's schema,
 * builds an IDL class from it (ovsdb_idl_class_create()) and binds by
 * name the tables and columns that its switch-level commands (add-br,
 * set-controller, ...) use.  A database without one of them still serves
 * the generic commands (list, set, ...); a switch-level command that
 * needs a missing one fails with "database schema has no column ...".
 * Rows are read and written only through the generic IDL API
 * (ovsdb_idl_read(), ovsdb_idl_txn_write(), ...); the helpers here wrap
 * the common shapes (a string, an optional integer, a set of references,
 * a string map).
 *
 * A struct vsctl_context lives for one attempt at running all commands:
 * one IDL transaction.  Before each command, plx-vsctl points 'command',
 * 'argc', 'argv' and 'output' at it.  A command reports a user error with
 * vsctl_fatal(), which prints "plx-vsctl: MESSAGE" and exits with status
 * 1 (the transaction was never committed, so nothing changed), or sets
 * 'try_again' (wait-until) to be rerun when the database changes.
 *
 * The cache.  Bridge, port and interface commands see the database as
 * ovs-vsctl does: bridges, including "fake" bridges (a Port with
 * fake_bridge=true and a tag in 0...4095, standing for a VLAN of its
 * parent bridge), their ports (a port tagged with a fake bridge's VLAN
 * belongs to that fake bridge) and the ports' interfaces, all by name.
 * vsctl_context_populate_cache() builds it from the replica and the open
 * transaction; a command that changes the database in ways it does not
 * mirror into the cache calls vsctl_context_invalidate_cache().
 * Duplicate names (which the schema's indexes should prevent) are logged
 * and the later row ignored, as ovs-vsctl does.
 *
 * Verification.  Whatever a command's result depends on is verified
 * (ovsdb_idl_txn_verify()), so that a concurrent change makes the commit
 * fail with "try again" instead of acting on stale data: finding a bridge
 * verifies Open_vSwitch.bridges, finding a port or interface verifies
 * every bridge's ports and every port's interfaces.
 */
#ifndef PLX_VSCTL_CONTEXT_H
#define PLX_VSCTL_CONTEXT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "list.h"
#include "ovsdb/ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "vsctl-parse.h"

struct ds;

#define VSCTL_TABLES                                            \
    VSCTL_TABLE(OPEN_VSWITCH, "Open_vSwitch")                   \
    VSCTL_TABLE(BRIDGE, "Bridge")                               \
    VSCTL_TABLE(PORT, "Port")                                   \
    VSCTL_TABLE(INTERFACE, "Interface")                         \
    VSCTL_TABLE(CONTROLLER, "Controller")                       \
    VSCTL_TABLE(MANAGER, "Manager")                             \
    VSCTL_TABLE(SSL, "SSL")                                     \
    VSCTL_TABLE(MIRROR, "Mirror")                               \
    VSCTL_TABLE(NETFLOW, "NetFlow")                             \
    VSCTL_TABLE(SFLOW, "sFlow")                                 \
    VSCTL_TABLE(IPFIX, "IPFIX")                                 \
    VSCTL_TABLE(FSCS, "Flow_Sample_Collector_Set")

enum vsctl_table_id {
#define VSCTL_TABLE(ID, NAME) VSCTL_T_##ID,
    VSCTL_TABLES
#undef VSCTL_TABLE
    VSCTL_N_TABLES
};

#define VSCTL_COLUMNS                                                   \
    VSCTL_COLUMN(OVS_BRIDGES, OPEN_VSWITCH, "bridges")                  \
    VSCTL_COLUMN(OVS_MANAGER_OPTIONS, OPEN_VSWITCH, "manager_options")  \
    VSCTL_COLUMN(OVS_SSL, OPEN_VSWITCH, "ssl")                          \
    VSCTL_COLUMN(OVS_NEXT_CFG, OPEN_VSWITCH, "next_cfg")                \
    VSCTL_COLUMN(OVS_CUR_CFG, OPEN_VSWITCH, "cur_cfg")                  \
    VSCTL_COLUMN(BRIDGE_NAME, BRIDGE, "name")                           \
    VSCTL_COLUMN(BRIDGE_PORTS, BRIDGE, "ports")                         \
    VSCTL_COLUMN(BRIDGE_CONTROLLER, BRIDGE, "controller")               \
    VSCTL_COLUMN(BRIDGE_FAIL_MODE, BRIDGE, "fail_mode")                 \
    VSCTL_COLUMN(BRIDGE_MIRRORS, BRIDGE, "mirrors")                     \
    VSCTL_COLUMN(BRIDGE_NETFLOW, BRIDGE, "netflow")                     \
    VSCTL_COLUMN(BRIDGE_SFLOW, BRIDGE, "sflow")                         \
    VSCTL_COLUMN(BRIDGE_IPFIX, BRIDGE, "ipfix")                         \
    VSCTL_COLUMN(BRIDGE_FLOOD_VLANS, BRIDGE, "flood_vlans")             \
    VSCTL_COLUMN(BRIDGE_OTHER_CONFIG, BRIDGE, "other_config")           \
    VSCTL_COLUMN(BRIDGE_EXTERNAL_IDS, BRIDGE, "external_ids")           \
    VSCTL_COLUMN(PORT_NAME, PORT, "name")                               \
    VSCTL_COLUMN(PORT_INTERFACES, PORT, "interfaces")                   \
    VSCTL_COLUMN(PORT_TAG, PORT, "tag")                                 \
    VSCTL_COLUMN(PORT_FAKE_BRIDGE, PORT, "fake_bridge")                 \
    VSCTL_COLUMN(PORT_BOND_FAKE_IFACE, PORT, "bond_fake_iface")         \
    VSCTL_COLUMN(PORT_OTHER_CONFIG, PORT, "other_config")               \
    VSCTL_COLUMN(PORT_EXTERNAL_IDS, PORT, "external_ids")               \
    VSCTL_COLUMN(IFACE_NAME, INTERFACE, "name")                         \
    VSCTL_COLUMN(IFACE_TYPE, INTERFACE, "type")                         \
    VSCTL_COLUMN(IFACE_INGRESS_RATE, INTERFACE,                         \
                 "ingress_policing_rate")                               \
    VSCTL_COLUMN(IFACE_INGRESS_BURST, INTERFACE,                        \
                 "ingress_policing_burst")                              \
    VSCTL_COLUMN(CONTROLLER_TARGET, CONTROLLER, "target")               \
    VSCTL_COLUMN(CONTROLLER_INACTIVITY_PROBE, CONTROLLER,               \
                 "inactivity_probe")                                    \
    VSCTL_COLUMN(MANAGER_TARGET, MANAGER, "target")                     \
    VSCTL_COLUMN(MANAGER_INACTIVITY_PROBE, MANAGER, "inactivity_probe") \
    VSCTL_COLUMN(SSL_PRIVATE_KEY, SSL, "private_key")                   \
    VSCTL_COLUMN(SSL_CERTIFICATE, SSL, "certificate")                   \
    VSCTL_COLUMN(SSL_CA_CERT, SSL, "ca_cert")                           \
    VSCTL_COLUMN(SSL_BOOTSTRAP_CA_CERT, SSL, "bootstrap_ca_cert")       \
    VSCTL_COLUMN(FSCS_BRIDGE, FSCS, "bridge")

enum vsctl_column_id {
#define VSCTL_COLUMN(ID, TABLE, NAME) VSCTL_C_##ID,
    VSCTL_COLUMNS
#undef VSCTL_COLUMN
    VSCTL_N_COLUMNS
};

/* The tables and columns above, bound in one IDL class (NULL where the
 * server's schema lacks them). */
struct vsctl_schema {
    const struct ovsdb_idl_class *class;
    const struct ovsdb_idl_table_class *tables[VSCTL_N_TABLES];
    const struct ovsdb_idl_column *columns[VSCTL_N_COLUMNS];
};

void vsctl_schema_bind(struct vsctl_schema *, const struct ovsdb_idl_class *);

/* ---- The cache. ---- */

struct vsctl_bridge {
    struct hmap_node node;          /* In context's 'bridges', by name. */
    const struct ovsdb_idl_row *br_cfg;   /* Bridge row; NULL if fake. */
    char *name;
    struct plx_list ports;          /* struct vsctl_port's 'bridge_node'. */

    /* VLAN ("fake") bridges: 'parent' is nonnull for a fake bridge ('vlan'
     * may be 0 for either kind). */
    struct plx_list children;       /* Fake bridges of a real bridge. */
    struct plx_list child_node;     /* In parent's 'children'. */
    struct vsctl_bridge *parent;
    int vlan;
};

struct vsctl_port {
    struct hmap_node node;          /* In context's 'ports', by name. */
    struct plx_list bridge_node;    /* In bridge's 'ports'. */
    struct plx_list ifaces;         /* struct vsctl_iface's 'port_node'. */
    const struct ovsdb_idl_row *port_cfg;
    char *name;
    struct vsctl_bridge *bridge;
};

struct vsctl_iface {
    struct hmap_node node;          /* In context's 'ifaces', by name. */
    struct plx_list port_node;      /* In port's 'ifaces'. */
    const struct ovsdb_idl_row *iface_cfg;
    char *name;
    struct vsctl_port *port;
};

/* ---- The context. ---- */

struct vsctl_context {
    /* For the whole transaction. */
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn;
    struct ovsdb_symbol_table *symtab;
    const struct vsctl_schema *schema;
    const struct ovsdb_idl_row *ovs;    /* The Open_vSwitch row. */

    /* For the command running now. */
    struct vsctl_command *command;
    int argc;
    char **argv;
    struct ds *output;
    bool try_again;                     /* Rerun when the db changes. */
    bool verified_ports;

    /* The cache (see above). */
    bool cache_valid;
    struct hmap bridges;
    struct hmap ports;
    struct hmap ifaces;
};

void vsctl_context_init(struct vsctl_context *, struct ovsdb_idl *,
                        struct ovsdb_idl_txn *, struct ovsdb_symbol_table *,
                        const struct vsctl_schema *,
                        const struct ovsdb_idl_row *ovs);
void vsctl_context_set_command(struct vsctl_context *,
                               struct vsctl_command *);
void vsctl_context_destroy(struct vsctl_context *);

/* Errors: print "PROGRAM: MESSAGE" on stderr and exit with status 1. */
void vsctl_fatal(const char *format, ...) PLX_PRINTF_FORMAT(1, 2)
    PLX_NO_RETURN;
/* vsctl_fatal("%s", ERROR) if ERROR is nonnull. */
void vsctl_die_if_error(char *error);

/* Option lookups on the running command. */
bool vsctl_has_option(const struct vsctl_context *, const char *name);
const char *vsctl_get_option(const struct vsctl_context *, const char *name);

/* Schema lookups that fail (vsctl_fatal()) if the server lacks them. */
const struct ovsdb_idl_table_class *vsctl_table(const struct vsctl_context *,
                                                enum vsctl_table_id);
const struct ovsdb_idl_column *vsctl_col(const struct vsctl_context *,
                                         enum vsctl_column_id);

/* ---- Reading and writing columns. ---- */

/* The column's single string, or NULL if it has none. */
const char *vsctl_read_string(const struct ovsdb_idl_row *,
                              const struct ovsdb_idl_column *);
/* The column's single integer in '*value', or false if it has none. */
bool vsctl_read_integer(const struct ovsdb_idl_row *,
                        const struct ovsdb_idl_column *, int64_t *value);
bool vsctl_read_boolean(const struct ovsdb_idl_row *,
                        const struct ovsdb_idl_column *);
/* Adds the column's string-to-string pairs to SMAP. */
void vsctl_read_smap(const struct ovsdb_idl_row *,
                     const struct ovsdb_idl_column *, struct smap *);
/* The rows that a reference column points to (visible ones only), in the
 * column's order; the caller frees the array. */
size_t vsctl_read_refs(const struct vsctl_context *,
                       const struct ovsdb_idl_row *,
                       const struct ovsdb_idl_column *,
                       const struct ovsdb_idl_row ***rowsp);

/* S NULL: empty (for an optional column). */
void vsctl_write_string(const struct ovsdb_idl_row *,
                        const struct ovsdb_idl_column *, const char *s);
/* VALUE NULL: empty. */
void vsctl_write_integer(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *,
                         const int64_t *value);
void vsctl_write_boolean(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *, bool);
void vsctl_write_smap(const struct ovsdb_idl_row *,
                      const struct ovsdb_idl_column *, const struct smap *);
void vsctl_write_refs(const struct ovsdb_idl_row *,
                      const struct ovsdb_idl_column *,
                      const struct ovsdb_idl_row *const *rows, size_t n);
/* Adds or removes one reference in a set-of-references column. */
void vsctl_add_ref(const struct ovsdb_idl_row *,
                   const struct ovsdb_idl_column *,
                   const struct ovsdb_idl_row *ref);
void vsctl_remove_ref(const struct ovsdb_idl_row *,
                      const struct ovsdb_idl_column *,
                      const struct ovsdb_idl_row *ref);
/* Clears COLUMN to its default (empty, or the type's default atom). */
void vsctl_write_default(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *);

/* ---- The cache. ---- */

void vsctl_context_populate_cache(struct vsctl_context *);
void vsctl_context_invalidate_cache(struct vsctl_context *);
void vsctl_verify_ports(struct vsctl_context *);

struct vsctl_bridge *vsctl_find_bridge(struct vsctl_context *,
                                       const char *name, bool must_exist);
struct vsctl_bridge *vsctl_find_real_bridge(struct vsctl_context *,
                                            const char *name,
                                            bool must_exist);
struct vsctl_port *vsctl_find_port(struct vsctl_context *, const char *name,
                                   bool must_exist);
struct vsctl_iface *vsctl_find_iface(struct vsctl_context *,
                                     const char *name, bool must_exist);
struct vsctl_bridge *vsctl_find_vlan_bridge(struct vsctl_bridge *parent,
                                            int vlan);
/* Fails with "MSG because a bridge/port/interface named NAME already
 * exists..." if NAME is taken.  Frees MSG. */
void vsctl_check_conflicts(struct vsctl_context *, const char *name,
                           char *msg);

struct vsctl_port *vsctl_cache_add_port(struct vsctl_context *,
                                        struct vsctl_bridge *,
                                        const struct ovsdb_idl_row *);
struct vsctl_iface *vsctl_cache_add_iface(struct vsctl_context *,
                                          struct vsctl_port *,
                                          const struct ovsdb_idl_row *);
/* Deletes PORT (and its interfaces) from the database and the cache. */
void vsctl_delete_port(struct vsctl_context *, struct vsctl_port *);
/* Deletes BR, its fake bridges and their ports from the database and the
 * cache. */
void vsctl_delete_bridge(struct vsctl_context *, struct vsctl_bridge *);

#endif /* utilities/vsctl-context.h */
