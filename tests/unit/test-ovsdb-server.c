/* Tests for the OVSDB server (ovsdb/jsonrpc-server) through local
 * sessions, no sockets: every method and its errors, the order of
 * notifications and replies, blocked "wait"s, cancel, locks, _Server;
 * and for database files (ovsdb/storage): replay, torn tails, group
 * commit and compaction. */
#include <config.h>
#include "ovsdb/jsonrpc-server.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dynamic-string.h"
#include "json.h"
#include "jsonrpc.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/storage.h"
#include "ovsdb/table.h"
#include "test.h"

static const char schema_text[] =
"{'name': 'M', 'version': '1.0.0', 'tables': {"
" 'T': {'columns': {"
"   'name': {'type': 'string'},"
"   'n': {'type': {'key': {'type': 'integer', 'maxInteger': 10}}}},"
"   'indexes': [['name']]}}}";

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

static char *
quotes(const char *text, char from, char to)
{
    char *s = xstrdup(text);
    for (char *p = s; *p; p++) {
        if (*p == from) {
            *p = to;
        }
    }
    return s;
}

static json_t *
J(const char *text)
{
    char *s = quotes(text, '\'', '"');
    char *error;
    json_t *json = json_from_string_bounded(s, NULL, &error);
    if (!json) {
        test_fail(TEST_WHERE, "bad test JSON %s: %s", s, error);
    }
    free(s);
    return json;
}

static struct ovsdb_schema *
test_schema(void)
{
    json_t *json = J(schema_text);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    CHECK(!error);
    json_decref(json);
    return schema;
}

static struct ovsdb_jsonrpc_server *
create_server(void)
{
    struct ovsdb_jsonrpc_server *server = ovsdb_jsonrpc_server_create();
    CHECK(ovsdb_jsonrpc_server_add_db(server, ovsdb_create(test_schema()),
                                      NULL));
    return server;
}

static void
send_request(struct ovsdb_jsonrpc_session *s, const char *method,
             const char *params, int id)
{
    json_t *id_json = json_integer(id);
    struct jsonrpc_msg *msg = jsonrpc_create_request(method, J(params), NULL);
    json_decref(msg->id);
    msg->id = id_json;
    ovsdb_jsonrpc_session_receive(s, msg);
}

static void
send_notify(struct ovsdb_jsonrpc_session *s, const char *method,
            const char *params)
{
    ovsdb_jsonrpc_session_receive(s, jsonrpc_create_notify(method,
                                                           J(params)));
}

/* The next message for S, as canonical JSON with ' for ", or "(none)". */
static char *
next_output(struct ovsdb_jsonrpc_session *s)
{
    struct jsonrpc_msg *msg = ovsdb_jsonrpc_session_pop_output(s);
    if (!msg) {
        return xstrdup("(none)");
    }
    char *text = jsonrpc_msg_to_string(msg);
    jsonrpc_msg_destroy(msg);
    char *s2 = quotes(text, '"', '\'');
    free(text);
    return s2;
}

#define EXPECT(S, TEXT)                         \
    do {                                        \
        char *out__ = next_output(S);           \
        CHECK_STREQ(out__, TEXT);               \
        free(out__);                            \
    } while (0)

static void
run(struct ovsdb_jsonrpc_server *server)
{
    struct ovsdb_error *error = ovsdb_jsonrpc_server_run(server);
    CHECK(!error);
}

TEST(basic_methods)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *s = ovsdb_jsonrpc_server_open_local(
        server, "a");

    send_request(s, "list_dbs", "[]", 1);
    send_request(s, "echo", "['x', 1]", 2);
    send_request(s, "no_such_method", "[]", 3);
    send_request(s, "get_schema", "['Nope']", 4);
    send_request(s, "get_schema", "[]", 5);
    send_request(s, "get_schema", "['M']", 6);
    send_request(s, "set_db_change_aware", "[1]", 7);
    send_request(s, "set_db_change_aware", "[true]", 8);
    send_request(s, "cancel", "[1]", 9);     /* A notification in RFC 7047. */

    /* Nothing leaves before run(). */
    EXPECT(s, "(none)");
    run(server);
    EXPECT(s, "{'error':null,'id':1,'result':['M','_Server']}");
    EXPECT(s, "{'error':null,'id':2,'result':['x',1]}");
    EXPECT(s, "{'error':'unknown method','id':3,'result':null}");
    EXPECT(s, "{'error':{'details':'get_schema request specifies unknown "
           "database Nope','error':'unknown database','syntax':'[\\'Nope"
           "\\']'},'id':4,'result':null}");
    EXPECT(s, "{'error':{'details':'get_schema request params must begin "
           "with <db-name>','error':'syntax error','syntax':'[]'},'id':5,"
           "'result':null}");
    char *schema = next_output(s);
    CHECK(strstr(schema, "'name':'M'") != NULL);
    CHECK(strstr(schema, "'indexes':[['name']]") != NULL);
    free(schema);
    EXPECT(s, "{'error':{'details':'set_db_change_aware: true or false "
           "parameter expected','error':'syntax error','syntax':'[1]'},"
           "'id':7,'result':null}");
    EXPECT(s, "{'error':null,'id':8,'result':{}}");
    EXPECT(s, "{'error':'unknown method','id':9,'result':null}");
    EXPECT(s, "(none)");

    ovsdb_jsonrpc_server_destroy(server);
}

