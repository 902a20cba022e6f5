#!/usr/bin/python3
"""bench-dpdk: port-to-port forwarding between two DPDK ports, Plexus vs.
Open vSwitch with DPDK, one PMD core, 64-byte packets.

The DPDK issue's benchmark.  Each switch -- Debian's Open vSwitch with
DPDK (ovs-vswitchd-dpdk from openvswitch-switch-dpdk, run directly with
its own database and run directory, never the system service) and
Plexus (plx-dbserver + plx-vswitchd from --builddir) -- gets the same
setup:

  other_config  dpdk-init=true, dpdk-lcore-mask=0x1 (non-PMD threads on
                core 0), dpdk-socket-mem and dpdk-socket-limit (both
                --socket-mem, MB: without a limit, Open vSwitch's
                first mempool takes whatever hugepages are free),
                dpdk-hugepage-dir (a private hugetlbfs mount of 2 MB
                pages), dpdk-extra="--file-prefix=... --no-pci", and
                pmd-cpu-mask=0x2: ONE PMD thread, on core 1;
  bridge br0    datapath_type=netdev, two Interfaces of type dpdk:
                p1 (ofport 1), the source,
                  options:dpdk-devargs=net_pcap0,rx_pcap=FILE,infinite_rx=1
                p2 (ofport 2), the sink,
                  options:dpdk-devargs=net_null1,no-rx=1
  flows         "output": in_port=1,actions=output:2;
                "normal": in_port=1,actions=NORMAL (the destination MAC
                is never learned -- nothing arrives on p2 -- so NORMAL
                floods: to p2 and to the bridge's own port br0, which is
                down),
                installed with the switch's own ofctl (ovs-ofctl or
                plx-ofctl, -O OpenFlow13).

FILE is a pcap written by this script: 64-byte Ethernet/IPv4/UDP frames
(64 bytes of frame, no FCS), either one flow or --flows distinct flows
(source address and UDP ports vary).  DPDK's pcap driver reads the file
into memory and, with infinite_rx=1, hands the frames out again and
again as fast as the PMD polls; the null driver frees what it is given.
Both drivers cost the same whichever switch runs them, so the
difference between the switches is their own per-packet cost.

Each vswitchd runs in a network namespace of its own (the userspace
datapath makes a tap named ovs-netdev, and the bridge's own device).
For every flow count, both switches are set up; then, in every round
and for every action, each switch in turn is resumed while the other is
frozen with SIGSTOP (a PMD polling its pcap source would take core 1),
its flows are set, and after --warmup seconds its PMD statistics are
cleared (dpif-netdev/pmd-stats-clear) and it is measured for --duration
seconds.  The order of the switches flips from one measurement to the
next, so that drift in the machine's load hits both alike.

Per measurement:
  mpps          packets the sink transmitted per second (p2's "TX
                packets" in dpctl/show -s, read before and after);
  rx_mpps       packets the source received per second (p1's "RX
                packets"); more than mpps if the switch dropped;
  cycles_per_pkt, pmd_busy, pmd_kpps
                from dpif-netdev/pmd-perf-show, which covers the same
                interval: "Rx packets: N (K Kpps, C cycles/pkt)" -- TSC
                cycles of busy iterations per packet received -- and the
                share of cycles spent in busy iterations;
  stats_cycles_per_pkt
                the same cost from dpif-netdev/pmd-stats-show, read
                before and after: busy TSC cycles per packet (Open
                vSwitch), or busy time per packet (Plexus) times
                /proc/cpuinfo's MHz -- a cross-check, and the only
                figure for a switch without pmd-perf-show (the table
                marks it with *);
  vswitchd_cpu  CPU seconds per second of the whole vswitchd (about 1:
                the PMD; the main thread idles).

Output: one JSON line per (flows, action, switch, round) on stdout,
e.g.

  {"bench":"dpdk","switch":"ovs-dpdk","flows":1,"action":"output",
   "mpps":12.3,"cycles_per_pkt":190,...}

then one {"bench":"dpdk-ratio",...} line per (flows, action) with the
medians over rounds and plexus / ovs-dpdk, then a table on stderr.

Needs root (hugepages, mounts, namespaces), two cores, DPDK's pcap and
null drivers; without them it says so and exits 0.  A switch that cannot
run (Open vSwitch with DPDK not installed, a Plexus built without DPDK
ports) is skipped with the reason (its Interface error column and the
tail of its log).  vm.nr_hugepages is put back on exit; every daemon
started is killed by PID, and every directory, namespace and mount this
run made is removed."""

