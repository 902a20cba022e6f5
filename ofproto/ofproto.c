/* ofproto: bridges, ports, bundles, table 0 and reports (see ofproto.h and
 * ofproto-private.h). */
#include <config.h>
#include "ofproto/ofproto.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "datapath/netdev.h"
#include "dynamic-string.h"
#include "hash.h"
#include "match.h"
#include "meta-flow.h"
#include "poll-loop.h"
#include "ofproto/mac-learning.h"
#include "ofp-actions.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/recirc.h"
#include "ofproto/xlate.h"
#include "openflow.h"
#include "rcu.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

#define VLAN_N_IDS 4096

static struct hmap all_ofprotos = HMAP_INITIALIZER(&all_ofprotos);
static struct hmap all_backers = HMAP_INITIALIZER(&all_backers);

/* See "Versions" in ofproto-private.h. */
static uint64_t cfg_seq_global;

static void unixctl_fdb_show(struct unixctl_conn *, int argc,
                             const char *argv[], void *aux);
static void unixctl_fdb_flush(struct unixctl_conn *, int argc,
                              const char *argv[], void *aux);
static void unixctl_fdb_stats_show(struct unixctl_conn *, int argc,
                                   const char *argv[], void *aux);

void
ofproto_init(void)
{
    unixctl_command_register("fdb/show", "BRIDGE", 1, 1,
                             unixctl_fdb_show, NULL);
    unixctl_command_register("fdb/flush", "[BRIDGE]", 0, 1,
                             unixctl_fdb_flush, NULL);
    unixctl_command_register("fdb/stats-show", "BRIDGE", 1, 1,
                             unixctl_fdb_stats_show, NULL);
    ofproto_export_init_unixctl();
}

/* ------------------------------------------------------------------ */
/* Backers. */

static struct backer *
backer_get(struct dpif *dpif)
{
    struct backer *backer;
    pthread_rwlockattr_t attr;

    HMAP_FOR_EACH_WITH_HASH (backer, node, hash_pointer(dpif, 0),
                             &all_backers) {
        if (backer->dpif == dpif) {
            return backer;
        }
    }

    backer = xzalloc(sizeof *backer);
    backer->dpif = dpif;
    plx_list_init(&backer->ofprotos);
    /* Writers must not starve behind a stream of upcalls. */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(
        &attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&backer->rwlock, &attr);
    pthread_rwlockattr_destroy(&attr);
    hmap_init(&backer->odp_ports);
    latch_init(&backer->wake);
    backer->recirc = recirc_table_create();
    ofproto_revalidator_init(backer);
    hmap_insert(&all_backers, &backer->node, hash_pointer(dpif, 0));
    ofproto_upcall_register(backer);
    return backer;
}

static void
backer_unref(struct backer *backer)
{
    if (!plx_list_is_empty(&backer->ofprotos)) {
        return;
    }
    ofproto_upcall_unregister(backer);
    hmap_remove(&all_backers, &backer->node);
    ofproto_revalidator_destroy(backer);
    recirc_table_destroy(backer->recirc);
    latch_destroy(&backer->wake);
    bitmap_free(backer->meter_ids);
    hmap_destroy(&backer->odp_ports);
    pthread_rwlock_destroy(&backer->rwlock);
    free(backer);
}

struct ofport *
ofproto_backer_find_odp_port(const struct backer *backer, odp_port_t odp)
{
    struct ofport *port;

    HMAP_FOR_EACH_WITH_HASH (port, odp_node, hash_int(odp, 0),
                             &backer->odp_ports) {
        if (port->odp_port == odp) {
            return port;
        }
    }
    return NULL;
}

uint64_t
ofproto_ml_version(const struct ofproto *p)
{
    uint64_t version;

    pthread_rwlock_rdlock(&p->ml->rwlock);
    version = mac_learning_version(p->ml);
    pthread_rwlock_unlock(&p->ml->rwlock);
    return version;
}

/* ------------------------------------------------------------------ */
/* Bridges. */

struct ofproto *
ofproto_lookup(const char *name)
{
    struct ofproto *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_string(name, 0), &all_ofprotos) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

const char *
ofproto_name(const struct ofproto *p)
{
    return p->name;
}

