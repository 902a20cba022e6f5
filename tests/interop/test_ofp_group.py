"""OpenFlow 1.3 groups and meters (lib/ofp-group, lib/ofp-meter) against
peers nobody here wrote.

  - Debian's `ovs-ofctl -O OpenFlow13 add-group/mod-group/del-groups/
    add-meter/mod-meter/del-meters` sends its GROUP_MOD or METER_MOD to a
    fake switch on a unix socket (this script); the bytes must equal what
    Plexus encodes from the same text, and text that ovs-ofctl rejects
    Plexus rejects with the same message;
  - `ovs-ofctl ofp-print` of every message Plexus encodes (mods, stats,
    description, configuration and features requests and replies) must be
    exactly what Plexus's formatter prints, and malformed GROUP_MODs and
    METER_MODs must give the same OpenFlow error in both;
  - OS-Ken's OpenFlow 1.3 parser must parse Plexus's replies to the
    values encoded, and the GROUP_MODs and METER_MODs OS-Ken builds must
    decode in Plexus to what OS-Ken put in."""

import os
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

OF13 = 4
OFPT_GROUP_MOD, OFPT_METER_MOD = 15, 29
OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 20, 21

# (ovs-ofctl command, tool verb, text or None for no argument).
MODS = [
    ("add-group", "add", "group_id=1,type=select,bucket=weight:100,"
     "watch_port:1,actions=output:1,bucket=actions=output:2"),
    ("add-group", "add", "group_id=2,type=all,bucket=output:1,"
     "bucket=output:2,mod_vlan_vid:5"),
    ("add-group", "add", "group_id=3,type=ff,bucket=watch_port:1,output:1,"
     "bucket=watch_group:7,output:2"),
    ("add-group", "add", "group_id=4,type=indirect,"
     "bucket=actions=output:1,output:2,strip_vlan"),
    ("add-group", "add", "group_id=5,type=all,bucket=mod_dl_src:"
     "00:11:22:33:44:55,set_field:1.2.3.4->ip_dst,output:1"),
    ("add-group", "add", "group_id=6,type=select,bucket=output:LOCAL,"
     "bucket=weight:0,output:IN_PORT,bucket=output:CONTROLLER"),
    ("add-group", "add", "group_id=7,type=all"),
    ("add-group", "add", "group_id=8,type=all,bucket=actions=drop"),
    ("add-group", "add", "group_id=9,type=all,bucket=push_vlan:0x88a8,"
     "set_field:4106->vlan_vid,dec_ttl,set_queue:3,group:1"),
    ("add-group", "add", "group_id=10,type=all,bucket=push_mpls:0x8847,"
     "set_mpls_ttl:10,dec_mpls_ttl,output:3,bucket=pop_mpls:0x0800,"
     "mod_nw_ttl:5,output:4"),
    ("add-group", "add", "group_id=4294967040,type=select,"
     "bucket=weight:65535,watch_group:4294967040,output:1"),
    ("add-group", "add", "group_id=11,type=fast_failover,"
     "bucket=watch_port:ANY,watch_group:3,output:1"),
    ("mod-group", "mod", "group_id=1,type=all,bucket=output:1"),
    ("del-groups", "del", None),
    ("del-groups", "del", "group_id=5"),
    ("del-groups", "del", "group_id=all"),
    ("add-meter", "add", "meter=1,kbps,burst,stats,bands=type=drop,"
     "rate=1000,burst_size=100 type=dscp_remark,rate=2000,burst_size=10,"
     "prec_level=1"),
    ("add-meter", "add", "meter=2,pktps,band=type=drop,rate=5"),
    ("add-meter", "add", "meter=controller,pktps,bands=type=drop,rate=5"),
    ("add-meter", "add", "meter=65536 kbps stats bands=type=drop rate=9"),
    ("mod-meter", "mod", "meter=3,kbps,stats,bands=type=dscp_remark,"
     "rate=7,prec_level=3"),
    ("del-meters", "del", None),
    ("del-meters", "del", "meter=4"),
    ("del-meters", "del", "meter=all"),
]

