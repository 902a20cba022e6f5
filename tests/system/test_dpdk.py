"""DPDK ports (Interface type "dpdk") in a live plx-vswitchd.

There is no physical NIC here, so DPDK's virtual devices stand in:

  af_packet_to_system   a dpdk port on net_af_packet over a veth whose
                        other end is a namespace host exchanges traffic
                        with a host on a system port of the same bridge;
                        an MTU the device cannot frame is refused with
                        the port unchanged; DPDK runs on hugepages; the
                        Open_vSwitch row says
                        dpdk_initialized and dpdk_version; the port's
                        statistics and link state come from the ethdev
  tap_to_system         the same through a net_tap device moved into the
                        host's namespace
  pcap_replay           net_pcap replays a capture through the bridge
                        into another net_pcap port, unchanged with
                        in_port=1,actions=output:2 and with a VLAN tag
                        pushed in the mbuf's headroom; the output file is
                        what the flows say it must be
  hot_add_remove        dpdk ports (net_pcap, net_ring) come and go:
                        attach, detach, changed n_rxq, an MTU that needs
                        new buffers, one set in place; meanwhile two
                        system hosts ping each other and no ping is lost
  bad_config            malformed devargs, a device used twice, a bad
                        n_rxq, DPDK never initialized: a readable error
                        in the Interface's error column, the rest works
  missing_hugepages     DPDK asked for more hugepage memory than there is:
                        a clear error in the log and in the dpdk port's
                        error column (no hang), dpdk_initialized false,
                        other ports keep forwarding
  unsupported_without_dpdk
                        in a build configured --with-dpdk=no, a dpdk port
                        has an error saying the type is not supported,
                        dpdk-init=true is refused in the log, and the
                        rest of the switch works (utilities/plx-dev check
                        runs this case against its no-DPDK build)

Needs root and a build with DPDK (the cases skip otherwise; the last one
needs a build without)."""

import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, TAG, sh, wait_until
from test_vm import reserve_hugepages

NO_HUGE = "--no-huge -m 512 --no-pci"


def has_dpdk(s):
    types = s.get("Open_vSwitch", ".", "iface_types")
    return "dpdk" in re.findall(r"[\w-]+", types)


def require_dpdk(s):
    """Skips unless this build has the "dpdk" interface type."""
    if not has_dpdk(s):
        raise Skip("this build has no DPDK")


def start_dpdk(s, extra=NO_HUGE, **other):
    """Initializes DPDK in S's vswitchd and waits until it says so."""
    args = ["other_config:dpdk-init=true"]
    if extra:
        args.append('other_config:dpdk-extra="%s"' % extra)
    args += ["other_config:%s=%s" % kv for kv in other.items()]
    s.vsctl("set", "Open_vSwitch", ".", *args)
    wait_until(lambda: s.get("Open_vSwitch", ".", "dpdk_initialized")
               == "true", 30, "dpdk_initialized")


def sink(n):
    """Devargs of a device that receives nothing and discards what it is
    sent (net_null would flood the bridge with what it makes up)."""
    return "net_pcap%d,tx_pcap=/dev/null" % n


def iface_error(s, name):
    return s.get("Interface", name, "error").strip('"')


def dpdk_bridge(s):
    """Skips without DPDK; otherwise starts it (on ordinary memory) and
    adds the test's bridge with the userspace datapath."""
    require_dpdk(s)
    start_dpdk(s)
    s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
            "datapath_type=netdev")


def add_dpdk(s, name, devargs, *more, port_args=()):
    s.vsctl("add-port", s.br, name, *port_args, "--", "set", "Interface",
            name, "type=dpdk", 'options:dpdk-devargs="%s"' % devargs, *more)


def veth_host(s, name, addr):
    """A namespace host whose veth peer stays in the root namespace, not
    on any bridge: (namespace, root-side interface)."""
    ns = "pvs%s-%s" % (TAG, name)
    sw = "pv%s%s" % (TAG, name)
    sh(["ip", "netns", "add", ns])
    s.namespaces.append(ns)
    sh(["ip", "link", "add", sw, "type", "veth", "peer", "name", sw + "p"])
    s.links.append(sw)
    sh(["ip", "link", "set", sw + "p", "netns", ns, "name", "eth0"])
    s.nsexec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
    sh(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % sw],
       check=False)
    for argv in (["ethtool", "-K", sw, "tx", "off"],
                 ["ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx",
                  "off"]):
        sh(argv, check=False)
    sh(["ip", "link", "set", sw, "up"])
    s.nsexec(ns, "ip", "link", "set", "lo", "up")
    s.nsexec(ns, "ip", "link", "set", "eth0", "up")
    s.nsexec(ns, "ip", "addr", "add", addr, "dev", "eth0")
    return ns, sw


