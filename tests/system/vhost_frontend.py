"""A vhost-user frontend and virtio-net driver in Python, for tests.

It plays a VM's part towards a vhost-user backend (plx-vswitchd's
dpdkvhostuser and dpdkvhostuserclient ports) without QEMU: "guest
memory" is a memfd shared with the backend, the rings are split
virtqueues laid out in it, and packets are written to and read from
buffers there.  Because every byte of the rings is under the test's
control, it is also the hostile frontend: raw messages (send_raw), bad
memory tables, descriptors pointing anywhere, loops, absurd lengths and
indexes.

Layout of guest memory (guest-physical address 0, frontend virtual
address UVA_BASE, which is deliberately not this process's own address
so that a backend that confused the two would fail):

    0x00000  queue 0 (rx: device to guest) desc / avail / used
    0x08000  queue 1 (tx: guest to device)
    0x10000  buffers, 2 KiB each
"""

import array
import os
import select
import socket
import struct
import time
import mmap

# Requests.
GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
RESET_OWNER = 4
SET_MEM_TABLE = 5
SET_LOG_BASE = 6
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
GET_VRING_BASE = 11
SET_VRING_KICK = 12
SET_VRING_CALL = 13
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18

VERSION = 0x1
REPLY = 0x4
NEED_REPLY = 0x8

F_VERSION_1 = 1 << 32
F_PROTOCOL_FEATURES = 1 << 30
F_EVENT_IDX = 1 << 29
F_MRG_RXBUF = 1 << 15
PF_REPLY_ACK = 1 << 3

DESC_F_NEXT = 1
DESC_F_WRITE = 2
DESC_F_INDIRECT = 4

MEM_SIZE = 4 << 20
UVA_BASE = 0x7e0000000000
QSIZE = 256
RING_OFS = (0x0000, 0x8000)
BUF_OFS = 0x10000
BUF_SIZE = 2048
HDR_LEN = 12                    # VERSION_1: virtio_net_hdr_mrg_rxbuf


