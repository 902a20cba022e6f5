/* jsonrpc: JSON-RPC 1.0 messages, framing, connections and sessions. */
#include <config.h>
#include "jsonrpc.h"

#include <errno.h>
#include <stdatomic.h>
#include "dynamic-string.h"
#include "list.h"
#include "poll-loop.h"
#include "reconnect.h"
#include "stream.h"
#include "stream-session.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

/* ---- Messages. ---- */

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST: return "request";
    case JSONRPC_NOTIFY: return "notification";
    case JSONRPC_REPLY: return "reply";
    case JSONRPC_ERROR: return "error reply";
    }
    return "(unknown)";
}

static struct jsonrpc_msg *
jsonrpc_msg_create(enum jsonrpc_msg_type type, const char *method,
                   json_t *params, json_t *result, json_t *error,
                   json_t *id)
{
    struct jsonrpc_msg *msg = xzalloc(sizeof *msg);

    msg->type = type;
    msg->method = method ? xstrdup(method) : NULL;
    msg->params = params;
    msg->result = result;
    msg->error = error;
    msg->id = id;
    return msg;
}

static json_t *
jsonrpc_next_id(void)
{
    static atomic_ullong next_id = 1;
    return json_integer(atomic_fetch_add(&next_id, 1));
}

struct jsonrpc_msg *
jsonrpc_create_request(const char *method, json_t *params, json_t **idp)
{
    json_t *id = jsonrpc_next_id();

    if (idp) {
        *idp = json_incref(id);
    }
    return jsonrpc_msg_create(JSONRPC_REQUEST, method,
                              params ? params : json_array(),
                              NULL, NULL, id);
}

struct jsonrpc_msg *
jsonrpc_create_notify(const char *method, json_t *params)
{
    return jsonrpc_msg_create(JSONRPC_NOTIFY, method,
                              params ? params : json_array(),
                              NULL, NULL, NULL);
}

/* Null ids are not ids (see the table in jsonrpc.h). */
static json_t *
jsonrpc_id_ref(const json_t *id)
{
    return id && !json_is_null(id) ? json_incref((json_t *) id) : NULL;
}

struct jsonrpc_msg *
jsonrpc_create_reply(json_t *result, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_REPLY, NULL, NULL,
                              result ? result : json_null(), NULL,
                              jsonrpc_id_ref(id));
}

struct jsonrpc_msg *
jsonrpc_create_error(json_t *error, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_ERROR, NULL, NULL, NULL,
                              error ? error : json_string("error"),
                              jsonrpc_id_ref(id));
}

void
jsonrpc_msg_destroy(struct jsonrpc_msg *msg)
{
    if (msg) {
        free(msg->method);
        json_decref(msg->params);
        json_decref(msg->result);
        json_decref(msg->error);
        json_decref(msg->id);
        free(msg);
    }
}

char *
jsonrpc_msg_is_valid(const struct jsonrpc_msg *msg)
{
    /* Which members each type must (1) and must not (0) have. */
    static const signed char rules[4][5] = {
        /*                method params result error id */
        [JSONRPC_REQUEST] = { 1,   1,     0,     0,    1 },
        [JSONRPC_NOTIFY]  = { 1,   1,     0,     0,    0 },
        [JSONRPC_REPLY]   = { 0,   0,     1,     0,    1 },
        [JSONRPC_ERROR]   = { 0,   0,     0,     1,    1 },
    };
    static const char *const names[5] = {
        "method", "params", "result", "error", "id"
    };
    const char *type = jsonrpc_msg_type_to_string(msg->type);
    bool present[5] = {
        msg->method != NULL, msg->params != NULL, msg->result != NULL,
        msg->error != NULL, msg->id != NULL,
    };

    if (msg->type > JSONRPC_ERROR) {
        return xasprintf("bad message type %d", (int) msg->type);
    }
    for (int i = 0; i < 5; i++) {
        if (rules[msg->type][i] && !present[i]) {
            return xasprintf("%s must have \"%s\"", type, names[i]);
        } else if (!rules[msg->type][i] && present[i]) {
            return xasprintf(i >= 2 ? "%s must not have non-null \"%s\""
                             : "%s must not have \"%s\"", type, names[i]);
        }
    }
    if (msg->params && !json_is_array(msg->params)) {
        return xasprintf("\"params\" must be a JSON array, not %s",
                         json_type_name(msg->params));
    }
    return NULL;
}

/* Appends at most 64 bytes of S to DS, cut at a UTF-8 boundary, so that
 * an error message quoting peer input stays short. */
