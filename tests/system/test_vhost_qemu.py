"""vhost-user ports with real Linux guests: QEMU (TCG) virtual machines on
Plexus's dpdkvhostuser and dpdkvhostuserclient interfaces.

Each case starts its own plx-dbserver and plx-vswitchd (test_vswitchd's
Switch, in a temporary directory that is also PLX_RUNDIR, so that a
dpdkvhostuser port's socket is RUNDIR/<ifname>), adds vhost-user ports
to a bridge in standalone mode (the NORMAL action), boots guests with
tests/system/qemu_guest.py (Debian's cloud kernel and a busybox
initramfs, built and cached by tests/guest/linux/build-initramfs.sh) and
drives their shells.  Guests boot in parallel.  Everything a case starts
(QEMU processes, the daemons) is killed by PID and the directory removed,
failed or not.  Needs root, qemu-system-x86, busybox-static and cpio
(plx-install-deps installs them), and the first run needs the Debian
package registry to fetch the kernel.

  two_vms_ping_tcp       ping, then 4 MB over TCP with equal sha256sums
  multiqueue             2 queue pairs per guest; flows pinned to each
                         queue by CPU (taskset) get through
  client_mode_reconnect  dpdkvhostuserclient: QEMU restarted, Plexus
                         reconnects, ping resumes
  live_migration         a guest pinging another moves to a second QEMU
                         on the same socket; the ping loses at most a few
"""

import contextlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, build, sh, wait_until
import qemu_guest
from qemu_guest import Guest, Nic

MAC = "52:54:00:%02x:%02x:%02x"
BOOT_TIMEOUT = 120


def require_guest():
    """Skips when a package the guests need is absent; fails (through
    RuntimeError) when the image cannot be built for another reason."""
    plxtest.require_root()
    plxtest.require_program(qemu_guest.QEMU)
    plxtest.require_program("cpio")
    if not any(os.path.exists(p) for p in ("/bin/busybox",
                                           "/usr/bin/busybox")):
        raise Skip("busybox-static not installed")
    qemu_guest.images()


@contextlib.contextmanager
def vhost_switch():
    """A Switch with a standalone bridge, and a directory for guests
    inside the switch's own (removed with it).  Yields (switch, dir,
    guests): append every Guest to guests to have it stopped."""
    require_guest()
    guests = []
    with Switch() as s:
        s.vsctl("add-br", s.br, "--", "set", "Bridge", s.br,
                "fail_mode=standalone")
        gdir = os.path.join(s.dir, "guests")
        os.mkdir(gdir)
        try:
            yield s, gdir, guests
        except BaseException:
            for g in guests:
                sys.stderr.write("--- %s console:\n%s\n--- stderr:\n%s\n"
                                 % (g.name, g.console()[-2000:],
                                    g.stderr()))
            sys.stderr.write("--- plx-vswitchd log:\n%s\n" % s.log())
            raise
        finally:
            for g in guests:
                g.stop()


def add_server_port(s, name, options=()):
    """A dpdkvhostuser port: Plexus listens on RUNDIR/NAME.  Returns the
    socket's path once it exists."""
    s.vsctl("add-port", s.br, name, "--", "set", "Interface", name,
            "type=dpdkvhostuser", *options)
    path = os.path.join(s.dir, name)
    wait_until(lambda: os.path.exists(path), 10,
               "vhost-user socket %s (error: %s)"
               % (path, s.get("Interface", name, "error")))
    return path


def add_client_port(s, name, path):
    """A dpdkvhostuserclient port: Plexus connects to PATH (QEMU
    listens) and reconnects when QEMU goes away."""
    s.vsctl("add-port", s.br, name, "--", "set", "Interface", name,
            "type=dpdkvhostuserclient", "options:vhost-server-path=" + path)


def boot(*guests):
    """Starts GUESTS together and waits for them all; returns the boot
    times (seconds)."""
    for g in guests:
        if not g.alive():
            g.start()
    return [g.wait_booted(BOOT_TIMEOUT) for g in guests]


def ping(g, addr, count=3):
    status, out = g.run("ping -c %d -i 0.2 -W 3 %s" % (count, addr),
                        timeout=30 + count)
    if status:
        raise AssertionError("%s: ping %s failed:\n%s" % (g.name, addr, out))
    return out


def wait_ping(g, addr, timeout=30):
    """Pings until one answer comes (a port just (re)connected), then
    requires three in a row."""
    deadline = time.time() + timeout
    while True:
        status, _ = g.run("ping -c 1 -W 1 %s" % addr, timeout=30)
        if status == 0:
            break
        if time.time() > deadline:
            raise AssertionError("%s: no answer from %s in %d s"
                                 % (g.name, addr, timeout))
    return ping(g, addr)


