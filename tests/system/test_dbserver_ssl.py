"""plx-dbserver over SSL (--remote=pssl:, lib/stream-ssl.c).

A CA, a second "rogue" CA and certificates signed by each are made once
with the openssl command in a temporary directory.  Each case starts
plx-dbserver (from PLX_BUILDDIR) on a new Open_vSwitch database made by
plx-dbtool, listening on pssl:0:127.0.0.1 and on a unix socket, and kills
it by PID.  The server does not report the port the kernel chose for
pssl:0 (list-remotes and the log say "pssl:0:127.0.0.1"), so the test
finds it from the server's own listening socket in /proc.

Clients: Debian's ovs-vsctl, plx-vsctl, and Python's ssl module for a
raw JSON-RPC client (one without a certificate, one that speaks no TLS
at all)."""

import json
import os
import signal
import socket
import ssl
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


def run(argv, check=True, **kwargs):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                       **kwargs)
    if check and p.returncode:
        raise AssertionError("%s failed (%d): %s%s"
                             % (" ".join(argv), p.returncode, p.stdout,
                                p.stderr))
    return p


class Pki:
    """CAs "ca" and "rogueca"; "server" and "client" signed by ca, and
    "rogue" signed by rogueca.  NAME-key.pem and NAME-cert.pem in
    self.dir, made as tests/unit/test-stream-ssl.c makes them."""

    _instance = None

    def __init__(self):
        plxtest.require_program("openssl")
        self.dir = tempfile.mkdtemp(prefix="plx-pki-")
        self._ca("ca")
        self._ca("rogueca")
        self._cert("server", "ca")
        self._cert("client", "ca")
        self._cert("rogue", "rogueca")

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _openssl(self, *args):
        run(["openssl"] + list(args), cwd=self.dir)

    def _ca(self, name):
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", name + "-key.pem",
                      "-out", name + "-cert.pem", "-days", "2",
                      "-subj", "/CN=Plexus test CA " + name)

    def _cert(self, name, ca):
        self._openssl("req", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", name + "-key.pem",
                      "-out", name + "-req.pem", "-subj", "/CN=" + name)
        self._openssl("x509", "-req", "-in", name + "-req.pem",
                      "-CA", ca + "-cert.pem", "-CAkey", ca + "-key.pem",
                      "-CAcreateserial", "-out", name + "-cert.pem",
                      "-days", "2")

    def key(self, name):
        return os.path.join(self.dir, name + "-key.pem")

    def cert(self, name):
        return os.path.join(self.dir, name + "-cert.pem")

    def options(self, name, ca="ca"):
        """The --private-key/--certificate/--ca-cert options for NAME's
        key and certificate, trusting CA."""
        return ["--private-key=" + self.key(name),
                "--certificate=" + self.cert(name),
                "--ca-cert=" + self.cert(ca)]


def listening_port(pid):
    """The TCP port that process PID listens on (IPv4), or None."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    with open("/proc/%d/net/tcp" % pid) as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:      # TCP_LISTEN
                return int(local.split(":")[1], 16)
    return None


class SslServer:
    """plx-dbserver on a new Open_vSwitch database, listening on
    pssl:0:127.0.0.1 with the "server" certificate."""

    def __init__(self):
        self.pki = Pki.get()
        self.dbserver = build("ovsdb", "plx-dbserver")
        dbtool = build("ovsdb", "plx-dbtool")
        self.dir = tempfile.mkdtemp(prefix="plx-dbserver-ssl-")
        self.sock = os.path.join(self.dir, "db.sock")
        self.ctl = os.path.join(self.dir, "ctl")
        self.log = os.path.join(self.dir, "log")
        self.db = os.path.join(self.dir, "conf.db")
        schema = os.path.join(plxtest.SRCDIR, "vswitchd",
                              "vswitch.ovsschema")
        run([dbtool, "create", self.db, schema])
        self.proc = subprocess.Popen(
            [self.dbserver, self.db, "--remote=pssl:0:127.0.0.1",
             "--remote=punix:" + self.sock, "--unixctl=" + self.ctl,
             "--log-file=" + self.log] + self.pki.options("server"),
            env=self.env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.port = None
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("plx-dbserver exited: %s"
                                     % self.read_log())
            if os.path.exists(self.sock):
                self.port = listening_port(self.proc.pid)
                if self.port:
                    break
            time.sleep(0.02)
        if not self.port:
            self.stop()
            raise AssertionError("plx-dbserver did not listen: %s"
                                 % self.read_log())
        self.remote = "ssl:127.0.0.1:%d" % self.port

    def env(self):
        env = dict(os.environ)
        env.update(PLX_RUNDIR=self.dir, PLX_DBDIR=self.dir,
                   PLX_LOGDIR=self.dir)
        return env

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def appctl(self, *args):
        return run([build("utilities", "plx-appctl"), "-t", self.ctl]
                   + list(args), env=self.env())

    def vsctl(self, *args, tool=None, name="client", ca="ca", remote=None,
              timeout=10, check=True):
        """Runs ovs-vsctl (or TOOL) against the SSL remote with NAME's
        key and certificate; returns the CompletedProcess."""
        if tool is None:
            tool = plxtest.require_program("ovs-vsctl")
        argv = ([tool, "--db=" + (remote or self.remote), "--no-wait",
                 "--timeout=%d" % timeout]
                + self.pki.options(name, ca) + list(args))
        return run(argv, check=check, env=self.env())

    def assert_serves_good_client(self, bridges):
        assert self.alive(), self.read_log()
        out = self.vsctl("list-br").stdout
        assert out.split() == bridges, (out, self.read_log())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def tls_context(pki, name):
    """A client SSLContext trusting "ca", with NAME's certificate unless
    NAME is None."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(pki.cert("ca"))
    if name:
        ctx.load_cert_chain(pki.cert(name), pki.key(name))
    return ctx


