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
 * without locking, since it is their only writer.  Upcalls also queue
 * packets for the controller and samples for the exporters, each queue
 * under a mutex of the ofproto's own ('pin_mutex', 'sample_mutex'),
 * taken inside the backer's lock.  MAC tables have
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
#include "ofproto/rule.h"
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
    uint32_t config;                /* OFPPC_* set by PORT_MOD. */
    bool live;                      /* Up with carrier (fast failover). */
    uint64_t change_seq;            /* netdev's, when 'live' was read. */
    long long int created;          /* time_msec() when added. */
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
    unsigned long *meter_ids;       /* Datapath meter ids in use. */
    struct recirc_table *recirc;    /* Recirculation ids (recirc.h). */

    /* Revalidator (main thread). */
    struct hmap rv_flows;           /* struct rv_flow, ofproto-upcall.c. */
    long long int next_pass;
};

/* A packet on its way to the controller. */
struct ofproto_pin {
    struct plx_list node;           /* In ofproto 'pins'. */
    struct xlate_pin_cookie cookie;
    struct flow_tnl tunnel;
    size_t len;
    uint8_t packet[];
};

/* Queued packets per bridge, at most. */
#define OFPROTO_MAX_PINS 1024

/* Per-table state beside the classifier (main thread). */
struct oftable {
    uint32_t config;                /* OFPTC_* (TABLE_MOD). */
    uint64_t lookup_count;          /* Packets looked up here. */
    uint64_t matched_count;         /* Packets that found a rule. */
};

struct ofproto {
    struct hmap_node node;          /* In the global map, by name. */
    struct plx_list backer_node;    /* In backer 'ofprotos'. */
    char *name;
    struct backer *backer;

    enum ofproto_fail_mode fail_mode;
    bool has_controllers;           /* Controllers are configured. */
    bool fail_open;                 /* Failing open (ofproto-flow.c). */

    /* OpenFlow tables: OFPROTO_N_TABLES classifiers of struct rule
     * (changed under backer->rwlock) and their counters. */
    struct classifier *tables;
    struct oftable *oftables;
    struct plx_list expirable;      /* Rules with timeouts. */
    struct rule *fail_open_rule;    /* Hidden NORMAL rule, or NULL. */
    bool tables_changed;            /* Revalidate before replying. */

    /* Called for each rule removed by expiry or by a delete whose
     * SEND_FLOW_REM flag is set (reason OFPRR_*). */
    void (*flow_removed)(struct ofproto *, const struct rule *,
                         uint8_t reason);

    struct hmap groups;             /* struct ofgroup (ofproto-group.c). */
    struct hmap meters;             /* struct ofmeter (ofproto-meter.c). */
    bool miss_to_controller;        /* See xlate_bridge. */

    /* OpenFlow side (ofproto-ofp.c). */
    struct connmgr *connmgr;
    uint64_t datapath_id;           /* 0: derived from the name. */
    size_t n_ofp10_controllers;     /* Connected, version below 1.3. */

    /* Packets for the controller, queued by upcalls (any thread) under
     * 'pin_mutex', handed to 'packet_in' by ofproto_run(). */
    pthread_mutex_t pin_mutex;
    struct plx_list pins;           /* struct ofproto_pin. */
    size_t n_pins;
    uint64_t n_pins_dropped;
    void (*packet_in)(struct ofproto *, const struct ofproto_pin *);
    /* ofproto_set_local_handler(). */
    ofproto_local_cb *local_cb;
    void *local_aux;
    uint64_t local_cookie, local_mask;

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

