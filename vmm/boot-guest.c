/*
 * vmm/boot-guest.c: puts a guest into a machine.  See boot-guest.h.
 */
#include <config.h>
#include "boot-guest.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include "acpi.h"
#include "linux-boot.h"
#include "mptable.h"
#include "util.h"
#include "vm.h"
#include "x86-boot.h"

void
boot_guest_to_kvm(const struct x86_boot_state *s, struct kvm_regs *regs,
                  struct kvm_sregs *sregs)
{
    memset(regs, 0, sizeof *regs);
    regs->rip = s->rip;
    regs->rsp = s->rsp;
    regs->rsi = s->rsi;
    regs->rdi = s->rdi;
    regs->rflags = s->rflags;

    memset(sregs, 0, sizeof *sregs);
    sregs->cs = s->cs;
    sregs->ds = s->ds;
    sregs->es = s->es;
    sregs->fs = s->fs;
    sregs->gs = s->gs;
    sregs->ss = s->ss;
    sregs->tr = s->tr;
    sregs->ldt = s->ldt;
    sregs->gdt = s->gdt;
    sregs->idt = s->idt;
    sregs->cr0 = s->cr0;
    sregs->cr3 = s->cr3;
    sregs->cr4 = s->cr4;
    sregs->efer = s->efer;
    sregs->apic_base = 0xfee00000 | (1u << 11) | (1u << 8);  /* BSP, on. */
}

char *
boot_guest_load(struct vm *vm, const struct boot_guest_params *p)
{
    uint8_t *mem = vm_ram(vm);
    uint64_t mem_size = vm_low_ram_size(vm);
    uint64_t ram_size = vm_ram_size(vm);
    struct linux_boot_result result;
    char *error = NULL;
    int retval;

    memset(&result, 0, sizeof result);
    if (vmm_kernel_probe(p->kernel, p->kernel_len) == VMM_KERNEL_SIMPLE) {
        if (p->initrd) {
            return xstrdup("a simple-entry guest takes no initrd");
        }
        retval = simple_boot_load(mem, mem_size, ram_size, p->n_cpus,
                                  p->tsc_khz, p->kernel, p->kernel_len,
                                  p->cmdline, &result, &error);
        if (retval) {
            return error;
        }
        for (int i = 1; i < p->n_cpus; i++) {
            vm_park_vcpu(vm, i);
        }
    } else {
        /* Tables first, so that the zero page can point at the RSDP. */
        retval = acpi_build(mem, mem_size, p->n_cpus);
        if (!retval) {
            retval = mptable_build(mem, mem_size, p->n_cpus);
        }
        if (retval) {
            return xasprintf("building the ACPI and MP tables: %s",
                             plx_strerror(retval));
        }
        retval = linux_boot_load(mem, mem_size, ram_size, p->kernel,
                                 p->kernel_len, p->initrd, p->initrd_len,
                                 p->cmdline, &result, &error);
        if (retval) {
            return error;
        }
    }

    struct kvm_regs regs;
    struct kvm_sregs sregs;
    boot_guest_to_kvm(&result.state, &regs, &sregs);
    retval = vm_set_vcpu_state(vm, 0, &regs, &sregs);
    if (retval) {
        return xasprintf("loading vCPU 0's registers: %s",
                         plx_strerror(retval));
    }
    return NULL;
}
