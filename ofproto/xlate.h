/*
 * xlate: translation of a packet's flow into datapath actions, for one
 * bridge, together with the wildcards the answer depended on.
 *
 * Configuration snapshot.  Translation never reads the live bridge
 * (ofproto.c's objects, which the main thread changes).  It reads a
 * struct xlate_bridge: an immutable snapshot of the bridge's ports and
 * bundles, built with the functions below whenever the configuration
 * changes (as Open vSwitch's xlate_ofproto_set()/xlate_bundle_set()
 * build its xcfg), plus two pointers to shared state that has its own
 * concurrency rules: the OpenFlow table (a classifier, read with
 * classifier_lookup()) and the MAC learning table (its rwlock: read-locked
 * around lookups, write-locked around learning).  ofproto.c swaps
 * snapshots under the lock that translation holds for reading, so a
 * translation sees one snapshot throughout.  Tests build snapshots
 * directly, without a datapath.
 *
 * Input.  The flow is the datapath's flow with 'in_port' replaced by the
 * OpenFlow port number.  Output ports in the actions are datapath port
 * numbers, taken from the snapshot.
 *
 * Translation looks the flow up in table 0 (no rule: drop) and runs the
 * rule's actions (ofproto/ofpact.h); NORMAL is the learning switch that
 * ofproto/ofproto.h describes, with Open vSwitch's behaviour:
 *   - a frame whose dl_type is a VLAN TPID but whose tag was cut short
 *     is dropped; so is a frame the input bundle's VLAN mode does not
 *     admit (access: VID 0 only, i.e. untagged or priority-tagged;
 *     trunk: VID in 'trunks', an untagged frame counting as VID 0;
 *     native modes: untagged, or a VID in 'trunks'), and a frame to a
 *     reserved multicast address (01:80:c2:00:00:0x);
 *   - internal VLAN: access and native modes map VID 0 to 'tag'; the
 *     PCP and TPID of the input tag are kept;
 *   - learning (only if the caller allows side effects) on (VLAN, input
 *     port) with the gratuitous-ARP lock;
 *   - known destination: output to its bundle, or drop if that is the
 *     input bundle; otherwise flood to every other bundle that carries
 *     the VLAN, in ascending order of their first port;
 *   - the frame each bundle gets: access untagged; trunk and
 *     native-tagged tagged (VLAN 0 with PCP 0 untagged); native-untagged
 *     untagged on its native VLAN.
 * VLAN edits are committed lazily: the context remembers the outer VLAN
 * header the packet carries after the actions so far, and an output
 * whose header differs emits pop_vlan (if tagged) then push_vlan (if the
 * wanted frame is tagged).  Successive outputs that want the same header
 * emit nothing in between.
 *
 * Wildcards.  Translation ORs into the caller's wildcards exactly what
 * the result depended on: in_port always; for NORMAL, dl_src, dl_dst,
 * the outer VLAN VID and CFI, and dl_type (the gratuitous-ARP check),
 * then nw_proto for broadcast ARP and nw_src/nw_dst for broadcast ARP
 * requests; the whole outer VLAN header (TPID and PCP too) when the
 * input was tagged and the actions edit the VLAN (the edit carries or
 * depends on those bits); plus whatever the table lookup needed.
 *
 * Results that the revalidator needs: the MAC table version the
 * translation saw, and what NORMAL would learn (so that a megaflow that
 * keeps passing packets keeps its source MAC fresh).
 */
#ifndef PLX_XLATE_H
#define PLX_XLATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "classifier.h"
#include "flow.h"
#include "meta-flow.h"
#include "hmap.h"
#include "ofproto/rule.h"
#include "ofproto/ofproto.h"
#include "types.h"

struct mac_learning;
struct odp_buf;
struct recirc_state;
struct recirc_table;

/* ------------------------------------------------------------------ */
/* Configuration snapshots. */

struct xlate_bundle;

struct xlate_port {
    struct hmap_node node;          /* In xlate_bridge 'ports'. */
    ofp_port_t ofp_port;
    odp_port_t odp_port;
    char *name;
    struct xlate_bundle *bundle;    /* NULL if in none. */
    uint32_t config;                /* OFPPC_* (PORT_DOWN, NO_RECV, ...). */
    bool live;                      /* Link up and not PORT_DOWN. */
};

struct xlate_bundle {
    char *name;
    enum port_vlan_mode vlan_mode;
    int vlan;                       /* -1 for trunk, else 0..4095. */
    unsigned long *trunks;          /* Effective trunks, NULL for all. */
    struct xlate_port **members;
    size_t n_members;
};

struct xlate_bucket {
    uint16_t weight;
    uint32_t watch_port;            /* MF_OFPP_ANY: none. */
    uint32_t watch_group;           /* 0xffffffff: none. */
    struct rule_actions *actions;   /* Owned. */
};

