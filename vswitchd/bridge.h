/*
 * bridge: plx-vswitchd's reconciliation of the configuration database
 * (the Open_vSwitch schema, vswitchd/vswitch.ovsschema) with the running
 * switch: one shared userspace datapath (datapath/dpif.h), one ofproto per
 * Bridge row (ofproto/ofproto.h), one bundle per Port row, one netdev and
 * OpenFlow port per Interface row.
 *
 * Reading.  The bridge layer replicates the whole database through the
 * typed IDL (vswitchd/vswitch-idl.h).  The columns it writes itself
 * (ofport, error, link_state, statistics, cur_cfg, ...) are replicated
 * without alerting, so its own writes never look like configuration
 * changes.  Whenever the IDL's sequence number moves, bridge_run()
 * reconfigures at once, before anything else looks at a row (so no
 * pointer to a deleted row survives a run).
 *
 * Reconfiguration is incremental.  The running objects are kept in this
 * module's own tables (bridges by name, ports by name within a bridge,
 * interfaces by name across the switch), each remembering the settings it
 * was built with.  A pass compares the database with them and touches
 * only what differs: a new Interface row opens a netdev and adds an
 * OpenFlow port; a deleted one removes its port; a changed type or
 * ofport_request re-creates it; changed options, mtu_request or mac are
 * applied in place; a Port whose VLAN settings or members changed is
 * re-registered as a bundle.  Nothing else is disturbed, so traffic on
 * other ports keeps flowing.  Deletions run before additions, so an
 * interface moved from one bridge to another, or deleted and re-added
 * under the same name in one transaction, works.
 *
 * Failures are per interface.  An interface that cannot be opened (no
 * such device, unknown type, bad options) or added gets a readable
 * message in its 'error' column and ofport -1; every other interface
 * keeps working, and each later reconfiguration retries the failed one.
 *
 * OpenFlow port numbers.  An interface gets its ofport_request if set,
 * otherwise the number its 'ofport' column already holds (so a restarted
 * daemon rebuilds the same numbering), otherwise the lowest free number;
 * numbers requested or remembered are assigned before free ones are
 * chosen.  The bridge's own internal port is OpenFlow LOCAL, written to
 * the database as 65534 as Open vSwitch does.
 *
 * Writing back.  At most one transaction of this module is outstanding at
 * a time.  It writes only columns the switch owns and verifies nothing,
 * so it never conflicts with a client's transaction; values equal to the
 * replica's are not sent.  It carries: cur_cfg = next_cfg once a
 * configuration has been applied (this is what plx-vsctl and ovs-vsctl
 * wait for, together with the new interfaces' ofport); ofport, error,
 * mac_in_use, mtu, ifindex, admin_state, link_state and status (the
 * driver, as ethtool -i reports it) of each interface whenever its
 * netdev's change sequence
 * moves (so a carrier change reaches the database within one main-loop
 * iteration); and statistics every other_config:stats-update-interval
 * milliseconds (default 5000, at least 1000).  A transaction that fails
 * with "try again" (e.g. the connection dropped) is rebuilt from the
 * current state and resent.
 *
 * A failed interface's row gets ofport -1 and its error, with the
 * status columns cleared, as ovs-vswitchd does.  Open_vSwitch also gets
 * ovs_version, datapath_types ["netdev"] and iface_types (the netdev
 * types registered); Bridge datapath_id and datapath_type are left as
 * they are.
 *
 * Global settings from the Open_vSwitch row's other_config: pmd-cpu-mask,
 * emc-insert-inv-prob (default 100), stats-update-interval.  Bridge
 * other_config: mac-aging-time (default 300 s), mac-table-size (default
 * 2048), hwaddr (the bridge's own port's MAC); Bridge fail_mode.
 * Interface: type, options, ofport_request, mtu_request, mac.  Port:
 * tag, trunks, vlan_mode.  Only one datapath exists, whatever a Bridge's
 * datapath_type says.
 *
 * Everything here runs in the main thread.
 */
#ifndef PLX_VSWITCHD_BRIDGE_H
#define PLX_VSWITCHD_BRIDGE_H 1

#include <stdbool.h>

struct ds;
struct dpif;

/* Connects to the database at REMOTE (e.g. "unix:/run/plx/db.sock") and
 * creates the datapath.  Call once, after the unixctl server exists. */
void bridge_init(const char *remote);
/* Destroys every bridge (their ports leave the datapath), the datapath
 * and the database connection. */
void bridge_exit(void);

void bridge_run(void);
void bridge_wait(void);

/* The shared datapath, for the dpctl/ unixctl commands. */
struct dpif *bridge_get_dpif(void);

/* Appends "name:value" counts for memory/show. */
void bridge_format_memory(struct ds *);

#endif /* vswitchd/bridge.h */