static void
put_truncated(struct ds *ds, const char *s)
{
    size_t len = strlen(s);

    if (len <= 64) {
        ds_put_cstr(ds, s);
    } else {
        len = 64;
        while (len && ((unsigned char) s[len] & 0xc0) == 0x80) {
            len--;
        }
        ds_put_buffer(ds, s, len);
        ds_put_cstr(ds, "...");
    }
}

char *
jsonrpc_msg_from_json(const json_t *json, struct jsonrpc_msg **msgp)
{
    json_t *method = NULL, *params = NULL, *result = NULL, *error = NULL;
    json_t *id = NULL;
    enum jsonrpc_msg_type type;
    struct jsonrpc_msg *msg;
    const char *key;
    json_t *value;
    char *err;

    *msgp = NULL;
    if (!json_is_object(json)) {
        return xasprintf("message is not a JSON object (it is %s)",
                         json_type_name(json));
    }

    json_object_foreach ((json_t *) json, key, value) {
        json_t **slot = (!strcmp(key, "method") ? &method
                         : !strcmp(key, "params") ? &params
                         : !strcmp(key, "result") ? &result
                         : !strcmp(key, "error") ? &error
                         : !strcmp(key, "id") ? &id
                         : NULL);
        if (!slot) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            ds_put_cstr(&ds, "message has unexpected member \"");
            put_truncated(&ds, key);
            ds_put_char(&ds, '"');
            return ds_steal_cstr(&ds);
        }
        if (!json_is_null(value)) {
            *slot = value;
        }
    }
    if (method && !json_is_string(method)) {
        return xasprintf("\"method\" must be a JSON string, not %s",
                         json_type_name(method));
    }

    type = (result ? JSONRPC_REPLY
            : error ? JSONRPC_ERROR
            : id ? JSONRPC_REQUEST
            : JSONRPC_NOTIFY);
    msg = jsonrpc_msg_create(type, method ? json_string_value(method) : NULL,
                             params ? json_incref(params) : NULL,
                             result ? json_incref(result) : NULL,
                             error ? json_incref(error) : NULL,
                             id ? json_incref(id) : NULL);
    err = jsonrpc_msg_is_valid(msg);
    if (err) {
        jsonrpc_msg_destroy(msg);
        return err;
    }
    *msgp = msg;
    return NULL;
}

static void
json_object_set_or_null(json_t *object, const char *key, json_t *value)
{
    json_object_set_new(object, key, value ? json_incref(value) : json_null());
}

json_t *
jsonrpc_msg_to_json(const struct jsonrpc_msg *msg)
{
    json_t *json = json_object();

    if (msg->method) {
        json_object_set_new(json, "method",
                            json_string_sanitized(msg->method));
    }
    if (msg->params) {
        json_object_set(json, "params", msg->params);
    }
    if (msg->result || msg->type == JSONRPC_ERROR) {
        json_object_set_or_null(json, "result", msg->result);
    }
    if (msg->error || msg->type == JSONRPC_REPLY) {
        json_object_set_or_null(json, "error", msg->error);
    }
    if (msg->id || msg->type == JSONRPC_NOTIFY) {
        json_object_set_or_null(json, "id", msg->id);
    }
    return json;
}

char *
jsonrpc_msg_to_string(const struct jsonrpc_msg *msg)
{
    json_t *json = jsonrpc_msg_to_json(msg);
    char *s = json_to_string_canonical(json);
    json_decref(json);
    return s;
}

/* ---- Framing. ---- */

struct jsonrpc_parser {
    size_t max_msg_bytes;
    unsigned long long offset;  /* Bytes fed before the current chunk. */

    /* The message being received. */
    bool in_msg;
    unsigned long long msg_start;   /* Its first byte's offset. */
    struct json_scanner scanner;
    struct ds partial;              /* Its bytes so far, if incomplete. */

    /* Complete values not yet taken: queue[head..n). */
    json_t **queue;
    size_t head, n, allocated;

    char *error;                /* Framing error, or NULL. */
};

struct jsonrpc_parser *
jsonrpc_parser_create(size_t max_msg_bytes)
{
    struct jsonrpc_parser *p = xzalloc(sizeof *p);

    p->max_msg_bytes = (max_msg_bytes ? max_msg_bytes
                        : JSONRPC_DEFAULT_MAX_MSG_BYTES);
    ds_init(&p->partial);
    return p;
}

void
jsonrpc_parser_set_max_msg_bytes(struct jsonrpc_parser *p,
                                 size_t max_msg_bytes)
{
    p->max_msg_bytes = (max_msg_bytes ? max_msg_bytes
                        : JSONRPC_DEFAULT_MAX_MSG_BYTES);
}

void
jsonrpc_parser_destroy(struct jsonrpc_parser *p)
{
    if (p) {
        for (size_t i = p->head; i < p->n; i++) {
            json_decref(p->queue[i]);
        }
        free(p->queue);
        ds_destroy(&p->partial);
        free(p->error);
        free(p);
    }
}

