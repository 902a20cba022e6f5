/* unixctl: control socket server and client. */
#include <config.h>
#include "unixctl.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include "dirs.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "jsonrpc.h"
#include "list.h"
#include "stream.h"
#include "vlog-unixctl.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(unixctl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* At most this many clients at once; more wait in the listen queue. */
#define UNIXCTL_MAX_CONNS 64

struct unixctl_command {
    struct hmap_node hmap_node;     /* In 'commands', by name. */
    char *name;
    char *usage;
    int min_args, max_args;
    unixctl_cb_func *cb;
    void *aux;
};

struct unixctl_conn {
    struct plx_list list_node;      /* In struct unixctl_server's 'conns'. */
    struct jsonrpc *rpc;
    json_t *request_id;             /* Request awaiting a reply, or NULL. */
};

struct unixctl_server {
    struct pstream *listener;
    struct plx_list conns;
    size_t n_conns;
    char *path;
};

static struct hmap commands = HMAP_INITIALIZER(&commands);

static struct unixctl_command *
unixctl_command_find(const char *name)
{
    struct unixctl_command *c;

    HMAP_FOR_EACH_WITH_HASH (c, hmap_node, hash_string(name, 0), &commands) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

void
unixctl_command_unregister(const char *name)
{
    struct unixctl_command *c = unixctl_command_find(name);

    if (c) {
        hmap_remove(&commands, &c->hmap_node);
        free(c->name);
        free(c->usage);
        free(c);
    }
}

void
unixctl_command_register(const char *name, const char *usage,
                         int min_args, int max_args,
                         unixctl_cb_func *cb, void *aux)
{
    struct unixctl_command *c;

    plx_assert(min_args >= 0 && min_args <= max_args);
    unixctl_command_unregister(name);
    c = xmalloc(sizeof *c);
    c->name = xstrdup(name);
    c->usage = xstrdup(usage ? usage : "");
    c->min_args = min_args;
    c->max_args = max_args;
    c->cb = cb;
    c->aux = aux;
    hmap_insert(&commands, &c->hmap_node, hash_string(name, 0));
}

static void
unixctl_command_reply__(struct unixctl_conn *conn, bool success,
                        const char *text)
{
    json_t *body = json_string_sanitized(text ? text : "");
    struct jsonrpc_msg *reply;

    if (!conn->request_id) {
        /* A bug in a command: it replied twice. */
        VLOG_WARN_RL(&rl, "%s: ignoring second reply to one request",
                     jsonrpc_get_name(conn->rpc));
        json_decref(body);
        return;
    }
    reply = (success
             ? jsonrpc_create_reply(body, conn->request_id)
             : jsonrpc_create_error(body, conn->request_id));
    jsonrpc_send(conn->rpc, reply);
    json_decref(conn->request_id);
    conn->request_id = NULL;
}

void
unixctl_command_reply(struct unixctl_conn *conn, const char *body)
{
    unixctl_command_reply__(conn, true, body);
}

void
unixctl_command_reply_error(struct unixctl_conn *conn, const char *error)
{
    unixctl_command_reply__(conn, false, error);
}

static int
compare_commands(const void *a_, const void *b_)
{
    const struct unixctl_command *const *a = a_;
    const struct unixctl_command *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
unixctl_list_commands(struct unixctl_conn *conn, int argc PLX_UNUSED,
                      const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    const struct unixctl_command **sorted;
    const struct unixctl_command *c;
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t n = 0;

    sorted = xmalloc((hmap_count(&commands) + 1) * sizeof *sorted);
    HMAP_FOR_EACH (c, hmap_node, &commands) {
        sorted[n++] = c;
    }
    qsort(sorted, n, sizeof *sorted, compare_commands);

    ds_put_cstr(&ds, "The available commands are:\n");
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ds, "  %-23s %s\n", sorted[i]->name,
                      sorted[i]->usage);
    }
    free(sorted);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
unixctl_version(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    char *version = xasprintf("%s (Plexus) %s\n", program_name,
                              PACKAGE_VERSION);
    unixctl_command_reply(conn, version);
    free(version);
}

static void
unixctl_register_builtins(void)
{
    static bool done;

    if (!done) {
        done = true;
        unixctl_command_register("list-commands", "", 0, 0,
                                 unixctl_list_commands, NULL);
        unixctl_command_register("version", "", 0, 0,
                                 unixctl_version, NULL);
        vlog_unixctl_register();
    }
}

/* Absolute name for socket PATH: relative ones are in the run dir. */
static char *
unixctl_abs_path(const char *path)
{
    return (path[0] == '/'
            ? xstrdup(path)
            : xasprintf("%s/%s", plx_rundir(), path));
}

int
unixctl_server_create(const char *path, struct unixctl_server **serverp)
{
    struct unixctl_server *server;
    struct pstream *listener;
    char *abs_path, *name;
    int error;

    *serverp = NULL;
    if (path && !strcmp(path, "none")) {
        return 0;
    }

    unixctl_register_builtins();
    abs_path = (path
                ? unixctl_abs_path(path)
                : xasprintf("%s/%s.%ld.ctl", plx_rundir(), program_name,
                            (long int) getpid()));
    name = xasprintf("punix:%s", abs_path);
    error = pstream_open(name, &listener);
    free(name);
    if (error) {
        VLOG_ERR("could not initialize control socket %s: %s", abs_path,
                 plx_strerror(error));
        free(abs_path);
        return error;
    }

    server = xzalloc(sizeof *server);
    server->listener = listener;
    server->path = abs_path;
    plx_list_init(&server->conns);
    *serverp = server;
    return 0;
}

const char *
unixctl_server_get_path(const struct unixctl_server *server)
{
    return server->path;
}

/* Runs the command that REQUEST asks for on CONN. */
static void
unixctl_process_request(struct unixctl_conn *conn,
                        const struct jsonrpc_msg *request)
{
    const struct unixctl_command *command;
    const char **argv;
    size_t n_params;
    char *error = NULL;

    conn->request_id = json_incref(request->id);
    n_params = json_array_size(request->params);
    command = unixctl_command_find(request->method);
    if (!command) {
        error = xasprintf("\"%s\" is not a valid command (use "
                          "\"list-commands\" to see a list of valid "
                          "commands)", request->method);
    } else if (n_params < command->min_args) {
        error = xasprintf("\"%s\" command requires at least %d arguments",
                          request->method, command->min_args);
    } else if (n_params > command->max_args) {
        error = xasprintf("\"%s\" command takes at most %d arguments",
                          request->method, command->max_args);
    } else {
        for (size_t i = 0; i < n_params; i++) {
            json_t *p = json_array_get(request->params, i);
            if (!json_is_string(p)) {
                error = xasprintf("\"%s\" command has non-string argument "
                                  "%zu (%s)", request->method, i + 1,
                                  json_type_name(p));
                break;
            }
        }
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    argv = xmalloc((n_params + 2) * sizeof *argv);
    argv[0] = request->method;
    for (size_t i = 0; i < n_params; i++) {
        argv[i + 1] = json_string_value(json_array_get(request->params, i));
    }
    argv[n_params + 1] = NULL;
    command->cb(conn, n_params + 1, argv, command->aux);
    free(argv);
}

/* Returns 0 while CONN should live on, else an error. */
static int
unixctl_run_connection(struct unixctl_conn *conn)
{
    jsonrpc_run(conn->rpc);
    /* Keep CONN for a pending (deferred) reply, even after an error. */
    if (conn->request_id) {
        return 0;
    }

    for (int i = 0; i < 10 && !conn->request_id; i++) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(conn->rpc, &msg);

        if (error) {
            return error == EAGAIN ? jsonrpc_get_status(conn->rpc) : error;
        }
        if (msg->type == JSONRPC_REQUEST) {
            unixctl_process_request(conn, msg);
        } else {
            VLOG_WARN_RL(&rl, "%s: received unexpected %s message",
                         jsonrpc_get_name(conn->rpc),
                         jsonrpc_msg_type_to_string(msg->type));
            jsonrpc_msg_destroy(msg);
            return EPROTO;
        }
        jsonrpc_msg_destroy(msg);
        jsonrpc_run(conn->rpc);
    }
    return jsonrpc_get_status(conn->rpc);
}

static void
unixctl_conn_destroy(struct unixctl_server *server,
                     struct unixctl_conn *conn)
{
    plx_list_remove(&conn->list_node);
    server->n_conns--;
    jsonrpc_close(conn->rpc);
    json_decref(conn->request_id);
    free(conn);
}

void
unixctl_server_run(struct unixctl_server *server)
{
    struct unixctl_conn *conn;

    if (!server) {
        return;
    }

    for (int i = 0; i < 10 && server->n_conns < UNIXCTL_MAX_CONNS; i++) {
        struct stream *stream;
        int error = pstream_accept(server->listener, &stream);

        if (!error) {
            conn = xzalloc(sizeof *conn);
            conn->rpc = jsonrpc_open(stream);
            plx_list_push_back(&server->conns, &conn->list_node);
            server->n_conns++;
        } else {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&rl, "%s: accept failed: %s",
                             pstream_get_name(server->listener),
                             plx_strerror(error));
            }
            break;
        }
    }

    LIST_FOR_EACH_SAFE (conn, list_node, &server->conns) {
        int error = unixctl_run_connection(conn);
        if (error && error != EAGAIN) {
            unixctl_conn_destroy(server, conn);
        }
    }
}

