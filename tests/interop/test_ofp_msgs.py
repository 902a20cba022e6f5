"""Plexus's OpenFlow message codecs (lib/ofp-msgs) against real peers.

tests/interop/ofp-msgs-tool encodes a sample of every message Plexus
writes in OpenFlow 1.0 and 1.3 and decodes hex it is given.  Here:

  - Debian's `ovs-ofctl ofp-print` must decode every sample without
    complaint and show the values that were encoded;
  - OS-Ken's parsers (os_ken.ofproto) must parse every sample that a
    switch sends to a controller, with the same field values;
  - messages that OS-Ken builds as a controller (HELLO with a version
    bitmap, SET_CONFIG, PORT_MOD, ROLE_REQUEST, SET_ASYNC, port stats and
    port description requests, ...) must decode in Plexus to the values
    OS-Ken put in."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip


def tool():
    path = plxtest.build_path("tests", "interop", "ofp-msgs-tool")
    if not os.path.exists(path):
        raise Skip("ofp-msgs-tool not built")
    return path


def samples():
    out = subprocess.run([tool(), "encode"], check=True,
                         capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        name, hexdata = line.split()
        # Multipart replies may come in several messages; keep the first.
        result.setdefault(name, hexdata)
    return result


def decode(data):
    out = subprocess.run([tool(), "decode", data.hex()], check=True,
                         capture_output=True, text=True).stdout
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        fields[key] = value
    return fields


def ofp_print(hexdata):
    result = subprocess.run(["ovs-ofctl", "ofp-print", hexdata],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


# What ovs-ofctl must print for each sample (per version suffix _1/_4).
OFP_PRINT_EXPECT = {
    "hello": ["OFPT_HELLO (OF1.3)", "version bitmap: 0x01, 0x04"],
    "error": ["OFPT_ERROR", "OFPBRC_BAD_TYPE", "OFPT_BARRIER_REQUEST"],
    "echo": ["OFPT_ECHO_REQUEST", "3 bytes of payload"],
    "features": ["OFPT_FEATURES_REPLY", "dpid:0000123456789abc",
                 "n_tables:254, n_buffers:256",
                 "FLOW_STATS TABLE_STATS PORT_STATS"],
    "set_config": ["OFPT_SET_CONFIG", "frags=drop miss_send_len=1500"],
    "get_config_reply": ["OFPT_GET_CONFIG_REPLY",
                         "frags=drop miss_send_len=1500"],
    "port_status": ["OFPT_PORT_STATUS", "MOD: 3(veth3): "
                    "addr:52:54:00:12:34:56", "config:     NO_PACKET_IN",
                    "state:      LINK_DOWN", "current:    1GB-FD COPPER",
                    "advertised: 100MB-FD AUTO_NEG",
                    "supported:  10GB-FD FIBER", "peer:       10MB-HD",
                    "speed: 1000 Mbps now, 10000 Mbps max"],
    "port_mod": ["OFPT_PORT_MOD", "port: 3: addr:02:00:00:00:00:03",
                 "config: PORT_DOWN", "mask:   PORT_DOWN",
                 "advertise: 1GB-FD"],
    "barrier_request": ["OFPT_BARRIER_REQUEST"],
    "desc_reply": ["OFPST_DESC reply", "Manufacturer: Plexus",
                   "Hardware: userspace", "Software: 0.1",
                   "Serial Num: None", "DP Description: br0"],
    "port_stats_request": ["OFPST_PORT request", "port_no=2"],
    "port_stats_reply": ["OFPST_PORT reply", "1 ports",
                         "rx pkts=10, bytes=1000, drop=1, errs=3, frame=5, "
                         "over=6, crc=7",
                         "tx pkts=20, bytes=2000, drop=2, errs=4, coll=8"],
    "table_stats_reply": ["OFPST_TABLE reply", "table 0",
                          "active=5, lookup=100, matched=60"],
    "port_desc_reply": ["OFPST_PORT_DESC reply", "1(eth1)", "LOCAL(br0)"],
    "role_request": ["OFPT_ROLE_REQUEST", "generation_id=4660"],
    "role_reply": ["OFPT_ROLE_REPLY", "generation_id=4660"],
    "set_async": ["OFPT_SET_ASYNC", "PACKET_IN: no_match action",
                  "PORT_STATUS: add delete modify",
                  "FLOW_REMOVED: idle hard delete group_delete"],
}


@case
def ovs_ofctl_prints_every_sample():
    plxtest.require_program("ovs-ofctl")
    seen = 0
    for name, hexdata in samples().items():
        base = name.rsplit("_", 1)[0] if name[-2:] in ("_1", "_4") else name
        out = ofp_print(hexdata)
        assert "***" not in out, "%s: ovs-ofctl complains:\n%s" % (name, out)
        for text in OFP_PRINT_EXPECT[base]:
            assert text in out, "%s: %r not in:\n%s" % (name, text, out)
        if name.endswith("_4") or name == "hello":
            assert "(OF1.3)" in out, name
        elif name.endswith("_1"):
            assert "(OF1." not in out, name
        seen += 1
    assert seen >= 30, seen


@case
def ovs_ofctl_table_stats_10_shows_name_and_max():
    plxtest.require_program("ovs-ofctl")
    out = ofp_print(samples()["table_stats_reply_1"])
    assert 'table 0 ("classifier")' in out, out
    assert "max_entries=1000000" in out, out


def os_ken():
    try:
        from os_ken.ofproto import ofproto_parser
        from os_ken.ofproto import ofproto_v1_0, ofproto_v1_0_parser
        from os_ken.ofproto import ofproto_v1_3, ofproto_v1_3_parser
    except ImportError:
        raise Skip("python3-os-ken not installed")

    class Datapath:
        def __init__(self, version):
            if version == 1:
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
    length = int.from_bytes(buf[2:4], "big")
    xid = int.from_bytes(buf[4:8], "big")
    msg = ofproto_parser.msg(Datapath(version), version, msg_type, length,
                             xid, buf)
    assert msg is not None, "os-ken could not parse %s" % hexdata
    return msg


def check_port(port, port_no, name, speed_check):
    assert port.port_no == port_no, port
    assert port.hw_addr == "52:54:00:12:34:56", port
    assert port.name.rstrip(b"\0") == name, port
    assert port.config == 64 and port.state == 1, port     # NO_PACKET_IN
    if speed_check:
        assert port.curr_speed == 1000000, port
        assert port.max_speed == 10000000, port


@case
def os_ken_parses_switch_messages():
    s = samples()
    for ver in (1, 4):
        local = 0xfffe if ver == 1 else 0xfffffffe

        m = os_ken_parse(s["features_%d" % ver])
        assert m.datapath_id == 0x123456789abc and m.n_tables == 254, m
        assert m.n_buffers == 256 and m.capabilities & 0x7 == 0x7, m
        if ver == 1:
            assert sorted(m.ports) == [1, local], m.ports
            check_port(m.ports[1], 1, b"eth1", False)
        else:
            assert m.capabilities & 0x8, m      # GROUP_STATS

        m = os_ken_parse(s["get_config_reply_%d" % ver])
        assert m.flags == 1 and m.miss_send_len == 1500, m

        m = os_ken_parse(s["port_status_%d" % ver])
        assert m.reason == 2, m
        check_port(m.desc, 3, b"veth3", ver == 4)

        m = os_ken_parse(s["desc_reply_%d" % ver])
        body = m.body
        assert body.mfr_desc.rstrip(b"\0") == b"Plexus", body
        assert body.dp_desc.rstrip(b"\0") == b"br0", body

        m = os_ken_parse(s["port_stats_reply_%d" % ver])
        ps = m.body[0]
        assert (ps.port_no, ps.rx_packets, ps.tx_bytes, ps.collisions) \
            == (2, 10, 2000, 8), ps
        if ver == 4:
            assert ps.duration_sec == 30 and ps.duration_nsec == 500, ps

        m = os_ken_parse(s["table_stats_reply_%d" % ver])
        ts = m.body[0]
        assert ts.active_count == 5 and ts.lookup_count == 100, ts
        assert ts.matched_count == 60, ts

        m = os_ken_parse(s["port_desc_reply_%d" % ver]) if ver == 4 else None
        if m:
            assert [p.port_no for p in m.body] == [1, local], m.body
            check_port(m.body[0], 1, b"eth1", True)

        m = os_ken_parse(s["echo_%d" % ver])
        assert m.data == b"hi!", m

        m = os_ken_parse(s["error_%d" % ver])
        assert (m.type, m.code) == (1, 1), m     # BAD_REQUEST/BAD_TYPE

    m = os_ken_parse(s["role_reply_4"])
    assert m.role == 2 and m.generation_id == 0x1234, m
    m = os_ken_parse(s["hello"])
    assert m.elements[0].versions == [1, 4], m.elements


def serialize(msg):
    msg.serialize()
    return bytes(msg.buf)


@case
def plexus_decodes_os_ken_requests():
    _, Datapath = os_ken()
    from os_ken.ofproto import ofproto_v1_0_parser as p10
    from os_ken.ofproto import ofproto_v1_3_parser as p13
    dp10, dp13 = Datapath(1), Datapath(4)

    # os-ken's OFPHello does not serialize its elements: a plain 1.3 HELLO
    # offers 1.0 to 1.3.  A bitmap HELLO is written by hand (spec 7.5.1).
    d = decode(serialize(p13.OFPHello(dp13)))
    assert d["type"] == "OFPT_HELLO" and d["versions"] == "0x1e", d
    d = decode(bytes.fromhex("04000010000000010001000800000012"))
    assert d["versions"] == "0x12", d
    d = decode(serialize(p10.OFPHello(dp10)))
    assert d["versions"] == "0x2", d

    for p, dp in ((p10, dp10), (p13, dp13)):
        d = decode(serialize(p.OFPSetConfig(dp, 2, 0xffff)))
        assert (d["type"], d["frag"], d["miss_send_len"]) \
            == ("OFPT_SET_CONFIG", "2", "65535"), d

        d = decode(serialize(p.OFPPortMod(
            dp, port_no=7, hw_addr="0a:0b:0c:0d:0e:0f", config=1, mask=65,
            advertise=0x20)))
        assert d["type"] == "OFPT_PORT_MOD", d
        assert (d["port_no"], d["hw_addr"], d["config"], d["mask"]) \
            == ("7", "0a:0b:0c:0d:0e:0f", "1", "65"), d
        assert d["advertise"] == "32", d            # 1GB_FD, both layouts

        d = decode(serialize(p.OFPEchoRequest(dp, data=b"xyz")))
        assert d["type"] == "OFPT_ECHO_REQUEST", d
        d = decode(serialize(p.OFPFeaturesRequest(dp)))
        assert d["type"] == "OFPT_FEATURES_REQUEST", d
        d = decode(serialize(p.OFPBarrierRequest(dp)))
        assert d["type"] == "OFPT_BARRIER_REQUEST", d
        d = decode(serialize(p.OFPGetConfigRequest(dp)))
        assert d["type"] == "OFPT_GET_CONFIG_REQUEST", d
        d = decode(serialize(p.OFPDescStatsRequest(dp, 0)))
        assert d["type"] == "OFPST_DESC request", d
        d = decode(serialize(p.OFPTableStatsRequest(dp, 0)))
        assert d["type"] == "OFPST_TABLE request", d

    d = decode(serialize(p10.OFPPortStatsRequest(dp10, 0, 0xffff)))
    assert d["type"] == "OFPST_PORT request", d
    assert d["port_no"] == str(0xffffffff), d       # NONE -> ANY
    d = decode(serialize(p13.OFPPortStatsRequest(dp13, 0, 5)))
    assert d["port_no"] == "5", d
    d = decode(serialize(p13.OFPPortDescStatsRequest(dp13, 0)))
    assert d["type"] == "OFPST_PORT_DESC request", d

    d = decode(serialize(p13.OFPRoleRequest(dp13, 3, 99)))
    assert (d["type"], d["role"], d["generation_id"]) \
        == ("OFPT_ROLE_REQUEST", "3", "99"), d
    d = decode(serialize(p13.OFPSetAsync(dp13, [3, 1], [7, 7], [15, 0])))
    assert (d["packet_in"], d["port_status"], d["flow_removed"]) \
        == ("3,1", "7,7", "15,0"), d
    d = decode(serialize(p13.OFPGetAsyncRequest(dp13)))
    assert d["type"] == "OFPT_GET_ASYNC_REQUEST", d
    for cls in ("OFPGroupFeaturesStatsRequest", "OFPMeterFeaturesStatsRequest",
                "OFPGroupDescStatsRequest"):
        d = decode(serialize(getattr(p13, cls)(dp13, 0)))
        assert d["type"].startswith("OFPST_"), (cls, d)


@case
def plexus_rejects_bad_os_ken_messages():
    _, Datapath = os_ken()
    from os_ken.ofproto import ofproto_v1_3_parser as p13
    dp13 = Datapath(4)

    good = serialize(p13.OFPRoleRequest(dp13, 2, 1))
    # Truncated (length field fixed up to match): BAD_LEN.
    cut = bytearray(good[:20])
    cut[2:4] = (20).to_bytes(2, "big")
    assert decode(bytes(cut))["error"] == "OFPBRC_BAD_LEN"
    # Bad role: OFPRRFC_BAD_ROLE.
    bad = bytearray(good)
    bad[8:12] = (7).to_bytes(4, "big")
    assert decode(bytes(bad))["error"] == "OFPRRFC_BAD_ROLE"
    # Wrong version: BAD_VERSION.
    bad = bytearray(good)
    bad[0] = 5
    assert decode(bytes(bad))["error"] == "OFPBRC_BAD_VERSION"
    # Unknown multipart type: BAD_MULTIPART (BAD_STAT in OF1.0 terms).
    req = bytearray(serialize(p13.OFPDescStatsRequest(dp13, 0)))
    req[8:10] = (77).to_bytes(2, "big")
    assert decode(bytes(req))["error"] == "OFPBRC_BAD_STAT"


if __name__ == "__main__":
    plxtest.run()