static void PLX_PRINTF_FORMAT(2, 3)
jsonrpc_parser_error(struct jsonrpc_parser *p, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    p->error = xvasprintf(format, args);
    va_end(args);

    ds_destroy(&p->partial);
    ds_init(&p->partial);
    p->in_msg = false;
}

/* Parses the complete value in the N bytes at DATA and queues it. */
static void
jsonrpc_parser_parse(struct jsonrpc_parser *p, const char *data, size_t n)
{
    json_error_t error;
    json_t *json = json_loadb(data, n, 0, &error);

    if (!json) {
        jsonrpc_parser_error(p, "syntax error in message at stream byte "
                             "%llu (line %d, column %d): %s", p->msg_start,
                             error.line, error.column, error.text);
        return;
    }
    if (p->head == p->n) {
        p->head = p->n = 0;
    }
    if (p->n >= p->allocated) {
        p->queue = x2nrealloc(p->queue, &p->allocated, sizeof *p->queue);
    }
    p->queue[p->n++] = json;
}

void
jsonrpc_parser_feed(struct jsonrpc_parser *p, const void *data_, size_t n)
{
    const char *data = data_;
    size_t i = 0;

    while (i < n && !p->error) {
        enum json_scan_result r;
        size_t start, used, total;

        if (!p->in_msg) {
            unsigned char c = data[i];

            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
                continue;
            } else if (c != '{' && c != '[') {
                jsonrpc_parser_error(
                    p, "unexpected %s%c%s (0x%02x) between messages at "
                    "stream byte %llu",
                    c >= 0x20 && c < 0x7f ? "'" : "",
                    c >= 0x20 && c < 0x7f ? c : '?',
                    c >= 0x20 && c < 0x7f ? "'" : "",
                    c, p->offset + i);
                break;
            }
            p->in_msg = true;
            p->msg_start = p->offset + i;
            json_scanner_init(&p->scanner, JSON_DEFAULT_MAX_DEPTH);
        }

        start = i;
        r = json_scanner_scan(&p->scanner, data + i, n - i, &used);
        i += used;
        total = p->partial.length + (i - start);
        if (total > p->max_msg_bytes) {
            jsonrpc_parser_error(p, "message starting at stream byte %llu "
                                 "exceeds the limit of %zu bytes",
                                 p->msg_start, p->max_msg_bytes);
        } else if (r == JSON_SCAN_MORE) {
            ds_put_buffer(&p->partial, data + start, i - start);
        } else if (r == JSON_SCAN_END) {
            p->in_msg = false;
            if (p->partial.length) {
                ds_put_buffer(&p->partial, data + start, i - start);
                jsonrpc_parser_parse(p, p->partial.string,
                                     p->partial.length);
                ds_clear(&p->partial);
            } else {
                jsonrpc_parser_parse(p, data + start, i - start);
            }
        } else {
            /* JSON_SCAN_UNBALANCED cannot happen: a message starts by
             * opening a container. */
            jsonrpc_parser_error(p, "message starting at stream byte %llu "
                                 "nests deeper than %d levels",
                                 p->msg_start, JSON_DEFAULT_MAX_DEPTH);
        }
    }
    p->offset += n;
}

void
jsonrpc_parser_finish(struct jsonrpc_parser *p)
{
    if (!p->error && p->in_msg) {
        jsonrpc_parser_error(p, "input ended inside a message (%zu bytes "
                             "from stream byte %llu)", p->partial.length,
                             p->msg_start);
    }
}

int
jsonrpc_parser_next(struct jsonrpc_parser *p, json_t **jsonp)
{
    if (p->head < p->n) {
        *jsonp = p->queue[p->head++];
        return 0;
    }
    *jsonp = NULL;
    return p->error ? EPROTO : EAGAIN;
}

const char *
jsonrpc_parser_get_error(const struct jsonrpc_parser *p)
{
    return p->error;
}

size_t
jsonrpc_parser_partial_bytes(const struct jsonrpc_parser *p)
{
    return p->in_msg ? p->partial.length : 0;
}

bool
jsonrpc_parser_has_output(const struct jsonrpc_parser *p)
{
    return p->head < p->n || p->error;
}

/* ---- Connections. ---- */

/* Serialized sends. */

struct jsonrpc_buf {
    atomic_size_t refcnt;
    size_t size;
    char *data;
};

struct jsonrpc_buf *
jsonrpc_buf_create(const void *data, size_t n)
{
    struct jsonrpc_buf *buf = xmalloc(sizeof *buf);

    atomic_init(&buf->refcnt, 1);
    buf->size = n;
    buf->data = xmemdup(data, n);
    return buf;
}

