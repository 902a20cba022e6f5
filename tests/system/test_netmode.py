"""The VM network modes (Documentation/network-modes.md) in a live
switch: an "outside" host behind the uplink, a guest on the bridge.

The outside host is a network namespace whose eth0 (192.0.2.1/24) is a
veth peer of the bridge's uplink port.  The guest is a namespace on
another port; in nat and routed modes it has no address until busybox's
udhcpc asks the switch's own DHCP responder.  Traffic is real (ping,
TCP and UDP sockets); what the outside host receives is captured with
tcpdump on its eth0.  Needs root and busybox."""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, sh, wait_until
from test_conntrack import Server, tcp_exchange, ofctl

OUT = "192.0.2.1"
UPLINK_ADDR = "192.0.2.10"
COOKIE = "0x504c58"

# udhcpc's hook: configures the lease it got (address, router).
UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "$router"
    echo "$ip" > "$LEASE_FILE"
    ;;
esac
exit 0
"""


def busybox():
    for path in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(path):
            return path
    raise Skip("busybox not installed")


def network(s, mode, subnet=None, extra=()):
    """Bridge s.br with the outside host on its uplink and one guest;
    the mode configured last.  Returns (outside ns, guest ns)."""
    s.vsctl("add-br", s.br)
    out, up = s.add_host("out", [OUT + "/24"])
    vm, _ = s.add_host("vm", [] if subnet else ["192.0.2.50/24"])
    args = ["other_config:network-mode=" + mode,
            "other_config:network-uplink=" + up]
    if subnet:
        args += ["other_config:network-subnet=" + subnet,
                 "other_config:network-uplink-address=%s/24" % UPLINK_ADDR]
    s.vsctl("set", "Bridge", s.br, *(args + list(extra)))
    return out, vm


def dhcp(s, vm):
    """Runs udhcpc in the guest; returns the address it was given."""
    d = tempfile.mkdtemp(prefix="plx-netmode-")
    script = os.path.join(d, "udhcpc.sh")
    lease = os.path.join(d, "lease")
    with open(script, "w") as f:
        f.write(UDHCPC_SCRIPT)
    os.chmod(script, 0o755)
    p = sh(["ip", "netns", "exec", vm, "env", "LEASE_FILE=" + lease,
            busybox(), "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "5",
            "-T", "1", "-s", script], check=False, timeout=60)
    try:
        with open(lease) as f:
            return f.read().strip()
    except OSError:
        raise AssertionError("no DHCP lease: %s%s\n%s"
                             % (p.stdout, p.stderr, s.log()))


class Capture:
    """tcpdump of what NS's eth0 receives (IPv4 only)."""

    def __init__(self, s, ns):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, plxtest.require_program("tcpdump"),
             "-n", "-l", "-i", "eth0", "-Q", "in", "ip"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        s.procs.append(self.proc)
        time.sleep(1)

    def stop(self):
        time.sleep(0.5)
        self.proc.terminate()
        return self.proc.communicate(timeout=10)[0]


def udp_exchange(s, ns, addr, port, timeout=3):
    script = ("import socket\n"
              "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
              "u.settimeout(%d)\n"
              "for i in range(3):\n"
              "  u.sendto(b'udp hello',(%r,%d))\n"
              "  try:\n"
              "    print(u.recv(100).decode());break\n"
              "  except socket.timeout:\n"
              "    pass\n" % (timeout, addr, port))
    return s.nsexec(ns, "/usr/bin/python3", "-c", script, check=False,
                    timeout=30).stdout.strip()


def tcp_retry(s, ns, addr, port, tries=3):
    """TCP echo, retried: the first packet to an unresolved next hop
    waits for ARP."""
    for _ in range(tries):
        got = tcp_exchange(s, ns, addr, port, timeout=3)
        if got:
            return got
    return None


def mode_flows(s):
    return [l for l in ofctl(s, "dump-flows", s.br).split("\n")
            if "cookie=" + COOKIE in l]


