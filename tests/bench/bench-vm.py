#!/usr/bin/python3
"""bench-vm: VMs on a switch -- plx-vm with the test guest (plx-guest)
on Plexus and on Open vSwitch with DPDK, in one run.

Three measurements:

  udp      VM-to-VM UDP through one bridge, at --sizes (64- and
           1500-byte frames).  One point: guest B is the sink
           ("sink=9", until its power button); once it is ready, guest
           A sends at an offered rate for --duration-ms ("udp-tx=... size=S
           rate=PPS duration_ms=D exit=1"; rate=0 = unpaced); once A's
           summary is out, B gets its power button and prints its own
           (tests/guest/README.md).  A point records offered, sent
           (tx_pps: A's rate as the switch took its packets), received
           (rx_pps: B's datagrams / time from its first to its last)
           and loss (1 - received / sent, by count).  Per size, the
           switches in lock step (each point run on every switch before
           the next, their order alternating):
             sweep     --rates in turn, once each; a switch stops
                       climbing after two points in a row with loss >
                       --stop-loss (20%);
             unpaced   rate=0, --rounds times: the received rate is the
                       most the setup forwards under overload;
             search    a bisection (--search-steps) between the last
                       good sweep rate and the first bad one, each step
                       run --rounds times and judged on the medians.
           A rate is good when the median loss is below --loss-limit
           (0.1%) and the median sent rate reached --keep-up (80%) of
           the offered one (a switch that does not take packets in time
           backs the sender up rather than losing them; the guest's
           pacing itself falls a little short at low rates).  The
           headline, "zero-loss rate", is the highest good rate found.
           The guests sleep rather than spin while they wait (a paced
           sender until a burst of up to 256 packets is due, the sink
           whenever nothing has arrived for 100 us), so below overload
           the two cores go to the switch and to the work itself;
           unpaced, the sender spins and the three of them share two
           cores, and the scheduler decides as much as the switch.
           --sink-idle runs the sink of a paced point SCHED_IDLE.
           The switches:
             plexus    plx-dbserver + plx-vswitchd from --builddir, bridge
                       br0 (datapath_type=netdev), the two VMs created by
                       "plx-vsctl add-vm ... -- add-vm-port ..." and
                       started by plx-vswitchd (other_config:vm-binary is
                       this build's vmm/plx-vm, restart=never);
             ovs-dpdk  Debian's ovs-vswitchd-dpdk (openvswitch-switch-dpdk)
                       with its own database and run directory, bridge br0
                       (datapath_type=netdev, the NORMAL action), guest A
                       on a dpdkvhostuser port (OVS listens, plx-vm
                       connects: --net vhost-user,path=...) and guest B on
                       a dpdkvhostuserclient port (plx-vm listens: ...,
                       server); dpdk-init, dpdk-lcore-mask=0x1,
                       dpdk-socket-mem (--ovs-socket-mem) in a private
                       hugetlbfs mount.  The guests' memory is plx-vm's
                       ordinary memfd: DPDK's vhost library maps it by fd
                       and needs no hugepages for it.
           Both switches get one PMD thread on core 1
           (pmd-cpu-mask=--pmd-mask) and each runs in a network namespace
           of its own; the one not under test is frozen (SIGSTOP), since
           an idle PMD still polls its core.  Everything else -- both
           plx-vm processes, Open vSwitch's other threads (lcore mask
           0x1) and plx-vswitchd's (started under taskset, its PMD pins
           itself) -- shares --guest-cpus (default core 0).
  start    Plexus only: the time from just before
           "plx-vsctl add-vm ... -- add-vm-port ..." to the first frame
           from the guest's MAC on a namespace host's veth (an AF_PACKET
           socket, kernel receive timestamps).  The guest's command line
           is "ping=10.0.0.1 count=1", so that frame is its ARP request.
           Split into: plx-vsctl returned (vswitchd has applied the
           change), plx-vm started (plx-vswitchd's "started plx-vm" log
           line, ms resolution), guest "ready" on the console (polled
           every ms, so seen up to about 1 ms late: ready_to_frame, the
           guest's ARP request right after "ready", can come out
           slightly negative), first frame.
  memory   Plexus only: an idle VM (responder only) with 64 and 256 MiB:
           plx-vm's VmRSS, and from /proc/PID/smaps_rollup its RssAnon,
           RssFile and RssShmem (the guest-memory memfd pages actually
           touched); plx-vswitchd's Rss, Anonymous and Shmem before the
           VM and with it running (the switch maps guest memory to reach
           the rings).  Overhead = plx-vm's RSS - RssShmem: what is not
           guest memory.

Output: one JSON line per result on stdout ({"bench":"vm-udp",...},
{"bench":"vm-start",...}, {"bench":"vm-memory",...}), then summary lines
({"bench":"vm-udp-summary",...} per switch and size: zero_loss_pps and
first_bad_pps, the sent and received rates there and unpaced as median,
min, max; the points' medians; {"bench":"vm-start-summary",...}) and a
table on stderr.
Needs root (namespaces, hugepages), /dev/kvm and this build's plx-vm and
test guest; without them it says so and exits 0.  A switch that cannot
run (Open vSwitch with DPDK not installed, no hugepages) is skipped with
the reason.  Everything started is killed by PID; vm.nr_hugepages is put
back on exit.

tests/interop/test_vm_ovs_dpdk.py loads this file for OvsDpdk and
Guest."""

import argparse
import calendar
import ctypes
import json
import os
import re
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhost_bench_lib as lib  # noqa: E402

bs = lib.bs
Skip = bs.Skip
sh = bs.sh
TAG = str(os.getpid())
SWITCHES = ("ovs-dpdk", "plexus")
IP_A, IP_B, IP_HOST = "10.0.0.11", "10.0.0.12", "10.0.0.1"
MAC_A, MAC_B = "52:54:00:00:00:11", "52:54:00:00:00:12"
UDP_PORT = 9


def log(msg):
    print("bench-vm: " + msg, file=sys.stderr, flush=True)


# -- Guest console. --

SUMMARY_RE = {
    "udp-tx": re.compile(r"^plx-guest: udp-tx dst=\S+ sent=(\d+) "
                         r"bytes=(\d+) elapsed_us=(\d+) pps=(\d+)$", re.M),
    "sink": re.compile(r"^plx-guest: sink port=\d+ received=(\d+) "
                       r"bytes=(\d+) elapsed_us=(\d+) pps=(\d+)$", re.M),
    "ping-summary": re.compile(r"^plx-guest: ping-summary dst=\S+ "
                               r"sent=(\d+) received=(\d+)$", re.M),
}


