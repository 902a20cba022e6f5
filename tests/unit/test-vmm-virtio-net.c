/* Tests for vmm/virtio-pci.c and vmm/virtio-net-dev.c without KVM.
 *
 * The first half drives the transport as a hostile guest would, with a
 * stub device model.  The second half is end to end: a virtio_net_dev
 * connected over a socketpair to Plexus's own vhost-user backend
 * (vhost/vhost-user.c, served by a thread), a guest driver in this file
 * doing the modern virtio-pci initialization through the fake platform's
 * MMIO dispatch, and rings (tests/unit/virtio-driver) in the platform's
 * RAM, which the backend maps from the memory table plx-vm sent. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dp-packet.h"
#include "latch.h"
#include "poll-loop.h"
#include "rcu.h"
#include "test.h"
#include "vhost/vhost-user.h"
#include "vhost/virtqueue.h"
#include "virtio-driver.h"
#include "vlog.h"
#include "vmm-fake-platform.h"
#include "vmm/layout.h"
#include "vmm/pci.h"
#include "vmm/virtio-net-dev.h"
#include "vmm/virtio-pci.h"

#define DEV_BDF (1 << 3)        /* 00:01.0, the first device. */
#define MSI_ADDR 0xfee00000ULL

/* The guest's view of one virtio-pci function. */
struct guest {
    struct vmm_fake_platform *p;
    uint64_t bar;
    unsigned int msix_cap;
};

static void
guest_init(struct guest *g, struct vmm_fake_platform *p)
{
    g->p = p;
    g->bar = vmm_fake_pci_read(p, DEV_BDF, PCI_BAR0 + 16, 4) & ~0xfULL;
    g->msix_cap = 0;
    for (unsigned int off = vmm_fake_pci_read(p, DEV_BDF, 0x34, 1);
         off; off = vmm_fake_pci_read(p, DEV_BDF, off + 1, 1)) {
        if (vmm_fake_pci_read(p, DEV_BDF, off, 1) == PCI_CAP_ID_MSIX) {
            g->msix_cap = off;
        }
    }
    CHECK(g->bar);
    CHECK(g->msix_cap);
}

static uint64_t
rd(struct guest *g, uint64_t off, unsigned int len)
{
    return vmm_fake_readv(g->p, VMM_IO_MMIO, g->bar + off, len);
}

static void
wr(struct guest *g, uint64_t off, unsigned int len, uint64_t value)
{
    vmm_fake_writev(g->p, VMM_IO_MMIO, g->bar + off, len, value);
}

