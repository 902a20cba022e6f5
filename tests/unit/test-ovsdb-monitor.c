/* Tests for OVSDB monitors (ovsdb/monitor): request parsing and its
 * errors, initial contents, the update formats of the three protocol
 * versions (update2's diffs for sets, maps and scalars), selections,
 * conditions and condition changes; and for the lock server
 * (ovsdb/lock). */
#include <config.h>
#include "ovsdb/monitor.h"

#include <string.h>

#include "json.h"
#include "ovsdb/execution.h"
#include "ovsdb/lock.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/transaction.h"
#include "test.h"

static const char schema_text[] =
"{'name': 'M', 'tables': {"
" 'T': {'columns': {"
"   'name': {'type': 'string'},"
"   'n': {'type': 'integer'},"
"   'opt': {'type': {'key': 'string', 'min': 0, 'max': 1}},"
"   'set': {'type': {'key': 'integer', 'min': 0, 'max': 'unlimited'}},"
"   'map': {'type': {'key': 'string', 'value': 'string', 'min': 0,"
"                    'max': 'unlimited'}}}},"
" 'U': {'columns': {'x': {'type': 'integer'}}}}}";

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

/* Parses TEXT, JSON written with ' for ". */
static json_t *
J(const char *text)
{
    char *s = xstrdup(text);
    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    char *error;
    json_t *json = json_from_string_bounded(s, NULL, &error);
    if (!json) {
        test_fail(TEST_WHERE, "bad test JSON %s: %s", s, error);
    }
    free(s);
    return json;
}

/* Canonical text of JSON (which it consumes), with " turned into '. */
static char *
S(json_t *json)
{
    if (!json) {
        return xstrdup("(null)");
    }
    char *s = json_to_string_canonical(json);
    json_decref(json);
    for (char *p = s; *p; p++) {
        if (*p == '"') {
            *p = '\'';
        }
    }
    return s;
}

static struct ovsdb *
create_db(void)
{
    json_t *json = J(schema_text);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    CHECK(!error);
    json_decref(json);
    return ovsdb_create(schema);
}

/* Runs transact operations OPS (a JSON array text) on DB and checks that
 * they succeeded. */
static void
transact(struct ovsdb *db, const char *ops)
{
    json_t *params = J(ops);
    json_array_insert_new(params, 0, json_string("M"));
    json_t *result = ovsdb_execute(db, params, NULL, NULL);
    char *s = S(result);
    if (strstr(s, "'error'")) {
        test_fail(TEST_WHERE, "transaction %s failed: %s", ops, s);
    }
    free(s);
    json_decref(params);
}

static struct ovsdb_monitor *
create_monitor(struct ovsdb *db, enum ovsdb_monitor_version version,
               const char *requests)
{
    json_t *json = J(requests);
    struct ovsdb_monitor *m;
    struct ovsdb_error *error = ovsdb_monitor_create(db, version, json, &m);
    if (error) {
        test_fail(TEST_WHERE, "monitor %s: %s", requests,
                  ovsdb_error_to_string_free(error));
    }
    json_decref(json);
    return m;
}

/* The error creating a monitor from REQUESTS, as "tag: details". */
static char *
monitor_error(struct ovsdb *db, enum ovsdb_monitor_version version,
              const char *requests)
{
    json_t *json = J(requests);
    struct ovsdb_monitor *m;
    struct ovsdb_error *error = ovsdb_monitor_create(db, version, json, &m);
    json_decref(json);
    if (!error) {
        ovsdb_monitor_destroy(m);
        return xstrdup("(no error)");
    }
    char *s = xasprintf("%s: %s", ovsdb_error_get_tag(error),
                        ovsdb_error_get_details(error));
    ovsdb_error_destroy(error);
    return s;
}

/* A replica that records what a monitor reports for each commit. */
struct capture {
    struct ovsdb_replica up;
    struct ovsdb_monitor *m;
    char *last;                     /* Of the last commit. */
};

static struct ovsdb_error *
capture_commit(struct ovsdb_replica *r, const struct ovsdb_txn *txn,
               bool durable PLX_UNUSED)
{
    struct capture *c = CONTAINER_OF(r, struct capture, up);
    free(c->last);
    c->last = S(ovsdb_monitor_compose_txn(c->m, txn));
    return NULL;
}

