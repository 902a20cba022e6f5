/* ovsdb-data: see ovsdb-data.h. */
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
#include "hash.h"
#include "json.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"

/* Atoms. */

void
ovsdb_atom_init_default(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    memset(atom, 0, sizeof *atom);
    if (type == OVSDB_TYPE_STRING) {
        atom->string = xstrdup("");
    }
}

bool
ovsdb_atom_is_default(const union ovsdb_atom *atom,
                      enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER: return atom->integer == 0;
    case OVSDB_TYPE_REAL: return atom->real == 0.0;
    case OVSDB_TYPE_BOOLEAN: return !atom->boolean;
    case OVSDB_TYPE_STRING: return atom->string[0] == '\0';
    case OVSDB_TYPE_UUID: return uuid_is_zero(&atom->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

void
ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                 enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

void
ovsdb_atom_swap(union ovsdb_atom *a, union ovsdb_atom *b)
{
    union ovsdb_atom tmp = *a;
    *a = *b;
    *b = tmp;
}

uint32_t
ovsdb_atom_hash(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                uint32_t basis)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return hash_uint64_basis(atom->integer, basis);
    case OVSDB_TYPE_REAL: {
        double d = atom->real == 0.0 ? 0.0 : atom->real;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return hash_uint64_basis(bits, basis);
    }
    case OVSDB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case OVSDB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case OVSDB_TYPE_UUID:
        return hash_int(uuid_hash(&atom->uuid), basis);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

int
ovsdb_atom_compare_3way(const union ovsdb_atom *a, const union ovsdb_atom *b,
                        enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case OVSDB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case OVSDB_TYPE_BOOLEAN:
        return (int) a->boolean - (int) b->boolean;
    case OVSDB_TYPE_STRING: {
        int cmp = strcmp(a->string, b->string);
        return cmp < 0 ? -1 : cmp > 0;
    }
    case OVSDB_TYPE_UUID:
        return uuid_compare_3way(&a->uuid, &b->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

/* Unicode. */

char *
ovsdb_utf8_validate(const char *s_, size_t *n_chars)
{
    const unsigned char *s = (const unsigned char *) s_;
    size_t n = 0;

    *n_chars = 0;
    while (*s) {
        unsigned int c = *s;
        int len;
        uint32_t cp, min;

        if (c < 0x80) {
            s++;
            n++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return xasprintf("invalid UTF-8 lead byte 0x%02x at byte %zu",
                             c, (size_t) (s - (const unsigned char *) s_));
        }
        for (int i = 1; i < len; i++) {
            if ((s[i] & 0xc0) != 0x80) {
                return xasprintf("truncated UTF-8 sequence at byte %zu",
                                 (size_t) (s - (const unsigned char *) s_));
            }
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min) {
            return xasprintf("overlong UTF-8 sequence at byte %zu",
                             (size_t) (s - (const unsigned char *) s_));
        } else if (cp >= 0xd800 && cp <= 0xdfff) {
            return xasprintf("UTF-8 encoded surrogate U+%04"PRIX32
                             " at byte %zu", cp,
                             (size_t) (s - (const unsigned char *) s_));
        } else if (cp > 0x10ffff) {
            return xasprintf("code point U+%"PRIX32" beyond U+10FFFF "
                             "at byte %zu", cp,
                             (size_t) (s - (const unsigned char *) s_));
        }
        s += len;
        n++;
    }
    *n_chars = n;
    return NULL;
}

/* Constraints. */

static struct ovsdb_error *
check_string_constraints(const char *s,
                         const struct ovsdb_string_constraints *c)
{
    size_t n_chars;
    char *msg = ovsdb_utf8_validate(s, &n_chars);

    if (msg) {
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "not a valid UTF-8 string: %s", msg);
        free(msg);
        return error;
    }
    if (n_chars < c->minLen) {
        return ovsdb_error("constraint violation",
                           "\"%s\" length %zu is less than minimum allowed "
                           "length %u", s, n_chars, c->minLen);
    } else if (n_chars > c->maxLen) {
        return ovsdb_error("constraint violation",
                           "\"%s\" length %zu is greater than maximum "
                           "allowed length %u", s, n_chars, c->maxLen);
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_atom_check_constraints(const union ovsdb_atom *atom,
                             const struct ovsdb_base_type *base)
{
    if (base->type == OVSDB_TYPE_STRING) {
        /* Validate UTF-8 first: the enum message quotes the string. */
        struct ovsdb_string_constraints none = { 0, UINT_MAX };
        struct ovsdb_error *error = check_string_constraints(
            atom->string, base->enum_ ? &none : &base->string);
        if (error || !base->enum_) {
            return error;
        }
    }

    if (base->enum_) {
        if (ovsdb_datum_find_key(base->enum_, atom, base->type)
            != UINT_MAX) {
            return NULL;
        }

        struct ds actual = DS_EMPTY_INITIALIZER;
        struct ds valid = DS_EMPTY_INITIALIZER;
        ovsdb_atom_to_string(atom, base->type, &actual);
        ovsdb_datum_to_string(base->enum_,
                              ovsdb_base_type_get_enum_type(base->type),
                              &valid);
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "%s is not one of the allowed values (%s)",
            ds_cstr(&actual), ds_cstr(&valid));
        ds_destroy(&actual);
        ds_destroy(&valid);
        return error;
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER: {
        int64_t v = atom->integer;
        const struct ovsdb_integer_constraints *c = &base->integer;
        if (v >= c->min && v <= c->max) {
            return NULL;
        } else if (c->min != INT64_MIN && c->max != INT64_MAX) {
            return ovsdb_error("constraint violation",
                               "%"PRId64" is not in the valid range "
                               "%"PRId64" to %"PRId64" (inclusive)",
                               v, c->min, c->max);
        } else if (c->min != INT64_MIN) {
            return ovsdb_error("constraint violation",
                               "%"PRId64" is less than minimum allowed "
                               "value %"PRId64, v, c->min);
        } else {
            return ovsdb_error("constraint violation",
                               "%"PRId64" is greater than maximum allowed "
                               "value %"PRId64, v, c->max);
        }
    }
    case OVSDB_TYPE_REAL: {
        double v = atom->real;
        const struct ovsdb_real_constraints *c = &base->real;
        if (v >= c->min && v <= c->max) {
            return NULL;
        } else if (c->min != -DBL_MAX && c->max != DBL_MAX) {
            return ovsdb_error("constraint violation",
                               "%.*g is not in the valid range %.*g to %.*g "
                               "(inclusive)", DBL_DIG, v, DBL_DIG, c->min,
                               DBL_DIG, c->max);
        } else if (c->min != -DBL_MAX) {
            return ovsdb_error("constraint violation",
                               "%.*g is less than minimum allowed value %.*g",
                               DBL_DIG, v, DBL_DIG, c->min);
        } else {
            return ovsdb_error("constraint violation",
                               "%.*g is greater than maximum allowed value "
                               "%.*g", DBL_DIG, v, DBL_DIG, c->max);
        }
    }
    case OVSDB_TYPE_STRING:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_TYPE_UUID:
        /* Referential integrity of UUIDs is the transaction's business. */
        return NULL;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

/* Atoms and JSON. */

/* If JSON is [NAME, <X>] where X has the JSON type EXPECTED ("string" or
 * "array"), stores X in *VALUE and returns NULL. */
static struct ovsdb_error *
unwrap_json(const json_t *json, const char *name, const char *expected,
            const json_t **value)
{
    const json_t *tag, *inner;

    *value = NULL;
    if (!json_is_array(json) || json_array_size(json) != 2
        || !ovsdb_json_is_cstring(tag = json_array_get(json, 0))
        || strcmp(json_string_value(tag), name)
        || strcmp(json_type_name(inner = json_array_get(json, 1)), expected)
        || (json_is_string(inner) && !ovsdb_json_is_cstring(inner))) {
        return ovsdb_syntax_error(json, NULL, "expected [\"%s\", <%s>]",
                                  name, expected);
    }
    *value = inner;
    return NULL;
}

void
ovsdb_symbol_referenced(struct ovsdb_symbol *symbol,
                  const struct ovsdb_base_type *base)
{
    if (ovsdb_base_type_is_strong_ref(base)) {
        symbol->strong_ref = true;
    } else if (ovsdb_base_type_is_weak_ref(base)) {
        symbol->weak_ref = true;
    }
}

static struct ovsdb_error *
atom_parse_uuid(struct uuid *uuid, const json_t *json,
                struct ovsdb_symbol_table *symtab,
                const struct ovsdb_base_type *base)
{
    const json_t *value;
    struct ovsdb_error *error = unwrap_json(json, "uuid", "string", &value);

    if (!error) {
        const char *s = json_string_value(value);
        if (!uuid_from_string(uuid, s)) {
            return ovsdb_syntax_error(json, NULL,
                                      "\"%s\" is not a valid UUID", s);
        }
        return NULL;
    }

    if (symtab) {
        struct ovsdb_error *error2 = unwrap_json(json, "named-uuid",
                                                 "string", &value);
        if (!error2) {
            ovsdb_error_destroy(error);
            const char *name = json_string_value(value);
            if (!ovsdb_parser_is_id(name)) {
                return ovsdb_syntax_error(json, NULL, "named-uuid string "
                                          "is not a valid <id>");
            }
            struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab,
                                                                    name);
            *uuid = symbol->uuid;
            ovsdb_symbol_referenced(symbol, base);
            return NULL;
        }
        ovsdb_error_destroy(error2);
    }
    return error;
}

static struct ovsdb_error *
atom_from_json__(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
                 const json_t *json, struct ovsdb_symbol_table *symtab)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (json_is_integer(json)) {
            atom->integer = json_integer_value(json);
            return NULL;
        }
        break;
    case OVSDB_TYPE_REAL:
        if (json_is_number(json)) {
            atom->real = json_number_value(json);
            if (!isfinite(atom->real)) {
                break;
            }
            if (atom->real == 0.0) {
                atom->real = 0.0;       /* No negative zero. */
            }
            return NULL;
        }
        break;
    case OVSDB_TYPE_BOOLEAN:
        if (json_is_boolean(json)) {
            atom->boolean = json_is_true(json);
            return NULL;
        }
        break;
    case OVSDB_TYPE_STRING:
        if (json_is_string(json)) {
            if (!ovsdb_json_is_cstring(json)) {
                return ovsdb_syntax_error(json, NULL, "string contains a "
                                          "null byte");
            }
            atom->string = xstrdup(json_string_value(json));
            return NULL;
        }
        break;
    case OVSDB_TYPE_UUID:
        return atom_parse_uuid(&atom->uuid, json, symtab, base);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
    return ovsdb_syntax_error(json, NULL, "expected %s",
                              ovsdb_atomic_type_to_string(base->type));
}

struct ovsdb_error *
ovsdb_atom_from_json(union ovsdb_atom *atom,
                     const struct ovsdb_base_type *base, const json_t *json,
                     struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_error *error = atom_from_json__(atom, base, json, symtab);
    if (error) {
        return error;
    }
    error = ovsdb_atom_check_constraints(atom, base);
    if (error) {
        ovsdb_atom_destroy(atom, base->type);
    }
    return error;
}

json_t *
ovsdb_atom_to_json(const union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return json_integer(atom->integer);
    case OVSDB_TYPE_REAL:
        return json_real(atom->real);
    case OVSDB_TYPE_BOOLEAN:
        return json_boolean(atom->boolean);
    case OVSDB_TYPE_STRING:
        /* Atoms are valid UTF-8 once checked; one built by hand that is
         * not still serializes rather than vanishing. */
        return json_string_nocheck(atom->string);
    case OVSDB_TYPE_UUID: {
        char buf[UUID_LEN + 1];
        return json_pack("[ss]", "uuid", uuid_to_string(&atom->uuid, buf));
    }
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

/* Datums. */

void
ovsdb_datum_init_empty(struct ovsdb_datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

static union ovsdb_atom *
alloc_default_atoms(enum ovsdb_atomic_type type, size_t n)
{
    if (type == OVSDB_TYPE_VOID || !n) {
        return NULL;
    }
    union ovsdb_atom *atoms = xmalloc(n * sizeof *atoms);
    for (size_t i = 0; i < n; i++) {
        ovsdb_atom_init_default(&atoms[i], type);
    }
    return atoms;
}

void
ovsdb_datum_init_default(struct ovsdb_datum *datum,
                         const struct ovsdb_type *type)
{
    datum->n = type->n_min;
    datum->keys = alloc_default_atoms(type->key.type, datum->n);
    datum->values = alloc_default_atoms(type->value.type, datum->n);
}

bool
ovsdb_datum_is_default(const struct ovsdb_datum *datum,
                       const struct ovsdb_type *type)
{
    if (datum->n != type->n_min) {
        return false;
    }
    for (size_t i = 0; i < datum->n; i++) {
        if (!ovsdb_atom_is_default(&datum->keys[i], type->key.type)
            || (type->value.type != OVSDB_TYPE_VOID
                && !ovsdb_atom_is_default(&datum->values[i],
                                          type->value.type))) {
            return false;
        }
    }
    return true;
}

void
ovsdb_datum_init_atom(struct ovsdb_datum *datum, const union ovsdb_atom *key,
                      const union ovsdb_atom *value,
                      const struct ovsdb_type *type)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    ovsdb_atom_clone(&datum->keys[0], key, type->key.type);
    if (type->value.type != OVSDB_TYPE_VOID) {
        datum->values = xmalloc(sizeof *datum->values);
        ovsdb_atom_clone(&datum->values[0], value, type->value.type);
    } else {
        datum->values = NULL;
    }
}

static union ovsdb_atom *
clone_atoms(const union ovsdb_atom *src, enum ovsdb_atomic_type type,
            size_t n)
{
    if (type == OVSDB_TYPE_VOID || !n) {
        return NULL;
    }
    union ovsdb_atom *atoms = xmalloc(n * sizeof *atoms);
    if (ovsdb_atom_needs_destruction(type)) {
        for (size_t i = 0; i < n; i++) {
            ovsdb_atom_clone(&atoms[i], &src[i], type);
        }
    } else {
        memcpy(atoms, src, n * sizeof *atoms);
    }
    return atoms;
}

void
ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                  const struct ovsdb_type *type)
{
    dst->n = src->n;
    dst->keys = clone_atoms(src->keys, type->key.type, src->n);
    dst->values = clone_atoms(src->values, type->value.type, src->n);
}

static void
free_atoms(union ovsdb_atom *atoms, enum ovsdb_atomic_type type, size_t n)
{
    if (atoms && ovsdb_atom_needs_destruction(type)) {
        for (size_t i = 0; i < n; i++) {
            ovsdb_atom_destroy(&atoms[i], type);
        }
    }
    free(atoms);
}

void
ovsdb_datum_destroy(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    free_atoms(datum->keys, type->key.type, datum->n);
    free_atoms(datum->values, type->value.type, datum->n);
    ovsdb_datum_init_empty(datum);
}

void
ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b)
{
    struct ovsdb_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Sorting: a merge sort of (key, value) pairs by key, then by value, so
 * that sort_unique can keep the smallest value of duplicate keys. */

struct atom_pair {
    union ovsdb_atom key, value;
};

static int
pair_compare(const struct atom_pair *a, const struct atom_pair *b,
             const struct ovsdb_type *type)
{
    int cmp = ovsdb_atom_compare_3way(&a->key, &b->key, type->key.type);
    if (!cmp && type->value.type != OVSDB_TYPE_VOID) {
        cmp = ovsdb_atom_compare_3way(&a->value, &b->value,
                                      type->value.type);
    }
    return cmp;
}

static void
merge_sort(struct atom_pair *a, struct atom_pair *tmp, size_t n,
           const struct ovsdb_type *type)
{
    if (n < 2) {
        return;
    }
    size_t mid = n / 2;
    merge_sort(a, tmp, mid, type);
    merge_sort(a + mid, tmp, n - mid, type);
    if (pair_compare(&a[mid - 1], &a[mid], type) <= 0) {
        return;                 /* Already in order. */
    }

    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        tmp[k++] = pair_compare(&a[j], &a[i], type) < 0 ? a[j++] : a[i++];
    }
    while (i < mid) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    memcpy(a, tmp, n * sizeof *a);
}

static void
datum_sort__(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    size_t n = datum->n;
    bool is_map = datum->values && type->value.type != OVSDB_TYPE_VOID;
    bool sorted = true;

    for (size_t i = 1; i < n && sorted; i++) {
        int cmp = ovsdb_atom_compare_3way(&datum->keys[i - 1],
                                          &datum->keys[i], type->key.type);
        sorted = cmp < 0;
    }
    if (sorted) {
        return;
    }

    struct atom_pair *pairs = xmalloc(n * sizeof *pairs);
    struct atom_pair *tmp = xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++) {
        pairs[i].key = datum->keys[i];
        if (is_map) {
            pairs[i].value = datum->values[i];
        } else {
            memset(&pairs[i].value, 0, sizeof pairs[i].value);
        }
    }
    struct ovsdb_type key_only = *type;
    if (!is_map) {
        key_only.value.type = OVSDB_TYPE_VOID;
    }
    merge_sort(pairs, tmp, n, &key_only);
    for (size_t i = 0; i < n; i++) {
        datum->keys[i] = pairs[i].key;
        if (is_map) {
            datum->values[i] = pairs[i].value;
        }
    }
    free(pairs);
    free(tmp);
}

struct ovsdb_error *
ovsdb_datum_sort(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    if (datum->n < 2) {
        return NULL;
    }
    datum_sort__(datum, type);
    for (size_t i = 0; i + 1 < datum->n; i++) {
        if (ovsdb_atom_equals(&datum->keys[i], &datum->keys[i + 1],
                              type->key.type)) {
            return (ovsdb_type_is_map(type)
                    ? ovsdb_error(NULL, "map contains duplicate key")
                    : ovsdb_error(NULL, "set contains duplicate"));
        }
    }
    return NULL;
}

size_t
ovsdb_datum_sort_unique(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type)
{
    if (datum->n < 2) {
        return 0;
    }
    datum_sort__(datum, type);

    bool is_map = type->value.type != OVSDB_TYPE_VOID;
    size_t dst = 1;
    for (size_t src = 1; src < datum->n; src++) {
        if (ovsdb_atom_equals(&datum->keys[src], &datum->keys[dst - 1],
                              type->key.type)) {
            ovsdb_atom_destroy(&datum->keys[src], type->key.type);
            if (is_map) {
                ovsdb_atom_destroy(&datum->values[src], type->value.type);
            }
        } else {
            datum->keys[dst] = datum->keys[src];
            if (is_map) {
                datum->values[dst] = datum->values[src];
            }
            dst++;
        }
    }
    size_t dropped = datum->n - dst;
    datum->n = dst;
    return dropped;
}

struct ovsdb_error *
ovsdb_datum_check_constraints(const struct ovsdb_datum *datum,
                              const struct ovsdb_type *type)
{
    for (size_t i = 0; i < datum->n; i++) {
        struct ovsdb_error *error;

        error = ovsdb_atom_check_constraints(&datum->keys[i], &type->key);
        if (!error && type->value.type != OVSDB_TYPE_VOID) {
            error = ovsdb_atom_check_constraints(&datum->values[i],
                                                 &type->value);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_datum_validate(const struct ovsdb_datum *datum,
                     const struct ovsdb_type *type)
{
    bool is_map = ovsdb_type_is_map(type);

    if (datum->n < type->n_min || datum->n > type->n_max) {
        return ovsdb_error("constraint violation",
                           "%s must have %u to %u members but %u are "
                           "present", is_map ? "map" : "set",
                           type->n_min, type->n_max, datum->n);
    }
    if (datum->n && (!datum->keys || is_map != (datum->values != NULL))) {
        return ovsdb_error(NULL, "datum does not match its type");
    }
    for (size_t i = 0; i + 1 < datum->n; i++) {
        int cmp = ovsdb_atom_compare_3way(&datum->keys[i],
                                          &datum->keys[i + 1],
                                          type->key.type);
        if (!cmp) {
            return ovsdb_error(NULL, is_map ? "map contains duplicate key"
                               : "set contains duplicate");
        } else if (cmp > 0) {
            return ovsdb_error(NULL, "datum is not sorted");
        }
    }
    return ovsdb_datum_check_constraints(datum, type);
}

/* Datums and JSON. */

static struct ovsdb_error *
datum_from_json__(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                  const json_t *json, struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_error *error;
    bool is_map = ovsdb_type_is_map(type);

    if (!is_map && !(json_is_array(json) && json_array_size(json) > 0
                     && ovsdb_json_is_cstring(json_array_get(json, 0))
                     && !strcmp(json_string_value(json_array_get(json, 0)),
                                "set"))) {
        /* A bare atom: a one-element set. */
        datum->keys = xmalloc(sizeof *datum->keys);
        error = ovsdb_atom_from_json(&datum->keys[0], &type->key, json,
                                     symtab);
        if (error) {
            free(datum->keys);
            datum->keys = NULL;
            return error;
        }
        datum->n = 1;
        return NULL;
    }

    const char *class = is_map ? "map" : "set";
    const json_t *inner;
    error = unwrap_json(json, class, "array", &inner);
    if (error) {
        return error;
    }

    size_t n = json_array_size(inner);
    if (n < type->n_min || n > type->n_max) {
        return ovsdb_syntax_error(json, NULL, "%s must have %u to %u members "
                                  "but %zu are present", class, type->n_min,
                                  type->n_max, n);
    }
    if (!n) {
        return NULL;
    }

    datum->keys = xmalloc(n * sizeof *datum->keys);
    datum->values = is_map ? xmalloc(n * sizeof *datum->values) : NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *element = json_array_get(inner, i);
        const json_t *key = element;

        if (is_map) {
            if (!json_is_array(element) || json_array_size(element) != 2) {
                return ovsdb_syntax_error(element, NULL,
                                          "expected 2-element array");
            }
            key = json_array_get(element, 0);
        }
        error = ovsdb_atom_from_json(&datum->keys[i], &type->key, key,
                                     symtab);
        if (error) {
            return error;
        }
        if (is_map) {
            error = ovsdb_atom_from_json(&datum->values[i], &type->value,
                                         json_array_get(element, 1), symtab);
            if (error) {
                ovsdb_atom_destroy(&datum->keys[i], type->key.type);
                return error;
            }
        }
        datum->n++;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_datum_from_json(struct ovsdb_datum *datum,
                      const struct ovsdb_type *type, const json_t *json,
                      struct ovsdb_symbol_table *symtab)
{
    ovsdb_datum_init_empty(datum);

    struct ovsdb_error *error = datum_from_json__(datum, type, json, symtab);
    if (!error) {
        error = ovsdb_datum_sort(datum, type);
    }
    if (error) {
        ovsdb_datum_destroy(datum, type);
    }
    return error;
}

json_t *
ovsdb_datum_to_json(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type)
{
    if (ovsdb_type_is_map(type)) {
        json_t *pairs = json_array();
        for (size_t i = 0; i < datum->n; i++) {
            json_t *pair = json_array();
            json_array_append_new(pair, ovsdb_atom_to_json(
                                      &datum->keys[i], type->key.type));
            json_array_append_new(pair, ovsdb_atom_to_json(
                                      &datum->values[i], type->value.type));
            json_array_append_new(pairs, pair);
        }
        return json_pack("[so]", "map", pairs);
    } else if (datum->n == 1) {
        return ovsdb_atom_to_json(&datum->keys[0], type->key.type);
    } else {
        json_t *elems = json_array();
        for (size_t i = 0; i < datum->n; i++) {
            json_array_append_new(elems, ovsdb_atom_to_json(
                                      &datum->keys[i], type->key.type));
        }
        return json_pack("[so]", "set", elems);
    }
}

/* Comparison and search. */

uint32_t
ovsdb_datum_hash(const struct ovsdb_datum *datum,
                 const struct ovsdb_type *type, uint32_t basis)
{
    for (size_t i = 0; i < datum->n; i++) {
        basis = ovsdb_atom_hash(&datum->keys[i], type->key.type, basis);
    }
    basis = hash_add(basis, (type->key.type << 24)
                     | (type->value.type << 16) | (datum->n & 0xffff));
    if (type->value.type != OVSDB_TYPE_VOID) {
        for (size_t i = 0; i < datum->n; i++) {
            basis = ovsdb_atom_hash(&datum->values[i], type->value.type,
                                    basis);
        }
    }
    return hash_finish(basis, datum->n);
}

static int
atom_arrays_compare_3way(const union ovsdb_atom *a, const union ovsdb_atom *b,
                         enum ovsdb_atomic_type type, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int cmp = ovsdb_atom_compare_3way(&a[i], &b[i], type);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

int
ovsdb_datum_compare_3way(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    int cmp = atom_arrays_compare_3way(a->keys, b->keys, type->key.type,
                                       a->n);
    if (cmp || type->value.type == OVSDB_TYPE_VOID) {
        return cmp;
    }
    return atom_arrays_compare_3way(a->values, b->values, type->value.type,
                                    a->n);
}

bool
ovsdb_datum_equals(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_type *type)
{
    return !ovsdb_datum_compare_3way(a, b, type);
}

unsigned int
ovsdb_datum_find_key(const struct ovsdb_datum *datum,
                     const union ovsdb_atom *key,
                     enum ovsdb_atomic_type key_type)
{
    unsigned int low = 0, high = datum->n;

    while (low < high) {
        unsigned int idx = low + (high - low) / 2;
        int cmp = ovsdb_atom_compare_3way(key, &datum->keys[idx], key_type);
        if (cmp < 0) {
            high = idx;
        } else if (cmp > 0) {
            low = idx + 1;
        } else {
            return idx;
        }
    }
    return UINT_MAX;
}

unsigned int
ovsdb_datum_find_key_value(const struct ovsdb_datum *datum,
                           const union ovsdb_atom *key,
                           enum ovsdb_atomic_type key_type,
                           const union ovsdb_atom *value,
                           enum ovsdb_atomic_type value_type)
{
    unsigned int idx = ovsdb_datum_find_key(datum, key, key_type);
    if (idx != UINT_MAX && value_type != OVSDB_TYPE_VOID && datum->values
        && !ovsdb_atom_equals(&datum->values[idx], value, value_type)) {
        idx = UINT_MAX;
    }
    return idx;
}

/* Index in B of element I of A (its pair, if TYPE is a map), or UINT_MAX.
 */
static unsigned int
datum_find(const struct ovsdb_datum *a, size_t i,
           const struct ovsdb_datum *b, const struct ovsdb_type *type)
{
    return ovsdb_datum_find_key_value(b, &a->keys[i], type->key.type,
                                      a->values ? &a->values[i] : NULL,
                                      a->values ? type->value.type
                                      : OVSDB_TYPE_VOID);
}

bool
ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    if (a->n > b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (datum_find(a, i, b, type) == UINT_MAX) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    for (size_t i = 0; i < a->n; i++) {
        if (datum_find(a, i, b, type) != UINT_MAX) {
            return false;
        }
    }
    return true;
}

/* Set operations. */

void
ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                  const struct ovsdb_type *type, bool replace)
{
    bool is_map = type->value.type != OVSDB_TYPE_VOID;
    size_t n_max = (size_t) a->n + b->n;

    if (!b->n) {
        return;
    }

    /* Both are sorted: merge them in one pass. */
    union ovsdb_atom *keys = xmalloc(n_max * sizeof *keys);
    union ovsdb_atom *values = is_map ? xmalloc(n_max * sizeof *values)
                                      : NULL;
    size_t i = 0, j = 0, n = 0;
    while (i < a->n || j < b->n) {
        int cmp = (i >= a->n ? 1 : j >= b->n ? -1
                   : ovsdb_atom_compare_3way(&a->keys[i], &b->keys[j],
                                             type->key.type));
        if (cmp < 0) {
            keys[n] = a->keys[i];
            if (is_map) {
                values[n] = a->values[i];
            }
            i++;
        } else if (cmp > 0) {
            ovsdb_atom_clone(&keys[n], &b->keys[j], type->key.type);
            if (is_map) {
                ovsdb_atom_clone(&values[n], &b->values[j], type->value.type);
            }
            j++;
        } else {
            keys[n] = a->keys[i];
            if (is_map) {
                if (replace) {
                    ovsdb_atom_destroy(&a->values[i], type->value.type);
                    ovsdb_atom_clone(&values[n], &b->values[j],
                                     type->value.type);
                } else {
                    values[n] = a->values[i];
                }
            }
            i++;
            j++;
        }
        n++;
    }
    free(a->keys);
    free(a->values);
    a->keys = keys;
    a->values = values;
    a->n = n;
}

void
ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_type *a_type,
                     const struct ovsdb_datum *b,
                     const struct ovsdb_type *b_type)
{
    bool a_map = a_type->value.type != OVSDB_TYPE_VOID;
    bool by_pair = a_map && b_type->value.type != OVSDB_TYPE_VOID;
    size_t dst = 0;

    plx_assert(a_type->key.type == b_type->key.type);
    plx_assert(!by_pair || a_type->value.type == b_type->value.type);

    for (size_t i = 0; i < a->n; i++) {
        unsigned int idx = ovsdb_datum_find_key(b, &a->keys[i],
                                                a_type->key.type);
        bool remove = idx != UINT_MAX;
        if (remove && by_pair) {
            remove = ovsdb_atom_equals(&a->values[i], &b->values[idx],
                                       a_type->value.type);
        }
        if (remove) {
            ovsdb_atom_destroy(&a->keys[i], a_type->key.type);
            if (a_map) {
                ovsdb_atom_destroy(&a->values[i], a_type->value.type);
            }
        } else {
            a->keys[dst] = a->keys[i];
            if (a_map) {
                a->values[dst] = a->values[i];
            }
            dst++;
        }
    }
    a->n = dst;
    if (!dst) {
        free(a->keys);
        free(a->values);
        a->keys = NULL;
        a->values = NULL;
    }
}

void
ovsdb_datum_add_unsafe(struct ovsdb_datum *datum, const union ovsdb_atom *key,
                       const union ovsdb_atom *value,
                       const struct ovsdb_type *type)
{
    size_t n = datum->n + 1;
    datum->keys = xrealloc(datum->keys, n * sizeof *datum->keys);
    ovsdb_atom_clone(&datum->keys[n - 1], key, type->key.type);
    if (type->value.type != OVSDB_TYPE_VOID) {
        datum->values = xrealloc(datum->values, n * sizeof *datum->values);
        ovsdb_atom_clone(&datum->values[n - 1], value, type->value.type);
    }
    datum->n = n;
}

void
ovsdb_datum_remove_unsafe(struct ovsdb_datum *datum, size_t idx,
                          const struct ovsdb_type *type)
{
    plx_assert(idx < datum->n);
    ovsdb_atom_destroy(&datum->keys[idx], type->key.type);
    datum->keys[idx] = datum->keys[datum->n - 1];
    if (type->value.type != OVSDB_TYPE_VOID) {
        ovsdb_atom_destroy(&datum->values[idx], type->value.type);
        datum->values[idx] = datum->values[datum->n - 1];
    }
    datum->n--;
}

/* Symbol tables. */

struct ovsdb_symbol_table *
ovsdb_symbol_table_create(void)
{
    struct ovsdb_symbol_table *symtab = xmalloc(sizeof *symtab);
    hmap_init(&symtab->symbols);
    return symtab;
}

void
ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *symtab)
{
    if (symtab) {
        /* Explicit loops rather than the HMAP_FOR_EACH macros, whose
         * container arithmetic reads the uninitialized cursor (clang's
         * UBSan flags it in the fuzz build). */
        struct hmap_node *node;
        while ((node = hmap_first(&symtab->symbols)) != NULL) {
            struct ovsdb_symbol *symbol = CONTAINER_OF(
                node, struct ovsdb_symbol, hmap_node);
            hmap_remove(&symtab->symbols, node);
            free(symbol->name);
            free(symbol);
        }
        hmap_destroy(&symtab->symbols);
        free(symtab);
    }
}

struct ovsdb_symbol *
ovsdb_symbol_table_get(const struct ovsdb_symbol_table *symtab,
                       const char *name)
{
    for (struct hmap_node *node = hmap_first_with_hash(
             &symtab->symbols, hash_string(name, 0));
         node; node = hmap_next_with_hash(node)) {
        struct ovsdb_symbol *symbol = CONTAINER_OF(node, struct ovsdb_symbol,
                                                   hmap_node);
        if (!strcmp(symbol->name, name)) {
            return symbol;
        }
    }
    return NULL;
}

struct ovsdb_symbol *
ovsdb_symbol_table_put(struct ovsdb_symbol_table *symtab, const char *name,
                       const struct uuid *uuid, bool created)
{
    plx_assert(!ovsdb_symbol_table_get(symtab, name));

    struct ovsdb_symbol *symbol = xzalloc(sizeof *symbol);
    symbol->name = xstrdup(name);
    symbol->uuid = *uuid;
    symbol->created = created;
    hmap_insert(&symtab->symbols, &symbol->hmap_node, hash_string(name, 0));
    return symbol;
}

struct ovsdb_symbol *
ovsdb_symbol_table_insert(struct ovsdb_symbol_table *symtab,
                          const char *name)
{
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_get(symtab, name);
    if (!symbol) {
        struct uuid uuid;
        uuid_generate(&uuid);
        symbol = ovsdb_symbol_table_put(symtab, name, &uuid, false);
    }
    return symbol;
}
