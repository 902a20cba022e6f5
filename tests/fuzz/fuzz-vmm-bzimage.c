/* Fuzz target for the Linux loader: the input is a kernel image (a
 * bzImage, or anything else) given to plx-vm.  Its setup header is
 * parsed (vmm/linux-boot.c) and the kernel, a small initrd and a command
 * line are loaded into a 32 MiB guest memory that sits between PROT_NONE
 * guard pages, building the zero page, e820 map and boot state. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "vmm/linux-boot.h"

#define MEM_SIZE (32u << 20)
#define PAGE 4096u

static uint8_t *mem;

static void
setup(void)
{
    uint8_t *p = mmap(NULL, MEM_SIZE + 2 * PAGE, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        abort();
    }
    mem = p + PAGE;
    if (mprotect(mem, MEM_SIZE, PROT_READ | PROT_WRITE)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char initrd[4096];
    struct linux_bzimage bz;
    struct linux_boot_result r;
    char *error = NULL;

    if (!mem) {
        setup();
    }

    if (!linux_bzimage_parse(data, size, &bz, &error)) {
        if (bz.setup_size >= size || bz.payload_len != size - bz.setup_size
            || bz.version < 0x0206) {
            abort();
        }
    }
    free(error);
    error = NULL;

    if (!linux_boot_load(mem, MEM_SIZE, MEM_SIZE, data, size, initrd,
                         sizeof initrd, "console=ttyS0 root=/dev/vda", &r,
                         &error)) {
        if (r.kernel_start < 1 << 20 || r.kernel_end > MEM_SIZE
            || (r.initrd_addr < r.kernel_end)
            || r.initrd_addr + r.initrd_size > MEM_SIZE) {
            abort();
        }
    }
    free(error);
    return 0;
}