struct xlate_group {
    struct hmap_node node;          /* In xlate_bridge 'groups'. */
    uint32_t group_id;
    enum ofproto_group_type type;
    struct xlate_bucket *buckets;
    size_t n_buckets;
};

struct xlate_bridge {
    char *name;
    const struct classifier *tables;    /* OFPROTO_N_TABLES; not owned. */
    struct mac_learning *ml;            /* Not owned. */
    struct hmap ports;                  /* struct xlate_port by ofp_port. */
    struct xlate_bundle **bundles;      /* Sorted by first member. */
    size_t n_bundles;
    struct hmap groups;                 /* struct xlate_group by id. */
    struct hmap meters;                 /* struct xlate_meter by id. */

    /* A packet that misses a table goes to the controller (OpenFlow
     * 1.0 semantics, wanted while an OpenFlow 1.0 controller is
     * connected) rather than being dropped. */
    bool miss_to_controller;

    /* Flow export (ofproto-export.c): sample 1 in 'sflow_rate' packets
     * for sFlow and 1 in 'ipfix_rate' for the bridge's IPFIX exporter (0:
     * none); 'netflow' makes every megaflow one NetFlow flow.  Read by
     * upcalls too, to drop samples no exporter wants. */
    uint32_t sflow_rate;
    uint32_t ipfix_rate;
    bool ipfix;                     /* IPFIX configured (sample actions). */
    bool netflow;

    /* Recirculation ids for ct(table=N) (recirc.h); not owned.  NULL:
     * ct with a table drops, as nothing could resume the pipeline. */
    struct recirc_table *recirc;
};

struct xlate_bridge *xlate_bridge_create(const char *name,
                                         const struct classifier *tables,
                                         struct mac_learning *ml);
void xlate_bridge_destroy(struct xlate_bridge *);

/* Adds a port.  Returns EEXIST if OFP_PORT is already there. */
int xlate_bridge_add_port(struct xlate_bridge *, ofp_port_t ofp_port,
                          odp_port_t odp_port, const char *name);
/* Port configuration (OFPPC_*) and liveness; EINVAL for no such port. */
int xlate_bridge_set_port_state(struct xlate_bridge *, ofp_port_t,
                                uint32_t config, bool live);
/* Adds group GROUP_ID with N_BUCKETS buckets whose action lists are
 * copied.  EEXIST if the id is taken. */
int xlate_bridge_add_group(struct xlate_bridge *, uint32_t group_id,
                           enum ofproto_group_type,
                           const struct xlate_bucket *buckets,
                           size_t n_buckets);
const struct xlate_group *xlate_bridge_find_group(
    const struct xlate_bridge *, uint32_t group_id);
/* OpenFlow meter METER_ID is datapath meter DP_ID. */
void xlate_bridge_add_meter(struct xlate_bridge *, uint32_t meter_id,
                            uint32_t dp_id);
/* Stores in '*DP_IDP' the datapath meter of OpenFlow meter METER_ID;
 * false if the bridge has no such meter. */
bool xlate_bridge_find_meter(const struct xlate_bridge *, uint32_t meter_id,
                             uint32_t *dp_idp);
/* Adds a bundle with the settings of ofproto.h's bundle registration
 * (VLAN mode, 'tag', 'trunks' as configured; the effective 'vlan' and
 * 'trunks' are derived as Open vSwitch does: a native mode always trunks
 * its native VLAN and never VLAN 0).  Every member must be a port
 * already added and not in another bundle: EINVAL otherwise, or for a
 * 'vlan' outside -1..4095. */
int xlate_bridge_add_bundle(struct xlate_bridge *, const char *name,
                            enum port_vlan_mode, int vlan,
                            const unsigned long *trunks,
                            const ofp_port_t *members, size_t n_members);

const struct xlate_port *xlate_bridge_find_port(const struct xlate_bridge *,
                                                ofp_port_t);

/* ------------------------------------------------------------------ */
/* Translation. */

struct xlate_in {
    const struct xlate_bridge *bridge;
    const struct flow *flow;        /* 'in_port' is the OpenFlow port. */
    bool may_learn;                 /* Allow side effects (MAC learning). */
    long long int now;              /* For MAC learning and aging. */

    /* Packet-out: run these actions (a plain action list) instead of the
     * flow table; NULL for the pipeline from table 0. */
    const void *ofpacts;
    size_t ofpacts_len;

    /* A recirculated packet (flow->recirc_id nonzero): the state its
     * translation froze, to resume from; NULL otherwise. */
    const struct recirc_state *resume;
};

/* Recirculation ids one translation can emit, at most. */
#define XLATE_MAX_RECIRC 8

/* Rules whose statistics a megaflow feeds, at most this many. */
#define XLATE_MAX_RULES 16

