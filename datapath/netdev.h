/*
 * netdev: network devices, the datapath's ports.
 *
 * A struct netdev is one network device that the datapath receives
 * packets from and sends packets to.  What it is underneath is decided by
 * its type, which names a provider: a struct netdev_class, a table of
 * function pointers implemented once per file, as in Open vSwitch's
 * lib/netdev-provider.h:
 *
 *     "system"    an existing Linux interface (a veth end, a NIC), via an
 *                 AF_PACKET socket with a memory-mapped rx ring
 *                 (netdev-linux.c)
 *     "internal"  a tap device that the switch creates, so that the host
 *                 can address the bridge (netdev-linux.c)
 *     "tap"       an existing or created tap device (netdev-linux.c)
 *     "pcap"      receives packets from a pcap file, appends sent packets
 *                 to one (netdev-pcap.c)
 *     "dummy"     in-memory queues, for tests (netdev-dummy.c)
 *     "dpdkvhostuser", "dpdkvhostuserclient"
 *                 vhost-user ports for VMs, as Open vSwitch names them
 *                 (netdev-vhost.c over vhost/)
 *     "vm"        a vhost-user port wired to a plx-vm process through a
 *                 socket pair (netdev_vhost_vm_connect(), netdev-vhost.c)
 *     "dpdk"      a DPDK ethdev named by options:dpdk-devargs: a NIC
 *                 bound to a DPDK driver or a virtual device (net_tap,
 *                 net_af_packet, net_pcap, net_null, ...), polled only
 *                 (netdev-dpdk.c over datapath/dpdk.h); only in builds
 *                 with DPDK
 *
 * Link state, MTU, MAC and statistics of Linux devices are read and set
 * through rtnetlink with libnl3 (netdev-linux-nl.c).
 *
 * Names and references.  A device name is unique across all types: the
 * first netdev_open() of a name creates the device, later opens of the
 * same name with the same type return the same object with its reference
 * count raised, and an open of the same name with another type fails
 * with EEXIST.  netdev_close() drops a reference; the last one destroys
 * the device (a created tap disappears from the host).
 *
 * Packets move in batches (struct dp_packet_batch, up to NETDEV_MAX_BURST
 * packets).  netdev_rxq_recv() never blocks: it returns what is ready,
 * or EAGAIN; netdev_rxq_wait() arranges for the poll loop to wake when
 * more may be ready.  netdev_send() never blocks either: a packet the
 * device cannot take at once is dropped and counted.
 *
 * Threads.  Opening, closing, configuring, reading or changing MAC, MTU,
 * flags, carrier and statistics, netdev_run() and netdev_wait() are for
 * the main thread only.  A PMD thread may, concurrently with the main
 * thread and with other PMD threads:
 *   - call netdev_rxq_recv() and netdev_rxq_wait() on an rx queue that it
 *     alone polls (each queue is polled by one thread at a time);
 *   - call netdev_send() and netdev_send_wait() with a 'qid' that it alone
 *     uses (each tx queue id is used by one thread at a time);
 *   - read netdev_get_change_seq(), netdev_get_name(), netdev_n_rxq().
 * The caller keeps the netdev and its rx queues open while any thread can
 * still use them (the datapath quiesces its PMD threads, e.g. with RCU,
 * before closing a port).
 *
 * Change notification.  netdev_get_change_seq() returns a number that
 * changes whenever anything observable about the device may have changed
 * (carrier, MTU, MAC, flags, configuration, the device vanishing).  A
 * caller remembers the value, and re-reads the device's state when it
 * differs.  Linux devices learn of kernel changes through an rtnetlink
 * socket that netdev_run() drains and netdev_wait() waits on.
 *
 * Errors are positive errno values.  netdev_open() of an interface that
 * does not exist fails with ENODEV; an unknown type with EAFNOSUPPORT.
 * netdev_open_error_string() turns that into the text shown in the
 * Interface table's 'error' column.
 */
#ifndef PLX_NETDEV_H
#define PLX_NETDEV_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dp-packet.h"
#include "hmap.h"
#include "packets.h"
#include "types.h"
#include "util.h"

struct smap;
struct netdev;
struct netdev_rxq;

/* Administrative flags (netdev_update_flags()). */
enum netdev_flags {
    NETDEV_UP = 1 << 0,         /* Device is administratively up. */
    NETDEV_PROMISC = 1 << 1,    /* Receives every packet on the wire. */
};

/* Counters from the switch's point of view: 'rx' is what the switch
 * received from the device, 'tx' what it sent through the device. */
