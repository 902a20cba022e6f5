#!/usr/bin/python3
"""bench-switch: one switch topology, three datapaths, one run.

Two network namespaces, each with one end of a veth pair (10.250.0.1 and
10.250.0.2, /24); the other ends sit in the root namespace and are
joined by, in turn:

  linux-bridge  a Linux bridge (the kernel's own forwarding, a baseline);
  ovs-netdev    Debian's Open vSwitch, userspace datapath
                (datapath_type=netdev), ports the veth ends;
  plexus        plx-dbserver + plx-vswitchd + plx-vsctl from --builddir.

For each: iperf3 TCP throughput (Gbit/s, receiver side) and small-packet
UDP rate (iperf3 -u -l 64 -b 0; packets per second that iperf3
received, and "delivered": packets per second the receiving namespace's
interface took in from the datapath, counted before the receiver's socket
buffer overflows -- on two cores the sender, the receiver and the
datapath compete for CPU, so the receiving application, not the switch,
is often what drops), each for
--duration seconds after --warmup seconds that are left out (iperf3 -O)
and after the path has answered a ping.  Output: one JSON line per result
on stdout, e.g.

  {"bench":"switch","datapath":"ovs-netdev","test":"tcp","gbps":2.31}

then a table on stderr.

Offloads are the same for all three: "ethtool -K DEV tx off" on all four
veth ends.  Open vSwitch's userspace datapath needs it (without
userspace-tso-enable it cannot forward the TSO super-frames and
checksum-partial packets a veth sends), so the others get the same, to
compare like with like.

Every daemon runs in its own temporary directory (its own database, pid
file, control socket and log; OVS_RUNDIR/OVS_DBDIR/... and PLX_RUNDIR/...
point there), and is killed by PID; the namespaces, the veth pairs and the
bridges carry this process's PID in their names and are removed on exit,
however the run ends.  Open vSwitch's pmd-cpu-mask (and Plexus's) is set
to one core so that a PMD cannot take both cores of a two-core machine.
Needs root; without it (as under "make bench" run as a user) it says so
and exits 0.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ADDR_A = "10.250.0.1"
ADDR_B = "10.250.0.2"
IPERF_PORT = 5201
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


class Skip(Exception):
    """This datapath cannot be measured here; the message says why."""


def interrupt_on_sigterm():
    """Turns SIGTERM into KeyboardInterrupt, so that a benchmark killed
    by make or a timeout still runs its cleanup."""
    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)


def log(msg):
    print("bench-switch: " + msg, file=sys.stderr, flush=True)


def sh(argv, check=True, env=None, timeout=60, quiet=False):
    p = subprocess.run(argv, capture_output=True, text=True, env=env,
                       timeout=timeout)
    if check and p.returncode:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv),
                                                   p.returncode,
                                                   (p.stderr or p.stdout)
                                                   .strip()))
    return p


def link_exists(name, netns=None):
    argv = ["ip"] + (["-n", netns] if netns else []) + ["link", "show",
                                                        name]
    return sh(argv, check=False).returncode == 0


def stop_proc(proc, name):
    """SIGTERM, then SIGKILL after 10 s, for a child we started."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log("%s (pid %d) ignored SIGTERM; killing" % (name, proc.pid))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_for_socket(path, proc, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Skip("%s exited with status %d" % (what, proc.returncode))
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.close()
            return
        except OSError:
            time.sleep(0.05)
    raise Skip("%s did not create %s" % (what, path))


