"""qemu_guest: Linux guests in QEMU (TCG) on vhost-user ports, for the
system tests of Plexus's dpdkvhostuser and dpdkvhostuserclient ports.

A Guest is one qemu-system-x86_64 process booting Debian's cloud kernel
with the busybox initramfs that tests/guest/linux/build-initramfs.sh
builds (and caches).  Its NICs are virtio-net-pci devices on vhost-user
sockets: client mode (QEMU connects to a switch that listens, the
dpdkvhostuser case) or server mode (QEMU listens and the switch
connects, the dpdkvhostuserclient case).  What the host must know:

  - vhost-user needs guest RAM the backend can map: it is a memfd
    backend with share=on.
  - QEMU 7.2 in TCG mode crashes (msix_set_vector_notifiers, from
    vhost_net_start) when a vhost-user virtio-net-pci device uses MSI-X,
    so every NIC has vectors=0 (INTx).  Multiqueue (queues=N on the
    netdev, mq=on on the device) works that way too; the guest driver
    enables min(N, vCPUs) queue pairs, so a multiqueue guest gets N
    vCPUs.
  - QEMU does not finish starting until every vhost-user netdev has
    completed its handshake: for a server-mode NIC, until the switch has
    connected.  start() therefore returns at once and wait_booted()
    waits for the guest.

The test drives a shell on a virtio-serial port (named plx.console in
the guest) through a unix socket: run() types a command and returns its
exit status and output, found between markers that never appear in the
typed text.  (Under TCG the emulated 16550 loses transmit interrupts, so
output on ttyS0 stalls, and hvc0 takes 16 bytes of input per interrupt;
ttyS0 only logs kernel messages, to NAME.ttyS0.)
Each guest has a QMP socket for migration: migrate_to() moves a running
guest to a Guest started with incoming=True, and the test then drives
the destination's console.  Everything lives in the directory the test
gives (sockets, console logs, QEMU's stderr); stop() kills QEMU by PID
and reaps it."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

QEMU = "qemu-system-x86_64"
_HERE = os.path.dirname(os.path.abspath(__file__))
_images = None


def build_script():
    srcdir = os.environ.get("PLX_SRCDIR") or os.path.join(_HERE, "..", "..")
    return os.path.join(srcdir, "tests", "guest", "linux",
                        "build-initramfs.sh")


def images():
    """(kernel, initrd) paths, built on first use (and cached on disk by
    build-initramfs.sh).  Raises RuntimeError if they cannot be built."""
    global _images
    if _images is None:
        p = subprocess.run(["bash", build_script()], capture_output=True,
                           text=True, timeout=600)
        if p.returncode:
            raise RuntimeError("build-initramfs.sh failed: %s"
                               % p.stderr.strip()[-1000:])
        found = dict(line.split("=", 1) for line in p.stdout.splitlines()
                     if "=" in line)
        _images = (found["KERNEL"], found["INITRD"])
    return _images


class Nic:
    """One virtio-net-pci NIC on a vhost-user socket at PATH.  SERVER:
    QEMU listens (the switch's dpdkvhostuserclient); otherwise QEMU
    connects, retrying every second until the socket exists and after
    the switch restarts."""

    def __init__(self, path, mac, server=False, queues=1):
        self.path = path
        self.mac = mac
        self.server = server
        self.queues = queues

    def args(self, i):
        chardev = "socket,id=c%d,path=%s" % (i, self.path)
        chardev += ",server=on,wait=off" if self.server else ",reconnect=1"
        netdev = "vhost-user,id=n%d,chardev=c%d" % (i, i)
        device = "virtio-net-pci,netdev=n%d,mac=%s,vectors=0" % (i, self.mac)
        if self.queues > 1:
            netdev += ",queues=%d" % self.queues
            device += ",mq=on"
        return ["-chardev", chardev, "-netdev", netdev, "-device", device]


class QmpError(Exception):
    pass


class Guest:
    def __init__(self, name, workdir, nics, ips=(), smp=None, mem_mb=256,
                 incoming=False):
        """NAME labels files in WORKDIR; NICS is a list of Nic; IPS gives
        "a.b.c.d/n" for eth0, eth1, ... (None: unconfigured).  SMP
        defaults to the largest queue count.  INCOMING: a migration
        destination, started paused until migrate_to() sends it state."""
        self.name = name
        self.workdir = workdir
        self.nics = list(nics)
        self.ips = list(ips)
        self.smp = smp or max([n.queues for n in self.nics] + [1])
        self.mem_mb = mem_mb
        self.incoming = incoming
        self.qmp_path = os.path.join(workdir, name + ".qmp")
        self.migrate_path = os.path.join(workdir, name + ".mig")
        self.console_log = os.path.join(workdir, name + ".console")
        self.console_path = os.path.join(workdir, name + ".console.sock")
        self.kernel_log = os.path.join(workdir, name + ".ttyS0")
        self._console = None
        self.stderr_path = os.path.join(workdir, name + ".stderr")
        self.proc = None
        self._buf = b""
        self._cond = threading.Condition()
        self._eof = False
        self._seq = 0
        self._qmp = None
        self._qmp_file = None
        self.started_at = None
        self.boot_seconds = None

    # -- Process. --

    def argv(self):
        kernel, initrd = images()
        cmdline = ["console=ttyS0", "loglevel=3", "panic=-1",
                   "mitigations=off", "plx.hostname=" + self.name]
        for i, ip in enumerate(self.ips):
            if ip:
                cmdline.append("plx.ip%s=%s" % ("" if i == 0 else i, ip))
        argv = [QEMU, "-name", self.name, "-nodefaults", "-no-user-config",
                "-display", "none", "-vga", "none", "-no-reboot",
                "-machine", "pc,accel=tcg,memory-backend=mem",
                "-object", "memory-backend-memfd,id=mem,size=%dM,share=on"
                % self.mem_mb,
                "-m", "%dM" % self.mem_mb, "-smp", str(self.smp),
                "-kernel", kernel, "-initrd", initrd,
                "-append", " ".join(cmdline),
                "-chardev", "file,id=ser0,path=%s" % self.kernel_log,
                "-serial", "chardev:ser0",
                "-chardev", "socket,id=con0,path=%s,server=on,wait=off"
                % self.console_path,
                "-device", "virtio-serial-pci,vectors=0",
                "-device", "virtserialport,chardev=con0,name=plx.console",
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        for i, nic in enumerate(self.nics):
            argv += nic.args(i)
        if self.incoming:
            argv += ["-incoming", "unix:" + self.migrate_path]
        return argv

    def start(self):
        for path in (self.qmp_path, self.migrate_path, self.console_path):
            if os.path.exists(path):
                os.unlink(path)
        self.started_at = time.time()
        self.proc = subprocess.Popen(
            self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.stderr_path, "ab"), start_new_session=True)
        # The console socket exists before QEMU waits for any vhost-user
        # peer, and the kernel queues this connection until QEMU accepts.
        self._connect_console(time.time() + 30)
        return self

    def _reader(self):
        with open(self.console_log, "ab") as log:
            while True:
                try:
                    data = self._console.recv(65536)
                except OSError:
                    data = b""
                with self._cond:
                    if not data:
                        self._eof = True
                        self._cond.notify_all()
                        return
                    self._buf += data
                    self._cond.notify_all()
                log.write(data)
                log.flush()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def console(self):
        with self._cond:
            return self._buf.decode(errors="replace")

    def stop(self):
        """Kills QEMU (by PID) and reaps it.  Idempotent."""
        if self._qmp:
            try:
                self._qmp.close()
            except OSError:
                pass
            self._qmp = None
        if self.proc and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc:
            self.proc.wait(timeout=20)
        if self._console:
            self._console.close()

    # -- Console. --

    def _wait_for(self, pattern, timeout, start=0):
        """Waits for regex PATTERN (bytes) in the console output from
        offset START; returns the match."""
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        with self._cond:
            while True:
                m = rx.search(self._buf, start)
                if m:
                    return m
                if self._eof or not self.alive():
                    raise AssertionError(
                        "%s: QEMU exited (%s) waiting for %r\nstderr: %s\n"
                        "console: %s" % (self.name, self.proc.poll(),
                                         pattern, self.stderr(),
                                         self._buf[-1500:].decode(
                                             errors="replace")))
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(
                        "%s: timed out waiting for %r; console ends: %s"
                        % (self.name, pattern,
                           self._buf[-1500:].decode(errors="replace")))
                self._cond.wait(min(left, 0.5))

    def _type(self, text):
        self._console.sendall(text.encode())

    def wait_booted(self, timeout=90):
        """Waits for /init's ready line, then quiets the shell (no echo,
        no prompts).  Returns the seconds since start()."""
        self._wait_for(rb"PLX-GUEST-READY", timeout)
        self.boot_seconds = time.time() - self.started_at
        self.attach_console()
        return self.boot_seconds

    def attach_console(self, timeout=60):
        """Waits until the shell on this QEMU's console answers (after a
        migration, the destination's console is a new connection to the
        same guest shell).  A destination QEMU may close a connection it
        accepted before the incoming migration finished (seen once in
        CI): while QEMU runs, that connection is replaced and the shell
        asked again."""
        deadline = time.time() + timeout
        while True:
            try:
                self.run("true", timeout=max(deadline - time.time(), 1))
                return
            except AssertionError:
                with self._cond:
                    closed = self._eof
                if not closed or not self.alive() or time.time() > deadline:
                    raise
                self._connect_console(deadline)

    def _connect_console(self, deadline):
        """A new connection to the console socket, read by a new reader
        thread; output continues in the same buffer."""
        while True:
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.console_path)
                break
            except OSError:
                s.close()
                if not self.alive() or time.time() > deadline:
                    raise AssertionError("%s: no console connection: %s"
                                         % (self.name, self.stderr()))
                time.sleep(0.02)
        if self._console:
            self._console.close()
        with self._cond:
            self._eof = False
        self._console = s
        threading.Thread(target=self._reader, daemon=True).start()

    def run(self, cmd, timeout=60):
        """Runs shell command CMD (may span lines, may end with &) in the
        guest's shell; returns (exit status, output with \\r removed)."""
        self._seq += 1
        tag = "%s%d" % (self.name, self._seq)
        with self._cond:
            start = len(self._buf)
        # The markers are split in the typed text, so only the output of
        # echo matches them.
        self._type("echo '@@B''EGIN-%s@@'\n{ %s\n} 2>&1\n"
                   "echo \"@@E\"\"ND-%s@@ $?\"\n" % (tag, cmd, tag))
        b = self._wait_for(rb"@@BEGIN-%s@@\r?\n" % tag.encode(), timeout,
                           start)
        e = self._wait_for(rb"@@END-%s@@ (\d+)" % tag.encode(), timeout,
                           b.end())
        out = self._buf[b.end():e.start()].decode(errors="replace")
        return int(e.group(1)), out.replace("\r", "")

    def check(self, cmd, timeout=60):
        """run(), raising AssertionError on a non-zero exit."""
        status, out = self.run(cmd, timeout)
        if status:
            raise AssertionError("%s: `%s` exited %d: %s"
                                 % (self.name, cmd, status, out[-2000:]))
        return out

    # -- QMP and migration. --

    def qmp(self, command, **arguments):
        if self._qmp is None:
            s = socket.socket(socket.AF_UNIX)
            deadline = time.time() + 30
            while True:
                try:
                    s.connect(self.qmp_path)
                    break
                except OSError:
                    if time.time() > deadline or not self.alive():
                        raise AssertionError("%s: no QMP socket: %s"
                                             % (self.name, self.stderr()))
                    time.sleep(0.05)
            s.settimeout(60)
            self._qmp = s
            self._qmp_file = s.makefile("rb")
            self._qmp_read()                        # The greeting.
            self.qmp("qmp_capabilities")
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self._qmp.sendall(json.dumps(msg).encode() + b"\n")
        reply = self._qmp_read()
        if "error" in reply:
            raise QmpError("%s: %s: %s" % (self.name, command,
                                          reply["error"]))
        return reply.get("return")

    def _qmp_read(self):
        while True:
            line = self._qmp_file.readline()
            if not line:
                raise AssertionError("%s: QMP closed" % self.name)
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def migrate_to(self, dest, timeout=120):
        """Live-migrates this guest to DEST (a Guest started with
        incoming=True with the same devices); returns the seconds the
        migration took and QEMU's final query-migrate.  This QEMU is
        then stopped and the test drives DEST's console."""
        start = time.time()
        deadline = start + 30
        while not os.path.exists(dest.migrate_path):
            if not dest.alive() or time.time() > deadline:
                raise AssertionError("%s: not listening for migration: %s"
                                     % (dest.name, dest.stderr()))
            time.sleep(0.05)
        self.qmp("migrate-set-parameters", **{"max-bandwidth": 10 << 30,
                                              "downtime-limit": 100})
        self.qmp("migrate", uri="unix:" + dest.migrate_path)
        info = {}
        while time.time() - start < timeout:
            info = self.qmp("query-migrate")
            status = info.get("status")
            if status == "completed":
                break
            if status in ("failed", "cancelled"):
                raise AssertionError("migration %s: %s\nsource stderr: %s"
                                     "\ndestination stderr: %s"
                                     % (status, info, self.stderr(),
                                        dest.stderr()))
            time.sleep(0.1)
        else:
            raise AssertionError("migration not done in %d s: %s"
                                 % (timeout, info))
        deadline = time.time() + 30
        while dest.qmp("query-status").get("status") != "running":
            if time.time() > deadline:
                raise AssertionError("%s not running after migration"
                                     % dest.name)
            time.sleep(0.05)
        elapsed = time.time() - start
        self.stop()
        dest.attach_console()
        return elapsed, info
