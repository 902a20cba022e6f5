# tests/system/vhost.mk: vhost-user ports (dpdkvhostuser,
# dpdkvhostuserclient) with real frontends: Linux guests in QEMU (TCG),
# whose kernel and initramfs tests/guest/linux/build-initramfs.sh builds
# and caches, and DPDK's dpdk-testpmd with virtio-user ports.
SYSTEM_TESTS += tests/system/test_vhost.py \
	tests/system/test_vhost_qemu.py \
	tests/system/test_vhost_testpmd.py
EXTRA_DIST += tests/system/test_vhost.py \
	tests/system/vhost_frontend.py \
	tests/system/test_vhost_qemu.py \
	tests/system/test_vhost_testpmd.py \
	tests/system/qemu_guest.py \
	tests/guest/linux/build-initramfs.sh
