/*
 * ovsdb-idl: an OVSDB client that keeps an in-memory replica of (part of)
 * a database and changes it through transactions.
 *
 * This is how plx-vswitchd and plx-vsctl use the configuration database,
 * and it behaves like Open vSwitch's lib/ovsdb-idl against any RFC 7047
 * server (plx-dbserver or ovsdb-server).
 *
 * Classes.  An IDL is created for a class (ovsdb-idl-provider.h): the
 * tables and columns the client knows, with their types.  Generated code
 * (ovsdb/plx-idlc) provides a class with typed row structs; a program that
 * only knows the schema at run time uses ovsdb_idl_class_create().
 *
 * Registration.  With 'monitor_everything' the IDL replicates every table
 * and column of the class; otherwise only what ovsdb_idl_add_table() and
 * ovsdb_idl_add_column() name.  ovsdb_idl_omit() stops replicating a
 * column (it can still be written); ovsdb_idl_omit_alert() replicates it
 * but its changes neither bump the sequence number nor get tracked (for
 * columns the client itself writes, such as statistics).  Register before
 * the first ovsdb_idl_run().
 *
 * Connection.  ovsdb_idl_run() drives everything: on each (re)connection
 * it asks for the server's schema ("get_schema"), logs once and treats as
 * absent each table or column the server lacks (a client built for a
 * newer schema works against an older server; absent columns read as
 * their default and writes to them are dropped with a warning), then
 * sends "monitor_cond" (falling back to RFC 7047 "monitor" when the
 * server answers "unknown method") and applies "update2" (or "update")
 * notifications.  The reply to the monitor request is a full snapshot:
 * rows the replica has but the snapshot lacks (deleted while
 * disconnected) are reported deleted, changed ones modified.  The IDL
 * does not declare itself "db change aware", so a server whose database
 * is converted or removed disconnects it and it resynchronizes.
 * Malformed updates are logged (rate-limited) and ignored row by row.
 *
 * Sequence number.  ovsdb_idl_get_seqno() changes whenever the replica
 * changes (in an alerting column), on lock changes and on reconnection:
 * a daemon re-reads its configuration when it changes.
 *
 * Conditions (monitor_cond only).  ovsdb_idl_set_condition() restricts a
 * table to rows matching any clause of a condition; changes are sent with
 * "monitor_cond_change".  An empty condition matches nothing; a table
 * without one is replicated whole.  The function returns the condition
 * sequence number (ovsdb_idl_get_condition_seqno()) at which the replica
 * reflects the new condition.  With plain "monitor" conditions cannot be
 * applied and whole tables are replicated.
 *
 * Change tracking.  After ovsdb_idl_track_add_column() or
 * ovsdb_idl_track_add_all(), each table keeps the rows inserted, modified
 * (in a tracked column) or deleted since the last ovsdb_idl_track_clear(),
 * with the set of changed columns.  A deleted row stays readable (its last
 * values) until then.  A row inserted and deleted in one period reports
 * both; test ovsdb_idl_track_is_deleted() first.
 *
 * Locks.  ovsdb_idl_set_lock() asks the server for a named lock (RFC 7047
 * "lock") and re-asks after each reconnection; "locked" and "stolen"
 * notifications update ovsdb_idl_has_lock() and
 * ovsdb_idl_is_lock_contended().  A transaction of an IDL with a lock
 * name asserts the lock and fails with TXN_NOT_LOCKED without it.
 *
 * Transactions (optimistic).  Between ovsdb_idl_txn_create() and commit,
 * writes, inserts and deletes change what ovsdb_idl_read() and the typed
 * fields show.  ovsdb_idl_txn_verify() asks the server to check that a
 * column still holds the value read (a "wait" operation): if another
 * client changed it, the commit ends TXN_TRY_AGAIN and the caller runs
 * the IDL until the replica catches up, then recomputes and retries.
 * Commit sends one "transact" and drops the local view; the replica shows
 * the committed change when the server's update arrives (ovsdb-server
 * sends it before the reply).  Only one transaction may be open at a
 * time, and ovsdb_idl_run() must not be called while one is open
 * (committed transactions waiting for their reply are fine).  Destroy
 * every transaction before its IDL.
 *
 * Not thread-safe: one thread owns an IDL.
 */
