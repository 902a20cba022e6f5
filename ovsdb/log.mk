# ovsdb/log.mk: the crash-safe record log that holds a database file
# (see ovsdb/automake.mk and ovsdb/ovsdb-log.h).
ovsdb_libovsdb_a_SOURCES += \
	ovsdb/ovsdb-log.c \
	ovsdb/ovsdb-log.h

UNIT_TESTS += tests/unit/test-ovsdb-log
check_PROGRAMS += tests/unit/test-ovsdb-log
tests_unit_test_ovsdb_log_SOURCES = tests/unit/test-ovsdb-log.c
tests_unit_test_ovsdb_log_LDADD = $(PLX_OVSDB_UNIT_LIBS)

# Fuzz target.  ovsdb/data.mk already adds the sources of ovsdb/libovsdb.a
# (this module's included) to PLX_FUZZ_SRCS for every fuzz target.
FUZZ_TARGETS += ovsdb-log
EXTRA_DIST += tests/fuzz/fuzz-ovsdb-log.c
