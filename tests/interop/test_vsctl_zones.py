"""plx-vsctl's conntrack zone commands against Debian's ovs-vsctl 3.1.

add-zone-tp, del-zone-tp, list-zone-tp and list-dp-cap, with
--may-exist and --if-exists.  Each case starts plx-dbserver (from
PLX_BUILDDIR) on a new database with the Plexus schema in a temporary
directory and kills it by PID afterwards; plx-vsctl and Debian's
ovs-vsctl both talk to it.  Each tool creates, lists and deletes zone
policies and reads what the other wrote; list output must be identical,
and error messages and exit statuses too, but for the program name.

Where plx-vsctl deliberately differs (see utilities/vsctl-zone-cmds.c):
it rejects bad zone and policy arguments itself, before sending anything,
where ovs-vsctl either leaves them to the server's constraint checks
(then plx-vsctl's message must contain the server's details text that
ovs-vsctl prints) or silently stores garbage ("zone=x", "udp_first=abc":
not compared, only plx-vsctl's rejection is checked); list-dp-cap sorts
the capabilities (compared as sets); and a command sees the changes of
earlier commands in the same invocation."""

import json
import os
import re
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

ZONE_TABLES = ["Datapath", "CT_Zone", "CT_Timeout_Policy"]


def build(*parts):
    path = plxtest.build_path(*parts)
    if not os.path.exists(path):
        raise Skip("%s not built" % path)
    return path


