# lib/coverage.mk: coverage counters.
lib_libplx_a_SOURCES += \
	lib/coverage.c \
	lib/coverage.h

UNIT_TESTS += tests/unit/test-coverage
check_PROGRAMS += tests/unit/test-coverage
tests_unit_test_coverage_SOURCES = tests/unit/test-coverage.c
tests_unit_test_coverage_LDADD = $(PLX_UNIT_LIBS)
