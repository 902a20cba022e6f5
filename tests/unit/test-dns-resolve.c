/* Tests for lib/dns-resolve: IP literals at once, hosts-file names
 * (IPv4 and IPv6) through libunbound's asynchronous path, caching,
 * malformed names, and a nonexistent name that fails in bounded time
 * while no call ever blocks. */
#include <config.h>
#include "dns-resolve.h"

#include <errno.h>
#include <stdio.h>
#include "poll-loop.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

/* Longest a single dns_resolve() call may take: it must never block on
 * the network (generous for sanitizer builds and thread start-up). */
#define MAX_CALL_MS 500

/* Resolves NAME through the poll loop; returns the final status (0 with
 * *ADDR set, or an errno value) and fails if any call blocked or the
 * whole took more than TIMEOUT_MS. */
static int
resolve_loop(const char *name, char **addr, long long int timeout_ms)
{
    long long int deadline = time_msec() + timeout_ms;
    int error;

    for (;;) {
        long long int start = time_msec();
        error = dns_resolve_status(name, addr);
        long long int took = time_msec() - start;
        CHECK_MSG(took <= MAX_CALL_MS, "dns_resolve(%s) blocked %lld ms",
                  name, took);
        if (error != EAGAIN) {
            return error;
        }
        CHECK(*addr == NULL);
        CHECK_MSG(time_msec() < deadline, "%s: still pending after %lld ms",
                  name, timeout_ms);
        dns_resolve_wait();
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static void
use_test_hosts(void)
{
    char *hosts = xasprintf("%s/hosts", test_tmpdir());
    FILE *f = fopen(hosts, "w");
    CHECK(f);
    fprintf(f, "# test hosts file\n"
            "127.0.0.1 localhost\n"
            "192.0.2.77 plx-hosts-only.example plx-alias.example\n"
            "2001:db8::5 plx-v6-only.example\n");
    fclose(f);
    dns_resolve_set_hosts_file(hosts);
    dns_resolve_set_resolv_conf("");     /* No DNS servers at all. */
    free(hosts);
}

TEST(ip_literals_resolve_at_once)
{
    static const char *literals[] = {
        "192.0.2.1", "127.0.0.1", "::1", "2001:db8::1", "0.0.0.0",
    };
    for (size_t i = 0; i < ARRAY_SIZE(literals); i++) {
        char *addr;
        CHECK(dns_resolve(literals[i], &addr));
        CHECK_STREQ(addr, literals[i]);
        free(addr);
    }
    dns_resolve_destroy();
}

TEST(malformed_names)
{
    static const char *bad[] = {
        "", "a..b", "bad name", "-leading", ".leading", "x/y", "a\nb",
        "[::1]", "under%score",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *addr = (char *) 1;
        CHECK_MSG(dns_resolve_status(bad[i], &addr) == EINVAL, "\"%s\"",
                  bad[i]);
        CHECK(addr == NULL);
        CHECK(!dns_resolve(bad[i], &addr));
    }
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    char *addr;
    CHECK_EQ(dns_resolve_status(long_name, &addr), EINVAL);
    dns_resolve_destroy();
}

TEST(hosts_file_names)
{
    char *addr;

    use_test_hosts();
    CHECK_EQ(resolve_loop("localhost", &addr, 5000), 0);
    CHECK_STREQ(addr, "127.0.0.1");
    free(addr);

    CHECK_EQ(resolve_loop("plx-hosts-only.example", &addr, 5000), 0);
    CHECK_STREQ(addr, "192.0.2.77");
    free(addr);

    CHECK_EQ(resolve_loop("plx-alias.example", &addr, 5000), 0);
    CHECK_STREQ(addr, "192.0.2.77");
    free(addr);

    /* No A record: falls back to AAAA. */
    CHECK_EQ(resolve_loop("plx-v6-only.example", &addr, 5000), 0);
    CHECK_STREQ(addr, "2001:db8::5");
    free(addr);

    /* Now cached: answered at once, without the poll loop. */
    CHECK(dns_resolve("plx-hosts-only.example", &addr));
    CHECK_STREQ(addr, "192.0.2.77");
    free(addr);
    dns_resolve_destroy();
}

TEST(first_call_does_not_block)
{
    char *addr;

    use_test_hosts();
    /* The first call starts the query and says "not yet" (the answer
     * comes from the worker thread), unless it is a literal. */
    CHECK(!dns_resolve("plx-hosts-only.example", &addr));
    CHECK(addr == NULL);
    CHECK_EQ(resolve_loop("plx-hosts-only.example", &addr, 5000), 0);
    free(addr);
    dns_resolve_destroy();
}

TEST(system_hosts_file_localhost)
{
    char *addr;

    /* The real /etc/hosts (which wins over DNS). */
    dns_resolve_set_hosts_file(NULL);
    dns_resolve_set_resolv_conf(NULL);
    int error = resolve_loop("localhost", &addr, 15000);
    CHECK_EQ(error, 0);
    CHECK_MSG(!strcmp(addr, "127.0.0.1") || !strcmp(addr, "::1"),
              "localhost is %s", addr);
    free(addr);
    dns_resolve_destroy();
}

TEST(nonexistent_name_fails_in_bounded_time)
{
    char *addr;

    free(vlog_set_levels_from_string("dns_resolve:off"));
    dns_resolve_set_hosts_file(NULL);
    dns_resolve_set_resolv_conf(NULL);

    /* RFC 6761: ".invalid" never exists.  With a resolver, the answer is
     * NXDOMAIN (ENOENT); without one, the query times out
     * (EHOSTUNREACH).  Either way no call blocks and it ends. */
    long long int start = time_msec();
    int error = resolve_loop("no-such-host.plexus.invalid", &addr, 30000);
    CHECK_MSG(error == ENOENT || error == EHOSTUNREACH, "error %d (%s)",
              error, plx_strerror(error));
    CHECK(addr == NULL);

    /* The failure is remembered briefly: asking again answers at once. */
    CHECK_EQ(dns_resolve_status("no-such-host.plexus.invalid", &addr),
             error);
    dns_resolve_destroy();

    if (error == EHOSTUNREACH) {
        test_skip("no DNS resolver reachable (query timed out after "
                  "%lld ms without blocking)", time_msec() - start);
    }
}

TEST(unknown_name_without_dns_fails)
{
    char *addr;

    free(vlog_set_levels_from_string("dns_resolve:off"));
    use_test_hosts();
    /* No hosts entry and no DNS servers configured: unbound would try
     * the root servers.  Whatever it does, the result is a failure
     * within the query timeout. */
    int error = resolve_loop("not-in-hosts.invalid", &addr, 30000);
    CHECK_MSG(error == ENOENT || error == EHOSTUNREACH, "error %d", error);
    dns_resolve_destroy();
}
