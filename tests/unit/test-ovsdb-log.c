/* Tests for ovsdb/ovsdb-log: the record format (byte for byte as Open
 * vSwitch writes it), round trips, crash simulation by truncation at every
 * byte, torn tail versus corruption, malformed headers, compaction and its
 * failures, locking, growth accounting and the fsync/write error paths. */
#include <config.h>
#include "ovsdb/ovsdb-log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dynamic-string.h"
#include "ovsdb/ovsdb-error.h"
#include "test.h"
#include "util.h"
#include "vlog.h"

/* Fails the case with the error's text if EXPR returns an error. */
#define CHECK_OK(EXPR)                                                    \
    do {                                                                  \
        struct ovsdb_error *e__ = (EXPR);                                 \
        if (e__) {                                                        \
            test_fail(TEST_WHERE, "%s: %s", #EXPR,                        \
                      ovsdb_error_to_string_free(e__));                   \
        }                                                                 \
    } while (0)

/* Checks that EXPR returns an error with tag TAG whose text contains
 * SUBSTRING, and frees it. */
#define CHECK_ERROR(EXPR, TAG, SUBSTRING)                                 \
    do {                                                                  \
        struct ovsdb_error *e__ = (EXPR);                                 \
        if (!e__) {                                                       \
            test_fail(TEST_WHERE, "%s succeeded", #EXPR);                 \
        }                                                                 \
        char *s__ = ovsdb_error_to_string(e__);                           \
        if (strcmp(ovsdb_error_get_tag(e__), TAG)                         \
            || !strstr(s__, SUBSTRING)) {                                 \
            test_fail(TEST_WHERE, "%s: got \"%s\", expected tag %s and "  \
                      "\"%s\"", #EXPR, s__, TAG, SUBSTRING);              \
        }                                                                 \
        free(s__);                                                        \
        ovsdb_error_destroy(e__);                                         \
    } while (0)

static void
quiet(void)
{
    vlog_set_levels(vlog_module_from_name("ovsdb_log"), VLF_CONSOLE,
                    VLL_OFF);
}

static char *
tmp_path(const char *base)
{
    return xasprintf("%s/%s", test_tmpdir(), base);
}

static json_t *
make_record(int i)
{
    json_t *r = json_object();
    json_object_set_new(r, "n", json_integer(i));
    json_object_set_new(r, "_comment", json_sprintf("record %d ☃", i));
    json_t *a = json_array();
    for (int j = 0; j < i % 5; j++) {
        json_array_append_new(a, json_real(j + 0.5));
    }
    json_object_set_new(r, "list", a);
    json_object_set_new(r, "esc", json_string("line\nbreak \"q\" \\"));
    return r;
}

static void
write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(data, 1, size, f), size);
    CHECK_EQ(fclose(f), 0);
}

static void
append_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "ab");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(data, 1, size, f), size);
    CHECK_EQ(fclose(f), 0);
}

static off_t
file_size(const char *path)
{
    struct stat s;
    CHECK_EQ(stat(path, &s), 0);
    return s.st_size;
}

/* Creates PATH holding records make_record(0..N); stores in OFS[0..N] the
 * offset of each record and the end. */
static void
make_log(const char *path, int n, off_t *ofs)
{
    struct ovsdb_log *log;

    unlink(path);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE_EXCL, -1,
                            &log));
    for (int i = 0; i < n; i++) {
        if (ofs) {
            ofs[i] = ovsdb_log_get_offset(log);
        }
        json_t *r = make_record(i);
        CHECK_OK(ovsdb_log_write(log, r));
        json_decref(r);
    }
    if (ofs) {
        ofs[n] = ovsdb_log_get_offset(log);
    }
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    if (ofs) {
        CHECK_EQ(file_size(path), ofs[n]);
    }
}

/* Reads LOG to the end, checking that record I is make_record(I), or
 * make_record(EXTRA) past the first N_ORIG.  Returns the count; stores the
 * error that ended it, if any, in '*errorp'. */
static int
read_records(struct ovsdb_log *log, int n_orig, int extra,
             struct ovsdb_error **errorp)
{
    int n = 0;

    *errorp = NULL;
    for (;;) {
        json_t *json;
        struct ovsdb_error *error = ovsdb_log_read(log, &json);
        if (error) {
            CHECK(!json);
            *errorp = error;
            return n;
        } else if (!json) {
            return n;
        }
        json_t *expected = make_record(n < n_orig ? n : extra);
        if (!json_equal(json, expected)) {
            char *s = json_dumps(json, JSON_COMPACT);
            test_fail(TEST_WHERE, "record %d is %.200s", n, s);
        }
        json_decref(expected);
        json_decref(json);
        n++;
    }
}

/* Opens PATH read-only and checks that it holds exactly N records (the
 * first N_ORIG from make_record(I), then make_record(EXTRA)). */
