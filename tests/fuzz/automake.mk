# tests/fuzz: libFuzzer targets, one per parser of outside input.
#
# Each target NAME is tests/fuzz/fuzz-NAME.c defining
# LLVMFuzzerTestOneInput(), with seed inputs in tests/fuzz/corpus/NAME/.
# "make fuzz" builds them with clang (-fsanitize=fuzzer,address,undefined)
# against the library sources, replays each seed corpus, then fuzzes each
# target for FUZZ_SECONDS (default 20).  Targets register themselves with
# FUZZ_TARGETS += NAME in the fragment of the module they test.

FUZZ_SECONDS = 20
FUZZ_SANITIZERS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -g -O1 -std=gnu11 $(FUZZ_SANITIZERS) $(DEFS) \
	$(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(DPDK_CFLAGS) $(CPPFLAGS)

# The library sources are compiled once for all targets, with the
# fuzzer's coverage instrumentation, into tests/fuzz/obj/.
PLX_FUZZ_SRCS = $(filter %.c,$(lib_libplx_a_SOURCES) $(ovsdb_libovsdb_a_SOURCES) \
	$(vhost_libvhost_a_SOURCES) $(vmm_libvmm_a_SOURCES) $(datapath_libdatapath_a_SOURCES) \
	$(ofproto_libofproto_a_SOURCES))
PLX_FUZZ_OBJS = $(PLX_FUZZ_SRCS:%.c=tests/fuzz/obj/%.o)

EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/corpus

tests/fuzz/obj/%.o: %.c
	@test -n "$(FUZZ_CC)" || { echo "make fuzz needs clang: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
	@mkdir -p $(@D)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

tests/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(PLX_FUZZ_OBJS)
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	  $(PLX_FUZZ_OBJS) $(PLX_LIBS)

-include $(PLX_FUZZ_OBJS:.o=.d)
.PRECIOUS: tests/fuzz/obj/%.o

fuzz-build: $(FUZZ_TARGETS:%=tests/fuzz/fuzz-%)

fuzz: fuzz-build
	@$(SHELL) $(srcdir)/tests/fuzz/run-fuzz --srcdir $(srcdir) \
	  --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf tests/fuzz/obj $(FUZZ_TARGETS:%=tests/fuzz/fuzz-%)
clean-local: fuzz-clean
.PHONY: fuzz fuzz-build fuzz-clean
