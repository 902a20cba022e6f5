/*
 * Tests the KVM machine (vmm/vm.c) with the real /dev/kvm: tiny
 * simple-entry guests, built here as ELF images from a few bytes of
 * machine code, run at CPL 3 through the loaders, the UART and the
 * power controls, and end the ways a guest can end.  Skipped (visibly)
 * where /dev/kvm cannot be opened.
 */
#include <config.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "timeval.h"
#include "vmm/boot-guest.h"
#include "vmm/layout.h"
#include "vmm/pm.h"
#include "vmm/simple-entry.h"
#include "vmm/uart.h"
#include "vmm/vm.h"

#define CODE_ADDR 0x400000

struct image {
    uint8_t bytes[4096];
    size_t len;
};

/* An ELF64 executable with CODE loaded at CODE_ADDR and the Plexus note,
 * as tests/guest/plx-guest is linked. */
static void
build_image(struct image *img, const uint8_t *code, size_t code_len)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *) img->bytes;
    Elf64_Phdr *ph = (Elf64_Phdr *) (eh + 1);
    size_t note_off = sizeof *eh + 2 * sizeof *ph;
    size_t code_off = 0x200;

    memset(img, 0, sizeof *img);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = CODE_ADDR;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof *ph;
    eh->e_phnum = 2;

    /* Note: namesz 7 ("Plexus\0", padded to 8), descsz 4, type. */
    uint8_t *n = img->bytes + note_off;
    uint32_t hdr[3] = { 7, 4, PLX_NOTE_SIMPLE_ENTRY };
    memcpy(n, hdr, sizeof hdr);
    memcpy(n + 12, PLX_NOTE_NAME, 7);
    uint32_t version = PLX_SIMPLE_ENTRY_VERSION;
    memcpy(n + 20, &version, 4);

    ph[0] = (Elf64_Phdr) {
        .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = code_off,
        .p_vaddr = CODE_ADDR, .p_paddr = CODE_ADDR, .p_filesz = code_len,
        .p_memsz = code_len + 4096, .p_align = 0x1000,
    };
    ph[1] = (Elf64_Phdr) {
        .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = note_off,
        .p_filesz = 24, .p_memsz = 24, .p_align = 4,
    };
    memcpy(img->bytes + code_off, code, code_len);
    img->len = code_off + code_len;
}

struct guest_run {
    char console[1024];
    size_t console_len;
    enum vm_exit_reason reason;
    char detail[256];
};

static void
collect(void *run_, const uint8_t *data, size_t n)
{
    struct guest_run *run = run_;
    n = MIN(n, sizeof run->console - 1 - run->console_len);
    memcpy(run->console + run->console_len, data, n);
    run->console_len += n;
    run->console[run->console_len] = '\0';
}

static void
pm_event(void *vm_, enum pm_event event, uint8_t code)
{
    struct vm *vm = vm_;
    vm_request_exit(vm, (event == PM_POWEROFF ? VM_EXIT_POWEROFF
                         : event == PM_RESET ? VM_EXIT_RESET
                         : code ? VM_EXIT_GUEST_FAILED : VM_EXIT_POWEROFF),
                    "pm");
}

static void
skip_without_kvm(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        test_skip("/dev/kvm: %s", strerror(errno));
    }
    close(fd);
}

/* Runs CODE as a simple-entry guest until it ends or TIMEOUT_MS passes
 * (then presses the power button, and after as long again stops it). */
