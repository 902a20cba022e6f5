/* Tests for utilities/vsctl-parse: plx-vsctl's command lines, table and
 * column names, "COLUMN[:KEY]OP VALUE" arguments, conditions, and the
 * values that set/add/remove compute, with ovs-vsctl's error texts. */
#include <config.h>
#include "utilities/vsctl-parse.h"

#include <limits.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-idl.h"
#include "ovsdb/ovsdb-schema.h"
#include "test.h"

/* A small schema in the shape of Open_vSwitch's, written with single
 * quotes for readability. */
static const char schema_text[] =
"{'name': 'Test', 'version': '1.0.0', 'tables': {"
" 'Bridge': {'columns': {"
"   'name': {'type': 'string', 'mutable': false},"
"   'ports': {'type': {'key': {'type': 'uuid', 'refTable': 'Port'},"
"             'min': 0, 'max': 'unlimited'}},"
"   'datapath_type': {'type': 'string'},"
"   'datapath_id': {'type': {'key': 'string', 'min': 0, 'max': 1}},"
"   'stp_enable': {'type': 'boolean'},"
"   'flood_vlans': {'type': {'key': {'type': 'integer', 'minInteger': 0,"
"                   'maxInteger': 4095}, 'min': 0, 'max': 4}},"
"   'other_config': {'type': {'key': 'string', 'value': 'string',"
"                    'min': 0, 'max': 'unlimited'}}},"
"  'isRoot': true},"
" 'Port': {'columns': {"
"   'name': {'type': 'string'},"
"   'tag': {'type': {'key': {'type': 'integer', 'minInteger': 0,"
"           'maxInteger': 4095}, 'min': 0, 'max': 1}},"
"   'trunks': {'type': {'key': 'integer', 'min': 1, 'max': 'unlimited'}},"
"   'options': {'type': {'key': 'string', 'value': 'string', 'min': 0,"
"               'max': 2}}}},"
" 'Flow_Table': {'columns': {'name': {'type': 'string'}}},"
" 'Flow_Sample_Collector_Set': {'columns': {'id': {'type': 'integer'}}}"
"}}";

