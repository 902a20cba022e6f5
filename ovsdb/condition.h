/*
 * condition: the "where" clauses of RFC 7047 (section 5.1, <condition>).
 *
 * A condition is a conjunction of clauses [column, function, value]; a
 * row matches if every clause holds (so no clauses match every row).  As
 * in Open vSwitch a clause may also be the JSON literal true or false.
 *
 * Functions: <, <=, >, >= apply to integer and real columns that hold
 * exactly one value or at most one (an empty optional value never
 * satisfies them); == and != apply to every column; "includes" and
 * "excludes" test whether every element (set) or pair (map) of the value
 * is, or none is, in the column.  On a scalar column "includes" means ==
 * and "excludes" means !=.  The value is parsed with the column's type,
 * relaxed as ovsdb-server relaxes it: "includes" accepts fewer elements
 * than the column's minimum, "excludes" any number.
 *
 * Errors are ovsdb-server's: "syntax error" ("Parse error in
 * condition.", "Type mismatch: ..."), "unknown column" ("No column X in
 * table T."), "unknown function" ("No function named X."), and whatever
 * parsing the value reports.
 */
#ifndef PLX_OVSDB_CONDITION_H
#define PLX_OVSDB_CONDITION_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-schema.h"
#include "util.h"

struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_symbol_table;

enum ovsdb_function {
    OVSDB_F_FALSE,
    OVSDB_F_TRUE,
    OVSDB_F_LT,
    OVSDB_F_LE,
    OVSDB_F_EQ,
    OVSDB_F_NE,
    OVSDB_F_GE,
    OVSDB_F_GT,
    OVSDB_F_INCLUDES,
    OVSDB_F_EXCLUDES
};

/* Parses NAME ("<", "==", "includes", ...; not "true"/"false"). */
struct ovsdb_error *ovsdb_function_from_string(const char *name,
                                               enum ovsdb_function *)
    PLX_WARN_UNUSED_RESULT;
const char *ovsdb_function_to_string(enum ovsdb_function);

struct ovsdb_clause {
    enum ovsdb_function function;
    const struct ovsdb_column_schema *column;   /* NULL for true/false. */
    struct ovsdb_datum arg;         /* Of the column's atomic types. */
};

struct ovsdb_condition {
    struct ovsdb_clause *clauses;
    size_t n_clauses;
};

#define OVSDB_CONDITION_INITIALIZER { NULL, 0 }

void ovsdb_condition_init(struct ovsdb_condition *);
void ovsdb_condition_destroy(struct ovsdb_condition *);

/* Parses JSON, an array of clauses on columns of TABLE.  On error,
 * CONDITION is left empty. */
struct ovsdb_error *ovsdb_condition_from_json(
    const struct ovsdb_table_schema *, const json_t *,
    struct ovsdb_symbol_table *, struct ovsdb_condition *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_condition_to_json(const struct ovsdb_condition *);

/* True if FIELDS (one datum per column of the condition's table, e.g. a
 * row's 'fields') satisfy every clause. */
bool ovsdb_condition_match_fields(const struct ovsdb_datum *fields,
                                  const struct ovsdb_condition *);
bool ovsdb_condition_match(const struct ovsdb_row *,
                           const struct ovsdb_condition *);

/* If some clause is _uuid == UUID, returns that UUID (then no other row
 * can match), else NULL. */
const struct uuid *ovsdb_condition_get_uuid(const struct ovsdb_condition *);
/* True if the condition is the empty conjunction or only "true"s. */
bool ovsdb_condition_is_true(const struct ovsdb_condition *);
/* True if some clause is the literal false. */
bool ovsdb_condition_is_false(const struct ovsdb_condition *);

#endif /* ovsdb/condition.h */
