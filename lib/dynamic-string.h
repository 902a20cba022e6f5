/*
 * dynamic-string: a growable, always NUL-terminated string buffer.
 *
 * Used wherever text is built piecewise: canonical match and flow
 * formats, log messages, command output.  A struct ds initialized with
 * DS_EMPTY_INITIALIZER owns no memory until the first append.
 */
#ifndef PLX_DYNAMIC_STRING_H
#define PLX_DYNAMIC_STRING_H 1

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "util.h"

struct ds {
    char *string;       /* NULL or NUL-terminated. */
    size_t length;      /* Bytes used, not counting the NUL. */
    size_t allocated;   /* Bytes allocated, not counting the NUL. */
};

#define DS_EMPTY_INITIALIZER { NULL, 0, 0 }

void ds_init(struct ds *);
void ds_clear(struct ds *);
void ds_truncate(struct ds *, size_t new_length);
void ds_reserve(struct ds *, size_t min_length);
char *ds_put_uninit(struct ds *, size_t n);
void ds_put_char(struct ds *, char);
void ds_put_char_multiple(struct ds *, char, size_t n);
void ds_put_buffer(struct ds *, const char *, size_t n);
void ds_put_cstr(struct ds *, const char *);
void ds_put_format(struct ds *, const char *, ...) PLX_PRINTF_FORMAT(2, 3);
void ds_put_format_valist(struct ds *, const char *, va_list)
    PLX_PRINTF_FORMAT(2, 0);
void ds_put_hex(struct ds *, const void *, size_t n);
/* Hex and ASCII dump, 16 bytes a line, offsets from OFS. */
void ds_put_hex_dump(struct ds *, const void *, size_t n, uintptr_t ofs,
                     bool ascii);
void ds_chomp(struct ds *, int c);

/* Returns the string, always NUL-terminated (allocating if empty). */
char *ds_cstr(struct ds *);
const char *ds_cstr_ro(const struct ds *);
/* Returns the string and leaves DS empty: the caller frees it. */
char *ds_steal_cstr(struct ds *);
void ds_destroy(struct ds *);
int ds_last(const struct ds *);

#endif /* dynamic-string.h */
