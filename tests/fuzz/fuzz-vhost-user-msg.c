/* Fuzz target for vhost-user message decoding and the buffered reader.
 *
 * Input: one control byte, then a byte stream as a frontend (or, with
 * bit 4 of the control byte, a backend sending replies) might write it.
 * The low 4 bits of the control byte are a number of fds (made with
 * eventfd and dup) that come with the first message; bits 5-7 choose how
 * the stream is cut into writes.
 *
 * 1. The stream is split into messages by their size fields and each is
 *    given to vhost_user_msg_decode() (the fds with the first).  A
 *    message that decodes must survive encode/decode unchanged.
 * 2. The same stream is written in chunks into a socketpair, the fds
 *    riding with the first chunk, and read back with the reader after
 *    each write, until it reports an error or the stream ends.
 *
 * Nothing may crash, leak memory or leak an fd: the number of open fds
 * is the same after each input as before it. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "util.h"
#include "vhost/vhost-user-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FUZZ_FDS 15

static int
count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    if (!dir) {
        abort();
    }
    while ((de = readdir(dir)) != NULL) {
        n += de->d_name[0] != '.';
    }
    closedir(dir);
    return n;
}

/* Creates N fds into FDS. */
static void
make_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fds[i] = i ? dup(fds[0]) : eventfd(0, EFD_CLOEXEC);
        if (fds[i] < 0) {
            abort();
        }
    }
}

static void
close_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        close(fds[i]);
    }
}

/* Checks that a decoded MSG encodes into something that decodes back to
 * the same encoding. */
static void
check_round_trip(const struct vhost_user_msg *msg, bool is_reply)
{
    static uint8_t buf1[VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD];
    static uint8_t buf2[VHOST_USER_HDR_SIZE + VHOST_USER_MAX_PAYLOAD];
    static struct vhost_user_msg again;
    int fds[VHOST_USER_MAX_FDS];
    size_t len1, len2;
    char *err = NULL;

    len1 = vhost_user_msg_encode(msg, buf1);
    make_fds(fds, msg->n_fds);
    if (vhost_user_msg_decode(buf1, len1, fds, msg->n_fds, is_reply, &again,
                              &err)) {
        abort();
    }
    len2 = vhost_user_msg_encode(&again, buf2);
    if (len1 != len2 || memcmp(buf1, buf2, len1)
        || again.n_fds != msg->n_fds) {
        abort();
    }
    vhost_user_msg_close_fds(&again);
}

static void
decode_stream(const uint8_t *data, size_t size, size_t n_fds, bool is_reply)
{
    static struct vhost_user_msg msg;
    int fds[MAX_FUZZ_FDS];
    bool first = true;

    while (size) {
        size_t len = size;
        char *err = NULL;
        size_t n = 0;

        if (size >= VHOST_USER_HDR_SIZE) {
            uint32_t psize = (uint32_t) data[8] | (uint32_t) data[9] << 8
                             | (uint32_t) data[10] << 16
                             | (uint32_t) data[11] << 24;
            len = MIN(size, VHOST_USER_HDR_SIZE + (uint64_t) psize);
        }
        if (first) {
            n = n_fds;
            make_fds(fds, n);
            first = false;
        }
        if (!vhost_user_msg_decode(data, len, fds, n, is_reply, &msg,
                                   &err)) {
            check_round_trip(&msg, is_reply);
            vhost_user_msg_close_fds(&msg);
        } else if (!err) {
            abort();
        }
        free(err);
        data += len;
        size -= len;
    }
}

/* Drains what READER can get from FD.  Returns false once the stream is
 * dead (an error other than EAGAIN). */
static bool
drain(struct vhost_user_reader *reader, int fd, bool is_reply)
{
    static struct vhost_user_msg msg;

    for (;;) {
        char *err = NULL;
        int error = vhost_user_reader_recv(reader, fd, is_reply, &msg, &err);

        if (!error) {
            vhost_user_msg_close_fds(&msg);
        } else {
            if ((error == EPROTO) != (err != NULL)) {
                abort();
            }
            free(err);
            return error == EAGAIN;
        }
    }
}

static void
read_stream(const uint8_t *data, size_t size, size_t n_fds, bool is_reply,
            unsigned int pattern)
{
    static const size_t chunk_sizes[8][4] = {
        { 65536, 65536, 65536, 65536 }, { 1, 1, 1, 1 }, { 1, 11, 2, 100 },
        { 12, 8, 12, 40 }, { 5, 7, 3, 4096 }, { 13, 1, 300, 2 },
        { 4108, 1, 4108, 1 }, { 3, 17, 29, 511 },
    };
    struct vhost_user_reader reader;
    int fds[MAX_FUZZ_FDS];
    bool alive = true;
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
                   sv)) {
        abort();
    }
    make_fds(fds, n_fds);
    vhost_user_reader_init(&reader);
    for (size_t ofs = 0, i = 0; alive && ofs < size; i++) {
        size_t n = MIN(size - ofs, chunk_sizes[pattern][i % 4]);
        int error = vhost_user_msg_send_raw(sv[0], data + ofs, n,
                                            i ? NULL : fds, i ? 0 : n_fds);
        if (error == EAGAIN) {
            /* The reader stopped taking bytes (a partial message larger
             * than the socket buffer cannot happen: it reads as much as
             * it needs).  Nothing more to learn. */
            break;
        } else if (error) {
            abort();
        }
        ofs += n;
        alive = drain(&reader, sv[1], is_reply);
    }
    close(sv[0]);
    if (alive) {
        drain(&reader, sv[1], is_reply);
    }
    vhost_user_reader_destroy(&reader);
    close(sv[1]);
    close_fds(fds, n_fds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int before = count_open_fds();
    size_t n_fds;
    bool is_reply;
    unsigned int pattern;

    if (!size) {
        return 0;
    }
    n_fds = data[0] & 0xf;
    is_reply = data[0] & 0x10;
    pattern = data[0] >> 5;
    data++;
    size--;

    decode_stream(data, size, n_fds, is_reply);
    if (size) {
        read_stream(data, size, n_fds, is_reply, pattern);
    }
    if (count_open_fds() != before) {
        abort();
    }
    return 0;
}
