"""plx-vswitchd end to end: the database drives bridges, ports and
interfaces; packets between network namespaces through the switch.

Each case starts its own plx-dbserver (on a database that plx-dbtool
creates from vswitchd/vswitch.ovsschema) and plx-vswitchd in a temporary
directory that PLX_RUNDIR, PLX_DBDIR and PLX_LOGDIR point at, configures
them with plx-vsctl (and, in one case, Debian's ovs-vsctl), and checks
what hosts in network namespaces see.  Hosts are veth pairs: one end in
a namespace of its own, the other a system port of the bridge.  Names
carry this process's pid so that concurrent runs do not collide.
Everything a case creates (namespaces, veths, daemons, started and
killed by PID) is removed on exit, failed or not.  Needs root."""

import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

TAG = "%04d" % (os.getpid() % 10000)


def build(*parts):
    path = plxtest.build_path(*parts)
    if not os.path.exists(path):
        raise Skip("%s not built" % path)
    return path


def sh(argv, check=True, timeout=60, **kwargs):
    p = subprocess.run(argv, capture_output=True, text=True,
                       timeout=timeout, **kwargs)
    if check and p.returncode:
        raise AssertionError("%s failed (%d): %s%s"
                             % (" ".join(argv), p.returncode, p.stdout,
                                p.stderr))
    return p


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(interval)


