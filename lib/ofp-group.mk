# lib/ofp-group.mk: OpenFlow 1.3 groups and meters, codecs and ovs-ofctl
# text (see lib/ofp-group.h, lib/ofp-meter.h).
lib_libplx_a_SOURCES += \
	lib/ofp-group.c \
	lib/ofp-group.h \
	lib/ofp-meter.c \
	lib/ofp-meter.h

# Interop: against ovs-ofctl (add-group/add-meter, ofp-print) and os-ken.
check_PROGRAMS += tests/interop/ofp-group-tool
tests_interop_ofp_group_tool_SOURCES = tests/interop/ofp-group-tool.c
tests_interop_ofp_group_tool_LDADD = $(PLX_UNIT_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_group.py
EXTRA_DIST += tests/interop/test_ofp_group.py

UNIT_TESTS += tests/unit/test-ofp-group
check_PROGRAMS += tests/unit/test-ofp-group
tests_unit_test_ofp_group_SOURCES = tests/unit/test-ofp-group.c
tests_unit_test_ofp_group_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ofp-meter
check_PROGRAMS += tests/unit/test-ofp-meter
tests_unit_test_ofp_meter_SOURCES = tests/unit/test-ofp-meter.c
tests_unit_test_ofp_meter_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += ofp-group ofp-meter
EXTRA_DIST += tests/fuzz/fuzz-ofp-group.c tests/fuzz/fuzz-ofp-meter.c
