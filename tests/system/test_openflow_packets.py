"""OpenFlow on plx-vswitchd, checked with real packets.

One bridge with four namespace hosts (h1..h4) and its LOCAL port, shared
by every case (openflow_packets_lib.Lab); each case replaces the flows,
groups and meters through Debian's ovs-ofctl on BRIDGE.mgmt, sends
frames built with scapy from a host, and compares the exact bytes that
come out of every port, so that a wrong field, a stale checksum (scapy
computes them afresh for the expected frame) or a leak to another port
fails the case.  Outputs, the multi-table pipeline and its action set,
set_field on every commonly used field, VLAN and MPLS tags, TTLs, groups,
meters, matches with masks and prerequisites, counters and timeouts.

Flows name ports as {h1}..{h4}: their OpenFlow numbers are filled in.
A case that kills plx-vswitchd fails, and the next one gets a new bench.
Needs root, ovs-ofctl and python3-scapy; run with /usr/bin/python3."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openflow_packets_lib as lib  # noqa: E402
from openflow_packets_lib import plxtest, Skip, sh  # noqa: E402

try:
    from scapy.all import (ARP, Dot1Q, Ether, ICMP, ICMPv6EchoReply,
                           ICMPv6EchoRequest, ICMPv6ND_NS,
                           ICMPv6NDOptSrcLLAddr, IP, IPv6, Raw, SCTP,
                           SCTPChunkData, TCP, UDP, conf)
    from scapy.contrib.mpls import MPLS
    conf.verb = 0
except ImportError:
    Ether = None

LAB = None
SETUP_ERROR = None
A = "02:0a:00:00:00:01"          # Source MAC of the frames h1 sends.
B = "02:0b:00:00:00:02"          # Their destination.
BCAST = "ff:ff:ff:ff:ff:ff"


def bench():
    """The shared Lab, cleared of flows, groups and meters."""
    global LAB, SETUP_ERROR
    if Ether is None:
        raise Skip("python3-scapy not installed")
    if SETUP_ERROR is not None:
        # The bench could not be built: every case says so at once
        # instead of trying again.
        raise SETUP_ERROR
    if LAB is not None and not LAB.alive():
        LAB.close()
        LAB = None
    if LAB is None:
        try:
            LAB = lib.Lab()
        except Skip as e:
            SETUP_ERROR = e
            raise
        except Exception as e:
            SETUP_ERROR = AssertionError("bench setup failed: %s" % e)
            raise
    LAB.reset()
    return LAB


def check(function):
    """A case on the shared bench: fails, too, if plx-vswitchd died."""
    def run():
        lab = bench()
        try:
            function(lab)
        finally:
            if not lab.alive():
                raise AssertionError("plx-vswitchd died: %s"
                                     % lab.sw.log()[-1500:])
    run.__name__ = function.__name__
    run.__doc__ = function.__doc__
    return plxtest.case(run)


def flows(lab, *lines, version="OpenFlow13"):
    lab.flows(*[l.format(**lab.port) for l in lines], version=version)


def payload(tag=""):
    return Raw(("plexus openflow packet test %s" % tag).encode()
               .ljust(32, b"."))


def udp4(src=A, dst=B, ip_src="10.0.0.1", ip_dst="10.0.0.2", sport=1000,
         dport=2000, tos=0, ttl=64, tag="", vlan=None, prio=0, flags=0,
         frag=0):
    p = Ether(src=src, dst=dst)
    if vlan is not None:
        p = p / Dot1Q(vlan=vlan, prio=prio)
    return (p / IP(src=ip_src, dst=ip_dst, tos=tos, ttl=ttl, id=7,
                   flags=flags, frag=frag)
            / UDP(sport=sport, dport=dport) / payload(tag))


def tcp4(sport=1000, dport=2000, flags="S", ip_src="10.0.0.1",
         ip_dst="10.0.0.2", tag=""):
    return (Ether(src=A, dst=B)
            / IP(src=ip_src, dst=ip_dst, id=7)
            / TCP(sport=sport, dport=dport, flags=flags, seq=1000,
                  window=8192) / payload(tag))


def udp6(src="2001:db8::1", dst="2001:db8::2", fl=0, hlim=64, sport=1000,
         dport=2000, tag=""):
    return (Ether(src=A, dst=B)
            / IPv6(src=src, dst=dst, fl=fl, hlim=hlim)
            / UDP(sport=sport, dport=dport) / payload(tag))


def arp(op=1, hwsrc=A, psrc="10.0.0.1", hwdst="00:00:00:00:00:00",
        pdst="10.0.0.2", dst=BCAST):
    return (Ether(src=A, dst=dst)
            / ARP(op=op, hwsrc=hwsrc, psrc=psrc, hwdst=hwdst, pdst=pdst)
            / Raw(b"\0" * 18))


def icmp4(kind=8, code=0, tag=""):
    return (Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2", id=7)
            / ICMP(type=kind, code=code, id=5, seq=1) / payload(tag))


def ns6(target="fe80::2", lladdr=A):
    return (Ether(src=A, dst="33:33:ff:00:00:02")
            / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255)
            / ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=lladdr))


def mpls(label=100, cos=0, ttl=20, inner=None):
    inner = inner if inner is not None else udp4()
    return (Ether(src=A, dst=B, type=0x8847)
            / MPLS(label=label, cos=cos, s=1, ttl=ttl) / inner[IP])


def wait_for(predicate, timeout, what, interval=0.1):
    return lib.wait_until(predicate, timeout, what, interval)


# -- Outputs. --

@check
def output_port(lab):
    """output:PORT delivers the frame unchanged to that port only."""
    flows(lab, "in_port={h1},actions=output:{h3}")
    f = udp4()
    lab.expect("h1", [f], {"h3": [f]})


@check
def output_in_port(lab):
    """output:IN_PORT sends the frame back where it came from; a plain
    output to the input port is dropped."""
    f = udp4()
    flows(lab, "in_port={h1},actions=output:IN_PORT")
    lab.expect("h1", [f], {"h1": [f]})
    flows(lab, "in_port={h1},actions=output:{h1}")
    lab.expect("h1", [f], {})


@check
def output_flood_all(lab):
    """FLOOD and ALL reach every port but the input one, LOCAL included;
    a no-flood port is skipped by FLOOD only."""
    f = udp4()
    everyone = {"h2": [f], "h3": [f], "h4": [f], "LOCAL": [f]}
    flows(lab, "in_port={h1},actions=FLOOD")
    lab.expect("h1", [f], everyone)
    flows(lab, "in_port={h1},actions=ALL")
    lab.expect("h1", [f], everyone)
    lab.ofctl("mod-port", str(lab.port["h4"]), "no-flood",
              version="OpenFlow10")
    try:
        flows(lab, "in_port={h1},actions=FLOOD")
        lab.expect("h1", [f], {"h2": [f], "h3": [f], "LOCAL": [f]})
        flows(lab, "in_port={h1},actions=ALL")
        lab.expect("h1", [f], everyone)
    finally:
        lab.ofctl("mod-port", str(lab.port["h4"]), "flood",
                  version="OpenFlow10")


def port_stats(lab, port):
    """{rx_pkts, tx_pkts, rx_bytes, tx_bytes} of PORT from dump-ports."""
    text = lab.ofctl("dump-ports", str(port))
    rx = re.search(r"rx pkts=(\d+), bytes=(\d+)", text)
    tx = re.search(r"tx pkts=(\d+), bytes=(\d+)", text)
    if not rx or not tx:
        raise AssertionError("dump-ports %s: %s" % (port, text))
    return {"rx_pkts": int(rx.group(1)), "rx_bytes": int(rx.group(2)),
            "tx_pkts": int(tx.group(1)), "tx_bytes": int(tx.group(2))}


@check
def output_local(lab):
    """output:LOCAL reaches the bridge's internal port, and dump-ports
    LOCAL counts it."""
    f = udp4()
    flows(lab, "in_port={h1},actions=output:LOCAL")
    before = port_stats(lab, "LOCAL")
    lab.expect("h1", [f, f], {"LOCAL": [f, f]})
    wait_for(lambda: port_stats(lab, "LOCAL")["tx_pkts"]
             >= before["tx_pkts"] + 2, 3, "LOCAL tx_pkts +2")
    after = port_stats(lab, "LOCAL")
    if after["tx_pkts"] != before["tx_pkts"] + 2 \
            or after["tx_bytes"] != before["tx_bytes"] + 2 * len(f):
        raise AssertionError("LOCAL counters %s -> %s" % (before, after))


@check
def output_normal(lab):
    """NORMAL floods an unknown destination and, once the source is
    learnt, forwards to its port only."""
    c, d = "02:0c:00:00:00:33", "02:0d:00:00:00:44"
    flows(lab, "actions=NORMAL")
    hello = udp4(src=d, dst=BCAST, tag="hello")
    lab.expect("h2", [hello], {"h1": [hello], "h3": [hello],
                               "h4": [hello], "LOCAL": [hello]})
    f = udp4(src=c, dst=d)
    lab.expect("h1", [f], {"h2": [f]})
    back = udp4(src=d, dst=c, tag="back")
    lab.expect("h2", [back], {"h1": [back]})


@check
def output_controller(lab):
    """output:CONTROLLER sends a PACKET_IN with the frame to a monitor
    and nothing to any port; CONTROLLER:40 truncates the data."""
    m = lab.monitor()
    try:
        f = udp4()
        flows(lab, "in_port={h1},actions=CONTROLLER:65535")
        lab.expect("h1", [f], {})
        pins = wait_for(lambda: m.messages("OFPT_PACKET_IN"), 3,
                        "PACKET_IN")
        first, text, data = pins[0]
        if data != bytes(f):
            raise AssertionError("PACKET_IN data %s, want %s"
                                 % (data.hex(), bytes(f).hex()))
        if "in_port=%d" % lab.port["h1"] not in first \
                or "(via action)" not in first:
            raise AssertionError("PACKET_IN: %s" % first)
        flows(lab, "in_port={h1},actions=CONTROLLER:40")
        lab.expect("h1", [f], {})
        pins = wait_for(lambda: m.messages("OFPT_PACKET_IN")[1:], 3,
                        "second PACKET_IN")
        first, text, data = pins[0]
        if data != bytes(f)[:40] or "total_len=%d" % len(f) not in first:
            raise AssertionError("PACKET_IN for CONTROLLER:40: %s, data %s"
                                 % (first, data.hex()))
        if len(m.messages("OFPT_PACKET_IN")) != 2:
            raise AssertionError("extra PACKET_INs: %s" % m.text())
    finally:
        m.close()


@check
def controller_table_miss(lab):
    """A table-miss flow's CONTROLLER action gives a PACKET_IN with
    reason no_match and the table it was in."""
    m = lab.monitor()
    try:
        flows(lab, "table=0,in_port={h1},actions=goto_table:1",
              "table=1,priority=0,actions=CONTROLLER:65535")
        f = udp4()
        lab.expect("h1", [f], {})
        pins = wait_for(lambda: m.messages("OFPT_PACKET_IN"), 3,
                        "PACKET_IN")
        first, _, data = pins[0]
        if data != bytes(f) or "table_id=1" not in first \
                or "(via no_match)" not in first:
            raise AssertionError("PACKET_IN: %s, data %s"
                                 % (first, data.hex()))
    finally:
        m.close()


# -- The multi-table pipeline. --

def table_stats(lab):
    """{table: (lookup, matched)} from dump-tables."""
    text = lab.ofctl("dump-tables")
    out = {}
    last = None
    for m in re.finditer(r"tables? (\d+)(?:\.\.\.(\d+))?:\s*\n?\s*"
                         r"(?:active=\d+, lookup=(\d+), matched=(\d+)|"
                         r"ditto)", text):
        if m.group(3) is not None:
            last = (int(m.group(3)), int(m.group(4)))
        first = int(m.group(1))
        for t in range(first, int(m.group(2) or first) + 1):
            out[t] = last
    return out


@check
def goto_table_chain(lab):
    """goto_table 0 -> 1 -> 3 skips table 2; dump-tables counts lookups
    and matches in the tables the packet visited."""
    flows(lab, "table=0,in_port={h1},actions=goto_table:1",
          "table=1,actions=goto_table:3",
          "table=2,actions=output:{h4}",
          "table=3,actions=output:{h2}")
    before = table_stats(lab)
    f = udp4()
    lab.expect("h1", [f, f, f], {"h2": [f, f, f]})
    want = {t: (before[t][0] + (3 if t in (0, 1, 3) else 0),
                before[t][1] + (3 if t in (0, 1, 3) else 0))
            for t in (0, 1, 2, 3)}
    try:
        wait_for(lambda: {t: v for t, v in table_stats(lab).items()
                          if t in want} == want, 3, "table stats")
    except AssertionError:
        raise AssertionError("dump-tables %s, want %s"
                             % ({t: table_stats(lab).get(t) for t in want},
                                want))


@check
def metadata(lab):
    """write_metadata in table 0 is matched (with a mask) in table 1."""
    flows(lab,
          "table=0,in_port={h1},actions=write_metadata:0xa5/0xff,"
          "goto_table:1",
          "table=0,in_port={h2},actions=write_metadata:0x1b5/0xfff,"
          "goto_table:1",
          "table=1,priority=20,metadata=0x1b5/0xfff,actions=output:{h3}",
          "table=1,priority=10,metadata=0xa5/0xff,actions=output:{h4}",
          "table=1,priority=5,actions=output:LOCAL")
    f = udp4()
    lab.expect("h1", [f], {"h4": [f]})
    lab.expect("h2", [f], {"h3": [f]})


@check
def table_miss_drop(lab):
    """A miss in a later table (no table-miss flow) drops the packet,
    its action set too; a miss in table 0 also drops it."""
    flows(lab, "table=0,in_port={h1},actions=write_actions(output:{h2}),"
          "goto_table:1", "table=1,in_port={h3},actions=output:{h4}")
    f = udp4()
    lab.expect("h1", [f], {})
    lab.expect("h2", [f], {})


@check
def action_set_order(lab):
    """The action set runs in the spec's order, not the written one:
    set_field before output; a later write_actions replaces an action of
    the same type; apply_actions run at once, before the set."""
    flows(lab,
          "table=0,in_port={h1},actions=write_actions(output:{h3},"
          "set_field:02:ee:00:00:00:01->eth_dst),goto_table:1",
          "table=1,ip,actions=write_actions(output:{h2},"
          "set_field:10.9.9.9->ip_dst),goto_table:2",
          "table=2,actions=output:{h4}")
    f = udp4()
    out = udp4(dst="02:ee:00:00:00:01", ip_dst="10.9.9.9")
    lab.expect("h1", [f], {"h4": [f], "h2": [out]})


@check
def action_set_push_vlan(lab):
    """push_vlan in the action set comes before its set_field and
    output."""
    flows(lab,
          "table=0,in_port={h1},actions=write_actions(output:{h2},"
          "push_vlan:0x8100,set_field:4106->vlan_vid,"
          "set_field:5->vlan_pcp),goto_table:1",
          "table=1,actions=write_actions(set_field:02:ee:00:00:00:01->"
          "eth_src)")
    lab.expect("h1", [udp4()], {"h2": [udp4(src="02:ee:00:00:00:01",
                                            vlan=10, prio=5)]})


@check
def action_set_dec_ttl_group(lab):
    """dec_ttl in the action set applies before its output, and before
    a set_nw_ttl (a set action) of a later table; group and output in
    one set: the group runs and the output is ignored."""
    lab.ofctl("add-group", "group_id=7,type=indirect,bucket=output:%d"
              % lab.port["h4"])
    flows(lab, "table=0,in_port={h1},ip,actions=write_actions(output:{h2},"
          "dec_ttl),goto_table:1",
          "table=1,ip,actions=write_actions(set_nw_ttl:9)",
          "table=0,in_port={h2},actions=write_actions(output:{h3},"
          "group:7)",
          "table=0,in_port={h3},ip,actions=write_actions(output:{h2},"
          "dec_ttl)")
    f = udp4(ttl=30)
    lab.expect("h1", [f], {"h2": [udp4(ttl=9)]})
    lab.expect("h2", [f], {"h4": [f]})
    lab.expect("h3", [f], {"h2": [udp4(ttl=29)]})


@check
def clear_actions(lab):
    """clear_actions empties the action set written by earlier tables."""
    flows(lab,
          "table=0,in_port={h1},actions=write_actions(output:{h2}),"
          "goto_table:1",
          "table=1,actions=clear_actions,goto_table:2",
          "table=2,actions=write_actions(output:{h3})",
          "table=0,in_port={h2},actions=write_actions(output:{h4}),"
          "goto_table:3",
          "table=3,actions=clear_actions")
    f = udp4()
    lab.expect("h1", [f], {"h3": [f]})
    lab.expect("h2", [f], {})


# -- set_field and other header rewrites, one case each. --

def rewrite(name, flow, frame, out, version="OpenFlow13", src="h1"):
    """A case: FLOW sends FRAME from SRC to h2 as OUT (None: dropped)."""
    def run(lab):
        flows(lab, flow, version=version)
        lab.expect(src, [frame()], {"h2": [out()]} if out else {})
    run.__name__ = name
    run.__doc__ = "%s turns %s into %s" % (
        flow, frame().summary(), out().summary() if out else "nothing")
    return check(run)


def define_rewrites():
    if Ether is None:
        return
    r = rewrite
    r("set_eth", "in_port={h1},actions=set_field:02:aa:00:00:00:01->"
      "eth_src,set_field:02:bb:00:00:00:02->eth_dst,output:{h2}",
      udp4, lambda: udp4(src="02:aa:00:00:00:01", dst="02:bb:00:00:00:02"))
    r("set_vlan_vid", "dl_vlan=10,actions=set_field:4116->vlan_vid,"
      "output:{h2}", lambda: udp4(vlan=10, prio=3),
      lambda: udp4(vlan=20, prio=3))
    r("set_vlan_pcp", "dl_vlan=10,actions=set_field:5->vlan_pcp,"
      "output:{h2}", lambda: udp4(vlan=10, prio=3),
      lambda: udp4(vlan=10, prio=5))
    r("set_ipv4_addrs", "udp,actions=set_field:192.168.1.1->ip_src,"
      "set_field:192.168.2.2->ip_dst,output:{h2}", udp4,
      lambda: udp4(ip_src="192.168.1.1", ip_dst="192.168.2.2"))
    r("set_ipv4_addrs_tcp", "tcp,actions=set_field:192.168.1.1->ip_src,"
      "set_field:192.168.2.2->ip_dst,output:{h2}", tcp4,
      lambda: tcp4(ip_src="192.168.1.1", ip_dst="192.168.2.2"))
    r("set_ip_dscp", "ip,actions=set_field:46->ip_dscp,output:{h2}",
      lambda: udp4(tos=(10 << 2) | 1), lambda: udp4(tos=(46 << 2) | 1))
    r("set_ip_ecn", "ip,actions=set_field:3->ip_ecn,output:{h2}",
      lambda: udp4(tos=10 << 2), lambda: udp4(tos=(10 << 2) | 3))
    r("set_nw_ttl", "ip,actions=set_nw_ttl:7,output:{h2}", udp4,
      lambda: udp4(ttl=7))
    r("set_tcp_ports", "tcp,actions=set_field:1111->tcp_src,"
      "set_field:2222->tcp_dst,output:{h2}", tcp4,
      lambda: tcp4(sport=1111, dport=2222))
    r("set_udp_ports", "udp,actions=set_field:3333->udp_src,"
      "set_field:4444->udp_dst,output:{h2}", udp4,
      lambda: udp4(sport=3333, dport=4444))

    def sctp(sport=1000, dport=2000):
        return (Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2",
                                         id=7)
                / SCTP(sport=sport, dport=dport, tag=0x1234)
                / SCTPChunkData(tsn=1, data=b"plexus sctp payload"))
    r("set_sctp_ports", "sctp,actions=set_field:5555->sctp_src,"
      "set_field:6666->sctp_dst,output:{h2}", sctp,
      lambda: sctp(5555, 6666))
    r("set_icmp_type_code", "icmp,icmp_type=8,actions=set_field:0->"
      "icmp_type,set_field:5->icmp_code,output:{h2}", icmp4,
      lambda: icmp4(0, 5))
    r("set_arp_fields", "arp,actions=set_field:2->arp_op,"
      "set_field:10.1.1.1->arp_spa,set_field:10.2.2.2->arp_tpa,"
      "set_field:02:aa:00:00:00:01->arp_sha,"
      "set_field:02:bb:00:00:00:02->arp_tha,output:{h2}", arp,
      lambda: arp(op=2, hwsrc="02:aa:00:00:00:01", psrc="10.1.1.1",
                  hwdst="02:bb:00:00:00:02", pdst="10.2.2.2"))
    r("set_ipv6_fields", "ipv6,actions=set_field:2001:db8:1::1->ipv6_src,"
      "set_field:2001:db8:2::2->ipv6_dst,set_field:0x12345->ipv6_label,"
      "output:{h2}", udp6,
      lambda: udp6(src="2001:db8:1::1", dst="2001:db8:2::2", fl=0x12345))

    def echo6(reply=False, code=0):
        kind = ICMPv6EchoReply if reply else ICMPv6EchoRequest
        return (Ether(src=A, dst=B) / IPv6(src="2001:db8::1",
                                           dst="2001:db8::2")
                / kind(code=code, id=9, seq=2, data=b"plexus icmpv6 echo"))
    r("set_icmpv6_type_code", "icmp6,icmp_type=128,actions=set_field:129->"
      "icmpv6_type,set_field:3->icmpv6_code,output:{h2}", echo6,
      lambda: echo6(True, 3))
    r("set_nd_target", "icmp6,icmp_type=135,actions=set_field:fe80::99->"
      "nd_target,output:{h2}", ns6, lambda: ns6(target="fe80::99"))
    r("set_nd_sll", "icmp6,icmp_type=135,actions=set_field:"
      "02:cc:00:00:00:09->nd_sll,output:{h2}", ns6,
      lambda: ns6(lladdr="02:cc:00:00:00:09"))
    r("push_mpls_set_fields", "ip,actions=push_mpls:0x8847,"
      "set_field:1000->mpls_label,set_field:5->mpls_tc,set_mpls_ttl:9,"
      "output:{h2}", udp4, lambda: mpls(label=1000, cos=5, ttl=9))
    r("push_mpls_set_field_ttl", "ip,actions=push_mpls:0x8847,"
      "set_field:9->mpls_ttl,output:{h2}", udp4,
      lambda: mpls(label=0, ttl=9))

    # VLAN and MPLS tags, TTLs.
    r("push_vlan", "in_port={h1},actions=push_vlan:0x8100,"
      "set_field:4106->vlan_vid,output:{h2}", udp4,
      lambda: udp4(vlan=10))

    def qinq():
        return (Ether(src=A, dst=B, type=0x88a8) / Dot1Q(vlan=100, prio=3,
                                                         type=0x8100)
                / udp4(vlan=10, prio=3)[Dot1Q])
    r("push_vlan_qinq", "dl_vlan=10,actions=push_vlan:0x88a8,"
      "set_field:4196->vlan_vid,output:{h2}",
      lambda: udp4(vlan=10, prio=3), qinq)
    r("pop_vlan", "dl_vlan=10,actions=pop_vlan,output:{h2}",
      lambda: udp4(vlan=10, prio=3), udp4)
    r("strip_vlan_of10", "dl_vlan=10,actions=strip_vlan,output:{h2}",
      lambda: udp4(vlan=10, prio=3), udp4, version="OpenFlow10")
    r("mod_vlan_vid_of10_untagged", "in_port={h1},actions=mod_vlan_vid:15,"
      "output:{h2}", udp4, lambda: udp4(vlan=15), version="OpenFlow10")
    r("mod_vlan_pcp_of10_untagged", "in_port={h1},actions=mod_vlan_pcp:5,"
      "output:{h2}", udp4, lambda: udp4(vlan=0, prio=5),
      version="OpenFlow10")
    r("mod_vlan_vid_of10_tagged", "dl_vlan=10,actions=mod_vlan_vid:15,"
      "output:{h2}", lambda: udp4(vlan=10, prio=3),
      lambda: udp4(vlan=15, prio=3), version="OpenFlow10")
    r("push_mpls", "ip,actions=push_mpls:0x8847,output:{h2}",
      lambda: udp4(ttl=33), lambda: mpls(label=0, ttl=33,
                                         inner=udp4(ttl=33)))
    r("pop_mpls", "mpls,actions=pop_mpls:0x0800,output:{h2}",
      mpls, udp4)
    r("dec_ttl", "ip,actions=dec_ttl,output:{h2}", udp4,
      lambda: udp4(ttl=63))
    r("dec_ttl_ipv6", "ipv6,actions=dec_ttl,output:{h2}", udp6,
      lambda: udp6(hlim=63))
    r("dec_ttl_expired", "ip,actions=dec_ttl,output:{h2}",
      lambda: udp4(ttl=1), None)
    r("set_mpls_ttl", "mpls,actions=set_mpls_ttl:3,output:{h2}",
      mpls, lambda: mpls(ttl=3))
    r("dec_mpls_ttl", "mpls,actions=dec_mpls_ttl,output:{h2}",
      mpls, lambda: mpls(ttl=19))
    r("dec_mpls_ttl_expired", "mpls,actions=dec_mpls_ttl,output:{h2}",
      lambda: mpls(ttl=1), None)


define_rewrites()


@check
def copy_ttl_out_in(lab):
    """copy_ttl_out copies the IP TTL into a pushed MPLS label;
    copy_ttl_in copies the label's TTL into the IP header (then pop)."""
    c = lib.OFClient(lab)
    try:
        h1, h3 = lab.port["h1"], lab.port["h3"]
        c.flow_mod(lib.ofp_match(lib.oxm(0, h1.to_bytes(4, "big")),
                                 lib.oxm(5, b"\x08\x00")),
                   lib.apply_actions(lib.act_push_mpls(),
                                     lib.act_set_mpls_ttl(9),
                                     lib.act_simple(11),
                                     lib.act_output(lab.port["h2"])))
        c.flow_mod(lib.ofp_match(lib.oxm(0, h3.to_bytes(4, "big")),
                                 lib.oxm(5, b"\x88\x47")),
                   lib.apply_actions(lib.act_simple(12),
                                     lib.act_pop_mpls(),
                                     lib.act_output(lab.port["h2"])))
        errors = c.barrier()
        if errors:
            raise AssertionError("FLOW_MODs with copy_ttl_out/in: errors "
                                 "%s" % errors)
    finally:
        c.close()
    lab.expect("h1", [udp4(ttl=40)],
               {"h2": [mpls(label=0, ttl=40, inner=udp4(ttl=40))]})
    lab.expect("h3", [mpls(ttl=7)], {"h2": [udp4(ttl=7)]})


