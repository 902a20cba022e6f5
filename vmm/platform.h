/*
 * vmm/platform.h: what a device model needs from the machine.
 *
 * Device models (pci.c, virtio-pci.c, virtio-net-dev.c, uart.c, pm.c)
 * never call KVM themselves; they get a struct vmm_platform, whose class
 * is the KVM machine in vm.c and, in unit tests, a fake that records
 * calls and backs guest memory with a plain memfd.  That keeps every
 * device testable without /dev/kvm.
 *
 * Threading: I/O handlers run on vCPU threads, one at a time per VM (the
 * machine serializes dispatch with one lock), and also on the main
 * thread when a device changes state there; a device whose state is also
 * touched by another thread of its own protects it itself.
 */
#ifndef VMM_PLATFORM_H
#define VMM_PLATFORM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vhost_mem_region_desc;

enum vmm_io_space {
    VMM_IO_PIO,                 /* x86 I/O ports. */
    VMM_IO_MMIO,                /* Guest-physical memory addresses. */
};

/* An emulated register window.  OFFSET is relative to the window's base;
 * LEN is 1, 2, 4 or 8.  'read' fills DATA (little-endian, LEN bytes);
 * reads of unimplemented registers should return all-ones or zero as the
 * hardware would, never fail. */
struct vmm_io_ops {
    void (*read)(void *aux, uint64_t offset, void *data, unsigned int len);
    void (*write)(void *aux, uint64_t offset, const void *data,
                  unsigned int len);
};

/* The value of a LEN-byte little-endian access at DATA, and the other
 * way round: what I/O handlers read from and write to their DATA. */
static inline uint64_t
vmm_io_get(const void *data, unsigned int len)
{
    const uint8_t *p = data;
    uint64_t value = 0;

    for (unsigned int i = 0; i < len && i < 8; i++) {
        value |= (uint64_t) p[i] << (8 * i);
    }
    return value;
}

static inline void
vmm_io_put(void *data, unsigned int len, uint64_t value)
{
    uint8_t *p = data;

    for (unsigned int i = 0; i < len; i++) {
        p[i] = i < 8 ? value >> (8 * i) : 0;
    }
}

struct vmm_platform {
    const struct vmm_platform_class *class;
};

struct vmm_platform_class {
    /* Claims [BASE, BASE + LEN) in SPACE for OPS.  EEXIST if it overlaps
     * another window. */
    int (*map_io)(struct vmm_platform *, enum vmm_io_space, uint64_t base,
                  uint64_t len, const struct vmm_io_ops *, void *aux);
    /* Releases the window that starts at BASE (no-op if none). */
    void (*unmap_io)(struct vmm_platform *, enum vmm_io_space,
                     uint64_t base);

    /* Makes a guest write of LEN bytes (0: any length) to ADDR signal FD
     * without leaving the kernel (KVM_IOEVENTFD), or undoes that. */
    int (*ioeventfd)(struct vmm_platform *, enum vmm_io_space,
                     uint64_t addr, unsigned int len, int fd, bool assign);

    /* MSI routes.  Binds FD (an eventfd) so that signalling it delivers
     * the MSI message ADDR/DATA to the guest (KVM_IRQFD on a GSI routed
     * to that message).  *GSIP is -1 for a new binding, on which a GSI is
     * allocated and stored; passing an existing GSI re-routes it. */
    int (*msi_irqfd)(struct vmm_platform *, int fd, uint64_t addr,
                     uint32_t data, int *gsip);
    /* Unbinds FD from GSI and frees the GSI. */
    void (*msi_irqfd_release)(struct vmm_platform *, int fd, int gsi);
    /* Delivers one MSI message now (config-change interrupts). */
    int (*signal_msi)(struct vmm_platform *, uint64_t addr, uint32_t data);
    /* Sets an IOAPIC/PIC input (INTx, legacy IRQs) to LEVEL. */
    int (*set_irq)(struct vmm_platform *, int gsi, int level);

    /* Host address of guest-physical [GPA, GPA + LEN), or NULL if that
     * range is not entirely inside one RAM region. */
    void *(*gpa_to_hva)(struct vmm_platform *, uint64_t gpa, uint64_t len);
    /* RAM as vhost-user memory regions: fills up to MAX descriptors with
     * guest-physical address, size, VMM user address and offset, and
     * FDS with the (borrowed) file descriptor of each.  Returns how many
     * there are. */
    size_t (*mem_regions)(struct vmm_platform *,
                          struct vhost_mem_region_desc *, int *fds,
                          size_t max);
};

#endif /* vmm/platform.h */
