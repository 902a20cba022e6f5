/* Fuzz target for the OVSDB server (ovsdb/jsonrpc-server, monitor, lock,
 * server-db, with the engine underneath).
 *
 * The input is a JSON-RPC byte stream, framed by the same parser a
 * connection uses (lib/jsonrpc.h).  Its messages go to two local sessions
 * of a server with a small in-memory database (references, an index,
 * maxRows, constraints): every second message to the other session, so
 * that locks, monitors and blocked "wait"s interact.  The server runs
 * after each message and every output is serialized.  A framing or
 * message error ends the stream, as it would close a connection.
 * Nothing may crash or leak. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "jsonrpc.h"
#include "ovsdb/jsonrpc-server.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "util.h"
#include "vlog.h"

static const char schema_json[] =
"{\"name\": \"F\", \"tables\": {"
" \"R\": {\"isRoot\": true, \"columns\": {"
"   \"s\": {\"type\": \"string\"},"
"   \"i\": {\"type\": {\"key\": {\"type\": \"integer\", \"maxInteger\": 99}}},"
"   \"m\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
"                     \"min\": 0, \"max\": 3}},"
"   \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\"},"
"                        \"min\": 0, \"max\": \"unlimited\"}},"
"   \"wk\": {\"type\": {\"key\": {\"type\": \"uuid\", \"refTable\": \"C\","
"                      \"refType\": \"weak\"}, \"min\": 0,"
"                      \"max\": \"unlimited\"}}}},"
" \"C\": {\"isRoot\": false, \"indexes\": [[\"n\"]], \"columns\": {"
"   \"n\": {\"type\": \"string\"}}},"
" \"L\": {\"maxRows\": 2, \"columns\": {\"a\": {\"type\": \"integer\"}}}}}";

static struct ovsdb *
create_db(void)
{
    json_error_t jerror;
    json_t *json = json_loads(schema_json, 0, &jerror);
    struct ovsdb_schema *schema;

    if (!json || ovsdb_schema_from_json(json, &schema)) {
        abort();
    }
    json_decref(json);
    return ovsdb_create(schema);
}

static void
drain(struct ovsdb_jsonrpc_session *s)
{
    struct jsonrpc_msg *msg;
    while ((msg = ovsdb_jsonrpc_session_pop_output(s))) {
        free(jsonrpc_msg_to_string(msg));
        jsonrpc_msg_destroy(msg);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }

    struct ovsdb_jsonrpc_server *server = ovsdb_jsonrpc_server_create();
    if (!ovsdb_jsonrpc_server_add_db(server, create_db(), NULL)) {
        abort();
    }
    struct ovsdb_jsonrpc_session *sessions[2] = {
        ovsdb_jsonrpc_server_open_local(server, "a"),
        ovsdb_jsonrpc_server_open_local(server, "b"),
    };

    struct jsonrpc_parser *parser = jsonrpc_parser_create(256 * 1024);
    jsonrpc_parser_feed(parser, data, size);
    jsonrpc_parser_finish(parser);

    json_t *json;
    for (int i = 0; i < 64 && !jsonrpc_parser_next(parser, &json); i++) {
        struct jsonrpc_msg *msg;
        char *error = jsonrpc_msg_from_json(json, &msg);
        json_decref(json);
        if (error) {
            free(error);
            break;
        }
        ovsdb_jsonrpc_session_receive(sessions[i % 2], msg);
        if (ovsdb_jsonrpc_server_run(server)) {
            abort();            /* No storage: nothing can fail there. */
        }
        drain(sessions[0]);
        drain(sessions[1]);
    }

    /* One session leaves first, handing over its locks. */
    ovsdb_jsonrpc_session_close(sessions[size & 1]);
    if (ovsdb_jsonrpc_server_run(server)) {
        abort();
    }
    drain(sessions[!(size & 1)]);

    jsonrpc_parser_destroy(parser);
    ovsdb_jsonrpc_server_destroy(server);
    return 0;
}
