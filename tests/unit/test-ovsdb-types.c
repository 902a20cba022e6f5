/* Tests for ovsdb/ovsdb-types: every JSON form of RFC 7047's <type> and
 * <base-type>, its round trip, and every class of error. */
#include <config.h>
#include "ovsdb/ovsdb-types.h"

#include <string.h>

#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "test.h"

static json_t *
parse_json(const char *s)
{
    json_error_t error;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &error);
    CHECK_MSG(json, "bad test JSON %s: %s", s, error.text);
    return json;
}

/* Parses S as a type, which must succeed, then checks that it serializes
 * to EXPECTED (S itself if NULL) and parses back to an equal type. */
static void
check_type_round_trip(const char *s, const char *expected,
                      struct ovsdb_type *out)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type, type2;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    CHECK_MSG(!error, "%s: %s", s, ovsdb_error_to_string(error));
    CHECK(ovsdb_type_is_valid(&type));

    json_t *back = ovsdb_type_to_json(&type);
    json_t *want = parse_json(expected ? expected : s);
    char *back_s = json_dumps(back, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    CHECK_MSG(json_equal(back, want), "%s: serialized as %s", s, back_s);
    free(back_s);

    error = ovsdb_type_from_json(&type2, back);
    CHECK(!error);
    CHECK(ovsdb_type_equals(&type, &type2));

    ovsdb_type_destroy(&type2);
    json_decref(want);
    json_decref(back);
    json_decref(json);
    if (out) {
        *out = type;
    } else {
        ovsdb_type_destroy(&type);
    }
}

/* Parses S as a type, which must fail with an error tagged TAG whose
 * details contain DETAILS. */
static void
check_type_error_tag(const char *s, const char *tag, const char *details)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);

    CHECK_MSG(error, "%s: parsed, expected error \"%s\"", s, details);
    CHECK_STREQ(ovsdb_error_get_tag(error), tag);
    const char *got = ovsdb_error_get_details(error);
    CHECK_MSG(got && strstr(got, details), "%s: got \"%s\", expected \"%s\"",
              s, got ? got : "(null)", details);
    /* A failed parse leaves nothing to free. */
    CHECK_EQ(type.key.type, OVSDB_TYPE_VOID);
    CHECK_EQ(type.value.type, OVSDB_TYPE_VOID);
    ovsdb_error_destroy(error);
    json_decref(json);
}

static void
check_type_error(const char *s, const char *details)
{
    check_type_error_tag(s, "syntax error", details);
}

TEST(atomic_types)
{
    static const char *names[] = { "integer", "real", "boolean", "string",
                                   "uuid" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char buf[32];
        struct ovsdb_type type;

        snprintf(buf, sizeof buf, "\"%s\"", names[i]);
        check_type_round_trip(buf, NULL, &type);
        CHECK_EQ(type.key.type, OVSDB_TYPE_INTEGER + i);
        CHECK_STREQ(ovsdb_atomic_type_to_string(type.key.type), names[i]);
        CHECK(ovsdb_type_is_scalar(&type));
        CHECK(!ovsdb_type_is_set(&type));
        CHECK(!ovsdb_type_is_map(&type));
        CHECK(!ovsdb_type_is_optional(&type));
        CHECK(!ovsdb_base_type_has_constraints(&type.key));
        ovsdb_type_destroy(&type);

        /* The object form without constraints writes back as the bare
         * name. */
        snprintf(buf, sizeof buf, "{\"key\": {\"type\": \"%s\"}}", names[i]);
        char want[32];
        snprintf(want, sizeof want, "\"%s\"", names[i]);
        check_type_round_trip(buf, want, NULL);
    }
}

TEST(integer_constraints)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": {\"type\": \"integer\", "
                          "\"minInteger\": 1, \"maxInteger\": 4095}}",
                          NULL, &type);
    CHECK(ovsdb_type_is_scalar(&type));
    CHECK_EQ(type.key.integer.min, 1);
    CHECK_EQ(type.key.integer.max, 4095);
    CHECK(ovsdb_base_type_has_constraints(&type.key));
    ovsdb_type_destroy(&type);

    check_type_round_trip("{\"key\": {\"type\": \"integer\", "
                          "\"minInteger\": -5}}", NULL, &type);
    CHECK_EQ(type.key.integer.min, -5);
    CHECK(type.key.integer.max == INT64_MAX);
    ovsdb_type_destroy(&type);

    /* min == max is allowed. */
    check_type_round_trip("{\"key\": {\"type\": \"integer\", "
                          "\"minInteger\": 7, \"maxInteger\": 7}}",
                          NULL, NULL);
}

