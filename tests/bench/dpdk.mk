# tests/bench/dpdk.mk: the DPDK issue's benchmark, Plexus vs. Debian's
# Open vSwitch with DPDK (openvswitch-switch-dpdk) in one run:
# port-to-port forwarding of 64-byte UDP frames between two DPDK ports
# of one bridge (net_pcap source with infinite_rx, net_null sink), one
# PMD core, 1 and 256 flows, output:2 and NORMAL; Mpps from the sink's
# counters and cycles per packet from dpif-netdev/pmd-perf-show.  Needs
# root and DPDK's pcap and null drivers; without them, says so and
# succeeds.  "make bench" runs it through this wrapper; arguments are
# passed on (see bench-dpdk.py --help; --quick for a smoke run).  The
# prerequisites and the recipe are vhost.mk's.
BENCHMARKS += tests/bench/run-dpdk-bench
tests/bench/run-dpdk-bench: $(srcdir)/tests/bench/bench-dpdk.py \
		$(PLX_VHOST_BENCH_DEPS)
	$(AM_V_GEN)$(PLX_BENCH_PY_WRAPPER)
CLEANFILES += tests/bench/run-dpdk-bench
EXTRA_DIST += tests/bench/bench-dpdk.py
