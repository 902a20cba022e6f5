/*
 * vmm/elf-load.c: ELF64 loader (see elf-load.h).
 */
#include <config.h>
#include "vmm/elf-load.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "util.h"
#include "vmm/layout.h"
#include "vmm/simple-entry.h"
#include "vmm/x86-boot.h"

/* The headers are read by copying them into <elf.h> structs, which is
 * only right on a little-endian host; plx-vm runs on x86-64 only. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf-load.c assumes a little-endian host"
#endif

bool
elf_load_is_elf(const void *image, size_t len)
{
    return len >= SELFMAG && !memcmp(image, ELFMAG, SELFMAG);
}

static int
elf_error(char **errp, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);

static int
elf_error(char **errp, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);

    *errp = xasprintf("ELF image: %s", msg);
    free(msg);
    return EINVAL;
}

static int
check_ehdr(const uint8_t *image, size_t len, Elf64_Ehdr *eh, char **errp)
{
    if (len < sizeof *eh) {
        return elf_error(errp, "%zu bytes is too short for the ELF header",
                         len);
    }
    memcpy(eh, image, sizeof *eh);

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        return elf_error(errp, "bad magic");
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
        return elf_error(errp, "class %u is not ELFCLASS64",
                         eh->e_ident[EI_CLASS]);
    }
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        return elf_error(errp, "not little-endian");
    }
    if (eh->e_ident[EI_VERSION] != EV_CURRENT
        || eh->e_version != EV_CURRENT) {
        return elf_error(errp, "unknown ELF version");
    }
    if (eh->e_type != ET_EXEC) {
        return elf_error(errp, "type %u is not ET_EXEC", eh->e_type);
    }
    if (eh->e_machine != EM_X86_64) {
        return elf_error(errp, "machine %u is not x86-64", eh->e_machine);
    }
    if (eh->e_ehsize < sizeof *eh) {
        return elf_error(errp, "header size %u is too small", eh->e_ehsize);
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
        return elf_error(errp, "program header size %u is not %zu",
                         eh->e_phentsize, sizeof(Elf64_Phdr));
    }
    if (!eh->e_phnum) {
        return elf_error(errp, "no program headers");
    }
    if (eh->e_phnum > ELF_LOAD_MAX_PHDRS) {
        return elf_error(errp, "%u program headers is more than %d",
                         eh->e_phnum, ELF_LOAD_MAX_PHDRS);
    }
    if (eh->e_phoff > len
        || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
        return elf_error(errp, "program header table (offset %#"PRIx64", "
                         "%u entries) ends past the file",
                         (uint64_t) eh->e_phoff, eh->e_phnum);
    }
    return 0;
}

static void
get_phdr(const uint8_t *image, const Elf64_Ehdr *eh, int i, Elf64_Phdr *ph)
{
    memcpy(ph, image + eh->e_phoff + (size_t) i * sizeof *ph, sizeof *ph);
}

/* Walks the notes of PT_NOTE segment I (PH) looking for the Plexus note. */
static int
scan_notes(const uint8_t *image, int i, const Elf64_Phdr *ph,
           struct elf_load_info *info, char **errp)
{
    const uint64_t align = ph->p_align == 8 ? 8 : 4;
    const uint8_t *p = image + ph->p_offset;
    uint64_t left = ph->p_filesz;

    /* Name right after the 12-byte header; descriptor and next note at
     * the following multiple of ALIGN from the note's start. */
    while (left > 0) {
        if (left < 12) {
            return elf_error(errp, "segment %d: truncated note header", i);
        }
        uint32_t namesz = vmm_get_le32(p);
        uint32_t descsz = vmm_get_le32(p + 4);
        uint32_t type = vmm_get_le32(p + 8);
        uint64_t desc_ofs = ROUND_UP(12 + (uint64_t) namesz, align);
        uint64_t total = ROUND_UP(desc_ofs + descsz, align);
        if (desc_ofs + descsz > left) {
            return elf_error(errp, "segment %d: note ends past the segment",
                             i);
        }

        const uint8_t *name = p + 12;
        const uint8_t *desc = p + desc_ofs;
        if (namesz == sizeof PLX_NOTE_NAME
            && !memcmp(name, PLX_NOTE_NAME, sizeof PLX_NOTE_NAME)
            && type == PLX_NOTE_SIMPLE_ENTRY) {
            if (descsz != 4) {
                return elf_error(errp, "segment %d: Plexus note has a "
                                 "%"PRIu32"-byte descriptor, not 4",
                                 i, descsz);
            }
            info->simple_entry = true;
            info->simple_version = vmm_get_le32(desc);
        }

        /* The last note's padding may be missing. */
        total = MIN(total, left);
        p += total;
        left -= total;
    }
    return 0;
}

