# vswitchd/vswitchd.mk: plx-vswitchd, the switch daemon (see
# vswitchd/bridge.h), and its system test.
sbin_PROGRAMS += vswitchd/plx-vswitchd
vswitchd_plx_vswitchd_SOURCES = \
	vswitchd/bridge.c \
	vswitchd/bridge-ct.c \
	vswitchd/bridge-ct.h \
	vswitchd/bridge-db.c \
	vswitchd/bridge-db.h \
	vswitchd/bridge-export.c \
	vswitchd/bridge-export.h \
	vswitchd/bridge-ofp.c \
	vswitchd/bridge-ofp.h \
	vswitchd/bridge-wanted.c \
	vswitchd/bridge-wanted.h \
	vswitchd/bridge.h \
	vswitchd/dpctl-ct.c \
	vswitchd/dpctl-ct.h \
	vswitchd/plx-vswitchd.c
vswitchd_plx_vswitchd_LDADD = \
	ofproto/libofproto.a \
	datapath/libdatapath.a vhost/libvhost.a \
	vswitchd/libvswitch-idl.a \
	ovsdb/libovsdb.a \
	$(LDADD)
# The generated IDL header must exist before these compile.
vswitchd/bridge.$(OBJEXT): vswitchd/vswitch-idl.h
vswitchd/bridge-export.$(OBJEXT): vswitchd/vswitch-idl.h
vswitchd/bridge-ct.$(OBJEXT): vswitchd/vswitch-idl.h
vswitchd/plx-vswitchd.$(OBJEXT): vswitchd/vswitch-idl.h

SYSTEM_TESTS += tests/system/test_vswitchd.py
EXTRA_DIST += tests/system/test_vswitchd.py

# Network modes (Documentation/network-modes.md): the pure compiler
# netmode.c depends on lib/ only, so its unit test and fuzz target link
# without the bridge.
vswitchd_plx_vswitchd_SOURCES += \
	vswitchd/bridge-netmode.c \
	vswitchd/bridge-netmode.h \
	vswitchd/netmode.c \
	vswitchd/netmode.h
UNIT_TESTS += tests/unit/test-netmode
check_PROGRAMS += tests/unit/test-netmode
tests_unit_test_netmode_SOURCES = tests/unit/test-netmode.c \
	vswitchd/netmode.c vswitchd/netmode.h
tests_unit_test_netmode_LDADD = $(PLX_UNIT_LIBS)
FUZZ_TARGETS += netmode-config
EXTRA_DIST += tests/fuzz/fuzz-netmode-config.c
SYSTEM_TESTS += tests/system/test_netmode.py
EXTRA_DIST += tests/system/test_netmode.py