struct netdev_stats {
    uint64_t rx_packets;
    uint64_t tx_packets;
    uint64_t rx_bytes;
    uint64_t tx_bytes;
    uint64_t rx_errors;
    uint64_t tx_errors;
    uint64_t rx_dropped;
    uint64_t tx_dropped;
};

/* Opening and closing. */
int netdev_open(const char *name, const char *type, struct netdev **)
    PLX_WARN_UNUSED_RESULT;
struct netdev *netdev_ref(struct netdev *);
void netdev_close(struct netdev *);
char *netdev_open_error_string(const char *name, const char *type,
                               int error);
bool netdev_is_type_registered(const char *type);

const char *netdev_get_name(const struct netdev *);
const char *netdev_get_type(const struct netdev *);

/* Configuration: the Interface's 'options' column.  Returns 0, or an
 * errno value with a malloc'd message in *ERRP (if ERRP is nonnull). */
int netdev_set_config(struct netdev *, const struct smap *options,
                      char **errp);

/* Receiving. */
int netdev_n_rxq(const struct netdev *);
int netdev_rxq_open(struct netdev *, int queue_id, struct netdev_rxq **)
    PLX_WARN_UNUSED_RESULT;
void netdev_rxq_close(struct netdev_rxq *);
struct netdev *netdev_rxq_get_netdev(const struct netdev_rxq *);
int netdev_rxq_get_queue_id(const struct netdev_rxq *);
/* Initializes BATCH and fills it with up to NETDEV_MAX_BURST received
 * packets, which the caller owns.  Returns 0 if at least one packet was
 * received, EAGAIN if none was ready, or another errno value. */
int netdev_rxq_recv(struct netdev_rxq *, struct dp_packet_batch *);
/* Arranges for the poll loop to wake when RXQ may have packets and returns
 * true, or returns false if RXQ's provider cannot wake a poll (a polled-
 * only device such as a DPDK port): the caller must then poll it again on
 * a timer of its own. */
bool netdev_rxq_wait(struct netdev_rxq *);

/* Sending.  Sends every packet of BATCH on tx queue QID (any value: a
 * device with fewer tx queues maps it onto one).  If MAY_STEAL, the
 * packets are freed and BATCH emptied; otherwise the caller still owns
 * them.  Returns 0 if every packet was sent, otherwise the errno value of
 * the first failure (the failed packets are counted as tx drops). */
int netdev_send(struct netdev *, int qid, struct dp_packet_batch *,
                bool may_steal);
void netdev_send_wait(struct netdev *, int qid);

/* Device properties. */
int netdev_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_set_etheraddr(struct netdev *, struct eth_addr);
int netdev_get_mtu(const struct netdev *, int *mtup);
int netdev_set_mtu(struct netdev *, int mtu);
int netdev_get_carrier(const struct netdev *, bool *carrierp);
int netdev_get_stats(const struct netdev *, struct netdev_stats *);
/* Returns the kernel ifindex (positive) or a negative errno value. */
int netdev_get_ifindex(const struct netdev *);
/* Clears OFF and sets ON in the device's flags, storing the flags from
 * before in *OLD_FLAGS if it is nonnull. */
int netdev_update_flags(struct netdev *, enum netdev_flags off,
                        enum netdev_flags on, enum netdev_flags *old_flags);
int netdev_get_flags(const struct netdev *, enum netdev_flags *);

/* Reconfiguration that needs the device stopped.  When
 * netdev_reconf_required() is true, a change accepted by
 * netdev_set_config() or netdev_set_mtu() is pending: the caller removes
 * the device from its datapath, calls netdev_reconfigure() (which
 * returns 0 or an errno value with a malloc'd message in *ERRP, if ERRP
 * is nonnull), and adds it again.  Devices that apply every change at
 * once are never "required". */
bool netdev_reconf_required(const struct netdev *);
int netdev_reconfigure(struct netdev *, char **errp);

/* Adds the device's status (driver name, queue counts...: the Interface
 * table's 'status' column) to STATUS.  EOPNOTSUPP if it has none. */
int netdev_get_status(const struct netdev *, struct smap *status);

uint64_t netdev_get_change_seq(const struct netdev *);

/* Main loop integration: processes kernel notifications. */
void netdev_run(void);
void netdev_wait(void);

/* ------------------------------------------------------------------ */
/* The provider interface.
 *
 * A provider allocates its own device struct with a struct netdev as
 * its first member ('up'), and likewise for rx queues.  The core
 * (netdev.c) fills in the common members before calling 'construct' and
 * owns reference counting and the name table; a provider never frees a
 * device except in 'dealloc'.
 *
 * Optional functions may be NULL: the core then returns EOPNOTSUPP (or
 * does nothing, for the wait functions).  'send' never takes ownership of
 * the packets; the core frees them afterwards if the caller allowed it.
 */
