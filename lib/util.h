/*
 * util: the small things every Plexus file needs.
 *
 * Memory: xmalloc() and friends never return NULL; running out of memory
 * is not an error Plexus tries to survive (as in Open vSwitch), so they
 * abort with a message instead of making every caller handle it.
 *
 * Assertions: plx_assert() checks an internal invariant and is always
 * compiled in.  It must never be used on input from outside the process:
 * bad input gets an error return, not an abort (see STYLE.md).
 */
#ifndef PLX_UTIL_H
#define PLX_UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef __has_attribute
#define __has_attribute(x) 0
#endif

#define PLX_PRINTF_FORMAT(FMT, ARG1) __attribute__((format(printf, FMT, ARG1)))
#define PLX_NO_RETURN __attribute__((noreturn))
#define PLX_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define PLX_UNUSED __attribute__((unused))
#define PLX_LIKELY(X) __builtin_expect(!!(X), 1)
#define PLX_UNLIKELY(X) __builtin_expect(!!(X), 0)

/* Zeroes N_BYTES (a multiple of 8) at P with unrolled 16-byte stores.
 * For the per-packet structs (a flow key, packet metadata): GCC turns a
 * memset of a few hundred bytes of known size into "rep stos", whose
 * start-up cost then dominates the datapath's work per packet. */
typedef uint64_t plx_u64x2__ __attribute__((vector_size(16), aligned(8),
                                              may_alias));
typedef uint64_t plx_u64__ __attribute__((aligned(8), may_alias));
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static inline void
plx_zero_words(void *p, size_t n_bytes)
{
    plx_u64x2__ *v = p;
    size_t i;

#pragma GCC unroll 32
    for (i = 0; i < n_bytes / 16; i++) {
        v[i] = (plx_u64x2__) { 0, 0 };
    }
    if (n_bytes % 16) {
        *(plx_u64__ *) &v[i] = 0;
    }
}

/* Compile-time assertion, usable as a statement or at file scope. */
#define BUILD_ASSERT(EXPR) _Static_assert(EXPR, #EXPR)
#define BUILD_ASSERT_DECL(EXPR) _Static_assert(EXPR, #EXPR)

#define ARRAY_SIZE(ARRAY) (sizeof (ARRAY) / sizeof (ARRAY)[0])
#define MIN(X, Y) ((X) < (Y) ? (X) : (Y))
#define MAX(X, Y) ((X) > (Y) ? (X) : (Y))
#define DIV_ROUND_UP(X, Y) (((X) + ((Y) - 1)) / (Y))
#define ROUND_UP(X, Y) (DIV_ROUND_UP(X, Y) * (Y))
#define ROUND_DOWN(X, Y) ((X) / (Y) * (Y))
#define IS_POW2(X) ((X) && !((X) & ((X) - 1)))

/* Given POINTER, the address of MEMBER within some STRUCT, returns the
 * address of the STRUCT.  The heart of every intrusive container. */
#define CONTAINER_OF(POINTER, STRUCT, MEMBER) \
    ((STRUCT *) (void *) ((char *) (POINTER) - offsetof(STRUCT, MEMBER)))

/* Like CONTAINER_OF, but the type is taken from OBJECT, which is then
 * usable in the for-each macros of the containers. */
#define OBJECT_OFFSETOF(OBJECT, MEMBER) \
    offsetof(__typeof__(*(OBJECT)), MEMBER)
#define OBJECT_CONTAINING(POINTER, OBJECT, MEMBER) \
    ((__typeof__(OBJECT)) (void *) \
     ((char *) (POINTER) - OBJECT_OFFSETOF(OBJECT, MEMBER)))
/* Assigns OBJECT the container of POINTER and evaluates to true, so that
 * it can sit in the condition of a for loop. */
#define ASSIGN_CONTAINER(OBJECT, POINTER, MEMBER) \
    ((OBJECT) = OBJECT_CONTAINING(POINTER, OBJECT, MEMBER), (void) 0)
#define INIT_CONTAINER(OBJECT, POINTER, MEMBER) \
    ((OBJECT) = NULL, ASSIGN_CONTAINER(OBJECT, POINTER, MEMBER))