static void
capture_destroy(struct ovsdb_replica *r)
{
    struct capture *c = CONTAINER_OF(r, struct capture, up);
    free(c->last);
    c->last = NULL;
}

static const struct ovsdb_replica_class capture_class = {
    capture_commit, capture_destroy,
};

static void
capture_init(struct capture *c, struct ovsdb *db, struct ovsdb_monitor *m)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    ovsdb_replica_init(&c->up, &capture_class);
    ovsdb_add_replica(db, &c->up);
}

/* What M reports for OPS. */
static const char *
changes(struct capture *c, struct ovsdb *db, const char *ops)
{
    free(c->last);
    c->last = xstrdup("(no commit)");
    transact(db, ops);
    return c->last;
}

static void
insert_two_rows(struct ovsdb *db)
{
    transact(db, "[{'op': 'insert', 'table': 'T', 'uuid': '" U1 "',"
             "  'row': {'name': 'a', 'set': ['set', [1, 2]],"
             "          'map': ['map', [['k', 'v'], ['x', 'y']]]}},"
             " {'op': 'insert', 'table': 'T', 'uuid': '" U2 "',"
             "  'row': {'name': 'b', 'n': 7}}]");
}

TEST(parse_errors)
{
    struct ovsdb *db = create_db();
    char *s;

    s = monitor_error(db, OVSDB_MONITOR_V1, "{'Nope': {}}");
    CHECK_STREQ(s, "syntax error: no table named Nope");
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2, "{'T': {'columns': ['zz']}}");
    CHECK_STREQ(s, "syntax error: zz is not a valid column name");
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2, "{'T': [{'columns': ['name']},"
                      " {'columns': ['n', 'name']}]}");
    CHECK_STREQ(s, "syntax error: column name mentioned more than once");
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V1, "{'T': {'where': []}}");
    CHECK_STREQ(s, "syntax error: Parsing table T failed: Member 'where' "
                "is present but not allowed here.");
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V1,
                      "{'T': {'select': {'insert': 1}}}");
    CHECK_STREQ(s, "syntax error: Parsing table T select failed: Type "
                "mismatch for member 'insert'.");
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2,
                      "{'T': {'where': [['zz', '==', 1]]}}");
    CHECK(strstr(s, "No column zz in table T.") != NULL);
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2, "[]");
    CHECK(strstr(s, "syntax error") == s);
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2, "{'T': 5}");
    CHECK(strstr(s, "syntax error") == s);
    free(s);
    s = monitor_error(db, OVSDB_MONITOR_V2, "{}");
    CHECK_STREQ(s, "(no error)");
    free(s);
    ovsdb_destroy(db);
}