TEST(transact_errors_keep_serving)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");
    struct ovsdb_jsonrpc_session *b = ovsdb_jsonrpc_server_open_local(
        server, "b");

    send_request(a, "transact", "['Nope']", 1);
    send_request(a, "transact", "[]", 2);
    send_request(a, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'row': {'n': 11}}]", 3);
    send_request(a, "transact", "['_Server', {'op': 'delete',"
                 " 'table': 'Database', 'where': []}]", 4);
    send_request(b, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'uuid': '" U1 "', 'row': {'name': 'x'}}]", 1);
    run(server);

    EXPECT(a, "{'error':{'details':'transact request specifies unknown "
           "database Nope','error':'unknown database','syntax':'[\\'Nope"
           "\\']'},'id':1,'result':null}");
    EXPECT(a, "{'error':{'details':'transact request params must begin "
           "with <db-name>','error':'syntax error','syntax':'[]'},'id':2,"
           "'result':null}");
    char *out = next_output(a);
    CHECK(strstr(out, "'error':'constraint violation'") != NULL);
    free(out);
    out = next_output(a);
    CHECK(strstr(out, "'error':'not allowed'") != NULL);
    free(out);
    EXPECT(b, "{'error':null,'id':1,'result':[{'uuid':['uuid','" U1
           "']}]}");

    ovsdb_jsonrpc_server_destroy(server);
}

TEST(monitor_update_before_reply)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");
    struct ovsdb_jsonrpc_session *b = ovsdb_jsonrpc_server_open_local(
        server, "b");

    send_request(a, "monitor_cond", "['M', ['mon', 1], {'T': {}}]", 1);
    send_request(b, "monitor", "['M', null, {'T': {'columns': ['n']}}]", 1);
    run(server);
    EXPECT(a, "{'error':null,'id':1,'result':{}}");
    EXPECT(b, "{'error':null,'id':1,'result':{}}");

    send_request(a, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'uuid': '" U1 "', 'row': {'name': 'x', 'n': 3}}]", 2);
    run(server);
    /* The transacting client sees its change before its reply. */
    char *s = next_output(a);
    CHECK(strstr(s, "'method':'update2'") != NULL);
    CHECK(strstr(s, "['mon',1]") != NULL);
    CHECK(strstr(s, "'insert':{") != NULL);
    free(s);
    EXPECT(a, "{'error':null,'id':2,'result':[{'uuid':['uuid','" U1
           "']}]}");
    EXPECT(b, "{'id':null,'method':'update','params':[null,{'T':{'" U1
           "':{'new':{'n':3}}}}]}");

    send_request(a, "monitor_cancel", "[['mon', 1]]", 3);
    send_request(a, "monitor_cancel", "[['mon', 1]]", 4);
    send_request(a, "monitor_cancel", "[]", 5);
    send_request(b, "transact", "['M', {'op': 'delete', 'table': 'T',"
                 " 'where': []}]", 2);
    run(server);
    EXPECT(a, "{'error':null,'id':3,'result':{}}");
    EXPECT(a, "{'error':'unknown monitor','id':4,'result':null}");
    EXPECT(a, "{'error':'invalid parameters','id':5,'result':null}");
    EXPECT(a, "(none)");
    EXPECT(b, "{'id':null,'method':'update','params':[null,{'T':{'" U1
           "':{'old':{'n':3}}}}]}");
    EXPECT(b, "{'error':null,'id':2,'result':[{'count':1}]}");
    ovsdb_jsonrpc_server_destroy(server);
}

