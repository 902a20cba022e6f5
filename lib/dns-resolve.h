/*
 * dns-resolve: asynchronous host name resolution (libunbound).
 *
 * Nothing here blocks.  dns_resolve(NAME, &ADDR) answers from its cache
 * or, if it has no fresh answer, starts a query and returns false; the
 * caller calls dns_resolve_wait() before poll_block() and asks again
 * after it wakes.  As in Open vSwitch, this keeps a daemon responsive
 * while a resolver is slow or unreachable.
 *
 * Sources, in order: IP literals (answered at once, no query); the hosts
 * file (/etc/hosts, so that it wins over DNS); then DNS through the
 * servers in /etc/resolv.conf.  A/AAAA answers are cached for their TTL
 * (hosts-file answers for a fixed time); IPv4 is preferred when a name
 * has both.  A failed lookup is remembered briefly too, so that a caller
 * retrying in a loop does not flood the resolver, and then retried.
 *
 * Answers are text IP addresses ("192.0.2.1", "2001:db8::1"), never
 * bracketed.  DNS answers are untrusted input: anything that is not a
 * well-formed A or AAAA record is ignored.
 *
 * State is per-process and not thread-safe: use from the main thread.
 */
#ifndef PLX_DNS_RESOLVE_H
#define PLX_DNS_RESOLVE_H 1

#include <stdbool.h>

/* Returns true and stores a newly allocated address in *ADDR if NAME's
 * address is known; otherwise starts resolving NAME (if not under way)
 * and returns false with *ADDR = NULL. */
bool dns_resolve(const char *name, char **addr);

/* As dns_resolve(), but tells "pending" (EAGAIN) from "failed": returns
 * 0 with *ADDR set, EAGAIN while resolving, ENOENT if the name does not
 * exist or has no address, EHOSTUNREACH if no resolver answered, EINVAL
 * for a malformed name. */
int dns_resolve_status(const char *name, char **addr);

/* Processes answers that have arrived.  dns_resolve() does this too. */
void dns_resolve_run(void);

/* Wakes poll_block() when a pending query may have an answer. */
void dns_resolve_wait(void);

/* Frees all state (queries, cache, the resolver context). */
void dns_resolve_destroy(void);

/* For tests and unusual setups: use FILE instead of /etc/hosts or
 * /etc/resolv.conf (NULL: the default; "" for none).  Discards the cache
 * and pending queries. */
void dns_resolve_set_hosts_file(const char *file);
void dns_resolve_set_resolv_conf(const char *file);

#endif /* dns-resolve.h */
