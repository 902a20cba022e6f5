/*
 * vmm/x86-boot.h: the long-mode state plx-vm gives vCPU 0 at power-on.
 *
 * Nothing here talks to KVM.  Each function writes boot structures into
 * a buffer MEM of MEM_SIZE bytes that is guest-physical memory starting
 * at address 0 (the low RAM of vmm/layout.h), and fills a struct
 * x86_boot_state that the VMM copies into KVM_SET_REGS/KVM_SET_SREGS
 * field by field (segments are struct kvm_segment, descriptor tables
 * struct kvm_dtable, so that copy is 1:1).
 *
 * What is built, all at the fixed addresses of vmm/layout.h:
 *
 *   - Identity page tables at VMM_PAGE_TABLES_ADDR: one PML4, one PDPT,
 *     four page directories of 2 MiB pages covering [0, 4 GiB), all
 *     present and writable.  The PCI window [0xc0000000, 4 GiB), which
 *     holds the BARs, the IOAPIC and the local APICs, is mapped with
 *     PCD|PWT (uncached).  X86_PT_USER sets U/S on every entry (the
 *     simple entry runs at CPL 3).  X86_PT_HIGH_RAM also maps RAM above
 *     4 GiB with 1 GiB pages in the same PDPT (the vCPU must then offer
 *     1 GiB pages, CPUID 0x80000001 EDX bit 26), up to 512 GiB.
 *
 *   - A GDT at VMM_GDT_ADDR of X86_GDT_ENTRIES descriptors: null, an
 *     unused slot, kernel 64-bit code (0x10) and data (0x18) as Linux's
 *     boot protocol wants them (__BOOT_CS/__BOOT_DS), user data (0x20)
 *     and user 64-bit code (0x28), both DPL 3 (in that order, so that
 *     SYSRET with STAR[63:48] = 0x18 would work), and the 16-byte 64-bit
 *     TSS descriptor at 0x30 (marked busy, as after LTR).  The rest are
 *     null.  The descriptors are encoded from the very kvm_segment
 *     values put in the state, so the two always agree.
 *
 *   - A 64-bit TSS at VMM_TSS_ADDR: RSP0 = X86_BOOT_RSP0, I/O map base
 *     104, an 8,192-byte all-zero I/O-permission bitmap (every port
 *     allowed at any CPL) and the terminating 0xff byte.  TR's limit
 *     (X86_TSS_LIMIT) covers exactly that.  This is how a CPL 3 guest
 *     does IN/OUT: this machine's KVM drops an IOPL set by the VMM.
 *
 * RSP0 points into [VMM_STACK_TOP, VMM_EBDA_ADDR), low RAM that no
 * loader uses, so a future CPL 0 interrupt handler of a simple-entry
 * guest would not land on its CPL 3 stack.  No IDT is built: the simple
 * entry has none (limit 0, an exception triple-faults) and Linux loads
 * its own.
 *
 * Control registers: CR0 = PE|MP|ET|NE|WP|PG, CR3 = the PML4, CR4 = PAE
 * (plus OSFXSR|OSXMMEXCPT for the simple entry), EFER = LME|LMA,
 * RFLAGS = 0x2 (interrupts off).
 */
#ifndef VMM_X86_BOOT_H
#define VMM_X86_BOOT_H 1

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include "vmm/layout.h"

/* GDT selectors (index << 3 | RPL). */
#define X86_GDT_ENTRIES     16
#define X86_GDT_KERNEL_CS   0x10
#define X86_GDT_KERNEL_DS   0x18
#define X86_GDT_USER_DS     0x23
#define X86_GDT_USER_CS     0x2b
#define X86_GDT_TSS         0x30

/* 64-bit TSS: 104 bytes, then the 8 KiB I/O bitmap, then one 0xff. */
#define X86_TSS_SIZE        104
#define X86_TSS_IOMAP_SIZE  8192
#define X86_TSS_LIMIT       (X86_TSS_SIZE + X86_TSS_IOMAP_SIZE)
#define X86_BOOT_RSP0       0x0009f000ULL

/* Page-table entry bits. */
#define X86_PTE_P           (1ULL << 0)
#define X86_PTE_RW          (1ULL << 1)
#define X86_PTE_US          (1ULL << 2)
#define X86_PTE_PWT         (1ULL << 3)
#define X86_PTE_PCD         (1ULL << 4)
#define X86_PTE_PS          (1ULL << 7)
#define X86_PTE_ADDR_MASK   0x000ffffffffff000ULL

