"""plx-vsctl against real peers: Debian's ovsdb-server and ovs-vsctl.

Each scenario starts Debian's ovsdb-server on a fresh database created
from the Plexus schema (vswitchd/vswitch.ovsschema) in a temporary
directory, and kills it by PID afterwards.  plx-vsctl configures it and
Debian's ovs-vsctl, pointed at the same database, reads back what it wrote
(and the other way round); for a battery of read commands the two tools'
outputs must be identical.  Known, deliberate differences are listed
below ("Where plx-vsctl's output may legitimately differ") and normalized
away, nothing else.

A fake switch (a thread that copies Open_vSwitch next_cfg to cur_cfg, as
plx-vswitchd does once it has applied a change) shows that plx-vsctl
without --no-wait returns only after the switch caught up, and that
--timeout gives up when nothing does."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

OVSDB_SERVER = "/usr/sbin/ovsdb-server"

# Where plx-vsctl's output may legitimately differ from ovs-vsctl's:
#
#  - Row order.  "list" and "find" print rows in the order of the client's
#    in-memory hash table, which differs between the two programs (the
#    hash functions differ).  Multi-row tables are compared as sets of
#    rows; single-row output and every ordered output (list-br,
#    list-ports, show, get...) must match exactly.
#  - The program name in messages ("plx-vsctl: ..." vs "ovs-vsctl: ...").
#  - --timeout: both die of SIGALRM; ovs-vsctl's message is a log line
#    "fatal_signal|WARN|terminating with signal 14", plx-vsctl's is
#    "plx-vsctl: timeout: ..." saying what it was waiting for.


# ---- Servers and tools. ----

class Server:
    """Debian's ovsdb-server on a new database with the Plexus schema."""

    def __init__(self):
        plxtest.require_program("ovs-vsctl")
        plxtest.require_program("ovsdb-tool")
        if not os.path.exists(OVSDB_SERVER):
            raise Skip("%s not installed" % OVSDB_SERVER)
        self.plx_bin = plxtest.build_path("utilities", "plx-vsctl")
        if not os.path.exists(self.plx_bin):
            raise Skip("plx-vsctl not built")
        schema = os.path.join(plxtest.SRCDIR, "vswitchd",
                              "vswitch.ovsschema")
        self.dir = tempfile.mkdtemp(prefix="plx-vsctl-")
        self.db = os.path.join(self.dir, "conf.db")
        self.sock = os.path.join(self.dir, "db.sock")
        self.pidfile = os.path.join(self.dir, "ovsdb-server.pid")
        subprocess.run(["ovsdb-tool", "create", self.db, schema],
                       check=True, capture_output=True)
        self.log = open(os.path.join(self.dir, "ovsdb-server.log"), "w")
        self.proc = subprocess.Popen(
            [OVSDB_SERVER, "--remote=punix:" + self.sock,
             "--pidfile=" + self.pidfile,
             "--unixctl=" + os.path.join(self.dir, "ovsdb-server.ctl"),
             "--log-file=" + os.path.join(self.dir, "ovsdb-server.vlog"),
             self.db],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise AssertionError("ovsdb-server did not start")
            time.sleep(0.02)
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        PLX_RUNDIR=self.dir, PLX_LOGDIR=self.dir)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.stop()

    def run(self, tool, args, wait=False, timeout=30):
        argv = [tool, "--db=unix:" + self.sock]
        if not wait:
            argv.append("--no-wait")
        return subprocess.run(argv + list(args), capture_output=True,
                              text=True, timeout=timeout, env=self.env)

    def plx(self, *args, **kw):
        return self.run(self.plx_path(), args, **kw)

    def ovs(self, *args, **kw):
        return self.run("ovs-vsctl", args, **kw)

    def plx_path(self):
        return self.plx_bin

    def popen(self, tool, args):
        return subprocess.Popen([tool, "--db=unix:" + self.sock] + list(args),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env=self.env)


def ok(result):
    """The stdout of a command that must succeed."""
    if result.returncode != 0:
        raise AssertionError("%s failed (exit %d): %s"
                             % (" ".join(result.args), result.returncode,
                                result.stderr.strip()))
    return result.stdout


def check_equal(what, ours, theirs):
    if ours != theirs:
        raise AssertionError("%s differs:\n--- plx-vsctl\n%s\n--- ovs-vsctl\n%s"
                             % (what, ours, theirs))


