/* Tests for lib/vlog: level parsing and its errors, the vlog/list table,
 * line format in the log file, reopening after rotation, rate limiting,
 * console output and thread safety. */
#include <config.h>
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "test.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(test_vlog);

/* A second module, to tell "one module" from "all modules". */
VLOG_DEFINE_MODULE__(test_other);

#define LINE_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" \
                "\\.[0-9]{3}Z\\|[0-9]{5,}\\|"

static int
count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

static char *
open_tmp_log(const char *base)
{
    char *name = xasprintf("%s/%s", test_tmpdir(), base);
    CHECK_EQ(vlog_set_log_file(name), 0);
    return name;
}

TEST(level_and_destination_names)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        CHECK_EQ(vlog_get_level_val(vlog_get_level_name(i)), i);
    }
    CHECK_EQ(vlog_get_level_val("dbg"), VLL_DBG);
    CHECK_EQ(vlog_get_level_val("Warn"), VLL_WARN);
    CHECK_EQ(vlog_get_level_val("debug"), VLL_N_LEVELS);
    CHECK_EQ(vlog_get_level_val(""), VLL_N_LEVELS);
    CHECK_STREQ(vlog_get_level_name(VLL_EMER), "EMER");

    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        CHECK_EQ(vlog_get_destination_val(vlog_get_destination_name(i)), i);
    }
    CHECK_EQ(vlog_get_destination_val("FILE"), VLF_FILE);
    CHECK_EQ(vlog_get_destination_val("stdout"), VLF_N_DESTINATIONS);
}

TEST(default_levels)
{
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_CONSOLE), VLL_WARN);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_SYSLOG), VLL_ERR);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_INFO);
    CHECK(vlog_module_from_name("test_vlog") == THIS_MODULE);
    CHECK(vlog_module_from_name("TEST_VLOG") == THIS_MODULE);
    CHECK(vlog_module_from_name("vlog") != NULL);
    CHECK(vlog_module_from_name("no_such_module") == NULL);
}

TEST(set_levels_from_string)
{
    struct vlog_module *other = &this_module_test_other;

    CHECK_NO_ERROR(vlog_set_levels_from_string("test_vlog:file:dbg"));
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_DBG);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_CONSOLE), VLL_WARN);
    CHECK_EQ(vlog_get_level(other, VLF_FILE), VLL_INFO);

    /* Any order; destination omitted means all of them. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("err:test_other"));
    CHECK_EQ(vlog_get_level(other, VLF_CONSOLE), VLL_ERR);
    CHECK_EQ(vlog_get_level(other, VLF_SYSLOG), VLL_ERR);
    CHECK_EQ(vlog_get_level(other, VLF_FILE), VLL_ERR);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_DBG);

    /* "ANY" module, one destination. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("ANY:syslog:off"));
    CHECK_EQ(vlog_get_level(other, VLF_SYSLOG), VLL_OFF);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_SYSLOG), VLL_OFF);
    CHECK_EQ(vlog_get_level(other, VLF_CONSOLE), VLL_ERR);

    /* Module with no level means debug. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("test_other:console"));
    CHECK_EQ(vlog_get_level(other, VLF_CONSOLE), VLL_DBG);

    /* A level alone applies everywhere. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("info"));
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        CHECK_EQ(vlog_get_level(other, d), VLL_INFO);
        CHECK_EQ(vlog_get_level(THIS_MODULE, d), VLL_INFO);
        CHECK_EQ(vlog_get_level(vlog_module_from_name("vlog"), d), VLL_INFO);
    }
    CHECK_NO_ERROR(vlog_set_levels_from_string("dbg"));
    CHECK_EQ(vlog_get_level(other, VLF_SYSLOG), VLL_DBG);

    /* Spaces separate words, too. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("test_vlog file warn"));
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_WARN);
}

static void
check_error(const char *spec, const char *expected)
{
    char *error = vlog_set_levels_from_string(spec);
    CHECK_MSG(error != NULL, "\"%s\" accepted", spec);
    CHECK_STREQ(error, expected);
    free(error);
}

TEST(set_levels_from_string_errors)
{
    check_error("nosuch:dbg", "no destination, level, or module \"nosuch\"");
    check_error("test_vlog:stdout:dbg",
                "no destination, level, or module \"stdout\"");
    check_error("file:console:dbg", "cannot specify multiple destinations");
    check_error("dbg:info", "cannot specify multiple levels");
    check_error("test_vlog:test_other", "cannot specify multiple modules");
    check_error("", "empty log level specification");
    check_error(":::", "empty log level specification");

    /* A rejected spec changes nothing. */
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_INFO);
    CHECK_EQ(vlog_get_level(THIS_MODULE, VLF_CONSOLE), VLL_WARN);
}