static uint64_t
guest_device_features(struct guest *g)
{
    wr(g, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
    uint64_t lo = rd(g, VIRTIO_PCI_COMMON_DF, 4);
    wr(g, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
    uint64_t hi = rd(g, VIRTIO_PCI_COMMON_DF, 4);
    return hi << 32 | lo;
}

static void
guest_set_features(struct guest *g, uint64_t features)
{
    wr(g, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
    wr(g, VIRTIO_PCI_COMMON_GF, 4, (uint32_t) features);
    wr(g, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
    wr(g, VIRTIO_PCI_COMMON_GF, 4, features >> 32);
}

static uint8_t
guest_status(struct guest *g)
{
    return rd(g, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void
guest_add_status(struct guest *g, uint8_t bits)
{
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, guest_status(g) | bits);
}

/* Resets, acknowledges and negotiates FEATURES.  Returns whether
 * FEATURES_OK stuck. */
static bool
guest_negotiate(struct guest *g, uint64_t features)
{
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(guest_status(g), 0);
    guest_add_status(g, VIRTIO_STATUS_ACKNOWLEDGE);
    guest_add_status(g, VIRTIO_STATUS_DRIVER);
    guest_set_features(g, features);
    guest_add_status(g, VIRTIO_STATUS_FEATURES_OK);
    return guest_status(g) & VIRTIO_STATUS_FEATURES_OK;
}

static void
guest_msix(struct guest *g, bool enable, int n_vectors)
{
    uint16_t ctrl = vmm_fake_pci_read(g->p, DEV_BDF, g->msix_cap + 2, 2);

    for (int v = 0; v < n_vectors && enable; v++) {
        uint64_t e = VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v;
        wr(g, e, 4, (uint32_t) MSI_ADDR);
        wr(g, e + 4, 4, 0);
        wr(g, e + 8, 4, 0x40 + v);
        wr(g, e + 12, 4, 0);
    }
    ctrl = enable ? ctrl | 0x8000 : ctrl & ~0x8000;
    vmm_fake_pci_write(g->p, DEV_BDF, g->msix_cap + 2, 2, ctrl);
}

/* Programs and enables queue Q.  Returns whether it is enabled. */
static bool
guest_queue(struct guest *g, int q, uint16_t size, uint64_t desc,
            uint64_t avail, uint64_t used, uint16_t vector)
{
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
    wr(g, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t) desc);
    wr(g, VIRTIO_PCI_COMMON_Q_DESCHI, 4, desc >> 32);
    wr(g, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, avail);
    wr(g, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t) used);
    wr(g, VIRTIO_PCI_COMMON_Q_USEDHI, 4, used >> 32);
    wr(g, VIRTIO_PCI_COMMON_Q_MSIX, 2, vector);
    wr(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    return rd(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 1;
}

/* ------------------------------------------------------------------ */
/* The transport against a hostile guest, with a stub device. */

struct stub_dev {
    int n_start, n_stop, n_disable;
    int start_error;
};

static void
stub_get_config(void *s PLX_UNUSED, uint8_t *config)
{
    for (int i = 0; i < 12; i++) {
        config[i] = 0xa0 + i;
    }
}

static int
stub_start(void *s_)
{
    struct stub_dev *s = s_;

    s->n_start++;
    return s->start_error;
}

static void
stub_stop(void *s_)
{
    struct stub_dev *s = s_;

    s->n_stop++;
}

static void
stub_queue_disable(void *s_, int q PLX_UNUSED)
{
    struct stub_dev *s = s_;

    s->n_disable++;
}

static const struct virtio_pci_dev_ops stub_ops = {
    .get_config = stub_get_config,
    .start = stub_start,
    .stop = stub_stop,
    .queue_disable = stub_queue_disable,
};

#define STUB_FEATURES ((1ULL << VIRTIO_NET_F_MAC) \
                       | (1ULL << VIRTIO_RING_F_EVENT_IDX))
#define V1 (1ULL << VIRTIO_F_VERSION_1)
#define RAM_SIZE (1 << 20)

struct tfix {
    struct vmm_fake_platform p;
    struct pci_bus *bus;
    struct virtio_pci *vp;
    struct stub_dev s;
    struct guest g;
};

static void
tfix_init(struct tfix *f)
{
    struct virtio_pci_options o = {
        .device_type = 1, .class_code = 0x020000,
        .features = STUB_FEATURES, .n_queues = 2, .max_queue_size = 256,
        .config_size = 12, .name = "stub",
    };

    memset(f, 0, sizeof *f);
    vmm_fake_platform_init(&f->p, RAM_SIZE);
    CHECK_EQ(pci_bus_create(&f->p.up, &f->bus), 0);
    CHECK_EQ(virtio_pci_create(f->bus, &o, &stub_ops, &f->s, &f->vp), 0);
    guest_init(&f->g, &f->p);
}

static void
tfix_destroy(struct tfix *f)
{
    virtio_pci_destroy(f->vp);
    CHECK_EQ(f->p.n_routes, 0);
    CHECK_EQ(f->p.n_ioeventfds, 0);
    pci_bus_destroy(f->bus);
    CHECK_EQ(f->p.n_windows, 0);
    vmm_fake_platform_destroy(&f->p);
}

/* Sets up both queues at valid addresses. */
static void
tfix_queues(struct tfix *f, uint16_t vector0, uint16_t vector1)
{
    CHECK(guest_queue(&f->g, 0, 256, 0x10000, 0x11000, 0x12000, vector0));
    CHECK(guest_queue(&f->g, 1, 128, 0x20000, 0x21000, 0x22000, vector1));
}

TEST(features_and_status)
{
    struct tfix f;
    struct guest *g = &f.g;

    tfix_init(&f);
    uint64_t offered = guest_device_features(g);
    CHECK_U64_EQ(offered, STUB_FEATURES | V1);
    wr(g, VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_DF, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_NUMQ, 2), 2);

    /* Not offered: refused.  Without VERSION_1: refused. */
    CHECK(!guest_negotiate(g, V1 | (1ULL << VIRTIO_NET_F_CSUM)));
    CHECK(!guest_negotiate(g, V1 | (1ULL << 33)));  /* ACCESS_PLATFORM */
    CHECK(!guest_negotiate(g, 1ULL << VIRTIO_NET_F_MAC));
    /* DRIVER_OK without FEATURES_OK does not stick nor start. */
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK(!(guest_status(g) & VIRTIO_STATUS_DRIVER_OK));
    CHECK_EQ(f.s.n_start, 0);

    CHECK(guest_negotiate(g, V1 | (1ULL << VIRTIO_NET_F_MAC)));
    CHECK_EQ(guest_status(g), VIRTIO_STATUS_ACKNOWLEDGE
             | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    /* Features are frozen after FEATURES_OK. */
    guest_set_features(g, V1 | STUB_FEATURES);
    CHECK_U64_EQ(virtio_pci_get_driver_features(f.vp),
                 V1 | (1ULL << VIRTIO_NET_F_MAC));
    wr(g, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_GF, 4), 1u << VIRTIO_NET_F_MAC);
    /* The driver cannot clear bits, nor set NEEDS_RESET. */
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_NEEDS_RESET);
    CHECK_EQ(guest_status(g), VIRTIO_STATUS_ACKNOWLEDGE
             | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);

    tfix_queues(&f, VIRTIO_PCI_NO_VECTOR, VIRTIO_PCI_NO_VECTOR);
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK(guest_status(g) & VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(f.s.n_start, 1);
    /* Writing DRIVER_OK again does not restart. */
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(f.s.n_start, 1);

    /* Reset: the device stops, everything is back to defaults. */
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(f.s.n_stop, 1);
    CHECK_EQ(guest_status(g), 0);
    CHECK_U64_EQ(virtio_pci_get_driver_features(f.vp), 0);
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0);
    /* A second reset does not stop again. */
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(f.s.n_stop, 1);

    /* A device that fails to start asks for a reset. */
    f.s.start_error = EIO;
    CHECK(guest_negotiate(g, V1));
    tfix_queues(&f, VIRTIO_PCI_NO_VECTOR, VIRTIO_PCI_NO_VECTOR);
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK(guest_status(g) & VIRTIO_STATUS_NEEDS_RESET);
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(f.s.n_stop, 1);            /* It never started. */
    CHECK_EQ(guest_status(g), 0);
    tfix_destroy(&f);
}

TEST(bad_register_accesses)
{
    struct tfix f;
    struct guest *g = &f.g;

    tfix_init(&f);
    /* Wrong widths and misaligned accesses read 0 and change nothing. */
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_NUMQ, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_NUMQ + 1, 1), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_DF, 2), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_DF + 1, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_DESCLO + 2, 4), 0);
    wr(g, VIRTIO_PCI_COMMON_STATUS, 4, 0xffffffff);
    wr(g, VIRTIO_PCI_COMMON_STATUS, 2, 0x0f);
    CHECK_EQ(guest_status(g), 0);
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 1, 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 4, 16);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
    /* Read-only fields. */
    wr(g, VIRTIO_PCI_COMMON_NUMQ, 2, 9);
    wr(g, VIRTIO_PCI_COMMON_Q_NOFF, 2, 9);
    wr(g, VIRTIO_PCI_COMMON_DF, 4, 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
    CHECK_U64_EQ(guest_device_features(g), STUB_FEATURES | V1);
    /* Holes and beyond: zeros; 16-byte accesses are not a thing. */
    CHECK_EQ(rd(g, 0x100, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF + 4, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 11, 2), 0);   /* Crosses end. */
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 10, 2), 0xabaa);
    CHECK_U64_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF, 8), 0xa7a6a5a4a3a2a1a0ULL);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 0x100, 4), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_BAR_SIZE - 4, 4), 0);
    uint8_t big[16];
    vmm_fake_read(&f.p, VMM_IO_MMIO, g->bar, big, sizeof big);
    vmm_fake_write(&f.p, VMM_IO_MMIO, g->bar, big, sizeof big);
    /* Device configuration is read-only. */
    wr(g, VIRTIO_PCI_DEVICE_OFF, 4, 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF, 1), 0xa0);
    /* MSI-X: byte and misaligned accesses do nothing; vector control
     * keeps only the mask bit; the PBA is read-only. */
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF, 1, 0xff);
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 2, 4, 0xffffffff);
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_TABLE_OFF, 4), 0);
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 12, 4, 0xffffffff);
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_TABLE_OFF + 12, 4), 1);
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 16 * 3, 8, ~0ULL);  /* Past table */
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_TABLE_OFF + 16 * 3, 8), 0);
    wr(g, VIRTIO_PCI_MSIX_PBA_OFF, 8, ~0ULL);
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_PBA_OFF, 8), 0);
    /* Vectors past the table read back as NO_VECTOR. */
    wr(g, VIRTIO_PCI_COMMON_MSIX, 2, 3);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_PCI_NO_VECTOR);
    wr(g, VIRTIO_PCI_COMMON_MSIX, 2, 2);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_MSIX, 2), 2);
    /* Notifies for queues that do not exist go nowhere. */
    wr(g, VIRTIO_PCI_NOTIFY_OFF + 4 * 2, 2, 0);
    wr(g, VIRTIO_PCI_NOTIFY_OFF + 0xffc, 2, 0);
    tfix_destroy(&f);
}

