/*
 * Tests for vmm/x86-boot.c (page tables, GDT, TSS, register state) and
 * the bzImage, zero-page and e820 parts of vmm/linux-boot.c, with
 * synthetic bzImages and, where one is installed, a real Debian kernel.
 */
#include <config.h>

#include <asm/bootparam.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "test.h"
#include "util.h"
#include "vmm/acpi.h"
#include "vmm/layout.h"
#include "vmm/linux-boot.h"
#include "vmm/x86-boot.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* Guest memory, zeroed, mapped lazily so that a few GiB cost nothing. */
static uint8_t *
map_mem(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(p != MAP_FAILED);
    return p;
}

/* Walks the page tables at CR3 for virtual address VA.  Returns true
 * and the physical address and the AND of the U/S bits and the OR of the
 * PCD bits along the way, or false if VA is not mapped. */
static bool
translate(const uint8_t *mem, uint64_t cr3, uint64_t va, uint64_t *pa,
          bool *user, bool *pcd)
{
    uint64_t table = cr3 & X86_PTE_ADDR_MASK;
    *user = true;
    *pcd = false;
    for (int level = 3; level >= 0; level--) {
        int index = (va >> (12 + 9 * level)) & 511;
        uint64_t e = vmm_get_le64(mem + table + index * 8);
        if (!(e & X86_PTE_P)) {
            return false;
        }
        *user = *user && (e & X86_PTE_US);
        *pcd = *pcd || (e & X86_PTE_PCD);
        if (level == 0 || (level <= 2 && e & X86_PTE_PS)) {
            uint64_t page_mask = (1ULL << (12 + 9 * level)) - 1;
            *pa = (e & X86_PTE_ADDR_MASK & ~page_mask) | (va & page_mask);
            return true;
        }
        table = e & X86_PTE_ADDR_MASK;
    }
    return false;
}

TEST(page_tables_identity_map)
{
    uint8_t *mem = xzalloc(MIB);
    uint64_t pa;
    bool user, pcd;

    CHECK_EQ(x86_boot_page_tables(mem, MIB, 0, 0), 0);
    static const uint64_t addrs[] = {
        0, 0x1234, 0x200000, 0x1234567, 0x7fffffff, 0xbfffffff,
        0xc0000000, 0xfec00000, 0xfee00300, 0xffffffff,
    };
    for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
        CHECK(translate(mem, X86_PML4_ADDR, addrs[i], &pa, &user, &pcd));
        CHECK_U64_EQ(pa, addrs[i]);
        CHECK(!user);
        CHECK_EQ(pcd, addrs[i] >= VMM_PCI_MMIO_BASE);
    }
    CHECK(!translate(mem, X86_PML4_ADDR, VMM_4G, &pa, &user, &pcd));
    CHECK(!translate(mem, X86_PML4_ADDR, 0xffffffff81000000ULL, &pa, &user,
                     &pcd));

    /* PCD comes with PWT; everything is writable. */
    uint64_t pde = vmm_get_le64(mem + X86_PD_ADDR + 3 * 4096);
    CHECK(pde & X86_PTE_PWT && pde & X86_PTE_RW && pde & X86_PTE_PS);

    /* U/S on every level when asked. */
    CHECK_EQ(x86_boot_page_tables(mem, MIB, 0, X86_PT_USER), 0);
    CHECK(translate(mem, X86_PML4_ADDR, 0x345678, &pa, &user, &pcd));
    CHECK(user && !pcd);
    CHECK(translate(mem, X86_PML4_ADDR, 0xfee00000, &pa, &user, &pcd));
    CHECK(user && pcd);

    /* Too small a buffer. */
    CHECK_EQ(x86_boot_page_tables(mem, 0x9000, 0, 0), EINVAL);
    free(mem);
}

