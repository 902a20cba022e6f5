# ofproto/netflow.mk: the netflow exporter (see ofproto/netflow.h).
ofproto_libofproto_a_SOURCES += ofproto/netflow.c ofproto/netflow.h
UNIT_TESTS += tests/unit/test-netflow
check_PROGRAMS += tests/unit/test-netflow
tests_unit_test_netflow_SOURCES = tests/unit/test-netflow.c
tests_unit_test_netflow_LDADD = $(PLX_OFPROTO_UNIT_LIBS)
FUZZ_TARGETS += netflow
EXTRA_DIST += tests/fuzz/fuzz-netflow.c
