/*
 * vsctl-parse: the pure half of plx-vsctl's command language.
 *
 * Nothing here talks to a database; everything takes its input as
 * strings (from the command line) plus, where names must be resolved, an
 * IDL class built from the server's schema.  So it is unit-tested and
 * fuzzed directly, and every function reports bad input with a malloc()'d
 * message in ovs-vsctl's words instead of exiting.
 *
 * Command lines.  After the global options, the arguments are one or more
 * commands separated by "--".  Each command starts with its own options
 * ("--if-exists", "--id=@name", "--columns=a,b", ...), then its name and
 * arguments.  Options that appear among the global options (before the
 * first command) belong to the first command, as in ovs-vsctl.  A
 * command's options must be among those its syntax lists (its 'options'
 * string, e.g. "--if-exists,--id="; a trailing '=' means the option takes
 * a value), and its argument count must fall within [min_args, max_args].
 *
 * Column arguments.  Database commands name columns as
 * "COLUMN[:KEY][OP VALUE]".  COLUMN and KEY are tokens in the value
 * syntax of ovsdb-data.h (bare words or quoted strings); table and column
 * names may be abbreviated to any unique prefix, case-insensitively, with
 * '-' and '_' equivalent, exactly as ovs-vsctl resolves them.  The
 * relational operators of "find" and "wait-until" (=, !=, <, >, <=, >=
 * and the set forms {=}, {!=}, {<}, {>}, {<=}, {>=}, {in}, {not-in}) are
 * matched longest first, and an operator must be followed by a value.
 *
 * Conditions.  vsctl_condition_parse() turns "COLUMN[:KEY]OP VALUE" into
 * a column, an optional key atom, an operator and a value datum of the
 * column's type (for a key, of the map's value type), without looking at
 * any row; vsctl_condition_eval() then decides it for one row's datum.
 *
 * Setting.  vsctl_apply_setting() computes the datum that "set" (and
 * "create", and add-port's trailing settings) writes for one
 * "COLUMN[:KEY]=VALUE": the whole value, or for a map key the old map
 * with that key replaced.
 */
#ifndef PLX_VSCTL_PARSE_H
#define PLX_VSCTL_PARSE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "dynamic-string.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-idl-provider.h"
#include "util.h"

struct vsctl_context;
struct vsctl_table;

/* Whether a command may change the database (for logging and --dry-run
 * it makes no difference: every command runs inside the transaction). */
enum vsctl_mode {
    VSCTL_RO,
    VSCTL_RW
};

struct vsctl_command_syntax {
    const char *name;           /* NULL ends a table of syntaxes. */
    int min_args;               /* Not counting the command name. */
    int max_args;               /* INT_MAX: no limit. */
    const char *arguments;      /* Synopsis for --help. */
    void (*run)(struct vsctl_context *);
    /* After a successful commit (e.g. to print inserted rows' UUIDs). */
    void (*postprocess)(struct vsctl_context *);
    const char *options;        /* "--opt1,--opt2=" ('=': takes a value). */
    enum vsctl_mode mode;
};

/* One option given to a command. */
struct vsctl_option {
    char *name;                 /* "--if-exists", with the dashes. */
    char *value;                /* NULL if given without "=VALUE". */
};

struct vsctl_command {
    const struct vsctl_command_syntax *syntax;
    int argc;                   /* Command name plus arguments. */
    char **argv;                /* Points into the caller's argv. */
    struct vsctl_option *options;
    size_t n_options;

    /* Filled in when the command runs. */
    struct ds output;
    struct vsctl_table *table;
};

/* Finds NAME in SYNTAXES (exact match only). */
const struct vsctl_command_syntax *vsctl_find_syntax(
    const struct vsctl_command_syntax *syntaxes, const char *name);

/* Whether SYNTAX accepts option NAME ("--if-exists"); if so, stores in
 * '*takes_value' whether it requires "=VALUE". */
bool vsctl_syntax_has_option(const struct vsctl_command_syntax *,
                             const char *name, bool *takes_value);

/* Adds option NAME (with VALUE or NULL) to the array, failing if NAME is
 * already there. */
char *vsctl_option_add(struct vsctl_option **, size_t *n, const char *name,
                       const char *value) PLX_WARN_UNUSED_RESULT;
void vsctl_options_destroy(struct vsctl_option *, size_t n);

/* Splits ARGV (the arguments after the global options) into commands.
 * The LOCAL options (collected among the global ones) go to the first
 * command; the function takes them whatever it returns.  On success
 * returns NULL and stores the commands, which point into ARGV. */
char *vsctl_parse_commands(int argc, char *argv[],
                           struct vsctl_option *local, size_t n_local,
                           const struct vsctl_command_syntax *syntaxes,
                           struct vsctl_command **commandsp,
                           size_t *n_commandsp) PLX_WARN_UNUSED_RESULT;
void vsctl_commands_destroy(struct vsctl_command *, size_t n);

/* Option lookups on a parsed command. */
bool vsctl_command_has_option(const struct vsctl_command *,
                              const char *name);
/* The option's value, or NULL if absent or given without a value. */
const char *vsctl_command_get_option(const struct vsctl_command *,
                                     const char *name);

/* Appends ARGV[0..N-1] separated by spaces, each quoted with '"' (and '"'
 * and '\\' escaped) if it contains white space, quotes or backslashes:
 * the command line as logs and messages show it. */
void vsctl_put_args(struct ds *, char *const argv[], size_t n);

