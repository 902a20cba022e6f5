/* ofproto-group: a bridge's OpenFlow group table (see ofproto.h).
 *
 * The main thread owns the table; translation reads the copies that
 * every published snapshot carries (ofproto_groups_publish()), so a
 * group change republishes the snapshot like a port change does. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "meta-flow.h"
#include "ofp-actions.h"
#include "ofproto/ofproto-private.h"
#include "timeval.h"
#include "util.h"

struct ofgroup {
    struct hmap_node node;          /* In ofproto 'groups'. */
    uint32_t group_id;
    enum ofproto_group_type type;
    struct xlate_bucket *buckets;   /* Actions owned. */
    size_t n_buckets;
    long long int created;
    uint64_t n_packets, n_bytes;
    uint64_t *bucket_packets;       /* One per bucket. */
    uint64_t *bucket_bytes;
};

static struct xlate_bucket *copy_buckets(const struct ofproto_bucket *,
                                         size_t n);

static struct ofgroup *
find_group(const struct ofproto *p, uint32_t group_id)
{
    struct ofgroup *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash_int(group_id, 0), &p->groups) {
        if (g->group_id == group_id) {
            return g;
        }
    }
    return NULL;
}

bool
ofproto_group_exists(const struct ofproto *p, uint32_t group_id)
{
    return find_group(p, group_id) != NULL;
}

static void
free_buckets(struct xlate_bucket *buckets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rule_actions_destroy(buckets[i].actions);
    }
    free(buckets);
}

static void
group_destroy(struct ofgroup *g)
{
    free_buckets(g->buckets, g->n_buckets);
    free(g->bucket_packets);
    free(g->bucket_bytes);
    free(g);
}

/* Installs N new buckets (copied) with zeroed counters. */
static void
group_set_buckets(struct ofgroup *g, const struct ofproto_bucket *buckets,
                  size_t n)
{
    free_buckets(g->buckets, g->n_buckets);
    free(g->bucket_packets);
    free(g->bucket_bytes);
    g->buckets = copy_buckets(buckets, n);
    g->n_buckets = n;
    g->bucket_packets = xcalloc(n + 1, sizeof *g->bucket_packets);
    g->bucket_bytes = xcalloc(n + 1, sizeof *g->bucket_bytes);
}

void
ofproto_group_credit(struct ofproto *p, uint32_t group_id, uint32_t bucket,
                     bool to_group, uint64_t n_packets, uint64_t n_bytes)
{
    struct ofgroup *g = find_group(p, group_id);

    if (g) {
        if (to_group) {
            g->n_packets += n_packets;
            g->n_bytes += n_bytes;
        }
        if (bucket < g->n_buckets) {
            g->bucket_packets[bucket] += n_packets;
            g->bucket_bytes[bucket] += n_bytes;
        }
    }
}

uint32_t
ofproto_group_ref_count(const struct ofproto *p, uint32_t group_id)
{
    uint32_t n = 0;

    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        const struct rule *rule;

        CLS_FOR_EACH (rule, cr, &p->tables[t]) {
            n += !rule_is_hidden(rule) && rule_has_out_group(rule, group_id);
        }
    }
    return n;
}

void
ofproto_groups_destroy(struct ofproto *p)
{
    struct ofgroup *g;

    HMAP_FOR_EACH_POP (g, node, &p->groups) {
        group_destroy(g);
    }
    hmap_destroy(&p->groups);
}

void
ofproto_groups_publish(const struct ofproto *p, struct xlate_bridge *xb)
{
    const struct ofgroup *g;

    HMAP_FOR_EACH (g, node, &p->groups) {
        xlate_bridge_add_group(xb, g->group_id, g->type, g->buckets,
                               g->n_buckets);
    }
}

static struct xlate_bucket *
copy_buckets(const struct ofproto_bucket *buckets, size_t n)
{
    struct xlate_bucket *copy = xcalloc(n ? n : 1, sizeof *copy);

    for (size_t i = 0; i < n; i++) {
        copy[i].weight = buckets[i].weight;
        copy[i].watch_port = buckets[i].watch_port;
        copy[i].watch_group = buckets[i].watch_group;
        copy[i].actions = rule_actions_create(buckets[i].ofpacts,
                                              buckets[i].ofpacts_len);
    }
    return copy;
}

