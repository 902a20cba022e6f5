/*
 * transaction: atomic changes to an OVSDB database, with the integrity
 * checks of RFC 7047 and Open vSwitch's ovsdb-server.
 *
 * Building.  A transaction is copy-on-write: ovsdb_txn_row_modify() copies
 * a committed row the first time the transaction touches it and puts the
 * copy in the table's 'rows' in its place; inserts go straight into
 * 'rows'; deletes take rows out.  Each row the transaction touches has a
 * struct ovsdb_txn_row holding its 'old' (committed) and 'new' versions:
 *
 *     old     new      meaning
 *     NULL    row      inserted
 *     row     copy     modified
 *     row     NULL     deleted
 *     row     row      (old == new) untouched, only its reference count
 *                      changes; never reported as a change
 *     NULL    NULL     inserted then deleted again: a no-op
 *
 * ovsdb_txn_abort() puts every table back as it was.
 *
 * Committing.  ovsdb_txn_precommit() runs the checks in ovsdb-server's
 * order, any failure leaving the transaction open for the caller to abort:
 *   1. which columns each modified row really changed (unchanged rows are
 *      dropped from the transaction);
 *   2. strong references: every added one must name an existing row
 *      ("referential integrity violation ... references nonexistent row"),
 *      and no deleted row may still be referenced ("cannot delete ...
 *      because of N remaining reference(s)");
 *   3. garbage collection: a row of a non-root table that no strong
 *      reference reaches any more is deleted, cascading;
 *   4. maxRows ("constraint violation");
 *   5. weak references to rows that no longer exist are removed, from any
 *      row of the database, and the column's minimum size checked again
 *      ("constraint violation");
 *   6. unique indexes ("constraint violation ... identical values");
 *   7. each modified row gets a new random _version.
 * ovsdb_txn_complete() then applies the transaction (updates indexes and
 * reference counts, frees old rows) and frees it.  ovsdb_txn_commit()
 * does both with the database's replicas in between (see ovsdb.h), which
 * is what a server normally wants.
 *
 * Changes.  Between a successful precommit and complete (in a replica's
 * commit callback, say), ovsdb_txn_for_each_change() reports each
 * inserted, deleted or modified row with a bitmap (bitmap.h) of the
 * columns whose values differ: all of them for inserts and deletes, and
 * for modifications the changed columns plus _version.  Rows are visited
 * table by table, in no particular order within a table.
 *
 * Storage form.  ovsdb_txn_to_json() writes a precommitted transaction in
 * the form Open vSwitch writes to its database log:
 *
 *     {"TABLE": {"UUID": ROW or null, ...}, ..., "_date": MSEC,
 *      "_comment": "..."}
 *
 * where ROW has the persistent (non-ephemeral) columns of an inserted row
 * that differ from their defaults, or the changed persistent columns of a
 * modified row, _version included (and never _uuid); null deletes.
 * ovsdb_txn_from_json() turns that back into a transaction on a database
 * (also accepting Open vSwitch's "_is_diff" form), checking everything
 * against the schema and returning errors for corrupt input, and
 * ovsdb_txn_replay_commit() commits it: the same checks, the logged
 * _version values kept, replicas not called.
 */
#ifndef PLX_OVSDB_TRANSACTION_H
#define PLX_OVSDB_TRANSACTION_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "list.h"
#include "ovsdb/uuid.h"
#include "util.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_row;
struct ovsdb_table;
struct ovsdb_txn;
struct ovsdb_txn_table;

/* A row in a transaction.  Read-only outside transaction.c. */
struct ovsdb_txn_row {
    struct hmap_node hmap_node;     /* In txn_table's 'txn_rows' by uuid. */
    struct plx_list list_node;      /* In the transaction's 'rows'. */
    struct ovsdb_table *table;
    struct uuid uuid;
    struct ovsdb_row *old;          /* Committed version, or NULL. */
    struct ovsdb_row *new;          /* Version to commit, or NULL. */
    size_t n_refs;                  /* Strong refs to 'new' after commit. */
    bool version_set;               /* _version given explicitly (replay). */
    unsigned long changed[];        /* Bitmap of changed columns. */
};

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb *);
struct ovsdb *ovsdb_txn_get_db(const struct ovsdb_txn *);
void ovsdb_txn_abort(struct ovsdb_txn *);

/* Building.  ROW arguments are rows of the current view of a table of
 * the transaction's database. */

/* Inserts ROW, whose _uuid the caller set (to a UUID that
 * ovsdb_txn_may_create_row() accepts).  A zero _version gets a random
 * one. */
void ovsdb_txn_row_insert(struct ovsdb_txn *, struct ovsdb_row *);
/* Returns the transaction's writable version of ROW. */
struct ovsdb_row *ovsdb_txn_row_modify(struct ovsdb_txn *,
                                       const struct ovsdb_row *);
void ovsdb_txn_row_delete(struct ovsdb_txn *, const struct ovsdb_row *);
/* False if a row with UUID is in TABLE or was deleted from it by the
 * transaction in progress. */
bool ovsdb_txn_may_create_row(const struct ovsdb_table *,
                              const struct uuid *);

/* Comments ("comment" operations) are joined with newlines. */
void ovsdb_txn_add_comment(struct ovsdb_txn *, const char *);
const char *ovsdb_txn_get_comment(const struct ovsdb_txn *);

/* Committing. */
struct ovsdb_error *ovsdb_txn_precommit(struct ovsdb_txn *)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_txn_complete(struct ovsdb_txn *);
/* Precommits, tells the replicas, completes.  Always consumes TXN: on
 * error, it has been aborted. */
struct ovsdb_error *ovsdb_txn_commit(struct ovsdb_txn *, bool durable)
    PLX_WARN_UNUSED_RESULT;
/* Like ovsdb_txn_commit() for a transaction read from storage: keeps
 * logged _version values and does not call the replicas. */
struct ovsdb_error *ovsdb_txn_replay_commit(struct ovsdb_txn *)
    PLX_WARN_UNUSED_RESULT;

/* Changes (after a successful precommit). */
typedef bool ovsdb_txn_row_cb_func(const struct ovsdb_row *old,
                                   const struct ovsdb_row *new,
                                   const unsigned long *changed, void *aux);
/* Calls CB for each changed row until it returns false. */
void ovsdb_txn_for_each_change(const struct ovsdb_txn *,
                               ovsdb_txn_row_cb_func *cb, void *aux);
/* True if the transaction changes anything. */
bool ovsdb_txn_has_changes(const struct ovsdb_txn *);

/* Storage form (see above).  ovsdb_txn_to_json() returns NULL if nothing
 * persistent changed.  ovsdb_txn_from_json() returns a new transaction
 * on DB in *TXNP, or an error (and NULL). */
json_t *ovsdb_txn_to_json(const struct ovsdb_txn *);
struct ovsdb_error *ovsdb_txn_from_json(struct ovsdb *, const json_t *,
                                        struct ovsdb_txn **txnp)
    PLX_WARN_UNUSED_RESULT;

#endif /* ovsdb/transaction.h */
