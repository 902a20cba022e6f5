/* vmm/virtio-pci.c: the virtio 1.x PCI transport (see virtio-pci.h). */
#include <config.h>
#include "vmm/virtio-pci.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "poll-loop.h"
#include "util.h"
#include "vhost/virtqueue.h"
#include "vlog.h"
#include "vmm/pci.h"
#include "vmm/platform.h"

VLOG_DEFINE_THIS_MODULE(virtio_pci);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define MAX_VECTORS (VIRTIO_PCI_MAX_QUEUES + 1)
#define MSIX_ENTRY_SIZE 16
#define MSIX_CTRL_MASKBIT 1u
#define MSIX_FLAGS_ENABLE 0x8000
#define MSIX_FLAGS_MASKALL 0x4000

struct vp_queue {
    uint16_t size;
    uint16_t msix_vector;
    bool enabled;
    uint64_t desc, driver, device;

    int kick_fd;
    int call_fd;
    int gsi;                    /* -1: call_fd not bound to an irqfd. */
    uint64_t bound_addr;
    uint32_t bound_data;
};

struct vp_msix_entry {
    uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
    pthread_mutex_t mutex;      /* Recursive. */
    struct vmm_platform *platform;
    struct pci_dev *pci;
    char *name;
    uint16_t device_type;
    uint64_t offered;
    int n_queues;
    uint16_t max_queue_size;
    size_t config_size;
    const struct virtio_pci_dev_ops *ops;
    void *aux;

    /* Common configuration. */
    uint32_t dfselect;
    uint32_t gfselect;
    uint64_t driver_features;
    uint16_t msix_config;
    uint8_t status;
    uint8_t generation;
    uint16_t queue_select;
    uint8_t isr;
    bool started;               /* start() succeeded, no reset since. */
    struct vp_queue queues[VIRTIO_PCI_MAX_QUEUES];

    /* MSI-X. */
    unsigned int msix_cap;      /* Offset in configuration space. */
    int n_vectors;
    struct vp_msix_entry table[MAX_VECTORS];
    bool pending[MAX_VECTORS];

    /* Where the notify ioeventfds are, if anywhere. */
    bool ioeventfds_on;
    uint64_t ioeventfd_base;
};

static const struct vmm_io_ops vp_bar_ops;
static void vp_update_routes(struct virtio_pci *);
static void vp_relay(struct virtio_pci *);

void
virtio_pci_lock(struct virtio_pci *vp)
{
    pthread_mutex_lock(&vp->mutex);
}

void
virtio_pci_unlock(struct virtio_pci *vp)
{
    pthread_mutex_unlock(&vp->mutex);
}

static void
drain_eventfd(int fd)
{
    uint64_t value;

    if (read(fd, &value, sizeof value) < 0) {
        /* EAGAIN: nothing was pending. */
    }
}

/* MSI-X state. */

static bool
vp_msix_enabled(const struct virtio_pci *vp)
{
    return pci_dev_config_read16(vp->pci, vp->msix_cap + 2)
           & MSIX_FLAGS_ENABLE;
}

static bool
vp_msix_function_masked(const struct virtio_pci *vp)
{
    return pci_dev_config_read16(vp->pci, vp->msix_cap + 2)
           & MSIX_FLAGS_MASKALL;
}

static bool
vp_vector_valid(const struct virtio_pci *vp, uint16_t vector)
{
    return vector < vp->n_vectors;
}

static bool
vp_vector_masked(const struct virtio_pci *vp, uint16_t vector)
{
    return vp_msix_function_masked(vp)
           || (vp->table[vector].ctrl & MSIX_CTRL_MASKBIT);
}

static uint64_t
vp_vector_addr(const struct virtio_pci *vp, uint16_t vector)
{
    return (uint64_t) vp->table[vector].addr_hi << 32
           | vp->table[vector].addr_lo;
}

/* Raises VECTOR if MSI-X is on, or sets ISR_BIT and INTA# if it is off. */
static void
vp_raise(struct virtio_pci *vp, uint16_t vector, uint8_t isr_bit)
{
    if (vp_msix_enabled(vp)) {
        if (!vp_vector_valid(vp, vector)) {
            return;
        }
        if (vp_vector_masked(vp, vector)) {
            vp->pending[vector] = true;
        } else {
            int error = vp->platform->class->signal_msi(
                vp->platform, vp_vector_addr(vp, vector),
                vp->table[vector].data);
            if (error) {
                VLOG_WARN_RL(&rl, "%s: MSI-X vector %"PRIu16": %s",
                             vp->name, vector, plx_strerror(error));
            }
        }
    } else {
        vp->isr |= isr_bit;
        pci_dev_set_irq(vp->pci, true);
    }
}

