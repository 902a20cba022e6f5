# lib/ofp-msgs.mk: OpenFlow wire structures, message framing, types and
# codecs, and OpenFlow connections (see lib/ofp-msgs.h, lib/ofp-conn.h).
lib_libplx_a_SOURCES += \
	lib/openflow.h \
	lib/ofp-msgs.c \
	lib/ofp-msgs-util.c \
	lib/ofp-msgs.h
lib_libplx_a_SOURCES += \
	lib/ofp-conn.c \
	lib/ofp-conn.h

UNIT_TESTS += tests/unit/test-ofp-msgs
check_PROGRAMS += tests/unit/test-ofp-msgs
tests_unit_test_ofp_msgs_SOURCES = tests/unit/test-ofp-msgs.c
tests_unit_test_ofp_msgs_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ofp-conn
check_PROGRAMS += tests/unit/test-ofp-conn
tests_unit_test_ofp_conn_SOURCES = tests/unit/test-ofp-conn.c
tests_unit_test_ofp_conn_LDADD = $(PLX_UNIT_LIBS)

# Interop: Plexus's encodings against ovs-ofctl ofp-print and os-ken.
check_PROGRAMS += tests/interop/ofp-msgs-tool
tests_interop_ofp_msgs_tool_SOURCES = tests/interop/ofp-msgs-tool.c
tests_interop_ofp_msgs_tool_LDADD = $(PLX_UNIT_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_msgs.py
EXTRA_DIST += tests/interop/test_ofp_msgs.py

FUZZ_TARGETS += ofp-msgs
EXTRA_DIST += tests/fuzz/fuzz-ofp-msgs.c