    /* Flow export (ofproto-export.c; main thread). */
    struct netflow *netflow;
    struct sflow *sflow;
    uint32_t sflow_rate;
    uint32_t *sflow_ports;          /* Its data sources (ifindexes). */
    size_t n_sflow_ports;
    struct ipfix *ipfix;
    /* Sampled packets queued by upcalls (PMD threads, under the backer's
     * read lock) under 'sample_mutex', which guards these counters too;
     * 'n_samples' is also read without it, atomically, as a hint. */
    pthread_mutex_t sample_mutex;
    struct plx_list samples;        /* struct ofproto_sample. */
    size_t n_samples;
    uint64_t n_samples_dropped;     /* Queue full, all exporters. */
    uint64_t n_samples_logged;      /* ...as far as logged. */
    uint64_t n_sflow_dropped;       /* Queue full, sFlow's samples. */
    uint64_t n_sflow_reported;      /* ...as far as told to sFlow. */
    struct latch samples_ready;     /* 'samples' reached SAMPLE_WAKE. */
    long long int next_sample_drain;    /* Main thread's next look. */
};

/* ofproto.c. */
struct ofport *ofproto_find_port(const struct ofproto *, ofp_port_t);
struct ofport *ofproto_backer_find_odp_port(const struct backer *,
                                            odp_port_t);
uint64_t ofproto_ml_version(const struct ofproto *);

/* ofproto.c. */
struct ofport *ofproto_find_port(const struct ofproto *, ofp_port_t);
/* A new value of the global configuration counter (see "Versions"). */
uint64_t ofproto_next_cfg_seq(void);
/* Publishes a new snapshot of P's ports, bundles and groups, then
 * revalidates. */
void ofproto_publish(struct ofproto *);

/* ofproto-flow.c. */
/* 0, or the error for an action list that uses a group or meter that
 * does not exist or sets a field translation cannot set. */
enum ofperr ofproto_check_action_refs(const struct ofproto *,
                                      const void *ofpacts, size_t len);
void ofproto_tables_init(struct ofproto *);
void ofproto_tables_destroy(struct ofproto *);
/* Deletes every OpenFlow rule (no FLOW_REMOVED), then adds
 * "priority=0 actions=NORMAL" if the bridge is standalone without
 * controllers, as Open vSwitch's connmgr_flushed(). */
void ofproto_flush_flows(struct ofproto *);
void ofproto_expire_rules(struct ofproto *, long long int now);
/* Deletes the rules that use group GROUP_ID (reason GROUP_DELETE) or
 * meter METER_ID (reason METER_DELETE). */
void ofproto_delete_flows_to_group(struct ofproto *, uint32_t group_id);
void ofproto_delete_flows_to_meter(struct ofproto *, uint32_t meter_id);
/* The number of rules that use meter METER_ID. */
uint32_t ofproto_meter_ref_count(const struct ofproto *, uint32_t meter_id);
void ofproto_expire_wait(const struct ofproto *);
/* Adds or removes the hidden fail-open NORMAL rule. */
void ofproto_set_fail_open(struct ofproto *, bool);
/* Publishes the flow-table changes made since the last call: waits for
 * upcalls in flight, then revalidates. */
void ofproto_tables_sync(struct ofproto *);
/* Credits statistics from the datapath to RULE and its table. */
void ofproto_rule_credit(struct rule *, uint64_t n_packets,
                         uint64_t n_bytes, long long int used);

/* ofproto-group.c. */
void ofproto_groups_destroy(struct ofproto *);
/* Credits statistics to bucket BUCKET of group GROUP_ID (and, if
 * TO_GROUP, to the group), if they still exist. */
void ofproto_group_credit(struct ofproto *, uint32_t group_id,
                          uint32_t bucket, bool to_group,
                          uint64_t n_packets, uint64_t n_bytes);
/* The number of rules that use group GROUP_ID. */
uint32_t ofproto_group_ref_count(const struct ofproto *, uint32_t group_id);
/* Adds the groups to a snapshot being built. */
void ofproto_groups_publish(const struct ofproto *, struct xlate_bridge *);

/* ofproto-meter.c. */
struct ofputil_meter_features;
struct ofputil_meter_mod;
struct ofputil_meter_config;
struct ofputil_meter_stats;
void ofproto_meters_destroy(struct ofproto *);
void ofproto_meters_publish(const struct ofproto *, struct xlate_bridge *);
void ofproto_meter_features(const struct ofproto *,
                            struct ofputil_meter_features *);
