"""plx-vm's vhost-user frontend against another backend: Debian's Open
vSwitch with DPDK (ovs-vswitchd-dpdk, package openvswitch-switch-dpdk).

Open vSwitch runs with its own database and run directory in a network
namespace of its own (tests/bench/bench-vm.py's OvsDpdk: dpdk-init,
dpdk-lcore-mask=0x1, one PMD thread on core 1, dpdk-socket-mem in a
private hugetlbfs mount), with bridge br0 (datapath_type=netdev, the
NORMAL action) and two ports:

  vma  dpdkvhostuser: Open vSwitch listens, plx-vm connects
       (--net vhost-user,path=SOCKET,mac=...);
  vmb  dpdkvhostuserclient: plx-vm listens (--net ...,server), Open
       vSwitch connects to options:vhost-server-path.

Each plx-vm is started directly (standalone use, not through
plx-vswitchd) with the test guest (tests/guest/README.md) and 64 MiB.

Cases:
  ping_and_udp        guest B (10.0.0.12, on vmb) answers; guest A
                      (10.0.0.11, on vma) "ping=10.0.0.12 count=5 exit=1"
                      exits with status 0 and prints ping-summary with
                      received=5; then a new guest A on the same port
                      sends 2000 UDP datagrams ("udp-tx=10.0.0.12:9
                      count=2000 rate=20000") into a new guest B
                      ("sink=9 count=2000 exit=1"), which counts them all
                      (the rate keeps the sink's 256-entry ring from
                      overflowing while the two guests share a core)
  hugepage_guests     the same ping with both guests' memory in 2 MiB
                      hugepages (plx-vm --hugepages); DPDK's vhost library
                      does not need that (the case above uses plx-vm's
                      ordinary memfd), but hugepage-backed guests are the
                      usual OVS-DPDK setup

Skipped, with the reason, without root, /dev/kvm, this build's plx-vm and
test guest, ovs-vswitchd-dpdk and the other Open vSwitch programs, or
when 2 MB hugepages cannot be reserved.  Everything started is killed by
PID (guests poll their virtio rings and take a core while they run), and
vm.nr_hugepages is put back."""

import importlib.util
import os
import sys
import types

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest  # noqa: E402
from plxtest import case, Skip  # noqa: E402

BENCH_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                         "bench")
sys.path.insert(0, BENCH_DIR)
_spec = importlib.util.spec_from_file_location(
    "bench_vm", os.path.join(BENCH_DIR, "bench-vm.py"))
bv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bv)

IP_A, IP_B = "10.0.0.11", "10.0.0.12"
MAC_A, MAC_B = "52:54:00:00:0a:11", "52:54:00:00:0a:12"
SOCKET_MEM = 512            # MB of hugepages for Open vSwitch.
UDP_COUNT = 2000


def require_vm():
    plxtest.require_root()
    vm = plxtest.build_path("vmm", "plx-vm")
    guest = plxtest.build_path("tests", "guest", "plx-guest", "plx-guest")
    if not os.access(vm, os.X_OK):
        raise Skip("plx-vm not built (%s)" % vm)
    if not os.path.exists(guest):
        raise Skip("test guest not built (%s)" % guest)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        raise Skip("no usable /dev/kvm")
    return vm, guest


class OvsWithVms:
    """Hugepages, Open vSwitch with DPDK and ports vma and vmb, and the
    guests a case starts; all gone on exit."""

    def __init__(self, extra_pages=0):
        self.vm, self.guest = require_vm()
        self.huge = bv.lib.HugePages(SOCKET_MEM // 2 + 32 + extra_pages)
        self.ovs = None
        self.guests = []
        try:
            self.huge.setup()
            args = types.SimpleNamespace(pmd_mask="0x2",
                                         ovs_socket_mem=SOCKET_MEM)
            self.ovs = bv.OvsDpdk(args, self.huge.dir)
            self.ovs.setup()
            self.sock_a = self.ovs.add_port("vma")
            self.sock_b = self.ovs.add_port("vmb", client=True)
        except bv.Skip as e:
            self.close()
            raise Skip(str(e))
        except BaseException:
            self.close()
            raise

    def start(self, name, cmdline, on_b, hugepages=False):
        """A guest on vmb (ON_B: plx-vm listens) or vma (plx-vm
        connects)."""
        if on_b:
            net = "vhost-user,path=%s,server,mac=%s" % (self.sock_b, MAC_B)
        else:
            net = "vhost-user,path=%s,mac=%s" % (self.sock_a, MAC_A)
        g = bv.Guest(self.vm, self.guest, self.ovs.dir, name, cmdline, net,
                     memory=64, hugepages=hugepages)
        self.guests.append(g)
        return g.start()

    def close(self):
        for g in self.guests:
            g.kill()
        self.guests = []
        if self.ovs:
            self.ovs.teardown()
            self.ovs = None
        self.huge.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def ping(env, tag, hugepages=False):
    """Guest B answers, guest A pings it 5 times and exits 0."""
    b = env.start("b" + tag, "ip=%s/24" % IP_B, True, hugepages)
    b.wait_console("plx-guest: ready", 30)
    env.ovs.wait_link_up("vmb")
    text = b.console()
    assert "plx-guest: eth0 mac=%s ip=%s/24" % (MAC_B, IP_B) in text, text
    a = env.start("a" + tag, "ip=%s/24 ping=%s count=5 exit=1"
                  % (IP_A, IP_B), False, hugepages)
    status = a.wait(60)
    text = a.console()
    if status != 0:
        raise AssertionError("guest A: plx-vm exit status %d; console:\n%s"
                             "\nplx-vm: %s\novs-vswitchd: %s"
                             % (status, text, a.output(),
                                bv.bs.tail(env.ovs.log_file, 10)))
    s = bv.summary(text, "ping-summary")
    assert s == {"sent": 5, "received": 5}, text
    assert "plx-guest: eth0 mac=%s ip=%s/24" % (MAC_A, IP_A) in text, text
    b.kill()
    return a, b


@case
def ping_and_udp():
    with OvsWithVms() as env:
        ping(env, "1")
        # Open vSwitch saw guest A go and reconnects vmb to the next B.
        b = env.start("b2", "ip=%s/24 sink=9 count=%d exit=1"
                      % (IP_B, UDP_COUNT), True)
        b.wait_console("plx-guest: ready", 30)
        env.ovs.wait_link_up("vmb")
        a = env.start("a2", "ip=%s/24 udp-tx=%s:9 count=%d rate=20000 "
                      "exit=1" % (IP_A, IP_B, UDP_COUNT), False)
        status_a = a.wait(60)
        tx = bv.summary(a.console(), "udp-tx")
        assert status_a == 0 and tx and tx["sent"] == UDP_COUNT, \
            (status_a, a.console(), a.output())
        try:
            status_b = b.wait(10)
        except RuntimeError:
            status_b = None     # Killed: it did not get them all.
        rx = bv.summary(b.console(), "sink")
        if status_b != 0 or not rx or rx["received"] != UDP_COUNT:
            stats = env.ovs.vsctl("get", "Interface", "vmb", "statistics",
                                  check=False).stdout.strip()
            raise AssertionError("sink: exit %s, %s of %d (vmb %s); "
                                 "console:\n%s" % (status_b, rx, UDP_COUNT,
                                                   stats, b.console()))
        assert rx["bytes"] == UDP_COUNT * 64, rx


@case
def hugepage_guests():
    # 64 more 2 MB pages: two guests of 64 MiB.
    with OvsWithVms(extra_pages=64) as env:
        ping(env, "h", hugepages=True)


if __name__ == "__main__":
    plxtest.run()
