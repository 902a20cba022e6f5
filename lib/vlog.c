/* vlog: logging by module and level, with rate limiting.  See vlog.h.
 *
 * Locking: 'log_mutex' protects every module's levels, the destinations
 * (log file, syslog), the message sequence number and the output itself,
 * so that messages from different threads never interleave.  'min_level'
 * is also read without the lock, by vlog_is_enabled(), through atomic
 * loads: a stale answer there only costs one wasted or one missed
 * message while the levels change.  Rate limiters share 'rl_mutex'. */
#include <config.h>
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "dirs.h"
#include "dynamic-string.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vlog);

/* All modules, sorted by name.  Statically initialized, because modules
 * insert themselves from constructors that may run before any other code
 * in this file. */
static struct plx_list vlog_modules = PLX_LIST_INITIALIZER(&vlog_modules);

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rl_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Levels that modules get when they are inserted, updated whenever a
 * level is set for all modules at once. */
static int default_levels[VLF_N_DESTINATIONS] = {
    [VLF_CONSOLE] = VLL_WARN,
    [VLF_SYSLOG] = VLL_ERR,
    [VLF_FILE] = VLL_INFO,
};

static char *log_file_name;     /* Name given to vlog_set_log_file(). */
static int log_fd = -1;         /* Open log file, or -1. */
static bool syslog_enabled;
static unsigned int msg_num;    /* Sequence number of the last message. */

static const char *const level_names[VLL_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
};

static const int syslog_levels[VLL_N_LEVELS] = {
    0, LOG_ALERT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_DEBUG,
};

static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console", "syslog", "file",
};

/* Each message costs this many tokens of a rate limiter's bucket, which
 * refills at 'rate' tokens per millisecond: 'rate' messages a minute. */
#define VLOG_MSG_TOKENS (60 * 1000)

const char *
vlog_get_level_name(enum vlog_level level)
{
    return (unsigned) level < VLL_N_LEVELS ? level_names[level] : "?";
}

enum vlog_level
vlog_get_level_val(const char *name)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(name, level_names[i])) {
            return i;
        }
    }
    return VLL_N_LEVELS;
}

const char *
vlog_get_destination_name(enum vlog_destination destination)
{
    return ((unsigned) destination < VLF_N_DESTINATIONS
            ? destination_names[destination] : "?");
}

enum vlog_destination
vlog_get_destination_val(const char *name)
{
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        if (!strcasecmp(name, destination_names[i])) {
            return i;
        }
    }
    return VLF_N_DESTINATIONS;
}

/* Is DESTINATION receiving messages at all?  Caller holds log_mutex. */
static bool
destination_is_active(enum vlog_destination destination)
{
    switch (destination) {
    case VLF_CONSOLE:
        return true;
    case VLF_SYSLOG:
        return syslog_enabled;
    case VLF_FILE:
        return log_fd >= 0;
    case VLF_N_DESTINATIONS:
    default:
        return false;
    }
}

/* Caller holds log_mutex. */
static void
update_min_level(struct vlog_module *module)
{
    int min_level = VLL_OFF;

    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        if (destination_is_active(d)) {
            min_level = MAX(min_level, module->levels[d]);
        }
    }
    __atomic_store_n(&module->min_level, min_level, __ATOMIC_RELAXED);
}

/* Caller holds log_mutex. */
static void
update_all_min_levels(void)
{
    struct vlog_module *mp;

    LIST_FOR_EACH (mp, list_node, &vlog_modules) {
        update_min_level(mp);
    }
}

void
vlog_insert_module(struct vlog_module *module)
{
    struct vlog_module *mp;

    pthread_mutex_lock(&log_mutex);
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        module->levels[d] = default_levels[d];
    }
    update_min_level(module);

    /* Keep the list sorted, so that vlog/list comes out in order. */
    struct plx_list *before = &vlog_modules;
    LIST_FOR_EACH (mp, list_node, &vlog_modules) {
        if (strcmp(module->name, mp->name) < 0) {
            before = &mp->list_node;
            break;
        }
    }
    plx_list_insert(before, &module->list_node);
    pthread_mutex_unlock(&log_mutex);
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    struct vlog_module *mp, *found = NULL;

    pthread_mutex_lock(&log_mutex);
    LIST_FOR_EACH (mp, list_node, &vlog_modules) {
        if (!strcasecmp(name, mp->name)) {
            found = mp;
            break;
        }
    }
    pthread_mutex_unlock(&log_mutex);
    return found;
}

