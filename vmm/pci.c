/* vmm/pci.c: PCI bus 0, configuration mechanism #1 and BARs (see pci.h). */
#include <config.h>
#include "vmm/pci.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include "util.h"
#include "vlog.h"
#include "vmm/layout.h"
#include "vmm/platform.h"

VLOG_DEFINE_THIS_MODULE(vmm_pci);

#define PCI_CAP_START 0x40
#define PCI_N_GSIS 24

struct pci_bar {
    bool present;
    enum pci_bar_type type;
    uint32_t size;
    const struct vmm_io_ops *ops;
    void *aux;
    bool mapped;
    uint64_t mapped_addr;
};

struct pci_dev {
    struct pci_bus *bus;
    int slot;
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];
    struct pci_bar bars[PCI_NUM_BARS];
    unsigned int next_cap;      /* Where the next capability goes. */
    unsigned int last_cap;      /* Offset of the last one, 0 if none. */
    const struct pci_dev_ops *ops;
    void *aux;
    bool irq_level;             /* What the device asks for. */
    bool irq_asserted;          /* What it contributes to its line. */
};

struct pci_bus {
    struct vmm_platform *platform;
    uint32_t config_addr;       /* CONFIG_ADDRESS (0xcf8). */
    struct pci_dev *slots[PCI_MAX_SLOTS];
    uint64_t next_mmio;         /* BAR allocators. */
    uint64_t next_io;

    pthread_mutex_t irq_mutex;
    int irq_count[PCI_N_GSIS];  /* Devices asserting each GSI. */
};

static const struct vmm_io_ops pci_addr_ops;
static const struct vmm_io_ops pci_data_ops;

static int pci_dev_update_bars(struct pci_dev *);
static void pci_dev_update_irq(struct pci_dev *);

int
pci_slot_gsi(int slot)
{
    static const int gsis[3] = { 11, 5, 10 };

    return gsis[slot % 3];
}

static struct pci_dev *
pci_dev_alloc(struct pci_bus *bus, int slot, const struct pci_dev_ids *ids,
              const struct pci_dev_ops *ops, void *aux)
{
    struct pci_dev *dev = xzalloc(sizeof *dev);
    uint8_t *c = dev->config;

    dev->bus = bus;
    dev->slot = slot;
    dev->ops = ops;
    dev->aux = aux;
    dev->next_cap = PCI_CAP_START;

    vmm_io_put(c + PCI_VENDOR_ID, 2, ids->vendor_id);
    vmm_io_put(c + PCI_DEVICE_ID, 2, ids->device_id);
    c[PCI_REVISION_ID] = ids->revision;
    vmm_io_put(c + PCI_CLASS_PROG, 3, ids->class_code);
    c[PCI_HEADER_TYPE] = 0;
    vmm_io_put(c + PCI_SUBSYSTEM_VENDOR_ID, 2, ids->subsystem_vendor_id);
    vmm_io_put(c + PCI_SUBSYSTEM_ID, 2, ids->subsystem_id);

    dev->wmask[PCI_COMMAND] = (PCI_COMMAND_IO | PCI_COMMAND_MEMORY
                               | PCI_COMMAND_MASTER);
    dev->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_LATENCY_TIMER] = 0xff;
    if (slot) {
        c[PCI_INTERRUPT_LINE] = pci_slot_gsi(slot);
        c[PCI_INTERRUPT_PIN] = 1;           /* INTA#. */
        dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    }
    return dev;
}