# -- Groups. --

@check
def group_all(lab):
    """An all group copies the frame to each bucket, each with its own
    set_field."""
    lab.ofctl("add-group", "group_id=1,type=all,"
              "bucket=set_field:02:00:00:00:0a:02->eth_dst,output:%d,"
              "bucket=set_field:02:00:00:00:0a:03->eth_dst,output:%d"
              % (lab.port["h2"], lab.port["h3"]))
    flows(lab, "in_port={h1},actions=group:1")
    f = udp4()
    lab.expect("h1", [f], {"h2": [udp4(dst="02:00:00:00:0a:02")],
                           "h3": [udp4(dst="02:00:00:00:0a:03")]})


@check
def group_indirect(lab):
    """An indirect group runs its one bucket."""
    lab.ofctl("add-group", "group_id=3,type=indirect,bucket="
              "set_field:02:00:00:00:0b:01->eth_src,output:%d"
              % lab.port["h4"])
    flows(lab, "in_port={h1},actions=group:3")
    lab.expect("h1", [udp4()], {"h4": [udp4(src="02:00:00:00:0b:01")]})


@check
def group_select(lab):
    """A select group sends each flow to exactly one bucket, always the
    same one for the same 5-tuple, and spreads flows over buckets."""
    lab.ofctl("add-group", "group_id=2,type=select,bucket=output:%d,"
              "bucket=output:%d,bucket=output:%d"
              % (lab.port["h2"], lab.port["h3"], lab.port["h4"]))
    flows(lab, "in_port={h1},actions=group:2")
    frames = [udp4(sport=10000 + 17 * i, dport=53 + i, tag=str(i))
              for i in range(24)]
    where = []
    for rnd in range(2):
        got = lab.exchange("h1", frames)
        placed = {}
        for name, fs in got.items():
            for f in fs:
                if f not in [bytes(x) for x in frames]:
                    raise AssertionError("%s got a foreign frame %s"
                                         % (name, lib.describe(f)))
                i = [bytes(x) for x in frames].index(f)
                if i in placed:
                    raise AssertionError("frame %d out of %s and %s"
                                         % (i, placed[i], name))
                placed[i] = name
        if sorted(placed) != list(range(len(frames))):
            raise AssertionError("frames lost: %s" % sorted(
                set(range(len(frames))) - set(placed)))
        if set(placed.values()) - {"h2", "h3", "h4"}:
            raise AssertionError("frames outside the buckets: %s" % placed)
        where.append(placed)
    if where[0] != where[1]:
        raise AssertionError("same flows, other buckets: %s vs %s"
                             % where)
    if len(set(where[0].values())) < 2:
        raise AssertionError("24 flows all in one bucket: %s" % where[0])


