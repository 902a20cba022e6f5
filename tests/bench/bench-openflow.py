#!/usr/bin/python3
"""bench-openflow: OpenFlow performance, Plexus vs. Open vSwitch, one run.

Debian's Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath,
datapath_type=netdev) and Plexus (plx-dbserver + plx-vswitchd from
--builddir) are started side by side, each in its own temporary
directory, each with its own pair of network namespaces joined through
its bridge by veth pairs (10.250.0.1 in A, 10.250.0.2 in B), as
bench-switch.py sets them up (its classes are reused: same offloads,
pmd-cpu-mask=0x1 for both, everything killed by PID and deleted on
exit).  Both bridges are fail_mode=secure, so only the bench's flows
forward, and listen for a controller on ptcp:PORT:127.0.0.1.  Tests
alternate between the switches (the order flips every round) so that
drift in machine load hits both alike.

1. flow_mod_add_rate: --flows (100k) flows with distinct ip,nw_dst
   matches over 4 tables (goto_table chain, the last outputs), added
   (a) by `ovs-ofctl -O OpenFlow13 add-flows unix:DIR/BR.mgmt FILE`,
   timed until it exits (it ends with a barrier; the time includes
   ovs-ofctl parsing the file, the same for both), and (b) by a raw
   OpenFlow 1.3 client on the ptcp controller target that sends every
   FLOW_MOD pipelined, then a BARRIER_REQUEST, timed to the
   BARRIER_REPLY; and (c) the same client on the management socket
   unix:DIR/BR.mgmt, which tells the transport and connection kind
   apart from ovs-ofctl's way of sending.  Every run is checked: no
   OpenFlow error, and dump-flows shows exactly --flows flows (the
   flows then go with del-flows).  vswitchd_cpu_seconds and, for
   add-flows, ofctl_cpu_seconds say where the time went.

2. packet_rate: iperf3 UDP, 64-byte payloads, -b 0, A -> B (as
   bench-switch.py), through a pipeline of 1k and 100k rules over tables
   0..3 (openflow_bench_lib.pipeline_text).  delivered_pps: frames per
   second B's interface took in from the switch; pps: what iperf3
   received.

3. megaflows: openflow_bench_sender.py sends UDP A -> B at --rate pps
   cycling through N source ports (N in --tuples), through the 1k-rule
   pipeline ("l3": rules on IP addresses only, so ideally one datapath
   flow serves every tuple) and the same plus 1000 udp,tp_src=P rules
   ("l4": the decision depends on the source port, so a switch must
   unwildcard some of it).  Reported: datapath flows (dpctl/dump-flows
   lines, at the end of the run), and datapath misses (upcalls) per
   second from dpctl/show's hit/miss counters during the first cycle
   through the tuples and in the steady state after it.

Output: one JSON line per run on stdout, e.g.

  {"bench":"openflow","metric":"flow_mod_add_rate","via":"add-flows",
   "switch":"plexus","flows":100000,"per_sec":12345,"round":0}

then per metric the median over rounds for each switch and the ratio
plexus / ovs ({"bench":"openflow-ratio",...}), then a table on stderr.
Needs root; without it, or without Open vSwitch, iperf3 or ovs-ofctl,
it says so and exits 0."""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openflow_bench_lib as lib  # noqa: E402

SENDER = os.path.join(lib.HERE, "openflow_bench_sender.py")
SWITCHES = ("ovs", "plexus")


