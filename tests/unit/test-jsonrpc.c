/* Tests for lib/jsonrpc: message validation (each malformed class and
 * its error), encoding, the framing parser (every split point, garbage,
 * truncation, limits, linear time), connections over unix streams
 * (send/recv, backlog, blocking transactions) and sessions (echo,
 * reconnecting after the server restarts). */
#include <config.h>
#include "jsonrpc.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "poll-loop.h"
#include "stream.h"
#include "test.h"
#include "timeval.h"
#include "vlog.h"

static json_t *
parse(const char *s)
{
    char *error;
    json_t *json = json_from_string_bounded(s, NULL, &error);
    CHECK_MSG(json, "%s: %s", s, error);
    return json;
}

/* ---- Messages. ---- */

struct msg_case {
    const char *json;
    const char *error;          /* Substring of the error, or NULL. */
    enum jsonrpc_msg_type type; /* If valid. */
    const char *encoded;        /* Canonical re-encoding, if valid. */
};

#define GOOD(JSON, TYPE, ENCODED) \
    { .json = JSON, .type = TYPE, .encoded = ENCODED }
#define BAD(JSON, ERROR) { .json = JSON, .error = ERROR }

static const struct msg_case msg_cases[] = {
    /* Valid, one per type, with null-vs-absent variations. */
    GOOD("{\"method\":\"echo\",\"params\":[],\"id\":1}",
         JSONRPC_REQUEST, "{\"id\":1,\"method\":\"echo\",\"params\":[]}"),
    GOOD("{\"method\":\"transact\",\"params\":[\"db\",{}],\"id\":\"x\"}",
         JSONRPC_REQUEST,
         "{\"id\":\"x\",\"method\":\"transact\",\"params\":[\"db\",{}]}"),
    GOOD("{\"method\":\"update\",\"params\":[null,{}],\"id\":null}",
         JSONRPC_NOTIFY,
         "{\"id\":null,\"method\":\"update\",\"params\":[null,{}]}"),
    GOOD("{\"method\":\"update\",\"params\":[]}",
         JSONRPC_NOTIFY, "{\"id\":null,\"method\":\"update\",\"params\":[]}"),
    GOOD("{\"result\":{\"a\":1},\"error\":null,\"id\":7}",
         JSONRPC_REPLY, "{\"error\":null,\"id\":7,\"result\":{\"a\":1}}"),
    GOOD("{\"result\":[],\"id\":[1,2]}",
         JSONRPC_REPLY, "{\"error\":null,\"id\":[1,2],\"result\":[]}"),
    GOOD("{\"result\":null,\"error\":\"oops\",\"id\":7}",
         JSONRPC_ERROR, "{\"error\":\"oops\",\"id\":7,\"result\":null}"),
    GOOD("{\"error\":{\"details\":\"d\"},\"id\":0}",
         JSONRPC_ERROR,
         "{\"error\":{\"details\":\"d\"},\"id\":0,\"result\":null}"),

    /* Not an object. */
    BAD("[]",
        "message is not a JSON object (it is array)"),
    BAD("\"str\"",
        "message is not a JSON object (it is string)"),
    /* Unknown member. */
    BAD("{\"method\":\"m\",\"params\":[],\"id\":1,\"extra\":2}",
        "message has unexpected member \"extra\""),
    /* Member types. */
    BAD("{\"method\":1,\"params\":[],\"id\":1}",
        "\"method\" must be a JSON string, not integer"),
    BAD("{\"method\":\"m\",\"params\":{},\"id\":1}",
        "\"params\" must be a JSON array, not object"),
    BAD("{\"method\":\"m\",\"params\":\"p\"}",
        "\"params\" must be a JSON array, not string"),
    /* Requests. */
    BAD("{\"method\":\"m\",\"id\":1}",
        "request must have \"params\""),
    BAD("{\"method\":\"m\",\"params\":null,\"id\":1}",
        "request must have \"params\""),
    BAD("{\"params\":[],\"id\":1}",
        "request must have \"method\""),
    /* Notifications. */
    BAD("{\"params\":[]}",
        "notification must have \"method\""),
    BAD("{}",
        "notification must have \"method\""),
    BAD("{\"method\":\"m\"}",
        "notification must have \"params\""),
    /* Replies. */
    BAD("{\"result\":1,\"error\":\"e\",\"id\":1}",
        "reply must not have non-null \"error\""),
    BAD("{\"result\":1,\"error\":null}",
        "reply must have \"id\""),
    BAD("{\"result\":1,\"id\":null}",
        "reply must have \"id\""),
    BAD("{\"method\":\"m\",\"params\":[],\"result\":1,\"id\":1}",
        "reply must not have \"method\""),
    BAD("{\"params\":[],\"result\":1,\"id\":1}",
        "reply must not have \"params\""),
    /* Error replies. */
    BAD("{\"error\":\"e\",\"id\":null}",
        "error reply must have \"id\""),
    BAD("{\"error\":\"e\"}",
        "error reply must have \"id\""),
    BAD("{\"method\":\"m\",\"error\":\"e\",\"id\":1}",
        "error reply must not have \"method\""),
};

TEST(msg_validation_cases)
{
    for (size_t i = 0; i < ARRAY_SIZE(msg_cases); i++) {
        const struct msg_case *c = &msg_cases[i];
        json_t *json = parse(c->json);
        struct jsonrpc_msg *msg;
        char *error = jsonrpc_msg_from_json(json, &msg);

        if (c->error) {
            CHECK_MSG(error, "%s: accepted, expected \"%s\"", c->json,
                      c->error);
            CHECK_MSG(!msg, "%s: message returned with error", c->json);
            CHECK_MSG(strstr(error, c->error), "%s: got \"%s\", expected "
                      "\"%s\"", c->json, error, c->error);
            free(error);
        } else {
            CHECK_MSG(!error, "%s: %s", c->json, error);
            CHECK_EQ(msg->type, c->type);
            CHECK_NO_ERROR(jsonrpc_msg_is_valid(msg));
            char *s = jsonrpc_msg_to_string(msg);
            CHECK_STREQ(s, c->encoded);
            free(s);

            /* The encoding decodes to the same message. */
            json_t *again = jsonrpc_msg_to_json(msg);
            struct jsonrpc_msg *msg2;
            CHECK_NO_ERROR(jsonrpc_msg_from_json(again, &msg2));
            CHECK_EQ(msg2->type, msg->type);
            CHECK(json_equal(msg2->id ? msg2->id : json_null(),
                             msg->id ? msg->id : json_null()));
            jsonrpc_msg_destroy(msg2);
            json_decref(again);
            jsonrpc_msg_destroy(msg);
        }
        json_decref(json);
    }
}

