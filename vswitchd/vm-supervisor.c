/* vm-supervisor: plx-vswitchd's plx-vm processes (see vm-supervisor.h). */
#include <config.h>
#include "vswitchd/vm-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "datapath/netdev.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "hash.h"
#include "hmap.h"
#include "list.h"
#include "ovsdb/ovsdb-idl.h"
#include "packets.h"
#include "poll-loop.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"
#include "vswitchd/vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(vm_supervisor);

#define VM_RUNNING_MS 500           /* Alive this long: "running". */
#define VM_BACKOFF_MIN_MS 1000
#define VM_BACKOFF_MAX_MS 30000
#define VM_BACKOFF_RESET_MS 60000   /* Uptime that resets the backoff. */
/* SIGTERM, then SIGKILL: longer than the 10 s plx-vm itself gives a
 * guest to power off before stopping it, so that it normally ends by
 * itself and cleans up. */
#define VM_STOP_TIMEOUT_MS 12000
#define VM_CONSOLE_TAIL 8192        /* Bytes vm/console prints. */
#define VM_NAME_MAX 64

#define VM_DEFAULT_MEMORY_MB 256
#define VM_DEFAULT_CPUS 1

/* One NIC: a "vm" Interface bound to the VM. */
struct vm_nic {
    char *name;                     /* Interface name. */
    struct eth_addr mac;            /* Guest NIC's address. */
};

enum vm_restart {
    VM_RESTART_NEVER,
    VM_RESTART_ON_FAILURE,
    VM_RESTART_ALWAYS,
};

struct vm {
    struct hmap_node node;          /* In 'vms', by name. */
    struct plx_list dying_node;     /* In 'dying', once the row is gone. */
    char *name;
    const struct vswitchrec_vm *cfg;    /* NULL once the row is gone. */

    /* Configuration as last seen (copied by every reconfiguration, so
     * that starts and exits never read a row the IDL may have freed). */
    char *kernel;                   /* "": none. */
    char *initrd;                   /* NULL: none. */
    char *cmdline;                  /* NULL: none. */
    char *console;                  /* Console log file. */
    bool hugepages;                 /* Guest RAM in 2 MiB hugepages. */
    int64_t memory_mb;
    int64_t cpus;
    enum vm_restart restart;
    struct vm_nic *nics;            /* Sorted by name. */
    size_t n_nics;
    char *fingerprint;              /* Row and NICs, to notice changes. */
    bool attempted;                 /* A start was attempted. */

    /* The process. */
    pid_t pid;                      /* 0: none. */
    long long int started_ms;       /* time_msec() of the last start. */
    time_t started_wall;            /* 0: never started. */
    bool running;                   /* Alive for VM_RUNNING_MS. */
    char **run_nics;                /* NICs it was started with. */
    size_t n_run_nics;
    long long int kill_at;          /* Stopping: when to SIGKILL. */
    bool killed;                    /* SIGKILL sent. */

    /* Lifecycle. */
    long long int next_start;       /* LLONG_MAX: none scheduled. */
    int backoff_ms;                 /* Delay of the next restart. */
    unsigned int restarts;
    bool failed;                    /* Not running: "failed", not
                                     * "stopped". */
    const char *exit_reason;        /* Of the last exit; NULL: none. */
    int exit_status;                /* -1: none. */
    int exit_signal;                /* -1: none. */
    char *error;                    /* For the 'error' column. */
};

static struct ovsdb_idl *idl;
static vm_supervisor_netdev_func *lookup_netdev;
static struct hmap vms = HMAP_INITIALIZER(&vms);
static struct plx_list dying = PLX_LIST_INITIALIZER(&dying);
static char *binary_config;         /* Open_vSwitch other_config:vm-binary. */
static bool db_dirty;
static int sigchld_fds[2] = { -1, -1 };

/* Every live child's pid, for the fatal-signal hook, which may run in
 * any thread. */
static pthread_mutex_t children_mutex = PTHREAD_MUTEX_INITIALIZER;
static pid_t *children;
static size_t n_children, allocated_children;

static void vm_stop_pids(const pid_t *, size_t);
static void vm_read_config(struct vm *, const struct vswitchrec_vm *);

/* ------------------------------------------------------------------ */
/* Children and signals. */

static void
children_add(pid_t pid)
{
    pthread_mutex_lock(&children_mutex);
    if (n_children >= allocated_children) {
        allocated_children = 2 * allocated_children + 4;
        children = xrealloc(children, allocated_children * sizeof *children);
    }
    children[n_children++] = pid;
    pthread_mutex_unlock(&children_mutex);
}

static void
children_remove(pid_t pid)
{
    pthread_mutex_lock(&children_mutex);
    for (size_t i = 0; i < n_children; i++) {
        if (children[i] == pid) {
            children[i] = children[--n_children];
            break;
        }
    }
    pthread_mutex_unlock(&children_mutex);
}

static void
sigchld_handler(int sig PLX_UNUSED)
{
    int save_errno = errno;
    ssize_t retval PLX_UNUSED = write(sigchld_fds[1], "", 1);
    errno = save_errno;
}

