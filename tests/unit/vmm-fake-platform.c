/* A fake vmm_platform for device-model tests (see vmm-fake-platform.h). */
#include <config.h>
#include "vmm-fake-platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vhost/vhost-mem.h"
#include "vmm/layout.h"

static struct vmm_fake_platform *
fake_cast(struct vmm_platform *up)
{
    return (struct vmm_fake_platform *) up;
}

static bool
ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int
fake_map_io(struct vmm_platform *up, enum vmm_io_space space, uint64_t base,
            uint64_t len, const struct vmm_io_ops *ops, void *aux)
{
    struct vmm_fake_platform *p = fake_cast(up);

    if (!len || base + len < base) {
        return EINVAL;
    }
    for (size_t i = 0; i < p->n_windows; i++) {
        const struct vmm_fake_window *w = &p->windows[i];
        if (w->space == space && ranges_overlap(w->base, w->len, base, len)) {
            return EEXIST;
        }
    }
    if (p->n_windows >= VMM_FAKE_MAX_WINDOWS) {
        return ENOSPC;
    }
    p->windows[p->n_windows++] = (struct vmm_fake_window) {
        .space = space, .base = base, .len = len, .ops = ops, .aux = aux,
    };
    return 0;
}

static void
fake_unmap_io(struct vmm_platform *up, enum vmm_io_space space,
              uint64_t base)
{
    struct vmm_fake_platform *p = fake_cast(up);

    for (size_t i = 0; i < p->n_windows; i++) {
        if (p->windows[i].space == space && p->windows[i].base == base) {
            p->windows[i] = p->windows[--p->n_windows];
            return;
        }
    }
}

static int
fake_ioeventfd(struct vmm_platform *up, enum vmm_io_space space,
               uint64_t addr, unsigned int len, int fd, bool assign)
{
    struct vmm_fake_platform *p = fake_cast(up);

    for (size_t i = 0; i < p->n_ioeventfds; i++) {
        struct vmm_fake_ioeventfd *e = &p->ioeventfds[i];
        if (e->space == space && e->addr == addr && e->len == len) {
            if (assign) {
                return EEXIST;
            }
            if (e->fd != fd) {
                return ENOENT;
            }
            *e = p->ioeventfds[--p->n_ioeventfds];
            return 0;
        }
    }
    if (!assign) {
        return ENOENT;
    }
    if (p->n_ioeventfds >= VMM_FAKE_MAX_IOEVENTFDS || fd < 0) {
        return ENOSPC;
    }
    p->ioeventfds[p->n_ioeventfds++] = (struct vmm_fake_ioeventfd) {
        .space = space, .addr = addr, .len = len, .fd = fd,
    };
    return 0;
}

static int
fake_msi_irqfd(struct vmm_platform *up, int fd, uint64_t addr,
               uint32_t data, int *gsip)
{
    struct vmm_fake_platform *p = fake_cast(up);

    p->n_route_changes++;
    if (*gsip >= 0) {
        for (size_t i = 0; i < p->n_routes; i++) {
            struct vmm_fake_route *r = &p->routes[i];
            if (r->gsi == *gsip) {
                if (r->fd != fd) {
                    return EINVAL;
                }
                r->addr = addr;
                r->data = data;
                return 0;
            }
        }
        return ENOENT;
    }
    if (p->n_routes >= VMM_FAKE_MAX_ROUTES || fd < 0) {
        return ENOSPC;
    }
    for (size_t i = 0; i < p->n_routes; i++) {
        if (p->routes[i].fd == fd) {
            return EEXIST;      /* KVM refuses one eventfd twice. */
        }
    }
    *gsip = p->next_gsi++;
    p->routes[p->n_routes++] = (struct vmm_fake_route) {
        .gsi = *gsip, .fd = fd, .addr = addr, .data = data,
    };
    return 0;
}

