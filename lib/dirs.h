/*
 * dirs: where Plexus keeps its files.
 *
 * Each directory has a configured default, and an environment variable
 * that overrides it (as Open vSwitch's OVS_RUNDIR and friends do), so
 * that tests and the sandbox can point a whole set of daemons and tools
 * at a temporary directory:
 *
 *     function          variable          default
 *     plx_rundir()      PLX_RUNDIR        PLX_RUNDIR from configure
 *                                         (else /var/run/plexus)
 *     plx_dbdir()       PLX_DBDIR         /var/lib/plexus
 *     plx_logdir()      PLX_LOGDIR        /var/log/plexus
 *     plx_pkgdatadir()  PLX_PKGDATADIR    /usr/share/plexus
 *     plx_sysconfdir()  PLX_SYSCONFDIR    /etc
 *
 * The defaults other than the run directory may be set at build time
 * with -DPLX_DBDIR="..." etc.  An empty variable counts as unset.  The
 * environment is read on every call (nothing is cached), so the returned
 * string is valid until the environment changes.
 */
#ifndef PLX_DIRS_H
#define PLX_DIRS_H 1

const char *plx_rundir(void);       /* Pid files, control sockets. */
const char *plx_dbdir(void);        /* Database files. */
const char *plx_logdir(void);       /* Log files. */
const char *plx_pkgdatadir(void);   /* Schemas and other data. */
const char *plx_sysconfdir(void);   /* Configuration files. */

#endif /* dirs.h */