struct netdev {
    char *name;                         /* Owned. */
    const struct netdev_class *netdev_class;
    int ref_cnt;                        /* Main thread only. */
    int n_rxq;                          /* Set by 'construct'; >= 1. */
    int n_txq;                          /* Set by 'construct'; >= 1. */
    uint64_t change_seq;                /* Atomic; see netdev_changed(). */
    struct hmap_node node;              /* In netdev.c's name table. */
};

struct netdev_rxq {
    struct netdev *netdev;
    int queue_id;
};

struct netdev_class {
    const char *type;

    /* Called once, when the class is registered.  May be NULL. */
    int (*init)(void);
    /* Periodic work and its wait, in the main thread.  May be NULL. */
    void (*run)(const struct netdev_class *);
    void (*wait)(const struct netdev_class *);

    struct netdev *(*alloc)(void);
    /* Returns 0 or an errno value (then 'dealloc' follows at once). */
    int (*construct)(struct netdev *);
    void (*destruct)(struct netdev *);
    void (*dealloc)(struct netdev *);

    int (*set_config)(struct netdev *, const struct smap *, char **errp);

    struct netdev_rxq *(*rxq_alloc)(void);
    int (*rxq_construct)(struct netdev_rxq *);
    void (*rxq_destruct)(struct netdev_rxq *);
    void (*rxq_dealloc)(struct netdev_rxq *);
    int (*rxq_recv)(struct netdev_rxq *, struct dp_packet_batch *);
    /* Returns false, having arranged nothing, if this queue cannot wake a
     * poll; NULL means no queue of the class can. */
    bool (*rxq_wait)(struct netdev_rxq *);

    int (*send)(struct netdev *, int qid, struct dp_packet_batch *);
    /* Like 'send', but owns the packets: sends or frees every one of
     * them, so that a device can hand buffers it can use as they are (a
     * DPDK port, another port's mbufs) to its hardware without a copy.
     * Called instead of 'send' when the caller allows stealing.  May be
     * NULL. */
    int (*send_steal)(struct netdev *, int qid, struct dp_packet_batch *);
    void (*send_wait)(struct netdev *, int qid);

    /* Devices that must be stopped to apply some changes (a DPDK port's
     * queue count, descriptors, or an MTU its buffers cannot hold)
     * accept them in 'set_config' and 'set_mtu' as requests, report them
     * here, and apply them in 'reconfigure', which the caller calls only
     * while the device is in no datapath.  Both may be NULL. */
    bool (*reconf_required)(const struct netdev *);
    int (*reconfigure)(struct netdev *, char **errp);

    int (*get_etheraddr)(const struct netdev *, struct eth_addr *);
    int (*set_etheraddr)(struct netdev *, struct eth_addr);
    int (*get_mtu)(const struct netdev *, int *);
    int (*set_mtu)(struct netdev *, int);
    int (*get_carrier)(const struct netdev *, bool *);
    int (*get_stats)(const struct netdev *, struct netdev_stats *);
    int (*get_ifindex)(const struct netdev *);
    /* Adds what the Interface's 'status' column should say (driver,
     * queues...) to the map.  May be NULL. */
    int (*get_status)(const struct netdev *, struct smap *);
    int (*update_flags)(struct netdev *, enum netdev_flags off,
                        enum netdev_flags on, enum netdev_flags *old);
};

int netdev_register_provider(const struct netdev_class *);
/* Bumps NETDEV's change sequence number (any thread). */
void netdev_changed(struct netdev *);

extern const struct netdev_class netdev_linux_class;
extern const struct netdev_class netdev_internal_class;
extern const struct netdev_class netdev_tap_class;
extern const struct netdev_class netdev_pcap_class;
extern const struct netdev_class netdev_dummy_class;
extern const struct netdev_class netdev_vhost_server_class;
extern const struct netdev_class netdev_vhost_client_class;
extern const struct netdev_class netdev_vhost_vm_class;
#ifdef HAVE_DPDK
extern const struct netdev_class netdev_dpdk_class;
#endif

/* For a netdev of type "vm": creates a connected socket pair, makes one
 * end the port's only vhost-user connection (closing any previous one)
 * and stores the other, close-on-exec, in *PEER_FDP for the frontend
 * (plx-vm).  Returns 0 or an errno value (EINVAL: not a "vm" netdev), in
 * which case *PEER_FDP is -1. */
int netdev_vhost_vm_connect(struct netdev *, int *peer_fdp);

#endif /* netdev.h */