/* A group may only chain to groups that exist, and never back to
 * itself. */
static enum ofperr
check_buckets(const struct ofproto *p, uint32_t group_id,
              const struct ofproto_bucket *buckets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ofpa *a;

        enum ofperr error;

        if (buckets[i].watch_group != OFPROTO_GROUP_ANY
            && buckets[i].watch_group == group_id) {
            return OFPERR_OFPGMFC_WATCH_UNSUPPORTED;
        }
        OFPA_FOR_EACH (a, buckets[i].ofpacts, buckets[i].ofpacts_len) {
            if (a->type == OFPA_GROUP) {
                uint32_t id = OFPA_CAST(ofpa_group, a)->group_id;

                if (id == group_id) {
                    return OFPERR_OFPGMFC_LOOP;
                } else if (!find_group(p, id)) {
                    return OFPERR_OFPBAC_BAD_OUT_GROUP;
                }
            }
        }
        error = ofproto_check_action_refs(p, buckets[i].ofpacts,
                                          buckets[i].ofpacts_len);
        if (error) {
            return error;
        }
    }
    return 0;
}

enum ofperr
ofproto_group_add(struct ofproto *p, uint32_t group_id,
                  enum ofproto_group_type type,
                  const struct ofproto_bucket *buckets, size_t n_buckets)
{
    struct ofgroup *g;
    enum ofperr error;

    if (find_group(p, group_id)) {
        return OFPERR_OFPGMFC_GROUP_EXISTS;
    }
    error = check_buckets(p, group_id, buckets, n_buckets);
    if (error) {
        return error;
    }
    g = xzalloc(sizeof *g);
    g->group_id = group_id;
    g->type = type;
    group_set_buckets(g, buckets, n_buckets);
    g->created = time_msec();
    hmap_insert(&p->groups, &g->node, hash_int(group_id, 0));
    ofproto_publish(p);
    return 0;
}

enum ofperr
ofproto_group_modify(struct ofproto *p, uint32_t group_id,
                     enum ofproto_group_type type,
                     const struct ofproto_bucket *buckets, size_t n_buckets)
{
    struct ofgroup *g = find_group(p, group_id);
    enum ofperr error;

    if (!g) {
        return OFPERR_OFPGMFC_UNKNOWN_GROUP;
    }
    error = check_buckets(p, group_id, buckets, n_buckets);
    if (error) {
        return error;
    }
    g->type = type;
    group_set_buckets(g, buckets, n_buckets);
    ofproto_publish(p);
    return 0;
}

/* Deletes group GROUP_ID (OFPROTO_GROUP_ALL: every group) and the flows
 * that use it.  Deleting a group that does not exist is not an error. */
void
ofproto_group_delete(struct ofproto *p, uint32_t group_id)
{
    struct ofgroup *g;
    bool changed = false;

    HMAP_FOR_EACH_SAFE (g, node, &p->groups) {
        if (group_id == OFPROTO_GROUP_ALL || g->group_id == group_id) {
            ofproto_delete_flows_to_group(p, g->group_id);
            hmap_remove(&p->groups, &g->node);
            group_destroy(g);
            changed = true;
        }
    }
    if (changed) {
        ofproto_publish(p);
    }
}

/* Visits every group, in no particular order. */
void
ofproto_group_for_each(const struct ofproto *p,
                       void (*cb)(const struct ofproto_group_info *,
                                  void *aux),
                       void *aux)
{
    const struct ofgroup *g;

    HMAP_FOR_EACH (g, node, &p->groups) {
        struct ofproto_group_info info = {
            .group_id = g->group_id,
            .type = g->type,
            .buckets = g->buckets,
            .n_buckets = g->n_buckets,
            .created = g->created,
            .n_packets = g->n_packets,
            .n_bytes = g->n_bytes,
            .bucket_packets = g->bucket_packets,
            .bucket_bytes = g->bucket_bytes,
        };
        cb(&info, aux);
    }
}
