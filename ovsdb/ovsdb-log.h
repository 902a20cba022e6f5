/*
 * ovsdb-log: the crash-safe record log that holds an OVSDB database file.
 *
 * File format (that of Open vSwitch's ovsdb-server, so that ovsdb-tool and
 * people recognise our files and we recognise theirs).  A log is a series
 * of records; each is a header line followed by a body:
 *
 *     OVSDB JSON 59 3f786850e387550fdab836ed7e6dc881de23001b\n
 *     {"name":"Open_vSwitch","version":"8.3.0","tables":{...}}\n
 *
 * The header is "OVSDB ", a magic word ("JSON" for a standalone database,
 * OVSDB_LOG_MAGIC), the length of the body in decimal, the SHA-1 of the
 * body in 40 hex digits, and a new-line.  The body is one JSON object
 * serialized without new-lines, followed by a new-line that is counted in
 * the length and covered by the SHA-1.  For a database, the first record
 * is the schema and each later one a committed transaction (or, right
 * after compaction, the whole contents); this module does not care: it
 * stores JSON objects.
 *
 * Writing.  ovsdb_log_write() appends a record to an in-memory buffer;
 * ovsdb_log_commit_block() writes what is buffered and fdatasync()s, and
 * returns only once it is durable, so a server replies to a transaction
 * only after its commit_block succeeded.  If commit_block fails, any
 * record written since the previous successful commit_block may be lost.
 * A failed write(2) truncates the file back to where it was and puts the
 * log in a write-error state from which the next write retries.  A failed
 * fdatasync() is terminal (the log is "broken": after such a failure the
 * kernel may have dropped the dirty pages, so nothing later could be
 * trusted); the server must reopen the database.
 *
 * Reading, and how a torn tail differs from corruption.  Records are read
 * in order after opening.  A record is *bad* when its header line is
 * incomplete or malformed, names another magic, claims a length that runs
 * past end of file, when the SHA-1 of its body mismatches, or when its
 * body is not a JSON object (within lib/json.h's default nesting limit).
 * What a bad record means depends on what follows it:
 *
 *   - Torn tail: no intact record starts anywhere after the bad one (an
 *     intact record is one that reads without error; candidates are
 *     looked for at every line start after the bad record's offset,
 *     because records always start at a line start and never contain a
 *     new-line before their last byte).  This is what a crash in the
 *     middle of an append leaves: only bytes after the last fdatasync()
 *     can be damaged, and they are at the end.  ovsdb_log_read() logs a
 *     warning with the offset and returns end-of-log; the good records
 *     before it are the database; the next write first truncates the
 *     file to the end of the last good record, so nothing is ever
 *     appended after a torn record.
 *
 *   - Corruption: an intact record follows the bad one.  Something damaged
 *     data that was once durable (a disk error, a stray write, an editor).
 *     Dropping the bad record and everything after it would silently lose
 *     committed transactions, so ovsdb_log_read() returns a "syntax error"
 *     naming the bad record's offset and the next intact record's offset,
 *     and keeps returning it; writes are refused.  The server then refuses
 *     to start.  An operator can still salvage the good prefix by
 *     compacting (ovsdb_log_replace*() works in this state).
 *
 * Open vSwitch treats every bad record as the end of the log (with a
 * warning) and truncates there on the next write; we differ only in the
 * second case.  What neither can tell apart: damage confined to the last
 * record looks exactly like a torn append and is dropped as one.  And if
 * the caller writes several records before one commit_block and the
 * machine crashes, the kernel may have written a later one intact but an
 * earlier one not; that is then reported as corruption, which is the safe
 * side: compaction recovers the prefix.
 *
 * Compaction.  ovsdb_log_replace_start() creates NAME.tmp next to the
 * database (after following symlinks), into which the caller writes the
 * new contents; ovsdb_log_replace_commit() fsync()s it, rename()s it over
 * the database and fsync()s the directory, after which the log continues
 * in the new file.  A crash at any point leaves either the old or the new
 * file under the database's name, complete (a stale NAME.tmp is removed
 * by the next replace_start).  Other processes that have the old file
 * open keep reading the old, unchanged inode.
 *
 * Growth accounting: ovsdb_log_mark_base() records the current size as the
 * size of the last snapshot (replace_commit() does this itself);
 * ovsdb_log_grew_lots() says whether the log has grown past 10 MiB and to
 * more than 4 times the snapshot, the thresholds Open vSwitch used for
 * standalone databases (newer versions use 2 times), so that the server
 * can decide when to compact.
 *
 * Locking.  A log opened for writing takes an exclusive lock on the file
 * ".NAME.~lock~" in the database's directory (Open vSwitch's lock file
 * name), with an open-file-description fcntl() lock: it conflicts with a
 * second plx-dbserver, with a second open in the same process, and with
 * Open vSwitch's ovsdb-server, which uses POSIX fcntl() locks on the same
 * file.  The lock file lives apart from the database so that compaction's
 * rename() does not drop it.
 *
 * Errors are struct ovsdb_error (ovsdb/ovsdb-error.h) with the tag
 * "I/O error" (carrying errno) or "syntax error"; messages start with the
 * file name as given to ovsdb_log_open().  Not thread-safe: one thread
 * uses a given log at a time.
 */
