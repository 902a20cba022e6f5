#!/usr/bin/python3
"""bench-conntrack: connection tracking and NAT in the userspace
datapath, Plexus vs. Open vSwitch with DPDK, in one run.

The conntrack issue's benchmark.  It is bench-dpdk's setup (see
bench-dpdk.py: two DPDK ports, a net_pcap source replaying 64-byte UDP
frames with infinite_rx, a net_null sink, one PMD core, each switch
frozen while the other is measured) with the same OpenFlow rules
installed on both switches by their own ofctl (-O OpenFlow13), for each
mode:

  output   in_port=1,actions=output:2 (the baseline: no conntrack);
  ct       table=0,priority=10,ip,ct_state=-trk,
             actions=ct(zone=1,table=1)
           table=1,priority=10,ip,ct_state=+trk+new,
             actions=ct(commit,zone=1),output:2
           table=1,priority=10,ip,ct_state=+trk+est,actions=output:2
           (nothing else: a packet in any other state is dropped, which
           would show as fewer Mpps);
  ct-nat   the same, with ct(commit,zone=1,nat(src=10.99.0.1-10.99.0.254:
           1024-65535)) for +new and ct(zone=1,nat),output:2 for +est.

Conntrack is flushed (dpctl/flush-conntrack) every time a mode's flows
are set, so that no connection of another mode (one committed without
NAT, say) is left over.  The source pcap holds --flows frames, each its
own UDP connection (bench-dpdk's udp_frame(): distinct 5-tuples for up
to 100,000 frames), replayed in order again and again, so after the
first pass every connection is established.

Two measurements:

  packets per second (test "pps"), every mode, every --flows (default
      1000 and 100000): bench-dpdk's measure() -- Mpps the sink sent,
      cycles/pkt from pmd-perf-show and so on -- in the steady state,
      after --warmup seconds; "nconns" is dpctl/ct-get-nconns read right
      after the measurement (it should equal the flows in the ct modes
      and be 0 for output; the table lists any that does not);
  new connections per second (test "new_conns"), modes ct and ct-nat
      (--new-modes), on the pcap of --new-flows (default 100000) flows
      only: with the mode's flows set, traffic running and all
      connections established (after --warmup), conntrack is flushed
      and dpctl/ct-get-nconns polled back to back until it reads at
      least FLOWS; new_conns_per_sec = FLOWS / (the time the first such
      poll returned - the time the flush returned).  Every packet is then
      a new connection until the first pass over the pcap is done, so
      this is the rate of the switch's ct+commit path.  Its resolution is
      one poll: each is an appctl call of a few ms ("poll_ms", the
      median, is in every record), against a total of some tens to
      hundreds of ms, so the figure is a lower bound, off by up to
      poll_ms / (1000 * seconds).  "flush_ms" is how long the flush
      took; "nconns_first_poll" what the first poll read (connections
      made while the flush was running, if any).  Repeated --new-rounds
      times (default 5).  A switch that does
      not reach FLOWS within 20 s gets new_conns_per_sec null and
      "nconns_reached", the most it read (a connection limit, say).

Memory: with infinite_rx, DPDK's pcap driver reads the whole file into
mbufs of the port's mempool when the rx queue is set up (and fails the
setup if the pool cannot hold them), then copies each frame it hands
out into another mbuf of that pool; so p1's pool needs more than --flows
mbufs (100,001 and up for 100,000 flows: about 250 MB of hugepages at
2.5 kB an mbuf).  Open vSwitch's shared mempool for MTU 1500 asks for
262,144 mbufs (some 750 MB) and halves that until it fits; --socket-mem
(default 1024 MB for each switch, as in bench-dpdk) holds that pool, or
at least its 131,072-mbuf half, so the 100,000 frames fit either way.
Plexus sizes each port's pool from its rings (12,288 mbufs here), so
p1 gets options:n_mbufs=FRAMES+16384, Plexus's option for a bigger pool.
A switch whose pool for p1 is smaller fails to set up p1's rx queue
(DPDK logs "Not enough mbufs to accommodate packets in pcap file") and
is skipped, with its Interface error, for that flow count.

Output: one JSON line per (test, flows, mode, switch, round), e.g.

  {"bench":"conntrack","test":"pps","switch":"plexus","flows":1000,
   "mode":"ct-nat","mpps":4.1,"cycles_per_pkt":540,"nconns":1000,...}
  {"bench":"conntrack","test":"new_conns","switch":"ovs-dpdk",
   "flows":100000,"mode":"ct","new_conns_per_sec":812000,...}

then one {"bench":"conntrack-ratio",...} line per (flows, mode) with
the medians of Mpps and plexus / ovs-dpdk, one
{"bench":"conntrack-new-ratio",...} line per new-connection mode with
the medians, all values and plexus / ovs-dpdk, and a table on stderr.
Same requirements and cleanup as bench-dpdk (root, hugepages, DPDK's
pcap and null drivers; without them it says so and exits 0)."""