TEST(initial_contents)
{
    struct ovsdb *db = create_db();
    insert_two_rows(db);

    struct ovsdb_monitor *m = create_monitor(
        db, OVSDB_MONITOR_V1, "{'T': {'columns': ['name', 'n', 'opt']}}");
    char *s = S(ovsdb_monitor_get_initial(m));
    CHECK_STREQ(s, "{'T':{'" U1 "':{'new':{'n':0,'name':'a','opt':['set',"
                "[]]}},'" U2 "':{'new':{'n':7,'name':'b','opt':['set',"
                "[]]}}}}");
    free(s);
    CHECK_STREQ(ovsdb_monitor_get_method(m), "update");
    ovsdb_monitor_destroy(m);

    /* update2 leaves out default values; no columns still shows rows. */
    m = create_monitor(db, OVSDB_MONITOR_V2,
                       "{'T': [{'columns': ['name', 'n', 'opt']}],"
                       " 'U': {'columns': []}}");
    s = S(ovsdb_monitor_get_initial(m));
    CHECK_STREQ(s, "{'T':{'" U1 "':{'initial':{'name':'a'}},'" U2 "':"
                "{'initial':{'n':7,'name':'b'}}}}");
    free(s);
    ovsdb_monitor_destroy(m);

    /* Without "columns": every column but _uuid, as ovsdb-server. */
    m = create_monitor(db, OVSDB_MONITOR_V2, "{'T': {}}");
    s = S(ovsdb_monitor_get_initial(m));
    CHECK(strstr(s, "'_version':['uuid',") != NULL);
    CHECK(strstr(s, "_uuid") == NULL);
    free(s);
    ovsdb_monitor_destroy(m);

    /* Not selecting "initial". */
    m = create_monitor(db, OVSDB_MONITOR_V2,
                       "{'T': {'select': {'initial': false}}}");
    s = S(ovsdb_monitor_get_initial(m));
    CHECK_STREQ(s, "{}");
    free(s);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

TEST(update2_diffs)
{
    struct ovsdb *db = create_db();
    insert_two_rows(db);
    struct ovsdb_monitor *m = create_monitor(
        db, OVSDB_MONITOR_V2,
        "{'T': {'columns': ['name', 'n', 'opt', 'set', 'map']}}");
    struct capture c;
    capture_init(&c, db, m);
    CHECK_STREQ(ovsdb_monitor_get_method(m), "update2");

    /* Sets: symmetric difference.  Maps: removed, added and changed
     * pairs (changed with the new value).  Scalars: the new value. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'a']],"
                        " 'row': {'set': ['set', [2, 3]], 'n': 5,"
                        "  'opt': 'o', 'map': ['map', [['k', 'w'],"
                        "  ['z', 'z']]]}}]"),
                "{'T':{'" U1 "':{'modify':{'map':['map',[['k','w'],"
                "['x','y'],['z','z']]],'n':5,'opt':'o','set':['set',"
                "[1,3]]}}}}");

    /* An optional value going away: its new (empty) value. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'a']],"
                        " 'row': {'opt': ['set', []]}}]"),
                "{'T':{'" U1 "':{'modify':{'opt':['set',[]]}}}}");

    /* A one-element set difference is a bare atom, as ovsdb-server. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'mutate', 'table': 'T',"
                        " 'where': [['name', '==', 'a']],"
                        " 'mutations': [['set', 'insert', 9]]}]"),
                "{'T':{'" U1 "':{'modify':{'set':9}}}}");

    CHECK_STREQ(changes(&c, db, "[{'op': 'delete', 'table': 'T',"
                        " 'where': [['name', '==', 'b']]}]"),
                "{'T':{'" U2 "':{'delete':null}}}");
    CHECK_STREQ(changes(&c, db, "[{'op': 'insert', 'table': 'T',"
                        " 'uuid': '" U2 "', 'row': {'name': 'c'}}]"),
                "{'T':{'" U2 "':{'insert':{'name':'c'}}}}");

    /* Tables not monitored: nothing. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'insert', 'table': 'U',"
                        " 'row': {'x': 1}}]"), "(null)");

    ovsdb_remove_replica(db, &c.up);
    capture_destroy(&c.up);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

TEST(update1_format)
{
    struct ovsdb *db = create_db();
    insert_two_rows(db);
    struct ovsdb_monitor *m = create_monitor(
        db, OVSDB_MONITOR_V1, "{'T': {'columns': ['name', 'n', 'set']}}");
    struct capture c;
    capture_init(&c, db, m);

    /* "old" has the changed columns, "new" every column. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'b']],"
                        " 'row': {'n': 8}}]"),
                "{'T':{'" U2 "':{'new':{'n':8,'name':'b','set':['set',[]]},"
                "'old':{'n':7}}}}");
    /* A change to unmonitored columns only is not reported. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'b']],"
                        " 'row': {'opt': 'q'}}]"), "(null)");
    CHECK_STREQ(changes(&c, db, "[{'op': 'delete', 'table': 'T',"
                        " 'where': [['name', '==', 'b']]}]"),
                "{'T':{'" U2 "':{'old':{'n':8,'name':'b','set':['set',"
                "[]]}}}}");

    ovsdb_remove_replica(db, &c.up);
    capture_destroy(&c.up);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

TEST(selections)
{
    struct ovsdb *db = create_db();
    insert_two_rows(db);
    struct ovsdb_monitor *m = create_monitor(
        db, OVSDB_MONITOR_V2,
        "{'T': {'columns': ['n'], 'select': {'modify': false,"
        " 'delete': false}}}");
    struct capture c;
    capture_init(&c, db, m);

    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [], 'row': {'n': 3}}]"), "(null)");
    CHECK_STREQ(changes(&c, db, "[{'op': 'delete', 'table': 'T',"
                        " 'where': [['name', '==', 'a']]}]"), "(null)");
    CHECK_STREQ(changes(&c, db, "[{'op': 'insert', 'table': 'T',"
                        " 'uuid': '" U1 "', 'row': {'n': 4}}]"),
                "{'T':{'" U1 "':{'insert':{'n':4}}}}");

    ovsdb_remove_replica(db, &c.up);
    capture_destroy(&c.up);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

TEST(conditions)
{
    struct ovsdb *db = create_db();
    insert_two_rows(db);
    struct ovsdb_monitor *m = create_monitor(
        db, OVSDB_MONITOR_V2,
        "{'T': {'columns': ['name', 'n'], 'where': [['n', '<', 5]]}}");
    struct capture c;
    capture_init(&c, db, m);

    char *s = S(ovsdb_monitor_get_initial(m));
    CHECK_STREQ(s, "{'T':{'" U1 "':{'initial':{'name':'a'}}}}");
    free(s);
    CHECK(ovsdb_monitor_get_share_key(m) == NULL);

    /* Out of view, stays out: nothing.  Comes into view: insert.  Goes
     * out: delete.  Stays in: modify. */
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'b']],"
                        " 'row': {'n': 6}}]"), "(null)");
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'b']],"
                        " 'row': {'n': 1}}]"),
                "{'T':{'" U2 "':{'insert':{'n':1,'name':'b'}}}}");
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'a']],"
                        " 'row': {'n': 9}}]"),
                "{'T':{'" U1 "':{'delete':null}}}");
    CHECK_STREQ(changes(&c, db, "[{'op': 'update', 'table': 'T',"
                        " 'where': [['name', '==', 'b']],"
                        " 'row': {'n': 2}}]"),
                "{'T':{'" U2 "':{'modify':{'n':2}}}}");

    /* Changing the condition reports what came and went. */
    json_t *updates;
    json_t *req = J("{'T': [{'where': [['n', '>', 5]]}]}");
    struct ovsdb_error *error = ovsdb_monitor_change_conditions(m, req,
                                                                &updates);
    CHECK(!error);
    json_decref(req);
    s = S(updates);
    CHECK_STREQ(s, "{'T':{'" U1 "':{'insert':{'n':9,'name':'a'}},'" U2
                "':{'delete':null}}}");
    free(s);

    /* Errors change nothing. */
    req = J("{'U': [{'where': []}]}");
    error = ovsdb_monitor_change_conditions(m, req, &updates);
    CHECK(error);
    CHECK_STREQ(ovsdb_error_get_details(error), "table U is not monitored");
    ovsdb_error_destroy(error);
    json_decref(req);
    req = J("{'T': [{'where': [['n', '>', 'x']]}]}");
    error = ovsdb_monitor_change_conditions(m, req, &updates);
    CHECK(error);
    ovsdb_error_destroy(error);
    json_decref(req);
    req = J("{'T': [{'columns': ['n']}]}");
    error = ovsdb_monitor_change_conditions(m, req, &updates);
    CHECK(error);
    CHECK_STREQ(ovsdb_error_get_details(error),
                "changing columns is unsupported");
    ovsdb_error_destroy(error);
    json_decref(req);
    s = S(ovsdb_monitor_get_initial(m));
    CHECK_STREQ(s, "{'T':{'" U1 "':{'initial':{'n':9,'name':'a'}}}}");
    free(s);

    /* A true condition makes it shareable again. */
    req = J("{'T': [{'where': []}]}");
    error = ovsdb_monitor_change_conditions(m, req, &updates);
    CHECK(!error);
    json_decref(req);
    s = S(updates);
    CHECK_STREQ(s, "{'T':{'" U2 "':{'insert':{'n':2,'name':'b'}}}}");
    free(s);
    CHECK(ovsdb_monitor_get_share_key(m) != NULL);

    ovsdb_remove_replica(db, &c.up);
    capture_destroy(&c.up);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

