/* dns-resolve: see dns-resolve.h.
 *
 * One libunbound context, created on first use, resolves in a worker
 * thread (ub_ctx_async(ctx, 1)); answers come back through ub_fd(), which
 * the poll loop watches, and ub_process() runs our callback in the
 * calling thread.  Each name has a cache entry:
 *
 *     PENDING --A answer--> GOOD (until expiry, then refreshed while the
 *        |                         old address keeps being served)
 *        +--no A: ask AAAA--> GOOD or FAILED (remembered briefly)
 *        +--our own deadline passes--> FAILED (query cancelled)
 *
 * The deadline bounds how long a caller waits when no resolver answers
 * (unbound itself may retry for much longer). */
#include <config.h>
#include "dns-resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <unbound.h>
#include "hash.h"
#include "hmap.h"
#include "poll-loop.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dns_resolve);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 10);

#define DNS_RR_TYPE_A 1
#define DNS_RR_TYPE_AAAA 28
#define DNS_RR_CLASS_IN 1

#define DNS_QUERY_TIMEOUT_MS (10 * 1000)   /* Give up on a query. */
#define DNS_NEGATIVE_TTL_MS (5 * 1000)     /* Remember a failure. */
#define DNS_MIN_TTL_MS 1000                /* Floor on a positive TTL. */

enum dns_state {
    DNS_PENDING,        /* No answer yet; query under way. */
    DNS_GOOD,           /* 'addr' valid (refresh may be under way). */
    DNS_FAILED,         /* 'error' valid until 'expires'. */
};

struct dns_entry {
    struct hmap_node node;      /* In 'cache', by hash_string(name). */
    char *name;
    enum dns_state state;
    char *addr;                 /* If GOOD. */
    int error;                  /* If FAILED. */
    long long int expires;      /* time_msec() when GOOD/FAILED lapses. */
    bool querying;              /* Query outstanding in 'async_id'. */
    int async_id;
    int rrtype;                 /* Of the outstanding query. */
    long long int deadline;     /* Give up on the query at this time. */
};

static struct ub_ctx *ctx;
static struct hmap cache = HMAP_INITIALIZER(&cache);
static size_t n_querying;
static char *hosts_file;        /* NULL: /etc/hosts; "": none. */
static char *resolv_conf;       /* NULL: /etc/resolv.conf; "": none. */

static bool
dns_create_ctx(void)
{
    const char *hosts = hosts_file ? hosts_file : "/etc/hosts";
    const char *resolv = resolv_conf ? resolv_conf : "/etc/resolv.conf";
    int retval;

    if (ctx) {
        return true;
    }
    ctx = ub_ctx_create();
    if (!ctx) {
        VLOG_ERR_RL(&rl, "failed to create libunbound context");
        return false;
    }
    retval = ub_ctx_async(ctx, 1);
    if (retval) {
        VLOG_ERR_RL(&rl, "ub_ctx_async: %s", ub_strerror(retval));
        ub_ctx_delete(ctx);
        ctx = NULL;
        return false;
    }
    if (*hosts) {
        retval = ub_ctx_hosts(ctx, hosts);
        if (retval) {
            VLOG_WARN_RL(&rl, "%s: failed to read hosts file: %s", hosts,
                         ub_strerror(retval));
        }
    }
    if (*resolv) {
        retval = ub_ctx_resolvconf(ctx, resolv);
        if (retval) {
            VLOG_WARN_RL(&rl, "%s: failed to read resolver configuration: "
                         "%s", resolv, ub_strerror(retval));
        }
    }
    return true;
}

static struct dns_entry *
dns_find(const char *name)
{
    struct dns_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, hash_string(name, 0), &cache) {
        if (!strcmp(e->name, name)) {
            return e;
        }
    }
    return NULL;
}

static void
dns_cancel(struct dns_entry *e)
{
    if (e->querying) {
        ub_cancel(ctx, e->async_id);
        e->querying = false;
        n_querying--;
    }
}

static void
dns_set_failed(struct dns_entry *e, int error, long long int now)
{
    e->state = DNS_FAILED;
    e->error = error;
    e->expires = now + DNS_NEGATIVE_TTL_MS;
    free(e->addr);
    e->addr = NULL;
}

static void dns_callback(void *e_, int err, struct ub_result *);

/* Starts a query of RRTYPE for E.  On failure to even start, marks E
 * failed (unless it has an address it can keep serving). */
static void
dns_start_query(struct dns_entry *e, int rrtype, long long int now)
{
    int retval;

    plx_assert(!e->querying);
    if (!dns_create_ctx()) {
        retval = UB_NOMEM;
    } else {
        retval = ub_resolve_async(ctx, e->name, rrtype, DNS_RR_CLASS_IN, e,
                                  dns_callback, &e->async_id);
    }
    if (retval) {
        VLOG_WARN_RL(&rl, "%s: failed to start query: %s", e->name,
                     ub_strerror(retval));
        if (e->state != DNS_GOOD) {
            dns_set_failed(e, EHOSTUNREACH, now);
        }
        return;
    }
    e->querying = true;
    e->rrtype = rrtype;
    e->deadline = now + DNS_QUERY_TIMEOUT_MS;
    n_querying++;
}

/* Returns the first well-formed address of RRTYPE in RESULT, or NULL. */
static char *
dns_result_addr(const struct ub_result *result, int rrtype)
{
    if (!result->havedata || !result->data) {
        return NULL;
    }
    for (size_t i = 0; result->data[i]; i++) {
        char buf[INET6_ADDRSTRLEN];
        int len = result->len[i];

        if (rrtype == DNS_RR_TYPE_A && len == 4
            && inet_ntop(AF_INET, result->data[i], buf, sizeof buf)) {
            return xstrdup(buf);
        } else if (rrtype == DNS_RR_TYPE_AAAA && len == 16
                   && inet_ntop(AF_INET6, result->data[i], buf,
                                sizeof buf)) {
            return xstrdup(buf);
        }
    }
    return NULL;
}

