# datapath/odp.mk: datapath actions, their encoding and text
# (odp-actions), their execution on packet batches (odp-execute) and the
# datapath meters the meter action runs (dp-meter).
# Included from datapath/automake.mk.
datapath_libdatapath_a_SOURCES += \
	datapath/dp-meter.c \
	datapath/dp-meter.h \
	datapath/odp-actions.c \
	datapath/odp-actions-text.c \
	datapath/odp-actions.h \
	datapath/odp-execute.c \
	datapath/odp-execute.h

UNIT_TESTS += tests/unit/test-odp-actions
check_PROGRAMS += tests/unit/test-odp-actions
tests_unit_test_odp_actions_SOURCES = tests/unit/test-odp-actions.c
tests_unit_test_odp_actions_LDADD = tests/unit/libplxtest.a \
	datapath/libdatapath.a vhost/libvhost.a lib/libplx.a $(PLX_LIBS)

UNIT_TESTS += tests/unit/test-odp-execute
check_PROGRAMS += tests/unit/test-odp-execute
tests_unit_test_odp_execute_SOURCES = tests/unit/test-odp-execute.c
tests_unit_test_odp_execute_LDADD = tests/unit/libplxtest.a \
	datapath/libdatapath.a vhost/libvhost.a lib/libplx.a $(PLX_LIBS)

UNIT_TESTS += tests/unit/test-dp-meter
check_PROGRAMS += tests/unit/test-dp-meter
tests_unit_test_dp_meter_SOURCES = tests/unit/test-dp-meter.c \
	tests/unit/dpif-fixture.c tests/unit/dpif-fixture.h
tests_unit_test_dp_meter_LDADD = $(PLX_DATAPATH_UNIT_LIBS)

FUZZ_TARGETS += odp-actions
EXTRA_DIST += tests/fuzz/fuzz-odp-actions.c