def log(msg):
    print("bench-openflow: " + msg, file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.records = []

    def emit(self, **rec):
        rec = dict({"bench": "openflow"}, **rec)
        print(json.dumps(rec), flush=True)
        self.records.append(rec)


def order(switches, rnd):
    return switches if rnd % 2 == 0 else list(reversed(switches))


# 1. Flow-mod throughput.

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def flowmod_addflows(sw, args, path, text):
    """Returns (seconds, CPU seconds that ovs-ofctl itself used)."""
    cpu0 = children_cpu()
    secs = sw.replace_flows(text, path)
    cpu = children_cpu() - cpu0
    n = sw.count_flows()
    if n != args.flows:
        raise RuntimeError("%s: add-flows of %d flows: dump-flows shows %d"
                           % (sw.name, args.flows, n))
    return secs, cpu


def flowmod_client(sw, args, wire, target):
    sw.ofctl("del-flows", sw.mgmt)
    client = lib.OFClient(target)
    try:
        t0 = time.monotonic()
        client.send(wire)
        client.barrier(0x7fffffff, timeout=600)
        secs = time.monotonic() - t0
        errors = list(client.errors)
    finally:
        client.close()
    if errors:
        raise RuntimeError("%s: %d OpenFlow errors, first (type, code) %s"
                           % (sw.name, len(errors), errors[0]))
    n = sw.count_flows()
    if n != args.flows:
        raise RuntimeError("%s: %d FLOW_MODs over the controller "
                           "connection: dump-flows shows %d"
                           % (sw.name, args.flows, n))
    return secs


def test_flowmods(switches, args, res, tmp):
    flows = lib.flowmod_set(args.flows, 4)
    for rnd in range(args.rounds):
        for sw in order(switches, rnd):
            # The output port is port B on either switch.
            text = lib.flowmod_text(flows, sw.port_b)
            wire = lib.flowmod_wire(flows, sw.port_b)
            for via in ("add-flows", "controller", "mgmt-socket"):
                cpu0 = sw.cpu_seconds()
                client_cpu = None
                if via == "add-flows":
                    secs, client_cpu = flowmod_addflows(
                        sw, args, os.path.join(tmp, "flows.txt"), text)
                elif via == "controller":
                    secs = flowmod_client(sw, args, wire,
                                          ("127.0.0.1", sw.ctl_port))
                else:
                    secs = flowmod_client(sw, args, wire, sw.mgmt[5:])
                cpu = sw.cpu_seconds() - cpu0
                t0 = time.monotonic()
                sw.ofctl("del-flows", sw.mgmt)
                del_secs = time.monotonic() - t0
                res.emit(metric="flow_mod_add_rate", via=via,
                         switch=sw.name, flows=args.flows,
                         per_sec=int(args.flows / secs),
                         seconds=round(secs, 3),
                         vswitchd_cpu_seconds=round(cpu, 2),
                         ofctl_cpu_seconds=(round(client_cpu, 2)
                                            if client_cpu is not None
                                            else None),
                         verified=True, del_all_seconds=round(del_secs, 3),
                         round=rnd)
                sw.check_alive()


# 2. Packet throughput through many rules.

def install_pipeline(sw, n_rules, l4_rules, tmp, res, what):
    text, n_flows = lib.pipeline_text(n_rules, sw.port_a, sw.port_b,
                                      l4_rules)
    secs = sw.replace_flows(text, os.path.join(tmp, "pipeline.txt"))
    n = sw.count_flows()
    if n != n_flows:
        raise RuntimeError("%s: pipeline of %d flows: dump-flows shows %d"
                           % (sw.name, n_flows, n))
    sw.del_dp_flows()
    log("%s: %s: %d OpenFlow flows installed in %.1f s"
        % (sw.name, what, n_flows, secs))
    return n_flows


def test_packets(switches, args, res, tmp):
    for n_rules in args.rules:
        n_flows = {}
        for sw in switches:
            n_flows[sw.name] = install_pipeline(sw, n_rules, 0, tmp, res,
                                                "%d rules" % n_rules)
        for rnd in range(args.packet_rounds):
            for sw in order(switches, rnd):
                lib.bs.wait_for_path(sw.topo)
                cpu0 = sw.cpu_seconds()
                rx0 = lib.bs.rx_packets(sw.topo)
                t0 = time.time()
                end = lib.bs.iperf(sw.topo, args,
                                   ["-u", "-l", "64", "-b", "0"])
                elapsed = time.time() - t0
                delivered = (lib.bs.rx_packets(sw.topo) - rx0) / elapsed
                cpu = (sw.cpu_seconds() - cpu0) / elapsed
                # iperf3 3.12 with -O: sum_received's packets and
                # lost_packets mix the omitted seconds in (lost can exceed
                # packets); its bytes are what the server received in
                # the measured seconds, 64 per datagram.
                recv = end["sum_received"]
                sent = end["sum_sent"]
                pps = (recv["bytes"] / 64 / recv["seconds"]
                       if recv["seconds"] else 0)
                sent_pps = (sent["bytes"] / 64 / sent["seconds"]
                            if sent["seconds"] else 0)
                lost = (100.0 * (1 - recv["bytes"] / sent["bytes"])
                        if sent["bytes"] else 0)
                _, _, _, dp_flows = sw.dp_stats()
                res.emit(metric="packet_rate", switch=sw.name,
                         rules=n_rules, openflow_flows=n_flows[sw.name],
                         delivered_pps=int(delivered), pps=int(pps),
                         sent_pps=int(sent_pps),
                         lost_percent=round(lost, 2),
                         vswitchd_cpu=round(cpu, 2), dp_flows=dp_flows,
                         seconds=args.duration, round=rnd)
                sw.check_alive()


# 3. Megaflows and upcalls under many 5-tuples.

def megaflow_run(sw, args, n_tuples):
    sw.del_dp_flows()
    time.sleep(0.5)
    cycle = n_tuples / args.rate
    first = cycle + 1.0
    total = first + args.steady
    argv = (sw.topo.ns_exec(sw.topo.ns_a)
            + ["/usr/bin/python3", SENDER, "eth0", lib.ADDR_A, lib.ADDR_B,
               "--flows", str(n_tuples), "--rate", str(args.rate),
               "--seconds", str(total)])
    rx0 = lib.bs.rx_packets(sw.topo)
    s0 = sw.dp_stats()
    cpu0 = sw.cpu_seconds()
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        time.sleep(max(0.0, t0 + first - time.monotonic()))
        s1 = sw.dp_stats()
        t1 = time.monotonic()
        out, err = proc.communicate(timeout=total + 60)
    finally:
        lib.bs.stop_proc(proc, "sender")
    s2 = sw.dp_stats()
    t2 = time.monotonic()
    cpu = (sw.cpu_seconds() - cpu0) / (t2 - t0)
    rx = lib.bs.rx_packets(sw.topo) - rx0
    if proc.returncode:
        raise RuntimeError("sender failed: %s" % err.strip())
    sent = json.loads(out)
    dump = sw.dump_dp_flows()
    upcall = sw.upcall_show()
    limit = None
    for line in upcall.splitlines():
        if "flows" in line and "limit" in line:
            limit = line.strip()
            break
    return {
        "dp_flows": len(dump),
        "dp_flows_show": s2[3],
        "dp_flows_after_first_cycle": s1[3],
        "miss_per_sec_first_cycle": round((s1[1] - s0[1]) / (t1 - t0), 1),
        "miss_per_sec_steady": round((s2[1] - s1[1]) / (t2 - t1), 1),
        "hit_per_sec_steady": int((s2[0] - s1[0]) / (t2 - t1)),
        "lost": s2[2] - s0[2],
        "sent_pps": int(sent["sent"] / sent["seconds"]),
        "delivered_pps": int(rx / (t2 - t0)),
        "delivered_fraction": round(rx / sent["sent"], 4)
        if sent["sent"] else 0,
        "vswitchd_cpu": round(cpu, 2),
        "ovs_flow_limit": limit,
    }


def test_megaflows(switches, args, res, tmp):
    for variant, l4 in (("l3", 0), ("l4", 1000)):
        for sw in switches:
            install_pipeline(sw, 1000, l4, tmp, res,
                             "megaflow pipeline %s" % variant)
        for rnd in range(args.megaflow_rounds):
            for i, n in enumerate(args.tuples):
                for sw in order(switches, rnd + i):
                    r = megaflow_run(sw, args, n)
                    if r["ovs_flow_limit"] is None:
                        del r["ovs_flow_limit"]
                    res.emit(metric="megaflows", switch=sw.name,
                             pipeline=variant, rules=1000 + l4, tuples=n,
                             rate_pps=args.rate, round=rnd, **r)
                    sw.check_alive()
                    sw.del_dp_flows()


def idle_cpu(switches, res, seconds=3.0):
    """Both switches idle at once: each vswitchd's CPU use, to show that
    the one not under test leaves the CPUs to the other."""
    cpu0 = {sw.name: sw.cpu_seconds() for sw in switches}
    t0 = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    for sw in switches:
        res.emit(metric="idle_cpu", switch=sw.name,
                 vswitchd_cpu=round((sw.cpu_seconds() - cpu0[sw.name])
                                    / elapsed, 3))


# Summary.

SUMMARY = [
    # (metric, key fields, value field)
    ("flow_mod_add_rate", ("via", "flows"), "per_sec"),
    ("flow_mod_add_rate", ("via", "flows"), "vswitchd_cpu_seconds"),
    ("packet_rate", ("rules",), "delivered_pps"),
    ("packet_rate", ("rules",), "pps"),
    ("megaflows", ("pipeline", "tuples"), "dp_flows"),
    ("megaflows", ("pipeline", "tuples"), "miss_per_sec_first_cycle"),
    ("megaflows", ("pipeline", "tuples"), "miss_per_sec_steady"),
    ("megaflows", ("pipeline", "tuples"), "delivered_pps"),
]


def summarize(res):
    out = []
    for metric, keys, field in SUMMARY:
        groups = {}
        for r in res.records:
            if r.get("metric") != metric or field not in r:
                continue
            k = tuple(r[x] for x in keys)
            groups.setdefault(k, {}).setdefault(r["switch"], []).append(
                r[field])
        for k, by_sw in sorted(groups.items()):
            med = {s: statistics.median(v) for s, v in by_sw.items()}
            rec = {"bench": "openflow-ratio", "metric": metric,
                   "value": field}
            rec.update(zip(keys, k))
            for s in SWITCHES:
                if s in med:
                    rec[s] = med[s]
            lib.bs.emit_ratio(rec, by_sw, "ovs", out)
    return out


def print_table(summary, notes):
    f = sys.stderr
    print("", file=f)
    print("machine: %s" % lib.bs.machine(), file=f)
    print("%-46s %14s %14s %8s" % ("metric (median)", "ovs-netdev",
                                   "plexus", "plx/ovs"), file=f)
    for r in summary:
        keys = [str(r[k]) for k in r if k not in (
            "bench", "metric", "value", "ovs", "plexus", "ratio", "runs")]
        name = "%s %s %s" % (r["metric"], "/".join(keys), r["value"])
        print("%-46s %14s %14s %8s"
              % (name[:46], r.get("ovs", "-"), r.get("plexus", "-"),
                 r.get("ratio", "-")), file=f)
    for n in notes:
        print(n, file=f)


def main():
    p = argparse.ArgumentParser(
        description="OpenFlow flow-mod rate, packet rate through many "
        "rules, megaflows and upcalls: Plexus vs. Open vSwitch "
        "(userspace datapath).")
    lib.bs.add_dir_args(p)
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds of the flow-mod test (default 3)")
    p.add_argument("--packet-rounds", type=int, default=4,
                   help="rounds of the packet test (default 4)")
    p.add_argument("--megaflow-rounds", type=int, default=2,
                   help="rounds of the megaflow test (default 2)")
    p.add_argument("--flows", type=int, default=100000,
                   help="flows per flow-mod run (default 100000)")
    p.add_argument("--rules", type=int, nargs="+", default=[1000, 100000],
                   help="rule counts for the packet test")
    p.add_argument("--tuples", type=int, nargs="+", default=[10000, 50000],
                   help="5-tuple counts for the megaflow test")
    p.add_argument("--rate", type=int, default=20000,
                   help="megaflow test send rate, pps (default 20000)")
    p.add_argument("--steady", type=float, default=8.0,
                   help="megaflow test: seconds measured after the first "
                   "cycle (default 8)")
    p.add_argument("--duration", type=int, default=8,
                   help="iperf3 seconds per packet run (default 8)")
    p.add_argument("--warmup", type=int, default=2,
                   help="iperf3 seconds left out (default 2)")
    p.add_argument("--tests", default="flowmod,packets,megaflows",
                   help="comma-separated subset of flowmod,packets,"
                   "megaflows")
    p.add_argument("--only", choices=SWITCHES, action="append",
                   help="measure only this switch (repeatable)")
    args = p.parse_args()
    tests = args.tests.split(",")

    if os.geteuid() != 0:
        log("skipped: needs root (network namespaces)")
        return 0
    for prog in ("ip", "ethtool", "iperf3", "ping", "ovs-ofctl"):
        if not shutil.which(prog):
            log("skipped: %s not installed" % prog)
            return 0

    lib.bs.interrupt_on_sigterm()

    res = Results()
    notes = []
    switches = []
    tmp = tempfile.mkdtemp(prefix="plx-bench-openflow-")
    started = time.monotonic()
    summary = []
    return_early = False
    try:
        for name in SWITCHES:
            if args.only and name not in args.only:
                continue
            sw = lib.OfSwitch(name, args)
            switches.append(sw)
            try:
                log("%s: setting up" % name)
                sw.setup()
            except lib.Skip as e:
                notes.append("%s: skipped: %s" % (name, e))
                log(notes[-1])
                sw.teardown()
                switches.remove(sw)
        idle_cpu(switches, res)
        for name, fn in (("flowmod", test_flowmods),
                         ("packets", test_packets),
                         ("megaflows", test_megaflows)):
            if name in tests and switches:
                log("test %s (%.0f s so far)"
                    % (name, time.monotonic() - started))
                try:
                    fn(switches, args, res, tmp)
                except (RuntimeError, subprocess.TimeoutExpired,
                        lib.Skip) as e:
                    notes.append("%s: failed: %s" % (name, e))
                    log(notes[-1])
                    # A switch that died fails every later test too.
                    for sw in switches:
                        try:
                            sw.check_alive()
                        except RuntimeError as dead:
                            notes.append(str(dead))
                            log(notes[-1])
                            return_early = True
                    if return_early:
                        break
        summary = summarize(res)
    finally:
        for sw in switches:
            sw.teardown()
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(summary, notes)
    log("done in %.0f s" % (time.monotonic() - started))
    return 1 if any("failed" in n for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