def summary(text, kind):
    """The numbers of the guest's KIND summary line in console TEXT
    ("udp-tx": sent, bytes, elapsed_us, pps; "sink": received, ...;
    "ping-summary": sent, received), or None."""
    m = SUMMARY_RE[kind].search(text)
    if not m:
        return None
    names = {"udp-tx": ("sent", "bytes", "elapsed_us", "pps"),
             "sink": ("received", "bytes", "elapsed_us", "pps"),
             "ping-summary": ("sent", "received")}[kind]
    return dict(zip(names, (int(x) for x in m.groups())))


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def wait_console(path, needle, timeout, alive=None, what=None):
    """Waits until NEEDLE (a string or a compiled regex) is in the
    console log PATH; ALIVE(), if given, returns False once the guest is
    gone.  Returns the console text."""
    deadline = time.monotonic() + timeout
    while True:
        text = read_text(path)
        if (needle.search(text) if hasattr(needle, "search")
                else needle in text):
            return text
        if alive is not None and not alive():
            text = read_text(path)
            if (needle.search(text) if hasattr(needle, "search")
                    else needle in text):
                return text
            raise RuntimeError("%s: guest gone before %r; console: %s"
                               % (what or path, getattr(needle, "pattern",
                                                        needle),
                                  text[-600:]))
        if time.monotonic() > deadline:
            raise RuntimeError("%s: no %r within %d s; console: %s"
                               % (what or path, getattr(needle, "pattern",
                                                        needle),
                                  timeout, text[-600:]))
        time.sleep(0.005)


