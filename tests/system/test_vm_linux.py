"""Stock Linux under plx-vm: Debian's cloud kernel with the busybox
initramfs that tests/guest/linux/build-initramfs.sh builds (and caches).

  linux_ping            where /proc/cpuinfo shows vmx or svm: a VM
                        created by plx-vsctl boots the bzImage to
                        userspace with its virtio-net NIC on br0, and a
                        namespace host on the bridge pings it.  Skipped,
                        with the reason, on hosts without hardware
                        virtualization (this project's machines: their
                        KVM emulates guest kernel code one instruction at
                        a time, see Documentation/vm.md).
  linux_early_boot      everywhere /dev/kvm works: the same kernel, as
                        the vmlinux ELF inside the bzImage (so that the
                        decompressor does not have to run emulated),
                        starts under plx-vm: it prints its banner on the
                        8250 console and finds plx-vm's ACPI tables
                        (RSDP, XSDT, FADT, DSDT, MADT) and its memory
                        map.  This exercises the 64-bit boot protocol,
                        the zero page, e820 and the UART on a real
                        kernel even where it cannot get further in test
                        time.

Needs root; the images need Debian's kernel package and busybox-static
(utilities/plx-install-deps)."""

import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import plxtest
from plxtest import case, Skip
from test_vswitchd import Switch, wait_until
from test_vm import require_vm, wait_state
import qemu_guest

LZ4_LEGACY_MAGIC = b"\x02\x21\x4c\x18"


def hardware_virtualization():
    with open("/proc/cpuinfo") as f:
        flags = re.findall(r"^flags\s*:\s*(.*)$", f.read(), re.M)
    return any(re.search(r"\b(vmx|svm)\b", line) for line in flags)


def images():
    try:
        return qemu_guest.images()
    except (RuntimeError, KeyError, OSError) as e:
        raise Skip("no Linux guest images: %s" % e)


def extract_vmlinux(bzimage, out):
    """Writes the ELF vmlinux inside BZIMAGE (Debian's cloud kernel is
    LZ4-compressed) to OUT."""
    with open(bzimage, "rb") as f:
        data = f.read()
    at = data.find(LZ4_LEGACY_MAGIC)
    if at < 0:
        raise Skip("%s: no LZ4 payload (not Debian's cloud kernel?)"
                   % bzimage)
    plxtest.require_program("lz4")
    p = subprocess.run(["lz4", "-dc"], input=data[at:],
                       capture_output=True, timeout=120)
    # lz4 complains about the bytes after the frame; the frame is whole.
    if not p.stdout.startswith(b"\x7fELF"):
        raise AssertionError("lz4 -dc gave no ELF: %s" % p.stderr[-300:])
    with open(out, "wb") as f:
        f.write(p.stdout)


@case
def linux_ping():
    vm_bin, _ = require_vm()
    if not hardware_virtualization():
        raise Skip("no vmx or svm in /proc/cpuinfo: without hardware "
                   "virtualization this KVM emulates guest kernel code, "
                   "and a stock kernel does not reach userspace in test "
                   "time")
    kernel, initrd = images()
    with Switch() as sw:
        sw.vsctl("add-br", sw.br)
        ns, _ = sw.add_host("h1", ["10.0.0.1/24"])
        sw.vsctl("add-vm", "lx1", kernel, "initrd=" + initrd,
                 "cmdline=console=ttyS0 plx.ip=10.0.0.21/24",
                 "memory_mb=256", "cpus=2",
                 "--", "add-vm-port", sw.br, "lx1-eth0", "lx1")
        wait_state(sw, "lx1", "running", 30)
        wait_until(lambda: "plx-init:" in
                   sw.appctl("vm/console", "lx1", check=False).stdout,
                   120, "the initramfs's init on the console")
        wait_until(lambda: sw.ping(ns, "10.0.0.21", count=1, check=False),
                   30, "ping 10.0.0.21")
        sw.ping(ns, "10.0.0.21")


@case
def linux_early_boot():
    vm_bin, _ = require_vm()
    kernel, initrd = images()
    with Switch() as sw:
        vmlinux = os.path.join(sw.dir, "vmlinux")
        extract_vmlinux(kernel, vmlinux)
        log = os.path.join(sw.dir, "lx.console")
        # The command line hides what this KVM cannot emulate (see
        # Documentation/vm.md); harmless on other hosts.
        p = subprocess.Popen(
            [vm_bin, "--name", "lx", "--kernel", vmlinux, "--initrd", initrd,
             "--cmdline", "console=ttyS0 earlyprintk=serial noxsave "
             "clearcpuid=151,288,295,308 plx.ip=10.0.0.21/24",
             "--memory", "256", "--cpus", "2", "--no-cx16",
             "--console-log", log,
             "--unixctl", os.path.join(sw.dir, "lx.ctl")],
            env=sw.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sw.procs.append(p)

        def console():
            try:
                with open(log, errors="replace") as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        wanted = ["Linux version", "BIOS-e820: [mem 0x0000000000100000-"
                  "0x000000000fffffff] usable", "ACPI: RSDP", "ACPI: XSDT",
                  "ACPI: FACP", "ACPI: DSDT", "ACPI: APIC",
                  "IOAPIC[0]: apic_id 2"]
        try:
            wait_until(lambda: all(w in console() for w in wanted)
                       or p.poll() is not None, 240,
                       "the kernel's early boot messages")
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)      # vm/stop: at once.
                p.wait(timeout=15)
        text = console()
        missing = [w for w in wanted if w not in text]
        assert not missing, (missing, text[-3000:],
                             p.stderr.read().decode(errors="replace"))


if __name__ == "__main__":
    plxtest.run()
