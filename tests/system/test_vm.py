"""VMs that plx-vswitchd boots itself: the VM table, type=vm interfaces,
plx-vsctl's add-vm / add-vm-port / del-vm, and the supervision of plx-vm
processes (vswitchd/vm-supervisor.h).

Cases without a VM (they run everywhere the system tests run):
  vsctl_vm_commands     add-vm, add-vm-port, del-vm and their options
                        against plx-dbserver; VM rows addressed by name
  nic_errors_exec_failed
                        a NIC naming no VM gets "no VM named X" and no
                        OpenFlow port; a VM whose plx-vm cannot be
                        executed is "failed" with exit_reason exec-failed;
                        the NIC's MAC is stable and locally administered

Cases with VMs need the build's vmm/plx-vm, the test guest
tests/guest/plx-guest/plx-guest (see tests/guest/README.md) and
/dev/kvm, and are skipped, with the reason, without them:
  two_nics_two_bridges  one VM with a NIC on each of two bridges (one
                        plx-vsctl command), reachable on both, only there
  vms_ping              two VMs and a namespace host on one bridge ping
                        each other; a guest that pings and exits; an
                        OpenFlow drop rule blocks VM-to-VM pings
  crash_restarts        a guest that triple-faults: exit_reason crashed,
                        restarted with backoff, the other VM undisturbed;
                        fixing its command line makes the next start good
  hugepage_vm           other_config:hugepages=true: guest RAM in 2 MiB
                        pages, the VM answers ping
  kill_and_restart      kill -9 of a plx-vm: logged, exit_signal=9,
                        restarted, the other VM keeps answering;
                        restart=never leaves it failed
  del_vm_and_exit       del-vm stops the VM and removes its ports; the
                        switch's exit stops the rest

Needs root (namespaces), like the other system tests."""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, sh, wait_until

HOST_IP = "10.0.0.1"


def unquote(s):
    s = s.strip()
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def require_vm():
    """(plx-vm, test guest) of this build, or Skip saying what is
    missing."""
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


def vm_status(sw, vm):
    """The VM row's status column as a dict."""
    text = sw.get("VM", vm, "status").strip("{}")
    out = {}
    for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,]*)', text):
        out[m.group(1)] = unquote(m.group(2))
    return out


def vm_state(sw, vm):
    return unquote(sw.get("VM", vm, "state"))


def wait_state(sw, vm, state, timeout=20):
    wait_until(lambda: vm_state(sw, vm) == state, timeout,
               "VM %s state %s (is %s, status %s)"
               % (vm, state, vm_state(sw, vm), vm_status(sw, vm)))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not alive for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def add_guest(sw, guest, name, ip, extra="", settings=()):
    """A VM NAME booting the test guest at IP/24 with one NIC NAME-eth0
    on the test's bridge, created by one plx-vsctl command line."""
    sw.vsctl("add-vm", name, guest, "cmdline=ip=%s/24%s" % (ip, extra),
             "memory_mb=64", *settings,
             "--", "add-vm-port", sw.br, name + "-eth0", name)


def wait_guest_ready(sw, name, timeout=30):
    wait_state(sw, name, "running", timeout)
    wait_until(lambda: "plx-guest: ready" in
               sw.appctl("vm/console", name, check=False).stdout, timeout,
               "%s console: plx-guest: ready" % name)


def two_guests(sw, guest):
    """The test's bridge with a namespace host at HOST_IP and two ready
    test-guest VMs, vm1 at 10.0.0.11 and vm2 at 10.0.0.12.  Returns the
    host's namespace."""
    sw.vsctl("add-br", sw.br)
    ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
    add_guest(sw, guest, "vm1", "10.0.0.11")
    add_guest(sw, guest, "vm2", "10.0.0.12")
    wait_guest_ready(sw, "vm1")
    wait_guest_ready(sw, "vm2")
    return ns


