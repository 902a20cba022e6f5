"""OpenFlow flow messages and flow text against Open vSwitch.

Debian's ovs-ofctl is the peer nobody here wrote.  This script plays a
switch on a unix socket:

  - `ovs-ofctl add-flows` sends one FLOW_MOD per line of a file of ~40
    diverse flows (tables, cookies and cookie masks, timeouts, flags,
    masks, actions and instructions, modify and delete lines); each must
    equal byte for byte (but the xid) what Plexus's lib/ofp-flow.c
    encodes for the same line, in OpenFlow 1.3 and 1.0;
  - `ovs-ofctl dump-flows [--no-stats]` and `dump-aggregate` get replies
    that Plexus encoded: what ovs-ofctl prints must be what Plexus's
    formatter prints, and the requests ovs-ofctl sends must equal
    Plexus's encoding of the same arguments.

Then `ovs-ofctl ofp-print` decodes Plexus's flow statistics replies
(one and several messages) and a set of malformed messages, which must
print the same flows, or draw the same error, as Plexus's decoders."""

import os
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

OF10, OF13 = 1, 4
OFPT_FLOW_MOD = 14

# add-flows lines for OpenFlow 1.3: a leading word picks the command.
FLOWS13 = [
    "priority=100,ip,nw_src=10.0.0.1,actions=output:2",
    "table=1,priority=10,cookie=0x1234,tcp,tp_dst=80,actions=output:3",
    "idle_timeout=30,hard_timeout=300,in_port=1,actions=NORMAL",
    "send_flow_rem,check_overlap,priority=5,dl_dst=ff:ff:ff:ff:ff:ff,"
    "actions=FLOOD",
    "reset_counts,no_packet_counts,no_byte_counts,udp,tp_src=53,"
    "actions=CONTROLLER:128",
    "table=2,dl_vlan=100,actions=strip_vlan,output:4",
    "ip,nw_dst=192.168.0.0/16,actions=mod_nw_dst:10.1.1.1,output:1",
    "arp,arp_tpa=10.0.0.1,actions=mod_dl_src:00:11:22:33:44:55,"
    "output:IN_PORT",
    "in_port=3,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:5",
    "metadata=0x1/0xff,actions=goto_table:5",
    "table=3,reg0=5,actions=write_metadata:0x10/0xff,goto_table:4",
    "table=4,actions=clear_actions",
    "ipv6,ipv6_src=2001:db8::/32,actions=dec_ttl,output:2",
    "actions=write_actions(output:3),goto_table:1",
    "cookie=0xfeed,priority=65535,tcp,nw_src=1.2.3.4,nw_dst=5.6.7.8,"
    "tp_src=1000,tp_dst=2000,actions=drop",
    "mpls,actions=pop_mpls:0x0800,output:1",
    "ip,actions=push_mpls:0x8847,set_field:100->mpls_label,output:2",
    "actions=group:5",
    "actions=set_queue:3,output:1",
    "actions=meter:1,output:2",
    "ip,actions=mod_nw_tos:16,output:3",
    "tcp,actions=mod_tp_dst:8080,output:1",
    "ip,nw_ttl=64,actions=set_nw_ttl:10,output:1",
    "hard_timeout=10,dl_type=0x88cc,actions=CONTROLLER:65535",
    "priority=0,actions=drop",
    "tun_id=0x5,actions=output:1",
    "ct_state=+trk+est,ip,actions=output:2",
    "icmp6,icmpv6_type=135,nd_target=fe80::1,actions=output:1",
    "table=10,priority=200,cookie=0xffffffff00000000,idle_timeout=60,"
    "vlan_tci=0x1000/0x1000,actions=pop_vlan,"
    "set_field:00:00:00:00:00:01->eth_dst,output:3",
    "importance=5,in_port=7,actions=output:1",
    "table=254,dl_src=00:00:00:00:00:00/01:00:00:00:00:00,udp,"
    "udp_dst=4789,actions=mod_tp_src:1,set_field:10.0.0.9->ip_dst,LOCAL",
    "modify in_port=1,actions=output:9",
    "modify_strict priority=100,ip,nw_src=10.0.0.1,actions=output:7",
    "modify cookie=0x5,ip,actions=drop",
    "modify cookie=0x5/0xff,table=3,ip,actions=drop",
    "delete in_port=1",
    "delete table=1,cookie=0x1234/0xffff,out_port=2",
    "delete_strict priority=10,tcp,tp_dst=80,out_group=7",
    "delete",
]

