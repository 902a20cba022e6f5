/*
 * tests/guest/plx-guest/fmt.h: building text lines without a C library.
 *
 * A struct pg_buf is a caller-provided character array that is always
 * NUL-terminated; appending past its end truncates silently (the text is
 * for the console, and a cut line is better than a crash).  Everything
 * here is pure code, compiled both into the guest and into the hosted
 * unit test tests/unit/test-guest-net.c.
 *
 * IPv4 addresses are uint32_t in host byte order throughout the guest
 * (10.0.0.1 is 0x0a000001); MAC addresses are 6-byte arrays.
 */
#ifndef PLX_GUEST_FMT_H
#define PLX_GUEST_FMT_H 1

#include <stddef.h>
#include <stdint.h>

struct pg_buf {
    char *s;                    /* Always NUL-terminated. */
    size_t size;                /* Bytes at 's', including the NUL. */
    size_t len;                 /* strlen(s). */
};

#define PG_IP_STRLEN 16         /* "255.255.255.255" + NUL. */
#define PG_MAC_STRLEN 18        /* "52:54:00:12:34:56" + NUL. */

void pg_buf_init(struct pg_buf *, char *storage, size_t size);
void pg_buf_char(struct pg_buf *, char);
void pg_buf_str(struct pg_buf *, const char *);
void pg_buf_mem(struct pg_buf *, const char *, size_t n);
void pg_buf_u64(struct pg_buf *, uint64_t);
void pg_buf_hex(struct pg_buf *, uint64_t, int min_digits);
void pg_buf_ip(struct pg_buf *, uint32_t ip);
void pg_buf_mac(struct pg_buf *, const uint8_t mac[6]);

/* Dotted quad and colon-separated lowercase hex; return OUT. */
char *pg_format_ip(uint32_t ip, char out[PG_IP_STRLEN]);
char *pg_format_mac(const uint8_t mac[6], char out[PG_MAC_STRLEN]);

size_t pg_strlen(const char *);

#endif /* fmt.h */