/* Binds each queue's call fd to its vector while that can deliver,
 * releases the others, and delivers vectors that became deliverable
 * with a pending bit set. */
static void
vp_update_routes(struct virtio_pci *vp)
{
    struct vmm_platform *p = vp->platform;
    bool on = vp_msix_enabled(vp) && !vp_msix_function_masked(vp);

    for (int i = 0; i < vp->n_queues; i++) {
        struct vp_queue *q = &vp->queues[i];
        uint16_t v = q->msix_vector;
        bool want = (on && vp_vector_valid(vp, v)
                     && !vp_vector_masked(vp, v));

        if (!want) {
            if (q->gsi >= 0) {
                p->class->msi_irqfd_release(p, q->call_fd, q->gsi);
                q->gsi = -1;
            }
            continue;
        }

        uint64_t addr = vp_vector_addr(vp, v);
        uint32_t data = vp->table[v].data;
        if (q->gsi >= 0 && q->bound_addr == addr && q->bound_data == data) {
            continue;
        }
        int gsi = q->gsi;
        int error = p->class->msi_irqfd(p, q->call_fd, addr, data, &gsi);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: queue %d: cannot bind MSI-X vector "
                         "%"PRIu16" (%s); relaying it instead", vp->name, i,
                         v, plx_strerror(error));
            if (q->gsi >= 0) {
                p->class->msi_irqfd_release(p, q->call_fd, q->gsi);
                q->gsi = -1;
            }
            continue;
        }
        q->gsi = gsi;
        q->bound_addr = addr;
        q->bound_data = data;
    }

    if (on) {
        for (int v = 0; v < vp->n_vectors; v++) {
            if (vp->pending[v] && !vp_vector_masked(vp, v)) {
                vp->pending[v] = false;
                vp_raise(vp, v, 0);
            }
        }
    }
}

/* Resetting. */

static void
vp_reset(struct virtio_pci *vp)
{
    if (vp->started) {
        vp->started = false;
        vp->ops->stop(vp->aux);
    }
    vp->dfselect = 0;
    vp->gfselect = 0;
    vp->driver_features = 0;
    vp->msix_config = VIRTIO_PCI_NO_VECTOR;
    vp->status = 0;
    vp->queue_select = 0;
    vp->isr = 0;
    pci_dev_set_irq(vp->pci, false);
    for (int i = 0; i < vp->n_queues; i++) {
        struct vp_queue *q = &vp->queues[i];

        q->size = vp->max_queue_size;
        q->msix_vector = VIRTIO_PCI_NO_VECTOR;
        q->enabled = false;
        q->desc = q->driver = q->device = 0;
        drain_eventfd(q->kick_fd);
        drain_eventfd(q->call_fd);
    }
    vp_update_routes(vp);
}

/* Notify ioeventfds. */

static void
vp_set_ioeventfds(struct virtio_pci *vp, uint64_t base, bool assign)
{
    struct vmm_platform *p = vp->platform;

    for (int i = 0; i < vp->n_queues; i++) {
        uint64_t addr = (base + VIRTIO_PCI_NOTIFY_OFF
                         + i * VIRTIO_PCI_NOTIFY_MULT);
        int error = p->class->ioeventfd(p, VMM_IO_MMIO, addr, 0,
                                        vp->queues[i].kick_fd, assign);
        if (error) {
            /* The register handler still forwards such notifies. */
            VLOG_WARN_RL(&rl, "%s: queue %d: %s notify ioeventfd at "
                         "%#"PRIx64": %s", vp->name, i,
                         assign ? "cannot add" : "cannot remove", addr,
                         plx_strerror(error));
        }
    }
}

static void
vp_bar_mapped(void *vp_, int bar, bool old_mapped, uint64_t old_addr,
              bool new_mapped, uint64_t new_addr)
{
    struct virtio_pci *vp = vp_;

    if (bar != VIRTIO_PCI_BAR) {
        return;
    }
    virtio_pci_lock(vp);
    if (old_mapped && vp->ioeventfds_on) {
        vp_set_ioeventfds(vp, old_addr, false);
        vp->ioeventfds_on = false;
    }
    if (new_mapped) {
        vp_set_ioeventfds(vp, new_addr, true);
        vp->ioeventfds_on = true;
        vp->ioeventfd_base = new_addr;
    }
    virtio_pci_unlock(vp);
}

