/*
 * tests/guest/plx-guest/lib.c: memcpy and friends for the freestanding
 * guest (see lib.h).  String instructions keep them short and stop GCC
 * from turning the loops back into calls to themselves.
 */
#define PG_LIB_C 1
#include "lib.h"
#include <stdint.h>

void *
memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb"
                     : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t) dst - (uintptr_t) src >= n) {
        /* No overlap that a forward copy would clobber. */
        return memcpy(dst, src, n);
    }
    unsigned char *d = (unsigned char *) dst + n - 1;
    const unsigned char *s = (const unsigned char *) src + n - 1;
    __asm__ volatile("std; rep movsb; cld"
                     : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
    return dst;
}

void *
memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb"
                     : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int
memcmp(const void *a_, const void *b_, size_t n)
{
    const unsigned char *a = a_, *b = b_;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}
