/* Tests for lib/json: canonical and pretty output, the bounded parser's
 * depth and size limits and error messages, the incremental scanner, and
 * the helpers. */
#include <config.h>
#include "json.h"

#include "dynamic-string.h"
#include "test.h"

/* Parses S (must succeed) and returns its canonical form; frees both. */
static char *
canon(const char *s)
{
    char *error;
    json_t *json = json_from_string_bounded(s, NULL, &error);

    CHECK_MSG(json, "%s: %s", s, error);
    char *out = json_to_string_canonical(json);
    json_decref(json);
    return out;
}

static void
check_canon(const char *in, const char *expected)
{
    char *out = canon(in);
    CHECK_STREQ(out, expected);
    free(out);
}

/* Parses S, which must fail with an error containing EXPECTED. */
static void
check_parse_error(const char *s, size_t n, const struct json_limits *limits,
                  const char *expected)
{
    char *error;
    json_t *json = json_from_buffer_bounded(s, n, limits, &error);

    CHECK_MSG(!json, "parse of %.40s unexpectedly succeeded", s);
    CHECK(error);
    CHECK_MSG(strstr(error, expected), "error \"%s\" lacks \"%s\"",
              error, expected);
    free(error);
}

/* "[[[...]]]" nested DEPTH deep. */
static char *
nested(size_t depth, char open, char close)
{
    char *s = xmalloc(2 * depth + 1);
    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[2 * depth] = '\0';
    return s;
}

TEST(canonical_sorts_keys_and_is_compact)
{
    check_canon("{ \"b\" : 1, \"a\" : [1, 2.5, {\"d\": null, \"c\": true}]}",
                "{\"a\":[1,2.5,{\"c\":true,\"d\":null}],\"b\":1}");
    check_canon("  \"caf\\u00e9\"  ", "\"caf\xc3\xa9\"");
    check_canon("-12", "-12");
    check_canon("[]", "[]");
    check_canon("{}", "{}");
    /* Equal values in different orders give equal bytes. */
    char *a = canon("{\"x\":{\"q\":1,\"p\":2},\"w\":[false]}");
    char *b = canon("{\"w\":[false],\"x\":{\"p\":2,\"q\":1}}");
    CHECK_STREQ(a, b);
    free(a);
    free(b);
}

TEST(pretty_round_trips)
{
    char *error;
    const char *in = "{\"b\":[1,{\"z\":\"s\"}],\"a\":null}";
    json_t *json = json_from_string_bounded(in, NULL, &error);
    CHECK(json);

    char *pretty = json_to_string_pretty(json);
    CHECK(strchr(pretty, '\n'));
    CHECK(strstr(pretty, "\n    \"a\": null"));
    CHECK(strstr(pretty, "\"a\"") < strstr(pretty, "\"b\""));

    json_t *again = json_from_string_bounded(pretty, NULL, &error);
    CHECK(again);
    CHECK(json_equal(json, again));
    free(pretty);
    json_decref(json);
    json_decref(again);

    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "x=");
    json = json_integer(5);
    json_to_ds(json, 0, &ds);
    CHECK_STREQ(ds_cstr(&ds), "x=5");
    json_decref(json);
    ds_destroy(&ds);
}

TEST(depth_limit)
{
    char *s, *error;
    json_t *json;

    /* Exactly at the default limit: accepted. */
    s = nested(JSON_DEFAULT_MAX_DEPTH, '[', ']');
    json = json_from_string_bounded(s, NULL, &error);
    CHECK_MSG(json, "%s", error);
    json_decref(json);
    free(s);

    /* One deeper: refused before jansson sees it. */
    s = nested(JSON_DEFAULT_MAX_DEPTH + 1, '[', ']');
    check_parse_error(s, strlen(s), NULL, "nesting exceeds the limit of "
                      "1000 levels");
    free(s);

    /* Far beyond jansson's own limit: still our clear error. */
    s = nested(100000, '[', ']');
    check_parse_error(s, strlen(s), NULL, "nesting exceeds");
    free(s);

    /* Objects count too, and a custom limit applies. */
    struct json_limits limits = { .max_depth = 3 };
    check_parse_error("{\"a\":{\"b\":{\"c\":{}}}}", 20, &limits,
                      "limit of 3 levels");
    json = json_from_string_bounded("{\"a\":{\"b\":{\"c\":1}}}", &limits,
                                    &error);
    CHECK_MSG(json, "%s", error);
    json_decref(json);

    /* Brackets inside strings, even after escaped quotes, do not count. */
    json = json_from_string_bounded("[\"[[[[\\\"[[[[{{{{\"]", &limits,
                                    &error);
    CHECK_MSG(json, "%s", error);
    CHECK_STREQ(json_string_value(json_array_get(json, 0)),
                "[[[[\"[[[[{{{{");
    json_decref(json);
}