@check
def group_fast_failover(lab):
    """A fast-failover group uses the first bucket whose watched port is
    live; taking that port's link down moves traffic to the next."""
    lab.ofctl("add-group", "group_id=4,type=ff,"
              "bucket=watch_port:%d,output:%d,bucket=watch_port:%d,"
              "output:%d" % (lab.port["h2"], lab.port["h2"],
                             lab.port["h3"], lab.port["h3"]))
    flows(lab, "in_port={h1},actions=group:4")
    f = udp4()
    lab.expect("h1", [f], {"h2": [f]})
    sw2 = lab.iface["h2"]
    sh(["ip", "link", "set", sw2, "down"])
    try:
        try:
            wait_for(lambda: lab.exchange("h1", [f], 0.2).get("h3") == [
                bytes(f)], 5, "failover", 0)
        except AssertionError:
            raise AssertionError(
                "no failover to h3 within 5 s of %s going down:\n%s\n"
                "datapath flows:\n%s" % (sw2, lab.ofctl("dump-ports-desc"),
                                         lab.datapath_flows()))
        lab.expect("h1", [f], {"h3": [f]})
    finally:
        sh(["ip", "link", "set", sw2, "up"])
    wait_for(lambda: lab.exchange("h1", [f], 0.2).get("h2") == [bytes(f)],
             5, "back to h2 after %s came up" % sw2, 0)
    lab.expect("h1", [f], {"h2": [f]})


