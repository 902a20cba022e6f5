/* dpdk: the EAL inside plx-vswitchd (see dpdk.h). */

#include <config.h>
#include "dpdk.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"

#ifdef HAVE_DPDK
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_version.h>
#endif

VLOG_DEFINE_THIS_MODULE(dpdk);

/* ------------------------------------------------------------------ */
/* EAL arguments: pure. */

struct dpdk_argv {
    char **argv;
    size_t n, allocated;
};

static void
argv_add(struct dpdk_argv *a, const char *arg)
{
    if (a->n + 2 > a->allocated) {
        a->allocated = a->allocated ? 2 * a->allocated : 16;
        a->argv = xrealloc(a->argv, a->allocated * sizeof *a->argv);
    }
    a->argv[a->n++] = xstrdup(arg);
    a->argv[a->n] = NULL;
}

void
dpdk_free_args(char **argv)
{
    if (argv) {
        for (char **p = argv; *p; p++) {
            free(*p);
        }
        free(argv);
    }
}

/* True if EXTRA, split into words, has one equal to or starting with
 * "OPTION=" any of the NULL-terminated OPTIONS. */
static bool
extra_has(const struct dpdk_argv *extra, const char *const options[])
{
    for (size_t i = 0; i < extra->n; i++) {
        for (const char *const *o = options; *o; o++) {
            size_t len = strlen(*o);
            if (!strncmp(extra->argv[i], *o, len)
                && (!extra->argv[i][len] || extra->argv[i][len] == '=')) {
                return true;
            }
        }
    }
    return false;
}

static bool
is_hex_mask(const char *s)
{
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
        s += 2;
    }
    bool any_bit = false;
    if (!*s || strlen(s) > 256) {
        return false;
    }
    for (; *s; s++) {
        if (!isxdigit((unsigned char) *s)) {
            return false;
        }
        any_bit |= *s != '0';
    }
    return any_bit;
}

/* "1024" or "1024,0,...": up to 32 comma-separated numbers of MB. */
static bool
is_socket_list(const char *s)
{
    int n = 0;
    while (*s) {
        if (!isdigit((unsigned char) *s) || ++n > 32) {
            return false;
        }
        size_t len = strspn(s, "0123456789");
        if (len > 7) {
            return false;               /* More than 9 TB per socket. */
        }
        s += len;
        if (*s == ',' && s[1]) {
            s++;
        } else if (*s) {
            return false;
        }
    }
    return n > 0;
}

/* The first core this process may run on, or 0. */
static int
first_allowed_core(void)
{
    cpu_set_t set;
    if (!sched_getaffinity(0, sizeof set, &set)) {
        for (int i = 0; i < CPU_SETSIZE; i++) {
            if (CPU_ISSET(i, &set)) {
                return i;
            }
        }
    }
    return 0;
}

