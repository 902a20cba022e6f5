/* ipfix: an IPFIX exporter fed with sampled packets (see ipfix.h). */
#include <config.h>

#include "ipfix.h"
#include "ipfix-encode.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "collectors.h"
#include "dynamic-string.h"
#include "flow.h"
#include "hash.h"
#include "hmap.h"
#include "list.h"
#include "packets.h"
#include "poll-loop.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ipfix);

/* Records removed from a cache wait in a queue that is sent once it
 * holds this many, or at the next ipfix_run(). */
#define IPFIX_PENDING_MAX 64

/* An observation domain with no records left is forgotten after this
 * long (its sequence number and templates start over if it returns). */
#define IPFIX_DOMAIN_IDLE_MS (10 * 60 * 1000)

/* ------------------------------------------------------------------ */
/* Data structures. */

struct ipfix_domain {
    struct hmap_node hmap_node;         /* In exporter->domains. */
    uint32_t id;
    uint32_t seq;                       /* Data records sent, mod 2^32. */
    bool templates_due;                 /* Send templates before data. */
    long long int next_templates;       /* Refresh time (monotonic). */
    size_t n_entries;                   /* Records cached or pending. */
    long long int last_used;
};

struct ipfix_entry {
    struct hmap_node hmap_node;         /* In exporter->cache. */
    struct plx_list list_node;          /* In 'order' or 'pending'. */
    struct ipfix_domain *domain;
    struct ipfix_key key;
    uint64_t serial;                    /* Creation order. */
    long long int created;              /* Monotonic msec, first sample. */
    struct ipfix_counters c;
};

struct ipfix_exporter {
    struct hmap_node hmap_node;         /* In ipfix->flow_exporters. */
    struct ipfix *ipfix;
    uint32_t id;                        /* Collector set id (flow). */
    bool is_bridge;
    struct ipfix_options opts;
    uint32_t max_flows;                 /* Effective cache_max_flows. */
    struct collectors *collectors;
    uint64_t collectors_seqno;          /* collectors_get_seqno() seen. */

    struct hmap cache;                  /* ipfix_entry by key. */
    struct plx_list order;              /* Cached entries, oldest first. */
    struct plx_list pending;            /* Out of the cache, to send. */
    size_t n_pending;
    struct hmap domains;                /* ipfix_domain by id. */
    struct ipfix_stats stats;
};

struct ipfix {
    struct ipfix_exporter *bridge;
    struct hmap flow_exporters;         /* ipfix_exporter by id. */
    uint64_t next_serial;
    long long int last_now;             /* Latest 'now' seen. */
    uint64_t n_unknown_set;             /* Flow samples for no exporter. */
};

static void exporter_send_pending(struct ipfix_exporter *, long long int now);

/* ------------------------------------------------------------------ */
/* Options. */

void
ipfix_options_init(struct ipfix_options *opts)
{
    memset(opts, 0, sizeof *opts);
    sset_init(&opts->targets);
    opts->sampling_rate = 400;
    opts->enable_tunnel_sampling = true;
    opts->enable_input_sampling = true;
    opts->enable_output_sampling = true;
}

void
ipfix_options_destroy(struct ipfix_options *opts)
{
    if (opts) {
        sset_destroy(&opts->targets);
    }
}

static void
options_copy(struct ipfix_options *dst, const struct ipfix_options *src)
{
    struct sset targets;

    sset_clone(&targets, &src->targets);
    sset_destroy(&dst->targets);
    *dst = *src;
    sset_moved(&targets);
    dst->targets = targets;
    sset_moved(&dst->targets);
}

