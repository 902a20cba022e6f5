/* Tests for ovsdb/ovsdb-schema: a realistic schema, its round trip, and
 * each class of schema error. */
#include <config.h>
#include "ovsdb/ovsdb-schema.h"

#include <stdio.h>
#include <string.h>

#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "test.h"

/* A cut-down Open_vSwitch schema: roots, references of both kinds, maps,
 * enums, constrained integers, an index, an ephemeral column. */
static const char test_schema[] =
"{\"name\": \"Open_vSwitch\", \"version\": \"8.3.0\", \"cksum\": \"1 2\",\n"
" \"tables\": {\n"
"  \"Open_vSwitch\": {\n"
"   \"columns\": {\n"
"    \"bridges\": {\"type\": {\"key\": {\"type\": \"uuid\",\n"
"                   \"refTable\": \"Bridge\"}, \"min\": 0,\n"
"                   \"max\": \"unlimited\"}},\n"
"    \"next_cfg\": {\"type\": \"integer\"},\n"
"    \"cur_cfg\": {\"type\": \"integer\", \"ephemeral\": true},\n"
"    \"external_ids\": {\"type\": {\"key\": \"string\",\n"
"                   \"value\": \"string\", \"min\": 0,\n"
"                   \"max\": \"unlimited\"}}},\n"
"   \"isRoot\": true, \"maxRows\": 1},\n"
"  \"Bridge\": {\n"
"   \"columns\": {\n"
"    \"name\": {\"type\": \"string\", \"mutable\": false},\n"
"    \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\",\n"
"                 \"refTable\": \"Port\"}, \"min\": 0,\n"
"                 \"max\": \"unlimited\"}},\n"
"    \"mirrors\": {\"type\": {\"key\": {\"type\": \"uuid\",\n"
"                 \"refTable\": \"Mirror\", \"refType\": \"weak\"},\n"
"                 \"min\": 0, \"max\": \"unlimited\"},\n"
"                 \"mutable\": false},\n"
"    \"fail_mode\": {\"type\": {\"key\": {\"type\": \"string\",\n"
"                 \"enum\": [\"set\", [\"standalone\", \"secure\"]]},\n"
"                 \"min\": 0, \"max\": 1}}},\n"
"   \"indexes\": [[\"name\"]]},\n"
"  \"Port\": {\n"
"   \"columns\": {\n"
"    \"name\": {\"type\": \"string\"},\n"
"    \"tag\": {\"type\": {\"key\": {\"type\": \"integer\",\n"
"             \"minInteger\": 0, \"maxInteger\": 4095},\n"
"             \"min\": 0, \"max\": 1}},\n"
"    \"status\": {\"type\": {\"key\": \"string\", \"value\": \"string\",\n"
"             \"min\": 0, \"max\": \"unlimited\"}, \"ephemeral\": true}},\n"
"   \"indexes\": [[\"name\"], [\"name\", \"tag\"]]},\n"
"  \"Mirror\": {\n"
"   \"columns\": {\"name\": {\"type\": \"string\"},\n"
"    \"output_port\": {\"type\": {\"key\": {\"type\": \"uuid\",\n"
"                     \"refTable\": \"Port\"}, \"min\": 0, \"max\": 1},\n"
"                     \"ephemeral\": true}},\n"
"   \"isRoot\": false}}}";

static json_t *
parse_json(const char *s)
{
    json_error_t error;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &error);
    CHECK_MSG(json, "bad test JSON: %s (line %d)", error.text, error.line);
    return json;
}

static struct ovsdb_schema *
parse_schema(const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    CHECK_MSG(!error, "%s", ovsdb_error_to_string(error));
    json_decref(json);
    return schema;
}

static void
check_schema_error(const char *s, const char *details)
{
    json_t *json = parse_json(s);
    struct ovsdb_schema *schema = (void *) 1;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);

    CHECK_MSG(error, "%s: parsed, expected \"%s\"", s, details);
    CHECK(!schema);
    CHECK_STREQ(ovsdb_error_get_tag(error), "syntax error");
    const char *got = ovsdb_error_get_details(error);
    CHECK_MSG(got && strstr(got, details), "%s:\n got \"%s\"\nwant \"%s\"",
              s, got ? got : "(null)", details);
    ovsdb_error_destroy(error);
    json_decref(json);
}

