/* xlate-bridge: translation's configuration snapshots (ports, bundles,
 * groups, meters of one bridge), built by ofproto and read by xlate.c
 * (see xlate.h, "Configuration snapshot"). */
#include <config.h>
#include "ofproto/xlate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "hash.h"
#include "openflow.h"
#include "util.h"

#define VLAN_N_IDS 4096

/* ------------------------------------------------------------------ */
/* Snapshots. */

struct xlate_bridge *
xlate_bridge_create(const char *name, const struct classifier *tables,
                    struct mac_learning *ml)
{
    struct xlate_bridge *xb = xzalloc(sizeof *xb);

    xb->name = xstrdup(name);
    xb->tables = tables;
    xb->ml = ml;
    hmap_init(&xb->ports);
    hmap_init(&xb->groups);
    hmap_init(&xb->meters);
    return xb;
}

struct xlate_meter {
    struct hmap_node node;
    uint32_t meter_id;
    uint32_t dp_id;
};

void
xlate_bridge_add_meter(struct xlate_bridge *xb, uint32_t meter_id,
                       uint32_t dp_id)
{
    struct xlate_meter *m = xmalloc(sizeof *m);

    m->meter_id = meter_id;
    m->dp_id = dp_id;
    hmap_insert(&xb->meters, &m->node, hash_int(meter_id, 0));
}

bool
xlate_bridge_find_meter(const struct xlate_bridge *xb, uint32_t meter_id,
                        uint32_t *dp_idp)
{
    const struct xlate_meter *m;

    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(meter_id, 0), &xb->meters) {
        if (m->meter_id == meter_id) {
            *dp_idp = m->dp_id;
            return true;
        }
    }
    return false;
}

static void
xlate_group_destroy(struct xlate_group *g)
{
    for (size_t i = 0; i < g->n_buckets; i++) {
        rule_actions_destroy(g->buckets[i].actions);
    }
    free(g->buckets);
    free(g);
}

static void
xlate_bundle_destroy(struct xlate_bundle *b)
{
    free(b->name);
    bitmap_free(b->trunks);
    free(b->members);
    free(b);
}

void
xlate_bridge_destroy(struct xlate_bridge *xb)
{
    struct xlate_port *port;

    if (!xb) {
        return;
    }
    HMAP_FOR_EACH_POP (port, node, &xb->ports) {
        free(port->name);
        free(port);
    }
    hmap_destroy(&xb->ports);
    for (size_t i = 0; i < xb->n_bundles; i++) {
        xlate_bundle_destroy(xb->bundles[i]);
    }
    struct xlate_group *g;
    HMAP_FOR_EACH_POP (g, node, &xb->groups) {
        xlate_group_destroy(g);
    }
    hmap_destroy(&xb->groups);
    struct xlate_meter *m;
    HMAP_FOR_EACH_POP (m, node, &xb->meters) {
        free(m);
    }
    hmap_destroy(&xb->meters);
    free(xb->bundles);
    free(xb->name);
    free(xb);
}

static struct xlate_port *
find_port__(const struct xlate_bridge *xb, ofp_port_t ofp_port)
{
    struct xlate_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(ofp_port, 0),
                             &xb->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

const struct xlate_port *
xlate_bridge_find_port(const struct xlate_bridge *xb, ofp_port_t ofp_port)
{
    return find_port__(xb, ofp_port);
}

int
xlate_bridge_add_port(struct xlate_bridge *xb, ofp_port_t ofp_port,
                      odp_port_t odp_port, const char *name)
{
    struct xlate_port *port;

    if (xlate_bridge_find_port(xb, ofp_port)) {
        return EEXIST;
    }
    port = xzalloc(sizeof *port);
    port->ofp_port = ofp_port;
    port->odp_port = odp_port;
    port->name = xstrdup(name);
    port->live = true;
    hmap_insert(&xb->ports, &port->node, hash_int(ofp_port, 0));
    return 0;
}

int
xlate_bridge_set_port_state(struct xlate_bridge *xb, ofp_port_t ofp_port,
                            uint32_t config, bool live)
{
    struct xlate_port *port = find_port__(xb, ofp_port);

    if (!port) {
        return EINVAL;
    }
    port->config = config;
    port->live = live && !(config & OFPPC_PORT_DOWN);
    return 0;
}

const struct xlate_group *
xlate_bridge_find_group(const struct xlate_bridge *xb, uint32_t group_id)
{
    const struct xlate_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash_int(group_id, 0), &xb->groups) {
        if (g->group_id == group_id) {
            return g;
        }
    }
    return NULL;
}