#define plx_assert(CONDITION)                                          \
    (PLX_LIKELY(CONDITION)                                             \
     ? (void) 0                                                        \
     : plx_assert_failure(__FILE__ ":" PLX_STRINGIZE2(__LINE__),       \
                          __func__, #CONDITION))
#define PLX_STRINGIZE(X) #X
#define PLX_STRINGIZE2(X) PLX_STRINGIZE(X)
#define PLX_NOT_REACHED() plx_assert_failure(__FILE__ ":"                \
                                             PLX_STRINGIZE2(__LINE__), \
                                             __func__, "not reached")
void plx_assert_failure(const char *where, const char *function,
                        const char *condition) PLX_NO_RETURN;

void *xmalloc(size_t) __attribute__((malloc));
void *xcalloc(size_t count, size_t size) __attribute__((malloc));
void *xzalloc(size_t) __attribute__((malloc));
void *xrealloc(void *, size_t);
void *xmemdup(const void *, size_t) __attribute__((malloc));
char *xmemdup0(const char *, size_t) __attribute__((malloc));
char *xstrdup(const char *) __attribute__((malloc));
char *xasprintf(const char *format, ...) PLX_PRINTF_FORMAT(1, 2)
    __attribute__((malloc));
char *xvasprintf(const char *format, va_list) PLX_PRINTF_FORMAT(1, 0)
    __attribute__((malloc));
/* Grows array *BASE of *N elements of ELEM_SIZE bytes so that it can hold
 * at least one more, doubling as needed; returns the new base. */
void *x2nrealloc(void *base, size_t *n, size_t elem_size);
PLX_NO_RETURN void out_of_memory(void);

/* Program name for messages, set once by set_program_name(argv[0]). */
extern const char *program_name;
void set_program_name(const char *argv0);

/* Prints "program_name: message" (plus ": strerror(err)" if ERR != 0) to
 * stderr, then exits with status 1.  For command-line tools; daemons log
 * through vlog instead. */
void plx_fatal(int err, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_NO_RETURN;
void plx_error(int err, const char *format, ...) PLX_PRINTF_FORMAT(2, 3);

/* Like strerror() but also knows EOF (returns "End of file") and is
 * thread-safe. */
const char *plx_strerror(int error);

/* Bit helpers. */
static inline int
count_1bits(uint64_t x)
{
    return __builtin_popcountll(x);
}

/* Number of trailing zero bits of X, which must be nonzero. */
static inline int
raw_ctz(uint64_t x)
{
    return __builtin_ctzll(x);
}

/* Number of trailing zero bits of X, or 64 if X is zero. */
static inline int
ctz64(uint64_t x)
{
    return x ? __builtin_ctzll(x) : 64;
}

/* Number of leading zero bits of X, or 64 if X is zero. */
static inline int
clz64(uint64_t x)
{
    return x ? __builtin_clzll(x) : 64;
}

/* Returns X with its lowest 1-bit cleared. */
static inline uint64_t
zero_rightmost_1bit(uint64_t x)
{
    return x & (x - 1);
}

/* Returns the least power of 2 >= X (X must be <= 2**63). */
static inline uint64_t
round_up_pow2(uint64_t x)
{
    return x <= 1 ? 1 : (uint64_t) 1 << (64 - clz64(x - 1));
}

/* Walks the 1-bits of MAP, lowest first, setting IDX to each position. */
#define ULLONG_FOR_EACH_1(IDX, MAP)                         \
    for (uint64_t map__ = (MAP);                            \
         map__ && (((IDX) = raw_ctz(map__)), true);          \
         map__ = zero_rightmost_1bit(map__))

/* True if the N bytes at P are all 0x00 (all 0xff). */
bool is_all_zeros(const void *p, size_t n);
bool is_all_ones(const void *p, size_t n);

bool str_to_int(const char *, int base, int *);
bool str_to_llong(const char *, int base, long long *);
bool str_to_uint(const char *, int base, unsigned int *);
bool str_to_ullong(const char *, int base, unsigned long long *);

#endif /* util.h */
