"""Machinery for bench-vhost.py: hugepages, the two switches with two
vhost-user ports each, and dpdk-testpmd driven through a pty.

  HugePages     reserves 2 MB hugepages (vm.nr_hugepages) and mounts a
                private hugetlbfs for this run; close() unmounts it and
                puts nr_hugepages back;
  VhostSwitch   one switch, "ovs-dpdk" (Debian's ovs-vswitchd-dpdk) or
                "plexus" (plx-vswitchd from --builddir): its own
                database server and run directory, its vswitchd in a
                network namespace of its own (Open vSwitch's userspace
                datapath makes a tap named ovs-netdev; a namespace per
                switch keeps that, and the bridge's own device, away from
                anything else), bridge br0 (datapath_type=netdev), ports
                p1 and p2 of type dpdkvhostuser (the switch listens on
                RUNDIR/p1 and RUNDIR/p2), flows in_port=p1->p2 and
                in_port=p2->p1, PMD statistics;
  TestPmd       dpdk-testpmd in interactive mode (on a pty, so that its
                command line library sees a terminal) with two
                virtio-user devices on those sockets: start, read port
                counters, stop, quit.

bench-dpdk.py subclasses VhostSwitch (other ports, other_config, run
directory prefix: the class attributes and hooks below) and shares the
driver: Results, setup_switches(), run_alternating(), summarize(),
print_table(), add_common_args() and preflight().

Daemons are started by this process and killed by PID
(bench-switch.py's DaemonSet, loaded as a module and not changed); every
directory, namespace and mount this run made is removed on exit."""

import importlib.util
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))



def load_bench(name):
    """The benchmark script tests/bench/NAME.py as a module (its file
    name has a dash, so it cannot be imported by name)."""
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bs = load_bench("bench-switch")

Skip = bs.Skip
sh = bs.sh
OVS_SCHEMA = bs.OVS_SCHEMA
OVS_DPDK_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
TESTPMD = "dpdk-testpmd"
NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages"
TAG = str(os.getpid())
SWITCHES = ("ovs-dpdk", "plexus")
# The prefix of log() lines: the benchmark that uses this module sets it.
PROG = "bench-vhost"


def plx_program(builddir, *parts):
    """The path of a program of the build in BUILDDIR (e.g. "vmm",
    "plx-vm"), or Skip if it is not built."""
    path = os.path.join(builddir, *parts)
    if not os.access(path, os.X_OK):
        raise bs.Skip("%s not built" % path)
    return path


def release_daemons(sw):
    """Stops and removes switch SW's daemons (its 'daemons' DaemonSet),
    waking its vswitchd first if the benchmark had frozen it."""
    if sw.paused and sw.vswitchd.poll() is None:
        os.kill(sw.vswitchd.pid, signal.SIGCONT)
        sw.paused = False
    if sw.daemons:
        sw.daemons.stop()
        sw.daemons.remove()
        sw.daemons = None


def log(msg):
    print(PROG + ": " + msg, file=sys.stderr, flush=True)


def check_ovs_dpdk(progs=("ovsdb-tool", "ovsdb-server", "ovs-vsctl",
                          "ovs-ofctl", "ovs-appctl")):
    """Skip unless Open vSwitch's PROGS, ovs-vswitchd-dpdk and the
    schema are installed."""
    for prog in progs:
        if not shutil.which(prog):
            raise Skip("%s not installed" % prog)
    if not os.access(OVS_DPDK_VSWITCHD, os.X_OK):
        raise Skip("%s missing (package openvswitch-switch-dpdk)"
                   % OVS_DPDK_VSWITCHD)
    if not os.path.exists(OVS_SCHEMA):
        raise Skip("%s missing" % OVS_SCHEMA)


def dpdk_other_config(pmd_mask, socket_mem, huge_dir, file_prefix,
                      socket_limit=False):
    """The other_config settings of a switch with DPDK: EAL on core 0,
    PMDs on PMD_MASK, SOCKET_MEM MB (and at most that with
    SOCKET_LIMIT) from the hugetlbfs at HUGE_DIR, no PCI devices."""
    conf = ["other_config:dpdk-init=true",
            "other_config:dpdk-lcore-mask=0x1",
            "other_config:pmd-cpu-mask=%s" % pmd_mask,
            "other_config:dpdk-socket-mem=%d" % socket_mem]
    if socket_limit:
        conf.append("other_config:dpdk-socket-limit=%d" % socket_mem)
    return conf + ["other_config:dpdk-hugepage-dir=%s" % huge_dir,
                   "other_config:dpdk-extra=--file-prefix=%s --no-pci"
                   % file_prefix]