struct xlate_out {
    /* Filled in by xlate_actions(). */
    bool used_mac_table;            /* A MAC lookup decided the output. */
    uint64_t ml_version;            /* The MAC table version it saw. */
    bool learn;                     /* NORMAL would learn this: */
    ofp_port_t learn_port;
    struct eth_addr learn_mac;
    uint16_t learn_vlan;
    bool learn_grat_arp;
    const char *drop_reason;        /* Static text if NORMAL dropped. */

    /* The OpenFlow rules the packet went through, in order (valid while
     * the caller holds what makes the snapshot valid). */
    struct rule *rules[XLATE_MAX_RULES];
    size_t n_rules;
    /* The group buckets it went through. */
    struct {
        uint32_t group_id;
        uint32_t bucket;            /* Index in the group. */
    } buckets[XLATE_MAX_RULES];
    size_t n_buckets;
    /* The table whose lookup missed (ending the pipeline), or
     * OFPTT_ALL if none did. */
    uint8_t miss_table;

    /* Where the packet went, for the exporters: to 'n_outputs' ports,
     * the last of them 'last_output' (0 if none). */
    uint32_t n_outputs;
    uint32_t last_output;

    /* The recirculation ids the actions use (see recirc.h, lifetime). */
    uint32_t recirc_ids[XLATE_MAX_RECIRC];
    size_t n_recirc_ids;
};

/* True if translation can apply a set_field to field ID: a packet header
 * field that commit() writes with a datapath set action, or a pipeline
 * field (metadata, registers, in_port).  Tunnel and packet mark fields
 * are not (Plexus has no tunnels), conntrack fields are not (ct_mark and
 * ct_label are set only through ct(commit,exec(...))), and neither are
 * MPLS entries below the top of the stack. */
bool xlate_field_is_settable(enum mf_field_id);

/* Appends to ACTIONS the datapath actions for XIN and ORs into WC the
 * bits they depended on.  Never fails: anything not switchable is
 * dropped (nothing appended), and XOUT says why. */
void xlate_actions(const struct xlate_in *, struct odp_buf *actions,
                   struct flow_wildcards *wc, struct xlate_out *);

/* ------------------------------------------------------------------ */
/* Packets to the controller. */

/* Why a packet goes to the controller.  The two misses are told apart as
 * Open vSwitch does: an implicit miss (no rule; OpenFlow 1.0 sends it as
 * "no_match", 1.3 never sends it) and an explicit one (the table-miss
 * rule, priority 0 and no match, whose action is to the controller;
 * 1.3 says "no_match", 1.0 "action"). */
enum xlate_pin_reason {
    XLATE_PIN_ACTION,
    XLATE_PIN_INVALID_TTL,
    XLATE_PIN_IMPLICIT_MISS,
    XLATE_PIN_EXPLICIT_MISS,
};

/* The userdata of the datapath userspace action that sends a packet to
 * the controller.  'magic' tells it from other userspace actions. */
#define XLATE_PIN_MAGIC 0x504c5850u     /* "PLXP" */
struct xlate_pin_cookie {
    uint32_t magic;
    uint8_t reason;                 /* enum xlate_pin_reason. */
    uint8_t table_id;
    uint16_t max_len;               /* Bytes to send; UINT16_MAX: the
                                     * connection's miss_send_len. */
    uint32_t in_port;               /* OpenFlow port. */
    uint32_t pad;
    plx_be64 cookie;                /* The rule's, all-ones if none. */
    plx_be64 metadata;
};

/* ------------------------------------------------------------------ */
/* Samples for the exporters. */

/* The userdata of the datapath userspace action inside a sample action:
 * sFlow's and the bridge IPFIX exporter's (emitted before the bridge's
 * own actions, so they see the packet as received) and the OpenFlow
 * sample action's (emitted where the action is, after committing what
 * the actions before it changed). */
#define XLATE_SFLOW_MAGIC 0x504c5853u       /* "PLXS" */
#define XLATE_IPFIX_MAGIC 0x504c5849u       /* "PLXI" */
#define XLATE_FSAMPLE_MAGIC 0x504c5846u     /* "PLXF" */
struct xlate_sample_cookie {
    uint32_t magic;
    uint32_t in_port;               /* OpenFlow port. */
    uint32_t n_outputs;             /* As in struct xlate_out; for the */
    uint32_t output;                /* sample action, its sampling_port. */
    uint32_t rate;                  /* 1 in 'rate' packets sampled. */
    uint32_t collector_set_id;      /* XLATE_FSAMPLE_MAGIC only. */
    uint32_t obs_domain_id;
    uint32_t obs_point_id;
};

/* The datapath's sample probability for 1 in RATE packets. */
uint32_t xlate_sample_probability(uint32_t rate);

#endif /* xlate.h */
