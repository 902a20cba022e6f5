/*
 * vmm/acpi.c: RSDP, RSDT, XSDT, FACS, FADT, MADT and DSDT (see acpi.h).
 *
 * Field offsets are those of the ACPI 6.x specification, written byte by
 * byte in little-endian order; every table ends with its checksum fixed
 * so that its bytes sum to 0.
 */
#include <config.h>
#include "vmm/acpi.h"

#include <errno.h>
#include <string.h>
#include "util.h"
#include "vmm/aml.h"
#include "vmm/pci.h"
#include "vmm/x86-boot.h"

/* Where each table goes.  The MADT grows with the number of vCPUs:
 * 44 + 8 * 254 + 12 + 2 * 10 + 6 bytes at most.  The DSDT (about 1.9 kB
 * now, mostly _PRT) comes last, with room to grow. */
#define RSDP_ADDR  (VMM_ACPI_ADDR + 0x000)
#define RSDT_ADDR  (VMM_ACPI_ADDR + 0x040)
#define XSDT_ADDR  (VMM_ACPI_ADDR + 0x080)
#define FACS_ADDR  (VMM_ACPI_ADDR + 0x0c0)  /* 64-byte aligned. */
#define FADT_ADDR  (VMM_ACPI_ADDR + 0x100)
#define MADT_ADDR  (VMM_ACPI_ADDR + 0x300)
#define MADT_MAX   (44 + 8 * ACPI_MAX_CPUS + 12 + 2 * 10 + 6)
#define DSDT_ADDR  (VMM_ACPI_ADDR + 0x1000)
#define DSDT_MAX   0x2000
#define ACPI_END   (DSDT_ADDR + DSDT_MAX)

#define HDR_LEN    36
#define RSDP_LEN   36
#define FACS_LEN   64
#define FADT_LEN   276          /* Revision 6. */

BUILD_ASSERT_DECL(FADT_ADDR + FADT_LEN <= MADT_ADDR);
BUILD_ASSERT_DECL(MADT_ADDR + MADT_MAX <= DSDT_ADDR);
BUILD_ASSERT_DECL(ACPI_END <= VMM_MPTABLE_ADDR);

/* The root bridge's I/O windows are all ports but its own configuration
 * ports 0xcf8-0xcff, so the BAR window must lie above them. */
BUILD_ASSERT_DECL(VMM_PCI_CONFIG_DATA + 4 == VMM_PCI_CONFIG_ADDR + 8);
BUILD_ASSERT_DECL(VMM_PCI_IO_BASE >= VMM_PCI_CONFIG_ADDR + 8);
BUILD_ASSERT_DECL(VMM_PCI_IO_END == 0x10000);
BUILD_ASSERT_DECL(VMM_PCI_MMIO_END <= VMM_4G);

/* FADT flags and IA-PC boot architecture flags. */
#define FADT_F_WBINVD        (1u << 0)
#define FADT_F_PROC_C1       (1u << 2)
#define FADT_F_PWR_BUTTON    (1u << 4)      /* Set: no fixed button. */
#define FADT_F_SLP_BUTTON    (1u << 5)      /* Set: no fixed button. */
#define FADT_BOOT_LEGACY     (1u << 0)
#define FADT_BOOT_NO_VGA     (1u << 2)
#define FADT_BOOT_NO_CMOS    (1u << 5)

#define GAS_SYSTEM_IO 1

uint8_t
acpi_checksum(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    uint8_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += p[i];
    }
    return -sum;
}

/* Writes a standard 36-byte table header; the checksum is set by
 * finish_table(). */
static void
put_header(uint8_t *t, const char signature[4], uint32_t length,
           uint8_t revision)
{
    memset(t, 0, HDR_LEN);
    memcpy(t, signature, 4);
    vmm_put_le32(t + 4, length);
    t[8] = revision;
    memcpy(t + 10, "PLEXUS", 6);            /* OEM ID. */
    memcpy(t + 16, "PLXVM   ", 8);          /* OEM table ID. */
    vmm_put_le32(t + 24, 1);                /* OEM revision. */
    memcpy(t + 28, "PLX ", 4);              /* Creator ID. */
    vmm_put_le32(t + 32, 1);                /* Creator revision. */
}

