/* Tests for vswitchd/vswitch.ovsschema, Plexus's Open_vSwitch schema.
 *
 * The schema is an interface: Debian's ovs-vsctl, the python3-openvswitch
 * IDL, libvirt and OpenStack drive Plexus through it, so every table and
 * column they know must exist with exactly Open vSwitch's type.  These
 * tests pin that down three ways:
 *
 *   - the tables and columns the issue names, with the types written out
 *     here (so the check runs even where Open vSwitch is not installed);
 *   - a column-by-column comparison with Open vSwitch's own schema when
 *     /usr/share/openvswitch/vswitch.ovsschema exists;
 *   - structural rules: the cksum field matches the file (as Open
 *     vSwitch's build checks), every table is reachable from the root set
 *     through strong references, and Plexus's own VM table has the shape
 *     Documentation/vswitch-schema.md describes.
 *
 * The schema file is found through PLX_SRCDIR, which "make check" and
 * "make check-unit" set. */
#include <config.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-types.h"
#include "test.h"

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

/* Every table Plexus keeps from Open vSwitch's schema (all of 8.3.1's). */
static const char *const ovs_tables[] = {
    "Open_vSwitch", "Bridge", "Port", "Interface", "Flow_Table", "QoS",
    "Queue", "Mirror", "NetFlow", "sFlow", "IPFIX",
    "Flow_Sample_Collector_Set", "Controller", "Manager", "Datapath",
    "CT_Zone", "CT_Timeout_Policy", "SSL", "AutoAttach",
};

/* Returns the path of the schema under test, or skips the case. */
static char *
plexus_schema_path(void)
{
    const char *srcdir = getenv("PLX_SRCDIR");
    if (!srcdir || !srcdir[0]) {
        test_skip("PLX_SRCDIR is not set (run through make check-unit)");
    }
    return xasprintf("%s/vswitchd/vswitch.ovsschema", srcdir);
}

static struct ovsdb_schema *
load_schema(const char *file_name)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(file_name, &schema);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        test_fail(TEST_WHERE, "%s: %s", file_name, s);
    }
    return schema;
}

static struct ovsdb_schema *
load_plexus_schema(void)
{
    char *path = plexus_schema_path();
    struct ovsdb_schema *schema = load_schema(path);
    free(path);
    return schema;
}

static struct ovsdb_schema *
schema_from_json(const json_t *json)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        test_fail(TEST_WHERE, "schema from JSON: %s", s);
    }
    return schema;
}

static json_t *
load_json(const char *file_name)
{
    json_error_t jerr;
    json_t *json = json_load_file(file_name, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        test_fail(TEST_WHERE, "%s: %s", file_name, jerr.text);
    }
    return json;
}

/* The type as compact JSON with sorted keys; the caller frees it. */
static char *
type_to_string(const struct ovsdb_type *type)
{
    json_t *json = ovsdb_type_to_json(type);
    char *s = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS
                               | JSON_ENCODE_ANY);
    json_decref(json);
    return s;
}

/* TABLE's indexes as "a,b;c": columns sorted within an index, indexes
 * sorted, so that declaration order does not matter. */
static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

static char *
indexes_to_string(const struct ovsdb_table_schema *table)
{
    char **indexes = xcalloc(table->n_indexes + 1, sizeof *indexes);
    for (size_t i = 0; i < table->n_indexes; i++) {
        const struct ovsdb_column_set *set = &table->indexes[i];
        const char **names = xcalloc(set->n_columns + 1, sizeof *names);
        struct ds s = DS_EMPTY_INITIALIZER;

        for (size_t j = 0; j < set->n_columns; j++) {
            names[j] = set->columns[j]->name;
        }
        qsort(names, set->n_columns, sizeof *names, compare_strings);
        for (size_t j = 0; j < set->n_columns; j++) {
            ds_put_format(&s, "%s%s", j ? "," : "", names[j]);
        }
        indexes[i] = ds_steal_cstr(&s);
        free(names);
    }
    qsort(indexes, table->n_indexes, sizeof *indexes, compare_strings);

    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < table->n_indexes; i++) {
        ds_put_format(&s, "%s%s", i ? ";" : "", indexes[i]);
        free(indexes[i]);
    }
    free(indexes);
    return ds_steal_cstr(&s);
}