# What OpenFlow 1.0 can say without Nicira extensions (no tables, cookie
# masks, instructions, 1.3 flags or NXM-only fields).
FLOWS10 = [
    "priority=100,ip,nw_src=10.0.0.1,actions=output:2",
    "cookie=0x1234,tcp,tp_dst=80,actions=output:3",
    "idle_timeout=30,hard_timeout=300,in_port=1,actions=NORMAL",
    "send_flow_rem,check_overlap,priority=5,dl_dst=ff:ff:ff:ff:ff:ff,"
    "actions=FLOOD",
    "udp,tp_src=53,actions=CONTROLLER:128",
    "dl_vlan=100,actions=strip_vlan,output:4",
    "ip,nw_dst=192.168.0.0/16,actions=mod_nw_dst:10.1.1.1,output:1",
    "arp,actions=mod_dl_src:00:11:22:33:44:55,"
    "mod_dl_dst:00:00:00:00:00:02,output:IN_PORT",
    "in_port=3,actions=mod_vlan_vid:7,mod_vlan_pcp:3,output:5",
    "ip,actions=mod_nw_tos:16,mod_nw_src:1.1.1.1,output:3",
    "tcp,actions=mod_tp_dst:8080,mod_tp_src:1,output:1",
    "actions=enqueue:1:2",
    "in_port=LOCAL,dl_src=00:11:22:33:44:55,actions=drop",
    "priority=0,actions=drop",
    "dl_vlan_pcp=3,actions=output:ALL",
    "icmp,icmp_type=8,actions=LOCAL",
    "hard_timeout=10,dl_type=0x88cc,actions=CONTROLLER:65535",
    "cookie=0xfeed,priority=65535,tcp,nw_src=1.2.3.4,nw_dst=5.6.7.8,"
    "tp_src=1000,tp_dst=2000,actions=drop",
    "modify in_port=1,actions=output:9",
    "modify_strict priority=100,ip,nw_src=10.0.0.1,actions=output:7",
    "modify cookie=0x5,ip,actions=drop",
    "delete in_port=1",
    "delete out_port=2",
    "delete_strict priority=10,tcp,tp_dst=80",
    "delete",
]

# dump-flows / dump-aggregate arguments.
STATS_ARGS13 = ["", "table=1", "tcp,tp_dst=80", "out_port=2",
                "cookie=0x5/0xff,table=3", "out_group=4,in_port=1"]
STATS_ARGS10 = ["", "tcp,tp_dst=80", "out_port=2", "in_port=LOCAL"]


def tool(*args):
    path = plxtest.build_path("tests", "interop", "ofp-flow-tool")
    if not os.path.exists(path):
        raise Skip("ofp-flow-tool not built")
    out = subprocess.run([path] + list(args), check=True, timeout=30,
                         capture_output=True, text=True)
    return out.stdout


def write_lines(lines):
    fd, path = tempfile.mkstemp(prefix="plx-ofpflow-", suffix=".txt")
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def adds_only(flows):
    return [f for f in flows
            if not f.startswith(("modify", "delete"))]


