/* vlog-unixctl: the vlog/... control commands. */
#include <config.h>
#include "vlog-unixctl.h"

#include <limits.h>
#include "unixctl.h"
#include "vlog.h"

static void
vlog_unixctl_set(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux PLX_UNUSED)
{
    /* vlog parses and applies a SPEC in one step, so SPECs before a bad
     * one stay applied; the error names the bad one. */
    for (int i = 1; i < argc; i++) {
        char *error = vlog_set_levels_from_string(argv[i]);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }
    unixctl_command_reply(conn, NULL);
}

static void
vlog_unixctl_list(struct unixctl_conn *conn, int argc PLX_UNUSED,
                  const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    char *levels = vlog_get_levels();
    unixctl_command_reply(conn, levels);
    free(levels);
}

static void
vlog_unixctl_reopen(struct unixctl_conn *conn, int argc PLX_UNUSED,
                    const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    int error = vlog_reopen_log_file();
    if (error) {
        char *msg = xasprintf("could not reopen log file: %s",
                              plx_strerror(error));
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

void
vlog_unixctl_register(void)
{
    unixctl_command_register("vlog/set", "SPEC...", 1, INT_MAX,
                             vlog_unixctl_set, NULL);
    unixctl_command_register("vlog/list", "", 0, 0, vlog_unixctl_list,
                             NULL);
    unixctl_command_register("vlog/reopen", "", 0, 0, vlog_unixctl_reopen,
                             NULL);
}