/* The next message for S must be text that jsonrpc_send() would write
 * for it: parses as a notification and re-serializes to the same bytes.
 * Returns the message. */
static struct jsonrpc_msg *
next_wire_notify(struct ovsdb_jsonrpc_session *s, const char *method)
{
    char *text = ovsdb_jsonrpc_session_pop_output_text(s);
    CHECK(text != NULL);

    json_error_t jerror;
    json_t *json = json_loads(text, 0, &jerror);
    CHECK_MSG(json != NULL, "%s: %s", text, jerror.text);
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_json(json, &msg);
    CHECK_MSG(!error, "%s: %s", text, error);
    json_decref(json);
    CHECK_EQ(msg->type, JSONRPC_NOTIFY);
    CHECK_STREQ(msg->method, method);

    struct ds ds = DS_EMPTY_INITIALIZER;
    json = jsonrpc_msg_to_json(msg);
    json_to_ds(json, JSON_COMPACT, &ds);
    json_decref(json);
    CHECK_STREQ(ds_cstr(&ds), text);
    ds_destroy(&ds);
    free(text);
    return msg;
}

static void
check_update(struct ovsdb_jsonrpc_session *s, const char *method,
             const char *id, const char *updates)
{
    struct jsonrpc_msg *msg = next_wire_notify(s, method);
    size_t n = json_array_size(msg->params);
    json_t *id_json = J(id);
    json_t *updates_json = J(updates);

    CHECK_EQ(n, !strcmp(method, "update3") ? 3 : 2);
    CHECK(json_equal(json_array_get(msg->params, 0), id_json));
    if (n == 3) {
        CHECK_STREQ(json_string_value(json_array_get(msg->params, 1)),
                    "00000000-0000-0000-0000-000000000000");
    }
    char *got = json_to_string_canonical(json_array_get(msg->params, n - 1));
    char *want = json_to_string_canonical(updates_json);
    CHECK_STREQ(got, want);
    free(got);
    free(want);
    json_decref(id_json);
    json_decref(updates_json);
    jsonrpc_msg_destroy(msg);
}

/* Identical monitors with different ids share one serialized update; the
 * ids are spliced in, byte for byte as a notification sent one by one. */
TEST(monitor_shared_updates_spliced)
{
    static const char *const ids[] = {
        "7", "['mon', 'x']", "{'k': [1, 2.5, null], 'a': '\u00e9\\''}",
        "null",
    };
    enum { N = ARRAY_SIZE(ids) };
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *s[N + 2];

    for (int i = 0; i < N + 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        s[i] = ovsdb_jsonrpc_server_open_local(server, name);
    }
    for (int i = 0; i < N; i++) {
        char *params = xasprintf("['M', %s, {'T': {'columns': ['n']}}]",
                                 ids[i]);
        send_request(s[i], "monitor_cond", params, 1);
        free(params);
    }
    /* Not shared: update3, and a condition. */
    send_request(s[N], "monitor_cond_since", "['M', 'v3', {'T': {'columns':"
                 " ['n']}}, '00000000-0000-0000-0000-000000000000']", 1);
    send_request(s[N + 1], "monitor_cond", "['M', 'c', {'T': {'columns':"
                 " ['n'], 'where': [['n', '>', 5]]}}]", 1);
    run(server);
    for (int i = 0; i < N + 2; i++) {
        char *out = next_output(s[i]);
        CHECK(strstr(out, "'error':null,'id':1") != NULL);
        free(out);
    }

    send_request(s[0], "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'uuid': '" U1 "', 'row': {'name': 'x', 'n': 3}},"
                 " {'op': 'insert', 'table': 'T', 'uuid': '" U2 "',"
                 " 'row': {'name': 'y', 'n': 7}}]", 2);
    run(server);
    const char *both = "{'T': {'" U1 "': {'insert': {'n': 3}}, '" U2
                       "': {'insert': {'n': 7}}}}";
    for (int i = 0; i < N; i++) {
        check_update(s[i], "update2", ids[i], both);
    }
    check_update(s[N], "update3", "'v3'", both);
    check_update(s[N + 1], "update2", "'c'",
                 "{'T': {'" U2 "': {'insert': {'n': 7}}}}");
    EXPECT(s[0], "{'error':null,'id':2,'result':[{'uuid':['uuid','" U1
           "']},{'uuid':['uuid','" U2 "']}]}");

    /* A renamed monitor is spliced with its new id. */
    send_request(s[1], "monitor_cond_change", "[['mon', 'x'], 'renamed',"
                 " {}]", 3);
    send_request(s[0], "transact", "['M', {'op': 'update', 'table': 'T',"
                 " 'where': [['name', '==', 'x']], 'row': {'n': 4}}]", 3);
    run(server);
    EXPECT(s[1], "{'error':null,'id':3,'result':{}}");
    const char *modify = "{'T': {'" U1 "': {'modify': {'n': 4}}}}";
    check_update(s[1], "update2", "'renamed'", modify);
    check_update(s[0], "update2", ids[0], modify);
    check_update(s[2], "update2", ids[2], modify);
    check_update(s[N], "update3", "'v3'", modify);
    EXPECT(s[N + 1], "(none)");

    /* A session that goes away with output queued leaks nothing. */
    send_request(s[0], "transact", "['M', {'op': 'delete', 'table': 'T',"
                 " 'where': []}]", 4);
    ovsdb_jsonrpc_session_close(s[3]);
    run(server);
    ovsdb_jsonrpc_server_destroy(server);
}

