/*
 * ovsdb-schema: database schemas (RFC 7047 section 3.2).
 *
 * A schema names a database, gives it a version "x.y.z" and optionally a
 * checksum, and describes its tables; a table describes its columns, an
 * optional row limit (maxRows), whether it is in the root set (isRoot,
 * for garbage collection of unreferenced rows) and its indexes (sets of
 * columns whose values must be unique across rows); a column has a type
 * (ovsdb-types.h) and may be declared immutable or ephemeral.
 *
 * Every table also has the two columns RFC 7047 implies, "_uuid" (index
 * OVSDB_COL_UUID) and "_version" (OVSDB_COL_VERSION), both immutable
 * UUIDs, created by ovsdb_table_schema_create() and never written back to
 * JSON.  User columns follow in the order the JSON declared them, so a
 * column's 'index' is its slot in a row and in 'columns'.
 *
 * Parsing applies every rule of the RFC and of Open vSwitch's
 * ovsdb-server, with the same error texts: names are <id>s
 * ([a-zA-Z_][a-zA-Z0-9_]*) and those beginning with "_" are reserved; a
 * table has at least one column; maxRows >= 1; an index names existing,
 * distinct, non-ephemeral columns; every refTable names a table of the
 * schema; the version is x.y.z.  As in ovsdb-server, if no table says
 * "isRoot" then every table is a root (schemas older than garbage
 * collection); a strong reference to a non-root table cannot be ephemeral
 * (the column is made persistent) and a weak reference cannot be
 * immutable (the column is made mutable).  ovsdb_schema_to_json() writes
 * the shortest JSON that parses back to an equal schema.
 *
 * Tables and columns are found by name through hmaps and also kept in
 * declaration order in arrays, so that iteration is deterministic.
 */
#ifndef PLX_OVSDB_SCHEMA_H
#define PLX_OVSDB_SCHEMA_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "ovsdb/ovsdb-types.h"
#include "util.h"

struct ovsdb_error;

/* Indexes of the implicit columns in every table. */
enum {
    OVSDB_COL_UUID = 0,         /* "_uuid". */
    OVSDB_COL_VERSION = 1,      /* "_version". */
    OVSDB_N_STD_COLUMNS = 2
};

struct ovsdb_column_schema {
    struct hmap_node hmap_node; /* In table's 'columns_by_name'. */
    char *name;
    struct ovsdb_type type;
    bool mutable;               /* May be modified after insertion. */
    bool ephemeral;             /* Not written to disk. */
    unsigned int index;         /* Position in the table's 'columns'. */
};

/* An ordered set of columns of one table. */
struct ovsdb_column_set {
    const struct ovsdb_column_schema **columns;
    size_t n_columns;
};

struct ovsdb_table_schema {
    struct hmap_node hmap_node; /* In schema's 'tables_by_name'. */
    char *name;
    bool mutable;               /* Rows may be modified ("mutable"). */
    bool is_root;               /* In the root set. */
    unsigned int max_rows;      /* UINT_MAX if unlimited. */

    struct ovsdb_column_schema **columns;  /* By index. */
    size_t n_columns;
    struct hmap columns_by_name;

    struct ovsdb_column_set *indexes;
    size_t n_indexes;
};

struct ovsdb_schema {
    char *name;
    char *version;              /* "x.y.z", or "" if the JSON had none. */
    char *cksum;                /* "" if the JSON had none. */

    struct ovsdb_table_schema **tables;   /* In declaration order. */
    size_t n_tables;
    struct hmap tables_by_name;
};

/* Columns. */
struct ovsdb_column_schema *ovsdb_column_schema_create(
    const char *name, bool mutable, bool ephemeral,
    const struct ovsdb_type *);
void ovsdb_column_schema_destroy(struct ovsdb_column_schema *);
struct ovsdb_error *ovsdb_column_schema_from_json(
    const json_t *, const char *name, struct ovsdb_column_schema **)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_column_schema_to_json(const struct ovsdb_column_schema *);

/* Tables.  ovsdb_table_schema_create() adds "_uuid" and "_version". */
struct ovsdb_table_schema *ovsdb_table_schema_create(const char *name,
                                                     bool mutable,
                                                     unsigned int max_rows,
                                                     bool is_root);
/* Appends COLUMN (whose name must be new), setting its index. */
void ovsdb_table_schema_add_column(struct ovsdb_table_schema *,
                                   struct ovsdb_column_schema *);
struct ovsdb_table_schema *ovsdb_table_schema_clone(
    const struct ovsdb_table_schema *);
void ovsdb_table_schema_destroy(struct ovsdb_table_schema *);
struct ovsdb_error *ovsdb_table_schema_from_json(
    const json_t *, const char *name, struct ovsdb_table_schema **)
    PLX_WARN_UNUSED_RESULT;
/* "isRoot" is written only if it differs from DEFAULT_IS_ROOT. */
json_t *ovsdb_table_schema_to_json(const struct ovsdb_table_schema *,
                                   bool default_is_root);
const struct ovsdb_column_schema *ovsdb_table_schema_get_column(
    const struct ovsdb_table_schema *, const char *name);

/* Column sets. */
void ovsdb_column_set_init(struct ovsdb_column_set *);
void ovsdb_column_set_destroy(struct ovsdb_column_set *);
void ovsdb_column_set_add(struct ovsdb_column_set *,
                          const struct ovsdb_column_schema *);
bool ovsdb_column_set_contains(const struct ovsdb_column_set *,
                               unsigned int column_index);
/* Parses an array of distinct column names of TABLE. */
struct ovsdb_error *ovsdb_column_set_from_json(
    const json_t *, const struct ovsdb_table_schema *,
    struct ovsdb_column_set *) PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_column_set_to_json(const struct ovsdb_column_set *);

/* Schemas. */
struct ovsdb_schema *ovsdb_schema_create(const char *name,
                                         const char *version,
                                         const char *cksum);
/* Adds TABLE (whose name must be new) to SCHEMA, which takes it. */
void ovsdb_schema_add_table(struct ovsdb_schema *,
                            struct ovsdb_table_schema *);
struct ovsdb_schema *ovsdb_schema_clone(const struct ovsdb_schema *);
void ovsdb_schema_destroy(struct ovsdb_schema *);
struct ovsdb_error *ovsdb_schema_from_json(const json_t *,
                                           struct ovsdb_schema **)
    PLX_WARN_UNUSED_RESULT;
struct ovsdb_error *ovsdb_schema_from_file(const char *file_name,
                                           struct ovsdb_schema **)
    PLX_WARN_UNUSED_RESULT;
json_t *ovsdb_schema_to_json(const struct ovsdb_schema *);
bool ovsdb_schema_equal(const struct ovsdb_schema *,
                        const struct ovsdb_schema *);
const struct ovsdb_table_schema *ovsdb_schema_get_table(
    const struct ovsdb_schema *, const char *name);

/* Versions "x.y.z". */
struct ovsdb_version {
    unsigned int x, y, z;
};

/* Strict: three decimal numbers that fit in unsigned int, two dots,
 * nothing else. */
bool ovsdb_parse_version(const char *, struct ovsdb_version *);
bool ovsdb_is_valid_version(const char *);
int ovsdb_version_compare_3way(const struct ovsdb_version *,
                               const struct ovsdb_version *);
/* Compares two version strings; an invalid or empty one sorts first. */
int ovsdb_version_string_compare_3way(const char *, const char *);

#endif /* ovsdb/ovsdb-schema.h */
