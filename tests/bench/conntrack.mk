# tests/bench/conntrack.mk: the conntrack issue's benchmark, Plexus vs.
# Debian's Open vSwitch with DPDK in one run: bench-dpdk's port-to-port
# forwarding (64-byte UDP frames, one connection each, 1000 and 100000
# connections, one PMD core) through output:2, ct(commit,zone=1) and
# ct(commit,zone=1,nat(src=...)), in Mpps and cycles per packet, and new
# connections per second after dpctl/flush-conntrack (100000 connections,
# ct and ct+nat).  Needs what bench-dpdk needs; without it, says so and
# succeeds.  Arguments are passed on (see bench-conntrack.py --help;
# --quick for a smoke run).
BENCHMARKS += tests/bench/run-conntrack-bench
tests/bench/run-conntrack-bench: $(srcdir)/tests/bench/bench-conntrack.py \
		$(srcdir)/tests/bench/bench-dpdk.py $(PLX_VHOST_BENCH_DEPS)
	$(AM_V_GEN)$(PLX_BENCH_PY_WRAPPER)
CLEANFILES += tests/bench/run-conntrack-bench
EXTRA_DIST += tests/bench/bench-conntrack.py
