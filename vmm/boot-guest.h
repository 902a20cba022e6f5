/*
 * vmm/boot-guest.h: puts a guest into a freshly created machine.
 *
 * Chooses the loader by what the image is (vmm_kernel_probe()): a
 * simple-entry ELF (vmm/simple-entry.h) starts on vCPU 0 alone, at CPL 3;
 * a Linux bzImage or vmlinux gets the 64-bit boot protocol, ACPI tables
 * and an MP table, and its other vCPUs wait for the kernel's INIT/SIPI
 * in the in-kernel local APICs.  Then vCPU 0's registers are loaded.
 */
#ifndef VMM_BOOT_GUEST_H
#define VMM_BOOT_GUEST_H 1

#include <stddef.h>
#include <stdint.h>

struct kvm_regs;
struct kvm_sregs;
struct vm;
struct x86_boot_state;

struct boot_guest_params {
    const uint8_t *kernel;
    size_t kernel_len;
    const uint8_t *initrd;      /* NULL if none. */
    size_t initrd_len;
    const char *cmdline;
    int n_cpus;
    uint64_t tsc_khz;
};

/* Returns NULL or a malloc'd error message. */
char *boot_guest_load(struct vm *, const struct boot_guest_params *);

/* The vCPU registers that STATE describes. */
void boot_guest_to_kvm(const struct x86_boot_state *, struct kvm_regs *,
                       struct kvm_sregs *);

#endif /* vmm/boot-guest.h */