enum ofperr ofproto_meter_mod(struct ofproto *,
                              const struct ofputil_meter_mod *);
/* Malloc'd arrays of the meters METER_ID selects (OFPM13_ALL: every
 * one), by id; free with ofputil_meter_config_free() and
 * ofputil_meter_stats_free(). */
void ofproto_meter_configs(const struct ofproto *, uint32_t meter_id,
                           struct ofputil_meter_config **, size_t *n);
void ofproto_meter_stats(const struct ofproto *, uint32_t meter_id,
                         struct ofputil_meter_stats **, size_t *n);

/* ofproto-ofp.c. */
void ofproto_ofp_init(struct ofproto *);
void ofproto_ofp_destroy(struct ofproto *);
void ofproto_ofp_run(struct ofproto *);
void ofproto_ofp_wait(struct ofproto *);
/* Tells controllers that PORT was added, deleted or modified (OFPPR_*). */
void ofproto_send_port_status(struct ofproto *, const struct ofport *,
                              uint8_t reason);

/* ofproto-export.c. */
/* Bytes of a sampled packet kept for the exporters, and samples queued
 * per bridge, at most. */
#define OFPROTO_SAMPLE_BYTES 256
#define OFPROTO_MAX_SAMPLES 4096
/* The main thread drains the queue every OFPROTO_SAMPLE_DRAIN_MS while
 * sFlow or IPFIX is on, and at once when it holds OFPROTO_SAMPLE_WAKE
 * samples. */
#define OFPROTO_SAMPLE_DRAIN_MS 100
#define OFPROTO_SAMPLE_WAKE 256
struct dpif_upcall;
struct flow;
struct match;
void ofproto_export_init(struct ofproto *);
void ofproto_export_destroy(struct ofproto *);
void ofproto_export_init_unixctl(void);
void ofproto_export_run(struct ofproto *);
void ofproto_export_wait(struct ofproto *);
/* Sets the snapshot's sampling rates and NetFlow state. */
void ofproto_export_publish(const struct ofproto *, struct xlate_bridge *);
void ofproto_export_ports_changed(struct ofproto *);
/* Upcalls (PMD threads, backer's read lock held): true if UPCALL is an
 * exporter's sample, which ..._queue_sample() then queues for P. */
bool ofproto_export_is_sample(const struct dpif_upcall *);
void ofproto_export_queue_sample(struct ofproto *,
                                 const struct dpif_upcall *);
/* The revalidator: new traffic of MEGAFLOW (input port IN_PORT) that
 * went to N_OUTPUTS ports, the last OUTPUT (as in struct xlate_out), and
 * the megaflow's removal. */
void ofproto_export_flow_stats(struct ofproto *,
                               const struct match *megaflow,
                               ofp_port_t in_port, uint32_t n_outputs,
                               uint32_t output, uint64_t packets,
                               uint64_t bytes, uint16_t tcp_flags,
                               long long int used);
void ofproto_export_flow_removed(struct ofproto *,
                                 const struct match *megaflow,
                                 ofp_port_t in_port);

/* ofproto-upcall.c. */
void ofproto_upcall_register(struct backer *);
void ofproto_upcall_unregister(struct backer *);
void ofproto_revalidator_init(struct backer *);
void ofproto_revalidator_destroy(struct backer *);
/* Runs a pass if something moved or the period elapsed. */
void ofproto_revalidator_run(struct backer *);
void ofproto_revalidator_wait(struct backer *);
/* Runs a pass now (pushing megaflow statistics to rules). */
void ofproto_revalidator_run_now(struct backer *);
/* Waits for in-flight upcalls to finish, then runs a pass. */
void ofproto_revalidator_sync(struct backer *);

#endif /* ofproto-private.h */