static void
vp_config_write(void *vp_, unsigned int offset, unsigned int len)
{
    struct virtio_pci *vp = vp_;
    unsigned int ctrl = vp->msix_cap + 2;

    if (offset < ctrl + 2 && offset + len > ctrl) {
        virtio_pci_lock(vp);
        if (vp_msix_enabled(vp)) {
            /* INTx is off while MSI-X is on. */
            pci_dev_set_irq(vp->pci, false);
        } else if (vp->isr) {
            pci_dev_set_irq(vp->pci, true);
        }
        vp_update_routes(vp);
        virtio_pci_unlock(vp);
    }
}

static const struct pci_dev_ops vp_pci_ops = {
    .config_write = vp_config_write,
    .bar_mapped = vp_bar_mapped,
};

/* Common configuration. */

static bool
vp_ring_packed(const struct virtio_pci *vp)
{
    return vp->driver_features & (1ULL << VIRTIO_F_RING_PACKED);
}

static struct vp_queue *
vp_selected(struct virtio_pci *vp)
{
    return (vp->queue_select < vp->n_queues
            ? &vp->queues[vp->queue_select] : NULL);
}

/* Checks that ring area [GPA, GPA + LEN) is ALIGN-aligned RAM. */
static bool
vp_ring_area_ok(struct virtio_pci *vp, uint64_t gpa, uint64_t len,
                uint64_t align)
{
    return !(gpa & (align - 1))
           && vp->platform->class->gpa_to_hva(vp->platform, gpa, len);
}

/* Whether queue Q's size and ring areas suit the ring layout the driver
 * features say (which may still change until FEATURES_OK, so this is
 * checked again when the driver starts the device). */
static bool
vp_queue_valid(struct virtio_pci *vp, const struct vp_queue *q)
{
    uint64_t n = q->size;

    if (vp_ring_packed(vp)) {
        return (n && n <= vp->max_queue_size
                && vp_ring_area_ok(vp, q->desc, 16 * n, 16)
                && vp_ring_area_ok(vp, q->driver, 4, 4)
                && vp_ring_area_ok(vp, q->device, 4, 4));
    } else {
        return (IS_POW2(n) && n <= vp->max_queue_size
                && vp_ring_area_ok(vp, q->desc, 16 * n, 16)
                && vp_ring_area_ok(vp, q->driver, 6 + 2 * n, 2)
                && vp_ring_area_ok(vp, q->device, 6 + 8 * n, 4));
    }
}

static void
vp_queue_enable(struct virtio_pci *vp, int qi)
{
    struct vp_queue *q = &vp->queues[qi];
    uint64_t n = q->size;

    if (!vp_queue_valid(vp, q)) {
        VLOG_WARN_RL(&rl, "%s: queue %d not enabled: size %"PRIu64" or "
                     "ring addresses %#"PRIx64", %#"PRIx64", %#"PRIx64
                     " invalid", vp->name, qi, n, q->desc, q->driver,
                     q->device);
        return;
    }
    q->enabled = true;
}

static void
vp_queue_disable(struct virtio_pci *vp, int qi)
{
    struct vp_queue *q = &vp->queues[qi];

    if (!q->enabled) {
        return;
    }
    q->enabled = false;
    if (vp->started && vp->ops->queue_disable) {
        vp->ops->queue_disable(vp->aux, qi);
    }
}

static void
vp_set_status(struct virtio_pci *vp, uint8_t value)
{
    uint8_t old = vp->status;
    uint8_t new = old | (value & ~VIRTIO_STATUS_NEEDS_RESET);

    if (!value) {
        vp_reset(vp);
        return;
    }
    if ((new & VIRTIO_STATUS_FEATURES_OK)
        && !(old & VIRTIO_STATUS_FEATURES_OK)) {
        uint64_t extra = vp->driver_features & ~vp->offered;

        if (extra || !(vp->driver_features & (1ULL << VIRTIO_F_VERSION_1))) {
            VLOG_WARN_RL(&rl, "%s: refusing FEATURES_OK for features "
                         "%#"PRIx64" (not offered: %#"PRIx64")", vp->name,
                         vp->driver_features, extra);
            new &= ~VIRTIO_STATUS_FEATURES_OK;
        }
    }
    if (!(new & VIRTIO_STATUS_FEATURES_OK)) {
        new &= ~VIRTIO_STATUS_DRIVER_OK;
    }
    vp->status = new;

    if ((new & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)
        && !(new & VIRTIO_STATUS_NEEDS_RESET)) {
        int error = 0;
        for (int qi = 0; qi < vp->n_queues; qi++) {
            if (vp->queues[qi].enabled
                && !vp_queue_valid(vp, &vp->queues[qi])) {
                VLOG_WARN_RL(&rl, "%s: queue %d does not suit the "
                             "negotiated ring layout", vp->name, qi);
                error = EINVAL;
            }
        }
        if (!error) {
            error = vp->ops->start(vp->aux);
        }
        if (error) {
            VLOG_WARN_RL(&rl, "%s: device did not start (%s)", vp->name,
                         plx_strerror(error));
            virtio_pci_set_needs_reset(vp);
        } else {
            vp->started = true;
        }
    }
}