TEST(queue_select_size_and_enable_checks)
{
    struct tfix f;
    struct guest *g = &f.g;

    tfix_init(&f);
    CHECK(guest_negotiate(g, V1));

    /* Out of range: reads 0 / NO_VECTOR, writes ignored. */
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, 7);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SELECT, 2), 7);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_PCI_NO_VECTOR);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 64);
    wr(g, VIRTIO_PCI_COMMON_Q_DESCLO, 8, 0x1000);
    wr(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0xffff);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0);

    /* Sizes: power of two, 1..max. */
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 100);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 512);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 64);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);

    /* Rings outside RAM, straddling its end, misaligned or wrapping
     * around 2**64: not enabled. */
    CHECK(!guest_queue(g, 0, 64, RAM_SIZE, 0x1000, 0x2000, 0));
    CHECK(!guest_queue(g, 0, 64, RAM_SIZE - 512, 0x1000, 0x2000, 0));
    CHECK(!guest_queue(g, 0, 64, 0x3000, 0x1000, RAM_SIZE - 8, 0));
    CHECK(!guest_queue(g, 0, 64, 0x3008, 0x1000, 0x2000, 0));
    CHECK(!guest_queue(g, 0, 64, 0x3000, 0x1001, 0x2000, 0));
    CHECK(!guest_queue(g, 0, 64, 0x3000, 0x1000, 0x2002, 0));
    CHECK(!guest_queue(g, 0, 64, 0xfffffffffffff000ULL, 0x1000, 0x2000, 0));
    CHECK(!guest_queue(g, 0, 64, 0xc0000000, 0x1000, 0x2000, 0));
    CHECK(guest_queue(g, 0, 64, 0x3000, 0x1000, 0x2000, 0));

    /* Enabled: size and addresses are frozen. */
    wr(g, VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
    wr(g, VIRTIO_PCI_COMMON_Q_DESCLO, 8, 0x5000);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0x3000);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_DESCHI, 4), 0);
    struct virtio_pci_queue q;
    virtio_pci_get_queue(f.vp, 0, &q);
    CHECK(q.enabled);
    CHECK_EQ(q.size, 64);
    CHECK_U64_EQ(q.desc_gpa, 0x3000);
    CHECK_U64_EQ(q.driver_gpa, 0x1000);
    CHECK_U64_EQ(q.device_gpa, 0x2000);

    /* Disabling a queue of a started device stops it in the device. */
    CHECK(guest_queue(g, 1, 64, 0x6000, 0x7000, 0x8000, 0));
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(f.s.n_start, 1);
    wr(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
    CHECK_EQ(f.s.n_disable, 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
    tfix_destroy(&f);
}

TEST(ring_layout_rechecked_at_driver_ok)
{
    /* A guest enables a size-3 queue (fine for packed rings) while
     * RING_PACKED is acked, then un-acks it before FEATURES_OK: the split
     * ring it would get is not a power of two, so the device must not
     * start. */
    struct virtio_pci_options o = {
        .device_type = 1, .class_code = 0x020000,
        .features = STUB_FEATURES | (1ULL << VIRTIO_F_RING_PACKED),
        .n_queues = 2, .max_queue_size = 256, .config_size = 12,
        .name = "stub",
    };
    struct tfix f;
    struct guest *g = &f.g;

    memset(&f, 0, sizeof f);
    vmm_fake_platform_init(&f.p, RAM_SIZE);
    CHECK_EQ(pci_bus_create(&f.p.up, &f.bus), 0);
    CHECK_EQ(virtio_pci_create(f.bus, &o, &stub_ops, &f.s, &f.vp), 0);
    guest_init(g, &f.p);

    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    guest_add_status(g, VIRTIO_STATUS_ACKNOWLEDGE);
    guest_add_status(g, VIRTIO_STATUS_DRIVER);
    guest_set_features(g, V1 | (1ULL << VIRTIO_F_RING_PACKED));
    CHECK(guest_queue(g, 0, 3, 0x10000, 0x11000, 0x12000, 0));
    CHECK(guest_queue(g, 1, 64, 0x20000, 0x21000, 0x22000, 0));
    guest_set_features(g, V1);
    guest_add_status(g, VIRTIO_STATUS_FEATURES_OK);
    CHECK(guest_status(g) & VIRTIO_STATUS_FEATURES_OK);
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(f.s.n_start, 0);
    CHECK(guest_status(g) & VIRTIO_STATUS_NEEDS_RESET);

    /* After a reset, a proper split setup starts. */
    CHECK(guest_negotiate(g, V1));
    CHECK(guest_queue(g, 0, 4, 0x10000, 0x11000, 0x12000, 0));
    CHECK(guest_queue(g, 1, 64, 0x20000, 0x21000, 0x22000, 0));
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(f.s.n_start, 1);
    tfix_destroy(&f);
}

TEST(msix_routing_masking_and_pba)
{
    struct tfix f;
    struct guest *g = &f.g;
    struct virtio_pci_queue q0, q1;

    tfix_init(&f);
    virtio_pci_get_queue(f.vp, 0, &q0);
    virtio_pci_get_queue(f.vp, 1, &q1);
    CHECK(guest_negotiate(g, V1));
    guest_msix(g, true, 3);
    wr(g, VIRTIO_PCI_COMMON_MSIX, 2, 0);
    tfix_queues(&f, 1, 2);

    const struct vmm_fake_route *r0 = vmm_fake_find_route(&f.p, q0.call_fd);
    const struct vmm_fake_route *r1 = vmm_fake_find_route(&f.p, q1.call_fd);
    CHECK(r0 && r1);
    CHECK_U64_EQ(r0->addr, MSI_ADDR);
    CHECK_EQ(r0->data, 0x41);
    CHECK_EQ(r1->data, 0x42);
    CHECK_GE(r0->gsi, VMM_FIRST_MSI_GSI);
    CHECK_NE(r0->gsi, r1->gsi);
    /* Bound fds are KVM's business: nothing to relay. */
    int fds[4];
    CHECK_EQ(virtio_pci_get_relay_fds(f.vp, fds, 4), 0);

    /* Rewriting the entry re-routes the same GSI. */
    int gsi = r0->gsi;
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 8, 4, 0x51);
    r0 = vmm_fake_find_route(&f.p, q0.call_fd);
    CHECK(r0 && r0->gsi == gsi && r0->data == 0x51);

    /* Masking vector 1 unbinds; a signal is relayed into the PBA. */
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 12, 4, 1);
    CHECK(!vmm_fake_find_route(&f.p, q0.call_fd));
    CHECK_EQ(virtio_pci_get_relay_fds(f.vp, fds, 4), 1);
    CHECK_EQ(fds[0], q0.call_fd);
    uint64_t one = 1;
    CHECK_EQ(write(q0.call_fd, &one, 8), 8);
    unsigned int msis = f.p.n_signal_msi;
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_PBA_OFF, 8), 1 << 1);
    CHECK_EQ(f.p.n_signal_msi, msis);
    /* Unmasking delivers it once and binds again. */
    wr(g, VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 12, 4, 0);
    CHECK_EQ(f.p.n_signal_msi, msis + 1);
    CHECK_EQ(f.p.last_msi_data, 0x51);
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_PBA_OFF, 4), 0);
    CHECK(vmm_fake_find_route(&f.p, q0.call_fd));

    /* The function mask unbinds everything. */
    uint16_t ctrl = vmm_fake_pci_read(&f.p, DEV_BDF, g->msix_cap + 2, 2);
    vmm_fake_pci_write(&f.p, DEV_BDF, g->msix_cap + 2, 2, ctrl | 0x4000);
    CHECK_EQ(f.p.n_routes, 0);
    virtio_pci_queue_interrupt(f.vp, 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_MSIX_PBA_OFF, 4), 1 << 2);
    vmm_fake_pci_write(&f.p, DEV_BDF, g->msix_cap + 2, 2, ctrl);
    CHECK_EQ(f.p.n_routes, 2);
    CHECK_EQ(f.p.last_msi_data, 0x42);

    /* Config changes use the config vector. */
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    uint8_t gen = rd(g, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
    virtio_pci_config_changed(f.vp);
    CHECK_EQ(f.p.last_msi_data, 0x40);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_CFGGENERATION, 1), (uint8_t) (gen + 1));
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), 0);

    /* A queue moved to NO_VECTOR loses its route and its interrupts. */
    wr(g, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    wr(g, VIRTIO_PCI_COMMON_Q_MSIX, 2, VIRTIO_PCI_NO_VECTOR);
    CHECK(!vmm_fake_find_route(&f.p, q1.call_fd));
    virtio_pci_get_queue(f.vp, 1, &q1);
    CHECK(!q1.has_interrupt);
    msis = f.p.n_signal_msi;
    virtio_pci_queue_interrupt(f.vp, 1);
    CHECK_EQ(f.p.n_signal_msi, msis);

    /* Reset releases every route. */
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(f.p.n_routes, 0);
    tfix_destroy(&f);
}

