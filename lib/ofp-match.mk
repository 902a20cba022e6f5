# lib/ofp-match.mk: see lib/ofp-match.h.
lib_libplx_a_SOURCES += \
	lib/ofp-match.c \
	lib/ofp-match.h

UNIT_TESTS += tests/unit/test-ofp-match
check_PROGRAMS += tests/unit/test-ofp-match
tests_unit_test_ofp_match_SOURCES = tests/unit/test-ofp-match.c
tests_unit_test_ofp_match_LDADD = $(PLX_UNIT_LIBS)

FUZZ_TARGETS += ofp-match
EXTRA_DIST += tests/fuzz/fuzz-ofp-match.c

# Interop: byte-for-byte against Debian's Open vSwitch.
check_PROGRAMS += tests/interop/ofp-match-helper
tests_interop_ofp_match_helper_SOURCES = tests/interop/ofp-match-helper.c
tests_interop_ofp_match_helper_LDADD = lib/libplx.a $(PLX_LIBS)
INTEROP_TESTS += tests/interop/test_ofp_match.py
EXTRA_DIST += tests/interop/test_ofp_match.py
