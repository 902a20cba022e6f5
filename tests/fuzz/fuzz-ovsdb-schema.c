/* Fuzz target for ovsdb/ovsdb-schema (and through it ovsdb-types and the
 * enum values of ovsdb-data): JSON text parsed as a database schema.
 * A schema that parses must serialize to JSON that parses back to an
 * equal schema, and must clone equal; anything else aborts. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerror;
    json_t *json = json_loadb((const char *) data, size, 0, &jerror);
    if (!json) {
        return 0;
    }

    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    if (error) {
        free(ovsdb_error_to_string(error));
        json_decref(ovsdb_error_to_json(error));
        ovsdb_error_destroy(error);
    } else {
        json_t *json2 = ovsdb_schema_to_json(schema);
        struct ovsdb_schema *back;
        error = ovsdb_schema_from_json(json2, &back);
        if (error || !ovsdb_schema_equal(schema, back)) {
            abort();
        }
        struct ovsdb_schema *clone = ovsdb_schema_clone(schema);
        if (!ovsdb_schema_equal(schema, clone)) {
            abort();
        }
        ovsdb_schema_destroy(clone);
        ovsdb_schema_destroy(back);
        json_decref(json2);
        ovsdb_schema_destroy(schema);
    }
    json_decref(json);
    return 0;
}
