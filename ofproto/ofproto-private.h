/*
 * ofproto-private: the objects behind ofproto.h, shared by ofproto.c
 * (bridges, ports, bundles, table 0, reports) and ofproto-upcall.c (the
 * datapath's upcall callback and the revalidator).
 *
 * Backers.  All bridges on one dpif share a struct backer (as Open
 * vSwitch's dpif_backer): the map from datapath port to OpenFlow port
 * (and so to bridge), the one upcall callback registered on the dpif,
 * and the revalidator that keeps that dpif's megaflows right.
 *
 * Locking.  Upcalls run in PMD threads and read, under
 * backer->rwlock held for reading: backer->odp_ports, each ofport's
 * 'ofproto' and 'ofp_port', each ofproto's 'xbridge' snapshot and its
 * table 0 (translation runs entirely under that read lock).  The main
 * thread changes those only with the lock held for writing, and never
 * calls into the dpif while holding it (dpif calls may wait for PMD
 * threads, which may be waiting for the lock).  Everything else here is
 * the main thread's alone; the main thread reads the guarded members
 * without locking, since it is their only writer.  MAC tables have
 * their own rwlock (ofproto/mac-learning.h), taken inside the backer's
 * lock, never around it.
 *
 * Versions.  Every configuration change of a bridge stores a new value of
 * one global counter in its 'cfg_seq' (unique across bridges and over
 * time), so "this megaflow was checked against bridge B's configuration
 * S and MAC table version V" is a complete description of what it
 * depended on.  Once a change is published, the changing function waits
 * for every PMD thread to pass a quiescent point (so upcalls that
 * translated under the old configuration have installed their
 * megaflows) and then revalidates synchronously.
 */
#ifndef PLX_OFPROTO_PRIVATE_H
#define PLX_OFPROTO_PRIVATE_H 1

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "classifier.h"
#include "hmap.h"
#include "latch.h"
#include "list.h"
#include "ofproto/ofproto.h"
#include "ofproto/xlate.h"

struct mac_learning;
struct netdev;

struct ofport {
    struct hmap_node ofp_node;      /* In ofproto 'ports'. */
    struct hmap_node odp_node;      /* In backer 'odp_ports'. */
    struct ofproto *ofproto;
    struct netdev *netdev;          /* The caller's; not referenced. */
    char *name;
    ofp_port_t ofp_port;
    odp_port_t odp_port;
    struct ofbundle *bundle;        /* NULL if in none. */
};

struct ofbundle {
    struct hmap_node node;          /* In ofproto 'bundles', by 'aux'. */
    void *aux;
    char *name;
    enum port_vlan_mode vlan_mode;
    int vlan;                       /* As configured: -1..4095. */
    unsigned long *trunks;          /* As configured: NULL for all. */
    struct ofport **members;
    size_t n_members;
};

struct backer {
    struct hmap_node node;          /* In the global map, by dpif. */
    struct dpif *dpif;
    struct plx_list ofprotos;       /* struct ofproto's 'backer_node'. */

    pthread_rwlock_t rwlock;        /* See "Locking" above. */
    struct hmap odp_ports;          /* struct ofport by odp_port. */

    struct latch wake;              /* An upcall changed a MAC table. */

    /* Revalidator (main thread). */
    struct hmap rv_flows;           /* struct rv_flow, ofproto-upcall.c. */
    long long int next_pass;
};

struct ofproto {
    struct hmap_node node;          /* In the global map, by name. */
    struct plx_list backer_node;    /* In backer 'ofprotos'. */
    char *name;
    struct backer *backer;

    enum ofproto_fail_mode fail_mode;
    struct classifier table;        /* Table 0: struct xlate_rule. */
    struct xlate_rule *normal_rule; /* "priority=0 actions=NORMAL". */
    struct mac_learning *ml;

    struct hmap ports;              /* struct ofport by ofp_port. */
    struct hmap bundles;            /* struct ofbundle by aux. */

    struct xlate_bridge *xbridge;   /* Guarded by backer->rwlock. */
    uint64_t cfg_seq;               /* See "Versions" above. */

    /* Ports whose learned MACs ofproto_reconfigured() forgets once the
     * new configuration is published (main thread). */
    ofp_port_t *flush_ports;
    size_t n_flush_ports, allocated_flush_ports;

    /* What the revalidator last looked at (main thread). */
    uint64_t rv_cfg_seq;
    uint64_t rv_ml_version;
};

/* ofproto.c. */
struct ofport *ofproto_backer_find_odp_port(const struct backer *,
                                            odp_port_t);
uint64_t ofproto_ml_version(const struct ofproto *);

/* ofproto-upcall.c. */
void ofproto_upcall_register(struct backer *);
void ofproto_upcall_unregister(struct backer *);
void ofproto_revalidator_init(struct backer *);
void ofproto_revalidator_destroy(struct backer *);
/* Runs a pass if something moved or the period elapsed. */
void ofproto_revalidator_run(struct backer *);
void ofproto_revalidator_wait(struct backer *);
/* Waits for in-flight upcalls to finish, then runs a pass. */
void ofproto_revalidator_sync(struct backer *);

#endif /* ofproto-private.h */