int
dpdk_build_args(const struct smap *oc, int *argcp, char ***argvp,
                char **errp)
{
    static const char *const lcore_opts[] = { "-c", "-l", "--lcores",
                                              NULL };
    static const char *const mem_opts[] = { "--socket-mem", "-m", NULL };
    static const char *const limit_opts[] = { "--socket-limit", NULL };
    static const char *const huge_opts[] = { "--huge-dir", NULL };
    static const char *const proc_opts[] = { "--in-memory", "--file-prefix",
                                             "--proc-type", NULL };
    static const char *const tele_opts[] = { "--telemetry",
                                             "--no-telemetry", NULL };
    struct dpdk_argv extra = { NULL, 0, 0 };
    struct dpdk_argv a = { NULL, 0, 0 };
    const char *lcore_mask = smap_get(oc, "dpdk-lcore-mask");
    const char *socket_mem = smap_get(oc, "dpdk-socket-mem");
    const char *socket_limit = smap_get(oc, "dpdk-socket-limit");
    const char *huge_dir = smap_get(oc, "dpdk-hugepage-dir");
    const char *extra_s = smap_get(oc, "dpdk-extra");
    char *error = NULL;

    *argcp = 0;
    *argvp = NULL;
    *errp = NULL;
    if (extra_s) {
        char *copy = xstrdup(extra_s), *save = NULL;
        for (char *w = strtok_r(copy, " \t\n", &save); w;
             w = strtok_r(NULL, " \t\n", &save)) {
            argv_add(&extra, w);
        }
        free(copy);
    }

    if (lcore_mask && !is_hex_mask(lcore_mask)) {
        error = xasprintf("dpdk-lcore-mask \"%s\" is not a hexadecimal "
                          "core mask with at least one bit set",
                          lcore_mask);
    } else if (socket_mem && !is_socket_list(socket_mem)) {
        error = xasprintf("dpdk-socket-mem \"%s\" is not a comma-separated "
                          "list of megabytes per socket", socket_mem);
    } else if (socket_limit && !is_socket_list(socket_limit)) {
        error = xasprintf("dpdk-socket-limit \"%s\" is not a "
                          "comma-separated list of megabytes per socket",
                          socket_limit);
    } else if (huge_dir && huge_dir[0] != '/') {
        error = xasprintf("dpdk-hugepage-dir \"%s\" is not an absolute "
                          "path", huge_dir);
    }
    if (error) {
        dpdk_free_args(extra.argv);
        *errp = error;
        return EINVAL;
    }

    argv_add(&a, "plx-vswitchd");
    if (!extra_has(&extra, lcore_opts)) {
        if (lcore_mask) {
            argv_add(&a, "-c");
            argv_add(&a, lcore_mask);
        } else {
            char core[16];
            snprintf(core, sizeof core, "%d", first_allowed_core());
            argv_add(&a, "-l");
            argv_add(&a, core);
        }
    }
    if (socket_mem && !extra_has(&extra, mem_opts)) {
        argv_add(&a, "--socket-mem");
        argv_add(&a, socket_mem);
    }
    if (socket_limit && !extra_has(&extra, limit_opts)) {
        argv_add(&a, "--socket-limit");
        argv_add(&a, socket_limit);
    }
    if (huge_dir && !extra_has(&extra, huge_opts)) {
        argv_add(&a, "--huge-dir");
        argv_add(&a, huge_dir);
    }
    if (!extra_has(&extra, proc_opts)) {
        /* --no-huge implies legacy memory, which --in-memory refuses;
         * --no-shconf is the part of it that matters then. */
        static const char *const no_huge[] = { "--no-huge", NULL };
        static const char *const no_shconf[] = { "--no-shconf", NULL };
        if (!extra_has(&extra, no_huge)) {
            argv_add(&a, "--in-memory");
        } else if (!extra_has(&extra, no_shconf)) {
            argv_add(&a, "--no-shconf");
        }
    }
    if (!extra_has(&extra, tele_opts)) {
        argv_add(&a, "--no-telemetry");
    }
    for (size_t i = 0; i < extra.n; i++) {
        argv_add(&a, extra.argv[i]);
    }
    dpdk_free_args(extra.argv);

    *argcp = a.n;
    *argvp = a.argv;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Initialization. */

static bool initialized;
static bool eal_called;         /* rte_eal_init() happened, for good. */
static char *init_error;

bool
dpdk_is_initialized(void)
{
    return initialized;
}

const char *
dpdk_init_error(void)
{
    return init_error;
}

static bool
init_requested(const struct smap *oc)
{
    const char *v = smap_get(oc, "dpdk-init");
    return v && (!strcasecmp(v, "true") || !strcasecmp(v, "try"));
}

#ifdef HAVE_DPDK
/* The EAL's log, line by line, into vlog; the last error is kept so that
 * a failed rte_eal_init() can say why. */
static struct ds log_line = DS_EMPTY_INITIALIZER;
static char *last_eal_error;

static void
log_flush_line(void)
{
    uint32_t level = rte_log_cur_msg_loglevel();
    const char *line = ds_cstr(&log_line);

    if (!line[0]) {
        return;
    }
    if (level <= RTE_LOG_ERR) {
        VLOG_ERR("%s", line);
        free(last_eal_error);
        last_eal_error = xstrdup(line);
    } else if (level == RTE_LOG_WARNING) {
        VLOG_WARN("%s", line);
    } else if (level <= RTE_LOG_INFO) {
        VLOG_INFO("%s", line);
    } else {
        VLOG_DBG("%s", line);
    }
    ds_clear(&log_line);
}

static ssize_t
log_write(void *cookie PLX_UNUSED, const char *buf, size_t size)
{
    static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

    pthread_mutex_lock(&mutex);
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            log_flush_line();
        } else {
            ds_put_char(&log_line, buf[i]);
        }
    }
    pthread_mutex_unlock(&mutex);
    return size;
}