/* A fatal signal to plx-vswitchd: stop the VMs before dying. */
static void
vm_fatal_hook(void *aux PLX_UNUSED)
{
    pthread_mutex_lock(&children_mutex);
    size_t n = n_children;
    pid_t *pids = xmemdup(children, n * sizeof *pids);
    pthread_mutex_unlock(&children_mutex);

    vm_stop_pids(pids, n);
    free(pids);
}

/* SIGTERM to every pid, SIGKILL to those still there after
 * VM_STOP_TIMEOUT_MS; reaps them all.  Blocks. */
static void
vm_stop_pids(const pid_t *pids, size_t n)
{
    bool *gone = xcalloc(n ? n : 1, sizeof *gone);
    long long int deadline = time_msec() + VM_STOP_TIMEOUT_MS;
    size_t left = n;

    for (size_t i = 0; i < n; i++) {
        kill(pids[i], SIGTERM);
    }
    while (left) {
        for (size_t i = 0; i < n; i++) {
            if (!gone[i]) {
                pid_t r = waitpid(pids[i], NULL, WNOHANG);
                if (r == pids[i] || (r < 0 && errno == ECHILD)) {
                    gone[i] = true;
                    left--;
                }
            }
        }
        if (!left || time_msec() >= deadline) {
            break;
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (!gone[i]) {
            VLOG_WARN("plx-vm pid %ld did not stop within %d ms, killing "
                      "it", (long) pids[i], VM_STOP_TIMEOUT_MS);
            kill(pids[i], SIGKILL);
            while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR) {
                continue;
            }
        }
        children_remove(pids[i]);
    }
    free(gone);
}

/* ------------------------------------------------------------------ */
/* Starting plx-vm. */

/* Moves FD to a descriptor >= MIN, close-on-exec; returns it or -1. */
static int
stage_fd(int fd, int min)
{
    if (fd < 0) {
        return -1;
    }
    int staged = fcntl(fd, F_DUPFD_CLOEXEC, min);
    close(fd);
    return staged;
}

/* In the child: only async-signal-safe calls from here on. */
static void PLX_NO_RETURN
vm_child(const char *binary, char **argv, const int *nic_fds, size_t n,
         int null_fd, int log_fd, int err_fd, pid_t parent)
{
    struct sigaction sa;
    sigset_t none;
    int err_at = 3 + (int) n;

    /* Default dispositions before unblocking anything: a signal that
     * arrives before execv() must not run plx-vswitchd's handlers. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &sa, NULL);
        }
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
        _exit(127);
    }

    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    for (size_t i = 0; i < n; i++) {
        dup2(nic_fds[i], 3 + (int) i);
    }
    dup2(err_fd, err_at);
    fcntl(err_at, F_SETFD, FD_CLOEXEC);
    if (syscall(SYS_close_range, (unsigned int) err_at + 1, ~0U, 0)) {
        for (int fd = err_at + 1; fd < 65536; fd++) {
            close(fd);
        }
    }

    execv(binary, argv);
    int error = errno;
    ssize_t retval PLX_UNUSED = write(err_at, &error, sizeof error);
    _exit(127);
}

/* Starts BINARY with ARGV and NIC_FDS[i] as descriptor 3 + i, standard
 * output and error appended to LOG_PATH.  Returns 0 and the pid in *PIDP,
 * or an errno value: of fork(), or of execve() in the child (then
 * *EXEC_FAILEDP is true).  Closes NIC_FDS in any case. */
static int
vm_spawn(const char *binary, char **argv, int *nic_fds, size_t n,
         const char *log_path, pid_t *pidp, bool *exec_failedp)
{
    int min = 3 + (int) n + 1;      /* Above every fixed child fd. */
    int pipe_fds[2] = { -1, -1 };
    int null_fd, log_fd, error = 0;

    *pidp = 0;
    *exec_failedp = false;
    for (size_t i = 0; i < n; i++) {
        nic_fds[i] = stage_fd(nic_fds[i], min);
        if (nic_fds[i] < 0 && !error) {
            error = errno;
        }
    }
    null_fd = stage_fd(open("/dev/null", O_RDWR | O_CLOEXEC), min);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                  0640);
    if (log_fd < 0) {
        VLOG_WARN("could not open %s (%s), plx-vm output is lost",
                  log_path, plx_strerror(errno));
        log_fd = null_fd >= 0 ? dup(null_fd) : -1;
    }
    log_fd = stage_fd(log_fd, min);
    if (pipe2(pipe_fds, O_CLOEXEC)) {
        pipe_fds[0] = pipe_fds[1] = -1;
    }
    pipe_fds[0] = stage_fd(pipe_fds[0], min);
    pipe_fds[1] = stage_fd(pipe_fds[1], min);
    if (!error && (null_fd < 0 || log_fd < 0 || pipe_fds[0] < 0
                   || pipe_fds[1] < 0)) {
        error = errno ? errno : EMFILE;
    }

    if (!error) {
        pid_t parent = getpid();
        pid_t pid = fork();
        if (!pid) {
            vm_child(binary, argv, nic_fds, n, null_fd, log_fd,
                     pipe_fds[1], parent);
        } else if (pid < 0) {
            error = errno;
        } else {
            int child_errno;
            ssize_t r;

            close(pipe_fds[1]);
            pipe_fds[1] = -1;
            do {
                r = read(pipe_fds[0], &child_errno, sizeof child_errno);
            } while (r < 0 && errno == EINTR);
            if (r == sizeof child_errno) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
                    continue;
                }
                error = child_errno;
                *exec_failedp = true;
            } else {
                *pidp = pid;
            }
        }
    }

    for (size_t i = 0; i < n; i++) {
        if (nic_fds[i] >= 0) {
            close(nic_fds[i]);
        }
    }
    int others[] = { null_fd, log_fd, pipe_fds[0], pipe_fds[1] };
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        if (others[i] >= 0) {
            close(others[i]);
        }
    }
    return error;
}

