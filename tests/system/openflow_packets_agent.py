"""A packet agent for test_openflow_packets.py: runs inside a host's
network namespace (or, for the bridge's LOCAL port, in the test's own
one) with an AF_PACKET socket on one interface, and obeys one JSON
command per line on stdin, answering one JSON line on stdout:

    {"op": "send", "frames": [HEX, ...]}  sends the frames back to back
    {"op": "take"}                        the frames received since the
                                          last take, as {"frames": [HEX]}

It receives all the time (select() on stdin and the socket), so nothing
that arrives between commands is lost, and outgoing frames (its own) are
never reported.  VLAN tags that the kernel moved out of the frame
(receive VLAN offload) are put back from PACKET_AUXDATA, so the bytes
reported are the bytes on the wire.  Plain sockets only: no scapy import
here, so an agent starts in a few milliseconds."""

import json
import os
import select
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
ETH_P_ALL = 0x0003


def main():
    iface = sys.argv[1]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sock.bind((iface, 0))
    sock.setblocking(False)
    received = []
    stdin = sys.stdin.buffer
    pending = b""
    print(json.dumps({"ready": iface}), flush=True)
    while True:
        readable, _, _ = select.select([sock, stdin], [], [])
        if sock in readable:
            drain(sock, received)
        if stdin in readable:
            chunk = os.read(stdin.fileno(), 1 << 20)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip():
                    reply = obey(json.loads(line), sock, received)
                    print(json.dumps(reply), flush=True)


def drain(sock, received):
    while True:
        try:
            data, anc, _, addr = sock.recvmsg(65536, 256)
        except BlockingIOError:
            return
        if addr[2] == PACKET_OUTGOING:
            continue
        for level, kind, value in anc:
            if level != SOL_PACKET or kind != PACKET_AUXDATA:
                continue
            status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH",
                                                          value[:20])
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = 0x8100
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
        received.append(data.hex())


def obey(cmd, sock, received):
    if cmd["op"] == "send":
        sock.setblocking(True)
        for frame in cmd["frames"]:
            sock.send(bytes.fromhex(frame))
        sock.setblocking(False)
        return {"sent": len(cmd["frames"])}
    if cmd["op"] == "take":
        drain(sock, received)
        frames = list(received)
        received.clear()
        return {"frames": frames}
    return {"error": "unknown op %r" % cmd["op"]}


if __name__ == "__main__":
    main()
