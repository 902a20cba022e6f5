/* Tests for vmm/pci.c (and the PCI face of vmm/virtio-pci.c): every
 * access goes through the fake platform's port and MMIO dispatch, as a
 * guest's IN/OUT and loads/stores would. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "vmm-fake-platform.h"
#include "vmm/layout.h"
#include "vmm/pci.h"
#include "vmm/virtio-pci.h"

#define BDF(SLOT) ((SLOT) << 3)

struct fixture {
    struct vmm_fake_platform p;
    struct pci_bus *bus;
};

static void
fixture_init(struct fixture *f)
{
    vmm_fake_platform_init(&f->p, 1 << 20);
    CHECK_EQ(pci_bus_create(&f->p.up, &f->bus), 0);
}

static void
fixture_destroy(struct fixture *f)
{
    pci_bus_destroy(f->bus);
    CHECK_EQ(f->p.n_windows, 0);
    vmm_fake_platform_destroy(&f->p);
}

/* A device whose BAR handler counts accesses, and records of bar_mapped
 * calls. */
struct stub {
    int reads, writes;
    uint64_t last_offset;
    int n_moves;
    bool mapped;
    uint64_t addr;
    int n_config_writes;
};

static void
stub_read(void *s_, uint64_t offset, void *data, unsigned int len)
{
    struct stub *s = s_;

    s->reads++;
    s->last_offset = offset;
    memset(data, 0x5a, len);
}

static void
stub_write(void *s_, uint64_t offset, const void *data PLX_UNUSED,
           unsigned int len PLX_UNUSED)
{
    struct stub *s = s_;

    s->writes++;
    s->last_offset = offset;
}

static const struct vmm_io_ops stub_io = {
    .read = stub_read,
    .write = stub_write,
};

static void
stub_bar_mapped(void *s_, int bar PLX_UNUSED, bool old_mapped PLX_UNUSED,
                uint64_t old_addr PLX_UNUSED, bool new_mapped,
                uint64_t new_addr)
{
    struct stub *s = s_;

    s->n_moves++;
    s->mapped = new_mapped;
    s->addr = new_addr;
}

static void
stub_config_write(void *s_, unsigned int offset PLX_UNUSED,
                  unsigned int len PLX_UNUSED)
{
    struct stub *s = s_;

    s->n_config_writes++;
}

static const struct pci_dev_ops stub_pci_ops = {
    .config_write = stub_config_write,
    .bar_mapped = stub_bar_mapped,
};

static const struct pci_dev_ids stub_ids = {
    .vendor_id = 0x1234, .device_id = 0x5678, .revision = 3,
    .class_code = 0xff0000, .subsystem_vendor_id = 0x1234,
    .subsystem_id = 0x9abc,
};

TEST(host_bridge_ids)
{
    struct fixture f;

    fixture_init(&f);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, 0, PCI_VENDOR_ID, 4), 0x29c08086);
    CHECK_EQ(vmm_fake_pci_read(&f.p, 0, PCI_VENDOR_ID, 2), 0x8086);
    CHECK_EQ(vmm_fake_pci_read(&f.p, 0, PCI_DEVICE_ID, 2), 0x29c0);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, 0, PCI_REVISION_ID, 4) >> 8,
                 0x060000);
    CHECK_EQ(vmm_fake_pci_read(&f.p, 0, PCI_CLASS_PROG + 2, 1), 0x06);
    CHECK_EQ(vmm_fake_pci_read(&f.p, 0, PCI_HEADER_TYPE, 1), 0);
    CHECK_EQ(vmm_fake_pci_read(&f.p, 0, PCI_INTERRUPT_PIN, 1), 0);
    /* The ids are read-only. */
    vmm_fake_pci_write(&f.p, 0, PCI_VENDOR_ID, 4, 0);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, 0, PCI_VENDOR_ID, 4), 0x29c08086);
    fixture_destroy(&f);
}

