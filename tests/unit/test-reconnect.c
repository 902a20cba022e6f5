/* Tests for lib/reconnect: backoff growth and reset, connect timeouts,
 * inactivity probes, forced reconnects, max_tries, passive mode, stats.
 * Time is simulated: every call gets an explicit "now". */
#include <config.h>
#include "reconnect.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include "test.h"
#include "vlog.h"

static struct reconnect *
new_fsm(long long int now)
{
    /* Keep state-change chatter off the test output. */
    free(vlog_set_levels_from_string("reconnect:off"));
    struct reconnect *fsm = reconnect_create(now);
    reconnect_set_name(fsm, "test");
    return fsm;
}

TEST(starts_disabled)
{
    struct reconnect *fsm = new_fsm(1000);

    CHECK(!reconnect_is_enabled(fsm));
    CHECK_EQ(reconnect_run(fsm, 1000000), 0);
    CHECK_EQ(reconnect_timeout(fsm, 1000), -1);
    CHECK_STREQ(reconnect_get_state_name(fsm), "VOID");
    CHECK_EQ(reconnect_get_last_connect_elapsed(fsm, 2000), UINT_MAX);

    reconnect_enable(fsm, 1000);
    CHECK(reconnect_is_enabled(fsm));
    /* First attempt without delay. */
    CHECK_EQ(reconnect_timeout(fsm, 1000), 0);
    CHECK_EQ(reconnect_run(fsm, 1000), RECONNECT_CONNECT);
    reconnect_destroy(fsm);
}

TEST(backoff_doubles_to_max)
{
    struct reconnect *fsm = new_fsm(0);
    long long int now = 0;
    static const int expected[] = { 1000, 2000, 4000, 8000, 8000, 8000 };

    reconnect_set_backoff(fsm, 1000, 8000);
    reconnect_enable(fsm, now);
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
        reconnect_connecting(fsm, now);
        CHECK_STREQ(reconnect_get_state_name(fsm), "CONNECTING");
        now += 10;
        reconnect_connect_failed(fsm, now, ECONNREFUSED);
        CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");
        CHECK_EQ(reconnect_get_backoff(fsm), expected[i]);

        /* Nothing to do until the backoff has passed, exactly. */
        CHECK_EQ(reconnect_timeout(fsm, now), expected[i]);
        CHECK_EQ(reconnect_run(fsm, now + expected[i] - 1), 0);
        now += expected[i];
    }

    struct reconnect_stats stats;
    reconnect_get_stats(fsm, now, &stats);
    CHECK_EQ(stats.n_attempted_connections, ARRAY_SIZE(expected));
    CHECK_EQ(stats.n_successful_connections, 0);
    CHECK(!stats.is_connected);
    reconnect_destroy(fsm);
}

TEST(backoff_with_larger_range)
{
    struct reconnect *fsm = new_fsm(0);
    long long int now = 0;
    static const int expected[] = {
        2000, 4000, 8000, 16000, 32000, 60000, 60000
    };

    reconnect_set_backoff(fsm, 2000, 60000);
    CHECK_EQ(reconnect_get_min_backoff(fsm), 2000);
    CHECK_EQ(reconnect_get_max_backoff(fsm), 60000);
    reconnect_enable(fsm, now);
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
        reconnect_connect_failed(fsm, now, ETIMEDOUT);
        CHECK_EQ(reconnect_get_backoff(fsm), expected[i]);
        now += expected[i];
    }

    /* Silly settings are clamped. */
    reconnect_set_backoff(fsm, 10, 5);
    CHECK_EQ(reconnect_get_min_backoff(fsm), 1000);
    CHECK_EQ(reconnect_get_max_backoff(fsm), 1000);
    CHECK_EQ(reconnect_get_backoff(fsm), 1000);
    reconnect_set_backoff(fsm, 3000, 0);
    CHECK_EQ(reconnect_get_max_backoff(fsm), 8000);
    reconnect_destroy(fsm);
}

TEST(connect_attempt_times_out)
{
    struct reconnect *fsm = new_fsm(0);

    reconnect_enable(fsm, 0);
    CHECK_EQ(reconnect_run(fsm, 0), RECONNECT_CONNECT);
    reconnect_connecting(fsm, 0);
    /* backoff is 0: the attempt gets the 1 s minimum. */
    CHECK_EQ(reconnect_timeout(fsm, 0), 1000);
    CHECK_EQ(reconnect_run(fsm, 999), 0);
    CHECK_EQ(reconnect_run(fsm, 1000), RECONNECT_DISCONNECT);
    reconnect_connect_failed(fsm, 1000, ETIMEDOUT);
    CHECK_EQ(reconnect_get_backoff(fsm), 1000);
    reconnect_destroy(fsm);
}