TEST(real_constraints)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": {\"type\": \"real\", \"minReal\": -1.5,"
                          " \"maxReal\": 2.25}}", NULL, &type);
    CHECK(type.key.real.min == -1.5);
    CHECK(type.key.real.max == 2.25);
    ovsdb_type_destroy(&type);

    /* An integer bound is a number too; it writes back as a real. */
    check_type_round_trip("{\"key\": {\"type\": \"real\", \"maxReal\": 3}}",
                          "{\"key\": {\"type\": \"real\", \"maxReal\": 3.0}}",
                          &type);
    CHECK(type.key.real.max == 3.0);
    CHECK(type.key.real.min == -DBL_MAX);
    ovsdb_type_destroy(&type);
}

TEST(string_constraints)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": {\"type\": \"string\", \"minLength\": 1,"
                          " \"maxLength\": 15}}", NULL, &type);
    CHECK_EQ(type.key.string.minLen, 1);
    CHECK_EQ(type.key.string.maxLen, 15);
    ovsdb_type_destroy(&type);

    check_type_round_trip("{\"key\": {\"type\": \"string\", "
                          "\"maxLength\": 0}}", NULL, NULL);
}

TEST(uuid_references)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": {\"type\": \"uuid\", "
                          "\"refTable\": \"Port\"}, \"min\": 0, "
                          "\"max\": \"unlimited\"}", NULL, &type);
    CHECK(ovsdb_base_type_is_ref(&type.key));
    CHECK(ovsdb_base_type_is_strong_ref(&type.key));
    CHECK(!ovsdb_base_type_is_weak_ref(&type.key));
    CHECK_STREQ(type.key.uuid.refTableName, "Port");
    CHECK(ovsdb_type_is_set(&type));
    CHECK_EQ(type.n_max, UINT_MAX);

    /* Cloning copies the name. */
    struct ovsdb_type clone;
    ovsdb_type_clone(&clone, &type);
    CHECK(clone.key.uuid.refTableName != type.key.uuid.refTableName);
    CHECK(ovsdb_type_equals(&clone, &type));
    ovsdb_type_destroy(&clone);
    ovsdb_type_destroy(&type);

    /* "strong" is the default and is not written back. */
    check_type_round_trip("{\"key\": {\"type\": \"uuid\", \"refTable\": \"A\","
                          " \"refType\": \"strong\"}}",
                          "{\"key\": {\"type\": \"uuid\", "
                          "\"refTable\": \"A\"}}", NULL);
    check_type_round_trip("{\"key\": {\"type\": \"uuid\", \"refTable\": \"A\","
                          " \"refType\": \"weak\"}}", NULL, &type);
    CHECK(ovsdb_base_type_is_weak_ref(&type.key));
    ovsdb_type_destroy(&type);
}

TEST(enums)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": {\"type\": \"string\", \"enum\": "
                          "[\"set\", [\"system\", \"internal\", \"tap\"]]}}",
                          "{\"key\": {\"type\": \"string\", \"enum\": "
                          "[\"set\", [\"internal\", \"system\", \"tap\"]]}}",
                          &type);
    CHECK(type.key.enum_ != NULL);
    CHECK_EQ(type.key.enum_->n, 3);
    /* Kept sorted. */
    CHECK_STREQ(type.key.enum_->keys[0].string, "internal");
    CHECK_STREQ(type.key.enum_->keys[1].string, "system");
    CHECK_STREQ(type.key.enum_->keys[2].string, "tap");
    ovsdb_type_destroy(&type);

    /* One value: the bare atom, in and out. */
    check_type_round_trip("{\"key\": {\"type\": \"integer\", \"enum\": 5}}",
                          NULL, &type);
    CHECK_EQ(type.key.enum_->n, 1);
    CHECK_EQ(type.key.enum_->keys[0].integer, 5);
    ovsdb_type_destroy(&type);

    check_type_round_trip("{\"key\": {\"type\": \"boolean\", \"enum\": "
                          "[\"set\", [true, false]]}}",
                          "{\"key\": {\"type\": \"boolean\", \"enum\": "
                          "[\"set\", [false, true]]}}", NULL);
    check_type_round_trip("{\"key\": {\"type\": \"real\", \"enum\": "
                          "[\"set\", [1.5, 0.5]]}}",
                          "{\"key\": {\"type\": \"real\", \"enum\": "
                          "[\"set\", [0.5, 1.5]]}}", NULL);
    check_type_round_trip(
        "{\"key\": {\"type\": \"uuid\", \"enum\": [\"uuid\", "
        "\"01234567-89ab-cdef-0123-456789abcdef\"]}}", NULL, NULL);
}

