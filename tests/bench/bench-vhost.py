#!/usr/bin/python3
"""bench-vhost: vhost-user packet rate, Plexus vs. Open vSwitch with DPDK.

Issue 6's benchmark.  Each switch in turn -- Debian's Open vSwitch with
DPDK (ovs-vswitchd-dpdk from openvswitch-switch-dpdk, run directly with
its own database and run directory, not the system service) and Plexus
(plx-dbserver + plx-vswitchd from --builddir) -- gets the same setup:
bridge br0, datapath_type=netdev, two ports p1 and p2 of type
dpdkvhostuser (the switch is the vhost-user server), the flows
in_port=p1,actions=output:p2 and in_port=p2,actions=output:p1, and one
PMD thread on core 1 (other_config:pmd-cpu-mask=0x2).  Open vSwitch also
gets dpdk-init=true, dpdk-lcore-mask=0x1 (its non-PMD threads on core
0), dpdk-socket-mem=512 (MB) and a private hugetlbfs mount.  Plexus needs
no DPDK and no hugepages; its non-PMD threads are left unpinned.  Each
vswitchd runs in a network namespace of its own.  Both switches are set
up once, but only the one under test runs: the other is frozen with
SIGSTOP (a DPDK PMD polls its core even when idle).  Runs alternate
between the switches, the order flipping from one (mode, size) to the
next, so that drift in the machine's load hits both alike.

DPDK's dpdk-testpmd is the VM: two virtio-user devices
(net_virtio_user0 on p1's socket, net_virtio_user1 on p2's), one
forwarding lcore, memory in 2 MB hugepages (--in-memory
--single-file-segments, which gives the fd-backed memory that
vhost-user shares).  The machine has two cores and the switch's PMD has
core 1, so testpmd's main lcore and its forwarding lcore both sit on
core 0 (--lcores=0@0,1@0); the main lcore only waits for commands.
testpmd is the same binary with the same arguments for both switches,
started afresh for every run.

Modes, each at --sizes (64 and 1518 bytes; --txpkts):

  txonly-rxonly  testpmd's flowgen engine: its one lcore generates
                 packets (one flow) on each port and receives and frees
                 whatever the switch delivers, so p1->p2 and p2->p1
                 carry generated traffic at once.  (A separate txonly
                 and rxonly testpmd cannot work here: on one core the
                 two processes take turns of milliseconds, and the
                 idle receiver's ring overflows each turn; testpmd's
                 port topologies always transmit on every port.)
  io-loopback    testpmd's io engine, started with "start tx_first N":
                 N bursts of 32 packets per port (--tx-first, default
                 8: 512 packets in all) circulate
                 p1 -> switch -> p2 -> testpmd -> p2 -> switch -> p1 ...
                 With few packets in flight the loop measures latency,
                 not throughput (here 1 burst gave about a third of the
                 rate of 8).

"mpps" is the packets per second testpmd received on both ports
together -- the switch's forwarding rate -- over --duration seconds
after --warmup seconds, from testpmd's "show port stats all" counters.
tx_full_mpps: packets per second testpmd could not transmit because the
switch had not yet emptied the ring (flowgen offers more than any switch
takes; nonzero means the switch did not keep up with the generator).
From the switch: pmd_mpps (packets its PMD received per second, which
can exceed mpps when it drops), pmd_busy (share of the PMD's time spent
processing), and the PMD's processing time per packet: Open vSwitch
reports TSC cycles (converted to ns with /proc/cpuinfo's MHz), Plexus
reports ns (converted to cycles the same way); vswitchd_cpu (CPU
seconds per second of the whole vswitchd: about 1 when its PMD has core
1 to itself, less when other work on the machine takes turns there);
loadavg (the 1-minute load average at the end of the run: on a
machine busy with other work, numbers vary by 2x from run to run;
--rounds and --nice help).

Output: one JSON line per (switch, mode, size, round) on stdout, e.g.

  {"bench":"vhost","switch":"ovs-dpdk","mode":"io-loopback","size":64,
   "mpps":5.31,...}

then one {"bench":"vhost-ratio",...} line per (mode, size) with the
median over rounds for each switch and plexus / ovs-dpdk, then a table
on stderr.  Needs root (hugepages, mounts, namespaces); without it, or
without dpdk-testpmd, it says so and exits 0; a switch that cannot run
(Open vSwitch with DPDK not installed, Plexus without vhost-user ports)
is skipped with the reason.  vm.nr_hugepages is put back on exit, and
everything started is killed by PID."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhost_bench_lib as lib  # noqa: E402

SWITCHES = ("ovs-dpdk", "plexus")
MODES = ("txonly-rxonly", "io-loopback")
FWD = {"txonly-rxonly": "flowgen", "io-loopback": "io"}


def log(msg):
    print("bench-vhost: " + msg, file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.records = []

    def emit(self, **rec):
        rec = dict({"bench": "vhost"}, **rec)
        print(json.dumps(rec), flush=True)
        self.records.append(rec)


def measure(sw, args, huge, mode, size, rnd):
    """One testpmd run against SW; returns the result fields."""
    tp = lib.TestPmd(args, huge, sw.sockets, size, FWD[mode],
                     "%s-%s-%d" % (sw.name, mode, size))
    ok = False
    try:
        tp.start()
        if mode == "io-loopback":
            tp.cmd("start tx_first %d" % args.tx_first)
        else:
            tp.cmd("start")
        time.sleep(args.warmup)
        sw.check_alive()
        d0 = tp.tx_dropped()
        c0, t0 = tp.port_counters()
        s0 = sw.pmd_stats()
        cpu0 = sw.cpu_seconds()
        time.sleep(args.duration)
        c1, t1 = tp.port_counters()
        d1 = tp.tx_dropped()
        s1 = sw.pmd_stats()
        cpu1 = sw.cpu_seconds()
        sw.check_alive()
        tp.cmd("stop")
        ok = True
    finally:
        tp.close()
        if ok and not args.keep_logs:
            tp.remove_log()
        elif not ok:
            log("testpmd transcript kept in %s" % tp.log_path)
    dt = t1 - t0
    rx = [(c1[p][0] - c0[p][0]) / dt / 1e6 for p in (0, 1)]
    tx = [(c1[p][1] - c0[p][1]) / dt / 1e6 for p in (0, 1)]
    mpps = sum(rx)
    pkts = s1["packets"] - s0["packets"]
    mhz = lib.cpu_mhz()
    rec = {
        "switch": sw.name, "mode": mode, "size": size,
        "mpps": round(mpps, 3),
        "gbps": round(mpps * size * 8 / 1000, 2),
        "rx_mpps_port": [round(x, 3) for x in rx],
        "tx_mpps_port": [round(x, 3) for x in tx],
        # What testpmd could not hand to the switch (its ring was full).
        "tx_full_mpps": round(sum(d1.get(p, 0) - d0.get(p, 0)
                                  for p in (0, 1)) / dt / 1e6, 3),
        "pmd_mpps": round(pkts / dt / 1e6, 3),
        "vswitchd_cpu": round((cpu1 - cpu0) / dt, 2),
        "seconds": round(dt, 2), "round": rnd,
        "loadavg": round(os.getloadavg()[0], 2),
    }
    if "busy_cycles" in s0:
        busy = s1["busy_cycles"] - s0["busy_cycles"]
        idle = s1["idle_cycles"] - s0["idle_cycles"]
        if pkts:
            rec["pmd_cycles_per_pkt"] = round(busy / pkts, 1)
            if mhz:
                rec["pmd_ns_per_pkt"] = round(busy / pkts / mhz * 1000, 1)
        rec["pmd_busy"] = round(busy / (busy + idle), 3) if busy + idle \
            else None
    else:
        busy = s1["busy_ns"] - s0["busy_ns"]
        idle = s1["idle_ns"] - s0["idle_ns"]
        if pkts:
            rec["pmd_ns_per_pkt"] = round(busy / pkts, 1)
            if mhz:
                rec["pmd_cycles_per_pkt"] = round(busy / pkts * mhz / 1000,
                                                  1)
        rec["pmd_busy"] = round(busy / (busy + idle), 3) if busy + idle \
            else None
    if rec["mpps"] == 0:
        raise RuntimeError("%s %s %d: no packets moved (testpmd rx %s)"
                           % (sw.name, mode, size, rec["rx_mpps_port"]))
    return rec


def setup_switches(names, args, huge, notes):
    """Sets up each switch in NAMES and freezes it (SIGSTOP) before the
    next starts; returns those that came up."""
    switches = []
    for name in names:
        sw = lib.VhostSwitch(name, args, huge)
        try:
            log("%s: setting up" % name)
            sw.setup()
            sw.pause()
            switches.append(sw)
        except lib.Skip as e:
            notes.append("%s: skipped: %s" % (name, e))
            log(notes[-1])
            sw.teardown()
        except (RuntimeError, subprocess.TimeoutExpired):
            sw.teardown()
            raise
    return switches


def run_all(switches, args, huge, res, notes):
    """Every (round, mode, size) on each switch in turn, the order
    flipping from one to the next, so that drift in the machine's load
    hits both switches alike.  Only the switch under test runs; the
    other is stopped."""
    dead = set()
    i = 0
    for rnd in range(args.rounds):
        for mode in args.modes:
            for size in args.sizes:
                order = switches if i % 2 == 0 else switches[::-1]
                i += 1
                for sw in order:
                    if sw.name in dead:
                        continue
                    log("%s: %s, %d bytes, round %d"
                        % (sw.name, mode, size, rnd))
                    try:
                        sw.resume()
                        res.emit(**measure(sw, args, huge, mode, size,
                                           rnd))
                        sw.pause()
                    except (RuntimeError,
                            subprocess.TimeoutExpired) as e:
                        notes.append("%s %s %d: failed: %s"
                                     % (sw.name, mode, size, e))
                        log(notes[-1])
                        try:
                            sw.check_alive()
                            sw.pause()
                        except RuntimeError as e2:
                            notes.append(str(e2))
                            log(notes[-1])
                            dead.add(sw.name)


def summarize(res):
    out = []
    groups = {}
    for r in res.records:
        groups.setdefault((r["mode"], r["size"]), {}).setdefault(
            r["switch"], []).append(r)
    for (mode, size), by_sw in sorted(groups.items(),
                                      key=lambda kv: (MODES.index(
                                          kv[0][0]), kv[0][1])):
        rec = {"bench": "vhost-ratio", "mode": mode, "size": size}
        for s in SWITCHES:
            if s in by_sw:
                rec[s] = round(statistics.median(r["mpps"]
                                                 for r in by_sw[s]), 3)
                ns = [r["pmd_ns_per_pkt"] for r in by_sw[s]
                      if "pmd_ns_per_pkt" in r]
                if ns:
                    rec[s + "_ns_per_pkt"] = round(statistics.median(ns),
                                                   1)
        if rec.get("ovs-dpdk") and "plexus" in rec:
            rec["ratio"] = round(rec["plexus"] / rec["ovs-dpdk"], 3)
        rec["runs"] = max(len(v) for v in by_sw.values())
        print(json.dumps(rec), flush=True)
        out.append(rec)
    return out


def print_table(summary, notes, args):
    f = sys.stderr
    print("", file=f)
    print("machine: %s" % lib.bs.machine(), file=f)
    print("cores: switch PMD pmd-cpu-mask=%s; testpmd --lcores=%s; "
          "%g s measured after %g s warm-up, median of %d round(s); "
          "nice %d; load average now %.2f"
          % (args.pmd_mask, args.testpmd_lcores, args.duration,
             args.warmup, args.rounds, args.nice, os.getloadavg()[0]),
          file=f)
    print("%-20s %10s %10s %8s %12s %12s"
          % ("mode/size (Mpps)", "ovs-dpdk", "plexus", "plx/ovs",
             "ovs ns/pkt", "plx ns/pkt"), file=f)
    for r in summary:
        print("%-20s %10s %10s %8s %12s %12s"
              % ("%s/%d" % (r["mode"], r["size"]),
                 r.get("ovs-dpdk", "-"), r.get("plexus", "-"),
                 r.get("ratio", "-"), r.get("ovs-dpdk_ns_per_pkt", "-"),
                 r.get("plexus_ns_per_pkt", "-")), file=f)
    for n in notes:
        print(n, file=f)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(
        description="vhost-user packet rate with dpdk-testpmd "
        "(virtio-user): Plexus vs. Open vSwitch with DPDK.")
    p.add_argument("--builddir", default=os.environ.get("PLX_BUILDDIR",
                                                        ""))
    p.add_argument("--srcdir", default=os.environ.get(
        "PLX_SRCDIR", os.path.dirname(os.path.dirname(here))))
    p.add_argument("--duration", type=float, default=10,
                   help="seconds measured per run (default 10)")
    p.add_argument("--warmup", type=float, default=3,
                   help="seconds before measuring (default 3)")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds per switch (default 1)")
    p.add_argument("--sizes", type=int, nargs="+", default=[64, 1518],
                   help="packet sizes (default 64 1518)")
    p.add_argument("--modes", nargs="+", choices=MODES,
                   default=list(MODES))
    p.add_argument("--only", choices=SWITCHES, action="append",
                   help="measure only this switch (repeatable)")
    p.add_argument("--order", choices=("ovs-first", "plexus-first"),
                   default="ovs-first")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 64 bytes, 2 s after 1 s warm-up")
    p.add_argument("--tx-first", type=int, default=8,
                   help="io-loopback: bursts of 32 per port put in "
                   "flight (default 8: 256 per port, one ring's worth)")
    p.add_argument("--pmd-mask", default="0x2",
                   help="pmd-cpu-mask for both switches (default 0x2)")
    p.add_argument("--testpmd-lcores", default="0@0,1@0",
                   help="testpmd --lcores (default 0@0,1@0: main and "
                   "forwarding lcore on core 0)")
    p.add_argument("--testpmd-mem", type=int, default=256,
                   help="testpmd -m, MB (default 256)")
    p.add_argument("--mbufs", type=int, default=16384,
                   help="testpmd --total-num-mbufs (default 16384)")
    p.add_argument("--ovs-socket-mem", type=int, default=512,
                   help="Open vSwitch dpdk-socket-mem, MB (default 512)")
    p.add_argument("--nice", type=int, default=0,
                   help="run testpmd and both vswitchds at this nice "
                   "value (e.g. -10 on a machine busy with other work; "
                   "default 0)")
    p.add_argument("--keep-logs", action="store_true",
                   help="keep testpmd transcripts in the temp directory")
    args = p.parse_args()
    if args.quick:
        args.sizes = [64]
        args.duration = 2
        args.warmup = 1
        args.rounds = 1

    if os.geteuid() != 0:
        log("skipped: needs root (hugepages, mounts, namespaces)")
        return 0
    if not shutil.which(lib.TESTPMD):
        log("skipped: %s not installed (package dpdk)" % lib.TESTPMD)
        return 0
    if (os.cpu_count() or 0) < 2:
        log("skipped: needs two cores")
        return 0

    lib.bs.interrupt_on_sigterm()

    res = Results()
    notes = []
    started = time.monotonic()
    names = list(SWITCHES if args.order == "ovs-first"
                 else reversed(SWITCHES))
    switches = []
    huge = lib.HugePages(
        (args.ovs_socket_mem + args.testpmd_mem) // 2 + 128)
    try:
        try:
            huge.setup()
        except lib.Skip as e:
            log("skipped: %s" % e)
            return 0
        names = [n for n in names if not args.only or n in args.only]
        try:
            switches = setup_switches(names, args, huge, notes)
            run_all(switches, args, huge, res, notes)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            notes.append("failed: %s" % e)
            log(notes[-1])
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        for sw in switches:
            sw.teardown()
        huge.close()
    summary = summarize(res)
    print_table(summary, notes, args)
    log("done in %.0f s" % (time.monotonic() - started))
    return 1 if any("failed" in n for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