TEST(page_tables_high_ram)
{
    uint8_t *mem = xzalloc(MIB);
    uint64_t pa;
    bool user, pcd;

    /* 8 GiB: 3 GiB low, 5 GiB at [4 GiB, 9 GiB) with 1 GiB pages. */
    CHECK_EQ(x86_boot_page_tables(mem, MIB, 8 * GIB, X86_PT_HIGH_RAM), 0);
    CHECK(translate(mem, X86_PML4_ADDR, VMM_4G + 0x12345, &pa, &user,
                    &pcd));
    CHECK_U64_EQ(pa, VMM_4G + 0x12345);
    CHECK(!pcd);
    CHECK(translate(mem, X86_PML4_ADDR, 9 * GIB - 1, &pa, &user, &pcd));
    CHECK_U64_EQ(pa, 9 * GIB - 1);
    CHECK(!translate(mem, X86_PML4_ADDR, 9 * GIB, &pa, &user, &pcd));

    /* Without the flag, nothing above 4 GiB. */
    CHECK_EQ(x86_boot_page_tables(mem, MIB, 8 * GIB, 0), 0);
    CHECK(!translate(mem, X86_PML4_ADDR, VMM_4G, &pa, &user, &pcd));

    /* 512 GiB of RAM cannot be mapped by one PDPT. */
    CHECK_EQ(x86_boot_page_tables(mem, MIB, 512 * GIB, X86_PT_HIGH_RAM),
             EINVAL);
    CHECK_EQ(x86_boot_page_tables(mem, MIB, 511 * GIB, X86_PT_HIGH_RAM), 0);
    free(mem);
}

static uint64_t
gdt_entry(const uint8_t *mem, uint16_t selector)
{
    return vmm_get_le64(mem + VMM_GDT_ADDR + (selector & ~7));
}

TEST(gdt_and_tss)
{
    uint8_t *mem = xmalloc(MIB);
    memset(mem, 0x5a, MIB);
    struct x86_boot_state s;

    CHECK_EQ(x86_boot_simple(mem, MIB, 0x200000, VMM_BOOT_INFO_ADDR, &s),
             0);

    CHECK_U64_EQ(gdt_entry(mem, 0), 0);
    CHECK_U64_EQ(gdt_entry(mem, 0x08), 0);
    /* Kernel code: P, DPL 0, S, type 0xb, L, G, limit 0xfffff. */
    CHECK_U64_EQ(gdt_entry(mem, X86_GDT_KERNEL_CS), 0x00af9b000000ffffULL);
    /* Kernel data: type 3, D/B, G. */
    CHECK_U64_EQ(gdt_entry(mem, X86_GDT_KERNEL_DS), 0x00cf93000000ffffULL);
    /* User data and code: DPL 3. */
    CHECK_U64_EQ(gdt_entry(mem, X86_GDT_USER_DS), 0x00cff3000000ffffULL);
    CHECK_U64_EQ(gdt_entry(mem, X86_GDT_USER_CS), 0x00affb000000ffffULL);
    /* The state's segments are what the GDT says. */
    CHECK_U64_EQ(gdt_entry(mem, s.cs.selector),
                 x86_boot_encode_segment(&s.cs));
    CHECK_U64_EQ(gdt_entry(mem, s.ss.selector),
                 x86_boot_encode_segment(&s.ss));

    /* TSS descriptor: base 0x1000, limit 8296, busy 64-bit TSS. */
    uint64_t lo = gdt_entry(mem, X86_GDT_TSS);
    uint64_t hi = gdt_entry(mem, X86_GDT_TSS + 8);
    CHECK_EQ(lo & 0xffff, X86_TSS_LIMIT);
    CHECK_U64_EQ(((lo >> 16) & 0xffffff) | ((lo >> 56) << 24), VMM_TSS_ADDR);
    CHECK_EQ((lo >> 40) & 0xff, 0x8b);
    CHECK_U64_EQ(hi, 0);
    CHECK_U64_EQ(lo, x86_boot_encode_segment(&s.tr));
    for (int i = X86_GDT_TSS / 8 + 2; i < X86_GDT_ENTRIES; i++) {
        CHECK_U64_EQ(gdt_entry(mem, i * 8), 0);
    }

    /* TSS: RSP0, I/O map base, all-zero bitmap, 0xff terminator. */
    const uint8_t *t = mem + VMM_TSS_ADDR;
    CHECK_U64_EQ(vmm_get_le64(t + 4), X86_BOOT_RSP0);
    CHECK_EQ(vmm_get_le16(t + 102), 104);
    CHECK(is_all_zeros(t + 104, 8192));
    CHECK_EQ(t[104 + 8192], 0xff);
    CHECK_EQ(t[104 + 8193], 0x5a);      /* Nothing written past it. */
    CHECK_EQ(X86_TSS_LIMIT, 8296);
    free(mem);
}

