/*
 * test: the unit-test harness.
 *
 * A test program defines cases with TEST(name) { ... } and is linked with
 * tests/unit/test.c, which provides main().  Each case runs in a child
 * process of its own, so a crash, an abort or a sanitizer report fails
 * that case alone and the rest still run.  Every case prints one line:
 *
 *     PASS suite/name
 *     FAIL suite/name: file:line: what went wrong
 *     SKIP suite/name: why it could not run here
 *
 * tests/run-tests counts these lines across all tiers and prints the
 * summary.  "program [PATTERN]" runs only cases whose name contains
 * PATTERN; "program --list" lists them.
 *
 * The CHECK macros stop the case at the first failure with the values
 * involved; test_skip() ends it as skipped.
 */
#ifndef PLX_TEST_H
#define PLX_TEST_H 1

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "util.h"

struct test_case {
    const char *name;
    void (*function)(void);
    struct test_case *next;
};

void test_register(struct test_case *);

#define TEST(NAME)                                                        \
    static void test_##NAME(void);                                        \
    static struct test_case test_case_##NAME = { #NAME, test_##NAME, 0 }; \
    static void register_##NAME(void) __attribute__((constructor));       \
    static void register_##NAME(void) { test_register(&test_case_##NAME); } \
    static void test_##NAME(void)

void test_fail(const char *where, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_NO_RETURN;
void test_skip(const char *format, ...) PLX_PRINTF_FORMAT(1, 2) PLX_NO_RETURN;

/* A fixed seed per case (from the case name) unless PLX_TEST_SEED is set,
 * so that randomized tests are repeatable; the seed is printed on
 * failure. */
uint32_t test_random(void);
uint64_t test_random64(void);
uint32_t test_seed(void);

/* A fresh temporary directory for this case, removed afterwards. */
const char *test_tmpdir(void);

/* Returns the whole of file NAME, NUL-terminated (so text can be used as
 * a string), its size in *SIZEP if SIZEP is nonnull; fails the case if
 * the file cannot be read.  The caller frees it. */
char *test_read_file(const char *name, size_t *sizep);

/* True if S matches extended regular expression RE (REG_NEWLINE: '^' and
 * '$' match at line boundaries). */
bool test_regex_match(const char *s, const char *re);

/* OpenFlow messages as hex, for the lib/ofp-* tests: a new message
 * holding the bytes HEX spells (which must be valid hex; the case fails
 * otherwise), and a malloc'd lowercase hex string of MSG's bytes. */
struct ofpmsg;
struct ofpmsg *test_ofpmsg_from_hex(const char *hex);
char *test_ofpmsg_to_hex(const struct ofpmsg *);

#define TEST_WHERE __FILE__ ":" PLX_STRINGIZE2(__LINE__)

#define CHECK(COND)                                                       \
    do {                                                                  \
        if (!(COND)) {                                                    \
            test_fail(TEST_WHERE, "CHECK(%s) failed", #COND);             \
        }                                                                 \
    } while (0)

#define CHECK_MSG(COND, ...)                                              \
    do {                                                                  \
        if (!(COND)) {                                                    \
            test_fail(TEST_WHERE, __VA_ARGS__);                           \
        }                                                                 \
    } while (0)

#define CHECK_INT_OP(A, OP, B)                                            \
    do {                                                                  \
        long long a__ = (long long) (A), b__ = (long long) (B);           \
        if (!(a__ OP b__)) {                                              \
            test_fail(TEST_WHERE, "%s %s %s: %lld vs %lld",               \
                      #A, #OP, #B, a__, b__);                             \
        }                                                                 \
    } while (0)
#define CHECK_EQ(A, B) CHECK_INT_OP(A, ==, B)
#define CHECK_NE(A, B) CHECK_INT_OP(A, !=, B)
#define CHECK_LT(A, B) CHECK_INT_OP(A, <, B)
#define CHECK_LE(A, B) CHECK_INT_OP(A, <=, B)
#define CHECK_GT(A, B) CHECK_INT_OP(A, >, B)
#define CHECK_GE(A, B) CHECK_INT_OP(A, >=, B)

#define CHECK_U64_EQ(A, B)                                                \
    do {                                                                  \
        uint64_t a__ = (A), b__ = (B);                                    \
        if (a__ != b__) {                                                 \
            test_fail(TEST_WHERE, "%s == %s: 0x%" PRIx64 " vs 0x%" PRIx64,\
                      #A, #B, a__, b__);                                  \
        }                                                                 \
    } while (0)

#define CHECK_STREQ(A, B)                                                 \
    do {                                                                  \
        const char *a__ = (A), *b__ = (B);                                \
        if (!a__ || !b__ || strcmp(a__, b__)) {                           \
            test_fail(TEST_WHERE, "%s == %s:\n  \"%s\"\nvs\n  \"%s\"",     \
                      #A, #B, a__ ? a__ : "(null)", b__ ? b__ : "(null)");\
        }                                                                 \
    } while (0)

#define CHECK_MEMEQ(A, B, N)                                              \
    do {                                                                  \
        if (memcmp(A, B, N)) {                                            \
            test_fail(TEST_WHERE, "memcmp(%s, %s, %s) != 0",               \
                      #A, #B, #N);                                        \
        }                                                                 \
    } while (0)

/* For an error-message-returning call that must succeed: fails with the
 * message if it is nonnull. */
#define CHECK_NO_ERROR(EXPR)                                              \
    do {                                                                  \
        char *err__ = (EXPR);                                             \
        if (err__) {                                                      \
            test_fail(TEST_WHERE, "%s: %s", #EXPR, err__);                \
        }                                                                 \
    } while (0)

#endif /* test.h */