static void
check_log(const char *path, int n, int n_orig, int extra)
{
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &log));
    int got = read_records(log, n_orig, extra, &error);
    CHECK_OK(error);
    CHECK_EQ(got, n);
    CHECK_EQ(ovsdb_log_get_torn_bytes(log), 0);
    CHECK_EQ(ovsdb_log_get_offset(log), file_size(path));
    ovsdb_log_close(log);
}

static void
sha1_hex(const void *data, size_t n, char hex[41])
{
    uint8_t md[20];
    unsigned int len;
    CHECK(EVP_Digest(data, n, md, &len, EVP_sha1(), NULL));
    for (int i = 0; i < 20; i++) {
        sprintf(&hex[2 * i], "%02x", md[i]);
    }
}

/* A raw record with header "OVSDB MAGIC <len> <sha1>" for BODY, whatever
 * BODY is. */
static char *
raw_record(const char *magic, const char *body)
{
    char hex[41];
    sha1_hex(body, strlen(body), hex);
    return xasprintf("OVSDB %s %zu %s\n%s", magic, strlen(body), hex, body);
}

TEST(format_is_ovs)
{
    char *path = tmp_path("db");
    struct ovsdb_log *log;

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE_EXCL, -1,
                            &log));
    json_t *r = json_pack("{s:i}", "a", 1);
    CHECK_OK(ovsdb_log_write(log, r));
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);

    static const char expected[] =
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n";
    size_t size;
    uint8_t *data = (uint8_t *) test_read_file(path, &size);
    CHECK_EQ(size, strlen(expected));
    CHECK_MEMEQ(data, expected, size);
    free(data);

    /* compose_record() agrees, and so does a record with an upper-case
     * hash (as another writer might make it). */
    struct ds header = DS_EMPTY_INITIALIZER, body = DS_EMPTY_INITIALIZER;
    CHECK_OK(ovsdb_log_compose_record(r, "JSON", &header, &body));
    ds_put_buffer(&header, body.string, body.length);
    CHECK_STREQ(ds_cstr(&header), expected);
    ds_destroy(&header);
    ds_destroy(&body);

    static const char upper[] =
        "OVSDB JSON 8 8A3D961F7FE8EF7B41D461059884A9461BE85059\n"
        "{\"a\":1}\n";
    write_file(path, upper, strlen(upper));
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &log));
    json_t *json;
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(json && json_equal(json, r));
    json_decref(json);
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(!json);
    ovsdb_log_close(log);
    json_decref(r);
    free(path);
}

TEST(round_trip)
{
    char *path = tmp_path("db");
    off_t ofs[51];
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    make_log(path, 50, ofs);
    check_log(path, 50, 50, 0);

    /* Reading past the end keeps returning end-of-log. */
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    CHECK_EQ(read_records(log, 50, 0, &error), 50);
    CHECK(!error);
    json_t *json;
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(!json);
    struct ovsdb_log_stats stats;
    ovsdb_log_get_stats(log, &stats);
    CHECK_EQ(stats.n_records_read, 50);
    CHECK_EQ(ovsdb_log_get_offset(log), ofs[50]);

    /* Appending after reading everything keeps everything. */
    json_t *r = make_record(1000);
    CHECK_OK(ovsdb_log_write(log, r));
    json_decref(r);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    check_log(path, 51, 50, 1000);
    free(path);
}

/* Crash simulation: the file cut at every byte of its last two records
 * reads back as the records before the cut; a write then truncates the
 * torn part and the result is a clean log. */
TEST(torn_tail_every_offset)
{
    char *path = tmp_path("db");
    char *cut = tmp_path("cut");
    off_t ofs[6];
    size_t size;

    quiet();
    make_log(path, 5, ofs);
    uint8_t *data = (uint8_t *) test_read_file(path, &size);

    for (off_t len = 0; len < (off_t) size; len++) {
        int n_whole = 0;
        while (n_whole < 5 && ofs[n_whole + 1] <= len) {
            n_whole++;
        }

        write_file(cut, data, len);
        struct ovsdb_log *log;
        struct ovsdb_error *error;
        CHECK_OK(ovsdb_log_open(cut, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                                -1, &log));
        CHECK_EQ(read_records(log, 5, 0, &error), n_whole);
        CHECK_MSG(!error, "cut at %lld: %s", (long long) len,
                  ovsdb_error_to_string_free(error));
        CHECK_EQ(ovsdb_log_get_offset(log), ofs[n_whole]);
        CHECK_EQ(ovsdb_log_get_torn_bytes(log), len - ofs[n_whole]);

        if (n_whole < 3) {
            /* Enough to check reading for the early cuts. */
            ovsdb_log_close(log);
            continue;
        }
        json_t *r = make_record(77);
        CHECK_OK(ovsdb_log_write(log, r));
        json_decref(r);
        CHECK_OK(ovsdb_log_commit_block(log));
        CHECK_EQ(ovsdb_log_get_torn_bytes(log), 0);
        off_t end = ovsdb_log_get_offset(log);
        ovsdb_log_close(log);

        CHECK_EQ(file_size(cut), end);
        check_log(cut, n_whole + 1, n_whole, 77);
    }
    free(data);
    free(cut);
    free(path);
}