/* The plx-vm binary (see vm-supervisor.h), malloc'd, or NULL. */
static char *
vm_find_binary(void)
{
    if (binary_config && binary_config[0]) {
        return xstrdup(binary_config);
    }
    const char *env = getenv("PLX_VM");
    if (env && env[0]) {
        return xstrdup(env);
    }

    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        return NULL;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) {
        return NULL;
    }
    *slash = '\0';

    static const char *const candidates[] = {
        "plx-vm", "../bin/plx-vm", "../vmm/plx-vm",
    };
    for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
        char *path = xasprintf("%s/%s", exe, candidates[i]);
        if (!access(path, X_OK)) {
            return path;
        }
        free(path);
    }
    return NULL;
}

static bool
vm_name_is_valid(const char *name)
{
    size_t len = strlen(name);

    if (!len || len > VM_NAME_MAX || name[0] == '.' || name[0] == '-') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '/') {
            return false;
        }
    }
    return true;
}


/* Checks the row; returns NULL or a malloc'd error. */
static char *
vm_check_config(const struct vm *vm)
{
    if (!vm_name_is_valid(vm->name)) {
        return xasprintf("invalid VM name \"%s\" (1 to %d printable "
                         "characters, no \"/\", not starting with \".\" "
                         "or \"-\")", vm->name, VM_NAME_MAX);
    }
    if (!vm->kernel[0]) {
        return xstrdup("no kernel");
    }
    size_t max = sizeof ((struct sockaddr_un *) NULL)->sun_path;
    if (strlen(plx_rundir()) + strlen(vm->name)
        + sizeof "/plx-vm..console.sock" >= max) {
        return xasprintf("run directory %s and VM name %s are too long for "
                         "a socket name", plx_rundir(), vm->name);
    }
    return NULL;
}

static void
vm_set_error(struct vm *vm, char *error)
{
    free(vm->error);
    vm->error = error;
    db_dirty = true;
}

static void
vm_free_run_nics(struct vm *vm)
{
    for (size_t i = 0; i < vm->n_run_nics; i++) {
        free(vm->run_nics[i]);
    }
    free(vm->run_nics);
    vm->run_nics = NULL;
    vm->n_run_nics = 0;
}

/* A start that did not get as far as a running process.  RETRY: the
 * cause may go away by itself (fork or fd limits, a binary being
 * upgraded), so try again with the usual backoff, unless the restart
 * policy is "never"; a configuration error waits for the row to change. */
static void
vm_start_failed(struct vm *vm, const char *reason, char *error, bool retry)
{
    VLOG_WARN("VM %s: %s", vm->name, error);
    if (retry && vm->restart != VM_RESTART_NEVER) {
        vm->next_start = time_msec() + vm->backoff_ms;
        VLOG_INFO("VM %s: trying again in %d ms", vm->name, vm->backoff_ms);
        vm->backoff_ms = MIN(2 * vm->backoff_ms, VM_BACKOFF_MAX_MS);
    }
    vm->failed = true;
    vm->exit_reason = reason;
    vm->exit_status = -1;
    vm->exit_signal = -1;
    vm_free_run_nics(vm);
    vm_set_error(vm, error);
}

