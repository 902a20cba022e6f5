/*
 * unixctl-client: what a command-line tool needs to run one command on a
 * running daemon's control socket (lib/unixctl.h), shared by plx-dpctl
 * and anything else that speaks to plx-vswitchd the way plx-appctl does.
 *
 * A target is named as plx-appctl's -t takes it: either a daemon name
 * ("plx-vswitchd"), whose control socket is RUNDIR/NAME.PID.ctl with PID
 * read from the pid file RUNDIR/NAME.pid (RUNDIR from plx_rundir()), or a
 * control socket's file name, recognized by containing a '/'.
 *
 * Errors are returned as malloc'd messages that say what failed and why
 * in words a user can act on ("cannot read pidfile "/run/plexus/
 * plx-vswitchd.pid" (is plx-vswitchd running?): No such file or
 * directory"); the caller prints and frees them.  Nothing here exits or
 * prints.
 */
#ifndef PLX_UNIXCTL_CLIENT_H
#define PLX_UNIXCTL_CLIENT_H 1

#include "util.h"

/* Resolves TARGET to a control socket file name, stored in '*socketp'
 * (caller frees).  Returns NULL, or an error message (caller frees) with
 * '*socketp' NULL. */
char *unixctl_client_target_to_socket(const char *target, char **socketp)
    PLX_WARN_UNUSED_RESULT;

/* Connects to control socket SOCKET_NAME, waiting at most TIMEOUT_MS
 * (negative: no limit) to connect, runs COMMAND with the ARGC arguments
 * ARGV and waits for the answer.
 *
 * Returns NULL if the daemon answered, with exactly one of '*result'
 * (the command's output) and '*error' (the daemon's error message) set to
 * a malloc'd string.  Returns a malloc'd message if the daemon could not
 * be reached or the connection failed, with both NULL. */
char *unixctl_client_run(const char *socket_name, long long int timeout_ms,
                         const char *command,
                         int argc, const char *const argv[],
                         char **result, char **error)
    PLX_WARN_UNUSED_RESULT;

#endif /* unixctl-client.h */
