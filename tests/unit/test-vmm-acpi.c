/*
 * Tests for vmm/acpi.c, vmm/aml.c and vmm/mptable.c: the tables are
 * parsed back the way an OS finds them (RSDP -> XSDT -> each table; MP
 * floating pointer -> configuration table) and every checksum is
 * verified.  The DSDT's AML is walked by a small decoder of its own here
 * (PkgLengths, names, data objects, resource descriptors), independent
 * of the encoder, and, where iasl (acpica-tools) is installed, also
 * disassembled and recompiled by it.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "util.h"
#include "vmm/acpi.h"
#include "vmm/aml.h"
#include "vmm/layout.h"
#include "vmm/mptable.h"
#include "vmm/pci.h"
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

    /* DSDT in both pointers, starting with \_S5 (the rest is checked by
     * the dsdt_* cases). */
    uint64_t dsdt = vmm_get_le32(f + 40);
    CHECK_U64_EQ(vmm_get_le64(f + 140), dsdt);
    uint32_t dlen = check_table(mem, dsdt, "DSDT");
    static const uint8_t s5[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
        0x0a, VMM_S5_SLP_TYP, 0x0a, VMM_S5_SLP_TYP, 0x00, 0x00,
    };
    CHECK_GT(dlen, 36 + sizeof s5);
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

/* The AML encoder, byte by byte. */

/* Checks that A holds exactly the N bytes at EXPECTED, then empties it. */
#define CHECK_AML(A, ...)                                                 \
    do {                                                                  \
        static const uint8_t expected__[] = { __VA_ARGS__ };              \
        CHECK_EQ((A)->size, sizeof expected__);                           \
        CHECK_MEMEQ((A)->data, expected__, sizeof expected__);            \
        aml_uninit(A);                                                    \
    } while (0)

