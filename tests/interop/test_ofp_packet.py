"""Plexus's PACKET_IN and PACKET_OUT codecs (lib/ofp-packet) against real
peers.

tests/interop/ofp-packet-tool encodes sample PACKET_INs and PACKET_OUTs in
OpenFlow 1.0 and 1.3, decodes hex it is given, and encodes ovs-ofctl
packet-out text.  Here:

  - Debian's `ovs-ofctl ofp-print` decodes every sample, and its header
    line is exactly the message prefix plus what Plexus's own
    ofputil_packet_in_format() / ofputil_packet_out_format() print;
  - OS-Ken's parsers read Plexus's PACKET_INs with the same field values;
  - PACKET_OUTs that OS-Ken builds decode in Plexus to the same in_port,
    actions and data;
  - `ovs-ofctl packet-out` sends, to a fake switch on a unix socket, the
    very bytes Plexus encodes for the same text;
  - malformed PACKET_INs and PACKET_OUTs get the same error from both."""

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
ARP = bytes.fromhex(
    "ffffffffffff000000000001080600010800060400010000000000010a000001"
    "0000000000000a000002")


def tool(*args):
    path = plxtest.build_path("tests", "interop", "ofp-packet-tool")
    if not os.path.exists(path):
        raise Skip("ofp-packet-tool not built")
    return subprocess.run([path] + list(args), check=True, timeout=10,
                          capture_output=True, text=True).stdout


def samples():
    return dict(line.split() for line in tool("encode").splitlines())


def decode(data):
    fields = {}
    for line in tool("decode", data.hex()).splitlines():
        key, _, value = line.partition("=")
        fields[key] = value
    return fields


def ofp_print(hexdata):
    result = subprocess.run(["ovs-ofctl", "ofp-print", hexdata],
                            capture_output=True, text=True, timeout=10)
    return result.stdout + result.stderr


def prefix(name, version, xid):
    return "%s%s (xid=0x%x): " % (
        name, " (OF1.3)" if version == OF13 else "", xid)


@case
def ovs_ofctl_prints_samples_as_plexus_does():
    plxtest.require_program("ovs-ofctl")
    seen = 0
    for name, hexdata in samples().items():
        data = bytes.fromhex(hexdata)
        ours = decode(data)
        assert "error" not in ours, (name, ours)
        out = ofp_print(hexdata)
        assert "***" not in out, "%s: ovs-ofctl complains:\n%s" % (name, out)
        xid = struct.unpack("!I", data[4:8])[0]
        want = prefix(ours["type"], data[0], xid) + ours["text"]
        first = out.splitlines()[0]
        assert first == want, "%s:\n ovs    %s\n plexus %s" % (name, first,
                                                              want)
        seen += 1
    assert seen == 16, seen


def os_ken():
    try:
        from os_ken.ofproto import ofproto_parser
        from os_ken.ofproto import ofproto_v1_0, ofproto_v1_0_parser
        from os_ken.ofproto import ofproto_v1_3, ofproto_v1_3_parser
    except ImportError:
        raise Skip("python3-os-ken not installed")

    class Datapath:
        def __init__(self, version):
            if version == OF10:
                self.ofproto = ofproto_v1_0
                self.ofproto_parser = ofproto_v1_0_parser
            else:
                self.ofproto = ofproto_v1_3
                self.ofproto_parser = ofproto_v1_3_parser
            self.id = 1

        def set_xid(self, msg):
            msg.set_xid(0x77)

    return ofproto_parser, Datapath


def os_ken_parse(hexdata):
    ofproto_parser, Datapath = os_ken()
    buf = bytes.fromhex(hexdata)
    version, msg_type = buf[0], buf[1]
    length, xid = struct.unpack("!HI", buf[2:8])
    msg = ofproto_parser.msg(Datapath(version), version, msg_type, length,
                             xid, buf)
    assert msg is not None, "os-ken could not parse %s" % hexdata
    return msg


