# ofproto/ipfix.mk: the ipfix exporter (see ofproto/ipfix.h).
ofproto_libofproto_a_SOURCES += \
	ofproto/ipfix.c \
	ofproto/ipfix.h \
	ofproto/ipfix-encode.c \
	ofproto/ipfix-encode.h

UNIT_TESTS += tests/unit/test-ipfix
check_PROGRAMS += tests/unit/test-ipfix
tests_unit_test_ipfix_SOURCES = tests/unit/test-ipfix.c
tests_unit_test_ipfix_LDADD = $(PLX_OFPROTO_UNIT_LIBS)

FUZZ_TARGETS += ipfix
EXTRA_DIST += tests/fuzz/fuzz-ipfix.c
