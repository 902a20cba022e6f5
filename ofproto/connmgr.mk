# ofproto/connmgr.mk: the OpenFlow connection manager of a bridge
# (controllers, management socket, roles, asynchronous messages).
ofproto_libofproto_a_SOURCES += ofproto/connmgr.c ofproto/connmgr.h

UNIT_TESTS += tests/unit/test-connmgr
check_PROGRAMS += tests/unit/test-connmgr
tests_unit_test_connmgr_SOURCES = tests/unit/test-connmgr.c
tests_unit_test_connmgr_LDADD = $(PLX_OFPROTO_UNIT_LIBS)