def fake_switch(version, args, replies=None):
    """Runs `ovs-ofctl -O VERSION ARGS[0] unix:SOCKET ARGS[1:]` against a
    fake switch (as tests/interop/test_ofp_match.py's capture_flow_mod(),
    but answering every barrier and any number of requests).  REPLIES(msg)
    returns the messages to answer a request with.  Returns the messages
    ovs-ofctl sent (HELLO and barriers left out) and its stdout."""
    plxtest.require_program("ovs-ofctl")
    tmp = tempfile.mkdtemp(prefix="plx-ofpflow-")
    path = os.path.join(tmp, "sw.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(10)
    proto = "OpenFlow13" if version == OF13 else "OpenFlow10"
    proc = subprocess.Popen(["ovs-ofctl", "--no-names", "-O", proto,
                             args[0], "unix:" + path] + list(args[1:]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    msgs = []
    try:
        conn, _ = srv.accept()
        conn.settimeout(10)

        def recv_exact(n):
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data

        conn.sendall(struct.pack("!BBHI", version, 0, 8, 1))
        barrier = 20 if version == OF13 else 18
        while True:
            try:
                hdr = recv_exact(8)
            except EOFError:
                break
            _, mtype, length, xid = struct.unpack("!BBHI", hdr)
            msg = hdr + recv_exact(length - 8)
            if mtype == barrier:
                conn.sendall(struct.pack("!BBHI", version, barrier + 1, 8,
                                         xid))
            elif mtype == 4:
                # Vendor extensions (ovs-ofctl asks for NXM in 1.0): "bad
                # vendor", so that it falls back to standard OpenFlow.
                data = struct.pack("!HH", 1, 3) + msg[:64]
                conn.sendall(struct.pack("!BBHI", version, 1, 8 + len(data),
                                         xid) + data)
            elif mtype != 0:
                msgs.append(msg)
                for reply in (replies(msg) if replies else []):
                    conn.sendall(reply[:4] + hdr[4:8] + reply[8:])
        conn.close()
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.close()
        os.unlink(path)
        os.rmdir(tmp)
    if proc.returncode:
        raise AssertionError("ovs-ofctl %s failed: %s" % (args[0], err))
    return msgs, out


def without_xid(msg_hex):
    return msg_hex[:8] + "00000000" + msg_hex[16:]


def ofp_print(hex_msgs):
    """What `ovs-ofctl ofp-print` prints for each message (it takes one
    message at a time; stdin avoids the command line's length limit)."""
    text = ""
    for m in hex_msgs:
        out = subprocess.run(["ovs-ofctl", "ofp-print", "-"], input=m,
                             capture_output=True, text=True, timeout=30)
        text += out.stdout + out.stderr
    return text


def check_flow_mods(version, flows):
    path = write_lines(flows)
    try:
        msgs, _ = fake_switch(version, ["add-flows", path])
        ours = tool("flow-mods", "13" if version == OF13 else "10",
                    path).split()
    finally:
        os.unlink(path)
    theirs = [m.hex() for m in msgs if m[1] == OFPT_FLOW_MOD]
    assert len(theirs) == len(flows), "%d FLOW_MODs for %d lines" % (
        len(theirs), len(flows))
    assert len(ours) == len(flows), ours
    for flow, a, b in zip(flows, ours, theirs):
        assert without_xid(a) == without_xid(b), \
            "%s:\n ours   %s\n theirs %s" % (flow, a, b)


def stats_reply(version, flows):
    """Plexus's flow stats reply for FLOWS: (messages in hex, what Plexus
    prints for dump-flows, for dump-flows --no-stats)."""
    path = write_lines(flows)
    try:
        out = tool("stats-reply", "13" if version == OF13 else "10", path)
    finally:
        os.unlink(path)
    lines = out.splitlines()
    assert not [l for l in lines if l.startswith("error")], out
    msgs = [l.split(" ", 1)[1] for l in lines if l.startswith("msg ")]
    flows_out = [l.split(" ", 1)[1] for l in lines if l.startswith("flow ")]
    nostats = [l.split(" ", 1)[1] for l in lines
               if l.startswith("nostats ")]
    return msgs, flows_out, nostats


@case
def flow_mods13_equal_ovs():
    check_flow_mods(OF13, FLOWS13)


@case
def flow_mods10_equal_ovs():
    check_flow_mods(OF10, FLOWS10)


def check_ofp_print(version, flows):
    msgs, ours, _ = stats_reply(version, flows)
    printed = ofp_print(msgs)
    theirs = [l[1:] for l in printed.splitlines() if l.startswith(" ")]
    assert len(ours) == len(adds_only(flows)), ours
    for a, b in zip(ours, theirs):
        assert a == b, "\n ours   %s\n theirs %s" % (a, b)
    assert len(theirs) == len(ours), (len(theirs), len(ours))
    return msgs, printed


@case
def ofp_print_of_stats_reply13():
    check_ofp_print(OF13, adds_only(FLOWS13))


@case
def ofp_print_of_stats_reply10():
    check_ofp_print(OF10, adds_only(FLOWS10))


@case
def ofp_print_of_multipart_reply():
    # ~1,000 flows of ~100 bytes do not fit in one 64 kB reply.
    flows = ["table=%d,priority=%d,cookie=0x%x,tcp,nw_src=10.%d.%d.0/24,"
             "tp_dst=%d,actions=mod_nw_dst:1.2.3.4,mod_tp_dst:99,output:%d"
             % (i % 7, i, i * 3, i // 256, i % 256, i, i % 50)
             for i in range(1000)]
    for version in (OF13, OF10):
        msgs, printed = check_ofp_print(version, flows)
        assert len(msgs) >= 2, len(msgs)
        assert printed.count("flags=[more]") == len(msgs) - 1, printed[:300]


def serve_stats(version, flows):
    msgs, _, _ = stats_reply(version, flows)
    return [bytes.fromhex(m) for m in msgs]


@case
def dump_flows_prints_plexus_format():
    for version, flows in ((OF13, adds_only(FLOWS13)),
                           (OF10, adds_only(FLOWS10))):
        replies = serve_stats(version, flows)
        _, ours, nostats = stats_reply(version, flows)
        for extra, want in (([], ours), (["--no-stats"], nostats)):
            _, out = fake_switch(version, ["dump-flows"] + extra,
                                 lambda msg: replies)
            got = [l[1:] for l in out.splitlines() if l.startswith(" ")]
            assert got == want, "%s:\n ours   %s\n theirs %s" % (
                extra, "\n        ".join(want), "\n        ".join(got))


@case
def stats_requests_equal_ovs():
    for version, args_list in ((OF13, STATS_ARGS13), (OF10, STATS_ARGS10)):
        v = "13" if version == OF13 else "10"
        for kind, command in (("flow", "dump-flows"),
                              ("aggregate", "dump-aggregate")):
            for args in args_list:
                reply = {}

                def answer(msg):
                    reply["hex"] = tool("aggregate-reply", msg.hex(), "7",
                                        "700", "3").strip()
                    if kind == "aggregate":
                        return [bytes.fromhex(reply["hex"])]
                    # An empty flow statistics reply.
                    return [msg_(version, 19 if version == OF13 else 17,
                                 b"", 1)]
                msgs, out = fake_switch(
                    version, [command] + ([args] if args else []), answer)
                theirs = [m.hex() for m in msgs]
                ours = tool("stats-request", v, kind, args).strip()
                assert len(theirs) == 1, theirs
                assert without_xid(ours) == without_xid(theirs[0]), \
                    "%s %s:\n ours   %s\n theirs %s" % (
                        command, args, ours, theirs[0])
                if kind == "aggregate":
                    assert ("packet_count=7 byte_count=700 flow_count=3"
                            in out), out


def msg_(version, mtype, body, stat=None):
    if stat is not None:
        body = (struct.pack("!HH", stat, 0) if version == OF10
                else struct.pack("!HH4x", stat, 0)) + body
    return struct.pack("!BBHI", version, mtype, 8 + len(body), 7) + body


def fm13(command=0, table=0, flags=0, match=None, insts=None, extra=b""):
    match = bytes.fromhex("0001000400000000") if match is None else match
    if insts is None:   # apply_actions(output:1)
        insts = bytes.fromhex("0004001800000000"
                              "0000001000000001ffe5000000000000")
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, table, command, 0, 0,
                       0x8000, 0xffffffff, 0xffffffff, 0xffffffff,
                       flags) + match + insts + extra
    return msg_(OF13, 14, body)


def fm10(command=0, flags=0, idle=0, actions=None, extra=b""):
    match = struct.pack("!I", 0x3fffff) + bytes(36)
    actions = (bytes.fromhex("0000000800010000") if actions is None
               else actions)
    body = match + struct.pack("!QHHHHIHH", 0, command, idle, 0, 0x8000,
                               0xffffffff, 0xffff, flags) + actions + extra
    return msg_(OF10, 14, body)


def fs13_entry(length=None, insts=b""):
    match = bytes.fromhex("0001000400000000")
    n = 48 + len(match) + len(insts)
    return struct.pack("!HBxIIHHHH4xQQQ", n if length is None else length,
                       0, 1, 0, 100, 0, 0, 0, 0, 0, 0) + match + insts


def fs10_entry(length=None):
    match = struct.pack("!I", 0x3fffff) + bytes(36)
    return struct.pack("!HBx", 88 if length is None else length, 0) \
        + match + struct.pack("!IIHHH6xQQQ", 1, 0, 100, 0, 0, 0, 0, 0)


# Malformed messages and the error both must report.
BAD = [
    (fm13(command=5), "OFPFMFC_BAD_COMMAND"),
    (fm13(table=255), "OFPFMFC_BAD_TABLE_ID"),
    (fm13(flags=0x20), "OFPFMFC_BAD_FLAGS"),
    (fm13(match=bytes.fromhex("0001006400000000")), "OFPBMC_BAD_LEN"),
    (fm13(match=bytes.fromhex("0002000400000000")), "OFPBMC_BAD_TYPE"),
    (fm13(match=bytes.fromhex("0001000a80001c020050000000000000")),
     "OFPBMC_BAD_PREREQ"),
    (fm13(extra=bytes(4)), "OFPBRC_BAD_LEN"),
    (fm13(insts=bytes.fromhex("0004002000000000"
                              "0000001000000001ffe5000000000000")),
     "OFPBIC_BAD_LEN"),
    (fm13(insts=bytes.fromhex("0004001800000000"
                              "0000001800000001ffe5000000000000")),
     "OFPBAC_BAD_LEN"),
    (fm13(insts=bytes.fromhex("0009000800000000")), "OFPBIC_UNKNOWN_INST"),
    (msg_(OF13, 11, bytes(40) + bytes.fromhex("000100040000000000000000")),
     "OFPBRC_BAD_LEN"),
    (msg_(OF13, 11, bytes(40) + bytes.fromhex("0001000c80000004")),
     "OFPBMC_BAD_LEN"),
    (fm10(command=7), "OFPFMFC_BAD_COMMAND"),
    (fm10(flags=4, idle=5), "OFPFMFC_BAD_EMERG_TIMEOUT"),
    (fm10(flags=4), "OFPFMFC_TABLE_FULL"),
    (fm10(flags=8), "OFPFMFC_BAD_FLAGS"),
    (fm10(extra=bytes(4)), "OFPBRC_BAD_LEN"),
    (fm10(actions=bytes.fromhex("0000001000010000")), "OFPBAC_BAD_LEN"),
    (fm10(actions=bytes.fromhex("0050000800000000")), "OFPBAC_BAD_TYPE"),
    (msg_(OF13, 19, fs13_entry(length=40), 1), "OFPBRC_BAD_LEN"),
    (msg_(OF13, 19, fs13_entry(length=64), 1), "OFPBIC_BAD_LEN"),
    (msg_(OF13, 19, fs13_entry() + bytes(10), 1), "OFPBRC_BAD_LEN"),
    (msg_(OF10, 17, fs10_entry(length=80), 1), "OFPBRC_BAD_LEN"),
    (msg_(OF10, 17, fs10_entry(length=92) + bytes(4), 1), "OFPBRC_BAD_LEN"),
    (msg_(OF13, 18, struct.pack("!B3xII4xQQ", 0, 0xffffffff, 0xffffffff,
                                0, 0) + bytes.fromhex("0001006400000000"),
         1), "OFPBMC_BAD_LEN"),
]

@case
def malformed_same_error():
    plxtest.require_program("ovs-ofctl")
    for m, want in BAD:
        ours = tool("decode", m.hex()).strip()
        theirs = ofp_print([m.hex()])
        assert "decode error: %s" % want in theirs, (m.hex(), want, theirs)
        assert ours == want, (m.hex(), ours, want)


if __name__ == "__main__":
    plxtest.run()