static void
dns_callback(void *e_, int err, struct ub_result *result)
{
    struct dns_entry *e = e_;
    long long int now = time_msec();
    int rrtype = e->rrtype;

    e->querying = false;
    n_querying--;

    if (err || !result) {
        VLOG_WARN_RL(&rl, "%s: resolution failed: %s", e->name,
                     ub_strerror(err));
        if (e->state != DNS_GOOD) {
            dns_set_failed(e, EHOSTUNREACH, now);
        }
        ub_resolve_free(result);
        return;
    }

    char *addr = dns_result_addr(result, rrtype);
    if (addr) {
        long long int ttl = MAX((long long int) result->ttl * 1000,
                                DNS_MIN_TTL_MS);
        VLOG_DBG("%s resolved to %s (ttl %lld ms)", e->name, addr, ttl);
        free(e->addr);
        e->addr = addr;
        e->state = DNS_GOOD;
        e->expires = now + ttl;
    } else if (rrtype == DNS_RR_TYPE_A && !result->nxdomain
               && result->rcode == 0) {
        /* No IPv4 address: try IPv6. */
        dns_start_query(e, DNS_RR_TYPE_AAAA, now);
    } else if (e->state != DNS_GOOD) {
        bool nx = result->nxdomain || (result->rcode == 0);
        VLOG_WARN_RL(&rl, "%s: %s", e->name,
                     nx ? "no such host" : "no answer from resolver");
        dns_set_failed(e, nx ? ENOENT : EHOSTUNREACH, now);
    }
    ub_resolve_free(result);
}

static bool
dns_is_valid_name(const char *name)
{
    size_t len = strlen(name);

    if (!len || len > 253 || name[0] == '.' || name[0] == '-') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'
              || *p == '_')) {
            return false;
        }
        if (p[0] == '.' && p[1] == '.') {
            return false;
        }
    }
    return true;
}

void
dns_resolve_run(void)
{
    long long int now;

    if (ctx && n_querying && ub_poll(ctx)) {
        int retval = ub_process(ctx);
        if (retval) {
            VLOG_WARN_RL(&rl, "ub_process: %s", ub_strerror(retval));
        }
    }

    if (!n_querying) {
        return;
    }
    now = time_msec();
    struct dns_entry *e;
    HMAP_FOR_EACH (e, node, &cache) {
        if (e->querying && now >= e->deadline) {
            VLOG_WARN_RL(&rl, "%s: resolver did not answer within %d s",
                         e->name, DNS_QUERY_TIMEOUT_MS / 1000);
            dns_cancel(e);
            if (e->state != DNS_GOOD) {
                dns_set_failed(e, EHOSTUNREACH, now);
            }
        }
    }
}

void
dns_resolve_wait(void)
{
    if (ctx && n_querying) {
        long long int deadline = LLONG_MAX;
        struct dns_entry *e;

        poll_fd_wait(ub_fd(ctx), POLLIN);
        HMAP_FOR_EACH (e, node, &cache) {
            if (e->querying) {
                deadline = MIN(deadline, e->deadline);
            }
        }
        poll_timer_wait_until(deadline);
    }
}

int
dns_resolve_status(const char *name, char **addr)
{
    struct in6_addr in6;
    struct in_addr in4;
    long long int now;

    *addr = NULL;
    if (inet_pton(AF_INET, name, &in4) == 1
        || inet_pton(AF_INET6, name, &in6) == 1) {
        *addr = xstrdup(name);
        return 0;
    }
    if (!dns_is_valid_name(name)) {
        return EINVAL;
    }

    dns_resolve_run();
    now = time_msec();

    struct dns_entry *e = dns_find(name);
    if (!e) {
        e = xzalloc(sizeof *e);
        e->name = xstrdup(name);
        e->state = DNS_PENDING;
        hmap_insert(&cache, &e->node, hash_string(name, 0));
        dns_start_query(e, DNS_RR_TYPE_A, now);
    }

    switch (e->state) {
    case DNS_GOOD:
        if (now >= e->expires && !e->querying) {
            /* Refresh, but keep serving the old answer meanwhile. */
            dns_start_query(e, DNS_RR_TYPE_A, now);
        }
        *addr = xstrdup(e->addr);
        return 0;

    case DNS_FAILED:
        if (now < e->expires) {
            return e->error;
        }
        e->state = DNS_PENDING;
        dns_start_query(e, DNS_RR_TYPE_A, now);
        return e->state == DNS_FAILED ? e->error : EAGAIN;

    case DNS_PENDING:
    default:
        return EAGAIN;
    }
}

bool
dns_resolve(const char *name, char **addr)
{
    int error = dns_resolve_status(name, addr);
    return !error;
}

void
dns_resolve_destroy(void)
{
    struct dns_entry *e;

    HMAP_FOR_EACH_POP (e, node, &cache) {
        dns_cancel(e);
        free(e->name);
        free(e->addr);
        free(e);
    }
    hmap_destroy(&cache);
    hmap_init(&cache);
    if (ctx) {
        ub_ctx_delete(ctx);
        ctx = NULL;
    }
    n_querying = 0;
}

static void
dns_set_file(char **var, const char *file)
{
    dns_resolve_destroy();
    free(*var);
    *var = file ? xstrdup(file) : NULL;
}

void
dns_resolve_set_hosts_file(const char *file)
{
    dns_set_file(&hosts_file, file);
}

void
dns_resolve_set_resolv_conf(const char *file)
{
    dns_set_file(&resolv_conf, file);
}
