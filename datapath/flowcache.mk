# datapath/flowcache.mk: the datapath's flow caches (see
# datapath/dp-flow.h, datapath/dpcls.h, datapath/emc.h).
datapath_libdatapath_a_SOURCES += \
	datapath/dp-flow.c \
	datapath/dp-flow.h \
	datapath/dpcls.c \
	datapath/dpcls.h \
	datapath/emc.c \
	datapath/emc.h

UNIT_TESTS += tests/unit/test-dpcls
check_PROGRAMS += tests/unit/test-dpcls
tests_unit_test_dpcls_SOURCES = tests/unit/test-dpcls.c
tests_unit_test_dpcls_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-emc
check_PROGRAMS += tests/unit/test-emc
tests_unit_test_emc_SOURCES = tests/unit/test-emc.c
tests_unit_test_emc_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

BENCHMARKS += tests/bench/bench-flowcache
noinst_PROGRAMS += tests/bench/bench-flowcache
tests_bench_bench_flowcache_SOURCES = tests/bench/bench-flowcache.c
tests_bench_bench_flowcache_LDADD = datapath/libdatapath.a vhost/libvhost.a lib/libplx.a \
	$(PLX_LIBS)