def stat(s, iface, key):
    text = s.get("Interface", iface, "statistics")
    m = re.search(r"\b%s=(\d+)" % key, text)
    return int(m.group(1)) if m else 0


@case
def af_packet_to_system():
    before = reserve_hugepages(128)
    try:
        with Switch() as s:
            require_dpdk(s)
            s.vsctl("set", "Open_vSwitch", ".",
                    "other_config:stats-update-interval=1000")
            start_dpdk(s, extra="--no-pci", **{"dpdk-socket-mem": "128"})
            version = s.get("Open_vSwitch", ".", "dpdk_version")
            assert version.strip('"').startswith("DPDK "), version
            assert "--in-memory" in s.log(), s.log()
            s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                    "datapath_type=netdev")
            nsa, _ = s.add_host("a", ["10.1.0.1/24"])
            nsb, swb = veth_host(s, "b", "10.1.0.2/24")
            add_dpdk(s, "dpdk0", "net_af_packet0,iface=%s" % swb)
            wait_until(lambda: s.get("Interface", "dpdk0", "ofport")
                       not in ("[]", "-1"), 20, "dpdk0 ofport")
            assert iface_error(s, "dpdk0") == "[]", iface_error(s, "dpdk0")
            status = s.get("Interface", "dpdk0", "status")
            assert "driver_name=net_af_packet" in status, status
            s.ping(nsa, "10.1.0.2", count=5)
            s.ping(nsb, "10.1.0.1", count=5)
            wait_until(lambda: s.get("Interface", "dpdk0", "link_state")
                       == "up", 10, "dpdk0 link up")
            wait_until(lambda: stat(s, "dpdk0", "rx_packets") >= 10
                       and stat(s, "dpdk0", "tx_packets") >= 10, 10,
                       "dpdk0 statistics from the ethdev")
            # More than net_af_packet can frame: refused, nothing lost.
            s.vsctl("set", "Interface", "dpdk0", "mtu_request=9000")
            wait_until(lambda: "dpdk0: MTU 9000 is outside" in s.log(), 10,
                       "MTU 9000 refused")
            assert s.get("Interface", "dpdk0", "mtu") == "1500"
            assert iface_error(s, "dpdk0") == "[]", iface_error(s, "dpdk0")
            s.ping(nsa, "10.1.0.2", count=2)
            # The PMD polls dpdk0's queue.
            rxqs = s.appctl("dpif-netdev/pmd-rxq-show")
            assert "dpdk0" in rxqs, rxqs
    finally:
        with open("/proc/sys/vm/nr_hugepages", "w") as f:
            f.write(str(before))


@case
def tap_to_system():
    with Switch() as s:
        dpdk_bridge(s)
        nsa, _ = s.add_host("a", ["10.2.0.1/24"])
        tap = "pvt%s" % TAG
        add_dpdk(s, "dpdk1", "net_tap0,iface=%s" % tap)
        wait_until(lambda: os.path.exists("/sys/class/net/" + tap), 10,
                   "tap device")
        assert iface_error(s, "dpdk1") == "[]", iface_error(s, "dpdk1")
        nsb = "pvs%s-tap" % TAG
        sh(["ip", "netns", "add", nsb])
        s.namespaces.append(nsb)
        sh(["ip", "link", "set", tap, "netns", nsb])
        s.nsexec(nsb, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        s.nsexec(nsb, "ip", "link", "set", tap, "up")
        s.nsexec(nsb, "ip", "addr", "add", "10.2.0.2/24", "dev", tap)
        s.ping(nsa, "10.2.0.2", count=5)
        s.ping(nsb, "10.2.0.1", count=5)
        s.vsctl("del-port", "dpdk1")


# -- pcap files (no scapy needed). --

def udp_frame(i, size=64):
    dst = bytes([0x02, 0, 0, 0, 0, 2])
    src = bytes([0x02, 0, 0, 0, 0, 1])
    payload_len = size - 14 - 20 - 8
    ip_len = 20 + 8 + payload_len
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, i & 0xffff, 0, 64,
                     17, 0, bytes([10, 3, 0, 1]),
                     bytes([10, 3, (i >> 8) & 0xff, i & 0xff]))
    csum = 0
    for j in range(0, 20, 2):
        csum += (ip[j] << 8) | ip[j + 1]
    while csum >> 16:
        csum = (csum & 0xffff) + (csum >> 16)
    ip = ip[:10] + struct.pack("!H", ~csum & 0xffff) + ip[12:]
    udp = struct.pack("!HHHH", 1000 + i % 100, 2000, 8 + payload_len, 0)
    payload = bytes((i + k) & 0xff for k in range(payload_len))
    return dst + src + b"\x08\x00" + ip + udp + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    frames = []
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def push_vlan(frame, vid):
    return frame[:12] + struct.pack("!HH", 0x8100, vid) + frame[12:]


