/*
 * vhost-user-msg: the messages of the vhost-user protocol, on the wire.
 *
 * The protocol (QEMU's docs/interop/vhost-user.rst) runs over a unix
 * stream socket: each message is a 12-byte header (request, flags, size,
 * all little-endian u32) and 'size' bytes of payload, with file
 * descriptors passed as SCM_RIGHTS ancillary data alongside the header.
 * This module turns bytes and fds into a validated struct vhost_user_msg
 * and back, for both sides (the backend in vhost-user.c, the frontend in
 * vhost-user-frontend.c); it knows nothing of devices.
 *
 * Validation is complete before anyone sees a message: the version bits
 * of 'flags', a payload size that matches what the request carries (an
 * exact size for fixed payloads; for SET_MEM_TABLE the region count
 * within 1..VHOST_MEM_MAX_REGIONS and the size that count implies; for
 * GET/SET_CONFIG the size field within the payload), and the number of
 * fds the request takes (SET_MEM_TABLE one per region; SET_LOG_BASE and
 * SET_LOG_FD one; SET_VRING_KICK/CALL/ERR one unless bit 8 of the
 * payload says "no fd"; all others none).  A message that fails is
 * refused with EPROTO and a message that says why; its fds are closed.
 * Requests this module does not know are passed through as
 * VHOST_USER_MSG_UNKNOWN-checked raw payloads of at most
 * VHOST_USER_MAX_PAYLOAD bytes, so that the backend can answer them
 * with an error instead of dropping the connection.
 *
 * Reading is nonblocking and buffered (struct vhost_user_reader): a
 * frontend that sends half a message and stalls costs the switch
 * nothing but a buffer.  Fds received before their message is complete
 * are kept with it.  Writing uses one sendmsg() per message.
 */
#ifndef PLX_VHOST_USER_MSG_H
#define PLX_VHOST_USER_MSG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost-mem.h"

enum vhost_user_request {
    VHOST_USER_NONE = 0,
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_RESET_OWNER = 4,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_LOG_BASE = 6,
    VHOST_USER_SET_LOG_FD = 7,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_GET_VRING_BASE = 11,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_SET_VRING_ERR = 14,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_GET_QUEUE_NUM = 17,
    VHOST_USER_SET_VRING_ENABLE = 18,
    VHOST_USER_SEND_RARP = 19,
    VHOST_USER_NET_SET_MTU = 20,
    VHOST_USER_SET_BACKEND_REQ_FD = 21,
    VHOST_USER_IOTLB_MSG = 22,
    VHOST_USER_SET_VRING_ENDIAN = 23,
    VHOST_USER_GET_CONFIG = 24,
    VHOST_USER_SET_CONFIG = 25,
    VHOST_USER_RESET_DEVICE = 34,
    VHOST_USER_GET_MAX_MEM_SLOTS = 36,
    VHOST_USER_SET_STATUS = 39,
    VHOST_USER_GET_STATUS = 40,
};

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
#define VHOST_USER_PROTOCOL_F_MQ              0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD       1
#define VHOST_USER_PROTOCOL_F_RARP            2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK       3
#define VHOST_USER_PROTOCOL_F_MTU             4
#define VHOST_USER_PROTOCOL_F_BACKEND_REQ     5
#define VHOST_USER_PROTOCOL_F_CONFIG          9
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE   13
#define VHOST_USER_PROTOCOL_F_STATUS         16

/* Header flags. */
#define VHOST_USER_VERSION      0x1
#define VHOST_USER_VERSION_MASK 0x3
#define VHOST_USER_REPLY        0x4
#define VHOST_USER_NEED_REPLY   0x8

#define VHOST_USER_HDR_SIZE 12
#define VHOST_USER_MAX_FDS 8
#define VHOST_USER_MAX_PAYLOAD 4096
#define VHOST_USER_CONFIG_MAX 256

/* SET_VRING_KICK/CALL/ERR payload: queue index and "no fd" flag. */
#define VHOST_USER_VRING_IDX_MASK 0xff
#define VHOST_USER_VRING_NOFD (1u << 8)

/* SET_VRING_ADDR flags. */
#define VHOST_VRING_F_LOG 0

struct vhost_vring_state {
    uint32_t index;
    uint32_t num;
};

struct vhost_vring_addr {
    uint32_t index;
    uint32_t flags;
    uint64_t desc_user_addr;
    uint64_t used_user_addr;
    uint64_t avail_user_addr;
    uint64_t log_guest_addr;
};

struct vhost_user_log {
    uint64_t mmap_size;
    uint64_t mmap_offset;
};

struct vhost_user_config {
    uint32_t offset;
    uint32_t size;
    uint32_t flags;
    uint8_t region[VHOST_USER_CONFIG_MAX];
};

