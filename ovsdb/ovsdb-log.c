/* ovsdb-log: see ovsdb-log.h. */
#include <config.h>
#include "ovsdb/ovsdb-log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynamic-string.h"
#include "json.h"
#include "ovsdb/ovsdb-error.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_log);

#define SHA1_LEN 20
#define SHA1_HEX_LEN (2 * SHA1_LEN)
#define HEADER_LEAD "OVSDB "
#define HEADER_LEAD_LEN (sizeof HEADER_LEAD - 1)
#define HEADER_MAX 128          /* Longest header line, new-line included. */
#define MAGIC_MAX 32            /* Longest magic word. */
#define FLUSH_THRESHOLD (64 * 1024)     /* Buffered bytes that force a
                                         * write(2) before commit. */
#define SCAN_CHUNK (64 * 1024)

/* The life of a log:
 *
 *   LOG_READ --(end, or torn tail)--> LOG_READ_END
 *   LOG_READ --(corruption or read error)--> LOG_READ_ERROR
 *   LOG_READ, LOG_READ_END --(write: truncate to 'offset')--> LOG_WRITE
 *   LOG_WRITE --(write(2) fails)--> LOG_WRITE_ERROR --(write)--> LOG_WRITE
 *   any --(fdatasync() fails)--> LOG_BROKEN (terminal)
 *   any but LOG_BROKEN --(replace_commit)--> LOG_WRITE
 *
 * 'error' holds the error of the three error states. */
enum log_state {
    LOG_READ,
    LOG_READ_END,
    LOG_READ_ERROR,
    LOG_WRITE,
    LOG_WRITE_ERROR,
    LOG_BROKEN,
};

struct ovsdb_log {
    enum log_state state;
    struct ovsdb_error *error;

    char *name;                 /* Absolute name, for rename and lock. */
    char *display_name;         /* As given to ovsdb_log_open(). */
    char *magic;                /* This file's magic word. */
    int fd;
    int lock_fd;                /* -1 if not locked. */
    bool writable;

    off_t prev_offset;          /* Start of the record last read. */
    off_t offset;               /* End of the last record read or written
                                 * (buffered included). */
    off_t size;                 /* Size of the file, as far as we know. */
    off_t flushed;              /* File offset at which 'buf' goes. */
    struct ds buf;              /* Records written, not yet write(2)n. */
    bool need_sync;             /* Written or truncated since last sync. */
    off_t base;                 /* See ovsdb_log_mark_base(). */
    off_t torn_bytes;           /* Torn tail found by reading. */
    struct ovsdb_log_stats stats;
};

/* Small I/O helpers. */

static int
log_pread_full(int fd, void *buf_, size_t n, off_t ofs, size_t *got)
{
    char *buf = buf_;
    size_t done = 0;

    while (done < n) {
        ssize_t r = pread(fd, buf + done, n - done, ofs + (off_t) done);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            *got = done;
            return errno;
        } else if (r == 0) {
            break;
        }
        done += r;
    }
    *got = done;
    return 0;
}

static int
log_pwrite_full(int fd, const void *buf_, size_t n, off_t ofs)
{
    const char *buf = buf_;
    size_t done = 0;

    while (done < n) {
        ssize_t r = pwrite(fd, buf + done, n - done, ofs + (off_t) done);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        } else if (r == 0) {
            return ENOSPC;
        }
        done += r;
    }
    return 0;
}