/* Whether LEN bytes at OFFSET are a proper access to a field of WIDTH
 * at FIELD (64-bit fields also as two dwords). */
static bool
field_access(uint64_t offset, unsigned int len, unsigned int field,
             unsigned int width)
{
    if (width == 8) {
        return (offset == field && (len == 8 || len == 4))
               || (offset == field + 4 && len == 4);
    }
    return offset == field && len == width;
}

static uint64_t
vp_common_read(struct virtio_pci *vp, uint64_t off, unsigned int len)
{
    struct vp_queue *q = vp_selected(vp);
    static const struct {
        uint8_t off, width;
    } fields[] = {
        { VIRTIO_PCI_COMMON_DFSELECT, 4 }, { VIRTIO_PCI_COMMON_DF, 4 },
        { VIRTIO_PCI_COMMON_GFSELECT, 4 }, { VIRTIO_PCI_COMMON_GF, 4 },
        { VIRTIO_PCI_COMMON_MSIX, 2 }, { VIRTIO_PCI_COMMON_NUMQ, 2 },
        { VIRTIO_PCI_COMMON_STATUS, 1 },
        { VIRTIO_PCI_COMMON_CFGGENERATION, 1 },
        { VIRTIO_PCI_COMMON_Q_SELECT, 2 }, { VIRTIO_PCI_COMMON_Q_SIZE, 2 },
        { VIRTIO_PCI_COMMON_Q_MSIX, 2 }, { VIRTIO_PCI_COMMON_Q_ENABLE, 2 },
        { VIRTIO_PCI_COMMON_Q_NOFF, 2 }, { VIRTIO_PCI_COMMON_Q_DESCLO, 8 },
        { VIRTIO_PCI_COMMON_Q_AVAILLO, 8 }, { VIRTIO_PCI_COMMON_Q_USEDLO, 8 },
    };
    unsigned int field = UINT_MAX;
    uint64_t value;

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        if (field_access(off, len, fields[i].off, fields[i].width)) {
            field = fields[i].off;
            break;
        }
    }
    switch (field) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        return vp->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return (vp->dfselect < 2
                ? (uint32_t) (vp->offered >> (32 * vp->dfselect)) : 0);
    case VIRTIO_PCI_COMMON_GFSELECT:
        return vp->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return (vp->gfselect < 2
                ? (uint32_t) (vp->driver_features >> (32 * vp->gfselect))
                : 0);
    case VIRTIO_PCI_COMMON_MSIX:
        return vp->msix_config;
    case VIRTIO_PCI_COMMON_NUMQ:
        return vp->n_queues;
    case VIRTIO_PCI_COMMON_STATUS:
        return vp->status;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return vp->generation;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        return vp->queue_select;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        return q ? q->size : 0;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return q ? q->msix_vector : VIRTIO_PCI_NO_VECTOR;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        return q ? q->enabled : 0;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        return q ? vp->queue_select : 0;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        if (!q) {
            return 0;
        }
        value = (field == VIRTIO_PCI_COMMON_Q_DESCLO ? q->desc
                 : field == VIRTIO_PCI_COMMON_Q_AVAILLO ? q->driver
                 : q->device);
        return off == field + 4 ? value >> 32 : len == 4 ? (uint32_t) value
                                                         : value;
    default:
        VLOG_DBG_RL(&rl, "%s: bad common config read of %u bytes at %#"
                    PRIx64, vp->name, len, off);
        return 0;
    }
}

static void
set_half(uint64_t *field, uint64_t off, uint64_t base, unsigned int len,
         uint64_t value)
{
    if (len == 8) {
        *field = value;
    } else if (off == base) {
        *field = (*field & 0xffffffff00000000ULL) | (uint32_t) value;
    } else {
        *field = (*field & 0xffffffff) | value << 32;
    }
}