import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhost_bench_lib as lib  # noqa: E402

lib.PROG = "bench-dpdk"
log = lib.log
bs = lib.bs
Skip = lib.Skip
TAG = lib.TAG
SWITCHES = lib.SWITCHES
ACTIONS = ("output", "normal")
FRAME_SIZE = 64
PMD_DIRS = "/usr/lib/*/dpdk/pmds-*"


# The traffic.

def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(i, size=FRAME_SIZE):
    """Ethernet/IPv4/UDP frame number I (its own flow), SIZE bytes long
    without FCS: 02:00:00:00:00:01 -> 02:00:00:00:00:02, 10.0.X.Y:P ->
    10.1.0.1:Q, where X.Y is I + 1."""
    payload_len = size - 14 - 20 - 8
    if payload_len < 0:
        raise ValueError("frame size %d below 42 bytes" % size)
    eth = (bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
           + struct.pack("!H", 0x0800))
    src_ip = bytes([10, 0, ((i + 1) >> 8) & 0xff, (i + 1) & 0xff])
    dst_ip = bytes([10, 1, 0, 1])
    sport = 1024 + (i % 50000)
    dport = 5001 + (i % 7)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + payload_len, i &
                     0xffff, 0x4000, 64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    payload = bytes((i + k) & 0xff for k in range(payload_len))
    udp = struct.pack("!HHHH", sport, dport, 8 + payload_len, 0)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17,
                                           8 + payload_len)
    ucs = _csum(pseudo + udp + payload) or 0xffff
    udp = udp[:6] + struct.pack("!H", ucs)
    return eth + ip + udp + payload


def write_pcap(path, n_flows, n_frames=None):
    """A pcap (microsecond timestamps, Ethernet) of N_FRAMES frames
    cycling through N_FLOWS distinct flows (N_FRAMES defaults to
    N_FLOWS, at least 64)."""
    if n_frames is None:
        n_frames = max(n_flows, 64)
    frames = [udp_frame(i) for i in range(n_flows)]
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k in range(n_frames):
            fr = frames[k % n_flows]
            f.write(struct.pack("<IIII", k // 1000000, k % 1000000,
                                len(fr), len(fr)))
            f.write(fr)


# Statistics parsers.

def parse_dpctl_ports(text):
    """{port name: {"rx": packets, "tx": packets, "rx_dropped": n,
    "tx_dropped": n}} from dpctl/show -s (Open vSwitch's format; Plexus
    prints the same)."""
    ports = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"\s*port \d+: (\S+)", line)
        if m:
            cur = ports.setdefault(m.group(1), {})
            continue
        if cur is None:
            continue
        m = re.match(r"\s*RX packets:(\d+)(?:.*?dropped:(\d+))?", line)
        if m:
            cur["rx"] = int(m.group(1))
            if m.group(2) is not None:
                cur["rx_dropped"] = int(m.group(2))
        m = re.match(r"\s*TX packets:(\d+)(?:.*?dropped:(\d+))?", line)
        if m:
            cur["tx"] = int(m.group(1))
            if m.group(2) is not None:
                cur["tx_dropped"] = int(m.group(2))
    return ports


def parse_pmd_perf(text):
    """From dpif-netdev/pmd-perf-show (one PMD): the measurement
    duration (s), Rx packets, Kpps, cycles/pkt and the share of used
    cycles spent in busy iterations (percent), or None where absent."""
    r = {"duration": None, "rx_packets": None, "kpps": None,
         "cycles_per_pkt": None, "busy_percent": None}
    m = re.search(r"Measurement duration:\s*([\d.]+)\s*s", text)
    if m:
        r["duration"] = float(m.group(1))
    m = re.search(r"Rx packets:\s*(\d+)\s*\(\s*([\d.]+)\s*Kpps,\s*"
                  r"([\d.]+)\s*cycles/pkt\)", text)
    if m:
        r["rx_packets"] = int(m.group(1))
        r["kpps"] = float(m.group(2))
        r["cycles_per_pkt"] = float(m.group(3))
    m = re.search(r"busy iterations:\s*\d+\s*\(\s*([\d.]+)\s*%", text)
    if m:
        r["busy_percent"] = float(m.group(1))
    return r