@case
def vsctl_vm_commands():
    with Switch() as sw:
        # No plx-vm may run in this case: point the switch at a binary
        # that does not exist.
        missing = os.path.join(sw.dir, "no-plx-vm")
        sw.vsctl("add-br", sw.br, "--", "set", "Open_vSwitch", ".",
                 "other_config:vm-binary=" + missing)
        sw.vsctl("add-vm", "vm1", "/boot/vmlinuz",
                 "cmdline=console=ttyS0 ip=10.0.0.11/24",
                 "initrd=/boot/initrd.img", "memory_mb=128", "cpus=2",
                 "other_config:restart=never")
        assert unquote(sw.get("VM", "vm1", "kernel")) == "/boot/vmlinuz"
        assert unquote(sw.get("VM", "vm1", "cmdline")) == \
            "console=ttyS0 ip=10.0.0.11/24"
        assert unquote(sw.get("VM", "vm1", "initrd")) == "/boot/initrd.img"
        assert sw.get("VM", "vm1", "memory_mb") == "128"
        assert sw.get("VM", "vm1", "cpus") == "2"
        assert "restart=never" in sw.get("VM", "vm1", "other_config")

        # Exists: an error, or nothing with --may-exist.
        p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "add-vm", "vm1",
                "/other"], check=False, env=sw.env)
        assert p.returncode == 1 and "already exists" in p.stderr, p.stderr
        sw.vsctl("--may-exist", "add-vm", "vm1", "/other")
        assert unquote(sw.get("VM", "vm1", "kernel")) == "/boot/vmlinuz"
        for bad, needle in ((["cpus=0"], "cpus must be"),
                            (["foo=1"], "unknown setting"),
                            (["memory_mb=x"], "memory_mb must be")):
            p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "add-vm", "vm9",
                    "/k"] + bad, check=False, env=sw.env)
            assert p.returncode == 1 and needle in p.stderr, p.stderr
        assert "vm9" not in sw.vsctl("--no-wait", "list", "VM")

        # The generic commands address VM rows by name.
        sw.vsctl("set", "VM", "vm1", "other_config:restart=always")
        assert "restart=always" in sw.get("VM", "vm1", "other_config")
        sw.vsctl("create", "VM", "name=vm2", "kernel=/k2")
        assert "vm2" in sw.vsctl("--bare", "--columns=name", "list", "VM")

        # add-vm-port: a port whose interface is a NIC of the VM.
        sw.vsctl("add-vm-port", sw.br, "vm1-eth0", "vm1",
                 "mac=52:54:00:aa:bb:01")
        sw.vsctl("add-vm-port", sw.br, "vm1-eth1", "vm1")
        sw.vsctl("add-vm-port", sw.br, "vm2-eth0", "vm2")
        assert unquote(sw.get("Interface", "vm1-eth0", "type")) == "vm"
        assert "vm=vm1" in sw.get("Interface", "vm1-eth0", "options")
        assert unquote(sw.get("Interface", "vm1-eth0", "mac")) == \
            "52:54:00:aa:bb:01"
        sw.vsctl("--may-exist", "add-vm-port", sw.br, "vm1-eth0", "vm1")
        p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "--may-exist",
                "add-vm-port", sw.br, "vm1-eth0", "vm2"], check=False,
               env=sw.env)
        assert p.returncode == 1 and "not a NIC of VM vm2" in p.stderr, \
            p.stderr
        p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "add-vm-port",
                sw.br, "vm1-eth0", "vm1"], check=False, env=sw.env)
        assert p.returncode == 1 and "cannot create a port" in p.stderr, \
            p.stderr
        p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "add-vm-port",
                sw.br, "x0", "vm1", "mac=01:00:5e:00:00:01"], check=False,
               env=sw.env)
        assert p.returncode == 1 and "unicast" in p.stderr, p.stderr
        ns, hostport = sw.add_host("h1", [HOST_IP + "/24"])

        # del-vm: the VM row and its NICs' ports go, nothing else.
        sw.vsctl("del-vm", "vm1")
        ports = sw.vsctl("list-ports", sw.br).split()
        assert "vm1-eth0" not in ports and "vm1-eth1" not in ports, ports
        assert "vm2-eth0" in ports and hostport in ports, ports
        assert "vm1" not in sw.vsctl("--bare", "--columns=name", "list",
                                     "VM").split()
        p = sh([sw.vsctl_bin, "--db=unix:" + sw.sock, "del-vm", "vm1"],
               check=False, env=sw.env)
        assert p.returncode == 1, p.stderr
        sw.vsctl("--if-exists", "del-vm", "vm1")
        sw.vsctl("destroy", "VM", "vm2")
        # A dangling NIC stays, with its error.
        wait_until(lambda: "no VM named vm2" in
                   sw.get("Interface", "vm2-eth0", "error"), 10,
                   "vm2-eth0 error")

        # One command line: a VM wired into the bridge.
        sw.vsctl("add-vm", "vm3", "/k3", "cmdline=ip=10.0.0.13/24", "--",
                 "add-vm-port", sw.br, "vm3-eth0", "vm3")
        assert "vm=vm3" in sw.get("Interface", "vm3-eth0", "options")
        assert int(sw.get("Interface", "vm3-eth0", "ofport")) > 0


