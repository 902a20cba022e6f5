"""Flow export from a real plx-vswitchd to real collectors from Debian:
nfcapd + nfdump (NetFlow v5, v9 and IPFIX), sfacctd (pmacct) and tshark
(sFlow).

Two namespace hosts on br0 exchange known traffic: pings, a fixed number
of fixed-size UDP datagrams, and a fixed-size TCP transfer.  What each
host sent is captured on its switch port (tcpdump -Q in), and that
capture is the truth every collector's report is checked against: per
flow (protocol, addresses, ports), packets and IP bytes must be exact for
unsampled NetFlow and IPFIX, and within statistical bounds for sampled
sFlow.  Also checked: changes through plx-vsctl take effect at once, a
removed configuration stops the export, and a collector that is stopped
and restarted gets records again, templates included.  Uses the Switch
harness of test_vswitchd.py.  Needs root."""

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, wait_until

H1, H2 = "10.9.0.1", "10.9.0.2"

# Run in a namespace: sends COUNT UDP datagrams of SIZE payload bytes
# from source port SPORT to DST:DPORT, 2 ms apart.
UDP_SEND = r"""
import socket, sys, time
dst, sport, dport, count, size = sys.argv[1], *map(int, sys.argv[2:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", sport))
for _ in range(count):
    s.sendto(bytes(size), (dst, dport))
    time.sleep(0.002)
"""

# Run in a namespace: accepts one TCP connection on PORT and reads it to
# the end; or, as "client", sends SIZE bytes to DST:PORT from SPORT.
TCP = r"""
import socket, sys
if sys.argv[1] == "server":
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("", int(sys.argv[2])))
    l.listen(1)
    print("ready", flush=True)
    c, _ = l.accept()
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        n += len(b)
    c.close()
    print(n, flush=True)
else:
    dst, port, sport, size = sys.argv[2], *map(int, sys.argv[3:])
    s = socket.socket()
    s.bind(("", sport))
    s.connect((dst, port))
    s.sendall(bytes(size))
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
"""

# Run in a namespace: a UDP sink on PORT (so that datagrams draw no ICMP
# port unreachable), until killed.
UDP_SINK = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", int(sys.argv[1])))
print("ready", flush=True)
while True:
    s.recv(65536)
"""


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_frames(path):
    """[(frame, length on the wire)] of the pcap file at PATH."""
    with open(path, "rb") as f:
        data = f.read()
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frames.append((data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return frames


def ip_flows(frames):
    """{(proto, src, dst, sport, dport): [packets, ip_bytes, frame_bytes]}
    of the IPv4 FRAMES [(frame, wire length)] (untagged Ethernet); ICMP
    flows have ports 0."""
    flows = {}
    for f, wire_len in frames:
        if len(f) < 34 or f[12:14] != b"\x08\x00":
            continue
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        sport = dport = 0
        if proto in (6, 17) and len(ip) >= ihl + 4:
            sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        key = (proto, src, dst, sport, dport)
        acc = flows.setdefault(key, [0, 0, 0])
        acc[0] += 1
        acc[1] += total
        acc[2] += wire_len
    return flows


class Capture:
    """tcpdump of what enters the switch on interface DEV."""

    def __init__(self, s, dev):
        self.path = os.path.join(s.dir, "cap-%s.pcap" % dev)
        self.proc = subprocess.Popen(
            ["tcpdump", "-Q", "in", "-i", dev, "-U", "-n", "-s", "256",
             "-w", self.path, "ip"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        s.procs.append(self.proc)
        line = self.proc.stderr.readline()
        if "listening" not in line:
            raise AssertionError("tcpdump on %s: %s" % (dev, line))

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        return ip_flows(read_frames(self.path))


class Nfcapd:
    """nfcapd on 127.0.0.1:PORT (NetFlow v5/v9 and IPFIX) writing to a
    directory of its own; stop() returns nfdump's records."""

    def __init__(self, s, port=None):
        self.s = s
        self.port = port or free_udp_port()
        self.dir = tempfile.mkdtemp(prefix="nfcapd-", dir=s.dir)
        self.proc = None
        self.start()

    def start(self):
        binary = plxtest.require_program("nfcapd")
        self.proc = subprocess.Popen(
            [binary, "-w", self.dir, "-p", str(self.port), "-b",
             "127.0.0.1", "-t", "3600"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.s.procs.append(self.proc)
        # nfcapd says where it is bound once the socket is open.
        for line in self.proc.stdout:
            if "Bound to" in line or "Startup" in line:
                break
        time.sleep(0.2)

    def stop(self):
        """Stops nfcapd (it writes its file) and returns the records:
        [(proto, src, dst, sport, dport, packets, bytes, in, out, flags)].
        """
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20)
        nfdump = plxtest.require_program("nfdump")
        out = subprocess.run(
            [nfdump, "-R", self.dir, "-q", "-N", "-o",
             "fmt:%pr|%sa|%da|%sp|%dp|%pkt|%byt|%in|%out|%flg"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=60)
        records = []
        for line in out.stdout.splitlines():
            f = [x.strip() for x in line.split("|")]
            if len(f) != 10:
                continue
            proto = {"ICMP": 1, "TCP": 6, "UDP": 17}.get(f[0])
            if proto is None:
                proto = int(f[0])
            records.append((proto, f[1], f[2], f[3], f[4], int(f[5]),
                            int(f[6]), int(f[7]), int(f[8]), f[9]))
        return records, out.stdout


def by_flow(records):
    """nfdump records summed per flow key (as ip_flows() keys them), with
    the set of (in, out) interface pairs seen."""
    flows = {}
    for proto, src, dst, sp, dp, pkts, byts, inp, outp, _ in records:
        if proto in (6, 17):
            key = (proto, src, dst, int(sp), int(float(dp)))
        else:
            key = (proto, src, dst, 0, 0)
        acc = flows.setdefault(key, [0, 0, set()])
        acc[0] += pkts
        acc[1] += byts
        acc[2].add((inp, outp))
    return flows


def start_in_ns(s, ns, script, *args):
    p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c",
                          script] + [str(a) for a in args],
                         stdout=subprocess.PIPE, text=True)
    s.procs.append(p)
    return p


