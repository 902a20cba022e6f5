/*
 * plx-vm: one KVM virtual machine, its NICs wired to vhost-user backends.
 *
 * Reads its configuration from the command line (vmm/README.md), builds
 * the machine (vm.c), loads the guest (a Linux bzImage or vmlinux, or a
 * simple-entry ELF such as the test guest), creates the devices, runs
 * the vCPUs, and then serves its control socket, console socket and
 * signals in the main thread until the guest ends.  Its exit status says
 * how the guest ended (enum vm_exit_reason).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "command-line.h"
#include "daemon.h"
#include "dynamic-string.h"
#include "fatal-signal.h"
#include "poll-loop.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"
#include "vmm/boot-guest.h"
#include "vmm/console.h"
#include "vmm/layout.h"
#include "vmm/net-spec.h"
#include "vmm/pci.h"
#include "vmm/pm.h"
#include "vmm/uart.h"
#include "vmm/virtio-net-dev.h"
#include "vmm/vm.h"

VLOG_DEFINE_THIS_MODULE(plx_vm);

#define PLX_VM_MAX_NICS 16
#define PLX_VM_SHUTDOWN_GRACE_MS 10000
#define PLX_VM_MAX_IMAGE (512u << 20)

struct plx_vm_config {
    const char *name;
    const char *kernel;
    const char *initrd;
    const char *cmdline;
    uint64_t memory_mb;
    int cpus;
    bool hugepages;
    bool hide_cx16;
    struct net_spec nets[PLX_VM_MAX_NICS];
    size_t n_nets;
    const char *console_log;
    const char *console_socket;
    const char *unixctl_path;
};

struct plx_vm {
    struct plx_vm_config cfg;
    struct vm *vm;
    struct pci_bus *pci;
    struct uart *uart;
    struct pm *pm;
    struct console *console;
    struct virtio_net_dev *nics[PLX_VM_MAX_NICS];
    size_t n_nics;
    struct unixctl_server *unixctl;
    int signal_fd;
    long long int shutdown_deadline;    /* 0: no shutdown under way. */
    long long int started_msec;
};

/* ------------------------------------------------------------------ */
/* Command line. */

static void
usage(void) PLX_NO_RETURN;

