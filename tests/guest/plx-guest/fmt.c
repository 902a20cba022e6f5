/*
 * tests/guest/plx-guest/fmt.c: text formatting for console lines (see
 * fmt.h).
 */
#include "fmt.h"
#include "lib.h"

void
pg_buf_init(struct pg_buf *b, char *storage, size_t size)
{
    b->s = storage;
    b->size = size;
    b->len = 0;
    if (size) {
        storage[0] = '\0';
    }
}

void
pg_buf_char(struct pg_buf *b, char c)
{
    if (b->len + 1 < b->size) {
        b->s[b->len++] = c;
        b->s[b->len] = '\0';
    }
}

void
pg_buf_mem(struct pg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pg_buf_char(b, s[i]);
    }
}

void
pg_buf_str(struct pg_buf *b, const char *s)
{
    pg_buf_mem(b, s, pg_strlen(s));
}

void
pg_buf_u64(struct pg_buf *b, uint64_t value)
{
    char digits[20];
    int n = 0;

    do {
        digits[n++] = '0' + value % 10;
        value /= 10;
    } while (value);
    while (n > 0) {
        pg_buf_char(b, digits[--n]);
    }
}

void
pg_buf_hex(struct pg_buf *b, uint64_t value, int min_digits)
{
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    int n = 0;

    do {
        digits[n++] = hex[value & 15];
        value >>= 4;
    } while (value);
    for (int i = n; i < min_digits; i++) {
        pg_buf_char(b, '0');
    }
    while (n > 0) {
        pg_buf_char(b, digits[--n]);
    }
}

void
pg_buf_ip(struct pg_buf *b, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        pg_buf_u64(b, (ip >> (8 * i)) & 0xff);
        if (i) {
            pg_buf_char(b, '.');
        }
    }
}

void
pg_buf_mac(struct pg_buf *b, const uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        if (i) {
            pg_buf_char(b, ':');
        }
        pg_buf_hex(b, mac[i], 2);
    }
}

char *
pg_format_ip(uint32_t ip, char out[PG_IP_STRLEN])
{
    struct pg_buf b;

    pg_buf_init(&b, out, PG_IP_STRLEN);
    pg_buf_ip(&b, ip);
    return out;
}

char *
pg_format_mac(const uint8_t mac[6], char out[PG_MAC_STRLEN])
{
    struct pg_buf b;

    pg_buf_init(&b, out, PG_MAC_STRLEN);
    pg_buf_mac(&b, mac);
    return out;
}

size_t
pg_strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}