def known_traffic(s, h1, h2, pings=5, udp=(20, 200), tcp=200000):
    """Pings h1 → h2, UDP datagrams h1:5001 → h2:6001 and a TCP transfer
    h1:5002 → h2:6002, then waits for it all to be over."""
    sink = start_in_ns(s, h2, UDP_SINK, 6001)
    server = start_in_ns(s, h2, TCP, "server", 6002)
    assert sink.stdout.readline().strip() == "ready"
    assert server.stdout.readline().strip() == "ready"
    s.ping(h1, H2, count=pings)
    s.nsexec(h1, sys.executable, "-c", UDP_SEND, H2, "5001", "6001",
             str(udp[0]), str(udp[1]))
    s.nsexec(h1, sys.executable, "-c", TCP, "client", H2, "6002", "5002",
             str(tcp))
    got = server.stdout.readline().strip()
    if got != str(tcp):
        raise AssertionError("TCP server got %r of %d bytes" % (got, tcp))
    server.wait(timeout=10)
    time.sleep(0.3)
    os.kill(sink.pid, signal.SIGKILL)
    sink.wait()


def export_switch(s):
    """Two hosts on the bridge, idle megaflows removed after 500 ms (so
    NetFlow records expire soon after the traffic), captures running."""
    s.vsctl("add-br", s.br)
    s.vsctl("set", "Open_vSwitch", ".", "other_config:max-idle=500")
    h1, sw1 = s.add_host("h1", [H1 + "/24"])
    h2, sw2 = s.add_host("h2", [H2 + "/24"])
    # ARP first, so that captures and records hold only the test's
    # traffic and its replies.
    s.ping(h1, H2, count=1)
    return h1, sw1, h2, sw2


def wait_megaflows_gone(s, timeout=15):
    """Until the datapath has no megaflow for the hosts' IPv4 traffic:
    their NetFlow records have then been expired."""
    def gone():
        out = s.appctl("dpctl/dump-flows")
        return "ipv4" not in out and "10.9.0." not in out
    wait_until(gone, timeout, "megaflows to expire")
    time.sleep(1.0)


def check_flows(truth, reported, what, in_out=None, frame_bytes=0):
    """Every flow of TRUTH is in REPORTED with the same packets and
    bytes: IP bytes, or if FRAME_BYTES is nonzero the frames' plus
    FRAME_BYTES per packet (sFlow counts the FCS).  IN_OUT maps a source
    address to its (in, out) interfaces."""
    errors = []
    for key, (pkts, byts, fbyts) in sorted(truth.items()):
        if frame_bytes:
            byts = fbyts + frame_bytes * pkts
        got = reported.get(key)
        if not got:
            errors.append("%s: missing" % (key,))
            continue
        if (got[0], got[1]) != (pkts, byts):
            errors.append("%s: %d packets %d bytes, want %d and %d"
                          % (key, got[0], got[1], pkts, byts))
        if in_out and got[2] != {in_out[key[1]]}:
            errors.append("%s: interfaces %s, want %s"
                          % (key, got[2], in_out[key[1]]))
    for key in reported:
        if key not in truth:
            errors.append("%s: reported but not sent" % (key,))
    if errors:
        raise AssertionError("%s:\n  %s" % (what, "\n  ".join(errors)))