int
pci_bus_create(struct vmm_platform *platform, struct pci_bus **busp)
{
    static const struct pci_dev_ids bridge = {
        .vendor_id = PCI_HOST_BRIDGE_VENDOR,
        .device_id = PCI_HOST_BRIDGE_DEVICE,
        .class_code = 0x060000,
        .subsystem_vendor_id = PCI_HOST_BRIDGE_VENDOR,
        .subsystem_id = 0x1100,
    };
    struct pci_bus *bus = xzalloc(sizeof *bus);
    int error;

    *busp = NULL;
    bus->platform = platform;
    bus->next_mmio = VMM_PCI_MMIO_BASE;
    bus->next_io = VMM_PCI_IO_BASE;
    pthread_mutex_init(&bus->irq_mutex, NULL);
    bus->slots[0] = pci_dev_alloc(bus, 0, &bridge, NULL, NULL);

    error = platform->class->map_io(platform, VMM_IO_PIO,
                                    VMM_PCI_CONFIG_ADDR, 4, &pci_addr_ops,
                                    bus);
    if (error) {
        goto error;
    }
    error = platform->class->map_io(platform, VMM_IO_PIO,
                                    VMM_PCI_CONFIG_DATA, 4, &pci_data_ops,
                                    bus);
    if (error) {
        platform->class->unmap_io(platform, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR);
        goto error;
    }
    *busp = bus;
    return 0;

error:
    VLOG_ERR("cannot map the PCI configuration ports: %s",
             plx_strerror(error));
    free(bus->slots[0]);
    pthread_mutex_destroy(&bus->irq_mutex);
    free(bus);
    return error;
}

void
pci_bus_destroy(struct pci_bus *bus)
{
    if (!bus) {
        return;
    }
    for (int i = 1; i < PCI_MAX_SLOTS; i++) {
        if (bus->slots[i]) {
            VLOG_WARN("PCI device in slot %d left on the bus", i);
            pci_dev_remove(bus->slots[i]);
        }
    }
    bus->platform->class->unmap_io(bus->platform, VMM_IO_PIO,
                                   VMM_PCI_CONFIG_ADDR);
    bus->platform->class->unmap_io(bus->platform, VMM_IO_PIO,
                                   VMM_PCI_CONFIG_DATA);
    free(bus->slots[0]);
    pthread_mutex_destroy(&bus->irq_mutex);
    free(bus);
}

struct vmm_platform *
pci_bus_platform(const struct pci_bus *bus)
{
    return bus->platform;
}

int
pci_bus_add_dev(struct pci_bus *bus, const struct pci_dev_ids *ids,
                const struct pci_dev_ops *ops, void *aux,
                struct pci_dev **devp)
{
    for (int slot = 1; slot < PCI_MAX_SLOTS; slot++) {
        if (!bus->slots[slot]) {
            bus->slots[slot] = pci_dev_alloc(bus, slot, ids, ops, aux);
            *devp = bus->slots[slot];
            return 0;
        }
    }
    *devp = NULL;
    return ENOSPC;
}

void
pci_dev_remove(struct pci_dev *dev)
{
    if (!dev) {
        return;
    }
    /* Turning decoding off unmaps every BAR through the usual path. */
    vmm_io_put(dev->config + PCI_COMMAND, 2, 0);
    pci_dev_update_bars(dev);
    pci_dev_set_irq(dev, false);
    dev->bus->slots[dev->slot] = NULL;
    free(dev);
}

/* BARs. */

static uint64_t
bar_addr(const struct pci_dev *dev, int i)
{
    uint32_t value = vmm_io_get(dev->config + PCI_BAR0 + 4 * i, 4);

    return dev->bars[i].type == PCI_BAR_IO_SPACE
           ? value & PCI_BAR_IO_MASK : value & PCI_BAR_MEM_MASK;
}

