/*
 * tests/guest/plx-guest/main.c: boot, NIC bring-up, the poll loop and
 * shutdown.  See tests/guest/README.md for what the guest prints.
 */
#include "console.h"
#include "fmt.h"
#include "guest.h"
#include "hw.h"
#include "lib.h"
#include "pci.h"
#include "vmm/layout.h"
#include "vmm/simple-entry.h"

/* The note that makes plx-vm start us through the simple entry. */
struct pg_elf_note {
    uint32_t namesz, descsz, type;
    char name[8];               /* "Plexus\0", padded to 4 bytes. */
    uint32_t desc;
};

__attribute__((used, section(".note.plexus"), aligned(4)))
static const struct pg_elf_note plexus_note = {
    .namesz = sizeof PLX_NOTE_NAME,
    .descsz = 4,
    .type = PLX_NOTE_SIMPLE_ENTRY,
    .name = PLX_NOTE_NAME,
    .desc = PLX_SIMPLE_ENTRY_VERSION,
};

struct pg_nic pg_nics[PG_MAX_NICS];
int pg_n_nics;
uint64_t pg_tsc_khz;
bool pg_shutdown_requested;

static uint64_t pm_check_tsc;   /* Next power-button check. */
static uint64_t pm_period;      /* 20 ms in TSC ticks. */

/* A line plus room for the whole command line. */
static char line_storage[VMM_CMDLINE_MAX + 128];

void pg_main(const struct plx_boot_info *);

uint64_t
pg_tsc_to_us(uint64_t ticks)
{
    /* ticks * 1000 overflows only after ~200 days at 1 GHz. */
    return ticks * 1000 / pg_tsc_khz;
}

uint64_t
pg_ms_to_tsc(uint64_t ms)
{
    return ms * pg_tsc_khz;
}

static void
cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(0));
}

/* TSC frequency from CPUID leaf 0x15 or 0x16, when the VMM did not say. */
static uint64_t
tsc_khz_from_cpuid(void)
{
    uint32_t r[4];

    cpuid(0, r);
    uint32_t max = r[0];
    if (max >= 0x15) {
        cpuid(0x15, r);
        if (r[0] && r[1] && r[2]) {
            return (uint64_t) r[2] / 1000 * r[1] / r[0];
        }
    }
    if (max >= 0x16) {
        cpuid(0x16, r);
        if (r[0] & 0xffff) {
            return (uint64_t) (r[0] & 0xffff) * 1000;
        }
    }
    return 0;
}

static void __attribute__((noreturn))
halt_forever(void)
{
    for (;;) {
        pg_cpu_relax();
    }
}

static void __attribute__((noreturn))
exit_guest(int status)
{
    pg_outb(VMM_EXIT_PORT, status);
    halt_forever();
}

static void __attribute__((noreturn))
power_off(void)
{
    pg_console_line("power button, shutting down");
    pg_outw(VMM_PM1A_CNT_PORT,
            (VMM_S5_SLP_TYP << VMM_PM1_SLP_TYP_SHIFT) | VMM_PM1_SLP_EN);
    halt_forever();
}

static void
check_power_button(uint64_t now)
{
    if (now < pm_check_tsc) {
        return;
    }
    pm_check_tsc = now + pm_period;
    if (pg_inw(VMM_PM1A_EVT_PORT) & VMM_PM1_PWRBTN_STS) {
        pg_shutdown_requested = true;
    }
}

static void
rx_frame(void *nic_, const uint8_t *frame, size_t len)
{
    struct pg_nic *nic = nic_;
    struct pg_rx_info info;

    switch (pg_net_input(&nic->netif, frame, len, &info)) {
    case PG_RX_ECHO_REPLY:
        pg_app_echo_reply(nic, &info);
        break;
    case PG_RX_UDP:
        pg_app_udp(nic, &info, len);
        break;
    case PG_RX_DROP:
    case PG_RX_ARP:
    case PG_RX_ECHO_REQUEST:
        break;
    }
}