static void ofproto_update_port_states(struct ofproto *);

uint64_t
ofproto_next_cfg_seq(void)
{
    return ++cfg_seq_global;
}

int
ofproto_create(const char *name, struct dpif *dpif, struct ofproto **pp)
{
    struct ofproto *p;

    *pp = NULL;
    if (ofproto_lookup(name)) {
        return EEXIST;
    }

    p = xzalloc(sizeof *p);
    p->name = xstrdup(name);
    p->backer = backer_get(dpif);
    p->fail_mode = OFPROTO_FAIL_STANDALONE;
    ofproto_tables_init(p);
    p->ml = mac_learning_create(MAC_LEARNING_DEFAULT_IDLE_TIME);
    hmap_init(&p->ports);
    hmap_init(&p->bundles);
    hmap_init(&p->groups);
    hmap_init(&p->meters);
    pthread_mutex_init(&p->pin_mutex, NULL);
    plx_list_init(&p->pins);
    ofproto_export_init(p);
    ofproto_flush_flows(p);
    ofproto_ofp_init(p);

    hmap_insert(&all_ofprotos, &p->node, hash_string(name, 0));
    plx_list_push_back(&p->backer->ofprotos, &p->backer_node);
    ofproto_publish(p);
    VLOG_INFO("%s: created bridge on %s", name, dpif_name(dpif));
    *pp = p;
    return 0;
}

static void bundle_destroy(struct ofproto *, struct ofbundle *);

void
ofproto_destroy(struct ofproto *p)
{
    struct ofbundle *bundle;
    struct ofport *port;
    struct backer *backer;
    struct xlate_bridge *xb;

    if (!p) {
        return;
    }
    backer = p->backer;
    ofproto_ofp_destroy(p);

    HMAP_FOR_EACH_SAFE (bundle, node, &p->bundles) {
        bundle_destroy(p, bundle);
    }

    /* Unpublish everything upcalls could reach. */
    pthread_rwlock_wrlock(&backer->rwlock);
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        hmap_remove(&backer->odp_ports, &port->odp_node);
    }
    xb = p->xbridge;
    p->xbridge = NULL;
    plx_list_remove(&p->backer_node);
    pthread_rwlock_unlock(&backer->rwlock);
    xlate_bridge_destroy(xb);

    /* Its megaflows now have unknown input ports: the pass deletes
     * them. */
    ofproto_revalidator_sync(backer);

    HMAP_FOR_EACH_POP (port, ofp_node, &p->ports) {
        int error = dpif_port_del(backer->dpif, port->odp_port);
        if (error) {
            VLOG_WARN("%s: deleting port %s from the datapath failed (%s)",
                      p->name, port->name, plx_strerror(error));
        }
        free(port->name);
        free(port);
    }
    hmap_destroy(&p->ports);
    hmap_destroy(&p->bundles);

    ofproto_tables_destroy(p);
    ofproto_groups_destroy(p);
    ofproto_meters_destroy(p);
    {
        struct ofproto_pin *pin;

        LIST_FOR_EACH_POP (pin, node, &p->pins) {
            free(pin);
        }
        pthread_mutex_destroy(&p->pin_mutex);
    }
    mac_learning_destroy(p->ml);
    ofproto_export_destroy(p);

    hmap_remove(&all_ofprotos, &p->node);
    VLOG_INFO("%s: destroyed bridge", p->name);
    free(p->flush_ports);
    free(p->name);
    free(p);
    backer_unref(backer);
}

/* Builds the translation snapshot of P's configuration. */
static struct xlate_bridge *
build_xbridge(const struct ofproto *p)
{
    struct xlate_bridge *xb = xlate_bridge_create(p->name, p->tables, p->ml);
    const struct ofbundle *bundle;
    const struct ofport *port;

    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        xlate_bridge_add_port(xb, port->ofp_port, port->odp_port,
                              port->name);
        xlate_bridge_set_port_state(xb, port->ofp_port, port->config,
                                    port->live);
    }
    ofproto_groups_publish(p, xb);
    ofproto_meters_publish(p, xb);
    xb->miss_to_controller = p->miss_to_controller;
    xb->recirc = p->backer->recirc;
    ofproto_export_publish(p, xb);
    HMAP_FOR_EACH (bundle, node, &p->bundles) {
        ofp_port_t *members = xcalloc(bundle->n_members + 1,
                                      sizeof *members);
        int error;

        for (size_t i = 0; i < bundle->n_members; i++) {
            members[i] = bundle->members[i]->ofp_port;
        }
        error = xlate_bridge_add_bundle(xb, bundle->name, bundle->vlan_mode,
                                        bundle->vlan, bundle->trunks,
                                        members, bundle->n_members);
        plx_assert(!error);
        free(members);
    }
    return xb;
}