@case
def nic_errors_exec_failed():
    with Switch() as sw:
        missing = os.path.join(sw.dir, "no-plx-vm")
        sw.vsctl("add-br", sw.br, "--", "set", "Open_vSwitch", ".",
                 "other_config:vm-binary=" + missing)
        assert "vm" in sw.get("Open_vSwitch", ".", "iface_types")

        # No options:vm, then a name that no VM row has.
        sw.vsctl("add-port", sw.br, "nic0", "--", "set", "Interface",
                 "nic0", "type=vm")
        wait_until(lambda: "options:vm" in
                   sw.get("Interface", "nic0", "error"), 10, "nic0 error")
        assert sw.ofport("nic0") == -1
        sw.vsctl("set", "Interface", "nic0", "options:vm=vmx")
        wait_until(lambda: unquote(sw.get("Interface", "nic0", "error"))
                   == "no VM named vmx", 10, "no VM named vmx")
        assert sw.ofport("nic0") == -1
        assert "nic0" not in sw.appctl("dpctl/show")

        # The VM comes: the NIC becomes a port; plx-vm cannot be run.
        sw.vsctl("create", "VM", "name=vmx", "kernel=/nonexistent",
                 "other_config:restart=never")
        wait_until(lambda: sw.ofport("nic0") > 0, 10, "nic0 ofport")
        assert sw.get("Interface", "nic0", "error") == "[]"
        wait_state(sw, "vmx", "failed")
        st = vm_status(sw, "vmx")
        assert st.get("exit_reason") == "exec-failed", st
        assert "pid" not in st, st
        err = unquote(sw.get("VM", "vmx", "error"))
        assert "could not execute " + missing in err, err
        assert "state=failed" in sw.appctl("vm/list")
        assert "nics=nic0" in sw.appctl("vm/list")
        p = sw.appctl("vm/console", "nope", check=False)
        assert p.returncode and "no VM named nope" in p.stderr, p.stderr

        # Its MAC: stable, locally administered, unicast.
        mac = unquote(sw.get("Interface", "nic0", "mac_in_use"))
        first = int(mac.split(":")[0], 16)
        assert first & 2 and not first & 1, mac
        sw.vsctl("set", "Interface", "nic0", 'mac="52:54:00:00:00:07"')
        wait_until(lambda: unquote(sw.get("Interface", "nic0",
                                          "mac_in_use"))
                   == "52:54:00:00:00:07", 10, "mac_in_use from mac")
        sw.vsctl("clear", "Interface", "nic0", "mac")
        wait_until(lambda: unquote(sw.get("Interface", "nic0",
                                          "mac_in_use")) == mac, 10,
                   "the derived MAC again")

        # The VM row goes: the NIC loses its port and gets the error.
        sw.vsctl("destroy", "VM", "vmx")
        wait_until(lambda: "no VM named vmx" in
                   sw.get("Interface", "nic0", "error"), 10, "error back")
        assert sw.ofport("nic0") == -1
        assert "vmx" not in sw.appctl("vm/list")


