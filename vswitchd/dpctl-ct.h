/*
 * dpctl-ct: the conntrack commands of the dpctl/ unixctl family (see
 * dpctl-ct.c for the list), registered by plx-vswitchd.
 */
#ifndef PLX_DPCTL_CT_H
#define PLX_DPCTL_CT_H 1

#include <stdbool.h>

struct unixctl_conn;

void dpctl_ct_register_commands(void);

/* Checks that a dpctl command's datapath argument NAME names the
 * switch's datapath; replies with an error and returns false if not
 * (plx-vswitchd.c). */
bool dpctl_check_dp(struct unixctl_conn *, const char *name);

#endif /* dpctl-ct.h */
