/* bridge: the database → bridges/ports/interfaces reconciliation of
 * plx-vswitchd.  See vswitchd/bridge.h for the design. */
#include <config.h>

#include "vswitchd/bridge.h"
#include "vswitchd/bridge-ct.h"
#include "vswitchd/bridge-db.h"
#include "vswitchd/bridge-export.h"
#include "vswitchd/bridge-netmode.h"
#include "vswitchd/bridge-ofp.h"
#include "vswitchd/bridge-wanted.h"
#include "vswitchd/vm-supervisor.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bitmap.h"
#include "coverage.h"
#include "datapath/dpdk.h"
#include "datapath/dpif.h"
#include "datapath/netdev.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "dirs.h"
#include "list.h"
#include "meta-flow.h"
#include "ofproto/connmgr.h"
#include "ofproto/ofproto.h"
#include "openflow.h"
#include "ovsdb/ovsdb-idl.h"
#include "packets.h"
#include "poll-loop.h"
#include "smap.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(bridge);

COVERAGE_DEFINE(bridge_reconfigure);
COVERAGE_DEFINE(bridge_iface_add);
COVERAGE_DEFINE(bridge_iface_del);
COVERAGE_DEFINE(bridge_iface_error);
COVERAGE_DEFINE(bridge_status_txn);

/* The database writes OpenFlow LOCAL as OpenFlow 1.0's number, as OVS. */
#define DB_OFPORT_LOCAL 65534
#define DB_OFPORT_MAX 65279             /* Largest ofport_request. */
#define VLAN_COUNT 4096

#define STATS_INTERVAL_DEFAULT 5000     /* ms, as OVS. */
#define STATS_INTERVAL_MIN 1000

/* A Bridge row brought to life. */
struct bridge {
    struct hmap_node node;              /* In 'all_bridges', by name. */
    char *name;
    struct ofproto *ofproto;
    const struct vswitchrec_bridge *cfg;        /* Refreshed every pass. */
    struct hmap ports;                  /* struct port, by name. */

    /* Settings as applied. */
    enum ofproto_fail_mode fail_mode;
    unsigned int mac_aging;
    size_t mac_size;
    char *controllers;                  /* Their configuration, as text. */
    uint64_t datapath_id;
    uint64_t controller_status_hash;    /* What the database was told. */
    struct bridge_export *export;       /* NetFlow, sFlow, IPFIX. */
    struct bridge_netmode *netmode;     /* network-mode (bridged, nat...). */
};

/* A Port row: a bundle of the bridge's ofproto. */
struct port {
    struct hmap_node node;              /* In bridge->ports, by name. */
    struct bridge *bridge;
    char *name;
    const struct vswitchrec_port *cfg;  /* Refreshed every pass. */
    struct plx_list ifaces;             /* struct iface, 'port_node'. */

    /* The bundle as registered ('registered' false: none). */
    bool registered;
    enum port_vlan_mode vlan_mode;
    int vlan;
    unsigned long *trunks;              /* NULL: every VLAN. */
    ofp_port_t *members;                /* Sorted. */
    size_t n_members;
};

/* An Interface row: a netdev and an OpenFlow port, or an error. */
struct iface {
    struct hmap_node node;              /* In 'all_ifaces', by name. */
    struct plx_list port_node;          /* In port->ifaces. */
    struct port *port;
    char *name;
    char *type;                         /* As configured ("" = system). */
    const struct vswitchrec_interface *cfg;     /* Refreshed every pass. */
    int64_t ofport_request;             /* 0: none. */

    struct netdev *netdev;              /* NULL: failed (see 'error'). */
    ofp_port_t ofp_port;                /* MF_OFPP_ANY if none. */
    char *error;                        /* For the 'error' column. */

    /* Settings as applied. */
    struct smap options;
    int64_t mtu_request;                /* 0: none. */
    char *mac_request;                  /* NULL: none. */

    struct smap status;                 /* Driver information. */
    uint64_t change_seq;                /* Netdev's, when last written. */
    bool stats_written;
};

/* Everything, as of the last pass. */
static struct ovsdb_idl *idl;
static unsigned int idl_seqno;
static struct dpif *dpif;
static struct hmap all_bridges = HMAP_INITIALIZER(&all_bridges);
static struct hmap all_ifaces = HMAP_INITIALIZER(&all_ifaces);
static struct wanted_rejection *rejected;  /* Of the last pass. */
static size_t n_rejected;

/* Global settings as applied. */
static char *pmd_cpu_mask;
static uint32_t emc_inv_prob = UINT32_MAX;      /* Not yet applied. */
static int stats_interval = STATS_INTERVAL_DEFAULT;

/* Writing back. */
static struct ovsdb_idl_txn *status_txn;
static bool status_txn_has_stats;
static int64_t status_txn_cur_cfg = -1;
static bool status_dirty;
static int64_t pending_cur_cfg = -1;    /* -1: nothing to confirm. */
static long long int next_stats_ms;
static bool stats_due;

static void bridge_reconfigure(const struct vswitchrec_open_vswitch *);
static void bridge_destroy(struct bridge *);
/* The SSL files came from the command line (the SSL table is ignored). */
static bool ssl_from_command_line;
static void iface_destroy(struct iface *);
static void status_run(void);

/* ------------------------------------------------------------------ */
/* Setup. */

static struct iface *iface_lookup(const char *name);

/* For the VM supervisor: the netdev of a "vm" interface. */
static struct netdev *
bridge_iface_netdev(const char *name)
{
    struct iface *iface = iface_lookup(name);
    return iface ? iface->netdev : NULL;
}

void
bridge_init(const char *remote)
{
    ssl_from_command_line = stream_ssl_is_configured();
    idl = ovsdb_idl_create(remote, vswitchrec_idl_class(), true, true);
    idl_seqno = ovsdb_idl_get_seqno(idl);
    /* As ovs-vswitchd: one switch daemon per database. */
    ovsdb_idl_set_lock(idl, "ovs_vswitchd");
    bridge_db_omit_written_columns(idl);

    int error = dpif_create("plx-netdev", &dpif);
    if (error) {
        VLOG_FATAL("could not create datapath plx-netdev: %s",
                   plx_strerror(error));
    }
    ofproto_init();
    bridge_netmode_init();
    vm_supervisor_init(idl, bridge_iface_netdev);
    next_stats_ms = time_msec() + stats_interval;
}