#ifndef PLX_OVSDB_IDL_H
#define PLX_OVSDB_IDL_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ovsdb/ovsdb-idl-provider.h"
#include "util.h"

struct ovsdb_datum;
struct ovsdb_schema;

/* ---- Classes. ---- */

/* A class for every table and column of SCHEMA (cloned), without typed
 * hooks. */
struct ovsdb_idl_class *ovsdb_idl_class_create(const struct ovsdb_schema *);
void ovsdb_idl_class_destroy(struct ovsdb_idl_class *);
const struct ovsdb_idl_table_class *ovsdb_idl_class_get_table(
    const struct ovsdb_idl_class *, const char *name);
const struct ovsdb_idl_column *ovsdb_idl_table_class_get_column(
    const struct ovsdb_idl_table_class *, const char *name);

/* ---- The IDL. ---- */

/* REMOTE is "unix:PATH", "tcp:HOST:PORT" or "ssl:HOST:PORT".  CLASS must
 * outlive the IDL.  With RETRY false the IDL gives up after the first
 * connection fails or ends (for command-line tools). */
struct ovsdb_idl *ovsdb_idl_create(const char *remote,
                                   const struct ovsdb_idl_class *,
                                   bool monitor_everything, bool retry);
void ovsdb_idl_destroy(struct ovsdb_idl *);

void ovsdb_idl_run(struct ovsdb_idl *);
void ovsdb_idl_wait(struct ovsdb_idl *);

const struct ovsdb_idl_class *ovsdb_idl_get_class(const struct ovsdb_idl *);
unsigned int ovsdb_idl_get_seqno(const struct ovsdb_idl *);
/* True once the replica has been synchronized at least once. */
bool ovsdb_idl_has_ever_connected(const struct ovsdb_idl *);
/* Connected and replicating (initial snapshot received). */
bool ovsdb_idl_is_connected(const struct ovsdb_idl *);
/* False once a non-retrying IDL has given up. */
bool ovsdb_idl_is_alive(const struct ovsdb_idl *);
/* 0, EOF or an errno value: the last connection error. */
int ovsdb_idl_get_last_error(const struct ovsdb_idl *);
void ovsdb_idl_force_reconnect(struct ovsdb_idl *);
void ovsdb_idl_set_probe_interval(struct ovsdb_idl *, int msec);

/* Whether the connected server's schema has TABLE or COLUMN (true before
 * the first schema arrives). */
bool ovsdb_idl_server_has_table(const struct ovsdb_idl *,
                                const struct ovsdb_idl_table_class *);
bool ovsdb_idl_server_has_column(const struct ovsdb_idl *,
                                 const struct ovsdb_idl_column *);

/* ---- Registration. ---- */

/* A table is replicated with the columns added to it; this only checks
 * that TABLE belongs to the IDL's class (as in OVS, a table with no
 * columns registered is not replicated). */
void ovsdb_idl_add_table(struct ovsdb_idl *,
                         const struct ovsdb_idl_table_class *);
void ovsdb_idl_add_column(struct ovsdb_idl *, const struct ovsdb_idl_column *);
void ovsdb_idl_omit(struct ovsdb_idl *, const struct ovsdb_idl_column *);
void ovsdb_idl_omit_alert(struct ovsdb_idl *,
                          const struct ovsdb_idl_column *);

/* ---- Conditions. ---- */

enum ovsdb_idl_function {
    OVSDB_IDL_F_EQ,             /* "==" */
    OVSDB_IDL_F_NE,             /* "!=" */
    OVSDB_IDL_F_LT,             /* "<" */
    OVSDB_IDL_F_LE,             /* "<=" */
    OVSDB_IDL_F_GT,             /* ">" */
    OVSDB_IDL_F_GE,             /* ">=" */
    OVSDB_IDL_F_INCLUDES,       /* "includes" */
    OVSDB_IDL_F_EXCLUDES,       /* "excludes" */
};