struct jsonrpc_buf *
jsonrpc_buf_from_ds(struct ds *ds)
{
    struct jsonrpc_buf *buf = xmalloc(sizeof *buf);

    atomic_init(&buf->refcnt, 1);
    buf->size = ds->length;
    buf->data = ds_steal_cstr(ds);
    return buf;
}

struct jsonrpc_buf *
jsonrpc_buf_ref(struct jsonrpc_buf *buf)
{
    atomic_fetch_add(&buf->refcnt, 1);
    return buf;
}

void
jsonrpc_buf_unref(struct jsonrpc_buf *buf)
{
    if (buf && atomic_fetch_sub(&buf->refcnt, 1) == 1) {
        free(buf->data);
        free(buf);
    }
}

const char *
jsonrpc_buf_data(const struct jsonrpc_buf *buf)
{
    return buf->data;
}

size_t
jsonrpc_buf_size(const struct jsonrpc_buf *buf)
{
    return buf->size;
}

/* One queued outgoing message: 'head' followed by 'body' (if nonnull). */
struct jsonrpc_outbuf {
    struct plx_list list_node;  /* In struct jsonrpc's 'output'. */
    char *head;                 /* Owned; 'inline_head' or malloc'd. */
    size_t head_size;
    struct jsonrpc_buf *body;   /* A reference, or NULL. */
    size_t size;                /* head_size + body's size. */
    size_t ofs;                 /* Bytes already sent. */
    char inline_head[];
};

/* Most messages are small: jsonrpc_run() gathers the bytes of several
 * queued messages into one write of up to this many bytes. */
#define JSONRPC_GATHER_MAX 16384

static void
jsonrpc_outbuf_free(struct jsonrpc_outbuf *buf)
{
    if (buf->head != buf->inline_head) {
        free(buf->head);
    }
    jsonrpc_buf_unref(buf->body);
    free(buf);
}

/* The unsent bytes of BUF that are contiguous in memory. */
static const char *
jsonrpc_outbuf_span(const struct jsonrpc_outbuf *buf, size_t *lenp)
{
    if (buf->ofs < buf->head_size) {
        *lenp = buf->head_size - buf->ofs;
        return buf->head + buf->ofs;
    }
    *lenp = buf->size - buf->ofs;
    return buf->body->data + (buf->ofs - buf->head_size);
}

struct jsonrpc {
    struct stream *stream;
    char *name;
    int status;                 /* 0 or sticky error. */

    struct jsonrpc_parser *parser;
    unsigned long long received_bytes;

    struct plx_list output;     /* struct jsonrpc_outbuf, oldest first. */
    size_t backlog;             /* Unsent bytes in 'output'. */
    size_t output_count;        /* Messages in 'output'. */
    size_t max_backlog_msgs;    /* 0: no limit. */
    size_t max_backlog_bytes;   /* 0: no limit. */
    bool corked;                /* Queue only, see jsonrpc_cork(). */
};

static struct vlog_rate_limit jsonrpc_rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct jsonrpc *
jsonrpc_open(struct stream *stream)
{
    struct jsonrpc *rpc = xzalloc(sizeof *rpc);

    rpc->stream = stream;
    rpc->name = xstrdup(stream_get_name(stream));
    rpc->parser = jsonrpc_parser_create(0);
    plx_list_init(&rpc->output);
    return rpc;
}

static void
jsonrpc_clear_output(struct jsonrpc *rpc)
{
    struct jsonrpc_outbuf *buf;

    LIST_FOR_EACH_POP (buf, list_node, &rpc->output) {
        jsonrpc_outbuf_free(buf);
    }
    rpc->backlog = 0;
    rpc->output_count = 0;
}

void
jsonrpc_close(struct jsonrpc *rpc)
{
    if (rpc) {
        stream_close(rpc->stream);
        jsonrpc_parser_destroy(rpc->parser);
        jsonrpc_clear_output(rpc);
        free(rpc->name);
        free(rpc);
    }
}

/* Makes ERROR the connection's sticky error (if it has none yet) and
 * drops what was queued: nothing more can be sent. */
static void
jsonrpc_error(struct jsonrpc *rpc, int error)
{
    plx_assert(error);
    if (!rpc->status) {
        rpc->status = error;
        jsonrpc_clear_output(rpc);
    }
}

static struct jsonrpc_outbuf *
jsonrpc_output_front(const struct jsonrpc *rpc)
{
    return CONTAINER_OF(plx_list_front(&rpc->output),
                        struct jsonrpc_outbuf, list_node);
}

/* Copies up to MAX unsent bytes, oldest first, to DST; returns how
 * many. */
