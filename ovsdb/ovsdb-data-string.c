/* ovsdb-data-string: the ovs-vsctl string syntax of OVSDB values (see
 * "Strings" in ovsdb-data.h), split from ovsdb-data.c to keep each file
 * to one concern. */
#include <config.h>
#include "ovsdb/ovsdb-data.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"

/* Largest integer range "A-B" that the string syntax expands. */
#define OVSDB_MAX_ATOM_RANGE 4096

/* Quoted strings. */

static void
put_utf8(struct ds *ds, uint32_t cp)
{
    if (cp < 0x80) {
        ds_put_char(ds, cp);
    } else if (cp < 0x800) {
        ds_put_char(ds, 0xc0 | (cp >> 6));
        ds_put_char(ds, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        ds_put_char(ds, 0xe0 | (cp >> 12));
        ds_put_char(ds, 0x80 | ((cp >> 6) & 0x3f));
        ds_put_char(ds, 0x80 | (cp & 0x3f));
    } else {
        ds_put_char(ds, 0xf0 | (cp >> 18));
        ds_put_char(ds, 0x80 | ((cp >> 12) & 0x3f));
        ds_put_char(ds, 0x80 | ((cp >> 6) & 0x3f));
        ds_put_char(ds, 0x80 | (cp & 0x3f));
    }
}

/* Reads 4 hex digits at S into *CP. */
static bool
read_hex4(const char *s, uint32_t *cp)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char) s[i];
        if (!isxdigit(c)) {
            return false;
        }
        v = (v << 4) | (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    *cp = v;
    return true;
}

/* Undoes JSON string escapes in the N bytes at S.  Returns NULL and
 * stores the malloc()'d result in *OUT, or returns an error message. */
static char *
string_unescape(const char *s, size_t n, char **out)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    const char *end = s + n;

    *out = NULL;
    while (s < end) {
        if (*s != '\\') {
            ds_put_char(&ds, *s++);
            continue;
        }
        if (++s >= end) {
            ds_destroy(&ds);
            return xstrdup("backslash at end of quoted string");
        }
        char c = *s++;
        uint32_t cp;
        switch (c) {
        case '"': case '\\': case '/': ds_put_char(&ds, c); break;
        case 'b': ds_put_char(&ds, '\b'); break;
        case 'f': ds_put_char(&ds, '\f'); break;
        case 'n': ds_put_char(&ds, '\n'); break;
        case 'r': ds_put_char(&ds, '\r'); break;
        case 't': ds_put_char(&ds, '\t'); break;
        case 'u':
            if (end - s < 4 || !read_hex4(s, &cp)) {
                ds_destroy(&ds);
                return xstrdup("malformed \\u escape");
            }
            s += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (end - s < 6 || s[0] != '\\' || s[1] != 'u'
                    || !read_hex4(s + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                    ds_destroy(&ds);
                    return xstrdup("\\u escape is an unpaired surrogate");
                }
                s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                ds_destroy(&ds);
                return xstrdup("\\u escape is an unpaired surrogate");
            } else if (cp == 0) {
                ds_destroy(&ds);
                return xstrdup("null bytes not supported in quoted strings");
            }
            put_utf8(&ds, cp);
            break;
        default:
            ds_destroy(&ds);
            return xasprintf("bad escape \\%c", c);
        }
    }
    *out = ds_steal_cstr(&ds);
    return NULL;
}

/* Appends S to DS as a double-quoted JSON-style string. */
static void
string_escape(const char *s, struct ds *ds)
{
    ds_put_char(ds, '"');
    for (; *s; s++) {
        unsigned char c = *s;
        switch (c) {
        case '"': ds_put_cstr(ds, "\\\""); break;
        case '\\': ds_put_cstr(ds, "\\\\"); break;
        case '\b': ds_put_cstr(ds, "\\b"); break;
        case '\f': ds_put_cstr(ds, "\\f"); break;
        case '\n': ds_put_cstr(ds, "\\n"); break;
        case '\r': ds_put_cstr(ds, "\\r"); break;
        case '\t': ds_put_cstr(ds, "\\t"); break;
        default:
            if (c < 0x20) {
                ds_put_format(ds, "\\u%04x", c);
            } else {
                ds_put_char(ds, c);
            }
        }
    }
    ds_put_char(ds, '"');
}

/* Atoms and strings. */

static char *
parse_real(const char *s, double *d)
{
    char *tail;
    int save_errno = errno;

    errno = 0;
    *d = strtod(s, &tail);
    bool ok = tail != s && *tail == '\0' && isfinite(*d)
              && !isspace((unsigned char) *s);
    errno = save_errno;
    if (!ok) {
        return xasprintf("\"%s\" is not a valid real number", s);
    }
    if (*d == 0.0) {
        *d = 0.0;
    }
    return NULL;
}

