# lib/ofp-table.mk: OpenFlow table and queue messages (TABLE_MOD, table
# features, queue stats and configuration) and ovs-ofctl-compatible text
# for the switch-description replies (see lib/ofp-table.h,
# lib/ofp-print.h).
lib_libplx_a_SOURCES += \
	lib/ofp-table.c \
	lib/ofp-table.h
lib_libplx_a_SOURCES += \
	lib/ofp-print.c \
	lib/ofp-print.h

# Interop: Plexus's encodings and text against ovs-ofctl and os-ken.
check_PROGRAMS += tests/interop/ofp-table-tool
tests_interop_ofp_table_tool_SOURCES = tests/interop/ofp-table-tool.c
tests_interop_ofp_table_tool_LDADD = $(PLX_UNIT_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_table.py
EXTRA_DIST += tests/interop/test_ofp_table.py

UNIT_TESTS += tests/unit/test-ofp-table
check_PROGRAMS += tests/unit/test-ofp-table
tests_unit_test_ofp_table_SOURCES = tests/unit/test-ofp-table.c
tests_unit_test_ofp_table_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ofp-print
check_PROGRAMS += tests/unit/test-ofp-print
tests_unit_test_ofp_print_SOURCES = tests/unit/test-ofp-print.c
tests_unit_test_ofp_print_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += ofp-table
EXTRA_DIST += tests/fuzz/fuzz-ofp-table.c