/* Returns NULL if OPTS are acceptable, else a message naming WHAT. */
static char *
options_check(const struct ipfix_options *opts, const char *what)
{
    const char *target;

    if (sset_is_empty(&opts->targets)) {
        return xasprintf("%s: no targets", what);
    }
    SSET_FOR_EACH (target, &opts->targets) {
        char *why = collectors_check_target(target, COLLECTORS_ALLOW_TCP);
        if (why) {
            char *msg = xasprintf("%s: target \"%s\": %s (expected "
                                  "IP[:PORT] or tcp:IP[:PORT])",
                                  what, target, why);
            free(why);
            return msg;
        }
    }
    if (opts->cache_active_timeout < 0
        || opts->cache_active_timeout > IPFIX_MAX_ACTIVE_TIMEOUT) {
        return xasprintf("%s: cache_active_timeout %d is not in 0..%d",
                         what, opts->cache_active_timeout,
                         IPFIX_MAX_ACTIVE_TIMEOUT);
    }
    if (opts->cache_max_flows > IPFIX_MAX_MAX_FLOWS) {
        return xasprintf("%s: cache_max_flows %"PRIu32" is more than %u",
                         what, opts->cache_max_flows, IPFIX_MAX_MAX_FLOWS);
    }
    if (opts->template_interval < 0
        || opts->template_interval > IPFIX_MAX_TEMPLATE_INTERVAL) {
        return xasprintf("%s: template_interval %d is not in 0..%d",
                         what, opts->template_interval,
                         IPFIX_MAX_TEMPLATE_INTERVAL);
    }
    return NULL;
}

static long long int
wall_msec(long long int now)
{
    return now + (time_wall_msec() - time_msec());
}

/* If some target may have lost our templates since we last looked (a
 * new TCP connection, a UDP collector that may have restarted: see
 * collectors.h), every domain sends them again before its next data. */
static void
exporter_check_resync(struct ipfix_exporter *e)
{
    uint64_t seqno = collectors_get_seqno(e->collectors);

    if (seqno != e->collectors_seqno) {
        struct ipfix_domain *domain;

        e->collectors_seqno = seqno;
        HMAP_FOR_EACH (domain, hmap_node, &e->domains) {
            domain->templates_due = true;
        }
    }
}

/* Sends MSG for DOMAIN.  Returns true if every target took it. */
static bool
exporter_send_msg(struct ipfix_exporter *e, struct ipfix_msg *msg,
                  const struct ipfix_domain *d, uint32_t seq,
                  long long int now)
{
    bool ok;

    ipfix_msg_finish(msg, wall_msec(now) / 1000, seq, d->id);
    ok = (collectors_count(e->collectors) > 0
          && !collectors_send(e->collectors, msg->data, msg->len));
    if (ok) {
        e->stats.n_messages++;
    } else {
        e->stats.n_messages_dropped++;
    }
    exporter_check_resync(e);
    return ok;
}

static int
template_interval_ms(const struct ipfix_exporter *e)
{
    return (e->opts.template_interval
            ? e->opts.template_interval
            : IPFIX_DEFAULT_TEMPLATE_INTERVAL) * 1000;
}

/* Sends every template for domain D, in as many messages as needed. */
static void
exporter_send_templates__(struct ipfix_exporter *e, struct ipfix_domain *d,
                          long long int now)
{
    struct ipfix_msg msg;

    d->templates_due = false;
    d->next_templates = now + template_interval_ms(e);

    ipfix_msg_init(&msg);
    for (size_t i = 0; i < IPFIX_N_TEMPLATES; i++) {
        const struct ipfix_template *t = ipfix_template_at(i);

        if (!ipfix_msg_put_template(&msg, t)) {
            exporter_send_msg(e, &msg, d, d->seq, now);
            ipfix_msg_init(&msg);
            bool fits = ipfix_msg_put_template(&msg, t);
            plx_assert(fits);
        }
        e->stats.n_templates++;
    }
    exporter_send_msg(e, &msg, d, d->seq, now);
}

/* Sends D's templates.  A refused UDP send reports the loss of an
 * earlier datagram (the ICMP error comes back late), and a collector
 * that was down may be back by now, so a resynchronisation while the
 * templates go (see collectors.h) makes the whole set go again, once.
 * A TCP target that is down is not a reason: its next connection is. */
static void
exporter_send_templates(struct ipfix_exporter *e, struct ipfix_domain *d,
                        long long int now)
{
    exporter_send_templates__(e, d, now);
    if (d->templates_due) {
        exporter_send_templates__(e, d, now);
    }
}

/* ------------------------------------------------------------------ */
/* Exporters. */

static struct ipfix_domain *
domain_find(const struct ipfix_exporter *e, uint32_t id)
{
    struct ipfix_domain *d;

    HMAP_FOR_EACH_WITH_HASH (d, hmap_node, hash_int(id, 0), &e->domains) {
        if (d->id == id) {
            return d;
        }
    }
    return NULL;
}