TEST(linux64_state)
{
    uint8_t *mem = xzalloc(MIB);
    struct x86_boot_state s;

    CHECK_EQ(x86_boot_linux64(mem, MIB, 0x1000200, VMM_ZERO_PAGE_ADDR, &s),
             0);
    CHECK_U64_EQ(s.rip, 0x1000200);
    CHECK_U64_EQ(s.rsi, VMM_ZERO_PAGE_ADDR);
    CHECK_U64_EQ(s.rflags, 2);
    CHECK_EQ(s.cs.selector, 0x10);
    CHECK(s.cs.l && !s.cs.db && s.cs.s && s.cs.present && s.cs.dpl == 0);
    CHECK_EQ(s.ds.selector, 0x18);
    CHECK_EQ(s.es.selector, 0x18);
    CHECK_EQ(s.ss.selector, 0x18);
    CHECK(s.ss.db && s.ss.type == 3 && s.ss.dpl == 0);
    CHECK(s.cr0 & X86_CR0_PE && s.cr0 & X86_CR0_PG && s.cr0 & X86_CR0_NE);
    CHECK_U64_EQ(s.cr3, VMM_PAGE_TABLES_ADDR);
    CHECK_U64_EQ(s.cr4, X86_CR4_PAE);
    CHECK_U64_EQ(s.efer, X86_EFER_LME | X86_EFER_LMA);
    CHECK_U64_EQ(s.gdt.base, VMM_GDT_ADDR);
    CHECK_EQ(s.gdt.limit, X86_GDT_ENTRIES * 8 - 1);
    CHECK_EQ(s.tr.selector, X86_GDT_TSS);
    CHECK(s.ldt.unusable);

    /* Kernel mappings are supervisor-only. */
    uint64_t pa;
    bool user, pcd;
    CHECK(translate(mem, s.cr3, 0x1000200, &pa, &user, &pcd));
    CHECK(!user);

    CHECK_EQ(x86_boot_linux64(mem, 0x8000, 0, 0, &s), EINVAL);
    free(mem);
}

TEST(simple_state)
{
    uint8_t *mem = xzalloc(MIB);
    struct x86_boot_state s;

    CHECK_EQ(x86_boot_simple(mem, MIB, 0x200040, VMM_BOOT_INFO_ADDR, &s),
             0);
    CHECK_U64_EQ(s.rip, 0x200040);
    CHECK_U64_EQ(s.rsp, VMM_STACK_TOP);
    CHECK_U64_EQ(s.rdi, VMM_BOOT_INFO_ADDR);
    CHECK_U64_EQ(s.rflags, 2);
    CHECK_EQ(s.cs.selector, X86_GDT_USER_CS);
    CHECK_EQ(s.cs.dpl, 3);
    CHECK(s.cs.l);
    CHECK_EQ(s.ss.selector, X86_GDT_USER_DS);
    CHECK_EQ(s.ss.dpl, 3);
    CHECK_EQ(s.ds.selector, X86_GDT_USER_DS);
    CHECK_U64_EQ(s.cr4, X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    CHECK_EQ(s.tr.selector, X86_GDT_TSS);
    CHECK_U64_EQ(s.tr.base, VMM_TSS_ADDR);
    CHECK_EQ(s.tr.limit, X86_TSS_LIMIT);
    CHECK_EQ(s.tr.type, 11);
    CHECK(!s.tr.s && s.tr.present);
    CHECK_EQ(s.idt.limit, 0);

    uint64_t pa;
    bool user, pcd;
    CHECK(translate(mem, s.cr3, VMM_STACK_TOP - 8, &pa, &user, &pcd));
    CHECK(user);
    free(mem);
}

/* Checks that ENTRIES are sorted, disjoint, and that the RAM in them adds
 * up to RAM_SIZE. */
static void
check_e820_sane(const struct vmm_e820_entry *e, size_t n, uint64_t ram_size)
{
    uint64_t ram = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(e[i].size > 0);
        if (i) {
            CHECK_LE(e[i - 1].addr + e[i - 1].size, e[i].addr);
        }
        if (e[i].type == VMM_E820_RAM) {
            ram += e[i].size;
        }
    }
    /* The legacy hole [0xa0000, 1 MiB) is not RAM. */
    CHECK_U64_EQ(ram, ram_size - (VMM_HIGH_RAM_START - VMM_LOW_RAM_END));
}

