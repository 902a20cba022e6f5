/* ovsdb-types: see ovsdb-types.h. */
#include <config.h>
#include "ovsdb/ovsdb-types.h"

#include <float.h>
#include <limits.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"

const struct ovsdb_type ovsdb_type_integer =
    OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_INTEGER_INIT);
const struct ovsdb_type ovsdb_type_real =
    OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_REAL_INIT);
const struct ovsdb_type ovsdb_type_boolean =
    OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_BOOLEAN_INIT);
const struct ovsdb_type ovsdb_type_string =
    OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_STRING_INIT);
const struct ovsdb_type ovsdb_type_uuid =
    OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_UUID_INIT);

/* Atomic types. */

const char *
ovsdb_atomic_type_to_string(enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_VOID: return "void";
    case OVSDB_TYPE_INTEGER: return "integer";
    case OVSDB_TYPE_REAL: return "real";
    case OVSDB_TYPE_BOOLEAN: return "boolean";
    case OVSDB_TYPE_STRING: return "string";
    case OVSDB_TYPE_UUID: return "uuid";
    case OVSDB_N_TYPES:
    default: return "<invalid>";
    }
}

bool
ovsdb_atomic_type_from_string(const char *s, enum ovsdb_atomic_type *type)
{
    for (int t = OVSDB_TYPE_INTEGER; t < OVSDB_N_TYPES; t++) {
        if (!strcmp(s, ovsdb_atomic_type_to_string(t))) {
            *type = t;
            return true;
        }
    }
    return false;
}

struct ovsdb_error *
ovsdb_atomic_type_from_json(enum ovsdb_atomic_type *type, const json_t *json)
{
    *type = OVSDB_TYPE_VOID;
    if (!ovsdb_json_is_cstring(json)) {
        return ovsdb_syntax_error(json, NULL, "atomic-type expected");
    }
    if (!ovsdb_atomic_type_from_string(json_string_value(json), type)) {
        return ovsdb_syntax_error(json, NULL, "\"%s\" is not an atomic-type",
                                  json_string_value(json));
    }
    return NULL;
}

json_t *
ovsdb_atomic_type_to_json(enum ovsdb_atomic_type type)
{
    return json_string(ovsdb_atomic_type_to_string(type));
}

/* Base types. */

void
ovsdb_base_type_init(struct ovsdb_base_type *base,
                     enum ovsdb_atomic_type type)
{
    memset(base, 0, sizeof *base);
    base->type = type;
    base->enum_ = NULL;
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        base->integer.min = INT64_MIN;
        base->integer.max = INT64_MAX;
        break;
    case OVSDB_TYPE_REAL:
        base->real.min = -DBL_MAX;
        base->real.max = DBL_MAX;
        break;
    case OVSDB_TYPE_STRING:
        base->string.minLen = 0;
        base->string.maxLen = UINT_MAX;
        break;
    case OVSDB_TYPE_UUID:
        base->uuid.refTableName = NULL;
        base->uuid.refType = OVSDB_REF_STRONG;
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
}

const struct ovsdb_type *
ovsdb_base_type_get_enum_type(enum ovsdb_atomic_type type)
{
    static const struct ovsdb_type enum_types[OVSDB_N_TYPES] = {
        [OVSDB_TYPE_INTEGER] = { OVSDB_BASE_INTEGER_INIT,
                                 OVSDB_BASE_VOID_INIT, 1, UINT_MAX },
        [OVSDB_TYPE_REAL] = { OVSDB_BASE_REAL_INIT,
                              OVSDB_BASE_VOID_INIT, 1, UINT_MAX },
        [OVSDB_TYPE_BOOLEAN] = { OVSDB_BASE_BOOLEAN_INIT,
                                 OVSDB_BASE_VOID_INIT, 1, UINT_MAX },
        [OVSDB_TYPE_STRING] = { OVSDB_BASE_STRING_INIT,
                                OVSDB_BASE_VOID_INIT, 1, UINT_MAX },
        [OVSDB_TYPE_UUID] = { OVSDB_BASE_UUID_INIT,
                              OVSDB_BASE_VOID_INIT, 1, UINT_MAX },
    };
    plx_assert(ovsdb_atomic_type_is_valid(type));
    return &enum_types[type];
}

