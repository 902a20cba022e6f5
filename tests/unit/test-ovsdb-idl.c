/* Tests for ovsdb/ovsdb-idl and the code ovsdb/plx-idlc generates, against
 * Debian's real ovsdb-server (started per case on a unix socket in the
 * case's temporary directory, killed by pid at the end; the kernel kills
 * it too if the case dies, through PR_SET_PDEATHSIG), plus malformed
 * updates fed straight to the update-applying code. */
#include <config.h>
#include "ovsdb/ovsdb-idl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "json.h"
#include "jsonrpc.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-schema.h"
#include "poll-loop.h"
#include "smap.h"
#include "stream.h"
#include "test.h"
#include "tests/ovsdb/idltest-idl.h"
#include "timeval.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

#define OVSDB_SERVER "/usr/sbin/ovsdb-server"
#define OVSDB_TOOL "/usr/bin/ovsdb-tool"
#define CONST_CAST(TYPE, POINTER) ((TYPE) (uintptr_t) (POINTER))

/* ---- A real ovsdb-server. ---- */

struct server {
    pid_t pid;
    char *db;
    char *sock;
    char *remote;
    char *dbname;
};

static void
require_server(void)
{
    if (access(OVSDB_SERVER, X_OK) || access(OVSDB_TOOL, X_OK)) {
        test_skip(OVSDB_SERVER " or " OVSDB_TOOL " is missing "
                  "(install openvswitch-switch and openvswitch-common)");
    }
}

static void
run_tool(const char *a, const char *b, const char *c)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        execl(OVSDB_TOOL, "ovsdb-tool", a, b, c, (char *) NULL);
        _exit(127);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_MSG(WIFEXITED(status) && !WEXITSTATUS(status),
              "ovsdb-tool %s %s failed", a, b);
}

static void
server_launch(struct server *s)
{
    const char *dir = test_tmpdir();
    unlink(s->sock);
    s->pid = fork();
    CHECK(s->pid >= 0);
    if (!s->pid) {
        char *remote = xasprintf("--remote=punix:%s", s->sock);
        char *unixctl = xasprintf("--unixctl=%s/%s.ctl", dir, s->dbname);
        char *log = xasprintf("--log-file=%s/%s.log", dir, s->dbname);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("OVS_RUNDIR", dir, 1);
        setenv("OVS_LOGDIR", dir, 1);
        setenv("OVS_DBDIR", dir, 1);
        execl(OVSDB_SERVER, "ovsdb-server", s->db, remote, unixctl, log,
              "--no-chdir", "-vconsole:off", (char *) NULL);
        _exit(127);
    }
    /* Wait for the socket. */
    long long deadline = time_msec() + 10000;
    struct stat st;
    while (stat(s->sock, &st)) {
        CHECK_MSG(time_msec() < deadline, "ovsdb-server did not start");
        int status;
        CHECK_MSG(waitpid(s->pid, &status, WNOHANG) == 0,
                  "ovsdb-server exited");
        plx_msleep(10);
    }
}

/* Starts ovsdb-server on a new database with schema SCHEMA_JSON. */
static void
server_start(struct server *s, const char *schema_json, const char *name)
{
    const char *dir = test_tmpdir();
    char *schema_file = xasprintf("%s/%s.ovsschema", dir, name);
    FILE *f = fopen(schema_file, "w");

    require_server();
    CHECK(f);
    fputs(schema_json, f);
    fclose(f);
    s->dbname = xstrdup(name);
    s->db = xasprintf("%s/%s.db", dir, name);
    s->sock = xasprintf("%s/%s.sock", dir, name);
    s->remote = xasprintf("unix:%s", s->sock);
    run_tool("create", s->db, schema_file);
    free(schema_file);
    server_launch(s);
}

static void
server_kill(struct server *s)
{
    if (s->pid > 0) {
        int status;
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
    }
}

static void
server_destroy(struct server *s)
{
    server_kill(s);
    free(s->db);
    free(s->sock);
    free(s->remote);
    free(s->dbname);
}

/* Runs "transact" with OPS (JSON text, the database name prepended) as a
 * second, raw client and returns the result array, checking that no
 * operation failed. */
static json_t *
raw_transact(const struct server *s, const char *ops)
{
    struct stream *stream;
    int error = stream_open_block(stream_open(s->remote, &stream), 5000,
                                  &stream);
    CHECK_MSG(!error, "connect: %s", plx_strerror(error));
    struct jsonrpc *rpc = jsonrpc_open(stream);

    char *text = xasprintf("[\"%s\", %s]", s->dbname, ops);
    char *perr;
    json_t *params = json_from_string_bounded(text, NULL, &perr);
    CHECK_MSG(params, "%s: %s", text, perr);
    free(text);

    struct jsonrpc_msg *reply;
    error = jsonrpc_transact_block(
        rpc, jsonrpc_create_request("transact", params, NULL), &reply);
    CHECK_MSG(!error, "transact: %s", plx_strerror(error));
    CHECK_EQ(reply->type, JSONRPC_REPLY);
    json_t *result = json_incref(reply->result);
    for (size_t i = 0; i < json_array_size(result); i++) {
        json_t *e = json_object_get(json_array_get(result, i), "error");
        if (e) {
            char *r = json_to_string_canonical(result);
            test_fail(TEST_WHERE, "transaction failed: %s", r);
        }
    }
    jsonrpc_msg_destroy(reply);
    jsonrpc_close(rpc);
    return result;
}

