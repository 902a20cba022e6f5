# datapath/dpif.mk: the dpif seam and its userspace implementation.
datapath_libdatapath_a_SOURCES += \
	datapath/dpif.h \
	datapath/dpif-netdev.c \
	datapath/dpif-netdev-pmd.c \
	datapath/dpif-netdev-flow.c \
	datapath/dpif-netdev-packet.c \
	datapath/dpif-netdev-private.h

UNIT_TESTS += tests/unit/test-dpif-netdev
check_PROGRAMS += tests/unit/test-dpif-netdev
tests_unit_test_dpif_netdev_SOURCES = tests/unit/test-dpif-netdev.c \
	tests/unit/dpif-fixture.c tests/unit/dpif-fixture.h
tests_unit_test_dpif_netdev_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-dpif-netdev-threads
check_PROGRAMS += tests/unit/test-dpif-netdev-threads
tests_unit_test_dpif_netdev_threads_SOURCES = \
	tests/unit/test-dpif-netdev-threads.c \
	tests/unit/dpif-fixture.c tests/unit/dpif-fixture.h
tests_unit_test_dpif_netdev_threads_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

BENCHMARKS += tests/bench/bench-dpif
noinst_PROGRAMS += tests/bench/bench-dpif
tests_bench_bench_dpif_SOURCES = tests/bench/bench-dpif.c
tests_bench_bench_dpif_LDADD = datapath/libdatapath.a vhost/libvhost.a lib/libplx.a \
	$(PLX_LIBS)