static int
log_fdatasync(int fd)
{
    while (fdatasync(fd) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

/* fsync()s the directory that contains FILE_NAME, so that a file created
 * or renamed there stays so after a crash.  Returns 0 or an errno. */
static int
log_fsync_parent_dir(const char *file_name)
{
    const char *slash = strrchr(file_name, '/');
    char *dir = (slash == file_name ? xstrdup("/")
                 : slash ? xmemdup0(file_name, slash - file_name)
                 : xstrdup("."));
    int error = 0;

    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = errno;
    } else {
        while (fsync(fd) < 0) {
            if (errno != EINTR) {
                /* Some file systems cannot fsync() a directory; their
                 * directory operations are synchronous anyway. */
                if (errno != EINVAL) {
                    error = errno;
                }
                break;
            }
        }
        close(fd);
    }
    free(dir);
    return error;
}

/* Returns NAME with up to 10 levels of symbolic links followed (a name
 * that is not a link, or does not exist, comes back as it is). */
static char *
log_follow_symlinks(const char *name)
{
    char *fn = xstrdup(name);

    for (int i = 0; i < 10; i++) {
        char target[PATH_MAX];
        ssize_t n = readlink(fn, target, sizeof target);
        if (n < 0 || (size_t) n >= sizeof target) {
            return fn;
        }
        target[n] = '\0';

        const char *slash = strrchr(fn, '/');
        char *next = (target[0] == '/' || !slash
                      ? xstrdup(target)
                      : xasprintf("%.*s/%s", (int) (slash - fn), fn, target));
        free(fn);
        fn = next;
    }
    VLOG_WARN("%s: too many levels of symbolic links", name);
    return fn;
}

static char *
log_abs_name(const char *name)
{
    if (name[0] == '/') {
        return xstrdup(name);
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        return NULL;
    }
    char *abs = xasprintf("%s/%s", cwd, name);
    free(cwd);
    return abs;
}

char *
ovsdb_log_lockfile_name(const char *name)
{
    char *fn = log_follow_symlinks(name);
    const char *slash = strrchr(fn, '/');
    char *lock_name = (slash
                       ? xasprintf("%.*s/.%s.~lock~",
                                   (int) (slash - fn), fn, slash + 1)
                       : xasprintf(".%s.~lock~", fn));
    free(fn);
    return lock_name;
}

/* Takes the lock for database NAME; on success stores the lock file's fd
 * in '*lock_fdp'. */
static struct ovsdb_error *
log_lock(const char *name, const char *display_name, int *lock_fdp)
{
    struct ovsdb_error *error = NULL;
    char *lock_name = ovsdb_log_lockfile_name(name);

    *lock_fdp = -1;
    int fd = open(lock_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = ovsdb_io_error(errno, "%s: cannot open lock file %s",
                               display_name, lock_name);
        goto out;
    }

    struct flock l = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };
    if (fcntl(fd, F_OFD_SETLK, &l) < 0) {
        int err = errno;
        if (err == EAGAIN || err == EACCES) {
            /* A POSIX lock (Open vSwitch's) reveals its holder. */
            struct flock q = l;
            char pid[32] = "";
            if (!fcntl(fd, F_GETLK, &q) && q.l_type != F_UNLCK
                && q.l_pid > 0) {
                snprintf(pid, sizeof pid, " (pid %ld)", (long) q.l_pid);
            }
            error = ovsdb_io_error(err, "%s: database is locked by another "
                                   "writer%s: lock file %s is held",
                                   display_name, pid, lock_name);
        } else {
            error = ovsdb_io_error(err, "%s: cannot lock lock file %s",
                                   display_name, lock_name);
        }
        close(fd);
        goto out;
    }
    *lock_fdp = fd;

out:
    free(lock_name);
    return error;
}

/* Magic words. */

static bool
log_magic_word_ok(const char *p, size_t n)
{
    if (!n || n > MAGIC_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c <= ' ' || c >= 0x7f || c == '|') {
            return false;
        }
    }
    return true;
}

/* Checks the programmer-supplied MAGIC: "|"-separated words. */
static bool
log_magic_list_ok(const char *magic, bool single)
{
    if (single && strchr(magic, '|')) {
        return false;
    }
    for (;;) {
        size_t n = strcspn(magic, "|");
        if (!log_magic_word_ok(magic, n)) {
            return false;
        }
        if (!magic[n]) {
            return true;
        }
        magic += n + 1;
    }
}

/* Returns the word of the "|"-separated list MAGIC equal to the N bytes at
 * WORD, or NULL. */
static char *
log_magic_match(const char *magic, const char *word, size_t n)
{
    for (;;) {
        size_t len = strcspn(magic, "|");
        if (len == n && !memcmp(magic, word, n)) {
            return xmemdup0(magic, n);
        }
        if (!magic[len]) {
            return NULL;
        }
        magic += len + 1;
    }
}

/* Appends the N bytes at S to DS, printable ASCII as is and anything else
 * escaped, so that bytes from a file are safe in a message. */
static void
log_put_escaped(struct ds *ds, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= ' ' && c < 0x7f && c != '\\' && c != '"') {
            ds_put_char(ds, c);
        } else {
            ds_put_format(ds, "\\x%02x", c);
        }
    }
}

/* Works out the magic of the file open on FD: the word of the "|"-list
 * MAGIC that its first header names.  An empty file, or one cut inside
 * its first header's magic, takes MAGIC itself if it is a single word. */
