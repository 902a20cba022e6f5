/*
 * vmm/vm.h: the KVM machine of plx-vm.
 *
 * A struct vm owns the KVM VM and vCPU file descriptors, guest RAM (a
 * memfd, optionally backed by 2 MiB hugepages, mapped once in this
 * process and shared with vhost-user backends through the same fd), the
 * in-kernel irqchip (PIC, IOAPIC, local APICs) and PIT, the GSI routing
 * table, and the table of emulated I/O windows.  It implements struct
 * vmm_platform (vmm/platform.h) for the device models.
 *
 * RAM layout (vmm/layout.h): [0, low_size) at guest-physical 0 and, when
 * RAM is larger than VMM_PCI_HOLE, [4 GiB, 4 GiB + high_size) for the
 * rest; both are one memfd, the high part at file offset low_size.
 *
 * vCPUs.  Each vCPU runs KVM_RUN in a thread of its own.  Exits to
 * userspace (port I/O, MMIO) are dispatched to the I/O windows under one
 * lock, so device models see one access at a time.  SIGUSR1 is blocked
 * in every thread and unblocked only inside KVM_RUN (KVM_SET_SIGNAL_MASK),
 * so vm_pause() and vm_stop() can kick a vCPU out of the guest without
 * losing the wakeup.
 *
 * The end of the guest (power off, reset, crash, exit port) is recorded
 * once, by whichever thread sees it first (vm_request_exit()), and
 * announced through a latch that the main thread waits on; the main
 * thread then calls vm_stop(), which joins the vCPU threads.
 */
#ifndef VMM_VM_H
#define VMM_VM_H 1

#include <stdbool.h>
#include <stdint.h>
#include "platform.h"

struct kvm_regs;
struct kvm_sregs;
struct vm;

/* Why a guest ended: also plx-vm's exit status (vmm/README.md). */
enum vm_exit_reason {
    VM_EXIT_NONE = -1,          /* Still running. */
    VM_EXIT_POWEROFF = 0,       /* ACPI soft-off, or exit port 0. */
    VM_EXIT_ERROR = 1,          /* The VMM failed (KVM error...). */
    VM_EXIT_RESET = 2,          /* Guest asked for a reset. */
    VM_EXIT_CRASH = 3,          /* Triple fault, internal error. */
    VM_EXIT_STOPPED = 4,        /* vm/stop, SIGINT. */
    VM_EXIT_GUEST_FAILED = 5,   /* Exit port with a nonzero value. */
};

const char *vm_exit_reason_to_string(enum vm_exit_reason);

struct vm_options {
    const char *name;
    uint64_t ram_size;          /* Bytes, a multiple of 2 MiB. */
    int n_vcpus;                /* 1 to VM_MAX_VCPUS. */
    bool hugepages;             /* Back RAM with 2 MiB hugepages. */
    bool hide_cx16;             /* Clear CPUID.1:ECX.CX16 (see notes). */
};

#define VM_MAX_VCPUS 64

/* Creates the machine: KVM VM, RAM, irqchip, PIT, vCPUs (not yet
 * running).  Returns 0 or an errno value with *ERRP a message. */
int vm_create(const struct vm_options *, struct vm **vmp, char **errp);
void vm_destroy(struct vm *);

struct vmm_platform *vm_platform(struct vm *);
uint8_t *vm_ram(const struct vm *);       /* Host address of GPA 0. */
uint64_t vm_low_ram_size(const struct vm *);
uint64_t vm_ram_size(const struct vm *);
int vm_n_vcpus(const struct vm *);
uint64_t vm_tsc_khz(const struct vm *);   /* 0 if KVM does not say. */
const char *vm_name(const struct vm *);

/* Loads boot register state into vCPU CPU (before vm_start()). */
int vm_set_vcpu_state(struct vm *, int cpu, const struct kvm_regs *,
                      const struct kvm_sregs *);
/* Keeps vCPU CPU from being started (simple-entry guests use only
 * vCPU 0).  Before vm_start(). */
void vm_park_vcpu(struct vm *, int cpu);

/* Starts the vCPU threads. */
int vm_start(struct vm *, char **errp);
/* Pauses or resumes all vCPUs; returns once they are out of the guest
 * (pause) or have been released (resume). */
void vm_pause(struct vm *);
void vm_resume(struct vm *);
bool vm_is_paused(const struct vm *);

/* Records REASON (first caller wins) with DETAIL for the log and wakes
 * the main thread.  Safe from any thread. */
void vm_request_exit(struct vm *, enum vm_exit_reason, const char *detail);
enum vm_exit_reason vm_get_exit(const struct vm *, const char **detail);
void vm_exit_wait(const struct vm *);   /* poll-loop wait for an exit. */

/* Stops and joins the vCPU threads (idempotent). */
void vm_stop(struct vm *);

/* Number of vCPU exits to userspace so far, for vm/status. */
uint64_t vm_n_exits(const struct vm *);

#endif /* vmm/vm.h */
