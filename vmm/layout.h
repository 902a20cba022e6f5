/*
 * vmm/layout.h: the guest-physical address map every plx-vm guest sees.
 *
 * Shared by the VMM (which builds it), the loaders (which place kernels,
 * tables and boot data in it) and the test guest (which only relies on
 * what struct plx_boot_info tells it, see simple-entry.h).
 *
 *   0x00000000 - 0x0009ffff  low RAM: boot structures (below)
 *   0x000a0000 - 0x000fffff  legacy hole (VGA/BIOS); ACPI tables at
 *                            0x000e0000 (the RSDP is found by scanning
 *                            0xe0000-0xfffff), MP table at 0x000f0000
 *   0x00100000 - low_end     RAM (low_end = min(RAM, VMM_PCI_HOLE))
 *   0xc0000000 - 0xfebfffff  PCI memory window (32-bit BARs)
 *   0xfec00000               IOAPIC
 *   0xfee00000               local APICs
 *   0x100000000 -            rest of RAM, when RAM > VMM_PCI_HOLE
 *
 * Fixed low-memory boot structures (all below 640 KiB):
 *   0x00000500  GDT (16 entries)
 *   0x00000600  IDT limit 0 for simple-entry guests (none is needed)
 *   0x00001000  TSS with a full I/O-permission bitmap (8,296 bytes)
 *   0x00004000  struct plx_boot_info (simple entry) / 0x7000 zero page
 *   0x00005000  command line (up to VMM_CMDLINE_MAX bytes)
 *   0x00007000  Linux boot_params ("zero page")
 *   0x00008000  page tables: PML4, PDPT, 4 PDs (2 MiB pages, 4 GiB), and
 *               for RAM above 4 GiB more PDPT entries with 1 GiB pages
 *   0x00080000  top of the simple-entry guest's initial stack (grows down
 *               towards 0x00010000)
 *
 * I/O ports: 0x3f8-0x3ff 8250 UART (COM1, IRQ 4); 0x60/0x64 i8042 (only
 * the 0xfe reset command); 0x80 ignored; 0x600-0x603 ACPI PM1a event
 * block, 0x604-0x605 PM1a control block (SCI on IRQ 9); 0x501 Plexus
 * guest-exit port; 0x502 Plexus idle port; 0xcf8/0xcfc PCI configuration
 * mechanism #1; PCI I/O
 * BARs from 0xc000.
 */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H 1

#define VMM_GDT_ADDR         0x00000500ULL
#define VMM_IDT_ADDR         0x00000600ULL
#define VMM_TSS_ADDR         0x00001000ULL
#define VMM_BOOT_INFO_ADDR   0x00004000ULL
#define VMM_CMDLINE_ADDR     0x00005000ULL
#define VMM_CMDLINE_MAX      0x00002000ULL  /* 8 KiB, NUL included. */
#define VMM_ZERO_PAGE_ADDR   0x00007000ULL
#define VMM_PAGE_TABLES_ADDR 0x00008000ULL
#define VMM_PAGE_TABLES_END  0x00010000ULL
#define VMM_STACK_TOP        0x00080000ULL
#define VMM_EBDA_ADDR        0x0009fc00ULL
#define VMM_LOW_RAM_END      0x000a0000ULL  /* e820: RAM below this. */
#define VMM_ACPI_ADDR        0x000e0000ULL
#define VMM_MPTABLE_ADDR     0x000f0000ULL
#define VMM_HIGH_RAM_START   0x00100000ULL  /* 1 MiB. */
#define VMM_KERNEL_ADDR      0x01000000ULL  /* bzImage load address. */
#define VMM_PCI_HOLE         0xc0000000ULL  /* Low RAM ends here at most. */
#define VMM_PCI_MMIO_BASE    0xc0000000ULL
#define VMM_PCI_MMIO_END     0xfec00000ULL
#define VMM_IOAPIC_ADDR      0xfec00000ULL
#define VMM_LAPIC_ADDR       0xfee00000ULL
#define VMM_4G               0x100000000ULL

#define VMM_PCI_IO_BASE      0xc000
#define VMM_PCI_IO_END       0x10000

/* Legacy devices. */
#define VMM_COM1_PORT        0x3f8
#define VMM_COM1_IRQ         4
#define VMM_I8042_DATA_PORT  0x60
#define VMM_I8042_CMD_PORT   0x64
#define VMM_PM1A_EVT_PORT    0x600          /* 4 bytes: STS, EN. */
#define VMM_PM1A_CNT_PORT    0x604          /* 2 bytes. */
#define VMM_SCI_IRQ          9
#define VMM_EXIT_PORT        0x501          /* Plexus guest-exit port. */
#define VMM_IDLE_PORT        0x502          /* Plexus idle port (32-bit). */
#define VMM_IDLE_MAX_US      10000          /* Longest idle sleep. */
#define VMM_PCI_CONFIG_ADDR  0xcf8
#define VMM_PCI_CONFIG_DATA  0xcfc

/* ACPI PM1 bits used by the power button and soft-off. */
#define VMM_PM1_PWRBTN_STS   (1u << 8)
#define VMM_PM1_SLP_TYP_SHIFT 10
#define VMM_PM1_SLP_EN       (1u << 13)
#define VMM_S5_SLP_TYP       5              /* What DSDT's \_S5 says. */

/* Interrupts: GSIs 0-23 are the IOAPIC's pins; MSI routes start here. */
#define VMM_FIRST_MSI_GSI    24

#endif /* vmm/layout.h */
