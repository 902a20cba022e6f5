# utilities/vsctl.mk: plx-vsctl, the ovs-vsctl-compatible configuration
# tool (see utilities/plx-vsctl.c).  Its pure parts (command-line and
# argument parsing, output formats) are a library of their own so that
# unit tests link them without the database code.
noinst_LIBRARIES += utilities/libvsctl.a
utilities_libvsctl_a_SOURCES = \
	utilities/vsctl-output.c \
	utilities/vsctl-output.h \
	utilities/vsctl-parse.c \
	utilities/vsctl-parse.h \
	utilities/vsctl-vm-parse.c \
	utilities/vsctl-vm-parse.h

bin_PROGRAMS += utilities/plx-vsctl
utilities_plx_vsctl_SOURCES = \
	utilities/plx-vsctl.c \
	utilities/vsctl-bridge-cmds.c \
	utilities/vsctl-commands.h \
	utilities/vsctl-context.c \
	utilities/vsctl-context.h \
	utilities/vsctl-db-cmds.c \
	utilities/vsctl-switch-cmds.c \
	utilities/vsctl-vm-cmds.c \
	utilities/vsctl-zone-cmds.c
utilities_plx_vsctl_LDADD = utilities/libvsctl.a ovsdb/libovsdb.a \
	lib/libplx.a $(PLX_LIBS)

PLX_VSCTL_UNIT_LIBS = utilities/libvsctl.a $(PLX_OVSDB_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vsctl-parse
check_PROGRAMS += tests/unit/test-vsctl-parse
tests_unit_test_vsctl_parse_SOURCES = tests/unit/test-vsctl-parse.c
tests_unit_test_vsctl_parse_LDADD = $(PLX_VSCTL_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vsctl-vm
check_PROGRAMS += tests/unit/test-vsctl-vm
tests_unit_test_vsctl_vm_SOURCES = tests/unit/test-vsctl-vm.c
tests_unit_test_vsctl_vm_LDADD = $(PLX_VSCTL_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vsctl-output
check_PROGRAMS += tests/unit/test-vsctl-output
tests_unit_test_vsctl_output_SOURCES = tests/unit/test-vsctl-output.c
tests_unit_test_vsctl_output_LDADD = $(PLX_VSCTL_UNIT_LIBS)

FUZZ_TARGETS += vsctl-args
EXTRA_DIST += tests/fuzz/fuzz-vsctl-args.c

INTEROP_TESTS += tests/interop/test_vsctl.py
EXTRA_DIST += tests/interop/test_vsctl.py

# The conntrack zone commands (utilities/vsctl-zone-cmds.c) against
# Debian's ovs-vsctl, both on plx-dbserver.
INTEROP_TESTS += tests/interop/test_vsctl_zones.py
EXTRA_DIST += tests/interop/test_vsctl_zones.py

FUZZ_TARGETS += vsctl-vm
EXTRA_DIST += tests/fuzz/fuzz-vsctl-vm.c
