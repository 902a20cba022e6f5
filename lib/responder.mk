# lib/responder.mk: the switch's built-in DHCPv4, router/neighbor
# discovery, ARP and ping responder; see lib/responder.h.
lib_libplx_a_SOURCES += \
	lib/responder.c \
	lib/responder.h \
	lib/responder-dhcp.c \
	lib/responder-nd.c \
	lib/responder-private.h

UNIT_TESTS += tests/unit/test-responder tests/unit/test-responder-nd
check_PROGRAMS += tests/unit/test-responder tests/unit/test-responder-nd
tests_unit_test_responder_SOURCES = tests/unit/test-responder.c \
	tests/unit/responder-fixture.c tests/unit/responder-fixture.h
tests_unit_test_responder_LDADD = $(PLX_UNIT_LIBS)
tests_unit_test_responder_nd_SOURCES = tests/unit/test-responder-nd.c \
	tests/unit/responder-fixture.c tests/unit/responder-fixture.h
tests_unit_test_responder_nd_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += responder
EXTRA_DIST += tests/fuzz/fuzz-responder.c
