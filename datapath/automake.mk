# datapath/: the userspace fast datapath (see datapath/README.md).
noinst_LIBRARIES += datapath/libdatapath.a
datapath_libdatapath_a_SOURCES = \
	datapath/netdev.c \
	datapath/netdev.h \
	datapath/netdev-dummy.c \
	datapath/netdev-dummy.h \
	datapath/netdev-linux.c \
	datapath/netdev-linux.h \
	datapath/netdev-linux-nl.c \
	datapath/netdev-pcap.c \
	datapath/netdev-soft.c \
	datapath/netdev-soft.h \
	datapath/netdev-vhost.c \
	datapath/dpdk.c \
	datapath/dpdk.h
if HAVE_DPDK
datapath_libdatapath_a_SOURCES += datapath/netdev-dpdk.c
endif
datapath_libdatapath_a_CPPFLAGS = $(AM_CPPFLAGS) $(DPDK_CFLAGS)
EXTRA_DIST += datapath/README.md
PLX_DATAPATH_UNIT_LIBS = tests/unit/libplxtest.a datapath/libdatapath.a \
	vhost/libvhost.a \
	lib/libplx.a $(PLX_LIBS)

UNIT_TESTS += tests/unit/test-dpdk
check_PROGRAMS += tests/unit/test-dpdk
tests_unit_test_dpdk_SOURCES = tests/unit/test-dpdk.c
tests_unit_test_dpdk_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

FUZZ_TARGETS += dpdk-args
EXTRA_DIST += tests/fuzz/fuzz-dpdk-args.c

# DPDK ports in a live switch (skips in a build without DPDK).
SYSTEM_TESTS += tests/system/test_dpdk.py

UNIT_TESTS += tests/unit/test-netdev-dummy
check_PROGRAMS += tests/unit/test-netdev-dummy
tests_unit_test_netdev_dummy_SOURCES = tests/unit/test-netdev-dummy.c
tests_unit_test_netdev_dummy_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-netdev-pcap
check_PROGRAMS += tests/unit/test-netdev-pcap
tests_unit_test_netdev_pcap_SOURCES = tests/unit/test-netdev-pcap.c
tests_unit_test_netdev_pcap_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

# Needs root (network namespaces, veth, tap): built here, run by the
# system tier through tests/system/test_netdev.py.
SYSTEM_TESTS += tests/system/test_netdev.py
check_PROGRAMS += tests/system/test-netdev-system
tests_system_test_netdev_system_SOURCES = tests/system/test-netdev-system.c
tests_system_test_netdev_system_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

include datapath/conntrack.mk
include datapath/ct-nat.mk
include datapath/ipf.mk
include datapath/odp.mk
include datapath/flowcache.mk
include datapath/pmd.mk
include datapath/dpif.mk
include tests/bench/dpdk.mk

# Conntrack, NAT and fragments in a live switch (needs root).
SYSTEM_TESTS += tests/system/test_conntrack.py
EXTRA_DIST += tests/system/test_conntrack.py