int
pg_poll(void)
{
    int n = 0;

    for (int i = 0; i < pg_n_nics; i++) {
        struct pg_nic *nic = &pg_nics[i];
        if (nic->up) {
            n += pg_vnet_rx_poll(&nic->vnet, 64, rx_frame, nic);
            pg_vnet_tx_reclaim(&nic->vnet);
        }
    }
    check_power_button(pg_rdtsc());
    return n;
}

uint64_t
pg_us_to_tsc(uint64_t us)
{
    return us * pg_tsc_khz / 1000;
}

/* Sleeps about US microseconds through the VMM's idle port (in steps of
 * at most VMM_IDLE_MAX_US). */
void
pg_idle_us(uint64_t us)
{
    while (us) {
        uint32_t step = PG_MIN(us, VMM_IDLE_MAX_US);
        pg_outl(VMM_IDLE_PORT, step);
        us -= step;
    }
}

/* Like pg_poll(), for loops that only wait: once nothing has arrived for
 * PG_IDLE_AFTER_US, each call also sleeps PG_IDLE_US through the VMM's
 * idle port, so an idle guest, or a receiver between bursts, does not
 * keep a host core busy.  (A 1024-entry ring holds 200 us of traffic at
 * 5 Mpps.) */
void
pg_poll_idle(void)
{
    static uint64_t last_rx;
    uint64_t now = pg_rdtsc();

    if (pg_poll() > 0 || !last_rx) {
        last_rx = now;
    } else if (now - last_rx >= pg_us_to_tsc(PG_IDLE_AFTER_US)) {
        pg_idle_us(PG_IDLE_US);
    }
}

/* The netif's transmit callback: replies go out at once. */
static int
nic_tx(void *vnet, const void *frame, size_t len)
{
    int error = pg_vnet_tx(vnet, frame, len);
    pg_vnet_tx_kick(vnet);
    return error;
}

static void
buf_bdf(struct pg_buf *b, const struct pg_pci_dev *dev)
{
    pg_buf_hex(b, dev->bus, 2);
    pg_buf_char(b, ':');
    pg_buf_hex(b, dev->slot, 2);
    pg_buf_char(b, '.');
    pg_buf_u64(b, dev->func);
}

static void
bring_up_nics(const struct pg_config *cfg, struct pg_alloc *alloc)
{
    struct pg_pci_dev devs[PG_MAX_NICS];
    struct pg_buf b;

    pg_n_nics = pg_pci_find(PG_VIRTIO_VENDOR, PG_VIRTIO_NET_DEVICE, devs,
                            PG_MAX_NICS);
    for (int i = 0; i < pg_n_nics; i++) {
        struct pg_nic *nic = &pg_nics[i];
        char err_storage[128];
        struct pg_buf err;

        pg_buf_init(&err, err_storage, sizeof err_storage);
        pg_buf_init(&b, line_storage, sizeof line_storage);
        if (pg_vnet_init(&nic->vnet, &devs[i], alloc, &err)) {
            pg_buf_str(&b, "error eth");
            pg_buf_u64(&b, i);
            pg_buf_str(&b, " pci=");
            buf_bdf(&b, &devs[i]);
            pg_buf_str(&b, ": ");
            pg_buf_str(&b, err.s);
            pg_console_line(b.s);
            continue;
        }
        nic->up = true;

        uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 + i };
        if (nic->vnet.has_mac) {
            memcpy(mac, nic->vnet.mac, 6);
        }
        const struct pg_if_config *ifc = &cfg->ifs[i];
        pg_netif_init(&nic->netif, mac, ifc->set ? ifc->ip : 0,
                      ifc->set ? ifc->prefix_len : 0, nic_tx, &nic->vnet);

        pg_buf_str(&b, "eth");
        pg_buf_u64(&b, i);
        pg_buf_str(&b, " mac=");
        pg_buf_mac(&b, mac);
        pg_buf_str(&b, " ip=");
        if (ifc->set) {
            pg_buf_ip(&b, ifc->ip);
            pg_buf_char(&b, '/');
            pg_buf_u64(&b, ifc->prefix_len);
        } else {
            pg_buf_str(&b, "none");
        }
        pg_buf_str(&b, " pci=");
        buf_bdf(&b, &devs[i]);
        pg_buf_str(&b, " queues=");
        pg_buf_u64(&b, nic->vnet.rx.size);
        pg_console_line(b.s);
    }

    if (!pg_n_nics) {
        pg_console_line("error no NIC");
    }
    for (int i = pg_n_nics; i < PG_MAX_NICS; i++) {
        if (cfg->ifs[i].set) {
            pg_buf_init(&b, line_storage, sizeof line_storage);
            pg_buf_str(&b, "warning no eth");
            pg_buf_u64(&b, i);
            pg_buf_str(&b, " for its ip setting");
            pg_console_line(b.s);
        }
    }
}