#ifndef PLX_OVSDB_LOG_H
#define PLX_OVSDB_LOG_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "util.h"

struct ds;
struct ovsdb_error;
struct ovsdb_log;

/* The magic word of a standalone database ("OVSDB JSON ..." headers). */
#define OVSDB_LOG_MAGIC "JSON"

/* Compaction thresholds (see ovsdb_log_grew_lots()). */
#define OVSDB_LOG_COMPACT_MIN_BYTES (10 * 1024 * 1024)
#define OVSDB_LOG_COMPACT_RATIO 4

enum ovsdb_log_open_mode {
    OVSDB_LOG_READ_ONLY,        /* Existing file, read-only. */
    OVSDB_LOG_READ_WRITE,       /* Existing file, read/write. */
    OVSDB_LOG_CREATE_EXCL,      /* New file (fails if it exists). */
    OVSDB_LOG_CREATE            /* New or existing file, read/write. */
};

/* Opens NAME.  MAGIC is the magic word of its records (OVSDB_LOG_MAGIC);
 * for the read modes it may list alternatives separated by "|"
 * ("JSON|CLUSTER"), and ovsdb_log_get_magic() then says which one the file
 * has.  A non-empty file whose first bytes are not a header with an
 * accepted magic is refused (a file cut inside its first header is
 * accepted: reading finds the torn tail).
 *
 * LOCKING: 1 to lock, 0 not to, -1 to lock only if MODE allows writing.
 *
 * On success stores the log in '*logp' and returns NULL; on failure
 * stores NULL and returns the error. */
struct ovsdb_error *ovsdb_log_open(const char *name, const char *magic,
                                   enum ovsdb_log_open_mode, int locking,
                                   struct ovsdb_log **logp)
    PLX_WARN_UNUSED_RESULT;
/* Closes LOG (NULL is allowed) without committing buffered records:
 * callers commit first. */
void ovsdb_log_close(struct ovsdb_log *);

const char *ovsdb_log_get_name(const struct ovsdb_log *);
const char *ovsdb_log_get_magic(const struct ovsdb_log *);

/* Reads the next record.  Returns NULL and stores a new reference to a
 * JSON object in '*jsonp', or NULL at the end of the log (including at a
 * torn tail, see above).  On an I/O error or corruption, returns the error
 * (the same one again on every later call) and stores NULL.  After the
 * first write, reads return end-of-log. */
struct ovsdb_error *ovsdb_log_read(struct ovsdb_log *, json_t **jsonp)
    PLX_WARN_UNUSED_RESULT;
/* Forgets the record just returned by ovsdb_log_read(), so that the next
 * write overwrites it (for a record that makes no sense to the layer
 * above).  Only right after a successful read. */
