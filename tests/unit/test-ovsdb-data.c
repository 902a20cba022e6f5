/* Tests for ovsdb/ovsdb-data (atoms and datums in JSON and in ovs-vsctl's
 * string syntax), ovsdb/ovsdb-error and ovsdb/uuid. */
#include <config.h>
#include "ovsdb/ovsdb-data.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/uuid.h"
#include "test.h"

static json_t *
parse_json(const char *s)
{
    json_error_t error;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &error);
    CHECK_MSG(json, "bad test JSON %s: %s", s, error.text);
    return json;
}

/* Parses the type in TYPE_JSON (must succeed). */
static void
parse_type(struct ovsdb_type *type, const char *type_json)
{
    json_t *json = parse_json(type_json);
    struct ovsdb_error *error = ovsdb_type_from_json(type, json);
    CHECK_MSG(!error, "%s: %s", type_json, ovsdb_error_to_string(error));
    json_decref(json);
}

static char *
json_text(const json_t *json)
{
    return json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Parses VALUE as a datum of TYPE_JSON, checks that it writes back as
 * EXPECTED (VALUE if NULL), that it parses back equal, and that its
 * string form is STRING (if nonnull) and parses back equal. */
static void
check_datum(const char *type_json, const char *value, const char *expected,
            const char *string)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum, datum2;

    parse_type(&type, type_json);
    json_t *json = parse_json(value);
    struct ovsdb_error *error = ovsdb_datum_from_json(&datum, &type, json,
                                                      NULL);
    CHECK_MSG(!error, "%s: %s", value, ovsdb_error_to_string(error));
    CHECK(!ovsdb_datum_validate(&datum, &type));

    json_t *back = ovsdb_datum_to_json(&datum, &type);
    json_t *want = parse_json(expected ? expected : value);
    char *back_s = json_text(back);
    CHECK_MSG(json_equal(back, want), "%s: wrote %s", value, back_s);
    free(back_s);

    error = ovsdb_datum_from_json(&datum2, &type, back, NULL);
    CHECK(!error);
    CHECK(ovsdb_datum_equals(&datum, &datum2, &type));
    CHECK_EQ(ovsdb_datum_hash(&datum, &type, 0),
             ovsdb_datum_hash(&datum2, &type, 0));
    ovsdb_datum_destroy(&datum2, &type);

    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(&datum, &type, &s);
    if (string) {
        CHECK_STREQ(ds_cstr(&s), string);
    }
    CHECK_NO_ERROR(ovsdb_datum_from_string(&datum2, &type, ds_cstr(&s),
                                           NULL));
    CHECK_MSG(ovsdb_datum_equals(&datum, &datum2, &type),
              "%s: string form %s reads back differently", value,
              ds_cstr(&s));
    ovsdb_datum_destroy(&datum2, &type);
    ds_destroy(&s);

    ovsdb_datum_destroy(&datum, &type);
    json_decref(want);
    json_decref(back);
    json_decref(json);
    ovsdb_type_destroy(&type);
}

/* Parses VALUE as a datum of TYPE_JSON; must fail with TAG and DETAILS
 * (a substring). */
static void
check_datum_error(const char *type_json, const char *value, const char *tag,
                  const char *details)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;

    parse_type(&type, type_json);
    json_t *json = parse_json(value);
    struct ovsdb_error *error = ovsdb_datum_from_json(&datum, &type, json,
                                                      NULL);
    CHECK_MSG(error, "%s: parsed, expected \"%s\"", value, details);
    CHECK_STREQ(ovsdb_error_get_tag(error), tag);
    const char *got = ovsdb_error_get_details(error);
    CHECK_MSG(got && strstr(got, details), "%s: got \"%s\", want \"%s\"",
              value, got ? got : "(null)", details);
    CHECK_EQ(datum.n, 0);
    CHECK(!datum.keys && !datum.values);
    ovsdb_error_destroy(error);
    json_decref(json);
    ovsdb_type_destroy(&type);
}

/* Parses S in the string syntax as TYPE_JSON; must give the same datum as
 * the JSON WANT_JSON. */
static void
check_string(const char *type_json, const char *s, const char *want_json)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum, want;

    parse_type(&type, type_json);
    char *error = ovsdb_datum_from_string(&datum, &type, s, NULL);
    CHECK_MSG(!error, "%s: %s", s, error);
    json_t *json = parse_json(want_json);
    CHECK(!ovsdb_datum_from_json(&want, &type, json, NULL));
    json_t *got = ovsdb_datum_to_json(&datum, &type);
    char *got_s = json_text(got);
    CHECK_MSG(ovsdb_datum_equals(&datum, &want, &type),
              "%s: read as %s, want %s", s, got_s, want_json);
    free(got_s);
    json_decref(got);
    json_decref(json);
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_datum_destroy(&want, &type);
    ovsdb_type_destroy(&type);
}

static void
check_string_error(const char *type_json, const char *s, const char *want)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;

    parse_type(&type, type_json);
    char *error = ovsdb_datum_from_string(&datum, &type, s, NULL);
    CHECK_MSG(error, "%s: parsed, expected \"%s\"", s, want);
    CHECK_MSG(strstr(error, want), "%s: got \"%s\", want \"%s\"",
              s, error, want);
    CHECK_EQ(datum.n, 0);
    free(error);
    ovsdb_type_destroy(&type);
}