static void
raw_transact_free(const struct server *s, const char *ops)
{
    json_decref(raw_transact(s, ops));
}

/* The UUID of the row inserted by operation I of RESULT. */
static struct uuid
result_uuid(const json_t *result, size_t i)
{
    struct uuid u;
    const json_t *uj = json_object_get(json_array_get(result, i), "uuid");
    CHECK(uuid_from_string(&u, json_string_value(json_array_get(uj, 1))));
    return u;
}

/* ---- Driving an IDL. ---- */

typedef bool idl_cond(struct ovsdb_idl *, void *aux);

static void
run_until(struct ovsdb_idl *idl, idl_cond *cond, void *aux, const char *what)
{
    long long deadline = time_msec() + 15000;
    for (;;) {
        ovsdb_idl_run(idl);
        if (cond(idl, aux)) {
            return;
        }
        CHECK_MSG(time_msec() < deadline, "timed out waiting for %s", what);
        ovsdb_idl_wait(idl);
        poll_timer_wait(100);
        poll_block();
    }
}

static bool
is_connected(struct ovsdb_idl *idl, void *aux PLX_UNUSED)
{
    return ovsdb_idl_is_connected(idl);
}

static bool
seqno_changed(struct ovsdb_idl *idl, void *seqno_)
{
    return ovsdb_idl_get_seqno(idl) != *(unsigned int *) seqno_;
}

static bool
cond_seqno_reached(struct ovsdb_idl *idl, void *seqno_)
{
    return ovsdb_idl_get_condition_seqno(idl) >= *(unsigned int *) seqno_;
}

static size_t
count_simple(const struct ovsdb_idl *idl)
{
    const struct idltest_simple *s;
    size_t n = 0;
    IDLTEST_SIMPLE_FOR_EACH (s, idl) {
        n++;
    }
    return n;
}

struct count_aux {
    size_t n;
};

static bool
simple_count_is(struct ovsdb_idl *idl, void *aux)
{
    return count_simple(idl) == ((struct count_aux *) aux)->n;
}

static void
wait_simple_count(struct ovsdb_idl *idl, size_t n)
{
    struct count_aux aux = { n };
    run_until(idl, simple_count_is, &aux, "row count");
}

static void
maybe_verbose(void)
{
    if (getenv("PLX_TEST_VERBOSE")) {
        vlog_set_verbosity(NULL);
    }
}

static struct ovsdb_idl *
connect_idl(const struct server *s, bool track)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(s->remote, idltest_idl_class(),
                                             true, true);
    maybe_verbose();
    if (track) {
        ovsdb_idl_track_add_all(idl);
    }
    run_until(idl, is_connected, NULL, "connection");
    return idl;
}

static const struct idltest_simple *
simple_with_i(const struct ovsdb_idl *idl, int64_t i)
{
    const struct idltest_simple *s;
    IDLTEST_SIMPLE_FOR_EACH (s, idl) {
        if (s->i == i) {
            return s;
        }
    }
    return NULL;
}

static const char *
smap_get_or(const struct smap *smap, const char *key)
{
    const char *v = smap_get(smap, key);
    return v ? v : "(none)";
}

/* ---- Cases. ---- */

TEST(initial_contents_and_typed_fields)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{"
        "\"i\":42,\"r\":2.5,\"b\":true,\"s\":\"hello\","
        "\"e\":\"two\",\"ia\":[\"set\",[3,1,2]],"
        "\"sa\":[\"set\",[\"x\",\"y\"]],"
        "\"oi\":7,\"os\":\"opt\","
        "\"smap\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"v2\"]]],"
        "\"imap\":[\"map\",[[5,\"five\"]]]}},"
        "{\"op\":\"insert\",\"table\":\"Link2\",\"uuid-name\":\"l2\","
        "\"row\":{\"name\":\"second\"}},"
        "{\"op\":\"insert\",\"table\":\"Link1\",\"uuid-name\":\"l1\","
        "\"row\":{\"name\":\"first\",\"self\":[\"named-uuid\",\"l1\"],"
        "\"l2\":[\"named-uuid\",\"l2\"],"
        "\"l2map\":[\"map\",[[9,[\"named-uuid\",\"l2\"]]]]}}");

    struct ovsdb_idl *idl = connect_idl(&srv, false);
    CHECK(ovsdb_idl_has_ever_connected(idl));
    CHECK_EQ(count_simple(idl), 1);

    const struct idltest_simple *s = idltest_simple_first(idl);
    CHECK_EQ(s->i, 42);
    CHECK(s->r == 2.5);
    CHECK(s->b);
    CHECK_STREQ(s->s, "hello");
    CHECK_STREQ(s->e, "two");
    CHECK_EQ(s->n_ia, 3);
    CHECK_EQ(s->ia[0], 1);
    CHECK_EQ(s->ia[2], 3);
    CHECK_EQ(s->n_sa, 2);
    CHECK_STREQ(s->sa[1], "y");
    CHECK_EQ(s->n_oi, 1);
    CHECK_EQ(s->oi[0], 7);
    CHECK_STREQ(s->os, "opt");
    CHECK_EQ(smap_count(&s->smap), 2);
    CHECK_STREQ(smap_get_or(&s->smap, "k2"), "v2");
    CHECK_EQ(s->n_imap, 1);
    CHECK_EQ(s->key_imap[0], 5);
    CHECK_STREQ(s->value_imap[0], "five");
    CHECK_EQ(s->counter, 0);
    CHECK_EQ(s->n_ba, 0);

    const struct idltest_link1 *l1 = idltest_link1_first(idl);
    CHECK(l1);
    CHECK_STREQ(l1->name, "first");
    CHECK(l1->self == l1);
    CHECK_EQ(l1->n_l2, 1);
    CHECK_STREQ(l1->l2[0]->name, "second");
    CHECK_EQ(l1->n_l2map, 1);
    CHECK_EQ(l1->key_l2map[0], 9);
    CHECK(l1->value_l2map[0] == l1->l2[0]);
    CHECK(idltest_link1_get_for_uuid(idl, &l1->header_.uuid) == l1);

    /* The generic view agrees with the typed one. */
    const struct ovsdb_datum *d = ovsdb_idl_read(&s->header_,
                                                 &idltest_simple_col_s);
    CHECK_EQ(d->n, 1);
    CHECK_STREQ(d->keys[0].string, "hello");

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