static size_t
jsonrpc_gather(const struct jsonrpc *rpc, char *dst, size_t max)
{
    const struct jsonrpc_outbuf *buf;
    size_t n = 0;

    LIST_FOR_EACH (buf, list_node, &rpc->output) {
        size_t ofs = buf->ofs;
        while (ofs < buf->size && n < max) {
            const char *src;
            size_t len;

            if (ofs < buf->head_size) {
                src = buf->head + ofs;
                len = buf->head_size - ofs;
            } else {
                src = buf->body->data + (ofs - buf->head_size);
                len = buf->size - ofs;
            }
            len = MIN(len, max - n);
            memcpy(dst + n, src, len);
            n += len;
            ofs += len;
        }
        if (n >= max) {
            break;
        }
    }
    return n;
}

/* Marks the N oldest unsent bytes as sent. */
static void
jsonrpc_consume(struct jsonrpc *rpc, size_t n)
{
    rpc->backlog -= n;
    while (n) {
        struct jsonrpc_outbuf *buf = jsonrpc_output_front(rpc);
        size_t left = buf->size - buf->ofs;

        if (n < left) {
            buf->ofs += n;
            break;
        }
        n -= left;
        plx_list_remove(&buf->list_node);
        jsonrpc_outbuf_free(buf);
        rpc->output_count--;
    }
}

void
jsonrpc_run(struct jsonrpc *rpc)
{
    if (rpc->status) {
        return;
    }

    stream_run(rpc->stream);
    while (!plx_list_is_empty(&rpc->output)) {
        const struct jsonrpc_outbuf *front = jsonrpc_output_front(rpc);
        char scratch[JSONRPC_GATHER_MAX];
        size_t len;
        const char *data = jsonrpc_outbuf_span(front, &len);

        /* One write for several small pieces: fewer system calls, and
         * the peer wakes up once for all of them. */
        if (len < JSONRPC_GATHER_MAX
            && (rpc->output_count > 1 || len < front->size - front->ofs)) {
            len = jsonrpc_gather(rpc, scratch, sizeof scratch);
            data = scratch;
        }

        int n = stream_send(rpc->stream, data, len);
        if (n > 0) {
            jsonrpc_consume(rpc, n);
        } else {
            if (n < 0 && n != -EAGAIN) {
                VLOG_WARN_RL(&jsonrpc_rl, "%s: send error: %s",
                             rpc->name, plx_strerror(-n));
                jsonrpc_error(rpc, -n);
            }
            break;
        }
    }
}

void
jsonrpc_wait(struct jsonrpc *rpc)
{
    if (!rpc->status) {
        stream_run_wait(rpc->stream);
        if (!plx_list_is_empty(&rpc->output)) {
            stream_send_wait(rpc->stream);
        }
    }
}

void
jsonrpc_recv_wait(struct jsonrpc *rpc)
{
    if (rpc->status || jsonrpc_parser_has_output(rpc->parser)) {
        poll_immediate_wake();
    } else {
        stream_recv_wait(rpc->stream);
    }
}

int
jsonrpc_get_status(const struct jsonrpc *rpc)
{
    return rpc->status;
}

const char *
jsonrpc_get_name(const struct jsonrpc *rpc)
{
    return rpc->name;
}

size_t
jsonrpc_get_backlog(const struct jsonrpc *rpc)
{
    return rpc->backlog;
}

unsigned long long
jsonrpc_get_received_bytes(const struct jsonrpc *rpc)
{
    return rpc->received_bytes;
}

size_t
jsonrpc_get_backlog_msgs(const struct jsonrpc *rpc)
{
    return rpc->output_count;
}

void
jsonrpc_set_backlog_threshold(struct jsonrpc *rpc, size_t max_msgs,
                              size_t max_bytes)
{
    rpc->max_backlog_msgs = max_msgs;
    rpc->max_backlog_bytes = max_bytes;
}

void
jsonrpc_set_max_msg_bytes(struct jsonrpc *rpc, size_t max_msg_bytes)
{
    jsonrpc_parser_set_max_msg_bytes(rpc->parser, max_msg_bytes);
}

static void
jsonrpc_log_msg(const struct jsonrpc *rpc, const char *title,
                const struct jsonrpc_msg *msg)
{
    if (VLOG_IS_DBG_ENABLED()) {
        char *s = jsonrpc_msg_to_string(msg);
        VLOG_DBG("%s: %s %s: %.1000s", rpc->name, title,
                 jsonrpc_msg_type_to_string(msg->type), s);
        free(s);
    }
}

/* Queues BUF, which holds one whole message, and starts sending it
 * unless corked. */
