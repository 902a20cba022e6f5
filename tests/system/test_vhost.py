"""vhost-user ports of plx-vswitchd against a frontend written in Python.

tests/system/vhost_frontend.py plays the VM: it shares a memfd as guest
memory, lays split virtqueues out in it and speaks vhost-user.  These
cases check the ports end to end without QEMU (test_vhost_qemu.py does
it with real Linux guests): traffic between the "VM" and a namespace
host on the same bridge, both port types (dpdkvhostuser, where the
switch listens, and dpdkvhostuserclient, where it connects and
reconnects), what plx-appctl vhost/show reports, and a hostile frontend:
malformed messages, impossible memory tables and rings, descriptors that
point outside guest memory, loops, absurd lengths and indexes.  Each bad
input must get a clear error or a dropped packet while the switch keeps
forwarding for its other ports.  Needs root (namespaces)."""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case
from test_vswitchd import Switch, wait_until
import vhost_frontend as vf

VM_MAC = "52:54:00:12:34:56"
VM_IP = "10.0.0.2"
HOST_IP = "10.0.0.1"


def add_vhost_port(sw, name):
    sw.vsctl("add-port", sw.br, name, "--", "set", "Interface", name,
             "type=dpdkvhostuser")
    path = os.path.join(sw.dir, name)
    wait_until(lambda: os.path.exists(path), 10, "socket " + path)
    return path


def arp_exchange(fe, timeout=3):
    """The VM asks for HOST_IP; returns True if the answer arrives."""
    fe.send_frame(vf.arp_request(VM_MAC, VM_IP, HOST_IP))
    frames = fe.receive(timeout, lambda f: vf.is_arp_reply(f, HOST_IP))
    fe.reclaim_tx()
    return any(vf.is_arp_reply(f, HOST_IP) for f in frames)


def ping_exchange(fe, host_mac, seq, split=1):
    fe.send_frame(vf.icmp_echo(VM_MAC, host_mac, VM_IP, HOST_IP, 0x77, seq,
                               b"plexus" * 20), split=split)
    frames = fe.receive(3, lambda f: vf.is_echo_reply(f, 0x77, seq))
    fe.reclaim_tx()
    return any(vf.is_echo_reply(f, 0x77, seq) for f in frames)


def show(sw, port=None):
    return sw.appctl("vhost/show", *([port] if port else []))


@case
def frontend_traffic():
    with Switch() as sw:
        sw.vsctl("add-br", sw.br, "--", "set", "Open_vSwitch", ".",
                 "other_config:stats-update-interval=1000")
        ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
        host_mac = sw.mac(ns)
        path = add_vhost_port(sw, "vhu" + sw.br[-4:])
        port = os.path.basename(path)

        fe = vf.Frontend.connect(path)
        try:
            fe.setup()
            wait_until(lambda: sw.get("Interface", port, "link_state")
                       in ('"up"', "up"), 10, "link_state up")
            assert arp_exchange(fe), "no ARP reply:\n" + show(sw)
            for seq in range(1, 6):
                assert ping_exchange(fe, host_mac, seq, split=1 + seq % 3), \
                    "no echo reply %d:\n%s" % (seq, show(sw))
            text = show(sw, port)
            for needle in ("dpdkvhostuser, listening on " + path,
                           "version_1", "reply_ack",
                           "queue 0 rx (to guest): size 256, started, "
                           "enabled",
                           "queue 0 tx (from guest): size 256, started, "
                           "enabled"):
                assert needle in text, (needle, text)
            # Counters: 6 frames from the guest, at least 6 to it.
            wait_until(lambda: "rx_packets=6" in
                       sw.get("Interface", port, "statistics"), 15,
                       "statistics rx_packets=6")
        finally:
            fe.close()
        wait_until(lambda: "0 connections" in show(sw, port), 10,
                   "disconnect seen")
        assert sw.get("Interface", port, "link_state") in ('"down"',
                                                           "down")