@check
def group_stats(lab):
    """dump-group-stats counts the group's and each bucket's packets and
    bytes."""
    lab.ofctl("add-group", "group_id=5,type=all,bucket=output:%d,"
              "bucket=output:%d" % (lab.port["h2"], lab.port["h3"]))
    flows(lab, "in_port={h1},actions=group:5")
    f = udp4()
    lab.expect("h1", [f] * 3, {"h2": [f] * 3, "h3": [f] * 3})
    n = len(f)
    want = ("packet_count=3,byte_count=%d,bucket0:packet_count=3,"
            "byte_count=%d,bucket1:packet_count=3,byte_count=%d"
            % (3 * n, 3 * n, 3 * n))
    try:
        wait_for(lambda: want in lab.ofctl("dump-group-stats"), 3,
                 "group stats")
    except AssertionError:
        raise AssertionError("dump-group-stats: %s, want %s"
                             % (lab.ofctl("dump-group-stats"), want))


# -- Meters. --

def meter_stats(lab, meter):
    text = lab.ofctl("meter-stats", "meter=%d" % meter)
    m = re.search(r"packet_in_count[:=](\d+) byte_in_count[:=](\d+)", text)
    bands = [int(x) for x in re.findall(r"\d+: packet_count[:=](\d+)",
                                        text)]
    if not m:
        raise AssertionError("dump-meter-stats: %s" % text)
    return int(m.group(1)), bands, text


