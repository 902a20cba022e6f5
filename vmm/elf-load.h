/*
 * vmm/elf-load.h: the ELF64 loader for Linux vmlinux images and Plexus
 * simple-entry guests.
 *
 * The image is a host buffer (plx-vm reads the file) and hostile: every
 * offset, size and address in it is checked for overflow and bounds
 * before it is used, and a bad image gets a malloc'd message such as
 * "segment 2 ends past the file", never a crash.
 *
 * Accepted: ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ET_EXEC, EM_X86_64,
 * standard 64-byte header and 56-byte program headers, at most
 * ELF_LOAD_MAX_PHDRS of them.  Section headers are ignored.
 *
 * Loading: each PT_LOAD segment with p_memsz > 0 goes to guest-physical
 * p_paddr (p_filesz bytes copied, the rest up to p_memsz zeroed).  It
 * must lie wholly inside [VMM_HIGH_RAM_START, MEM_SIZE), MEM_SIZE being
 * the end of low RAM, so it can never touch the boot structures, ACPI
 * or MP tables below 1 MiB nor anything outside the buffer.
 *
 * The simple entry (vmm/simple-entry.h) is recognized by a note of name
 * "Plexus" and type PLX_NOTE_SIMPLE_ENTRY with a 4-byte descriptor (the
 * protocol version) in any PT_NOTE segment; such a note with another
 * descriptor size is an error.  Notes are walked with 4-byte padding, or
 * 8-byte if the segment's p_align is 8.
 *
 * Entry point: if e_entry lies in some PT_LOAD segment's physical range
 * [p_paddr, p_paddr + p_memsz) it is used as is (Linux's vmlinux has a
 * physical e_entry, startup_64 at 0x1000000, while its p_vaddr are at
 * 0xffffffff81000000+); otherwise it is translated through the segment
 * whose virtual range holds it, e_entry - p_vaddr + p_paddr.  An entry
 * in no segment is an error.
 */
#ifndef VMM_ELF_LOAD_H
#define VMM_ELF_LOAD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_LOAD_MAX_PHDRS 256

struct elf_load_info {
    uint64_t entry;             /* Guest-physical entry point. */
    uint64_t load_start;        /* Lowest p_paddr of a loaded segment. */
    uint64_t load_end;          /* Highest p_paddr + p_memsz. */
    unsigned int n_loads;       /* Number of segments loaded. */
    bool simple_entry;          /* Has the Plexus note. */
    uint32_t simple_version;    /* Its version, if so. */
};

/* True if IMAGE starts with the ELF magic (it may still be invalid). */
bool elf_load_is_elf(const void *image, size_t len);

/* Validates IMAGE (LEN bytes) as an ELF a machine whose low RAM ends at
 * MEM_SIZE can load, without loading it.  Returns 0 and fills *INFO, or
 * EINVAL and stores a malloc'd message in *ERRP. */
int elf_load_parse(const void *image, size_t len, uint64_t mem_size,
                   struct elf_load_info *info, char **errp);

/* Like elf_load_parse(), then copies the segments into MEM, the guest's
 * low RAM of MEM_SIZE bytes at guest-physical 0.  MEM is untouched on
 * error. */
int elf_load(uint8_t *mem, uint64_t mem_size, const void *image,
             size_t len, struct elf_load_info *info, char **errp);

#endif /* vmm/elf-load.h */
