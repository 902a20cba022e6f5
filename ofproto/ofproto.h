/*
 * ofproto: a bridge as an OpenFlow switch, on top of the userspace
 * datapath (datapath/dpif.h).  This is what plx-vswitchd's bridge layer
 * (vswitchd/bridge.c) drives from the configuration database.
 *
 * Objects.  An ofproto is one bridge.  Its ports are OpenFlow ports: a
 * netdev plus an OpenFlow port number (ofp_port_t, 32-bit numbering with
 * the MF_OFPP_* reserved values of lib/meta-flow.h; the bridge's own
 * internal port, the one named like the bridge, is MF_OFPP_LOCAL).  Each
 * OpenFlow port is also a datapath port of the shared dpif.  Ports are
 * grouped in bundles, one per row of the database's Port table (one
 * interface each for now; bonds are not supported): the bundle carries
 * the VLAN configuration that the NORMAL action applies.
 *
 * Flow table.  Each bridge has OpenFlow table 0 (a classifier of rules,
 * each a match, a priority and a list of OpenFlow actions).  With no
 * controller in fail_mode "standalone" (the default) it holds the one
 * rule "priority=0 actions=NORMAL"; in fail_mode "secure" it starts
 * empty, so everything is dropped.  (OpenFlow connections, issue 5, will
 * add and remove rules.)
 *
 * Translation (ofproto/xlate.c) turns a packet's flow into datapath
 * actions by looking it up in the table and running the rule's actions;
 * NORMAL is a learning L2 switch:
 *   - input VLAN from the input bundle's mode: access (untagged or
 *     priority-tagged frames only, they belong to 'tag'), trunk (frames whose
 *     VID is in 'trunks', or any VID if 'trunks' is empty; an untagged
 *     frame counts as VID 0, as in Open vSwitch, so a VLAN-less bridge of
 *     trunk ports switches untagged traffic),
 *     native-untagged and native-tagged (untagged frames belong to 'tag',
 *     tagged ones as trunk); a frame the mode does not admit is dropped;
 *   - frames to reserved multicast (01:80:c2:00:00:0x, e.g. STP) are
 *     dropped;
 *   - the source MAC is learned on (VLAN, input bundle), with the
 *     gratuitous-ARP lock of ofproto/mac-learning.h;
 *   - a known destination goes to its bundle (never back to the input
 *     bundle); unknown, multicast and broadcast destinations flood to
 *     every other bundle that carries the VLAN;
 *   - on output each bundle gets the frame tagged or untagged as its
 *     mode says (access: untagged; trunk: tagged; native-untagged:
 *     untagged on the native VLAN, tagged otherwise; native-tagged:
 *     tagged), the datapath actions push/pop/rewrite the 802.1Q header
 *     only where the previous output left it different.
 * The megaflow installed carries only the wildcards the decision
 * depended on: in_port, dl_src and dl_dst, the VLAN header, dl_type only
 * where a gratuitous-ARP check looked at it.
 *
 * Fake bridges (ovs-vsctl add-br CHILD PARENT VLAN) need nothing here:
 * the database makes their ports access ports of the parent on VLAN.
 *
 * Revalidation.  Megaflows embody decisions that depend on state that
 * changes (the MAC table, the ports, the flow table).  ofproto_run()
 * re-translates every megaflow of the bridge's ports when that state's
 * version moved since the megaflow was checked, modifying or deleting
 * those whose answer changed; it deletes megaflows idle for more than
 * 10 s, and re-learns the MACs of megaflows that passed packets (so a
 * MAC that keeps sending through a cached megaflow does not age out).
 * Once a function here that changes the configuration returns, the
 * next packet is switched by the new configuration: megaflows it
 * invalidates are deleted at once.
 *
 * Threads.  Everything here is for the main thread, except that
 * translation runs in PMD threads on upcalls; ofproto guards what
 * translation reads with a read-write lock that only the main thread
 * takes for writing.
 */
#ifndef PLX_OFPROTO_H
#define PLX_OFPROTO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dpif.h"
#include "ofp-errors.h"

struct ds;
struct netdev;
struct ofproto;

typedef uint32_t ofp_port_t;

enum ofproto_fail_mode {
    OFPROTO_FAIL_STANDALONE,    /* No controller: act as a learning switch. */
    OFPROTO_FAIL_SECURE         /* No controller: drop everything. */
};

enum port_vlan_mode {
    PORT_VLAN_ACCESS,
    PORT_VLAN_TRUNK,
    PORT_VLAN_NATIVE_TAGGED,
    PORT_VLAN_NATIVE_UNTAGGED
};

/* Registers the unixctl commands fdb/show BRIDGE, fdb/flush [BRIDGE],
 * fdb/stats-show BRIDGE.  Call once, after unixctl is set up. */
void ofproto_init(void);

