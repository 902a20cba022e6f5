/*
 * vmm/linux-boot.c: bzImage and vmlinux loading, the zero page, e820,
 * and the Plexus simple entry (see linux-boot.h).
 */
#include <config.h>
#include "vmm/linux-boot.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "util.h"
#include "vmm/acpi.h"
#include "vmm/elf-load.h"
#include "vmm/layout.h"
#include "vmm/simple-entry.h"

BUILD_ASSERT_DECL(sizeof(struct boot_params) == 4096);
BUILD_ASSERT_DECL(offsetof(struct boot_params, hdr) == 0x1f1);
BUILD_ASSERT_DECL(VMM_ZERO_PAGE_ADDR + 4096 <= VMM_PAGE_TABLES_ADDR);
BUILD_ASSERT_DECL(VMM_CMDLINE_ADDR + VMM_CMDLINE_MAX
                  <= VMM_ZERO_PAGE_ADDR);
BUILD_ASSERT_DECL(VMM_BOOT_INFO_ADDR + sizeof(struct plx_boot_info)
                  <= VMM_CMDLINE_ADDR);

#define PAGE_SIZE 4096ULL

/* Offsets in a bzImage file. */
#define BZ_HDR_OFS       0x1f1
#define BZ_BOOT_FLAG_OFS 0x1fe
#define BZ_JUMP_OFS      0x200
#define BZ_MAGIC_OFS     0x202
#define BZ_MIN_LEN       (BZ_HDR_OFS + offsetof(struct setup_header, \
                                                handover_offset))
#define BZ_64BIT_ENTRY   0x200
#define HDRS_MAGIC       0x53726448u    /* "HdrS". */

#define VMLINUX_PROTOCOL 0x020f
#define VMLINUX_INITRD_MAX 0x7fffffffu

static int
boot_error(char **errp, const char *format, ...) PLX_PRINTF_FORMAT(2, 3);

static int
boot_error(char **errp, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    *errp = xvasprintf(format, args);
    va_end(args);
    return EINVAL;
}

uint64_t
vmm_low_ram_end(uint64_t ram_size)
{
    return MIN(ram_size, VMM_PCI_HOLE);
}

size_t
vmm_e820_build(uint64_t ram_size, struct vmm_e820_entry *entries,
               size_t max)
{
    struct vmm_e820_entry e[VMM_E820_MAX];
    uint64_t low_end = vmm_low_ram_end(ram_size);
    size_t n = 0;

    e[n++] = (struct vmm_e820_entry) {
        0, MIN(VMM_LOW_RAM_END, low_end), VMM_E820_RAM };
    e[n++] = (struct vmm_e820_entry) {
        VMM_LOW_RAM_END, VMM_HIGH_RAM_START - VMM_LOW_RAM_END,
        VMM_E820_RESERVED };
    if (low_end > VMM_HIGH_RAM_START) {
        e[n++] = (struct vmm_e820_entry) {
            VMM_HIGH_RAM_START, low_end - VMM_HIGH_RAM_START, VMM_E820_RAM };
    }
    e[n++] = (struct vmm_e820_entry) {
        VMM_IOAPIC_ADDR, VMM_4G - VMM_IOAPIC_ADDR, VMM_E820_RESERVED };
    if (ram_size > low_end) {
        e[n++] = (struct vmm_e820_entry) {
            VMM_4G, ram_size - low_end, VMM_E820_RAM };
    }

    if (n > max) {
        return 0;
    }
    memcpy(entries, e, n * sizeof *e);
    return n;
}

static uint32_t
get_le32_at(const uint8_t *p, size_t ofs)
{
    return vmm_get_le32(p + ofs);
}

enum vmm_kernel_format
vmm_kernel_probe(const void *image_, size_t len)
{
    const uint8_t *image = image_;

    if (elf_load_is_elf(image, len)) {
        struct elf_load_info info;
        char *error;
        if (!elf_load_parse(image, len, VMM_PCI_HOLE, &info, &error)) {
            return info.simple_entry ? VMM_KERNEL_SIMPLE : VMM_KERNEL_VMLINUX;
        }
        free(error);
        return VMM_KERNEL_VMLINUX;
    }
    if (len >= BZ_MAGIC_OFS + 4
        && get_le32_at(image, BZ_MAGIC_OFS) == HDRS_MAGIC) {
        return VMM_KERNEL_BZIMAGE;
    }
    return VMM_KERNEL_UNKNOWN;
}

