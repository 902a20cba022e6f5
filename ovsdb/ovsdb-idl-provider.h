/*
 * ovsdb-idl-provider: the data structures behind the OVSDB IDL, for
 * ovsdb-idl.c (classes, session), ovsdb-idl-replica.c (rows, tracking,
 * updates), ovsdb-idl-txn.c (transactions) and for the typed code that
 * ovsdb/plx-idlc generates.
 *
 * Classes describe what a client knows about a database: one
 * ovsdb_idl_class per schema, one ovsdb_idl_table_class per table, one
 * ovsdb_idl_column per column (the implicit "_uuid" and "_version" are
 * not columns here).  A class comes either from generated code (static
 * arrays, with typed 'parse'/'unparse' hooks and a row size that makes
 * room for the typed fields after the struct ovsdb_idl_row header) or
 * from ovsdb_idl_class_create() at run time (no hooks, rows are bare
 * headers).  Either way the class owns a parsed struct ovsdb_schema and
 * each column's 'type' points into it.
 *
 * Rows.  A struct ovsdb_idl_row is one row of the client's replica, or a
 * placeholder.  Its 'datum' array (one datum per column of the class,
 * NULL for a placeholder) holds the values the server last sent; columns
 * the server lacks or the client does not monitor hold their default.
 * 'exists' says whether the server still has the row: a row deleted
 * while change tracking is on keeps its last values until
 * ovsdb_idl_track_clear().  A placeholder (no datum, not existing) stands
 * for a UUID that some row refers to but the replica does not have (not
 * yet received, filtered out by a condition, or deleted), so that
 * references can be tracked in both directions:
 *
 *     arcs.  When the typed layer parses a reference column it calls
 *     ovsdb_idl_get_row_arc(), which records an arc src -> dst (dst made
 *     a placeholder if needed) and returns dst only if it is visible.
 *     When dst appears, disappears, or is inserted or deleted by a
 *     transaction, every row with an arc to it is re-parsed, so typed
 *     pointers never dangle and never miss a row that has arrived.  A
 *     placeholder is freed once nothing points to it.
 *
 * A transaction's writes live beside the replica: 'txn_datum' (columns
 * marked in 'written' are valid), 'txn_inserted' / 'txn_deleted'.
 * ovsdb_idl_read() and the typed fields show the transaction's view; the
 * view is dropped when the transaction is committed or destroyed, and
 * committed changes come back through the server's update notification.
 *
 * Visibility (what iteration and lookups return): a row inserted by the
 * open transaction and not deleted by it, or an existing row not deleted
 * by it.
 */
#ifndef PLX_OVSDB_IDL_PROVIDER_H
#define PLX_OVSDB_IDL_PROVIDER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "hmap.h"
#include "list.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"
#include "ovsdb/uuid.h"
#include "util.h"

struct ovsdb_idl;
struct ovsdb_idl_row;
struct ovsdb_schema;

struct ovsdb_idl_column {
    const char *name;
    const struct ovsdb_idl_table_class *table;
    unsigned int index;                 /* In table->columns. */
    const struct ovsdb_type *type;      /* Into the class's schema. */
    bool mutable;
    /* Typed hooks, or both NULL.  'parse' fills the row's typed field
     * from DATUM (which outlives the parse); 'unparse' frees it. */
    void (*parse)(struct ovsdb_idl_row *, const struct ovsdb_datum *);
    void (*unparse)(struct ovsdb_idl_row *);
};

struct ovsdb_idl_table_class {
    const char *name;
    bool is_root;
    struct ovsdb_idl_column *columns;
    size_t n_columns;
    size_t allocation_size;             /* >= sizeof(struct ovsdb_idl_row) */
    unsigned int index;                 /* In the class's tables. */
};

struct ovsdb_idl_class {
    const char *database;
    struct ovsdb_idl_table_class *tables;
    size_t n_tables;
    struct ovsdb_schema *schema;
};

enum ovsdb_idl_change {
    OVSDB_IDL_CHANGE_INSERT,
    OVSDB_IDL_CHANGE_MODIFY,
    OVSDB_IDL_CHANGE_DELETE,
    OVSDB_IDL_CHANGE_MAX
};

struct ovsdb_idl_arc {
    struct plx_list src_node;           /* In dst->src_arcs. */
    struct plx_list dst_node;           /* In src->dst_arcs. */
    struct ovsdb_idl_row *src;
    struct ovsdb_idl_row *dst;
};

struct ovsdb_idl_row {
    struct hmap_node hmap_node;         /* In table's 'rows'. */
    struct uuid uuid;
    struct ovsdb_idl_table *table;
    struct ovsdb_datum *datum;          /* Replica values, or NULL. */
    bool exists;                        /* The server has the row. */
    bool parsed;                        /* Typed fields are filled in. */

    struct plx_list src_arcs;           /* Arcs to this row. */
    struct plx_list dst_arcs;           /* Arcs from this row. */

    /* Open transaction. */
    struct plx_list txn_node;           /* In the txn's rows if touched. */
    struct ovsdb_datum *txn_datum;      /* Written columns' values. */
    unsigned long *written;             /* Columns written. */
    unsigned long *verified;            /* Columns to verify. */
    bool txn_inserted;
    bool txn_deleted;

