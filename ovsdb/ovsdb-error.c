/* ovsdb-error: see ovsdb-error.h. */
#include <config.h>
#include "ovsdb/ovsdb-error.h"

#include <stdarg.h>
#include <string.h>

#include "dynamic-string.h"
#include "util.h"

struct ovsdb_error {
    char *tag;                  /* The "error" member. */
    char *details;              /* The "details" member, or NULL. */
    char *syntax;               /* The "syntax" member, or NULL. */
    int errno_;                 /* errno for an I/O error, else 0. */
};

struct ovsdb_error *
ovsdb_error_valist(const char *tag, const char *details, va_list args)
{
    struct ovsdb_error *error = xzalloc(sizeof *error);
    error->tag = xstrdup(tag ? tag : "ovsdb error");
    error->details = details ? xvasprintf(details, args) : NULL;
    return error;
}

struct ovsdb_error *
ovsdb_error(const char *tag, const char *details, ...)
{
    struct ovsdb_error *error;
    va_list args;

    va_start(args, details);
    error = ovsdb_error_valist(tag, details, args);
    va_end(args);
    return error;
}

struct ovsdb_error *
ovsdb_io_error(int errno_, const char *details, ...)
{
    struct ovsdb_error *error;
    va_list args;

    va_start(args, details);
    error = ovsdb_error_valist("I/O error", details, args);
    va_end(args);
    error->errno_ = errno_;
    return error;
}

struct ovsdb_error *
ovsdb_syntax_error(const json_t *json, const char *tag,
                   const char *details, ...)
{
    struct ovsdb_error *error;
    va_list args;

    va_start(args, details);
    error = ovsdb_error_valist(tag ? tag : "syntax error", details, args);
    va_end(args);

    if (json) {
        char *s = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS
                             | JSON_ENCODE_ANY);
        if (s) {
            error->syntax = xstrdup(s);
            free(s);
        }
    }
    return error;
}

struct ovsdb_error *
ovsdb_wrap_error(struct ovsdb_error *error, const char *details, ...)
{
    va_list args;
    char *msg;

    va_start(args, details);
    msg = xvasprintf(details, args);
    va_end(args);

    if (error->details) {
        char *new = xasprintf("%s: %s", msg, error->details);
        free(error->details);
        free(msg);
        error->details = new;
    } else {
        error->details = msg;
    }
    return error;
}

void
ovsdb_error_destroy(struct ovsdb_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        free(error->syntax);
        free(error);
    }
}

struct ovsdb_error *
ovsdb_error_clone(const struct ovsdb_error *old)
{
    if (!old) {
        return NULL;
    }
    struct ovsdb_error *new = xzalloc(sizeof *new);
    new->tag = xstrdup(old->tag);
    new->details = old->details ? xstrdup(old->details) : NULL;
    new->syntax = old->syntax ? xstrdup(old->syntax) : NULL;
    new->errno_ = old->errno_;
    return new;
}

const char *
ovsdb_error_get_tag(const struct ovsdb_error *error)
{
    return error->tag;
}

const char *
ovsdb_error_get_details(const struct ovsdb_error *error)
{
    return error->details;
}

const char *
ovsdb_error_get_syntax(const struct ovsdb_error *error)
{
    return error->syntax;
}

json_t *
ovsdb_error_to_json(const struct ovsdb_error *error)
{
    json_t *json = json_object();

    /* json_string() refuses invalid UTF-8; details may quote user bytes,
     * so fall back to the unchecked constructor rather than lose them. */
    json_object_set_new(json, "error", json_string_nocheck(error->tag));
    if (error->details) {
        json_object_set_new(json, "details",
                            json_string_nocheck(error->details));
    }
    if (error->syntax) {
        json_object_set_new(json, "syntax",
                            json_string_nocheck(error->syntax));
    }
    if (error->errno_) {
        json_object_set_new(json, "io-error",
                            json_string(plx_strerror(error->errno_)));
    }
    return json;
}

char *
ovsdb_error_to_string(const struct ovsdb_error *error)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    if (error->syntax) {
        ds_put_format(&ds, "syntax \"%s\": ", error->syntax);
    }
    ds_put_cstr(&ds, error->tag);
    if (error->details) {
        ds_put_format(&ds, ": %s", error->details);
    }
    if (error->errno_) {
        ds_put_format(&ds, " (%s)", plx_strerror(error->errno_));
    }
    return ds_steal_cstr(&ds);
}