TEST(uuid_parsing)
{
    struct uuid a, b;
    char buf[UUID_LEN + 1];

    CHECK(uuid_from_string(&a, "01234567-89ab-cdef-0123-456789abcdef"));
    CHECK_EQ(a.parts[0], 0x01234567u);
    CHECK_EQ(a.parts[1], 0x89abcdefu);
    CHECK_EQ(a.parts[2], 0x01234567u);
    CHECK_EQ(a.parts[3], 0x89abcdefu);
    CHECK(uuid_from_string(&b, "01234567-89AB-CDEF-0123-456789ABCDEF"));
    CHECK(uuid_equals(&a, &b));
    CHECK_STREQ(uuid_to_string(&b, buf),
                "01234567-89ab-cdef-0123-456789abcdef");

    static const char *bad[] = {
        "", "01234567-89ab-cdef-0123-456789abcde",
        "01234567-89ab-cdef-0123-456789abcdef0",
        "01234567089ab-cdef-0123-456789abcdef",
        "0123456g-89ab-cdef-0123-456789abcdef",
        " 1234567-89ab-cdef-0123-456789abcdef",
        "{01234567-89ab-cdef-0123-456789abcdef}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK_MSG(!uuid_from_string(&a, bad[i]), "accepted \"%s\"", bad[i]);
        CHECK(uuid_is_zero(&a));
    }

    /* Order is the printed order. */
    CHECK(uuid_from_string(&a, "00000000-0000-0000-0000-000000000001"));
    CHECK(uuid_from_string(&b, "00000000-0000-0000-0001-000000000000"));
    CHECK_LT(uuid_compare_3way(&a, &b), 0);
    CHECK_GT(uuid_compare_3way(&b, &a), 0);
    CHECK_EQ(uuid_compare_3way(&a, &a), 0);
}

TEST(uuid_generate)
{
    struct uuid a, b;
    char buf[UUID_LEN + 1];

    uuid_generate(&a);
    uuid_generate(&b);
    CHECK(!uuid_equals(&a, &b));
    CHECK(!uuid_is_zero(&a));
    uuid_to_string(&a, buf);
    CHECK_EQ(buf[14], '4');                     /* Version 4. */
    CHECK(strchr("89ab", buf[19]) != NULL);     /* Variant 1. */
    struct uuid c;
    CHECK(uuid_from_string(&c, buf));
    CHECK(uuid_equals(&a, &c));
}

TEST(errors)
{
    struct ovsdb_error *error = ovsdb_error("constraint violation",
                                            "%d is too big", 42);
    CHECK_STREQ(ovsdb_error_get_tag(error), "constraint violation");
    CHECK_STREQ(ovsdb_error_get_details(error), "42 is too big");
    CHECK(!ovsdb_error_get_syntax(error));

    char *s = ovsdb_error_to_string(error);
    CHECK_STREQ(s, "constraint violation: 42 is too big");
    free(s);

    json_t *json = ovsdb_error_to_json(error);
    json_t *want = parse_json("{\"error\": \"constraint violation\", "
                              "\"details\": \"42 is too big\"}");
    CHECK(json_equal(json, want));
    json_decref(json);
    json_decref(want);

    struct ovsdb_error *clone = ovsdb_error_clone(error);
    ovsdb_error_destroy(error);
    error = ovsdb_wrap_error(clone, "column %s", "x");
    CHECK_STREQ(ovsdb_error_get_details(error), "column x: 42 is too big");
    ovsdb_error_destroy(error);

    error = ovsdb_error(NULL, NULL);
    CHECK_STREQ(ovsdb_error_get_tag(error), "ovsdb error");
    json = ovsdb_error_to_json(error);
    CHECK_EQ(json_object_size(json), 1);
    json_decref(json);
    ovsdb_error_destroy(error);

    json_t *bad = parse_json("{\"b\": 1, \"a\": [true]}");
    error = ovsdb_syntax_error(bad, NULL, "bad %s", "thing");
    s = ovsdb_error_to_string(error);
    CHECK_STREQ(s, "syntax \"{\"a\":[true],\"b\":1}\": syntax error: "
                "bad thing");
    free(s);
    json = ovsdb_error_to_json(error);
    CHECK_STREQ(json_string_value(json_object_get(json, "syntax")),
                "{\"a\":[true],\"b\":1}");
    json_decref(json);
    ovsdb_error_destroy(error);
    json_decref(bad);

    error = ovsdb_io_error(ENOENT, "reading %s", "db");
    s = ovsdb_error_to_string_free(error);
    CHECK(strstr(s, "I/O error: reading db (") == s);
    free(s);
    ovsdb_error_destroy(NULL);
}

TEST(atoms_json)
{
    check_datum("\"integer\"", "0", NULL, "0");
    check_datum("\"integer\"", "-9223372036854775808", NULL,
                "-9223372036854775808");
    check_datum("\"integer\"", "9223372036854775807", NULL, NULL);
    check_datum("\"real\"", "1.5", NULL, "1.5");
    check_datum("\"real\"", "3", "3.0", "3");
    check_datum("\"real\"", "0.1", NULL, "0.1");
    check_datum("\"real\"", "-1e-300", NULL, "-1e-300");
    check_datum("\"real\"", "1.7976931348623157e308", NULL, NULL);
    check_datum("\"boolean\"", "true", NULL, "true");
    check_datum("\"boolean\"", "false", NULL, "false");
    check_datum("\"string\"", "\"br0\"", NULL, "br0");
    /* A UUID-shaped string is quoted, or it would read back as a UUID. */
    check_datum("\"string\"", "\"a0b1c2d3-0000-4000-8000-00000000000f\"", NULL,
                "\"a0b1c2d3-0000-4000-8000-00000000000f\"");
    check_datum("\"string\"", "\"internal\"", NULL, "internal");
    check_datum("\"string\"", "\"\"", NULL, "\"\"");
    check_datum("\"string\"", "\"true\"", NULL, "\"true\"");
    check_datum("\"string\"", "\"a b\\\"c\\\\\\n\"", NULL,
                "\"a b\\\"c\\\\\\n\"");
    check_datum("\"string\"", "\"h\\u00e9llo \\u2603 \\ud83d\\ude00\"",
                NULL, NULL);
    check_datum("\"string\"", "\"a-b.c_d\"", NULL, "a-b.c_d");
    check_datum("\"uuid\"", "[\"uuid\", \"01234567-89ab-cdef-0123-"
                "456789abcdef\"]", NULL,
                "01234567-89ab-cdef-0123-456789abcdef");

    /* Negative zero is stored as zero. */
    struct ovsdb_datum d;
    json_t *json = parse_json("-0.0");
    CHECK(!ovsdb_datum_from_json(&d, &ovsdb_type_real, json, NULL));
    CHECK(!signbit(d.keys[0].real));
    ovsdb_datum_destroy(&d, &ovsdb_type_real);
    json_decref(json);
}

