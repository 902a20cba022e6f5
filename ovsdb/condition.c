/* ovsdb/condition: "where" clauses.  See condition.h. */
#include <config.h>
#include "ovsdb/condition.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/ovsdb-error.h"
#include "ovsdb/row.h"

static const char *const function_names[] = {
    [OVSDB_F_FALSE] = "false",
    [OVSDB_F_TRUE] = "true",
    [OVSDB_F_LT] = "<",
    [OVSDB_F_LE] = "<=",
    [OVSDB_F_EQ] = "==",
    [OVSDB_F_NE] = "!=",
    [OVSDB_F_GE] = ">=",
    [OVSDB_F_GT] = ">",
    [OVSDB_F_INCLUDES] = "includes",
    [OVSDB_F_EXCLUDES] = "excludes",
};

struct ovsdb_error *
ovsdb_function_from_string(const char *name, enum ovsdb_function *function)
{
    for (size_t i = OVSDB_F_LT; i < ARRAY_SIZE(function_names); i++) {
        if (!strcmp(name, function_names[i])) {
            *function = i;
            return NULL;
        }
    }
    return ovsdb_syntax_error(NULL, "unknown function",
                              "No function named %s.", name);
}

const char *
ovsdb_function_to_string(enum ovsdb_function function)
{
    return ((size_t) function < ARRAY_SIZE(function_names)
            ? function_names[function] : "<unknown>");
}

void
ovsdb_condition_init(struct ovsdb_condition *cond)
{
    cond->clauses = NULL;
    cond->n_clauses = 0;
}

static void
clause_destroy(struct ovsdb_clause *clause)
{
    if (clause->column) {
        ovsdb_datum_destroy(&clause->arg, &clause->column->type);
    }
}

void
ovsdb_condition_destroy(struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        clause_destroy(&cond->clauses[i]);
    }
    free(cond->clauses);
    ovsdb_condition_init(cond);
}

static struct ovsdb_error *
type_mismatch(const json_t *json, enum ovsdb_function function,
              const struct ovsdb_column_schema *column)
{
    char *s = ovsdb_type_to_english(&column->type);
    struct ovsdb_error *error = ovsdb_syntax_error(
        json, NULL, "Type mismatch: \"%s\" operator may not be applied to "
        "column %s of type %s.", ovsdb_function_to_string(function),
        column->name, s);
    free(s);
    return error;
}

static struct ovsdb_error *
clause_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                 struct ovsdb_symbol_table *symtab,
                 struct ovsdb_clause *clause)
{
    clause->column = NULL;
    ovsdb_datum_init_empty(&clause->arg);
    if (json_is_boolean(json)) {
        clause->function = json_is_true(json) ? OVSDB_F_TRUE : OVSDB_F_FALSE;
        return NULL;
    }
    if (!json_is_array(json) || json_array_size(json) != 3
        || !ovsdb_json_is_cstring(json_array_get(json, 0))
        || !ovsdb_json_is_cstring(json_array_get(json, 1))) {
        return ovsdb_syntax_error(json, NULL, "Parse error in condition.");
    }

    const char *column_name = json_string_value(json_array_get(json, 0));
    const struct ovsdb_column_schema *column
        = ovsdb_table_schema_get_column(ts, column_name);
    if (!column) {
        return ovsdb_syntax_error(json, "unknown column",
                                  "No column %s in table %s.",
                                  column_name, ts->name);
    }

    enum ovsdb_function function = OVSDB_F_FALSE;
    struct ovsdb_error *error = ovsdb_function_from_string(
        json_string_value(json_array_get(json, 1)), &function);
    if (error) {
        return error;
    }

    /* Relax the value's type where the function allows it.  A shallow
     * copy is enough: only the bounds change, nothing is freed. */
    struct ovsdb_type type = column->type;
    switch (function) {
    case OVSDB_F_LT:
    case OVSDB_F_LE:
    case OVSDB_F_GT:
    case OVSDB_F_GE:
        if (!(ovsdb_type_is_scalar(&type)
              || ovsdb_type_is_optional_scalar(&type))
            || (type.key.type != OVSDB_TYPE_INTEGER
                && type.key.type != OVSDB_TYPE_REAL)) {
            return type_mismatch(json, function, column);
        }
        break;
    case OVSDB_F_EQ:
    case OVSDB_F_NE:
        break;
    case OVSDB_F_EXCLUDES:
        if (!ovsdb_type_is_scalar(&type)) {
            type.n_min = 0;
            type.n_max = UINT_MAX;
        }
        break;
    case OVSDB_F_INCLUDES:
        if (!ovsdb_type_is_scalar(&type)) {
            type.n_min = 0;
        }
        break;
    case OVSDB_F_TRUE:
    case OVSDB_F_FALSE:
    default:
        PLX_NOT_REACHED();
    }