TEST(absent_functions_read_all_ones)
{
    struct fixture f;

    fixture_init(&f);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(5), 0, 4), 0xffffffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(31), 0, 2), 0xffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, 1 << 8, 0, 4), 0xffffffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, 1, 0, 4), 0xffffffff); /* fn 1 */
    /* Writes there go nowhere. */
    vmm_fake_pci_write(&f.p, BDF(5), PCI_COMMAND, 2, 0xffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(5), PCI_COMMAND, 2), 0xffff);

    /* Enable bit clear: all-ones even for the host bridge. */
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4, 0);
    CHECK_U64_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA, 4),
                 0xffffffff);
    fixture_destroy(&f);
}

TEST(config_address_register)
{
    struct fixture f;

    fixture_init(&f);
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4, 0xffffffff);
    /* Reserved bits 30:24 and 1:0 read as zero. */
    CHECK_U64_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4),
                 0x80fffffc);
    /* Byte and word accesses to 0xcf8 are not the register. */
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 1),
             0xff);
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 2, 0);
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR + 1, 1, 0);
    CHECK_U64_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4),
                 0x80fffffc);

    /* Byte and word reads from the data window pick the right bytes;
     * misaligned words that would cross 0xcff read all-ones. */
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4, 0x80000000);
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + 1, 1),
             0x80);
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + 2, 2),
             0x29c0);
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + 3, 1),
             0x29);
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + 3, 2),
             0xffff);           /* Not inside the window: unmapped. */
    fixture_destroy(&f);
}

TEST(device_header_and_write_masks)
{
    struct fixture f;
    struct stub s = { 0 };
    struct pci_dev *dev;

    fixture_init(&f);
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, &stub_pci_ops, &s, &dev), 0);
    CHECK_EQ(pci_dev_slot(dev), 1);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(1), 0, 4), 0x56781234);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_REVISION_ID, 1), 3);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_SUBSYSTEM_VENDOR_ID, 4),
                 0x9abc1234);
    /* INTA#, routed to GSI 5 for slot 1; the line register is writable
     * scratch, the pin is not. */
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_INTERRUPT_PIN, 1), 1);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_INTERRUPT_LINE, 1), 5);
    CHECK_EQ(pci_dev_gsi(dev), 5);
    vmm_fake_pci_write(&f.p, BDF(1), PCI_INTERRUPT_LINE, 2, 0x0309);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_INTERRUPT_LINE, 2), 0x0109);
    CHECK_EQ(s.n_config_writes, 1);

    /* Command: only IO, MEMORY, MASTER and INTX_DISABLE stick; status is
     * read-only (no capability list yet). */
    vmm_fake_pci_write(&f.p, BDF(1), PCI_COMMAND, 4, 0xffffffff);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_COMMAND, 2), 0x0407);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_STATUS, 2), 0);
    /* No BAR there: all address bits stay 0; no expansion ROM. */
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0 + 8, 4, 0xffffffff);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_BAR0 + 8, 4), 0);
    vmm_fake_pci_write(&f.p, BDF(1), PCI_ROM_ADDRESS, 4, 0xffffffff);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_ROM_ADDRESS, 4), 0);
    pci_dev_remove(dev);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(1), 0, 4), 0xffffffff);
    fixture_destroy(&f);
}