TEST(msg_unexpected_member_is_truncated)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "{\"");
    for (int i = 0; i < 1000; i++) {
        ds_put_cstr(&ds, "\xc3\xa9");
    }
    ds_put_cstr(&ds, "\":1}");

    json_t *json = parse(ds_cstr(&ds));
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_json(json, &msg);
    CHECK(error);
    CHECK_LT(strlen(error), 120);
    CHECK(strstr(error, "...\""));
    /* Still valid UTF-8: cut at a character boundary. */
    json_t *s = json_string(error);
    CHECK(s);
    json_decref(s);
    free(error);
    json_decref(json);
    ds_destroy(&ds);
}

TEST(msg_constructors)
{
    json_t *id1, *id2;
    struct jsonrpc_msg *r1 = jsonrpc_create_request("echo", NULL, &id1);
    struct jsonrpc_msg *r2 = jsonrpc_create_request("echo", json_array(),
                                                    &id2);

    CHECK(json_is_integer(id1));
    CHECK(!json_equal(id1, id2));
    CHECK(json_equal(r1->id, id1));
    CHECK(json_is_array(r1->params));
    CHECK_NO_ERROR(jsonrpc_msg_is_valid(r1));

    struct jsonrpc_msg *reply = jsonrpc_create_reply(json_string("ok"), id1);
    CHECK_EQ(reply->type, JSONRPC_REPLY);
    CHECK(json_equal(reply->id, id1));
    CHECK_NO_ERROR(jsonrpc_msg_is_valid(reply));

    struct jsonrpc_msg *err = jsonrpc_create_error(json_string("bad"), id2);
    CHECK_NO_ERROR(jsonrpc_msg_is_valid(err));
    char *s = jsonrpc_msg_to_string(err);
    CHECK(strstr(s, "\"result\":null"));
    free(s);

    struct jsonrpc_msg *note = jsonrpc_create_notify("update", NULL);
    CHECK_NO_ERROR(jsonrpc_msg_is_valid(note));

    /* A reply with a null id is invalid, and is_valid says so. */
    json_t *null = json_null();
    struct jsonrpc_msg *bad = jsonrpc_create_reply(NULL, null);
    char *error = jsonrpc_msg_is_valid(bad);
    CHECK(error && strstr(error, "reply must have \"id\""));
    free(error);
    json_decref(null);

    jsonrpc_msg_destroy(r1);
    jsonrpc_msg_destroy(r2);
    jsonrpc_msg_destroy(reply);
    jsonrpc_msg_destroy(err);
    jsonrpc_msg_destroy(note);
    jsonrpc_msg_destroy(bad);
    json_decref(id1);
    json_decref(id2);
}

/* ---- Framing. ---- */

/* A stream of four messages: whitespace, none, newlines; strings holding
 * braces, escaped quotes and backslashes, multibyte UTF-8. */
static const char stream_text[] =
    "{\"method\":\"echo\",\"params\":[\"}{][\"],\"id\":1}"
    "{\"result\":[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"],"
    "\"error\":null,\"id\":1}  \n"
    "\r\n\t[\"\\\"}\\\\\",{\"a\":[[]]}]"
    "{\"method\":\"update\",\"params\":[{\"k\":\"\\u00e9\"}],\"id\":null}\n";

static const char *const stream_values[] = {
    "{\"id\":1,\"method\":\"echo\",\"params\":[\"}{][\"]}",
    "{\"error\":null,\"id\":1,\"result\":[\"caf\xc3\xa9 \xe2\x82\xac "
    "\xf0\x9f\x98\x80\"]}",
    "[\"\\\"}\\\\\",{\"a\":[[]]}]",
    "{\"id\":null,\"method\":\"update\",\"params\":[{\"k\":\"\xc3\xa9\"}]}",
};

/* Takes every complete value out of P, checking them against
 * stream_values[*N...]. */
static void
drain(struct jsonrpc_parser *p, size_t *n)
{
    json_t *json;

    while (!jsonrpc_parser_next(p, &json)) {
        CHECK_LT(*n, ARRAY_SIZE(stream_values));
        char *s = json_to_string_canonical(json);
        CHECK_STREQ(s, stream_values[*n]);
        free(s);
        json_decref(json);
        (*n)++;
    }
}

static void
feed_and_check(const size_t *splits, size_t n_splits)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    size_t len = strlen(stream_text);
    size_t ofs = 0, n = 0;
    json_t *json;

    for (size_t i = 0; i <= n_splits; i++) {
        size_t end = i < n_splits ? splits[i] : len;
        jsonrpc_parser_feed(p, stream_text + ofs, end - ofs);
        ofs = end;
        drain(p, &n);
    }
    jsonrpc_parser_finish(p);
    CHECK_EQ(n, ARRAY_SIZE(stream_values));
    CHECK_EQ(jsonrpc_parser_next(p, &json), EAGAIN);
    CHECK(!jsonrpc_parser_get_error(p));
    CHECK_EQ(jsonrpc_parser_partial_bytes(p), 0);
    jsonrpc_parser_destroy(p);
}

TEST(parser_every_split_point)
{
    size_t len = strlen(stream_text);

    for (size_t i = 0; i <= len; i++) {
        feed_and_check(&i, 1);
    }
    /* Every pair of split points, too. */
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i; j <= len; j++) {
            size_t splits[2] = { i, j };
            feed_and_check(splits, 2);
        }
    }
}

TEST(parser_byte_at_a_time)
{
    size_t len = strlen(stream_text);
    size_t splits[sizeof stream_text];

    for (size_t i = 0; i < len; i++) {
        splits[i] = i;
    }
    feed_and_check(splits, len);
}

/* Feeds TEXT to a new parser with limit MAX, expects N_GOOD values and
 * then an error containing ERROR. */
static void
check_framing_error(const char *text, size_t len, size_t max,
                    size_t n_good, const char *error, bool finish)
{
    struct jsonrpc_parser *p = jsonrpc_parser_create(max);
    size_t n = 0;
    json_t *json;
    int retval;

    jsonrpc_parser_feed(p, text, len);
    if (finish) {
        jsonrpc_parser_finish(p);
    }
    while (!(retval = jsonrpc_parser_next(p, &json))) {
        json_decref(json);
        n++;
    }
    CHECK_EQ(n, n_good);
    CHECK_EQ(retval, EPROTO);
    CHECK(!json);
    CHECK_MSG(strstr(jsonrpc_parser_get_error(p), error),
              "error \"%s\" lacks \"%s\"", jsonrpc_parser_get_error(p),
              error);

    /* Sticky, and later input is ignored. */
    jsonrpc_parser_feed(p, "{}", 2);
    CHECK_EQ(jsonrpc_parser_next(p, &json), EPROTO);
    CHECK(jsonrpc_parser_has_output(p));
    jsonrpc_parser_destroy(p);
}

