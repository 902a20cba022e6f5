/*
 * vmm/pci.h: PCI bus 0 of a plx-vm guest.
 *
 * One bus, no bridges, single-function devices.  The host bridge sits at
 * 00:00.0 (Intel 8086:29c0, class 0x060000, what QEMU's q35 shows, so
 * Linux's type-1 sanity check is happy); devices take the next free slot
 * (1..31).  The guest reaches configuration space through configuration
 * mechanism #1: a dword CONFIG_ADDRESS register at 0xcf8 (enable bit 31,
 * bus 23:16, device 15:11, function 10:8, register 7:2) and the data
 * window 0xcfc-0xcff (byte, word or dword).  Anything absent (another
 * bus, function, slot, or the enable bit clear) reads all-ones and
 * ignores writes; other access sizes to 0xcf8 do the same.
 *
 * Configuration space.  Each device has 256 bytes and a write mask per
 * byte: a guest write changes only the masked bits, so read-only fields
 * (ids, class, capability bodies unless the device says otherwise) stay
 * as the device set them.  Writable by default: the command register's
 * I/O, memory, bus-master and INTx-disable bits, the cache-line and
 * latency bytes, the interrupt line and the BARs' address bits.  The
 * status register is read-only (bit 4, capability list, is set once a
 * capability is added; bit 3, interrupt status, is not implemented).
 * Capabilities are appended from 0x40 up, 4-byte aligned, and chained
 * from 0x34.
 *
 * BARs.  Up to 6 32-bit BARs, memory or I/O, each a power of two in
 * size.  pci_dev_add_bar() assigns the address as firmware would, the
 * next naturally aligned block of VMM_PCI_MMIO_BASE..END (memory) or
 * VMM_PCI_IO_BASE..END (I/O), and enables decoding of that kind in the
 * command register.  A BAR is a window of the platform (map_io) exactly
 * while its decode bit (command bit 0 for I/O, 1 for memory) is set and
 * its address is nonzero; sizing (write all-ones, read back the size
 * mask) and reprogramming work as on hardware, and a BAR the guest moves
 * is unmapped at the old address and mapped at the new one.  A BAR the
 * platform refuses (an overlap, an I/O BAR past 0xffff) stays unmapped
 * until the guest programs a usable address; that is logged.  Each
 * move, map and unmap is reported to the device's bar_mapped callback,
 * so that it can move what it registered inside the BAR (ioeventfds).
 *
 * INTx.  Every device uses pin INTA#.  The interrupt line register
 * initially holds the GSI the VMM routes that pin to: slot S uses
 * GSI 5, 10 or 11 for S mod 3 = 1, 2, 0 (slot 1 -> 5, 2 -> 10, 3 -> 11,
 * 4 -> 5, ...), IOAPIC/PIC inputs no legacy device of layout.h uses; the
 * firmware tables (MP table, ACPI _PRT) must say the same, see
 * pci_slot_gsi().  The lines are level-triggered and shared: the bus
 * ORs the levels of the devices on one GSI, and a device whose INTx
 * disable bit is set does not assert its line.
 *
 * Threading: none of its own.  Configuration cycles come from the
 * platform's I/O dispatch, which serializes them; the device models call
 * pci_dev_set_irq() with their own lock held, and the bus takes a small
 * lock of its own around the shared line levels.
 */
#ifndef VMM_PCI_H
#define VMM_PCI_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_io_ops;
struct vmm_platform;
struct pci_bus;
struct pci_dev;

#define PCI_MAX_SLOTS 32
#define PCI_NUM_BARS 6
#define PCI_CONFIG_SIZE 256

/* Configuration space offsets and bits. */
#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define PCI_STATUS           0x06
#define PCI_REVISION_ID      0x08
#define PCI_CLASS_PROG       0x09
#define PCI_CACHE_LINE_SIZE  0x0c
#define PCI_LATENCY_TIMER    0x0d
#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID     0x2e
#define PCI_ROM_ADDRESS      0x30
#define PCI_CAPABILITY_LIST  0x34
#define PCI_INTERRUPT_LINE   0x3c
#define PCI_INTERRUPT_PIN    0x3d

#define PCI_COMMAND_IO       0x0001
#define PCI_COMMAND_MEMORY   0x0002
#define PCI_COMMAND_MASTER   0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST  0x0010

#define PCI_BAR_IO           0x1
#define PCI_BAR_MEM_MASK     (~0xfu)
#define PCI_BAR_IO_MASK      (~0x3u)

#define PCI_CAP_ID_MSIX      0x11
#define PCI_CAP_ID_VNDR      0x09