char *
ovsdb_error_to_string_free(struct ovsdb_error *error)
{
    char *s = ovsdb_error_to_string(error);
    ovsdb_error_destroy(error);
    return s;
}

/* The parser. */

void
ovsdb_parser_init(struct ovsdb_parser *parser, const json_t *json,
                  const char *name, ...)
{
    va_list args;

    va_start(args, name);
    parser->name = xvasprintf(name, args);
    va_end(args);

    parser->error = NULL;
    parser->used = NULL;
    parser->n_used = parser->allocated_used = 0;
    parser->json = json && json_is_object(json) ? json : NULL;
    if (!parser->json) {
        parser->json = json;    /* For the "syntax" member. */
        ovsdb_parser_raise_error(parser, "Object expected.");
        parser->json = NULL;
    }
}

bool
ovsdb_parser_is_id(const char *s)
{
    unsigned char c = *s;

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) {
        return false;
    }
    while ((c = *++s) != '\0') {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_json_is_cstring(const json_t *json)
{
    return (json_is_string(json)
            && strlen(json_string_value(json)) == json_string_length(json));
}

static enum ovsdb_parser_types
json_op_type(const json_t *json)
{
    switch (json_typeof(json)) {
    case JSON_NULL: return OP_NULL;
    case JSON_FALSE: return OP_FALSE;
    case JSON_TRUE: return OP_TRUE;
    case JSON_INTEGER: return OP_INTEGER;
    case JSON_REAL: return OP_REAL;
    case JSON_STRING: return OP_STRING;
    case JSON_ARRAY: return OP_ARRAY;
    case JSON_OBJECT: return OP_OBJECT;
    default: return 0;
    }
}

const json_t *
ovsdb_parser_member(struct ovsdb_parser *parser, const char *name,
                    enum ovsdb_parser_types types)
{
    if (!parser->json || parser->error) {
        return NULL;
    }

    const json_t *value = json_object_get(parser->json, name);
    if (!value) {
        if (!(types & OP_OPTIONAL)) {
            ovsdb_parser_raise_error(parser,
                                     "Required '%s' member is missing.", name);
        }
        return NULL;
    }

    bool ok = (types & json_op_type(value)) != 0;
    if (json_is_string(value)) {
        if (!ovsdb_json_is_cstring(value)) {
            ok = false;
        } else if (!ok && types & OP_ID) {
            ok = ovsdb_parser_is_id(json_string_value(value));
        }
    }
    if (!ok) {
        ovsdb_parser_raise_error(parser, "Type mismatch for member '%s'.",
                                 name);
        return NULL;
    }

    if (parser->n_used >= parser->allocated_used) {
        parser->used = x2nrealloc(parser->used, &parser->allocated_used,
                                  sizeof *parser->used);
    }
    parser->used[parser->n_used++] = name;
    return value;
}

void
ovsdb_parser_raise_error(struct ovsdb_parser *parser, const char *format, ...)
{
    if (!parser->error) {
        va_list args;
        char *message;

        va_start(args, format);
        message = xvasprintf(format, args);
        va_end(args);

        parser->error = ovsdb_syntax_error(parser->json, NULL,
                                           "Parsing %s failed: %s",
                                           parser->name, message);
        free(message);
    }
}

bool
ovsdb_parser_has_error(const struct ovsdb_parser *parser)
{
    return parser->error != NULL;
}

static bool
parser_was_used(const struct ovsdb_parser *parser, const char *name)
{
    for (size_t i = 0; i < parser->n_used; i++) {
        if (!strcmp(parser->used[i], name)) {
            return true;
        }
    }
    return false;
}

struct ovsdb_error *
ovsdb_parser_finish(struct ovsdb_parser *parser)
{
    if (!parser->error && parser->json) {
        size_t n_unused = 0;
        const char *first = NULL;
        const char *key;
        json_t *value;

        json_object_foreach ((json_t *) parser->json, key, value) {
            if (!parser_was_used(parser, key)) {
                if (!first) {
                    first = key;
                }
                n_unused++;
            }
        }
        if (n_unused > 1) {
            ovsdb_parser_raise_error(
                parser, "Member '%s' and %zu other member%s "
                "are present but not allowed here.",
                first, n_unused - 1, n_unused > 2 ? "s" : "");
        } else if (n_unused) {
            ovsdb_parser_raise_error(
                parser, "Member '%s' is present but not allowed here.",
                first);
        }
    }

    free(parser->name);
    free(parser->used);
    parser->name = NULL;
    parser->used = NULL;
    return parser->error;
}