TEST(realistic_schema)
{
    struct ovsdb_schema *schema = parse_schema(test_schema);

    CHECK_STREQ(schema->name, "Open_vSwitch");
    CHECK_STREQ(schema->version, "8.3.0");
    CHECK_STREQ(schema->cksum, "1 2");
    CHECK_EQ(schema->n_tables, 4);
    CHECK_STREQ(schema->tables[0]->name, "Open_vSwitch");

    const struct ovsdb_table_schema *ovs = ovsdb_schema_get_table(
        schema, "Open_vSwitch");
    CHECK(ovs);
    CHECK(ovs->is_root);
    CHECK_EQ(ovs->max_rows, 1);
    CHECK_EQ(ovs->n_columns, 2 + 4);
    CHECK_STREQ(ovs->columns[OVSDB_COL_UUID]->name, "_uuid");
    CHECK_STREQ(ovs->columns[OVSDB_COL_VERSION]->name, "_version");
    CHECK_STREQ(ovs->columns[2]->name, "bridges");
    CHECK(!ovs->columns[OVSDB_COL_UUID]->mutable);
    CHECK(ovsdb_type_is_scalar(&ovs->columns[OVSDB_COL_UUID]->type));
    const struct ovsdb_column_schema *c = ovsdb_table_schema_get_column(
        ovs, "cur_cfg");
    CHECK(c && c->ephemeral && c->mutable);
    CHECK_EQ(c->index, 4);
    c = ovsdb_table_schema_get_column(ovs, "external_ids");
    CHECK(c && ovsdb_type_is_map(&c->type));
    CHECK(!ovsdb_table_schema_get_column(ovs, "nope"));
    CHECK(ovsdb_table_schema_get_column(ovs, "_uuid"));

    const struct ovsdb_table_schema *br = ovsdb_schema_get_table(schema,
                                                                 "Bridge");
    CHECK(br && !br->is_root);
    CHECK_EQ(br->max_rows, UINT_MAX);
    CHECK(!ovsdb_table_schema_get_column(br, "name")->mutable);
    /* A weak reference is always mutable. */
    c = ovsdb_table_schema_get_column(br, "mirrors");
    CHECK(c->mutable);
    CHECK(ovsdb_base_type_is_weak_ref(&c->type.key));
    CHECK_EQ(br->n_indexes, 1);
    CHECK_EQ(br->indexes[0].n_columns, 1);
    CHECK_STREQ(br->indexes[0].columns[0]->name, "name");

    const struct ovsdb_table_schema *port = ovsdb_schema_get_table(schema,
                                                                   "Port");
    CHECK_EQ(port->n_indexes, 2);
    CHECK_EQ(port->indexes[1].n_columns, 2);
    CHECK(ovsdb_column_set_contains(&port->indexes[1],
                                    ovsdb_table_schema_get_column(
                                        port, "tag")->index));
    CHECK(ovsdb_table_schema_get_column(port, "status")->ephemeral);

    /* A strong reference to a non-root table cannot be ephemeral. */
    const struct ovsdb_table_schema *mirror = ovsdb_schema_get_table(
        schema, "Mirror");
    CHECK(!mirror->is_root);
    CHECK(!ovsdb_table_schema_get_column(mirror, "output_port")->ephemeral);

    CHECK(!ovsdb_schema_get_table(schema, "Interface"));

    /* Round trip through JSON text, and through clone. */
    json_t *json = ovsdb_schema_to_json(schema);
    char *text = json_dumps(json, JSON_INDENT(1));
    struct ovsdb_schema *back = parse_schema(text);
    CHECK(ovsdb_schema_equal(schema, back));
    json_t *json2 = ovsdb_schema_to_json(back);
    CHECK(json_equal(json, json2));
    struct ovsdb_schema *clone = ovsdb_schema_clone(schema);
    CHECK(ovsdb_schema_equal(schema, clone));
    CHECK(clone->tables[1]->indexes[0].columns[0]
          == clone->tables[1]->columns[
              clone->tables[1]->indexes[0].columns[0]->index]);

    /* Written back in the shortest form: no defaults, no _uuid. */
    json_t *bt = json_object_get(json_object_get(json, "tables"), "Bridge");
    CHECK(!json_object_get(bt, "isRoot"));
    CHECK(!json_object_get(bt, "maxRows"));
    CHECK(!json_object_get(json_object_get(bt, "columns"), "_uuid"));
    json_t *mt = json_object_get(json_object_get(json, "tables"), "Mirror");
    CHECK(!json_object_get(mt, "isRoot"));
    json_t *ot = json_object_get(json_object_get(json, "tables"),
                                 "Open_vSwitch");
    CHECK(json_is_true(json_object_get(ot, "isRoot")));

    /* A change is noticed. */
    clone->tables[0]->max_rows = 2;
    CHECK(!ovsdb_schema_equal(schema, clone));

    ovsdb_schema_destroy(clone);
    json_decref(json2);
    ovsdb_schema_destroy(back);
    free(text);
    json_decref(json);
    ovsdb_schema_destroy(schema);
}