static void
finish_table(uint8_t *t)
{
    uint32_t length = vmm_get_le32(t + 4);

    t[9] = 0;
    t[9] = acpi_checksum(t, length);
}

/* Generic Address Structure. */
static void
put_gas_io(uint8_t *p, uint16_t port, uint8_t bytes)
{
    p[0] = GAS_SYSTEM_IO;
    p[1] = bytes * 8;           /* Register bit width. */
    p[2] = 0;                   /* Bit offset. */
    p[3] = 0;                   /* Access size: undefined (legacy). */
    vmm_put_le64(p + 4, port);
}

static void
build_fadt(uint8_t *t)
{
    memset(t, 0, FADT_LEN);
    put_header(t, "FACP", FADT_LEN, 6);
    vmm_put_le32(t + 36, FACS_ADDR);            /* FIRMWARE_CTRL. */
    vmm_put_le32(t + 40, DSDT_ADDR);            /* DSDT. */
    vmm_put_le16(t + 46, VMM_SCI_IRQ);          /* SCI_INT. */
    vmm_put_le32(t + 48, 0);                    /* SMI_CMD: none. */
    vmm_put_le32(t + 56, VMM_PM1A_EVT_PORT);    /* PM1a_EVT_BLK. */
    vmm_put_le32(t + 64, VMM_PM1A_CNT_PORT);    /* PM1a_CNT_BLK. */
    t[88] = 4;                                  /* PM1_EVT_LEN. */
    t[89] = 2;                                  /* PM1_CNT_LEN. */
    vmm_put_le16(t + 96, 101);                  /* P_LVL2_LAT: no C2. */
    vmm_put_le16(t + 98, 1001);                 /* P_LVL3_LAT: no C3. */
    vmm_put_le16(t + 109, FADT_BOOT_LEGACY | FADT_BOOT_NO_VGA
                 | FADT_BOOT_NO_CMOS);          /* IAPC_BOOT_ARCH. */
    vmm_put_le32(t + 112, FADT_F_WBINVD | FADT_F_PROC_C1
                 | FADT_F_SLP_BUTTON);          /* Flags. */
    t[131] = 0;                                 /* Minor version. */
    vmm_put_le64(t + 132, FACS_ADDR);           /* X_FIRMWARE_CTRL. */
    vmm_put_le64(t + 140, DSDT_ADDR);           /* X_DSDT. */
    put_gas_io(t + 148, VMM_PM1A_EVT_PORT, 4);  /* X_PM1a_EVT_BLK. */
    put_gas_io(t + 172, VMM_PM1A_CNT_PORT, 2);  /* X_PM1a_CNT_BLK. */
    memcpy(t + 268, "PLEXUSVM", 8);             /* Hypervisor vendor. */
    finish_table(t);
}