int
linux_bzimage_parse(const void *image_, size_t len, struct linux_bzimage *bz,
                    char **errp)
{
    const uint8_t *image = image_;
    struct setup_header h;

    *errp = NULL;
    memset(bz, 0, sizeof *bz);
    if (len < BZ_MIN_LEN) {
        return boot_error(errp, "bzImage: %zu bytes is too short for a "
                          "setup header", len);
    }
    if (vmm_get_le16(image + BZ_BOOT_FLAG_OFS) != 0xaa55) {
        return boot_error(errp, "bzImage: no 0xaa55 boot flag");
    }
    if (get_le32_at(image, BZ_MAGIC_OFS) != HDRS_MAGIC) {
        return boot_error(errp, "bzImage: no \"HdrS\" magic");
    }

    /* The header runs to the target of the short jump at 0x200. */
    size_t header_end = BZ_MAGIC_OFS + image[BZ_JUMP_OFS + 1];
    header_end = MIN(header_end, BZ_HDR_OFS + sizeof h);
    header_end = MIN(header_end, len);
    if (header_end < BZ_MIN_LEN) {
        return boot_error(errp, "bzImage: setup header ends at %#zx, "
                          "before init_size", header_end);
    }
    memset(&h, 0, sizeof h);
    memcpy(&h, image + BZ_HDR_OFS, header_end - BZ_HDR_OFS);

    bz->version = h.version;
    bz->header_end = header_end;
    if (h.version < 0x0206) {
        return boot_error(errp, "bzImage: boot protocol %u.%02u is older "
                          "than 2.06", h.version >> 8, h.version & 0xff);
    }
    if (h.version < 0x020c || !(h.xloadflags & XLF_KERNEL_64)) {
        return boot_error(errp, "bzImage: no 64-bit entry point (protocol "
                          "%u.%02u, xloadflags %#x)", h.version >> 8,
                          h.version & 0xff, h.xloadflags);
    }
    if (!(h.loadflags & LOADED_HIGH)) {
        return boot_error(errp, "bzImage: not LOADED_HIGH (a zImage?)");
    }

    unsigned int setup_sects = h.setup_sects ? h.setup_sects : 4;
    bz->setup_size = (setup_sects + 1) * 512;
    if (bz->setup_size >= len) {
        return boot_error(errp, "bzImage: setup (%u sectors) extends past "
                          "the file", setup_sects);
    }
    bz->payload_len = len - bz->setup_size;
    if ((uint64_t) h.syssize * 16 > bz->payload_len) {
        return boot_error(errp, "bzImage: truncated: syssize says %"PRIu64
                          " bytes of kernel, the file has %zu",
                          (uint64_t) h.syssize * 16, bz->payload_len);
    }
    if (!IS_POW2(h.kernel_alignment)) {
        return boot_error(errp, "bzImage: kernel_alignment %#"PRIx32" is "
                          "not a power of 2", h.kernel_alignment);
    }

    bz->loadflags = h.loadflags;
    bz->xloadflags = h.xloadflags;
    bz->relocatable = h.relocatable_kernel != 0;
    bz->kernel_alignment = h.kernel_alignment;
    bz->cmdline_size = h.cmdline_size;
    bz->initrd_addr_max = h.initrd_addr_max;
    bz->init_size = h.init_size;
    bz->pref_address = h.pref_address;
    return 0;
}

/* True if [START, START + SIZE) lies in [1 MiB, LOW_END). */
static bool
fits_high_ram(uint64_t start, uint64_t size, uint64_t low_end)
{
    return (start >= VMM_HIGH_RAM_START && start <= low_end
            && low_end - start >= size);
}

static int
check_cmdline(const char *cmdline, uint64_t max_len, char **errp)
{
    size_t len = strlen(cmdline);

    max_len = MIN(max_len, VMM_CMDLINE_MAX - 1);
    if (len > max_len) {
        return boot_error(errp, "command line of %zu bytes is longer than "
                          "the %"PRIu64" the kernel accepts", len, max_len);
    }
    return 0;
}

static void
write_cmdline(uint8_t *mem, const char *cmdline)
{
    size_t len = strlen(cmdline);

    memset(mem + VMM_CMDLINE_ADDR, 0, VMM_CMDLINE_MAX);
    memcpy(mem + VMM_CMDLINE_ADDR, cmdline, len);
}

static int
check_mem(uint64_t mem_size, uint64_t ram_size, char **errp)
{
    if (ram_size < 2 * VMM_HIGH_RAM_START) {
        return boot_error(errp, "%"PRIu64" bytes of RAM is too little",
                          ram_size);
    }
    if (mem_size < vmm_low_ram_end(ram_size)) {
        return boot_error(errp, "guest memory buffer of %"PRIu64" bytes is "
                          "smaller than low RAM (%"PRIu64" bytes)",
                          mem_size, vmm_low_ram_end(ram_size));
    }
    return 0;
}

