/*
 * vm-supervisor: plx-vswitchd launches and supervises one plx-vm process
 * (vmm/, see vmm/README.md) per row of the VM table, as described in
 * Documentation/vswitch-schema.md, "Virtual machines: the VM table".
 *
 * NICs.  Every Interface of type "vm" whose options:vm names a VM row is
 * one virtio-net device of that VM, in ascending order of Interface name.
 * The bridge layer opens its netdev (datapath/netdev-vhost.c, type "vm")
 * and adds it to its bridge like any other port; an Interface whose
 * options:vm is missing or names no VM row is refused instead (its
 * 'error' says why, vm_supervisor_check_nic()) and has no OpenFlow port.
 * The guest NIC's MAC is the Interface's 'mac' if valid, else a stable,
 * locally administered address derived from a hash of the VM's and the
 * Interface's names; it is also set as the port netdev's MAC, so that
 * 'mac_in_use' reports it.
 *
 * Starting.  For a VM the supervisor creates, per NIC, a connected socket
 * pair (netdev_vhost_vm_connect(), which replaces the port's previous
 * connection) and starts
 *
 *   plx-vm --name NAME --kernel KERNEL [--initrd INITRD]
 *          [--cmdline CMDLINE] --memory MB --cpus N
 *          [--net vhost-user,fd=K,mac=MAC]...
 *          --console-log FILE --console-socket RUNDIR/NAME.console.sock
 *          --unixctl RUNDIR/plx-vm.NAME.ctl
 *
 * with the NICs' socket ends as descriptors K = 3, 4, ... (every other
 * descriptor of the switch is closed in the child), standard input
 * /dev/null and standard output and error appended to LOGDIR/NAME.log.
 * FILE is other_config:console, else LOGDIR/NAME.console.  The child gets
 * SIGTERM if plx-vswitchd dies (PR_SET_PDEATHSIG): without the switch its
 * NICs are dead anyway.  The plx-vm binary is, in this order: the
 * Open_vSwitch row's other_config:vm-binary, $PLX_VM, "plx-vm" in the
 * directory of plx-vswitchd's own executable, in ../bin/ from there
 * (an installation with plx-vswitchd in sbin/), and in ../vmm/ from there
 * (a build tree).
 *
 * Supervision never blocks the main loop: SIGCHLD writes to a self-pipe
 * that the poll loop waits on, and each run reaps its own children with
 * waitpid(pid, WNOHANG); timers drive the rest.  Lifecycle, as written
 * to the VM row ('state', 'status', 'error'):
 *
 *   starting   plx-vm started less than 0.5 s ago, or it will be started
 *              again after a backoff delay
 *   running    plx-vm has been alive for 0.5 s
 *   stopped    plx-vm exited and is not restarted: the guest powered off
 *              (exit status 0) or was stopped by request (4)
 *   failed     it could not be started ('error' says why) or it exited
 *              otherwise and is not restarted
 *
 * 'status' holds pid (while it runs), started (seconds since the epoch),
 * restarts, and for the last exit exit_reason (shutdown, failed, reset,
 * crashed, stopped, guest-failed for exit statuses 0 to 5, killed for a
 * signal, exec-failed if plx-vm could not be executed) with exit_status
 * or exit_signal.  'error' is set when a start fails or plx-vm exits with
 * a failure and cleared when the VM next reaches "running".
 *
 * Restarts follow other_config:restart: "never"; "on-failure" (default):
 * unless the exit status was 0 or 4; "always".  A guest reset (status 2)
 * is a reboot and restarts unless "never".  The delay starts at 1 s and
 * doubles up to 30 s; it is reset once a VM has run for 60 s.  A VM that
 * is stopped or failed starts again when its row or its set of NICs
 * changes; changes to a running VM take effect at its next start.
 *
 * Deleting a VM row stops its plx-vm: SIGTERM (plx-vm's ACPI shutdown),
 * SIGKILL 12 s later if it is still there (plx-vm itself stops a guest
 * that has not powered off after 10 s).  A row of the same name created
 * meanwhile starts once the old process is gone.  Deleting a NIC's
 * Interface closes its connection (the guest sees the link go down) and
 * the VM keeps running.  vm_supervisor_exit(), and a fatal signal to
 * plx-vswitchd, stop every VM the same way but wait for them (at most
 * 12 s, then SIGKILL).  A start that fails before plx-vm runs is retried
 * with the same backoff when the cause may pass (fork or descriptor
 * limits), not when it is the configuration or a missing binary.
 *
 * unixctl: vm/list (name, state, pid and NICs of each VM) and
 * vm/console VM (the last 8 KiB of the VM's console log).
 *
 * Everything here runs in plx-vswitchd's main thread.
 */
#ifndef PLX_VSWITCHD_VM_SUPERVISOR_H
#define PLX_VSWITCHD_VM_SUPERVISOR_H 1

#include <stdbool.h>

struct netdev;
struct ovsdb_idl;
struct vswitchrec_interface;
struct vswitchrec_open_vswitch;

/* Returns the open netdev of the Interface named NAME, or NULL if the
 * bridge layer has none (the Interface failed). */
typedef struct netdev *vm_supervisor_netdev_func(const char *name);

/* Starts supervising the VM rows of IDL (which the caller keeps until
 * vm_supervisor_exit()).  Registers the unixctl commands. */
void vm_supervisor_init(struct ovsdb_idl *, vm_supervisor_netdev_func *);
/* Stops every VM, waiting for them (at most 12 s, then SIGKILL). */
void vm_supervisor_exit(void);

/* NULL if CFG may be plugged: it is not of type "vm", or its options:vm
 * names a VM row.  Otherwise a malloc'd error for its 'error' column. */
char *vm_supervisor_check_nic(const struct vswitchrec_interface *cfg);
/* True if vm_supervisor_check_nic(CFG) would return NULL. */
bool vm_supervisor_nic_ok(const struct vswitchrec_interface *cfg);

/* Applies the replica's VM rows and "vm" Interfaces; call after the
 * bridge layer has opened and closed the interfaces' netdevs. */
void vm_supervisor_reconfigure(const struct vswitchrec_open_vswitch *);

/* Reaps, starts, stops.  Returns true if the VM rows need writing. */
bool vm_supervisor_run(void);
void vm_supervisor_wait(void);
/* Writes state, status and error of every VM row into the IDL's open
 * transaction. */
void vm_supervisor_write_status(void);

#endif /* vswitchd/vm-supervisor.h */