/* Parses "A-B" into *START and *END. */
static bool
parse_integer_range(const char *s, long long *start, long long *end)
{
    const char *dash = s[0] ? strchr(s + 1, '-') : NULL;
    if (!dash || dash[1] == '\0') {
        return false;
    }
    char *first = xmemdup0(s, dash - s);
    bool ok = (str_to_llong(first, 10, start)
               && str_to_llong(dash + 1, 10, end));
    free(first);
    return ok;
}

/* Parses S as an atom of BASE without checking constraints.  If RANGE_END
 * is nonnull and S is an integer range, stores its end there and sets
 * *IS_RANGE. */
static char *
atom_from_string__(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
                   const char *s, struct ovsdb_symbol_table *symtab,
                   int64_t *range_end, bool *is_range)
{
    if (is_range) {
        *is_range = false;
    }
    switch (base->type) {
    case OVSDB_TYPE_INTEGER: {
        long long v, end;
        if (!isspace((unsigned char) *s) && str_to_llong(s, 10, &v)) {
            atom->integer = v;
        } else if (range_end && parse_integer_range(s, &v, &end)) {
            if (end < v) {
                return xasprintf("\"%s\" is not a valid range. "
                                 "Range end cannot be before start.", s);
            }
            atom->integer = v;
            *range_end = end;
            *is_range = true;
        } else {
            return xasprintf("\"%s\" is not a valid integer%s", s,
                             range_end ? " or range" : "");
        }
        return NULL;
    }
    case OVSDB_TYPE_REAL:
        return parse_real(s, &atom->real);
    case OVSDB_TYPE_BOOLEAN:
        if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")
            || !strcmp(s, "1")) {
            atom->boolean = true;
        } else if (!strcmp(s, "false") || !strcmp(s, "no")
                   || !strcmp(s, "off") || !strcmp(s, "0")) {
            atom->boolean = false;
        } else {
            return xasprintf("\"%s\" is not a valid boolean "
                             "(use \"true\" or \"false\")", s);
        }
        return NULL;
    case OVSDB_TYPE_STRING:
        if (*s == '\0') {
            return xstrdup("An empty string is not valid as input; "
                           "use \"\" to represent the empty string");
        } else if (*s == '"') {
            size_t len = strlen(s);
            if (len < 2 || s[len - 1] != '"') {
                return xasprintf("%s: missing quote at end of quoted string",
                                 s);
            }
            char *error = string_unescape(s + 1, len - 2, &atom->string);
            if (error) {
                char *msg = xasprintf("%s: %s", s, error);
                free(error);
                return msg;
            }
        } else {
            atom->string = xstrdup(s);
        }
        return NULL;
    case OVSDB_TYPE_UUID:
        if (*s == '@' && symtab) {
            struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab,
                                                                    s);
            atom->uuid = symbol->uuid;
            ovsdb_symbol_referenced(symbol, base);
        } else if (!uuid_from_string(&atom->uuid, s)) {
            return xasprintf("\"%s\" is not a valid UUID", s);
        }
        return NULL;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

/* Checks the constraints of every integer START...END. */
static struct ovsdb_error *
check_range_constraints(int64_t start, int64_t end,
                        const struct ovsdb_base_type *base)
{
    if ((uint64_t) end - (uint64_t) start >= OVSDB_MAX_ATOM_RANGE) {
        return ovsdb_error("constraint violation",
                           "Range \"%"PRId64"-%"PRId64"\" is too big "
                           "(at most %d values)", start, end,
                           OVSDB_MAX_ATOM_RANGE);
    }
    for (int64_t i = start; ; i++) {
        union ovsdb_atom atom = { .integer = i };
        struct ovsdb_error *error = ovsdb_atom_check_constraints(&atom, base);
        if (error || i == end) {
            return error;
        }
    }
}

static char *
atom_from_string(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
                 const char *s, struct ovsdb_symbol_table *symtab,
                 int64_t *range_end, bool *is_range)
{
    char *msg = atom_from_string__(atom, base, s, symtab, range_end,
                                   is_range);
    if (msg) {
        return msg;
    }

    struct ovsdb_error *error;
    if (is_range && *is_range) {
        error = check_range_constraints(atom->integer, *range_end, base);
    } else {
        error = ovsdb_atom_check_constraints(atom, base);
    }
    if (error) {
        ovsdb_atom_destroy(atom, base->type);
        return ovsdb_error_to_string_free(error);
    }
    return NULL;
}

char *
ovsdb_atom_from_string(union ovsdb_atom *atom,
                       const struct ovsdb_base_type *base, const char *s,
                       struct ovsdb_symbol_table *symtab)
{
    return atom_from_string(atom, base, s, symtab, NULL, NULL);
}

