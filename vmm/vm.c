/*
 * vmm/vm.c: the KVM machine.  See vm.h.
 */
#include <config.h>
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "latch.h"
#include "poll-loop.h"
#include "layout.h"
#include "util.h"
#include "vhost/vhost-mem.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vm);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define VM_TSS_ADDR 0xfffbd000ULL
#define VM_IDENTITY_MAP_ADDR 0xfffbc000ULL
#define VM_KICK_SIGNAL SIGUSR1
#define VM_MAX_GSI 1024
#define VM_IOAPIC_PINS 24

struct vm_window {
    enum vmm_io_space space;
    uint64_t base;
    uint64_t len;
    const struct vmm_io_ops *ops;
    void *aux;
};

struct vcpu {
    struct vm *vm;
    int id;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    bool started;
    bool parked;
    atomic_bool in_pause;       /* Out of the guest, waiting. */
};

struct vm {
    struct vmm_platform platform;
    char *name;
    int kvm_fd;
    int vm_fd;

    int mem_fd;
    uint8_t *ram;
    uint64_t ram_size;
    uint64_t low_size;
    uint64_t high_size;
    uint64_t tsc_khz;

    struct vcpu vcpus[VM_MAX_VCPUS];
    int n_vcpus;

    /* I/O windows, sorted by (space, base).  'io_lock' serializes both
     * dispatch and changes; it is recursive, because a handler may map or
     * unmap windows, and dispatch touches no window after the call. */
    pthread_mutex_t io_lock;
    struct vm_window *windows;
    size_t n_windows, allocated_windows;

    /* GSI routing: IOAPIC/PIC defaults, then MSI routes. */
    pthread_mutex_t gsi_lock;
    struct kvm_irq_routing_entry msi_routes[VM_MAX_GSI];
    bool gsi_used[VM_MAX_GSI];

    /* Lifecycle. */
    pthread_mutex_t run_lock;
    pthread_cond_t run_cond;
    bool pause_requested;
    bool stop_requested;
    bool running;
    int n_paused;
    atomic_int exit_reason;
    char *exit_detail;
    struct latch exit_latch;
    atomic_ullong n_exits;
};

static struct vm *
vm_from_platform(struct vmm_platform *p)
{
    return CONTAINER_OF(p, struct vm, platform);
}

const char *
vm_exit_reason_to_string(enum vm_exit_reason reason)
{
    switch (reason) {
    case VM_EXIT_NONE: return "running";
    case VM_EXIT_POWEROFF: return "shutdown";
    case VM_EXIT_ERROR: return "failed";
    case VM_EXIT_RESET: return "reset";
    case VM_EXIT_CRASH: return "crashed";
    case VM_EXIT_STOPPED: return "stopped";
    case VM_EXIT_GUEST_FAILED: return "guest-failed";
    }
    return "unknown";
}

/* The CLOCK_REALTIME time USEC microseconds from now, for
 * pthread_cond_timedwait() and pthread_timedjoin_np(). */
static struct timespec
vm_deadline_us(long long int usec)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    long long int nsec = ts.tv_nsec + usec * 1000;
    ts.tv_sec += nsec / 1000000000;
    ts.tv_nsec = nsec % 1000000000;
    return ts;
}

/* ------------------------------------------------------------------ */
/* I/O windows. */

static int
window_cmp(enum vmm_io_space sa, uint64_t a, const struct vm_window *w)
{
    if (sa != w->space) {
        return sa < w->space ? -1 : 1;
    }
    return a < w->base ? -1 : a >= w->base + w->len ? 1 : 0;
}