/* Publishes P's new configuration and revalidates its megaflows, so that
 * the next packet follows it. */
void
ofproto_publish(struct ofproto *p)
{
    struct xlate_bridge *new = build_xbridge(p);
    struct xlate_bridge *old;

    pthread_rwlock_wrlock(&p->backer->rwlock);
    old = p->xbridge;
    p->xbridge = new;
    p->cfg_seq = ofproto_next_cfg_seq();
    pthread_rwlock_unlock(&p->backer->rwlock);
    xlate_bridge_destroy(old);

    /* Only now forget what was learned on ports that left or changed
     * VLAN: a translation under the old configuration holds
     * backer->rwlock for reading until it is done, learning included, so
     * once the write lock above was granted none can re-learn a MAC on
     * such a port (on its old VLAN, or under a port number about to be
     * reused) after this flush. */
    if (p->n_flush_ports) {
        pthread_rwlock_wrlock(&p->ml->rwlock);
        for (size_t i = 0; i < p->n_flush_ports; i++) {
            mac_learning_flush_port(p->ml, p->flush_ports[i]);
        }
        pthread_rwlock_unlock(&p->ml->rwlock);
        p->n_flush_ports = 0;
    }

    ofproto_revalidator_sync(p->backer);
}

/* Hands the packets that upcalls queued for the controller to the
 * OpenFlow side (or drops them if there is none). */
static void
ofproto_deliver_packet_ins(struct ofproto *p)
{
    struct plx_list pins;
    struct ofproto_pin *pin;

    pthread_mutex_lock(&p->pin_mutex);
    plx_list_init(&pins);
    plx_list_push_back_all(&pins, &p->pins);
    p->n_pins = 0;
    pthread_mutex_unlock(&p->pin_mutex);

    LIST_FOR_EACH_POP (pin, node, &pins) {
        uint64_t cookie = be64toh(pin->cookie.cookie);

        if (p->local_cb && pin->cookie.reason == XLATE_PIN_ACTION
            && (cookie & p->local_mask) == p->local_cookie) {
            p->local_cb(p->local_aux, pin->packet, pin->len,
                         pin->cookie.in_port, cookie);
        } else if (p->packet_in) {
            p->packet_in(p, pin);
        }
        free(pin);
    }
}

void
ofproto_set_local_handler(struct ofproto *p, uint64_t value, uint64_t mask,
                          ofproto_local_cb *cb, void *aux)
{
    p->local_cb = cb;
    p->local_aux = aux;
    p->local_cookie = value & mask;
    p->local_mask = mask;
}

size_t
ofproto_count_rules(const struct ofproto *p)
{
    size_t n = 0;

    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        n += classifier_count(&p->tables[i]);
    }
    return n;
}

void
ofproto_run(struct ofproto *p)
{
    size_t n;

    pthread_rwlock_wrlock(&p->ml->rwlock);
    n = mac_learning_run(p->ml, time_msec());
    pthread_rwlock_unlock(&p->ml->rwlock);
    if (n) {
        VLOG_DBG("%s: %zu MAC entries expired", p->name, n);
    }
    ofproto_ofp_run(p);
    ofproto_update_port_states(p);
    ofproto_expire_rules(p, time_msec());
    ofproto_tables_sync(p);
    ofproto_revalidator_run(p->backer);
    ofproto_deliver_packet_ins(p);
    ofproto_export_run(p);
}