/* Creates bridge NAME on DPIF (which must outlive it).  EEXIST if a
 * bridge of that name exists. */
int ofproto_create(const char *name, struct dpif *, struct ofproto **);
/* Deletes the bridge, its ports (from the datapath too) and its flows. */
void ofproto_destroy(struct ofproto *);
const char *ofproto_name(const struct ofproto *);
struct ofproto *ofproto_lookup(const char *name);

void ofproto_run(struct ofproto *);
void ofproto_wait(struct ofproto *);

/* Revalidates every megaflow of the bridge's datapath now (after waiting
 * for upcalls in flight to install theirs), as ofproto_run() does
 * periodically: re-translates those whose inputs changed, deletes idle
 * ones, refreshes MAC learning.  For tests and for callers that need
 * "every earlier change governs the next packet". */
void ofproto_revalidate(struct ofproto *);

/* Megaflows unused for this long are deleted (default 10000 ms).
 * Process-wide; MS <= 0 restores the default.  For tests. */
void ofproto_set_flow_idle_timeout(long long int ms);

/* ------------------------------------------------------------------ */
/* Configuration. */

void ofproto_set_fail_mode(struct ofproto *, enum ofproto_fail_mode);
/* other_config:mac-aging-time (seconds) and mac-table-size. */
void ofproto_set_mac_table_config(struct ofproto *, unsigned int idle_time,
                                  size_t max_entries);

/* Ports.  Adds NETDEV (the caller keeps its own reference) as an
 * OpenFlow port.  *OFP_PORTP is the requested number (ofport_request) or
 * MF_OFPP_ANY for "choose one" (the lowest free number from 1; the port
 * named like the bridge gets MF_OFPP_LOCAL); it receives the number.
 * Returns 0, EEXIST (name or requested number in use) or an errno value
 * from the datapath. */
int ofproto_port_add(struct ofproto *, struct netdev *,
                     ofp_port_t *ofp_portp);
int ofproto_port_del(struct ofproto *, ofp_port_t);
/* The datapath port number of OpenFlow port OFP_PORT, or ODPP_NONE. */
odp_port_t ofproto_port_to_odp(const struct ofproto *, ofp_port_t);
const char *ofproto_port_name(const struct ofproto *, ofp_port_t);

/* Bundles: one per database Port row, identified by the caller's AUX
 * (e.g. the row).  Registering an existing AUX reconfigures it.  Every
 * member must already be an OpenFlow port of the bridge (EINVAL
 * otherwise); a member removed with ofproto_port_del() leaves its
 * bundle. */
struct ofproto_bundle_settings {
    const char *name;
    const ofp_port_t *members;
    size_t n_members;
    enum port_vlan_mode vlan_mode;
    int vlan;                   /* 'tag': 0..4095, or -1 for none. */
    const unsigned long *trunks;    /* 4096-bit bitmap, NULL for all. */
};

int ofproto_bundle_register(struct ofproto *, void *aux,
                            const struct ofproto_bundle_settings *);
void ofproto_bundle_unregister(struct ofproto *, void *aux);

/* ------------------------------------------------------------------ */
/* OpenFlow tables (ofproto-flow.c). */

struct ofputil_flow_mod;
struct ofputil_flow_stats_request;
struct rule;

/* Carries out a decoded FLOW_MOD from a connection speaking VERSION
 * (OpenFlow semantics as Open vSwitch implements them: see
 * Documentation/openflow.md).  Returns 0 or the OpenFlow error to send.
 * The datapath follows the new tables once ofproto_run() runs. */
enum ofperr ofproto_flow_mod(struct ofproto *, const struct ofputil_flow_mod *,
                             int version);
/* Calls CB for every OpenFlow rule that REQ selects, after bringing the
 * statistics up to date. */
void ofproto_collect_flows(struct ofproto *,
                           const struct ofputil_flow_stats_request *req,
                           void (*cb)(const struct rule *, void *aux),
                           void *aux);
size_t ofproto_count_rules(const struct ofproto *);
bool ofproto_table_id_is_valid(uint8_t table_id);

/* Groups (ofproto-group.c).  Bucket actions are lib/ofp-actions.h lists
 * (copied). */
