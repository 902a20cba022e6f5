/*
 * vmm/acpi.h: the ACPI tables of a plx-vm guest.
 *
 * acpi_build() writes, inside [VMM_ACPI_ADDR, VMM_MPTABLE_ADDR) of the
 * guest's low RAM (a reserved e820 range, found by Linux through
 * boot_params.acpi_rsdp_addr or its scan of 0xe0000-0xfffff):
 *
 *   RSDP (revision 2, both checksums) at ACPI_RSDP_ADDR
 *   RSDT and XSDT, both listing FADT and MADT
 *   FACS
 *   FADT (revision 6, not hardware-reduced): SCI on VMM_SCI_IRQ, no
 *        SMI_CMD (so the OS takes ACPI as already enabled, and the PM1
 *        control register must read with SCI_EN set), PM1a event block
 *        at VMM_PM1A_EVT_PORT (4 bytes) and control block at
 *        VMM_PM1A_CNT_PORT (2 bytes), no PM timer, no GPE block, no reset
 *        register; PWR_BUTTON clear (a fixed power button exists, so
 *        PWRBTN_STS raises the SCI), SLP_BUTTON set (none); boot
 *        architecture flags: legacy devices, no VGA, no CMOS RTC, no
 *        8042 (only its reset command exists); DSDT in both DSDT and
 *        X_DSDT, FACS in both FIRMWARE_CTRL and X_FIRMWARE_CTRL
 *   MADT: one enabled local APIC per vCPU (processor id = APIC id = index),
 *        the IOAPIC with id N_CPUS at VMM_IOAPIC_ADDR, GSI base 0,
 *        interrupt source overrides IRQ 0 -> GSI 2 and IRQ 9 -> GSI 9
 *        level-triggered active-high (the SCI), LINT1 = NMI on all CPUs;
 *        PCAT_COMPAT (there are 8259s)
 *   DSDT (revision 2), built with the AML encoder of aml.h:
 *
 *     Name (_S5, Package () { VMM_S5_SLP_TYP, VMM_S5_SLP_TYP, 0, 0 })
 *         what the OS writes to SLP_TYP to power off
 *     Scope (\_SB) {
 *       Device (PCI0) {             the PCI root bridge of pci.h
 *         Name (_HID, EisaId ("PNP0A03"))
 *         Name (_UID, 0)  Name (_SEG, 0)  Name (_BBN, 0)
 *                                   (no _ADR: not with a _HID, ACPI 6.1)
 *         Name (_CRS, ResourceTemplate () {
 *           WordBusNumber 0-0       (bus 0 only)
 *           IO (Decode16) 0xcf8, length 8   (configuration ports)
 *           WordIO 0x0000-0x0cf7, 0x0d00-0xffff
 *                                   (all other ports, the I/O BAR window
 *                                   VMM_PCI_IO_BASE... among them)
 *           DWordMemory 0xa0000-0xbffff     (legacy VGA, cacheable)
 *           DWordMemory VMM_PCI_MMIO_BASE - VMM_PCI_MMIO_END - 1
 *                                   (the 32-bit BAR window)
 *         })
 *         Name (_PRT, Package () {  124 entries, slots 1-31 x INTA-INTD
 *           Package () { slot << 16 | 0xffff, pin, 0, GSI }, ...
 *         })                        GSI = pci_slot_gsi(slot) for every
 *       }                           pin (devices use INTA# only), in
 *     }                             the link-less form: level, active-low
 *
 *     So a Linux guest booted with ACPI finds PCI bus 0 (and virtio-net)
 *     through the PNP0A03 bridge, uses type-1 configuration access (no
 *     MCFG, no _OSC, which is optional for a non-PCIe bridge), and
 *     routes INTx by _PRT; no "pci=noacpi" is needed.
 */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/layout.h"

#define ACPI_RSDP_ADDR VMM_ACPI_ADDR
#define ACPI_MAX_CPUS  254      /* 8-bit APIC ids, plus the IOAPIC's. */

/* Builds all tables for N_CPUS vCPUs (1...ACPI_MAX_CPUS) in MEM, the
 * guest's low RAM of MEM_SIZE bytes.  Returns 0, or EINVAL if N_CPUS is
 * out of range or MEM_SIZE < VMM_HIGH_RAM_START. */
int acpi_build(uint8_t *mem, uint64_t mem_size, unsigned int n_cpus);

/* The byte that makes the N bytes at P sum to 0 modulo 256, if it is put
 * where a 0 was. */
uint8_t acpi_checksum(const void *p, size_t n);

/* True if a valid ACPI 2.0+ RSDP (signature, both checksums) is at
 * ACPI_RSDP_ADDR in MEM. */
bool acpi_rsdp_present(const uint8_t *mem, uint64_t mem_size);

#endif /* vmm/acpi.h */