static struct ovsdb_idl_class *
make_class(void)
{
    char *text = xstrdup(schema_text);
    for (char *p = text; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    json_error_t jerr;
    json_t *json = json_loads(text, 0, &jerr);
    CHECK_MSG(json, "schema JSON: %s", jerr.text);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    CHECK_MSG(!error, "schema: %s", ovsdb_error_to_string(error));
    struct ovsdb_idl_class *class = ovsdb_idl_class_create(schema);
    ovsdb_schema_destroy(schema);
    json_decref(json);
    free(text);
    return class;
}

static const struct ovsdb_idl_table_class *
table(const struct ovsdb_idl_class *class, const char *name)
{
    const struct ovsdb_idl_table_class *t
        = ovsdb_idl_class_get_table(class, name);
    CHECK(t);
    return t;
}

/* Checks that EXPR returns an error equal to EXPECTED, and frees it. */
#define CHECK_ERROR(EXPR, EXPECTED)                                     \
    do {                                                                \
        char *error__ = (EXPR);                                         \
        CHECK_MSG(error__, "%s succeeded", #EXPR);                      \
        CHECK_STREQ(error__, EXPECTED);                                 \
        free(error__);                                                  \
    } while (0)

/* ---- Command lines. ---- */

static const struct vsctl_command_syntax syntaxes[] = {
    { "add-br", 1, 3, "", NULL, NULL, "--may-exist", VSCTL_RW },
    { "list", 1, INT_MAX, "", NULL, NULL, "--if-exists,--columns=",
      VSCTL_RO },
    { "create", 2, INT_MAX, "", NULL, NULL, "--id=", VSCTL_RW },
    { "list-br", 0, 0, "", NULL, NULL, "--real,--fake", VSCTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, VSCTL_RO },
};

/* Parses the NULL-terminated words after "plx-vsctl" (and after LOCAL
 * options, given as "--name[=value]" strings). */
static char *
parse(char **words, const char *const *local_words,
      struct vsctl_command **cmds, size_t *n)
{
    struct vsctl_option *local = NULL;
    size_t n_local = 0;
    int argc = 0;

    for (; local_words && *local_words; local_words++) {
        const char *eq = strchr(*local_words, '=');
        char *name = eq ? xmemdup0(*local_words, eq - *local_words)
                        : xstrdup(*local_words);
        char *error = vsctl_option_add(&local, &n_local, name,
                                       eq ? eq + 1 : NULL);
        CHECK(!error);
        free(name);
    }
    while (words[argc]) {
        argc++;
    }
    return vsctl_parse_commands(argc, words, local, n_local, syntaxes,
                                cmds, n);
}

TEST(parse_single_command)
{
    char *words[] = { "add-br", "br0", NULL };
    struct vsctl_command *cmds;
    size_t n;

    CHECK(!parse(words, NULL, &cmds, &n));
    CHECK_EQ(n, 1);
    CHECK_STREQ(cmds[0].syntax->name, "add-br");
    CHECK_EQ(cmds[0].argc, 2);
    CHECK_STREQ(cmds[0].argv[1], "br0");
    CHECK_EQ(cmds[0].n_options, 0);
    vsctl_commands_destroy(cmds, n);
}

TEST(parse_chained_commands_and_options)
{
    char *words[] = { "add-br", "br0", "--", "--if-exists",
                      "--columns=name,ports", "list", "Bridge", "br0", "--",
                      "--id=@x", "create", "Bridge", "name=a", "--", NULL };
    const char *const local[] = { "--may-exist", NULL };
    struct vsctl_command *cmds;
    size_t n;

    CHECK(!parse(words, local, &cmds, &n));
    CHECK_EQ(n, 3);
    /* Options among the global ones belong to the first command. */
    CHECK(vsctl_command_has_option(&cmds[0], "--may-exist"));
    CHECK(!vsctl_command_get_option(&cmds[0], "--may-exist"));
    CHECK(vsctl_command_has_option(&cmds[1], "--if-exists"));
    CHECK_STREQ(vsctl_command_get_option(&cmds[1], "--columns"),
                "name,ports");
    CHECK(!vsctl_command_has_option(&cmds[1], "--may-exist"));
    CHECK_STREQ(vsctl_command_get_option(&cmds[2], "--id"), "@x");
    CHECK_EQ(cmds[2].argc, 3);
    CHECK_STREQ(cmds[2].argv[2], "name=a");
    vsctl_commands_destroy(cmds, n);
}

TEST(parse_command_errors)
{
    struct vsctl_command *cmds;
    size_t n;
    const char *const may_exist[] = { "--may-exist", NULL };

    char *w1[] = { "frobnicate", NULL };
    CHECK_ERROR(parse(w1, NULL, &cmds, &n),
                "unknown command 'frobnicate'; use --help for help");
    char *w2[] = { NULL };
    CHECK_ERROR(parse(w2, NULL, &cmds, &n),
                "missing command name (use --help for help)");
    char *w3[] = { "--", NULL };
    CHECK_ERROR(parse(w3, may_exist, &cmds, &n),
                "missing command name (use --help for help)");
    char *w4[] = { "--if-exists", NULL };
    CHECK_ERROR(parse(w4, NULL, &cmds, &n),
                "missing command name (use --help for help)");
    char *w5[] = { "--real", "add-br", "br0", NULL };
    CHECK_ERROR(parse(w5, NULL, &cmds, &n),
                "'add-br' command has no '--real' option");
    char *w6[] = { "--columns", "list", "Bridge", NULL };
    CHECK_ERROR(parse(w6, NULL, &cmds, &n),
                "missing argument to '--columns' option on 'list' "
                "command");
    char *w7[] = { "--real=1", "list-br", NULL };
    CHECK_ERROR(parse(w7, NULL, &cmds, &n),
                "'--real' option on 'list-br' does not accept an "
                "argument");
    char *w8[] = { "create", "Bridge", NULL };
    CHECK_ERROR(parse(w8, NULL, &cmds, &n),
                "'create' command requires at least 2 arguments");
    char *w9[] = { "add-br", "a", "b", "c", "d", NULL };
    CHECK_ERROR(parse(w9, NULL, &cmds, &n),
                "'add-br' command takes at most 3 arguments");
    char *w10[] = { "list-br", "--real", NULL };
    CHECK_ERROR(parse(w10, NULL, &cmds, &n),
                "'list-br' command takes at most 0 arguments (note that "
                "options must precede command names and follow a \"--\" "
                "argument)");
    char *w11[] = { "--real", "--real", "list-br", NULL };
    CHECK_ERROR(parse(w11, NULL, &cmds, &n),
                "'--real' option specified multiple times");
    char *w12[] = { "--may-exist", "add-br", "x", NULL };
    CHECK_ERROR(parse(w12, may_exist, &cmds, &n),
                "'--may-exist' option specified multiple times");
}

TEST(syntax_options)
{
    bool takes_value;

    CHECK(vsctl_syntax_has_option(&syntaxes[1], "--columns", &takes_value));
    CHECK(takes_value);
    CHECK(vsctl_syntax_has_option(&syntaxes[1], "--if-exists",
                                  &takes_value));
    CHECK(!takes_value);
    CHECK(!vsctl_syntax_has_option(&syntaxes[1], "--if", NULL));
    CHECK(!vsctl_syntax_has_option(&syntaxes[1], "--column", NULL));
    CHECK(vsctl_find_syntax(syntaxes, "list-br") == &syntaxes[3]);
    CHECK(!vsctl_find_syntax(syntaxes, "list-b"));
}

TEST(put_args_quotes_like_ovs)
{
    char *args[] = { "set", "Interface", "p1", "options:key=\"a b\"",
                     "x\\y", "plain" };
    struct ds s = DS_EMPTY_INITIALIZER;

    vsctl_put_args(&s, args, ARRAY_SIZE(args));
    CHECK_STREQ(ds_cstr(&s), "set Interface p1 \"options:key=\\\"a b\\\"\" "
                "\"x\\\\y\" plain");
    ds_destroy(&s);
}

/* ---- Names. ---- */

TEST(partial_match_scores)
{
    CHECK_EQ(vsctl_score_partial_match("Bridge", "Bridge"), UINT_MAX);
    CHECK_EQ(vsctl_score_partial_match("Bridge", "bridge"), UINT_MAX - 1);
    CHECK_EQ(vsctl_score_partial_match("other_config", "other-config"),
             UINT_MAX - 1);
    CHECK_EQ(vsctl_score_partial_match("Bridge", "Br"), 2);
    CHECK_EQ(vsctl_score_partial_match("Bridge", "Bx"), 0);
    CHECK_EQ(vsctl_score_partial_match("Br", "Bridge"), 0);
}

TEST(table_and_column_names)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *t;
    const struct ovsdb_idl_column *c;

    CHECK(!vsctl_get_table(class, "bridge", &t));
    CHECK_STREQ(t->name, "Bridge");
    CHECK(!vsctl_get_table(class, "Flow_T", &t));
    CHECK_STREQ(t->name, "Flow_Table");
    CHECK_ERROR(vsctl_get_table(class, "Flow", &t),
                "multiple table names match \"Flow\"");
    CHECK(!t);
    CHECK_ERROR(vsctl_get_table(class, "Nosuch", &t),
                "unknown table \"Nosuch\"");

    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    CHECK(!vsctl_get_column(br, "other-config", &c));
    CHECK_STREQ(c->name, "other_config");
    CHECK(!vsctl_get_column(br, "stp", &c));
    CHECK_STREQ(c->name, "stp_enable");
    CHECK_ERROR(vsctl_get_column(br, "datapath", &c),
                "Bridge contains more than one column whose name matches "
                "\"datapath\": datapath_id, datapath_type");
    CHECK_ERROR(vsctl_get_column(br, "nosuch", &c),
                "Bridge does not contain a column whose name matches "
                "\"nosuch\"");
    ovsdb_idl_class_destroy(class);
}

TEST(column_name_lists)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    const struct ovsdb_idl_column **cols;
    size_t n;

    /* Default: _uuid, then every column by name. */
    CHECK(!vsctl_parse_column_names(NULL, br, &cols, &n));
    CHECK_EQ(n, 8);
    CHECK(!cols[0]);
    CHECK_STREQ(cols[1]->name, "datapath_id");
    CHECK_STREQ(cols[2]->name, "datapath_type");
    CHECK_STREQ(cols[7]->name, "stp_enable");
    free(cols);

    CHECK(!vsctl_parse_column_names("name, _UUID,ports", br, &cols, &n));
    CHECK_EQ(n, 3);
    CHECK_STREQ(cols[0]->name, "name");
    CHECK(!cols[1]);
    CHECK_STREQ(cols[2]->name, "ports");
    free(cols);

    CHECK_ERROR(vsctl_parse_column_names(" , ", br, &cols, &n),
                "must specify at least one column name");
    CHECK_ERROR(vsctl_parse_column_names("name,bogus", br, &cols, &n),
                "Bridge does not contain a column whose name matches "
                "\"bogus\"");
    ovsdb_idl_class_destroy(class);
}

