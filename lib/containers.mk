# lib/containers.mk: containers and hashing (see lib/automake.mk).
UNIT_TESTS += tests/unit/test-hmap
check_PROGRAMS += tests/unit/test-hmap
tests_unit_test_hmap_SOURCES = tests/unit/test-hmap.c
tests_unit_test_hmap_LDADD = $(PLX_UNIT_LIBS)
