/*
 * vmm/pm.c: power button, soft-off, resets, exit port.  See pm.h.
 */
#include <config.h>
#include "pm.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include "layout.h"
#include "platform.h"
#include "util.h"

#define PM1_SCI_EN 0x0001
#define I8042_CMD_RESET 0xfe
#define POST_PORT 0x80

struct pm {
    struct vmm_platform *platform;
    pm_event_func *event;
    void *aux;

    pthread_mutex_t mutex;
    uint16_t sts, en, cnt;
    int sci_level;
};

static void
pm_update_sci(struct pm *pm)
{
    int level = (pm->sts & pm->en) != 0;
    if (level != pm->sci_level) {
        pm->sci_level = level;
        pm->platform->class->set_irq(pm->platform, VMM_SCI_IRQ, level);
    }
}

/* PM1a event block: bytes 0-1 status (write 1 to clear), 2-3 enable. */
static void
pm_evt_read(void *pm_, uint64_t offset, void *data, unsigned int len)
{
    struct pm *pm = pm_;

    pthread_mutex_lock(&pm->mutex);
    uint32_t regs = pm->sts | ((uint32_t) pm->en << 16);
    pthread_mutex_unlock(&pm->mutex);
    vmm_io_put(data, len, offset < 4 ? regs >> (offset * 8) : 0);
}

static void
pm_evt_write(void *pm_, uint64_t offset, const void *data, unsigned int len)
{
    struct pm *pm = pm_;

    if (offset >= 4 || offset + len > 4) {
        return;
    }
    /* Only the bytes written change: a byte write to the enable register
     * keeps the other byte. */
    uint32_t mask = (uint32_t) ((1ULL << (8 * len)) - 1) << (offset * 8);
    uint32_t v = (uint32_t) vmm_io_get(data, len) << (offset * 8);

    pthread_mutex_lock(&pm->mutex);
    pm->sts &= ~(uint16_t) (v & mask);
    pm->en = (pm->en & ~(uint16_t) (mask >> 16)) | (uint16_t) ((v & mask)
                                                               >> 16);
    pm_update_sci(pm);
    pthread_mutex_unlock(&pm->mutex);
}

static void
pm_cnt_read(void *pm_, uint64_t offset, void *data, unsigned int len)
{
    struct pm *pm = pm_;

    pthread_mutex_lock(&pm->mutex);
    uint16_t cnt = pm->cnt | PM1_SCI_EN;
    pthread_mutex_unlock(&pm->mutex);
    vmm_io_put(data, len, offset < 2 ? cnt >> (offset * 8) : 0);
}

static void
pm_cnt_write(void *pm_, uint64_t offset, const void *data, unsigned int len)
{
    struct pm *pm = pm_;
    bool off = false;

    if (offset >= 2) {
        return;
    }
    uint16_t v = (uint16_t) (vmm_io_get(data, len) << (offset * 8));
    pthread_mutex_lock(&pm->mutex);
    if (offset == 1 && len == 1) {
        v |= pm->cnt & 0x00ff;
    } else if (len == 1) {
        v |= pm->cnt & 0xff00;
    }
    if (v & VMM_PM1_SLP_EN) {
        unsigned int slp_typ = (v >> VMM_PM1_SLP_TYP_SHIFT) & 7;
        off = slp_typ == VMM_S5_SLP_TYP;
        v &= ~VMM_PM1_SLP_EN;   /* Write-only. */
    }
    pm->cnt = v & ~PM1_SCI_EN;
    pthread_mutex_unlock(&pm->mutex);
    if (off) {
        pm->event(pm->aux, PM_POWEROFF, 0);
    }
}

static void
pm_i8042_read(void *pm PLX_UNUSED, uint64_t offset PLX_UNUSED,
              void *data, unsigned int len)
{
    memset(data, 0, len);
}

static void
pm_i8042_write(void *pm_, uint64_t offset, const void *data,
               unsigned int len PLX_UNUSED)
{
    struct pm *pm = pm_;

    /* Window is 0x60-0x64: offset 4 is the command port. */
    if (offset == 4 && *(const uint8_t *) data == I8042_CMD_RESET) {
        pm->event(pm->aux, PM_RESET, 0);
    }
}

static void
pm_exit_write(void *pm_, uint64_t offset PLX_UNUSED, const void *data,
              unsigned int len PLX_UNUSED)
{
    struct pm *pm = pm_;
    pm->event(pm->aux, PM_EXIT_PORT, *(const uint8_t *) data);
}

static void
pm_sink_read(void *aux PLX_UNUSED, uint64_t offset PLX_UNUSED, void *data,
             unsigned int len)
{
    memset(data, 0xff, len);
}

static void
pm_sink_write(void *aux PLX_UNUSED, uint64_t offset PLX_UNUSED,
              const void *data PLX_UNUSED, unsigned int len PLX_UNUSED)
{
}

static const struct vmm_io_ops pm_evt_ops = { pm_evt_read, pm_evt_write };
static const struct vmm_io_ops pm_cnt_ops = { pm_cnt_read, pm_cnt_write };
static const struct vmm_io_ops pm_i8042_ops = {
    pm_i8042_read, pm_i8042_write
};
static const struct vmm_io_ops pm_exit_ops = { pm_sink_read, pm_exit_write };
static const struct vmm_io_ops pm_sink_ops = { pm_sink_read, pm_sink_write };

struct pm_window {
    uint64_t base, len;
    const struct vmm_io_ops *ops;
};

static const struct pm_window pm_windows[] = {
    { VMM_PM1A_EVT_PORT, 4, &pm_evt_ops },
    { VMM_PM1A_CNT_PORT, 2, &pm_cnt_ops },
    { VMM_I8042_DATA_PORT, 5, &pm_i8042_ops },
    { VMM_EXIT_PORT, 1, &pm_exit_ops },
    { POST_PORT, 1, &pm_sink_ops },
};

struct pm *
pm_create(struct vmm_platform *platform, pm_event_func *event, void *aux)
{
    struct pm *pm = xzalloc(sizeof *pm);

    pm->platform = platform;
    pm->event = event;
    pm->aux = aux;
    pthread_mutex_init(&pm->mutex, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(pm_windows); i++) {
        const struct pm_window *w = &pm_windows[i];
        if (platform->class->map_io(platform, VMM_IO_PIO, w->base, w->len,
                                    w->ops, pm)) {
            while (i-- > 0) {
                platform->class->unmap_io(platform, VMM_IO_PIO,
                                          pm_windows[i].base);
            }
            pthread_mutex_destroy(&pm->mutex);
            free(pm);
            return NULL;
        }
    }
    return pm;
}

void
pm_destroy(struct pm *pm)
{
    if (pm) {
        for (size_t i = 0; i < ARRAY_SIZE(pm_windows); i++) {
            pm->platform->class->unmap_io(pm->platform, VMM_IO_PIO,
                                          pm_windows[i].base);
        }
        pthread_mutex_destroy(&pm->mutex);
        free(pm);
    }
}

void
pm_power_button(struct pm *pm)
{
    pthread_mutex_lock(&pm->mutex);
    pm->sts |= VMM_PM1_PWRBTN_STS;
    pm_update_sci(pm);
    pthread_mutex_unlock(&pm->mutex);
}