/* Returns the domain ID of E, creating it if there is room; NULL if
 * there is none. */
static struct ipfix_domain *
domain_get(struct ipfix_exporter *e, uint32_t id, long long int now)
{
    struct ipfix_domain *d = domain_find(e, id);

    if (!d) {
        if (hmap_count(&e->domains) >= IPFIX_MAX_DOMAINS) {
            return NULL;
        }
        d = xzalloc(sizeof *d);
        d->id = id;
        d->templates_due = true;
        hmap_insert(&e->domains, &d->hmap_node, hash_int(id, 0));
    }
    d->last_used = now;
    return d;
}

static void
domains_gc(struct ipfix_exporter *e, long long int now)
{
    struct ipfix_domain *d;

    HMAP_FOR_EACH_SAFE (d, hmap_node, &e->domains) {
        if (!d->n_entries && now - d->last_used >= IPFIX_DOMAIN_IDLE_MS) {
            hmap_remove(&e->domains, &d->hmap_node);
            free(d);
        }
    }
}

/* Moves ENTRY from the cache to the queue of records to send. */
static void
entry_retire(struct ipfix_exporter *e, struct ipfix_entry *entry,
             uint8_t reason)
{
    entry->c.end_reason = reason;
    hmap_remove(&e->cache, &entry->hmap_node);
    plx_list_remove(&entry->list_node);
    plx_list_push_back(&e->pending, &entry->list_node);
    e->n_pending++;
}

static void
exporter_evict_oldest(struct ipfix_exporter *e)
{
    struct ipfix_entry *oldest = CONTAINER_OF(plx_list_front(&e->order),
                                              struct ipfix_entry, list_node);
    entry_retire(e, oldest, IPFIX_END_LACK_OF_RESOURCES);
    e->stats.n_evictions++;
}

static int
compare_entries(const void *a_, const void *b_)
{
    const struct ipfix_entry *a = *(const struct ipfix_entry *const *) a_;
    const struct ipfix_entry *b = *(const struct ipfix_entry *const *) b_;

    if (a->key.obs_domain_id != b->key.obs_domain_id) {
        return a->key.obs_domain_id < b->key.obs_domain_id ? -1 : 1;
    }
    if (a->key.template_id != b->key.template_id) {
        return a->key.template_id < b->key.template_id ? -1 : 1;
    }
    return a->serial < b->serial ? -1 : a->serial > b->serial;
}

/* Sends DOMAIN's templates if they are due, then MSG. */
static void
exporter_send_data(struct ipfix_exporter *e, struct ipfix_msg *msg,
                   struct ipfix_domain *d, long long int now)
{
    uint32_t seq = d->seq;

    /* Periodic refresh is for UDP (RFC 7011 section 8.4); a TCP
     * collector gets the templates once per connection. */
    bool refresh = (now >= d->next_templates
                    && (collectors_count_tcp(e->collectors)
                        < collectors_count(e->collectors)));
    exporter_check_resync(e);
    if (d->templates_due || refresh) {
        exporter_send_templates(e, d, now);
    }
    d->seq += msg->n_records;
    e->stats.n_records += msg->n_records;
    exporter_send_msg(e, msg, d, seq, now);
}

/* Sends, and frees, every record in E's queue: grouped by observation
 * domain (one message stream each) and by template (one set each). */
