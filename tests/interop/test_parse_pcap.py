"""Flow extraction and match formatting against Open vSwitch.

Scapy (a packet library nobody here wrote) builds captures of many kinds
of packets, well-formed, unusual and damaged; Debian's `ovs-ofctl
parse-pcap` and Plexus's `plx-ofctl parse-pcap` must print the same flow
for every packet.  Where Plexus deliberately differs from Open vSwitch
(documented in lib/flow.h), the packet is not listed here."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

try:
    from scapy.all import (ARP, Dot1Q, Dot1AD, Ether, ICMP, IP, IPOption_RR,
                           IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                           IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, LLC,
                           ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                           ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, Raw,
                           SCTP, TCP, UDP, wrpcap)
    from scapy.contrib.mpls import MPLS
except ImportError:
    ARP = None

SRC, DST = "02:00:00:00:00:01", "02:00:00:00:00:02"


def eth(**kw):
    kw.setdefault("src", SRC)
    kw.setdefault("dst", DST)
    return Ether(**kw)


def packets():
    """(name, packet) pairs; each becomes one test case."""
    tcp = IP(src="10.0.0.1", dst="10.0.0.2", tos=0xb9, ttl=17) / TCP(
        sport=1234, dport=80, flags="SA")
    return [
        ("tcp4", eth() / tcp),
        ("tcp4_all_flags", eth() / IP() / TCP(flags="FSRPAUEC")),
        ("udp4", eth() / IP(src="1.2.3.4", dst="5.6.7.8") / UDP(sport=53, dport=5353)),
        ("sctp4", eth() / IP() / SCTP(sport=9, dport=10)),
        ("icmp4", eth() / IP() / ICMP(type=8, code=0)),
        ("ip4_options", eth() / IP(options=[IPOption_RR()]) / UDP(sport=1, dport=2)),
        ("ip4_first_fragment", eth() / IP(flags="MF", frag=0) / UDP(sport=1, dport=2) / Raw(b"x" * 40)),
        ("ip4_later_fragment", eth() / IP(flags="MF", frag=5, proto=17) / Raw(b"x" * 40)),
        ("ip4_other_proto", eth() / IP(proto=47) / Raw(b"gre?")),
        ("vlan_tcp4", eth() / Dot1Q(vlan=100, prio=5) / tcp),
        ("vlan0_priority_tagged", eth() / Dot1Q(vlan=0, prio=3) / IP() / UDP()),
        ("qinq", eth() / Dot1AD(vlan=10) / Dot1Q(vlan=20) / IP() / UDP()),
        ("mpls", eth(type=0x8847) / MPLS(label=1000, cos=3, s=1, ttl=9) / IP() / UDP()),
        ("mpls_stack", eth(type=0x8847) / MPLS(label=1, s=0) / MPLS(label=2, s=1) / IP()),
        ("arp_request", eth(dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.2", hwsrc=SRC)),
        ("arp_reply", eth() / ARP(op=2, psrc="10.0.0.2", pdst="10.0.0.1", hwsrc=DST, hwdst=SRC)),
        ("tcp6", eth() / IPv6(src="2001:db8::1", dst="2001:db8::2", fl=0x12345, tc=0x2c, hlim=3) / TCP(sport=5, dport=6, flags="S")),
        ("udp6", eth() / IPv6() / UDP(sport=7, dport=8)),
        ("sctp6", eth() / IPv6() / SCTP(sport=1, dport=2)),
        ("icmp6_echo", eth() / IPv6() / ICMPv6EchoRequest()),
        ("nd_solicit", eth() / IPv6(dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt="2001:db8::2") / ICMPv6NDOptSrcLLAddr(lladdr=SRC)),
        ("nd_advert", eth() / IPv6() / ICMPv6ND_NA(tgt="2001:db8::2") / ICMPv6NDOptDstLLAddr(lladdr=DST)),
        ("ip6_hop_by_hop", eth() / IPv6() / IPv6ExtHdrHopByHop() / UDP(sport=3, dport=4)),
        ("ip6_ext_chain", eth() / IPv6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / TCP(dport=22)),
        ("ip6_first_fragment", eth() / IPv6() / IPv6ExtHdrFragment(offset=0, m=1, nh=17) / UDP(sport=1, dport=2) / Raw(b"y" * 32)),
        ("ip6_later_fragment", eth() / IPv6() / IPv6ExtHdrFragment(offset=8, m=0, nh=17) / Raw(b"y" * 32)),
        ("llc_frame", Ether(src=SRC, dst=DST) / LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(b"stp?" * 10)),
        ("unknown_ethertype", eth(type=0x88b5) / Raw(b"local experimental")),
        ("truncated_tcp", Ether(bytes(eth() / IP() / TCP())[:40])),
        ("truncated_ip", Ether(bytes(eth() / IP() / UDP())[:24])),
        ("bad_ihl", Ether(bytes(eth() / IP(ihl=15) / UDP())[:50])),
    ]


def parse(tool, pcap):
    out = subprocess.run([tool, "parse-pcap", pcap], capture_output=True,
                         text=True, timeout=60)
    if out.returncode:
        raise AssertionError("%s failed: %s" % (tool, out.stderr.strip()))
    return out.stdout.splitlines()


def make_case(name, index, results):
    def check():
        ours, theirs = results()
        if ours[index] != theirs[index]:
            raise AssertionError("packet differs:\n  plexus: %s\n  ovs:    %s"
                                 % (ours[index], theirs[index]))
    check.__name__ = name
    return check


def main():
    if ARP is None:
        print("SKIP %s/all: python3-scapy not installed" % plxtest.SUITE)
        return
    cache = {}

    def results():
        if "r" not in cache:
            ovs = plxtest.require_program("ovs-ofctl")
            ours = plxtest.build_path("utilities", "plx-ofctl")
            with tempfile.TemporaryDirectory() as d:
                pcap = os.path.join(d, "packets.pcap")
                wrpcap(pcap, [p for _, p in packets()])
                cache["r"] = (parse(ours, pcap), parse(ovs, pcap))
            if len(cache["r"][0]) != len(cache["r"][1]):
                raise AssertionError("different packet counts")
        return cache["r"]

    for i, (name, _) in enumerate(packets()):
        case(make_case(name, i, results))
    plxtest.run()


main()
