#!/bin/bash
# Builds the Linux guest that tests/system/test_vhost_*.py boot in QEMU:
# Debian's cloud kernel and a busybox-static initramfs with the virtio
# network drivers.  Prints two lines, "KERNEL=PATH" and "INITRD=PATH".
#
# The kernel comes from the Debian package registry only: apt-cache
# resolves what linux-image-cloud-amd64 depends on today (e.g.
# linux-image-6.1.0-56-cloud-amd64), apt-get download fetches that .deb
# and dpkg-deb -x unpacks it.  Everything lives in a cache directory,
# $PLX_GUEST_CACHE (default /var/cache/plexus/guest), one subdirectory
# per kernel version; a second run with the same kernel package and the
# same version of this script does nothing but print the paths.
#
# The guest's /init mounts proc, sys and dev, loads the virtio modules,
# brings up lo and every ethN, and configures addresses from the kernel
# command line:
#     plx.ip=10.0.0.1/24     eth0's address     (plx.ipN= for ethN)
#     plx.hostname=NAME
# Every queue pair a virtio-net device offers is enabled (the driver
# enables min(offered, online CPUs) itself; busybox has no ethtool -L),
# so a guest with -smp 2 on a queues=2 device has rx-0/rx-1/tx-0/tx-1
# under /sys/class/net/eth0/queues/.  It then prints PLX-GUEST-READY and
# runs a non-interactive shell on the virtio-serial port named
# plx.console for the test to drive.
#
# Needs (Debian 12): apt (apt-get, apt-cache), dpkg, busybox-static, cpio,
# gzip, xz-utils (if the modules are compressed).  Run as root when the
# cache directory is not writable otherwise.
set -eu

cache=${PLX_GUEST_CACHE:-/var/cache/plexus/guest}
meta=linux-image-cloud-amd64
# Bump when /init or the module list changes, to rebuild cached images.
format=10
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
         virtio_pci failover net_failover virtio_net virtio_console"

die() { echo "build-initramfs: $*" >&2; exit 1; }

command -v apt-cache >/dev/null || die "apt-cache not found (needs Debian)"
busybox=
for b in /bin/busybox /usr/bin/busybox; do
    # ldd fails on a static executable ("not a dynamic executable").
    if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
[ -n "$busybox" ] || die "no static busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"

# The versioned package the metapackage points at.
pkg=$(apt-cache depends "$meta" 2>/dev/null \
      | sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
    # No package lists (apt-get update not run): reuse a cached kernel.
    pkg=$(ls -1 "$cache" 2>/dev/null | grep '^linux-image-' | sort -V \
          | tail -n1 || true)
    [ -n "$pkg" ] || die "cannot resolve $meta (run apt-get update)"
fi

dir=$cache/$pkg
kernel=$dir/vmlinuz
initrd=$dir/initramfs-$format.cpio.gz
if [ -s "$kernel" ] && [ -s "$initrd" ]; then
    echo "KERNEL=$kernel"
    echo "INITRD=$initrd"
    exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"    # apt-get download drops privileges to _apt

# The kernel package, unpacked.
deb=$(ls -1 "$dir"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
    (cd "$work" && apt-get download -q "$pkg" >&2) \
        || die "apt-get download $pkg failed"
    mv "$work"/"${pkg}"_*.deb "$dir"/
    deb=$(ls -1 "$dir"/"${pkg}"_*.deb | head -n1)
fi
mkdir -p "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg"
vmlinuz=$(ls -1 "$work"/pkg/boot/vmlinuz-* | head -n1)
[ -s "$vmlinuz" ] || die "no boot/vmlinuz-* in $deb"
kver=${vmlinuz##*/vmlinuz-}
moddir=$work/pkg/lib/modules/$kver/kernel

# The initramfs tree.
root=$work/root
mkdir -p "$root"/bin "$root"/sbin "$root"/proc "$root"/sys "$root"/dev \
         "$root"/tmp "$root"/etc "$root"/lib/modules "$root"/root
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
for m in $modules; do
    f=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" \
        | head -n1)
    [ -n "$f" ] || die "module $m not found in $pkg"
    case $f in
        *.ko.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
        *.ko.zst) zstd -dcq "$f" > "$root/lib/modules/$m.ko" ;;
        *) cp "$f" "$root/lib/modules/$m.ko" ;;
    esac
done
echo "$modules" | tr -s ' \n' '\n\n' | sed '/^$/d' > "$root/lib/modules/order"

cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko || echo "plx-init: insmod $m failed"
done
# No IPv6 chatter (router solicitations, DAD, MLD) on the test wires.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
ip link set lo up
for arg in $(cat /proc/cmdline); do
    case $arg in
        plx.hostname=*) hostname "${arg#plx.hostname=}" ;;
    esac
done
# Devices appear once the drivers have probed; wait briefly for them.
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do
    usleep 100000; i=$((i + 1))
done
for dev in /sys/class/net/eth*; do
    [ -e "$dev" ] || continue
    name=${dev##*/}
    n=${name#eth}
    sysctl -qw net.ipv6.conf.$name.disable_ipv6=1 2>/dev/null
    ip link set "$name" up
    for arg in $(cat /proc/cmdline); do
        case $arg in
            plx.ip=*)
                [ "$n" = 0 ] && ip addr add "${arg#plx.ip=}" dev "$name" ;;
            plx.ip$n=*) ip addr add "${arg#plx.ip$n=}" dev "$name" ;;
        esac
    done
done
export HOME=/root
cd /root
# The test drives a shell on the virtio-serial port named plx.console
# (not a tty: no echo, no line discipline).  Neither ttyS0 nor hvc0 will
# do under TCG: the emulated 16550 loses transmit interrupts, so its
# output stalls, and hvc0 takes 16 bytes of input per interrupt and
# leaves the rest until the next one.  The shell is non-interactive (no
# prompts, no job control or notices) and reads its script from a pipe
# fed by the port, not from stdin, which is /dev/null: a command that
# reads stdin cannot eat the next ones.  When the host side closes (a
# migration's source going away), the shell sees EOF and a new one
# starts on the port; init itself never exits.
con=
for n in /sys/class/virtio-ports/*/name; do
    [ "$(cat "$n" 2>/dev/null)" = plx.console ] || continue
    con=${n%/name}; con=/dev/${con##*/}
done
if [ -z "$con" ]; then
    echo "plx-init: no virtio-serial port named plx.console"
    exec sh
fi
(
    while :; do
        (
            exec 3<>$con
            echo "PLX-GUEST-READY $(cat /proc/uptime)" >&3
            cat <&3 | sh -c 'exec sh /proc/self/fd/4 4<&0 </dev/null' \
                >&3 2>&3 3>&-
        )
        usleep 200000
    done
) &
echo "plx-init: console on $con"
while :; do
    wait
    sleep 1
done
INIT
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -6) > "$work/initrd"
cp "$vmlinuz" "$work/vmlinuz"
mv "$work/vmlinuz" "$kernel"
mv "$work/initrd" "$initrd"
echo "KERNEL=$kernel"
echo "INITRD=$initrd"
