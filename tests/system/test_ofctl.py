"""plx-ofctl against a live bridge, side by side with Debian's ovs-ofctl.

Each case starts plx-dbserver and plx-vswitchd (test_vswitchd's Switch)
with one bridge and two hosts in network namespaces, then runs the same
command through plx-ofctl and through /usr/bin/ovs-ofctl on the same
bridge and compares what they print, after normalizing what legitimately
differs between two runs (transaction ids, durations, the program name).
State changes made by one tool are read back by the other: flows, groups
and meters that plx-ofctl adds are what ovs-ofctl dumps, and the other
way round.  Error replies from the switch, malformed command lines,
monitor's asynchronous messages, probe, ping and packet-out are covered
too.  Needs root and openvswitch-common (ovs-ofctl)."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case
from test_vswitchd import Switch, build

O13 = "-O", "OpenFlow13"


def normalize(text):
    text = re.sub(r"^(ovs|plx)-ofctl:", "PROG:", text, flags=re.M)
    text = re.sub(r"xid=0x[0-9a-f]+", "xid=X", text)
    text = re.sub(r"xid=[0-9a-f]{8}", "xid=X", text)
    text = re.sub(r"duration[=:]?[0-9.]+s", "duration=D", text)
    text = re.sub(r"time=[0-9.]+ ms", "time=T", text)
    # The xid in the first line of a hex dump (bytes 4..7).
    text = re.sub(r"^(00000000  (?:[0-9a-f]{2} ){4})(?:[0-9a-f]{2} ){3}"
                  r"[0-9a-f]{2}-(.*)\|.*\|$", r"\1XX XX XX XX-\2|...|",
                  text, flags=re.M)
    # vlog lines (fatal_signal on SIGTERM, warnings) differ in format.
    text = "\n".join(l for l in text.split("\n")
                     if not re.match(r"^\d{4}-\d\d-\d\dT", l))
    return text


class Tools:
    """The two tools, run with the switch's environment."""

    def __init__(self, s):
        self.s = s
        self.plx = build("utilities", "plx-ofctl")
        self.ovs = plxtest.require_program("ovs-ofctl")

    def run(self, tool, *args, check=None, stdin=None):
        exe = self.plx if tool == "plx" else self.ovs
        env = dict(self.s.env, OVS_RUNDIR=self.s.dir)
        p = subprocess.run([exe] + list(args), capture_output=True,
                           text=True, env=env, timeout=30, input=stdin)
        if check is not None and (p.returncode == 0) != check:
            raise AssertionError("%s-ofctl %s: exit %d (expected %s)\n%s%s"
                                 % (tool, " ".join(args), p.returncode,
                                    "success" if check else "failure",
                                    p.stdout, p.stderr))
        return p

    def plx_ok(self, *args, stdin=None):
        return self.run("plx", *args, check=True, stdin=stdin).stdout

    def ovs_ok(self, *args):
        return self.run("ovs", *args, check=True).stdout

    def same(self, *args, check=True, stdout_only=False, ovs_extra=()):
        """Runs ARGS with both tools (OVS_EXTRA first for ovs-ofctl only);
        their normalized stdout and stderr and exit statuses must be
        equal."""
        a = self.run("ovs", *ovs_extra, *args, check=check)
        b = self.run("plx", *args, check=check)
        pairs = [("stdout", a.stdout, b.stdout)]
        if not stdout_only:
            pairs.append(("stderr", a.stderr, b.stderr))
        for what, x, y in pairs:
            if normalize(x) != normalize(y):
                raise AssertionError("%s differs for %s:\n--- ovs-ofctl\n%s"
                                     "--- plx-ofctl\n%s"
                                     % (what, " ".join(args), x, y))
        if a.returncode != b.returncode:
            raise AssertionError("exit status %d vs %d for %s"
                                 % (a.returncode, b.returncode,
                                    " ".join(args)))
        return b.stdout


def setup():
    s = Switch()
    s.vsctl("add-br", s.br)
    hosts = [s.add_host("h%d" % i, ["10.7.0.%d/24" % i]) for i in (1, 2)]
    return s, hosts


def flows(tools, tool, br, *opts):
    out = (tools.plx_ok if tool == "plx" else tools.ovs_ok)(
        *opts, "--no-stats", "dump-flows", br)
    return sorted(l.strip() for l in out.splitlines() if l.strip())