@case
def client_mode_reconnects():
    with Switch() as sw:
        sw.vsctl("add-br", sw.br)
        ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
        host_mac = sw.mac(ns)
        port = "vhc" + sw.br[-4:]
        # Without a server path the port is refused with a clear error.
        sw.vsctl("add-port", sw.br, port, "--", "set", "Interface", port,
                 "type=dpdkvhostuserclient")
        wait_until(lambda: "vhost-server-path" in
                   sw.get("Interface", port, "error"), 10, "error column")

        sock = os.path.join(sw.dir, "vm.sock")
        listener = vf.listen(sock)
        try:
            sw.vsctl("set", "Interface", port,
                     "options:vhost-server-path=" + sock)
            for round_ in range(1, 3):
                fe = vf.accept(listener)
                fe.setup()
                assert arp_exchange(fe), show(sw)
                assert ping_exchange(fe, host_mac, round_), show(sw)
                fe.close()
                if round_ == 1:
                    # The VM restarts: a new socket at the same path.
                    listener.close()
                    listener = vf.listen(sock)
            text = show(sw, port)
            assert "client of " + sock in text, text
            assert "2 connects so far" in text, text
        finally:
            listener.close()


def expect_closed(sw, path, what, data, fds=()):
    fe = vf.Frontend.connect(path)
    try:
        fe.send_raw(data, fds)
        assert fe.closed_by_peer(), "%s: connection stayed open" % what
    finally:
        fe.close()


def expect_refused(fe, sw, port, what, ack, error_text):
    assert ack not in (None, 0), "%s: accepted (ack %r)" % (what, ack)
    text = show(sw, port)
    assert error_text in text, "%s: %r not in\n%s" % (what, error_text,
                                                       text)


def tx_errors(sw, port):
    total = 0
    lines = show(sw, port).splitlines()
    for i, line in enumerate(lines):
        if "tx (from guest)" in line and i + 1 < len(lines):
            words = lines[i + 1].split()
            total += int(words[words.index("errors") + 1])
    return total