static struct ovsdb_error *
log_identify(int fd, const char *display_name, const char *magic,
             char **actualp)
{
    char hdr[HEADER_MAX];
    size_t n;

    *actualp = NULL;
    int err = log_pread_full(fd, hdr, sizeof hdr, 0, &n);
    if (err) {
        return ovsdb_io_error(err, "%s: read error", display_name);
    }

    size_t lead = MIN(n, HEADER_LEAD_LEN);
    if (memcmp(hdr, HEADER_LEAD, lead)) {
        return ovsdb_syntax_error(NULL, NULL, "%s: unexpected file format "
                                  "(not an OVSDB log)", display_name);
    }
    const char *word = hdr + lead;
    size_t rest = n - lead;
    size_t len = 0;
    while (len < rest && word[len] != ' ' && word[len] != '\n') {
        len++;
    }
    if (n < HEADER_LEAD_LEN || len == rest) {
        /* Empty or cut short: nothing to tell the magic by. */
        if (strchr(magic, '|')) {
            return ovsdb_syntax_error(NULL, NULL, "%s: cannot identify file "
                                      "type (file is empty or truncated)",
                                      display_name);
        }
        *actualp = xstrdup(magic);
        return NULL;
    }

    *actualp = log_magic_match(magic, word, len);
    if (!*actualp) {
        struct ds s = DS_EMPTY_INITIALIZER;
        log_put_escaped(&s, word, MIN(len, MAGIC_MAX));
        struct ovsdb_error *error = ovsdb_syntax_error(
            NULL, NULL, "%s: cannot identify file type: records have magic "
            "\"%s\", expected \"%s\"", display_name, ds_cstr(&s), magic);
        ds_destroy(&s);
        return error;
    }
    return NULL;
}

/* Opening and closing. */

static struct ovsdb_error *
log_open__(const char *name, const char *magic,
           enum ovsdb_log_open_mode mode, int locking, bool sync_dir,
           struct ovsdb_log **logp)
{
    bool creating = (mode == OVSDB_LOG_CREATE_EXCL
                     || mode == OVSDB_LOG_CREATE);
    struct ovsdb_error *error;
    int lock_fd = -1;
    int flags;

    *logp = NULL;
    plx_assert(log_magic_list_ok(magic, creating));
    plx_assert(locking >= -1 && locking <= 1);

    char *abs_name = log_abs_name(name);
    if (!abs_name) {
        return ovsdb_io_error(errno, "%s: cannot determine current working "
                              "directory", name);
    }

    if (locking < 0) {
        locking = mode != OVSDB_LOG_READ_ONLY;
    }
    if (locking) {
        error = log_lock(abs_name, name, &lock_fd);
        if (error) {
            free(abs_name);
            return error;
        }
    }

    switch (mode) {
    case OVSDB_LOG_READ_ONLY:
        flags = O_RDONLY;
        break;
    case OVSDB_LOG_READ_WRITE:
        flags = O_RDWR;
        break;
    case OVSDB_LOG_CREATE_EXCL:
        flags = O_RDWR | O_CREAT | O_EXCL;
        break;
    case OVSDB_LOG_CREATE:
        flags = O_RDWR | O_CREAT;
        break;
    default:
        PLX_NOT_REACHED();
    }
    int fd = open(abs_name, flags | O_CLOEXEC, 0666);
    if (fd < 0) {
        const char *op = (mode == OVSDB_LOG_CREATE_EXCL ? "create"
                          : mode == OVSDB_LOG_CREATE ? "create or open"
                          : "open");
        error = ovsdb_io_error(errno, "%s: %s failed", name, op);
        goto error_unlock;
    }

    struct stat s;
    if (fstat(fd, &s) < 0) {
        error = ovsdb_io_error(errno, "%s: fstat failed", name);
        goto error_close;
    }

    char *actual_magic;
    error = log_identify(fd, name, magic, &actual_magic);
    if (error) {
        goto error_close;
    }

    if (mode != OVSDB_LOG_READ_ONLY && s.st_size == 0 && sync_dir) {
        /* Probably a new file: make its directory entry durable. */
        int err = log_fsync_parent_dir(abs_name);
        if (err) {
            VLOG_WARN("%s: fsync of parent directory failed (%s)",
                      name, plx_strerror(err));
        }
    }

    struct ovsdb_log *log = xzalloc(sizeof *log);
    log->state = LOG_READ;
    log->name = abs_name;
    log->display_name = xstrdup(name);
    log->magic = actual_magic;
    log->fd = fd;
    log->lock_fd = lock_fd;
    log->writable = mode != OVSDB_LOG_READ_ONLY;
    log->size = s.st_size;
    ds_init(&log->buf);
    *logp = log;
    return NULL;

error_close:
    close(fd);
error_unlock:
    if (lock_fd >= 0) {
        close(lock_fd);
    }
    free(abs_name);
    return error;
}

struct ovsdb_error *
ovsdb_log_open(const char *name, const char *magic,
               enum ovsdb_log_open_mode mode, int locking,
               struct ovsdb_log **logp)
{
    return log_open__(name, magic, mode, locking, true, logp);
}

void
ovsdb_log_close(struct ovsdb_log *log)
{
    if (log) {
        if (log->buf.length) {
            VLOG_WARN("%s: closing with %zu bytes of uncommitted records",
                      log->display_name, log->buf.length);
        }
        if (log->fd >= 0) {
            close(log->fd);
        }
        if (log->lock_fd >= 0) {
            close(log->lock_fd);    /* Releases the lock. */
        }
        ovsdb_error_destroy(log->error);
        ds_destroy(&log->buf);
        free(log->name);
        free(log->display_name);
        free(log->magic);
        free(log);
    }
}

