# ofproto/: OpenFlow switches (see ofproto/README.md).
noinst_LIBRARIES += ofproto/libofproto.a
ofproto_libofproto_a_SOURCES = \
	ofproto/mac-learning.c \
	ofproto/mac-learning.h
EXTRA_DIST += ofproto/README.md

UNIT_TESTS += tests/unit/test-mac-learning
check_PROGRAMS += tests/unit/test-mac-learning
tests_unit_test_mac_learning_SOURCES = tests/unit/test-mac-learning.c
tests_unit_test_mac_learning_LDADD = tests/unit/libplxtest.a \
	ofproto/libofproto.a lib/libplx.a $(PLX_LIBS)
include ofproto/ofproto.mk
include ofproto/connmgr.mk
include ofproto/netflow.mk
include ofproto/ipfix.mk
include ofproto/sflow.mk
include tests/bench/export.mk
include tests/bench/conntrack.mk