TEST(atom_errors)
{
    check_datum_error("\"integer\"", "1.5", "syntax error",
                      "expected integer");
    check_datum_error("\"integer\"", "\"1\"", "syntax error",
                      "expected integer");
    check_datum_error("\"real\"", "true", "syntax error", "expected real");
    check_datum_error("\"boolean\"", "0", "syntax error", "expected boolean");
    check_datum_error("\"string\"", "5", "syntax error", "expected string");
    check_datum_error("\"string\"", "null", "syntax error",
                      "expected string");
    check_datum_error("\"uuid\"", "\"01234567-89ab-cdef-0123-456789abcdef\"",
                      "syntax error", "expected [\"uuid\", <string>]");
    check_datum_error("\"uuid\"", "[\"uuid\", \"xyzzy\"]", "syntax error",
                      "\"xyzzy\" is not a valid UUID");
    check_datum_error("\"uuid\"", "[\"uuid\", 5]", "syntax error",
                      "expected [\"uuid\", <string>]");
    /* named-uuid needs a symbol table. */
    check_datum_error("\"uuid\"", "[\"named-uuid\", \"row\"]", "syntax error",
                      "expected [\"uuid\", <string>]");
}

TEST(named_uuids)
{
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ovsdb_type type;
    struct ovsdb_datum a, b;

    parse_type(&type, "{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\"}, "
               "\"min\": 0, \"max\": \"unlimited\"}");
    json_t *json = parse_json("[\"set\", [[\"named-uuid\", \"row1\"], "
                              "[\"named-uuid\", \"row2\"]]]");
    CHECK(!ovsdb_datum_from_json(&a, &type, json, symtab));
    CHECK_EQ(a.n, 2);
    struct ovsdb_symbol *s1 = ovsdb_symbol_table_get(symtab, "row1");
    struct ovsdb_symbol *s2 = ovsdb_symbol_table_get(symtab, "row2");
    CHECK(s1 && s2);
    CHECK(s1->strong_ref && !s1->weak_ref && !s1->created);
    CHECK(ovsdb_datum_find_key(&a, &(union ovsdb_atom) { .uuid = s1->uuid },
                               OVSDB_TYPE_UUID) != UINT_MAX);
    json_decref(json);

    /* The same name resolves to the same UUID again. */
    json = parse_json("[\"named-uuid\", \"row1\"]");
    CHECK(!ovsdb_datum_from_json(&b, &type, json, symtab));
    CHECK_EQ(b.n, 1);
    CHECK(uuid_equals(&b.keys[0].uuid, &s1->uuid));
    ovsdb_datum_destroy(&b, &type);
    json_decref(json);

    /* A name that is not an <id>. */
    json = parse_json("[\"named-uuid\", \"1row\"]");
    struct ovsdb_error *error = ovsdb_datum_from_json(&b, &type, json,
                                                      symtab);
    CHECK(error);
    CHECK(strstr(ovsdb_error_get_details(error), "not a valid <id>"));
    ovsdb_error_destroy(error);
    json_decref(json);

    /* The string syntax's "@name". */
    CHECK_NO_ERROR(ovsdb_datum_from_string(&b, &type, "[@br, @br2]",
                                           symtab));
    CHECK_EQ(b.n, 2);
    struct ovsdb_symbol *br = ovsdb_symbol_table_get(symtab, "@br");
    CHECK(br);
    CHECK(ovsdb_datum_find_key(&b, &(union ovsdb_atom) { .uuid = br->uuid },
                               OVSDB_TYPE_UUID) != UINT_MAX);
    ovsdb_datum_destroy(&b, &type);
    char *msg = ovsdb_datum_from_string(&b, &type, "@br", NULL);
    CHECK(msg && strstr(msg, "is not a valid UUID"));
    free(msg);

    /* put/insert. */
    struct uuid u;
    uuid_generate(&u);
    struct ovsdb_symbol *p = ovsdb_symbol_table_put(symtab, "made", &u, true);
    CHECK(p->created);
    CHECK(ovsdb_symbol_table_insert(symtab, "made") == p);

    ovsdb_datum_destroy(&a, &type);
    ovsdb_type_destroy(&type);
    ovsdb_symbol_table_destroy(symtab);
}

TEST(sets)
{
    const char *set = "{\"key\": \"integer\", \"min\": 0, "
                      "\"max\": \"unlimited\"}";
    check_datum(set, "[\"set\", []]", NULL, "[]");
    check_datum(set, "5", NULL, "[5]");
    check_datum(set, "[\"set\", [5]]", "5", "[5]");
    check_datum(set, "[\"set\", [3, -1, 2]]", "[\"set\", [-1, 2, 3]]",
                "[-1, 2, 3]");
    check_datum("{\"key\": \"string\", \"min\": 0, \"max\": 1}",
                "[\"set\", []]", NULL, "[]");
    check_datum("{\"key\": \"string\", \"min\": 0, \"max\": 1}",
                "\"x\"", NULL, "x");
    check_datum("{\"key\": \"string\", \"max\": \"unlimited\"}",
                "[\"set\", [\"b\", \"a\", \"B\", \"a b\"]]",
                "[\"set\", [\"B\", \"a\", \"a b\", \"b\"]]",
                "[B, a, \"a b\", b]");
    check_datum("{\"key\": \"boolean\", \"min\": 0, \"max\": 2}",
                "[\"set\", [true, false]]", "[\"set\", [false, true]]",
                "[false, true]");
    check_datum("{\"key\": \"real\", \"min\": 0, \"max\": 3}",
                "[\"set\", [2.5, -1, 0]]", "[\"set\", [-1.0, 0.0, 2.5]]",
                "[-1, 0, 2.5]");
    check_datum("{\"key\": \"uuid\", \"min\": 0, \"max\": 2}",
                "[\"set\", [[\"uuid\", \"ffffffff-0000-0000-0000-"
                "000000000000\"], [\"uuid\", \"00000000-0000-0000-0000-"
                "0000000000ff\"]]]",
                "[\"set\", [[\"uuid\", \"00000000-0000-0000-0000-"
                "0000000000ff\"], [\"uuid\", \"ffffffff-0000-0000-0000-"
                "000000000000\"]]]", NULL);
}