const char *
ovsdb_log_get_name(const struct ovsdb_log *log)
{
    return log->display_name;
}

const char *
ovsdb_log_get_magic(const struct ovsdb_log *log)
{
    return log->magic;
}

/* Moves LOG to error state STATE with ERROR, which it keeps, and returns a
 * copy of ERROR for the caller. */
static struct ovsdb_error *
log_set_error(struct ovsdb_log *log, enum log_state state,
              struct ovsdb_error *error)
{
    ovsdb_error_destroy(log->error);
    log->error = error;
    log->state = state;
    return ovsdb_error_clone(error);
}

/* Reading. */

static void
log_sha1(const void *data, size_t n, uint8_t sha1[SHA1_LEN])
{
    unsigned int len = 0;
    plx_assert(EVP_Digest(data, n, sha1, &len, EVP_sha1(), NULL)
               && len == SHA1_LEN);
}

static void
log_sha1_to_hex(const uint8_t sha1[SHA1_LEN], char hex[SHA1_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < SHA1_LEN; i++) {
        hex[2 * i] = digits[sha1[i] >> 4];
        hex[2 * i + 1] = digits[sha1[i] & 15];
    }
    hex[SHA1_HEX_LEN] = '\0';
}

static int
log_hexit(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

struct log_header {
    const char *magic;
    size_t magic_len;
    uint64_t length;
    uint8_t sha1[SHA1_LEN];
};

/* Parses the LEN bytes at P, which end in the line's new-line, as
 * "OVSDB MAGIC LENGTH SHA1\n". */
static bool
log_parse_header(const char *p, size_t len, struct log_header *h)
{
    const char *end = p + len - 1;

    if (len < HEADER_LEAD_LEN || memcmp(p, HEADER_LEAD, HEADER_LEAD_LEN)) {
        return false;
    }
    p += HEADER_LEAD_LEN;

    h->magic = p;
    while (p < end && *p != ' ') {
        p++;
    }
    h->magic_len = p - h->magic;
    if (!h->magic_len || p >= end) {
        return false;
    }
    p++;

    const char *digits = p;
    h->length = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned int d = *p++ - '0';
        if (h->length > ((uint64_t) INT64_MAX - d) / 10) {
            return false;
        }
        h->length = h->length * 10 + d;
    }
    if (p == digits || p >= end || *p != ' ' || !h->length) {
        return false;
    }
    p++;

    if (end - p != SHA1_HEX_LEN) {
        return false;
    }
    for (size_t i = 0; i < SHA1_LEN; i++) {
        int hi = log_hexit(p[2 * i]);
        int lo = log_hexit(p[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        h->sha1[i] = hi << 4 | lo;
    }
    return true;
}

enum log_rec_status {
    REC_OK,                     /* 'json' and 'end' set. */
    REC_EOF,                    /* Clean end of file. */
    REC_BAD,                    /* 'why' set (malloc'd). */
    REC_IO,                     /* 'error' set (an errno). */
};

struct log_rec {
    json_t *json;
    off_t end;
    char *why;
    int error;
};

static enum log_rec_status
log_rec_bad(struct log_rec *rec, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3);

static enum log_rec_status
log_rec_bad(struct log_rec *rec, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    rec->why = xvasprintf(format, args);
    va_end(args);
    return REC_BAD;
}

/* Reads the record at OFS.  When SCANNING for an intact record after a bad
 * one, also requires the body to end in a new-line (as every writer makes
 * it) before reading it whole, which keeps scanning garbage cheap. */
static enum log_rec_status
log_read_record(const struct ovsdb_log *log, off_t ofs, bool scanning,
                struct log_rec *rec)
{
    char hdr[HEADER_MAX];
    size_t n;

    memset(rec, 0, sizeof *rec);
    if (ofs >= log->size) {
        return REC_EOF;
    }

    /* The header line.  Nothing is allocated from its numbers until they
     * have been checked against the size of the file. */
    rec->error = log_pread_full(log->fd, hdr,
                                MIN((off_t) sizeof hdr, log->size - ofs),
                                ofs, &n);
    if (rec->error) {
        return REC_IO;
    }
    const char *nl = memchr(hdr, '\n', n);
    if (!nl) {
        return (n < sizeof hdr
                ? log_rec_bad(rec, "incomplete header line")
                : log_rec_bad(rec, "header line longer than %d bytes",
                              HEADER_MAX));
    }
    size_t hdr_len = nl - hdr + 1;
    struct log_header h;
    if (!log_parse_header(hdr, hdr_len, &h)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        log_put_escaped(&s, hdr, hdr_len - 1);
        log_rec_bad(rec, "parse error in header line \"%s\"", ds_cstr(&s));
        ds_destroy(&s);
        return REC_BAD;
    }
    if (h.magic_len != strlen(log->magic)
        || memcmp(h.magic, log->magic, h.magic_len)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        log_put_escaped(&s, h.magic, MIN(h.magic_len, MAGIC_MAX));
        log_rec_bad(rec, "header has magic \"%s\" instead of \"%s\"",
                    ds_cstr(&s), log->magic);
        ds_destroy(&s);
        return REC_BAD;
    }
    off_t data_ofs = ofs + hdr_len;
    if (h.length > (uint64_t) (log->size - data_ofs)) {
        return log_rec_bad(rec, "header claims %"PRIu64" bytes of data but "
                           "only %lld remain in the file", h.length,
                           (long long int) (log->size - data_ofs));
    }
    size_t length = h.length;

    if (scanning) {
        char last;
        rec->error = log_pread_full(log->fd, &last, 1,
                                    data_ofs + (off_t) length - 1, &n);
        if (rec->error) {
            return REC_IO;
        } else if (n != 1 || last != '\n') {
            return log_rec_bad(rec, "data does not end in a new-line");
        }
    }

    /* The body. */
    char *body = xmalloc(length);
    rec->error = log_pread_full(log->fd, body, length, data_ofs, &n);
    if (rec->error) {
        free(body);
        return REC_IO;
    } else if (n != length) {
        free(body);
        return log_rec_bad(rec, "file shrank while reading %zu bytes "
                           "at offset %lld", length,
                           (long long int) data_ofs);
    }

    uint8_t sha1[SHA1_LEN];
    log_sha1(body, length, sha1);
    if (memcmp(sha1, h.sha1, SHA1_LEN)) {
        char actual[SHA1_HEX_LEN + 1], expected[SHA1_HEX_LEN + 1];
        log_sha1_to_hex(sha1, actual);
        log_sha1_to_hex(h.sha1, expected);
        free(body);
        return log_rec_bad(rec, "%zu bytes starting at offset %lld have "
                           "SHA-1 hash %s but should have hash %s", length,
                           (long long int) data_ofs, actual, expected);
    }

    struct json_limits limits = { .max_bytes = length };
    char *json_error;
    json_t *json = json_from_buffer_bounded(body, length, &limits,
                                            &json_error);
    free(body);
    if (!json) {
        log_rec_bad(rec, "%zu bytes starting at offset %lld are not valid "
                    "JSON (%s)", length, (long long int) data_ofs,
                    json_error);
        free(json_error);
        return REC_BAD;
    } else if (!json_is_object(json)) {
        json_decref(json);
        return log_rec_bad(rec, "%zu bytes starting at offset %lld are not "
                           "a JSON object", length,
                           (long long int) data_ofs);
    }

    rec->json = json;
    rec->end = data_ofs + (off_t) length;
    return REC_OK;
}

/* Looks for an intact record that starts at a line start after BAD_OFS.
 * Returns 0 and stores its offset, or -1 if there is none, in '*foundp';
 * or returns an errno. */
static int
log_find_intact_after(const struct ovsdb_log *log, off_t bad_ofs,
                      off_t *foundp)
{
    char *chunk = xmalloc(SCAN_CHUNK);
    off_t pos = bad_ofs;
    int error = 0;

    *foundp = -1;
    while (pos < log->size && *foundp < 0 && !error) {
        size_t n;
        error = log_pread_full(log->fd, chunk,
                               MIN((off_t) SCAN_CHUNK, log->size - pos),
                               pos, &n);
        if (error || !n) {
            break;
        }
        for (const char *p = chunk;
             (p = memchr(p, '\n', chunk + n - p)) != NULL; p++) {
            off_t cand = pos + (p - chunk) + 1;
            struct log_rec rec;

            enum log_rec_status status = log_read_record(log, cand, true,
                                                         &rec);
            free(rec.why);
            if (status == REC_OK) {
                json_decref(rec.json);
                *foundp = cand;
                break;
            } else if (status == REC_IO) {
                error = rec.error;
                break;
            } else if (status == REC_EOF) {
                break;
            }
        }
        pos += n;
    }
    free(chunk);
    return error;
}

/* Handles the bad record at 'log->offset', described by WHY (freed). */
static struct ovsdb_error *
log_bad_record(struct ovsdb_log *log, char *why)
{
    struct ovsdb_error *error;
    off_t found;

    int err = log_find_intact_after(log, log->offset, &found);
    if (err) {
        error = ovsdb_io_error(err, "%s: read failed while examining bad "
                               "record at offset %lld (%s)",
                               log->display_name,
                               (long long int) log->offset, why);
    } else if (found < 0) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: ignoring torn tail of %lld bytes at offset "
                     "%lld (%s); the next write truncates the log there",
                     log->display_name,
                     (long long int) (log->size - log->offset),
                     (long long int) log->offset, why);
        log->torn_bytes = log->size - log->offset;
        log->state = LOG_READ_END;
        free(why);
        return NULL;
    } else {
        error = ovsdb_syntax_error(NULL, NULL, "%s: corrupt record at offset "
                                   "%lld (%s) is followed by an intact "
                                   "record at offset %lld, so it is not a "
                                   "torn write: refusing to discard "
                                   "committed data", log->display_name,
                                   (long long int) log->offset, why,
                                   (long long int) found);
    }
    free(why);
    return log_set_error(log, LOG_READ_ERROR, error);
}

