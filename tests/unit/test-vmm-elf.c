/*
 * Tests for vmm/elf-load.c and the ELF paths of vmm/linux-boot.c:
 * synthetic simple-entry and vmlinux-like images, and malformed ones.
 */
#include <config.h>

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>
#include "test.h"
#include "util.h"
#include "vmm/elf-load.h"
#include "vmm/layout.h"
#include "vmm/linux-boot.h"
#include "vmm/simple-entry.h"
#include "vmm/x86-boot.h"

#define MEM_SIZE (8ULL << 20)

struct seg {
    uint32_t type;
    uint64_t paddr, vaddr;
    uint64_t filesz, memsz;
    uint64_t align;
    const uint8_t *data;        /* FILESZ bytes, or null for a pattern. */
};

/* The 24-byte Plexus note with version VERSION and descriptor size
 * DESCSZ (4 in a good one). */
static void
make_note(uint8_t note[24], uint32_t version, uint32_t descsz)
{
    memset(note, 0, 24);
    vmm_put_le32(note, sizeof PLX_NOTE_NAME);
    vmm_put_le32(note + 4, descsz);
    vmm_put_le32(note + 8, PLX_NOTE_SIMPLE_ENTRY);
    memcpy(note + 12, PLX_NOTE_NAME, sizeof PLX_NOTE_NAME);
    vmm_put_le32(note + 20, version);
}

/* Builds an ELF64 x86-64 ET_EXEC image with ENTRY and the N segments in
 * SEGS, each segment's file bytes after the program headers.  Segment
 * bytes without data are 0x40 + segment index + offset. */
static uint8_t *
build_elf(uint64_t entry, const struct seg *segs, int n, size_t *lenp)
{
    size_t len = sizeof(Elf64_Ehdr) + n * sizeof(Elf64_Phdr);
    for (int i = 0; i < n; i++) {
        len = ROUND_UP(len, 16) + segs[i].filesz;
    }

    uint8_t *image = xzalloc(len);
    Elf64_Ehdr eh = {
        .e_type = ET_EXEC,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_entry = entry,
        .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = n,
    };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    memcpy(image, &eh, sizeof eh);

    size_t ofs = sizeof(Elf64_Ehdr) + n * sizeof(Elf64_Phdr);
    for (int i = 0; i < n; i++) {
        ofs = ROUND_UP(ofs, 16);
        Elf64_Phdr ph = {
            .p_type = segs[i].type,
            .p_flags = PF_R | PF_W | PF_X,
            .p_offset = ofs,
            .p_vaddr = segs[i].vaddr,
            .p_paddr = segs[i].paddr,
            .p_filesz = segs[i].filesz,
            .p_memsz = segs[i].memsz,
            .p_align = segs[i].align ? segs[i].align : 4096,
        };
        memcpy(image + sizeof eh + i * sizeof ph, &ph, sizeof ph);
        for (uint64_t j = 0; j < segs[i].filesz; j++) {
            image[ofs + j] = (segs[i].data ? segs[i].data[j]
                              : (uint8_t) (0x40 + i + j));
        }
        ofs += segs[i].filesz;
    }
    *lenp = len;
    return image;
}

/* A simple-entry guest: text at 2 MiB, data + bss after it, the note. */
static uint8_t *
simple_elf(size_t *lenp, uint32_t version, bool with_note)
{
    uint8_t note[24];
    make_note(note, version, 4);
    struct seg segs[] = {
        { PT_LOAD, 0x200000, 0x200000, 0x300, 0x300, 0, NULL },
        { PT_LOAD, 0x201000, 0x201000, 0x10, 0x2000, 0, NULL },
        { PT_NOTE, 0, 0, sizeof note, sizeof note, 4, note },
    };
    return build_elf(0x200010, segs, with_note ? 3 : 2, lenp);
}

static uint8_t *
new_mem(void)
{
    uint8_t *mem = xmalloc(MEM_SIZE);
    memset(mem, 0xaa, MEM_SIZE);
    return mem;
}

static uint64_t
phdr_field_ofs(int i, size_t field_ofs)
{
    return sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr) + field_ofs;
}

/* Expects elf_load() of IMAGE to fail with a message containing NEEDLE
 * and leave MEM untouched. */
