/* vhost-mem: the frontend's memory table and dirty log; see vhost-mem.h.
 *
 * Each region is mapped inside a larger PROT_NONE reservation, so that
 * a read or write that strays past a region (a bug here, never a guest's
 * doing, since every pointer comes from a bounds-checked translation)
 * faults at once instead of touching whatever happened to be mapped
 * next to it. */
#include <config.h>
#include "vhost/vhost-mem.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util.h"

/* True if [a, a + alen) and [b, b + blen) share a byte (neither wraps). */
static bool
ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int
mem_error(char **errp, int error, const char *format, ...)
    PLX_PRINTF_FORMAT(3, 4);

static int
mem_error(char **errp, int error, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    *errp = xvasprintf(format, args);
    va_end(args);
    return error;
}

/* Checks region I of DESCS against itself and the regions before it. */
static int
mem_check_region(const struct vhost_mem_region_desc *descs, size_t i,
                 char **errp)
{
    const struct vhost_mem_region_desc *d = &descs[i];

    if (!d->memory_size) {
        return mem_error(errp, EINVAL, "memory region %zu is empty", i);
    }
    if (d->guest_phys_addr + d->memory_size - 1 < d->guest_phys_addr
        || d->userspace_addr + d->memory_size - 1 < d->userspace_addr
        || d->mmap_offset + d->memory_size < d->mmap_offset
        || d->mmap_offset + d->memory_size > SIZE_MAX / 2) {
        return mem_error(errp, EINVAL, "memory region %zu (gpa %#"PRIx64
                         ", uva %#"PRIx64", offset %#"PRIx64", size %#"
                         PRIx64") wraps around", i, d->guest_phys_addr,
                         d->userspace_addr, d->mmap_offset,
                         d->memory_size);
    }
    for (size_t j = 0; j < i; j++) {
        const struct vhost_mem_region_desc *e = &descs[j];

        if (ranges_overlap(d->guest_phys_addr, d->memory_size,
                           e->guest_phys_addr, e->memory_size)) {
            return mem_error(errp, EINVAL, "memory regions %zu and %zu "
                             "overlap in guest-physical addresses", j, i);
        }
        if (ranges_overlap(d->userspace_addr, d->memory_size,
                           e->userspace_addr, e->memory_size)) {
            return mem_error(errp, EINVAL, "memory regions %zu and %zu "
                             "overlap in frontend addresses", j, i);
        }
    }
    return 0;
}

/* Maps SIZE bytes of FD from offset 0 at an ALIGN-aligned address with at
 * least ALIGN bytes of PROT_NONE guard on each side.  Returns the
 * mapping, with the whole reservation in *RESP and *RES_SIZEP, or NULL
 * with errno set. */
static uint8_t *
mem_map_guarded(int fd, size_t size, size_t align, void **resp,
                size_t *res_sizep)
{
    size_t res_size = size + 3 * align;
    uint8_t *res = mmap(NULL, res_size, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED) {
        return NULL;
    }
    uint8_t *start = (uint8_t *) ROUND_UP((uintptr_t) res + align, align);
    void *p = mmap(start, size, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED) {
        int error = errno;
        munmap(res, res_size);
        errno = error;
        return NULL;
    }
    *resp = res;
    *res_sizep = res_size;
    return start;
}

/* The mapping granularity of FD: its block size if that is a power of 2
 * of at least a page (2 MiB or 1 GiB for hugetlbfs), else a page. */
static size_t
mem_fd_align(const struct stat *st)
{
    size_t page = sysconf(_SC_PAGESIZE);
    size_t blk = st->st_blksize;

    return blk >= page && IS_POW2(blk) && blk <= (1u << 30) ? blk : page;
}

int
vhost_mem_create(const struct vhost_mem_region_desc *descs,
                 const int *fds, size_t n, struct vhost_mem **memp,
                 char **errp)
{
    *memp = NULL;
    *errp = NULL;
    if (n > VHOST_MEM_MAX_REGIONS) {
        return mem_error(errp, E2BIG, "%zu memory regions (at most %d)",
                         n, VHOST_MEM_MAX_REGIONS);
    }
    for (size_t i = 0; i < n; i++) {
        int error = mem_check_region(descs, i, errp);
        if (error) {
            return error;
        }
    }

    struct vhost_mem *mem = xzalloc(sizeof *mem);
    for (size_t i = 0; i < n; i++) {
        const struct vhost_mem_region_desc *d = &descs[i];
        struct vhost_mem_region *r = &mem->regions[i];
        struct stat st;

        if (fstat(fds[i], &st) < 0) {
            int error = errno;
            vhost_mem_destroy(mem);
            return mem_error(errp, error, "memory region %zu: fstat: %s",
                             i, plx_strerror(error));
        }
        uint64_t need = d->mmap_offset + d->memory_size;
        if (st.st_size < 0 || need > (uint64_t) st.st_size) {
            vhost_mem_destroy(mem);
            return mem_error(errp, EINVAL, "memory region %zu: offset %#"
                             PRIx64" + size %#"PRIx64" is past the end of "
                             "its file (%#"PRIx64" bytes)", i,
                             d->mmap_offset, d->memory_size,
                             (uint64_t) st.st_size);
        }
        size_t align = mem_fd_align(&st);
        size_t map_len = ROUND_UP(need, align);
        uint8_t *base = mem_map_guarded(fds[i], map_len, align, &r->map,
                                        &r->map_size);
        if (!base) {
            int error = errno;
            vhost_mem_destroy(mem);
            return mem_error(errp, error, "memory region %zu: mmap of %zu "
                             "bytes: %s", i, map_len, plx_strerror(error));
        }
        r->gpa = d->guest_phys_addr;
        r->uva = d->userspace_addr;
        r->size = d->memory_size;
        r->hva = base + d->mmap_offset;
        mem->n_regions++;
    }
    *memp = mem;
    return 0;
}