TEST(column_key_value_arguments)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    const struct ovsdb_idl_column *c;
    char *key, *value;
    int op;

    CHECK(!vsctl_parse_column_key_value("other_config:hwaddr=\"aa:bb\"", br,
                                        &c, &key, NULL, NULL, 0, &value));
    CHECK_STREQ(c->name, "other_config");
    CHECK_STREQ(key, "hwaddr");
    CHECK_STREQ(value, "\"aa:bb\"");
    free(key);
    free(value);

    /* A quoted key may contain delimiters. */
    CHECK(!vsctl_parse_column_key_value("other_config:\"a=b\"=1", br, &c,
                                        &key, NULL, NULL, 0, &value));
    CHECK_STREQ(key, "\"a=b\"");
    CHECK_STREQ(value, "1");
    free(key);
    free(value);

    /* The longest operator wins. */
    CHECK(!vsctl_parse_column_key_value("flood_vlans{<=}1", br, &c, &key,
                                        &op, vsctl_relop_names,
                                        VSCTL_N_RELOPS, &value));
    CHECK_EQ(op, VSCTL_RELOP_SET_LE);
    CHECK_STREQ(value, "1");
    free(value);
    CHECK(!vsctl_parse_column_key_value("flood_vlans<=1", br, &c, &key, &op,
                                        vsctl_relop_names, VSCTL_N_RELOPS,
                                        &value));
    CHECK_EQ(op, VSCTL_RELOP_LE);
    free(value);

    /* Just a column (and key), as "get" takes. */
    CHECK(!vsctl_parse_column_key_value("other:x", br, &c, &key, NULL, NULL,
                                        0, NULL));
    CHECK_STREQ(c->name, "other_config");
    CHECK_STREQ(key, "x");
    free(key);

    CHECK_ERROR(vsctl_parse_column_key_value("name", br, &c, &key, NULL,
                                             NULL, 0, &value),
                "name: argument does not end in \"=\" followed by a value.");
    CHECK(!c && !key && !value);
    CHECK_ERROR(vsctl_parse_column_key_value("name=", br, &c, &key, NULL,
                                             NULL, 0, &value),
                "name=: argument does not end in \"=\" followed by a "
                "value.");
    static const char *const two[] = { "=", "!=" };
    CHECK_ERROR(vsctl_parse_column_key_value("name", br, &c, &key, NULL,
                                             two, 2, &value),
                "name: argument does not end in \"=\" or \"!=\" followed "
                "by a value.");
    static const char *const three[] = { "=", "!=", "<" };
    CHECK_ERROR(vsctl_parse_column_key_value("name", br, &c, &key, NULL,
                                             three, 3, &value),
                "name: argument does not end in \"=\", \"!=\", or \"<\" "
                "followed by a value.");
    CHECK_ERROR(vsctl_parse_column_key_value("=x", br, &c, &key, NULL, NULL,
                                             0, &value),
                "=x: missing column name");
    CHECK_ERROR(vsctl_parse_column_key_value("name]", br, &c, &key, NULL,
                                             NULL, 0, NULL),
                "name]: trailing garbage \"]\" in argument");
    CHECK_ERROR(vsctl_parse_column_key_value("other_config:\"x=1", br, &c,
                                             &key, NULL, NULL, 0, &value),
                "\"x=1: quoted string extends past end of argument");
    ovsdb_idl_class_destroy(class);
}