/* Index of the first window at or after (SPACE, ADDR).  io_lock held. */
static size_t
window_lower_bound(const struct vm *vm, enum vmm_io_space space,
                   uint64_t addr)
{
    size_t lo = 0, hi = vm->n_windows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (window_cmp(space, addr, &vm->windows[mid]) > 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int
vm_map_io(struct vmm_platform *p, enum vmm_io_space space, uint64_t base,
          uint64_t len, const struct vmm_io_ops *ops, void *aux)
{
    struct vm *vm = vm_from_platform(p);
    int error = 0;

    if (!len || base + len < base) {
        return EINVAL;
    }
    pthread_mutex_lock(&vm->io_lock);
    size_t i = window_lower_bound(vm, space, base);
    if ((i < vm->n_windows && vm->windows[i].space == space
         && vm->windows[i].base < base + len)) {
        error = EEXIST;
    } else {
        if (vm->n_windows == vm->allocated_windows) {
            vm->windows = x2nrealloc(vm->windows, &vm->allocated_windows,
                                     sizeof *vm->windows);
        }
        memmove(&vm->windows[i + 1], &vm->windows[i],
                (vm->n_windows - i) * sizeof *vm->windows);
        vm->windows[i] = (struct vm_window) {
            .space = space, .base = base, .len = len, .ops = ops, .aux = aux,
        };
        vm->n_windows++;
    }
    pthread_mutex_unlock(&vm->io_lock);
    return error;
}

static void
vm_unmap_io(struct vmm_platform *p, enum vmm_io_space space, uint64_t base)
{
    struct vm *vm = vm_from_platform(p);

    pthread_mutex_lock(&vm->io_lock);
    size_t i = window_lower_bound(vm, space, base);
    if (i < vm->n_windows && vm->windows[i].space == space
        && vm->windows[i].base == base) {
        memmove(&vm->windows[i], &vm->windows[i + 1],
                (vm->n_windows - i - 1) * sizeof *vm->windows);
        vm->n_windows--;
    }
    pthread_mutex_unlock(&vm->io_lock);
}

/* Dispatches one access of LEN bytes at ADDR.  An access that no window
 * claims reads all-ones and writes nowhere. */
static void
vm_dispatch(struct vm *vm, enum vmm_io_space space, uint64_t addr,
            uint8_t *data, unsigned int len, bool is_write)
{
    pthread_mutex_lock(&vm->io_lock);
    size_t i = window_lower_bound(vm, space, addr);
    const struct vm_window *w = (i < vm->n_windows
                                 && !window_cmp(space, addr, &vm->windows[i])
                                 ? &vm->windows[i] : NULL);
    if (w && addr + len <= w->base + w->len) {
        if (is_write) {
            w->ops->write(w->aux, addr - w->base, data, len);
        } else {
            w->ops->read(w->aux, addr - w->base, data, len);
        }
    } else {
        if (!is_write) {
            memset(data, 0xff, len);
        }
        VLOG_DBG_RL(&rl, "%s: unclaimed %s %s at %#"PRIx64" (%u bytes)",
                    vm->name, space == VMM_IO_PIO ? "port" : "mmio",
                    is_write ? "write" : "read", addr, len);
    }
    pthread_mutex_unlock(&vm->io_lock);
}

/* ------------------------------------------------------------------ */
/* Interrupts. */

static int
vm_ioeventfd(struct vmm_platform *p, enum vmm_io_space space, uint64_t addr,
             unsigned int len, int fd, bool assign)
{
    struct vm *vm = vm_from_platform(p);
    struct kvm_ioeventfd ev = {
        .addr = addr,
        .len = len,
        .fd = fd,
        .flags = ((space == VMM_IO_PIO ? KVM_IOEVENTFD_FLAG_PIO : 0)
                  | (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN)),
    };
    return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ev) < 0 ? errno : 0;
}

/* Installs the full routing table: the default irqchip routes for GSIs
 * 0-23 (as QEMU does: GSI 0, the PIT, goes to IOAPIC pin 2, matching the
 * MADT's IRQ0 override) followed by every MSI route.  gsi_lock held. */
static int
vm_commit_routes(struct vm *vm)
{
    size_t max = VM_IOAPIC_PINS * 2 + VM_MAX_GSI;
    struct kvm_irq_routing *r = xzalloc(sizeof *r + max * sizeof *r->entries);
    size_t n = 0;

    for (int gsi = 0; gsi < VM_IOAPIC_PINS; gsi++) {
        if (gsi < 16 && gsi != 2) {
            r->entries[n++] = (struct kvm_irq_routing_entry) {
                .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
                .u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
                                                  : KVM_IRQCHIP_PIC_SLAVE,
                               .pin = gsi % 8 },
            };
        }
        if (gsi != 2) {
            r->entries[n++] = (struct kvm_irq_routing_entry) {
                .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
                .u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC,
                               .pin = gsi ? gsi : 2 },
            };
        }
    }
    for (int gsi = VMM_FIRST_MSI_GSI; gsi < VM_MAX_GSI; gsi++) {
        if (vm->gsi_used[gsi]) {
            r->entries[n++] = vm->msi_routes[gsi];
        }
    }
    r->nr = n;
    int error = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0 ? errno : 0;
    free(r);
    return error;
}