# One switch.

class DpdkSwitch(lib.VhostSwitch):
    """One switch with br0 and two DPDK ports: p1 (pcap source, ofport
    1) and p2 (null sink, ofport 2).  Database, run directory, network
    namespace, daemons, freezing and the clients come from VhostSwitch;
    both switches get dpdk_other_config()."""

    PORT_TYPE = "dpdk"
    RUN_PREFIX = "plx-bench-dpdk"
    NETNS_PREFIX = "plxdpb"
    ADD_PORTS_TIMEOUT = 90
    PLX_START_TIMEOUT = 60      # DPDK's EAL takes a few seconds to start.
    OFCTL_OPTIONS = ("-O", "OpenFlow13")

    def __init__(self, name, args, hugepages, pcap):
        super().__init__(name, args, hugepages)
        self.pcap = pcap
        self.perf_error = None

    def devargs(self, port):
        if port == "p1":
            return "net_pcap0,rx_pcap=%s,infinite_rx=1" % self.pcap
        return "net_null1,no-rx=1"

    def interface_columns(self, ofport, port):
        return ["type=dpdk", "ofport_request=%d" % ofport,
                "options:dpdk-devargs=%s" % self.devargs(port)]

    def other_config(self, who):
        return lib.dpdk_other_config(
            self.args.pmd_mask, self.args.socket_mem, self.huge.dir,
            "%s-%s-%s" % (self.NETNS_PREFIX, who, TAG), socket_limit=True)

    def setup(self):
        self._start_daemons()
        self.check_alive()
        self._add_ports()
        for ofport, port in enumerate(self.PORTS, 1):
            got = self._ofport(port)
            if got != ofport:
                raise RuntimeError("%s: %s has ofport %d, not %d"
                                   % (self.name, port, got, ofport))
        # Without pmd-perf-show, cycles/pkt comes from pmd-stats-show
        # alone (and the table says so).
        p = self.appctl("dpif-netdev/pmd-perf-show", check=False)
        if p.returncode:
            self.perf_error = ((p.stderr or p.stdout).strip()
                               .splitlines() or ["failed"])[0]
            self.notes.append("%s: no pmd-perf-show (%s); its cycles/pkt "
                              "(marked *) are from pmd-stats-show"
                              % (self.name, self.perf_error))

    def set_flows(self, action):
        if action == "output":
            self.install_flows(["priority=100,in_port=1,actions=output:2"])
        else:
            self.install_flows(["priority=100,in_port=1,actions=NORMAL"])

    def port_counters(self):
        """{port: counters} from dpctl/show -s, and the monotonic time
        in the middle of the command."""
        t0 = time.monotonic()
        out = self.appctl("dpctl/show", "-s").stdout
        t1 = time.monotonic()
        ports = parse_dpctl_ports(out)
        for p, key in (("p1", "rx"), ("p2", "tx")):
            if key not in ports.get(p, {}):
                raise RuntimeError("%s: no %s packets for %s in "
                                   "dpctl/show -s: %r"
                                   % (self.name, key, p, out[-600:]))
        return ports, (t0 + t1) / 2


# Measurement.

