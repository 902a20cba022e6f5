/*
 * vsctl-parse: command lines, names, conditions and settings for
 * plx-vsctl.  See vsctl-parse.h.
 */
#include <config.h>

#include "vsctl-parse.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include "ovsdb/ovsdb-error.h"
#include "sset.h"
#include "vsctl-output.h"

/* ---- Command lines. ---- */

const struct vsctl_command_syntax *
vsctl_find_syntax(const struct vsctl_command_syntax *syntaxes,
                  const char *name)
{
    for (const struct vsctl_command_syntax *p = syntaxes; p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

bool
vsctl_syntax_has_option(const struct vsctl_command_syntax *syntax,
                        const char *name, bool *takes_value)
{
    size_t len = strlen(name);
    const char *p = syntax->options;

    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t) (end - p) : strlen(p);
        bool value = n > 0 && p[n - 1] == '=';
        size_t name_len = value ? n - 1 : n;

        if (name_len == len && !strncmp(p, name, len)) {
            if (takes_value) {
                *takes_value = value;
            }
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

char *
vsctl_option_add(struct vsctl_option **options, size_t *n,
                 const char *name, const char *value)
{
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp((*options)[i].name, name)) {
            return xasprintf("'%s' option specified multiple times", name);
        }
    }
    *options = xrealloc(*options, (*n + 1) * sizeof **options);
    (*options)[*n].name = xstrdup(name);
    (*options)[*n].value = value ? xstrdup(value) : NULL;
    (*n)++;
    return NULL;
}

void
vsctl_options_destroy(struct vsctl_option *options, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(options[i].name);
        free(options[i].value);
    }
    free(options);
}

/* Parses ARGV[0..ARGC-1], one command with its leading options, into
 * COMMAND, which already holds the options collected for it. */
static char *
parse_command(int argc, char *argv[],
              const struct vsctl_command_syntax *syntaxes,
              struct vsctl_command *command)
{
    int i;

    for (i = 0; i < argc && argv[i][0] == '-'; i++) {
        const char *option = argv[i];
        const char *equals = strchr(option, '=');
        char *name = equals ? xmemdup0(option, equals - option)
                            : xstrdup(option);
        char *error = vsctl_option_add(&command->options,
                                       &command->n_options, name,
                                       equals ? equals + 1 : NULL);
        free(name);
        if (error) {
            free(error);
            return xasprintf("'%s' option specified multiple times",
                             option);
        }
    }
    if (i == argc) {
        return xstrdup("missing command name (use --help for help)");
    }

    const struct vsctl_command_syntax *p = vsctl_find_syntax(syntaxes,
                                                             argv[i]);
    if (!p) {
        return xasprintf("unknown command '%s'; use --help for help",
                         argv[i]);
    }

    for (size_t j = 0; j < command->n_options; j++) {
        const struct vsctl_option *o = &command->options[j];
        bool takes_value;

        if (!vsctl_syntax_has_option(p, o->name, &takes_value)) {
            return xasprintf("'%s' command has no '%s' option",
                             argv[i], o->name);
        }
        if (takes_value && !o->value) {
            return xasprintf("missing argument to '%s' option on '%s' "
                             "command", o->name, argv[i]);
        } else if (!takes_value && o->value) {
            return xasprintf("'%s' option on '%s' does not accept an "
                             "argument", o->name, argv[i]);
        }
    }

    int n_arg = argc - i - 1;
    if (n_arg < p->min_args) {
        return xasprintf("'%s' command requires at least %d arguments",
                         p->name, p->min_args);
    } else if (n_arg > p->max_args) {
        for (int j = i + 1; j < argc; j++) {
            if (argv[j][0] == '-') {
                return xasprintf("'%s' command takes at most %d arguments "
                                 "(note that options must precede command "
                                 "names and follow a \"--\" argument)",
                                 p->name, p->max_args);
            }
        }
        return xasprintf("'%s' command takes at most %d arguments",
                         p->name, p->max_args);
    }

    command->syntax = p;
    command->argc = n_arg + 1;
    command->argv = &argv[i];
    return NULL;
}