# ---- A shared, populated database for the read comparisons. ----

POPULATE = [
    ["init"],
    ["add-br", "br0", "--", "add-br", "br1", "--", "add-br", "fb", "br0",
     "10"],
    ["add-port", "br0", "p1", "--", "set", "Interface", "p1", "type=internal",
     "options:remote_ip=1.2.3.4", 'options:key="a b"'],
    ["add-port", "fb", "p2"],
    ["add-bond", "br1", "bond0", "e1", "e2", "bond_mode=balance-slb"],
    ["set-controller", "br0", "tcp:127.0.0.1:6653", "ptcp:6634"],
    ["set-fail-mode", "br0", "secure"],
    ["set-manager", "ptcp:6640"],
    ["br-set-external-id", "br0", "owner", "test"],
    ["br-set-external-id", "fb", "owner", "fake"],
    ["set", "Bridge", "br1", 'other_config:hwaddr="00:11:22:33:44:55"'],
    ["set", "Port", "p1", "trunks=1,2,3"],
    ["set", "Open_vSwitch", ".", "ovs_version=3.1.0",
     "external_ids:system-id=host-a"],
    ["set-ssl", "/key.pem", "/cert.pem", "/ca.pem"],
]

_shared = {}


def shared():
    """The populated server (written by plx-vsctl), started once."""
    if "server" not in _shared:
        s = Server()
        _shared["server"] = s
        for args in POPULATE:
            ok(s.plx(*args))
    return _shared["server"]


def sort_records(text, fmt):
    """Normalizes multi-row output to a canonical row order."""
    if fmt == "list":
        return "\n".join(sorted(r.strip("\n") for r in text.split("\n\n")))
    if fmt in ("table", "csv"):
        lines = text.splitlines()
        head = 2 if fmt == "table" else 1
        return "\n".join(lines[:head] + sorted(lines[head:]))
    if fmt == "json":
        j = json.loads(text)
        j["data"].sort(key=lambda row: json.dumps(row))
        return json.dumps(j, sort_keys=True)
    return text


def compare(name, args, fmt=None):
    """A case: ARGS must print the same with both tools (rows sorted if
    FMT names a multi-row format)."""
    def check():
        s = shared()
        ours, theirs = s.plx(*args), s.ovs(*args)
        check_equal("exit status", ours.returncode, theirs.returncode)
        a, b = ok(ours), ok(theirs)
        if fmt:
            a, b = sort_records(a, fmt), sort_records(b, fmt)
        check_equal(" ".join(args), a, b)
    check.__name__ = "read_" + name
    case(check)


for _name, _args, _fmt in [
        ("list_br", ["list-br"], None),
        ("list_br_real", ["--real", "list-br"], None),
        ("list_br_fake", ["--fake", "list-br"], None),
        ("list_ports", ["list-ports", "br0"], None),
        ("list_ports_fake_bridge", ["list-ports", "fb"], None),
        ("list_ifaces_bond", ["list-ifaces", "br1"], None),
        ("port_to_br", ["port-to-br", "p2"], None),
        ("iface_to_br", ["iface-to-br", "e2"], None),
        ("br_to_vlan_fake", ["br-to-vlan", "fb"], None),
        ("br_to_vlan_real", ["br-to-vlan", "br0"], None),
        ("br_to_parent_fake", ["br-to-parent", "fb"], None),
        ("br_get_external_id", ["br-get-external-id", "br0"], None),
        ("br_get_external_id_fake", ["br-get-external-id", "fb", "owner"],
         None),
        ("get_controller", ["get-controller", "br0"], None),
        ("get_fail_mode", ["get-fail-mode", "br0"], None),
        ("get_manager", ["get-manager"], None),
        ("get_ssl", ["get-ssl"], None),
        ("show", ["show"], None),
        ("get_columns_and_keys", ["get", "Interface", "p1", "options",
                                  "options:remote_ip", "name", "type"],
         None),
        ("get_uuid", ["get", "Bridge", "br0", "_uuid", "fail_mode"], None),
        ("get_abbreviated", ["get", "br", "br1", "other"], None),
        ("get_open_vswitch_dot", ["get", "Open_vSwitch", ".", "ovs_version",
                                  "external_ids:system-id"], None),
        ("get_controller_by_bridge_name", ["--if-exists", "get",
                                           "Controller", "br0", "target"],
         None),
        ("list_interface_one_row", ["list", "Interface", "p1"], None),
        ("list_bridge_columns", ["--columns=name,fail_mode,external_ids",
                                 "list", "Bridge"], "list"),
        ("list_port_table_format", ["--format=table",
                                    "--columns=name,tag,trunks",
                                    "list", "Port"], "table"),
        ("find_internal", ["find", "Interface", "type=internal"], "list"),
        ("find_bare", ["--bare", "--columns=name", "find", "Interface",
                       "type=internal"], "list"),
        ("find_set_operator", ["--columns=name", "find", "Port",
                               "trunks{>=}[1,3]"], "list"),
        ("find_map_key", ["--columns=name,options", "find", "Interface",
                          "options:remote_ip=1.2.3.4"], "list"),
        ("csv", ["--format=csv", "--columns=name,ofport,options", "list",
                 "Interface"], "csv"),
        ("json", ["--format=json", "--columns=name,options,_uuid", "list",
                  "Interface"], "json"),
        ("json_pretty_one_row", ["--format=json", "--pretty",
                                 "--columns=name,options", "find",
                                 "Interface", "name=p1"], None),
        ("html_one_row", ["--format=html", "--columns=_uuid,name,trunks",
                          "list", "Port", "p1"], None),
        ("data_json", ["--data=json", "--columns=name,options,ofport",
                       "list", "Interface", "p1"], None),
        ("no_headings_table", ["--format=table", "--no-headings",
                               "--columns=name,type", "list", "Interface",
                               "p1"], None),
        ("oneline_chained", ["--oneline", "get", "Interface", "p1", "name",
                             "options", "--", "list-br"], None),
        ("list_empty_table", ["list", "NetFlow"], None),
]:
    compare(_name, _args, _fmt)