def measure(sw, args, flows, action, rnd):
    sw.set_flows(action)
    time.sleep(args.warmup)
    sw.check_alive()
    # pmd-perf-show covers the time since this; pmd-stats-show is read
    # before and after, so it does not depend on it.
    sw.appctl("dpif-netdev/pmd-stats-clear", check=sw.perf_error is None)
    c0, t0 = sw.port_counters()
    s0 = sw.pmd_stats()
    cpu0 = sw.cpu_seconds()
    time.sleep(args.duration)
    c1, t1 = sw.port_counters()
    s1 = sw.pmd_stats()
    cpu1 = sw.cpu_seconds()
    perf_text = ""
    if sw.perf_error is None:
        perf_text = sw.appctl("dpif-netdev/pmd-perf-show").stdout
    sw.check_alive()
    perf = parse_pmd_perf(perf_text)
    dt = t1 - t0
    tx = (c1["p2"]["tx"] - c0["p2"]["tx"]) / dt / 1e6
    rx = (c1["p1"]["rx"] - c0["p1"]["rx"]) / dt / 1e6
    rec = {
        "switch": sw.name, "flows": flows, "action": action,
        "size": FRAME_SIZE, "round": rnd,
        "mpps": round(tx, 3), "rx_mpps": round(rx, 3),
        "cycles_per_pkt": perf["cycles_per_pkt"],
        "pmd_busy": (round(perf["busy_percent"] / 100, 3)
                     if perf["busy_percent"] is not None else None),
        "pmd_kpps": perf["kpps"],
        "perf_seconds": perf["duration"],
        "vswitchd_cpu": round((cpu1 - cpu0) / dt, 2),
        "seconds": round(dt, 2),
        "loadavg": round(os.getloadavg()[0], 2),
    }
    # The same from pmd-stats-show: busy TSC cycles (Open vSwitch) or
    # busy time (Plexus, converted with /proc/cpuinfo's MHz) per packet.
    pkts = s1["packets"] - s0["packets"]
    mhz = lib.cpu_mhz()
    if "busy_cycles" in s0:
        busy = s1["busy_cycles"] - s0["busy_cycles"]
    elif mhz:
        busy = (s1["busy_ns"] - s0["busy_ns"]) * mhz / 1000
    else:
        busy = None
    if pkts and busy is not None:
        rec["stats_cycles_per_pkt"] = round(busy / pkts, 1)
    if sw.perf_error is not None:
        rec["pmd_perf_show"] = "unavailable: " + sw.perf_error
    elif perf["cycles_per_pkt"] is None:
        rec["pmd_perf_show"] = perf_text[-800:]
    if rec["mpps"] == 0:
        raise RuntimeError("%s flows=%d %s: nothing forwarded (source rx "
                           "%.3f Mpps); pmd-perf-show: %s"
                           % (sw.name, flows, action, rx,
                              " | ".join(perf_text.split("\n")[:12])))
    return rec


def run_flows(flows, args, huge, res, notes, counter, actions=None,
              switch_class=None, measure_fn=None, cases=None):
    """Sets up both switches (SWITCH_CLASS(name, args, huge, pcap),
    default DpdkSwitch) with a source of FLOWS flows and measures each
    of ACTIONS (default args.actions) in every round with MEASURE_FN
    (default measure()); or the (round, action) pairs of CASES."""
    switch_class = switch_class or DpdkSwitch
    measure_fn = measure_fn or measure
    pcap = os.path.join(huge_tmp(), "flows-%d.pcap" % flows)
    write_pcap(pcap, flows)
    names = [n for n in SWITCHES if not args.only or n in args.only]
    switches = []
    failed = set()
    try:
        switches = lib.setup_switches(
            names, lambda name: switch_class(name, args, huge, pcap), notes)
        if cases is None:
            cases = [(rnd, action) for rnd in range(args.rounds)
                     for action in (actions or args.actions)]
        failed = lib.run_alternating(
            switches, cases,
            lambda sw, case: measure_fn(sw, args, flows, case[1], case[0]),
            lambda case: "%d flow(s), %s, round %d"
            % (flows, case[1], case[0]), res, notes, counter)
    finally:
        for sw in switches:
            sw.close(failed=sw.name in failed)
        os.unlink(pcap)


_TMP = []


def huge_tmp():
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="plx-bench-dpdk-"))
    return _TMP[0]


def add_medians(rec, s, runs):
    rec[s + "_all"] = [r["mpps"] for r in runs]
    for field in ("cycles_per_pkt", "stats_cycles_per_pkt"):
        lib.add_median(rec, s + "_" + field, runs, field)


def summarize(res):
    return lib.summarize(res, ("flows", "action"),
                         lambda flows, action: (flows,
                                                ACTIONS.index(action)),
                         add_medians, extra={"size": FRAME_SIZE})