/* Whether a row inserted by a client that does not know COLUMN (Debian's
 * ovs-vsctl, for a column Plexus adds to an OVS table) gets a valid value:
 * the column's default must satisfy its type. */
static bool
column_default_is_valid(const struct ovsdb_column_schema *column)
{
    const struct ovsdb_type *type = &column->type;
    return (type->n_min == 0
            || (!ovsdb_base_type_has_constraints(&type->key)
                && !ovsdb_base_type_is_ref(&type->key)
                && (type->value.type == OVSDB_TYPE_VOID
                    || (!ovsdb_base_type_has_constraints(&type->value)
                        && !ovsdb_base_type_is_ref(&type->value)))));
}

static void
compare_columns(const struct ovsdb_table_schema *ref,
                const struct ovsdb_table_schema *plx, struct ds *diffs)
{
    for (size_t i = OVSDB_N_STD_COLUMNS; i < ref->n_columns; i++) {
        const struct ovsdb_column_schema *rc = ref->columns[i];
        const struct ovsdb_column_schema *pc
            = ovsdb_table_schema_get_column(plx, rc->name);
        if (!pc) {
            ds_put_format(diffs, "%s.%s: missing\n", ref->name, rc->name);
            continue;
        }

        char *rt = type_to_string(&rc->type);
        char *pt = type_to_string(&pc->type);
        if (strcmp(rt, pt)) {
            ds_put_format(diffs, "%s.%s: type %s, Open vSwitch has %s\n",
                          ref->name, rc->name, pt, rt);
        }
        free(rt);
        free(pt);
        if (rc->mutable != pc->mutable) {
            ds_put_format(diffs, "%s.%s: mutable differs\n",
                          ref->name, rc->name);
        }
        if (rc->ephemeral != pc->ephemeral) {
            ds_put_format(diffs, "%s.%s: ephemeral differs\n",
                          ref->name, rc->name);
        }
    }

    for (size_t i = OVSDB_N_STD_COLUMNS; i < plx->n_columns; i++) {
        const struct ovsdb_column_schema *pc = plx->columns[i];
        if (!ovsdb_table_schema_get_column(ref, pc->name)
            && !column_default_is_valid(pc)) {
            ds_put_format(diffs, "%s.%s: added column has no valid "
                          "default for rows inserted by OVS clients\n",
                          plx->name, pc->name);
        }
    }
}

static void
compare_tables(const struct ovsdb_table_schema *ref,
               const struct ovsdb_table_schema *plx, struct ds *diffs)
{
    if (ref->is_root != plx->is_root) {
        ds_put_format(diffs, "%s: isRoot %d, Open vSwitch has %d\n",
                      ref->name, plx->is_root, ref->is_root);
    }
    if (ref->max_rows != plx->max_rows) {
        ds_put_format(diffs, "%s: maxRows %u, Open vSwitch has %u\n",
                      ref->name, plx->max_rows, ref->max_rows);
    }
    if (ref->mutable != plx->mutable) {
        ds_put_format(diffs, "%s: mutable differs\n", ref->name);
    }

    char *ri = indexes_to_string(ref);
    char *pi = indexes_to_string(plx);
    if (strcmp(ri, pi)) {
        ds_put_format(diffs, "%s: indexes [%s], Open vSwitch has [%s]\n",
                      ref->name, pi, ri);
    }
    free(ri);
    free(pi);

    compare_columns(ref, plx, diffs);
}

/* Appends to DIFFS one line per way in which PLX is incompatible with
 * REF: a table or column of REF that PLX lacks or declares differently,
 * or a column PLX adds to a shared table that OVS clients could not
 * leave at its default.  Tables PLX adds are fine. */