TEST(memory_bar_sizing_decode_and_moves)
{
    struct fixture f;
    struct stub s = { 0 };
    struct pci_dev *dev;

    fixture_init(&f);
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, &stub_pci_ops, &s, &dev), 0);
    CHECK_EQ(pci_dev_add_bar(dev, 2, PCI_BAR_MEM32, 0x4000, &stub_io, &s),
             0);
    uint32_t bar = vmm_fake_pci_read(&f.p, BDF(1), PCI_BAR0 + 8, 4);
    CHECK_U64_EQ(bar, VMM_PCI_MMIO_BASE);
    CHECK(s.mapped);
    CHECK_U64_EQ(s.addr, VMM_PCI_MMIO_BASE);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_COMMAND, 2)
             & PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY);

    /* The guest reaches the BAR's handler at offsets inside it. */
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_MMIO, bar + 0x123, 1), 0x5a);
    CHECK_EQ(s.reads, 1);
    CHECK_U64_EQ(s.last_offset, 0x123);
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_MMIO, bar + 0x4000, 4),
             0xffffffff);       /* Past the end. */
    CHECK_EQ(s.reads, 1);

    /* Sizing as Linux does it: decode off, all-ones, read, restore. */
    vmm_fake_pci_write(&f.p, BDF(1), PCI_COMMAND, 2, 0);
    CHECK(!s.mapped);
    CHECK(!vmm_fake_find_window(&f.p, VMM_IO_MMIO, bar));
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0 + 8, 4, 0xffffffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_BAR0 + 8, 4),
                 0xffffc000);
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0 + 8, 4, bar);
    CHECK(!vmm_fake_find_window(&f.p, VMM_IO_MMIO, bar));
    vmm_fake_pci_write(&f.p, BDF(1), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    CHECK(s.mapped);
    CHECK(vmm_fake_find_window(&f.p, VMM_IO_MMIO, bar));

    /* Reprogramming with decode on moves the window; low bits of the
     * address are not writable. */
    int moves = s.n_moves;
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0 + 8, 4, 0xd0001234);
    CHECK_U64_EQ(pci_dev_bar_addr(dev, 2), 0xd0000000);
    CHECK_EQ(s.n_moves, moves + 1);
    CHECK_U64_EQ(s.addr, 0xd0000000);
    CHECK(!vmm_fake_find_window(&f.p, VMM_IO_MMIO, bar));
    CHECK(vmm_fake_find_window(&f.p, VMM_IO_MMIO, 0xd0000000));
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_MMIO, 0xd0000010, 4), 0x5a5a5a5a);

    /* A BAR moved onto another window stays unmapped until moved away. */
    struct stub s2 = { 0 };
    struct pci_dev *dev2;
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, &stub_pci_ops, &s2, &dev2),
             0);
    CHECK_EQ(pci_dev_add_bar(dev2, 0, PCI_BAR_MEM32, 0x1000, &stub_io, &s2),
             0);
    vmm_fake_pci_write(&f.p, BDF(2), PCI_BAR0, 4, 0xd0002000);
    CHECK(!pci_dev_bar_is_mapped(dev2, 0));
    CHECK(!s2.mapped);
    vmm_fake_pci_write(&f.p, BDF(2), PCI_BAR0, 4, 0xd0004000);
    CHECK(pci_dev_bar_is_mapped(dev2, 0));
    CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_MMIO, 0xd0004000, 1), 0x5a);
    CHECK_EQ(s2.reads, 1);

    /* Address 0 means "unassigned": not mapped. */
    vmm_fake_pci_write(&f.p, BDF(2), PCI_BAR0, 4, 0);
    CHECK(!pci_dev_bar_is_mapped(dev2, 0));

    pci_dev_remove(dev2);
    pci_dev_remove(dev);
    CHECK(!s.mapped);
    fixture_destroy(&f);
}

TEST(io_bar)
{
    struct fixture f;
    struct stub s = { 0 };
    struct pci_dev *dev;

    fixture_init(&f);
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, &stub_pci_ops, &s, &dev), 0);
    CHECK_EQ(pci_dev_add_bar(dev, 0, PCI_BAR_IO_SPACE, 0x20, &stub_io, &s),
             0);
    uint32_t bar = vmm_fake_pci_read(&f.p, BDF(1), PCI_BAR0, 4);
    CHECK_U64_EQ(bar, VMM_PCI_IO_BASE | PCI_BAR_IO);
    CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_COMMAND, 2), PCI_COMMAND_IO);
    vmm_fake_writev(&f.p, VMM_IO_PIO, VMM_PCI_IO_BASE + 4, 2, 7);
    CHECK_EQ(s.writes, 1);
    CHECK_U64_EQ(s.last_offset, 4);

    /* Sizing with decode on: the BAR moves past 64 KiB and is not
     * mapped; restoring maps it again. */
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0, 4, 0xffffffff);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, BDF(1), PCI_BAR0, 4), 0xffffffe1);
    CHECK(!pci_dev_bar_is_mapped(dev, 0));
    vmm_fake_pci_write(&f.p, BDF(1), PCI_BAR0, 4, 0xc100);
    CHECK(pci_dev_bar_is_mapped(dev, 0));
    CHECK(vmm_fake_find_window(&f.p, VMM_IO_PIO, 0xc100));
    CHECK(!vmm_fake_find_window(&f.p, VMM_IO_PIO, VMM_PCI_IO_BASE));

    /* Bad BAR declarations are refused. */
    CHECK_EQ(pci_dev_add_bar(dev, 0, PCI_BAR_MEM32, 0x1000, &stub_io, &s),
             EINVAL);           /* Taken. */
    CHECK_EQ(pci_dev_add_bar(dev, 6, PCI_BAR_MEM32, 0x1000, &stub_io, &s),
             EINVAL);
    CHECK_EQ(pci_dev_add_bar(dev, 1, PCI_BAR_MEM32, 0x1800, &stub_io, &s),
             EINVAL);
    pci_dev_remove(dev);
    fixture_destroy(&f);
}