TEST(tracks_changes_by_another_client)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    struct ovsdb_idl *idl = connect_idl(&srv, true);
    unsigned int seqno = ovsdb_idl_get_seqno(idl);

    json_t *r = raw_transact(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1,"
        "\"s\":\"a\",\"sa\":[\"set\",[\"p\",\"q\"]],"
        "\"smap\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"v2\"]]]}}");
    struct uuid u = result_uuid(r, 0);
    json_decref(r);
    run_until(idl, seqno_changed, &seqno, "insert");

    const struct idltest_simple *s = idltest_simple_track_get_first(idl);
    CHECK(s);
    CHECK(uuid_equals(&s->header_.uuid, &u));
    CHECK(idltest_simple_is_new(s));
    CHECK(!idltest_simple_is_deleted(s));
    CHECK(!idltest_simple_track_get_next(s));
    ovsdb_idl_track_clear(idl);
    CHECK(!idltest_simple_track_get_first(idl));

    /* Modify two columns; update2 sends diffs for the set and the map. */
    seqno = ovsdb_idl_get_seqno(idl);
    char *ops = xasprintf(
        "{\"op\":\"update\",\"table\":\"Simple\",\"where\":[[\"_uuid\","
        "\"==\",[\"uuid\",\""UUID_FMT"\"]]],\"row\":{\"i\":2,"
        "\"sa\":[\"set\",[\"q\",\"r\"]],"
        "\"smap\":[\"map\",[[\"k2\",\"x\"],[\"k3\",\"v3\"]]]}}",
        UUID_ARGS(&u));
    raw_transact_free(&srv, ops);
    free(ops);
    run_until(idl, seqno_changed, &seqno, "modify");
    s = idltest_simple_track_get_first(idl);
    CHECK(s && !idltest_simple_is_new(s) && !idltest_simple_is_deleted(s));
    CHECK(idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_I));
    CHECK(idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_SA));
    CHECK(idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_SMAP));
    CHECK(!idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_S));
    CHECK_EQ(s->i, 2);
    CHECK_EQ(s->n_sa, 2);
    CHECK_STREQ(s->sa[0], "q");
    CHECK_STREQ(s->sa[1], "r");
    CHECK_EQ(smap_count(&s->smap), 2);
    CHECK_STREQ(smap_get_or(&s->smap, "k2"), "x");
    CHECK_STREQ(smap_get_or(&s->smap, "k3"), "v3");
    CHECK(ovsdb_idl_row_get_seqno(&s->header_, OVSDB_IDL_CHANGE_MODIFY)
          == ovsdb_idl_get_seqno(idl));
    ovsdb_idl_track_clear(idl);

    /* Delete: the row stays readable until the next clear. */
    seqno = ovsdb_idl_get_seqno(idl);
    ops = xasprintf("{\"op\":\"delete\",\"table\":\"Simple\",\"where\":"
                    "[[\"_uuid\",\"==\",[\"uuid\",\""UUID_FMT"\"]]]}",
                    UUID_ARGS(&u));
    raw_transact_free(&srv, ops);
    free(ops);
    run_until(idl, seqno_changed, &seqno, "delete");
    s = idltest_simple_track_get_first(idl);
    CHECK(s && idltest_simple_is_deleted(s));
    CHECK_STREQ(s->s, "a");
    CHECK_EQ(count_simple(idl), 0);
    CHECK(!idltest_simple_get_for_uuid(idl, &u));
    ovsdb_idl_track_clear(idl);
    CHECK(!idltest_simple_track_get_first(idl));

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

