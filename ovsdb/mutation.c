/* ovsdb/mutation: "mutate" mutations.  See mutation.h. */
#include <config.h>
#include "ovsdb/mutation.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-error.h"
#include "ovsdb/row.h"

static const char *const mutator_names[] = {
    [OVSDB_M_ADD] = "+=",
    [OVSDB_M_SUB] = "-=",
    [OVSDB_M_MUL] = "*=",
    [OVSDB_M_DIV] = "/=",
    [OVSDB_M_MOD] = "%=",
    [OVSDB_M_INSERT] = "insert",
    [OVSDB_M_DELETE] = "delete",
};

struct ovsdb_error *
ovsdb_mutator_from_string(const char *name, enum ovsdb_mutator *mutator)
{
    for (size_t i = 0; i < ARRAY_SIZE(mutator_names); i++) {
        if (!strcmp(name, mutator_names[i])) {
            *mutator = i;
            return NULL;
        }
    }
    return ovsdb_syntax_error(NULL, "unknown mutator",
                              "No mutator named %s.", name);
}

const char *
ovsdb_mutator_to_string(enum ovsdb_mutator mutator)
{
    return ((size_t) mutator < ARRAY_SIZE(mutator_names)
            ? mutator_names[mutator] : "<unknown>");
}

static struct ovsdb_error *
type_mismatch(const struct ovsdb_mutation *m, const json_t *json)
{
    char *s = ovsdb_type_to_english(&m->column->type);
    struct ovsdb_error *error = ovsdb_syntax_error(
        json, NULL, "Type mismatch: \"%s\" operator may not be applied to "
        "column %s of type %s.", ovsdb_mutator_to_string(m->mutator),
        m->column->name, s);
    free(s);
    return error;
}

static struct ovsdb_error *
mutation_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                   struct ovsdb_symbol_table *symtab,
                   struct ovsdb_mutation *m)
{
    struct ovsdb_error *error;

    if (!json_is_array(json) || json_array_size(json) != 3
        || !ovsdb_json_is_cstring(json_array_get(json, 0))
        || !ovsdb_json_is_cstring(json_array_get(json, 1))) {
        return ovsdb_syntax_error(json, NULL, "Parse error in mutation.");
    }

    const char *column_name = json_string_value(json_array_get(json, 0));
    m->column = ovsdb_table_schema_get_column(ts, column_name);
    if (!m->column) {
        return ovsdb_syntax_error(json, "unknown column",
                                  "No column %s in table %s.",
                                  column_name, ts->name);
    }
    if (!m->column->mutable) {
        return ovsdb_syntax_error(json, "constraint violation",
                                  "Cannot mutate immutable column %s in "
                                  "table %s.", column_name, ts->name);
    }
    error = ovsdb_mutator_from_string(
        json_string_value(json_array_get(json, 1)), &m->mutator);
    if (error) {
        return error;
    }

    const json_t *arg = json_array_get(json, 2);
    ovsdb_type_clone(&m->type, &m->column->type);
    switch (m->mutator) {
    case OVSDB_M_ADD:
    case OVSDB_M_SUB:
    case OVSDB_M_MUL:
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if ((!ovsdb_type_is_scalar(&m->type) && !ovsdb_type_is_set(&m->type))
            || (m->type.key.type != OVSDB_TYPE_INTEGER
                && m->type.key.type != OVSDB_TYPE_REAL)
            || (m->mutator == OVSDB_M_MOD
                && m->type.key.type == OVSDB_TYPE_REAL)) {
            error = type_mismatch(m, json);
            break;
        }
        ovsdb_base_type_clear_constraints(&m->type.key);
        m->type.n_min = m->type.n_max = 1;
        error = ovsdb_datum_from_json(&m->arg, &m->type, arg, symtab);
        break;

    case OVSDB_M_INSERT:
    case OVSDB_M_DELETE:
        if (!ovsdb_type_is_set(&m->type) && !ovsdb_type_is_map(&m->type)) {
            error = type_mismatch(m, json);
            break;
        }
        m->type.n_min = 0;
        if (m->mutator == OVSDB_M_DELETE) {
            m->type.n_max = UINT_MAX;
        }
        error = ovsdb_datum_from_json(&m->arg, &m->type, arg, symtab);
        if (error && ovsdb_type_is_map(&m->type)
            && m->mutator == OVSDB_M_DELETE) {
            /* Deleting from a map by a set of keys. */
            ovsdb_error_destroy(error);
            ovsdb_base_type_destroy(&m->type.value);
            ovsdb_base_type_init(&m->type.value, OVSDB_TYPE_VOID);
            error = ovsdb_datum_from_json(&m->arg, &m->type, arg, symtab);
        }
        break;

    default:
        PLX_NOT_REACHED();
    }
    if (error) {
        ovsdb_type_destroy(&m->type);
    }
    return error;
}

static void
mutation_destroy(struct ovsdb_mutation *m)
{
    ovsdb_datum_destroy(&m->arg, &m->type);
    ovsdb_type_destroy(&m->type);
}

struct ovsdb_error *
ovsdb_mutation_set_from_json(const struct ovsdb_table_schema *ts,
                             const json_t *json,
                             struct ovsdb_symbol_table *symtab,
                             struct ovsdb_mutation_set *set)
{
    set->mutations = NULL;
    set->n_mutations = 0;
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL, "array expected");
    }

    size_t n = json_array_size(json);
    set->mutations = xmalloc(MAX(n, 1) * sizeof *set->mutations);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error = mutation_from_json(
            ts, json_array_get(json, i), symtab,
            &set->mutations[set->n_mutations]);
        if (error) {
            ovsdb_mutation_set_destroy(set);
            return error;
        }
        set->n_mutations++;
    }
    return NULL;
}

