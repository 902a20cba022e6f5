/* Fuzz target for utilities/vsctl-parse: plx-vsctl's command lines and
 * its "TABLE COLUMN[:KEY]OP VALUE" arguments, which come straight from
 * users and scripts.
 *
 * Input: words separated by NUL bytes.  They are parsed (1) as a whole
 * command line against a table with ovs-vsctl's command names and
 * options, and (2) each word as a column argument of every kind (a
 * condition as "find" takes it, a setting as "set" takes it, a column
 * list, values for "add" and "remove") against a cut-down Open_vSwitch
 * schema, with a symbol table for "@name" references.  Whatever parses
 * must evaluate or apply without crashing, and every error must be a
 * message, never an abort.
 *
 * The fuzz build links only lib/ and ovsdb/, so the two plx-vsctl source
 * files under test are compiled into this target directly. */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../utilities/vsctl-output.c"
#include "../../utilities/vsctl-parse.c"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-idl.h"
#include "ovsdb/ovsdb-schema.h"
#include "vlog.h"

static const char schema_text[] =
"{\"name\": \"Open_vSwitch\", \"version\": \"1.0.0\", \"tables\": {"
" \"Bridge\": {\"columns\": {"
"   \"name\": {\"type\": \"string\", \"mutable\": false},"
"   \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\","
"             \"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}},"
"   \"stp_enable\": {\"type\": \"boolean\"},"
"   \"flood_vlans\": {\"type\": {\"key\": {\"type\": \"integer\","
"                   \"minInteger\": 0, \"maxInteger\": 4095}, \"min\": 0,"
"                   \"max\": 4096}},"
"   \"fail_mode\": {\"type\": {\"key\": {\"type\": \"string\", \"enum\":"
"                 [\"set\", [\"standalone\", \"secure\"]]}, \"min\": 0,"
"                 \"max\": 1}},"
"   \"other_config\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
"                    \"min\": 0, \"max\": \"unlimited\"}}},"
"  \"isRoot\": true},"
" \"Port\": {\"columns\": {"
"   \"name\": {\"type\": \"string\"},"
"   \"tag\": {\"type\": {\"key\": {\"type\": \"integer\", \"minInteger\": 0,"
"           \"maxInteger\": 4095}, \"min\": 0, \"max\": 1}},"
"   \"trunks\": {\"type\": {\"key\": \"integer\", \"min\": 1,"
"              \"max\": \"unlimited\"}},"
"   \"qos\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"QoS\","
"           \"refType\": \"weak\"}, \"min\": 0, \"max\": 1}},"
"   \"statistics\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
"                  \"min\": 0, \"max\": \"unlimited\"}}}},"
" \"QoS\": {\"columns\": {"
"   \"queues\": {\"type\": {\"key\": {\"type\": \"integer\","
"              \"minInteger\": 0, \"maxInteger\": 4294967295},"
"              \"value\": {\"type\": \"uuid\", \"refTable\": \"Port\"},"
"              \"min\": 0, \"max\": \"unlimited\"}},"
"   \"rate\": {\"type\": {\"key\": \"real\", \"min\": 0, \"max\": 3}}},"
"  \"isRoot\": true}"
"}}";

static const struct vsctl_command_syntax fuzz_syntaxes[] = {
    { "add-br", 1, 3, "", NULL, NULL, "--may-exist", VSCTL_RW },
    { "del-port", 1, 2, "", NULL, NULL, "--if-exists,--with-iface",
      VSCTL_RW },
    { "get", 2, INT_MAX, "", NULL, NULL, "--if-exists,--id=", VSCTL_RO },
    { "list", 1, INT_MAX, "", NULL, NULL, "--if-exists,--columns=",
      VSCTL_RO },
    { "create", 2, INT_MAX, "", NULL, NULL, "--id=", VSCTL_RW },
    { "set-controller", 1, INT_MAX, "", NULL, NULL, "--inactivity-probe=",
      VSCTL_RW },
    { "show", 0, 0, "", NULL, NULL, "", VSCTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};

static struct ovsdb_idl_class *class;

static void
init(void)
{
    if (class) {
        return;
    }
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);

    struct ovsdb_schema *schema;
    json_error_t jerr;
    json_t *json = json_loads(schema_text, 0, &jerr);
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    if (!json || error) {
        abort();
    }
    json_decref(json);
    class = ovsdb_idl_class_create(schema);
    ovsdb_schema_destroy(schema);
}