static void
compare_schemas(const struct ovsdb_schema *ref,
                const struct ovsdb_schema *plx, struct ds *diffs)
{
    if (strcmp(ref->name, plx->name)) {
        ds_put_format(diffs, "schema name %s, Open vSwitch has %s\n",
                      plx->name, ref->name);
    }
    for (size_t i = 0; i < ref->n_tables; i++) {
        const struct ovsdb_table_schema *rt = ref->tables[i];
        const struct ovsdb_table_schema *pt
            = ovsdb_schema_get_table(plx, rt->name);
        if (!pt) {
            ds_put_format(diffs, "%s: table missing\n", rt->name);
        } else {
            compare_tables(rt, pt, diffs);
        }
    }
}

/* The parsed type of TYPE_JSON, a column type in RFC 7047 syntax. */
static void
parse_type(const char *type_json, struct ovsdb_type *type)
{
    json_error_t jerr;
    json_t *json = json_loads(type_json, JSON_DECODE_ANY, &jerr);
    if (!json) {
        test_fail(TEST_WHERE, "%s: %s", type_json, jerr.text);
    }
    struct ovsdb_error *error = ovsdb_type_from_json(type, json);
    json_decref(json);
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        test_fail(TEST_WHERE, "%s: %s", type_json, s);
    }
}

struct column_spec {
    const char *table;
    const char *column;
    const char *type;           /* RFC 7047 JSON. */
    bool ephemeral;
};

#define OPT_STRING "{\"key\": \"string\", \"min\": 0, \"max\": 1}"
#define OPT_INTEGER "{\"key\": \"integer\", \"min\": 0, \"max\": 1}"
#define STRING_SET \
    "{\"key\": \"string\", \"min\": 0, \"max\": \"unlimited\"}"
#define STRING_MAP "{\"key\": \"string\", \"value\": \"string\", " \
                   "\"min\": 0, \"max\": \"unlimited\"}"
#define INTEGER_MAP "{\"key\": \"string\", \"value\": \"integer\", " \
                    "\"min\": 0, \"max\": \"unlimited\"}"
#define REF_SET(TABLE) "{\"key\": {\"type\": \"uuid\", \"refTable\": \"" \
                       TABLE "\"}, \"min\": 0, \"max\": \"unlimited\"}"
#define OPT_REF(TABLE) "{\"key\": {\"type\": \"uuid\", \"refTable\": \"" \
                       TABLE "\"}, \"min\": 0, \"max\": 1}"
#define UP_DOWN "{\"key\": {\"type\": \"string\", \"enum\": " \
                "[\"set\", [\"up\", \"down\"]]}, \"min\": 0, \"max\": 1}"
#define VLAN_SET "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, " \
                 "\"maxInteger\": 4095}, \"min\": 0, \"max\": 4096}"

/* The columns the issue names, with Open vSwitch's types
 * (ovs-vswitchd.conf.db(5)), and those of Plexus's VM table. */
