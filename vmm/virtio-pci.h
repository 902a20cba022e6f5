/*
 * vmm/virtio-pci.h: the virtio 1.x ("modern") PCI transport.
 *
 * A struct virtio_pci is one PCI function (vendor 0x1af4, device
 * 0x1040 + virtio device type, revision 1, subsystem 0x1af4:0x1100)
 * whose registers all live in one 32 KiB memory BAR, BAR 4:
 *
 *   0x0000  common configuration (virtio_pci_common_cfg, 0x38 bytes)
 *   0x1000  ISR status (1 byte, read clears)
 *   0x2000  device-specific configuration (the device model's bytes)
 *   0x3000  notifications: queue N at 0x3000 + 4 * N
 *           (queue_notify_off = N, notify_off_multiplier = 4)
 *   0x4000  MSI-X table (one vector per queue plus one for config)
 *   0x5000  MSI-X pending bit array
 *
 * described by vendor capabilities COMMON_CFG, NOTIFY_CFG, ISR_CFG and
 * DEVICE_CFG and an MSI-X capability.  No legacy interface, no PCI_CFG
 * capability.  VIRTIO_F_VERSION_1 is always offered and required,
 * VIRTIO_F_ACCESS_PLATFORM never.
 *
 * Register rules (the guest is hostile; nothing it does crashes or
 * leaks): each common-configuration field is accessed with its own
 * width (the 64-bit ones also as two dwords); other accesses read 0 and
 * are ignored.  device_status: 0 resets the device; bits only
 * accumulate otherwise; FEATURES_OK sticks only if the driver accepted
 * VERSION_1 and nothing that was not offered; DRIVER_OK only after
 * FEATURES_OK, and then the device model's start() runs (its failure
 * sets DEVICE_NEEDS_RESET and raises a config interrupt).  A queue's
 * size must be 1..max (a power of two unless RING_PACKED was accepted);
 * queue_enable = 1 checks that the size and the three ring areas are
 * aligned and inside guest RAM and is otherwise ignored; while a queue
 * is enabled its size and addresses are read-only; queue_enable = 0 on
 * an enabled queue stops it (queue_disable()).  MSI-X vectors beyond
 * the table read back as NO_VECTOR (0xffff).
 *
 * Notifications ("kicks").  Each queue has an eventfd, its kick fd,
 * which the transport owns and the device model hands to whoever
 * consumes the queue (a vhost-user backend).  While the BAR is mapped,
 * each queue's notify address is an ioeventfd (MMIO, any length) on
 * that fd, moved when the guest moves the BAR; a notify write that still
 * reaches the transport signals the fd itself.
 *
 * Interrupts.  Each queue also has a call eventfd, owned by the
 * transport, that the backend signals when it used buffers.
 *   - MSI-X enabled, function and the queue's vector unmasked: the fd is
 *     bound to the vector's message with the platform's msi_irqfd, so
 *     KVM injects without waking the VMM; rebound when the guest
 *     rewrites the table entry or the queue's vector.
 *   - Vector masked (entry or function mask): the irqfd is released and
 *     the VMM relays: virtio_pci_run() reads the fd and sets the
 *     vector's pending bit (visible in the PBA); unmasking delivers a
 *     pending vector with signal_msi.  A queue without a vector
 *     (NO_VECTOR) gets no interrupts.
 *   - MSI-X disabled (INTx): the VMM relays too: virtio_pci_run() reads
 *     the fd, sets ISR bit 0 and asserts INTA#; reading the ISR returns
 *     and clears it and deasserts the line.
 * So the main loop must poll the fds the transport currently relays
 * (virtio_pci_wait(), or virtio_pci_get_relay_fds()) and call
 * virtio_pci_run() when one is readable.  Config changes go out through
 * the config vector with signal_msi, or ISR bit 1 with INTx.
 *
 * Locking.  A recursive mutex guards the transport and, by convention,
 * the device model on top of it: register handlers take it, the device
 * model's callbacks run with it held, and every public function here
 * takes it itself.  A device model whose main-thread code touches state
 * shared with its callbacks takes it with virtio_pci_lock().  Platform
 * calls (msi_irqfd, signal_msi, set_irq, ioeventfd) happen under it, so
 * the platform must not wait, inside those, for its I/O dispatch lock
 * when called from a thread other than a vCPU's.
 */
#ifndef VMM_VIRTIO_PCI_H
#define VMM_VIRTIO_PCI_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pci_bus;
struct pci_dev;
struct vmm_platform;
struct virtio_pci;

#define VIRTIO_PCI_VENDOR_ID       0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE  0x1040
#define VIRTIO_PCI_MAX_QUEUES      64
#define VIRTIO_PCI_MAX_QUEUE_SIZE  32768
#define VIRTIO_PCI_NO_VECTOR       0xffff

/* The BAR. */
#define VIRTIO_PCI_BAR             4
#define VIRTIO_PCI_BAR_SIZE        0x8000
#define VIRTIO_PCI_COMMON_OFF      0x0000
#define VIRTIO_PCI_COMMON_LEN      0x38
#define VIRTIO_PCI_ISR_OFF         0x1000
#define VIRTIO_PCI_DEVICE_OFF      0x2000
#define VIRTIO_PCI_DEVICE_MAX      0x1000
#define VIRTIO_PCI_NOTIFY_OFF      0x3000
#define VIRTIO_PCI_NOTIFY_MULT     4
#define VIRTIO_PCI_MSIX_TABLE_OFF  0x4000
#define VIRTIO_PCI_MSIX_PBA_OFF    0x5000