TEST(e820_small)
{
    struct vmm_e820_entry e[VMM_E820_MAX];
    size_t n = vmm_e820_build(64 * MIB, e, ARRAY_SIZE(e));

    CHECK_EQ(n, 4);
    check_e820_sane(e, n, 64 * MIB);
    CHECK_U64_EQ(e[0].addr, 0);
    CHECK_U64_EQ(e[0].size, VMM_LOW_RAM_END);
    CHECK_EQ(e[0].type, VMM_E820_RAM);
    CHECK_U64_EQ(e[1].addr, 0xa0000);
    CHECK_U64_EQ(e[1].size, 0x60000);
    CHECK_EQ(e[1].type, VMM_E820_RESERVED);
    CHECK_U64_EQ(e[2].addr, MIB);
    CHECK_U64_EQ(e[2].size, 63 * MIB);
    CHECK_EQ(e[2].type, VMM_E820_RAM);
    CHECK_U64_EQ(e[3].addr, VMM_IOAPIC_ADDR);
    CHECK_U64_EQ(e[3].addr + e[3].size, VMM_4G);
    CHECK_EQ(e[3].type, VMM_E820_RESERVED);

    /* Too little room. */
    CHECK_EQ(vmm_e820_build(64 * MIB, e, 3), 0);
}

TEST(e820_3g_and_8g)
{
    struct vmm_e820_entry e[VMM_E820_MAX];

    size_t n = vmm_e820_build(3 * GIB, e, ARRAY_SIZE(e));
    CHECK_EQ(n, 4);
    check_e820_sane(e, n, 3 * GIB);
    CHECK_U64_EQ(e[2].addr + e[2].size, VMM_PCI_HOLE);

    n = vmm_e820_build(8 * GIB, e, ARRAY_SIZE(e));
    CHECK_EQ(n, 5);
    check_e820_sane(e, n, 8 * GIB);
    CHECK_U64_EQ(e[2].addr + e[2].size, VMM_PCI_HOLE);
    CHECK_U64_EQ(e[4].addr, VMM_4G);
    CHECK_U64_EQ(e[4].size, 5 * GIB);
    CHECK_EQ(e[4].type, VMM_E820_RAM);

    /* The PCI window is not in the map at all. */
    for (size_t i = 0; i < n; i++) {
        CHECK(e[i].addr + e[i].size <= VMM_PCI_MMIO_BASE
              || e[i].addr >= VMM_PCI_MMIO_END);
    }
    CHECK_U64_EQ(vmm_low_ram_end(8 * GIB), VMM_PCI_HOLE);
    CHECK_U64_EQ(vmm_low_ram_end(64 * MIB), 64 * MIB);
}

/* A synthetic bzImage: SETUP_SECTS sectors of setup after the boot
 * sector, then PAYLOAD bytes of "kernel" (0x90 + offset). */