TEST(list_table)
{
    CHECK_NO_ERROR(vlog_set_levels_from_string("test_vlog:file:dbg"));
    CHECK_NO_ERROR(vlog_set_levels_from_string("test_other:console:off"));
    char *table = vlog_get_levels();

    const char *header =
        "                 console    syslog    file\n"
        "                 -------    ------    ------\n";
    CHECK(!strncmp(table, header, strlen(header)));
    CHECK(strstr(table, "\ntest_vlog         WARN        ERR        DBG\n"));
    CHECK(strstr(table, "\ntest_other         OFF        ERR       INFO\n"));
    CHECK(strstr(table, "\nvlog              WARN        ERR       INFO\n"));

    /* One line per module, sorted. */
    const char *a = strstr(table, "\ntest_other ");
    const char *b = strstr(table, "\ntest_vlog ");
    const char *c = strstr(table, "\nvlog ");
    CHECK(a < b && b < c);
    CHECK(test_regex_match(table + strlen(header),
                  "^([a-z_]+ +(OFF|EMER|ERR|WARN|INFO|DBG) +"
                  "(OFF|EMER|ERR|WARN|INFO|DBG) +"
                  "(OFF|EMER|ERR|WARN|INFO|DBG)\n)+$"));
    free(table);
}

TEST(is_enabled_follows_active_destinations)
{
    CHECK(vlog_is_enabled(THIS_MODULE, VLL_WARN));
    CHECK(!vlog_is_enabled(THIS_MODULE, VLL_INFO));
    CHECK(!vlog_is_enabled(THIS_MODULE, VLL_OFF));

    /* The file wants INFO, but there is no file yet. */
    CHECK_NO_ERROR(vlog_set_levels_from_string("test_vlog:file:dbg"));
    CHECK(!vlog_is_enabled(THIS_MODULE, VLL_DBG));

    char *name = open_tmp_log("log");
    CHECK(vlog_is_enabled(THIS_MODULE, VLL_DBG));
    vlog_close_log_file();
    CHECK(!vlog_is_enabled(THIS_MODULE, VLL_DBG));
    free(name);

    vlog_set_levels(THIS_MODULE, VLF_CONSOLE, VLL_OFF);
    CHECK(!vlog_is_enabled(THIS_MODULE, VLL_EMER));
}

TEST(file_format)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);  /* Quiet test output. */
    char *name = open_tmp_log("format.log");
    char *reported = vlog_get_log_file();
    CHECK_STREQ(reported, name);
    free(reported);

    VLOG_INFO("hello %d", 42);
    VLOG_DBG("not at the default file level");
    VLOG_WARN("two\nlines");
    vlog(&this_module_test_other, VLL_ERR, "from %s", "other");

    char *s = test_read_file(name, NULL);
    CHECK_EQ(count_lines(s), 4);
    CHECK(test_regex_match(
              s, LINE_RE "vlog\\|INFO\\|opened log file .*format\\.log$"));
    CHECK(test_regex_match(s, LINE_RE "test_vlog\\|INFO\\|hello 42$"));
    CHECK(test_regex_match(s, LINE_RE "test_vlog\\|WARN\\|two lines$"));
    CHECK(test_regex_match(s, LINE_RE "test_other\\|ERR\\|from other$"));
    CHECK(!strstr(s, "not at the default"));

    /* Sequence numbers count up. */
    CHECK(test_regex_match(s, "\\|00001\\|vlog\\|"));
    CHECK(test_regex_match(s, "\\|00002\\|test_vlog\\|INFO\\|hello"));
    CHECK(test_regex_match(s, "\\|00004\\|test_other\\|"));
    free(s);
    free(name);
}