struct ovsdb_error *
ovsdb_log_read(struct ovsdb_log *log, json_t **jsonp)
{
    *jsonp = NULL;
    switch (log->state) {
    case LOG_READ:
        break;
    case LOG_READ_END:
    case LOG_WRITE:
    case LOG_WRITE_ERROR:
        return NULL;
    case LOG_READ_ERROR:
    case LOG_BROKEN:
        return ovsdb_error_clone(log->error);
    }

    struct log_rec rec;
    switch (log_read_record(log, log->offset, false, &rec)) {
    case REC_OK:
        log->prev_offset = log->offset;
        log->offset = rec.end;
        log->stats.n_records_read++;
        *jsonp = rec.json;
        return NULL;

    case REC_EOF:
        log->state = LOG_READ_END;
        return NULL;

    case REC_IO:
        return log_set_error(log, LOG_READ_ERROR, ovsdb_io_error(
                                 rec.error, "%s: read failed at offset %lld",
                                 log->display_name,
                                 (long long int) log->offset));

    case REC_BAD:
        return log_bad_record(log, rec.why);
    }
    PLX_NOT_REACHED();
}

void
ovsdb_log_unread(struct ovsdb_log *log)
{
    plx_assert(log->state == LOG_READ);
    log->offset = log->prev_offset;
}