int
pci_dev_add_bar(struct pci_dev *dev, int i, enum pci_bar_type type,
                uint32_t size, const struct vmm_io_ops *ops, void *aux)
{
    struct pci_bus *bus = dev->bus;
    struct pci_bar *bar;
    uint64_t *next, end, addr;
    uint8_t mask[4];

    if (i < 0 || i >= PCI_NUM_BARS || dev->bars[i].present
        || !IS_POW2(size) || size < (type == PCI_BAR_IO_SPACE ? 4 : 16)
        || (type == PCI_BAR_IO_SPACE && size > 256) || !ops) {
        return EINVAL;
    }
    if (type == PCI_BAR_IO_SPACE) {
        next = &bus->next_io;
        end = VMM_PCI_IO_END;
    } else {
        next = &bus->next_mmio;
        end = VMM_PCI_MMIO_END;
    }
    addr = ROUND_UP(*next, size);
    if (addr + size > end) {
        return ENOSPC;
    }
    *next = addr + size;

    bar = &dev->bars[i];
    bar->present = true;
    bar->type = type;
    bar->size = size;
    bar->ops = ops;
    bar->aux = aux;
    vmm_io_put(dev->config + PCI_BAR0 + 4 * i, 4,
               addr | (type == PCI_BAR_IO_SPACE ? PCI_BAR_IO : 0));
    vmm_io_put(mask, 4, ~(size - 1) & (type == PCI_BAR_IO_SPACE
                                       ? PCI_BAR_IO_MASK
                                       : PCI_BAR_MEM_MASK));
    pci_dev_set_wmask(dev, PCI_BAR0 + 4 * i, mask, 4);
    dev->config[PCI_COMMAND] |= (type == PCI_BAR_IO_SPACE
                                 ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
    return pci_dev_update_bars(dev);
}

uint64_t
pci_dev_bar_addr(const struct pci_dev *dev, int i)
{
    return i >= 0 && i < PCI_NUM_BARS && dev->bars[i].present
           ? bar_addr(dev, i) : 0;
}

bool
pci_dev_bar_is_mapped(const struct pci_dev *dev, int i)
{
    return i >= 0 && i < PCI_NUM_BARS && dev->bars[i].mapped;
}

/* Where BAR I should be mapped now, or false if nowhere. */
static bool
bar_wanted(const struct pci_dev *dev, int i, uint64_t *addrp)
{
    const struct pci_bar *bar = &dev->bars[i];
    uint16_t cmd = vmm_io_get(dev->config + PCI_COMMAND, 2);
    uint64_t addr = bar_addr(dev, i);

    *addrp = addr;
    if (!bar->present || !addr) {
        return false;
    }
    if (bar->type == PCI_BAR_IO_SPACE) {
        return (cmd & PCI_COMMAND_IO) && addr + bar->size <= VMM_PCI_IO_END;
    }
    return (cmd & PCI_COMMAND_MEMORY) != 0;
}

/* Brings every BAR's mapping in line with the command register and the
 * BAR registers: first unmaps what moved or lost decoding, so that BARs
 * that trade places do not collide, then maps.  Returns the first error
 * of the platform, or 0. */
static int
pci_dev_update_bars(struct pci_dev *dev)
{
    int first_error = 0;
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    struct vmm_platform *p = dev->bus->platform;
    bool old_mapped[PCI_NUM_BARS];
    uint64_t old_addr[PCI_NUM_BARS];

    for (int i = 0; i < PCI_NUM_BARS; i++) {
        struct pci_bar *bar = &dev->bars[i];
        uint64_t addr;
        bool want = bar_wanted(dev, i, &addr);

        old_mapped[i] = bar->mapped;
        old_addr[i] = bar->mapped_addr;
        if (bar->mapped && (!want || addr != bar->mapped_addr)) {
            p->class->unmap_io(p, bar->type == PCI_BAR_IO_SPACE
                                  ? VMM_IO_PIO : VMM_IO_MMIO,
                               bar->mapped_addr);
            bar->mapped = false;
        }
    }
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        struct pci_bar *bar = &dev->bars[i];
        uint64_t addr;

        if (!bar->mapped && bar_wanted(dev, i, &addr)) {
            int error = p->class->map_io(p, bar->type == PCI_BAR_IO_SPACE
                                            ? VMM_IO_PIO : VMM_IO_MMIO,
                                         addr, bar->size, bar->ops,
                                         bar->aux);
            if (error) {
                first_error = first_error ? first_error : error;
                VLOG_WARN_RL(&rl, "%02x.0: BAR %d at %#"PRIx64" (%"PRIu32
                             " bytes) not mapped: %s", dev->slot, i, addr,
                             bar->size, plx_strerror(error));
            } else {
                bar->mapped = true;
                bar->mapped_addr = addr;
            }
        }
        if ((old_mapped[i] != bar->mapped
             || (bar->mapped && old_addr[i] != bar->mapped_addr))
            && dev->ops && dev->ops->bar_mapped) {
            dev->ops->bar_mapped(dev->aux, i, old_mapped[i], old_addr[i],
                                 bar->mapped, bar->mapped_addr);
        }
    }
    return first_error;
}