char *
vsctl_parse_commands(int argc, char *argv[],
                     struct vsctl_option *local, size_t n_local,
                     const struct vsctl_command_syntax *syntaxes,
                     struct vsctl_command **commandsp, size_t *n_commandsp)
{
    struct vsctl_command *commands = NULL;
    size_t n_commands = 0;
    char *error = NULL;

    *commandsp = NULL;
    *n_commandsp = 0;
    for (int start = 0, i = 0; i <= argc; i++) {
        if (i < argc && strcmp(argv[i], "--")) {
            continue;
        }
        if (i > start) {
            commands = xrealloc(commands,
                                (n_commands + 1) * sizeof *commands);
            struct vsctl_command *c = &commands[n_commands++];
            memset(c, 0, sizeof *c);
            ds_init(&c->output);
            c->options = local;
            c->n_options = n_local;
            local = NULL;
            n_local = 0;
            error = parse_command(i - start, &argv[start], syntaxes, c);
            if (error) {
                goto error;
            }
        } else if (n_local) {
            error = xstrdup("missing command name (use --help for help)");
            goto error;
        }
        start = i + 1;
    }
    if (!n_commands) {
        error = xstrdup("missing command name (use --help for help)");
        goto error;
    }
    *commandsp = commands;
    *n_commandsp = n_commands;
    return NULL;

error:
    vsctl_options_destroy(local, n_local);
    vsctl_commands_destroy(commands, n_commands);
    return error;
}

void
vsctl_commands_destroy(struct vsctl_command *commands, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vsctl_options_destroy(commands[i].options, commands[i].n_options);
        ds_destroy(&commands[i].output);
        vsctl_table_destroy(commands[i].table);
    }
    free(commands);
}

static const struct vsctl_option *
find_option(const struct vsctl_command *command, const char *name)
{
    for (size_t i = 0; i < command->n_options; i++) {
        if (!strcmp(command->options[i].name, name)) {
            return &command->options[i];
        }
    }
    return NULL;
}

bool
vsctl_command_has_option(const struct vsctl_command *command,
                         const char *name)
{
    return find_option(command, name) != NULL;
}

const char *
vsctl_command_get_option(const struct vsctl_command *command,
                         const char *name)
{
    const struct vsctl_option *o = find_option(command, name);
    return o ? o->value : NULL;
}

void
vsctl_put_args(struct ds *s, char *const argv[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *arg = argv[i];

        if (i) {
            ds_put_char(s, ' ');
        }
        if (!arg[strcspn(arg, " \t\r\n\\\"'")]) {
            ds_put_cstr(s, arg);
            continue;
        }
        ds_put_char(s, '"');
        for (const char *p = arg; *p; p++) {
            if (*p == '\\' || *p == '"') {
                ds_put_char(s, '\\');
            }
            ds_put_char(s, *p);
        }
        ds_put_char(s, '"');
    }
}

/* ---- Names. ---- */

static int
to_lower_and_underscores(unsigned char c)
{
    return c == '-' ? '_' : tolower(c);
}

unsigned int
vsctl_score_partial_match(const char *name, const char *s)
{
    unsigned int score;

    if (!strcmp(name, s)) {
        return UINT_MAX;
    }
    for (score = 0; ; score++, name++, s++) {
        if (to_lower_and_underscores(*name)
            != to_lower_and_underscores(*s)) {
            break;
        } else if (*name == '\0') {
            return UINT_MAX - 1;
        }
    }
    return *s == '\0' ? score : 0;
}

char *
vsctl_get_table(const struct ovsdb_idl_class *class, const char *name,
                const struct ovsdb_idl_table_class **tablep)
{
    const struct ovsdb_idl_table_class *best = NULL;
    unsigned int best_score = 0;
    size_t n_best = 0;

    for (size_t i = 0; i < class->n_tables; i++) {
        const struct ovsdb_idl_table_class *t = &class->tables[i];
        unsigned int score = vsctl_score_partial_match(t->name, name);
        if (score && score > best_score) {
            best = t;
            best_score = score;
            n_best = 1;
        } else if (score && score == best_score) {
            n_best++;
        }
    }
    *tablep = NULL;
    if (!best) {
        return xasprintf("unknown table \"%s\"", name);
    } else if (n_best > 1) {
        return xasprintf("multiple table names match \"%s\"", name);
    }
    *tablep = best;
    return NULL;
}

