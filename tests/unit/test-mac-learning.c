/* Tests for ofproto/mac-learning: learning, VLAN isolation, moves and the
 * gratuitous-ARP lock, aging at the exact boundary, LRU eviction, flushes,
 * version changes, fdb/show text, and a randomized comparison with a
 * simple reference model. */
#include <config.h>
#include "ofproto/mac-learning.h"

#include <limits.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "packets.h"
#include "test.h"

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr a = { .ea = { 0x50, 0x54, 0x00, 0x00, 0x00, last } };
    return a;
}

#define AGING_MS (MAC_LEARNING_DEFAULT_IDLE_TIME * 1000LL)

TEST(learn_lookup_vlan_isolation)
{
    struct mac_learning *ml = mac_learning_create(300);

    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 0), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_learn(ml, mac(1), 10, 3, false, 0),
             MAC_LEARNING_NEW);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 10, 1), 3);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 1), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 11, 1), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_lookup(ml, mac(2), 10, 1), MAC_LEARNING_PORT_NONE);

    /* Same MAC on another VLAN is a separate entry, not a move. */
    CHECK_EQ(mac_learning_learn(ml, mac(1), 20, 4, false, 2),
             MAC_LEARNING_NEW);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 10, 3), 3);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 20, 3), 4);
    CHECK_EQ(mac_learning_count(ml), 2);
    CHECK_EQ(ml->stats.learned, 2);
    CHECK_EQ(ml->stats.moved, 0);

    /* Out-of-range VLANs are neither learned nor found. */
    CHECK_EQ(mac_learning_learn(ml, mac(5), 4096, 1, false, 3),
             MAC_LEARNING_IGNORED);
    CHECK_EQ(mac_learning_lookup(ml, mac(5), 4096, 3),
             MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_learn(ml, mac(5), 4095, 1, false, 3),
             MAC_LEARNING_NEW);
    mac_learning_destroy(ml);
}

TEST(multicast_not_learned)
{
    struct mac_learning *ml = mac_learning_create(300);
    struct eth_addr mcast = { .ea = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
    uint64_t v = mac_learning_version(ml);

    CHECK_EQ(mac_learning_learn(ml, eth_addr_broadcast, 0, 1, false, 0),
             MAC_LEARNING_IGNORED);
    CHECK_EQ(mac_learning_learn(ml, mcast, 0, 1, false, 0),
             MAC_LEARNING_IGNORED);
    CHECK(!mac_learning_may_learn(mcast, 0));
    CHECK(mac_learning_may_learn(mac(1), 0));
    CHECK_EQ(mac_learning_count(ml), 0);
    CHECK_EQ(mac_learning_lookup(ml, eth_addr_broadcast, 0, 0),
             MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_version(ml), v);
    CHECK_EQ(ml->stats.learned, 0);
    mac_learning_destroy(ml);
}

TEST(move_and_grat_arp_lock)
{
    struct mac_learning *ml = mac_learning_create(300);

    mac_learning_learn(ml, mac(1), 0, 1, false, 0);
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 2, false, 10),
             MAC_LEARNING_MOVED);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 10), 2);
    CHECK_EQ(ml->stats.moved, 1);
    CHECK_EQ(mac_learning_count(ml), 1);

    /* A gratuitous ARP locks the entry on port 3 for 5 s. */
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 3, true, 1000),
             MAC_LEARNING_MOVED);
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 4, true, 1001),
             MAC_LEARNING_IGNORED);
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 4, true,
                                1000 + MAC_LEARNING_GRAT_ARP_LOCK_MS - 1),
             MAC_LEARNING_IGNORED);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 2000), 3);
    /* Ordinary frames still move it, lock or not. */
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 5, false, 2000),
             MAC_LEARNING_MOVED);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 2000), 5);
    /* Once the lock ends, a gratuitous ARP moves it again. */
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 6, true,
                                1000 + MAC_LEARNING_GRAT_ARP_LOCK_MS),
             MAC_LEARNING_MOVED);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 7000), 6);
    CHECK_EQ(ml->stats.moved, 4);
    mac_learning_destroy(ml);
}