static void
vp_common_write(struct virtio_pci *vp, uint64_t off, unsigned int len,
                uint64_t value)
{
    struct vp_queue *q = vp_selected(vp);

    if (field_access(off, len, VIRTIO_PCI_COMMON_DFSELECT, 4)) {
        vp->dfselect = value;
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_GFSELECT, 4)) {
        vp->gfselect = value;
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_GF, 4)) {
        if (vp->gfselect < 2 && !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
            int shift = 32 * vp->gfselect;
            vp->driver_features &= ~(0xffffffffULL << shift);
            vp->driver_features |= value << shift;
        }
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_MSIX, 2)) {
        vp->msix_config = (vp_vector_valid(vp, value)
                           ? value : VIRTIO_PCI_NO_VECTOR);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_STATUS, 1)) {
        vp_set_status(vp, value);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_SELECT, 2)) {
        vp->queue_select = value;
    } else if (!q) {
        VLOG_DBG_RL(&rl, "%s: write at %#"PRIx64" for queue %"PRIu16
                    " that does not exist", vp->name, off,
                    vp->queue_select);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_MSIX, 2)) {
        q->msix_vector = (vp_vector_valid(vp, value)
                          ? value : VIRTIO_PCI_NO_VECTOR);
        vp_update_routes(vp);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_ENABLE, 2)) {
        if (value == 1 && !q->enabled) {
            vp_queue_enable(vp, vp->queue_select);
        } else if (value == 0) {
            vp_queue_disable(vp, vp->queue_select);
        }
    } else if (q->enabled) {
        VLOG_DBG_RL(&rl, "%s: write at %#"PRIx64" to enabled queue "
                    "%"PRIu16" ignored", vp->name, off, vp->queue_select);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_SIZE, 2)) {
        if (value && value <= vp->max_queue_size
            && (IS_POW2(value) || vp_ring_packed(vp))) {
            q->size = value;
        } else {
            VLOG_WARN_RL(&rl, "%s: queue %"PRIu16": size %"PRIu64" refused",
                         vp->name, vp->queue_select, value);
        }
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_DESCLO, 8)) {
        set_half(&q->desc, off, VIRTIO_PCI_COMMON_Q_DESCLO, len, value);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_AVAILLO, 8)) {
        set_half(&q->driver, off, VIRTIO_PCI_COMMON_Q_AVAILLO, len, value);
    } else if (field_access(off, len, VIRTIO_PCI_COMMON_Q_USEDLO, 8)) {
        set_half(&q->device, off, VIRTIO_PCI_COMMON_Q_USEDLO, len, value);
    } else {
        VLOG_DBG_RL(&rl, "%s: bad common config write of %u bytes at %#"
                    PRIx64, vp->name, len, off);
    }
}

/* MSI-X table and PBA. */

static uint32_t *
vp_msix_word(struct virtio_pci *vp, uint64_t off)
{
    uint64_t entry = off / MSIX_ENTRY_SIZE;

    if (entry >= (uint64_t) vp->n_vectors) {
        return NULL;
    }
    switch (off % MSIX_ENTRY_SIZE / 4) {
    case 0: return &vp->table[entry].addr_lo;
    case 1: return &vp->table[entry].addr_hi;
    case 2: return &vp->table[entry].data;
    default: return &vp->table[entry].ctrl;
    }
}

static uint64_t
vp_msix_read(struct virtio_pci *vp, uint64_t off, unsigned int len)
{
    if (off >= VIRTIO_PCI_MSIX_PBA_OFF) {
        uint64_t bits = 0;

        off -= VIRTIO_PCI_MSIX_PBA_OFF;
        if ((len != 4 && len != 8) || off % len || off >= 8) {
            return 0;
        }
        vp_relay(vp);           /* Pick up interrupts of masked vectors. */
        for (int v = 0; v < vp->n_vectors && v < 64; v++) {
            bits |= (uint64_t) vp->pending[v] << v;
        }
        return len == 8 ? bits : (uint32_t) (bits >> (8 * off));
    }

    off -= VIRTIO_PCI_MSIX_TABLE_OFF;
    if ((len != 4 && len != 8) || off % len) {
        return 0;
    }
    uint32_t *lo = vp_msix_word(vp, off);
    uint32_t *hi = len == 8 ? vp_msix_word(vp, off + 4) : NULL;
    return (lo ? *lo : 0) | (uint64_t) (hi ? *hi : 0) << 32;
}