TEST(conditions_filter_and_change)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1}},"
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":2}},"
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":3}}");

    struct ovsdb_idl *idl = ovsdb_idl_create(srv.remote, idltest_idl_class(),
                                             true, true);
    ovsdb_idl_track_add_all(idl);

    struct ovsdb_idl_condition cond;
    union ovsdb_atom atom = { .integer = 1 };
    struct ovsdb_datum arg = { .n = 1, .keys = &atom };
    ovsdb_idl_condition_init(&cond);
    ovsdb_idl_condition_add_clause(&cond, OVSDB_IDL_F_EQ,
                                   &idltest_simple_col_i, &arg);
    unsigned int want = ovsdb_idl_set_condition(idl, &idltest_table_simple,
                                                &cond);
    ovsdb_idl_condition_destroy(&cond);
    run_until(idl, cond_seqno_reached, &want, "first condition");
    CHECK_EQ(count_simple(idl), 1);
    CHECK(simple_with_i(idl, 1));
    ovsdb_idl_track_clear(idl);

    /* i >= 2: row 1 goes, rows 2 and 3 come. */
    atom.integer = 2;
    ovsdb_idl_condition_init(&cond);
    ovsdb_idl_condition_add_clause(&cond, OVSDB_IDL_F_GE,
                                   &idltest_simple_col_i, &arg);
    want = ovsdb_idl_set_condition(idl, &idltest_table_simple, &cond);
    ovsdb_idl_condition_destroy(&cond);
    run_until(idl, cond_seqno_reached, &want, "second condition");
    CHECK_EQ(count_simple(idl), 2);
    CHECK(!simple_with_i(idl, 1));
    CHECK(simple_with_i(idl, 2) && simple_with_i(idl, 3));
    size_t n_new = 0, n_deleted = 0;
    const struct idltest_simple *s;
    IDLTEST_SIMPLE_FOR_EACH_TRACKED (s, idl) {
        n_new += idltest_simple_is_new(s);
        n_deleted += idltest_simple_is_deleted(s);
    }
    CHECK_EQ(n_new, 2);
    CHECK_EQ(n_deleted, 1);

    /* New rows obey the condition too. */
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":0}},"
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":9}}");
    wait_simple_count(idl, 3);
    CHECK(!simple_with_i(idl, 0));

    /* An empty condition matches nothing; "true" everything. */
    ovsdb_idl_condition_init(&cond);
    want = ovsdb_idl_set_condition(idl, &idltest_table_simple, &cond);
    run_until(idl, cond_seqno_reached, &want, "empty condition");
    CHECK_EQ(count_simple(idl), 0);
    ovsdb_idl_condition_add_clause_true(&cond);
    want = ovsdb_idl_set_condition(idl, &idltest_table_simple, &cond);
    ovsdb_idl_condition_destroy(&cond);
    run_until(idl, cond_seqno_reached, &want, "true condition");
    CHECK_EQ(count_simple(idl), 5);

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

TEST(verify_conflict_then_retry)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1,"
        "\"s\":\"orig\"}}");
    struct ovsdb_idl *idl = connect_idl(&srv, false);
    const struct idltest_simple *s = idltest_simple_first(idl);
    CHECK(s);

    /* Read s, and meanwhile someone else changes it. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    idltest_simple_verify_s(s);
    idltest_simple_set_i(s, 100);
    CHECK_EQ(s->i, 100);        /* The transaction's view. */
    raw_transact_free(&srv,
        "{\"op\":\"update\",\"table\":\"Simple\",\"where\":[],"
        "\"row\":{\"s\":\"changed\"}}");
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_TRY_AGAIN);
    ovsdb_idl_txn_destroy(txn);
    CHECK_EQ(s->i, 1);          /* The view is gone. */

    /* Once the replica catches up, the retry succeeds. */
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    if (strcmp(s->s, "changed")) {
        run_until(idl, seqno_changed, &seqno, "update");
    }
    s = idltest_simple_first(idl);
    CHECK_STREQ(s->s, "changed");
    txn = ovsdb_idl_txn_create(idl);
    idltest_simple_verify_s(s);
    idltest_simple_set_i(s, 100);
    ovsdb_idl_txn_add_comment(txn, "retry of %s", "verify");
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    CHECK(!ovsdb_idl_txn_get_error(txn));
    ovsdb_idl_txn_destroy(txn);

    json_t *r = raw_transact(&srv,
        "{\"op\":\"select\",\"table\":\"Simple\",\"where\":[],"
        "\"columns\":[\"i\"]}");
    CHECK_EQ(json_integer_value(json_object_get(json_array_get(
        json_object_get(json_array_get(r, 0), "rows"), 0), "i")), 100);
    json_decref(r);

    /* A server-side error is reported as text. */
    txn = ovsdb_idl_txn_create(idl);
    s = idltest_simple_first(idl);
    const struct idltest_simple *s2 = idltest_simple_insert(txn);
    idltest_simple_set_counter(s2, 5);
    struct ovsdb_datum bad;
    ovsdb_datum_init_empty(&bad);   /* "counter" needs exactly one. */
    ovsdb_idl_txn_write(&s->header_, &idltest_simple_col_counter, &bad);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_ERROR);
    CHECK(ovsdb_idl_txn_get_error(txn));
    ovsdb_idl_txn_destroy(txn);

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

