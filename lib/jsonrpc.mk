# lib/jsonrpc.mk: JSON, JSON-RPC, reconnecting stream sessions (shared
# with OpenFlow, see lib/stream-session.h), the unixctl control socket and
# plx-appctl (see lib/automake.mk).
lib_libplx_a_SOURCES += \
	lib/json.c \
	lib/json.h \
	lib/jsonrpc.c \
	lib/jsonrpc.h \
	lib/stream-session.c \
	lib/stream-session.h \
	lib/unixctl.c \
	lib/unixctl.h \
	lib/unixctl-client.c \
	lib/unixctl-client.h \
	lib/vlog-unixctl.c \
	lib/vlog-unixctl.h

UNIT_TESTS += tests/unit/test-json
check_PROGRAMS += tests/unit/test-json
tests_unit_test_json_SOURCES = tests/unit/test-json.c
tests_unit_test_json_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-jsonrpc
check_PROGRAMS += tests/unit/test-jsonrpc
tests_unit_test_jsonrpc_SOURCES = tests/unit/test-jsonrpc.c
tests_unit_test_jsonrpc_LDADD = $(PLX_UNIT_LIBS)

bin_PROGRAMS += utilities/plx-appctl
utilities_plx_appctl_SOURCES = utilities/plx-appctl.c

UNIT_TESTS += tests/unit/test-unixctl
check_PROGRAMS += tests/unit/test-unixctl
tests_unit_test_unixctl_SOURCES = tests/unit/test-unixctl.c
tests_unit_test_unixctl_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += jsonrpc
EXTRA_DIST += tests/fuzz/fuzz-jsonrpc.c
