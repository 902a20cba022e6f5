"""Machinery for bench-openflow.py: switches, flow tables, an OpenFlow
client, datapath counters.

The namespaces, veth pairs and daemons come from bench-switch.py (loaded
as a module; it is not changed).  What this adds:

  OfTopology      bench-switch's Topology with a per-switch name, so that
                  Open vSwitch and Plexus each have their own pair of
                  namespaces and can both stay up for the whole run;
  OfSwitch        one switch (either kind) on its topology: fail_mode
                  secure, a passive OpenFlow controller target on
                  127.0.0.1, the management socket, OpenFlow port
                  numbers, ovs-ofctl and appctl wrappers, the datapath's
                  hit/miss/flow counters;
  flow texts      the 100k flow-mod set and the packet pipelines, as
                  ovs-ofctl flow syntax;
  OFClient        a raw OpenFlow 1.3 connection (socket + struct) that
                  pipelines FLOW_MODs and times to the BARRIER_REPLY.

Debian's ovs-ofctl drives both switches through the same kind of target,
unix:DIR/BRIDGE.mgmt, so the two get exactly the same client."""

import importlib.util
import os
import re
import socket
import struct
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

_spec = importlib.util.spec_from_file_location(
    "bench_switch", os.path.join(HERE, "bench-switch.py"))
bs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bs)

Skip = bs.Skip
sh = bs.sh
log = bs.log
ADDR_A = bs.ADDR_A
ADDR_B = bs.ADDR_B


class OfTopology(bs.Topology):
    """bench-switch's two namespaces and veth pairs, with names that also
    carry KIND (one letter), so that one run can hold one per switch."""

    def __init__(self, kind):
        super().__init__()
        tag = str(os.getpid())
        self.ns_a = "plxofb-%s-%s-a" % (tag, kind)
        self.ns_b = "plxofb-%s-%s-b" % (tag, kind)
        self.host_a = "pf%sA%s" % (kind, tag[-9:])
        self.host_b = "pf%sB%s" % (kind, tag[-9:])


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ofport_list(text):
    return [int(x) for x in re.findall(r"\d+", text)]


class OfSwitch:
    """One switch ("ovs" or "plexus") with its own topology, set up for
    OpenFlow: fail_mode=secure (only the bench's flows forward), a
    passive controller target ptcp:PORT:127.0.0.1, no flows."""

    def __init__(self, name, args):
        self.name = name
        kind = "o" if name == "ovs" else "p"
        self.topo = OfTopology(kind)
        self.dp = (bs.OvsNetdev if name == "ovs" else bs.Plexus)(self.topo,
                                                                args)
        self.iperf_server = None
        self.ctl_port = None
        self.mgmt = None

    # Setup and teardown.
    def setup(self):
        self.topo.setup()
        self.dp.setup()
        d = self.dp.daemons.dir
        br = self.dp.bridge
        self.env = dict(self.dp.env, OVS_RUNDIR=d)
        self.ctl_port = free_tcp_port()
        self.dp.vsctl("set-fail-mode", br, "secure")
        self.dp.vsctl("set-controller", br,
                      "ptcp:%d:127.0.0.1" % self.ctl_port)
        self.mgmt = "unix:%s/%s.mgmt" % (d, br)
        self.port_a = self._ofport(self.topo.host_a)
        self.port_b = self._ofport(self.topo.host_b)
        self._wait(lambda: os.path.exists(self.mgmt[5:]), "mgmt socket")
        self._wait(self._controller_listening, "controller listener")
        self.ofctl("del-flows", self.mgmt)
        self.iperf_server = subprocess.Popen(
            self.topo.ns_exec(self.topo.ns_b)
            + ["iperf3", "-s", "-p", str(bs.IPERF_PORT)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def _wait(self, cond, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            self.check_alive()
            time.sleep(0.1)
        raise Skip("%s: no %s after %d s" % (self.name, what, timeout))

    def _controller_listening(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.ctl_port), 1)
            s.close()
            return True
        except OSError:
            return False

    def _ofport(self, iface):
        def get():
            p = self.dp.vsctl("get", "Interface", iface, "ofport")
            v = ofport_list(p.stdout)
            return v[0] if v and v[0] > 0 else None
        self._wait(lambda: get() is not None, "ofport for %s" % iface)
        return get()

    def teardown(self):
        bs.stop_proc(self.iperf_server, "iperf3 server")
        self.iperf_server = None
        self.dp.teardown()
        self.topo.teardown()

    def daemon(self):
        """The vswitchd Popen."""
        for name, proc in self.dp.daemons.procs:
            if "vswitchd" in name:
                return proc
        return None

    def check_alive(self):
        proc = self.daemon()
        if proc is not None and proc.poll() is not None:
            log_name = ("ovs-vswitchd.log" if self.name == "ovs"
                        else "plx-vswitchd.log")
            raise RuntimeError("%s: vswitchd exited with status %d: %s"
                               % (self.name, proc.returncode,
                                  bs.tail(os.path.join(self.dp.daemons.dir,
                                                       log_name), 10)))

    def cpu_seconds(self):
        """User+system CPU time of the vswitchd process so far."""
        proc = self.daemon()
        with open("/proc/%d/stat" % proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")

    # Clients.
    def ofctl(self, *args, timeout=600, check=True):
        return sh(["ovs-ofctl", "-O", "OpenFlow13", "--timeout=%d" % timeout]
                  + list(args), env=self.env, timeout=timeout + 30,
                  check=check)

    def appctl(self, *args, timeout=60):
        d = self.dp.daemons.dir
        if self.name == "ovs":
            argv = ["ovs-appctl", "-t",
                    os.path.join(d, "ovs-vswitchd.ctl")]
        else:
            argv = [os.path.join(self.dp.builddir, "utilities",
                                 "plx-appctl"), "-t", "plx-vswitchd"]
        return sh(argv + list(args), env=self.env, timeout=timeout)

    def count_flows(self):
        """OpenFlow flows, by dump-flows (every table)."""
        out = self.ofctl("--no-stats", "dump-flows", self.mgmt).stdout
        return sum(1 for line in out.splitlines() if "actions=" in line)

    def replace_flows(self, text, path):
        """Deletes every flow, then adds TEXT (ovs-ofctl syntax) from
        PATH; returns the seconds add-flows took."""
        with open(path, "w") as f:
            f.write(text)
        self.ofctl("del-flows", self.mgmt)
        t0 = time.monotonic()
        self.ofctl("add-flows", self.mgmt, path)
        return time.monotonic() - t0

    def dp_stats(self):
        """(hit, missed, lost, flows) from dpctl/show."""
        out = self.appctl("dpctl/show").stdout
        m = re.search(r"lookups: hit:(\d+) missed:(\d+) lost:(\d+)", out)
        f = re.search(r"flows: (\d+)", out)
        if not m or not f:
            raise RuntimeError("%s: cannot parse dpctl/show: %r"
                               % (self.name, out[:300]))
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)),
                int(f.group(1)))

    def dump_dp_flows(self):
        """Lines of dpctl/dump-flows (one per datapath flow)."""
        out = self.appctl("dpctl/dump-flows").stdout
        return [l for l in out.splitlines() if "actions:" in l]

    def upcall_show(self):
        """OVS's upcall/show text (flow limit, dump duration), or ''."""
        if self.name != "ovs":
            return ""
        return self.appctl("upcall/show").stdout

    def del_dp_flows(self):
        self.appctl("dpctl/del-flows")