TEST(parser_garbage_between_messages)
{
    const char *t = "{\"a\":1} xyz {\"b\":2}";
    check_framing_error(t, strlen(t), 0, 1,
                        "unexpected 'x' (0x78) between messages at stream "
                        "byte 8", false);
    check_framing_error("[1]\x01[2]", 7, 0, 1, "(0x01) between messages",
                        false);
    check_framing_error("[1]123", 6, 0, 1, "unexpected '1'", false);
    check_framing_error("[1]\"s\"", 6, 0, 1, "unexpected '\"'", false);
    check_framing_error("]", 1, 0, 0, "unexpected ']'", false);
}

TEST(parser_syntax_error_inside_message)
{
    const char *t = "{\"a\":1}\n{\"a\":,}{\"b\":2}";
    check_framing_error(t, strlen(t), 0, 1, "syntax error in message at "
                        "stream byte 8", false);
    /* Invalid UTF-8 inside a string. */
    check_framing_error("[\"\xc3\"]", 5, 0, 0, "syntax error", false);
    /* Mismatched brackets balance in depth but not in kind. */
    check_framing_error("{\"a\":[}]", 8, 0, 0, "syntax error", false);
}

TEST(parser_truncated_input)
{
    const char *t = "{\"a\":1}{\"b\":\"unterminated";
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    json_t *json;

    jsonrpc_parser_feed(p, t, strlen(t));
    CHECK_EQ(jsonrpc_parser_partial_bytes(p), 18);
    CHECK_EQ(jsonrpc_parser_next(p, &json), 0);
    json_decref(json);
    CHECK_EQ(jsonrpc_parser_next(p, &json), EAGAIN);
    jsonrpc_parser_destroy(p);

    check_framing_error(t, strlen(t), 0, 1, "input ended inside a message "
                        "(18 bytes from stream byte 7)", true);

    /* Ending between messages, even after whitespace, is fine. */
    p = jsonrpc_parser_create(0);
    jsonrpc_parser_feed(p, "[1]  \n", 6);
    jsonrpc_parser_finish(p);
    CHECK_EQ(jsonrpc_parser_next(p, &json), 0);
    json_decref(json);
    CHECK_EQ(jsonrpc_parser_next(p, &json), EAGAIN);
    jsonrpc_parser_destroy(p);
}

TEST(parser_size_limit)
{
    /* Exactly at the limit: fine; one more byte: error. */
    char msg[101];
    memset(msg, ' ', 100);
    msg[0] = '[';
    msg[1] = '1';
    msg[99] = ']';
    msg[100] = '\0';

    struct jsonrpc_parser *p = jsonrpc_parser_create(100);
    json_t *json;
    jsonrpc_parser_feed(p, msg, 100);
    jsonrpc_parser_feed(p, "\n", 1);
    CHECK_EQ(jsonrpc_parser_next(p, &json), 0);
    json_decref(json);
    jsonrpc_parser_destroy(p);

    char big[102];
    memcpy(big, msg, 99);
    memcpy(big + 99, " ]", 3);
    check_framing_error(big, 101, 100, 0, "message starting at stream byte "
                        "0 exceeds the limit of 100 bytes", false);

    /* An endless message is refused as soon as it passes the limit, not
     * buffered without bound. */
    p = jsonrpc_parser_create(1000);
    jsonrpc_parser_feed(p, "[\"", 2);
    char chunk[256];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 3; i++) {
        jsonrpc_parser_feed(p, chunk, sizeof chunk);
    }
    CHECK(!jsonrpc_parser_get_error(p));
    CHECK_EQ(jsonrpc_parser_partial_bytes(p), 770);
    jsonrpc_parser_feed(p, chunk, sizeof chunk);
    CHECK(jsonrpc_parser_get_error(p));
    CHECK(strstr(jsonrpc_parser_get_error(p), "exceeds the limit of 1000"));
    CHECK_EQ(jsonrpc_parser_partial_bytes(p), 0);
    jsonrpc_parser_destroy(p);

    /* The limit can change mid-message. */
    p = jsonrpc_parser_create(0);
    jsonrpc_parser_feed(p, "[\"", 2);
    jsonrpc_parser_feed(p, chunk, sizeof chunk);
    jsonrpc_parser_set_max_msg_bytes(p, 100);
    jsonrpc_parser_feed(p, "\"]", 2);
    CHECK_EQ(jsonrpc_parser_next(p, &json), EPROTO);
    jsonrpc_parser_destroy(p);
}

TEST(parser_depth_limit)
{
    size_t depth = JSON_DEFAULT_MAX_DEPTH + 1;
    char *s = xmalloc(2 * depth);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    check_framing_error(s, 2 * depth, 0, 0, "nests deeper than 1000",
                        false);

    /* At the limit: accepted. */
    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    json_t *json;
    jsonrpc_parser_feed(p, s + 1, 2 * depth - 2);
    CHECK_EQ(jsonrpc_parser_next(p, &json), 0);
    json_decref(json);
    jsonrpc_parser_destroy(p);
    free(s);
}

