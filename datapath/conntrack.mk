# conntrack.mk: connection tracking (see datapath/conntrack.h and
# datapath/conntrack-private.h).
datapath_libdatapath_a_SOURCES += \
	datapath/conntrack.h \
	datapath/conntrack-nat.h \
	datapath/conntrack-private.h \
	datapath/conntrack.c \
	datapath/conntrack-proto.c \
	datapath/conntrack-tcp.c

UNIT_TESTS += tests/unit/test-conntrack
check_PROGRAMS += tests/unit/test-conntrack
tests_unit_test_conntrack_SOURCES = tests/unit/test-conntrack.c
tests_unit_test_conntrack_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

FUZZ_TARGETS += conntrack
EXTRA_DIST += tests/fuzz/fuzz-conntrack.c
