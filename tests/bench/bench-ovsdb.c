/* bench-ovsdb: an OVSDB (RFC 7047) server's durable transaction rate and
 * monitor fan-out, measured over JSON-RPC against any server that serves
 * the database of tests/bench/bench.ovsschema.
 *
 *     bench-ovsdb [--label=NAME] [--txns=N] [--pipeline=K] [--clients=C]
 *                 [--commits=M] [--only=txn|fanout] [--server-pid=PID]
 *                 REMOTE
 *
 * tests/bench/run-ovsdb-bench.sh runs it against plx-dbserver and
 * Debian's ovsdb-server in one run and computes the ratios.
 *
 * Transactions ("bench":"ovsdb-txn").  N transactions, each inserting one
 * small Item row (an integer and a short string).  "commit":"durable"
 * appends {"op":"commit","durable":true} to every transaction:
 * ovsdb-server fsyncs its log only for such transactions, plx-dbserver
 * for every transaction, so with it both servers reply only once the
 * transaction is on disk.  "commit":"none" sends no commit operation
 * (plx-dbserver still fsyncs; ovsdb-server then does not) and is printed
 * for information only.  "pipeline" is the number of transactions kept
 * outstanding on the one connection: 1 measures round trips including
 * the fsync, K > 1 lets a server batch several transactions into one
 * fsync if it can.  Latency is from sending a request to its reply.
 *
 * Fan-out ("bench":"ovsdb-fanout").  C clients, each with its own
 * connection and a monitor_cond on the Item table (update2
 * notifications).  One more connection commits M durable transactions,
 * each inserting one row, keeping "window" commits in flight.  A commit's
 * latency is from sending the transaction until the last of the C
 * clients has received the row; updates_per_sec counts rows delivered
 * (C * M) over the phase's wall time.  Every client must receive every
 * row exactly once, or the benchmark fails.
 *
 * The client is one thread running a poll loop over all connections with
 * lib/jsonrpc.h.  It reports its own CPU use over each phase
 * ("client_cpu", CPU seconds per wall second) so that a reader can tell
 * whether the client, rather than the server, limited a result.  On this
 * two-core machine a client near 1.0 is saturated and the server may have
 * had CPU to spare.  With --server-pid, it also reports the server's CPU
 * time per transaction or per delivered update (from /proc/PID/stat, so
 * at clock-tick resolution), which compares servers' efficiency even
 * when the client is the bottleneck.  Each
 * phase starts by deleting every Item row, so that monitors start empty
 * and the database stays small, and ends by checking how many rows the
 * server holds.  Any error (a failed transaction, a lost update, no
 * progress for 20 s) ends the program with status 1. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

#define DB_NAME "Bench"
#define STALL_MSEC 20000

struct options {
    const char *label;
    const char *remote;
    int txns;
    int pipeline;
    int clients;
    int commits;
    const char *only;
    int server_pid;             /* 0: unknown. */
};

/* ---- Connections and small helpers. ---- */

/* Connects to REMOTE, retrying for a while if the server's listen
 * backlog is full (EAGAIN from a unix socket). */
static struct jsonrpc *
connect_remote(const char *remote)
{
    long long int deadline = time_msec() + 10000;

    for (;;) {
        struct stream *stream;
        int error = stream_open_block(stream_open(remote, &stream), 10000,
                                      &stream);
        if (!error) {
            return jsonrpc_open(stream);
        } else if (error != EAGAIN || time_msec() > deadline) {
            plx_fatal(0, "%s: connection failed (%s)", remote,
                      plx_strerror(error));
        }
        plx_msleep(1);
    }
}

static double
cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds used so far by process PID (user plus system), from
 * /proc/PID/stat, or -1 if PID is 0 or unreadable.  Resolution: one clock
 * tick (usually 10 ms). */
static double
process_cpu_seconds(int pid)
{
    if (!pid) {
        return -1;
    }

    char name[64], buf[1024];
    snprintf(name, sizeof name, "/proc/%d/stat", pid);
    FILE *f = fopen(name, "r");
    if (!f) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';

    /* Fields after the command name in parentheses: state is field 3,
     * utime 14 and stime 15. */
    const char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                     "%llu %llu", &utime, &stime) != 2) {
        return -1;
    }
    return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Formats the server's CPU microseconds per unit of work, or null. */