def ofctl(s, *args):
    return sh([plxtest.build_path("utilities", "plx-ofctl"), "-O",
               "OpenFlow13"] + list(args), env=s.env).stdout


@case
def pcap_replay():
    with Switch() as s:
        dpdk_bridge(s)
        frames = [udp_frame(i, 64 + (i % 5) * 100) for i in range(300)]
        cases = [("in_port=1,actions=output:2", frames),
                 ("in_port=1,actions=mod_vlan_vid:100,output:2",
                  [push_vlan(f, 100) for f in frames])]
        for n, (flow, expected) in enumerate(cases):
            src = os.path.join(s.dir, "in%d.pcap" % n)
            dst = os.path.join(s.dir, "out%d.pcap" % n)
            write_pcap(src, frames)
            # The sink first, so that no packet arrives before a flow.
            add_dpdk(s, "pout", "net_pcap%d,tx_pcap=%s" % (2 * n + 1, dst),
                     "ofport_request=2")
            ofctl(s, "del-flows", s.br)
            ofctl(s, "add-flow", s.br, flow)
            add_dpdk(s, "pin", "net_pcap%d,rx_pcap=%s" % (2 * n, src),
                     "ofport_request=1")
            wait_until(lambda: s.get("Interface", "pout", "ofport") == "2"
                       and s.get("Interface", "pin", "ofport") == "1", 20,
                       "pcap ports")
            m = re.search(r"port 2: pout.*?TX packets:(\d+)",
                          s.appctl("dpctl/show", "-s"), re.S)
            wait_until(lambda: int(re.search(
                r"pout.*?TX packets:(\d+)", s.appctl("dpctl/show", "-s"),
                re.S).group(1)) >= len(frames), 20,
                "%d frames out of pout" % len(frames))
            # Closing the device flushes its capture file.
            s.vsctl("del-port", "pin", "--", "del-port", "pout")
            got = read_pcap(dst)
            assert len(got) == len(expected), (len(got), len(expected), m)
            for i, (g, e) in enumerate(zip(got, expected)):
                assert g == e, "frame %d differs with %s:\n%s\n%s" % (
                    i, flow, g.hex(), e.hex())


@case
def hot_add_remove():
    with Switch() as s:
        dpdk_bridge(s)
        nsa, _ = s.add_host("a", ["10.4.0.1/24"])
        nsb, _ = s.add_host("b", ["10.4.0.2/24"])
        s.ping(nsa, "10.4.0.2")
        ping = subprocess.Popen(
            ["ip", "netns", "exec", nsa, "ping", "-c", "300", "-i", "0.02",
             "-W", "1", "10.4.0.2"], stdout=subprocess.PIPE, text=True)
        s.procs.append(ping)
        # Two rx queues that receive nothing: capture files with no
        # frames.
        empty = os.path.join(s.dir, "empty.pcap")
        write_pcap(empty, [])
        for round_ in range(3):
            add_dpdk(s, "hot0", "net_pcap%d,rx_pcap=%s,rx_pcap=%s,"
                     "tx_pcap=/dev/null,tx_pcap=/dev/null"
                     % (10 + round_, empty, empty),
                     "options:n_rxq_desc=256", "options:n_txq_desc=256")
            # A ring sends back what it is sent: on a VLAN of its own, so
            # that nothing is flooded to it.
            add_dpdk(s, "hot1", "net_ring%d" % round_,
                     "options:n_rxq_desc=256", "options:n_txq_desc=256",
                     port_args=["tag=99"])
            for name in ("hot0", "hot1"):
                wait_until(lambda: s.get("Interface", name, "ofport")
                           not in ("[]", "-1"), 20, name)
                assert iface_error(s, name) == "[]", iface_error(s, name)
            # Changes that need the device restarted: more queues, an
            # MTU beyond the buffers (new mempool).
            s.vsctl("set", "Interface", "hot0", "options:n_rxq=2", "--",
                    "set", "Interface", "hot1", "mtu_request=9000")
            wait_until(lambda: s.get("Interface", "hot1", "mtu") == "9000",
                       20, "hot1 with MTU 9000")
            wait_until(lambda: s.appctl("dpif-netdev/pmd-rxq-show")
                       .count("hot0") == 2, 20, "hot0 with 2 rx queues")
            # One the buffers hold: set in place.
            s.vsctl("set", "Interface", "hot1", "mtu_request=1400")
            wait_until(lambda: s.get("Interface", "hot1", "mtu") == "1400",
                       20, "hot1 with MTU 1400")
            for name in ("hot0", "hot1"):
                assert iface_error(s, name) == "[]", iface_error(s, name)
            s.vsctl("del-port", "hot0", "--", "del-port", "hot1")
        out, _ = ping.communicate(timeout=60)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        seen = [int(x) for x in re.findall(r"icmp_seq=(\d+)", out)]
        missing = sorted(set(range(1, 301)) - set(seen))
        dups = re.findall(r".*DUP.*", out)
        assert m and m.group(1) == m.group(2) == "300" and not dups, (
            "lost %s, duplicated %s\n%s" % (missing, dups, s.log()))