/* Where the tables go: PML4, PDPT, then 4 page directories. */
#define X86_PML4_ADDR       VMM_PAGE_TABLES_ADDR
#define X86_PDPT_ADDR       (VMM_PAGE_TABLES_ADDR + 0x1000)
#define X86_PD_ADDR         (VMM_PAGE_TABLES_ADDR + 0x2000)
#define X86_PT_BYTES        0x6000      /* All six pages. */

/* Control-register bits. */
#define X86_CR0_PE          (1ULL << 0)
#define X86_CR0_MP          (1ULL << 1)
#define X86_CR0_ET          (1ULL << 4)
#define X86_CR0_NE          (1ULL << 5)
#define X86_CR0_WP          (1ULL << 16)
#define X86_CR0_PG          (1ULL << 31)
#define X86_CR4_PAE         (1ULL << 5)
#define X86_CR4_OSFXSR      (1ULL << 9)
#define X86_CR4_OSXMMEXCPT  (1ULL << 10)
#define X86_EFER_LME        (1ULL << 8)
#define X86_EFER_LMA        (1ULL << 10)
#define X86_RFLAGS_FIXED    0x2ULL

struct x86_boot_state {
    uint64_t rip, rsp, rsi, rdi, rflags;
    uint64_t cr0, cr3, cr4, efer;
    struct kvm_dtable gdt, idt;
    struct kvm_segment cs, ds, es, fs, gs, ss, tr, ldt;
};

/* Page-table options. */
enum {
    X86_PT_USER = 1 << 0,       /* U/S on every entry. */
    X86_PT_HIGH_RAM = 1 << 1,   /* Map [4 GiB, 4 GiB + high RAM). */
};

/* Builds the identity page tables (see above) for a machine with
 * RAM_SIZE bytes of RAM.  Returns 0, or EINVAL if MEM is too small to
 * hold them or X86_PT_HIGH_RAM asks for more than 512 GiB. */
int x86_boot_page_tables(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                         unsigned int flags);

/* Writes the GDT and the TSS with its I/O bitmap.  Returns 0, or EINVAL
 * if MEM is too small. */
int x86_boot_gdt_tss(uint8_t *mem, uint64_t mem_size);

/* Builds page tables, GDT and TSS and fills *STATE for Linux's 64-bit
 * boot protocol: CPL 0, CS 0x10, DS/ES/SS (and FS/GS) 0x18, RIP = ENTRY,
 * RSI = ZERO_PAGE, interrupts off.  Returns 0, or EINVAL if MEM_SIZE is
 * less than VMM_LOW_RAM_END. */
int x86_boot_linux64(uint8_t *mem, uint64_t mem_size, uint64_t entry,
                     uint64_t zero_page, struct x86_boot_state *state);

/* The same for the Plexus simple entry (vmm/simple-entry.h): CPL 3,
 * user-accessible page tables, RSP = VMM_STACK_TOP, RDI = BOOT_INFO,
 * TR = the TSS, IDT limit 0. */
int x86_boot_simple(uint8_t *mem, uint64_t mem_size, uint64_t entry,
                    uint64_t boot_info, struct x86_boot_state *state);

/* Encodes SEG as an 8-byte code/data descriptor (the low half only for a
 * system segment). */
uint64_t x86_boot_encode_segment(const struct kvm_segment *seg);

/* Little-endian access to guest memory and file images (which need not
 * be aligned). */
static inline void
vmm_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void
vmm_put_le32(uint8_t *p, uint32_t v)
{
    vmm_put_le16(p, v);
    vmm_put_le16(p + 2, v >> 16);
}

static inline void
vmm_put_le64(uint8_t *p, uint64_t v)
{
    vmm_put_le32(p, v);
    vmm_put_le32(p + 4, v >> 32);
}

static inline uint16_t
vmm_get_le16(const uint8_t *p)
{
    return p[0] | (uint16_t) p[1] << 8;
}

static inline uint32_t
vmm_get_le32(const uint8_t *p)
{
    return vmm_get_le16(p) | (uint32_t) vmm_get_le16(p + 2) << 16;
}

static inline uint64_t
vmm_get_le64(const uint8_t *p)
{
    return vmm_get_le32(p) | (uint64_t) vmm_get_le32(p + 4) << 32;
}

#endif /* vmm/x86-boot.h */