static const char *
server_cpu_per(double cpu0, double cpu1, double units, char *buf,
               size_t size)
{
    if (cpu0 < 0 || cpu1 < 0) {
        return "null";
    }
    snprintf(buf, size, "%.1f", (cpu1 - cpu0) * 1e6 / units);
    return buf;
}

static void
check_stall(long long int last_progress, const char *what)
{
    if (time_msec() - last_progress > STALL_MSEC) {
        plx_fatal(0, "%s: no progress for %d s", what, STALL_MSEC / 1000);
    }
    poll_timer_wait_until(last_progress + STALL_MSEC + 1);
}

/* Returns NULL if REPLY is a successful reply to a transact whose every
 * operation succeeded, else a malloc'd description of the failure. */
static char *
transact_error(const struct jsonrpc_msg *reply)
{
    if (reply->type != JSONRPC_REPLY) {
        char *s = jsonrpc_msg_to_string(reply);
        char *e = xasprintf("error reply %s", s);
        free(s);
        return e;
    }
    if (!json_is_array(reply->result)) {
        return xstrdup("transact result is not an array");
    }

    size_t i;
    json_t *op;
    json_array_foreach (reply->result, i, op) {
        if (json_is_object(op) && json_object_get(op, "error")) {
            char *s = json_to_string_canonical(op);
            char *e = xasprintf("operation %zu failed: %s", i, s);
            free(s);
            return e;
        }
    }
    return NULL;
}

/* Sends a transaction with operations OPS (stolen) and waits for its
 * reply; dies on any failure.  Returns the result array (caller
 * decrefs). */
static json_t *
transact_block(struct jsonrpc *rpc, json_t *ops)
{
    json_t *params = json_array();
    json_array_append_new(params, json_string(DB_NAME));
    json_array_extend(params, ops);
    json_decref(ops);

    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(
        rpc, jsonrpc_create_request("transact", params, NULL), &reply);
    if (error) {
        plx_fatal(0, "%s: transaction failed (%s)", jsonrpc_get_name(rpc),
                  plx_strerror(error));
    }
    char *err = transact_error(reply);
    if (err) {
        plx_fatal(0, "%s: %s", jsonrpc_get_name(rpc), err);
    }
    json_t *result = json_incref(reply->result);
    jsonrpc_msg_destroy(reply);
    return result;
}

/* Deletes every Item row. */
static void
delete_items(struct jsonrpc *rpc)
{
    json_decref(transact_block(rpc, json_pack(
        "[{s:s, s:s, s:[]}, {s:s, s:b}]",
        "op", "delete", "table", "Item", "where",
        "op", "commit", "durable", 1)));
}

/* Returns the number of Item rows. */
static size_t
count_items(struct jsonrpc *rpc)
{
    json_t *result = transact_block(rpc, json_pack(
        "[{s:s, s:s, s:[], s:[s]}]",
        "op", "select", "table", "Item", "where", "columns", "seq"));
    json_t *rows = json_object_get(json_array_get(result, 0), "rows");
    size_t n = json_array_size(rows);
    json_decref(result);
    return n;
}

/* A transact request inserting Item row SEQ, durable if DURABLE.  Stores
 * the request's id (a new reference) in '*idp'. */
static struct jsonrpc_msg *
insert_request(long long int seq, bool durable, json_t **idp)
{
    char name[32];
    snprintf(name, sizeof name, "item-%lld", seq);

    json_t *params = json_pack("[s, {s:s, s:s, s:{s:I, s:s}}]",
                               DB_NAME, "op", "insert", "table", "Item",
                               "row", "seq", (json_int_t) seq,
                               "name", name);
    if (durable) {
        json_array_append_new(params, json_pack("{s:s, s:b}", "op",
                                                "commit", "durable", 1));
    }
    return jsonrpc_create_request("transact", params, idp);
}

/* ---- Latency statistics. ---- */

struct latency_stats {
    double mean_us, p50_us, p99_us, max_us;
};