@check
def meter_drop(lab):
    """A 10 pktps drop band with burst 10 lets about rate*time+burst of
    200 back-to-back frames through; meter stats count them all."""
    lab.ofctl("add-meter", "meter=1,pktps,burst,stats,bands=type=drop,"
              "rate=10,burst_size=10")
    flows(lab, "in_port={h1},actions=meter:1,output:{h2}")
    frames = [udp4(sport=1000 + i) for i in range(200)]
    start = time.time()
    got = lab.exchange("h1", frames, settle=0.5)
    elapsed = time.time() - start
    n = len(got["h2"])
    if any(got[x] for x in got if x != "h2"):
        raise AssertionError("meter leaked frames to other ports")
    most = int(10 + 10 * elapsed) + 3
    if not 5 <= n <= most:
        raise AssertionError("meter passed %d of 200 frames in %.2f s, want "
                             "5..%d" % (n, elapsed, most))
    sent = set(bytes(f) for f in frames)
    if not all(f in sent for f in got["h2"]):
        raise AssertionError("metered frames were changed")
    want = (200, [200 - n])
    try:
        wait_for(lambda: meter_stats(lab, 1)[:2] == want, 3, "meter stats")
    except AssertionError:
        raise AssertionError("meter stats %s, want in=200, band=%d"
                             % (meter_stats(lab, 1)[2], 200 - n))