static int
vm_msi_irqfd(struct vmm_platform *p, int fd, uint64_t addr, uint32_t data,
             int *gsip)
{
    struct vm *vm = vm_from_platform(p);
    int gsi = *gsip;
    bool new = gsi < 0;
    int error;

    pthread_mutex_lock(&vm->gsi_lock);
    if (new) {
        for (gsi = VMM_FIRST_MSI_GSI; gsi < VM_MAX_GSI; gsi++) {
            if (!vm->gsi_used[gsi]) {
                break;
            }
        }
        if (gsi >= VM_MAX_GSI) {
            pthread_mutex_unlock(&vm->gsi_lock);
            return ENOSPC;
        }
    } else if (gsi < VMM_FIRST_MSI_GSI || gsi >= VM_MAX_GSI
               || !vm->gsi_used[gsi]) {
        pthread_mutex_unlock(&vm->gsi_lock);
        return EINVAL;
    }
    vm->msi_routes[gsi] = (struct kvm_irq_routing_entry) {
        .gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
        .u.msi = { .address_lo = (uint32_t) addr,
                   .address_hi = (uint32_t) (addr >> 32), .data = data },
    };
    vm->gsi_used[gsi] = true;
    error = vm_commit_routes(vm);
    if (!error && new) {
        struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };
        if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
            error = errno;
        }
    }
    if (error && new) {
        vm->gsi_used[gsi] = false;
        vm_commit_routes(vm);
    }
    pthread_mutex_unlock(&vm->gsi_lock);
    if (!error) {
        *gsip = gsi;
    }
    return error;
}

static void
vm_msi_irqfd_release(struct vmm_platform *p, int fd, int gsi)
{
    struct vm *vm = vm_from_platform(p);

    if (gsi < VMM_FIRST_MSI_GSI || gsi >= VM_MAX_GSI) {
        return;
    }
    struct kvm_irqfd irqfd = {
        .fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN,
    };
    if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
        VLOG_WARN_RL(&rl, "%s: KVM_IRQFD deassign (gsi %d): %s",
                     vm->name, gsi, plx_strerror(errno));
    }
    pthread_mutex_lock(&vm->gsi_lock);
    if (vm->gsi_used[gsi]) {
        vm->gsi_used[gsi] = false;
        vm_commit_routes(vm);
    }
    pthread_mutex_unlock(&vm->gsi_lock);
}

static int
vm_signal_msi(struct vmm_platform *p, uint64_t addr, uint32_t data)
{
    struct vm *vm = vm_from_platform(p);
    struct kvm_msi msi = {
        .address_lo = (uint32_t) addr, .address_hi = (uint32_t) (addr >> 32),
        .data = data,
    };
    int retval = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
    return retval < 0 ? errno : 0;
}

static int
vm_set_irq(struct vmm_platform *p, int gsi, int level)
{
    struct vm *vm = vm_from_platform(p);
    struct kvm_irq_level irq = { .irq = gsi, .level = level };

    return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? errno : 0;
}

/* ------------------------------------------------------------------ */
/* Memory. */

static void *
vm_gpa_to_hva(struct vmm_platform *p, uint64_t gpa, uint64_t len)
{
    struct vm *vm = vm_from_platform(p);

    if (gpa + len < gpa) {
        return NULL;
    }
    if (gpa + len <= vm->low_size) {
        return vm->ram + gpa;
    }
    if (vm->high_size && gpa >= VMM_4G
        && gpa + len <= VMM_4G + vm->high_size) {
        return vm->ram + vm->low_size + (gpa - VMM_4G);
    }
    return NULL;
}

static size_t
vm_mem_regions(struct vmm_platform *p, struct vhost_mem_region_desc *descs,
               int *fds, size_t max)
{
    struct vm *vm = vm_from_platform(p);
    size_t n = 0;

    if (n < max) {
        descs[n] = (struct vhost_mem_region_desc) {
            .guest_phys_addr = 0, .memory_size = vm->low_size,
            .userspace_addr = (uintptr_t) vm->ram, .mmap_offset = 0,
        };
        fds[n++] = vm->mem_fd;
    }
    if (vm->high_size && n < max) {
        descs[n] = (struct vhost_mem_region_desc) {
            .guest_phys_addr = VMM_4G, .memory_size = vm->high_size,
            .userspace_addr = (uintptr_t) (vm->ram + vm->low_size),
            .mmap_offset = vm->low_size,
        };
        fds[n++] = vm->mem_fd;
    }
    return vm->high_size ? 2 : 1;
}

static const struct vmm_platform_class vm_platform_class = {
    .map_io = vm_map_io,
    .unmap_io = vm_unmap_io,
    .ioeventfd = vm_ioeventfd,
    .msi_irqfd = vm_msi_irqfd,
    .msi_irqfd_release = vm_msi_irqfd_release,
    .signal_msi = vm_signal_msi,
    .set_irq = vm_set_irq,
    .gpa_to_hva = vm_gpa_to_hva,
    .mem_regions = vm_mem_regions,
};

static int
vm_set_memory(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
              void *hva)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t) hva,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0
           ? errno : 0;
}

