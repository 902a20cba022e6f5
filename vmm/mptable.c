/*
 * vmm/mptable.c: MP floating pointer and configuration table (see
 * mptable.h; layouts from the MultiProcessor Specification 1.4, ch. 4).
 */
#include <config.h>
#include "vmm/mptable.h"

#include <errno.h>
#include <string.h>
#include "util.h"
#include "vmm/acpi.h"
#include "vmm/x86-boot.h"

#define MPF_LEN      16
#define MPC_HDR_LEN  44
#define MPC_ADDR     (VMM_MPTABLE_ADDR + MPF_LEN)
#define MPC_MAX_LEN  (MPC_HDR_LEN + 20 * MPTABLE_MAX_CPUS + 2 * 8 + 8 \
                      + 15 * 8 + 2 * 8)

BUILD_ASSERT_DECL(MPC_ADDR + MPC_MAX_LEN <= VMM_HIGH_RAM_START);

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define MP_BUS_PCI 0
#define MP_BUS_ISA 1
#define MP_IRQ_LEVEL_HIGH 0x0d      /* Active high, level-triggered. */

static uint8_t *
put_bus(uint8_t *p, uint8_t id, const char type[6])
{
    p[0] = MP_BUS;
    p[1] = id;
    memcpy(p + 2, type, 6);
    return p + 8;
}

static uint8_t *
put_int(uint8_t *p, uint8_t kind, uint8_t int_type, uint16_t flags,
        uint8_t src_bus, uint8_t src_irq, uint8_t dst, uint8_t dst_pin)
{
    p[0] = kind;
    p[1] = int_type;
    vmm_put_le16(p + 2, flags);
    p[4] = src_bus;
    p[5] = src_irq;
    p[6] = dst;
    p[7] = dst_pin;
    return p + 8;
}

int
mptable_build(uint8_t *mem, uint64_t mem_size, unsigned int n_cpus)
{
    if (n_cpus < 1 || n_cpus > MPTABLE_MAX_CPUS
        || mem_size < VMM_HIGH_RAM_START) {
        return EINVAL;
    }
    memset(mem + VMM_MPTABLE_ADDR, 0, MPF_LEN + MPC_MAX_LEN);

    uint8_t *mpc = mem + MPC_ADDR;
    uint8_t *p = mpc + MPC_HDR_LEN;
    unsigned int n_entries = 0;

    for (unsigned int i = 0; i < n_cpus; i++) {
        p[0] = MP_PROCESSOR;
        p[1] = i;                           /* Local APIC id. */
        p[2] = 0x14;                        /* Local APIC version. */
        p[3] = 1 | (i == 0 ? 2 : 0);        /* Enabled, bootstrap. */
        vmm_put_le32(p + 4, 0x600);         /* Signature: family 6. */
        vmm_put_le32(p + 8, 0x201);         /* Features: FPU, APIC. */
        p += 20;
        n_entries++;
    }

    p = put_bus(p, MP_BUS_PCI, "PCI   ");
    p = put_bus(p, MP_BUS_ISA, "ISA   ");
    n_entries += 2;

    uint8_t ioapic_id = n_cpus;
    p[0] = MP_IOAPIC;
    p[1] = ioapic_id;
    p[2] = 0x11;                            /* Version. */
    p[3] = 1;                               /* Enabled. */
    vmm_put_le32(p + 4, VMM_IOAPIC_ADDR);
    p += 8;
    n_entries++;

    for (int irq = 0; irq < 16; irq++) {
        if (irq == 2) {
            continue;                       /* The 8259 cascade. */
        }
        p = put_int(p, MP_INTSRC, MP_INT,
                    irq == VMM_SCI_IRQ ? MP_IRQ_LEVEL_HIGH : 0,
                    MP_BUS_ISA, irq, ioapic_id, irq == 0 ? 2 : irq);
        n_entries++;
    }

    p = put_int(p, MP_LINTSRC, MP_EXTINT, 0, MP_BUS_ISA, 0, 0xff, 0);
    p = put_int(p, MP_LINTSRC, MP_NMI, 0, MP_BUS_ISA, 0, 0xff, 1);
    n_entries += 2;

    uint16_t length = p - mpc;
    memcpy(mpc, "PCMP", 4);
    vmm_put_le16(mpc + 4, length);
    mpc[6] = 4;                             /* Spec revision 1.4. */
    memcpy(mpc + 8, "PLEXUS  ", 8);         /* OEM ID. */
    memcpy(mpc + 16, "PLXVM       ", 12);   /* Product ID. */
    vmm_put_le16(mpc + 34, n_entries);
    vmm_put_le32(mpc + 36, VMM_LAPIC_ADDR);
    mpc[7] = acpi_checksum(mpc, length);

    uint8_t *mpf = mem + VMM_MPTABLE_ADDR;
    memcpy(mpf, "_MP_", 4);
    vmm_put_le32(mpf + 4, MPC_ADDR);
    mpf[8] = 1;                             /* Length in 16-byte units. */
    mpf[9] = 4;                             /* Spec revision 1.4. */
    mpf[11] = 0;                            /* A configuration table. */
    mpf[12] = 0;                            /* Virtual wire, no IMCR. */
    mpf[10] = acpi_checksum(mpf, MPF_LEN);
    return 0;
}