/* True if S must be quoted to read back as the same string: anything but
 * a word of letters, digits, '_', '-' and '.' that starts with a letter or
 * '_' and does not look like a UUID.  (The caller also quotes "true" and
 * "false".)  This is ovs-vsctl's rule, so that output compares equal. */
static bool
string_needs_quotes(const char *s)
{
    unsigned char c = *s;

    if (!isalpha(c) && c != '_') {
        return true;
    }
    for (const char *p = s + 1; (c = *p) != '\0'; p++) {
        if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
            return true;
        }
    }

    /* A bare UUID-shaped string would read back as a UUID. */
    struct uuid uuid;
    return uuid_from_string(&uuid, s);
}

static void
put_real(struct ds *ds, double d)
{
    char buf[64];

    /* The shortest of 15, 16 or 17 significant digits that reads back as
     * D: "0.1", not "0.10000000000000001". */
    for (int prec = DBL_DIG; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }
    ds_put_cstr(ds, buf);
}

void
ovsdb_atom_to_string(const union ovsdb_atom *atom,
                     enum ovsdb_atomic_type type, struct ds *out)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        ds_put_format(out, "%"PRId64, atom->integer);
        break;
    case OVSDB_TYPE_REAL:
        put_real(out, atom->real);
        break;
    case OVSDB_TYPE_BOOLEAN:
        ds_put_cstr(out, atom->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        if (string_needs_quotes(atom->string)
            || !strcmp(atom->string, "true")
            || !strcmp(atom->string, "false")) {
            string_escape(atom->string, out);
        } else {
            ds_put_cstr(out, atom->string);
        }
        break;
    case OVSDB_TYPE_UUID:
        ds_put_format(out, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

void
ovsdb_atom_to_bare(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                   struct ds *out)
{
    if (type == OVSDB_TYPE_STRING) {
        ds_put_cstr(out, atom->string);
    } else {
        ovsdb_atom_to_string(atom, type, out);
    }
}

/* Datums and strings. */

bool
ovsdb_token_is_delim(unsigned char c)
{
    return c && strchr(":=, []{}!<>", c) != NULL;
}

char *
ovsdb_token_parse(const char **s, char **token)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    bool in_quotes = false;
    const char *p = *s;

    *token = NULL;
    while (*p) {
        char c = *p++;
        if (c == '\\') {
            if (in_quotes) {
                /* Kept: the quoted string is unescaped later. */
                ds_put_char(&out, '\\');
            }
            if (!*p) {
                ds_destroy(&out);
                return xasprintf("%s: backslash at end of argument", *s);
            }
            ds_put_char(&out, *p++);
        } else if (!in_quotes && ovsdb_token_is_delim(c)) {
            p--;
            break;
        } else {
            ds_put_char(&out, c);
            if (c == '"') {
                in_quotes = !in_quotes;
            }
        }
    }
    if (in_quotes) {
        ds_destroy(&out);
        return xasprintf("%s: quoted string extends past end of argument",
                         *s);
    }
    *token = ds_steal_cstr(&out);
    *s = p;
    return NULL;
}

static const char *
skip_spaces(const char *p)
{
    while (isspace((unsigned char) *p)) {
        p++;
    }
    return p;
}

/* Parses one token at *S as an atom of BASE. */
static char *
parse_atom_token(const char **s, const struct ovsdb_base_type *base,
                 union ovsdb_atom *atom, struct ovsdb_symbol_table *symtab,
                 int64_t *range_end, bool *is_range)
{
    char *token;
    char *error = ovsdb_token_parse(s, &token);

    if (!error) {
        error = atom_from_string(atom, base, token, symtab, range_end,
                                 is_range);
        free(token);
    }
    return error;
}

/* Appends KEY (and VALUE) to DATUM, taking ownership of them. */
static void
datum_append(struct ovsdb_datum *datum, size_t *allocated,
             const union ovsdb_atom *key, const union ovsdb_atom *value)
{
    if (datum->n >= *allocated) {
        size_t n = *allocated;
        datum->keys = x2nrealloc(datum->keys, &n, sizeof *datum->keys);
        if (value) {
            datum->values = xrealloc(datum->values,
                                     n * sizeof *datum->values);
        }
        *allocated = n;
    }
    datum->keys[datum->n] = *key;
    if (value) {
        datum->values[datum->n] = *value;
    }
    datum->n++;
}

char *
ovsdb_datum_from_string(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type, const char *s,
                        struct ovsdb_symbol_table *symtab)
{
    bool is_map = ovsdb_type_is_map(type);
    int64_t range_budget = 16 * OVSDB_MAX_ATOM_RANGE;
    size_t allocated = 0;
    char *error = NULL;
    int end_delim;

    ovsdb_datum_init_empty(datum);

    /* An optional opening bracket. */
    const char *p = skip_spaces(s);
    if (*p == (is_map ? '{' : '[')) {
        end_delim = is_map ? '}' : ']';
        p = skip_spaces(p + 1);
    } else if (!*p) {
        return xstrdup(is_map ? "use \"{}\" to specify the empty map"
                       : "use \"[]\" to specify the empty set");
    } else {
        end_delim = 0;
    }

    while (*p && *p != end_delim) {
        union ovsdb_atom key, value;
        int64_t range_end;
        bool is_range = false;

        if (ovsdb_token_is_delim(*p)) {
            char *type_str = ovsdb_type_to_english(type);
            error = xasprintf("%s: unexpected \"%c\" parsing %s",
                              s, *p, type_str);
            free(type_str);
            goto error;
        }

        const char *start = p;
        error = parse_atom_token(&p, &type->key, &key, symtab,
                                 is_map ? NULL : &range_end,
                                 is_map ? NULL : &is_range);
        if (error) {
            goto error;
        }
        if (is_map) {
            p = skip_spaces(p);
            if (*p != '=') {
                error = xasprintf("%s: syntax error at \"%c\" expecting "
                                  "\"=\"", start, *p ? *p : ' ');
                ovsdb_atom_destroy(&key, type->key.type);
                goto error;
            }
            p = skip_spaces(p + 1);
            error = parse_atom_token(&p, &type->value, &value, symtab,
                                     NULL, NULL);
            if (error) {
                ovsdb_atom_destroy(&key, type->key.type);
                goto error;
            }
            datum_append(datum, &allocated, &key, &value);
        } else if (is_range) {
            /* Each range is bounded; bound their sum too, so that a short
             * string cannot expand into millions of atoms. */
            range_budget -= (uint64_t) range_end - (uint64_t) key.integer + 1;
            if (range_budget < 0
                || datum->n + ((uint64_t) range_end - key.integer)
                   >= type->n_max) {
                error = xasprintf("%s: too many values specified", s);
                goto error;
            }
            for (int64_t i = key.integer; ; i++) {
                union ovsdb_atom atom = { .integer = i };
                datum_append(datum, &allocated, &atom, NULL);
                if (i == range_end) {
                    break;
                }
            }
        } else {
            datum_append(datum, &allocated, &key, NULL);
        }

        /* Optional white space and comma between elements. */
        p = skip_spaces(p);
        if (*p == ',') {
            p = skip_spaces(p + 1);
        }
    }

    if (*p != end_delim) {
        error = xasprintf("%s: missing \"%c\" at end of data", s, end_delim);
        goto error;
    }
    if (end_delim) {
        p = skip_spaces(p + 1);
        if (*p) {
            error = xasprintf("%s: trailing garbage after \"%c\"",
                              s, end_delim);
            goto error;
        }
    }

    if (datum->n < type->n_min) {
        error = xasprintf("%s: %u %s specified but the minimum number is %u",
                          s, datum->n, is_map ? "pair(s)" : "value(s)",
                          type->n_min);
        goto error;
    } else if (datum->n > type->n_max) {
        error = xasprintf("%s: %u %s specified but the maximum number is %u",
                          s, datum->n, is_map ? "pair(s)" : "value(s)",
                          type->n_max);
        goto error;
    }

    struct ovsdb_error *dberror = ovsdb_datum_sort(datum, type);
    if (dberror) {
        ovsdb_error_destroy(dberror);
        error = xasprintf(is_map ? "%s: map contains duplicate key"
                          : "%s: set contains duplicate value", s);
        goto error;
    }
    return NULL;

error:
    ovsdb_datum_destroy(datum, type);
    return error;
}

void
ovsdb_datum_to_string(const struct ovsdb_datum *datum,
                      const struct ovsdb_type *type, struct ds *out)
{
    bool is_map = ovsdb_type_is_map(type);
    bool brackets = type->n_max > 1 || !datum->n;

    if (brackets) {
        ds_put_char(out, is_map ? '{' : '[');
    }
    for (size_t i = 0; i < datum->n; i++) {
        if (i > 0) {
            ds_put_cstr(out, ", ");
        }
        ovsdb_atom_to_string(&datum->keys[i], type->key.type, out);
        if (is_map) {
            ds_put_char(out, '=');
            ovsdb_atom_to_string(&datum->values[i], type->value.type, out);
        }
    }
    if (brackets) {
        ds_put_char(out, is_map ? '}' : ']');
    }
}

void
ovsdb_datum_to_bare(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type, struct ds *out)
{
    bool is_map = ovsdb_type_is_map(type);

    for (size_t i = 0; i < datum->n; i++) {
        if (i > 0) {
            ds_put_char(out, ' ');
        }
        ovsdb_atom_to_bare(&datum->keys[i], type->key.type, out);
        if (is_map) {
            ds_put_char(out, '=');
            ovsdb_atom_to_bare(&datum->values[i], type->value.type, out);
        }
    }
}