struct bz_opts {
    uint8_t setup_sects;
    size_t payload;
    uint16_t version;
    uint16_t xloadflags;
    uint8_t loadflags;
    uint8_t relocatable;
    uint32_t init_size;
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint64_t pref_address;
};

static struct bz_opts
bz_default(void)
{
    return (struct bz_opts) {
        .setup_sects = 3,
        .payload = 0x2000,
        .version = 0x020f,
        .xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G,
        .loadflags = LOADED_HIGH,
        .relocatable = 1,
        .init_size = 0x400000,
        .cmdline_size = 2047,
        .initrd_addr_max = 0x7fffffff,
        .kernel_alignment = 0x200000,
        .pref_address = 0x1000000,
    };
}

static uint8_t *
make_bzimage(const struct bz_opts *o, size_t *lenp)
{
    size_t setup = (o->setup_sects + 1) * 512;
    size_t len = setup + o->payload;
    uint8_t *image = xzalloc(len);
    struct setup_header h;

    memset(&h, 0, sizeof h);
    h.setup_sects = o->setup_sects;
    h.syssize = DIV_ROUND_UP(o->payload, 16);
    h.boot_flag = 0xaa55;
    h.jump = 0xeb | (0x268 - 0x202) << 8;   /* jmp to the header's end. */
    h.header = 0x53726448;
    h.version = o->version;
    h.loadflags = o->loadflags;
    h.kernel_alignment = o->kernel_alignment;
    h.relocatable_kernel = o->relocatable;
    h.xloadflags = o->xloadflags;
    h.cmdline_size = o->cmdline_size;
    h.initrd_addr_max = o->initrd_addr_max;
    h.pref_address = o->pref_address;
    h.init_size = o->init_size;
    memcpy(image + 0x1f1, &h, sizeof h);
    for (size_t i = 0; i < o->payload; i++) {
        image[setup + i] = 0x90 + i;
    }
    *lenp = len;
    return image;
}

TEST(bzimage_loads)
{
    struct bz_opts o = bz_default();
    size_t len;
    uint8_t *image = make_bzimage(&o, &len);
    uint64_t ram = 64 * MIB;
    uint8_t *mem = map_mem(ram);
    static const char initrd[] = "0707010000...cpio";
    struct linux_boot_result r;
    char *error;

    int retval = linux_boot_load(mem, ram, ram, image, len, initrd,
                                 sizeof initrd, "console=ttyS0 quiet", &r,
                                 &error);
    CHECK_MSG(!retval, "%s", error);
    CHECK_EQ(r.format, VMM_KERNEL_BZIMAGE);
    CHECK_EQ(r.protocol, 0x020f);
    CHECK_U64_EQ(r.kernel_start, 0x1000000);
    CHECK_U64_EQ(r.kernel_end, 0x1400000);
    CHECK_U64_EQ(r.entry, 0x1000200);
    CHECK_U64_EQ(r.state.rip, 0x1000200);
    CHECK_U64_EQ(r.state.rsi, VMM_ZERO_PAGE_ADDR);
    CHECK_MEMEQ(mem + 0x1000000, image + 4 * 512, o.payload);

    struct boot_params bp;
    memcpy(&bp, mem + VMM_ZERO_PAGE_ADDR, sizeof bp);
    /* The setup header is the file's, with the loader's fields set. */
    CHECK_EQ(bp.hdr.setup_sects, 3);
    CHECK_EQ(bp.hdr.version, 0x020f);
    CHECK_EQ(bp.hdr.header, 0x53726448);
    CHECK_EQ(bp.hdr.init_size, 0x400000);
    CHECK_EQ(bp.hdr.type_of_loader, 0xff);
    CHECK(bp.hdr.loadflags & LOADED_HIGH);
    CHECK_EQ(bp.hdr.code32_start, 0x1000000);
    CHECK_EQ(bp.hdr.cmd_line_ptr, VMM_CMDLINE_ADDR);
    CHECK_STREQ((char *) mem + VMM_CMDLINE_ADDR, "console=ttyS0 quiet");
    CHECK_EQ(bp.hdr.ramdisk_size, sizeof initrd);
    CHECK_EQ(bp.hdr.ramdisk_image, ram - 4096);
    CHECK_U64_EQ(r.initrd_addr, ram - 4096);
    CHECK_MEMEQ(mem + bp.hdr.ramdisk_image, initrd, sizeof initrd);
    CHECK_EQ(bp.ext_ramdisk_image, 0);
    CHECK_EQ(bp.acpi_rsdp_addr, 0);     /* No ACPI tables yet. */

    CHECK_EQ(bp.e820_entries, 4);
    struct boot_e820_entry e;
    memcpy(&e, &bp.e820_table[2], sizeof e);
    CHECK_U64_EQ(e.addr, MIB);
    CHECK_U64_EQ(e.size, ram - MIB);
    CHECK_EQ(e.type, 1);

    /* With ACPI built first, the zero page points at the RSDP. */
    CHECK_EQ(acpi_build(mem, ram, 2), 0);
    retval = linux_boot_load(mem, ram, ram, image, len, NULL, 0, NULL, &r,
                             &error);
    CHECK_MSG(!retval, "%s", error);
    memcpy(&bp, mem + VMM_ZERO_PAGE_ADDR, sizeof bp);
    CHECK_U64_EQ(bp.acpi_rsdp_addr, ACPI_RSDP_ADDR);
    CHECK_EQ(bp.hdr.ramdisk_size, 0);
    CHECK_EQ(bp.hdr.ramdisk_image, 0);
    CHECK_EQ(mem[VMM_CMDLINE_ADDR], 0);
    munmap(mem, ram);
    free(image);
}