TEST(intx_relay_and_isr)
{
    struct tfix f;
    struct guest *g = &f.g;
    struct virtio_pci_queue q0;
    int fds[4];

    tfix_init(&f);
    virtio_pci_get_queue(f.vp, 0, &q0);
    CHECK(q0.has_interrupt);
    CHECK(guest_negotiate(g, V1));
    tfix_queues(&f, VIRTIO_PCI_NO_VECTOR, VIRTIO_PCI_NO_VECTOR);
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);

    /* Without MSI-X every call fd is relayed. */
    CHECK_EQ(virtio_pci_get_relay_fds(f.vp, fds, 4), 2);
    uint64_t one = 1;
    CHECK_EQ(write(q0.call_fd, &one, 8), 8);
    virtio_pci_run(f.vp);
    CHECK_EQ(f.p.irq_level[5], 1);
    CHECK_EQ(vmm_fake_eventfd_take(q0.call_fd), 0);      /* Consumed. */
    /* Reading the ISR returns and clears it and lowers the line. */
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
    CHECK_EQ(f.p.irq_level[5], 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), 0);
    /* Nothing signalled: nothing raised. */
    virtio_pci_run(f.vp);
    CHECK_EQ(f.p.irq_level[5], 0);

    /* Config change: ISR bit 1. */
    virtio_pci_config_changed(f.vp);
    CHECK_EQ(f.p.irq_level[5], 1);
    /* Turning MSI-X on lowers INTx; off again raises what is pending. */
    guest_msix(g, true, 3);
    CHECK_EQ(f.p.irq_level[5], 0);
    guest_msix(g, false, 3);
    CHECK_EQ(f.p.irq_level[5], 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
    CHECK_EQ(f.p.irq_level[5], 0);

    /* Reset lowers the line too. */
    virtio_pci_queue_interrupt(f.vp, 0);
    CHECK_EQ(f.p.irq_level[5], 1);
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(f.p.irq_level[5], 0);
    tfix_destroy(&f);
}