static void
fake_msi_irqfd_release(struct vmm_platform *up, int fd, int gsi)
{
    struct vmm_fake_platform *p = fake_cast(up);

    p->n_route_changes++;
    for (size_t i = 0; i < p->n_routes; i++) {
        if (p->routes[i].gsi == gsi && p->routes[i].fd == fd) {
            p->routes[i] = p->routes[--p->n_routes];
            return;
        }
    }
    abort();                    /* Releasing what was never bound. */
}

static int
fake_signal_msi(struct vmm_platform *up, uint64_t addr, uint32_t data)
{
    struct vmm_fake_platform *p = fake_cast(up);

    p->n_signal_msi++;
    p->last_msi_addr = addr;
    p->last_msi_data = data;
    return 0;
}

static int
fake_set_irq(struct vmm_platform *up, int gsi, int level)
{
    struct vmm_fake_platform *p = fake_cast(up);

    if (gsi < 0 || gsi >= VMM_FAKE_N_GSIS) {
        return EINVAL;
    }
    p->irq_level[gsi] = level;
    p->n_set_irq++;
    return 0;
}

static void *
fake_gpa_to_hva(struct vmm_platform *up, uint64_t gpa, uint64_t len)
{
    struct vmm_fake_platform *p = fake_cast(up);

    if (!len || gpa >= p->ram_size || len > p->ram_size - gpa) {
        return NULL;
    }
    return p->ram + gpa;
}

static size_t
fake_mem_regions(struct vmm_platform *up, struct vhost_mem_region_desc *d,
                 int *fds, size_t max)
{
    struct vmm_fake_platform *p = fake_cast(up);

    if (max >= 1) {
        d[0] = (struct vhost_mem_region_desc) {
            .guest_phys_addr = 0,
            .memory_size = p->ram_size,
            .userspace_addr = p->ram_uva,
            .mmap_offset = 0,
        };
        fds[0] = p->ram_fd;
    }
    return 1;
}

static const struct vmm_platform_class fake_class = {
    .map_io = fake_map_io,
    .unmap_io = fake_unmap_io,
    .ioeventfd = fake_ioeventfd,
    .msi_irqfd = fake_msi_irqfd,
    .msi_irqfd_release = fake_msi_irqfd_release,
    .signal_msi = fake_signal_msi,
    .set_irq = fake_set_irq,
    .gpa_to_hva = fake_gpa_to_hva,
    .mem_regions = fake_mem_regions,
};

void
vmm_fake_platform_init_borrowed(struct vmm_fake_platform *p, int fd,
                                void *base, uint64_t size, uint64_t uva)
{
    memset(p, 0, sizeof *p);
    p->up.class = &fake_class;
    p->ram_fd = fd;
    p->ram = base;
    p->ram_size = size;
    p->ram_uva = uva;
    p->next_gsi = VMM_FIRST_MSI_GSI;
}

void
vmm_fake_platform_init(struct vmm_fake_platform *p, uint64_t ram_size)
{
    int fd = memfd_create("vmm-fake-ram", MFD_CLOEXEC);
    void *base;

    if (fd < 0 || ftruncate(fd, ram_size)) {
        abort();
    }
    base = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        abort();
    }
    vmm_fake_platform_init_borrowed(p, fd, base, ram_size,
                                    (uintptr_t) base);
    p->own_ram = true;
}

void
vmm_fake_platform_destroy(struct vmm_fake_platform *p)
{
    if (p->own_ram) {
        munmap(p->ram, p->ram_size);
        close(p->ram_fd);
    }
}

static struct vmm_fake_window *
find_window(const struct vmm_fake_platform *p, enum vmm_io_space space,
            uint64_t addr, unsigned int len)
{
    for (size_t i = 0; i < p->n_windows; i++) {
        const struct vmm_fake_window *w = &p->windows[i];
        if (w->space == space && addr >= w->base
            && addr - w->base < w->len && len <= w->len - (addr - w->base)) {
            return (struct vmm_fake_window *) w;
        }
    }
    return NULL;
}

const struct vmm_fake_window *
vmm_fake_find_window(const struct vmm_fake_platform *p,
                     enum vmm_io_space space, uint64_t addr)
{
    return find_window(p, space, addr, 1);
}