char *
vsctl_get_column(const struct ovsdb_idl_table_class *table,
                 const char *name, const struct ovsdb_idl_column **columnp)
{
    struct sset best_names = SSET_INITIALIZER(&best_names);
    const struct ovsdb_idl_column *best = NULL;
    unsigned int best_score = 0;
    char *error = NULL;

    for (size_t i = 0; i < table->n_columns; i++) {
        const struct ovsdb_idl_column *c = &table->columns[i];
        unsigned int score = vsctl_score_partial_match(c->name, name);
        if (score && score >= best_score) {
            if (score > best_score) {
                sset_clear(&best_names);
            }
            sset_add(&best_names, c->name);
            best = c;
            best_score = score;
        }
    }

    *columnp = NULL;
    if (!best) {
        error = xasprintf("%s does not contain a column whose name matches "
                          "\"%s\"", table->name, name);
    } else if (sset_count(&best_names) == 1) {
        *columnp = best;
    } else {
        const char **names = sset_sort(&best_names);
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < sset_count(&best_names); i++) {
            ds_put_format(&s, "%s%s", i ? ", " : "", names[i]);
        }
        free(names);
        error = xasprintf("%s contains more than one column whose name "
                          "matches \"%s\": %s", table->name, name,
                          ds_cstr(&s));
        ds_destroy(&s);
    }
    sset_destroy(&best_names);
    return error;
}

static int
compare_columns_by_name(const void *a_, const void *b_)
{
    const struct ovsdb_idl_column *const *a = a_;
    const struct ovsdb_idl_column *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

char *
vsctl_parse_column_names(const char *names,
                         const struct ovsdb_idl_table_class *table,
                         const struct ovsdb_idl_column ***columnsp,
                         size_t *n_columnsp)
{
    const struct ovsdb_idl_column **columns;
    size_t n = 0;

    *columnsp = NULL;
    *n_columnsp = 0;
    if (!names) {
        columns = xmalloc((table->n_columns + 1) * sizeof *columns);
        columns[n++] = NULL;
        for (size_t i = 0; i < table->n_columns; i++) {
            columns[n++] = &table->columns[i];
        }
        qsort(&columns[1], table->n_columns, sizeof *columns,
              compare_columns_by_name);
    } else {
        char *s = xstrdup(names);
        char *save_ptr = NULL;

        columns = xmalloc((strlen(names) / 2 + 1) * sizeof *columns);
        for (char *name = strtok_r(s, ", ", &save_ptr); name;
             name = strtok_r(NULL, ", ", &save_ptr)) {
            const struct ovsdb_idl_column *column = NULL;

            if (strcasecmp(name, "_uuid")) {
                char *error = vsctl_get_column(table, name, &column);
                if (error) {
                    free(s);
                    free(columns);
                    return error;
                }
            }
            columns[n++] = column;
        }
        free(s);
        if (!n) {
            free(columns);
            return xstrdup("must specify at least one column name");
        }
    }
    *columnsp = columns;
    *n_columnsp = n;
    return NULL;
}

static char *
missing_operator_error(const char *arg, const char *const *operators,
                       size_t n)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s: argument does not end in \"%s\"", arg,
                  operators[0]);
    if (n == 2) {
        ds_put_format(&s, " or \"%s\"", operators[1]);
    } else if (n > 2) {
        size_t i;
        for (i = 1; i < n - 1; i++) {
            ds_put_format(&s, ", \"%s\"", operators[i]);
        }
        ds_put_format(&s, ", or \"%s\"", operators[i]);
    }
    ds_put_cstr(&s, " followed by a value.");
    return ds_steal_cstr(&s);
}