TEST(maps)
{
    const char *map = "{\"key\": \"string\", \"value\": \"string\", "
                      "\"min\": 0, \"max\": \"unlimited\"}";
    check_datum(map, "[\"map\", []]", NULL, "{}");
    check_datum(map, "[\"map\", [[\"b\", \"2\"], [\"a\", \"x y\"]]]",
                "[\"map\", [[\"a\", \"x y\"], [\"b\", \"2\"]]]",
                "{a=\"x y\", b=\"2\"}");
    check_datum("{\"key\": \"integer\", \"value\": {\"type\": \"uuid\", "
                "\"refTable\": \"T\"}, \"min\": 0, \"max\": \"unlimited\"}",
                "[\"map\", [[1, [\"uuid\", \"01234567-89ab-cdef-0123-"
                "456789abcdef\"]]]]", NULL,
                "{1=01234567-89ab-cdef-0123-456789abcdef}");
    /* A one-pair map type still prints without braces. */
    check_datum("{\"key\": \"string\", \"value\": \"integer\"}",
                "[\"map\", [[\"k\", 1]]]", NULL, "k=1");
}

TEST(datum_errors)
{
    const char *set = "{\"key\": \"integer\", \"min\": 0, \"max\": 2}";
    const char *map = "{\"key\": \"string\", \"value\": \"integer\", "
                      "\"min\": 0, \"max\": \"unlimited\"}";

    check_datum_error(set, "[\"set\", [1, 2, 3]]", "syntax error",
                      "set must have 0 to 2 members but 3 are present");
    check_datum_error("\"integer\"", "[\"set\", []]", "syntax error",
                      "set must have 1 to 1 members but 0 are present");
    check_datum_error(set, "[\"set\", [1, 1]]", "ovsdb error",
                      "set contains duplicate");
    check_datum_error(set, "[\"set\", 1]", "syntax error",
                      "expected [\"set\", <array>]");
    check_datum_error(set, "[\"set\", [1], 2]", "syntax error",
                      "expected [\"set\", <array>]");
    check_datum_error(set, "[\"set\", [1, \"x\"]]", "syntax error",
                      "expected integer");
    check_datum_error(map, "[\"map\", [[\"a\", 1], [\"a\", 2]]]",
                      "ovsdb error", "map contains duplicate key");
    check_datum_error(map, "[\"map\", [[\"a\", 1, 2]]]", "syntax error",
                      "expected 2-element array");
    check_datum_error(map, "[\"map\", [[\"a\", \"b\"]]]", "syntax error",
                      "expected integer");
    check_datum_error(map, "[\"set\", []]", "syntax error",
                      "expected [\"map\", <array>]");
    check_datum_error(map, "{}", "syntax error",
                      "expected [\"map\", <array>]");
    check_datum_error("{\"key\": \"string\", \"value\": \"string\"}",
                      "[\"map\", []]", "syntax error",
                      "map must have 1 to 1 members but 0 are present");
}

TEST(constraints)
{
    const char *range = "{\"key\": {\"type\": \"integer\", \"minInteger\": 1,"
                        " \"maxInteger\": 4095}}";
    check_datum(range, "1", NULL, "1");
    check_datum(range, "4095", NULL, "4095");
    check_datum_error(range, "0", "constraint violation",
                      "0 is not in the valid range 1 to 4095 (inclusive)");
    check_datum_error(range, "4096", "constraint violation",
                      "4096 is not in the valid range 1 to 4095 "
                      "(inclusive)");
    check_datum_error("{\"key\": {\"type\": \"integer\", \"minInteger\": 0}}",
                      "-1", "constraint violation",
                      "-1 is less than minimum allowed value 0");
    check_datum_error("{\"key\": {\"type\": \"integer\", \"maxInteger\": 9}}",
                      "10", "constraint violation",
                      "10 is greater than maximum allowed value 9");
    check_datum_error("{\"key\": {\"type\": \"real\", \"minReal\": 0, "
                      "\"maxReal\": 1}}", "1.5", "constraint violation",
                      "1.5 is not in the valid range 0 to 1 (inclusive)");
    check_datum_error("{\"key\": {\"type\": \"real\", \"minReal\": 0.5}}",
                      "0.25", "constraint violation",
                      "0.25 is less than minimum allowed value 0.5");
    check_datum_error("{\"key\": {\"type\": \"real\", \"maxReal\": 0.5}}",
                      "0.75", "constraint violation",
                      "0.75 is greater than maximum allowed value 0.5");

    /* Lengths count UTF-8 characters, not bytes. */
    const char *len = "{\"key\": {\"type\": \"string\", \"minLength\": 2, "
                      "\"maxLength\": 5}}";
    check_datum(len, "\"h\\u00e9llo\"", NULL, NULL);      /* 6 bytes. */
    check_datum_error(len, "\"a\"", "constraint violation",
                      "\"a\" length 1 is less than minimum allowed "
                      "length 2");
    check_datum_error(len, "\"abcdef\"", "constraint violation",
                      "\"abcdef\" length 6 is greater than maximum allowed "
                      "length 5");

    const char *enum_ = "{\"key\": {\"type\": \"string\", \"enum\": "
                        "[\"set\", [\"system\", \"internal\"]]}, "
                        "\"min\": 0, \"max\": \"unlimited\"}";
    check_datum(enum_, "[\"set\", [\"system\", \"internal\"]]",
                "[\"set\", [\"internal\", \"system\"]]",
                "[internal, system]");
    check_datum_error(enum_, "[\"set\", [\"system\", \"tap\"]]",
                      "constraint violation",
                      "tap is not one of the allowed values "
                      "([internal, system])");

    /* Map values are checked too. */
    check_datum_error("{\"key\": \"string\", \"value\": {\"type\": "
                      "\"integer\", \"maxInteger\": 1}, \"min\": 0, "
                      "\"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", 1], [\"b\", 2]]]",
                      "constraint violation",
                      "2 is greater than maximum allowed value 1");
}