static void
vp_msix_write(struct virtio_pci *vp, uint64_t off, unsigned int len,
              uint64_t value)
{
    if (off >= VIRTIO_PCI_MSIX_PBA_OFF) {
        return;                 /* The PBA is read-only. */
    }
    off -= VIRTIO_PCI_MSIX_TABLE_OFF;
    if ((len != 4 && len != 8) || off % len) {
        return;
    }
    for (unsigned int i = 0; i < len / 4; i++) {
        uint64_t o = off + 4 * i;
        uint32_t *word = vp_msix_word(vp, o);
        uint32_t v = value >> (32 * i);

        if (word) {
            *word = o % MSIX_ENTRY_SIZE == 12 ? v & MSIX_CTRL_MASKBIT : v;
        }
    }
    vp_update_routes(vp);
}

/* The BAR. */

static void
vp_bar_read(void *vp_, uint64_t off, void *data, unsigned int len)
{
    struct virtio_pci *vp = vp_;
    uint64_t value = 0;

    if (len > 8) {
        memset(data, 0, len);
        return;
    }
    virtio_pci_lock(vp);
    if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_LEN) {
        value = vp_common_read(vp, off, len);
    } else if (off == VIRTIO_PCI_ISR_OFF) {
        value = vp->isr;
        vp->isr = 0;
        pci_dev_set_irq(vp->pci, false);
    } else if (off >= VIRTIO_PCI_DEVICE_OFF
               && off < VIRTIO_PCI_DEVICE_OFF + vp->config_size
               && len <= vp->config_size - (off - VIRTIO_PCI_DEVICE_OFF)) {
        uint8_t config[VIRTIO_PCI_DEVICE_MAX];

        vp->ops->get_config(vp->aux, config);
        value = vmm_io_get(config + (off - VIRTIO_PCI_DEVICE_OFF), len);
    } else if (off >= VIRTIO_PCI_MSIX_TABLE_OFF) {
        value = vp_msix_read(vp, off, len);
    }
    virtio_pci_unlock(vp);
    vmm_io_put(data, len, value);
}

static void
vp_bar_write(void *vp_, uint64_t off, const void *data, unsigned int len)
{
    struct virtio_pci *vp = vp_;
    uint64_t value;

    if (len > 8) {
        return;
    }
    value = vmm_io_get(data, len);
    virtio_pci_lock(vp);
    if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_LEN) {
        vp_common_write(vp, off, len, value);
    } else if (off >= VIRTIO_PCI_NOTIFY_OFF
               && off < VIRTIO_PCI_NOTIFY_OFF
                        + (uint64_t) vp->n_queues * VIRTIO_PCI_NOTIFY_MULT) {
        /* Normally an ioeventfd catches this before it gets here. */
        uint64_t one = 1;
        int q = (off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;

        if (write(vp->queues[q].kick_fd, &one, sizeof one) < 0) {
            /* The counter is saturated: the kick is pending anyway. */
        }
    } else if (off >= VIRTIO_PCI_MSIX_TABLE_OFF) {
        vp_msix_write(vp, off, len, value);
    }
    /* Device configuration (MAC etc.) is read-only for VERSION_1
     * drivers; the ISR is read-only. */
    virtio_pci_unlock(vp);
}

static const struct vmm_io_ops vp_bar_ops = {
    .read = vp_bar_read,
    .write = vp_bar_write,
};

/* Creation. */

static void
vp_add_virtio_cap(struct pci_dev *pci, uint8_t type, uint32_t offset,
                  uint32_t length, bool notify)
{
    /* struct virtio_pci_cap without cap_vndr and cap_next, plus
     * notify_off_multiplier for NOTIFY_CFG. */
    uint8_t body[18];
    size_t len = notify ? 18 : 14;

    memset(body, 0, sizeof body);
    body[0] = len + 2;                  /* cap_len. */
    body[1] = type;                     /* cfg_type. */
    body[2] = VIRTIO_PCI_BAR;           /* bar. */
    vmm_io_put(body + 6, 4, offset);
    vmm_io_put(body + 10, 4, length);
    if (notify) {
        vmm_io_put(body + 14, 4, VIRTIO_PCI_NOTIFY_MULT);
    }
    pci_dev_add_cap(pci, PCI_CAP_ID_VNDR, body, len);
}

