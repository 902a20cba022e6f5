/*
 * vmm-fake-platform: a struct vmm_platform without KVM, for the device
 * models' unit tests and fuzz targets.
 *
 * RAM is one memfd mapped into this process, shown to devices as one
 * region at guest-physical 0 (mem_regions()) whose "VMM user address" is
 * the real pointer unless the test picks another.  Tests may also lend
 * the platform memory they made themselves (tests/unit/virtio-driver's
 * struct vdrv_mem), so the guest-side ring driver and the device share
 * the same bytes.
 *
 * Everything else is recorded: the I/O windows (map_io/unmap_io), the
 * ioeventfds, the MSI routes bound to irqfds (with the GSIs handed out
 * from VMM_FIRST_MSI_GSI), the MSIs signalled directly and each
 * IOAPIC/PIC input's level.  vmm_fake_read()/vmm_fake_write() are the
 * guest: a write that matches an ioeventfd signals its fd (as KVM would,
 * without reaching the window), otherwise the window that contains the
 * access handles it; an access no window contains reads all-ones.
 *
 * Self-contained (no test.h), so that fuzz targets can include the .c;
 * setup failures abort().  Not thread-safe: one thread plays the guest.
 */
#ifndef PLX_TESTS_UNIT_VMM_FAKE_PLATFORM_H
#define PLX_TESTS_UNIT_VMM_FAKE_PLATFORM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/platform.h"

#define VMM_FAKE_MAX_WINDOWS 64
#define VMM_FAKE_MAX_IOEVENTFDS 64
#define VMM_FAKE_MAX_ROUTES 64
#define VMM_FAKE_N_GSIS 24

struct vmm_fake_window {
    enum vmm_io_space space;
    uint64_t base, len;
    const struct vmm_io_ops *ops;
    void *aux;
};

struct vmm_fake_ioeventfd {
    enum vmm_io_space space;
    uint64_t addr;
    unsigned int len;
    int fd;
};

struct vmm_fake_route {
    int gsi;
    int fd;
    uint64_t addr;
    uint32_t data;
};

struct vmm_fake_platform {
    struct vmm_platform up;

    int ram_fd;
    uint8_t *ram;
    uint64_t ram_size;
    uint64_t ram_uva;           /* What mem_regions() reports. */
    bool own_ram;

    struct vmm_fake_window windows[VMM_FAKE_MAX_WINDOWS];
    size_t n_windows;
    struct vmm_fake_ioeventfd ioeventfds[VMM_FAKE_MAX_IOEVENTFDS];
    size_t n_ioeventfds;
    struct vmm_fake_route routes[VMM_FAKE_MAX_ROUTES];
    size_t n_routes;
    int next_gsi;
    unsigned int n_route_changes;   /* msi_irqfd + release calls. */

    unsigned int n_signal_msi;
    uint64_t last_msi_addr;
    uint32_t last_msi_data;

    int irq_level[VMM_FAKE_N_GSIS];
    unsigned int n_set_irq;
};

/* RAM_SIZE bytes (a multiple of 4096) of fresh RAM. */
void vmm_fake_platform_init(struct vmm_fake_platform *, uint64_t ram_size);
/* Borrows RAM: FD holds SIZE bytes mapped at BASE; UVA is what the
 * memory region reports as the user address of guest-physical 0. */
void vmm_fake_platform_init_borrowed(struct vmm_fake_platform *, int fd,
                                     void *base, uint64_t size,
                                     uint64_t uva);
void vmm_fake_platform_destroy(struct vmm_fake_platform *);

/* The guest's accesses.  Return true if an ioeventfd or a window took
 * the access (a read outside every window fills DATA with 0xff). */
bool vmm_fake_read(struct vmm_fake_platform *, enum vmm_io_space,
                   uint64_t addr, void *data, unsigned int len);
bool vmm_fake_write(struct vmm_fake_platform *, enum vmm_io_space,
                    uint64_t addr, const void *data, unsigned int len);
/* Little-endian value forms of the above. */
uint64_t vmm_fake_readv(struct vmm_fake_platform *, enum vmm_io_space,
                        uint64_t addr, unsigned int len);
void vmm_fake_writev(struct vmm_fake_platform *, enum vmm_io_space,
                     uint64_t addr, unsigned int len, uint64_t value);

/* A configuration cycle through ports 0xcf8/0xcfc (BDF = bus << 8 |
 * dev << 3 | fn), LEN 1, 2 or 4 at REG. */
uint32_t vmm_fake_pci_read(struct vmm_fake_platform *, unsigned int bdf,
                           unsigned int reg, unsigned int len);
void vmm_fake_pci_write(struct vmm_fake_platform *, unsigned int bdf,
                        unsigned int reg, unsigned int len, uint32_t value);

/* Lookups of what devices registered (NULL if none). */
const struct vmm_fake_window *vmm_fake_find_window(
    const struct vmm_fake_platform *, enum vmm_io_space, uint64_t addr);
const struct vmm_fake_ioeventfd *vmm_fake_find_ioeventfd(
    const struct vmm_fake_platform *, enum vmm_io_space, uint64_t addr);
const struct vmm_fake_route *vmm_fake_find_route(
    const struct vmm_fake_platform *, int fd);

/* Reads and clears eventfd FD's counter (nonblocking): 0 if unsignalled. */
uint64_t vmm_fake_eventfd_take(int fd);

#endif /* vmm-fake-platform.h */