/* ---- Conditions. ---- */

/* Parses TEXT as a value of COLUMN of TABLE. */
static void
datum(const struct ovsdb_idl_table_class *t, const char *column,
      const char *text, struct ovsdb_datum *d)
{
    const struct ovsdb_idl_column *c
        = ovsdb_idl_table_class_get_column(t, column);
    CHECK(c);
    char *error = ovsdb_datum_from_string(d, c->type, text, NULL);
    CHECK_MSG(!error, "%s", error);
}

static bool
holds(const struct ovsdb_idl_table_class *t, const char *cond_text,
      const char *column, const char *value_text)
{
    struct vsctl_condition cond;
    struct ovsdb_datum have;

    char *error = vsctl_condition_parse(cond_text, t, NULL, &cond);
    CHECK_MSG(!error, "%s: %s", cond_text, error);
    datum(t, column, value_text, &have);
    bool result = vsctl_condition_eval(&cond, &have);
    ovsdb_datum_destroy(&have, cond.column->type);
    vsctl_condition_destroy(&cond);
    return result;
}

TEST(conditions_on_scalars_and_sets)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");

    CHECK(holds(br, "name=br0", "name", "br0"));
    CHECK(!holds(br, "name=br0", "name", "br1"));
    CHECK(holds(br, "name!=br0", "name", "br1"));
    CHECK(holds(br, "name<c", "name", "br1"));
    CHECK(!holds(br, "name>c", "name", "br1"));
    CHECK(holds(br, "stp_enable=true", "stp_enable", "true"));
    CHECK(holds(br, "datapath_id=[]", "datapath_id", "[]"));
    CHECK(!holds(br, "datapath_id=[]", "datapath_id", "x"));

    CHECK(holds(br, "flood_vlans{=}[1,2]", "flood_vlans", "[2,1]"));
    CHECK(holds(br, "flood_vlans{>=}1", "flood_vlans", "[1,2]"));
    CHECK(!holds(br, "flood_vlans{>=}[1,3]", "flood_vlans", "[1,2]"));
    CHECK(holds(br, "flood_vlans{<}[1,2,3]", "flood_vlans", "[1,2]"));
    CHECK(!holds(br, "flood_vlans{<}[1,2]", "flood_vlans", "[1,2]"));
    CHECK(holds(br, "flood_vlans{in}[1,2,3]", "flood_vlans", "[1,3]"));
    CHECK(holds(br, "flood_vlans{not-in}[4,5]", "flood_vlans", "[1,3]"));
    CHECK(!holds(br, "flood_vlans{not-in}[3,5]", "flood_vlans", "[1,3]"));
    ovsdb_idl_class_destroy(class);
}