/* Capabilities and raw configuration space. */

unsigned int
pci_dev_add_cap(struct pci_dev *dev, uint8_t cap_id, const void *body,
                size_t body_len)
{
    unsigned int off = dev->next_cap;

    if (body_len > PCI_CONFIG_SIZE || off + 2 + body_len > PCI_CONFIG_SIZE) {
        return 0;
    }
    dev->config[off] = cap_id;
    dev->config[off + 1] = 0;
    memcpy(dev->config + off + 2, body, body_len);
    memset(dev->wmask + off, 0, 2 + body_len);
    if (dev->last_cap) {
        dev->config[dev->last_cap + 1] = off;
    } else {
        dev->config[PCI_CAPABILITY_LIST] = off;
        dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    }
    dev->last_cap = off;
    dev->next_cap = ROUND_UP(off + 2 + body_len, 4);
    return off;
}

uint8_t *
pci_dev_config(struct pci_dev *dev)
{
    return dev->config;
}

uint32_t
pci_dev_config_read32(const struct pci_dev *dev, unsigned int offset)
{
    return offset <= PCI_CONFIG_SIZE - 4 ? vmm_io_get(dev->config + offset, 4)
                                         : UINT32_MAX;
}

uint16_t
pci_dev_config_read16(const struct pci_dev *dev, unsigned int offset)
{
    return offset <= PCI_CONFIG_SIZE - 2 ? vmm_io_get(dev->config + offset, 2)
                                         : UINT16_MAX;
}

void
pci_dev_set_wmask(struct pci_dev *dev, unsigned int offset,
                  const uint8_t *mask, size_t len)
{
    if (offset < PCI_CONFIG_SIZE && len <= PCI_CONFIG_SIZE - offset) {
        memcpy(dev->wmask + offset, mask, len);
    }
}

int
pci_dev_slot(const struct pci_dev *dev)
{
    return dev->slot;
}

int
pci_dev_gsi(const struct pci_dev *dev)
{
    return pci_slot_gsi(dev->slot);
}

/* INTx. */

static void
pci_dev_update_irq(struct pci_dev *dev)
{
    struct pci_bus *bus = dev->bus;
    uint16_t cmd = vmm_io_get(dev->config + PCI_COMMAND, 2);
    bool assert = dev->irq_level && !(cmd & PCI_COMMAND_INTX_DISABLE);
    int gsi = pci_dev_gsi(dev);

    pthread_mutex_lock(&bus->irq_mutex);
    if (assert != dev->irq_asserted) {
        int before = bus->irq_count[gsi];

        dev->irq_asserted = assert;
        bus->irq_count[gsi] += assert ? 1 : -1;
        if (!before != !bus->irq_count[gsi]) {
            bus->platform->class->set_irq(bus->platform, gsi,
                                          bus->irq_count[gsi] > 0);
        }
    }
    pthread_mutex_unlock(&bus->irq_mutex);
}

void
pci_dev_set_irq(struct pci_dev *dev, bool level)
{
    dev->irq_level = level;
    pci_dev_update_irq(dev);
}

/* Configuration cycles. */

static struct pci_dev *
pci_bus_lookup(const struct pci_bus *bus, unsigned int bdf)
{
    unsigned int busno = bdf >> 8, slot = (bdf >> 3) & 31, fn = bdf & 7;

    return !busno && !fn ? bus->slots[slot] : NULL;
}