const struct vmm_fake_ioeventfd *
vmm_fake_find_ioeventfd(const struct vmm_fake_platform *p,
                        enum vmm_io_space space, uint64_t addr)
{
    for (size_t i = 0; i < p->n_ioeventfds; i++) {
        if (p->ioeventfds[i].space == space
            && p->ioeventfds[i].addr == addr) {
            return &p->ioeventfds[i];
        }
    }
    return NULL;
}

const struct vmm_fake_route *
vmm_fake_find_route(const struct vmm_fake_platform *p, int fd)
{
    for (size_t i = 0; i < p->n_routes; i++) {
        if (p->routes[i].fd == fd) {
            return &p->routes[i];
        }
    }
    return NULL;
}

bool
vmm_fake_read(struct vmm_fake_platform *p, enum vmm_io_space space,
              uint64_t addr, void *data, unsigned int len)
{
    struct vmm_fake_window *w = find_window(p, space, addr, len);

    if (!w) {
        memset(data, 0xff, len);
        return false;
    }
    w->ops->read(w->aux, addr - w->base, data, len);
    return true;
}

bool
vmm_fake_write(struct vmm_fake_platform *p, enum vmm_io_space space,
               uint64_t addr, const void *data, unsigned int len)
{
    for (size_t i = 0; i < p->n_ioeventfds; i++) {
        const struct vmm_fake_ioeventfd *e = &p->ioeventfds[i];
        if (e->space == space && e->addr == addr
            && (!e->len || e->len == len)) {
            uint64_t one = 1;
            if (write(e->fd, &one, sizeof one) != sizeof one) {
                abort();
            }
            return true;
        }
    }

    struct vmm_fake_window *w = find_window(p, space, addr, len);
    if (!w) {
        return false;
    }
    w->ops->write(w->aux, addr - w->base, data, len);
    return true;
}

uint64_t
vmm_fake_readv(struct vmm_fake_platform *p, enum vmm_io_space space,
               uint64_t addr, unsigned int len)
{
    uint8_t buf[8];
    uint64_t value = 0;

    if (len > 8) {
        abort();
    }
    vmm_fake_read(p, space, addr, buf, len);
    for (unsigned int i = 0; i < len; i++) {
        value |= (uint64_t) buf[i] << (8 * i);
    }
    return value;
}

void
vmm_fake_writev(struct vmm_fake_platform *p, enum vmm_io_space space,
                uint64_t addr, unsigned int len, uint64_t value)
{
    uint8_t buf[8];

    if (len > 8) {
        abort();
    }
    for (unsigned int i = 0; i < len; i++) {
        buf[i] = value >> (8 * i);
    }
    vmm_fake_write(p, space, addr, buf, len);
}

uint32_t
vmm_fake_pci_read(struct vmm_fake_platform *p, unsigned int bdf,
                  unsigned int reg, unsigned int len)
{
    vmm_fake_writev(p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4,
                    0x80000000u | (bdf & 0xffff) << 8 | (reg & 0xfc));
    return vmm_fake_readv(p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + (reg & 3),
                          len);
}

void
vmm_fake_pci_write(struct vmm_fake_platform *p, unsigned int bdf,
                   unsigned int reg, unsigned int len, uint32_t value)
{
    vmm_fake_writev(p, VMM_IO_PIO, VMM_PCI_CONFIG_ADDR, 4,
                    0x80000000u | (bdf & 0xffff) << 8 | (reg & 0xfc));
    vmm_fake_writev(p, VMM_IO_PIO, VMM_PCI_CONFIG_DATA + (reg & 3), len,
                    value);
}

uint64_t
vmm_fake_eventfd_take(int fd)
{
    uint64_t value;
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || (!(flags & O_NONBLOCK)
                      && fcntl(fd, F_SETFL, flags | O_NONBLOCK))) {
        abort();
    }
    if (read(fd, &value, sizeof value) != sizeof value) {
        value = 0;
    }
    if (!(flags & O_NONBLOCK)) {
        fcntl(fd, F_SETFL, flags);
    }
    return value;
}
