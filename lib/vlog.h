/*
 * vlog: logging by module and level, with rate limiting.
 *
 * Every source file that logs declares its module once:
 *
 *     VLOG_DEFINE_THIS_MODULE(stream_ssl);
 *
 * and then logs with VLOG_ERR(...), VLOG_WARN(...), VLOG_INFO(...),
 * VLOG_DBG(...).  Each module has a level per destination (console,
 * syslog, file); a message goes to a destination when its level is at or
 * above the module's level there.  Levels are set on the command line
 * (-v, --verbose=module:destination:level) and at runtime through the
 * daemon's control socket (plx-appctl vlog/set, vlog/list).
 *
 * Anything a remote peer or a packet can trigger must be rate limited, so
 * that a flood of bad input cannot flood the log:
 *
 *     static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
 *     VLOG_WARN_RL(&rl, "%s: bad message", name);
 *
 * allows 5 messages a minute on average, in bursts of up to 20, and
 * reports how many were suppressed when logging resumes.
 *
 * Defaults: a module logs WARN and above to the console (stderr), ERR and
 * above to syslog, and INFO and above to the log file.  Syslog receives
 * nothing until vlog_enable_syslog(true) (--syslog), and the file nothing
 * until one is opened (--log-file); vlog_is_enabled() only considers
 * destinations that are active.  Console and file lines look like
 *
 *     2026-11-24T08:00:00.123Z|00042|module|INFO|text
 *
 * (UTC time with milliseconds, a per-process sequence number, module,
 * level, message); syslog gets the same without the time.  Newlines in a
 * message become spaces, so that one message is always one line.
 *
 * Emission is serialized by a mutex, so that lines from different threads
 * never interleave; everything here is thread-safe except that vlog must
 * never be called from a signal handler.
 */
#ifndef PLX_VLOG_H
#define PLX_VLOG_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "list.h"
#include "util.h"

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

enum vlog_destination {
    VLF_CONSOLE,    /* stderr */
    VLF_SYSLOG,
    VLF_FILE,       /* --log-file */
    VLF_N_DESTINATIONS
};

const char *vlog_get_level_name(enum vlog_level);
/* Returns VLL_N_LEVELS if NAME is not a level name. */
enum vlog_level vlog_get_level_val(const char *name);
/* For vlog_set_levels(): every destination at once. */
#define VLF_ANY_DESTINATION VLF_N_DESTINATIONS

const char *vlog_get_destination_name(enum vlog_destination);
enum vlog_destination vlog_get_destination_val(const char *name);

struct vlog_module {
    struct plx_list list_node;           /* In the list of all modules. */
    const char *name;
    int levels[VLF_N_DESTINATIONS];
    int min_level;                       /* Least verbose of 'levels'. */
};

void vlog_insert_module(struct vlog_module *);