/* A disjunction of clauses: true if any clause is. */
struct ovsdb_idl_condition {
    json_t *clauses;            /* JSON array of RFC 7047 conditions. */
    bool is_true;               /* Has a "true" clause. */
};

void ovsdb_idl_condition_init(struct ovsdb_idl_condition *);
void ovsdb_idl_condition_destroy(struct ovsdb_idl_condition *);
void ovsdb_idl_condition_add_clause_true(struct ovsdb_idl_condition *);
/* "COLUMN FUNCTION ARG"; ARG must be a valid datum of COLUMN's type (for
 * the ordering functions, a scalar). */
void ovsdb_idl_condition_add_clause(struct ovsdb_idl_condition *,
                                    enum ovsdb_idl_function,
                                    const struct ovsdb_idl_column *,
                                    const struct ovsdb_datum *arg);
bool ovsdb_idl_condition_is_true(const struct ovsdb_idl_condition *);

unsigned int ovsdb_idl_set_condition(struct ovsdb_idl *,
                                     const struct ovsdb_idl_table_class *,
                                     const struct ovsdb_idl_condition *);
unsigned int ovsdb_idl_get_condition_seqno(const struct ovsdb_idl *);

/* ---- Reading the replica. ---- */

const struct ovsdb_idl_row *ovsdb_idl_first_row(
    const struct ovsdb_idl *, const struct ovsdb_idl_table_class *);
const struct ovsdb_idl_row *ovsdb_idl_next_row(const struct ovsdb_idl_row *);
const struct ovsdb_idl_row *ovsdb_idl_get_row_for_uuid(
    const struct ovsdb_idl *, const struct ovsdb_idl_table_class *,
    const struct uuid *);
/* COLUMN's value in ROW as the open transaction sees it.  Never NULL. */
const struct ovsdb_datum *ovsdb_idl_read(const struct ovsdb_idl_row *,
                                         const struct ovsdb_idl_column *);
bool ovsdb_idl_row_is_visible(const struct ovsdb_idl_row *);

#define OVSDB_IDL_FOR_EACH_ROW(ROW, TABLE_CLASS, IDL)                     \
    for ((ROW) = ovsdb_idl_first_row(IDL, TABLE_CLASS); (ROW);            \
         (ROW) = ovsdb_idl_next_row(ROW))

/* ---- Change tracking. ---- */

void ovsdb_idl_track_add_column(struct ovsdb_idl *,
                                const struct ovsdb_idl_column *);
void ovsdb_idl_track_add_all(struct ovsdb_idl *);
const struct ovsdb_idl_row *ovsdb_idl_track_get_first(
    const struct ovsdb_idl *, const struct ovsdb_idl_table_class *);
const struct ovsdb_idl_row *ovsdb_idl_track_get_next(
    const struct ovsdb_idl_row *);
bool ovsdb_idl_track_is_new(const struct ovsdb_idl_row *);
bool ovsdb_idl_track_is_deleted(const struct ovsdb_idl_row *);
bool ovsdb_idl_track_is_updated(const struct ovsdb_idl_row *,
                                const struct ovsdb_idl_column *);
/* The IDL's sequence number when ROW last had a change of KIND, or 0. */
unsigned int ovsdb_idl_row_get_seqno(const struct ovsdb_idl_row *,
                                     enum ovsdb_idl_change);
void ovsdb_idl_track_clear(struct ovsdb_idl *);

#define OVSDB_IDL_FOR_EACH_TRACKED(ROW, TABLE_CLASS, IDL)                 \
    for ((ROW) = ovsdb_idl_track_get_first(IDL, TABLE_CLASS); (ROW);      \
         (ROW) = ovsdb_idl_track_get_next(ROW))

/* ---- Locks. ---- */

/* NAME NULL releases any lock. */
void ovsdb_idl_set_lock(struct ovsdb_idl *, const char *name);
bool ovsdb_idl_has_lock(const struct ovsdb_idl *);
bool ovsdb_idl_is_lock_contended(const struct ovsdb_idl *);

/* ---- Transactions. ---- */