static void
expect_elf_error(const uint8_t *image, size_t len, const char *needle)
{
    uint8_t *mem = new_mem();
    struct elf_load_info info;
    char *error = NULL;

    int retval = elf_load(mem, MEM_SIZE, image, len, &info, &error);
    CHECK_EQ(retval, EINVAL);
    CHECK(error != NULL);
    CHECK_MSG(strstr(error, needle), "\"%s\" lacks \"%s\"", error, needle);
    CHECK(mem[0x200000] == 0xaa && mem[0x201000] == 0xaa);
    free(error);
    free(mem);
}

TEST(simple_entry_elf_loads)
{
    size_t len;
    uint8_t *image = simple_elf(&len, PLX_SIMPLE_ENTRY_VERSION, true);
    uint8_t *mem = new_mem();
    struct elf_load_info info;
    char *error;

    CHECK(elf_load_is_elf(image, len));
    int retval = elf_load(mem, MEM_SIZE, image, len, &info, &error);
    CHECK_MSG(!retval, "%s", error);
    CHECK(info.simple_entry);
    CHECK_EQ(info.simple_version, PLX_SIMPLE_ENTRY_VERSION);
    CHECK_U64_EQ(info.entry, 0x200010);
    CHECK_U64_EQ(info.load_start, 0x200000);
    CHECK_U64_EQ(info.load_end, 0x203000);
    CHECK_EQ(info.n_loads, 2);

    /* Text copied, data copied, bss zeroed, nothing else touched. */
    for (int j = 0; j < 0x300; j++) {
        CHECK_EQ(mem[0x200000 + j], (uint8_t) (0x40 + j));
    }
    CHECK_EQ(mem[0x200300], 0xaa);
    for (int j = 0; j < 0x10; j++) {
        CHECK_EQ(mem[0x201000 + j], (uint8_t) (0x41 + j));
    }
    for (int j = 0x10; j < 0x2000; j++) {
        CHECK_EQ(mem[0x201000 + j], 0);
    }
    CHECK_EQ(mem[0x203000], 0xaa);
    CHECK_EQ(mem[0x1fffff], 0xaa);
    CHECK_EQ(vmm_kernel_probe(image, len), VMM_KERNEL_SIMPLE);
    free(mem);
    free(image);
}

TEST(elf_without_note_is_vmlinux)
{
    size_t len;
    uint8_t *image = simple_elf(&len, 0, false);
    struct elf_load_info info;
    char *error;

    CHECK_EQ(elf_load_parse(image, len, MEM_SIZE, &info, &error), 0);
    CHECK(!info.simple_entry);
    CHECK_EQ(vmm_kernel_probe(image, len), VMM_KERNEL_VMLINUX);
    free(image);
}

TEST(note_with_8_byte_alignment)
{
    /* A GNU property note first (name "GNU\0" at 12, 8-byte desc at
     * 16), then ours at 24: name at 36, desc at 48, padded to 56. */
    uint8_t notes[56];
    memset(notes, 0, sizeof notes);
    vmm_put_le32(notes, 4);
    vmm_put_le32(notes + 4, 8);
    vmm_put_le32(notes + 8, 5);
    memcpy(notes + 12, "GNU", 4);
    uint8_t *p = notes + 24;
    vmm_put_le32(p, 7);
    vmm_put_le32(p + 4, 4);
    vmm_put_le32(p + 8, PLX_NOTE_SIMPLE_ENTRY);
    memcpy(p + 12, "Plexus", 7);
    vmm_put_le32(p + 24, 1);
    struct seg segs[] = {
        { PT_LOAD, 0x200000, 0x200000, 0x100, 0x100, 0, NULL },
        { PT_NOTE, 0, 0, sizeof notes, sizeof notes, 8, notes },
    };
    size_t len;
    uint8_t *image = build_elf(0x200000, segs, 2, &len);
    struct elf_load_info info;
    char *error;

    CHECK_EQ(elf_load_parse(image, len, MEM_SIZE, &info, &error), 0);
    CHECK(info.simple_entry);
    CHECK_EQ(info.simple_version, 1);
    free(image);
}