TEST(aging_boundary)
{
    struct mac_learning *ml = mac_learning_create(300);

    mac_learning_learn(ml, mac(1), 0, 1, false, 1000);
    mac_learning_learn(ml, mac(2), 0, 2, false, 2000);
    CHECK_EQ(mac_learning_next_expiry(ml), 1000 + AGING_MS);

    CHECK_EQ(mac_learning_run(ml, 1000 + AGING_MS - 1), 0);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 1000 + AGING_MS - 1), 1);
    /* Expired exactly at used + idle time, even before run(). */
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 1000 + AGING_MS),
             MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_run(ml, 1000 + AGING_MS), 1);
    CHECK_EQ(mac_learning_count(ml), 1);
    CHECK_EQ(ml->stats.expired, 1);
    CHECK_EQ(mac_learning_lookup(ml, mac(2), 0, 1000 + AGING_MS), 2);

    /* A refresh postpones expiry. */
    mac_learning_learn(ml, mac(2), 0, 2, false, 2000 + AGING_MS - 1);
    CHECK_EQ(mac_learning_run(ml, 2000 + AGING_MS), 0);
    CHECK_EQ(mac_learning_next_expiry(ml), 2000 + 2 * AGING_MS - 1);

    /* Shorter aging applies to existing entries; clamped to 15 s. */
    mac_learning_set_idle_time(ml, 1);
    CHECK_EQ(ml->idle_time, MAC_LEARNING_MIN_IDLE_TIME);
    CHECK_EQ(mac_learning_run(ml, 2000 + AGING_MS - 1 + 15000), 1);
    CHECK_EQ(mac_learning_count(ml), 0);
    CHECK_EQ(mac_learning_next_expiry(ml), LLONG_MAX);
    mac_learning_set_idle_time(ml, 100000);
    CHECK_EQ(ml->idle_time, MAC_LEARNING_MAX_IDLE_TIME);

    /* Time going backwards does not resurrect or reorder. */
    mac_learning_learn(ml, mac(3), 0, 3, false, 10 * AGING_MS);
    mac_learning_learn(ml, mac(4), 0, 4, false, 5);
    CHECK_EQ(mac_learning_next_expiry(ml),
             10 * AGING_MS + MAC_LEARNING_MAX_IDLE_TIME * 1000LL);
    mac_learning_destroy(ml);
}

TEST(lru_eviction)
{
    struct mac_learning *ml = mac_learning_create(300);

    mac_learning_set_max_entries(ml, 3);
    mac_learning_learn(ml, mac(1), 0, 1, false, 0);
    mac_learning_learn(ml, mac(2), 0, 2, false, 1);
    mac_learning_learn(ml, mac(3), 0, 3, false, 2);
    /* Refresh 1, so 2 is now least recently used. */
    CHECK_EQ(mac_learning_learn(ml, mac(1), 0, 1, false, 3),
             MAC_LEARNING_REFRESHED);
    CHECK_EQ(mac_learning_learn(ml, mac(4), 0, 4, false, 4),
             MAC_LEARNING_NEW);
    CHECK_EQ(mac_learning_count(ml), 3);
    CHECK_EQ(ml->stats.evicted, 1);
    CHECK_EQ(mac_learning_lookup(ml, mac(2), 0, 4), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_lookup(ml, mac(1), 0, 4), 1);
    CHECK_EQ(mac_learning_lookup(ml, mac(3), 0, 4), 3);
    CHECK_EQ(mac_learning_lookup(ml, mac(4), 0, 4), 4);

    /* Shrinking the limit evicts at once, oldest first. */
    mac_learning_set_max_entries(ml, 1);
    CHECK_EQ(mac_learning_count(ml), 1);
    CHECK_EQ(mac_learning_lookup(ml, mac(4), 0, 4), 4);
    CHECK_EQ(ml->stats.evicted, 3);
    mac_learning_set_max_entries(ml, 0);
    CHECK_EQ(ml->max_entries, MAC_LEARNING_DEFAULT_MAX);
    mac_learning_destroy(ml);
}

TEST(flushes)
{
    struct mac_learning *ml = mac_learning_create(300);

    for (int i = 0; i < 12; i++) {
        mac_learning_learn(ml, mac(i), i % 3, i % 4, false, i);
    }
    CHECK_EQ(mac_learning_count(ml), 12);
    CHECK_EQ(mac_learning_flush_port(ml, 2), 3);
    CHECK_EQ(mac_learning_flush_port(ml, 2), 0);
    CHECK_EQ(mac_learning_lookup(ml, mac(6), 0, 20), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_lookup(ml, mac(5), 2, 20), 1);
    /* VLAN 1 held 1, 4, 7, 10; 10 was on port 2. */
    CHECK_EQ(mac_learning_flush_vlan(ml, 1), 3);
    CHECK_EQ(mac_learning_lookup(ml, mac(4), 1, 20), MAC_LEARNING_PORT_NONE);
    CHECK_EQ(mac_learning_count(ml), 6);
    uint64_t v = mac_learning_version(ml);
    CHECK_EQ(mac_learning_flush(ml), 6);
    CHECK_GT(mac_learning_version(ml), v);
    CHECK_EQ(mac_learning_count(ml), 0);
    CHECK_EQ(mac_learning_next_expiry(ml), LLONG_MAX);
    v = mac_learning_version(ml);
    CHECK_EQ(mac_learning_flush(ml), 0);
    CHECK_EQ(mac_learning_version(ml), v);
    mac_learning_destroy(ml);
}

