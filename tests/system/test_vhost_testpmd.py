"""vhost-user ports with DPDK as the frontend: dpdk-testpmd's virtio-user
ports on Plexus's dpdkvhostuser interfaces.

One testpmd process has two net_virtio_user vdevs, each connected to a
dpdkvhostuser port (RUNDIR/<ifname>) of a bridge whose flows cross the
two ports (in_port=1 to 2, 2 to 1).  testpmd forwards in io mode and
starts with a burst on each port (--tx-first), so the same packets
circulate through Plexus both ways until testpmd stops.  Both sides
count: testpmd's forward statistics (RX and TX on each port) and
plx-ofctl dump-ports.  virtio-user needs guest ("driver") memory that
the backend can map by fd: --no-huge with --single-file-segments does
that with ordinary memory, so no hugepages are reserved.  testpmd is
started and killed by PID; its files carry a --file-prefix of its own.
Needs root and dpdk-testpmd (Debian's dpdk-dev, which plx-install-deps
installs)."""

import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import plxtest
from plxtest import case
from test_vswitchd import Switch, TAG, wait_until
from test_vhost_qemu import ofctl, port_stats

RUN_SECONDS = 5


def testpmd_stats(out):
    """{port: (rx packets, tx packets)} from testpmd's final forward
    statistics."""
    stats = {}
    for m in re.finditer(r"Forward statistics for port (\d+)\s+-+\s+"
                         r"RX-packets: (\d+).*?TX-packets: (\d+)", out,
                         re.S):
        stats[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    return stats


def start_testpmd(s, sockets, mode_args, name):
    """Starts dpdk-testpmd with a virtio-user port on each of SOCKETS
    (files under --file-prefix NAME plus this run's tag); stop it with
    stop_testpmd()."""
    exe = plxtest.require_program("dpdk-testpmd")
    argv = [exe, "-l", "0-1", "--no-huge", "-m", "512",
            "--single-file-segments", "--no-pci",
            "--file-prefix=plx%s%s" % (name, TAG)]
    for i, path in enumerate(sockets):
        argv += ["--vdev", "net_virtio_user%d,path=%s,queues=1" % (i, path)]
    argv += ["--", "--total-num-mbufs=4096", "--nb-cores=1",
             "--stats-period=0", "-a"] + list(mode_args)
    if len(sockets) == 1:
        argv.append("--port-topology=loop")
    p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    s.procs.append(p)
    return p


def stop_testpmd(p):
    """Stops testpmd (Enter: it prints its statistics and exits) and
    returns its output."""
    try:
        out, _ = p.communicate(b"\n", timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
    out = out.decode(errors="replace")
    if "Bye..." not in out:
        raise AssertionError("dpdk-testpmd failed (%s):\n%s"
                             % (p.returncode, out[-3000:]))
    return out


def run_testpmd(s, sockets, mode_args, seconds=RUN_SECONDS):
    p = start_testpmd(s, sockets, mode_args, "io")
    time.sleep(seconds)
    return stop_testpmd(p)


def vhost_bridge(s):
    plxtest.require_program("dpdk-testpmd")
    s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
            "fail_mode=secure")
    paths = []
    for i, name in enumerate(("vhu0", "vhu1")):
        s.vsctl("add-port", s.br, name, "--", "set", "Interface", name,
                "type=dpdkvhostuser", "ofport_request=%d" % (i + 1))
        path = os.path.join(s.dir, name)
        wait_until(lambda: os.path.exists(path), 10,
                   "vhost-user socket %s (error: %s)"
                   % (path, s.get("Interface", name, "error")))
        paths.append(path)
    ofctl(s, "add-flow", s.br, "in_port=1,actions=output:2")
    ofctl(s, "add-flow", s.br, "in_port=2,actions=output:1")
    return paths


@case
def io_forward_both_ways():
    """testpmd in io mode with --tx-first: packets cross Plexus in both
    directions; testpmd and dump-ports agree that they did."""
    plxtest.require_root()
    with Switch() as s:
        paths = vhost_bridge(s)
        before = {i: port_stats(s, i) for i in ("vhu0", "vhu1")}
        out = run_testpmd(s, paths, ["--forward-mode=io", "--tx-first"])
        st = testpmd_stats(out)
        if set(st) != {0, 1}:
            raise AssertionError("no testpmd statistics:\n%s" % out[-2000:])
        # What testpmd sent on one port came back on the other.
        for tx_port, rx_port in ((0, 1), (1, 0)):
            if st[tx_port][1] < 32 or st[rx_port][0] < 32:
                raise AssertionError("testpmd %s" % st)
        after = {i: port_stats(s, i) for i in ("vhu0", "vhu1")}
        # Plexus receives on vhu0 what testpmd transmitted on port 0, and
        # sends it out of vhu1.
        rx0 = after["vhu0"][0] - before["vhu0"][0]
        tx1 = after["vhu1"][1] - before["vhu1"][1]
        rx1 = after["vhu1"][0] - before["vhu1"][0]
        tx0 = after["vhu0"][1] - before["vhu0"][1]
        if min(rx0, tx1, rx1, tx0) < 32:
            raise AssertionError("dump-ports deltas rx0=%d tx1=%d rx1=%d "
                                 "tx0=%d; testpmd %s"
                                 % (rx0, tx1, rx1, tx0, st))
        if rx0 < st[1][0] or rx1 < st[0][0]:
            raise AssertionError("testpmd received more than Plexus "
                                 "forwarded: %s vs rx0=%d rx1=%d"
                                 % (st, rx0, rx1))


@case
def txonly_then_rxonly():
    """Two testpmd processes, one port each: txonly on one port of the
    bridge and rxonly on the other, then reversed.  Each direction
    carries packets; what the receiver counts, Plexus counted out of
    that port, and no more than the sender sent."""
    plxtest.require_root()
    with Switch() as s:
        paths = vhost_bridge(s)
        names = ("vhu0", "vhu1")
        for src, dst in ((0, 1), (1, 0)):
            before = {n: port_stats(s, n) for n in names}
            rx = start_testpmd(s, [paths[dst]], ["--forward-mode=rxonly"],
                               "rx")
            time.sleep(2)
            tx = start_testpmd(s, [paths[src]], ["--forward-mode=txonly"],
                               "tx")
            time.sleep(RUN_SECONDS)
            sent = testpmd_stats(stop_testpmd(tx)).get(0, (0, 0))[1]
            time.sleep(0.5)
            got = testpmd_stats(stop_testpmd(rx)).get(0, (0, 0))[0]
            after = {n: port_stats(s, n) for n in names}
            p_rx = after[names[src]][0] - before[names[src]][0]
            p_tx = after[names[dst]][1] - before[names[dst]][1]
            if sent < 100 or got < 100 or got > sent:
                raise AssertionError("%s->%s: testpmd sent %d, received %d"
                                     % (names[src], names[dst], sent, got))
            if p_tx < got or p_rx > sent or p_rx < p_tx:
                raise AssertionError("%s->%s: Plexus rx %d tx %d, testpmd "
                                     "sent %d received %d"
                                     % (names[src], names[dst], p_rx, p_tx,
                                        sent, got))


if __name__ == "__main__":
    plxtest.run()