    /* Change tracking. */
    struct plx_list track_node;         /* In table's 'track_list'. */
    bool tracked;                       /* In 'track_list'. */
    unsigned long *updated;             /* Columns changed (tracked). */
    unsigned int change_seqno[OVSDB_IDL_CHANGE_MAX];

    unsigned int resync_gen;            /* Seen in this snapshot. */
};

/* For typed parse functions: the row that UUID names in TABLE_CLASS, if
 * visible, recording the reference from SRC (see "arcs" above).  NULL if
 * the row is not visible. */
struct ovsdb_idl_row *ovsdb_idl_get_row_arc(
    struct ovsdb_idl_row *src, const struct ovsdb_idl_table_class *,
    const struct uuid *);

/* For generated class initialization: binds each column's type to the
 * column of the same name in SCHEMA (parsed from SCHEMA_JSON, the text
 * the generator saw) and stores SCHEMA in CLASS.  Aborts if the text
 * does not parse or lacks a table or column: that is a build error, not
 * input. */
void ovsdb_idl_class_bind(struct ovsdb_idl_class *, const char *schema_json);

/* ---- Internals shared by ovsdb-idl.c, ovsdb-idl-replica.c and
 * ovsdb-idl-txn.c. ---- */

/* Column modes. */
#define OVSDB_IDL_MONITOR (1 << 0)      /* Replicate the column. */
#define OVSDB_IDL_ALERT   (1 << 1)      /* Changes bump the seqno. */
#define OVSDB_IDL_TRACK   (1 << 2)      /* Changes are tracked. */

struct ovsdb_idl_table {
    const struct ovsdb_idl_table_class *class_;
    struct ovsdb_idl *idl;
    unsigned char *modes;               /* OVSDB_IDL_* per column. */
    bool *server_has_column;            /* Per column. */
    bool server_has_table;
    struct ovsdb_datum *defaults;       /* Per column. */
    struct hmap rows;                   /* By uuid_hash(). */
    struct plx_list track_list;         /* Tracked rows. */
    json_t *condition;                  /* "where" array, or NULL: all. */
    bool cond_changed;                  /* Not yet sent to the server. */
};

struct ovsdb_idl {
    const struct ovsdb_idl_class *class_;
    struct ovsdb_idl_table *tables;     /* One per class table. */
    struct jsonrpc_session *session;
    unsigned int session_seqno;
    bool was_connected;                 /* As of the last run. */
    int state;                          /* enum in ovsdb-idl.c. */
    bool use_monitor_cond;              /* False after "unknown method". */
    json_t *request_id;                 /* get_schema or monitor. */
    json_t *cond_request_id;            /* monitor_cond_change. */
    json_t *lock_request_id;
    json_t *monitor_id;
    bool monitor_everything;
    bool ever_connected;
    bool warned_missing;

    unsigned int change_seqno;
    unsigned int cond_seqno;
    unsigned int resync_gen;

    char *lock_name;
    bool has_lock;
    bool is_lock_contended;

    struct ovsdb_idl_txn *txn;          /* The open transaction. */
    struct plx_list outstanding_txns;   /* Committed, awaiting reply. */
};

struct jsonrpc_msg;

/* ovsdb-idl.c */
struct ovsdb_idl_table *ovsdb_idl_table_from_class__(
    const struct ovsdb_idl *, const struct ovsdb_idl_table_class *);
/* Whether the server has the table and it has a column to replicate. */
bool ovsdb_idl_table_is_monitored__(const struct ovsdb_idl_table *);
/* Whether the column is registered for replication and the server has
 * it with a compatible type. */
bool ovsdb_idl_column_is_replicated__(const struct ovsdb_idl_table *,
                                      size_t column_idx);

/* ovsdb-idl-replica.c */
const struct ovsdb_datum *ovsdb_idl_read__(const struct ovsdb_idl_row *,
                                           size_t column_idx);
void ovsdb_idl_row_reparse__(struct ovsdb_idl_row *);
void ovsdb_idl_row_reparse_referrers__(struct ovsdb_idl_row *);
struct ovsdb_idl_row *ovsdb_idl_row_create__(struct ovsdb_idl_table *,
                                             const struct uuid *);
void ovsdb_idl_row_maybe_free__(struct ovsdb_idl_row *);
/* Frees everything ROW owns and drops its arcs, leaving ROW itself in its
 * table's 'rows' for the caller to remove and free. */
void ovsdb_idl_row_destroy__(struct ovsdb_idl_row *);
/* Applies the <table-updates> UPDATES ("update2" form if UPDATE2).  With
 * SNAPSHOT they are the whole replica: existing rows they lack are
 * deleted.  Bad rows are logged and skipped; returns NULL or a malloc'd
 * description of the first. */
char *ovsdb_idl_apply_updates__(struct ovsdb_idl *, const json_t *updates,
                                bool update2, bool snapshot);

/* ovsdb-idl-txn.c */
bool ovsdb_idl_txn_process_reply__(struct ovsdb_idl *,
                                   const struct jsonrpc_msg *);
void ovsdb_idl_txn_disconnected__(struct ovsdb_idl *);
void ovsdb_idl_txn_forget_all__(struct ovsdb_idl *);

#endif /* ovsdb/ovsdb-idl-provider.h */
