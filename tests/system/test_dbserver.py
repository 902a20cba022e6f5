"""plx-dbserver and plx-dbtool against real clients.

Each case starts plx-dbserver (from PLX_BUILDDIR) in a temporary
directory on a database created by plx-dbtool, with the Plexus schema
(vswitchd/vswitch.ovsschema) or the small test schema below, and kills it
by PID.  Clients nobody here wrote: Debian's ovsdb-client and ovs-vsctl,
and the python3-openvswitch IDL (ovs.db.idl); plus a raw JSON-RPC client
for the exact errors and hostile input.  Exact error texts are
ovsdb-server 3.1's, recorded from Debian's ovsdb-server on the same
requests."""

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

TEST_SCHEMA = {
    "name": "T", "version": "1.0.0",
    "tables": {
        "Item": {
            "isRoot": True, "indexes": [["name"]],
            "columns": {
                "name": {"type": "string"},
                "level": {"type": {"key": {"type": "integer",
                                           "minInteger": 0,
                                           "maxInteger": 10}}},
                "tags": {"type": {"key": "string", "min": 0, "max": 2}},
                "color": {"type": {"key": {"type": "string",
                                           "enum": ["set", ["red", "blue"]]},
                                   "min": 0, "max": 1}},
                "parts": {"type": {"key": {"type": "uuid",
                                           "refTable": "Part"},
                                   "min": 0, "max": "unlimited"}}}},
        "Part": {"columns": {"n": {"type": "integer"}}}}}


def build(*parts):
    path = plxtest.build_path(*parts)
    if not os.path.exists(path):
        raise Skip("%s not built" % path)
    return path


def run(argv, check=True, **kwargs):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                       **kwargs)
    if check and p.returncode:
        raise AssertionError("%s failed (%d): %s%s"
                             % (" ".join(argv), p.returncode, p.stdout,
                                p.stderr))
    return p


class Server:
    """plx-dbserver on a new database in a temporary directory."""

    def __init__(self, schema=None, dbfile=None):
        self.dbserver = build("ovsdb", "plx-dbserver")
        self.dbtool = build("ovsdb", "plx-dbtool")
        self.dir = tempfile.mkdtemp(prefix="plx-dbserver-")
        self.sock = os.path.join(self.dir, "db.sock")
        self.remote = "unix:" + self.sock
        self.ctl = os.path.join(self.dir, "ctl")
        self.log = os.path.join(self.dir, "log")
        self.db = dbfile or os.path.join(self.dir, "conf.db")
        if schema is None:
            schema = os.path.join(plxtest.SRCDIR, "vswitchd",
                                  "vswitch.ovsschema")
        elif isinstance(schema, dict):
            path = os.path.join(self.dir, "test.ovsschema")
            with open(path, "w") as f:
                json.dump(schema, f)
            schema = path
        self.schema = schema
        if not dbfile:
            run([self.dbtool, "create", self.db, schema])
        self.proc = None
        self.start()

    def env(self):
        env = dict(os.environ)
        env.update(PLX_RUNDIR=self.dir, PLX_DBDIR=self.dir,
                   PLX_LOGDIR=self.dir)
        return env

    def start(self):
        self.proc = subprocess.Popen(
            [self.dbserver, self.db, "--remote=punix:" + self.sock,
             "--unixctl=" + self.ctl, "--log-file=" + self.log],
            env=self.env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("plx-dbserver exited: %s"
                                     % self.read_log())
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("plx-dbserver did not start")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=10)
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def restart(self):
        self.stop()
        self.start()

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def appctl(self, *args):
        return run([build("utilities", "plx-appctl"), "-t", self.ctl]
                   + list(args), env=self.env())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop(signal.SIGKILL)


