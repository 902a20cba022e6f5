#include <config.h>
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *program_name = "plexus";

void
set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash ? slash + 1 : argv0;
    /* libtool-style "lt-" wrappers never apply here: plain binaries. */
}

void
plx_assert_failure(const char *where, const char *function,
                   const char *condition)
{
    fprintf(stderr, "%s: %s: assertion %s failed in %s()\n",
            program_name, where, condition, function);
    abort();
}

void
out_of_memory(void)
{
    fprintf(stderr, "%s: virtual memory exhausted\n", program_name);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xcalloc(size_t count, size_t size)
{
    void *p = count && size ? calloc(count, size) : calloc(1, 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xmemdup(const void *p, size_t size)
{
    void *q = xmalloc(size);
    if (size) {
        memcpy(q, p, size);
    }
    return q;
}

char *
xmemdup0(const char *p, size_t length)
{
    char *q = xmalloc(length + 1);
    memcpy(q, p, length);
    q[length] = '\0';
    return q;
}

char *
xstrdup(const char *s)
{
    return xmemdup0(s, strlen(s));
}

char *
xvasprintf(const char *format, va_list args)
{
    va_list args2;
    va_copy(args2, args);
    int needed = vsnprintf(NULL, 0, format, args);
    char *s = xmalloc(needed + 1);
    vsnprintf(s, needed + 1, format, args2);
    va_end(args2);
    return s;
}

char *
xasprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return s;
}

void *
x2nrealloc(void *base, size_t *n, size_t elem_size)
{
    if (*n == 0) {
        *n = 1;
    } else {
        if (*n > SIZE_MAX / 2 / elem_size) {
            out_of_memory();
        }
        *n *= 2;
    }
    return xrealloc(base, *n * elem_size);
}

static void
vreport(int err, const char *format, va_list args)
{
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, args);
    if (err) {
        fprintf(stderr, " (%s)", plx_strerror(err));
    }
    putc('\n', stderr);
}

void
plx_fatal(int err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(err, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void
plx_error(int err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(err, format, args);
    va_end(args);
}

const char *
plx_strerror(int error)
{
    static __thread char buffer[128];

    if (error == EOF) {
        return "End of file";
    }
    /* GNU strerror_r returns a pointer that may or may not be BUFFER. */
    return strerror_r(error, buffer, sizeof buffer);
}

static bool
str_to_llong_range(const char *s, int base, long long *x,
                   long long min, long long max)
{
    char *tail;
    int save_errno = errno;

    errno = 0;
    long long value = strtoll(s, &tail, base);
    bool ok = errno != ERANGE && tail != s && *tail == '\0'
              && value >= min && value <= max;
    errno = save_errno;
    *x = ok ? value : 0;
    return ok;
}

bool
str_to_llong(const char *s, int base, long long *x)
{
    return str_to_llong_range(s, base, x, LLONG_MIN, LLONG_MAX);
}

bool
str_to_int(const char *s, int base, int *x)
{
    long long ll;
    bool ok = str_to_llong_range(s, base, &ll, INT_MIN, INT_MAX);
    *x = ll;
    return ok;
}

bool
str_to_ullong(const char *s, int base, unsigned long long *x)
{
    char *tail;
    int save_errno = errno;

    /* strtoull() accepts a leading '-', which is never what we mean. */
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    errno = 0;
    unsigned long long value = *s == '-' ? 0 : strtoull(s, &tail, base);
    bool ok = *s != '-' && errno != ERANGE && tail != s && *tail == '\0';
    errno = save_errno;
    *x = ok ? value : 0;
    return ok;
}

bool
str_to_uint(const char *s, int base, unsigned int *x)
{
    unsigned long long ull;
    bool ok = str_to_ullong(s, base, &ull) && ull <= UINT_MAX;
    *x = ok ? ull : 0;
    return ok;
}

bool
is_all_zeros(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

bool
is_all_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}