/* ---- Names. ---- */

/* How well user input S matches NAME: UINT_MAX for an exact match,
 * UINT_MAX - 1 for a match ignoring case and '-'/'_', the length of the
 * common prefix if S is a prefix of NAME, else 0. */
unsigned int vsctl_score_partial_match(const char *name, const char *s);

char *vsctl_get_table(const struct ovsdb_idl_class *, const char *name,
                      const struct ovsdb_idl_table_class **)
    PLX_WARN_UNUSED_RESULT;
char *vsctl_get_column(const struct ovsdb_idl_table_class *,
                       const char *name, const struct ovsdb_idl_column **)
    PLX_WARN_UNUSED_RESULT;

/* Parses "--columns=a,b,_uuid" (NAMES NULL: "_uuid" then every column in
 * name order, as ovs-vsctl lists them).  "_uuid" is a NULL entry. */
char *vsctl_parse_column_names(const char *names,
                               const struct ovsdb_idl_table_class *,
                               const struct ovsdb_idl_column ***columnsp,
                               size_t *n_columnsp) PLX_WARN_UNUSED_RESULT;

/* Breaks ARG into a column of TABLE, an optional key (malloc()'d, NULL if
 * absent) and, if VALUEP is nonnull, one of OPERATORS (index in
 * '*operatorp' if OPERATORP is nonnull; N_OPERATORS 0 means just "=")
 * followed by a nonempty value (malloc()'d). */
char *vsctl_parse_column_key_value(const char *arg,
                                   const struct ovsdb_idl_table_class *,
                                   const struct ovsdb_idl_column **columnp,
                                   char **keyp, int *operatorp,
                                   const char *const *operators,
                                   size_t n_operators, char **valuep)
    PLX_WARN_UNUSED_RESULT;

/* ---- Conditions. ---- */

enum vsctl_relop {
    VSCTL_RELOP_EQ,             /* = */
    VSCTL_RELOP_NE,             /* != */
    VSCTL_RELOP_LT,             /* < */
    VSCTL_RELOP_GT,             /* > */
    VSCTL_RELOP_LE,             /* <= */
    VSCTL_RELOP_GE,             /* >= */
    VSCTL_RELOP_SET_EQ,         /* {=} */
    VSCTL_RELOP_SET_NE,         /* {!=} */
    VSCTL_RELOP_SET_LT,         /* {<} */
    VSCTL_RELOP_SET_GT,         /* {>} */
    VSCTL_RELOP_SET_LE,         /* {<=} */
    VSCTL_RELOP_SET_GE,         /* {>=} */
    VSCTL_RELOP_SET_IN,         /* {in} */
    VSCTL_RELOP_SET_NOT_IN,     /* {not-in} */
    VSCTL_N_RELOPS
};

extern const char *const vsctl_relop_names[VSCTL_N_RELOPS];

struct vsctl_condition {
    const struct ovsdb_idl_column *column;
    bool has_key;
    union ovsdb_atom key;       /* If 'has_key': of the map's key type. */
    enum vsctl_relop op;
    struct ovsdb_type type;     /* Of 'value': unlimited n_max. */
    struct ovsdb_datum value;
};

char *vsctl_condition_parse(const char *arg,
                            const struct ovsdb_idl_table_class *,
                            struct ovsdb_symbol_table *,
                            struct vsctl_condition *)
    PLX_WARN_UNUSED_RESULT;
/* Decides the condition for HAVE, the column's value in some row. */
bool vsctl_condition_eval(const struct vsctl_condition *,
                          const struct ovsdb_datum *have);
void vsctl_condition_destroy(struct vsctl_condition *);

/* ---- Settings. ---- */

/* Parses "COLUMN[:KEY]=VALUE" against TABLE and computes the new value of
 * the column from OLD (its current value, consulted only for a KEY).  On
 * success stores the column, the new datum (the caller owns it) and, if
 * KEYEDP is nonnull, whether a KEY was given. */
char *vsctl_apply_setting(const char *arg,
                          const struct ovsdb_idl_table_class *,
                          struct ovsdb_symbol_table *,
                          const struct ovsdb_datum *(*read)(const void *aux,
                              const struct ovsdb_idl_column *),
                          const void *aux,
                          const struct ovsdb_idl_column **columnp,
                          struct ovsdb_datum *new, bool *keyedp)
    PLX_WARN_UNUSED_RESULT;

/* "add TABLE RECORD COLUMN VALUE...": the union of OLD and each VALUE
 * (a set or map of any size in COLUMN's element type), which must fit in
 * COLUMN.  TABLE_NAME is for messages.  On success, NEW is the caller's. */
char *vsctl_apply_add(const struct ovsdb_idl_column *, const char *table_name,
                      const struct ovsdb_datum *old, char *values[],
                      size_t n_values, struct ovsdb_symbol_table *,
                      struct ovsdb_datum *new) PLX_WARN_UNUSED_RESULT;
/* "remove TABLE RECORD COLUMN VALUE...": OLD without each VALUE (for a
 * map, each VALUE may also be a set of keys). */
char *vsctl_apply_remove(const struct ovsdb_idl_column *,
                         const char *table_name,
                         const struct ovsdb_datum *old, char *values[],
                         size_t n_values, struct ovsdb_symbol_table *,
                         struct ovsdb_datum *new) PLX_WARN_UNUSED_RESULT;

#endif /* utilities/vsctl-parse.h */