TEST(version_changes_only_on_real_changes)
{
    struct mac_learning *ml = mac_learning_create(300);
    uint64_t v = mac_learning_version(ml);

    mac_learning_learn(ml, mac(1), 0, 1, false, 0);
    CHECK_GT(mac_learning_version(ml), v);
    v = mac_learning_version(ml);

    mac_learning_learn(ml, mac(1), 0, 1, false, 100);     /* Refresh. */
    CHECK_EQ(mac_learning_version(ml), v);
    mac_learning_lookup(ml, mac(1), 0, 100);
    mac_learning_lookup(ml, mac(9), 0, 100);
    CHECK_EQ(mac_learning_run(ml, 200), 0);
    CHECK_EQ(mac_learning_flush_port(ml, 7), 0);
    CHECK_EQ(mac_learning_flush_vlan(ml, 7), 0);
    CHECK_EQ(mac_learning_version(ml), v);

    mac_learning_learn(ml, mac(1), 0, 2, false, 300);     /* Move. */
    CHECK_GT(mac_learning_version(ml), v);
    v = mac_learning_version(ml);

    mac_learning_learn(ml, mac(1), 0, 3, true, 400);      /* Locks. */
    v = mac_learning_version(ml);
    mac_learning_learn(ml, mac(1), 0, 4, true, 500);      /* Ignored. */
    CHECK_EQ(mac_learning_version(ml), v);

    CHECK_EQ(mac_learning_run(ml, 400 + AGING_MS), 1);    /* Expiry. */
    CHECK_GT(mac_learning_version(ml), v);
    v = mac_learning_version(ml);

    mac_learning_set_max_entries(ml, 1);
    mac_learning_learn(ml, mac(1), 0, 1, false, 2 * AGING_MS);
    v = mac_learning_version(ml);
    mac_learning_learn(ml, mac(2), 0, 1, false, 2 * AGING_MS); /* Evicts. */
    CHECK_EQ(ml->stats.evicted, 1);
    CHECK_GT(mac_learning_version(ml), v);
    mac_learning_destroy(ml);
}

static const char *
port_name(uint32_t port, void *aux)
{
    CHECK_EQ(*(int *) aux, 42);
    return port == 0xfffe ? "LOCAL" : NULL;
}

TEST(fdb_show_format)
{
    struct mac_learning *ml = mac_learning_create(300);
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct eth_addr a = { .ea = { 0x50, 0x54, 0x00, 0xab, 0xcd, 0xef } };
    int aux = 42;

    mac_learning_format(ml, 0, NULL, NULL, &ds);
    CHECK_STREQ(ds_cstr(&ds), " port  VLAN  MAC                Age\n");
    ds_clear(&ds);

    mac_learning_learn(ml, a, 0, 1, false, 1000);
    mac_learning_learn(ml, mac(2), 100, 12345, false, 3500);
    mac_learning_learn(ml, mac(3), 4095, 0xfffe, false, 4000);
    mac_learning_format(ml, 125999, port_name, &aux, &ds);
    CHECK_STREQ(ds_cstr(&ds),
                " port  VLAN  MAC                Age\n"
                "    1     0  50:54:00:ab:cd:ef  124\n"
                "12345   100  50:54:00:00:00:02  122\n"
                "LOCAL  4095  50:54:00:00:00:03  121\n");
    ds_clear(&ds);

    /* Expired entries are not shown even before run(). */
    mac_learning_format(ml, 1000 + AGING_MS, NULL, NULL, &ds);
    CHECK_STREQ(ds_cstr(&ds),
                " port  VLAN  MAC                Age\n"
                "12345   100  50:54:00:00:00:02  297\n"
                "65534  4095  50:54:00:00:00:03  297\n");
    ds_destroy(&ds);
    mac_learning_destroy(ml);
}

/* Reference model: a flat array with explicit ages and LRU stamps. */
#define N_MACS 24
#define N_VLANS 3

struct ref_entry {
    bool valid;
    uint32_t port;
    long long int used;
    long long int lock_until;
    uint64_t stamp;             /* Order of last learn, for LRU. */
};

struct ref_model {
    struct ref_entry e[N_MACS][N_VLANS];
    size_t max;
    long long int idle_ms;
    uint64_t stamp;
};

static size_t
ref_count(const struct ref_model *m)
{
    size_t n = 0;
    for (int i = 0; i < N_MACS; i++) {
        for (int v = 0; v < N_VLANS; v++) {
            n += m->e[i][v].valid;
        }
    }
    return n;
}

static void
ref_expire(struct ref_model *m, long long int now)
{
    for (int i = 0; i < N_MACS; i++) {
        for (int v = 0; v < N_VLANS; v++) {
            if (m->e[i][v].valid && now >= m->e[i][v].used + m->idle_ms) {
                m->e[i][v].valid = false;
            }
        }
    }
}