TEST(utf8)
{
    size_t n;
    char *msg;

    CHECK(!ovsdb_utf8_validate("", &n) && n == 0);
    CHECK(!ovsdb_utf8_validate("h\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80", &n));
    CHECK_EQ(n, 4);

    static const char *bad[] = {
        "\x80", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xff", "a\xc3(",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        msg = ovsdb_utf8_validate(bad[i], &n);
        CHECK_MSG(msg, "accepted bad UTF-8 #%zu", i);
        free(msg);
    }

    /* Invalid UTF-8 from the string syntax is a constraint violation. */
    union ovsdb_atom atom;
    const struct ovsdb_base_type string = OVSDB_BASE_STRING_INIT;
    msg = ovsdb_atom_from_string(&atom, &string, "\"ab\xff\"", NULL);
    CHECK(msg);
    CHECK(strstr(msg, "constraint violation: not a valid UTF-8 string"));
    free(msg);
    msg = ovsdb_atom_from_string(&atom, &string, "ab\xc0\x80", NULL);
    CHECK(msg);
    free(msg);
}

TEST(string_syntax)
{
    const char *iset = "{\"key\": \"integer\", \"min\": 0, "
                       "\"max\": \"unlimited\"}";
    const char *sset = "{\"key\": \"string\", \"min\": 0, "
                       "\"max\": \"unlimited\"}";
    const char *smap = "{\"key\": \"string\", \"value\": \"string\", "
                       "\"min\": 0, \"max\": \"unlimited\"}";

    check_string("\"integer\"", "42", "42");
    check_string("\"integer\"", "-7", "-7");
    check_string("\"real\"", "2.5e3", "2500.0");
    check_string("\"real\"", "-0", "0.0");
    check_string("\"boolean\"", "yes", "true");
    check_string("\"boolean\"", "off", "false");
    check_string("\"boolean\"", "1", "true");
    check_string("\"string\"", "eth0", "\"eth0\"");
    check_string("\"string\"", "\"a b\"", "\"a b\"");
    check_string("\"string\"", "\"tab\\there \\u00e9 \\\"q\\\"\"",
                 "\"tab\\there \\u00e9 \\\"q\\\"\"");
    check_string("\"string\"", "a\\,b", "\"a,b\"");
    check_string("\"string\"", "\"\"", "\"\"");
    check_string("\"uuid\"", "01234567-89ab-cdef-0123-456789abcdef",
                 "[\"uuid\", \"01234567-89ab-cdef-0123-456789abcdef\"]");

    check_string(iset, "[]", "[\"set\", []]");
    check_string(iset, "  [ ]  ", "[\"set\", []]");
    check_string(iset, "3,1,2", "[\"set\", [1, 2, 3]]");
    check_string(iset, "[3, 1 2]", "[\"set\", [1, 2, 3]]");
    check_string(iset, "1-3,7", "[\"set\", [1, 2, 3, 7]]");
    check_string(iset, "-3--1", "[\"set\", [-3, -2, -1]]");
    check_string(sset, "[a, \"b c\", d]",
                 "[\"set\", [\"a\", \"b c\", \"d\"]]");
    check_string(smap, "{}", "[\"map\", []]");
    check_string(smap, "k=v,k2=\"v 2\"",
                 "[\"map\", [[\"k\", \"v\"], [\"k2\", \"v 2\"]]]");
    check_string(smap, "{ b = 1 , a=2 }",
                 "[\"map\", [[\"a\", \"2\"], [\"b\", \"1\"]]]");

    check_string_error("\"integer\"", "", "use \"[]\" to specify the empty "
                       "set");
    check_string_error(smap, " ", "use \"{}\" to specify the empty map");
    check_string_error("\"integer\"", "x", "\"x\" is not a valid integer");
    check_string_error("\"integer\"", "1.5", "\"1.5\" is not a valid "
                       "integer");
    check_string_error("\"integer\"", "99999999999999999999",
                       "is not a valid integer");
    check_string_error("\"real\"", "nan", "\"nan\" is not a valid real "
                       "number");
    check_string_error("\"real\"", "1e999", "is not a valid real number");
    check_string_error("\"boolean\"", "maybe", "\"maybe\" is not a valid "
                       "boolean (use \"true\" or \"false\")");
    check_string_error("\"uuid\"", "xyz", "\"xyz\" is not a valid UUID");
    check_string_error("\"string\"", "\"abc", "quoted string extends past "
                       "end of argument");
    check_string_error("\"string\"", "abc\\", "backslash at end of argument");
    check_string_error("\"string\"", "\"a\\q\"", "bad escape \\q");
    check_string_error("\"string\"", "\"\\u0000\"", "null bytes not "
                       "supported");
    check_string_error("\"string\"", "\"\\ud800\"", "unpaired surrogate");
    check_string_error("\"string\"", "a b", "a b: 2 value(s) specified but "
                       "the maximum number is 1");
    check_string_error(iset, "[1, 2", "missing \"]\" at end of data");
    check_string_error(iset, "[1] x", "trailing garbage after \"]\"");
    check_string_error(iset, "1,1", "set contains duplicate value");
    check_string_error(iset, "[,1]", "unexpected \",\" parsing set of "
                       "integers");
    check_string_error(iset, "5-1", "Range end cannot be before start");
    check_string_error(iset, "1-100000", "is too big");
    check_string_error(smap, "k", "syntax error at \" \" expecting \"=\"");
    check_string_error(smap, "k:v", "syntax error at \":\" expecting \"=\"");
    check_string_error(smap, "a=1,a=2", "map contains duplicate key");
    check_string_error("{\"key\": \"integer\", \"max\": 2}", "1,2,3",
                       "3 value(s) specified but the maximum number is 2");
    check_string_error("{\"key\": \"integer\", \"max\": 2}", "1-3",
                       "too many values");
    check_string_error("{\"key\": \"integer\", \"min\": 1, \"max\": 2}",
                       "[]", "0 value(s) specified but the minimum number "
                       "is 1");
    check_string_error("\"string\"", "\"\"x", "missing quote at end of "
                       "quoted string");
    check_string_error("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                       "3}}", "4", "constraint violation: 4 is greater than "
                       "maximum allowed value 3");
    check_string_error("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                       "3}, \"max\": 10}", "1-5",
                       "4 is greater than maximum allowed value 3");
}