TEST(torn_tail_is_logged)
{
    char *path = tmp_path("db");
    char *logfile = tmp_path("vlog");
    off_t ofs[4];
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    quiet();
    CHECK_EQ(vlog_set_log_file(logfile), 0);
    make_log(path, 3, ofs);
    CHECK_EQ(truncate(path, ofs[3] - 5), 0);

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &log));
    CHECK_EQ(read_records(log, 3, 0, &error), 2);
    CHECK(!error);
    ovsdb_log_close(log);
    vlog_close_log_file();

    size_t size;
    char *text = (char *) (uint8_t *) test_read_file(logfile, &size);
    text[size] = '\0';
    char *expected = xasprintf("torn tail of %lld bytes at offset %lld",
                               (long long) (ofs[3] - 5 - ofs[2]),
                               (long long) ofs[2]);
    CHECK_MSG(strstr(text, expected), "log lacks \"%s\": %s", expected,
              text);
    CHECK(strstr(text, "|WARN|"));
    free(expected);
    free(text);
    free(logfile);
    free(path);
}

TEST(bit_flip_in_last_record_is_torn)
{
    char *path = tmp_path("db");
    off_t ofs[6];
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    quiet();
    make_log(path, 5, ofs);
    size_t size;
    uint8_t *data = (uint8_t *) test_read_file(path, &size);
    data[ofs[5] - 10] ^= 0x04;
    write_file(path, data, size);
    free(data);

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    CHECK_EQ(read_records(log, 5, 0, &error), 4);
    CHECK(!error);
    CHECK_EQ(ovsdb_log_get_torn_bytes(log), ofs[5] - ofs[4]);
    json_t *r = make_record(9);
    CHECK_OK(ovsdb_log_write(log, r));
    json_decref(r);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    check_log(path, 5, 4, 9);
    free(path);
}

/* Damage followed by an intact record is corruption, not a torn tail: an
 * error naming both offsets, repeated, with writes refused, until
 * compaction salvages the good prefix. */
TEST(corruption_in_middle_is_an_error)
{
    char *path = tmp_path("db");
    off_t ofs[6];
    size_t size;
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    quiet();
    for (int where = 0; where < 3; where++) {
        make_log(path, 5, ofs);
        uint8_t *data = (uint8_t *) test_read_file(path, &size);
        if (where == 0) {
            data[ofs[3] - 3] ^= 0x01;           /* Body of record 2. */
        } else if (where == 1) {
            data[ofs[2] + 11] = '9';            /* Length of record 2. */
        } else {
            data[ofs[2] + 30] = 'x';            /* SHA-1 of record 2. */
        }
        write_file(path, data, size);
        free(data);

        CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                                -1, &log));
        CHECK_EQ(read_records(log, 5, 0, &error), 2);
        CHECK(error);
        char *s = ovsdb_error_to_string(error);
        char *at = xasprintf("corrupt record at offset %lld",
                             (long long) ofs[2]);
        char *next = xasprintf("intact record at offset %lld",
                               (long long) ofs[3]);
        CHECK_STREQ(ovsdb_error_get_tag(error), "syntax error");
        CHECK_MSG(strstr(s, at) && strstr(s, next), "%s", s);
        ovsdb_error_destroy(error);

        /* The same error again; no appending. */
        json_t *json;
        CHECK_ERROR(ovsdb_log_read(log, &json), "syntax error", at);
        CHECK(!json);
        json_t *r = make_record(2);
        CHECK_ERROR(ovsdb_log_write(log, r), "syntax error",
                    "refusing to append");
        CHECK_OK(ovsdb_log_commit_block(log));
        CHECK_EQ(file_size(path), (off_t) size);

        /* Compaction keeps the good prefix. */
        json_t *good[2] = { make_record(0), make_record(1) };
        CHECK_OK(ovsdb_log_replace(log, good, 2));
        CHECK_OK(ovsdb_log_write(log, r));
        CHECK_OK(ovsdb_log_commit_block(log));
        ovsdb_log_close(log);
        check_log(path, 3, 3, 0);

        json_decref(good[0]);
        json_decref(good[1]);
        json_decref(r);
        free(s);
        free(at);
        free(next);
    }
    free(path);
}

/* Each bad record is a torn tail when last and corruption when an intact
 * record follows. */