# ---- The sequence of the "Must show": plx-vsctl against ovsdb-server. --

_seq = {}


def seq():
    if "server" not in _seq:
        _seq["server"] = Server()
    return _seq["server"]


@case
def sequence_init():
    s = seq()
    ok(s.plx("init"))
    rows = ok(s.ovs("--columns=_uuid", "--bare", "list", "Open_vSwitch"))
    check_equal("Open_vSwitch rows", len(rows.split()), 1)


@case
def sequence_add_br():
    s = seq()
    ok(s.plx("add-br", "br0"))
    check_equal("ovs-vsctl list-br", ok(s.ovs("list-br")), "br0\n")
    check_equal("local interface type",
                ok(s.ovs("get", "Interface", "br0", "type")), "internal\n")


@case
def sequence_add_port():
    s = seq()
    ok(s.plx("add-port", "br0", "p1", "tag=7"))
    check_equal("ovs-vsctl list-ports", ok(s.ovs("list-ports", "br0")),
                "p1\n")
    check_equal("tag from add-port's settings",
                ok(s.ovs("get", "Port", "p1", "tag")), "7\n")


@case
def sequence_set_interface_options():
    s = seq()
    ok(s.plx("set", "Interface", "p1", "type=vxlan",
             "options:remote_ip=192.0.2.7", "options:key=flow"))
    check_equal("options",
                ok(s.ovs("get", "Interface", "p1", "options:remote_ip",
                         "options:key", "type")),
                '"192.0.2.7"\nflow\nvxlan\n')


@case
def sequence_list():
    s = seq()
    out = ok(s.plx("list", "Interface", "p1"))
    for line in ['name                : p1',
                 'options             : {key=flow, remote_ip="192.0.2.7"}',
                 'type                : vxlan']:
        if line not in out.splitlines():
            raise AssertionError("missing %r in:\n%s" % (line, out))


@case
def sequence_find():
    s = seq()
    check_equal("find",
                ok(s.plx("--bare", "--columns=name", "find", "Interface",
                         "options:remote_ip=192.0.2.7")), "p1\n")
    check_equal("find nothing",
                ok(s.plx("find", "Interface", "type=gre")), "")


@case
def sequence_show():
    s = seq()
    out = ok(s.plx("show"))
    want = ["    Bridge br0", "        Port p1", "            tag: 7",
            "            Interface p1", "                type: vxlan",
            '                options: {key=flow, remote_ip="192.0.2.7"}']
    lines = out.splitlines()
    for w in want:
        if w not in lines:
            raise AssertionError("missing %r in:\n%s" % (w, out))
    check_equal("show", out, ok(s.ovs("show")))