TEST(size_limit)
{
    struct json_limits limits = { .max_bytes = 1024 * 1024 };
    size_t n = 2 * 1024 * 1024;
    char *s = xmalloc(n + 3);
    char *error;
    json_t *json;

    s[0] = '"';
    memset(s + 1, 'x', n);
    s[n + 1] = '"';
    s[n + 2] = '\0';
    check_parse_error(s, n + 2, &limits, "exceeds the limit of 1048576 "
                      "bytes");

    /* The same string under the (32 MiB) default limit parses. */
    json = json_from_buffer_bounded(s, n + 2, NULL, &error);
    CHECK_MSG(json, "%s", error);
    CHECK_EQ(json_string_length(json), n);
    json_decref(json);
    free(s);

    /* Just past the default limit. */
    n = JSON_DEFAULT_MAX_BYTES + 1;
    s = xmalloc(n);
    memset(s, ' ', n);
    s[0] = '1';
    check_parse_error(s, n, NULL, "exceeds the limit of 33554432 bytes");
    free(s);
}

TEST(syntax_errors)
{
    check_parse_error("{\"a\":}", 6, NULL, "line 1, column 6");
    check_parse_error("[1] [2]", 7, NULL, "end of file expected");
    check_parse_error("", 0, NULL, "syntax error");
    check_parse_error("[1,", 3, NULL, "syntax error");
    check_parse_error("]", 1, NULL, "syntax error");
    check_parse_error("{\"a\":[}]", 8, NULL, "syntax error");
    /* Invalid UTF-8 and NUL bytes are refused. */
    check_parse_error("[\"\xff\"]", 5, NULL, "syntax error");
    check_parse_error("[\"a\0b\"]", 7, NULL, "syntax error");
    check_parse_error("[\"\\u0000\"]", 10, NULL, "syntax error");
    /* Not NUL-terminated: only N bytes are read. */
    check_parse_error("[1]]]", 2, NULL, "syntax error");
}

TEST(scanner_finds_value_end_across_any_split)
{
    const char *doc = "{\"a\":\"}]\\\"\\\\\",\"b\":[[{}],\"x\"]}  [2]";
    size_t end = strchr(doc, ' ') - doc;
    size_t len = strlen(doc);

    for (size_t split = 0; split <= len; split++) {
        struct json_scanner s;
        size_t used, total = 0;
        enum json_scan_result r;

        json_scanner_init(&s, 0);
        r = json_scanner_scan(&s, doc, MIN(split, end), &used);
        total += used;
        if (r == JSON_SCAN_MORE) {
            CHECK_EQ(used, MIN(split, end));
            r = json_scanner_scan(&s, doc + total, len - total, &used);
            total += used;
        }
        CHECK_EQ(r, JSON_SCAN_END);
        CHECK_EQ(total, end);
        CHECK_EQ(s.depth, 0);
        CHECK(!s.in_string);
    }
}

TEST(scanner_errors)
{
    struct json_scanner s;
    size_t used;

    json_scanner_init(&s, 2);
    CHECK_EQ(json_scanner_scan(&s, "[[[", 3, &used), JSON_SCAN_TOO_DEEP);
    CHECK_EQ(used, 2);

    json_scanner_init(&s, 0);
    CHECK_EQ(json_scanner_scan(&s, " }", 2, &used), JSON_SCAN_UNBALANCED);
    CHECK_EQ(used, 1);
}

TEST(object_getters)
{
    char *error;
    json_t *obj = json_from_string_bounded(
        "{\"s\":\"str\",\"i\":42,\"b\":true,\"n\":null}", NULL, &error);
    CHECK(obj);

    CHECK_STREQ(json_object_get_string_or(obj, "s", "d"), "str");
    CHECK_STREQ(json_object_get_string_or(obj, "i", "d"), "d");
    CHECK_STREQ(json_object_get_string_or(obj, "missing", "d"), "d");
    CHECK(json_object_get_string_or(obj, "n", NULL) == NULL);
    CHECK_EQ(json_object_get_int_or(obj, "i", -1), 42);
    CHECK_EQ(json_object_get_int_or(obj, "s", -1), -1);
    CHECK(json_object_get_bool_or(obj, "b", false));
    CHECK(!json_object_get_bool_or(obj, "i", false));

    /* Non-objects and NULL give the default. */
    json_t *array = json_array();
    CHECK_STREQ(json_object_get_string_or(array, "s", "d"), "d");
    CHECK_EQ(json_object_get_int_or(NULL, "i", 7), 7);
    json_decref(array);
    json_decref(obj);

    CHECK_STREQ(json_type_name(NULL), "(none)");
    json_t *t = json_true();
    CHECK_STREQ(json_type_name(t), "true");
    json_decref(t);
}

TEST(string_array_and_sanitizing)
{
    const char *argv[] = { "a", "b c", "\xff\xfe", "caf\xc3\xa9",
                           "\xed\xa0\x80", "x\xc3" };
    json_t *array = json_string_array(ARRAY_SIZE(argv), argv);
    char *s = json_to_string_canonical(array);

    CHECK_STREQ(s, "[\"a\",\"b c\",\"\xef\xbf\xbd\xef\xbf\xbd\","
                "\"caf\xc3\xa9\",\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
                "\"x\xef\xbf\xbd\"]");
    free(s);
    json_decref(array);
}