TEST(vmlinux_entry_physical_and_virtual)
{
    /* Like Linux: virtual 0xffffffff81000000, physical 16 MiB, plus a
     * percpu-like segment at virtual 0. */
    struct seg segs[] = {
        { PT_LOAD, 0x1000000, 0xffffffff81000000ULL, 0x200, 0x1000, 0,
          NULL },
        { PT_LOAD, 0x1100000, 0, 0x100, 0x100, 0, NULL },
    };
    size_t len;
    uint8_t *image = build_elf(0x1000000, segs, 2, &len);
    struct elf_load_info info;
    char *error;

    CHECK_EQ(elf_load_parse(image, len, 32 << 20, &info, &error), 0);
    CHECK_U64_EQ(info.entry, 0x1000000);
    CHECK_U64_EQ(info.load_end, 0x1100100);
    free(image);

    image = build_elf(0xffffffff81000123ULL, segs, 2, &len);
    CHECK_EQ(elf_load_parse(image, len, 32 << 20, &info, &error), 0);
    CHECK_U64_EQ(info.entry, 0x1000123);
    free(image);

    image = build_elf(0xffffffff82000000ULL, segs, 2, &len);
    CHECK_EQ(elf_load_parse(image, len, 32 << 20, &info, &error), EINVAL);
    CHECK(strstr(error, "entry point"));
    free(error);
    free(image);
}

TEST(malformed_headers)
{
    size_t len;
    uint8_t *good = simple_elf(&len, 1, true);
    uint8_t *image = xmalloc(len);

    expect_elf_error(good, 40, "too short");
    expect_elf_error(good, 0, "too short");

    struct {
        size_t ofs;
        size_t size;
        uint64_t value;
        const char *needle;
    } cases[] = {
        { 0, 1, 0x7e, "bad magic" },
        { EI_CLASS, 1, ELFCLASS32, "ELFCLASS64" },
        { EI_DATA, 1, ELFDATA2MSB, "little-endian" },
        { EI_VERSION, 1, 0, "version" },
        { offsetof(Elf64_Ehdr, e_type), 2, ET_DYN, "ET_EXEC" },
        { offsetof(Elf64_Ehdr, e_machine), 2, EM_386, "x86-64" },
        { offsetof(Elf64_Ehdr, e_ehsize), 2, 20, "header size" },
        { offsetof(Elf64_Ehdr, e_phentsize), 2, 32, "program header size" },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 0, "no program headers" },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 0xffff, "more than" },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 200, "ends past the file" },
        { offsetof(Elf64_Ehdr, e_phoff), 8, UINT64_MAX - 10,
          "ends past the file" },
        { offsetof(Elf64_Ehdr, e_phoff), 8, 1 << 20, "ends past the file" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memcpy(image, good, len);
        for (size_t b = 0; b < cases[i].size; b++) {
            image[cases[i].ofs + b] = cases[i].value >> (8 * b);
        }
        expect_elf_error(image, len, cases[i].needle);
    }
    free(image);
    free(good);
}