TEST(string_output)
{
    const char *sset = "{\"key\": \"string\", \"min\": 0, "
                       "\"max\": \"unlimited\"}";
    /* Quoting as ovs-vsctl does it: words of letters, '_', '-', '.' stay
     * bare; digits, spaces, punctuation, "true", "false" need quotes. */
    check_datum(sset, "[\"set\", [\"abc\", \"a1\", \"_x-y.z\", \"true\", "
                "\"false\", \"1\", \"-a\", \"a=b\", \"\\u00e9\", \"\\u0001\""
                "]]",
                "[\"set\", [\"\\u0001\", \"-a\", \"1\", \"_x-y.z\", \"a1\", "
                "\"a=b\", \"abc\", \"false\", \"true\", \"\\u00e9\"]]",
                "[\"\\u0001\", \"-a\", \"1\", _x-y.z, a1, \"a=b\", abc, "
                "\"false\", \"true\", \"\xc3\xa9\"]");
    check_datum("{\"key\": \"real\", \"max\": 3}",
                "[\"set\", [1e+100, 0.1, 123456789.125]]",
                "[\"set\", [0.1, 123456789.125, 1e+100]]",
                "[0.1, 123456789.125, 1e+100]");

    /* ovsdb_datum_to_bare(). */
    struct ovsdb_type type;
    struct ovsdb_datum datum;
    parse_type(&type, "{\"key\": \"string\", \"value\": \"string\", "
               "\"max\": 5}");
    json_t *json = parse_json("[\"map\", [[\"a b\", \"1\"], [\"c\", "
                              "\"d\"]]]");
    CHECK(!ovsdb_datum_from_json(&datum, &type, json, NULL));
    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_bare(&datum, &type, &s);
    CHECK_STREQ(ds_cstr(&s), "a b=1 c=d");
    ds_destroy(&s);
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
    json_decref(json);
}

TEST(defaults)
{
    static const char *types[] = {
        "\"integer\"", "\"real\"", "\"boolean\"", "\"string\"", "\"uuid\"",
        "{\"key\": \"string\", \"value\": \"integer\"}",
        "{\"key\": \"string\", \"min\": 0}",
        "{\"key\": \"uuid\", \"min\": 0, \"max\": \"unlimited\"}",
    };
    static const char *defaults[] = {
        "0", "0.0", "false", "\"\"",
        "[\"uuid\", \"00000000-0000-0000-0000-000000000000\"]",
        "[\"map\", [[\"\", 0]]]", "[\"set\", []]", "[\"set\", []]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        struct ovsdb_type type;
        struct ovsdb_datum datum;

        parse_type(&type, types[i]);
        ovsdb_datum_init_default(&datum, &type);
        CHECK(ovsdb_datum_is_default(&datum, &type));
        CHECK(!ovsdb_datum_validate(&datum, &type));
        json_t *json = ovsdb_datum_to_json(&datum, &type);
        json_t *want = parse_json(defaults[i]);
        CHECK_MSG(json_equal(json, want), "default for %s", types[i]);
        json_decref(json);
        json_decref(want);
        ovsdb_datum_destroy(&datum, &type);
        ovsdb_type_destroy(&type);
    }

    struct ovsdb_datum d;
    json_t *one = parse_json("1");
    CHECK(!ovsdb_datum_from_json(&d, &ovsdb_type_integer, one, NULL));
    CHECK(!ovsdb_datum_is_default(&d, &ovsdb_type_integer));
    ovsdb_datum_destroy(&d, &ovsdb_type_integer);
    json_decref(one);
}

/* Parses JSON text as a datum of TYPE (must succeed). */
static void
datum_from_text(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                const char *text)
{
    json_t *json = parse_json(text);
    struct ovsdb_error *error = ovsdb_datum_from_json(datum, type, json,
                                                      NULL);
    CHECK_MSG(!error, "%s: %s", text, ovsdb_error_to_string(error));
    json_decref(json);
}

static void
check_datum_is(const struct ovsdb_datum *datum, const struct ovsdb_type *type,
               const char *text)
{
    struct ovsdb_datum want;
    datum_from_text(&want, type, text);
    json_t *got = ovsdb_datum_to_json(datum, type);
    char *s = json_text(got);
    CHECK_MSG(ovsdb_datum_equals(datum, &want, type), "got %s, want %s",
              s, text);
    CHECK(!ovsdb_datum_validate(datum, type));
    free(s);
    json_decref(got);
    ovsdb_datum_destroy(&want, type);
}

