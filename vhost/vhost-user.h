/*
 * vhost-user: the backend side of one vhost-user connection.
 *
 * A struct vhost_user_dev is the virtio-net device that one frontend
 * (QEMU, DPDK virtio-user, plx-vm) drives over one connected unix
 * socket.  The main thread feeds it the frontend's messages
 * (vhost_user_dev_run()); it keeps the negotiated features, the memory
 * table, the dirty log and up to 2 * VHOST_USER_MAX_QP virtqueues
 * (vring 2N is queue pair N's rx ring, device to guest; 2N + 1 its tx
 * ring), and answers as QEMU's vhost-user specification says.
 *
 * Ring life cycle, per the specification.  A ring starts when it gets
 * its kick (SET_VRING_KICK, with an fd or "none" for a polled ring),
 * provided its size, addresses and the memory table are known; it stops
 * on GET_VRING_BASE (which reports where it stopped), RESET_OWNER,
 * RESET_DEVICE or the end of the connection.  Once
 * VHOST_USER_F_PROTOCOL_FEATURES is negotiated a ring starts disabled
 * and moves packets only after SET_VRING_ENABLE; without it, it is
 * enabled at once.
 *
 * Datapath threads use the rings through vhost_user_dev_recv() and
 * vhost_user_dev_send() while the main thread handles messages.  Each
 * ring has a mutex: the datapath holds it across one batch, the main
 * thread holds it while it starts, stops or reconfigures that ring, and
 * holds every ring's mutex while it replaces the memory table or the
 * log, so a batch always sees one consistent memory table and unmapping
 * an old one is safe as soon as the swap is done.  The struct itself is
 * freed through RCU (vhost_user_dev_destroy()), so a datapath thread
 * that loaded a pointer to it before it was unpublished may still call
 * in: it finds every ring stopped.
 *
 * Bad input.  A message that does not decode ends the connection (the
 * stream cannot be trusted after it); a message that decodes but asks
 * for something impossible (a ring index past the queue count, a size
 * that is not a power of two, ring addresses outside the shared memory,
 * overlapping regions) is refused: the error is logged, kept for
 * vhost_user_dev_format(), and reported to the frontend by REPLY_ACK
 * when it asked for an ack.  A ring found broken by the engine
 * (virtqueue.h) stops moving packets and its error fd, if any, is
 * signalled; the rest of the device and the switch go on.
 */
#ifndef PLX_VHOST_USER_H
#define PLX_VHOST_USER_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dp-packet.h"

struct ds;
struct vhost_user_dev;

#define VHOST_USER_MAX_QP 8     /* Queue pairs offered (GET_QUEUE_NUM). */

/* Takes over FD, a connected unix stream socket.  NAME is for logs. */
struct vhost_user_dev *vhost_user_dev_create(int fd, const char *name);
/* Stops every ring, closes the socket and every fd, unmaps the memory,
 * and frees DEV after an RCU grace period. */
void vhost_user_dev_destroy(struct vhost_user_dev *);

/* Handles every message that has arrived.  Returns 0 while the
 * connection lives, or EOF (the frontend closed) or an errno value (a
 * fatal protocol or socket error, logged): then the caller destroys the
 * device. */
int vhost_user_dev_run(struct vhost_user_dev *);
void vhost_user_dev_wait(const struct vhost_user_dev *);

/* The number of queue pairs whose rx ring is started and enabled (the
 * ones packets can be sent to), and whether queue pair QP's tx ring is
 * started and enabled (packets can be received from it). */
int vhost_user_dev_n_rx_ready(const struct vhost_user_dev *);
bool vhost_user_dev_tx_ready(const struct vhost_user_dev *, int qp);
/* Changes whenever a ring starts, stops, is enabled or disabled. */
uint64_t vhost_user_dev_get_seq(const struct vhost_user_dev *);
/* Negotiated MTU (NET_SET_MTU), or 0. */
int vhost_user_dev_get_mtu(const struct vhost_user_dev *);

/* Datapath (any thread; one thread per QP at a time for recv).  Moves
 * packets from queue pair QP's tx ring into BATCH (which must be
 * initialized); returns the number added. */
size_t vhost_user_dev_recv(struct vhost_user_dev *, int qp,
                           struct dp_packet_batch *);
/* Copies BATCH's packets into the rx ring of queue pair
 * QID % vhost_user_dev_n_rx_ready(); returns how many the guest took.
 * The caller keeps the packets. */
size_t vhost_user_dev_send(struct vhost_user_dev *, int qid,
                           struct dp_packet_batch *);
/* Before a datapath thread sleeps: re-enables kicks on QP's tx ring and
 * arranges for poll_block() to wake when the guest kicks (or at once if
 * packets are waiting).  Returns false if the ring is polled without a
 * kick fd (the caller must poll it on a timer). */
bool vhost_user_dev_recv_wait(struct vhost_user_dev *, int qp);

/* A RARP the frontend asked the backend to announce (SEND_RARP after a
 * migration), to be received from the port as if the guest sent it.
 * Returns NULL, or a packet the caller owns. */
struct dp_packet *vhost_user_dev_take_rarp(struct vhost_user_dev *);

/* Statistics summed over the device's rings (from the switch's point of
 * view: rx = from the guest). */
struct vhost_user_stats {
    uint64_t rx_packets, rx_bytes, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped;
};
void vhost_user_dev_get_stats(const struct vhost_user_dev *,
                              struct vhost_user_stats *);

/* The last error the frontend caused (a refused or undecodable
 * message), or NULL. */
const char *vhost_user_dev_get_last_error(const struct vhost_user_dev *);

/* Appends a human-readable description: features, protocol features,
 * memory regions, each ring's state and counters, the last error. */
void vhost_user_dev_format(const struct vhost_user_dev *, struct ds *);

#endif /* vhost-user.h */