void
unixctl_server_wait(struct unixctl_server *server)
{
    struct unixctl_conn *conn;

    if (!server) {
        return;
    }

    if (server->n_conns < UNIXCTL_MAX_CONNS) {
        pstream_wait(server->listener);
    }
    LIST_FOR_EACH (conn, list_node, &server->conns) {
        jsonrpc_wait(conn->rpc);
        if (!conn->request_id) {
            jsonrpc_recv_wait(conn->rpc);
        }
    }
}

void
unixctl_server_destroy(struct unixctl_server *server)
{
    if (server) {
        struct unixctl_conn *conn;

        LIST_FOR_EACH_SAFE (conn, list_node, &server->conns) {
            unixctl_conn_destroy(server, conn);
        }
        pstream_close(server->listener);
        free(server->path);
        free(server);
    }
}

/* ---- Client. ---- */

int
unixctl_client_create(const char *path, long long int timeout_ms,
                      struct jsonrpc **clientp)
{
    char *abs_path = unixctl_abs_path(path);
    char *name = xasprintf("unix:%s", abs_path);
    struct stream *stream;
    int error;

    *clientp = NULL;
    error = stream_open_block(stream_open(name, &stream), timeout_ms,
                              &stream);
    free(name);
    free(abs_path);
    if (!error) {
        *clientp = jsonrpc_open(stream);
    }
    return error;
}

/* The text of a reply's result or error: a string's value, or else the
 * JSON itself. */
static char *
unixctl_reply_text(const json_t *json)
{
    return (json_is_string(json)
            ? xstrdup(json_string_value(json))
            : json_to_string_canonical(json));
}

int
unixctl_client_transact(struct jsonrpc *client, const char *command,
                        int argc, const char *const argv[],
                        char **result, char **error)
{
    struct jsonrpc_msg *request, *reply;
    int retval;

    *result = NULL;
    *error = NULL;

    request = jsonrpc_create_request(command, json_string_array(argc, argv),
                                     NULL);
    retval = jsonrpc_transact_block(client, request, &reply);
    if (retval) {
        return retval;
    }

    if (reply->type == JSONRPC_ERROR) {
        *error = unixctl_reply_text(reply->error);
    } else {
        *result = unixctl_reply_text(reply->result);
    }
    jsonrpc_msg_destroy(reply);
    return 0;
}
