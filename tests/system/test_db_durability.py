"""plx-dbserver durability: SIGKILL in the middle of a stream of
transactions, torn and corrupt log tails, fsync before reply.

Kill rounds.  A client (raw JSON-RPC over the unix socket) commits up to
1,000 transactions one at a time.  Each inserts an Item row with a unique
sequence number and three more columns derived from it, and increments
the single Counter row, so a transaction that is only half on disk shows
either as an incomplete row or as a counter that disagrees with the
number of rows.  At a random transaction, a random number of
microseconds after sending it, the test kills plx-dbserver with SIGKILL;
the transaction's reply may or may not have arrived.  After a restart on
the same file:
  - every acknowledged sequence number is present;
  - at most the one transaction in flight is also present, and then
    complete (all its columns, and its counter increment);
  - the Counter equals the number of rows;
  - after one more transaction and a clean stop, plx-dbtool show-log and
    Debian's ovsdb-tool show-log read the file, and ovsdb-tool query sees
    exactly the rows the server served.
The random moments come from a seed printed with each round (set
PLX_DURABILITY_SEED to repeat a run).

SIGKILL only proves that a transaction reaches the file (the kernel's
page cache) before its reply is sent; a process kill cannot lose data
that was written but not synced.  fsync_before_reply therefore runs the
server under strace and checks the syscall order: no reply leaves the
server while a log append is still unsynced.

Torn and corrupt tails.  With the server stopped, the last transaction
record is cut short (inside its header, inside its JSON, just before its
end) or has one byte changed.  On restart the server must serve every
earlier transaction and nothing of the damaged one, and once it has
written again, both tools read the file."""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip

N_TXNS = 1000
SEED = int(os.environ.get("PLX_DURABILITY_SEED",
                          str(random.SystemRandom().randrange(1 << 31))))


# ---- A raw JSON-RPC client. ----

class Rpc:
    """JSON-RPC 1.0 over a unix socket, one message at a time."""

    def __init__(self, path, timeout=20):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = ""
        self.decoder = json.JSONDecoder()
        self.next_id = 0

    def close(self):
        self.sock.close()

    def send(self, method, params, msg_id):
        data = json.dumps({"method": method, "params": params,
                           "id": msg_id}).encode()
        self.sock.sendall(data)

    def recv(self):
        """The next message, or None at end of stream."""
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = self.decoder.raw_decode(text)
                    self.buf = text[end:]
                    return msg
                except json.JSONDecodeError:
                    pass
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.buf += data.decode()

    def recv_reply(self, msg_id):
        """The reply to MSG_ID, or None if the stream ended first."""
        while True:
            msg = self.recv()
            if msg is None:
                return None
            if msg.get("id") == msg_id and msg.get("method") is None:
                return msg
            if msg.get("method") == "echo":
                self.sock.sendall(json.dumps(
                    {"result": msg["params"], "error": None,
                     "id": msg["id"]}).encode())

    def transact(self, ops):
        """Runs OPS in one transaction; returns its results or raises."""
        self.next_id += 1
        msg_id = "t%d" % self.next_id
        self.send("transact", ["Bench"] + ops, msg_id)
        reply = self.recv_reply(msg_id)
        if reply is None:
            raise AssertionError("connection closed during transact")
        check_result(reply, ops)
        return reply["result"]


def check_result(reply, ops):
    if reply.get("error") is not None:
        raise AssertionError("transact failed: %s" % reply["error"])
    for r in reply["result"]:
        if isinstance(r, dict) and "error" in r:
            raise AssertionError("transact %s failed: %s"
                                 % (json.dumps(ops)[:200], r))


# ---- The transactions and what they leave behind. ----

def item_row(seq):
    return {"seq": seq, "name": "item-%d" % seq,
            "tags": ["set", ["a%d" % seq, "b%d" % seq]],
            "other_config": ["map", [["k", "v%d" % seq],
                                     ["seq", str(seq)]]]}


