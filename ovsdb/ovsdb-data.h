/*
 * ovsdb-data: OVSDB values (RFC 7047 section 5.1) and their two syntaxes.
 *
 * An atom is one value of an atomic type (union ovsdb_atom); which member
 * is live is known only from the type, which every function therefore
 * takes.  String atoms are plain NUL-terminated, malloc()'d, UTF-8 char *
 * owned by the atom (not reference counted): clone copies, destroy frees.
 * Real atoms are always finite, and -0.0 is stored as 0.0.
 *
 * A datum is the value of one column: n atoms in 'keys' and, for a map,
 * n atoms in 'values' ('values' is NULL for a set or scalar).  A datum is
 * kept in canonical form: keys sorted ascending (integers and reals
 * numerically, false < true, strings by strcmp() on their bytes, UUIDs by
 * value, i.e. by printed form) with no two keys equal.  Two datums of one
 * type are therefore equal iff their arrays are element-wise equal, and
 * lookups are binary searches.  Functions named *_unsafe break the
 * invariant, and ovsdb_datum_sort() restores it (or reports a duplicate).
 *
 * JSON (RFC 7047 <value>): an atom is a JSON number, boolean or string,
 * or ["uuid", "xxxxxxxx-..."], or ["named-uuid", "<id>"] (accepted only
 * with a symbol table, which maps names to UUIDs); a set is ["set",
 * [atom...]] or, with one element, the bare atom; a map is ["map",
 * [[key, value]...]].  Output uses the bare atom for one-element sets, as
 * Open vSwitch does.  Parsing checks everything: element counts against
 * [n_min, n_max], each atom against its base type's constraints (enum,
 * integer/real range, string length in UTF-8 characters, valid UTF-8),
 * and duplicates.  Errors carry the tags and details that ovsdb-server
 * reports ("syntax error", "constraint violation", "ovsdb error" with
 * "set contains duplicate" / "map contains duplicate key").
 *
 * Strings (ovs-vsctl's "Database Values"): integers in decimal (and, in a
 * set, inclusive ranges "1-5"), reals as strtod() reads them, booleans
 * true/false (also yes/no, on/off, 1/0), strings bare or as double-quoted
 * JSON-style strings with backslash escapes, UUIDs in the 36-character
 * form or "@name" with a symbol table; sets "a, b" or "[a, b]", maps
 * "k=v, k2=v2" or "{k=v}", empty "[]" and "{}".  Output is ovs-vsctl's:
 * a string is quoted unless it is a plain identifier-like word, reals use
 * the shortest form that reads back to the same double, and brackets
 * appear for types that can hold more than one element and for empty
 * values.  ovsdb_datum_from_string(ovsdb_datum_to_string(d)) == d.
 */
#ifndef PLX_OVSDB_DATA_H
#define PLX_OVSDB_DATA_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "ovsdb/ovsdb-types.h"
#include "ovsdb/uuid.h"
#include "util.h"

struct ds;
struct ovsdb_error;
struct ovsdb_symbol_table;

union ovsdb_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string;
    struct uuid uuid;
};

/* Atoms. */
void ovsdb_atom_init_default(union ovsdb_atom *, enum ovsdb_atomic_type);
bool ovsdb_atom_is_default(const union ovsdb_atom *,
                           enum ovsdb_atomic_type);
void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                      enum ovsdb_atomic_type);
void ovsdb_atom_swap(union ovsdb_atom *, union ovsdb_atom *);

static inline bool
ovsdb_atom_needs_destruction(enum ovsdb_atomic_type type)
{
    return type == OVSDB_TYPE_STRING;
}

static inline void
ovsdb_atom_destroy(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        free(atom->string);
    }
}

uint32_t ovsdb_atom_hash(const union ovsdb_atom *, enum ovsdb_atomic_type,
                         uint32_t basis);
int ovsdb_atom_compare_3way(const union ovsdb_atom *,
                            const union ovsdb_atom *,
                            enum ovsdb_atomic_type);

static inline bool
ovsdb_atom_equals(const union ovsdb_atom *a, const union ovsdb_atom *b,
                  enum ovsdb_atomic_type type)
{
    return !ovsdb_atom_compare_3way(a, b, type);
}

/* Parses JSON as an atom of BASE, checking BASE's constraints.  On error,
 * ATOM holds nothing to free. */