TEST(monitor_errors_and_since)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");

    send_request(a, "monitor", "['M']", 1);
    send_request(a, "monitor", "['M', 'm', {'T': {}}]", 2);
    send_request(a, "monitor_cond", "['M', 'm', {'T': {}}]", 3);
    send_request(a, "monitor_cond_since", "['M', 'n', {'T': {}}, 'xyz']",
                 4);
    send_request(a, "monitor_cond_since", "['M', 'n', {'T': {}},"
                 " '00000000-0000-0000-0000-000000000000']", 5);
    send_request(a, "monitor_cond_change", "['zz', 'y', {}]", 6);
    send_request(a, "monitor_cond_change", "['n', 'm', {}]", 7);
    send_request(a, "monitor_cond_change", "['n']", 8);
    send_request(a, "monitor_cond_change", "['n', 'p', {'T': [{'where':"
                 " [['n', '==', 5]]}]}]", 9);
    send_request(a, "monitor_cond_change", "['n', 'q', {'T': [{'where':"
                 " [['n', '==', 'bad']]}]}]", 10);
    run(server);

    EXPECT(a, "{'error':{'details':'invalid parameters','error':'syntax "
           "error','syntax':'[\\'M\\']'},'id':1,'result':null}");
    EXPECT(a, "{'error':null,'id':2,'result':{}}");
    EXPECT(a, "{'error':{'details':'duplicate monitor ID','error':'syntax "
           "error','syntax':'\\'m\\''},'id':3,'result':null}");
    char *s = next_output(a);
    CHECK(strstr(s, "last-txn-id must be UUID format.") != NULL);
    free(s);
    EXPECT(a, "{'error':null,'id':5,'result':[false,"
           "'00000000-0000-0000-0000-000000000000',{}]}");
    s = next_output(a);
    CHECK(strstr(s, "unknown monitor session") != NULL);
    free(s);
    s = next_output(a);
    CHECK(strstr(s, "duplicate monitor ID") != NULL);
    free(s);
    s = next_output(a);
    CHECK(strstr(s, "invalid parameters") != NULL);
    free(s);
    EXPECT(a, "{'error':null,'id':9,'result':{}}");
    /* The monitor was renamed: 'n' is gone. */
    s = next_output(a);
    CHECK(strstr(s, "unknown monitor session") != NULL);
    free(s);
    EXPECT(a, "(none)");

    /* update3 notifications carry the (zero) transaction id. */
    send_request(a, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'uuid': '" U2 "', 'row': {'n': 5}}]", 11);
    run(server);
    s = next_output(a);
    CHECK(strstr(s, "'method':'update','params':['m',{'T':{'" U2
                 "':{'new':{") != NULL);
    free(s);
    /* Monitor 'p' (ex 'n') has condition n == 5: it sees the row. */
    s = next_output(a);
    CHECK(strstr(s, "'method':'update3','params':['p',") != NULL);
    free(s);
    s = next_output(a);
    CHECK(strstr(s, "'id':11") != NULL);
    free(s);
    ovsdb_jsonrpc_server_destroy(server);
}

