# lib/runtime.mk: the runtime layer every daemon uses (see lib/automake.mk):
# clocks, logging, the poll loop, signals, daemonizing, directories,
# command-line helpers.
lib_libplx_a_SOURCES += \
	lib/command-line.c \
	lib/command-line.h \
	lib/daemon.c \
	lib/daemon.h \
	lib/dirs.c \
	lib/dirs.h \
	lib/fatal-signal.c \
	lib/fatal-signal.h \
	lib/latch.c \
	lib/latch.h \
	lib/poll-loop.c \
	lib/timeval.c \
	lib/vlog.c

UNIT_TESTS += tests/unit/test-timeval
check_PROGRAMS += tests/unit/test-timeval
tests_unit_test_timeval_SOURCES = tests/unit/test-timeval.c
tests_unit_test_timeval_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-vlog
check_PROGRAMS += tests/unit/test-vlog
tests_unit_test_vlog_SOURCES = tests/unit/test-vlog.c
tests_unit_test_vlog_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-poll-loop
check_PROGRAMS += tests/unit/test-poll-loop
tests_unit_test_poll_loop_SOURCES = tests/unit/test-poll-loop.c
tests_unit_test_poll_loop_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-latch
check_PROGRAMS += tests/unit/test-latch
tests_unit_test_latch_SOURCES = tests/unit/test-latch.c
tests_unit_test_latch_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-command-line
check_PROGRAMS += tests/unit/test-command-line
tests_unit_test_command_line_SOURCES = tests/unit/test-command-line.c
tests_unit_test_command_line_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-daemon
check_PROGRAMS += tests/unit/test-daemon
tests_unit_test_daemon_SOURCES = tests/unit/test-daemon.c
tests_unit_test_daemon_LDADD = $(PLX_UNIT_LIBS)