static int
vm_create_ram(struct vm *vm, const struct vm_options *opts, char **errp)
{
    unsigned int flags = MFD_CLOEXEC | (opts->hugepages ? MFD_HUGETLB : 0);
    char *memfd_name = xasprintf("plx-vm-%s", vm->name);

    vm->mem_fd = memfd_create(memfd_name, flags);
    free(memfd_name);
    if (vm->mem_fd < 0) {
        *errp = xasprintf("memfd_create%s: %s",
                          opts->hugepages ? " (hugepages)" : "",
                          plx_strerror(errno));
        return errno;
    }
    if (ftruncate(vm->mem_fd, vm->ram_size) < 0) {
        *errp = xasprintf("sizing guest memory to %"PRIu64" MiB: %s",
                          vm->ram_size >> 20, plx_strerror(errno));
        return errno;
    }
    int mmap_flags = MAP_SHARED | MAP_NORESERVE;
    if (opts->hugepages) {
        /* Reserve now: a missing hugepage later would be a SIGBUS in a
         * vCPU thread instead of a clear error here. */
        mmap_flags = MAP_SHARED | MAP_POPULATE;
    }
    void *ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE, mmap_flags,
                     vm->mem_fd, 0);
    if (ram == MAP_FAILED) {
        *errp = xasprintf("mapping %"PRIu64" MiB of guest memory: %s",
                          vm->ram_size >> 20, plx_strerror(errno));
        return errno;
    }
    vm->ram = ram;
    madvise(ram, vm->ram_size, MADV_DONTDUMP);

    int error = vm_set_memory(vm, 0, 0, vm->low_size, vm->ram);
    if (!error && vm->high_size) {
        error = vm_set_memory(vm, 1, VMM_4G, vm->high_size,
                              vm->ram + vm->low_size);
    }
    if (error) {
        *errp = xasprintf("KVM_SET_USER_MEMORY_REGION: %s",
                          plx_strerror(error));
    }
    return error;
}

/* ------------------------------------------------------------------ */
/* CPUID. */

static struct kvm_cpuid2 *
vm_get_supported_cpuid(int kvm_fd)
{
    for (int n = 64; n <= 1024; n *= 2) {
        struct kvm_cpuid2 *cpuid = xzalloc(sizeof *cpuid
                                           + n * sizeof *cpuid->entries);
        cpuid->nent = n;
        if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid)) {
            return cpuid;
        }
        free(cpuid);
        if (errno != E2BIG) {
            break;
        }
    }
    return NULL;
}

/* Adjusts what KVM supports into what vCPU ID of N_VCPUS shows: its APIC
 * ID and the package's size, the hypervisor bit, no MONITOR/MWAIT (the
 * VMM does not emulate them), no architectural PMU. */
static void
vm_filter_cpuid(struct kvm_cpuid2 *cpuid, int id, int n_vcpus,
                bool hide_cx16)
{
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

        switch (e->function) {
        case 1:
            e->ebx = (e->ebx & 0x0000ffff) | ((uint32_t) id << 24)
                     | ((uint32_t) (n_vcpus & 0xff) << 16);
            e->ecx |= 1u << 31;             /* Hypervisor present. */
            e->ecx &= ~(1u << 3);           /* MONITOR/MWAIT. */
            if (hide_cx16) {
                e->ecx &= ~(1u << 13);
            }
            if (n_vcpus > 1) {
                e->edx |= 1u << 28;         /* HTT: ebx[23:16] valid. */
            }
            break;
        case 6:                             /* Thermal/power: none. */
        case 0xa:                           /* Architectural PMU: none. */
            e->eax = e->ebx = e->ecx = e->edx = 0;
            break;
        case 0xb:
        case 0x1f:
            e->edx = id;                    /* x2APIC ID. */
            break;
        }
    }
}

static int
vm_setup_cpuid(struct vm *vm, struct vcpu *vcpu, bool hide_cx16)
{
    struct kvm_cpuid2 *cpuid = vm_get_supported_cpuid(vm->kvm_fd);
    if (!cpuid) {
        return errno ? errno : EINVAL;
    }
    vm_filter_cpuid(cpuid, vcpu->id, vm->n_vcpus, hide_cx16);
    int error = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0 ? errno : 0;
    free(cpuid);
    return error;
}

/* ------------------------------------------------------------------ */
/* vCPUs. */

static void
vm_kick_handler(int sig PLX_UNUSED)
{
}

