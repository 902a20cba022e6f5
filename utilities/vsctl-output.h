/*
 * vsctl-output: the tables that "list" and "find" print, in ovs-vsctl's
 * formats.
 *
 * A table has named columns and rows of cells.  A cell holds either an
 * OVSDB datum with its type (formatted according to the style when
 * printed) or fixed text (printed verbatim).  The caller builds a table
 * with vsctl_table_add_column() for every column first, then for each row
 * vsctl_table_add_row() and one vsctl_table_add_cell() per column.
 *
 * Formats (--format), byte for byte as ovs-vsctl prints them:
 *
 *   list   "heading<pad to 20>: value" per cell, a blank line between rows
 *   table  columns padded to their widest cell, a heading line and a line
 *          of dashes, trailing spaces trimmed
 *   csv    RFC 4180-style: cells containing '"', ',' or a newline are
 *          quoted with '"' doubled
 *   html   a <table border=1>, UUIDs linked to their rows' anchors
 *   json   {"data":[[cell...]...],"headings":[...]}, cells as RFC 7047
 *          JSON values
 *
 * Cell data (--data) for the text formats: "string" is the value syntax
 * of ovs-vsctl (ovsdb_datum_to_string()), "bare" omits quotes and
 * brackets (ovsdb_datum_to_bare()), "json" is the RFC 7047 JSON.  Headings
 * are omitted with --no-headings.  Successive tables in one run are
 * separated by a blank line (except html and json); the caller keeps the
 * 'first' flag for that.
 *
 * JSON text is written by vsctl_json_to_ds() in Open vSwitch's style:
 * object keys sorted, compact without any whitespace, or with --pretty
 * one element per line indented two spaces a level with closing brackets
 * right after the last element.
 */
#ifndef PLX_VSCTL_OUTPUT_H
#define PLX_VSCTL_OUTPUT_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "dynamic-string.h"
#include "ovsdb/ovsdb-data.h"
#include "util.h"

enum vsctl_table_format {
    VSCTL_TF_LIST,
    VSCTL_TF_TABLE,
    VSCTL_TF_HTML,
    VSCTL_TF_CSV,
    VSCTL_TF_JSON
};

enum vsctl_cell_format {
    VSCTL_CF_STRING,
    VSCTL_CF_BARE,
    VSCTL_CF_JSON
};

struct vsctl_table_style {
    enum vsctl_table_format format;
    enum vsctl_cell_format cell_format;
    bool headings;              /* False with --no-headings. */
    bool pretty;                /* --pretty: indented JSON. */
    int max_column_width;       /* For "table"; 0: unlimited. */
};

#define VSCTL_TABLE_STYLE_DEFAULT \
    { VSCTL_TF_LIST, VSCTL_CF_STRING, true, false, 0 }

struct vsctl_cell {
    bool has_datum;
    struct ovsdb_datum datum;       /* If 'has_datum'. */
    const struct ovsdb_type *type;  /* If 'has_datum'; not owned. */
    char *text;                     /* Fixed text, or NULL. */
};

struct vsctl_table {
    char **headings;
    size_t n_columns;
    struct vsctl_cell *cells;       /* n_rows * n_columns, row-major. */
    size_t n_rows;
    size_t allocated_rows;
    size_t current_column;
};

struct vsctl_table *vsctl_table_create(void);
void vsctl_table_destroy(struct vsctl_table *);
void vsctl_table_add_column(struct vsctl_table *, const char *heading);
void vsctl_table_add_row(struct vsctl_table *);
/* The next cell of the current row (all fields zero).  Fill it with
 * vsctl_cell_set_datum() or vsctl_cell_set_text(). */
struct vsctl_cell *vsctl_table_add_cell(struct vsctl_table *);
void vsctl_cell_set_datum(struct vsctl_cell *, const struct ovsdb_datum *,
                          const struct ovsdb_type *);
void vsctl_cell_set_text(struct vsctl_cell *, const char *);

/* Appends TABLE in STYLE to OUT.  *FIRST is true for the first table the
 * program prints and is cleared. */
void vsctl_table_format(const struct vsctl_table *,
                        const struct vsctl_table_style *, bool *first,
                        struct ds *out);

/* Option arguments: NULL or a malloc()'d error. */
char *vsctl_table_parse_format(struct vsctl_table_style *, const char *)
    PLX_WARN_UNUSED_RESULT;
char *vsctl_table_parse_cell_format(struct vsctl_table_style *,
                                    const char *) PLX_WARN_UNUSED_RESULT;

/* Appends JSON in Open vSwitch's compact or pretty form. */
void vsctl_json_to_ds(const json_t *, bool pretty, struct ds *);

/* Appends S as --oneline prints a command's output: without its last
 * newline, with '\' as "\\" and newlines as "\n", then one newline. */
void vsctl_put_oneline(const char *s, struct ds *out);

#endif /* utilities/vsctl-output.h */