@case
def sequence_del_br():
    s = seq()
    try:
        ok(s.plx("del-br", "br0"))
        check_equal("list-br", ok(s.ovs("list-br")), "")
        for table in ("Bridge", "Port", "Interface"):
            check_equal(table + " rows", ok(s.ovs("list", table)), "")
    finally:
        s.stop()
        del _seq["server"]


# ---- Writes by one tool look like writes by the other. ----

def masked_record(s, table, name):
    """A record as ovs-vsctl lists it, UUIDs masked and NAME replaced."""
    text = ok(s.ovs("list", table, name))
    text = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "UUID", text)
    return text.replace(name, "NAME")


@case
def writes_match_ovs_vsctl():
    with Server() as s:
        ok(s.ovs("init"))
        ok(s.ovs("add-br", "ovsbr", "--", "add-port", "ovsbr", "ovsport",
                 "--", "add-br", "ovsfake", "ovsbr", "5"))
        ok(s.plx("add-br", "plxbr", "--", "add-port", "plxbr", "plxport",
                 "--", "add-br", "plxfake", "plxbr", "5"))
        for table, a, b in [("Bridge", "ovsbr", "plxbr"),
                            ("Port", "ovsport", "plxport"),
                            ("Interface", "ovsport", "plxport"),
                            ("Port", "ovsfake", "plxfake")]:
            mine = masked_record(s, table, b).replace("NAME", "X")
            theirs = masked_record(s, table, a).replace("NAME", "X")
            mine = mine.replace("plxfake", "F").replace("plx", "")
            theirs = theirs.replace("ovsfake", "F").replace("ovs", "")
            check_equal("%s record" % table, mine, theirs)
        # And ovs-vsctl's bridges look right to plx-vsctl.
        check_equal("plx-vsctl list-br", ok(s.plx("list-br")),
                    "ovsbr\novsfake\nplxbr\nplxfake\n")
        check_equal("br-to-parent", ok(s.plx("br-to-parent", "ovsfake")),
                    "ovsbr\n")


# ---- Errors: same message (but the program name) and exit status. ----

def compare_error(name, args, status=1):
    def check():
        s = shared()
        ours, theirs = s.plx(*args), s.ovs(*args)
        check_equal("exit status", ours.returncode, theirs.returncode)
        check_equal("exit status", ours.returncode, status)
        check_equal("message", ours.stderr.replace("plx-vsctl:", "VSCTL:"),
                    theirs.stderr.replace("ovs-vsctl:", "VSCTL:"))
        check_equal("stdout", ours.stdout, theirs.stdout)
    check.__name__ = "error_" + name
    case(check)


for _name, _args, _status in [
        ("unknown_bridge", ["list-ports", "br9"], 1),
        ("no_row", ["get", "Bridge", "br9", "name"], 1),
        ("bad_column", ["get", "Bridge", "br0", "nosuch"], 1),
        ("ambiguous_column", ["get", "Bridge", "br0", "datapath"], 1),
        ("bad_value_type", ["set", "Bridge", "br0", "stp_enable=maybe"], 1),
        ("bad_integer", ["set", "Interface", "p1", "ofport_request=abc"], 1),
        ("constraint", ["set", "Port", "p1", "tag=5000"], 1),
        ("unknown_table", ["list", "Nosuch"], 1),
        ("unknown_command", ["frobnicate"], 1),
        ("too_few_arguments", ["add-br"], 1),
        ("option_not_accepted", ["--may-exist", "del-br", "br0"], 1),
        ("read_only_column", ["set", "Bridge", "br0", "name=x"], 1),
        ("key_on_non_map", ["get", "Bridge", "br0", "name:x"], 1),
        ("missing_key", ["get", "Interface", "p1", "options:nokey"], 1),
        ("port_exists", ["add-port", "br0", "p1"], 1),
        ("bridge_exists", ["add-br", "br1"], 1),
        ("local_port", ["del-port", "br0"], 1),
        ("fake_parent", ["add-br", "x", "fb", "3"], 1),
        ("fake_bridge_controller", ["set-controller", "fb", "tcp:1.2.3.4"],
         1),
        ("bad_fail_mode", ["set-fail-mode", "br0", "bogus"], 1),
        ("br_exists_false", ["br-exists", "br9"], 2),
        ("unreferenced_id", ["add", "Bridge", "br0", "mirrors", "@m"], 1),
]:
    compare_error(_name, _args, _status)


