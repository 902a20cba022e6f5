/*
 * vhost-user-frontend: the vhost-user protocol from the frontend side.
 *
 * QEMU is the usual vhost-user frontend ("master"): it owns the guest's
 * memory and rings and tells a backend (Plexus, Open vSwitch with DPDK)
 * where they are.  This library is that side of the protocol, for
 * plx-vm, Plexus's own VMM, and for tests that drive the backend the way
 * QEMU does (or the way a hostile frontend would).
 *
 * A struct vhost_user_frontend is one connected unix stream socket to
 * one backend.  It is made by connecting to the backend's socket path
 * (vhost_user_frontend_connect(), which retries until the backend
 * listens or the timeout expires), from a socket already connected
 * (vhost_user_frontend_create()), or, for backends in client mode (Open
 * vSwitch's dpdkvhostuserclient, Plexus's vhost-user-client ports), by
 * listening on a path and accepting the backend's connection
 * (vhost_user_frontend_listen() then vhost_user_frontend_accept()).
 *
 * Every request is a blocking call with a timeout (5 s unless
 * vhost_user_frontend_set_timeout() says otherwise, covering the send
 * and the wait for the reply together) that returns 0 or an errno value:
 *
 *   ETIMEDOUT    the backend did not answer in time;
 *   ECONNRESET   the backend closed the connection (or EPIPE, from the
 *                send);
 *   EPROTO       the backend sent something that is not a valid reply
 *                to the request (vhost_user_frontend_get_error() says
 *                what);
 *   EREMOTEIO    the backend refused the request: a REPLY_ACK with a
 *                nonzero status, or a nonzero SET_LOG_BASE reply.
 *
 * The first three leave the stream in an unknown state (a late reply
 * would be taken for the answer to the next request), so they break the
 * connection: every later call fails at once with the same error.  A
 * refusal does not: the backend said no and is ready for more.
 *
 * Replies.  GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM,
 * GET_VRING_BASE and GET_CONFIG always have replies.  Once REPLY_ACK is
 * negotiated (SET_PROTOCOL_FEATURES with that bit sent successfully)
 * every other request is sent with NEED_REPLY and its ack is awaited and
 * checked, so that an error is reported by the call that caused it;
 * before that, set-type requests are fire-and-forget, as in QEMU.
 * SET_LOG_BASE waits for its own reply when LOG_SHMFD was negotiated,
 * without NEED_REPLY (QEMU does the same).  A reply must carry the
 * request it answers, else EPROTO.
 *
 * Fds passed in are sent (duplicated by the kernel) and stay the
 * caller's.  This module never creates guest memory or rings: the caller
 * does (plx-vm with memfd, tests with tests/unit/virtio-driver).
 *
 * Not thread-safe: one thread uses a frontend at a time.
 */
#ifndef PLX_VHOST_USER_FRONTEND_H
#define PLX_VHOST_USER_FRONTEND_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost-mem.h"
#include "vhost-user-msg.h"

struct vhost_user_frontend;

#define VHOST_USER_FRONTEND_TIMEOUT_MS 5000

/* Creating and destroying. */

/* Connects to the backend listening on PATH, retrying while nothing
 * listens there (ENOENT, ECONNREFUSED) until TIMEOUT_MS passes.  Returns
 * 0 with a new frontend in *FEP, or an errno value (ETIMEDOUT). */
int vhost_user_frontend_connect(const char *path, int timeout_ms,
                                struct vhost_user_frontend **fep);
/* Takes over FD, a connected unix stream socket (made nonblocking here).
 * NAME is for logs and messages. */
struct vhost_user_frontend *vhost_user_frontend_create(int fd,
                                                       const char *name);
/* Server mode: binds a listening socket to PATH (replacing a stale
 * socket file) and returns it in *LISTEN_FDP, or an errno value. */
int vhost_user_frontend_listen(const char *path, int *listen_fdp);
/* Accepts one backend on LISTEN_FD within TIMEOUT_MS.  The caller keeps
 * LISTEN_FD (and may close it and unlink the path afterwards). */
int vhost_user_frontend_accept(int listen_fd, int timeout_ms,
                               const char *name,
                               struct vhost_user_frontend **fep);