TEST(parser_is_linear_in_input)
{
    /* A 4 MB message fed one byte at a time: a parser that rescanned its
     * buffer per chunk would take hours; a linear one, milliseconds. */
    size_t n = 4 * 1024 * 1024;
    char *s = xmalloc(n);
    struct timespec t0, t1;

    memset(s, 'a', n);
    memcpy(s, "[\"", 2);
    memcpy(s + n - 2, "\"]", 2);

    struct jsonrpc_parser *p = jsonrpc_parser_create(0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < n; i++) {
        jsonrpc_parser_feed(p, s + i, 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    json_t *json;
    CHECK_EQ(jsonrpc_parser_next(p, &json), 0);
    CHECK_EQ(json_string_length(json_array_get(json, 0)), n - 4);
    json_decref(json);
    jsonrpc_parser_destroy(p);
    free(s);

    long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL
                   + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK_LT(ms, 10000);
}

/* ---- Connections over unix streams. ---- */

static char *
sock_path(const char *name)
{
    return xasprintf("%s/%s", test_tmpdir(), name);
}

/* Opens a connected pair of unix streams. */
static void
open_stream_pair(struct stream **clientp, struct stream **serverp)
{
    char *path = sock_path("pair.sock");
    char *pname = xasprintf("punix:%s", path);
    char *aname = xasprintf("unix:%s", path);
    struct pstream *listener;

    CHECK_EQ(pstream_open(pname, &listener), 0);
    CHECK_EQ(stream_open_block(stream_open(aname, clientp), 5000, clientp),
             0);
    CHECK_EQ(pstream_accept_block(listener, serverp), 0);
    pstream_close(listener);
    free(path);
    free(pname);
    free(aname);
}

static void
open_rpc_pair(struct jsonrpc **clientp, struct jsonrpc **serverp)
{
    struct stream *c, *s;

    open_stream_pair(&c, &s);
    *clientp = jsonrpc_open(c);
    *serverp = jsonrpc_open(s);
}

/* Writes all of S to STREAM, blocking. */
static void
stream_send_all(struct stream *stream, const char *s, size_t n)
{
    while (n) {
        int retval = stream_send(stream, s, n);
        if (retval == -EAGAIN) {
            stream_send_wait(stream);
            poll_block();
            continue;
        }
        CHECK_GT(retval, 0);
        s += retval;
        n -= retval;
    }
}

TEST(conn_send_recv)
{
    struct jsonrpc *client, *server;
    struct jsonrpc_msg *msg, *reply;
    json_t *id;

    open_rpc_pair(&client, &server);
    CHECK_EQ(jsonrpc_send(client,
                          jsonrpc_create_request(
                              "echo", parse("[\"hello\",{\"k\":[1,2]}]"),
                              &id)), 0);
    CHECK_EQ(jsonrpc_recv_block(server, &msg), 0);
    CHECK_EQ(msg->type, JSONRPC_REQUEST);
    CHECK_STREQ(msg->method, "echo");
    char *params = json_to_string_canonical(msg->params);
    CHECK_STREQ(params, "[\"hello\",{\"k\":[1,2]}]");
    free(params);
    CHECK(json_equal(msg->id, id));

    CHECK_EQ(jsonrpc_send(server, jsonrpc_create_reply(
                              json_incref(msg->params), msg->id)), 0);
    jsonrpc_msg_destroy(msg);
    CHECK_EQ(jsonrpc_recv_block(client, &reply), 0);
    CHECK_EQ(reply->type, JSONRPC_REPLY);
    CHECK(json_equal(reply->id, id));
    CHECK_STREQ(json_string_value(json_array_get(reply->result, 0)),
                "hello");
    jsonrpc_msg_destroy(reply);
    json_decref(id);

    /* Nothing more to read. */
    CHECK_EQ(jsonrpc_recv(client, &msg), EAGAIN);
    CHECK(!msg);
    CHECK_EQ(jsonrpc_get_status(client), 0);

    /* The server goes away: EOF, sticky. */
    jsonrpc_close(server);
    CHECK_EQ(jsonrpc_recv_block(client, &msg), EOF);
    CHECK_EQ(jsonrpc_get_status(client), EOF);
    CHECK_EQ(jsonrpc_send(client, jsonrpc_create_notify("x", NULL)), EOF);
    jsonrpc_close(client);
}

static void *
echo_server_thread(void *server_)
{
    struct jsonrpc *server = server_;
    struct jsonrpc_msg *msg;

    /* Replies to requests, in reverse pairs, and sends a notification
     * first each time, which transact_block must skip. */
    while (!jsonrpc_recv_block(server, &msg)) {
        if (msg->type == JSONRPC_REQUEST) {
            jsonrpc_send(server, jsonrpc_create_notify("noise", NULL));
            if (!strcmp(msg->method, "fail")) {
                jsonrpc_send(server, jsonrpc_create_error(
                                 json_string("failed"), msg->id));
            } else {
                jsonrpc_send(server, jsonrpc_create_reply(
                                 json_incref(msg->params), msg->id));
            }
        }
        jsonrpc_msg_destroy(msg);
    }
    while (jsonrpc_get_backlog(server) && !jsonrpc_get_status(server)) {
        jsonrpc_run(server);
    }
    jsonrpc_close(server);
    return NULL;
}

TEST(conn_transact_block)
{
    struct jsonrpc *client, *server;
    pthread_t thread;

    open_rpc_pair(&client, &server);
    pthread_create(&thread, NULL, echo_server_thread, server);

    for (int i = 0; i < 100; i++) {
        struct jsonrpc_msg *reply;
        json_t *params = json_pack("[i]", i);
        CHECK_EQ(jsonrpc_transact_block(
                     client, jsonrpc_create_request("echo", params, NULL),
                     &reply), 0);
        CHECK_EQ(reply->type, JSONRPC_REPLY);
        CHECK_EQ(json_integer_value(json_array_get(reply->result, 0)), i);
        jsonrpc_msg_destroy(reply);
    }

    struct jsonrpc_msg *reply;
    CHECK_EQ(jsonrpc_transact_block(
                 client, jsonrpc_create_request("fail", NULL, NULL),
                 &reply), 0);
    CHECK_EQ(reply->type, JSONRPC_ERROR);
    CHECK_STREQ(json_string_value(reply->error), "failed");
    jsonrpc_msg_destroy(reply);

    jsonrpc_close(client);
    pthread_join(thread, NULL);
}

/* A request whose params hold one string of N bytes and integer I. */
static struct jsonrpc_msg *
big_request(size_t n, int i)
{
    char *s = xmalloc(n + 1);
    memset(s, 'a' + i % 26, n);
    s[n] = '\0';
    json_t *params = json_pack("[s,i]", s, i);
    free(s);
    return jsonrpc_create_request("big", params, NULL);
}

TEST(conn_backlog)
{
    struct jsonrpc *client, *server;
    const int n_msgs = 50;
    const size_t size = 64 * 1024;

    open_rpc_pair(&client, &server);
    for (int i = 0; i < n_msgs; i++) {
        CHECK_EQ(jsonrpc_send(client, big_request(size, i)), 0);
    }
    /* The socket buffer cannot hold 3 MB: most of it is queued. */
    CHECK_GT(jsonrpc_get_backlog(client), 1024 * 1024);
    CHECK_GT(jsonrpc_get_backlog_msgs(client), 10);
    CHECK_LE(jsonrpc_get_backlog_msgs(client), n_msgs);

    int received = 0;
    while (received < n_msgs) {
        struct jsonrpc_msg *msg;
        int error;

        jsonrpc_run(client);
        error = jsonrpc_recv(server, &msg);
        if (error == EAGAIN) {
            jsonrpc_wait(client);
            jsonrpc_recv_wait(server);
            poll_block();
            continue;
        }
        CHECK_EQ(error, 0);
        CHECK_EQ(json_integer_value(json_array_get(msg->params, 1)),
                 received);
        CHECK_EQ(strlen(json_string_value(json_array_get(msg->params, 0))),
                 size);
        jsonrpc_msg_destroy(msg);
        received++;
    }
    CHECK_EQ(jsonrpc_get_backlog(client), 0);
    CHECK_EQ(jsonrpc_get_backlog_msgs(client), 0);
    jsonrpc_close(client);
    jsonrpc_close(server);
}

/* Receives one message on RPC, blocking, as canonical text. */
static char *
recv_text(struct jsonrpc *rpc)
{
    struct jsonrpc_msg *msg;

    CHECK_EQ(jsonrpc_recv_block(rpc, &msg), 0);
    char *s = jsonrpc_msg_to_string(msg);
    jsonrpc_msg_destroy(msg);
    return s;
}

TEST(conn_send_serialized)
{
    struct jsonrpc *client, *server;
    static const char body_text[] = "{\"T\":{\"a\":1}}],\"id\":null}";
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, body_text);
    struct jsonrpc_buf *body = jsonrpc_buf_from_ds(&ds);
    CHECK_EQ(ds.length, 0);
    CHECK_EQ(jsonrpc_buf_size(body), strlen(body_text));
    CHECK(!memcmp(jsonrpc_buf_data(body), body_text, strlen(body_text)));

    open_rpc_pair(&client, &server);

    /* Corked: everything queues, counted as whole messages. */
    static const char head1[] = "{\"method\":\"update2\",\"params\":[1,";
    static const char head2[] = "{\"method\":\"update2\",\"params\":"
                                "[[\"m\",{\"k\":2}],";
    jsonrpc_cork(server);
    CHECK_EQ(jsonrpc_send_serialized(server, head1, strlen(head1), body), 0);
    CHECK_EQ(jsonrpc_send(server, jsonrpc_create_notify("x", NULL)), 0);
    CHECK_EQ(jsonrpc_send_serialized(server, head2, strlen(head2), body), 0);
    /* A body alone is a whole message too. */
    struct jsonrpc_buf *whole = jsonrpc_buf_create("[1]x", 3);
    CHECK_EQ(jsonrpc_send_serialized(server, NULL, 0, whole), 0);
    jsonrpc_buf_unref(whole);
    CHECK_EQ(jsonrpc_get_backlog_msgs(server), 4);
    CHECK_EQ(jsonrpc_get_backlog(server),
             strlen(head1) + strlen(head2) + 2 * strlen(body_text)
             + strlen("{\"method\":\"x\",\"params\":[],\"id\":null}")
             + 3);
    /* The queues hold their own references. */
    jsonrpc_buf_unref(body);
    jsonrpc_uncork(server);

    char *s = recv_text(client);
    CHECK_STREQ(s, "{\"id\":null,\"method\":\"update2\","
                "\"params\":[1,{\"T\":{\"a\":1}}]}");
    free(s);
    s = recv_text(client);
    CHECK_STREQ(s, "{\"id\":null,\"method\":\"x\",\"params\":[]}");
    free(s);
    s = recv_text(client);
    CHECK_STREQ(s, "{\"id\":null,\"method\":\"update2\",\"params\":"
                "[[\"m\",{\"k\":2}],{\"T\":{\"a\":1}}]}");
    free(s);
    /* "[1]" is not a JSON-RPC message: the peer says so. */
    struct jsonrpc_msg *msg;
    CHECK_EQ(jsonrpc_recv_block(client, &msg), EPROTO);
    CHECK_EQ(jsonrpc_get_backlog(server), 0);
    CHECK_EQ(jsonrpc_get_backlog_msgs(server), 0);
    jsonrpc_close(client);
    jsonrpc_close(server);
}

/* Many messages sharing one big body, to a peer that reads slowly: the
 * partial writes cross head/body and message boundaries. */
TEST(conn_send_serialized_backlog)
{
    struct jsonrpc *client, *server;
    const int n_msgs = 40;
    const size_t size = 50 * 1000;
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, "\"");
    for (size_t i = 0; i < size; i++) {
        ds_put_char(&ds, 'a' + i % 26);
    }
    ds_put_cstr(&ds, "\"],\"id\":null}");
    struct jsonrpc_buf *body = jsonrpc_buf_from_ds(&ds);

    open_rpc_pair(&client, &server);
    for (int i = 0; i < n_msgs; i++) {
        char head[64];
        int n = snprintf(head, sizeof head,
                         "{\"method\":\"m\",\"params\":[%d,", i);
        CHECK_EQ(jsonrpc_send_serialized(server, head, n, body), 0);
        if (i % 3 == 0) {
            CHECK_EQ(jsonrpc_send(server, jsonrpc_create_notify(
                                      "small", json_pack("[i]", i))), 0);
        }
    }
    CHECK_GT(jsonrpc_get_backlog(server), 1000 * 1000);
    jsonrpc_buf_unref(body);

    int received = 0, small = 0;
    while (received < n_msgs || small < (n_msgs + 2) / 3) {
        struct jsonrpc_msg *msg;
        int error;

        jsonrpc_run(server);
        error = jsonrpc_recv(client, &msg);
        if (error == EAGAIN) {
            jsonrpc_wait(server);
            jsonrpc_recv_wait(client);
            poll_block();
            continue;
        }
        CHECK_EQ(error, 0);
        if (!strcmp(msg->method, "small")) {
            CHECK_EQ(json_integer_value(json_array_get(msg->params, 0)),
                     small * 3);
            small++;
        } else {
            CHECK_STREQ(msg->method, "m");
            CHECK_EQ(json_integer_value(json_array_get(msg->params, 0)),
                     received);
            const char *str = json_string_value(json_array_get(msg->params,
                                                               1));
            CHECK(str && strlen(str) == size && str[size - 1] == 'a'
                  + (size - 1) % 26);
            received++;
        }
        jsonrpc_msg_destroy(msg);
    }
    CHECK_EQ(small, (n_msgs + 2) / 3);
    CHECK_EQ(jsonrpc_get_backlog(server), 0);
    CHECK_EQ(jsonrpc_get_backlog_msgs(server), 0);

    /* The byte threshold counts shared bytes in full. */
    body = jsonrpc_buf_create("{}],\"id\":null}", 14);
    jsonrpc_set_backlog_threshold(server, 0, 20);
    jsonrpc_cork(server);
    CHECK_EQ(jsonrpc_send_serialized(server, "{\"method\":\"m\",", 13,
                                     body), ENOBUFS);
    CHECK_EQ(jsonrpc_get_status(server), ENOBUFS);
    CHECK_EQ(jsonrpc_get_backlog(server), 0);
    CHECK_EQ(jsonrpc_send_serialized(server, NULL, 0, body), ENOBUFS);
    jsonrpc_buf_unref(body);
    jsonrpc_close(client);
    jsonrpc_close(server);
}

