/*
 * storage: an OVSDB database file, i.e. an ovsdb-log (ovsdb-log.h) whose
 * first record is a schema and whose later records are transactions in
 * the storage form of transaction.h (Open vSwitch's standalone format, so
 * that ovsdb-tool reads our files and we read its).
 *
 * Opening reads the schema, creates the in-memory database and replays
 * every transaction record into it.  A torn tail (a crash in the middle
 * of an append) ends the log with a warning from ovsdb-log and is cut off
 * by the next write; a transaction record that does not apply to the
 * database is corruption and fails the open, since serving a database
 * with committed transactions missing would be worse than not starting.
 *
 * A storage opened for writing attaches itself to the database as its
 * first replica (see ovsdb.h), so that every committed transaction is
 * appended to the log as it commits.  Appending only buffers: the caller
 * makes the appended transactions durable with ovsdb_storage_commit_block()
 * before it tells anyone that they committed.  A server thus batches all
 * the transactions of one main-loop iteration into one fdatasync() (group
 * commit).  If commit_block fails, the database in memory holds
 * transactions that may not be on disk; the only safe thing left is to
 * stop and let the next start replay what the file really holds.
 *
 * Compaction rewrites the file as the schema plus one record holding the
 * whole database (atomically, through ovsdb_log_replace*()), discarding
 * the history; ovsdb_storage_should_compact() says when the log has grown
 * enough (ovsdb_log_grew_lots()) for that to be worth it.
 *
 * The storage belongs to its database: ovsdb_destroy() destroys it (as a
 * replica) and closes the file.  A read-only storage is attached too but
 * refuses every commit with an error.
 */
#ifndef PLX_OVSDB_STORAGE_H
#define PLX_OVSDB_STORAGE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "util.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_log;
struct ovsdb_schema;
struct ovsdb_storage;

/* Opens database file FILE_NAME (locking it if READ_WRITE), reads it into
 * a new database and stores the database in '*dbp' and its storage in
 * '*storagep' (either may be NULL if the caller does not want it).
 * Returns NULL or an error (then stores NULLs). */
struct ovsdb_error *ovsdb_storage_open(const char *file_name,
                                       bool read_write, struct ovsdb **dbp,
                                       struct ovsdb_storage **storagep)
    PLX_WARN_UNUSED_RESULT;

/* Creates a new database file FILE_NAME (which must not exist) holding
 * SCHEMA and no rows.  Durable when it returns NULL. */
struct ovsdb_error *ovsdb_storage_create(const char *file_name,
                                         const struct ovsdb_schema *)
    PLX_WARN_UNUSED_RESULT;

/* Writes DB (schema and contents) to a new file FILE_NAME, which must not
 * exist, durably. */
struct ovsdb_error *ovsdb_storage_write_new(const char *file_name,
                                            const struct ovsdb *,
                                            const char *comment)
    PLX_WARN_UNUSED_RESULT;

const char *ovsdb_storage_get_name(const struct ovsdb_storage *);
struct ovsdb_log *ovsdb_storage_get_log(struct ovsdb_storage *);

/* Makes every transaction committed so far durable.  Cheap when there is
 * nothing to sync. */
struct ovsdb_error *ovsdb_storage_commit_block(struct ovsdb_storage *)
    PLX_WARN_UNUSED_RESULT;
/* True if transactions were appended since the last commit_block. */
bool ovsdb_storage_is_dirty(const struct ovsdb_storage *);

/* Compaction. */
bool ovsdb_storage_should_compact(const struct ovsdb_storage *);
struct ovsdb_error *ovsdb_storage_compact(struct ovsdb_storage *,
                                          const char *comment)
    PLX_WARN_UNUSED_RESULT;

/* The whole persistent contents of DB as one transaction record in
 * storage form (inserting every row, with its _version), with "_date"
 * and, if COMMENT is nonnull, "_comment".  New reference. */
json_t *ovsdb_storage_snapshot_json(const struct ovsdb *,
                                    const char *comment);

struct ovsdb_storage_stats {
    uint64_t n_txns_replayed;   /* Transaction records read at open. */
    uint64_t n_txns_written;    /* Transaction records appended. */
    uint64_t n_commits;         /* Successful commit_block()s that synced. */
    uint64_t n_compactions;
};
void ovsdb_storage_get_stats(const struct ovsdb_storage *,
                             struct ovsdb_storage_stats *);

#endif /* ovsdb/storage.h */
