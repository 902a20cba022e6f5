"""PMD threads and rx queue scheduling in a real plx-vswitchd, as Open
vSwitch with DPDK: two PMDs (other_config:pmd-cpu-mask=0x3), a dummy
port with four rx queues and two veth hosts in namespaces.  Checks that
dpif-netdev/pmd-rxq-show lists every queue on its PMD; that
pmd-rxq-assign=roundrobin, cycles and group place the queues as Open
vSwitch does, 'cycles' and 'group' by load measured from real traffic;
that Interface other_config:pmd-rxq-affinity pins and isolates, and a bad
one is refused; that pmd-rxq-rebalance and reassignment keep a ping
going without loss; that pmd-stats-clear zeroes pmd-stats-show; and that
pmd-perf-show reports cycles per packet after traffic.  Uses the Switch
harness of test_vswitchd.py.  Needs root."""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, TAG, wait_until

DUMMY = "pd" + TAG              # Sorts before "pv..." (hosts, bridge).

# Run in a namespace: sends Ethernet frames of an unused EtherType (the
# peer's kernel drops them quietly) to MAC on eth0 for SECONDS, as fast
# as a raw socket goes; prints how many.
BLAST = r"""
import socket, sys, time
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
secs = float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip()
                    .replace(":", ""))
frame = dst + src + b"\x88\xb5" + bytes(46)
n = 0
end = time.time() + secs
while time.time() < end:
    for _ in range(200):
        try:
            s.send(frame)
            n += 1
        except OSError:
            time.sleep(0.0005)
print(n)
"""


def rxq_show(s, *args):
    """pmd-rxq-show as ({(port, queue): core}, {core: isolated},
    {(port, queue): usage or None}, text)."""
    text = s.appctl("dpif-netdev/pmd-rxq-show", *args)
    where, iso, usage = {}, {}, {}
    core = None
    for line in text.splitlines():
        m = re.match(r"pmd thread numa_id 0 core_id (\d+):$", line)
        if m:
            core = int(m.group(1))
            continue
        m = re.match(r"  isolated : (true|false)$", line)
        if m:
            iso[core] = m.group(1) == "true"
            continue
        m = re.match(r"  port: (\S+) +queue-id: +(\d+) \(enabled\)   "
                     r"pmd usage: +(\d+ %|NOT AVAIL)$", line)
        if m:
            key = (m.group(1), int(m.group(2)))
            where[key] = core
            usage[key] = (int(m.group(3).split()[0])
                          if m.group(3) != "NOT AVAIL" else None)
        elif line.startswith("  port:"):
            raise AssertionError("bad pmd-rxq-show line %r:\n%s"
                                 % (line, text))
    return where, iso, usage, text


def pmd_setup(s):
    """2 PMDs, the bridge, a 4-queue dummy port and hosts h1, h2.
    Returns (h1, h2) as (namespace, switch interface)."""
    s.vsctl("set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask=0x3",
            "other_config:pmd-rxq-assign=roundrobin")
    s.vsctl("add-br", s.br)
    s.vsctl("add-port", s.br, DUMMY, "--", "set", "Interface", DUMMY,
            "type=dummy", "options:n_rxq=4")
    h1 = s.add_host("h1", ["10.7.0.1/24"])
    h2 = s.add_host("h2", ["10.7.0.2/24"])
    where = wait_until(lambda: (lambda w: w if len(w) == 7 else None)(
        rxq_show(s)[0]), 10, "7 rx queues in pmd-rxq-show")
    return h1, h2, where


def expect_where(s, want, what):
    """Waits (briefly: vsctl already waited for the reconfiguration) for
    the queues in WANT {(port, q): core} to be where it says."""
    def ok():
        where = rxq_show(s)[0]
        return all(where.get(k) == v for k, v in want.items())
    try:
        wait_until(ok, 5, what)
    except AssertionError:
        raise AssertionError("%s: want %s, pmd-rxq-show:\n%s"
                             % (what, want, rxq_show(s)[3]))


def blast(s, src, dst_ns, secs=2.5):
    """Traffic into the switch on SRC's port only (to DST_NS's MAC)."""
    p = s.nsexec(src[0], "/usr/bin/python3", "-c", BLAST, s.mac(dst_ns[0]),
                 str(secs), timeout=30)
    return int(p.stdout.strip())


def order(s, h1, h2):
    """Every queue, in (port name, queue id) order."""
    return ([(DUMMY, q) for q in range(4)]
            + sorted([(h1[1], 0), (h2[1], 0), (s.br, 0)]))