TEST(conn_backlog_threshold)
{
    struct jsonrpc *client, *server;
    int i, error = 0;

    open_rpc_pair(&client, &server);
    jsonrpc_set_backlog_threshold(client, 4, 0);
    for (i = 0; i < 100 && !error; i++) {
        error = jsonrpc_send(client, big_request(64 * 1024, i));
    }
    CHECK_EQ(error, ENOBUFS);
    CHECK_LT(i, 100);
    CHECK_EQ(jsonrpc_get_status(client), ENOBUFS);
    CHECK_EQ(jsonrpc_get_backlog(client), 0);
    CHECK_EQ(jsonrpc_send(client, jsonrpc_create_notify("x", NULL)),
             ENOBUFS);
    jsonrpc_close(client);
    jsonrpc_close(server);

    /* A byte threshold works the same way. */
    open_rpc_pair(&client, &server);
    jsonrpc_set_backlog_threshold(client, 0, 512 * 1024);
    for (i = 0, error = 0; i < 100 && !error; i++) {
        error = jsonrpc_send(client, big_request(64 * 1024, i));
    }
    CHECK_EQ(error, ENOBUFS);
    jsonrpc_close(client);
    jsonrpc_close(server);
}

/* Sends TEXT raw to a jsonrpc server, closing afterward if CLOSE, and
 * expects N_GOOD messages then error EXPECTED. */
