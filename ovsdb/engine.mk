# ovsdb/engine.mk: the in-memory database engine (see ovsdb/automake.mk):
# rows, tables, databases, transactions with their integrity checks,
# conditions, mutations, queries and the RFC 7047 "transact" operations.
ovsdb_libovsdb_a_SOURCES += \
	ovsdb/condition.c \
	ovsdb/condition.h \
	ovsdb/execution.c \
	ovsdb/execution.h \
	ovsdb/mutation.c \
	ovsdb/mutation.h \
	ovsdb/ovsdb.c \
	ovsdb/ovsdb.h \
	ovsdb/query.c \
	ovsdb/query.h \
	ovsdb/row.c \
	ovsdb/row.h \
	ovsdb/table.c \
	ovsdb/table.h \
	ovsdb/transaction.c \
	ovsdb/transaction.h

UNIT_TESTS += tests/unit/test-ovsdb-engine
check_PROGRAMS += tests/unit/test-ovsdb-engine
tests_unit_test_ovsdb_engine_SOURCES = \
	tests/unit/test-ovsdb-engine.c \
	tests/unit/ovsdb-test-schema.h
tests_unit_test_ovsdb_engine_LDADD = $(PLX_OVSDB_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ovsdb-integrity
check_PROGRAMS += tests/unit/test-ovsdb-integrity
tests_unit_test_ovsdb_integrity_SOURCES = \
	tests/unit/test-ovsdb-integrity.c \
	tests/unit/ovsdb-test-schema.h
tests_unit_test_ovsdb_integrity_LDADD = $(PLX_OVSDB_UNIT_LIBS)

# Fuzz target (the ovsdb sources are added to the fuzz build by data.mk).
FUZZ_TARGETS += ovsdb-transact
EXTRA_DIST += tests/fuzz/fuzz-ovsdb-transact.c