def smaps_rollup(pid):
    """{field: kB} from /proc/PID/smaps_rollup, plus VmRSS from status."""
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            m = re.match(r"(\w+):\s+(\d+) kB", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            m = re.match(r"(VmRSS|RssAnon|RssFile|RssShmem):\s+(\d+) kB",
                         line)
            if m:
                out["status_" + m.group(1)] = int(m.group(2))
    return out


def cpu_list(text):
    """The set of CPUs in taskset list syntax TEXT ("0", "0,2-3")."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def pin(pid, cpus):
    """Pins every thread of PID to CPUS (taskset list syntax)."""
    if cpus:
        sh(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=False)


class Guest:
    """One plx-vm started directly (standalone use), booting the test
    guest, its console in DIR/NAME.console; killed by PID."""

    def __init__(self, vm_bin, kernel, directory, name, cmdline, net,
                 memory=64, hugepages=False, cpus=None):
        self.name = name
        self.console_path = os.path.join(directory, name + ".console")
        self.out_path = os.path.join(directory, name + ".out")
        self.argv = ((["taskset", "-c", cpus] if cpus else []) +
                     [vm_bin, "--name", name, "--kernel", kernel,
                      "--cmdline", cmdline, "--memory", str(memory),
                      "--net", net, "--console-log", self.console_path,
                      "--unixctl", os.path.join(directory, name + ".ctl")]
                     + (["--hugepages"] if hugepages else []))
        self.proc = None

    def start(self):
        for path in (self.console_path, self.out_path):
            if os.path.exists(path):
                os.unlink(path)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=open(self.out_path, "w"),
                                     stderr=subprocess.STDOUT)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def console(self):
        return read_text(self.console_path)

    def output(self):
        """plx-vm's own stdout and stderr."""
        return read_text(self.out_path)

    def wait_console(self, needle, timeout):
        try:
            return wait_console(self.console_path, needle, timeout,
                                self.alive, self.name)
        except RuntimeError as e:
            raise RuntimeError("%s (plx-vm exit %s: %s)"
                               % (e, self.proc.poll(),
                                  self.output().strip()[-400:]))

    def wait(self, timeout):
        """plx-vm's exit status; killed and an error after TIMEOUT."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError("%s: plx-vm still running after %d s; "
                               "console: %s" % (self.name, timeout,
                                                self.console()[-600:]))

    def kill(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# -- The switches. --

class Switch:
    """What both switches share: a DaemonSet directory, a namespace for
    vswitchd, freezing with SIGSTOP."""

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.daemons = None
        self.vswitchd = None
        self.paused = False
        self.netns = "plxvmb-%s-%s" % (TAG, name[0])
        self.made_netns = False
        self.host_netns = []        # Namespaces of hosts on the bridge.
        self.vm_pids = []           # plx-vm processes seen (Plexus).

    def _make_netns(self):
        sh(["ip", "netns", "add", self.netns])
        self.made_netns = True
        sh(["ip", "-n", self.netns, "link", "set", "lo", "up"])

    def check_alive(self):
        if self.vswitchd is not None and self.vswitchd.poll() is not None:
            raise RuntimeError("%s: vswitchd exited with status %d: %s"
                               % (self.name, self.vswitchd.returncode,
                                  bs.tail(self.log_file, 10)))

    def pause(self):
        if self.vswitchd is not None and self.vswitchd.poll() is None \
                and not self.paused:
            time.sleep(0.5)     # Let it see the guests' disconnects.
            os.kill(self.vswitchd.pid, signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.paused and self.vswitchd.poll() is None:
            os.kill(self.vswitchd.pid, signal.SIGCONT)
            self.paused = False
            time.sleep(0.5)
        self.check_alive()

    def _wait(self, cond, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = cond()
            if value:
                return value
            self.check_alive()
            time.sleep(0.05)
        raise RuntimeError("%s: no %s after %d s" % (self.name, what,
                                                     timeout))

    def teardown(self):
        lib.release_daemons(self)
        # plx-vswitchd stops its VMs when it exits; any it left behind
        # (it was killed) go by PID.
        for pid in self.vm_pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.vm_pids = []
        for ns in self.host_netns:
            sh(["ip", "netns", "delete", ns], check=False)
        self.host_netns = []
        if self.made_netns:
            sh(["ip", "netns", "delete", self.netns], check=False)
            self.made_netns = False

    def vsctl(self, *args, check=True):
        return sh([self.vsctl_prog, "--db=unix:" + self.db_sock,
                   "--timeout=60"] + list(args), env=self.env, check=check,
                  timeout=90)

    def get(self, table, record, column):
        p = self.vsctl("--no-wait", "get", table, record, column,
                       check=False)
        return p.stdout.strip().strip('"') if not p.returncode else ""


class OvsDpdk(Switch):
    """Debian's ovs-vswitchd-dpdk with bridge br0 (netdev datapath,
    NORMAL), vhost-user ports added by add_port()."""

    def __init__(self, args, huge_dir):
        Switch.__init__(self, "ovs-dpdk", args)
        self.huge_dir = huge_dir
        self.vsctl_prog = "ovs-vsctl"

    def setup(self):
        lib.check_ovs_dpdk(("ovsdb-tool", "ovsdb-server", "ovs-vsctl",
                            "ovs-ofctl"))
        d, self.env, self.db_sock = bs.start_ovs_db("plx-bench-vm-ovs-")
        self.daemons = d
        self.dir = d.dir
        self.log_file = os.path.join(d.dir, "ovs-vswitchd.log")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   *lib.dpdk_other_config(self.args.pmd_mask,
                                          self.args.ovs_socket_mem,
                                          self.huge_dir,
                                          "plxvmb-ovs-%s" % TAG))
        self._make_netns()
        self.ctl = os.path.join(d.dir, "ovs-vswitchd.ctl")
        self.vswitchd = d.start("ovs-vswitchd", [
            "ip", "netns", "exec", self.netns, lib.OVS_DPDK_VSWITCHD,
            "unix:" + self.db_sock,
            "--pidfile=" + os.path.join(d.dir, "ovs-vswitchd.pid"),
            "--unixctl=" + self.ctl, "--log-file=" + self.log_file],
            self.env)
        bs.wait_for_socket(self.ctl, self.vswitchd, "ovs-vswitchd",
                           timeout=60)
        p = self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                       "datapath_type=netdev", check=False)
        if p.returncode:
            raise Skip("ovs-dpdk: cannot add a netdev bridge: %s"
                       % (p.stderr or p.stdout).strip())
        # A new bridge has one flow, priority=0 actions=NORMAL; say so
        # explicitly in case the defaults ever change.
        self.mgmt = "unix:%s/br0.mgmt" % d.dir
        sh(["ovs-ofctl", "del-flows", self.mgmt], env=self.env)
        sh(["ovs-ofctl", "add-flow", self.mgmt, "priority=0,actions=NORMAL"],
           env=self.env)
        self.check_alive()

    def add_port(self, name, client=False):
        """A vhost-user port NAME; returns the socket the frontend uses:
        OVS listens on it (dpdkvhostuser) or, with CLIENT, connects to
        it (dpdkvhostuserclient: plx-vm must listen there)."""
        if client:
            path = os.path.join(self.dir, name + ".sock")
            opts = ["type=dpdkvhostuserclient",
                    "options:vhost-server-path=" + path]
        else:
            path = os.path.join(self.dir, name)
            opts = ["type=dpdkvhostuser"]
        p = self.vsctl("add-port", "br0", name, "--", "set", "Interface",
                       name, *opts, check=False)
        if p.returncode:
            raise Skip("ovs-dpdk: cannot add port %s: %s"
                       % (name, (p.stderr or p.stdout).strip()))
        err = self.get("Interface", name, "error")
        if err and err != "[]":
            raise Skip("ovs-dpdk: Interface %s: %s" % (name, err))
        if not client:
            self._wait(lambda: os.path.exists(path),
                       "vhost-user socket %s" % path)
        return path

    def wait_link_up(self, name, timeout=20):
        self._wait(lambda: self.get("Interface", name, "link_state")
                   == "up", "link_state=up on %s" % name, timeout)


class Plexus(Switch):
    """plx-dbserver + plx-vswitchd from --builddir, bridge br0 (netdev
    datapath), VMs through plx-vsctl add-vm / add-vm-port."""

    def __init__(self, args):
        Switch.__init__(self, "plexus", args)

    def _prog(self, *parts):
        return lib.plx_program(self.args.builddir, *parts)

    def setup(self):
        if not self.args.builddir:
            raise Skip("no --builddir given")
        vswitchd = self._prog("vswitchd", "plx-vswitchd")
        dbserver = self._prog("ovsdb", "plx-dbserver")
        dbtool = self._prog("ovsdb", "plx-dbtool")
        self.vsctl_prog = self._prog("utilities", "plx-vsctl")
        vm_bin = self._prog("vmm", "plx-vm")
        schema = os.path.join(self.args.srcdir, "vswitchd",
                              "vswitch.ovsschema")
        d = self.daemons = bs.DaemonSet("plx-bench-vm-plexus-")
        self.dir = d.dir
        self.env = dict(os.environ, PLX_RUNDIR=d.dir, PLX_DBDIR=d.dir,
                        PLX_LOGDIR=d.dir, PLX_SYSCONFDIR=d.dir,
                        PLX_PKGDATADIR=self.args.srcdir)
        self.log_file = os.path.join(d.dir, "plx-vswitchd.log")
        db = os.path.join(d.dir, "conf.db")
        self.db_sock = os.path.join(d.dir, "db.sock")
        sh([dbtool, "create", db, schema], env=self.env)
        server = d.start("plx-dbserver", [
            dbserver, db, "--remote=punix:" + self.db_sock,
            "--pidfile=" + os.path.join(d.dir, "plx-dbserver.pid"),
            "--unixctl=" + os.path.join(d.dir, "plx-dbserver.ctl"),
            "--log-file=" + os.path.join(d.dir, "plx-dbserver.log")],
            self.env)
        bs.wait_for_socket(self.db_sock, server, "plx-dbserver")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:pmd-cpu-mask=%s" % self.args.pmd_mask,
                   "other_config:vm-binary=%s" % vm_bin)
        self._make_netns()
        self.ctl = os.path.join(d.dir, "plx-vswitchd.ctl")
        self.vswitchd = d.start("plx-vswitchd", [
            "ip", "netns", "exec", self.netns, vswitchd,
            "unix:" + self.db_sock, "--unixctl=" + self.ctl,
            "--pidfile=" + os.path.join(d.dir, "plx-vswitchd.pid"),
            "--log-file=" + self.log_file], self.env)
        bs.wait_for_socket(self.ctl, self.vswitchd, "plx-vswitchd")
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                   "datapath_type=netdev")
        # Once its PMD thread has pinned itself, the other threads go
        # where Open vSwitch's lcore mask puts its own, and so do the
        # plx-vm processes they start.  (Not before: plx-vswitchd only
        # uses cores its own affinity allows for PMDs.)
        self._wait(lambda: "pmd thread created on core"
                   in read_text(self.log_file), "PMD thread")
        if self.args.guest_cpus:
            all_cpus = os.sched_getaffinity(0)
            cpus = cpu_list(self.args.guest_cpus)
            for tid in os.listdir("/proc/%d/task" % self.vswitchd.pid):
                if os.sched_getaffinity(int(tid)) == all_cpus:
                    os.sched_setaffinity(int(tid), cpus)
        self.check_alive()

    def add_vm_argv(self, name, kernel, cmdline, memory, mac):
        return [self.vsctl_prog, "--db=unix:" + self.db_sock,
                "--timeout=60", "add-vm", name, kernel,
                "cmdline=" + cmdline, "memory_mb=%d" % memory,
                "other_config:restart=never", "--",
                "add-vm-port", "br0", name + "-eth0", name, "mac=" + mac]

    def add_vm(self, name, kernel, cmdline, memory=64, mac=MAC_A):
        sh(self.add_vm_argv(name, kernel, cmdline, memory, mac),
           env=self.env, timeout=90)

    def console_path(self, name):
        return os.path.join(self.dir, name + ".console")

    def vm_pid(self, name, timeout=20):
        """plx-vm's PID, from plx-vswitchd's "started plx-vm" line."""
        pat = re.compile(r"VM %s: started plx-vm, pid (\d+)"
                         % re.escape(name))
        m = self._wait(lambda: pat.search(read_text(self.log_file)),
                       "VM %s started" % name, timeout)
        pid = int(m.group(1))
        if pid not in self.vm_pids:
            self.vm_pids.append(pid)
        return pid

    def vm_started_at(self, name):
        """The wall-clock time of the "started plx-vm" log line."""
        for line in read_text(self.log_file).splitlines():
            if "VM %s: started plx-vm" % name in line:
                stamp = line.split("|", 1)[0]      # ...T20:36:33.867Z
                return calendar.timegm(time.strptime(
                    stamp[:19], "%Y-%m-%dT%H:%M:%S")) \
                    + float("0" + stamp[19:].rstrip("Z"))
        return None

    def wait_vm_ready(self, name, timeout=30):
        pid = self.vm_pid(name, timeout)
        return wait_console(self.console_path(name), "plx-guest: ready",
                            timeout, lambda: alive(pid), "VM " + name)

    def del_vm(self, name):
        self.vsctl("--if-exists", "del-vm", name, check=False)

    def add_host(self, name, addr):
        """A namespace with eth0 at ADDR whose veth peer is a port of
        br0 (in vswitchd's namespace).  Returns the namespace."""
        ns = "plxvmb-%s-%s" % (TAG, name)
        link = "pvb%s%s" % (TAG[-6:], name)[:15]
        sh(["ip", "netns", "add", ns])
        self.host_netns.append(ns)
        sh(["ip", "link", "add", link, "type", "veth", "peer", "name",
            "eth0", "netns", ns])
        sh(["ip", "link", "set", link, "netns", self.netns])
        for argv in (["ip", "-n", self.netns, "link", "set", link, "up"],
                     ["ip", "-n", ns, "link", "set", "lo", "up"],
                     ["ip", "-n", ns, "addr", "add", addr, "dev", "eth0"],
                     ["ip", "-n", ns, "link", "set", "eth0", "up"]):
            sh(argv)
        sh(["ip", "netns", "exec", ns, "sysctl", "-qw",
            "net.ipv6.conf.all.disable_ipv6=1"], check=False)
        self.vsctl("add-port", "br0", link)
        return ns


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- udp: VM to VM, a rate sweep and a zero-loss search. --

def udp_cmdlines(size, rate, duration_ms):
    """The sink's and the sender's command lines.  The sink counts until
    its power button, so that it sees all the sender's run."""
    rx = "ip=%s/24 sink=%d" % (IP_B, UDP_PORT)
    tx = ("ip=%s/24 udp-tx=%s:%d size=%d rate=%d duration_ms=%d exit=1"
          % (IP_A, IP_B, UDP_PORT, size, rate, duration_ms))
    return rx, tx


def udp_result(sw, size, rate, tx_text, rx_text):
    tx = summary(tx_text, "udp-tx")
    rx = summary(rx_text, "sink")
    if not tx or not rx:
        raise RuntimeError("%s %d: no summary line (tx: %s | rx: %s)"
                           % (sw.name, size, tx_text[-300:],
                              rx_text[-300:]))
    if rx["received"] < 2:
        raise RuntimeError("%s %d: the sink received %d datagrams; "
                           "sender: %s" % (sw.name, size, rx["received"],
                                           tx))
    loss = max(0.0, 1 - rx["received"] / tx["sent"])
    return {"bench": "vm-udp", "switch": sw.name, "size": size,
            "offered_pps": rate, "tx_pps": tx["pps"], "rx_pps": rx["pps"],
            "sent": tx["sent"], "received": rx["received"],
            "loss": round(loss, 5),
            "rx_gbps": round(rx["pps"] * size * 8 / 1e9, 3),
            "loadavg": round(os.getloadavg()[0], 2)}


def sink_name(args, rate, n):
    """The sink of a paced point is named "rxi..." and runs SCHED_IDLE
    (Plexus: through the vm-binary wrapper), so that the sender, asleep
    between its batches, gets the shared core back as soon as it wakes;
    an unpaced sender never sleeps, and its sink is "rx..." and runs
    SCHED_OTHER."""
    return ("rxi%d" if rate and args.sink_idle else "rx%d") % n


def plexus_vm_wrapper(sw, args):
    """A vm-binary for Plexus that runs "rxi..." VMs SCHED_IDLE, as
    udp_ovs() does; None without --sink-idle."""
    if not args.sink_idle:
        return None
    path = os.path.join(sw.dir, "plx-vm-idle")
    with open(path, "w") as f:
        f.write('#! /bin/sh\n# bench-vm: sinks of paced points run '
                'SCHED_IDLE.\ncase " $* " in *" --name rxi"*) exec chrt '
                '-i 0 "%s" "$@";; esac\nexec "%s" "$@"\n'
                % (args.vm_bin, args.vm_bin))
    os.chmod(path, 0o755)
    return path


def udp_plexus(sw, args, size, rate, n):
    rx_cmd, tx_cmd = udp_cmdlines(size, rate, args.duration_ms)
    rx, tx = sink_name(args, rate, n), "tx%d" % n
    timeout = args.duration_ms / 1000 + 20
    try:
        sw.add_vm(rx, args.guest, rx_cmd, mac=MAC_B)
        rx_pid = sw.vm_pid(rx)
        sw.wait_vm_ready(rx)
        sw.add_vm(tx, args.guest, tx_cmd, mac=MAC_A)
        sw.vm_pid(tx)
        tx_text = wait_console(sw.console_path(tx), SUMMARY_RE["udp-tx"],
                               timeout, what="VM " + tx)
        time.sleep(args.drain_ms / 1000)
        os.kill(rx_pid, signal.SIGTERM)         # Its power button.
        rx_text = wait_console(sw.console_path(rx), SUMMARY_RE["sink"],
                               10, lambda: alive(rx_pid), "VM " + rx)
    finally:
        sw.del_vm(tx)
        sw.del_vm(rx)
    return udp_result(sw, size, rate, tx_text, rx_text)


def udp_ovs(sw, args, size, rate, n):
    rx_cmd, tx_cmd = udp_cmdlines(size, rate, args.duration_ms)
    timeout = args.duration_ms / 1000 + 20
    b = Guest(args.vm_bin, args.guest, sw.dir, sink_name(args, rate, n),
              rx_cmd, "vhost-user,path=%s,server,mac=%s"
              % (sw.sock_b, MAC_B), cpus=args.guest_cpus)
    a = Guest(args.vm_bin, args.guest, sw.dir, "tx%d" % n, tx_cmd,
              "vhost-user,path=%s,mac=%s" % (sw.sock_a, MAC_A),
              cpus=args.guest_cpus)
    if b.name.startswith("rxi"):
        b.argv = ["chrt", "-i", "0"] + b.argv
    try:
        b.start()
        b.wait_console("plx-guest: ready", 30)
        sw.wait_link_up("vmb")
        a.start()
        tx_text = a.wait_console(SUMMARY_RE["udp-tx"], timeout)
        time.sleep(args.drain_ms / 1000)
        b.proc.send_signal(signal.SIGTERM)      # Its power button.
        rx_text = b.wait_console(SUMMARY_RE["sink"], 10)
        a.wait(10)
        b.wait(10)
    finally:
        a.kill()
        b.kill()
    return udp_result(sw, size, rate, tx_text, rx_text)


def median_of(recs, key):
    return statistics.median(r[key] for r in recs)


class UdpBench:
    """The udp measurement over SWITCHES (set up and frozen): runs
    points, keeps the switch under test the only one thawed, and drops
    a switch whose vswitchd died."""

    def __init__(self, switches, args, out, notes):
        self.switches = switches
        self.args = args
        self.out = out
        self.notes = notes
        self.dead = set()
        self.current = None         # The thawed switch.
        self.flip = False           # Order of the next round.
        self.n = 0
        self.results = {}           # (switch, size): zero-loss and bounds.

    def live(self):
        return [s.name for s in self.switches if s.name not in self.dead]

    def _thaw(self, sw):
        if self.current is not sw:
            if self.current is not None:
                self.current.pause()
            self.current = None
            sw.resume()
            self.current = sw

    def point(self, sw, size, rate, phase, rnd):
        """One point on SW; its record, or None when it failed."""
        self.n += 1
        log("udp: %-8s %4d bytes, %-7s %s pps, round %d"
            % (sw.name, size, phase, rate or "unpaced", rnd))
        try:
            self._thaw(sw)
            fn = udp_ovs if sw.name == "ovs-dpdk" else udp_plexus
            rec = fn(sw, self.args, size, rate, self.n)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            self.notes.append("udp %s %d at %d pps: failed: %s"
                              % (sw.name, size, rate, e))
            log(self.notes[-1])
            try:
                sw.check_alive()
            except RuntimeError as e2:
                self.notes.append(str(e2))
                self.dead.add(sw.name)
                self.current = None
            return None
        rec.update(phase=phase, round=rnd)
        self.out.emit(rec)
        return rec

    def run_rates(self, rates, size, phase, rounds):
        """RATES: {switch name: offered pps}.  Runs each ROUNDS times,
        the switches interleaved, their order alternating per round.
        Returns {switch name: [records]}."""
        got = {name: [] for name in rates}
        for rnd in range(rounds):
            order = [s for s in self.switches if s.name in rates]
            if self.flip:
                order.reverse()
            self.flip = not self.flip
            for sw in order:
                if sw.name not in self.dead:
                    rec = self.point(sw, size, rates[sw.name], phase, rnd)
                    if rec:
                        got[sw.name].append(rec)
        return got

    def good(self, recs, rate):
        return (median_of(recs, "loss") < self.args.loss_limit
                and median_of(recs, "tx_pps") >= self.args.keep_up * rate)

    def run_size(self, size):
        args = self.args
        names = self.live()
        lo = dict.fromkeys(names, 0)        # Highest good rate.
        hi = dict.fromkeys(names)           # Lowest bad rate above lo.
        streak = dict.fromkeys(names, 0)
        for rate in args.rates:
            climbing = [n for n in self.live()
                        if n in names and streak[n] < 2]
            if not climbing:
                break
            got = self.run_rates(dict.fromkeys(climbing, rate), size,
                                 "sweep", args.sweep_rounds)
            for n, recs in got.items():
                if not recs:
                    streak[n] += 1
                    continue
                if hi[n] is None:
                    if self.good(recs, rate):
                        lo[n] = rate
                    else:
                        hi[n] = rate
                heavy = median_of(recs, "loss") > args.stop_loss
                streak[n] = streak[n] + 1 if heavy else 0
        self.run_rates(dict.fromkeys(self.live(), 0), size, "unpaced",
                       args.rounds)
        for _ in range(args.search_steps):
            mids = {}
            for n in self.live():
                if n in names and hi[n] is not None:
                    mid = int(round((lo[n] + hi[n]) / 2000.0)) * 1000
                    if lo[n] < mid < hi[n]:
                        mids[n] = mid
            if not mids:
                break
            got = self.run_rates(mids, size, "search", args.rounds)
            for n, recs in got.items():
                if recs:
                    if self.good(recs, mids[n]):
                        lo[n] = mids[n]
                    else:
                        hi[n] = mids[n]
        for n in names:
            self.results[(n, size)] = (lo[n], hi[n])

    def run(self):
        plexus = [s for s in self.switches if s.name == "plexus"]
        wrapper = plexus and plexus_vm_wrapper(plexus[0], self.args)
        try:
            if wrapper:
                self._thaw(plexus[0])
                plexus[0].vsctl("--no-wait", "set", "Open_vSwitch", ".",
                                "other_config:vm-binary=" + wrapper)
            for size in self.args.sizes:
                self.run_size(size)
        finally:
            if wrapper and plexus[0].name not in self.dead:
                self._thaw(plexus[0])
                plexus[0].vsctl("--no-wait", "set", "Open_vSwitch", ".",
                                "other_config:vm-binary="
                                + self.args.vm_bin)
            if self.current is not None:
                self.current.pause()
                self.current = None


# -- start: add-vm to the first frame. --

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
ETH_P_ALL = 3
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)   # Not in 3.11.