static const struct ovsdb_datum *
read_empty(const void *aux, const struct ovsdb_idl_column *column)
{
    return aux;
}

static void
fuzz_word(const char *word, struct ovsdb_symbol_table *symtab)
{
    for (size_t t = 0; t < class->n_tables; t++) {
        const struct ovsdb_idl_table_class *table = &class->tables[t];
        const struct ovsdb_idl_column *column;
        struct vsctl_condition cond;
        struct ovsdb_datum new;
        char *error;

        /* As a "find" condition, evaluated against the column's default
         * (and, for a map, against the parsed value itself). */
        error = vsctl_condition_parse(word, table, symtab, &cond);
        if (!error) {
            struct ovsdb_datum def;
            ovsdb_datum_init_default(&def, cond.column->type);
            (void) vsctl_condition_eval(&cond, &def);
            ovsdb_datum_destroy(&def, cond.column->type);
            vsctl_condition_destroy(&cond);
        }
        free(error);

        /* As a "set" argument on a row whose every column is empty. */
        struct ovsdb_datum empty;
        ovsdb_datum_init_empty(&empty);
        bool keyed;
        error = vsctl_apply_setting(word, table, symtab, read_empty, &empty,
                                    &column, &new, &keyed);
        if (!error) {
            struct ovsdb_error *e = ovsdb_datum_validate(&new,
                                                         column->type);
            if (e && !ovsdb_type_is_map(column->type) && !keyed) {
                /* A whole value from the parser must be valid. */
                abort();
            }
            ovsdb_error_destroy(e);
            ovsdb_datum_destroy(&new, column->type);
        }
        free(error);

        /* As a --columns list. */
        const struct ovsdb_idl_column **columns;
        size_t n_columns;
        error = vsctl_parse_column_names(word, table, &columns, &n_columns);
        if (!error) {
            free(columns);
        }
        free(error);

        /* As values for "add" and "remove" on each column. */
        for (size_t c = 0; c < table->n_columns; c++) {
            const struct ovsdb_idl_column *col = &table->columns[c];
            struct ovsdb_datum old;
            char *values[] = { (char *) word };

            ovsdb_datum_init_default(&old, col->type);
            error = vsctl_apply_add(col, table->name, &old, values, 1,
                                    symtab, &new);
            if (!error) {
                ovsdb_datum_destroy(&new, col->type);
            }
            free(error);
            error = vsctl_apply_remove(col, table->name, &old, values, 1,
                                       symtab, &new);
            if (!error) {
                ovsdb_datum_destroy(&new, col->type);
            }
            free(error);
            ovsdb_datum_destroy(&old, col->type);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();

    /* Split into NUL-terminated words. */
    char *copy = xmemdup0((const char *) data, size);
    size_t n_words = 1;
    for (size_t i = 0; i < size; i++) {
        n_words += !copy[i];
    }
    char **words = xmalloc((n_words + 1) * sizeof *words);
    char *p = copy;
    for (size_t i = 0; i < n_words; i++) {
        words[i] = p;
        p += strlen(p) + 1;
    }
    words[n_words] = NULL;

    /* The whole command line. */
    struct vsctl_command *commands;
    size_t n_commands;
    char *error = vsctl_parse_commands(n_words, words, NULL, 0,
                                       fuzz_syntaxes, &commands,
                                       &n_commands);
    if (!error) {
        for (size_t i = 0; i < n_commands; i++) {
            const struct vsctl_command *c = &commands[i];
            if (c->argc < 1 || c->argc - 1 < c->syntax->min_args
                || c->argc - 1 > c->syntax->max_args) {
                abort();
            }
        }
        vsctl_commands_destroy(commands, n_commands);
    }
    free(error);

    /* Each word as a column argument. */
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    for (size_t i = 0; i < n_words && i < 8; i++) {
        fuzz_word(words[i], symtab);
    }
    ovsdb_symbol_table_destroy(symtab);

    free(words);
    free(copy);
    return 0;
}