static int
compare_ll(const void *a_, const void *b_)
{
    long long int a = *(const long long int *) a_;
    long long int b = *(const long long int *) b_;
    return a < b ? -1 : a > b;
}

/* Summarizes the N latencies in nanoseconds at NS (sorts them). */
static struct latency_stats
summarize(long long int *ns, size_t n)
{
    struct latency_stats s = { 0, 0, 0, 0 };
    if (!n) {
        return s;
    }
    qsort(ns, n, sizeof *ns, compare_ll);

    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += ns[i];
    }
    s.mean_us = sum / n / 1e3;
    s.p50_us = ns[n / 2] / 1e3;
    s.p99_us = ns[(n * 99 + 99) / 100 - 1] / 1e3;
    s.max_us = ns[n - 1] / 1e3;
    return s;
}

/* ---- Transactions per second. ---- */

struct pending {
    json_t *id;                 /* NULL if the slot is free. */
    long long int seq;
    long long int sent_ns;
};

static void
bench_txn(const struct options *o, struct jsonrpc *rpc, bool durable,
          int window)
{
    struct pending *slots = xcalloc(window, sizeof *slots);
    long long int *lat = xcalloc(o->txns, sizeof *lat);
    int sent = 0, done = 0, outstanding = 0;

    delete_items(rpc);

    double cpu0 = cpu_seconds();
    double server0 = process_cpu_seconds(o->server_pid);
    long long int start = time_nsec();
    long long int last_progress = time_msec();
    while (done < o->txns) {
        bool progress = false;

        for (int i = 0; i < window && sent < o->txns; i++) {
            if (!slots[i].id) {
                slots[i].seq = sent;
                slots[i].sent_ns = time_nsec();
                int error = jsonrpc_send(rpc, insert_request(
                                             sent, durable, &slots[i].id));
                if (error) {
                    plx_fatal(0, "%s: send failed (%s)",
                              jsonrpc_get_name(rpc), plx_strerror(error));
                }
                sent++;
                outstanding++;
            }
        }
        jsonrpc_run(rpc);

        for (;;) {
            struct jsonrpc_msg *msg;
            int error = jsonrpc_recv(rpc, &msg);
            if (error == EAGAIN) {
                break;
            } else if (error) {
                plx_fatal(0, "%s: receive failed (%s)",
                          jsonrpc_get_name(rpc), plx_strerror(error));
            }
            if (msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR) {
                int i;
                for (i = 0; i < window; i++) {
                    if (slots[i].id && json_equal(slots[i].id, msg->id)) {
                        break;
                    }
                }
                if (i == window) {
                    plx_fatal(0, "reply with unknown id");
                }
                char *err = transact_error(msg);
                if (err) {
                    plx_fatal(0, "%s: transaction %lld: %s",
                              jsonrpc_get_name(rpc), slots[i].seq, err);
                }
                lat[done++] = time_nsec() - slots[i].sent_ns;
                json_decref(slots[i].id);
                slots[i].id = NULL;
                outstanding--;
                progress = true;
            }
            jsonrpc_msg_destroy(msg);
        }

        if (progress) {
            last_progress = time_msec();
            continue;
        }
        check_stall(last_progress, "transactions");
        jsonrpc_wait(rpc);
        jsonrpc_recv_wait(rpc);
        poll_block();
    }
    double secs = (time_nsec() - start) / 1e9;
    double cpu = cpu_seconds() - cpu0;
    double server1 = process_cpu_seconds(o->server_pid);
    char sbuf[32];

    size_t rows = count_items(rpc);
    if (rows != (size_t) o->txns) {
        plx_fatal(0, "%zu rows after %d inserts", rows, o->txns);
    }

    struct latency_stats s = summarize(lat, o->txns);
    printf("{\"bench\":\"ovsdb-txn\",\"server\":\"%s\",\"commit\":\"%s\","
           "\"pipeline\":%d,\"txns\":%d,\"seconds\":%.3f,"
           "\"txn_per_sec\":%.0f,\"mean_latency_us\":%.1f,"
           "\"p50_latency_us\":%.1f,\"p99_latency_us\":%.1f,"
           "\"max_latency_us\":%.1f,\"client_cpu\":%.2f,"
           "\"server_cpu_us_per_txn\":%s}\n",
           o->label, durable ? "durable" : "none", window, o->txns, secs,
           o->txns / secs, s.mean_us, s.p50_us, s.p99_us, s.max_us,
           cpu / secs,
           server_cpu_per(server0, server1, o->txns, sbuf, sizeof sbuf));
    fflush(stdout);
    free(lat);
    free(slots);
}

