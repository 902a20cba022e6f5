# ofp-actions-ct.mk: see the header of its sources (lib/ofp-actions-ct.c,
# lib/ofp-actions.h).
lib_libplx_a_SOURCES += lib/ofp-actions-ct.c

UNIT_TESTS += tests/unit/test-ofp-actions-ct
check_PROGRAMS += tests/unit/test-ofp-actions-ct
tests_unit_test_ofp_actions_ct_SOURCES = tests/unit/test-ofp-actions-ct.c
tests_unit_test_ofp_actions_ct_LDADD = $(PLX_UNIT_LIBS)