/* Closes the socket and frees FE (NULL is a no-op). */
void vhost_user_frontend_destroy(struct vhost_user_frontend *);

void vhost_user_frontend_set_timeout(struct vhost_user_frontend *,
                                     int timeout_ms);
int vhost_user_frontend_get_fd(const struct vhost_user_frontend *);
/* A message about the last failure, or NULL.  Owned by FE. */
const char *vhost_user_frontend_get_error(
    const struct vhost_user_frontend *);
/* What the backend offered (GET_FEATURES and GET_PROTOCOL_FEATURES) and
 * what was last set (SET_FEATURES, SET_PROTOCOL_FEATURES). */
uint64_t vhost_user_frontend_offered_features(
    const struct vhost_user_frontend *);
uint64_t vhost_user_frontend_acked_features(
    const struct vhost_user_frontend *);
uint64_t vhost_user_frontend_acked_protocol_features(
    const struct vhost_user_frontend *);
bool vhost_user_frontend_has_protocol_feature(
    const struct vhost_user_frontend *, int bit);

/* Requests, in the order a frontend usually sends them. */
int vhost_user_frontend_get_features(struct vhost_user_frontend *,
                                     uint64_t *features);
int vhost_user_frontend_set_features(struct vhost_user_frontend *,
                                     uint64_t features);
int vhost_user_frontend_get_protocol_features(struct vhost_user_frontend *,
                                              uint64_t *features);
/* Sends FEATURES as they are.  If they include REPLY_ACK, later
 * requests ask for acks. */
int vhost_user_frontend_set_protocol_features(struct vhost_user_frontend *,
                                              uint64_t features);
/* GET_PROTOCOL_FEATURES, then SET_PROTOCOL_FEATURES with what was
 * offered of WANTED plus REPLY_ACK (whenever offered).  Stores the
 * result in *NEGOTIATEDP if nonnull. */
int vhost_user_frontend_negotiate_protocol_features(
    struct vhost_user_frontend *, uint64_t wanted, uint64_t *negotiatedp);
int vhost_user_frontend_set_owner(struct vhost_user_frontend *);
int vhost_user_frontend_reset_owner(struct vhost_user_frontend *);
int vhost_user_frontend_reset_device(struct vhost_user_frontend *);
int vhost_user_frontend_get_queue_num(struct vhost_user_frontend *,
                                      uint64_t *n_qp);
int vhost_user_frontend_set_mem_table(
    struct vhost_user_frontend *, const struct vhost_mem_region_desc *,
    const int *fds, size_t n);
int vhost_user_frontend_set_log_base(struct vhost_user_frontend *, int fd,
                                     uint64_t mmap_size,
                                     uint64_t mmap_offset);
int vhost_user_frontend_set_vring_num(struct vhost_user_frontend *,
                                      uint32_t index, uint32_t num);
int vhost_user_frontend_set_vring_addr(struct vhost_user_frontend *,
                                       const struct vhost_vring_addr *);
int vhost_user_frontend_set_vring_base(struct vhost_user_frontend *,
                                       uint32_t index, uint32_t base);
/* Stops ring INDEX and stores where the backend stopped in *BASEP. */
int vhost_user_frontend_get_vring_base(struct vhost_user_frontend *,
                                       uint32_t index, uint32_t *basep);
/* FD -1 sends "no fd" (VHOST_USER_VRING_NOFD): a polled ring for KICK,
 * no interrupts for CALL, no error reports for ERR. */
int vhost_user_frontend_set_vring_kick(struct vhost_user_frontend *,
                                       uint32_t index, int fd);
int vhost_user_frontend_set_vring_call(struct vhost_user_frontend *,
                                       uint32_t index, int fd);
int vhost_user_frontend_set_vring_err(struct vhost_user_frontend *,
                                      uint32_t index, int fd);
int vhost_user_frontend_set_vring_enable(struct vhost_user_frontend *,
                                         uint32_t index, bool enable);
int vhost_user_frontend_net_set_mtu(struct vhost_user_frontend *,
                                    uint64_t mtu);
/* MAC is the guest's address, announced by the backend after migration. */
int vhost_user_frontend_send_rarp(struct vhost_user_frontend *,
                                  const uint8_t mac[6]);