/* Where the protected-mode part of BZ goes, see linux-boot.h. */
static int
bzimage_place(const struct linux_bzimage *bz, uint64_t low_end,
              uint64_t *load_addr, uint64_t *need, char **errp)
{
    *need = MAX((uint64_t) bz->init_size, bz->payload_len);
    if (bz->pref_address % bz->kernel_alignment == 0
        && fits_high_ram(bz->pref_address, *need, low_end)) {
        *load_addr = bz->pref_address;
        return 0;
    }
    if (!bz->relocatable) {
        return boot_error(errp, "bzImage: kernel is not relocatable and "
                          "[%#"PRIx64", +%#"PRIx64") is not in RAM",
                          bz->pref_address, *need);
    }
    *load_addr = ROUND_UP(VMM_KERNEL_ADDR, (uint64_t) bz->kernel_alignment);
    if (!fits_high_ram(*load_addr, *need, low_end)) {
        return boot_error(errp, "bzImage: kernel needs %#"PRIx64" bytes at "
                          "%#"PRIx64", more than the %#"PRIx64" bytes of "
                          "low RAM", *need, *load_addr, low_end);
    }
    return 0;
}

/* Places an initrd of LEN bytes: page-aligned, as high as possible below
 * both MAX_ADDR + 1 and LOW_END, above KERNEL_END. */
static int
initrd_place(size_t len, uint64_t max_addr, uint64_t low_end,
             uint64_t kernel_end, uint64_t *addr, char **errp)
{
    uint64_t top = MIN(max_addr + 1, low_end);

    if (len > UINT32_MAX || len > top
        || ROUND_DOWN(top - len, PAGE_SIZE) < kernel_end) {
        return boot_error(errp, "initrd of %zu bytes does not fit between "
                          "the kernel's end %#"PRIx64" and %#"PRIx64,
                          len, kernel_end, top);
    }
    *addr = ROUND_DOWN(top - len, PAGE_SIZE);
    return 0;
}

/* The setup header for a vmlinux ELF, which carries none. */
static void
vmlinux_header(struct setup_header *h)
{
    h->boot_flag = 0xaa55;
    h->header = HDRS_MAGIC;
    h->version = VMLINUX_PROTOCOL;
    h->loadflags = LOADED_HIGH;
    h->xloadflags = XLF_KERNEL_64;
    h->kernel_alignment = 0x200000;
    h->cmdline_size = VMM_CMDLINE_MAX - 1;
    h->initrd_addr_max = VMLINUX_INITRD_MAX;
}