class Rpc:
    """A raw JSON-RPC client."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.s.settimeout(10)
        self.buf = ""
        self.next_id = 0
        self.notes = []
        self.dec = json.JSONDecoder()

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, method, params, id_=None):
        self.next_id += 1
        msg = {"method": method, "params": params,
               "id": self.next_id if id_ is None else id_}
        self.send_raw(json.dumps(msg).encode())
        return msg["id"]

    def recv(self):
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    if obj.get("method") == "echo" and obj.get("id"):
                        self.send_raw(json.dumps(
                            {"result": obj["params"], "error": None,
                             "id": obj["id"]}).encode())
                        continue
                    return obj
                except ValueError:
                    pass
            data = self.s.recv(1 << 20)
            if not data:
                return None
            self.buf += data.decode()

    def call(self, method, params):
        i = self.send(method, params)
        while True:
            msg = self.recv()
            if msg is None:
                raise EOFError("connection closed")
            if msg.get("id") == i and "method" not in msg:
                return msg
            self.notes.append(msg)

    def closed(self):
        """True if the server closed the connection (within 5 s)."""
        self.s.settimeout(5)
        try:
            while True:
                data = self.s.recv(1 << 20)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


def vsctl(server, *args, tool="ovs-vsctl"):
    if tool == "ovs-vsctl":
        argv = [plxtest.require_program("ovs-vsctl")]
    else:
        argv = [tool]
    return run(argv + ["--db=" + server.remote, "--no-wait", "--timeout=10"]
               + list(args), env=server.env()).stdout


def vsctl_sequence(server, tool):
    """The issue's Must-show sequence with TOOL; returns nothing, raises
    on any difference."""
    vsctl(server, "init", tool=tool)
    vsctl(server, "add-br", "br0", tool=tool)
    vsctl(server, "add-port", "br0", "p1", tool=tool)
    vsctl(server, "set", "Interface", "p1", "type=vxlan",
          "options:remote_ip=192.0.2.7", "options:key=5", tool=tool)
    assert vsctl(server, "list-br", tool=tool).split() == ["br0"]
    assert vsctl(server, "list-ports", "br0", tool=tool).split() == ["p1"]
    out = vsctl(server, "list", "Interface", "p1", tool=tool)
    assert re.search(r'^options\s*: \{key="5", remote_ip="192.0.2.7"\}$',
                     out, re.M), out
    assert re.search(r"^type\s*: vxlan$", out, re.M), out
    out = vsctl(server, "--columns=name", "find", "Interface",
                "type=vxlan", tool=tool)
    assert re.search(r'^name\s*: "?p1"?$', out, re.M), out
    out = vsctl(server, "get", "Interface", "p1", "options:remote_ip",
                tool=tool)
    assert out.strip() == '"192.0.2.7"', out
    out = vsctl(server, "show", tool=tool)
    assert "Bridge br0" in out and "Port p1" in out, out
    assert 'options: {key="5", remote_ip="192.0.2.7"}' in out, out
    vsctl(server, "del-br", "br0", tool=tool)
    assert vsctl(server, "list-br", tool=tool).split() == []
    assert "Bridge" not in vsctl(server, "show", tool=tool)
    # Nothing is left behind (ports and interfaces garbage-collected).
    assert vsctl(server, "--columns=_uuid", "list", "Interface",
                 tool=tool).strip() == ""


@case
def ovs_vsctl_sequence():
    plxtest.require_program("ovs-vsctl")
    with Server() as server:
        vsctl_sequence(server, "ovs-vsctl")
        assert server.alive()


@case
def plx_vsctl_sequence():
    tool = plxtest.build_path("utilities", "plx-vsctl")
    if not os.path.exists(tool):
        raise Skip("plx-vsctl not built")
    with Server() as server:
        vsctl_sequence(server, tool)


@case
def ovsdb_client_methods():
    client = plxtest.require_program("ovsdb-client")
    with Server() as server:
        r = server.remote
        assert run([client, "list-dbs", r]).stdout.split() == \
            ["Open_vSwitch", "_Server"]
        schema = json.loads(run([client, "get-schema", r]).stdout)
        assert schema["name"] == "Open_vSwitch"
        with open(server.schema) as f:
            assert schema["version"] == json.load(f)["version"]
        assert run([client, "get-schema-version", r]).stdout.strip() == \
            schema["version"]

        out = run([client, "transact", r, json.dumps(
            ["Open_vSwitch", {"op": "insert", "table": "Open_vSwitch",
                              "row": {"external_ids":
                                      ["map", [["k", "v"]]]}}])]).stdout
        assert json.loads(out)[0]["uuid"][0] == "uuid", out

        # A monitor sees another client's change.
        mon = subprocess.Popen(
            [client, "--format=json", "monitor", r, "Open_vSwitch",
             "Open_vSwitch", "external_ids"], stdout=subprocess.PIPE,
            text=True)
        try:
            first = mon.stdout.readline()
            assert '"k","v"' in first, first
            run([client, "transact", r, json.dumps(
                ["Open_vSwitch", {"op": "update", "table": "Open_vSwitch",
                                  "where": [], "row": {"external_ids":
                                  ["map", [["k", "w"]]]}}])])
            second = mon.stdout.readline()
            assert '"k","w"' in second and "old" in second, second
        finally:
            mon.kill()
            mon.wait()
        out = run([client, "dump", r, "Open_vSwitch", "Open_vSwitch",
                   "external_ids"]).stdout
        assert "{k=w}" in out, out


@case
def python_idl_follows_changes():
    try:
        import ovs.db.idl
        import ovs.poller
    except ImportError:
        raise Skip("python3-openvswitch not installed")
    plxtest.require_program("ovs-vsctl")
    tools = ["ovs-vsctl"]
    plx_vsctl = plxtest.build_path("utilities", "plx-vsctl")
    if os.path.exists(plx_vsctl):
        tools.append(plx_vsctl)

    with Server() as server:
        vsctl(server, "init")
        helper = ovs.db.idl.SchemaHelper(server.schema)
        helper.register_all()
        idl = ovs.db.idl.Idl(server.remote, helper)

        def wait_for(pred, what):
            deadline = time.time() + 10
            while time.time() < deadline:
                idl.run()
                if pred():
                    return
                poller = ovs.poller.Poller()
                idl.wait(poller)
                poller.timer_wait(100)
                poller.block()
            raise AssertionError("IDL never saw " + what)

        def bridges():
            return {r.name: r for r in idl.tables["Bridge"].rows.values()}

        wait_for(lambda: idl.change_seqno > 0 and
                 len(idl.tables["Open_vSwitch"].rows) == 1, "initial dump")
        for i, tool in enumerate(tools):
            name = "br%d" % i
            vsctl(server, "add-br", name, tool=tool)
            wait_for(lambda: name in bridges(), name)
            vsctl(server, "br-set-external-id", name, "owner", "idl",
                  tool=tool)
            wait_for(lambda: bridges()[name].external_ids.get("owner") ==
                     "idl", "external_ids of " + name)
            vsctl(server, "del-br", name, tool=tool)
            wait_for(lambda: name not in bridges(), "deletion of " + name)
        idl.close()


# The rejection classes, with ovsdb-server's exact replies.
X = "99999999-9999-4999-8999-999999999999"
REJECTIONS = [
    ("constraint",
     [{"op": "insert", "table": "Item", "row": {"name": "b", "level": 11}}],
     [{"details": "11 is not in the valid range 0 to 10 (inclusive)",
       "error": "constraint violation"}]),
    ("constraint-enum",
     [{"op": "insert", "table": "Item",
       "row": {"name": "b", "color": "green"}}],
     [{"details": "green is not one of the allowed values ([blue, red])",
       "error": "constraint violation"}]),
    ("reference",
     [{"op": "insert", "table": "Item",
       "row": {"name": "b", "parts": ["uuid", X]}}],
     [{"uuid": ["uuid", "NEW"]},
      {"details": "Table Item column parts row NEW references "
       "nonexistent row %s in table Part." % X,
       "error": "referential integrity violation"}]),
    ("index",
     [{"op": "insert", "table": "Item", "row": {"name": "a"}}],
     None),
    ("type",
     [{"op": "insert", "table": "Item",
       "row": {"name": "b", "level": "high"}}],
     [{"syntax": "\"high\"", "details": "expected integer",
       "error": "syntax error"}]),
    ("size",
     [{"op": "insert", "table": "Item",
       "row": {"name": "b", "tags": ["set", ["x", "y", "z"]]}}],
     [{"syntax": "[\"set\",[\"x\",\"y\",\"z\"]]",
       "details": "set must have 0 to 2 members but 3 are present",
       "error": "syntax error"}]),
    ("size-mutate",
     [{"op": "mutate", "table": "Item", "where": [["name", "==", "a"]],
       "mutations": [["level", "+=", 20]]}],
     [{"details": "21 is not in the valid range 0 to 10 (inclusive)",
       "error": "constraint violation"}]),
]


# ovsdb-server names the two rows in an order that depends on their random
# _version UUIDs (it compares all columns in hash-table order), so either
# order is what ovsdb-server may say (measured against 3.1.0: both orders
# occur, independent of which row is new and of the UUIDs' order);
# plx-dbserver always puts the larger UUID first.
def index_error(new, old):
    head = ("Transaction causes multiple rows in \"Item\" table to have "
            "identical values (a) for index on column \"name\".  ")
    ins = "with UUID %s, was inserted by this transaction" % new
    ex = ("with UUID %s, existed in the database before this transaction "
          "and was not modified by the transaction" % old)
    return [head + "First row, %s.  Second row, %s." % (ins, ex),
            head + "First row, %s.  Second row, %s." % (ex, ins)]


@case
def rejections_exact_and_server_keeps_serving():
    with Server(TEST_SCHEMA) as server:
        a = Rpc(server.sock)
        b = Rpc(server.sock)
        r = a.call("transact", ["T", {"op": "insert", "table": "Item",
                                      "row": {"name": "a", "level": 1}}])
        old = r["result"][0]["uuid"][1]
        for name, ops, expected in REJECTIONS:
            r = a.call("transact", ["T"] + ops)
            result = r["result"]
            new = (result[0].get("uuid", [None, None])[1]
                   if len(result) > 1 else None)
            if name == "index":
                assert result[1]["error"] == "constraint violation", result
                assert result[1]["details"] in index_error(new, old), \
                    result[1]["details"]
            else:
                text = json.dumps(expected).replace("NEW", str(new))
                assert result == json.loads(text), (name, result)
            # The other client is served, and nothing was committed.
            r = b.call("transact", ["T", {"op": "select", "table": "Item",
                                          "where": [],
                                          "columns": ["name", "level"]}])
            assert r["result"] == [{"rows": [{"name": "a", "level": 1}]}], r
        assert server.alive()


@case
def hostile_input():
    with Server(TEST_SCHEMA) as server:
        witness = Rpc(server.sock)

        def still_serving():
            assert server.alive()
            r = witness.call("list_dbs", [])
            assert r["result"] == ["T", "_Server"], r

        c = Rpc(server.sock)
        r = c.call("frobnicate", [1])
        assert r["error"] == "unknown method", r
        r = c.call("transact", ["T", {"op": "insert", "table": 5}])
        assert r["result"][0]["error"] == "syntax error", r
        r = c.call("monitor", ["T"])
        assert r["error"]["details"] == "invalid parameters", r
        r = c.call("monitor_cond", ["T", 1, {"Item": {"where": 7}}])
        assert r["error"]["error"] == "syntax error", r
        r = c.call("lock", [["not", "an", "id"]])
        assert r["error"]["error"] == "syntax error", r
        still_serving()

        # Not JSON-RPC at all: the connection is closed.
        for garbage in [b"\x00\xff\xfe garbage \x01",
                        b'{"method": "echo", "params": 5, "id": 1}',
                        b"[" * 100000,
                        b'{"method": "list_dbs", "params": [], "id": 1'
                        b', "extra": {"a": ' + b"[" * 5000 + b"]" * 5000
                        + b"}}"]:
            c = Rpc(server.sock)
            c.send_raw(garbage)
            assert c.closed(), garbage[:40]
            still_serving()

        # A message larger than the 32 MiB limit.
        c = Rpc(server.sock)
        big = b'{"method":"echo","params":["' + b"x" * (33 << 20)
        try:
            c.send_raw(big)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert c.closed()
        still_serving()
        log = server.read_log()
        assert "closing connection" in log, log


def count_items(server):
    c = Rpc(server.sock)
    r = c.call("transact", ["T", {"op": "select", "table": "Item",
                                  "where": [], "columns": ["name"]}])
    c.close()
    return r["result"][0]["rows"]


@case
def restart_keeps_data():
    with Server(TEST_SCHEMA) as server:
        c = Rpc(server.sock)
        for i in range(5):
            r = c.call("transact", ["T", {"op": "insert", "table": "Item",
                                          "row": {"name": "n%d" % i,
                                                  "level": i}}])
            assert "error" not in r["result"][0], r
        c.close()
        server.restart()
        assert sorted(r["name"] for r in count_items(server)) == \
            ["n0", "n1", "n2", "n3", "n4"]
        # Acknowledged means durable: SIGKILL right after the reply.
        c = Rpc(server.sock)
        c.call("transact", ["T", {"op": "insert", "table": "Item",
                                  "row": {"name": "last"}}])
        server.stop(signal.SIGKILL)
        server.start()
        assert "last" in [r["name"] for r in count_items(server)]


@case
def durability_under_sigkill():
    """A client pipelines 1,000 inserts; plx-dbserver is killed with
    SIGKILL at a random point among them.  After a restart every
    acknowledged insert is there, the rows present are exactly a prefix
    of the inserts (one session's transactions commit in order), each
    complete, and the log reads back."""
    n = 1000
    with Server(TEST_SCHEMA) as server:
        c = Rpc(server.sock)
        kill_at = random.randrange(1, n - 50)

        def writer():
            try:
                for i in range(n):
                    c.send("transact", ["T", {
                        "op": "insert", "table": "Item",
                        "row": {"name": "r%d" % i, "level": i % 11,
                                "tags": ["set", ["t%d" % i]]}}], id_=i)
            except OSError:
                pass
        t = threading.Thread(target=writer)
        t.start()
        acked = []
        try:
            while len(acked) < n:
                r = c.recv()
                if r is None:
                    break
                assert "error" not in r["result"][0], r
                acked.append(r["id"])
                if len(acked) == kill_at:
                    os.kill(server.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        t.join()
        server.proc.wait()
        assert kill_at <= len(acked) < n, (kill_at, len(acked))
        assert acked == list(range(len(acked)))

        server.stop()
        server.start()
        c = Rpc(server.sock)
        r = c.call("transact", ["T", {"op": "select", "table": "Item",
                                      "where": []}])
        rows = {row["name"]: row for row in r["result"][0]["rows"]}
        assert set(rows) == set("r%d" % i for i in range(len(rows))), \
            "not a prefix"
        assert len(rows) >= len(acked), (len(rows), len(acked))
        for name, row in rows.items():
            i = int(name[1:])
            assert row["level"] == i % 11 and row["tags"] == "t%d" % i, row
        run([server.dbtool, "show-log", server.db])


@case
def torn_tail_ignored():
    with Server(TEST_SCHEMA) as server:
        c = Rpc(server.sock)
        for name in ["one", "two", "three"]:
            c.call("transact", ["T", {"op": "insert", "table": "Item",
                                      "row": {"name": name}}])
        c.close()
        server.stop()
        size = os.path.getsize(server.db)
        with open(server.db, "rb") as f:
            data = f.read()
        last = data.rfind(b"OVSDB JSON ")
        # Cut inside the last record's body.
        cut = last + (size - last) // 2 + 40
        assert last < cut < size
        os.truncate(server.db, cut)
        server.start()
        names = sorted(r["name"] for r in count_items(server))
        assert names == ["one", "two"], names
        assert "torn tail" in server.read_log(), server.read_log()
        # Writing goes on from the last intact record.
        c = Rpc(server.sock)
        c.call("transact", ["T", {"op": "insert", "table": "Item",
                                  "row": {"name": "four"}}])
        c.close()
        server.restart()
        assert sorted(r["name"] for r in count_items(server)) == \
            ["four", "one", "two"]


@case
def online_compaction_and_appctl():
    with Server(TEST_SCHEMA) as server:
        c = Rpc(server.sock)
        for i in range(50):
            c.call("transact", ["T", {"op": "insert", "table": "Item",
                                      "row": {"name": "c%d" % i}}])
        c.call("transact", ["T", {"op": "delete", "table": "Item",
                                  "where": [["name", "!=", "c7"]]}])
        before = os.path.getsize(server.db)
        server.appctl("ovsdb-server/compact")
        after = os.path.getsize(server.db)
        assert after < before / 3, (before, after)
        assert server.appctl("ovsdb-server/list-dbs").stdout.split() == \
            ["T", "_Server"]
        out = server.appctl("memory/show").stdout
        assert "rows:" in out and "sessions:1" in out, out
        remotes = server.appctl("ovsdb-server/list-remotes").stdout
        assert "punix:" + server.sock in remotes, remotes
        # The server keeps serving, and the compacted file replays.
        c.call("transact", ["T", {"op": "insert", "table": "Item",
                                  "row": {"name": "after"}}])
        server.restart()
        assert sorted(r["name"] for r in count_items(server)) == \
            ["after", "c7"]
        p = run([build("utilities", "plx-appctl"), "-t", server.ctl,
                 "ovsdb-server/compact", "Nope"], check=False)
        assert p.returncode != 0 and "unknown database" in p.stderr, p


@case
def dbtool_create_compact_show_log_convert():
    dbtool = build("ovsdb", "plx-dbtool")
    d = tempfile.mkdtemp(prefix="plx-dbtool-")
    v1 = os.path.join(d, "v1.ovsschema")
    with open(v1, "w") as f:
        json.dump(TEST_SCHEMA, f)
    db = os.path.join(d, "t.db")
    run([dbtool, "create", db, v1])
    p = run([dbtool, "create", db, v1], check=False)
    assert p.returncode == 1 and "t.db" in p.stderr, p
    assert run([dbtool, "db-name", db]).stdout.strip() == "T"
    assert run([dbtool, "db-version", db]).stdout.strip() == "1.0.0"
    assert run([dbtool, "schema-version", v1]).stdout.strip() == "1.0.0"

    for i in range(3):
        out = run([dbtool, "transact", db, json.dumps(
            ["T", {"op": "insert", "table": "Item",
                   "row": {"name": "i%d" % i, "level": i,
                           "color": "red"}}])]).stdout
        assert json.loads(out)[0]["uuid"][0] == "uuid", out
    out = run([dbtool, "query", db, json.dumps(
        ["T", {"op": "delete", "table": "Item", "where": []}])]).stdout
    assert json.loads(out)[0]["error"] == "not allowed", out

    log = run([dbtool, "-mm", "show-log", db]).stdout
    assert log.startswith('record 0: "T" schema, version="1.0.0"'), log
    assert log.count("table Item insert row") == 3, log
    assert 'name="i2"' in log, log

    size = os.path.getsize(db)
    run([dbtool, "compact", db])
    assert os.path.getsize(db) < size
    assert run([dbtool, "show-log", db]).stdout.count("record") == 2

    # Debian's ovsdb-tool reads our files.
    if os.path.exists("/usr/bin/ovsdb-tool"):
        run(["/usr/bin/ovsdb-tool", "show-log", db])

    # Version 2: "level" gone, new "note" with a default, "color" gets
    # a larger enum.
    v2s = json.loads(json.dumps(TEST_SCHEMA))
    v2s["version"] = "2.0.0"
    cols = v2s["tables"]["Item"]["columns"]
    del cols["level"]
    cols["note"] = {"type": "string"}
    cols["color"]["type"]["key"]["enum"] = ["set", ["red", "blue", "gold"]]
    v2 = os.path.join(d, "v2.ovsschema")
    with open(v2, "w") as f:
        json.dump(v2s, f)
    assert run([dbtool, "needs-conversion", db, v2]).stdout.strip() == "yes"
    assert run([dbtool, "needs-conversion", db, v1]).stdout.strip() == "no"
    copy = os.path.join(d, "copy.db")
    run([dbtool, "convert", db, v2, copy])
    assert run([dbtool, "db-version", db]).stdout.strip() == "1.0.0"
    run([dbtool, "convert", db, v2])
    assert run([dbtool, "db-version", db]).stdout.strip() == "2.0.0"
    out = run([dbtool, "query", db, json.dumps(
        ["T", {"op": "select", "table": "Item", "where": [],
               "columns": ["name", "note", "color"],
               "sort": ["name"]}])]).stdout
    assert json.loads(out) == [{"rows": [
        {"name": "i%d" % i, "note": "", "color": "red"}
        for i in range(3)]}], out
    p = run([dbtool, "query", db, json.dumps(
        ["T", {"op": "select", "table": "Item", "where": [],
               "columns": ["level"]}])])
    assert "level is not a valid column name" in p.stdout, p.stdout

    # Version 3 no longer allows "red": conversion fails clearly and
    # leaves the database alone.
    v3s = json.loads(json.dumps(v2s))
    v3s["version"] = "3.0.0"
    v3s["tables"]["Item"]["columns"]["color"]["type"]["key"]["enum"] = \
        ["set", ["blue"]]
    v3 = os.path.join(d, "v3.ovsschema")
    with open(v3, "w") as f:
        json.dump(v3s, f)
    p = run([dbtool, "convert", db, v3], check=False)
    assert p.returncode == 1, p
    assert "column color" in p.stderr and "red" in p.stderr, p.stderr
    assert run([dbtool, "db-version", db]).stdout.strip() == "2.0.0"

    p = run([dbtool, "frobnicate"], check=False)
    assert p.returncode == 1 and "frobnicate" in p.stderr, p

    # A converted database serves.
    with Server(v2, dbfile=db) as server:
        assert len(count_items(server)) == 3


if __name__ == "__main__":
    plxtest.run()