struct ovsdb_error *ovsdb_atom_from_json(union ovsdb_atom *,
                                         const struct ovsdb_base_type *,
                                         const json_t *,
                                         struct ovsdb_symbol_table *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_atom_to_json(const union ovsdb_atom *, enum ovsdb_atomic_type);

/* Parses S (one token, already unescaped by the caller's tokenizer or
 * taken whole) as an atom of BASE, checking BASE's constraints.  Returns
 * NULL or a malloc()'d error message; on error ATOM holds nothing. */
char *ovsdb_atom_from_string(union ovsdb_atom *,
                             const struct ovsdb_base_type *, const char *s,
                             struct ovsdb_symbol_table *)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_atom_to_string(const union ovsdb_atom *, enum ovsdb_atomic_type,
                          struct ds *);
/* Like ovsdb_atom_to_string() but strings are never quoted. */
void ovsdb_atom_to_bare(const union ovsdb_atom *, enum ovsdb_atomic_type,
                        struct ds *);

struct ovsdb_error *ovsdb_atom_check_constraints(
    const union ovsdb_atom *, const struct ovsdb_base_type *)
    PLX_WARN_UNUSED_RESULT;

/* Checks that S is valid UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF).  Returns NULL and stores the number of
 * characters in *N_CHARS, or returns a malloc()'d description. */
char *ovsdb_utf8_validate(const char *s, size_t *n_chars);

/* Datums. */
struct ovsdb_datum {
    unsigned int n;             /* Number of keys (and values). */
    union ovsdb_atom *keys;     /* n keys, sorted, unique. */
    union ovsdb_atom *values;   /* n values for a map, else NULL. */
};

void ovsdb_datum_init_empty(struct ovsdb_datum *);
/* The RFC 7047 default: empty if n_min is 0, else one default atom (0,
 * 0.0, false, "", all-zeros UUID) or pair. */
void ovsdb_datum_init_default(struct ovsdb_datum *,
                              const struct ovsdb_type *);
bool ovsdb_datum_is_default(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
/* A datum with one key (and VALUE for a map), both cloned. */
void ovsdb_datum_init_atom(struct ovsdb_datum *, const union ovsdb_atom *key,
                           const union ovsdb_atom *value,
                           const struct ovsdb_type *);
void ovsdb_datum_clone(struct ovsdb_datum *dst,
                       const struct ovsdb_datum *src,
                       const struct ovsdb_type *);
void ovsdb_datum_destroy(struct ovsdb_datum *, const struct ovsdb_type *);
void ovsdb_datum_swap(struct ovsdb_datum *, struct ovsdb_datum *);

/* Parses JSON as a value of TYPE (see the top of this file).  On error,
 * DATUM is empty (nothing to free). */
struct ovsdb_error *ovsdb_datum_from_json(struct ovsdb_datum *,
                                          const struct ovsdb_type *,
                                          const json_t *,
                                          struct ovsdb_symbol_table *)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_datum_to_json(const struct ovsdb_datum *,
                            const struct ovsdb_type *);

/* ovs-vsctl syntax.  On error, DATUM is empty and the malloc()'d message
 * is returned. */
char *ovsdb_datum_from_string(struct ovsdb_datum *,
                              const struct ovsdb_type *, const char *s,
                              struct ovsdb_symbol_table *)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_datum_to_string(const struct ovsdb_datum *,
                           const struct ovsdb_type *, struct ds *);
/* Space-separated, strings unquoted: for scripts, not for reading back. */
void ovsdb_datum_to_bare(const struct ovsdb_datum *,
                         const struct ovsdb_type *, struct ds *);

/* The tokenizer of ovsdb_datum_from_string(): reads one atom token from
 * *S (a quoted string, or a run of characters other than the delimiters
 * ":=, []{}!<>", with backslash escaping the next character), stores a
 * malloc()'d copy in *TOKEN and advances *S.  Returns NULL or an error. */
char *ovsdb_token_parse(const char **s, char **token)
    PLX_WARN_UNUSED_RESULT;
bool ovsdb_token_is_delim(unsigned char c);

/* Checks every atom of DATUM against TYPE's constraints. */
struct ovsdb_error *ovsdb_datum_check_constraints(
    const struct ovsdb_datum *, const struct ovsdb_type *)
    PLX_WARN_UNUSED_RESULT;
/* Checks everything a datum of TYPE must satisfy: n_min <= n <= n_max,
 * keys sorted without duplicates, 'values' present iff TYPE is a map,
 * atom constraints.  For datums built by hand. */
struct ovsdb_error *ovsdb_datum_validate(const struct ovsdb_datum *,
                                         const struct ovsdb_type *)
    PLX_WARN_UNUSED_RESULT;

/* Sorts DATUM's keys (carrying values along) and reports duplicates. */
struct ovsdb_error *ovsdb_datum_sort(struct ovsdb_datum *,
                                     const struct ovsdb_type *)
    PLX_WARN_UNUSED_RESULT;
/* Sorts and drops duplicate keys (for a map, keeping the smallest value);
 * returns how many elements were dropped. */
size_t ovsdb_datum_sort_unique(struct ovsdb_datum *,
                               const struct ovsdb_type *);

uint32_t ovsdb_datum_hash(const struct ovsdb_datum *,
                          const struct ovsdb_type *, uint32_t basis);
int ovsdb_datum_compare_3way(const struct ovsdb_datum *,
                             const struct ovsdb_datum *,
                             const struct ovsdb_type *);
bool ovsdb_datum_equals(const struct ovsdb_datum *,
                        const struct ovsdb_datum *,
                        const struct ovsdb_type *);

/* Index of KEY in DATUM, or UINT_MAX. */
unsigned int ovsdb_datum_find_key(const struct ovsdb_datum *,
                                  const union ovsdb_atom *key,
                                  enum ovsdb_atomic_type key_type);
/* Index of the pair KEY=VALUE (just KEY if VALUE_TYPE is VOID). */
unsigned int ovsdb_datum_find_key_value(const struct ovsdb_datum *,
                                        const union ovsdb_atom *key,
                                        enum ovsdb_atomic_type key_type,
                                        const union ovsdb_atom *value,
                                        enum ovsdb_atomic_type value_type);
/* Every element (pair, for a map) of A is in B / none is. */
bool ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);
bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);

