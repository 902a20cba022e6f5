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
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhost_bench_lib as lib  # noqa: E402

lib.PROG = "bench-vhost"
log = lib.log
SWITCHES = lib.SWITCHES
MODES = ("txonly-rxonly", "io-loopback")
FWD = {"txonly-rxonly": "flowgen", "io-loopback": "io"}


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


def run_all(switches, args, huge, res, notes):
    """Every (round, mode, size) on each switch in turn (see
    lib.run_alternating)."""
    cases = [(rnd, mode, size) for rnd in range(args.rounds)
             for mode in args.modes for size in args.sizes]
    lib.run_alternating(
        switches, cases,
        lambda sw, c: measure(sw, args, huge, c[1], c[2], c[0]),
        lambda c: "%s, %d bytes, round %d" % (c[1], c[2], c[0]),
        res, notes, [0])


def add_medians(rec, s, runs):
    lib.add_median(rec, s + "_ns_per_pkt", runs, "pmd_ns_per_pkt")


def summarize(res):
    return lib.summarize(res, ("mode", "size"),
                         lambda mode, size: (MODES.index(mode), size),
                         add_medians)


def print_table(summary, notes, args):
    lib.print_table(
        "cores: switch PMD pmd-cpu-mask=%s; testpmd --lcores=%s; "
        "%g s measured after %g s warm-up, median of %d round(s); "
        "nice %d; load average now %.2f"
        % (args.pmd_mask, args.testpmd_lcores, args.duration,
           args.warmup, args.rounds, args.nice, os.getloadavg()[0]),
        ("mode/size (Mpps)", "ovs-dpdk", "plexus", "plx/ovs",
         "ovs ns/pkt", "plx ns/pkt"), summary,
        lambda r: "%s/%d" % (r["mode"], r["size"]),
        lambda r: (r.get("ovs-dpdk_ns_per_pkt", "-"),
                   r.get("plexus_ns_per_pkt", "-")), notes, 20)


def main():
    p = argparse.ArgumentParser(
        description="vhost-user packet rate with dpdk-testpmd "
        "(virtio-user): Plexus vs. Open vSwitch with DPDK.")
    lib.add_common_args(
        p, rounds=1, warmup_help="seconds before measuring (default 3)",
        nice_help="run testpmd and both vswitchds at this nice value "
        "(e.g. -10 on a machine busy with other work; default 0)",
        keep_logs_help="keep testpmd transcripts (and the vswitchd "
        "logs) in the temp directory")
    p.add_argument("--sizes", type=int, nargs="+", default=[64, 1518],
                   help="packet sizes (default 64 1518)")
    p.add_argument("--modes", nargs="+", choices=MODES,
                   default=list(MODES))
    p.add_argument("--order", choices=("ovs-first", "plexus-first"),
                   default="ovs-first")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 64 bytes, 2 s after 1 s warm-up")
    p.add_argument("--tx-first", type=int, default=8,
                   help="io-loopback: bursts of 32 per port put in "
                   "flight (default 8: 256 per port, one ring's worth)")
    p.add_argument("--testpmd-lcores", default="0@0,1@0",
                   help="testpmd --lcores (default 0@0,1@0: main and "
                   "forwarding lcore on core 0)")
    p.add_argument("--testpmd-mem", type=int, default=256,
                   help="testpmd -m, MB (default 256)")
    p.add_argument("--mbufs", type=int, default=16384,
                   help="testpmd --total-num-mbufs (default 16384)")
    p.add_argument("--ovs-socket-mem", type=int, default=512,
                   help="Open vSwitch dpdk-socket-mem, MB (default 512)")
    args = p.parse_args()
    if args.quick:
        args.sizes = [64]
        args.duration = 2
        args.warmup = 1
        args.rounds = 1

    why = lib.preflight()
    if why:
        log("skipped: " + why)
        return 0
    if not shutil.which(lib.TESTPMD):
        log("skipped: %s not installed (package dpdk)" % lib.TESTPMD)
        return 0

    res = lib.Results("vhost")
    notes = []
    names = list(SWITCHES if args.order == "ovs-first"
                 else reversed(SWITCHES))
    names = [n for n in names if not args.only or n in args.only]
    switches = []
    huge = lib.HugePages(
        (args.ovs_socket_mem + args.testpmd_mem) // 2 + 128)

    def body():
        try:
            switches.extend(lib.setup_switches(
                names, lambda name: lib.VhostSwitch(name, args, huge),
                notes))
            run_all(switches, args, huge, res, notes)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            notes.append("failed: %s" % e)
            log(notes[-1])

    def cleanup():
        for sw in switches:
            sw.close()

    return lib.run(huge, body,
                   lambda: print_table(summarize(res), notes, args),
                   notes, cleanup)

if __name__ == "__main__":
    sys.exit(main())
