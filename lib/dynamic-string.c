#include <config.h>
#include "dynamic-string.h"

#include <inttypes.h>
#include <string.h>

void
ds_init(struct ds *ds)
{
    ds->string = NULL;
    ds->length = 0;
    ds->allocated = 0;
}

void
ds_clear(struct ds *ds)
{
    ds->length = 0;
    if (ds->string) {
        ds->string[0] = '\0';
    }
}

void
ds_truncate(struct ds *ds, size_t new_length)
{
    if (ds->length > new_length) {
        ds->length = new_length;
        ds->string[new_length] = '\0';
    }
}

void
ds_reserve(struct ds *ds, size_t min_length)
{
    if (min_length > ds->allocated || !ds->string) {
        ds->allocated += MAX(min_length, ds->allocated);
        ds->allocated = MAX(8, ds->allocated);
        ds->string = xrealloc(ds->string, ds->allocated + 1);
    }
}

char *
ds_put_uninit(struct ds *ds, size_t n)
{
    ds_reserve(ds, ds->length + n);
    ds->length += n;
    ds->string[ds->length] = '\0';
    return &ds->string[ds->length - n];
}

void
ds_put_char(struct ds *ds, char c)
{
    *ds_put_uninit(ds, 1) = c;
}

void
ds_put_char_multiple(struct ds *ds, char c, size_t n)
{
    memset(ds_put_uninit(ds, n), c, n);
}

void
ds_put_buffer(struct ds *ds, const char *s, size_t n)
{
    if (n) {
        memcpy(ds_put_uninit(ds, n), s, n);
    } else {
        ds_reserve(ds, ds->length);
    }
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void
ds_put_format(struct ds *ds, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

void
ds_put_format_valist(struct ds *ds, const char *format, va_list args_)
{
    va_list args;
    size_t available = ds->string ? ds->allocated - ds->length + 1 : 0;

    va_copy(args, args_);
    int needed = vsnprintf(ds->string ? &ds->string[ds->length] : NULL,
                           available, format, args);
    va_end(args);

    if (needed < 0) {
        /* An encoding error (or a result over INT_MAX): append nothing,
         * but vsnprintf() may have written over the terminating NUL. */
        if (ds->string) {
            ds->string[ds->length] = '\0';
        }
        return;
    }
    if ((size_t) needed < available) {
        ds->length += needed;
    } else {
        ds_reserve(ds, ds->length + needed);
        va_copy(args, args_);
        vsnprintf(&ds->string[ds->length], needed + 1, format, args);
        va_end(args);
        ds->length += needed;
    }
}

void
ds_put_hex(struct ds *ds, const void *buf_, size_t n)
{
    const uint8_t *buf = buf_;
    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%02x", buf[i]);
    }
}

/* Each line: the offset, up to 16 bytes in hex with a '-' between the
 * 8th and 9th, and if ASCII is true, the bytes again as printable ASCII
 * between bars, its column aligned on a short last line.  No line ends
 * in a space, and bytes outside printable ASCII (whatever the locale)
 * show as '.'. */
void
ds_put_hex_dump(struct ds *ds, const void *buf_, size_t size,
                uintptr_t ofs, bool ascii)
{
    const uint8_t *buf = buf_;

    for (size_t i = 0; i < size; i += 16) {
        size_t n = MIN(16, size - i);
        ds_put_format(ds, "%08" PRIxPTR "  ", ofs + i);
        for (size_t j = 0; j < n; j++) {
            if (j) {
                ds_put_char(ds, j == 8 ? '-' : ' ');
            }
            ds_put_format(ds, "%02x", buf[i + j]);
        }
        if (ascii) {
            ds_put_char_multiple(ds, ' ', (16 - n) * 3 + 1);
            ds_put_char(ds, '|');
            for (size_t j = 0; j < n; j++) {
                int c = buf[i + j];
                ds_put_char(ds, c >= 0x20 && c < 0x7f ? c : '.');
            }
            ds_put_char(ds, '|');
        }
        ds_put_char(ds, '\n');
    }
}

void
ds_chomp(struct ds *ds, int c)
{
    if (ds->length > 0 && ds->string[ds->length - 1] == (char) c) {
        ds->string[--ds->length] = '\0';
    }
}

char *
ds_cstr(struct ds *ds)
{
    if (!ds->string) {
        ds_reserve(ds, 0);
        ds->string[0] = '\0';
    }
    ds->string[ds->length] = '\0';
    return ds->string;
}

const char *
ds_cstr_ro(const struct ds *ds)
{
    return ds->string ? ds->string : "";
}

char *
ds_steal_cstr(struct ds *ds)
{
    char *s = ds_cstr(ds);
    ds_init(ds);
    return s;
}

void
ds_destroy(struct ds *ds)
{
    free(ds->string);
    ds_init(ds);
}

int
ds_last(const struct ds *ds)
{
    return ds->length > 0 ? (unsigned char) ds->string[ds->length - 1] : EOF;
}
