/*
 * fatal-signal: cleaning up when a process is told to die.
 *
 * A daemon leaves things behind that must go when it does: its pid file,
 * its control socket, a half-written temporary file.  Modules register
 * "hooks" that remove them; the hooks run when the process receives a
 * fatal signal (SIGTERM, SIGINT, SIGHUP, SIGALRM), and those registered
 * with RUN_AT_EXIT also when it calls exit().  Each hook runs at most
 * once.
 *
 * Hooks cannot run inside a signal handler (they allocate, log, take
 * locks), so the handler only records the signal and writes a byte to a
 * pipe.  fatal_signal_wait() makes the poll loop wake up on that pipe, and
 * fatal_signal_run() then runs the hooks and re-raises the signal with its
 * default action, so that the process still dies "by signal N" as its
 * parent expects.  poll_block() calls both, so every program that runs a
 * poll loop gets this for free; a program that blocks elsewhere for long
 * should call fatal_signal_run() itself.
 *
 * Handlers are installed on first use (any call here, or the first
 * poll_block()) and only for signals whose disposition is still the
 * default: a signal the parent asked us to ignore stays ignored.
 *
 * After fork(), the process that must NOT run the hooks (the parent that
 * is about to exit in daemonize_start()) calls fatal_signal_fork(), which
 * forgets them.
 *
 * All functions are thread-safe; hooks run in whichever thread calls
 * fatal_signal_run() first after the signal.
 */
#ifndef PLX_FATAL_SIGNAL_H
#define PLX_FATAL_SIGNAL_H 1

#include <stdbool.h>

/* Installs the handlers.  Idempotent; called by every function below. */
void fatal_signal_init(void);

/* Registers HOOK(AUX) to run on a fatal signal and, if RUN_AT_EXIT, also
 * at exit().  Hooks run in the order they were added. */
void fatal_signal_add_hook(void (*hook)(void *aux), void *aux,
                           bool run_at_exit);

/* Unlinks FILE on a fatal signal or at exit(), unless it is removed from
 * the set first.  The name is copied. */
void fatal_signal_add_file_to_unlink(const char *file);
void fatal_signal_remove_file_to_unlink(const char *file);
/* Unlinks FILE now and removes it from the set; 0 or errno. */
int fatal_signal_unlink_file_now(const char *file);

/* If a fatal signal arrived, runs the hooks and dies by that signal;
 * otherwise returns at once. */
void fatal_signal_run(void);
/* Makes the next poll_block() wake up when a fatal signal arrives. */
void fatal_signal_wait(void);

/* Forgets all hooks and files without running them (after fork()). */
void fatal_signal_fork(void);

/* Ignores SIGPIPE, so that writing to a closed socket returns EPIPE
 * rather than killing the process.  Every daemon wants this. */
void fatal_ignore_sigpipe(void);

#endif /* fatal-signal.h */