/* ------------------------------------------------------------------ */
/* End to end with the real vhost-user backend. */

#define NET_FEATURES (V1 | (1ULL << VIRTIO_NET_F_MAC) \
                      | (1ULL << VIRTIO_NET_F_STATUS))

struct nfix {
    struct vhost_user_dev *backend;
    pthread_t thread;
    struct latch exit;
    bool thread_running;

    struct vdrv_mem mem;
    struct vmm_fake_platform p;
    struct pci_bus *bus;
    struct virtio_net_dev *net;
    struct guest g;
    struct vdrv_queue q[2];     /* rx, tx. */
    bool have_queues;
};

static void *
backend_main(void *f_)
{
    struct nfix *f = f_;

    while (!latch_is_set(&f->exit)) {
        if (vhost_user_dev_run(f->backend)) {
            break;
        }
        vhost_user_dev_wait(f->backend);
        latch_wait(&f->exit);
        poll_block();
    }
    return NULL;
}

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void
nfix_init(struct nfix *f)
{
    int fds[2];
    char *err = NULL;

    memset(f, 0, sizeof *f);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    f->backend = vhost_user_dev_create(fds[0], "backend");
    latch_init(&f->exit);
    CHECK_EQ(pthread_create(&f->thread, NULL, backend_main, f), 0);
    f->thread_running = true;

    vdrv_mem_init(&f->mem, 0, 1, 0);
    vmm_fake_platform_init_borrowed(&f->p, f->mem.fd, f->mem.base,
                                    f->mem.size, VDRV_UVA_BASE);
    CHECK_EQ(pci_bus_create(&f->p.up, &f->bus), 0);

    struct virtio_net_dev_options o = {
        .name = "net0", .fd = fds[1], .has_mac = true, .mtu = 1400,
    };
    memcpy(o.mac, test_mac, 6);
    f->net = virtio_net_dev_create(&f->p.up, f->bus, &o, &err);
    CHECK_MSG(f->net, "%s", err);
    guest_init(&f->g, &f->p);
}