TEST(inactivity_probe_then_disconnect)
{
    struct reconnect *fsm = new_fsm(0);

    reconnect_set_probe_interval(fsm, 5000);
    reconnect_enable(fsm, 0);
    reconnect_connecting(fsm, 0);
    reconnect_connected(fsm, 100);
    CHECK(reconnect_is_connected(fsm));
    CHECK_STREQ(reconnect_get_state_name(fsm), "ACTIVE");

    /* Data keeps arriving: no probe. */
    CHECK_EQ(reconnect_run(fsm, 5099), 0);
    reconnect_activity(fsm, 3000);
    CHECK_EQ(reconnect_run(fsm, 7999), 0);
    CHECK_EQ(reconnect_timeout(fsm, 7000), 1000);

    /* probe_interval of silence: probe. */
    CHECK_EQ(reconnect_run(fsm, 8000), RECONNECT_PROBE);
    CHECK_STREQ(reconnect_get_state_name(fsm), "IDLE");
    CHECK(reconnect_is_connected(fsm));

    /* A reply makes it ACTIVE again and restarts the clock. */
    reconnect_activity(fsm, 9000);
    CHECK_STREQ(reconnect_get_state_name(fsm), "ACTIVE");
    CHECK_EQ(reconnect_run(fsm, 13999), 0);
    CHECK_EQ(reconnect_run(fsm, 14000), RECONNECT_PROBE);

    /* Another probe_interval without a reply: disconnect. */
    CHECK_EQ(reconnect_run(fsm, 18999), 0);
    CHECK_EQ(reconnect_run(fsm, 19000), RECONNECT_DISCONNECT);
    reconnect_disconnected(fsm, 19000, ETIMEDOUT);
    CHECK(!reconnect_is_connected(fsm));
    CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");
    /* The connection was healthy for longer than the backoff: the next
     * attempt waits only min_backoff. */
    CHECK_EQ(reconnect_get_backoff(fsm), 1000);
    CHECK_EQ(reconnect_get_last_disconnect_elapsed(fsm, 19500), 500);

    struct reconnect_stats stats;
    reconnect_get_stats(fsm, 20000, &stats);
    CHECK_EQ(stats.n_attempted_connections, 1);
    CHECK_EQ(stats.n_successful_connections, 1);
    CHECK_EQ(stats.total_connected_duration, 19000 - 100);
    CHECK_EQ(stats.last_connected, 100);
    CHECK_EQ(stats.last_activity, 9000);
    CHECK_EQ(stats.seqno, 2);
    reconnect_destroy(fsm);
}

TEST(probe_disabled)
{
    struct reconnect *fsm = new_fsm(0);

    reconnect_set_probe_interval(fsm, 0);
    CHECK_EQ(reconnect_get_probe_interval(fsm), 0);
    reconnect_enable(fsm, 0);
    reconnect_connected(fsm, 0);
    CHECK_EQ(reconnect_run(fsm, 1000000000), 0);
    CHECK_EQ(reconnect_timeout(fsm, 0), -1);

    /* Tiny intervals are raised to 1 s. */
    reconnect_set_probe_interval(fsm, 5);
    CHECK_EQ(reconnect_get_probe_interval(fsm), 1000);
    reconnect_destroy(fsm);
}

TEST(flapping_connection_keeps_backing_off)
{
    struct reconnect *fsm = new_fsm(0);
    long long int now = 0;

    reconnect_enable(fsm, now);
    /* Connects, but drops before any data: not healthy, backoff keeps
     * growing as if the attempt failed. */
    int expected[] = { 1000, 2000, 4000, 8000 };
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
        reconnect_connecting(fsm, now);
        reconnect_connected(fsm, now + 1);
        reconnect_disconnected(fsm, now + 2, EOF);
        CHECK_EQ(reconnect_get_backoff(fsm), expected[i]);
        now += 2 + expected[i];
    }
    reconnect_destroy(fsm);
}

