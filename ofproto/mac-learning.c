/* mac-learning: the MAC learning table (see mac-learning.h). */
#include <config.h>
#include "ofproto/mac-learning.h"

#include <limits.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "hash.h"
#include "packets.h"
#include "util.h"

static unsigned int
normalize_idle_time(unsigned int idle_time)
{
    return (idle_time < MAC_LEARNING_MIN_IDLE_TIME
            ? MAC_LEARNING_MIN_IDLE_TIME
            : idle_time > MAC_LEARNING_MAX_IDLE_TIME
            ? MAC_LEARNING_MAX_IDLE_TIME
            : idle_time);
}

/* Creates a table whose entries age out after IDLE_TIME seconds (clamped
 * to [15, 3600]) and which holds at most MAC_LEARNING_DEFAULT_MAX
 * entries. */
struct mac_learning *
mac_learning_create(unsigned int idle_time)
{
    struct mac_learning *ml = xzalloc(sizeof *ml);

    hmap_init(&ml->table);
    plx_list_init(&ml->lrus);
    ml->hash_basis = (uint32_t) random();
    ml->idle_time = normalize_idle_time(idle_time);
    ml->max_entries = MAC_LEARNING_DEFAULT_MAX;
    ml->now = LLONG_MIN;
    ml->version = 1;
    pthread_rwlock_init(&ml->rwlock, NULL);
    return ml;
}

void
mac_learning_destroy(struct mac_learning *ml)
{
    if (ml) {
        struct mac_entry *e;

        HMAP_FOR_EACH_POP (e, hmap_node, &ml->table) {
            free(e);
        }
        hmap_destroy(&ml->table);
        pthread_rwlock_destroy(&ml->rwlock);
        free(ml);
    }
}

static uint32_t
mac_table_hash(const struct mac_learning *ml, struct eth_addr mac,
               uint16_t vlan)
{
    return hash_2words(hash_uint64_basis(eth_addr_to_uint64(mac),
                                         ml->hash_basis), vlan);
}

static struct mac_entry *
mac_entry_find(const struct mac_learning *ml, struct eth_addr mac,
               uint16_t vlan)
{
    struct mac_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, mac_table_hash(ml, mac, vlan),
                             &ml->table) {
        if (e->vlan == vlan && eth_addr_equals(e->mac, mac)) {
            return e;
        }
    }
    return NULL;
}

static long long int
mac_entry_expires(const struct mac_learning *ml, const struct mac_entry *e)
{
    return e->used + ml->idle_time * 1000LL;
}

static void
mac_entry_remove(struct mac_learning *ml, struct mac_entry *e)
{
    hmap_remove(&ml->table, &e->hmap_node);
    plx_list_remove(&e->lru_node);
    free(e);
    ml->version++;
}

/* Removes least recently used entries until at most MAX remain. */
static void
evict_down_to(struct mac_learning *ml, size_t max)
{
    while (hmap_count(&ml->table) > max) {
        struct mac_entry *e = CONTAINER_OF(plx_list_front(&ml->lrus),
                                           struct mac_entry, lru_node);
        mac_entry_remove(ml, e);
        ml->stats.evicted++;
    }
}

/* Takes NOW into account, keeping ml->now monotonic, and returns the
 * time to use. */
static long long int
advance_time(struct mac_learning *ml, long long int now)
{
    if (now > ml->now) {
        ml->now = now;
    }
    return ml->now;
}

/* Sets the aging time to IDLE_TIME seconds (clamped to [15, 3600]).  It
 * applies to existing entries too, from the next mac_learning_run(). */
void
mac_learning_set_idle_time(struct mac_learning *ml, unsigned int idle_time)
{
    ml->idle_time = normalize_idle_time(idle_time);
}

/* Limits the table to MAX entries (0 means the default), evicting the
 * least recently used ones at once if it holds more. */
void
mac_learning_set_max_entries(struct mac_learning *ml, size_t max)
{
    ml->max_entries = max ? max : MAC_LEARNING_DEFAULT_MAX;
    evict_down_to(ml, ml->max_entries);
}

/* Whether a frame with source SRC_MAC on VLAN may be learned at all. */
bool
mac_learning_may_learn(struct eth_addr src_mac, uint16_t vlan)
{
    return !eth_addr_is_multicast(src_mac) && vlan <= MAC_LEARNING_VLAN_MAX;
}

/* Learns that SRC_MAC on VLAN was seen as a source on PORT at time NOW.
 * IS_GRAT_ARP says the frame was a gratuitous ARP (see "Moves" in the
 * header).  Expired entries are removed first, so an expired entry is
 * learned afresh. */