static void
vm_start(struct vm *vm)
{
    vm->next_start = LLONG_MAX;
    if (vm->attempted) {
        vm->restarts++;
    }
    vm->attempted = true;
    db_dirty = true;

    char *error = vm_check_config(vm);
    if (error) {
        vm_start_failed(vm, NULL, error, false);
        return;
    }
    char *binary = vm_find_binary();
    if (!binary) {
        vm_start_failed(vm, "exec-failed", xstrdup(
                            "cannot find plx-vm (set other_config:vm-binary "
                            "in the Open_vSwitch table, or $PLX_VM)"),
                        false);
        return;
    }

    char *console_sock = xasprintf("%s/%s.console.sock", plx_rundir(),
                                   vm->name);
    char *ctl = xasprintf("%s/plx-vm.%s.ctl", plx_rundir(), vm->name);
    char *log_path = xasprintf("%s/plx-vm.%s.log", plx_logdir(), vm->name);
    char **argv = xmalloc((24 + 2 * vm->n_nics) * sizeof *argv);
    int *fds = xmalloc((vm->n_nics + 1) * sizeof *fds);
    size_t n_fds = 0, argc = 0;

    vm_free_run_nics(vm);
    vm->run_nics = xmalloc((vm->n_nics + 1) * sizeof *vm->run_nics);

    argv[argc++] = xstrdup(binary);
    argv[argc++] = xstrdup("--name");
    argv[argc++] = xstrdup(vm->name);
    argv[argc++] = xstrdup("--kernel");
    argv[argc++] = xstrdup(vm->kernel);
    if (vm->initrd) {
        argv[argc++] = xstrdup("--initrd");
        argv[argc++] = xstrdup(vm->initrd);
    }
    if (vm->cmdline) {
        argv[argc++] = xstrdup("--cmdline");
        argv[argc++] = xstrdup(vm->cmdline);
    }
    argv[argc++] = xstrdup("--memory");
    argv[argc++] = xasprintf("%"PRId64, vm->memory_mb);
    argv[argc++] = xstrdup("--cpus");
    argv[argc++] = xasprintf("%"PRId64, vm->cpus);
    if (vm->hugepages) {
        argv[argc++] = xstrdup("--hugepages");
    }
    for (size_t i = 0; i < vm->n_nics; i++) {
        const struct vm_nic *nic = &vm->nics[i];
        struct netdev *netdev = lookup_netdev(nic->name);
        int fd;

        if (!netdev) {
            VLOG_WARN("VM %s: interface %s has no port (see its 'error' "
                      "column), starting without it", vm->name, nic->name);
            continue;
        }
        int retval = netdev_vhost_vm_connect(netdev, &fd);
        if (retval) {
            VLOG_WARN("VM %s: could not connect interface %s (%s), "
                      "starting without it", vm->name, nic->name,
                      plx_strerror(retval));
            continue;
        }
        argv[argc++] = xstrdup("--net");
        argv[argc++] = xasprintf("vhost-user,fd=%zu,mac="ETH_ADDR_FMT,
                                 3 + n_fds, ETH_ADDR_ARGS(nic->mac));
        fds[n_fds++] = fd;
        vm->run_nics[vm->n_run_nics++] = xstrdup(nic->name);
    }
    argv[argc++] = xstrdup("--console-log");
    argv[argc++] = xstrdup(vm->console);
    argv[argc++] = xstrdup("--console-socket");
    argv[argc++] = xstrdup(console_sock);
    argv[argc++] = xstrdup("--unixctl");
    argv[argc++] = xstrdup(ctl);
    argv[argc] = NULL;

    /* Leftovers of a plx-vm that did not exit cleanly. */
    unlink(console_sock);
    unlink(ctl);

    pid_t pid;
    bool exec_failed;
    int retval = vm_spawn(binary, argv, fds, n_fds, log_path, &pid,
                          &exec_failed);
    if (retval) {
        vm_start_failed(vm, exec_failed ? "exec-failed" : NULL,
                        xasprintf("could not %s %s (%s)",
                                  exec_failed ? "execute" : "start",
                                  binary, plx_strerror(retval)),
                        retval != ENOENT && retval != EACCES
                        && retval != ENOEXEC);
    } else {
        vm->pid = pid;
        vm->started_ms = time_msec();
        vm->started_wall = time_wall();
        vm->running = false;
        vm->failed = false;
        children_add(pid);

        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < argc; i++) {
            ds_put_format(&s, " %s", argv[i]);
        }
        VLOG_INFO("VM %s: started plx-vm, pid %ld:%s", vm->name,
                  (long) pid, ds_cstr(&s));
        ds_destroy(&s);
    }

    for (size_t i = 0; i < argc; i++) {
        free(argv[i]);
    }
    free(argv);
    free(fds);
    free(log_path);
    free(ctl);
    free(console_sock);
    free(binary);
}

/* ------------------------------------------------------------------ */
/* Exits. */

static enum vm_restart
vm_restart_policy(const struct vm *vm, const struct smap *other_config)
{
    const char *s = smap_get(other_config, "restart");

    if (!s || !s[0] || !strcmp(s, "on-failure")) {
        return VM_RESTART_ON_FAILURE;
    } else if (!strcmp(s, "never")) {
        return VM_RESTART_NEVER;
    } else if (!strcmp(s, "always")) {
        return VM_RESTART_ALWAYS;
    }
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    VLOG_WARN_RL(&rl, "VM %s: unknown other_config:restart=%s, using "
                 "on-failure", vm->name, s);
    return VM_RESTART_ON_FAILURE;
}

/* The exit_reason for plx-vm's exit status CODE (vmm/README.md). */
static const char *
vm_exit_reason(int code)
{
    static const char *const reasons[] = {
        "shutdown", "failed", "reset", "crashed", "stopped", "guest-failed",
    };
    return (code >= 0 && code < (int) ARRAY_SIZE(reasons) ? reasons[code]
            : "failed");
}

