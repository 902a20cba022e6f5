"""plx-vswitchd under real OpenFlow controllers.

Each case runs plx-dbserver and plx-vswitchd (test_vswitchd.Switch),
puts hosts in network namespaces on a bridge and points the bridge at a
controller: Debian's ovs-testcontroller, an OS-Ken application under
osken-manager, or a small OpenFlow 1.3 client written here with struct
and socket (class OFConn).  Every case checks what the hosts see (pings,
frames sent and captured with AF_PACKET sockets in the namespaces), not
only what the switch answers.  The switch's flow tables are read with
Debian's ovs-ofctl over the bridge's management socket
(RUNDIR/BRIDGE.mgmt).

Controllers are started by this script and killed by their PIDs; every
port is a free one the kernel picked; every name carries the pid tag of
test_vswitchd; every wait is bounded.  Fail-open is made quick with a
1 s inactivity probe on the Controller row (trigger: three probes).
Needs root."""

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

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plxtest
from plxtest import case, Skip

# plxtest.run() runs only this script's cases, not test_vswitchd's.
from test_vswitchd import Switch, sh, wait_until  # noqa: E402

OFP10 = 0x01
OFP13 = 0x04

# OpenFlow 1.3 message types.
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY = 0, 1, 2, 3
FEATURES_REQUEST, FEATURES_REPLY = 5, 6
PACKET_IN, FLOW_REMOVED, PORT_STATUS, PACKET_OUT, FLOW_MOD = 10, 11, 12, 13, 14
MULTIPART_REQUEST, MULTIPART_REPLY = 18, 19
BARRIER_REQUEST, BARRIER_REPLY = 20, 21
ROLE_REQUEST, ROLE_REPLY = 24, 25

# Roles.
ROLE_NOCHANGE, ROLE_EQUAL, ROLE_MASTER, ROLE_SLAVE = 0, 1, 2, 3

# OpenFlow 1.3 errors: (type, code).
E_BAD_VERSION = (1, 0)
E_BAD_TYPE = (1, 1)
E_BAD_LEN = (1, 6)
E_BAD_TABLE_ID = (1, 9)
E_IS_SLAVE = (1, 10)
E_BAD_PREREQ = (4, 9)
E_FM_BAD_TABLE_ID = (5, 2)
E_FM_BAD_COMMAND = (5, 6)
E_ROLE_STALE = (11, 0)

OFPP_CONTROLLER = 0xfffffffd
OFPP_NORMAL = 0xfffffffa
OFPCML_NO_BUFFER = 0xffff
NO_BUFFER = 0xffffffff

TEST_CONTROLLER = "/usr/bin/ovs-testcontroller"
OSKEN_MANAGER = "/usr/bin/osken-manager"
OVS_OFCTL = "/usr/bin/ovs-ofctl"

PROBE_MS = 1000
TRIGGER_S = 3 * PROBE_MS / 1000.0       # connmgr_fail_open_trigger()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def require(path):
    if not os.access(path, os.X_OK):
        raise Skip("%s not installed" % path)
    return path


# ---------------------------------------------------------------------
# OpenFlow 1.3 messages.

def ofp_header(version, type_, length, xid):
    return struct.pack("!BBHI", version, type_, length, xid)


def ofp_msg(type_, body=b"", xid=0, version=OFP13):
    return ofp_header(version, type_, 8 + len(body), xid) + body


def hello(version=OFP13):
    # A version bitmap with just VERSION, so that it is what we get.
    bitmap = struct.pack("!HHI", 1, 8, 1 << version)
    return ofp_msg(HELLO, bitmap, xid=1, version=version)


def oxm(field, value, mask=None):
    if mask is not None:
        return struct.pack("!HBB", 0x8000, field << 1 | 1,
                           2 * len(value)) + value + mask
    return struct.pack("!HBB", 0x8000, field << 1, len(value)) + value


def oxm_in_port(port):
    return oxm(0, struct.pack("!I", port))


def oxm_eth_type(t):
    return oxm(5, struct.pack("!H", t))


def oxm_ip_proto(p):
    return oxm(10, struct.pack("!B", p))


def oxm_tcp_dst(p):
    return oxm(14, struct.pack("!H", p))


def ofp_match(*oxms):
    fields = b"".join(oxms)
    length = 4 + len(fields)
    pad = (8 - length % 8) % 8
    return struct.pack("!HH", 1, length) + fields + b"\0" * pad


def action_output(port, max_len=0):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def apply_actions(*actions):
    acts = b"".join(actions)
    return struct.pack("!HH4x", 4, 8 + len(acts)) + acts


def flow_mod(xid, match=b"", instructions=b"", command=0, table=0,
             priority=0x8000, cookie=0, idle=0, hard=0,
             out_port=0xffffffff, out_group=0xffffffff, flags=0):
    body = struct.pack("!QQBBHHHIIIH2x", cookie, 0, table, command, idle,
                       hard, priority, NO_BUFFER, out_port, out_group, flags)
    return ofp_msg(FLOW_MOD, body + (match or ofp_match()) + instructions,
                   xid)


def packet_out(xid, in_port, actions, data):
    acts = b"".join(actions)
    body = struct.pack("!IIH6x", NO_BUFFER, in_port, len(acts)) + acts
    return ofp_msg(PACKET_OUT, body + data, xid)


def role_request(xid, role, generation):
    return ofp_msg(ROLE_REQUEST, struct.pack("!I4xQ", role, generation), xid)


def parse_oxms(match_body):
    """{field: value bytes} of an OXM match's fields."""
    out, off = {}, 0
    while off + 4 <= len(match_body):
        cls, fh, length = struct.unpack("!HBB", match_body[off:off + 4])
        if cls == 0x8000:
            out[fh >> 1] = match_body[off + 4:off + 4 + length]
        off += 4 + length
    return out