TEST(conditions_on_map_keys)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    const char *map = "{a=1, b=x}";

    CHECK(holds(br, "other_config:a=1", "other_config", map));
    CHECK(!holds(br, "other_config:a=2", "other_config", map));
    CHECK(holds(br, "other_config:a!=2", "other_config", map));
    /* A missing key satisfies no plain operator... */
    CHECK(!holds(br, "other_config:z=1", "other_config", map));
    CHECK(!holds(br, "other_config:z!=1", "other_config", map));
    /* ...but is the empty set for the set operators. */
    CHECK(holds(br, "other_config:z{=}[]", "other_config", map));
    CHECK(holds(br, "other_config:z{<=}[1]", "other_config", map));
    CHECK(holds(br, "other_config{>=}{a=1}", "other_config", map));
    ovsdb_idl_class_destroy(class);
}

TEST(condition_errors)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    struct vsctl_condition cond;

    CHECK_ERROR(vsctl_condition_parse("name:k=x", br, NULL, &cond),
                "cannot specify key to check for non-map column name");
    CHECK_ERROR(vsctl_condition_parse("stp_enable=maybe", br, NULL, &cond),
                "\"maybe\" is not a valid boolean (use \"true\" or "
                "\"false\")");
    CHECK_ERROR(vsctl_condition_parse("flood_vlans=5000", br, NULL, &cond),
                "constraint violation: 5000 is not in the valid range 0 to "
                "4095 (inclusive)");
    CHECK_ERROR(vsctl_condition_parse("bogus=1", br, NULL, &cond),
                "Bridge does not contain a column whose name matches "
                "\"bogus\"");
    CHECK(!cond.column);
    ovsdb_idl_class_destroy(class);
}

