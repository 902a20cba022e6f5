/*
 * vmm/pm.h: the machine's power and reset controls.
 *
 *   - ACPI PM1a event block (VMM_PM1A_EVT_PORT: 16-bit status, then
 *     16-bit enable) and control block (VMM_PM1A_CNT_PORT), which the
 *     FADT describes: the power button is PWRBTN_STS, raising the SCI
 *     (VMM_SCI_IRQ, level) while enabled; writing SLP_TYP = 5 (\_S5 in
 *     the DSDT) with SLP_EN powers off.  SCI_EN reads 1: there is no
 *     SMI command port, so the OS finds ACPI already enabled.
 *   - The i8042 keyboard controller, only as far as a PC uses it to
 *     reset: command 0xfe on port 0x64 is a reset; status reads 0 (no
 *     data, input buffer empty) so Linux's probe finds no keyboard.
 *   (0xcf9, the chipset's reset control register, overlaps the PCI
 *   configuration address port and is not provided: Linux resets
 *   through the i8042 or ACPI.)
 *   - The Plexus guest-exit port VMM_EXIT_PORT: a byte ends the guest,
 *     0 as a power-off, anything else as a reported failure.
 *   - Port 0x80 (POST codes) is swallowed.
 *
 * The end of the guest is reported through the callback; pm_power_button()
 * is called from the main thread.
 */
#ifndef VMM_PM_H
#define VMM_PM_H 1

#include <stdint.h>

struct vmm_platform;

enum pm_event {
    PM_POWEROFF,                /* Soft-off. */
    PM_RESET,                   /* i8042 reset. */
    PM_EXIT_PORT,               /* Value in 'code'. */
};

typedef void pm_event_func(void *aux, enum pm_event, uint8_t code);

struct pm *pm_create(struct vmm_platform *, pm_event_func *, void *aux);
void pm_destroy(struct pm *);

/* Presses the ACPI power button (a graceful shutdown request). */
void pm_power_button(struct pm *);

#endif /* vmm/pm.h */