enum ovsdb_idl_txn_status {
    TXN_UNCOMMITTED,            /* Not yet committed. */
    TXN_UNCHANGED,              /* Nothing to do: no request sent. */
    TXN_INCOMPLETE,             /* Sent, reply not yet received. */
    TXN_ABORTED,                /* ovsdb_idl_txn_abort(). */
    TXN_SUCCESS,                /* Committed. */
    TXN_TRY_AGAIN,              /* Conflict or disconnection: retry. */
    TXN_NOT_LOCKED,             /* The IDL's lock is not held. */
    TXN_ERROR,                  /* See ovsdb_idl_txn_get_error(). */
};

const char *ovsdb_idl_txn_status_to_string(enum ovsdb_idl_txn_status);

struct ovsdb_idl_txn *ovsdb_idl_txn_create(struct ovsdb_idl *);
void ovsdb_idl_txn_destroy(struct ovsdb_idl_txn *);
struct ovsdb_idl_txn *ovsdb_idl_txn_get(const struct ovsdb_idl_row *);
void ovsdb_idl_txn_add_comment(struct ovsdb_idl_txn *, const char *, ...)
    PLX_PRINTF_FORMAT(2, 3);
/* Checks everything but commits nothing (an "abort" operation ends the
 * transaction); success is still TXN_SUCCESS. */
void ovsdb_idl_txn_set_dry_run(struct ovsdb_idl_txn *);

/* Writes DATUM into COLUMN of ROW, which must belong to the open
 * transaction's IDL.  Takes DATUM's contents and leaves DATUM empty (the
 * struct itself, often on the stack, is the caller's).  A datum that is
 * not valid for the column makes the commit fail with TXN_ERROR. */
void ovsdb_idl_txn_write(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *,
                         struct ovsdb_datum *);
void ovsdb_idl_txn_write_clone(const struct ovsdb_idl_row *,
                               const struct ovsdb_idl_column *,
                               const struct ovsdb_datum *);
void ovsdb_idl_txn_verify(const struct ovsdb_idl_row *,
                          const struct ovsdb_idl_column *);
void ovsdb_idl_txn_delete(const struct ovsdb_idl_row *);
/* A new row with UUID (NULL: a random one); its columns start at their
 * defaults.  The server assigns the real UUID: after a successful commit
 * ovsdb_idl_txn_get_insert_uuid(txn, &uuid_given) returns it. */
const struct ovsdb_idl_row *ovsdb_idl_txn_insert(
    struct ovsdb_idl_txn *, const struct ovsdb_idl_table_class *,
    const struct uuid *);
/* Adds 1 to integer COLUMN of ROW at commit time, on the server; the new
 * value is ovsdb_idl_txn_get_increment_new_value() after success.  With
 * FORCE the transaction commits even if it changes nothing else.  One
 * increment per transaction. */
void ovsdb_idl_txn_increment(struct ovsdb_idl_txn *,
                             const struct ovsdb_idl_row *,
                             const struct ovsdb_idl_column *, bool force);

enum ovsdb_idl_txn_status ovsdb_idl_txn_commit(struct ovsdb_idl_txn *);
enum ovsdb_idl_txn_status ovsdb_idl_txn_commit_block(struct ovsdb_idl_txn *);
void ovsdb_idl_txn_abort(struct ovsdb_idl_txn *);
void ovsdb_idl_txn_wait(const struct ovsdb_idl_txn *);
/* A readable description of why the transaction failed, or NULL. */
const char *ovsdb_idl_txn_get_error(const struct ovsdb_idl_txn *);
int64_t ovsdb_idl_txn_get_increment_new_value(const struct ovsdb_idl_txn *);
const struct uuid *ovsdb_idl_txn_get_insert_uuid(const struct ovsdb_idl_txn *,
                                                 const struct uuid *);

/* ---- For tests. ---- */

/* Applies TABLE_UPDATES as the body of an "update2" (UPDATE2 true) or
 * "update" notification, exactly as one from the server.  Returns NULL or
 * a malloc'd description of the first problem (bad rows are skipped, the
 * rest applied). */
char *ovsdb_idl_apply_updates_json(struct ovsdb_idl *, const json_t *,
                                   bool update2) PLX_WARN_UNUSED_RESULT;

#endif /* ovsdb/ovsdb-idl.h */
