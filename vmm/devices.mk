# vmm/devices.mk: PCI, virtio-pci and virtio-net device models.
vmm_libvmm_a_SOURCES += \
	vmm/pci.c \
	vmm/pci.h \
	vmm/virtio-pci.c \
	vmm/virtio-pci.h \
	vmm/virtio-net-dev.c \
	vmm/virtio-net-dev.h

# The fake platform is compiled into each test (and #included by the
# fuzz target, which links only library sources).
EXTRA_DIST += tests/unit/vmm-fake-platform.c tests/unit/vmm-fake-platform.h

UNIT_TESTS += tests/unit/test-vmm-pci
check_PROGRAMS += tests/unit/test-vmm-pci
tests_unit_test_vmm_pci_SOURCES = tests/unit/test-vmm-pci.c \
	tests/unit/vmm-fake-platform.c tests/unit/vmm-fake-platform.h
tests_unit_test_vmm_pci_LDADD = $(PLX_VMM_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vmm-virtio-net
check_PROGRAMS += tests/unit/test-vmm-virtio-net
tests_unit_test_vmm_virtio_net_SOURCES = tests/unit/test-vmm-virtio-net.c \
	tests/unit/vmm-fake-platform.c tests/unit/vmm-fake-platform.h
tests_unit_test_vmm_virtio_net_LDADD = $(PLX_VMM_UNIT_LIBS)

FUZZ_TARGETS += vmm-virtio-pci
EXTRA_DIST += tests/fuzz/fuzz-vmm-virtio-pci.c