void ovsdb_log_unread(struct ovsdb_log *);
/* Bytes of torn tail that reading found and that the next write will
 * truncate (0 if none). */
off_t ovsdb_log_get_torn_bytes(const struct ovsdb_log *);

/* Appends a record holding JSON, which must be an object whose strings
 * and keys have no NUL bytes and that nests no deeper than lib/json.h's
 * default limit (so that every record written can be read back).  The
 * first write after reading truncates the file to the end of the last
 * record read: any torn tail and any records not yet read.  Buffered:
 * see ovsdb_log_commit_block(). */
struct ovsdb_error *ovsdb_log_write(struct ovsdb_log *, const json_t *)
    PLX_WARN_UNUSED_RESULT;
/* Writes buffered records and waits until everything written is durable
 * (fdatasync()). */
struct ovsdb_error *ovsdb_log_commit_block(struct ovsdb_log *)
    PLX_WARN_UNUSED_RESULT;

/* The offset just past the last record read or written (buffered
 * included): after reading to the end, the size of the good part of the
 * file. */
off_t ovsdb_log_get_offset(const struct ovsdb_log *);

/* Growth accounting. */
void ovsdb_log_mark_base(struct ovsdb_log *);
off_t ovsdb_log_get_base(const struct ovsdb_log *);
/* True if the log is over OVSDB_LOG_COMPACT_MIN_BYTES and over
 * OVSDB_LOG_COMPACT_RATIO times its base. */
bool ovsdb_log_grew_lots(const struct ovsdb_log *);

/* Counters, for tests and for the server's memory/show. */
struct ovsdb_log_stats {
    uint64_t n_records_read;
    uint64_t n_records_written;
    uint64_t n_bytes_written;
    uint64_t n_syncs;           /* Successful fdatasync()/fsync() calls. */
};
void ovsdb_log_get_stats(const struct ovsdb_log *, struct ovsdb_log_stats *);

/* Compaction.  ovsdb_log_replace_start() creates an empty log in NAME.tmp
 * with OLD's magic and stores it in '*newp'; the caller writes the new
 * contents into it with ovsdb_log_write(), then either
 * ovsdb_log_replace_commit(OLD, NEW), which makes them OLD's contents
 * atomically and durably (NEW is consumed whatever the result; on failure
 * OLD is unchanged and still usable unless the failure came after the
 * rename and left it broken), or ovsdb_log_replace_abort(NEW), which
 * removes the temporary file.  OLD must be writable.  After a successful
 * commit OLD is positioned at the end of the new contents and its base is
 * their size. */
struct ovsdb_error *ovsdb_log_replace_start(struct ovsdb_log *old,
                                            struct ovsdb_log **newp)
    PLX_WARN_UNUSED_RESULT;
struct ovsdb_error *ovsdb_log_replace_commit(struct ovsdb_log *old,
                                             struct ovsdb_log *new)
    PLX_WARN_UNUSED_RESULT;
void ovsdb_log_replace_abort(struct ovsdb_log *new);
/* All three in one: replaces LOG's contents by the N objects ENTRIES. */
struct ovsdb_error *ovsdb_log_replace(struct ovsdb_log *,
                                      json_t *const *entries, size_t n)
    PLX_WARN_UNUSED_RESULT;

/* Composes the record for JSON into HEADER (the header line) and DATA (the
 * body, new-line included), which must be empty, as ovsdb_log_write()
 * would write it.  Returns NULL, or an error if JSON cannot be a record
 * (see ovsdb_log_write()). */
struct ovsdb_error *ovsdb_log_compose_record(const json_t *,
                                             const char *magic,
                                             struct ds *header,
                                             struct ds *data)
    PLX_WARN_UNUSED_RESULT;

/* The name of the lock file for database NAME; the caller frees it. */
char *ovsdb_log_lockfile_name(const char *name);

#endif /* ovsdb/ovsdb-log.h */