def print_table(summary, notes, args):
    def cycles(r, s):
        if s + "_cycles_per_pkt" in r:
            return "%.0f" % r[s + "_cycles_per_pkt"]
        if s + "_stats_cycles_per_pkt" in r:
            return "%.0f*" % r[s + "_stats_cycles_per_pkt"]
        return "-"
    lib.print_table(
        "%d-byte UDP frames, net_pcap (infinite_rx) -> switch -> "
        "net_null; pmd-cpu-mask=%s, dpdk-lcore-mask=0x1; %g s measured "
        "after %g s warm-up, median of %d round(s); load average now "
        "%.2f" % (FRAME_SIZE, args.pmd_mask, args.duration, args.warmup,
                  args.rounds, os.getloadavg()[0]),
        ("flows/action", "ovs Mpps", "plx Mpps", "plx/ovs", "ovs cyc/pkt",
         "plx cyc/pkt"), summary,
        lambda r: "%d/%s" % (r["flows"], r["action"]),
        lambda r: (cycles(r, "ovs-dpdk"), cycles(r, "plexus")), notes, 18)


def missing_drivers():
    """The DPDK drivers this needs that are not installed."""
    dirs = glob.glob(PMD_DIRS)
    missing = []
    for drv in ("net_pcap", "net_null"):
        lib_name = "librte_%s.so*" % drv
        if not any(glob.glob(os.path.join(d, lib_name)) for d in dirs):
            missing.append(drv)
    return missing


def main():
    p = argparse.ArgumentParser(
        description="Port-to-port forwarding between two DPDK ports "
        "(net_pcap source, net_null sink), one PMD core: Plexus vs. "
        "Open vSwitch with DPDK.")
    lib.add_common_args(
        p, rounds=3,
        warmup_help="seconds after setting flows before measuring "
        "(default 3)",
        nice_help="run both vswitchds at this nice value (default 0)",
        keep_logs_help="keep each vswitchd's log in the temp directory "
        "(kept anyway for a switch that failed)")
    p.add_argument("--flows", type=int, nargs="+", default=[1, 256],
                   help="distinct UDP flows in the source pcap, one case "
                   "each (default 1 256)")
    p.add_argument("--actions", nargs="+", choices=ACTIONS,
                   default=list(ACTIONS))
    add_run_args(p)
    args = parse_run_args(p)
    if any(n < 1 or n > 65536 for n in args.flows):
        p.error("--flows must be between 1 and 65536")

    return run_bench(args, "dpdk", run_flows,
                     lambda res, notes: print_table(summarize(res), notes,
                                                    args))


def add_run_args(p, quick_help="smoke run: 1 round, 2 s after 1 s "
                 "warm-up"):
    """The options every benchmark on this setup has besides
    lib.add_common_args(): --quick and --socket-mem."""
    p.add_argument("--quick", action="store_true", help=quick_help)
    p.add_argument("--socket-mem", type=int, default=1024,
                   help="dpdk-socket-mem and dpdk-socket-limit, MB, "
                   "for each switch (default 1024)")


def parse_run_args(p):
    """P's arguments, --quick applied: 1 round of 2 s after 1 s."""
    args = p.parse_args()
    if args.quick:
        args.duration = 2
        args.warmup = 1
        args.rounds = 1
    return args


def run_bench(args, bench, run_flows_fn, report):
    """The main run of a benchmark on this setup: checks the machine and
    the drivers, then RUN_FLOWS_FN(flows, args, huge, res, notes,
    counter) for each of args.flows with the hugepages set up, cleans up,
    and REPORT(res, notes).  Returns the exit status (see lib.run)."""
    why = lib.preflight()
    if why:
        log("skipped: " + why)
        return 0
    missing = missing_drivers()
    if missing:
        log("skipped: DPDK driver(s) %s not found in %s (package "
            "librte-net-*/dpdk)" % (", ".join(missing), PMD_DIRS))
        return 0

    res = lib.Results(bench)
    notes = []
    # Both switches are up at once (one frozen): socket-mem each, and
    # some for the drivers' and EAL's own allocations.
    huge = lib.HugePages(2 * args.socket_mem // 2 + 128)
    counter = [0]

    def body():
        for flows in args.flows:
            try:
                run_flows_fn(flows, args, huge, res, notes, counter)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                notes.append("flows=%d: failed: %s" % (flows, e))
                log(notes[-1])

    def cleanup():
        if _TMP:
            shutil.rmtree(_TMP[0], ignore_errors=True)

    return lib.run(huge, body, lambda: report(res, notes), notes, cleanup)


if __name__ == "__main__":
    sys.exit(main())