static void
nfix_stop_backend(struct nfix *f)
{
    if (f->thread_running) {
        latch_set(&f->exit);
        pthread_join(f->thread, NULL);
        f->thread_running = false;
        vhost_user_dev_destroy(f->backend);
        f->backend = NULL;
        rcu_wait_postponed();
    }
}

static void
nfix_destroy(struct nfix *f)
{
    nfix_stop_backend(f);
    virtio_net_dev_destroy(f->net);
    pci_bus_destroy(f->bus);
    CHECK_EQ(f->p.n_windows, 0);
    CHECK_EQ(f->p.n_routes, 0);
    CHECK_EQ(f->p.n_ioeventfds, 0);
    if (f->have_queues) {
        vdrv_queue_destroy(&f->q[0]);
        vdrv_queue_destroy(&f->q[1]);
    }
    vmm_fake_platform_destroy(&f->p);
    vdrv_mem_destroy(&f->mem);
    latch_destroy(&f->exit);
}

/* The whole driver start-up; rings freshly laid out each time. */
static void
nfix_start_driver(struct nfix *f, uint64_t features, bool msix)
{
    struct guest *g = &f->g;
    bool packed = features & (1ULL << VIRTIO_F_RING_PACKED);

    CHECK(guest_negotiate(g, features));
    guest_msix(g, msix, 3);
    if (msix) {
        wr(g, VIRTIO_PCI_COMMON_MSIX, 2, 0);
    }
    if (f->have_queues) {
        vdrv_queue_destroy(&f->q[0]);
        vdrv_queue_destroy(&f->q[1]);
    }
    for (int i = 0; i < 2; i++) {
        struct vdrv_queue *q = &f->q[i];

        vdrv_queue_init(q, &f->mem, 256, packed, features);
        CHECK(guest_queue(g, i, 256, q->desc_gpa, q->avail_gpa, q->used_gpa,
                          msix ? 1 + i : VIRTIO_PCI_NO_VECTOR));
    }
    f->have_queues = true;
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(guest_status(g), VIRTIO_STATUS_ACKNOWLEDGE
             | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK
             | VIRTIO_STATUS_DRIVER_OK);
    /* setup_net() waited for the backend's acks: the rings run now. */
    CHECK_EQ(vhost_user_dev_n_rx_ready(f->backend), 1);
    CHECK(vhost_user_dev_tx_ready(f->backend, 0));
}