TEST(malformed_records)
{
    char *path = tmp_path("db");
    char hex[41];
    sha1_hex("{\"a\":1}\n", 8, hex);

    char deep[2200];
    size_t n = 0;
    n += sprintf(deep, "{\"a\":");
    for (int i = 0; i < 1000; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < 1000; i++) {
        deep[n++] = ']';
    }
    n += sprintf(deep + n, "}\n");

    char *long_line = xasprintf("OVSDB JSON 8 %s%0100d\n{\"a\":1}\n",
                                hex, 0);
    char *bad[] = {
        xasprintf("OVSDB JSON 0 %s\n\n", hex),
        xasprintf("OVSDB JSON 8 %.39sg\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON +8 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON -8 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 8  %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 8 %s\r\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 8 %s", hex),
        xasprintf("OVSDB JSON 99999999999999999999999 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 1000000000000000000 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 9223372036854775807 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 9 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON 7 %s\n{\"a\":1}\n", hex),
        xasprintf("OVSDB JSON8 %s\n{\"a\":1}\n", hex),
        xasprintf("ovsdb json 8 %s\n{\"a\":1}\n", hex),
        xstrdup(long_line),
        raw_record("CLUSTER", "{\"a\":1}\n"),
        raw_record("JSON", "[1,2]\n"),
        raw_record("JSON", "\"str\"\n"),
        raw_record("JSON", "{\"a\":}\n"),
        raw_record("JSON", "{\"a\":1}{\"b\":2}\n"),
        raw_record("JSON", "{\"a\":\"\\u0000\"}\n"),
        raw_record("JSON", deep),
        xstrdup("\n\n\n"),
        xstrdup("garbage"),
    };
    char zeros[100] = { 0 };

    quiet();
    for (size_t i = 0; i <= ARRAY_SIZE(bad); i++) {
        const char *rec = i < ARRAY_SIZE(bad) ? bad[i] : zeros;
        size_t rec_len = i < ARRAY_SIZE(bad) ? strlen(rec) : sizeof zeros;
        for (int followed = 0; followed < 2; followed++) {
            off_t ofs[3];
            struct ovsdb_log *log;
            struct ovsdb_error *error;

            make_log(path, 2, ofs);
            append_file(path, rec, rec_len);
            if (followed) {
                char *good = raw_record("JSON", "{\"a\":1}\n");
                if (rec_len && rec[rec_len - 1] != '\n') {
                    append_file(path, "\n", 1);
                }
                append_file(path, good, strlen(good));
                free(good);
            }

            CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC,
                                    OVSDB_LOG_READ_WRITE, -1, &log));
            CHECK_EQ(read_records(log, 2, 0, &error), 2);
            if (!followed) {
                CHECK_MSG(!error, "record %zu: %s", i,
                          ovsdb_error_to_string_free(error));
                CHECK_EQ(ovsdb_log_get_torn_bytes(log), rec_len);
                json_t *r = make_record(5);
                CHECK_OK(ovsdb_log_write(log, r));
                json_decref(r);
                CHECK_OK(ovsdb_log_commit_block(log));
                ovsdb_log_close(log);
                check_log(path, 3, 2, 5);
            } else {
                CHECK_MSG(error, "record %zu followed by a good one read "
                          "as a torn tail", i);
                CHECK_STREQ(ovsdb_error_get_tag(error), "syntax error");
                ovsdb_error_destroy(error);
                ovsdb_log_close(log);
            }
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        free(bad[i]);
    }
    free(long_line);
    free(path);
}

/* A length field far past the end of the file is refused before anything
 * is allocated for it: if it were not, xmalloc() would abort (or ASan
 * report) on 10**18 bytes. */
TEST(huge_length_is_not_allocated)
{
    char *path = tmp_path("db");
    char hex[41];
    struct ovsdb_log *log;
    struct ovsdb_error *error;

    quiet();
    sha1_hex("{}\n", 3, hex);
    char *text = xasprintf("OVSDB JSON 1000000000000000000 %s\n{}\n", hex);
    write_file(path, text, strlen(text));
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &log));
    CHECK_EQ(read_records(log, 0, 0, &error), 0);
    CHECK(!error);
    CHECK_EQ(ovsdb_log_get_torn_bytes(log), strlen(text));
    ovsdb_log_close(log);
    free(text);
    free(path);
}