class Switch:
    """plx-dbserver + plx-vswitchd in a temporary directory, plus the
    namespaces and veths a case adds; all removed by close()."""

    def __init__(self, ovsdb_server=False):
        plxtest.require_root()
        if ovsdb_server:
            # Open vSwitch's own server (Debian's openvswitch-switch).
            self.dbserver = plxtest.require_program("ovsdb-server")
            self.dbtool = plxtest.require_program("ovsdb-tool")
        else:
            self.dbserver = build("ovsdb", "plx-dbserver")
            self.dbtool = build("ovsdb", "plx-dbtool")
        self.vswitchd = build("vswitchd", "plx-vswitchd")
        self.vsctl_bin = build("utilities", "plx-vsctl")
        self.appctl_bin = build("utilities", "plx-appctl")
        self.dir = tempfile.mkdtemp(prefix="plx-vswitchd-")
        self.sock = os.path.join(self.dir, "db.sock")
        self.ctl = os.path.join(self.dir, "vswitchd.ctl")
        self.db = os.path.join(self.dir, "conf.db")
        self.env = dict(os.environ, PLX_RUNDIR=self.dir, PLX_DBDIR=self.dir,
                        PLX_LOGDIR=self.dir)
        self.namespaces = []
        self.links = []
        self.procs = []
        self.dbproc = None
        self.vsproc = None
        self.br = "pvbr" + TAG
        schema = os.path.join(plxtest.SRCDIR, "vswitchd",
                              "vswitch.ovsschema")
        sh([self.dbtool, "create", self.db, schema])
        self.start_dbserver()
        self.vsctl("--no-wait", "init")
        self.start_vswitchd()

    def start_dbserver(self):
        self.dbproc = subprocess.Popen(
            [self.dbserver, self.db, "--remote=punix:" + self.sock,
             "--unixctl=" + os.path.join(self.dir, "db.ctl"),
             "--pidfile=" + os.path.join(self.dir, "db.pid"),
             "--log-file=" + os.path.join(self.dir, "db.log")],
            env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        wait_until(self._db_up, 10, "plx-dbserver")

    def stop_dbserver(self):
        if self.dbproc and self.dbproc.poll() is None:
            os.kill(self.dbproc.pid, signal.SIGTERM)
            self.dbproc.wait(timeout=10)
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def _db_up(self):
        if self.dbproc.poll() is not None:
            raise AssertionError("plx-dbserver exited")
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.sock)
            s.close()
            return True
        except OSError:
            return False

    def start_vswitchd(self):
        self.vsproc = subprocess.Popen(
            [self.vswitchd, "unix:" + self.sock, "--unixctl=" + self.ctl,
             "--log-file=" + os.path.join(self.dir, "vswitchd.log")],
            env=self.env, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "vswitchd.stderr"), "a"))
        wait_until(lambda: self._alive() and os.path.exists(self.ctl), 10,
                   "plx-vswitchd control socket")

    def _alive(self):
        if self.vsproc.poll() is not None:
            raise AssertionError("plx-vswitchd exited (%d): %s"
                                 % (self.vsproc.returncode, self.log()))
        return True

    def stop_vswitchd(self, sig=signal.SIGTERM):
        if self.vsproc and self.vsproc.poll() is None:
            os.kill(self.vsproc.pid, sig)
            try:
                self.vsproc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.vsproc.pid, signal.SIGKILL)
                self.vsproc.wait(timeout=10)
        if os.path.exists(self.ctl):
            os.unlink(self.ctl)

    def log(self):
        try:
            with open(os.path.join(self.dir, "vswitchd.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def vsctl(self, *args, check=True):
        return sh([self.vsctl_bin, "--db=unix:" + self.sock, "--timeout=20"]
                  + list(args), check=check, env=self.env).stdout

    def appctl(self, *args, check=True):
        p = sh([self.appctl_bin, "-t", self.ctl] + list(args), check=check,
               env=self.env)
        return p.stdout if check else p

    def get(self, table, record, column):
        return self.vsctl("--no-wait", "get", table, record,
                          column).strip()

    def ofport(self, iface):
        return int(self.get("Interface", iface, "ofport"))

    # -- Hosts. --

    def add_host(self, name, addrs=(), vlans=None, port_args=(),
                 bridge=None):
        """A namespace NS with eth0 (ADDRS, "a.b.c.d/n") and, for VLANS
        {vid: [addrs]}, eth0.VID subinterfaces; its veth peer becomes a
        port of the bridge with PORT_ARGS (e.g. "tag=10") appended to
        add-port, on BRIDGE (default: the test's bridge).  Returns
        (namespace, switch-side interface)."""
        ns = "pvs%s-%s" % (TAG, name)
        sw = "pv%s%s" % (TAG, name)
        sh(["ip", "netns", "add", ns])
        self.namespaces.append(ns)
        sh(["ip", "link", "add", sw, "type", "veth", "peer", "name",
            sw + "p"])
        self.links.append(sw)
        sh(["ip", "link", "set", sw + "p", "netns", ns, "name", "eth0"])
        # No IPv6 chatter (DAD, router and multicast listener messages):
        # packet counts below are exact.
        self.nsexec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        self.nsexec(ns, "sysctl", "-qw",
                    "net.ipv6.conf.default.disable_ipv6=1")
        sh(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % sw],
           check=False)
        # Checksums the kernel would leave to a NIC never get filled in
        # on a frame that leaves through an AF_PACKET socket.
        for argv in (["ethtool", "-K", sw, "tx", "off"],
                     ["ip", "netns", "exec", ns, "ethtool", "-K", "eth0",
                      "tx", "off"]):
            sh(argv, check=False)
        sh(["ip", "link", "set", sw, "up"])
        self.nsexec(ns, "ip", "link", "set", "lo", "up")
        self.nsexec(ns, "ip", "link", "set", "eth0", "up")
        for a in addrs:
            self.nsexec(ns, "ip", "addr", "add", a, "dev", "eth0")
        for vid, vaddrs in (vlans or {}).items():
            sub = "eth0.%d" % vid
            self.nsexec(ns, "ip", "link", "add", "link", "eth0", "name",
                        sub, "type", "vlan", "id", str(vid))
            self.nsexec(ns, "ip", "link", "set", sub, "up")
            for a in vaddrs:
                self.nsexec(ns, "ip", "addr", "add", a, "dev", sub)
        self.vsctl("add-port", bridge or self.br, sw, *port_args)
        return ns, sw

    def nsexec(self, ns, *argv, check=True, timeout=60):
        return sh(["ip", "netns", "exec", ns] + list(argv), check=check,
                  timeout=timeout)

    def ping(self, ns, addr, count=3, check=True):
        p = self.nsexec(ns, "ping", "-c", str(count), "-i", "0.1", "-W",
                        "1", addr, check=False)
        if check and p.returncode:
            raise AssertionError("ping %s from %s failed: %s\n%s"
                                 % (addr, ns, p.stdout, self.log()))
        return p.returncode == 0

    def mac(self, ns, dev="eth0"):
        return self.nsexec(ns, "cat", "/sys/class/net/%s/address"
                           % dev).stdout.strip()

    def sanitizer_errors(self):
        """Sanitizer reports on plx-vswitchd's stderr (an ASan build)."""
        try:
            with open(os.path.join(self.dir, "vswitchd.stderr")) as f:
                text = f.read()
        except OSError:
            return ""
        m = re.search(r"(ERROR: \w+Sanitizer|runtime error:).*", text)
        return text[m.start():m.start() + 3000] if m else ""

    def close(self, check=False):
        # PLX_CHECK_SANITIZERS=1 makes every close a checked one (for a
        # run of the system tests against an ASan build).
        check = check or bool(os.environ.get("PLX_CHECK_SANITIZERS"))
        for p in self.procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        errors = ""
        if check and self.vsproc and self.vsproc.poll() is None:
            # A clean exit, so that LeakSanitizer runs in an ASan build.
            self.appctl("exit", check=False)
            try:
                self.vsproc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                errors = "plx-vswitchd did not exit on \"exit\"\n"
        errors += self.sanitizer_errors()
        self.stop_vswitchd(signal.SIGKILL)
        if self.dbproc and self.dbproc.poll() is None:
            os.kill(self.dbproc.pid, signal.SIGKILL)
            self.dbproc.wait()
        for link in self.links:
            subprocess.run(["ip", "link", "del", link],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", self.dir])
        if errors:
            raise AssertionError(errors)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(check=exc_type is None)


def tx_packets(dev):
    with open("/sys/class/net/%s/statistics/tx_packets" % dev) as f:
        return int(f.read())


# Run inside a namespace: sends an ARP request for DST from SRC on eth0,
# tagged with VLAN (0: untagged), and prints what answered, as JSON.  The
# kernel here has no 802.1Q devices (no 8021q module), so a trunk host is
# this script rather than eth0.VID interfaces.
ARP_PROBE = r"""
import json, sys, time
from scapy.all import ARP, AsyncSniffer, Dot1Q, Ether, conf, sendp
conf.verb = 0
vlan, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
mac = open("/sys/class/net/eth0/address").read().strip()
def is_reply(p):
    return ARP in p and p[ARP].op == 2 and p[ARP].psrc == dst
sniffer = AsyncSniffer(iface="eth0", lfilter=is_reply, count=1, timeout=3)
sniffer.start()
time.sleep(0.3)
req = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
if vlan:
    req = req / Dot1Q(vlan=vlan)
req = req / ARP(op=1, hwsrc=mac, psrc=src, pdst=dst)
for _ in range(3):
    sendp(req, iface="eth0")
    time.sleep(0.3)
    if sniffer.results:
        break
sniffer.join()
out = [{"vlan": p[Dot1Q].vlan if Dot1Q in p else 0, "mac": p[ARP].hwsrc}
       for p in (sniffer.results or [])]
print(json.dumps(out))
"""


def arp_probe(s, ns, vlan, src, dst):
    """The VLAN tags (0: untagged) of ARP replies for DST that NS gets
    after asking from SRC on VLAN (0: untagged)."""
    p = s.nsexec(ns, "/usr/bin/python3", "-c", ARP_PROBE, str(vlan), src,
                 dst, timeout=30)
    return [r["vlan"] for r in json.loads(p.stdout.strip().splitlines()[-1])]


@case
def learning_and_flooding():
    """Three hosts ping each other; a frame to an unknown MAC floods, a
    known one goes to its port only; fdb/show, dpctl/show, memory/show,
    coverage/show and pmd-stats-show report it."""
    with Switch() as s:
        s.vsctl("add-br", s.br)
        h = [s.add_host("h%d" % i, ["10.9.0.%d/24" % i])
             for i in (1, 2, 3)]
        for i, (ns, _) in enumerate(h):
            for j in range(3):
                if i != j:
                    s.ping(ns, "10.9.0.%d" % (j + 1), count=2)

        # Unknown destination: a static ARP entry for a MAC nobody has.
        ns1 = h[0][0]
        s.nsexec(ns1, "ip", "neigh", "replace", "10.9.0.99", "lladdr",
                 "02:00:00:00:99:99", "dev", "eth0")
        before = [tx_packets(sw) for _, sw in h[1:]]
        s.ping(ns1, "10.9.0.99", count=10, check=False)
        flooded = [tx_packets(sw) - b for (_, sw), b in zip(h[1:], before)]
        if min(flooded) < 10:
            raise AssertionError("unknown unicast not flooded: h2 and h3 "
                                 "got %s of 10" % flooded)

        # Known destination: h3 sees (almost) nothing of h1 → h2.
        before3 = tx_packets(h[2][1])
        before2 = tx_packets(h[1][1])
        s.ping(ns1, "10.9.0.2", count=20)
        to2 = tx_packets(h[1][1]) - before2
        to3 = tx_packets(h[2][1]) - before3
        if to2 < 20 or to3 > 3:
            raise AssertionError("learned unicast: h2 got %d (want >= 20),"
                                 " h3 got %d (want <= 3)" % (to2, to3))

        fdb = s.appctl("fdb/show", s.br)
        for ns, _ in h:
            mac = s.mac(ns)
            if mac not in fdb:
                raise AssertionError("fdb/show lacks %s:\n%s" % (mac, fdb))
        show = s.appctl("dpctl/show")
        for _, sw in h:
            if sw not in show:
                raise AssertionError("dpctl/show lacks %s:\n%s"
                                     % (sw, show))
        if not re.search(r"lookups: hit:\d+ missed:\d+", show):
            raise AssertionError("dpctl/show: %s" % show)
        s.appctl("dpctl/show", "-s")
        mem = s.appctl("memory/show")
        if not re.search(r"bridges:1 ports:4 interfaces:4", mem):
            raise AssertionError("memory/show: %s" % mem)
        cov = s.appctl("coverage/show")
        if "bridge_reconfigure" not in cov:
            raise AssertionError("coverage/show: %s" % cov)
        if not s.appctl("dpif-netdev/pmd-stats-show").strip():
            raise AssertionError("pmd-stats-show printed nothing")
        # Once the revalidator has seen the last pings (it re-learns the
        # MACs of megaflows that passed packets since its last pass), a
        # flush empties the table.
        time.sleep(1.2)
        s.appctl("fdb/flush", s.br)
        after = s.appctl("fdb/show", s.br)
        if any(s.mac(ns) in after for ns, _ in h):
            raise AssertionError("fdb/flush left MACs: %s (before: %s)"
                                 % (after, fdb))


@case
def vlans():
    """Access ports on different VLANs are isolated; a trunk carries
    both tags, in both directions; native-untagged carries its native
    VLAN untagged and the others tagged; retagging applies at once."""
    try:
        import scapy  # noqa: F401
    except ImportError:
        raise Skip("python3-scapy not installed")
    with Switch() as s:
        s.vsctl("add-br", s.br)
        a1, _ = s.add_host("a1", ["10.9.10.1/24"], port_args=["tag=10"])
        a2, _ = s.add_host("a2", ["10.9.10.2/24", "10.9.20.2/24"],
                           port_args=["tag=20"])
        b1, sw_b1 = s.add_host("b1", ["10.9.10.3/24"],
                               port_args=["tag=10"])
        t, _ = s.add_host("t", [], port_args=["trunks=10,20"])
        c, _ = s.add_host("c", ["10.9.30.6/24"], port_args=["tag=30"])
        d, _ = s.add_host("d", ["10.9.40.6/24"], port_args=["tag=40"])
        n, _ = s.add_host("n", ["10.9.30.5/24"],
                          port_args=["tag=30", "vlan_mode=native-untagged",
                                     "trunks=30,40"])
        s.ping(a1, "10.9.10.3")
        s.ping(b1, "10.9.10.1")
        if s.ping(a1, "10.9.10.2", check=False):
            raise AssertionError("VLAN 10 reached VLAN 20")

        # The trunk: tagged 10 reaches a1 and the reply comes back tagged
        # 10; tagged 20 reaches a2; VLAN 10 does not reach a2; an
        # untagged frame (not in trunks) reaches nobody.
        for vlan, dst, want in ((10, "10.9.10.1", [10]),
                                (20, "10.9.20.2", [20]),
                                (10, "10.9.10.2", []),
                                (30, "10.9.30.6", []),
                                (0, "10.9.10.1", [])):
            src = "10.9.%d.9" % (vlan or 10)
            got = arp_probe(s, t, vlan, src, dst)
            if got != want:
                raise AssertionError("trunk: ARP on VLAN %d for %s got "
                                     "replies tagged %s, want %s"
                                     % (vlan, dst, got, want))

        # Native-untagged: untagged is VLAN 30, tagged 40 is VLAN 40.
        s.ping(n, "10.9.30.6")
        got = arp_probe(s, n, 40, "10.9.40.5", "10.9.40.6")
        if got != [40]:
            raise AssertionError("native-untagged: VLAN 40 replies %s"
                                 % got)
        got = arp_probe(s, n, 0, "10.9.30.7", "10.9.30.6")
        if got != [0]:
            raise AssertionError("native-untagged: native replies %s" % got)

        # Retagging a port applies at once.
        s.vsctl("set", "Port", sw_b1, "tag=20")
        s.ping(b1, "10.9.10.2")
        if s.ping(b1, "10.9.10.1", check=False):
            raise AssertionError("retagged port still on VLAN 10")


@case
def fake_bridge_and_fail_mode():
    """A fake bridge (add-br CHILD PARENT VLAN) is VLAN VLAN of its
    parent; fail_mode=secure with no controller drops everything, and
    back in standalone mode the bridge switches again."""
    with Switch() as s:
        s.vsctl("add-br", s.br)
        child = "pvf%s" % TAG
        s.vsctl("add-br", child, s.br, "10")
        if s.vsctl("br-to-vlan", child).strip() != "10":
            raise AssertionError("br-to-vlan %s" % child)
        a, sw_a = s.add_host("fa", ["10.9.10.1/24"], bridge=child)
        b, _ = s.add_host("fb", ["10.9.10.2/24"], port_args=["tag=10"])
        c, _ = s.add_host("fc", ["10.9.10.3/24"], port_args=["tag=20"])
        tag = s.vsctl("get", "Port", sw_a, "tag").strip()
        if tag != "10":
            raise AssertionError("fake bridge port tag is %r" % tag)
        s.ping(a, "10.9.10.2")
        if s.ping(a, "10.9.10.3", check=False):
            raise AssertionError("fake bridge on VLAN 10 reached VLAN 20")

        s.vsctl("set", "Bridge", s.br, "fail_mode=secure")
        s.nsexec(a, "ip", "neigh", "flush", "all")
        if s.ping(a, "10.9.10.2", check=False):
            raise AssertionError("fail_mode=secure still forwards")
        s.vsctl("del-fail-mode", s.br)
        s.ping(a, "10.9.10.2")


@case
def add_del_port_during_ping():
    """Adding and deleting other ports (system, internal) while two hosts
    ping each other loses no packet."""
    with Switch() as s:
        s.vsctl("add-br", s.br)
        h1, _ = s.add_host("h1", ["10.9.0.1/24"])
        h2, _ = s.add_host("h2", ["10.9.0.2/24"])
        s.ping(h1, "10.9.0.2")
        spare = "pv%sx" % TAG
        sh(["ip", "link", "add", spare, "type", "veth", "peer", "name",
            spare + "p"])
        s.links.append(spare)
        pinger = subprocess.Popen(
            ["ip", "netns", "exec", h1, "ping", "-c", "200", "-i", "0.05",
             "-W", "1", "10.9.0.2"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        s.procs.append(pinger)
        internal = "pvi%s" % TAG
        for _ in range(3):
            time.sleep(0.5)
            s.vsctl("add-port", s.br, spare)
            s.vsctl("add-port", s.br, internal, "--", "set", "Interface",
                    internal, "type=internal")
            time.sleep(0.5)
            s.vsctl("del-port", s.br, spare)
            s.vsctl("del-port", s.br, internal)
        out, _ = pinger.communicate(timeout=60)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        if not m or m.group(1) != "200" or m.group(2) != "200":
            raise AssertionError("ping lost packets: %s" % out)


@case
def link_state_and_errors():
    """A veth whose peer goes down shows link_state down within a second
    (and up again); a bad interface gets an error and ofport -1 while the
    rest keeps forwarding; statistics are written."""
    with Switch() as s:
        s.vsctl("add-br", s.br)
        s.vsctl("set", "Open_vSwitch", ".",
                "other_config:stats-update-interval=1000")
        h1, sw1 = s.add_host("h1", ["10.9.0.1/24"])
        h2, sw2 = s.add_host("h2", ["10.9.0.2/24"])
        wait_until(lambda: s.get("Interface", sw1, "link_state") == "up",
                   2, "link_state up")
        for state, want in (("down", "down"), ("up", "up")):
            start = time.time()
            s.nsexec(h1, "ip", "link", "set", "eth0", state)
            wait_until(lambda: s.get("Interface", sw1,
                                     "link_state") == want,
                       1.0, "link_state %s within 1 s" % want)
            elapsed = time.time() - start
            if elapsed > 1.0:
                raise AssertionError("link_state took %.2f s" % elapsed)
        if s.get("Interface", sw1, "admin_state") != "up":
            raise AssertionError("admin_state not up")
        mtu = s.get("Interface", sw1, "mtu")
        if mtu != "1500":
            raise AssertionError("mtu %s" % mtu)
        mac = s.get("Interface", sw1, "mac_in_use").strip('"')
        with open("/sys/class/net/%s/address" % sw1) as f:
            if f.read().strip() != mac:
                raise AssertionError("mac_in_use %s" % mac)

        bad = "pvnosuch%s" % TAG
        s.vsctl("add-port", s.br, bad, check=False)
        err = s.get("Interface", bad, "error")
        if "could not open network device %s (No such device)" % bad \
                not in err:
            raise AssertionError("error column: %r" % err)
        if s.ofport(bad) != -1:
            raise AssertionError("bad interface ofport %d" % s.ofport(bad))
        s.vsctl("add-port", s.br, "pvbadtype" + TAG, "--", "set",
                "Interface", "pvbadtype" + TAG, "type=nosuchtype",
                check=False)
        err = s.get("Interface", "pvbadtype" + TAG, "error")
        if "unknown interface type" not in err:
            raise AssertionError("error column: %r" % err)
        s.ping(h1, "10.9.0.2", count=5)

        # Statistics follow the traffic.
        def stats():
            text = s.get("Interface", sw2, "statistics")
            m = re.search(r"tx_packets=(\d+)", text)
            return int(m.group(1)) if m else 0
        base = stats()
        s.ping(h1, "10.9.0.2", count=10)
        wait_until(lambda: stats() >= base + 10, 4, "statistics update")

        # The bad interface, once it exists, comes up on the next change.
        sh(["ip", "link", "add", bad, "type", "veth", "peer", "name",
            bad[:13] + "p"])
        s.links.append(bad)
        s.vsctl("set", "Interface", bad, "external_ids:retry=1")
        if s.ofport(bad) <= 0 or s.get("Interface", bad, "error") != "[]":
            raise AssertionError("interface did not recover: %s %s"
                                 % (s.ofport(bad),
                                    s.get("Interface", bad, "error")))


@case
def iperf_megaflows():
    """iperf3 TCP through the bridge completes, and the datapath holds a
    handful of megaflows, not one per packet."""
    plxtest.require_program("iperf3")
    with Switch() as s:
        s.vsctl("add-br", s.br)
        h1, _ = s.add_host("h1", ["10.9.0.1/24"])
        h2, _ = s.add_host("h2", ["10.9.0.2/24"])
        s.ping(h1, "10.9.0.2")
        server = subprocess.Popen(
            ["ip", "netns", "exec", h2, "iperf3", "-s", "-1", "-B",
             "10.9.0.2"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        s.procs.append(server)
        time.sleep(0.5)
        p = None
        for _ in range(20):
            p = s.nsexec(h1, "iperf3", "-c", "10.9.0.2", "-t", "3", "-J",
                         check=False, timeout=60)
            if p.returncode == 0:
                break
            time.sleep(0.2)
        if p.returncode:
            raise AssertionError("iperf3 failed: %s %s" % (p.stdout[-500:],
                                                           p.stderr))
        result = json.loads(p.stdout)
        received = result["end"]["sum_received"]["bytes"]
        if received < 1000000:
            raise AssertionError("iperf3 moved only %d bytes" % received)
        flows = [l for l in s.appctl("dpctl/dump-flows").splitlines()
                 if l.strip()]
        if not flows or len(flows) > 20:
            raise AssertionError("%d megaflows after iperf3:\n%s"
                                 % (len(flows), "\n".join(flows[:30])))
        s.appctl("dpctl/dump-flows", "-m")
        s.appctl("dpctl/del-flows")
        if s.appctl("dpctl/dump-flows").strip():
            raise AssertionError("flows left after del-flows")


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(frame),
                                len(frame)))
            f.write(frame)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            break
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def udp_frame(dst, src, payload):
    eth = bytes.fromhex(dst.replace(":", "")) + \
        bytes.fromhex(src.replace(":", "")) + b"\x08\x00"
    udp_len = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 1, 0, 64, 17,
                     0, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    csum = 0
    for i in range(0, 20, 2):
        csum += (ip[i] << 8) | ip[i + 1]
    while csum >> 16:
        csum = (csum & 0xffff) + (csum >> 16)
    ip = ip[:10] + struct.pack("!H", ~csum & 0xffff) + ip[12:]
    udp = struct.pack("!HHHH", 1234, 5678, udp_len, 0) + payload
    return eth + ip + udp


@case
def pcap_replay():
    """Frames replayed from a pcap port reach another pcap port byte for
    byte, in order."""
    with Switch() as s:
        s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                "fail_mode=standalone")
        rx = os.path.join(s.dir, "in.pcap")
        tx = os.path.join(s.dir, "out.pcap")
        frames = [udp_frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01",
                            b"broadcast %d" % i) for i in range(3)]
        frames += [udp_frame("02:00:00:00:00:77", "02:00:00:00:00:01",
                             bytes(range(i * 40 % 256)) * 4)
                   for i in range(1, 5)]
        write_pcap(rx, frames)
        s.vsctl("add-port", s.br, "pvpo" + TAG, "--", "set", "Interface",
                "pvpo" + TAG, "type=pcap", "options:txpcap=" + tx)
        # The replay starts as soon as the capture is configured, and
        # frames that arrive before the bridge has the port and its
        # bundle are dropped (as on any port): so the port is plugged
        # first, and given its capture once plx-vsctl says it is live.
        s.vsctl("add-port", s.br, "pvpi" + TAG, "--", "set", "Interface",
                "pvpi" + TAG, "type=pcap")
        s.vsctl("set", "Interface", "pvpi" + TAG, "options:rxpcap=" + rx)
        got = wait_until(
            lambda: (len(read_pcap(tx)) >= len(frames)
                     and read_pcap(tx)), 10, "frames in %s" % tx)
        if got != frames:
            raise AssertionError("output differs: got %d frames %r, "
                                 "want %d %r" % (len(got), got[:2],
                                                 len(frames), frames[:2]))
        for iface in ("pvpo" + TAG, "pvpi" + TAG):
            if s.ofport(iface) <= 0:
                raise AssertionError("%s has no ofport" % iface)


@case
def restart_rebuilds():
    """Restarting plx-vswitchd rebuilds the same ports with the same
    OpenFlow numbers, and traffic resumes."""
    with Switch() as s:
        s.vsctl("add-br", s.br)
        h1, sw1 = s.add_host("h1", ["10.9.0.1/24"])
        h2, sw2 = s.add_host("h2", ["10.9.0.2/24"])
        h3, sw3 = s.add_host("h3", ["10.9.0.3/24"],
                             port_args=["--", "set", "Interface",
                                        "pv%sh3" % TAG,
                                        "ofport_request=7"])
        s.vsctl("del-port", s.br, sw1)
        s.vsctl("add-port", s.br, sw1)
        before = {i: s.ofport(i) for i in (sw1, sw2, sw3, s.br)}
        if before[sw3] != 7 or before[s.br] != 65534:
            raise AssertionError("ofports %s" % before)
        s.ping(h1, "10.9.0.2")
        s.stop_vswitchd()
        s.start_vswitchd()
        s.vsctl("set", "Open_vSwitch", ".", "external_ids:kick=1")
        after = {i: s.ofport(i) for i in before}
        if after != before:
            raise AssertionError("ofports changed: %s → %s"
                                 % (before, after))
        s.ping(h1, "10.9.0.2")
        s.ping(h3, "10.9.0.1")

        # The database going away and coming back disturbs nothing: the
        # switch keeps forwarding, reconnects, and confirms changes.
        s.stop_dbserver()
        s.ping(h1, "10.9.0.3")
        s.start_dbserver()
        s.vsctl("set", "Port", sw2, "tag=5")
        if {i: s.ofport(i) for i in before} != before:
            raise AssertionError("ofports changed after reconnecting")
        s.ping(h1, "10.9.0.3")
        if s.ping(h1, "10.9.0.2", check=False):
            raise AssertionError("tag=5 on h2's port not applied")


@case
def debian_ovs_vsctl():
    """Debian's ovs-vsctl against plx-dbserver with plx-vswitchd: add-br
    and add-port return (cur_cfg handshake), the port works, and a bad
    port's error comes back."""
    ovs_vsctl = plxtest.require_program("ovs-vsctl")
    with Switch() as s:
        db = "--db=unix:" + s.sock
        sh([ovs_vsctl, db, "--timeout=20", "add-br", s.br], env=s.env)
        h1, sw1 = s.add_host("h1", ["10.9.0.1/24"])
        ns2 = "pvs%s-h2" % TAG
        sw2 = "pv%sh2" % TAG
        sh(["ip", "netns", "add", ns2])
        s.namespaces.append(ns2)
        sh(["ip", "link", "add", sw2, "type", "veth", "peer", "name",
            sw2 + "p"])
        s.links.append(sw2)
        sh(["ip", "link", "set", sw2 + "p", "netns", ns2, "name", "eth0"])
        sh(["ethtool", "-K", sw2, "tx", "off"], check=False)
        s.nsexec(ns2, "ethtool", "-K", "eth0", "tx", "off", check=False)
        sh(["ip", "link", "set", sw2, "up"])
        s.nsexec(ns2, "ip", "link", "set", "eth0", "up")
        s.nsexec(ns2, "ip", "addr", "add", "10.9.0.2/24", "dev", "eth0")
        start = time.time()
        sh([ovs_vsctl, db, "--timeout=20", "add-port", s.br, sw2],
           env=s.env)
        if time.time() - start > 10:
            raise AssertionError("ovs-vsctl add-port took too long")
        if s.ofport(sw2) <= 0:
            raise AssertionError("no ofport after ovs-vsctl add-port")
        s.ping(h1, "10.9.0.2")
        p = sh([ovs_vsctl, db, "--timeout=20", "add-port", s.br,
                "pvnosuch" + TAG], check=False, env=s.env)
        if "Error detected while setting up" not in p.stderr:
            raise AssertionError("ovs-vsctl did not report the error: %r"
                                 % p.stderr)
        out = sh([ovs_vsctl, db, "show"], env=s.env).stdout
        if sw2 not in out or "No such device" not in out:
            raise AssertionError("ovs-vsctl show: %s" % out)


@case
def against_ovsdb_server():
    """plx-vswitchd works against Open vSwitch's ovsdb-server too:
    bridges come up, hosts ping, a bad port reports its error."""
    with Switch(ovsdb_server=True) as s:
        s.vsctl("add-br", s.br)
        h1, sw1 = s.add_host("h1", ["10.9.0.1/24"])
        h2, sw2 = s.add_host("h2", ["10.9.0.2/24"])
        s.ping(h1, "10.9.0.2")
        if s.ofport(sw1) <= 0 or s.ofport(sw2) <= 0:
            raise AssertionError("no ofports")
        s.vsctl("add-port", s.br, "pvnosuch" + TAG, check=False)
        if "No such device" not in s.get("Interface", "pvnosuch" + TAG,
                                         "error"):
            raise AssertionError("no error for a missing device")
        s.ping(h2, "10.9.0.1")


if __name__ == "__main__":
    plxtest.run()
