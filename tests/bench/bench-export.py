#!/usr/bin/python3
"""bench-export: what NetFlow, sFlow and IPFIX cost the datapath, Plexus
vs. Open vSwitch with DPDK, in one run.

The flow export issue's benchmark.  It is bench-dpdk's setup (see
bench-dpdk.py: two DPDK ports, a net_pcap source replaying 64-byte UDP
frames of --flows distinct flows with infinite_rx, a net_null sink, one
PMD core, flow "in_port=1,actions=output:2", each switch frozen while
the other is measured) with one exporter configured the same way on
both switches, through their own vsctl, for each mode:

  none        no exporter (the baseline);
  netflow     NetFlow v5, active_timeout=10: every packet counted;
  sflow       sFlow, sampling=400 (the default), polling=10, header=128;
  sflow64     sFlow, sampling=64;
  ipfix       per-bridge IPFIX, sampling=400, cache_active_timeout=10;
  sflow-dead  sFlow, sampling=64, to a port nobody listens on: every
              datagram draws an ICMP port unreachable.

The collector is a UDP sink in the switch's network namespace
(127.0.0.1:9995) that counts what it receives; "collector_dps" is the
datagrams per second it got, so a mode that exported nothing shows.
Output: one JSON line per (mode, switch, round), then one
{"bench":"export-ratio",...} line per mode with medians and
plexus / ovs-dpdk, and a table on stderr.  Same requirements and
cleanup as bench-dpdk (root, hugepages, DPDK's pcap and null drivers;
without them it says so and exits 0)."""

import argparse
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vhost_bench_lib  # noqa: E402

bd = vhost_bench_lib.load_bench("bench-dpdk")
lib = bd.lib

lib.PROG = "bench-export"
log = lib.log
SWITCHES = lib.SWITCHES
MODES = ("none", "netflow", "sflow", "sflow64", "ipfix", "sflow-dead")
COLLECTOR = "127.0.0.1:9995"
DEAD = "127.0.0.1:9996"

# Run in the switch's namespace: counts UDP datagrams to PORT until
# SIGTERM, then prints the count.
SINK = r"""
import signal, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("127.0.0.1", int(sys.argv[1])))
n = 0
def done(*_):
    print(n, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
print("ready", flush=True)
while True:
    s.recv(65536)
    n += 1
"""


def export_args(mode, bridge):
    """The vsctl arguments that give BRIDGE exporter MODE (after
    clearing every exporter)."""
    clear = ["--", "clear", "Bridge", bridge, "netflow", "sflow", "ipfix"]
    if mode == "none":
        return clear
    if mode == "netflow":
        return clear + ["--", "set", "Bridge", bridge, "netflow=@x", "--",
                        "--id=@x", "create", "NetFlow",
                        'targets="%s"' % COLLECTOR, "active_timeout=10"]
    if mode.startswith("sflow"):
        rate = 400 if mode == "sflow" else 64
        target = DEAD if mode == "sflow-dead" else COLLECTOR
        return clear + ["--", "set", "Bridge", bridge, "sflow=@x", "--",
                        "--id=@x", "create", "sFlow",
                        'targets="%s"' % target, "sampling=%d" % rate,
                        "polling=10", "header=128", "agent=127.0.0.1"]
    return clear + ["--", "set", "Bridge", bridge, "ipfix=@x", "--",
                    "--id=@x", "create", "IPFIX", 'targets="%s"' % COLLECTOR,
                    "sampling=400", "cache_active_timeout=10"]


class ExportSwitch(bd.DpdkSwitch):
    """bench-dpdk's switch, whose set_flows(MODE) installs the output
    flow and configures exporter MODE."""

    def set_flows(self, mode):
        super().set_flows("output")
        self.vsctl(*export_args(mode, self.bridge))


class Sink:
    """The collector: a counting UDP sink in NETNS."""

    def __init__(self, netns):
        port = COLLECTOR.rsplit(":", 1)[1]
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", netns, "/usr/bin/python3", "-c", SINK,
             port], stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("collector sink did not start")
        self.start = time.monotonic()

    def stop(self):
        """Datagrams per second received."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=10)
        dt = time.monotonic() - self.start
        try:
            return round(int(out.strip() or 0) / dt, 1)
        except ValueError:
            return None


def measure(sw, args, flows, mode, rnd):
    sink = Sink(sw.netns)
    try:
        rec = bd.measure(sw, args, flows, mode, rnd)
    finally:
        dps = sink.stop()
    rec.pop("action", None)
    rec["mode"] = mode
    rec["collector_dps"] = dps
    return rec


def run_flows(flows, args, huge, res, notes, counter):
    bd.run_flows(flows, args, huge, res, notes, counter, args.modes,
                 ExportSwitch, measure)


def add_medians(rec, s, runs):
    rec[s + "_all"] = [r["mpps"] for r in runs]
    for field in ("cycles_per_pkt", "collector_dps"):
        lib.add_median(rec, s + "_" + field, runs, field)


def print_table(summary, notes, args):
    f = sys.stderr
    fmt = "%-18s %9s %9s %8s %11s %11s %11s %11s"
    print("", file=f)
    print("machine: %s" % lib.bs.machine(), file=f)
    print("%d-byte UDP frames, %s flows, net_pcap (infinite_rx) -> switch "
          "(output:2) -> net_null; pmd-cpu-mask=%s; %g s measured after "
          "%g s warm-up, median of %d round(s); load average now %.2f"
          % (bd.FRAME_SIZE, "/".join(map(str, args.flows)), args.pmd_mask,
             args.duration, args.warmup, args.rounds, os.getloadavg()[0]),
          file=f)
    print(fmt % ("flows/mode", "ovs Mpps", "plx Mpps", "plx/ovs",
                 "ovs cyc/pkt", "plx cyc/pkt", "ovs dgram/s",
                 "plx dgram/s"), file=f)

    def cell(r, k):
        return "%.0f" % r[k] if r.get(k) is not None else "-"
    for r in summary:
        print(fmt % ("%d/%s" % (r["flows"], r["mode"]),
                     r.get("ovs-dpdk", "-"), r.get("plexus", "-"),
                     r.get("ratio", "-"),
                     cell(r, "ovs-dpdk_cycles_per_pkt"),
                     cell(r, "plexus_cycles_per_pkt"),
                     cell(r, "ovs-dpdk_collector_dps"),
                     cell(r, "plexus_collector_dps")), file=f)
    for n in notes:
        print(n, file=f)


def main():
    p = argparse.ArgumentParser(
        description="The datapath's cost of NetFlow, sFlow and IPFIX: "
        "Plexus vs. Open vSwitch with DPDK.")
    lib.add_common_args(
        p, rounds=3,
        warmup_help="seconds after configuring before measuring "
        "(default 3)",
        nice_help="run both vswitchds at this nice value (default 0)",
        keep_logs_help="keep each vswitchd's log in the temp directory "
        "(kept anyway for a switch that failed)")
    p.add_argument("--flows", type=int, nargs="+", default=[256],
                   help="distinct UDP flows in the source pcap "
                   "(default 256)")
    p.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    bd.add_run_args(p)
    args = bd.parse_run_args(p)

    def summarize(res):
        return lib.summarize(res, ("flows", "mode"),
                             lambda flows, mode: (flows, MODES.index(mode)),
                             add_medians, extra={"size": bd.FRAME_SIZE})

    return bd.run_bench(args, "export", run_flows,
                        lambda res, notes: print_table(summarize(res),
                                                       notes, args))


if __name__ == "__main__":
    sys.exit(main())