@case
def read_commands_match_ovs():
    """show, dump-desc, dump-tables, dump-table-features, dump-ports,
    dump-ports-desc, dump-flows (--no-stats, --sort, --rsort, a match),
    dump-aggregate and queue-stats print what ovs-ofctl prints, in
    OpenFlow 1.0 and 1.3."""
    s, _ = setup()
    with s:
        t = Tools(s)
        br = s.br
        t.ovs_ok("add-flow", br, "priority=100,ip,nw_src=10.0.0.1,"
                 "actions=output:2")
        t.ovs_ok("add-flow", br, "priority=7,udp,tp_dst=53,actions=drop")
        for opts in ((), O13):
            for pre, cmd, args in (
                    ((), "show", ()), ((), "dump-desc", ()),
                    ((), "dump-tables", ()), ((), "dump-ports", ()),
                    ((), "dump-ports", ("1",)), ((), "dump-ports-desc", ()),
                    ((), "dump-flows", ()),
                    (("--no-stats",), "dump-flows", ()),
                    (("--sort",), "dump-flows", ()),
                    (("--rsort",), "dump-flows", ()),
                    ((), "dump-flows", ("udp",)), ((), "dump-aggregate", ()),
                    ((), "dump-aggregate", ("ip",)), ((), "queue-stats", ()),
                    ((), "queue-stats", ("1", "5"))):
                # Without -O, plx-ofctl dumps flows in the highest version
                # the switch speaks (1.3), where ovs-ofctl would use its
                # NXM extension to 1.0: Plexus has no NXM flow format, and
                # a plain 1.0 match cannot show ct_state and the like.
                dump = cmd in ("dump-flows", "dump-aggregate")
                t.same(*opts, *pre, cmd, br, *args,
                       ovs_extra=O13 if dump and not opts else ())
        t.same(*O13, "dump-table-features", br)
        # Without -O, what needs OpenFlow 1.3 uses it (ovs-ofctl, whose
        # default is 1.0 only, refuses; see utilities/ofctl.h).
        a = t.ovs_ok(*O13, "dump-table-features", br)
        if a != t.plx_ok("dump-table-features", br):
            raise AssertionError("dump-table-features without -O differs")
        port = t.plx_ok("show", br)
        if "10.7.0" in port or "(pvbr" not in port:
            raise AssertionError("show: %s" % port)