@case
def algorithms_and_rxq_show():
    """roundrobin deals queues by name; with load on one queue 'cycles'
    puts it first and 'group' leaves it alone on its PMD; pmd-rxq-show
    shows its usage; -pmd filters; unknown algorithm is refused."""
    with Switch() as s:
        h1, h2, _ = pmd_setup(s)
        names = order(s, h1, h2)
        expect_where(s, {k: i % 2 for i, k in enumerate(names)},
                     "roundrobin placement")
        _, iso, _, text = rxq_show(s)
        if iso != {0: False, 1: False}:
            raise AssertionError("isolated flags: %s\n%s" % (iso, text))
        if not text.startswith("Displaying last 60 seconds pmd usage %\n"):
            raise AssertionError("pmd-rxq-show heading:\n%s" % text)
        one = s.appctl("dpif-netdev/pmd-rxq-show", "-pmd", "1")
        if "core_id 0:" in one or "core_id 1:" not in one:
            raise AssertionError("-pmd 1:\n%s" % one)
        if "last 10 seconds" not in s.appctl("dpif-netdev/pmd-rxq-show",
                                             "-secs", "10"):
            raise AssertionError("-secs 10 ignored")
        bad = s.appctl("dpif-netdev/pmd-rxq-show", "-pmd", check=False)
        if bad.returncode == 0:
            raise AssertionError("-pmd without a core accepted")

        # Load on h1's queue only.
        s.ping(h1[0], "10.7.0.2", count=1)      # Learn the MACs.
        n = blast(s, h1, h2)
        where, _, usage, text = rxq_show(s)
        if not usage.get((h1[1], 0)):
            raise AssertionError("no pmd usage for %s after %d packets:\n%s"
                                 % (h1[1], n, text))

        # cycles: the loaded queue goes first, to PMD 0; the rest sweep.
        s.vsctl("set", "Open_vSwitch", ".",
                "other_config:pmd-rxq-assign=cycles")
        expect_where(s, {(h1[1], 0): 0}, "cycles placement")
        where = rxq_show(s)[0]
        if sorted(set(where.values())) != [0, 1]:
            raise AssertionError("cycles left a PMD idle: %s" % where)

        # group: the loaded queue alone on its PMD.
        s.vsctl("set", "Open_vSwitch", ".",
                "other_config:pmd-rxq-assign=group")
        want = {k: 1 for k in names}
        want[(h1[1], 0)] = 0
        expect_where(s, want, "group placement")

        # A bad value keeps the algorithm (and says so in the log).
        s.vsctl("set", "Open_vSwitch", ".",
                "other_config:pmd-rxq-assign=fastest")
        s.appctl("dpif-netdev/pmd-rxq-rebalance")
        expect_where(s, want, "group kept after a bad pmd-rxq-assign")
        log = open(os.path.join(s.dir, "vswitchd.log")).read()
        for needle in ("using roundrobin algorithm",
                       "using cycles algorithm", "using group algorithm",
                       'unsupported rx queue to PMD assignment mode '
                       '"fastest"'):
            if needle not in log:
                raise AssertionError("log lacks %r" % needle)


@case
def affinity_pins_and_isolates():
    """pmd-rxq-affinity pins queues to a core that then polls nothing
    else; a malformed affinity is refused; a pin to a core without a
    PMD falls back; clearing it restores round-robin."""
    with Switch() as s:
        h1, h2, _ = pmd_setup(s)
        names = order(s, h1, h2)
        rr = {k: i % 2 for i, k in enumerate(names)}

        s.vsctl("set", "Interface", DUMMY,
                'other_config:pmd-rxq-affinity="0:1,3:1"')
        want = {k: 0 for k in names}
        want[(DUMMY, 0)] = want[(DUMMY, 3)] = 1
        expect_where(s, want, "pinned placement")
        _, iso, _, text = rxq_show(s)
        if iso != {0: False, 1: True}:
            raise AssertionError("isolated flags: %s\n%s" % (iso, text))

        s.vsctl("set", "Interface", DUMMY,
                'other_config:pmd-rxq-affinity="0:1,x"')
        expect_where(s, want, "placement kept after a bad affinity")
        log = open(os.path.join(s.dir, "vswitchd.log")).read()
        if 'invalid pmd-rxq-affinity entry "x"' not in log:
            raise AssertionError("bad affinity not logged:\n%s" % s.log())

        s.vsctl("set", "Interface", DUMMY,
                'other_config:pmd-rxq-affinity="2:5"')
        expect_where(s, rr, "pin to a core without a PMD")
        log = open(os.path.join(s.dir, "vswitchd.log")).read()
        if ("cannot be pinned with port '%s' rx queue 2" % DUMMY
                not in log):
            raise AssertionError("missing-core pin not logged")

        s.vsctl("remove", "Interface", DUMMY, "other_config",
                "pmd-rxq-affinity")
        expect_where(s, rr, "placement after clearing the affinity")

        # Traffic still flows between the hosts throughout.
        s.ping(h1[0], "10.7.0.2", count=3)