# Text that ovs-ofctl refuses before it connects.
BAD_TEXT = [
    ("add-group", "add", "group_id=1,type=indirect,bucket=output:1,"
     "bucket=output:2"),
    ("add-group", "add", "group_id=1,type=ff,bucket=output:1"),
    ("add-group", "add", "group_id=1,type=all,bucket=weight:5,output:1"),
    ("add-group", "add", "group_id=1,type=select,"
     "bucket=watch_port:LOCAL,output:1"),
    ("add-group", "add", "group_id=1,type=select,bucket=weight:7"),
    ("add-group", "add", "type=all,bucket=output:1"),
    ("add-group", "add", "group_id=1,bucket=output:1"),
    ("add-group", "add", "group_id=1,type=bogus"),
    ("add-group", "add", "group_id=4294967041,type=all"),
    ("add-group", "add", "group_id=1,type=all,bogus=1"),
    ("add-group", "add", "group_id=1,type=select,bucket=weight:65536,"
     "output:1"),
    ("del-groups", "del", "group_id=1,type=all"),
    ("del-groups", "del", "group_id=1,bucket=output:1"),
    ("add-meter", "add", "meter=1,kbps,bands=type=drop,rate=1000,"
     "burst_size=100"),
    ("add-meter", "add", "meter=1,kbps,burst,bands=type=drop,rate=1000"),
    ("add-meter", "add", "meter=1,bands=type=drop,rate=1"),
    ("add-meter", "add", "meter=1,kbps,bands=type=dscp_remark,rate=1"),
    ("add-meter", "add", "meter=1,kbps,bands=type=drop,rate=1,"
     "prec_level=2"),
    ("add-meter", "add", "meter=1,kbps,bands=type=drop"),
    ("add-meter", "add", "meter=0,kbps,bands=type=drop,rate=1"),
    ("add-meter", "add", "meter=1,kbps"),
    ("add-meter", "add", "meter=1,kbps,bands=rate=1"),
    ("add-meter", "add", "meter=1,kbps,bands=type=foo,rate=1"),
    ("add-meter", "add", "kbps,bands=type=drop,rate=1"),
    ("del-meters", "del", "meter=1,kbps"),
]


def tool(*args):
    path = plxtest.build_path("tests", "interop", "ofp-group-tool")
    if not os.path.exists(path):
        raise Skip("ofp-group-tool not built")
    out = subprocess.run([path] + list(args), check=True, timeout=10,
                         capture_output=True, text=True)
    return out.stdout