/* ---- Settings, add, remove. ---- */

static const struct ovsdb_datum *
read_fixed(const void *aux, const struct ovsdb_idl_column *column)
{
    return aux;
}

static char *
to_string(const struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(d, type, &s);
    return ds_steal_cstr(&s);
}

/* Applies SETTING to a Bridge whose other_config is OLD_MAP and checks
 * the result's string form. */
static void
check_setting(const struct ovsdb_idl_table_class *br, const char *setting,
              const char *old_map, const char *expected)
{
    struct ovsdb_datum old, new;
    const struct ovsdb_idl_column *c;
    bool keyed;

    datum(br, "other_config", old_map, &old);
    char *error = vsctl_apply_setting(setting, br, NULL, read_fixed, &old,
                                      &c, &new, &keyed);
    CHECK_MSG(!error, "%s: %s", setting, error);
    char *s = to_string(&new, c->type);
    CHECK_STREQ(s, expected);
    CHECK_EQ(keyed, strchr(setting, ':') != NULL);
    free(s);
    ovsdb_datum_destroy(&new, c->type);
    ovsdb_datum_destroy(&old, ovsdb_idl_table_class_get_column(
                                  br, "other_config")->type);
}

TEST(settings)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    const struct ovsdb_idl_column *c;
    struct ovsdb_datum old, new;

    check_setting(br, "other_config:b=2", "{a=1, b=x}", "{a=\"1\", b=\"2\"}");
    check_setting(br, "other_config:c=3", "{a=1}", "{a=\"1\", c=\"3\"}");
    check_setting(br, "other_config={z=9}", "{a=1}", "{z=\"9\"}");
    check_setting(br, "flood_vlans=[3,1,2]", "{}", "[1, 2, 3]");
    check_setting(br, "datapath_id=[]", "{}", "[]");

    datum(br, "other_config", "{}", &old);
    CHECK_ERROR(vsctl_apply_setting("name:x=y", br, NULL, read_fixed, &old,
                                    &c, &new, NULL),
                "cannot specify key to set for non-map column name");
    CHECK_ERROR(vsctl_apply_setting("stp_enable=2", br, NULL, read_fixed,
                                    &old, &c, &new, NULL),
                "\"2\" is not a valid boolean (use \"true\" or \"false\")");
    CHECK_ERROR(vsctl_apply_setting("flood_vlans=[1,2,3,4,5]", br, NULL,
                                    read_fixed, &old, &c, &new, NULL),
                "[1,2,3,4,5]: 5 value(s) specified but the maximum number is "
                "4");
    CHECK(!c);
    CHECK_EQ(new.n, 0);
    ovsdb_datum_destroy(&old, ovsdb_idl_table_class_get_column(
                                  br, "other_config")->type);
    ovsdb_idl_class_destroy(class);
}