static void
exporter_send_pending(struct ipfix_exporter *e, long long int now)
{
    struct ipfix_entry **entries, *entry;
    size_t n = 0;

    if (!e->n_pending) {
        return;
    }
    entries = xmalloc(e->n_pending * sizeof *entries);
    LIST_FOR_EACH_POP (entry, list_node, &e->pending) {
        entries[n++] = entry;
    }
    plx_assert(n == e->n_pending);
    e->n_pending = 0;
    qsort(entries, n, sizeof *entries, compare_entries);

    struct ipfix_msg *msg = xmalloc(sizeof *msg);
    for (size_t i = 0; i < n; ) {
        struct ipfix_domain *d = entries[i]->domain;

        ipfix_msg_init(msg);
        for (; i < n && entries[i]->domain == d; i++) {
            entry = entries[i];
            if (!ipfix_msg_put_record(msg, &entry->key, &entry->c)) {
                exporter_send_data(e, msg, d, now);
                ipfix_msg_init(msg);
                bool fits = ipfix_msg_put_record(msg, &entry->key,
                                                 &entry->c);
                plx_assert(fits);
            }
            d->n_entries--;
            free(entries[i]);
        }
        exporter_send_data(e, msg, d, now);
        d->last_used = now;
    }
    free(msg);
    free(entries);
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static void
exporter_sample(struct ipfix_exporter *e, const struct ipfix_sample *sample,
                uint32_t domain_id, uint32_t point_id, long long int now)
{
    struct ipfix *ipfix = e->ipfix;
    struct ipfix_domain *d = domain_get(e, domain_id, now);
    struct ipfix_entry *entry;
    struct ipfix_key key;
    uint32_t hash;

    if (!d) {
        e->stats.n_samples_dropped++;
        return;
    }
    ipfix_encode_key(sample, e->opts.enable_tunnel_sampling, domain_id,
                     point_id, &key);
    hash = ipfix_key_hash(&key);

    entry = NULL;
    struct ipfix_entry *iter;
    HMAP_FOR_EACH_WITH_HASH (iter, hmap_node, hash, &e->cache) {
        if (ipfix_key_equal(&iter->key, &key)) {
            entry = iter;
            break;
        }
    }
    if (!entry) {
        while (hmap_count(&e->cache) >= e->max_flows) {
            exporter_evict_oldest(e);
        }
        entry = xzalloc(sizeof *entry);
        entry->key = key;
        entry->domain = d;
        entry->serial = ipfix->next_serial++;
        entry->created = now;
        entry->c.start_wall = wall_msec(now);
        hmap_insert(&e->cache, &entry->hmap_node, hash);
        plx_list_push_back(&e->order, &entry->list_node);
        d->n_entries++;
    }

    uint64_t rate = sample->sampling_rate ? sample->sampling_rate : 1;
    uint32_t l2_len = ipfix_l2_header_len(sample->flow);
    uint64_t l3_len = (sample->packet_len > l2_len
                       ? sample->packet_len - l2_len : 0);
    struct ipfix_counters *c = &entry->c;
    c->end_wall = wall_msec(now);
    c->packets = sat_add(c->packets, rate);
    c->octets = sat_add(c->octets, l3_len * rate);
    c->l2_octets = sat_add(c->l2_octets, (uint64_t) sample->packet_len * rate);
    c->tcp_flags |= ntohs(sample->flow->tcp_flags) & 0xfff;
    e->stats.n_samples++;

    if (e->n_pending >= IPFIX_PENDING_MAX) {
        exporter_send_pending(e, now);
    }
}

static void
exporter_run(struct ipfix_exporter *e, long long int now)
{
    long long int timeout = e->opts.cache_active_timeout * 1000LL;

    collectors_run(e->collectors, now);
    while (!plx_list_is_empty(&e->order)) {
        struct ipfix_entry *oldest = CONTAINER_OF(
            plx_list_front(&e->order), struct ipfix_entry, list_node);
        if (oldest->created + timeout > now) {
            break;
        }
        entry_retire(e, oldest, IPFIX_END_ACTIVE_TIMEOUT);
    }
    exporter_send_pending(e, now);
    domains_gc(e, now);
}

/* Exports every record of E with flowEndReason REASON. */
static void
exporter_flush(struct ipfix_exporter *e, uint8_t reason, long long int now)
{
    while (!plx_list_is_empty(&e->order)) {
        entry_retire(e, CONTAINER_OF(plx_list_front(&e->order),
                                     struct ipfix_entry, list_node),
                     reason);
    }
    exporter_send_pending(e, now);
}

static struct ipfix_exporter *
exporter_create(struct ipfix *ipfix, bool is_bridge, uint32_t id)
{
    struct ipfix_exporter *e = xzalloc(sizeof *e);

    e->ipfix = ipfix;
    e->is_bridge = is_bridge;
    e->id = id;
    ipfix_options_init(&e->opts);
    hmap_init(&e->cache);
    plx_list_init(&e->order);
    plx_list_init(&e->pending);
    hmap_init(&e->domains);
    return e;
}

static void
exporter_destroy(struct ipfix_exporter *e, long long int now)
{
    struct ipfix_domain *d;

    if (!e) {
        return;
    }
    exporter_flush(e, IPFIX_END_FORCED, now);
    HMAP_FOR_EACH_POP (d, hmap_node, &e->domains) {
        free(d);
    }
    hmap_destroy(&e->domains);
    hmap_destroy(&e->cache);
    collectors_destroy(e->collectors);
    ipfix_options_destroy(&e->opts);
    free(e);
}

/* Applies OPTS (already checked) to E.  Appends to ERRORS any target
 * that could not be opened. */
static void
exporter_configure(struct ipfix_exporter *e, const struct ipfix_options *opts,
                   const char *what, struct ds *errors, long long int now)
{
    bool new_targets = (!e->collectors
                        || !sset_equals(&e->opts.targets, &opts->targets));

    options_copy(&e->opts, opts);
    e->max_flows = (opts->cache_max_flows ? opts->cache_max_flows
                    : IPFIX_DEFAULT_MAX_FLOWS);
    if (new_targets) {
        struct ipfix_domain *d;
        char *error;

        collectors_destroy(e->collectors);
        error = collectors_create_with_flags(&e->opts.targets,
                                             IPFIX_DEFAULT_PORT,
                                             COLLECTORS_ALLOW_TCP,
                                             &e->collectors);
        e->collectors_seqno = collectors_get_seqno(e->collectors);
        if (error) {
            VLOG_WARN("%s: %s", what, error);
            ds_put_format(errors, "%s%s: %s", errors->length ? "; " : "",
                          what, error);
            free(error);
        }
        HMAP_FOR_EACH (d, hmap_node, &e->domains) {
            d->templates_due = true;
        }
    }
    while (hmap_count(&e->cache) > e->max_flows) {
        exporter_evict_oldest(e);
    }
    /* A shorter template interval applies at once. */
    struct ipfix_domain *d;
    HMAP_FOR_EACH (d, hmap_node, &e->domains) {
        long long int next = now + template_interval_ms(e);
        if (d->next_templates > next) {
            d->next_templates = next;
        }
    }
    exporter_send_pending(e, now);
}

static struct ipfix_exporter *
flow_exporter_find(const struct ipfix *ipfix, uint32_t id)
{
    struct ipfix_exporter *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash_int(id, 0),
                             &ipfix->flow_exporters) {
        if (e->id == id) {
            return e;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Public interface. */

struct ipfix *
ipfix_create(void)
{
    struct ipfix *ipfix = xzalloc(sizeof *ipfix);

    ipfix_templates_init();
    hmap_init(&ipfix->flow_exporters);
    ipfix->last_now = time_msec();
    return ipfix;
}

void
ipfix_destroy(struct ipfix *ipfix)
{
    struct ipfix_exporter *e;

    if (!ipfix) {
        return;
    }
    exporter_destroy(ipfix->bridge, ipfix->last_now);
    HMAP_FOR_EACH_POP (e, hmap_node, &ipfix->flow_exporters) {
        exporter_destroy(e, ipfix->last_now);
    }
    hmap_destroy(&ipfix->flow_exporters);
    free(ipfix);
}

static void
update_now(struct ipfix *ipfix, long long int now)
{
    ipfix->last_now = now;
}

char *
ipfix_set_options(struct ipfix *ipfix, const struct ipfix_options *bridge,
                  const struct ipfix_options *flows, const uint32_t *ids,
                  size_t n_flows)
{
    long long int now = ipfix->last_now;
    struct ds errors = DS_EMPTY_INITIALIZER;
    char *error;

    /* Check everything before changing anything. */
    if (bridge) {
        error = options_check(bridge, "IPFIX bridge exporter");
        if (error) {
            return error;
        }
        if (!bridge->sampling_rate) {
            return xstrdup("IPFIX bridge exporter: sampling_rate must be "
                           "at least 1");
        }
    }
    for (size_t i = 0; i < n_flows; i++) {
        char *what = xasprintf("IPFIX flow exporter %"PRIu32, ids[i]);
        error = options_check(&flows[i], what);
        free(what);
        if (error) {
            return error;
        }
        for (size_t j = 0; j < i; j++) {
            if (ids[j] == ids[i]) {
                return xasprintf("IPFIX flow exporter %"PRIu32" is "
                                 "configured twice", ids[i]);
            }
        }
    }

    /* Bridge exporter. */
    if (!bridge) {
        exporter_destroy(ipfix->bridge, now);
        ipfix->bridge = NULL;
    } else {
        if (!ipfix->bridge) {
            ipfix->bridge = exporter_create(ipfix, true, 0);
        }
        exporter_configure(ipfix->bridge, bridge, "IPFIX bridge exporter",
                           &errors, now);
    }

    /* Flow exporters: remove those that went, then add or update. */
    struct ipfix_exporter *e;
    HMAP_FOR_EACH_SAFE (e, hmap_node, &ipfix->flow_exporters) {
        bool keep = false;
        for (size_t i = 0; i < n_flows && !keep; i++) {
            keep = ids[i] == e->id;
        }
        if (!keep) {
            hmap_remove(&ipfix->flow_exporters, &e->hmap_node);
            exporter_destroy(e, now);
        }
    }
    for (size_t i = 0; i < n_flows; i++) {
        e = flow_exporter_find(ipfix, ids[i]);
        if (!e) {
            e = exporter_create(ipfix, false, ids[i]);
            hmap_insert(&ipfix->flow_exporters, &e->hmap_node,
                        hash_int(ids[i], 0));
        }
        char *what = xasprintf("IPFIX flow exporter %"PRIu32, ids[i]);
        exporter_configure(e, &flows[i], what, &errors, now);
        free(what);
    }

    return errors.length ? ds_steal_cstr(&errors) : NULL;
}

uint32_t
ipfix_bridge_sampling_rate(const struct ipfix *ipfix)
{
    return ipfix->bridge ? ipfix->bridge->opts.sampling_rate : 0;
}

bool
ipfix_has_flow_exporter(const struct ipfix *ipfix, uint32_t id)
{
    return flow_exporter_find(ipfix, id) != NULL;
}

void
ipfix_get_bridge_sampling(const struct ipfix *ipfix, bool *input,
                          bool *output, bool *tunnel)
{
    const struct ipfix_exporter *e = ipfix->bridge;

    *input = e && e->opts.enable_input_sampling;
    *output = e && e->opts.enable_output_sampling;
    *tunnel = e && e->opts.enable_tunnel_sampling;
}

void
ipfix_bridge_sample(struct ipfix *ipfix, const struct ipfix_sample *sample,
                    long long int now)
{
    struct ipfix_exporter *e = ipfix->bridge;

    update_now(ipfix, now);
    if (e) {
        exporter_sample(e, sample, e->opts.obs_domain_id,
                        e->opts.obs_point_id, now);
    }
}

void
ipfix_flow_sample(struct ipfix *ipfix, const struct ipfix_sample *sample,
                  uint32_t collector_set_id, uint32_t obs_domain_id,
                  uint32_t obs_point_id, long long int now)
{
    struct ipfix_exporter *e = flow_exporter_find(ipfix, collector_set_id);

    update_now(ipfix, now);
    if (e) {
        exporter_sample(e, sample, obs_domain_id, obs_point_id, now);
    } else {
        ipfix->n_unknown_set++;
    }
}

void
ipfix_run(struct ipfix *ipfix, long long int now)
{
    struct ipfix_exporter *e;

    update_now(ipfix, now);
    if (ipfix->bridge) {
        exporter_run(ipfix->bridge, now);
    }
    HMAP_FOR_EACH (e, hmap_node, &ipfix->flow_exporters) {
        exporter_run(e, now);
    }
}

static void
exporter_wait(const struct ipfix_exporter *e, long long int now)
{
    collectors_wait(e->collectors, now);
    if (e->n_pending) {
        poll_immediate_wake();
    } else if (!plx_list_is_empty(&e->order)) {
        const struct ipfix_entry *oldest = CONTAINER_OF(
            plx_list_front(&e->order), struct ipfix_entry, list_node);
        poll_timer_wait_until(oldest->created
                              + e->opts.cache_active_timeout * 1000LL);
    }
}

void
ipfix_wait(const struct ipfix *ipfix, long long int now)
{
    const struct ipfix_exporter *e;

    if (ipfix->bridge) {
        exporter_wait(ipfix->bridge, now);
    }
    HMAP_FOR_EACH (e, hmap_node, &ipfix->flow_exporters) {
        exporter_wait(e, now);
    }
}

bool
ipfix_get_stats(const struct ipfix *ipfix, bool bridge,
                uint32_t collector_set_id, struct ipfix_stats *stats)
{
    const struct ipfix_exporter *e = (bridge ? ipfix->bridge
                                      : flow_exporter_find(ipfix,
                                                           collector_set_id));
    if (!e) {
        memset(stats, 0, sizeof *stats);
        return false;
    }
    *stats = e->stats;
    stats->cache_size = hmap_count(&e->cache);
    stats->n_domains = hmap_count(&e->domains);
    return true;
}

static void
exporter_format(const struct ipfix_exporter *e, struct ds *s)
{
    const struct ipfix_options *o = &e->opts;
    const struct ipfix_stats *st = &e->stats;

    if (e->is_bridge) {
        ds_put_format(s, "IPFIX bridge exporter: sampling_rate=%"PRIu32
                      ", obs_domain_id=%"PRIu32", obs_point_id=%"PRIu32
                      "\n", o->sampling_rate, o->obs_domain_id,
                      o->obs_point_id);
    } else {
        ds_put_format(s, "IPFIX flow exporter (collector set %"PRIu32"):\n",
                      e->id);
    }
    ds_put_format(s, "  cache_active_timeout=%ds, cache_max_flows=%"PRIu32
                  ", template_interval=%ds, tunnel sampling %s\n",
                  o->cache_active_timeout, e->max_flows,
                  o->template_interval ? o->template_interval
                  : IPFIX_DEFAULT_TEMPLATE_INTERVAL,
                  o->enable_tunnel_sampling ? "on" : "off");
    ds_put_cstr(s, "  targets:\n");
    if (collectors_count(e->collectors)) {
        collectors_format(e->collectors, s);
    } else {
        ds_put_cstr(s, "    (none open)\n");
    }
    ds_put_format(s, "  sampled packets: %"PRIu64", dropped samples: %"
                  PRIu64" (too many observation domains)\n",
                  st->n_samples, st->n_samples_dropped);
    ds_put_format(s, "  records sent: %"PRIu64", messages sent: %"PRIu64
                  ", messages dropped: %"PRIu64", templates sent: %"PRIu64
                  "\n", st->n_records, st->n_messages,
                  st->n_messages_dropped, st->n_templates);
    ds_put_format(s, "  cache: %zu flows (max %"PRIu32"), "
                  "evictions: %"PRIu64", observation domains: %zu"
                  "\n", hmap_count(&e->cache), e->max_flows,
                  st->n_evictions, hmap_count(&e->domains));
}

void
ipfix_format_status(const struct ipfix *ipfix, struct ds *s)
{
    const struct ipfix_exporter *e;

    if (!ipfix->bridge && hmap_is_empty(&ipfix->flow_exporters)) {
        ds_put_cstr(s, "IPFIX: no exporters\n");
        return;
    }
    if (ipfix->bridge) {
        exporter_format(ipfix->bridge, s);
    }
    /* Flow exporters in id order, for stable output. */
    size_t n = hmap_count(&ipfix->flow_exporters), i = 0;
    const struct ipfix_exporter **v = xmalloc(MAX(n, 1) * sizeof *v);
    HMAP_FOR_EACH (e, hmap_node, &ipfix->flow_exporters) {
        v[i++] = e;
    }
    for (i = 0; i < n; i++) {
        for (size_t j = i; j > 0 && v[j - 1]->id > v[j]->id; j--) {
            const struct ipfix_exporter *tmp = v[j];
            v[j] = v[j - 1];
            v[j - 1] = tmp;
        }
    }
    for (i = 0; i < n; i++) {
        exporter_format(v[i], s);
    }
    free(v);
    if (ipfix->n_unknown_set) {
        ds_put_format(s, "flow samples for no exporter: %"PRIu64"\n",
                      ipfix->n_unknown_set);
    }
}
