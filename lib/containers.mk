# lib/containers.mk: containers and hashing (see lib/automake.mk).
lib_libplx_a_SOURCES += \
	lib/bitmap.c \
	lib/bitmap.h \
	lib/crc32c.c \
	lib/heap.c \
	lib/heap.h \
	lib/smap.c \
	lib/smap.h \
	lib/sset.c \
	lib/sset.h

UNIT_TESTS += tests/unit/test-hmap
check_PROGRAMS += tests/unit/test-hmap
tests_unit_test_hmap_SOURCES = tests/unit/test-hmap.c
tests_unit_test_hmap_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-hash
check_PROGRAMS += tests/unit/test-hash
tests_unit_test_hash_SOURCES = tests/unit/test-hash.c
tests_unit_test_hash_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-list
check_PROGRAMS += tests/unit/test-list
tests_unit_test_list_SOURCES = tests/unit/test-list.c
tests_unit_test_list_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-heap
check_PROGRAMS += tests/unit/test-heap
tests_unit_test_heap_SOURCES = tests/unit/test-heap.c
tests_unit_test_heap_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-bitmap
check_PROGRAMS += tests/unit/test-bitmap
tests_unit_test_bitmap_SOURCES = tests/unit/test-bitmap.c
tests_unit_test_bitmap_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-sset
check_PROGRAMS += tests/unit/test-sset
tests_unit_test_sset_SOURCES = tests/unit/test-sset.c
tests_unit_test_sset_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-smap
check_PROGRAMS += tests/unit/test-smap
tests_unit_test_smap_SOURCES = tests/unit/test-smap.c
tests_unit_test_smap_LDADD = $(PLX_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ds
check_PROGRAMS += tests/unit/test-ds
tests_unit_test_ds_SOURCES = tests/unit/test-ds.c
tests_unit_test_ds_LDADD = $(PLX_UNIT_LIBS)
