/*
 * tests/guest/plx-guest/lib.h: the few C library functions the guest
 * needs.
 *
 * The guest links with -nostdlib, yet GCC may emit calls to memcpy,
 * memset, memmove and memcmp (struct copies, large initializers) even in
 * freestanding code, so lib.c defines them with the standard prototypes
 * declared here.  The protocol code (net.c, cmdline.c, fmt.c) includes
 * only this header, so that the hosted unit test links the same code
 * against the real C library instead of lib.c.
 */
#ifndef PLX_GUEST_LIB_H
#define PLX_GUEST_LIB_H 1

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#if !__STDC_HOSTED__ && !defined PG_LIB_C
/* -ffreestanding implies -fno-builtin; let GCC inline small fixed-size
 * copies (descriptor fields, MAC addresses) and call lib.c otherwise. */
#define memcpy(D, S, N) __builtin_memcpy(D, S, N)
#define memmove(D, S, N) __builtin_memmove(D, S, N)
#define memset(D, C, N) __builtin_memset(D, C, N)
#define memcmp(A, B, N) __builtin_memcmp(A, B, N)
#endif

#define PG_ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])
#define PG_MIN(A, B) ((A) < (B) ? (A) : (B))
#define PG_MAX(A, B) ((A) > (B) ? (A) : (B))

#endif /* lib.h */