#define OFPROTO_GROUP_ANY 0xffffffffu
#define OFPROTO_GROUP_ALL 0xfffffffcu
/* OpenFlow group types (the OFPGT_* values). */
enum ofproto_group_type {
    OFPROTO_GT_ALL = 0,
    OFPROTO_GT_SELECT = 1,
    OFPROTO_GT_INDIRECT = 2,
    OFPROTO_GT_FF = 3,
};
struct xlate_bucket;
struct ofproto_bucket {
    uint16_t weight;
    uint32_t watch_port;            /* MF_OFPP_ANY: none. */
    uint32_t watch_group;           /* OFPROTO_GROUP_ANY: none. */
    const void *ofpacts;
    size_t ofpacts_len;
};
struct ofproto_group_info {
    uint32_t group_id;
    enum ofproto_group_type type;
    const struct xlate_bucket *buckets;
    size_t n_buckets;
    long long int created;
    uint64_t n_packets, n_bytes;
    const uint64_t *bucket_packets;     /* One per bucket. */
    const uint64_t *bucket_bytes;
};
bool ofproto_group_exists(const struct ofproto *, uint32_t group_id);
enum ofperr ofproto_group_add(struct ofproto *, uint32_t group_id,
                              enum ofproto_group_type,
                              const struct ofproto_bucket *, size_t n);
enum ofperr ofproto_group_modify(struct ofproto *, uint32_t group_id,
                                 enum ofproto_group_type,
                                 const struct ofproto_bucket *, size_t n);
void ofproto_group_delete(struct ofproto *, uint32_t group_id);
void ofproto_group_for_each(const struct ofproto *,
                            void (*cb)(const struct ofproto_group_info *,
                                       void *aux),
                            void *aux);

/* Meters (ofproto-meter.c). */
bool ofproto_meter_exists(const struct ofproto *, uint32_t meter_id);

/* ------------------------------------------------------------------ */
/* OpenFlow connections (ofproto-ofp.c, ofproto/connmgr.h). */

struct connmgr;
struct connmgr_controller;

/* Sets the controllers (the Controller table's targets).  Gaining the
 * first or losing the last flushes the flow tables, as Open vSwitch
 * does.  Returns 0 or EINVAL if a target was invalid (logged, skipped). */
int ofproto_set_controllers(struct ofproto *,
                            const struct connmgr_controller *, size_t n);
/* The punix: management socket (NULL: none). */
int ofproto_set_mgmt_socket(struct ofproto *, const char *path);
/* 0: derived from the bridge's name. */
void ofproto_set_datapath_id(struct ofproto *, uint64_t dpid);
uint64_t ofproto_get_datapath_id(const struct ofproto *);
/* For status reports (connmgr_get_controller_info()). */
struct connmgr *ofproto_get_connmgr(const struct ofproto *);

/* ------------------------------------------------------------------ */
/* The switch's own packet handling (vswitchd's network modes).
 *
 * Rules whose cookie, masked with MASK, equals VALUE send their
 * "controller" packets to the bridge itself: CB gets them in the main
 * thread (from ofproto_run()) instead of the OpenFlow controllers, with
 * the OpenFlow input port and the rule's cookie.  One handler per
 * bridge; CB NULL removes it. */
typedef void ofproto_local_cb(void *aux, const void *packet, size_t len,
                              ofp_port_t in_port, uint64_t cookie);
void ofproto_set_local_handler(struct ofproto *, uint64_t value,
                               uint64_t mask, ofproto_local_cb *cb,
                               void *aux);

/* Sends the LEN bytes of PACKET as if a controller's packet-out with
 * in_port IN_PORT (OFPP_NONE-like MF_OFPP_CONTROLLER for none) ran the
 * OFPACTS_LEN bytes of OpenFlow actions OFPACTS (lib/ofp-actions.h;
 * ofpacts_check() may annotate them).
 * Returns 0, or the OpenFlow error the actions earned. */
enum ofperr ofproto_packet_out(struct ofproto *, const void *packet,
                               size_t len, ofp_port_t in_port,
                               void *ofpacts, size_t ofpacts_len);

/* ------------------------------------------------------------------ */
/* Reports. */

/* `fdb/show`: " port  VLAN  MAC                Age" as ovs-appctl. */
void ofproto_format_fdb(const struct ofproto *, struct ds *);
void ofproto_flush_fdb(struct ofproto *);
/* `fdb/stats-show`, as ovs-appctl prints it. */
void ofproto_format_fdb_stats(const struct ofproto *, struct ds *);

/* For memory/show: counts, appended as "name:value" pairs. */
void ofproto_format_memory(const struct ofproto *, struct ds *);

/* Flow export (ofproto-export.c; the options are the exporters' own, see
 * ofproto/netflow.h, sflow.h and ipfix.h).  NULL options (no exporters
 * for IPFIX) turn an exporter off.  Each returns NULL, or a malloc'd
 * message about what in the options could not be used; what could is in
 * effect either way. */
struct netflow_options;
struct sflow_options;
struct ipfix_options;
char *ofproto_set_netflow(struct ofproto *, const struct netflow_options *);
char *ofproto_set_sflow(struct ofproto *, const struct sflow_options *);
char *ofproto_set_ipfix(struct ofproto *, const struct ipfix_options *bridge,
                        const struct ipfix_options *flows,
                        const uint32_t *flow_ids, size_t n_flows);

#endif /* ofproto.h */
