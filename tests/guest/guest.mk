# tests/guest/guest.mk: the freestanding test guest (tests/guest/plx-guest).
#
# plx-guest is not an automake program: it is a static, freestanding
# ELF64 linked at 0x400000 by its own linker script, built with the
# configured $(CC) but none of the user's CFLAGS/LDFLAGS (a sanitizer or
# profiling flag would need a C library the guest does not have).  It is
# data for the VM tests, built by "make" through noinst_DATA.
#
# The protocol code (net.c, cmdline.c, fmt.c) touches no hardware and is
# also compiled hosted into tests/unit/test-guest-net.
PLX_GUEST_ELF = tests/guest/plx-guest/plx-guest
PLX_GUEST_SRCS = \
	tests/guest/plx-guest/entry.S \
	tests/guest/plx-guest/actions.c \
	tests/guest/plx-guest/cmdline.c \
	tests/guest/plx-guest/console.c \
	tests/guest/plx-guest/fmt.c \
	tests/guest/plx-guest/lib.c \
	tests/guest/plx-guest/main.c \
	tests/guest/plx-guest/net.c \
	tests/guest/plx-guest/pci.c \
	tests/guest/plx-guest/virtio.c
PLX_GUEST_HDRS = \
	tests/guest/plx-guest/cmdline.h \
	tests/guest/plx-guest/console.h \
	tests/guest/plx-guest/fmt.h \
	tests/guest/plx-guest/guest.h \
	tests/guest/plx-guest/hw.h \
	tests/guest/plx-guest/lib.h \
	tests/guest/plx-guest/net.h \
	tests/guest/plx-guest/pci.h \
	tests/guest/plx-guest/virtio.h
PLX_GUEST_LDS = tests/guest/plx-guest/plx-guest.ld
PLX_GUEST_CCOPTS = $(PLX_CFLAGS) -O2 -g -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
PLX_GUEST_LINKOPTS = -no-pie -nostdlib -nostartfiles -static \
	-Wl,-T,$(srcdir)/$(PLX_GUEST_LDS) -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-z,max-page-size=4096

noinst_DATA = $(PLX_GUEST_ELF)
CLEANFILES += $(PLX_GUEST_ELF)
EXTRA_DIST += $(PLX_GUEST_SRCS) $(PLX_GUEST_HDRS) \
	$(PLX_GUEST_LDS) tests/guest/README.md

$(PLX_GUEST_ELF): $(PLX_GUEST_SRCS:%=$(srcdir)/%) \
		$(PLX_GUEST_HDRS:%=$(srcdir)/%) \
		$(srcdir)/$(PLX_GUEST_LDS) \
		$(srcdir)/vmm/layout.h $(srcdir)/vmm/simple-entry.h
	@$(MKDIR_P) tests/guest/plx-guest
	$(AM_V_CCLD)$(CC) $(PLX_GUEST_CCOPTS) -I$(top_srcdir) \
	  $(PLX_GUEST_LINKOPTS) -o $@ $(PLX_GUEST_SRCS:%=$(srcdir)/%)

UNIT_TESTS += tests/unit/test-guest-net
check_PROGRAMS += tests/unit/test-guest-net
tests_unit_test_guest_net_SOURCES = \
	tests/unit/test-guest-net.c \
	tests/guest/plx-guest/cmdline.c \
	tests/guest/plx-guest/cmdline.h \
	tests/guest/plx-guest/fmt.c \
	tests/guest/plx-guest/fmt.h \
	tests/guest/plx-guest/lib.h \
	tests/guest/plx-guest/net.c \
	tests/guest/plx-guest/net.h
tests_unit_test_guest_net_LDADD = $(PLX_UNIT_LIBS)