static void
check_raw_input(const char *text, bool close, int n_good, int expected,
                size_t max_msg_bytes)
{
    struct stream *c, *s;
    struct jsonrpc *server;
    struct jsonrpc_msg *msg;
    int error;

    open_stream_pair(&c, &s);
    server = jsonrpc_open(s);
    if (max_msg_bytes) {
        jsonrpc_set_max_msg_bytes(server, max_msg_bytes);
    }
    stream_send_all(c, text, strlen(text));
    if (close) {
        stream_close(c);
        c = NULL;
    }
    for (int i = 0; i < n_good; i++) {
        CHECK_EQ(jsonrpc_recv_block(server, &msg), 0);
        jsonrpc_msg_destroy(msg);
    }
    error = jsonrpc_recv_block(server, &msg);
    CHECK_EQ(error, expected);
    CHECK(!msg);
    CHECK_EQ(jsonrpc_get_status(server), expected);
    jsonrpc_close(server);
    stream_close(c);
}

TEST(conn_bad_input)
{
    const char *req = "{\"method\":\"a\",\"params\":[],\"id\":1}";
    char *t;

    /* Clean close between messages: EOF. */
    t = xasprintf("%s\n%s", req, req);
    check_raw_input(t, true, 2, EOF, 0);
    free(t);

    /* Garbage after a message. */
    t = xasprintf("%s garbage", req);
    check_raw_input(t, false, 1, EPROTO, 0);
    free(t);

    /* Valid JSON, invalid JSON-RPC. */
    t = xasprintf("%s{\"foo\":1}", req);
    check_raw_input(t, false, 1, EPROTO, 0);
    free(t);

    /* Truncated by the peer closing. */
    t = xasprintf("%s{\"method\":\"a\",", req);
    check_raw_input(t, true, 1, EPROTO, 0);
    free(t);

    /* Oversized. */
    t = xasprintf("%s[\"%01000d\"]", req, 0);
    check_raw_input(t, false, 1, EPROTO, 500);
    free(t);
}

/* ---- Sessions. ---- */

/* Runs the session and, if LISTENER is nonnull, accepts into '*serverp'
 * (replacing nothing: the caller closes the old one), until COND holds or
 * 10 s pass. */
