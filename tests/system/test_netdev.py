"""datapath netdev providers against the Linux kernel (needs root).

The cases are C (tests/system/test-netdev-system.c, built by make check):
veth pairs into a network namespace, taps, rtnetlink notifications.  This
wrapper runs that program, passes its PASS/FAIL/SKIP lines through, and
removes any namespace or interface a failed case left behind."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest

LEFTOVERS = [["ip", "netns", "del", "plxnd0"],
             ["ip", "link", "del", "plxnd0a"],
             ["ip", "link", "del", "plxnd1a"],
             ["ip", "link", "del", "plxnd-int"],
             ["ip", "link", "del", "plxnd-tap"]]


def cleanup():
    for cmd in LEFTOVERS:
        subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def main():
    try:
        prog = plxtest.build_path("tests", "system", "test-netdev-system")
    except plxtest.Skip as e:
        print("SKIP %s/all: %s" % (plxtest.SUITE, e), flush=True)
        return 0
    if not os.path.exists(prog):
        print("FAIL %s/all: %s not built" % (plxtest.SUITE, prog),
              flush=True)
        return 1
    try:
        status = subprocess.run([prog] + sys.argv[1:]).returncode
    finally:
        if os.geteuid() == 0:
            cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
