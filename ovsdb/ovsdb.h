/*
 * ovsdb: an in-memory OVSDB database: a schema and one table per table
 * schema, plus the "replicas" that are told about every commit.
 *
 * The database owns its schema (ovsdb_create() takes it).  Tables are
 * found by name (ovsdb_get_table()) or walked in schema order ('tables').
 * At most one transaction is open on a database at a time (see
 * transaction.h); the engine is single-threaded, like ovsdb-server.
 *
 * Replicas.  A replica is anything that must see each committed
 * transaction: the on-disk log, the monitors of the server's clients.
 * ovsdb_txn_commit() calls each replica's commit() in the order they were
 * added, after every integrity check has passed and before the change is
 * applied, so the callback can walk the changes with
 * ovsdb_txn_for_each_change() and read the old rows.  If a replica
 * returns an error (the log could not be written), the later replicas are
 * not called and the transaction aborts with that error; so a replica
 * that may fail (storage) must be added first, and one that cannot fail
 * (monitors) after it.  Transactions replayed from storage
 * (ovsdb_txn_replay_commit()) are not shown to replicas.
 *
 *     struct my_log { struct ovsdb_replica up; ... };
 *     static const struct ovsdb_replica_class my_log_class = {
 *         my_log_commit, my_log_destroy };
 *     ovsdb_replica_init(&log->up, &my_log_class);
 *     ovsdb_add_replica(db, &log->up);
 *
 * ovsdb_destroy() destroys the replicas still attached.
 *
 * 'seqno' increases with every commit that changed something; a server
 * compares it to know when to retry transactions blocked in "wait".
 */
#ifndef PLX_OVSDB_OVSDB_H
#define PLX_OVSDB_OVSDB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "list.h"
#include "util.h"

struct ovsdb_error;
struct ovsdb_replica;
struct ovsdb_schema;
struct ovsdb_table;
struct ovsdb_txn;

struct ovsdb_replica_class {
    /* Called for each committed transaction.  DURABLE is true if a
     * "commit" operation asked for durability.  Returns NULL, or an error
     * that aborts the transaction. */
    struct ovsdb_error *(*commit)(struct ovsdb_replica *,
                                  const struct ovsdb_txn *, bool durable);
    /* Frees the replica (called by ovsdb_destroy()). */
    void (*destroy)(struct ovsdb_replica *);
};

struct ovsdb_replica {
    struct plx_list node;           /* In struct ovsdb's 'replicas'. */
    const struct ovsdb_replica_class *class;
};

struct ovsdb {
    struct ovsdb_schema *schema;
    struct ovsdb_table **tables;    /* In schema order. */
    size_t n_tables;
    struct hmap tables_by_name;     /* struct ovsdb_table by name. */
    struct plx_list replicas;       /* struct ovsdb_replica. */
    struct ovsdb_txn *txn;          /* Transaction in progress, if any. */
    uint64_t seqno;                 /* Incremented by each change. */
};

/* A new, empty database with SCHEMA, which it takes. */
struct ovsdb *ovsdb_create(struct ovsdb_schema *);
void ovsdb_destroy(struct ovsdb *);

struct ovsdb_table *ovsdb_get_table(const struct ovsdb *, const char *name);

void ovsdb_replica_init(struct ovsdb_replica *,
                        const struct ovsdb_replica_class *);
void ovsdb_add_replica(struct ovsdb *, struct ovsdb_replica *);
/* Detaches REPLICA without destroying it. */
void ovsdb_remove_replica(struct ovsdb *, struct ovsdb_replica *);

static inline uint64_t
ovsdb_get_seqno(const struct ovsdb *db)
{
    return db->seqno;
}

#endif /* ovsdb/ovsdb.h */