char *
vsctl_parse_column_key_value(const char *arg,
                             const struct ovsdb_idl_table_class *table,
                             const struct ovsdb_idl_column **columnp,
                             char **keyp, int *operatorp,
                             const char *const *operators,
                             size_t n_operators, char **valuep)
{
    static const char *const equals[] = { "=" };
    const char *p = arg;
    char *column_name;
    char *error;

    *columnp = NULL;
    *keyp = NULL;
    if (valuep) {
        *valuep = NULL;
    }
    if (operatorp) {
        *operatorp = -1;
    }

    error = ovsdb_token_parse(&p, &column_name);
    if (error) {
        return error;
    }
    if (column_name[0] == '\0') {
        free(column_name);
        return xasprintf("%s: missing column name", arg);
    }
    error = vsctl_get_column(table, column_name, columnp);
    free(column_name);
    if (error) {
        return error;
    }

    if (*p == ':') {
        p++;
        error = ovsdb_token_parse(&p, keyp);
        if (error) {
            goto error;
        }
    }

    if (valuep) {
        int best = -1;
        size_t best_len = 0;

        if (!n_operators) {
            operators = equals;
            n_operators = 1;
        }
        for (size_t i = 0; i < n_operators; i++) {
            size_t len = strlen(operators[i]);
            if (len > best_len && !strncmp(operators[i], p, len)
                && p[len]) {
                best = i;
                best_len = len;
            }
        }
        if (best < 0) {
            error = missing_operator_error(arg, operators, n_operators);
            goto error;
        }
        if (operatorp) {
            *operatorp = best;
        }
        *valuep = xstrdup(p + best_len);
    } else if (*p) {
        error = xasprintf("%s: trailing garbage \"%s\" in argument", arg, p);
        goto error;
    }
    return NULL;

error:
    *columnp = NULL;
    free(*keyp);
    *keyp = NULL;
    if (operatorp) {
        *operatorp = -1;
    }
    return error;
}

/* ---- Conditions. ---- */

const char *const vsctl_relop_names[VSCTL_N_RELOPS] = {
    "=", "!=", "<", ">", "<=", ">=",
    "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}",
};

static bool
is_set_operator(enum vsctl_relop op)
{
    return op >= VSCTL_RELOP_SET_EQ;
}

char *
vsctl_condition_parse(const char *arg,
                      const struct ovsdb_idl_table_class *table,
                      struct ovsdb_symbol_table *symtab,
                      struct vsctl_condition *cond)
{
    const struct ovsdb_idl_column *column;
    char *key_string, *value_string;
    int op;
    char *error;

    memset(cond, 0, sizeof *cond);
    ovsdb_datum_init_empty(&cond->value);
    error = vsctl_parse_column_key_value(arg, table, &column, &key_string,
                                         &op, vsctl_relop_names,
                                         VSCTL_N_RELOPS, &value_string);
    if (error) {
        return error;
    }

    const struct ovsdb_type *ctype = column->type;
    cond->column = column;
    cond->op = op;
    if (key_string) {
        if (!ovsdb_type_is_map(ctype)) {
            error = xasprintf("cannot specify key to check for non-map "
                              "column %s", column->name);
            goto out;
        }
        error = ovsdb_atom_from_string(&cond->key, &ctype->key, key_string,
                                       symtab);
        if (error) {
            goto out;
        }
        cond->has_key = true;

        /* The value is compared with the map's value for KEY. */
        ovsdb_base_type_clone(&cond->type.key, &ctype->value);
        ovsdb_base_type_init(&cond->type.value, OVSDB_TYPE_VOID);
        cond->type.n_min = ctype->n_min;
        cond->type.n_max = UINT_MAX;
        error = ovsdb_datum_from_string(&cond->value, &cond->type,
                                        value_string, symtab);
    } else {
        /* Parsed as the column's own type, compared as a set of any
         * size. */
        error = ovsdb_datum_from_string(&cond->value, ctype, value_string,
                                        symtab);
        if (!error) {
            ovsdb_type_clone(&cond->type, ctype);
            cond->type.n_max = UINT_MAX;
        }
    }

out:
    free(key_string);
    free(value_string);
    if (error) {
        vsctl_condition_destroy(cond);
    }
    return error;
}

