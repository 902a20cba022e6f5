/*
 * tests/guest/plx-guest/pci.h: PCI configuration mechanism #1.
 *
 * The guest only scans bus 0, function 0 of each slot, and never
 * reprograms BARs: plx-vm assigns them before the guest starts.  All
 * reads are aligned dword reads (an address OUT and a data IN, two exits
 * of ~25 us each), narrower fields are extracted from them; the only
 * write is the 16-bit command register.
 */
#ifndef PLX_GUEST_PCI_H
#define PLX_GUEST_PCI_H 1

#include <stdint.h>

struct pg_pci_dev {
    uint8_t bus, slot, func;
    uint16_t vendor, device;
};

#define PG_PCI_COMMAND 0x04
#define PG_PCI_STATUS 0x06
#define PG_PCI_BAR0 0x10
#define PG_PCI_CAP_PTR 0x34
#define PG_PCI_COMMAND_MEMORY 0x0002
#define PG_PCI_COMMAND_MASTER 0x0004
#define PG_PCI_STATUS_CAP_LIST 0x0010

uint32_t pg_pci_read32(const struct pg_pci_dev *, uint8_t offset);
uint16_t pg_pci_read16(const struct pg_pci_dev *, uint8_t offset);
uint8_t pg_pci_read8(const struct pg_pci_dev *, uint8_t offset);
void pg_pci_write16(const struct pg_pci_dev *, uint8_t offset, uint16_t);

/* Finds function-0 devices on bus 0 with VENDOR:DEVICE, in slot order.
 * Returns how many were stored in DEVS (at most MAX). */
int pg_pci_find(uint16_t vendor, uint16_t device, struct pg_pci_dev *devs,
                int max);

/* The guest-physical address of memory BAR BAR (0...5) in *ADDR: returns
 * 0, or -1 for an I/O BAR, an unassigned or malformed one. */
int pg_pci_bar_addr(const struct pg_pci_dev *, int bar, uint64_t *addr);

#endif /* pci.h */