@case
def br_exists_true():
    s = shared()
    check_equal("exit status", s.plx("br-exists", "fb").returncode, 0)


# ---- The same writes with both tools give the same database. ----

WRITE_SEQUENCE = [
    ["init"],
    ["add-br", "br0", "--", "add-br", "br1"],
    ["add-br", "v5", "br0", "5"],
    ["add-br", "v6", "v5", "6"],                   # fake parent: error
    ["add-br", "v7", "br0", "5"],                  # VLAN taken: error
    ["--may-exist", "add-br", "v5", "br0", "5"],
    ["--may-exist", "add-br", "v5", "br0", "7"],   # wrong VLAN: error
    ["--may-exist", "add-br", "v5"],               # not real: error
    ["add-port", "v5", "a1"],
    ["add-port", "br0", "a2", "tag=9", "other_config:x=1"],
    ["--may-exist", "add-port", "br0", "a2"],
    ["--may-exist", "add-port", "br1", "a2"],      # other bridge: error
    ["add-bond", "br1", "b1", "e1", "e2", "e3", "bond_mode=active-backup"],
    ["--fake-iface", "add-bond", "br1", "b2", "f1", "f2"],
    ["add-bond", "br1", "b3", "g1"],               # one iface: error
    ["--may-exist", "add-bond", "br1", "b1", "e3", "e1"],   # error: ifaces
    ["add-bond-iface", "b1", "e4"],
    ["del-bond-iface", "b1", "e2"],
    ["del-bond-iface", "a2"],                      # last iface: error
    ["add-port", "br0", "e1"],                     # iface exists: error
    ["del-port", "br1", "a2"],                     # wrong bridge: error
    ["del-port", "br0", "a1"],                     # child's port: error
    ["--with-iface", "del-port", "f1"],
    ["--if-exists", "del-port", "nosuch"],
    ["del-port", "nosuch"],                        # error
    ["br-set-external-id", "br0", "k", "v"],
    ["br-set-external-id", "v5", "k", "fv"],
    ["br-set-external-id", "br0", "k"],
    ["set-controller", "br1", "tcp:10.0.0.1:6653", "unix:/x"],
    ["--inactivity-probe=3000", "set-controller", "br0", "ssl:1.2.3.4"],
    ["del-controller", "br1"],
    ["set-fail-mode", "br1", "standalone"],
    ["del-fail-mode", "br1"],
    ["--inactivity-probe=5000", "set-manager", "ptcp:6640", "tcp:1.1.1.1"],
    ["del-manager"],
    ["--bootstrap", "set-ssl", "/k", "/c", "/ca"],
    ["del-ssl"],
    ["set", "Port", "a2", "trunks=1-3,7"],
    ["remove", "Port", "a2", "trunks", "2", "7"],
    ["add", "Port", "a2", "trunks", "10", "11"],
    ["remove", "Port", "a2", "other_config", "x"],
    ["clear", "Port", "a2", "tag"],
    ["clear", "Bridge", "br0", "name"],            # read-only: error
    ["--if-exists", "set", "Port", "nosuch", "tag=1"],
    ["destroy", "Port", "nosuch"],                 # error
    ["del-br", "v5"],
    ["--if-exists", "del-br", "v5"],
    ["add-br", "br2", "--", "add-br", "v8", "br2", "8", "--", "add-port",
     "v8", "h1"],
    ["del-br", "br2"],                             # takes v8 with it
]

READ_BACK = [
    ["list-br"], ["--fake", "list-br"], ["list-ports", "br1"],
    ["list-ifaces", "br1"], ["get-controller", "br0"],
    ["get-controller", "br1"], ["get-fail-mode", "br1"], ["get-manager"],
    ["get-ssl"], ["--columns=name,tag,trunks,other_config,bond_mode,"
                  "bond_fake_iface,fake_bridge,external_ids",
                  "--format=csv", "--no-headings", "list", "Port"],
    ["--columns=name,type", "--format=csv", "--no-headings", "list",
     "Interface"],
    ["--columns=target,inactivity_probe", "--format=csv", "--no-headings",
     "list", "Controller"],
    ["--columns=target", "--format=csv", "--no-headings", "list",
     "Manager"],
    ["list", "SSL"],
]


