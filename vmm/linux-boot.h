/*
 * vmm/linux-boot.h: loading a guest kernel into guest memory: Linux
 * (bzImage or vmlinux ELF) by the 64-bit boot protocol, and Plexus
 * simple-entry guests (vmm/simple-entry.h).
 *
 * Like the rest of the boot code this never calls KVM: it writes into
 * MEM, the guest's low RAM (guest-physical [0, MEM_SIZE)), and returns
 * a struct x86_boot_state for vCPU 0.  Kernel and initrd are host
 * buffers (plx-vm reads the files) and hostile: each header field is
 * validated, and a bad image gets EINVAL with a malloc'd message in
 * *ERRP ("bzImage: setup (5 sectors) extends past the file").  MEM_SIZE
 * must be at least vmm_low_ram_end(RAM_SIZE); nothing at or above that
 * address is written.
 *
 * Memory map (RAM_SIZE bytes in all, vmm/layout.h): vmm_e820_build()
 * gives RAM [0, VMM_LOW_RAM_END), reserved [0xa0000, 1 MiB) (legacy
 * hole, ACPI and MP tables), RAM [1 MiB, low end), reserved
 * [VMM_IOAPIC_ADDR, 4 GiB) (IOAPIC and local APICs), and RAM from 4 GiB
 * for what does not fit below VMM_PCI_HOLE.  The PCI window
 * [VMM_PCI_MMIO_BASE, VMM_IOAPIC_ADDR) is left out of the map so that
 * Linux may put BARs there.
 *
 * bzImage: the setup header at 0x1f1 must have boot_flag 0xaa55, "HdrS",
 * protocol >= 2.06 and 2.12 with XLF_KERNEL_64 (the 64-bit entry at
 * +0x200), LOADED_HIGH; setup_sects (0 means 4) must leave a non-empty
 * protected-mode part no shorter than syssize says, and
 * kernel_alignment must be a power of 2.  The protected-mode part is
 * loaded at pref_address, where the kernel was linked to run (so the
 * decompressor does not move itself), if [pref_address, + init_size)
 * lies in RAM above 1 MiB; otherwise, for a relocatable kernel, at
 * VMM_KERNEL_ADDR rounded up to kernel_alignment.  The kernel owns
 * [load, load + max(init_size, payload)).
 *
 * vmlinux ELF (no Plexus note): PT_LOADs at p_paddr through elf-load.h,
 * entry = startup_64.  Its zero page gets a synthesized setup header
 * (protocol 2.15, "HdrS", LOADED_HIGH, XLF_KERNEL_64, cmdline_size, an
 * initrd_addr_max of 2 GiB - 1), as it has none in the file.
 *
 * Zero page (boot_params at VMM_ZERO_PAGE_ADDR): zeroed, then the setup
 * header copied from the file (0x1f1 up to 0x202 + the byte at 0x201,
 * as the protocol says), type_of_loader 0xff, cmd_line_ptr =
 * VMM_CMDLINE_ADDR (the line must be at most cmdline_size and
 * VMM_CMDLINE_MAX - 1 bytes), the initrd placed page-aligned as high as
 * possible below min(initrd_addr_max + 1, low RAM end) and above the
 * kernel, the e820 map, and acpi_rsdp_addr (protocol >= 2.14) if valid
 * ACPI tables are already in MEM (so call acpi_build() first).
 *
 * Simple entry: the ELF must carry the Plexus note with version
 * PLX_SIMPLE_ENTRY_VERSION; struct plx_boot_info goes to
 * VMM_BOOT_INFO_ADDR (free_start = the page after the highest loaded
 * byte) and the command line to VMM_CMDLINE_ADDR.  No initrd.
 */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm/x86-boot.h"

/* e820. */
#define VMM_E820_RAM      1
#define VMM_E820_RESERVED 2
#define VMM_E820_MAX      8     /* vmm_e820_build() never needs more. */

struct vmm_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* VMM_E820_*. */
};

/* min(RAM_SIZE, VMM_PCI_HOLE): the end of RAM below 4 GiB. */
uint64_t vmm_low_ram_end(uint64_t ram_size);

/* Fills ENTRIES (room for MAX) with the memory map of a guest with
 * RAM_SIZE bytes of RAM; returns the number of entries, at most
 * VMM_E820_MAX, or 0 if MAX is too small. */
size_t vmm_e820_build(uint64_t ram_size, struct vmm_e820_entry *entries,
                      size_t max);

/* What a kernel image is. */
enum vmm_kernel_format {
    VMM_KERNEL_UNKNOWN,
    VMM_KERNEL_BZIMAGE,
    VMM_KERNEL_VMLINUX,         /* ELF without the Plexus note. */
    VMM_KERNEL_SIMPLE,          /* ELF with it. */
};

/* Guesses the format from the magic numbers (and, for ELF, the note).
 * A malformed image may still be reported as its format: loading it
 * gives the reason. */
enum vmm_kernel_format vmm_kernel_probe(const void *image, size_t len);

/* The fields of a bzImage setup header that loading uses. */
struct linux_bzimage {
    uint16_t version;           /* Boot protocol, e.g. 0x020f. */
    size_t setup_size;          /* Real-mode part: (setup_sects + 1) * 512. */
    size_t header_end;          /* Offset just past the setup header. */
    size_t payload_len;         /* Protected-mode part: len - setup_size. */
    uint8_t loadflags;
    uint16_t xloadflags;
    bool relocatable;
    uint32_t kernel_alignment;
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
    uint32_t init_size;
    uint64_t pref_address;
};

/* Validates bzImage IMAGE's setup header.  Returns 0 and fills *BZ, or
 * EINVAL with a malloc'd message in *ERRP. */
int linux_bzimage_parse(const void *image, size_t len,
                        struct linux_bzimage *bz, char **errp);

struct linux_boot_result {
    struct x86_boot_state state;    /* For vCPU 0. */
    enum vmm_kernel_format format;
    uint16_t protocol;              /* Boot protocol in the zero page. */
    uint64_t entry;                 /* Guest-physical. */
    uint64_t kernel_start;          /* Guest-physical range the kernel */
    uint64_t kernel_end;            /* owns (ELF: what was loaded). */
    uint64_t initrd_addr;           /* 0 if none. */
    uint64_t initrd_size;
};

/* Loads Linux (bzImage or vmlinux ELF) with INITRD (INITRD_LEN may be 0)
 * and CMDLINE (null means empty) into MEM for a guest with RAM_SIZE bytes
 * of RAM, builds the zero page and fills *RESULT.  Returns 0, or EINVAL
 * with a malloc'd message in *ERRP. */
int linux_boot_load(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                    const void *kernel, size_t kernel_len,
                    const void *initrd, size_t initrd_len,
                    const char *cmdline, struct linux_boot_result *result,
                    char **errp);

/* Loads a simple-entry guest ELF, writes struct plx_boot_info (N_CPUS,
 * TSC_KHZ as given) and CMDLINE, and fills *RESULT.  Returns 0, or EINVAL
 * with a malloc'd message in *ERRP. */
int simple_boot_load(uint8_t *mem, uint64_t mem_size, uint64_t ram_size,
                     unsigned int n_cpus, uint64_t tsc_khz,
                     const void *image, size_t len, const char *cmdline,
                     struct linux_boot_result *result, char **errp);

#endif /* vmm/linux-boot.h */
