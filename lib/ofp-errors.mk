# lib/ofp-errors.mk: see lib/ofp-errors.h.
lib_libplx_a_SOURCES += \
	lib/ofp-errors.c \
	lib/ofp-errors.h

UNIT_TESTS += tests/unit/test-ofp-errors
check_PROGRAMS += tests/unit/test-ofp-errors
tests_unit_test_ofp_errors_SOURCES = tests/unit/test-ofp-errors.c
tests_unit_test_ofp_errors_LDADD = $(PLX_UNIT_LIBS)