#define PCI_HOST_BRIDGE_VENDOR 0x8086
#define PCI_HOST_BRIDGE_DEVICE 0x29c0

enum pci_bar_type {
    PCI_BAR_MEM32,
    PCI_BAR_IO_SPACE,
};

/* What a device model gets told about.  Both callbacks are optional. */
struct pci_dev_ops {
    /* After the guest wrote LEN bytes at OFFSET of configuration space
     * (the write mask already applied, BARs and command already acted
     * on). */
    void (*config_write)(void *aux, unsigned int offset, unsigned int len);
    /* BAR number BAR stopped being mapped at OLD_ADDR (if OLD_MAPPED)
     * and is now mapped at NEW_ADDR (if NEW_MAPPED). */
    void (*bar_mapped)(void *aux, int bar, bool old_mapped,
                       uint64_t old_addr, bool new_mapped,
                       uint64_t new_addr);
};

/* Identity of a device, as its configuration header shows it. */
struct pci_dev_ids {
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint32_t class_code;        /* Class, subclass, prog-if: 0xCCSSPP. */
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
};

/* Creates bus 0 with its host bridge and maps the configuration ports
 * in PLATFORM.  Returns 0 with the bus in *BUSP, or an errno value
 * (from map_io). */
int pci_bus_create(struct vmm_platform *, struct pci_bus **busp);
/* Unmaps the ports.  Devices must have been removed first. */
void pci_bus_destroy(struct pci_bus *);
struct vmm_platform *pci_bus_platform(const struct pci_bus *);

/* The GSI that INTA# of slot SLOT (1..31) is routed to. */
int pci_slot_gsi(int slot);

/* Adds a device at the next free slot.  OPS and AUX are for the
 * callbacks.  Returns 0 with the device in *DEVP, or ENOSPC. */
int pci_bus_add_dev(struct pci_bus *, const struct pci_dev_ids *,
                    const struct pci_dev_ops *, void *aux,
                    struct pci_dev **devp);
/* Unmaps the device's BARs (calling bar_mapped), lowers its INTx line
 * and frees its slot. */
void pci_dev_remove(struct pci_dev *);

/* Declares BAR number BAR (0..5) of TYPE and SIZE bytes (a power of two,
 * at least 16 for memory and 4 for I/O), handled by OPS with AUX,
 * assigns its address from the window and maps it.  Returns 0, EINVAL
 * for bad arguments, ENOSPC if the window is full, or the platform's
 * error. */
int pci_dev_add_bar(struct pci_dev *, int bar, enum pci_bar_type,
                    uint32_t size, const struct vmm_io_ops *, void *aux);
/* The BAR's current address (what the guest programmed) and whether it
 * is mapped there now. */
uint64_t pci_dev_bar_addr(const struct pci_dev *, int bar);
bool pci_dev_bar_is_mapped(const struct pci_dev *, int bar);

/* Appends capability CAP_ID whose body (the bytes after the id and next
 * pointer) is BODY[0..BODY_LEN).  The capability is read-only until the
 * device widens its write mask.  Returns its offset, or 0 if it does not
 * fit. */
unsigned int pci_dev_add_cap(struct pci_dev *, uint8_t cap_id,
                             const void *body, size_t body_len);

/* Direct access to configuration space for the device model (no write
 * mask, no side effects). */
uint8_t *pci_dev_config(struct pci_dev *);
uint32_t pci_dev_config_read32(const struct pci_dev *, unsigned int offset);
uint16_t pci_dev_config_read16(const struct pci_dev *, unsigned int offset);
/* Sets the guest write mask of configuration bytes
 * [OFFSET, OFFSET + LEN) to MASK. */
void pci_dev_set_wmask(struct pci_dev *, unsigned int offset,
                       const uint8_t *mask, size_t len);

int pci_dev_slot(const struct pci_dev *);
int pci_dev_gsi(const struct pci_dev *);
/* Asserts (LEVEL true) or deasserts the device's INTA#. */
void pci_dev_set_irq(struct pci_dev *, bool level);

/* One configuration cycle as configuration mechanism #1 would do it, for
 * tests and for the platform: BDF is bus << 8 | dev << 3 | fn.  Reads
 * of absent functions return all-ones. */
void pci_bus_config_read(struct pci_bus *, unsigned int bdf,
                         unsigned int offset, void *data, unsigned int len);
void pci_bus_config_write(struct pci_bus *, unsigned int bdf,
                          unsigned int offset, const void *data,
                          unsigned int len);

#endif /* vmm/pci.h */