/* ---- Monitor fan-out. ---- */

struct fanout {
    int n_clients;
    int commits;
    struct jsonrpc **clients;
    long long int *updates;     /* Per client: rows received. */
    unsigned long long notifications;
    int *got;                   /* Per commit: clients that have the row. */
    long long int *sent_ns;     /* Per commit: when the writer sent it. */
    long long int *lat;         /* Per commit: sent until all clients. */
    bool *replied;              /* Per commit: the writer got its reply. */
    int delivered;              /* Commits that every client has. */
    int complete;               /* ...and whose reply the writer has. */
};

/* Counts the rows inserted by update2 notification MSG for client I. */
static void
fanout_handle_update(struct fanout *f, int i, const struct jsonrpc_msg *msg)
{
    json_t *rows = json_object_get(json_array_get(msg->params, 1), "Item");
    const char *uuid;
    json_t *row;

    f->notifications++;
    json_object_foreach (rows, uuid, row) {
        json_t *insert = json_object_get(row, "insert");
        if (!insert) {
            continue;
        }
        /* update2 leaves out columns with default values: seq 0. */
        json_t *seq = json_object_get(insert, "seq");
        if (seq && (!json_is_integer(seq) || json_integer_value(seq) < 0
                    || json_integer_value(seq) >= f->commits)) {
            plx_fatal(0, "client %d: unexpected row %s", i, uuid);
        }
        int s = seq ? json_integer_value(seq) : 0;
        f->updates[i]++;
        if (++f->got[s] == f->n_clients) {
            f->lat[s] = time_nsec() - f->sent_ns[s];
            f->delivered++;
            f->complete += f->replied[s];
        } else if (f->got[s] > f->n_clients) {
            plx_fatal(0, "row %d delivered more than once", s);
        }
    }
}

/* Receives everything client I has; returns true if anything came. */
static bool
fanout_recv_client(struct fanout *f, int i)
{
    struct jsonrpc *rpc = f->clients[i];
    bool progress = false;

    jsonrpc_run(rpc);
    for (;;) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(rpc, &msg);
        if (error == EAGAIN) {
            return progress;
        } else if (error) {
            plx_fatal(0, "client %d: receive failed (%s)", i,
                      plx_strerror(error));
        }
        progress = true;
        if (msg->type == JSONRPC_NOTIFY && !strcmp(msg->method, "update2")) {
            fanout_handle_update(f, i, msg);
        } else if (msg->type == JSONRPC_ERROR) {
            char *s = jsonrpc_msg_to_string(msg);
            plx_fatal(0, "client %d: %s", i, s);
        }
        jsonrpc_msg_destroy(msg);
    }
}

/* Opens the clients and sets up their monitors, one after another (a
 * burst of connections would overflow a server's listen backlog). */
static void
fanout_open_clients(struct fanout *f, const char *remote)
{
    for (int i = 0; i < f->n_clients; i++) {
        struct jsonrpc_msg *reply;

        f->clients[i] = connect_remote(remote);
        json_t *params = json_pack("[s, i, {s:[{s:[s, s]}]}]", DB_NAME, i,
                                   "Item", "columns", "seq", "name");
        int error = jsonrpc_transact_block(
            f->clients[i],
            jsonrpc_create_request("monitor_cond", params, NULL), &reply);
        if (error) {
            plx_fatal(0, "client %d: monitor_cond failed (%s)", i,
                      plx_strerror(error));
        } else if (reply->type != JSONRPC_REPLY) {
            char *s = jsonrpc_msg_to_string(reply);
            plx_fatal(0, "client %d: monitor_cond: %s", i, s);
        }
        jsonrpc_msg_destroy(reply);
    }
}