def start_ovs_db(prefix):
    """Open vSwitch's ovsdb-server on a new database in a DaemonSet of
    its own, with the OVS_* variables pointing there.  Returns
    (daemons, env, db_sock) once the server answers."""
    d = DaemonSet(prefix)
    env = dict(os.environ, OVS_RUNDIR=d.dir, OVS_DBDIR=d.dir,
               OVS_LOGDIR=d.dir, OVS_SYSCONFDIR=d.dir,
               OVS_PKGDATADIR="/usr/share/openvswitch")
    db = os.path.join(d.dir, "conf.db")
    db_sock = os.path.join(d.dir, "db.sock")
    sh(["ovsdb-tool", "create", db, OVS_SCHEMA], env=env)
    server = d.start("ovsdb-server", [
        "ovsdb-server", db, "--remote=punix:" + db_sock,
        "--pidfile=" + os.path.join(d.dir, "ovsdb-server.pid"),
        "--unixctl=" + os.path.join(d.dir, "ovsdb-server.ctl"),
        "--log-file=" + os.path.join(d.dir, "ovsdb-server.log")], env)
    wait_for_socket(db_sock, server, "ovsdb-server")
    return d, env, db_sock



def wait_for_file(path, proc, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Skip("%s exited with status %d" % (what, proc.returncode))
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise Skip("%s did not create %s" % (what, path))


def tail(path, n=5):
    try:
        with open(path) as f:
            return " | ".join(f.read().splitlines()[-n:])
    except OSError:
        return ""


class Topology:
    """The namespaces and veth pairs, named after this process's PID."""

    def __init__(self):
        tag = str(os.getpid())
        self.ns_a = "plxbench-%s-a" % tag
        self.ns_b = "plxbench-%s-b" % tag
        # Root-namespace ends; at most 15 characters.
        self.host_a = "plxbA%s" % tag[-9:]
        self.host_b = "plxbB%s" % tag[-9:]
        self.created = []

    def setup(self):
        for ns, host, addr in ((self.ns_a, self.host_a, ADDR_A),
                               (self.ns_b, self.host_b, ADDR_B)):
            sh(["ip", "netns", "add", ns])
            self.created.append(("ns", ns))
            sh(["ip", "link", "add", host, "type", "veth", "peer", "name",
                "eth0", "netns", ns])
            self.created.append(("link", host))
            sh(["ip", "-n", ns, "addr", "add", addr + "/24", "dev",
                "eth0"])
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            sh(["ip", "-n", ns, "link", "set", "eth0", "up"])
            sh(["ip", "link", "set", host, "up"])
            # The same offloads whichever datapath forwards.
            sh(["ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx",
                "off"])
            sh(["ethtool", "-K", host, "tx", "off"])
            # No IPv6 chatter (router solicitations, DAD) in the numbers:
            # everywhere in the namespaces, on the host ends only.
            sh(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                "net.ipv6.conf.all.disable_ipv6=1"], check=False)
            sh(["sysctl", "-q", "-w",
                "net.ipv6.conf.%s.disable_ipv6=1" % host], check=False)

    def teardown(self):
        for kind, name in reversed(self.created):
            if kind == "ns":
                sh(["ip", "netns", "delete", name], check=False)
            elif link_exists(name):
                sh(["ip", "link", "delete", name], check=False)
        self.created = []

    def ns_exec(self, ns):
        return ["ip", "netns", "exec", ns]


class LinuxBridge:
    name = "linux-bridge"

    def __init__(self, topo, args):
        self.topo = topo
        self.bridge = "plxbr%s" % str(os.getpid())[-9:]
        self.made = False

    def setup(self):
        sh(["ip", "link", "add", self.bridge, "type", "bridge"])
        self.made = True
        # Forward at once: no STP, no learning delay.
        sh(["ip", "link", "set", self.bridge, "type", "bridge",
            "stp_state", "0", "forward_delay", "0"])
        for host in (self.topo.host_a, self.topo.host_b):
            sh(["ip", "link", "set", host, "master", self.bridge])
        sh(["ip", "link", "set", self.bridge, "up"])

    def teardown(self):
        for host in (self.topo.host_a, self.topo.host_b):
            if link_exists(host):
                sh(["ip", "link", "set", host, "nomaster"], check=False)
        if self.made and link_exists(self.bridge):
            sh(["ip", "link", "delete", self.bridge], check=False)


