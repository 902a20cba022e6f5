/*
 * json: JSON values for Plexus.
 *
 * A JSON value is jansson's json_t, used directly: build and inspect
 * values with jansson's API (json_object(), json_array_append_new(),
 * json_object_get(), json_incref()/json_decref(), ...).  This module adds
 * only what jansson lacks and Plexus needs:
 *
 *   - Serialization in the two forms Plexus prints: canonical (object
 *     keys sorted, no whitespace, so equal values give equal bytes, for
 *     tests, hashing and the wire) and pretty (sorted, indented, for
 *     people).  Strings come back from malloc(): free them with free().
 *
 *   - A bounded parser for input from outside.  jansson's parser is
 *     recursive with a compiled-in nesting limit (2048) and no size limit;
 *     json_from_buffer_bounded() refuses input larger than a byte limit
 *     and nesting deeper than a depth limit (defaults 32 MiB and 1000)
 *     with a clear message before jansson sees it.
 *
 *   - struct json_scanner, an incremental structural scanner: fed bytes
 *     in any chunks, it tracks container depth and string/escape state
 *     (nothing else: it does not validate) and reports the byte at which
 *     the outermost container closes.  It never looks at a byte twice,
 *     so a stream framer built on it (lib/jsonrpc.c) costs O(n) in the
 *     bytes received however they are split.  jansson then validates the
 *     one complete value it delimits.
 *
 *   - Small helpers for pulling typed members out of objects with a
 *     default, and for naming a value's type in error messages.
 *
 * Limits: depth counts containers, so "[]" has depth 1 and "[[1]]" depth
 * 2; a scalar has depth 0.
 */
#ifndef PLX_JSON_H
#define PLX_JSON_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct ds;

#define JSON_DEFAULT_MAX_DEPTH 1000
#define JSON_DEFAULT_MAX_BYTES (32u * 1024 * 1024)

/* Limits for json_from_buffer_bounded().  A zero member means "the
 * default" (JSON_DEFAULT_MAX_*), so an all-zero struct is the defaults. */
struct json_limits {
    size_t max_depth;           /* Deepest nesting of arrays/objects. */
    size_t max_bytes;           /* Longest input, in bytes. */
};

/* Serialization.  Never returns NULL (aborts on out-of-memory, as
 * xmalloc() does). */
char *json_to_string_canonical(const json_t *);
char *json_to_string_pretty(const json_t *);
/* Appends JSON serialized with jansson JSON_* encoding FLAGS to DS
 * (JSON_ENCODE_ANY is always added). */
void json_to_ds(const json_t *, size_t flags, struct ds *);

/* Parsing with limits.  Parses exactly one JSON value (any type, with
 * optional surrounding whitespace) from the N bytes at DATA, which need
 * not be NUL-terminated.  On success returns a new reference and sets
 * '*errorp' to NULL; on failure returns NULL and sets '*errorp' to a
 * malloc'd message that the caller frees.  LIMITS may be NULL for the
 * defaults. */
json_t *json_from_buffer_bounded(const void *data, size_t n,
                                 const struct json_limits *,
                                 char **errorp) PLX_WARN_UNUSED_RESULT;
json_t *json_from_string_bounded(const char *, const struct json_limits *,
                                 char **errorp) PLX_WARN_UNUSED_RESULT;

/* Incremental structural scanner. */
struct json_scanner {
    size_t depth;               /* Open containers now. */
    size_t max_depth;           /* Nonzero: deepest nesting allowed. */
    bool in_string;             /* Inside a "..." string. */
    bool escaped;               /* Just after a backslash in a string. */
};

enum json_scan_result {
    JSON_SCAN_MORE,             /* Consumed every byte; value unfinished. */
    JSON_SCAN_END,              /* The outermost container closed. */
    JSON_SCAN_TOO_DEEP,         /* Nesting went past 'max_depth'. */
    JSON_SCAN_UNBALANCED,       /* A '}' or ']' with nothing open. */
};

void json_scanner_init(struct json_scanner *, size_t max_depth);
/* Scans up to N bytes at P, stopping just after the byte that brings the
 * depth back to zero (JSON_SCAN_END) or at the byte in error (which it
 * does not consume).  Sets '*used' to the bytes consumed.  Bytes outside
 * strings at depth 0 other than '{', '[', ']', '}' and '"' are consumed
 * without comment: callers that care (a stream framer) check them. */
enum json_scan_result json_scanner_scan(struct json_scanner *,
                                        const char *p, size_t n,
                                        size_t *used);

/* Inspecting. */

/* "object", "array", "string", "integer", "real", "true", "false",
 * "null"; "(none)" for NULL. */
const char *json_type_name(const json_t *);

/* Member KEY of object OBJ if it exists with the right type, otherwise
 * DEFAULT.  OBJ may be NULL or a non-object. */
const char *json_object_get_string_or(const json_t *obj, const char *key,
                                      const char *default_);
json_int_t json_object_get_int_or(const json_t *obj, const char *key,
                                  json_int_t default_);
bool json_object_get_bool_or(const json_t *obj, const char *key,
                             bool default_);

/* Building. */

/* A new array of the N strings ARGV[0..N). */
json_t *json_string_array(size_t n, const char *const argv[]);
/* A new JSON string, never NULL: a string that is not valid UTF-8 gets
 * each bad byte replaced by U+FFFD, so callers may pass outside text. */
json_t *json_string_sanitized(const char *);

#endif /* json.h */