@case
def write_sequence_matches_ovs_vsctl():
    """Every command of WRITE_SEQUENCE, run by plx-vsctl on one database
    and by ovs-vsctl on another, succeeds or fails the same way, and the
    two databases read back the same."""
    with Server() as ours, Server() as theirs:
        for args in WRITE_SEQUENCE:
            a, b = ours.plx(*args), theirs.ovs(*args)
            what = " ".join(args)
            check_equal(what + ": exit status", a.returncode, b.returncode)
            check_equal(what + ": message",
                        a.stderr.replace("plx-vsctl:", "VSCTL:"),
                        b.stderr.replace("ovs-vsctl:", "VSCTL:"))
        for args in READ_BACK:
            a, b = ok(ours.ovs(*args)), ok(theirs.ovs(*args))
            check_equal(" ".join(args), sorted(a.splitlines()),
                        sorted(b.splitlines()))


@case
def emer_reset():
    with Server() as s:
        ok(s.plx("init", "--", "add-br", "br0", "--", "add-port", "br0",
                 "p1"))
        ok(s.plx("set-controller", "br0", "tcp:1.2.3.4", "--",
                 "set-manager", "ptcp:6640", "--", "set-ssl", "/k", "/c",
                 "/ca", "--", "set-fail-mode", "br0", "secure", "--",
                 "set", "Bridge", "br0",
                 'other_config:hwaddr="00:00:00:00:00:01"',
                 "other_config:x=y", "flood_vlans=1,2", "--",
                 "set", "Port", "p1", "other_config:a=b", "--",
                 "set", "Interface", "p1", "ingress_policing_rate=100",
                 "--", "--id=@m", "create", "Mirror", "name=m",
                 "select_all=true", "--", "set", "Bridge", "br0",
                 "mirrors=@m", "--", "--id=@n", "create", "NetFlow",
                 'targets="1.2.3.4:5"', "--", "set", "Bridge", "br0",
                 "netflow=@n"))
        ok(s.plx("emer-reset"))
        check_equal("after emer-reset",
                    ok(s.ovs("get-controller", "br0", "--", "get-manager",
                             "--", "get-ssl", "--", "get-fail-mode", "br0",
                             "--", "get", "Bridge", "br0", "other_config",
                             "flood_vlans", "mirrors", "netflow", "--",
                             "get", "Port", "p1", "other_config", "--",
                             "get", "Interface", "p1",
                             "ingress_policing_rate", "--", "list",
                             "Mirror", "--", "list", "NetFlow")),
                    # (The second, empty table is still separated from
                    # the first by a blank line.)
                    '{hwaddr="00:00:00:00:00:01"}\n[]\n[]\n[]\n{}\n0\n\n')
        check_equal("bridges and ports stay",
                    ok(s.ovs("list-ports", "br0")), "p1\n")


# ---- One transaction for all commands. ----

@case
def chain_failure_changes_nothing():
    s = shared()
    before = ok(s.ovs("list-br")), ok(s.ovs("--bare", "--columns=name",
                                             "list", "Port"))
    r = s.plx("add-br", "brA", "--", "add-port", "brA", "pA", "--",
              "add-port", "nosuch", "pB")
    check_equal("exit status", r.returncode, 1)
    check_equal("message", r.stderr, "plx-vsctl: no bridge named nosuch\n")
    after = ok(s.ovs("list-br")), ok(s.ovs("--bare", "--columns=name",
                                            "list", "Port"))
    check_equal("database after a failed chain", after, before)


@case
def chain_success_is_one_transaction():
    with Server() as s:
        ok(s.plx("init"))
        ok(s.plx("add-br", "brB", "--", "add-port", "brB", "pB", "--", "set",
                 "Port", "pB", "tag=5", "--", "list-ports", "brB"))
        check_equal("tag", ok(s.ovs("get", "Port", "pB", "tag")), "5\n")
        # ovsdb-server's log has exactly one transaction with our comment.
        show = subprocess.run(["ovsdb-tool", "show-log", s.db],
                              capture_output=True, text=True).stdout
        hits = [l for l in show.splitlines() if "plx-vsctl:" in l]
        check_equal("transactions with add-br brB",
                    len([h for h in hits if "add-br brB" in h]), 1)


@case
def dry_run_changes_nothing():
    s = shared()
    before = ok(s.ovs("list-br"))
    ok(s.plx("--dry-run", "add-br", "brDry"))
    check_equal("list-br", ok(s.ovs("list-br")), before)


