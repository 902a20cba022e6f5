/*
 * Tests for vmm/acpi.c and vmm/mptable.c: the tables are parsed back the
 * way an OS finds them (RSDP -> XSDT -> each table; MP floating pointer
 * -> configuration table) and every checksum is verified.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "util.h"
#include "vmm/acpi.h"
#include "vmm/layout.h"
#include "vmm/mptable.h"
#include "vmm/x86-boot.h"

#define MEM_SIZE (2ULL << 20)

static uint8_t
sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s += p[i];
    }
    return s;
}

/* Checks the table header at ADDR (signature SIG, valid length inside
 * the ACPI area and checksum); returns its length. */
static uint32_t
check_table(const uint8_t *mem, uint64_t addr, const char *sig)
{
    CHECK_GE(addr, VMM_ACPI_ADDR);
    CHECK_LT(addr, VMM_MPTABLE_ADDR);
    const uint8_t *t = mem + addr;
    CHECK_MSG(!memcmp(t, sig, 4), "table at %#"PRIx64" is \"%.4s\", not %s",
              addr, (const char *) t, sig);
    uint32_t length = vmm_get_le32(t + 4);
    CHECK_GE(length, 36);
    CHECK_LE(addr + length, VMM_MPTABLE_ADDR);
    CHECK_EQ(sum(t, length), 0);
    CHECK(!memcmp(t + 10, "PLEXUS", 6));
    return length;
}

/* Finds table SIG through RSDP -> XSDT (and checks the RSDT lists the
 * same tables); returns its address. */
static uint64_t
find_table(const uint8_t *mem, const char *sig)
{
    const uint8_t *rsdp = mem + ACPI_RSDP_ADDR;
    uint64_t xsdt = vmm_get_le64(rsdp + 24);
    uint64_t rsdt = vmm_get_le32(rsdp + 16);
    uint32_t xlen = check_table(mem, xsdt, "XSDT");
    uint32_t rlen = check_table(mem, rsdt, "RSDT");
    size_t n = (xlen - 36) / 8;

    CHECK_EQ((rlen - 36) / 4, n);
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t addr = vmm_get_le64(mem + xsdt + 36 + 8 * i);
        CHECK_U64_EQ(vmm_get_le32(mem + rsdt + 36 + 4 * i), addr);
        check_table(mem, addr, (const char *) mem + addr);
        if (!memcmp(mem + addr, sig, 4)) {
            found = addr;
        }
    }
    return found;
}

TEST(rsdp)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK(!acpi_rsdp_present(mem, MEM_SIZE));
    CHECK_EQ(acpi_build(mem, MEM_SIZE, 1), 0);
    const uint8_t *rsdp = mem + ACPI_RSDP_ADDR;
    CHECK(!memcmp(rsdp, "RSD PTR ", 8));
    CHECK_EQ(ACPI_RSDP_ADDR % 16, 0);
    CHECK_EQ(rsdp[15], 2);
    CHECK_EQ(vmm_get_le32(rsdp + 20), 36);
    CHECK_EQ(sum(rsdp, 20), 0);
    CHECK_EQ(sum(rsdp, 36), 0);
    CHECK(acpi_rsdp_present(mem, MEM_SIZE));
    CHECK(!acpi_rsdp_present(mem, ACPI_RSDP_ADDR + 20));

    /* Any corrupted byte is noticed. */
    mem[ACPI_RSDP_ADDR + 25] ^= 1;
    CHECK(!acpi_rsdp_present(mem, MEM_SIZE));
    mem[ACPI_RSDP_ADDR + 25] ^= 1;
    mem[ACPI_RSDP_ADDR + 12] ^= 1;
    CHECK(!acpi_rsdp_present(mem, MEM_SIZE));
    free(mem);
}