def txn_ops(seq):
    return [{"op": "insert", "table": "Item", "row": item_row(seq)},
            {"op": "mutate", "table": "Counter", "where": [],
             "mutations": [["n", "+=", 1]]}]


def normalize(value):
    """An OVSDB datum in a canonical form for comparison."""
    if isinstance(value, list) and value and value[0] == "set":
        return ("set", tuple(sorted(normalize(v) for v in value[1])))
    if isinstance(value, list) and value and value[0] == "map":
        return ("map", tuple(sorted((normalize(k), normalize(v))
                                    for k, v in value[1])))
    if isinstance(value, list) and value and value[0] == "uuid":
        return value[1]
    return value


def check_rows(rows, counter, acked, inflight, marker=None):
    """Checks the Item ROWS and COUNTER value served after a crash against
    the acknowledged sequence numbers ACKED, allowing INFLIGHT (a sequence
    number or None) to be present too.  Returns the set present."""
    seqs = [r["seq"] for r in rows]
    present = set(seqs)
    if len(present) != len(seqs):
        raise AssertionError("duplicate sequence numbers")
    missing = set(acked) - present
    if missing:
        raise AssertionError("%d acknowledged transactions lost, e.g. %s"
                             % (len(missing), sorted(missing)[:5]))
    extra = present - set(acked) - {inflight, marker}
    if extra:
        raise AssertionError("unacknowledged transactions present: %s"
                             % sorted(extra)[:5])
    for r in rows:
        want = item_row(r["seq"])
        for column, value in want.items():
            if normalize(r.get(column)) != normalize(value):
                raise AssertionError(
                    "row %d half-applied: %s is %s, expected %s"
                    % (r["seq"], column, r.get(column), value))
    if counter != len(present):
        raise AssertionError("Counter is %s but %d rows are present "
                             "(a transaction half-applied)"
                             % (counter, len(present)))
    return present


def read_state(rpc):
    items, counters = rpc.transact([
        {"op": "select", "table": "Item", "where": [],
         "columns": ["seq", "name", "tags", "other_config"]},
        {"op": "select", "table": "Counter", "where": [],
         "columns": ["n"]}])
    rows = counters["rows"]
    if len(rows) != 1:
        raise AssertionError("%d Counter rows" % len(rows))
    return items["rows"], rows[0]["n"]


# ---- The server. ----