static void
run_guest(const uint8_t *code, size_t len, const char *cmdline,
          int timeout_ms, struct guest_run *run)
{
    struct vm_options opts = {
        .name = "test", .ram_size = 32 << 20, .n_vcpus = 2,
    };
    struct image img;
    struct vm *vm;
    char *error;

    skip_without_kvm();
    memset(run, 0, sizeof *run);
    build_image(&img, code, len);
    if (vm_create(&opts, &vm, &error)) {
        test_fail(TEST_WHERE, "vm_create: %s", error);
    }
    struct uart *uart = uart_create(vm_platform(vm), VMM_COM1_PORT,
                                    VMM_COM1_IRQ, collect, run);
    struct pm *pm = pm_create(vm_platform(vm), pm_event, vm);
    CHECK(uart && pm);

    struct boot_guest_params params = {
        .kernel = img.bytes, .kernel_len = img.len,
        .cmdline = cmdline, .n_cpus = 2, .tsc_khz = vm_tsc_khz(vm),
    };
    error = boot_guest_load(vm, &params);
    CHECK_NO_ERROR(error);
    error = NULL;
    CHECK_EQ(vm_start(vm, &error), 0);

    long long int deadline = time_msec() + timeout_ms;
    bool pressed = false;
    while (vm_get_exit(vm, NULL) == VM_EXIT_NONE) {
        if (time_msec() > deadline) {
            if (!pressed) {
                pm_power_button(pm);
                pressed = true;
                deadline = time_msec() + timeout_ms;
            } else {
                vm_request_exit(vm, VM_EXIT_STOPPED, "test timeout");
            }
        }
        usleep(1000);
    }
    vm_stop(vm);
    uart_flush(uart);

    const char *detail;
    run->reason = vm_get_exit(vm, &detail);
    snprintf(run->detail, sizeof run->detail, "%s", detail);
    pm_destroy(pm);
    uart_destroy(uart);
    vm_destroy(vm);
}

/* mov $port,%dx; mov $byte,%al; out %al,(%dx) */
#define OUTB(PORT, BYTE) \
    0x66, 0xba, (PORT) & 0xff, (PORT) >> 8, 0xb0, (BYTE), 0xee

TEST(cpl3_guest_prints_and_exits)
{
    static const uint8_t code[] = {
        OUTB(VMM_COM1_PORT, 'o'), OUTB(VMM_COM1_PORT, 'k'),
        OUTB(VMM_COM1_PORT, '\n'),
        OUTB(VMM_EXIT_PORT, 0),
        0xeb, 0xfe,                             /* jmp . */
    };
    struct guest_run run;

    run_guest(code, sizeof code, "", 5000, &run);
    CHECK_STREQ(run.console, "ok\n");
    CHECK_EQ(run.reason, VM_EXIT_POWEROFF);
}

TEST(guest_failure_code)
{
    static const uint8_t code[] = { OUTB(VMM_EXIT_PORT, 3), 0xeb, 0xfe };
    struct guest_run run;

    run_guest(code, sizeof code, "", 5000, &run);
    CHECK_EQ(run.reason, VM_EXIT_GUEST_FAILED);
}

TEST(boot_info_reaches_the_guest)
{
    /* Prints the first byte of the command line, found through RDI:
     *   mov 0x20(%rdi),%rsi    (boot_info->cmdline_addr)
     *   mov (%rsi),%al; mov $0x3f8,%dx; out %al,(%dx)
     *   cmpl $PLX_BOOT_INFO_MAGIC,(%rdi); jne fail; exit 0 */
    static const uint8_t code[] = {
        0x48, 0x8b, 0x77, 0x20,
        0x8a, 0x06,
        0x66, 0xba, 0xf8, 0x03, 0xee,
        0x81, 0x3f, 0x50, 0x4c, 0x58, 0x42,
        0x75, 0x07,
        OUTB(VMM_EXIT_PORT, 0),
        OUTB(VMM_EXIT_PORT, 9),
        0xeb, 0xfe,
    };
    struct guest_run run;

    run_guest(code, sizeof code, "Zeta", 5000, &run);
    CHECK_EQ(run.reason, VM_EXIT_POWEROFF);
    CHECK_STREQ(run.console, "Z");
}

TEST(fault_without_idt_is_a_crash)
{
    static const uint8_t code[] = { 0x0f, 0x0b };     /* ud2 */
    struct guest_run run;

    run_guest(code, sizeof code, "", 5000, &run);
    CHECK_EQ(run.reason, VM_EXIT_CRASH);
    CHECK(strstr(run.detail, "triple fault"));
}