static void
ref_evict_one(struct ref_model *m)
{
    struct ref_entry *oldest = NULL;
    for (int i = 0; i < N_MACS; i++) {
        for (int v = 0; v < N_VLANS; v++) {
            struct ref_entry *r = &m->e[i][v];
            if (r->valid && (!oldest || r->stamp < oldest->stamp)) {
                oldest = r;
            }
        }
    }
    oldest->valid = false;
}

static void
ref_learn(struct ref_model *m, int i, int v, uint32_t port, bool grat,
          long long int now)
{
    struct ref_entry *r = &m->e[i][v];

    ref_expire(m, now);
    if (!r->valid) {
        if (ref_count(m) >= m->max) {
            ref_evict_one(m);
        }
        r->valid = true;
        r->port = port;
        r->lock_until = LLONG_MIN;
    } else if (r->port != port) {
        if (grat && now < r->lock_until) {
            return;
        }
        r->port = port;
    }
    r->used = now;
    r->stamp = ++m->stamp;
    if (grat) {
        r->lock_until = now + MAC_LEARNING_GRAT_ARP_LOCK_MS;
    }
}

static void
check_against_ref(const struct mac_learning *ml, const struct ref_model *m,
                  long long int now)
{
    for (int i = 0; i < N_MACS; i++) {
        for (int v = 0; v < N_VLANS; v++) {
            const struct ref_entry *r = &m->e[i][v];
            uint32_t expect = (r->valid && now < r->used + m->idle_ms
                               ? r->port : MAC_LEARNING_PORT_NONE);
            uint32_t got = mac_learning_lookup(ml, mac(i), v, now);
            CHECK_MSG(got == expect, "mac %d vlan %d at %lld: port %"PRIu32
                      " expected %"PRIu32, i, v, now, got, expect);
        }
    }
}

TEST(random_vs_reference)
{
    struct mac_learning *ml = mac_learning_create(15);
    struct ref_model *m = xzalloc(sizeof *m);
    long long int now = 0;

    m->max = 20;
    m->idle_ms = 15000;
    mac_learning_set_max_entries(ml, m->max);
    for (int step = 0; step < 20000; step++) {
        uint32_t r = test_random();
        uint64_t v = mac_learning_version(ml);
        int i = r % N_MACS;
        int vlan = (r >> 8) % N_VLANS;
        uint32_t port = (r >> 12) % 4;

        now += test_random() % 700;
        switch ((r >> 16) % 16) {
        case 0:
            CHECK_EQ(mac_learning_flush_port(ml, port) > 0,
                     mac_learning_version(ml) != v);
            for (int a = 0; a < N_MACS; a++) {
                for (int b = 0; b < N_VLANS; b++) {
                    if (m->e[a][b].port == port) {
                        m->e[a][b].valid = false;
                    }
                }
            }
            break;
        case 1:
            if ((r >> 20) % 8 == 0) {
                mac_learning_flush_vlan(ml, vlan);
                for (int a = 0; a < N_MACS; a++) {
                    m->e[a][vlan].valid = false;
                }
            }
            break;
        case 2:
        case 3:
            mac_learning_run(ml, now);
            ref_expire(m, now);
            CHECK_EQ(mac_learning_count(ml), ref_count(m));
            break;
        default: {
            bool grat = (r >> 20) % 4 == 0;
            uint32_t before = mac_learning_lookup(ml, mac(i), vlan, now);
            enum mac_learning_result res;

            /* learn() expires old entries first, which changes the
             * version by itself; separate that from the learning. */
            if ((r >> 24) % 2) {
                mac_learning_run(ml, now);
                ref_expire(m, now);
                v = mac_learning_version(ml);
            }
            res = mac_learning_learn(ml, mac(i), vlan, port, grat, now);
            ref_learn(m, i, vlan, port, grat, now);
            CHECK_EQ(res == MAC_LEARNING_MOVED,
                     before != MAC_LEARNING_PORT_NONE && before != port
                     && m->e[i][vlan].port == port);
            if (res == MAC_LEARNING_REFRESHED
                || res == MAC_LEARNING_IGNORED) {
                if ((r >> 24) % 2) {
                    CHECK_EQ(mac_learning_version(ml), v);
                }
            } else {
                CHECK_GT(mac_learning_version(ml), v);
            }
            break;
        }
        }
        CHECK_LE(mac_learning_count(ml), m->max);
        check_against_ref(ml, m, now);
    }
    CHECK_GT(ml->stats.learned, 0);
    CHECK_GT(ml->stats.expired, 0);
    CHECK_GT(ml->stats.evicted, 0);
    CHECK_GT(ml->stats.moved, 0);
    free(m);
    mac_learning_destroy(ml);
}