TEST(increment_and_dry_run)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1}}");
    struct ovsdb_idl *idl = connect_idl(&srv, false);

    for (int64_t expect = 1; expect <= 3; expect++) {
        const struct idltest_simple *s = idltest_simple_first(idl);
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        ovsdb_idl_txn_increment(txn, &s->header_, &idltest_simple_col_counter,
                                true);
        CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
        CHECK_EQ(ovsdb_idl_txn_get_increment_new_value(txn), expect);
        ovsdb_idl_txn_destroy(txn);
    }
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    if (idltest_simple_first(idl)->counter != 3) {
        run_until(idl, seqno_changed, &seqno, "counter");
    }
    CHECK_EQ(idltest_simple_first(idl)->counter, 3);

    /* Without force and without other changes nothing is sent. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    ovsdb_idl_txn_increment(txn, &idltest_simple_first(idl)->header_,
                            &idltest_simple_col_counter, false);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_UNCHANGED);
    ovsdb_idl_txn_destroy(txn);

    /* A dry run succeeds and changes nothing. */
    txn = ovsdb_idl_txn_create(idl);
    ovsdb_idl_txn_set_dry_run(txn);
    idltest_simple_set_i(idltest_simple_first(idl), 77);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    json_t *r = raw_transact(&srv,
        "{\"op\":\"select\",\"table\":\"Simple\",\"where\":[],"
        "\"columns\":[\"i\",\"counter\"]}");
    const json_t *row = json_array_get(json_object_get(json_array_get(r, 0),
                                                       "rows"), 0);
    CHECK_EQ(json_integer_value(json_object_get(row, "i")), 1);
    CHECK_EQ(json_integer_value(json_object_get(row, "counter")), 3);
    json_decref(r);

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

struct link_aux {
    struct uuid l1;
};

static bool
link1_resolved(struct ovsdb_idl *idl, void *aux_)
{
    struct link_aux *aux = aux_;
    const struct idltest_link1 *l1 = idltest_link1_get_for_uuid(idl,
                                                                &aux->l1);
    return l1 && l1->n_l2 == 1;
}

TEST(insert_returns_real_uuid)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    struct ovsdb_idl *idl = connect_idl(&srv, false);

    /* Link2 is not a root table: it survives only because the Link1
     * inserted in the same transaction refers to it. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    const struct idltest_link1 *l1 = idltest_link1_insert(txn);
    const struct idltest_link2 *l2 = idltest_link2_insert(txn);
    struct idltest_link2 *l2s[1] = { CONST_CAST(struct idltest_link2 *, l2) };
    idltest_link1_set_name(l1, "one");
    idltest_link2_set_name(l2, "two");
    idltest_link1_set_l2(l1, l2s, 1);
    idltest_link1_set_self(l1, l1);
    idltest_link2_set_back(l2, l1);
    CHECK_EQ(l1->n_l2, 1);
    CHECK(l1->l2[0] == l2);
    CHECK_EQ(idltest_link1_first(idl) != NULL, 1);
    struct uuid dummy1 = l1->header_.uuid, dummy2 = l2->header_.uuid;
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    const struct uuid *real1 = ovsdb_idl_txn_get_insert_uuid(txn, &dummy1);
    const struct uuid *real2 = ovsdb_idl_txn_get_insert_uuid(txn, &dummy2);
    CHECK(real1 && real2);
    struct link_aux aux = { *real1 };
    ovsdb_idl_txn_destroy(txn);

    run_until(idl, link1_resolved, &aux, "inserted rows");
    l1 = idltest_link1_get_for_uuid(idl, &aux.l1);
    CHECK_STREQ(l1->name, "one");
    CHECK(l1->self == l1);
    CHECK_STREQ(l1->l2[0]->name, "two");
    CHECK(l1->l2[0]->back == l1);

    char *ops = xasprintf("{\"op\":\"select\",\"table\":\"Link1\",\"where\":"
                          "[[\"_uuid\",\"==\",[\"uuid\",\""UUID_FMT"\"]]]}",
                          UUID_ARGS(&aux.l1));
    json_t *r = raw_transact(&srv, ops);
    free(ops);
    CHECK_EQ(json_array_size(json_object_get(json_array_get(r, 0), "rows")),
             1);
    json_decref(r);

    /* Deleting the Link1 lets the server collect the Link2; the typed
     * pointers follow. */
    txn = ovsdb_idl_txn_create(idl);
    idltest_link1_delete(l1);
    CHECK(!idltest_link1_first(idl));
    CHECK(idltest_link2_first(idl)->back == NULL);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

TEST(reconnect_resyncs)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    json_t *r = raw_transact(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1}},"
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":2}}");
    struct uuid u1 = result_uuid(r, 0), u2 = result_uuid(r, 1);
    json_decref(r);
    struct ovsdb_idl *idl = connect_idl(&srv, true);
    CHECK_EQ(count_simple(idl), 2);
    ovsdb_idl_track_clear(idl);

    /* While the server is down its database changes. */
    vlog_set_levels(vlog_module_from_name("reconnect"), VLF_CONSOLE,
                    VLL_OFF);
    server_kill(&srv);
    char *txn = xasprintf(
        "[\"idltest\","
        "{\"op\":\"delete\",\"table\":\"Simple\",\"where\":[[\"_uuid\",\"==\","
        "[\"uuid\",\""UUID_FMT"\"]]]},"
        "{\"op\":\"update\",\"table\":\"Simple\",\"where\":[[\"_uuid\",\"==\","
        "[\"uuid\",\""UUID_FMT"\"]]],\"row\":{\"s\":\"updated\"}},"
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":3}}]",
        UUID_ARGS(&u1), UUID_ARGS(&u2));
    run_tool("transact", srv.db, txn);
    free(txn);
    server_launch(&srv);

    /* Wait for a reconnect and the new snapshot. */
    struct count_aux aux = { 2 };
    long long deadline = time_msec() + 20000;
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_is_connected(idl) && simple_count_is(idl, &aux)
            && simple_with_i(idl, 3)) {
            break;
        }
        CHECK_MSG(time_msec() < deadline, "no resync");
        ovsdb_idl_wait(idl);
        poll_timer_wait(100);
        poll_block();
    }
    const struct idltest_simple *s;
    bool saw_delete = false, saw_insert = false, saw_modify = false;
    IDLTEST_SIMPLE_FOR_EACH_TRACKED (s, idl) {
        if (idltest_simple_is_deleted(s)) {
            CHECK(uuid_equals(&s->header_.uuid, &u1));
            saw_delete = true;
        } else if (idltest_simple_is_new(s)) {
            CHECK_EQ(s->i, 3);
            saw_insert = true;
        } else {
            CHECK(uuid_equals(&s->header_.uuid, &u2));
            CHECK(idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_S));
            CHECK(!idltest_simple_is_updated(s, IDLTEST_SIMPLE_COL_I));
            CHECK_STREQ(s->s, "updated");
            saw_modify = true;
        }
    }
    CHECK(saw_delete && saw_insert && saw_modify);

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