static uint32_t
build_madt(uint8_t *t, unsigned int n_cpus)
{
    uint8_t *p = t + 44;

    for (unsigned int i = 0; i < n_cpus; i++) {
        p[0] = 0;                   /* Processor local APIC. */
        p[1] = 8;
        p[2] = i;                   /* ACPI processor UID. */
        p[3] = i;                   /* APIC ID. */
        vmm_put_le32(p + 4, 1);     /* Enabled. */
        p += 8;
    }

    p[0] = 1;                       /* I/O APIC. */
    p[1] = 12;
    p[2] = n_cpus;                  /* I/O APIC ID. */
    p[3] = 0;
    vmm_put_le32(p + 4, VMM_IOAPIC_ADDR);
    vmm_put_le32(p + 8, 0);         /* Global system interrupt base. */
    p += 12;

    static const struct {
        uint8_t irq;
        uint32_t gsi;
        uint16_t flags;
    } overrides[] = {
        { 0, 2, 0 },                        /* PIT: conforming. */
        { VMM_SCI_IRQ, VMM_SCI_IRQ, 0xd },  /* SCI: level, active high. */
    };
    for (size_t i = 0; i < ARRAY_SIZE(overrides); i++) {
        p[0] = 2;                   /* Interrupt source override. */
        p[1] = 10;
        p[2] = 0;                   /* Bus: ISA. */
        p[3] = overrides[i].irq;
        vmm_put_le32(p + 4, overrides[i].gsi);
        vmm_put_le16(p + 8, overrides[i].flags);
        p += 10;
    }

    p[0] = 4;                       /* Local APIC NMI. */
    p[1] = 6;
    p[2] = 0xff;                    /* All processors. */
    vmm_put_le16(p + 3, 0);         /* Flags: conforming. */
    p[5] = 1;                       /* LINT1. */
    p += 6;

    uint32_t length = p - t;
    put_header(t, "APIC", length, 5);
    vmm_put_le32(t + 36, VMM_LAPIC_ADDR);
    vmm_put_le32(t + 40, 1);        /* PCAT_COMPAT. */
    finish_table(t);
    return length;
}

/* The DSDT. */

#define PCI_VGA_BASE 0xa0000    /* Legacy VGA memory, decoded by PCI. */
#define PCI_VGA_END  0xc0000

/* Name (_CRS, ResourceTemplate () { ... }) of the PCI root bridge: it
 * decodes bus 0, consumes the configuration ports, and forwards every
 * other I/O port, the legacy VGA memory and the 32-bit BAR window. */
static void
dsdt_pci0_crs(struct aml *a)
{
    struct aml res;

    aml_init(&res);
    aml_res_word_bus_number(&res, 0, 0);
    aml_res_io(&res, VMM_PCI_CONFIG_ADDR, VMM_PCI_CONFIG_ADDR, 1, 8);
    aml_res_word_io(&res, 0, VMM_PCI_CONFIG_ADDR - 1);
    aml_res_word_io(&res, VMM_PCI_CONFIG_ADDR + 8, VMM_PCI_IO_END - 1);
    aml_res_dword_memory(&res, PCI_VGA_BASE, PCI_VGA_END - 1, true);
    aml_res_dword_memory(&res, VMM_PCI_MMIO_BASE, VMM_PCI_MMIO_END - 1,
                         false);

    aml_name(a, "_CRS");
    aml_resource_template(a, &res);
    aml_uninit(&res);
}

/* Name (_PRT, Package () { ... }): INTA-INTD of slots 1-31, each
 *
 *     Package () { 0xSSSSffff, PIN, Zero, GSI }
 *
 * in the form without a link device (source 0, GSI by index), which
 * means level-triggered, active-low; KVM's IOAPIC ignores the polarity.
 * Devices use only INTA# (pci.h), so all four pins of a slot go to
 * pci_slot_gsi(), as a multi-function device would need them to. */
static void
dsdt_pci0_prt(struct aml *a)
{
    aml_name(a, "_PRT");
    size_t prt = aml_package_open(a, (PCI_MAX_SLOTS - 1) * 4);
    for (int slot = 1; slot < PCI_MAX_SLOTS; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            size_t entry = aml_package_open(a, 4);
            aml_integer(a, (uint32_t) slot << 16 | 0xffff);
            aml_integer(a, pin);
            aml_integer(a, 0);
            aml_integer(a, pci_slot_gsi(slot));
            aml_close(a, entry);
        }
    }
    aml_close(a, prt);
}

/* Appends the DSDT's AML (see acpi.h) to A.  PCI0 has no _ADR: ACPI 6.x
 * (6.1) says a device should not have both _HID and _ADR, and iasl
 * warns about it. */
