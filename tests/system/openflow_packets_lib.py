"""The bench that test_openflow_packets.py runs its checks on.

Lab: one plx-vswitchd bridge (fail_mode=secure, so only the flows a
check installs move packets) with four namespace hosts h1..h4 on veth
ports and its LOCAL port up in the test's own namespace.  Each host (and
LOCAL) has an agent (openflow_packets_agent.py) that sends frames from
and records frames arriving on its interface, so a check is: install
flows with Debian's ovs-ofctl over BRIDGE.mgmt, send scapy-built frames
from one host, and compare the exact bytes every other port received.
The hosts have no addresses and IPv6 is off, so their kernels never add
a frame of their own: whatever an agent records came from the switch.

Monitor: `ovs-ofctl monitor BRIDGE 65535 -m` in the background, parsed
into messages (PACKET_IN data as bytes, FLOW_REMOVED text).

OFClient: a bare OpenFlow 1.3 connection for what ovs-ofctl will not
send (a FLOW_MOD without its match prerequisites, copy_ttl_out/in)."""

import importlib.util
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import plxtest  # noqa: E402
from plxtest import Skip  # noqa: E402

# plxtest.run() runs only the main script's cases, not test_vswitchd's.
from test_vswitchd import Switch, sh, wait_until  # noqa: E402

AGENT = os.path.join(HERE, "openflow_packets_agent.py")
PYTHON = "/usr/bin/python3"
HOSTS = ("h1", "h2", "h3", "h4")
SETTLE = 0.3            # Seconds a sent frame gets to come out.