/* Prints the boot line and returns the command line (or ""). */
static const char *
boot_line(const struct plx_boot_info *bi, size_t *lenp)
{
    const char *cmdline = "";
    size_t len = 0;
    struct pg_buf b;

    if (bi->cmdline_addr && bi->cmdline_addr < bi->low_ram_end
        && bi->cmdline_len < bi->low_ram_end - bi->cmdline_addr) {
        cmdline = (const char *) (uintptr_t) bi->cmdline_addr;
        len = PG_MIN(bi->cmdline_len, VMM_CMDLINE_MAX - 1);
    }

    pg_buf_init(&b, line_storage, sizeof line_storage);
    pg_buf_str(&b, "boot mem=");
    pg_buf_u64(&b, bi->ram_size >> 20);
    pg_buf_str(&b, " cpus=");
    pg_buf_u64(&b, bi->n_cpus);
    pg_buf_str(&b, " cmdline=\"");
    for (size_t i = 0; i < len && cmdline[i]; i++) {
        char c = cmdline[i];
        pg_buf_char(&b, c >= 0x20 && c < 0x7f ? c : '?');
    }
    pg_buf_char(&b, '"');
    pg_console_line(b.s);

    *lenp = len;
    return cmdline;
}

void
pg_main(const struct plx_boot_info *bi)
{
    struct pg_config cfg;
    char err_storage[256], warn_storage[256];
    struct pg_buf err, warn, b;

    if (!bi || bi->magic != PLX_BOOT_INFO_MAGIC) {
        pg_console_line("error bad boot info magic");
        exit_guest(1);
    }

    size_t cmdline_len;
    const char *cmdline = boot_line(bi, &cmdline_len);

    pg_tsc_khz = bi->tsc_khz;
    if (!pg_tsc_khz) {
        pg_tsc_khz = tsc_khz_from_cpuid();
    }
    if (!pg_tsc_khz) {
        pg_tsc_khz = 1000 * 1000;
        pg_console_line("warning TSC frequency unknown, assuming 1 GHz");
    }
    pm_period = pg_ms_to_tsc(20);
    pm_check_tsc = pg_rdtsc() + pm_period;

    pg_buf_init(&err, err_storage, sizeof err_storage);
    pg_buf_init(&warn, warn_storage, sizeof warn_storage);
    if (pg_cmdline_parse(cmdline, cmdline_len, &cfg, &err, &warn)) {
        pg_buf_init(&b, line_storage, sizeof line_storage);
        pg_buf_str(&b, "error cmdline: ");
        pg_buf_str(&b, err.s);
        pg_console_line(b.s);
        exit_guest(1);
    }
    if (warn.len) {
        pg_buf_init(&b, line_storage, sizeof line_storage);
        pg_buf_str(&b, "warning ignored: ");
        pg_buf_str(&b, warn.s);
        pg_console_line(b.s);
    }

    struct pg_alloc alloc = {
        .next = bi->free_start,
        .end = PG_MIN(bi->low_ram_end, VMM_PCI_HOLE),
    };
    bring_up_nics(&cfg, &alloc);
    pg_console_line("ready");
    if (cfg.fault) {
        pg_console_line("fault: executing ud2");
        __asm__ volatile("ud2");
    }

    int status = pg_action_run(&cfg);
    if (pg_shutdown_requested) {
        power_off();
    }
    if (cfg.exit) {
        exit_guest(status);
    }

    for (;;) {
        pg_poll_idle();
        if (pg_shutdown_requested) {
            power_off();
        }
    }
}