/* Free 2 MB or 1 GB pages in the system, in MB. */
static unsigned long long
free_hugepage_mb(void)
{
    unsigned long long mb = 0;
    glob_t g;

    if (glob("/sys/kernel/mm/hugepages/hugepages-*kB", 0, NULL, &g)) {
        return 0;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *dir = strrchr(g.gl_pathv[i], '/') + 1;
        unsigned long long kb = strtoull(dir + strlen("hugepages-"),
                                         NULL, 10);
        char *path = xasprintf("%s/free_hugepages", g.gl_pathv[i]);
        FILE *f = fopen(path, "r");
        unsigned long long n = 0;
        if (f) {
            if (fscanf(f, "%llu", &n) != 1) {
                n = 0;
            }
            fclose(f);
        }
        free(path);
        mb += n * kb / 1024;
    }
    globfree(&g);
    return mb;
}

static bool
args_have(char **argv, const char *option)
{
    for (char **p = argv; *p; p++) {
        if (!strcmp(*p, option)) {
            return true;
        }
    }
    return false;
}

static char *
dpdk_init__(const struct smap *oc)
{
    static cookie_io_functions_t log_funcs = { .write = log_write };
    char **argv, *error;
    int argc;

    if (dpdk_build_args(oc, &argc, &argv, &error)) {
        return error;
    }
    if (!args_have(argv, "--no-huge") && !free_hugepage_mb()) {
        dpdk_free_args(argv);
        return xstrdup("DPDK needs hugepages but none are free: reserve "
                       "some (e.g. echo 512 > /proc/sys/vm/nr_hugepages) "
                       "or add --no-huge to other_config:dpdk-extra");
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    for (char **p = argv; *p; p++) {
        ds_put_format(&s, "%s%s", p == argv ? "" : " ", *p);
    }
    VLOG_INFO("initializing %s: %s", rte_version(), ds_cstr(&s));
    ds_destroy(&s);

    FILE *stream = fopencookie(NULL, "w", log_funcs);
    if (stream) {
        setvbuf(stream, NULL, _IOLBF, 0);
        rte_openlog_stream(stream);
    }

    cpu_set_t cpus;
    bool have_cpus = !pthread_getaffinity_np(pthread_self(), sizeof cpus,
                                             &cpus);

    /* rte_eal_init() may permute its argv: give it a copy. */
    char **copy = xmemdup(argv, (argc + 1) * sizeof *argv);
    eal_called = true;
    int retval = rte_eal_init(argc, copy);
    int eal_errno = rte_errno;
    free(copy);
    dpdk_free_args(argv);

    if (have_cpus) {
        pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);
    }
    if (retval < 0) {
        return xasprintf("DPDK initialization failed: %s%s%s",
                         rte_strerror(eal_errno),
                         last_eal_error ? ": " : "",
                         last_eal_error ? last_eal_error : "");
    }
    return NULL;
}

const char *
dpdk_get_version(void)
{
    return rte_version();
}

static pthread_key_t thread_key;

static void
thread_exit(void *arg PLX_UNUSED)
{
    rte_thread_unregister();
}

static void
thread_key_create(void)
{
    plx_assert(!pthread_key_create(&thread_key, thread_exit));
}

void
dpdk_thread_register(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static __thread bool tried;

    if (tried || rte_lcore_id() != LCORE_ID_ANY) {
        return;
    }
    tried = true;
    pthread_once(&once, thread_key_create);
    if (rte_thread_register()) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "no DPDK lcore left for a thread (%s): its "
                     "packet buffers bypass the mempool caches",
                     rte_strerror(rte_errno));
        return;
    }
    pthread_setspecific(thread_key, &tried);
}
#else  /* !HAVE_DPDK */
static char *
dpdk_init__(const struct smap *oc PLX_UNUSED)
{
    return xstrdup("DPDK is not supported: this Plexus was built without "
                   "DPDK (configure --with-dpdk)");
}

const char *
dpdk_get_version(void)
{
    return NULL;
}

void
dpdk_thread_register(void)
{
}
#endif /* !HAVE_DPDK */

void
dpdk_configure(const struct smap *oc)
{
    if (!init_requested(oc)) {
        if (!eal_called) {
            free(init_error);
            init_error = NULL;
        }
        if (initialized) {
            static bool warned;
            if (!warned) {
                VLOG_WARN("DPDK stays initialized until plx-vswitchd "
                          "restarts");
                warned = true;
            }
        }
        return;
    }
    if (eal_called) {
        return;
    }

    /* Until the EAL has run, a failure (bad arguments, no hugepages) is
     * tried again with the next configuration. */
    char *error = dpdk_init__(oc);
    if (error) {
        if (!init_error || strcmp(error, init_error)) {
            VLOG_ERR("%s", error);
        }
        free(init_error);
        init_error = error;
    } else {
        free(init_error);
        init_error = NULL;
        initialized = true;
        VLOG_INFO("DPDK initialized");
    }
}
