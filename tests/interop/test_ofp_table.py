"""Plexus's table and queue codecs (lib/ofp-table) and its ovs-ofctl text
(lib/ofp-print) against real peers.

tests/interop/ofp-table-tool encodes samples of what a switch sends for
`ovs-ofctl show`, dump-desc, dump-tables, dump-table-features,
dump-ports, dump-ports-desc, queue-stats and queue-get-config (1.0 and
1.3), plus TABLE_MOD and requests.  Here:

  - `ovs-ofctl ofp-print HEX` must print, line for line, exactly what
    Plexus's ofp_print_to_string() prints for the same bytes, for every
    sample and for a few hundred random table features replies;
  - OS-Ken (os_ken.ofproto.ofproto_v1_3_parser) must parse Plexus's table
    features, queue stats and queue configuration replies to the values
    encoded;
  - requests that OS-Ken builds (TABLE_MOD, table features with and
    without a body, queue stats, queue get config) must decode in Plexus
    to what OS-Ken put in."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip


def tool():
    path = plxtest.build_path("tests", "interop", "ofp-table-tool")
    if not os.path.exists(path):
        raise Skip("ofp-table-tool not built")
    return path


def run_tool(*args):
    return subprocess.run([tool()] + list(args), check=True,
                          capture_output=True, text=True).stdout


def samples():
    """NAME -> list of hex messages (several for split multipart replies)."""
    result = {}
    for line in run_tool("encode").splitlines():
        name, hexdata = line.split()
        result.setdefault(name, []).append(hexdata)
    return result


def ovs_print(hexdata):
    result = subprocess.run(["ovs-ofctl", "ofp-print", hexdata],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def plexus_print(hexdata):
    return run_tool("print", hexdata)


def compare(name, hexdata):
    ours = plexus_print(hexdata).splitlines()
    theirs = ovs_print(hexdata).splitlines()
    assert not any("***" in l for l in theirs), \
        "%s: ovs-ofctl complains:\n%s" % (name, "\n".join(theirs))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, "%s line %d:\n plexus: %r\n ovs:    %r" % (
            name, i + 1, a, b)
    assert len(ours) == len(theirs), "%s: %d lines vs %d" % (
        name, len(ours), len(theirs))


# Each ovs-ofctl command's messages, and what must appear in the text (so
# that an empty or trivial output cannot pass).
COMMANDS = {
    "show": (["features_request_1", "features_1", "features_4",
              "port_desc_4", "port_desc_request_4", "get_config_reply_1",
              "get_config_reply_4", "get_config_reply_reasm_4"],
             [" 1(eth0): addr:52:54:00:12:34:56",
              "     current:    10GB-FD COPPER",
              "     speed: 10000 Mbps now, 0 Mbps max",
              "capabilities: FLOW_STATS TABLE_STATS PORT_STATS",
              "actions: output enqueue set_vlan_vid",
              "frags=normal miss_send_len=0", " LOCAL(br0): addr:"]),
    "dump-desc": (["desc_1", "desc_4"], ["Manufacturer: Plexus project",
                                         "DP Description: br0 on host1"]),
    "dump-tables": (["table_stats_1", "table_stats_4"],
                    ["tables 5...253: ditto", 'table 0 ("classifier")',
                     "active=5, lookup=100, matched=60"]),
    "dump-table-features": (["table_features_request_4", "table_features_4",
                             "table_features_set_4"],
                            ["tables 5...25: ditto", "next tables: 1-253",
                             "supported on Set-Field: tun_{id,src,dst,"]),
    "dump-ports": (["port_stats_1", "port_stats_4", "port_stats_request_1",
                    "port_stats_request_4", "port_stats_request_any_4"],
                   ["  port  2: rx pkts=10, bytes=1000, drop=1, errs=3, "
                    "frame=5, over=6, crc=7",
                    "           tx pkts=20, bytes=2000, drop=2, errs=4, "
                    "coll=8", "duration=30.500s", "rx pkts=?"]),
    "dump-ports-desc": (["port_desc_1", "port_desc_4",
                         "port_desc_request_1"],
                        [" 2(veth-b): addr:52:54:00:12:34:57"]),
    "queue-stats": (["queue_stats_1", "queue_stats_4",
                     "queue_stats_request_1", "queue_stats_request_4",
                     "queue_stats_request_all_1",
                     "queue_stats_request_all_4"],
                    ["port 1 queue 1: bytes=3000, pkts=2, errors=1, "
                     "duration=5.250s", "port=ANY queue=ALL",
                     "duration=?"]),
    "queue-get-config": (["queue_get_config_request_1",
                          "queue_get_config_request_4",
                          "queue_get_config_reply_1",
                          "queue_get_config_reply_4"],
                         ["queue 1: min_rate:10.0% max_rate:100.0%"]),
    "mod-table": (["table_mod_4", "table_mod_all_4"],
                  ["table_id=3", "table_id: ALL_TABLES"]),
    "header": (["barrier_reply_1", "barrier_reply_4"],
               ["OFPT_BARRIER_REPLY (OF1.3) (xid=0x1234abcd):"]),
}


def check_command(command):
    plxtest.require_program("ovs-ofctl")
    names, needles = COMMANDS[command]
    s = samples()
    text = ""
    for name in names:
        assert name in s, name
        for hexdata in s[name]:
            compare(name, hexdata)
            text += plexus_print(hexdata)
    for needle in needles:
        assert needle in text, "%s: %r not printed" % (command, needle)


@case
def show_matches_ovs_ofctl():
    check_command("show")


@case
def dump_desc_matches_ovs_ofctl():
    check_command("dump-desc")


@case
def dump_tables_matches_ovs_ofctl():
    check_command("dump-tables")


@case
def dump_table_features_matches_ovs_ofctl():
    check_command("dump-table-features")


@case
def dump_ports_matches_ovs_ofctl():
    check_command("dump-ports")


@case
def dump_ports_desc_matches_ovs_ofctl():
    check_command("dump-ports-desc")


@case
def queue_stats_matches_ovs_ofctl():
    check_command("queue-stats")


@case
def queue_get_config_matches_ovs_ofctl():
    check_command("queue-get-config")


@case
def table_mod_and_header_match_ovs_ofctl():
    check_command("mod-table")
    check_command("header")


@case
def every_sample_matches_ovs_ofctl():
    plxtest.require_program("ovs-ofctl")
    n = 0
    for name, hexes in samples().items():
        for hexdata in hexes:
            compare(name, hexdata)
            n += 1
    assert n >= 45, n


@case
def random_table_features_match_ovs_ofctl():
    plxtest.require_program("ovs-ofctl")
    n = 0
    for seed in (1, 2, 3):
        for line in run_tool("random", str(seed), "60").splitlines():
            compare("random seed %d #%d" % (seed, n), line.split()[1])
            n += 1
    assert n >= 180, n


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


@case
def os_ken_parses_table_features():
    from os_ken.ofproto import ofproto_v1_3 as o13
    os_ken()
    parts = samples()["table_features_4"]
    assert len(parts) >= 2, len(parts)
    tables = []
    for i, hexdata in enumerate(parts):
        m = os_ken_parse(hexdata)
        more = m.flags & o13.OFPMPF_REPLY_MORE
        assert bool(more) == (i < len(parts) - 1), (i, m.flags)
        tables.extend(m.body)
    assert [t.table_id for t in tables] == list(range(254))
    t0 = tables[0]
    assert t0.name.rstrip(b"\0") == b"classifier", t0.name
    assert t0.max_entries == 1000000 and tables[3].max_entries == 1000
    assert t0.metadata_match == 0xffffffffffffffff
    props = {p.type: p for p in t0.properties}
    insts = sorted(i.type for i in props[o13.OFPTFPT_INSTRUCTIONS]
                   .instruction_ids)
    assert insts == [1, 2, 3, 4, 5, 6], insts
    assert props[o13.OFPTFPT_NEXT_TABLES].table_ids == list(range(1, 254))
    acts = sorted(a.type for a in props[o13.OFPTFPT_APPLY_ACTIONS]
                  .action_ids)
    assert acts == [0] + list(range(15, 26)), acts
    # Match fields: OS-Ken names the OXM ones; the NXM/experimenter ones
    # it does not know come as raw ids.
    match = props[o13.OFPTFPT_MATCH].oxm_ids
    named = {x.type: bool(x.hasmask) for x in match}
    assert named.get("in_port") is False, named
    assert named.get("eth_src") is True, named
    assert named.get("ipv4_dst") is True, named
    assert named.get("vlan_pcp") is False, named
    assert named.get("reg3") is True, named         # NXM header
    wild = {x.type for x in props[o13.OFPTFPT_WILDCARDS].oxm_ids}
    assert {"in_port", "eth_type", "tcp_dst"} <= wild, wild
    setf = {x.type for x in props[o13.OFPTFPT_APPLY_SETFIELD].oxm_ids}
    assert {"eth_dst", "vlan_vid", "ipv4_src"} <= setf, setf
    assert "eth_type" not in setf, setf
    # Table 200 has no write set-fields.
    p200 = {p.type: p for p in tables[200].properties}
    assert p200[o13.OFPTFPT_WRITE_SETFIELD].oxm_ids == []


@case
def os_ken_parses_queue_replies():
    os_ken()
    s = samples()
    for ver in (1, 4):
        m = os_ken_parse(s["queue_stats_%d" % ver][0])
        got = [(q.port_no, q.queue_id, q.tx_bytes, q.tx_packets, q.tx_errors)
               for q in m.body]
        local = 0xfffe if ver == 1 else 0xfffffffe
        assert got == [(1, 0, 1500, 10, 0), (1, 1, 3000, 2, 1),
                       (local, 7, 0, 0, 0)], got
        if ver == 4:
            assert [(q.duration_sec, q.duration_nsec) for q in m.body] == \
                [(5, 0), (5, 250000000), (0xffffffff, 0xffffffff)]

    m = os_ken_parse(s["queue_get_config_reply_4"][0])
    assert m.port == 1, m
    rates = {}
    for q in m.queues:
        assert q.port == 1, q
        rates[q.queue_id] = {p.property: p.rate for p in q.properties}
    assert rates == {2: {1: 500}, 0: {}, 1: {1: 100, 2: 1000}}, rates

    m = os_ken_parse(s["queue_get_config_reply_1"][0])
    assert m.port == 1, m
    got = {q.queue_id: sorted(p.property for p in q.properties)
           for q in m.queues}
    assert got == {2: [1], 0: [], 1: [1]}, got     # 1.0: no MAX_RATE


def serialize(msg):
    msg.serialize()
    return bytes(msg.buf)


def decode(data):
    fields = {}
    for line in run_tool("decode", data.hex()).splitlines():
        key, _, value = line.partition("=")
        fields.setdefault(key, value)
    return fields


@case
def plexus_decodes_os_ken_requests():
    _, Datapath = os_ken()
    from os_ken.ofproto import ofproto_v1_0_parser as p10
    from os_ken.ofproto import ofproto_v1_3_parser as p13
    dp10, dp13 = Datapath(1), Datapath(4)

    d = decode(serialize(p13.OFPTableMod(dp13, 5, 3)))
    assert (d["type"], d["table_id"], d["config"]) == \
        ("OFPT_TABLE_MOD", "5", "3"), d

    d = decode(serialize(p13.OFPQueueStatsRequest(dp13, 0, 7, 3)))
    assert (d["port_no"], d["queue_id"]) == ("7", "3"), d
    d = decode(serialize(p13.OFPQueueStatsRequest(dp13, 0, 0xffffffff,
                                                  0xffffffff)))
    assert (d["port_no"], d["queue_id"]) == (str(0xffffffff),
                                             str(0xffffffff)), d
    d = decode(serialize(p10.OFPQueueStatsRequest(dp10, 0, 0xfffc, 2)))
    assert (d["port_no"], d["queue_id"]) == (str(0xffffffff), "2"), d

    d = decode(serialize(p13.OFPQueueGetConfigRequest(dp13, 4)))
    assert (d["type"], d["port_no"]) == \
        ("OFPT_QUEUE_GET_CONFIG_REQUEST", "4"), d
    d = decode(serialize(p10.OFPQueueGetConfigRequest(dp10, 4)))
    assert d["port_no"] == "4", d
    # A reserved port is OFPQOFC_BAD_PORT, as in Open vSwitch.
    d = decode(serialize(p13.OFPQueueGetConfigRequest(dp13, 0xfffffffe)))
    assert d["error"] == "OFPQOFC_BAD_PORT", d

    d = decode(serialize(p13.OFPTableFeaturesStatsRequest(dp13, 0, [])))
    assert (d["set"], d["n_tables"]) == ("0", "0"), d

    tf = p13.OFPTableFeaturesStats(
        table_id=1, name=b"acl", metadata_match=0xff, metadata_write=0,
        config=0, max_entries=500, properties=[
            p13.OFPTableFeaturePropInstructions(
                type_=0, instruction_ids=[
                    p13.OFPInstructionId(type_=1),
                    p13.OFPInstructionId(type_=4)]),
            p13.OFPTableFeaturePropActions(
                type_=6, action_ids=[p13.OFPActionId(type_=0),
                                     p13.OFPActionId(type_=25)]),
            p13.OFPTableFeaturePropOxm(
                type_=8, oxm_ids=[p13.OFPOxmId(type_="eth_dst",
                                               hasmask=True),
                                  p13.OFPOxmId(type_="in_port")]),
            p13.OFPTableFeaturePropOxm(
                type_=14, oxm_ids=[p13.OFPOxmId(type_="vlan_vid")]),
        ])
    d = decode(serialize(p13.OFPTableFeaturesStatsRequest(dp13, 0, [tf])))
    assert (d["set"], d["n_tables"], d["table_id"], d["name"]) == \
        ("1", "1", "1", "acl"), d
    assert (d["max_entries"], d["metadata_match"]) == ("500", "0xff"), d
    assert d["instructions"] == "0x12", d           # goto_table, apply
    assert d["apply_actions"] == "0x2000001", d     # output, set_field
    assert d["match"] == "in_port,dl_dst,", d
    assert d["mask"] == "dl_dst,", d
    assert d["apply_setfield"] == "vlan_vid,", d

    # Strict decoding of a request: a masked field where masks are not
    # allowed, and an unknown instruction, are Open vSwitch's errors.
    bad = p13.OFPTableFeaturesStats(
        table_id=1, name=b"x", metadata_match=0, metadata_write=0, config=0,
        max_entries=1, properties=[p13.OFPTableFeaturePropOxm(
            type_=14, oxm_ids=[p13.OFPOxmId(type_="vlan_vid",
                                            hasmask=True)])])
    d = decode(serialize(p13.OFPTableFeaturesStatsRequest(dp13, 0, [bad])))
    assert d["error"] == "OFPBMC_BAD_MASK", d
    bad.properties = [p13.OFPTableFeaturePropInstructions(
        type_=0, instruction_ids=[p13.OFPInstructionId(type_=9)])]
    d = decode(serialize(p13.OFPTableFeaturesStatsRequest(dp13, 0, [bad])))
    assert d["error"] == "OFPBIC_UNKNOWN_INST", d
    bad.table_id = 0xff
    bad.properties = []
    d = decode(serialize(p13.OFPTableFeaturesStatsRequest(dp13, 0, [bad])))
    assert d["error"] == "OFPTFFC_BAD_TABLE", d


if __name__ == "__main__":
    plxtest.run()
