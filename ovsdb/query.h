/*
 * query: finding the rows of a table that satisfy a condition.
 *
 * A condition with a clause _uuid == U (what clients send to name one
 * row) is answered with one hash lookup; any other walks the table.
 * The matching rows are collected before any callback runs, so a
 * callback may modify or delete rows of the table (through a
 * transaction) without disturbing the walk.
 */
#ifndef PLX_OVSDB_QUERY_H
#define PLX_OVSDB_QUERY_H 1

#include <stdbool.h>

struct ovsdb_column_set;
struct ovsdb_condition;
struct ovsdb_row;
struct ovsdb_row_set;
struct ovsdb_table;

/* Calls CB for each row of TABLE (current view) that satisfies CONDITION,
 * stopping when CB returns false. */
void ovsdb_query(const struct ovsdb_table *, const struct ovsdb_condition *,
                 bool (*cb)(const struct ovsdb_row *, void *aux), void *aux);
/* Adds the rows of TABLE that satisfy CONDITION to RESULTS. */
void ovsdb_query_row_set(const struct ovsdb_table *,
                         const struct ovsdb_condition *,
                         struct ovsdb_row_set *results);
/* Like ovsdb_query_row_set(), but keeps only one row of each group of
 * rows that are equal in COLUMNS (all are kept if COLUMNS includes
 * _uuid), as ovsdb-server's "select" does. */
void ovsdb_query_distinct(const struct ovsdb_table *,
                          const struct ovsdb_condition *,
                          const struct ovsdb_column_set *,
                          struct ovsdb_row_set *results);

#endif /* ovsdb/query.h */