/* Caller holds log_mutex. */
static void
set_destination_level(struct vlog_module *module,
                      enum vlog_destination destination,
                      enum vlog_level level)
{
    if (module) {
        module->levels[destination] = level;
        update_min_level(module);
    } else {
        struct vlog_module *mp;

        default_levels[destination] = level;
        LIST_FOR_EACH (mp, list_node, &vlog_modules) {
            mp->levels[destination] = level;
            update_min_level(mp);
        }
    }
}

void
vlog_set_levels(struct vlog_module *module,
                enum vlog_destination destination, enum vlog_level level)
{
    if ((unsigned) level >= VLL_N_LEVELS
        || (unsigned) destination > VLF_ANY_DESTINATION) {
        return;
    }

    pthread_mutex_lock(&log_mutex);
    if (destination == VLF_ANY_DESTINATION) {
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            set_destination_level(module, d, level);
        }
    } else {
        set_destination_level(module, destination, level);
    }
    pthread_mutex_unlock(&log_mutex);
}

enum vlog_level
vlog_get_level(const struct vlog_module *module,
               enum vlog_destination destination)
{
    if ((unsigned) destination >= VLF_N_DESTINATIONS) {
        return VLL_OFF;
    }
    pthread_mutex_lock(&log_mutex);
    enum vlog_level level = module->levels[destination];
    pthread_mutex_unlock(&log_mutex);
    return level;
}

char *
vlog_set_levels_from_string(const char *s_)
{
    char *s = xstrdup(s_);
    char *save_ptr = NULL;
    char *error = NULL;
    enum vlog_destination destination = VLF_N_DESTINATIONS;
    enum vlog_level level = VLL_N_LEVELS;
    struct vlog_module *module = NULL;
    bool any_word = false;

    for (char *word = strtok_r(s, ": \t", &save_ptr); word;
         word = strtok_r(NULL, ": \t", &save_ptr)) {
        any_word = true;
        if (!strcasecmp(word, "ANY")) {
            continue;
        } else if (vlog_get_destination_val(word) != VLF_N_DESTINATIONS) {
            if (destination != VLF_N_DESTINATIONS) {
                error = xasprintf("cannot specify multiple destinations");
                goto exit;
            }
            destination = vlog_get_destination_val(word);
        } else if (vlog_get_level_val(word) != VLL_N_LEVELS) {
            if (level != VLL_N_LEVELS) {
                error = xasprintf("cannot specify multiple levels");
                goto exit;
            }
            level = vlog_get_level_val(word);
        } else if (vlog_module_from_name(word)) {
            if (module) {
                error = xasprintf("cannot specify multiple modules");
                goto exit;
            }
            module = vlog_module_from_name(word);
        } else {
            error = xasprintf("no destination, level, or module \"%s\"",
                              word);
            goto exit;
        }
    }
    if (!any_word) {
        error = xasprintf("empty log level specification");
        goto exit;
    }

    vlog_set_levels(module,
                    (destination == VLF_N_DESTINATIONS
                     ? VLF_ANY_DESTINATION : destination),
                    level == VLL_N_LEVELS ? VLL_DBG : level);

exit:
    free(s);
    return error;
}

char *
vlog_get_levels(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct vlog_module *mp;

    ds_put_cstr(&s, "                 console    syslog    file\n");
    ds_put_cstr(&s, "                 -------    ------    ------\n");

    pthread_mutex_lock(&log_mutex);
    LIST_FOR_EACH (mp, list_node, &vlog_modules) {
        ds_put_format(&s, "%-16s  %4s       %4s       %4s\n", mp->name,
                      vlog_get_level_name(mp->levels[VLF_CONSOLE]),
                      vlog_get_level_name(mp->levels[VLF_SYSLOG]),
                      vlog_get_level_name(mp->levels[VLF_FILE]));
    }
    pthread_mutex_unlock(&log_mutex);

    return ds_steal_cstr(&s);
}

bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return (level != VLL_OFF
            && (int) level <= __atomic_load_n(&module->min_level,
                                              __ATOMIC_RELAXED));
}

/* Log file. */

static int
open_log_file(const char *name)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660);
    return fd >= 0 ? fd : -errno;
}

int
vlog_set_log_file(const char *file_name)
{
    char *new_name = (file_name
                      ? xstrdup(file_name)
                      : xasprintf("%s/%s.log", plx_logdir(), program_name));

    pthread_mutex_lock(&log_mutex);
    if (log_fd >= 0 && log_file_name && !strcmp(log_file_name, new_name)) {
        /* Already open: nothing to do (as in Open vSwitch). */
        pthread_mutex_unlock(&log_mutex);
        free(new_name);
        return 0;
    }
    int fd = open_log_file(new_name);
    if (fd < 0) {
        pthread_mutex_unlock(&log_mutex);
        VLOG_WARN("failed to open %s for logging: %s",
                  new_name, plx_strerror(-fd));
        free(new_name);
        return -fd;
    }
    if (log_fd >= 0) {
        close(log_fd);
    }
    log_fd = fd;
    free(log_file_name);
    log_file_name = new_name;
    update_all_min_levels();
    pthread_mutex_unlock(&log_mutex);

    VLOG_INFO("opened log file %s", new_name);
    return 0;
}

int
vlog_reopen_log_file(void)
{
    pthread_mutex_lock(&log_mutex);
    if (!log_file_name) {
        pthread_mutex_unlock(&log_mutex);
        return 0;
    }

    /* Skip the reopen if the name still refers to the open file, so that
     * a needless "reopen" does not lose the fd if the directory became
     * unwritable. */
    struct stat a, b;
    if (log_fd >= 0 && !stat(log_file_name, &a) && !fstat(log_fd, &b)
        && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        pthread_mutex_unlock(&log_mutex);
        return 0;
    }

    int fd = open_log_file(log_file_name);
    if (fd < 0) {
        char *name = xstrdup(log_file_name);
        pthread_mutex_unlock(&log_mutex);
        VLOG_WARN("failed to reopen %s for logging: %s",
                  name, plx_strerror(-fd));
        free(name);
        return -fd;
    }
    if (log_fd >= 0) {
        close(log_fd);
    }
    log_fd = fd;
    update_all_min_levels();
    pthread_mutex_unlock(&log_mutex);
    return 0;
}

void
vlog_close_log_file(void)
{
    pthread_mutex_lock(&log_mutex);
    if (log_fd >= 0) {
        close(log_fd);
        log_fd = -1;
    }
    free(log_file_name);
    log_file_name = NULL;
    update_all_min_levels();
    pthread_mutex_unlock(&log_mutex);
}

char *
vlog_get_log_file(void)
{
    pthread_mutex_lock(&log_mutex);
    char *name = log_file_name ? xstrdup(log_file_name) : NULL;
    pthread_mutex_unlock(&log_mutex);
    return name;
}

void
vlog_enable_syslog(bool enable)
{
    pthread_mutex_lock(&log_mutex);
    if (enable && !syslog_enabled) {
        openlog(program_name, LOG_NDELAY | LOG_PID, LOG_DAEMON);
    } else if (!enable && syslog_enabled) {
        closelog();
    }
    syslog_enabled = enable;
    update_all_min_levels();
    pthread_mutex_unlock(&log_mutex);
}

/* Emitting. */

/* Writes all of BUF to FD, retrying short writes; gives up silently on
 * error, since there is nowhere left to report it. */
static void
write_fully(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t retval = write(fd, buf, n);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        buf += retval;
        n -= retval;
    }
}

