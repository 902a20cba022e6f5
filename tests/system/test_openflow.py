"""Debian's ovs-ofctl against a Plexus bridge.

Each case starts plx-dbserver and plx-vswitchd (test_vswitchd.Switch),
adds a bridge with namespace hosts on veth ports, and drives the bridge
with /usr/bin/ovs-ofctl through its management socket RUNDIR/BRIDGE.mgmt,
as a user would with `ovs-ofctl CMD BRIDGE`:

  - round trip: flows added with add-flow/add-flows come back from
    dump-flows exactly as ovs-ofctl itself writes them (`--no-stats`),
    in OpenFlow 1.3 and 1.0; mod-flows and del-flows (loose and strict)
    change exactly what they select; and the hosts' traffic follows;
  - groups and meters: add/mod/del, dump-groups, dump-group-stats,
    dump-meters, meter-stats, with traffic through them;
  - packet-out reaches the host on the output port;
  - monitor prints the PACKET_IN of a table-miss rule to the controller
    and the FLOW_REMOVED of an expiring flow;
  - errors: what ovs-ofctl reports for flows the switch refuses."""

import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, sh, wait_until


class Bridge:
    """A Switch with hosts a (10.9.0.1), b (10.9.0.2), c (10.9.0.3) on
    OpenFlow ports 1, 2, 3."""

    def __init__(self, n_hosts=3):
        plxtest.require_program("ovs-ofctl")
        self.sw = Switch()
        self.sw.vsctl("add-br", self.sw.br)
        self.hosts = []
        for i in range(n_hosts):
            name = "abc"[i]
            ns, port = self.sw.add_host(name, ["10.9.0.%d/24" % (i + 1)])
            self.hosts.append(ns)
        for i in range(n_hosts):
            wait_until(lambda: self.sw.get("Interface",
                                           "pv%s%s" % (self.tag(), "abc"[i]),
                                           "ofport") == str(i + 1),
                       10, "ofport %d" % (i + 1))
        self.target = "unix:%s/%s.mgmt" % (self.sw.dir, self.sw.br)
        wait_until(lambda: os.path.exists(self.target[5:]), 10,
                   "management socket")

    @staticmethod
    def tag():
        return "%04d" % (os.getpid() % 10000)

    def ofctl(self, *args, version="OpenFlow13", check=True):
        p = subprocess.run(["ovs-ofctl", "-O", version, "--timeout=10"]
                           + [a if a != "BR" else self.target for a in args],
                           capture_output=True, text=True, timeout=30)
        if check and p.returncode:
            raise AssertionError("ovs-ofctl %s failed: %s%s\n%s"
                                 % (" ".join(args), p.stdout, p.stderr,
                                    self.sw.log()))
        return p

    def flows(self, version="OpenFlow13", *args):
        """dump-flows --no-stats, one flow per line, sorted."""
        out = self.ofctl("--no-stats", "dump-flows", "BR", *args,
                         version=version).stdout
        lines = [l.strip() for l in out.splitlines()
                 if l.strip() and not l.startswith("OFPST_FLOW")]
        return sorted(lines)

    def ping(self, src, dst_ip, ok=True):
        result = self.sw.ping(self.hosts[src], dst_ip, count=2, check=False)
        if result != ok:
            raise AssertionError("ping from host %d to %s: %s, wanted %s\n%s"
                                 % (src, dst_ip, result, ok,
                                    self.ofctl("dump-flows", "BR").stdout))

    def close(self, check=False):
        """CHECK: a clean exit of plx-vswitchd and no sanitizer reports
        (an ASan build)."""
        self.sw.close(check=check)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(check=exc_type is None)


# Flows in the canonical text ovs-ofctl dump-flows --no-stats prints.
ROUND_TRIP_13 = [
    "priority=100,arp actions=NORMAL",
    "table=1, priority=200,ip,in_port=1,nw_dst=10.9.0.2 actions=output:2",
    "table=1, priority=200,ip,in_port=2,nw_dst=10.9.0.1 actions=output:1",
    "cookie=0x5, table=2, priority=10,tcp,tp_dst=80 "
    "actions=set_field:10.9.0.3->ip_dst,output:3",
    "cookie=0x6, table=2, idle_timeout=60, hard_timeout=120, priority=7,"
    "udp,nw_src=10.9.0.0/24,tp_src=0x1000/0xf000 "
    "actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:3",
    "table=3, priority=5,dl_src=00:00:00:00:00:00/01:00:00:00:00:00 "
    "actions=drop",
    "table=4, send_flow_rem priority=9,ipv6,ipv6_src=2001:db8::/32 "
    "actions=dec_ttl,write_actions(output:2),goto_table:5",
    "table=5, priority=1,metadata=0x7/0xff "
    "actions=write_metadata:0x1/0x3,goto_table:6",
    "priority=0 actions=goto_table:1",
]