void
ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                      const struct ovsdb_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        dst->enum_ = xmalloc(sizeof *dst->enum_);
        ovsdb_datum_clone(dst->enum_, src->enum_,
                          ovsdb_base_type_get_enum_type(src->type));
    }
    if (src->type == OVSDB_TYPE_UUID && src->uuid.refTableName) {
        dst->uuid.refTableName = xstrdup(src->uuid.refTableName);
    }
}

void
ovsdb_base_type_destroy(struct ovsdb_base_type *base)
{
    if (!base) {
        return;
    }
    if (base->enum_) {
        ovsdb_datum_destroy(base->enum_,
                            ovsdb_base_type_get_enum_type(base->type));
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == OVSDB_TYPE_UUID) {
        free(base->uuid.refTableName);
        base->uuid.refTableName = NULL;
    }
}

bool
ovsdb_base_type_is_valid(const struct ovsdb_base_type *base)
{
    switch (base->type) {
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_TYPE_UUID:
        return true;
    case OVSDB_TYPE_INTEGER:
        return base->integer.min <= base->integer.max;
    case OVSDB_TYPE_REAL:
        return base->real.min <= base->real.max;
    case OVSDB_TYPE_STRING:
        return base->string.minLen <= base->string.maxLen;
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

bool
ovsdb_base_type_has_constraints(const struct ovsdb_base_type *base)
{
    if (base->enum_) {
        return true;
    }
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        return (base->integer.min != INT64_MIN
                || base->integer.max != INT64_MAX);
    case OVSDB_TYPE_REAL:
        return base->real.min != -DBL_MAX || base->real.max != DBL_MAX;
    case OVSDB_TYPE_STRING:
        return base->string.minLen != 0 || base->string.maxLen != UINT_MAX;
    case OVSDB_TYPE_UUID:
        return base->uuid.refTableName != NULL;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

void
ovsdb_base_type_clear_constraints(struct ovsdb_base_type *base)
{
    enum ovsdb_atomic_type type = base->type;
    ovsdb_base_type_destroy(base);
    ovsdb_base_type_init(base, type);
}

bool
ovsdb_base_type_equals(const struct ovsdb_base_type *a,
                       const struct ovsdb_base_type *b)
{
    if (a->type != b->type || !a->enum_ != !b->enum_) {
        return false;
    }
    if (a->enum_ && !ovsdb_datum_equals(a->enum_, b->enum_,
                                        ovsdb_base_type_get_enum_type(
                                            a->type))) {
        return false;
    }
    switch (a->type) {
    case OVSDB_TYPE_INTEGER:
        return (a->integer.min == b->integer.min
                && a->integer.max == b->integer.max);
    case OVSDB_TYPE_REAL:
        return a->real.min == b->real.min && a->real.max == b->real.max;
    case OVSDB_TYPE_STRING:
        return (a->string.minLen == b->string.minLen
                && a->string.maxLen == b->string.maxLen);
    case OVSDB_TYPE_UUID:
        if (!a->uuid.refTableName || !b->uuid.refTableName) {
            return !a->uuid.refTableName && !b->uuid.refTableName;
        }
        return (!strcmp(a->uuid.refTableName, b->uuid.refTableName)
                && a->uuid.refType == b->uuid.refType);
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return true;
    }
}

static struct ovsdb_error *
parse_optional_uint(struct ovsdb_parser *parser, const char *member,
                    unsigned int *uint)
{
    const json_t *json = ovsdb_parser_member(parser, member,
                                             OP_INTEGER | OP_OPTIONAL);
    if (json) {
        json_int_t n = json_integer_value(json);
        if (n < 0 || n > UINT_MAX) {
            return ovsdb_syntax_error(json, NULL,
                                      "%s out of valid range 0 to %u",
                                      member, UINT_MAX);
        }
        *uint = n;
    }
    return NULL;
}

/* Parses the constraints that go with BASE->type, other than "enum". */
static struct ovsdb_error *
parse_type_constraints(struct ovsdb_base_type *base,
                       struct ovsdb_parser *parser, const json_t *json)
{
    struct ovsdb_error *error = NULL;

    if (base->type == OVSDB_TYPE_INTEGER) {
        const json_t *min = ovsdb_parser_member(parser, "minInteger",
                                                OP_INTEGER | OP_OPTIONAL);
        const json_t *max = ovsdb_parser_member(parser, "maxInteger",
                                                OP_INTEGER | OP_OPTIONAL);
        base->integer.min = min ? json_integer_value(min) : INT64_MIN;
        base->integer.max = max ? json_integer_value(max) : INT64_MAX;
        if (base->integer.min > base->integer.max) {
            error = ovsdb_syntax_error(json, NULL,
                                       "minInteger exceeds maxInteger");
        }
    } else if (base->type == OVSDB_TYPE_REAL) {
        const json_t *min = ovsdb_parser_member(parser, "minReal",
                                                OP_NUMBER | OP_OPTIONAL);
        const json_t *max = ovsdb_parser_member(parser, "maxReal",
                                                OP_NUMBER | OP_OPTIONAL);
        base->real.min = min ? json_number_value(min) : -DBL_MAX;
        base->real.max = max ? json_number_value(max) : DBL_MAX;
        if (base->real.min > base->real.max) {
            error = ovsdb_syntax_error(json, NULL, "minReal exceeds maxReal");
        }
    } else if (base->type == OVSDB_TYPE_STRING) {
        error = parse_optional_uint(parser, "minLength",
                                    &base->string.minLen);
        if (!error) {
            error = parse_optional_uint(parser, "maxLength",
                                        &base->string.maxLen);
        }
        if (!error && base->string.minLen > base->string.maxLen) {
            error = ovsdb_syntax_error(json, NULL,
                                       "minLength exceeds maxLength");
        }
    } else if (base->type == OVSDB_TYPE_UUID) {
        const json_t *refTable = ovsdb_parser_member(parser, "refTable",
                                                     OP_ID | OP_OPTIONAL);
        if (refTable) {
            base->uuid.refTableName = xstrdup(json_string_value(refTable));
            base->uuid.refType = OVSDB_REF_STRONG;

            /* "refType" is allowed only with "refTable"; without one, the
             * parser reports it as a member not allowed here. */
            const json_t *refType = ovsdb_parser_member(parser, "refType",
                                                        OP_ID | OP_OPTIONAL);
            if (refType) {
                const char *s = json_string_value(refType);
                if (!strcmp(s, "weak")) {
                    base->uuid.refType = OVSDB_REF_WEAK;
                } else if (strcmp(s, "strong")) {
                    error = ovsdb_syntax_error(
                        json, NULL, "refType must be \"strong\" or \"weak\" "
                        "(not \"%s\")", s);
                }
            }
        }
    }
    return error;
}

struct ovsdb_error *
ovsdb_base_type_from_json(struct ovsdb_base_type *base, const json_t *json)
{
    struct ovsdb_parser parser;
    struct ovsdb_error *error;

    ovsdb_base_type_init(base, OVSDB_TYPE_VOID);
    if (json_is_string(json)) {
        enum ovsdb_atomic_type type;
        error = ovsdb_atomic_type_from_json(&type, json);
        if (!error) {
            ovsdb_base_type_init(base, type);
        }
        return error;
    }

    ovsdb_parser_init(&parser, json, "ovsdb type");
    const json_t *type = ovsdb_parser_member(&parser, "type", OP_STRING);
    if (ovsdb_parser_has_error(&parser)) {
        return ovsdb_parser_finish(&parser);
    }

    enum ovsdb_atomic_type atomic;
    error = ovsdb_atomic_type_from_json(&atomic, type);
    if (error) {
        ovsdb_error_destroy(ovsdb_parser_finish(&parser));
        return error;
    }
    ovsdb_base_type_init(base, atomic);

    const json_t *enum_ = ovsdb_parser_member(&parser, "enum",
                                              OP_ANY | OP_OPTIONAL);
    if (enum_) {
        base->enum_ = xmalloc(sizeof *base->enum_);
        error = ovsdb_datum_from_json(base->enum_,
                                      ovsdb_base_type_get_enum_type(atomic),
                                      enum_, NULL);
        if (error) {
            free(base->enum_);
            base->enum_ = NULL;
        }
    } else {
        error = parse_type_constraints(base, &parser, json);
    }

    if (error) {
        ovsdb_error_destroy(ovsdb_parser_finish(&parser));
    } else {
        error = ovsdb_parser_finish(&parser);
    }
    if (error) {
        ovsdb_base_type_destroy(base);
        ovsdb_base_type_init(base, OVSDB_TYPE_VOID);
    }
    return error;
}

json_t *
ovsdb_base_type_to_json(const struct ovsdb_base_type *base)
{
    if (!ovsdb_base_type_has_constraints(base)) {
        return ovsdb_atomic_type_to_json(base->type);
    }

    json_t *json = json_object();
    json_object_set_new(json, "type", ovsdb_atomic_type_to_json(base->type));
    if (base->enum_) {
        json_object_set_new(json, "enum", ovsdb_datum_to_json(
                                base->enum_,
                                ovsdb_base_type_get_enum_type(base->type)));
    }
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (base->integer.min != INT64_MIN) {
            json_object_set_new(json, "minInteger",
                                json_integer(base->integer.min));
        }
        if (base->integer.max != INT64_MAX) {
            json_object_set_new(json, "maxInteger",
                                json_integer(base->integer.max));
        }
        break;
    case OVSDB_TYPE_REAL:
        if (base->real.min != -DBL_MAX) {
            json_object_set_new(json, "minReal", json_real(base->real.min));
        }
        if (base->real.max != DBL_MAX) {
            json_object_set_new(json, "maxReal", json_real(base->real.max));
        }
        break;
    case OVSDB_TYPE_STRING:
        if (base->string.minLen != 0) {
            json_object_set_new(json, "minLength",
                                json_integer(base->string.minLen));
        }
        if (base->string.maxLen != UINT_MAX) {
            json_object_set_new(json, "maxLength",
                                json_integer(base->string.maxLen));
        }
        break;
    case OVSDB_TYPE_UUID:
        if (base->uuid.refTableName) {
            json_object_set_new(json, "refTable",
                                json_string(base->uuid.refTableName));
            if (base->uuid.refType == OVSDB_REF_WEAK) {
                json_object_set_new(json, "refType", json_string("weak"));
            }
        }
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
    return json;
}

/* Types. */

void
ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src)
{
    ovsdb_base_type_clone(&dst->key, &src->key);
    ovsdb_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

void
ovsdb_type_destroy(struct ovsdb_type *type)
{
    ovsdb_base_type_destroy(&type->key);
    ovsdb_base_type_destroy(&type->value);
}

bool
ovsdb_type_is_valid(const struct ovsdb_type *type)
{
    return (type->key.type != OVSDB_TYPE_VOID
            && ovsdb_base_type_is_valid(&type->key)
            && ovsdb_base_type_is_valid(&type->value)
            && type->n_min <= 1
            && type->n_max >= 1);
}

bool
ovsdb_type_equals(const struct ovsdb_type *a, const struct ovsdb_type *b)
{
    return (a->n_min == b->n_min && a->n_max == b->n_max
            && ovsdb_base_type_equals(&a->key, &b->key)
            && ovsdb_base_type_equals(&a->value, &b->value));
}

static struct ovsdb_error *
n_from_json(const json_t *json, unsigned int *n)
{
    if (!json) {
        return NULL;
    } else if (json_is_integer(json) && json_integer_value(json) >= 0
               && json_integer_value(json) < UINT_MAX) {
        *n = json_integer_value(json);
        return NULL;
    } else {
        return ovsdb_syntax_error(json, NULL, "bad min or max value");
    }
}

static struct ovsdb_error *
type_from_object(struct ovsdb_type *type, const json_t *json)
{
    struct ovsdb_parser parser;
    struct ovsdb_error *error;

    ovsdb_parser_init(&parser, json, "ovsdb type");
    const json_t *key = ovsdb_parser_member(&parser, "key",
                                            OP_STRING | OP_OBJECT);
    const json_t *value = ovsdb_parser_member(&parser, "value",
                                              OP_STRING | OP_OBJECT
                                              | OP_OPTIONAL);
    const json_t *min = ovsdb_parser_member(&parser, "min",
                                            OP_INTEGER | OP_OPTIONAL);
    const json_t *max = ovsdb_parser_member(&parser, "max",
                                            OP_INTEGER | OP_STRING
                                            | OP_OPTIONAL);
    error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    error = ovsdb_base_type_from_json(&type->key, key);
    if (!error && value) {
        error = ovsdb_base_type_from_json(&type->value, value);
    }
    if (!error) {
        error = n_from_json(min, &type->n_min);
    }
    if (!error) {
        if (max && json_is_string(max)
            && !strcmp(json_string_value(max), "unlimited")) {
            type->n_max = UINT_MAX;
        } else {
            error = n_from_json(max, &type->n_max);
        }
    }
    if (!error && !ovsdb_type_is_valid(type)) {
        error = ovsdb_syntax_error(json, NULL,
                                   "ovsdb type fails constraint checks");
    }
    return error;
}

struct ovsdb_error *
ovsdb_type_from_json(struct ovsdb_type *type, const json_t *json)
{
    struct ovsdb_error *error;

    ovsdb_base_type_init(&type->key, OVSDB_TYPE_VOID);
    ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
    type->n_min = 1;
    type->n_max = 1;

    if (json_is_string(json)) {
        error = ovsdb_base_type_from_json(&type->key, json);
    } else if (json_is_object(json)) {
        error = type_from_object(type, json);
    } else {
        error = ovsdb_syntax_error(json, NULL, "ovsdb type expected");
    }

    if (error) {
        ovsdb_type_destroy(type);
        ovsdb_base_type_init(&type->key, OVSDB_TYPE_VOID);
        ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
    }
    return error;
}

json_t *
ovsdb_type_to_json(const struct ovsdb_type *type)
{
    if (ovsdb_type_is_scalar(type)
        && !ovsdb_base_type_has_constraints(&type->key)) {
        return ovsdb_base_type_to_json(&type->key);
    }

    json_t *json = json_object();
    json_object_set_new(json, "key", ovsdb_base_type_to_json(&type->key));
    if (type->value.type != OVSDB_TYPE_VOID) {
        json_object_set_new(json, "value",
                            ovsdb_base_type_to_json(&type->value));
    }
    if (type->n_min != 1) {
        json_object_set_new(json, "min", json_integer(type->n_min));
    }
    if (type->n_max == UINT_MAX) {
        json_object_set_new(json, "max", json_string("unlimited"));
    } else if (type->n_max != 1) {
        json_object_set_new(json, "max", json_integer(type->n_max));
    }
    return json;
}

char *
ovsdb_type_to_english(const struct ovsdb_type *type)
{
    const char *key = ovsdb_atomic_type_to_string(type->key.type);
    const char *value = ovsdb_atomic_type_to_string(type->value.type);

    if (ovsdb_type_is_scalar(type)) {
        return xstrdup(key);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, ovsdb_type_is_map(type) ? "map" : "set");
    if (type->n_max == UINT_MAX) {
        if (type->n_min) {
            ds_put_format(&s, " of %u or more", type->n_min);
        } else {
            ds_put_cstr(&s, " of");
        }
    } else if (type->n_min) {
        ds_put_format(&s, " of %u to %u", type->n_min, type->n_max);
    } else {
        ds_put_format(&s, " of up to %u", type->n_max);
    }
    if (ovsdb_type_is_map(type)) {
        ds_put_format(&s, " (%s, %s) pairs", key, value);
    } else {
        ds_put_format(&s, " %ss", key);
    }
    return ds_steal_cstr(&s);
}