void
ofproto_wait(struct ofproto *p)
{
    long long int next;

    pthread_rwlock_rdlock(&p->ml->rwlock);
    next = mac_learning_next_expiry(p->ml);
    pthread_rwlock_unlock(&p->ml->rwlock);
    if (next != LLONG_MAX) {
        poll_timer_wait_until(next);
    }
    ofproto_ofp_wait(p);
    ofproto_expire_wait(p);
    if (p->tables_changed) {
        poll_immediate_wake();
    }
    ofproto_revalidator_wait(p->backer);
    ofproto_export_wait(p);
}

void
ofproto_revalidate(struct ofproto *p)
{
    ofproto_revalidator_sync(p->backer);
}

/* ------------------------------------------------------------------ */
/* Configuration. */

void
ofproto_set_fail_mode(struct ofproto *p, enum ofproto_fail_mode mode)
{
    if (mode == p->fail_mode) {
        return;
    }
    p->fail_mode = mode;
    /* As Open vSwitch, without controllers changing the fail mode
     * flushes the tables (and adds the NORMAL rule of a standalone
     * bridge). */
    if (!p->has_controllers) {
        ofproto_flush_flows(p);
        ofproto_tables_sync(p);
    }
}

void
ofproto_set_mac_table_config(struct ofproto *p, unsigned int idle_time,
                             size_t max_entries)
{
    pthread_rwlock_wrlock(&p->ml->rwlock);
    mac_learning_set_idle_time(p->ml, idle_time);
    mac_learning_set_max_entries(p->ml, max_entries);
    pthread_rwlock_unlock(&p->ml->rwlock);
}

/* ------------------------------------------------------------------ */
/* Ports. */

/* Whether PORT can carry traffic: administratively up with carrier.
 * Fast-failover groups watch this. */
static bool
port_is_live(const struct ofport *port)
{
    enum netdev_flags flags = 0;
    bool carrier = true;

    netdev_get_flags(port->netdev, &flags);
    netdev_get_carrier(port->netdev, &carrier);
    return (flags & NETDEV_UP) && carrier;
}

/* Notices ports whose link went up or down: republishes (fast failover
 * follows at once) and tells controllers (PORT_STATUS). */
static void
ofproto_update_port_states(struct ofproto *p)
{
    struct ofport *port;
    bool changed = false;

    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        uint64_t seq = netdev_get_change_seq(port->netdev);

        if (seq != port->change_seq) {
            bool live = port_is_live(port);

            port->change_seq = seq;
            if (live != port->live) {
                port->live = live;
                changed = true;
            }
            ofproto_send_port_status(p, port, OFPPR_MODIFY);
        }
    }
    if (changed) {
        ofproto_publish(p);
    }
}

