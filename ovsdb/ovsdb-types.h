/*
 * ovsdb-types: the OVSDB type system of RFC 7047 section 3.2.
 *
 * Every column has a type: a key base type, an optional value base type,
 * and bounds [n_min, n_max] on how many elements the column holds.
 *
 *     "integer"                               scalar: n_min = n_max = 1
 *     {"key": "string", "min": 0}             optional scalar (0 or 1)
 *     {"key": "uuid", "min": 0, "max": "unlimited"}      set
 *     {"key": "string", "value": "string",
 *      "min": 0, "max": "unlimited"}          map
 *
 * A base type is one of the five atomic types (integer, real, boolean,
 * string, uuid) plus constraints: an "enum" of allowed values, integer or
 * real bounds, string lengths in characters, or for a uuid a "refTable"
 * the UUIDs point into, with a "refType" (strong or weak).  The JSON
 * forms are parsed with every rule of the RFC and Open vSwitch's
 * ovsdb-server (unknown members, members for the wrong atomic type,
 * min > max, refType without refTable... are syntax errors) and written
 * back in the shortest equivalent form, so from_json(to_json(t)) == t.
 *
 * Invariants of a valid type (ovsdb_type_is_valid()): the key is not
 * VOID; n_min is 0 or 1; 1 <= n_max, with UINT_MAX meaning "unlimited";
 * each base type's min <= max.  OVSDB_TYPE_VOID as the value type means
 * "not a map".
 *
 * A base type owns its refTableName string and its enum datum (which is
 * a set of atoms of its own atomic type, kept sorted like every datum);
 * clone and destroy take care of both.
 */
#ifndef PLX_OVSDB_TYPES_H
#define PLX_OVSDB_TYPES_H 1

#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "util.h"

struct ovsdb_datum;
struct ovsdb_error;

enum ovsdb_atomic_type {
    OVSDB_TYPE_VOID,            /* No value: "not a map". */
    OVSDB_TYPE_INTEGER,         /* int64_t. */
    OVSDB_TYPE_REAL,            /* double, always finite. */
    OVSDB_TYPE_BOOLEAN,         /* bool. */
    OVSDB_TYPE_STRING,          /* UTF-8 text, no NUL bytes. */
    OVSDB_TYPE_UUID,            /* struct uuid. */
    OVSDB_N_TYPES
};

static inline bool
ovsdb_atomic_type_is_valid(enum ovsdb_atomic_type type)
{
    return type > OVSDB_TYPE_VOID && type < OVSDB_N_TYPES;
}

const char *ovsdb_atomic_type_to_string(enum ovsdb_atomic_type);
bool ovsdb_atomic_type_from_string(const char *, enum ovsdb_atomic_type *);
struct ovsdb_error *ovsdb_atomic_type_from_json(enum ovsdb_atomic_type *,
                                                const json_t *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_atomic_type_to_json(enum ovsdb_atomic_type);

enum ovsdb_ref_type {
    OVSDB_REF_STRONG,           /* Referenced row must exist. */
    OVSDB_REF_WEAK              /* Dangling references are dropped. */
};

struct ovsdb_integer_constraints {
    int64_t min;                /* INT64_MIN when unconstrained. */
    int64_t max;                /* INT64_MAX when unconstrained. */
};

struct ovsdb_real_constraints {
    double min;                 /* -DBL_MAX when unconstrained. */
    double max;                 /* DBL_MAX when unconstrained. */
};

struct ovsdb_string_constraints {
    unsigned int minLen;        /* In characters; 0 when unconstrained. */
    unsigned int maxLen;        /* In characters; UINT_MAX when so. */
};

struct ovsdb_uuid_constraints {
    char *refTableName;         /* Table referred to, or NULL. */
    enum ovsdb_ref_type refType; /* Meaningful only with refTableName. */
};

struct ovsdb_base_type {
    enum ovsdb_atomic_type type;

    /* If nonnull, the only values allowed: a set of atoms of 'type'.
     * With an enum, the per-type constraints below are unconstrained. */
    struct ovsdb_datum *enum_;

    union {
        struct ovsdb_integer_constraints integer;
        struct ovsdb_real_constraints real;
        struct ovsdb_string_constraints string;
        struct ovsdb_uuid_constraints uuid;
    };
};

#define OVSDB_BASE_VOID_INIT    { .type = OVSDB_TYPE_VOID }
#define OVSDB_BASE_INTEGER_INIT { .type = OVSDB_TYPE_INTEGER,          \
                                  .integer = { INT64_MIN, INT64_MAX } }