@case
def flows_cross_tool():
    """Flows added, modified and deleted by one tool are what the other
    dumps; add-flows reads comments, blank lines and command words;
    replace-flows and diff-flows agree with ovs-ofctl."""
    s, _ = setup()
    with s:
        t = Tools(s)
        br = s.br
        t.plx_ok("del-flows", br)
        t.plx_ok("add-flow", br, "priority=100,ip,nw_src=10.0.0.1,"
                 "idle_timeout=60,cookie=0x5,actions=output:2")
        t.plx_ok("add-flow", br, "table=2,priority=7,metadata=0x5,"
                 "actions=goto_table:4")
        want = ["cookie=0x5, idle_timeout=60, priority=100,ip,"
                "nw_src=10.0.0.1 actions=output:2",
                "table=2, priority=7,metadata=0x5 actions=goto_table:4"]
        for tool in ("ovs", "plx"):
            got = flows(t, tool, br, *O13)
            if got != want:
                raise AssertionError("%s dumps %s, want %s"
                                     % (tool, got, want))
        t.ovs_ok("add-flow", br, "priority=9,arp,actions=NORMAL")
        if "priority=9,arp actions=NORMAL" not in flows(t, "plx", br):
            raise AssertionError("plx-ofctl does not see ovs-ofctl's flow")

        # mod-flows, --strict, del-flows.
        t.plx_ok("mod-flows", br, "ip,actions=drop")
        t.plx_ok("--strict", "mod-flows", br, "priority=9,arp,actions=FLOOD")
        t.plx_ok("--strict", "del-flows", br, "priority=9,ip")  # no match
        got = flows(t, "ovs", br)
        # An OpenFlow 1.0 modify without "cookie=" sets the cookie to 0
        # and keeps the timeouts, as with ovs-ofctl.
        if got != ["idle_timeout=60, priority=100,ip,nw_src=10.0.0.1 "
                   "actions=drop", "priority=9,arp actions=FLOOD"]:
            raise AssertionError("after mod-flows: %s" % got)
        t.plx_ok("--strict", "del-flows", br, "priority=9,arp")
        t.plx_ok("del-flows", br, "ip")
        if flows(t, "ovs", br, *O13) != [
                "table=2, priority=7,metadata=0x5 actions=goto_table:4"]:
            raise AssertionError("after del-flows: %s"
                                 % flows(t, "ovs", br, *O13))

        # add-flows from a file, and from stdin.
        d = tempfile.mkdtemp(prefix="plx-ofctl-")
        path = os.path.join(d, "flows.txt")
        with open(path, "w") as f:
            f.write("# flows\n\n"
                    "priority=10,ip,nw_dst=10.1.0.0/16,actions=output:1 #c\n"
                    "   \n"
                    "add priority=20,arp actions=NORMAL\n"
                    "table=1,priority=5,tcp,tp_dst=80,cookie=0x42,"
                    "idle_timeout=300,actions=drop\n"
                    "delete table=2\n")
        t.plx_ok("add-flows", br, path)
        t.plx_ok("add-flows", br, "-", stdin="priority=30,udp,actions=drop\n")
        want = sorted(["priority=10,ip,nw_dst=10.1.0.0/16 actions=output:1",
                       "priority=20,arp actions=NORMAL",
                       "priority=30,udp actions=drop",
                       "cookie=0x42, table=1, idle_timeout=300, "
                       "priority=5,tcp,tp_dst=80 actions=drop"])
        for tool in ("ovs", "plx"):
            if flows(t, tool, br, *O13) != want:
                raise AssertionError("%s after add-flows: %s"
                                     % (tool, flows(t, tool, br, *O13)))

        # diff-flows: same exit status and the same lines as ovs-ofctl.
        other = os.path.join(d, "other.txt")
        with open(other, "w") as f:
            f.write("priority=10,ip,nw_dst=10.1.0.0/16,actions=output:2\n"
                    "priority=20,arp actions=NORMAL\n"
                    "table=1,priority=5,tcp,tp_dst=80,cookie=0x43,"
                    "idle_timeout=300,actions=drop\n"
                    "priority=50,icmp,actions=drop\n")
        for srcs in ((br, other), (other, br), (other, other)):
            a = t.run("ovs", "diff-flows", *srcs)
            b = t.run("plx", "diff-flows", *srcs)
            if (a.returncode != b.returncode
                    or sorted(a.stdout.splitlines())
                    != sorted(b.stdout.splitlines())):
                raise AssertionError("diff-flows %s:\n%s(%d)\nvs\n%s(%d)"
                                     % (srcs, a.stdout, a.returncode,
                                        b.stdout, b.returncode))
        if t.run("plx", "diff-flows", other, other).returncode != 0:
            raise AssertionError("diff-flows of a file with itself")

        # replace-flows makes the switch equal to the file.
        t.plx_ok("replace-flows", br, other)
        if t.run("ovs", "diff-flows", br, other).returncode != 0:
            raise AssertionError("replace-flows left differences: %s"
                                 % t.run("ovs", "diff-flows", br,
                                         other).stdout)
        subprocess.run(["rm", "-rf", d])