static void
vm_exited(struct vm *vm, int wstatus)
{
    long long int uptime = time_msec() - vm->started_ms;
    bool clean = false, reset = false;
    char *error = NULL;

    children_remove(vm->pid);
    if (WIFEXITED(wstatus)) {
        int code = WEXITSTATUS(wstatus);

        vm->exit_reason = vm_exit_reason(code);
        vm->exit_status = code;
        vm->exit_signal = -1;
        clean = code == 0 || code == 4;
        reset = code == 2;
        if (!clean && !reset) {
            error = xasprintf("plx-vm exited with status %d (%s)", code,
                              vm->exit_reason);
        }
    } else {
        int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;

        vm->exit_reason = "killed";
        vm->exit_status = -1;
        vm->exit_signal = sig;
        error = xasprintf("plx-vm was killed by signal %d (%s)", sig,
                          strsignal(sig));
    }
    VLOG_WARN("VM %s: plx-vm (pid %ld) exited after %lld ms: %s (%s %d)",
              vm->name, (long) vm->pid, uptime, vm->exit_reason,
              vm->exit_signal >= 0 ? "signal" : "status",
              vm->exit_signal >= 0 ? vm->exit_signal : vm->exit_status);
    vm->pid = 0;
    vm->running = false;
    vm->failed = !clean && !reset;
    if (error) {
        vm_set_error(vm, error);
    }
    db_dirty = true;

    if (vm->restart == VM_RESTART_ALWAYS
        || (vm->restart == VM_RESTART_ON_FAILURE && !clean)) {
        if (uptime >= VM_BACKOFF_RESET_MS) {
            vm->backoff_ms = VM_BACKOFF_MIN_MS;
        }
        vm->next_start = time_msec() + vm->backoff_ms;
        VLOG_INFO("VM %s: restarting in %d ms", vm->name, vm->backoff_ms);
        vm->backoff_ms = MIN(2 * vm->backoff_ms, VM_BACKOFF_MAX_MS);
    }
}

/* Reaps VM's process if it exited.  Returns true if it did. */
static bool
vm_reap(struct vm *vm, int *wstatusp)
{
    pid_t r;

    do {
        r = waitpid(vm->pid, wstatusp, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        /* Someone else reaped it (the fatal-signal hook): report it as
         * killed, a wait status of "terminated by SIGKILL". */
        *wstatusp = SIGKILL;
        return true;
    }
    return r == vm->pid;
}

/* ------------------------------------------------------------------ */
/* VMs. */

static struct vm *
vm_find(const char *name)
{
    struct vm *vm;

    HMAP_FOR_EACH_WITH_HASH (vm, node, hash_string(name, 0), &vms) {
        if (!strcmp(vm->name, name)) {
            return vm;
        }
    }
    return NULL;
}

static bool
vm_is_dying(const char *name)
{
    struct vm *vm;

    LIST_FOR_EACH (vm, dying_node, &dying) {
        if (!strcmp(vm->name, name)) {
            return true;
        }
    }
    return false;
}

static void
vm_clear_nics(struct vm *vm)
{
    for (size_t i = 0; i < vm->n_nics; i++) {
        free(vm->nics[i].name);
    }
    free(vm->nics);
    vm->nics = NULL;
    vm->n_nics = 0;
}

static struct vm *
vm_create(const struct vswitchrec_vm *cfg)
{
    struct vm *vm = xzalloc(sizeof *vm);

    vm->name = xstrdup(cfg->name);
    vm_read_config(vm, cfg);
    vm->fingerprint = xstrdup("");
    vm->next_start = time_msec();
    vm->backoff_ms = VM_BACKOFF_MIN_MS;
    vm->exit_status = -1;
    vm->exit_signal = -1;
    vm->error = cfg->error ? xstrdup(cfg->error) : NULL;
    hmap_insert(&vms, &vm->node, hash_string(vm->name, 0));
    db_dirty = true;
    return vm;
}

static void
vm_clear_config(struct vm *vm)
{
    free(vm->kernel);
    free(vm->initrd);
    free(vm->cmdline);
    free(vm->console);
    vm->kernel = vm->initrd = vm->cmdline = vm->console = NULL;
    vm_clear_nics(vm);
}

/* Copies what a start needs from the row. */
static void
vm_read_config(struct vm *vm, const struct vswitchrec_vm *cfg)
{
    const char *console = smap_get(&cfg->other_config, "console");

    vm_clear_config(vm);
    vm->cfg = cfg;
    vm->kernel = xstrdup(cfg->kernel ? cfg->kernel : "");
    vm->initrd = (cfg->initrd && cfg->initrd[0] ? xstrdup(cfg->initrd)
                  : NULL);
    vm->cmdline = cfg->cmdline ? xstrdup(cfg->cmdline) : NULL;
    vm->console = (console && console[0] ? xstrdup(console)
                   : xasprintf("%s/%s.console", plx_logdir(), vm->name));
    vm->memory_mb = (cfg->n_memory_mb ? cfg->memory_mb[0]
                     : VM_DEFAULT_MEMORY_MB);
    vm->cpus = cfg->n_cpus ? cfg->cpus[0] : VM_DEFAULT_CPUS;
    vm->restart = vm_restart_policy(vm, &cfg->other_config);
    vm->hugepages = smap_get_bool(&cfg->other_config, "hugepages", false);
}

static void
vm_destroy(struct vm *vm)
{
    vm_clear_config(vm);
    vm_free_run_nics(vm);
    free(vm->fingerprint);
    free(vm->error);
    free(vm->name);
    free(vm);
}

/* The VM row is gone: stop its process, if any, asynchronously. */
static void
vm_delete(struct vm *vm)
{
    hmap_remove(&vms, &vm->node);
    vm->cfg = NULL;
    if (!vm->pid) {
        VLOG_INFO("VM %s: deleted", vm->name);
        vm_destroy(vm);
        return;
    }
    VLOG_INFO("VM %s: deleted, stopping plx-vm (pid %ld)", vm->name,
              (long) vm->pid);
    kill(vm->pid, SIGTERM);
    vm->kill_at = time_msec() + VM_STOP_TIMEOUT_MS;
    plx_list_push_back(&dying, &vm->dying_node);
}

static const char *
vm_state(const struct vm *vm)
{
    if (vm->pid) {
        return vm->running ? "running" : "starting";
    } else if (vm->next_start != LLONG_MAX) {
        return "starting";
    }
    return vm->failed ? "failed" : "stopped";
}

/* A stable, locally administered unicast address for NIC IFACE of VM. */
static struct eth_addr
vm_default_mac(const char *vm, const char *iface)
{
    uint32_t h1 = hash_string(iface, hash_string(vm, 0));
    uint32_t h2 = hash_string(vm, hash_string(iface, h1));
    struct eth_addr ea;

    ea.ea[0] = ((h1 >> 24) & 0xfc) | 0x02;
    ea.ea[1] = h1 >> 16;
    ea.ea[2] = h1 >> 8;
    ea.ea[3] = h1;
    ea.ea[4] = h2 >> 8;
    ea.ea[5] = h2;
    return ea;
}

static struct eth_addr
vm_nic_mac(const char *vm, const struct vswitchrec_interface *cfg)
{
    struct eth_addr ea;

    if (cfg->mac && eth_addr_from_string(cfg->mac, &ea)
        && !eth_addr_is_multicast(ea) && !eth_addr_is_zero(ea)) {
        return ea;
    }
    return vm_default_mac(vm, cfg->name);
}

static int
compare_nics(const void *a_, const void *b_)
{
    const struct vm_nic *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

static char *
vm_fingerprint(const struct vm *vm)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s\n%s\n%s\n", vm->kernel,
                  vm->initrd ? vm->initrd : "",
                  vm->cmdline ? vm->cmdline : "");
    ds_put_format(&s, "%"PRId64" %"PRId64"\n", vm->memory_mb, vm->cpus);
    smap_format(&vm->cfg->other_config, &s);
    for (size_t i = 0; i < vm->n_nics; i++) {
        ds_put_format(&s, "\n%s "ETH_ADDR_FMT, vm->nics[i].name,
                      ETH_ADDR_ARGS(vm->nics[i].mac));
    }
    return ds_steal_cstr(&s);
}