@case
def rebalance_under_traffic_stats_and_perf():
    """A ping keeps going, without loss, while the queues move again and
    again (pmd-rxq-rebalance, algorithm and affinity changes);
    pmd-stats-clear zeroes pmd-stats-show; pmd-perf-show gives cycles
    per packet after traffic."""
    with Switch() as s:
        h1, h2, _ = pmd_setup(s)
        s.ping(h1[0], "10.7.0.2", count=2)
        ping = subprocess.Popen(
            ["ip", "netns", "exec", h1[0], "ping", "-c", "60", "-i", "0.05",
             "-W", "1", "10.7.0.2"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        s.procs.append(ping)
        moves = [("set", "Interface", h1[1],
                  'other_config:pmd-rxq-affinity="0:1"'),
                 ("set", "Open_vSwitch", ".",
                  "other_config:pmd-rxq-assign=group"),
                 ("set", "Interface", h1[1],
                  'other_config:pmd-rxq-affinity="0:0"'),
                 ("set", "Open_vSwitch", ".",
                  "other_config:pmd-rxq-assign=cycles"),
                 ("remove", "Interface", h1[1], "other_config",
                  "pmd-rxq-affinity"),
                 ("set", "Open_vSwitch", ".",
                  "other_config:pmd-rxq-assign=roundrobin")]
        cores = set()
        for m in moves:
            time.sleep(0.3)
            s.vsctl(*m)
            out = s.appctl("dpif-netdev/pmd-rxq-rebalance")
            if "pmd rxq rebalance requested." not in out:
                raise AssertionError("pmd-rxq-rebalance said %r" % out)
            cores.add(rxq_show(s)[0].get((h1[1], 0)))
        out, _ = ping.communicate(timeout=30)
        if cores != {0, 1}:
            raise AssertionError("h1's queue never moved: %s" % cores)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        if not m or m.group(1) != m.group(2) or m.group(1) != "60":
            raise AssertionError("ping lost packets while queues moved:\n%s"
                                 % out)

        stats = s.appctl("dpif-netdev/pmd-stats-show")
        got = [int(x) for x in
               re.findall(r"^  packets received: (\d+)$", stats, re.M)]
        if len(got) != 3 or sum(got[:2]) < 120:
            raise AssertionError("pmd-stats-show before clear:\n%s" % stats)
        for line in ("  avg processing cycles per packet: ",
                     "  processing cycles: ", "pmd thread numa_id 0 "
                     "core_id 0:", "pmd thread numa_id 0 core_id 1:",
                     "main thread:"):
            if line not in stats:
                raise AssertionError("pmd-stats-show lacks %r:\n%s"
                                     % (line, stats))

        s.appctl("dpif-netdev/pmd-stats-clear")
        stats = s.appctl("dpif-netdev/pmd-stats-show")
        got = [int(x) for x in
               re.findall(r"^  (?:packets received|emc hits|megaflow hits)"
                          r": (\d+)$", stats, re.M)]
        if len(got) != 9 or any(got):
            raise AssertionError("pmd-stats-show after clear:\n%s" % stats)

        s.ping(h1[0], "10.7.0.2", count=20)
        perf = s.appctl("dpif-netdev/pmd-perf-show")
        for needle in (r"^Time: \d\d:\d\d:\d\d\.\d{3}$",
                       r"^Measurement duration: \d+\.\d{3} s$",
                       r"^  Iterations: +\d+  \([\d.]+ us/it\)$",
                       r"^  - Used TSC cycles: +\d+  ",
                       r"^  Tx packets: +\d+"):
            if not re.search(needle, perf, re.M):
                raise AssertionError("pmd-perf-show lacks %s:\n%s"
                                     % (needle, perf))
        rx = re.findall(r"^  Rx packets: +(\d+)  \((\d+) Kpps, (\d+) "
                        r"cycles/pkt\)$", perf, re.M)
        if sum(int(n) for n, _, _ in rx) < 40 or any(
                int(c) <= 0 for _, _, c in rx):
            raise AssertionError("pmd-perf-show Rx packets:\n%s" % perf)
        one = s.appctl("dpif-netdev/pmd-perf-show", "-pmd", "1")
        if "core_id 0:" in one or "core_id 1:" not in one:
            raise AssertionError("pmd-perf-show -pmd 1:\n%s" % one)


if __name__ == "__main__":
    plxtest.run()
