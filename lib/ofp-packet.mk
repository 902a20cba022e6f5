# lib/ofp-packet.mk: PACKET_IN and PACKET_OUT codecs and text (see
# lib/ofp-packet.h).
lib_libplx_a_SOURCES += \
	lib/ofp-packet.c \
	lib/ofp-packet.h

UNIT_TESTS += tests/unit/test-ofp-packet
check_PROGRAMS += tests/unit/test-ofp-packet
tests_unit_test_ofp_packet_SOURCES = tests/unit/test-ofp-packet.c
tests_unit_test_ofp_packet_LDADD = $(PLX_UNIT_LIBS)

# Interop: against ovs-ofctl (ofp-print, packet-out) and os-ken.
check_PROGRAMS += tests/interop/ofp-packet-tool
tests_interop_ofp_packet_tool_SOURCES = tests/interop/ofp-packet-tool.c
tests_interop_ofp_packet_tool_LDADD = $(PLX_UNIT_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_packet.py
EXTRA_DIST += tests/interop/test_ofp_packet.py

FUZZ_TARGETS += ofp-packet
EXTRA_DIST += tests/fuzz/fuzz-ofp-packet.c