def netflow_exact(version):
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        nf = Nfcapd(s)
        args = ["active_timeout=60"]
        if version != 5:
            args.append("other_config:version=%d" % version)
        s.vsctl("--", "set", "Bridge", s.br, "netflow=@nf", "--",
                "--id=@nf", "create", "NetFlow",
                'targets="127.0.0.1:%d"' % nf.port, *args)
        wait_megaflows_gone(s)
        cap1, cap2 = Capture(s, sw1), Capture(s, sw2)
        known_traffic(s, h1, h2)
        wait_megaflows_gone(s)
        truth = cap1.stop()
        truth.update(cap2.stop())
        status = s.appctl("netflow/show", s.br)
        records, text = nf.stop()
        p1, p2 = int(s.ofport(sw1)), int(s.ofport(sw2))
        try:
            check_flows(truth, by_flow(records), "NetFlow v%d" % version,
                        {H1: (p1, p2), H2: (p2, p1)})
        except AssertionError as e:
            raise AssertionError("%s\nnfdump:\n%s" % (e, text))
        # TCP flags: the client's flow saw SYN, ACK and FIN.
        tcp = [r for r in records if r[0] == 6 and r[1] == H1]
        flags = "".join(r[9] for r in tcp)
        for f in "ASF":
            if f not in flags:
                raise AssertionError("TCP flags %r lack %s" % (flags, f))
        if "dropped 0" not in status:
            raise AssertionError("netflow/show:\n" + status)


@case
def netflow_v5_to_nfcapd():
    """NetFlow v5 records of pings, UDP and TCP, decoded by nfdump, equal
    what the hosts sent: packets, IP bytes, ports, interfaces, flags."""
    netflow_exact(5)


@case
def netflow_v9_to_nfcapd():
    """The same with NetFlow v9 (templates)."""
    netflow_exact(9)


@case
def ipfix_bridge_to_nfcapd():
    """Per-bridge IPFIX with sampling=1: nfdump's flows equal what the
    hosts sent, packets and IP bytes, with ingress and egress ports."""
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        nf = Nfcapd(s)
        s.vsctl("--", "set", "Bridge", s.br, "ipfix=@i", "--", "--id=@i",
                "create", "IPFIX", 'targets="127.0.0.1:%d"' % nf.port,
                "sampling=1", "obs_domain_id=5", "obs_point_id=6",
                "cache_active_timeout=1")
        time.sleep(0.5)
        cap1, cap2 = Capture(s, sw1), Capture(s, sw2)
        known_traffic(s, h1, h2)
        time.sleep(2.5)
        truth = cap1.stop()
        truth.update(cap2.stop())
        status = s.appctl("ipfix/show", s.br)
        records, _ = nf.stop()
        p1, p2 = int(s.ofport(sw1)), int(s.ofport(sw2))
        check_flows(truth, by_flow(records), "IPFIX",
                    {H1: (p1, p2), H2: (p2, p1)})
        if "dropped before export: 0" not in status:
            raise AssertionError("ipfix/show:\n" + status)