static int
vcpu_init(struct vm *vm, struct vcpu *vcpu, int id, const struct vm_options
          *opts, char **errp)
{
    vcpu->vm = vm;
    vcpu->id = id;
    vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
    if (vcpu->fd < 0) {
        *errp = xasprintf("KVM_CREATE_VCPU %d: %s", id, plx_strerror(errno));
        return errno;
    }
    int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0) {
        *errp = xasprintf("KVM_GET_VCPU_MMAP_SIZE: %s", plx_strerror(errno));
        return errno;
    }
    vcpu->run_size = size;
    vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
                     vcpu->fd, 0);
    if (vcpu->run == MAP_FAILED) {
        vcpu->run = NULL;
        *errp = xasprintf("mapping kvm_run: %s", plx_strerror(errno));
        return errno;
    }

    int error = vm_setup_cpuid(vm, vcpu, opts->hide_cx16);
    if (error) {
        *errp = xasprintf("KVM_SET_CPUID2: %s", plx_strerror(error));
        return error;
    }

    /* x87 and SSE control words as after a reset. */
    struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
    if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0) {
        *errp = xasprintf("KVM_SET_FPU: %s", plx_strerror(errno));
        return errno;
    }

    /* LINT0 = ExtINT (the PIC), LINT1 = NMI, as firmware leaves them. */
    struct kvm_lapic_state lapic;
    if (!ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic)) {
        uint32_t *lvt0 = (uint32_t *) &lapic.regs[0x350];
        uint32_t *lvt1 = (uint32_t *) &lapic.regs[0x360];
        *lvt0 = (*lvt0 & ~0x700u & ~(1u << 16)) | (7u << 8);
        *lvt1 = (*lvt1 & ~0x700u & ~(1u << 16)) | (4u << 8);
        ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic);
    }

    /* SIGUSR1 reaches this vCPU only while it is inside KVM_RUN. */
    sigset_t set;
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, VM_KICK_SIGNAL);
    struct {
        struct kvm_signal_mask mask;
        uint8_t bits[8];
    } sm = { .mask.len = 8 };
    memcpy(sm.bits, &set, 8);
    if (ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &sm) < 0) {
        *errp = xasprintf("KVM_SET_SIGNAL_MASK: %s", plx_strerror(errno));
        return errno;
    }
    return 0;
}

/* The simple entry's paravirtual halt (vmm/simple-entry.h): sleeps for
 * up to USEC microseconds, less if a pause or stop comes. */
static void
vcpu_idle(struct vcpu *vcpu, uint32_t usec)
{
    struct vm *vm = vcpu->vm;
    struct timespec ts = vm_deadline_us(MIN(usec, VMM_IDLE_MAX_US));

    pthread_mutex_lock(&vm->run_lock);
    while (!vm->pause_requested && !vm->stop_requested) {
        if (pthread_cond_timedwait(&vm->run_cond, &vm->run_lock, &ts)
            == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&vm->run_lock);
}

static void
vcpu_handle_io(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint8_t *data = (uint8_t *) run + run->io.data_offset;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

    if (run->io.port == VMM_IDLE_PORT && is_write && run->io.size == 4
        && run->io.count == 1) {
        uint32_t usec;
        memcpy(&usec, data, sizeof usec);
        vcpu_idle(vcpu, usec);
        return;
    }

    for (uint32_t i = 0; i < run->io.count; i++) {
        vm_dispatch(vcpu->vm, VMM_IO_PIO, run->io.port, data, run->io.size,
                    is_write);
        data += run->io.size;
    }
}

static void
vcpu_report_crash(struct vcpu *vcpu, const char *what)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    char *detail;

    if (!ioctl(vcpu->fd, KVM_GET_REGS, &regs)
        && !ioctl(vcpu->fd, KVM_GET_SREGS, &sregs)) {
        detail = xasprintf("vCPU %d: %s at rip %#llx (cs %#x cpl %d, "
                           "cr0 %#llx cr3 %#llx rsp %#llx)",
                           vcpu->id, what, regs.rip, sregs.cs.selector,
                           sregs.cs.dpl, sregs.cr0, sregs.cr3, regs.rsp);
    } else {
        detail = xasprintf("vCPU %d: %s", vcpu->id, what);
    }
    vm_request_exit(vcpu->vm, VM_EXIT_CRASH, detail);
    free(detail);
}