@case
def vms_ping():
    vm_bin, guest = require_vm()
    with Switch() as sw:
        ns = two_guests(sw, guest)
        assert "state=running" in sw.appctl("vm/list")
        sw.ping(ns, "10.0.0.11")
        sw.ping(ns, "10.0.0.12")
        assert unquote(sw.get("Interface", "vm1-eth0", "link_state")) == \
            "up"
        # The guest's NIC has the address the Interface reports.
        mac = unquote(sw.get("Interface", "vm1-eth0", "mac_in_use"))
        console = sw.appctl("vm/console", "vm1")
        assert "plx-guest: eth0 mac=%s ip=10.0.0.11/24" % mac in console, \
            (mac, console)
        st = vm_status(sw, "vm1")
        assert st["console"].endswith("/vm1.console"), st
        with open(st["console"]) as f:
            assert "plx-guest: ready" in f.read()
        assert os.path.exists(st["console_socket"]), st

        # A guest that pings vm2 three times and powers off: status 0.
        add_guest(sw, guest, "vm3", "10.0.0.13",
                  " ping=10.0.0.12 count=3 exit=1",
                  ["other_config:restart=never"])
        wait_state(sw, "vm3", "stopped", 30)
        st = vm_status(sw, "vm3")
        assert st.get("exit_reason") == "shutdown" and \
            st.get("exit_status") == "0", (st, sw.appctl("vm/console",
                                                         "vm3"))

        # Dropped by OpenFlow: the same guest now reports failure.
        ofctl = plxtest.build_path("utilities", "plx-ofctl")
        sh([ofctl, "add-flow", sw.br,
            "priority=100,ip,nw_src=10.0.0.13,nw_dst=10.0.0.12,"
            "actions=drop"], env=sw.env)
        sw.vsctl("set", "VM", "vm3", "other_config:try=2")
        wait_state(sw, "vm3", "failed", 30)
        st = vm_status(sw, "vm3")
        assert st.get("exit_status") == "5" and \
            st.get("exit_reason") == "guest-failed", st
        # The namespace still reaches both VMs.
        sw.ping(ns, "10.0.0.11")
        sw.ping(ns, "10.0.0.12")


@case
def two_nics_two_bridges():
    vm_bin, guest = require_vm()
    with Switch() as sw:
        br1 = sw.br + "b"
        sw.vsctl("add-br", sw.br, "--", "add-br", br1)
        ns0, _ = sw.add_host("h0", ["10.0.0.1/24"])
        ns1, _ = sw.add_host("h1", ["10.1.0.1/24"], bridge=br1)
        # One command: the VM and its two NICs, one on each bridge.
        sw.vsctl("add-vm", "vm1", guest,
                 "cmdline=ip=10.0.0.11/24 ip1=10.1.0.11/24", "memory_mb=64",
                 "--", "add-vm-port", sw.br, "vm1-eth0", "vm1",
                 "mac=52:54:00:00:01:00",
                 "--", "add-vm-port", br1, "vm1-eth1", "vm1",
                 "mac=52:54:00:00:01:01")
        wait_guest_ready(sw, "vm1")
        console = sw.appctl("vm/console", "vm1")
        assert "eth0 mac=52:54:00:00:01:00 ip=10.0.0.11/24" in console, \
            console
        assert "eth1 mac=52:54:00:00:01:01 ip=10.1.0.11/24" in console, \
            console
        sw.ping(ns0, "10.0.0.11")
        sw.ping(ns1, "10.1.0.11")
        # Each NIC is only on its own bridge.
        assert not sw.ping(ns0, "10.1.0.11", count=1, check=False)


@case
def crash_restarts():
    vm_bin, guest = require_vm()
    with Switch() as sw:
        sw.vsctl("add-br", sw.br)
        ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
        add_guest(sw, guest, "vm2", "10.0.0.12")
        wait_guest_ready(sw, "vm2")
        # A guest that crashes as soon as it is up: reported as crashed
        # (plx-vm's exit status 3) and restarted with backoff (on-failure,
        # the default), while vm2 keeps forwarding.
        add_guest(sw, guest, "vm1", "10.0.0.11", " fault=1")
        wait_until(lambda: vm_status(sw, "vm1").get("exit_reason")
                   == "crashed", 20, "exit_reason=crashed")
        st = vm_status(sw, "vm1")
        assert st.get("exit_status") == "3", st
        assert "triple fault" in open(
            os.path.join(sw.dir, "plx-vm.vm1.log")).read()
        sw.ping(ns, "10.0.0.12")
        wait_until(lambda: int(vm_status(sw, "vm1").get("restarts", 0))
                   >= 2, 20, "two restarts")
        assert "plx-guest: fault: executing ud2" in \
            sw.appctl("vm/console", "vm1")
        # Fixed by the user: the next start boots a healthy guest.
        sw.vsctl("set", "VM", "vm1", 'cmdline="ip=10.0.0.11/24"')
        wait_until(lambda: sw.ping(ns, "10.0.0.11", count=1, check=False),
                   40, "vm1 answering after the fix")