@case
def ipfix_flow_sample_action():
    """The OpenFlow sample action with a Flow_Sample_Collector_Set: only
    the flows it is on are exported, with their observation ids."""
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        nf = Nfcapd(s)
        s.vsctl("--", "--id=@br", "get", "Bridge", s.br, "--", "--id=@i",
                "create", "IPFIX", 'targets="127.0.0.1:%d"' % nf.port,
                "--", "create", "Flow_Sample_Collector_Set", "id=3",
                "bridge=@br", "ipfix=@i")
        ofctl = os.path.join(plxtest.BUILDDIR, "utilities", "plx-ofctl")
        sample = ("sample(probability=65535,collector_set_id=3,"
                  "obs_domain_id=7,obs_point_id=9)")
        for flow in ("priority=10,udp,actions=%s,normal" % sample,
                     "priority=0,actions=normal"):
            subprocess.run([ofctl, "add-flow", s.br, flow], check=True,
                           env=s.env)
        dump = subprocess.run([ofctl, "dump-flows", s.br], env=s.env,
                              stdout=subprocess.PIPE, text=True).stdout
        if sample not in dump:
            raise AssertionError("dump-flows:\n" + dump)
        # Debian's ovs-ofctl reads the action back the same, in both
        # OpenFlow versions.
        target = "unix:%s/%s.mgmt" % (s.dir, s.br)
        for version in ("OpenFlow10", "OpenFlow13"):
            dump = subprocess.run(
                [plxtest.require_program("ovs-ofctl"), "-O", version,
                 "dump-flows", target], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, timeout=30).stdout
            if sample not in dump:
                raise AssertionError("ovs-ofctl -O %s dump-flows:\n%s"
                                     % (version, dump))
        cap1, cap2 = Capture(s, sw1), Capture(s, sw2)
        known_traffic(s, h1, h2)
        time.sleep(1.5)
        truth = cap1.stop()
        truth.update(cap2.stop())
        records, _ = nf.stop()
        udp = {k: v for k, v in truth.items() if k[0] == 17}
        check_flows(udp, by_flow(records), "IPFIX flow samples")
        status = s.appctl("ipfix/show", s.br)
        if not re.search(r"\b3\b", status):
            raise AssertionError("ipfix/show lacks set 3:\n" + status)