TEST(aml_integer_shortest)
{
    struct aml a;

    aml_init(&a);
    aml_integer(&a, 0);
    CHECK_AML(&a, 0x00);
    aml_integer(&a, 1);
    CHECK_AML(&a, 0x01);
    aml_integer(&a, 2);
    CHECK_AML(&a, 0x0a, 0x02);
    aml_integer(&a, 0xff);
    CHECK_AML(&a, 0x0a, 0xff);
    aml_integer(&a, 0x100);
    CHECK_AML(&a, 0x0b, 0x00, 0x01);
    aml_integer(&a, 0xffff);
    CHECK_AML(&a, 0x0b, 0xff, 0xff);
    aml_integer(&a, 0x10000);
    CHECK_AML(&a, 0x0c, 0x00, 0x00, 0x01, 0x00);
    aml_integer(&a, 0xfebfffff);
    CHECK_AML(&a, 0x0c, 0xff, 0xff, 0xbf, 0xfe);
    aml_integer(&a, 0x100000000ULL);
    CHECK_AML(&a, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
    aml_integer(&a, UINT64_MAX - 1);
    CHECK_AML(&a, 0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    aml_integer(&a, UINT64_MAX);
    CHECK_AML(&a, 0xff);
}

TEST(aml_names_and_strings)
{
    struct aml a;

    aml_init(&a);
    aml_name_string(&a, "_HID");
    CHECK_AML(&a, '_', 'H', 'I', 'D');
    aml_name_string(&a, "PX");
    CHECK_AML(&a, 'P', 'X', '_', '_');
    aml_name_string(&a, "\\_SB.PCI0");
    CHECK_AML(&a, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
    aml_name_string(&a, "A.B1.C");
    CHECK_AML(&a, 0x2f, 3, 'A', '_', '_', '_', 'B', '1', '_', '_',
              'C', '_', '_', '_');
    aml_name_string(&a, "^^FOO");
    CHECK_AML(&a, '^', '^', 'F', 'O', 'O', '_');
    aml_name_string(&a, "\\");
    CHECK_AML(&a, '\\', 0x00);
    aml_name(&a, "_S5");
    CHECK_AML(&a, 0x08, '_', 'S', '5', '_');
    aml_string(&a, "ab");
    CHECK_AML(&a, 0x0d, 'a', 'b', 0);
}

/* Decodes EISA id V back to its 7 characters, as an OS does. */
static void
eisaid_to_string(uint32_t v, char s[8])
{
    uint16_t vendor = (v & 0xff) << 8 | ((v >> 8) & 0xff);
    uint16_t product = ((v >> 16) & 0xff) << 8 | v >> 24;

    s[0] = 0x40 + ((vendor >> 10) & 0x1f);
    s[1] = 0x40 + ((vendor >> 5) & 0x1f);
    s[2] = 0x40 + (vendor & 0x1f);
    snprintf(s + 3, 5, "%04X", product);
}

TEST(aml_eisaid)
{
    static const struct {
        const char *id;
        uint32_t value;
    } ids[] = {
        { "PNP0A03", 0x030ad041 },      /* What iasl makes of them. */
        { "PNP0A08", 0x080ad041 },
        { "PNP0C0C", 0x0c0cd041 },
        { "QEM0002", 0x0200ad44 },
    };
    struct aml a;

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        char s[8];

        CHECK_U64_EQ(aml_eisaid_value(ids[i].id), ids[i].value);
        eisaid_to_string(ids[i].value, s);
        CHECK_STREQ(s, ids[i].id);
    }
    aml_init(&a);
    aml_eisaid(&a, "PNP0A03");
    CHECK_AML(&a, 0x0c, 0x41, 0xd0, 0x0a, 0x03);
}

/* An independent PkgLength decoder: at P (END bounds it), returns the
 * length it encodes (which counts the PkgLength itself) and its size in
 * *N, or fails the case. */
static size_t
decode_pkglength(const uint8_t *p, const uint8_t *end, size_t *n)
{
    CHECK_LT(p, end);
    size_t extra = p[0] >> 6;
    CHECK_LE(p + 1 + extra, end);
    if (!extra) {
        *n = 1;
        return p[0] & 0x3f;
    }
    CHECK_EQ(p[0] & 0x30, 0);           /* Reserved bits. */
    size_t length = p[0] & 0x0f;
    for (size_t i = 0; i < extra; i++) {
        length |= (size_t) p[1 + i] << (4 + 8 * i);
    }
    *n = extra + 1;
    return length;
}

TEST(aml_pkglength)
{
    static const struct {
        size_t length;          /* What follows the PkgLength. */
        size_t n;               /* Its expected size, 0: too long. */
    } cases[] = {
        { 0, 1 }, { 62, 1 }, { 63, 2 }, { 64, 2 }, { 4093, 2 },
        { 4094, 3 }, { (1 << 20) - 4, 3 }, { (1 << 20) - 3, 4 },
        { (1 << 28) - 5, 4 }, { (1 << 28) - 4, 0 }, { SIZE_MAX / 2, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t buf[4];
        size_t n = aml_encode_pkglength(cases[i].length, buf);
        size_t n2;

        CHECK_EQ(n, cases[i].n);
        if (n) {
            CHECK_EQ(decode_pkglength(buf, buf + n, &n2),
                     cases[i].length + n);
            CHECK_EQ(n2, n);
        }
    }
    for (int i = 0; i < 1000; i++) {
        size_t length = test_random() % ((1 << 28) - 4);
        uint8_t buf[4];
        size_t n = aml_encode_pkglength(length, buf);
        size_t n2;

        CHECK_GE(n, 1);
        CHECK_EQ(decode_pkglength(buf, buf + n, &n2), length + n);
        CHECK_EQ(n2, n);
    }
}

TEST(aml_nesting)
{
    struct aml a;

    /* A package long enough for a 2-byte PkgLength inside a device
     * inside a scope: each PkgLength is inserted where it belongs. */
    aml_init(&a);
    size_t scope = aml_scope_open(&a, "\\_SB");
    size_t dev = aml_device_open(&a, "DEV");
    aml_name(&a, "PKG");
    size_t pkg = aml_package_open(&a, 40);
    for (int i = 0; i < 40; i++) {
        aml_integer(&a, i + 2);
    }
    aml_close(&a, pkg);
    aml_close(&a, dev);
    aml_close(&a, scope);

    const uint8_t *p = a.data, *end = a.data + a.size;
    size_t n;
    CHECK_EQ(*p++, 0x10);                               /* ScopeOp. */
    CHECK_EQ(decode_pkglength(p, end, &n), end - p);
    CHECK_EQ(n, 2);
    p += n;
    CHECK_MEMEQ(p, "\\_SB_", 5);
    p += 5;
    CHECK_EQ(*p++, 0x5b);                               /* DeviceOp. */
    CHECK_EQ(*p++, 0x82);
    CHECK_EQ(decode_pkglength(p, end, &n), end - p);
    CHECK_EQ(n, 2);
    p += n;
    CHECK_MEMEQ(p, "DEV_\x08PKG_", 9);
    p += 9;
    CHECK_EQ(*p++, 0x12);                               /* PackageOp. */
    CHECK_EQ(decode_pkglength(p, end, &n), end - p);
    CHECK_EQ(n, 2);
    p += n;
    CHECK_EQ(*p++, 40);
    for (int i = 0; i < 40; i++) {
        CHECK_EQ(*p++, 0x0a);
        CHECK_EQ(*p++, i + 2);
    }
    CHECK(p == end);

    /* A tiny buffer: BufferOp, PkgLength, BufferSize, bytes. */
    aml_uninit(&a);
    aml_buffer(&a, "\x01\x02\x03", 3);
    CHECK_AML(&a, 0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03);
}

TEST(aml_resource_descriptors)
{
    struct aml res, a;

    aml_init(&res);
    aml_res_io(&res, 0xcf8, 0xcf8, 1, 8);
    CHECK_AML(&res, 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08);
    aml_res_word_bus_number(&res, 0, 0xff);
    CHECK_AML(&res, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
              0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0x01);
    aml_res_word_io(&res, 0xd00, 0xffff);
    CHECK_AML(&res, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
              0, 0, 0x00, 0x0d, 0xff, 0xff, 0, 0, 0x00, 0xf3);
    aml_res_dword_memory(&res, 0xa0000, 0xbffff, true);
    CHECK_AML(&res, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x03,
              0, 0, 0, 0, 0x00, 0x00, 0x0a, 0x00, 0xff, 0xff, 0x0b, 0x00,
              0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00);
    aml_res_dword_memory(&res, 0xc0000000, 0xfebfffff, false);
    CHECK_EQ(res.data[5], 0x01);        /* ReadWrite, NonCacheable. */
    CHECK_EQ(vmm_get_le32(res.data + 22), 0x3ec00000);

    aml_init(&a);
    aml_resource_template(&a, &res);
    CHECK_EQ(a.size, 4 + 26 + 2);
    CHECK_EQ(a.data[0], 0x11);
    CHECK_EQ(a.data[1], 31);            /* PkgLength. */
    CHECK_EQ(a.data[2], 0x0a);          /* BufferSize: 28. */
    CHECK_EQ(a.data[3], 28);
    CHECK_EQ(a.data[a.size - 2], 0x79); /* End tag, checksum 0. */
    CHECK_EQ(a.data[a.size - 1], 0x00);
    aml_uninit(&a);
    aml_uninit(&res);
}

/* The DSDT, decoded. */

/* A data object. */
enum dsdt_obj_type { OBJ_INTEGER, OBJ_STRING, OBJ_BUFFER, OBJ_PACKAGE };
struct dsdt_obj {
    enum dsdt_obj_type type;
    uint64_t value;             /* OBJ_INTEGER. */
    const uint8_t *data;        /* OBJ_BUFFER: its bytes; OBJ_PACKAGE:
                                 * its elements. */
    const uint8_t *end;
    unsigned int n_elements;    /* OBJ_PACKAGE. */
};

/* Decodes the data object at *P (END bounds it) into OBJ and advances
 * *P past it. */
static void
decode_object(const uint8_t **pp, const uint8_t *end, struct dsdt_obj *obj)
{
    const uint8_t *p = *pp;
    const uint8_t *start;
    size_t n, length;

    memset(obj, 0, sizeof *obj);
    CHECK_LT(p, end);
    uint8_t op = *p++;
    switch (op) {
    case 0x00: case 0x01: case 0xff:
        obj->type = OBJ_INTEGER;
        obj->value = op == 0xff ? UINT64_MAX : op;
        break;
    case 0x0a: case 0x0b: case 0x0c: case 0x0e:
        n = op == 0x0a ? 1 : op == 0x0b ? 2 : op == 0x0c ? 4 : 8;
        CHECK_LE(p + n, end);
        obj->type = OBJ_INTEGER;
        for (size_t i = 0; i < n; i++) {
            obj->value |= (uint64_t) p[i] << (8 * i);
        }
        p += n;
        break;
    case 0x0d:
        obj->type = OBJ_STRING;
        obj->data = p;
        p = memchr(p, 0, end - p);
        CHECK(p);
        obj->end = p++;
        break;
    case 0x11:
    case 0x12:
        start = p;
        length = decode_pkglength(p, end, &n);
        CHECK_GE(length, n);
        CHECK_LE(length, end - start);
        p += n;
        end = start + length;
        if (op == 0x11) {
            struct dsdt_obj size;

            decode_object(&p, end, &size);
            CHECK_EQ(size.type, OBJ_INTEGER);
            CHECK_EQ(size.value, end - p);
            obj->type = OBJ_BUFFER;
        } else {
            CHECK_LT(p, end);
            obj->type = OBJ_PACKAGE;
            obj->n_elements = *p++;
        }
        obj->data = p;
        obj->end = end;
        p = end;
        break;
    default:
        CHECK_MSG(false, "unexpected data object opcode %#x", op);
    }
    *pp = p;
}

/* Decodes the NameString at *P into NAME (ASL notation with full
 * segments: "\\_SB_.PCI0") and advances *P past it. */
static void
decode_name(const uint8_t **pp, const uint8_t *end, char name[64])
{
    const uint8_t *p = *pp;
    char *s = name;
    size_t n_segs = 1;

    CHECK_LT(p, end);
    if (*p == '\\') {
        *s++ = *p++;
    }
    CHECK_LT(p, end);
    if (*p == 0x00) {
        n_segs = 0;
        p++;
    } else if (*p == 0x2e) {
        n_segs = 2;
        p++;
    } else if (*p == 0x2f) {
        CHECK_LT(p + 1, end);
        n_segs = p[1];
        p += 2;
    }
    CHECK_LE(n_segs, 10);
    CHECK_LE(p + 4 * n_segs, end);
    for (size_t i = 0; i < n_segs; i++) {
        CHECK_MSG((p[0] >= 'A' && p[0] <= 'Z') || p[0] == '_',
                  "bad name character %#x", p[0]);
        if (i) {
            *s++ = '.';
        }
        memcpy(s, p, 4);
        s += 4;
        p += 4;
    }
    *s = '\0';
    *pp = p;
}

/* What the walk of a term list finds: every Name and Device, by
 * absolute path. */
struct dsdt_item {
    char path[64];
    bool is_device;
    struct dsdt_obj obj;        /* Names only. */
};
struct dsdt_items {
    struct dsdt_item items[32];
    size_t n;
};

static void
join_path(char out[64], const char *scope, const char *name)
{
    if (name[0] == '\\') {
        snprintf(out, 64, "%s", name);
    } else {
        snprintf(out, 64, "%s%s%s", scope,
                 strcmp(scope, "\\") ? "." : "", name);
    }
}

/* Walks the term list [P, END) in scope SCOPE (a path), which may hold
 * only Name, Scope and Device. */
static void
walk_terms(const uint8_t *p, const uint8_t *end, const char *scope,
           struct dsdt_items *items)
{
    while (p < end) {
        char name[64];
        const uint8_t *start;
        size_t length, n;
        uint8_t op = *p++;

        CHECK_LT(items->n, ARRAY_SIZE(items->items));
        struct dsdt_item *item = &items->items[items->n];
        memset(item, 0, sizeof *item);
        switch (op) {
        case 0x08:                                      /* Name. */
            decode_name(&p, end, name);
            join_path(item->path, scope, name);
            decode_object(&p, end, &item->obj);
            items->n++;
            break;
        case 0x10:                                      /* Scope. */
        case 0x5b:                                      /* Device. */
            if (op == 0x5b) {
                CHECK_LT(p, end);
                CHECK_EQ(*p++, 0x82);
            }
            start = p;
            length = decode_pkglength(p, end, &n);
            CHECK_GE(length, n);
            CHECK_LE(length, end - start);
            p += n;
            decode_name(&p, start + length, name);
            if (op == 0x5b) {
                join_path(item->path, scope, name);
                item->is_device = true;
                items->n++;
                walk_terms(p, start + length, item->path, items);
            } else {
                char path[64];

                join_path(path, scope, name);
                walk_terms(p, start + length, path, items);
            }
            p = start + length;
            break;
        default:
            CHECK_MSG(false, "unexpected opcode %#x in %s", op, scope);
        }
    }
    CHECK(p == end);
}

static const struct dsdt_item *
find_item(const struct dsdt_items *items, const char *path)
{
    for (size_t i = 0; i < items->n; i++) {
        if (!strcmp(items->items[i].path, path)) {
            return &items->items[i];
        }
    }
    return NULL;
}

/* The named object PATH, which must exist and be of TYPE. */
static const struct dsdt_obj *
get_object(const struct dsdt_items *items, const char *path,
           enum dsdt_obj_type type)
{
    const struct dsdt_item *item = find_item(items, path);

    CHECK_MSG(item && !item->is_device, "%s not found", path);
    CHECK_EQ(item->obj.type, type);
    return &item->obj;
}

/* Builds the tables and returns the DSDT (checked: header, length,
 * checksum) and its length in *LENGTHP.  MEM is the caller's to free. */
static const uint8_t *
build_dsdt(uint8_t **memp, unsigned int n_cpus, uint32_t *lengthp)
{
    uint8_t *mem = *memp = xzalloc(MEM_SIZE);

    CHECK_EQ(acpi_build(mem, MEM_SIZE, n_cpus), 0);
    uint64_t fadt = find_table(mem, "FACP");
    uint64_t dsdt = vmm_get_le64(mem + fadt + 140);
    uint32_t length = check_table(mem, dsdt, "DSDT");
    CHECK_EQ(mem[dsdt + 8], 2);         /* Revision: 64-bit integers. */
    *lengthp = length;
    return mem + dsdt;
}

/* The resource descriptors of _CRS. */
struct crs_range {
    uint64_t min, max;
};
struct crs {
    struct crs_range bus[4], io_fixed[4], io[4], mem[4];
    size_t n_bus, n_io_fixed, n_io, n_mem;
};

/* Decodes a Word (N = 2) or DWord (N = 4) address space descriptor of
 * BODY_LEN bytes at P into R, checking that it is a fixed, produced,
 * positively decoded window. */
static uint8_t
decode_addr_desc(const uint8_t *p, size_t body_len, size_t n,
                 struct crs_range *r, uint8_t *type_flags)
{
    CHECK_EQ(body_len, 3 + 5 * n);
    uint8_t type = p[0];
    CHECK_EQ(p[1] & 0x01, 0);           /* Producer. */
    CHECK_EQ(p[1] & 0x02, 0);           /* Positive decoding. */
    CHECK_EQ(p[1] & 0x0c, 0x0c);        /* Min and max fixed. */
    *type_flags = p[2];

    uint64_t f[5];
    for (size_t i = 0; i < 5; i++) {
        f[i] = n == 2 ? vmm_get_le16(p + 3 + 2 * i)
                      : vmm_get_le32(p + 3 + 4 * i);
    }
    CHECK_EQ(f[0], 0);                  /* Granularity. */
    CHECK_LE(f[1], f[2]);
    CHECK_EQ(f[3], 0);                  /* Translation. */
    CHECK_U64_EQ(f[4], f[2] - f[1] + 1);
    r->min = f[1];
    r->max = f[2];
    return type;
}

static void
decode_crs(const struct dsdt_obj *buf, struct crs *crs)
{
    const uint8_t *p = buf->data, *end = buf->end;
    bool end_tag = false;

    memset(crs, 0, sizeof *crs);
    while (p < end) {
        CHECK(!end_tag);
        if (!(p[0] & 0x80)) {
            /* Small descriptor. */
            unsigned int type = (p[0] >> 3) & 0xf, len = p[0] & 7;
            CHECK_LE(p + 1 + len, end);
            if (type == 0x8) {                          /* IO. */
                CHECK_EQ(len, 7);
                CHECK_EQ(p[1], 1);                      /* Decode16. */
                CHECK_LT(crs->n_io_fixed, 4);
                struct crs_range *r = &crs->io_fixed[crs->n_io_fixed++];
                r->min = vmm_get_le16(p + 2);
                CHECK_EQ(vmm_get_le16(p + 4), r->min);  /* Fixed. */
                r->max = r->min + p[7] - 1;
            } else {
                CHECK_EQ(type, 0xf);                    /* End tag. */
                CHECK_EQ(len, 1);
                end_tag = true;
            }
            p += 1 + len;
        } else {
            /* Large descriptor. */
            CHECK_LE(p + 3, end);
            size_t len = vmm_get_le16(p + 1);
            CHECK_LE(p + 3 + len, end);
            struct crs_range r;
            uint8_t type, flags;
            if (p[0] == 0x88) {                         /* Word. */
                type = decode_addr_desc(p + 3, len, 2, &r, &flags);
                CHECK(type == 1 || type == 2);
                if (type == 1) {
                    CHECK_EQ(flags, 0x03);              /* EntireRange. */
                    CHECK_LT(crs->n_io, 4);
                    crs->io[crs->n_io++] = r;
                } else {
                    CHECK_EQ(flags, 0);
                    CHECK_LT(crs->n_bus, 4);
                    crs->bus[crs->n_bus++] = r;
                }
            } else {
                CHECK_EQ(p[0], 0x87);                   /* DWord. */
                type = decode_addr_desc(p + 3, len, 4, &r, &flags);
                CHECK_EQ(type, 0);                      /* Memory. */
                CHECK_EQ(flags & 0x01, 0x01);           /* ReadWrite. */
                CHECK_LT(crs->n_mem, 4);
                crs->mem[crs->n_mem++] = r;
            }
            p += 3 + len;
        }
    }
    CHECK(end_tag);
}

/* The index of the range of R[0..N) that holds [MIN, MAX], or -1 if
 * none does; fails the case if one overlaps it only in part. */
static int
find_range(const struct crs_range *r, size_t n, uint64_t min, uint64_t max)
{
    int found = -1;

    for (size_t i = 0; i < n; i++) {
        if (min >= r[i].min && max <= r[i].max) {
            found = i;
        } else {
            CHECK_MSG(max < r[i].min || min > r[i].max,
                      "[%#"PRIx64", %#"PRIx64"] straddles a window",
                      min, max);
        }
    }
    return found;
}

TEST(dsdt_pci_root_bridge)
{
    uint8_t *mem;
    uint32_t length;
    const uint8_t *t = build_dsdt(&mem, 4, &length);
    struct dsdt_items items = { .n = 0 };

    walk_terms(t + 36, t + length, "\\", &items);

    /* \_S5 is still there. */
    const struct dsdt_obj *s5 = get_object(&items, "\\_S5_", OBJ_PACKAGE);
    CHECK_EQ(s5->n_elements, 4);
    const uint8_t *p = s5->data;
    for (int i = 0; i < 4; i++) {
        struct dsdt_obj e;

        decode_object(&p, s5->end, &e);
        CHECK_EQ(e.type, OBJ_INTEGER);
        CHECK_EQ(e.value, i < 2 ? VMM_S5_SLP_TYP : 0);
    }
    CHECK(p == s5->end);

    /* The root bridge and its identity. */
    const struct dsdt_item *pci0 = find_item(&items, "\\_SB_.PCI0");
    CHECK(pci0 && pci0->is_device);
    const struct dsdt_obj *hid = get_object(&items, "\\_SB_.PCI0._HID",
                                            OBJ_INTEGER);
    char hid_s[8];
    eisaid_to_string(hid->value, hid_s);
    CHECK_STREQ(hid_s, "PNP0A03");
    CHECK_EQ(get_object(&items, "\\_SB_.PCI0._UID", OBJ_INTEGER)->value, 0);
    CHECK_EQ(get_object(&items, "\\_SB_.PCI0._SEG", OBJ_INTEGER)->value, 0);
    CHECK_EQ(get_object(&items, "\\_SB_.PCI0._BBN", OBJ_INTEGER)->value, 0);
    CHECK(!find_item(&items, "\\_SB_.PCI0._ADR"));  /* Not with _HID. */
    CHECK_EQ(items.n, 8);   /* _S5, PCI0, _HID, _UID, _SEG, _BBN, _CRS,
                             * _PRT. */
    free(mem);
}

TEST(dsdt_pci_crs)
{
    uint8_t *mem;
    uint32_t length;
    const uint8_t *t = build_dsdt(&mem, 1, &length);
    struct dsdt_items items = { .n = 0 };
    struct crs crs;

    walk_terms(t + 36, t + length, "\\", &items);
    decode_crs(get_object(&items, "\\_SB_.PCI0._CRS", OBJ_BUFFER), &crs);

    /* Bus 0 only. */
    CHECK_EQ(crs.n_bus, 1);
    CHECK_EQ(crs.bus[0].min, 0);
    CHECK_EQ(crs.bus[0].max, 0);

    /* The configuration ports are consumed, and in no window. */
    CHECK_EQ(crs.n_io_fixed, 1);
    CHECK_EQ(crs.io_fixed[0].min, VMM_PCI_CONFIG_ADDR);
    CHECK_EQ(crs.io_fixed[0].max, VMM_PCI_CONFIG_DATA + 3);
    CHECK_EQ(find_range(crs.io, crs.n_io, VMM_PCI_CONFIG_ADDR,
                        VMM_PCI_CONFIG_DATA + 3), -1);

    /* Every other port is forwarded: the I/O BAR window and the legacy
     * devices. */
    CHECK_EQ(crs.n_io, 2);
    uint64_t total = 0;
    for (size_t i = 0; i < crs.n_io; i++) {
        total += crs.io[i].max - crs.io[i].min + 1;
    }
    CHECK_EQ(total, 0x10000 - 8);
    CHECK_GE(find_range(crs.io, crs.n_io, VMM_PCI_IO_BASE,
                        VMM_PCI_IO_END - 1), 0);
    CHECK_GE(find_range(crs.io, crs.n_io, VMM_COM1_PORT,
                        VMM_COM1_PORT + 7), 0);

    /* Memory: legacy VGA and the 32-bit BAR window, exactly; not the
     * IOAPIC nor RAM. */
    CHECK_EQ(crs.n_mem, 2);
    CHECK_EQ(find_range(crs.mem, crs.n_mem, 0xa0000, 0xbffff), 0);
    CHECK_U64_EQ(crs.mem[0].min, 0xa0000);
    CHECK_U64_EQ(crs.mem[0].max, 0xbffff);
    CHECK_EQ(find_range(crs.mem, crs.n_mem, VMM_PCI_MMIO_BASE,
                        VMM_PCI_MMIO_END - 1), 1);
    CHECK_U64_EQ(crs.mem[1].min, VMM_PCI_MMIO_BASE);
    CHECK_U64_EQ(crs.mem[1].max, VMM_PCI_MMIO_END - 1);
    CHECK_EQ(find_range(crs.mem, crs.n_mem, VMM_IOAPIC_ADDR,
                        VMM_IOAPIC_ADDR), -1);
    CHECK_EQ(find_range(crs.mem, crs.n_mem, VMM_HIGH_RAM_START,
                        VMM_PCI_HOLE - 1), -1);
    free(mem);
}

TEST(dsdt_pci_prt)
{
    uint8_t *mem;
    uint32_t length;
    const uint8_t *t = build_dsdt(&mem, 2, &length);
    struct dsdt_items items = { .n = 0 };
    bool seen[PCI_MAX_SLOTS][4];

    memset(seen, 0, sizeof seen);
    walk_terms(t + 36, t + length, "\\", &items);
    const struct dsdt_obj *prt = get_object(&items, "\\_SB_.PCI0._PRT",
                                            OBJ_PACKAGE);
    CHECK_EQ(prt->n_elements, (PCI_MAX_SLOTS - 1) * 4);

    const uint8_t *p = prt->data;
    for (unsigned int i = 0; i < prt->n_elements; i++) {
        struct dsdt_obj entry, f[4];

        decode_object(&p, prt->end, &entry);
        CHECK_EQ(entry.type, OBJ_PACKAGE);
        CHECK_EQ(entry.n_elements, 4);
        const uint8_t *q = entry.data;
        for (int j = 0; j < 4; j++) {
            decode_object(&q, entry.end, &f[j]);
            CHECK_EQ(f[j].type, OBJ_INTEGER);
        }
        CHECK(q == entry.end);

        /* { 0xSSSSffff (any function), pin, source 0, GSI }. */
        CHECK_EQ(f[0].value & 0xffff, 0xffff);
        uint64_t slot = f[0].value >> 16, pin = f[1].value;
        CHECK_GE(slot, 1);
        CHECK_LT(slot, PCI_MAX_SLOTS);
        CHECK_LT(pin, 4);
        CHECK(!seen[slot][pin]);
        seen[slot][pin] = true;
        CHECK_EQ(f[2].value, 0);
        CHECK_EQ(f[3].value, pci_slot_gsi(slot));
        CHECK_LT(f[3].value, VMM_FIRST_MSI_GSI);
        CHECK_NE(f[3].value, VMM_SCI_IRQ);
        CHECK_NE(f[3].value, VMM_COM1_IRQ);
    }
    CHECK(p == prt->end);
    for (int slot = 1; slot < PCI_MAX_SLOTS; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            CHECK(seen[slot][pin]);
        }
    }
    free(mem);
}

TEST(dsdt_same_for_any_cpus_and_disjoint)
{
    uint8_t *mem1, *mem2;
    uint32_t len1, len2;
    const uint8_t *d1 = build_dsdt(&mem1, 1, &len1);
    const uint8_t *d2 = build_dsdt(&mem2, ACPI_MAX_CPUS, &len2);

    CHECK_EQ(len1, len2);
    CHECK_MEMEQ(d1, d2, len1);

    /* No table overlaps another, even with the largest MADT. */
    const uint8_t *rsdp = mem2 + ACPI_RSDP_ADDR;
    uint64_t fadt = find_table(mem2, "FACP");
    uint64_t addrs[] = {
        vmm_get_le32(rsdp + 16), vmm_get_le64(rsdp + 24), fadt,
        find_table(mem2, "APIC"), d2 - mem2,
    };
    struct {
        uint64_t addr, len;
    } t[ARRAY_SIZE(addrs) + 2];
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
        t[n].addr = addrs[i];
        t[n++].len = vmm_get_le32(mem2 + addrs[i] + 4);
    }
    t[n].addr = ACPI_RSDP_ADDR;
    t[n++].len = 36;
    t[n].addr = vmm_get_le32(mem2 + fadt + 36);     /* FACS. */
    t[n++].len = 64;
    for (size_t i = 0; i < n; i++) {
        CHECK_GE(t[i].addr, VMM_ACPI_ADDR);
        CHECK_LE(t[i].addr + t[i].len, VMM_MPTABLE_ADDR);
        for (size_t j = 0; j < i; j++) {
            CHECK(t[i].addr + t[i].len <= t[j].addr
                  || t[j].addr + t[j].len <= t[i].addr);
        }
    }

    /* A corrupted DSDT byte breaks its checksum. */
    mem2[d2 - mem2 + 100] ^= 0x10;
    CHECK_NE(sum(d2, len2), 0);
    free(mem1);
    free(mem2);
}

/* iasl, if installed: the DSDT disassembles without complaint into the
 * ASL intended, and that ASL compiles back into the same AML. */
TEST(dsdt_iasl)
{
    if (system("iasl -v >/dev/null 2>&1")) {
        test_skip("iasl (acpica-tools) is not installed");
    }

    uint8_t *mem;
    uint32_t length;
    const uint8_t *t = build_dsdt(&mem, 1, &length);
    const char *dir = test_tmpdir();
    char *file = xasprintf("%s/dsdt.dat", dir);
    FILE *f = fopen(file, "wb");
    CHECK(f);
    CHECK_EQ(fwrite(t, 1, length, f), length);
    CHECK_EQ(fclose(f), 0);
    free(file);

    char *cmd = xasprintf("cd '%s' && iasl -d dsdt.dat >dis.log 2>&1", dir);
    CHECK_MSG(!system(cmd), "iasl -d failed, see %s/dis.log", dir);
    free(cmd);
    char *name = xasprintf("%s/dis.log", dir);
    char *log = test_read_file(name, NULL);
    CHECK(!test_regex_match(log, "[Ee]rror|[Ww]arning"));
    free(log);
    free(name);

    name = xasprintf("%s/dsdt.dsl", dir);
    char *dsl = test_read_file(name, NULL);
    free(name);
    static const char *const res[] = {
        "^ +Name \\(_S5, Package \\(0x04\\)",
        "^    Scope \\(\\\\_SB\\)$",
        "^        Device \\(PCI0\\)$",
        "Name \\(_HID, EisaId \\(\"PNP0A03\"\\)",
        "Name \\(_UID, Zero\\)",
        "Name \\(_SEG, Zero\\)",
        "Name \\(_BBN, Zero\\)",
        "Name \\(_CRS, ResourceTemplate \\(\\)",
        "WordBusNumber \\(ResourceProducer, MinFixed, MaxFixed, PosDecode,"
        "[[:space:]]+0x0000, +// Granularity"
        "[[:space:]]+0x0000, +// Range Minimum"
        "[[:space:]]+0x0000, +// Range Maximum",
        "IO \\(Decode16,[[:space:]]+0x0CF8, +// Range Minimum"
        "[[:space:]]+0x0CF8, +// Range Maximum"
        "[[:space:]]+0x01, +// Alignment"
        "[[:space:]]+0x08, +// Length",
        "WordIO \\(ResourceProducer, MinFixed, MaxFixed, PosDecode, "
        "EntireRange,[[:space:]]+0x0000, +// Granularity"
        "[[:space:]]+0x0000, +// Range Minimum"
        "[[:space:]]+0x0CF7, +// Range Maximum",
        "WordIO \\(ResourceProducer, MinFixed, MaxFixed, PosDecode, "
        "EntireRange,[[:space:]]+0x0000, +// Granularity"
        "[[:space:]]+0x0D00, +// Range Minimum"
        "[[:space:]]+0xFFFF, +// Range Maximum",
        "DWordMemory \\(ResourceProducer, PosDecode, MinFixed, MaxFixed, "
        "Cacheable, ReadWrite,[[:space:]]+0x00000000, +// Granularity"
        "[[:space:]]+0x000A0000, +// Range Minimum"
        "[[:space:]]+0x000BFFFF, +// Range Maximum",
        "Name \\(_PRT, Package \\(0x7C\\)",
        "Package \\(0x04\\)[[:space:]]+\\{[[:space:]]+0x0001FFFF, "
        "[[:space:]]+Zero, [[:space:]]+Zero, [[:space:]]+0x05[[:space:]]+}",
        "Package \\(0x04\\)[[:space:]]+\\{[[:space:]]+0x001FFFFF, "
        "[[:space:]]+0x03, [[:space:]]+Zero, [[:space:]]+0x05[[:space:]]+}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(res); i++) {
        CHECK_MSG(test_regex_match(dsl, res[i]),
                  "iasl -d output lacks /%s/", res[i]);
    }
    char *window = xasprintf(
        "DWordMemory \\(ResourceProducer, PosDecode, MinFixed, MaxFixed, "
        "NonCacheable, ReadWrite,[[:space:]]+0x00000000, +// Granularity"
        "[[:space:]]+0x%08"PRIX64", +// Range Minimum"
        "[[:space:]]+0x%08"PRIX64", +// Range Maximum",
        (uint64_t) VMM_PCI_MMIO_BASE, (uint64_t) VMM_PCI_MMIO_END - 1);
    CHECK_MSG(test_regex_match(dsl, window), "no /%s/", window);
    free(window);
    CHECK(!strstr(dsl, "_ADR"));
    free(dsl);

    /* Recompiled (without iasl's name optimization, which shortens
     * "\_SB_" at the root), the AML is byte for byte ours. */
    cmd = xasprintf("cd '%s' && iasl -on -p re dsdt.dsl >asl.log 2>&1",
                    dir);
    CHECK_MSG(!system(cmd), "iasl failed, see %s/asl.log", dir);
    free(cmd);
    name = xasprintf("%s/asl.log", dir);
    log = test_read_file(name, NULL);
    CHECK_MSG(strstr(log, " 0 Errors, 0 Warnings"), "%s", log);
    free(log);
    free(name);
    size_t re_len;
    name = xasprintf("%s/re.aml", dir);
    char *re = test_read_file(name, &re_len);
    free(name);
    CHECK_EQ(re_len, length);
    CHECK_MEMEQ(re + 36, t + 36, length - 36);
    free(re);
    free(mem);
}
