# tests/: the harness, and the unit, system, interop, fuzz and bench tiers.
check_LIBRARIES += tests/unit/libplxtest.a
tests_unit_libplxtest_a_SOURCES = tests/unit/test.c tests/unit/test.h \
	tests/unit/test-tshark.c tests/unit/test-tshark.h
PLX_UNIT_LIBS = tests/unit/libplxtest.a lib/libplx.a $(PLX_LIBS)
LDADD = lib/libplx.a $(PLX_LIBS)

EXTRA_DIST += tests/run-tests

# make check: every tier that is built; tests/run-tests prints the
# summary line last.
check-local: $(check_PROGRAMS)
	@PLX_SRCDIR=$(abs_top_srcdir) PLX_BUILDDIR=$(abs_top_builddir) \
	  $(SHELL) $(srcdir)/tests/run-tests --log tests/testsuite.log \
	  $(PLX_TEST_FLAGS) \
	  $(UNIT_TESTS) \
	  $(SYSTEM_TESTS:%=$(srcdir)/%) $(INTEROP_TESTS:%=$(srcdir)/%)

# Unit tests only (what the sanitizer build runs).  "all" runs a
# sub-make (BUILT_SOURCES), so it must finish before the test programs
# are built: as two prerequisites under -j they raced to compile the same
# objects (vswitchd/vswitch-idl.o).
check-unit:
	@$(MAKE) $(AM_MAKEFLAGS) all
	@$(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS)
	@PLX_SRCDIR=$(abs_top_srcdir) PLX_BUILDDIR=$(abs_top_builddir) \
	  $(SHELL) $(srcdir)/tests/run-tests --log tests/unit.log \
	  $(PLX_TEST_FLAGS) $(UNIT_TESTS)
.PHONY: check-unit

include tests/fuzz/automake.mk
include tests/bench/automake.mk