@case
def os_ken_parses_packet_ins():
    s = samples()
    seen = 0
    for name, hexdata in s.items():
        if not name.startswith("pin_"):
            continue
        ours = decode(bytes.fromhex(hexdata))
        m = os_ken_parse(hexdata)
        assert type(m).__name__ == "OFPPacketIn", (name, m)
        assert m.buffer_id == int(ours["buffer_id"]), (name, m)
        assert m.total_len == int(ours["total_len"]), (name, m)
        assert m.reason == int(ours["reason"]), (name, m)
        assert bytes(m.data).hex() == ours["data"], (name, m)
        if name.endswith("_1"):
            in_port = int(ours["in_port"])
            if in_port >= 0xffffff00:
                in_port -= 0xffff0000
            assert m.in_port == in_port, (name, m)
        else:
            assert m.table_id == int(ours["table_id"]), (name, m)
            assert m.cookie == int(ours["cookie"]), (name, m)
            assert m.match["in_port"] == int(ours["in_port"]), (name, m)
            if "metadata" in ours:
                assert m.match["metadata"] == int(ours["metadata"]), m
                assert m.match["tunnel_id"] == int(ours["tun_id"]), m
            else:
                assert "metadata" not in m.match, (name, m)
        seen += 1
    assert seen == 6, seen
    # Spot values, so that a codec that swaps fields in both tools fails.
    m = os_ken_parse(s["pin_ttl_4"])
    assert (m.reason, m.table_id, m.cookie) == (2, 9, 1), m
    assert m.match["metadata"] == 0x1122334455667788, m
    assert m.match["tunnel_id"] == 0x5000 and m.match["in_port"] == 7, m
    m = os_ken_parse(s["pin_action_1"])
    assert (m.in_port, m.buffer_id, m.total_len, len(m.data)) \
        == (0xfffe, 0x1234, 54, 20), m


def serialize(msg):
    msg.serialize()
    return bytes(msg.buf)


@case
def plexus_decodes_os_ken_packet_outs():
    _, Datapath = os_ken()
    from os_ken.ofproto import ofproto_v1_0 as o10
    from os_ken.ofproto import ofproto_v1_0_parser as p10
    from os_ken.ofproto import ofproto_v1_3 as o13
    from os_ken.ofproto import ofproto_v1_3_parser as p13
    dp10, dp13 = Datapath(OF10), Datapath(OF13)

    # OpenFlow 1.0.
    msg = p10.OFPPacketOut(dp10, 0xffffffff, 3,
                           [p10.OFPActionOutput(2),
                            p10.OFPActionSetDlDst(b"\x00\x11\x22\x33\x44\x55"),
                            p10.OFPActionOutput(o10.OFPP_CONTROLLER, 128)],
                           ARP)
    d = decode(serialize(msg))
    assert d["type"] == "OFPT_PACKET_OUT", d
    assert (d["in_port"], d["buffer_id"]) == ("3", str(0xffffffff)), d
    assert d["actions"] == ("output:2,mod_dl_dst:00:11:22:33:44:55,"
                            "CONTROLLER:128"), d
    assert d["data"] == ARP.hex(), d

    msg = p10.OFPPacketOut(dp10, 42, o10.OFPP_NONE,
                           [p10.OFPActionOutput(o10.OFPP_FLOOD)], None)
    d = decode(serialize(msg))
    assert d["in_port"] == str(0xfffffffd), d          # NONE: CONTROLLER
    assert (d["buffer_id"], d["actions"], d["data"]) == ("42", "FLOOD", ""), d

    # OpenFlow 1.3.
    msg = p13.OFPPacketOut(dp13, o13.OFP_NO_BUFFER, o13.OFPP_CONTROLLER,
                           [p13.OFPActionOutput(1),
                            p13.OFPActionSetField(eth_src="02:00:00:00:00:09"),
                            p13.OFPActionPushVlan(0x8100),
                            p13.OFPActionGroup(4)],
                           ARP)
    d = decode(serialize(msg))
    assert d["in_port"] == str(0xfffffffd), d
    assert d["actions"] == ("output:1,set_field:02:00:00:00:00:09->eth_src,"
                            "push_vlan:0x8100,group:4"), d
    assert d["data"] == ARP.hex(), d

    msg = p13.OFPPacketOut(dp13, o13.OFP_NO_BUFFER, 65000,
                           [p13.OFPActionOutput(o13.OFPP_IN_PORT)], ARP)
    d = decode(serialize(msg))
    assert (d["in_port"], d["actions"]) == ("65000", "IN_PORT"), d

    # Open vSwitch's 16-bit ports: 70000 is OFPBAC_BAD_OUT_PORT there.
    msg = p13.OFPPacketOut(dp13, o13.OFP_NO_BUFFER, 70000,
                           [p13.OFPActionOutput(1)], ARP)
    assert decode(serialize(msg))["error"] == "OFPBAC_BAD_OUT_PORT"

    msg = p13.OFPPacketOut(dp13, o13.OFP_NO_BUFFER, o13.OFPP_ANY, [], ARP)
    d = decode(serialize(msg))
    assert (d["in_port"], d["actions"]) == (str(0xfffffffd), "drop"), d

    # A reserved in_port that PACKET_OUT does not allow.
    msg = p13.OFPPacketOut(dp13, o13.OFP_NO_BUFFER, o13.OFPP_FLOOD,
                           [p13.OFPActionOutput(1)], ARP)
    assert decode(serialize(msg))["error"] == "OFPBRC_BAD_PORT"