enum mac_learning_result
mac_learning_learn(struct mac_learning *ml, struct eth_addr src_mac,
                   uint16_t vlan, uint32_t port, bool is_grat_arp,
                   long long int now)
{
    enum mac_learning_result result;
    struct mac_entry *e;

    if (!mac_learning_may_learn(src_mac, vlan)) {
        return MAC_LEARNING_IGNORED;
    }
    now = advance_time(ml, now);
    mac_learning_run(ml, now);

    e = mac_entry_find(ml, src_mac, vlan);
    if (!e) {
        evict_down_to(ml, ml->max_entries - 1);
        e = xzalloc(sizeof *e);
        e->mac = src_mac;
        e->vlan = vlan;
        e->port = port;
        e->lock_until = LLONG_MIN;
        hmap_insert(&ml->table, &e->hmap_node,
                    mac_table_hash(ml, src_mac, vlan));
        plx_list_push_back(&ml->lrus, &e->lru_node);
        ml->stats.learned++;
        ml->version++;
        result = MAC_LEARNING_NEW;
    } else if (e->port != port) {
        if (is_grat_arp && now < e->lock_until) {
            return MAC_LEARNING_IGNORED;
        }
        e->port = port;
        ml->stats.moved++;
        ml->version++;
        result = MAC_LEARNING_MOVED;
    } else {
        result = MAC_LEARNING_REFRESHED;
    }

    e->used = now;
    if (is_grat_arp) {
        e->lock_until = now + MAC_LEARNING_GRAT_ARP_LOCK_MS;
    }
    /* Most recently used goes last; 'now' is monotonic, so the list stays
     * sorted by 'used'. */
    plx_list_remove(&e->lru_node);
    plx_list_push_back(&ml->lrus, &e->lru_node);
    return result;
}

/* Returns the port on which DST_MAC was learned on VLAN, or
 * MAC_LEARNING_PORT_NONE if it is unknown or expired at NOW. */
uint32_t
mac_learning_lookup(const struct mac_learning *ml, struct eth_addr dst_mac,
                    uint16_t vlan, long long int now)
{
    const struct mac_entry *e;

    if (eth_addr_is_multicast(dst_mac) || vlan > MAC_LEARNING_VLAN_MAX) {
        return MAC_LEARNING_PORT_NONE;
    }
    e = mac_entry_find(ml, dst_mac, vlan);
    if (!e || (now >= ml->now ? now : ml->now) >= mac_entry_expires(ml, e)) {
        return MAC_LEARNING_PORT_NONE;
    }
    return e->port;
}

/* Removes the entries that have expired at NOW; returns how many. */
size_t
mac_learning_run(struct mac_learning *ml, long long int now)
{
    size_t n = 0;

    now = advance_time(ml, now);
    while (!plx_list_is_empty(&ml->lrus)) {
        struct mac_entry *e = CONTAINER_OF(plx_list_front(&ml->lrus),
                                           struct mac_entry, lru_node);
        if (now < mac_entry_expires(ml, e)) {
            break;
        }
        mac_entry_remove(ml, e);
        ml->stats.expired++;
        n++;
    }
    return n;
}

/* Returns the time at which mac_learning_run() next has something to do
 * (for poll_timer_wait_until()), or LLONG_MAX if the table is empty. */
long long int
mac_learning_next_expiry(const struct mac_learning *ml)
{
    if (plx_list_is_empty(&ml->lrus)) {
        return LLONG_MAX;
    }
    return mac_entry_expires(ml, CONTAINER_OF(plx_list_front(&ml->lrus),
                                              struct mac_entry, lru_node));
}

/* Removes all entries (ALL), or those on PORT (BY_PORT), or on VLAN. */
static size_t
flush_matching(struct mac_learning *ml, bool all, bool by_port,
               uint32_t port, uint16_t vlan)
{
    struct mac_entry *e;
    size_t n = 0;

    LIST_FOR_EACH_SAFE (e, lru_node, &ml->lrus) {
        if (all || (by_port ? e->port == port : e->vlan == vlan)) {
            mac_entry_remove(ml, e);
            n++;
        }
    }
    return n;
}

/* Removes all entries (fdb/flush); returns how many. */
size_t
mac_learning_flush(struct mac_learning *ml)
{
    return flush_matching(ml, true, false, 0, 0);
}

/* Removes the entries learned on PORT (port deleted, or its VLAN
 * configuration changed); returns how many. */
size_t
mac_learning_flush_port(struct mac_learning *ml, uint32_t port)
{
    return flush_matching(ml, false, true, port, 0);
}

/* Removes the entries on VLAN; returns how many. */
size_t
mac_learning_flush_vlan(struct mac_learning *ml, uint16_t vlan)
{
    return flush_matching(ml, false, false, 0, vlan);
}

/* Appends the table to DS in the format of ovs-appctl fdb/show, least
 * recently used first, ages in seconds at NOW:
 *
 *      port  VLAN  MAC                Age
 *         1     0  50:54:00:00:00:01    3
 *
 * Entries that have expired but not yet been removed are left out. */
void
mac_learning_format(const struct mac_learning *ml, long long int now,
                    mac_learning_port_name_func *port_name, void *aux,
                    struct ds *ds)
{
    const struct mac_entry *e;

    if (now < ml->now) {
        now = ml->now;
    }
    ds_put_cstr(ds, " port  VLAN  MAC                Age\n");
    LIST_FOR_EACH (e, lru_node, &ml->lrus) {
        const char *name = port_name ? port_name(e->port, aux) : NULL;
        char number[16];

        if (now >= mac_entry_expires(ml, e)) {
            continue;
        }
        if (!name) {
            snprintf(number, sizeof number, "%"PRIu32, e->port);
            name = number;
        }
        ds_put_format(ds, "%5s  %4"PRIu16"  "ETH_ADDR_FMT"  %3lld\n",
                      name, e->vlan, ETH_ADDR_ARGS(e->mac),
                      (now - e->used) / 1000);
    }
}
