# ovsdb/idl.mk: the OVSDB IDL client library, its code generator and the
# typed IDLs generated from schemas (see ovsdb/automake.mk).
#
# ovsdb/plx-idlc turns a schema into a typed C layer (FOO-idl.h and
# FOO-idl.c) in the build directory.  The Plexus schema's IDL (prefix
# "vswitchrec_", as Open vSwitch's is "ovsrec_") goes into its own
# library, vswitchd/libvswitch-idl.a, so that lib/ and ovsdb/ stay
# schema-generic.
ovsdb_libovsdb_a_SOURCES += \
	ovsdb/ovsdb-idl.c \
	ovsdb/ovsdb-idl.h \
	ovsdb/ovsdb-idl-provider.h \
	ovsdb/ovsdb-idl-replica.c \
	ovsdb/ovsdb-idl-txn.c

EXTRA_DIST += ovsdb/plx-idlc tests/ovsdb/idltest.ovsschema
PLX_IDLC = /usr/bin/python3 $(srcdir)/ovsdb/plx-idlc

# The Plexus schema.
noinst_LIBRARIES += vswitchd/libvswitch-idl.a
nodist_vswitchd_libvswitch_idl_a_SOURCES = \
	vswitchd/vswitch-idl.c \
	vswitchd/vswitch-idl.h
BUILT_SOURCES += vswitchd/vswitch-idl.c vswitchd/vswitch-idl.h
CLEANFILES += vswitchd/vswitch-idl.c vswitchd/vswitch-idl.h

vswitchd/vswitch-idl.h: $(srcdir)/vswitchd/vswitch.ovsschema \
		$(srcdir)/ovsdb/plx-idlc
	$(AM_V_GEN)$(MKDIR_P) vswitchd && \
	$(PLX_IDLC) header vswitchrec_ $(srcdir)/vswitchd/vswitch.ovsschema \
	  > $@.tmp && mv $@.tmp $@
vswitchd/vswitch-idl.c: $(srcdir)/vswitchd/vswitch.ovsschema \
		$(srcdir)/ovsdb/plx-idlc
	$(AM_V_GEN)$(MKDIR_P) vswitchd && \
	$(PLX_IDLC) source vswitchrec_ vswitchd/vswitch-idl.h \
	  $(srcdir)/vswitchd/vswitch.ovsschema > $@.tmp && mv $@.tmp $@

# The test schema.
BUILT_SOURCES += tests/ovsdb/idltest-idl.c tests/ovsdb/idltest-idl.h
CLEANFILES += tests/ovsdb/idltest-idl.c tests/ovsdb/idltest-idl.h

tests/ovsdb/idltest-idl.h: $(srcdir)/tests/ovsdb/idltest.ovsschema \
		$(srcdir)/ovsdb/plx-idlc
	$(AM_V_GEN)$(MKDIR_P) tests/ovsdb && \
	$(PLX_IDLC) header idltest_ $(srcdir)/tests/ovsdb/idltest.ovsschema \
	  > $@.tmp && mv $@.tmp $@
tests/ovsdb/idltest-idl.c: $(srcdir)/tests/ovsdb/idltest.ovsschema \
		$(srcdir)/ovsdb/plx-idlc
	$(AM_V_GEN)$(MKDIR_P) tests/ovsdb && \
	$(PLX_IDLC) source idltest_ tests/ovsdb/idltest-idl.h \
	  $(srcdir)/tests/ovsdb/idltest.ovsschema > $@.tmp && mv $@.tmp $@

UNIT_TESTS += tests/unit/test-ovsdb-idl
check_PROGRAMS += tests/unit/test-ovsdb-idl
tests_unit_test_ovsdb_idl_SOURCES = tests/unit/test-ovsdb-idl.c
nodist_tests_unit_test_ovsdb_idl_SOURCES = \
	tests/ovsdb/idltest-idl.c \
	tests/ovsdb/idltest-idl.h
tests_unit_test_ovsdb_idl_LDADD = \
	vswitchd/libvswitch-idl.a $(PLX_OVSDB_UNIT_LIBS)
# BUILT_SOURCES covers "make", "make check"; these cover building one
# target directly in a clean tree.
tests/unit/test-ovsdb-idl.$(OBJEXT): tests/ovsdb/idltest-idl.h \
	vswitchd/vswitch-idl.h
tests/ovsdb/idltest-idl.$(OBJEXT): tests/ovsdb/idltest-idl.h
vswitchd/vswitch-idl.$(OBJEXT): vswitchd/vswitch-idl.h
