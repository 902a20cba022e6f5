/* vmm/aml.c: ACPI Machine Language encoder (see aml.h). */
#include <config.h>
#include "vmm/aml.h"

#include <string.h>
#include "util.h"

/* Opcodes and prefixes (ACPI 6.x, 20.2). */
#define AML_ZERO_OP          0x00
#define AML_ONE_OP           0x01
#define AML_ONES_OP          0xff
#define AML_NAME_OP          0x08
#define AML_BYTE_PREFIX      0x0a
#define AML_WORD_PREFIX      0x0b
#define AML_DWORD_PREFIX     0x0c
#define AML_STRING_PREFIX    0x0d
#define AML_QWORD_PREFIX     0x0e
#define AML_SCOPE_OP         0x10
#define AML_BUFFER_OP        0x11
#define AML_PACKAGE_OP       0x12
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX    0x5b
#define AML_DEVICE_OP        0x82   /* After AML_EXT_OP_PREFIX. */
#define AML_ROOT_CHAR        '\\'
#define AML_PARENT_PREFIX    '^'
#define AML_NULL_NAME        0x00

/* Resource descriptor tags (ACPI 6.x, 6.4). */
#define AML_RES_IO           0x47   /* Small, type 8, 7 bytes. */
#define AML_RES_END_TAG      0x79   /* Small, type 15, 1 byte. */
#define AML_RES_DWORD_ADDR   0x87   /* Large, type 7. */
#define AML_RES_WORD_ADDR    0x88   /* Large, type 8. */

/* Address space descriptors: resource types and general flags. */
#define AML_ADDR_MEMORY      0
#define AML_ADDR_IO          1
#define AML_ADDR_BUS_NUMBER  2
#define AML_ADDR_MIN_FIXED   (1u << 2)
#define AML_ADDR_MAX_FIXED   (1u << 3)
#define AML_ADDR_IO_ENTIRE_RANGE 3     /* I/O type-specific flags. */
#define AML_ADDR_MEM_RW      (1u << 0) /* Memory type-specific flags. */
#define AML_ADDR_MEM_CACHEABLE (1u << 1)

void
aml_init(struct aml *a)
{
    a->data = NULL;
    a->size = 0;
    a->allocated = 0;
}

void
aml_uninit(struct aml *a)
{
    free(a->data);
    aml_init(a);
}

static void
aml_reserve(struct aml *a, size_t n)
{
    while (a->allocated - a->size < n) {
        a->data = x2nrealloc(a->data, &a->allocated, 1);
    }
}

void
aml_put_bytes(struct aml *a, const void *p, size_t n)
{
    if (n) {
        aml_reserve(a, n);
        memcpy(a->data + a->size, p, n);
        a->size += n;
    }
}

static void
aml_put_u8(struct aml *a, uint8_t v)
{
    aml_put_bytes(a, &v, 1);
}

/* Appends the N low bytes of V, little-endian. */
static void
aml_put_le(struct aml *a, uint64_t v, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        aml_put_u8(a, v >> (8 * i));
    }
}

/* Names. */

static bool
aml_is_lead_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
aml_is_name_char(char c)
{
    return aml_is_lead_name_char(c) || (c >= '0' && c <= '9');
}

/* Appends the NameSeg of the N characters at S, padded with '_'. */
static void
aml_put_name_seg(struct aml *a, const char *s, size_t n)
{
    plx_assert(n >= 1 && n <= 4);
    plx_assert(aml_is_lead_name_char(s[0]));
    for (size_t i = 0; i < 4; i++) {
        plx_assert(i >= n || aml_is_name_char(s[i]));
        aml_put_u8(a, i < n ? s[i] : '_');
    }
}