static bool
evaluate_relop(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
               const struct ovsdb_type *type, enum vsctl_relop op)
{
    switch (op) {
    case VSCTL_RELOP_EQ:
    case VSCTL_RELOP_SET_EQ:
        return ovsdb_datum_compare_3way(a, b, type) == 0;
    case VSCTL_RELOP_NE:
    case VSCTL_RELOP_SET_NE:
        return ovsdb_datum_compare_3way(a, b, type) != 0;
    case VSCTL_RELOP_LT:
        return ovsdb_datum_compare_3way(a, b, type) < 0;
    case VSCTL_RELOP_GT:
        return ovsdb_datum_compare_3way(a, b, type) > 0;
    case VSCTL_RELOP_LE:
        return ovsdb_datum_compare_3way(a, b, type) <= 0;
    case VSCTL_RELOP_GE:
        return ovsdb_datum_compare_3way(a, b, type) >= 0;
    case VSCTL_RELOP_SET_LT:
        return b->n > a->n && ovsdb_datum_includes_all(a, b, type);
    case VSCTL_RELOP_SET_GT:
        return a->n > b->n && ovsdb_datum_includes_all(b, a, type);
    case VSCTL_RELOP_SET_LE:
    case VSCTL_RELOP_SET_IN:
        return ovsdb_datum_includes_all(a, b, type);
    case VSCTL_RELOP_SET_GE:
        return ovsdb_datum_includes_all(b, a, type);
    case VSCTL_RELOP_SET_NOT_IN:
        return ovsdb_datum_excludes_all(a, b, type);
    case VSCTL_N_RELOPS:
    default:
        PLX_NOT_REACHED();
    }
}

bool
vsctl_condition_eval(const struct vsctl_condition *cond,
                     const struct ovsdb_datum *have)
{
    if (!cond->has_key) {
        return evaluate_relop(have, &cond->value, &cond->type, cond->op);
    }

    const struct ovsdb_type *ctype = cond->column->type;
    unsigned int idx = ovsdb_datum_find_key(have, &cond->key,
                                            ctype->key.type);
    if (idx == UINT_MAX && !is_set_operator(cond->op)) {
        return false;
    }

    /* A one-element (or, for a missing key, empty) datum of the map's
     * value type, aliasing HAVE's storage. */
    struct ovsdb_datum a = { .n = 0, .keys = NULL, .values = NULL };
    if (idx != UINT_MAX) {
        a.n = 1;
        a.keys = &have->values[idx];
    }
    return evaluate_relop(&a, &cond->value, &cond->type, cond->op);
}

void
vsctl_condition_destroy(struct vsctl_condition *cond)
{
    if (cond->column) {
        if (cond->type.key.type != OVSDB_TYPE_VOID) {
            ovsdb_datum_destroy(&cond->value, &cond->type);
            ovsdb_type_destroy(&cond->type);
        }
        if (cond->has_key) {
            ovsdb_atom_destroy(&cond->key, cond->column->type->key.type);
        }
    }
    memset(cond, 0, sizeof *cond);
}

/* ---- Settings. ---- */

char *
vsctl_apply_setting(const char *arg,
                    const struct ovsdb_idl_table_class *table,
                    struct ovsdb_symbol_table *symtab,
                    const struct ovsdb_datum *(*read)(
                        const void *aux, const struct ovsdb_idl_column *),
                    const void *aux,
                    const struct ovsdb_idl_column **columnp,
                    struct ovsdb_datum *new, bool *keyedp)
{
    const struct ovsdb_idl_column *column;
    char *key_string, *value_string;
    char *error;

    ovsdb_datum_init_empty(new);
    *columnp = NULL;
    if (keyedp) {
        *keyedp = false;
    }
    error = vsctl_parse_column_key_value(arg, table, &column, &key_string,
                                         NULL, NULL, 0, &value_string);
    if (error) {
        return error;
    }