class Server:
    """plx-dbserver on a database file in a temporary directory."""

    def __init__(self):
        self.bin = plxtest.build_path("ovsdb", "plx-dbserver")
        self.tool = plxtest.build_path("ovsdb", "plx-dbtool")
        for f in (self.bin, self.tool):
            if not os.path.exists(f):
                raise Skip("%s not built" % f)
        self.schema = os.path.join(plxtest.SRCDIR, "tests", "bench",
                                   "bench.ovsschema")
        self.dir = tempfile.mkdtemp(prefix="plx-durability-")
        self.db = os.path.join(self.dir, "bench.db")
        self.sock = os.path.join(self.dir, "db.sock")
        self.proc = None
        self.wrapped = False
        self.log = open(os.path.join(self.dir, "server.out"), "w")
        subprocess.run([self.tool, "create", self.db, self.schema],
                       check=True, capture_output=True)

    def start(self, wrapper=()):
        """Starts the server (under WRAPPER, a command such as strace, if
        given); a stale socket file from a killed server may still exist,
        so waits until the socket accepts."""
        self.wrapped = bool(wrapper)
        self.proc = subprocess.Popen(
            list(wrapper) + [
                self.bin, self.db, "--remote=punix:" + self.sock,
                "--pidfile=" + os.path.join(self.dir, "server.pid"),
                "--unixctl=" + os.path.join(self.dir, "server.ctl"),
                "--log-file=" + os.path.join(self.dir, "server.log")],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("plx-dbserver exited with status %d: "
                                     "%s" % (self.proc.returncode,
                                             self.tail_log()))
            try:
                return Rpc(self.sock)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.time() > deadline:
                    raise AssertionError("plx-dbserver did not start")
                time.sleep(0.02)

    def tail_log(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return " | ".join(f.read().splitlines()[-3:])
        except OSError:
            return "(no log)"

    def server_pid(self):
        """The server's PID: under a wrapper, from its pidfile."""
        if not self.wrapped:
            return self.proc.pid
        with open(os.path.join(self.dir, "server.pid")) as f:
            return int(f.read().split()[0])

    def kill9(self):
        os.kill(self.server_pid(), signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.server_pid(), signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()
                raise AssertionError("plx-dbserver ignored SIGTERM")

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.kill(self.server_pid(), signal.SIGKILL)
            except (OSError, ValueError):
                pass
            if self.proc.pid != self.server_pid():
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.cleanup()


def check_log_readable(server, expected):
    """With SERVER stopped: both tools read the file, and Debian's
    ovsdb-tool finds exactly the sequence numbers EXPECTED."""
    r = subprocess.run([server.tool, "show-log", server.db],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("plx-dbtool show-log failed: %s"
                             % r.stderr.strip())
    if not shutil.which("ovsdb-tool"):
        return
    r = subprocess.run(["ovsdb-tool", "show-log", server.db],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("ovsdb-tool show-log failed: %s"
                             % r.stderr.strip())
    query = ["Bench", {"op": "select", "table": "Item", "where": [],
                       "columns": ["seq"]}]
    r = subprocess.run(["ovsdb-tool", "query", server.db,
                        json.dumps(query)], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("ovsdb-tool query failed: %s"
                             % r.stderr.strip())
    seqs = {row.get("seq", 0) for row in json.loads(r.stdout)[0]["rows"]}
    if seqs != set(expected):
        raise AssertionError("ovsdb-tool query sees %d rows, the server "
                             "served %d" % (len(seqs), len(expected)))


MARKER = 10 ** 9


def write_marker_and_check(server, rpc, present):
    """Commits one more transaction (which replaces any damaged tail),
    stops the server cleanly and checks the file with both tools."""
    rpc.transact(txn_ops(MARKER))
    rpc.close()
    server.stop()
    check_log_readable(server, present | {MARKER})


# ---- Kill rounds. ----

def kill_round(round_no):
    rng = random.Random(SEED * 1000 + round_no)
    strike = rng.randrange(1, N_TXNS)
    delay_us = rng.uniform(0, 600)
    with Server() as server:
        print("round %d: seed %d: SIGKILL %.0f us after sending "
              "transaction %d" % (round_no, SEED, delay_us, strike),
              flush=True)
        rpc = server.start()
        rpc.transact([{"op": "insert", "table": "Counter",
                       "row": {"n": 0}}])
        acked, inflight = [], None
        for seq in range(N_TXNS):
            try:
                rpc.send("transact", ["Bench"] + txn_ops(seq), seq)
            except (BrokenPipeError, ConnectionResetError):
                break
            inflight = seq
            if seq == strike:
                end = time.perf_counter() + delay_us / 1e6
                while time.perf_counter() < end:
                    pass
                server.kill9()
            reply = rpc.recv_reply(seq)
            if reply is None:
                break
            check_result(reply, txn_ops(seq))
            acked.append(seq)
            inflight = None
        rpc.close()
        if server.proc.poll() is None:
            raise AssertionError("all transactions done before the kill")
        print("round %d: %d acknowledged, transaction %s in flight"
              % (round_no, len(acked), inflight), flush=True)

        rpc = server.start()
        rows, counter = read_state(rpc)
        present = check_rows(rows, counter, acked, inflight)
        print("round %d: %d rows after restart (in-flight transaction %s)"
              % (round_no, len(present),
                 "present" if inflight in present else "absent"),
              flush=True)
        write_marker_and_check(server, rpc, present)


for _n in (1, 2, 3):
    def _kill_case(n=_n):
        kill_round(n)
    _kill_case.__name__ = "sigkill_round_%d" % _n
    case(_kill_case)


# ---- Damaged tails. ----

def last_record_offset(data):
    offset = data.rfind(b"OVSDB JSON ")
    if offset <= 0:
        raise AssertionError("no transaction record in the log")
    return offset


def damaged_tail(damage):
    """Commits 20 transactions, stops the server, applies DAMAGE(data,
    offset of the last record) -> new file contents, restarts and checks
    that exactly the first 19 transactions are there."""
    with Server() as server:
        rpc = server.start()
        rpc.transact([{"op": "insert", "table": "Counter",
                       "row": {"n": 0}}])
        for seq in range(20):
            rpc.transact(txn_ops(seq))
        rpc.close()
        server.stop()

        with open(server.db, "rb") as f:
            data = f.read()
        damaged = damage(data, last_record_offset(data))
        with open(server.db, "wb") as f:
            f.write(damaged)

        rpc = server.start()
        rows, counter = read_state(rpc)
        # The damaged record is transaction 19: it must be gone.
        present = check_rows(rows, counter, range(19), None)
        write_marker_and_check(server, rpc, present)


def _torn_in_header(data, offset):
    return data[:offset + 8]


def _torn_in_json(data, offset):
    body = data.index(b"\n", offset) + 1
    return data[:body + (len(data) - body) // 2]


def _torn_at_end(data, offset):
    # Everything but the last two bytes: the JSON's closing bracket and
    # the newline, so the record is incomplete however its length is
    # counted.
    return data[:-2]


def _corrupt_byte(data, offset):
    body = data.index(b"\n", offset) + 1
    pos = body + (len(data) - body) // 2
    # Swap one digit or letter for another: still plausible JSON text,
    # but the checksum in the header no longer matches.
    flipped = b"7" if data[pos:pos + 1] != b"7" else b"8"
    return data[:pos] + flipped + data[pos + 1:]


for _name, _damage in [("torn_tail_in_header", _torn_in_header),
                       ("torn_tail_in_json", _torn_in_json),
                       ("torn_tail_at_end", _torn_at_end),
                       ("corrupt_tail", _corrupt_byte)]:
    def _tail_case(damage=_damage):
        damaged_tail(damage)
    _tail_case.__name__ = _name
    case(_tail_case)


# ---- fsync before the reply. ----

@case
def fsync_before_reply():
    strace = plxtest.require_program("strace")
    with Server() as server:
        trace = os.path.join(server.dir, "strace.out")
        rpc = server.start([strace, "-f", "-s", "400", "-o", trace,
                            "-e", "trace=write,writev,pwrite64,sendmsg,"
                            "sendto,fsync,fdatasync,sync_file_range"])
        rpc.transact([{"op": "insert", "table": "Counter",
                       "row": {"n": 0}}])
        n = 20
        for seq in range(n):
            rpc.transact(txn_ops(seq))
        rpc.close()
        server.stop()
        with open(trace) as f:
            lines = f.read().splitlines()
        if not any(" = " in l for l in lines):
            raise Skip("strace could not trace plx-dbserver here")

        dirty, replies, appends = False, 0, 0
        for line in lines:
            if "OVSDB JSON" in line:
                dirty = True
                appends += 1
            elif "fdatasync(" in line or "fsync(" in line:
                if "= 0" in line:
                    dirty = False
            elif '\\"result\\"' in line and '\\"id\\":\\"t' in line:
                replies += 1
                if dirty:
                    raise AssertionError("reply sent before the log was "
                                         "synced: %s" % line[:120])
        if appends < n + 1:
            raise AssertionError("saw %d log appends in the trace, "
                                 "expected %d" % (appends, n + 1))
        if replies < n + 1:
            raise AssertionError("saw %d replies in the trace, expected "
                                 "%d" % (replies, n + 1))


plxtest.run()