void
vhost_mem_destroy(struct vhost_mem *mem)
{
    if (mem) {
        for (size_t i = 0; i < mem->n_regions; i++) {
            munmap(mem->regions[i].map, mem->regions[i].map_size);
        }
        free(mem);
    }
}

/* True if [addr, addr + len) is inside [start, start + size).  LEN is
 * nonzero; no sum here can wrap. */
static inline bool
mem_range_inside(uint64_t addr, uint64_t len, uint64_t start,
                 uint64_t size)
{
    return addr >= start && addr - start < size && len <= size
           && addr - start <= size - len;
}

void *
vhost_mem_gpa_to_hva(const struct vhost_mem *mem, uint64_t gpa,
                     uint64_t len)
{
    if (!len) {
        return NULL;
    }
    for (size_t i = 0; i < mem->n_regions; i++) {
        const struct vhost_mem_region *r = &mem->regions[i];
        if (mem_range_inside(gpa, len, r->gpa, r->size)) {
            return r->hva + (gpa - r->gpa);
        }
    }
    return NULL;
}

void *
vhost_mem_uva_to_hva(const struct vhost_mem *mem, uint64_t uva,
                     uint64_t len)
{
    if (!len) {
        return NULL;
    }
    for (size_t i = 0; i < mem->n_regions; i++) {
        const struct vhost_mem_region *r = &mem->regions[i];
        if (mem_range_inside(uva, len, r->uva, r->size)) {
            return r->hva + (uva - r->uva);
        }
    }
    return NULL;
}

bool
vhost_mem_uva_to_gpa(const struct vhost_mem *mem, uint64_t uva,
                     uint64_t len, uint64_t *gpa)
{
    if (len) {
        for (size_t i = 0; i < mem->n_regions; i++) {
            const struct vhost_mem_region *r = &mem->regions[i];
            if (mem_range_inside(uva, len, r->uva, r->size)) {
                *gpa = r->gpa + (uva - r->uva);
                return true;
            }
        }
    }
    return false;
}

int
vhost_log_create(int fd, uint64_t size, uint64_t offset,
                 struct vhost_log **logp, char **errp)
{
    *logp = NULL;
    *errp = NULL;
    if (!size || offset + size < offset || offset + size > SIZE_MAX / 2) {
        return mem_error(errp, EINVAL, "dirty log of %#"PRIx64" bytes at "
                         "offset %#"PRIx64" is not valid", size, offset);
    }

    struct stat st;
    if (fstat(fd, &st) < 0) {
        int error = errno;
        return mem_error(errp, error, "dirty log: fstat: %s",
                         plx_strerror(error));
    }
    if (st.st_size < 0 || offset + size > (uint64_t) st.st_size) {
        return mem_error(errp, EINVAL, "dirty log: offset %#"PRIx64" + "
                         "size %#"PRIx64" is past the end of its file "
                         "(%#"PRIx64" bytes)", offset, size,
                         (uint64_t) st.st_size);
    }

    size_t map_size = ROUND_UP(offset + size, (size_t) sysconf(_SC_PAGESIZE));
    void *map = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                     fd, 0);
    if (map == MAP_FAILED) {
        int error = errno;
        return mem_error(errp, error, "dirty log: mmap of %zu bytes: %s",
                         map_size, plx_strerror(error));
    }

    struct vhost_log *log = xmalloc(sizeof *log);
    log->bits = (uint8_t *) map + offset;
    log->size = size;
    log->map = map;
    log->map_size = map_size;
    *logp = log;
    return 0;
}

void
vhost_log_destroy(struct vhost_log *log)
{
    if (log) {
        munmap(log->map, log->map_size);
        free(log);
    }
}

void
vhost_log_write(struct vhost_log *log, uint64_t gpa, uint64_t len)
{
    if (!log || !len) {
        return;
    }

    uint64_t first = gpa / VHOST_LOG_PAGE;
    uint64_t last = (gpa + len - 1 < gpa ? UINT64_MAX : gpa + len - 1)
                    / VHOST_LOG_PAGE;
    uint64_t max_page = log->size * 8 - 1;   /* size < 2**62. */
    if (first > max_page) {
        return;
    }
    last = MIN(last, max_page);
    for (uint64_t page = first; page <= last; page++) {
        __atomic_fetch_or(&log->bits[page / 8], (uint8_t) (1u << (page % 8)),
                          __ATOMIC_RELAXED);
    }
}