/* Parses and checks everything; loads into MEM too if MEM is nonnull. */
static int
elf_process(uint8_t *mem, uint64_t mem_size, const void *image_, size_t len,
            struct elf_load_info *info, char **errp)
{
    const uint8_t *image = image_;
    Elf64_Ehdr eh;

    *errp = NULL;
    memset(info, 0, sizeof *info);
    mem_size = MIN(mem_size, VMM_PCI_HOLE);
    int error = check_ehdr(image, len, &eh, errp);
    if (error) {
        return error;
    }

    info->load_start = UINT64_MAX;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        get_phdr(image, &eh, i, &ph);
        if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE) {
            continue;
        }
        if (ph.p_offset > len || len - ph.p_offset < ph.p_filesz) {
            return elf_error(errp, "segment %d ends past the file", i);
        }
        if (ph.p_type == PT_NOTE) {
            error = scan_notes(image, i, &ph, info, errp);
            if (error) {
                return error;
            }
            continue;
        }

        if (ph.p_filesz > ph.p_memsz) {
            return elf_error(errp, "segment %d: file size %#"PRIx64" is "
                             "larger than memory size %#"PRIx64,
                             i, (uint64_t) ph.p_filesz,
                             (uint64_t) ph.p_memsz);
        }
        if (!ph.p_memsz) {
            continue;
        }
        if (ph.p_paddr > UINT64_MAX - ph.p_memsz) {
            return elf_error(errp, "segment %d: address %#"PRIx64" + size "
                             "%#"PRIx64" overflows", i,
                             (uint64_t) ph.p_paddr, (uint64_t) ph.p_memsz);
        }
        uint64_t end = ph.p_paddr + ph.p_memsz;
        if (ph.p_paddr < VMM_HIGH_RAM_START || end > mem_size) {
            return elf_error(errp, "segment %d [%#"PRIx64", %#"PRIx64") "
                             "is outside RAM [%#llx, %#"PRIx64")", i,
                             (uint64_t) ph.p_paddr, end,
                             VMM_HIGH_RAM_START, mem_size);
        }
        info->load_start = MIN(info->load_start, ph.p_paddr);
        info->load_end = MAX(info->load_end, end);
        info->n_loads++;
    }
    if (!info->n_loads) {
        return elf_error(errp, "no loadable segment");
    }

    /* Entry point: physical first, then virtual (see elf-load.h). */
    bool found = false;
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            get_phdr(image, &eh, i, &ph);
            if (ph.p_type != PT_LOAD || !ph.p_memsz) {
                continue;
            }
            uint64_t base = pass ? ph.p_vaddr : ph.p_paddr;
            if (eh.e_entry >= base && eh.e_entry - base < ph.p_memsz) {
                info->entry = eh.e_entry - base + ph.p_paddr;
                found = true;
                break;
            }
        }
    }
    if (!found) {
        return elf_error(errp, "entry point %#"PRIx64" is in no loadable "
                         "segment", (uint64_t) eh.e_entry);
    }

    if (mem) {
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            get_phdr(image, &eh, i, &ph);
            if (ph.p_type == PT_LOAD && ph.p_memsz) {
                memcpy(mem + ph.p_paddr, image + ph.p_offset, ph.p_filesz);
                memset(mem + ph.p_paddr + ph.p_filesz, 0,
                       ph.p_memsz - ph.p_filesz);
            }
        }
    }
    return 0;
}

int
elf_load_parse(const void *image, size_t len, uint64_t mem_size,
               struct elf_load_info *info, char **errp)
{
    return elf_process(NULL, mem_size, image, len, info, errp);
}

int
elf_load(uint8_t *mem, uint64_t mem_size, const void *image, size_t len,
         struct elf_load_info *info, char **errp)
{
    return elf_process(mem, mem_size, image, len, info, errp);
}