TEST(set_operations)
{
    struct ovsdb_type set, map, keys;
    struct ovsdb_datum a, b;

    parse_type(&set, "{\"key\": \"string\", \"min\": 0, "
               "\"max\": \"unlimited\"}");
    datum_from_text(&a, &set, "[\"set\", [\"a\", \"c\", \"e\"]]");
    datum_from_text(&b, &set, "[\"set\", [\"b\", \"c\", \"f\"]]");
    CHECK(!ovsdb_datum_includes_all(&a, &b, &set));
    CHECK(!ovsdb_datum_excludes_all(&a, &b, &set));
    ovsdb_datum_union(&a, &b, &set, false);
    check_datum_is(&a, &set, "[\"set\", [\"a\", \"b\", \"c\", \"e\", "
                   "\"f\"]]");
    CHECK(ovsdb_datum_includes_all(&b, &a, &set));
    ovsdb_datum_subtract(&a, &set, &b, &set);
    check_datum_is(&a, &set, "[\"set\", [\"a\", \"e\"]]");
    CHECK(ovsdb_datum_excludes_all(&a, &b, &set));
    ovsdb_datum_subtract(&a, &set, &a, &set);
    check_datum_is(&a, &set, "[\"set\", []]");
    ovsdb_datum_union(&a, &b, &set, false);
    CHECK(ovsdb_datum_equals(&a, &b, &set));
    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_destroy(&b, &set);

    parse_type(&map, "{\"key\": \"string\", \"value\": \"integer\", "
               "\"min\": 0, \"max\": \"unlimited\"}");
    parse_type(&keys, "{\"key\": \"string\", \"min\": 0, "
               "\"max\": \"unlimited\"}");
    datum_from_text(&a, &map, "[\"map\", [[\"x\", 1], [\"y\", 2]]]");
    datum_from_text(&b, &map, "[\"map\", [[\"y\", 3], [\"z\", 4]]]");
    ovsdb_datum_union(&a, &b, &map, false);
    check_datum_is(&a, &map, "[\"map\", [[\"x\", 1], [\"y\", 2], "
                   "[\"z\", 4]]]");
    ovsdb_datum_union(&a, &b, &map, true);
    check_datum_is(&a, &map, "[\"map\", [[\"x\", 1], [\"y\", 3], "
                   "[\"z\", 4]]]");

    /* Delete by pair: only matching pairs go. */
    struct ovsdb_datum c;
    datum_from_text(&c, &map, "[\"map\", [[\"x\", 9], [\"y\", 3]]]");
    ovsdb_datum_subtract(&a, &map, &c, &map);
    check_datum_is(&a, &map, "[\"map\", [[\"x\", 1], [\"z\", 4]]]");
    ovsdb_datum_destroy(&c, &map);

    /* Delete by key set. */
    datum_from_text(&c, &keys, "[\"set\", [\"x\", \"nope\"]]");
    ovsdb_datum_subtract(&a, &map, &c, &keys);
    check_datum_is(&a, &map, "[\"map\", [[\"z\", 4]]]");
    ovsdb_datum_destroy(&c, &keys);

    unsigned int idx = ovsdb_datum_find_key_value(
        &a, &(union ovsdb_atom) { .string = "z" }, OVSDB_TYPE_STRING,
        &(union ovsdb_atom) { .integer = 4 }, OVSDB_TYPE_INTEGER);
    CHECK_EQ(idx, 0);
    idx = ovsdb_datum_find_key_value(
        &a, &(union ovsdb_atom) { .string = "z" }, OVSDB_TYPE_STRING,
        &(union ovsdb_atom) { .integer = 5 }, OVSDB_TYPE_INTEGER);
    CHECK_EQ(idx, UINT_MAX);

    ovsdb_datum_destroy(&a, &map);
    ovsdb_datum_destroy(&b, &map);
    ovsdb_type_destroy(&set);
    ovsdb_type_destroy(&map);
    ovsdb_type_destroy(&keys);
}

TEST(sorting_and_unsafe)
{
    struct ovsdb_type map;
    struct ovsdb_datum d;

    parse_type(&map, "{\"key\": \"integer\", \"value\": \"string\", "
               "\"min\": 0, \"max\": \"unlimited\"}");
    ovsdb_datum_init_empty(&d);
    for (int i = 0; i < 200; i++) {
        union ovsdb_atom k = { .integer = (i * 37) % 101 };
        char buf[16];
        snprintf(buf, sizeof buf, "v%d", i);
        union ovsdb_atom v = { .string = buf };
        ovsdb_datum_add_unsafe(&d, &k, &v, &map);
    }
    struct ovsdb_datum copy;
    ovsdb_datum_clone(&copy, &d, &map);
    struct ovsdb_error *error = ovsdb_datum_sort(&copy, &map);
    CHECK(error);
    CHECK_STREQ(ovsdb_error_get_details(error), "map contains duplicate key");
    ovsdb_error_destroy(error);
    ovsdb_datum_destroy(&copy, &map);

    error = ovsdb_datum_validate(&d, &map);
    CHECK(error);
    ovsdb_error_destroy(error);
    size_t dropped = ovsdb_datum_sort_unique(&d, &map);
    CHECK_EQ(dropped, 99);
    CHECK_EQ(d.n, 101);
    CHECK(!ovsdb_datum_validate(&d, &map));
    for (unsigned int i = 0; i < d.n; i++) {
        CHECK_EQ(d.keys[i].integer, i);
    }
    /* Key 0 came from i = 0 and i = 101, key 1 from i = 71 and i = 172:
     * the smaller value (by strcmp) is kept. */
    CHECK_STREQ(d.values[0].string, "v0");
    CHECK_STREQ(d.values[1].string, "v172");

    ovsdb_datum_remove_unsafe(&d, 0, &map);
    CHECK(!ovsdb_datum_sort(&d, &map));
    CHECK(!ovsdb_datum_validate(&d, &map));
    CHECK_EQ(d.n, 100);
    CHECK_EQ(d.keys[0].integer, 1);

    struct ovsdb_datum other;
    ovsdb_datum_init_empty(&other);
    ovsdb_datum_swap(&d, &other);
    CHECK_EQ(d.n, 0);
    CHECK_EQ(other.n, 100);
    ovsdb_datum_destroy(&other, &map);
    ovsdb_type_destroy(&map);
}

TEST(validate)
{
    struct ovsdb_type type;
    struct ovsdb_datum d;

    parse_type(&type, "{\"key\": \"integer\", \"max\": 2}");
    ovsdb_datum_init_empty(&d);
    struct ovsdb_error *error = ovsdb_datum_validate(&d, &type);
    CHECK(error);
    CHECK(strstr(ovsdb_error_get_details(error), "1 to 2 members but 0"));
    ovsdb_error_destroy(error);

    union ovsdb_atom two = { .integer = 2 }, one = { .integer = 1 };
    ovsdb_datum_add_unsafe(&d, &two, NULL, &type);
    ovsdb_datum_add_unsafe(&d, &one, NULL, &type);
    error = ovsdb_datum_validate(&d, &type);
    CHECK(error);
    CHECK_STREQ(ovsdb_error_get_details(error), "datum is not sorted");
    ovsdb_error_destroy(error);
    CHECK(!ovsdb_datum_sort(&d, &type));
    CHECK(!ovsdb_datum_validate(&d, &type));
    ovsdb_datum_add_unsafe(&d, &two, NULL, &type);
    error = ovsdb_datum_validate(&d, &type);
    CHECK(error);
    ovsdb_error_destroy(error);
    ovsdb_datum_destroy(&d, &type);
    ovsdb_type_destroy(&type);
}

