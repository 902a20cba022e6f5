# ofproto/sflow.mk: the sflow exporter (see ofproto/sflow.h).
ofproto_libofproto_a_SOURCES += ofproto/sflow.c ofproto/sflow.h

UNIT_TESTS += tests/unit/test-sflow
check_PROGRAMS += tests/unit/test-sflow
tests_unit_test_sflow_SOURCES = tests/unit/test-sflow.c
tests_unit_test_sflow_LDADD = $(PLX_OFPROTO_UNIT_LIBS)

FUZZ_TARGETS += sflow
EXTRA_DIST += tests/fuzz/fuzz-sflow.c
