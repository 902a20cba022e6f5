/*
 * dpdk: DPDK's environment abstraction layer (EAL) inside plx-vswitchd.
 *
 * DPDK is started from the database, with Open vSwitch's knobs in the
 * Open_vSwitch table's other_config column:
 *
 *     dpdk-init           "true" (or "try") starts DPDK; anything else
 *                         leaves it off
 *     dpdk-lcore-mask     hexadecimal core mask for DPDK's own lcores
 *                         (-c); by default the first core this process
 *                         may run on (-l N)
 *     dpdk-socket-mem     memory to preallocate per NUMA socket, in MB
 *                         ("1024" or "1024,0"; --socket-mem)
 *     dpdk-socket-limit   upper limit per socket (--socket-limit)
 *     dpdk-hugepage-dir   the hugetlbfs mount to use (--huge-dir)
 *     dpdk-extra          further EAL arguments, separated by white
 *                         space; an option given here wins over the
 *                         dedicated key above
 *
 * Plexus adds "--in-memory" (no files under /var/run/dpdk, so several
 * switches and DPDK programs can run side by side; with --no-huge, which
 * excludes it, "--no-shconf") unless dpdk-extra names --in-memory,
 * --file-prefix or --proc-type, and
 * "--no-telemetry" unless it names a telemetry option.
 *
 * The EAL can be initialized once per process: dpdk_configure() acts on
 * the first configuration with dpdk-init set, and afterwards only says
 * (in the log) that changes need a restart.  Failure is not fatal, as
 * with dpdk-init=try in Open vSwitch: the reason is kept (the EAL's own
 * error message, or ours when hugepages are needed but none are free,
 * which the EAL would otherwise report less plainly), the Open_vSwitch
 * row says dpdk_initialized=false, and every "dpdk" interface carries
 * the reason in its error column, while everything else keeps working.
 * rte_eal_init() pins the calling thread to DPDK's main lcore; the main
 * thread's CPU affinity is restored afterwards, so only the PMD threads
 * are pinned.
 *
 * The EAL's log goes to the vlog module "dpdk".
 *
 * Threads.  dpdk_configure(), dpdk_is_initialized(), dpdk_init_error()
 * and dpdk_get_version() are for the main thread.  Any thread that calls
 * into DPDK's data path (a PMD thread receiving or sending) calls
 * dpdk_thread_register() first: it gives the thread an lcore id, so that
 * DPDK's per-lcore mempool caches serve it, once, and releases it when
 * the thread exits.
 *
 * In a build without DPDK the same functions exist: dpdk_configure()
 * then logs that DPDK is not supported when dpdk-init asks for it.
 */
#ifndef PLX_DPDK_H
#define PLX_DPDK_H 1

#include <stdbool.h>
#include <stddef.h>

struct smap;

void dpdk_configure(const struct smap *ovs_other_config);
bool dpdk_is_initialized(void);
/* Why DPDK is not initialized although it was asked to be, or NULL. */
const char *dpdk_init_error(void);
/* "DPDK 22.11.11", or NULL in a build without DPDK. */
const char *dpdk_get_version(void);
void dpdk_thread_register(void);

/* EAL arguments for OTHER_CONFIG, as dpdk_configure() uses them.
 * Returns 0 and stores a malloc'd, NULL-terminated argv (free with
 * dpdk_free_args()) in *ARGVP and its length in *ARGCP; or returns
 * EINVAL with a malloc'd message in *ERRP (malformed lcore mask, socket
 * memory or hugepage directory).  Pure: touches nothing outside. */
int dpdk_build_args(const struct smap *other_config, int *argcp,
                    char ***argvp, char **errp);
void dpdk_free_args(char **argv);

#endif /* dpdk.h */