@case
def concurrent_writers_retry():
    """Thirty plx-vsctl processes add ports to one bridge at once.  Each
    rewrites Bridge.ports from what it read; only verification (the commit
    fails when another writer got there first) and retrying keep every
    port.  (On this two-core machine, typically a dozen of them have to
    retry.)"""
    with Server() as s:
        ok(s.plx("init", "--", "add-br", "br0"))
        procs = [s.popen(s.plx_path(), ["--no-wait", "--timeout=30",
                                        "add-port", "br0", "c%02d" % i])
                 for i in range(30)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            check_equal("exit status (%s)" % err.strip(), p.returncode, 0)
        check_equal("ports", ok(s.ovs("list-ports", "br0")),
                    "".join("c%02d\n" % i for i in range(30)))


# ---- --id=@name, create, add, destroy. ----

@case
def id_create_and_add():
    with Server() as s:
        ok(s.plx("init", "--", "add-br", "br0"))
        out = ok(s.plx("--", "--id=@m", "create", "Mirror", "name=m1",
                       "select_all=true", "--", "add", "Bridge", "br0",
                       "mirrors", "@m"))
        uuid = out.strip()
        if not re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
                            uuid):
            raise AssertionError("create printed %r" % out)
        check_equal("mirror by name", ok(s.ovs("get", "Mirror", "m1",
                                               "_uuid", "select_all")),
                    uuid + "\ntrue\n")
        check_equal("bridge mirrors", ok(s.ovs("get", "Bridge", "br0",
                                               "mirrors")),
                    "[%s]\n" % uuid)
        # A controller through --id, found by its bridge's name.
        ok(s.plx("--id=@c", "create", "Controller", "target=\"tcp:1.1.1.1\"",
                 "--", "set", "Bridge", "br0", "controller=@c"))
        check_equal("get-controller", ok(s.ovs("get-controller", "br0")),
                    "tcp:1.1.1.1\n")
        check_equal("Controller by bridge name",
                    ok(s.plx("get", "Controller", "br0", "target")),
                    '"tcp:1.1.1.1"\n')
        # Remove and destroy.
        ok(s.plx("remove", "Bridge", "br0", "mirrors", uuid))
        check_equal("mirrors", ok(s.ovs("get", "Bridge", "br0", "mirrors")),
                    "[]\n")
        check_equal("Mirror rows (garbage-collected)",
                    ok(s.ovs("list", "Mirror")), "")
        r = s.plx("--id=@x", "create", "Mirror", "name=a", "--",
                  "--id=@x", "create", "Mirror", "name=b")
        check_equal("duplicate --id", r.stderr,
                    'plx-vsctl: row id "@x" may only be specified on one '
                    '--id option\n')


@case
def schema_from_server_vm_table():
    """The VM table exists only in the Plexus schema: plx-vsctl reads it
    from the server, so the generic commands work on it."""
    with Server() as s:
        ok(s.plx("init"))
        ok(s.plx("create", "VM", "name=vm1", "kernel=/boot/vmlinuz",
                 "memory_mb=256", "cpus=2"))
        check_equal("get VM by name",
                    ok(s.plx("get", "VM", "vm1", "kernel", "memory_mb")),
                    '"/boot/vmlinuz"\n256\n')
        ok(s.plx("set", "VM", "vm1", "other_config:console=serial"))
        check_equal("find VM", ok(s.plx("--bare", "--columns=name", "find",
                                        "VM", "cpus>=2")), "vm1\n")
        r = s.plx("set", "VM", "vm1", "cpus=0")
        check_equal("constraint", r.stderr,
                    "plx-vsctl: constraint violation: 0 is not in the valid "
                    "range 1 to 255 (inclusive)\n")
        ok(s.plx("destroy", "VM", "vm1"))
        check_equal("VM rows", ok(s.plx("list", "VM")), "")


# ---- wait-until. ----