off_t
ovsdb_log_get_torn_bytes(const struct ovsdb_log *log)
{
    return log->torn_bytes;
}

/* Writing. */

static int
log_dump_to_ds(const char *buffer, size_t size, void *ds_)
{
    ds_put_buffer(ds_, buffer, size);
    return 0;
}

/* Checks that JSON, at nesting DEPTH, serializes to text that the reader
 * accepts: no NUL bytes in strings or keys (jansson writes them as \u0000
 * but refuses to read them back), no deeper nesting than the reader's
 * limit (which also stops a reference cycle). */
static struct ovsdb_error *
log_check_json(const json_t *json, size_t depth)
{
    if (json_is_object(json) || json_is_array(json)) {
        if (depth > JSON_DEFAULT_MAX_DEPTH) {
            return ovsdb_syntax_error(NULL, NULL, "log record nests deeper "
                                      "than %d levels",
                                      JSON_DEFAULT_MAX_DEPTH);
        }
    }

    if (json_is_object(json)) {
        for (void *iter = json_object_iter((json_t *) json); iter;
             iter = json_object_iter_next((json_t *) json, iter)) {
#if JANSSON_VERSION_HEX >= 0x020e00
            const char *key = json_object_iter_key(iter);
            if (strlen(key) != json_object_iter_key_len(iter)) {
                return ovsdb_syntax_error(NULL, NULL, "log record has an "
                                          "object key with a NUL byte");
            }
#endif
            struct ovsdb_error *error = log_check_json(
                json_object_iter_value(iter), depth + 1);
            if (error) {
                return error;
            }
        }
    } else if (json_is_array(json)) {
        for (size_t i = 0; i < json_array_size(json); i++) {
            struct ovsdb_error *error = log_check_json(
                json_array_get(json, i), depth + 1);
            if (error) {
                return error;
            }
        }
    } else if (json_is_string(json)) {
        if (strlen(json_string_value(json)) != json_string_length(json)) {
            return ovsdb_syntax_error(NULL, NULL, "log record has a string "
                                      "with a NUL byte");
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_log_compose_record(const json_t *json, const char *magic,
                         struct ds *header, struct ds *data)
{
    plx_assert(!header->length && !data->length);
    plx_assert(log_magic_list_ok(magic, true));

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(NULL, NULL, "log record must be a JSON "
                                  "object, not %s", json_type_name(json));
    }
    struct ovsdb_error *error = log_check_json(json, 1);
    if (error) {
        return error;
    }

    /* Compact: no new-line before the one that ends the body. */
    if (json_dump_callback(json, log_dump_to_ds, data, JSON_COMPACT)) {
        ds_clear(data);
        return ovsdb_syntax_error(NULL, NULL, "log record cannot be "
                                  "serialized (a string that is not valid "
                                  "UTF-8?)");
    }
    ds_put_char(data, '\n');

    uint8_t sha1[SHA1_LEN];
    char hex[SHA1_HEX_LEN + 1];
    log_sha1(data->string, data->length, sha1);
    log_sha1_to_hex(sha1, hex);
    ds_put_format(header, HEADER_LEAD "%s %zu %s\n",
                  magic, data->length, hex);
    return NULL;
}

/* Leaves reading for writing: truncates the file to the end of the last
 * record read (or, after a write error, the last record written). */
static struct ovsdb_error *
log_start_writing(struct ovsdb_log *log)
{
    if (log->size != log->offset || log->state == LOG_WRITE_ERROR) {
        if (ftruncate(log->fd, log->offset) < 0) {
            return ovsdb_io_error(errno, "%s: cannot truncate to length %lld",
                                  log->display_name,
                                  (long long int) log->offset);
        }
        if (log->torn_bytes) {
            VLOG_INFO("%s: truncated torn tail of %lld bytes at offset %lld",
                      log->display_name, (long long int) log->torn_bytes,
                      (long long int) log->offset);
        }
        log->need_sync = true;
    }
    log->torn_bytes = 0;
    log->size = log->flushed = log->offset;
    log->state = LOG_WRITE;
    return NULL;
}

/* write(2)s the buffered records.  On failure, truncates the partial write
 * away, drops the buffered records, and enters LOG_WRITE_ERROR. */
static struct ovsdb_error *
log_flush(struct ovsdb_log *log)
{
    if (!log->buf.length) {
        return NULL;
    }

    int err = log_pwrite_full(log->fd, log->buf.string, log->buf.length,
                              log->flushed);
    if (err) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: write failed (%s)",
                     log->display_name, plx_strerror(err));

        /* Remove any partial write; if even that fails, the next write
         * retries it before appending. */
        if (ftruncate(log->fd, log->flushed) < 0) {
            VLOG_WARN_RL(&rl, "%s: cannot truncate to length %lld (%s)",
                         log->display_name, (long long int) log->flushed,
                         plx_strerror(errno));
        }
        log->offset = log->flushed;
        ds_clear(&log->buf);
        return log_set_error(log, LOG_WRITE_ERROR, ovsdb_io_error(
                                 err, "%s: write failed",
                                 log->display_name));
    }

    log->stats.n_bytes_written += log->buf.length;
    log->flushed += log->buf.length;
    log->size = log->flushed;
    log->need_sync = true;
    ds_clear(&log->buf);
    return NULL;
}

