/* Tests for utilities/vsctl-output: ovs-vsctl's list, table, csv, html
 * and json formats and --data, byte for byte (the expected texts are
 * what Open vSwitch 3.1's ovs-vsctl prints for the same data). */
#include <config.h>
#include "utilities/vsctl-output.h"

#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"
#include "test.h"

static struct ovsdb_type map_type;      /* map of string to string. */
static struct ovsdb_type set_type;      /* set of 0+ integers. */

static void
init_types(void)
{
    ovsdb_base_type_init(&map_type.key, OVSDB_TYPE_STRING);
    ovsdb_base_type_init(&map_type.value, OVSDB_TYPE_STRING);
    map_type.n_min = 0;
    map_type.n_max = UINT_MAX;
    ovsdb_base_type_init(&set_type.key, OVSDB_TYPE_INTEGER);
    ovsdb_base_type_init(&set_type.value, OVSDB_TYPE_VOID);
    set_type.n_min = 0;
    set_type.n_max = UINT_MAX;
}

static void
add_datum_cell(struct vsctl_table *t, const struct ovsdb_type *type,
               const char *text)
{
    struct ovsdb_datum d;
    char *error = ovsdb_datum_from_string(&d, type, text, NULL);
    CHECK_MSG(!error, "%s", error);
    vsctl_cell_set_datum(vsctl_table_add_cell(t), &d, type);
    ovsdb_datum_destroy(&d, type);
}

/* Two Interface-like rows: name, ofport (set), options (map). */
static struct vsctl_table *
sample_table(void)
{
    struct vsctl_table *t = vsctl_table_create();

    init_types();
    vsctl_table_add_column(t, "name");
    vsctl_table_add_column(t, "ofport");
    vsctl_table_add_column(t, "options");

    vsctl_table_add_row(t);
    add_datum_cell(t, &ovsdb_type_string, "fb");
    add_datum_cell(t, &set_type, "[]");
    add_datum_cell(t, &map_type, "{}");

    vsctl_table_add_row(t);
    add_datum_cell(t, &ovsdb_type_string, "p");
    add_datum_cell(t, &set_type, "[1]");
    add_datum_cell(t, &map_type, "{key=\"a b\", remote_ip=\"1.2.3.4\"}");
    return t;
}

static char *
format(const struct vsctl_table *t, enum vsctl_table_format f,
       enum vsctl_cell_format cf, bool headings, bool pretty)
{
    struct vsctl_table_style style = VSCTL_TABLE_STYLE_DEFAULT;
    struct ds s = DS_EMPTY_INITIALIZER;
    bool first = true;

    style.format = f;
    style.cell_format = cf;
    style.headings = headings;
    style.pretty = pretty;
    vsctl_table_format(t, &style, &first, &s);
    return ds_steal_cstr(&s);
}

#define CHECK_FORMAT(T, F, CF, HEADINGS, PRETTY, EXPECTED)              \
    do {                                                                \
        char *s__ = format(T, F, CF, HEADINGS, PRETTY);                 \
        CHECK_STREQ(s__, EXPECTED);                                     \
        free(s__);                                                      \
    } while (0)

TEST(list_format)
{
    struct vsctl_table *t = sample_table();
    CHECK_FORMAT(t, VSCTL_TF_LIST, VSCTL_CF_STRING, true, false,
                 "name                : fb\n"
                 "ofport              : []\n"
                 "options             : {}\n"
                 "\n"
                 "name                : p\n"
                 "ofport              : [1]\n"
                 "options             : {key=\"a b\", remote_ip=\"1.2.3.4\"}\n");
    /* --bare: list, bare data, no headings. */
    CHECK_FORMAT(t, VSCTL_TF_LIST, VSCTL_CF_BARE, false, false,
                 "fb\n\n\n\np\n1\nkey=a b remote_ip=1.2.3.4\n");
    vsctl_table_destroy(t);
}

TEST(table_format)
{
    struct vsctl_table *t = sample_table();
    CHECK_FORMAT(t, VSCTL_TF_TABLE, VSCTL_CF_STRING, true, false,
                 "name ofport options\n"
                 "---- ------ --------------------------------\n"
                 "fb   []     {}\n"
                 "p    [1]    {key=\"a b\", remote_ip=\"1.2.3.4\"}\n");
    CHECK_FORMAT(t, VSCTL_TF_TABLE, VSCTL_CF_STRING, false, false,
                 "fb []  {}\n"
                 "p  [1] {key=\"a b\", remote_ip=\"1.2.3.4\"}\n");

    struct vsctl_table_style style = VSCTL_TABLE_STYLE_DEFAULT;
    struct ds s = DS_EMPTY_INITIALIZER;
    bool first = true;
    style.format = VSCTL_TF_TABLE;
    style.max_column_width = 5;
    vsctl_table_format(t, &style, &first, &s);
    CHECK_STREQ(ds_cstr(&s),
                "name ofport options\n"
                "---- ------ -------\n"
                "fb   []     {}\n"
                "p    [1]    {key=\"a\n");
    /* A second table is separated from the first by a blank line. */
    ds_clear(&s);
    style.max_column_width = 0;
    style.headings = false;
    vsctl_table_format(t, &style, &first, &s);
    CHECK(ds_cstr(&s)[0] == '\n');
    ds_destroy(&s);
    vsctl_table_destroy(t);
}

TEST(csv_format)
{
    struct vsctl_table *t = sample_table();
    CHECK_FORMAT(t, VSCTL_TF_CSV, VSCTL_CF_STRING, true, false,
                 "name,ofport,options\n"
                 "fb,[],{}\n"
                 "p,[1],\"{key=\"\"a b\"\", remote_ip=\"\"1.2.3.4\"\"}\"\n");
    vsctl_table_destroy(t);
}

