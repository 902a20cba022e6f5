/* Fuzz target for ovsdb/ovsdb-data: OVSDB values in JSON and in ovs-vsctl's
 * string syntax.
 *
 * Input: the first byte picks a column type from the table below; the rest
 * is text, parsed (1) as JSON, then as a datum of that type, and (2) as a
 * datum in the string syntax.  Whatever parses must be canonical (sorted,
 * unique, within the type's bounds and constraints) and must survive a
 * round trip through both syntaxes unchanged; anything else aborts. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-types.h"
#include "util.h"

static const char *const type_texts[] = {
    "\"integer\"", "\"real\"", "\"boolean\"", "\"string\"", "\"uuid\"",
    "{\"key\": \"string\", \"min\": 0}",
    "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
    "{\"key\": \"string\", \"min\": 0, \"max\": \"unlimited\"}",
    "{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\"}, \"min\": 0, "
    "\"max\": \"unlimited\"}",
    "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
    "\"max\": \"unlimited\"}",
    "{\"key\": \"integer\", \"value\": {\"type\": \"uuid\", \"refTable\": "
    "\"T\", \"refType\": \"weak\"}, \"min\": 0, \"max\": 5}",
    "{\"key\": {\"type\": \"integer\", \"minInteger\": 1, "
    "\"maxInteger\": 4095}, \"min\": 0, \"max\": 4096}",
    "{\"key\": {\"type\": \"real\", \"minReal\": -1.5, \"maxReal\": 1e3}, "
    "\"max\": 3}",
    "{\"key\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 4}, "
    "\"min\": 0, \"max\": \"unlimited\"}",
    "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"a\", \"b c\", "
    "\"\"]]}, \"value\": \"real\", \"min\": 0, \"max\": \"unlimited\"}",
    "{\"key\": \"boolean\", \"value\": \"boolean\", \"min\": 0, \"max\": 2}",
    "{\"key\": \"real\", \"value\": \"integer\"}",
};

static struct ovsdb_type types[ARRAY_SIZE(type_texts)];

static void
init_types(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    for (size_t i = 0; i < ARRAY_SIZE(type_texts); i++) {
        json_t *json = json_loads(type_texts[i], JSON_DECODE_ANY, NULL);
        struct ovsdb_error *error = ovsdb_type_from_json(&types[i], json);
        if (!json || error) {
            abort();
        }
        json_decref(json);
    }
}

/* DATUM parsed fine: it must be canonical and survive both round trips. */
static void
check_round_trips(const struct ovsdb_datum *datum,
                  const struct ovsdb_type *type)
{
    struct ovsdb_datum back;
    struct ovsdb_error *error;

    error = ovsdb_datum_validate(datum, type);
    if (error) {
        abort();
    }

    json_t *json = ovsdb_datum_to_json(datum, type);
    error = ovsdb_datum_from_json(&back, type, json, NULL);
    if (error || !ovsdb_datum_equals(datum, &back, type)
        || ovsdb_datum_hash(datum, type, 0)
           != ovsdb_datum_hash(&back, type, 0)) {
        abort();
    }
    ovsdb_datum_destroy(&back, type);
    json_decref(json);

    struct ds s = DS_EMPTY_INITIALIZER;
    ovsdb_datum_to_string(datum, type, &s);
    char *msg = ovsdb_datum_from_string(&back, type, ds_cstr(&s), NULL);
    if (msg || !ovsdb_datum_equals(datum, &back, type)) {
        abort();
    }
    ovsdb_datum_destroy(&back, type);
    ds_destroy(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_types();
    if (size < 1) {
        return 0;
    }
    const struct ovsdb_type *type = &types[data[0] % ARRAY_SIZE(types)];
    const char *text = (const char *) data + 1;
    size_t len = size - 1;

    /* JSON.  jansson limits nesting itself (2048 levels); the datum
     * parser never recurses into the input beyond a pair. */
    json_error_t jerror;
    json_t *json = json_loadb(text, len, JSON_DECODE_ANY, &jerror);
    if (json) {
        struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
        struct ovsdb_datum datum;
        struct ovsdb_error *error = ovsdb_datum_from_json(&datum, type, json,
                                                          symtab);
        if (error) {
            free(ovsdb_error_to_string(error));
            json_decref(ovsdb_error_to_json(error));
            ovsdb_error_destroy(error);
        } else {
            check_round_trips(&datum, type);
            ovsdb_datum_destroy(&datum, type);
        }
        ovsdb_symbol_table_destroy(symtab);
        json_decref(json);
    }

    /* The string syntax, on the same bytes. */
    char *s = xmemdup0(text, len);
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ovsdb_datum datum;
    char *msg = ovsdb_datum_from_string(&datum, type, s, symtab);
    if (msg) {
        free(msg);
    } else {
        check_round_trips(&datum, type);
        ovsdb_datum_destroy(&datum, type);
    }
    ovsdb_symbol_table_destroy(symtab);
    free(s);
    return 0;
}