TEST(timestamp_is_now)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    char *name = open_tmp_log("time.log");
    char *before = xastrftime_msec("%Y-%m-%dT%H:%M", time_wall_msec(), true);
    VLOG_WARN("x");
    char *after = xastrftime_msec("%Y-%m-%dT%H:%M", time_wall_msec(), true);
    char *s = test_read_file(name, NULL);
    const char *line = strrchr(s, '\n');
    CHECK(line);
    while (line > s && line[-1] != '\n') {
        line--;
    }
    CHECK(!strncmp(line, before, strlen(before))
          || !strncmp(line, after, strlen(after)));
    free(before);
    free(after);
    free(s);
    free(name);
}

TEST(set_log_file_errors)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    char *name = xasprintf("%s/no/such/dir/x.log", test_tmpdir());
    CHECK_EQ(vlog_set_log_file(name), ENOENT);
    CHECK(vlog_get_log_file() == NULL);
    free(name);
}

TEST(default_log_file_uses_logdir)
{
    setenv("PLX_LOGDIR", test_tmpdir(), 1);
    CHECK_EQ(vlog_set_log_file(NULL), 0);
    char *name = vlog_get_log_file();
    char *expected = xasprintf("%s/test-vlog.log", test_tmpdir());
    CHECK_STREQ(name, expected);
    CHECK_EQ(access(expected, F_OK), 0);
    free(name);
    free(expected);
}

TEST(reopen_after_rename)
{
    char *name = open_tmp_log("rot.log");
    char *rotated = xasprintf("%s.1", name);

    VLOG_INFO("one");
    CHECK_EQ(rename(name, rotated), 0);
    VLOG_INFO("two");                   /* Still to the renamed file. */
    CHECK_EQ(vlog_reopen_log_file(), 0);
    VLOG_INFO("three");
    CHECK_EQ(vlog_reopen_log_file(), 0);  /* Same file: no change. */
    VLOG_INFO("four");

    char *old = test_read_file(rotated, NULL);
    char *new = test_read_file(name, NULL);
    CHECK(test_regex_match(old, "\\|INFO\\|one$"));
    CHECK(test_regex_match(old, "\\|INFO\\|two$"));
    CHECK(!strstr(old, "three"));
    CHECK(test_regex_match(new, "\\|INFO\\|three$"));
    CHECK(test_regex_match(new, "\\|INFO\\|four$"));
    CHECK_EQ(count_lines(new), 2);
    free(old);
    free(new);
    free(rotated);
    free(name);
}

TEST(rate_limit_drops_then_reports)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(600, 5);
    char *name = open_tmp_log("rl.log");

    for (int i = 0; i < 20; i++) {
        VLOG_INFO_RL(&rl, "burst %d", i);
    }
    /* 600 a minute: one token every 100 ms. */
    plx_msleep(150);
    VLOG_INFO_RL(&rl, "after the pause");

    char *s = test_read_file(name, NULL);
    for (int i = 0; i < 5; i++) {
        char *re = xasprintf("\\|burst %d$", i);
        CHECK(test_regex_match(s, re));
        free(re);
    }
    CHECK(!strstr(s, "burst 5"));
    CHECK(!strstr(s, "burst 19"));
    CHECK(test_regex_match(s, LINE_RE
                           "test_vlog\\|INFO\\|Dropped 15 log messages in "
                  "last 0 seconds \\(most recently, 0 seconds ago\\) due to "
                  "excessive rate$"));
    CHECK(test_regex_match(s, "\\|after the pause$"));
    /* opened + 5 + dropped report + after. */
    CHECK_EQ(count_lines(s), 8);
    free(s);
    free(name);
}

TEST(should_drop_disabled_level_keeps_tokens)
{
    struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 1);

    /* DBG is off: dropped without taking the one token... */
    CHECK(vlog_should_drop(THIS_MODULE, VLL_DBG, &rl));
    CHECK_EQ(rl.n_dropped, 0);
    /* ...which WARN then gets, and no more. */
    CHECK(!vlog_should_drop(THIS_MODULE, VLL_WARN, &rl));
    CHECK(vlog_should_drop(THIS_MODULE, VLL_WARN, &rl));
    CHECK_EQ(rl.n_dropped, 1);
}