struct ovsdb_error *
ovsdb_log_write(struct ovsdb_log *log, const json_t *json)
{
    struct ovsdb_error *error;

    if (!log->writable) {
        return ovsdb_io_error(EBADF, "%s: log is open read-only",
                              log->display_name);
    }

    switch (log->state) {
    case LOG_WRITE:
        break;
    case LOG_READ:
    case LOG_READ_END:
    case LOG_WRITE_ERROR:
        error = log_start_writing(log);
        if (error) {
            return log_set_error(log, LOG_WRITE_ERROR, error);
        }
        ovsdb_error_destroy(log->error);
        log->error = NULL;
        break;
    case LOG_READ_ERROR:
        return ovsdb_wrap_error(ovsdb_error_clone(log->error),
                                "refusing to append");
    case LOG_BROKEN:
        return ovsdb_error_clone(log->error);
    }

    struct ds header = DS_EMPTY_INITIALIZER;
    struct ds data = DS_EMPTY_INITIALIZER;
    error = ovsdb_log_compose_record(json, log->magic, &header, &data);
    if (!error) {
        ds_put_buffer(&log->buf, header.string, header.length);
        ds_put_buffer(&log->buf, data.string, data.length);
        log->offset += header.length + data.length;
        log->stats.n_records_written++;
        if (log->buf.length >= FLUSH_THRESHOLD) {
            error = log_flush(log);
        }
    }
    ds_destroy(&header);
    ds_destroy(&data);
    return error;
}

struct ovsdb_error *
ovsdb_log_commit_block(struct ovsdb_log *log)
{
    switch (log->state) {
    case LOG_READ:
    case LOG_READ_END:
    case LOG_READ_ERROR:
    case LOG_WRITE:
        break;
    case LOG_WRITE_ERROR:
    case LOG_BROKEN:
        return ovsdb_error_clone(log->error);
    }

    struct ovsdb_error *error = log_flush(log);
    if (error) {
        return error;
    }
    if (log->need_sync) {
        int err = log_fdatasync(log->fd);
        if (err) {
            VLOG_ERR("%s: fdatasync failed (%s): log is unusable until "
                     "reopened", log->display_name, plx_strerror(err));
            return log_set_error(log, LOG_BROKEN, ovsdb_io_error(
                                     err, "%s: fdatasync failed",
                                     log->display_name));
        }
        log->stats.n_syncs++;
        log->need_sync = false;
    }
    return NULL;
}

off_t
ovsdb_log_get_offset(const struct ovsdb_log *log)
{
    return log->offset;
}

