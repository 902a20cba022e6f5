"""plx-dpctl: usage, errors, and forwarding to a real daemon.

Error paths: no daemon (no pid file, stale pid file, dead socket), unknown
commands and options, wrong argument counts, --help and --version.  The
forwarding path against a live daemon that has no datapath (plx-dbserver:
the request reaches it, and its "not a valid command" error comes back
with exit status 2), by --unixctl and by -t NAME through the pid file in
PLX_RUNDIR.  And, once vswitchd/plx-vswitchd is built, every command
against a live plx-vswitchd with a bridge, compared with what plx-appctl
gets for the same unixctl commands."""

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


def build(*parts):
    path = plxtest.build_path(*parts)
    if not os.path.exists(path):
        raise Skip("%s not built" % path)
    return path


class Dir:
    """A temporary run directory, removed on exit."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="plx-dpctl-")
        self.env = dict(os.environ, PLX_RUNDIR=self.path,
                        PLX_DBDIR=self.path, PLX_LOGDIR=self.path)
        return self

    def __exit__(self, *args):
        shutil.rmtree(self.path, ignore_errors=True)


def dpctl(args, env, timeout=30):
    return subprocess.run([build("utilities", "plx-dpctl")] + args,
                          capture_output=True, text=True, env=env,
                          timeout=timeout)


def expect(p, status, stderr_re=None, stdout_re=None):
    if p.returncode != status:
        raise AssertionError("exit status %d, not %d; stdout %r stderr %r"
                             % (p.returncode, status, p.stdout, p.stderr))
    if stderr_re and not re.search(stderr_re, p.stderr, re.M):
        raise AssertionError("stderr %r lacks /%s/" % (p.stderr, stderr_re))
    if stdout_re and not re.search(stdout_re, p.stdout, re.M):
        raise AssertionError("stdout %r lacks /%s/" % (p.stdout, stdout_re))


def wait_for_socket(path, proc, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("%s exited with status %d"
                                 % (what, proc.returncode))
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("%s did not start" % what)


def stop(proc):
    if proc and proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@case
def help_and_version():
    with Dir() as d:
        p = dpctl(["--help"], d.env)
        expect(p, 0)
        for command in ("show", "dump-flows", "del-flows",
                        "pmd-stats-show", "--unixctl", "--target"):
            if command not in p.stdout:
                raise AssertionError("--help lacks %s: %r"
                                     % (command, p.stdout))
        expect(dpctl(["--version"], d.env), 0,
               stdout_re=r"^plx-dpctl \(Plexus\) \S+$")


@case
def usage_errors():
    with Dir() as d:
        # No command, unknown command, unknown options, too many
        # arguments: exit status 1, a message, and the daemon never asked.
        expect(dpctl([], d.env), 1, r"^plx-dpctl: missing command name")
        expect(dpctl(["frobnicate"], d.env), 1,
               r"^plx-dpctl: unknown command 'frobnicate'")
        expect(dpctl(["--frob", "show"], d.env), 1, r"--help")
        expect(dpctl(["show", "-x"], d.env), 1,
               r"^plx-dpctl: show: unknown option \"-x\"")
        expect(dpctl(["del-flows", "-m"], d.env), 1,
               r"del-flows: unknown option \"-m\"")
        expect(dpctl(["show", "--names"], d.env), 1,
               r"show: unknown option \"--names\"")
        expect(dpctl(["del-flows", "a", "b"], d.env), 1,
               r"'del-flows' command takes at most 1 argument")
        expect(dpctl(["-T", "soon", "show"], d.env), 1,
               r"--timeout takes a number of seconds")


@case
def no_daemon():
    with Dir() as d:
        # No pid file in PLX_RUNDIR.
        p = dpctl(["show"], d.env)
        expect(p, 2, r"^plx-dpctl: cannot read pidfile \"%s/plx-vswitchd"
               r"\.pid\" \(is plx-vswitchd running\?\)"
               % re.escape(d.path))
        if p.stdout:
            raise AssertionError("stdout %r" % p.stdout)

        # A stale pid file: no process holds its lock.
        with open(os.path.join(d.path, "plx-vswitchd.pid"), "w") as f:
            f.write("999999\n")
        expect(dpctl(["dump-flows"], d.env), 2,
               r"cannot read pidfile .*plx-vswitchd\.pid.*stale")

        # -t with another daemon name, and a socket path nobody listens
        # on.
        expect(dpctl(["-t", "plx-other", "show"], d.env), 2,
               r"plx-other\.pid\" \(is plx-other running\?\)")
        ctl = os.path.join(d.path, "nobody.ctl")
        expect(dpctl(["--unixctl=" + ctl, "del-flows"], d.env), 2,
               r"^plx-dpctl: cannot connect to \"%s\": No such file"
               % re.escape(ctl))
        s = socket.socket(socket.AF_UNIX)
        s.bind(ctl)                     # Bound but not listening.
        try:
            expect(dpctl(["--unixctl", ctl, "pmd-stats-show"], d.env), 2,
                   r"cannot connect to .*: Connection refused")
        finally:
            s.close()


@case
def forwards_to_daemon():
    """plx-dbserver is a real daemon with a control socket but no
    datapath: the request must reach it under the unixctl name and its
    error come back."""
    dbserver = build("ovsdb", "plx-dbserver")
    dbtool = build("ovsdb", "plx-dbtool")
    schema = os.path.join(plxtest.SRCDIR, "vswitchd", "vswitch.ovsschema")
    with Dir() as d:
        db = os.path.join(d.path, "conf.db")
        subprocess.run([dbtool, "create", db, schema], check=True,
                       capture_output=True)
        sock = os.path.join(d.path, "db.sock")
        proc = subprocess.Popen(
            [dbserver, db, "--remote=punix:" + sock, "--pidfile",
             "--log-file=" + os.path.join(d.path, "log")],
            env=d.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_socket(sock, proc, "plx-dbserver")
            for args, method in ((["show"], "dpctl/show"),
                                 (["-s", "show"], "dpctl/show"),
                                 (["dump-flows", "-m"], "dpctl/dump-flows"),
                                 (["del-flows"], "dpctl/del-flows"),
                                 (["pmd-stats-show"],
                                  "dpif-netdev/pmd-stats-show")):
                p = dpctl(["-t", "plx-dbserver", "-T", "10"] + args, d.env)
                expect(p, 2, r"^plx-dpctl: %s: .*%s"
                       % (re.escape(args[-1] if args[-1] != "-m"
                                    else args[0]), re.escape(method)))
            # The same through --unixctl with the socket's path.
            pid = int(open(os.path.join(d.path,
                                        "plx-dbserver.pid")).read())
            ctl = os.path.join(d.path, "plx-dbserver.%d.ctl" % pid)
            expect(dpctl(["--unixctl=" + ctl, "show"], d.env), 2,
                   r"dpctl/show")
            if proc.poll() is not None:
                raise AssertionError("plx-dbserver died")
        finally:
            stop(proc)


def vsctl(d, db_sock, *args):
    p = subprocess.run([build("utilities", "plx-vsctl"),
                        "--db=unix:" + db_sock] + list(args),
                       capture_output=True, text=True, env=d.env,
                       timeout=30)
    if p.returncode:
        raise AssertionError("plx-vsctl %s: %s" % (" ".join(args),
                                                   p.stderr))
    return p.stdout


@case
def live_vswitchd():
    vswitchd = build("vswitchd", "plx-vswitchd")
    dbserver = build("ovsdb", "plx-dbserver")
    dbtool = build("ovsdb", "plx-dbtool")
    appctl = build("utilities", "plx-appctl")
    schema = os.path.join(plxtest.SRCDIR, "vswitchd", "vswitch.ovsschema")
    with Dir() as d:
        db = os.path.join(d.path, "conf.db")
        subprocess.run([dbtool, "create", db, schema], check=True,
                       capture_output=True)
        sock = os.path.join(d.path, "db.sock")
        dbproc = subprocess.Popen(
            [dbserver, db, "--remote=punix:" + sock, "--pidfile",
             "--log-file=" + os.path.join(d.path, "db.log")],
            env=d.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        vsproc = None
        try:
            wait_for_socket(sock, dbproc, "plx-dbserver")
            vsctl(d, sock, "--no-wait", "init")
            vsproc = subprocess.Popen(
                [vswitchd, "unix:" + sock, "--pidfile",
                 "--log-file=" + os.path.join(d.path, "vswitchd.log")],
                env=d.env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            pidfile = os.path.join(d.path, "plx-vswitchd.pid")
            deadline = time.time() + 10
            while not os.path.exists(pidfile) and time.time() < deadline:
                if vsproc.poll() is not None:
                    raise AssertionError("plx-vswitchd exited (%d)"
                                         % vsproc.returncode)
                time.sleep(0.05)
            vsctl(d, sock, "add-br", "br0")

            # By default plx-dpctl finds plx-vswitchd via PLX_RUNDIR.
            p = dpctl(["-T", "20", "show"], d.env)
            expect(p, 0, stdout_re=r"br0")
            shown = p.stdout
            a = subprocess.run([appctl, "-T", "20", "dpctl/show"],
                               capture_output=True, text=True, env=d.env)
            if a.returncode or not re.search(r"lookups: hit:\d+", a.stdout):
                raise AssertionError("plx-appctl dpctl/show: %r %r"
                                     % (a.stdout, a.stderr))
            if re.sub(r"\d+", "N", a.stdout) != re.sub(r"\d+", "N",
                                                       shown):
                raise AssertionError("plx-dpctl show %r differs from "
                                     "plx-appctl dpctl/show %r"
                                     % (shown, a.stdout))
            expect(dpctl(["-T", "20", "show", "-s"], d.env), 0,
                   stdout_re=r"br0")
            expect(dpctl(["-T", "20", "dump-flows"], d.env), 0)
            expect(dpctl(["-T", "20", "-m", "dump-flows"], d.env), 0)
            expect(dpctl(["-T", "20", "dump-flows", "--names"], d.env), 0)
            expect(dpctl(["-T", "20", "del-flows"], d.env), 0)
            p = dpctl(["-T", "20", "dump-flows"], d.env)
            expect(p, 0)
            if p.stdout.strip():
                raise AssertionError("flows after del-flows: %r"
                                     % p.stdout)
            expect(dpctl(["-T", "20", "pmd-stats-show"], d.env), 0)
            # A datapath name the daemon does not have: its error, exit 2.
            expect(dpctl(["-T", "20", "show", "nosuch@dp"], d.env), 2,
                   r"^plx-dpctl: show: ")
            if vsproc.poll() is not None:
                raise AssertionError("plx-vswitchd died")
        finally:
            stop(vsproc)
            stop(dbproc)


plxtest.run()
