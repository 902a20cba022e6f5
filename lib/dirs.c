/* dirs: configured directories with environment overrides.  See dirs.h. */
#include <config.h>
#include "dirs.h"

#include <stdlib.h>

#ifndef PLX_RUNDIR
#define PLX_RUNDIR "/var/run/plexus"
#endif
#ifndef PLX_DBDIR
#define PLX_DBDIR "/var/lib/plexus"
#endif
#ifndef PLX_LOGDIR
#define PLX_LOGDIR "/var/log/plexus"
#endif
#ifndef PLX_PKGDATADIR
#define PLX_PKGDATADIR "/usr/share/plexus"
#endif
#ifndef PLX_SYSCONFDIR
#define PLX_SYSCONFDIR "/etc"
#endif

/* Returns the value of environment variable NAME if it is set and
 * nonempty, otherwise DEFAULT_VALUE (or the fallback if that is empty,
 * as when configure substituted nothing). */
static const char *
dir_from_env(const char *name, const char *default_value,
             const char *fallback)
{
    const char *value = getenv(name);
    if (value && *value) {
        return value;
    }
    return *default_value ? default_value : fallback;
}

const char *
plx_rundir(void)
{
    return dir_from_env("PLX_RUNDIR", PLX_RUNDIR, "/var/run/plexus");
}

const char *
plx_dbdir(void)
{
    return dir_from_env("PLX_DBDIR", PLX_DBDIR, "/var/lib/plexus");
}

const char *
plx_logdir(void)
{
    return dir_from_env("PLX_LOGDIR", PLX_LOGDIR, "/var/log/plexus");
}

const char *
plx_pkgdatadir(void)
{
    return dir_from_env("PLX_PKGDATADIR", PLX_PKGDATADIR,
                        "/usr/share/plexus");
}

const char *
plx_sysconfdir(void)
{
    return dir_from_env("PLX_SYSCONFDIR", PLX_SYSCONFDIR, "/etc");
}