/* Runs FUNC in a child with stderr redirected to a file; returns the
 * child's wait status and stores the file's contents in *OUTPUT. */
static int
run_capturing_stderr(void (*func)(void), char **output)
{
    char *name = xasprintf("%s/stderr.%u", test_tmpdir(), test_random());
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (!pid) {
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
            _exit(99);
        }
        func();
        exit(0);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    *output = test_read_file(name, NULL);
    free(name);
    return status;
}

static void
console_child(void)
{
    VLOG_WARN("to the console");
    VLOG_INFO("not to the console");
    vlog_set_levels(THIS_MODULE, VLF_CONSOLE, VLL_INFO);
    VLOG_INFO("now to the console");
}

TEST(console_output)
{
    char *s;
    int status = run_capturing_stderr(console_child, &s);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(test_regex_match(s, LINE_RE "test_vlog\\|WARN\\|to the console$"));
    CHECK(test_regex_match(
              s, LINE_RE "test_vlog\\|INFO\\|now to the console$"));
    CHECK(!strstr(s, "not to the console"));
    CHECK_EQ(count_lines(s), 2);
    free(s);
}

static void
bad_verbosity_child(void)
{
    vlog_set_verbosity("test_vlog:loud");
}

static void
good_verbosity_child(void)
{
    vlog_set_verbosity(NULL);
    VLOG_DBG("debug everywhere");
    vlog_set_verbosity("test_vlog:console:emer");
    VLOG_ERR("not shown");
}

static void
fatal_child(void)
{
    VLOG_FATAL("giving up: %d", 7);
}

TEST(verbosity_option)
{
    char *s;
    int status = run_capturing_stderr(bad_verbosity_child, &s);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CHECK_STREQ(s, "test-vlog: processing \"test_vlog:loud\": no "
                "destination, level, or module \"loud\"\n");
    free(s);

    status = run_capturing_stderr(good_verbosity_child, &s);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(test_regex_match(s, "\\|test_vlog\\|DBG\\|debug everywhere$"));
    CHECK(!strstr(s, "not shown"));
    free(s);

    status = run_capturing_stderr(fatal_child, &s);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CHECK(test_regex_match(s, LINE_RE "test_vlog\\|EMER\\|giving up: 7$"));
    free(s);
}

#define N_THREADS 4
#define N_PER_THREAD 300

static void *
log_thread(void *aux)
{
    intptr_t id = (intptr_t) aux;
    for (int i = 0; i < N_PER_THREAD; i++) {
        VLOG_INFO("thread %d message %d %s", (int) id, i,
                  "padding padding padding padding padding padding");
    }
    return NULL;
}

TEST(threads_do_not_interleave)
{
    char *name = open_tmp_log("threads.log");
    pthread_t threads[N_THREADS];

    for (intptr_t i = 0; i < N_THREADS; i++) {
        CHECK_EQ(pthread_create(&threads[i], NULL, log_thread, (void *) i),
                 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }

    char *s = test_read_file(name, NULL);
    CHECK_EQ(count_lines(s), 1 + N_THREADS * N_PER_THREAD);

    /* Every line well formed, sequence numbers 1, 2, 3... in order. */
    unsigned int expected_seq = 1;
    char *save_ptr = NULL;
    for (char *line = strtok_r(s, "\n", &save_ptr); line;
         line = strtok_r(NULL, "\n", &save_ptr)) {
        CHECK_MSG(test_regex_match(line, LINE_RE "(vlog|test_vlog)\\|INFO\\|"
                          "(opened log file .*|thread [0-9] message [0-9]+ "
                          "padding padding padding padding padding "
                          "padding)$"), "bad line: %s", line);
        unsigned int seq = strtoul(strchr(line, '|') + 1, NULL, 10);
        CHECK_EQ(seq, expected_seq);
        expected_seq++;
    }
    free(s);
    free(name);
}