TEST(open_errors)
{
    char *path = tmp_path("db");
    char *missing = tmp_path("missing");
    struct ovsdb_log *log;

    quiet();
    CHECK_ERROR(ovsdb_log_open(missing, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY,
                               -1, &log), "I/O error", "No such file");
    CHECK(!log);

    make_log(path, 1, NULL);
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE_EXCL,
                               -1, &log), "I/O error", "create failed");
    CHECK_ERROR(ovsdb_log_open(path, "CLUSTER", OVSDB_LOG_READ_ONLY, -1,
                               &log), "syntax error",
                "cannot identify file type");
    CHECK_OK(ovsdb_log_open(path, "CLUSTER|JSON", OVSDB_LOG_READ_ONLY, -1,
                            &log));
    CHECK_STREQ(ovsdb_log_get_magic(log), "JSON");
    ovsdb_log_close(log);

    write_file(path, "hello, world\n", 13);
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                               -1, &log), "syntax error",
                "unexpected file format");

    /* Empty, and cut inside the first header: fine for one magic. */
    write_file(path, "", 0);
    CHECK_ERROR(ovsdb_log_open(path, "JSON|CLUSTER", OVSDB_LOG_READ_ONLY, -1,
                               &log), "syntax error", "cannot identify");
    for (int i = 0; i < 2; i++) {
        struct ovsdb_error *error;
        write_file(path, "OVSDB JS", i ? 8 : 0);
        CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                                -1, &log));
        CHECK_EQ(read_records(log, 0, 0, &error), 0);
        CHECK(!error);
        CHECK_EQ(ovsdb_log_get_torn_bytes(log), i ? 8 : 0);
        json_t *r = make_record(0);
        CHECK_OK(ovsdb_log_write(log, r));
        json_decref(r);
        CHECK_OK(ovsdb_log_commit_block(log));
        ovsdb_log_close(log);
        check_log(path, 1, 1, 0);
    }

    /* Another magic, created and read back. */
    unlink(path);
    CHECK_OK(ovsdb_log_open(path, "CLUSTER", OVSDB_LOG_CREATE, -1, &log));
    json_t *r = make_record(3);
    CHECK_OK(ovsdb_log_write(log, r));
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    size_t size;
    char *text = (char *) (uint8_t *) test_read_file(path, &size);
    CHECK(!strncmp(text, "OVSDB CLUSTER ", 14));
    free(text);
    CHECK_OK(ovsdb_log_open(path, "JSON|CLUSTER", OVSDB_LOG_READ_ONLY, -1,
                            &log));
    CHECK_STREQ(ovsdb_log_get_magic(log), "CLUSTER");
    json_t *json;
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(json && json_equal(json, r));
    json_decref(json);
    ovsdb_log_close(log);
    json_decref(r);

    /* Read-only logs do not write. */
    CHECK_OK(ovsdb_log_open(path, "CLUSTER", OVSDB_LOG_READ_ONLY, -1, &log));
    r = make_record(1);
    CHECK_ERROR(ovsdb_log_write(log, r), "I/O error", "read-only");
    struct ovsdb_log *new;
    CHECK_ERROR(ovsdb_log_replace_start(log, &new), "I/O error",
                "read-only");
    CHECK(!new);
    json_decref(r);
    ovsdb_log_close(log);

    free(missing);
    free(path);
}

TEST(locking)
{
    char *path = tmp_path("conf.db");
    char *lock = tmp_path(".conf.db.~lock~");
    struct ovsdb_log *a, *b;

    make_log(path, 2, NULL);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &a));
    CHECK_EQ(access(lock, F_OK), 0);
    char *lockfile = ovsdb_log_lockfile_name(path);
    CHECK_STREQ(lockfile, lock);
    free(lockfile);

    /* In this process... */
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                               -1, &b), "I/O error", "locked");
    CHECK(!b);
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE,
                               -1, &b), "I/O error", "locked");
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY,
                               1, &b), "I/O error", "locked");
    /* ...but readers need no lock. */
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &b));
    ovsdb_log_close(b);

    /* ...and in another. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        struct ovsdb_error *error = ovsdb_log_open(
            path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1, &b);
        _exit(error && strstr(ovsdb_error_to_string(error), "locked")
              ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Still locked after compaction renamed the file. */
    json_t *r = make_record(0);
    CHECK_OK(ovsdb_log_replace(a, &r, 1));
    json_decref(r);
    CHECK_ERROR(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE,
                               -1, &b), "I/O error", "locked");

    ovsdb_log_close(a);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &b));
    ovsdb_log_close(b);
    free(lock);
    free(path);
}