TEST(add_and_remove)
{
    struct ovsdb_idl_class *class = make_class();
    const struct ovsdb_idl_table_class *br = table(class, "Bridge");
    const struct ovsdb_idl_table_class *port = table(class, "Port");
    const struct ovsdb_idl_column *vlans
        = ovsdb_idl_table_class_get_column(br, "flood_vlans");
    const struct ovsdb_idl_column *other
        = ovsdb_idl_table_class_get_column(br, "other_config");
    const struct ovsdb_idl_column *trunks
        = ovsdb_idl_table_class_get_column(port, "trunks");
    const struct ovsdb_idl_column *options
        = ovsdb_idl_table_class_get_column(port, "options");
    struct ovsdb_datum old, new;
    char *s;

    datum(br, "flood_vlans", "[1]", &old);
    char *add[] = { "2", "[3, 1]" };
    CHECK(!vsctl_apply_add(vlans, "Bridge", &old, add, 2, NULL, &new));
    s = to_string(&new, vlans->type);
    CHECK_STREQ(s, "[1, 2, 3]");
    free(s);
    ovsdb_datum_destroy(&new, vlans->type);
    char *too_many[] = { "2,3,4,5" };
    CHECK_ERROR(vsctl_apply_add(vlans, "Bridge", &old, too_many, 1, NULL,
                                &new),
                "\"add\" operation would put 5 values in column flood_vlans "
                "of table Bridge but the maximum number is 4");
    ovsdb_datum_destroy(&old, vlans->type);

    /* Adding an existing key keeps its value. */
    datum(br, "other_config", "{a=1}", &old);
    char *pairs[] = { "a=2", "b=3" };
    CHECK(!vsctl_apply_add(other, "Bridge", &old, pairs, 2, NULL, &new));
    s = to_string(&new, other->type);
    CHECK_STREQ(s, "{a=\"1\", b=\"3\"}");
    free(s);
    ovsdb_datum_destroy(&new, other->type);
    ovsdb_datum_destroy(&old, other->type);

    /* Removing from a map: by pair (only if the value matches) or key. */
    datum(br, "other_config", "{a=1, b=2, c=3}", &old);
    char *rm[] = { "a=9", "b=2", "c" };
    CHECK(!vsctl_apply_remove(other, "Bridge", &old, rm, 3, NULL, &new));
    s = to_string(&new, other->type);
    CHECK_STREQ(s, "{a=\"1\"}");
    free(s);
    ovsdb_datum_destroy(&new, other->type);
    ovsdb_datum_destroy(&old, other->type);

    datum(port, "trunks", "[5]", &old);
    char *rm5[] = { "5" };
    CHECK_ERROR(vsctl_apply_remove(trunks, "Port", &old, rm5, 1, NULL,
                                   &new),
                "\"remove\" operation would put 0 values in column trunks "
                "of table Port but the minimum number is 1");
    char *bad[] = { "x" };
    CHECK_ERROR(vsctl_apply_remove(trunks, "Port", &old, bad, 1, NULL,
                                   &new),
                "\"x\" is not a valid integer or range");
    ovsdb_datum_destroy(&old, trunks->type);

    datum(port, "options", "{}", &old);
    char *three[] = { "a=1", "b=2", "c=3" };
    CHECK_ERROR(vsctl_apply_add(options, "Port", &old, three, 3, NULL,
                                &new),
                "\"add\" operation would put 3 pairs in column options of "
                "table Port but the maximum number is 2");
    ovsdb_datum_destroy(&old, options->type);
    ovsdb_idl_class_destroy(class);
}