static void
make_frame(uint8_t *frame, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        frame[i] = seed + i * 7;
    }
    memset(frame, 0xff, 6);
}

/* The guest transmits and kicks through the notify address; the switch
 * receives. */
static void
check_tx(struct nfix *f, size_t len, uint8_t seed)
{
    uint8_t frame[1600];
    struct dp_packet_batch batch;
    struct virtio_pci_queue q;

    virtio_pci_get_queue(virtio_net_dev_get_transport(f->net), 1, &q);
    make_frame(frame, len, seed);
    CHECK_GE(vdrv_add_tx(&f->q[1], NULL, frame, len, NULL), 0);
    wr(&f->g, VIRTIO_PCI_NOTIFY_OFF + 4, 2, 1);
    CHECK_EQ(vmm_fake_eventfd_take(q.kick_fd), 1);

    dp_packet_batch_init(&batch);
    CHECK_EQ(vhost_user_dev_recv(f->backend, 0, &batch), 1);
    CHECK_EQ(dp_packet_size(batch.packets[0]), len);
    CHECK_MEMEQ(dp_packet_data(batch.packets[0]), frame, len);
    dp_packet_delete_batch(&batch, true);
    struct vdrv_used used;
    CHECK(vdrv_get_used(&f->q[1], &used));
}

/* The switch sends; the frame lands in the guest's rx ring. */
static void
check_rx(struct nfix *f, size_t len, uint8_t seed)
{
    uint8_t frame[1600], got[2048];
    struct dp_packet_batch batch;
    struct virtio_net_hdr hdr;
    int n_bufs;

    make_frame(frame, len, seed);
    CHECK_GE(vdrv_add_in(&f->q[0], 2048, NULL), 0);
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, dp_packet_clone_data(frame, len));
    CHECK_EQ(vhost_user_dev_send(f->backend, 0, &batch), 1);
    dp_packet_delete_batch(&batch, true);
    CHECK_EQ(vdrv_recv(&f->q[0], &hdr, got, sizeof got, &n_bufs), (int) len);
    CHECK_MEMEQ(got, frame, len);
}