/* ------------------------------------------------------------------ */
/* The bridge layer's interface. */

char *
vm_supervisor_check_nic(const struct vswitchrec_interface *cfg)
{
    const struct vswitchrec_vm *row;

    if (!cfg->type || strcmp(cfg->type, "vm")) {
        return NULL;
    }
    const char *name = smap_get(&cfg->options, "vm");
    if (!name || !name[0]) {
        return xasprintf("%s: an interface of type vm needs options:vm "
                         "(the name of a VM)", cfg->name);
    }
    VSWITCHREC_VM_FOR_EACH (row, idl) {
        if (!strcmp(row->name, name)) {
            return NULL;
        }
    }
    return xasprintf("no VM named %s", name);
}

bool
vm_supervisor_nic_ok(const struct vswitchrec_interface *cfg)
{
    char *error = vm_supervisor_check_nic(cfg);
    free(error);
    return !error;
}

void
vm_supervisor_reconfigure(const struct vswitchrec_open_vswitch *ovs)
{
    const char *binary = (ovs ? smap_get(&ovs->other_config, "vm-binary")
                          : NULL);
    bool binary_changed = (!binary != !binary_config
                           || (binary && strcmp(binary, binary_config)));
    if (binary_changed) {
        free(binary_config);
        binary_config = binary ? xstrdup(binary) : NULL;
    }

    /* Rows. */
    const struct vswitchrec_vm *row;
    struct sset seen = SSET_INITIALIZER(&seen);
    VSWITCHREC_VM_FOR_EACH (row, idl) {
        if (!sset_add(&seen, row->name)) {
            continue;
        }
        struct vm *vm = vm_find(row->name);
        if (!vm) {
            vm = vm_create(row);
        }
        vm_read_config(vm, row);
    }
    struct vm *vm;
    HMAP_FOR_EACH_SAFE (vm, node, &vms) {
        if (!sset_contains(&seen, vm->name)) {
            vm_delete(vm);
        }
    }
    sset_destroy(&seen);

    /* NICs. */
    const struct vswitchrec_interface *iface;
    VSWITCHREC_INTERFACE_FOR_EACH (iface, idl) {
        const char *vm_name = smap_get(&iface->options, "vm");
        if (iface->type && !strcmp(iface->type, "vm") && vm_name
            && (vm = vm_find(vm_name))) {
            vm->nics = xrealloc(vm->nics,
                                (vm->n_nics + 1) * sizeof *vm->nics);
            vm->nics[vm->n_nics].name = xstrdup(iface->name);
            vm->nics[vm->n_nics].mac = vm_nic_mac(vm_name, iface);
            vm->n_nics++;
        }
    }

    HMAP_FOR_EACH (vm, node, &vms) {
        if (vm->n_nics) {
            qsort(vm->nics, vm->n_nics, sizeof *vm->nics, compare_nics);
        }
        for (size_t i = 0; i < vm->n_nics; i++) {
            struct netdev *netdev = lookup_netdev(vm->nics[i].name);
            struct eth_addr ea;

            if (netdev && (netdev_get_etheraddr(netdev, &ea)
                           || !eth_addr_equals(ea, vm->nics[i].mac))) {
                netdev_set_etheraddr(netdev, vm->nics[i].mac);
            }
        }

        /* A VM that is not running starts again when its configuration
         * changes. */
        char *fp = vm_fingerprint(vm);
        if (strcmp(fp, vm->fingerprint) || binary_changed) {
            if (vm->attempted && !vm->pid
                && vm->next_start == LLONG_MAX) {
                VLOG_INFO("VM %s: configuration changed, starting it",
                          vm->name);
                vm->next_start = time_msec();
                vm->backoff_ms = VM_BACKOFF_MIN_MS;
                db_dirty = true;
            }
            free(vm->fingerprint);
            vm->fingerprint = fp;
        } else {
            free(fp);
        }
    }
}