@case
def errors_match_ovs():
    """Errors from the switch print as ovs-ofctl prints them, to stderr,
    with exit status 1; malformed command lines fail with the same
    message."""
    s, _ = setup()
    with s:
        t = Tools(s)
        br = s.br
        t.plx_ok("add-flow", br, "priority=100,ip,nw_src=10.0.0.1,"
                 "actions=output:2")
        for opts in ((), O13):
            out = t.same(*opts, "add-flow", br, "check_overlap,priority=100,"
                         "ip,nw_src=10.0.0.1,actions=output:1", check=False)
            err = t.run("plx", *opts, "add-flow", br, "check_overlap,"
                        "priority=100,ip,nw_src=10.0.0.1,actions=output:1")
            if "OFPFMFC_OVERLAP" not in err.stderr or out:
                raise AssertionError("overlap: %r %r" % (out, err.stderr))
        t.plx_ok("add-group", br, "group_id=1,type=all,bucket=output:1")
        t.same(*O13, "add-group", br, "group_id=1,type=all,bucket=output:1",
               check=False)
        bad = [("add-flow", br, "foo=bar,actions=drop"),
               ("add-flow", br, "actions=frobnicate"),
               ("add-flow", br),
               ("bogus-command", br),
               ("show", "no-such-bridge"),
               ("mod-port", br, "1", "bogus"),
               ("mod-port", br, "99", "up"),
               ("dump-ports", br, "no-such-port"),
               ("packet-out", br, "in_port=1,packet=0011"),
               ("packet-out", br, "1", "drop"),
               ("-O", "OpenFlow13", "add-meter", br, "meter=3"),
               ("-O", "OpenFlow13", "add-meter", br,
                "meter=3,kbps,bands=type=foo"),
               ("-O", "OpenFlow13", "add-group", br, "group_id=5,type=x"),
               ("ping", br, "70000"),
               ("add-flows", br, "/nonexistent/flows"),
               ("diff-flows", "/nonexistent/flows", br),
               ("--timeout=0", "show", br),
               ("-O", "OpenFlow99", "show", br),
               ("show", "tcp:127.0.0.1:1")]
        for args in bad:
            t.same(*args, check=False)
        # Plexus-specific refusals say why.
        for args, text in [(("-O", "OpenFlow10", "dump-groups", br),
                            "needs OpenFlow 1.3"),
                           (("--names", "dump-flows", br), "not supported"),
                           (("--sort=nw_src", "dump-flows", br),
                            "not supported")]:
            p = t.run("plx", *args, check=False)
            if text not in p.stderr:
                raise AssertionError("%s: %s" % (args, p.stderr))


@case
def groups_and_meters():
    """Groups and meters added by plx-ofctl are what ovs-ofctl dumps, and
    every dump prints what ovs-ofctl prints."""
    s, _ = setup()
    with s:
        t = Tools(s)
        br = s.br
        t.plx_ok("add-group", br, "group_id=1,type=all,bucket=output:1,"
                 "bucket=output:2")
        t.ovs_ok(*O13, "add-group", br, "group_id=2,type=indirect,"
                 "bucket=output:1")
        t.plx_ok("mod-group", br, "group_id=2,type=select,"
                 "bucket=weight:5,output:2")
        t.plx_ok("--may-create", "mod-group", br,
                 "group_id=3,type=ff,bucket=watch_port:1,output:1")
        for cmd in ("dump-groups", "dump-group-stats", "dump-group-features"):
            t.same(*O13, cmd, br)
        t.same(*O13, "dump-group-stats", br, "group_id=2")
        groups = t.ovs_ok(*O13, "dump-groups", br)
        for g in ("group_id=1,type=all,bucket=actions=output:1,"
                  "bucket=actions=output:2",
                  "group_id=2,type=select,bucket=weight:5,actions=output:2",
                  "group_id=3,type=ff"):
            if g not in groups:
                raise AssertionError("%s not in %s" % (g, groups))
        t.plx_ok("del-groups", br, "group_id=3")
        if "group_id=3" in t.ovs_ok(*O13, "dump-groups", br):
            raise AssertionError("del-groups group_id=3")
        t.plx_ok("del-groups", br)
        if "group_id" in t.ovs_ok(*O13, "dump-groups", br):
            raise AssertionError("del-groups left groups")

        t.plx_ok("add-meter", br, "meter=1,kbps,burst,stats,bands=type=drop,"
                 "rate=1000,burst_size=100")
        t.ovs_ok(*O13, "add-meter", br, "meter=2,pktps,bands=type=drop,"
                 "rate=10")
        t.plx_ok("mod-meter", br, "meter=2,pktps,bands=type=drop,rate=20")
        for cmd in (["dump-meters"], ["meter-stats"], ["meter-features"],
                    ["dump-meters", "meter=2"], ["meter-stats", "meter=1"]):
            t.same(*O13, cmd[0], br, *cmd[1:])
        if "rate=20" not in t.ovs_ok(*O13, "dump-meters", br):
            raise AssertionError("mod-meter did not take")
        t.plx_ok("del-meter", br, "meter=2")
        t.plx_ok("del-meters", br)
        if "meter=" in t.ovs_ok(*O13, "dump-meters", br):
            raise AssertionError("del-meters left meters")


def udp_from(s, ns, dst, port):
    s.nsexec(ns, "/usr/bin/python3", "-c",
             "import socket; s = socket.socket(socket.AF_INET, "
             "socket.SOCK_DGRAM); s.sendto(b'hello', ('%s', %d))"
             % (dst, port))