struct ofport *
ofproto_find_port(const struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port;

    HMAP_FOR_EACH_WITH_HASH (port, ofp_node, hash_int(ofp_port, 0),
                             &p->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

static struct ofport *
find_port_by_name(const struct ofproto *p, const char *name)
{
    struct ofport *port;

    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

/* Forgets, at the next ofproto_publish(), what was learned on
 * OFP_PORT (see there for why not now). */
static void
flush_port_macs(struct ofproto *p, ofp_port_t ofp_port)
{
    if (p->n_flush_ports >= p->allocated_flush_ports) {
        p->flush_ports = x2nrealloc(p->flush_ports, &p->allocated_flush_ports,
                                    sizeof *p->flush_ports);
    }
    p->flush_ports[p->n_flush_ports++] = ofp_port;
}

int
ofproto_port_add(struct ofproto *p, struct netdev *netdev,
                 ofp_port_t *ofp_portp)
{
    const char *name = netdev_get_name(netdev);
    ofp_port_t ofp_port = *ofp_portp;
    odp_port_t odp_port = ODPP_NONE;
    struct ofport *port;
    int error;

    if (find_port_by_name(p, name)) {
        return EEXIST;
    }
    if (ofp_port == MF_OFPP_ANY) {
        if (!strcmp(name, p->name)) {
            ofp_port = MF_OFPP_LOCAL;
        } else {
            for (ofp_port = 1; ofproto_find_port(p, ofp_port); ofp_port++) {
                continue;
            }
        }
    } else if (ofp_port == 0
               || (ofp_port >= OFPROTO_MAX_PORTS
                   && ofp_port != MF_OFPP_LOCAL)) {
        return EINVAL;
    }
    if (ofproto_find_port(p, ofp_port)) {
        return EEXIST;
    }

    /* The port is known to the bridge, under the datapath number it is
     * about to get, before the datapath starts polling it: so the very
     * first packets it receives (a capture replayed from the start, a
     * busy NIC) find their bridge instead of failing their upcall. */
    odp_port = 1;
    while (ofproto_backer_find_odp_port(p->backer, odp_port)) {
        odp_port++;
    }
    port = xzalloc(sizeof *port);
    port->ofproto = p;
    port->netdev = netdev;
    port->name = xstrdup(name);
    port->ofp_port = ofp_port;
    port->odp_port = odp_port;
    port->change_seq = netdev_get_change_seq(netdev);
    port->live = port_is_live(port);
    port->created = time_msec();

    pthread_rwlock_wrlock(&p->backer->rwlock);
    hmap_insert(&p->ports, &port->ofp_node, hash_int(ofp_port, 0));
    hmap_insert(&p->backer->odp_ports, &port->odp_node, hash_int(odp_port, 0));
    pthread_rwlock_unlock(&p->backer->rwlock);
    ofproto_publish(p);

    error = dpif_port_add(p->backer->dpif, netdev, &odp_port);
    if (error == EBUSY) {
        /* A datapath port no bridge knows has the number: any other. */
        odp_port = ODPP_NONE;
        error = dpif_port_add(p->backer->dpif, netdev, &odp_port);
    }
    if (error || odp_port != port->odp_port) {
        pthread_rwlock_wrlock(&p->backer->rwlock);
        hmap_remove(&p->backer->odp_ports, &port->odp_node);
        if (error) {
            hmap_remove(&p->ports, &port->ofp_node);
        } else {
            port->odp_port = odp_port;
            hmap_insert(&p->backer->odp_ports, &port->odp_node,
                        hash_int(odp_port, 0));
        }
        pthread_rwlock_unlock(&p->backer->rwlock);
    }
    if (error) {
        ofproto_publish(p);
        VLOG_WARN("%s: could not add port %s to the datapath (%s)",
                  p->name, name, plx_strerror(error));
        free(port->name);
        free(port);
        return error;
    }

    ofproto_publish(p);
    ofproto_export_ports_changed(p);
    ofproto_send_port_status(p, port, OFPPR_ADD);
    *ofp_portp = ofp_port;
    return 0;
}

static void
bundle_remove_member(struct ofbundle *bundle, struct ofport *port)
{
    for (size_t i = 0; i < bundle->n_members; i++) {
        if (bundle->members[i] == port) {
            memmove(&bundle->members[i], &bundle->members[i + 1],
                    (bundle->n_members - i - 1) * sizeof *bundle->members);
            bundle->n_members--;
            break;
        }
    }
    port->bundle = NULL;
}

int
ofproto_port_del(struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port = ofproto_find_port(p, ofp_port);
    int error;

    if (!port) {
        return ENOENT;
    }
    ofproto_send_port_status(p, port, OFPPR_DELETE);
    if (port->bundle) {
        bundle_remove_member(port->bundle, port);
    }
    flush_port_macs(p, ofp_port);

    pthread_rwlock_wrlock(&p->backer->rwlock);
    hmap_remove(&p->ports, &port->ofp_node);
    hmap_remove(&p->backer->odp_ports, &port->odp_node);
    pthread_rwlock_unlock(&p->backer->rwlock);

    /* Deletes the port's megaflows and takes it out of the others before
     * the datapath can reuse its number. */
    ofproto_publish(p);

    error = dpif_port_del(p->backer->dpif, port->odp_port);
    if (error) {
        VLOG_WARN("%s: deleting port %s from the datapath failed (%s)",
                  p->name, port->name, plx_strerror(error));
    }
    free(port->name);
    free(port);
    ofproto_export_ports_changed(p);
    return error;
}

odp_port_t
ofproto_port_to_odp(const struct ofproto *p, ofp_port_t ofp_port)
{
    const struct ofport *port = ofproto_find_port(p, ofp_port);
    return port ? port->odp_port : ODPP_NONE;
}

const char *
ofproto_port_name(const struct ofproto *p, ofp_port_t ofp_port)
{
    const struct ofport *port = ofproto_find_port(p, ofp_port);
    return port ? port->name : NULL;
}

/* ------------------------------------------------------------------ */
/* Bundles. */

static struct ofbundle *
find_bundle(const struct ofproto *p, const void *aux)
{
    struct ofbundle *bundle;

    HMAP_FOR_EACH_WITH_HASH (bundle, node, hash_pointer(aux, 0),
                             &p->bundles) {
        if (bundle->aux == aux) {
            return bundle;
        }
    }
    return NULL;
}

static bool
trunks_equal(const unsigned long *a, const unsigned long *b)
{
    return (!a || !b
            ? a == b
            : bitmap_equal(a, b, VLAN_N_IDS));
}

static void
bundle_flush_macs(struct ofproto *p, const struct ofbundle *bundle)
{
    for (size_t i = 0; i < bundle->n_members; i++) {
        flush_port_macs(p, bundle->members[i]->ofp_port);
    }
}

/* Removes BUNDLE from P without republishing P's configuration. */
static void
bundle_destroy(struct ofproto *p, struct ofbundle *bundle)
{
    bundle_flush_macs(p, bundle);
    for (size_t i = 0; i < bundle->n_members; i++) {
        bundle->members[i]->bundle = NULL;
    }
    hmap_remove(&p->bundles, &bundle->node);
    free(bundle->name);
    bitmap_free(bundle->trunks);
    free(bundle->members);
    free(bundle);
}

int
ofproto_bundle_register(struct ofproto *p, void *aux,
                        const struct ofproto_bundle_settings *s)
{
    struct ofbundle *bundle;
    struct ofport **members;
    bool vlan_changed;
    size_t i, j;

    if (s->vlan < -1 || s->vlan >= VLAN_N_IDS
        || (s->vlan_mode != PORT_VLAN_ACCESS
            && s->vlan_mode != PORT_VLAN_TRUNK
            && s->vlan_mode != PORT_VLAN_NATIVE_TAGGED
            && s->vlan_mode != PORT_VLAN_NATIVE_UNTAGGED)
        || (s->n_members && !s->members)) {
        return EINVAL;
    }
    members = xcalloc(s->n_members + 1, sizeof *members);
    for (i = 0; i < s->n_members; i++) {
        members[i] = ofproto_find_port(p, s->members[i]);
        for (j = 0; j < i && members[i]; j++) {
            if (members[j] == members[i]) {
                members[i] = NULL;
            }
        }
        if (!members[i]) {
            free(members);
            return EINVAL;
        }
    }

    bundle = find_bundle(p, aux);
    if (!bundle) {
        bundle = xzalloc(sizeof *bundle);
        bundle->aux = aux;
        bundle->vlan_mode = s->vlan_mode;
        bundle->vlan = s->vlan;
        hmap_insert(&p->bundles, &bundle->node, hash_pointer(aux, 0));
        vlan_changed = false;
    } else {
        vlan_changed = (bundle->vlan_mode != s->vlan_mode
                        || bundle->vlan != s->vlan
                        || !trunks_equal(bundle->trunks, s->trunks));
    }

    /* MACs learned under the old VLAN settings, or on ports that leave,
     * no longer say where to send frames. */
    for (i = 0; i < bundle->n_members; i++) {
        struct ofport *old = bundle->members[i];
        bool stays = false;

        for (j = 0; j < s->n_members; j++) {
            stays = stays || members[j] == old;
        }
        if (vlan_changed || !stays) {
            flush_port_macs(p, old->ofp_port);
        }
        if (!stays) {
            old->bundle = NULL;
        }
    }
    /* A port moves from any bundle it was in. */
    for (i = 0; i < s->n_members; i++) {
        struct ofbundle *other = members[i]->bundle;

        if (other && other != bundle) {
            bundle_remove_member(other, members[i]);
            flush_port_macs(p, members[i]->ofp_port);
        }
        members[i]->bundle = bundle;
    }

    free(bundle->name);
    bundle->name = xstrdup(s->name ? s->name : "");
    bundle->vlan_mode = s->vlan_mode;
    bundle->vlan = s->vlan;
    if (!trunks_equal(bundle->trunks, s->trunks)) {
        bitmap_free(bundle->trunks);
        bundle->trunks = s->trunks ? bitmap_clone(s->trunks, VLAN_N_IDS)
                                   : NULL;
    }
    free(bundle->members);
    bundle->members = members;
    bundle->n_members = s->n_members;

    ofproto_publish(p);
    return 0;
}

void
ofproto_bundle_unregister(struct ofproto *p, void *aux)
{
    struct ofbundle *bundle = find_bundle(p, aux);

    if (bundle) {
        bundle_destroy(p, bundle);
        ofproto_publish(p);
    }
}

/* ------------------------------------------------------------------ */
/* Reports. */

static const char *
fdb_port_name(uint32_t port, void *aux PLX_UNUSED)
{
    return port == MF_OFPP_LOCAL ? "LOCAL" : NULL;
}

void
ofproto_format_fdb(const struct ofproto *p, struct ds *ds)
{
    pthread_rwlock_rdlock(&p->ml->rwlock);
    mac_learning_format(p->ml, time_msec(), fdb_port_name, NULL, ds);
    pthread_rwlock_unlock(&p->ml->rwlock);
}

void
ofproto_flush_fdb(struct ofproto *p)
{
    pthread_rwlock_wrlock(&p->ml->rwlock);
    mac_learning_flush(p->ml);
    pthread_rwlock_unlock(&p->ml->rwlock);
    ofproto_revalidator_sync(p->backer);
}

void
ofproto_format_fdb_stats(const struct ofproto *p, struct ds *ds)
{
    const struct mac_learning *ml = p->ml;

    pthread_rwlock_rdlock(&p->ml->rwlock);
    ds_put_format(ds, "Statistics for bridge \"%s\":\n", p->name);
    ds_put_format(ds, "  Current/maximum MAC entries in the table: "
                  "%zu/%zu\n", mac_learning_count(ml), ml->max_entries);
    ds_put_format(ds, "  Total number of learned MAC entries     : "
                  "%"PRIu64"\n", ml->stats.learned);
    ds_put_format(ds, "  Total number of expired MAC entries     : "
                  "%"PRIu64"\n", ml->stats.expired);
    ds_put_format(ds, "  Total number of evicted MAC entries     : "
                  "%"PRIu64"\n", ml->stats.evicted);
    ds_put_format(ds, "  Total number of port moved MAC entries  : "
                  "%"PRIu64"\n", ml->stats.moved);
    pthread_rwlock_unlock(&p->ml->rwlock);
}

void
ofproto_format_memory(const struct ofproto *p, struct ds *ds)
{
    size_t n_macs;

    pthread_rwlock_rdlock(&p->ml->rwlock);
    n_macs = mac_learning_count(p->ml);
    pthread_rwlock_unlock(&p->ml->rwlock);

    if (ds->length && ds->string[ds->length - 1] != ' '
        && ds->string[ds->length - 1] != '\n') {
        ds_put_char(ds, ' ');
    }
    ds_put_format(ds, "ports:%zu rules:%zu mac_entries:%zu",
                  hmap_count(&p->ports), ofproto_count_rules(p),
                  n_macs);
}

static void
unixctl_fdb_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                 const char *argv[], void *aux PLX_UNUSED)
{
    const struct ofproto *p = ofproto_lookup(argv[1]);
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (!p) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    ofproto_format_fdb(p, &ds);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
unixctl_fdb_flush(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux PLX_UNUSED)
{
    struct ofproto *p;

    if (argc > 1) {
        p = ofproto_lookup(argv[1]);
        if (!p) {
            unixctl_command_reply_error(conn, "no such bridge");
            return;
        }
        ofproto_flush_fdb(p);
    } else {
        HMAP_FOR_EACH (p, node, &all_ofprotos) {
            ofproto_flush_fdb(p);
        }
    }
    unixctl_command_reply(conn, "table successfully flushed");
}

static void
unixctl_fdb_stats_show(struct unixctl_conn *conn, int argc PLX_UNUSED,
                       const char *argv[], void *aux PLX_UNUSED)
{
    const struct ofproto *p = ofproto_lookup(argv[1]);
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (!p) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    ofproto_format_fdb_stats(p, &ds);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}