@check
def meter_dscp_remark(lab):
    """A dscp_remark band raises the drop precedence of the excess: AF11
    frames above the rate leave as AF12, none are dropped."""
    lab.ofctl("add-meter", "meter=2,pktps,burst,stats,bands=type="
              "dscp_remark,rate=10,burst_size=10,prec_level=1")
    flows(lab, "in_port={h1},actions=meter:2,output:{h2}")
    frames = [udp4(sport=1000 + i, tos=10 << 2) for i in range(100)]
    got = lab.exchange("h1", frames, settle=0.5)
    if any(got[x] for x in got if x != "h2"):
        raise AssertionError("meter leaked frames to other ports")
    if len(got["h2"]) != 100:
        raise AssertionError("dscp_remark delivered %d of 100"
                             % len(got["h2"]))
    kept = remarked = 0
    for f, sent in zip(got["h2"], frames):
        if f == bytes(sent):
            kept += 1
        elif f == bytes(udp4(sport=sent[UDP].sport, tos=12 << 2)):
            remarked += 1
        else:
            raise AssertionError("unexpected frame %s for %s"
                                 % (lib.describe(f), sent.summary()))
    if not (5 <= kept <= 40 and remarked >= 60):
        raise AssertionError("%d frames kept AF11, %d remarked to AF12"
                             % (kept, remarked))


# -- Matches. --

def match_case(name, match, frames):
    """A case: priority 10 MATCH -> h2, else h3; FRAMES is [(frame,
    should match)], all sent from h1 in one go."""
    def run(lab):
        flows(lab, "priority=10,%s,actions=output:{h2}" % match,
              "priority=1,actions=output:{h3}")
        sent = [f for f, _ in frames()]
        yes = [f for f, hit in frames() if hit]
        no = [f for f, hit in frames() if not hit]
        lab.expect("h1", sent, {"h2": yes, "h3": no})
    run.__name__ = name
    run.__doc__ = "%s matches exactly the frames it should" % match
    return check(run)


