/*
 * tests/guest/plx-guest/pci.c: PCI configuration access (see pci.h).
 */
#include "pci.h"
#include "hw.h"
#include "vmm/layout.h"

static uint32_t
config_address(const struct pg_pci_dev *dev, uint8_t offset)
{
    return 0x80000000u | (uint32_t) dev->bus << 16
           | (uint32_t) (dev->slot & 31) << 11
           | (uint32_t) (dev->func & 7) << 8 | (offset & 0xfc);
}

uint32_t
pg_pci_read32(const struct pg_pci_dev *dev, uint8_t offset)
{
    pg_outl(VMM_PCI_CONFIG_ADDR, config_address(dev, offset));
    return pg_inl(VMM_PCI_CONFIG_DATA);
}

uint16_t
pg_pci_read16(const struct pg_pci_dev *dev, uint8_t offset)
{
    return pg_pci_read32(dev, offset) >> (8 * (offset & 2));
}

uint8_t
pg_pci_read8(const struct pg_pci_dev *dev, uint8_t offset)
{
    return pg_pci_read32(dev, offset) >> (8 * (offset & 3));
}

void
pg_pci_write16(const struct pg_pci_dev *dev, uint8_t offset, uint16_t value)
{
    pg_outl(VMM_PCI_CONFIG_ADDR, config_address(dev, offset));
    pg_outw(VMM_PCI_CONFIG_DATA + (offset & 2), value);
}

int
pg_pci_find(uint16_t vendor, uint16_t device, struct pg_pci_dev *devs,
            int max)
{
    int n = 0;

    for (int slot = 0; slot < 32 && n < max; slot++) {
        struct pg_pci_dev dev = { .bus = 0, .slot = slot, .func = 0 };
        uint32_t id = pg_pci_read32(&dev, 0);

        dev.vendor = id & 0xffff;
        dev.device = id >> 16;
        if (dev.vendor == vendor && dev.device == device) {
            devs[n++] = dev;
        }
    }
    return n;
}

int
pg_pci_bar_addr(const struct pg_pci_dev *dev, int bar, uint64_t *addr)
{
    if (bar < 0 || bar > 5) {
        return -1;
    }

    uint32_t lo = pg_pci_read32(dev, PG_PCI_BAR0 + 4 * bar);
    if (lo & 1) {
        return -1;              /* I/O space. */
    }

    uint64_t base = lo & ~(uint64_t) 0xf;
    switch ((lo >> 1) & 3) {
    case 0:                     /* 32-bit. */
        break;
    case 2:                     /* 64-bit: the next BAR is the top half. */
        if (bar == 5) {
            return -1;
        }
        base |= (uint64_t) pg_pci_read32(dev, PG_PCI_BAR0 + 4 * (bar + 1))
                << 32;
        break;
    default:
        return -1;
    }
    if (!base) {
        return -1;
    }
    *addr = base;
    return 0;
}