TEST(sets_and_maps)
{
    struct ovsdb_type type;

    check_type_round_trip("{\"key\": \"string\", \"min\": 0}", NULL, &type);
    CHECK(ovsdb_type_is_optional(&type));
    CHECK(ovsdb_type_is_optional_scalar(&type));
    CHECK(ovsdb_type_is_set(&type));
    CHECK(!ovsdb_type_is_composite(&type));
    char *english = ovsdb_type_to_english(&type);
    CHECK_STREQ(english, "set of up to 1 strings");
    free(english);
    ovsdb_type_destroy(&type);

    check_type_round_trip("{\"key\": \"integer\", \"min\": 1, \"max\": 4}",
                          "{\"key\": \"integer\", \"max\": 4}", &type);
    CHECK_EQ(type.n_min, 1);
    CHECK_EQ(type.n_max, 4);
    CHECK(ovsdb_type_is_composite(&type));
    english = ovsdb_type_to_english(&type);
    CHECK_STREQ(english, "set of 1 to 4 integers");
    free(english);
    ovsdb_type_destroy(&type);

    check_type_round_trip("{\"key\": \"string\", \"value\": \"string\", "
                          "\"min\": 0, \"max\": \"unlimited\"}", NULL, &type);
    CHECK(ovsdb_type_is_map(&type));
    CHECK(!ovsdb_type_is_set(&type));
    CHECK_EQ(type.value.type, OVSDB_TYPE_STRING);
    english = ovsdb_type_to_english(&type);
    CHECK_STREQ(english, "map of (string, string) pairs");
    free(english);
    ovsdb_type_destroy(&type);

    /* A map with constrained values and exactly one pair. */
    check_type_round_trip("{\"key\": {\"type\": \"string\", \"enum\": "
                          "\"x\"}, \"value\": {\"type\": \"integer\", "
                          "\"minInteger\": 0}}", NULL, &type);
    CHECK(ovsdb_type_is_map(&type));
    CHECK_EQ(type.n_min, 1);
    CHECK_EQ(type.n_max, 1);
    ovsdb_type_destroy(&type);

    /* A scalar with constraints must use the object form. */
    check_type_round_trip("{\"key\": {\"type\": \"string\", "
                          "\"maxLength\": 3}, \"min\": 1, \"max\": 1}",
                          "{\"key\": {\"type\": \"string\", "
                          "\"maxLength\": 3}}", NULL);
}

TEST(base_type_errors)
{
    check_type_error("\"int\"", "\"int\" is not an atomic-type");
    check_type_error("\"void\"", "\"void\" is not an atomic-type");
    check_type_error("{\"key\": {\"type\": 5}}",
                     "Type mismatch for member 'type'");
    check_type_error("{\"key\": {}}", "Required 'type' member is missing");
    check_type_error("{\"key\": {\"type\": \"bogus\"}}",
                     "\"bogus\" is not an atomic-type");
    check_type_error("{\"key\": {\"type\": \"integer\", \"minInteger\": 5, "
                     "\"maxInteger\": 4}}", "minInteger exceeds maxInteger");
    check_type_error("{\"key\": {\"type\": \"integer\", \"minInteger\": 1.5}}",
                     "Type mismatch for member 'minInteger'");
    check_type_error("{\"key\": {\"type\": \"real\", \"minReal\": 5, "
                     "\"maxReal\": 4.5}}", "minReal exceeds maxReal");
    check_type_error("{\"key\": {\"type\": \"real\", \"minReal\": \"1\"}}",
                     "Type mismatch for member 'minReal'");
    check_type_error("{\"key\": {\"type\": \"string\", \"minLength\": 5, "
                     "\"maxLength\": 4}}", "minLength exceeds maxLength");
    check_type_error("{\"key\": {\"type\": \"string\", \"minLength\": -1}}",
                     "minLength out of valid range 0 to 4294967295");
    check_type_error("{\"key\": {\"type\": \"string\", "
                     "\"maxLength\": 4294967296}}",
                     "maxLength out of valid range");
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
                     "\"refType\": \"soft\"}}",
                     "refType must be \"strong\" or \"weak\" (not \"soft\")");
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refType\": \"weak\"}}",
                     "Member 'refType' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"1T\"}}",
                     "Type mismatch for member 'refTable'");
    /* Constraints that belong to another atomic type. */
    check_type_error("{\"key\": {\"type\": \"string\", \"minInteger\": 1}}",
                     "Member 'minInteger' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"boolean\", \"maxLength\": 1}}",
                     "Member 'maxLength' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"integer\", \"refTable\": \"T\"}}",
                     "Member 'refTable' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"integer\", \"bogus\": 1, "
                     "\"more\": 2}}",
                     "Member 'bogus' and 1 other member are present");
    /* An enum excludes the other constraints. */
    check_type_error("{\"key\": {\"type\": \"integer\", \"enum\": 1, "
                     "\"minInteger\": 0}}",
                     "Member 'minInteger' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"integer\", "
                     "\"enum\": [\"set\", []]}}",
                     "set must have 1 to 4294967295 members but 0 are "
                     "present");
    check_type_error("{\"key\": {\"type\": \"integer\", \"enum\": \"a\"}}",
                     "expected integer");
    check_type_error_tag("{\"key\": {\"type\": \"integer\", "
                         "\"enum\": [\"set\", [1, 1]]}}",
                         "ovsdb error", "set contains duplicate");
}