def define_matches():
    if Ether is None:
        return
    m = match_case
    m("match_in_port", "in_port={h1}", lambda: [(udp4(), True)])
    m("match_eth_masks",
      "dl_src=02:0a:00:00:00:00/ff:ff:00:00:00:00,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
      lambda: [(udp4(dst=BCAST, tag="1"), True),
               (udp4(dst="01:00:5e:00:00:01", tag="2"), True),
               (udp4(tag="3"), False),
               (udp4(src="02:0b:00:00:00:01", dst=BCAST, tag="4"), False)])
    m("match_ip_cidr", "ip,nw_src=10.1.0.0/16,nw_dst=10.2.3.0/24",
      lambda: [(udp4(ip_src="10.1.9.9", ip_dst="10.2.3.4"), True),
               (udp4(ip_src="10.2.9.9", ip_dst="10.2.3.4"), False),
               (udp4(ip_src="10.1.9.9", ip_dst="10.2.4.4"), False),
               (tcp4(ip_src="10.1.0.1", ip_dst="10.2.3.255"), True)])
    m("match_tcp_port_mask", "tcp,tp_dst=0x1000/0xf000,tp_src=1000",
      lambda: [(tcp4(dport=0x1234), True),
               (tcp4(dport=0x1fff, tag="b"), True),
               (tcp4(dport=0x2234), False),
               (tcp4(sport=1001, dport=0x1234), False),
               (udp4(sport=1000, dport=0x1234), False)])
    m("match_udp_ports", "udp,udp_src=1000,udp_dst=53",
      lambda: [(udp4(dport=53), True), (udp4(dport=54), False),
               (tcp4(dport=53), False)])
    m("match_vlan_tci_mask", "vlan_tci=0x1000/0x1000",
      lambda: [(udp4(vlan=10), True), (udp4(vlan=0, prio=5), True),
               (udp4(), False)])
    m("match_untagged", "vlan_tci=0x0000/0x1fff",
      lambda: [(udp4(), True), (udp4(vlan=10), False)])
    m("match_dl_vlan_pcp", "dl_vlan=10,dl_vlan_pcp=5",
      lambda: [(udp4(vlan=10, prio=5), True),
               (udp4(vlan=10, prio=4), False),
               (udp4(vlan=11, prio=5), False)])
    m("match_vlan_vid_mask", "vlan_tci=0x100a/0x1f0f",
      lambda: [(udp4(vlan=10), True), (udp4(vlan=0x1a, tag="x"), True),
               (udp4(vlan=0x10b), False), (udp4(vlan=0x10a), False)])

    def frags():
        return [(udp4(tag="whole"), False),
                (udp4(flags="MF", tag="first"), True),
                (Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2",
                                          id=7, frag=5, proto=17)
                 / payload("later"), "later")]
    m("match_ip_frag_yes", "ip,ip_frag=yes",
      lambda: [(f, bool(h)) for f, h in frags()])
    m("match_ip_frag_first", "ip,ip_frag=first",
      lambda: [(f, h is True) for f, h in frags()])
    m("match_ip_frag_later", "ip,ip_frag=later",
      lambda: [(f, h == "later") for f, h in frags()])
    m("match_ip_frag_no", "ip,ip_frag=no",
      lambda: [(f, not h) for f, h in frags()])
    m("match_tcp_flags", "tcp,tcp_flags=+syn-ack",
      lambda: [(tcp4(flags="S"), True), (tcp4(flags="SA"), False),
               (tcp4(flags="A"), False), (tcp4(flags="SU"), True)])
    m("match_arp_fields", "arp,arp_op=1,arp_spa=10.0.0.0/24,"
      "arp_tpa=10.0.0.2,arp_sha=02:0a:00:00:00:01,"
      "arp_tha=00:00:00:00:00:00",
      lambda: [(arp(), True), (arp(op=2), False),
               (arp(psrc="10.0.1.1"), False), (arp(pdst="10.0.0.3"), False),
               (arp(hwsrc="02:0a:00:00:00:02"), False),
               (arp(hwdst="02:00:00:00:00:09"), False)])
    m("match_ipv6_fields", "ipv6,ipv6_src=2001:db8::/32,"
      "ipv6_dst=2001:db8::2,ipv6_label=0x12345",
      lambda: [(udp6(fl=0x12345), True), (udp6(fl=0x12346), False),
               (udp6(src="2001:db9::1", fl=0x12345), False),
               (udp6(dst="2001:db8::3", fl=0x12345), False)])
    m("match_udp6_ports", "udp6,udp_dst=2000",
      lambda: [(udp6(), True), (udp6(dport=2001), False),
               (udp4(), False)])
    m("match_icmp", "icmp,icmp_type=8,icmp_code=0",
      lambda: [(icmp4(), True), (icmp4(0), False), (icmp4(8, 1), False)])
    m("match_nd", "icmp6,icmp_type=135,nd_target=fe80::2,"
      "nd_sll=02:0a:00:00:00:01",
      lambda: [(ns6(), True), (ns6(target="fe80::3"), False),
               (ns6(lladdr="02:0a:00:00:00:09"), False)])
    m("match_ip_dscp_ecn", "ip,ip_dscp=46,ip_ecn=1",
      lambda: [(udp4(tos=(46 << 2) | 1), True),
               (udp4(tos=(46 << 2) | 2), False),
               (udp4(tos=(10 << 2) | 1), False)])
    m("match_ip_proto", "ip,nw_proto=17",
      lambda: [(udp4(), True), (tcp4(), False), (icmp4(), False)])
    m("match_mpls", "mpls,mpls_label=100,mpls_tc=3,mpls_bos=1",
      lambda: [(mpls(cos=3), True), (mpls(label=101, cos=3), False),
               (mpls(cos=2), False)])


define_matches()


@check
def set_field_prereq_action(lab):
    """ovs-ofctl refuses set_field whose prerequisites the match lacks,
    and the switch itself refuses such a FLOW_MOD with
    OFPBAC_MATCH_INCONSISTENT."""
    p = lab.ofctl("add-flow", "ip,actions=set_field:99->tcp_dst,output:1",
                  check=False)
    if p.returncode == 0:
        raise AssertionError("ovs-ofctl accepted set_field:tcp_dst on ip")
    c = lib.OFClient(lab)
    try:
        set_tcp_dst = (lib.act_set_field(lib.oxm(14, b"\0\x63"))
                       + lib.act_output(lab.port["h2"]))
        c.flow_mod(lib.ofp_match(lib.oxm(5, b"\x08\x00")),
                   lib.apply_actions(set_tcp_dst))
        errors = c.barrier()
    finally:
        c.close()
    if errors != [(2, 10)]:
        raise AssertionError("set_field:tcp_dst on ip: errors %s, want "
                             "[(2, 10)] (OFPBAC_MATCH_INCONSISTENT)"
                             % errors)
    if "set_field" in lab.dump_flows():
        raise AssertionError("flow installed anyway: %s"
                             % lab.dump_flows())


@check
def match_prereq_errors(lab):
    """FLOW_MODs whose match lacks a field's prerequisites are refused
    with OFPBMC_BAD_PREREQ; the complete match is accepted."""
    tcp_dst = lib.oxm(14, b"\0\x50")
    bad = {
        "tcp_dst alone": [tcp_dst],
        "eth_type=ip,tcp_dst": [lib.oxm(5, b"\x08\x00"), tcp_dst],
        "eth_type=ip,ip_proto=udp,tcp_dst":
            [lib.oxm(5, b"\x08\x00"), lib.oxm(10, b"\x11"), tcp_dst],
        "arp_op alone": [lib.oxm(21, b"\0\x01")],
        "eth_type=ip,ipv6_src": [lib.oxm(5, b"\x08\x00"),
                                 lib.oxm(26, bytes(15) + b"\x01")],
        "vlan_pcp without vlan_vid": [lib.oxm(7, b"\x03")],
        "ipv4_src alone": [lib.oxm(11, b"\x0a\0\0\x01")],
    }
    c = lib.OFClient(lab)
    try:
        problems = []
        for what, fields in bad.items():
            c.flow_mod(lib.ofp_match(*fields),
                       lib.apply_actions(lib.act_output(lab.port["h2"])))
            errors = c.barrier()
            if errors != [(4, 9)]:
                problems.append("%s: errors %s" % (what, errors))
        c.flow_mod(lib.ofp_match(lib.oxm(5, b"\x08\x00"),
                                 lib.oxm(10, b"\x06"), tcp_dst),
                   lib.apply_actions(lib.act_output(lab.port["h2"])))
        errors = c.barrier()
        if errors:
            problems.append("complete tcp match refused: %s" % errors)
    finally:
        c.close()
    dump = lab.dump_flows()
    entries = [l for l in dump.splitlines() if "priority=" in l]
    if len(entries) != 1 or "tcp" not in entries[0] \
            or "tp_dst=80" not in entries[0]:
        problems.append("flow table: %s" % dump)
    if problems:
        raise AssertionError("want OFPBMC_BAD_PREREQ (4, 9): "
                             + "; ".join(problems))
    lab.expect("h1", [tcp4(dport=80)], {"h2": [tcp4(dport=80)]})