/* Reads SIZE (<= VHOST_USER_CONFIG_MAX) bytes of the device's config
 * space at OFFSET into DATA.  Both need the CONFIG protocol feature
 * (else EOPNOTSUPP, nothing sent). */
int vhost_user_frontend_get_config(struct vhost_user_frontend *,
                                   uint32_t offset, uint32_t size,
                                   uint32_t flags, uint8_t *data);
int vhost_user_frontend_set_config(struct vhost_user_frontend *,
                                   uint32_t offset, uint32_t size,
                                   uint32_t flags, const uint8_t *data);

/* For tests.  Sends MSG exactly as it is (flags included, no NEED_REPLY
 * added) and, if REPLY is nonnull, waits for the backend's reply to the
 * same request and decodes it into REPLY (the caller closes any fds
 * with vhost_user_msg_close_fds(), though replies carry none). */
int vhost_user_frontend_transact(struct vhost_user_frontend *,
                                 const struct vhost_user_msg *msg,
                                 struct vhost_user_msg *reply);
/* Sends N arbitrary bytes with N_FDS fds (up to VHOST_USER_SEND_MAX_FDS)
 * in one sendmsg(). */
int vhost_user_frontend_send_raw(struct vhost_user_frontend *,
                                 const void *bytes, size_t n,
                                 const int *fds, size_t n_fds);
/* Waits for the next message from the backend, whatever it answers. */
int vhost_user_frontend_recv(struct vhost_user_frontend *,
                             struct vhost_user_msg *reply);

/* Starting a virtio-net device, as QEMU does at vhost_net_start().
 *
 * vhost_user_frontend_setup_net() sends, stopping at the first error:
 *
 *   1. GET_FEATURES.
 *   2. If the backend offers VHOST_USER_F_PROTOCOL_FEATURES:
 *      GET_PROTOCOL_FEATURES, then SET_PROTOCOL_FEATURES with the
 *      offered part of 'protocol_features' plus REPLY_ACK (when
 *      offered); from here on every set-type request is acked.
 *   3. If n_qp > 1: MQ must have been negotiated and GET_QUEUE_NUM must
 *      say at least n_qp (else EOPNOTSUPP).
 *   4. SET_OWNER.
 *   5. SET_FEATURES with the offered part of 'features', plus
 *      VHOST_USER_F_PROTOCOL_FEATURES if offered.  Features the caller
 *      requires ('required_features') but the backend lacks:
 *      EOPNOTSUPP before anything is set.
 *   6. NET_SET_MTU, if 'mtu' is nonzero and MTU was negotiated.
 *   7. SET_MEM_TABLE.
 *   8. For each ring i = 0 .. 2 * n_qp - 1 (2N is queue pair N's rx
 *      ring, 2N + 1 its tx ring): SET_VRING_NUM, SET_VRING_BASE,
 *      SET_VRING_ADDR, SET_VRING_KICK, SET_VRING_CALL.
 *   9. If VHOST_USER_F_PROTOCOL_FEATURES was negotiated: SET_VRING_ENABLE
 *      1 for each ring (without it, rings start enabled).
 *
 * The negotiated features are available afterwards from the getters
 * above.  The fds stay the caller's. */
struct vhost_user_net_ring {
    uint32_t num;                   /* Ring size. */
    uint32_t base;                  /* First avail index, usually 0. */
    uint64_t desc_user_addr;        /* Frontend virtual addresses. */
    uint64_t avail_user_addr;
    uint64_t used_user_addr;
    int kick_fd;                    /* -1: none (polled ring). */
    int call_fd;                    /* -1: none (no interrupts). */
};

struct vhost_user_net_setup {
    uint64_t features;              /* Virtio features wanted. */
    uint64_t required_features;     /* Subset of 'features' needed. */
    uint64_t protocol_features;     /* Wanted (REPLY_ACK is added). */
    int n_qp;                       /* Queue pairs, >= 1. */
    uint64_t mtu;                   /* 0: do not set. */

    const struct vhost_mem_region_desc *regions;
    const int *region_fds;
    size_t n_regions;

    const struct vhost_user_net_ring *rings;   /* 2 * n_qp of them. */
};

int vhost_user_frontend_setup_net(struct vhost_user_frontend *,
                                  const struct vhost_user_net_setup *);

#endif /* vhost-user-frontend.h */