def tcp_transfer(src, dst, addr, kbytes=4096, port=5001, pin=None):
    """Moves KBYTES of random data from SRC to DST (at ADDR) with busybox
    nc; the sha256sums of what was sent and received must match.  PIN:
    a CPU mask for the sender (taskset), to choose its transmit queue."""
    # busybox nc exits when its peer half-closes, so the listener's
    # stdin must stay open: a sleep feeds it.
    dst.check("rm -f /tmp/in; sleep 120 | nc -l -p %d > /tmp/in &" % port)
    sent = src.check("dd if=/dev/urandom of=/tmp/out bs=1k count=%d "
                     "2>/dev/null && sha256sum /tmp/out" % kbytes).split()[0]
    task = "taskset %s " % pin if pin else ""
    for _ in range(20):
        status, out = src.run("%snc -w 5 %s %d < /tmp/out" % (task, addr,
                                                             port),
                              timeout=120)
        if status == 0:
            break
        time.sleep(0.2)             # The listener not up yet.
    else:
        raise AssertionError("nc to %s failed: %s" % (addr, out))

    def received():
        out = dst.check("[ ! -e /tmp/in ] || stat -c %s /tmp/in").strip()
        return out == str(kbytes * 1024)
    wait_until(received, 30, "%d KB at %s" % (kbytes, dst.name), 0.2)
    got = dst.check("sha256sum /tmp/in").split()[0]
    if got != sent:
        raise AssertionError("sha256 mismatch: sent %s received %s"
                             % (sent, got))
    return sent


def ofctl(s, *args):
    return sh([build("utilities", "plx-ofctl")] + list(args),
              env=dict(s.env, OVS_RUNDIR=s.dir)).stdout


def port_stats(s, iface):
    """(rx packets, tx packets) of IFACE from plx-ofctl dump-ports."""
    out = ofctl(s, "dump-ports", s.br, str(s.ofport(iface)))
    rx = re.search(r"rx pkts=(\d+)", out)
    tx = re.search(r"tx pkts=(\d+)", out)
    if not rx or not tx:
        raise AssertionError("dump-ports output: %s" % out)
    return int(rx.group(1)), int(tx.group(1))


@case
def two_vms_ping_tcp():
    """Two guests on dpdkvhostuser ports of one bridge ping each other
    and move 4 MB over TCP both ways with matching sha256sums; the ports'
    OpenFlow counters follow."""
    with vhost_switch() as (s, d, guests):
        p0 = add_server_port(s, "vhu0")
        p1 = add_server_port(s, "vhu1")
        a = Guest("a", d, [Nic(p0, MAC % (1, 0, 1))], ["10.10.0.1/24"])
        b = Guest("b", d, [Nic(p1, MAC % (1, 0, 2))], ["10.10.0.2/24"])
        guests += [a, b]
        boot(a, b)
        wait_ping(a, "10.10.0.2")
        ping(b, "10.10.0.1")
        tcp_transfer(a, b, "10.10.0.2")
        tcp_transfer(b, a, "10.10.0.1", port=5002)
        rx, tx = port_stats(s, "vhu0")
        # 4 MB each way in ~1448-byte segments, or fewer with TSO.
        if rx < 100 or tx < 100:
            raise AssertionError("vhu0 counters rx=%d tx=%d" % (rx, tx))


@case
def multiqueue():
    """Guests with 2 vCPUs on queues=2 (mq=on) ports get two queue pairs
    each; traffic sent from each CPU (each transmit queue, by XPS) gets
    through, and a TCP transfer pinned to the second queue matches."""
    with vhost_switch() as (s, d, guests):
        p0 = add_server_port(s, "vhu0")
        p1 = add_server_port(s, "vhu1")
        a = Guest("a", d, [Nic(p0, MAC % (2, 0, 1), queues=2)],
                  ["10.10.0.1/24"])
        b = Guest("b", d, [Nic(p1, MAC % (2, 0, 2), queues=2)],
                  ["10.10.0.2/24"])
        guests += [a, b]
        boot(a, b)
        for g in (a, b):
            queues = g.check("ls /sys/class/net/eth0/queues").split()
            if sorted(queues) != ["rx-0", "rx-1", "tx-0", "tx-1"]:
                raise AssertionError("%s queues: %s" % (g.name, queues))
            # XPS: CPU n transmits on tx-n.
            xps = g.check("cat /sys/class/net/eth0/queues/tx-0/xps_cpus "
                          "/sys/class/net/eth0/queues/tx-1/xps_cpus").split()
            if [int(x, 16) for x in xps] != [1, 2]:
                raise AssertionError("%s xps_cpus: %s" % (g.name, xps))
        wait_ping(a, "10.10.0.2")
        for g, addr in ((a, "10.10.0.2"), (b, "10.10.0.1")):
            for mask in ("1", "2"):
                out = g.check("taskset %s ping -c 3 -i 0.2 -W 3 %s"
                              % (mask, addr), timeout=30)
                if "3 packets received" not in out:
                    raise AssertionError("%s cpu mask %s: %s"
                                         % (g.name, mask, out))
        tcp_transfer(a, b, "10.10.0.2", kbytes=2048, pin="2")
        tcp_transfer(b, a, "10.10.0.1", kbytes=2048, port=5002, pin="1")
        # Both of each guest's transmit rings carried packets into the
        # switch: the pinned senders used tx-0 and tx-1.
        for port in ("vhu0", "vhu1"):
            text = s.appctl("vhost/show", port)
            counts = {int(q): int(n) for q, n in re.findall(
                r"queue (\d+) tx \(from guest\): size \d+, started, "
                r"enabled.*\n\s+packets (\d+)", text)}
            if sorted(counts) != [0, 1] or not all(counts.values()):
                raise AssertionError("%s: want packets on both tx rings: "
                                     "%s\n%s" % (port, counts, text))


