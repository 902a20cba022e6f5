# datapath/pmd.mk: poll-mode-driver threads (see datapath/pmd.h) and rx
# queue to PMD scheduling (datapath/pmd-sched.h).
datapath_libdatapath_a_SOURCES += \
	datapath/pmd.c \
	datapath/pmd.h \
	datapath/pmd-sched.c \
	datapath/pmd-sched.h

UNIT_TESTS += tests/unit/test-pmd
check_PROGRAMS += tests/unit/test-pmd
tests_unit_test_pmd_SOURCES = tests/unit/test-pmd.c
tests_unit_test_pmd_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-pmd-sched
check_PROGRAMS += tests/unit/test-pmd-sched
tests_unit_test_pmd_sched_SOURCES = tests/unit/test-pmd-sched.c
tests_unit_test_pmd_sched_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

FUZZ_TARGETS += pmd-affinity
EXTRA_DIST += tests/fuzz/fuzz-pmd-affinity.c

SYSTEM_TESTS += tests/system/test_pmd.py

UNIT_TESTS += tests/unit/test-pmd-dpif
check_PROGRAMS += tests/unit/test-pmd-dpif
tests_unit_test_pmd_dpif_SOURCES = tests/unit/test-pmd-dpif.c \
	tests/unit/dpif-fixture.c tests/unit/dpif-fixture.h
tests_unit_test_pmd_dpif_LDADD = $(PLX_DATAPATH_UNIT_LIBS)