TEST(root_set_compatibility)
{
    /* No "isRoot" anywhere: every table is a root, and none is written. */
    struct ovsdb_schema *schema = parse_schema(
        "{\"name\": \"db\", \"tables\": {"
        "\"a\": {\"columns\": {\"r\": {\"type\": {\"key\": {\"type\": "
        "\"uuid\", \"refTable\": \"b\"}}, \"ephemeral\": true}}},"
        "\"b\": {\"columns\": {\"x\": {\"type\": \"integer\"}}}}}");
    CHECK(schema->tables[0]->is_root && schema->tables[1]->is_root);
    CHECK_STREQ(schema->version, "");
    /* The reference is to a root, so it may stay ephemeral. */
    CHECK(schema->tables[0]->columns[2]->ephemeral);
    json_t *json = ovsdb_schema_to_json(schema);
    char *text = json_dumps(json, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_STREQ(text, "{\"name\":\"db\",\"tables\":{"
                "\"a\":{\"columns\":{\"r\":{\"ephemeral\":true,\"type\":"
                "{\"key\":{\"refTable\":\"b\",\"type\":\"uuid\"}}}}},"
                "\"b\":{\"columns\":{\"x\":{\"type\":\"integer\"}}}}}");
    free(text);
    json_decref(json);
    ovsdb_schema_destroy(schema);
}

TEST(from_file)
{
    char *path = xasprintf("%s/schema.ovsschema", test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs(test_schema, f);
    fclose(f);

    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(path, &schema);
    CHECK_MSG(!error, "%s", ovsdb_error_to_string(error));
    CHECK_EQ(schema->n_tables, 4);
    ovsdb_schema_destroy(schema);

    /* Not JSON. */
    f = fopen(path, "w");
    fputs("{\"name\": ", f);
    fclose(f);
    error = ovsdb_schema_from_file(path, &schema);
    CHECK(error && !schema);
    CHECK_STREQ(ovsdb_error_get_tag(error), "failed to read schema");
    ovsdb_error_destroy(error);

    /* JSON but not a schema: the file name is in the message. */
    f = fopen(path, "w");
    fputs("{\"name\": \"x\"}", f);
    fclose(f);
    error = ovsdb_schema_from_file(path, &schema);
    CHECK(error && !schema);
    CHECK(strstr(ovsdb_error_get_details(error), "failed to parse"));
    CHECK(strstr(ovsdb_error_get_details(error), path));
    CHECK(strstr(ovsdb_error_get_details(error),
                 "Required 'tables' member is missing"));
    ovsdb_error_destroy(error);

    /* Duplicate keys are rejected in files. */
    f = fopen(path, "w");
    fputs("{\"name\": \"x\", \"name\": \"y\", \"tables\": {}}", f);
    fclose(f);
    error = ovsdb_schema_from_file(path, &schema);
    CHECK(error);
    ovsdb_error_destroy(error);

    /* Missing. */
    free(path);
    path = xasprintf("%s/missing.ovsschema", test_tmpdir());
    error = ovsdb_schema_from_file(path, &schema);
    CHECK(error && !schema);
    CHECK_STREQ(ovsdb_error_get_tag(error), "I/O error");
    ovsdb_error_destroy(error);
    free(path);
}

#define TABLE(COLUMNS) "{\"name\": \"db\", \"tables\": {\"t\": " COLUMNS "}}"

TEST(schema_errors)
{
    check_schema_error("[]", "Parsing database schema failed: Object "
                       "expected.");
    check_schema_error("{\"tables\": {}}", "Required 'name' member is "
                       "missing");
    check_schema_error("{\"name\": \"1db\", \"tables\": {}}",
                       "Type mismatch for member 'name'");
    check_schema_error("{\"name\": \"db\"}",
                       "Required 'tables' member is missing");
    check_schema_error("{\"name\": \"db\", \"tables\": []}",
                       "Type mismatch for member 'tables'");
    check_schema_error("{\"name\": \"db\", \"tables\": {}, \"extra\": 1}",
                       "Member 'extra' is present but not allowed here");
    check_schema_error("{\"name\": \"db\", \"version\": \"1.2\", "
                       "\"tables\": {}}",
                       "schema version \"1.2\" not in format x.y.z");
    check_schema_error("{\"name\": \"db\", \"version\": \"1.2.3.4\", "
                       "\"tables\": {}}", "not in format x.y.z");
    check_schema_error("{\"name\": \"db\", \"version\": \"1.-2.3\", "
                       "\"tables\": {}}", "not in format x.y.z");
    check_schema_error("{\"name\": \"db\", \"version\": 1, \"tables\": {}}",
                       "Type mismatch for member 'version'");
    check_schema_error("{\"name\": \"db\", \"tables\": {\"_t\": {}}}",
                       "names beginning with \"_\" are reserved");
    check_schema_error("{\"name\": \"db\", \"tables\": {\"a-b\": {}}}",
                       "name must be a valid id");
    check_schema_error(TABLE("5"), "Parsing table schema for table t "
                       "failed: Object expected.");
    check_schema_error(TABLE("{}"), "Parsing table schema for table t "
                       "failed: Required 'columns' member is missing.");
    check_schema_error(TABLE("{\"columns\": {}}"),
                       "table must have at least one column");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"maxRows\": 0}"),
                       "maxRows must be at least 1");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"isRoot\": 1}"),
                       "Type mismatch for member 'isRoot'");
    check_schema_error(TABLE("{\"columns\": {\"_c\": {\"type\": "
                             "\"integer\"}}}"),
                       "names beginning with \"_\" are reserved");
    check_schema_error(TABLE("{\"columns\": {\"c d\": {\"type\": "
                             "\"integer\"}}}"), "name must be a valid id");
    check_schema_error(TABLE("{\"columns\": {\"c\": {}}}"),
                       "Parsing schema for column c failed: Required "
                       "'type' member is missing.");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": \"int\"}}}"),
                       "\"int\" is not an atomic-type");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\", \"ephemeral\": \"yes\"}}}"),
                       "Type mismatch for member 'ephemeral'");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\", \"default\": 1}}}"),
                       "Member 'default' is present but not allowed here");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": {\"key\": "
                             "{\"type\": \"uuid\", \"refTable\": \"u\"}}}}}"),
                       "column c key refers to undefined table u");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": {\"key\": "
                             "\"string\", \"value\": {\"type\": \"uuid\", "
                             "\"refTable\": \"u\"}}}}}"),
                       "column c value refers to undefined table u");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"indexes\": [[\"d\"]]}"),
                       "d is not a valid column name");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"indexes\": [[\"c\", \"c\"]]}"),
                       "array of distinct column names expected");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"indexes\": [\"c\"]}"),
                       "array of distinct column names expected");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"indexes\": [[]]}"),
                       "index must have at least one column");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\", \"ephemeral\": true}}, "
                             "\"indexes\": [[\"c\"]]}"),
                       "ephemeral columns (such as c) may not be indexed");
    check_schema_error(TABLE("{\"columns\": {\"c\": {\"type\": "
                             "\"integer\"}}, \"indexes\": {}}"),
                       "Type mismatch for member 'indexes'");
}