TEST(slots_fill_up_and_gsis_rotate)
{
    struct fixture f;
    struct pci_dev *devs[PCI_MAX_SLOTS];
    struct pci_dev *extra;

    fixture_init(&f);
    for (int i = 1; i < PCI_MAX_SLOTS; i++) {
        CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, NULL, NULL, &devs[i]), 0);
        CHECK_EQ(pci_dev_slot(devs[i]), i);
        CHECK_EQ(vmm_fake_pci_read(&f.p, BDF(i), PCI_INTERRUPT_LINE, 1),
                 pci_slot_gsi(i));
    }
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, NULL, NULL, &extra), ENOSPC);
    CHECK_EQ(pci_slot_gsi(1), 5);
    CHECK_EQ(pci_slot_gsi(2), 10);
    CHECK_EQ(pci_slot_gsi(3), 11);
    CHECK_EQ(pci_slot_gsi(4), 5);
    /* Freed slots are reused. */
    pci_dev_remove(devs[7]);
    CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, NULL, NULL, &devs[7]), 0);
    CHECK_EQ(pci_dev_slot(devs[7]), 7);
    for (int i = 1; i < PCI_MAX_SLOTS; i++) {
        pci_dev_remove(devs[i]);
    }
    fixture_destroy(&f);
}

TEST(shared_intx_lines)
{
    struct fixture f;
    struct pci_dev *devs[5];

    fixture_init(&f);
    for (int i = 1; i <= 4; i++) {
        CHECK_EQ(pci_bus_add_dev(f.bus, &stub_ids, NULL, NULL, &devs[i]), 0);
    }
    struct pci_dev *a = devs[1], *b = devs[4];
    CHECK_EQ(pci_dev_gsi(a), 5);
    CHECK_EQ(pci_dev_gsi(b), 5);

    pci_dev_set_irq(a, true);
    CHECK_EQ(f.p.irq_level[5], 1);
    pci_dev_set_irq(b, true);
    pci_dev_set_irq(a, false);
    CHECK_EQ(f.p.irq_level[5], 1);      /* B still asserts. */
    pci_dev_set_irq(b, false);
    CHECK_EQ(f.p.irq_level[5], 0);
    pci_dev_set_irq(devs[2], true);     /* Another line. */
    CHECK_EQ(f.p.irq_level[10], 1);
    CHECK_EQ(f.p.irq_level[5], 0);

    /* INTx disable masks the device's contribution. */
    pci_dev_set_irq(a, true);
    vmm_fake_pci_write(&f.p, BDF(1), PCI_COMMAND, 2,
                       PCI_COMMAND_INTX_DISABLE);
    CHECK_EQ(f.p.irq_level[5], 0);
    vmm_fake_pci_write(&f.p, BDF(1), PCI_COMMAND, 2, 0);
    CHECK_EQ(f.p.irq_level[5], 1);

    /* Removing a device drops its contribution. */
    pci_dev_remove(a);
    CHECK_EQ(f.p.irq_level[5], 0);
    pci_bus_destroy(f.bus);     /* Removes the rest, with a warning. */
    CHECK_EQ(f.p.n_windows, 0);
    CHECK_EQ(f.p.irq_level[10], 0);
    vmm_fake_platform_destroy(&f.p);
}

/* virtio-pci's capabilities and BAR. */