json_t *
ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *set)
{
    json_t *json = json_array();

    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];
        json_array_append_new(json, json_pack(
            "[s, s, o]", m->column->name, ovsdb_mutator_to_string(m->mutator),
            ovsdb_datum_to_json(&m->arg, &m->type)));
    }
    return json;
}

void
ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        mutation_destroy(&set->mutations[i]);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n_mutations = 0;
}

/* Arithmetic.  Each returns NULL or an error, leaving *X unchanged on
 * error. */

static struct ovsdb_error *
range_error(enum ovsdb_mutator mutator)
{
    return ovsdb_error("range error",
                       "Result of \"%s\" operation is out of range.",
                       ovsdb_mutator_to_string(mutator));
}

static struct ovsdb_error *
mutate_integer(int64_t *x, int64_t y, enum ovsdb_mutator mutator)
{
    int64_t result;
    bool overflow;

    switch (mutator) {
    case OVSDB_M_ADD:
        overflow = __builtin_add_overflow(*x, y, &result);
        break;
    case OVSDB_M_SUB:
        overflow = __builtin_sub_overflow(*x, y, &result);
        break;
    case OVSDB_M_MUL:
        overflow = __builtin_mul_overflow(*x, y, &result);
        break;
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if (!y) {
            return ovsdb_error("domain error", "Division by zero.");
        }
        if (y == -1) {
            /* INT64_MIN / -1 overflows; the remainder is always 0. */
            overflow = mutator == OVSDB_M_DIV && *x == INT64_MIN;
            result = mutator == OVSDB_M_DIV && !overflow ? -*x : 0;
        } else {
            overflow = false;
            result = mutator == OVSDB_M_DIV ? *x / y : *x % y;
        }
        break;
    case OVSDB_M_INSERT:
    case OVSDB_M_DELETE:
    default:
        PLX_NOT_REACHED();
    }
    if (overflow) {
        return range_error(mutator);
    }
    *x = result;
    return NULL;
}

static struct ovsdb_error *
mutate_real(double *x, double y, enum ovsdb_mutator mutator)
{
    double result;

    switch (mutator) {
    case OVSDB_M_ADD:
        result = *x + y;
        break;
    case OVSDB_M_SUB:
        result = *x - y;
        break;
    case OVSDB_M_MUL:
        result = *x * y;
        break;
    case OVSDB_M_DIV:
        if (y == 0) {
            return ovsdb_error("domain error", "Division by zero.");
        }
        result = *x / y;
        break;
    case OVSDB_M_MOD:
    case OVSDB_M_INSERT:
    case OVSDB_M_DELETE:
    default:
        PLX_NOT_REACHED();
    }
    if (!isfinite(result)) {
        return range_error(mutator);
    }
    *x = result == 0 ? 0.0 : result;     /* No -0.0 in a datum. */
    return NULL;
}

/* Applies an arithmetic mutator to every element of DST, a scalar or set
 * of integers or reals, working on a copy so that DST stays valid. */
static struct ovsdb_error *
mutate_scalar(struct ovsdb_datum *dst, const struct ovsdb_type *dst_type,
              const union ovsdb_atom *arg, enum ovsdb_mutator mutator)
{
    const struct ovsdb_base_type *base = &dst_type->key;
    struct ovsdb_error *error = NULL;
    struct ovsdb_datum result;

    ovsdb_datum_clone(&result, dst, dst_type);
    for (unsigned int i = 0; i < result.n && !error; i++) {
        if (base->type == OVSDB_TYPE_INTEGER) {
            error = mutate_integer(&result.keys[i].integer, arg->integer,
                                   mutator);
        } else {
            error = mutate_real(&result.keys[i].real, arg->real, mutator);
        }
    }
    for (unsigned int i = 0; i < result.n && !error; i++) {
        error = ovsdb_atom_check_constraints(&result.keys[i], base);
    }
    if (!error) {
        error = ovsdb_datum_sort(&result, dst_type);
        if (error) {
            ovsdb_error_destroy(error);
            error = ovsdb_error("constraint violation",
                                "Result of \"%s\" operation contains "
                                "duplicates.",
                                ovsdb_mutator_to_string(mutator));
        }
    }
    if (!error) {
        ovsdb_datum_swap(dst, &result);
    }
    ovsdb_datum_destroy(&result, dst_type);
    return error;
}

static struct ovsdb_error *
check_count(const struct ovsdb_datum *dst, const struct ovsdb_type *type)
{
    if (dst->n < type->n_min || dst->n > type->n_max) {
        char *s = ovsdb_type_to_english(type);
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "Attempted to store %u elements in %s.",
            dst->n, s);
        free(s);
        return error;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_mutation_set_execute(struct ovsdb_row *row,
                           const struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];
        struct ovsdb_datum *dst = &row->fields[m->column->index];
        const struct ovsdb_type *dst_type = &m->column->type;
        struct ovsdb_error *error;

        switch (m->mutator) {
        case OVSDB_M_ADD:
        case OVSDB_M_SUB:
        case OVSDB_M_MUL:
        case OVSDB_M_DIV:
        case OVSDB_M_MOD:
            error = mutate_scalar(dst, dst_type, &m->arg.keys[0],
                                  m->mutator);
            break;
        case OVSDB_M_INSERT:
            ovsdb_datum_union(dst, &m->arg, dst_type, false);
            error = check_count(dst, dst_type);
            break;
        case OVSDB_M_DELETE:
            ovsdb_datum_subtract(dst, dst_type, &m->arg, &m->type);
            error = check_count(dst, dst_type);
            break;
        default:
            PLX_NOT_REACHED();
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}