TEST(compaction)
{
    char *path = tmp_path("db");
    char *tmp = tmp_path("db.tmp");
    struct ovsdb_log *log, *reader;
    struct ovsdb_error *error;
    json_t *json;

    make_log(path, 100, NULL);
    struct stat before;
    CHECK_EQ(stat(path, &before), 0);

    /* A reader of the old file, part way through. */
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &reader));
    for (int i = 0; i < 10; i++) {
        CHECK_OK(ovsdb_log_read(reader, &json));
        CHECK(json);
        json_decref(json);
    }

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    CHECK_EQ(read_records(log, 100, 0, &error), 100);
    CHECK(!error);
    CHECK_EQ(ovsdb_log_get_base(log), 0);

    struct ovsdb_log *new;
    CHECK_OK(ovsdb_log_replace_start(log, &new));
    CHECK_EQ(access(tmp, F_OK), 0);
    for (int i = 0; i < 2; i++) {
        json_t *r = make_record(i);
        CHECK_OK(ovsdb_log_write(new, r));
        json_decref(r);
    }
    struct ovsdb_log_stats stats;
    ovsdb_log_get_stats(log, &stats);
    uint64_t syncs = stats.n_syncs;
    CHECK_OK(ovsdb_log_replace_commit(log, new));
    ovsdb_log_get_stats(log, &stats);
    CHECK_GE(stats.n_syncs, syncs + 2);     /* File and directory. */
    CHECK_EQ(access(tmp, F_OK), -1);
    CHECK_EQ(ovsdb_log_get_offset(log), file_size(path));
    CHECK_EQ(ovsdb_log_get_base(log), file_size(path));
    CHECK(!ovsdb_log_grew_lots(log));

    struct stat after;
    CHECK_EQ(stat(path, &after), 0);
    CHECK(after.st_ino != before.st_ino);
    CHECK_LT(after.st_size, before.st_size);

    /* The old reader still sees the old file, complete. */
    for (int i = 10; i < 100; i++) {
        CHECK_OK(ovsdb_log_read(reader, &json));
        json_t *expected = make_record(i);
        CHECK(json && json_equal(json, expected));
        json_decref(expected);
        json_decref(json);
    }
    CHECK_OK(ovsdb_log_read(reader, &json));
    CHECK(!json);
    ovsdb_log_close(reader);

    check_log(path, 2, 2, 0);

    /* And the log goes on in the new file. */
    json_t *r = make_record(2);
    CHECK_OK(ovsdb_log_write(log, r));
    json_decref(r);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    check_log(path, 3, 3, 0);
    free(tmp);
    free(path);
}

/* A failure before the rename (here: the temporary file vanished) leaves
 * the old file as it was and the log usable; so does an abort. */
TEST(compaction_failure_keeps_old_file)
{
    char *path = tmp_path("db");
    char *tmp = tmp_path("db.tmp");
    struct ovsdb_log *log, *new;
    struct ovsdb_error *error;

    quiet();
    make_log(path, 5, NULL);
    size_t size0;
    uint8_t *data0 = (uint8_t *) test_read_file(path, &size0);

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    CHECK_EQ(read_records(log, 5, 0, &error), 5);
    CHECK(!error);

    CHECK_OK(ovsdb_log_replace_start(log, &new));
    json_t *r = make_record(0);
    CHECK_OK(ovsdb_log_write(new, r));
    CHECK_EQ(unlink(tmp), 0);
    CHECK_ERROR(ovsdb_log_replace_commit(log, new), "I/O error",
                "failed to rename");

    size_t size;
    uint8_t *data = (uint8_t *) test_read_file(path, &size);
    CHECK_EQ(size, size0);
    CHECK_MEMEQ(data, data0, size);
    free(data);

    CHECK_OK(ovsdb_log_replace_start(log, &new));
    CHECK_OK(ovsdb_log_write(new, r));
    ovsdb_log_replace_abort(new);
    CHECK_EQ(access(tmp, F_OK), -1);
    data = (uint8_t *) test_read_file(path, &size);
    CHECK_EQ(size, size0);
    CHECK_MEMEQ(data, data0, size);
    free(data);
    json_decref(r);

    r = make_record(5);
    CHECK_OK(ovsdb_log_write(log, r));
    json_decref(r);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    check_log(path, 6, 6, 0);

    free(data0);
    free(tmp);
    free(path);
}

/* A process that dies in the middle of compaction leaves the old file
 * complete and a stale temporary file that the next compaction removes. */
TEST(crash_during_compaction)
{
    char *path = tmp_path("db");
    char *tmp = tmp_path("db.tmp");

    quiet();
    make_log(path, 5, NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        struct ovsdb_log *log, *new;
        if (ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                           &log)
            || ovsdb_log_replace_start(log, &new)) {
            _exit(1);
        }
        json_t *r = make_record(42);
        if (ovsdb_log_write(new, r) || ovsdb_log_commit_block(new)) {
            _exit(1);
        }
        _exit(0);               /* "Crash" before the rename. */
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    check_log(path, 5, 5, 0);
    CHECK_EQ(access(tmp, F_OK), 0);

    struct ovsdb_log *log;
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    json_t *r[3] = { make_record(0), make_record(1), make_record(2) };
    CHECK_OK(ovsdb_log_replace(log, r, 3));
    ovsdb_log_close(log);
    check_log(path, 3, 3, 0);
    CHECK_EQ(access(tmp, F_OK), -1);
    for (int i = 0; i < 3; i++) {
        json_decref(r[i]);
    }
    free(tmp);
    free(path);
}

/* Compacting a database reached through a symlink replaces the target and
 * keeps the link. */
