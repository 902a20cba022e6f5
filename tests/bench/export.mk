# tests/bench/export.mk: the flow export issue's benchmark, Plexus vs.
# Debian's Open vSwitch with DPDK in one run: bench-dpdk's port-to-port
# forwarding (256 flows, output:2, one PMD core) with no exporter, NetFlow,
# sFlow (1 in 400 and 1 in 64, and to a collector that is down) and IPFIX
# (1 in 400), to a counting UDP collector.  Needs what bench-dpdk needs;
# without it, says so and succeeds.  Arguments are passed on (see
# bench-export.py --help; --quick for a smoke run).
BENCHMARKS += tests/bench/run-export-bench
tests/bench/run-export-bench: $(srcdir)/tests/bench/bench-export.py \
		$(srcdir)/tests/bench/bench-dpdk.py $(PLX_VHOST_BENCH_DEPS)
	$(AM_V_GEN)$(PLX_BENCH_PY_WRAPPER)
CLEANFILES += tests/bench/run-export-bench
EXTRA_DIST += tests/bench/bench-export.py
