/*
 * vsctl-vm-parse: the pure part of plx-vsctl's VM commands
 * (utilities/vsctl-vm-cmds.c): the KEY=VALUE settings of add-vm and the
 * mac=MAC argument of add-vm-port.  No database here, so unit tests link
 * it alone.  Values are taken literally (no OVSDB quoting): add-vm
 * vm1 KERNEL cmdline="console=ttyS0 ip=10.0.0.1/24" stores exactly the
 * text the shell passed.
 *
 * Every parser returns NULL on success or a malloc'd error message in
 * ovs-vsctl's style; on error the settings are unchanged.
 */
#ifndef PLX_VSCTL_VM_PARSE_H
#define PLX_VSCTL_VM_PARSE_H 1

#include <stdint.h>
#include "packets.h"
#include "smap.h"

/* The VM table's limits (vswitchd/vswitch.ovsschema). */
#define VSCTL_VM_MEMORY_MAX 1048576
#define VSCTL_VM_CPUS_MAX 255

struct vsctl_vm_settings {
    char *initrd;               /* NULL: not given. */
    char *cmdline;              /* NULL: not given. */
    int64_t memory_mb;          /* 0: not given. */
    int64_t cpus;               /* 0: not given. */
    struct smap other_config;   /* From other_config:KEY=VALUE. */
};

void vsctl_vm_settings_init(struct vsctl_vm_settings *);
void vsctl_vm_settings_destroy(struct vsctl_vm_settings *);

/* Parses one add-vm argument: initrd=FILE, cmdline=TEXT,
 * memory_mb=MIB, cpus=N or other_config:KEY=VALUE.  A later setting of
 * the same key replaces an earlier one. */
char *vsctl_vm_parse_setting(struct vsctl_vm_settings *, const char *arg);

/* Parses add-vm-port's "mac=MAC" (a unicast, nonzero Ethernet address)
 * into *EA. */
char *vsctl_vm_parse_mac(const char *arg, struct eth_addr *ea);

#endif /* utilities/vsctl-vm-parse.h */
