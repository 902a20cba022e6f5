# ovsdb/data.mk: the schema-generic data model (see ovsdb/automake.mk):
# UUIDs, errors, types, values (JSON and ovs-vsctl syntax), schemas.
ovsdb_libovsdb_a_SOURCES += \
	ovsdb/ovsdb-data.c \
	ovsdb/ovsdb-data.h \
	ovsdb/ovsdb-data-string.c \
	ovsdb/ovsdb-error.c \
	ovsdb/ovsdb-error.h \
	ovsdb/ovsdb-schema.c \
	ovsdb/ovsdb-schema.h \
	ovsdb/ovsdb-types.c \
	ovsdb/ovsdb-types.h \
	ovsdb/uuid.c \
	ovsdb/uuid.h

UNIT_TESTS += tests/unit/test-ovsdb-types
check_PROGRAMS += tests/unit/test-ovsdb-types
tests_unit_test_ovsdb_types_SOURCES = tests/unit/test-ovsdb-types.c
tests_unit_test_ovsdb_types_LDADD = $(PLX_OVSDB_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ovsdb-data
check_PROGRAMS += tests/unit/test-ovsdb-data
tests_unit_test_ovsdb_data_SOURCES = tests/unit/test-ovsdb-data.c
tests_unit_test_ovsdb_data_LDADD = $(PLX_OVSDB_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ovsdb-schema
check_PROGRAMS += tests/unit/test-ovsdb-schema
tests_unit_test_ovsdb_schema_SOURCES = tests/unit/test-ovsdb-schema.c
tests_unit_test_ovsdb_schema_LDADD = $(PLX_OVSDB_UNIT_LIBS)

# Fuzz targets.
FUZZ_TARGETS += ovsdb-datum ovsdb-schema
EXTRA_DIST += tests/fuzz/fuzz-ovsdb-datum.c tests/fuzz/fuzz-ovsdb-schema.c