TEST(update3_and_shared)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");
    struct ovsdb_jsonrpc_session *b = ovsdb_jsonrpc_server_open_local(
        server, "b");

    send_request(a, "monitor_cond_since", "['M', 'a', {'T': [{'columns':"
                 " ['n']}]}, '00000000-0000-0000-0000-000000000000']", 1);
    send_request(b, "monitor_cond_since", "['M', 'b', {'T': [{'columns':"
                 " ['n']}]}, '00000000-0000-0000-0000-000000000000']", 1);
    run(server);
    free(next_output(a));
    free(next_output(b));
    send_request(a, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'uuid': '" U2 "', 'row': {'n': 5}}]", 2);
    run(server);
    EXPECT(a, "{'id':null,'method':'update3','params':['a',"
           "'00000000-0000-0000-0000-000000000000',{'T':{'" U2 "':"
           "{'insert':{'n':5}}}}]}");
    EXPECT(a, "{'error':null,'id':2,'result':[{'uuid':['uuid','" U2
           "']}]}");
    EXPECT(b, "{'id':null,'method':'update3','params':['b',"
           "'00000000-0000-0000-0000-000000000000',{'T':{'" U2 "':"
           "{'insert':{'n':5}}}}]}");
    ovsdb_jsonrpc_server_destroy(server);
}

TEST(wait_blocks_until_change)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");
    struct ovsdb_jsonrpc_session *b = ovsdb_jsonrpc_server_open_local(
        server, "b");

    /* Waits until T has a row named x. */
    send_request(a, "transact", "['M', {'op': 'wait', 'table': 'T',"
                 " 'where': [['name', '==', 'x']], 'columns': ['name'],"
                 " 'until': '==', 'rows': [{'name': 'x'}],"
                 " 'timeout': 100000}]", 1);
    send_request(a, "transact", "['M', {'op': 'wait', 'table': 'T',"
                 " 'where': [], 'columns': ['name'], 'until': '==',"
                 " 'rows': [{'name': 'never'}]}]", 2);
    send_request(a, "transact", "['M', {'op': 'wait', 'table': 'T',"
                 " 'where': [], 'columns': ['name'], 'until': '==',"
                 " 'rows': [{'name': 'never'}], 'timeout': 0}]", 3);
    send_request(a, "echo", "[]", 4);
    run(server);
    /* Blocked requests do not hold up later ones. */
    char *s = next_output(a);
    CHECK(strstr(s, "'error':'timed out'") != NULL);
    CHECK(strstr(s, "'id':3") != NULL);
    free(s);
    EXPECT(a, "{'error':null,'id':4,'result':[]}");
    EXPECT(a, "(none)");
    run(server);
    EXPECT(a, "(none)");

    send_request(b, "transact", "['M', {'op': 'insert', 'table': 'T',"
                 " 'row': {'name': 'x'}}]", 1);
    run(server);
    s = next_output(b);
    CHECK(strstr(s, "'uuid':['uuid',") != NULL);
    free(s);
    EXPECT(a, "{'error':null,'id':1,'result':[{}]}");
    EXPECT(a, "(none)");

    /* cancel answers the blocked request with "canceled". */
    send_notify(a, "cancel", "[2]");
    send_notify(a, "cancel", "[77]");
    run(server);
    EXPECT(a, "{'error':'canceled','id':2,'result':null}");
    EXPECT(a, "(none)");

    /* A session that goes away takes its blocked requests along. */
    send_request(b, "transact", "['M', {'op': 'wait', 'table': 'T',"
                 " 'where': [], 'columns': ['name'], 'until': '!=',"
                 " 'rows': [{'name': 'x'}]}]", 2);
    run(server);
    ovsdb_jsonrpc_session_close(b);
    run(server);
    ovsdb_jsonrpc_server_destroy(server);
}