class DaemonSet:
    """Daemons started in a temporary directory, killed by PID."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.procs = []

    def start(self, name, argv, env):
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(
                                    self.dir, name + ".stderr"), "w"))
        self.procs.append((name, proc))
        return proc

    def stop(self):
        for name, proc in reversed(self.procs):
            stop_proc(proc, name)
        self.procs = []

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class OvsNetdev:
    name = "ovs-netdev"

    def __init__(self, topo, args):
        self.topo = topo
        self.bridge = "plxbo%s" % str(os.getpid())[-9:]
        self.daemons = None
        self.made_ovs_netdev = False

    def setup(self):
        for prog in ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd",
                     "ovs-vsctl"):
            if not shutil.which(prog):
                raise Skip("%s not installed" % prog)
        if not os.path.exists(OVS_SCHEMA):
            raise Skip("%s missing" % OVS_SCHEMA)
        # The userspace datapath's own tap device has a fixed name: if it
        # exists, another Open vSwitch is running, which we must not touch.
        if link_exists("ovs-netdev"):
            raise Skip("an ovs-netdev device exists (another Open vSwitch "
                       "with a userspace datapath is running)")

        d, env, self.db_sock = start_ovs_db("plx-bench-ovs-")
        self.daemons, self.env = d, env
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:pmd-cpu-mask=0x1")
        self.made_ovs_netdev = True
        vswitchd = d.start("ovs-vswitchd", [
            "ovs-vswitchd", "unix:" + self.db_sock,
            "--pidfile=" + os.path.join(d.dir, "ovs-vswitchd.pid"),
            "--unixctl=" + os.path.join(d.dir, "ovs-vswitchd.ctl"),
            "--log-file=" + os.path.join(d.dir, "ovs-vswitchd.log")], env)
        wait_for_socket(os.path.join(d.dir, "ovs-vswitchd.ctl"), vswitchd,
                        "ovs-vswitchd")
        self.vsctl("--timeout=30", "add-br", self.bridge, "--", "set",
                   "bridge", self.bridge, "datapath_type=netdev", "--",
                   "add-port", self.bridge, self.topo.host_a, "--",
                   "add-port", self.bridge, self.topo.host_b)
        if vswitchd.poll() is not None:
            raise Skip("ovs-vswitchd exited: %s"
                       % tail(os.path.join(d.dir, "ovs-vswitchd.log")))

    def vsctl(self, *args):
        return sh(["ovs-vsctl", "--db=unix:" + self.db_sock] + list(args),
                  env=self.env)

    def teardown(self):
        if self.daemons:
            self.daemons.stop()
            self.daemons.remove()
        # ovs-vswitchd removes its taps on a clean exit; after a crash,
        # the ones this run created.
        if link_exists(self.bridge):
            sh(["ip", "link", "delete", self.bridge], check=False)
        if self.made_ovs_netdev and link_exists("ovs-netdev"):
            sh(["ip", "link", "delete", "ovs-netdev"], check=False)


class Plexus:
    name = "plexus"

    def __init__(self, topo, args):
        self.topo = topo
        self.builddir = args.builddir
        self.srcdir = args.srcdir
        self.bridge = "plxbp%s" % str(os.getpid())[-9:]
        self.daemons = None

    def prog(self, *parts):
        path = os.path.join(self.builddir, *parts)
        if not os.access(path, os.X_OK):
            raise Skip("%s not built" % path)
        return path

    def setup(self):
        if not self.builddir:
            raise Skip("no --builddir given")
        vswitchd = self.prog("vswitchd", "plx-vswitchd")
        dbserver = self.prog("ovsdb", "plx-dbserver")
        dbtool = self.prog("ovsdb", "plx-dbtool")
        self.vsctl_prog = self.prog("utilities", "plx-vsctl")
        schema = os.path.join(self.srcdir, "vswitchd", "vswitch.ovsschema")

        d = self.daemons = DaemonSet("plx-bench-plexus-")
        env = dict(os.environ, PLX_RUNDIR=d.dir, PLX_DBDIR=d.dir,
                   PLX_LOGDIR=d.dir, PLX_SYSCONFDIR=d.dir,
                   PLX_PKGDATADIR=self.srcdir)
        self.env = env
        db = os.path.join(d.dir, "conf.db")
        self.db_sock = os.path.join(d.dir, "db.sock")
        sh([dbtool, "create", db, schema], env=env)
        server = d.start("plx-dbserver", [
            dbserver, db, "--remote=punix:" + self.db_sock, "--pidfile",
            "--log-file=" + os.path.join(d.dir, "plx-dbserver.log")], env)
        wait_for_socket(self.db_sock, server, "plx-dbserver")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:pmd-cpu-mask=0x1")
        proc = d.start("plx-vswitchd", [
            vswitchd, "unix:" + self.db_sock, "--pidfile",
            "--log-file=" + os.path.join(d.dir, "plx-vswitchd.log")], env)
        wait_for_file(os.path.join(d.dir, "plx-vswitchd.pid"), proc,
                      "plx-vswitchd")
        self.vsctl("--timeout=30", "add-br", self.bridge, "--",
                   "add-port", self.bridge, self.topo.host_a, "--",
                   "add-port", self.bridge, self.topo.host_b)
        if proc.poll() is not None:
            raise Skip("plx-vswitchd exited: %s"
                       % tail(os.path.join(d.dir, "plx-vswitchd.log")))

    def vsctl(self, *args):
        return sh([self.vsctl_prog, "--db=unix:" + self.db_sock]
                  + list(args), env=self.env)

    def teardown(self):
        if self.daemons:
            self.daemons.stop()
            self.daemons.remove()
        if link_exists(self.bridge):
            sh(["ip", "link", "delete", self.bridge], check=False)


DATAPATHS = [LinuxBridge, OvsNetdev, Plexus]


def wait_for_path(topo, timeout=20):
    """Pings B from A until it answers (ARP resolved, MACs learned, flows
    set up)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        p = sh(topo.ns_exec(topo.ns_a) + ["ping", "-c", "1", "-W", "1",
                                          ADDR_B], check=False)
        if p.returncode == 0:
            return
    raise Skip("no connectivity: %s does not answer pings" % ADDR_B)


