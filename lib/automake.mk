# lib/: the generic core library, linked into every program.
noinst_LIBRARIES += lib/libplx.a
lib_libplx_a_SOURCES = \
	lib/dynamic-string.c \
	lib/dynamic-string.h \
	lib/flow.h \
	lib/hash.c \
	lib/hash.h \
	lib/hmap.c \
	lib/hmap.h \
	lib/list.h \
	lib/match.h \
	lib/poll-loop.h \
	lib/timeval.h \
	lib/types.h \
	lib/util.c \
	lib/unaligned.h \
	lib/util.h \
	lib/vlog.h

# Module groups, one fragment each.
include lib/containers.mk
include lib/runtime.mk
include lib/stream.mk
include lib/jsonrpc.mk
include lib/packets.mk
include lib/classifier.mk
include lib/match.mk
include lib/coverage.mk
include lib/ofp-errors.mk
include lib/ofp-match.mk
include lib/ofp-actions.mk
include lib/ofp-actions-ct.mk
include lib/responder.mk
include lib/ofp-msgs.mk
include lib/ofp-flow.mk
include lib/ofp-packet.mk
include lib/ofp-group.mk
include lib/ofp-table.mk