def meminfo(field):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def nice(args):
    """The prefix that runs a program at --nice (the same for testpmd and
    both switches), or nothing."""
    return ["nice", "-n", str(args.nice)] if args.nice else []


class HugePages:
    """N 2 MB hugepages on top of those free now, and a private
    hugetlbfs mount (pagesize=2M) for this run."""

    def __init__(self, n_pages):
        self.n_pages = n_pages
        self.old = None
        self.dir = None
        self.mounted = False

    def setup(self):
        if meminfo("Hugepagesize") != 2048:
            raise Skip("default hugepage size is not 2 MB")
        free = meminfo("HugePages_Free")
        with open(NR_HUGEPAGES) as f:
            self.old = int(f.read())
        if free < self.n_pages:
            want = self.old + self.n_pages - free
            with open(NR_HUGEPAGES, "w") as f:
                f.write(str(want))
            if meminfo("HugePages_Free") < self.n_pages:
                raise Skip("could reserve only %d of %d 2 MB hugepages"
                           % (meminfo("HugePages_Free"), self.n_pages))
        self.dir = tempfile.mkdtemp(prefix="plx-bench-vhost-huge-")
        sh(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev",
            self.dir])
        self.mounted = True

    def close(self):
        if self.mounted:
            sh(["umount", self.dir], check=False)
            self.mounted = False
        if self.dir:
            try:
                os.rmdir(self.dir)
            except OSError:
                pass
            self.dir = None
        if self.old is not None:
            try:
                with open(NR_HUGEPAGES, "w") as f:
                    f.write(str(self.old))
            except OSError as e:
                log("could not restore nr_hugepages=%d: %s" % (self.old, e))
            self.old = None


# PMD statistics: (packets, busy time in ns or None, busy TSC cycles or
# None, idle ...) from each switch's pmd-stats-show.

def parse_ovs_pmd_stats(text):
    """Open vSwitch: the PMD threads' (not the main thread's) packets
    and processing/idle cycles, summed."""
    pkts = busy = idle = 0
    in_pmd = False
    for line in text.splitlines():
        if line.startswith("pmd thread"):
            in_pmd = True
        elif line.startswith("main thread"):
            in_pmd = False
        if not in_pmd:
            continue
        m = re.match(r"\s*packets received: (\d+)", line)
        if m:
            pkts += int(m.group(1))
        m = re.match(r"\s*processing cycles: (\d+)", line)
        if m:
            busy += int(m.group(1))
        m = re.match(r"\s*idle cycles: (\d+)", line)
        if m:
            idle += int(m.group(1))
    return {"packets": pkts, "busy_cycles": busy, "idle_cycles": idle}


def parse_plx_pmd_stats(text):
    """Plexus: packets and processing/idle time (us) of every PMD."""
    pkts = busy = idle = 0
    for line in text.splitlines():
        m = re.match(r"\s*packets received: (\d+)", line)
        if m:
            pkts += int(m.group(1))
        m = re.match(r"\s*processing time: (\d+) us", line)
        if m:
            busy += int(m.group(1)) * 1000
        m = re.match(r"\s*idle time: (\d+) us", line)
        if m:
            idle += int(m.group(1)) * 1000
    return {"packets": pkts, "busy_ns": busy, "idle_ns": idle}


