/*
 * tests/guest/plx-guest/hw.h: the guest's only contact with hardware.
 *
 * plx-guest runs at CPL 3 (see vmm/simple-entry.h): port I/O works
 * through the TSS I/O-permission bitmap, every page of the first 4 GiB
 * is identity-mapped (the PCI window uncached), and there are no
 * interrupts.  So the only "privileged" instructions the guest ever
 * executes are IN and OUT; everything else here (RDTSC, MFENCE, plain
 * loads and stores) is ordinary user-mode code.
 *
 * Costs on the development machine (shared/notes/kvm-on-this-machine.md):
 * each IN/OUT or MMIO access that reaches the VMM is an exit of about
 * 25 us, an MMIO write that hits an ioeventfd (a virtqueue notify) about
 * 3 us.  Callers keep them out of fast paths.
 *
 * Memory ordering for virtio on x86: stores are not reordered with other
 * stores and loads not with other loads, so the virtio "write barrier"
 * and "read barrier" are compiler barriers; the one store-then-load case
 * (publish avail->idx, then read used->flags to decide whether to kick)
 * needs a full fence.
 */
#ifndef PLX_GUEST_HW_H
#define PLX_GUEST_HW_H 1

#include <stdint.h>

static inline void
pg_outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void
pg_outw(uint16_t port, uint16_t value)
{
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void
pg_outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint8_t
pg_inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline uint16_t
pg_inw(uint16_t port)
{
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline uint32_t
pg_inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline uint64_t
pg_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t) hi << 32) | lo;
}

static inline void
pg_cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* Compiler barrier: enough for store-store and load-load ordering. */
#define pg_barrier() __asm__ volatile("" ::: "memory")

/* Full fence: orders an earlier store before a later load. */
#define pg_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* MMIO: one access of exactly the given width through a volatile
 * pointer (the device model sees the width). */
static inline uint8_t
pg_mmio_read8(uintptr_t addr)
{
    return *(volatile uint8_t *) addr;
}

static inline uint16_t
pg_mmio_read16(uintptr_t addr)
{
    return *(volatile uint16_t *) addr;
}

static inline uint32_t
pg_mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *) addr;
}

static inline void
pg_mmio_write8(uintptr_t addr, uint8_t value)
{
    *(volatile uint8_t *) addr = value;
}

static inline void
pg_mmio_write16(uintptr_t addr, uint16_t value)
{
    *(volatile uint16_t *) addr = value;
}

static inline void
pg_mmio_write32(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *) addr = value;
}

#endif /* hw.h */
