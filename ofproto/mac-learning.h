/*
 * mac-learning: the MAC learning table behind the NORMAL action.
 *
 * One table per bridge maps (MAC, VLAN) to the port the MAC was last seen
 * on as a source address.  Ports are uint32_t port numbers (the bridge's
 * OpenFlow port numbers); the table never dereferences them, so a port
 * that goes away is removed with mac_learning_flush_port().
 *
 * Time.  Every call that depends on time takes 'now' in milliseconds
 * (normally time_msec()), so that tests are deterministic.  'now' must not
 * go backwards; if it does, the table uses the largest value it has seen.
 *
 * Aging.  An entry learned or refreshed at time T is live while
 * now < T + idle_time and is expired from now >= T + idle_time on:
 * mac_learning_lookup() no longer returns it, and the next
 * mac_learning_run() frees it.  The idle time is other_config:
 * mac-aging-time (default 300 s, clamped to [15, 3600] s as in Open
 * vSwitch).  Entries sit in an LRU list ordered by their last-used time,
 * oldest first; since all entries share one idle time the expired ones
 * are a prefix of that list, so expiry costs O(expired), not O(table),
 * and changing the idle time needs no reordering.
 *
 * Size limit.  At most max_entries (other_config:mac-table-size, default
 * 2048) entries.  Learning a new (MAC, VLAN) in a full table evicts the
 * least recently used entry (the LRU list's head).
 *
 * Moves.  A known (MAC, VLAN) seen on another port moves to that port
 * ("moved" statistic).  As in Open vSwitch, gratuitous ARPs get a lock:
 * learning from a frame the caller flags as a gratuitous ARP locks the
 * entry for MAC_LEARNING_GRAT_ARP_LOCK_MS (5 s), and during the lock a
 * further gratuitous ARP from a different port does not move the entry.
 * This stops a gratuitous ARP that a bond or a loop reflects back from
 * flapping the entry.  Ordinary frames always move an entry: the MAC
 * really sends from there.
 *
 * Never learned: multicast and broadcast source MACs (such a frame is
 * malformed or spoofed), and VLANs above 4095.
 *
 * Version.  'version' (mac_learning_version()) increases whenever the
 * answer of some lookup changes: an entry is added, moves, expires, is
 * evicted or flushed.  Refreshing an entry on its own port does not change
 * it.  Intended use: the translation that installs a megaflow whose
 * actions depended on a lookup (output to the learned port, or flood for
 * an unknown MAC) records the version it saw; the revalidator compares it
 * with the current version and re-translates that megaflow's rule only
 * when the version moved, instead of after every packet.
 *
 * Threads.  The main/upcall thread owns a table.  Because upcalls may be
 * handled in PMD threads (as Open vSwitch's dpif-netdev does, translating
 * in the thread that missed), the table carries 'rwlock' as OVS's does: the functions here do not lock, the caller holds it for reading
 * around mac_learning_lookup()/mac_learning_version()/
 * mac_learning_format() and for writing around everything else.  Lookup
 * does not write (it does not touch the LRU order), so concurrent readers
 * are safe.
 */
#ifndef PLX_MAC_LEARNING_H
#define PLX_MAC_LEARNING_H 1

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "list.h"
#include "types.h"

struct ds;

#define MAC_LEARNING_DEFAULT_IDLE_TIME 300     /* Seconds. */
#define MAC_LEARNING_MIN_IDLE_TIME 15          /* Seconds. */
#define MAC_LEARNING_MAX_IDLE_TIME 3600        /* Seconds. */
#define MAC_LEARNING_DEFAULT_MAX 2048          /* Entries. */
#define MAC_LEARNING_GRAT_ARP_LOCK_MS 5000

#define MAC_LEARNING_VLAN_MAX 4095

/* Returned by mac_learning_lookup() for an unknown (MAC, VLAN). */
#define MAC_LEARNING_PORT_NONE UINT32_MAX

struct mac_entry {
    struct hmap_node hmap_node;   /* In struct mac_learning's 'table'. */
    struct plx_list lru_node;     /* In struct mac_learning's 'lrus'. */
    struct eth_addr mac;
    uint16_t vlan;
    uint32_t port;
    long long int used;           /* Last learned/refreshed, ms. */
    long long int lock_until;     /* Gratuitous-ARP lock end, ms. */
};

struct mac_learning_stats {
    uint64_t learned;             /* New entries. */
    uint64_t expired;             /* Removed by aging. */
    uint64_t evicted;             /* Removed to make room. */
    uint64_t moved;               /* Port changes of existing entries. */
};

struct mac_learning {
    struct hmap table;            /* Contains struct mac_entry. */
    struct plx_list lrus;         /* Oldest 'used' first. */
    uint32_t hash_basis;
    unsigned int idle_time;       /* Seconds. */
    size_t max_entries;
    long long int now;            /* Largest 'now' seen, ms. */
    uint64_t version;
    struct mac_learning_stats stats;
    pthread_rwlock_t rwlock;      /* See "Threads" above. */
};

/* What a call to mac_learning_learn() did. */
enum mac_learning_result {
    MAC_LEARNING_IGNORED,         /* Multicast MAC, bad VLAN, or locked. */
    MAC_LEARNING_REFRESHED,       /* Known on this port; time updated. */
    MAC_LEARNING_NEW,             /* New entry. */
    MAC_LEARNING_MOVED            /* Existing entry changed port. */
};

struct mac_learning *mac_learning_create(unsigned int idle_time);
void mac_learning_destroy(struct mac_learning *);

void mac_learning_set_idle_time(struct mac_learning *,
                                unsigned int idle_time);
void mac_learning_set_max_entries(struct mac_learning *, size_t max);

bool mac_learning_may_learn(struct eth_addr src_mac, uint16_t vlan);
enum mac_learning_result mac_learning_learn(struct mac_learning *,
                                            struct eth_addr src_mac,
                                            uint16_t vlan, uint32_t port,
                                            bool is_grat_arp,
                                            long long int now);
uint32_t mac_learning_lookup(const struct mac_learning *,
                             struct eth_addr dst_mac, uint16_t vlan,
                             long long int now);

size_t mac_learning_run(struct mac_learning *, long long int now);
long long int mac_learning_next_expiry(const struct mac_learning *);

size_t mac_learning_flush(struct mac_learning *);
size_t mac_learning_flush_port(struct mac_learning *, uint32_t port);
size_t mac_learning_flush_vlan(struct mac_learning *, uint16_t vlan);

static inline size_t
mac_learning_count(const struct mac_learning *ml)
{
    return hmap_count(&ml->table);
}

static inline uint64_t
mac_learning_version(const struct mac_learning *ml)
{
    return ml->version;
}

/* Returns a name for PORT to print in mac_learning_format(), or NULL to
 * print the number. */
typedef const char *mac_learning_port_name_func(uint32_t port, void *aux);

void mac_learning_format(const struct mac_learning *, long long int now,
                         mac_learning_port_name_func *, void *aux,
                         struct ds *);

#endif /* mac-learning.h */