static void
noop_get_config(void *aux PLX_UNUSED, uint8_t *config)
{
    memset(config, 0x11, 8);
}

static int
noop_start(void *aux PLX_UNUSED)
{
    return 0;
}

static void
noop_stop(void *aux PLX_UNUSED)
{
}

static const struct virtio_pci_dev_ops noop_ops = {
    .get_config = noop_get_config,
    .start = noop_start,
    .stop = noop_stop,
};

static struct virtio_pci *
create_virtio(struct fixture *f)
{
    struct virtio_pci_options o = {
        .device_type = 1, .class_code = 0x020000, .features = 1 << 5,
        .n_queues = 3, .max_queue_size = 256, .config_size = 8,
        .name = "vp-test",
    };
    struct virtio_pci *vp;

    CHECK_EQ(virtio_pci_create(f->bus, &o, &noop_ops, NULL, &vp), 0);
    return vp;
}

TEST(virtio_capability_chain)
{
    struct fixture f;
    int seen[5] = { 0 };
    int n_msix = 0;

    fixture_init(&f);
    struct virtio_pci *vp = create_virtio(&f);
    unsigned int d = BDF(1);

    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, d, 0, 4), 0x10411af4);
    CHECK_EQ(vmm_fake_pci_read(&f.p, d, PCI_REVISION_ID, 1), 1);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, d, PCI_SUBSYSTEM_VENDOR_ID, 4),
                 0x11001af4);
    CHECK_U64_EQ(vmm_fake_pci_read(&f.p, d, PCI_REVISION_ID, 4) >> 8,
                 0x020000);
    CHECK(vmm_fake_pci_read(&f.p, d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);

    uint32_t bar = vmm_fake_pci_read(&f.p, d, PCI_BAR0 + 4 * 4, 4);
    CHECK_GE(bar, VMM_PCI_MMIO_BASE);
    CHECK_EQ(bar % VIRTIO_PCI_BAR_SIZE, 0);

    unsigned int off = vmm_fake_pci_read(&f.p, d, PCI_CAPABILITY_LIST, 1);
    for (int guard = 0; off && guard < 48; guard++) {
        unsigned int id = vmm_fake_pci_read(&f.p, d, off, 1);
        unsigned int next = vmm_fake_pci_read(&f.p, d, off + 1, 1);

        CHECK_GE(off, 0x40);
        CHECK_EQ(off % 4, 0);
        if (id == PCI_CAP_ID_VNDR) {
            unsigned int type = vmm_fake_pci_read(&f.p, d, off + 3, 1);
            unsigned int cap_len = vmm_fake_pci_read(&f.p, d, off + 2, 1);
            uint32_t offset = vmm_fake_pci_read(&f.p, d, off + 8, 4);
            uint32_t length = vmm_fake_pci_read(&f.p, d, off + 12, 4);

            CHECK(type >= 1 && type <= 4);
            seen[type]++;
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 4, 1), 4);  /* BAR */
            CHECK_LE(offset + length, VIRTIO_PCI_BAR_SIZE);
            if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
                CHECK_EQ(cap_len, 20);
                CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 16, 4), 4);
                CHECK_EQ(length, 3 * 4);
            } else {
                CHECK_EQ(cap_len, 16);
            }
            if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
                CHECK_GE(length, 0x38);
            }
            if (type == VIRTIO_PCI_CAP_DEVICE_CFG) {
                CHECK_EQ(length, 8);
                CHECK_EQ(vmm_fake_readv(&f.p, VMM_IO_MMIO, bar + offset, 4),
                         0x11111111);
            }
            /* Capabilities are read-only. */
            vmm_fake_pci_write(&f.p, d, off + 8, 4, 0);
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 8, 4), offset);
        } else if (id == PCI_CAP_ID_MSIX) {
            n_msix++;
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 2, 2) & 0x7ff, 3);
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 4, 4),
                     VIRTIO_PCI_MSIX_TABLE_OFF | 4);
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 8, 4),
                     VIRTIO_PCI_MSIX_PBA_OFF | 4);
            /* Only enable and function mask are writable. */
            vmm_fake_pci_write(&f.p, d, off + 2, 2, 0xffff);
            CHECK_EQ(vmm_fake_pci_read(&f.p, d, off + 2, 2), 0xc003);
            vmm_fake_pci_write(&f.p, d, off + 2, 2, 0);
        }
        off = next;
    }
    CHECK_EQ(off, 0);
    for (int t = 1; t <= 4; t++) {
        CHECK_EQ(seen[t], 1);
    }
    CHECK_EQ(n_msix, 1);
    virtio_pci_destroy(vp);
    fixture_destroy(&f);
}