import argparse
import os
import statistics
import sys
import time
import types

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vhost_bench_lib  # noqa: E402

bd = vhost_bench_lib.load_bench("bench-dpdk")
lib = bd.lib

lib.PROG = "bench-conntrack"
log = lib.log
SWITCHES = lib.SWITCHES
MODES = ("output", "ct", "ct-nat")
NEW_MODES = ("ct", "ct-nat")
MAX_FLOWS = 100000
NEW_TIMEOUT = 20            # Seconds for conntrack to fill up again.
NAT = "nat(src=10.99.0.1-10.99.0.254:1024-65535)"


def ct_flows(mode):
    """The flows of conntrack mode MODE ("ct" or "ct-nat")."""
    if mode == "ct":
        commit, est = "ct(commit,zone=1)", "output:2"
    else:
        commit, est = "ct(commit,zone=1,%s)" % NAT, "ct(zone=1,nat),output:2"
    return ["table=0,priority=10,ip,ct_state=-trk,"
            "actions=ct(zone=1,table=1)",
            "table=1,priority=10,ip,ct_state=+trk+new,"
            "actions=%s,output:2" % commit,
            "table=1,priority=10,ip,ct_state=+trk+est,actions=%s" % est]


class CtSwitch(bd.DpdkSwitch):
    """bench-dpdk's switch, whose set_flows(MODE) installs the flows of
    MODE and flushes conntrack."""

    def interface_columns(self, ofport, port):
        cols = super().interface_columns(ofport, port)
        if port == "p1" and self.name == "plexus":
            # Plexus sizes a port's pool by its rings; the pcap source
            # keeps its whole file in mbufs (see Memory above).
            cols.append("options:n_mbufs=%d" % (self.n_frames + 16384))
        return cols

    def set_flows(self, mode):
        if mode == "output":
            super().set_flows("output")
        else:
            self.install_flows(ct_flows(mode))
        self.flush_conntrack()

    def flush_conntrack(self):
        self.appctl("dpctl/flush-conntrack")

    def nconns(self):
        """dpctl/ct-get-nconns."""
        out = self.appctl("dpctl/ct-get-nconns").stdout.strip()
        try:
            return int(out)
        except ValueError:
            raise RuntimeError("%s: dpctl/ct-get-nconns said %r"
                               % (self.name, out[-200:]))


def measure_pps(sw, args, flows, mode, rnd):
    rec = bd.measure(sw, args, flows, mode, rnd)
    rec.pop("action", None)
    rec["nconns"] = sw.nconns()
    return dict({"test": "pps", "switch": sw.name, "flows": flows,
                 "mode": mode}, **rec)


