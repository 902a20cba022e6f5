# lib/match.mk: match fields (meta-flow) and matches, with their canonical
# text form; see lib/automake.mk.
lib_libplx_a_SOURCES += \
	lib/meta-flow.c \
	lib/meta-flow.h \
	lib/match.c

UNIT_TESTS += tests/unit/test-meta-flow tests/unit/test-match
check_PROGRAMS += tests/unit/test-meta-flow tests/unit/test-match
tests_unit_test_meta_flow_SOURCES = tests/unit/test-meta-flow.c
tests_unit_test_meta_flow_LDADD = $(PLX_UNIT_LIBS)
tests_unit_test_match_SOURCES = tests/unit/test-match.c
tests_unit_test_match_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += match-parse
EXTRA_DIST += tests/fuzz/fuzz-match-parse.c

INTEROP_TESTS += tests/interop/test_parse_pcap.py
EXTRA_DIST += tests/interop/test_parse_pcap.py tests/plxtest.py