class Sfacctd:
    """pmacct's sfacctd on 127.0.0.1:PORT, printing flows (protocol,
    addresses, ports, interfaces) as CSV every second, renormalized by
    the sampling rate."""

    def __init__(self, s):
        self.port = free_udp_port()
        self.dir = tempfile.mkdtemp(prefix="sfacctd-", dir=s.dir)
        self.csv = os.path.join(self.dir, "flows.csv")
        conf = os.path.join(self.dir, "sfacctd.conf")
        with open(conf, "w") as f:
            f.write("daemonize: false\n"
                    "sfacctd_ip: 127.0.0.1\n"
                    "sfacctd_port: %d\n"
                    "plugins: print[p]\n"
                    "aggregate[p]: proto, src_host, dst_host, src_port, "
                    "dst_port, in_iface, out_iface\n"
                    "print_output[p]: csv\n"
                    "print_output_file[p]: %s\n"
                    "print_output_file_append[p]: true\n"
                    "print_refresh_time[p]: 1\n"
                    "sfacctd_renormalize: true\n" % (self.port, self.csv))
        binary = plxtest.require_program("sfacctd")
        self.proc = subprocess.Popen([binary, "-f", conf],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        s.procs.append(self.proc)
        for line in self.proc.stdout:
            if "waiting for sFlow data" in line:
                break
        time.sleep(0.3)

    def flows(self):
        """{(proto, src, dst, sport, dport): [packets, bytes, {(in,
        out)}]}, summed over every CSV row so far."""
        flows = {}
        try:
            with open(self.csv) as f:
                lines = f.read().splitlines()
        except OSError:
            return flows
        header = None
        for line in lines:
            cols = line.split(",")
            if cols[0] == "IN_IFACE" or "PACKETS" in cols:
                header = cols
                continue
            if not header or len(cols) != len(header):
                continue
            r = dict(zip(header, cols))
            proto = {"icmp": 1, "tcp": 6, "udp": 17}.get(
                r["PROTOCOL"].lower(), None)
            if proto is None:
                try:
                    proto = int(r["PROTOCOL"])
                except ValueError:
                    continue
            sp, dp = int(r["SRC_PORT"]), int(r["DST_PORT"])
            if proto == 1:
                sp = dp = 0
            key = (proto, r["SRC_IP"], r["DST_IP"], sp, dp)
            acc = flows.setdefault(key, [0, 0, set()])
            acc[0] += int(r["PACKETS"])
            acc[1] += int(r["BYTES"])
            acc[2].add((int(r["IN_IFACE"]), int(r["OUT_IFACE"])))
        return flows


class UdpSink:
    """A UDP socket on 127.0.0.1 that keeps every datagram it receives
    (a second sFlow target, for tshark)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.port = self.sock.getsockname()[1]
        self.sock.setblocking(False)
        self.datagrams = []

    def drain(self):
        while True:
            try:
                self.datagrams.append(self.sock.recv(65536))
            except BlockingIOError:
                return self.datagrams

    def close(self):
        self.sock.close()


def tshark_sflow(s, datagrams, fields):
    """tshark's decoding of sFlow DATAGRAMS (wrapped in Ethernet, IPv4
    and UDP to port 6343 in a pcap): one list of FIELDS' values per
    datagram."""
    return tshark_udp(s, datagrams, 6343, fields)


def tshark_udp(s, datagrams, port, fields, decode_as=()):
    """tshark's decoding of DATAGRAMS wrapped in Ethernet, IPv4 and UDP to
    PORT in a pcap (DECODE_AS: its -d arguments): one list of FIELDS'
    values per datagram."""
    path = os.path.join(s.dir, "udp-%d.pcap" % port)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for d in datagrams:
            udp = struct.pack("!HHHH", 40000, port, 8 + len(d), 0) + d
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0,
                             64, 17, 0, socket.inet_aton("127.0.0.1"),
                             socket.inet_aton("127.0.0.1")) + udp
            frame = bytes(12) + b"\x08\x00" + ip
            f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)))
            f.write(frame)
    tshark = plxtest.require_program("tshark")
    argv = [tshark, "-r", path, "-T", "fields", "-E", "separator=|",
            "-E", "aggregator=;"]
    for d in decode_as:
        argv += ["-d", d]
    for field in fields:
        argv += ["-e", field]
    out = subprocess.run(argv, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=120)
    if out.returncode:
        raise AssertionError("tshark: " + out.stderr)
    return [line.split("|") for line in out.stdout.splitlines()]


def kernel_ifindex(dev):
    with open("/sys/class/net/%s/ifindex" % dev) as f:
        return int(f.read())


def sflow_switch(s, sampling, extra=()):
    h1, sw1, h2, sw2 = export_switch(s)
    sfa = Sfacctd(s)
    sink = UdpSink()
    s.vsctl("--", "set", "Bridge", s.br, "sflow=@sf", "--", "--id=@sf",
            "create", "sFlow",
            'targets="127.0.0.1:%d","127.0.0.1:%d"' % (sfa.port, sink.port),
            "sampling=%d" % sampling, "polling=1", "header=128",
            "agent=127.0.0.1", *extra)
    return h1, sw1, h2, sw2, sfa, sink


@case
def sflow_to_sfacctd_and_tshark():
    """sFlow with sampling=1 to two targets: sfacctd's flows equal what
    the hosts sent, and tshark decodes the flow samples (agent, sampling
    rate, interfaces, the sampled headers) and counter samples of both
    ports."""
    with Switch() as s:
        h1, sw1, h2, sw2, sfa, sink = sflow_switch(s, 1)
        time.sleep(0.5)
        sink.drain()
        sink.datagrams.clear()
        cap1, cap2 = Capture(s, sw1), Capture(s, sw2)
        known_traffic(s, h1, h2)
        time.sleep(2.5)
        truth = cap1.stop()
        truth.update(cap2.stop())
        datagrams = sink.drain()
        i1, i2 = kernel_ifindex(sw1), kernel_ifindex(sw2)
        check_flows(truth, sfa.flows(), "sfacctd",
                    {H1: (i1, i2), H2: (i2, i1)}, frame_bytes=4)

        rows = tshark_sflow(s, datagrams, [
            "sflow_245.agent", "sflow_245.sampletype",
            "sflow.flow_sample.source_id_index",
            "sflow.flow_sample.sampling_rate",
            "sflow.flow_sample.input_interface",
            "sflow.flow_sample.output_interface_value", "ip.src", "ip.dst",
            "sflow.counters_sample.source_id_index"])
        if not rows:
            raise AssertionError("tshark decoded no sFlow datagram")
        samples, counters = 0, set()
        per_src = {H1: 0, H2: 0}
        for r in rows:
            if r[0] != "127.0.0.1":
                raise AssertionError("agent %r" % r[0])
            rates = [x for x in r[3].split(";") if x]
            if any(x != "1" for x in rates):
                raise AssertionError("sampling rates %r" % rates)
            # ip.src lists the outer header (127.0.0.1) and then each
            # sampled packet's.
            for src in r[6].split(";")[1:]:
                if src in per_src:
                    per_src[src] += 1
            samples += len(rates)
            counters.update(x for x in r[8].split(";") if x)
        want = {src: sum(v[0] for k, v in truth.items() if k[1] == src)
                for src in per_src}
        if per_src != want:
            raise AssertionError("tshark: samples per source %s, want %s"
                                 % (per_src, want))
        if not {str(i1), str(i2)} <= counters:
            raise AssertionError("counter samples for %s, want %d and %d"
                                 % (counters, i1, i2))
        status = s.appctl("sflow/show", s.br)
        if "dropped before export: 0" not in status:
            raise AssertionError("sflow/show:\n" + status)
        sink.close()


@case
def sflow_sampled_within_bounds():
    """sFlow sampling 1 in 4 of 2,000 UDP datagrams: sfacctd's estimate
    (samples × rate) is within 5 standard deviations of 2,000, and the
    samples say rate 4."""
    with Switch() as s:
        h1, sw1, h2, sw2, sfa, sink = sflow_switch(s, 4)
        time.sleep(0.5)
        n, rate = 2000, 4
        s.nsexec(h1, sys.executable, "-c", UDP_SEND, H2, "5003", "6003",
                 str(n), "100")
        time.sleep(2.5)
        key = (17, H1, H2, 5003, 6003)
        got = sfa.flows().get(key)
        if not got:
            raise AssertionError("sfacctd has no %s" % (key,))
        # Samples ~ Binomial(n, 1/rate); the estimate is samples × rate.
        sd = rate * (n * (1 / rate) * (1 - 1 / rate)) ** 0.5
        if abs(got[0] - n) > 5 * sd:
            raise AssertionError("estimated %d packets of %d (sd %.0f)"
                                 % (got[0], n, sd))
        rows = tshark_sflow(s, sink.drain(),
                            ["sflow.flow_sample.sampling_rate"])
        rates = {x for r in rows for x in r[0].split(";") if x}
        if rates != {"4"}:
            raise AssertionError("sampling rates %s" % rates)
        sink.close()


def datagrams_during(sink, seconds, action=None):
    """The datagrams SINK receives while ACTION runs and SECONDS after."""
    sink.drain()
    sink.datagrams.clear()
    if action:
        action()
    time.sleep(seconds)
    return list(sink.drain())


@case
def runtime_changes():
    """Targets, timeouts and sampling changed with plx-vsctl take effect
    without a restart; clearing the configuration stops the export."""
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        a, b = UdpSink(), UdpSink()
        s.vsctl("--", "set", "Bridge", s.br, "netflow=@nf", "sflow=@sf",
                "--", "--id=@nf", "create", "NetFlow",
                'targets="127.0.0.1:%d"' % a.port, "active_timeout=60",
                "--", "--id=@sf", "create", "sFlow",
                'targets="127.0.0.1:%d"' % a.port, "sampling=1",
                "polling=0", "agent=127.0.0.1")

        def ping():
            s.ping(h1, H2, count=3)

        # sFlow samples, then NetFlow records once the flows expire.
        got = datagrams_during(a, 2.5, ping)
        if not any(d[:4] == b"\x00\x00\x00\x05" for d in got):
            raise AssertionError("no sFlow datagram at the first target")
        if not any(d[:2] == b"\x00\x05" for d in got):
            raise AssertionError("no NetFlow datagram at the first target")

        # New targets: everything goes to b, nothing more to a.
        nf = s.vsctl("get", "Bridge", s.br, "netflow").strip()
        sf = s.vsctl("get", "Bridge", s.br, "sflow").strip()
        s.vsctl("set", "NetFlow", nf, 'targets="127.0.0.1:%d"' % b.port)
        s.vsctl("set", "sFlow", sf, 'targets="127.0.0.1:%d"' % b.port)
        a.drain()
        a.datagrams.clear()
        got = datagrams_during(b, 2.5, ping)
        if len({d[:2] for d in got}) != 2:
            raise AssertionError("second target got %s" % got)
        if a.drain():
            raise AssertionError("the old target still gets datagrams")

        # Active timeout 1 s: a flow that goes on is reported while it
        # does, not only when it ends.
        s.vsctl("set", "NetFlow", nf, "active_timeout=1")
        s.vsctl("clear", "Bridge", s.br, "sflow")
        pinger = subprocess.Popen(
            ["ip", "netns", "exec", h1, "ping", "-c", "30", "-i", "0.2",
             H2], stdout=subprocess.DEVNULL)
        s.procs.append(pinger)
        got = datagrams_during(b, 4)
        nf_during = [d for d in got if d[:2] == b"\x00\x05"]
        pinger.wait(timeout=30)
        if len(nf_during) < 2:
            raise AssertionError("active_timeout=1: %d NetFlow datagrams "
                                 "in 4 s of traffic\n%s\n%s"
                                 % (len(nf_during),
                                    s.appctl("netflow/show", s.br),
                                    s.appctl("dpctl/dump-flows")))
        if any(d[:4] == b"\x00\x00\x00\x05" for d in got):
            raise AssertionError("sFlow still exporting after clear")

        # sFlow back with sampling 2: the samples say so.
        s.vsctl("--", "set", "Bridge", s.br, "sflow=@sf", "--", "--id=@sf",
                "create", "sFlow", 'targets="127.0.0.1:%d"' % b.port,
                "sampling=2", "polling=0", "agent=127.0.0.1")
        got = datagrams_during(b, 2.0,
                               lambda: s.ping(h1, H2, count=10))
        rows = tshark_sflow(s, [d for d in got
                                if d[:4] == b"\x00\x00\x00\x05"],
                            ["sflow.flow_sample.sampling_rate"])
        rates = {x for r in rows for x in r[0].split(";") if x}
        if rates != {"2"}:
            raise AssertionError("sampling rates after the change: %s"
                                 % rates)

        # No configuration, no export.
        s.vsctl("clear", "Bridge", s.br, "netflow", "sflow")
        time.sleep(0.5)
        got = datagrams_during(b, 2.5, ping)
        if got:
            raise AssertionError("%d datagrams after the configuration was "
                                 "removed" % len(got))
        for cmd in ("netflow/show", "sflow/show"):
            if "not configured" not in s.appctl(cmd, s.br):
                raise AssertionError(cmd + " still shows an exporter")
        a.close()
        b.close()


@case
def collector_restart_gets_templates():
    """NetFlow v9 and IPFIX collectors (nfcapd) stopped while traffic
    flows and started again: the datagrams they miss are counted as
    dropped, and the restarted collectors decode new records exactly,
    so the templates were sent again."""
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        nf, ipx = Nfcapd(s), Nfcapd(s)
        s.vsctl("--", "set", "Bridge", s.br, "netflow=@nf", "ipfix=@i",
                "--", "--id=@nf", "create", "NetFlow",
                'targets="127.0.0.1:%d"' % nf.port,
                "other_config:version=9", "--", "--id=@i", "create",
                "IPFIX", 'targets="127.0.0.1:%d"' % ipx.port, "sampling=1",
                "cache_active_timeout=1")
        wait_megaflows_gone(s)

        def udp(sport, count):
            s.nsexec(h1, sys.executable, "-c", UDP_SEND, H2, str(sport),
                     "7000", str(count), "100")

        udp(5101, 10)
        wait_megaflows_gone(s)
        for c in (nf, ipx):
            records, text = c.stop()
            if not any(r[3] == "5101" for r in records):
                raise AssertionError("before the restart:\n" + text)

        # Collectors down: two rounds, so that sends meet the refusals.
        for sport in (5102, 5103):
            udp(sport, 10)
            wait_megaflows_gone(s)
        for cmd in ("netflow/show", "ipfix/show"):
            status = s.appctl(cmd, s.br)
            if not re.search(r"dropped [1-9]", status):
                raise AssertionError("%s counted no drop:\n%s"
                                     % (cmd, status))

        nf.start()
        ipx.start()
        udp(5104, 10)
        wait_megaflows_gone(s)
        for c, what in ((nf, "NetFlow v9"), (ipx, "IPFIX")):
            records, text = c.stop()
            got = by_flow(records).get((17, H1, H2, 5104, 7000))
            if not got or got[:2] != [10, 10 * 128]:
                raise AssertionError("%s after the restart: %s\n%s"
                                     % (what, got, text))


class TcpCollector:
    """A TCP listener on 127.0.0.1 that accepts one connection at a time
    and splits what it receives into IPFIX messages (by the length in
    each message header)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.buf = b""

    def accept(self, timeout=10):
        self.listener.settimeout(timeout)
        self.conn, _ = self.listener.accept()
        self.conn.setblocking(False)
        self.buf = b""

    def messages(self):
        """The whole messages received so far on this connection."""
        while True:
            try:
                data = self.conn.recv(65536)
            except BlockingIOError:
                break
            if not data:
                break
            self.buf += data
        out = []
        while len(self.buf) >= 4:
            version, length = struct.unpack("!HH", self.buf[:4])
            if version != 10 or length < 16:
                raise AssertionError("not an IPFIX stream: %r"
                                     % self.buf[:32])
            if len(self.buf) < length:
                break
            out.append(self.buf[:length])
            self.buf = self.buf[length:]
        return out

    def drop(self):
        self.conn.close()
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
        self.listener.close()