bool
vm_supervisor_run(void)
{
    char buf[64];
    struct vm *vm;
    int wstatus;

    if (sigchld_fds[0] >= 0) {
        while (read(sigchld_fds[0], buf, sizeof buf) > 0) {
            continue;
        }
    }

    long long int now = time_msec();
    LIST_FOR_EACH_SAFE (vm, dying_node, &dying) {
        if (vm_reap(vm, &wstatus)) {
            children_remove(vm->pid);
            VLOG_INFO("VM %s: plx-vm (pid %ld) stopped", vm->name,
                      (long) vm->pid);
            plx_list_remove(&vm->dying_node);
            vm_destroy(vm);
        } else if (!vm->killed && now >= vm->kill_at) {
            VLOG_WARN("VM %s: plx-vm (pid %ld) did not stop within %d ms, "
                      "killing it", vm->name, (long) vm->pid,
                      VM_STOP_TIMEOUT_MS);
            kill(vm->pid, SIGKILL);
            vm->killed = true;
        }
    }

    HMAP_FOR_EACH (vm, node, &vms) {
        if (vm->pid && vm_reap(vm, &wstatus)) {
            vm_exited(vm, wstatus);
        }
        now = time_msec();
        if (vm->pid && !vm->running
            && now >= vm->started_ms + VM_RUNNING_MS) {
            vm->running = true;
            if (vm->error) {
                vm_set_error(vm, NULL);
            }
            db_dirty = true;
            VLOG_INFO("VM %s: running", vm->name);
        }
        if (!vm->pid && now >= vm->next_start && !vm_is_dying(vm->name)) {
            vm_start(vm);
        }
    }

    bool dirty = db_dirty;
    db_dirty = false;
    return dirty;
}

void
vm_supervisor_wait(void)
{
    struct vm *vm;

    if (sigchld_fds[0] >= 0) {
        poll_fd_wait(sigchld_fds[0], POLLIN);
    }
    LIST_FOR_EACH (vm, dying_node, &dying) {
        if (!vm->killed) {
            poll_timer_wait_until(vm->kill_at);
        }
    }
    HMAP_FOR_EACH (vm, node, &vms) {
        if (vm->pid && !vm->running) {
            poll_timer_wait_until(vm->started_ms + VM_RUNNING_MS);
        } else if (!vm->pid && vm->next_start != LLONG_MAX
                   && !vm_is_dying(vm->name)) {
            /* (A VM waiting for its namesake to die wakes on SIGCHLD.) */
            poll_timer_wait_until(vm->next_start);
        }
    }
}

void
vm_supervisor_write_status(void)
{
    struct vm *vm;

    HMAP_FOR_EACH (vm, node, &vms) {
        struct smap status = SMAP_INITIALIZER(&status);

        if (vm->pid) {
            smap_add_format(&status, "pid", "%ld", (long) vm->pid);
        }
        if (vm->started_wall) {
            smap_add_format(&status, "started", "%lld",
                            (long long int) vm->started_wall);
        }
        smap_add_format(&status, "restarts", "%u", vm->restarts);
        if (vm->console) {
            /* Where to read or attach to the guest's serial console. */
            smap_add(&status, "console", vm->console);
            smap_add_format(&status, "console_socket", "%s/%s.console.sock",
                            plx_rundir(), vm->name);
        }
        if (vm->exit_reason) {
            smap_add(&status, "exit_reason", vm->exit_reason);
        }
        if (vm->exit_status >= 0) {
            smap_add_format(&status, "exit_status", "%d", vm->exit_status);
        }
        if (vm->exit_signal >= 0) {
            smap_add_format(&status, "exit_signal", "%d", vm->exit_signal);
        }
        vswitchrec_vm_set_state(vm->cfg, vm_state(vm));
        vswitchrec_vm_set_status(vm->cfg, &status);
        vswitchrec_vm_set_error(vm->cfg, vm->error);
        smap_destroy(&status);
    }
}