TEST(virtio_bar_move_moves_ioeventfds)
{
    struct fixture f;

    fixture_init(&f);
    struct virtio_pci *vp = create_virtio(&f);
    unsigned int d = BDF(1);
    uint32_t bar = vmm_fake_pci_read(&f.p, d, PCI_BAR0 + 16, 4);
    struct virtio_pci_queue q[3];

    for (int i = 0; i < 3; i++) {
        virtio_pci_get_queue(vp, i, &q[i]);
        const struct vmm_fake_ioeventfd *e = vmm_fake_find_ioeventfd(
            &f.p, VMM_IO_MMIO, bar + VIRTIO_PCI_NOTIFY_OFF + 4 * i);
        CHECK(e != NULL);
        CHECK_EQ(e->fd, q[i].kick_fd);
        CHECK_EQ(e->len, 0);
    }
    CHECK_EQ(f.p.n_ioeventfds, 3);

    /* A notify write is caught by the ioeventfd. */
    vmm_fake_writev(&f.p, VMM_IO_MMIO, bar + VIRTIO_PCI_NOTIFY_OFF + 4, 2, 1);
    CHECK_EQ(vmm_fake_eventfd_take(q[1].kick_fd), 1);
    CHECK_EQ(vmm_fake_eventfd_take(q[0].kick_fd), 0);

    /* Move the BAR. */
    uint32_t new_bar = 0xe0000000;
    vmm_fake_pci_write(&f.p, d, PCI_BAR0 + 16, 4, new_bar);
    CHECK_EQ(f.p.n_ioeventfds, 3);
    for (int i = 0; i < 3; i++) {
        CHECK(!vmm_fake_find_ioeventfd(&f.p, VMM_IO_MMIO,
                                       bar + VIRTIO_PCI_NOTIFY_OFF + 4 * i));
        const struct vmm_fake_ioeventfd *e = vmm_fake_find_ioeventfd(
            &f.p, VMM_IO_MMIO, new_bar + VIRTIO_PCI_NOTIFY_OFF + 4 * i);
        CHECK(e && e->fd == q[i].kick_fd);
    }
    vmm_fake_writev(&f.p, VMM_IO_MMIO, new_bar + VIRTIO_PCI_NOTIFY_OFF + 8,
                    2, 2);
    CHECK_EQ(vmm_fake_eventfd_take(q[2].kick_fd), 1);
    /* The old address is nothing now. */
    CHECK(!vmm_fake_write(&f.p, VMM_IO_MMIO, bar + VIRTIO_PCI_NOTIFY_OFF,
                          "\0\0", 2));
    CHECK_EQ(vmm_fake_eventfd_take(q[0].kick_fd), 0);

    /* Decode off: no window, no ioeventfds; on again: both back. */
    vmm_fake_pci_write(&f.p, d, PCI_COMMAND, 2, 0);
    CHECK_EQ(f.p.n_ioeventfds, 0);
    CHECK(!vmm_fake_find_window(&f.p, VMM_IO_MMIO, new_bar));
    vmm_fake_pci_write(&f.p, d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    CHECK_EQ(f.p.n_ioeventfds, 3);

    /* A notify that reaches the handler (say, a platform without the
     * ioeventfd) still kicks. */
    f.p.n_ioeventfds = 0;       /* Hidden, not removed. */
    vmm_fake_writev(&f.p, VMM_IO_MMIO, new_bar + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
    CHECK_EQ(vmm_fake_eventfd_take(q[0].kick_fd), 1);
    f.p.n_ioeventfds = 3;

    virtio_pci_destroy(vp);
    CHECK_EQ(f.p.n_ioeventfds, 0);
    fixture_destroy(&f);
}
