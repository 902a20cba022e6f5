# lib/stream.mk: byte streams (unix, tcp, ssl), sockets, DNS, reconnect
# (see lib/automake.mk).
lib_libplx_a_SOURCES += \
	lib/collectors.c \
	lib/collectors.h \
	lib/dns-resolve.c \
	lib/dns-resolve.h \
	lib/reconnect.c \
	lib/reconnect.h \
	lib/socket-util.c \
	lib/socket-util.h \
	lib/stream.c \
	lib/stream.h \
	lib/stream-fd.c \
	lib/stream-fd.h \
	lib/stream-provider.h \
	lib/stream-ssl.c \
	lib/stream-ssl.h \
	lib/stream-tcp.c \
	lib/stream-unix.c

UNIT_TESTS += tests/unit/test-stream
check_PROGRAMS += tests/unit/test-stream
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c
tests_unit_test_stream_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-reconnect
check_PROGRAMS += tests/unit/test-reconnect
tests_unit_test_reconnect_SOURCES = tests/unit/test-reconnect.c
tests_unit_test_reconnect_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-stream-ssl
check_PROGRAMS += tests/unit/test-stream-ssl
tests_unit_test_stream_ssl_SOURCES = tests/unit/test-stream-ssl.c
tests_unit_test_stream_ssl_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-dns-resolve
check_PROGRAMS += tests/unit/test-dns-resolve
tests_unit_test_dns_resolve_SOURCES = tests/unit/test-dns-resolve.c
tests_unit_test_dns_resolve_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-socket-util
check_PROGRAMS += tests/unit/test-socket-util
tests_unit_test_socket_util_SOURCES = tests/unit/test-socket-util.c
tests_unit_test_socket_util_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += socket-names
EXTRA_DIST += tests/fuzz/fuzz-socket-names.c

UNIT_TESTS += tests/unit/test-collectors
check_PROGRAMS += tests/unit/test-collectors
tests_unit_test_collectors_SOURCES = tests/unit/test-collectors.c
tests_unit_test_collectors_LDADD = $(PLX_UNIT_LIBS)
