/* Fuzz target for the ELF loader: the input is a kernel image given to
 * plx-vm.  It is parsed and loaded (vmm/elf-load.c) into a 4 MiB guest
 * memory, then offered to the simple-entry and Linux loaders
 * (vmm/linux-boot.c), which must refuse it with a message or load it
 * inside the buffer, which sits between PROT_NONE guard pages. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "vmm/elf-load.h"
#include "vmm/linux-boot.h"

#define MEM_SIZE (4u << 20)
#define PAGE 4096u

static uint8_t *mem;

static void
setup(void)
{
    uint8_t *p = mmap(NULL, MEM_SIZE + 2 * PAGE, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
    struct elf_load_info info;
    struct linux_boot_result r;
    char *error = NULL;

    if (!mem) {
        setup();
    }

    if (!elf_load(mem, MEM_SIZE, data, size, &info, &error)) {
        if (info.load_start < 1 << 20 || info.load_end > MEM_SIZE
            || info.entry < info.load_start || info.entry >= info.load_end) {
            abort();
        }
    }
    free(error);
    error = NULL;

    simple_boot_load(mem, MEM_SIZE, MEM_SIZE, 2, 1000000, data, size,
                     "fuzz", &r, &error);
    free(error);
    error = NULL;

    linux_boot_load(mem, MEM_SIZE, MEM_SIZE, data, size, "initrd", 6,
                    "console=ttyS0", &r, &error);
    free(error);
    return 0;
}
