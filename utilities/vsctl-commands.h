/*
 * vsctl-commands: the command tables of plx-vsctl, one per file that
 * implements them, each ended by a null name.  plx-vsctl.c concatenates
 * them into the table the command-line parser searches.
 *
 *   vsctl_db_syntaxes       vsctl-db-cmds.c      comment get list find set
 *                                                add remove clear create
 *                                                destroy wait-until
 *   vsctl_bridge_syntaxes   vsctl-bridge-cmds.c  init emer-reset add-br
 *                                                del-br list-br ... ports,
 *                                                bonds, interfaces
 *   vsctl_switch_syntaxes   vsctl-switch-cmds.c  show, controllers,
 *                                                fail mode, managers, SSL
 *   vsctl_vm_syntaxes       vsctl-vm-cmds.c      add-vm del-vm
 *                                                add-vm-port
 *   vsctl_zone_syntaxes     vsctl-zone-cmds.c    add-zone-tp del-zone-tp
 *                                                list-zone-tp list-dp-cap
 *
 * Also here: the record lookup shared by the generic commands and
 * "show" (ovs-vsctl's rules for naming a row of each table).
 */
#ifndef PLX_VSCTL_COMMANDS_H
#define PLX_VSCTL_COMMANDS_H 1

#include <stdbool.h>
#include "vsctl-parse.h"

struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct vsctl_context;

extern const struct vsctl_command_syntax vsctl_db_syntaxes[];
extern const struct vsctl_command_syntax vsctl_bridge_syntaxes[];
extern const struct vsctl_command_syntax vsctl_switch_syntaxes[];
extern const struct vsctl_command_syntax vsctl_vm_syntaxes[];
extern const struct vsctl_command_syntax vsctl_zone_syntaxes[];

/* Finds the row of TABLE that RECORD_ID names: a UUID, "." for a table
 * with exactly one row, a name by the table's rule (Bridge, Port,
 * Interface, Mirror, VM by name; Controller, NetFlow, sFlow, IPFIX and
 * AutoAttach by their bridge's name; QoS by its port's name; Manager by
 * target; Flow_Sample_Collector_Set by id; any other table by the column
 * of a one-column index), or a unique UUID prefix of at least 4
 * characters.  Fails if there is no such row and MUST_EXIST, or if the
 * name matches several rows. */
const struct ovsdb_idl_row *vsctl_get_row(
    struct vsctl_context *, const struct ovsdb_idl_table_class *,
    const char *record_id, bool must_exist);

/* Applies "COLUMN[:KEY]=VALUE" to ROW of TABLE (for "set", "create" and
 * add-port's trailing settings). */
void vsctl_set_column(struct vsctl_context *,
                      const struct ovsdb_idl_table_class *,
                      const struct ovsdb_idl_row *, const char *arg);

#endif /* utilities/vsctl-commands.h */