static int
jsonrpc_queue(struct jsonrpc *rpc, struct jsonrpc_outbuf *buf)
{
    buf->ofs = 0;
    plx_list_push_back(&rpc->output, &buf->list_node);
    rpc->backlog += buf->size;
    rpc->output_count++;

    if ((rpc->max_backlog_msgs && rpc->output_count > rpc->max_backlog_msgs)
        || (rpc->max_backlog_bytes
            && rpc->backlog > rpc->max_backlog_bytes)) {
        VLOG_WARN_RL(&jsonrpc_rl, "%s: dropping connection: %zu messages "
                     "and %zu bytes queued, beyond the limit (%zu messages, "
                     "%zu bytes)", rpc->name, rpc->output_count,
                     rpc->backlog, rpc->max_backlog_msgs,
                     rpc->max_backlog_bytes);
        jsonrpc_error(rpc, ENOBUFS);
        return ENOBUFS;
    }

    /* Usually the whole message goes out at once. */
    if (rpc->output_count == 1 && !rpc->corked) {
        jsonrpc_run(rpc);
    }
    return rpc->status;
}

int
jsonrpc_send(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    struct jsonrpc_outbuf *buf;
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_t *json;

    if (rpc->status) {
        jsonrpc_msg_destroy(msg);
        return rpc->status;
    }

    jsonrpc_log_msg(rpc, "send", msg);
    json = jsonrpc_msg_to_json(msg);
    json_to_ds(json, JSON_COMPACT, &ds);
    json_decref(json);
    jsonrpc_msg_destroy(msg);

    buf = xmalloc(sizeof *buf);
    buf->head_size = buf->size = ds.length;
    buf->head = ds_steal_cstr(&ds);
    buf->body = NULL;
    return jsonrpc_queue(rpc, buf);
}

int
jsonrpc_send_serialized(struct jsonrpc *rpc, const void *head,
                        size_t head_len, struct jsonrpc_buf *body)
{
    if (rpc->status) {
        return rpc->status;
    } else if (!head_len && !body->size) {
        return 0;
    }

    if (VLOG_IS_DBG_ENABLED()) {
        int h = MIN(head_len, 1000);
        int b = MIN(body->size, 1000 - h);
        VLOG_DBG("%s: send serialized: %.*s%.*s", rpc->name,
                 h, (const char *) head, b, body->data);
    }

    struct jsonrpc_outbuf *buf = xmalloc(sizeof *buf + head_len);
    if (head_len) {
        memcpy(buf->inline_head, head, head_len);
    }
    buf->head = buf->inline_head;
    buf->head_size = head_len;
    buf->body = jsonrpc_buf_ref(body);
    buf->size = head_len + body->size;
    return jsonrpc_queue(rpc, buf);
}

void
jsonrpc_cork(struct jsonrpc *rpc)
{
    rpc->corked = true;
}

void
jsonrpc_uncork(struct jsonrpc *rpc)
{
    if (rpc->corked) {
        rpc->corked = false;
        jsonrpc_run(rpc);
    }
}

/* Reads and decodes the next queued value, if any. */
static int
jsonrpc_recv_queued(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    json_t *json;
    int error = jsonrpc_parser_next(rpc->parser, &json);

    if (error == EAGAIN) {
        return EAGAIN;
    } else if (error) {
        VLOG_WARN_RL(&jsonrpc_rl, "%s: %s", rpc->name,
                     jsonrpc_parser_get_error(rpc->parser));
        jsonrpc_error(rpc, error);
        return error;
    } else {
        char *err = jsonrpc_msg_from_json(json, msgp);
        json_decref(json);
        if (err) {
            VLOG_WARN_RL(&jsonrpc_rl, "%s: received bad JSON-RPC message: "
                         "%s", rpc->name, err);
            free(err);
            jsonrpc_error(rpc, EPROTO);
            return EPROTO;
        }
        jsonrpc_log_msg(rpc, "received", *msgp);
        return 0;
    }
}

int
jsonrpc_recv(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    *msgp = NULL;
    if (rpc->status) {
        return rpc->status;
    }

    /* Read a bounded amount per call, so that one busy peer cannot
     * starve the rest of the main loop. */
    for (int i = 0; i < 50; i++) {
        char buffer[4096];
        int error, n;

        error = jsonrpc_recv_queued(rpc, msgp);
        if (error != EAGAIN) {
            return error;
        }

        n = stream_recv(rpc->stream, buffer, sizeof buffer);
        if (n > 0) {
            rpc->received_bytes += n;
            jsonrpc_parser_feed(rpc->parser, buffer, n);
        } else if (n == -EAGAIN) {
            return EAGAIN;
        } else if (n == 0) {
            jsonrpc_parser_finish(rpc->parser);
            if (jsonrpc_parser_get_error(rpc->parser)) {
                /* Deliver complete messages first, then EPROTO. */
                continue;
            }
            VLOG_DBG("%s: connection closed by peer", rpc->name);
            jsonrpc_error(rpc, EOF);
            return EOF;
        } else {
            VLOG_WARN_RL(&jsonrpc_rl, "%s: receive error: %s",
                         rpc->name, plx_strerror(-n));
            jsonrpc_error(rpc, -n);
            return -n;
        }
    }
    return jsonrpc_recv_queued(rpc, msgp);
}