static const struct column_spec required_columns[] = {
    { "Open_vSwitch", "bridges", REF_SET("Bridge"), false },
    { "Open_vSwitch", "other_config", STRING_MAP, false },
    { "Open_vSwitch", "external_ids", STRING_MAP, false },
    { "Open_vSwitch", "ovs_version", OPT_STRING, false },
    { "Open_vSwitch", "db_version", OPT_STRING, false },
    { "Open_vSwitch", "datapath_types", STRING_SET, false },
    { "Open_vSwitch", "iface_types", STRING_SET, false },
    { "Open_vSwitch", "manager_options", REF_SET("Manager"), false },
    { "Open_vSwitch", "ssl", OPT_REF("SSL"), false },
    { "Open_vSwitch", "next_cfg", "\"integer\"", false },
    { "Open_vSwitch", "cur_cfg", "\"integer\"", false },
    { "Open_vSwitch", "dpdk_initialized", "\"boolean\"", false },
    { "Open_vSwitch", "dpdk_version", OPT_STRING, false },
    { "Open_vSwitch", "datapaths",
      "{\"key\": \"string\", \"value\": {\"type\": \"uuid\", "
      "\"refTable\": \"Datapath\"}, \"min\": 0, \"max\": \"unlimited\"}",
      false },

    { "Bridge", "name", "\"string\"", false },
    { "Bridge", "ports", REF_SET("Port"), false },
    { "Bridge", "controller", REF_SET("Controller"), false },
    { "Bridge", "fail_mode",
      "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", "
      "[\"standalone\", \"secure\"]]}, \"min\": 0, \"max\": 1}", false },
    { "Bridge", "mirrors", REF_SET("Mirror"), false },
    { "Bridge", "netflow", OPT_REF("NetFlow"), false },
    { "Bridge", "sflow", OPT_REF("sFlow"), false },
    { "Bridge", "ipfix", OPT_REF("IPFIX"), false },
    { "Bridge", "datapath_type", "\"string\"", false },
    { "Bridge", "datapath_id", OPT_STRING, true },

    { "Port", "name", "\"string\"", false },
    { "Port", "interfaces",
      "{\"key\": {\"type\": \"uuid\", \"refTable\": \"Interface\"}, "
      "\"min\": 1, \"max\": \"unlimited\"}", false },
    { "Port", "tag",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
      "\"maxInteger\": 4095}, \"min\": 0, \"max\": 1}", false },
    { "Port", "trunks", VLAN_SET, false },
    { "Port", "vlan_mode",
      "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"trunk\", "
      "\"access\", \"native-tagged\", \"native-untagged\", "
      "\"dot1q-tunnel\"]]}, \"min\": 0, \"max\": 1}", false },

    { "Interface", "name", "\"string\"", false },
    { "Interface", "type", "\"string\"", false },
    { "Interface", "options", STRING_MAP, false },
    { "Interface", "ofport", OPT_INTEGER, false },
    { "Interface", "ofport_request",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
      "\"maxInteger\": 65279}, \"min\": 0, \"max\": 1}", false },
    { "Interface", "mac", OPT_STRING, false },
    { "Interface", "mac_in_use", OPT_STRING, true },
    { "Interface", "link_state", UP_DOWN, true },
    { "Interface", "admin_state", UP_DOWN, true },
    { "Interface", "mtu", OPT_INTEGER, true },
    { "Interface", "mtu_request",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 1}, "
      "\"min\": 0, \"max\": 1}", false },
    { "Interface", "statistics", INTEGER_MAP, true },
    { "Interface", "status", STRING_MAP, true },
    { "Interface", "error", OPT_STRING, false },

    { "Controller", "target", "\"string\"", false },
    { "Controller", "is_connected", "\"boolean\"", true },
    { "Controller", "role",
      "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"other\", "
      "\"master\", \"slave\"]]}, \"min\": 0, \"max\": 1}", true },
    { "Controller", "status", STRING_MAP, true },
    { "Manager", "target", "\"string\"", false },
    { "NetFlow", "targets",
      "{\"key\": \"string\", \"min\": 1, \"max\": \"unlimited\"}", false },
    { "sFlow", "targets",
      "{\"key\": \"string\", \"min\": 1, \"max\": \"unlimited\"}", false },
    { "sFlow", "sampling", OPT_INTEGER, false },
    { "IPFIX", "targets", STRING_SET, false },
    { "Flow_Sample_Collector_Set", "bridge",
      "{\"key\": {\"type\": \"uuid\", \"refTable\": \"Bridge\"}}", false },
    { "SSL", "private_key", "\"string\"", false },
    { "Datapath", "ct_zones",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
      "\"maxInteger\": 65535}, \"value\": {\"type\": \"uuid\", "
      "\"refTable\": \"CT_Zone\"}, \"min\": 0, \"max\": \"unlimited\"}",
      false },
    { "CT_Zone", "timeout_policy", OPT_REF("CT_Timeout_Policy"), false },

    /* Plexus's VM table (Documentation/vswitch-schema.md). */
    { "VM", "name", "\"string\"", false },
    { "VM", "kernel", "\"string\"", false },
    { "VM", "initrd", OPT_STRING, false },
    { "VM", "cmdline", OPT_STRING, false },
    { "VM", "memory_mb",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
      "\"maxInteger\": 1048576}, \"min\": 0, \"max\": 1}", false },
    { "VM", "cpus",
      "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
      "\"maxInteger\": 255}, \"min\": 0, \"max\": 1}", false },
    { "VM", "state",
      "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"starting\", "
      "\"running\", \"stopped\", \"failed\"]]}, \"min\": 0, \"max\": 1}",
      true },
    { "VM", "status", STRING_MAP, true },
    { "VM", "error", OPT_STRING, false },
    { "VM", "other_config", STRING_MAP, false },
    { "VM", "external_ids", STRING_MAP, false },
};