/* ------------------------------------------------------------------ */
/* unixctl. */

static int
compare_vm_names(const void *a_, const void *b_)
{
    const struct vm *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
vm_unixctl_list(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[] PLX_UNUSED, void *aux PLX_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct vm **sorted = xmalloc((hmap_count(&vms) + 1) * sizeof *sorted);
    size_t n = 0;
    struct vm *vm;

    HMAP_FOR_EACH (vm, node, &vms) {
        sorted[n++] = vm;
    }
    qsort(sorted, n, sizeof *sorted, compare_vm_names);
    for (size_t i = 0; i < n; i++) {
        vm = sorted[i];
        ds_put_format(&s, "%s: state=%s", vm->name, vm_state(vm));
        if (vm->pid) {
            ds_put_format(&s, " pid=%ld", (long) vm->pid);
        }
        ds_put_cstr(&s, " nics=");
        char *const *names = vm->pid ? vm->run_nics : NULL;
        size_t n_names = vm->pid ? vm->n_run_nics : vm->n_nics;
        for (size_t j = 0; j < n_names; j++) {
            ds_put_format(&s, "%s%s", j ? "," : "",
                          names ? names[j] : vm->nics[j].name);
        }
        if (vm->error) {
            ds_put_format(&s, " error=\"%s\"", vm->error);
        }
        ds_put_char(&s, '\n');
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    free(sorted);
}

static void
vm_unixctl_console(struct unixctl_conn *conn, int argc PLX_UNUSED,
                   const char *argv[], void *aux PLX_UNUSED)
{
    struct vm *vm = vm_find(argv[1]);

    if (!vm) {
        char *msg = xasprintf("no VM named %s", argv[1]);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }

    const char *path = vm->console;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        char *msg = xasprintf("%s: %s", path, plx_strerror(errno));
        unixctl_command_reply_error(conn, msg);
        free(msg);
        if (fd >= 0) {
            close(fd);
        }
        return;
    }

    off_t start = st.st_size > VM_CONSOLE_TAIL ? st.st_size - VM_CONSOLE_TAIL
                                               : 0;
    char *buf = xmalloc(VM_CONSOLE_TAIL);
    size_t n = 0;
    while (n < VM_CONSOLE_TAIL) {
        ssize_t r = pread(fd, buf + n, VM_CONSOLE_TAIL - n, start + n);
        if (r < 0 && errno == EINTR) {
            continue;
        } else if (r <= 0) {
            break;
        }
        n += r;
    }
    close(fd);

    /* The reply is a JSON string: keep it printable ASCII. */
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = buf[i];
        if (c == '\n' || c == '\t' || (c >= ' ' && c < 0x7f)) {
            ds_put_char(&s, c);
        } else if (c != '\r') {
            ds_put_char(&s, '.');
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Setup and teardown. */

void
vm_supervisor_init(struct ovsdb_idl *idl_, vm_supervisor_netdev_func *f)
{
    idl = idl_;
    lookup_netdev = f;

    if (sigchld_fds[0] < 0) {
        if (pipe2(sigchld_fds, O_CLOEXEC | O_NONBLOCK)) {
            VLOG_FATAL("pipe failed (%s)", plx_strerror(errno));
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = sigchld_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        if (sigaction(SIGCHLD, &sa, NULL)) {
            VLOG_FATAL("sigaction(SIGCHLD) failed (%s)",
                       plx_strerror(errno));
        }
        fatal_signal_add_hook(vm_fatal_hook, NULL, false);
        unixctl_command_register("vm/list", "", 0, 0, vm_unixctl_list,
                                 NULL);
        unixctl_command_register("vm/console", "VM", 1, 1,
                                 vm_unixctl_console, NULL);
    }
}

void
vm_supervisor_exit(void)
{
    struct vm *vm;
    pid_t *pids = xmalloc((hmap_count(&vms) + plx_list_size(&dying) + 1)
                          * sizeof *pids);
    size_t n = 0;

    HMAP_FOR_EACH (vm, node, &vms) {
        if (vm->pid) {
            pids[n++] = vm->pid;
        }
    }
    LIST_FOR_EACH (vm, dying_node, &dying) {
        pids[n++] = vm->pid;
    }
    if (n) {
        VLOG_INFO("stopping %zu VM%s", n, n == 1 ? "" : "s");
    }
    vm_stop_pids(pids, n);
    free(pids);

    HMAP_FOR_EACH_POP (vm, node, &vms) {
        vm_destroy(vm);
    }
    LIST_FOR_EACH_POP (vm, dying_node, &dying) {
        vm_destroy(vm);
    }
    free(binary_config);
    binary_config = NULL;
    idl = NULL;
}