TEST(fadt_dsdt_facs)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK_EQ(acpi_build(mem, MEM_SIZE, 1), 0);
    uint64_t fadt = find_table(mem, "FACP");
    CHECK(fadt);
    CHECK_EQ(check_table(mem, fadt, "FACP"), 276);
    const uint8_t *f = mem + fadt;
    CHECK_GE(f[8], 5);                                  /* Revision. */
    CHECK_EQ(vmm_get_le16(f + 46), VMM_SCI_IRQ);
    CHECK_EQ(vmm_get_le32(f + 48), 0);                  /* No SMI_CMD. */
    CHECK_EQ(vmm_get_le32(f + 56), VMM_PM1A_EVT_PORT);
    CHECK_EQ(vmm_get_le32(f + 60), 0);                  /* No PM1b. */
    CHECK_EQ(vmm_get_le32(f + 64), VMM_PM1A_CNT_PORT);
    CHECK_EQ(f[88], 4);
    CHECK_EQ(f[89], 2);
    uint32_t flags = vmm_get_le32(f + 112);
    CHECK(!(flags & (1u << 4)));        /* Fixed power button present. */
    CHECK(!(flags & (1u << 20)));       /* Not hardware-reduced. */
    CHECK(!(flags & (1u << 10)));       /* No reset register. */

    /* X_PM1a blocks agree with the 32-bit ones. */
    CHECK_EQ(f[148], 1);
    CHECK_EQ(f[149], 32);
    CHECK_U64_EQ(vmm_get_le64(f + 152), VMM_PM1A_EVT_PORT);
    CHECK_EQ(f[172], 1);
    CHECK_EQ(f[173], 16);
    CHECK_U64_EQ(vmm_get_le64(f + 176), VMM_PM1A_CNT_PORT);

    /* DSDT in both pointers, with \_S5. */
    uint64_t dsdt = vmm_get_le32(f + 40);
    CHECK_U64_EQ(vmm_get_le64(f + 140), dsdt);
    uint32_t dlen = check_table(mem, dsdt, "DSDT");
    static const uint8_t s5[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
        0x0a, VMM_S5_SLP_TYP, 0x0a, VMM_S5_SLP_TYP, 0x00, 0x00,
    };
    CHECK_EQ(dlen, 36 + sizeof s5);
    CHECK_MEMEQ(mem + dsdt + 36, s5, sizeof s5);
    CHECK(!find_table(mem, "DSDT"));    /* Only reached through FADT. */

    /* FACS, 64-byte aligned, in both pointers. */
    uint64_t facs = vmm_get_le32(f + 36);
    CHECK_U64_EQ(vmm_get_le64(f + 132), facs);
    CHECK_EQ(facs % 64, 0);
    CHECK(!memcmp(mem + facs, "FACS", 4));
    CHECK_EQ(vmm_get_le32(mem + facs + 4), 64);
    free(mem);
}

/* Parses the MADT for N_CPUS and checks every entry. */
static void
check_madt(unsigned int n_cpus)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK_EQ(acpi_build(mem, MEM_SIZE, n_cpus), 0);
    uint64_t madt = find_table(mem, "APIC");
    CHECK(madt);
    uint32_t length = check_table(mem, madt, "APIC");
    const uint8_t *t = mem + madt;
    CHECK_EQ(vmm_get_le32(t + 36), VMM_LAPIC_ADDR);
    CHECK_EQ(vmm_get_le32(t + 40), 1);

    unsigned int n_lapic = 0, n_ioapic = 0, n_nmi = 0;
    bool irq0 = false, irq9 = false;
    for (uint32_t ofs = 44; ofs < length; ) {
        const uint8_t *e = t + ofs;
        CHECK_GE(e[1], 2);
        CHECK_LE(ofs + e[1], length);
        switch (e[0]) {
        case 0:
            CHECK_EQ(e[1], 8);
            CHECK_EQ(e[2], n_lapic);
            CHECK_EQ(e[3], n_lapic);
            CHECK_EQ(vmm_get_le32(e + 4), 1);
            n_lapic++;
            break;
        case 1:
            CHECK_EQ(e[1], 12);
            CHECK_EQ(e[2], n_cpus);
            CHECK_EQ(vmm_get_le32(e + 4), VMM_IOAPIC_ADDR);
            CHECK_EQ(vmm_get_le32(e + 8), 0);
            n_ioapic++;
            break;
        case 2:
            CHECK_EQ(e[1], 10);
            CHECK_EQ(e[2], 0);
            if (e[3] == 0) {
                CHECK_EQ(vmm_get_le32(e + 4), 2);
                CHECK_EQ(vmm_get_le16(e + 8), 0);
                irq0 = true;
            } else {
                CHECK_EQ(e[3], VMM_SCI_IRQ);
                CHECK_EQ(vmm_get_le32(e + 4), VMM_SCI_IRQ);
                CHECK_EQ(vmm_get_le16(e + 8), 0xd);
                irq9 = true;
            }
            break;
        case 4:
            CHECK_EQ(e[1], 6);
            CHECK_EQ(e[2], 0xff);
            CHECK_EQ(e[5], 1);
            n_nmi++;
            break;
        default:
            CHECK_MSG(false, "unexpected MADT entry type %u", e[0]);
        }
        ofs += e[1];
    }
    CHECK_EQ(n_lapic, n_cpus);
    CHECK_EQ(n_ioapic, 1);
    CHECK_EQ(n_nmi, 1);
    CHECK(irq0 && irq9);
    free(mem);
}

TEST(madt_1_cpu)
{
    check_madt(1);
}

TEST(madt_4_cpus)
{
    check_madt(4);
}

TEST(madt_max_cpus)
{
    check_madt(ACPI_MAX_CPUS);
}