@case
def hostile_frontend():
    with Switch() as sw:
        sw.vsctl("add-br", sw.br)
        ns1, _ = sw.add_host("h1", [HOST_IP + "/24"])
        ns2, _ = sw.add_host("h2", ["10.0.0.3/24"])
        host_mac = sw.mac(ns1)
        path = add_vhost_port(sw, "vhu" + sw.br[-4:])
        port = os.path.basename(path)

        # Messages that cannot be decoded end the connection.
        hdr = struct.pack
        expect_closed(sw, path, "bad version",
                      hdr("<III", vf.GET_FEATURES, 0x2, 0))
        expect_closed(sw, path, "payload too big",
                      hdr("<III", vf.SET_FEATURES, 0x1, 1 << 20))
        expect_closed(sw, path, "wrong size for SET_FEATURES",
                      hdr("<III", vf.SET_FEATURES, 0x1, 4) + bytes(4))
        nine = struct.pack("<II", 9, 0) + bytes(32 * 9)
        expect_closed(sw, path, "nine regions",
                      hdr("<III", vf.SET_MEM_TABLE, 0x1, len(nine)) + nine)
        memfd = os.memfd_create("hostile")
        os.ftruncate(memfd, 1 << 20)
        one = struct.pack("<IIQQQQ", 1, 0, 0, 1 << 20, 0x10000, 0)
        expect_closed(sw, path, "region without its fd",
                      hdr("<III", vf.SET_MEM_TABLE, 0x1, len(one)) + one)
        expect_closed(sw, path, "fds on a request that takes none",
                      hdr("<III", vf.SET_OWNER, 0x1, 0), [memfd, memfd])
        os.close(memfd)
        assert "bad message" in show(sw, port)

        # Requests that decode but cannot be honoured are refused and the
        # connection goes on.
        fe = vf.Frontend.connect(path)
        try:
            fe.negotiate()
            gib = 1 << 30
            expect_refused(fe, sw, port, "overlapping regions",
                           fe.set_mem_table([(0, vf.MEM_SIZE, vf.UVA_BASE, 0),
                                             (4096, 4096, gib, 0)]),
                           "overlap")
            expect_refused(fe, sw, port, "region past the end of its fd",
                           fe.set_mem_table([(0, 64 << 20, vf.UVA_BASE,
                                              0)]),
                           "memory table refused")
            expect_refused(fe, sw, port, "zero-sized region",
                           fe.set_mem_table([(0, 0, vf.UVA_BASE, 0)]),
                           "memory table refused")
            expect_refused(fe, sw, port, "ring index 200",
                           fe.set(vf.SET_VRING_NUM,
                                  struct.pack("<II", 200, 256)),
                           "ring index 200 out of range")
            expect_refused(fe, sw, port, "ring size 0",
                           fe.set(vf.SET_VRING_NUM, struct.pack("<II", 0, 0)),
                           "size 0 out of range")
            expect_refused(fe, sw, port, "unknown request",
                           fe.set(99), "is not supported")
            assert fe.set_mem_table() == 0
            acks = fe.setup_ring(1, addrs=(vf.UVA_BASE + (64 << 20),
                                           vf.UVA_BASE, vf.UVA_BASE))
            expect_refused(fe, sw, port, "ring outside memory", acks[4],
                           "not inside the shared memory")
            acks = fe.setup_ring(1, num=100)
            expect_refused(fe, sw, port, "ring size 100", acks[4],
                           "not valid for a split ring")
        finally:
            fe.close()

        # A working device, then poisoned descriptors on its tx ring.
        fe = vf.Frontend.connect(path)
        try:
            fe.setup()
            assert arp_exchange(fe), show(sw)
            cases = [
                ("address outside guest memory",
                 lambda: fe.write_desc(1, 0, 64 << 20, 100)),
                ("address that wraps around",
                 lambda: fe.write_desc(1, 0, (1 << 64) - 16, 100)),
                ("absurd length",
                 lambda: fe.write_desc(1, 0, fe.buf_addr(1, 0), 0xffffffff)),
                ("descriptor loop",
                 lambda: fe.write_desc(1, 0, fe.buf_addr(1, 0), 64,
                                       vf.DESC_F_NEXT, 0)),
                ("chain running off the table",
                 lambda: fe.write_desc(1, 0, fe.buf_addr(1, 0), 64,
                                       vf.DESC_F_NEXT, 5000)),
                ("device-writable descriptor in a tx chain",
                 lambda: fe.write_desc(1, 0, fe.buf_addr(1, 0), 64,
                                       vf.DESC_F_WRITE)),
            ]
            seq = 0
            for what, poison in cases:
                before = tx_errors(sw, port)
                fe.free_desc[1].remove(0)
                poison()
                fe.publish(1, 0)
                wait_until(lambda: tx_errors(sw, port) > before, 10,
                           what + ": error counted")
                fe.reclaim_tx()
                if 0 not in fe.free_desc[1]:
                    fe.free_desc[1].append(0)
                # The ring still works after a bad packet.
                seq += 1
                assert ping_exchange(fe, host_mac, seq), \
                    "%s: ring stopped working\n%s" % (what, show(sw, port))

            # An avail index far ahead of what was consumed breaks the
            # ring: it stops, the port's other ring and the switch go on.
            fe.set_avail_idx(1, fe.avail_idx[1] + 1000)
            wait_until(lambda: "BROKEN" in show(sw, port), 10,
                       "ring marked broken")
            sw.ping(ns1, "10.0.0.3")
            sw.ping(ns2, HOST_IP)
        finally:
            fe.close()

        # A fresh connection on the same port works again.
        fe = vf.Frontend.connect(path)
        try:
            fe.setup()
            assert arp_exchange(fe), show(sw)
        finally:
            fe.close()
        sw.ping(ns1, "10.0.0.3")


if __name__ == "__main__":
    plxtest.run()