def ipfix_udp_flows(s, messages, dport):
    """{(proto, src, dst, sport, dport): [packets, octets]} of the UDP
    data records to DPORT in MESSAGES, as tshark decodes them; and
    whether the first message that tshark could decode came with
    templates (it needs them to decode any data)."""
    rows = tshark_udp(s, messages, 4739,
                      ["cflow.protocol", "cflow.srcaddr", "cflow.dstaddr",
                       "cflow.srcport", "cflow.dstport", "cflow.packets",
                       "cflow.octets"],
                      ["udp.port==4739,cflow"])
    flows = {}
    for r in rows:
        cols = [c.split(";") if c else [] for c in r]
        for rec in zip(*cols):
            proto, src, dst, sp, dp, pkts, octs = rec
            if int(proto) != 17 or int(dp) != dport:
                continue
            key = (17, src, dst, int(sp), int(dp))
            acc = flows.setdefault(key, [0, 0])
            acc[0] += int(pkts)
            acc[1] += int(octs)
    return flows


@case
def ipfix_over_tcp():
    """IPFIX to a "tcp:" target: records arrive whole over the stream,
    templates first; when the collector drops the connection, the switch
    reconnects and sends the templates first again."""
    with Switch() as s:
        h1, sw1, h2, sw2 = export_switch(s)
        col = TcpCollector()
        try:
            s.vsctl("--", "set", "Bridge", s.br, "ipfix=@i", "--",
                    "--id=@i", "create", "IPFIX",
                    'targets="tcp:127.0.0.1:%d"' % col.port, "sampling=1",
                    "cache_active_timeout=1")
            col.accept()
            for sport in (5201, 5202):
                s.nsexec(h1, sys.executable, "-c", UDP_SEND, H2, str(sport),
                         "7001", "10", "100")
                time.sleep(2.5)
                msgs = col.messages()
                if not msgs or struct.unpack("!H", msgs[0][16:18])[0] != 2:
                    raise AssertionError("connection did not start with a "
                                         "template set: %r"
                                         % (msgs[0][:24] if msgs else None))
                got = ipfix_udp_flows(s, msgs, 7001)
                want = {(17, H1, H2, sport, 7001): [10, 10 * 128]}
                if got != want:
                    raise AssertionError("over TCP: %s, want %s\n%s"
                                         % (got, want, s.appctl(
                                             "ipfix/show", s.br)))
                if sport == 5201:
                    # The collector goes away; the switch comes back.
                    col.drop()
                    col.accept(timeout=20)
            status = s.appctl("ipfix/show", s.br)
            if "tcp:127.0.0.1:%d: connected" % col.port not in status:
                raise AssertionError("ipfix/show:\n" + status)
        finally:
            col.close()


