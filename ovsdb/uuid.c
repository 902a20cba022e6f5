/* uuid: see uuid.h. */
#include <config.h>
#include "ovsdb/uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"

void
uuid_zero(struct uuid *uuid)
{
    memset(uuid, 0, sizeof *uuid);
}

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return !memcmp(a, b, sizeof *a);
}

int
uuid_compare_3way(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

uint32_t
uuid_hash(const struct uuid *uuid)
{
    /* The bits are random already; one word would do, but folding all of
     * them in keeps hand-made UUIDs (tests, "all zeros but one") apart. */
    return hash_words(uuid->parts, 4, 0);
}

/* Fills BUF with N random bytes from the kernel, or aborts. */
static void
uuid_random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t done = 0;

    while (done < n) {
        ssize_t r = getrandom(p + done, n - done, 0);
        if (r > 0) {
            done += r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    if (done < n) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        while (fd >= 0 && done < n) {
            ssize_t r = read(fd, p + done, n - done);
            if (r > 0) {
                done += r;
            } else if (!(r < 0 && errno == EINTR)) {
                break;
            }
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    if (done < n) {
        plx_fatal(errno, "uuid: no random bytes available");
    }
}

void
uuid_generate(struct uuid *uuid)
{
    uuid_random_bytes(uuid->parts, sizeof uuid->parts);
    /* Version 4 (random) in the high nibble of the third group... */
    uuid->parts[1] = (uuid->parts[1] & ~0xf000u) | 0x4000u;
    /* ...and variant 1 (10xx) in the top bits of the fourth group. */
    uuid->parts[2] = (uuid->parts[2] & ~0xc0000000u) | 0x80000000u;
}

static int
hexit_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    /* Word and shift that each of the 32 hex digits lands in. */
    uint32_t parts[4] = { 0, 0, 0, 0 };
    int digit = 0;

    for (int i = 0; i < UUID_LEN; i++) {
        int c = (unsigned char) s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                goto error;
            }
            continue;
        }
        int v = hexit_value(c);
        if (v < 0) {
            goto error;
        }
        parts[digit / 8] = (parts[digit / 8] << 4) | v;
        digit++;
    }
    if (s[UUID_LEN] != '\0') {
        goto error;
    }
    memcpy(uuid->parts, parts, sizeof parts);
    return true;

error:
    uuid_zero(uuid);
    return false;
}

char *
uuid_to_string(const struct uuid *uuid, char *buf)
{
    snprintf(buf, UUID_LEN + 1, UUID_FMT, UUID_ARGS(uuid));
    return buf;
}