void
pci_bus_config_read(struct pci_bus *bus, unsigned int bdf,
                    unsigned int offset, void *data, unsigned int len)
{
    struct pci_dev *dev = pci_bus_lookup(bus, bdf);

    if (!dev || len > 4 || offset >= PCI_CONFIG_SIZE
        || len > PCI_CONFIG_SIZE - offset) {
        memset(data, 0xff, len);
        return;
    }
    memcpy(data, dev->config + offset, len);
}

void
pci_bus_config_write(struct pci_bus *bus, unsigned int bdf,
                     unsigned int offset, const void *data_,
                     unsigned int len)
{
    struct pci_dev *dev = pci_bus_lookup(bus, bdf);
    const uint8_t *data = data_;

    if (!dev || len > 4 || offset >= PCI_CONFIG_SIZE
        || len > PCI_CONFIG_SIZE - offset) {
        return;
    }
    for (unsigned int i = 0; i < len; i++) {
        uint8_t m = dev->wmask[offset + i];
        uint8_t *b = &dev->config[offset + i];

        *b = (*b & ~m) | (data[i] & m);
    }

    unsigned int end = offset + len;
    bool cmd = offset < PCI_COMMAND + 2 && end > PCI_COMMAND;
    bool bars = offset < PCI_BAR0 + 4 * PCI_NUM_BARS && end > PCI_BAR0;
    if (cmd || bars) {
        pci_dev_update_bars(dev);
    }
    if (cmd && dev->slot) {
        pci_dev_update_irq(dev);
    }
    if (dev->ops && dev->ops->config_write) {
        dev->ops->config_write(dev->aux, offset, len);
    }
}

/* Configuration mechanism #1. */

static void
pci_addr_read(void *bus_, uint64_t offset, void *data, unsigned int len)
{
    struct pci_bus *bus = bus_;

    if (offset == 0 && len == 4) {
        vmm_io_put(data, 4, bus->config_addr);
    } else {
        memset(data, 0xff, len);
    }
}

static void
pci_addr_write(void *bus_, uint64_t offset, const void *data,
               unsigned int len)
{
    struct pci_bus *bus = bus_;

    if (offset == 0 && len == 4) {
        /* Bits 30:24 are reserved (AMD uses 27:24 for extended
         * registers), 1:0 must be 0. */
        bus->config_addr = vmm_io_get(data, 4) & 0x80fffffc;
    }
}

/* Decodes CONFIG_ADDRESS for an access of LEN bytes at OFFSET of the
 * data window.  Returns false if the cycle goes nowhere. */
static bool
pci_data_decode(const struct pci_bus *bus, uint64_t offset,
                unsigned int len, unsigned int *bdfp, unsigned int *regp)
{
    uint32_t addr = bus->config_addr;

    if (!(addr & 0x80000000) || offset >= 4 || len > 4 - offset
        || (len != 1 && len != 2 && len != 4)) {
        return false;
    }
    *bdfp = (addr >> 8) & 0xffff;
    *regp = (addr & 0xfc) + offset;
    return true;
}

static void
pci_data_read(void *bus_, uint64_t offset, void *data, unsigned int len)
{
    struct pci_bus *bus = bus_;
    unsigned int bdf, reg;

    if (pci_data_decode(bus, offset, len, &bdf, &reg)) {
        pci_bus_config_read(bus, bdf, reg, data, len);
    } else {
        memset(data, 0xff, len);
    }
}

static void
pci_data_write(void *bus_, uint64_t offset, const void *data,
               unsigned int len)
{
    struct pci_bus *bus = bus_;
    unsigned int bdf, reg;

    if (pci_data_decode(bus, offset, len, &bdf, &reg)) {
        pci_bus_config_write(bus, bdf, reg, data, len);
    }
}

static const struct vmm_io_ops pci_addr_ops = {
    .read = pci_addr_read,
    .write = pci_addr_write,
};

static const struct vmm_io_ops pci_data_ops = {
    .read = pci_data_read,
    .write = pci_data_write,
};