def iperf(topo, args, extra):
    argv = (topo.ns_exec(topo.ns_a)
            + ["iperf3", "-c", ADDR_B, "-p", str(IPERF_PORT), "--json",
               "-t", str(args.duration), "-O", str(args.warmup)] + extra)
    p = sh(argv, check=False, timeout=args.duration + args.warmup + 60)
    try:
        result = json.loads(p.stdout)
    except ValueError:
        raise RuntimeError("iperf3 printed no JSON: %s" % p.stderr.strip())
    if "error" in result:
        raise RuntimeError("iperf3: %s" % result["error"])
    return result["end"]


def rx_packets(topo):
    """Packets the receiving namespace's eth0 has taken in: what the
    datapath delivered, whether or not iperf3 then kept up with it."""
    p = sh(["ip", "netns", "exec", topo.ns_b, "cat",
            "/sys/class/net/eth0/statistics/rx_packets"])
    return int(p.stdout.strip())


def measure(topo, args, dp_name, results):
    end = iperf(topo, args, [])
    gbps = end["sum_received"]["bits_per_second"] / 1e9
    emit(results, {"bench": "switch", "datapath": dp_name, "test": "tcp",
                   "gbps": round(gbps, 3), "seconds": args.duration})

    rx0 = rx_packets(topo)
    t0 = time.time()
    end = iperf(topo, args, ["-u", "-l", "64", "-b", "0"])
    delivered_pps = (rx_packets(topo) - rx0) / (time.time() - t0)
    recv = end["sum_received"]
    received = recv["packets"] - recv["lost_packets"]
    pps = received / recv["seconds"] if recv["seconds"] else 0.0
    sent_pps = (end["sum_sent"]["packets"] / end["sum_sent"]["seconds"]
                if end["sum_sent"]["seconds"] else 0.0)
    emit(results, {"bench": "switch", "datapath": dp_name, "test": "udp64",
                   "pps": int(pps), "sent_pps": int(sent_pps),
                   "delivered_pps": int(delivered_pps),
                   "lost_percent": round(recv["lost_percent"], 2),
                   "seconds": args.duration})