static void
end_to_end(uint64_t extra_features, bool msix)
{
    struct nfix f;
    struct guest *g = &f.g;
    struct virtio_net_dev *net;

    nfix_init(&f);
    net = f.net;
    struct virtio_pci *vp = virtio_net_dev_get_transport(net);

    /* Offered: ours plus what the backend implements, MTU included. */
    uint64_t offered = guest_device_features(g);
    CHECK_U64_EQ(offered, virtio_net_dev_get_offered_features(net));
    CHECK_U64_EQ(offered & NET_FEATURES, NET_FEATURES);
    CHECK(offered & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
    CHECK(offered & (1ULL << VIRTIO_F_RING_PACKED));
    CHECK(offered & (1ULL << VIRTIO_NET_F_MTU));
    CHECK(!(offered & (1ULL << VIRTIO_NET_F_MQ)));
    CHECK(!(offered & (1ULL << VIRTIO_NET_F_CTRL_VQ)));

    /* Configuration space. */
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + i, 1), test_mac[i]);
    }
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 6, 2), VIRTIO_NET_S_LINK_UP);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 8, 2), 1);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 10, 2), 1400);

    uint64_t features = (NET_FEATURES | (1ULL << VIRTIO_NET_F_MTU)
                         | extra_features);
    nfix_start_driver(&f, features, msix);
    CHECK_EQ(vhost_user_dev_get_mtu(f.backend), 1400);
    for (int round = 0; round < 8; round++) {
        check_tx(&f, 60 + round * 101, round);
        check_rx(&f, 60 + round * 97, round);
    }

    /* The backend's interrupt for rx went to the call fd: bound to the
     * vector's MSI route, or relayed to INTx by run(). */
    struct virtio_pci_queue rxq;
    virtio_pci_get_queue(vp, 0, &rxq);
    if (msix) {
        const struct vmm_fake_route *r = vmm_fake_find_route(&f.p,
                                                             rxq.call_fd);
        CHECK(r && r->data == 0x41);
        CHECK_GE(vmm_fake_eventfd_take(rxq.call_fd), 1);
    } else {
        int fds[2];
        CHECK_EQ(virtio_pci_get_relay_fds(vp, fds, 2), 2);
        virtio_net_dev_run(net);
        CHECK_EQ(f.p.irq_level[5], 1);
        CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
        CHECK_EQ(f.p.irq_level[5], 0);
    }

    /* Reset stops the backend's rings; a second start works. */
    wr(g, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    CHECK_EQ(vhost_user_dev_n_rx_ready(f.backend), 0);
    CHECK(!vhost_user_dev_tx_ready(f.backend, 0));
    CHECK(virtio_net_dev_is_link_up(net));
    nfix_start_driver(&f, features, msix);
    for (int round = 0; round < 4; round++) {
        check_tx(&f, 200 + round, round + 50);
        check_rx(&f, 300 + round, round + 50);
    }
    virtio_net_dev_run(net);            /* Nothing to see. */
    CHECK(virtio_net_dev_is_link_up(net));

    /* The backend goes away: link down, config interrupt, no crash. */
    unsigned int msis = f.p.n_signal_msi;
    uint8_t gen = rd(g, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
    (void) rd(g, VIRTIO_PCI_ISR_OFF, 1);
    CHECK_GE(virtio_net_dev_get_fd(net), 0);
    nfix_stop_backend(&f);
    virtio_net_dev_run(net);
    CHECK(!virtio_net_dev_is_link_up(net));
    CHECK_EQ(virtio_net_dev_get_fd(net), -1);
    CHECK_EQ(rd(g, VIRTIO_PCI_DEVICE_OFF + 6, 2), 0);
    CHECK_EQ(rd(g, VIRTIO_PCI_COMMON_CFGGENERATION, 1), (uint8_t) (gen + 1));
    if (msix) {
        CHECK_EQ(f.p.n_signal_msi, msis + 1);
        CHECK_EQ(f.p.last_msi_data, 0x40);
    } else {
        CHECK_EQ(rd(g, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
    }
    /* The guest resets and restarts: refused cleanly (NEEDS_RESET). */
    CHECK(guest_negotiate(g, features));
    for (int i = 0; i < 2; i++) {
        struct vdrv_queue *q = &f.q[i];
        CHECK(guest_queue(g, i, 256, q->desc_gpa, q->avail_gpa, q->used_gpa,
                          VIRTIO_PCI_NO_VECTOR));
    }
    guest_add_status(g, VIRTIO_STATUS_DRIVER_OK);
    CHECK(guest_status(g) & VIRTIO_STATUS_NEEDS_RESET);
    nfix_destroy(&f);
}

TEST(end_to_end_split_msix)
{
    end_to_end(0, true);
}

TEST(end_to_end_split_intx_mrg_rxbuf)
{
    end_to_end((1ULL << VIRTIO_NET_F_MRG_RXBUF)
               | (1ULL << VIRTIO_RING_F_EVENT_IDX), false);
}

TEST(end_to_end_packed_msix)
{
    end_to_end(1ULL << VIRTIO_F_RING_PACKED, true);
}

TEST(create_errors)
{
    struct vmm_fake_platform p;
    struct pci_bus *bus;
    char *err = NULL;
    int fds[2];

    vmm_fake_platform_init(&p, 1 << 20);
    CHECK_EQ(pci_bus_create(&p.up, &bus), 0);

    /* Two queue pairs need a control queue. */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    struct virtio_net_dev_options o = { .fd = fds[1], .n_qp = 2 };
    CHECK(!virtio_net_dev_create(&p.up, bus, &o, &err));
    CHECK(err && strstr(err, "queue pairs"));
    free(err);

    /* The backend hangs up before answering. */
    close(fds[0]);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    close(fds[0]);
    o = (struct virtio_net_dev_options) { .fd = fds[1], .name = "x" };
    CHECK(!virtio_net_dev_create(&p.up, bus, &o, &err));
    CHECK(err && strstr(err, "GET_FEATURES"));
    free(err);

    /* Nothing listens there. */
    char *path = xasprintf("%s/nobody.sock", test_tmpdir());
    o = (struct virtio_net_dev_options) {
        .fd = -1, .path = path, .timeout_ms = 100,
    };
    CHECK(!virtio_net_dev_create(&p.up, bus, &o, &err));
    CHECK(err && strstr(err, "cannot connect"));
    free(err);
    /* Nobody connects. */
    o.server = true;
    CHECK(!virtio_net_dev_create(&p.up, bus, &o, &err));
    CHECK(err && strstr(err, "no vhost-user backend"));
    free(err);
    CHECK_EQ(access(path, F_OK), -1);
    free(path);

    pci_bus_destroy(bus);
    CHECK_EQ(p.n_windows, 0);
    vmm_fake_platform_destroy(&p);
}