@case
def client_mode_reconnect():
    """A dpdkvhostuserclient port: QEMU listens (server=on), Plexus
    connects; the guest pings a dpdkvhostuser guest; QEMU is killed and
    started again on the same socket; Plexus reconnects and the ping
    resumes."""
    with vhost_switch() as (s, d, guests):
        p1 = add_server_port(s, "vhu1")
        path = os.path.join(d, "vhc0.sock")
        nic = Nic(path, MAC % (3, 0, 1), server=True)
        a = Guest("a", d, [nic], ["10.10.0.1/24"])
        b = Guest("b", d, [Nic(p1, MAC % (3, 0, 2))], ["10.10.0.2/24"])
        guests += [a, b]
        # QEMU creates the socket at once, then waits for Plexus to
        # connect before it runs the guest.
        a.start()
        b.start()
        wait_until(lambda: os.path.exists(path), 20, "QEMU's socket")
        add_client_port(s, "vhc0", path)
        boot(a, b)
        wait_ping(a, "10.10.0.2")

        a.stop()
        a2 = Guest("a2", d, [nic], ["10.10.0.1/24"])
        guests.append(a2)
        start = time.time()
        boot(a2)
        wait_ping(a2, "10.10.0.2")
        ping(b, "10.10.0.1")
        if s.get("Interface", "vhc0", "error") not in ("[]", ""):
            raise AssertionError("vhc0 error: %s"
                                 % s.get("Interface", "vhc0", "error"))
        sys.stderr.write("client_mode_reconnect: restart to ping %.1f s\n"
                         % (time.time() - start))


@case
def live_migration():
    """Guest A pings guest B every 50 ms while A live-migrates to a second
    QEMU that connects to the same dpdkvhostuser socket (Plexus accepts
    the second connection and moves the port to it); the ping goes on
    from the destination with at most a few losses."""
    with vhost_switch() as (s, d, guests):
        p0 = add_server_port(s, "vhu0")
        p1 = add_server_port(s, "vhu1")
        nic = Nic(p0, MAC % (4, 0, 1))
        a = Guest("a", d, [nic], ["10.10.0.1/24"])
        b = Guest("b", d, [Nic(p1, MAC % (4, 0, 2))], ["10.10.0.2/24"])
        guests += [a, b]
        boot(a, b)
        wait_ping(a, "10.10.0.2")
        count = 200                     # 10 s at 50 ms.
        a.check("ping -c %d -i 0.05 -W 5 10.10.0.2 > /tmp/ping.log 2>&1 &"
                % count)
        time.sleep(1.5)
        dest = Guest("a-dest", d, [nic], ["10.10.0.1/24"], incoming=True)
        guests.append(dest)
        dest.start()
        elapsed, info = a.migrate_to(dest)
        sys.stderr.write("live_migration: %.2f s, downtime %s ms\n"
                         % (elapsed, info.get("downtime")))
        if dest.check("hostname").strip() != "a":
            raise AssertionError("destination is not guest a")

        def ping_done():
            return "packet loss" in dest.check("cat /tmp/ping.log")
        wait_until(ping_done, 60, "ping on the destination", 0.5)
        log = dest.check("cat /tmp/ping.log")
        m = re.search(r"(\d+) packets transmitted, (\d+) packets received",
                      log)
        if not m:
            raise AssertionError("ping output: %s" % log[-500:])
        sent, got = int(m.group(1)), int(m.group(2))
        if sent != count or sent - got > 5:
            raise AssertionError("ping across migration: %d sent, %d "
                                 "received" % (sent, got))
        # And still both ways, after the migration.
        ping(dest, "10.10.0.2")
        ping(b, "10.10.0.1")


if __name__ == "__main__":
    plxtest.run()