TEST(power_button_reaches_a_polling_guest)
{
    /* loop: in $0x600,%ax; test $0x100,%ax; jz loop;
     *       mov $0x3400,%ax; mov $0x604,%dx; out %ax,(%dx) */
    static const uint8_t code[] = {
        0x66, 0xba, 0x00, 0x06,
        0x66, 0xed,
        0x66, 0xa9, 0x00, 0x01,
        0x74, 0xf8,
        0x66, 0xb8, 0x00, 0x34,
        0x66, 0xba, 0x04, 0x06,
        0x66, 0xef,
        0xeb, 0xfe,
    };
    struct guest_run run;

    run_guest(code, sizeof code, "", 300, &run);
    CHECK_EQ(run.reason, VM_EXIT_POWEROFF);
}

TEST(stop_a_spinning_guest)
{
    static const uint8_t code[] = { 0xeb, 0xfe };
    struct guest_run run;

    run_guest(code, sizeof code, "", 200, &run);
    CHECK_EQ(run.reason, VM_EXIT_STOPPED);
}

TEST(idle_port_sleeps)
{
    /* 20 times: mov $5000,%eax; mov $0x502,%dx; out %eax,(%dx); then
     * exit 0.  Should take about 100 ms, not burn a core. */
    static const uint8_t code[] = {
        0xb9, 20, 0, 0, 0,                      /* mov $20,%ecx */
        0xb8, 0x88, 0x13, 0, 0,                 /* mov $5000,%eax */
        0x66, 0xba, 0x02, 0x05,                 /* mov $0x502,%dx */
        0xef,                                   /* out %eax,(%dx) */
        0xff, 0xc9,                             /* dec %ecx */
        0x75, 0xf2,                             /* jnz mov-eax */
        OUTB(VMM_EXIT_PORT, 0),
        0xeb, 0xfe,
    };
    struct guest_run run;

    long long int start = time_msec();
    run_guest(code, sizeof code, "", 5000, &run);
    long long int elapsed = time_msec() - start;
    CHECK_EQ(run.reason, VM_EXIT_POWEROFF);
    CHECK(elapsed >= 100);
    CHECK(elapsed < 4000);
}

TEST(pause_and_resume)
{
    /* loop: incq 0x500000; jmp loop */
    static const uint8_t code[] = {
        0x48, 0xff, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00,
        0xeb, 0xf6,
    };
    struct vm_options opts = { .name = "test", .ram_size = 32 << 20,
                               .n_vcpus = 1 };
    struct image img;
    struct vm *vm;
    char *error;

    skip_without_kvm();
    build_image(&img, code, sizeof code);
    CHECK_EQ(vm_create(&opts, &vm, &error), 0);
    struct boot_guest_params params = {
        .kernel = img.bytes, .kernel_len = img.len, .cmdline = "",
        .n_cpus = 1,
    };
    error = boot_guest_load(vm, &params);
    CHECK_NO_ERROR(error);
    CHECK_EQ(vm_start(vm, &error), 0);

    volatile uint64_t *counter = (volatile uint64_t *) (vm_ram(vm)
                                                        + 0x500000);
    for (int round = 0; round < 3; round++) {
        uint64_t before = *counter;
        usleep(30 * 1000);
        CHECK(*counter > before);           /* Running. */

        vm_pause(vm);
        CHECK(vm_is_paused(vm));
        uint64_t paused = *counter;
        usleep(30 * 1000);
        CHECK_EQ(*counter, paused);         /* Not running. */
        vm_resume(vm);
        CHECK(!vm_is_paused(vm));
    }
    usleep(30 * 1000);
    uint64_t last = *counter;
    usleep(30 * 1000);
    CHECK(*counter > last);
    CHECK_EQ(vm_get_exit(vm, NULL), VM_EXIT_NONE);
    vm_destroy(vm);
}
