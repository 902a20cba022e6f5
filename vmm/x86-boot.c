/*
 * vmm/x86-boot.c: page tables, GDT, TSS and the initial register state
 * (see x86-boot.h).
 */
#include <config.h>
#include "vmm/x86-boot.h"

#include <errno.h>
#include <string.h>
#include "util.h"

#define GIB (1ULL << 30)
#define MIB2 (1ULL << 21)

BUILD_ASSERT_DECL(VMM_PAGE_TABLES_ADDR + X86_PT_BYTES <= VMM_PAGE_TABLES_END);
BUILD_ASSERT_DECL(VMM_GDT_ADDR + X86_GDT_ENTRIES * 8 <= VMM_IDT_ADDR);
BUILD_ASSERT_DECL(VMM_TSS_ADDR + X86_TSS_LIMIT + 1 <= VMM_BOOT_INFO_ADDR);
BUILD_ASSERT_DECL(X86_BOOT_RSP0 >= VMM_STACK_TOP
                  && X86_BOOT_RSP0 <= VMM_EBDA_ADDR);

int
x86_boot_page_tables(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                     unsigned int flags)
{
    if (mem_size < VMM_PAGE_TABLES_ADDR + X86_PT_BYTES) {
        return EINVAL;
    }

    uint64_t n_high_gib = 0;
    if (flags & X86_PT_HIGH_RAM && ram_size > VMM_PCI_HOLE) {
        n_high_gib = DIV_ROUND_UP(ram_size - VMM_PCI_HOLE, GIB);
        if (n_high_gib > 512 - 4) {
            return EINVAL;
        }
    }

    uint64_t common = X86_PTE_P | X86_PTE_RW;
    if (flags & X86_PT_USER) {
        common |= X86_PTE_US;
    }

    uint8_t *pml4 = mem + X86_PML4_ADDR;
    uint8_t *pdpt = mem + X86_PDPT_ADDR;
    memset(pml4, 0, X86_PT_BYTES);

    vmm_put_le64(pml4, X86_PDPT_ADDR | common);
    for (int i = 0; i < 4; i++) {
        uint64_t pd_addr = X86_PD_ADDR + i * 0x1000;
        vmm_put_le64(pdpt + i * 8, pd_addr | common);

        uint8_t *pd = mem + pd_addr;
        for (int j = 0; j < 512; j++) {
            uint64_t addr = i * GIB + j * MIB2;
            uint64_t pde = addr | common | X86_PTE_PS;
            if (addr >= VMM_PCI_MMIO_BASE) {
                pde |= X86_PTE_PCD | X86_PTE_PWT;
            }
            vmm_put_le64(pd + j * 8, pde);
        }
    }
    for (uint64_t i = 0; i < n_high_gib; i++) {
        uint64_t addr = VMM_4G + i * GIB;
        vmm_put_le64(pdpt + (4 + i) * 8, addr | common | X86_PTE_PS);
    }
    return 0;
}

/* Flat 4 GiB segments. */
static struct kvm_segment
flat_segment(uint16_t selector, bool code)
{
    return (struct kvm_segment) {
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = code ? 0xb : 0x3,   /* Execute/read or read/write,
                                     * accessed. */
        .present = 1,
        .dpl = selector & 3,
        .db = !code,
        .s = 1,
        .l = code,
        .g = 1,
    };
}

static struct kvm_segment
tss_segment(void)
{
    return (struct kvm_segment) {
        .base = VMM_TSS_ADDR,
        .limit = X86_TSS_LIMIT,
        .selector = X86_GDT_TSS,
        .type = 0xb,                /* 64-bit TSS, busy. */
        .present = 1,
    };
}

uint64_t
x86_boot_encode_segment(const struct kvm_segment *seg)
{
    uint64_t limit = seg->g ? seg->limit >> 12 : seg->limit;
    uint64_t base = seg->base;

    return ((limit & 0xffff)
            | (base & 0xffffff) << 16
            | (uint64_t) (seg->type & 0xf) << 40
            | (uint64_t) (seg->s & 1) << 44
            | (uint64_t) (seg->dpl & 3) << 45
            | (uint64_t) (seg->present & 1) << 47
            | ((limit >> 16) & 0xf) << 48
            | (uint64_t) (seg->avl & 1) << 52
            | (uint64_t) (seg->l & 1) << 53
            | (uint64_t) (seg->db & 1) << 54
            | (uint64_t) (seg->g & 1) << 55
            | ((base >> 24) & 0xff) << 56);
}