TEST(type_errors)
{
    check_type_error("5", "ovsdb type expected");
    check_type_error("[\"integer\"]", "ovsdb type expected");
    check_type_error("{}", "Required 'key' member is missing");
    check_type_error("{\"key\": \"integer\", \"min\": 2}",
                     "ovsdb type fails constraint checks");
    check_type_error("{\"key\": \"integer\", \"max\": 0}",
                     "ovsdb type fails constraint checks");
    check_type_error("{\"key\": \"integer\", \"min\": -1}",
                     "bad min or max value");
    check_type_error("{\"key\": \"integer\", \"max\": \"lots\"}",
                     "bad min or max value");
    check_type_error("{\"key\": \"integer\", \"max\": 4294967295}",
                     "bad min or max value");
    check_type_error("{\"key\": \"integer\", \"min\": true}",
                     "Type mismatch for member 'min'");
    check_type_error("{\"key\": \"integer\", \"value\": 3}",
                     "Type mismatch for member 'value'");
    check_type_error("{\"key\": \"integer\", \"value\": \"blob\"}",
                     "\"blob\" is not an atomic-type");
    check_type_error("{\"key\": \"integer\", \"extra\": true}",
                     "Member 'extra' is present but not allowed here");
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"A\"}, "
                     "\"value\": {\"type\": \"integer\", \"minInteger\": 2, "
                     "\"maxInteger\": 1}}", "minInteger exceeds maxInteger");

    /* The offending JSON is kept, compact and sorted, as "syntax". */
    json_t *json = parse_json("{\"min\": 2, \"key\": \"integer\"}");
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);
    CHECK(error);
    CHECK_STREQ(ovsdb_error_get_syntax(error),
                "{\"key\":\"integer\",\"min\":2}");
    ovsdb_error_destroy(error);
    json_decref(json);
}

TEST(equality)
{
    struct ovsdb_type a, b;

    check_type_round_trip("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                          "9}, \"min\": 0, \"max\": 3}", NULL, &a);
    check_type_round_trip("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                          "8}, \"min\": 0, \"max\": 3}", NULL, &b);
    CHECK(!ovsdb_type_equals(&a, &b));
    ovsdb_type_destroy(&b);
    check_type_round_trip("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                          "9}, \"min\": 0, \"max\": 4}", NULL, &b);
    CHECK(!ovsdb_type_equals(&a, &b));
    ovsdb_type_destroy(&b);
    ovsdb_type_clone(&b, &a);
    CHECK(ovsdb_type_equals(&a, &b));
    ovsdb_type_destroy(&b);
    ovsdb_type_destroy(&a);

    /* Built-in scalar types. */
    CHECK(ovsdb_type_is_valid(&ovsdb_type_integer));
    CHECK(ovsdb_type_is_scalar(&ovsdb_type_uuid));
    const struct ovsdb_type *et = ovsdb_base_type_get_enum_type(
        OVSDB_TYPE_STRING);
    CHECK_EQ(et->n_min, 1);
    CHECK_EQ(et->n_max, UINT_MAX);
}
