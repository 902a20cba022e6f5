/*
 * vmm/mptable.h: the Intel MultiProcessor Specification 1.4 tables, for
 * kernels built with CONFIG_X86_MPPARSE that find no ACPI (acpi=off) or
 * prefer it, as kvmtool provides them.
 *
 * mptable_build() writes at VMM_MPTABLE_ADDR (inside the 0xf0000-0xfffff
 * BIOS area Linux scans) a 16-byte floating pointer structure and right
 * after it the configuration table:
 *
 *   - one processor entry per vCPU (APIC id = index, vCPU 0 the BSP),
 *     APIC version 0x14;
 *   - bus 0 "PCI", bus 1 "ISA";
 *   - the IOAPIC, id N_CPUS, version 0x11, at VMM_IOAPIC_ADDR;
 *   - I/O interrupt entries for ISA IRQs 0-15 except the cascade (IRQ 2):
 *     IRQ 0 to pin 2, the others to the pin of their number, IRQ 9 (the
 *     SCI) level-triggered active-high, the others conforming;
 *   - local interrupts: ExtINT on LINT0, NMI on LINT1 of every CPU.
 *
 * PCI devices get no entries: plx-vm's virtio devices interrupt by
 * MSI-X.  The feature bytes say "no default configuration, virtual wire
 * mode" (IMCR absent).  Both checksums are set.
 */
#ifndef VMM_MPTABLE_H
#define VMM_MPTABLE_H 1

#include <stdint.h>
#include "vmm/layout.h"

#define MPTABLE_MAX_CPUS 254

/* Builds the MP tables for N_CPUS vCPUs (1...MPTABLE_MAX_CPUS) in MEM,
 * the guest's low RAM of MEM_SIZE bytes.  Returns 0, or EINVAL if N_CPUS
 * is out of range or MEM_SIZE < VMM_HIGH_RAM_START. */
int mptable_build(uint8_t *mem, uint64_t mem_size, unsigned int n_cpus);

#endif /* vmm/mptable.h */
