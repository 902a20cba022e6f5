# tests/bench/openflow.mk: the OpenFlow benchmark, Plexus vs. Debian's
# Open vSwitch (userspace datapath) in one run: flow-mod rate (ovs-ofctl
# add-flows and a raw OpenFlow 1.3 client), packet rate through 1k and
# 100k rules, megaflows and upcalls under many 5-tuples.  Needs root;
# without it, says so and succeeds.  "make bench" runs it through this
# wrapper; arguments are passed on (see bench-openflow.py --help).
BENCHMARKS += tests/bench/run-openflow-bench
tests/bench/run-openflow-bench: $(srcdir)/tests/bench/bench-openflow.py \
		$(srcdir)/tests/bench/openflow_bench_lib.py \
		$(srcdir)/tests/bench/openflow_bench_sender.py \
		utilities/plx-vsctl$(EXEEXT) utilities/plx-appctl$(EXEEXT) \
		ovsdb/plx-dbserver$(EXEEXT) ovsdb/plx-dbtool$(EXEEXT) \
		vswitchd/plx-vswitchd$(EXEEXT)
	$(AM_V_GEN)mkdir -p tests/bench && \
	{ echo '#! /bin/sh'; \
	  echo 'export PLX_SRCDIR="$(abs_top_srcdir)"'; \
	  echo 'export PLX_BUILDDIR="$(abs_top_builddir)"'; \
	  echo 'b="$$PLX_SRCDIR/tests/bench/bench-openflow.py"'; \
	  echo 'exec /usr/bin/python3 "$$b" --builddir "$$PLX_BUILDDIR" "$$@"'; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += tests/bench/run-openflow-bench
EXTRA_DIST += \
	tests/bench/bench-openflow.py \
	tests/bench/openflow_bench_lib.py \
	tests/bench/openflow_bench_sender.py
