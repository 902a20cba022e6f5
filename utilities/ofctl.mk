# utilities/ofctl.mk: plx-ofctl, the ovs-ofctl work-alike.

bin_PROGRAMS += utilities/plx-ofctl
utilities_plx_ofctl_SOURCES = \
	utilities/plx-ofctl.c \
	utilities/ofctl.h \
	utilities/ofctl-conn.c \
	utilities/ofctl-file.c \
	utilities/ofctl-file.h \
	utilities/ofctl-flows.c \
	utilities/ofctl-groups.c \
	utilities/ofctl-print.c

UNIT_TESTS += tests/unit/test-ofctl-file
check_PROGRAMS += tests/unit/test-ofctl-file
tests_unit_test_ofctl_file_SOURCES = \
	tests/unit/test-ofctl-file.c \
	utilities/ofctl-file.c \
	utilities/ofctl-file.h
tests_unit_test_ofctl_file_LDADD = $(PLX_UNIT_LIBS)

SYSTEM_TESTS += tests/system/test_ofctl.py
EXTRA_DIST += tests/system/test_ofctl.py
