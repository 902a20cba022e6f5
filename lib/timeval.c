/* timeval: clocks, time formatting and sleeping.  See timeval.h. */
#include <config.h>
#include "timeval.h"

#include <errno.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

static void
plx_clock_gettime(clockid_t id, struct timespec *ts)
{
    if (clock_gettime(id, ts)) {
        /* Only EINVAL (bad clock) or EFAULT are possible: a broken
         * system, not an input error. */
        plx_assert(!"clock_gettime failed");
    }
}

static long long int
timespec_to_msec(const struct timespec *ts)
{
    return (long long int) ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

long long int
time_msec(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_MONOTONIC, &ts);
    return timespec_to_msec(&ts);
}

long long int
time_usec(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long int) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long int
time_nsec(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long int) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

time_t
time_now(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

long long int
time_wall_msec(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_REALTIME, &ts);
    return timespec_to_msec(&ts);
}

time_t
time_wall(void)
{
    struct timespec ts;
    plx_clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

/* Replaces each ".###" in FORMAT (the count of '#' is the number of
 * digits, 1 to 3; more are dropped) by '.' and the leading digits of the
 * millisecond part MSEC, as Open vSwitch's strftime_msec() does, so that
 * "%S.###" gives "20.456".  A '%' just before the '.' ("%S%.###") is
 * accepted and dropped.  Everything else passes through to strftime(). */
static char *
expand_msec_format(const char *format, int msec)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *p = format;
    char digits[4];

    snprintf(digits, sizeof digits, "%03d", msec);
    while (*p) {
        if (p[0] == '%' && p[1] == '%') {
            ds_put_cstr(&s, "%%");
            p += 2;
        } else if ((p[0] == '.' && p[1] == '#')
                   || (p[0] == '%' && p[1] == '.' && p[2] == '#')) {
            int n = 0;

            p = strchr(p, '#');
            ds_put_char(&s, '.');
            for (; *p == '#'; p++, n++) {
                if (n < 3) {
                    ds_put_char(&s, digits[n]);
                }
            }
        } else {
            ds_put_char(&s, *p++);
        }
    }
    return ds_steal_cstr(&s);
}

char *
xastrftime_msec(const char *format, long long int when_ms, int utc)
{
    long long int sec = when_ms / 1000;
    int msec = when_ms % 1000;
    if (msec < 0) {
        msec += 1000;
        sec--;
    }

    time_t t = sec;
    struct tm tm;
    if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
        memset(&tm, 0, sizeof tm);
    }

    char *fmt = expand_msec_format(format, msec);
    size_t size = 64;
    for (;;) {
        char *buf = xmalloc(size);
        /* strftime() returns 0 both for "too small" and for an empty
         * result; a buffer much larger than the format settles it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        size_t n = strftime(buf, size, fmt, &tm);
#pragma GCC diagnostic pop
        if (n > 0 || size > 64 * (strlen(fmt) + 1)) {
            buf[n] = '\0';
            free(fmt);
            return buf;
        }
        free(buf);
        size *= 2;
    }
}

void
plx_msleep(unsigned int msec)
{
    struct timespec ts = {
        .tv_sec = msec / 1000,
        .tv_nsec = (long) (msec % 1000) * 1000000,
    };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        continue;
    }
}