def parse_packet_in(body):
    buffer_id, total_len, reason, table_id, cookie = \
        struct.unpack("!IHBBQ", body[:16])
    mtype, mlen = struct.unpack("!HH", body[16:20])
    fields = parse_oxms(body[20:16 + mlen])
    off = 16 + mlen + (8 - mlen % 8) % 8 + 2
    return dict(buffer_id=buffer_id, total_len=total_len, reason=reason,
                table_id=table_id, cookie=cookie, match_type=mtype,
                fields=fields, data=body[off:])


class OFError(AssertionError):
    pass


class OFConn:
    """One OpenFlow connection from the controller's side, over a
    connected socket (ours to a ptcp: target, or accepted from an active
    tcp: target).  Answers echo requests while waiting for something
    else; keeps asynchronous messages (PACKET_IN ...) in self.async_."""

    def __init__(self, sock, version=OFP13, name="conn"):
        self.sock = sock
        self.version = version
        self.name = name
        self.buf = b""
        self.async_ = []
        self.xid = 100
        sock.settimeout(None)
        self.sock.sendall(hello(version))
        _, t, _, body = self.recv(5)
        if t != HELLO:
            raise AssertionError("%s: first message type %d, not HELLO"
                                 % (name, t))

    @classmethod
    def connect(cls, port, version=OFP13, name="conn"):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        return cls(sock, version, name)

    def next_xid(self):
        self.xid += 1
        return self.xid

    def send(self, data):
        self.sock.sendall(data)

    def recv_raw(self, timeout):
        """The next whole message (version, type, xid, body), or None on
        timeout.  Raises EOFError when the switch closes."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 8:
                length = struct.unpack("!H", self.buf[2:4])[0]
                if length < 8:
                    raise AssertionError("%s: switch sent length %d"
                                         % (self.name, length))
                if len(self.buf) >= length:
                    msg, self.buf = self.buf[:length], self.buf[length:]
                    v, t, _, xid = struct.unpack("!BBHI", msg[:8])
                    return v, t, xid, msg[8:]
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                data = self.sock.recv(262144)
                if not data:
                    raise EOFError("%s: connection closed by the switch"
                                   % self.name)
                self.buf += data

    def recv(self, timeout=5, keep_async=True):
        """The next message that is not an echo request or an
        asynchronous message."""
        deadline = time.time() + timeout
        while True:
            m = self.recv_raw(max(0, deadline - time.time()))
            if m is None:
                raise AssertionError("%s: no reply within %.1f s"
                                     % (self.name, timeout))
            v, t, xid, body = m
            if t == ECHO_REQUEST:
                self.send(ofp_msg(ECHO_REPLY, body, xid, v))
            elif t in (PACKET_IN, FLOW_REMOVED, PORT_STATUS):
                if keep_async:
                    self.async_.append(m)
            else:
                return m

    def request(self, data, timeout=5):
        """Sends DATA (its xid is taken from it) and returns the reply
        with that xid; raises OFError for an error reply."""
        xid = struct.unpack("!I", data[4:8])[0]
        self.send(data)
        deadline = time.time() + timeout
        while True:
            v, t, rxid, body = self.recv(max(0.01, deadline - time.time()))
            if rxid != xid:
                continue
            if t == ERROR:
                et, ec = struct.unpack("!HH", body[:4])
                e = OFError("%s: error type %d code %d" % (self.name, et, ec))
                e.code = (et, ec)
                e.data = body[4:]
                raise e
            return v, t, rxid, body

    def expect_error(self, data, want, timeout=5):
        """Sends DATA, expects an ERROR (type, code) == WANT for its xid;
        returns the error's data."""
        try:
            self.request(data, timeout)
        except OFError as e:
            if e.code != want:
                raise AssertionError("%s: error %s, want %s"
                                     % (self.name, e.code, want))
            return e.data
        raise AssertionError("%s: no error for request, want %s"
                             % (self.name, want,))

    def barrier(self, timeout=5):
        """Barrier; raises OFError if any earlier request of this
        connection (sent since the last barrier) failed."""
        xid = self.next_xid()
        self.send(ofp_msg(BARRIER_REQUEST, xid=xid, version=self.version))
        deadline = time.time() + timeout
        while True:
            v, t, rxid, body = self.recv(max(0.01, deadline - time.time()))
            if t == ERROR:
                et, ec = struct.unpack("!HH", body[:4])
                e = OFError("%s: error type %d code %d (xid %d)"
                            % (self.name, et, ec, rxid))
                e.code = (et, ec)
                raise e
            if t == BARRIER_REPLY and rxid == xid:
                return

    def echo(self, payload=b"ping", timeout=5):
        xid = self.next_xid()
        _, t, _, body = self.request(ofp_msg(ECHO_REQUEST, payload, xid,
                                             self.version), timeout)
        if t != ECHO_REPLY or body != payload:
            raise AssertionError("%s: echo reply type %d, %d bytes"
                                 % (self.name, t, len(body)))

    def role(self, role, generation=0):
        """ROLE_REQUEST; returns (role, generation_id) of the reply."""
        _, t, _, body = self.request(role_request(self.next_xid(), role,
                                                  generation))
        if t != ROLE_REPLY:
            raise AssertionError("%s: role reply type %d" % (self.name, t))
        r, g = struct.unpack("!I4xQ", body[:16])
        return r, g

    def packet_ins(self, timeout, predicate=lambda pi: True):
        """Waits up to TIMEOUT for a PACKET_IN satisfying PREDICATE
        (parsed); returns it, or None."""
        deadline = time.time() + timeout
        while True:
            while self.async_:
                v, t, xid, body = self.async_.pop(0)
                if t == PACKET_IN:
                    pi = parse_packet_in(body)
                    if predicate(pi):
                        return pi
            left = deadline - time.time()
            if left <= 0:
                return None
            m = self.recv_raw(left)
            if m is None:
                return None
            if m[1] == ECHO_REQUEST:
                self.send(ofp_msg(ECHO_REPLY, m[3], m[2], m[0]))
            else:
                self.async_.append(m)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Listener:
    """A TCP listener on 127.0.0.1 for the switch's active tcp: target;
    accept() gives an OFConn."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]

    def accept(self, timeout=10, version=OFP13):
        self.sock.settimeout(timeout)
        try:
            conn, _ = self.sock.accept()
        except socket.timeout:
            raise AssertionError("the switch did not connect within %d s"
                                 % timeout)
        return OFConn(conn, version, "controller")

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------------
# The switch side.

class Bench(Switch):
    """A Switch with a bridge, two hosts h1 and h2 (10.9.0.1, .2) and
    controller helpers; closes what it started."""

    def __init__(self, fail_mode=None):
        super().__init__()
        self.conns = []
        self.listeners = []
        args = ["add-br", self.br]
        if fail_mode:
            args += ["--", "set", "Bridge", self.br, "fail_mode=" + fail_mode]
        self.vsctl(*args)
        self.h1, self.sw1 = self.add_host("h1", ["10.9.0.1/24"])
        self.h2, self.sw2 = self.add_host("h2", ["10.9.0.2/24"])
        self.p1 = self.ofport(self.sw1)
        self.p2 = self.ofport(self.sw2)
        self.mgmt = os.path.join(self.dir, self.br + ".mgmt")

    def set_controller(self, target, probe_ms=PROBE_MS, backoff_ms=1000):
        """Makes TARGET the bridge's only controller, with a short probe
        interval and backoff; returns the Controller row's uuid."""
        uuid = self.vsctl(
            "--", "--id=@c", "create", "Controller", 'target="%s"' % target,
            "inactivity_probe=%d" % probe_ms, "max_backoff=%d" % backoff_ms,
            "--", "set", "Bridge", self.br, "controller=@c").strip()
        return uuid

    def controller_row(self, uuid):
        """{column: text} of the Controller row."""
        out = {}
        for col in ("is_connected", "role", "status", "target"):
            out[col] = self.get("Controller", uuid, col)
        return out

    def status(self, uuid):
        text = self.get("Controller", uuid, "status")
        return dict(re.findall(r'(\w+)="?([^",}]*)"?', text))

    def ofctl(self, *args, version="OpenFlow13", check=True):
        p = sh([OVS_OFCTL, "-O", version] + list(args[:1])
               + ["unix:" + self.mgmt] + list(args[1:]), check=check,
               timeout=20)
        return p.stdout if check else p

    def flows(self):
        return [l.strip() for l in self.ofctl("dump-flows").splitlines()
                if "actions=" in l]

    def flush_arp(self):
        for ns in (self.h1, self.h2):
            self.nsexec(ns, "ip", "neigh", "flush", "all")

    def ping_ok(self, count=1, ns=None, dst="10.9.0.2"):
        return self.ping(ns or self.h1, dst, count=count, check=False)

    def wait_ping(self, timeout, ns=None, dst="10.9.0.2"):
        wait_until(lambda: self.ping_ok(1, ns, dst), timeout,
                   "ping %s from %s" % (dst, ns or self.h1), interval=0.1)

    def close(self, check=False):
        for c in self.conns:
            c.close()
        for l in self.listeners:
            l.close()
        super().close(check)

    def start(self, argv, log):
        f = open(os.path.join(self.dir, log), "a")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                             env=self.env, cwd=self.dir)
        self.procs.append(p)
        return p

    @staticmethod
    def kill(p):
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)

    def read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()[-3000:]
        except OSError:
            return ""