# -- Counters and timeouts. --

@check
def flow_counters(lab):
    """dump-flows, dump-aggregate and dump-ports count the frames sent."""
    flows(lab, "priority=10,in_port={h1},actions=output:{h2}",
          "priority=5,in_port={h3},actions=output:{h4}")
    f = udp4()
    n = len(f)
    before1, before2 = port_stats(lab, lab.port["h1"]), \
        port_stats(lab, lab.port["h2"])
    lab.expect("h1", [f] * 5, {"h2": [f] * 5})
    lab.expect("h3", [f] * 2, {"h4": [f] * 2})

    def counts():
        out = {}
        for line in lab.dump_flows().splitlines():
            m = re.search(r"n_packets=(\d+), n_bytes=(\d+), priority=(\d+)",
                          line)
            if m:
                out[int(m.group(3))] = (int(m.group(1)), int(m.group(2)))
        return out
    want = {10: (5, 5 * n), 5: (2, 2 * n)}
    try:
        wait_for(lambda: counts() == want, 3, "flow counters")
    except AssertionError:
        raise AssertionError("dump-flows counters %s, want %s"
                             % (counts(), want))
    agg = lab.ofctl("dump-aggregate")
    if "packet_count=7 byte_count=%d flow_count=2" % (7 * n) not in agg:
        raise AssertionError("dump-aggregate: %s" % agg)
    agg = lab.ofctl("dump-aggregate", "in_port=%d" % lab.port["h3"])
    if "packet_count=2 byte_count=%d flow_count=1" % (2 * n) not in agg:
        raise AssertionError("dump-aggregate in_port=h3: %s" % agg)
    wait_for(lambda: port_stats(lab, lab.port["h2"])["tx_pkts"]
             >= before2["tx_pkts"] + 5, 3, "dump-ports h2 tx")
    after1, after2 = port_stats(lab, lab.port["h1"]), \
        port_stats(lab, lab.port["h2"])
    if (after1["rx_pkts"] - before1["rx_pkts"],
            after1["rx_bytes"] - before1["rx_bytes"],
            after2["tx_pkts"] - before2["tx_pkts"],
            after2["tx_bytes"] - before2["tx_bytes"]) != (5, 5 * n,
                                                          5, 5 * n):
        raise AssertionError("dump-ports moved h1 rx %s->%s, h2 tx %s->%s"
                             % (before1, after1, before2, after2))


@check
def table_miss_counted(lab):
    """dump-tables counts a lookup without a match for a table miss."""
    flows(lab, "in_port={h1},actions=output:{h2}")
    before = table_stats(lab)[0]
    f = udp4()
    lab.expect("h1", [f] * 3, {"h2": [f] * 3})
    lab.expect("h3", [f] * 2, {})
    want = (before[0] + 5, before[1] + 3)
    try:
        wait_for(lambda: table_stats(lab)[0] == want, 3, "table 0 stats")
    except AssertionError:
        raise AssertionError("table 0 lookup/matched %s -> %s, want %s"
                             % (before, table_stats(lab)[0], want))


@check
def flow_timeouts(lab):
    """idle_timeout and hard_timeout flows disappear on time (within
    1.5 s), an idle flow in use stays, and send_flow_rem flows yield
    FLOW_REMOVED with the right reason."""
    m = lab.monitor()
    try:
        flows(lab,
              "priority=5,in_port={h4},idle_timeout=2,send_flow_rem,"
              "actions=drop",
              "priority=5,in_port={h3},hard_timeout=3,send_flow_rem,"
              "actions=output:{h1}",
              "priority=5,in_port={h2},idle_timeout=2,actions=output:{h1}")
        start = time.time()
        gone = {}
        keys = {"in_port=%d" % lab.port[h]: h for h in ("h2", "h3", "h4")}
        f = udp4()
        while time.time() - start < 7.5 and len(gone) < 3:
            now = time.time() - start
            if now < 3.5:
                lab.send("h2", [f])
                lab.send("h3", [f])
            dump = lab.dump_flows()
            for key, h in keys.items():
                if h not in gone and not re.search(key + r"\b", dump):
                    gone[h] = now
            time.sleep(0.1)
        want = {"h4": 2.0, "h3": 3.0, "h2": 5.5}
        problems = ["%s flow gone at %s s, want %.1f±1.5"
                    % (h, "%.1f" % gone[h] if h in gone else "never", t)
                    for h, t in want.items()
                    if h not in gone or abs(gone[h] - t) > 1.5]
        removed = wait_for(lambda: len(m.messages("OFPT_FLOW_REMOVED")) >= 2
                           and m.messages("OFPT_FLOW_REMOVED"), 2,
                           "two FLOW_REMOVED")
        time.sleep(0.3)
        removed = m.messages("OFPT_FLOW_REMOVED")
        reasons = sorted(re.search(r"reason=(\w+)", r[0]).group(1)
                         + (" in_port=%s" % re.search(r"in_port=(\d+)",
                                                      r[1]).group(1))
                         for r in removed if "reason=" in r[0]
                         and "in_port=" in r[1])
        want_reasons = sorted(["idle in_port=%d" % lab.port["h4"],
                               "hard in_port=%d" % lab.port["h3"]])
        if reasons != want_reasons or len(removed) != 2:
            problems.append("FLOW_REMOVED %s, want %s: %s"
                            % (reasons, want_reasons, m.text()[-1500:]))
        if problems:
            raise AssertionError("; ".join(problems))
    finally:
        m.close()


def main():
    try:
        plxtest.run()
    finally:
        if LAB is not None:
            LAB.close()


if __name__ == "__main__":
    main()
