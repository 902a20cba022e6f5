/*
 * execution: the RFC 7047 "transact" method (sections 4.1.3 and 5.2).
 *
 * PARAMS is ["DB-NAME", OPERATION...].  The operations run in order in
 * one transaction, each seeing the effects of those before it; the first
 * that fails stops the rest and the whole transaction is abandoned.  The
 * result is an array with one element per operation, as ovsdb-server
 * builds it:
 *
 *   - each operation that succeeded: {"uuid": ["uuid", U]} (insert),
 *     {"rows": [...]} (select), {"count": N} (update, mutate, delete), or
 *     {} (wait, commit, comment, assert);
 *   - the operation that failed: {"error": TAG, "details": ..., ...};
 *   - the operations after it: null;
 *   - and, if every operation succeeded but committing failed
 *     (referential integrity, constraints, indexes, storage), one extra
 *     trailing element with that error, so that the array is one longer
 *     than the list of operations.
 * A PARAMS that is not an array starting with this database's name gives
 * a single error object instead of an array.
 *
 * Operations: insert (with "uuid-name", and Open vSwitch's explicit
 * "uuid"), select (with "columns", and ovsdb-server's "sort"), update,
 * mutate, delete, wait, commit, abort, comment, assert.  Named UUIDs
 * ("uuid-name" and ["named-uuid", NAME]) are shared by the whole
 * transaction and may be used before the insert that defines them; one
 * that no insert defines names no row (a strong reference to it fails the
 * commit, a weak one is dropped).  As in ovsdb-server, "_uuid" and
 * "_version" in an inserted row are ignored, and updating or mutating
 * them (or any immutable column) is a "constraint violation".
 *
 * Waiting.  A "wait" whose condition does not hold yet fails with "timed
 * out" if its "timeout" has run out (compared with the caller's
 * 'elapsed_msec', the time since the request first arrived; a timeout of
 * 0 therefore fails at once).  Otherwise, if the caller passed a nonnull
 * TIMEOUT_MSEC, the execution is abandoned without a result: the
 * functions return NULL results, store in *TIMEOUT_MSEC the smallest
 * "timeout" among the waits that ran (LLONG_MAX if none had one) and the
 * caller should run the same request again, with an updated
 * 'elapsed_msec', when the database changes (ovsdb_get_seqno()) or when
 * that much time has passed since the request arrived (ovsdb-server
 * answers {"error": "timed out"} itself if the request is still blocked
 * once that time is up).  With a null TIMEOUT_MSEC such a wait fails with
 * "not supported".
 *
 * The execution holds the database's one open transaction (see
 * transaction.h) until it returns, or, for ovsdb_execute_compose(), until
 * the caller commits or aborts the transaction it returns: nothing else
 * may run on the database in between.
 *
 * Locks.  "assert" asks the caller's 'lock_held' callback whether the
 * requesting session owns the named lock ("not owner" if not, or if
 * there is no callback).
 *
 * Read-only: with 'read_only' set (and for a database whose name starts
 * with "_", like ovsdb-server's _Server), operations that could modify
 * the database fail with "not allowed".
 */
#ifndef PLX_OVSDB_EXECUTION_H
#define PLX_OVSDB_EXECUTION_H 1

#include <jansson.h>
#include <stdbool.h>

struct ovsdb;
struct ovsdb_txn;

struct ovsdb_exec_options {
    bool read_only;                 /* Refuse modifying operations. */
    long long int elapsed_msec;     /* Since the request first arrived. */
    /* Does the requesting session hold LOCK_NAME?  May be NULL. */
    bool (*lock_held)(const char *lock_name, void *aux);
    void *aux;
};

/* Executes PARAMS on DB and commits (ovsdb_txn_commit()).  Returns the
 * result (a new reference), or NULL if blocked in a "wait" (see above).
 * OPTIONS may be NULL for the defaults (all zero). */
json_t *ovsdb_execute(struct ovsdb *, const json_t *params,
                      const struct ovsdb_exec_options *,
                      long long int *timeout_msec);

/* Like ovsdb_execute() but leaves committing to the caller: if every
 * operation succeeded, returns the open transaction (to commit with
 * ovsdb_txn_commit(txn, *DURABLE), appending any error to *RESULTSP),
 * otherwise NULL.  *RESULTSP is the result so far, or NULL if blocked. */
struct ovsdb_txn *ovsdb_execute_compose(struct ovsdb *, const json_t *params,
                                        const struct ovsdb_exec_options *,
                                        long long int *timeout_msec,
                                        bool *durable, json_t **resultsp);

#endif /* ovsdb/execution.h */