static void
usage(void)
{
    printf("%s: run one virtual machine under KVM\n"
           "usage: %s --name NAME --kernel FILE [OPTIONS]\n"
           "\nGuest:\n"
           "  --kernel FILE        Linux bzImage or vmlinux, or a Plexus\n"
           "                       simple-entry ELF (tests/guest/plx-guest)\n"
           "  --initrd FILE        initial ramdisk (Linux)\n"
           "  --cmdline STRING     kernel command line\n"
           "  --memory MIB         guest RAM (default 256)\n"
           "  --cpus N             vCPUs (default 1)\n"
           "  --hugepages          back guest RAM with 2 MiB hugepages\n"
           "  --no-cx16            hide CMPXCHG16B (hosts whose KVM cannot\n"
           "                       emulate it, see Documentation/vm.md)\n"
           "\nNICs (virtio-net, in order):\n"
           "  --net vhost-user,path=SOCKET[,server][,mac=MAC][,queues=N]\n"
           "  --net vhost-user,fd=FD[,mac=MAC][,queues=N]\n"
           "\nConsole and control:\n"
           "  --console-log FILE   append the serial console to FILE\n"
           "  --console-socket PATH  serve the console on a unix socket\n"
           "  --unixctl PATH       control socket (default RUNDIR/"
           "plx-vm.NAME.ctl)\n"
           "  --pidfile[=FILE]     write a pid file\n"
           "  -v, --verbose[=SPEC] --log-file[=FILE]  logging\n"
           "  -h, --help           this help\n"
           "\nExit status: 0 powered off, 1 plx-vm failed, 2 reset, "
           "3 crashed,\n4 stopped, 5 guest reported failure.\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *valuep)
{
    char *end;

    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *valuep = v;
    return true;
}

static void
parse_options(int argc, char *argv[], struct plx_vm_config *cfg)
{
    enum {
        OPT_NAME = UCHAR_MAX + 1,
        OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_MEMORY, OPT_CPUS,
        OPT_HUGEPAGES, OPT_NO_CX16, OPT_NET, OPT_CONSOLE_LOG,
        OPT_CONSOLE_SOCKET, OPT_UNIXCTL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"name", required_argument, NULL, OPT_NAME},
        {"kernel", required_argument, NULL, OPT_KERNEL},
        {"initrd", required_argument, NULL, OPT_INITRD},
        {"cmdline", required_argument, NULL, OPT_CMDLINE},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"cpus", required_argument, NULL, OPT_CPUS},
        {"hugepages", no_argument, NULL, OPT_HUGEPAGES},
        {"no-cx16", no_argument, NULL, OPT_NO_CX16},
        {"net", required_argument, NULL, OPT_NET},
        {"console-log", required_argument, NULL, OPT_CONSOLE_LOG},
        {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = plx_cmdl_long_options_to_short_options(
        long_options);
    uint64_t v;

    cfg->memory_mb = 256;
    cfg->cpus = 1;
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_NAME:
            cfg->name = optarg;
            break;
        case OPT_KERNEL:
            cfg->kernel = optarg;
            break;
        case OPT_INITRD:
            cfg->initrd = optarg;
            break;
        case OPT_CMDLINE:
            cfg->cmdline = optarg;
            break;
        case OPT_MEMORY:
            if (!parse_u64(optarg, 16, 1048576, &v) || v % 2) {
                plx_fatal(0, "--memory %s: must be an even number of MiB "
                          "from 16 to 1048576", optarg);
            }
            cfg->memory_mb = v;
            break;
        case OPT_CPUS:
            if (!parse_u64(optarg, 1, VM_MAX_VCPUS, &v)) {
                plx_fatal(0, "--cpus %s: must be 1 to %d", optarg,
                          VM_MAX_VCPUS);
            }
            cfg->cpus = v;
            break;
        case OPT_HUGEPAGES:
            cfg->hugepages = true;
            break;
        case OPT_NO_CX16:
            cfg->hide_cx16 = true;
            break;
        case OPT_NET: {
            if (cfg->n_nets >= PLX_VM_MAX_NICS) {
                plx_fatal(0, "at most %d --net options", PLX_VM_MAX_NICS);
            }
            char *error = net_spec_parse(optarg, &cfg->nets[cfg->n_nets]);
            if (error) {
                plx_fatal(0, "%s", error);
            }
            cfg->n_nets++;
            break;
        }
        case OPT_CONSOLE_LOG:
            cfg->console_log = optarg;
            break;
        case OPT_CONSOLE_SOCKET:
            cfg->console_socket = optarg;
            break;
        case OPT_UNIXCTL:
            cfg->unixctl_path = optarg;
            break;
        case 'h':
            usage();
        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);
    if (optind < argc) {
        plx_fatal(0, "unexpected argument \"%s\" (use --help)", argv[optind]);
    }
    if (!cfg->name || !*cfg->name || strchr(cfg->name, '/')) {
        plx_fatal(0, "--name NAME is required (no '/' in it)");
    }
    if (!cfg->kernel) {
        plx_fatal(0, "--kernel FILE is required");
    }
}

/* ------------------------------------------------------------------ */
/* Files. */

/* Reads FILE whole into *DATAP, *SIZEP.  Returns NULL or an error. */
static char *
read_image(const char *what, const char *file, uint8_t **datap,
           size_t *sizep)
{
    *datap = NULL;
    *sizep = 0;

    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return xasprintf("%s %s: %s", what, file, plx_strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return xasprintf("%s %s: not a regular file", what, file);
    }
    if (st.st_size == 0 || st.st_size > PLX_VM_MAX_IMAGE) {
        close(fd);
        return xasprintf("%s %s: size %lld is not between 1 byte and "
                         "%u MiB", what, file, (long long) st.st_size,
                         PLX_VM_MAX_IMAGE >> 20);
    }
    uint8_t *data = xmalloc(st.st_size);
    size_t done = 0;
    while (done < (size_t) st.st_size) {
        ssize_t n = read(fd, data + done, st.st_size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        } else if (n <= 0) {
            int error = n < 0 ? errno : EIO;
            close(fd);
            free(data);
            return xasprintf("%s %s: %s", what, file,
                             n < 0 ? plx_strerror(error) : "short read");
        }
        done += n;
    }
    close(fd);
    *datap = data;
    *sizep = done;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Guest events. */

static void
plx_vm_pm_event(void *pvm_, enum pm_event event, uint8_t code)
{
    struct plx_vm *pvm = pvm_;
    char *detail;

    switch (event) {
    case PM_POWEROFF:
        vm_request_exit(pvm->vm, VM_EXIT_POWEROFF, "guest powered off");
        break;
    case PM_RESET:
        vm_request_exit(pvm->vm, VM_EXIT_RESET, "guest reset");
        break;
    case PM_EXIT_PORT:
        detail = xasprintf("guest exit port: %u", code);
        vm_request_exit(pvm->vm, code ? VM_EXIT_GUEST_FAILED
                                      : VM_EXIT_POWEROFF, detail);
        free(detail);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Control commands. */

static void
vm_unixctl_status(struct unixctl_conn *conn, int argc PLX_UNUSED,
                  const char *argv[] PLX_UNUSED, void *pvm_)
{
    struct plx_vm *pvm = pvm_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "name: %s\n", pvm->cfg.name);
    ds_put_format(&s, "state: %s\n",
                  vm_is_paused(pvm->vm) ? "paused"
                  : pvm->shutdown_deadline ? "shutting-down" : "running");
    ds_put_format(&s, "pid: %ld\n", (long) getpid());
    ds_put_format(&s, "memory_mb: %"PRIu64"\n", pvm->cfg.memory_mb);
    ds_put_format(&s, "cpus: %d\n", pvm->cfg.cpus);
    ds_put_format(&s, "uptime_ms: %lld\n", time_msec() - pvm->started_msec);
    ds_put_format(&s, "exits: %"PRIu64"\n", vm_n_exits(pvm->vm));
    for (size_t i = 0; i < pvm->n_nics; i++) {
        uint8_t mac[6];
        virtio_net_dev_get_mac(pvm->nics[i], mac);
        ds_put_format(&s, "eth%zu: mac %02x:%02x:%02x:%02x:%02x:%02x, "
                      "link %s\n", i, mac[0], mac[1], mac[2], mac[3],
                      mac[4], mac[5],
                      virtio_net_dev_is_link_up(pvm->nics[i])
                      ? "up" : "down");
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
vm_unixctl_pause(struct unixctl_conn *conn, int argc PLX_UNUSED,
                 const char *argv[] PLX_UNUSED, void *pvm_)
{
    struct plx_vm *pvm = pvm_;

    vm_pause(pvm->vm);
    VLOG_INFO("%s: paused", pvm->cfg.name);
    unixctl_command_reply(conn, NULL);
}

static void
vm_unixctl_resume(struct unixctl_conn *conn, int argc PLX_UNUSED,
                  const char *argv[] PLX_UNUSED, void *pvm_)
{
    struct plx_vm *pvm = pvm_;

    vm_resume(pvm->vm);
    VLOG_INFO("%s: resumed", pvm->cfg.name);
    unixctl_command_reply(conn, NULL);
}

static void
plx_vm_shutdown(struct plx_vm *pvm, const char *why)
{
    if (!pvm->shutdown_deadline) {
        VLOG_INFO("%s: %s: pressing the power button", pvm->cfg.name, why);
        pvm->shutdown_deadline = time_msec() + PLX_VM_SHUTDOWN_GRACE_MS;
        if (vm_is_paused(pvm->vm)) {
            vm_resume(pvm->vm);
        }
        pm_power_button(pvm->pm);
    } else {
        VLOG_INFO("%s: %s again: stopping now", pvm->cfg.name, why);
        vm_request_exit(pvm->vm, VM_EXIT_STOPPED, why);
    }
}

static void
vm_unixctl_shutdown(struct unixctl_conn *conn, int argc PLX_UNUSED,
                    const char *argv[] PLX_UNUSED, void *pvm_)
{
    plx_vm_shutdown(pvm_, "vm/shutdown");
    unixctl_command_reply(conn, NULL);
}

static void
vm_unixctl_stop(struct unixctl_conn *conn, int argc PLX_UNUSED,
                const char *argv[] PLX_UNUSED, void *pvm_)
{
    struct plx_vm *pvm = pvm_;

    vm_request_exit(pvm->vm, VM_EXIT_STOPPED, "vm/stop");
    unixctl_command_reply(conn, NULL);
}

/* ------------------------------------------------------------------ */
/* Setup. */

static char *
plx_vm_load(struct plx_vm *pvm)
{
    uint8_t *kernel = NULL, *initrd = NULL;
    size_t kernel_len = 0, initrd_len = 0;
    char *error;

    error = read_image("kernel", pvm->cfg.kernel, &kernel, &kernel_len);
    if (!error && pvm->cfg.initrd) {
        error = read_image("initrd", pvm->cfg.initrd, &initrd, &initrd_len);
    }
    if (!error) {
        struct boot_guest_params params = {
            .kernel = kernel, .kernel_len = kernel_len,
            .initrd = initrd, .initrd_len = initrd_len,
            .cmdline = pvm->cfg.cmdline ? pvm->cfg.cmdline : "",
            .n_cpus = pvm->cfg.cpus,
            .tsc_khz = vm_tsc_khz(pvm->vm),
        };
        error = boot_guest_load(pvm->vm, &params);
        if (error) {
            char *e = xasprintf("kernel %s: %s", pvm->cfg.kernel, error);
            free(error);
            error = e;
        }
    }
    free(kernel);
    free(initrd);
    return error;
}

static char *
plx_vm_create_nics(struct plx_vm *pvm)
{
    for (size_t i = 0; i < pvm->cfg.n_nets; i++) {
        const struct net_spec *spec = &pvm->cfg.nets[i];
        char *name = xasprintf("%s/eth%zu", pvm->cfg.name, i);
        struct virtio_net_dev_options opts = {
            .name = name,
            .fd = spec->fd,
            .path = spec->path,
            .server = spec->server,
            .has_mac = spec->has_mac,
            .n_qp = spec->queues,
        };
        memcpy(opts.mac, spec->mac, sizeof opts.mac);

        char *error = NULL;
        pvm->nics[i] = virtio_net_dev_create(vm_platform(pvm->vm), pvm->pci,
                                             &opts, &error);
        free(name);
        if (!pvm->nics[i]) {
            return error;
        }
        pvm->n_nics++;
    }
    return NULL;
}

static char *
plx_vm_setup(struct plx_vm *pvm)
{
    const struct plx_vm_config *cfg = &pvm->cfg;
    struct vm_options vm_opts = {
        .name = cfg->name,
        .ram_size = cfg->memory_mb << 20,
        .n_vcpus = cfg->cpus,
        .hugepages = cfg->hugepages,
        .hide_cx16 = cfg->hide_cx16,
    };
    char *error = NULL;
    int retval;

    retval = vm_create(&vm_opts, &pvm->vm, &error);
    if (retval) {
        return error;
    }
    struct vmm_platform *platform = vm_platform(pvm->vm);

    retval = console_create(cfg->console_log, cfg->console_socket,
                            &pvm->console, &error);
    if (retval) {
        return error;
    }
    pvm->uart = uart_create(platform, VMM_COM1_PORT, VMM_COM1_IRQ,
                            console_output, pvm->console);
    pvm->pm = pm_create(platform, plx_vm_pm_event, pvm);
    if (!pvm->uart || !pvm->pm) {
        return xstrdup("cannot place the legacy devices");
    }
    console_set_uart(pvm->console, pvm->uart);

    retval = pci_bus_create(platform, &pvm->pci);
    if (retval) {
        return xasprintf("PCI bus: %s", plx_strerror(retval));
    }
    error = plx_vm_create_nics(pvm);
    if (error) {
        return error;
    }
    return plx_vm_load(pvm);
}

static void
plx_vm_teardown(struct plx_vm *pvm)
{
    if (pvm->vm) {
        vm_stop(pvm->vm);
    }
    for (size_t i = 0; i < pvm->n_nics; i++) {
        virtio_net_dev_destroy(pvm->nics[i]);
    }
    pci_bus_destroy(pvm->pci);
    pm_destroy(pvm->pm);
    uart_destroy(pvm->uart);
    console_destroy(pvm->console);
    unixctl_server_destroy(pvm->unixctl);
    vm_destroy(pvm->vm);
}

/* ------------------------------------------------------------------ */
/* Main loop. */

static void
plx_vm_run_signals(struct plx_vm *pvm)
{
    struct signalfd_siginfo si;

    while (read(pvm->signal_fd, &si, sizeof si) == sizeof si) {
        switch (si.ssi_signo) {
        case SIGTERM:
            plx_vm_shutdown(pvm, "SIGTERM");
            break;
        case SIGINT:
            vm_request_exit(pvm->vm, VM_EXIT_STOPPED, "SIGINT");
            break;
        case SIGHUP:
            vlog_reopen_log_file();
            break;
        }
    }
}

static void
plx_vm_main_loop(struct plx_vm *pvm)
{
    while (vm_get_exit(pvm->vm, NULL) == VM_EXIT_NONE) {
        unixctl_server_run(pvm->unixctl);
        console_run(pvm->console);
        plx_vm_run_signals(pvm);
        for (size_t i = 0; i < pvm->n_nics; i++) {
            virtio_net_dev_run(pvm->nics[i]);
        }
        if (pvm->shutdown_deadline && time_msec() >= pvm->shutdown_deadline) {
            vm_request_exit(pvm->vm, VM_EXIT_STOPPED,
                            "guest did not power off within 10 s");
        }
        uart_flush(pvm->uart);
        if (vm_get_exit(pvm->vm, NULL) != VM_EXIT_NONE) {
            break;
        }

        unixctl_server_wait(pvm->unixctl);
        console_wait(pvm->console);
        poll_fd_wait(pvm->signal_fd, POLLIN);
        for (size_t i = 0; i < pvm->n_nics; i++) {
            virtio_net_dev_wait(pvm->nics[i]);
        }
        if (pvm->shutdown_deadline) {
            poll_timer_wait_until(pvm->shutdown_deadline);
        }
        poll_timer_wait(200);   /* Partial console lines. */
        vm_exit_wait(pvm->vm);
        poll_block();
    }
}

int
main(int argc, char *argv[])
{
    struct plx_vm pvm = { .signal_fd = -1 };
    char *error;

    set_program_name(argv[0]);
    parse_options(argc, argv, &pvm.cfg);
    fatal_ignore_sigpipe();

    /* SIGTERM, SIGINT and SIGHUP arrive through a signalfd; blocking them
     * before any vCPU thread exists keeps them off those threads. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    pvm.signal_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (pvm.signal_fd < 0) {
        plx_fatal(errno, "signalfd");
    }

    char *ctl = (pvm.cfg.unixctl_path
                 ? xstrdup(pvm.cfg.unixctl_path)
                 : xasprintf("plx-vm.%s.ctl", pvm.cfg.name));
    int retval = unixctl_server_create(ctl, &pvm.unixctl);
    free(ctl);
    if (retval) {
        plx_fatal(retval, "control socket");
    }
    unixctl_command_register("vm/status", "", 0, 0, vm_unixctl_status, &pvm);
    unixctl_command_register("vm/pause", "", 0, 0, vm_unixctl_pause, &pvm);
    unixctl_command_register("vm/resume", "", 0, 0, vm_unixctl_resume, &pvm);
    unixctl_command_register("vm/shutdown", "", 0, 0, vm_unixctl_shutdown,
                             &pvm);
    unixctl_command_register("vm/stop", "", 0, 0, vm_unixctl_stop, &pvm);

    daemonize_start();
    error = plx_vm_setup(&pvm);
    if (!error && vm_start(pvm.vm, &error)) {
        plx_assert(error);
    }
    if (error) {
        VLOG_ERR("%s: %s", pvm.cfg.name, error);
        fprintf(stderr, "%s: %s: %s\n", program_name, pvm.cfg.name, error);
        free(error);
        plx_vm_teardown(&pvm);
        exit(VM_EXIT_ERROR);
    }
    daemonize_complete();
    pvm.started_msec = time_msec();
    VLOG_INFO("%s: started: %"PRIu64" MiB, %d vCPU(s), %zu NIC(s), "
              "kernel %s", pvm.cfg.name, pvm.cfg.memory_mb, pvm.cfg.cpus,
              pvm.n_nics, pvm.cfg.kernel);

    plx_vm_main_loop(&pvm);

    const char *detail;
    enum vm_exit_reason reason = vm_get_exit(pvm.vm, &detail);
    char *saved = xstrdup(detail);
    plx_vm_teardown(&pvm);
    if (reason == VM_EXIT_POWEROFF || reason == VM_EXIT_STOPPED) {
        VLOG_INFO("%s: %s: %s", pvm.cfg.name,
                  vm_exit_reason_to_string(reason), saved);
    } else {
        VLOG_WARN("%s: %s: %s", pvm.cfg.name,
                  vm_exit_reason_to_string(reason), saved);
    }
    free(saved);
    for (size_t i = 0; i < pvm.cfg.n_nets; i++) {
        net_spec_destroy(&pvm.cfg.nets[i]);
    }
    return reason;
}
