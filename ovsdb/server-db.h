/*
 * server-db: the "_Server" database that ovsdb-server(7) describes and
 * that Open vSwitch's C and Python IDLs monitor before anything else.
 *
 * Its one table, Database, has a row per database the server serves
 * (itself included), with the columns name, model ("standalone" here),
 * connected and leader (both true for a standalone database), schema (the
 * database's schema as canonical JSON text) and the clustered-only cid,
 * sid and index (always empty here).  Clients may read and monitor it
 * like any database; "transact" refuses to modify it because its name
 * starts with "_" (see execution.h).  The server keeps it current with
 * ovsdb_server_db_sync(), which commits an ordinary transaction, so that
 * monitors of _Server see databases come and go.
 */
#ifndef PLX_OVSDB_SERVER_DB_H
#define PLX_OVSDB_SERVER_DB_H 1

#include <stddef.h>

struct ovsdb;

#define OVSDB_SERVER_DB_NAME "_Server"

/* A new, empty _Server database. */
struct ovsdb *ovsdb_server_db_create(void);

/* Makes SERVER_DB's Database table describe exactly the N_DBS databases
 * DBS plus SERVER_DB itself: adds rows for new databases, updates the
 * schema of changed ones, deletes rows of databases no longer served. */
void ovsdb_server_db_sync(struct ovsdb *server_db, struct ovsdb *const *dbs,
                          size_t n_dbs);

#endif /* ovsdb/server-db.h */
