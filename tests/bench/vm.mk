# tests/bench/vm.mk: VMs on a switch, Plexus vs. Debian's Open vSwitch
# with DPDK (openvswitch-switch-dpdk) in one run: VM-to-VM UDP (plx-vm +
# test guest, 64- and 1500-byte frames: a sweep of offered rates, the
# zero-loss rate found by bisection, the unpaced forwarding rate),
# Plexus's time from plx-vsctl add-vm to the guest's first frame, and
# the memory a VM costs.  Needs root and /dev/kvm; without them, says so
# and succeeds.  "make bench" runs it through this wrapper; arguments are
# passed on (see bench-vm.py --help; --quick for a smoke run).
BENCHMARKS += tests/bench/run-vm-bench
tests/bench/run-vm-bench: $(srcdir)/tests/bench/bench-vm.py \
		$(srcdir)/tests/bench/vhost_bench_lib.py \
		$(srcdir)/tests/bench/bench-switch.py \
		vmm/plx-vm$(EXEEXT) tests/guest/plx-guest/plx-guest \
		utilities/plx-vsctl$(EXEEXT) ovsdb/plx-dbserver$(EXEEXT) \
		ovsdb/plx-dbtool$(EXEEXT) vswitchd/plx-vswitchd$(EXEEXT)
	$(AM_V_GEN)mkdir -p tests/bench && \
	{ echo '#! /bin/sh'; \
	  echo 'export PLX_SRCDIR="$(abs_top_srcdir)"'; \
	  echo 'export PLX_BUILDDIR="$(abs_top_builddir)"'; \
	  echo 'b="$$PLX_SRCDIR/tests/bench/bench-vm.py"'; \
	  echo 'exec /usr/bin/python3 "$$b" --builddir "$$PLX_BUILDDIR" "$$@"'; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += tests/bench/run-vm-bench
EXTRA_DIST += tests/bench/bench-vm.py
