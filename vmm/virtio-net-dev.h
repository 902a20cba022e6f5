/*
 * vmm/virtio-net-dev.h: a virtio-net device whose data plane is a
 * vhost-user backend (a Plexus port, or Open vSwitch with DPDK).
 *
 * plx-vm never touches packets: the device is a PCI function on the
 * virtio-pci transport (virtio-pci.h) plus a vhost-user frontend
 * (vhost/vhost-user-frontend.h).  Guest memory is shared with the
 * backend as the platform's RAM regions; when the guest driver sets
 * DRIVER_OK the device hands the backend the two rings of its one queue
 * pair (ring addresses translated from guest-physical to plx-vm virtual
 * addresses through the region table), the transport's kick eventfds
 * (the ioeventfds of the notify addresses) and call eventfds (bound to
 * MSI-X irqfds or relayed to INTx by the transport; -1, "no
 * interrupts", for a queue the driver gave NO_VECTOR), as
 * vhost_user_frontend_setup_net() does it.  From then on the guest and
 * the backend talk through the rings and the eventfds without plx-vm.
 *
 * Features.  Offered to the guest: VERSION_1, MAC and STATUS, which
 * plx-vm implements itself; MTU if an MTU was configured and the backend
 * offers it; and whichever of CSUM, GUEST_CSUM, MRG_RXBUF, HOST_TSO4/6,
 * GUEST_TSO4/6, HOST_UFO, GUEST_UFO, EVENT_IDX, RING_PACKED and
 * INDIRECT_DESC the backend offers.  There is no control queue, hence
 * no CTRL_VQ and no MQ: one queue pair (queues=N > 1 is refused).  The
 * backend must offer VERSION_1 (the header layout depends on it).
 *
 * Configuration space: mac, status (LINK_UP while the backend is
 * connected), max_virtqueue_pairs (1) and mtu.
 *
 * Reset.  Writing 0 to device_status (or disabling a queue) stops the
 * backend's rings with GET_VRING_BASE, then, if the backend negotiated
 * VHOST_USER_PROTOCOL_F_RESET_DEVICE, sends RESET_DEVICE; the next
 * DRIVER_OK sets everything up again from scratch.  RESET_OWNER is never
 * sent (DPDK tears the device down on it).
 *
 * Backend loss.  The VMM's main loop polls the socket
 * (virtio_net_dev_wait(), or virtio_net_dev_get_fd()) and calls
 * virtio_net_dev_run() when it is readable.  End of file, a socket error
 * or unsolicited bytes (which the protocol never sends on this channel)
 * close the connection: the link goes down, the guest gets a
 * config-change interrupt, an error is logged.  A failed request while
 * the guest starts or resets the device does the same when it broke the
 * connection.  There is no reconnection: the device stays link-down
 * until the VM ends.
 *
 * Threading: the device's state is under its transport's lock (see
 * virtio-pci.h).  Requests to the backend block (up to the frontend's
 * timeout, 5 s) in the thread that caused them: the vCPU that wrote
 * DRIVER_OK or the reset.
 */
#ifndef VMM_VIRTIO_NET_DEV_H
#define VMM_VIRTIO_NET_DEV_H 1

#include <stdbool.h>
#include <stdint.h>

struct pci_bus;
struct virtio_pci;
struct vmm_platform;

#define VIRTIO_NET_DEV_CONFIG_SIZE 12
#define VIRTIO_NET_S_LINK_UP 1

struct virtio_net_dev_options {
    const char *name;           /* For logs; NULL: "net". */

    /* The backend: a connected vhost-user socket that the device takes
     * over (>= 0), or else the path of a socket to connect to or, with
     * 'server', to listen on for one backend (the socket file is
     * removed once it connected).  'timeout_ms' bounds the wait (0:
     * 5 s). */
    int fd;
    const char *path;
    bool server;
    int timeout_ms;

    bool has_mac;               /* Else a random locally administered. */
    uint8_t mac[6];
    int n_qp;                   /* 0 or 1. */
    uint16_t mtu;               /* 0: none. */
    uint16_t queue_size;        /* Maximum ring size; 0: 1024. */
};

/* Connects to the backend, negotiates what it offers and adds the PCI
 * function to BUS.  Returns the device, or NULL with a malloc'd message
 * in *ERRP.  OPTS->fd is the device's (closed on failure too). */
struct virtio_net_dev *virtio_net_dev_create(
    struct vmm_platform *, struct pci_bus *,
    const struct virtio_net_dev_options *, char **errp);
/* Removes the function and closes the connection (no messages sent). */
void virtio_net_dev_destroy(struct virtio_net_dev *);

/* Main loop.  run() relays queue interrupts that need the VMM (see
 * virtio_pci_run()) and handles the backend socket; wait() registers
 * the fds both need with poll_fd_wait(). */
void virtio_net_dev_run(struct virtio_net_dev *);
void virtio_net_dev_wait(struct virtio_net_dev *);
/* The backend socket to poll for POLLIN, or -1 once it is gone. */
int virtio_net_dev_get_fd(struct virtio_net_dev *);

bool virtio_net_dev_is_link_up(struct virtio_net_dev *);
void virtio_net_dev_get_mac(const struct virtio_net_dev *, uint8_t mac[6]);
/* The features offered to the guest. */
uint64_t virtio_net_dev_get_offered_features(const struct virtio_net_dev *);
struct virtio_pci *virtio_net_dev_get_transport(struct virtio_net_dev *);

#endif /* vmm/virtio-net-dev.h */