static void
bench_fanout(const struct options *o, struct jsonrpc *writer, int window)
{
    struct fanout f;
    memset(&f, 0, sizeof f);
    f.n_clients = o->clients;
    f.commits = o->commits;
    f.clients = xcalloc(f.n_clients, sizeof *f.clients);
    f.updates = xcalloc(f.n_clients, sizeof *f.updates);
    f.got = xcalloc(f.commits, sizeof *f.got);
    f.sent_ns = xcalloc(f.commits, sizeof *f.sent_ns);
    f.lat = xcalloc(f.commits, sizeof *f.lat);
    f.replied = xcalloc(f.commits, sizeof *f.replied);

    delete_items(writer);
    fanout_open_clients(&f, o->remote);

    /* 'ids[k % window]' is the id of commit k's request while the writer
     * waits for its reply. */
    json_t **ids = xcalloc(window, sizeof *ids);
    int sent = 0, replies = 0;
    double cpu0 = cpu_seconds();
    double server0 = process_cpu_seconds(o->server_pid);
    long long int start = time_nsec();
    long long int last_progress = time_msec();
    while (f.delivered < f.commits || replies < f.commits) {
        bool progress = false;

        /* A commit is in flight until every client has it and the writer
         * has its reply. */
        while (sent < f.commits && sent - f.complete < window
               && !ids[sent % window]) {
            f.sent_ns[sent] = time_nsec();
            int error = jsonrpc_send(writer, insert_request(
                                         sent, true, &ids[sent % window]));
            if (error) {
                plx_fatal(0, "writer: send failed (%s)",
                          plx_strerror(error));
            }
            sent++;
        }
        jsonrpc_run(writer);

        for (;;) {
            struct jsonrpc_msg *msg;
            int error = jsonrpc_recv(writer, &msg);
            if (error == EAGAIN) {
                break;
            } else if (error) {
                plx_fatal(0, "writer: receive failed (%s)",
                          plx_strerror(error));
            }
            if (msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR) {
                int k;
                for (k = replies; k < sent; k++) {
                    if (ids[k % window] && !f.replied[k]
                        && json_equal(ids[k % window], msg->id)) {
                        break;
                    }
                }
                if (k == sent) {
                    plx_fatal(0, "writer: reply with unknown id");
                }
                char *err = transact_error(msg);
                if (err) {
                    plx_fatal(0, "writer: commit %d: %s", k, err);
                }
                f.replied[k] = true;
                f.complete += f.got[k] == f.n_clients;
                json_decref(ids[k % window]);
                ids[k % window] = NULL;
                while (replies < sent && f.replied[replies]) {
                    replies++;
                }
                progress = true;
            }
            jsonrpc_msg_destroy(msg);
        }

        for (int i = 0; i < f.n_clients; i++) {
            progress |= fanout_recv_client(&f, i);
        }

        if (progress) {
            last_progress = time_msec();
            continue;
        }
        check_stall(last_progress, "fan-out");
        jsonrpc_wait(writer);
        jsonrpc_recv_wait(writer);
        for (int i = 0; i < f.n_clients; i++) {
            jsonrpc_wait(f.clients[i]);
            jsonrpc_recv_wait(f.clients[i]);
        }
        poll_block();
    }
    double secs = (time_nsec() - start) / 1e9;
    double cpu = cpu_seconds() - cpu0;
    double server1 = process_cpu_seconds(o->server_pid);
    char sbuf[32];

    for (int i = 0; i < f.n_clients; i++) {
        if (f.updates[i] != f.commits) {
            plx_fatal(0, "client %d received %lld rows, expected %d", i,
                      f.updates[i], f.commits);
        }
    }
    size_t rows = count_items(writer);
    if (rows != (size_t) f.commits) {
        plx_fatal(0, "%zu rows after %d inserts", rows, f.commits);
    }

    struct latency_stats s = summarize(f.lat, f.commits);
    printf("{\"bench\":\"ovsdb-fanout\",\"server\":\"%s\","
           "\"commit\":\"durable\",\"clients\":%d,\"window\":%d,"
           "\"commits\":%d,\"seconds\":%.3f,\"commits_per_sec\":%.0f,"
           "\"updates_per_sec\":%.0f,\"notifications\":%llu,"
           "\"mean_latency_us\":%.1f,\"p50_latency_us\":%.1f,"
           "\"p99_latency_us\":%.1f,\"max_latency_us\":%.1f,"
           "\"client_cpu\":%.2f,\"server_cpu_us_per_update\":%s}\n",
           o->label, f.n_clients, window, f.commits, secs,
           f.commits / secs, (double) f.n_clients * f.commits / secs,
           f.notifications, s.mean_us, s.p50_us, s.p99_us, s.max_us,
           cpu / secs,
           server_cpu_per(server0, server1, (double) f.n_clients * f.commits,
                          sbuf, sizeof sbuf));
    fflush(stdout);

    for (int i = 0; i < f.n_clients; i++) {
        jsonrpc_close(f.clients[i]);
    }
    free(ids);
    free(f.clients);
    free(f.updates);
    free(f.got);
    free(f.sent_ns);
    free(f.lat);
    free(f.replied);
}