/* Handles one exit.  Returns false when the vCPU must stop. */
static bool
vcpu_handle_exit(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;

    atomic_fetch_add_explicit(&vcpu->vm->n_exits, 1, memory_order_relaxed);
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        vcpu_handle_io(vcpu);
        return true;
    case KVM_EXIT_MMIO:
        vm_dispatch(vcpu->vm, VMM_IO_MMIO, run->mmio.phys_addr,
                    run->mmio.data, MIN(run->mmio.len, 8),
                    run->mmio.is_write);
        return true;
    case KVM_EXIT_HLT:
        /* Only without an in-kernel LAPIC; ours has one. */
        return true;
    case KVM_EXIT_INTR:
        return true;
    case KVM_EXIT_SHUTDOWN:
        vcpu_report_crash(vcpu, "triple fault");
        return false;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
            vm_request_exit(vcpu->vm, VM_EXIT_RESET, "system reset");
        } else if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
            vm_request_exit(vcpu->vm, VM_EXIT_POWEROFF, "system shutdown");
        } else {
            vcpu_report_crash(vcpu, "system event");
        }
        return false;
    case KVM_EXIT_INTERNAL_ERROR: {
        char *what = xasprintf("KVM internal error (suberror %u)",
                               run->internal.suberror);
        vcpu_report_crash(vcpu, what);
        free(what);
        return false;
    }
    case KVM_EXIT_FAIL_ENTRY: {
        char *what = xasprintf("entry failure (reason %#llx)",
                               (unsigned long long) run->fail_entry
                               .hardware_entry_failure_reason);
        vcpu_report_crash(vcpu, what);
        free(what);
        return false;
    }
    default: {
        char *what = xasprintf("unexpected exit %u", run->exit_reason);
        vcpu_report_crash(vcpu, what);
        free(what);
        return false;
    }
    }
}

/* Waits while a pause is requested.  Returns false on stop. */
static bool
vcpu_check_pause(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    bool go;

    pthread_mutex_lock(&vm->run_lock);
    if (vm->pause_requested && !vm->stop_requested) {
        vm->n_paused++;
        pthread_cond_broadcast(&vm->run_cond);
        while (vm->pause_requested && !vm->stop_requested) {
            pthread_cond_wait(&vm->run_cond, &vm->run_lock);
        }
        vm->n_paused--;
    }
    go = !vm->stop_requested;
    pthread_mutex_unlock(&vm->run_lock);
    return go;
}

/* A kick that made KVM_RUN return EINTR stays pending once KVM_RUN
 * restores the thread's mask (which blocks it), and would make every
 * later KVM_RUN fail at once: take it. */
static void
vcpu_consume_kick(void)
{
    static const struct timespec zero = { 0, 0 };
    sigset_t kick;

    sigemptyset(&kick);
    sigaddset(&kick, VM_KICK_SIGNAL);
    while (sigtimedwait(&kick, NULL, &zero) == VM_KICK_SIGNAL) {
        continue;
    }
}

static void *
vcpu_thread(void *vcpu_)
{
    struct vcpu *vcpu = vcpu_;
    struct vm *vm = vcpu->vm;

    while (vcpu_check_pause(vcpu)) {
        if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                vcpu_consume_kick();
                continue;
            }
            char *detail = xasprintf("vCPU %d: KVM_RUN: %s", vcpu->id,
                                     plx_strerror(errno));
            vm_request_exit(vm, VM_EXIT_ERROR, detail);
            free(detail);
            break;
        }
        if (!vcpu_handle_exit(vcpu)) {
            break;
        }
    }
    return NULL;
}

/* Makes every started vCPU leave the guest soon.  A signal that arrives
 * before KVM_RUN stays pending (blocked outside KVM_RUN) and makes the
 * next KVM_RUN return EINTR at once. */