class Agent:
    """One openflow_packets_agent.py process (see that file)."""

    def __init__(self, argv, iface):
        self.proc = subprocess.Popen(argv + [PYTHON, AGENT, iface],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._buf = b""
        self._reply(10)

    def _reply(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.time() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise AssertionError("packet agent did not answer")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise AssertionError("packet agent exited")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        self.proc.stdin.flush()
        return self._reply(30)

    def send(self, frames):
        self.call(op="send", frames=[bytes(f).hex() for f in frames])

    def take(self):
        return [bytes.fromhex(h) for h in self.call(op="take")["frames"]]

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Lab:
    def __init__(self):
        plxtest.require_root()
        self.ovs_ofctl = plxtest.require_program("ovs-ofctl")
        if importlib.util.find_spec("scapy") is None:
            raise Skip("python3-scapy not installed")
        self.sw = Switch()
        self.agents = {}
        self.monitors = []
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    def _setup(self):
        s = self.sw
        self.br = s.br
        s.vsctl("add-br", self.br, "--", "set", "Bridge", self.br,
                "fail_mode=secure")
        self.mgmt = "unix:%s/%s.mgmt" % (s.dir, self.br)
        # ovs-ofctl monitor opens a control socket in OVS_RUNDIR.
        self.env = dict(s.env, OVS_RUNDIR=s.dir)
        self.ns, self.iface, self.port = {}, {}, {}
        for name in HOSTS:
            ns, sw = s.add_host(name)
            s.nsexec(ns, "ethtool", "-K", "eth0", "rxvlan", "off",
                     check=False)
            self.ns[name], self.iface[name] = ns, sw
            self.port[name] = s.ofport(sw)
            self.agents[name] = Agent(["ip", "netns", "exec", ns], "eth0")
        sh(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % self.br],
           check=False)
        sh(["ethtool", "-K", self.br, "rxvlan", "off"], check=False)
        sh(["ip", "link", "set", self.br, "up"])
        self.iface["LOCAL"] = self.br
        self.agents["LOCAL"] = Agent([], self.br)
        self.mac = {}
        for name in HOSTS:
            self.mac[name] = s.mac(self.ns[name])

    def close(self):
        for m in self.monitors:
            m.close()
        for a in self.agents.values():
            a.close()
        self.sw.close()

    def alive(self):
        return self.sw.vsproc.poll() is None

    # -- OpenFlow through ovs-ofctl. --

    def ofctl(self, *args, version="OpenFlow13", check=True, stdin=None):
        argv = [self.ovs_ofctl, "-O", version, "--timeout=10",
                "--no-names"]
        # The command comes first, then the switch, then its arguments.
        argv += [args[0], self.mgmt] + list(args[1:])
        p = subprocess.run(argv, capture_output=True, text=True,
                           input=stdin, timeout=30, env=self.env)
        if check and p.returncode:
            raise AssertionError("ovs-ofctl %s failed: %s%s"
                                 % (" ".join(args), p.stdout, p.stderr))
        return p.stdout if check else p

    def reset(self):
        """No flows, groups or meters; every port floods."""
        self.ofctl("del-flows")
        self.ofctl("del-groups")
        self.ofctl("del-meters", check=False)

    def flows(self, *lines, version="OpenFlow13"):
        """Replaces the flow table with LINES (ovs-ofctl add-flows)."""
        self.ofctl("del-flows", version=version)
        self.ofctl("add-flows", "-", version=version,
                   stdin="".join(l + "\n" for l in lines))

    def dump_flows(self, *args):
        return self.ofctl("dump-flows", *args)

    def datapath_flows(self):
        return self.sw.appctl("dpctl/dump-flows", check=False).stdout

    # -- Packets. --

    def send(self, src, frames):
        self.agents[src].send(frames)

    def take_all(self):
        return {n: a.take() for n, a in self.agents.items()}

    def exchange(self, src, frames, settle=SETTLE):
        """Sends FRAMES from SRC; what each port got, {name: [bytes]}."""
        self.take_all()
        self.send(src, frames)
        time.sleep(settle)
        return self.take_all()

    def expect(self, src, frames, want, settle=SETTLE):
        """Sends FRAMES from SRC and requires that exactly WANT ({name:
        [frame...]}, in order) arrive, and nothing anywhere else."""
        got = self.exchange(src, frames, settle)
        want = {n: [bytes(f) for f in want.get(n, [])] for n in got}
        if got != want:
            raise AssertionError(self.mismatch(src, frames, got, want))
        return got

    def mismatch(self, src, frames, got, want):
        lines = ["frames from %s did not come out as expected" % src]
        for f in frames:
            lines.append("  sent: %s" % describe(f))
        for n in got:
            if got[n] == want[n]:
                continue
            lines.append("  %s got %d frame(s), want %d:"
                         % (n, len(got[n]), len(want[n])))
            for f in got[n][:4]:
                lines.append("    got:  %s" % describe(f))
            for f in want[n][:4]:
                lines.append("    want: %s" % describe(f))
        lines.append("flows:\n" + self.dump_flows())
        lines.append("datapath flows:\n" + self.datapath_flows())
        return "\n".join(lines)

    def monitor(self):
        m = Monitor(self)
        self.monitors.append(m)
        return m


def describe(frame):
    from scapy.all import Ether
    data = bytes(frame)
    return "%s [%s]" % (Ether(data).summary(), data.hex())


class Monitor:
    """`ovs-ofctl monitor BRIDGE 65535 -m` running in the background."""

    def __init__(self, lab):
        self.path = os.path.join(lab.sw.dir, "monitor%d.out"
                                 % len(lab.monitors))
        self.out = open(self.path, "w")
        self.proc = subprocess.Popen(
            [lab.ovs_ofctl, "-O", "OpenFlow13", "-m", "--no-names", "monitor",
             lab.mgmt, "65535"], stdout=self.out, stderr=subprocess.STDOUT,
            env=lab.env)
        # The monitor prints nothing until a message comes, but it opens
        # its control socket only once it has configured its connection
        # (miss_send_len): from then on it sees every async message.
        ctl = os.path.join(lab.sw.dir, "ovs-ofctl.%d.ctl" % self.proc.pid)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("ovs-ofctl monitor exited: %s"
                                     % self.text())
            return os.path.exists(ctl)
        wait_until(ready, 10, "ovs-ofctl monitor to connect")

    def text(self):
        with open(self.path) as f:
            return f.read()

    def messages(self, kind):
        """The messages whose first line starts with KIND, each as
        (first line, text, hex dump as bytes)."""
        out = []
        blocks = re.split(r"\n(?=OFPT_|NXT_|OFPST_)", self.text())
        for block in blocks:
            if not block.startswith(kind):
                continue
            data = b""
            for line in block.splitlines():
                m = re.match(r"^[0-9a-f]{8}  ((?:[0-9a-f]{2}[ -]){0,15}"
                             r"[0-9a-f]{2})", line)
                if m:
                    data += bytes.fromhex(m.group(1).replace("-", " "))
            out.append((block.splitlines()[0], block, data))
        return out

    def close(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


# -- A bare OpenFlow 1.3 client. --

OFP13 = 4
OFPT_HELLO, OFPT_ERROR, OFPT_FLOW_MOD = 0, 1, 14
OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 20, 21


def oxm(field, value, mask=None):
    """An OpenFlow-basic OXM TLV: FIELD number, VALUE bytes."""
    body = value + (mask or b"")
    return struct.pack("!HBB", 0x8000, (field << 1) | (mask is not None),
                       len(body)) + body


def ofp_match(*oxms):
    body = b"".join(oxms)
    length = 4 + len(body)
    return struct.pack("!HH", 1, length) + body + b"\0" * (-length % 8)


def apply_actions(*actions):
    body = b"".join(actions)
    return struct.pack("!HH4x", 4, 8 + len(body)) + body


def act_output(port, max_len=0xffff):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def act_simple(kind):
    """An action with no argument: copy_ttl_out (11), copy_ttl_in (12),
    dec_mpls_ttl (16), pop_vlan (18), dec_nw_ttl (24)."""
    return struct.pack("!HH4x", kind, 8)


def act_push_mpls(ethertype=0x8847):
    return struct.pack("!HHH2x", 19, 8, ethertype)


def act_pop_mpls(ethertype=0x0800):
    return struct.pack("!HHH2x", 20, 8, ethertype)


def act_set_field(field):
    """set_field with FIELD, an OXM TLV from oxm()."""
    length = 4 + len(field)
    pad = -length % 8
    return struct.pack("!HH", 25, length + pad) + field + b"\0" * pad


def act_set_mpls_ttl(ttl):
    return struct.pack("!HHB3x", 15, 8, ttl)


class OFClient:
    def __init__(self, lab):
        path = lab.mgmt[len("unix:"):]
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.xid = 100
        self.send(OFPT_HELLO, b"")
        kind, _, _ = self.recv()
        if kind != OFPT_HELLO:
            raise AssertionError("no HELLO from the switch (type %d)"
                                 % kind)

    def send(self, kind, body):
        self.xid += 1
        self.sock.sendall(struct.pack("!BBHI", OFP13, kind, 8 + len(body),
                                      self.xid) + body)
        return self.xid

    def recv(self):
        header = self._read(8)
        _, kind, length, xid = struct.unpack("!BBHI", header)
        return kind, xid, self._read(length - 8)

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise AssertionError("switch closed the connection")
            data += chunk
        return data

    def flow_mod(self, match, instructions, table=0, priority=100,
                 command=0):
        body = struct.pack("!QQBBHHHIIIH2x", 0, 0, table, command, 0, 0,
                           priority, 0xffffffff, 0xffffffff, 0xffffffff, 0)
        return self.send(OFPT_FLOW_MOD, body + match + instructions)

    def barrier(self):
        """Sends a barrier; the (type, code) of every error that came
        before its reply."""
        xid = self.send(OFPT_BARRIER_REQUEST, b"")
        errors = []
        while True:
            kind, rxid, body = self.recv()
            if kind == OFPT_ERROR:
                errors.append(struct.unpack("!HH", body[:4]))
            elif kind == OFPT_BARRIER_REPLY and rxid == xid:
                return errors

    def close(self):
        self.sock.close()