TEST(bzimage_placement)
{
    uint64_t ram = 64 * MIB;
    uint8_t *mem = map_mem(ram);
    struct linux_boot_result r;
    char *error;
    size_t len;

    /* pref_address too high for RAM: a relocatable kernel goes to
     * VMM_KERNEL_ADDR. */
    struct bz_opts o = bz_default();
    o.pref_address = 0x3e00000;
    uint8_t *image = make_bzimage(&o, &len);
    CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, NULL, 0, NULL, &r,
                             &error), 0);
    CHECK_U64_EQ(r.kernel_start, VMM_KERNEL_ADDR);
    free(image);

    /* A fitting pref_address is used as is. */
    o.pref_address = 0x2000000;
    image = make_bzimage(&o, &len);
    CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, NULL, 0, NULL, &r,
                             &error), 0);
    CHECK_U64_EQ(r.kernel_start, 0x2000000);
    CHECK_U64_EQ(r.entry, 0x2000200);
    free(image);

    /* Not relocatable and not fitting: refused. */
    o.pref_address = 0x3e00000;
    o.relocatable = 0;
    image = make_bzimage(&o, &len);
    CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, NULL, 0, NULL, &r,
                             &error), EINVAL);
    CHECK(strstr(error, "not relocatable"));
    free(error);
    free(image);

    /* Kernel larger than RAM. */
    o = bz_default();
    o.init_size = 100 * MIB;
    image = make_bzimage(&o, &len);
    CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, NULL, 0, NULL, &r,
                             &error), EINVAL);
    CHECK(strstr(error, "more than"));
    free(error);
    free(image);

    /* initrd_addr_max below RAM's end caps the initrd. */
    o = bz_default();
    o.initrd_addr_max = 0x2ffffff;
    image = make_bzimage(&o, &len);
    static const uint8_t initrd[5000];
    CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, initrd,
                             sizeof initrd, NULL, &r, &error), 0);
    CHECK_U64_EQ(r.initrd_addr, 0x3000000 - 8192);
    CHECK_U64_EQ(r.initrd_size, 5000);
    free(image);
    munmap(mem, ram);
}

/* Expects loading IMAGE to fail with NEEDLE in the message, writing
 * nothing into guest memory. */