@case
def wait_until_waits_for_condition():
    with Server() as s:
        ok(s.plx("init"))
        p = s.popen(s.plx_path(), ["--timeout=20", "wait-until", "Bridge",
                                   "brW", "other_config:ready=yes"])
        try:
            time.sleep(0.5)
            if p.poll() is not None:
                raise AssertionError("wait-until returned with no bridge")
            ok(s.ovs("add-br", "brW"))
            time.sleep(0.5)
            if p.poll() is not None:
                raise AssertionError("wait-until returned before the "
                                     "condition held")
            ok(s.ovs("set", "Bridge", "brW", "other_config:ready=yes"))
            out, err = p.communicate(timeout=10)
            check_equal("wait-until exit status", p.returncode, 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


# ---- Waiting for the switch: next_cfg and cur_cfg. ----

class FakeSwitch(threading.Thread):
    """Sets cur_cfg to next_cfg DELAY seconds after next_cfg moves, as
    plx-vswitchd does after applying a configuration."""

    def __init__(self, server, delay):
        super().__init__(daemon=True)
        self.server, self.delay = server, delay
        self.stopped = threading.Event()
        self.bumped_at = None

    def run(self):
        while not self.stopped.is_set():
            out = self.server.ovs("get", "Open_vSwitch", ".", "next_cfg",
                                  "cur_cfg")
            if out.returncode == 0:
                nxt, cur = map(int, out.stdout.split())
                if nxt > cur:
                    time.sleep(self.delay)
                    self.bumped_at = time.time()
                    self.server.ovs("set", "Open_vSwitch", ".",
                                    "cur_cfg=%d" % nxt)
            time.sleep(0.05)

    def stop(self):
        self.stopped.set()
        self.join()


@case
def waits_for_cur_cfg():
    with Server() as s:
        ok(s.plx("init"))
        switch = FakeSwitch(s, 1.0)
        switch.start()
        try:
            start = time.time()
            r = s.plx("--timeout=20", "add-br", "br0", wait=True)
            end = time.time()
        finally:
            switch.stop()
        ok(r)
        if switch.bumped_at is None or end < switch.bumped_at:
            raise AssertionError("plx-vsctl returned before the switch "
                                 "applied the change")
        if end - start < 0.9:
            raise AssertionError("returned after %.2fs" % (end - start))
        nxt, cur = map(int, ok(s.ovs("get", "Open_vSwitch", ".", "next_cfg",
                                     "cur_cfg")).split())
        check_equal("cur_cfg", cur, nxt)
        check_equal("next_cfg incremented once", nxt, 1)


@case
def timeout_without_switch():
    with Server() as s:
        ok(s.plx("init"))
        start = time.time()
        r = s.plx("--timeout=1", "add-br", "br0", wait=True)
        elapsed = time.time() - start
        theirs = s.ovs("--timeout=1", "add-br", "br1", wait=True)
        # Both die of SIGALRM after about a second...
        check_equal("exit status", r.returncode, -signal.SIGALRM)
        check_equal("ovs-vsctl's exit status", theirs.returncode,
                    -signal.SIGALRM)
        if not 0.9 <= elapsed < 5:
            raise AssertionError("took %.2fs" % elapsed)
        # ...with a message saying so.
        if not r.stderr.startswith("plx-vsctl: timeout: ") \
                or "cur_cfg" not in r.stderr:
            raise AssertionError("message: %r" % r.stderr)
        # The change itself was committed.
        check_equal("list-br", ok(s.ovs("list-br")), "br0\nbr1\n")


@case
def read_only_command_does_not_wait():
    with Server() as s:
        ok(s.plx("init"))
        r = s.plx("--timeout=5", "list-br", wait=True)
        ok(r)
        check_equal("next_cfg", ok(s.ovs("get", "Open_vSwitch", ".",
                                         "next_cfg")), "0\n")


@case
def no_wait_does_not_wait():
    with Server() as s:
        ok(s.plx("init"))
        start = time.time()
        ok(s.plx("--timeout=5", "add-br", "br0"))
        if time.time() - start > 3:
            raise AssertionError("--no-wait waited")
        check_equal("next_cfg", ok(s.ovs("get", "Open_vSwitch", ".",
                                         "next_cfg")), "0\n")


@case
def connection_failure():
    d = tempfile.mkdtemp(prefix="plx-vsctl-")
    try:
        sock = os.path.join(d, "nothing.sock")
        plx = plxtest.build_path("utilities", "plx-vsctl")
        r = subprocess.run([plx, "--db=unix:" + sock, "list-br"],
                           capture_output=True, text=True, timeout=30)
        check_equal("exit status", r.returncode, 1)
        check_equal("message", r.stderr,
                    "plx-vsctl: unix:%s: database connection failed "
                    "(No such file or directory)\n" % sock)
    finally:
        shutil.rmtree(d)


def main():
    try:
        plxtest.run()
    finally:
        for store in (_shared, _seq):
            if "server" in store:
                store["server"].stop()


main()