/* Vendor capability types. */
#define VIRTIO_PCI_CAP_COMMON_CFG  1
#define VIRTIO_PCI_CAP_NOTIFY_CFG  2
#define VIRTIO_PCI_CAP_ISR_CFG     3
#define VIRTIO_PCI_CAP_DEVICE_CFG  4

/* Common configuration offsets. */
#define VIRTIO_PCI_COMMON_DFSELECT      0x00
#define VIRTIO_PCI_COMMON_DF            0x04
#define VIRTIO_PCI_COMMON_GFSELECT      0x08
#define VIRTIO_PCI_COMMON_GF            0x0c
#define VIRTIO_PCI_COMMON_MSIX          0x10
#define VIRTIO_PCI_COMMON_NUMQ          0x12
#define VIRTIO_PCI_COMMON_STATUS        0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT      0x16
#define VIRTIO_PCI_COMMON_Q_SIZE        0x18
#define VIRTIO_PCI_COMMON_Q_MSIX        0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE      0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF        0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO      0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI      0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO     0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI     0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO      0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI      0x34

/* device_status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE       0x01
#define VIRTIO_STATUS_DRIVER            0x02
#define VIRTIO_STATUS_DRIVER_OK         0x04
#define VIRTIO_STATUS_FEATURES_OK       0x08
#define VIRTIO_STATUS_NEEDS_RESET       0x40
#define VIRTIO_STATUS_FAILED            0x80

#define VIRTIO_PCI_ISR_QUEUE            0x1
#define VIRTIO_PCI_ISR_CONFIG           0x2

/* The device model's side.  Every callback runs with the transport's
 * lock held. */
struct virtio_pci_dev_ops {
    /* Fills CONFIG with the device-specific configuration
     * ('config_size' bytes). */
    void (*get_config)(void *aux, uint8_t *config);
    /* The driver set DRIVER_OK: the features are final and the enabled
     * queues are set up.  Returns 0 or an errno value. */
    int (*start)(void *aux);
    /* The driver reset the device after a successful start(): stop
     * using every queue. */
    void (*stop)(void *aux);
    /* Optional: the driver disabled queue Q after a successful
     * start(). */
    void (*queue_disable)(void *aux, int q);
};

struct virtio_pci_options {
    uint16_t device_type;       /* Virtio device id, e.g. 1 for net. */
    uint32_t class_code;        /* PCI class, e.g. 0x020000. */
    uint64_t features;          /* Offered; VERSION_1 is added. */
    int n_queues;               /* 1..VIRTIO_PCI_MAX_QUEUES. */
    uint16_t max_queue_size;    /* Power of two, at most 32768. */
    size_t config_size;         /* Up to VIRTIO_PCI_DEVICE_MAX. */
    const char *name;           /* For logs. */
};

/* Creates the function on BUS and maps its BAR.  Returns 0 with the
 * transport in *VPP, or an errno value (EINVAL for bad options, ENOSPC
 * if the bus is full, or the platform's error). */
int virtio_pci_create(struct pci_bus *, const struct virtio_pci_options *,
                      const struct virtio_pci_dev_ops *, void *aux,
                      struct virtio_pci **vpp);
/* Removes the function from the bus, releases every ioeventfd and irqfd
 * and closes the eventfds.  Does not call stop(). */
void virtio_pci_destroy(struct virtio_pci *);

void virtio_pci_lock(struct virtio_pci *);
void virtio_pci_unlock(struct virtio_pci *);

/* For the device model (normally from its callbacks). */
struct virtio_pci_queue {
    bool enabled;
    uint16_t size;
    uint64_t desc_gpa;
    uint64_t driver_gpa;        /* Split: avail ring. */
    uint64_t device_gpa;        /* Split: used ring. */
    int kick_fd;                /* Owned by the transport. */
    int call_fd;                /* Owned by the transport. */
    bool has_interrupt;         /* False: MSI-X on and NO_VECTOR. */
};
void virtio_pci_get_queue(struct virtio_pci *, int q,
                          struct virtio_pci_queue *);
uint64_t virtio_pci_get_driver_features(struct virtio_pci *);
uint8_t virtio_pci_get_status(struct virtio_pci *);
struct pci_dev *virtio_pci_get_pci_dev(struct virtio_pci *);
/* The device configuration changed: bumps config_generation and raises
 * the config interrupt. */
void virtio_pci_config_changed(struct virtio_pci *);
/* Sets DEVICE_NEEDS_RESET and raises the config interrupt. */
void virtio_pci_set_needs_reset(struct virtio_pci *);
/* Raises queue Q's interrupt from userspace, whatever the mode. */
void virtio_pci_queue_interrupt(struct virtio_pci *, int q);

/* Interrupt relaying for the VMM's main loop (see above).  run() reads
 * every relayed call fd and raises what was signalled; wait() registers
 * those fds with poll_fd_wait(); get_relay_fds() stores up to MAX of
 * them in FDS and returns how many there are (the set changes with the
 * guest's MSI-X programming, so ask again each iteration). */
void virtio_pci_run(struct virtio_pci *);
void virtio_pci_wait(struct virtio_pci *);
size_t virtio_pci_get_relay_fds(struct virtio_pci *, int *fds, size_t max);

#endif /* vmm/virtio-pci.h */