@case
def round_trip_openflow13():
    with Bridge() as b:
        b.ofctl("del-flows", "BR")
        assert b.flows() == [], b.flows()
        for flow in ROUND_TRIP_13:
            b.ofctl("add-flow", "BR", flow)
        got = b.flows()
        want = sorted(ROUND_TRIP_13)
        assert got == want, "\n".join(["got:"] + got + ["want:"] + want)

        # The pipeline forwards: ARP by NORMAL, IP through table 1.
        b.ping(0, "10.9.0.2")
        b.ping(1, "10.9.0.1")
        b.ping(0, "10.9.0.3", ok=False)

        # Loose delete in one table, strict delete of one flow.
        b.ofctl("del-flows", "BR", "table=2")
        assert not [f for f in b.flows() if "table=2" in f]
        b.ofctl("--strict", "del-flows", "BR",
                "table=1,priority=200,ip,in_port=2,nw_dst=10.9.0.1")
        assert len([f for f in b.flows() if "table=1" in f]) == 1
        b.ping(0, "10.9.0.2", ok=False)

        # mod-flows changes actions, keeps the rest.
        b.ofctl("mod-flows", "BR", "table=1,ip,actions=NORMAL")
        assert ("table=1, priority=200,ip,in_port=1,nw_dst=10.9.0.2 "
                "actions=NORMAL") in b.flows()

        # Counters move with traffic.
        b.ofctl("add-flow", "BR", "table=1,priority=300,icmp,actions=NORMAL")
        b.ping(0, "10.9.0.2")
        out = b.ofctl("dump-flows", "BR", "table=1,icmp").stdout
        m = re.search(r"n_packets=(\d+)", out)
        assert m and int(m.group(1)) >= 4, out
        agg = b.ofctl("dump-aggregate", "BR", "table=1").stdout
        assert "flow_count=2" in agg, agg


@case
def round_trip_openflow10():
    flows = [
        "priority=100,arp actions=NORMAL",
        "priority=50,ip,in_port=1 actions=output:2",
        "priority=50,ip,in_port=2 actions=output:1",
        "cookie=0x9, priority=40,tcp,tp_dst=22 "
        "actions=mod_vlan_vid:10,output:3",
    ]
    with Bridge() as b:
        b.ofctl("del-flows", "BR", version="OpenFlow10")
        for flow in flows:
            b.ofctl("add-flow", "BR", flow, version="OpenFlow10")
        got = b.flows("OpenFlow10")
        assert got == sorted(flows), "\n".join(got)
        b.ping(0, "10.9.0.2")
        b.ping(2, "10.9.0.1", ok=False)
        b.ofctl("del-flows", "BR", "ip", version="OpenFlow10")
        assert b.flows("OpenFlow10") == [flows[0]], b.flows("OpenFlow10")
        b.ping(0, "10.9.0.2", ok=False)


@case
def add_flows_file_and_errors():
    with Bridge(n_hosts=2) as b:
        path = os.path.join(b.sw.dir, "flows.txt")
        with open(path, "w") as f:
            f.write("# comment\n\n")
            for i in range(200):
                f.write("table=7,priority=%d,ip,nw_dst=10.1.%d.%d "
                        "actions=output:%d\n" % (i + 1, i // 250, i % 250,
                                                1 + i % 2))
        b.ofctl("add-flows", "BR", path)
        assert len(b.flows("OpenFlow13", "table=7")) == 200

        # Refused flows: ovs-ofctl shows the switch's error.
        p = b.ofctl("add-flow", "BR", "actions=group:99", check=False)
        assert p.returncode and "OFPBAC_BAD_OUT_GROUP" in p.stderr, p.stderr
        p = b.ofctl("add-flow", "BR", "table=7,priority=1,ip,"
                    "nw_dst=10.1.0.0,check_overlap,actions=drop",
                    check=False)
        assert p.returncode and "OFPFMFC_OVERLAP" in p.stderr, p.stderr
        p = b.ofctl("add-flow", "BR", "actions=meter:5", check=False)
        assert p.returncode and "OFPMMFC_INVALID_METER" in p.stderr, p.stderr
        # The bridge still works.
        b.ofctl("add-flow", "BR", "priority=1000,actions=NORMAL")
        b.ping(0, "10.9.0.2")