TEST(parses)
{
    struct ovsdb_schema *schema = load_plexus_schema();

    CHECK_STREQ(schema->name, "Open_vSwitch");
    /* Open vSwitch's version, so that clients see what they expect. */
    CHECK_STREQ(schema->version, "8.3.1");
    CHECK(ovsdb_is_valid_version(schema->version));
    CHECK(schema->cksum[0] != '\0');

    /* What it writes back parses to the same schema. */
    json_t *json = ovsdb_schema_to_json(schema);
    struct ovsdb_schema *copy = schema_from_json(json);
    json_decref(json);
    CHECK(ovsdb_schema_equal(schema, copy));

    ovsdb_schema_destroy(copy);
    ovsdb_schema_destroy(schema);
}

TEST(required_tables)
{
    struct ovsdb_schema *schema = load_plexus_schema();
    struct ds missing = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ARRAY_SIZE(ovs_tables); i++) {
        if (!ovsdb_schema_get_table(schema, ovs_tables[i])) {
            ds_put_format(&missing, " %s", ovs_tables[i]);
        }
    }
    if (!ovsdb_schema_get_table(schema, "VM")) {
        ds_put_cstr(&missing, " VM");
    }
    CHECK_MSG(missing.length == 0, "missing tables:%s", ds_cstr(&missing));
    ds_destroy(&missing);

    const struct ovsdb_table_schema *ovs
        = ovsdb_schema_get_table(schema, "Open_vSwitch");
    CHECK(ovs->is_root);
    CHECK_EQ(ovs->max_rows, 1);
    CHECK_EQ(ovsdb_schema_get_table(schema, "SSL")->max_rows, 1);
    CHECK(!ovsdb_schema_get_table(schema, "Bridge")->is_root);

    ovsdb_schema_destroy(schema);
}

TEST(required_columns)
{
    struct ovsdb_schema *schema = load_plexus_schema();

    for (size_t i = 0; i < ARRAY_SIZE(required_columns); i++) {
        const struct column_spec *spec = &required_columns[i];
        const struct ovsdb_table_schema *table
            = ovsdb_schema_get_table(schema, spec->table);
        CHECK_MSG(table, "no table %s", spec->table);
        const struct ovsdb_column_schema *column
            = ovsdb_table_schema_get_column(table, spec->column);
        CHECK_MSG(column, "no column %s.%s", spec->table, spec->column);

        struct ovsdb_type expected;
        parse_type(spec->type, &expected);
        char *want = type_to_string(&expected);
        char *have = type_to_string(&column->type);
        CHECK_MSG(ovsdb_type_equals(&expected, &column->type),
                  "%s.%s: type %s, expected %s",
                  spec->table, spec->column, have, want);
        CHECK_MSG(column->ephemeral == spec->ephemeral,
                  "%s.%s: ephemeral is %d", spec->table, spec->column,
                  column->ephemeral);
        free(want);
        free(have);
        ovsdb_type_destroy(&expected);
    }

    /* Names are immutable, as in Open vSwitch. */
    static const char *const named[] = { "Bridge", "Port", "Interface",
                                         "VM" };
    for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
        const struct ovsdb_table_schema *table
            = ovsdb_schema_get_table(schema, named[i]);
        CHECK_MSG(!ovsdb_table_schema_get_column(table, "name")->mutable,
                  "%s.name is mutable", named[i]);
        char *indexes = indexes_to_string(table);
        CHECK_STREQ(indexes, "name");
        free(indexes);
    }

    ovsdb_schema_destroy(schema);
}