static bool
has_lock(struct ovsdb_idl *idl, void *aux PLX_UNUSED)
{
    return ovsdb_idl_has_lock(idl);
}

static bool
lock_contended(struct ovsdb_idl *idl, void *aux PLX_UNUSED)
{
    return ovsdb_idl_is_lock_contended(idl);
}

TEST(lock_contention)
{
    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":1}}");
    struct ovsdb_idl *a = connect_idl(&srv, false);
    struct ovsdb_idl *b = connect_idl(&srv, false);

    ovsdb_idl_set_lock(a, "plx_lock");
    run_until(a, has_lock, NULL, "lock for a");
    ovsdb_idl_set_lock(b, "plx_lock");
    run_until(b, lock_contended, NULL, "contention for b");
    CHECK(!ovsdb_idl_has_lock(b));

    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(b);
    idltest_simple_set_i(idltest_simple_first(b), 2);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_NOT_LOCKED);
    ovsdb_idl_txn_destroy(txn);

    txn = ovsdb_idl_txn_create(a);
    idltest_simple_set_i(idltest_simple_first(a), 3);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    /* When a lets go, b gets the lock. */
    ovsdb_idl_set_lock(a, NULL);
    ovsdb_idl_run(a);
    run_until(b, has_lock, NULL, "lock for b");
    CHECK(!ovsdb_idl_is_lock_contended(b));
    CHECK(!ovsdb_idl_has_lock(a));

    ovsdb_idl_destroy(a);
    ovsdb_idl_destroy(b);
    server_destroy(&srv);
}

TEST(partial_server_schema)
{
    /* The server's schema lacks Simple.counter and the Link tables. */
    char *err;
    json_t *schema = json_from_string_bounded(idltest_schema_json(), NULL,
                                              &err);
    CHECK(schema);
    json_t *tables = json_object_get(schema, "tables");
    json_object_del(tables, "Link1");
    json_object_del(tables, "Link2");
    json_object_del(json_object_get(json_object_get(tables, "Simple"),
                                    "columns"), "counter");
    char *text = json_to_string_canonical(schema);
    json_decref(schema);

    struct server srv;
    server_start(&srv, text, "idltest");
    free(text);
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":5}}");
    vlog_set_levels(vlog_module_from_name("ovsdb_idl"), VLF_CONSOLE,
                    VLL_OFF);
    vlog_set_levels(vlog_module_from_name("ovsdb_idl_txn"), VLF_CONSOLE,
                    VLL_OFF);
    struct ovsdb_idl *idl = connect_idl(&srv, false);
    CHECK(!ovsdb_idl_server_has_column(idl, &idltest_simple_col_counter));
    CHECK(ovsdb_idl_server_has_column(idl, &idltest_simple_col_i));
    CHECK(!ovsdb_idl_server_has_table(idl, &idltest_table_link1));
    const struct idltest_simple *s = idltest_simple_first(idl);
    CHECK(s);
    CHECK_EQ(s->i, 5);
    CHECK_EQ(s->counter, 0);
    CHECK(!idltest_link1_first(idl));

    /* Writes to the missing column are dropped; the rest commits. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    idltest_simple_set_counter(s, 9);
    idltest_simple_set_i(s, 6);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

/* Malformed updates, straight to the update-applying code. */

static json_t *
parse_json(const char *s)
{
    char *err;
    json_t *j = json_from_string_bounded(s, NULL, &err);
    CHECK_MSG(j, "%s: %s", s, err);
    return j;
}

static char *
apply(struct ovsdb_idl *idl, const char *text, bool update2)
{
    json_t *j = parse_json(text);
    char *error = ovsdb_idl_apply_updates_json(idl, j, update2);
    json_decref(j);
    return error;
}

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"