/* Growth accounting. */

void
ovsdb_log_mark_base(struct ovsdb_log *log)
{
    log->base = log->offset;
}

off_t
ovsdb_log_get_base(const struct ovsdb_log *log)
{
    return log->base;
}

bool
ovsdb_log_grew_lots(const struct ovsdb_log *log)
{
    return (log->offset >= OVSDB_LOG_COMPACT_MIN_BYTES
            && log->offset / OVSDB_LOG_COMPACT_RATIO > log->base);
}

void
ovsdb_log_get_stats(const struct ovsdb_log *log,
                    struct ovsdb_log_stats *stats)
{
    *stats = log->stats;
}

/* Compaction. */

struct ovsdb_error *
ovsdb_log_replace_start(struct ovsdb_log *old, struct ovsdb_log **newp)
{
    *newp = NULL;
    if (!old->writable) {
        return ovsdb_io_error(EBADF, "%s: cannot compact a log opened "
                              "read-only", old->display_name);
    } else if (old->state == LOG_BROKEN) {
        return ovsdb_error_clone(old->error);
    }

    /* If the database is a symlink, the new file goes beside its target,
     * so that rename() replaces the target, not the link. */
    char *target = log_follow_symlinks(old->name);
    char *tmp_name = xasprintf("%s.tmp", target);
    free(target);

    struct ovsdb_error *error = NULL;
    if (unlink(tmp_name) < 0 && errno != ENOENT) {
        error = ovsdb_io_error(errno, "%s: cannot remove stale %s",
                               old->display_name, tmp_name);
    } else {
        /* No directory fsync: the rename in replace_commit does one. */
        error = log_open__(tmp_name, old->magic, OVSDB_LOG_CREATE_EXCL, 0,
                           false, newp);
    }
    free(tmp_name);
    return error;
}

struct ovsdb_error *
ovsdb_log_replace_commit(struct ovsdb_log *old, struct ovsdb_log *new)
{
    if (old->state == LOG_BROKEN) {
        ovsdb_log_replace_abort(new);
        return ovsdb_error_clone(old->error);
    }

    /* The new contents must be durable before their name is. */
    struct ovsdb_error *error = ovsdb_log_commit_block(new);
    if (error) {
        ovsdb_log_replace_abort(new);
        return error;
    }

    char *target = log_follow_symlinks(old->name);
    if (rename(new->name, target) < 0) {
        error = ovsdb_io_error(errno, "%s: failed to rename \"%s\" to "
                               "\"%s\"", old->display_name, new->name,
                               target);
        free(target);
        ovsdb_log_replace_abort(new);
        return error;
    }
    /* The rename happened.  If making it durable fails, a crash leaves
     * either file under the name, and both are complete. */
    int err = log_fsync_parent_dir(target);
    if (err) {
        VLOG_WARN("%s: fsync of directory after compaction failed (%s)",
                  old->display_name, plx_strerror(err));
    } else {
        new->stats.n_syncs++;
    }
    free(target);

    /* Continue in the new file.  Records buffered in OLD are dropped: the
     * new contents supersede them. */
    if (old->buf.length) {
        VLOG_WARN("%s: compaction dropped %zu bytes of uncommitted records",
                  old->display_name, old->buf.length);
    }
    close(old->fd);
    old->fd = new->fd;
    new->fd = -1;
    ovsdb_error_destroy(old->error);
    old->error = NULL;
    old->state = LOG_WRITE;
    old->prev_offset = 0;
    old->offset = old->size = old->flushed = new->offset;
    ds_clear(&old->buf);
    old->need_sync = false;
    old->torn_bytes = 0;
    old->base = new->offset;
    old->stats.n_records_written += new->stats.n_records_written;
    old->stats.n_bytes_written += new->stats.n_bytes_written;
    old->stats.n_syncs += new->stats.n_syncs;
    ovsdb_log_close(new);
    return NULL;
}

void
ovsdb_log_replace_abort(struct ovsdb_log *new)
{
    if (new) {
        char *name = xstrdup(new->name);
        ds_clear(&new->buf);
        ovsdb_log_close(new);
        if (unlink(name) < 0 && errno != ENOENT) {
            VLOG_WARN("cannot remove %s (%s)", name, plx_strerror(errno));
        }
        free(name);
    }
}

struct ovsdb_error *
ovsdb_log_replace(struct ovsdb_log *log, json_t *const *entries, size_t n)
{
    struct ovsdb_log *new;
    struct ovsdb_error *error = ovsdb_log_replace_start(log, &new);
    if (error) {
        return error;
    }
    for (size_t i = 0; i < n; i++) {
        error = ovsdb_log_write(new, entries[i]);
        if (error) {
            ovsdb_log_replace_abort(new);
            return error;
        }
    }
    return ovsdb_log_replace_commit(log, new);
}