int
jsonrpc_send_block(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    int error = jsonrpc_send(rpc, msg);

    while (!error) {
        jsonrpc_run(rpc);
        if (plx_list_is_empty(&rpc->output) || rpc->status) {
            return rpc->status;
        }
        jsonrpc_wait(rpc);
        poll_block();
    }
    return error;
}

int
jsonrpc_recv_block(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    for (;;) {
        int error = jsonrpc_recv(rpc, msgp);
        if (error != EAGAIN) {
            return error;
        }
        jsonrpc_run(rpc);
        jsonrpc_wait(rpc);
        jsonrpc_recv_wait(rpc);
        poll_block();
    }
}

int
jsonrpc_transact_block(struct jsonrpc *rpc, struct jsonrpc_msg *request,
                       struct jsonrpc_msg **replyp)
{
    json_t *id = json_incref(request->id);
    int error;

    *replyp = NULL;
    error = jsonrpc_send_block(rpc, request);
    while (!error) {
        struct jsonrpc_msg *msg;

        error = jsonrpc_recv_block(rpc, &msg);
        if (error) {
            break;
        }
        if ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
            && id && json_equal(msg->id, id)) {
            *replyp = msg;
            break;
        }
        jsonrpc_msg_destroy(msg);
    }
    json_decref(id);
    return error;
}

/* ---- Sessions. ---- */

/* A session is a stream_session (lib/stream-session.h) of struct jsonrpc
 * connections, plus the settings each new connection inherits.  Probing
 * is reconnect's: an "echo" request on RECONNECT_PROBE. */
struct jsonrpc_session {
    struct stream_session *ss;
    size_t max_backlog_msgs, max_backlog_bytes;
};

static void *
jsonrpc_session_class_open(struct stream *stream, void *s_)
{
    struct jsonrpc_session *s = s_;
    struct jsonrpc *rpc = jsonrpc_open(stream);

    jsonrpc_set_backlog_threshold(rpc, s->max_backlog_msgs,
                                  s->max_backlog_bytes);
    return rpc;
}

static void
jsonrpc_session_class_close(void *rpc)
{
    jsonrpc_close(rpc);
}

static bool
jsonrpc_session_class_run(void *rpc)
{
    size_t backlog = jsonrpc_get_backlog(rpc);

    jsonrpc_run(rpc);
    /* Queued data draining counts as activity; data the stream took at
     * once does not, since it may only sit in kernel buffers of a
     * connection that has died. */
    return jsonrpc_get_backlog(rpc) < backlog;
}

static void
jsonrpc_session_class_wait(void *rpc)
{
    jsonrpc_wait(rpc);
}

static bool
jsonrpc_session_class_recv(void *rpc, void **msgp)
{
    unsigned long long received = jsonrpc_get_received_bytes(rpc);
    struct jsonrpc_msg *msg;

    jsonrpc_recv(rpc, &msg);
    *msgp = msg;
    return jsonrpc_get_received_bytes(rpc) != received;
}

static void
jsonrpc_session_class_recv_wait(void *rpc)
{
    jsonrpc_recv_wait(rpc);
}

static int
jsonrpc_session_class_get_status(const void *rpc)
{
    return jsonrpc_get_status(rpc);
}

static void
jsonrpc_session_class_send_probe(void *rpc)
{
    struct jsonrpc_msg *request = jsonrpc_create_request("echo", NULL, NULL);

    json_decref(request->id);
    request->id = json_string("echo");
    jsonrpc_send(rpc, request);
}

static const struct stream_session_class jsonrpc_session_class = {
    .default_port = 0,
    .probe_interval = RECONNECT_DEFAULT_PROBE_INTERVAL,
    .open_error_level = VLL_DBG,    /* Quiet for command-line clients. */
    .open = jsonrpc_session_class_open,
    .close = jsonrpc_session_class_close,
    .run = jsonrpc_session_class_run,
    .wait = jsonrpc_session_class_wait,
    .recv = jsonrpc_session_class_recv,
    .recv_wait = jsonrpc_session_class_recv_wait,
    .get_status = jsonrpc_session_class_get_status,
    .send_probe = jsonrpc_session_class_send_probe,
};