void
bridge_exit(void)
{
    struct bridge *br;

    vm_supervisor_exit();
    if (status_txn) {
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
    }
    HMAP_FOR_EACH_SAFE (br, node, &all_bridges) {
        bridge_destroy(br);
    }
    for (size_t i = 0; i < n_rejected; i++) {
        free(rejected[i].error);
    }
    free(rejected);
    rejected = NULL;
    n_rejected = 0;
    dpif_destroy(dpif);
    dpif = NULL;
    ovsdb_idl_destroy(idl);
    idl = NULL;
    free(pmd_cpu_mask);
    pmd_cpu_mask = NULL;
}

struct dpif *
bridge_get_dpif(void)
{
    return dpif;
}

/* ------------------------------------------------------------------ */
/* Lookups. */

static struct bridge *
bridge_lookup(const char *name)
{
    struct bridge *br;
    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0), &all_bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static struct port *
port_lookup(const struct bridge *br, const char *name)
{
    struct port *port;
    HMAP_FOR_EACH_WITH_HASH (port, node, hash_string(name, 0), &br->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

static struct iface *
iface_lookup(const char *name)
{
    struct iface *iface;
    HMAP_FOR_EACH_WITH_HASH (iface, node, hash_string(name, 0),
                             &all_ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Interfaces. */

static int64_t
iface_cfg_ofport_request(const struct vswitchrec_interface *cfg)
{
    if (cfg->n_ofport_request && cfg->ofport_request[0] >= 1
        && cfg->ofport_request[0] <= DB_OFPORT_MAX) {
        return cfg->ofport_request[0];
    }
    return 0;
}

static const char *
iface_cfg_type(const struct vswitchrec_interface *cfg)
{
    return cfg->type && cfg->type[0] ? cfg->type : "system";
}

/* The MAC the database asks for: the bridge's other_config:hwaddr for
 * its own port, else the Interface's 'mac'. */
static const char *
iface_cfg_mac(const struct iface *iface)
{
    const struct bridge *br = iface->port->bridge;
    if (!strcmp(iface->name, br->name) && br->cfg) {
        const char *hwaddr = smap_get(&br->cfg->other_config, "hwaddr");
        if (hwaddr) {
            return hwaddr;
        }
    }
    return iface->cfg->mac;
}


static void
iface_set_mtu_request(struct iface *iface)
{
    int64_t mtu = (iface->cfg->n_mtu_request
                   ? iface->cfg->mtu_request[0] : 0);
    if (mtu == iface->mtu_request) {
        return;
    }
    iface->mtu_request = mtu;
    if (mtu > 0 && mtu <= INT_MAX) {
        int error = netdev_set_mtu(iface->netdev, mtu);
        if (error) {
            VLOG_WARN("%s: could not set MTU %"PRId64": %s", iface->name,
                      mtu, plx_strerror(error));
        }
    }
    status_dirty = true;
}

static void
iface_set_mac_request(struct iface *iface)
{
    const char *mac = iface_cfg_mac(iface);
    if (!mac ? !iface->mac_request
        : iface->mac_request && !strcmp(mac, iface->mac_request)) {
        return;
    }
    free(iface->mac_request);
    iface->mac_request = mac ? xstrdup(mac) : NULL;
    if (mac) {
        struct eth_addr ea;
        if (!eth_addr_from_string(mac, &ea) || eth_addr_is_multicast(ea)
            || eth_addr_is_zero(ea)) {
            VLOG_WARN("%s: ignoring invalid MAC address %s", iface->name,
                      mac);
        } else {
            int error = netdev_set_etheraddr(iface->netdev, ea);
            if (error) {
                VLOG_WARN("%s: could not set MAC address %s: %s",
                          iface->name, mac, plx_strerror(error));
            }
        }
    }
    status_dirty = true;
}

static void iface_unplug(struct iface *);

/* Applies a change to IFACE's device that needs it stopped (netdev.h),
 * taking it out of the datapath and back in on the same OpenFlow port.
 * Returns NULL, or a malloc'd error message with IFACE unplugged. */
static char *
iface_apply_reconf(struct iface *iface)
{
    if (!iface->netdev || !netdev_reconf_required(iface->netdev)) {
        return NULL;
    }

    struct ofproto *ofproto = iface->port->bridge->ofproto;
    ofp_port_t ofp_port = iface->ofp_port;
    char *msg = NULL;
    int error = ofproto_port_del(ofproto, ofp_port);
    if (!error) {
        error = netdev_reconfigure(iface->netdev, &msg);
        if (!error) {
            error = ofproto_port_add(ofproto, iface->netdev, &ofp_port);
        }
        if (error) {
            iface->ofp_port = MF_OFPP_ANY;      /* Already deleted. */
        }
    }
    status_dirty = true;
    if (error) {
        char *s = xasprintf("could not reconfigure network device %s (%s)",
                            iface->name, msg ? msg : plx_strerror(error));
        free(msg);
        iface_unplug(iface);
        return s;
    }
    /* ofproto took the port out of its bundle: a differing member count
     * makes bridge_reconfigure()'s bundle step put it back. */
    iface->port->n_members = 0;
    smap_clear(&iface->status);
    netdev_get_status(iface->netdev, &iface->status);
    VLOG_INFO("%s: device reconfigured", iface->name);
    return NULL;
}

/* Interface other_config:pmd-rxq-affinity, before the port exists (so
 * that its queues are placed right when added) and on every change. */
static void
iface_set_rxq_affinity(const struct iface *iface)
{
    char *err = NULL;

    if (dpif_set_rxq_affinity(dpif, iface->name,
                              smap_get(&iface->cfg->other_config,
                                       "pmd-rxq-affinity"), &err)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: %s", iface->name, err);
        free(err);
    }
}

/* Opens IFACE's netdev and adds it to its bridge as OpenFlow port WANT
 * (MF_OFPP_ANY: any).  Returns NULL or a malloc'd error message. */
static char *
iface_plug(struct iface *iface, ofp_port_t want)
{
    struct ofproto *ofproto = iface->port->bridge->ofproto;
    struct netdev *netdev;
    char *msg = vm_supervisor_check_nic(iface->cfg);
    int error;

    if (msg) {
        return msg;
    }
    error = netdev_open(iface->name, iface->type, &netdev);
    if (error) {
        return netdev_open_error_string(iface->name, iface->type, error);
    }
    error = netdev_set_config(netdev, &iface->cfg->options, &msg);
    if (error) {
        char *s = xasprintf("could not configure network device %s (%s)",
                            iface->name, msg ? msg : plx_strerror(error));
        free(msg);
        netdev_close(netdev);
        return s;
    }
    free(msg);

    ofp_port_t ofp_port = want;
    iface_set_rxq_affinity(iface);
    error = ofproto_port_add(ofproto, netdev, &ofp_port);
    if (error == EEXIST && want != MF_OFPP_ANY) {
        VLOG_WARN("%s: OpenFlow port %"PRIu32" is in use, choosing "
                  "another", iface->name, want);
        ofp_port = MF_OFPP_ANY;
        error = ofproto_port_add(ofproto, netdev, &ofp_port);
    }
    if (error) {
        netdev_close(netdev);
        return xasprintf("could not add network device %s to ofproto (%s)",
                         iface->name, plx_strerror(error));
    }

    iface->netdev = netdev;
    iface->ofp_port = ofp_port;
    smap_clone(&iface->options, &iface->cfg->options);
    iface->change_seq = netdev_get_change_seq(netdev) - 1;
    if (!strcmp(iface->type, "system") || !strcmp(iface->type, "internal")
        || !strcmp(iface->type, "tap")) {
        bridge_db_read_driver_status(iface->name, &iface->status);
    } else {
        netdev_get_status(netdev, &iface->status);
    }
    iface->mtu_request = 0;
    iface_set_mtu_request(iface);
    free(iface->mac_request);
    iface->mac_request = NULL;
    iface_set_mac_request(iface);
    return iface_apply_reconf(iface);
}

/* Removes IFACE's OpenFlow port and closes its netdev, if it has them. */
static void
iface_unplug(struct iface *iface)
{
    if (iface->netdev) {
        if (iface->ofp_port != MF_OFPP_ANY) {
            int error = ofproto_port_del(iface->port->bridge->ofproto,
                                         iface->ofp_port);
            if (error) {
                VLOG_WARN("%s: could not delete OpenFlow port: %s",
                          iface->name, plx_strerror(error));
            }
        }
        netdev_close(iface->netdev);
        iface->netdev = NULL;
    }
    iface->ofp_port = MF_OFPP_ANY;
    smap_clear(&iface->options);
    smap_clear(&iface->status);
    status_dirty = true;
}

/* The OpenFlow port number CFG asks for, or had before (see bridge.h). */
static ofp_port_t
iface_cfg_wanted_ofport(const struct vswitchrec_interface *cfg,
                        const struct bridge *br)
{
    int64_t request = iface_cfg_ofport_request(cfg);
    if (request) {
        return request;
    }
    if (!strcmp(cfg->name, br->name)) {
        return MF_OFPP_ANY;         /* ofproto makes it LOCAL. */
    }
    if (cfg->n_ofport && cfg->ofport[0] >= 1
        && cfg->ofport[0] <= DB_OFPORT_MAX) {
        return cfg->ofport[0];
    }
    return MF_OFPP_ANY;
}

static const char *
ofp_port_string(ofp_port_t ofp_port, char *buf, size_t size)
{
    if (ofp_port == MF_OFPP_LOCAL) {
        return "LOCAL";
    }
    snprintf(buf, size, "%"PRIu32, ofp_port);
    return buf;
}

static struct iface *
iface_create(struct port *port, const struct vswitchrec_interface *cfg,
             ofp_port_t want)
{
    struct iface *iface = xzalloc(sizeof *iface);
    char buf[16];

    iface->port = port;
    iface->name = xstrdup(cfg->name);
    iface->type = xstrdup(iface_cfg_type(cfg));
    iface->cfg = cfg;
    iface->ofport_request = iface_cfg_ofport_request(cfg);
    iface->ofp_port = MF_OFPP_ANY;
    smap_init(&iface->options);
    smap_init(&iface->status);
    hmap_insert(&all_ifaces, &iface->node, hash_string(iface->name, 0));
    plx_list_push_back(&port->ifaces, &iface->port_node);

    iface->error = iface_plug(iface, want);
    if (iface->error) {
        COVERAGE_INC(bridge_iface_error);
        VLOG_WARN("%s", iface->error);
    } else {
        COVERAGE_INC(bridge_iface_add);
        VLOG_INFO("bridge %s: added interface %s on port %s",
                  port->bridge->name, iface->name,
                  ofp_port_string(iface->ofp_port, buf, sizeof buf));
    }
    status_dirty = true;
    return iface;
}

/* Tries again to bring up IFACE, which failed before; logs only if the
 * outcome differs from last time. */
static void
iface_retry(struct iface *iface)
{
    char buf[16];
    char *error = iface_plug(iface, iface_cfg_wanted_ofport(
                                 iface->cfg, iface->port->bridge));
    if (error) {
        if (!iface->error || strcmp(error, iface->error)) {
            VLOG_WARN("%s", error);
        }
        free(iface->error);
        iface->error = error;
        return;
    }
    free(iface->error);
    iface->error = NULL;
    COVERAGE_INC(bridge_iface_add);
    VLOG_INFO("bridge %s: added interface %s on port %s",
              iface->port->bridge->name, iface->name,
              ofp_port_string(iface->ofp_port, buf, sizeof buf));
    status_dirty = true;
}

static void
iface_destroy(struct iface *iface)
{
    if (iface->netdev) {
        COVERAGE_INC(bridge_iface_del);
        char buf[16];
        VLOG_INFO("bridge %s: deleted interface %s on port %s",
                  iface->port->bridge->name, iface->name,
                  ofp_port_string(iface->ofp_port, buf, sizeof buf));
    }
    iface_unplug(iface);
    dpif_set_rxq_affinity(dpif, iface->name, NULL, NULL);
    hmap_remove(&all_ifaces, &iface->node);
    plx_list_remove(&iface->port_node);
    smap_destroy(&iface->options);
    smap_destroy(&iface->status);
    free(iface->mac_request);
    free(iface->error);
    free(iface->type);
    free(iface->name);
    free(iface);
}

/* Applies changes of an existing, working interface's options, MTU and
 * MAC in place. */
static void
iface_reconfigure(struct iface *iface)
{
    if (!iface->netdev) {
        return;
    }
    if (!smap_equal(&iface->options, &iface->cfg->options)) {
        char *msg = NULL;
        int error = netdev_set_config(iface->netdev, &iface->cfg->options,
                                      &msg);
        if (error) {
            free(iface->error);
            iface->error = xasprintf("could not configure network device "
                                     "%s (%s)", iface->name,
                                     msg ? msg : plx_strerror(error));
            VLOG_WARN("%s", iface->error);
            COVERAGE_INC(bridge_iface_error);
            iface_unplug(iface);
            free(msg);
            return;
        }
        free(msg);
        smap_destroy(&iface->options);
        smap_clone(&iface->options, &iface->cfg->options);
        status_dirty = true;
    }
    iface_set_mtu_request(iface);
    iface_set_mac_request(iface);
    iface_set_rxq_affinity(iface);

    char *error = iface_apply_reconf(iface);
    if (error) {
        VLOG_WARN("%s", error);
        COVERAGE_INC(bridge_iface_error);
        free(iface->error);
        iface->error = error;
    }
}

/* ------------------------------------------------------------------ */
/* Ports (bundles). */

static struct port *
port_create(struct bridge *br, const struct vswitchrec_port *cfg)
{
    struct port *port = xzalloc(sizeof *port);
    port->bridge = br;
    port->name = xstrdup(cfg->name);
    port->cfg = cfg;
    plx_list_init(&port->ifaces);
    hmap_insert(&br->ports, &port->node, hash_string(port->name, 0));
    return port;
}

static void
port_forget_bundle(struct port *port)
{
    port->registered = false;
    bitmap_free(port->trunks);
    port->trunks = NULL;
    free(port->members);
    port->members = NULL;
    port->n_members = 0;
}

static void
port_destroy(struct port *port)
{
    struct iface *iface;

    if (port->registered && port->bridge->ofproto) {
        ofproto_bundle_unregister(port->bridge->ofproto, port);
    }
    port_forget_bundle(port);
    LIST_FOR_EACH_SAFE (iface, port_node, &port->ifaces) {
        iface_destroy(iface);
    }
    hmap_remove(&port->bridge->ports, &port->node);
    free(port->name);
    free(port);
}

static int
compare_ofp_ports(const void *a_, const void *b_)
{
    ofp_port_t a = *(const ofp_port_t *) a_;
    ofp_port_t b = *(const ofp_port_t *) b_;
    return a < b ? -1 : a > b;
}

/* Computes PORT's VLAN settings as Open vSwitch does: vlan_mode if set,
 * else access if 'tag' is set, else trunk. */
static void
port_vlan_settings(const struct port *port, enum port_vlan_mode *modep,
                   int *vlanp, unsigned long **trunksp)
{
    const struct vswitchrec_port *cfg = port->cfg;
    int vlan = -1;

    if (cfg->n_tag && cfg->tag[0] >= 0 && cfg->tag[0] < VLAN_COUNT) {
        vlan = cfg->tag[0];
    }
    *trunksp = NULL;
    if (cfg->n_trunks) {
        *trunksp = bitmap_allocate(VLAN_COUNT);
        for (size_t i = 0; i < cfg->n_trunks; i++) {
            if (cfg->trunks[i] >= 0 && cfg->trunks[i] < VLAN_COUNT) {
                bitmap_set1(*trunksp, cfg->trunks[i]);
            }
        }
    }

    const char *mode = cfg->vlan_mode;
    if (!mode || !mode[0]) {
        *modep = vlan >= 0 ? PORT_VLAN_ACCESS : PORT_VLAN_TRUNK;
    } else if (!strcmp(mode, "access")) {
        *modep = PORT_VLAN_ACCESS;
    } else if (!strcmp(mode, "trunk")) {
        *modep = PORT_VLAN_TRUNK;
    } else if (!strcmp(mode, "native-tagged")) {
        *modep = PORT_VLAN_NATIVE_TAGGED;
    } else if (!strcmp(mode, "native-untagged")) {
        *modep = PORT_VLAN_NATIVE_UNTAGGED;
    } else {
        VLOG_WARN("port %s: unknown VLAN mode %s, falling back to trunk "
                  "mode", port->name, mode);
        *modep = PORT_VLAN_TRUNK;
    }
    *vlanp = vlan;
}

/* Registers, re-registers or unregisters PORT's bundle if what it should
 * be differs from what it is. */
static void
port_configure_bundle(struct port *port)
{
    struct ofproto *ofproto = port->bridge->ofproto;
    ofp_port_t *members = xmalloc((plx_list_size(&port->ifaces) + 1)
                                  * sizeof *members);
    size_t n_members = 0;
    struct iface *iface;

    LIST_FOR_EACH (iface, port_node, &port->ifaces) {
        if (iface->netdev) {
            members[n_members++] = iface->ofp_port;
        }
    }
    qsort(members, n_members, sizeof *members, compare_ofp_ports);

    /* The uplink of a nat or routed network is no part of NORMAL. */
    if (bridge_netmode_excludes_port(port->bridge->netmode, port->name)) {
        n_members = 0;
    }
    if (!n_members) {
        if (port->registered) {
            ofproto_bundle_unregister(ofproto, port);
            port_forget_bundle(port);
        }
        free(members);
        return;
    }

    enum port_vlan_mode mode;
    unsigned long *trunks;
    int vlan;
    port_vlan_settings(port, &mode, &vlan, &trunks);

    if (port->registered && port->vlan_mode == mode && port->vlan == vlan
        && (!trunks == !port->trunks)
        && (!trunks || bitmap_equal(trunks, port->trunks, VLAN_COUNT))
        && port->n_members == n_members
        && !memcmp(port->members, members, n_members * sizeof *members)) {
        bitmap_free(trunks);
        free(members);
        return;
    }

    if (n_members > 1) {
        VLOG_WARN("port %s: bonds are not supported, using %zu "
                  "interfaces as one bundle", port->name, n_members);
    }
    struct ofproto_bundle_settings s = {
        .name = port->name,
        .members = members,
        .n_members = n_members,
        .vlan_mode = mode,
        .vlan = vlan,
        .trunks = trunks,
    };
    int error = ofproto_bundle_register(ofproto, port, &s);
    if (error) {
        VLOG_WARN("port %s: could not configure bundle: %s", port->name,
                  plx_strerror(error));
        if (port->registered) {
            ofproto_bundle_unregister(ofproto, port);
        }
        port_forget_bundle(port);
        bitmap_free(trunks);
        free(members);
        return;
    }
    port_forget_bundle(port);
    port->registered = true;
    port->vlan_mode = mode;
    port->vlan = vlan;
    port->trunks = trunks;
    port->members = members;
    port->n_members = n_members;
}

/* ------------------------------------------------------------------ */
/* Bridges. */

static struct bridge *
bridge_create(const struct vswitchrec_bridge *cfg)
{
    struct ofproto *ofproto;
    int error = ofproto_create(cfg->name, dpif, &ofproto);
    if (error) {
        VLOG_ERR("bridge %s: could not create: %s", cfg->name,
                 plx_strerror(error));
        return NULL;
    }

    struct bridge *br = xzalloc(sizeof *br);
    br->name = xstrdup(cfg->name);
    br->ofproto = ofproto;
    br->cfg = cfg;
    br->fail_mode = OFPROTO_FAIL_STANDALONE;
    br->export = bridge_export_create();
    br->netmode = bridge_netmode_create(ofproto, br->name);
    hmap_init(&br->ports);
    hmap_insert(&all_bridges, &br->node, hash_string(br->name, 0));

    /* The management socket that ovs-ofctl and plx-ofctl use for a
     * bridge name: RUNDIR/BRIDGE.mgmt, as Open vSwitch. */
    char *mgmt = xasprintf("%s/%s.mgmt", plx_rundir(), br->name);
    error = ofproto_set_mgmt_socket(ofproto, mgmt);
    if (error) {
        VLOG_WARN("bridge %s: could not listen on %s: %s", br->name, mgmt,
                  plx_strerror(error));
    }
    free(mgmt);
    VLOG_INFO("bridge %s: created", br->name);
    if (cfg->datapath_type && cfg->datapath_type[0]
        && strcmp(cfg->datapath_type, "netdev")
        && strcmp(cfg->datapath_type, "system")) {
        VLOG_WARN("bridge %s: datapath_type %s is not supported, using "
                  "the userspace datapath", br->name, cfg->datapath_type);
    }
    return br;
}

static void
bridge_destroy(struct bridge *br)
{
    struct port *port;

    VLOG_INFO("bridge %s: deleted", br->name);
    bridge_netmode_destroy(br->netmode);
    HMAP_FOR_EACH_SAFE (port, node, &br->ports) {
        port_destroy(port);
    }
    ofproto_destroy(br->ofproto);
    hmap_remove(&all_bridges, &br->node);
    hmap_destroy(&br->ports);
    free(br->controllers);
    bridge_export_destroy(br->export);
    free(br->name);
    free(br);
}

static void
bridge_configure_settings(struct bridge *br)
{
    const struct vswitchrec_bridge *cfg = br->cfg;
    enum ofproto_fail_mode fail_mode
        = (cfg->fail_mode && !strcmp(cfg->fail_mode, "secure")
           ? OFPROTO_FAIL_SECURE : OFPROTO_FAIL_STANDALONE);
    if (fail_mode != br->fail_mode) {
        ofproto_set_fail_mode(br->ofproto, fail_mode);
        br->fail_mode = fail_mode;
    }

    unsigned int aging = smap_get_uint(&cfg->other_config, "mac-aging-time",
                                       300);
    size_t size = smap_get_uint(&cfg->other_config, "mac-table-size", 2048);
    if (!aging) {
        aging = 300;
    }
    if (!size) {
        size = 2048;
    }
    if (aging != br->mac_aging || size != br->mac_size) {
        ofproto_set_mac_table_config(br->ofproto, aging, size);
        br->mac_aging = aging;
        br->mac_size = size;
    }

    uint64_t dpid = bridge_ofp_datapath_id(cfg);
    if (dpid != br->datapath_id) {
        br->datapath_id = dpid;
        ofproto_set_datapath_id(br->ofproto, dpid);
        status_dirty = true;
    }

    if (bridge_ofp_configure_controllers(br->ofproto, cfg,
                                         &br->controllers)) {
        status_dirty = true;
    }
    bridge_export_configure(br->export, br->ofproto, cfg, idl);
}

/* Hands the bridge's network-* keys and ports to its network mode. */
static void
bridge_configure_netmode(struct bridge *br)
{
    struct bridge_netmode_port *ports = NULL;
    size_t n = 0, allocated = 0;
    struct port *port;
    struct iface *iface;

    HMAP_FOR_EACH (port, node, &br->ports) {
        LIST_FOR_EACH (iface, port_node, &port->ifaces) {
            if (iface->netdev && iface->ofp_port != MF_OFPP_ANY) {
                if (n >= allocated) {
                    ports = x2nrealloc(ports, &allocated, sizeof *ports);
                }
                ports[n++] = (struct bridge_netmode_port) {
                    port->name, iface->ofp_port, iface->netdev };
            }
        }
    }
    bridge_netmode_configure(br->netmode, &br->cfg->other_config, ports, n);
    free(ports);
}

/* ------------------------------------------------------------------ */
/* Reconfiguration. */

static void
apply_global_config(const struct vswitchrec_open_vswitch *ovs)
{
    static const struct smap empty = SMAP_INITIALIZER(&empty);
    const struct smap *oc = ovs ? &ovs->other_config : &empty;

    /* SSL for ssl: and pssl: controllers, from the SSL table unless the
     * command line gave the files (as Open vSwitch). */
    const struct vswitchrec_ssl *ssl = ovs ? ovs->ssl : NULL;
    if (ssl && !ssl_from_command_line) {
        stream_ssl_set_key_and_cert(ssl->private_key, ssl->certificate);
        stream_ssl_set_ca_cert_file(ssl->ca_cert, ssl->bootstrap_ca_cert);
    }

    /* DPDK before any interface, so that "dpdk" ports can open. */
    bool dpdk_was = dpdk_is_initialized();
    dpdk_configure(oc);
    if (dpdk_is_initialized() != dpdk_was) {
        status_dirty = true;
    }

    const char *mask = smap_get(oc, "pmd-cpu-mask");
    if (!mask ? !!pmd_cpu_mask
        : !pmd_cpu_mask || strcmp(mask, pmd_cpu_mask)) {
        int error = dpif_set_pmd_cpu_mask(dpif, mask);
        if (error) {
            VLOG_WARN("pmd-cpu-mask %s: %s", mask ? mask : "(none)",
                      plx_strerror(error));
        } else {
            VLOG_INFO("pmd-cpu-mask set to %s", mask ? mask : "(none)");
        }
        free(pmd_cpu_mask);
        pmd_cpu_mask = mask ? xstrdup(mask) : NULL;
    }

    /* Rx queue scheduling: each call is a no-op unless the value
     * changed, and a bad pmd-rxq-assign is logged (rate-limited). */
    dpif_set_pmd_rxq_assign(dpif, smap_get(oc, "pmd-rxq-assign"));
    dpif_set_pmd_rxq_isolate(dpif, smap_get_bool(oc, "pmd-rxq-isolate",
                                                 true));
    dpif_set_pmd_auto_lb(dpif, oc);

    /* Conntrack zone timeout policies (Datapath, CT_Zone tables). */
    bridge_ct_configure(dpif_conntrack(dpif), ovs);

    /* How long an idle megaflow lives (Open vSwitch's max-idle, ms). */
    ofproto_set_flow_idle_timeout(smap_get_int(oc, "max-idle", 0));

    unsigned int prob = smap_get_uint(oc, "emc-insert-inv-prob", 100);
    if (prob != emc_inv_prob) {
        dpif_set_emc_insert_inv_prob(dpif, prob);
        emc_inv_prob = prob;
    }

    int interval = smap_get_int(oc, "stats-update-interval",
                                STATS_INTERVAL_DEFAULT);
    if (interval < STATS_INTERVAL_MIN) {
        interval = STATS_INTERVAL_MIN;
    }
    if (interval != stats_interval) {
        stats_interval = interval;
        next_stats_ms = time_msec() + interval;
    }
}

static void
bridge_reconfigure(const struct vswitchrec_open_vswitch *ovs)
{
    struct wanted w;
    struct wanted_bridge *wb;
    struct wanted_port *wp;
    struct wanted_iface *wi;
    struct bridge *br;
    struct port *port;
    struct iface *iface;

    COVERAGE_INC(bridge_reconfigure);
    apply_global_config(ovs);
    wanted_collect(&w, ovs);

    /* 1. Deletions: bridges, then interfaces that are gone or must be
     *    re-created (moved, retyped, renumbered, failed), then ports. */
    HMAP_FOR_EACH_SAFE (br, node, &all_bridges) {
        if (!wanted_bridge_find(&w, br->name)) {
            bridge_destroy(br);
        }
    }
    HMAP_FOR_EACH_SAFE (iface, node, &all_ifaces) {
        wi = wanted_iface_find(&w, iface->name);
        if (!wi || strcmp(wi->br_cfg->name, iface->port->bridge->name)
            || strcmp(wi->port_cfg->name, iface->port->name)
            || strcmp(iface_cfg_type(wi->cfg), iface->type)
            || iface_cfg_ofport_request(wi->cfg) != iface->ofport_request
            || (iface->netdev && !vm_supervisor_nic_ok(wi->cfg))) {
            iface_destroy(iface);
        }
    }
    HMAP_FOR_EACH (br, node, &all_bridges) {
        HMAP_FOR_EACH_SAFE (port, node, &br->ports) {
            if (!wanted_port_find(&w, br->name, port->name)) {
                port_destroy(port);
            }
        }
    }

    /* 2. Bridges and ports: create what is missing, refresh rows. */
    HMAP_FOR_EACH (wb, node, &w.bridges) {
        br = bridge_lookup(wb->cfg->name);
        if (!br) {
            br = bridge_create(wb->cfg);
            if (!br) {
                continue;
            }
        }
        br->cfg = wb->cfg;
        bridge_configure_settings(br);
    }
    HMAP_FOR_EACH (wp, node, &w.ports) {
        br = bridge_lookup(wp->br_cfg->name);
        if (br) {
            port = port_lookup(br, wp->cfg->name);
            if (!port) {
                port = port_create(br, wp->cfg);
            }
            port->cfg = wp->cfg;
        }
    }

    /* 3. Interfaces: refresh and reconfigure the ones that exist, then
     *    add the new ones, those with a number to ask for first. */
    for (int pass = 0; pass < 2; pass++) {
        HMAP_FOR_EACH (wi, node, &w.ifaces) {
            br = bridge_lookup(wi->br_cfg->name);
            if (!br) {
                if (!pass) {
                    wanted_reject(&w, wi->cfg, xasprintf(
                        "bridge %s could not be created",
                        wi->br_cfg->name));
                }
                continue;
            }
            port = port_lookup(br, wi->port_cfg->name);
            if (!port) {
                continue;
            }
            iface = iface_lookup(wi->cfg->name);
            if (iface) {
                if (!pass) {
                    iface->cfg = wi->cfg;
                    if (iface->netdev) {
                        iface_reconfigure(iface);
                    } else {
                        iface_retry(iface);
                    }
                }
                continue;
            }
            ofp_port_t want = iface_cfg_wanted_ofport(wi->cfg, br);
            if ((want != MF_OFPP_ANY) == !pass) {
                iface_create(port, wi->cfg, want);
            }
        }
    }

    /* 4. Network modes (which decide whether the uplink is a bundle),
     *    then bundles, where their settings or members changed. */
    HMAP_FOR_EACH (br, node, &all_bridges) {
        bridge_configure_netmode(br);
    }
    HMAP_FOR_EACH (br, node, &all_bridges) {
        HMAP_FOR_EACH (port, node, &br->ports) {
            port_configure_bundle(port);
        }
    }
    for (size_t i = 0; i < n_rejected; i++) {
        free(rejected[i].error);
    }
    free(rejected);
    rejected = w.rejected;          /* Written back by status_run(). */
    n_rejected = w.n_rejected;
    w.rejected = NULL;
    w.n_rejected = 0;
    wanted_destroy(&w);
    vm_supervisor_reconfigure(ovs);

    if (ovs) {
        pending_cur_cfg = ovs->next_cfg;
    }
    status_dirty = true;
}

/* ------------------------------------------------------------------ */
/* Writing back. */

static void
iface_clear_db_record(const struct vswitchrec_interface *cfg,
                      const char *error)
{
    int64_t none = -1;

    vswitchrec_interface_set_ofport(cfg, &none, 1);
    vswitchrec_interface_set_error(cfg, error);
    vswitchrec_interface_set_status(cfg, NULL);
    vswitchrec_interface_set_admin_state(cfg, NULL);
    vswitchrec_interface_set_link_state(cfg, NULL);
    vswitchrec_interface_set_link_speed(cfg, NULL, 0);
    vswitchrec_interface_set_duplex(cfg, NULL);
    vswitchrec_interface_set_mac_in_use(cfg, NULL);
    vswitchrec_interface_set_mtu(cfg, NULL, 0);
    vswitchrec_interface_set_ifindex(cfg, NULL, 0);
    vswitchrec_interface_set_statistics(cfg, NULL, NULL, 0);
}

static void
iface_write_stats(const struct iface *iface)
{
    struct netdev_stats s;
    if (netdev_get_stats(iface->netdev, &s)) {
        return;
    }
    static const char *const keys[] = {
        "rx_packets", "rx_bytes", "rx_dropped", "rx_errors",
        "tx_packets", "tx_bytes", "tx_dropped", "tx_errors",
    };
    int64_t values[] = {
        s.rx_packets, s.rx_bytes, s.rx_dropped, s.rx_errors,
        s.tx_packets, s.tx_bytes, s.tx_dropped, s.tx_errors,
    };
    vswitchrec_interface_set_statistics(iface->cfg, keys, values,
                                        ARRAY_SIZE(keys));
}

static void
iface_write_status(struct iface *iface, bool with_stats)
{
    const struct vswitchrec_interface *cfg = iface->cfg;

    if (!iface->netdev) {
        iface_clear_db_record(cfg, iface->error);
        return;
    }

    int64_t ofport = (iface->ofp_port == MF_OFPP_LOCAL ? DB_OFPORT_LOCAL
                      : (int64_t) iface->ofp_port);
    vswitchrec_interface_set_ofport(cfg, &ofport, 1);
    vswitchrec_interface_set_error(cfg, NULL);
    vswitchrec_interface_set_status(cfg, &iface->status);

    enum netdev_flags flags;
    vswitchrec_interface_set_admin_state(
        cfg, (netdev_get_flags(iface->netdev, &flags) ? NULL
              : flags & NETDEV_UP ? "up" : "down"));

    bool carrier;
    vswitchrec_interface_set_link_state(
        cfg, (netdev_get_carrier(iface->netdev, &carrier) ? NULL
              : carrier ? "up" : "down"));

    struct eth_addr ea;
    if (!netdev_get_etheraddr(iface->netdev, &ea)) {
        char mac[18];
        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
        vswitchrec_interface_set_mac_in_use(cfg, mac);
    } else {
        vswitchrec_interface_set_mac_in_use(cfg, NULL);
    }

    int mtu;
    if (!netdev_get_mtu(iface->netdev, &mtu)) {
        int64_t mtu64 = mtu;
        vswitchrec_interface_set_mtu(cfg, &mtu64, 1);
    } else {
        vswitchrec_interface_set_mtu(cfg, NULL, 0);
    }

    int64_t ifindex = netdev_get_ifindex(iface->netdev);
    if (ifindex < 0) {
        ifindex = 0;
    }
    vswitchrec_interface_set_ifindex(cfg, &ifindex, 1);

    if (with_stats || !iface->stats_written) {
        iface_write_stats(iface);
        iface->stats_written = true;
    }
}

static void
status_txn_finish(enum ovsdb_idl_txn_status status)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    switch (status) {
    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        if (status_txn_cur_cfg >= 0
            && pending_cur_cfg <= status_txn_cur_cfg) {
            pending_cur_cfg = -1;
        }
        break;
    case TXN_TRY_AGAIN:
    case TXN_NOT_LOCKED:
    case TXN_ABORTED:
        /* Rebuild from the current state and resend. */
        status_dirty = true;
        stats_due = stats_due || status_txn_has_stats;
        break;
    case TXN_ERROR:
        VLOG_WARN_RL(&rl, "status transaction failed: %s",
                     ovsdb_idl_txn_get_error(status_txn)
                     ? ovsdb_idl_txn_get_error(status_txn) : "error");
        break;
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    default:
        return;
    }
    ovsdb_idl_txn_destroy(status_txn);
    status_txn = NULL;
}

static void
write_open_vswitch(const struct vswitchrec_open_vswitch *ovs)
{
    static const char *const candidate_types[] = {
        "dpdk", "dpdkvhostuser", "dpdkvhostuserclient", "dummy",
        "internal", "pcap", "system", "tap", "vm",
    };
    const char *types[ARRAY_SIZE(candidate_types)];
    size_t n_types = 0;
    static const char *const dp_types[] = { "netdev" };

    for (size_t i = 0; i < ARRAY_SIZE(candidate_types); i++) {
        if (netdev_is_type_registered(candidate_types[i])) {
            types[n_types++] = candidate_types[i];
        }
    }
    vswitchrec_open_vswitch_set_iface_types(ovs, types, n_types);
    vswitchrec_open_vswitch_set_datapath_types(ovs, dp_types, 1);
    vswitchrec_open_vswitch_set_ovs_version(ovs, PACKAGE_VERSION);
    vswitchrec_open_vswitch_set_dpdk_initialized(ovs, dpdk_is_initialized());
    vswitchrec_open_vswitch_set_dpdk_version(ovs, dpdk_get_version());
}

static void
status_run(void)
{
    if (status_txn) {
        status_txn_finish(ovsdb_idl_txn_commit(status_txn));
        if (status_txn) {
            return;             /* Still waiting for the reply. */
        }
    }
    if ((!status_dirty && pending_cur_cfg < 0)
        || !ovsdb_idl_is_connected(idl) || !ovsdb_idl_has_lock(idl)) {
        return;
    }

    COVERAGE_INC(bridge_status_txn);
    status_txn = ovsdb_idl_txn_create(idl);
    status_txn_has_stats = stats_due;
    status_txn_cur_cfg = -1;

    const struct vswitchrec_open_vswitch *ovs
        = vswitchrec_open_vswitch_first(idl);
    if (ovs) {
        write_open_vswitch(ovs);
        if (pending_cur_cfg >= 0) {
            vswitchrec_open_vswitch_set_cur_cfg(ovs, pending_cur_cfg);
            status_txn_cur_cfg = pending_cur_cfg;
        }
    }

    struct iface *iface;
    HMAP_FOR_EACH (iface, node, &all_ifaces) {
        iface_write_status(iface, stats_due);
    }
    struct bridge *br;
    HMAP_FOR_EACH (br, node, &all_bridges) {
        bridge_ofp_write_status(br->ofproto, br->cfg);
        br->controller_status_hash = bridge_ofp_status_hash(br->ofproto);
    }
    for (size_t i = 0; i < n_rejected; i++) {
        iface_clear_db_record(rejected[i].cfg, rejected[i].error);
    }
    vm_supervisor_write_status();
    status_dirty = false;
    stats_due = false;

    status_txn_finish(ovsdb_idl_txn_commit(status_txn));
}

/* ------------------------------------------------------------------ */
/* Main loop. */

void
bridge_run(void)
{
    static bool lock_warned;
    static bool force_reconfigure = true;

    netdev_run();
    ovsdb_idl_run(idl);

    if (ovsdb_idl_is_lock_contended(idl)) {
        if (!lock_warned) {
            VLOG_ERR("another plx-vswitchd (or ovs-vswitchd) holds the "
                     "database lock; disabling this one until it goes "
                     "away");
            lock_warned = true;
        }
        struct bridge *br;
        HMAP_FOR_EACH_SAFE (br, node, &all_bridges) {
            bridge_destroy(br);
        }
        force_reconfigure = true;
    } else if (ovsdb_idl_has_lock(idl)) {
        lock_warned = false;
        unsigned int seqno = ovsdb_idl_get_seqno(idl);
        if ((seqno != idl_seqno || force_reconfigure)
            && ovsdb_idl_is_connected(idl)) {
            force_reconfigure = false;
            idl_seqno = seqno;
            bridge_reconfigure(vswitchrec_open_vswitch_first(idl));
        }
    }

    struct bridge *br;
    HMAP_FOR_EACH (br, node, &all_bridges) {
        ofproto_run(br->ofproto);
        bridge_netmode_run(br->netmode);
        if (br->cfg->n_controller
            && bridge_ofp_status_hash(br->ofproto)
               != br->controller_status_hash) {
            status_dirty = true;
        }
    }
    dpif_run(dpif);

    /* Device changes (carrier, MTU, MAC, flags) go to the database at
     * once; statistics on their own schedule. */
    struct iface *iface;
    HMAP_FOR_EACH (iface, node, &all_ifaces) {
        if (iface->netdev) {
            uint64_t seq = netdev_get_change_seq(iface->netdev);
            if (seq != iface->change_seq) {
                iface->change_seq = seq;
                status_dirty = true;
            }
        }
    }
    if (time_msec() >= next_stats_ms) {
        next_stats_ms = time_msec() + stats_interval;
        stats_due = true;
        status_dirty = true;
    }
    if (vm_supervisor_run()) {
        status_dirty = true;
    }
    status_run();
}

void
bridge_wait(void)
{
    struct bridge *br;

    netdev_wait();
    ovsdb_idl_wait(idl);
    if (status_txn) {
        ovsdb_idl_txn_wait(status_txn);
    }
    HMAP_FOR_EACH (br, node, &all_bridges) {
        ofproto_wait(br->ofproto);
        bridge_netmode_wait(br->netmode);
    }
    dpif_wait(dpif);
    vm_supervisor_wait();
    poll_timer_wait_until(next_stats_ms);
}

/* ------------------------------------------------------------------ */
/* Reports. */

void
bridge_format_memory(struct ds *s)
{
    size_t n_ports = 0, n_failed = 0;
    struct bridge *br;
    struct iface *iface;

    HMAP_FOR_EACH (br, node, &all_bridges) {
        n_ports += hmap_count(&br->ports);
    }
    HMAP_FOR_EACH (iface, node, &all_ifaces) {
        n_failed += !iface->netdev;
    }
    ds_put_format(s, "bridges:%zu ports:%zu interfaces:%zu "
                  "failed-interfaces:%zu megaflows:%zu\n",
                  hmap_count(&all_bridges), n_ports,
                  hmap_count(&all_ifaces), n_failed,
                  dpif ? dpif_flow_count(dpif) : 0);
    HMAP_FOR_EACH (br, node, &all_bridges) {
        ds_put_format(s, "%s: ", br->name);
        ofproto_format_memory(br->ofproto, s);
        ds_put_char(s, '\n');
    }
}