TEST(locks)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");
    struct ovsdb_jsonrpc_session *b = ovsdb_jsonrpc_server_open_local(
        server, "b");

    send_request(a, "lock", "['L']", 1);
    send_request(a, "lock", "['L']", 2);
    send_request(a, "lock", "[5]", 3);
    send_request(a, "unlock", "['Q']", 4);
    send_request(b, "lock", "['L']", 1);
    run(server);
    EXPECT(a, "{'error':null,'id':1,'result':{'locked':true}}");
    EXPECT(a, "{'error':{'details':'must issue \\'unlock\\' before new "
           "\\'lock\\'','error':'syntax error','syntax':'[\\'L\\']'},"
           "'id':2,'result':null}");
    EXPECT(a, "{'error':{'details':'lock request params must be <id>',"
           "'error':'syntax error','syntax':'[5]'},'id':3,'result':null}");
    EXPECT(a, "{'error':{'details':'unlock: \\'unlock\\' without \\'lock"
           "\\' or \\'steal\\'','error':'syntax error','syntax':'[\\'Q"
           "\\']'},'id':4,'result':null}");
    EXPECT(b, "{'error':null,'id':1,'result':{'locked':false}}");

    /* "assert" sees who owns the lock. */
    send_request(a, "transact", "['M', {'op': 'assert', 'lock': 'L'}]", 5);
    send_request(b, "transact", "['M', {'op': 'assert', 'lock': 'L'}]", 2);
    run(server);
    EXPECT(a, "{'error':null,'id':5,'result':[{}]}");
    char *s = next_output(b);
    CHECK(strstr(s, "'error':'not owner'") != NULL);
    free(s);

    /* Unlock hands the lock over; steal takes it back. */
    send_request(a, "unlock", "['L']", 6);
    run(server);
    EXPECT(b, "{'id':null,'method':'locked','params':['L']}");
    EXPECT(a, "{'error':null,'id':6,'result':{}}");
    send_request(a, "steal", "['L']", 7);
    run(server);
    EXPECT(b, "{'id':null,'method':'stolen','params':['L']}");
    EXPECT(a, "{'error':null,'id':7,'result':{'locked':true}}");

    /* The owner going away gives the lock to the next in line. */
    ovsdb_jsonrpc_session_close(a);
    run(server);
    EXPECT(b, "{'id':null,'method':'locked','params':['L']}");
    ovsdb_jsonrpc_server_destroy(server);
}

TEST(server_database)
{
    struct ovsdb_jsonrpc_server *server = create_server();
    struct ovsdb_jsonrpc_session *a = ovsdb_jsonrpc_server_open_local(
        server, "a");

    send_request(a, "transact", "['_Server', {'op': 'select', 'table':"
                 " 'Database', 'where': [], 'columns': ['name', 'model',"
                 " 'connected', 'leader', 'cid', 'index'],"
                 " 'sort': ['name']}]", 1);
    run(server);
    EXPECT(a, "{'error':null,'id':1,'result':[{'rows':[{'cid':['set',[]],"
           "'connected':true,'index':['set',[]],'leader':true,'model':"
           "'standalone','name':'M'},{'cid':['set',[]],'connected':true,"
           "'index':['set',[]],'leader':true,'model':'standalone','name':"
           "'_Server'}]}]}");
    struct ovsdb *dup = ovsdb_create(test_schema());
    CHECK(!ovsdb_jsonrpc_server_add_db(server, dup, NULL));
    ovsdb_destroy(dup);
    ovsdb_jsonrpc_server_destroy(server);
}

/* Storage. */

static char *
db_path(const char *name)
{
    char *path = xasprintf("%s/%s", test_tmpdir(), name);
    unlink(path);
    return path;
}

static struct ovsdb_storage *last_storage;

static struct ovsdb_jsonrpc_server *
open_file_server(const char *path)
{
    struct ovsdb_jsonrpc_server *server = ovsdb_jsonrpc_server_create();
    struct ovsdb_storage *storage;
    struct ovsdb *db;
    struct ovsdb_error *error = ovsdb_storage_open(path, true, &db,
                                                   &storage);
    if (error) {
        test_fail(TEST_WHERE, "%s", ovsdb_error_to_string_free(error));
    }
    CHECK(ovsdb_jsonrpc_server_add_db(server, db, storage));
    last_storage = storage;
    return server;
}

static size_t
count_rows(struct ovsdb_jsonrpc_server *server)
{
    struct ovsdb *db = ovsdb_jsonrpc_server_get_db(server, "M");
    return ovsdb_table_n_rows(ovsdb_get_table(db, "T"));
}

static void
insert_rows(struct ovsdb_jsonrpc_server *server, int first, int n)
{
    struct ovsdb_jsonrpc_session *s = ovsdb_jsonrpc_server_open_local(
        server, "w");
    for (int i = first; i < first + n; i++) {
        char *params = xasprintf("['M', {'op': 'insert', 'table': 'T',"
                                 " 'row': {'name': 'r%d', 'n': %d}}]",
                                 i, i % 10);
        send_request(s, "transact", params, i);
        free(params);
    }
    run(server);
    for (int i = 0; i < n; i++) {
        char *out = next_output(s);
        CHECK(strstr(out, "'uuid':['uuid'") != NULL);
        free(out);
    }
    ovsdb_jsonrpc_session_close(s);
}