#define RUN_UNTIL(SESSION, LISTENER, SERVERP, COND)                      \
    do {                                                                 \
        long long deadline__ = time_msec() + 10000;                      \
        while (!(COND)) {                                                \
            CHECK_MSG(time_msec() < deadline__, "timed out: %s", #COND); \
            session_iteration(SESSION, LISTENER, SERVERP);               \
        }                                                                \
    } while (0)

/* Receives from S, which must yield nothing but echo traffic. */
static bool
session_idle(struct jsonrpc_session *s)
{
    struct jsonrpc_msg *msg = jsonrpc_session_recv(s);
    CHECK_MSG(!msg, "unexpected message on session");
    return true;
}

static void
session_iteration(struct jsonrpc_session *s, struct pstream *listener,
                  struct jsonrpc **serverp)
{
    jsonrpc_session_run(s);
    if (listener && !*serverp) {
        struct stream *stream;
        if (!pstream_accept(listener, &stream)) {
            *serverp = jsonrpc_open(stream);
        }
    }
    if (*serverp) {
        jsonrpc_run(*serverp);
        jsonrpc_wait(*serverp);
        jsonrpc_recv_wait(*serverp);
    }
    if (listener) {
        pstream_wait(listener);
    }
    jsonrpc_session_wait(s);
    jsonrpc_session_recv_wait(s);
    poll_timer_wait(100);
    poll_block();
}

/* Receives the next message on SERVER while running S. */
static struct jsonrpc_msg *
server_recv(struct jsonrpc_session *s, struct jsonrpc **serverp)
{
    struct jsonrpc_msg *msg = NULL;
    long long deadline = time_msec() + 10000;

    for (;;) {
        int error = jsonrpc_recv(*serverp, &msg);
        if (error != EAGAIN) {
            CHECK_EQ(error, 0);
            return msg;
        }
        CHECK_MSG(time_msec() < deadline, "timed out receiving");
        /* Let the session answer echoes meanwhile. */
        session_idle(s);
        session_iteration(s, NULL, serverp);
    }
}

/* Checks a request/reply exchange in both directions, and that the
 * session answers the server's echo request by itself. */
static void
check_session_traffic(struct jsonrpc_session *s, struct jsonrpc **serverp,
                      int tag)
{
    struct jsonrpc_msg *msg;

    CHECK_EQ(jsonrpc_session_send(
                 s, jsonrpc_create_request("hello", json_pack("[i]", tag),
                                           NULL)), 0);
    msg = server_recv(s, serverp);
    CHECK_EQ(msg->type, JSONRPC_REQUEST);
    CHECK_STREQ(msg->method, "hello");
    CHECK_EQ(json_integer_value(json_array_get(msg->params, 0)), tag);
    CHECK_EQ(jsonrpc_send(*serverp, jsonrpc_create_reply(
                              json_string("hi"), msg->id)), 0);
    jsonrpc_msg_destroy(msg);

    RUN_UNTIL(s, NULL, serverp, (msg = jsonrpc_session_recv(s)) != NULL);
    CHECK_EQ(msg->type, JSONRPC_REPLY);
    CHECK_STREQ(json_string_value(msg->result), "hi");
    jsonrpc_msg_destroy(msg);

    /* Echo from the server: answered by the session, never returned. */
    struct jsonrpc_msg *echo = jsonrpc_create_request(
        "echo", json_pack("[i]", tag), NULL);
    json_t *id = json_incref(echo->id);
    CHECK_EQ(jsonrpc_send(*serverp, echo), 0);
    msg = server_recv(s, serverp);
    CHECK_EQ(msg->type, JSONRPC_REPLY);
    CHECK(json_equal(msg->id, id));
    CHECK_EQ(json_integer_value(json_array_get(msg->result, 0)), tag);
    jsonrpc_msg_destroy(msg);
    json_decref(id);
}

TEST(session_reconnects_after_server_restart)
{
    char *path = sock_path("session.sock");
    char *pname = xasprintf("punix:%s", path);
    char *aname = xasprintf("unix:%s", path);
    struct pstream *listener;
    struct jsonrpc *server = NULL;
    struct jsonrpc_session *s;
    unsigned int seqno;

    CHECK_EQ(pstream_open(pname, &listener), 0);
    s = jsonrpc_session_open(aname, true);
    CHECK_STREQ(jsonrpc_session_get_name(s), aname);
    jsonrpc_session_set_max_backoff(s, 1000);
    CHECK(jsonrpc_session_is_alive(s));

    RUN_UNTIL(s, listener, &server,
              jsonrpc_session_is_connected(s) && server);
    check_session_traffic(s, &server, 1);
    seqno = jsonrpc_session_get_seqno(s);

    /* Server goes away entirely. */
    jsonrpc_close(server);
    server = NULL;
    pstream_close(listener);
    RUN_UNTIL(s, NULL, &server,
              session_idle(s) && !jsonrpc_session_is_connected(s));
    CHECK_NE(jsonrpc_session_get_seqno(s), seqno);
    CHECK_EQ(jsonrpc_session_get_last_error(s), EOF);
    CHECK(jsonrpc_session_is_alive(s));
    CHECK_EQ(jsonrpc_session_send(s, jsonrpc_create_notify("x", NULL)),
             ENOTCONN);

    /* ...and comes back: the session reconnects by itself. */
    CHECK_EQ(pstream_open(pname, &listener), 0);
    seqno = jsonrpc_session_get_seqno(s);
    RUN_UNTIL(s, listener, &server,
              jsonrpc_session_is_connected(s) && server);
    CHECK_NE(jsonrpc_session_get_seqno(s), seqno);
    check_session_traffic(s, &server, 2);

    /* force_reconnect drops and re-establishes the connection. */
    seqno = jsonrpc_session_get_seqno(s);
    jsonrpc_session_force_reconnect(s);
    jsonrpc_session_run(s);
    CHECK(!jsonrpc_session_is_connected(s));
    jsonrpc_close(server);
    server = NULL;
    RUN_UNTIL(s, listener, &server,
              jsonrpc_session_is_connected(s) && server);
    CHECK_NE(jsonrpc_session_get_seqno(s), seqno);
    check_session_traffic(s, &server, 3);

    jsonrpc_session_close(s);
    jsonrpc_close(server);
    pstream_close(listener);
    free(path);
    free(pname);
    free(aname);
}

TEST(session_without_retry_gives_up)
{
    char *aname = xasprintf("unix:%s/nobody-listens", test_tmpdir());
    struct jsonrpc_session *s = jsonrpc_session_open(aname, false);
    struct jsonrpc *none = NULL;

    RUN_UNTIL(s, NULL, &none, !jsonrpc_session_is_alive(s));
    CHECK(!jsonrpc_session_is_connected(s));
    CHECK_EQ(jsonrpc_session_get_last_error(s), ENOENT);
    jsonrpc_session_close(s);
    free(aname);
}

TEST(session_passive)
{
    char *path = sock_path("passive.sock");
    char *pname = xasprintf("punix:%s", path);
    char *aname = xasprintf("unix:%s", path);
    struct jsonrpc_session *s = jsonrpc_session_open(pname, true);
    struct jsonrpc *c1 = NULL, *c2 = NULL;
    struct jsonrpc_msg *msg;
    struct stream *stream;

    /* Start listening. */
    for (int i = 0; i < 10; i++) {
        jsonrpc_session_run(s);
    }
    CHECK_EQ(stream_open_block(stream_open(aname, &stream), 5000, &stream),
             0);
    c1 = jsonrpc_open(stream);
    RUN_UNTIL(s, NULL, &c1, jsonrpc_session_is_connected(s));
    /* The listening session answers the client's echo... */
    check_session_traffic(s, &c1, 10);

    /* ...and a newer client replaces the older one. */
    unsigned int seqno = jsonrpc_session_get_seqno(s);
    CHECK_EQ(stream_open_block(stream_open(aname, &stream), 5000, &stream),
             0);
    c2 = jsonrpc_open(stream);
    RUN_UNTIL(s, NULL, &c2, jsonrpc_session_get_seqno(s) != seqno);
    CHECK(jsonrpc_session_is_connected(s));
    CHECK_EQ(jsonrpc_recv_block(c1, &msg), EOF);
    check_session_traffic(s, &c2, 11);

    jsonrpc_close(c1);
    jsonrpc_close(c2);
    jsonrpc_session_close(s);
    free(path);
    free(pname);
    free(aname);
}

TEST(session_sends_probes_when_idle)
{
    char *path = sock_path("probe.sock");
    char *pname = xasprintf("punix:%s", path);
    char *aname = xasprintf("unix:%s", path);
    struct pstream *listener;
    struct jsonrpc *server = NULL;
    struct jsonrpc_session *s;
    struct jsonrpc_msg *msg = NULL;

    CHECK_EQ(pstream_open(pname, &listener), 0);
    s = jsonrpc_session_open(aname, true);
    /* Unix sessions do not probe by default; ask for it. */
    jsonrpc_session_set_probe_interval(s, 1000);
    RUN_UNTIL(s, listener, &server,
              jsonrpc_session_is_connected(s) && server);

    /* Stay idle: an echo request arrives within a few seconds. */
    RUN_UNTIL(s, NULL, &server,
              jsonrpc_recv(server, &msg) != EAGAIN);
    CHECK(msg);
    CHECK_EQ(msg->type, JSONRPC_REQUEST);
    CHECK_STREQ(msg->method, "echo");
    CHECK_STREQ(json_string_value(msg->id), "echo");

    /* The reply is swallowed by the session, which stays connected. */
    CHECK_EQ(jsonrpc_send(server, jsonrpc_create_reply(
                              json_incref(msg->params), msg->id)), 0);
    jsonrpc_msg_destroy(msg);
    for (int i = 0; i < 5; i++) {
        CHECK(!jsonrpc_session_recv(s));
        session_iteration(s, NULL, &server);
    }
    CHECK(jsonrpc_session_is_connected(s));

    jsonrpc_session_close(s);
    jsonrpc_close(server);
    pstream_close(listener);
    free(path);
    free(pname);
    free(aname);
}

TEST(session_unreliably_wraps_accepted_connection)
{
    struct jsonrpc *client, *server;
    struct jsonrpc_session *s;
    struct jsonrpc_msg *msg;
    json_t *id;

    open_rpc_pair(&client, &server);
    s = jsonrpc_session_open_unreliably(server);
    CHECK(jsonrpc_session_is_connected(s));
    CHECK(jsonrpc_session_is_alive(s));

    /* The client's echo is answered without the owner seeing it; its
     * notification is delivered. */
    CHECK_EQ(jsonrpc_send(client, jsonrpc_create_request(
                              "echo", json_pack("[s]", "ping"), &id)), 0);
    CHECK_EQ(jsonrpc_send(client, jsonrpc_create_notify("note", NULL)), 0);
    RUN_UNTIL(s, NULL, &client, (msg = jsonrpc_session_recv(s)) != NULL);
    CHECK_EQ(msg->type, JSONRPC_NOTIFY);
    CHECK_STREQ(msg->method, "note");
    jsonrpc_msg_destroy(msg);
    CHECK_EQ(jsonrpc_recv_block(client, &msg), 0);
    CHECK_EQ(msg->type, JSONRPC_REPLY);
    CHECK(json_equal(msg->id, id));
    CHECK_STREQ(json_string_value(json_array_get(msg->result, 0)), "ping");
    jsonrpc_msg_destroy(msg);
    json_decref(id);

    /* When the peer leaves, the session dies for good. */
    jsonrpc_close(client);
    client = NULL;
    RUN_UNTIL(s, NULL, &client,
              session_idle(s) && !jsonrpc_session_is_alive(s));
    CHECK(!jsonrpc_session_is_connected(s));
    for (int i = 0; i < 3; i++) {
        jsonrpc_session_run(s);
    }
    CHECK(!jsonrpc_session_is_alive(s));
    jsonrpc_session_close(s);
}

/* An active session to a listener of the test's own. */
struct session_fixture {
    char *pname, *aname;
    struct pstream *listener;
    struct jsonrpc *server;         /* The accepted connection, or NULL. */
    struct jsonrpc_session *s;
};

static void
session_fixture_open(struct session_fixture *f, const char *sock_name)
{
    char *path = sock_path(sock_name);

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    f->pname = xasprintf("punix:%s", path);
    f->aname = xasprintf("unix:%s", path);
    free(path);
    CHECK_EQ(pstream_open(f->pname, &f->listener), 0);
    f->server = NULL;
    f->s = jsonrpc_session_open(f->aname, true);
}

/* Runs the session until it is connected and the server has accepted. */
static void
session_fixture_connect(struct session_fixture *f)
{
    RUN_UNTIL(f->s, f->listener, &f->server,
              jsonrpc_session_is_connected(f->s) && f->server);
}

static void
session_fixture_close(struct session_fixture *f)
{
    jsonrpc_session_close(f->s);
    jsonrpc_close(f->server);
    pstream_close(f->listener);
    free(f->pname);
    free(f->aname);
}

/* The session's backlog threshold applies to each connection it makes
 * (the shared session code opens connections through jsonrpc's hook). */
TEST(session_backlog_threshold_reaches_new_connections)
{
    struct session_fixture f;

    session_fixture_open(&f, "threshold.sock");
    jsonrpc_session_set_backlog_threshold(f.s, 1, 0);
    session_fixture_connect(&f);

    /* Corked, sends only queue: the second one is over the limit. */
    jsonrpc_session_cork(f.s);
    CHECK_EQ(jsonrpc_session_send(f.s, jsonrpc_create_notify("a", NULL)),
             0);
    CHECK_GT(jsonrpc_session_get_backlog(f.s), 0);
    CHECK_EQ(jsonrpc_session_send(f.s, jsonrpc_create_notify("b", NULL)),
             ENOBUFS);

    /* The failed connection is dropped and its error remembered. */
    unsigned int seqno = jsonrpc_session_get_seqno(f.s);
    jsonrpc_session_run(f.s);
    CHECK(!jsonrpc_session_is_connected(f.s));
    CHECK_EQ(jsonrpc_session_get_last_error(f.s), ENOBUFS);
    CHECK_NE(jsonrpc_session_get_seqno(f.s), seqno);
    CHECK_EQ(jsonrpc_session_get_backlog(f.s), 0);
    CHECK(jsonrpc_session_is_alive(f.s));

    session_fixture_close(&f);
}

/* An echo probe that gets no answer ends the connection after another
 * probe interval; then the session reconnects. */
TEST(session_unanswered_probe_disconnects)
{
    struct session_fixture f;

    session_fixture_open(&f, "deaf.sock");
    jsonrpc_session_set_probe_interval(f.s, 1000);
    jsonrpc_session_set_max_backoff(f.s, 1000);
    session_fixture_connect(&f);

    /* The server never reads, so never answers. */
    unsigned int seqno = jsonrpc_session_get_seqno(f.s);
    long long int start = time_msec();
    RUN_UNTIL(f.s, NULL, &f.server,
              session_idle(f.s) && !jsonrpc_session_is_connected(f.s));
    /* Two probe intervals from connecting, at least one from 'start'. */
    CHECK_GE(time_msec() - start, 1000);
    CHECK_NE(jsonrpc_session_get_seqno(f.s), seqno);
    CHECK(jsonrpc_session_is_alive(f.s));

    /* The server saw the probe, an "echo" request. */
    struct jsonrpc_msg *msg;
    CHECK_EQ(jsonrpc_recv_block(f.server, &msg), 0);
    CHECK_EQ(msg->type, JSONRPC_REQUEST);
    CHECK_STREQ(msg->method, "echo");
    jsonrpc_msg_destroy(msg);
    jsonrpc_close(f.server);
    f.server = NULL;

    session_fixture_connect(&f);
    check_session_traffic(f.s, &f.server, 20);
    session_fixture_close(&f);
}

/* A retrying session whose attempts fail stays alive, remembers why, and
 * changes its seqno with each attempt. */
TEST(session_failed_attempts)
{
    char *aname = xasprintf("unix:%s/nobody-listens", test_tmpdir());
    struct jsonrpc_session *s = jsonrpc_session_open(aname, true);
    struct jsonrpc *none = NULL;

    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    jsonrpc_session_set_max_backoff(s, 1000);
    unsigned int seqno = jsonrpc_session_get_seqno(s);
    RUN_UNTIL(s, NULL, &none, jsonrpc_session_get_seqno(s) - seqno >= 3);
    CHECK_EQ(jsonrpc_session_get_last_error(s), ENOENT);
    CHECK(jsonrpc_session_is_alive(s));
    CHECK(!jsonrpc_session_is_connected(s));
    CHECK_EQ(jsonrpc_session_send(s, jsonrpc_create_notify("x", NULL)),
             ENOTCONN);
    CHECK_EQ(jsonrpc_session_get_backlog(s), 0);
    jsonrpc_session_close(s);
    free(aname);

    /* Failing to listen counts as a connection error too. */
    char *pname = xasprintf("punix:%s/no/such/dir/x.sock", test_tmpdir());
    s = jsonrpc_session_open(pname, true);
    jsonrpc_session_run(s);
    CHECK_EQ(jsonrpc_session_get_last_error(s), ENOENT);
    CHECK(jsonrpc_session_is_alive(s));
    CHECK(!jsonrpc_session_is_connected(s));
    jsonrpc_session_close(s);
    free(pname);
}
