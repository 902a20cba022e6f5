/*
 * vlog-unixctl: runtime control of logging through the control socket.
 *
 * Registers, as ovs-appctl knows them:
 *
 *     vlog/set SPEC...    set levels: each SPEC is what --verbose takes,
 *                         "module[:destination][:level]" ("ANY" for all)
 *     vlog/list           show every module's level per destination
 *     vlog/reopen         reopen the log file (after log rotation)
 *
 * unixctl_server_create() calls vlog_unixctl_register(), so every daemon
 * with a control socket has these; calling it again does nothing more.
 */
#ifndef PLX_VLOG_UNIXCTL_H
#define PLX_VLOG_UNIXCTL_H 1

void vlog_unixctl_register(void);

#endif /* vlog-unixctl.h */