TEST(storage_replay_and_group_commit)
{
    char *path = db_path("replay.db");
    struct ovsdb_schema *schema = test_schema();
    struct ovsdb_error *error = ovsdb_storage_create(path, schema);
    CHECK(!error);
    ovsdb_schema_destroy(schema);
    error = ovsdb_storage_create(path, schema = test_schema());
    CHECK(error);                   /* Exists already. */
    ovsdb_error_destroy(error);
    ovsdb_schema_destroy(schema);

    struct ovsdb_jsonrpc_server *server = open_file_server(path);
    insert_rows(server, 0, 20);
    CHECK_EQ(count_rows(server), 20);

    /* The 20 transactions of one iteration were synced together. */
    struct ovsdb_storage_stats stats;
    ovsdb_storage_get_stats(last_storage, &stats);
    CHECK_EQ(stats.n_txns_written, 20);
    CHECK_EQ(stats.n_commits, 1);
    CHECK(!ovsdb_storage_is_dirty(last_storage));
    ovsdb_jsonrpc_server_destroy(server);

    /* Reopening replays them. */
    struct ovsdb_storage *storage;
    struct ovsdb *db;
    error = ovsdb_storage_open(path, false, &db, &storage);
    CHECK(!error);
    CHECK_EQ(ovsdb_table_n_rows(ovsdb_get_table(db, "T")), 20);
    ovsdb_storage_get_stats(storage, &stats);
    CHECK_EQ(stats.n_txns_replayed, 20);
    ovsdb_destroy(db);
    free(path);
}

TEST(storage_torn_tail)
{
    char *path = db_path("torn.db");
    struct ovsdb_schema *schema = test_schema();
    CHECK(!ovsdb_storage_create(path, schema));
    ovsdb_schema_destroy(schema);

    struct ovsdb_jsonrpc_server *server = open_file_server(path);
    insert_rows(server, 0, 3);
    ovsdb_jsonrpc_server_destroy(server);

    /* Half a record at the end, as a crash mid-append leaves. */
    int fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    static const char torn[] = "OVSDB JSON 300 0123456789abcdef0123456789"
                               "abcdef01234567\n{\"T\":{\"";
    CHECK(write(fd, torn, sizeof torn - 1) == (ssize_t) sizeof torn - 1);
    close(fd);

    server = open_file_server(path);
    CHECK_EQ(count_rows(server), 3);
    insert_rows(server, 3, 1);      /* Writing cuts the torn tail off. */
    ovsdb_jsonrpc_server_destroy(server);
    server = open_file_server(path);
    CHECK_EQ(count_rows(server), 4);
    ovsdb_jsonrpc_server_destroy(server);
    free(path);
}

TEST(storage_compaction)
{
    char *path = db_path("compact.db");
    struct ovsdb_schema *schema = test_schema();
    CHECK(!ovsdb_storage_create(path, schema));
    ovsdb_schema_destroy(schema);

    struct ovsdb_jsonrpc_server *server = open_file_server(path);
    insert_rows(server, 0, 30);
    struct ovsdb_jsonrpc_session *s = ovsdb_jsonrpc_server_open_local(
        server, "d");
    send_request(s, "transact", "['M', {'op': 'delete', 'table': 'T',"
                 " 'where': [['n', '>', 0]]}]", 1);
    run(server);
    EXPECT(s, "{'error':null,'id':1,'result':[{'count':27}]}");

    size_t before, after;
    free(test_read_file(path, &before));
    char *error = ovsdb_jsonrpc_server_compact(server, NULL);
    CHECK(!error);
    free(test_read_file(path, &after));
    CHECK_LT(after, before);
    error = ovsdb_jsonrpc_server_compact(server, "nope");
    CHECK_STREQ(error, "nope: unknown database");
    free(error);

    /* The log goes on after compaction. */
    insert_rows(server, 100, 2);
    ovsdb_jsonrpc_server_destroy(server);
    server = open_file_server(path);
    CHECK_EQ(count_rows(server), 5);
    ovsdb_jsonrpc_server_destroy(server);
    free(path);
}