@case
def bad_config():
    with Switch() as s:
        require_dpdk(s)
        s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                "datapath_type=netdev")
        nsa, _ = s.add_host("a", ["10.5.0.1/24"])
        nsb, _ = s.add_host("b", ["10.5.0.2/24"])
        # Before dpdk-init.
        add_dpdk(s, "d0", sink(0))
        wait_until(lambda: "DPDK is not initialized" in iface_error(s, "d0"),
                   10, "not-initialized error")
        start_dpdk(s)
        wait_until(lambda: iface_error(s, "d0") == "[]", 20,
                   "d0 up once DPDK is initialized")
        add_dpdk(s, "d1", "net_nosuchdriver0,foo=bar")
        add_dpdk(s, "d2", sink(0))
        s.vsctl("add-port", s.br, "d3", "--", "set", "Interface", "d3",
                "type=dpdk")
        add_dpdk(s, "d4", sink(4), "options:n_rxq=many")
        wait_until(lambda: iface_error(s, "d4") != "[]", 10, "d4 error")
        errors = {n: iface_error(s, n) for n in ("d1", "d2", "d3", "d4")}
        assert "could not attach DPDK device" in errors["d1"], errors
        assert "already in use by interface d0" in errors["d2"], errors
        assert "dpdk-devargs is required" in errors["d3"], errors
        assert "n_rxq" in errors["d4"], errors
        for n in ("d1", "d2", "d3", "d4"):
            assert s.get("Interface", n, "ofport") == "-1"
        s.ping(nsa, "10.5.0.2")
        # Freeing the device lets the other interface have it.
        s.vsctl("del-port", "d0")
        s.vsctl("set", "Interface", "d1", 'options:dpdk-devargs="%s"' % sink(9))
        wait_until(lambda: iface_error(s, "d1") == "[]"
                   and iface_error(s, "d2") == "[]", 20,
                   "d1 fixed, d2 has d0's device now")
        s.ping(nsb, "10.5.0.1")


@case
def missing_hugepages():
    with Switch() as s:
        require_dpdk(s)
        s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                "datapath_type=netdev")
        nsa, _ = s.add_host("a", ["10.6.0.1/24"])
        nsb, _ = s.add_host("b", ["10.6.0.2/24"])
        # More than any free hugepages: the EAL cannot have it.
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/"
                  "free_hugepages") as f:
            free_mb = int(f.read()) * 2
        start = time.time()
        s.vsctl("set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                "other_config:dpdk-socket-mem=%d" % (free_mb + 4096))
        add_dpdk(s, "d0", sink(0))
        wait_until(lambda: "hugepages" in iface_error(s, "d0")
                   or "DPDK initialization failed" in iface_error(s, "d0"),
                   30, "hugepage error on d0")
        assert time.time() - start < 30
        assert s.get("Open_vSwitch", ".", "dpdk_initialized") == "false"
        assert "DPDK" in s.log(), s.log()
        s.ping(nsa, "10.6.0.2")
        s.ping(nsb, "10.6.0.1")


@case
def unsupported_without_dpdk():
    with Switch() as s:
        if has_dpdk(s):
            raise Skip("this build has DPDK (plx-dev check runs this case "
                       "against its --with-dpdk=no build)")
        s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                "datapath_type=netdev")
        nsa, _ = s.add_host("a", ["10.7.0.1/24"])
        nsb, _ = s.add_host("b", ["10.7.0.2/24"])
        s.vsctl("set", "Open_vSwitch", ".", "other_config:dpdk-init=true")
        add_dpdk(s, "d0", sink(0))
        wait_until(lambda: iface_error(s, "d0") != "[]", 10, "d0 error")
        assert ("interface type dpdk is not supported"
                in iface_error(s, "d0")), iface_error(s, "d0")
        assert s.get("Interface", "d0", "ofport") == "-1"
        assert s.get("Open_vSwitch", ".", "dpdk_initialized") == "false"
        assert s.get("Open_vSwitch", ".", "dpdk_version") == "[]"
        wait_until(lambda: "built without DPDK" in s.log(), 10,
                   "dpdk-init refused in the log")
        s.ping(nsa, "10.7.0.2")
        s.ping(nsb, "10.7.0.1")


if __name__ == "__main__":
    plxtest.run()
