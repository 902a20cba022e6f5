/*
 * unixctl: each daemon's control socket, as Open vSwitch's.
 *
 * A daemon creates one server, listening on a Unix socket (by default
 * RUNDIR/PROGRAM.PID.ctl, RUNDIR from plx_rundir()), and runs it from its
 * main loop.  Commands are registered process-wide, by name, with the
 * number of arguments they take and a callback; plx-appctl (or anything
 * speaking the protocol) invokes them.
 *
 * Protocol: JSON-RPC 1.0 (lib/jsonrpc.h).  A request's method is the
 * command name and its params the arguments, all JSON strings; the reply's
 * result is the command's output as a string, or the error reply's error
 * is the error message as a string.  One request per connection is
 * handled at a time; a client may send several in sequence.
 *
 * Callbacks: a command's callback gets argv[0] = the command name and
 * argv[1..argc) the arguments (their count already checked against the
 * registration; the strings last only until the callback returns), and
 * must eventually call exactly one of
 * unixctl_command_reply() or unixctl_command_reply_error() for CONN:
 * usually before returning, but a command that needs to wait (for a
 * database transaction, say) may keep CONN and reply later; CONN stays
 * valid until then even if the client goes away.
 *
 * Built in: "list-commands", "version", and the vlog commands of
 * lib/vlog-unixctl.h (registered by unixctl_server_create()).
 *
 * Client: unixctl_client_create() connects (blocking), and
 * unixctl_client_transact() runs one command and waits for its answer.
 *
 * Not thread-safe: register commands and run servers from the main
 * thread.
 */
#ifndef PLX_UNIXCTL_H
#define PLX_UNIXCTL_H 1

#include "util.h"

struct jsonrpc;
struct unixctl_conn;
struct unixctl_server;

typedef void unixctl_cb_func(struct unixctl_conn *, int argc,
                             const char *argv[], void *aux);

/* Registers command NAME, shown by list-commands with USAGE (a synopsis
 * of its arguments, e.g. "[BRIDGE]"), taking MIN_ARGS to MAX_ARGS
 * arguments (INT_MAX for any number).  Registering a name again replaces
 * the earlier command. */
void unixctl_command_register(const char *name, const char *usage,
                              int min_args, int max_args,
                              unixctl_cb_func *cb, void *aux);
void unixctl_command_unregister(const char *name);

/* Replies to the command on CONN with output BODY (NULL: empty) or error
 * message ERROR.  Text need not be valid UTF-8 (bad bytes become
 * U+FFFD). */
void unixctl_command_reply(struct unixctl_conn *, const char *body);
void unixctl_command_reply_error(struct unixctl_conn *, const char *error);

/* Creates a server listening on PATH:
 *   - NULL: RUNDIR/PROGRAM.PID.ctl (PROGRAM is program_name);
 *   - "none": no server ('*serverp' NULL, returns 0);
 *   - a relative name: taken relative to RUNDIR;
 *   - an absolute name: as is.
 * Returns 0 or an errno value (logged). */
int unixctl_server_create(const char *path, struct unixctl_server **serverp);
void unixctl_server_run(struct unixctl_server *);
void unixctl_server_wait(struct unixctl_server *);
void unixctl_server_destroy(struct unixctl_server *);
/* The socket's absolute file name. */
const char *unixctl_server_get_path(const struct unixctl_server *);

/* Client side.  PATH is a socket file name (relative: to RUNDIR).
 * Connects, waiting at most TIMEOUT_MS (negative: no limit); returns 0 or
 * an errno value. */
int unixctl_client_create(const char *path, long long int timeout_ms,
                          struct jsonrpc **clientp);
/* Runs COMMAND with the ARGC arguments ARGV on CLIENT and waits for its
 * answer.  Returns 0 if the server answered, with either '*result' (the
 * command's output) or '*error' (its error message) set to a malloc'd
 * string and the other NULL; or returns an errno value for a transport
 * failure (with both NULL). */
int unixctl_client_transact(struct jsonrpc *client, const char *command,
                            int argc, const char *const argv[],
                            char **result, char **error);

#endif /* unixctl.h */