/* A decoded message, in host byte order.  Which member of 'u' is valid
 * follows from 'request' (and the REPLY flag: replies to GET_* carry a
 * u64 or a vring_state).  The fds are owned by the message:
 * vhost_user_msg_close_fds() closes any that the receiver did not take
 * (a taker sets the slot to -1). */
struct vhost_user_msg {
    uint32_t request;
    uint32_t flags;
    uint32_t size;              /* Payload bytes on the wire. */
    union {
        uint64_t u64;
        struct vhost_vring_state state;
        struct vhost_vring_addr addr;
        struct {
            uint32_t n_regions;
            struct vhost_mem_region_desc regions[VHOST_MEM_MAX_REGIONS];
        } mem;
        struct vhost_user_log log;
        struct vhost_user_config config;
        uint8_t raw[VHOST_USER_MAX_PAYLOAD];
    } u;
    int fds[VHOST_USER_MAX_FDS];
    size_t n_fds;
};

const char *vhost_user_request_name(uint32_t request);

/* Initializes MSG as a request (or, if REPLY, a reply) with no payload
 * and no fds. */
void vhost_user_msg_init(struct vhost_user_msg *, uint32_t request,
                         bool reply);
/* Setters that also set 'size'. */
void vhost_user_msg_set_u64(struct vhost_user_msg *, uint64_t);
void vhost_user_msg_set_state(struct vhost_user_msg *, uint32_t index,
                              uint32_t num);
void vhost_user_msg_set_addr(struct vhost_user_msg *,
                             const struct vhost_vring_addr *);
/* N must be at most VHOST_MEM_MAX_REGIONS; the fds are the caller's to
 * put in 'fds' (one per region). */
void vhost_user_msg_set_mem_table(struct vhost_user_msg *,
                                  const struct vhost_mem_region_desc *,
                                  size_t n);
void vhost_user_msg_set_log(struct vhost_user_msg *, uint64_t mmap_size,
                            uint64_t mmap_offset);
/* SIZE must be at most VHOST_USER_CONFIG_MAX; DATA may be NULL (zeros,
 * as GET_CONFIG sends). */
void vhost_user_msg_set_config(struct vhost_user_msg *, uint32_t offset,
                               uint32_t size, uint32_t flags,
                               const void *data);
void vhost_user_msg_close_fds(struct vhost_user_msg *);

/* Decodes one complete message: the header and payload in BUF (LEN bytes
 * exactly, header included) and N_FDS fds in FDS, which it takes over
 * (closing them on error).  Returns 0 or EPROTO with a malloc'd message
 * in *ERRP.  IS_REPLY says which direction the bytes came from: the
 * backend decodes requests, the frontend replies. */
int vhost_user_msg_decode(const uint8_t *buf, size_t len, int *fds,
                          size_t n_fds, bool is_reply,
                          struct vhost_user_msg *, char **errp);
/* Encodes MSG's header and payload (not the fds) into BUF, which has
 * room for VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD bytes.  Returns
 * the length. */
size_t vhost_user_msg_encode(const struct vhost_user_msg *, uint8_t *buf);

/* Sends MSG and its fds on socket FD (blocking or not; a partial write
 * of a message this small is treated as an error).  Returns 0 or an
 * errno value.  Does not close MSG's fds. */
int vhost_user_msg_send(int fd, const struct vhost_user_msg *);

/* Sends the N bytes at BYTES as they are, with N_FDS fds (at most
 * VHOST_USER_SEND_MAX_FDS, the kernel's limit) in one sendmsg(): for
 * tests that need to send what vhost_user_msg_encode() would never
 * produce.  Returns 0 or an errno value (EIO for a partial write). */
#define VHOST_USER_SEND_MAX_FDS 253
int vhost_user_msg_send_raw(int fd, const void *bytes, size_t n,
                            const int *fds, size_t n_fds);

/* Buffered nonblocking reader for one socket. */
struct vhost_user_reader {
    uint8_t buf[VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD];
    size_t len;
    int fds[VHOST_USER_MAX_FDS];
    size_t n_fds;
};

void vhost_user_reader_init(struct vhost_user_reader *);
/* Closes buffered fds. */
void vhost_user_reader_destroy(struct vhost_user_reader *);
/* Reads from socket FD until one whole message is buffered, then
 * decodes it into MSG.  Returns 0 (a message), EAGAIN (not yet: call
 * again when FD is readable), EOF (the peer closed), EPROTO (bad
 * message: *ERRP says why; the stream cannot be resynchronized, so the
 * caller drops the connection) or another errno value.  A message with
 * more than VHOST_USER_MAX_FDS fds is EPROTO. */
int vhost_user_reader_recv(struct vhost_user_reader *, int fd, bool is_reply,
                           struct vhost_user_msg *, char **errp);

#endif /* vhost-user-msg.h */