class Frontend:
    """One connection to a backend, and the guest memory behind it."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(5)
        self.memfd = os.memfd_create("plx-test-guest")
        os.ftruncate(self.memfd, MEM_SIZE)
        self.mem = mmap.mmap(self.memfd, MEM_SIZE)
        self.kick = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.call = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.protocol_features = 0
        # Driver state per queue.
        self.avail_idx = [0, 0]
        self.used_seen = [0, 0]
        self.free_desc = [list(range(QSIZE)), list(range(QSIZE))]

    @classmethod
    def connect(cls, path, timeout=5):
        deadline = time.time() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return cls(s)
            except OSError:
                s.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def close(self):
        self.sock.close()
        for fd in self.kick + self.call:
            os.close(fd)
        self.mem.close()
        os.close(self.memfd)

    # -- Messages ------------------------------------------------------

    def send_raw(self, data, fds=()):
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.sendall(data)

    def send(self, request, payload=b"", fds=(), flags=VERSION):
        self.send_raw(struct.pack("<III", request, flags, len(payload))
                      + payload, fds)

    def recv(self):
        hdr = self._recv_exact(12)
        request, flags, size = struct.unpack("<III", hdr)
        return request, flags, self._recv_exact(size)

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("backend closed the connection")
            data += chunk
        return data

    def closed_by_peer(self, timeout=3):
        """True once the backend has closed the connection."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if r:
                try:
                    if not self.sock.recv(4096):
                        return True
                except OSError:
                    return True
        return False

    def request_u64(self, request):
        self.send(request)
        req, flags, payload = self.recv()
        assert req == request and flags & REPLY, (req, flags)
        return struct.unpack("<Q", payload)[0]

    def set(self, request, payload=b"", fds=()):
        """Sends a set-type request; with REPLY_ACK negotiated, waits
        for the ack and returns it (0 = success), else returns None."""
        if self.protocol_features & PF_REPLY_ACK:
            self.send(request, payload, fds, VERSION | NEED_REPLY)
            req, flags, ack = self.recv()
            assert req == request and flags & REPLY, (req, flags)
            return struct.unpack("<Q", ack)[0]
        self.send(request, payload, fds)
        return None

    # -- Setup ---------------------------------------------------------

    def negotiate(self, features=F_VERSION_1, reply_ack=True):
        offered = self.request_u64(GET_FEATURES)
        if reply_ack and offered & F_PROTOCOL_FEATURES:
            features |= F_PROTOCOL_FEATURES
        self.features = features
        self.set(SET_FEATURES, struct.pack("<Q", features))
        if features & F_PROTOCOL_FEATURES:
            pf = self.request_u64(GET_PROTOCOL_FEATURES)
            self.set(SET_PROTOCOL_FEATURES,
                     struct.pack("<Q", pf & PF_REPLY_ACK))
            self.protocol_features = pf & PF_REPLY_ACK
        self.set(SET_OWNER)
        return offered

    def mem_table_payload(self, regions):
        """REGIONS: [(gpa, size, uva, mmap_offset)]."""
        payload = struct.pack("<II", len(regions), 0)
        for r in regions:
            payload += struct.pack("<QQQQ", *r)
        return payload

    def set_mem_table(self, regions=None, fds=None):
        regions = regions or [(0, MEM_SIZE, UVA_BASE, 0)]
        fds = fds if fds is not None else [self.memfd] * len(regions)
        return self.set(SET_MEM_TABLE, self.mem_table_payload(regions), fds)

    def ring_addrs(self, q):
        base = RING_OFS[q]
        return (base, base + 16 * QSIZE, base + 0x2000)

    def setup_ring(self, q, num=QSIZE, addrs=None, enable=True):
        desc, avail, used = addrs or tuple(UVA_BASE + a
                                           for a in self.ring_addrs(q))
        acks = [self.set(SET_VRING_NUM, struct.pack("<II", q, num)),
                self.set(SET_VRING_BASE, struct.pack("<II", q, 0)),
                self.set(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, desc,
                                                     used, avail, 0)),
                self.set(SET_VRING_CALL, struct.pack("<Q", q),
                         [self.call[q]]),
                self.set(SET_VRING_KICK, struct.pack("<Q", q),
                         [self.kick[q]])]
        if enable and self.features & F_PROTOCOL_FEATURES:
            acks.append(self.set(SET_VRING_ENABLE,
                                 struct.pack("<II", q, 1)))
        return acks

    def setup(self, features=F_VERSION_1):
        """The usual sequence: features, memory, both rings, rx buffers."""
        self.negotiate(features)
        assert self.set_mem_table() in (None, 0)
        for q in (0, 1):
            assert all(a in (None, 0) for a in self.setup_ring(q))
        self.post_rx(64)

    # -- Driver --------------------------------------------------------

    def _desc_ofs(self, q, i):
        return RING_OFS[q] + 16 * i

    def write_desc(self, q, i, addr, length, flags=0, nxt=0):
        struct.pack_into("<QIHH", self.mem, self._desc_ofs(q, i), addr,
                         length, flags, nxt)

    def buf_addr(self, q, i):
        return BUF_OFS + (q * QSIZE + i) * BUF_SIZE

    def publish(self, q, head):
        """Puts descriptor chain HEAD in queue Q's avail ring and kicks."""
        avail = self.ring_addrs(q)[1]
        idx = self.avail_idx[q]
        struct.pack_into("<H", self.mem, avail + 4 + 2 * (idx % QSIZE), head)
        self.avail_idx[q] = (idx + 1) & 0xffff
        struct.pack_into("<H", self.mem, avail + 2, self.avail_idx[q])
        os.eventfd_write(self.kick[q], 1)

    def set_avail_idx(self, q, idx):
        avail = self.ring_addrs(q)[1]
        struct.pack_into("<H", self.mem, avail + 2, idx & 0xffff)
        os.eventfd_write(self.kick[q], 1)

    def post_rx(self, n):
        for _ in range(n):
            i = self.free_desc[0].pop(0)
            self.write_desc(0, i, self.buf_addr(0, i), BUF_SIZE,
                            DESC_F_WRITE)
            self.publish(0, i)

    def send_frame(self, frame, split=1):
        """Transmits FRAME behind a zero virtio-net header, the bytes
        spread over SPLIT descriptors."""
        data = bytes(HDR_LEN) + frame
        chunk = -(-len(data) // split)
        ids = [self.free_desc[1].pop(0) for _ in range(split)]
        for k, i in enumerate(ids):
            part = data[k * chunk:(k + 1) * chunk]
            addr = self.buf_addr(1, i)
            self.mem[addr:addr + len(part)] = part
            last = k == len(ids) - 1
            self.write_desc(1, i, addr, len(part),
                            0 if last else DESC_F_NEXT,
                            0 if last else ids[k + 1])
        self.publish(1, ids[0])
        return ids[0]

    def used(self, q):
        """New used entries of queue Q: [(id, len)]."""
        used = self.ring_addrs(q)[2]
        idx = struct.unpack_from("<H", self.mem, used + 2)[0]
        out = []
        while self.used_seen[q] != idx:
            slot = used + 4 + 8 * (self.used_seen[q] % QSIZE)
            out.append(struct.unpack_from("<II", self.mem, slot))
            self.used_seen[q] = (self.used_seen[q] + 1) & 0xffff
        return out

    def reclaim_tx(self):
        done = self.used(1)
        for i, _ in done:
            # Chains: free every descriptor of the chain (a poisoned
            # chain may loop: stop after a ring's worth).
            for _ in range(QSIZE):
                flags, nxt = struct.unpack_from(
                    "<HH", self.mem, self._desc_ofs(1, i) + 12)
                if i not in self.free_desc[1]:
                    self.free_desc[1].append(i)
                if not flags & DESC_F_NEXT:
                    break
                i = nxt
        return done

    def receive(self, timeout=3, match=None):
        """Frames the backend delivered (header stripped); reposts the
        buffers.  Waits up to TIMEOUT for one for which MATCH(frame) is
        true (any frame if MATCH is None) and returns all received."""
        deadline = time.time() + timeout
        frames = []
        while True:
            for i, length in self.used(0):
                addr = self.buf_addr(0, i)
                frames.append(bytes(self.mem[addr + HDR_LEN:addr + length]))
                self.write_desc(0, i, addr, BUF_SIZE, DESC_F_WRITE)
                self.publish(0, i)
            if any(match(f) if match else True for f in frames):
                return frames
            if time.time() > deadline:
                return frames
            select.select([self.call[0]], [], [], 0.05)
            try:
                os.eventfd_read(self.call[0])
            except BlockingIOError:
                pass


def listen(path):
    """A listening socket at PATH, as a frontend in server mode (QEMU's
    server=on) opens for a dpdkvhostuserclient port."""
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    return s


def accept(listener, timeout=10):
    listener.settimeout(timeout)
    conn, _ = listener.accept()
    return Frontend(conn)


# -- Frames ------------------------------------------------------------

def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip_bytes(ip):
    return socket.inet_aton(ip)


def arp_request(src_mac, src_ip, dst_ip):
    return (b"\xff" * 6 + mac_bytes(src_mac) + b"\x08\x06"
            + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
            + mac_bytes(src_mac) + ip_bytes(src_ip) + bytes(6)
            + ip_bytes(dst_ip))


def is_arp_reply(frame, ip):
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x06"
            and frame[20:22] == b"\x00\x02" and frame[28:32] == ip_bytes(ip))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(array.array("H", data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


def icmp_echo(src_mac, dst_mac, src_ip, dst_ip, ident, seq, payload=b""):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("<H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), ident, 0,
                     64, 1, 0, ip_bytes(src_ip), ip_bytes(dst_ip))
    ip = ip[:10] + struct.pack("<H", checksum(ip)) + ip[12:]
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" + ip + icmp


def is_echo_reply(frame, ident, seq):
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x00"
            and frame[23] == 1 and frame[34] == 0
            and struct.unpack("!HH", frame[38:42]) == (ident, seq))