def packet_socket_in(netns, ifname):
    """An AF_PACKET socket on IFNAME in namespace NETNS, with kernel
    receive timestamps (SO_TIMESTAMPNS)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + netns, os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + netns)
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.bind((ifname, 0))
        finally:
            if libc.setns(own, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(own)
        os.close(target)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setblocking(False)
    return s


def frame_time(sock, mac):
    """The kernel timestamp of the first queued frame from MAC, or
    None; reads everything queued."""
    want = bytes(int(x, 16) for x in mac.split(":"))
    while True:
        try:
            data, anc, _, _ = sock.recvmsg(64, socket.CMSG_SPACE(16))
        except BlockingIOError:
            return None
        if data[6:12] != want:
            continue
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and \
                    kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", value[:16])
                return sec + nsec / 1e9
        return time.time()


def drain(sock):
    while True:
        try:
            sock.recv(64)
        except BlockingIOError:
            return


def run_start(sw, args, out, notes):
    sw.resume()
    ns = sw.add_host("h", IP_HOST + "/24")
    sock = packet_socket_in(ns, "eth0")
    try:
        for rnd in range(args.start_rounds):
            name = "st%d" % rnd
            mac = "52:54:00:00:01:%02x" % (rnd + 1)
            argv = sw.add_vm_argv(name, args.guest,
                                  "ip=10.0.0.%d/24 ping=%s count=1 exit=1"
                                  % (50 + rnd, IP_HOST), 64, mac)
            drain(sock)
            log("start: round %d" % rnd)
            try:
                t0 = time.time()
                sh(argv, env=sw.env, timeout=90)
                t_vsctl = time.time()
                t_ready = t_frame = None
                path = sw.console_path(name)
                deadline = time.monotonic() + 30
                while t_frame is None or t_ready is None:
                    if time.monotonic() > deadline:
                        raise RuntimeError("start: round %d: no %s in 30 s"
                                           % (rnd, "frame" if t_ready
                                              else "ready"))
                    select.select([sock], [], [], 0.001)
                    if t_frame is None:
                        t_frame = frame_time(sock, mac)
                    if t_ready is None and \
                            "plx-guest: ready" in read_text(path):
                        t_ready = time.time()
                wait_console(path, SUMMARY_RE["ping-summary"], 30,
                             what="VM " + name)
                t_start = sw.vm_started_at(name)
                ms = lambda a, b: round((b - a) * 1000, 2) \
                    if a is not None and b is not None else None
                out.emit({"bench": "vm-start", "switch": "plexus",
                          "round": rnd, "total_ms": ms(t0, t_frame),
                          "vsctl_ms": ms(t0, t_vsctl),
                          "to_plx_vm_start_ms": ms(t0, t_start),
                          "plx_vm_start_to_ready_ms": ms(t_start, t_ready),
                          "ready_to_frame_ms": ms(t_ready, t_frame)})
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                notes.append("start round %d: failed: %s" % (rnd, e))
                log(notes[-1])
            finally:
                sw.del_vm(name)
    finally:
        sock.close()
        sw.pause()


# -- memory: an idle VM. --

def run_memory(sw, args, out, notes):
    sw.resume()
    try:
        for mib in args.memory_sizes:
            name = "mem%d" % mib
            log("memory: %d MiB" % mib)
            try:
                time.sleep(0.5)
                before = smaps_rollup(sw.vswitchd.pid)
                sw.add_vm(name, args.guest, "ip=10.0.0.40/24", mib,
                          "52:54:00:00:02:01")
                pid = sw.vm_pid(name)
                pin(pid, args.guest_cpus)
                sw.wait_vm_ready(name)
                time.sleep(args.settle)
                vm = smaps_rollup(pid)
                after = smaps_rollup(sw.vswitchd.pid)
                rss = vm["status_VmRSS"]
                shmem = vm["status_RssShmem"]
                out.emit({
                    "bench": "vm-memory", "switch": "plexus",
                    "memory_mb": mib, "vm_rss_kb": rss,
                    "vm_rss_anon_kb": vm["status_RssAnon"],
                    "vm_rss_file_kb": vm["status_RssFile"],
                    "vm_rss_shmem_kb": shmem,
                    "vm_pss_kb": vm.get("Pss"),
                    "overhead_kb": rss - shmem,
                    "vswitchd_rss_before_kb": before["Rss"],
                    "vswitchd_rss_after_kb": after["Rss"],
                    "vswitchd_rss_delta_kb": after["Rss"] - before["Rss"],
                    "vswitchd_anon_delta_kb": after["Anonymous"]
                    - before["Anonymous"],
                    "vswitchd_shmem_delta_kb": after["status_RssShmem"]
                    - before["status_RssShmem"]})
            except (RuntimeError, OSError, KeyError,
                    subprocess.TimeoutExpired) as e:
                notes.append("memory %d MiB: failed: %s" % (mib, e))
                log(notes[-1])
            finally:
                sw.del_vm(name)
    finally:
        sw.pause()


# -- Output. --

class Results:
    def __init__(self):
        self.records = []

    def emit(self, rec):
        print(json.dumps(rec), flush=True)
        self.records.append(rec)


def spread(values):
    return {"median": round(statistics.median(values), 1),
            "min": min(values), "max": max(values), "n": len(values)}


def udp_summary(res, size, name, bounds):
    """The vm-udp-summary record of switch NAME at SIZE; BOUNDS: (the
    highest good rate, 0 if none; the lowest bad rate above it, None if
    none)."""
    lo, hi = bounds
    recs = [r for r in res.records if r["bench"] == "vm-udp"
            and r["switch"] == name and r["size"] == size]
    rec = {"bench": "vm-udp-summary", "switch": name, "size": size,
           "zero_loss_pps": lo, "first_bad_pps": hi}
    at = [r for r in recs if r["phase"] != "unpaced"
          and r["offered_pps"] == lo]
    if at:
        rec["zero_loss_tx"] = spread([r["tx_pps"] for r in at])
        rec["zero_loss_rx"] = spread([r["rx_pps"] for r in at])
    unpaced = [r for r in recs if r["phase"] == "unpaced"]
    if unpaced:
        rec["unpaced_rx"] = spread([r["rx_pps"] for r in unpaced])
        rec["unpaced_tx"] = spread([r["tx_pps"] for r in unpaced])
        rec["unpaced_loss"] = round(median_of(unpaced, "loss"), 4)
    rates = sorted({r["offered_pps"] for r in recs
                    if r["phase"] != "unpaced"})
    rec["points"] = []          # [offered, tx, rx, loss, n], medians.
    for rate in rates:
        pts = [r for r in recs if r["phase"] != "unpaced"
               and r["offered_pps"] == rate]
        rec["points"].append([rate] + [median_of(pts, k) for k in
                                       ("tx_pps", "rx_pps", "loss")]
                             + [len(pts)])
    return rec


def summarize(res, args, udp_bounds):
    lines = []
    for size in args.sizes:
        for name in SWITCHES:
            if (name, size) in udp_bounds:
                lines.append(udp_summary(res, size, name,
                                         udp_bounds[(name, size)]))
    st = [r for r in res.records if r["bench"] == "vm-start"]
    if st:
        rec = {"bench": "vm-start-summary", "switch": "plexus"}
        for k in ("total_ms", "vsctl_ms", "to_plx_vm_start_ms",
                  "plx_vm_start_to_ready_ms", "ready_to_frame_ms"):
            vals = [r[k] for r in st if r.get(k) is not None]
            if vals:
                rec[k] = spread(vals)
        lines.append(rec)
    for rec in lines:
        res.emit(rec)
    return lines


def kpps(x):
    return "%.1fk" % (x / 1000.0)


def udp_table(lines, args, f):
    """The udp rows of the table: per size, a column per switch."""
    for size in args.sizes:
        by = {r["switch"]: r for r in lines
              if r["bench"] == "vm-udp-summary" and r["size"] == size}
        if not by:
            continue
        rows = [("VM->VM UDP, %d-byte frames" % size, lambda r: r["switch"])]

        def zl(r):
            if r["first_bad_pps"] is None:
                return ">= %d" % r["zero_loss_pps"]
            if not r["zero_loss_pps"]:
                return "< %d" % r["first_bad_pps"]
            return "%d" % r["zero_loss_pps"]

        def at(r):
            if "zero_loss_tx" not in r:
                return "-"
            return "%s / %s (n=%d)" % (kpps(r["zero_loss_tx"]["median"]),
                                       kpps(r["zero_loss_rx"]["median"]),
                                       r["zero_loss_rx"]["n"])

        def unp(key):
            def cell(r):
                if key not in r:
                    return "-"
                v = r[key]
                return "%s (%s-%s)" % (kpps(v["median"]), kpps(v["min"]),
                                       kpps(v["max"]))
            return cell
        rows += [("zero-loss rate, pps", zl),
                 ("  sent / received there", at),
                 ("unpaced: received pps", unp("unpaced_rx")),
                 ("unpaced: sent pps", unp("unpaced_tx")),
                 ("unpaced: loss", lambda r: "%.1f%%"
                  % (100 * r["unpaced_loss"]) if "unpaced_loss" in r
                  else "-")]
        for label, cell in rows:
            print("%-28s" % label + "".join(
                " %24s" % (cell(by[s]) if s in by else "-")
                for s in SWITCHES), file=f)
        for s in SWITCHES:
            if s in by:
                pts = ["%s %s/%s %.2f%%%s" % (kpps(p[0]), kpps(p[1]),
                                              kpps(p[2]), 100 * p[3],
                                              "" if p[4] == 1
                                              else " x%d" % p[4])
                       for p in by[s]["points"]]
                print("  %s: offered sent/received loss (median of xN): "
                      "%s" % (s, ", ".join(pts)), file=f)


def print_table(res, lines, notes, args):
    f = sys.stderr
    print("", file=f)
    print("machine: %s" % bs.machine(), file=f)
    la = [r["loadavg"] for r in res.records if r["bench"] == "vm-udp"]
    print("PMD pmd-cpu-mask=%s, guests on CPUs %s; udp: %d ms a point, "
          "zero loss = loss < %.2f%% and sent >= %d%% of offered, "
          "medians of %d round(s); load average during udp %s, now %.2f"
          % (args.pmd_mask, args.guest_cpus or "any", args.duration_ms,
             100 * args.loss_limit, 100 * args.keep_up, args.rounds,
             "%.2f-%.2f" % (min(la), max(la)) if la else "-",
             os.getloadavg()[0]), file=f)
    udp_table(lines, args, f)
    for r in lines:
        if r["bench"] == "vm-start-summary":
            print("start (plexus), median ms over %d: "
                  % r["total_ms"]["n"] if "total_ms" in r else
                  "start (plexus), median ms: ", end="", file=f)
            print(", ".join("%s %s" % (k[:-3], v["median"])
                            for k, v in r.items()
                            if isinstance(v, dict)), file=f)
    for r in res.records:
        if r["bench"] == "vm-memory":
            print("memory %4d MiB VM: plx-vm RSS %d kB = guest memory "
                  "touched (RssShmem) %d + overhead %d (anon %d, file "
                  "%d); plx-vswitchd RSS +%d kB (anon %+d, shmem %+d)"
                  % (r["memory_mb"], r["vm_rss_kb"], r["vm_rss_shmem_kb"],
                     r["overhead_kb"], r["vm_rss_anon_kb"],
                     r["vm_rss_file_kb"], r["vswitchd_rss_delta_kb"],
                     r["vswitchd_anon_delta_kb"],
                     r["vswitchd_shmem_delta_kb"]), file=f)
    for n in notes:
        print(n, file=f)


def main():
    p = argparse.ArgumentParser(
        description="VMs (plx-vm + test guest) on Plexus and on Open "
        "vSwitch with DPDK: VM-to-VM UDP rate, start time, memory.")
    bs.add_dir_args(p)
    p.add_argument("--rounds", type=int, default=3,
                   help="udp: runs of each unpaced and search point "
                   "(default 3)")
    p.add_argument("--rates", type=lambda v: int(float(v.rstrip("kK"))
                                                 * (1000 if v[-1] in "kK"
                                                    else 1)),
                   nargs="+", default=[50000, 100000, 200000, 400000,
                                       800000, 1600000, 3200000],
                   help="udp: offered rates of the sweep, pps, ascending "
                   "(e.g. 50k; default 50k 100k 200k 400k 800k 1600k "
                   "3200k)")
    p.add_argument("--sweep-rounds", type=int, default=1,
                   help="udp: runs of each sweep point (default 1)")
    p.add_argument("--search-steps", type=int, default=4,
                   help="udp: bisection steps after the sweep "
                   "(default 4)")
    p.add_argument("--loss-limit", type=float, default=0.001,
                   help="udp: a good rate loses less than this "
                   "(default 0.001)")
    p.add_argument("--keep-up", type=float, default=0.8,
                   help="udp: ... and sends at least this share of the "
                   "offered rate (default 0.8)")
    p.add_argument("--stop-loss", type=float, default=0.2,
                   help="udp: the sweep stops after two points in a row "
                   "losing more than this (default 0.2)")
    p.add_argument("--start-rounds", type=int, default=5,
                   help="start-time rounds (default 5)")
    p.add_argument("--sizes", type=int, nargs="+", default=[64, 1500],
                   help="UDP frame sizes (default 64 1500)")
    p.add_argument("--duration-ms", type=int, default=2000,
                   help="udp: guest A sends this long (default 2000)")
    p.add_argument("--sink-idle", dest="sink_idle",
                   action="store_true",
                   help="udp: run the sink of a paced point SCHED_IDLE "
                   "(once useful when the guests spun; not since they "
                   "sleep between bursts)")
    p.add_argument("--drain-ms", type=int, default=100,
                   help="udp: the sink's power button comes this long "
                   "after the sender's summary (default 100)")
    p.add_argument("--memory-sizes", type=int, nargs="+",
                   default=[64, 256], help="memory: VM sizes in MiB")
    p.add_argument("--settle", type=float, default=1.0,
                   help="memory: seconds after ready before reading")
    p.add_argument("--tests", nargs="+", choices=("udp", "start",
                                                  "memory"),
                   default=["udp", "start", "memory"])
    p.add_argument("--only", choices=SWITCHES, action="append",
                   help="udp: measure only this switch (repeatable)")
    p.add_argument("--pmd-mask", default="0x2",
                   help="pmd-cpu-mask for both switches (default 0x2)")
    p.add_argument("--guest-cpus", default="0",
                   help="CPUs for the plx-vm processes (taskset list; "
                   "empty: unpinned; default 0)")
    p.add_argument("--ovs-socket-mem", type=int, default=512,
                   help="Open vSwitch dpdk-socket-mem, MB (default 512)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 64 bytes, 3 rates, 1 round, 1 s, 1 "
                   "search step, 2 starts")
    args = p.parse_args()
    args.rates = sorted(r for r in args.rates if r > 0)
    if args.quick:
        args.rounds = 1
        args.sizes = [64]
        args.rates = [50000, 200000, 800000]
        args.search_steps = 1
        args.duration_ms = 1000
        args.start_rounds = 2
        args.memory_sizes = [64]

    if os.geteuid() != 0:
        log("skipped: needs root (namespaces, hugepages)")
        return 0
    if (os.cpu_count() or 0) < 2:
        log("skipped: needs two cores")
        return 0
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        log("skipped: no usable /dev/kvm")
        return 0
    args.vm_bin = os.path.join(args.builddir, "vmm", "plx-vm")
    args.guest = os.path.join(args.builddir, "tests", "guest", "plx-guest",
                              "plx-guest")
    for path in (args.vm_bin, args.guest):
        if not os.path.exists(path):
            log("skipped: %s not built" % path)
            return 0

    bs.interrupt_on_sigterm()

    res = Results()
    notes = []
    started = time.monotonic()
    udp = None
    switches = []
    plexus = None
    want = [s for s in SWITCHES if not args.only or s in args.only]
    huge = lib.HugePages(args.ovs_socket_mem // 2 + 64)
    try:
        if "udp" in args.tests and "ovs-dpdk" in want:
            try:
                huge.setup()
                sw = OvsDpdk(args, huge.dir)
                switches.append(sw)
                log("ovs-dpdk: setting up")
                sw.setup()
                sw.sock_a = sw.add_port("vma")
                sw.sock_b = sw.add_port("vmb", client=True)
                sw.pause()
            except Skip as e:
                notes.append("ovs-dpdk: skipped: %s" % e)
                log(notes[-1])
                switches.pop().teardown()
        if "plexus" in want or set(args.tests) - {"udp"}:
            plexus = Plexus(args)
            switches.append(plexus)
            log("plexus: setting up")
            try:
                plexus.setup()
                plexus.pause()
            except Skip as e:
                notes.append("plexus: skipped: %s" % e)
                log(notes[-1])
                switches.pop().teardown()
                plexus = None
        try:
            if "udp" in args.tests:
                udp = UdpBench([s for s in switches if s.name in want],
                               args, res, notes)
                udp.run()
            if plexus and "start" in args.tests:
                run_start(plexus, args, res, notes)
            if plexus and "memory" in args.tests:
                run_memory(plexus, args, res, notes)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
            notes.append("failed: %s" % e)
            log(notes[-1])
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        for sw in switches:
            sw.teardown()
        huge.close()
    lines = summarize(res, args, udp.results if udp else {})
    print_table(res, lines, notes, args)
    log("done in %.0f s" % (time.monotonic() - started))
    return 1 if any("failed" in n for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