int
xlate_bridge_add_group(struct xlate_bridge *xb, uint32_t group_id,
                       enum ofproto_group_type type,
                       const struct xlate_bucket *buckets, size_t n_buckets)
{
    struct xlate_group *g;

    if (xlate_bridge_find_group(xb, group_id)) {
        return EEXIST;
    }
    g = xzalloc(sizeof *g);
    g->group_id = group_id;
    g->type = type;
    g->n_buckets = n_buckets;
    g->buckets = xcalloc(n_buckets ? n_buckets : 1, sizeof *g->buckets);
    for (size_t i = 0; i < n_buckets; i++) {
        g->buckets[i] = buckets[i];
        g->buckets[i].actions = rule_actions_create(
            buckets[i].actions->ofpacts, buckets[i].actions->ofpacts_len);
    }
    hmap_insert(&xb->groups, &g->node, hash_int(group_id, 0));
    return 0;
}

/* Flood order: by first member; bundles without members last. */
static int
bundle_order(const struct xlate_bundle *a, const struct xlate_bundle *b)
{
    if (a->n_members && b->n_members) {
        ofp_port_t pa = a->members[0]->ofp_port;
        ofp_port_t pb = b->members[0]->ofp_port;
        return pa < pb ? -1 : pa > pb;
    }
    return (int) !a->n_members - (int) !b->n_members;
}

/* The effective 'trunks' of a bundle, as Open vSwitch derives it (NULL
 * for all VLANs). */
static unsigned long *
effective_trunks(enum port_vlan_mode mode, int vlan,
                 const unsigned long *trunks)
{
    unsigned long *t;

    switch (mode) {
    case PORT_VLAN_ACCESS:
        return NULL;
    case PORT_VLAN_TRUNK:
        return trunks ? bitmap_clone(trunks, VLAN_N_IDS) : NULL;
    case PORT_VLAN_NATIVE_TAGGED:
    case PORT_VLAN_NATIVE_UNTAGGED:
    default:
        if (vlan != 0 && (!trunks || !bitmap_is_set(trunks, vlan)
                          || bitmap_is_set(trunks, 0))) {
            /* Force trunking the native VLAN, never VLAN 0. */
            t = (trunks ? bitmap_clone(trunks, VLAN_N_IDS)
                 : bitmap_allocate1(VLAN_N_IDS));
            bitmap_set1(t, vlan);
            bitmap_set0(t, 0);
            return t;
        }
        return trunks ? bitmap_clone(trunks, VLAN_N_IDS) : NULL;
    }
}

int
xlate_bridge_add_bundle(struct xlate_bridge *xb, const char *name,
                        enum port_vlan_mode mode, int vlan,
                        const unsigned long *trunks,
                        const ofp_port_t *members, size_t n_members)
{
    struct xlate_bundle *b;
    size_t i;

    if (vlan < -1 || vlan >= VLAN_N_IDS
        || (mode != PORT_VLAN_ACCESS && mode != PORT_VLAN_TRUNK
            && mode != PORT_VLAN_NATIVE_TAGGED
            && mode != PORT_VLAN_NATIVE_UNTAGGED)) {
        return EINVAL;
    }
    for (i = 0; i < n_members; i++) {
        const struct xlate_port *p = xlate_bridge_find_port(xb, members[i]);
        if (!p || p->bundle) {
            return EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (members[j] == members[i]) {
                return EINVAL;
            }
        }
    }

    b = xzalloc(sizeof *b);
    b->name = xstrdup(name ? name : "");
    b->vlan_mode = mode;
    b->vlan = (mode == PORT_VLAN_TRUNK ? -1 : vlan >= 0 ? vlan : 0);
    b->trunks = effective_trunks(mode, b->vlan, trunks);
    b->members = xcalloc(n_members ? n_members : 1, sizeof *b->members);
    b->n_members = n_members;
    for (i = 0; i < n_members; i++) {
        struct xlate_port *p = find_port__(xb, members[i]);
        p->bundle = b;
        b->members[i] = p;
    }

    /* Insertion sort into flood order. */
    xb->bundles = xrealloc(xb->bundles,
                           (xb->n_bundles + 1) * sizeof *xb->bundles);
    for (i = xb->n_bundles; i > 0 && bundle_order(b, xb->bundles[i - 1]) < 0;
         i--) {
        xb->bundles[i] = xb->bundles[i - 1];
    }
    xb->bundles[i] = b;
    xb->n_bundles++;
    return 0;
}
