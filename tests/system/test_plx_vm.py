"""plx-vm on its own, as a user or another tool runs it: the test guest
(tests/guest/plx-guest) on plx-vswitchd's vhost-user ports, connected by
path rather than handed down by the switch, and its lifecycle through the
control socket and signals.

  standalone_ports      --net vhost-user,path= to a dpdkvhostuser port and
                        ,server to a dpdkvhostuserclient port: a namespace
                        host pings both guests; vm/status; console socket
  pause_resume          vm/pause stops the guest answering; vm/resume
                        brings it back, nothing lost in between
  shutdown_and_stop     vm/shutdown and SIGTERM: the guest sees the ACPI
                        power button and powers off (status 0); vm/stop
                        and SIGINT stop it at once (status 4); the guest's
                        exit port with a failure (status 5)
  bad_arguments         clear errors and status 1 for bad --net, a missing
                        or unloadable kernel, impossible memory sizes

Needs root (namespaces), /dev/kvm, and the build's plx-vm and test guest;
skipped with the reason otherwise."""

import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case
from test_vswitchd import Switch, sh, wait_until
from test_vm import require_vm

HOST_IP = "10.0.0.1"


class PlxVm:
    """One plx-vm process running the test guest, in SW's directory."""

    def __init__(self, sw, name, ip, nets, extra=""):
        self.vm_bin, self.guest = require_vm()
        self.sw = sw
        self.name = name
        self.log = os.path.join(sw.dir, name + ".console")
        self.ctl = os.path.join(sw.dir, "plx-vm.%s.ctl" % name)
        self.console_sock = os.path.join(sw.dir, name + ".console.sock")
        argv = [self.vm_bin, "--name", name, "--kernel", self.guest,
                "--cmdline", "ip=%s/24%s" % (ip, extra), "--memory", "64",
                "--console-log", self.log,
                "--console-socket", self.console_sock,
                "--unixctl", self.ctl,
                "--log-file=" + os.path.join(sw.dir, name + ".log")]
        for net in nets:
            argv += ["--net", net]
        self.proc = subprocess.Popen(argv, env=sw.env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        sw.procs.append(self.proc)

    def console(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_console(self, text, timeout=30):
        wait_until(lambda: text in self.console() or self.proc.poll()
                   is not None, timeout, "%s console: %s" % (self.name, text))
        assert text in self.console(), (self.console(),
                                        self.proc.stderr.read())

    def appctl(self, *args, check=True):
        return sh([self.sw.appctl_bin, "-t", self.ctl] + list(args),
                  check=check, env=self.sw.env)

    def wait_exit(self, timeout=20):
        return self.proc.wait(timeout=timeout)


def vhost_setup(sw):
    """A bridge with a namespace host, a dpdkvhostuser port vhu1 (the
    switch listens on RUNDIR/vhu1) and a dpdkvhostuserclient port vhc1
    (the switch connects to SW.dir/vhc1.sock).  Returns the namespace."""
    sw.vsctl("add-br", sw.br)
    ns, _ = sw.add_host("h1", [HOST_IP + "/24"])
    sw.vsctl("add-port", sw.br, "vhu1", "--", "set", "Interface", "vhu1",
             "type=dpdkvhostuser")
    sw.vsctl("add-port", sw.br, "vhc1", "--", "set", "Interface", "vhc1",
             "type=dpdkvhostuserclient",
             "options:vhost-server-path=" + os.path.join(sw.dir,
                                                         "vhc1.sock"))
    return ns


@case
def standalone_ports():
    require_vm()
    with Switch() as sw:
        ns = vhost_setup(sw)
        a = PlxVm(sw, "a", "10.0.0.11",
                  ["vhost-user,path=%s,mac=52:54:00:00:00:11"
                   % os.path.join(sw.dir, "vhu1")])
        b = PlxVm(sw, "b", "10.0.0.12",
                  ["vhost-user,path=%s,server,mac=52:54:00:00:00:12"
                   % os.path.join(sw.dir, "vhc1.sock")])
        a.wait_console("plx-guest: ready")
        b.wait_console("plx-guest: ready")
        assert "eth0 mac=52:54:00:00:00:11 ip=10.0.0.11/24" in a.console()
        sw.ping(ns, "10.0.0.11")
        sw.ping(ns, "10.0.0.12")

        status = a.appctl("vm/status").stdout
        assert "state: running" in status, status
        assert "eth0: mac 52:54:00:00:00:11, link up" in status, status

        # The console socket carries what the guest prints from now on.
        s = socket.socket(socket.AF_UNIX)
        s.connect(b.console_sock)
        time.sleep(0.3)
        b.appctl("vm/shutdown")
        s.settimeout(10)
        data = b""
        while b"power button" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        assert b"plx-guest: power button, shutting down" in data, data
        assert b.wait_exit() == 0


@case
def pause_resume():
    require_vm()
    with Switch() as sw:
        ns = vhost_setup(sw)
        a = PlxVm(sw, "a", "10.0.0.11",
                  ["vhost-user,path=" + os.path.join(sw.dir, "vhu1")])
        a.wait_console("plx-guest: ready")
        sw.ping(ns, "10.0.0.11")

        a.appctl("vm/pause")
        assert "state: paused" in a.appctl("vm/status").stdout
        assert not sw.ping(ns, "10.0.0.11", count=2, check=False)
        a.appctl("vm/resume")
        assert "state: running" in a.appctl("vm/status").stdout
        sw.ping(ns, "10.0.0.11")
        a.appctl("vm/stop")
        assert a.wait_exit() == 4


@case
def shutdown_and_stop():
    require_vm()
    with Switch() as sw:
        vhost_setup(sw)
        path = "vhost-user,path=" + os.path.join(sw.dir, "vhu1")

        a = PlxVm(sw, "a", "10.0.0.11", [path])
        a.wait_console("plx-guest: ready")
        a.proc.send_signal(signal.SIGTERM)
        assert a.wait_exit() == 0
        assert "power button, shutting down" in a.console()

        b = PlxVm(sw, "b", "10.0.0.12", [path])
        b.wait_console("plx-guest: ready")
        b.proc.send_signal(signal.SIGINT)
        assert b.wait_exit() == 4
        assert "power button" not in b.console()

        # A guest that fails (its ARP is never answered) says so.
        c = PlxVm(sw, "c", "10.0.0.13", [path],
                  " ping=10.0.0.99 count=1 exit=1")
        assert c.wait_exit(timeout=30) == 5, c.console()
        assert "plx-guest: error arp unresolved 10.0.0.99" in c.console()


def run_vm(sw, *args):
    vm_bin, _ = require_vm()
    p = subprocess.run([vm_bin, "--name", "bad"] + list(args), env=sw.env,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


@case
def bad_arguments():
    _, guest = require_vm()
    with Switch() as sw:
        garbage = os.path.join(sw.dir, "garbage")
        with open(garbage, "wb") as f:
            f.write(os.urandom(8192))
        cases = [
            (["--kernel", guest, "--net", "tap,path=x"],
             'the only NIC type is "vhost-user"'),
            (["--kernel", guest, "--net", "vhost-user,fd=3,path=x"],
             "exactly one of path= and fd="),
            (["--kernel", os.path.join(sw.dir, "nope")],
             "No such file or directory"),
            (["--kernel", garbage], "garbage"),
            (["--kernel", guest, "--memory", "7"], "--memory 7"),
            (["--kernel", guest, "--cpus", "0"], "--cpus 0"),
            (["--kernel", guest, "--net",
              "vhost-user,path=" + os.path.join(sw.dir, "nobody")],
             "nobody"),
        ]
        for args, text in cases:
            rc, err = run_vm(sw, *args)
            assert rc == 1, (args, rc, err)
            assert text in err, (args, err)


if __name__ == "__main__":
    plxtest.run()