@case
def nat_mode():
    """A NAT guest gets an address by DHCP, reaches the outside host over
    TCP and UDP with its source translated to the uplink address (as the
    outside capture shows), gets the replies; unsolicited inbound is
    dropped; a port forward makes the guest's service reachable."""
    with Switch() as s:
        out, vm = network(s, "nat", "10.50.0.0/24", [
            "other_config:network-port-forwards=tcp:8080=10.50.0.2:80"])
        addr = dhcp(s, vm)
        if addr != "10.50.0.2":
            raise AssertionError("leased %s, expected the pool's first "
                                 "address 10.50.0.2" % addr)
        flows = mode_flows(s)
        tables = set(int(t) for l in flows
                     for t in re.findall(r"table=(\d+)", l))
        if not {0, 240, 241, 242, 243, 244} <= tables:
            raise AssertionError("mode flows:\n" + "\n".join(flows))

        Server(s, out, "tcp", 7000)
        Server(s, out, "udp", 7001)
        cap = Capture(s, out)
        got_tcp = tcp_retry(s, vm, OUT, 7000)
        got_udp = udp_exchange(s, vm, OUT, 7001)
        s.ping(vm, OUT, count=2)
        seen = cap.stop()
        if got_tcp != b"hello conntrack" or got_udp != "udp hello":
            raise AssertionError("guest to outside: tcp %r udp %r\n%s\n%s"
                                 % (got_tcp, got_udp,
                                    s.appctl("dpctl/dump-conntrack"),
                                    s.log()))
        srcs = set(re.findall(r"IP (\d+\.\d+\.\d+\.\d+)\.?\d* >", seen))
        if srcs != {UPLINK_ADDR}:
            raise AssertionError("outside saw sources %s (want only %s):\n"
                                 "%s" % (srcs, UPLINK_ADDR, seen))

        # Unsolicited: to the uplink address on a port with no forward,
        # and straight to the guest's address.
        Server(s, vm, "tcp", 80)
        Server(s, vm, "tcp", 7002)
        s.nsexec(out, "ip", "route", "add", "10.50.0.0/24", "via",
                 UPLINK_ADDR)
        if tcp_exchange(s, out, UPLINK_ADDR, 7002, timeout=2) is not None:
            raise AssertionError("unsolicited TCP reached the guest")
        if tcp_exchange(s, out, addr, 7002, timeout=2) is not None:
            raise AssertionError("TCP to the guest's own address passed")
        if s.ping(out, addr, count=1, check=False):
            raise AssertionError("ping to the guest's address passed")

        # The port forward.
        if tcp_retry(s, out, UPLINK_ADDR, 8080) != b"hello conntrack":
            raise AssertionError("port forward failed\n%s\n%s"
                                 % (s.appctl("dpctl/dump-conntrack"),
                                    s.log()))
        show = s.appctl("netmode/show", s.br)
        if "10.50.0.2" not in show:
            raise AssertionError("netmode/show:\n" + show)


@case
def ipv6_router_advertisement():
    """With network-ipv6-prefix, the guest's kernel configures a SLAAC
    address in the prefix and a default route to the gateway's
    link-local address from the switch's router advertisements."""
    with Switch() as s:
        out, vm = network(s, "nat", "10.52.0.0/24", [
            "other_config:network-ipv6-prefix=fd00:52::/64"])
        for key in ("disable_ipv6=0", "accept_ra=1", "autoconf=1"):
            s.nsexec(vm, "sysctl", "-qw", "net.ipv6.conf.eth0." + key)

        def slaac():
            text = s.nsexec(vm, "ip", "-6", "addr", "show", "dev", "eth0",
                            "scope", "global").stdout
            return "inet6 fd00:52::" in text
        wait_until(slaac, 20, "a SLAAC address in fd00:52::/64")
        route = s.nsexec(vm, "ip", "-6", "route", "show", "default").stdout
        if "via fe80::" not in route:
            raise AssertionError("no default route from the RA: %r" % route)


@case
def routed_mode():
    """A routed guest's own address is reached from outside and reaches
    outside, both ways, untranslated."""
    with Switch() as s:
        out, vm = network(s, "routed", "10.60.0.0/24")
        addr = dhcp(s, vm)
        s.nsexec(out, "ip", "route", "add", "10.60.0.0/24", "via",
                 UPLINK_ADDR)
        Server(s, out, "tcp", 7000)
        Server(s, vm, "tcp", 7000)
        cap = Capture(s, out)
        if tcp_retry(s, vm, OUT, 7000) != b"hello conntrack":
            raise AssertionError("guest to outside failed\n" + s.log())
        if tcp_retry(s, out, addr, 7000) != b"hello conntrack":
            raise AssertionError("outside to guest failed\n" + s.log())
        s.ping(out, addr, count=2)
        s.ping(vm, OUT, count=2)
        seen = cap.stop()
        srcs = set(re.findall(r"IP (\d+\.\d+\.\d+\.\d+)\.?\d* >", seen))
        if srcs != {addr}:
            raise AssertionError("outside saw sources %s (want only %s)"
                                 % (srcs, addr))


@case
def routed_mode_proxy_arp():
    """With no route on the outside host (the subnet is on-link for it),
    the switch's proxy ARP answers for the guest."""
    with Switch() as s:
        out, vm = network(s, "routed", "10.61.0.0/24")
        addr = dhcp(s, vm)
        s.nsexec(out, "ip", "route", "add", "10.61.0.0/24", "dev", "eth0")
        s.ping(out, addr, count=3)


@case
def bridged_mode():
    """A bridged guest and the outside host share one Ethernet segment:
    each sees the other's MAC address directly."""
    with Switch() as s:
        out, vm = network(s, "bridged")
        flows = mode_flows(s)
        if len(flows) != 1 or "NORMAL" not in flows[0]:
            raise AssertionError("bridged flows:\n" + "\n".join(flows))
        s.ping(vm, OUT, count=2)
        s.ping(out, "192.0.2.50", count=2)
        neigh = s.nsexec(vm, "ip", "neigh", "show", OUT).stdout
        if s.mac(out) not in neigh:
            raise AssertionError("guest's neighbor entry %r lacks the "
                                 "outside MAC %s" % (neigh, s.mac(out)))


if __name__ == "__main__":
    plxtest.run()
