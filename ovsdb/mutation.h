/*
 * mutation: the "mutations" of RFC 7047's "mutate" operation (section
 * 5.1, <mutation>): [column, mutator, value].
 *
 * Mutators: +=, -=, *=, /=, %= apply to integer and real columns that are
 * scalars or sets (every element is changed; %= only on integers); the
 * value is one integer or real, parsed without the column's constraints.
 * "insert" and "delete" apply to sets and maps: insert adds elements
 * (for a map, pairs whose key is not there yet), delete removes elements
 * (for a map, the pairs given, or every pair whose key is in a given set
 * of keys).
 *
 * Results follow Open vSwitch: "domain error" ("Division by zero."),
 * "range error" ("Result of \"+=\" operation is out of range.") on
 * integer overflow or a real result beyond the finite doubles,
 * "constraint violation" for a result outside the column's constraints,
 * with duplicate elements ("Result of \"*=\" operation contains
 * duplicates.") or with a number of elements outside the column's bounds
 * ("Attempted to store 3 elements in set of 1 to 2 integers.").  Parse
 * errors: "Parse error in mutation.", "unknown column", "unknown mutator"
 * ("No mutator named X."), "constraint violation" for an immutable
 * column, "Type mismatch: ..." for a mutator the column's type does not
 * allow.
 */
#ifndef PLX_OVSDB_MUTATION_H
#define PLX_OVSDB_MUTATION_H 1

#include <jansson.h>
#include <stddef.h>
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-types.h"
#include "util.h"

struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_symbol_table;

enum ovsdb_mutator {
    OVSDB_M_ADD,
    OVSDB_M_SUB,
    OVSDB_M_MUL,
    OVSDB_M_DIV,
    OVSDB_M_MOD,
    OVSDB_M_INSERT,
    OVSDB_M_DELETE
};

struct ovsdb_error *ovsdb_mutator_from_string(const char *,
                                              enum ovsdb_mutator *)
    PLX_WARN_UNUSED_RESULT;
const char *ovsdb_mutator_to_string(enum ovsdb_mutator);

struct ovsdb_mutation {
    enum ovsdb_mutator mutator;
    const struct ovsdb_column_schema *column;
    struct ovsdb_datum arg;
    struct ovsdb_type type;         /* Type of 'arg'. */
};

struct ovsdb_mutation_set {
    struct ovsdb_mutation *mutations;
    size_t n_mutations;
};

#define OVSDB_MUTATION_SET_INITIALIZER { NULL, 0 }

/* Parses JSON, an array of mutations of columns of TABLE.  On error, SET
 * is left empty. */
struct ovsdb_error *ovsdb_mutation_set_from_json(
    const struct ovsdb_table_schema *, const json_t *,
    struct ovsdb_symbol_table *, struct ovsdb_mutation_set *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *);
void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *);

/* Applies SET to ROW in order.  On error ROW may be partly mutated (the
 * caller aborts the transaction), but each datum stays valid. */
struct ovsdb_error *ovsdb_mutation_set_execute(
    struct ovsdb_row *, const struct ovsdb_mutation_set *)
    PLX_WARN_UNUSED_RESULT;

#endif /* ovsdb/mutation.h */