def cpu_mhz():
    """The TSC rate to turn Open vSwitch's cycle counts into time, as
    /proc/cpuinfo gives it (a VM's vCPU runs at the host's TSC rate)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1])
    except (OSError, ValueError):
        pass
    return None


class VhostSwitch:
    """One switch with br0 and two dpdkvhostuser ports, p1 and p2.

    A subclass for other ports overrides the class attributes below,
    interface_columns() and other_config(), and setup()."""

    PORTS = ("p1", "p2")
    PORT_TYPE = "dpdkvhostuser"
    RUN_PREFIX = "plx-bench-vhost"   # Run directories and kept logs.
    NETNS_PREFIX = "plxvhb"          # Namespaces and DPDK file prefixes.
    ADD_PORTS_TIMEOUT = 60           # plx-vsctl/ovs-vsctl --timeout.
    PLX_START_TIMEOUT = 15           # Seconds for plx-vswitchd's socket.
    OFCTL_OPTIONS = ()               # E.g. ("-O", "OpenFlow13").

    def __init__(self, name, args, hugepages):
        self.name = name
        self.args = args
        self.huge = hugepages
        self.daemons = None
        self.netns = "%s-%s-%s" % (self.NETNS_PREFIX, TAG,
                                   "o" if name == "ovs-dpdk" else "p")
        self.made_netns = False
        self.bridge = "br0"
        self.vswitchd = None
        self.paused = False
        self.notes = []     # Said once setup() is done (setup_switches).

    # Setup.
    def setup(self):
        self._start_daemons()
        self._add_ports()
        self.ofport = {p: self._ofport(p) for p in self.PORTS}
        self.sockets = [os.path.join(self.daemons.dir, p)
                        for p in self.PORTS]
        for path in self.sockets:
            self._wait(lambda: os.path.exists(path),
                       "vhost-user socket %s" % path)
        a, b = self.ofport["p1"], self.ofport["p2"]
        self.install_flows(
            ["priority=100,in_port=%d,actions=output:%d" % (a, b),
             "priority=100,in_port=%d,actions=output:%d" % (b, a)])

    def install_flows(self, flows):
        """Replaces the bridge's flows with FLOWS and checks that
        dump-flows shows as many."""
        self.ofctl("del-flows", self.mgmt)
        for flow in flows:
            self.ofctl("add-flow", self.mgmt, flow)
        n = sum(1 for line in self.ofctl("dump-flows",
                                         self.mgmt).stdout.splitlines()
                if "actions=" in line)
        if n != len(flows):
            raise RuntimeError("%s: dump-flows shows %d flows, not %d"
                               % (self.name, n, len(flows)))

    def other_config(self, who):
        """The Open_vSwitch other_config settings for WHO ("ovs" or
        "plx"): Open vSwitch needs DPDK's; Plexus's vhost-user ports
        need none."""
        if who == "ovs":
            return dpdk_other_config(
                self.args.pmd_mask, self.args.ovs_socket_mem,
                self.huge.dir, "%s-ovs-%s" % (self.NETNS_PREFIX, TAG))
        return ["other_config:pmd-cpu-mask=%s" % self.args.pmd_mask]

    def interface_columns(self, ofport, port):
        """What add-port sets in PORT's Interface record (OFPORT is its
        1-based place in PORTS)."""
        return ["type=%s" % self.PORT_TYPE]

    def _start_daemons(self):
        if self.name == "ovs-dpdk":
            self._setup_ovs()
        else:
            self._setup_plexus()

    def _make_netns(self):
        sh(["ip", "netns", "add", self.netns])
        self.made_netns = True
        sh(["ip", "-n", self.netns, "link", "set", "lo", "up"])

    def _setup_ovs(self):
        check_ovs_dpdk()
        d, env, self.db_sock = bs.start_ovs_db(self.RUN_PREFIX + "-ovs-")
        self.daemons, self.env = d, env
        self.log_file = os.path.join(d.dir, "ovs-vswitchd.log")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   *self.other_config("ovs"))
        self._make_netns()
        self.ctl = os.path.join(d.dir, "ovs-vswitchd.ctl")
        self.vswitchd = d.start("ovs-vswitchd", nice(self.args) + [
            "ip", "netns", "exec", self.netns, OVS_DPDK_VSWITCHD,
            "unix:" + self.db_sock,
            "--pidfile=" + os.path.join(d.dir, "ovs-vswitchd.pid"),
            "--unixctl=" + self.ctl, "--log-file=" + self.log_file], env)
        # DPDK's EAL takes a few seconds to start.
        bs.wait_for_socket(self.ctl, self.vswitchd, "ovs-vswitchd",
                           timeout=60)
        self.mgmt = "unix:%s/%s.mgmt" % (d.dir, self.bridge)

    def _plx_prog(self, *parts):
        return plx_program(self.args.builddir, *parts)

    def _setup_plexus(self):
        if not self.args.builddir:
            raise Skip("no --builddir given")
        vswitchd = self._plx_prog("vswitchd", "plx-vswitchd")
        dbserver = self._plx_prog("ovsdb", "plx-dbserver")
        dbtool = self._plx_prog("ovsdb", "plx-dbtool")
        self.vsctl_prog = self._plx_prog("utilities", "plx-vsctl")
        self.ofctl_prog = self._plx_prog("utilities", "plx-ofctl")
        self.appctl_prog = self._plx_prog("utilities", "plx-appctl")
        schema = os.path.join(self.args.srcdir, "vswitchd",
                              "vswitch.ovsschema")
        d = self.daemons = bs.DaemonSet(self.RUN_PREFIX + "-plexus-")
        env = dict(os.environ, PLX_RUNDIR=d.dir, PLX_DBDIR=d.dir,
                   PLX_LOGDIR=d.dir, PLX_SYSCONFDIR=d.dir,
                   PLX_PKGDATADIR=self.args.srcdir)
        self.env = env
        self.log_file = os.path.join(d.dir, "plx-vswitchd.log")
        db = os.path.join(d.dir, "conf.db")
        self.db_sock = os.path.join(d.dir, "db.sock")
        sh([dbtool, "create", db, schema], env=env)
        server = d.start("plx-dbserver", [
            dbserver, db, "--remote=punix:" + self.db_sock,
            "--pidfile=" + os.path.join(d.dir, "plx-dbserver.pid"),
            "--unixctl=" + os.path.join(d.dir, "plx-dbserver.ctl"),
            "--log-file=" + os.path.join(d.dir, "plx-dbserver.log")], env)
        bs.wait_for_socket(self.db_sock, server, "plx-dbserver")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   *self.other_config("plx"))
        self._make_netns()
        self.ctl = os.path.join(d.dir, "plx-vswitchd.ctl")
        self.vswitchd = d.start("plx-vswitchd", nice(self.args) + [
            "ip", "netns", "exec", self.netns, vswitchd,
            "unix:" + self.db_sock, "--unixctl=" + self.ctl,
            "--pidfile=" + os.path.join(d.dir, "plx-vswitchd.pid"),
            "--log-file=" + self.log_file], env)
        bs.wait_for_socket(self.ctl, self.vswitchd, "plx-vswitchd",
                           timeout=self.PLX_START_TIMEOUT)
        self.mgmt = "unix:%s/%s.mgmt" % (d.dir, self.bridge)

    def _add_ports(self):
        argv = ["--timeout=%d" % self.ADD_PORTS_TIMEOUT, "add-br",
                self.bridge, "--", "set", "bridge", self.bridge,
                "datapath_type=netdev"]
        for ofport, p in enumerate(self.PORTS, 1):
            argv += ["--", "add-port", self.bridge, p, "--", "set",
                     "Interface", p] + self.interface_columns(ofport, p)
        p = self.vsctl(*argv, check=False)
        if p.returncode:
            raise Skip("cannot add %s ports: %s; log: %s"
                       % (self.PORT_TYPE, (p.stderr or p.stdout).strip(),
                          bs.tail(self.log_file, 6)))
        self.check_alive()
        for port in self.PORTS:
            err = self.vsctl("get", "Interface", port, "error",
                             check=False).stdout.strip()
            if err and err != "[]":
                raise Skip("Interface %s: %s; log: %s"
                           % (port, err, bs.tail(self.log_file, 6)))

    def _wait(self, cond, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            self.check_alive()
            time.sleep(0.1)
        raise Skip("no %s after %d s" % (what, timeout))

    def _ofport(self, iface):
        def get():
            out = self.vsctl("get", "Interface", iface, "ofport").stdout
            v = [int(x) for x in re.findall(r"-?\d+", out)]
            return v[0] if v and v[0] > 0 else None
        self._wait(lambda: get() is not None, "ofport for %s" % iface)
        return get()

    def pause(self):
        """Freezes vswitchd (SIGSTOP), so that an idle DPDK PMD does not
        take its core from the switch under test.  Waits a moment first
        so that a frontend's disconnect is handled before."""
        if self.vswitchd is not None and self.vswitchd.poll() is None \
                and not self.paused:
            time.sleep(0.5)
            os.kill(self.vswitchd.pid, signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.vswitchd is not None and self.vswitchd.poll() is None \
                and self.paused:
            os.kill(self.vswitchd.pid, signal.SIGCONT)
            self.paused = False
            # Let it catch up (database, timers) before traffic starts.
            time.sleep(0.5)
        self.check_alive()

    def teardown(self):
        release_daemons(self)
        if self.made_netns:
            sh(["ip", "netns", "delete", self.netns], check=False)
            self.made_netns = False

    def keep_log(self):
        """Copies vswitchd's log into the temp directory (before the
        run directory is removed); returns its new path."""
        if not self.daemons:
            return None
        dst = os.path.join(tempfile.gettempdir(), "%s-%s-%s.log"
                           % (self.RUN_PREFIX, self.name, TAG))
        try:
            shutil.copyfile(self.log_file, dst)
        except OSError:
            return None
        return dst

    def close(self, failed=False):
        """teardown(), keeping vswitchd's log first if FAILED or
        --keep-logs."""
        if failed or self.args.keep_logs:
            path = self.keep_log()
            if path:
                log("%s: vswitchd log kept in %s" % (self.name, path))
        self.teardown()

    def check_alive(self):
        if self.vswitchd is not None and self.vswitchd.poll() is not None:
            raise RuntimeError("%s: vswitchd exited with status %d: %s"
                               % (self.name, self.vswitchd.returncode,
                                  bs.tail(self.log_file, 10)))

    # Clients.
    def vsctl(self, *args, check=True):
        prog = "ovs-vsctl" if self.name == "ovs-dpdk" else self.vsctl_prog
        return sh([prog, "--db=unix:" + self.db_sock] + list(args),
                  env=self.env, check=check, timeout=90)

    def ofctl(self, *args):
        prog = "ovs-ofctl" if self.name == "ovs-dpdk" else self.ofctl_prog
        return sh([prog] + list(self.OFCTL_OPTIONS) + list(args),
                  env=self.env)

    def appctl(self, *args, check=True):
        prog = ("ovs-appctl" if self.name == "ovs-dpdk"
                else self.appctl_prog)
        return sh([prog, "-t", self.ctl] + list(args), env=self.env,
                  check=check)

    def pmd_stats(self):
        out = self.appctl("dpif-netdev/pmd-stats-show").stdout
        if self.name == "ovs-dpdk":
            return parse_ovs_pmd_stats(out)
        return parse_plx_pmd_stats(out)

    def vswitchd_pid(self):
        return self.vswitchd.pid

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.vswitchd.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")

    def interface_stats(self, port):
        out = self.vsctl("get", "Interface", port, "statistics",
                         check=False).stdout
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}