/* ---- Main. ---- */

static int
parse_positive(const char *name, const char *s)
{
    int n;
    if (!str_to_int(s, 10, &n) || n <= 0) {
        plx_fatal(0, "--%s: positive integer expected, not \"%s\"", name,
                  s);
    }
    return n;
}

static void PLX_NO_RETURN
usage(void)
{
    printf("%s: OVSDB server benchmark\n"
           "usage: %s [OPTIONS] REMOTE\n"
           "REMOTE (unix:FILE, tcp:IP:PORT) serves tests/bench/"
           "bench.ovsschema.\n"
           "  --label=NAME     server name for the output\n"
           "  --txns=N         transactions per rate run (default 2000)\n"
           "  --pipeline=K     outstanding transactions (default 16)\n"
           "  --clients=C      monitoring clients (default 100)\n"
           "  --commits=M      commits in each fan-out run (default 500)\n"
           "  --only=txn|fanout  run only one kind\n"
           "  --server-pid=PID report the server's CPU use per unit of "
           "work\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    static const struct option long_options[] = {
        {"label", required_argument, NULL, 'l'},
        {"txns", required_argument, NULL, 'n'},
        {"pipeline", required_argument, NULL, 'k'},
        {"clients", required_argument, NULL, 'c'},
        {"commits", required_argument, NULL, 'm'},
        {"only", required_argument, NULL, 'o'},
        {"server-pid", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'l': o->label = optarg; break;
        case 'n': o->txns = parse_positive("txns", optarg); break;
        case 'k': o->pipeline = parse_positive("pipeline", optarg); break;
        case 'c': o->clients = parse_positive("clients", optarg); break;
        case 'm': o->commits = parse_positive("commits", optarg); break;
        case 'o':
            if (strcmp(optarg, "txn") && strcmp(optarg, "fanout")) {
                plx_fatal(0, "--only: txn or fanout expected");
            }
            o->only = optarg;
            break;
        case 'p':
            o->server_pid = parse_positive("server-pid", optarg);
            break;
        case 'h': usage();
        default: exit(EXIT_FAILURE);
        }
    }
    if (optind != argc - 1) {
        plx_fatal(0, "exactly one REMOTE argument expected (use --help)");
    }
    o->remote = argv[optind];
}

int
main(int argc, char *argv[])
{
    struct options o = {
        .label = "unknown", .txns = 2000, .pipeline = 16,
        .clients = 100, .commits = 500, .only = NULL,
    };

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    /* 100 clients plus the writer, with room to spare. */
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 4096
        && rl.rlim_max > rl.rlim_cur) {
        rl.rlim_cur = MIN(rl.rlim_max, 4096);
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    struct jsonrpc *rpc = connect_remote(o.remote);
    if (!o.only || !strcmp(o.only, "txn")) {
        bench_txn(&o, rpc, true, 1);
        bench_txn(&o, rpc, true, o.pipeline);
        bench_txn(&o, rpc, false, 1);
    }
    if (!o.only || !strcmp(o.only, "fanout")) {
        bench_fanout(&o, rpc, 1);
        bench_fanout(&o, rpc, o.pipeline);
    }
    jsonrpc_close(rpc);
    return 0;
}
