# vmm/boot.mk: kernel loaders, the x86 boot state, e820, ACPI and MP tables.
#
# All of it is pure code over a guest-memory buffer (no KVM calls), so
# the unit tests and fuzz targets run anywhere.
vmm_libvmm_a_SOURCES += \
	vmm/acpi.c \
	vmm/acpi.h \
	vmm/aml.c \
	vmm/aml.h \
	vmm/elf-load.c \
	vmm/elf-load.h \
	vmm/linux-boot.c \
	vmm/linux-boot.h \
	vmm/mptable.c \
	vmm/mptable.h \
	vmm/x86-boot.c \
	vmm/x86-boot.h

UNIT_TESTS += tests/unit/test-vmm-boot
check_PROGRAMS += tests/unit/test-vmm-boot
tests_unit_test_vmm_boot_SOURCES = tests/unit/test-vmm-boot.c
tests_unit_test_vmm_boot_LDADD = $(PLX_VMM_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vmm-elf
check_PROGRAMS += tests/unit/test-vmm-elf
tests_unit_test_vmm_elf_SOURCES = tests/unit/test-vmm-elf.c
tests_unit_test_vmm_elf_LDADD = $(PLX_VMM_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vmm-acpi
check_PROGRAMS += tests/unit/test-vmm-acpi
tests_unit_test_vmm_acpi_SOURCES = tests/unit/test-vmm-acpi.c
tests_unit_test_vmm_acpi_LDADD = $(PLX_VMM_UNIT_LIBS)

FUZZ_TARGETS += vmm-elf vmm-bzimage
EXTRA_DIST += tests/fuzz/fuzz-vmm-elf.c tests/fuzz/fuzz-vmm-bzimage.c