@case
def configured_by_debian_ovs_vsctl():
    """Debian's ovs-vsctl configures NetFlow, sFlow and a collector set
    the way it would for Open vSwitch, and clears them; the exporters
    follow (plx-appctl shows them, then shows them gone)."""
    ovs_vsctl = plxtest.require_program("ovs-vsctl")
    with Switch() as s:
        s.vsctl("add-br", s.br)
        db = "--db=unix:" + s.sock

        def ovs(*args):
            p = subprocess.run([ovs_vsctl, db, "--timeout=30"] + list(args),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               timeout=60)
            if p.returncode:
                raise AssertionError("ovs-vsctl %s: %s"
                                     % (" ".join(args), p.stderr))
            return p.stdout

        ovs("--", "set", "Bridge", s.br, "netflow=@nf", "--", "--id=@nf",
            "create", "NetFlow", 'targets="127.0.0.1:2055"',
            "active_timeout=30", "--", "--id=@s", "create", "sFlow",
            'targets="127.0.0.1:6343"', "agent=127.0.0.1", "sampling=64",
            "--", "set", "Bridge", s.br, "sflow=@s")
        ovs("--", "--id=@br", "get", "Bridge", s.br, "--", "--id=@i",
            "create", "IPFIX", 'targets="127.0.0.1:4739"', "--", "create",
            "Flow_Sample_Collector_Set", "id=1", "bridge=@br", "ipfix=@i")
        wants = (("netflow/show", "active 30 s"),
                 ("sflow/show", "sampling rate 1/64"),
                 ("ipfix/show", "collector set 1"))
        for cmd, want in wants:
            wait_until(lambda: want in s.appctl(cmd, s.br), 10,
                       "%s to show %r" % (cmd, want))
        ovs("clear", "Bridge", s.br, "netflow", "sflow")
        ovs("--all", "destroy", "Flow_Sample_Collector_Set")
        for cmd, _ in wants:
            wait_until(lambda: "not configured" in s.appctl(cmd, s.br), 10,
                       "%s to show no exporter" % cmd)


if __name__ == "__main__":
    plxtest.run()