TEST(json_format)
{
    struct vsctl_table *t = sample_table();
    CHECK_FORMAT(t, VSCTL_TF_JSON, VSCTL_CF_STRING, true, false,
                 "{\"data\":[[\"fb\",[\"set\",[]],[\"map\",[]]],"
                 "[\"p\",1,[\"map\",[[\"key\",\"a b\"],"
                 "[\"remote_ip\",\"1.2.3.4\"]]]]],"
                 "\"headings\":[\"name\",\"ofport\",\"options\"]}\n");
    vsctl_table_destroy(t);

    /* --pretty, in Open vSwitch's layout. */
    t = vsctl_table_create();
    vsctl_table_add_column(t, "name");
    vsctl_table_add_column(t, "options");
    vsctl_table_add_row(t);
    add_datum_cell(t, &ovsdb_type_string, "p1");
    add_datum_cell(t, &map_type, "{key=\"a b\", remote_ip=\"1.2.3.4\"}");
    CHECK_FORMAT(t, VSCTL_TF_JSON, VSCTL_CF_STRING, true, true,
                 "{\n"
                 "  \"data\": [\n"
                 "    [\n"
                 "      \"p1\",\n"
                 "      [\n"
                 "        \"map\",\n"
                 "        [\n"
                 "          [\n"
                 "            \"key\",\n"
                 "            \"a b\"],\n"
                 "          [\n"
                 "            \"remote_ip\",\n"
                 "            \"1.2.3.4\"]]]]],\n"
                 "  \"headings\": [\n"
                 "    \"name\",\n"
                 "    \"options\"]}\n");
    vsctl_table_destroy(t);
}

TEST(json_data_in_list)
{
    struct vsctl_table *t = sample_table();
    CHECK_FORMAT(t, VSCTL_TF_LIST, VSCTL_CF_JSON, true, false,
                 "name                : \"fb\"\n"
                 "ofport              : [\"set\",[]]\n"
                 "options             : [\"map\",[]]\n"
                 "\n"
                 "name                : \"p\"\n"
                 "ofport              : 1\n"
                 "options             : [\"map\",[[\"key\",\"a b\"],"
                 "[\"remote_ip\",\"1.2.3.4\"]]]\n");
    vsctl_table_destroy(t);
}

TEST(html_format)
{
    struct vsctl_table *t = vsctl_table_create();
    struct ovsdb_datum d;
    union ovsdb_atom a;

    vsctl_table_add_column(t, "_uuid");
    vsctl_table_add_column(t, "text");
    vsctl_table_add_row(t);
    CHECK(uuid_from_string(&a.uuid, "826ad3fe-1f2b-40bd-b74f-0826d4f985dc"));
    d.n = 1;
    d.keys = &a;
    d.values = NULL;
    vsctl_cell_set_datum(vsctl_table_add_cell(t), &d, &ovsdb_type_uuid);
    vsctl_cell_set_text(vsctl_table_add_cell(t),
                        "<a&b> 826ad3fe-1f2b-40bd-b74f-0826d4f985dc");
    CHECK_FORMAT(t, VSCTL_TF_HTML, VSCTL_CF_STRING, true, false,
                 "<table border=1>\n"
                 "  <tr>\n"
                 "    <th>_uuid</th>\n"
                 "    <th>text</th>\n"
                 "  </tr>\n"
                 "  <tr>\n"
                 "    <td><a name=\"826ad3fe-1f2b-40bd-b74f-0826d4f985dc\">"
                 "826ad3fe</a></td>\n"
                 "    <td>&lt;a&amp;b&gt; <a href=\"#826ad3fe-1f2b-40bd-"
                 "b74f-0826d4f985dc\">826ad3fe</a></td>\n"
                 "  </tr>\n"
                 "</table>\n");
    vsctl_table_destroy(t);
}

TEST(empty_table)
{
    struct vsctl_table *t = vsctl_table_create();
    vsctl_table_add_column(t, "name");
    CHECK_FORMAT(t, VSCTL_TF_LIST, VSCTL_CF_STRING, true, false, "");
    CHECK_FORMAT(t, VSCTL_TF_TABLE, VSCTL_CF_STRING, true, false,
                 "name\n----\n");
    CHECK_FORMAT(t, VSCTL_TF_JSON, VSCTL_CF_STRING, true, false,
                 "{\"data\":[],\"headings\":[\"name\"]}\n");
    vsctl_table_destroy(t);
}

TEST(format_options)
{
    struct vsctl_table_style style = VSCTL_TABLE_STYLE_DEFAULT;
    char *error;

    CHECK(!vsctl_table_parse_format(&style, "csv"));
    CHECK_EQ(style.format, VSCTL_TF_CSV);
    CHECK(!vsctl_table_parse_cell_format(&style, "bare"));
    CHECK_EQ(style.cell_format, VSCTL_CF_BARE);
    error = vsctl_table_parse_format(&style, "xml");
    CHECK_STREQ(error, "unknown output format \"xml\"");
    free(error);
    error = vsctl_table_parse_cell_format(&style, "yaml");
    CHECK_STREQ(error, "unknown data format \"yaml\"");
    free(error);
    CHECK_EQ(style.format, VSCTL_TF_CSV);
}

TEST(oneline)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    vsctl_put_oneline("br0\nbr1\n", &s);
    vsctl_put_oneline("", &s);
    vsctl_put_oneline("a\\b\n\n", &s);
    CHECK_STREQ(ds_cstr(&s), "br0\\nbr1\n\na\\\\b\\n\n");
    ds_destroy(&s);
}
