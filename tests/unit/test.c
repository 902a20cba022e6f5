/* The unit-test runner: see test.h. */
#include <config.h>
#include "test.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "hash.h"
#include "ofp-msgs.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_HAVE_LSAN 1
#endif
#endif
#ifdef TEST_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* Exit status of a case's child that has printed its own FAIL line.  Not
 * 1, which is what sanitizers exit with after a report: a case that dies
 * that way has printed nothing, and the parent must report it. */
#define TEST_EXIT_FAILED 99
#define TEST_EXIT_SKIPPED 77

static struct test_case *cases;
static const char *current_name;
static uint32_t seed;
static uint64_t rng_state;
static char *tmpdir;

void
test_register(struct test_case *tc)
{
    /* Constructors run in file order; keep that order for output. */
    struct test_case **p = &cases;
    while (*p) {
        p = &(*p)->next;
    }
    tc->next = NULL;
    *p = tc;
}

static const char *
suite_name(void)
{
    static char name[128];
    if (!name[0]) {
        const char *p = program_name;
        if (!strncmp(p, "test-", 5)) {
            p += 5;
        }
        snprintf(name, sizeof name, "%s", p);
    }
    return name;
}

void
test_fail(const char *where, const char *format, ...)
{
    va_list args;

    fflush(stdout);
    printf("FAIL %s/%s: %s: ", suite_name(), current_name, where);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf(" (seed %" PRIu32 ")\n", seed);
    fflush(stdout);
    _exit(TEST_EXIT_FAILED);
}

void
test_skip(const char *format, ...)
{
    va_list args;

    printf("SKIP %s/%s: ", suite_name(), current_name);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    _exit(TEST_EXIT_SKIPPED);
}

uint64_t
test_random64(void)
{
    /* splitmix64: small, fast, good enough for tests. */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t
test_random(void)
{
    return test_random64() >> 32;
}

uint32_t
test_seed(void)
{
    return seed;
}

const char *
test_tmpdir(void)
{
    if (!tmpdir) {
        const char *base = getenv("TMPDIR");
        char *template = xasprintf("%s/plx-test-XXXXXX",
                                   base && *base ? base : "/tmp");
        if (!mkdtemp(template)) {
            test_fail(TEST_WHERE, "mkdtemp: %s", strerror(errno));
        }
        tmpdir = template;
    }
    return tmpdir;
}

char *
test_read_file(const char *name, size_t *sizep)
{
    FILE *f = fopen(name, "rb");
    if (!f) {
        test_fail(TEST_WHERE, "%s: %s", name, strerror(errno));
    }

    size_t size = 0, allocated = 4096;
    char *buf = xmalloc(allocated + 1);
    size_t n;
    while ((n = fread(buf + size, 1, allocated - size, f)) > 0) {
        size += n;
        if (size == allocated) {
            allocated *= 2;
            buf = xrealloc(buf, allocated + 1);
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        test_fail(TEST_WHERE, "%s: read error", name);
    }
    buf[size] = '\0';
    if (sizep) {
        *sizep = size;
    }
    return buf;
}

bool
test_regex_match(const char *s, const char *re)
{
    regex_t r;
    int error = regcomp(&r, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
    if (error) {
        test_fail(TEST_WHERE, "bad regular expression \"%s\"", re);
    }
    bool match = !regexec(&r, s, 0, NULL, 0);
    regfree(&r);
    return match;
}

static void
run_case(struct test_case *tc)
{
    current_name = tc->name;
    const char *env_seed = getenv("PLX_TEST_SEED");
    seed = env_seed ? strtoul(env_seed, NULL, 0)
                    : hash_string(tc->name, 0);
    rng_state = seed;

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        printf("FAIL %s/%s: fork: %s\n", suite_name(), tc->name,
               strerror(errno));
        return;
    }
    if (!pid) {
        tc->function();
        if (tmpdir) {
            char *cmd = xasprintf("rm -rf '%s'", tmpdir);
            if (system(cmd)) {
                /* Leftovers in /tmp are not a test failure. */
            }
            free(cmd);
            free(tmpdir);
            tmpdir = NULL;
        }
#ifdef TEST_HAVE_LSAN
        /* Check for leaks now, while the verdict is still ours to give;
         * _exit() below skips LeakSanitizer's own check at exit. */
        if (__lsan_do_recoverable_leak_check()) {
            printf("FAIL %s/%s: memory leak (report above)\n",
                   suite_name(), tc->name);
            fflush(stdout);
            _exit(TEST_EXIT_FAILED);
        }
#endif
        fflush(stdout);
        _exit(0);
    }

    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        continue;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("PASS %s/%s\n", suite_name(), tc->name);
    } else if (WIFSIGNALED(status)) {
        printf("FAIL %s/%s: killed by signal %d (seed %" PRIu32 ")\n",
               suite_name(), tc->name, WTERMSIG(status), seed);
    } else if (WEXITSTATUS(status) != TEST_EXIT_FAILED
               && WEXITSTATUS(status) != TEST_EXIT_SKIPPED) {
        /* Exited without printing a verdict (e.g. a sanitizer report). */
        printf("FAIL %s/%s: exited with status %d (seed %" PRIu32 ")\n",
               suite_name(), tc->name, WEXITSTATUS(status), seed);
    }
    fflush(stdout);
}

struct ofpmsg *
test_ofpmsg_from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    struct ofpmsg *msg = ofpmsg_clone_data("", 0);
    uint8_t *p = ofpmsg_put_zeros(msg, n);

    CHECK_EQ(strlen(hex) % 2, 0);
    for (size_t i = 0; i < n; i++) {
        unsigned int byte;

        CHECK(sscanf(hex + 2 * i, "%2x", &byte) == 1);
        p[i] = byte;
    }
    return msg;
}

char *
test_ofpmsg_to_hex(const struct ofpmsg *msg)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_hex(&ds, msg->data, msg->size);
    return ds_steal_cstr(&ds);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (argc > 1 && !strcmp(argv[1], "--list")) {
        for (struct test_case *tc = cases; tc; tc = tc->next) {
            printf("%s/%s\n", suite_name(), tc->name);
        }
        return 0;
    }

    const char *pattern = argc > 1 ? argv[1] : NULL;
    for (struct test_case *tc = cases; tc; tc = tc->next) {
        if (!pattern || strstr(tc->name, pattern)) {
            run_case(tc);
        }
    }
    return 0;
}