def emit(results, record):
    print(json.dumps(record), flush=True)
    results.append(record)


def emit_ratio(rec, by_sw, base, out):
    """Finishes a summary record REC of the runs BY_SW (switch name:
    records) whose REC[name] are medians: the ratio plexus / BASE, the
    number of runs; prints it as a JSON line and appends it to OUT."""
    if rec.get(base) and "plexus" in rec:
        rec["ratio"] = round(rec["plexus"] / rec[base], 3)
    rec["runs"] = max(len(v) for v in by_sw.values())
    print(json.dumps(rec), flush=True)
    out.append(rec)


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPUs, %s, kernel %s" % (os.cpu_count() or 0, model,
                                       os.uname().release)


def print_table(results, notes):
    rows = {}
    for r in results:
        rows.setdefault(r["datapath"], {})[r["test"]] = r
    out = sys.stderr
    print("", file=out)
    print("machine: %s" % machine(), file=out)
    print("offloads: ethtool -K tx off on all four veth ends, every "
          "datapath", file=out)
    print("%-14s %12s %14s %14s %10s"
          % ("datapath", "TCP Gbit/s", "UDP-64 pps rx", "delivered pps",
             "UDP loss"), file=out)
    for cls in DATAPATHS:
        name = cls.name
        if name in rows:
            tcp = rows[name].get("tcp")
            udp = rows[name].get("udp64")
            print("%-14s %12s %14s %14s %9s%%"
                  % (name, "%.2f" % tcp["gbps"] if tcp else "-",
                     "%d" % udp["pps"] if udp else "-",
                     "%d" % udp["delivered_pps"] if udp else "-",
                     "%.1f" % udp["lost_percent"] if udp else "-"),
                  file=out)
        if name in notes:
            print("%-14s %s" % (name if name not in rows else "",
                                notes[name]), file=out)


def add_dir_args(parser):
    """--builddir and --srcdir (PLX_BUILDDIR, PLX_SRCDIR), which every
    benchmark script here takes."""
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--builddir", default=os.environ.get(
        "PLX_BUILDDIR", ""), help="Plexus build directory")
    parser.add_argument("--srcdir", default=os.environ.get(
        "PLX_SRCDIR", os.path.dirname(os.path.dirname(here))),
        help="Plexus source directory (for the schema)")


def main():
    parser = argparse.ArgumentParser(
        description="Linux bridge vs. Open vSwitch (userspace datapath) "
        "vs. Plexus, between two network namespaces.")
    add_dir_args(parser)
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds measured per test (default 10)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds left out at the start (default 2)")
    parser.add_argument("--only", action="append",
                        choices=[c.name for c in DATAPATHS],
                        help="measure only this datapath (repeatable)")
    args = parser.parse_args()

    if os.geteuid() != 0:
        log("skipped: needs root (network namespaces, bridges)")
        return 0
    for prog in ("ip", "ethtool", "iperf3", "ping"):
        if not shutil.which(prog):
            log("skipped: %s not installed" % prog)
            return 0

    results, notes = [], {}
    topo = Topology()
    server = None

    interrupt_on_sigterm()
    try:
        topo.setup()
        server = subprocess.Popen(
            topo.ns_exec(topo.ns_b) + ["iperf3", "-s", "-p",
                                       str(IPERF_PORT)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        for cls in DATAPATHS:
            if args.only and cls.name not in args.only:
                continue
            dp = cls(topo, args)
            try:
                log("%s: setting up" % cls.name)
                dp.setup()
                wait_for_path(topo)
                log("%s: measuring" % cls.name)
                measure(topo, args, cls.name, results)
            except Skip as e:
                notes[cls.name] = "skipped: %s" % e
                log("%s: skipped: %s" % (cls.name, e))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                notes[cls.name] = "failed: %s" % e
                log("%s: failed: %s" % (cls.name, e))
            finally:
                dp.teardown()
    finally:
        stop_proc(server, "iperf3 server")
        topo.teardown()
    print_table(results, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
