/* Tests for vhost/vhost-mem.c: building, validating and translating a
 * memory table. */
#include <config.h>

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "test.h"
#include "vhost/vhost-mem.h"

#define MiB (1ULL << 20)

static int
make_fd(uint64_t size)
{
    int fd = memfd_create("mem", MFD_CLOEXEC);
    CHECK(fd >= 0 && !ftruncate(fd, size));
    return fd;
}

/* Tries to build a table from N descriptors over one 4 MiB fd; returns
 * the error (and checks a message came with it). */
static int
try_create(const struct vhost_mem_region_desc *d, size_t n)
{
    int fd = make_fd(4 * MiB);
    int fds[VHOST_MEM_MAX_REGIONS + 1];
    struct vhost_mem *mem;
    char *err;

    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        fds[i] = fd;
    }
    int error = vhost_mem_create(d, fds, n, &mem, &err);
    if (error) {
        CHECK(err && *err);
        CHECK(!mem);
        free(err);
    } else {
        CHECK(!err);
        vhost_mem_destroy(mem);
    }
    close(fd);
    return error;
}

TEST(translate)
{
    int fd = make_fd(4 * MiB);
    const struct vhost_mem_region_desc d[2] = {
        { 0, 1 * MiB, 0x7f0000000000ULL, 0 },
        { 0x100000000ULL, 2 * MiB, 0x7e0000000000ULL, 2 * MiB },
    };
    int fds[2] = { fd, fd };
    struct vhost_mem *mem;
    char *err;
    CHECK_EQ(vhost_mem_create(d, fds, 2, &mem, &err), 0);
    close(fd);                  /* The mappings stay. */
    CHECK_EQ(mem->n_regions, 2);

    uint8_t *r0 = vhost_mem_gpa_to_hva(mem, 0, 1);
    uint8_t *r1 = vhost_mem_gpa_to_hva(mem, 0x100000000ULL, 1);
    CHECK(r0 && r1);
    r0[5] = 42;
    r1[7] = 43;
    CHECK(vhost_mem_uva_to_hva(mem, 0x7f0000000005ULL, 1) == r0 + 5);
    CHECK(vhost_mem_uva_to_hva(mem, 0x7e0000000007ULL, 1) == r1 + 7);
    CHECK_EQ(*(uint8_t *) vhost_mem_uva_to_hva(mem, 0x7e0000000007ULL, 1),
             43);

    /* Whole region: yes; one byte more, or across regions: no. */
    CHECK(vhost_mem_gpa_to_hva(mem, 0, MiB) == r0);
    CHECK(!vhost_mem_gpa_to_hva(mem, 0, MiB + 1));
    CHECK(!vhost_mem_gpa_to_hva(mem, MiB, 1));
    CHECK(vhost_mem_gpa_to_hva(mem, 0x100000000ULL + 2 * MiB - 1, 1));
    CHECK(!vhost_mem_gpa_to_hva(mem, 0x100000000ULL + 2 * MiB - 1, 2));
    CHECK(!vhost_mem_gpa_to_hva(mem, 0, 0));
    CHECK(!vhost_mem_gpa_to_hva(mem, 10, UINT64_MAX));
    CHECK(!vhost_mem_gpa_to_hva(mem, UINT64_MAX, 2));
    CHECK(!vhost_mem_gpa_to_hva(mem, 0x100000000ULL - 1, 2));
    CHECK(!vhost_mem_uva_to_hva(mem, 0x7f0000000000ULL - 1, 1));
    CHECK(!vhost_mem_uva_to_hva(mem, 0x7f0000000000ULL + MiB - 4, 8));

    uint64_t gpa = 0;
    CHECK(vhost_mem_uva_to_gpa(mem, 0x7e0000000010ULL, 16, &gpa));
    CHECK_U64_EQ(gpa, 0x100000010ULL);
    CHECK(!vhost_mem_uva_to_gpa(mem, 0x7e0000000010ULL, 0, &gpa));
    CHECK(!vhost_mem_uva_to_gpa(mem, 0x7e0000000000ULL + 2 * MiB, 1, &gpa));

    vhost_mem_destroy(mem);
    vhost_mem_destroy(NULL);
}

TEST(validation)
{
    const uint64_t U = 0x7f0000000000ULL;
    struct vhost_mem_region_desc good[2] = {
        { 0, MiB, U, 0 }, { 2 * MiB, MiB, U + 2 * MiB, MiB },
    };
    CHECK_EQ(try_create(good, 2), 0);
    CHECK_EQ(try_create(good, 0), 0);

    /* Zero size. */
    struct vhost_mem_region_desc d[VHOST_MEM_MAX_REGIONS + 1];
    memcpy(d, good, sizeof good);
    d[1].memory_size = 0;
    CHECK_EQ(try_create(d, 2), EINVAL);

    /* Overlapping guest-physical ranges (partial and contained). */
    memcpy(d, good, sizeof good);
    d[1].guest_phys_addr = MiB - 4096;
    CHECK_EQ(try_create(d, 2), EINVAL);
    d[1].guest_phys_addr = 4096;
    d[1].memory_size = 4096;
    CHECK_EQ(try_create(d, 2), EINVAL);

    /* Overlapping frontend ranges. */
    memcpy(d, good, sizeof good);
    d[1].userspace_addr = U + 4096;
    CHECK_EQ(try_create(d, 2), EINVAL);

    /* Wrapping ranges. */
    memcpy(d, good, sizeof good);
    d[0].guest_phys_addr = UINT64_MAX - 4095;
    CHECK_EQ(try_create(d, 1), EINVAL);
    memcpy(d, good, sizeof good);
    d[0].userspace_addr = UINT64_MAX - 4095;
    CHECK_EQ(try_create(d, 1), EINVAL);
    memcpy(d, good, sizeof good);
    d[0].mmap_offset = UINT64_MAX - 4095;
    CHECK_EQ(try_create(d, 1), EINVAL);

    /* Ending exactly at 2**64 is fine. */
    memcpy(d, good, sizeof good);
    d[0].guest_phys_addr = UINT64_MAX - MiB + 1;
    CHECK_EQ(try_create(d, 1), 0);

    /* Past the end of the fd (4 MiB). */
    memcpy(d, good, sizeof good);
    d[1].mmap_offset = 3 * MiB + 1;
    CHECK_EQ(try_create(d, 2), EINVAL);
    d[1].mmap_offset = 3 * MiB;
    CHECK_EQ(try_create(d, 2), 0);

    /* Too many regions. */
    for (int i = 0; i <= VHOST_MEM_MAX_REGIONS; i++) {
        d[i] = (struct vhost_mem_region_desc) {
            i * 65536ULL, 65536, U + i * 65536ULL, i * 65536ULL,
        };
    }
    CHECK_EQ(try_create(d, VHOST_MEM_MAX_REGIONS), 0);
    CHECK_EQ(try_create(d, VHOST_MEM_MAX_REGIONS + 1), E2BIG);

    /* A bad fd. */
    struct vhost_mem *mem;
    char *err;
    int bad_fd = -1;
    CHECK_EQ(vhost_mem_create(good, &bad_fd, 1, &mem, &err), EBADF);
    free(err);
}
