# vmm/core.mk: the KVM machine, legacy devices and plx-vm itself.
vmm_libvmm_a_SOURCES += \
	vmm/boot-guest.c vmm/boot-guest.h \
	vmm/console.c vmm/console.h \
	vmm/net-spec.c vmm/net-spec.h \
	vmm/pm.c vmm/pm.h \
	vmm/uart.c vmm/uart.h \
	vmm/vm.c vmm/vm.h

UNIT_TESTS += tests/unit/test-vmm-legacy
check_PROGRAMS += tests/unit/test-vmm-legacy
tests_unit_test_vmm_legacy_SOURCES = tests/unit/test-vmm-legacy.c \
	tests/unit/vmm-fake-platform.c tests/unit/vmm-fake-platform.h
tests_unit_test_vmm_legacy_LDADD = $(PLX_VMM_UNIT_LIBS)

FUZZ_TARGETS += vmm-net-spec
EXTRA_DIST += tests/fuzz/fuzz-vmm-net-spec.c

UNIT_TESTS += tests/unit/test-vmm-kvm
check_PROGRAMS += tests/unit/test-vmm-kvm
tests_unit_test_vmm_kvm_SOURCES = tests/unit/test-vmm-kvm.c
tests_unit_test_vmm_kvm_LDADD = $(PLX_VMM_UNIT_LIBS)

bin_PROGRAMS += vmm/plx-vm
vmm_plx_vm_SOURCES = vmm/plx-vm.c
vmm_plx_vm_LDADD = vmm/libvmm.a vhost/libvhost.a lib/libplx.a $(PLX_LIBS)

SYSTEM_TESTS += tests/system/test_plx_vm.py
EXTRA_DIST += tests/system/test_plx_vm.py
SYSTEM_TESTS += tests/system/test_vm_linux.py
EXTRA_DIST += tests/system/test_vm_linux.py
