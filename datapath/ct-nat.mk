# ct-nat.mk: NAT for conntrack (see datapath/conntrack-nat.h, which
# conntrack.mk lists).
datapath_libdatapath_a_SOURCES += datapath/conntrack-nat.c

UNIT_TESTS += tests/unit/test-conntrack-nat
check_PROGRAMS += tests/unit/test-conntrack-nat
tests_unit_test_conntrack_nat_SOURCES = tests/unit/test-conntrack-nat.c
tests_unit_test_conntrack_nat_LDADD = $(PLX_DATAPATH_UNIT_LIBS)