TEST(acpi_bad_arguments)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK_EQ(acpi_build(mem, MEM_SIZE, 0), EINVAL);
    CHECK_EQ(acpi_build(mem, MEM_SIZE, ACPI_MAX_CPUS + 1), EINVAL);
    CHECK_EQ(acpi_build(mem, 0xf0000, 1), EINVAL);
    CHECK(is_all_zeros(mem, MEM_SIZE));
    CHECK_EQ(mptable_build(mem, MEM_SIZE, 0), EINVAL);
    CHECK_EQ(mptable_build(mem, MEM_SIZE, MPTABLE_MAX_CPUS + 1), EINVAL);
    CHECK(is_all_zeros(mem, MEM_SIZE));
    free(mem);
}

static void
check_mptable(unsigned int n_cpus)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK_EQ(mptable_build(mem, MEM_SIZE, n_cpus), 0);

    /* Linux scans 0xf0000-0xfffff on 16-byte boundaries. */
    uint64_t mpf = 0;
    for (uint64_t a = 0xf0000; a < 0x100000; a += 16) {
        if (!memcmp(mem + a, "_MP_", 4)) {
            mpf = a;
            break;
        }
    }
    CHECK_U64_EQ(mpf, VMM_MPTABLE_ADDR);
    const uint8_t *f = mem + mpf;
    CHECK_EQ(f[8], 1);
    CHECK_EQ(f[9], 4);
    CHECK_EQ(sum(f, 16), 0);
    CHECK_EQ(f[11], 0);

    uint64_t mpc = vmm_get_le32(f + 4);
    CHECK_GE(mpc, 0xf0000);
    const uint8_t *c = mem + mpc;
    CHECK(!memcmp(c, "PCMP", 4));
    uint16_t length = vmm_get_le16(c + 4);
    CHECK_LE(mpc + length, 0x100000);
    CHECK_EQ(sum(c, length), 0);
    CHECK_EQ(vmm_get_le32(c + 36), VMM_LAPIC_ADDR);
    uint16_t n_entries = vmm_get_le16(c + 34);

    unsigned int n_proc = 0, n_bus = 0, n_ioapic = 0, n_int = 0, n_lint = 0;
    const uint8_t *e = c + 44;
    for (unsigned int i = 0; i < n_entries; i++) {
        CHECK_LT(e - c, length);
        switch (e[0]) {
        case 0:
            CHECK_EQ(e[1], n_proc);
            CHECK_EQ(e[3], n_proc == 0 ? 3 : 1);
            n_proc++;
            e += 20;
            break;
        case 1:
            CHECK(!memcmp(e + 2, n_bus ? "ISA   " : "PCI   ", 6));
            CHECK_EQ(e[1], n_bus);
            n_bus++;
            e += 8;
            break;
        case 2:
            CHECK_EQ(e[1], n_cpus);
            CHECK_EQ(e[3], 1);
            CHECK_EQ(vmm_get_le32(e + 4), VMM_IOAPIC_ADDR);
            n_ioapic++;
            e += 8;
            break;
        case 3:
            CHECK_EQ(e[4], 1);              /* ISA bus. */
            CHECK_NE(e[5], 2);
            CHECK_EQ(e[6], n_cpus);
            CHECK_EQ(e[7], e[5] == 0 ? 2 : e[5]);
            CHECK_EQ(vmm_get_le16(e + 2), e[5] == VMM_SCI_IRQ ? 0xd : 0);
            n_int++;
            e += 8;
            break;
        case 4:
            CHECK_EQ(e[1], n_lint ? 1 : 3); /* NMI on LINT1, ExtINT. */
            CHECK_EQ(e[6], 0xff);
            CHECK_EQ(e[7], n_lint);
            n_lint++;
            e += 8;
            break;
        default:
            CHECK_MSG(false, "unexpected MP entry type %u", e[0]);
        }
    }
    CHECK_EQ(e - c, length);
    CHECK_EQ(n_proc, n_cpus);
    CHECK_EQ(n_bus, 2);
    CHECK_EQ(n_ioapic, 1);
    CHECK_EQ(n_int, 15);
    CHECK_EQ(n_lint, 2);
    free(mem);
}

TEST(mptable_1_cpu)
{
    check_mptable(1);
}

TEST(mptable_4_cpus)
{
    check_mptable(4);
}

TEST(mptable_max_cpus)
{
    check_mptable(MPTABLE_MAX_CPUS);
}

TEST(acpi_and_mptable_coexist)
{
    uint8_t *mem = xzalloc(MEM_SIZE);

    CHECK_EQ(acpi_build(mem, MEM_SIZE, ACPI_MAX_CPUS), 0);
    CHECK_EQ(mptable_build(mem, MEM_SIZE, MPTABLE_MAX_CPUS), 0);
    CHECK(acpi_rsdp_present(mem, MEM_SIZE));
    CHECK(find_table(mem, "APIC"));
    /* Nothing outside the two areas. */
    CHECK(is_all_zeros(mem, VMM_ACPI_ADDR));
    CHECK(is_all_zeros(mem + VMM_HIGH_RAM_START,
                       MEM_SIZE - VMM_HIGH_RAM_START));
    free(mem);
}