TEST(vm_table)
{
    struct ovsdb_schema *schema = load_plexus_schema();
    const struct ovsdb_table_schema *vm
        = ovsdb_schema_get_table(schema, "VM");

    /* A VM exists on its own, like a QoS row: in the root set, found by
     * its unique name (Interface options:vm=NAME), and nothing in the
     * tables Open vSwitch clients write refers to it. */
    CHECK(vm);
    CHECK(vm->is_root);
    CHECK_EQ(vm->max_rows, UINT_MAX);
    CHECK_EQ(vm->n_columns, OVSDB_N_STD_COLUMNS + 11);
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct ovsdb_table_schema *t = schema->tables[i];
        for (size_t j = OVSDB_N_STD_COLUMNS; j < t->n_columns; j++) {
            const struct ovsdb_type *type = &t->columns[j]->type;
            CHECK_MSG(!ovsdb_base_type_is_ref(&type->key)
                      || strcmp(type->key.uuid.refTableName, "VM"),
                      "%s.%s refers to VM", t->name, t->columns[j]->name);
        }
    }

    /* The switch writes state and status; the user writes the rest. */
    const struct ovsdb_column_schema *state
        = ovsdb_table_schema_get_column(vm, "state");
    CHECK(state->ephemeral);
    CHECK(!ovsdb_table_schema_get_column(vm, "kernel")->ephemeral);
    CHECK(!ovsdb_table_schema_get_column(vm, "memory_mb")->ephemeral);

    ovsdb_schema_destroy(schema);
}

/* Strong references decide which rows survive garbage collection: a table
 * that no root table reaches through strong references could never keep
 * a row. */
TEST(every_table_reachable_from_root)
{
    struct ovsdb_schema *schema = load_plexus_schema();
    bool *reached = xcalloc(schema->n_tables, sizeof *reached);
    bool changed = true;

    for (size_t i = 0; i < schema->n_tables; i++) {
        reached[i] = schema->tables[i]->is_root;
    }
    while (changed) {
        changed = false;
        for (size_t i = 0; i < schema->n_tables; i++) {
            const struct ovsdb_table_schema *t = schema->tables[i];
            if (!reached[i]) {
                continue;
            }
            for (size_t j = OVSDB_N_STD_COLUMNS; j < t->n_columns; j++) {
                const struct ovsdb_type *type = &t->columns[j]->type;
                const struct ovsdb_base_type *bases[2] = { &type->key,
                                                           &type->value };
                for (int k = 0; k < 2; k++) {
                    if (!ovsdb_base_type_is_strong_ref(bases[k])) {
                        continue;
                    }
                    for (size_t m = 0; m < schema->n_tables; m++) {
                        if (!reached[m]
                            && !strcmp(schema->tables[m]->name,
                                       bases[k]->uuid.refTableName)) {
                            reached[m] = changed = true;
                        }
                    }
                }
            }
        }
    }
    for (size_t i = 0; i < schema->n_tables; i++) {
        CHECK_MSG(reached[i], "table %s is unreachable from the root set",
                  schema->tables[i]->name);
    }
    free(reached);
    ovsdb_schema_destroy(schema);
}

/* POSIX cksum(1): CRC-32 (polynomial 0x04c11db7, most significant bit
 * first) over the data and then its length, complemented. */
static uint32_t
posix_cksum(const char *data, size_t n)
{
    uint32_t crc = 0;

    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t) (unsigned char) data[i] << 24;
        for (int bit = 0; bit < 8; bit++) {
            crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
        }
    }
    for (size_t len = n; len; len >>= 8) {
        crc ^= (uint32_t) (len & 0xff) << 24;
        for (int bit = 0; bit < 8; bit++) {
            crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
        }
    }
    return ~crc;
}

/* The "cksum" of a schema file as Open vSwitch's build computes it:
 *   sed '/"cksum": *"[0-9][0-9]* [0-9][0-9]*",/d' FILE | cksum
 * Returns "CRC LENGTH"; the caller frees it. */
static char *
schema_file_cksum(const char *file_name)
{
    FILE *stream = fopen(file_name, "r");
    if (!stream) {
        test_fail(TEST_WHERE, "%s: %s", file_name, strerror(errno));
    }

    regex_t re;
    CHECK_EQ(regcomp(&re, "\"cksum\": *\"[0-9][0-9]* [0-9][0-9]*\",",
                     REG_NOSUB), 0);

    struct ds kept = DS_EMPTY_INITIALIZER;
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    while ((len = getline(&line, &size, stream)) > 0) {
        if (regexec(&re, line, 0, NULL, 0)) {
            ds_put_buffer(&kept, line, len);
        }
    }
    free(line);
    fclose(stream);
    regfree(&re);

    char *cksum = xasprintf("%"PRIu32" %zu",
                            posix_cksum(kept.string ? kept.string : "",
                                        kept.length),
                            kept.length);
    ds_destroy(&kept);
    return cksum;
}

