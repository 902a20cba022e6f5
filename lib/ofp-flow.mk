# lib/ofp-flow.mk: FLOW_MOD, FLOW_REMOVED, flow and aggregate statistics
# codecs and the ovs-ofctl flow text (see lib/ofp-flow.h).
lib_libplx_a_SOURCES += \
	lib/ofp-flow.c \
	lib/ofp-flow-text.c \
	lib/ofp-flow.h

# Interop: byte-for-byte against Debian's ovs-ofctl, and ofp-print of
# Plexus's flow statistics replies.
check_PROGRAMS += tests/interop/ofp-flow-tool
tests_interop_ofp_flow_tool_SOURCES = tests/interop/ofp-flow-tool.c
tests_interop_ofp_flow_tool_LDADD = lib/libplx.a $(PLX_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_flow.py
EXTRA_DIST += tests/interop/test_ofp_flow.py

UNIT_TESTS += tests/unit/test-ofp-flow
check_PROGRAMS += tests/unit/test-ofp-flow
tests_unit_test_ofp_flow_SOURCES = tests/unit/test-ofp-flow.c
tests_unit_test_ofp_flow_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += ofp-flow
EXTRA_DIST += tests/fuzz/fuzz-ofp-flow.c