TEST(versions)
{
    struct ovsdb_version v;

    CHECK(ovsdb_parse_version("8.3.0", &v));
    CHECK(v.x == 8 && v.y == 3 && v.z == 0);
    CHECK(ovsdb_parse_version("4294967295.0.10", &v));
    CHECK_EQ(v.x, 4294967295u);
    static const char *bad[] = {
        "", "1", "1.2", "1.2.", ".1.2", "1..2", "1.2.3.", "1.2.3 ", " 1.2.3",
        "+1.2.3", "-1.2.3", "1.2.a", "4294967296.0.0", "1,2,3",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK_MSG(!ovsdb_is_valid_version(bad[i]), "accepted \"%s\"",
                  bad[i]);
    }
    CHECK_LT(ovsdb_version_string_compare_3way("1.2.3", "1.10.0"), 0);
    CHECK_GT(ovsdb_version_string_compare_3way("2.0.0", "1.99.99"), 0);
    CHECK_LT(ovsdb_version_string_compare_3way("1.2.3", "1.2.4"), 0);
    CHECK_EQ(ovsdb_version_string_compare_3way("1.2.3", "1.2.3"), 0);
    CHECK_LT(ovsdb_version_string_compare_3way("", "0.0.0"), 0);
}

TEST(build_by_hand)
{
    struct ovsdb_schema *schema = ovsdb_schema_create("db", "1.0.0", NULL);
    struct ovsdb_table_schema *ts = ovsdb_table_schema_create("T", true, 5,
                                                              true);
    struct ovsdb_column_schema *c = ovsdb_column_schema_create(
        "x", true, false, &ovsdb_type_integer);
    ovsdb_table_schema_add_column(ts, c);
    CHECK_EQ(c->index, OVSDB_N_STD_COLUMNS);
    ovsdb_schema_add_table(schema, ts);

    json_t *json = ovsdb_schema_to_json(schema);
    char *text = json_dumps(json, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_STREQ(text, "{\"name\":\"db\",\"tables\":{\"T\":{\"columns\":"
                "{\"x\":{\"type\":\"integer\"}},\"maxRows\":5}},"
                "\"version\":\"1.0.0\"}");
    struct ovsdb_schema *back = parse_schema(text);
    CHECK(ovsdb_schema_equal(schema, back));
    ovsdb_schema_destroy(back);
    free(text);
    json_decref(json);
    ovsdb_schema_destroy(schema);
}
