# utilities/dpctl.mk: plx-dpctl and the switch benchmark.

bin_PROGRAMS += utilities/plx-dpctl
utilities_plx_dpctl_SOURCES = utilities/plx-dpctl.c

SYSTEM_TESTS += tests/system/test_dpctl.py
EXTRA_DIST += tests/system/test_dpctl.py

# The switch benchmark: Linux bridge, Open vSwitch's userspace datapath
# and Plexus between two network namespaces (needs root; without it,
# says so and succeeds).  "make bench" runs it through this wrapper.
BENCHMARKS += tests/bench/run-switch-bench
tests/bench/run-switch-bench: $(srcdir)/tests/bench/bench-switch.py \
		utilities/plx-vsctl$(EXEEXT) ovsdb/plx-dbserver$(EXEEXT) \
		ovsdb/plx-dbtool$(EXEEXT) vswitchd/plx-vswitchd$(EXEEXT)
	$(AM_V_GEN)mkdir -p tests/bench && \
	{ echo '#! /bin/sh'; \
	  echo 'export PLX_SRCDIR="$(abs_top_srcdir)"'; \
	  echo 'export PLX_BUILDDIR="$(abs_top_builddir)"'; \
	  echo 'b="$$PLX_SRCDIR/tests/bench/bench-switch.py"'; \
	  echo 'exec /usr/bin/python3 "$$b" --builddir "$$PLX_BUILDDIR" "$$@"'; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += tests/bench/run-switch-bench
EXTRA_DIST += tests/bench/bench-switch.py