#define VLOG_DEFINE_MODULE__(MODULE)                                      \
    struct vlog_module this_module_##MODULE = {                          \
        PLX_LIST_INITIALIZER(&this_module_##MODULE.list_node),           \
        #MODULE, { VLL_INFO, VLL_INFO, VLL_INFO }, VLL_INFO };           \
    static void init_this_module_##MODULE(void)                          \
        __attribute__((constructor));                                    \
    static void init_this_module_##MODULE(void)                          \
    {                                                                    \
        vlog_insert_module(&this_module_##MODULE);                       \
    }

#define VLOG_DEFINE_THIS_MODULE(MODULE)                                   \
    VLOG_DEFINE_MODULE__(MODULE)                                          \
    static struct vlog_module *const THIS_MODULE = &this_module_##MODULE

struct vlog_module *vlog_module_from_name(const char *name);

/* Level control. */
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);
/* (vlog_set_levels(): module NULL means every module, including ones
 * inserted later; destination VLF_ANY_DESTINATION every destination.) */
enum vlog_level vlog_get_level(const struct vlog_module *,
                               enum vlog_destination);
/* Parses "module[:destination][:level]" (any order, "ANY" for all, as
 * ovs-appctl vlog/set takes); returns NULL or an error message that the
 * caller frees. */
char *vlog_set_levels_from_string(const char *) PLX_WARN_UNUSED_RESULT;
/* Table of modules and levels, as vlog/list prints it; caller frees. */
char *vlog_get_levels(void);
bool vlog_is_enabled(const struct vlog_module *, enum vlog_level);

/* Destinations. */
int vlog_set_log_file(const char *file_name);   /* 0 or errno. */
/* Reopens the log file by name, if one is set, unless the name still
 * refers to the open file (so after a rename by logrotate, a new file is
 * created).  0 or errno. */
int vlog_reopen_log_file(void);
void vlog_close_log_file(void);
/* The log file's name, or NULL if none; caller frees. */
char *vlog_get_log_file(void);
void vlog_enable_syslog(bool);

/* Emitting. */
void vlog(const struct vlog_module *, enum vlog_level, const char *format,
          ...) PLX_PRINTF_FORMAT(3, 4);
void vlog_valist(const struct vlog_module *, enum vlog_level,
                 const char *format, va_list) PLX_PRINTF_FORMAT(3, 0);
/* Logs at EMER and exits with status 1. */
void vlog_fatal(const struct vlog_module *, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_NO_RETURN;
/* Logs at EMER and aborts (core dump). */
void vlog_abort(const struct vlog_module *, const char *format, ...)
    PLX_PRINTF_FORMAT(2, 3) PLX_NO_RETURN;

/* Rate limiting: a token bucket of 'burst' messages refilled at 'rate'
 * per minute. */
struct vlog_rate_limit {
    unsigned int tokens;            /* In units of 1/rate minutes. */
    unsigned int rate;
    unsigned int burst;
    long long int last_fill;        /* time_msec() of last refill. */
    long long int first_dropped;
    long long int last_dropped;
    unsigned int n_dropped;
};
#define VLOG_RATE_LIMIT_INIT(RATE, BURST) \
    { (BURST) * 60 * 1000, RATE, (BURST) * 60 * 1000, 0, 0, 0, 0 }

void vlog_rate_limit(const struct vlog_module *, enum vlog_level,
                     struct vlog_rate_limit *, const char *, ...)
    PLX_PRINTF_FORMAT(4, 5);
/* True if a message would be suppressed (consumes no token if enabled). */
bool vlog_should_drop(const struct vlog_module *, enum vlog_level,
                      struct vlog_rate_limit *);
/* (vlog_should_drop(), precisely: if LEVEL is disabled it returns true and
 * takes no token; otherwise it takes one if it can and returns false, or
 * counts a drop and returns true.  So call it once per message you then
 * log, as Open vSwitch's does.  On the first message after drops it first
 * logs "Dropped N log messages in last S seconds (most recently, T
 * seconds ago) due to excessive rate".  Thread-safe.) */

#define VLOG(LEVEL, ...)                                                  \
    do {                                                                  \
        if (vlog_is_enabled(THIS_MODULE, LEVEL)) {                        \
            vlog(THIS_MODULE, LEVEL, __VA_ARGS__);                        \
        }                                                                 \
    } while (0)
#define VLOG_RL(RL, LEVEL, ...)                                           \
    do {                                                                  \
        if (vlog_is_enabled(THIS_MODULE, LEVEL)) {                        \
            vlog_rate_limit(THIS_MODULE, LEVEL, RL, __VA_ARGS__);         \
        }                                                                 \
    } while (0)

#define VLOG_FATAL(...) vlog_fatal(THIS_MODULE, __VA_ARGS__)
#define VLOG_ABORT(...) vlog_abort(THIS_MODULE, __VA_ARGS__)
#define VLOG_EMER(...) VLOG(VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) VLOG(VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG(VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG(VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG(VLL_DBG, __VA_ARGS__)
#define VLOG_ERR_RL(RL, ...) VLOG_RL(RL, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) VLOG_RL(RL, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) VLOG_RL(RL, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) VLOG_RL(RL, VLL_DBG, __VA_ARGS__)
#define VLOG_IS_DBG_ENABLED() vlog_is_enabled(THIS_MODULE, VLL_DBG)

/* Command-line support: "-v[SPEC]" / "--verbose[=SPEC]". */
#define VLOG_OPTION_ENUMS OPT_LOG_FILE, OPT_SYSLOG
#define VLOG_LONG_OPTIONS                                           \
    {"verbose", optional_argument, NULL, 'v'},                      \
    {"log-file", optional_argument, NULL, OPT_LOG_FILE},            \
    {"syslog", no_argument, NULL, OPT_SYSLOG}
#define VLOG_OPTION_HANDLERS                                        \
    case 'v': vlog_set_verbosity(optarg); break;                    \
    case OPT_LOG_FILE: vlog_set_log_file_option(optarg); break;     \
    case OPT_SYSLOG: vlog_enable_syslog(true); break;
/* NULL ARG means debug everywhere; exits with a message on bad ARG. */
void vlog_set_verbosity(const char *arg);
/* NULL ARG means the default file, $PLX_LOGDIR/program_name.log. */
void vlog_set_log_file_option(const char *arg);

#endif /* vlog.h */