TEST(malformed_segments)
{
    size_t len;
    uint8_t *good = simple_elf(&len, 1, true);
    uint8_t *image = xmalloc(len);

    struct {
        int seg;
        size_t field;
        uint64_t value;
        const char *needle;
    } cases[] = {
        { 1, offsetof(Elf64_Phdr, p_offset), 1 << 20,
          "segment 1 ends past the file" },
        { 1, offsetof(Elf64_Phdr, p_offset), UINT64_MAX - 4,
          "segment 1 ends past the file" },
        { 0, offsetof(Elf64_Phdr, p_filesz), UINT64_MAX,
          "segment 0 ends past the file" },
        { 0, offsetof(Elf64_Phdr, p_memsz), 0x10, "larger than memory" },
        { 1, offsetof(Elf64_Phdr, p_paddr), UINT64_MAX - 0x100,
          "overflows" },
        { 1, offsetof(Elf64_Phdr, p_paddr), 0xf0000, "outside RAM" },
        { 1, offsetof(Elf64_Phdr, p_paddr), 0, "outside RAM" },
        { 1, offsetof(Elf64_Phdr, p_paddr), MEM_SIZE - 0x1000,
          "outside RAM" },
        { 1, offsetof(Elf64_Phdr, p_memsz), MEM_SIZE, "outside RAM" },
        { 2, offsetof(Elf64_Phdr, p_filesz), 20, "note ends past" },
        { 2, offsetof(Elf64_Phdr, p_filesz), 8, "truncated note" },
        { 2, offsetof(Elf64_Phdr, p_filesz), 16, "note ends past" },
        { 2, offsetof(Elf64_Phdr, p_offset), len - 8,
          "segment 2 ends past the file" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memcpy(image, good, len);
        vmm_put_le64(image + phdr_field_ofs(cases[i].seg, cases[i].field),
                     cases[i].value);
        expect_elf_error(image, len, cases[i].needle);
    }

    /* No PT_LOAD at all: turn both into PT_NULL. */
    memcpy(image, good, len);
    vmm_put_le32(image + phdr_field_ofs(0, 0), PT_NULL);
    vmm_put_le32(image + phdr_field_ofs(1, 0), PT_NULL);
    expect_elf_error(image, len, "no loadable segment");

    /* Plexus note with a 2-byte descriptor. */
    uint8_t note[24];
    make_note(note, 1, 2);
    struct seg segs[] = {
        { PT_LOAD, 0x200000, 0x200000, 0x10, 0x10, 0, NULL },
        { PT_NOTE, 0, 0, sizeof note, sizeof note, 4, note },
    };
    size_t len2;
    uint8_t *bad = build_elf(0x200000, segs, 2, &len2);
    expect_elf_error(bad, len2, "2-byte descriptor");
    free(bad);

    /* Every truncation of a good image fails cleanly or, once the image
     * is whole, succeeds. */
    for (size_t n = 0; n < len; n++) {
        struct elf_load_info info;
        char *error;
        int retval = elf_load_parse(good, n, MEM_SIZE, &info, &error);
        CHECK_EQ(retval, EINVAL);
        free(error);
    }
    free(image);
    free(good);
}

TEST(simple_boot_load_writes_boot_info)
{
    size_t len;
    uint8_t *image = simple_elf(&len, PLX_SIMPLE_ENTRY_VERSION, true);
    uint8_t *mem = new_mem();
    struct linux_boot_result r;
    char *error;

    int retval = simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 4, 2500000,
                                  image, len, "mode=sink count=10", &r,
                                  &error);
    CHECK_MSG(!retval, "%s", error);
    CHECK_EQ(r.format, VMM_KERNEL_SIMPLE);

    struct plx_boot_info info;
    memcpy(&info, mem + VMM_BOOT_INFO_ADDR, sizeof info);
    CHECK_EQ(info.magic, PLX_BOOT_INFO_MAGIC);
    CHECK_EQ(info.version, PLX_SIMPLE_ENTRY_VERSION);
    CHECK_U64_EQ(info.ram_size, MEM_SIZE);
    CHECK_U64_EQ(info.low_ram_end, MEM_SIZE);
    CHECK_U64_EQ(info.free_start, 0x203000);
    CHECK_U64_EQ(info.cmdline_addr, VMM_CMDLINE_ADDR);
    CHECK_EQ(info.cmdline_len, strlen("mode=sink count=10"));
    CHECK_EQ(info.n_cpus, 4);
    CHECK_U64_EQ(info.tsc_khz, 2500000);
    CHECK_STREQ((char *) mem + VMM_CMDLINE_ADDR, "mode=sink count=10");

    CHECK_U64_EQ(r.state.rip, 0x200010);
    CHECK_U64_EQ(r.state.rdi, VMM_BOOT_INFO_ADDR);
    CHECK_U64_EQ(r.state.rsp, VMM_STACK_TOP);
    CHECK_EQ(r.state.cs.selector, X86_GDT_USER_CS);
    CHECK_EQ(r.state.cs.dpl, 3);
    CHECK_EQ(r.state.ss.selector, X86_GDT_USER_DS);
    CHECK(r.state.cr4 & X86_CR4_OSFXSR);
    CHECK_EQ(mem[0x200000], 0x40);
    free(mem);
    free(image);
}