static void
expect_bz_error(const uint8_t *image, size_t len, const void *initrd,
                size_t initrd_len, const char *cmdline, const char *needle)
{
    uint64_t ram = 64 * MIB;
    uint8_t *mem = map_mem(ram);
    struct linux_boot_result r;
    char *error = NULL;

    int retval = linux_boot_load(mem, ram, ram, image, len, initrd,
                                 initrd_len, cmdline, &r, &error);
    CHECK_EQ(retval, EINVAL);
    CHECK(error);
    CHECK_MSG(strstr(error, needle), "\"%s\" lacks \"%s\"", error, needle);
    CHECK(is_all_zeros(mem, 2 * MIB));
    CHECK(is_all_zeros(mem + VMM_KERNEL_ADDR, 64));
    free(error);
    munmap(mem, ram);
}

TEST(bzimage_rejects_malformed)
{
    struct bz_opts o;
    size_t len;
    uint8_t *image;

#define BAD(FIELD, VALUE, NEEDLE)                                    \
    o = bz_default();                                                \
    o.FIELD = VALUE;                                                 \
    image = make_bzimage(&o, &len);                                  \
    expect_bz_error(image, len, NULL, 0, NULL, NEEDLE);              \
    free(image)

    BAD(version, 0x0205, "older than 2.06");
    BAD(version, 0x020b, "no 64-bit entry");
    BAD(xloadflags, 0, "no 64-bit entry");
    BAD(loadflags, 0, "LOADED_HIGH");
    BAD(kernel_alignment, 0x300000, "power of 2");
    BAD(kernel_alignment, 0, "power of 2");
#undef BAD

    /* Bad magic, bad boot flag. */
    o = bz_default();
    image = make_bzimage(&o, &len);
    image[0x202] = 'X';
    expect_bz_error(image, len, NULL, 0, NULL, "neither");
    image[0x202] = 'H';
    image[0x1fe] = 0;
    expect_bz_error(image, len, NULL, 0, NULL, "boot flag");
    image[0x1fe] = 0x55;
    /* A header jump that ends the header too early. */
    image[0x201] = 0x10;
    expect_bz_error(image, len, NULL, 0, NULL, "setup header ends");
    image[0x201] = 0x66;

    /* Setup sectors past the end of the file. */
    image[0x1f1] = 100;
    expect_bz_error(image, len, NULL, 0, NULL, "extends past the file");
    image[0x1f1] = 3;

    /* Truncated: syssize says more than there is; or barely a header. */
    expect_bz_error(image, len - 32, NULL, 0, NULL, "truncated");
    expect_bz_error(image, 0x260, NULL, 0, NULL, "too short");
    expect_bz_error(image, 0x265, NULL, 0, NULL, "extends past the file");
    expect_bz_error(image, 0x205, NULL, 0, NULL, "neither");

    /* Command line longer than cmdline_size. */
    char line[2100];
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = 0;
    expect_bz_error(image, len, NULL, 0, line, "command line");
    line[2047] = 0;
    {
        uint64_t ram = 64 * MIB;
        uint8_t *mem = map_mem(ram);
        struct linux_boot_result r;
        char *error;
        CHECK_EQ(linux_boot_load(mem, ram, ram, image, len, NULL, 0, line,
                                 &r, &error), 0);
        CHECK_EQ(strlen((char *) mem + VMM_CMDLINE_ADDR), 2047);
        munmap(mem, ram);
    }
    free(image);

    /* A kernel that accepts more than VMM_CMDLINE_MAX is still limited. */
    o = bz_default();
    o.cmdline_size = 0xffffffff;
    image = make_bzimage(&o, &len);
    char *big = xmalloc(VMM_CMDLINE_MAX + 1);
    memset(big, 'b', VMM_CMDLINE_MAX);
    big[VMM_CMDLINE_MAX] = 0;
    expect_bz_error(image, len, NULL, 0, big, "command line");
    free(big);

    /* An initrd that does not fit above the kernel. */
    size_t initrd_len = 50 * MIB;
    uint8_t *initrd = xzalloc(initrd_len);
    expect_bz_error(image, len, initrd, initrd_len, NULL, "initrd");
    free(initrd);

    /* Every truncation fails cleanly. */
    for (size_t n = 0; n < len; n += n < 0x300 ? 1 : 64) {
        struct linux_bzimage bz;
        char *error;
        CHECK_EQ(linux_bzimage_parse(image, n, &bz, &error), EINVAL);
        free(error);
    }
    free(image);
}

