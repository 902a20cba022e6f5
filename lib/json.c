/* json: serialization, bounded parsing and scanning on top of jansson. */
#include <config.h>
#include "json.h"

#include <errno.h>
#include "dynamic-string.h"

static int
json_dump_to_ds(const char *buffer, size_t size, void *ds_)
{
    ds_put_buffer(ds_, buffer, size);
    return 0;
}

void
json_to_ds(const json_t *json, size_t flags, struct ds *ds)
{
    if (json_dump_callback(json, json_dump_to_ds, ds,
                           flags | JSON_ENCODE_ANY)) {
        /* jansson fails only on out-of-memory or on values it cannot
         * represent, which its own constructors never create. */
        out_of_memory();
    }
}

static char *
json_to_string__(const json_t *json, size_t flags)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    json_to_ds(json, flags, &ds);
    return ds_steal_cstr(&ds);
}

char *
json_to_string_canonical(const json_t *json)
{
    return json_to_string__(json, JSON_COMPACT | JSON_SORT_KEYS);
}

char *
json_to_string_pretty(const json_t *json)
{
    return json_to_string__(json, JSON_INDENT(4) | JSON_SORT_KEYS);
}

void
json_scanner_init(struct json_scanner *s, size_t max_depth)
{
    s->depth = 0;
    s->max_depth = max_depth;
    s->in_string = false;
    s->escaped = false;
}

enum json_scan_result
json_scanner_scan(struct json_scanner *s, const char *p, size_t n,
                  size_t *used)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = p[i];

        if (s->in_string) {
            if (s->escaped) {
                s->escaped = false;
            } else if (c == '\\') {
                s->escaped = true;
            } else if (c == '"') {
                s->in_string = false;
            }
            continue;
        }

        switch (c) {
        case '"':
            s->in_string = true;
            break;

        case '{':
        case '[':
            if (s->max_depth && s->depth >= s->max_depth) {
                *used = i;
                return JSON_SCAN_TOO_DEEP;
            }
            s->depth++;
            break;

        case '}':
        case ']':
            if (!s->depth) {
                *used = i;
                return JSON_SCAN_UNBALANCED;
            }
            if (!--s->depth) {
                *used = i + 1;
                return JSON_SCAN_END;
            }
            break;

        default:
            break;
        }
    }
    *used = n;
    return JSON_SCAN_MORE;
}

json_t *
json_from_buffer_bounded(const void *data, size_t n,
                         const struct json_limits *limits, char **errorp)
{
    size_t max_depth = limits && limits->max_depth
                       ? limits->max_depth : JSON_DEFAULT_MAX_DEPTH;
    size_t max_bytes = limits && limits->max_bytes
                       ? limits->max_bytes : JSON_DEFAULT_MAX_BYTES;
    struct json_scanner scanner;
    const char *p = data;
    size_t ofs;
    json_error_t error;
    json_t *json;

    *errorp = NULL;
    if (n > max_bytes) {
        *errorp = xasprintf("JSON text of %zu bytes exceeds the limit of "
                            "%zu bytes", n, max_bytes);
        return NULL;
    }

    /* Check nesting before jansson's recursive descent sees it.  An
     * unbalanced closer is left for jansson, which reports it with its
     * position. */
    json_scanner_init(&scanner, max_depth);
    for (ofs = 0; ofs < n; ) {
        size_t used;
        enum json_scan_result r = json_scanner_scan(&scanner, p + ofs,
                                                    n - ofs, &used);
        ofs += used;
        if (r == JSON_SCAN_TOO_DEEP) {
            *errorp = xasprintf("JSON nesting exceeds the limit of %zu "
                                "levels (at byte %zu)", max_depth, ofs);
            return NULL;
        } else if (r == JSON_SCAN_UNBALANCED) {
            break;
        }
    }

    json = json_loadb(data, n, JSON_DECODE_ANY, &error);
    if (!json) {
        *errorp = xasprintf("JSON syntax error at line %d, column %d "
                            "(byte %d): %s", error.line, error.column,
                            error.position, error.text);
    }
    return json;
}

json_t *
json_from_string_bounded(const char *s, const struct json_limits *limits,
                         char **errorp)
{
    return json_from_buffer_bounded(s, strlen(s), limits, errorp);
}

const char *
json_type_name(const json_t *json)
{
    if (!json) {
        return "(none)";
    }
    switch (json_typeof(json)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "(unknown)";
}

const char *
json_object_get_string_or(const json_t *obj, const char *key,
                          const char *default_)
{
    const json_t *m = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(m) ? json_string_value(m) : default_;
}

json_int_t
json_object_get_int_or(const json_t *obj, const char *key,
                       json_int_t default_)
{
    const json_t *m = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_integer(m) ? json_integer_value(m) : default_;
}

bool
json_object_get_bool_or(const json_t *obj, const char *key, bool default_)
{
    const json_t *m = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_boolean(m) ? json_is_true(m) : default_;
}

json_t *
json_string_array(size_t n, const char *const argv[])
{
    json_t *array = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(array, json_string_sanitized(argv[i]));
    }
    return array;
}

/* Returns the length of the valid UTF-8 sequence at S (at most N bytes
 * available), or 0 if it is not valid (overlong, surrogate, beyond
 * U+10FFFF, truncated). */
static size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned int cp;

    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return len;
}

json_t *
json_string_sanitized(const char *s)
{
    json_t *json = json_string(s);
    if (json) {
        return json;
    }

    /* Not valid UTF-8: replace each offending byte. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    const unsigned char *p = (const unsigned char *) s;
    size_t n = strlen(s);

    while (n) {
        size_t len = utf8_sequence_length(p, n);
        if (len) {
            ds_put_buffer(&ds, (const char *) p, len);
        } else {
            ds_put_cstr(&ds, "\xef\xbf\xbd");
            len = 1;
        }
        p += len;
        n -= len;
    }
    json = json_string(ds_cstr(&ds));
    ds_destroy(&ds);
    if (!json) {
        out_of_memory();
    }
    return json;
}
