# ipf.mk: see the header of its sources.
datapath_libdatapath_a_SOURCES += datapath/ipf.c datapath/ipf.h

UNIT_TESTS += tests/unit/test-ipf
check_PROGRAMS += tests/unit/test-ipf
tests_unit_test_ipf_SOURCES = tests/unit/test-ipf.c
tests_unit_test_ipf_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

FUZZ_TARGETS += ipf
EXTRA_DIST += tests/fuzz/fuzz-ipf.c