def measure_new(sw, args, flows, mode, rnd):
    """New connections per second after a flush (see the top)."""
    sw.set_flows(mode)
    time.sleep(args.warmup)
    sw.check_alive()
    before = sw.nconns()
    t0 = time.monotonic()
    sw.flush_conntrack()
    t1 = time.monotonic()
    polls, first, reached, hit = [], None, 0, None
    while True:
        a = time.monotonic()
        n = sw.nconns()
        b = time.monotonic()
        polls.append(b - a)
        if first is None:
            first = n
        reached = max(reached, n)
        if n >= flows:
            hit = b
            break
        if b - t1 > NEW_TIMEOUT:
            break
    sw.check_alive()
    rec = {"test": "new_conns", "switch": sw.name, "flows": flows,
           "mode": mode, "round": rnd, "nconns_before": before,
           "flush_ms": round((t1 - t0) * 1000, 1),
           "polls": len(polls), "nconns_first_poll": first,
           "poll_ms": round(statistics.median(polls) * 1000, 2),
           "nconns_reached": reached,
           "loadavg": round(os.getloadavg()[0], 2)}
    if hit is not None:
        rec["seconds"] = round(hit - t1, 4)
        rec["new_conns_per_sec"] = round(flows / (hit - t1))
    else:
        rec["seconds"] = round(time.monotonic() - t1, 2)
        rec["new_conns_per_sec"] = None
    return rec


def measure(sw, args, flows, case, rnd):
    """CASE is a mode (packets per second) or "new-" and a mode."""
    if case.startswith("new-"):
        return measure_new(sw, args, flows, case[4:], rnd)
    return measure_pps(sw, args, flows, case, rnd)


def run_flows(flows, args, huge, res, notes, counter):
    """As bench-dpdk's run_flows(), with CtSwitch and two kinds of case:
    the packet rate of every mode in every round, then, on the pcap of
    --new-flows, --new-rounds rounds of the new connection rate of every
    --new-modes mode."""
    cases = [(r, m) for r in range(args.rounds) for m in args.modes]
    if flows == args.new_flows:
        cases += [(r, "new-" + m) for r in range(args.new_rounds)
                  for m in args.new_modes]

    def make(name, args, huge, pcap):
        sw = CtSwitch(name, args, huge, pcap)
        sw.n_frames = max(flows, 64)
        return sw
    bd.run_flows(flows, args, huge, res, notes, counter, switch_class=make,
                 measure_fn=measure, cases=cases)


def add_pps_medians(rec, s, runs):
    rec[s + "_all"] = [r["mpps"] for r in runs]
    lib.add_median(rec, s + "_cycles_per_pkt", runs, "cycles_per_pkt")
    rec[s + "_nconns"] = [r["nconns"] for r in runs]


def add_new_medians(rec, s, runs):
    lib.add_median(rec, s, runs, "new_conns_per_sec", 0)
    rec[s + "_all"] = [r["new_conns_per_sec"] for r in runs]
    lib.add_median(rec, s + "_poll_ms", runs, "poll_ms", 2)
    if any(r["new_conns_per_sec"] is None for r in runs):
        rec[s + "_nconns_reached"] = [r["nconns_reached"] for r in runs]


def summarize(res):
    """The two kinds of summary records: packets per second, new
    connections per second."""
    def part(test, bench, add):
        sub = types.SimpleNamespace(
            bench=bench,
            records=[r for r in res.records if r.get("test") == test])
        return lib.summarize(sub, ("flows", "mode"),
                             lambda flows, mode: (flows, MODES.index(mode)),
                             add)
    return (part("pps", res.bench, add_pps_medians),
            part("new_conns", res.bench + "-new", add_new_medians))


def check_nconns(res, notes):
    """A note for every packet rate measured with a conntrack count
    other than expected: FLOWS in the ct modes, 0 for output."""
    for r in res.records:
        if r.get("test") != "pps":
            continue
        want = 0 if r["mode"] == "output" else r["flows"]
        if r["nconns"] != want:
            notes.append("%s: %d flows, %s, round %d: ct-get-nconns %d, "
                         "not %d" % (r["switch"], r["flows"], r["mode"],
                                     r["round"], r["nconns"], want))