    error = ovsdb_datum_from_json(&clause->arg, &type,
                                  json_array_get(json, 2), symtab);
    if (!error) {
        clause->function = function;
        clause->column = column;
    }
    return error;
}

struct ovsdb_error *
ovsdb_condition_from_json(const struct ovsdb_table_schema *ts,
                          const json_t *json,
                          struct ovsdb_symbol_table *symtab,
                          struct ovsdb_condition *cond)
{
    ovsdb_condition_init(cond);
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL, "array expected");
    }

    size_t n = json_array_size(json);
    cond->clauses = xmalloc(MAX(n, 1) * sizeof *cond->clauses);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error = clause_from_json(
            ts, json_array_get(json, i), symtab,
            &cond->clauses[cond->n_clauses]);
        if (error) {
            ovsdb_condition_destroy(cond);
            return error;
        }
        cond->n_clauses++;
    }
    return NULL;
}

json_t *
ovsdb_condition_to_json(const struct ovsdb_condition *cond)
{
    json_t *json = json_array();

    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *c = &cond->clauses[i];
        if (!c->column) {
            json_array_append_new(json, json_boolean(c->function
                                                     == OVSDB_F_TRUE));
        } else {
            json_array_append_new(json, json_pack(
                "[s, s, o]", c->column->name,
                ovsdb_function_to_string(c->function),
                ovsdb_datum_to_json(&c->arg, &c->column->type)));
        }
    }
    return json;
}

static bool
clause_match(const struct ovsdb_datum *fields, const struct ovsdb_clause *c)
{
    if (!c->column) {
        return c->function == OVSDB_F_TRUE;
    }

    const struct ovsdb_datum *field = &fields[c->column->index];
    const struct ovsdb_datum *arg = &c->arg;
    const struct ovsdb_type *type = &c->column->type;

    if ((ovsdb_type_is_scalar(type) || ovsdb_type_is_optional_scalar(type))
        && field->n && arg->n) {
        int cmp = ovsdb_atom_compare_3way(&field->keys[0], &arg->keys[0],
                                          type->key.type);
        switch (c->function) {
        case OVSDB_F_LT: return cmp < 0;
        case OVSDB_F_LE: return cmp <= 0;
        case OVSDB_F_EQ:
        case OVSDB_F_INCLUDES: return cmp == 0;
        case OVSDB_F_NE:
        case OVSDB_F_EXCLUDES: return cmp != 0;
        case OVSDB_F_GE: return cmp >= 0;
        case OVSDB_F_GT: return cmp > 0;
        case OVSDB_F_TRUE:
        case OVSDB_F_FALSE:
        default:
            PLX_NOT_REACHED();
        }
    }

    /* Sets and maps, and optional values with an empty side. */
    switch (c->function) {
    case OVSDB_F_LT:
    case OVSDB_F_LE:
    case OVSDB_F_GE:
    case OVSDB_F_GT:
        return false;
    case OVSDB_F_EQ:
        return ovsdb_datum_equals(field, arg, type);
    case OVSDB_F_NE:
        return !ovsdb_datum_equals(field, arg, type);
    case OVSDB_F_INCLUDES:
        return ovsdb_datum_includes_all(arg, field, type);
    case OVSDB_F_EXCLUDES:
        return ovsdb_datum_excludes_all(arg, field, type);
    case OVSDB_F_TRUE:
    case OVSDB_F_FALSE:
    default:
        PLX_NOT_REACHED();
    }
}

bool
ovsdb_condition_match_fields(const struct ovsdb_datum *fields,
                             const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (!clause_match(fields, &cond->clauses[i])) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_match(const struct ovsdb_row *row,
                      const struct ovsdb_condition *cond)
{
    return ovsdb_condition_match_fields(row->fields, cond);
}

const struct uuid *
ovsdb_condition_get_uuid(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *c = &cond->clauses[i];
        if (c->column && c->column->index == OVSDB_COL_UUID
            && (c->function == OVSDB_F_EQ
                || c->function == OVSDB_F_INCLUDES)
            && c->arg.n == 1) {
            return &c->arg.keys[0].uuid;
        }
    }
    return NULL;
}

bool
ovsdb_condition_is_true(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function != OVSDB_F_TRUE) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_is_false(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function == OVSDB_F_FALSE) {
            return true;
        }
    }
    return false;
}
