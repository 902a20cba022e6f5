/* Fuzz target for ovsdb/ovsdb-log: the input bytes are a database file
 * (in a memfd, opened through /proc/self/fd).  Reading it must not crash
 * or leak, and must end in one of two ways, each checked:
 *
 *   - end of log (possibly after a torn tail): then appending one record
 *     and reading the file again gives exactly the same records plus the
 *     new one, with no torn tail left;
 *   - an error (corruption): then writing is refused and the file is left
 *     as it was.
 *
 * Anything else aborts. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-log.h"
#include "util.h"
#include "vlog.h"

/* Reads LOG to its end into a new array; stores the error, if any, in
 * '*errorp'. */
static json_t *
read_all(struct ovsdb_log *log, struct ovsdb_error **errorp)
{
    json_t *records = json_array();

    for (;;) {
        json_t *json;
        *errorp = ovsdb_log_read(log, &json);
        if (*errorp || !json) {
            return records;
        }
        json_array_append_new(records, json);
    }
}

static off_t
fd_size(int fd)
{
    struct stat s;
    if (fstat(fd, &s)) {
        abort();
    }
    return s.st_size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }

    int fd = memfd_create("fuzz-ovsdb-log", MFD_CLOEXEC);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t) size)) {
        abort();
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct ovsdb_log *log;
    struct ovsdb_error *error = ovsdb_log_open(path, OVSDB_LOG_MAGIC,
                                               OVSDB_LOG_READ_WRITE, 0, &log);
    if (error) {
        free(ovsdb_error_to_string_free(error));
        close(fd);
        return 0;
    }

    json_t *records = read_all(log, &error);
    json_t *extra = json_pack("{s:s}", "fuzz", "extra");

    if (error) {
        /* Corruption: no appending, nothing changed. */
        free(ovsdb_error_to_string_free(error));
        error = ovsdb_log_write(log, extra);
        if (!error || ovsdb_log_commit_block(log)
            || fd_size(fd) != (off_t) size) {
            abort();
        }
        ovsdb_error_destroy(error);
        ovsdb_log_close(log);
    } else {
        off_t good = ovsdb_log_get_offset(log);
        if (good + ovsdb_log_get_torn_bytes(log) != (off_t) size) {
            abort();
        }
        if (ovsdb_log_write(log, extra) || ovsdb_log_commit_block(log)) {
            abort();
        }
        off_t end = ovsdb_log_get_offset(log);
        ovsdb_log_close(log);
        if (fd_size(fd) != end) {
            abort();
        }

        /* Read it all again: the same records, then the new one. */
        if (ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, 0,
                           &log)) {
            abort();
        }
        json_t *again = read_all(log, &error);
        json_array_append(records, extra);
        if (error || !json_equal(records, again)
            || ovsdb_log_get_torn_bytes(log)
            || ovsdb_log_get_offset(log) != end) {
            abort();
        }
        json_decref(again);
        ovsdb_log_close(log);
    }

    json_decref(extra);
    json_decref(records);
    close(fd);
    return 0;
}