struct jsonrpc_session *
jsonrpc_session_open(const char *name, bool retry)
{
    struct jsonrpc_session *s = xzalloc(sizeof *s);

    s->ss = stream_session_open(name, retry, &jsonrpc_session_class, s);
    return s;
}

struct jsonrpc_session *
jsonrpc_session_open_unreliably(struct jsonrpc *rpc)
{
    struct jsonrpc_session *s = xzalloc(sizeof *s);

    s->ss = stream_session_open_unreliably(rpc, jsonrpc_get_name(rpc),
                                           &jsonrpc_session_class, s);
    return s;
}

void
jsonrpc_session_close(struct jsonrpc_session *s)
{
    if (s) {
        stream_session_close(s->ss);
        free(s);
    }
}

void
jsonrpc_session_run(struct jsonrpc_session *s)
{
    stream_session_run(s->ss);
}

void
jsonrpc_session_wait(struct jsonrpc_session *s)
{
    stream_session_wait(s->ss);
}

void
jsonrpc_session_recv_wait(struct jsonrpc_session *s)
{
    stream_session_recv_wait(s->ss);
}

static struct jsonrpc *
jsonrpc_session_rpc(const struct jsonrpc_session *s)
{
    return stream_session_get_conn(s->ss);
}

int
jsonrpc_session_send(struct jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    if (rpc) {
        return jsonrpc_send(rpc, msg);
    }
    jsonrpc_msg_destroy(msg);
    return ENOTCONN;
}

int
jsonrpc_session_send_serialized(struct jsonrpc_session *s, const void *head,
                                size_t head_len, struct jsonrpc_buf *body)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    return (rpc
            ? jsonrpc_send_serialized(rpc, head, head_len, body)
            : ENOTCONN);
}

void
jsonrpc_session_cork(struct jsonrpc_session *s)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    if (rpc) {
        jsonrpc_cork(rpc);
    }
}

void
jsonrpc_session_uncork(struct jsonrpc_session *s)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    if (rpc) {
        jsonrpc_uncork(rpc);
    }
}

static bool
jsonrpc_is_echo_reply(const struct jsonrpc_msg *msg)
{
    return (msg->type == JSONRPC_REPLY && json_is_string(msg->id)
            && !strcmp(json_string_value(msg->id), "echo"));
}

struct jsonrpc_msg *
jsonrpc_session_recv(struct jsonrpc_session *s)
{
    /* Loop so that echo traffic does not hide a real message behind it
     * until the next main-loop iteration. */
    for (int i = 0; i < 50; i++) {
        struct jsonrpc_msg *msg = stream_session_recv(s->ss);

        if (!msg) {
            break;
        }
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            jsonrpc_session_send(s, jsonrpc_create_reply(
                                     json_incref(msg->params), msg->id));
        } else if (!jsonrpc_is_echo_reply(msg)) {
            return msg;
        }
        jsonrpc_msg_destroy(msg);
    }
    return NULL;
}

const char *
jsonrpc_session_get_name(const struct jsonrpc_session *s)
{
    return stream_session_get_name(s->ss);
}

bool
jsonrpc_session_is_alive(const struct jsonrpc_session *s)
{
    return stream_session_is_alive(s->ss);
}

bool
jsonrpc_session_is_connected(const struct jsonrpc_session *s)
{
    return jsonrpc_session_rpc(s) != NULL;
}

unsigned int
jsonrpc_session_get_seqno(const struct jsonrpc_session *s)
{
    return stream_session_get_seqno(s->ss);
}

int
jsonrpc_session_get_last_error(const struct jsonrpc_session *s)
{
    return stream_session_get_last_error(s->ss);
}

size_t
jsonrpc_session_get_backlog(const struct jsonrpc_session *s)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    return rpc ? jsonrpc_get_backlog(rpc) : 0;
}

void
jsonrpc_session_force_reconnect(struct jsonrpc_session *s)
{
    stream_session_force_reconnect(s->ss);
}

void
jsonrpc_session_set_max_backoff(struct jsonrpc_session *s, int max_backoff)
{
    stream_session_set_max_backoff(s->ss, max_backoff);
}

void
jsonrpc_session_set_probe_interval(struct jsonrpc_session *s,
                                   int probe_interval)
{
    stream_session_set_probe_interval(s->ss, probe_interval);
}

void
jsonrpc_session_set_backlog_threshold(struct jsonrpc_session *s,
                                      size_t max_msgs, size_t max_bytes)
{
    struct jsonrpc *rpc = jsonrpc_session_rpc(s);

    s->max_backlog_msgs = max_msgs;
    s->max_backlog_bytes = max_bytes;
    if (rpc) {
        jsonrpc_set_backlog_threshold(rpc, max_msgs, max_bytes);
    }
}
