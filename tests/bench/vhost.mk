# tests/bench/vhost.mk: issue 6's vhost-user benchmark, Plexus vs.
# Debian's Open vSwitch with DPDK (openvswitch-switch-dpdk) in one run:
# dpdk-testpmd with two virtio-user ports on a bridge's two
# dpdkvhostuser ports, one PMD core, 64- and 1518-byte packets, flowgen
# (generate and sink on both ports) and io-forward loopback.  Needs root
# and dpdk-testpmd; without them, says so and succeeds.  "make bench"
# runs it through this wrapper; arguments are passed on (see
# bench-vhost.py --help; --quick for a smoke run).
BENCHMARKS += tests/bench/run-vhost-bench
# What the benchmarks on vhost_bench_lib.py need (dpdk.mk uses it too),
# and the recipe of their wrappers: $@ runs the rule's first
# prerequisite, tests/bench/$(notdir $<), from the source tree with
# PLX_SRCDIR and PLX_BUILDDIR set.
PLX_VHOST_BENCH_DEPS = \
	$(srcdir)/tests/bench/vhost_bench_lib.py \
	$(srcdir)/tests/bench/bench-switch.py \
	utilities/plx-vsctl$(EXEEXT) utilities/plx-appctl$(EXEEXT) \
	utilities/plx-ofctl$(EXEEXT) ovsdb/plx-dbserver$(EXEEXT) \
	ovsdb/plx-dbtool$(EXEEXT) vswitchd/plx-vswitchd$(EXEEXT)
PLX_BENCH_PY_WRAPPER = mkdir -p tests/bench && \
	{ echo '\#! /bin/sh'; \
	  echo 'export PLX_SRCDIR="$(abs_top_srcdir)"'; \
	  echo 'export PLX_BUILDDIR="$(abs_top_builddir)"'; \
	  echo 'b="$$PLX_SRCDIR/tests/bench/$(notdir $<)"'; \
	  echo 'exec /usr/bin/python3 "$$b" --builddir "$$PLX_BUILDDIR" "$$@"'; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
tests/bench/run-vhost-bench: $(srcdir)/tests/bench/bench-vhost.py \
		$(PLX_VHOST_BENCH_DEPS)
	$(AM_V_GEN)$(PLX_BENCH_PY_WRAPPER)
CLEANFILES += tests/bench/run-vhost-bench
EXTRA_DIST += \
	tests/bench/bench-vhost.py \
	tests/bench/vhost_bench_lib.py