    const struct ovsdb_type *type = column->type;
    bool keyed = key_string != NULL;
    if (keyed) {
        union ovsdb_atom key, value;

        if (!ovsdb_type_is_map(type)) {
            error = xasprintf("cannot specify key to set for non-map "
                              "column %s", column->name);
            goto out;
        }
        error = ovsdb_atom_from_string(&key, &type->key, key_string,
                                       symtab);
        if (error) {
            goto out;
        }
        error = ovsdb_atom_from_string(&value, &type->value, value_string,
                                       symtab);
        if (error) {
            ovsdb_atom_destroy(&key, type->key.type);
            goto out;
        }
        ovsdb_datum_add_unsafe(new, &key, &value, type);
        ovsdb_atom_destroy(&key, type->key.type);
        ovsdb_atom_destroy(&value, type->value.type);
        /* NEW's pair wins over OLD's value for the same key. */
        ovsdb_datum_union(new, read(aux, column), type, false);
    } else {
        error = ovsdb_datum_from_string(new, type, value_string, symtab);
    }

out:
    free(key_string);
    free(value_string);
    if (error) {
        ovsdb_datum_destroy(new, type);
        ovsdb_datum_init_empty(new);
    } else {
        *columnp = column;
        if (keyedp) {
            *keyedp = keyed;
        }
    }
    return error;
}

/* TYPE with room for any number (at least one) of elements. */
static void
unlimited_type(struct ovsdb_type *dst, const struct ovsdb_type *type)
{
    ovsdb_type_clone(dst, type);
    dst->n_min = 1;
    dst->n_max = UINT_MAX;
}

char *
vsctl_apply_add(const struct ovsdb_idl_column *column,
                const char *table_name, const struct ovsdb_datum *old,
                char *values[], size_t n_values,
                struct ovsdb_symbol_table *symtab, struct ovsdb_datum *new)
{
    const struct ovsdb_type *type = column->type;
    struct ovsdb_type add_type;

    ovsdb_datum_clone(new, old, type);
    unlimited_type(&add_type, type);
    for (size_t i = 0; i < n_values; i++) {
        struct ovsdb_datum add;
        char *error = ovsdb_datum_from_string(&add, &add_type, values[i],
                                              symtab);
        if (error) {
            ovsdb_type_destroy(&add_type);
            ovsdb_datum_destroy(new, type);
            ovsdb_datum_init_empty(new);
            return error;
        }
        ovsdb_datum_union(new, &add, type, false);
        ovsdb_datum_destroy(&add, &add_type);
    }
    ovsdb_type_destroy(&add_type);

    if (new->n > type->n_max) {
        char *error = xasprintf("\"add\" operation would put %u %s in column "
                                "%s of table %s but the maximum number is "
                                "%u", new->n,
                                ovsdb_type_is_map(type) ? "pairs" : "values",
                                column->name, table_name, type->n_max);
        ovsdb_datum_destroy(new, type);
        ovsdb_datum_init_empty(new);
        return error;
    }
    return NULL;
}

char *
vsctl_apply_remove(const struct ovsdb_idl_column *column,
                   const char *table_name, const struct ovsdb_datum *old,
                   char *values[], size_t n_values,
                   struct ovsdb_symbol_table *symtab,
                   struct ovsdb_datum *new)
{
    const struct ovsdb_type *type = column->type;
    char *error = NULL;

    ovsdb_datum_clone(new, old, type);
    for (size_t i = 0; i < n_values && !error; i++) {
        struct ovsdb_type rm_type;
        struct ovsdb_datum rm;

        unlimited_type(&rm_type, type);
        error = ovsdb_datum_from_string(&rm, &rm_type, values[i], symtab);
        if (error && ovsdb_type_is_map(&rm_type)) {
            /* Maybe a set of keys to remove whatever their values. */
            free(error);
            ovsdb_base_type_destroy(&rm_type.value);
            ovsdb_base_type_init(&rm_type.value, OVSDB_TYPE_VOID);
            error = ovsdb_datum_from_string(&rm, &rm_type, values[i],
                                            symtab);
        }
        if (!error) {
            ovsdb_datum_subtract(new, type, &rm, &rm_type);
            ovsdb_datum_destroy(&rm, &rm_type);
        }
        ovsdb_type_destroy(&rm_type);
    }
    if (!error && new->n < type->n_min) {
        error = xasprintf("\"remove\" operation would put %u %s in column "
                          "%s of table %s but the minimum number is %u",
                          new->n, ovsdb_type_is_map(type) ? "pairs"
                          : "values", column->name, table_name, type->n_min);
    }
    if (error) {
        ovsdb_datum_destroy(new, type);
        ovsdb_datum_init_empty(new);
    }
    return error;
}