TEST(force_reconnect)
{
    struct reconnect *fsm = new_fsm(0);

    reconnect_enable(fsm, 0);
    reconnect_force_reconnect(fsm, 0);    /* In BACKOFF: no effect. */
    CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");
    reconnect_connected(fsm, 10);
    reconnect_force_reconnect(fsm, 20);
    CHECK_STREQ(reconnect_get_state_name(fsm), "RECONNECT");
    CHECK_EQ(reconnect_run(fsm, 20), RECONNECT_DISCONNECT);
    reconnect_disconnected(fsm, 20, 0);
    CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");

    reconnect_disable(fsm, 30);
    CHECK(!reconnect_is_enabled(fsm));
    CHECK_EQ(reconnect_run(fsm, 100000), 0);
    reconnect_destroy(fsm);
}

TEST(max_tries)
{
    struct reconnect *fsm = new_fsm(0);
    long long int now = 0;

    reconnect_set_max_tries(fsm, 3);
    reconnect_enable(fsm, now);         /* Uses one try. */
    CHECK_EQ(reconnect_get_max_tries(fsm), 2);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
        reconnect_connect_failed(fsm, now, ECONNREFUSED);
        now += reconnect_get_backoff(fsm);
    }
    /* Out of tries: back to VOID, for good. */
    CHECK(!reconnect_is_enabled(fsm));
    CHECK_EQ(reconnect_run(fsm, now + 100000), 0);
    reconnect_enable(fsm, now);
    CHECK(!reconnect_is_enabled(fsm));

    /* Zero tries: never enabled at all. */
    struct reconnect *fsm2 = new_fsm(0);
    reconnect_set_max_tries(fsm2, 0);
    reconnect_enable(fsm2, 0);
    CHECK(!reconnect_is_enabled(fsm2));
    reconnect_destroy(fsm2);
    reconnect_destroy(fsm);
}

TEST(passive_mode)
{
    struct reconnect *fsm = new_fsm(0);
    long long int now = 0;

    reconnect_set_passive(fsm, true, now);
    CHECK(reconnect_is_passive(fsm));
    reconnect_enable(fsm, now);
    CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
    reconnect_listening(fsm, now);
    CHECK_STREQ(reconnect_get_state_name(fsm), "LISTENING");
    /* Listening waits forever for a connection. */
    CHECK_EQ(reconnect_timeout(fsm, now), -1);
    CHECK_EQ(reconnect_run(fsm, now + 1000000), 0);

    /* Listening fails (e.g. address in use): back off and retry,
     * doubling like active mode. */
    reconnect_listen_error(fsm, now, EADDRINUSE);
    CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");
    CHECK_EQ(reconnect_get_backoff(fsm), 1000);
    now += 1000;
    CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
    reconnect_listening(fsm, now);
    reconnect_listen_error(fsm, now, EADDRINUSE);
    CHECK_EQ(reconnect_get_backoff(fsm), 2000);
    now += 2000;
    CHECK_EQ(reconnect_run(fsm, now), RECONNECT_CONNECT);
    reconnect_listening(fsm, now);

    /* listen_error outside LISTENING is ignored. */
    reconnect_connected(fsm, now);
    reconnect_listen_error(fsm, now, EADDRINUSE);
    CHECK(reconnect_is_connected(fsm));

    /* A passive connection that ends resets the backoff to zero. */
    reconnect_disconnected(fsm, now + 1, EOF);
    CHECK_EQ(reconnect_get_backoff(fsm), 0);

    /* Leaving passive mode while listening restarts in BACKOFF. */
    CHECK_EQ(reconnect_run(fsm, now + 1), RECONNECT_CONNECT);
    reconnect_listening(fsm, now + 1);
    reconnect_set_passive(fsm, false, now + 2);
    CHECK(!reconnect_is_passive(fsm));
    CHECK_STREQ(reconnect_get_state_name(fsm), "BACKOFF");
    CHECK_EQ(reconnect_get_backoff(fsm), 0);
    reconnect_destroy(fsm);
}

TEST(skip_backoff_and_name)
{
    struct reconnect *fsm = new_fsm(0);

    CHECK_STREQ(reconnect_get_name(fsm), "test");
    reconnect_set_name(fsm, NULL);
    CHECK_STREQ(reconnect_get_name(fsm), "void");
    reconnect_enable(fsm, 0);
    reconnect_connect_failed(fsm, 0, ECONNREFUSED);
    CHECK_EQ(reconnect_run(fsm, 500), 0);
    reconnect_skip_backoff(fsm);
    CHECK_EQ(reconnect_run(fsm, 500), RECONNECT_CONNECT);
    reconnect_destroy(fsm);
}
