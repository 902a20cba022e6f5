/* unixctl-client: one command on a daemon's control socket; see
 * unixctl-client.h. */
#include <config.h>
#include "unixctl-client.h"

#include <errno.h>
#include "daemon.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "unixctl.h"

char *
unixctl_client_target_to_socket(const char *target, char **socketp)
{
    char *pidfile;
    pid_t pid;

    *socketp = NULL;
    if (!target[0]) {
        return xstrdup("empty target name");
    }
    if (strchr(target, '/')) {
        *socketp = xstrdup(target);
        return NULL;
    }

    pidfile = xasprintf("%s/%s.pid", plx_rundir(), target);
    pid = daemon_read_pidfile(pidfile);
    if (pid < 0) {
        char *msg = xasprintf("cannot read pidfile \"%s\" (is %s running?)"
                              ": %s", pidfile, target,
                              pid == -ESRCH
                              ? "stale pid file, no process holds it"
                              : plx_strerror(-pid));
        free(pidfile);
        return msg;
    }
    free(pidfile);
    *socketp = xasprintf("%s/%s.%ld.ctl", plx_rundir(), target,
                         (long int) pid);
    return NULL;
}

char *
unixctl_client_run(const char *socket_name, long long int timeout_ms,
                   const char *command, int argc, const char *const argv[],
                   char **result, char **error)
{
    struct jsonrpc *client;
    int retval;

    *result = NULL;
    *error = NULL;
    retval = unixctl_client_create(socket_name, timeout_ms, &client);
    if (retval) {
        return xasprintf("cannot connect to \"%s\": %s", socket_name,
                         plx_strerror(retval));
    }

    retval = unixctl_client_transact(client, command, argc, argv,
                                     result, error);
    jsonrpc_close(client);
    if (retval) {
        return xasprintf("\"%s\": transaction error running %s: %s",
                         socket_name, command, plx_strerror(retval));
    }
    return NULL;
}
