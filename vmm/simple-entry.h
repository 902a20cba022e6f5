/*
 * vmm/simple-entry.h: the "Plexus simple entry", how plx-vm starts a
 * small freestanding guest such as tests/guest/plx-guest.
 *
 * A guest asks for it by being an ELF64 x86-64 executable (ET_EXEC)
 * with a PT_NOTE segment holding a note of name "Plexus" and type
 * PLX_NOTE_SIMPLE_ENTRY whose 4-byte descriptor is the protocol version
 * (PLX_SIMPLE_ENTRY_VERSION).  An ELF without that note is treated as a
 * Linux vmlinux.
 *
 * The VMM copies each PT_LOAD segment to guest-physical p_paddr (which
 * must lie in RAM between VMM_HIGH_RAM_START and the end of low RAM;
 * p_filesz bytes are copied and the rest up to p_memsz zeroed) and
 * starts vCPU 0 with:
 *
 *   - 64-bit mode, CPL 3: CS = user 64-bit code, SS/DS/ES = user data;
 *     RFLAGS = 0x2 (interrupts off; none are needed: drive devices by
 *     polling);
 *   - paging: the first 4 GiB identity-mapped with 2 MiB pages, all
 *     user-accessible and writable; the PCI window (0xc0000000 and up)
 *     is mapped uncached.  RAM above 4 GiB is not mapped;
 *   - CR4.OSFXSR/OSXMMEXCPT set, so SSE instructions work;
 *   - a TSS whose I/O-permission bitmap allows every port, so IN/OUT
 *     work at CPL 3 (this machine's KVM drops an IOPL set by the VMM);
 *   - RSP = VMM_STACK_TOP, RDI = guest-physical (= virtual) address of
 *     struct plx_boot_info, RIP = e_entry.
 *   - The other vCPUs are not started.
 *
 * There is no IDT: an exception is a triple fault, which plx-vm reports
 * as a crash.  The guest stops by writing a byte to VMM_EXIT_PORT (0 is
 * success; plx-vm exits with status PLX_VM_EXIT_GUEST_FAILED otherwise),
 * or by writing SLP_TYP=5|SLP_EN to the PM1a control port, as Linux does
 * to power off.  A graceful shutdown request is the ACPI power button:
 * VMM_PM1_PWRBTN_STS becomes set in the 16-bit PM1a status register at
 * VMM_PM1A_EVT_PORT, which the guest polls.
 *
 * Idling.  A polling guest cannot halt (HLT is privileged, and with no
 * interrupts nothing would wake it), so it sleeps instead: a 32-bit OUT
 * of N to VMM_IDLE_PORT suspends the vCPU for N microseconds (at most
 * VMM_IDLE_MAX_US), or less if the VM is being paused or stopped.  Each
 * such OUT costs one exit to the VMM, so a guest idles in steps of about
 * a millisecond once it has seen no work for a while.
 *
 * Everything here is freestanding C: the test guest includes it.
 */
#ifndef VMM_SIMPLE_ENTRY_H
#define VMM_SIMPLE_ENTRY_H 1

#include <stdint.h>

#define PLX_NOTE_NAME "Plexus"
#define PLX_NOTE_SIMPLE_ENTRY 0x504c5801u
#define PLX_SIMPLE_ENTRY_VERSION 1u

#define PLX_BOOT_INFO_MAGIC 0x42584c50u     /* "PLXB" little-endian. */

struct plx_boot_info {
    uint32_t magic;             /* PLX_BOOT_INFO_MAGIC. */
    uint32_t version;           /* PLX_SIMPLE_ENTRY_VERSION. */
    uint64_t ram_size;          /* Bytes of RAM starting at address 0... */
    uint64_t low_ram_end;       /* ...of which [0, low_ram_end) is below
                                 * the PCI hole and mapped. */
    uint64_t free_start;        /* First page-aligned address after the
                                 * loaded image: [free_start, low_ram_end)
                                 * is the guest's to use. */
    uint64_t cmdline_addr;      /* NUL-terminated command line. */
    uint32_t cmdline_len;       /* Without the NUL. */
    uint32_t n_cpus;            /* Configured vCPUs (only vCPU 0 runs). */
    uint64_t tsc_khz;           /* TSC frequency, 0 if unknown. */
};

#endif /* vmm/simple-entry.h */