void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    if ((unsigned) level >= VLL_N_LEVELS || level == VLL_OFF) {
        return;
    }

    int save_errno = errno;
    char *message = xvasprintf(format, args);
    /* One line per message: a newline in the text would let whoever
     * controls it forge log lines. */
    for (char *p = message; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = ' ';
        }
    }
    char *stamp = xastrftime_msec("%Y-%m-%dT%H:%M:%S.###Z",
                                  time_wall_msec(), true);

    pthread_mutex_lock(&log_mutex);
    bool to_console = level <= module->levels[VLF_CONSOLE];
    bool to_syslog = syslog_enabled && level <= module->levels[VLF_SYSLOG];
    bool to_file = log_fd >= 0 && level <= module->levels[VLF_FILE];
    if (to_console || to_syslog || to_file) {
        unsigned int seq = ++msg_num;
        char *line = xasprintf("%s|%05u|%s|%s|%s\n", stamp, seq,
                               module->name, level_names[level], message);
        if (to_console) {
            write_fully(STDERR_FILENO, line, strlen(line));
        }
        if (to_file) {
            write_fully(log_fd, line, strlen(line));
        }
        if (to_syslog) {
            syslog(syslog_levels[level], "%05u|%s|%s|%s", seq,
                   module->name, level_names[level], message);
        }
        free(line);
    }
    pthread_mutex_unlock(&log_mutex);

    free(stamp);
    free(message);
    errno = save_errno;
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

void
vlog_fatal(const struct vlog_module *module, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void
vlog_abort(const struct vlog_module *module, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    abort();
}

/* Rate limiting. */

/* Refills RL's bucket for the time since its last refill and takes one
 * message's worth of tokens if it can.  Caller holds rl_mutex. */
static bool
rate_limit_withdraw(struct vlog_rate_limit *rl, long long int now)
{
    if (!rl->last_fill) {
        /* First use of a statically initialized limiter, which starts
         * with a full bucket. */
        rl->last_fill = now;
    } else if (now > rl->last_fill) {
        unsigned long long int tokens = ((unsigned long long int) rl->rate
                                         * (now - rl->last_fill)
                                         + rl->tokens);
        rl->tokens = MIN(tokens, rl->burst);
        rl->last_fill = now;
    }
    if (rl->tokens < VLOG_MSG_TOKENS) {
        return false;
    }
    rl->tokens -= VLOG_MSG_TOKENS;
    return true;
}

bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    if (!vlog_is_enabled(module, level)) {
        return true;
    }

    long long int now = time_msec();
    pthread_mutex_lock(&rl_mutex);
    if (!rate_limit_withdraw(rl, now)) {
        if (!rl->n_dropped) {
            rl->first_dropped = now;
        }
        rl->last_dropped = now;
        rl->n_dropped++;
        pthread_mutex_unlock(&rl_mutex);
        return true;
    }

    unsigned int n_dropped = rl->n_dropped;
    long long int first = rl->first_dropped;
    long long int last = rl->last_dropped;
    rl->n_dropped = 0;
    pthread_mutex_unlock(&rl_mutex);

    if (n_dropped) {
        vlog(module, level,
             "Dropped %u log messages in last %lld seconds (most recently, "
             "%lld seconds ago) due to excessive rate",
             n_dropped, (now - first) / 1000, (now - last) / 1000);
    }
    return false;
}

void
vlog_rate_limit(const struct vlog_module *module, enum vlog_level level,
                struct vlog_rate_limit *rl, const char *format, ...)
{
    if (!vlog_should_drop(module, level, rl)) {
        va_list args;

        va_start(args, format);
        vlog_valist(module, level, format, args);
        va_end(args);
    }
}

/* Command line. */

void
vlog_set_verbosity(const char *arg)
{
    if (!arg) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_DBG);
        return;
    }

    char *error = vlog_set_levels_from_string(arg);
    if (error) {
        plx_fatal(0, "processing \"%s\": %s", arg, error);
    }
}

void
vlog_set_log_file_option(const char *arg)
{
    int error = vlog_set_log_file(arg);
    if (error) {
        char *name = (arg ? xstrdup(arg)
                      : xasprintf("%s/%s.log", plx_logdir(), program_name));
        plx_fatal(error, "could not open log file %s", name);
    }
}