#define OVSDB_BASE_REAL_INIT    { .type = OVSDB_TYPE_REAL,             \
                                  .real = { -DBL_MAX, DBL_MAX } }
#define OVSDB_BASE_BOOLEAN_INIT { .type = OVSDB_TYPE_BOOLEAN }
#define OVSDB_BASE_STRING_INIT  { .type = OVSDB_TYPE_STRING,           \
                                  .string = { 0, UINT_MAX } }
#define OVSDB_BASE_UUID_INIT    { .type = OVSDB_TYPE_UUID,             \
                                  .uuid = { NULL, OVSDB_REF_STRONG } }

/* Initializes BASE as TYPE without constraints. */
void ovsdb_base_type_init(struct ovsdb_base_type *, enum ovsdb_atomic_type);
void ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                           const struct ovsdb_base_type *src);
void ovsdb_base_type_destroy(struct ovsdb_base_type *);
bool ovsdb_base_type_is_valid(const struct ovsdb_base_type *);
bool ovsdb_base_type_has_constraints(const struct ovsdb_base_type *);
void ovsdb_base_type_clear_constraints(struct ovsdb_base_type *);
bool ovsdb_base_type_equals(const struct ovsdb_base_type *,
                            const struct ovsdb_base_type *);
/* The type an enum of atomic TYPE has: a set of 1 or more TYPEs. */
const struct ovsdb_type *ovsdb_base_type_get_enum_type(
    enum ovsdb_atomic_type);

/* On error, BASE is left as VOID (nothing to destroy). */
struct ovsdb_error *ovsdb_base_type_from_json(struct ovsdb_base_type *,
                                              const json_t *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_base_type_to_json(const struct ovsdb_base_type *);

static inline bool
ovsdb_base_type_is_ref(const struct ovsdb_base_type *base)
{
    return base->type == OVSDB_TYPE_UUID && base->uuid.refTableName;
}

static inline bool
ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *base)
{
    return ovsdb_base_type_is_ref(base)
           && base->uuid.refType == OVSDB_REF_STRONG;
}

static inline bool
ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *base)
{
    return ovsdb_base_type_is_ref(base)
           && base->uuid.refType == OVSDB_REF_WEAK;
}

/* A column's type. */
struct ovsdb_type {
    struct ovsdb_base_type key;
    struct ovsdb_base_type value;   /* OVSDB_TYPE_VOID if not a map. */
    unsigned int n_min;             /* 0 or 1. */
    unsigned int n_max;             /* >= 1; UINT_MAX means unlimited. */
};

#define OVSDB_TYPE_SCALAR_INITIALIZER(KEY) \
    { KEY, OVSDB_BASE_VOID_INIT, 1, 1 }

extern const struct ovsdb_type ovsdb_type_integer;
extern const struct ovsdb_type ovsdb_type_real;
extern const struct ovsdb_type ovsdb_type_boolean;
extern const struct ovsdb_type ovsdb_type_string;
extern const struct ovsdb_type ovsdb_type_uuid;

void ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src);
void ovsdb_type_destroy(struct ovsdb_type *);
bool ovsdb_type_is_valid(const struct ovsdb_type *);
bool ovsdb_type_equals(const struct ovsdb_type *, const struct ovsdb_type *);

/* On error, TYPE is left with VOID base types (nothing to destroy). */
struct ovsdb_error *ovsdb_type_from_json(struct ovsdb_type *, const json_t *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_type_to_json(const struct ovsdb_type *);
/* "integer", "set of up to 4 strings", "map of (string, integer) pairs",
 * ...; the caller frees it. */
char *ovsdb_type_to_english(const struct ovsdb_type *);

static inline bool
ovsdb_type_is_scalar(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID
            && type->n_min == 1 && type->n_max == 1);
}

static inline bool
ovsdb_type_is_optional(const struct ovsdb_type *type)
{
    return type->n_min == 0;
}

static inline bool
ovsdb_type_is_optional_scalar(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID
            && type->n_min == 0 && type->n_max == 1);
}

static inline bool
ovsdb_type_is_composite(const struct ovsdb_type *type)
{
    return type->n_max > 1;
}

static inline bool
ovsdb_type_is_set(const struct ovsdb_type *type)
{
    return (type->value.type == OVSDB_TYPE_VOID
            && (type->n_min != 1 || type->n_max != 1));
}

static inline bool
ovsdb_type_is_map(const struct ovsdb_type *type)
{
    return type->value.type != OVSDB_TYPE_VOID;
}

#endif /* ovsdb/ovsdb-types.h */