static unsigned int
vp_add_msix_cap(struct pci_dev *pci, int n_vectors)
{
    uint8_t body[10];
    static const uint8_t wmask[2] = {
        0, (MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL) >> 8,
    };
    unsigned int off;

    vmm_io_put(body, 2, n_vectors - 1);
    vmm_io_put(body + 2, 4, VIRTIO_PCI_MSIX_TABLE_OFF | VIRTIO_PCI_BAR);
    vmm_io_put(body + 6, 4, VIRTIO_PCI_MSIX_PBA_OFF | VIRTIO_PCI_BAR);
    off = pci_dev_add_cap(pci, PCI_CAP_ID_MSIX, body, sizeof body);
    pci_dev_set_wmask(pci, off + 2, wmask, 2);
    return off;
}

int
virtio_pci_create(struct pci_bus *bus, const struct virtio_pci_options *o,
                  const struct virtio_pci_dev_ops *ops, void *aux,
                  struct virtio_pci **vpp)
{
    struct pci_dev_ids ids = {
        .vendor_id = VIRTIO_PCI_VENDOR_ID,
        .device_id = VIRTIO_PCI_DEVICE_ID_BASE + o->device_type,
        .revision = 1,
        .class_code = o->class_code,
        .subsystem_vendor_id = VIRTIO_PCI_VENDOR_ID,
        .subsystem_id = 0x1100,
    };
    struct virtio_pci *vp;
    pthread_mutexattr_t attr;
    int error;

    *vpp = NULL;
    if (o->n_queues < 1 || o->n_queues > VIRTIO_PCI_MAX_QUEUES
        || !IS_POW2(o->max_queue_size)
        || o->max_queue_size > VIRTIO_PCI_MAX_QUEUE_SIZE
        || o->config_size > VIRTIO_PCI_DEVICE_MAX
        || !ops->get_config || !ops->start || !ops->stop) {
        return EINVAL;
    }

    vp = xzalloc(sizeof *vp);
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&vp->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    vp->platform = pci_bus_platform(bus);
    vp->name = xstrdup(o->name ? o->name : "virtio");
    vp->device_type = o->device_type;
    vp->offered = ((o->features | (1ULL << VIRTIO_F_VERSION_1))
                   & ~(1ULL << 33));     /* Never ACCESS_PLATFORM. */
    vp->n_queues = o->n_queues;
    vp->max_queue_size = o->max_queue_size;
    vp->config_size = o->config_size;
    vp->ops = ops;
    vp->aux = aux;
    vp->n_vectors = o->n_queues + 1;
    for (int v = 0; v < vp->n_vectors; v++) {
        vp->table[v].ctrl = MSIX_CTRL_MASKBIT;
    }
    for (int i = 0; i < vp->n_queues; i++) {
        struct vp_queue *q = &vp->queues[i];

        q->gsi = -1;
        q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (q->kick_fd < 0 || q->call_fd < 0) {
            error = errno;
            vp->n_queues = i + 1;
            goto error;
        }
    }

    error = pci_bus_add_dev(bus, &ids, &vp_pci_ops, vp, &vp->pci);
    if (error) {
        goto error;
    }
    vp_add_virtio_cap(vp->pci, VIRTIO_PCI_CAP_COMMON_CFG,
                      VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN, false);
    vp_add_virtio_cap(vp->pci, VIRTIO_PCI_CAP_NOTIFY_CFG,
                      VIRTIO_PCI_NOTIFY_OFF,
                      vp->n_queues * VIRTIO_PCI_NOTIFY_MULT, true);
    vp_add_virtio_cap(vp->pci, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF,
                      1, false);
    if (vp->config_size) {
        vp_add_virtio_cap(vp->pci, VIRTIO_PCI_CAP_DEVICE_CFG,
                          VIRTIO_PCI_DEVICE_OFF, vp->config_size, false);
    }
    vp->msix_cap = vp_add_msix_cap(vp->pci, vp->n_vectors);
    vp_reset(vp);

    error = pci_dev_add_bar(vp->pci, VIRTIO_PCI_BAR, PCI_BAR_MEM32,
                            VIRTIO_PCI_BAR_SIZE, &vp_bar_ops, vp);
    if (error) {
        VLOG_ERR("%s: cannot map the virtio-pci BAR: %s", vp->name,
                 plx_strerror(error));
        goto error;
    }
    *vpp = vp;
    return 0;

error:
    virtio_pci_destroy(vp);
    return error;
}