/* Random round trips. */

static void
random_base(struct ovsdb_base_type *base)
{
    ovsdb_base_type_init(base, OVSDB_TYPE_INTEGER + test_random() % 5);
}

static void
random_type(struct ovsdb_type *type)
{
    random_base(&type->key);
    if (test_random() % 3 == 0) {
        random_base(&type->value);
    } else {
        ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
    }
    type->n_min = test_random() % 2;
    switch (test_random() % 3) {
    case 0: type->n_max = 1; break;
    case 1: type->n_max = 1 + test_random() % 10; break;
    default: type->n_max = UINT_MAX; break;
    }
}

static void
random_string(char *buf, size_t size)
{
    static const char *pieces[] = {
        "a", "Z", "_", "-", ".", "0", "9", " ", ",", "=", "[", "]", "{", "}",
        "\"", "\\", "@", ":", "!", "<", ">", "\t", "\n", "\x01", "\x7f",
        "\xc3\xa9", "\xe2\x98\x83", "\xf0\x9f\x98\x80", "true", "false",
        "-1", "1.5",
    };
    size_t n = test_random() % 6, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[test_random() % ARRAY_SIZE(pieces)];
        if (len + strlen(p) + 1 > size) {
            break;
        }
        strcpy(buf + len, p);
        len += strlen(p);
    }
}

static void
random_atom(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    char buf[64];

    switch (type) {
    case OVSDB_TYPE_INTEGER:
        atom->integer = (test_random() % 2 ? (int64_t) test_random64()
                         : (int64_t) (test_random() % 21) - 10);
        break;
    case OVSDB_TYPE_REAL:
        do {
            uint64_t bits = test_random64();
            memcpy(&atom->real, &bits, sizeof atom->real);
            if (test_random() % 2) {
                atom->real = (double) ((int) (test_random() % 2001) - 1000)
                             / 8;
            }
        } while (!isfinite(atom->real));
        if (atom->real == 0) {
            atom->real = 0;
        }
        break;
    case OVSDB_TYPE_BOOLEAN:
        atom->boolean = test_random() % 2;
        break;
    case OVSDB_TYPE_STRING:
        random_string(buf, sizeof buf);
        atom->string = xstrdup(buf);
        break;
    case OVSDB_TYPE_UUID:
        if (test_random() % 4) {
            uuid_generate(&atom->uuid);
        } else {
            uuid_zero(&atom->uuid);
            atom->uuid.parts[3] = test_random() % 3;
        }
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        PLX_NOT_REACHED();
    }
}

static void
random_datum(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    unsigned int max = MIN(type->n_max, 8);
    unsigned int n = type->n_min + test_random() % (max - type->n_min + 1);

    ovsdb_datum_init_empty(datum);
    for (unsigned int i = 0; i < n; i++) {
        union ovsdb_atom key, value;
        random_atom(&key, type->key.type);
        if (type->value.type != OVSDB_TYPE_VOID) {
            random_atom(&value, type->value.type);
        }
        ovsdb_datum_add_unsafe(datum, &key, &value, type);
        ovsdb_atom_destroy(&key, type->key.type);
        if (type->value.type != OVSDB_TYPE_VOID) {
            ovsdb_atom_destroy(&value, type->value.type);
        }
    }
    ovsdb_datum_sort_unique(datum, type);
}

TEST(random_round_trips)
{
    for (int iter = 0; iter < 3000; iter++) {
        struct ovsdb_type type;
        struct ovsdb_datum datum, back;

        random_type(&type);
        random_datum(&datum, &type);
        CHECK(!ovsdb_datum_validate(&datum, &type));

        /* String syntax. */
        struct ds s = DS_EMPTY_INITIALIZER;
        ovsdb_datum_to_string(&datum, &type, &s);
        char *error = ovsdb_datum_from_string(&back, &type, ds_cstr(&s),
                                              NULL);
        char *type_s = ovsdb_type_to_english(&type);
        CHECK_MSG(!error, "%s (%s): %s", ds_cstr(&s), type_s, error);
        CHECK_MSG(ovsdb_datum_equals(&datum, &back, &type),
                  "%s (%s) reads back differently", ds_cstr(&s), type_s);
        ovsdb_datum_destroy(&back, &type);

        /* JSON, through text. */
        json_t *json = ovsdb_datum_to_json(&datum, &type);
        char *text = json_dumps(json, JSON_ENCODE_ANY);
        json_t *json2 = parse_json(text);
        struct ovsdb_error *dberror = ovsdb_datum_from_json(&back, &type,
                                                            json2, NULL);
        CHECK_MSG(!dberror, "%s (%s): %s", text, type_s,
                  ovsdb_error_to_string(dberror));
        CHECK_MSG(ovsdb_datum_equals(&datum, &back, &type),
                  "%s (%s) reads back differently", text, type_s);
        CHECK_EQ(ovsdb_datum_hash(&datum, &type, 1),
                 ovsdb_datum_hash(&back, &type, 1));
        CHECK_EQ(ovsdb_datum_compare_3way(&datum, &back, &type), 0);

        /* Clones compare equal; a change is noticed. */
        struct ovsdb_datum clone;
        ovsdb_datum_clone(&clone, &datum, &type);
        CHECK(ovsdb_datum_equals(&clone, &datum, &type));
        if (clone.n) {
            ovsdb_datum_remove_unsafe(&clone, clone.n - 1, &type);
            CHECK(!ovsdb_datum_equals(&clone, &datum, &type));
            CHECK_LT(ovsdb_datum_compare_3way(&clone, &datum, &type), 0);
        }
        ovsdb_datum_destroy(&clone, &type);

        free(type_s);
        free(text);
        json_decref(json);
        json_decref(json2);
        ds_destroy(&s);
        ovsdb_datum_destroy(&back, &type);
        ovsdb_datum_destroy(&datum, &type);
        ovsdb_type_destroy(&type);
    }
}