TEST(share_keys)
{
    struct ovsdb *db = create_db();
    struct ovsdb_monitor *a = create_monitor(db, OVSDB_MONITOR_V2,
                                             "{'T': {'columns': ['n']}}");
    struct ovsdb_monitor *b = create_monitor(db, OVSDB_MONITOR_V2,
                                             "{'T': [{'columns': ['n']}]}");
    struct ovsdb_monitor *c = create_monitor(db, OVSDB_MONITOR_V3,
                                             "{'T': {'columns': ['n']}}");
    struct ovsdb_monitor *d = create_monitor(db, OVSDB_MONITOR_V2,
                                             "{'T': {'columns': ['name']}}");

    CHECK_STREQ(ovsdb_monitor_get_share_key(a),
                ovsdb_monitor_get_share_key(b));
    CHECK(strcmp(ovsdb_monitor_get_share_key(a),
                 ovsdb_monitor_get_share_key(c)));
    CHECK(strcmp(ovsdb_monitor_get_share_key(a),
                 ovsdb_monitor_get_share_key(d)));
    CHECK_STREQ(ovsdb_monitor_get_method(c), "update3");
    CHECK_EQ(ovsdb_monitor_n_tables(a), 1);

    ovsdb_monitor_destroy(a);
    ovsdb_monitor_destroy(b);
    ovsdb_monitor_destroy(c);
    ovsdb_monitor_destroy(d);
    ovsdb_destroy(db);
}