static void
dsdt_build_aml(struct aml *a)
{
    /* Name (_S5, Package () { SLP_TYP for PM1a, for PM1b, 0, 0 }) */
    aml_name(a, "_S5");
    size_t s5 = aml_package_open(a, 4);
    aml_integer(a, VMM_S5_SLP_TYP);
    aml_integer(a, VMM_S5_SLP_TYP);
    aml_integer(a, 0);
    aml_integer(a, 0);
    aml_close(a, s5);

    size_t sb = aml_scope_open(a, "\\_SB");
    size_t pci0 = aml_device_open(a, "PCI0");
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0A03");
    aml_name(a, "_UID");
    aml_integer(a, 0);
    aml_name(a, "_SEG");
    aml_integer(a, 0);
    aml_name(a, "_BBN");
    aml_integer(a, 0);
    dsdt_pci0_crs(a);
    dsdt_pci0_prt(a);
    aml_close(a, pci0);
    aml_close(a, sb);
}

static void
build_dsdt(uint8_t *t)
{
    struct aml a;

    aml_init(&a);
    dsdt_build_aml(&a);
    /* Fixed contents: only a change to this file can make it too big. */
    plx_assert(HDR_LEN + a.size <= DSDT_MAX);
    put_header(t, "DSDT", HDR_LEN + a.size, 2);
    memcpy(t + HDR_LEN, a.data, a.size);
    finish_table(t);
    aml_uninit(&a);
}

int
acpi_build(uint8_t *mem, uint64_t mem_size, unsigned int n_cpus)
{
    if (n_cpus < 1 || n_cpus > ACPI_MAX_CPUS
        || mem_size < VMM_HIGH_RAM_START) {
        return EINVAL;
    }
    memset(mem + VMM_ACPI_ADDR, 0, ACPI_END - VMM_ACPI_ADDR);

    build_dsdt(mem + DSDT_ADDR);

    /* FACS (no checksum). */
    uint8_t *t = mem + FACS_ADDR;
    memcpy(t, "FACS", 4);
    vmm_put_le32(t + 4, FACS_LEN);
    t[32] = 2;                      /* Version. */

    build_fadt(mem + FADT_ADDR);
    build_madt(mem + MADT_ADDR, n_cpus);

    /* RSDT and XSDT. */
    static const uint32_t tables[] = { FADT_ADDR, MADT_ADDR };
    t = mem + RSDT_ADDR;
    put_header(t, "RSDT", HDR_LEN + 4 * ARRAY_SIZE(tables), 1);
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        vmm_put_le32(t + HDR_LEN + 4 * i, tables[i]);
    }
    finish_table(t);

    t = mem + XSDT_ADDR;
    put_header(t, "XSDT", HDR_LEN + 8 * ARRAY_SIZE(tables), 1);
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        vmm_put_le64(t + HDR_LEN + 8 * i, tables[i]);
    }
    finish_table(t);

    /* RSDP. */
    t = mem + RSDP_ADDR;
    memcpy(t, "RSD PTR ", 8);
    memcpy(t + 9, "PLEXUS", 6);
    t[15] = 2;                      /* Revision: ACPI 2.0+. */
    vmm_put_le32(t + 16, RSDT_ADDR);
    vmm_put_le32(t + 20, RSDP_LEN);
    vmm_put_le64(t + 24, XSDT_ADDR);
    t[8] = acpi_checksum(t, 20);
    t[32] = acpi_checksum(t, RSDP_LEN);
    return 0;
}

bool
acpi_rsdp_present(const uint8_t *mem, uint64_t mem_size)
{
    if (mem_size < ACPI_RSDP_ADDR + RSDP_LEN) {
        return false;
    }

    const uint8_t *t = mem + ACPI_RSDP_ADDR;
    return (!memcmp(t, "RSD PTR ", 8)
            && t[15] >= 2
            && vmm_get_le32(t + 20) == RSDP_LEN
            && !acpi_checksum(t, 20)
            && !acpi_checksum(t, RSDP_LEN));
}