void
virtio_pci_destroy(struct virtio_pci *vp)
{
    if (!vp) {
        return;
    }
    /* Unmapping the BAR removes the ioeventfds (vp_bar_mapped()). */
    pci_dev_remove(vp->pci);
    for (int i = 0; i < vp->n_queues; i++) {
        struct vp_queue *q = &vp->queues[i];

        if (q->gsi >= 0) {
            vp->platform->class->msi_irqfd_release(vp->platform, q->call_fd,
                                                   q->gsi);
        }
        if (q->kick_fd >= 0) {
            close(q->kick_fd);
        }
        if (q->call_fd >= 0) {
            close(q->call_fd);
        }
    }
    pthread_mutex_destroy(&vp->mutex);
    free(vp->name);
    free(vp);
}

/* For the device model. */

void
virtio_pci_get_queue(struct virtio_pci *vp, int qi,
                     struct virtio_pci_queue *out)
{
    memset(out, 0, sizeof *out);
    out->kick_fd = out->call_fd = -1;
    virtio_pci_lock(vp);
    if (qi >= 0 && qi < vp->n_queues) {
        const struct vp_queue *q = &vp->queues[qi];

        out->enabled = q->enabled;
        out->size = q->size;
        out->desc_gpa = q->desc;
        out->driver_gpa = q->driver;
        out->device_gpa = q->device;
        out->kick_fd = q->kick_fd;
        out->call_fd = q->call_fd;
        out->has_interrupt = (!vp_msix_enabled(vp)
                              || vp_vector_valid(vp, q->msix_vector));
    }
    virtio_pci_unlock(vp);
}

uint64_t
virtio_pci_get_driver_features(struct virtio_pci *vp)
{
    virtio_pci_lock(vp);
    uint64_t features = vp->driver_features;
    virtio_pci_unlock(vp);
    return features;
}

uint8_t
virtio_pci_get_status(struct virtio_pci *vp)
{
    virtio_pci_lock(vp);
    uint8_t status = vp->status;
    virtio_pci_unlock(vp);
    return status;
}

struct pci_dev *
virtio_pci_get_pci_dev(struct virtio_pci *vp)
{
    return vp->pci;
}

void
virtio_pci_config_changed(struct virtio_pci *vp)
{
    virtio_pci_lock(vp);
    vp->generation++;
    if (vp->status & VIRTIO_STATUS_DRIVER_OK) {
        vp_raise(vp, vp->msix_config, VIRTIO_PCI_ISR_CONFIG);
    }
    virtio_pci_unlock(vp);
}

void
virtio_pci_set_needs_reset(struct virtio_pci *vp)
{
    virtio_pci_lock(vp);
    if (vp->status && !(vp->status & VIRTIO_STATUS_NEEDS_RESET)) {
        vp->status |= VIRTIO_STATUS_NEEDS_RESET;
        virtio_pci_config_changed(vp);
    }
    virtio_pci_unlock(vp);
}

void
virtio_pci_queue_interrupt(struct virtio_pci *vp, int qi)
{
    virtio_pci_lock(vp);
    if (qi >= 0 && qi < vp->n_queues) {
        vp_raise(vp, vp->queues[qi].msix_vector, VIRTIO_PCI_ISR_QUEUE);
    }
    virtio_pci_unlock(vp);
}

/* Relaying. */

/* Raises the interrupt of every queue whose call fd is not bound to an
 * irqfd and was signalled. */
static void
vp_relay(struct virtio_pci *vp)
{
    for (int i = 0; i < vp->n_queues; i++) {
        struct vp_queue *q = &vp->queues[i];
        uint64_t count;

        if (q->gsi < 0
            && read(q->call_fd, &count, sizeof count) == sizeof count) {
            vp_raise(vp, q->msix_vector, VIRTIO_PCI_ISR_QUEUE);
        }
    }
}

void
virtio_pci_run(struct virtio_pci *vp)
{
    virtio_pci_lock(vp);
    vp_relay(vp);
    virtio_pci_unlock(vp);
}

size_t
virtio_pci_get_relay_fds(struct virtio_pci *vp, int *fds, size_t max)
{
    size_t n = 0;

    virtio_pci_lock(vp);
    for (int i = 0; i < vp->n_queues; i++) {
        if (vp->queues[i].gsi < 0) {
            if (n < max) {
                fds[n] = vp->queues[i].call_fd;
            }
            n++;
        }
    }
    virtio_pci_unlock(vp);
    return n;
}

void
virtio_pci_wait(struct virtio_pci *vp)
{
    int fds[VIRTIO_PCI_MAX_QUEUES];
    size_t n = virtio_pci_get_relay_fds(vp, fds, ARRAY_SIZE(fds));

    for (size_t i = 0; i < n; i++) {
        poll_fd_wait(fds[i], POLLIN);
    }
}