TEST(bzimage_memory_checks)
{
    struct bz_opts o = bz_default();
    size_t len;
    uint8_t *image = make_bzimage(&o, &len);
    uint8_t *mem = map_mem(64 * MIB);
    struct linux_boot_result r;
    char *error;

    /* Buffer smaller than low RAM. */
    CHECK_EQ(linux_boot_load(mem, 32 * MIB, 64 * MIB, image, len, NULL, 0,
                             NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "smaller than low RAM"));
    free(error);
    CHECK_EQ(vmm_kernel_probe(image, len), VMM_KERNEL_BZIMAGE);
    CHECK_EQ(vmm_kernel_probe("junk", 4), VMM_KERNEL_UNKNOWN);
    munmap(mem, 64 * MIB);
    free(image);
}

/* The first Debian kernel found on this machine, or null. */
static char *
find_real_kernel(void)
{
    static const char *patterns[] = {
        "/var/cache/plexus/guest/*/vmlinuz",
        "/boot/vmlinuz-*",
    };
    for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
        glob_t g;
        if (!glob(patterns[i], 0, NULL, &g) && g.gl_pathc) {
            char *name = xstrdup(g.gl_pathv[0]);
            globfree(&g);
            return name;
        }
        globfree(&g);
    }
    return NULL;
}

TEST(real_debian_kernel)
{
    char *name = find_real_kernel();
    if (!name) {
        test_skip("no vmlinuz in /var/cache/plexus/guest or /boot");
    }

    size_t len;
    uint8_t *image = (uint8_t *) test_read_file(name, &len);
    struct linux_bzimage bz;
    char *error;

    CHECK_EQ(vmm_kernel_probe(image, len), VMM_KERNEL_BZIMAGE);
    int retval = linux_bzimage_parse(image, len, &bz, &error);
    CHECK_MSG(!retval, "%s: %s", name, error);
    CHECK_GE(bz.version, 0x020c);
    CHECK(bz.xloadflags & XLF_KERNEL_64);
    CHECK(bz.relocatable);
    CHECK_GE(bz.init_size, bz.payload_len);

    uint64_t ram = 256 * MIB;
    uint8_t *mem = map_mem(ram);
    static const char initrd[] = "not really a cpio archive";
    struct linux_boot_result r;
    retval = linux_boot_load(mem, ram, ram, image, len, initrd,
                             sizeof initrd, "console=ttyS0 noxsave", &r,
                             &error);
    CHECK_MSG(!retval, "%s: %s", name, error);
    CHECK_U64_EQ(r.kernel_start, bz.pref_address);
    CHECK_U64_EQ(r.entry, bz.pref_address + 0x200);
    CHECK_U64_EQ(r.state.rip, r.entry);
    CHECK_MEMEQ(mem + r.kernel_start, image + bz.setup_size, bz.payload_len);
    CHECK_GE(r.initrd_addr, r.kernel_start + bz.init_size);

    struct boot_params bp;
    memcpy(&bp, mem + VMM_ZERO_PAGE_ADDR, sizeof bp);
    CHECK_EQ(bp.hdr.version, bz.version);
    CHECK_EQ(bp.hdr.type_of_loader, 0xff);
    uint16_t kernel_version = bp.hdr.kernel_version;
    CHECK_EQ(kernel_version, vmm_get_le16(image + 0x20e));
    munmap(mem, ram);
    free(image);
    free(name);
}