static void
vm_kick_vcpus(struct vm *vm)
{
    for (int i = 0; i < vm->n_vcpus; i++) {
        if (vm->vcpus[i].started) {
            pthread_kill(vm->vcpus[i].thread, VM_KICK_SIGNAL);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Creation. */

int
vm_create(const struct vm_options *opts, struct vm **vmp, char **errp)
{
    struct vm *vm = xzalloc(sizeof *vm);
    int error;

    *vmp = NULL;
    *errp = NULL;
    vm->platform.class = &vm_platform_class;
    vm->name = xstrdup(opts->name);
    vm->kvm_fd = vm->vm_fd = vm->mem_fd = -1;
    /* Recursive: a handler may remap windows (a guest moving a BAR). */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&vm->io_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&vm->gsi_lock, NULL);
    pthread_mutex_init(&vm->run_lock, NULL);
    pthread_cond_init(&vm->run_cond, NULL);
    latch_init(&vm->exit_latch);
    atomic_init(&vm->exit_reason, VM_EXIT_NONE);

    if (opts->n_vcpus < 1 || opts->n_vcpus > VM_MAX_VCPUS) {
        *errp = xasprintf("%d vCPUs: must be 1 to %d", opts->n_vcpus,
                          VM_MAX_VCPUS);
        error = EINVAL;
        goto fail;
    }
    if (opts->ram_size < (16u << 20) || opts->ram_size % (2u << 20)) {
        *errp = xasprintf("memory must be at least 16 MiB and a multiple "
                          "of 2 MiB");
        error = EINVAL;
        goto fail;
    }
    vm->ram_size = opts->ram_size;
    vm->low_size = MIN(opts->ram_size, VMM_PCI_HOLE);
    vm->high_size = opts->ram_size - vm->low_size;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        error = errno;
        *errp = xasprintf("/dev/kvm: %s", plx_strerror(error));
        goto fail;
    }
    int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error = EINVAL;
        *errp = xasprintf("KVM API version %d, expected %d", version,
                          KVM_API_VERSION);
        goto fail;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        error = errno;
        *errp = xasprintf("KVM_CREATE_VM: %s", plx_strerror(error));
        goto fail;
    }

    if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0) {
        error = errno;
        *errp = xasprintf("KVM_SET_TSS_ADDR: %s", plx_strerror(error));
        goto fail;
    }
    uint64_t identity = VM_IDENTITY_MAP_ADDR;
    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity);
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        error = errno;
        *errp = xasprintf("KVM_CREATE_IRQCHIP: %s", plx_strerror(error));
        goto fail;
    }
    struct kvm_pit_config pit = { .flags = 0 };
    if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        error = errno;
        *errp = xasprintf("KVM_CREATE_PIT2: %s", plx_strerror(error));
        goto fail;
    }
    pthread_mutex_lock(&vm->gsi_lock);
    error = vm_commit_routes(vm);
    pthread_mutex_unlock(&vm->gsi_lock);
    if (error) {
        *errp = xasprintf("KVM_SET_GSI_ROUTING: %s", plx_strerror(error));
        goto fail;
    }

    error = vm_create_ram(vm, opts, errp);
    if (error) {
        goto fail;
    }

    struct sigaction sa = { .sa_handler = vm_kick_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(VM_KICK_SIGNAL, &sa, NULL);
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, VM_KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &kick, NULL);

    vm->n_vcpus = opts->n_vcpus;
    for (int i = 0; i < vm->n_vcpus; i++) {
        vm->vcpus[i].fd = -1;
    }
    for (int i = 0; i < vm->n_vcpus; i++) {
        error = vcpu_init(vm, &vm->vcpus[i], i, opts, errp);
        if (error) {
            goto fail;
        }
    }
    int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
    vm->tsc_khz = khz > 0 ? khz : 0;

    *vmp = vm;
    return 0;

fail:
    vm_destroy(vm);
    return error;
}

void
vm_destroy(struct vm *vm)
{
    if (!vm) {
        return;
    }
    vm_stop(vm);
    for (int i = 0; i < vm->n_vcpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        if (vcpu->run) {
            munmap(vcpu->run, vcpu->run_size);
        }
        if (vcpu->fd >= 0) {
            close(vcpu->fd);
        }
    }
    if (vm->vm_fd >= 0) {
        close(vm->vm_fd);
    }
    if (vm->kvm_fd >= 0) {
        close(vm->kvm_fd);
    }
    if (vm->ram) {
        munmap(vm->ram, vm->ram_size);
    }
    if (vm->mem_fd >= 0) {
        close(vm->mem_fd);
    }
    latch_destroy(&vm->exit_latch);
    pthread_cond_destroy(&vm->run_cond);
    pthread_mutex_destroy(&vm->run_lock);
    pthread_mutex_destroy(&vm->gsi_lock);
    pthread_mutex_destroy(&vm->io_lock);
    free(vm->windows);
    free(vm->exit_detail);
    free(vm->name);
    free(vm);
}

struct vmm_platform *
vm_platform(struct vm *vm)
{
    return &vm->platform;
}

uint8_t *
vm_ram(const struct vm *vm)
{
    return vm->ram;
}

uint64_t
vm_low_ram_size(const struct vm *vm)
{
    return vm->low_size;
}

uint64_t
vm_ram_size(const struct vm *vm)
{
    return vm->ram_size;
}

int
vm_n_vcpus(const struct vm *vm)
{
    return vm->n_vcpus;
}

uint64_t
vm_tsc_khz(const struct vm *vm)
{
    return vm->tsc_khz;
}

const char *
vm_name(const struct vm *vm)
{
    return vm->name;
}

uint64_t
vm_n_exits(const struct vm *vm)
{
    return atomic_load_explicit(&((struct vm *) vm)->n_exits,
                                memory_order_relaxed);
}

int
vm_set_vcpu_state(struct vm *vm, int cpu, const struct kvm_regs *regs,
                  const struct kvm_sregs *sregs)
{
    if (cpu < 0 || cpu >= vm->n_vcpus) {
        return EINVAL;
    }
    struct vcpu *vcpu = &vm->vcpus[cpu];
    if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0
        || ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0) {
        return errno;
    }
    return 0;
}

