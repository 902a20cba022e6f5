# ovsdb/server.mk: plx-dbserver, the OVSDB server, and plx-dbtool (see
# ovsdb/automake.mk, ovsdb/jsonrpc-server.h and ovsdb/storage.h).
ovsdb_libovsdb_a_SOURCES += \
	ovsdb/jsonrpc-server.c \
	ovsdb/jsonrpc-server.h \
	ovsdb/lock.c \
	ovsdb/lock.h \
	ovsdb/monitor.c \
	ovsdb/monitor.h \
	ovsdb/server-db.c \
	ovsdb/server-db.h \
	ovsdb/storage.c \
	ovsdb/storage.h

sbin_PROGRAMS += ovsdb/plx-dbserver
ovsdb_plx_dbserver_SOURCES = ovsdb/plx-dbserver.c
ovsdb_plx_dbserver_LDADD = ovsdb/libovsdb.a $(LDADD)

bin_PROGRAMS += ovsdb/plx-dbtool
ovsdb_plx_dbtool_SOURCES = ovsdb/plx-dbtool.c
ovsdb_plx_dbtool_LDADD = ovsdb/libovsdb.a $(LDADD)

UNIT_TESTS += tests/unit/test-ovsdb-monitor
check_PROGRAMS += tests/unit/test-ovsdb-monitor
tests_unit_test_ovsdb_monitor_SOURCES = tests/unit/test-ovsdb-monitor.c
tests_unit_test_ovsdb_monitor_LDADD = $(PLX_OVSDB_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ovsdb-server
check_PROGRAMS += tests/unit/test-ovsdb-server
tests_unit_test_ovsdb_server_SOURCES = tests/unit/test-ovsdb-server.c
tests_unit_test_ovsdb_server_LDADD = $(PLX_OVSDB_UNIT_LIBS)

# Fuzz target (the ovsdb sources are added to the fuzz build by data.mk).
FUZZ_TARGETS += ovsdb-server
EXTRA_DIST += tests/fuzz/fuzz-ovsdb-server.c

SYSTEM_TESTS += tests/system/test_dbserver.py
EXTRA_DIST += tests/system/test_dbserver.py
include tests/system/ssl.mk