@case
def groups_and_meters():
    with Bridge() as b:
        b.ofctl("del-flows", "BR")
        b.ofctl("add-flow", "BR", "priority=100,arp,actions=NORMAL")
        b.ofctl("add-group", "BR",
                "group_id=1,type=all,bucket=output:2,bucket=output:3")
        b.ofctl("add-group", "BR",
                "group_id=2,type=indirect,bucket=output:1")
        b.ofctl("add-flow", "BR", "priority=10,ip,in_port=1,"
                "actions=group:1")
        b.ofctl("add-flow", "BR", "priority=10,ip,in_port=2,"
                "actions=group:2")
        b.ping(0, "10.9.0.2")
        groups = b.ofctl("dump-groups", "BR").stdout
        assert "group_id=1,type=all,bucket=actions=output:2," \
               "bucket=actions=output:3" in groups, groups
        assert "group_id=2,type=indirect,bucket=actions=output:1" in groups
        stats = b.ofctl("dump-group-stats", "BR").stdout
        m = re.search(r"group_id=1,duration=[\d.]+s,ref_count=1,"
                      r"packet_count=(\d+)", stats)
        assert m and int(m.group(1)) >= 2, stats

        b.ofctl("mod-group", "BR", "group_id=2,type=indirect,bucket=drop")
        b.ping(0, "10.9.0.2", ok=False)
        b.ofctl("del-groups", "BR", "group_id=2")
        assert "in_port=2" not in " ".join(b.flows()), b.flows()

        # A meter of 2 packets/s with no burst lets few of a flood pass.
        b.ofctl("add-meter", "BR", "meter=1,pktps,bands=type=drop,rate=2")
        meters = b.ofctl("dump-meters", "BR").stdout
        assert "meter=1 pktps bands=" in meters \
            and "type=drop rate=2" in meters, meters
        b.ofctl("del-flows", "BR")
        b.ofctl("add-flow", "BR", "priority=100,arp,actions=NORMAL")
        b.ofctl("add-flow", "BR", "priority=10,ip,actions=meter:1,NORMAL")
        p = b.sw.nsexec(b.hosts[0], "ping", "-c", "40", "-i", "0.01", "-W",
                        "1", "-q", "10.9.0.2", check=False)
        m = re.search(r"(\d+) received", p.stdout)
        assert m and int(m.group(1)) < 20, p.stdout
        st = b.ofctl("meter-stats", "BR").stdout
        m = re.search(r"meter:1 flow_count:1 packet_in_count:(\d+)", st)
        assert m and int(m.group(1)) >= 40, st
        b.ofctl("del-meters", "BR")
        assert b.flows() == ["priority=100,arp actions=NORMAL"], b.flows()


@case
def packet_out_and_monitor():
    with Bridge(n_hosts=2) as b:
        b.ofctl("del-flows", "BR")
        # A frame for host b's MAC, sent from the controller's side.
        mac_b = b.sw.mac(b.hosts[1]).replace(":", "")
        frame = (mac_b + "020000000001" + "0800"
                 + "4500001c0001000040117a6b0a0900630a090002"
                 + "04d2162e0008" + "0000")
        cap = subprocess.Popen(
            ["ip", "netns", "exec", b.hosts[1], "tcpdump", "-l", "-n", "-c",
             "1", "-i", "eth0", "udp", "port", "5678"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        b.sw.procs.append(cap)
        time.sleep(1)
        b.ofctl("packet-out", "BR", "in_port=controller,packet=%s,"
                "actions=output:2" % frame)
        out, _ = cap.communicate(timeout=10)
        assert "10.9.0.99.1234 > 10.9.0.2.5678" in out, out

        # monitor: a PACKET_IN from a table-miss rule, a FLOW_REMOVED.
        mon = subprocess.Popen(
            ["ovs-ofctl", "-O", "OpenFlow13",
             "--unixctl=" + os.path.join(b.sw.dir, "monitor.ctl"),
             "monitor", b.target, "65535"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        b.sw.procs.append(mon)
        time.sleep(1)
        b.ofctl("add-flow", "BR", "priority=0,actions=CONTROLLER:65535")
        b.ofctl("add-flow", "BR", "priority=5,udp,tp_dst=9,hard_timeout=1,"
                "send_flow_rem,actions=drop")
        b.sw.nsexec(b.hosts[0], "ping", "-c", "1", "-W", "1", "10.9.0.2",
                    check=False)
        time.sleep(2.5)
        os.kill(mon.pid, signal.SIGTERM)
        out, _ = mon.communicate(timeout=10)
        assert re.search(r"OFPT_PACKET_IN \(OF1\.3\) \(xid=0x0\): "
                         r"cookie=0x0 total_len=\d+ in_port=1 "
                         r"\(via no_match\) data_len=\d+ \(unbuffered\)",
                         out), out
        assert re.search(r"OFPT_FLOW_REMOVED \(OF1\.3\).*priority=5,udp,"
                         r"tp_dst=9 reason=hard", out), out


if __name__ == "__main__":
    plxtest.run()
