/*
 * daemon: pid files and detaching, with Open vSwitch's options.
 *
 *     --pidfile[=FILE]      write our pid to FILE (default
 *                           RUNDIR/PROGRAM.pid; a relative FILE is taken
 *                           relative to the run directory, see dirs.h)
 *     --overwrite-pidfile   do not refuse to start if FILE names a
 *                           running process
 *     --detach              run in the background
 *     --no-chdir            with --detach, do not chdir to "/"
 *
 * A daemon parses its options (DAEMON_OPTION_ENUMS, DAEMON_LONG_OPTIONS,
 * DAEMON_OPTION_HANDLERS, as with vlog.h's), then calls daemonize_start()
 * early, before it creates any thread (fork() copies only the calling
 * thread), does whatever may fail at startup (open the database, bind
 * sockets), and finally calls daemonize_complete().  With --detach,
 * daemonize_start() forks: the parent waits until the child calls
 * daemonize_complete() and then exits with status 0, or with status 1 if
 * the child dies first, so that "plx-dbserver --detach && plx-vsctl ..."
 * never races the daemon's startup.  The child becomes a session leader,
 * and at completion changes to "/" (unless --no-chdir) and points its
 * standard fds at /dev/null.
 *
 * The pid file is written atomically (a temporary file, renamed into
 * place) and stays locked with an fcntl() write lock for the life of the
 * process.  So a pid file whose lock is not held is stale: its daemon is
 * gone, whatever pid it names.  The pid file is removed at exit and on a
 * fatal signal (see fatal-signal.h).  Failure to create it is fatal.
 */
#ifndef PLX_DAEMON_H
#define PLX_DAEMON_H 1

#include <stdbool.h>
#include <sys/types.h>

#define DAEMON_OPTION_ENUMS                     \
    OPT_DETACH,                                 \
    OPT_NO_CHDIR,                               \
    OPT_OVERWRITE_PIDFILE,                      \
    OPT_PIDFILE

#define DAEMON_LONG_OPTIONS                                             \
    {"detach", no_argument, NULL, OPT_DETACH},                          \
    {"no-chdir", no_argument, NULL, OPT_NO_CHDIR},                      \
    {"pidfile", optional_argument, NULL, OPT_PIDFILE},                  \
    {"overwrite-pidfile", no_argument, NULL, OPT_OVERWRITE_PIDFILE}

#define DAEMON_OPTION_HANDLERS                                          \
    case OPT_DETACH: daemon_set_detach(true); break;                    \
    case OPT_NO_CHDIR: daemon_set_no_chdir(true); break;                \
    case OPT_PIDFILE: daemon_set_pidfile(optarg); break;                \
    case OPT_OVERWRITE_PIDFILE: daemon_set_overwrite_pidfile(true); break;

/* NULL means the default, RUNDIR/PROGRAM.pid. */
void daemon_set_pidfile(const char *name);
/* The pid file's absolute name, or NULL if none was requested. */
const char *daemon_get_pidfile(void);
void daemon_set_detach(bool);
bool daemon_get_detach(void);
void daemon_set_no_chdir(bool);
void daemon_set_overwrite_pidfile(bool);

/* See above.  daemonize() is daemonize_start() + daemonize_complete(),
 * for daemons with nothing to set up in between.  daemonize_complete()
 * does nothing after the first call. */
void daemonize_start(void);
void daemonize_complete(void);
void daemonize(void);

/* Prints the options above for --help, to stdout. */
void daemon_usage(void);

/* Returns the pid of the running process that holds pid file PIDFILE, or
 * a negative errno value: -ENOENT (no such file), -ESRCH (stale: no
 * process holds the lock), -EINVAL (unparseable contents), or another
 * from open() or fcntl(). */
pid_t daemon_read_pidfile(const char *pidfile);

/* Open vSwitch's name for the same thing. */
static inline pid_t
read_pidfile(const char *pidfile)
{
    return daemon_read_pidfile(pidfile);
}

#endif /* daemon.h */