TEST(malformed_updates_are_ignored)
{
    static const struct {
        const char *json;
        const char *error;
    } cases[] = {
        { "[]", "not object" },
        { "{\"Nope\":{}}", "unmonitored table Nope" },
        { "{\"Simple\":[]}", "not object" },
        { "{\"Simple\":{\"not-a-uuid\":{\"insert\":{}}}}", "bad row UUID" },
        { "{\"Simple\":{\""U2"\":[]}}", "not object" },
        { "{\"Simple\":{\""U2"\":{}}}", "exactly one member" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{},\"delete\":null}}}",
          "exactly one member" },
        { "{\"Simple\":{\""U2"\":{\"frobnicate\":{}}}}", "unknown" },
        { "{\"Simple\":{\""U2"\":{\"insert\":[]}}}", "not object" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{\"i\":\"str\"}}}}",
          "column i" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{\"e\":\"four\"}}}}",
          "column e" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{\"ba\":[\"set\","
          "[true,false,true]]}}}}", "column ba" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{\"counter\":-1}}}}",
          "column counter" },
        { "{\"Simple\":{\""U2"\":{\"insert\":{\"s\":[\"uuid\",1]}}}}",
          "column s" },
        { "{\"Simple\":{\""U2"\":{\"modify\":{\"i\":1}}}}",
          "modify of missing row" },
        { "{\"Simple\":{\""U2"\":{\"delete\":null}}}",
          "delete of missing row" },
        { "{\"Simple\":{\""U1"\":{\"delete\":{}}}}", "must be null" },
        /* sa holds at most four: a diff adding three to two is too
         * many. */
        { "{\"Simple\":{\""U1"\":{\"modify\":{\"sa\":[\"set\","
          "[\"x\",\"y\",\"z\"]]}}}}", "column sa" },
        { "{\"Simple\":{\""U1"\":{\"modify\":{\"smap\":[\"map\","
          "[[\"a\",\"b\"],[\"a\",\"c\"]]]}}}}", "column smap" },
    };

    vlog_set_levels(vlog_module_from_name("ovsdb_idl"), VLF_CONSOLE,
                    VLL_OFF);
    struct ovsdb_idl *idl = ovsdb_idl_create("unix:/nonexistent/sock",
                                             idltest_idl_class(), true, true);
    ovsdb_idl_track_add_all(idl);
    CHECK_NO_ERROR(apply(idl,
        "{\"Simple\":{\""U1"\":{\"insert\":{\"i\":1,\"ba\":true,"
        "\"sa\":[\"set\",[\"a\",\"b\"]],"
        "\"smap\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"v2\"]]]}}}}", true));

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *error = apply(idl, cases[i].json, true);
        CHECK_MSG(error, "%s: accepted", cases[i].json);
        CHECK_MSG(strstr(error, cases[i].error), "%s: \"%s\" lacks \"%s\"",
                  cases[i].json, error, cases[i].error);
        free(error);
        /* Nothing changed. */
        CHECK_EQ(count_simple(idl), 1);
        const struct idltest_simple *s = idltest_simple_first(idl);
        CHECK_EQ(s->i, 1);
        CHECK_EQ(s->n_ba, 1);
        CHECK_EQ(smap_count(&s->smap), 2);
    }

    /* A bad row does not stop the good ones in the same update. */
    char *error = apply(idl,
        "{\"Simple\":{\""U2"\":{\"insert\":{\"i\":\"bad\"}},"
        "\""U1"\":{\"modify\":{\"i\":5,\"sa\":[\"set\",[\"b\",\"c\"]],"
        "\"smap\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"x\"],"
        "[\"k3\",\"v3\"]]]}}}}", true);
    CHECK(error);
    free(error);
    const struct idltest_simple *s = idltest_simple_first(idl);
    CHECK_EQ(count_simple(idl), 1);
    CHECK_EQ(s->i, 5);
    /* Diff semantics: {a,b} ^ {b,c} = {a,c}; k1 dropped, k2 changed, k3
     * added. */
    CHECK_EQ(s->n_sa, 2);
    CHECK_STREQ(s->sa[0], "a");
    CHECK_STREQ(s->sa[1], "c");
    CHECK_EQ(smap_count(&s->smap), 2);
    CHECK_STREQ(smap_get_or(&s->smap, "k2"), "x");
    CHECK_STREQ(smap_get_or(&s->smap, "k3"), "v3");

    /* RFC 7047 "update" form. */
    CHECK_NO_ERROR(apply(idl, "{\"Simple\":{\""U2"\":{\"new\":{\"i\":2}}}}",
                         false));
    CHECK_EQ(count_simple(idl), 2);
    CHECK_NO_ERROR(apply(idl, "{\"Simple\":{\""U2"\":{\"old\":{\"i\":2},"
                         "\"new\":{\"i\":3,\"s\":\"three\"}}}}", false));
    CHECK_STREQ(simple_with_i(idl, 3)->s, "three");
    error = apply(idl, "{\"Simple\":{\""U2"\":{\"neu\":{}}}}", false);
    CHECK(error && strstr(error, "\"old\" and/or \"new\""));
    free(error);
    CHECK_NO_ERROR(apply(idl, "{\"Simple\":{\""U2"\":{\"old\":{}}}}",
                         false));
    CHECK_EQ(count_simple(idl), 1);

    /* Weak reference to a row that comes later is resolved when it
     * does; the referring row is re-parsed when the target goes. */
    CHECK_NO_ERROR(apply(idl,
        "{\"Link2\":{\""U2"\":{\"insert\":{\"name\":\"x\",\"back\":"
        "[\"uuid\",\""U1"\"]}}}}", true));
    const struct idltest_link2 *l2 = idltest_link2_first(idl);
    CHECK(l2 && !l2->back);
    CHECK_NO_ERROR(apply(idl,
        "{\"Link1\":{\""U1"\":{\"insert\":{\"name\":\"y\"}}}}", true));
    CHECK(l2->back && !strcmp(l2->back->name, "y"));
    CHECK_NO_ERROR(apply(idl, "{\"Link1\":{\""U1"\":{\"delete\":null}}}",
                         true));
    CHECK(!l2->back);
    ovsdb_idl_track_clear(idl);
    CHECK(!l2->back);

    ovsdb_idl_destroy(idl);
}

/* The generated IDL for the Plexus schema, against ovsdb-server. */
static bool
have_bridge(struct ovsdb_idl *idl, void *aux PLX_UNUSED)
{
    const struct vswitchrec_bridge *br = vswitchrec_bridge_first(idl);
    return (br && br->n_ports == 1 && br->ports[0]->n_interfaces == 1
            && vswitchrec_open_vswitch_first(idl)
            && vswitchrec_open_vswitch_first(idl)->n_bridges == 1);
}

TEST(vswitch_typed_api)
{
    const struct ovsdb_idl_class *class = vswitchrec_idl_class();
    CHECK_STREQ(class->database, "Open_vSwitch");
    CHECK(ovsdb_idl_class_get_table(class, "Bridge"));
    CHECK(ovsdb_idl_class_get_table(class, "Interface"));

    struct server srv;
    server_start(&srv, vswitchrec_schema_json(), "Open_vSwitch");
    struct ovsdb_idl *idl = ovsdb_idl_create(srv.remote, class, true, true);
    run_until(idl, is_connected, NULL, "connection");

    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    const struct vswitchrec_open_vswitch *ovs
        = vswitchrec_open_vswitch_insert(txn);
    const struct vswitchrec_bridge *br = vswitchrec_bridge_insert(txn);
    const struct vswitchrec_port *port = vswitchrec_port_insert(txn);
    const struct vswitchrec_interface *iface
        = vswitchrec_interface_insert(txn);
    vswitchrec_interface_set_name(iface, "eth0");
    vswitchrec_interface_set_type(iface, "internal");
    struct smap options = SMAP_INITIALIZER(&options);
    smap_add(&options, "remote_ip", "192.0.2.1");
    vswitchrec_interface_set_options(iface, &options);
    smap_destroy(&options);
    struct vswitchrec_interface *ifaces[] = {
        CONST_CAST(struct vswitchrec_interface *, iface)
    };
    vswitchrec_port_set_name(port, "eth0");
    vswitchrec_port_set_interfaces(port, ifaces, 1);
    struct vswitchrec_port *ports[] = {
        CONST_CAST(struct vswitchrec_port *, port)
    };
    vswitchrec_bridge_set_name(br, "br0");
    vswitchrec_bridge_set_ports(br, ports, 1);
    struct vswitchrec_bridge *bridges[] = {
        CONST_CAST(struct vswitchrec_bridge *, br)
    };
    vswitchrec_open_vswitch_set_bridges(ovs, bridges, 1);
    CHECK_EQ(ovs->n_bridges, 1);
    CHECK(ovs->bridges[0]->ports[0]->interfaces[0] == iface);
    CHECK_EQ(ovsdb_idl_txn_commit_block(txn), TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    run_until(idl, have_bridge, NULL, "bridge");
    br = vswitchrec_bridge_first(idl);
    CHECK_STREQ(br->name, "br0");
    iface = br->ports[0]->interfaces[0];
    CHECK_STREQ(iface->name, "eth0");
    CHECK_STREQ(iface->type, "internal");
    CHECK_STREQ(smap_get_or(&iface->options, "remote_ip"), "192.0.2.1");

    ovsdb_idl_destroy(idl);
    server_destroy(&srv);
}

/* A class built at run time from a schema works without typed code. */
TEST(generic_class_from_schema)
{
    char *err;
    json_t *j = json_from_string_bounded(idltest_schema_json(), NULL, &err);
    struct ovsdb_schema *schema;
    struct ovsdb_error *oe = ovsdb_schema_from_json(j, &schema);
    CHECK(!oe);
    json_decref(j);
    struct ovsdb_idl_class *class = ovsdb_idl_class_create(schema);
    ovsdb_schema_destroy(schema);

    struct server srv;
    server_start(&srv, idltest_schema_json(), "idltest");
    raw_transact_free(&srv,
        "{\"op\":\"insert\",\"table\":\"Simple\",\"row\":{\"i\":11}}");
    struct ovsdb_idl *idl = ovsdb_idl_create(srv.remote, class, true, true);
    run_until(idl, is_connected, NULL, "connection");
    const struct ovsdb_idl_table_class *tc
        = ovsdb_idl_class_get_table(class, "Simple");
    const struct ovsdb_idl_column *col
        = ovsdb_idl_table_class_get_column(tc, "i");
    const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, tc);
    CHECK(row);
    CHECK_EQ(ovsdb_idl_read(row, col)->keys[0].integer, 11);

    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    union ovsdb_atom atom = { .integer = 12 };
    struct ovsdb_datum d = { .n = 1, .keys = &atom };
    ovsdb_idl_txn_write_clone(row, col, &d);
    CHECK_EQ(ovsdb_idl_read(row, col)->keys[0].integer, 12);
    ovsdb_idl_txn_abort(txn);
    CHECK_EQ(ovsdb_idl_txn_commit(txn), TXN_ABORTED);
    CHECK_EQ(ovsdb_idl_read(row, col)->keys[0].integer, 11);
    ovsdb_idl_txn_destroy(txn);

    ovsdb_idl_destroy(idl);
    ovsdb_idl_class_destroy(class);
    server_destroy(&srv);
}