int
x86_boot_gdt_tss(uint8_t *mem, uint64_t mem_size)
{
    if (mem_size < VMM_TSS_ADDR + X86_TSS_LIMIT + 1) {
        return EINVAL;
    }

    uint8_t *gdt = mem + VMM_GDT_ADDR;
    memset(gdt, 0, X86_GDT_ENTRIES * 8);

    const struct kvm_segment segs[] = {
        flat_segment(X86_GDT_KERNEL_CS, true),
        flat_segment(X86_GDT_KERNEL_DS, false),
        flat_segment(X86_GDT_USER_DS, false),
        flat_segment(X86_GDT_USER_CS, true),
    };
    for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
        vmm_put_le64(gdt + (segs[i].selector & ~7),
                     x86_boot_encode_segment(&segs[i]));
    }
    struct kvm_segment tss = tss_segment();
    vmm_put_le64(gdt + X86_GDT_TSS, x86_boot_encode_segment(&tss));
    vmm_put_le64(gdt + X86_GDT_TSS + 8, tss.base >> 32);

    uint8_t *t = mem + VMM_TSS_ADDR;
    memset(t, 0, X86_TSS_LIMIT + 1);
    vmm_put_le64(t + 4, X86_BOOT_RSP0);             /* RSP0. */
    vmm_put_le16(t + 102, X86_TSS_SIZE);            /* I/O map base. */
    t[X86_TSS_LIMIT] = 0xff;                        /* Bitmap end. */
    return 0;
}

static int
x86_boot_common(uint8_t *mem, uint64_t mem_size, unsigned int pt_flags,
                struct x86_boot_state *state)
{
    if (mem_size < VMM_LOW_RAM_END) {
        return EINVAL;
    }

    int error = x86_boot_page_tables(mem, mem_size, 0, pt_flags);
    if (!error) {
        error = x86_boot_gdt_tss(mem, mem_size);
    }
    if (error) {
        return error;
    }

    memset(state, 0, sizeof *state);
    state->rflags = X86_RFLAGS_FIXED;
    state->cr0 = (X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE
                  | X86_CR0_WP | X86_CR0_PG);
    state->cr3 = X86_PML4_ADDR;
    state->cr4 = X86_CR4_PAE;
    state->efer = X86_EFER_LME | X86_EFER_LMA;
    state->gdt.base = VMM_GDT_ADDR;
    state->gdt.limit = X86_GDT_ENTRIES * 8 - 1;
    state->idt.base = VMM_IDT_ADDR;
    state->idt.limit = 0;
    state->tr = tss_segment();
    state->ldt = (struct kvm_segment) { .type = 2, .unusable = 1 };
    return 0;
}

int
x86_boot_linux64(uint8_t *mem, uint64_t mem_size, uint64_t entry,
                 uint64_t zero_page, struct x86_boot_state *state)
{
    int error = x86_boot_common(mem, mem_size, 0, state);
    if (error) {
        return error;
    }
    state->rip = entry;
    state->rsi = zero_page;
    state->cs = flat_segment(X86_GDT_KERNEL_CS, true);
    state->ds = state->es = state->fs = state->gs = state->ss
        = flat_segment(X86_GDT_KERNEL_DS, false);
    return 0;
}

int
x86_boot_simple(uint8_t *mem, uint64_t mem_size, uint64_t entry,
                uint64_t boot_info, struct x86_boot_state *state)
{
    int error = x86_boot_common(mem, mem_size, X86_PT_USER, state);
    if (error) {
        return error;
    }
    state->rip = entry;
    state->rsp = VMM_STACK_TOP;
    state->rdi = boot_info;
    state->cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    state->cs = flat_segment(X86_GDT_USER_CS, true);
    state->ds = state->es = state->fs = state->gs = state->ss
        = flat_segment(X86_GDT_USER_DS, false);
    return 0;
}