def capture_mod(command, text):
    """Runs `ovs-ofctl -O OpenFlow13 COMMAND unix:SOCK [TEXT]` against a
    fake switch and returns (message bytes or None, ovs-ofctl's stderr).
    The fake switch says HELLO, keeps the first GROUP_MOD or METER_MOD,
    and answers the BARRIER_REQUEST that ends the command (the idea of
    capture_flow_mod() in test_ofp_match.py, for any message type)."""
    plxtest.require_program("ovs-ofctl")
    tmp = tempfile.mkdtemp(prefix="plx-ofpgroup-")
    path = os.path.join(tmp, "sw.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(3)
    args = ["ovs-ofctl", "--no-names", "-O", "OpenFlow13", command,
            "unix:" + path] + ([text] if text is not None else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    found = None
    try:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            # ovs-ofctl rejected the text before connecting.
            return None, proc.communicate(timeout=10)[1].decode()
        conn.settimeout(10)

        def recv_exact(n):
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise EOFError("ovs-ofctl closed the connection")
                data += chunk
            return data

        conn.sendall(struct.pack("!BBHI", OF13, 0, 8, 1))
        for _ in range(10):
            hdr = recv_exact(8)
            _, mtype, length, xid = struct.unpack("!BBHI", hdr)
            msg = hdr + recv_exact(length - 8)
            if mtype in (OFPT_GROUP_MOD, OFPT_METER_MOD) and found is None:
                found = msg
            elif mtype == OFPT_BARRIER_REQUEST:
                conn.sendall(struct.pack("!BBHI", OF13, OFPT_BARRIER_REPLY,
                                         8, xid))
                break
        conn.close()
        err = proc.communicate(timeout=10)[1].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.close()
        os.unlink(path)
        os.rmdir(tmp)
    return found, err


def kind_of(command):
    return "meter" if "meter" in command else "group"


def ofp_print(hexdata, with_log=True):
    """ovs-ofctl's text for HEXDATA (plus its log lines if WITH_LOG)."""
    out = subprocess.run(["ovs-ofctl", "ofp-print", hexdata],
                         capture_output=True, text=True, timeout=10)
    return out.stdout + (out.stderr if with_log else "")


def samples():
    result = {}
    for line in tool("encode").splitlines():
        name, hexdata = line.split()
        result.setdefault(name, hexdata)
    return result


@case
def mod_bytes_equal_ovs():
    for command, verb, text in MODS:
        theirs, err = capture_mod(command, text)
        assert theirs is not None, "%s %s: %s" % (command, text, err)
        ours = tool(kind_of(command), verb, text or "").strip()
        # Both use xid 2 (ovs-ofctl's first after HELLO's 1).
        assert ours == theirs.hex(), "%s %s:\n ours   %s\n theirs %s" % (
            command, text, ours, theirs.hex())


@case
def bad_text_rejected_like_ovs():
    for command, verb, text in BAD_TEXT:
        theirs, err = capture_mod(command, text)
        assert theirs is None, "ovs-ofctl accepted %s %s" % (command, text)
        want = err.strip().splitlines()[-1]
        assert want.startswith("ovs-ofctl: "), err
        ours = tool(kind_of(command), verb, text).strip()
        assert ours == "error: " + want[len("ovs-ofctl: "):], \
            "%s %s:\n ours   %s\n theirs %s" % (command, text, ours, want)


@case
def ovs_prints_what_plexus_prints():
    plxtest.require_program("ovs-ofctl")
    seen = 0
    for name, hexdata in samples().items():
        theirs = ofp_print(hexdata, with_log=False)
        assert "***" not in theirs, "%s: %s" % (name, theirs)
        ours = tool("print", hexdata)
        assert ours == theirs, "%s:\n--- plexus\n%s--- ovs-ofctl\n%s" % (
            name, ours, theirs)
        seen += 1
    assert seen >= 15, seen
    # And the mods ovs-ofctl itself sent.
    for command, verb, text in MODS:
        hexdata = tool(kind_of(command), verb, text or "").strip()
        assert tool("print", hexdata) == ofp_print(hexdata, False), text


def group_mod(command, gtype, group_id, buckets):
    body = struct.pack("!HBxI", command, gtype, group_id) + b"".join(buckets)
    return struct.pack("!BBHI", OF13, OFPT_GROUP_MOD, 8 + len(body),
                       2) + body


def bucket(weight=0, watch_port=0xffffffff, watch_group=0xffffffff,
           actions=None, length=None):
    if actions is None:
        actions = struct.pack("!HHIH6x", 0, 16, 1, 0)     # output:1
    return struct.pack("!HHII4x", length or 16 + len(actions), weight,
                       watch_port, watch_group) + actions


def meter_mod(command, flags, meter_id, bands):
    body = struct.pack("!HHI", command, flags, meter_id) + b"".join(bands)
    return struct.pack("!BBHI", OF13, OFPT_METER_MOD, 8 + len(body),
                       2) + body


def band(btype=1, rate=10, burst=0, extra=0, length=16):
    return struct.pack("!HHIIB3x", btype, length, rate, burst, extra)


BAD_MODS = [
    (group_mod(0, 0, 1, [bucket(length=8)]), "OFPGMFC_BAD_BUCKET"),
    (group_mod(0, 0, 1, [bucket(length=48)]), "OFPGMFC_BAD_BUCKET"),
    (group_mod(0, 0, 1, [bucket(), bytes(8)]), "OFPGMFC_BAD_BUCKET"),
    (group_mod(0, 1, 1, [bucket(watch_port=0xff00)]), "OFPGMFC_BAD_WATCH"),
    (group_mod(0, 7, 1, [bucket()]), "OFPGMFC_BAD_TYPE"),
    (group_mod(9, 0, 1, [bucket()]), "OFPGMFC_BAD_COMMAND"),
    (group_mod(0, 0, 1, [bucket(weight=5)]), "OFPGMFC_INVALID_GROUP"),
    (group_mod(0, 2, 1, [bucket(), bucket()]), "OFPGMFC_INVALID_GROUP"),
    (group_mod(0, 2, 1, []), "OFPGMFC_INVALID_GROUP"),
    (group_mod(0, 3, 1, [bucket()]), "OFPGMFC_INVALID_GROUP"),
    (group_mod(0, 0, 1, [bucket(watch_port=1)]),
     "OFPGMFC_WATCH_UNSUPPORTED"),
    (group_mod(0, 2, 1, [bucket(watch_group=1)]),
     "OFPGMFC_WATCH_UNSUPPORTED"),
    (group_mod(2, 0, 1, [bucket()]), "OFPGMFC_INVALID_GROUP"),
    (group_mod(0, 0, 1, [bucket(actions=struct.pack("!HH4x", 0x77, 8))]),
     "OFPBAC_BAD_TYPE"),
    (meter_mod(5, 1, 1, [band()]), "OFPMMFC_BAD_COMMAND"),
    (meter_mod(0, 3, 1, [band()]), "OFPMMFC_BAD_FLAGS"),
    (meter_mod(0, 1, 1, [band(length=8)]), "OFPBRC_BAD_LEN"),
    (meter_mod(0, 1, 1, [band(btype=0xffff)]), "OFPMMFC_BAD_BAND"),
    (meter_mod(0, 1, 1, [band(btype=3)]), "OFPMMFC_BAD_BAND"),
    (meter_mod(0, 1, 1, [band(), bytes(8)]), "OFPBRC_BAD_LEN"),
]


@case
def same_errors_as_ovs():
    plxtest.require_program("ovs-ofctl")
    for msg, want in BAD_MODS:
        text = ofp_print(msg.hex())
        assert want in text, "ovs-ofctl on %s: %s" % (msg.hex(), text)
        ours = tool("decode", msg.hex()).strip()
        assert ours == "error=" + want, "plexus on %s: %s" % (msg.hex(),
                                                               ours)
        assert tool("print", msg.hex()).strip() == "error " + want


def os_ken():
    try:
        from os_ken.ofproto import ofproto_parser
        from os_ken.ofproto import ofproto_v1_3, ofproto_v1_3_parser
    except ImportError:
        raise Skip("python3-os-ken not installed")

    class Datapath:
        ofproto = ofproto_v1_3
        ofproto_parser = ofproto_v1_3_parser
        id = 1

        def set_xid(self, msg):
            msg.set_xid(0x77)

    return ofproto_parser, Datapath


def os_ken_parse(hexdata):
    ofproto_parser, Datapath = os_ken()
    buf = bytes.fromhex(hexdata)
    msg = ofproto_parser.msg(Datapath(), buf[0], buf[1],
                             int.from_bytes(buf[2:4], "big"),
                             int.from_bytes(buf[4:8], "big"), buf)
    assert msg is not None, "os-ken could not parse %s" % hexdata
    return msg


@case
def os_ken_parses_replies():
    s = samples()

    body = os_ken_parse(s["group_stats_reply"]).body
    assert [g.group_id for g in body] == [1, 7], body
    g = body[0]
    assert (g.ref_count, g.packet_count, g.byte_count) == (3, 30, 3000), g
    assert (g.duration_sec, g.duration_nsec) == (12, 500000000), g
    assert [(b.packet_count, b.byte_count) for b in g.bucket_stats] \
        == [(10, 1000), (20, 2000)], g.bucket_stats
    assert body[1].bucket_stats == [], body[1]

    body = os_ken_parse(s["group_desc_reply"]).body
    assert [(d.group_id, d.type) for d in body] == [(1, 1), (2, 0), (3, 3)]
    b0 = body[0].buckets[0]
    assert (b0.weight, b0.watch_port, b0.watch_group) \
        == (100, 1, 0xffffffff), b0
    assert b0.actions[0].port == 1, b0.actions
    assert body[0].buckets[1].weight == 50, body[0].buckets
    vlan = body[1].buckets[1].actions
    assert [type(a).__name__ for a in vlan] == [
        "OFPActionPushVlan", "OFPActionSetField", "OFPActionOutput"], vlan
    assert vlan[1].key == "vlan_vid" and vlan[1].value == 0x1005, vlan[1]
    assert body[2].buckets[1].watch_group == 2, body[2].buckets
    assert body[2].buckets[1].actions[0].group_id == 2

    f = os_ken_parse(s["group_features_reply"]).body
    assert (f.types, f.capabilities) == (0xf, 7), f
    assert f.max_groups == [65535, 65535, 16, 256], f
    assert f.actions == [0x03ff8001, 0x03ff8001, 1, 0x00400001], f

    body = os_ken_parse(s["meter_stats_reply"]).body
    m = body[0]
    assert (m.meter_id, m.flow_count, m.packet_in_count, m.byte_in_count) \
        == (1, 4, 100, 10000), m
    assert (m.duration_sec, m.duration_nsec) == (30, 250000000), m
    assert [(b.packet_band_count, b.byte_band_count)
            for b in m.band_stats] == [(5, 500), (6, 600)], m.band_stats
    assert body[1].meter_id == 2 and body[1].band_stats == [], body[1]

    body = os_ken_parse(s["meter_config_reply"]).body
    c = body[0]
    assert (c.meter_id, c.flags) == (1, 0xd), c
    assert [(type(b).__name__, b.rate, b.burst_size) for b in c.bands] == [
        ("OFPMeterBandDrop", 1000, 100),
        ("OFPMeterBandDscpRemark", 2000, 10)], c.bands
    assert c.bands[1].prec_level == 1, c.bands[1]
    assert (body[1].meter_id, body[1].flags, body[1].bands[0].rate) \
        == (2, 2, 5000), body[1]

    f = os_ken_parse(s["meter_features_reply"]).body[0]
    assert (f.max_meter, f.band_types, f.capabilities, f.max_bands,
            f.max_color) == (65536, 2, 15, 1, 0), f


def serialize(msg):
    msg.serialize()
    return bytes(msg.buf)


def decode(data):
    fields = {}
    for line in tool("decode", data.hex()).splitlines():
        key, _, value = line.partition("=")
        fields[key] = value
    return fields


@case
def plexus_decodes_os_ken_mods():
    _, Datapath = os_ken()
    from os_ken.ofproto import ofproto_v1_3 as o
    from os_ken.ofproto import ofproto_v1_3_parser as p
    dp = Datapath()

    buckets = [
        p.OFPBucket(weight=3, watch_port=o.OFPP_ANY,
                    watch_group=o.OFPG_ANY,
                    actions=[p.OFPActionOutput(5, 0)]),
        p.OFPBucket(weight=7, watch_port=o.OFPP_ANY,
                    watch_group=o.OFPG_ANY,
                    actions=[p.OFPActionSetField(eth_dst="00:00:00:00:00:09"),
                             p.OFPActionOutput(6, 0)]),
    ]
    d = decode(serialize(p.OFPGroupMod(dp, o.OFPGC_ADD, o.OFPGT_SELECT, 42,
                                       buckets)))
    assert (d["command"], d["type"], d["group_id"], d["n_buckets"]) \
        == ("0", "1", "42", "2"), d
    assert d["bucket0"] == ("weight:3,watch_port:4294967295,"
                            "watch_group:4294967295,actions=output:5"), d
    assert d["bucket1"].startswith("weight:7,"), d
    assert d["bucket1"].endswith(
        "actions=set_field:00:00:00:00:00:09->eth_dst,output:6"), d

    ff = [p.OFPBucket(watch_port=2, watch_group=o.OFPG_ANY,
                      actions=[p.OFPActionOutput(2, 0)])]
    d = decode(serialize(p.OFPGroupMod(dp, o.OFPGC_MODIFY, o.OFPGT_FF, 43,
                                       ff)))
    assert (d["command"], d["type"], d["bucket0"]) == (
        "1", "3", "weight:0,watch_port:2,watch_group:4294967295,"
        "actions=output:2"), d
    d = decode(serialize(p.OFPGroupMod(dp, o.OFPGC_DELETE, o.OFPGT_ALL,
                                       o.OFPG_ALL, [])))
    assert (d["command"], d["group_id"], d["n_buckets"]) \
        == ("2", str(0xfffffffc), "0"), d
    # os-ken lets a controller put a weight in an all group; Open vSwitch
    # and Plexus refuse it.
    bad = [p.OFPBucket(weight=2, actions=[p.OFPActionOutput(1, 0)])]
    d = decode(serialize(p.OFPGroupMod(dp, o.OFPGC_ADD, o.OFPGT_ALL, 1,
                                       bad)))
    assert d == {"error": "OFPGMFC_INVALID_GROUP"}, d

    bands = [p.OFPMeterBandDrop(rate=100, burst_size=10),
             p.OFPMeterBandDscpRemark(rate=200, burst_size=20,
                                      prec_level=2)]
    d = decode(serialize(p.OFPMeterMod(
        dp, o.OFPMC_ADD, o.OFPMF_PKTPS | o.OFPMF_BURST, 5, bands)))
    assert (d["command"], d["meter_id"], d["flags"], d["n_bands"]) \
        == ("0", "5", "6", "2"), d
    assert d["band0"] == "type:1,rate:100,burst:10,prec_level:0", d
    assert d["band1"] == "type:2,rate:200,burst:20,prec_level:2", d
    d = decode(serialize(p.OFPMeterMod(dp, o.OFPMC_DELETE, 0,
                                       o.OFPM_ALL, [])))
    assert (d["command"], d["meter_id"]) == ("2", str(0xffffffff)), d
    # An experimenter band: OFPMMFC_BAD_BAND, as in Open vSwitch.
    exp = [p.OFPMeterBandExperimenter(rate=1, burst_size=0,
                                      experimenter=0x2320)]
    d = decode(serialize(p.OFPMeterMod(dp, o.OFPMC_ADD, o.OFPMF_KBPS, 6,
                                       exp)))
    assert d == {"error": "OFPMMFC_BAD_BAND"}, d


if __name__ == "__main__":
    plxtest.run()