/* A := A ∪ B (the mutate "insert" of RFC 7047).  For a map, a key of B
 * already in A keeps A's value unless REPLACE.  Does not check n_max. */
void ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                       const struct ovsdb_type *, bool replace);
/* A := A - B (the mutate "delete").  B_TYPE may be A_TYPE, or for a map A
 * a set of A's keys (B_TYPE's value VOID): then every pair whose key is
 * in B goes; otherwise a pair goes only if B has the same pair. */
void ovsdb_datum_subtract(struct ovsdb_datum *a,
                          const struct ovsdb_type *a_type,
                          const struct ovsdb_datum *b,
                          const struct ovsdb_type *b_type);

/* Appends clones of KEY (and VALUE) without keeping the invariant. */
void ovsdb_datum_add_unsafe(struct ovsdb_datum *, const union ovsdb_atom *key,
                            const union ovsdb_atom *value,
                            const struct ovsdb_type *);
/* Removes element IDX by moving the last one into its place. */
void ovsdb_datum_remove_unsafe(struct ovsdb_datum *, size_t idx,
                               const struct ovsdb_type *);

/* Symbol tables: the names of RFC 7047's "named-uuid" and of ovs-vsctl's
 * "@name", mapped to UUIDs.  Looking up a name that is not there yet adds
 * it with a fresh random UUID and created = false, so that a reference
 * may come before the insert that creates the row; whoever creates the
 * row sets 'created'. */
struct ovsdb_symbol {
    struct hmap_node hmap_node; /* In ovsdb_symbol_table's 'symbols'. */
    char *name;
    struct uuid uuid;
    bool created;               /* A row was inserted under this name. */
    bool strong_ref;            /* Referenced through a strong ref. */
    bool weak_ref;              /* Referenced through a weak ref. */
};

struct ovsdb_symbol_table {
    struct hmap symbols;
};

struct ovsdb_symbol_table *ovsdb_symbol_table_create(void);
void ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *);
struct ovsdb_symbol *ovsdb_symbol_table_get(
    const struct ovsdb_symbol_table *, const char *name);
/* Adds NAME, which must not be there yet. */
struct ovsdb_symbol *ovsdb_symbol_table_put(struct ovsdb_symbol_table *,
                                            const char *name,
                                            const struct uuid *,
                                            bool created);
/* Finds NAME, adding it with a random UUID if absent. */
struct ovsdb_symbol *ovsdb_symbol_table_insert(struct ovsdb_symbol_table *,
                                               const char *name);
/* Notes that SYMBOL was used as a value of BASE: sets 'strong_ref' or
 * 'weak_ref' if BASE is a reference. */
void ovsdb_symbol_referenced(struct ovsdb_symbol *,
                             const struct ovsdb_base_type *);

#endif /* ovsdb/ovsdb-data.h */