TEST(compaction_through_symlink)
{
    char *dir = tmp_path("real");
    char *real = tmp_path("real/db");
    char *link = tmp_path("db");
    struct ovsdb_log *log;

    CHECK_EQ(mkdir(dir, 0700), 0);
    make_log(real, 4, NULL);
    CHECK_EQ(symlink("real/db", link), 0);

    CHECK_OK(ovsdb_log_open(link, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    char *lock = ovsdb_log_lockfile_name(link);
    char *expected = tmp_path("real/.db.~lock~");
    CHECK_STREQ(lock, expected);
    json_t *r = make_record(0);
    CHECK_OK(ovsdb_log_replace(log, &r, 1));
    json_decref(r);
    ovsdb_log_close(log);

    struct stat s;
    CHECK_EQ(lstat(link, &s), 0);
    CHECK(S_ISLNK(s.st_mode));
    check_log(real, 1, 1, 0);
    check_log(link, 1, 1, 0);
    free(expected);
    free(lock);
    free(link);
    free(real);
    free(dir);
}

TEST(grew_lots)
{
    char *path = tmp_path("db");
    struct ovsdb_log *log;

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE_EXCL, -1,
                            &log));

    /* A 3 MiB snapshot... */
    char *big = xmalloc(3 * 1024 * 1024);
    memset(big, 'x', 3 * 1024 * 1024 - 1);
    big[3 * 1024 * 1024 - 1] = '\0';
    json_t *snap = json_pack("{s:s}", "data", big);
    CHECK_OK(ovsdb_log_replace(log, &snap, 1));
    off_t base = ovsdb_log_get_base(log);
    CHECK_GT(base, 3 * 1024 * 1024);
    CHECK_EQ(base, ovsdb_log_get_offset(log));

    /* ...then transactions of 64 KiB until the log is over 4 times it. */
    big[64 * 1024] = '\0';
    json_t *txn = json_pack("{s:s}", "data", big);
    bool grew = false;
    for (int i = 0; i < 400 && !grew; i++) {
        CHECK_OK(ovsdb_log_write(log, txn));
        off_t ofs = ovsdb_log_get_offset(log);
        grew = ovsdb_log_grew_lots(log);
        CHECK_EQ(grew, ofs >= 10 * 1024 * 1024 && ofs / 4 > base);
    }
    CHECK(grew);
    CHECK_GT(ovsdb_log_get_offset(log), 4 * base);
    CHECK_OK(ovsdb_log_commit_block(log));

    /* Compacting resets the base; so does mark_base. */
    CHECK_OK(ovsdb_log_replace(log, &txn, 1));
    CHECK(!ovsdb_log_grew_lots(log));
    CHECK_EQ(ovsdb_log_get_base(log), ovsdb_log_get_offset(log));
    ovsdb_log_close(log);

    json_decref(snap);
    json_decref(txn);
    free(big);
    free(path);
}

/* commit_block() syncs exactly when something was written; a failing
 * fdatasync() (here: /dev/null cannot sync) breaks the log for good, a
 * failing write (/dev/full) reports and can be retried. */
TEST(sync_and_write_errors)
{
    char *path = tmp_path("db");
    struct ovsdb_log *log;
    struct ovsdb_log_stats stats;

    quiet();
    make_log(path, 1, NULL);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    struct ovsdb_error *error;
    CHECK_EQ(read_records(log, 1, 0, &error), 1);
    CHECK(!error);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_get_stats(log, &stats);
    CHECK_EQ(stats.n_syncs, 0);
    json_t *r = make_record(1);
    off_t size0 = file_size(path);
    CHECK_OK(ovsdb_log_write(log, r));
    ovsdb_log_get_stats(log, &stats);
    CHECK_EQ(stats.n_bytes_written, 0);     /* Still buffered. */
    CHECK_EQ(file_size(path), size0);
    CHECK_OK(ovsdb_log_commit_block(log));
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_get_stats(log, &stats);
    CHECK_EQ(stats.n_syncs, 1);
    CHECK_EQ(stats.n_records_written, 1);
    CHECK_EQ(stats.n_bytes_written, file_size(path) - size0);
    CHECK_EQ(file_size(path), ovsdb_log_get_offset(log));

    /* Big buffers are written out before the commit. */
    char *big = xmalloc(100 * 1024);
    memset(big, 'y', 100 * 1024 - 1);
    big[100 * 1024 - 1] = '\0';
    json_t *b = json_pack("{s:s}", "big", big);
    free(big);
    off_t before = file_size(path);
    CHECK_OK(ovsdb_log_write(log, b));
    CHECK_EQ(file_size(path), ovsdb_log_get_offset(log));
    CHECK_GT(file_size(path), before);
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_get_stats(log, &stats);
    CHECK_EQ(stats.n_syncs, 2);
    ovsdb_log_close(log);
    json_decref(b);

    if (access("/dev/null", W_OK) == 0) {
        CHECK_OK(ovsdb_log_open("/dev/null", OVSDB_LOG_MAGIC,
                                OVSDB_LOG_READ_WRITE, 0, &log));
        CHECK_OK(ovsdb_log_write(log, r));
        CHECK_ERROR(ovsdb_log_commit_block(log), "I/O error",
                    "fdatasync failed");
        CHECK_ERROR(ovsdb_log_write(log, r), "I/O error",
                    "fdatasync failed");
        CHECK_ERROR(ovsdb_log_commit_block(log), "I/O error",
                    "fdatasync failed");
        ovsdb_log_close(log);
    }
    /* A write(2) that fails (here: past RLIMIT_FSIZE) leaves the file as
     * it was; the next write retries. */
    make_log(path, 2, NULL);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    CHECK_EQ(read_records(log, 2, 0, &error), 2);
    CHECK(!error);
    off_t good = file_size(path);
    struct rlimit old_limit, limit;
    CHECK_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    limit = old_limit;
    limit.rlim_cur = good + 10;
    signal(SIGXFSZ, SIG_IGN);
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
    CHECK_OK(ovsdb_log_write(log, r));
    CHECK_ERROR(ovsdb_log_commit_block(log), "I/O error", "write failed");
    CHECK_EQ(file_size(path), good);
    CHECK_EQ(ovsdb_log_get_offset(log), good);
    CHECK_ERROR(ovsdb_log_commit_block(log), "I/O error", "write failed");
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    CHECK_OK(ovsdb_log_write(log, r));
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    check_log(path, 3, 2, 1);
    json_decref(r);
    free(path);
}

