# lib/packets.mk: packet headers, checksums, the datapath packet buffer
# and flow extraction; see lib/automake.mk.
lib_libplx_a_SOURCES += \
	lib/csum.c \
	lib/csum.h \
	lib/dp-packet.c \
	lib/dp-packet.h \
	lib/flow.c \
	lib/flow-compose.c \
	lib/packets.c \
	lib/packets.h \
	lib/pcap-file.c \
	lib/pcap-file.h

UNIT_TESTS += tests/unit/test-csum
check_PROGRAMS += tests/unit/test-csum
tests_unit_test_csum_SOURCES = tests/unit/test-csum.c
tests_unit_test_csum_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-packets
check_PROGRAMS += tests/unit/test-packets
tests_unit_test_packets_SOURCES = tests/unit/test-packets.c
tests_unit_test_packets_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-flow
check_PROGRAMS += tests/unit/test-flow
tests_unit_test_flow_SOURCES = \
	tests/unit/test-flow.c \
	tests/unit/packet-builder.h
tests_unit_test_flow_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += flow-extract
EXTRA_DIST += tests/fuzz/fuzz-flow-extract.c

BENCHMARKS += tests/bench/bench-flow-extract
noinst_PROGRAMS += tests/bench/bench-flow-extract
tests_bench_bench_flow_extract_SOURCES = tests/bench/bench-flow-extract.c

UNIT_TESTS += tests/unit/test-flow-key
check_PROGRAMS += tests/unit/test-flow-key
tests_unit_test_flow_key_SOURCES = \
	tests/unit/test-flow-key.c \
	tests/unit/packet-builder.h
tests_unit_test_flow_key_LDADD = $(PLX_UNIT_LIBS)
