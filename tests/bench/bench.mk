# tests/bench/bench.mk: the OVSDB server benchmark (plx-dbserver side by
# side with Debian's ovsdb-server) and the database durability test.
#
# "make bench" runs tests/bench/run-ovsdb-bench, a wrapper generated here
# that runs tests/bench/run-ovsdb-bench.sh from the source tree against
# this build.
noinst_PROGRAMS += tests/bench/bench-ovsdb
tests_bench_bench_ovsdb_SOURCES = tests/bench/bench-ovsdb.c
tests_bench_bench_ovsdb_LDADD = lib/libplx.a $(PLX_LIBS)

BENCHMARKS += tests/bench/run-ovsdb-bench
tests/bench/run-ovsdb-bench: tests/bench/bench-ovsdb$(EXEEXT) \
		ovsdb/plx-dbserver$(EXEEXT) ovsdb/plx-dbtool$(EXEEXT)
	$(AM_V_GEN)mkdir -p tests/bench && \
	{ echo '#! /bin/sh'; \
	  echo 'export PLX_SRCDIR="$(abs_top_srcdir)"'; \
	  echo 'export PLX_BUILDDIR="$(abs_top_builddir)"'; \
	  echo 'exec bash "$$PLX_SRCDIR/tests/bench/run-ovsdb-bench.sh" "$$@"'; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += tests/bench/run-ovsdb-bench

SYSTEM_TESTS += tests/system/test_db_durability.py

EXTRA_DIST += \
	tests/bench/bench.ovsschema \
	tests/bench/run-ovsdb-bench.sh \
	tests/system/test_db_durability.py