void
aml_name_string(struct aml *a, const char *path)
{
    if (*path == AML_ROOT_CHAR) {
        aml_put_u8(a, *path++);
    } else {
        while (*path == AML_PARENT_PREFIX) {
            aml_put_u8(a, *path++);
        }
    }

    size_t n_segs = 0;
    if (*path) {
        n_segs = 1;
        for (const char *p = path; *p; p++) {
            n_segs += *p == '.';
        }
    }
    plx_assert(n_segs <= 255);
    if (n_segs == 0) {
        aml_put_u8(a, AML_NULL_NAME);
        return;
    } else if (n_segs == 2) {
        aml_put_u8(a, AML_DUAL_NAME_PREFIX);
    } else if (n_segs > 2) {
        aml_put_u8(a, AML_MULTI_NAME_PREFIX);
        aml_put_u8(a, n_segs);
    }
    for (;;) {
        size_t n = strcspn(path, ".");
        aml_put_name_seg(a, path, n);
        if (!path[n]) {
            break;
        }
        path += n + 1;
    }
}

/* Data objects. */

void
aml_integer(struct aml *a, uint64_t v)
{
    if (v == 0) {
        aml_put_u8(a, AML_ZERO_OP);
    } else if (v == 1) {
        aml_put_u8(a, AML_ONE_OP);
    } else if (v == UINT64_MAX) {
        /* All ones in a table of revision 2 or later (64-bit integers). */
        aml_put_u8(a, AML_ONES_OP);
    } else if (v <= UINT8_MAX) {
        aml_put_u8(a, AML_BYTE_PREFIX);
        aml_put_le(a, v, 1);
    } else if (v <= UINT16_MAX) {
        aml_put_u8(a, AML_WORD_PREFIX);
        aml_put_le(a, v, 2);
    } else if (v <= UINT32_MAX) {
        aml_put_u8(a, AML_DWORD_PREFIX);
        aml_put_le(a, v, 4);
    } else {
        aml_put_u8(a, AML_QWORD_PREFIX);
        aml_put_le(a, v, 8);
    }
}

void
aml_string(struct aml *a, const char *s)
{
    aml_put_u8(a, AML_STRING_PREFIX);
    for (; *s; s++) {
        plx_assert((unsigned char) *s < 0x80);
        aml_put_u8(a, *s);
    }
    aml_put_u8(a, 0);
}

