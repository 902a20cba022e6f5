# datapath/pmd.mk: poll-mode-driver threads (see datapath/pmd.h).
datapath_libdatapath_a_SOURCES += \
	datapath/pmd.c \
	datapath/pmd.h

UNIT_TESTS += tests/unit/test-pmd
check_PROGRAMS += tests/unit/test-pmd
tests_unit_test_pmd_SOURCES = tests/unit/test-pmd.c
tests_unit_test_pmd_LDADD = $(PLX_DATAPATH_UNIT_LIBS)