# Flow tables, in ovs-ofctl syntax.

def filler_addr(i):
    """Distinct IPv4 addresses in 11.0.0.0/8, none on the test path."""
    i += 1
    return "11.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def flowmod_set(n, n_tables):
    """N flows with distinct ip,nw_dst matches spread over tables
    0..N_TABLES-1, as (table, addr_index, is_last) tuples: each table
    jumps to the next, the last outputs (flowmod_text, flowmod_wire)."""
    per = (n + n_tables - 1) // n_tables
    return [(i // per, i, i // per == n_tables - 1) for i in range(n)]


def flowmod_text(flows, out_port):
    lines = []
    for table, i, last in flows:
        action = ("output:%d" % out_port if last
                  else "goto_table:%d" % (table + 1))
        lines.append("table=%d,priority=100,ip,nw_dst=%s,actions=%s"
                     % (table, filler_addr(i), action))
    return "\n".join(lines) + "\n"


def pipeline_text(n_rules, pa, pb, l4_rules=0):
    """The packet pipeline, N_RULES rules spread over tables 1..3 plus a
    handful that carry the test traffic:

      table 0  in_port=A|B,ip -> goto_table:1; arp between A and B
      table 1  ip,nw_dst=X/32 -> goto_table:2   (N_RULES/3 + 2)
      table 2  ip,nw_src=X/32 -> goto_table:3   (N_RULES/3 + 2)
               with L4_RULES, also udp,tp_src=P (P in 1..L4_RULES) at a
               higher priority, so that the decision for a UDP packet
               depends on its source port
      table 3  ip,nw_dst=X/32 -> output          (the rest + 2)

    The filler rules never match the test traffic (10.250.0.1 <->
    10.250.0.2) but share its masks, so every lookup searches them."""
    lines = [
        "table=0,priority=200,ip,in_port=%d,actions=goto_table:1" % pa,
        "table=0,priority=200,ip,in_port=%d,actions=goto_table:1" % pb,
        "table=0,priority=100,arp,in_port=%d,actions=output:%d" % (pa, pb),
        "table=0,priority=100,arp,in_port=%d,actions=output:%d" % (pb, pa),
    ]
    for addr in (ADDR_A, ADDR_B):
        lines.append("table=1,priority=100,ip,nw_dst=%s,actions=goto_table:2"
                     % addr)
        lines.append("table=2,priority=100,ip,nw_src=%s,actions=goto_table:3"
                     % addr)
    lines.append("table=3,priority=100,ip,nw_dst=%s,actions=output:%d"
                 % (ADDR_A, pa))
    lines.append("table=3,priority=100,ip,nw_dst=%s,actions=output:%d"
                 % (ADDR_B, pb))
    per = n_rules // 3
    for i in range(n_rules):
        t = min(i // per, 2) + 1 if per else 3
        addr = filler_addr(i)
        if t == 1:
            lines.append("table=1,priority=100,ip,nw_dst=%s,"
                         "actions=goto_table:2" % addr)
        elif t == 2:
            lines.append("table=2,priority=100,ip,nw_src=%s,"
                         "actions=goto_table:3" % addr)
        else:
            lines.append("table=3,priority=100,ip,nw_dst=%s,"
                         "actions=output:%d" % (addr, pa if i & 1 else pb))
    for p in range(1, l4_rules + 1):
        lines.append("table=2,priority=150,udp,tp_src=%d,"
                     "actions=goto_table:3" % p)
    return "\n".join(lines) + "\n", len(lines)


# A raw OpenFlow 1.3 client.

OFP13 = 4
OFPT_HELLO = 0
OFPT_ERROR = 1
OFPT_ECHO_REQUEST = 2
OFPT_ECHO_REPLY = 3
OFPT_FLOW_MOD = 14
OFPT_BARRIER_REQUEST = 20
OFPT_BARRIER_REPLY = 21


def oxm(field, value):
    return struct.pack("!HBB", 0x8000, field << 1, len(value)) + value


def ofp_match(*oxms):
    body = b"".join(oxms)
    length = 4 + len(body)
    return (struct.pack("!HH", 1, length) + body
            + b"\0" * ((8 - length % 8) % 8))


def inst_goto(table):
    return struct.pack("!HHB3x", 1, 8, table)


def inst_output(port):
    action = struct.pack("!HHIH6x", 0, 16, port, 0xffff)
    return struct.pack("!HH4x", 4, 8 + len(action)) + action


def flow_mod_msg(xid, table, priority, match, instructions):
    body = (struct.pack("!QQBBHHHIIIH2x", 0, 0, table, 0, 0, 0, priority,
                        0xffffffff, 0xffffffff, 0xffffffff, 0)
            + match + instructions)
    return struct.pack("!BBHI", OFP13, OFPT_FLOW_MOD, 8 + len(body),
                       xid) + body


def flowmod_wire(flows, out_port):
    """The same flows as flowmod_text(), as one buffer of FLOW_MODs."""
    parts = []
    eth_ip = oxm(5, struct.pack("!H", 0x0800))
    for xid, (table, i, last) in enumerate(flows, 1000):
        addr = socket.inet_aton(filler_addr(i))
        inst = inst_output(out_port) if last else inst_goto(table + 1)
        parts.append(flow_mod_msg(xid, table, 100,
                                  ofp_match(eth_ip, oxm(12, addr)), inst))
    return b"".join(parts)


class OFClient:
    """An OpenFlow 1.3 connection to a passive target.  A
    reader thread takes everything the switch sends (answering echo
    requests), so that a pipelined sender can never deadlock against a
    switch whose replies fill the socket."""

    def __init__(self, target, timeout=10):
        """TARGET: ("127.0.0.1", PORT) for TCP, or a unix socket path."""
        if isinstance(target, str):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(timeout)
            self.sock.connect(target)
        else:
            self.sock = socket.create_connection(target, timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.msgs = []
        self.closed = False
        self.errors = []
        self.sock.sendall(struct.pack("!BBHI", OFP13, OFPT_HELLO, 8, 1))
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        kind, _, _ = self.wait_for(lambda k, x: k == OFPT_HELLO, timeout)
        if kind != OFPT_HELLO:
            raise RuntimeError("no HELLO from the switch")

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _reader(self):
        try:
            while True:
                ver, kind, length, xid = struct.unpack("!BBHI",
                                                       self._read(8))
                body = self._read(length - 8)
                if kind == OFPT_ECHO_REQUEST:
                    with self.lock:
                        self.sock.sendall(struct.pack(
                            "!BBHI", ver, OFPT_ECHO_REPLY, length, xid)
                            + body)
                    continue
                with self.cond:
                    if kind == OFPT_ERROR:
                        self.errors.append(struct.unpack("!HH", body[:4]))
                    self.msgs.append((kind, xid, body))
                    self.cond.notify_all()
        except (EOFError, OSError):
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, (kind, xid, body) in enumerate(self.msgs):
                    if pred(kind, xid):
                        del self.msgs[i]
                        return kind, xid, body
                left = deadline - time.monotonic()
                if self.closed:
                    raise RuntimeError("switch closed the connection")
                if left <= 0:
                    raise RuntimeError("no reply in %d s" % timeout)
                self.cond.wait(left)

    def send(self, data, chunk=65536):
        view = memoryview(data)
        for off in range(0, len(view), chunk):
            with self.lock:
                self.sock.sendall(view[off:off + chunk])

    def barrier(self, xid, timeout):
        self.send(struct.pack("!BBHI", OFP13, OFPT_BARRIER_REQUEST, 8, xid))
        self.wait_for(lambda k, x: k == OFPT_BARRIER_REPLY and x == xid,
                      timeout)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