# Run inside a namespace: sends the frame given in hex on eth0.
SEND_FRAME = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for h in sys.argv[1:]:
    s.send(bytes.fromhex(h))
"""

# Run inside a namespace: prints "ready", then the hex of every frame
# received on eth0 containing the hex MARKER, for up to SECONDS, one per
# line; stops after the first.
CAPTURE = r"""
import select, socket, sys, time
marker, seconds = bytes.fromhex(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
print("ready", flush=True)
deadline = time.time() + seconds
while time.time() < deadline:
    r, _, _ = select.select([s], [], [], max(0, deadline - time.time()))
    if not r:
        break
    data, addr = s.recvfrom(65535)
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    if marker in data:
        print(data.hex(), flush=True)
        break
"""


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def udp_frame(dst, src, payload):
    """An Ethernet/IPv4/UDP frame 10.9.0.1:1234 -> 10.9.0.2:5678."""
    udp_len = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 7, 0, 64, 17,
                     0, bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
    csum = sum(struct.unpack("!10H", ip))
    while csum >> 16:
        csum = (csum & 0xffff) + (csum >> 16)
    ip = ip[:10] + struct.pack("!H", ~csum & 0xffff) + ip[12:]
    return (mac_bytes(dst) + mac_bytes(src) + b"\x08\x00" + ip
            + struct.pack("!HHHH", 1234, 5678, udp_len, 0) + payload)


# ---------------------------------------------------------------------
# Cases.

def testcontroller_round(b, protocol, fail_mode):
    """ovs-testcontroller speaking only PROTOCOL controls the bridge in
    FAIL_MODE; hosts ping; then it dies."""
    what = "%s/%s" % (protocol, fail_mode)
    b.vsctl("set-fail-mode", b.br, fail_mode)
    port = free_port()
    tc = b.start([TEST_CONTROLLER, "-O", protocol,
                  "--unixctl=" + os.path.join(b.dir, "tc%d.ctl" % port),
                  "ptcp:%d:127.0.0.1" % port], "testcontroller.log")
    wait_until(lambda: tc.poll() is None and
               sh(["ss", "-Htln", "sport", "= :%d" % port]).stdout.strip(),
               10, "ovs-testcontroller listening")
    uuid = b.set_controller("tcp:127.0.0.1:%d" % port)
    wait_until(lambda: b.get("Controller", uuid, "is_connected") == "true",
               10, "%s: is_connected=true" % what)
    role = b.get("Controller", uuid, "role")
    if role != "other":
        raise AssertionError("%s: role %r, want other" % (what, role))
    if b.status(uuid).get("state") != "ACTIVE":
        raise AssertionError("%s: status %s" % (what, b.status(uuid)))

    b.flush_arp()
    b.wait_ping(10)
    b.ping(b.h2, "10.9.0.1", count=3)
    b.ping(b.h1, "10.9.0.2", count=3)
    flows = b.flows()
    learned = [f for f in flows if re.search(r"actions=output:\d+", f)
               or re.search(r"actions=.*output", f)]
    if not learned:
        raise AssertionError("%s: no learned flows in dump-flows:\n%s\n"
                             "testcontroller log: %s"
                             % (what, "\n".join(flows),
                                b.read("testcontroller.log")))
    if protocol == "OpenFlow13" and not any(
            "CONTROLLER" in f and "priority=0" in f for f in flows):
        raise AssertionError("%s: no table-miss flow to the controller:"
                             "\n%s" % (what, "\n".join(flows)))
    if not any(("in_port=%d" % b.p1) in f or ("in_port=%s" % b.sw1) in f
               for f in learned):
        raise AssertionError("%s: no learned flow from h1's port:\n%s"
                             % (what, "\n".join(flows)))

    # The controller dies; its flows go, so only the fail mode decides.
    b.kill(tc)
    killed = time.time()
    b.ofctl("del-flows")
    wait_until(lambda: b.get("Controller", uuid, "is_connected") == "false",
               TRIGGER_S + 3, "%s: is_connected=false" % what)
    if fail_mode == "standalone":
        if time.time() - killed < TRIGGER_S - 1.5 and b.ping_ok():
            raise AssertionError("%s: forwarding without controller or "
                                 "flows %.1f s after it died (before "
                                 "fail-open)" % (what, time.time() - killed))
        b.wait_ping(TRIGGER_S + 5)
        elapsed = time.time() - killed
        if elapsed < TRIGGER_S - 0.5:
            raise AssertionError("%s: failed open after %.1f s, before the "
                                 "%.0f s trigger" % (what, elapsed,
                                                     TRIGGER_S))
        b.ping(b.h2, "10.9.0.1", count=3)
    else:
        deadline = killed + TRIGGER_S + 1.5
        while time.time() < deadline:
            if b.ping_ok():
                raise AssertionError("%s: forwarding %.1f s after the "
                                     "controller died"
                                     % (what, time.time() - killed))
        if b.ping_ok(count=2):
            raise AssertionError("%s: forwarding after the trigger time"
                                 % what)
    b.vsctl("del-controller", b.br)


@case
def testcontroller():
    """Debian's ovs-testcontroller (OpenFlow 1.0 and 1.3) as the bridge's
    controller: hosts ping, the Controller row shows it connected with
    role "other", dump-flows shows the flows it installed; when it dies
    fail_mode standalone falls back to a normal switch after the trigger
    time and secure keeps dropping."""
    require(TEST_CONTROLLER)
    require(OVS_OFCTL)
    help_text = sh([TEST_CONTROLLER, "--help"], check=False).stdout
    protocols = ["OpenFlow10"]
    if "OpenFlow13" in help_text:
        protocols.append("OpenFlow13")
    with Bench() as b:
        for protocol in protocols:
            for fail_mode in ("standalone", "secure"):
                testcontroller_round(b, protocol, fail_mode)
        # No controller and standalone again: a normal switch.
        b.vsctl("set-fail-mode", b.br, "standalone")
        b.ping(b.h1, "10.9.0.2")


# The application os_ken.app.simple_switch_13 (which Debian's
# python3-os-ken does not ship), plus counters: it writes its counts of
# PACKET_INs and FLOW_MODs, and the FLOW_MODs' matches, to the JSON file
# PLX_OSKEN_COUNTS after every event.
OSKEN_APP = r'''
import json
import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER
from os_ken.controller.handler import set_ev_cls
from os_ken.lib.packet import ethernet, ether_types, packet
from os_ken.ofproto import ofproto_v1_3


class CountingSwitch13(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mac_to_port = {}
        self.counts = {"features": 0, "packet_in": 0, "flow_mod": 0,
                       "packet_out": 0, "flows": []}
        self.path = os.environ["PLX_OSKEN_COUNTS"]

    def dump(self):
        with open(self.path + ".tmp", "w") as f:
            json.dump(self.counts, f)
        os.rename(self.path + ".tmp", self.path)

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features_handler(self, ev):
        datapath = ev.msg.datapath
        ofproto = datapath.ofproto
        parser = datapath.ofproto_parser
        self.counts["features"] += 1
        match = parser.OFPMatch()
        actions = [parser.OFPActionOutput(ofproto.OFPP_CONTROLLER,
                                          ofproto.OFPCML_NO_BUFFER)]
        self.add_flow(datapath, 0, match, actions)
        self.dump()

    def add_flow(self, datapath, priority, match, actions, buffer_id=None):
        ofproto = datapath.ofproto
        parser = datapath.ofproto_parser
        inst = [parser.OFPInstructionActions(ofproto.OFPIT_APPLY_ACTIONS,
                                             actions)]
        if buffer_id:
            mod = parser.OFPFlowMod(datapath=datapath, buffer_id=buffer_id,
                                    priority=priority, match=match,
                                    instructions=inst)
        else:
            mod = parser.OFPFlowMod(datapath=datapath, priority=priority,
                                    match=match, instructions=inst)
        datapath.send_msg(mod)
        self.counts["flow_mod"] += 1
        self.counts["flows"].append({"priority": priority,
                                     "match": dict(match.items())})

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def _packet_in_handler(self, ev):
        msg = ev.msg
        datapath = msg.datapath
        ofproto = datapath.ofproto
        parser = datapath.ofproto_parser
        in_port = msg.match['in_port']
        self.counts["packet_in"] += 1

        pkt = packet.Packet(msg.data)
        eth = pkt.get_protocols(ethernet.ethernet)[0]
        if eth.ethertype == ether_types.ETH_TYPE_LLDP:
            self.dump()
            return
        dst = eth.dst
        src = eth.src
        dpid = datapath.id
        self.mac_to_port.setdefault(dpid, {})
        self.mac_to_port[dpid][src] = in_port
        if dst in self.mac_to_port[dpid]:
            out_port = self.mac_to_port[dpid][dst]
        else:
            out_port = ofproto.OFPP_FLOOD
        actions = [parser.OFPActionOutput(out_port)]
        if out_port != ofproto.OFPP_FLOOD:
            match = parser.OFPMatch(in_port=in_port, eth_dst=dst,
                                    eth_src=src)
            if msg.buffer_id != ofproto.OFP_NO_BUFFER:
                self.add_flow(datapath, 1, match, actions, msg.buffer_id)
                self.dump()
                return
            else:
                self.add_flow(datapath, 1, match, actions)
        data = None
        if msg.buffer_id == ofproto.OFP_NO_BUFFER:
            data = msg.data
        out = parser.OFPPacketOut(datapath=datapath, buffer_id=msg.buffer_id,
                                  in_port=in_port, actions=actions,
                                  data=data)
        datapath.send_msg(out)
        self.counts["packet_out"] += 1
        self.dump()
'''


@case
def osken_simple_switch_13():
    """An OS-Ken application (simple_switch_13, counting) under
    osken-manager: hosts ping; after the first exchange the app's flows
    carry the traffic without PACKET_INs; dump-flows shows them."""
    require(OSKEN_MANAGER)
    require(OVS_OFCTL)
    with Bench(fail_mode="secure") as b:
        app = os.path.join(b.dir, "controllers_counting_switch.py")
        counts_path = os.path.join(b.dir, "osken-counts.json")
        with open(app, "w") as f:
            f.write(OSKEN_APP)
        port = free_port()
        env = dict(b.env, PLX_OSKEN_COUNTS=counts_path)
        log = open(os.path.join(b.dir, "osken.log"), "a")
        mgr = subprocess.Popen(
            [OSKEN_MANAGER, "--ofp-listen-host", "127.0.0.1",
             "--ofp-tcp-listen-port", str(port), app],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=b.dir)
        b.procs.append(mgr)

        def counts():
            if mgr.poll() is not None:
                raise AssertionError("osken-manager exited: %s"
                                     % b.read("osken.log"))
            try:
                with open(counts_path) as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None

        uuid = b.set_controller("tcp:127.0.0.1:%d" % port)
        wait_until(lambda: (counts() or {}).get("features"), 20,
                   "OS-Ken FEATURES_REPLY (log: %s)" % b.read("osken.log"))
        wait_until(lambda: b.get("Controller", uuid, "is_connected")
                   == "true", 5, "is_connected=true")
        wait_until(lambda: any("CONTROLLER" in f for f in b.flows()), 5,
                   "the app's table-miss flow")

        b.flush_arp()
        b.wait_ping(10)
        b.ping(b.h1, "10.9.0.2", count=2)
        time.sleep(0.3)
        first = counts()
        if first["packet_in"] < 2 or first["flow_mod"] < 3:
            raise AssertionError("first exchange: %s" % first)
        b.ping(b.h1, "10.9.0.2", count=10)
        b.ping(b.h2, "10.9.0.1", count=10)
        time.sleep(0.3)
        later = counts()
        if later["packet_in"] != first["packet_in"]:
            raise AssertionError("pings after the first exchange caused "
                                 "%d PACKET_INs (flows not used): %s"
                                 % (later["packet_in"] - first["packet_in"],
                                    later))

        flows = b.flows()
        mac1, mac2 = b.mac(b.h1), b.mac(b.h2)
        want = [(b.p1, mac1, mac2), (b.p2, mac2, mac1)]
        for in_port, src, dst in want:
            pattern = (r"priority=1,in_port=(%d|\"?%s\"?),dl_src=%s,"
                       r"dl_dst=%s .*actions=output:(%d|\"?%s\"?)"
                       % (in_port, b.sw1 if in_port == b.p1 else b.sw2,
                          src, dst, b.p2 if in_port == b.p1 else b.p1,
                          b.sw2 if in_port == b.p1 else b.sw1))
            if not any(re.search(pattern, f) for f in flows):
                raise AssertionError("no flow in_port=%d %s->%s in:\n%s"
                                     % (in_port, src, dst,
                                        "\n".join(flows)))
        if not any(re.search(r"priority=0 actions=CONTROLLER:65535", f)
                   for f in flows):
            raise AssertionError("no table-miss flow:\n%s"
                                 % "\n".join(flows))
        distinct = {json.dumps(f, sort_keys=True) for f in later["flows"]}
        if len(flows) != len(distinct):
            raise AssertionError("dump-flows has %d flows, the app added "
                                 "%d distinct ones:\n%s"
                                 % (len(flows), len(distinct),
                                    "\n".join(flows)))
        # The counters in dump-flows saw the traffic.
        for f in flows:
            if "priority=1" in f:
                n = int(re.search(r"n_packets=(\d+)", f).group(1))
                if n < 10:
                    raise AssertionError("flow carried %d packets: %s"
                                         % (n, f))
        b.kill(mgr)


@case
def roles():
    """Two controllers on a passive ptcp: target: the master's flows
    carry the pings, the slave's FLOW_MOD and PACKET_OUT get
    OFPBRC_IS_SLAVE (and change nothing), a stale generation_id gets
    OFPRRFC_STALE, and a new master demotes the old one."""
    with Bench(fail_mode="secure") as b:
        port = free_port()
        uuid = b.set_controller("ptcp:%d:127.0.0.1" % port)
        wait_until(lambda: b.status(uuid).get("state") == "LISTENING", 5,
                   "ptcp target listening")
        a = OFConn.connect(port, name="A")
        b.conns.append(a)
        c = OFConn.connect(port, name="B")
        b.conns.append(c)

        if a.role(ROLE_MASTER, 10) != (ROLE_MASTER, 10):
            raise AssertionError("A did not become master")
        r = c.role(ROLE_SLAVE, 11)
        if r != (ROLE_SLAVE, 11):
            raise AssertionError("B's role reply %s" % (r,))
        wait_until(lambda: b.get("Controller", uuid, "role") == "master",
                   5, "Controller role master")
        if b.get("Controller", uuid, "is_connected") != "true":
            raise AssertionError("ptcp target not is_connected")

        # The master forwards h1 <-> h2.
        for inp, out in ((b.p1, b.p2), (b.p2, b.p1)):
            a.send(flow_mod(a.next_xid(), ofp_match(oxm_in_port(inp)),
                            apply_actions(action_output(out)),
                            priority=100))
        a.barrier()
        b.flush_arp()
        b.wait_ping(5)

        # The slave may not drop everything, nor send packets.
        drop_all = flow_mod(c.next_xid(), ofp_match(), b"", priority=1000)
        data = c.expect_error(drop_all, E_IS_SLAVE)
        if data[:8] != drop_all[:8]:
            raise AssertionError("IS_SLAVE error data is not the request")
        frame = udp_frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", b"x")
        c.expect_error(packet_out(c.next_xid(), OFPP_CONTROLLER,
                                  [action_output(b.p2)], frame), E_IS_SLAVE)
        b.ping(b.h1, "10.9.0.2", count=3)
        if any("priority=1000" in f for f in b.flows()):
            raise AssertionError("the slave's flow was added")
        # A slave still gets answers to what does not change the switch.
        c.echo()

        # Generation ids: older than the newest seen (11) is stale.
        a.expect_error(role_request(a.next_xid(), ROLE_MASTER, 5),
                       E_ROLE_STALE)
        c.expect_error(role_request(c.next_xid(), ROLE_SLAVE, 9),
                       E_ROLE_STALE)
        # NOCHANGE reports the roles as they are.
        if a.role(ROLE_NOCHANGE)[0] != ROLE_MASTER:
            raise AssertionError("A lost master on a stale request")
        if c.role(ROLE_NOCHANGE)[0] != ROLE_SLAVE:
            raise AssertionError("B changed role on a stale request")

        # B becomes master: A is demoted to slave.
        if c.role(ROLE_MASTER, 12) != (ROLE_MASTER, 12):
            raise AssertionError("B did not become master")
        if a.role(ROLE_NOCHANGE)[0] != ROLE_SLAVE:
            raise AssertionError("old master A was not demoted")
        a.expect_error(flow_mod(a.next_xid(), ofp_match(), b"",
                                command=3), E_IS_SLAVE)
        b.ping(b.h1, "10.9.0.2", count=2)
        # The new master's drop-everything flow takes effect.
        c.send(flow_mod(c.next_xid(), ofp_match(), b"", priority=1000))
        c.barrier()
        if b.ping_ok(count=2):
            raise AssertionError("pings pass the new master's drop flow")
        # A equal controller may change the switch again.
        if a.role(ROLE_EQUAL)[0] != ROLE_EQUAL:
            raise AssertionError("A could not become equal")
        a.send(flow_mod(a.next_xid(), ofp_match(), b"", command=4,
                        priority=1000))      # DELETE_STRICT
        a.barrier()
        b.ping(b.h1, "10.9.0.2", count=2)
        # Generation ids compare as a signed difference: one far "below"
        # 12 in unsigned terms but 2**63 ahead wraps to stale.
        c.expect_error(role_request(c.next_xid(), ROLE_MASTER,
                                    12 + 2 ** 63), E_ROLE_STALE)
        c.echo()


def malformed_conn(port, name):
    conn = OFConn.connect(port, name=name)
    conn.echo()
    return conn


@case
def malformed_input():
    """Malformed messages over a real TCP connection get the right
    errors, and neither the daemon nor another connection is disturbed:
    pings pass and echoes are answered throughout."""
    with Bench(fail_mode="secure") as b:
        port = free_port()
        uuid = b.set_controller("ptcp:%d:127.0.0.1" % port)
        wait_until(lambda: b.status(uuid).get("state") == "LISTENING", 5,
                   "ptcp target listening")
        good = OFConn.connect(port, name="good")
        b.conns.append(good)
        good.send(flow_mod(good.next_xid(), ofp_match(),
                           apply_actions(action_output(OFPP_NORMAL)),
                           priority=0))
        good.barrier()
        b.wait_ping(5)
        bad = malformed_conn(port, "bad")
        b.conns.append(bad)

        def still_fine(what):
            try:
                good.echo(b"after " + what.encode())
                if not b.ping_ok(count=1):
                    raise AssertionError("ping failed")
            except (AssertionError, EOFError, OSError) as e:
                raise AssertionError("after %s: %s\n%s"
                                     % (what, e, b.log()))

        # Unknown type.
        bad.expect_error(ofp_msg(99, b"x" * 8, xid=bad.next_xid()),
                         E_BAD_TYPE)
        still_fine("unknown type")

        # Another version than the negotiated one (1.0 on 1.3).
        bad.expect_error(ofp_msg(FEATURES_REQUEST, xid=bad.next_xid(),
                                 version=OFP10), E_BAD_VERSION)
        still_fine("bad version")

        # A fixed-size message longer than its type.
        bad.expect_error(ofp_msg(BARRIER_REQUEST, b"\0" * 8,
                                 xid=bad.next_xid()), E_BAD_LEN)
        still_fine("long barrier")

        # A length larger than sent: the switch waits for the rest,
        # blocking nobody, and answers once it has come.
        xid = bad.next_xid()
        echo = ofp_msg(ECHO_REQUEST, b"partial-" * 16, xid)
        bad.send(echo[:40])
        if bad.recv_raw(0.5) is not None:
            raise AssertionError("switch answered a partial message")
        still_fine("partial message")
        bad.send(echo[40:])
        m = bad.recv(5)
        if m[1] != ECHO_REPLY or m[2] != xid or m[3] != echo[8:]:
            raise AssertionError("completed echo: %r" % (m[:3],))

        # FLOW_MOD: bad command, bad table ids, bad prerequisites.
        normal = apply_actions(action_output(OFPP_NORMAL))
        bad.expect_error(flow_mod(bad.next_xid(), ofp_match(), normal,
                                  command=9), E_FM_BAD_COMMAND)
        bad.expect_error(flow_mod(bad.next_xid(), ofp_match(), normal,
                                  table=254), E_BAD_TABLE_ID)
        bad.expect_error(flow_mod(bad.next_xid(), ofp_match(), normal,
                                  table=255), E_FM_BAD_TABLE_ID)
        bad.expect_error(flow_mod(bad.next_xid(),
                                  ofp_match(oxm_tcp_dst(80)), b"",
                                  priority=2000), E_BAD_PREREQ)
        bad.expect_error(flow_mod(bad.next_xid(),
                                  ofp_match(oxm_eth_type(0x0800),
                                            oxm_tcp_dst(80)), b"",
                                  priority=2000), E_BAD_PREREQ)
        # With its prerequisites the same match is fine.
        bad.send(flow_mod(bad.next_xid(),
                          ofp_match(oxm_eth_type(0x0800), oxm_ip_proto(6),
                                    oxm_tcp_dst(80)), b"", priority=2000))
        bad.barrier()
        if not any("tp_dst=80" in f for f in b.flows()):
            raise AssertionError("valid tcp_dst flow missing:\n%s"
                                 % "\n".join(b.flows()))
        still_fine("bad flow mods")

        # Oversized: 65535 bytes of an unknown type; the error carries a
        # bounded prefix of it.  A 65535-byte echo comes back whole.
        big = ofp_msg(99, bytes(range(256)) * 255 + b"\0" * 247,
                      xid=bad.next_xid())
        assert len(big) == 65535
        data = bad.expect_error(big, E_BAD_TYPE)
        if not (64 <= len(data) <= 65535 - 12) or big[:len(data)] != data:
            raise AssertionError("error data for an oversized message: "
                                 "%d bytes" % len(data))
        bad.echo(b"E" * (65535 - 8))
        still_fine("oversized")

        # A header length below 8: BAD_LEN, then the switch hangs up.
        xid = bad.next_xid()
        bad.send(ofp_header(OFP13, ECHO_REQUEST, 4, xid))
        m = bad.recv(5)
        if m[1] != ERROR or struct.unpack("!HH", m[3][:4]) != E_BAD_LEN:
            raise AssertionError("short header: got type %d %r"
                                 % (m[1], m[3][:4]))
        try:
            extra = bad.recv_raw(3)
            raise AssertionError("connection still open after a short "
                                 "header: %r" % (extra,))
        except (EOFError, ConnectionResetError):
            pass
        still_fine("short header")

        # A header cut short, then the peer goes away.
        t = socket.create_connection(("127.0.0.1", port), timeout=5)
        t.sendall(hello()[:5])
        t.close()
        t = OFConn.connect(port, name="truncated")
        t.send(ofp_msg(ECHO_REQUEST, b"abc", 77)[:6])
        t.close()
        still_fine("truncated header")

        # The first message not a HELLO.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(ofp_msg(FEATURES_REQUEST, xid=5))
        s.close()
        still_fine("no hello")

        # The valid rule from "bad" is still there, the good connection
        # still works for flow mods.
        good.send(flow_mod(good.next_xid(), ofp_match(), b"", command=3,
                           table=255))
        good.barrier()
        if b.ping_ok(count=2):
            raise AssertionError("pings pass after deleting all flows")
        if b.vsproc.poll() is not None:
            raise AssertionError("plx-vswitchd died")


@case
def controller_status():
    """An active target's Controller row: is_connected, role and
    status (state, sec_since_connect) while it is up, then is_connected
    false, state and sec_since_disconnect, last_error once it is gone;
    and again when it comes back."""
    with Bench(fail_mode="secure") as b:
        l = Listener()
        b.listeners.append(l)
        uuid = b.set_controller("tcp:127.0.0.1:%d" % l.port)
        ctl = l.accept(10)
        b.conns.append(ctl)
        ctl.echo()
        wait_until(lambda: b.get("Controller", uuid, "is_connected")
                   == "true", 5, "is_connected=true")
        st = b.status(uuid)
        if st.get("state") != "ACTIVE" or "sec_since_connect" not in st:
            raise AssertionError("status while connected: %s" % st)
        if b.get("Controller", uuid, "role") != "other":
            raise AssertionError("role %s" % b.get("Controller", uuid,
                                                   "role"))
        ctl.role(ROLE_MASTER, 1)
        wait_until(lambda: b.get("Controller", uuid, "role") == "master",
                   5, "role master in the Controller row")
        # It controls the switch: a NORMAL flow makes hosts ping.
        ctl.send(flow_mod(ctl.next_xid(), ofp_match(),
                          apply_actions(action_output(OFPP_NORMAL))))
        ctl.barrier()
        b.wait_ping(5)
        wait_until(lambda: int(b.status(uuid).get("sec_since_connect",
                                                  0)) >= 1,
                   5, "sec_since_connect to count")

        # The controller goes away.
        ctl.close()
        l.close()
        wait_until(lambda: b.get("Controller", uuid, "is_connected")
                   == "false", 5, "is_connected=false")
        st = b.status(uuid)
        if st.get("state") not in ("BACKOFF", "CONNECTING") \
                or "sec_since_disconnect" not in st:
            raise AssertionError("status after disconnect: %s" % st)
        wait_until(lambda: "last_error" in b.status(uuid), 5,
                   "last_error after failed reconnects")
        # As in Open vSwitch (ofconn_flush() while not connected), a
        # disconnected controller has no role but "other".
        problems = []
        role = b.get("Controller", uuid, "role")
        if role != "other":
            problems.append("role %r after the controller went away, "
                            "want \"other\"" % role)
        # Secure: the controller's flows stay, so traffic still flows.
        b.ping(b.h1, "10.9.0.2", count=2)

        # It comes back on a new port (target changed in the row).
        l2 = Listener()
        b.listeners.append(l2)
        b.vsctl("set", "Controller", uuid,
                'target="tcp:127.0.0.1:%d"' % l2.port)
        ctl2 = l2.accept(10)
        b.conns.append(ctl2)
        ctl2.echo()
        wait_until(lambda: b.get("Controller", uuid, "is_connected")
                   == "true", 5, "is_connected=true again")
        wait_until(lambda: b.status(uuid).get("state") == "ACTIVE", 5,
                   "state ACTIVE again")
        if b.get("Controller", uuid, "role") != "other":
            problems.append("role %r on a new connection, want \"other\""
                            % b.get("Controller", uuid, "role"))
        if problems:
            raise AssertionError("; ".join(problems))


@case
def packet_in_and_out():
    """A table-miss flow to CONTROLLER: a frame from h1 arrives as a
    PACKET_IN with reason no_match, table id, cookie, in_port and the
    whole frame; with max_len 64 only 64 bytes but total_len the frame's
    length; a PACKET_OUT to h2's port reaches h2."""
    with Bench(fail_mode="secure") as b:
        l = Listener()
        b.listeners.append(l)
        b.set_controller("tcp:127.0.0.1:%d" % l.port)
        ctl = l.accept(10)
        b.conns.append(ctl)
        cookie = 0x0123456789abcdef
        ctl.send(flow_mod(ctl.next_xid(), ofp_match(),
                          apply_actions(action_output(OFPP_CONTROLLER,
                                                      OFPCML_NO_BUFFER)),
                          priority=0, cookie=cookie))
        ctl.barrier()
        mac1, mac2 = b.mac(b.h1), b.mac(b.h2)

        def send_and_catch(marker):
            frame = udp_frame(mac2, mac1, marker + bytes(range(200)))
            b.nsexec(b.h1, "/usr/bin/python3", "-c", SEND_FRAME,
                     frame.hex())
            pi = ctl.packet_ins(5, lambda p: marker in p["data"]
                                or p["data"] == frame[:len(p["data"])]
                                and len(p["data"]) < len(frame)
                                and p["total_len"] == len(frame))
            if pi is None:
                raise AssertionError("no PACKET_IN for the frame\n%s"
                                     % b.log())
            return frame, pi

        frame, pi = send_and_catch(b"plx-marker-full")
        fields = pi["fields"]
        problems = []
        if pi["reason"] != 0:
            problems.append("reason %d, want 0 (no_match)" % pi["reason"])
        if pi["table_id"] != 0:
            problems.append("table_id %d" % pi["table_id"])
        if pi["cookie"] != cookie:
            problems.append("cookie %#x" % pi["cookie"])
        if fields.get(0) != struct.pack("!I", b.p1):
            problems.append("in_port %r, want %d" % (fields.get(0), b.p1))
        if pi["data"] != frame:
            problems.append("data %d bytes, differs from the %d-byte frame"
                            % (len(pi["data"]), len(frame)))
        if pi["total_len"] != len(frame):
            problems.append("total_len %d, want %d"
                            % (pi["total_len"], len(frame)))
        if pi["buffer_id"] != NO_BUFFER:
            problems.append("buffer_id %#x for max_len NO_BUFFER"
                            % pi["buffer_id"])
        if problems:
            raise AssertionError("PACKET_IN: " + "; ".join(problems))

        # max_len 64 (MODIFY_STRICT of the same rule).
        ctl.send(flow_mod(ctl.next_xid(), ofp_match(),
                          apply_actions(action_output(OFPP_CONTROLLER, 64)),
                          priority=0, cookie=cookie, command=2))
        ctl.barrier()
        ctl.async_.clear()
        frame, pi = send_and_catch(b"plx-marker-64")
        if len(pi["data"]) != 64 or pi["data"] != frame[:64] \
                or pi["total_len"] != len(frame):
            raise AssertionError("PACKET_IN for max_len 64: %d bytes, "
                                 "total_len %d (frame %d)"
                                 % (len(pi["data"]), pi["total_len"],
                                    len(frame)))
        if pi["buffer_id"] != NO_BUFFER:
            # A buffered packet: releasing it must work.
            ctl.send(struct.pack("!BBHI", OFP13, PACKET_OUT, 24 + 16,
                                 ctl.next_xid())
                     + struct.pack("!IIH6x", pi["buffer_id"], b.p1, 16)
                     + action_output(b.p2))
            ctl.barrier()

        # PACKET_OUT to h2's port.
        marker = b"plx-packet-out-%d" % os.getpid()
        out = udp_frame(mac2, mac1, marker + b"\0" * 50)
        cap = subprocess.Popen(
            ["ip", "netns", "exec", b.h2, "/usr/bin/python3", "-c", CAPTURE,
             marker.hex(), "5"], stdout=subprocess.PIPE, text=True)
        b.procs.append(cap)
        if cap.stdout.readline().strip() != "ready":
            raise AssertionError("capture did not start")
        ctl.send(packet_out(ctl.next_xid(), OFPP_CONTROLLER,
                            [action_output(b.p2)], out))
        ctl.barrier()
        got, _ = cap.communicate(timeout=10)
        got = got.strip()
        if not got:
            raise AssertionError("h2 did not receive the PACKET_OUT\n%s"
                                 % b.log())
        if bytes.fromhex(got.splitlines()[0]) != out:
            raise AssertionError("h2 got a different frame: %s" % got)
        # Nothing of it came back as a PACKET_IN (it did not loop).
        if ctl.packet_ins(0.3, lambda p: marker in p["data"]):
            raise AssertionError("PACKET_OUT came back as a PACKET_IN")


if __name__ == "__main__":
    plxtest.run()
