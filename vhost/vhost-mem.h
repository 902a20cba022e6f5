/*
 * vhost-mem: the frontend's memory as the backend sees it.
 *
 * A vhost-user frontend (QEMU, DPDK virtio-user, plx-vm) shares its guest
 * memory as a table of regions, each an fd to mmap plus three views of
 * the same bytes: the guest-physical address (what descriptors carry),
 * the frontend's own virtual address (what SET_VRING_ADDR carries) and
 * the offset into the fd.  struct vhost_mem maps every region once and
 * translates addresses of both kinds into pointers in this process.
 *
 * The one rule: a translation succeeds only if the whole range
 * [addr, addr + len) lies inside a single region; otherwise it returns
 * NULL and the caller treats the guest's request as bad input.  No
 * pointer into guest memory is ever formed any other way, so a guest can
 * never make the switch touch bytes outside what its frontend shared.
 *
 * Building a table validates it: a zero-sized region, ranges that wrap
 * around 2**64, guest-physical or user ranges that overlap another
 * region's, mmap offsets past the fd's size, or too many regions are
 * refused with a message.  A table is immutable once built; replacing
 * the table (a new SET_MEM_TABLE) builds a new one and destroys the old
 * one after every user of the old one has stopped (the caller's job).
 *
 * Dirty logging (live migration).  While the frontend asks for it
 * (VHOST_F_LOG_ALL), every byte the backend writes into guest memory must
 * be recorded in a shared bitmap with one bit per 4 KiB guest-physical
 * page (bit N of byte N/8 for page N), set with atomic OR because the
 * frontend clears bits concurrently.  struct vhost_log is that bitmap.
 */
#ifndef PLX_VHOST_MEM_H
#define PLX_VHOST_MEM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* QEMU sends at most 8 regions without VHOST_USER_PROTOCOL_F_
 * CONFIGURE_MEM_SLOTS, which Plexus does not offer. */
#define VHOST_MEM_MAX_REGIONS 8

/* One region as the frontend describes it (struct
 * VhostUserMemoryRegion on the wire). */
struct vhost_mem_region_desc {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
};

struct vhost_mem_region {
    uint64_t gpa;               /* First guest-physical address. */
    uint64_t uva;               /* Frontend's virtual address of 'gpa'. */
    uint64_t size;              /* Bytes. */
    uint8_t *hva;               /* Our pointer to 'gpa'. */
    void *map;                  /* The whole reservation: the fd's
                                 * first mmap_offset + size bytes (rounded
                                 * up to its page size) between PROT_NONE
                                 * guard areas. */
    size_t map_size;            /* Bytes of the reservation. */
};

struct vhost_mem {
    size_t n_regions;
    struct vhost_mem_region regions[VHOST_MEM_MAX_REGIONS];
};

/* Maps the N regions described in DESCS from FDS (one fd per region; the
 * caller keeps ownership of the fds and may close them afterwards).
 * Returns 0 and stores a new table in *MEMP, or an errno value with a
 * malloc'd message in *ERRP. */
int vhost_mem_create(const struct vhost_mem_region_desc *descs,
                     const int *fds, size_t n, struct vhost_mem **memp,
                     char **errp);
void vhost_mem_destroy(struct vhost_mem *);

/* Translates a guest-physical range, or returns NULL if it is not wholly
 * inside one region (or LEN is 0).  Never faults, never reads guest
 * memory. */
void *vhost_mem_gpa_to_hva(const struct vhost_mem *, uint64_t gpa,
                           uint64_t len);
/* The same for a range of the frontend's virtual addresses. */
void *vhost_mem_uva_to_hva(const struct vhost_mem *, uint64_t uva,
                           uint64_t len);
/* Converts a frontend virtual address into a guest-physical one, or
 * returns false if [uva, uva + len) is not inside one region. */
bool vhost_mem_uva_to_gpa(const struct vhost_mem *, uint64_t uva,
                          uint64_t len, uint64_t *gpa);

/* The dirty-page bitmap of VHOST_USER_SET_LOG_BASE. */
struct vhost_log {
    uint8_t *bits;              /* 'size' bytes, mmap'd shared. */
    uint64_t size;
    void *map;
    size_t map_size;
};

/* Maps SIZE bytes of FD at OFFSET (the caller keeps FD).  Returns 0 or an
 * errno value with a malloc'd message in *ERRP. */
int vhost_log_create(int fd, uint64_t size, uint64_t offset,
                     struct vhost_log **logp, char **errp);
void vhost_log_destroy(struct vhost_log *);
/* Marks the pages of [gpa, gpa + len) dirty.  LOG may be NULL (logging
 * off): then it does nothing.  Pages beyond the bitmap are ignored (the
 * frontend sized it for all of its memory). */
void vhost_log_write(struct vhost_log *log, uint64_t gpa, uint64_t len);

#define VHOST_LOG_PAGE 4096

#endif /* vhost-mem.h */