class Server:
    """plx-dbserver on a new Plexus database, with both vsctls."""

    def __init__(self):
        self.ovs_bin = plxtest.require_program("ovs-vsctl")
        self.plx_bin = build("utilities", "plx-vsctl")
        dbserver = build("ovsdb", "plx-dbserver")
        dbtool = build("ovsdb", "plx-dbtool")
        self.dir = tempfile.mkdtemp(prefix="plx-vsctl-zones-")
        self.sock = os.path.join(self.dir, "db.sock")
        db = os.path.join(self.dir, "conf.db")
        self.env = dict(os.environ, PLX_RUNDIR=self.dir, PLX_DBDIR=self.dir,
                        PLX_LOGDIR=self.dir, OVS_RUNDIR=self.dir,
                        OVS_LOGDIR=self.dir)
        subprocess.run([dbtool, "create", db,
                        os.path.join(plxtest.SRCDIR, "vswitchd",
                                     "vswitch.ovsschema")],
                       check=True, capture_output=True, timeout=30)
        self.proc = subprocess.Popen(
            [dbserver, db, "--remote=punix:" + self.sock,
             "--unixctl=" + os.path.join(self.dir, "ctl"),
             "--log-file=" + os.path.join(self.dir, "log")],
            env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                s.close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise AssertionError("plx-dbserver did not start")
                time.sleep(0.02)
        self.ok("plx", "init")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.stop()

    def run(self, tool, *args):
        """Runs TOOL ("plx" or "ovs"); returns (status, stdout, stderr)
        with the program name in stderr normalized to "vsctl"."""
        binary = self.plx_bin if tool == "plx" else self.ovs_bin
        p = subprocess.run([binary, "--db=unix:" + self.sock, "--no-wait",
                            "--timeout=20"] + list(args),
                           capture_output=True, text=True, timeout=30,
                           env=self.env)
        err = re.sub(r"^.*\|ovsdb_idl\|WARN\|.*\n", "", p.stderr, flags=re.M)
        err = re.sub(r"^(plx|ovs)-vsctl: ", "vsctl: ", err, flags=re.M)
        return p.returncode, p.stdout, err

    def ok(self, tool, *args):
        status, out, err = self.run(tool, *args)
        if status:
            raise AssertionError("%s-vsctl %s failed (%d): %s"
                                 % (tool, " ".join(args), status, err))
        return out

    def fails(self, tool, args, status=1):
        """Runs a command that must fail with STATUS and change nothing;
        returns its stderr."""
        before = self.snapshot()
        got, out, err = self.run(tool, *args)
        if got != status:
            raise AssertionError("%s-vsctl %s: exit %d, expected %d (%s%s)"
                                 % (tool, " ".join(args), got, status, out,
                                    err))
        after = self.snapshot()
        if before != after:
            raise AssertionError("%s-vsctl %s changed the database:\n%s\n%s"
                                 % (tool, " ".join(args), before, after))
        return err

    def snapshot(self):
        """The zone tables' contents, read with ovs-vsctl, comparable."""
        tables = {}
        for table in ZONE_TABLES:
            j = json.loads(self.ok("ovs", "--format=json", "list", table))
            tables[table] = sorted(json.dumps(row) for row in j["data"])
        return tables

    def count(self, table):
        return len(self.snapshot()[table])

    def add_datapath(self, tool, name, *settings):
        self.ok(tool, "--", "--id=@dp", "create", "Datapath",
                "datapath_version=0", *settings, "--", "set",
                "Open_vSwitch", ".", "datapaths:%s=@dp" % name)

    def lists(self, *args):
        """ARGS (a read command) must print the same with both tools;
        returns the output."""
        a, b = self.ok("plx", *args), self.ok("ovs", *args)
        if a != b:
            raise AssertionError("%s differs:\n--- plx-vsctl\n%s"
                                 "--- ovs-vsctl\n%s" % (" ".join(args), a, b))
        return a


def check_equal(what, got, expected):
    if got != expected:
        raise AssertionError("%s: got %r, expected %r" % (what, got,
                                                          expected))


@case
def no_datapath_row():
    """Without a Datapath row every command fails the same way with both
    tools, --if-exists included, and neither creates one."""
    with Server() as s:
        for args in (["add-zone-tp", "netdev", "zone=5", "udp_first=1"],
                     ["--may-exist", "add-zone-tp", "netdev", "zone=5",
                      "udp_first=1"],
                     ["del-zone-tp", "netdev", "zone=5"],
                     ["--if-exists", "del-zone-tp", "netdev", "zone=5"],
                     ["list-zone-tp", "netdev"],
                     ["list-dp-cap", "netdev"]):
            ours = s.fails("plx", args)
            theirs = s.fails("ovs", args)
            check_equal(" ".join(args), ours, theirs)
        check_equal("datapath error", ours,
                    'vsctl: datapath "netdev" record not found\n')
        check_equal("Datapath rows", s.count("Datapath"), 0)
        # A datapath of another type does not help.
        s.add_datapath("ovs", "system")
        err = s.fails("plx", ["add-zone-tp", "netdev", "zone=5",
                              "udp_first=1"])
        check_equal("other datapath", err,
                    "vsctl: datapath netdev does not exist\n")


@case
def create_list_delete_both_ways():
    """Each tool reads and deletes what the other wrote; list output is
    identical; equal policies share one CT_Timeout_Policy row; deleting a
    zone lets the server collect its rows."""
    with Server() as s:
        s.add_datapath("plx", "netdev")
        s.add_datapath("ovs", "system")
        s.ok("plx", "add-zone-tp", "netdev", "zone=5", "udp_first=1",
             "udp_single=1", "icmp_first=1")
        s.ok("ovs", "add-zone-tp", "netdev", "zone=3", "tcp_established=100")
        out = s.lists("list-zone-tp", "netdev")
        check_equal("list", out,
                    "Zone:3, Timeout Policies: tcp_established=100\n"
                    "Zone:5, Timeout Policies: icmp_first=1 udp_first=1 "
                    "udp_single=1\n")

        # Same policies as an existing zone: both tools reuse the row.
        s.ok("ovs", "add-zone-tp", "netdev", "zone=7", "icmp_first=1",
             "udp_single=1", "udp_first=1")
        s.ok("plx", "add-zone-tp", "netdev", "zone=65535",
             "tcp_established=100")
        s.ok("plx", "add-zone-tp", "system", "zone=0", "tcp_established=100",
             "udp_first=30")
        check_equal("CT_Zone rows", s.count("CT_Zone"), 5)
        check_equal("CT_Timeout_Policy rows", s.count("CT_Timeout_Policy"),
                    3)
        out = s.lists("list-zone-tp", "netdev")
        check_equal("list", out,
                    "Zone:3, Timeout Policies: tcp_established=100\n"
                    "Zone:5, Timeout Policies: icmp_first=1 udp_first=1 "
                    "udp_single=1\n"
                    "Zone:7, Timeout Policies: icmp_first=1 udp_first=1 "
                    "udp_single=1\n"
                    "Zone:65535, Timeout Policies: tcp_established=100\n")
        check_equal("list system", s.lists("list-zone-tp", "system"),
                    "Zone:0, Timeout Policies: tcp_established=100 "
                    "udp_first=30\n")
        s.lists("--oneline", "list-zone-tp", "netdev")
        s.lists("--oneline", "list-zone-tp", "netdev", "--",
                "list-zone-tp", "system")

        # Every key of the schema, with the extreme values.
        keys = ["tcp_syn_sent", "tcp_syn_recv", "tcp_established",
                "tcp_fin_wait", "tcp_close_wait", "tcp_last_ack",
                "tcp_time_wait", "tcp_close", "tcp_syn_sent2",
                "tcp_retransmit", "tcp_unack", "udp_first", "udp_single",
                "udp_multiple", "icmp_first", "icmp_reply"]
        s.ok("plx", "add-zone-tp", "system", "zone=9",
             *["%s=%d" % (k, i * 1000) for i, k in enumerate(keys)])
        s.ok("plx", "add-zone-tp", "system", "zone=10", "udp_first=0",
             "icmp_reply=4294967295")
        out = s.lists("list-zone-tp", "system")
        check_equal("all keys", out.splitlines()[1],
                    "Zone:9, Timeout Policies: " + " ".join(
                        "%s=%d" % (k, keys.index(k) * 1000)
                        for k in sorted(keys)))
        check_equal("extremes", out.splitlines()[2],
                    "Zone:10, Timeout Policies: icmp_reply=4294967295 "
                    "udp_first=0")

        # Each deletes the other's zones.
        s.ok("ovs", "del-zone-tp", "netdev", "zone=5")
        s.ok("plx", "del-zone-tp", "netdev", "zone=3")
        check_equal("after del", s.lists("list-zone-tp", "netdev"),
                    "Zone:7, Timeout Policies: icmp_first=1 udp_first=1 "
                    "udp_single=1\n"
                    "Zone:65535, Timeout Policies: tcp_established=100\n")
        s.ok("plx", "del-zone-tp", "netdev", "zone=7")
        s.ok("ovs", "del-zone-tp", "netdev", "zone=65535")
        s.ok("plx", "del-zone-tp", "system", "zone=9", "--",
             "del-zone-tp", "system", "zone=10")
        check_equal("empty", s.lists("list-zone-tp", "netdev"), "")
        # Garbage collection: only zone 0 of "system" and its policy stay.
        check_equal("CT_Zone rows", s.count("CT_Zone"), 1)
        check_equal("CT_Timeout_Policy rows", s.count("CT_Timeout_Policy"),
                    1)
        check_equal("Datapath rows", s.count("Datapath"), 2)


@case
def may_exist_and_if_exists():
    """--may-exist replaces an existing zone's policy (what ovs-vsctl 3.1
    does, whatever its man page says); --if-exists makes deleting a
    missing zone a no-op; without them both fail the same way."""
    with Server() as s:
        s.add_datapath("ovs", "netdev")
        s.ok("ovs", "add-zone-tp", "netdev", "zone=5", "udp_first=1")
        for tool in ("plx", "ovs"):
            err = s.fails(tool, ["add-zone-tp", "netdev", "zone=5",
                                 "udp_first=2"])
            check_equal(tool + " exists", err,
                        "vsctl: zone id 5 already exists\n")
            err = s.fails(tool, ["del-zone-tp", "netdev", "zone=6"])
            check_equal(tool + " missing", err,
                        "vsctl: zone id 6 does not exist\n")
            before = s.snapshot()
            s.ok(tool, "--if-exists", "del-zone-tp", "netdev", "zone=6")
            check_equal(tool + " --if-exists", s.snapshot(), before)

        s.ok("plx", "--may-exist", "add-zone-tp", "netdev", "zone=5",
             "udp_first=2", "icmp_first=3")
        check_equal("plx --may-exist", s.lists("list-zone-tp", "netdev"),
                    "Zone:5, Timeout Policies: icmp_first=3 udp_first=2\n")
        s.ok("ovs", "--may-exist", "add-zone-tp", "netdev", "zone=5",
             "udp_first=4")
        check_equal("ovs --may-exist", s.lists("list-zone-tp", "netdev"),
                    "Zone:5, Timeout Policies: udp_first=4\n")
        # On a new zone --may-exist just adds; the option also works after
        # "--" and among the global options.
        s.ok("plx", "--", "--may-exist", "add-zone-tp", "netdev", "zone=6",
             "udp_first=1")
        s.ok("plx", "--may-exist", "add-zone-tp", "netdev", "zone=6",
             "udp_first=1")
        check_equal("CT_Zone rows", s.count("CT_Zone"), 2)
        check_equal("CT_Timeout_Policy rows", s.count("CT_Timeout_Policy"),
                    2)
        s.ok("ovs", "--if-exists", "del-zone-tp", "netdev", "zone=6")
        check_equal("list", s.lists("list-zone-tp", "netdev"),
                    "Zone:5, Timeout Policies: udp_first=4\n")

        # Options a command does not have, and argument counts.
        for args in (["--if-exists", "add-zone-tp", "netdev", "zone=1",
                      "udp_first=1"],
                     ["--may-exist", "del-zone-tp", "netdev", "zone=5"],
                     ["--if-exists", "list-zone-tp", "netdev"],
                     ["add-zone-tp", "netdev", "zone=1"],
                     ["del-zone-tp", "netdev"],
                     ["del-zone-tp", "netdev", "zone=5", "extra"],
                     ["list-zone-tp"],
                     ["list-zone-tp", "netdev", "extra"]):
            ours = s.fails("plx", args)
            theirs = s.fails("ovs", args)
            check_equal(" ".join(args), ours, theirs)


# Bad arguments.  SERVER_DETAILS: what ovs-vsctl's transaction error
# reports for it, which plx-vsctl's message must contain; None where
# ovs-vsctl does not reject it (it stores garbage or reads an
# uninitialized zone id), so it is not run with ovs-vsctl.
MALFORMED = [
    (["zone=70000", "udp_first=1"],
     "70000 is not in the valid range 0 to 65535 (inclusive)", True),
    (["zone=-1", "udp_first=1"],
     "-1 is not in the valid range 0 to 65535 (inclusive)", True),
    (["zone=5", "bogus=1"], "bogus is not one of the allowed values", True),
    (["zone=5", "UDP_FIRST=1"], "UDP_FIRST is not one of the allowed",
     True),
    (["zone=5", "=1"], '"" is not one of the allowed values', True),
    (["zone=5", "udp_first=-5"],
     "-5 is not in the valid range 0 to 4294967295 (inclusive)", True),
    (["zone=5", "udp_first=1", "nope=2"],
     "nope is not one of the allowed values", True),
    (["zone=x", "udp_first=1"], '"zone=x": "x" is not a valid zone id',
     False),
    (["zone=", "udp_first=1"], '"zone=": "" is not a valid zone id', False),
    (["zone=7abc", "udp_first=1"], '"7abc" is not a valid zone id', False),
    (["zone= 7", "udp_first=1"], '" 7" is not a valid zone id', False),
    (["5", "udp_first=1"], '"5": expected zone=ZONE_ID', False),
    (["Zone=5", "udp_first=1"], '"Zone=5": expected zone=ZONE_ID', False),
    (["zone=5", "udp_first"], '"udp_first": expected KEY=VALUE', False),
    (["zone=5", "udp_first="], '"" is not a valid integer', False),
    (["zone=5", "udp_first=abc"], '"abc" is not a valid integer', False),
    (["zone=5", "udp_first=5x"], '"5x" is not a valid integer', False),
    (["zone=5", "udp_first=0x10"], '"0x10" is not a valid integer', False),
    (["zone=5", "udp_first=1=2"], '"1=2" is not a valid integer', False),
    (["zone=5", "udp_first=4294967296"],
     "4294967296 is not in the valid range 0 to 4294967295 (inclusive)",
     False),
    (["zone=5", "udp_first=99999999999999999999"],
     '"99999999999999999999" is not a valid integer', False),
    (["zone=5", "udp_first=1", "udp_first=2"],
     "udp_first given more than once", False),
]


def server_details(err):
    """The details of ovs-vsctl's "transaction error: {JSON}"."""
    m = re.match(r"vsctl: transaction error: (\{.*\})\n\Z", err)
    if not m:
        raise AssertionError("not a transaction error: %r" % err)
    error = json.loads(m.group(1))
    check_equal("error", error.get("error"), "constraint violation")
    return error["details"]


@case
def malformed_arguments_rejected():
    """Each bad argument fails with exit status 1, a message naming it,
    and no change; where ovs-vsctl gets a constraint violation from the
    server, plx-vsctl's message carries the same details."""
    with Server() as s:
        s.add_datapath("plx", "netdev")
        s.ok("plx", "add-zone-tp", "netdev", "zone=3", "udp_first=1")
        for args, expected, ovs_rejects in MALFORMED:
            for prefix in ([], ["--may-exist"]):
                argv = prefix + ["add-zone-tp", "netdev"] + args
                err = s.fails("plx", argv)
                # Rejected by plx-vsctl itself, naming the argument.
                if expected not in err or not err.startswith('vsctl: "'):
                    raise AssertionError("%s: %r does not say %r"
                                         % (" ".join(argv), err, expected))
                if ovs_rejects:
                    details = server_details(s.fails("ovs", argv))
                    if expected not in details or not err.endswith(
                            ": " + details + "\n"):
                        raise AssertionError("%s: ovs-vsctl says %r, "
                                             "plx-vsctl %r" % (
                                                 " ".join(argv), details,
                                                 err))
        # del-zone-tp checks its zone argument the same way.
        for arg, expected in (("zone=x", '"x" is not a valid zone id'),
                              ("3", '"3": expected zone=ZONE_ID'),
                              ("zone=70000", "70000 is not in the valid "
                               "range 0 to 65535")):
            for prefix in ([], ["--if-exists"]):
                err = s.fails("plx", prefix + ["del-zone-tp", "netdev", arg])
                if expected not in err:
                    raise AssertionError("del-zone-tp %s: %r" % (arg, err))
        # A bad command anywhere in the line aborts the whole transaction.
        s.fails("plx", ["add-zone-tp", "netdev", "zone=4", "udp_first=1",
                        "--", "add-zone-tp", "netdev", "zone=6",
                        "bogus=1"])
        s.fails("plx", ["del-zone-tp", "netdev", "zone=3", "--",
                        "add-zone-tp", "netdev", "zone=3", "udp_first=x"])
        check_equal("list", s.lists("list-zone-tp", "netdev"),
                    "Zone:3, Timeout Policies: udp_first=1\n")
        # Accepted spellings: C's "%i" for the zone, as ovs-vsctl's scan.
        s.ok("plx", "add-zone-tp", "netdev", "zone=0x10", "udp_first=2")
        s.ok("plx", "add-zone-tp", "netdev", "zone=+17", "udp_first=+3")
        check_equal("list", s.lists("list-zone-tp", "netdev"),
                    "Zone:3, Timeout Policies: udp_first=1\n"
                    "Zone:16, Timeout Policies: udp_first=2\n"
                    "Zone:17, Timeout Policies: udp_first=3\n")


@case
def zones_written_by_hand():
    """Zones that no add-zone-tp writes (no policy, an empty policy),
    made with the generic commands, list identically; list-dp-cap."""
    with Server() as s:
        s.add_datapath("ovs", "netdev", "capabilities:ct_zone=true",
                       "capabilities:recirc=true",
                       "capabilities:max_hash_alg=1")
        s.ok("plx", "--", "--id=@z", "create", "CT_Zone",
             "external_ids:a=b", "--", "add", "Datapath", ".", "ct_zones",
             "40=@z")
        s.ok("ovs", "--", "--id=@t", "create", "CT_Timeout_Policy",
             "external_ids:a=b", "--", "--id=@z", "create", "CT_Zone",
             "timeout_policy=@t", "--", "add", "Datapath", ".", "ct_zones",
             "41=@z")
        check_equal("list", s.lists("list-zone-tp", "netdev"),
                    "Zone:40, Timeout Policies: system default\n"
                    "Zone:41, Timeout Policies:\n")
        # --may-exist gives the zone without a policy one.
        s.ok("plx", "--may-exist", "add-zone-tp", "netdev", "zone=40",
             "icmp_reply=9")
        check_equal("list", s.lists("list-zone-tp", "netdev"),
                    "Zone:40, Timeout Policies: icmp_reply=9\n"
                    "Zone:41, Timeout Policies:\n")

        ours, theirs = (s.ok(t, "list-dp-cap", "netdev") for t in ("plx",
                                                                  "ovs"))
        check_equal("list-dp-cap", ours,
                    "ct_zone=true max_hash_alg=1 recirc=true\n")
        check_equal("list-dp-cap (as sets)", sorted(ours.split()),
                    sorted(theirs.split()))
        s.add_datapath("plx", "system")
        check_equal("no capabilities", s.lists("list-dp-cap", "system"),
                    "\n")


@case
def one_transaction_and_dry_run():
    """plx-vsctl runs all commands of one invocation in one transaction
    that sees its own changes; --dry-run changes nothing."""
    with Server() as s:
        s.add_datapath("plx", "netdev")
        s.ok("plx", "add-zone-tp", "netdev", "zone=1", "udp_first=1", "--",
             "add-zone-tp", "netdev", "zone=2", "udp_first=1", "--",
             "list-zone-tp", "netdev")
        check_equal("shared policy", s.count("CT_Timeout_Policy"), 1)
        out = s.ok("plx", "del-zone-tp", "netdev", "zone=1", "--",
                   "add-zone-tp", "netdev", "zone=1", "icmp_first=5", "--",
                   "list-zone-tp", "netdev")
        check_equal("replaced", out,
                    "Zone:1, Timeout Policies: icmp_first=5\n"
                    "Zone:2, Timeout Policies: udp_first=1\n")
        err = s.fails("plx", ["add-zone-tp", "netdev", "zone=9",
                              "udp_first=1", "--", "add-zone-tp", "netdev",
                              "zone=9", "udp_first=2"])
        check_equal("duplicate in one line", err,
                    "vsctl: zone id 9 already exists\n")
        before = s.snapshot()
        s.ok("plx", "--dry-run", "add-zone-tp", "netdev", "zone=3",
             "udp_first=1")
        s.ok("plx", "--dry-run", "del-zone-tp", "netdev", "zone=2")
        check_equal("dry run", s.snapshot(), before)


if __name__ == "__main__":
    plxtest.run()