int
linux_boot_load(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                const void *kernel_, size_t kernel_len,
                const void *initrd, size_t initrd_len,
                const char *cmdline, struct linux_boot_result *result,
                char **errp)
{
    const uint8_t *kernel = kernel_;
    struct boot_params *bp = xzalloc(sizeof *bp);
    struct linux_bzimage bz;
    struct elf_load_info elf;
    uint64_t low_end = vmm_low_ram_end(ram_size);
    int error;

    *errp = NULL;
    memset(result, 0, sizeof *result);
    cmdline = cmdline ? cmdline : "";
    error = check_mem(mem_size, ram_size, errp);
    if (error) {
        goto out;
    }

    /* Validate everything before writing anything. */
    result->format = vmm_kernel_probe(kernel, kernel_len);
    if (result->format == VMM_KERNEL_BZIMAGE) {
        error = linux_bzimage_parse(kernel, kernel_len, &bz, errp);
        if (error) {
            goto out;
        }
        uint64_t need;
        error = bzimage_place(&bz, low_end, &result->kernel_start, &need,
                              errp);
        if (error) {
            goto out;
        }
        result->kernel_end = result->kernel_start + need;
        result->entry = result->kernel_start + BZ_64BIT_ENTRY;
        memcpy(&bp->hdr, kernel + BZ_HDR_OFS, bz.header_end - BZ_HDR_OFS);
    } else if (result->format == VMM_KERNEL_VMLINUX) {
        error = elf_load_parse(kernel, kernel_len, low_end, &elf, errp);
        if (error) {
            goto out;
        }
        result->kernel_start = elf.load_start;
        result->kernel_end = elf.load_end;
        result->entry = elf.entry;
        vmlinux_header(&bp->hdr);
    } else if (result->format == VMM_KERNEL_SIMPLE) {
        error = boot_error(errp, "kernel is a Plexus simple-entry guest, "
                           "not Linux");
        goto out;
    } else {
        error = boot_error(errp, "kernel is neither a bzImage nor an ELF "
                           "vmlinux");
        goto out;
    }
    result->protocol = bp->hdr.version;

    error = check_cmdline(cmdline, bp->hdr.cmdline_size, errp);
    if (error) {
        goto out;
    }
    if (initrd_len) {
        error = initrd_place(initrd_len, bp->hdr.initrd_addr_max, low_end,
                             result->kernel_end, &result->initrd_addr, errp);
        if (error) {
            goto out;
        }
        result->initrd_size = initrd_len;
    }

    /* Load. */
    if (result->format == VMM_KERNEL_BZIMAGE) {
        memcpy(mem + result->kernel_start, kernel + bz.setup_size,
               bz.payload_len);
        bp->hdr.code32_start = result->kernel_start;
    } else {
        error = elf_load(mem, low_end, kernel, kernel_len, &elf, errp);
        plx_assert(!error);     /* Already parsed. */
    }
    if (initrd_len) {
        memcpy(mem + result->initrd_addr, initrd, initrd_len);
    }
    write_cmdline(mem, cmdline);

    /* Zero page. */
    bp->hdr.type_of_loader = 0xff;
    bp->hdr.cmd_line_ptr = VMM_CMDLINE_ADDR;
    bp->hdr.ramdisk_image = result->initrd_addr;
    bp->hdr.ramdisk_size = result->initrd_size;
    bp->ext_cmd_line_ptr = 0;
    bp->ext_ramdisk_image = 0;
    bp->ext_ramdisk_size = 0;

    struct vmm_e820_entry e820[VMM_E820_MAX];
    size_t n_e820 = vmm_e820_build(ram_size, e820, ARRAY_SIZE(e820));
    for (size_t i = 0; i < n_e820; i++) {
        struct boot_e820_entry be = {
            .addr = e820[i].addr,
            .size = e820[i].size,
            .type = e820[i].type,
        };
        memcpy(&bp->e820_table[i], &be, sizeof be);
    }
    bp->e820_entries = n_e820;
    if (bp->hdr.version >= 0x020e && acpi_rsdp_present(mem, mem_size)) {
        bp->acpi_rsdp_addr = ACPI_RSDP_ADDR;
    }
    memcpy(mem + VMM_ZERO_PAGE_ADDR, bp, sizeof *bp);

    error = x86_boot_linux64(mem, low_end, result->entry, VMM_ZERO_PAGE_ADDR,
                             &result->state);
    plx_assert(!error);         /* low_end >= 2 MiB was checked. */

out:
    free(bp);
    return error;
}

int
simple_boot_load(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                 unsigned int n_cpus, uint64_t tsc_khz,
                 const void *image, size_t len, const char *cmdline,
                 struct linux_boot_result *result, char **errp)
{
    uint64_t low_end = vmm_low_ram_end(ram_size);
    struct elf_load_info elf;

    *errp = NULL;
    memset(result, 0, sizeof *result);
    cmdline = cmdline ? cmdline : "";
    int error = check_mem(mem_size, ram_size, errp);
    if (!error) {
        error = elf_load_parse(image, len, low_end, &elf, errp);
    }
    if (!error && !elf.simple_entry) {
        error = boot_error(errp, "ELF image has no Plexus simple-entry "
                           "note");
    }
    if (!error && elf.simple_version != PLX_SIMPLE_ENTRY_VERSION) {
        error = boot_error(errp, "simple-entry version %"PRIu32" is not the "
                           "supported %u", elf.simple_version,
                           PLX_SIMPLE_ENTRY_VERSION);
    }
    if (!error) {
        error = check_cmdline(cmdline, VMM_CMDLINE_MAX - 1, errp);
    }
    if (error) {
        return error;
    }

    error = elf_load(mem, low_end, image, len, &elf, errp);
    plx_assert(!error);         /* Already parsed. */
    write_cmdline(mem, cmdline);

    struct plx_boot_info info = {
        .magic = PLX_BOOT_INFO_MAGIC,
        .version = PLX_SIMPLE_ENTRY_VERSION,
        .ram_size = ram_size,
        .low_ram_end = low_end,
        .free_start = ROUND_UP(elf.load_end, PAGE_SIZE),
        .cmdline_addr = VMM_CMDLINE_ADDR,
        .cmdline_len = strlen(cmdline),
        .n_cpus = n_cpus,
        .tsc_khz = tsc_khz,
    };
    memcpy(mem + VMM_BOOT_INFO_ADDR, &info, sizeof info);

    result->format = VMM_KERNEL_SIMPLE;
    result->protocol = 0;
    result->entry = elf.entry;
    result->kernel_start = elf.load_start;
    result->kernel_end = elf.load_end;

    error = x86_boot_simple(mem, low_end, elf.entry, VMM_BOOT_INFO_ADDR,
                            &result->state);
    plx_assert(!error);
    return 0;
}
