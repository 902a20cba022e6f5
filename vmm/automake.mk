# vmm/: plx-vm, the built-in KVM VMM (see vmm/README.md).
#
# vmm/libvmm.a holds everything but main(): the machine (vm.c, KVM), the
# loaders and boot tables (boot.mk), the devices (devices.mk).  Device
# models talk to the machine only through vmm/platform.h, so their unit
# tests run without /dev/kvm.
noinst_LIBRARIES += vmm/libvmm.a
vmm_libvmm_a_SOURCES = vmm/layout.h vmm/platform.h vmm/simple-entry.h
EXTRA_DIST += vmm/README.md
PLX_VMM_UNIT_LIBS = tests/unit/libplxtest.a vmm/libvmm.a vhost/libvhost.a \
	lib/libplx.a $(PLX_LIBS)

include vmm/boot.mk
include vmm/devices.mk
include vmm/core.mk
include tests/guest/guest.mk
include tests/interop/vm.mk
include tests/bench/vm.mk
