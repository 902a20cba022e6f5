# ofproto/ofproto.mk: bridges, translation (NORMAL), upcalls, revalidation.
ofproto_libofproto_a_SOURCES += \
	ofproto/ofproto.c \
	ofproto/ofproto.h \
	ofproto/ofproto-flow.c \
	ofproto/ofproto-group.c \
	ofproto/ofproto-meter.c \
	ofproto/ofproto-ofp.c \
	ofproto/ofproto-private.h \
	ofproto/ofproto-export.c \
	ofproto/ofproto-upcall.c \
	ofproto/recirc.c \
	ofproto/recirc.h \
	ofproto/rule.c \
	ofproto/rule.h \
	ofproto/xlate.c \
	ofproto/xlate-ct.c \
	ofproto/xlate-group.c \
	ofproto/xlate-private.h \
	ofproto/xlate-bridge.c \
	ofproto/xlate.h

PLX_OFPROTO_UNIT_LIBS = tests/unit/libplxtest.a ofproto/libofproto.a \
	datapath/libdatapath.a vhost/libvhost.a lib/libplx.a $(PLX_LIBS)

UNIT_TESTS += tests/unit/test-xlate
check_PROGRAMS += tests/unit/test-xlate
tests_unit_test_xlate_SOURCES = tests/unit/test-xlate.c
tests_unit_test_xlate_LDADD = $(PLX_OFPROTO_UNIT_LIBS)

UNIT_TESTS += tests/unit/test-ofproto
check_PROGRAMS += tests/unit/test-ofproto
tests_unit_test_ofproto_SOURCES = tests/unit/test-ofproto.c
tests_unit_test_ofproto_LDADD = $(PLX_OFPROTO_UNIT_LIBS)


# Debian's ovs-ofctl against a bridge of plx-vswitchd.
SYSTEM_TESTS += tests/system/test_openflow.py
EXTRA_DIST += tests/system/test_openflow.py

# Real controllers: ovs-testcontroller, OS-Ken, raw OpenFlow 1.3 clients.
include tests/system/controllers.mk
# Every table, action and match feature, with real packets.
include tests/system/openflow-packets.mk

# NetFlow, sFlow and IPFIX from plx-vswitchd to real collectors (nfcapd,
# sfacctd, tshark).
SYSTEM_TESTS += tests/system/test_flow_export.py
EXTRA_DIST += tests/system/test_flow_export.py