void
vm_park_vcpu(struct vm *vm, int cpu)
{
    if (cpu >= 0 && cpu < vm->n_vcpus) {
        vm->vcpus[cpu].parked = true;
    }
}

int
vm_start(struct vm *vm, char **errp)
{
    *errp = NULL;
    pthread_mutex_lock(&vm->run_lock);
    vm->running = true;
    pthread_mutex_unlock(&vm->run_lock);
    for (int i = 0; i < vm->n_vcpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        if (vcpu->parked) {
            continue;
        }
        int error = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
        if (error) {
            *errp = xasprintf("starting vCPU %d: %s", i,
                              plx_strerror(error));
            vm_stop(vm);
            return error;
        }
        vcpu->started = true;
    }
    return 0;
}

static int
vm_n_started(const struct vm *vm)
{
    int n = 0;
    for (int i = 0; i < vm->n_vcpus; i++) {
        n += vm->vcpus[i].started;
    }
    return n;
}

void
vm_pause(struct vm *vm)
{
    pthread_mutex_lock(&vm->run_lock);
    vm->pause_requested = true;
    pthread_cond_broadcast(&vm->run_cond);     /* Wakes idle vCPUs. */
    pthread_mutex_unlock(&vm->run_lock);
    vm_kick_vcpus(vm);

    /* Wait for every vCPU to reach the pause point, kicking again now
     * and then in case a kick raced with an exit being handled. */
    int n = vm_n_started(vm);
    pthread_mutex_lock(&vm->run_lock);
    while (vm->n_paused < n && !vm->stop_requested
           && atomic_load(&vm->exit_reason) == VM_EXIT_NONE) {
        struct timespec ts = vm_deadline_us(10 * 1000);
        if (pthread_cond_timedwait(&vm->run_cond, &vm->run_lock, &ts)
            == ETIMEDOUT) {
            pthread_mutex_unlock(&vm->run_lock);
            vm_kick_vcpus(vm);
            pthread_mutex_lock(&vm->run_lock);
        }
    }
    pthread_mutex_unlock(&vm->run_lock);
}

void
vm_resume(struct vm *vm)
{
    pthread_mutex_lock(&vm->run_lock);
    vm->pause_requested = false;
    pthread_cond_broadcast(&vm->run_cond);
    pthread_mutex_unlock(&vm->run_lock);
}

bool
vm_is_paused(const struct vm *vm)
{
    struct vm *m = (struct vm *) vm;
    pthread_mutex_lock(&m->run_lock);
    bool paused = m->pause_requested;
    pthread_mutex_unlock(&m->run_lock);
    return paused;
}

void
vm_request_exit(struct vm *vm, enum vm_exit_reason reason,
                const char *detail)
{
    int expected = VM_EXIT_NONE;

    if (atomic_compare_exchange_strong(&vm->exit_reason, &expected,
                                       reason)) {
        pthread_mutex_lock(&vm->run_lock);
        vm->exit_detail = xstrdup(detail ? detail : "");
        pthread_mutex_unlock(&vm->run_lock);
        latch_set(&vm->exit_latch);
    }
}

enum vm_exit_reason
vm_get_exit(const struct vm *vm_, const char **detail)
{
    struct vm *vm = (struct vm *) vm_;
    enum vm_exit_reason reason = atomic_load(&vm->exit_reason);

    if (detail) {
        pthread_mutex_lock(&vm->run_lock);
        *detail = vm->exit_detail ? vm->exit_detail : "";
        pthread_mutex_unlock(&vm->run_lock);
    }
    return reason;
}

void
vm_exit_wait(const struct vm *vm)
{
    latch_wait(&vm->exit_latch);
}

void
vm_stop(struct vm *vm)
{
    pthread_mutex_lock(&vm->run_lock);
    if (!vm->running) {
        pthread_mutex_unlock(&vm->run_lock);
        return;
    }
    vm->stop_requested = true;
    pthread_cond_broadcast(&vm->run_cond);
    pthread_mutex_unlock(&vm->run_lock);

    for (int i = 0; i < vm->n_vcpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        if (!vcpu->started) {
            continue;
        }
        /* Kick until the thread is gone: one kick can land between two
         * checks of 'stop_requested'. */
        for (;;) {
            pthread_kill(vcpu->thread, VM_KICK_SIGNAL);
            struct timespec ts = vm_deadline_us(20 * 1000);
            if (pthread_timedjoin_np(vcpu->thread, NULL, &ts) == 0) {
                break;
            }
        }
        vcpu->started = false;
    }
    pthread_mutex_lock(&vm->run_lock);
    vm->running = false;
    pthread_mutex_unlock(&vm->run_lock);
}