@case
def monitor_matches_ovs():
    """monitor prints PACKET_IN (with the packet), PORT_STATUS and
    FLOW_REMOVED exactly as ovs-ofctl's monitor does, in 1.0 and 1.3."""
    s, hosts = setup()
    with s:
        t = Tools(s)
        br = s.br
        env = dict(s.env, OVS_RUNDIR=s.dir)
        for opts in ((), O13):
            t.plx_ok("del-flows", br)
            t.plx_ok("add-flow", br, "priority=10,udp,actions=controller")
            t.plx_ok("add-flow", br, "priority=5,actions=normal")
            procs = []
            outs = []
            for exe in (t.ovs, t.plx):
                f = tempfile.TemporaryFile(mode="w+")
                procs.append(subprocess.Popen(
                    [exe, *opts, "monitor", br, "65535"], env=env,
                    stdout=subprocess.DEVNULL, stderr=f))
                outs.append(f)
            time.sleep(1)
            udp_from(s, hosts[0][0], "10.7.0.2", 9999)
            t.plx_ok("mod-port", br, "2", "down")
            t.plx_ok("mod-port", br, "2", "up")
            t.plx_ok("add-flow", br, "priority=30,tcp,send_flow_rem,"
                     "actions=drop")
            t.plx_ok("del-flows", br, "tcp")
            time.sleep(1)
            texts = []
            for p, f in zip(procs, outs):
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=10)
                f.seek(0)
                texts.append(normalize(f.read()))
            if texts[0] != texts[1]:
                raise AssertionError("monitor %s:\n--- ovs\n%s--- plx\n%s"
                                     % (opts, texts[0], texts[1]))
            for what in ("OFPT_PACKET_IN", "tp_dst=9999 udp_csum:",
                         "OFPT_PORT_STATUS", "MOD: 2(",
                         "OFPT_FLOW_REMOVED", "reason=delete"):
                if what not in texts[1]:
                    raise AssertionError("monitor lacks %s:\n%s"
                                         % (what, texts[1]))


@case
def probe_ping_packet_out_snoop():
    """probe and ping talk to the switch; packet-out sends a frame out of
    a port (its tx counter moves); snoop explains that there is no snoop
    socket; mod-port changes what show reports."""
    s, hosts = setup()
    with s:
        t = Tools(s)
        br = s.br
        t.plx_ok("probe", br)
        t.plx_ok("probe", "unix:%s/%s.mgmt" % (s.dir, br))
        out = t.plx_ok("ping", br, "100")
        lines = out.splitlines()
        if len(lines) != 10 or not all(
                re.match(r"100 bytes from %s: xid=[0-9a-f]{8} time=[0-9.]+ "
                         r"ms$" % br, l) for l in lines):
            raise AssertionError("ping: %s" % out)
        t.same("ping", br, "0", stdout_only=True)

        def tx(port):
            m = re.search(r"port +%s: rx .*\n +tx pkts=(\d+)" % port,
                          t.plx_ok("dump-ports", br, port))
            return int(m.group(1))

        before = tx("1")
        frame = ("ffffffffffff020000000001080600010800060400010200000000010a07"
                 "0063000000000000" "0a070001")
        t.plx_ok("packet-out", br, "in_port=controller packet=%s "
                 "actions=output:1" % frame)
        t.plx_ok("packet-out", br, "LOCAL", "output:1", frame)
        plxtest_wait = time.time() + 5
        while tx("1") < before + 2 and time.time() < plxtest_wait:
            time.sleep(0.1)
        if tx("1") < before + 2:
            raise AssertionError("packet-out: tx %d -> %d"
                                 % (before, tx("1")))

        p = t.run("plx", "snoop", br, check=False)
        if p.returncode == 0 or "snoop" not in p.stderr:
            raise AssertionError("snoop: %s" % p.stderr)

        t.plx_ok("mod-port", br, "1", "down")
        if "PORT_DOWN" not in t.ovs_ok("dump-ports-desc", br).split(
                "2(")[0]:
            raise AssertionError("mod-port down")
        t.plx_ok("mod-port", br, hosts[0][1], "up")
        t.plx_ok("mod-port", br, "1", "noflood")
        t.same("show", br)
        t.plx_ok("mod-port", br, "1", "flood")


plxtest.run()
