/*
 * jsonrpc-server: the OVSDB protocol (RFC 7047, with the extensions of
 * Open vSwitch's ovsdb-server(7)) served over JSON-RPC to many clients.
 *
 * A server has databases (each optionally backed by a storage, see
 * storage.h; it owns both), the "_Server" database describing them
 * (server-db.h), passive remotes ("punix:", "ptcp:", "pssl:") on which it
 * accepts connections, and one session per client.  Methods: list_dbs,
 * get_schema, transact, cancel (a notification, as in RFC 7047), monitor,
 * monitor_cond, monitor_cond_since, monitor_cond_change, monitor_cancel,
 * lock, steal, unlock, echo, set_db_change_aware; anything else gets the
 * error "unknown method".  Errors read as ovsdb-server's.
 *
 * One iteration of ovsdb_jsonrpc_server_run():
 *
 *   1. accepts new connections, and reads and executes up to 50 requests
 *      from each session whose earlier output has drained (a client that
 *      does not read its replies is not read from either);
 *   2. retries the transactions blocked in "wait" operations (see
 *      execution.h) whose database changed or whose timeout expired;
 *   3. group commit: makes every transaction committed in steps 1 and 2
 *      durable with one ovsdb_storage_commit_block() per database;
 *   4. only then sends what the iteration produced: replies, and the
 *      update notifications that monitors composed as the transactions
 *      committed.
 *
 * So no client ever hears of a change, its own or another's, before it is
 * on disk, and a session's replies and notifications leave in the order
 * they were produced: a client sees the update for its own transaction
 * before the transaction's reply, as with ovsdb-server.  (A transaction
 * blocked in "wait" does not hold up the requests after it, as in
 * ovsdb-server; its reply comes whenever it completes, or "canceled".)
 * If step 3 fails the server stops serving: run() returns the error and
 * sends nothing; the caller should exit, since memory now holds changes
 * that may not be on disk.  After step 4, a database whose log grew a
 * lot is compacted.  Not thread-safe: one thread runs a server.
 *
 * Monitors compose their updates when a transaction commits (the server
 * is a replica of each database, after the storage).  Monitors whose
 * requests are equal (same version, columns and selections, no
 * conditions) share one composed update per transaction, which is also
 * serialized to JSON text only once: each client's notification is its
 * monitor's own prefix (method and monitor ID, serialized when the
 * monitor is created) spliced with that shared text, queued by reference
 * on every connection (jsonrpc_send_serialized()).  The bytes are those
 * jsonrpc_send() would have written for the same notification.  This
 * keeps fan-out to many identical clients (every plx-vswitchd, every
 * ovs-vsctl) cheap.
 *
 * Sessions normally sit on a jsonrpc_session.  "Local" sessions (for
 * tests and the fuzzer) have none: messages are handed in with
 * ovsdb_jsonrpc_session_receive() and the output, once run() has sent
 * it, is taken with ovsdb_jsonrpc_session_pop_output().
 *
 * Hostile input: every request is validated and answered with an error
 * rather than trusted; framing errors and messages larger than the
 * JSON-RPC limit close the offending session (with a rate-limited log
 * line) and never affect others.
 */
#ifndef PLX_OVSDB_JSONRPC_SERVER_H
#define PLX_OVSDB_JSONRPC_SERVER_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct ds;
struct jsonrpc_msg;
struct ovsdb;
struct ovsdb_error;
struct ovsdb_jsonrpc_server;
struct ovsdb_jsonrpc_session;
struct ovsdb_storage;
struct sset;

struct ovsdb_jsonrpc_server *ovsdb_jsonrpc_server_create(void);
/* Closes every session and remote and destroys every database. */
void ovsdb_jsonrpc_server_destroy(struct ovsdb_jsonrpc_server *);

/* Databases.  The server takes DB and its STORAGE (NULL for a database
 * that lives only in memory).  Returns false (and takes nothing) if a
 * database with the same name is already served. */
bool ovsdb_jsonrpc_server_add_db(struct ovsdb_jsonrpc_server *,
                                 struct ovsdb *, struct ovsdb_storage *);
struct ovsdb *ovsdb_jsonrpc_server_get_db(const struct ovsdb_jsonrpc_server *,
                                          const char *name);
/* Names of the databases served (including _Server), sorted. */
void ovsdb_jsonrpc_server_get_db_names(const struct ovsdb_jsonrpc_server *,
                                       struct sset *);

/* Compacts database NAME, or every database with storage if NAME is
 * NULL.  Returns NULL or a malloc'd error message. */
char *ovsdb_jsonrpc_server_compact(struct ovsdb_jsonrpc_server *,
                                   const char *name) PLX_WARN_UNUSED_RESULT;

/* Remotes.  add_remote() returns 0 or an errno value (already logged);
 * adding a name twice is allowed and does nothing. */
int ovsdb_jsonrpc_server_add_remote(struct ovsdb_jsonrpc_server *,
                                    const char *name);
bool ovsdb_jsonrpc_server_remove_remote(struct ovsdb_jsonrpc_server *,
                                        const char *name);
void ovsdb_jsonrpc_server_get_remotes(const struct ovsdb_jsonrpc_server *,
                                      struct sset *);
/* The port a "ptcp:0"/"pssl:0" remote NAME got, or 0. */
int ovsdb_jsonrpc_server_get_bound_port(const struct ovsdb_jsonrpc_server *,
                                        const char *name);
/* Drops every client connection (they may reconnect). */
void ovsdb_jsonrpc_server_reconnect(struct ovsdb_jsonrpc_server *);
/* Largest message accepted from a client, for new connections (0: the
 * JSON-RPC default). */
void ovsdb_jsonrpc_server_set_max_msg_bytes(struct ovsdb_jsonrpc_server *,
                                            size_t);

/* Main loop (see above).  run() returns NULL, or a storage error after
 * which the server must not go on. */
struct ovsdb_error *ovsdb_jsonrpc_server_run(struct ovsdb_jsonrpc_server *)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_jsonrpc_server_wait(struct ovsdb_jsonrpc_server *);

/* Appends counters ("sessions:N monitors:N triggers:N locks:N") to DS. */
void ovsdb_jsonrpc_server_get_memory_usage(
    const struct ovsdb_jsonrpc_server *, struct ds *);

/* Local sessions. */
struct ovsdb_jsonrpc_session *ovsdb_jsonrpc_server_open_local(
    struct ovsdb_jsonrpc_server *, const char *name);
/* Handles MSG (taking it) as if SESSION had received it. */
void ovsdb_jsonrpc_session_receive(struct ovsdb_jsonrpc_session *,
                                   struct jsonrpc_msg *);
/* The next message sent to SESSION, which the caller then owns, or
 * NULL. */
struct jsonrpc_msg *ovsdb_jsonrpc_session_pop_output(
    struct ovsdb_jsonrpc_session *);
/* The exact text of the next message sent to SESSION (malloc'd, the
 * caller frees it), or NULL.  This and pop_output() take from the same
 * queue. */
char *ovsdb_jsonrpc_session_pop_output_text(struct ovsdb_jsonrpc_session *);
/* Closes SESSION as if its client went away. */
void ovsdb_jsonrpc_session_close(struct ovsdb_jsonrpc_session *);

#endif /* ovsdb/jsonrpc-server.h */