TEST(posix_cksum_known_values)
{
    /* Values printed by GNU cksum. */
    CHECK_EQ(posix_cksum("", 0), 4294967295u);
    CHECK_EQ(posix_cksum("123456789", 9), 930766865u);
    CHECK_EQ(posix_cksum("a\n", 2), 2418082923u);
}

TEST(cksum_matches_file)
{
    char *path = plexus_schema_path();
    struct ovsdb_schema *schema = load_schema(path);
    char *cksum = schema_file_cksum(path);

    CHECK_MSG(!strcmp(cksum, schema->cksum),
              "%s: \"cksum\" is \"%s\" but the file's is \"%s\" "
              "(update it after editing the schema)",
              path, schema->cksum, cksum);
    free(cksum);
    ovsdb_schema_destroy(schema);
    free(path);
}

TEST(cksum_matches_ovs_file)
{
    if (access(OVS_SCHEMA, R_OK)) {
        test_skip("%s not installed", OVS_SCHEMA);
    }
    /* Cross-checks our cksum against a file Open vSwitch's build
     * stamped. */
    struct ovsdb_schema *schema = load_schema(OVS_SCHEMA);
    char *cksum = schema_file_cksum(OVS_SCHEMA);
    CHECK_STREQ(cksum, schema->cksum);
    free(cksum);
    ovsdb_schema_destroy(schema);
}

TEST(compatible_with_ovs)
{
    char *path = plexus_schema_path();
    if (access(OVS_SCHEMA, R_OK)) {
        free(path);
        test_skip("%s not installed", OVS_SCHEMA);
    }

    struct ovsdb_schema *ovs = load_schema(OVS_SCHEMA);
    struct ovsdb_schema *plx = load_schema(path);
    struct ds diffs = DS_EMPTY_INITIALIZER;

    compare_schemas(ovs, plx, &diffs);
    CHECK_MSG(diffs.length == 0, "%s differs from %s (%s):\n%s",
              path, OVS_SCHEMA, ovs->version, ds_cstr(&diffs));

    /* Every table the issue requires is one Open vSwitch has. */
    for (size_t i = 0; i < ARRAY_SIZE(ovs_tables); i++) {
        CHECK_MSG(ovsdb_schema_get_table(ovs, ovs_tables[i]),
                  "Open vSwitch %s has no table %s", ovs->version,
                  ovs_tables[i]);
    }

    ds_destroy(&diffs);
    ovsdb_schema_destroy(plx);
    ovsdb_schema_destroy(ovs);
    free(path);
}

/* The comparison itself must catch drift: compared with itself the
 * schema is compatible, and each kind of change is reported. */
