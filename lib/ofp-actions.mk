# lib/ofp-actions.mk: see lib/ofp-actions.h.
lib_libplx_a_SOURCES += \
	lib/ofp-actions.c \
	lib/ofp-actions-text.c \
	lib/ofp-actions-nx.c \
	lib/ofp-actions.h

UNIT_TESTS += tests/unit/test-ofp-actions
check_PROGRAMS += tests/unit/test-ofp-actions
tests_unit_test_ofp_actions_SOURCES = tests/unit/test-ofp-actions.c
tests_unit_test_ofp_actions_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += ofp-actions ofp-actions-parse
EXTRA_DIST += \
	tests/fuzz/fuzz-ofp-actions.c \
	tests/fuzz/fuzz-ofp-actions-parse.c
