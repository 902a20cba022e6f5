# ovsdb/: the OVSDB engine (RFC 7047), server, IDL client and tools.
noinst_LIBRARIES += ovsdb/libovsdb.a
ovsdb_libovsdb_a_SOURCES =
PLX_OVSDB_UNIT_LIBS = tests/unit/libplxtest.a ovsdb/libovsdb.a lib/libplx.a $(PLX_LIBS)

include ovsdb/data.mk
include ovsdb/log.mk
include ovsdb/engine.mk
include ovsdb/idl.mk
include ovsdb/server.mk