def capture(version, args):
    """Runs `ovs-ofctl ARGS[0] unix:SOCKET ARGS[1:]` against a fake
    switch; returns every message it sent after the HELLO, as (type,
    bytes) pairs, its exit status and its stderr."""
    plxtest.require_program("ovs-ofctl")
    tmp = tempfile.mkdtemp(prefix="plx-ofppacket-")
    path = os.path.join(tmp, "sw.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(0.2)
    proto = "OpenFlow13" if version == OF13 else "OpenFlow10"
    cmd = ["ovs-ofctl", "--no-names", "-O", proto, args[0],
           "unix:" + path] + args[1:]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    msgs = []
    try:
        conn = None
        for _ in range(50):
            try:
                conn, _ = srv.accept()
                break
            except socket.timeout:
                if proc.poll() is not None:
                    break
        if conn is None:
            _, err = proc.communicate(timeout=10)
            return msgs, proc.returncode, err.decode()
        conn.settimeout(10)

        def recv_exact(n):
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise EOFError("ovs-ofctl closed the connection")
                data += chunk
            return data

        conn.sendall(struct.pack("!BBHI", version, 0, 8, 1))
        barrier = 20 if version == OF13 else 18
        for _ in range(20):
            try:
                hdr = recv_exact(8)
            except EOFError:
                break
            _, mtype, length, xid = struct.unpack("!BBHI", hdr)
            msg = hdr + recv_exact(length - 8)
            if mtype == 0:
                continue
            msgs.append((mtype, msg))
            if mtype == 2:          # ECHO_REQUEST
                conn.sendall(struct.pack("!BBHI", version, 3, 8, xid))
            elif mtype == barrier:
                conn.sendall(struct.pack("!BBHI", version, barrier + 1, 8,
                                         xid))
                break
        conn.close()
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.close()
        os.unlink(path)
        os.rmdir(tmp)
    return msgs, proc.returncode, err.decode()


PACKET_OUT_TEXTS = [
    "in_port=1 packet=%s actions=output:2",
    "in_port=1,packet=%s,actions=output:2",
    "packet=%s actions=output:3,output:4",
    "in_port=LOCAL packet=%s actions=NORMAL",
    "in_port=controller,packet=%s,actions=FLOOD",
    "in_port=65279 packet=%s actions=drop",
    "packet=%s,in_port=7,actions=mod_dl_src:00:11:22:33:44:55,IN_PORT",
    "in_port=2 packet=%s actions=CONTROLLER:100,output:1",
    "in_port=2 packet=%s actions=strip_vlan,mod_vlan_vid:5,output:1",
]

PACKET_OUT_TEXTS_13 = [
    "in_port=4 packet=%s actions=group:5",
    "in_port=4 packet=%s actions=push_vlan:0x8100,"
    "set_field:4106->vlan_vid,output:1",
    "in_port=4 packet=%s actions=set_queue:3,pop_vlan,output:1",
]


@case
def packet_out_bytes_equal_ovs_ofctl():
    plxtest.require_program("ovs-ofctl")
    seen = 0
    for version, texts in ((OF10, PACKET_OUT_TEXTS),
                           (OF13, PACKET_OUT_TEXTS + PACKET_OUT_TEXTS_13)):
        for text in texts:
            text = text % ARP.hex()
            msgs, status, err = capture(version, ["packet-out", text])
            assert status == 0, (text, err)
            msgs = [m for t, m in msgs if t == 13]
            assert len(msgs) == 1, (text, msgs)
            theirs = bytearray(msgs[0])
            theirs[4:8] = bytes(4)                      # xid
            ours = tool("packet-out", str(version), text).strip()
            assert ours == "hex=" + theirs.hex(), \
                "OF%d %s:\n ours   %s\n theirs %s" % (
                    version, text, ours, theirs.hex())
            seen += 1
    assert seen == 21, seen


@case
def packet_out_text_errors_like_ovs_ofctl():
    plxtest.require_program("ovs-ofctl")
    for text in ["in_port=1 actions=drop",
                 "in_port=1 packet=ffffffffffff0000 actions=drop",
                 "in_port=IN_PORT packet=%s actions=drop" % ARP.hex(),
                 "bogus=1 packet=%s" % ARP.hex()]:
        ours = tool("packet-out", "1", text).strip()
        assert ours.startswith("error="), (text, ours)
        # (ovs-ofctl connects before it parses.)
        msgs, status, err = capture(OF10, ["packet-out", text])
        assert status != 0 and not msgs, (text, msgs)
        assert ours[len("error="):] in err, (text, ours, err)


# Malformed messages: both must report the same error.
BAD = [
    # PACKET_IN 1.0 shorter than its fixed part.
    "010a0011000000000000000000000000ff",
    # PACKET_IN 1.3: match header cut, match past the end, STANDARD
    # match, pad bytes missing, 1-bits outside a mask, duplicate field.
    "040a001a00000000ffffffff002a00000000000000000000ffff",
    "040a002000000000ffffffff002a000000000000000000000001002080000004",
    "040a002200000000ffffffff002a0000000000000000000000000004000000000000",
    "040a002000000000ffffffff002a000000000000000000000001000400000000",
    "040a003200000000ffffffff002a00000000000000000000"
    "0001001880000510000000000000000300000000000000010000",
    "040a003200000000ffffffff002a00000000000000000000"
    "00010014800000040000000180000004000000020000000000000000"[:-4],
    # PACKET_OUT 1.0: reserved in_ports.
    "010d001800000000ffffffffff0000080000000800020000",
    "010d001800000000fffffffffff800080000000800020000",
    "010d001800000000fffffffffffa00080000000800020000",
    # PACKET_OUT 1.3: IN_PORT, OFPP_MAX, a 32-bit-only port.
    "040d002800000000fffffffffffffff800100000000000000000001000000002"
    "0000000000000000",
    "040d002800000000ffffffffffffff0000100000000000000000001000000002"
    "0000000000000000",
    "040d002800000000ffffffff0000ff0000100000000000000000001000000002"
    "0000000000000000",
    # actions_len past the end, not a multiple of 8.
    "010d001800000000ffffffff000100100000000800020000",
    "010d001800000000ffffffff000100040000000800020000",
    "040d002000000000ffffffff0000000100180000000000000000000800000002",
    # A bad action type along with a bad in_port; an action too long.
    "010d001800000000ffffffffff0000080063000800020000",
    "010d001800000000ffffffff000100080000001000020000",
    "040d002000000000ffffffff000000010008000000000000"
    "0063000800000000",
    # Shorter than the fixed part.
    "040d001000000000ffffffff00000001",
]


@case
def same_errors_as_ovs():
    plxtest.require_program("ovs-ofctl")
    for hexdata in BAD:
        ours = decode(bytes.fromhex(hexdata)).get("error")
        assert ours, hexdata
        out = ofp_print(hexdata)
        assert ("decode error: %s***" % ours) in out or \
            ("%s***" % ours) in out, \
            "%s: plexus %s, ovs-ofctl:\n%s" % (hexdata, ours, out)


if __name__ == "__main__":
    plxtest.run()
