/* Tests for lib/timeval: clocks move the right way at the right rate, and
 * xastrftime_msec() formats known instants exactly. */
#include <config.h>
#include "timeval.h"

#include <stdlib.h>
#include <time.h>
#include "test.h"

TEST(monotonic_clocks_agree)
{
    long long int ms = time_msec();
    long long int us = time_usec();
    long long int ns = time_nsec();
    time_t s = time_now();

    CHECK_GE(us / 1000, ms);
    CHECK_LE(us / 1000 - ms, 100);
    CHECK_GE(ns / 1000, us);
    CHECK_LE(ns / 1000 - us, 100000);
    CHECK_GE(ms / 1000, s);
    CHECK_LE(ms / 1000 - s, 1);

    long long int prev = time_nsec();
    for (int i = 0; i < 100000; i++) {
        long long int now = time_nsec();
        CHECK_GE(now, prev);
        prev = now;
    }
}

TEST(wall_clock_matches_time)
{
    time_t before = time(NULL);
    long long int wall_ms = time_wall_msec();
    time_t wall = time_wall();
    time_t after = time(NULL);

    CHECK_GE(wall_ms / 1000, before);
    CHECK_LE(wall_ms / 1000, after);
    CHECK_GE(wall, before);
    CHECK_LE(wall, after);
}

TEST(msleep_sleeps)
{
    long long int start = time_msec();
    plx_msleep(120);
    long long int elapsed = time_msec() - start;
    CHECK_GE(elapsed, 120);
    CHECK_LT(elapsed, 1000);

    start = time_msec();
    plx_msleep(0);
    CHECK_LT(time_msec() - start, 50);
}

static void
check_format(const char *format, long long int when, const char *expected)
{
    char *s = xastrftime_msec(format, when, true);
    CHECK_STREQ(s, expected);
    free(s);
}

TEST(xastrftime_msec_known_instants)
{
    const char *iso = "%Y-%m-%dT%H:%M:%S.###Z";

    check_format(iso, 0, "1970-01-01T00:00:00.000Z");
    check_format(iso, 123, "1970-01-01T00:00:00.123Z");
    check_format(iso, 1700000000456LL, "2023-11-14T22:13:20.456Z");
    check_format(iso, 1795507200007LL, "2026-11-24T08:00:00.007Z");
    check_format(iso, -1, "1969-12-31T23:59:59.999Z");

    /* Fewer digits, repeated, and escaped. */
    check_format("%S.#", 1700000000456LL, "20.4");
    check_format("%S.##", 1700000000456LL, "20.45");
    check_format("%S%.###", 1700000000456LL, "20.456");
    check_format("%.### %.####", 789, ".789 .789");
    check_format("100%% .5", 789, "100% .5");
    check_format("%%.###", 789, "%.789");
    check_format("no conversions", 5, "no conversions");
    check_format("", 5, "");
}

TEST(xastrftime_msec_long_output)
{
    /* Output much longer than the initial buffer. */
    char format[2001];
    memset(format, 'x', 2000);
    format[2000] = '\0';
    memcpy(format, "%Y", 2);
    char *s = xastrftime_msec(format, 0, true);
    CHECK_EQ(strlen(s), 2002);
    CHECK(!strncmp(s, "1970xx", 6));
    free(s);
}

TEST(xastrftime_msec_local_time)
{
    setenv("TZ", "UTC+2", 1);
    tzset();
    char *s = xastrftime_msec("%H:%M:%S.###", 3 * 3600 * 1000 + 5, false);
    CHECK_STREQ(s, "01:00:00.005");
    free(s);
}