TEST(compare_detects_drift)
{
    char *path = plexus_schema_path();
    struct ovsdb_schema *ref = load_schema(path);
    json_t *json = load_json(path);
    struct ds diffs = DS_EMPTY_INITIALIZER;

    struct ovsdb_schema *same = schema_from_json(json);
    compare_schemas(ref, same, &diffs);
    CHECK_MSG(diffs.length == 0, "%s", ds_cstr(&diffs));
    ovsdb_schema_destroy(same);

    json_t *tables = json_object_get(json, "tables");
    json_t *iface = json_object_get(json_object_get(tables, "Interface"),
                                    "columns");
    json_t *port = json_object_get(json_object_get(tables, "Port"),
                                   "columns");
    json_t *bridge = json_object_get(tables, "Bridge");
    json_t *bridge_columns = json_object_get(bridge, "columns");

    /* A changed bound, a dropped column, a dropped table, a changed
     * ephemeral flag, a changed isRoot, a dropped index, and an added
     * column that OVS clients would insert with an invalid default. */
    json_t *key = json_object_get(
        json_object_get(json_object_get(iface, "ofport_request"), "type"),
        "key");
    CHECK(key);
    json_object_set_new(key, "maxInteger", json_integer(65280));
    CHECK_EQ(json_object_del(port, "trunks"), 0);
    CHECK_EQ(json_object_del(tables, "AutoAttach"), 0);
    CHECK_EQ(json_object_del(bridge_columns, "auto_attach"), 0);
    json_object_set_new(json_object_get(iface, "mtu"), "ephemeral",
                        json_false());
    json_object_set_new(bridge, "isRoot", json_true());
    CHECK_EQ(json_object_del(bridge, "indexes"), 0);
    json_t *required = json_loads(
        "{\"type\": {\"key\": {\"type\": \"integer\", \"minInteger\": 5}}}",
        0, NULL);
    json_object_set_new(bridge_columns, "plx_required", required);
    json_t *optional = json_loads(
        "{\"type\": {\"key\": {\"type\": \"integer\", \"minInteger\": 5},"
        " \"min\": 0, \"max\": 1}}", 0, NULL);
    json_object_set_new(bridge_columns, "plx_optional", optional);

    struct ovsdb_schema *changed = schema_from_json(json);
    compare_schemas(ref, changed, &diffs);
    const char *s = ds_cstr(&diffs);
    static const char *const expected[] = {
        "Interface.ofport_request: type",
        "Port.trunks: missing",
        "AutoAttach: table missing",
        "Bridge.auto_attach: missing",
        "Interface.mtu: ephemeral differs",
        "Bridge: isRoot 1, Open vSwitch has 0",
        "Bridge: indexes [], Open vSwitch has [name]",
        "Bridge.plx_required: added column has no valid default",
    };
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        CHECK_MSG(strstr(s, expected[i]), "\"%s\" not reported in:\n%s",
                  expected[i], s);
    }
    CHECK_MSG(!strstr(s, "plx_optional"), "%s", s);
    size_t n_lines = 0;
    for (const char *p = s; *p; p++) {
        n_lines += *p == '\n';
    }
    CHECK_EQ(n_lines, ARRAY_SIZE(expected));

    ovsdb_schema_destroy(changed);
    ds_destroy(&diffs);
    json_decref(json);
    ovsdb_schema_destroy(ref);
    free(path);
}

/* A damaged schema file is an error, not a crash. */
TEST(damaged_file_is_an_error)
{
    char *path = plexus_schema_path();
    FILE *in = fopen(path, "r");
    CHECK(in);
    struct ds text = DS_EMPTY_INITIALIZER;
    int c;
    while ((c = getc(in)) != EOF) {
        ds_put_char(&text, c);
    }
    fclose(in);

    char *copy = xasprintf("%s/damaged.ovsschema", test_tmpdir());
    static const size_t cuts[] = { 0, 1, 100, 5000 };
    for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
        size_t n = cuts[i] < text.length ? cuts[i] : text.length / 2;
        FILE *out = fopen(copy, "w");
        CHECK(out);
        CHECK_EQ(fwrite(text.string, 1, n, out), n);
        CHECK_EQ(fclose(out), 0);

        struct ovsdb_schema *schema = NULL;
        struct ovsdb_error *error = ovsdb_schema_from_file(copy, &schema);
        CHECK_MSG(error, "truncated to %zu bytes, still parsed", n);
        CHECK(!schema);
        ovsdb_error_destroy(error);
    }

    /* A refTable to a table that is not there. */
    char *bad = xasprintf("%s", text.string);
    char *p = strstr(bad, "\"refTable\": \"Bridge\"");
    CHECK(p);
    memcpy(p, "\"refTable\": \"Bridgf\"", strlen("\"refTable\": \"Bridgf\""));
    FILE *out = fopen(copy, "w");
    CHECK(out);
    fputs(bad, out);
    CHECK_EQ(fclose(out), 0);
    struct ovsdb_schema *schema = NULL;
    struct ovsdb_error *error = ovsdb_schema_from_file(copy, &schema);
    CHECK(error);
    ovsdb_error_destroy(error);

    free(bad);
    free(copy);
    ds_destroy(&text);
    free(path);
}