def rpc_list_dbs(sock):
    """Sends list_dbs on SOCK; returns the parsed reply, or None if the
    connection closed first."""
    sock.sendall(json.dumps({"method": "list_dbs", "params": [],
                             "id": 1}).encode())
    buf = b""
    dec = json.JSONDecoder()
    while True:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
        try:
            obj, _ = dec.raw_decode(buf.decode())
        except ValueError:
            continue
        if obj.get("id") == 1:
            return obj


@case
def ovs_vsctl_over_ssl():
    with SslServer() as server:
        remotes = server.appctl("ovsdb-server/list-remotes").stdout
        assert "pssl:0:127.0.0.1" in remotes.split(), remotes
        server.vsctl("init")
        server.vsctl("add-br", "br0")
        server.vsctl("add-port", "br0", "p1")
        server.assert_serves_good_client(["br0"])
        out = server.vsctl("list-ports", "br0").stdout
        assert out.split() == ["p1"], out
        # What went over SSL is in the database (seen over the unix
        # socket, which does not involve SSL).
        out = run([plxtest.require_program("ovs-vsctl"),
                   "--db=unix:" + server.sock, "--no-wait", "--timeout=10",
                   "list-br"], env=server.env()).stdout
        assert out.split() == ["br0"], out


@case
def plx_vsctl_over_ssl():
    tool = build("utilities", "plx-vsctl")
    with SslServer() as server:
        server.vsctl("init", tool=tool)
        server.vsctl("add-br", "br1", tool=tool)
        server.vsctl("add-port", "br1", "p2", tool=tool)
        out = server.vsctl("list-br", tool=tool).stdout
        assert out.split() == ["br1"], out
        out = server.vsctl("list-ports", "br1", tool=tool).stdout
        assert out.split() == ["p2"], out
        # Debian's ovs-vsctl sees the same.
        server.assert_serves_good_client(["br1"])


@case
def wrong_ca_refused():
    with SslServer() as server:
        server.vsctl("init")
        server.vsctl("add-br", "br0")

        # A client whose certificate comes from a CA the server does not
        # trust (it trusts the server's CA, so only the server can
        # refuse).
        start = time.time()
        p = server.vsctl("add-br", "evil", name="rogue", timeout=5,
                         check=False)
        elapsed = time.time() - start
        assert p.returncode != 0, p
        assert elapsed < 15, elapsed
        log = server.read_log()
        assert "peer certificate verification failed" in log, log
        server.assert_serves_good_client(["br0"])

        # A good certificate, but the client does not trust the server's
        # CA: the client refuses.
        p = server.vsctl("add-br", "evil2", ca="rogueca", timeout=5,
                         check=False)
        assert p.returncode != 0, p
        server.assert_serves_good_client(["br0"])

        # No client certificate at all (Python's ssl module).
        pki = server.pki
        refused = False
        try:
            with socket.create_connection(("127.0.0.1", server.port),
                                          timeout=5) as raw:
                with tls_context(pki, None).wrap_socket(raw) as s:
                    # TLS 1.3: the server's refusal arrives after the
                    # client's handshake completes.
                    refused = rpc_list_dbs(s) is None
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            refused = True
        assert refused
        server.assert_serves_good_client(["br0"])

        # The same raw client with the good certificate is served.
        with socket.create_connection(("127.0.0.1", server.port),
                                      timeout=5) as raw:
            with tls_context(pki, "client").wrap_socket(raw) as s:
                r = rpc_list_dbs(s)
        assert r and r["result"] == ["Open_vSwitch", "_Server"], r
        assert server.alive()


@case
def plaintext_client_refused():
    with SslServer() as server:
        server.vsctl("init")
        server.vsctl("add-br", "br0")

        # ovs-vsctl speaking plain JSON-RPC over TCP to the SSL port.
        start = time.time()
        p = run([plxtest.require_program("ovs-vsctl"),
                 "--db=tcp:127.0.0.1:%d" % server.port, "--no-wait",
                 "--timeout=5", "list-br"], check=False, env=server.env())
        elapsed = time.time() - start
        assert p.returncode != 0, p
        assert "br0" not in p.stdout, p.stdout
        assert elapsed < 15, elapsed
        server.assert_serves_good_client(["br0"])

        # A raw plaintext request gets no JSON-RPC reply: the server
        # closes the connection (perhaps after a TLS alert).
        with socket.create_connection(("127.0.0.1", server.port),
                                      timeout=5) as s:
            s.sendall(json.dumps({"method": "list_dbs", "params": [],
                                  "id": 1}).encode())
            got = b""
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    got += data
            except ConnectionResetError:
                pass
            except socket.timeout:
                raise AssertionError("server kept a plaintext connection "
                                     "open: %r" % got)
        assert b"Open_vSwitch" not in got, got
        assert b"{" not in got, got

        # Garbage, and a connection that never says anything while
        # another is served.
        with socket.create_connection(("127.0.0.1", server.port),
                                      timeout=5) as idle:
            with socket.create_connection(("127.0.0.1", server.port),
                                          timeout=5) as s:
                s.sendall(b"\x16\x03\x01\xff\xff" + b"\x00" * 100)
            server.assert_serves_good_client(["br0"])
            assert server.alive()
        server.assert_serves_good_client(["br0"])


if __name__ == "__main__":
    plxtest.run()