def print_table(pps, new, notes, args):
    f = sys.stderr
    fmt = "%-18s %10s %10s %8s %11s %11s %10s %10s"
    print("", file=f)
    print("machine: %s" % lib.bs.machine(), file=f)
    print("%d-byte UDP frames, one connection each, net_pcap (infinite_rx)"
          " -> switch -> net_null; pmd-cpu-mask=%s; %g s measured after "
          "%g s warm-up, median of %d round(s); load average now %.2f"
          % (bd.FRAME_SIZE, args.pmd_mask, args.duration, args.warmup,
             args.rounds, os.getloadavg()[0]), file=f)
    print(fmt % ("flows/mode", "ovs Mpps", "plx Mpps", "plx/ovs",
                 "ovs cyc/pkt", "plx cyc/pkt", "ovs conns", "plx conns"),
          file=f)

    def cell(r, k):
        return "%.0f" % r[k] if r.get(k) is not None else "-"

    def conns(r, s):
        v = sorted(set(r.get(s + "_nconns", [])))
        return "/".join(map(str, v)) or "-"
    for r in pps:
        print(fmt % ("%d/%s" % (r["flows"], r["mode"]),
                     r.get("ovs-dpdk", "-"), r.get("plexus", "-"),
                     r.get("ratio", "-"),
                     cell(r, "ovs-dpdk_cycles_per_pkt"),
                     cell(r, "plexus_cycles_per_pkt"),
                     conns(r, "ovs-dpdk"), conns(r, "plexus")), file=f)
    if new:
        print("", file=f)
        print("new connections per second after dpctl/flush-conntrack "
              "with traffic running, median of %d round(s); resolution: "
              "one ct-get-nconns poll" % args.new_rounds, file=f)
        fmt2 = "%-18s %10s %10s %8s %11s %11s"
        print(fmt2 % ("flows/mode", "ovs conn/s", "plx conn/s", "plx/ovs",
                      "ovs poll ms", "plx poll ms"), file=f)
        for r in new:
            print(fmt2 % ("%d/%s" % (r["flows"], r["mode"]),
                          cell(r, "ovs-dpdk"), cell(r, "plexus"),
                          r.get("ratio", "-"),
                          r.get("ovs-dpdk_poll_ms", "-"),
                          r.get("plexus_poll_ms", "-")), file=f)
            for s in SWITCHES:
                if s + "_nconns_reached" in r:
                    print("  %s did not reach %d connections in %d s; "
                          "it reached %s" % (s, r["flows"], NEW_TIMEOUT,
                                             r[s + "_nconns_reached"]),
                          file=f)
    for n in notes:
        print(n, file=f)


def main():
    p = argparse.ArgumentParser(
        description="Packets per second through ct and ct+nat, and new "
        "connections per second: Plexus vs. Open vSwitch with DPDK.")
    lib.add_common_args(
        p, rounds=3,
        warmup_help="seconds after setting flows before measuring "
        "(default 3)",
        nice_help="run both vswitchds at this nice value (default 0)",
        keep_logs_help="keep each vswitchd's log in the temp directory "
        "(kept anyway for a switch that failed)")
    p.add_argument("--flows", type=int, nargs="+", default=[1000, MAX_FLOWS],
                   help="distinct UDP connections in the source pcap, one "
                   "case each (default 1000 %d)" % MAX_FLOWS)
    p.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    p.add_argument("--new-modes", nargs="*", choices=NEW_MODES,
                   default=list(NEW_MODES),
                   help="modes whose new connection rate is measured "
                   "(default ct ct-nat; none: skip it)")
    p.add_argument("--new-flows", type=int, default=MAX_FLOWS,
                   help="the --flows case whose new connection rate is "
                   "measured (default %d)" % MAX_FLOWS)
    p.add_argument("--new-rounds", type=int, default=5,
                   help="rounds of the new connection rate (default 5)")
    bd.add_run_args(p, "smoke run: 1 round (and 1 new connection round), "
                    "2 s after 1 s warm-up")
    args = bd.parse_run_args(p)
    if args.quick:
        args.new_rounds = 1
    if any(n < 1 or n > MAX_FLOWS for n in args.flows):
        p.error("--flows must be between 1 and %d" % MAX_FLOWS)
    if args.new_modes and args.new_flows not in args.flows:
        log("--new-flows %d is not one of --flows: no new connection rate"
            % args.new_flows)

    def report(res, notes):
        check_nconns(res, notes)
        pps, new = summarize(res)
        print_table(pps, new, notes, args)

    return bd.run_bench(args, "conntrack", run_flows, report)


if __name__ == "__main__":
    sys.exit(main())