class TestPmd:
    """dpdk-testpmd, interactive, on a pty, with two virtio-user ports
    (port 0 on SOCKETS[0], port 1 on SOCKETS[1])."""

    PROMPT = b"testpmd> "

    def __init__(self, args, hugepages, sockets, size, fwd, name):
        self.proc = None
        self.master = None
        self.buf = b""
        prefix = "plxvhb-tp-%s" % TAG
        self.argv = nice(args) + [
            TESTPMD, "--lcores=%s" % args.testpmd_lcores,
            "--file-prefix=" + prefix, "--huge-dir=" + hugepages.dir,
            "-m", str(args.testpmd_mem), "--in-memory",
            "--single-file-segments", "--no-pci",
            "--log-level=lib.eal:warning",
            "--vdev", "net_virtio_user0,path=%s,queues=1" % sockets[0],
            "--vdev", "net_virtio_user1,path=%s,queues=1" % sockets[1],
            "--", "-i", "--nb-cores=1", "--rxq=1", "--txq=1",
            "--total-num-mbufs=%d" % args.mbufs,
            "--txpkts=%d" % size, "--forward-mode=%s" % fwd,
            "--port-topology=paired"]
        if fwd == "flowgen":
            self.argv.append("--flowgen-flows=1")
        self.log_path = os.path.join(tempfile.gettempdir(),
                                     "plx-bench-vhost-testpmd-%s-%s.log"
                                     % (TAG, name))
        self.transcript = open(self.log_path, "wb")

    def start(self):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave,
                                     stderr=slave, close_fds=True,
                                     start_new_session=True)
        os.close(slave)
        out = self.expect(self.PROMPT, 60)
        if b"Port 0" not in out or b"Port 1" not in out:
            raise RuntimeError("testpmd did not bring up both ports: %s"
                               % self.tail())

    def tail(self, n=8):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return " | ".join(l.strip() for l in lines[-n:] if l.strip())
        except OSError:
            return ""

    def expect(self, token, timeout):
        """Reads until TOKEN; returns what came before it."""
        deadline = time.monotonic() + timeout
        while token not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("testpmd: no %r in %d s: %s"
                                   % (token, timeout, self.tail()))
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                if not data:
                    raise RuntimeError("testpmd exited (%s): %s"
                                       % (self.proc.poll(), self.tail()))
                self.transcript.write(data)
                self.transcript.flush()
                self.buf += data
            elif self.proc.poll() is not None:
                raise RuntimeError("testpmd exited with status %d: %s"
                                   % (self.proc.returncode, self.tail()))
        out, self.buf = self.buf.split(token, 1)
        return out

    def cmd(self, line, timeout=30):
        os.write(self.master, line.encode() + b"\n")
        return self.expect(self.PROMPT, timeout).decode(errors="replace")

    def port_counters(self):
        """{port: (rx_packets, tx_packets)} from show port stats all, and
        the monotonic time in the middle of the command."""
        t0 = time.monotonic()
        out = self.cmd("show port stats all")
        t1 = time.monotonic()
        counters = {}
        for m in re.finditer(r"NIC statistics for port (\d+).*?"
                             r"RX-packets:\s+(\d+).*?TX-packets:\s+(\d+)",
                             out, re.S):
            counters[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
        if len(counters) != 2:
            raise RuntimeError("cannot parse testpmd port stats: %r"
                               % out[-400:])
        return counters, (t0 + t1) / 2

    def tx_dropped(self):
        """{port: packets testpmd could not transmit because the ring was
        full} since forwarding started, from show fwd stats all."""
        out = self.cmd("show fwd stats all")
        drops = {}
        for m in re.finditer(r"Forward statistics for port (\d+).*?"
                             r"TX-dropped:\s+(\d+)", out, re.S):
            drops[int(m.group(1))] = int(m.group(2))
        return drops

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.write(self.master, b"stop\nquit\n")
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        if self.master is not None:
            os.close(self.master)
            self.master = None
        if self.transcript:
            self.transcript.close()
            self.transcript = None

    def remove_log(self):
        try:
            os.unlink(self.log_path)
        except OSError:
            pass


# The driver shared by bench-vhost.py and bench-dpdk.py.

class Results:
    """The records of benchmark BENCH, each printed as a JSON line."""

    def __init__(self, bench):
        self.bench = bench
        self.records = []

    def emit(self, **rec):
        rec = dict({"bench": self.bench}, **rec)
        print(json.dumps(rec), flush=True)
        self.records.append(rec)


def setup_switches(names, make, notes):
    """Sets up MAKE(name) for each switch in NAMES and freezes it
    (SIGSTOP) before the next starts; returns those that came up.  A
    switch that cannot run is a note; one that fails raises."""
    switches = []
    for name in names:
        sw = make(name)
        try:
            log("%s: setting up" % name)
            sw.setup()
            for note in sw.notes:
                notes.append(note)
                log(note)
            sw.pause()
            switches.append(sw)
        except Skip as e:
            notes.append("%s: skipped: %s" % (name, e))
            log(notes[-1])
            sw.close(failed=True)
        except (RuntimeError, subprocess.TimeoutExpired):
            sw.close(failed=True)
            raise
    return switches


def run_alternating(switches, cases, measure, describe, res, notes,
                    counter):
    """For each case in CASES, MEASURE(sw, case) on each switch in turn
    (only the switch under test runs; the others stay frozen), emitting
    the result to RES.  The order of the switches flips from one case to
    the next (COUNTER[0] counts cases, across calls), so that drift in
    the machine's load hits both alike.  DESCRIBE(case) names a case in
    logs and notes.  A switch whose vswitchd died is left out from then
    on.  Returns the names of the switches that failed a case."""
    dead, failed = set(), set()
    for case in cases:
        order = switches if counter[0] % 2 == 0 else switches[::-1]
        counter[0] += 1
        for sw in order:
            if sw.name in dead:
                continue
            what = "%s: %s" % (sw.name, describe(case))
            log(what)
            try:
                sw.resume()
                res.emit(**measure(sw, case))
                sw.pause()
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                failed.add(sw.name)
                notes.append("%s: failed: %s" % (what, e))
                log(notes[-1])
                try:
                    sw.check_alive()
                    sw.pause()
                except RuntimeError as e2:
                    notes.append(str(e2))
                    log(notes[-1])
                    dead.add(sw.name)
    return failed


def summarize(res, keys, sort_key, add, extra=None):
    """One {"bench": BENCH-ratio} record per value of the fields KEYS
    (in the order SORT_KEY gives their values), printed and returned:
    rec[switch] is the switch's median Mpps, ADD(rec, switch, records)
    adds its other medians, then come plexus / ovs-dpdk and the number
    of runs (bs.emit_ratio).  EXTRA: fields every record gets."""
    out = []
    groups = {}
    for r in res.records:
        groups.setdefault(tuple(r[k] for k in keys), {}).setdefault(
            r["switch"], []).append(r)
    for key, by_sw in sorted(groups.items(),
                             key=lambda kv: sort_key(*kv[0])):
        rec = dict({"bench": res.bench + "-ratio"}, **dict(zip(keys, key)))
        rec.update(extra or {})
        for s in SWITCHES:
            if s in by_sw:
                add_median(rec, s, by_sw[s], "mpps", 3)
                add(rec, s, by_sw[s])
        bs.emit_ratio(rec, by_sw, "ovs-dpdk", out)
    return out


def add_median(rec, name, runs, field, digits=1):
    """rec[NAME] = the median of FIELD over the RUNS that have it
    (rounded to DIGITS); nothing if none has."""
    values = [r[field] for r in runs if r.get(field) is not None]
    if values:
        rec[name] = round(statistics.median(values), digits)


def print_table(setup, head, summary, label, cells, notes, width):
    """The table on stderr: the machine, the SETUP line, the column
    names HEAD, then a row per record of SUMMARY: LABEL(r) (WIDTH wide),
    the medians of ovs-dpdk and plexus, the ratio and the two CELLS(r);
    then the NOTES."""
    f = sys.stderr
    fmt = "%%-%ds %%10s %%10s %%8s %%12s %%12s" % width
    print("", file=f)
    print("machine: %s" % bs.machine(), file=f)
    print(setup, file=f)
    print(fmt % tuple(head), file=f)
    for r in summary:
        print(fmt % ((label(r), r.get("ovs-dpdk", "-"),
                      r.get("plexus", "-"), r.get("ratio", "-"))
                     + tuple(cells(r))), file=f)
    for n in notes:
        print(n, file=f)


def add_common_args(p, rounds, warmup_help, nice_help, keep_logs_help):
    """The options bench-vhost.py and bench-dpdk.py share."""
    bs.add_dir_args(p)
    p.add_argument("--duration", type=float, default=10,
                   help="seconds measured per run (default 10)")
    p.add_argument("--warmup", type=float, default=3, help=warmup_help)
    p.add_argument("--rounds", type=int, default=rounds,
                   help="rounds per switch and case (default %d)" % rounds)
    p.add_argument("--only", choices=SWITCHES, action="append",
                   help="measure only this switch (repeatable)")
    p.add_argument("--pmd-mask", default="0x2",
                   help="pmd-cpu-mask for both switches (default 0x2)")
    p.add_argument("--nice", type=int, default=0, help=nice_help)
    p.add_argument("--keep-logs", action="store_true",
                   help=keep_logs_help)


def run(huge, body, report, notes, cleanup=None):
    """The main run: BODY() with the HugePages HUGE set up, then
    CLEANUP() and HUGE closed however it ended, then REPORT() (the
    summary and table).  Returns the exit status: 0 if no hugepages
    (skipped), 130 if interrupted, 1 if a note says "failed", else 0."""
    started = time.monotonic()
    bs.interrupt_on_sigterm()
    try:
        try:
            huge.setup()
        except Skip as e:
            log("skipped: %s" % e)
            return 0
        body()
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        if cleanup:
            cleanup()
        huge.close()
    report()
    log("done in %.0f s" % (time.monotonic() - started))
    return 1 if any("failed" in n for n in notes) else 0


def preflight():
    """Why this machine cannot run the benchmark (not root, fewer than
    two cores), or None."""
    if os.geteuid() != 0:
        return "needs root (hugepages, mounts, namespaces)"
    if (os.cpu_count() or 0) < 2:
        return "needs two cores"
    return None