TEST(cond_change_v1_refused)
{
    struct ovsdb *db = create_db();
    struct ovsdb_monitor *m = create_monitor(db, OVSDB_MONITOR_V1,
                                             "{'T': {}}");
    json_t *req = J("{'T': [{'where': []}]}");
    json_t *updates;
    struct ovsdb_error *error = ovsdb_monitor_change_conditions(m, req,
                                                                &updates);
    CHECK(error);
    CHECK(!updates);
    ovsdb_error_destroy(error);
    json_decref(req);
    ovsdb_monitor_destroy(m);
    ovsdb_destroy(db);
}

/* Locks. */

TEST(lock_queue_and_steal)
{
    struct ovsdb_lock_server server;
    int a, b, c;                    /* Owners, by address. */
    struct ovsdb_lock_waiter *victim;

    ovsdb_lock_server_init(&server);

    struct ovsdb_lock_waiter *wa = ovsdb_lock_server_lock(
        &server, "L", &a, OVSDB_LOCK_WAIT, &victim);
    CHECK(ovsdb_lock_waiter_is_owner(wa));
    CHECK(!victim);
    struct ovsdb_lock_waiter *wb = ovsdb_lock_server_lock(
        &server, "L", &b, OVSDB_LOCK_WAIT, &victim);
    CHECK(!ovsdb_lock_waiter_is_owner(wb));
    CHECK(!victim);

    /* C steals from A; A stays queued right behind C. */
    struct ovsdb_lock_waiter *wc = ovsdb_lock_server_lock(
        &server, "L", &c, OVSDB_LOCK_STEAL, &victim);
    CHECK(ovsdb_lock_waiter_is_owner(wc));
    CHECK(victim == wa);
    CHECK(victim->owner == &a);
    CHECK(!ovsdb_lock_waiter_is_owner(wa));
    CHECK_EQ(ovsdb_lock_n_waiters(ovsdb_lock_server_find(&server, "L")), 3);

    /* A non-owner leaving hands nothing over. */
    CHECK(ovsdb_lock_waiter_remove(wb) == NULL);
    /* The owner leaving does. */
    struct ovsdb_lock_waiter *next = ovsdb_lock_waiter_remove(wc);
    CHECK(next == wa);
    CHECK(ovsdb_lock_waiter_is_owner(wa));
    CHECK_STREQ(ovsdb_lock_waiter_get_name(wa), "L");

    /* Locks are independent; the last waiter removes the lock. */
    struct ovsdb_lock_waiter *wm = ovsdb_lock_server_lock(
        &server, "M", &b, OVSDB_LOCK_WAIT, NULL);
    CHECK(ovsdb_lock_waiter_is_owner(wm));
    CHECK(ovsdb_lock_waiter_remove(wa) == NULL);
    CHECK(ovsdb_lock_server_find(&server, "L") == NULL);
    CHECK(ovsdb_lock_waiter_remove(wm) == NULL);
    ovsdb_lock_server_destroy(&server);
}
