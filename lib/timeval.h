/*
 * timeval: the clock every Plexus module reads.
 *
 * time_msec() is monotonic milliseconds (CLOCK_MONOTONIC): timers,
 * timeouts and rate limits use it, so that setting the wall clock never
 * fires or stalls them.  time_wall_msec() is wall-clock time, for what
 * people read (log timestamps, OVSDB and OpenFlow durations shown as
 * dates).
 */
#ifndef PLX_TIMEVAL_H
#define PLX_TIMEVAL_H 1

#include <stdint.h>
#include <time.h>

long long int time_msec(void);         /* Monotonic, milliseconds. */
long long int time_usec(void);         /* Monotonic, microseconds. */
long long int time_nsec(void);         /* Monotonic, nanoseconds. */
time_t time_now(void);                 /* Monotonic, seconds. */
long long int time_wall_msec(void);    /* Wall clock, ms since the epoch. */
time_t time_wall(void);                /* Wall clock, seconds. */

/* Formats wall-clock time WHEN_MS with strftime FORMAT (which may also use
 * "%.###" for milliseconds) into a new string (UTC if UTC is true).
 * As in Open vSwitch, ".###" without the '%' works too, and one to three
 * '#' give that many digits: "%H:%M:%S.###" -> "08:00:00.123". */
char *xastrftime_msec(const char *format, long long int when_ms, int utc);

/* Sleeps for MSEC milliseconds (restarting after signals). */
void plx_msleep(unsigned int msec);

#endif /* timeval.h */
