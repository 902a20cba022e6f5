/*
 * monitor: what one OVSDB "monitor", "monitor_cond" or "monitor_cond_since"
 * asks to see of a database, and the JSON updates that show it.
 *
 * A monitor is parsed from the <monitor-requests> object of the request
 * (RFC 7047 section 4.1.5; ovsdb-server(7) for the conditional forms):
 *
 *     {"TABLE": <monitor-request> or [<monitor-request>...], ...}
 *     <monitor-request>: {"columns": [...], "select": {"initial": bool,
 *                         "insert": bool, "delete": bool, "modify": bool},
 *                         "where": <condition>}        (conditional only)
 *
 * Each column of a table may be named by one request only; without
 * "columns" a request means every column but "_uuid".  A column is
 * reported for a kind of change only if its request selects that kind
 * (all four by default).  Errors are ovsdb-server's texts ("no table
 * named X", "column X mentioned more than once", ...).
 *
 * The three protocol versions differ only in how a row update looks:
 *
 *     version          initial / insert     delete          modify
 *     1 ("update")     {"new": ROW}         {"old": ROW}    {"old": OLD,
 *                                                            "new": ROW}
 *     2, 3 ("update2", {"initial": ROW'} /  {"delete": null} {"modify":
 *     "update3")       {"insert": ROW'}                      DIFF}
 *
 * ROW has every monitored column; ROW' only those whose value is not the
 * default; OLD the changed columns' old values; DIFF the changed columns,
 * where a column that holds at most one value carries its new value, a
 * set the elements added or removed (their symmetric difference), and a
 * map the pairs removed, added, or whose value changed (with the new
 * value), which is what the IDLs apply.  A modification that changed no
 * monitored column is not reported.
 *
 * Conditions (versions 2 and 3) decide which rows a monitor sees: a row
 * whose modification makes it match is reported as an insert, one that
 * stops matching as a delete.  ovsdb_monitor_change_conditions()
 * replaces them ("monitor_cond_change") and reports the rows that came
 * into or went out of view in the same way.
 *
 * The functions that compose updates return a <table-updates> object
 * (NULL when there is nothing to report); the caller wraps it in its
 * reply or notification.  A monitor refers to its database's tables and
 * must be destroyed before the database.
 */
#ifndef PLX_OVSDB_MONITOR_H
#define PLX_OVSDB_MONITOR_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_monitor;
struct ovsdb_row;
struct ovsdb_txn;

enum ovsdb_monitor_version {
    OVSDB_MONITOR_V1 = 1,       /* "monitor": "update" notifications. */
    OVSDB_MONITOR_V2 = 2,       /* "monitor_cond": "update2". */
    OVSDB_MONITOR_V3 = 3        /* "monitor_cond_since": "update3". */
};

/* Which kinds of change a column is reported for. */
enum ovsdb_monitor_selection {
    OVSDB_MONITOR_INITIAL = 1 << 0,
    OVSDB_MONITOR_INSERT = 1 << 1,
    OVSDB_MONITOR_DELETE = 1 << 2,
    OVSDB_MONITOR_MODIFY = 1 << 3,
    OVSDB_MONITOR_ALL = 0xf
};

/* Parses REQUESTS for DB.  On success stores a new monitor in '*monitorp'
 * and returns NULL; otherwise stores NULL and returns the error. */
struct ovsdb_error *ovsdb_monitor_create(struct ovsdb *,
                                         enum ovsdb_monitor_version,
                                         const json_t *requests,
                                         struct ovsdb_monitor **monitorp)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_monitor_destroy(struct ovsdb_monitor *);

enum ovsdb_monitor_version ovsdb_monitor_get_version(
    const struct ovsdb_monitor *);
/* "update", "update2" or "update3". */
const char *ovsdb_monitor_get_method(const struct ovsdb_monitor *);
struct ovsdb *ovsdb_monitor_get_db(const struct ovsdb_monitor *);

/* A string that is the same for two monitors exactly when they would
 * report every change the same way (same version, columns, selections,
 * and no conditions other than "true"), or NULL if the monitor has
 * conditions: callers may share composed updates between monitors with
 * equal keys. */
const char *ovsdb_monitor_get_share_key(const struct ovsdb_monitor *);

/* The current contents, as the reply to the monitor request: every row
 * that matches, of every table whose columns select "initial".  Always
 * an object (possibly empty). */
json_t *ovsdb_monitor_get_initial(const struct ovsdb_monitor *);

/* The changes of TXN (precommitted: called from a replica's commit
 * callback, see ovsdb.h), or NULL if none concerns this monitor. */
json_t *ovsdb_monitor_compose_txn(const struct ovsdb_monitor *,
                                  const struct ovsdb_txn *);
/* One changed row (OLD or NEW may be NULL; CHANGED as for
 * ovsdb_txn_for_each_change()), added to TABLE_UPDATES (an object,
 * which is created if '*table_updatesp' is NULL). */
void ovsdb_monitor_compose_row(const struct ovsdb_monitor *,
                               const struct ovsdb_row *old,
                               const struct ovsdb_row *new,
                               const unsigned long *changed,
                               json_t **table_updatesp);

/* Replaces the conditions of the tables named in REQUESTS (an object
 * mapping table names to an array of requests with only "where", as in
 * "monitor_cond_change"; a table may be named only if it is monitored).
 * On success returns NULL and stores in '*updatesp' the rows that came
 * into view (as inserts) or left it (as deletes), or NULL if none.  On
 * error nothing changes. */
struct ovsdb_error *ovsdb_monitor_change_conditions(
    struct ovsdb_monitor *, const json_t *requests, json_t **updatesp)
    PLX_WARN_UNUSED_RESULT;

/* Number of tables monitored. */
size_t ovsdb_monitor_n_tables(const struct ovsdb_monitor *);

#endif /* ovsdb/monitor.h */
