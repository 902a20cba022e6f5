#!/usr/bin/python3
"""openflow_bench_sender: UDP over many 5-tuples at a fixed rate.

    openflow_bench_sender.py IFACE SRC_IP DST_IP --flows N --rate PPS
                             --seconds S [--base-port P]

Run inside the sending namespace (bench-openflow.py does it with "ip
netns exec").  Sends 60-byte Ethernet frames (64 on the wire with the
FCS) through an AF_PACKET socket on IFACE: UDP from SRC_IP to DST_IP,
destination port 9, source port cycling through BASE_PORT ..
BASE_PORT+N-1, so N distinct 5-tuples, in order, round-robin, at PPS
packets per second for S seconds.  The destination MAC address is a
locally administered one that no interface owns: the switch forwards by
its OpenFlow rules (which ignore MAC addresses), the receiving veth
counts the frame, and the receiving kernel drops it without answering,
so there is no reverse traffic.

Prints one JSON object when done: {"sent": PACKETS, "seconds": T}."""

import argparse
import json
import socket
import struct
import sys
import time

DST_MAC = bytes.fromhex("020000bebe02")


def checksum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frames(src_mac, src_ip, dst_ip, n, base_port):
    payload = b"\0" * 18
    udp_len = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64,
                     17, 0, socket.inet_aton(src_ip),
                     socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    head = DST_MAC + src_mac + b"\x08\x00" + ip
    return [head + struct.pack("!HHHH", (base_port + i) & 0xffff, 9,
                               udp_len, 0) + payload for i in range(n)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("iface")
    p.add_argument("src_ip")
    p.add_argument("dst_ip")
    p.add_argument("--flows", type=int, required=True)
    p.add_argument("--rate", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--base-port", type=int, default=10000)
    args = p.parse_args()

    with open("/sys/class/net/%s/address" % args.iface) as f:
        src_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    pkts = frames(src_mac, args.src_ip, args.dst_ip, args.flows,
                  args.base_port)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)

    batch = max(1, args.rate // 1000)    # One batch per millisecond.
    n = len(pkts)
    sent = 0
    i = 0
    start = time.monotonic()
    end = start + args.seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * args.rate)
        if sent >= due:
            time.sleep(min(end - now, (sent + batch - due) / args.rate))
            continue
        for _ in range(min(batch, due - sent)):
            try:
                s.send(pkts[i])
            except BlockingIOError:
                break
            sent += 1
            i += 1
            if i == n:
                i = 0
    print(json.dumps({"sent": sent,
                      "seconds": round(time.monotonic() - start, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