static int
aml_hex_digit(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

uint32_t
aml_eisaid_value(const char *id)
{
    plx_assert(strlen(id) == 7);

    uint32_t vendor = 0;
    for (int i = 0; i < 3; i++) {
        plx_assert(id[i] >= 'A' && id[i] <= 'Z');
        vendor = (vendor << 5) | (id[i] - 0x40);
    }
    uint32_t product = 0;
    for (int i = 3; i < 7; i++) {
        int d = aml_hex_digit(id[i]);
        plx_assert(d >= 0);
        product = (product << 4) | d;
    }

    /* Both halves are big-endian in memory; the Integer is
     * little-endian. */
    return ((vendor >> 8) | (vendor & 0xff) << 8
            | (product >> 8) << 16 | (product & 0xff) << 24);
}

void
aml_eisaid(struct aml *a, const char *id)
{
    aml_integer(a, aml_eisaid_value(id));
}

void
aml_name(struct aml *a, const char *name)
{
    aml_put_u8(a, AML_NAME_OP);
    aml_name_string(a, name);
}

/* PkgLength. */

size_t
aml_encode_pkglength(size_t length, uint8_t buf[4])
{
    if (length + 1 <= 0x3f) {
        buf[0] = length + 1;
        return 1;
    }
    for (size_t n = 2; n <= 4; n++) {
        size_t total = length + n;
        if (total < (size_t) 1 << (4 + 8 * (n - 1))) {
            buf[0] = (n - 1) << 6 | (total & 0xf);
            for (size_t i = 1; i < n; i++) {
                buf[i] = total >> (4 + 8 * (i - 1));
            }
            return n;
        }
    }
    return 0;
}

void
aml_close(struct aml *a, size_t mark)
{
    plx_assert(mark <= a->size);

    size_t length = a->size - mark;
    uint8_t pkglength[4];
    size_t n = aml_encode_pkglength(length, pkglength);
    plx_assert(n);

    aml_reserve(a, n);
    memmove(a->data + mark + n, a->data + mark, length);
    memcpy(a->data + mark, pkglength, n);
    a->size += n;
}

size_t
aml_scope_open(struct aml *a, const char *path)
{
    aml_put_u8(a, AML_SCOPE_OP);
    size_t mark = a->size;
    aml_name_string(a, path);
    return mark;
}

size_t
aml_device_open(struct aml *a, const char *name)
{
    aml_put_u8(a, AML_EXT_OP_PREFIX);
    aml_put_u8(a, AML_DEVICE_OP);
    size_t mark = a->size;
    aml_name_string(a, name);
    return mark;
}

size_t
aml_package_open(struct aml *a, unsigned int n_elements)
{
    plx_assert(n_elements <= UINT8_MAX);
    aml_put_u8(a, AML_PACKAGE_OP);
    size_t mark = a->size;
    aml_put_u8(a, n_elements);
    return mark;
}

/* Buffer (N + N_TAIL) { P[0..N), TAIL[0..N_TAIL) }. */
static void
aml_buffer2(struct aml *a, const void *p, size_t n,
            const void *tail, size_t n_tail)
{
    aml_put_u8(a, AML_BUFFER_OP);
    size_t mark = a->size;
    aml_integer(a, n + n_tail);
    aml_put_bytes(a, p, n);
    aml_put_bytes(a, tail, n_tail);
    aml_close(a, mark);
}

void
aml_buffer(struct aml *a, const void *p, size_t n)
{
    aml_buffer2(a, p, n, NULL, 0);
}

/* Resource descriptors. */

void
aml_res_io(struct aml *res, uint16_t min, uint16_t max, uint8_t align,
           uint8_t length)
{
    aml_put_u8(res, AML_RES_IO);
    aml_put_u8(res, 0x01);                  /* Decode16. */
    aml_put_le(res, min, 2);
    aml_put_le(res, max, 2);
    aml_put_u8(res, align);
    aml_put_u8(res, length);
}

/* Word (N = 2) or DWord (N = 4) address space descriptor of TYPE with
 * type-specific flags TYPE_FLAGS: a fixed [MIN, MAX] window, produced,
 * positive decoding, granularity and translation 0. */
static void
aml_res_addr(struct aml *res, unsigned int n, uint8_t type,
             uint8_t type_flags, uint32_t min, uint32_t max)
{
    plx_assert(min <= max);
    aml_put_u8(res, n == 2 ? AML_RES_WORD_ADDR : AML_RES_DWORD_ADDR);
    aml_put_le(res, 3 + 5 * n, 2);          /* Length after this. */
    aml_put_u8(res, type);
    aml_put_u8(res, AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED);
    aml_put_u8(res, type_flags);
    aml_put_le(res, 0, n);                  /* Granularity. */
    aml_put_le(res, min, n);
    aml_put_le(res, max, n);
    aml_put_le(res, 0, n);                  /* Translation offset. */
    aml_put_le(res, (uint64_t) max - min + 1, n);
}

void
aml_res_word_bus_number(struct aml *res, uint16_t min, uint16_t max)
{
    aml_res_addr(res, 2, AML_ADDR_BUS_NUMBER, 0, min, max);
}

void
aml_res_word_io(struct aml *res, uint16_t min, uint16_t max)
{
    /* A length of 0x10000 does not fit the word. */
    plx_assert(min > 0 || max < UINT16_MAX);
    aml_res_addr(res, 2, AML_ADDR_IO, AML_ADDR_IO_ENTIRE_RANGE, min, max);
}

void
aml_res_dword_memory(struct aml *res, uint32_t min, uint32_t max,
                     bool cacheable)
{
    plx_assert(min > 0 || max < UINT32_MAX);
    aml_res_addr(res, 4, AML_ADDR_MEMORY,
                 AML_ADDR_MEM_RW | (cacheable ? AML_ADDR_MEM_CACHEABLE : 0),
                 min, max);
}

void
aml_resource_template(struct aml *a, const struct aml *res)
{
    /* End tag with checksum 0: "the resource data is treated as if the
     * checksum operation succeeded". */
    static const uint8_t end_tag[] = { AML_RES_END_TAG, 0 };

    aml_buffer2(a, res->data, res->size, end_tag, sizeof end_tag);
}