def reserve_hugepages(n):
    """Makes at least N free 2 MiB hugepages; returns the previous
    nr_hugepages to restore, or raises Skip."""
    path = "/proc/sys/vm/nr_hugepages"
    with open(path) as f:
        before = int(f.read())
    with open("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") \
            as f:
        free = int(f.read())
    if free < n:
        with open(path, "w") as f:
            f.write(str(before + n - free))
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/"
                  "free_hugepages") as f:
            if int(f.read()) < n:
                with open(path, "w") as f2:
                    f2.write(str(before))
                raise Skip("cannot reserve %d hugepages" % n)
    return before


@case
def hugepage_vm():
    vm_bin, guest = require_vm()
    before = reserve_hugepages(40)
    try:
        with Switch() as sw:
            sw.vsctl("add-br", sw.br)
            ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
            add_guest(sw, guest, "vm1", "10.0.0.11", "",
                      ["other_config:hugepages=true"])
            wait_guest_ready(sw, "vm1")
            sw.ping(ns, "10.0.0.11")
            pid = int(vm_status(sw, "vm1")["pid"])
            with open("/proc/%d/smaps" % pid) as f:
                smaps = f.read()
            # Guest RAM: the memfd mapping, in 2 MiB pages.
            m = re.search(r"memfd:plx-vm-vm1.*\n(?:.*\n)*?KernelPageSize:"
                          r"\s+(\d+) kB", smaps)
            assert m and m.group(1) == "2048", smaps[:2000]
    finally:
        with open("/proc/sys/vm/nr_hugepages", "w") as f:
            f.write(str(before))


@case
def kill_and_restart():
    vm_bin, guest = require_vm()
    with Switch() as sw:
        ns = two_guests(sw, guest)
        pid = int(vm_status(sw, "vm1")["pid"])
        restarts = int(vm_status(sw, "vm1")["restarts"])

        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: vm_status(sw, "vm1").get("exit_signal") == "9",
                   10, "exit_signal=9")
        assert "pid %d) exited" % pid in sw.log(), sw.log()
        # The other VM keeps answering while vm1 is down and restarting.
        sw.ping(ns, "10.0.0.12")
        wait_until(lambda: int(vm_status(sw, "vm1").get("restarts", 0))
                   > restarts, 10, "restarts incremented")
        wait_guest_ready(sw, "vm1")
        st = vm_status(sw, "vm1")
        assert int(st["pid"]) != pid and st["exit_reason"] == "killed", st
        sw.ping(ns, "10.0.0.11")
        sw.ping(ns, "10.0.0.12")

        # restart=never: killed stays down, as failed.
        sw.vsctl("set", "VM", "vm1", "other_config:restart=never")
        pid = int(vm_status(sw, "vm1")["pid"])
        os.kill(pid, signal.SIGKILL)
        wait_state(sw, "vm1", "failed")
        time.sleep(3)
        assert vm_state(sw, "vm1") == "failed"
        assert "pid" not in vm_status(sw, "vm1")
        assert "killed by signal 9" in sw.get("VM", "vm1", "error")
        assert unquote(sw.get("Interface", "vm1-eth0", "link_state")) == \
            "down"
        sw.ping(ns, "10.0.0.12")


@case
def del_vm_and_exit():
    vm_bin, guest = require_vm()
    with Switch() as sw:
        ns = two_guests(sw, guest)
        pid1 = int(vm_status(sw, "vm1")["pid"])
        pid2 = int(vm_status(sw, "vm2")["pid"])

        sw.vsctl("del-vm", "vm1")
        assert "vm1-eth0" not in sw.vsctl("list-ports", sw.br).split()
        wait_until(lambda: not alive(pid1), 10, "vm1's plx-vm gone")
        sw.ping(ns, "10.0.0.12")
        assert "vm1" not in sw.appctl("vm/list")

        sw.appctl("exit")
        sw.vsproc.wait(timeout=20)
        wait_until(lambda: not alive(pid2), 10, "vm2's plx-vm gone")


if __name__ == "__main__":
    plxtest.run()
