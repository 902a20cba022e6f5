# vswitchd/automake.mk: the Open_vSwitch database schema (see
# Documentation/vswitch-schema.md) and plx-vswitchd (vswitchd.mk).
# The schema is installed in $(pkgdatadir), where ovsdb-tool create and
# plx-dbserver find it, as Open vSwitch installs its own.
pkgdata_DATA = vswitchd/vswitch.ovsschema
EXTRA_DIST += vswitchd/vswitch.ovsschema

UNIT_TESTS += tests/unit/test-vswitch-schema
check_PROGRAMS += tests/unit/test-vswitch-schema
tests_unit_test_vswitch_schema_SOURCES = tests/unit/test-vswitch-schema.c
tests_unit_test_vswitch_schema_LDADD = $(PLX_OVSDB_UNIT_LIBS)
include vswitchd/vswitchd.mk
include vswitchd/vm.mk