/* Records that could not be read back are refused at write time. */
TEST(write_rejects_unreadable_records)
{
    char *path = tmp_path("db");
    struct ovsdb_log *log;

    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_CREATE_EXCL, -1,
                            &log));
    json_t *arr = json_array();
    CHECK_ERROR(ovsdb_log_write(log, arr), "syntax error", "JSON object");
    json_t *str = json_string("x");
    CHECK_ERROR(ovsdb_log_write(log, str), "syntax error", "JSON object");

    json_t *nul = json_object();
    json_object_set_new(nul, "s", json_stringn("a\0b", 3));
    CHECK_ERROR(ovsdb_log_write(log, nul), "syntax error", "NUL");
    json_t *nulkey = json_object();
    json_object_setn_new_nocheck(nulkey, "a\0b", 3, json_true());
    CHECK_ERROR(ovsdb_log_write(log, nulkey), "syntax error", "NUL");

    json_t *utf8 = json_object();
    json_object_set_new(utf8, "s", json_string_nocheck("\xff\xfe"));
    CHECK_ERROR(ovsdb_log_write(log, utf8), "syntax error", "UTF-8");

    /* 1000 levels is the reader's limit: accepted; 1001 is not. */
    json_t *innermost = json_array(), *v = innermost;
    for (int i = 1; i < 999; i++) {
        json_t *a = json_array();
        json_array_append_new(a, v);
        v = a;
    }
    json_t *deep = json_object();
    json_object_set_new(deep, "d", v);
    CHECK_OK(ovsdb_log_write(log, deep));
    json_array_append_new(innermost, json_array());
    CHECK_ERROR(ovsdb_log_write(log, deep), "syntax error", "deeper");

    json_t *ok = make_record(1);
    CHECK_OK(ovsdb_log_write(log, ok));
    CHECK_OK(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);

    /* Exactly the two good records are there. */
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_ONLY, -1,
                            &log));
    json_t *json;
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(json);
    json_decref(json);
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(json && json_equal(json, ok));
    json_decref(json);
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(!json);
    ovsdb_log_close(log);

    json_decref(arr);
    json_decref(str);
    json_decref(nul);
    json_decref(nulkey);
    json_decref(utf8);
    json_decref(deep);
    json_decref(ok);
    free(path);
}

/* unread() and writing before the end: the first write truncates what was
 * not read (Open vSwitch's semantics). */
TEST(unread_and_early_write)
{
    char *path = tmp_path("db");
    struct ovsdb_log *log;
    json_t *json;

    make_log(path, 5, NULL);
    CHECK_OK(ovsdb_log_open(path, OVSDB_LOG_MAGIC, OVSDB_LOG_READ_WRITE, -1,
                            &log));
    for (int i = 0; i < 3; i++) {
        CHECK_OK(ovsdb_log_read(log, &json));
        CHECK(json);
        json_decref(json);
    }
    ovsdb_log_unread(log);
    json_t *r = make_record(2);
    CHECK_OK(ovsdb_log_write(log, r));
    json_decref(r);
    CHECK_OK(ovsdb_log_commit_block(log));
    CHECK_OK(ovsdb_log_read(log, &json));
    CHECK(!json);
    ovsdb_log_close(log);
    check_log(path, 3, 3, 0);
    free(path);
}