TEST(simple_boot_load_refuses)
{
    size_t len;
    uint8_t *mem = new_mem();
    struct linux_boot_result r;
    char *error;

    /* No note. */
    uint8_t *image = simple_elf(&len, 1, false);
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 1, 0, image, len,
                              NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "no Plexus"));
    free(error);
    free(image);

    /* Unknown version. */
    image = simple_elf(&len, 2, true);
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 1, 0, image, len,
                              NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "version 2"));
    free(error);
    free(image);

    /* Command line too long; buffer smaller than RAM; tiny RAM. */
    image = simple_elf(&len, 1, true);
    char *line = xmalloc(VMM_CMDLINE_MAX + 1);
    memset(line, 'x', VMM_CMDLINE_MAX);
    line[VMM_CMDLINE_MAX] = 0;
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 1, 0, image, len,
                              line, &r, &error), EINVAL);
    CHECK(strstr(error, "command line"));
    free(error);
    line[VMM_CMDLINE_MAX - 1] = 0;      /* Exactly the maximum: fits. */
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 1, 0, image, len,
                              line, &r, &error), 0);
    CHECK_EQ(mem[VMM_CMDLINE_ADDR + VMM_CMDLINE_MAX - 1], 0);
    free(line);

    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, 2 * MEM_SIZE, 1, 0, image,
                              len, NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "smaller than low RAM"));
    free(error);
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, 1 << 20, 1, 0, image, len,
                              NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "too little"));
    free(error);

    /* Segment past the end of a smaller RAM. */
    CHECK_EQ(simple_boot_load(mem, MEM_SIZE, 0x202000, 1, 0, image, len,
                              NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "outside RAM"));
    free(error);

    /* A simple-entry guest is not Linux. */
    CHECK_EQ(linux_boot_load(mem, MEM_SIZE, MEM_SIZE, image, len, NULL, 0,
                             NULL, &r, &error), EINVAL);
    CHECK(strstr(error, "simple-entry"));
    free(error);
    free(image);
    free(mem);
}

TEST(vmlinux_boot_load)
{
    struct seg segs[] = {
        { PT_LOAD, 0x1000000, 0xffffffff81000000ULL, 0x200, 0x1000, 0,
          NULL },
    };
    size_t len;
    uint8_t *image = build_elf(0x1000000, segs, 1, &len);
    uint64_t mem_size = 64 << 20;
    uint8_t *mem = xzalloc(mem_size);
    static const uint8_t initrd[] = "initrd-bytes";
    struct linux_boot_result r;
    char *error;

    int retval = linux_boot_load(mem, mem_size, mem_size, image, len,
                                 initrd, sizeof initrd, "console=ttyS0",
                                 &r, &error);
    CHECK_MSG(!retval, "%s", error);
    CHECK_EQ(r.format, VMM_KERNEL_VMLINUX);
    CHECK_U64_EQ(r.entry, 0x1000000);
    CHECK_U64_EQ(r.state.rip, 0x1000000);
    CHECK_U64_EQ(r.state.rsi, VMM_ZERO_PAGE_ADDR);
    CHECK_EQ(r.state.cs.selector, X86_GDT_KERNEL_CS);
    CHECK_EQ(r.state.cs.dpl, 0);
    CHECK_EQ(mem[0x1000000], 0x40);
    CHECK_EQ(mem[0x1000200], 0);

    struct boot_params bp;
    memcpy(&bp, mem + VMM_ZERO_PAGE_ADDR, sizeof bp);
    CHECK_EQ(bp.hdr.header, 0x53726448);
    CHECK_EQ(bp.hdr.boot_flag, 0xaa55);
    CHECK_GE(bp.hdr.version, 0x020e);
    CHECK_EQ(bp.hdr.type_of_loader, 0xff);
    CHECK_EQ(bp.hdr.cmd_line_ptr, VMM_CMDLINE_ADDR);
    CHECK_STREQ((char *) mem + VMM_CMDLINE_ADDR, "console=ttyS0");
    CHECK_EQ(bp.hdr.ramdisk_size, sizeof initrd);
    CHECK_EQ(bp.hdr.ramdisk_image % 4096, 0);
    CHECK_GE(bp.hdr.ramdisk_image, 0x1001000);
    CHECK_LE(bp.hdr.ramdisk_image + sizeof initrd, mem_size);
    CHECK_MEMEQ(mem + bp.hdr.ramdisk_image, initrd, sizeof initrd);
    CHECK_EQ(bp.e820_entries, 4);
    free(image);
    free(mem);
}
